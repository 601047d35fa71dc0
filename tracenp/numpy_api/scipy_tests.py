"""`scipy.stats.linregress`, the t-tests and the chi-squared tests of traced values, composed
as SciPy computes them.

SciPy's own code reads `x.device` (array-API helpers), branches on values (`if np.amax(x) ==
np.amin(x): raise`, `if r > 1.0`) and wraps each test in `_axis_nan_policy`, which returns NaN
for every output of a slice that holds a NaN under the default "propagate". Here the same
arithmetic runs with `np.where` for the branches, value checks raise SciPy's errors when the
compiled function runs (`lax.check`), and a slice with a NaN gives NaN outputs. Results are
SciPy's own classes (`LinregressResult`, `TtestResultBase`: statistic, pvalue and df).
"""

from __future__ import annotations

import numpy as np

from .. import errors, lax
from .masked import MaskedSelection
from .scipy_stats import _floating, _nan_policy, check_alternative

_TINY = 1.0e-20  # linregress's guard against r = +-1
_ALTERNATIVES = {"less": -1, "two-sided": 0, "greater": 1}  # TtestResult's numbers


def _pvalue(t, df, alternative: str):
    """`_get_pvalue` of Student's t with `df` degrees of freedom (`_SimpleStudentT`)."""
    from scipy import special

    check_alternative(alternative)
    if alternative == "less":
        return special.stdtr(df, t)
    if alternative == "greater":
        return special.stdtr(df, -t)
    return 2 * special.stdtr(df, -np.abs(t))


def _scalars(values: list) -> list:
    """0-d results as NumPy scalars, as SciPy returns them (`res[()]`)."""
    return [v.with_returns("scalar") if lax.is_tracer(v) and v.ndim == 0 else v for v in values]


def _nan_where(has_nan, values: list) -> list:
    """`_axis_nan_policy`'s "propagate": NaN outputs for a slice holding a NaN."""
    return [np.where(has_nan, np.nan, v) for v in values]


def _policy(nan_policy: str, what: str, *arrays) -> None:
    """SciPy's `nan_policy`: "raise" raises when the function runs; "omit" (counts that
    depend on the data) is refused."""
    if nan_policy == "omit":
        raise errors.unsupported(f"{what} with nan_policy='omit' of traced values (the counts "
                                 "left depend on the data)")
    _nan_policy(nan_policy, *arrays)


def linregress(x, y, alternative="two-sided", *, axis=0, nan_policy="propagate",
               keepdims=False):
    """`scipy.stats.linregress` of 1-d `x` and `y` (or of selections by one mask, `x[m]`,
    `y[m]`: the count traced): the slope and intercept from `np.cov` with `bias=1`, r
    clipped to [-1, 1], its t statistic's p-value and the standard errors."""
    from scipy.stats._stats_py import LinregressResult

    if keepdims or axis not in (0, -1, None):
        raise errors.unsupported("scipy.stats.linregress of traced values with keepdims or "
                                 "an axis other than 0")
    selected = _selections([x, y])
    if selected is not None:
        x, y = selected
        n = np.count_nonzero(x.mask)
        lax.check(n == 0, "ValueError", "Inputs must not be empty.")
    else:
        x, y = (lax.lift(v if lax.is_tracer(v) else np.asarray(v)) for v in (x, y))
        dtype = np.result_type(x.dtype, y.dtype)  # `xp_promote` of the samples
        x, y = lax.cast(x, dtype), lax.cast(y, dtype)
        if x.ndim != 1 or y.ndim != 1:
            raise errors.unsupported("scipy.stats.linregress of traced values other than two "
                                     "1-d arrays")
        if x.size == 0 or y.size == 0:
            raise ValueError("Inputs must not be empty.")
        if x.shape != y.shape:
            raise ValueError("Array shapes are incompatible for broadcasting.")
        n = len(x)
    _policy(nan_policy, "scipy.stats.linregress", x, y)
    if selected is not None or n > 1:
        lax.check((np.amax(x) == np.amin(x)) & (n > 1), "ValueError",
                  "Cannot calculate a linear regression if all x values are identical")
    xmean, ymean = np.mean(x, None), np.mean(y, None)
    c = np.cov(x, y, bias=1)
    ssxm, ssxym, ssym = c[0, 0], c[0, 1], c[1, 1]
    degenerate = (ssxm == 0.0) | (ssym == 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(degenerate, np.where(ssxym == 0, np.nan, 0.0),
                     np.clip(ssxym / np.sqrt(ssxm * ssym), -1.0, 1.0))
        slope = ssxym / ssxm
        intercept = ymean - slope * xmean
        if selected is None and n == 2:
            prob = np.where(y[0] == y[1], 1.0, 0.0)
            slope_stderr = intercept_stderr = np.zeros(())
        else:
            df = n - 2
            t = r * np.sqrt(df / ((1.0 - r + _TINY) * (1.0 + r + _TINY)))
            prob = _pvalue(t, df, alternative)
            slope_stderr = np.sqrt((1 - r ** 2) * ssym / ssxm / df)
            intercept_stderr = slope_stderr * np.sqrt(ssxm + xmean ** 2)
        if selected is not None:  # two points: y[0] == y[1] is ssym == 0 there
            two = n == 2
            prob = np.where(two, np.where(ssym == 0, 1.0, 0.0), prob)
            slope_stderr, intercept_stderr = (np.where(two, 0.0, v)
                                              for v in (slope_stderr, intercept_stderr))
    has_nan = np.any(np.isnan(x)) | np.any(np.isnan(y))
    slope, intercept, r, prob, se, ise = _scalars(_nan_where(
        has_nan, [slope, intercept, r, prob, slope_stderr, intercept_stderr]))
    if selected is None and n == 2:  # SciPy's Python floats
        prob, se, ise = (v.with_returns("python") for v in (prob, se, ise))
    return LinregressResult(slope, intercept, r, prob, se, intercept_stderr=ise)


def _samples(arrays: list, axis):
    """The samples with `axis` last, broadcast against each other in the other dims, as
    `_axis_nan_policy` hands them to the test; the result's shape, and its shape with
    `keepdims`."""
    if axis is None:
        kept = (1,) * max(a.ndim for a in arrays)
        arrays = [np.ravel(a) for a in arrays]
        return arrays, (), kept
    ndim = max(a.ndim for a in arrays)
    arrays = [a.reshape((1,) * (ndim - a.ndim) + a.shape) for a in arrays]
    if ndim == 0:
        raise errors.unsupported("A t-test of 0-d traced values")
    axis = int(axis) % ndim
    arrays = [np.moveaxis(a, axis, -1) for a in arrays]
    try:
        shape = np.broadcast_shapes(*(a.shape[:-1] for a in arrays))
    except ValueError:
        raise ValueError("Array shapes are incompatible for broadcasting.") from None
    kept = shape[:axis] + (1,) + shape[axis:]
    return [np.broadcast_to(a, shape + a.shape[-1:]) for a in arrays], shape, kept


def _moments(a):
    """(count, mean, variance with ddof=1) along the last axis, as `_var` and `xp.mean` give
    them: of an array (its count a Python int) or of a selection `x[m]` (its count traced, in
    the data's dtype)."""
    if isinstance(a, MaskedSelection):
        n = lax.cast(np.count_nonzero(a.mask), a.dtype)
        mean, axis = np.mean(a), None
        d = a - mean
    else:
        n, axis = np.asarray(a.shape[-1], a.dtype), -1
        mean, d = np.mean(a, axis=-1), a - np.mean(a, axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return n, mean, np.mean(d ** 2, axis=axis) * (n / (n - 1))


def _holds_nan(a):
    """Whether each slice (a selection: the selected values) holds a NaN."""
    return np.any(np.isnan(a), axis=None if isinstance(a, MaskedSelection) else -1)


def _selections(arrays: list) -> list | None:
    """1-d samples of which some are selections `x[m]` (`data[group == 0]`), in one floating
    dtype (`xp_promote`); None when none is a selection."""
    if not any(isinstance(a, MaskedSelection) for a in arrays):
        return None
    arrays = [a if isinstance(a, MaskedSelection) or lax.is_tracer(a) else
              lax.lift(np.asarray(a)) for a in arrays]
    if any(a.ndim != 1 for a in arrays):
        raise errors.data_dependent("A test of selections x[m] other than 1-d ones",
                                    "select 1-d samples, or test whole arrays along an axis")
    dtype = np.result_type(*(a.dtype for a in arrays))
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    return [a.astype(dtype) for a in arrays]


def _result(values: list, kept: tuple | None, alternative: str | float):
    """SciPy's `TtestResult` of (statistic, pvalue, df, standard error, estimate), with the
    test axis kept where asked (`kept`: the shape then; an empty sample's has NaN for its
    `alternative`)."""
    from scipy.stats._stats_py import TtestResult

    if kept is not None:
        values = [np.reshape(v, kept) for v in values]
    t, p, df, denom, estimate = _scalars(values)
    code = _ALTERNATIVES.get(alternative, alternative)  # an np.int64, as SciPy's wrapper packs it
    return TtestResult(t, p, df=df, alternative=np.int64(code) if code == code else code,
                       standard_error=denom, estimate=estimate, xp=np)


def _empty(shape: tuple, dtype: np.dtype, kept: tuple | None):
    return _result([lax.lift(np.full(shape, np.nan, dtype))] * 5, kept, np.nan)


def ttest_ind(a, b, *, axis=0, equal_var=True, nan_policy="propagate",
              alternative="two-sided", trim=0, method=None, keepdims=False):
    """`scipy.stats.ttest_ind`: Student's (pooled variance) or Welch's t-test, of arrays along
    `axis` or of 1-d selections (`ttest_ind(x[g == 0], x[g == 1])`, counts traced)."""
    if not 0 <= trim < 0.5:
        raise ValueError("Trimming percentage should be 0 <= `trim` < .5.")
    if trim or method is not None:
        raise errors.unsupported("scipy.stats.ttest_ind with `trim` or a resampling `method` "
                                 "of traced values")
    check_alternative(alternative)
    selected = _selections([a, b])
    if selected is not None:
        (a, b), kept = selected, (1,) if keepdims else None
    else:
        (a, b), shape, kept = _samples(_floating(a, b), axis)
        kept = kept if keepdims else None
        if a.shape[-1] == 0 or b.shape[-1] == 0:
            return _empty(shape, a.dtype, kept)
    _policy(nan_policy, "scipy.stats.ttest_ind", a, b)
    (n1, m1, v1), (n2, m2, v2) = _moments(a), _moments(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        if equal_var:
            v1, v2 = np.where(n1 == 1, 0.0, v1), np.where(n2 == 1, 0.0, v2)
            df = n1 + n2 - 2.0
            denom = np.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / df * (1.0 / n1 + 1.0 / n2))
        else:
            vn1, vn2 = v1 / n1, v2 / n2
            df = (vn1 + vn2) ** 2 / (vn1 ** 2 / (n1 - 1) + vn2 ** 2 / (n2 - 1))
            df = np.where(np.isnan(df), 1.0, df)
            denom = np.sqrt(vn1 + vn2)
        t = (m1 - m2) / denom
    df = lax.cast(lax.lift(df), t.dtype)
    p = _pvalue(t, df, alternative)
    void = _holds_nan(a) | _holds_nan(b)
    if selected is not None:  # an empty selection: SciPy's NaN results
        void = void | (n1 == 0) | (n2 == 0)
    df = np.broadcast_to(df, t.shape)
    return _result(_nan_where(void, [t, p, df, denom, m1 - m2]), kept, alternative)


def ttest_1samp(a, popmean, axis=0, nan_policy="propagate", alternative="two-sided", *,
                keepdims=False):
    """`scipy.stats.ttest_1samp`, of arrays along `axis` or of a 1-d selection `x[m]`. The
    degrees of freedom are the int64 count minus one, also for a slice holding a NaN
    (SciPy's float NaN there has no int64 form)."""
    check_alternative(alternative)
    selected = _selections([a])
    if selected is not None:
        (a,), kept = selected, (1,) if keepdims else None
        popmean = lax.cast(lax.lift(popmean), a.dtype)
    else:
        a, popmean = _floating(a, popmean)
        (a,), shape, kept = _samples([a], axis)
        kept = kept if keepdims else None
        if a.shape[-1] == 0:
            return _empty(shape, a.dtype, kept)
        if popmean.ndim:
            popmean = np.moveaxis(popmean.reshape((1,) * (a.ndim - popmean.ndim) +
                                                  popmean.shape), int(axis or 0) % a.ndim, -1)
            if popmean.shape[-1] != 1:
                raise ValueError("`popmean.shape[axis]` must equal 1.")
            popmean = popmean[..., 0]
    _policy(nan_policy, "scipy.stats.ttest_1samp", a)
    n, mean, var = _moments(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = np.sqrt(var / n)
        t = (mean - popmean) / denom
    p = _pvalue(t, lax.cast(lax.lift(n - 1), t.dtype), alternative)
    void = _holds_nan(a) if selected is None else _holds_nan(a) | (n == 0)
    t, p, denom, mean = _nan_where(void, [t, p, denom, mean])
    df = lax.cast(lax.lift(np.broadcast_to(n - 1, t.shape)), np.int64)
    return _result([t, p, df, denom, mean], kept, alternative)


def ttest_rel(a, b, axis=0, nan_policy="propagate", alternative="two-sided", *,
              keepdims=False):
    """`scipy.stats.ttest_rel`: the one-sample test of the differences (of selections by one
    mask: `ttest_rel(a[m], b[m])`)."""
    selected = _selections([a, b])
    a, b = selected if selected is not None else _floating(a, b)
    return ttest_1samp(a - b, 0.0, axis=axis, nan_policy=nan_policy, alternative=alternative,
                       keepdims=keepdims)


_LAMBDAS = {"pearson": 1, "log-likelihood": 0, "freeman-tukey": -0.5,
            "mod-log-likelihood": -1, "neyman": -2, "cressie-read": 2 / 3}


def _divergence(f_obs, f_exp, ddof, axis, lambda_, sum_check: bool = True):
    """`_power_divergence`: Cressie-Read's statistic along `axis` and its chi-squared
    p-value; observed and expected sums that disagree raise when the function runs."""
    from scipy import special

    if isinstance(lambda_, str):
        if lambda_ not in _LAMBDAS:
            names = repr(list(_LAMBDAS))[1:-1]
            raise ValueError(f"invalid string for lambda_: {lambda_!r}. Valid strings are "
                             f"{names}")
        lambda_ = _LAMBDAS[lambda_]
    elif lambda_ is None:
        lambda_ = 1
    f_obs, *f_exp = _floating(f_obs, *([] if f_exp is None else [f_exp]))
    if axis is None:
        f_obs, f_exp, axis = np.ravel(f_obs), [np.ravel(e) for e in f_exp], 0
    if f_exp:
        f_obs, f_exp = np.broadcast_arrays(f_obs, f_exp[0])
        if sum_check:
            rtol = np.finfo(f_obs.dtype).eps ** 0.5
            o, e = np.sum(f_obs, axis=axis), np.sum(f_exp, axis=axis)
            with np.errstate(invalid="ignore"):
                lax.check(np.any(np.abs(o - e) / np.minimum(o, e) > rtol), "ValueError",
                          "For each axis slice, the sum of the observed frequencies must agree "
                          "with the sum of the expected frequencies to a relative tolerance of "
                          f"{rtol}")
    else:
        f_exp = np.mean(f_obs, axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        if lambda_ == 1:
            terms = (f_obs - f_exp) ** 2 / f_exp
        elif lambda_ == 0:
            terms = 2.0 * special.xlogy(f_obs, f_obs / f_exp)
        elif lambda_ == -1:
            terms = 2.0 * special.xlogy(f_exp, f_exp / f_obs)
        else:
            terms = f_obs * ((f_obs / f_exp) ** lambda_ - 1) / (0.5 * lambda_ * (lambda_ + 1))
    stat = np.sum(terms, axis=axis)
    df = lax.cast(lax.lift(terms.shape[axis] - 1 - np.asarray(ddof)), stat.dtype)
    return _scalars([stat, special.chdtrc(df, stat)])


def power_divergence(f_obs, f_exp=None, ddof=0, axis=0, lambda_=None):
    """`scipy.stats.power_divergence`."""
    from scipy.stats._stats_py import Power_divergenceResult

    return Power_divergenceResult(*_divergence(f_obs, f_exp, ddof, axis, lambda_))


def chisquare(f_obs, f_exp=None, ddof=0, axis=0, *, sum_check=True):
    """`scipy.stats.chisquare`: Pearson's statistic."""
    from scipy.stats._stats_py import Power_divergenceResult

    return Power_divergenceResult(*_divergence(f_obs, f_exp, ddof, axis, "pearson",
                                               sum_check))


def chi2_contingency(observed, correction=True, lambda_=None, *, method=None):
    """`scipy.stats.chi2_contingency`: the expected table from the margins (summed one axis
    after another, as `np.apply_over_axes` does), Yates' correction for one degree of
    freedom, and the power divergence; SciPy's checks raise when the function runs."""
    from scipy.stats.contingency import Chi2ContingencyResult

    observed = lax.lift(observed if lax.is_tracer(observed) else np.asarray(observed))
    lax.check(np.any(observed < 0), "ValueError",
              "All values in `observed` must be nonnegative.")
    if observed.size == 0:
        raise ValueError("No data; `observed` has size 0.")
    if method is not None:
        raise errors.unsupported("scipy.stats.chi2_contingency with a resampling `method` of "
                                 "traced values")
    table = lax.cast(observed, np.float64)
    margins = []
    for k in range(table.ndim):
        marg = table
        for j in (j for j in range(table.ndim) if j != k):
            marg = np.sum(marg, axis=j, keepdims=True)
        margins.append(marg)
    expected = margins[0]
    for marg in margins[1:]:
        expected = expected * marg
    expected = expected / np.sum(table) ** (table.ndim - 1)
    lax.check(np.any(expected == 0), "ValueError", "The internally computed table of expected "
              "frequencies has a zero element.")
    dof = expected.size - sum(expected.shape) + expected.ndim - 1
    if dof == 0:
        return Chi2ContingencyResult(0.0, 1.0, dof, expected)
    if dof == 1 and correction:
        diff = expected - observed
        observed = observed + np.minimum(0.5, np.abs(diff)) * np.sign(diff)
    stat, p = _divergence(observed, expected, observed.size - 1 - dof, None, lambda_)
    return Chi2ContingencyResult(stat, p, dof, expected)


FUNCTIONS = {f.__name__: f for f in (linregress, ttest_ind, ttest_1samp, ttest_rel,
                                     power_divergence, chisquare, chi2_contingency)}
