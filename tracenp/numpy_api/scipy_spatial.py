"""`scipy.spatial.distance` of traced arrays, as SciPy 1.17 computes it.

RBF kernels (`np.exp(-cdist(X, Y, "sqeuclidean") / l)`), k-means assignments and MDS
stress losses call `cdist`, `pdist` and `squareform`, whose C and pybind11 loops convert
their arguments with `np.asarray`, which a traced value refuses. While a trace runs those
functions, the pairwise functions that branch on values or convert them with `float()`
(`minkowski`, `jaccard`, `yule`, `sokalsneath`, `dice`, `rogerstanimoto`, `russellrao`) and
`_validate_weights` (which the pairwise functions call to refuse negative weights) are
replaced (`trace._late_routes`) by the ones here when an argument is traced; any other call
is SciPy's own. The other pairwise functions (`cosine`, `dice`, ...) trace as SciPy wrote
them, and `euclidean` and `seuclidean` call the module's `minkowski`.

A metric's distances are one broadcast expression of the row pairs (`XA[:, None, :]`
against `XB[None, :, :]`; for pdist each row against the others, then the pairs `i < j`
taken) reduced over the features, which tracenp fuses into one kernel. The expression is
SciPy's formula for the metric's name (its pybind11 or C loop, in float64), or for one of
SciPy's own functions passed as `metric=` that function's (its input conversion, weights
and errors); a metric given as another Python function is refused. Errors that depend on
values (negative weights, `squareform`'s symmetry, a Sokal-Sneath distance of all-false
rows) are raised when the compiled function runs (`lax.check`).
"""

from __future__ import annotations

import functools
import inspect
import math
from typing import Callable

import numpy as np

from .. import errors, lax
from .scipy_routes import when_traced

# SciPy's distance functions and the routes standing for them: id -> (function, metric name)
_FUNCTIONS: dict = {}
_NOT_FINITE = "array must not contain infs or NaNs"  # scipy.linalg.norm's check_finite
_NEGATIVE_WEIGHTS = "Input weights should be all non-negative"


def _distance():
    from scipy.spatial import distance

    return distance


# ------------------------------------------------------------------ values and checks
def _raise_if(failed, error: type, message: str) -> None:
    """SciPy's `error(message)` where `failed`: now for a value known while tracing, when the
    compiled function runs for one that depends on its arguments."""
    if lax.is_tracer(failed):
        known = failed.constant_value()
        if known is None:
            lax.check(failed, error.__name__, message)
            return
        failed = known
    if np.any(failed):
        raise error(message)


def _vector(u, dtype=None):
    """SciPy's `_validate_vector`: a 1-D array."""
    u = lax.lift(u) if dtype is None else lax.cast(lax.lift(u), dtype)
    if u.ndim != 1:
        raise ValueError("Input vector should be 1-D.")
    return u


def _validate_weights(w, dtype=np.float64):
    """SciPy's `_validate_weights`, which its pairwise functions call: a 1-D array of no
    negative value."""
    w = _vector(w, dtype)
    _raise_if(np.any(w < 0), ValueError, _NEGATIVE_WEIGHTS)
    return w


def _sized_weights(w, n: int):
    """`_validate_weight_with_size`'s check, then the weights."""
    w = lax.lift(w)
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(f"Weights must have same size as input vector. {w.shape[0]} vs. {n}")
    return _validate_weights(w)


def _as_type(x, typ: str):
    """SciPy's `_convert_to_type` of a real array (a complex one would lose its imaginary
    part with a ComplexWarning: refused)."""
    if x.dtype.kind not in "biuf":
        raise errors.unsupported(f"scipy.spatial.distance of a {x.dtype} array (SciPy "
                                 "converts it to float64, a complex one with a ComplexWarning: "
                                 "pass np.real(x))")
    return lax.cast(x, np.dtype(typ))


def _long_double(dtype) -> bool:
    return dtype == np.longdouble and np.dtype(np.longdouble) != np.float64


def _p(p) -> float:
    return float(lax.known(p, "Minkowski order `p`"))


def _sum(a):
    return np.sum(a, axis=-1)


def _weighted(a, w):
    return a if w is None else w * a


def _total(x, w):
    """The number of features, or the weights' sum."""
    return x.shape[-1] if w is None else np.sum(w)


def _counts(x, y, w):
    """(ntt, ntf, nft, nff): the (weighted) counts of `x != 0` and `y != 0` agreeing."""
    tx, ty = x != 0, y != 0
    fx, fy = np.logical_not(tx), np.logical_not(ty)
    return tuple(_sum(_weighted(a & b, w)) for a, b in ((tx, ty), (tx, fy), (fx, ty), (fx, fy)))


def _max_or_zero(a):
    """The largest of each row, 0 of no features (the loops start from 0)."""
    if a.shape[-1] == 0:
        return lax.lift(np.zeros(a.shape[:-1]))
    return np.max(a, axis=-1)


# ------------------------------------------------------------------ the metric names' formulas
def _euclidean(x, y, w, **_):
    d = x - y
    return np.sqrt(_sum(_weighted(d * d, w)))


def _sqeuclidean(x, y, w, **_):
    d = x - y
    return _sum(_weighted(d * d, w))


def _cityblock(x, y, w, **_):
    return _sum(_weighted(np.abs(x - y), w))


def _chebyshev(x, y, w, **_):
    """The pybind11 loop's `max(dist, d)` from 0 skips NaN differences, and zero weights."""
    d = np.abs(x - y)
    keep = ~np.isnan(d) if w is None else (w > 0) & ~np.isnan(d)
    return _max_or_zero(np.where(keep, d, 0.0))


def _minkowski(x, y, w, p=2.0, **_):
    if p == 1.0:
        return _cityblock(x, y, w)
    if p == 2.0:
        return _euclidean(x, y, w)
    if math.isinf(p):
        return _chebyshev(x, y, w)
    with np.errstate(divide="ignore"):
        inverse = np.float64(1.0) / np.float64(p)  # p = 0: C's 1.0 / 0.0
    return np.power(_sum(_weighted(np.power(np.abs(x - y), p), w)), inverse)


def _braycurtis(x, y, w, **_):
    return _sum(_weighted(np.abs(x - y), w)) / _sum(_weighted(np.abs(x + y), w))


def _canberra(x, y, w, **_):
    denom = np.abs(x) + np.abs(y)
    return _sum(_weighted(np.abs(x - y), w) / (denom + (denom == 0)))


def _hamming(x, y, w, **_):
    return _sum(_weighted(x != y, w)) / _total(x, w)


def _dice(x, y, w, **_):
    if w is None:  # the unweighted loop is arithmetic, of 0/1 values or not
        differ, both = x * (1.0 - y) + y * (1.0 - x), x * y
    else:
        differ, both = w * (x != y), w * ((x != 0) & (y != 0))
    differ = _sum(differ)
    return differ / (2 * _sum(both) + differ)


def _jaccard(x, y, w, **_):
    differ = _sum(_weighted((x != 0) != (y != 0), w))
    either = _sum(_weighted((x != 0) | (y != 0), w))
    return np.where(either != 0, differ / np.where(either != 0, either, 1), 0.0)


def _rogerstanimoto(x, y, w, **_):
    ntt, ntf, nft, nff = _counts(x, y, w)
    return 2 * (ntf + nft) / (_total(x, w) + ntf + nft)


def _russellrao(x, y, w, **_):
    n = _total(x, w)
    return (n - _counts(x, y, w)[0]) / n


def _sokalsneath(x, y, w, **_):
    ntt, ntf, nft, nff = _counts(x, y, w)
    return 2 * (ntf + nft) / (2 * (ntf + nft) + ntt)


def _yule(x, y, w, **_):
    ntt, ntf, nft, nff = _counts(x, y, w)
    half_r = ntf * nft
    return 2.0 * half_r / (ntt * nff + half_r + (half_r == 0))


def _cosine(x, y, **_):
    """The C loop: the dot product over the rows' norms, clipped to [-1, 1]."""
    cos = _sum(x * y) / (np.sqrt(_sum(x * x)) * np.sqrt(_sum(y * y)))
    return 1.0 - np.where(np.abs(cos) > 1.0, np.copysign(1.0, cos), cos)


def _correlation(x, y, **_):
    return _cosine(x - np.mean(x, axis=-1, keepdims=True), y - np.mean(y, axis=-1, keepdims=True))


def _jensenshannon(x, y, **_):
    """The C loop: infinite for a row with a negative value or of zero sum."""
    psum, qsum = _sum(x), _sum(y)
    p, q = x / psum[..., None], y / qsum[..., None]
    m = (p + q) / 2.0

    def part(a):
        return np.where(a > 0.0, a * np.log(np.where(a > 0.0, a / m, 1.0)), 0.0)

    s = _sum(part(p) + part(q))
    bad = np.any(x < 0.0, axis=-1) | np.any(y < 0.0, axis=-1) | (psum == 0.0) | (qsum == 0.0)
    return np.where(bad, np.inf, np.sqrt(s / 2.0))


def _mahalanobis(x, y, VI, **_):
    """The C loop's `d . (VI d)`, as reductions of the pairs' broadcast (a matmul of each
    pair's `d` would be a library call on all of them, stored)."""
    d = x - y
    return np.sqrt(_sum(d * _sum(d[..., None, :] * VI)))


def _seuclidean(x, y, V, **_):
    d = x - y
    return np.sqrt(_sum(d * d / V))


_FORMULAS = {f.__name__[1:]: f for f in (
    _euclidean, _sqeuclidean, _cityblock, _chebyshev, _minkowski, _braycurtis, _canberra,
    _hamming, _dice, _jaccard, _rogerstanimoto, _russellrao, _sokalsneath, _yule, _cosine,
    _correlation, _jensenshannon, _mahalanobis, _seuclidean)}


# ------------------------------------------------------------------ SciPy's functions as metric=
def _function_chebyshev(x, y, w, pairs: int):
    """Python's `max(abs(u - v))`: from the first difference on, NaN if that one is."""
    if x.shape[-1] == 0 and pairs:
        raise ValueError("max() arg is an empty sequence")
    d = np.abs(x - y) if w is None else (w > 0) * np.abs(x - y)
    return np.where(np.isnan(d[..., 0]), d[..., 0], _max_or_zero(np.where(np.isnan(d), 0.0, d)))


def _function_canberra(x, y, w):
    d = _weighted(np.abs(x - y) / (np.abs(x) + np.abs(y)), w)
    return _sum(np.where(np.isnan(d), 0.0, d))  # np.nansum


def _function_correlation(x, y, w, centered: bool):
    if w is not None:
        w = w / np.sum(w)
    if centered:
        if w is None:
            x, y = x - np.mean(x, axis=-1, keepdims=True), y - np.mean(y, axis=-1, keepdims=True)
        else:
            x, y = x - _sum(x * w)[..., None], y - _sum(y * w)[..., None]
    xw, yw = (x, y) if w is None else (x * w, y * w)
    return np.clip(1.0 - _sum(x * yw) / np.sqrt(_sum(x * xw) * _sum(y * yw)), 0.0, 2.0)


def _function_jensenshannon(x, y, base):
    from scipy import special

    p, q = x / _sum(x)[..., None], y / _sum(y)[..., None]
    m = (p + q) / 2.0
    js = _sum(special.rel_entr(p, m)) + _sum(special.rel_entr(q, m))
    if base is not None:
        js = js / np.log(base)
    return np.sqrt(js / 2.0)


def _finite_norm_operand(x, y, root_w) -> None:
    """`scipy.linalg.norm` checks its operand, `root_w * (u - v)`, is finite."""
    d = x - y
    _raise_if(np.any(~np.isfinite(_weighted(d, root_w))), ValueError, _NOT_FINITE)


def _root_weights(w, p: float):
    if w is None or p == 1:
        return w
    if p == 2:
        return np.sqrt(w)
    return (w != 0) if math.isinf(p) else np.power(w, 1 / p)


def _function_values(name: str, x, y, args: dict, pairs: int):
    """What SciPy's function `name` gives for each pair, with its errors: `args` are its
    bound keyword arguments."""
    w = args.get("w")
    w = None if w is None else _validate_weights(w)
    if name in ("euclidean", "minkowski"):
        p = args.get("p", 2.0)
        _finite_norm_operand(x, y, _root_weights(w, p))
        return _minkowski(x, y, w, p=p)
    if name == "seuclidean":
        inverse = _validate_weights(1 / _vector(args["V"], np.float64))
        _finite_norm_operand(x, y, np.sqrt(inverse))
        return _euclidean(x, y, inverse)
    if name == "chebyshev":
        return _function_chebyshev(x, y, w, pairs)
    if name == "canberra":
        return _function_canberra(x, y, w)
    if name in ("cosine", "correlation"):
        return _function_correlation(x, y, w, name == "correlation" and args["centered"])
    if name == "jensenshannon":
        return _function_jensenshannon(x, y, args["base"])
    if name == "mahalanobis":
        return _mahalanobis(x, y, _square(args["VI"], x.shape[-1]))
    _function_errors(name, x, y, w, pairs)
    return _FORMULAS[name](x, y, w)


def _function_errors(name: str, x, y, w, pairs: int) -> None:
    """The boolean functions' errors of some values: Python's float division by zero, and
    the Sokal-Sneath distance of all-false vectors."""
    if name == "russellrao" and w is None and x.shape[-1] == 0 and pairs:
        raise ZeroDivisionError("float division by zero")
    if name == "rogerstanimoto":
        ntt, ntf, nft, nff = _counts(x, y, w)
        _raise_if(np.any(ntt + nff + 2.0 * (ntf + nft) == 0), ZeroDivisionError,
                  "float division by zero")
    if name == "sokalsneath":
        ntt, ntf, nft, nff = _counts(x, y, w)
        _raise_if(np.any(ntt + 2.0 * (ntf + nft) == 0), ValueError,
                  "Sokal-Sneath dissimilarity is not defined for vectors that are entirely "
                  "false.")


# ------------------------------------------------------------------ cdist and pdist
def _metric(metric) -> tuple:
    """(canonical name, whether SciPy's function computes it) of `metric=`."""
    D = _distance()
    if callable(metric):
        known = _FUNCTIONS.get(id(metric))
        if known is None or known[0] is not metric:
            raise errors.unsupported(
                f"metric={getattr(metric, '__name__', metric)!r}, a Python function of two "
                "rows that SciPy calls once per pair (pass a metric name such as "
                "'euclidean' or one of scipy.spatial.distance's functions, or compute the "
                "distances by broadcasting: np.sqrt(((XA[:, None, :] - XB[None, :, :]) ** "
                "2).sum(-1)))")
        return known[1], True
    if not isinstance(metric, str):
        raise TypeError("2nd argument metric must be a string identifier or a function.")
    mstr = metric.lower()
    info = D._METRIC_ALIAS.get(mstr)
    if info is not None:
        return info.canonical_name, False
    if mstr.startswith("test_"):  # SciPy's function, pair by pair
        info = D._TEST_METRICS.get(mstr)
        if info is None:
            raise ValueError(f'Unknown "Test" Distance Metric: {mstr[5:]}')
        return info.canonical_name, True
    raise ValueError(f"Unknown Distance Metric: {mstr}")


def _square(VI, n: int):
    VI = _as_type(lax.lift(VI), "double")
    if VI.shape != (n, n):
        raise errors.unsupported(f"mahalanobis's VI of shape {VI.shape} for {n} features "
                                 "(SciPy reads its first n * n values as an n by n matrix; "
                                 "pass an (n, n) VI)")
    return VI


def _validated(name: str, rows: tuple, n: int, kwargs: dict) -> dict:
    """SciPy's `metric_info.validator`: the default or checked `w`, `p`, `V` and `VI`."""
    kwargs = dict(kwargs)
    m = sum(r.shape[0] for r in rows)
    if name == "hamming":
        w = kwargs.get("w")
        kwargs["w"] = _sized_weights(np.ones(n) if w is None else w, n)
    elif name == "minkowski":
        w = kwargs.pop("w", None)
        if w is not None:
            kwargs["w"] = _sized_weights(w, n)
        kwargs["p"] = _p(kwargs.get("p", 2.0))
        if kwargs["p"] <= 0:
            raise ValueError("p must be greater than 0")
    elif name == "mahalanobis":
        kwargs["VI"] = _default_vi(rows, m, n) if kwargs.get("VI") is None else \
            _square(kwargs["VI"], n)
    elif name == "seuclidean":
        kwargs["V"] = _variances(rows, n, kwargs.get("V"))
    return kwargs


def _default_vi(rows: tuple, m: int, n: int):
    if m <= n:
        raise ValueError(
            f"The number of observations ({m}) is too small; the covariance matrix is "
            f"singular. For observations with {n} dimensions, at least {n + 1} observations "
            "are required.")
    stacked = np.concatenate([lax.cast(r, np.float64) for r in rows])
    return np.linalg.inv(np.atleast_2d(np.cov(stacked.T))).T


def _variances(rows: tuple, n: int, V):
    if V is None:
        stacked = np.concatenate([lax.cast(r, np.float64) for r in rows])
        return np.var(stacked, axis=0, ddof=1)
    V = lax.lift(V)
    if V.ndim != 1:
        raise ValueError("Variance vector V must be one-dimensional.")
    if V.shape[0] != n:
        raise ValueError("Variance vector V must be of the same dimension as the vectors on "
                         "which the distances are computed.")
    return _as_type(V, "double")


def _bound(name: str, kwargs: dict) -> dict:
    """`kwargs` bound to SciPy's function `name` (its TypeError for others), defaults added."""
    fn = _distance()._METRICS[name].dist_func
    try:
        bound = inspect.signature(fn).bind(None, None, **kwargs)
    except TypeError as e:  # Python's message when calling it
        raise TypeError(f"{fn.__name__}() {e}") from None
    bound.apply_defaults()
    args = dict(bound.arguments)
    if name == "jensenshannon" and (args["axis"] not in (0, -1) or args["keepdims"]):
        raise errors.unsupported("scipy.spatial.distance.jensenshannon as a metric with "
                                 "axis= or keepdims=")
    return args


def _pairs_count(x, y) -> int:
    return math.prod(np.broadcast_shapes(x.shape, y.shape)[:-1])


def _by_function(name: str, rows: tuple, pair: Callable, kwargs: dict):
    """SciPy's `_cdist_callable`: the rows converted to the metric's type, validated, and
    its function of each pair."""
    types = _distance()._METRICS[name].types
    typ = next((t for t in types if np.dtype(t) == rows[0].dtype), types[0])
    rows = tuple(_as_type(r, typ) for r in rows)
    n = rows[0].shape[1]
    args = _bound(name, _validated(name, rows, n, kwargs))
    x, y = pair(tuple(lax.cast(r, np.float64) for r in rows))
    return _function_values(name, x, y, args, _pairs_count(x, y))


def _by_c_loop(name: str, rows: tuple, pair: Callable, kwargs: dict, kind: str):
    """SciPy's `CDistMetricWrapper`/`PDistMetricWrapper`: float64 rows, the validator, then
    the C loop (SciPy's function of each pair when weighted)."""
    rows = tuple(_as_type(r, "double") for r in rows)
    n = rows[0].shape[1]
    kwargs = _validated(name, rows, n, kwargs)
    w = kwargs.pop("w", None)
    x, y = pair(rows)
    if w is not None:
        return _function_values(name, x, y, _bound(name, dict(kwargs, w=w)),
                                _pairs_count(x, y))
    extra = set(kwargs) - {"V", "VI"}
    if extra:
        raise TypeError(f"{kind}_{name}_double_wrap() got unexpected keyword arguments "
                        f"{sorted(extra)}")
    return _FORMULAS[name](x, y, **kwargs)


def _by_pybind(name: str, rows: tuple, pair: Callable, kwargs: dict, kind: str):
    """SciPy's `_distance_pybind` loops: the rows (and weights) promoted to float64."""
    allowed = {"w", "p"} if name == "minkowski" else {"w"}
    if set(kwargs) - allowed:
        raise TypeError(f"{kind}_{name}(): incompatible function arguments "
                        f"({', '.join(sorted(set(kwargs) - allowed))})")
    w = kwargs.get("w")
    w = None if w is None else lax.lift(w)
    dtype = functools.reduce(np.promote_types, [r.dtype for r in rows] +
                             ([] if w is None else [w.dtype]))
    if dtype.kind not in "biuf":
        raise ValueError(f"Unsupported dtype {dtype}")
    if _long_double(dtype):  # SciPy's loops compute in it
        raise errors.unsupported(f"scipy.spatial.distance.{kind} of {dtype} arrays")
    n = rows[0].shape[1]
    if w is not None:
        if w.ndim != 1:
            raise ValueError("Weights must be a vector (ndim = 1)")
        if w.shape[0] != n:
            raise ValueError(f"Weights must have same size as input vector. {w.shape[0]} vs. "
                             f"{n}.")
        w = lax.cast(w, np.float64)
        _raise_if(np.any(w < 0), ValueError, _NEGATIVE_WEIGHTS)
    x, y = pair(tuple(lax.cast(r, np.float64) for r in rows))
    return _FORMULAS[name](x, y, w, p=_p(kwargs.get("p", 2.0)))


def _distances(metric, rows: tuple, pair: Callable, kwargs: dict, kind: str) -> tuple:
    """(float64 distances of the pairs, whether the pybind11 loop computed them)."""
    name, by_function = _metric(metric)
    if by_function:
        dm, pybind = _by_function(name, rows, pair, kwargs), False
    elif isinstance(_distance()._METRICS[name].cdist_func, _distance().CDistMetricWrapper):
        dm, pybind = _by_c_loop(name, rows, pair, kwargs, kind), False
    else:
        dm, pybind = _by_pybind(name, rows, pair, kwargs, kind), True
    return lax.cast(dm, np.float64), pybind


def _into(dm, out, pybind: bool):
    """`out=`: checked as SciPy does (pybind11's or Python's messages), then written."""
    if out is None:
        return dm
    if not isinstance(out, np.ndarray) and not lax.is_tracer(out):
        raise TypeError("out argument must be an ndarray") if pybind else \
            AttributeError(f"'{type(out).__name__}' object has no attribute 'shape'")
    if tuple(out.shape) != tuple(dm.shape):
        raise ValueError("Output array has incorrect shape.")
    if lax.is_tracer(out) and getattr(out, "_view", None) is not None:
        raise errors.unsupported("scipy.spatial.distance's out= as a view of an array (SciPy "
                                 "needs a C-contiguous array: pass a whole one)")
    if out.dtype != np.float64:
        raise ValueError("wrong out dtype, expected float64" if pybind else
                         "Output array must be double type.")
    out[...] = dm
    return out


def _every_pair(rows: tuple) -> tuple:
    return rows[0][:, None, :], rows[1][None, :, :]


def cdist(XA, XB, metric="euclidean", *, out=None, **kwargs):
    """`scipy.spatial.distance.cdist` of traced arrays: each row of XA against each of XB."""
    xa, xb = lax.lift(XA), lax.lift(XB)
    if xa.ndim != 2:
        raise ValueError("XA must be a 2-dimensional array.")
    if xb.ndim != 2:
        raise ValueError("XB must be a 2-dimensional array.")
    if xa.shape[1] != xb.shape[1]:
        raise ValueError("XA and XB must have the same number of columns "
                         "(i.e. feature dimension.)")
    dm, pybind = _distances(metric, (xa, xb), _every_pair, kwargs, "cdist")
    return _into(dm, out, pybind)


def pdist(X, metric="euclidean", *, out=None, **kwargs):
    """`scipy.spatial.distance.pdist` of a traced array: the pairs `i < j` of its rows, in
    the condensed order (row i's pairs, then row i + 1's)."""
    x = lax.lift(X)
    if x.ndim != 2:
        raise ValueError(f"A 2-dimensional array must be passed. (Shape was {x.shape}).")
    kwargs = {k: v for k, v in kwargs.items() if not (k in ("w", "V", "VI") and v is None)}
    dm, pybind = _distances(metric, (x,), _rotations, kwargs, "pdist")
    m = x.shape[0]
    first, second = np.triu_indices(m, 1)
    condensed = np.take(lax.reshape(dm, (dm.size,)), first * max(m - 1, 0) + second - first - 1)
    return _into(condensed, out, pybind)


def _rotations(rows: tuple) -> tuple:
    """Each row against each other one, `y[i, k] = x[(i + k + 1) % m]`: every pair twice and
    none of a row with itself, whose distance's derivative (sqrt's at 0) would turn the
    gradient NaN; a strided view of `x` twice over, read by the one kernel of the formula,
    where pairs gathered row by row would be copies of `n` values each."""
    (x,) = rows
    m, n = x.shape
    if m <= 1:
        return x[:0], x[:0]
    twice = np.concatenate([x, x[:-1]])
    return x[:, None, :], lax.strided(twice, (1, 0), (m, m - 1, n), (0, 0, 1), (1, 1, 1))


def squareform(X, force="no", checks=True):
    """`scipy.spatial.distance.squareform`: a condensed vector to its symmetric matrix (a
    gather of the vector behind a zero), or a square matrix to its upper triangle."""
    x = lax.lift(X)
    s = x.shape
    if force.lower() == "tomatrix" and len(s) != 1:
        raise ValueError("Forcing 'tomatrix' but input X is not a distance vector.")
    if force.lower() == "tovector" and len(s) != 2:
        raise ValueError("Forcing 'tovector' but input X is not a distance matrix.")
    if len(s) == 1:
        return _to_matrix(x)
    if len(s) == 2:
        return _to_vector(x, checks)
    raise ValueError("The first argument must be one or two dimensional array. "
                     f"A {len(s)}-dimensional array is not permitted")


def _to_matrix(x):
    if x.shape[0] == 0:
        return lax.lift(np.zeros((1, 1), dtype=x.dtype))
    d = int(np.ceil(np.sqrt(x.shape[0] * 2)))
    if d * (d - 1) != x.shape[0] * 2:
        raise ValueError("Incompatible vector size. It must be a binomial coefficient n "
                         "choose 2 for some integer n >= 2.")
    index = np.zeros((d, d), dtype=np.intp)  # 0: the zero in front of the vector
    i, j = np.triu_indices(d, 1)
    index[i, j] = index[j, i] = np.arange(1, len(i) + 1)
    return np.take(np.concatenate([np.zeros(1, dtype=x.dtype), x]), index)


def _to_vector(x, checks: bool):
    if x.shape[0] != x.shape[1]:
        raise ValueError("The matrix argument must be square.")
    if checks:  # SciPy's is_valid_dm(X, throw=True, name='X')
        _raise_if(np.any(x != x.T), ValueError, "Distance matrix 'X' must be symmetric.")
        _raise_if(np.any(np.diagonal(x) != 0), ValueError,
                  "Distance matrix 'X' diagonal must be zero.")
    if x.shape[0] <= 1:
        return lax.lift(np.array([], dtype=x.dtype))
    i, j = np.triu_indices(x.shape[0], 1)
    return x[i, j]


# ------------------------------------------------------------------ pairwise functions
def minkowski(u, v, p=2, w=None):
    """`scipy.spatial.distance.minkowski` (and so `euclidean`, `seuclidean`): SciPy's
    `scipy.linalg.norm` of the weighted difference, a Python float where it calls BLAS's
    nrm2 (p = 2 of a float vector), else NumPy's norm; non-finite differences raise."""
    u, v = _vector(u), _vector(v)
    p = lax.known(p, "Minkowski order `p`")
    if p <= 0:
        raise ValueError("p must be greater than 0")
    u_v = u - v
    if w is not None:
        u_v = _root_weights(_validate_weights(w), p) * u_v
    if u_v.dtype.kind in "fc":
        _raise_if(np.any(~np.isfinite(u_v)), ValueError, _NOT_FINITE)
    norm = np.linalg.norm(u_v, ord=p)
    if u_v.size and u_v.dtype.char in "fdFD" and p == 2:
        return lax.python_scalar(norm, np.float64)
    return lax.lift(norm).with_returns("scalar")


def jaccard(u, v, w=None):
    """`scipy.spatial.distance.jaccard`: 0 where no feature is nonzero in either."""
    u, v = _vector(u), _vector(v)
    unequal = np.bitwise_xor(u != 0, v != 0)
    nonzero = np.bitwise_or(u != 0, v != 0)
    if w is not None:
        w = _validate_weights(w)
        unequal, nonzero = w * unequal, w * nonzero
    a, b = lax.cast(np.sum(unequal), np.float64), lax.cast(np.sum(nonzero), np.float64)
    return np.where(b != 0, a / np.where(b != 0, b, 1.0), 0.0).with_returns("scalar")


def yule(u, v, w=None):
    """`scipy.spatial.distance.yule`: a Python float, 0.0 where `ntf * nft` is 0."""
    u, v = _vector(u), _vector(v)
    w = None if w is None else _validate_weights(w)
    nff, nft, ntf, ntt = _distance()._nbool_correspond_all(u, v, w=w)
    half_r = ntf * nft
    zero = half_r == 0
    return lax.python_scalar(
        np.where(zero, 0.0, 2.0 * half_r / np.where(zero, 1, ntt * nff + half_r)), np.float64)


def sokalsneath(u, v, w=None):
    """`scipy.spatial.distance.sokalsneath`: its ValueError for all-false vectors is raised
    when the compiled function runs."""
    u, v = _vector(u), _vector(v)
    if u.dtype == v.dtype == np.bool_ and w is None:
        ntt = np.sum(u & v)
    elif w is None:
        ntt = np.sum(u * v)
    else:
        w = _validate_weights(w)
        ntt = np.sum(u * v * w)
    nft, ntf = _distance()._nbool_correspond_ft_tf(u, v, w=w)
    denom = lax.cast(ntt + 2.0 * (ntf + nft), np.float64)
    _raise_if(denom == 0, ValueError, "Sokal-Sneath dissimilarity is not defined for vectors "
                                      "that are entirely false.")
    return (lax.cast(2.0 * (ntf + nft), np.float64) / denom).with_returns("scalar")


def dice(u, v, w=None):
    """`scipy.spatial.distance.dice`: a Python float."""
    u, v = _vector(u), _vector(v)
    w = None if w is None else _validate_weights(w)
    if u.dtype == v.dtype == np.bool_ and w is None:
        ntt = np.sum(u & v)
    else:
        dtype = np.result_type(int, u.dtype, v.dtype)
        u, v = lax.cast(u, dtype), lax.cast(v, dtype)
        ntt = np.sum(u * v) if w is None else np.sum(u * v * w)
    nft, ntf = _distance()._nbool_correspond_ft_tf(u, v, w=w)
    return lax.python_scalar(np.true_divide(ntf + nft, 2.0 * ntt + ntf + nft), np.float64)


def rogerstanimoto(u, v, w=None):
    """`scipy.spatial.distance.rogerstanimoto`: a Python float's division, whose
    ZeroDivisionError is raised when the compiled function runs."""
    u, v = _vector(u), _vector(v)
    w = None if w is None else _validate_weights(w)
    nff, nft, ntf, ntt = _distance()._nbool_correspond_all(u, v, w=w)
    differ = lax.cast(2.0 * (ntf + nft), np.float64)
    denom = lax.cast(ntt + nff + differ, np.float64)
    _raise_if(denom == 0, ZeroDivisionError, "float division by zero")
    return lax.python_scalar(differ / np.where(denom == 0, 1.0, denom), np.float64)


def russellrao(u, v, w=None):
    """`scipy.spatial.distance.russellrao`: a Python float over the length, a NumPy one
    over the weights' sum."""
    u, v = _vector(u), _vector(v)
    if w is None:
        ntt = np.sum(u & v) if u.dtype == v.dtype == np.bool_ else np.sum(u * v)
        if len(u) == 0:
            raise ZeroDivisionError("float division by zero")
        return lax.python_scalar(lax.cast(float(len(u)) - ntt, np.float64) / float(len(u)),
                                 np.float64)
    w = _validate_weights(w)
    n = np.sum(w)
    return (lax.cast(n - np.sum(u * v * w), np.float64) / n).with_returns("scalar")


_TRACED = {f.__name__: f for f in (cdist, pdist, squareform, minkowski, jaccard, yule,
                                   sokalsneath, dice, rogerstanimoto, russellrao,
                                   _validate_weights)}


def routes() -> list:
    """`scipy.spatial.distance`'s functions replaced while a trace runs
    (`trace._late_routes`); SciPy's distance functions, and these, are metrics `cdist` and
    `pdist` know."""
    D = _distance()
    wrappers = {name: when_traced(fn, getattr(D, name)) for name, fn in _TRACED.items()}
    for info in D._METRIC_INFOS:
        _FUNCTIONS[id(info.dist_func)] = (info.dist_func, info.canonical_name)
        routed = wrappers.get(info.canonical_name)
        if routed is not None:
            _FUNCTIONS[id(routed)] = (routed, info.canonical_name)
    return [(D, wrappers)]
