"""The pattern engine: matching, the type guard, fixed points, cycles, deep graphs, sites."""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from tracenp.ir import Graph, Node, const, leaf_input
from tracenp.ops import Op
from tracenp.rewrite.pattern import C, P, Rule, RewriteLog, RuleSet, V, ew, rule, run
from tracenp.rewrite.simplify import SIMPLIFY

X = V("x")


def _graph(*outputs, inputs=()):
    return Graph(tuple(inputs), tuple(outputs))


def test_commutative_ops_match_either_order_and_names_bind_one_node():
    a = leaf_input("a", np.float64, (3,))
    b = leaf_input("b", np.float64, (3,))
    one = const(np.float64(1))
    pat = P(Op.ADD, X, C(1))
    assert list(pat.match(ew(Op.ADD, a, one), {})) == [{"x": a}]
    assert list(pat.match(ew(Op.ADD, one, a), {})) == [{"x": a}]
    same = P(Op.MULTIPLY, X, X)
    assert list(same.match(ew(Op.MULTIPLY, a, a), {})) == [{"x": a}]
    assert list(same.match(ew(Op.MULTIPLY, a, b), {})) == []


def test_constants_match_by_value_and_sign_of_zero():
    zero, neg = const(np.float64(0.0)), const(np.float64(-0.0))
    assert list(C(-0.0).match(neg, {})) and not list(C(-0.0).match(zero, {}))
    assert not list(C(0, "iu").match(zero, {}))
    assert list(C(2).match(const(np.full(3, 2.0)), {}))
    assert not list(C(2).match(const(np.array([2.0, 3.0])), {}))


def test_a_rewrite_that_would_change_the_type_is_not_applied():
    x = leaf_input("x", np.float64, (1,))
    node = ew(Op.MULTIPLY, x, const(np.ones(3)))  # the ones broadcast x to shape (3,)
    out = run(_graph(node, inputs=[x]), SIMPLIFY, RewriteLog())
    assert out.outputs[0] is node


def test_rules_are_indexed_by_root_op(monkeypatch):
    monkeypatch.setenv("TRACENP_CHECK", "0")  # the fixed-point check would try the rule again
    calls = []
    r = Rule("count", (Op.SIN,), lambda n: calls.append(n.op) or None)
    x = leaf_input("x", np.float64, (3,))
    run(_graph(ew(Op.COS, ew(Op.SIN, x)), inputs=[x]), RuleSet("t", [r]), RewriteLog())
    assert calls == [Op.SIN]


def test_rules_that_undo_each_other_are_reported():
    flip = RuleSet("flip", [
        rule("a + b -> b + a", P(Op.ADD, V("a"), V("b")), lambda a, b: ew(Op.SUBTRACT, a, b)),
        rule("a - b -> a + b", P(Op.SUBTRACT, V("a"), V("b")), lambda a, b: ew(Op.ADD, a, b)),
    ])
    x = leaf_input("x", np.float64, (3,))
    with pytest.raises(RuntimeError, match="undo each other"):
        run(_graph(ew(Op.ADD, x, x), inputs=[x]), flip, RewriteLog())


def test_a_long_finite_run_of_rewrites_at_one_node_is_not_a_cycle():
    """Reassociating `(((A @ A) @ A) ... @ A) @ v` peels one factor per rewrite at the root:
    60 rewrites in a row there, each a new form, ending in `A @ (A @ (... @ v))`. A cap of 32
    rewrites reported it as rules that undo each other."""
    from tracenp.rewrite.reassociate import REASSOCIATE

    a = leaf_input("a", np.float64, (4, 4))
    v = leaf_input("v", np.float64, (4, 1))
    chain = a
    for _ in range(60):
        chain = Node.make(Op.MATMUL, (chain, a))
    out = run(_graph(Node.make(Op.MATMUL, (chain, v)), inputs=[a, v]), REASSOCIATE, RewriteLog())
    node, depth = out.outputs[0], 0
    while node.op is Op.MATMUL:
        assert node.srcs[0] is a
        node, depth = node.srcs[1], depth + 1
    assert node is v and depth == 61


def test_a_sum_of_products_is_one_product_of_the_joined_factors():
    """Backpropagation through time: the weight's gradient sums one outer product per step.
    The sum becomes one product of the steps' columns and rows, its parts joined flat; the
    values stay within the sum's rounding."""
    from tracenp.rewrite.reassociate import REASSOCIATE

    rng = np.random.default_rng(0)
    cols = [rng.standard_normal((5, 1)) for _ in range(6)]
    rows = [rng.standard_normal((1, 4)) for _ in range(6)]
    ins = [leaf_input(f"c{i}", np.float64, (5, 1)) for i in range(6)] + \
        [leaf_input(f"r{i}", np.float64, (1, 4)) for i in range(6)]
    total = None
    for c, r in zip(ins[:6], ins[6:]):
        term = Node.make(Op.MATMUL, (c, r))
        total = term if total is None else ew(Op.ADD, total, term)
    out = run(_graph(total, inputs=ins), REASSOCIATE, RewriteLog()).outputs[0]
    assert out.op is Op.MATMUL and [s.op for s in out.srcs] == [Op.CONCAT, Op.CONCAT]
    assert out.srcs[0].srcs == tuple(ins[:6]) and out.srcs[1].srcs == tuple(ins[6:])
    got = tracenp.jit(lambda *xs: sum(a @ b for a, b in zip(xs[:6], xs[6:])))(*cols, *rows)
    np.testing.assert_allclose(got, sum(a @ b for a, b in zip(cols, rows)), rtol=1e-13)


def test_nodes_built_by_a_rewrite_are_rewritten_too():
    rules = RuleSet("t", [
        rule("sin(x) -> cos(-(-x))", P(Op.SIN, X),
             lambda x: ew(Op.COS, ew(Op.NEGATIVE, ew(Op.NEGATIVE, x)))),
        rule("-(-x) -> x", P(Op.NEGATIVE, P(Op.NEGATIVE, X)), lambda x: x),
    ])
    x = leaf_input("x", np.float64, (3,))
    log = RewriteLog()
    out = run(_graph(ew(Op.EXP, ew(Op.SIN, x)), inputs=[x]), rules, log)
    assert out.outputs[0] is ew(Op.EXP, ew(Op.COS, x))
    assert [f.rule for f in log.fired] == ["sin(x) -> cos(-(-x))", "-(-x) -> x"]


def test_deep_graphs_need_no_recursion():
    x = leaf_input("x", np.float64, (2,))
    node = x
    for _ in range(5000):
        node = ew(Op.NEGATIVE, ew(Op.NEGATIVE, ew(Op.MULTIPLY, node, const(np.float64(1)))))
    out = run(_graph(node, inputs=[x]), SIMPLIFY, RewriteLog())
    assert out.outputs[0] is x


def test_rewrites_keep_graphs_interned():
    f = tracenp.jit(lambda x: np.sin(x * 1.0) + np.sin(x), backend="numpy")
    graph = str(f.graph(np.ones(3)))
    assert graph.count(" sin ") == 1


def test_each_fired_rewrite_names_the_users_line():
    def f(x):
        y = x * 1.0
        return np.log(1 + y)

    rep = tracenp.jit(f, backend="numpy").compiled(np.ones(3)).report
    lines = {fired.rule: fired.site[1] for fired in rep["rewrites"]}
    first = f.__code__.co_firstlineno
    assert lines == {"x * 1 -> x": first + 1, "log(1 + x) -> log1p(x)": first + 2}


def test_fast_compile_skips_the_optimizer():
    jf = tracenp.jit(lambda x: np.log(1 + x * 1.0), mode="FAST_COMPILE")
    x = np.array([1e-30, 0.5])
    assert str(jf.graph(x)) == str(jf.graph(x, optimized=False))
    assert "rewrites" not in jf.compiled(x).report
    np.testing.assert_array_equal(jf(x), np.log(1 + x))
