"""`tracenp.explain`: the report names the graphs, rewrites with user lines, steps and causes."""

from __future__ import annotations

import warnings

import numpy as np

import tracenp
from tracenp.explain import describe_schedule


def logsumexp(x):
    return np.log(np.sum(np.exp(x), axis=1))


def test_explain_logsumexp_reports_the_stabilizing_rewrite_and_its_line():
    x = np.random.default_rng(0).standard_normal((4, 6))
    ex = tracenp.explain(logsumexp, x)
    (fired,) = [f for f in ex.rewrites if f.rule_set == "stabilize"]
    assert fired.rule.startswith("log(sum(exp(x), A))")
    assert fired.site[0] == __file__ and fired.site[1] == logsumexp.__code__.co_firstlineno + 1
    text = str(ex)
    assert "return np.log(np.sum(np.exp(x), axis=1))" in text
    assert " max " in str(ex.optimized) and " max " not in str(ex.traced)
    assert ex.signature == "x:f64[4,6]" and ex.stabilize
    assert {"trace", "optimize", "compile"} <= set(ex.times)
    assert [p.rule_set for p in ex.passes] == ["reroll", "simplify", "stabilize", "reassociate",
                                               "simplify"]


def test_explain_without_stabilize_applies_only_exact_rewrites():
    ex = tracenp.explain(tracenp.jit(logsumexp, stabilize=False), np.ones((2, 3)))
    assert not ex.rewrites and not ex.stabilize
    assert str(ex.optimized) == str(ex.traced)
    assert "stabilize=off" in str(ex)


def test_explain_counts_cache_hits_of_calls():
    jf = tracenp.jit(lambda x: x * 2.0)
    x = np.ones(3)
    jf(x)
    jf(x)
    assert "hits=1 misses=1" in str(tracenp.explain(jf, x))
    ex = jf.explain(x)  # the method is the function
    assert ex.cache.hits == 1 and ex.optimized is tracenp.explain(jf, x).optimized
    assert jf.cache_info().hits == 1  # explaining does not count as a call


def test_explain_lists_kernels_with_their_fused_ops_on_llvm():
    jf = tracenp.jit(lambda x, w: np.tanh(x @ w + 1.0).sum(axis=1))  # the schedule, not the run
    x, w = np.ones((3, 4)), np.ones((4, 5))
    steps, fallbacks = describe_schedule(jf.graph(x, w), "llvm")
    kinds = [s.kind for s in steps]
    assert kinds.count("library") == 1 and "kernel" in kinds and not fallbacks
    (kernel,) = [s for s in steps if s.kind == "kernel"]
    assert kernel.ops == ("add", "tanh", "sum") and kernel.reduce_axes == (1,)


def test_explain_numpy_backend_lists_one_numpy_call_per_op():
    jf = tracenp.jit(lambda x: np.exp(x).reshape(-1) + 1, backend="numpy")
    steps, fallbacks = describe_schedule(jf.graph(np.ones((2, 2))), "numpy")
    assert [(s.kind, s.ops) for s in steps] == [
        ("numpy", ("exp",)), ("view", ("reshape",)), ("numpy", ("add",))]
    assert not fallbacks


def test_explain_says_why_a_function_cannot_be_traced():
    def branchy(x):
        if x.sum() > 0:
            return x
        return -x

    ex = tracenp.explain(branchy, np.ones(3))
    assert ex.traced is None and "truth value of a traced array" in ex.not_traced
    assert "if x.sum() > 0:" in str(ex)
    jf = tracenp.jit(branchy, fallback=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tracenp.TracingFallbackWarning)
        jf(np.ones(3))
    assert "truth value" in tracenp.explain(jf, np.ones(3)).not_traced


def test_explain_shows_row_groups_and_row_dot_passes_on_llvm():
    def softmax(x):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def logreg(w, x, y):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    steps, _ = describe_schedule(tracenp.jit(softmax).graph(np.ones((64, 32))), "llvm")
    (group,) = [s for s in steps if s.kind == "rows"]
    assert group.ops[0].count("|") == 2 and "exp" in group.ops[0]  # max, exp-sum, divide
    x, w, y = np.ones((2048, 32)), np.ones(32), np.ones(2048)  # 2^16 elements: fused
    step = tracenp.jit(tracenp.value_and_grad(logreg))
    ex = tracenp.explain(step, w, x, y)
    (rowdot,) = [s for s in ex.steps if s.kind == "rowdot"]
    assert rowdot.ops[0].startswith("matmul |") and rowdot.shape == (2048, 32)
    assert "1 row-dot pass" in str(ex)
