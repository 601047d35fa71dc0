"""`np.vectorize(f, otypes=...)` of a function that branches on an element's value (which no
trace can follow) runs as NumPy's own loop on the host when the compiled function runs; the
code around it still compiles. Without `otypes` the trace refuses: finding the result dtype
would mean calling user code on made-up values, which may never return."""

import math

import numpy as np
import pytest

import tracenp
from test_corpus_hunt_i import collatz_length
from tracenp import ir
from tracenp.errors import ConcretizationError
from tracenp.ops import Op

V = np.random.default_rng(0).standard_normal(40)


def leaky(v):
    return np.vectorize(lambda a: a * 2 if a > 0 else -a, otypes=[float])(v) + 1.0


def collatz(x):
    return np.vectorize(collatz_length, otypes=[np.int64])(x) * 2


def split_signs(v):
    return np.vectorize(lambda a: (a, -a) if a > 0 else (0.0, a), otypes=[float, float])(v)


def scaled(v):
    return np.vectorize(lambda a, k: a * k if a > 0 else a, excluded={1}, otypes="d")(v, 3.0)


def larger(v, w):
    return np.vectorize(lambda a, b: a if a > b else b, otypes=[np.float32])(v[:, None], w)


def rounded_total(v):
    return np.vectorize(lambda a: math.floor(a) if a > 0 else math.ceil(a),
                        otypes=[float])(v).sum()


CASES = [(leaky, (V,)), (collatz, (np.arange(1, 30),)), (split_signs, (V,)),
         (scaled, (V,)), (larger, (V[:5], V[5:9])), (rounded_total, (V,))]


def _shifted(a):
    return a + 3 if a.dtype.kind == "i" else a + 0.25


def _same(got, want):
    for g, w in zip(got if isinstance(got, tuple) else (got,),
                    want if isinstance(want, tuple) else (want,)):
        assert type(g) is type(w)
        assert np.asarray(g).dtype == np.asarray(w).dtype
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("fn,args", CASES, ids=[fn.__name__ for fn, _ in CASES])
def test_branching_functions_run_as_numpys_loop(fn, args):
    f = tracenp.jit(fn)
    _same(f(*args), fn(*args))
    moved = [_shifted(a) for a in args]
    _same(f(*moved), fn(*moved))  # the host runs the new values, with no new trace
    assert f.cache_info().misses == 1


def test_the_code_around_the_host_step_is_compiled():
    graph = tracenp.jit(leaky).graph(V)
    ops = {n.op for n in ir.toposort(graph.outputs)}
    assert Op.HOST in ops and Op.ADD in ops


def test_a_function_the_trace_follows_is_not_run_on_the_host():
    graph = tracenp.jit(lambda v: np.vectorize(lambda a: a * 2 + 1, otypes=[float])(v)).graph(V)
    assert Op.HOST not in {n.op for n in ir.toposort(graph.outputs)}


def test_without_otypes_the_trace_refuses_and_says_how():
    f = tracenp.jit(lambda v: np.vectorize(lambda a: a if a > 0 else 0.0)(v))
    with pytest.raises(ConcretizationError) as info:
        f(V)
    assert any("otypes=" in note for note in getattr(info.value, "__notes__", ["otypes="]))


def test_a_closure_over_a_traced_value_is_refused():
    def clipped(v, t):
        return np.vectorize(lambda a: a if a > t else 0.0, otypes=[float])(v)

    with pytest.raises(ConcretizationError):
        tracenp.jit(clipped)(V, np.float64(0.5) + V[:1])
