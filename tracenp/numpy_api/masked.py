"""`x[mask]` with a traced mask: a selection of unknown length that reductions can consume.

The selected elements' count depends on the data, so the selection is never materialized.
It is kept as the whole of `x` plus the mask; elementwise work with scalars (and with other
selections by the same mask) stays in that form, and a reduction becomes a masked reduction
of the full array: `x[mask].sum()` is `np.sum(x, where=mask)`, `np.mean(x[mask])` divides by
the mask's count (nan when nothing is selected, as NumPy's value is). Anything that needs the
selection itself (its length as a Python int, an element, returning it) raises
`DataDependentShapeError` with the alternatives.

NumPy raises on the max/min of an empty selection; the compiled function raises its
`ValueError` when it runs (`lax.check`).
"""

from __future__ import annotations

import inspect
import operator
import weakref

import numpy as np

from .. import errors, lax
from ..shapes import normalize_axis
from ..trace import current_trace
from ..tracer import DIFFERENTIATED, Tracer
from . import mark_returns

_INSTEAD = ("reduce it where it is made (x[mask].sum(), np.mean(x[mask]), x[mask].max(), ...), "
            "count with np.count_nonzero(mask), or keep the shape with np.where(mask, x, fill)")

_RETURNED = ("reduce it where it is made (x[mask].sum()), index with it "
             "(x[np.nonzero(mask)] = v), or keep the shape with np.where(mask, x, fill), the "
             "three-argument form")
_REDUCTIONS = {}


def _reduction(*funcs):
    def register(impl):
        for f in funcs:
            _REDUCTIONS[f] = impl
        return impl

    return register


class MaskedSelection:
    """The 1-d (or `(k,) + rest`) array `values[mask]`, k unknown until the function runs."""

    __array_priority__ = 1000

    def __init__(self, values, mask, made_by: tuple[str, str] | None = None,
                 nonempty: bool = False, steer=None):
        self.values = values  # shape mask.shape + rest
        self.mask = mask
        self.made_by = made_by  # (what it is, what to do instead) when not x[mask]
        self.nonempty = nonempty  # selects at least one element (np.unique's of a non-empty x)
        state = current_trace()
        if state is not None:  # a selection that outlives the trace is refused there
            what, instead = made_by or ("x[mask] or np.nonzero(mask) (np.where(condition) with "
                                        "one argument) of a traced mask", _RETURNED)
            error = errors.data_dependent(f"Returning {what}, or keeping it past the call",
                                          instead)
            # `steer`: the traced value the length comes from, whose Python scalar sources
            # jit then makes static (`errors.steered_by`)
            state.selections.append((weakref.ref(self), error if steer is None else
                                     errors.steered_by(error, steer)))

    # ------------------------------------------------------------------ what it is
    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    @property
    def ndim(self) -> int:
        return self.values.ndim - self.mask.ndim + 1

    def _refuse(self, what: str):
        made, instead = self.made_by or ("x[mask] with a traced mask", _INSTEAD)
        raise errors.data_dependent(f"{what} of {made}", instead)

    @property
    def shape(self):
        self._refuse("The shape")

    @property
    def size(self):
        self._refuse("The size")

    def __len__(self):
        self._refuse("len()")

    def __iter__(self):
        self._refuse("Iterating")

    def __getitem__(self, key):
        """`x[mask][k]`, an integer `k` (or a traced one: `vals[np.argmax(counts)]` of
        `np.unique`) over a 1-d mask, is the element at the (k+1)-th True of the mask.
        `x[mask][:, 0]`, `x[mask][..., 1:]` and `x[mask][:, None]` (ints, slices and new axes
        over the trailing dims, the selected dim whole) are the selection of `x[..., 0]`:
        `x[mask, 0]` in NumPy; so is
        one integer array among them (`x[mask][:, [0, 3, 1]]`, a permutation of the columns:
        the only advanced index stays in place). A selection of the selection by a mask made
        from it selects by both masks."""
        if isinstance(key, MaskedSelection) and self._same(key) and key.dtype == np.bool_ \
                and key.values.shape == self.mask.shape:  # d = x[ok]; d[np.abs(d) < 3]
            return MaskedSelection(Tracer(self.values.node), np.logical_and(self.mask, key.values))
        if self.mask.ndim == 1 and (_integer(key) or _integer_array(key)):
            return self._element(key)
        key = key if isinstance(key, tuple) else (key,)
        if len(key) == 2 and key[0] == slice(None) and self.mask.ndim == 1 and \
                self.values.ndim == 2 and lax.is_tracer(key[1]) and key[1].dtype == np.bool_ \
                and key[1].shape == self.values.shape[1:]:  # `A[m][:, m]`: a block
            return _Block(self.values, np.logical_and(self.mask[:, None], key[1][None, :]))
        if self.mask.ndim == 1 and isinstance(key[0], slice) and key[0] != slice(None):
            return self._sliced(key[0])[(slice(None),) + key[1:]]
        rest = key[1:]
        whole = key[0] is Ellipsis or (isinstance(key[0], slice) and key[0] == slice(None))
        arrays = [k for k in rest if isinstance(k, (list, np.ndarray)) or lax.is_tracer(k)]
        if not whole or len([k for k in rest if k is not None]) > self.ndim - 1 or \
                len(arrays) > 1 or not all(
                isinstance(k, slice) or k is None or (isinstance(k, (int, np.integer)) and
                                                      not isinstance(k, (bool, np.bool_))) or
                (any(k is a for a in arrays) and
                 (k.dtype if lax.is_tracer(k) else np.asarray(k).dtype).kind in "iu")
                for k in rest):
            self._refuse("Indexing")
        lead = (Ellipsis,) if key[0] is Ellipsis else (slice(None),) * self.mask.ndim
        return MaskedSelection(self.values[lead + rest], self.mask)

    def __setitem__(self, key, value):
        """A write into the selection, NumPy's copy of the selected elements (so it never
        reaches `x`): `s[s > 3] = 3` (a mask made from it, a value without the selected dim),
        `s[0] = v`, `s[:, 0] = v` (trailing dims, as `__getitem__` reads them)."""
        if isinstance(self, InnerSelection) or isinstance(value, MaskedSelection) and \
                not self._same(value):
            self._refuse("Writing into")
        if isinstance(key, MaskedSelection):
            if not (self._same(key) and key.dtype == np.bool_ and key.values.ndim <=
                    self.values.ndim and key.values.shape == self.values.shape[:key.values.ndim]
                    and key.values.ndim >= self.mask.ndim) or isinstance(value, MaskedSelection) \
                    or np.ndim(value) > self.values.ndim - key.values.ndim:
                self._refuse("Writing into")
            self.values[key.values] = value
        elif self.mask.ndim == 1 and _integer(key):
            if isinstance(value, MaskedSelection):
                self._refuse("Writing into")
            self.values[self._position(key)] = value
        else:
            self[key].values[...] = self._operand(value)

    def _position(self, k):
        """Where the selected element `k` (negative from the end; or an array of such, as
        `counts[inv]` of `np.unique`) is in `values`; NumPy's IndexError, raised when the
        function runs, where `k` is outside the selection."""
        count = np.cumsum(self.mask, dtype=np.intp)
        total = count[-1]
        k = lax.lift(np.asarray(k, np.intp)) if not lax.is_tracer(k) else lax.cast(k, np.intp)
        k = np.where(np.less(k, 0), np.add(k, total), k)
        lax.check(np.any(np.logical_or(np.less(k, 0), np.greater_equal(k, total))),
                  "IndexError", "index out of bounds for axis 0 of the selection")
        return np.searchsorted(count, np.add(k, 1))

    def _sliced(self, part: slice) -> MaskedSelection:
        """`x[m][1:]`, `np.sort(d[m])[:k]`, `x[m][::2]` (Python int bounds, a positive step):
        the selection of the elements whose rank among the selected is in the slice, taken
        with NumPy's bounds against the count of the selection."""
        bounds = (part.start, part.stop, part.step)
        if part.start is None and part.stop is None and _integer(part.step) and \
                not lax.is_tracer(part.step) and part.step < 0:  # x[m][::-1]: reversed
            return self._reversed()[::-part.step]
        if not all(b is None or _integer(b) and not lax.is_tracer(b) for b in bounds) or \
                (part.step or 1) < 0:
            self._refuse("Slicing with bounds and a negative step, or traced bounds,")
        step = part.step or 1
        if step == 0:
            raise ValueError("slice step cannot be zero")
        rank = np.subtract(np.cumsum(self.mask, dtype=np.intp), 1)
        total = np.count_nonzero(self.mask)

        def bound(b, default):
            if b is None:
                return default
            return np.maximum(np.add(total, b), 0) if b < 0 else lax.lift(np.asarray(b, np.intp))

        start, stop = bound(part.start, lax.lift(np.asarray(0, np.intp))), bound(part.stop, total)
        keep = np.logical_and(np.greater_equal(rank, start), np.less(rank, stop))
        if step > 1:
            keep = np.logical_and(keep, np.equal(np.mod(np.subtract(rank, start), step), 0))
        return MaskedSelection(Tracer(self.values.node), np.logical_and(self.mask, keep),
                               self.made_by)

    def _reversed(self) -> MaskedSelection:
        """`x[m][::-1]` (also `np.flip`) of a 1-d mask: the selection of the reversed values
        by the reversed mask."""
        return MaskedSelection(self.values[::-1], self.mask[::-1], self.made_by)

    def _element(self, k):
        """The selected element `k` (see `_position`)."""
        return self.values[self._position(k)]

    def __array__(self, dtype=None, copy=None):
        self._refuse("Converting to an array")

    def __bool__(self):
        self._refuse("Returning (or taking the truth value of)")

    def __matmul__(self, other):
        if _rows_times_array(self, other):
            return self._wrap(np.matmul(self.values, other))
        return mark_returns(_dot(self, other), "scalar")

    @property
    def T(self) -> SelectedColumns:
        """`x[m].T` of selected rows: a scatter matrix `Xc.T @ Xc` sums over them."""
        if not self._rows():
            self._refuse(".T")
        return SelectedColumns(self)

    def transpose(self, *axes) -> SelectedColumns:
        if axes not in ((), ((1, 0),), (1, 0), (None,)):
            self._refuse("x.transpose(axes)")
        return self.T

    def _rows(self) -> bool:
        """Whether this selects rows of a 2-d array by a 1-d mask."""
        return not isinstance(self, InnerSelection) and self.mask.ndim == 1 and \
            self.values.ndim == 2

    def __rmatmul__(self, other):
        return mark_returns(_dot(other, self), "scalar")

    def __getattr__(self, name: str):
        if not name.startswith("__") and hasattr(np.ndarray, name):  # x[mask].ravel() ...
            self._refuse(f".{name}")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self) -> str:
        return f"MaskedSelection({self.values!r}[{self.mask!r}])"

    # ------------------------------------------------------------------ elementwise
    def _same(self, other) -> bool:
        return isinstance(other, MaskedSelection) and other.mask.node is self.mask.node

    def _wrap(self, values) -> MaskedSelection:
        """The selection by this mask of `values` (a result of elementwise work on this one)."""
        return MaskedSelection(values, self.mask)

    def _operand(self, x):
        """The full-shape operand standing for `x` in elementwise work on this selection."""
        if isinstance(x, MaskedSelection):
            if not self._same(x):
                raise errors.data_dependent(
                    "Combining selections x[m1] and y[m2] by different traced masks", _INSTEAD)
            if isinstance(x, InnerSelection):  # x[m] with y[:, m] (the operator defers)
                raise errors.data_dependent("x[m] op= y[:, m] (selected along other axes)",
                                            _INSTEAD)
            return x.values
        if lax.is_tracer(x) or isinstance(x, np.ndarray):
            if np.ndim(x) > self.values.ndim - self.mask.ndim and (  # C[None] broadcasts
                    np.ndim(x) > self.ndim or np.shape(x)[0] != 1):
                raise errors.data_dependent(
                    "Combining x[mask] with an array along the selected axis", _INSTEAD)
        return x

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "at" and inputs and not isinstance(inputs[0], MaskedSelection) and \
                lax.is_tracer(inputs[0]) and not kwargs:  # np.add.at(x, i[m], v[m])
            from .ufuncs import at

            return at(ufunc, *inputs)
        out = kwargs.get("out")
        outs = (out if isinstance(out, tuple) else (out,)) if out is not None else ()
        if method != "__call__" or set(kwargs) - {"out", "where"} or \
                any(not self._same(o) or isinstance(o, InnerSelection) for o in outs):
            detail = f".{method}" if method != "__call__" else \
                " with keyword arguments other than out= and where= by the same mask"
            self._refuse(f"np.{ufunc.__name__}{detail}")
        kw = {k: self._operand(v) for k, v in kwargs.items() if k == "where"}
        if outs:  # `np.divide(s, t, out=np.zeros_like(s), where=t != 0)`: written in place
            kw["out"] = tuple(o.values for o in outs)
        res = ufunc(*(self._operand(x) for x in inputs), **kw)
        if outs:
            return outs[0] if len(outs) == 1 else outs
        if isinstance(res, tuple):
            return tuple(self._wrap(r) for r in res)
        return self._wrap(res)

    def __array_function__(self, func, types, args, kwargs):
        if func is _NP_INTERP:
            return _interp(*args, **kwargs)
        if func is _NP_TRANSPOSE and args[0] is self:
            return self.transpose(*args[1:], *kwargs.values())
        if func in _SELECTIONS:
            return _SELECTIONS[func](*args, **kwargs)
        if func in _COUNTS and args and args[0] is self:
            return _COUNTS[func](*args, **kwargs)
        if func in _ELEMENTWISE and not (func is _NP_WHERE and len(args) != 3):
            res = func(*(self._operand(a) for a in args),
                       **{k: self._operand(v) for k, v in kwargs.items()})
            return self._wrap(res)
        impl = _REDUCTIONS.get(func)
        if impl is None or not args or args[0] is not self:
            self._refuse(f"np.{func.__name__}")
        return mark_returns(impl(self, *args[1:], **kwargs),
                            "array" if func is _NP_COV else "scalar")

    def astype(self, dtype, *args, **kwargs):
        return self._wrap(self.values.astype(dtype, *args, **kwargs))

    def copy(self):
        return MaskedSelection(Tracer(self.values.node), self.mask, self.made_by, self.nonempty)

    # ------------------------------------------------------------------ reductions
    def _masked_zeros(self):
        """The full-shape values with 0 where nothing is selected."""
        return np.where(self._where(), self.values, lax.lift(np.zeros((), self.dtype)))

    def _where(self):
        m = lax.reshape(self.mask, self.mask.shape + (1,) * (self.values.ndim - self.mask.ndim))
        return np.broadcast_to(m, self.values.shape)

    def _axes(self, axis):
        if axis is None:
            return tuple(range(self.values.ndim))
        if isinstance(axis, tuple) and len(axis) == 1:
            axis = axis[0]
        if axis in (0, -self.ndim):
            return tuple(range(self.mask.ndim))
        self._refuse(f"A reduction along axis {axis}")

    def _kept(self, axis) -> tuple:
        """The shape of a reduction with `keepdims=True` (of the selected axis, or all)."""
        return (1,) * self.ndim if axis is None else (1,) + self.values.shape[self.mask.ndim:]

    def _keep(self, res, axis, keepdims):
        return np.reshape(res, self._kept(axis)) if keepdims else res

    def _rowwise(self, axis) -> int | None:
        """The axis of `values` for a reduction along one trailing axis of selected rows
        (`np.sum(k ** 2, axis=1)` of `k[k2 > 0]`), which keeps the selection; else None."""
        if isinstance(axis, tuple) and len(axis) == 1:
            axis = axis[0]
        if axis is None or isinstance(axis, tuple) or self.ndim < 2:
            return None
        axis = normalize_axis(axis, self.ndim)
        return None if axis == 0 else self.mask.ndim + axis - 1

    def reduce(self, func, axis=None, keepdims=False, **kw):
        pos = self._rowwise(axis)
        if pos is not None:
            return self._wrap(func(self.values, axis=pos, keepdims=keepdims, **kw))
        res = func(self.values, axis=self._axes(axis), where=self._where(), **kw)
        return self._keep(res, axis, keepdims)


def _simple(func):
    def reduce(sel, axis=None, dtype=None, out=None, keepdims=False, **kw):
        if out is not None:
            sel._refuse(f"np.{func.__name__}(out=...)")
        if dtype is not None:
            kw["dtype"] = dtype
        return sel.reduce(func, axis, keepdims, **kw)

    return reduce


_reduction(np.sum)(_simple(np.sum))
_reduction(np.prod)(_simple(np.prod))
_reduction(np.mean)(_simple(np.mean))
_reduction(np.var)(_simple(np.var))
_reduction(np.std)(_simple(np.std))
_reduction(np.any)(_simple(np.any))
_reduction(np.all)(_simple(np.all))


def _extremum(func, name):
    def reduce(sel, axis=None, out=None, keepdims=False, initial=np._NoValue):
        if sel.dtype.kind not in "iubf" or out is not None:
            sel._refuse(f"np.{name} of a complex selection, or with out=")
        if sel._rowwise(axis) is not None:
            kw = {} if initial is np._NoValue else {"initial": initial}
            return sel.reduce(func, axis, keepdims, **kw)
        axes = sel._axes(axis)
        where = sel._where()
        if initial is not np._NoValue:  # an empty selection gives `initial`, as in NumPy
            return sel._keep(func(sel.values, axis=axes, where=where, initial=initial), axis,
                             keepdims)
        if sel.dtype.kind == "f":
            fill = -np.inf if name == "max" else np.inf
        else:
            info = np.iinfo(sel.dtype) if sel.dtype.kind != "b" else None
            fill = (info.min if name == "max" else info.max) if info else name == "min"
        res = func(sel.values, axis=axes, where=where, initial=fill)
        if not sel.nonempty:  # np.unique(x, return_counts=True)[1] never is empty
            empty = np.logical_not(np.any(sel.mask))
            if not lax.check(empty, "ValueError", f"zero-size array to reduction operation "
                             f"{_UFUNC[name]} which has no identity"):
                if sel.dtype.kind != "f":  # inside `grad`'s trace: no check, and no nan either
                    sel._refuse(f"np.{name} of an integer selection inside a gradient")
                res = np.where(empty, lax.lift(np.asarray(np.nan, res.dtype)), res)
        return sel._keep(res, axis, keepdims)

    return reduce


_UFUNC = {"max": "maximum", "min": "minimum"}


def _integer(k) -> bool:
    if lax.is_tracer(k):
        return k.ndim == 0 and k.dtype.kind in "iu"
    return isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_))


def _integer_array(k) -> bool:
    """An integer index array (traced or not) of positions in a selection."""
    if lax.is_tracer(k) or isinstance(k, np.ndarray):
        return k.ndim > 0 and k.dtype.kind in "iu"
    return False


def _arg_extremum(name):
    """`np.argmax(counts)` of a 1-d selection (`np.unique(v, return_counts=True)`'s counts in
    a kNN majority vote): the position among the selected elements of the first maximum, or of
    the first NaN as NumPy's; the element itself is `vals[np.argmax(counts)]` (`_element`).
    Along a trailing axis of selected rows it is the selection of each row's position."""

    def reduce(sel, axis=None, out=None, *, keepdims=False):
        if sel._rowwise(axis) is not None and out is None:  # d[ok].argmin(axis=1): per row
            return sel.reduce(np.argmax if name == "argmax" else np.argmin, axis, keepdims)
        if sel.values.ndim != 1 or out is not None or keepdims or axis not in (None, 0, -1) \
                or sel.dtype.kind not in "iubf":
            sel._refuse(f"np.{name} other than of a 1-d real selection, or with out= or keepdims")
        if not sel.nonempty:
            lax.check(np.logical_not(np.any(sel.mask)), "ValueError",
                      f"attempt to get {name} of an empty sequence")
        v = sel.values
        best = (_MAX if name == "argmax" else _MIN)(sel)
        hit = np.equal(v, best)
        if v.dtype.kind == "f":
            hit = np.where(np.isnan(best), np.isnan(v), hit)
        first = np.argmax(np.logical_and(sel.mask, hit))
        return np.subtract(np.cumsum(sel.mask, dtype=np.intp)[first], 1)

    return reduce


_reduction(np.argmax)(_arg_extremum("argmax"))
_reduction(np.argmin)(_arg_extremum("argmin"))


_MAX = _reduction(np.max, np.amax)(_extremum(np.max, "max"))
_MIN = _reduction(np.min, np.amin)(_extremum(np.min, "min"))


@_reduction(np.ptp)
def _ptp(sel, axis=None, out=None, keepdims=False):
    """`np.ptp(x[m])`: NumPy's max minus min of the selection."""
    if out is not None:
        sel._refuse("np.ptp(out=...)")
    return np.subtract(_MAX(sel, axis, keepdims=keepdims), _MIN(sel, axis, keepdims=keepdims))


@_reduction(np.count_nonzero)
def _count_nonzero(sel, axis=None, *, keepdims=False):
    hit = np.logical_and(sel._where(), np.not_equal(sel.values, 0))
    res = np.sum(hit, axis=sel._axes(axis), dtype=np.intp)
    return sel._keep(res, axis, keepdims)


def _order_statistic(func, nan_func):
    """A median or quantile of the selection: the nan-version of the whole array with the
    unselected elements made NaN, and NaN where a selected element is NaN (NumPy's value)."""

    def reduce(sel, *args, axis=None, out=None, keepdims=False, **kw):
        if out is not None:
            sel._refuse(f"np.{func.__name__}(out=...)")
        values = sel.values
        if values.dtype.kind not in "fc":
            values = lax.cast(values, np.float64)
        elif values.dtype.kind == "c":
            sel._refuse(f"np.{func.__name__} of a complex selection")
        where, axes = sel._where(), sel._axes(axis)
        if func.__name__ != "median":  # NumPy indexes the sorted values: none is an IndexError
            lax.check(np.logical_not(np.any(where, axis=axes)).any(), "IndexError",
                      "index -1 is out of bounds for axis 0 with size 0")
        nan = lax.lift(np.asarray(np.nan, values.dtype))
        res = nan_func(np.where(where, values, nan), *args, axis=axes, **kw)
        bad = np.any(np.logical_and(where, np.isnan(values)), axis=axes)
        res = np.where(bad, lax.cast(nan, res.dtype), res)
        if keepdims:
            lead = res.shape[:res.ndim - (values.ndim - len(axes))]
            res = np.reshape(res, lead + sel._kept(axis))
        return res

    return reduce


_reduction(np.median)(_order_statistic(np.median, np.nanmedian))
_reduction(np.percentile)(_order_statistic(np.percentile, np.nanpercentile))
_reduction(np.quantile)(_order_statistic(np.quantile, np.nanquantile))


def _nan_version(func, nan_func):
    """`np.nanmean(x[mask])`: the plain reduction of the selection's non-NaN elements (NumPy's
    nan-functions of integers are the plain ones). Rows selected by a 1-d mask
    (`np.nanmean(X[y == k], axis=0)`, a class centroid) are the nan-function of the whole
    array with the other rows NaN: over the rows a value, along them a selection."""

    def reduce(sel, *args, **kwargs):
        if sel.dtype.kind not in "fc":
            return _REDUCTIONS[func](sel, *args, **kwargs)
        if sel.values.ndim != sel.mask.ndim:
            if not sel._rows():
                sel._refuse(f"np.nan{func.__name__} of selected rows")
            axis = inspect.signature(nan_func).bind(sel, *args, **kwargs).arguments.get("axis")
            nan = lax.lift(np.asarray(np.nan, sel.dtype))
            res = nan_func(np.where(sel._where(), sel.values, nan), *args, **kwargs)
            return sel._wrap(res) if axis in (1, -1) else res
        number = np.logical_not(np.isnan(sel.values))
        return _REDUCTIONS[func](MaskedSelection(sel.values, np.logical_and(sel.mask, number)),
                                 *args, **kwargs)

    return reduce


for _func, _nan in {np.sum: np.nansum, np.prod: np.nanprod, np.mean: np.nanmean,
                    np.var: np.nanvar, np.std: np.nanstd, np.max: np.nanmax,
                    np.min: np.nanmin, np.median: np.nanmedian,
                    np.percentile: np.nanpercentile, np.quantile: np.nanquantile}.items():
    _reduction(_nan)(_nan_version(_func, _nan))


def take_selected(a, indices, axis=None, out=None, mode="raise"):
    """`np.take(a, idx[mask])` of a flat or 1-d `a`: the selection of `a`'s elements at the
    indices (scikit-learn's imputer: `X[ix] = np.take(statistics, ix[1])` for
    `ix = np.where(mask)`)."""
    if isinstance(a, MaskedSelection) or not isinstance(indices, MaskedSelection) or \
            out is not None or mode != "raise" or not (axis is None or np.ndim(a) == 1):
        raise errors.data_dependent("np.take of or into x[mask] other than np.take(a, idx[mask]) "
                                    "of a 1-d or flattened a", _INSTEAD)
    flat = np.ravel(lax.lift(a))
    if axis is not None and axis not in (0, -1):
        raise np.exceptions.AxisError(axis, 1)
    return flat[indices]


def _selected_weights(x, weights):
    if weights is not None and not (isinstance(weights, MaskedSelection) and x._same(weights)):
        x._refuse("Weights other than a selection by the same mask, with")
    return None if weights is None else weights.values


def _histogram(a, bins=10, range=None, density=None, weights=None):
    """`np.histogram(img[roi], bins, range)`: counts of the selected elements only. Without
    `range`, NumPy's is the selection's min and max ((0, 1) when it is empty); an integer
    selection has no min or max here (see the module docstring), so that form is refused."""
    from .mathfuncs import histogram_where

    w = _selected_weights(a, weights)
    keep = a._where()
    if range is None and isinstance(bins, (int, np.integer)):
        if a.dtype.kind != "f":
            a._refuse("np.histogram without range= (an integer selection's min and max)")
        some = np.any(keep)
        lo = np.min(np.where(keep, a.values, lax.lift(np.asarray(np.inf, a.dtype))))
        hi = np.max(np.where(keep, a.values, lax.lift(np.asarray(-np.inf, a.dtype))))
        range = (np.where(some, lo, 0), np.where(some, hi, 1))
    return histogram_where(a.values, bins, range, density, w, keep)


def _bincount(x, weights=None, minlength=0):
    """`np.bincount(labels[mask], minlength=k)` of values bounded below `k`: the counts of
    the selected values (a weight of 0 elsewhere, at bin 0)."""
    from .datadep import bincount

    w = _selected_weights(x, weights)
    if x.ndim != 1:
        raise ValueError("object too deep for desired array")
    mask = np.ravel(x.mask)  # a 2-d mask's selection is 1-d: `np.nonzero(A)[0]`'s rows
    values = np.where(mask, np.ravel(x.values), lax.lift(np.zeros((), x.dtype)))
    if w is None:
        return bincount(values, mask.astype(np.float64), minlength).astype(np.intp)
    return bincount(values, np.where(mask, np.ravel(w), lax.lift(np.zeros((), w.dtype))),
                    minlength)


def _histogram2d(x, y, bins=10, range=None, density=None, weights=None):
    """`np.histogram2d(x[m], y[m], bins, range)`: the full arrays' histogram with the
    unselected elements weighing nothing (without `range`, NumPy's is the selection's)."""
    if not x._same(y) or not isinstance(y, MaskedSelection):
        x._refuse("np.histogram2d of a selection beside another array or selection")
    edges = not isinstance(bins, (int, np.integer)) and all(
        np.ndim(b) == 1 for b in bins)  # (edges per axis need no range)
    if range is None and not edges:
        x._refuse("np.histogram2d of selections without range= or bin edges")
    keep = x._where()
    w = _selected_weights(x, weights) if weights is not None else None
    w = lax.cast(keep, np.float64) if w is None else np.where(keep, w, 0)
    return np.histogram2d(x.values, y.values, bins=bins, range=range, density=density,
                          weights=w)


_COUNTS = {np.histogram: _histogram, np.bincount: _bincount, np.histogram2d: _histogram2d}


def joined(parts) -> MaskedSelection:
    """1-d pieces joined end to end, some of them selections (`np.r_[np.nonzero(m)[0], n]`,
    scipy's `rankdata`): the selection of the joined values by the joined masks, a plain
    piece selected whole. Its elements are NumPy's, in NumPy's order and dtype."""
    values, masks, first = [], [], None
    for p in parts:
        if isinstance(p, MaskedSelection):
            if isinstance(p, InnerSelection) or p.mask.ndim != 1 or p.values.ndim != 1:
                p._refuse("np.concatenate")
            first = first or p
            values.append(p.values)
            masks.append(p.mask)
        else:
            p = lax.lift(p)
            p = lax.reshape(p, (1,)) if p.ndim == 0 else p
            if p.ndim != 1:
                raise errors.data_dependent(
                    "Joining a selection x[mask] with an array of more dimensions", _INSTEAD)
            values.append(p)
            masks.append(lax.lift(np.ones(p.shape, bool)))
    nonempty = any(p.nonempty if isinstance(p, MaskedSelection) else np.size(p) > 0
                   for p in parts)
    return MaskedSelection(np.concatenate(values), np.concatenate(masks), first.made_by,
                           nonempty)


def _concatenate(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    sel = next(a for a in arrays if isinstance(a, MaskedSelection))
    if axis not in (0, -1, None) or out is not None or dtype is not None:
        sel._refuse("np.concatenate with axis, out= or dtype=")
    return joined(arrays)


def _append(arr, values, axis=None):
    sel = arr if isinstance(arr, MaskedSelection) else values
    if axis not in (0, -1, None):
        sel._refuse("np.append along an axis")
    return joined([arr, values])


def _hstack(tup, *, dtype=None, casting="same_kind"):
    if dtype is not None:
        next(a for a in tup if isinstance(a, MaskedSelection))._refuse("np.hstack(dtype=)")
    return joined(tup)


def _sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """`np.sort(x[m])` of a 1-d selection: the selected values first, in NumPy's order (NaN
    last), then the rest; the selection is its first `count` elements."""
    if a.values.ndim != 1 or axis not in (-1, 0) or order is not None:
        a._refuse("np.sort other than of a 1-d selection along it")
    order = np.lexsort((a.values, np.logical_not(a.mask)))
    first = np.less(lax.lift(np.arange(a.mask.shape[0])), np.count_nonzero(a.mask))
    return MaskedSelection(a.values[order], first, a.made_by, a.nonempty)


def _diff(a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    """`np.diff(t[m])` of a 1-d mask (intervals between peaks, `np.diff(np.flatnonzero(p))`):
    each selected element after the first less the selected one before it, a selection by the
    mask without its first True. Along the trailing dims, the selection of `np.diff` of x."""
    if a.mask.ndim != 1 or isinstance(a, InnerSelection) or prepend is not np._NoValue or \
            append is not np._NoValue:
        a._refuse("np.diff other than of a selection by a 1-d mask, without prepend/append")
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n!r}")
    axis = normalize_axis(axis, a.values.ndim)
    if axis:
        return MaskedSelection(np.diff(a.values, n, axis=axis), a.mask, a.made_by)
    pos = lax.lift(np.arange(a.mask.shape[0]))
    for _ in range(n):
        last = np.maximum.accumulate(np.where(a.mask, pos, -1))
        before = np.concatenate([lax.lift(np.array([-1])), last[:-1]])
        prior = a.values[np.maximum(before, 0)]
        step = np.not_equal if a.dtype == np.bool_ else np.subtract
        a = MaskedSelection(step(a.values, prior), np.logical_and(a.mask, before >= 0),
                            a.made_by)
    return a


def _running(fn, identity):
    def run(a, axis=None, dtype=None, out=None):
        """`np.cumsum(x[m])` of a 1-d selection: the running total skips the unselected
        elements (the identity there), so the selected ones hold NumPy's values."""
        if a.values.ndim != 1 or axis not in (None, 0, -1) or out is not None:
            a._refuse(f"np.{fn.__name__} other than of a 1-d selection")
        skipped = np.where(a.mask, a.values, lax.lift(np.asarray(identity, a.dtype)))
        return MaskedSelection(fn(skipped, dtype=dtype), a.mask, a.made_by, a.nonempty)

    return run


def _einsum(subscripts, *operands, **kwargs):
    """`np.einsum("ij,ij->i", d[m], d[m])` of rows selected by one mask, each subscripted by
    the same leading letter, which no other operand has: row by row, a selection when the
    output keeps that letter first, else a sum over the selected rows (unselected ones 0)."""
    sels = [o for o in operands if isinstance(o, MaskedSelection)]
    terms = subscripts.replace(" ", "").split("->") if isinstance(subscripts, str) else []
    ins = terms[0].split(",") if len(terms) == 2 and "." not in subscripts else []
    lead = next((t[:1] for o, t in zip(operands, ins) if isinstance(o, MaskedSelection)), "")
    if len(ins) != len(operands) or not lead or terms[1][1:].count(lead) or not all(
            (o.mask.ndim == 1 and not isinstance(o, InnerSelection) and sels[0]._same(o) and
             t[0] == lead and lead not in t[1:]) if isinstance(o, MaskedSelection) else
            lead not in t for o, t in zip(operands, ins)):
        sels[0]._refuse("np.einsum other than row by row of rows selected by one mask")
    if terms[1].startswith(lead):
        return sels[0]._wrap(np.einsum(subscripts, *(
            o.values if isinstance(o, MaskedSelection) else o for o in operands), **kwargs))
    return np.einsum(subscripts, *(o._masked_zeros() if isinstance(o, MaskedSelection) else o
                                   for o in operands), **kwargs)


def _flip(m, axis=None):
    """`np.flip` of a selection by a 1-d mask along the selected axis (`np.flipud`)."""
    if not isinstance(m, MaskedSelection) or m.mask.ndim != 1 or \
            (axis not in (0, None) or axis is None and m.ndim != 1):
        m._refuse("np.flip other than along the selected axis")
    return m._reversed()


def _copy(a, order="K", subok=False):
    return a.copy()


# Functions whose result is again a selection (its length the number selected).
def _digitize(x, bins, right=False):
    """`np.digitize(x[m], bins)`: each selected element's bin, a selection."""
    return x._wrap(np.digitize(x.values, bins, right))


def _searchsorted(a, v, side="left", sorter=None):
    """`np.searchsorted(edges, x[m])`: each selected element's place, a selection."""
    if isinstance(a, MaskedSelection):
        a._refuse("np.searchsorted into a selection")
    return v._wrap(np.searchsorted(a, v.values, side, sorter))


_SELECTIONS = {np.digitize: _digitize, np.searchsorted: _searchsorted,
               np.concatenate: _concatenate, np.append: _append, np.hstack: _hstack,
               np.sort: _sort, np.diff: _diff, np.cumsum: _running(np.cumsum, 0),
               np.cumprod: _running(np.cumprod, 1), np.einsum: _einsum, np.flip: _flip,
               np.flipud: _flip, np.copy: _copy}


# Functions that work element by element: on a selection they stay a selection.
_NP_WHERE, _NP_INTERP = np.where, np.interp  # NumPy's own: tracing swaps `np.where` itself
_NP_COV = np.cov  # a 0-d covariance is an array, not a scalar
_NP_DOT, _NP_MATMUL, _NP_TRANSPOSE = np.dot, np.matmul, np.transpose  # (a trace reroutes np.*)
_ELEMENTWISE = frozenset([np.where, np.clip, np.round, np.around, np.nan_to_num, np.real,
                          np.imag, np.isclose, np.fix, np.sinc, np.angle, np.isin,
                          np.ones_like, np.zeros_like, np.full_like])


def _interp(x, xp, fp, left=None, right=None, period=None):
    """`np.interp` at `x` (an array or a selection) through the points `(xp[m], fp[m])`:
    every unselected point repeats the selected one before it (the first, before any), which
    leaves NumPy's intervals and arithmetic as they are. No selected point gives nan (NumPy
    raises). At a selection `x[m]` through arrays `xp`, `fp` it works point by point."""
    from .mathfuncs import interp

    if not isinstance(xp, MaskedSelection) and not isinstance(fp, MaskedSelection):
        return x._wrap(interp(x.values, xp, fp, left, right, period))  # point by point
    sample = xp if isinstance(xp, MaskedSelection) else fp
    if not (isinstance(xp, MaskedSelection) and sample._same(fp)) or period is not None \
            or sample.values.ndim != 1:
        sample._refuse("np.interp through a selection (other than 1-d xp[m], fp[m] of one "
                       "mask, without period)")
    m = sample.mask
    pos = lax.lift(np.arange(m.shape[0]))
    last = np.maximum.accumulate(np.where(m, pos, -1))
    src = np.where(np.less(last, 0), np.argmax(m), last)
    query = x.values if isinstance(x, MaskedSelection) else x
    res = interp(query, xp.values[src], fp.values[src], left, right)
    res = np.where(np.any(m), res, lax.cast(np.asarray(np.nan), res.dtype))
    return x._wrap(res) if isinstance(x, MaskedSelection) else mark_returns(res, "scalar")


@_reduction(np.average)
def _average(sel, axis=None, weights=None, returned=False, *, keepdims=False):
    """`np.average(v[m], weights=w[m])`: the weights outside the selection are 0. With no
    element selected the weights sum to 0: NumPy's ZeroDivisionError, when the function runs,
    as for traced weights that sum to 0."""
    if weights is None and not returned:
        return sel.reduce(np.mean, axis, keepdims)
    if weights is None:
        weights = MaskedSelection(np.ones_like(sel.values), sel.mask)
    w = _selected_weights(sel, weights)
    zero = lax.lift(np.zeros((), w.dtype))
    w = np.where(np.broadcast_to(lax.reshape(sel.mask, sel.mask.shape + (1,) * (
        w.ndim - sel.mask.ndim)), w.shape), w, zero)
    axes = None if axis is None else sel._axes(axis)
    res = np.average(sel.values, axis=axes[0] if axes and len(axes) == 1 else axes, weights=w,
                     returned=returned, keepdims=keepdims)
    if keepdims and axis is None:
        return tuple(np.reshape(r, (1,) * sel.ndim) for r in res) if returned else \
            np.reshape(res, (1,) * sel.ndim)
    return res


def _paired(what, m, y):
    """The selected values of `m` (and `y`, a selection by the same mask) with 0 elsewhere,
    and the mask as integer frequency weights, raveled: a 1-d selection by an n-d mask
    (`deg[i]` with `i, j = np.nonzero(A)`) is its elements in the mask's C order."""
    if m.ndim != 1 or (y is not None and not (m._same(y) and y.ndim == 1)):
        m._refuse(f"{what} other than of 1-d selections by one mask")
    return np.ravel(m._masked_zeros()), None if y is None else np.ravel(y._masked_zeros()), \
        np.ravel(lax.cast(m.mask, np.int64))


@_reduction(np.cov)
def _cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
         dtype=None):
    """`np.cov(x[valid], y[valid])`: NumPy's covariance with the unselected observations
    given frequency weight 0."""
    if fweights is not None or aweights is not None:
        m._refuse("np.cov with weights")
    if not rowvar and y is None and m._rows():  # observations are the selected rows
        c = np.cov(m._masked_zeros(), rowvar=False, bias=bias, ddof=ddof,
                   fweights=lax.cast(m.mask, np.int64), dtype=dtype)
        return lax.cast(c, dtype if dtype is not None else np.result_type(m.dtype, np.float64))
    a, b, w = _paired("np.cov", m, y)
    want = dtype if dtype is not None else np.result_type(a.dtype, a.dtype if b is None else
                                                          b.dtype, np.float64)
    c = np.cov(a, b, rowvar=rowvar, bias=bias, ddof=ddof, fweights=w, dtype=dtype)
    return lax.cast(c, want)  # NumPy's dtype without weights (weights make it float64)


@_reduction(np.polyfit)
def _polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """`np.polyfit(t[m], msd[m], 1)`, a fit over a window of valid points: NumPy's fit with
    the unselected points given weight 0 (zero rows leave the column scales, the singular
    values and the least-squares solution as they are). NumPy's default `rcond` counts the
    selected points, so a cutoff is taken from the whole length: it differs only for a fit
    whose columns are dependent to within `len(x) * eps`."""
    if full or cov or not (x._same(y) and x.values.ndim == 1 and y.values.ndim in (1, 2)) \
            or (w is not None and not (x._same(w) and w.values.ndim == 1)):
        x._refuse("np.polyfit other than of 1-d x[m], y[m] (w[m]) by one mask, without full= "
                  "or cov=")
    empty = np.logical_not(np.any(x.mask))
    keep = x.mask  # when nothing is selected the raise comes after a fit of all points
    if lax.check(empty, "TypeError", "expected non-empty vector for x"):
        keep = np.logical_or(keep, empty)
    weight = np.where(keep, 1.0 if w is None else w.values, 0.0)
    ys = y.values if y.values.ndim == 1 else np.transpose(y.values)
    xs, ys = (np.where(keep, v, lax.lift(np.zeros((), v.dtype))) for v in (x.values, ys))
    return np.polyfit(xs, ys if y.values.ndim == 1 else np.transpose(ys), deg, rcond=rcond,
                      w=weight)  # unselected values (nan, inf) zeroed, as 0 * nan is nan


@_reduction(np.linalg.lstsq)
def _lstsq(a, b, rcond=None):
    """`np.linalg.lstsq(A[m], y[m])`: the least squares of all rows with the unselected ones
    zeroed (they leave the solution, the residuals, the rank and the nonzero singular values
    as they are). NumPy's residuals are empty, and its singular values fewer, where the rows
    selected are no more than the columns: raised when the function runs (a rank that falls
    short raises as `lstsq`'s own does). The default `rcond` counts all rows (as
    `_polyfit`'s)."""
    if not (isinstance(b, MaskedSelection) and a._same(b)) or a.values.ndim != 2 or \
            a.mask.ndim != 1 or b.values.ndim not in (1, 2):
        a._refuse("np.linalg.lstsq other than of rows A[m] and y[m] by one mask")
    lax.check(np.count_nonzero(a.mask) <= a.values.shape[1], "DataDependentShapeError",
              "np.linalg.lstsq of selected rows no more than its columns: NumPy's residuals "
              "are empty then, and its singular values fewer")
    rows = a.mask.reshape(a.mask.shape + (1,))
    zero = lax.lift(np.zeros((), a.dtype))
    ys = np.where(rows if b.values.ndim == 2 else a.mask, b.values, zero)
    return np.linalg.lstsq(np.where(rows, a.values, zero), ys, rcond=rcond)


@_reduction(np.linalg.norm)
def _norm(sel, ord=None, axis=None, keepdims=False):
    """`np.linalg.norm(pos[m] - com, axis=1)`: each selected row's norm, a selection; the
    2-norm over the selected axis (or the whole selection's, Frobenius's) is the root of a
    masked sum of squares."""
    pos = sel._rowwise(axis)
    if pos is not None:
        return sel._wrap(np.linalg.norm(sel.values, ord=ord, axis=pos, keepdims=keepdims))
    if ord is not None and not (ord == 2 and (sel.ndim == 1 or axis is not None)):
        sel._refuse(f"np.linalg.norm(ord={ord!r}) over the selected axis")
    v = sel if sel.dtype.kind in "fc" else sel.astype(np.float64)
    abs2 = np.real(v * np.conjugate(v)) if v.dtype.kind == "c" else v * v
    return np.sqrt(np.sum(abs2, axis=axis, keepdims=keepdims))


@_reduction(np.corrcoef)
def _corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """`np.corrcoef(x[valid], y[valid])`: NumPy's normalization of the covariance above."""
    c = _cov(x, y, rowvar=rowvar, dtype=dtype)
    if c.ndim == 0:
        return np.true_divide(c, c)
    d = np.diag(c)
    stddev = np.sqrt(np.real(d))
    c = np.true_divide(np.true_divide(c, stddev[:, None]), stddev[None, :])
    return np.clip(c, -1, 1) if c.dtype.kind != "c" else c


@_reduction(np.trapezoid)
def _trapezoid(y, x=None, dx=1.0, axis=-1):
    """`np.trapezoid(tpr, fpr)` of 1-d selections by one mask (an ROC curve's points at the
    distinct scores): each selected point pairs with the next selected one."""
    if y.values.ndim != 1 or axis not in (0, -1) or \
            (x is not None and not (y._same(x) and x.values.ndim == 1)):
        y._refuse("np.trapezoid other than of 1-d selections by one mask")
    n = y.mask.shape[0]
    starts = np.where(y.mask, lax.lift(np.arange(n)), n)
    later = np.concatenate([starts[1:], lax.lift(np.full(1, n))])
    following = np.flip(np.minimum.accumulate(np.flip(later)))  # the next selected position
    pair = np.logical_and(y.mask, np.less(following, n))
    nxt = np.minimum(following, n - 1)
    step = dx if x is None else x.values[nxt] - x.values
    return np.sum(np.where(pair, step * (y.values[nxt] + y.values) / 2.0, 0))


@_reduction(np.dot, np.inner)
def _dot(a, b):
    """`np.dot(x[m], y[m])` of 1-d selections by one mask: the unselected products are 0.
    Selected rows times an array (`k[k2 > 0] @ pos.T`, the wave vectors of an Ewald sum) are
    the selection by the same mask of each row's product, as no sum runs along the mask."""
    if _rows_times_array(a, b):
        return a._wrap(np.dot(a.values, b))
    if not (isinstance(a, MaskedSelection) and a._same(b)) or a.values.ndim != 1 or \
            b.values.ndim != 1:
        sel = a if isinstance(a, MaskedSelection) else b
        sel._refuse("A product other than np.dot or @ of 1-d selections by one mask")
    return np.dot(a._masked_zeros(), b._masked_zeros())


def _rows_times_array(a, b) -> bool:
    """`a` selects rows (a 1-d mask, trailing dims kept) and `b`, an array of 1 or 2 dims,
    contracts only those trailing dims."""
    return isinstance(a, MaskedSelection) and not isinstance(a, InnerSelection) and \
        not isinstance(b, MaskedSelection) and a.mask.ndim == 1 and a.values.ndim == 2 and \
        (lax.is_tracer(b) or isinstance(b, np.ndarray)) and np.ndim(b) in (1, 2)


def _method(name, func):
    def method(self, *args, **kwargs):
        return func(self, *args, **kwargs)

    method.__name__ = name
    return method


for _name, _func in {"sum": np.sum, "prod": np.prod, "mean": np.mean, "var": np.var,
                     "std": np.std, "any": np.any, "all": np.all, "max": np.max,
                     "min": np.min, "clip": np.clip, "round": np.round, "argmax": np.argmax,
                     "argmin": np.argmin, "cumsum": np.cumsum, "cumprod": np.cumprod}.items():
    setattr(MaskedSelection, _name, _method(_name, _func))


def _binary(fn, reflected=False):
    """An operator applied to the full-shape operands (so `x[m] ** 2` keeps NumPy's fast
    powers, as the tracer's own operator does)."""

    def op(self, other):
        if isinstance(other, InnerSelection) and not isinstance(self, InnerSelection):
            return NotImplemented  # w[m] * x[:, m]: the inner selection places both
        other = self._operand(other)
        return self._wrap(fn(other, self.values) if reflected else fn(self.values, other))

    return op


def _inplace(fn, ufunc):
    """`x[m] op= v`: NumPy's in-place op on the selection's copy keeps its dtype, and refuses
    a result it cannot cast to it under `same_kind` (`int_array[m] += 0.5`)."""

    def op(self, other):
        res = fn(self.values, self._operand(other))
        if not np.can_cast(res.dtype, self.values.dtype, "same_kind"):
            raise np._core._exceptions._UFuncOutputCastingError(
                ufunc, "same_kind", res.dtype, self.values.dtype, 0)
        return self._wrap(res.astype(self.values.dtype))

    return op


_UFUNC_OF = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "truediv": np.true_divide,
             "floordiv": np.floor_divide, "mod": np.remainder, "pow": np.power,
             "and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor,
             "lshift": np.left_shift, "rshift": np.right_shift}
for _name, _ufunc in _UFUNC_OF.items():
    _fn = getattr(operator, _name + "_" if _name in ("and", "or") else _name)
    setattr(MaskedSelection, f"__{_name}__", _binary(_fn))
    setattr(MaskedSelection, f"__r{_name}__", _binary(_fn, reflected=True))
    setattr(MaskedSelection, f"__i{_name}__", _inplace(_fn, _ufunc))
for _name in "lt le gt ge eq ne".split():
    setattr(MaskedSelection, f"__{_name}__", _binary(getattr(operator, _name)))
for _name in "neg pos abs invert".split():
    setattr(MaskedSelection, f"__{_name}__",
            (lambda fn: lambda self: self._wrap(fn(self.values)))(
                getattr(operator, _name)))
MaskedSelection.__hash__ = None


class _Block(MaskedSelection):
    """`A[m][:, n]`: the block of rows by one traced mask and columns by another (a
    community's edges, `A[inside][:, inside].sum()`), its elements selected by both; reduced
    whole (along an axis its shape would be the data's)."""

    def __init__(self, values, mask):
        super().__init__(values, mask, made_by=(
            "A block A[m][:, n] by traced masks", "reduce it whole (A[m][:, m].sum())"))

    def _axes(self, axis):
        if axis is None:
            return tuple(range(self.values.ndim))
        self._refuse(f"A reduction along axis {axis}")
MaskedSelection.__divmod__ = lambda self, other: (self // other, self % other)
MaskedSelection.__rdivmod__ = lambda self, other: (other // self, other % self)


class SelectedColumns:
    """`x[m].T`, rows selected by a 1-d mask as columns: its product with a selection by the
    same mask sums over the selected rows (`Xc.T @ Xc`, LDA's within-class scatter), which
    unselected rows made 0 leave as they are."""

    __array_priority__ = 1000

    def __init__(self, rows: MaskedSelection):
        self.rows = rows

    @property
    def T(self) -> MaskedSelection:
        return self.rows

    def transpose(self, *axes) -> MaskedSelection:
        return self.rows.transpose(*axes) and self.rows

    def _product(self, other, op):
        rows = self.rows
        if not (isinstance(other, MaskedSelection) and rows._same(other)
                and not isinstance(other, InnerSelection) and other.values.ndim in (1, 2)):
            rows._refuse("A product of x[m].T other than with a selection by the same mask")
        return op(np.transpose(rows._masked_zeros()), other._masked_zeros())

    def __matmul__(self, other):
        return self._product(other, np.matmul)

    def dot(self, other):
        return self._product(other, np.dot)

    def __array_function__(self, func, types, args, kwargs):
        if func in (_NP_DOT, _NP_MATMUL) and len(args) == 2 and args[0] is self and not kwargs:
            return self._product(args[1], func)
        if func is _NP_TRANSPOSE and args[0] is self:
            return self.transpose(*args[1:], *kwargs.values())
        if func is _NP_COV and args[0] is self and len(args) == 1:  # variables as rows
            rowvar = kwargs.pop("rowvar", True)
            return mark_returns(_cov(self.rows, rowvar=not rowvar, **kwargs), "array")
        self.rows._refuse(f"np.{func.__name__} of x[m].T")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc is np.matmul and method == "__call__" and inputs[0] is self and not kwargs:
            return self._product(inputs[1], np.matmul)
        self.rows._refuse(f"np.{ufunc.__name__} of x[m].T")

    def __getattr__(self, name: str):
        self.rows._refuse(f".T.{name}")

    def __iter__(self):
        self.rows._refuse("Iterating x[m].T")

    def __len__(self):
        self.rows._refuse("len() of x[m].T")

    def __getitem__(self, key):
        self.rows._refuse("Indexing x[m].T")

    def __array__(self, dtype=None, copy=None):
        self.rows._refuse("Converting x[m].T to an array")


class InnerSelection(MaskedSelection):
    """`x[:, mask]`: NumPy's selection along axis `at` (after `at` whole dims), of shape
    `pre + (k,) + post`. `values` holds the whole of it with the mask's dims moved first, so
    the masked reductions work as they are; operands are moved the same way, and `setitem`
    moves them back (`x[:, m] *= w[m]`, `X[:, keep] -= X[:, keep].mean(axis=0)`)."""

    def __init__(self, values, mask, at: int):
        super().__init__(values, mask)
        self.at = at

    def _wrap(self, values) -> InnerSelection:
        return InnerSelection(values, self.mask, self.at)

    def _post(self) -> int:
        return self.values.ndim - self.mask.ndim - self.at

    def _operand(self, x):
        """`x` as NumPy broadcasts it against `pre + (k,) + post`, moved to the mask-first
        layout: a selection by the same mask must meet the selected axis with its own, any
        other operand must have length 1 there (or not reach it)."""
        post, md = self._post(), self.mask.ndim
        if isinstance(x, MaskedSelection):
            at = getattr(x, "at", 0)
            if not self._same(x) or x.values.ndim - md - at != post or at > self.at:
                raise errors.data_dependent("Combining x[:, mask] with a selection whose "
                                            "selected axis does not meet it", _INSTEAD)
            return lax.reshape(x.values, x.values.shape[:md] + (1,) * (self.at - at) +
                               x.values.shape[md:])
        if not (lax.is_tracer(x) or isinstance(x, np.ndarray)) or np.ndim(x) <= post:
            return x
        shape = np.shape(x)
        if len(shape) > self.ndim or shape[len(shape) - post - 1] != 1:
            raise errors.data_dependent(
                "Combining x[:, mask] with an array along the selected axis", _INSTEAD)
        pre = shape[:len(shape) - post - 1]
        return np.reshape(x, (1,) * (md + self.at - len(pre)) + pre + shape[len(shape) - post:])

    def __getitem__(self, key):
        """`bnd[_OPP]` of `bnd = f[:, obstacle]` (lattice Boltzmann's bounce-back): ints and
        slices, or slices and one integer array, over the dims before the selected axis, the
        selected axis whole, and ints and slices after it, index each selected column. An
        int at the selected axis of a 1-d mask (`evecs[:, np.isclose(evals, 1)][:, 0]`, a
        stationary distribution) is the column at the mask's (k+1)-th True."""
        key = list(key) if isinstance(key, tuple) else [key]
        pre, rest = [np.asarray(k) if isinstance(k, list) else k for k in key[:self.at]], \
            key[self.at:]
        post = rest[1:]
        arrays = [k for k in pre if _integer_array(k)]
        if rest and self.mask.ndim == 1 and _integer(rest[0]) and not arrays and all(
                isinstance(k, slice) or _integer(k) for k in pre + post):
            return self._element(rest[0])[tuple(pre) + tuple(post)]  # v[:, ok][:, 0]
        whole = not rest or isinstance(rest[0], slice) and rest[0] == slice(None)
        pre_ok = all(isinstance(k, slice) or _integer(k) or _integer_array(k) for k in pre)
        post_ok = all(isinstance(k, slice) or _integer(k) and not lax.is_tracer(k)
                      for k in post)
        if not (whole and pre_ok and post_ok) or len(post) > self._post() or \
                len(arrays) > 1 or arrays and any(_integer(k) for k in pre + post):
            self._refuse("Indexing")
        values = self.values[(slice(None),) * self.mask.ndim + tuple(pre) + tuple(post)]
        at = self.at - sum(map(_integer, pre)) + sum(a.ndim - 1 for a in arrays)
        return InnerSelection(values, self.mask, at) if at else MaskedSelection(values, self.mask)

    def _axes(self, axis):
        if axis is None:
            return tuple(range(self.values.ndim))
        if isinstance(axis, tuple) and len(axis) == 1:
            axis = axis[0]
        if axis in (self.at, self.at - self.ndim):
            return tuple(range(self.mask.ndim))
        self._refuse(f"A reduction along axis {axis}")

    def _rowwise(self, axis) -> None:
        return None  # `reduce` below keeps the selection along the other axes

    def _kept(self, axis) -> tuple:
        if axis is None:
            return (1,) * self.ndim
        rest = self.values.shape[self.mask.ndim:]
        return rest[:self.at] + (1,) + rest[self.at:]

    def reduce(self, func, axis=None, keepdims=False, **kw):
        """A reduction along another axis than the selected one keeps the selection
        (`X[:, keep].mean(axis=0)`); over the selected axis or all, the masked reduction."""
        if isinstance(axis, tuple) and len(axis) == 1:
            axis = axis[0]
        if axis is None or isinstance(axis, tuple) or axis in (self.at, self.at - self.ndim):
            return super().reduce(func, axis, keepdims, **kw)
        axis = normalize_axis(axis, self.ndim)
        pos = self.mask.ndim + (axis if axis < self.at else axis - 1)
        res = func(self.values, axis=pos, keepdims=keepdims, **kw)
        return InnerSelection(res, self.mask, self.at - (axis < self.at and not keepdims))

    def placed(self, x):
        """Operand `x` broadcast to the whole selection and moved back to NumPy's layout
        `pre + mask.shape + post`, for writing it into `x[:, mask]`."""
        full = lax.broadcast_to(lax.lift(self._operand(x)), self.values.shape)
        md = self.mask.ndim
        return np.moveaxis(full, range(md), range(self.at, self.at + md))


def select(x, mask) -> MaskedSelection:
    """`x[mask]` for a traced boolean mask over x's leading dims (NumPy's shape check)."""
    if mask.ndim == 0:  # NumPy's x[True] is x[np.newaxis], x[False] its empty selection
        return select(lax.reshape(x, (1,) + x.shape), lax.reshape(mask, (1,)))
    if mask.ndim > x.ndim:
        raise errors.data_dependent("Reading x[mask] with a traced too-deep mask", _INSTEAD)
    for i, (n, m) in enumerate(zip(x.shape, mask.shape)):
        if n != m:
            raise IndexError(f"boolean index did not match indexed array along axis {i}; size "
                             f"of axis is {n} but size of corresponding boolean axis is {m}")
    return MaskedSelection(_computed_rows(x, mask), mask)  # a copy: later writes miss it


def _computed_rows(x, mask) -> Tracer:
    """Float `x` with its first selected row where `mask` leaves rows out, in a function
    traced to be differentiated. NumPy computes nothing there, and a gradient's zero times a
    derivative taken there was NaN (numpy-financial's `pmt[nonzero] / rate[nonzero]` at the
    rows where `rate == 0`). Other traces keep `x` (the row's gather stops fusion)."""
    if not DIFFERENTIATED.get() or x.dtype.kind not in "fc" or mask.size < 2:
        return Tracer(x.node)
    rows = lax.reshape(x, (mask.size,) + x.shape[mask.ndim:])
    first = rows[np.argmax(lax.reshape(mask, (mask.size,)))]
    return lax.where(lax.reshape(mask, mask.shape + (1,) * (x.ndim - mask.ndim)), x, first)


def index_by_selections(x, keys: tuple) -> MaskedSelection:
    """`x[i[m], j[m]]`: integer index arrays selected by one traced mask lead the key (with
    ints and integer arrays beside them that broadcast as `broadcast_selected` says). The
    result is the selection by `m` of `x[i, j]`, read with index 0 where `m` is False, so
    that `out[m] = img[i[m], j[m]]` is `np.where(m, img[i, j], out)` as in NumPy."""
    inner = _inner_index_selection(x, keys)
    if inner is not None:
        return inner
    lead = leading_advanced(keys)
    rest = keys[lead:]
    spread = broadcast_selected(keys[:lead], x.shape) if lead and lead <= x.ndim and all(
        isinstance(k, slice) or k is Ellipsis for k in rest) else None
    if spread is None:
        raise errors.data_dependent(
            "Indexing with x[mask]-selections other than integer index arrays selected by one "
            "mask and leading the key (img[i[m], j[m]])", _INSTEAD)
    if any(x.shape[d] == 0 for d in range(lead)):
        raise errors.data_dependent("Indexing an empty axis with a selection x[mask]", _INSTEAD)
    mask = next(k.mask for k in keys if isinstance(k, MaskedSelection))
    return MaskedSelection(x[tuple(spread[0]) + tuple(rest)], mask)


def leading_advanced(keys: tuple) -> int:
    """How many keys lead `keys` that are selections, ints or integer arrays."""
    lead = 0
    while lead < len(keys) and (isinstance(keys[lead], (MaskedSelection, list, np.ndarray))
                                or lax.is_tracer(keys[lead]) or _integer(keys[lead])):
        lead += 1
    return lead


def broadcast_selected(keys: tuple, dims: tuple):
    """NumPy broadcasts index arrays together. With selections `i[m]` by one traced mask
    among them (shape `(k,) + R`, k unknown), the broadcast is `(k,) + R` when every other
    key, an int or an integer array, fits within R or has a leading 1 where k is
    (`np.add.at(acc, (rho[m], np.arange(n)), 1)`, `x[i[m], 3]`). Returns the keys in full
    form, each of shape `m.shape + R` with index 0 where `m` is False, and R; None where
    the broadcast would meet k with another length (it depends on the data)."""
    sels = [k for k in keys if isinstance(k, MaskedSelection)]
    if not sels:
        return None
    mask = sels[0].mask
    r = sels[0].values.ndim - mask.ndim
    if any(isinstance(k, InnerSelection) or k.mask.node is not mask.node or k.dtype.kind
           not in "iu" or k.values.shape[:mask.ndim] != mask.shape or
           k.values.ndim - mask.ndim != r for k in sels):
        return None
    parts = []
    for d, (k, n) in enumerate(zip(keys, dims)):
        if isinstance(k, MaskedSelection):
            parts.append((k.values, k.values.shape[mask.ndim:]))
            continue
        if _integer(k) and not lax.is_tracer(k):
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for axis {d} with size {n}")
            k = np.asarray(int(k) % n, np.intp)
        k = k if lax.is_tracer(k) else np.asarray(k)
        if k.dtype.kind not in "iu" or k.ndim > r + 1 or k.ndim == r + 1 and k.shape[0] != 1:
            return None
        if k.ndim == r + 1:
            k = lax.reshape(k, k.shape[1:]) if lax.is_tracer(k) else k[0]
        parts.append((k, k.shape))
    try:
        rest = np.broadcast_shapes(*(s for _, s in parts))
    except ValueError:
        raise IndexError("shape mismatch: indexing arrays could not be broadcast together "
                         "with shapes " + " ".join(f"({', '.join(map(str, s))})"
                                                    for _, s in parts)) from None
    m = lax.reshape(mask, mask.shape + (1,) * r)
    full = [np.where(m, lax.broadcast_to(lax.lift(k), mask.shape + rest),
                     lax.lift(np.zeros((), k.dtype))) for k, _ in parts]
    return full, rest


def broadcast_selected_value(value, mask, shape: tuple):
    """`value` broadcast to `(k,) + shape` as NumPy broadcasts it, in full form
    (`mask.shape + shape`); None where k would meet a dim of the value."""
    if isinstance(value, MaskedSelection):
        if value.mask.node is not mask.node or isinstance(value, InnerSelection) or \
                value.values.ndim - mask.ndim != len(shape):
            return None
        v = value.values
    else:
        v = lax.lift(value)
        if v.ndim > len(shape) + 1 or v.ndim == len(shape) + 1 and v.shape[0] != 1:
            return None
        if v.ndim == len(shape) + 1:
            v = lax.reshape(v, v.shape[1:])
    return lax.broadcast_to(v, mask.shape + tuple(shape))


def _inner_index_selection(x, keys: tuple) -> InnerSelection | None:
    """`x[:, i[m]]`: one 1-D integer index array selected by a traced mask after slices (and
    before slices), as Izhikevich's `S[:, np.where(v >= 30)[0]].sum(axis=1)` writes it. The
    selection by `m` along axis `j` of `x[:, i]` (index 0 where `m` is False), as `x[:, m]`
    is; None for other keys."""
    at = [j for j, k in enumerate(keys) if isinstance(k, MaskedSelection)]
    if len(at) != 1 or at[0] == 0:
        return None
    j, sel = at[0], keys[at[0]]
    if sel.mask.ndim != 1 or sel.values.shape != sel.mask.shape or sel.dtype.kind not in "iu" \
            or not all(isinstance(k, slice) for k in keys[:j]) \
            or not all(isinstance(k, slice) or k is Ellipsis for k in keys[j + 1:]):
        return None
    if x.ndim <= j or x.shape[j] == 0:
        raise errors.data_dependent("Indexing an empty axis with a selection x[mask]", _INSTEAD)
    safe = np.where(sel.mask, sel.values, lax.lift(np.zeros((), sel.dtype)))
    picked = x[keys[:j] + (safe,) + keys[j + 1:]]
    return InnerSelection(Tracer(np.moveaxis(picked, j, 0).node), sel.mask, j)


class _SliceView:
    """`x[i:j]` of a traced bound, a selection that is NumPy's view of `x`: an in-place op on
    it (`tail *= 0.5`, `y[k:] += 1`) and a write into it (`head[:] = 0`) reach `x` (`write`
    is indexing's `setitem`); reading it after `x` was written otherwise is refused, as the
    view would show that write."""

    def _view_of(self, base, key, write):
        self._base, self._key, self._write = base, key, write
        self._seen = base.node
        return self

    @property
    def values(self):
        base = self.__dict__.get("_base")
        if base is not None and base.node is not self._seen:
            raise errors.unsupported("Reading x[i:j] of a traced bound after a write into x "
                                     "(NumPy's view shows the write)")
        return self.__dict__["_values"]

    @values.setter
    def values(self, v):
        self.__dict__["_values"] = v

    def _written(self, res):
        """`res` (this selection's new values) written into `x`, and returned as its view."""
        self._write(self._base, self._key, res)
        if isinstance(res, InnerSelection):
            new = _SliceInner(res.values, res.mask, res.at)
        else:
            new = _SliceMasked(res.values, res.mask, self.made_by)
        return new._view_of(self._base, self._key, self._write)

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self._write(self._base, self._key, self)
        self._seen = self._base.node


def _inplace_view(name):
    def op(self, other):
        return self._written(getattr(super(_SliceView, self), f"__i{name}__")(other))

    return op


for _name in _UFUNC_OF:
    setattr(_SliceView, f"__i{_name}__", _inplace_view(_name))


class _SliceMasked(_SliceView, MaskedSelection):
    pass


class _SliceInner(_SliceView, InnerSelection):
    pass


def slice_view(sel, base, key, write, made_by) -> MaskedSelection:
    """The selection `sel` that `x[key]` (a slice of a traced bound) made, as a view of x."""
    if not isinstance(sel, MaskedSelection):
        return sel
    if isinstance(sel, InnerSelection):
        view = _SliceInner(sel.values, sel.mask, sel.at)
    else:
        view = _SliceMasked(sel.values, sel.mask, made_by)
    return view._view_of(base, key, write)
