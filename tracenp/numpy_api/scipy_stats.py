"""`scipy.stats`' distributions and summary statistics of traced values, as SciPy computes them.

Black-Scholes prices, expected improvement, probit links and Bayesian log-likelihoods call
`norm.cdf(d1)`, `gamma.logpdf(x, a, scale=s)` or `poisson.logpmf(k, mu)`: Python methods of
`rv_continuous` and `rv_discrete` that convert their arguments with `np.asarray`, which a
traced value refuses, and compute on the valid entries only (boolean selections). While a
trace runs, those methods are replaced (`trace._late_routes`) by the ones here; a call with a
traced argument runs SciPy's own structure with `np.where` in place of the selections:
`z = (x - loc) / scale` in float64, the distribution's `_argcheck` (scale > 0 too) and its
support, then its `_logpdf`, `_cdf`, `_ppf`, ... of every entry (SciPy's NumPy and
`scipy.special` code, traced as it is), and SciPy's fill values: -inf or 0 outside the
support, 0 or 1 past its ends, `badvalue` (NaN) for invalid parameters. The entries outside
are evaluated at a point inside the support, so their gradients are finite (0); a gradient
through a `scipy.special` function SciPy runs by the host (`gammainc` in `gamma.cdf`) is
refused there, naming it. The normal distribution keeps the exact formulas below. A method
whose SciPy code tracenp cannot trace (numerical integration or root finding for a
distribution defined by its density alone, a Python branch on a traced parameter) is refused
naming the distribution, the method and the step. Any call without a traced argument is
SciPy's own; frozen distributions call the same methods.

`xpx.apply_where`, SciPy's "f1 where cond, else f2" that many distributions use, is
`np.where` of both over every entry for traced values; `dirichlet`'s checks of its arguments
raise their errors when the function runs. `zscore`, `zmap`, `entropy`, `pearsonr`,
`rankdata` and `sem` of traced values are composed here.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
from typing import Callable

import numpy as np

from .. import errors, lax
from .scipy_routes import when_traced

_LOG_SQRT_2PI = math.log(math.sqrt(2 * math.pi))  # SciPy's `_norm_pdf_logC`
_SQRT_2PI = math.sqrt(2 * math.pi)  # `_norm_pdf_C`
METHODS = ("cdf", "pdf", "logpdf", "logcdf", "sf", "logsf", "ppf", "isf")
DISCRETE_METHODS = ("pmf", "logpmf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf")


# ----------------------------------------------------------------------------- the normal


def _standard(x, loc, scale):
    """`(x - loc) / scale` in float64, and where `scale > 0`."""
    z = np.true_divide(np.subtract(lax.cast(lax.lift(x), np.float64), loc), scale)
    return z, np.greater(scale, 0)


def _of_z(formula: Callable) -> Callable:
    """A function of `x` through the standard normal's `formula(z, scale)`."""
    def method(x, loc=0, scale=1):
        z, ok = _standard(x, loc, scale)
        return np.where(ok, formula(z, scale), np.nan)
    return method


def _of_q(sign: int) -> Callable:
    """The quantile function (`sign` 1) or its inverse survival function (`sign` -1)."""
    def method(q, loc=0, scale=1):
        from scipy import special

        q = lax.cast(lax.lift(q), np.float64)
        return np.where(np.greater(scale, 0),
                        np.add(np.multiply(sign * special.ndtri(q), scale), loc), np.nan)
    return method


def _special(name: str, sign: int = 1) -> Callable:
    def formula(z, scale):
        from scipy import special

        return getattr(special, name)(z if sign == 1 else np.negative(z))
    return formula


_NORMAL = {
    "cdf": _of_z(_special("ndtr")),
    "sf": _of_z(_special("ndtr", -1)),
    "logcdf": _of_z(_special("log_ndtr")),
    "logsf": _of_z(_special("log_ndtr", -1)),
    "pdf": _of_z(lambda z, scale: np.exp(-z ** 2 / 2.0) / _SQRT_2PI / scale),
    "logpdf": _of_z(lambda z, scale: -z ** 2 / 2.0 - _LOG_SQRT_2PI - np.log(scale)),
    "ppf": _of_q(1),
    "isf": _of_q(-1),
}


# ----------------------------------------------------------------------------- any distribution


def _array(v):
    """SciPy's `asarray` of an argument: a traced value as an array (not a weak Python
    scalar), anything else a NumPy array, which SciPy's own code then computes with."""
    if lax.holds_tracer(v):
        v = lax.lift(v)
        return lax.cast(v, v.dtype)
    return np.asarray(v)


def _valid(dist, shapes: tuple):
    """`dist._argcheck(*shapes)` as a bool; `rv_generic`'s own (every shape > 0) here, as its
    `asarray` refuses a traced shape."""
    from scipy.stats._distn_infrastructure import rv_generic

    if type(dist)._argcheck is not rv_generic._argcheck:
        return np.logical_and(dist._argcheck(*shapes), True)
    ok = np.True_
    for s in shapes:
        ok = np.logical_and(ok, np.greater(s, 0))
    return ok


def _interior(a, b):
    """A point inside the support [a, b] (a standard variable's): the entries SciPy leaves
    out are evaluated there, where the formula and its gradient are finite, so that the
    `np.where` choosing SciPy's fill value takes no NaN gradient from them."""
    lo, hi = np.isfinite(a), np.isfinite(b)
    return np.where(lo & hi, (a + b) / 2, np.where(lo, a + 1, np.where(hi, b - 1, 0.0)))


def _lowest(a, b):
    """An integer of a discrete support: its lower end, else its upper one, else 0."""
    return np.where(np.isfinite(a), a, np.where(np.isfinite(b), b, 0))


# continuous method: (SciPy's function, on the open support, value outside, (the end past
# which (and at which) the value is the next item), and what the scale does to the result)
_CONTINUOUS = {
    "pdf": ("_pdf", False, 0.0, None, lambda v, scale: v / scale),
    "logpdf": ("_logpdf", False, -np.inf, None, lambda v, scale: v - np.log(scale)),
    "cdf": ("_cdf", True, 0.0, ("b", 1.0), None),
    "logcdf": ("_logcdf", True, -np.inf, ("b", 0.0), None),
    "sf": ("_sf", True, 0.0, ("a", 1.0), None),
    "logsf": ("_logsf", True, -np.inf, ("a", 0.0), None),
}


def _continuous(dist, method: str, x, shapes: tuple, loc, scale):
    """`rv_continuous.pdf`/`logpdf`/`cdf`/`logcdf`/`sf`/`logsf` of traced values."""
    private, open_support, outside, end, scaled = _CONTINUOUS[method]
    dtype = np.promote_types(x.dtype, np.float64)
    z = lax.cast((x - loc) / scale, dtype)
    positive = np.greater(scale, 0)
    valid = np.logical_and(_valid(dist, shapes), positive)
    a, b = dist._get_support(*shapes)
    support = dist._open_support_mask if open_support else dist._support_mask
    cond = valid & np.logical_and(support(z, *shapes), positive)
    fill = outside
    if end is not None:
        past = valid & (np.greater_equal(z, b) if end[0] == "b" else np.less_equal(z, a))
        fill = np.where(past, end[1], outside)
    fill = np.where(~valid | np.isnan(z), dist.badvalue, fill)
    value = getattr(dist, private)(np.where(cond, z, _interior(a, b)), *shapes)
    if scaled is not None:
        value = scaled(value, scale)
    return lax.cast(np.where(cond, value, fill), dtype)


def _continuous_quantile(dist, method: str, q, shapes: tuple, loc, scale):
    """`rv_continuous.ppf`/`isf` of traced values: q in (0, 1), the support's ends at 0, 1."""
    a, b = dist._get_support(*shapes)
    valid = _valid(dist, shapes) & np.greater(scale, 0) & np.equal(loc, loc)
    cond = valid & (0 < q) & (q < 1)
    low, high = (q == 0, q == 1) if method == "ppf" else (q == 1, q == 0)
    fill = np.where(valid & low, a * scale + loc,
                    np.where(valid & high, b * scale + loc, dist.badvalue))
    value = getattr(dist, "_" + method)(np.where(cond, q, 0.5), *shapes) * scale + loc
    return lax.cast(np.where(cond, value, fill), np.float64)


def _discrete(dist, method: str, k, shapes: tuple, loc):
    """`rv_discrete.pmf`/`logpmf`/`cdf`/`logcdf`/`sf`/`logsf` of traced values, with each
    method's own order of SciPy's fill values."""
    from scipy.stats._distn_infrastructure import rv_sample

    a, b = dist._get_support(*shapes)
    k = k - loc
    valid = _valid(dist, shapes)
    bad = ~valid | np.isnan(k)
    if method in ("pmf", "logpmf"):
        inside = (k >= a) & (k <= b)
        if not isinstance(dist, rv_sample):
            inside = inside & dist._nonzero(k, *shapes)
        cond = valid & inside
        fill = np.where(bad, dist.badvalue, 0.0 if method == "pmf" else -np.inf)
    else:
        cond = valid & (k >= a) & (k < b)
        if method in ("cdf", "sf"):
            cond = cond & np.isfinite(k)
        fill = _discrete_fill(method, k, a, b, valid, bad, dist.badvalue)
    safe = lax.cast(np.where(cond, k, _lowest(a, b)), k.dtype)
    value = getattr(dist, "_" + method)(safe, *shapes)
    if method in ("pmf", "cdf", "sf"):
        value = np.clip(value, 0, 1)
    return lax.cast(np.where(cond, value, fill), np.float64)


def _discrete_fill(method: str, k, a, b, valid, bad, badvalue):
    """What SciPy's discrete `cdf`/`logcdf`/`sf`/`logsf` leave outside [a, b): 1 (log 0) past
    the end the method counts from, in the order SciPy places its values (`logcdf`'s 0 past
    `b` even for invalid parameters)."""
    if method == "cdf":
        return np.where(bad, badvalue, np.where(k >= b, 1.0, 0.0))
    if method == "logcdf":
        return np.where(k >= b, 0.0, np.where(bad, badvalue, -np.inf))
    if method == "sf":
        return np.where(bad, badvalue, np.where(((k < a) | np.isneginf(k)) & valid, 1.0, 0.0))
    return np.where(bad, badvalue, np.where((k < a) & valid, 0.0, -np.inf))


def _discrete_quantile(dist, method: str, q, shapes: tuple, loc):
    """`rv_discrete.ppf`/`isf` of traced values: `a - 1` and `b` at the ends."""
    a, b = dist._get_support(*shapes)
    valid = _valid(dist, shapes) & np.equal(loc, loc)
    cond = valid & (q > 0) & (q < 1)
    low, high = (q == 0, q == 1) if method == "ppf" else (q == 1, q == 0)
    fill = np.where(valid & low, a - 1 + loc, np.where(valid & high, b + loc, dist.badvalue))
    value = getattr(dist, "_" + method)(np.where(cond, q, 0.5), *shapes) + loc
    return lax.cast(np.where(cond, value, fill), np.float64)


@contextlib.contextmanager
def _refusing(what: str, shapes: tuple = (), dist=None):
    """SciPy's code run on traced values with NumPy's warnings off (SciPy computes the valid
    entries only); what tracenp cannot trace there is refused naming `what` and the method of
    `dist` it failed in, steered by the shape parameters (a Python scalar argument among them
    is made static, and traced again)."""
    try:
        with np.errstate(all="ignore"):
            yield
    except errors.TracingError as e:
        reason = str(e).splitlines()[0]
        for cut in (" (", " is not supported by tracenp", " needs a concrete value"):
            reason = reason.split(cut)[0]
        raise errors.steered_by(errors.unsupported(
            f"{what} of a traced value (SciPy's {_failed_in(e, dist)} needs "
            f"{reason[:1].lower()}{reason[1:]})"), *shapes) from e


def _failed_in(e: Exception, dist) -> str:
    """The innermost method of `dist` that `e` went through (`tri._cdf`), else "code"."""
    name = "code"
    tb = e.__traceback__
    while tb is not None:
        if dist is not None and tb.tb_frame.f_locals.get("self") is dist:
            name = f"{type(dist).__name__}.{tb.tb_frame.f_code.co_name}"
        tb = tb.tb_next
    return name


def _distribution(dist, name: str, x, args: tuple, kwds: dict):
    """Method `name` of the distribution `dist` of traced values."""
    from scipy.stats._distn_infrastructure import rv_discrete

    shapes, loc, scale = dist._parse_args(*args, **kwds)
    x, loc, scale = _array(x), _array(loc), _array(scale)
    shapes = tuple(_array(s) for s in shapes)
    with _refusing(f"scipy.stats.{dist.name}.{name}", shapes, dist):
        if isinstance(dist, rv_discrete):
            compute = _discrete_quantile if name in ("ppf", "isf") else _discrete
            result = compute(dist, name, x, shapes, loc)
        elif name in ("ppf", "isf"):
            result = _continuous_quantile(dist, name, x, shapes, loc, scale)
        else:
            result = _continuous(dist, name, x, shapes, loc, scale)
    return result.with_returns("scalar")


def traced_method(name: str, scipys: Callable) -> Callable:
    """The method `name` of `rv_continuous` or `rv_discrete` while a trace runs: where an
    argument is traced, the normal distribution's formula or any other's by SciPy's structure
    (a NumPy scalar for a 0-d result, as SciPy returns), else SciPy's own `scipys`."""
    first = list(inspect.signature(scipys).parameters)[1]  # (after self: x, q or k)

    def method(self, *args, **kwds):
        from scipy.stats._continuous_distns import norm_gen

        if not args and first in kwds:  # `norm.ppf(q=p)`, `binom.logpmf(k=k, n=n, p=p)`
            args = (kwds.pop(first),)
        if not args:
            return scipys(self, *args, **kwds)  # SciPy's own error
        x, args = args[0], args[1:]
        if not lax.holds_tracer((x, args, tuple(kwds.values()))):
            return scipys(self, x, *args, **kwds)
        if isinstance(self, norm_gen):
            return _NORMAL[name](x, *args, **kwds).with_returns("scalar")
        return _distribution(self, name, x, args, kwds)

    method.__name__ = name
    return method


def traced_apply_where(scipys: Callable) -> Callable:
    """`xpx.apply_where(cond, args, f1, f2)` while a trace runs: of traced values `f1` and `f2`
    (or `fill_value`) of every entry, chosen by `np.where`; else SciPy's own."""
    def apply_where(cond, args, f1, f2=None, /, *, fill_value=None, xp=None):
        if not lax.holds_tracer((cond, args, fill_value)):
            return scipys(cond, args, f1, f2, fill_value=fill_value, xp=xp)
        if (f2 is None) == (fill_value is None):
            raise TypeError("Exactly one of `fill_value` or `f2` must be given.")
        args = args if isinstance(args, tuple) else (args,)
        shape = np.broadcast_shapes(*(np.shape(v) for v in (cond, *args)))
        args = [np.broadcast_to(v if lax.is_tracer(v) else np.asarray(v), shape) for v in args]
        with np.errstate(all="ignore"):
            return np.where(cond, f1(*args), fill_value if f2 is None else f2(*args))

    apply_where.__wrapped__ = scipys
    return apply_where


# ----------------------------------------------------------------------------- dirichlet


def _dirichlet_parameters(alpha):
    """`_dirichlet_check_parameters` of a traced `alpha`: its error on the values raised when
    the function runs."""
    alpha = _array(alpha)
    lax.check(np.min(alpha) <= 0, "ValueError", "All parameters must be greater than 0")
    if alpha.ndim != 1:
        raise ValueError("Parameter vector 'a' must be one dimensional, "
                         f"but a.shape = {alpha.shape}.")
    return alpha


class TracedPSD:
    """`_multivariate._PSD` of a traced matrix (the covariance a Gaussian mixture's EM step
    just estimated): the same eigendecomposition and attributes, SciPy's errors on the
    values raised when the function runs. The rank is the matrix's size: a singular matrix
    where SciPy allows one (its rank and support would be values) raises
    DataDependentShapeError when the function runs."""

    def __init__(self, M, cond=None, rcond=None, lower=True, check_finite=True,
                 allow_singular=True):
        import scipy.linalg
        from scipy.stats._multivariate import _eigvalsh_to_eps

        self._M = _array(M)
        s, u = scipy.linalg.eigh(self._M, lower=lower, check_finite=check_finite)
        eps = _eigvalsh_to_eps(s, cond, rcond)
        lax.check(np.min(s) < -eps, "ValueError",
                  "The input matrix must be symmetric positive semidefinite.")
        if allow_singular:
            lax.check(np.any(s <= eps), "DataDependentShapeError", "A singular covariance of a "
                      "scipy.stats multivariate distribution (its rank is a value)")
        else:
            lax.check(np.any(s <= eps), "LinAlgError", "When `allow_singular is False`, the "
                      "input matrix must be symmetric positive definite.")
        self.eps = 1e3 * eps
        self.V = u[:, :0]
        self.rank = s.shape[0]
        self.U = u * np.sqrt(1.0 / s)
        self.log_pdet = np.sum(np.log(s))
        self._pinv = None

    @property
    def pinv(self):
        if self._pinv is None:
            self._pinv = self.U @ self.U.T
        return self._pinv


def _dirichlet_input(alpha, x):
    """`_dirichlet_check_input` of traced values: `x` with its last component appended where
    it lacks one, SciPy's errors on the values raised when the function runs (the simplex one
    without the sums SciPy prints)."""
    x = _array(x)
    if x.shape[0] + 1 != alpha.shape[0] and x.shape[0] != alpha.shape[0]:
        raise ValueError("Vector 'x' must have either the same number of entries as, or one "
                         f"entry fewer than, parameter vector 'a', but alpha.shape = "
                         f"{alpha.shape} and x.shape = {x.shape}.")
    if x.shape[0] != alpha.shape[0]:
        if x.ndim > 2:
            raise ValueError("The input must be one dimensional or a two dimensional matrix "
                             "containing the entries.")
        x = np.concatenate([x, (1 - np.sum(x, 0))[None]])
    lax.check(np.min(x) < 0, "ValueError",
              "Each entry in 'x' must be greater than or equal to zero.")
    lax.check(np.max(x) > 1, "ValueError", "Each entry in 'x' must be smaller or equal one.")
    below_one = np.reshape(alpha < 1, alpha.shape + (1,) * (x.ndim - 1))
    lax.check(np.any((x == 0) & below_one), "ValueError",
              "Each entry in 'x' must be greater than zero if its alpha is less than one.")
    lax.check(np.any(np.abs(np.sum(x, 0) - 1.0) > 10e-10), "ValueError",
              "The input vector 'x' must lie within the normal simplex.")
    return x


# ----------------------------------------------------------------------------- summary statistics


def _floating(*arrays) -> list:
    """`xp_promote(..., force_floating=True)`: one dtype, integers and bools as float64."""
    arrays = [_array(a) for a in arrays]
    dtype = np.result_type(*(a.dtype for a in arrays))
    dtype = dtype if dtype.kind in "fc" else np.dtype(np.float64)
    return [lax.cast(lax.lift(a), dtype) for a in arrays]


def _nan_policy(policy: str, *arrays) -> bool:
    """SciPy's `_contains_nan`: its ValueError for an unknown policy, "raise"'s when the
    function runs; whether the policy is "omit"."""
    policies = {"propagate", "raise", "omit"}
    if policy not in policies:
        raise ValueError(f"nan_policy must be one of {policies}.")
    if policy == "raise":
        lax.check(np.any(np.stack([np.any(np.isnan(a)) for a in arrays])), "ValueError",
                  "The input contains nan values")
    return policy == "omit"


def _mean(x, axis, omit: bool):
    """`_xp_mean(x, axis=axis, keepdims=True)`: with "omit", NaNs given zero weight."""
    if not omit:
        return np.mean(x, axis=axis, keepdims=True)
    nan = np.isnan(x)
    weights = np.where(nan, 0.0, np.ones_like(x))
    return (np.sum(np.where(nan, 0.0, x) * weights, axis=axis, keepdims=True)
            / np.sum(weights, axis=axis, keepdims=True))


def zmap(scores, compare, axis=0, ddof=0, nan_policy="propagate"):
    """`scipy.stats.zmap` (and `zscore`, where `scores is compare`): NaN where the standard
    deviation is within rounding of zero."""
    like_zscore = scores is compare
    scores, compare = _floating(scores, compare)
    omit = _nan_policy(nan_policy, compare)
    mean = _mean(compare, axis, omit)
    var = _mean((compare - mean) * (compare - mean), axis, omit)
    if ddof != 0:
        n = np.asarray(compare.size if axis is None else compare.shape[axis], var.dtype)
        if omit:
            n = n - np.sum(np.isnan(compare).astype(var.dtype), axis=axis, keepdims=True)
        var = var * np.where(n - ddof > 0, n / (n - ddof), np.nan)
    std = var ** 0.5
    z = (scores - mean) / std
    if like_zscore:
        z = np.where(std <= np.abs(np.finfo(z.dtype).eps * mean), np.nan, z)
    return z


def sem(a, axis=0, ddof=1, nan_policy="propagate", *, keepdims=False):
    """`scipy.stats.sem`: the standard deviation (`ddof`) over the square root of the count;
    with "omit", of the values that are not NaN along each slice."""
    (a,) = _floating(a)
    if axis is None:
        a, axis, kept = np.ravel(a), 0, (1,) * a.ndim
    else:
        kept = None
    a = a.reshape((1,) * (1 - a.ndim) + a.shape)
    omit = _nan_policy(nan_policy, a)
    if omit:
        nan = np.isnan(a)
        n = np.sum(~nan, axis=axis, keepdims=True).astype(a.dtype)
        mean = _mean(a, axis, True)
        var = np.sum(np.where(nan, 0.0, (a - mean) * (a - mean)), axis=axis, keepdims=True) \
            / (n - ddof)
        s = np.sqrt(var) / np.sqrt(n)
    else:
        s = np.std(a, axis=axis, ddof=ddof, keepdims=True) / a.shape[axis] ** 0.5
    if kept is not None:
        s = s.reshape(kept) if keepdims else s.reshape(())
    elif not keepdims:
        s = np.squeeze(s, axis=axis)
    return s if s.ndim else s.with_returns("scalar")  # SciPy's np.float64


def zscore(a, axis=0, ddof=0, nan_policy="propagate"):
    """`scipy.stats.zscore`."""
    return zmap(a, a, axis=axis, ddof=ddof, nan_policy=nan_policy)


def entropy(pk, qk=None, base=None, axis=0, *, nan_policy="propagate", keepdims=False):
    """`scipy.stats.entropy`: Shannon's of `pk`, or the relative entropy to `qk`, in units of
    `base` (a concrete value: a Python scalar argument is made static)."""
    from scipy import special

    base = lax.known(base, "base of scipy.stats.entropy")
    if base is not None and base <= 0:
        raise ValueError("`base` must be a positive number or `None`.")
    arrays = [_array(pk)] + ([] if qk is None else [_array(qk)])
    dtype = np.result_type(*(a.dtype for a in arrays))
    arrays = [lax.cast(lax.lift(a), dtype) for a in np.broadcast_arrays(*arrays)]
    kept = (1,) * arrays[0].ndim if axis is None and keepdims else None
    if axis is None:
        arrays, axis = [np.ravel(a) for a in arrays], -1
    omit = _nan_policy(nan_policy, *arrays)
    if omit:
        nan = np.any(np.stack([np.isnan(a) for a in arrays]), axis=0)
        arrays = [np.where(nan, 0, a) for a in arrays]
    with np.errstate(invalid="ignore"):
        pk, *qk = [a / np.sum(a, axis=axis, keepdims=True) for a in arrays]
    vec = special.entr(pk) if not qk else special.rel_entr(pk, qk[0])
    s = np.sum(vec, axis=axis, keepdims=keepdims)
    if base is not None:
        s = s / math.log(base)
    return (s if kept is None else s.reshape(kept)).with_returns("scalar")


class _PearsonR:
    """`pearsonr`'s result of traced values: the statistic (also `correlation`), the p-value
    computed when it is read (its beta distribution's `betaincc`, which tracenp may refuse),
    and SciPy's Fisher confidence interval. Returned, it is SciPy's `PearsonRResult`."""

    def __init__(self, statistic, pvalue: Callable, details: tuple):
        self.statistic = statistic
        self._pvalue = pvalue
        self._details = details  # (alternative, n, x, y, axis)

    @property
    def pvalue(self):
        with _refusing("The p-value of scipy.stats.pearsonr"):
            return self._pvalue()

    correlation = property(lambda self: self.statistic)

    def __iter__(self):
        return iter((self.statistic, self.pvalue))

    def __getitem__(self, i: int):
        if i not in (0, 1, -1, -2):
            raise IndexError("tuple index out of range")
        return self.statistic if i in (0, -2) else self.pvalue

    def __len__(self) -> int:
        return 2

    def confidence_interval(self, confidence_level=0.95, method=None):
        """SciPy's Fisher transformation of the statistic (a resampling `method` refused)."""
        from scipy.stats import _stats_py

        if method is not None:
            raise errors.unsupported("The confidence interval of scipy.stats.pearsonr of "
                                     "traced values by a resampling method")
        alternative, n = self._details[:2]
        with np.errstate(divide="ignore", invalid="ignore"):
            return _stats_py._pearsonr_fisher_ci(self.statistic, n, confidence_level,
                                                 alternative)

    def _tracenp_flatten(self):
        alternative, n, x, y, axis = self._details
        return (alternative, n, axis), [self.statistic, self.pvalue, x, y]

    @staticmethod
    def _tracenp_unflatten(aux, children):
        """SciPy's result of the values; of traced ones, this class again."""
        from scipy.stats import _stats_py

        alternative, n, axis = aux
        statistic, pvalue, x, y = children
        if lax.holds_tracer(children):
            return _PearsonR(statistic, lambda: pvalue, (alternative, n, x, y, axis))
        return _stats_py.PearsonRResult(statistic=statistic, pvalue=pvalue, alternative=alternative,
                                        n=n, x=x, y=y, axis=axis)


def pearsonr(x, y, *, alternative="two-sided", method=None, axis=0):
    """`scipy.stats.pearsonr`: the correlation along `axis` as SciPy computes it (NaN where an
    input is constant; SciPy's warnings about constant inputs are not given)."""
    x, y = _floating(x, y)
    dtype = x.dtype
    if axis is None:
        x, y, axis = np.ravel(x), np.ravel(y), -1
    if int(axis) != axis:
        raise ValueError('`axis` must be an integer.')
    axis = int(axis)
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError as e:
        raise ValueError('`x` and `y` must be broadcastable.') from e
    ndim = max(x.ndim, y.ndim)
    x = x.reshape((1,) * (ndim - x.ndim) + x.shape)
    y = y.reshape((1,) * (ndim - y.ndim) + y.shape)
    if x.shape[axis] != y.shape[axis]:
        raise ValueError('`x` and `y` must have the same length along `axis`.')
    if x.shape[axis] < 2:
        raise ValueError('`x` and `y` must have length at least 2.')
    n = x.shape[axis]
    x, y = np.moveaxis(x, axis, -1), np.moveaxis(y, axis, -1)
    if dtype.kind == "c":
        raise ValueError('This function does not support complex data')
    if method is not None:
        raise errors.unsupported("scipy.stats.pearsonr with a `method` (a resampling test) "
                                 "of traced values")
    check_alternative(alternative)
    const_x = np.all(x == x[..., 0:1], axis=-1)
    const_y = np.all(y == y[..., 0:1], axis=-1)
    x = np.where(const_x[..., None], np.nan, x)
    y = np.where(const_y[..., None], np.nan, y)
    r = _correlation(x, y)
    r = np.where(const_x | const_y, np.nan, np.clip(r, -1.0, 1.0))
    if n == 2:
        r = np.round(r)
    return _PearsonR(r.with_returns("scalar"), lambda: _pearson_pvalue(r, n, alternative),
                     (alternative, n, x, y, axis))


def check_alternative(alternative: str) -> None:
    """SciPy's error for an `alternative` other than "less", "greater" or "two-sided"."""
    if alternative not in ("less", "greater", "two-sided"):
        raise ValueError("`alternative` must be 'less', 'greater', or 'two-sided'.")


def _correlation(x, y):
    """The cosine of the centered rows, each scaled by its largest entry first (SciPy's guard
    against overflow)."""
    xm = x - np.mean(x, axis=-1, keepdims=True)
    ym = y - np.mean(y, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        xmax = np.max(np.abs(xm), axis=-1, keepdims=True)
        ymax = np.max(np.abs(ym), axis=-1, keepdims=True)
        normxm = xmax * np.linalg.vector_norm(xm / xmax, axis=-1, keepdims=True)
        normym = ymax * np.linalg.vector_norm(ym / ymax, axis=-1, keepdims=True)
        return np.vecdot(xm / normxm, ym / normym, axis=-1)


def _pearson_pvalue(r, n: int, alternative: str):
    """SciPy's p-value of `r`: its beta(n/2 - 1, n/2 - 1) distribution on (-1, 1)."""
    from scipy import special

    if n == 2:
        return np.where(np.isnan(r), np.nan, np.ones_like(r)).with_returns("scalar")
    ab = np.asarray(n / 2 - 1, r.dtype)
    if alternative == "less":
        p = special.betainc(ab, ab, (r + 1) / 2)
    elif alternative == "greater":
        p = special.betaincc(ab, ab, (r + 1) / 2)
    else:
        p = 2 * special.betaincc(ab, ab, (np.abs(r) + 1) / 2)
    return lax.lift(p).with_returns("scalar")


_RANK_METHODS = ("average", "min", "max", "dense", "ordinal")


def rankdata(a, method="average", *, axis=None, nan_policy="propagate"):
    """`scipy.stats.rankdata`: ranks along `axis` from a stable sort, ties found between
    neighbours of the sorted values. SciPy gives float ranks with NaN for data holding NaN
    (nan_policy "propagate" or "omit"); methods other than "average" have integer ranks
    otherwise, so such data raises DataDependentShapeError when the function runs
    (`jit(fallback=True)` runs that call in SciPy)."""
    if method not in _RANK_METHODS:
        raise ValueError(f'unknown method "{method}"')
    x = _array(a)
    if axis is None:
        x, axis = np.ravel(x), -1
    if x.size == 0:
        return np.empty(x.shape, np.float64 if method == "average" else np.int64)
    omit = _nan_policy(nan_policy, x)
    x = np.swapaxes(x, axis, -1)
    ranks = _ranks(lax.lift(x), method)
    if x.dtype.kind in "fc" and nan_policy != "raise":
        nan = np.isnan(x) if omit else np.any(np.isnan(x), axis=-1, keepdims=True)
        if method == "average":
            ranks = np.where(nan, np.nan, ranks)
        elif not lax.check(np.any(nan), "DataDependentShapeError",
                           f"scipy.stats.rankdata(method={method!r}) of data holding NaN "
                           "gives float ranks with NaN; the compiled function's are integers"):
            raise errors.unsupported(f"scipy.stats.rankdata(method={method!r}) of traced "
                                     "floats inside a gradient (NaN would change its dtype)")
    return np.swapaxes(ranks, axis, -1)


def _ranks(x, method: str):
    """`_rankdata` along the last axis: per sorted position, the first (and last) position
    of its run of equal values, put back in `x`'s order."""
    n = x.shape[-1]
    order = np.argsort(x, axis=-1, kind="stable")
    pos = np.broadcast_to(np.arange(1, n + 1), x.shape)
    if method == "ordinal":
        ranks = pos
    else:
        y = np.take_along_axis(x, order, axis=-1)
        differs = y[..., :-1] != y[..., 1:]
        edge = np.ones(x.shape[:-1] + (1,), bool)
        starts = np.concatenate([edge, differs], axis=-1)
        first = np.maximum.accumulate(np.where(starts, pos, 0), axis=-1)
        ends = np.concatenate([differs, edge], axis=-1)
        last = np.flip(np.minimum.accumulate(np.flip(np.where(ends, pos, n + 1), -1), axis=-1),
                       -1)
        ranks = {"min": lambda: first, "max": lambda: last,
                 "dense": lambda: np.cumsum(starts, axis=-1),
                 "average": lambda: first.astype(np.float64) + (last - first) / 2}[method]()
    ranks = lax.cast(ranks, np.float64 if method == "average" else np.int64)
    return lax.scatter(np.zeros_like(ranks), order, ranks, x.ndim - 1, "set")


FUNCTIONS = {f.__name__: f for f in (zscore, zmap, entropy, pearsonr, rankdata, sem)}


def routes() -> list:
    """What a trace replaces in `scipy.stats` (`trace._late_routes`): the methods of
    `rv_continuous` and `rv_discrete`, `dirichlet`'s checks of its arguments,
    `xpx.apply_where`, `_PSD` (a traced covariance), and the functions above."""
    import scipy._lib.array_api_extra as xpx
    import scipy.stats as stats
    from scipy.stats._distn_infrastructure import rv_continuous, rv_discrete
    from scipy.stats import _multivariate as multivariate

    from . import scipy_tests

    return [(rv_continuous, {name: traced_method(name, vars(rv_continuous)[name])
                             for name in METHODS}),
            (rv_discrete, {name: traced_method(name, vars(rv_discrete)[name])
                           for name in DISCRETE_METHODS}),
            (multivariate, {
                "_dirichlet_check_parameters": when_traced(
                    _dirichlet_parameters, multivariate._dirichlet_check_parameters),
                "_dirichlet_check_input": when_traced(
                    _dirichlet_input, multivariate._dirichlet_check_input),
                "_PSD": when_traced(TracedPSD, multivariate._PSD)}),
            (xpx, {"apply_where": traced_apply_where(xpx.apply_where)}),
            (stats, {name: when_traced(fn, getattr(stats, name))
                     for name, fn in {**FUNCTIONS, **scipy_tests.FUNCTIONS}.items()}),
            (stats, {name: _samples_by_position(getattr(stats, name))
                     for name in _by_axis_nan_policy(stats)})]


def _by_axis_nan_policy(stats) -> list:
    """The public `scipy.stats` functions wrapped by `_axis_nan_policy` that no other route
    replaces."""
    from . import scipy_tests
    from .scipy_stats_host import STATS

    routed = {*FUNCTIONS, *scipy_tests.FUNCTIONS, *STATS}
    return [name for name in stats.__all__ if name not in routed and getattr(
        getattr(getattr(stats, name), "__code__", None), "co_name", "") ==
        "axis_nan_policy_wrapper"]


def _samples_by_position(scipys: Callable) -> Callable:
    """`skew(a=x)`: a traced sample given by keyword is passed by position, as SciPy's
    `_axis_nan_policy` tells a lazy (traced) array only there (given by keyword it branches
    on whether the data hold a NaN)."""
    first = next(iter(inspect.signature(scipys.__wrapped__).parameters))

    def call(*args, **kwargs):
        if not args and lax.is_tracer(kwargs.get(first)):
            args = (kwargs.pop(first),)
        return scipys(*args, **kwargs)

    return functools.update_wrapper(call, scipys)
