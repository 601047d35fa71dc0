"""NumPy functions whose result shape depends on the data: refused with the alternative to use.

Arguments that depend on no input of the function (`np.eye(4, dtype=bool)` while tracing)
are concrete: NumPy computes the result and the graph holds it as a constant. `np.compress`
and `np.extract` with a concrete condition have a known shape and are traced as a gather.
`np.bincount(x, minlength=k)` of values the graph bounds below `k` (`value_range`) has
length `k` and is traced as a scatter-add.
"""

from __future__ import annotations

import operator

import numpy as np

from .. import errors, ir, lax
from ..pytree import flatten
from ..shapes import normalize_axis
from . import implements
from .masked import _ELEMENTWISE, MaskedSelection
from .value_range import value_bounds

_MASKED = ("np.where(mask, x, fill) keeps the shape, and masked reductions such as "
           "np.sum(x, where=mask) need no selection")


def _concrete(*args):
    """NumPy values of `args` when none depends on an input of the function, else None (a
    list holding traced values, `np.roots([1, -r1, -r2])`, is the array NumPy makes of it)."""
    args = [lax.lift(a) if isinstance(a, (list, tuple)) and lax.holds_tracer(a) else a
            for a in args]
    values = [a.constant_value() if lax.is_tracer(a) else a for a in args]
    unknown = any(v is None and lax.is_tracer(a) for a, v in zip(args, values))
    return None if unknown else values


def _constants(res):
    if isinstance(res, tuple) and hasattr(res, "_fields"):  # np.unique_counts(...).counts
        return type(res)(*(lax.lift(r) for r in res))
    return tuple(lax.lift(r) for r in res) if isinstance(res, tuple) else lax.lift(res)


def _traced_mask(a, what: str):
    m = lax.lift(a)
    if m.ndim == 0:
        raise errors.data_dependent(f"{what} of a traced 0-d value", _MASKED)
    return m if m.dtype == np.bool_ else np.not_equal(m, 0)


@implements(np.nonzero)
def nonzero(a):
    """Of a traced mask: per axis, the index grid selected by the mask, a selection of unknown
    length (`masked.py`) that indexes (`x[np.nonzero(m)] = v` is `x[m] = v`) and reduces."""
    known = _concrete(a)
    if known is not None:
        return _constants(np.nonzero(*known))
    m = _traced_mask(a, "np.nonzero")
    return tuple(MaskedSelection(lax.lift(g), m) for g in np.indices(m.shape))


@implements(np.argwhere)
def argwhere(a):
    """Of a traced mask: the selection of the `(k, ndim)` coordinates, so that its reductions
    along axis 0 (`np.argwhere(m).mean(axis=0)`) trace."""
    known = _concrete(a)
    if known is not None:
        return _constants(np.argwhere(*known))
    m = _traced_mask(a, "np.argwhere")
    return MaskedSelection(lax.lift(np.stack(np.indices(m.shape), axis=-1)), m)


@implements(np.flatnonzero)
def flatnonzero(a):
    known = _concrete(a)
    if known is not None:
        return _constants(np.flatnonzero(*known))
    m = np.ravel(_traced_mask(a, "np.flatnonzero"))
    return MaskedSelection(lax.lift(np.arange(m.size)), m)


_UNIQUE = ("reduce them where they are made (np.unique(x, return_counts=True)[1].max()), use "
           "the inverse (it has x's shape); np.sort(x) keeps every element, and values in a "
           "known range count as (x[:, None] == np.arange(k)).sum(axis=0)")


@implements(np.unique)
def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True, sorted=True):
    """Of traced values: the unique values, first indices and counts are selections
    (`masked.py`) of the sorted values by the mask of each run's first element, so they reduce
    (`counts.max()`) but have no length; the inverse has a known shape and is traced
    (`_, inv = np.unique(x, return_inverse=True)`)."""
    known = _concrete(ar)
    if known is not None:
        return _constants(np.unique(known[0], return_index, return_inverse, return_counts, axis,
                                    equal_nan=equal_nan, sorted=sorted))
    x = lax.lift(ar)
    if axis is not None and normalize_axis(axis, x.ndim) == 0 and x.ndim > 1 and \
            x.dtype.kind in "biu" and sorted and x.size:
        return _unique_rows(x, return_index, return_inverse, return_counts)
    if axis is not None or not sorted or x.dtype.kind not in "biufmM" or x.size == 0:
        raise errors.data_dependent("np.unique", _UNIQUE)
    flat = np.ravel(x)
    order = np.argsort(flat, kind="stable")
    s = flat[order]
    differs = s[1:] != s[:-1]
    if equal_nan and s.dtype.kind in "fmM":  # all NaNs (or NaTs) are one value
        nan = np.isnat(s) if s.dtype.kind in "mM" else np.isnan(s)
        differs = np.logical_and(differs, np.logical_not(np.logical_and(nan[1:], nan[:-1])))
    return _runs(s, order, differs, x.shape, return_index, return_inverse, return_counts)


def _unique_rows(x, return_index: bool, return_inverse: bool, return_counts: bool):
    """`np.unique(x, axis=0)` of integers (n-gram ids, edges): the rows sorted as NumPy
    sorts them, first column first (a stable `lexsort`), each run of equal rows one value."""
    n = x.shape[0]
    rows = np.reshape(x, (n, -1))
    order = np.lexsort(np.flip(rows.T, 0))
    s = np.take(x, order, axis=0)
    differs = np.any(np.reshape(s, (n, -1))[1:] != np.reshape(s, (n, -1))[:-1], axis=1)
    return _runs(s, order, differs, (n,), return_index, return_inverse, return_counts)


def _runs(s, order, differs, shape: tuple, return_index: bool, return_inverse: bool,
          return_counts: bool):
    """`np.unique`'s results from the sorted values `s` (by `order`) and where each differs
    from the one before: selections by the first of each run, the inverse traced."""
    n = s.shape[0]
    first = np.concatenate([np.ones(1, dtype=bool), differs])
    res = [MaskedSelection(s, first, ("np.unique's values", _UNIQUE), nonempty=True)]
    if return_index:
        res.append(MaskedSelection(order, first, ("np.unique's indices", _UNIQUE),
                                   nonempty=True))
    if return_inverse:
        group = np.cumsum(first, dtype=np.intp) - 1
        inverse = lax.scatter(lax.lift(np.zeros(n, np.intp)), order, group, 0, "set")
        res.append(np.reshape(inverse, shape))
    if return_counts:
        pos = np.arange(n)
        starts = np.concatenate([np.where(first, pos, n)[1:], np.full(1, n)])
        following = np.flip(np.minimum.accumulate(np.flip(starts)))
        res.append(MaskedSelection(following - pos, first, ("np.unique's counts", _UNIQUE),
                                   nonempty=True))
    return res[0] if len(res) == 1 else tuple(res)


_SETS = ("np.isin(a, b) keeps a's shape and marks the members, np.sort(x) keeps every element, "
         "and values in a known range count as (x[:, None] == np.arange(k)).sum(axis=0)")
_TRIMS = ("coefficients with leading (or trailing) zeros give a shorter result, so the length "
          "depends on them; np.convolve(a, b) is the untrimmed product and np.polyval "
          "evaluates any coefficient array")


def _of_constants(func, what: str, instead: str):
    """`func` of arguments that depend on no input: NumPy's result as a constant; of traced
    ones, whose values decide the result's length, the named refusal."""

    def impl(*args, **kwargs):
        known = _concrete(*args, *kwargs.values())
        if known is None:
            from .indexing import _live

            traced = [t for t in flatten((args, kwargs))[0] if _live(t)]
            if traced and all(ir.of_python_scalars(t.node) for t in traced):  # a list argument
                raise errors.steered_by(  # of ints (`fixed` dofs): jit makes it static
                    errors.concretization_error(f"{what} of Python scalar arguments"), *traced)
            raise errors.data_dependent(what, instead)
        return _constants(func(*known[:len(args)], **dict(zip(kwargs, known[len(args):]))))

    return impl


for _func, _instead in (
        (np.setdiff1d, _SETS), (np.union1d, _SETS), (np.intersect1d, _SETS),
        (np.setxor1d, _SETS), (np.unique_counts, _SETS), (np.unique_inverse, _SETS),
        (np.unique_values, _SETS), (np.unique_all, _SETS), (np.trim_zeros, _TRIMS),
        (np.polymul, _TRIMS), (np.polydiv, _TRIMS), (np.roots, _TRIMS)):
    implements(_func)(_of_constants(_func, f"np.{_func.__name__}", _instead))


@implements(np.bincount)
def bincount(x, weights=None, minlength=0):
    minlength = operator.index(minlength)  # a traced one: ConcretizationError
    known = _concrete(x, weights)
    if known is not None:
        return _constants(np.bincount(known[0], known[1], minlength))
    x = lax.lift(x)
    _check_bincount(x, weights, minlength)
    values = x.constant_value()
    if values is not None:  # bins known, weights traced: `np.arange(n) // 7` day -> week
        if np.any(values < 0):
            raise ValueError("'list' argument must have no negative elements")
        return _bincount_of_bounded(x, weights, max(minlength, int(values.max(initial=-1)) + 1))
    lo, hi = value_bounds(x.node)
    if lo is not None and lo >= 0 and hi is not None and hi < minlength:
        return _bincount_of_bounded(x, weights, minlength)
    if minlength > 0 and _checked_below(x, minlength):
        return _bincount_of_bounded(np.clip(x, 0, minlength - 1), weights, minlength)
    if minlength == 0 and x.shape[0] > 0 and x.dtype.kind in "iu" and \
            lax.check(np.any(x < 0), "ValueError",
                      "'list' argument must have no negative elements"):
        return _Bincount(x) if weights is None else _Bins.of(x, weights)
    raise errors.steered_by(errors.data_dependent("np.bincount", _BINCOUNT), x)


_BINCOUNT = ("with k known bins, (x[:, None] == np.arange(k)).sum(axis=0) counts, and "
             "np.add.at(np.zeros(k), x, w) sums weights; a minlength above every possible "
             "value fixes the length (uint8/uint16/bool values, np.clip(i, 0, k - 1), "
             "np.digitize(x, bins), i % k); np.bincount(x).argmax() and .max() trace")


class _Bins(MaskedSelection):
    """`np.bincount(x)` or `np.bincount(x, weights=w)` of labels with no known bound, read back
    at the labels: `np.bincount(g, weights=y) / np.bincount(g)` then `means[g]` (group means in
    panel demeaning), `np.bincount(g)[g]` (each row's group size). NumPy's length, max(x) + 1,
    depends on the values, so one bin is held per distinct label, at its first position in
    `np.unique`'s sorted order. The bins no label hits are never read by `[x]`, so elementwise
    work with scalars and with bins of the same labels, and the read at the labels, are
    NumPy's; anything that would see those bins (a reduction, the length, another index) is
    refused."""

    def __init__(self, x, values, mask, start, labels=None):
        super().__init__(values, mask, ("np.bincount without minlength", _BINCOUNT),
                         nonempty=True, steer=x)
        self._x = x
        # the labels' values when counted: a later write into `x` gives x another node
        self._labels = x.node if labels is None else labels
        self._start = start  # the position in `values` of each label's bin

    @classmethod
    def of(cls, x, weights):
        """The bins of `x`, counts (weights None) or sums of `weights` in float64 (NumPy's
        dtype for weights), with each sum taken in `x`'s order as NumPy's is."""
        mask = unique(x, return_counts=True)[1].mask
        order = np.argsort(x, kind="stable")  # unique's own, the same node
        n = x.shape[0]
        pos = lax.lift(np.arange(n, dtype=np.intp))
        first_of_run = np.maximum.accumulate(np.where(mask, pos, 0))
        start = lax.scatter(lax.lift(np.zeros(n, np.intp)), order, first_of_run, 0, "set")
        if weights is None:
            out, inc = lax.lift(np.zeros(n, np.intp)), lax.lift(np.ones(n, np.intp))
        else:
            out, inc = lax.lift(np.zeros(n)), lax.lift(weights).astype(np.float64)
        return cls(x, lax.scatter(out, start, inc, 0, "add"), mask, start)

    def _refuse(self, what: str):
        """Refused, noting `x`: jit makes static the Python scalar arguments it is computed
        from alone (`radial_profile(img, center=(3, 3))`), whose bins are then known."""
        try:
            super()._refuse(what)
        except errors.DataDependentShapeError as e:
            raise errors.steered_by(e, self._x) from None

    def _wrap(self, values):
        return _Bins(self._x, values, self.mask, self._start, self._labels)

    def _operand(self, x):
        if isinstance(x, MaskedSelection) and not (isinstance(x, _Bins) and
                                                   x._labels is self._labels):
            self._refuse("Combining with a selection other than bins of the same labels")
        return super()._operand(x)

    def __matmul__(self, other):
        self._refuse("np.dot of")

    __rmatmul__ = __matmul__

    def __array_function__(self, func, types, args, kwargs):
        if func not in _ELEMENTWISE:
            self._refuse(f"np.{func.__name__}")
        return super().__array_function__(func, types, args, kwargs)

    def __getitem__(self, key):
        """`bins[x]` at the labels themselves: each element's own bin."""
        if not (lax.is_tracer(key) and key.node is self._labels):
            self._refuse("Indexing (other than at the labels themselves)")
        return self.values[self._start]

    def __setitem__(self, key, value):
        self._refuse("Writing into")

    def copy(self):
        return self._wrap(self.values)


_ARG_MAX = (np.argmax, np.max, np.amax)  # NumPy's own: tracing swaps some of np's names


class _Bincount(_Bins):
    """`np.bincount(x)` (counts) of values with no known bound. Besides `_Bins`' reads, its
    argmax (the most frequent value, the smallest of ties: `np.bincount(votes).argmax()`) and
    max are those of `np.unique`'s counts, since a value absent from `x` counts 0 and is never
    the most frequent."""

    def __init__(self, x):
        bins = _Bins.of(x, None)
        super().__init__(x, bins.values, bins.mask, bins._start)
        self._sorted = unique(x).values  # the values, by the same mask (not kept as a selection)

    def __array_function__(self, func, types, args, kwargs):
        if func not in _ARG_MAX:
            return super().__array_function__(func, types, args, kwargs)
        if args[1:] or args[0] is not self or kwargs.get("axis") not in (None, 0, -1) or \
                kwargs.get("out") is not None or kwargs.get("keepdims"):
            self._refuse(f"np.{func.__name__}")
        most = MaskedSelection.__array_function__(self, func, types, (self,), {})
        if func is _ARG_MAX[0]:  # the position among the unique values: the value itself
            most = lax.cast(self._sorted[self._position(most)], np.intp).with_returns("scalar")
        return most


def _check_bincount(x, weights, minlength) -> None:
    """NumPy's errors of the arguments' dtypes and shapes, in NumPy's order: known while
    tracing, they come before the refusal of a length the values decide."""
    if x.dtype.kind not in "biu":
        raise TypeError(f"Cannot cast array data from dtype('{x.dtype}') to dtype('int64') "
                        "according to the rule 'safe'")
    if x.ndim != 1:
        raise ValueError("object too deep for desired array" if x.ndim else
                         "object of too small depth for desired array")
    if operator.index(minlength) < 0:
        raise ValueError("'minlength' must not be negative")
    if weights is not None:
        weights = lax.lift(weights)
        if weights.dtype.kind == "c":
            raise TypeError(f"Cannot cast array data from dtype('{weights.dtype}') to "
                            "dtype('float64') according to the rule 'safe'")
        if weights.shape != x.shape:
            raise ValueError("The weights and list don't have the same length.")


def _checked_below(x, minlength: int) -> bool:
    """Checks, made when the function runs, that `x` is in `[0, minlength)`: a negative value
    raises NumPy's error, a larger one `DataDependentShapeError` (NumPy's result would be
    longer; `jit(fallback=True)` runs that call in NumPy). False inside `grad`'s trace."""
    return lax.check(np.any(x < 0), "ValueError", "'list' argument must have no negative "
                     "elements") and lax.check(
        np.any(x >= minlength), "DataDependentShapeError",
        f"np.bincount(x, minlength={minlength}) of an x with a value >= {minlength}: NumPy's "
        f"result has more than the {minlength} bins the compiled function has. Pass "
        "fallback=True to jit to run such calls in NumPy, or make the bound certain "
        "(np.clip, np.minimum, % k)")


def _bincount_of_bounded(x, weights, minlength: int):
    """Every value of `x` is below `minlength` (its dtype or how it was computed says so:
    `value_range`): NumPy's length is `minlength`, known now, and the counts are one
    scatter-add (`np.add.at`)."""
    x = lax.lift(x)
    if weights is None or x.shape[0] == 0:  # NumPy: no values count in intp, weights or not
        out, inc = lax.lift(np.zeros(minlength, dtype=np.intp)), 1
    else:
        out, inc = lax.lift(np.zeros(minlength)), lax.lift(weights).astype(np.float64)
    np.add.at(out, x.astype(np.intp), inc)
    return out


@implements(np.compress)
def compress(condition, a, axis=None, out=None):
    """Of a traced 1-d condition: `a`'s selection along `axis` by it (False past its end, as
    NumPy's), which reduces as `x[mask]` does (`np.compress(m, x).sum()`)."""
    known = _concrete(condition)
    if known is not None:
        idx = np.flatnonzero(np.asarray(known[0]))  # concrete: NumPy's own
        return np.take(a, idx, axis=axis, out=out)
    m = lax.lift(condition)
    a = lax.lift(a)
    if out is not None or m.ndim != 1:
        raise errors.data_dependent("np.compress with a traced condition", _MASKED)
    if axis is None:
        a, axis = np.ravel(a), 0
    axis = normalize_axis(axis, a.ndim)
    n = a.shape[axis]
    if m.shape[0] > n:
        raise IndexError(f"index {m.shape[0] - 1} is out of bounds for axis {axis} with size {n}")
    m = np.not_equal(m, 0)
    if m.shape[0] < n:
        m = np.concatenate([m, np.zeros(n - m.shape[0], dtype=bool)])
    return a[(slice(None),) * axis + (m,)]


@implements(np.extract)
def extract(condition, arr):
    """Of a traced condition of `arr`'s size: the selection `np.ravel(arr)[np.ravel(cond)]`."""
    known = _concrete(condition)
    if known is not None:
        return np.take(np.ravel(arr), np.flatnonzero(np.ravel(np.asarray(known[0]))))
    m, arr = np.ravel(lax.lift(condition)), np.ravel(lax.lift(arr))
    if m.shape != arr.shape:
        raise errors.data_dependent("np.extract with a traced condition of another size than "
                                    "the array", _MASKED)
    return arr[np.not_equal(m, 0)]
