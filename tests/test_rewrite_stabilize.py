"""Stabilize rewrites, end to end: the naive NumPy spelling is traced, the optimized graph holds
the stable form, and the result matches a 50-digit mpmath reference at extreme inputs where
NumPy's own result is 0, inf or nan. On ordinary inputs the result stays within the bound
of docs/rewrites.md (4 eps relative plus 4 eps absolute, unless a test says otherwise) of
unoptimized NumPy; and the gradient of the stabilized forward is finite where the naive one
is not.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tracenp
from tracenp.autodiff import backward
from tracenp.compile import compile_graph
from tracenp.ir import Graph

mp = pytest.importorskip("mpmath")
mp.mp.dps = 50
SETTINGS = settings(max_examples=40, deadline=None)
EPS = {np.float32: np.finfo(np.float32).eps, np.float64: np.finfo(np.float64).eps}


def naive(f, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return f(*args)


def stable(f, *args, ops=(), backend="numpy"):
    """f under jit (stabilize on); each of `ops` must appear in the optimized graph."""
    jf = tracenp.jit(f, backend=backend)
    graph = str(jf.graph(*args))
    for op in ops:
        assert f" {op} " in graph, graph
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the stable form raises no overflow warning
        with np.errstate(all="ignore"):
            return jf(*args)


def reference(fn, *args) -> np.ndarray:
    """fn on mpmath numbers, element by element, rounded once to float64."""
    out = np.vectorize(lambda *xs: float(fn(*(mp.mpf(float(x)) for x in xs))), otypes=[float])
    return out(*args)


def close_to_numpy(got, want, dtype, rtol=4.0, atol=4.0):
    eps = EPS[np.dtype(dtype).type]
    np.testing.assert_allclose(got, want, rtol=rtol * eps, atol=atol * eps)


def grad_of_optimized(f, x):
    """d(sum f)/dx computed from the optimized (stabilized) forward graph."""
    g = tracenp.jit(f, backend="numpy").graph(x)
    (ct,) = backward(g.outputs[0], [g.inputs[0]])
    return compile_graph(Graph(g.inputs, (ct.node,)), "FAST_COMPILE").run([x])[0]


def floats(lo, hi, dtype=np.float64, shape=st.sampled_from([(5,), (1,), (3, 4)]), special=True):
    elems = st.floats(lo, hi, width=np.dtype(dtype).itemsize * 8)
    if special:
        elems = elems | st.sampled_from([np.nan, np.inf, -np.inf])
    return hnp.arrays(dtype, shape, elements=elems)


# ----------------------------------------------------------------------------- log1p, expm1

def log1p_naive(x):
    return np.log(1 + x)


def test_log1p_at_tiny_x():
    x = np.array([1e-30, -1e-30, 1e-300, 3e-17])
    got = stable(log1p_naive, x, ops=["log1p"])
    np.testing.assert_array_equal(got, reference(mp.log1p, x))
    assert np.all(naive(log1p_naive, x) == 0)  # NumPy loses every digit
    np.testing.assert_array_equal(grad_of_optimized(log1p_naive, x), 1 / (1 + x))


@SETTINGS
@given(floats(-0.875, 1e10) | floats(-0.875, 1e10, np.float32))
def test_log1p_matches_numpy(x):
    close_to_numpy(stable(log1p_naive, x), naive(log1p_naive, x), x.dtype)


def test_log_of_one_minus_is_log1p_of_negative():
    x = np.array([1e-30, 1e-20, 0.5])
    got = stable(lambda x: np.log(1 - x), x, ops=["log1p"])
    np.testing.assert_array_equal(got, reference(lambda v: mp.log(1 - v), x))


def expm1_naive(x):
    return np.exp(x) - 1


def test_expm1_at_tiny_x():
    x = np.array([1e-30, -1e-20, 5e-324])
    np.testing.assert_array_equal(stable(expm1_naive, x, ops=["expm1"]), reference(mp.expm1, x))
    assert np.all(naive(expm1_naive, x) == 0)


@SETTINGS
@given(floats(-700, 700) | floats(-80, 80, np.float32))
def test_expm1_matches_numpy(x):
    want = naive(expm1_naive, x)
    eps = EPS[x.dtype.type]
    np.testing.assert_allclose(stable(expm1_naive, x), want, rtol=4 * eps, atol=4 * eps)


# ----------------------------------------------------------------------------- logaddexp, softplus

def lae_naive(a, b):
    return np.log(np.exp(a) + np.exp(b))


def test_logaddexp_at_large_inputs():
    a, b = np.array([1e3, -1e3, 800.0]), np.array([1e3 + 1, -1e3, -800.0])
    got = stable(lae_naive, a, b, ops=["logaddexp"])
    np.testing.assert_allclose(got, reference(lambda u, v: mp.log(mp.exp(u) + mp.exp(v)), a, b),
                               rtol=2 * EPS[np.float64])
    assert np.all(np.isinf(naive(lae_naive, a, b)))


@SETTINGS
@given(floats(-700, 700, shape=st.just((6,))), floats(-700, 700, shape=st.just((1,))))
def test_logaddexp_matches_numpy(a, b):
    close_to_numpy(stable(lae_naive, a, b), naive(lae_naive, a, b), np.float64)


def softplus_naive(x):
    return np.log(1 + np.exp(x))


def test_softplus_at_large_inputs():
    x = np.array([1e3, -1e3, 710.0, -50.0])
    got = stable(softplus_naive, x, ops=["log1p", "where"])
    np.testing.assert_allclose(got, reference(lambda v: mp.log(1 + mp.exp(v)), x),
                               rtol=2 * EPS[np.float64])
    assert np.isinf(naive(softplus_naive, x)[0])
    np.testing.assert_allclose(grad_of_optimized(softplus_naive, x), [1, 0, 1, np.exp(-50.0)],
                               rtol=1e-15)


@SETTINGS
@given(floats(-700, 700) | floats(-80, 80, np.float32))
def test_softplus_matches_numpy(x):
    close_to_numpy(stable(softplus_naive, x), naive(softplus_naive, x), x.dtype)


# ----------------------------------------------------------------------------- logsumexp, softmax

def lse_naive(x):
    return np.log(np.sum(np.exp(x), axis=1))


def lse_keepdims(x):
    return np.log(np.sum(np.exp(x), axis=-1, keepdims=True))


def mp_lse(row):
    return mp.log(mp.fsum(mp.exp(mp.mpf(float(v))) for v in row))


def test_logsumexp_at_large_inputs():
    x = np.array([[1e3, 999.0, -1e3], [-1e3, -1e3 - 1, -1001.0], [0.0, -np.inf, 1.0]])
    want = np.array([float(mp_lse(r)) for r in x])
    got = stable(lse_naive, x, ops=["max", "exp", "sum", "log"])
    np.testing.assert_allclose(got, want, rtol=2 * EPS[np.float64])
    np.testing.assert_allclose(stable(lse_keepdims, x)[:, 0], want, rtol=2 * EPS[np.float64])
    assert not np.all(np.isfinite(naive(lse_naive, x)))
    g = grad_of_optimized(lse_naive, x)
    assert np.all(np.isfinite(g)) and np.allclose(g.sum(axis=1), 1)


def test_logsumexp_of_special_rows():
    x = np.array([[-np.inf, -np.inf], [np.inf, 1.0], [np.nan, 1.0], [np.inf, -np.inf]])
    np.testing.assert_array_equal(stable(lse_naive, x), [-np.inf, np.inf, np.nan, np.inf])


def test_stable_spellings_are_left_alone():
    def lse_stable(x):
        m = np.max(x, axis=1, keepdims=True)
        return m[:, 0] + np.log(np.sum(np.exp(x - m), axis=1))

    x = np.array([[1e3, 999.0], [-5.0, 2.0]])
    jf = tracenp.jit(lse_stable, backend="numpy")
    assert str(jf.graph(x)).count(" max ") == 1
    np.testing.assert_array_equal(jf(x), lse_stable(x))


@SETTINGS
@given(floats(-700, 700, shape=st.sampled_from([(2, 3), (4, 1), (1, 5)])))
def test_logsumexp_matches_numpy(x):
    close_to_numpy(stable(lse_naive, x), naive(lse_naive, x), np.float64, rtol=16, atol=16)


def softmax_naive(x):
    e = np.exp(x)
    return e / np.sum(e, axis=1, keepdims=True)


def log_softmax_naive(x):
    return np.log(np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True))


def test_softmax_and_log_softmax_at_large_inputs():
    x = np.array([[1e3, 999.0, -1e3], [-1e3, -1001.0, -1002.0]])
    lse = np.array([mp_lse(r) for r in x], dtype=object)
    want_log = np.array([[float(mp.mpf(float(v)) - lse[i]) for v in r] for i, r in enumerate(x)])
    got_log = stable(log_softmax_naive, x, ops=["max", "subtract"])
    np.testing.assert_allclose(got_log, want_log, rtol=2 * EPS[np.float64])
    np.testing.assert_allclose(stable(softmax_naive, x, ops=["max"]), np.exp(want_log),
                               rtol=4 * EPS[np.float64])
    assert np.isnan(naive(softmax_naive, x)).any()
    assert np.all(np.isfinite(grad_of_optimized(log_softmax_naive, x)))


@SETTINGS
@given(floats(-300, 300, shape=st.sampled_from([(2, 3), (4, 1)]), special=False))
def test_softmax_matches_numpy(x):
    """Within +-300 NumPy's naive ratios stay normal numbers, so NumPy is accurate there."""
    close_to_numpy(stable(softmax_naive, x), naive(softmax_naive, x), np.float64, 16, 16)
    close_to_numpy(stable(log_softmax_naive, x), naive(log_softmax_naive, x), np.float64, 16, 16)


# ----------------------------------------------------------------------------- sigmoid family

def sigmoid_naive(x):
    return 1 / (1 + np.exp(-x))


def test_sigmoid_at_large_inputs():
    x = np.array([-1e3, -720.0, 1e3, 0.0, -np.inf, np.inf])
    got = stable(sigmoid_naive, x, ops=["where", "greater_equal"])
    np.testing.assert_allclose(got, reference(lambda v: 1 / (1 + mp.exp(-v)), x),
                               rtol=2 * EPS[np.float64])
    assert naive(sigmoid_naive, x)[1] == 0  # NumPy underflows where the answer is 1.8e-313
    g = grad_of_optimized(sigmoid_naive, x)
    assert np.all(np.isfinite(g)) and g[0] == 0 and g[3] == 0.25


@SETTINGS
@given(floats(-745, 745) | floats(-100, 100, np.float32))
def test_sigmoid_matches_numpy(x):
    close_to_numpy(stable(sigmoid_naive, x), naive(sigmoid_naive, x), x.dtype)
    close_to_numpy(stable(lambda x: np.exp(x) / (1 + np.exp(x)), x),
                   naive(sigmoid_naive, x), x.dtype)


def log_sigmoid_naive(x):
    return np.log(1 / (1 + np.exp(-x)))


def test_log_sigmoid_at_large_inputs():
    x = np.array([-1e3, 1e3, 50.0, -np.inf])
    got = stable(log_sigmoid_naive, x, ops=["log1p", "negative"])
    np.testing.assert_allclose(got, reference(lambda v: -mp.log(1 + mp.exp(-v)), x),
                               rtol=2 * EPS[np.float64])
    assert np.isinf(naive(log_sigmoid_naive, x)[0])
    np.testing.assert_allclose(grad_of_optimized(log_sigmoid_naive, x[:3]),
                               [1, 0, np.exp(-50.0)], rtol=1e-15)


@SETTINGS
@given(floats(-700, 700))
def test_log_sigmoid_matches_numpy(x):
    close_to_numpy(stable(log_sigmoid_naive, x), naive(log_sigmoid_naive, x), x.dtype, 8, 8)


def log1m_sigmoid_naive(x):
    return np.log(1 - 1 / (1 + np.exp(-x)))


def test_log1m_sigmoid_at_large_inputs():
    x = np.array([1e3, -1e3, 50.0, 40.0, 0.0])
    got = stable(log1m_sigmoid_naive, x, ops=["log1p"])
    np.testing.assert_allclose(got, reference(lambda v: -mp.log(1 + mp.exp(v)), x),
                               rtol=2 * EPS[np.float64])
    assert np.isinf(naive(log1m_sigmoid_naive, x)[2])
    np.testing.assert_allclose(grad_of_optimized(log1m_sigmoid_naive, x[:4]),
                               [-1, -0.0, -1, -1], rtol=1e-15)


@SETTINGS
@given(floats(-30, 30))
def test_log1m_sigmoid_matches_mpmath(x):
    """NumPy's 1 - p cancels for x > 0, so the reference is mpmath: within 2 ulp."""
    with np.errstate(invalid="ignore"):  # NaN in, NaN out
        want = reference(lambda v: -mp.log(1 + mp.exp(v)), x)
    np.testing.assert_allclose(stable(log1m_sigmoid_naive, x), want, rtol=2 * EPS[np.float64])


def test_logistic_loss_shares_one_exp_and_one_log1p():
    """log(p) and log(1 - p) of one p = sigmoid(z) are -softplus(-z) and -softplus(z): both
    read exp(-|z|) and its log1p, and so does their gradient."""
    def loss(z, y):
        p = 1 / (1 + np.exp(-z))
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    z = np.array([-800.0, -3.0, -0.0, 0.5, 40.0, 800.0])
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    vg = tracenp.jit(tracenp.value_and_grad(loss))
    graph = str(vg.graph(z, y))
    assert graph.count(" exp ") == 1 and graph.count(" log1p ") == 1, graph
    value, g = vg(z, y)
    sp = lambda v: np.vectorize(lambda t: float(mp.log(1 + mp.exp(mp.mpf(t)))))(v)  # noqa: E731
    sig = np.vectorize(lambda t: float(1 / (1 + mp.exp(-mp.mpf(t)))))(z)
    np.testing.assert_allclose(value, np.mean(y * sp(-z) + (1 - y) * sp(z)), rtol=1e-15)
    np.testing.assert_allclose(g, (sig - y) / len(z), rtol=1e-15, atol=1e-300)


def log1mexp_naive(x):
    return np.log1p(-np.exp(x))


def test_log1mexp_near_zero():
    x = np.array([-1e-20, -1e-8, -0.5, -1.0, -1e3, 0.0])
    got = stable(log1mexp_naive, x, ops=["expm1", "where"])
    np.testing.assert_allclose(got, reference(lambda v: mp.log(-mp.expm1(v)), x),
                               rtol=2 * EPS[np.float64])
    assert np.isinf(naive(log1mexp_naive, x)[0])
    got_log = stable(lambda x: np.log(1 - np.exp(x)), x, ops=["expm1"])
    np.testing.assert_array_equal(got_log, got)
    g = grad_of_optimized(log1mexp_naive, x[:5])
    np.testing.assert_allclose(g, reference(lambda v: -mp.exp(v) / (-mp.expm1(v)), x[:5]),
                               rtol=1e-14)


@SETTINGS
@given(floats(-700, -0.1))
def test_log1mexp_matches_numpy(x):
    close_to_numpy(stable(log1mexp_naive, x), naive(log1mexp_naive, x), x.dtype, 8, 8)


# ----------------------------------------------------------------------------- hypot

def hypot_naive(x, y):
    return np.sqrt(x * x + y ** 2)


def test_hypot_at_extreme_magnitudes():
    x, y = np.array([1e200, 1e-200, 3.0]), np.array([1e200, 1e-200, 4.0])
    got = stable(hypot_naive, x, y, ops=["hypot"])
    np.testing.assert_allclose(got, reference(lambda u, v: mp.sqrt(u * u + v * v), x, y),
                               rtol=EPS[np.float64])
    assert np.isinf(naive(hypot_naive, x, y)[0]) and naive(hypot_naive, x, y)[1] == 0


def test_hypot_keeps_numpys_nan_and_infinities():
    """The rewritten sqrt(x*x + y*y) is NaN wherever NumPy's expression is (an infinity beside
    a NaN: IEEE's hypot gives inf there), inf where an operand is, and 0 at (0, 0); huge and
    tiny operands keep hypot's answer where the expression overflows or underflows."""
    inf, nan = np.inf, np.nan
    x = np.array([inf, -inf, nan, nan, nan, 0.0, -0.0, inf, -inf, 3.0, 1e300, 1e-300, 1e200])
    y = np.array([nan, nan, inf, -inf, nan, 0.0, 0.0, 5.0, -inf, nan, 1e300, 1e-300, -1e-200])
    with np.errstate(all="ignore"):
        want = hypot_naive(x, y)
    special = ~np.isfinite(x) | ~np.isfinite(y) | (x == 0)
    for backend in ("numpy", "llvm"):
        got = stable(hypot_naive, x, y, ops=["hypot"], backend=backend)
        np.testing.assert_array_equal(got[special], want[special])
        np.testing.assert_allclose(got[~special], reference(
            lambda u, v: mp.sqrt(u * u + v * v), x[~special], y[~special]), rtol=EPS[np.float64])


@SETTINGS
@given(floats(-1e150, 1e150, special=False), floats(-1e150, 1e150, shape=st.just((1,))))
def test_hypot_matches_numpy(x, y):
    close_to_numpy(stable(hypot_naive, x, y), naive(hypot_naive, x, y), np.float64)


# ----------------------------------------------------------------------------- reassociate

def test_float_matrix_chain_reassociates_only_with_stabilize_on():
    rng = np.random.default_rng(1)
    a, b, v = rng.standard_normal((60, 40)), rng.standard_normal((40, 50)), rng.standard_normal(50)
    f = lambda a, b, v: (a @ b) @ v  # noqa: E731
    on = tracenp.jit(f, backend="numpy")
    assert "(A @ B) @ v -> A @ (B @ v)  when cheaper (floats: rounding changes)" in [
        fired.rule for fired in on.compiled(a, b, v).report["rewrites"]]
    bound = 40 * EPS[np.float64] * (np.abs(a) @ np.abs(b) @ np.abs(v))  # k eps |A||B||v|
    assert np.all(np.abs(on(a, b, v) - f(a, b, v)) <= bound)
    off = tracenp.jit(f, stabilize=False, backend="numpy")
    np.testing.assert_array_equal(off(a, b, v), f(a, b, v))


# ----------------------------------------------------------------------------- switch

def test_stabilize_off_keeps_numpy_bits():
    x = np.array([1e-30, 1e3, -1e3])
    jf = tracenp.jit(softplus_naive, stabilize=False, backend="numpy")
    assert " logaddexp " not in str(jf.graph(x))
    with np.errstate(over="ignore"):  # NumPy's exp(1e3) overflows, and so does this
        np.testing.assert_array_equal(jf(x), naive(softplus_naive, x))
    assert not [f for f in jf.compiled(x).report["rewrites"] if f.rule_set == "stabilize"]


@pytest.mark.parametrize("f,x", [
    (log1p_naive, [1e-30, 0.5]), (expm1_naive, [1e-30, 3.0]), (softplus_naive, [1e3, -1e3, 0.0]),
    (sigmoid_naive, [1e3, -1e3, -720.0, 0.0]), (log_sigmoid_naive, [1e3, -1e3]),
    (log1mexp_naive, [-1e-20, -1.0, -1e3]), (lse_naive, [[1e3, 999.0], [-1e3, -1e3]]),
    (softmax_naive, [[1e3, 999.0], [-1e3, -1e3]]), (log_softmax_naive, [[1e3, 999.0]]),
], ids=lambda v: getattr(v, "__name__", ""))
def test_stable_forms_on_the_llvm_backend(f, x):
    x = np.array(x)
    np.testing.assert_allclose(stable(f, x, backend="llvm"), stable(f, x), rtol=4 * EPS[np.float64])


def test_gradients_are_built_from_the_stabilized_forward():
    """grad(f) differentiates the stable form, so a naive softplus or logsumexp has a finite
    gradient where NumPy's spelling overflows; stabilize=False keeps the naive one."""
    softplus = lambda x: np.sum(np.log(1 + np.exp(x)))  # noqa: E731
    lse = lambda x: np.log(np.sum(np.exp(x)))  # noqa: E731
    x = np.array([-1000.0, 0.0, 3.0, 1000.0])
    sig = np.array([0.0, 0.5, 1 / (1 + np.exp(-3.0)), 1.0])
    np.testing.assert_allclose(tracenp.jit(tracenp.grad(softplus))(x), sig, rtol=1e-15)
    np.testing.assert_allclose(tracenp.grad(softplus)(x), sig, rtol=1e-15)
    value, g = tracenp.jit(tracenp.value_and_grad(lse))(x)
    assert value == 1000.0
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.0, 1.0])
    with np.errstate(all="ignore"):
        naive = tracenp.jit(tracenp.grad(softplus), stabilize=False)(x)
    assert np.isnan(naive[-1])
