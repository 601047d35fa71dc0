"""NumPy's errors on values the traced code only knows when it runs (`lax.check`): the
compiled function raises them then, on every backend, and only when NumPy would."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tracenp


def max_above(x, t):
    return x[x > t].max()


def min_above(x, t):
    return np.min(x[x > t])


def int_max_of_rows(x, labels):
    return labels[x > 0].max(axis=0)


def choose(i, a, b):
    return np.choose(i, [a, b])


def ravel(i, j):
    return np.ravel_multi_index((i, j), (3, 4))


@pytest.mark.parametrize("backend", ["llvm", "numpy"])
@pytest.mark.parametrize("fn, ok, empty", [
    (max_above, (np.arange(5.0), 1.5), (np.arange(5.0), 9.0)),
    (min_above, (np.arange(5, dtype=np.int16), 1), (np.arange(5, dtype=np.int16), 7)),
    (max_above, (np.arange(5) > 2, False), (np.zeros(5, bool), False)),
    (int_max_of_rows, (np.array([1.0, -1, 2]), np.arange(6).reshape(3, 2)),
     (np.array([-1.0, -1, -2]), np.arange(6).reshape(3, 2))),
    (choose, (np.array([0, 1, 1]), np.ones(3), np.zeros(3)),
     (np.array([0, 2, 1]), np.ones(3), np.zeros(3))),
    (choose, (np.array([1, 0, 0]), np.ones(3), np.zeros(3)),
     (np.array([0, -1, 1]), np.ones(3), np.zeros(3))),
    (ravel, (np.array([0, 2]), np.array([1, 3])), (np.array([0, 3]), np.array([1, 1]))),
    (ravel, (np.array([0, 2]), np.array([1, 3])), (np.array([0, 1]), np.array([-1, 1]))),
], ids=["float_max", "int16_min", "bool_max", "rows_max", "choose_high", "choose_negative",
        "ravel_high", "ravel_negative"])
def test_raises_numpys_error_when_numpy_does(backend, fn, ok, empty):
    f = tracenp.jit(fn, backend=backend)
    want = fn(*ok)
    got = f(*ok)
    assert np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError) as numpy_error:
        fn(*empty)
    tracenp.wait_compiled()
    with pytest.raises(ValueError, match=str(numpy_error.value)[:25]):
        f(*empty)
    np.testing.assert_array_equal(f(*ok), want)  # the next call is not affected


def test_a_check_is_a_hidden_output_not_a_result():
    jf = tracenp.jit(max_above)
    graph = jf.graph(np.arange(5.0), 1.0)
    assert len(graph.outputs) == 2 and graph.outputs[-1].op.name == "CHECK"
    assert jf(np.arange(5.0), 1.0) == 4.0


def test_checks_of_a_differentiated_function_run_with_its_gradient():
    """`grad` traces the function over fresh inputs, then puts the real ones back: its
    checks must read the real ones too."""
    def loss(x):
        return x[x > 1].max() + x.sum()

    for f in (tracenp.value_and_grad(loss), tracenp.jit(tracenp.value_and_grad(loss))):
        value, g = f(np.arange(5.0))
        assert value == 14.0
        np.testing.assert_array_equal(g, [1.0, 1.0, 1.0, 1.0, 2.0])
        with pytest.raises(ValueError, match="zero-size array"):
            f(np.zeros(5))


def confusion(t, p, k=3):
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)


def test_bincount_with_minlength_traces_and_checks_its_bound():
    """`np.bincount(x, minlength=k)`: k bins as long as every value is below k, which is
    checked when the function runs: a larger value means NumPy's result is longer (the named
    error; under `fallback=True` that call runs in NumPy), a negative one NumPy's error."""
    f = tracenp.jit(confusion)
    t, p = np.array([0, 1, 2, 2, 0]), np.array([0, 2, 2, 1, 0])
    np.testing.assert_array_equal(f(t, p), confusion(t, p))
    assert f(t, p).dtype == confusion(t, p).dtype
    with pytest.raises(tracenp.errors.DataDependentShapeError, match="minlength=9"):
        f(t, p + 1)
    with pytest.raises(ValueError, match="negative"):
        f(t, p - 1)
    lenient = tracenp.jit(confusion, fallback=True)
    with pytest.warns(tracenp.TracingFallbackWarning, match="runs this call in NumPy"):
        with pytest.raises(ValueError, match="cannot reshape"):  # NumPy's, from its longer result
            lenient(t, p + 1)
    np.testing.assert_array_equal(lenient(t, p), confusion(t, p))
    weights = np.array([0.5, 1.5, 2.0, 1.0, 3.0])
    g = tracenp.jit(lambda y, w: np.bincount(y, w, minlength=4))
    np.testing.assert_array_equal(g(p, weights), np.bincount(p, weights, minlength=4))


def _distances_then_exp(X, y):
    d = [math.sqrt(a @ a - y) for a in X]  # a check per iteration, which run as one
    return np.array(d), np.array([math.exp(v) for v in d])


@pytest.mark.parametrize("backend", ["llvm", "numpy"])
def test_a_loops_checks_of_one_error_run_as_one_and_the_first_error_stands(backend):
    f = tracenp.jit(_distances_then_exp, backend=backend)
    X = np.arange(12.0).reshape(6, 2)
    assert len(f.graph(X, -1.0).outputs) == 2 + 2  # the results, a check per error
    got, want = f(X, -1.0), _distances_then_exp(X, -1.0)
    np.testing.assert_allclose(got[0], want[0])
    np.testing.assert_allclose(got[1], want[1])
    late_negative, early_overflow = X.copy(), X.copy()
    late_negative[-1] = 0.0
    early_overflow[0] = 800.0
    with pytest.raises(ValueError, match="math domain error"):
        f(late_negative, 0.5)  # `sqrt` of a negative, in the last iteration
    with pytest.raises(OverflowError, match="math range error"):
        f(early_overflow, -1.0)
    both = early_overflow.copy()
    both[-1] = 0.0
    with pytest.raises(ValueError, match="math domain error"):  # the sqrt loop runs first
        f(both, 0.5)
