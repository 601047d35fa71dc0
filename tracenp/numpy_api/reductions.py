"""Reductions and scans with NumPy's axis, keepdims, dtype, where and out handling.

sum/prod accumulate in NumPy's default dtype (platform int for small
integers and bool); mean/var/std follow `numpy/_core/_methods.py` step by step
so results match NumPy bit for bit on the reference backend.
"""

from __future__ import annotations

import numpy as np

from .. import errors, lax
from ..ops import Op
from ..shapes import normalize_axes, normalize_axis
from . import implements
from .ufuncs import _store


def _acc_dtype(dtype: np.dtype) -> np.dtype:
    """NumPy's default accumulator of add/multiply reductions."""
    if dtype == np.bool_ or (dtype.kind == "i" and dtype.itemsize < np.dtype(np.int_).itemsize):
        return np.dtype(np.int_)
    if dtype.kind == "u" and dtype.itemsize < np.dtype(np.uint).itemsize:
        return np.dtype(np.uint)
    return dtype


def _finish(r, x, axes, keepdims, out, name):
    if keepdims:
        r = lax.reshape(r, tuple(1 if i in axes else d for i, d in enumerate(x.shape)))
    if out is not None:
        if lax.is_tracer(out) and out.shape != r.shape:  # NumPy does not broadcast into it
            raise ValueError(f"output parameter for reduction operation {name} has the wrong "
                             f"shape: found {out.shape} but expected {r.shape}")
        return _store(getattr(np, name, np.add), (r,), out, True, "unsafe")
    return r


def _reduce(op, a, axis, dtype, out, keepdims, initial, where, identity, name):
    x = lax.lift(a)
    if dtype is not None:
        x = lax.cast(x, dtype)
    axes = normalize_axes(axis, x.ndim)
    if where is not True:
        if identity is None and initial is np._NoValue:
            raise ValueError(f"reduction operation '{name}' does not have an identity, so to use a "
                             "where mask one has to specify 'initial'")
        fill = initial if identity is None else identity  # `initial` enters once, below
        x = np.where(where, x, lax.lift(np.asarray(fill, x.dtype)))
    if initial is not np._NoValue and any(x.shape[a] == 0 for a in axes):
        kept = tuple(d for i, d in enumerate(x.shape) if i not in axes)  # nothing but `initial`
        return _finish(lax.broadcast_to(lax.lift(np.asarray(initial, x.dtype)), kept), x, axes,
                       keepdims, out, name)
    r = lax.reduce(op, x, axes)
    if initial is not np._NoValue:
        r = _combine(op, r, lax.lift(np.asarray(initial, x.dtype)))
    return _finish(r, x, axes, keepdims, out, name)


def _combine(op, r, init):
    return {Op.SUM: np.add, Op.PROD: np.multiply, Op.MAX: np.maximum, Op.MIN: np.minimum}[op](
        r, init).astype(r.dtype)


def _loop_dtype(a, dtype, out) -> np.dtype:
    """The dtype a sum, product or scan runs in: `dtype=`, else that of an inexact `out=`
    (NumPy's ufunc methods take it from `out`), else NumPy's default accumulator."""
    if dtype is not None:
        return lax.as_dtype(dtype)
    if out is not None and lax.is_tracer(out) and out.dtype.kind in "fc" and \
            a.dtype.kind in "fc" and np.can_cast(a.dtype, out.dtype):
        return out.dtype
    return _acc_dtype(a.dtype)


@implements(np.sum)
def sum_(a, axis=None, dtype=None, out=None, keepdims=False, initial=np._NoValue, where=True):
    a = lax.lift(a)
    dtype = _loop_dtype(a, dtype, out)
    return _reduce(Op.SUM, a, axis, dtype, out, keepdims, initial, where, 0, "add")


@implements(np.prod)
def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=np._NoValue, where=True):
    a = lax.lift(a)
    dtype = _loop_dtype(a, dtype, out)
    return _reduce(Op.PROD, a, axis, dtype, out, keepdims, initial, where, 1, "multiply")


@implements(np.max, np.amax)
def max_(a, axis=None, out=None, keepdims=False, initial=np._NoValue, where=True):
    return _reduce(Op.MAX, a, axis, None, out, keepdims, initial, where, None, "maximum")


@implements(np.min, np.amin)
def min_(a, axis=None, out=None, keepdims=False, initial=np._NoValue, where=True):
    return _reduce(Op.MIN, a, axis, None, out, keepdims, initial, where, None, "minimum")


@implements(np.any)
def any_(a, axis=None, out=None, keepdims=False, *, where=True):
    nz = np.not_equal(a, 0)
    return np.greater(np.sum(nz, axis=axis, keepdims=keepdims, where=where), 0, out=out)


@implements(np.all)
def all_(a, axis=None, out=None, keepdims=False, *, where=True):
    zero = np.equal(a, 0)
    return np.equal(np.sum(zero, axis=axis, keepdims=keepdims, where=where), 0, out=out)


def _count(x, axes) -> int:
    n = 1
    for a in axes:
        n *= x.shape[a]
    return n


def _divide_by_count(total, n):
    """NumPy divides a masked total by its intp count in double, then casts back (`out=`)."""
    r = np.true_divide(total, n)
    return lax.cast(r, total.dtype) if total.dtype.kind in "fc" else r


def _no_axis_of_0d(axis, ndim: int) -> None:
    """mean/var/std count items per axis (`_count_reduce_items`): a 0-d array has no axis 0."""
    if ndim == 0 and axis is not None:
        raise np.exceptions.AxisError(axis if isinstance(axis, (int, np.integer)) else axis[0], 0)


@implements(np.mean)
def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    x = lax.lift(a)
    _no_axis_of_0d(axis, x.ndim)
    axes = normalize_axes(axis, x.ndim)
    is_f16 = False
    if dtype is None:
        if x.dtype.kind in "biu":
            dtype = np.dtype(np.float64)
        elif x.dtype == np.float16:
            dtype, is_f16 = np.dtype(np.float32), True
    if out is not None and where is True:  # NumPy sums into `out`, then divides `out` in place
        total = np.sum(x, axis=axis, dtype=dtype, keepdims=keepdims, out=out)
        return _store(np.true_divide, (np.true_divide(total, _count(x, axes)),), out, True,
                      "unsafe")
    total = np.sum(x, axis=axis, dtype=dtype, keepdims=keepdims, where=where)
    if where is not True:
        n = np.sum(np.broadcast_to(where, x.shape), axis=axis, keepdims=keepdims, dtype=np.intp)
        r = _divide_by_count(total, n)
    else:
        r = np.true_divide(total, _count(x, axes))
    if is_f16:
        r = r.astype(np.float16)
    elif dtype is not None and r.dtype != dtype:
        r = r.astype(dtype)
    if out is not None:
        return _store(np.add, (r,), out, True, "unsafe")
    return r


@implements(np.var)
def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True, mean=None,
        correction=np._NoValue):
    if correction is not np._NoValue:
        ddof = correction
    x = lax.lift(a)
    _no_axis_of_0d(axis, x.ndim)
    axes = normalize_axes(axis, x.ndim)
    if dtype is None and x.dtype.kind in "biu":
        dtype = np.dtype(np.float64)
    m = mean if mean is not None else np.mean(x, axis=axis, dtype=dtype, keepdims=True,
                                              where=where)
    d = np.subtract(x, m)
    if where is not True:  # unselected deviations (NaN in nanvar) get no cotangent times NaN
        d = np.where(where, d, 0)
    if np.issubdtype(d.dtype, np.complexfloating):
        sq = np.real(np.multiply(d, np.conjugate(d)))
    else:
        sq = np.multiply(d, d)
    total = np.sum(sq, axis=axis, dtype=dtype, keepdims=keepdims, where=where)
    if where is not True:
        n = np.sum(np.broadcast_to(where, x.shape), axis=axis, keepdims=keepdims, dtype=np.intp)
        r = _divide_by_count(total, np.maximum(n - ddof, 0))
    else:
        r = np.true_divide(total, max(_count(x, axes) - ddof, 0))
    if (x.dtype == np.float16 and dtype is None) or total.dtype.kind in "biu":
        r = r.astype(total.dtype)  # NumPy divides into the sum's dtype (`dtype=np.int32`)
    if out is not None:
        return _store(np.add, (r,), out, True, "unsafe")
    return r


@implements(np.std)
def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True, mean=None,
        correction=np._NoValue):
    v = var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where, mean=mean,
            correction=correction)
    r = np.sqrt(v)
    if v.dtype.kind in "biu":  # NumPy's square root into an integer `dtype=`
        if v.ndim:
            raise np._core._exceptions._UFuncOutputCastingError(
                np.sqrt, "same_kind", r.dtype, v.dtype, 0)
        r = r.astype(v.dtype)
    if out is not None:
        return _store(np.sqrt, (r,), out, True, "unsafe")
    return r


def _arg(op, a, axis, out, keepdims):
    x = lax.lift(a)
    ax = None if axis is None else normalize_axis(axis, x.ndim)
    if x.ndim == 0:  # NumPy takes axis 0 or -1 of a 0-d array as no axis
        ax = None
    r = lax.bind(op, x, axis=ax)
    if keepdims:
        r = lax.reshape(r, (1,) * x.ndim if ax is None else
                        tuple(1 if i == ax else d for i, d in enumerate(x.shape)))
    if out is not None:
        return _store(np.add, (r,), out, True, "unsafe")
    return r


@implements(np.argmax)
def argmax(a, axis=None, out=None, *, keepdims=False):
    return _arg(Op.ARGMAX, a, axis, out, keepdims)


@implements(np.argmin)
def argmin(a, axis=None, out=None, *, keepdims=False):
    return _arg(Op.ARGMIN, a, axis, out, keepdims)


def _scan(op, a, axis, dtype, out):
    x = lax.lift(a)
    if axis is None:
        x, axis = np.ravel(x), 0
    dtype = _loop_dtype(x, dtype, out)
    x = lax.cast(x, dtype)
    axis = normalize_axis(axis, max(x.ndim, 1), strict=True)  # NumPy scans a 0-d array as 1-d
    r = lax.bind(op, x, axis=axis) if x.ndim else lax.reshape(x, (1,))
    if out is not None:
        return _store(np.add, (r,), out, True, "unsafe")
    return r


@implements(np.cumsum)
def cumsum(a, axis=None, dtype=None, out=None, **kw):
    return _scan(Op.CUMSUM, a, axis, dtype, out)


@implements(np.cumprod)
def cumprod(a, axis=None, dtype=None, out=None, **kw):
    return _scan(Op.CUMPROD, a, axis, dtype, out)


@implements(np.cumulative_sum)
def cumulative_sum(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    return _cumulative(Op.CUMSUM, 0, x, axis, dtype, out, include_initial)


@implements(np.cumulative_prod)
def cumulative_prod(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    return _cumulative(Op.CUMPROD, 1, x, axis, dtype, out, include_initial)


def _cumulative(op, identity, x, axis, dtype, out, include_initial: bool):
    """The array-API scans: `axis` required above 1-d, and `include_initial` puts the
    identity first along the axis."""
    x = lax.lift(x)
    if axis is None and x.ndim > 1:
        raise ValueError("For arrays which have more than one dimension ``axis`` argument is "
                         "required.")
    r = _scan(op, x, axis, dtype, None)
    if include_initial:
        ax = normalize_axis(0 if axis is None else axis, r.ndim)
        first = lax.broadcast_to(lax.lift(np.asarray(identity, r.dtype)),
                                 r.shape[:ax] + (1,) + r.shape[ax + 1:])
        r = np.concatenate([first, r], axis=ax)
    if out is not None:
        return _store(np.add, (r,), out, True, "unsafe")
    return r


# ----------------------------------------------------------------------------- nan-variants


def _nan_fill(a, value):
    a = lax.lift(a)
    if a.dtype.kind not in "fc":
        return a, None
    nan = np.isnan(a)
    return np.where(nan, lax.lift(np.asarray(value, a.dtype)), a), nan


@implements(np.nansum)
def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=np._NoValue,
           where=True):
    x, _ = _nan_fill(a, 0)
    return np.sum(x, axis=axis, dtype=dtype, out=out, keepdims=keepdims, initial=initial,
                  where=where)


@implements(np.nanprod)
def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=np._NoValue,
            where=True):
    x, _ = _nan_fill(a, 1)
    return np.prod(x, axis=axis, dtype=dtype, out=out, keepdims=keepdims, initial=initial,
                   where=where)


def _nan_extremum(reducer, fill, a, axis, out, keepdims, initial, where):
    if where is not True and initial is np._NoValue:
        raise ValueError(f"reduction operation '{'fmax' if fill < 0 else 'fmin'}' does not have "
                         "an identity, so to use a where mask one has to specify 'initial'")
    if lax.lift(a).dtype.kind in "mM":
        if initial is not np._NoValue or where is not True:
            raise errors.unsupported("np.nanmax/np.nanmin of datetimes with initial= or where=")
        r = _nat_extremum(reducer, lax.lift(a), axis, keepdims, fill < 0)
        return _store(np.add, (r,), out, True, "unsafe") if out is not None else r
    x, nan = _nan_fill(a, fill)
    r = reducer(x, axis=axis, keepdims=keepdims, initial=initial, where=where)
    if nan is not None and initial is np._NoValue:  # else an all-nan slice gives `initial`
        r = np.where(np.all(nan, axis=axis, keepdims=keepdims), np.nan, r).astype(r.dtype)
    if out is not None:
        return _store(np.add, (r,), out, True, "unsafe")
    return r


def _nat_extremum(reducer, x, axis, keepdims: bool, largest: bool):
    """NumPy's `np.fmax.reduce` / `np.fmin.reduce` of datetimes: NaT is skipped, and a slice of
    NaTs only gives NaT."""
    from .ufuncs import NAT

    ints = lax.cast(x, np.int64)
    nat = np.equal(ints, NAT)
    r = reducer(np.where(nat, NAT + 1 if largest else np.iinfo(np.int64).max, ints), axis=axis,
                keepdims=keepdims)
    return lax.cast(np.where(np.all(nat, axis=axis, keepdims=keepdims), NAT, r), x.dtype)


@implements(np.nanmax)
def nanmax(a, axis=None, out=None, keepdims=False, initial=np._NoValue, where=True):
    return _nan_extremum(np.max, -np.inf, a, axis, out, keepdims, initial, where)


@implements(np.nanmin)
def nanmin(a, axis=None, out=None, keepdims=False, initial=np._NoValue, where=True):
    return _nan_extremum(np.min, np.inf, a, axis, out, keepdims, initial, where)


def _nan_arg(arg, fill, a, axis, out, keepdims):
    """NumPy's nanargmax/nanargmin: the arg of the NaN-filled values; a slice of NaNs only
    raises NumPy's ValueError when the function runs."""
    x, nan = _nan_fill(a, fill)
    if nan is not None and nan.size:
        if not lax.check(np.any(np.all(nan, axis=axis)), "ValueError",
                         "All-NaN slice encountered"):
            raise errors.unsupported(f"np.nan{arg.__name__} of floats inside a gradient")
    return arg(x, axis=axis, out=out, keepdims=keepdims)


@implements(np.nanargmax)
def nanargmax(a, axis=None, out=None, *, keepdims=False):
    return _nan_arg(np.argmax, -np.inf, a, axis, out, keepdims)


@implements(np.nanargmin)
def nanargmin(a, axis=None, out=None, *, keepdims=False):
    return _nan_arg(np.argmin, np.inf, a, axis, out, keepdims)


@implements(np.nanmean)
def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    a = lax.lift(a)
    if a.dtype.kind not in "fc":
        return np.mean(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, where=where)
    _inexact_dtype(dtype)
    axis = _ufunc_axis(axis, a.ndim)
    valid = np.logical_not(np.isnan(a))
    if where is not True:
        valid = np.logical_and(valid, where)
    return np.mean(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, where=valid)


def _inexact_dtype(dtype) -> None:
    """NumPy's nan-means and variances of floats refuse an integer `dtype=`."""
    if dtype is not None and not np.issubdtype(np.dtype(dtype), np.inexact):
        raise TypeError("If a is inexact, then dtype must be inexact")


def _ufunc_axis(axis, ndim: int):
    """NumPy's nan-functions of floats reduce with np.sum, which takes axis 0 or -1 of a 0-d
    array as no axis (np.mean would refuse it)."""
    if ndim == 0 and axis is not None:
        normalize_axes(axis, 0)
        return None
    return axis


@implements(np.nanvar)
def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
           mean=None, correction=np._NoValue):
    a = lax.lift(a)
    if a.dtype.kind not in "fc":
        given = {} if mean is None else {"mean": mean}
        return np.var(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims,
                      where=where, correction=correction, **given)
    _inexact_dtype(dtype)
    axis = _ufunc_axis(axis, a.ndim)
    ddof = ddof if correction is np._NoValue else correction
    valid = np.logical_not(np.isnan(a))
    if where is not True:
        valid = np.logical_and(valid, where)
    given = {} if mean is None else {"mean": mean}
    r = np.var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=valid, **given)
    dof = np.subtract(np.sum(valid, axis=axis, keepdims=keepdims), ddof)
    r = np.where(np.less_equal(dof, 0), lax.cast(np.asarray(np.nan), r.dtype), r)  # NumPy: nan
    if out is not None:
        return _store(np.add, (r,), out, True, "unsafe")
    return r


@implements(np.nanstd)
def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
           mean=None, correction=np._NoValue):
    return np.sqrt(nanvar(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims,
                          where=where, mean=mean, correction=correction))


@implements(np.nancumsum)
def nancumsum(a, axis=None, dtype=None, out=None):
    return np.cumsum(_nan_fill(a, 0)[0], axis=axis, dtype=dtype, out=out)


@implements(np.nancumprod)
def nancumprod(a, axis=None, dtype=None, out=None):
    return np.cumprod(_nan_fill(a, 1)[0], axis=axis, dtype=dtype, out=out)


@implements(np.ptp)
def ptp(a, axis=None, out=None, keepdims=False):
    r = np.subtract(np.max(a, axis=axis, keepdims=keepdims), np.min(a, axis=axis,
                                                                     keepdims=keepdims))
    if out is not None:
        return _store(np.subtract, (r,), out, True, "unsafe")
    return r


@implements(np.count_nonzero)
def count_nonzero(a, axis=None, *, keepdims=False):
    return np.sum(np.not_equal(a, 0), axis=axis, keepdims=keepdims, dtype=np.intp)


@implements(np.average)
def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    a = lax.lift(a)
    if weights is None:
        avg = np.mean(a, axis=axis, keepdims=keepdims)
        scl = lax.lift(np.asarray(a.size / avg.size, avg.dtype))  # NumPy: ZeroDivisionError
    else:
        w = lax.lift(weights)
        if w.shape != a.shape:  # along `axis`, one or a tuple of them, as NumPy 2 reads it
            if axis is None:
                raise TypeError("Axis must be specified when shapes of a and weights differ.")
            given = tuple(normalize_axis(ax, a.ndim) for ax in
                          (axis if isinstance(axis, tuple) else (axis,)))
            if w.shape != tuple(a.shape[ax] for ax in given):
                raise ValueError("Shape of weights must be consistent with shape of a along "
                                 "specified axis.")
            w = lax.transpose(w, tuple(int(i) for i in np.argsort(given)))
            w = lax.reshape(w, tuple(n if i in given else 1 for i, n in enumerate(a.shape)))
        axes = normalize_axes(axis, a.ndim)
        # NumPy sums 1-d weights broadcast with unit dims, full ones over a's other dims
        kept = [n for i, n in enumerate(a.shape) if i not in axes] if w.shape == a.shape else []
        if any(a.shape[i] == 0 for i in axes) and all(kept):  # a weight sum over nothing
            raise ZeroDivisionError("Weights sum to zero, can't be normalized")
        rtype = np.result_type(a.dtype, w.dtype, np.float64 if a.dtype.kind in "biu" else a.dtype)
        scl = np.sum(np.broadcast_to(w, a.shape).astype(rtype), axis=axis, keepdims=keepdims)
        zero = np.any(np.equal(scl, 0))  # NumPy's error, when the function runs (inside
        known = zero.constant_value()    # `grad`'s trace there is no check: nan, as before)
        if known is not None and known:
            raise ZeroDivisionError("Weights sum to zero, can't be normalized")
        if known is None:
            lax.check(zero, "ZeroDivisionError", "Weights sum to zero, can't be normalized")
        avg = np.true_divide(np.sum(np.multiply(a, w, dtype=rtype), axis=axis,
                                    keepdims=keepdims), scl)  # NumPy's: no integer overflow
    if returned:
        return avg, lax.broadcast_to(lax.lift(scl), avg.shape)
    return avg
