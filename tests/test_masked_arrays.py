"""`np.ma` of traced values against NumPy's own `np.ma`: constructors, reductions (whole and
along an axis, with the masks NumPy gives them), arithmetic with its mask and data rules,
`filled`, `compressed`, a masked array returned; NumPy's `np.ma.masked` results raise
`DataDependentShapeError` (NumPy's value under `fallback=True`), and the rest is refused by
name."""

import warnings

import numpy as np
import pytest

import test_corpus_features as features
import test_corpus_hunt_ac as hunt_ac
import test_corpus_hunt_al as hunt_al
import test_corpus_hunt_am as hunt_am
import test_corpus_hunt_c as hunt_c
import test_corpus_hunt_h as hunt_h
import test_corpus_hunt_u as hunt_u
import tracenp
from test_corpus import _f, _i
from tracenp.errors import DataDependentShapeError, UnsupportedFunctionError

RNG = np.random.default_rng(0)
A = RNG.standard_normal((6, 5))
A[1, 2], A[4, 0] = np.nan, np.inf
INTS = RNG.integers(-3, 10, (6, 5))
H = A.astype(np.float16)


def anomalies(a):
    m = np.ma.masked_invalid(a)
    return (m - m.mean(axis=0)).filled(0.0)


CASES = {
    "invalid_mean": (lambda a: np.ma.masked_invalid(a).mean(), A),
    "invalid_mean_axis0": (lambda a: np.ma.masked_invalid(a).mean(axis=0), A),
    "where_sum_axis1": (lambda a: np.ma.masked_where(a < 0, a).sum(axis=1), A),
    "less_std": (lambda a: np.ma.masked_less(np.nan_to_num(a, posinf=5.0), -0.5).std(), A),
    "var_ddof_axis1": (lambda a: np.ma.masked_invalid(a).var(axis=1, ddof=1), A),
    "std_axis0_unmasked_nan": (lambda a: np.ma.masked_greater(a, 1.0).std(axis=0), A),
    "min_and_max_axis0": (lambda a: (np.ma.masked_invalid(a).min(),
                                     np.ma.masked_invalid(a).max(axis=0)), A),
    "filled_zero": (lambda a: np.ma.masked_invalid(a).filled(0.0), A),
    "filled_default": (lambda a: np.ma.masked_invalid(a).filled(), A),
    "count": (lambda a: (np.ma.masked_invalid(a).count(),
                         np.ma.masked_invalid(a).count(axis=0)), A),
    "scaled_and_shifted": (lambda a: (np.ma.masked_invalid(a) * 2 + 1).filled(-1.0), A),
    "reflected": (lambda a: (1.0 - np.ma.masked_invalid(a)) * 3.0, A),
    "divided_by_a_row": (lambda a: (np.ma.masked_invalid(a) / a[0]).sum(axis=0), A),
    "divided_into": (lambda a: 2.0 / np.ma.masked_outside(a, -1.0, 1.0), A),
    "np_mean_of_one": (lambda a: np.mean(np.ma.masked_invalid(a)), A),
    "ints_mean_axis1": (lambda x: np.ma.masked_less(x, 0).mean(axis=1), INTS),
    "ints_sum": (lambda x: np.ma.masked_equal(x, 0).sum(), INTS),
    "ints_min_max": (lambda x: (np.ma.masked_less(x, 0).min(axis=0),
                                np.ma.masked_greater(x, 5).max()), INTS),
    "float16_mean": (lambda h: np.ma.masked_invalid(h).mean(axis=0), H),
    "returned": (lambda a: np.ma.masked_invalid(a), A),
    "masked_array_mask": (lambda a: np.ma.masked_array(a, mask=a > 1).mean(axis=0), A),
    "compressed_sum": (lambda a: np.ma.masked_invalid(a).compressed().sum(), A),
    "module_functions": (lambda a: (np.ma.mean(np.ma.masked_invalid(a), axis=1),
                                    np.ma.sum(np.ma.masked_invalid(a)),
                                    np.ma.filled(np.ma.masked_invalid(a), 9.0)), A),
    "mask_counted": (lambda a: np.ma.getmaskarray(np.ma.masked_invalid(a)).sum(), A),
    "inside": (lambda a: np.ma.masked_inside(a, -0.2, 0.2).mean(), A),
    "values": (lambda a: np.ma.masked_values(np.round(a, 1), 0.1).count(axis=1), A),
    "anomalies": (anomalies, A),
    "masked_twice": (lambda a: np.ma.masked_less(np.ma.masked_invalid(a), 0.0).sum(), A),
    "compared": (lambda a: ((np.ma.masked_invalid(a) > 0).sum(axis=0),
                            (a[0] >= np.ma.masked_less(a, 0.0)).filled(False),
                            np.ma.masked_invalid(a) == np.ma.masked_greater(a, 1.0)), A),
    "reshaped": (lambda a: np.ma.masked_invalid(a).reshape(3, 10).T.min(axis=1), A),
    "ufunc_of_an_array_and_one": (lambda a: np.add(a, np.ma.masked_invalid(a)).max(), A),
}


def _same(got, want):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w)
        return
    if isinstance(want, np.ma.MaskedArray):
        assert isinstance(got, np.ma.MaskedArray), type(got)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(np.ma.getmaskarray(got), np.ma.getmaskarray(want))
        np.testing.assert_allclose(got.filled(0), want.filled(0), rtol=1e-3 if
                                   want.dtype == np.float16 else 1e-12)
        return
    assert type(got) is type(want), (type(got), type(want))
    assert np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("name", list(CASES))
def test_np_ma_matches_numpy(name):
    fn, a = CASES[name]
    f = tracenp.jit(fn)
    for x in (a, a[::-1] * 0.5):  # a second call: the cached path, new values
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = fn(x.copy())
        _same(f(x), want)


def test_a_whole_reduction_numpy_makes_np_ma_masked_raises_or_falls_back():
    def mean_of_positive(a):
        return np.ma.masked_less_equal(a, 0.0).mean()

    f = tracenp.jit(mean_of_positive)
    assert f(np.array([1.0, -2.0, 3.0])) == 2.0
    with pytest.raises(DataDependentShapeError, match="np.ma.masked"):
        f(np.array([-1.0, -2.0, -3.0]))
    g = tracenp.jit(mean_of_positive, fallback=True)
    with pytest.warns(tracenp.TracingFallbackWarning):
        assert g(np.array([-1.0, -2.0, -3.0])) is np.ma.masked


@pytest.mark.parametrize("use", [
    lambda m: m[0],
    lambda m: np.log(m),
    lambda m: m ** 2,
    lambda m: m.cumsum(),
    lambda m: np.median(m),
])
def test_what_is_not_implemented_is_refused_by_name(use):
    with pytest.raises(UnsupportedFunctionError, match="np.ma|masked"):
        tracenp.jit(lambda a: use(np.ma.masked_invalid(a)))(A)


def test_outside_a_trace_np_ma_is_numpys():
    m = np.ma.masked_invalid(A)
    assert type(m) is np.ma.MaskedArray
    tracenp.jit(lambda a: np.ma.masked_invalid(a).sum())(A)
    assert type(np.ma.masked_invalid(A)) is np.ma.MaskedArray


def test_what_numpy_leaves_under_the_mask_of_a_mean_and_a_var_is_kept():
    """np.ma's division keeps the dividend where it masks (a column holding a NaN), and its
    `var` along an axis unmasks that column again, with a variance of 0."""
    def stats(a):
        m = np.ma.masked_greater(a, 1.0)
        return m.mean(axis=0), m.var(axis=0), m.std(axis=0, ddof=1)

    got, want = tracenp.jit(stats)(A), stats(A)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(np.ma.getmaskarray(g), np.ma.getmaskarray(w))
        np.testing.assert_allclose(g.data, w.data, rtol=1e-12, equal_nan=True)


# np.ma in the corpus, refused until this was written: (function, make_args(seed, size))
CORPUS = {
    "masked_mean_ignoring_negative": (features.masked_mean_ignoring_negative,
                                      lambda s, n: (_f(n, 3, seed=s),)),
    "masked_invalid_fill_value": (features.masked_invalid_fill_value,
                                  lambda s, n: (_f(n, seed=s),)),
    "sklearn_coverage_error": (hunt_ac.coverage_error_masked,
                               lambda s, n: (hunt_ac._multilabel(s, n), _f(n, 4, seed=s))),
    "metpy_wind_chill": (hunt_al.wind_chill_masked,
                         lambda s, n: (hunt_al._range(s, -30, 15, n),
                                       hunt_al._range(s, 0, 60, n))),
    "allele_frequencies": (hunt_am.allele_freq_masked_array,
                           lambda s, n: (hunt_am._gt(s, n, 10),)),
    "opencv_histogram_equalization": (hunt_c.hist_equalize,
                                      lambda s, n: (hunt_c._img(s, n, 7)[..., 0],)),
    "tutorial_histogram_equalization": (hunt_u.equalize_hist_ma, lambda s, n: (
        (_i(120, n, 6, seed=s) + 40).astype(np.uint8),)),
    "masked_mean": (hunt_h.masked_mean, lambda s, n: (_f(n, seed=s),)),
    "masked_invalid_fill": (hunt_h.masked_invalid_fill, lambda s, n: (_f(n, seed=s),)),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_np_ma_code_from_the_corpus_matches_numpy(name):
    fn, make = CORPUS[name]
    f = tracenp.jit(fn)
    for seed, size in ((1, 5), (2, 5), (3, 8)):
        args = make(seed, size)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = fn(*[np.copy(a) for a in args])
        _same(f(*args), want)


def test_the_gradient_of_a_masked_loss_ignores_the_masked_elements():
    """Masked targets (NaN) leave no NaN in the gradient: a masked result is computed from
    ones, not from the NaN, so the cotangent there is 0, not 0 times NaN."""
    X = RNG.standard_normal((20, 3))
    y = RNG.standard_normal(20)
    y[[3, 11]] = np.nan

    def loss(w):
        r = np.ma.masked_invalid(X @ w - y)
        return (r * r).mean() + (r / 2.0).sum() * 0.1

    w = RNG.standard_normal(3)
    value, grad = tracenp.jit(tracenp.value_and_grad(loss))(w)
    ok = ~np.isnan(y)
    r = X[ok] @ w - y[ok]
    np.testing.assert_allclose(value, loss(w), rtol=1e-12)
    np.testing.assert_allclose(grad, 2 * X[ok].T @ r / ok.sum() + 0.05 * X[ok].sum(0),
                               rtol=1e-10)
