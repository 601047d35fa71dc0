"""Shape and movement functions: reshape, transpose, joins, splits, flips, padding, selection, sort."""

from __future__ import annotations

import operator

import numpy as np

from .. import errors, lax
from ..ops import Op
from ..shapes import normalize_axes, normalize_axis
from . import implements, pad_modes
from .creation import weak_or_dtype
from .indexing import (c_contiguous, check_scalar_conversion, layout_order, make_view,
                       read_only_view, refuse_writes)


def _t(x):
    return lax.lift(x)


def _full_slices(ndim):
    return [(None, None, None)] * ndim


@implements(np.reshape)
def reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    if copy:  # a new array, never a view of `a`
        from ..tracer import Tracer

        return Tracer(reshape(a, shape, order, newshape=newshape).node)
    a = _t(a)
    shape = newshape if shape is None else shape
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    for d in shape:
        if isinstance(d, (float, np.floating)):
            raise TypeError(f"'{type(d).__name__}' object cannot be interpreted as an integer")
    shape = tuple(-1 if operator.index(d) < 0 else d for d in shape)  # NumPy's -2 is -1
    if order not in ("C", "F", "A", "K", None):
        raise ValueError(f"order must be one of 'C', 'F', 'A', or 'K' (got {order!r})")
    if order == "K":
        raise ValueError("order 'K' is not permitted for reshaping")
    if order == "A":
        order = layout_order(a, order)
    if order == "F":
        rev = lax.transpose(a, tuple(reversed(range(a.ndim))))
        out = lax.reshape(rev, tuple(reversed(lax.reshape(a, shape).shape)))
        return lax.transpose(out, tuple(reversed(range(out.ndim))))
    new = lax.reshape(a, shape).shape
    if a._view is None:
        return make_view(a, "reshape", new)
    if [d for d in new if d != 1] == [d for d in a.shape if d != 1]:
        return _unit_dims_view(a, new)  # only size-1 dims change: a view of any view
    if a._view[2] == "reshape" and c_contiguous(a._view[0]):  # `np.ravel(x.reshape(2, 3))`
        return make_view(a._view[0], "reshape", new)
    if c_contiguous(a):  # a block of rows: `x[1:].reshape(-1)` is NumPy's view
        return make_view(a, "reshape", new)
    return lax.reshape(a, shape)


@implements(np.ravel)
def ravel(a, order="C"):
    a = _t(a)
    if order in ("A", "K"):
        order = layout_order(a, order)
    if isinstance(order, tuple):  # "K" of axes in neither order: by their strides
        return reshape(transpose(a, order), (-1,))
    return reshape(a, (-1,), order=order)


@implements(np.transpose)
def transpose(a, axes=None):
    a = _t(a)
    axes = tuple(reversed(range(a.ndim))) if axes is None else tuple(
        normalize_axis(ax, a.ndim) for ax in axes)
    if len(axes) != a.ndim:
        raise ValueError("axes don't match array")
    return make_view(a, "transpose", axes)


@implements(np.matrix_transpose)
def matrix_transpose(x):
    return np.swapaxes(x, -1, -2)


@implements(np.moveaxis)
def moveaxis(a, source, destination):
    a = _t(a)
    src = [normalize_axis(s, a.ndim, strict=True) for s in np.atleast_1d(source)]
    dst = [normalize_axis(d, a.ndim, strict=True) for d in np.atleast_1d(destination)]
    if len(src) != len(dst):
        raise ValueError("`source` and `destination` arguments must have the same number of "
                         "elements")
    order = [n for n in range(a.ndim) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(a, order)


@implements(np.swapaxes)
def swapaxes(a, axis1, axis2):
    a = _t(a)
    perm = list(range(a.ndim))
    i, j = normalize_axis(axis1, a.ndim, strict=True), normalize_axis(axis2, a.ndim, strict=True)
    perm[i], perm[j] = perm[j], perm[i]
    return transpose(a, perm)


@implements(np.rollaxis)
def rollaxis(a, axis, start=0):
    a = _t(a)
    axis = normalize_axis(axis, a.ndim)
    start = start % (a.ndim + 1) if start < 0 else start
    if axis < start:
        start -= 1
    return moveaxis(a, axis, start)


@implements(np.expand_dims)
def expand_dims(a, axis):
    a = _t(a)
    axes = normalize_axes(axis, a.ndim + (len(axis) if isinstance(axis, (tuple, list)) else 1))
    shape = list(a.shape)
    for ax in axes:
        shape.insert(ax, 1)
    return _unit_dims_view(a, shape)


def _unit_dims_view(a, shape):
    """`a` with size-1 dims added or removed: always a view in NumPy, also of a view."""
    return make_view(a, "reshape", tuple(shape))


@implements(np.squeeze)
def squeeze(a, axis=None):
    a = _t(a)
    if axis is None:
        axes = [i for i, d in enumerate(a.shape) if d == 1]
    else:
        axes = normalize_axes(axis, a.ndim)
        for ax in axes:
            if a.shape[ax] != 1:
                raise ValueError("cannot select an axis to squeeze out which has size not equal "
                                 "to one")
    return _unit_dims_view(a, [d for i, d in enumerate(a.shape) if i not in axes])


@implements(np.broadcast_to)
def broadcast_to(array, shape, subok=False):
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return read_only_view(_t(array), lambda b: lax.broadcast_to(b, shape), "np.broadcast_to")


@implements(np.broadcast_arrays)
def broadcast_arrays(*args, subok=False):
    shape = np.broadcast_shapes(*(np.shape(a) for a in args))
    return tuple(refuse_writes(_t(a), lambda b: lax.broadcast_to(b, shape),
                               "the results of np.broadcast_arrays",
                               "NumPy writes through every broadcast copy, with a FutureWarning "
                               "that they will become read-only")
                 for a in args)


@implements(np.shape)
def shape(a):
    return _t(a).shape


@implements(np.ndim)
def ndim(a):
    return _t(a).ndim


@implements(np.result_type)
def result_type(*arrays_and_dtypes):
    """NumPy's answer from the traced values' dtypes; a traced Python scalar stays weak."""
    return np.result_type(*(weak_or_dtype(a) for a in arrays_and_dtypes))


@implements(np.can_cast)
def can_cast(from_, to, casting="safe"):
    if lax.is_tracer(from_) and from_.weak:
        raise TypeError("can_cast() does not support Python ints, floats, and complex because "
                        "the result used to depend on the value.\nThis change was part of "
                        "adopting NEP 50, we may explicitly allow them again in the future.")
    if lax.is_tracer(to):  # NumPy's: `to` must be a dtype (it recursed here)
        raise TypeError("Cannot construct a dtype from an array")
    return np.can_cast(from_.dtype if lax.is_tracer(from_) else from_, to, casting)


@implements(np.common_type)
def common_type(*arrays):
    """NumPy's answer from the dtypes alone (scipy.linalg's `np.common_type(a, b)`)."""
    return np.common_type(*(np.empty(0, _t(a).dtype) for a in arrays))


@implements(np.min_scalar_type)
def min_scalar_type(a):
    """An array's own dtype; for a 0-d value NumPy's answer depends on the value."""
    a = _t(a)
    if a.ndim:
        return a.dtype
    value = a.constant_value()
    if value is None:
        raise errors.concretization_error("np.min_scalar_type of a traced scalar")
    return np.min_scalar_type(value)


@implements(np.size)
def size(a, axis=None):
    a = _t(a)
    return a.size if axis is None else a.shape[axis]


def _atleast(n, arys):
    res = []
    for a in arys:
        a = _t(a)
        if a.ndim < n:
            if n == 3 and a.ndim == 2:
                a = _unit_dims_view(a, a.shape + (1,))
            elif n == 3 and a.ndim == 1:
                a = _unit_dims_view(a, (1,) + a.shape + (1,))
            elif n == 2 and a.ndim == 1:
                a = _unit_dims_view(a, (1,) + a.shape)
            else:
                a = _unit_dims_view(a, (1,) * n)
        res.append(a)
    return res[0] if len(res) == 1 else tuple(res)


@implements(np.atleast_1d)
def atleast_1d(*arys):
    return _atleast(1, arys)


@implements(np.atleast_2d)
def atleast_2d(*arys):
    return _atleast(2, arys)


@implements(np.atleast_3d)
def atleast_3d(*arys):
    return _atleast(3, arys)


def _join_dtype(arrays, dtype):
    if dtype is not None:
        return np.dtype(dtype)
    from .ufuncs import _dtype_arg

    return np.result_type(*(_dtype_arg(a) if not isinstance(_dtype_arg(a), type)
                            else _t(a).dtype for a in arrays))


@implements(np.concatenate)
def concatenate(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    arrays = [_t(a) for a in arrays]
    if axis is None:
        arrays, axis = [np.ravel(a) for a in arrays], 0
    if not arrays:
        raise ValueError("need at least one array to concatenate")
    nd = arrays[0].ndim
    if nd == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    if any(a.ndim != nd for a in arrays):
        bad = next(i for i, a in enumerate(arrays) if a.ndim != nd)
        raise ValueError(
            "all the input array dimensions except for the concatenation axis must match "
            f"exactly, but along dimension 0, the array at index 0 has {nd} dimension(s) and "
            f"the array at index {bad} has {arrays[bad].ndim} dimension(s)")
    dt = _join_dtype(arrays, dtype)
    res = lax.concat([lax.cast(a, dt) for a in arrays], normalize_axis(axis, nd))
    if out is not None:
        from .ufuncs import _store

        return _store(np.add, (res,), out, True, casting)
    return res


@implements(np.stack)
def stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    arrays = [_t(a) for a in arrays]
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError("all input arrays must have the same shape")
    axis = normalize_axis(axis, arrays[0].ndim + 1)
    return concatenate([expand_dims(a, axis) for a in arrays], axis=axis, out=out, dtype=dtype,
                       casting=casting)


@implements(np.vstack, np.row_stack) if hasattr(np, "row_stack") else implements(np.vstack)
def vstack(tup, *, dtype=None, casting="same_kind"):
    return concatenate(atleast_2d(*tup) if len(tup) > 1 else [atleast_2d(*tup)], axis=0,
                       dtype=dtype, casting=casting)


@implements(np.hstack)
def hstack(tup, *, dtype=None, casting="same_kind"):
    arrs = atleast_1d(*tup)
    arrs = list(arrs) if isinstance(arrs, tuple) else [arrs]
    return concatenate(arrs, axis=0 if arrs[0].ndim == 1 else 1, dtype=dtype, casting=casting)


@implements(np.dstack)
def dstack(tup):
    arrs = atleast_3d(*tup)
    return concatenate(list(arrs) if isinstance(arrs, tuple) else [arrs], axis=2)


@implements(np.column_stack)
def column_stack(tup):
    cols = []
    for a in tup:
        a = _t(a)
        cols.append(reshape(a, (-1, 1)) if a.ndim < 2 else a)
    return concatenate(cols, axis=1)


@implements(np.array_split)
def array_split(ary, indices_or_sections, axis=0):
    a = _t(ary)
    indices_or_sections = _sections(indices_or_sections)
    axis = normalize_axis(axis, a.ndim)
    n = a.shape[axis]
    if np.ndim(indices_or_sections) == 0:  # a traced int argument: int() makes it static
        k = int(indices_or_sections)
        if k <= 0:
            raise ValueError("number sections must be larger than 0.")
        each, extra = divmod(n, k)
        sizes = [each + 1] * extra + [each] * (k - extra)
        bounds = np.cumsum([0] + sizes).tolist()
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    out = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        key = tuple(slice(lo, hi) if d == axis else slice(None) for d in range(a.ndim))
        out.append(make_view(a, "index", key))  # views, as NumPy's: writes reach `a`
    return out


def _sections(v):
    """A traced count of sections as the Python int it must be (a Python int argument is made
    static by `jit`); a traced list of split points is refused when they are read."""
    return operator.index(v) if lax.is_tracer(v) and v.ndim == 0 else v


def _copy_node(a):
    from ..tracer import Tracer

    return Tracer(a.node)


@implements(np.split)
def split(ary, indices_or_sections, axis=0):
    a = _t(ary)
    indices_or_sections = _sections(indices_or_sections)
    if isinstance(indices_or_sections, (int, np.integer)) and \
            a.shape[normalize_axis(axis, a.ndim)] % indices_or_sections:
        raise ValueError("array split does not result in an equal division")
    return array_split(a, indices_or_sections, axis)


@implements(np.hsplit)
def hsplit(ary, indices_or_sections):
    return split(ary, indices_or_sections, axis=1 if _t(ary).ndim > 1 else 0)


@implements(np.vsplit)
def vsplit(ary, indices_or_sections):
    return split(ary, indices_or_sections, axis=0)


@implements(np.dsplit)
def dsplit(ary, indices_or_sections):
    return split(ary, indices_or_sections, axis=2)


@implements(np.unstack)
def unstack(x, /, *, axis=0):
    x = _t(x)
    axis = normalize_axis(axis, x.ndim)
    return tuple(x[(slice(None),) * axis + (i,)] for i in range(x.shape[axis]))  # views


@implements(np.tile)
def tile(A, reps):
    a = _t(A)
    lax.steer(reps, "np.tile's repetitions")
    reps = tuple(int(r) for r in np.ravel(_known(reps, "np.tile with traced repetitions")))
    nd = max(a.ndim, len(reps))
    reps = (1,) * (nd - len(reps)) + reps
    a = reshape(a, (1,) * (nd - a.ndim) + a.shape)
    inter = []
    for r, d in zip(reps, a.shape):
        inter += [r, d]
    expanded = lax.broadcast_to(reshape(a, [x for d in a.shape for x in (1, d)]), inter)
    return lax.reshape(expanded, [r * d for r, d in zip(reps, a.shape)])


def _known(x, refused: str) -> np.ndarray:
    """`x` as a NumPy array, for arguments that fix the result's shape: a tracer made in the
    function from constants only (`np.array([2, 0, 1])`) has a value, any other is refused."""
    if lax.is_tracer(x):
        value = x.constant_value()
        if value is None:
            lax.steer(x, refused)
            raise errors.unsupported(refused)
        return value
    return np.asarray(x)


@implements(np.repeat)
def repeat(a, repeats, axis=None):
    a = _t(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = normalize_axis(axis, a.ndim)
    if lax.is_tracer(repeats) and repeats.constant_value() is None:
        lax.steer(repeats, "np.repeat's counts")  # counts of Python int arguments: static
        raise errors.data_dependent(  # the CSR idiom `np.repeat(np.arange(n), np.diff(indptr))`
            "np.repeat with traced repeat counts",
            "for the row of each stored element of a CSR matrix, "
            "np.searchsorted(indptr, np.arange(len(data)), side='right') - 1, whose length is "
            "known")
    reps = _known(repeats, "np.repeat with traced repeat counts")
    n = a.shape[axis]
    if reps.ndim == 0:
        shape = a.shape[:axis + 1] + (int(reps),) + a.shape[axis + 1:]
        b = lax.broadcast_to(reshape(a, a.shape[:axis + 1] + (1,) + a.shape[axis + 1:]), shape)
        return lax.reshape(b, a.shape[:axis] + (n * int(reps),) + a.shape[axis + 1:])
    idx = np.repeat(np.arange(n), repeats if isinstance(repeats, list) else reps)  # [] is ints
    return np.take(a, idx, axis=axis)


@implements(np.flip)
def flip(m, axis=None):
    m = _t(m)
    axes = normalize_axes(axis, m.ndim, strict=True)
    return m[tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(m.ndim))]


@implements(np.fliplr)
def fliplr(m):
    return flip(m, 1)


@implements(np.flipud)
def flipud(m):
    return flip(m, 0)


@implements(np.rot90)
def rot90(m, k=1, axes=(0, 1)):
    m = _t(m)
    if len(axes) != 2:
        raise ValueError("len(axes) must be 2.")
    a0, a1 = axes
    if a0 == a1 or abs(a0 - a1) == m.ndim:
        raise ValueError("Axes must be different.")
    if not (-m.ndim <= a0 < m.ndim and -m.ndim <= a1 < m.ndim):
        raise ValueError(f"Axes={axes} out of range for array of ndim={m.ndim}.")
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    perm = list(range(m.ndim))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    return transpose(flip(m, a1), perm) if k == 1 else flip(transpose(m, perm), a1)


@implements(np.roll)
def roll(a, shift, axis=None):
    a = _t(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    if lax.is_tracer(shift) and shift.constant_value() is None and shift.ndim == 0 and \
            not isinstance(axis, (tuple, list)):  # np.roll(y, -np.argmax(xcorr)): a gather
        ax = normalize_axis(axis, a.ndim)
        if shift.dtype.kind == "c":  # NumPy takes int() of it: the real part, truncated
            shift = np.real(shift)
        n = a.shape[ax]
        if n == 0:
            return np.copy(a)
        i = lax.lift(np.arange(n))
        return np.take(a, np.mod(i - lax.cast(shift, np.intp), n), axis=ax)
    if isinstance(axis, (tuple, list)) and (lax.is_tracer(shift) or lax.holds_tracer(shift)):
        # np.roll(img, (dy, dx), axis=(0, 1)) by a registered shift: one gather per axis
        shifts = list(shift) if np.ndim(shift) else [shift]
        if len(shifts) not in (1, len(axis)) and len(axis) != 1:
            raise ValueError("shape mismatch: objects cannot be broadcast to a single shape")
        n = max(len(shifts), len(axis))
        for s, ax in zip(shifts * (n // len(shifts)), list(axis) * (n // len(axis))):
            a = roll(a, s, ax)
        return a
    if isinstance(axis, (tuple, list)) or np.ndim(shift):  # NumPy broadcasts them together
        shifts, axes = (v.ravel().tolist() for v in np.broadcast_arrays(np.asarray(shift),
                                                                        np.asarray(axis)))
    else:
        shifts, axes = [shift], [axis]
    rolls = [0] * a.ndim  # a repeated axis rolls by the sum of its shifts, as in NumPy
    for s, ax in zip(shifts, axes):
        rolls[normalize_axis(ax, a.ndim)] += int(s)
    for ax, s in enumerate(rolls):
        n = a.shape[ax]
        if n == 0:
            continue
        s = int(s) % n
        if s:
            lo, hi = _full_slices(a.ndim), _full_slices(a.ndim)
            lo[ax], hi[ax] = (n - s, n, 1), (0, n - s, 1)
            a = lax.concat([lax.slice_of(a, lo), lax.slice_of(a, hi)], ax)
    return a


def _pad_widths(pad_width, ndim):
    if isinstance(pad_width, dict):  # NumPy 2.3: {axis: width or (before, after)}, others 0
        seq = [(0, 0)] * ndim
        for axis, width in pad_width.items():
            seq[axis] = (width, width) if isinstance(width, int) else tuple(width)
        pad_width = seq
    if np.asarray(pad_width).dtype.kind not in "iu":
        raise TypeError("`pad_width` must be of integral type.")
    w = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (ndim, 2))
    if (w < 0).any():
        raise ValueError("index can't contain negative values")
    return [tuple(int(v) for v in row) for row in w]


@implements(np.pad)
def pad(array, pad_width, mode="constant", **kwargs):
    a = _t(array)
    widths = _pad_widths(pad_width, a.ndim)
    if a.ndim == 0:  # NumPy pads no axis: a copy
        return np.copy(a)
    if mode == "constant":
        cv = kwargs.get("constant_values", 0)
        traced = lax.is_tracer(cv) or isinstance(cv, (list, tuple)) and lax.holds_tracer(cv)
        if traced:  # a boundary value from the arguments: NumPy assigns it, casting unsafely
            cv = lax.broadcast_to(lax.cast(lax.lift(cv), a.dtype), (a.ndim, 2))
        else:
            cv = np.broadcast_to(np.asarray(cv), (a.ndim, 2))
            if (cv == cv.flat[0]).all():
                return lax.pad(a, widths, cv.flat[0])
        for ax, (lo, hi) in enumerate(widths):
            parts = []
            for side, width in ((0, lo), (1, hi)):
                if width:
                    shp = list(a.shape)
                    shp[ax] = width
                    parts.append(lax.broadcast_to(cv[ax, side], tuple(shp)) if traced else
                                 lax.lift(np.full(shp, cv[ax][side], dtype=a.dtype)))
                if side == 0:
                    parts.append(a)
            a = lax.concat(parts, ax)
        return a
    if callable(mode):
        return pad_modes.pad_callable(a, widths, mode, kwargs)
    if mode not in ("edge", "reflect", "symmetric", "wrap") and mode not in pad_modes.KEYWORDS:
        raise ValueError(f"mode {mode!r} is not supported")
    allowed = pad_modes.KEYWORDS.get(mode, {"reflect_type"} if mode in ("reflect", "symmetric")
                                     else set())
    extra = set(kwargs) - allowed
    if extra:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {extra}")
    if mode == "empty":
        return pad_modes.pad_empty(a, widths)
    for ax, (lo, hi) in enumerate(widths):
        if a.shape[ax] == 0 and (lo or hi):
            raise ValueError(f"can't extend empty axis {ax} using modes other than 'constant' "
                             "or 'empty'")
    if mode == "linear_ramp":
        return pad_modes.pad_linear_ramp(a, widths, kwargs.get("end_values", 0))
    if mode in pad_modes.STATS:
        return pad_modes.pad_stat(a, widths, mode, kwargs.get("stat_length"))
    odd = kwargs.get("reflect_type", "even") == "odd"
    for ax, (lo, hi) in enumerate(widths):
        n = a.shape[ax]
        if mode == "edge":
            left, right = [0] * lo, [n - 1] * hi
        elif mode == "wrap":
            left = [(i - lo) % n for i in range(lo)]
            right = [i % n for i in range(hi)]
        else:
            period = 2 * n - 2 if mode == "reflect" else 2 * n
            if period == 0:
                left, right = [0] * lo, [0] * hi
            else:
                def refl(i):
                    i %= period
                    if mode == "reflect":
                        return i if i < n else period - i
                    return i if i < n else period - 1 - i
                left = [refl(i - lo) for i in range(lo)]
                right = [refl(n + i) for i in range(hi)]
        if lo or hi:
            idx = np.asarray(left + list(range(n)) + right, dtype=np.intp)
            a = _odd_reflection(a, ax, lo, hi, mode) if odd else np.take(a, idx, axis=ax)
    return a


def _odd_reflection(a, ax: int, lo: int, hi: int, mode: str):
    """`reflect_type="odd"`: each pad is `2 * edge - (its even reflection)` (one reflection;
    NumPy repeats it from the new edge for pads wider than the array, which is refused)."""
    n = a.shape[ax]
    if max(lo, hi) > (n - 1 if mode == "reflect" else n) and n > 1:
        raise errors.unsupported("np.pad(reflect_type='odd') wider than the array")
    shift = 0 if mode == "reflect" else 1
    first, last = np.take(a, [0], axis=ax), np.take(a, [n - 1], axis=ax)
    left = np.take(a, [min(lo - i - shift, n - 1) for i in range(lo)], axis=ax)
    right = np.take(a, [max(n - 2 - i + shift, 0) for i in range(hi)], axis=ax)
    return np.concatenate([2 * first - left, a, 2 * last - right], axis=ax)


@implements(np.where)
def where(condition, x=None, y=None):
    if x is None and y is None:
        return np.nonzero(condition)
    from .masked_arrays import TracedMaskedArray
    from .ufuncs import _dtype_arg

    # NumPy's `where` reads a masked array's data and gives a plain array
    condition, x, y = (v.data if isinstance(v, TracedMaskedArray) else v
                       for v in (condition, x, y))

    c = np.not_equal(condition, 0) if _t(condition).dtype != np.bool_ else _t(condition)
    dts = [_dtype_arg(v) for v in (x, y)]
    dt = np.result_type(*(d(0) if isinstance(d, type) else d for d in dts))  # Python: weak
    xs, ys = (lax.lift(np.asarray(v).astype(dt)) if not lax.is_tracer(v) else lax.cast(v, dt)
              for v in (x, y))
    res = lax.where(c, xs, ys)
    if all(isinstance(d, type) for d in dts):
        return res
    return lax.cast(res, res.dtype) if res.weak else res


@implements(np.select)
def select(condlist, choicelist, default=0):
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    from .ufuncs import _dtype_arg

    dts = [_dtype_arg(v) for v in (*choicelist, default)]  # NEP 50: Python scalars are weak
    dt = np.result_type(*(d(0) if isinstance(d, type) else d for d in dts))
    for d in dts[:-1]:  # NumPy copies each choice in as an array, by same-kind casting
        if isinstance(d, type) and not np.can_cast(np.dtype(d), dt, "same_kind"):
            raise TypeError(f"Cannot cast array data from {np.dtype(d)!r} to {dt!r} according "
                            "to the rule 'same_kind'")
    out = lax.cast(_t(default), dt)
    for c, v in reversed(list(zip(condlist, choicelist))):
        out = np.where(c, lax.cast(_t(v), dt), out)
    return out


@implements(np.clip)
def clip(a, a_min=np._NoValue, a_max=np._NoValue, out=None, *, min=np._NoValue,
         max=np._NoValue, **kwargs):
    lo = a_min if a_min is not np._NoValue else (None if min is np._NoValue else min)
    hi = a_max if a_max is not np._NoValue else (None if max is np._NoValue else max)
    where, casting = kwargs.pop("where", True), kwargs.pop("casting", "same_kind")
    dtype = kwargs.pop("dtype", None)
    kwargs.pop("order", None), kwargs.pop("subok", None)
    if kwargs:
        raise TypeError(f"clip() got an unexpected keyword argument '{next(iter(kwargs))}'")
    res = _t(a)
    if dtype is not None:  # NumPy's loop in `dtype`: its casting errors on empty operands,
        # then the values cast first (a bound cast after the comparison: rounding is monotonic)
        probe = [b if b is None or isinstance(b, (int, float, complex, np.generic))
                 else np.zeros(0, _t(b).dtype) for b in (lo, hi)]
        np.clip(np.zeros(0, res.dtype), *probe, dtype=dtype, casting=casting)
        res = lax.cast(res, np.dtype(dtype))
    if res.dtype.kind in "iu":  # NumPy drops a Python int bound beyond the dtype's range
        info = np.iinfo(res.dtype)
        lo = None if type(lo) is int and lo <= info.min else lo
        hi = None if type(hi) is int and hi >= info.max else hi
        lo, hi = (_in_range(b, res.dtype) for b in (lo, hi))
    if lo is not None:
        res = np.maximum(res, lo)
    if hi is not None:
        res = np.minimum(res, hi)
    if dtype is not None:
        res = lax.cast(res, np.dtype(dtype))
    res = _copy_node(_t(res))  # a new array, never a view of `a`
    if where is not True:  # NumPy's ufunc leaves the unselected elements as `out` holds them
        base = lax.cast(out, res.dtype) if out is not None else np.zeros_like(res)
        res = lax.where(lax.lift(where, np.bool_), res, base)
    if out is not None:
        from .ufuncs import _store

        return _store(np.minimum, (res,), out, True, casting)
    return res


def _in_range(bound, dtype: np.dtype):
    """A traced Python int bound of an integer array, brought into the dtype's range in int64
    and cast: one beyond it is then no bound, as NumPy drops it (`np.clip(u8, lo, 255)` with lo
    = -5 cast to uint8 was 251)."""
    if not (lax.is_tracer(bound) and bound.weak and bound.dtype == np.int64):
        return bound
    info = np.iinfo(dtype)
    clamped = lax.where(bound < info.min, lax.lift(info.min, np.int64), bound)
    clamped = lax.where(clamped > info.max, lax.lift(info.max, np.int64), clamped)
    return lax.cast(clamped, dtype)


@implements(np.sort)
def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    a = _t(a)
    _check_kind(kind)
    _check_order(a, order, "np.sort")
    if axis is None:
        a, axis = ravel(a), 0
    if a.ndim == 0:
        raise np.exceptions.AxisError(axis, 0)
    return lax.bind(Op.SORT, a, axis=normalize_axis(axis, a.ndim))


def _check_order(a, order, name: str) -> None:
    """`order=` names the fields of a structured array to sort by first: NumPy refuses it for
    an array without fields; for one with fields it is refused by name (the sort here
    compares whole records, so the order was ignored)."""
    if order is None:
        return
    if a.dtype.names is None:
        raise ValueError("Cannot specify order when the array has no fields.")
    raise errors.unsupported(f"{name}(order=...) of a structured array")


def _check_kind(kind) -> None:
    """NumPy reads a sort kind by its first letter and refuses any other."""
    if kind is not None and not (isinstance(kind, str) and kind[:1].lower() in ("q", "h", "m",
                                                                                 "s")):
        raise ValueError(f"sort kind must be one of 'quick', 'heap', or 'stable' (got {kind!r})")


@implements(np.argsort)
def argsort(a, axis=-1, kind=None, order=None, *, stable=None):
    a = _t(a)
    _check_kind(kind)
    _check_order(a, order, "np.argsort")
    if axis is None or a.ndim == 0:  # NumPy argsorts a 0-d array as its ravel
        normalize_axis(axis or 0, max(a.ndim, 1))
        a, axis = ravel(a), 0
    stable_ties = bool(stable) or kind in ("stable", "mergesort")  # else NumPy's order of ties
    return lax.bind(Op.ARGSORT, a, axis=normalize_axis(axis, a.ndim),
                    arg="stable" if stable_ties else True)


def _kth(kth) -> tuple:
    k = _known(kth, "np.partition with a traced kth")
    if k.dtype.kind not in "iu" or k.ndim > 1:
        raise TypeError("Partition index must be integer")
    return tuple(int(i) for i in k.ravel())


@implements(np.partition)
def partition(a, kth, axis=-1, kind="introselect", order=None):
    """NumPy's own partition (its order of the other elements is introselect's, kept as is)."""
    _check_order(_t(a), order, "np.partition")
    return _partitioned(Op.PARTITION, a, kth, axis)


@implements(np.argpartition)
def argpartition(a, kth, axis=-1, kind="introselect", order=None):
    _check_order(_t(a), order, "np.argpartition")
    return _partitioned(Op.ARGPARTITION, a, kth, axis)


def _partitioned(op: Op, a, kth, axis):
    a = _t(a)
    if axis is None:
        a, axis = ravel(a), 0
    if a.ndim == 0:
        raise np.exceptions.AxisError(axis, 0)
    return lax.bind(op, a, kth=_kth(kth), axis=normalize_axis(axis, a.ndim))


@implements(np.lexsort)
def lexsort(keys, axis=-1):
    """Stable argsorts from the first key to the last (the primary one)."""
    keys = [_t(k) for k in keys] if isinstance(keys, (list, tuple)) else list(np.unstack(_t(keys)))
    idx = np.argsort(keys[0], axis=axis, kind="stable")
    for k in keys[1:]:
        idx = np.take_along_axis(idx, np.argsort(np.take_along_axis(k, idx, axis=axis),
                                                 axis=axis, kind="stable"), axis=axis)
    return idx


@implements(np.sort_complex)
def sort_complex(a):
    b = np.sort(_t(a))
    if b.dtype.kind == "c":
        return b
    return lax.cast(b, "F" if b.dtype.char in "bhBH" else "G" if b.dtype.char == "g" else "D")


_np_as_strided = np.lib.stride_tricks.as_strided


def as_strided(x, shape=None, strides=None, subok=False, writeable=True):
    """`as_strided` of a traced array, read as C-contiguous (its `x.strides` are C's): each
    element is the one at its byte offset in `x.ravel()`, a strided view of it. Offsets between
    elements or outside `x` (where NumPy reads other memory) are refused by name, and so are
    writes into the windows, which share elements."""
    if not lax.is_tracer(x):
        return _np_as_strided(x, shape, strides, subok, writeable)
    x = _t(x)
    size = x.dtype.itemsize
    base = x.strides  # refused for a view NumPy would not keep C-contiguous
    shape = x.shape if shape is None else tuple(operator.index(n) for n in shape)
    strides = base if strides is None else tuple(operator.index(s) for s in strides)
    if len(strides) != len(shape):
        raise ValueError("mismatch in length of strides and shape")
    if any(s % size for s in strides):
        raise errors.unsupported("np.lib.stride_tricks.as_strided with strides that are not "
                                 "multiples of the item size")
    steps = [s // size for s in strides]
    low = sum((n - 1) * s for n, s in zip(shape, steps) if s < 0)
    high = sum((n - 1) * s for n, s in zip(shape, steps) if s > 0)
    if 0 not in shape and (low < 0 or high >= x.size):
        raise errors.unsupported("np.lib.stride_tricks.as_strided reaching outside its array")
    return refuse_writes(x, lambda b: lax.strided(np.ravel(b), (0,), shape, (0,) * len(shape),
                                                  steps),
                         "an as_strided view", "its windows share elements")


@implements(np.lib.stride_tricks.sliding_window_view)
def sliding_window_view(x, window_shape, axis=None, *, subok=False, writeable=False):
    """One strided view: the windows' starts along x's axes, their offsets appended."""
    if writeable:
        raise errors.unsupported("sliding_window_view(writeable=True)")
    x = _t(x)
    shape = tuple(int(w) for w in ((window_shape,) if np.ndim(window_shape) == 0
                                   else window_shape))
    if axis is None:
        if len(shape) != x.ndim:
            raise ValueError(f"Since axis is `None`, must provide window_shape for all "
                             f"dimensions of `x`; got {len(shape)} window_shape elements and "
                             f"`x.ndim` is {x.ndim}.")
        axes = tuple(range(x.ndim))
    else:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        if len(shape) != len(axes):
            raise ValueError(f"Must provide matching length window_shape and axis; got "
                             f"{len(shape)} window_shape elements and {len(axes)} axes "
                             "elements.")
    if any(w < 0 for w in shape):
        raise ValueError("`window_shape` cannot contain negative values")
    axes = tuple(normalize_axis(a, x.ndim) for a in axes)
    starts = list(x.shape)  # how many windows start along each axis (one may be windowed twice)
    for ax, w in zip(axes, shape):
        if starts[ax] < w:
            raise ValueError("window shape cannot be larger than input array shape")
        starts[ax] -= w - 1

    def windows(base):
        """The windows' starts along x's axes, then the window axes walking those too."""
        return lax.strided(base, (0,) * x.ndim, (*starts, *shape), (*range(x.ndim), *axes),
                           (1,) * (x.ndim + len(axes)))

    return read_only_view(x, windows, "sliding_window_view")


@implements(np.astype)
def astype(x, dtype, /, *, copy=True, device=None):
    """NumPy 2's function form of `x.astype`: the array itself for copy=False of its dtype."""
    if device not in (None, "cpu"):
        raise ValueError(f"Unsupported device {device!r}")
    return _t(x).astype(dtype, copy=copy)


@implements(np.copy)
def copy(a, order="K", subok=False):
    return _copy_node(_t(a))


@implements(np.diff)
def diff(a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    a = _t(a)
    if n == 0:  # NumPy returns `a` itself, without prepend/append or axis checks
        return a
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n!r}")
    if a.ndim == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    axis = normalize_axis(axis, a.ndim)
    parts = []
    for extra in (prepend, append):
        if extra is np._NoValue:
            parts.append(None)
            continue
        e = _t(extra)
        if e.ndim == 0:
            shp = list(a.shape)
            shp[axis] = 1
            e = lax.broadcast_to(e, shp)
        parts.append(e)
    a = np.concatenate([p for p in (parts[0], a, parts[1]) if p is not None], axis=axis)
    for _ in range(n):
        m = a.shape[axis]
        hi, lo = _full_slices(a.ndim), _full_slices(a.ndim)
        hi[axis], lo[axis] = (1, m, 1), (0, m - 1, 1)
        a1, a0 = lax.slice_of(a, hi), lax.slice_of(a, lo)
        a = np.not_equal(a1, a0) if a.dtype == np.bool_ else np.subtract(a1, a0)
    return a


@implements(np.insert)
def insert(arr, obj, values, axis=None):
    """`np.insert` at concrete positions: the pieces are concatenated."""
    a = _t(arr)
    if axis is None:
        a, axis = np.ravel(a), 0
    axis = normalize_axis(axis, a.ndim)
    if lax.is_tracer(obj) and obj.constant_value() is None and obj.ndim == 0 and \
            obj.dtype.kind in "iu":
        return _insert_at_traced(a, obj, values, axis)
    obj = obj if isinstance(obj, slice) else _known(obj, "np.insert at traced positions")
    n = a.shape[axis]
    if isinstance(obj, slice):
        obj = np.arange(n)[obj]
    positions = np.asarray(obj)
    if positions.ndim > 1:
        raise ValueError("index array argument obj to insert must be one dimensional or scalar")
    if positions.ndim == 1 and positions.size != 1:
        return _insert_many(a, positions, values, axis)
    pos = int(positions.reshape(-1)[0]) if positions.ndim else int(positions)
    if not -n <= pos <= n:
        raise IndexError(f"index {pos} is out of bounds for axis {axis} with size {n}")
    pos = pos + n if pos < 0 else pos
    check_scalar_conversion(a.dtype, values, numpy_scalars=False)
    v = lax.cast(lax.lift(values), a.dtype)
    v = lax.reshape(v, (1,) * (a.ndim - v.ndim) + v.shape)  # ndmin=a.ndim, as NumPy
    if positions.ndim == 0:  # a scalar position inserts values.shape[0] slices
        v = np.moveaxis(v, 0, axis)
    block = list(a.shape)
    block[axis] = v.shape[axis] if positions.ndim == 0 else 1
    v = np.broadcast_to(v, tuple(block))
    before = [slice(None)] * a.ndim
    after = [slice(None)] * a.ndim
    before[axis], after[axis] = slice(None, pos), slice(pos, None)
    return concatenate([a[tuple(before)], v, a[tuple(after)]], axis=axis)


def _insert_at_traced(a, obj, values, axis):
    """`np.insert` at one traced position (`np.insert(x, x.argmax(), v)`): the length is
    known, so the values joined at the end are gathered into place; NumPy's IndexError for a
    position out of bounds, when the function runs."""
    n = a.shape[axis]
    lax.check(np.logical_or(obj < -n, obj > n), "IndexError",
              f"index is out of bounds for axis {axis} with size {n}")
    check_scalar_conversion(a.dtype, values, numpy_scalars=False)
    v = lax.cast(lax.lift(values), a.dtype)
    v = lax.reshape(v, (1,) * (a.ndim - v.ndim) + v.shape)  # ndmin=a.ndim, as NumPy
    v = np.moveaxis(v, 0, axis)  # a scalar position inserts values.shape[0] slices
    block = list(a.shape)
    block[axis] = m = v.shape[axis]
    joined = concatenate([a, np.broadcast_to(v, tuple(block))], axis=axis)
    at = np.where(obj < 0, obj + n, obj)
    j = lax.lift(np.arange(n + m))
    perm = np.where(j < at, j, np.where(j < at + m, n + j - at, j - m))
    return np.take(joined, perm, axis=axis)


def _insert_many(a, positions, values, axis):
    """`np.insert` at several concrete positions, placed as NumPy places them (each before
    the original element it names, ties in order): one gather from `a` joined with the
    values."""
    n = a.shape[axis]
    idx = positions.astype(np.intp)
    bad = (idx < -n) | (idx > n)
    if bad.any():
        raise IndexError(f"index {idx[bad][0]} is out of bounds for axis {axis} with size {n}")
    idx = np.where(idx < 0, idx + n, idx)
    k = idx.size
    idx[np.argsort(idx, kind="stable")] += np.arange(k)
    perm, old = np.empty(n + k, np.intp), np.ones(n + k, bool)
    old[idx] = False
    perm[old], perm[idx] = np.arange(n), n + np.arange(k)
    check_scalar_conversion(a.dtype, values, numpy_scalars=False)
    v = lax.cast(lax.lift(values), a.dtype)
    v = lax.reshape(v, (1,) * (a.ndim - v.ndim) + v.shape)  # ndmin=a.ndim, as NumPy
    block = list(a.shape)
    block[axis] = k
    joined = concatenate([a, np.broadcast_to(v, tuple(block))], axis=axis)
    return np.take(joined, perm, axis=axis)


@implements(np.append)
def append(arr, values, axis=None):
    arr, values = _t(arr), _t(values)
    if axis is None:
        return concatenate([np.ravel(arr), np.ravel(values)], axis=0)
    return concatenate([arr, values], axis=axis)


@implements(np.delete)
def delete(arr, obj, axis=None):
    """`np.delete` at concrete positions: a gather of the kept ones. At one traced position
    (UPGMA's merged row, `np.delete(D, j, axis=0)`, or `np.delete(X, idx[:1], axis=0)`) the
    length is known: the gather skips it, and NumPy's IndexError outside the axis is raised
    when the function runs."""
    a = _t(arr)
    if axis is None:
        a, axis = np.ravel(a), 0
    if lax.is_tracer(obj) and obj.constant_value() is None and obj.shape in ((), (1,)) and \
            obj.dtype.kind in "iu":
        axis = normalize_axis(axis, a.ndim)
        n = a.shape[axis]
        if n == 0:
            raise IndexError(f"index is out of bounds for axis {axis} with size 0")
        obj = np.reshape(obj, ())
        lax.check(np.logical_or(obj < -n, obj >= n), "IndexError",
                  f"index is out of bounds for axis {axis} with size {n}")
        at = np.where(obj < 0, obj + n, obj)
        kept = lax.lift(np.arange(n - 1))
        return np.take(a, kept + (kept >= at), axis=axis)
    if not isinstance(obj, slice):
        known = _known(obj, "np.delete at traced positions")
        empty = known.size == 0 and not isinstance(obj, np.ndarray) and not lax.is_tracer(obj)
        obj = known.astype(np.intp) if empty else known  # np.delete(x, []): NumPy's int index
    axis = normalize_axis(axis, a.ndim)
    keep = np.ones(a.shape[axis], dtype=bool)
    keep[obj] = False
    return np.take(a, np.flatnonzero(keep), axis=axis)


@implements(np.resize)
def resize(a, new_shape):
    a = np.ravel(_t(a))
    shape = tuple(operator.index(d) for d in  # a traced size: ConcretizationError
                  (new_shape if np.iterable(new_shape) else (new_shape,)))
    size = int(np.prod(shape))
    if a.size == 0 or size == 0:
        return np.zeros(shape, a.dtype) if size else reshape(a[:0], shape)
    reps = -(-size // a.size)
    return reshape(concatenate([a] * reps, axis=0)[:size], shape)


def _block_depth(arrays) -> int:
    return 1 + _block_depth(arrays[0]) if isinstance(arrays, list) else 0


@implements(np.block)
def block(arrays):
    """Nested lists are joined along the last axes: the innermost along axis -1."""
    depth = _block_depth(arrays)

    def leaves(a):
        return [x for b in a for x in leaves(b)] if isinstance(a, list) else [_t(a)]

    ndim = max(depth, max(x.ndim for x in leaves(arrays)))

    def join(a, level):
        if not isinstance(a, list):
            a = _t(a)
            return reshape(a, (1,) * (ndim - a.ndim) + a.shape)
        return concatenate([join(b, level + 1) for b in a], axis=-(depth - level))

    return join(arrays, 0)
