"""Errors a user can hit under jit: TracingError subclasses that name the function, the file
and line, the expression, and say what to do; NumPy's own errors for wrong arguments."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tracenp
from tracenp.errors import (ConcretizationError, DataDependentShapeError, RandomInTraceError,
                            TracingError, UnsupportedFunctionError)

X = np.arange(12.0).reshape(3, 4) - 5


def branchy(x):
    if x.sum() > 0:  # the offending line
        return x
    return -x


def to_float(x):
    return x if float(x.sum()) > 0 else -x  # the offending line (a Python branch after it)


def to_int(x):
    return sum(x[i] for i in range(int(x[0, 0])))  # the offending line (a range after it)


def mask_read(x):
    return np.sort(x[x > 0])  # the offending line


def nonzero(x):
    return np.nonzero(x)  # the offending line


def unique(x):
    return np.unique(x)  # the offending line


def where_one_arg(x):
    return np.where(x > 0)  # the offending line


def random_inside(x):
    return x + np.random.default_rng().normal(size=x.shape)  # the offending line


def unsupported(x):
    return np.is_busday(x.astype("datetime64[D]"))  # the offending line


def arange_of_traced(x):
    return np.arange(x.max())  # the offending line


def object_array_operand(x):
    return x[0, 0] + np.array(np.polynomial.Polynomial([1.0, 2.0]))  # the offending line


CASES = [
    (branchy, ConcretizationError, "truth value", "np.where"),
    (to_float, ConcretizationError, "float()", "static_argnums"),
    (to_int, ConcretizationError, "int()", "fallback=True"),
    (mask_read, DataDependentShapeError, "x[mask]", "np.where(mask, x, fill)"),
    (nonzero, DataDependentShapeError, "np.nonzero", "np.where(mask, x, fill)"),
    (unique, DataDependentShapeError, "np.unique", "np.sort"),
    (where_one_arg, DataDependentShapeError, "one argument", "three-argument form"),
    (random_inside, RandomInTraceError, "np.random.default_rng()", "pass them in as an argument"),
    (unsupported, UnsupportedFunctionError, "numpy.is_busday", "fallback=True"),
    (arange_of_traced, DataDependentShapeError, "np.arange", "static_argnames"),
    (object_array_operand, UnsupportedFunctionError, "dtype=object", "fallback=True"),
]


@pytest.mark.parametrize("fn,kind,what,advice", CASES, ids=[c[0].__name__ for c in CASES])
def test_error_names_function_file_line_and_advice(fn, kind, what, advice):
    with pytest.raises(kind) as info:
        tracenp.jit(fn)(X)
    msg = str(info.value)
    assert isinstance(info.value, TracingError)
    assert what in msg and advice in msg
    assert f"while tracing {fn.__name__!r}" in msg
    assert f"{__file__}:" in msg and "# the offending line" in msg
    assert f"in {fn.__name__}," in msg


def test_concretization_errors_are_type_errors_too():
    """Code that catches TypeError around float(x) keeps working."""
    with pytest.raises(TypeError):
        tracenp.jit(to_float)(X)


@pytest.mark.parametrize("fn", [branchy, mask_read, unique, random_inside, unsupported])
def test_fallback_runs_numpy_with_one_warning(fn):
    jf = tracenp.jit(fn, fallback=True)
    with pytest.warns(tracenp.TracingFallbackWarning) as rec:
        got = jf(X) if fn is not random_inside else jf(X).shape
    assert len(rec) == 1 and fn.__name__ in str(rec[0].message)
    if fn is not random_inside:
        want = fn(X)
        np.testing.assert_allclose(np.asarray(got, dtype=complex), np.asarray(want, dtype=complex))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jf(X + 1)  # same signature: no second warning


def test_wrong_arguments_get_pythons_and_numpys_errors():
    with pytest.raises(ValueError, match="broadcast"):
        tracenp.jit(lambda a, b: a * b)(X, np.ones(5))
    with pytest.raises(ValueError):
        tracenp.jit(lambda a: a @ a)(X)
    with pytest.raises(TypeError):
        tracenp.jit(lambda a, b: a)(X)
    with pytest.raises(TypeError, match="jit arguments"):
        tracenp.jit(lambda a: a)(object())
    scaled = tracenp.jit(lambda a, mode: a * 2 if mode == "double" else a)
    np.testing.assert_array_equal(scaled(X, "double"), X * 2)  # a string keys the cache
    np.testing.assert_array_equal(scaled(X, "same"), X)
    with pytest.raises(np.exceptions.AxisError):
        tracenp.jit(lambda a: a.sum(axis=2))(X)
    with pytest.raises(IndexError):
        tracenp.jit(lambda a: a[3])(X)
    with pytest.raises(TypeError):
        tracenp.jit(lambda a: np.bitwise_and(a, 1))(X)


def test_supported_alternatives_work():
    """The alternatives the messages suggest give NumPy's answers."""
    def f(x):
        m = x > 0
        return np.where(m, x, 0), np.sum(x, where=m), np.mean(x, where=m), np.sort(x, axis=None)

    want = f(X)
    got = tracenp.jit(f)(X)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w)
    y, jy = X.copy(), X.copy()

    def assign(v):
        v[v < 0] = 0
        return v

    np.testing.assert_array_equal(tracenp.jit(assign)(jy), assign(y))
    np.testing.assert_array_equal(jy, y)


def noise_from_entropy(x):
    return x + np.random.default_rng().normal(size=x.shape)


OUTSIDE = np.random.default_rng(5)


def noise_from_outside(x):
    return x + OUTSIDE.normal(size=x.shape)


def noise_from_seed(x):
    rng = np.random.default_rng([7, 8])
    return x + rng.normal(size=x.shape) + rng.integers(0, 9, size=len(x))


class _Holder:
    rng = np.random.default_rng(6)


def noise_from_attribute(x):
    return x + _Holder.rng.normal(size=x.shape)


def test_draws_from_generators_tracenp_cannot_follow_are_refused():
    """Entropy drawn inside, and a generator reached through an attribute, would be frozen;
    a global generator draws at each call (tests/test_random_draws.py)."""
    x = np.arange(4.0)
    with pytest.raises(RandomInTraceError, match="default_rng"):
        tracenp.jit(noise_from_entropy)(x)
    with pytest.raises(RandomInTraceError, match="not a global or closure variable"):
        tracenp.jit(noise_from_attribute)(x)
    state = OUTSIDE.bit_generator.state
    want = noise_from_outside(x)
    OUTSIDE.bit_generator.state = state
    np.testing.assert_array_equal(tracenp.jit(noise_from_outside)(x), want)
    f = tracenp.jit(noise_from_seed)
    for _ in range(2):  # the same draws on every call, as in NumPy
        np.testing.assert_array_equal(f(x), noise_from_seed(x))
    assert np.zeros(2).__class__ is np.ndarray  # the redirection ended with the trace


@pytest.mark.parametrize("fn", [lambda x: bool(x > 0), lambda x: 1 if x[:0] else 0,
                                lambda x: x[0] > 0 and x[1] > 0])
def test_truth_value_of_arrays_not_of_one_element_is_numpys_value_error(fn):
    """NumPy's ValueError depends on the shape alone (`if mask:` of a whole mask); it was a
    ConcretizationError, which `fallback=True` took for a refusal and ran NumPy to raise."""
    with pytest.raises(ValueError) as want:
        fn(X)
    with pytest.raises(ValueError, match=str(want.value)[:30]) as got:
        tracenp.jit(fn)(X)
    assert not isinstance(got.value, TracingError)


@pytest.mark.parametrize("fn", [
    lambda x: f"loss {x.sum():.4f}", lambda x: "{:.2e}".format(x.max()),
    lambda x: {x.sum(): 1}, lambda x: hash(x[0, 0]), lambda x: __import__("pickle").dumps(x),
    lambda x: "loss %d" % x.sum(), lambda x: "%x" % x.argmax(),
    lambda x: np.histogram(x, bins=(x > 0).sum() + 1)[0].sum(),
], ids=["fstring_spec", "format_method", "dict_key", "hash", "pickle", "percent_d",
        "percent_x", "histogram_traced_bins"])
def test_formatting_hashing_and_pickling_traced_values_are_named_refusals(fn):
    """A log line `f"loss {loss:.4f}"` raised a plain TypeError, which `fallback=True` does
    not catch: now a named error, and the fallback runs NumPy."""
    with pytest.raises(TracingError):
        tracenp.jit(fn)(X)
    with pytest.warns(tracenp.TracingFallbackWarning):
        assert tracenp.jit(fn, fallback=True)(X) == fn(X)


def test_the_text_of_a_python_scalar_argument_is_its_value():
    """`str(k)`, `f"x{k}"` and `"%s" % k` of Python scalar arguments (a dict key, a label
    looked up in a list) gave the tracer's text, and a dict lookup its default silently: jit
    now makes those arguments static. A value computed from arrays keeps its repr."""
    names = {"1": "one", "2": "two", "0.5": "half"}

    def f(x, k, r):
        label = names.get(str(k), "none") + names.get(f"{r}", "none") + "%s" % k
        return x * len(label) + ["x1", "x2"].index(f"x{k}"), label

    jf = tracenp.jit(f)
    for k, r in ((1, 0.5), (2, 0.5), (2, 0.25)):
        got, want = jf(X, k, r), f(X, k, r)
        np.testing.assert_array_equal(got[0], want[0])
        assert got[1] == want[1]
    with pytest.warns(tracenp.TracingFallbackWarning):  # a returned string of array values
        assert tracenp.jit(lambda x: str(x.sum()) + "!", fallback=True)(X) == str(X.sum()) + "!"


def test_unhashable_and_unformattable_arrays_are_numpys_type_errors():
    for fn in (lambda x: hash(x), lambda x: f"{x:.2f}"):
        with pytest.raises(TypeError) as want:
            fn(X)
        with pytest.raises(TypeError, match=str(want.value)[:20]):
            tracenp.jit(fn)(X)


def test_pythons_own_type_error_about_a_tracer_names_the_users_line():
    """CPython turns the error `int(x)` raises inside `"%d" % x` into its own TypeError;
    it comes back as the named error (still a TypeError), pointing at the user's line."""
    def log_line(x):
        return "step %d" % x.sum()

    with pytest.raises(ConcretizationError, match="log_line") as info:
        tracenp.jit(log_line)(X)
    assert isinstance(info.value, TypeError) and "%d format" in str(info.value)


@pytest.mark.skipif(hasattr(np.ndarray, "ptp"), reason="NumPy 1's arrays have ptp()")
def test_ndarray_methods_numpy_2_removed_are_missing_too():
    with pytest.raises(AttributeError):
        tracenp.jit(lambda x: x.ptp())(X)
    np.testing.assert_array_equal(tracenp.jit(lambda x: np.ptp(x, axis=0))(X), np.ptp(X, axis=0))


def _solve_or_least_squares(A, b):
    try:
        x = np.linalg.solve(A, b)
    except Exception:
        x = np.linalg.lstsq(A, b, rcond=None)[0]
    return x


def _count_or_one(x, n):
    try:
        k = int(n)
    except TypeError:
        k = 1
    return x * k


def test_a_refusal_the_function_catches_itself_still_refuses():
    """`except Exception:` around a call tracenp refuses took the except branch while tracing,
    a path NumPy does not take (it solved, the trace compiled lstsq), and `int(n)` caught as a
    TypeError compiled `k = 1`. A refusal the function swallowed refuses the trace: NumPy's
    value under fallback=True, and a Python scalar it came from is made static."""
    A, b = np.eye(3) * 2 + 0.1, np.arange(3.0)
    with pytest.raises(tracenp.errors.ConcretizationError, match="solve"):
        tracenp.jit(_solve_or_least_squares)(A, b)
    with pytest.warns(tracenp.TracingFallbackWarning):
        got = tracenp.jit(_solve_or_least_squares, fallback=True)(A, b)
    np.testing.assert_array_equal(got, np.linalg.solve(A, b))
    jf = tracenp.jit(_count_or_one)
    for n in (3, 5):
        np.testing.assert_array_equal(jf(np.ones(2), n), np.full(2, float(n)))


def _gauss_rule(n, a, b):
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (b - a) * x + 0.5 * (b + a), 0.5 * (b - a) * w


def test_a_python_int_that_numpy_turns_into_its_own_type_error_is_made_static():
    """`np.polynomial.legendre.leggauss(n)` of a Python int argument: NumPy's `operator.index`
    catches the refusal and raises its own `TypeError` ("deg must be an integer"), which was
    refused by name; `n` steers the function's Python, so it is made static, as `range(n)` is."""
    jf = tracenp.jit(_gauss_rule)
    for n in (3, 5, 3):
        got, want = jf(n, -1.0, 2.0), _gauss_rule(n, -1.0, 2.0)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-12)
    assert jf.cache_info().misses == 2  # one trace per value of n


def test_csr_rows_by_np_repeat_of_traced_counts_name_the_searchsorted_form():
    """`np.repeat(np.arange(n), np.diff(indptr))`: its length is the data's, refused as a
    data-dependent shape with the form whose length is known."""
    def rows(indptr, data):
        return np.repeat(np.arange(len(indptr) - 1), np.diff(indptr)) * data

    with pytest.raises(DataDependentShapeError, match="np.searchsorted"):
        tracenp.jit(rows)(np.array([0, 2, 2, 3]), np.ones(3))
