"""`np.ma` of traced values against NumPy's own `np.ma`: constructors, reductions (whole and
along an axis, with the masks NumPy gives them), arithmetic with its mask and data rules,
`filled`, `compressed`, ufuncs and np.ma's functions with their domains, fill values and the
data they leave under the mask, a masked array returned and masked arrays passed in; NumPy's
`np.ma.masked` results raise `DataDependentShapeError` (NumPy's value under `fallback=True`),
and the rest is refused by name."""

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
    "median_axis1": (lambda a: np.ma.median(np.ma.masked_invalid(a), axis=1), A),
    "median_of_a_row_keepdims": (lambda a: (np.ma.median(np.ma.masked_invalid(a[0])),
                                            np.ma.median(np.ma.masked_invalid(a), axis=0,
                                                         keepdims=True)), A),
    "median_ints": (lambda x: np.ma.median(np.ma.masked_less(x, 0), axis=0), INTS),
    "average_axis1": (lambda a: np.ma.average(np.ma.masked_invalid(a), axis=1), A),
    "average_weighted": (lambda a: np.ma.average(np.ma.masked_invalid(a), axis=1,
                                                 weights=np.arange(1.0, a.shape[1] + 1)), A),
    "average_weighted_returned": (lambda a: np.ma.average(
        np.ma.masked_invalid(a[0]), weights=np.arange(a.shape[1]) % 3, returned=True), A),
    "fix_invalid": (lambda a: (np.ma.fix_invalid(a, fill_value=-9999.0),
                               np.ma.fix_invalid(a).filled()), A),
    "mask_or": (lambda a: np.ma.masked_array(a, mask=np.ma.mask_or(
        np.isnan(a), a > 1.0)).sum(axis=0), A),
    "ma_where": (lambda a: (np.ma.where(np.nan_to_num(a) > 0, a, 0.0),
                            np.ma.where(a > 0.5, np.ma.masked_invalid(a), -a),
                            np.ma.where(np.ma.masked_invalid(a) > 0, 1.0, 0.0)), A),
    "min_max_fill_value_and_empty_slices": (lambda a: (
        np.ma.masked_invalid(a).min(fill_value=0.0),
        np.ma.masked_greater(a, -0.5).max(axis=0, fill_value=10.0),
        np.ma.masked_greater(a, -0.5).min(axis=1),
        np.ma.masked_where((a > 0) | (np.arange(6)[:, None] == 2), a).max(axis=1),
        np.ma.masked_where(np.broadcast_to(np.arange(5) == 3, a.shape),
                           np.nan_to_num(a).astype(int)).min(axis=0)), A),
    "astype_copy": (lambda a: (np.ma.masked_invalid(a).astype(np.float32).max(axis=1),
                               np.ma.masked_invalid(a).copy().astype(int).sum(axis=0)), A),
    "np_where_reads_the_data": (lambda a: (
        np.where(np.isnan(a), np.ma.masked_invalid(a).mean(axis=0), a),
        np.where(np.ma.masked_invalid(a) > 0.5, 1.0, a)), A),
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
    "argmin_argmax": (lambda a: (np.ma.masked_invalid(a).argmin(), np.ma.masked_invalid(a)
                                 .argmax(axis=1), np.argmin(np.ma.masked_greater(a, 1.0),
                                                            axis=0)), A),
    "selection_reduced": (lambda a: _selection_reductions(np.ma.masked_invalid(a)[a < 1.0]),
                          A),
    "selection_of_ints_reduced": (lambda a: _selection_reductions(
        np.ma.masked_equal(a, 3)[a % 2 == 1]), INTS),
}


def _selection_reductions(s):
    """`m[x > 0]` reduced: np.ma's reductions of the selected elements that are unmasked."""
    return (s.sum(), s.mean(), s.count(), s.min(), s.max(), s.std(), s.var(ddof=1),
            np.ma.mean(s), np.mean(s), np.ma.average(s), s.filled(0).sum())


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
    lambda m: np.add.reduce(m),
    lambda m: np.modf(m),
    lambda m: m ** 2,
    lambda m: m.cumsum(),
    lambda m: np.median(m),
    lambda m: m.__setitem__(0, 1.0),
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


M = np.ma.array(RNG.uniform(-2, 3, (4, 6)), mask=RNG.random((4, 6)) < 0.3, fill_value=-7.0)
M[0, :2] = [0.0, 1e300]

UFUNCS = {
    "sqrt": lambda m: np.sqrt(m),
    "log": lambda m: np.log(m),
    "log10_of_a_plain_array": lambda m: np.log10(m.data),
    "exp": lambda m: np.exp(m),
    "arccos": lambda m: np.arccos(m),
    "tan": lambda m: np.tan(m),
    "absolute": lambda m: np.abs(m),
    "maximum": lambda m: np.maximum(m, 1.0),
    "power": lambda m: np.power(m, 2),
    "arctan2_of_two": lambda m: np.arctan2(m, m.T.reshape(4, 6)),
    "isnan": lambda m: np.isnan(m),
    "np_divide": lambda m: np.divide(m, m - 1.0),
    "np_less": lambda m: np.less(m, 1.0),
    "ma_sqrt": lambda m: np.ma.sqrt(m),
    "ma_log": lambda m: np.ma.log(m),
    "ma_log_of_a_plain_array": lambda m: np.ma.log(m.data),
    "ma_log10": lambda m: np.ma.log10(m),
    "ma_exp_overflowing": lambda m: np.ma.exp(m * 400.0),
    "ma_arctanh": lambda m: np.ma.arctanh(m),
    "ma_around": lambda m: np.ma.around(m, 1),
    "ma_add": lambda m: np.ma.add(m, 2.0),
    "ma_divide": lambda m: np.ma.divide(m, m - 1.0),
    "ma_less": lambda m: np.ma.less(m, 1.0),
    "ma_logical_not": lambda m: np.ma.logical_not(m),
    "times_keeps_the_fill": lambda m: m * 3,
    "division_signed_zeros": lambda m: (-m) / (m - 4.0),
    "compared": lambda m: (m < 1.0, m == 0.0),
    "log_mean": lambda m: np.ma.log(m).mean(axis=0),
    "sqrt_filled": lambda m: np.sqrt(m).filled(),
}


def _same_under_the_mask(got, want):
    """`_same`, and the data under the mask, the fill value and the signs of zeros too."""
    _same(got, want)
    if isinstance(want, tuple):
        for g, w in zip(got, want):
            _same_under_the_mask(g, w)
        return
    np.testing.assert_allclose(np.ma.getdata(got), np.ma.getdata(want), rtol=1e-13,
                               equal_nan=True)
    zero = np.ma.getdata(want) == 0
    assert np.array_equal(np.signbit(np.ma.getdata(got))[zero],
                          np.signbit(np.ma.getdata(want))[zero])
    if isinstance(want, np.ma.MaskedArray) and want.dtype.kind != "b":  # NumPy's bool
        assert got.fill_value == want.fill_value  # result keeps a float fill value


@pytest.mark.parametrize("name", list(UFUNCS))
def test_ufuncs_and_np_ma_functions_match_numpy(name):
    """The masked array is an argument here (traced as its data and its mask)."""
    fn = UFUNCS[name]
    f = tracenp.jit(fn)
    for m in (M, M[::-1] * 0.5):
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            want = fn(m.copy())
        _same_under_the_mask(f(m), want)


def masked_column_stats(m, k):
    """What a function given a masked array does: np.ma's reductions and arithmetic."""
    z = (m - m.mean(axis=0)) / m.std(axis=0)
    return z.filled(0.0), m.count(axis=0), (m * k).sum(), np.ma.getmaskarray(m).mean()


ARGUMENTS = {
    "column_stats": (masked_column_stats, (M, 2.0)),
    "returned_as_given": (lambda m: m, (M,)),
    "no_mask": (lambda m: (m.mean(axis=1), m + 1), (np.ma.array(A[2:4]),)),
    "ints_with_a_fill": (lambda m: (m.filled(), m.max(axis=0)),
                         (np.ma.array(INTS, mask=INTS < 0, fill_value=99),)),
    "two_masked_arguments": (lambda a, b: (a * b).sum(axis=1),
                             (M, np.ma.masked_greater(M.data, 1.5))),
    "in_a_dict": (lambda d: d["x"].mean() + d["w"].sum(), ({"x": M, "w": A[0]},)),
    "indexed": (lambda m: (m[1], m[:, 2:4], m[::2].sum(axis=0), m[[0, 2]]), (M,)),
    "an_unmasked_element": (lambda m: m[1, 1] * 2.0, (np.ma.array(A, mask=A > 1.5),)),
}


@pytest.mark.parametrize("name", list(ARGUMENTS))
def test_masked_array_arguments_match_numpy(name):
    fn, args = ARGUMENTS[name]
    f = tracenp.jit(fn)
    flipped = tuple(a[::-1].copy() if isinstance(a, np.ma.MaskedArray) else a for a in args)
    for call in (args, flipped):  # a new mask of the same shape: the compiled code again
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = fn(*call)
        _same_under_the_mask(f(*call), want)


def test_a_masked_element_raises_or_falls_back():
    m = np.ma.array([1.0, 2.0, 3.0], mask=[False, True, False])
    f = tracenp.jit(lambda v, i: v[i] * 2.0, static_argnums=1)
    assert f(m, 0) == 2.0
    with pytest.raises(DataDependentShapeError, match="np.ma.masked"):
        f(m, 1)
    g = tracenp.jit(lambda v, i: v[i], static_argnums=1, fallback=True)
    with pytest.warns(tracenp.TracingFallbackWarning):
        assert g(m, 1) is np.ma.masked


def test_the_gradient_through_a_domain_is_zero_where_masked():
    """Outside np.ma.log's and np.sqrt's domains, and where the input is masked, the gradient
    is 0, not NaN: those elements are computed at a point inside the domain."""
    x = np.array([2.0, -1.0, 0.0, 4.0, 9.0])
    mask = np.array([False, False, False, False, True])

    def loss(v):
        m = np.ma.array(v, mask=mask)
        return np.ma.log(m).sum() + np.sqrt(m - 0.5).filled(0.0).sum()

    value, grad = tracenp.jit(tracenp.value_and_grad(loss))(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.testing.assert_allclose(value, loss(x), rtol=1e-12)
    np.testing.assert_allclose(grad, [0.5 + 0.5 / np.sqrt(1.5), 0, 0, 0.25 + 0.5 / np.sqrt(3.5),
                                      0], rtol=1e-12)


def _table_of_masked_statistics(dem):
    d = np.ma.masked_equal(dem, -9999.0)
    return (np.ma.array([d.mean(), d.max(), d.min()]).filled(np.nan),
            np.ma.array((dem.sum(), 1.0), mask=[False, True]).filled(0.0))


def test_np_ma_array_of_a_list_of_traced_values():
    """`np.ma.array([d.mean(), d.max()])`: the items stacked, their masks kept."""
    r = np.random.default_rng(6)
    for _ in range(2):
        dem = np.where(r.random((4, 5)) < 0.2, -9999.0, r.random((4, 5)))
        got = tracenp.jit(_table_of_masked_statistics)(dem)
        for g, w in zip(got, _table_of_masked_statistics(dem)):
            np.testing.assert_allclose(g, w, rtol=1e-13)


def test_a_masked_selection_outside_its_reductions_is_refused_by_name():
    """`m[x > 0]` of a masked array is reduced where it is made; arithmetic on it (a
    selection of unknown length) and an all-masked selection's mean (np.ma.masked) raise."""
    f = tracenp.jit(lambda a: (np.ma.masked_invalid(a)[a < 1.0] * 2).mean())
    with pytest.raises(DataDependentShapeError, match=r"x\[mask\]"):
        f(A)
    g = tracenp.jit(lambda a: np.ma.masked_less(a, 0.0)[a < 0.0].mean())
    with pytest.raises(DataDependentShapeError, match="np.ma.masked"):
        g(np.array([1.0, -2.0, 3.0]))
