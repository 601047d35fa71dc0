"""Indexing and assignment on tracers, with NumPy's rules.

Basic indexing (ints, slices with any step, None, Ellipsis) is a SLICE plus a
reshape and returns a view; advanced indexing (integer arrays, concrete
boolean masks) merges the indexed dims and GATHERs along one axis. Assignment
is the functional mirror: SLICE_SET for basic keys, SCATTER ("set", last write
wins, as NumPy) for advanced ones, and `where` for a traced boolean mask.

A traced boolean mask used to *read* (`x[x > 0]`) has a data-dependent shape;
tracenp refuses it with a TracingError that suggests `np.where`.
"""

from __future__ import annotations

import builtins
import dataclasses
import functools
import math
import operator

import numpy as np

from .. import errors, ir, lax
from ..ops import Op
from ..trace import current_trace
from ..tracer import Tracer
from . import implements
from .creation import weak_or_dtype
from ..shapes import compose_slices, normalize_axis, slice_dim
from .masked import (InnerSelection, MaskedSelection, broadcast_selected,
                     broadcast_selected_value, index_by_selections, leading_advanced, select,
                     slice_view, take_selected)


def _is_int(k) -> bool:
    return isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_))


def _is_advanced(k) -> bool:
    if lax.is_tracer(k):
        return True
    if isinstance(k, (list, np.ndarray)) or (isinstance(k, (bool, np.bool_))):
        return True
    return False


def _ellipsis_at(key) -> int:
    """Where the Ellipsis is, found by identity: `list.index` compares with `==`, which of a
    traced index array (`x[i, ...]`) is an array without a truth value."""
    return next(j for j, k in enumerate(key) if k is Ellipsis)


def _expand_key(key, ndim: int) -> list:
    """The key as a list with Ellipsis expanded; None entries kept."""
    if not isinstance(key, tuple):
        key = (key,)
    key = list(key)
    n_ell = sum(1 for k in key if k is Ellipsis)
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    consumed = 0
    for k in key:
        if k is None or k is Ellipsis:
            continue
        if isinstance(k, (float, complex, str, np.floating, np.complexfloating)):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis "
                             "(`None`) and integer or boolean arrays are valid indices")
        if (lax.is_tracer(k) or isinstance(k, np.ndarray)) and np.dtype(k.dtype) == np.bool_:
            consumed += max(k.ndim, 1) if k.ndim else 0
        elif isinstance(k, (bool, np.bool_)):
            continue
        else:
            consumed += 1
    if consumed > ndim:
        raise IndexError(f"too many indices for array: array is {ndim}-dimensional, "
                         f"but {consumed} were indexed")
    fill = [slice(None)] * (ndim - consumed)
    if n_ell:
        i = _ellipsis_at(key)
        key = key[:i] + fill + key[i + 1:]
    else:
        key = key + fill
    return key


def _check_masks(x, ekey: list) -> list:
    """NumPy's check that each boolean array in the expanded key has the shape of the dims
    it indexes (a mask of another length selected a wrong set of elements)."""
    axis = 0
    for k in ekey:
        if k is None:
            continue
        ndim = np.ndim(k) if (lax.is_tracer(k) or isinstance(k, np.ndarray)) and \
            np.dtype(k.dtype) == np.bool_ else None
        if ndim is None:
            axis += 1
            continue
        for d, (n, m) in enumerate(zip(x.shape[axis:axis + ndim], np.shape(k))):
            if n is not None and n != m:
                raise IndexError(f"boolean index did not match indexed array along axis "
                                 f"{axis + d}; size of axis is {n} but size of corresponding "
                                 f"boolean axis is {m}")
        axis += ndim
    return ekey


def _normalize_int(k: int, n: int, axis: int) -> int:
    if not -n <= k < n:
        raise IndexError(f"index {k} is out of bounds for axis {axis} with size {n}")
    return k % n


def _basic(x, key):
    """`x[key]` for a key of ints, slices and None (Ellipsis already expanded)."""
    slices, out_shape, axis = [], [], 0
    for k in key:
        if k is None:
            out_shape.append(1)
            continue
        n = x.shape[axis]
        if _is_int(k):
            k = _normalize_int(int(k), n, axis)
            slices.append((k, k + 1, 1))
        else:
            start, stop, step = k.start, k.stop, k.step
            if step == 0:
                raise ValueError("slice step cannot be zero")
            try:
                s = tuple(None if v is None else operator.index(v) for v in (start, stop, step))
            except errors.TracingError:  # a traced bound (`order[:k]`): named, for fallback=
                raise
            except TypeError:
                raise TypeError("slice indices must be integers or None or have an __index__ "
                                "method") from None
            slices.append(s)
            out_shape.append(len(range(*slice(*s).indices(n))) if n is not None else None)
        axis += 1
    y = lax.slice_of(x, slices)
    return lax.reshape(y, out_shape) if tuple(out_shape) != y.shape else y


def _drop_unit_lead(value, ndim: int):
    """NumPy's assignment drops a value's leading length-1 dims beyond the target's
    (`x[:, 0] = np.ones((1, 1, n))`)."""
    value = lax.lift(value)
    lead = 0
    while value.ndim - lead > ndim and value.shape[lead] == 1:
        lead += 1
    return lax.reshape(value, value.shape[lead:]) if lead else value


def _basic_set(x, key, value):
    """A copy of `x` with `x[key] = value` for a basic key."""
    part = _part_of_view(x, key, value)
    if part is not None:
        return lax.slice_set(x, *part)
    slices, axis = [], 0
    view_shape = _basic(x, key).shape
    for k in key:
        if k is None:
            continue
        n = x.shape[axis]
        if _is_int(k):
            k = _normalize_int(int(k), n, axis)
            slices.append((k, k + 1, 1))
        else:
            slices.append(tuple(None if v is None else int(v) for v in (k.start, k.stop, k.step)))
        axis += 1
    value = lax.broadcast_to(lax.cast(_drop_unit_lead(value, len(view_shape)), x.dtype),
                             view_shape)
    slice_shape = tuple(len(range(*slice(*s).indices(n))) for s, n in zip(slices, x.shape))
    return lax.slice_set(x, lax.reshape(value, slice_shape), slices)


def _part_of_view(x, key, value):
    """(value, slices of `x`) when the view `x[key]` became itself as read with one part
    written (`a[i][j] = v`: the row `a[i]` with element j set): the write of that part alone,
    which joins the writes beside it, where writing the whole row made one copy per element.
    None otherwise."""
    inner = value.node if isinstance(value, Tracer) else None
    if inner is None or inner.op is not Op.SLICE_SET or any(k is None for k in key) \
            or None in x.shape:
        return None
    read = _basic(x, key)
    if inner.srcs[0] is not read.node:
        return None
    sub = iter(inner.attrs["slices"])
    slices, shape, extent = [], [], []  # of `x`; the part's in `x`, in the view
    for axis, n in enumerate(x.shape):
        k = key[axis] if axis < len(key) else slice(None)
        if _is_int(k):
            k = _normalize_int(int(k), n, axis)
            slices.append((k, k + 1, 1))
            shape.append(1)
            continue
        slices.append(compose_slices(n, (k.start, k.stop, k.step), next(sub)))
        shape.append(slice_dim(n, *slices[-1]))
        extent.append(shape[-1])
    v = lax.broadcast_to(Tracer(inner.srcs[1]), tuple(extent))
    return lax.reshape(v, tuple(shape)), slices


def apply_view(base, kind: str, arg):
    if kind == "index":
        return _basic(base, arg)
    if kind == "scalar_index":  # basic indexing at traced integers (a gather of one block)
        return _advanced_get(base, list(arg))
    if kind == "transpose":
        return lax.transpose(base, arg)
    if kind == "reshape":
        return lax.reshape(base, arg)
    if kind in ("real", "imag"):  # z.real, z.imag of a complex z
        return lax.bind(Op.REAL if kind == "real" else Op.IMAG, base)
    if kind == "einsum":  # a transpose or diagonal of one operand, "ii->i"
        return lax.einsum(arg, base)
    if kind == "computed":  # a read-only view: arg computes it from the base
        return arg(base)
    if kind == "dtype":  # x.view(np.int64) of datetimes: the same bits as another type
        return _same_bits(base, arg)
    raise ValueError(kind)


def _same_bits(x, dtype):
    """`x`'s bits as `dtype` of the same size: through the signed integer of that size, which
    integer, datetime and timedelta casts keep (NumPy's view does not convert units) and a
    bitcast gives of a float."""
    dtype = np.dtype(dtype)
    bits = np.dtype(f"i{x.dtype.itemsize}")
    x = lax.bind(Op.BITCAST, x, dtype=bits) if x.dtype.kind == "f" else lax.cast(x, bits)
    return lax.bind(Op.BITCAST, x, dtype=dtype) if dtype.kind == "f" else lax.cast(x, dtype)


def dtype_view(x, dtype=None, type=None):
    """`x.view(dtype)` of the same item size: a reinterpretation of float, integer, datetime
    and timedelta bits (`ts.view("i8")`, `x.view(np.uint64)`, `bits.view(np.float64)`) is a
    view through bitcasts and casts that keep them, so writes through it reach `x`."""
    if isinstance(dtype, builtins.type) and not issubclass(dtype, (np.generic, int, float,
                                                                    complex)):
        dtype, type = None, dtype  # an array type (`x.view(np.ndarray)`, `.view(type(x))`)
    if type is not None and type is not np.ndarray:
        raise errors.unsupported(f"x.view({type.__name__}) of a traced array (an array type)")
    if dtype is None or np.dtype(dtype) == x.dtype:
        return make_view(x, "reshape", x.shape)
    want = np.dtype(dtype)
    if want.itemsize != x.dtype.itemsize or want.kind not in "iumMf" or \
            x.dtype.kind not in "iumMf":
        raise errors.unsupported(f"x.view({want}) of a traced {x.dtype} array (a "
                                 "reinterpretation as another item size or kind)")
    return make_view(x, "dtype", want)


def write_view(base, kind: str, arg, value):
    """The new base after the view `(kind, arg)` of it became `value`."""
    if kind == "index":
        return _basic_set(base, arg, value)
    if kind == "scalar_index":
        return _advanced_set(base, list(arg), value)
    if kind == "transpose":
        return lax.transpose(value, np.argsort(arg))
    if kind == "reshape":
        return lax.reshape(value, base.shape)
    if kind in ("real", "imag"):
        re, im = lax.bind(Op.REAL, base), lax.bind(Op.IMAG, base)
        part = lax.broadcast_to(lax.cast(value, re.dtype), re.shape)
        re, im = (part, im) if kind == "real" else (re, part)
        from .complex_parts import complex_from_parts

        return complex_from_parts(re, im, base.dtype)
    if kind == "dtype":
        return _same_bits(lax.broadcast_to(lax.cast(value, arg), base.shape), base.dtype)
    if kind == "einsum":  # each input axis indexed by the output axis of its label
        ins, outs = arg.split("->")
        key = tuple(np.arange(n).reshape([n if c == label else 1 for c in outs])
                    for label, n in zip(ins, base.shape))
        return _advanced_set(base, key, value)
    raise ValueError(kind)


def make_view(base, kind: str, arg):
    """A new tracer for a view of `base`: writes through it reach the base. A 0-d view of a
    0-d array is an array, as its base is (`x.view(np.int64)` of a 0-d `x`)."""
    view = Tracer(apply_view(base, kind, arg).node)._as_view_of(base, kind, arg)
    if not view.ndim and not base.ndim:
        view.returns = base.returns
    return view


def _byte_starts(t):
    """(root, byte offsets of `t`'s elements in the root array's memory, item size): `t`'s
    root is the array its views lead back to (an argument, or one made in the function)."""
    view = t._view
    if view is None:
        starts = np.arange(t.size, dtype=np.int64).reshape(t.shape) * t.dtype.itemsize
        return t, starts, t.dtype.itemsize
    base, _, kind, arg = view
    root, starts, size = _byte_starts(base)
    if kind == "index":
        return root, starts[arg], size
    if kind == "transpose":
        return root, starts.transpose(arg), size
    if kind == "reshape":
        return root, starts.reshape(arg), size
    if kind == "einsum":
        return root, np.einsum(arg, starts), size
    if kind in ("real", "imag"):
        return root, starts + (size // 2 if kind == "imag" else 0), size // 2
    raise errors.unsupported(f"np.shares_memory/np.may_share_memory of a {kind} view of a "
                             "traced array")


def _memory_of(x):
    """`_byte_starts` of a traced array; an array from outside the trace is its own root; a
    scalar (which NumPy copies into a new array) has no memory to share."""
    if lax.is_tracer(x):
        return _byte_starts(x) if x.ndim or x.returns == "array" else (None, None, 0)
    return (x, None, 0) if isinstance(x, np.ndarray) else (None, None, 0)


def _share(a, b, exact: bool) -> bool:
    """Whether `a` and `b` share memory, as far as the trace knows where they lie: views of one
    array made in the function overlap by their elements (`exact`) or by their bounds (NumPy's
    `may_share_memory`); an array made in the function shares none with another. Two arguments
    (or an argument and an array from outside) may be one array in some calls, which the
    trace cannot know: refused by name."""
    (ra, pa, sa), (rb, pb, sb) = _memory_of(a), _memory_of(b)
    if ra is None or rb is None:
        return False
    if ra is not rb:
        if all(not lax.is_tracer(r) or r._input_of is not None for r in (ra, rb)):
            raise errors.unsupported("np.shares_memory/np.may_share_memory of two arguments "
                                     "(whether they are one array is known only per call)")
        return False
    pa, pb = pa.ravel(), pb.ravel()
    if not pa.size or not pb.size:
        return False
    if not exact:
        return bool(pa.min() < pb.max() + sb and pb.min() < pa.max() + sa)
    pb = np.sort(pb)
    hits = np.searchsorted(pb, pa + sa, "left") - np.searchsorted(pb, pa - sb, "right")
    return bool((hits > 0).any())


@implements(np.shares_memory)
def shares_memory(a, b, max_work=None) -> bool:
    return _share(a, b, exact=True)


@implements(np.may_share_memory)
def may_share_memory(a, b, max_work=None) -> bool:
    return _share(a, b, exact=max_work is not None and max_work != 0)


def c_contiguous(t) -> bool:
    """Whether NumPy's array for `t` is C-contiguous, as far as its views tell: a transpose
    is not, nor a partial or strided slice of a dim after the first selected one. False where
    unsure, so that what NumPy would copy (`np.ravel(x.T)`) is copied."""
    view = getattr(t, "_view", None)
    if view is None:
        return True
    base, _, kind, arg = view
    if kind == "reshape":
        return c_contiguous(base)
    return kind in ("index", "scalar_index") and c_contiguous(base) and \
        _contiguous_block(base.shape, arg)


def layout_order(t, order: str):
    """The order NumPy's `order="A"` or `"K"` flattening of `t` takes, which follows the
    memory layout: "C", "F", or for "K" of a neither-contiguous array its axes sorted by
    stride (NumPy's `ravel("K")`). Known for the arguments (their layouts as this trace saw
    them, which then become part of the function's signature, `TraceState.layout_read`) and
    views of them, and for an array computed from C-ordered arguments and constants without
    permuting axes; refused where NumPy derives the layout from a Fortran-ordered or
    transposed operand (`(x.T * 2)` is Fortran-ordered)."""
    if sum(d != 1 for d in t.shape) <= 1 or 0 in t.shape:
        return "C"  # one order whatever the layout
    try:
        root, starts, size = _byte_starts(t)
    except errors.UnsupportedFunctionError:
        root = None
    state = current_trace()
    layout = _root_layout(root, state) if root is not None and state is not None else None
    if layout is None:
        raise errors.unsupported(f"order={order!r} of an array whose memory layout follows a "
                                 "transposed or Fortran-ordered operand, or one this trace "
                                 "does not know")
    if layout != "C":  # the root's elements lie in Fortran order, or at these strides
        cells = np.unravel_index(starts // size, root.shape)
        steps = layout if layout != "F" else np.cumprod((size, *root.shape[:-1]))
        starts = sum(c * s for c, s in zip(cells, steps))
    strides = [int(starts[(0,) * k + (1,)].ravel()[0] - starts.ravel()[0]) if n > 1 else 0
               for k, n in enumerate(t.shape)]
    if _dense(t.shape, strides, size, range(t.ndim - 1, -1, -1)):
        return "C"
    if _dense(t.shape, strides, size, range(t.ndim)):
        return "F"
    if order == "A":
        return "C"
    if any(s == 0 for s, n in zip(strides, t.shape) if n > 1):
        raise errors.unsupported("order='K' of a broadcast view")
    return tuple(sorted(range(t.ndim), key=lambda k: -abs(strides[k])))


def _root_layout(root, state) -> str | tuple | None:
    """"C", "F" or byte strides for the array `root` (one no view leads back from), None where
    unknown: an argument's layout as traced; "C" for one computed from C-ordered arguments
    and constants with no axes permuted on the way (NumPy then allocates C-ordered results)."""
    nodes = ir.toposort([root.node])
    layouts = []
    for n in nodes:
        if n.op is Op.INPUT:
            layouts.append(state.input_layouts.get(id(n)))
        elif n.op is Op.CONST:
            value = n.attrs["value"].value
            layouts.append("C" if value.flags.c_contiguous else None)
        elif n.op in (Op.TRANSPOSE, Op.EINSUM):
            return None
    state.layout_read = True
    if len(nodes) == 1 and layouts:
        return layouts[0]  # the argument itself
    return "C" if all(v == "C" for v in layouts) else None


def _dense(shape, strides, size, axes) -> bool:
    """Whether `strides` lay `shape` out densely, `axes` from the fastest-varying on
    (NumPy's contiguity flags, which ignore length-1 dims)."""
    step = size
    for k in axes:
        if shape[k] != 1:
            if strides[k] != step:
                return False
            step *= shape[k]
    return True


def _contiguous_block(shape, key) -> bool:
    """Whether basic `key` selects one contiguous block of a C-ordered array of `shape`: each
    dim before the last partly selected one gives one element, and that one has step 1."""
    dims = []  # (elements selected, whole dim selected in order, step 1)
    for k in (k for k in key if k is not None):
        n = shape[len(dims)]
        if isinstance(k, slice):
            r = range(*k.indices(n))
            dims.append((len(r), len(r) == n and r.step == 1, r.step == 1))
        else:
            dims.append((1, n == 1, True))
    partial = [i for i, (_, whole, _) in enumerate(dims) if not whole]
    if not partial:
        return True
    last = partial[-1]
    return all(size == 1 for size, _, _ in dims[:last]) and (dims[last][2] or dims[last][0] <= 1)


def read_only_view(base, compute, what: str):
    """`compute(base)` as the read-only view of `base` NumPy returns from `what`: it follows
    later writes to `base`, and a write into it raises NumPy's ValueError instead of changing
    a copy that NumPy never makes."""
    return make_view(base, "computed", compute).read_only(
        ValueError, f"assignment destination is read-only ({what} returns a read-only view)")


def refuse_writes(base, compute, what: str, why: str):
    """`compute(base)` as a view of `base` whose writes are refused by name: NumPy writes
    through memory that a traced value does not share with its source."""
    return make_view(base, "computed", compute).read_only(
        errors.UnsupportedFunctionError, str(errors.unsupported(f"Writing into {what} ({why})")))


# ----------------------------------------------------------------------------- advanced


def _to_index_array(k, n, axis):
    """An integer index array (tracer or ndarray), negative entries wrapped."""
    if lax.is_tracer(k):
        if not np.issubdtype(k.dtype, np.integer):
            raise IndexError("arrays used as indices must be of integer (or boolean) type")
        k = lax.cast(k, np.intp)
        k = np.where(k < 0, k + n, k)
        return np.where(k < 0, n, k)  # below -n: out of bounds, so NumPy's IndexError
    arr = np.asarray(k)
    if arr.dtype == object or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    arr = arr.astype(np.intp)
    if arr.size and (arr.max() >= n or arr.min() < -n):
        bad = arr[(arr >= n) | (arr < -n)][0]
        raise IndexError(f"index {bad} is out of bounds for axis {axis} with size {n}")
    return np.where(arr < 0, arr + n, arr)


@dataclasses.dataclass(frozen=True)
class _ZeroDimBool:
    """A 0-d boolean index (`x[True]`, `out[np.asarray(cond)] = v`): NumPy's `x[np.newaxis]`
    indexed by `[0]` where it is True, by `[]` where False."""

    keep: bool


def _prepare_advanced(x, key):
    """Split a key: (x with None dims added, its basic key, x[basic key], advanced dims, indices)."""
    expanded = []
    for k in key:
        known = k.constant_value() if lax.is_tracer(k) and k.dtype == np.bool_ and not k.ndim \
            else k
        if isinstance(known, (bool, np.bool_)) or isinstance(known, np.ndarray) and \
                known.dtype == np.bool_ and not known.ndim:
            expanded.append(_ZeroDimBool(bool(known)))  # NumPy: a new axis, kept or emptied
        elif isinstance(k, (np.ndarray, list)) and np.asarray(k).dtype == np.bool_:
            expanded.extend(np.nonzero(np.asarray(k)))
        elif lax.is_tracer(k) and k.dtype == np.bool_ and k.constant_value() is not None:
            expanded.extend(np.nonzero(k.constant_value()))
        elif lax.is_tracer(k) and k.dtype == np.bool_:
            raise errors.data_dependent(
                "Reading x[mask] with a traced boolean mask",
                "np.where(mask, x, 0) keeps the shape, and masked reductions such as "
                "np.sum(x, where=mask) or np.mean(x, where=mask) need no selection; assignment "
                "x[mask] = v is supported")
        else:
            expanded.append(k)
    new_shape, plain, axis = [], [], 0
    for k in expanded:
        if k is None or isinstance(k, _ZeroDimBool):
            new_shape.append(1)
            plain.append(slice(None) if k is None else np.zeros(int(k.keep), np.intp))
        else:
            new_shape.append(x.shape[axis])
            plain.append(k)
            axis += 1
    x = lax.reshape(x, new_shape + list(x.shape[axis:]))
    plain += [slice(None)] * (x.ndim - len(plain))
    basic_key = tuple(k if isinstance(k, slice) else slice(None) for k in plain)
    adv_pos = [i for i, k in enumerate(plain) if not isinstance(k, slice)]
    sub = _basic(x, basic_key)
    idx = [_to_index_array(plain[i], sub.shape[i], i) for i in adv_pos]
    return x, basic_key, sub, adv_pos, idx


def _advanced_layout(x, adv_pos, idx):
    """Move the indexed dims together, merge them, and return the linear index."""
    adjacent = adv_pos == list(range(adv_pos[0], adv_pos[0] + len(adv_pos)))
    at = adv_pos[0] if adjacent else 0
    rest = [i for i in range(x.ndim) if i not in adv_pos]
    perm = rest[:at] + adv_pos + rest[at:]
    xt = lax.transpose(x, perm)
    dims = [x.shape[i] for i in adv_pos]
    bshape = np.broadcast_shapes(*(np.shape(i) for i in idx))
    lin = 0
    for i, d in zip(idx, dims):
        lin = lin * d + i
    traced = [(i, d) for i, d in zip(idx, dims) if lax.is_tracer(i)]
    if len(idx) > 1 and traced:  # x[rows, labels] with a label past its axis: NumPy's IndexError
        bad = functools.reduce(np.logical_or, [i >= d for i, d in traced])
        lin = np.where(bad, int(np.prod(dims)), lin)  # not another row's element
    lin = np.broadcast_to(lin, bshape)
    merged = xt.shape[:at] + (int(np.prod(dims)),) + xt.shape[at + len(dims):]
    size = int(np.prod(bshape))
    lin_flat = np.reshape(lin, (1,) * at + (size,) + (1,) * (len(merged) - at - 1))
    return lax.reshape(xt, merged), perm, at, bshape, lin_flat


def _advanced_get(x, key):
    _, _, sub, adv_pos, idx = _prepare_advanced(x, key)
    if not adv_pos:
        return sub
    flat, _, at, bshape, lin = _advanced_layout(sub, adv_pos, idx)
    got = lax.gather(flat, lin, at)
    return lax.reshape(got, got.shape[:at] + tuple(bshape) + got.shape[at + 1:])


def _advanced_set(x, key, value, mode="set"):
    """A copy of `x` with `x[key] = value` (mode "set") or `np.add.at(x, key, value)` ("add")."""
    xe, basic_key, sub, adv_pos, idx = _prepare_advanced(x, key)
    flat, perm, at, bshape, lin = _advanced_layout(sub, adv_pos, idx)
    want = _advanced_get(x, key).shape
    if callable(mode):  # a ufunc's `at`: the updates stay in their own dtype
        if value is not None:
            value = lax.broadcast_to(value, want)
            value = lax.reshape(value, want[:at] + (lin.shape[at],) + want[at + len(bshape):])
        new = mode(flat, lin, value, at)
        new = lax.transpose(lax.reshape(new, [sub.shape[i] for i in perm]), np.argsort(perm))
        if any(k != slice(None) for k in basic_key):
            new = _basic_set(xe, basic_key, new)
        return lax.reshape(new, x.shape)
    if mode == "set":
        value = _drop_unit_lead(value, len(want))
    value = lax.broadcast_to(lax.cast(value, x.dtype), want)
    value = lax.reshape(value, want[:at] + (lin.shape[at],) + want[at + len(bshape):])
    if mode in ("maximum", "minimum"):
        new = _extreme_at(flat, lin, value, at, mode)
    else:
        new = lax.scatter(flat, lin, value, at, mode)
    new = lax.transpose(lax.reshape(new, [sub.shape[i] for i in perm]), np.argsort(perm))
    if any(k != slice(None) for k in basic_key):
        new = _basic_set(xe, basic_key, new)
    return lax.reshape(new, x.shape)


def _extreme_at(flat, lin, value, at, name):
    """`np.maximum.at`/`np.minimum.at` along axis `at` of `flat`. The updates are sorted by
    value (the winner last, NaN last so that it propagates), then stably by target; the last
    of each target's run is written and the others go to a spare slot, so no two writes meet.
    The ufunc then combines `flat` with what was written (an untouched element with itself)."""
    n = flat.shape[at]

    def part(a, start, stop):
        return a[(slice(None),) * at + (slice(start, stop),)]

    lin = lax.broadcast_to(lax.cast(lax.lift(lin), np.intp), value.shape)
    lin = np.where(lin < n, lin, n + 1)  # out of bounds past the spare slot: NumPy's IndexError
    if name == "maximum" or value.dtype.kind in "fc":
        key = value if name == "maximum" else np.negative(value)
        order = np.argsort(key, axis=at, kind="stable")
    else:
        order = np.flip(np.argsort(value, axis=at, kind="stable"), axis=at)
    lin, value = (np.take_along_axis(a, order, axis=at) for a in (lin, value))
    order = np.argsort(lin, axis=at, kind="stable")
    lin, value = (np.take_along_axis(a, order, axis=at) for a in (lin, value))
    following = np.concatenate([part(lin, 1, None), np.full_like(part(lin, 0, 1), n)], axis=at)
    idx = np.where(lin != following, lin, n)
    spare = np.concatenate([flat, np.zeros_like(part(flat, 0, 1))], axis=at)
    written = part(lax.scatter(spare, idx, value, at, "set"), 0, n)
    return getattr(np, name)(flat, written)


# ufuncs whose repeated application `f(f(x, a), b)` is `f(x, f(a, b))`, so the updates of one
# element can be combined first (exactly, but for a float product: regrouped, within rounding)
ASSOCIATIVE_AT = frozenset("multiply logical_and logical_or logical_xor bitwise_and bitwise_or "
                           "bitwise_xor maximum minimum fmax fmin gcd lcm".split())
# unary ufuncs applied k times: an involution is itself for odd k, an idempotent one for k > 0
INVOLUTIONS = frozenset("negative conjugate invert bitwise_not bitwise_invert logical_not".split())
IDEMPOTENT = frozenset("positive absolute fabs floor ceil trunc rint sign".split())
# integer ufuncs whose result cast to a narrower integer is the same computed in it
_MODULAR = frozenset("multiply bitwise_and bitwise_or bitwise_xor".split())


def _along(a, start, stop, at):
    return a[(slice(None),) * at + (slice(start, stop),)]


def _rounds_at(ufunc, flat, lin, value, at):
    """`ufunc.at` with indices known while tracing, exactly in NumPy's order: round r updates
    the r-th occurrence of each index (distinct targets, so one gather, ufunc and scatter),
    and casts its results back into the array's dtype as NumPy's loop does."""
    lin = np.ravel(lin)
    order = np.argsort(lin, kind="stable")
    first = np.searchsorted(lin[order], lin[order], side="left")
    rank = np.empty_like(order)
    rank[order] = np.arange(lin.size) - first
    for r in range(int(rank.max()) + 1 if lin.size else 0):
        pos = np.flatnonzero(rank == r)
        shape = (1,) * at + (pos.size,) + (1,) * (flat.ndim - at - 1)
        target = np.reshape(lin[pos], shape)
        args = [lax.gather(flat, target, at)]
        if value is not None:
            args.append(lax.gather(value, np.reshape(pos, shape), at))
        flat = lax.scatter(flat, target, lax.cast(ufunc(*args), flat.dtype), at, "set")
    return flat


# traced indices of a ufunc whose updates do not combine go one update at a time, unrolled
SEQUENTIAL_AT_LIMIT = 64


def _sequential_at(ufunc, flat, lin, value, at):
    """`ufunc.at` with traced indices, one update at a time in NumPy's order (a gather, the
    ufunc in NumPy's loop, a cast back and a scatter per update)."""
    for k in range(np.shape(lin)[at]):
        target = _along(lin, k, k + 1, at)
        args = [lax.gather(flat, target, at)]
        if value is not None:
            args.append(_along(value, k, k + 1, at))
        flat = lax.scatter(flat, target, lax.cast(ufunc(*args), flat.dtype), at, "set")
    return flat


def _count_at(flat, lin, at):
    """How many times each element of `flat` is indexed by `lin` along `at`."""
    shape = flat.shape[:at] + (np.shape(lin)[at],) + flat.shape[at + 1:]
    return lax.scatter(lax.lift(np.zeros(flat.shape, np.int64)), lin, np.ones(shape, np.int64),
                       at, "add")


def _grouped_at(ufunc, flat, lin, value, at):
    """`ufunc.at` for an associative ufunc with traced indices: the updates sorted stably by
    target, combined in order within each target's run (a segmented scan by doubling), and the
    last of each run combined with the element it targets."""
    n = flat.shape[at]
    value = lax.cast(value, flat.dtype)
    lin = lax.broadcast_to(lax.cast(lax.lift(lin), np.intp), value.shape)
    order = np.argsort(lin, axis=at, kind="stable")
    lin, value = (np.take_along_axis(a, order, axis=at) for a in (lin, value))
    size, shift = lin.shape[at], 1
    while shift < size:
        before = np.concatenate([np.full_like(_along(lin, 0, shift, at), -1),
                                 _along(lin, 0, size - shift, at)], axis=at)
        prev = np.concatenate([_along(value, 0, shift, at), _along(value, 0, size - shift, at)],
                              axis=at)
        value = np.where(before == lin, lax.cast(ufunc(prev, value), flat.dtype), value)
        shift *= 2
    following = np.concatenate([_along(lin, 1, None, at), np.full_like(_along(lin, 0, 1, at), n)],
                               axis=at)
    idx = np.where(lin != following, lin, n)
    spare = np.concatenate([flat, np.zeros_like(_along(flat, 0, 1, at))], axis=at)
    written = _along(lax.scatter(spare, idx, value, at, "set"), 0, n, at)
    touched = _count_at(flat, lin, at) > 0
    return np.where(touched, lax.cast(ufunc(flat, written), flat.dtype), flat)


def _repeated_unary_at(ufunc, flat, lin, at):
    """A unary `ufunc.at` with traced indices, for ufuncs whose k-fold application is known."""
    count = _count_at(flat, lin, at)
    applied = count % 2 == 1 if ufunc.__name__ in INVOLUTIONS else count > 0
    return np.where(applied, lax.cast(ufunc(flat), flat.dtype), flat)


def ufunc_at(ufunc, x, key, value) -> None:
    """`ufunc.at(x, key[, value])`, unbuffered: an element indexed k times is updated k times
    in order. Indices known while tracing take rounds of distinct targets (exact for every
    ufunc); traced indices need a ufunc whose repeated updates combine (`ASSOCIATIVE_AT`,
    `INVOLUTIONS`, `IDEMPOTENT`) and a loop in the array's own dtype, or at most
    `SEQUENTIAL_AT_LIMIT` of them, which go one by one."""
    from .ufuncs import resolve

    name = ufunc.__name__
    keys = key if isinstance(key, tuple) else (key,)
    if any(isinstance(k, MaskedSelection) for k in keys) or isinstance(value, MaskedSelection):
        raise errors.data_dependent(f"np.{name}.at with indices or values selected by a traced "
                                    "mask", f"x[m] = np.{name}(x[m], v[m]) for a mask m")
    if value is not None:
        value = lax.lift(value) if lax.is_tracer(value) else lax.lift(np.asarray(value))
        value = lax.cast(value, value.dtype) if value.weak else value  # NumPy takes b as an array
    resolve(ufunc, (x,) if value is None else (x, value))  # NumPy's type errors come first
    ekey = [np.asarray(k) if _is_int(k) or isinstance(k, list) else k
            for k in _expand_key(lift_index_lists(key), x.ndim)]
    if not any(_is_advanced(k) for k in ekey):  # no index repeats
        view = x[tuple(ekey)]
        args = (view,) if value is None else (view, value)
        view[...] = lax.cast(lax.broadcast_to(ufunc(*args), view.shape), x.dtype)
        return

    def combine(flat, lin, updates, at):
        known = lin.constant_value() if lax.is_tracer(lin) else np.asarray(lin)
        operands = (flat,) if updates is None else (flat, updates)
        loop = resolve(ufunc, operands)[-1]
        same = loop == flat.dtype or name in _MODULAR and loop.kind in "iu" and \
            flat.dtype.kind in "iu"
        grouped = updates is not None and same and name in ASSOCIATIVE_AT
        regrouped = name == "multiply" and flat.dtype.kind in "fc"  # exact in turn only
        few = np.shape(lin)[at] <= SEQUENTIAL_AT_LIMIT
        if grouped and not regrouped:
            return _grouped_at(ufunc, flat, lin, updates, at)
        if known is not None:
            return _rounds_at(ufunc, flat, known, updates, at)
        if updates is None and same and name in INVOLUTIONS | IDEMPOTENT:
            return _repeated_unary_at(ufunc, flat, lin, at)
        if few:
            return _sequential_at(ufunc, flat, lin, updates, at)
        if grouped:
            return _grouped_at(ufunc, flat, lin, updates, at)
        if loop != flat.dtype:
            raise errors.unsupported(
                f"np.{name}.at of {loop} updates into an array of {flat.dtype} with more than "
                f"{SEQUENTIAL_AT_LIMIT} traced indices (NumPy casts each update back to "
                f"{flat.dtype} as it goes)")
        raise errors.unsupported(
            f"np.{name}.at with more than {SEQUENTIAL_AT_LIMIT} traced indices (each repeated "
            "index is updated in turn, which only indices known while tracing, an associative "
            "ufunc, or a few indices let tracenp compile)")

    x._assign(_advanced_set(x, ekey, value, mode=combine))


# ----------------------------------------------------------------------------- entry points


def lift_index_lists(key):
    """An index list holding traced integers (`x[[i, j]]`, `x[[k - 1, k, k + 1], :]`) is an
    index array of them; NumPy would convert the list itself. A tuple inside a tuple key
    (`a[(0, 1, 2), (1, 2, 3)]`) is a sequence index, as a list is, and so is a `range`
    (`num[range(n), range(n)] = 0` in t-SNE), which NumPy converts to an index array."""
    if isinstance(key, range):
        return list(key)
    if isinstance(key, list) and lax.holds_tracer(key):
        return lax.lift(key)
    if isinstance(key, tuple):
        key = tuple(list(k) if isinstance(k, (tuple, range)) else k for k in key)
        return tuple(lax.lift(k) if isinstance(k, list) and lax.holds_tracer(k) else k
                     for k in key)
    return key


def _refuse_field_names(x, key) -> None:
    """A field name (`d['age']`, or several: `v[["x", "y", "z"]]`) reads a structured array,
    which tracenp does not trace."""
    names = isinstance(key, list) and key and all(isinstance(k, str) for k in key)
    if names or any(isinstance(k, str) for k in (key if isinstance(key, tuple) else (key,))):
        if x.dtype.names:
            raise errors.unsupported("A structured array's field read or written by name")
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) "
                         "and integer or boolean arrays are valid indices")


def _traced_mask(k) -> bool:
    return lax.is_tracer(k) and k.dtype == np.bool_ and k.constant_value() is None


def _mask_then_basic(key):
    """`(mask, basic key)` for a traced mask leading a key otherwise of ints, slices and
    Ellipsis: NumPy's `x[mask, 0]` is `x[:, :, 0][mask]` (the selected elements come first in
    both, wherever the other indices are), so it reads and writes as the mask of a view
    (`out[idx, 0] = (arr[idx, 1] - arr[idx, 2]) / delta[idx]` in RGB to HSV)."""
    if not isinstance(key, tuple) or len(key) < 2 or not _traced_mask(key[0]) or \
            key[0].ndim == 0:
        return None
    rest = key[1:]
    if not all(_is_int(k) or isinstance(k, slice) or k is Ellipsis or k is None for k in rest):
        return None
    return key[0], (slice(None),) * key[0].ndim + rest


def _ints_beside_mask(x, key):
    """`x[0, m]`, `M[:, 1, m]`, `x[0, :, m]`: one traced mask among ints and slices, some
    int beside it. NumPy broadcasts the ints against the mask's indices: the same as
    applying them first, the selected elements where the ints and the mask stood if they
    are one block, else first (NumPy's rule for separated advanced indices). (the view with
    the ints applied, the key that selects in it) where they are one block or lead the key,
    (the view, the mask, the selected axis) otherwise; None for other keys."""
    if not isinstance(key, tuple) or sum(_traced_mask(k) for k in key) != 1 or \
            not any(_is_int(k) for k in key) or \
            not all(_traced_mask(k) or _is_int(k) or isinstance(k, slice) for k in key):
        return None
    p = next(i for i, k in enumerate(key) if _traced_mask(k))
    mask = key[p]
    if mask.ndim == 0:
        return None
    advanced = [i for i, k in enumerate(key) if _is_int(k) or i == p]
    view = getitem(x, key[:p] + (slice(None),) * mask.ndim + key[p + 1:])
    j = sum(isinstance(k, slice) for k in key[:p])
    if j == 0 or advanced == list(range(advanced[0], advanced[-1] + 1)):
        return view, (slice(None),) * j + (mask,)
    return view, mask, j


def _selected_beside_ints(x, key):
    """`getitem` of an `_ints_beside_mask` key, or None."""
    found = _ints_beside_mask(x, key)
    if found is None:
        return None
    if len(found) == 2:
        return getitem(*found)
    view, mask, j = found
    return select(np.moveaxis(view, range(j, j + mask.ndim), range(mask.ndim)), mask)


def getitem(x, key):
    _refuse_field_names(x, key)
    if isinstance(key, tuple) and len(key) == 1 and not isinstance(key[0], tuple):
        key = key[0]  # NumPy's x[(k,)] is x[k]: a traced mask in it selects
    key = lift_index_lists(key)
    if _traced_mask(key):
        return select(x, key)
    split = _mask_then_basic(key)
    if split is not None:
        return select(getitem(x, split[1]), split[0])
    beside = _selected_beside_ints(x, key)
    if beside is not None:
        return beside
    inner = _inner_select(x, key)
    if inner is not None:
        return inner
    keys = key if isinstance(key, tuple) else (key,)
    if any(isinstance(k, MaskedSelection) for k in keys):
        return index_by_selections(x, keys)
    window = _window_key(x, key)
    if window is not None:
        return make_view(x, "scalar_index", window).with_returns("array")
    masked = _bound_mask_key(x, key)
    if masked is not None:
        x, masked = _ints_first(x, masked)
        return slice_view(getitem(x, masked), x, masked, setitem, (
            "x[i:j] with a traced bound", "reduce it where it is made (x[:k].sum()), write "
            "through it (x[:k] = v), or keep the shape with np.where(np.arange(n) < k, x, fill)"))
    ekey = _check_masks(x, _expand_key(key, x.ndim))
    scalar = _all_integers(key)
    if any(_is_advanced(k) for k in ekey):
        if all(_traced_scalar_index(k) or not _is_advanced(k) for k in ekey) and \
                not (scalar and x.ndim == sum(1 for k in ekey if not isinstance(k, slice))):
            return make_view(x, "scalar_index", tuple(ekey))
        res = _advanced_get(x, ekey)
    elif scalar and x.ndim == sum(1 for k in ekey if not isinstance(k, slice)):
        # NumPy's scalar is a copy: it keeps its value when x is written afterwards
        res = Tracer(apply_view(x, "index", tuple(ekey)).node)
    else:
        res = make_view(x, "index", tuple(ekey))
    return res.with_returns("scalar" if scalar else "array")


def _int_const(node) -> bool:
    return node.op is Op.CONST and node.dtype.kind in "iu" and not node.shape


def _offset(v) -> tuple:
    """`v` as (node, int offset): `i + 2`, `i - 1` and `2 + i` of a traced `i` share its node."""
    if not lax.is_tracer(v):
        return None, operator.index(v)
    node, off = v.node, 0
    while node.op in (Op.ADD, Op.SUBTRACT) and len(node.srcs) == 2:
        a, b = node.srcs
        if _int_const(b):
            off += int(b.attrs["value"].value) * (1 if node.op is Op.ADD else -1)
            node = a
        elif node.op is Op.ADD and _int_const(a):
            off += int(a.attrs["value"].value)
            node = b
        else:
            break
    return node, off


def _window_key(x, key):
    """A key with traced slice bounds whose distance is known (`img[y - 1:y + 2, t:t + k]`)
    as integer index arrays, one per dim in `np.ix_`'s layout, so that gathering or
    scattering with it has the basic slice's shape. NumPy's slice is shorter (or wraps)
    where the window leaves the axis: a check raises DataDependentShapeError then (NumPy's
    values under `fallback=True`). None for any other key."""
    keys = key if isinstance(key, tuple) else (key,)
    if not any(_traced_bounds(k) for k in keys) or any(
            k is None or lax.is_tracer(k) and k.ndim or isinstance(k, (np.ndarray, list)) or
            isinstance(k, slice) and not _traced_bounds(k) and (
                _live(k.start) or _live(k.stop)) for k in keys):
        return None
    ekey = _expand_key(key, x.ndim)
    kept = sum(isinstance(k, slice) for k in ekey)
    out, j = [], 0
    for axis, (k, n) in enumerate(zip(ekey, x.shape)):
        if n is None:
            return None
        if not isinstance(k, slice):
            out.append(k)
            continue
        if _traced_bounds(k):
            if not _unit_step(k) or k.start is None or k.stop is None:
                return None
            (b0, o0), (b1, o1) = _offset(k.start), _offset(k.stop)
            if b0 is None or b0 is not b1 or o1 <= o0 or ir.of_python_scalars(b0):
                return None
            start = lax.cast(lax.lift(k.start), np.intp)
            if not lax.check(np.logical_or(start < 0, start > n - (o1 - o0)),
                             "DataDependentShapeError",
                             f"A slice of traced bounds {o1 - o0} apart that leaves axis "
                             f"{axis} of length {n}: NumPy's slice is shorter there than "
                             "the compiled function's. Pass fallback=True to jit to run such "
                             "calls in NumPy, or keep the window inside (np.clip its start)"):
                return None
            idx = np.minimum(start + np.arange(o1 - o0), n - 1)  # the check raises past
            # the end: the gather must not, before it
        else:
            idx = lax.lift(np.arange(*k.indices(n)))
        out.append(np.reshape(idx, (1,) * j + (-1,) + (1,) * (kept - j - 1)))
        j += 1
    return tuple(out)


def _unit_step(k: slice) -> bool:
    """A step of None or 1 (a traced step, even a known one, is not: it compares as an array)."""
    return k.step is None or not lax.is_tracer(k.step) and k.step == 1


def _live(v) -> bool:
    """A traced value not known while tracing (`edges[b]` of constant edges is known)."""
    return lax.is_tracer(v) and v.constant_value() is None


def _traced_bounds(k) -> bool:
    """A slice with a traced integer bound (others, floats, stay NumPy's TypeError)."""
    return isinstance(k, slice) and (_live(k.start) or _live(k.stop)) and all(
        v.ndim == 0 and v.dtype.kind in "iu" for v in (k.start, k.stop, k.step)
        if lax.is_tracer(v))


def _bound_mask_key(x, key):
    """A key of slices with one slice of a traced bound (`acf[1:first_negative]`, `order[:k]`
    with k from the data) as the boolean mask of the elements it takes: the selection (of a
    length known when the function runs) reads and writes as `x[mask]`. None for other keys,
    and for bounds computed from Python scalar arguments alone (jit makes those static)."""
    keys = key if isinstance(key, tuple) else (key,)
    traced = [k for k in keys if _traced_bounds(k)]
    if len(traced) != 1 or not all(isinstance(k, slice) or k is Ellipsis or _is_int(k)
                                   for k in keys):
        return None
    k = traced[0]
    if not _unit_step(k) or all(ir.of_python_scalars(lax.lift(v).node) for v in
                                       (k.start, k.stop) if lax.is_tracer(v)):
        return None
    ekey = _expand_key(key, x.ndim)
    axis = next(i for i, e in enumerate(ekey) if e is k)
    n = x.shape[axis]
    if n is None:
        return None
    ekey[axis] = _slice_mask(k, n)
    return tuple(ekey)


def _slice_mask(k: slice, n: int):
    """The elements of an axis of length `n` that a unit-step slice of traced bounds takes."""
    def bound(v, default):
        if v is None:
            return default
        v = lax.lift(v) if lax.is_tracer(v) else operator.index(v)
        return np.where(v < 0, np.maximum(v + n, 0), np.minimum(v, n))

    at = lax.lift(np.arange(n))
    return (at >= bound(k.start, 0)) & (at < bound(k.stop, n))


def _box_mask(x, key, value):
    """`img[y0:y1, x0:x1] = 0` (Cutout, a box of traced bounds on several axes) set to one
    value: the elements the slices take, as a mask of `x`'s shape. None for other keys, and
    for a value with dims (the box's shape is the data's)."""
    keys = key if isinstance(key, tuple) else (key,)
    if sum(map(_traced_bounds, keys)) < 2 or np.ndim(value) or isinstance(
            value, MaskedSelection) or not all(
            isinstance(k, slice) or k is Ellipsis or _is_int(k) for k in keys) or any(
            _traced_bounds(k) and not _unit_step(k) for k in keys) or None in x.shape:
        return None
    mask = None
    for axis, (k, n) in enumerate(zip(_expand_key(key, x.ndim), x.shape)):
        if _traced_bounds(k):
            m = _slice_mask(k, n)
        else:
            known = np.zeros(n, bool)
            known[k] = True
            m = lax.lift(known)
        m = np.reshape(m, (1,) * axis + (n,) + (1,) * (x.ndim - axis - 1))
        mask = m if mask is None else mask & m
    return np.broadcast_to(mask, x.shape)


def _ints_first(x, key: tuple) -> tuple:
    """`(x[ints], rest)` for an expanded key of ints, slices and one mask: NumPy's `x[2, m]` is
    `x[2][m]`, and the masked paths take masks after slices only."""
    if not any(_is_int(k) for k in key):
        return x, key
    view = getitem(x, tuple(k if _is_int(k) else slice(None) for k in key))
    return view, tuple(k for k in key if not _is_int(k))


def _fills_selection(x, masked: tuple, value) -> bool:
    """Whether `x[masked] = value` is NumPy's `x[i:j] = value`: a selection, or a value that
    does not reach the selected axis (one that does needs its length to be j - i)."""
    if isinstance(value, MaskedSelection):
        return True
    at = next(i for i, k in enumerate(masked) if lax.is_tracer(k))
    meets = np.ndim(value) - (x.ndim - at)  # the value's dim that meets the selected axis
    return meets < 0 or np.shape(value)[meets] == 1


def _traced_scalar_index(k) -> bool:
    """A traced integer that NumPy holds as a scalar, not a 0-d array (`for t in y_true:`, a
    Python int argument): an index of basic indexing, so `cm[t]` is a view and `cm[t][p] += 1`
    writes into `cm`."""
    return lax.is_tracer(k) and k.ndim == 0 and k.dtype.kind in "iu" and k.returns != "array"


def _all_integers(key) -> bool:
    """NumPy returns a scalar, not a 0-d array, when every index is an integer."""
    keys = key if isinstance(key, tuple) else (key,)
    return all(_is_int(k) or (isinstance(k, np.ndarray) or lax.is_tracer(k)) and k.ndim == 0
               and k.dtype.kind in "iu" for k in keys)


def _check_element_value(x, key, value) -> None:
    """`x[i, j] = v` names one element: NumPy converts `v` to a scalar and refuses an array of
    one or more dims (ValueError, TypeError for complex; a bool takes its truth), unlike a
    view target such as `x[i, ..., j]`. NumPy itself decides, on a stand-in of `v`'s shape."""
    keys = key if isinstance(key, tuple) else (key,)
    if len(keys) != x.ndim or not all(_is_int(k) for k in keys) or \
            isinstance(value, MaskedSelection):
        return
    shape = value.shape if lax.is_tracer(value) else np.shape(value)
    if shape:
        dtype = value.dtype if lax.is_tracer(value) else np.asarray(value).dtype
        np.zeros(1, x.dtype)[0] = np.zeros(shape, dtype)


def setitem(x, key, value):
    if not lax.is_tracer(x):  # `np.fill_diagonal(K, noise)` of a K NumPy computed
        raise errors.written_into_numpy("np.fill_diagonal, np.put, ...")
    _refuse_field_names(x, key)
    _check_element_value(x, key, value)
    if isinstance(value, (list, tuple)) and lax.holds_tracer(value):
        value = lax.lift(value)  # out[i] = x, y, z with traced items
    check_scalar_conversion(x.dtype, value)
    keys = key if isinstance(key, tuple) else (key,)
    if any(isinstance(k, MaskedSelection) for k in keys):
        keys = _unmask_keys(keys)
        if _selected_set(x, keys, value):
            return
        mask = _nonzero_mask(x, keys)
        x._assign(_mask_set(x, [mask] + [slice(None)] * (x.ndim - mask.ndim), mask, value))
        return
    split = _mask_then_basic(lift_index_lists(key))
    if split is not None:
        setitem(getitem(x, split[1]), split[0], value)
        return
    beside = _ints_beside_mask(x, lift_index_lists(key))
    if beside is not None and len(beside) == 2:  # written through the view
        setitem(*beside, value)
        return
    if _inner_mask_set(x, lift_index_lists(key), value):
        return
    window = _window_key(x, key)
    if window is not None:
        x._assign(_advanced_set(x, list(window), value))
        return
    box = _box_mask(x, key, value)
    if box is not None:
        setitem(x, box, value)
        return
    masked = _bound_mask_key(x, key)
    if masked is not None:
        view, masked = _ints_first(x, masked)
        if _fills_selection(view, masked, value):
            setitem(view, masked, value)
            return
    ekey = _check_masks(x, _expand_key(lift_index_lists(key), x.ndim))
    if any(_is_advanced(k) for k in ekey):
        mask = [k for k in ekey if _traced_mask(k)]  # a mask known while tracing selects
        if mask:
            x._assign(_mask_set(x, ekey, mask[0], value))
        else:
            x._assign(_advanced_set(x, ekey, value))
        return
    x._assign(_basic_set(x, tuple(ekey), value))


def _inner_mask_view(x, key):
    """`(view, j, mask)` for a key `x[:, mask]`: one traced mask after slices at `j > 0` (and
    before slices), `view` the basic view `x[:, :, ...]` with the mask's dims whole. None for
    other keys; NumPy's IndexError for a mask whose shape does not fit."""
    if not isinstance(key, tuple) or any(k is None for k in key):
        return None
    at = [i for i, k in enumerate(key) if _traced_mask(k)]
    if len(at) == 1 and any(k is Ellipsis for k in key[:at[0]]):  # x[..., m]: the dims it covers
        i, mask = _ellipsis_at(key), key[at[0]]
        fill = x.ndim - (len(key) - 1) - (mask.ndim - 1)
        key = key[:i] + (slice(None),) * fill + key[i + 1:]
        at = [at[0] + fill - 1]
    if len(at) != 1 or at[0] == 0 or key[at[0]].ndim == 0 or \
            not all(isinstance(k, slice) for k in key[:at[0]]) or \
            not all(isinstance(k, slice) or k is Ellipsis for k in key[at[0] + 1:]):
        return None
    j, mask = at[0], key[at[0]]
    view = getitem(x, key[:j] + (slice(None),) * mask.ndim + key[j + 1:])
    for d, (n, m) in enumerate(zip(view.shape[j:], mask.shape)):
        if n != m:
            raise IndexError(f"boolean index did not match indexed array along axis {j + d}; "
                             f"size of axis is {n} but size of corresponding boolean axis is {m}")
    return view, j, mask


def _inner_select(x, key):
    """`x[:, mask]` for a traced mask after slices: a selection along axis `j` (`None` for
    other keys)."""
    found = _inner_mask_view(x, key)
    if found is None:
        return None
    view, j, mask = found
    moved = np.moveaxis(view, range(j, j + mask.ndim), range(mask.ndim))
    return InnerSelection(Tracer(moved.node), mask, j)  # a copy: x's later writes miss it


def _inner_mask_set(x, key, value) -> bool:
    """`x[:, mask] = v` for a traced mask after slices (and before slices): a `where` over
    the basic view `x[:, :, ...]`, when `v` has one value for all selected positions along the
    mask's dim (`X[:, ~keep] = 0`, scikit-learn's column selection), or is a selection by the
    same mask that meets the selected axis (`x[:, m] += 1`, `x[:, m] *= w[m]`). False for
    other keys."""
    found = _inner_mask_view(x, key)
    if found is None:
        return False
    view, j, mask = found
    m = lax.reshape(mask, (1,) * j + mask.shape + (1,) * (view.ndim - j - mask.ndim))
    if isinstance(value, MaskedSelection):
        target = _inner_select(x, key)
        placed = target.placed(value)
        view._assign(np.where(m, lax.cast(placed, view.dtype), view))
        return True
    target = view.ndim - mask.ndim + 1
    value = _drop_unit_lead(value, target)
    shape = (1,) * (target - value.ndim) + value.shape
    if value.ndim > target:
        raise ValueError(f"shape mismatch: value array of shape {value.shape} could not be "
                         f"broadcast to an indexing result of {target} dimensions")
    if shape[j] != 1:
        raise errors.unsupported(
            "x[:, mask] = values with one value per selected element (a data-dependent count); "
            "use x = np.where(mask, values, x) with values of x's shape")
    value = lax.reshape(value, shape[:j] + (1,) * mask.ndim + shape[j + 1:])
    view._assign(lax.broadcast_to(np.where(m, lax.cast(value, view.dtype), view), view.shape))
    return True


def check_scalar_conversion(dtype, value, numpy_scalars: bool = True) -> None:
    """NumPy converts a Python scalar (or list of them) written into an array item by item and
    raises where that fails: NaN or inf into an integer array, a Python int beyond the dtype.
    The same conversion here raises the same error instead of storing a cast's garbage.
    Indexing converts NumPy scalars so too; `np.put`, `np.place`, `np.putmask`,
    `np.fill_diagonal` and `np.put_along_axis` cast them (`numpy_scalars=False`)."""
    scalars = (bool, int, float, complex) + ((np.generic,) if numpy_scalars else ())
    if isinstance(value, scalars) or (isinstance(value, (list, tuple)) and
                                      not lax.holds_tracer(value) and
                                      not any(isinstance(v, np.ndarray) for v in value)):
        np.empty(np.shape(value), dtype)[...] = value


def _nonzero_mask(x, keys):
    """The mask `m` of a key that is `np.nonzero(m)` (`np.where(m)`, or `np.where(m)[0]` of a
    1-d `m`) over x's leading axes: writing through it is writing `x[m]`."""
    mask = keys[0].mask if isinstance(keys[0], MaskedSelection) else None
    lead, rest = keys[:getattr(mask, "ndim", 0)], keys[getattr(mask, "ndim", 0):]
    grids = np.indices(mask.shape) if mask is not None else ()
    is_grid = [isinstance(k, MaskedSelection) and k.mask.node is mask.node
               and np.array_equal(k.values.constant_value(), g) for k, g in zip(lead, grids)]
    if mask is None or not all(is_grid) or len(lead) != mask.ndim or \
            x.shape[:mask.ndim] != mask.shape or \
            any(not (k is Ellipsis or isinstance(k, slice) and k == slice(None)) for k in rest):
        raise errors.data_dependent(
            "Assignment through indices selected by a traced mask other than x[np.nonzero(m)] "
            "= v over x's leading axes", "x[m] = v, or x = np.where(m, v, x)")
    return mask


def _unmask_keys(keys: tuple) -> tuple:
    """`x[m, j[m]]`: NumPy reads the traced mask `m` beside selections by it as
    `np.nonzero(m)`, the selections of the index grids by `m`."""
    mask = next(k.mask for k in keys if isinstance(k, MaskedSelection))
    out = []
    for k in keys:
        if lax.is_tracer(k) and k.dtype == np.bool_ and k.node is mask.node and k.ndim:
            out += [MaskedSelection(lax.lift(g), mask) for g in np.indices(mask.shape)]
        else:
            out.append(k)
    return tuple(out)


def _selected_set(x, keys: tuple, value) -> bool:
    """`x[i[m], j[m]] = v` (`oh[idx, seq[idx]] = 1` with `idx = np.nonzero(valid)[0]`): integer
    index arrays selected by one traced mask lead the key (with ints and integer arrays
    that broadcast beside them, `broadcast_selected`), `v` broadcasting against them. Each
    element takes the value of the last selected index naming it, as NumPy's assignment
    does, found by `np.maximum.at` of the indices' positions. False for other keys, and for
    the mask's own index grids (`x[np.nonzero(m)] = v`, a `where`)."""
    lead = leading_advanced(keys)
    mask = next(k.mask for k in keys if isinstance(k, MaskedSelection))
    if not lead or lead > x.ndim or any(not (isinstance(k, slice) and k == slice(None) or
                                             k is Ellipsis) for k in keys[lead:]) or \
            lead == mask.ndim and all(isinstance(k, MaskedSelection) and np.array_equal(
                k.values.constant_value(), g) for k, g in zip(keys, np.indices(mask.shape))):
        return False
    spread = broadcast_selected(keys[:lead], x.shape)
    if spread is None:
        return False
    full, rest = spread
    tail = x.shape[lead:]
    v = broadcast_selected_value(value, mask, rest + tail)
    if v is None:
        return False
    shape = mask.shape + rest
    if not math.prod(shape):
        return True
    v = lax.cast(v, x.dtype)
    order = lax.lift(np.arange(math.prod(shape)).reshape(shape))
    winner = lax.lift(np.full(x.shape[:lead], -1, np.intp))
    m = lax.reshape(mask, mask.shape + (1,) * len(rest))
    scatter_update(winner, tuple(full), np.where(m, order, lax.lift(np.asarray(-1))), "maximum")
    got = np.reshape(v, (math.prod(shape),) + tail)[np.maximum(winner, 0)]
    hit = lax.reshape(winner >= 0, winner.shape + (1,) * len(tail))
    x._assign(np.where(hit, got, x))
    return True


def _mask_set(x, ekey, mask, value):
    """`x[mask] = value` for a traced mask: a `where`, when the value broadcasts."""
    if mask.ndim == 0 and ekey[0] is mask and all(k == slice(None) for k in ekey[1:]):
        # as `select` reads it: x[np.newaxis][mask[np.newaxis]]
        mask = lax.reshape(mask, (1,))
        return lax.reshape(_mask_set(lax.reshape(x, (1,) + x.shape), [mask], mask, value),
                           x.shape)
    if len([k for k in ekey if not (isinstance(k, slice) and k == slice(None))]) != 1 or \
            ekey[0] is not mask:
        raise errors.unsupported("Assignment through a traced boolean mask combined with "
                                 "other indices")
    if isinstance(value, InnerSelection):
        raise errors.data_dependent("x[mask] = y[:, mask] (a selection along another axis)",
                                    "x = np.where(mask, values, x) with values of x's shape")
    same = isinstance(value, MaskedSelection) and value.mask.node is mask.node
    value = lax.lift(value.values if same else value)  # x[mask] op= v: read and written back
    if value.ndim > 0 and value.shape != x.shape[mask.ndim:] and not same:
        raise errors.unsupported(
            "x[mask] = values with one value per selected element (a data-dependent count); "
            "use x = np.where(mask, values, x) with values of x's shape")
    m = lax.reshape(mask, mask.shape + (1,) * (x.ndim - mask.ndim))
    return lax.where(m, lax.cast(value, x.dtype), x)


def _unselect_at(x, keys: tuple, value, mode: str):
    """`np.add.at(x, i[m], v[m])` (groupby sums over valid keys), indices selected by one
    traced mask `m` (with ints and integer arrays that broadcast beside them,
    `broadcast_selected`): the update at every position, with the ufunc's identity (at
    index 0) where `m` leaves it out. `v` broadcasts against the indices."""
    mask = next(k.mask for k in keys if isinstance(k, MaskedSelection))
    spread = None
    if len(keys) <= x.ndim and not isinstance(value, InnerSelection) and \
            not any(x.shape[d] == 0 for d in range(len(keys))):
        spread = broadcast_selected(keys, x.shape)
    full_value = None if spread is None else broadcast_selected_value(
        value, mask, spread[1] + x.shape[len(keys):])
    if full_value is None:
        raise errors.data_dependent(
            "np.ufunc.at with indices selected by a traced mask other than integer index "
            "arrays selected by one mask m (np.add.at(x, i[m], v[m])), with ints and arrays "
            "that broadcast beside them", "x[m] += v, or x = np.where(m, x + v, x)")
    if x.dtype.kind in "fc":  # -0.0 adds nothing, also to a -0.0
        identity = {"add": complex(-0.0, -0.0) if x.dtype.kind == "c" else -0.0,
                    "maximum": -np.inf, "minimum": np.inf}[mode]
    elif x.dtype.kind == "b":
        identity = {"add": False, "maximum": False, "minimum": True}[mode]
    else:
        info = np.iinfo(x.dtype)
        identity = {"add": 0, "maximum": info.min, "minimum": info.max}[mode]
    m = lax.reshape(mask, mask.shape + (1,) * (full_value.ndim - mask.ndim))
    return tuple(spread[0]), np.where(m, full_value, lax.lift(np.asarray(identity, x.dtype)))


def scatter_update(x, key, value, mode):
    """`np.add.at(x, key, value)` (mode "add"): an unbuffered update, repeated indices
    accumulate; mode "maximum"/"minimum" is `np.maximum.at`/`np.minimum.at`."""
    if any(isinstance(k, MaskedSelection) for k in (key if isinstance(key, tuple) else (key,))):
        key, value = _unselect_at(x, key if isinstance(key, tuple) else (key,), value, mode)
    ekey = [np.asarray(k) if _is_int(k) or isinstance(k, list) else k
            for k in _expand_key(lift_index_lists(key), x.ndim)]
    if not any(_is_advanced(k) for k in ekey):  # slices only repeat no index: x[key] op= v
        ufunc_at({"add": np.add, "maximum": np.maximum, "minimum": np.minimum}[mode], x, key,
                 value)
        return
    x._assign(_advanced_set(x, ekey, value, mode=mode))


@implements(np.take)
def take(a, indices, axis=None, out=None, mode="raise"):
    if isinstance(indices, MaskedSelection):  # NumPy dispatches on `a` only
        return take_selected(a, indices, axis, out, mode)
    a = lax.lift(a)
    if axis is None:
        a, axis = np.ravel(a), 0
    axis = normalize_axis(axis, a.ndim)
    indices = lift_index_lists(indices)
    if lax.is_tracer(indices) and indices.dtype == np.bool_:  # positions 0 and 1, as NumPy
        indices = lax.cast(indices, np.intp)  # casts them (not a mask)
    elif not lax.is_tracer(indices) and np.asarray(indices).dtype == np.bool_:
        indices = np.asarray(indices, np.intp)
    if a.shape[axis] == 0 and mode in ("clip", "wrap") and np.size(indices):
        shape = a.shape[:axis] + np.shape(indices) + a.shape[axis + 1:]
        if int(np.prod(shape)):  # no index can be moved into an empty axis
            raise IndexError("cannot do a non-empty take from an empty axes.")
        return write_out(lax.lift(np.zeros(shape, a.dtype)), out)
    indices = _index_mode(indices if lax.is_tracer(indices) else np.asarray(indices),
                          a.shape[axis], mode)
    key = [slice(None)] * axis + [indices]
    return write_out(getitem(a, tuple(key)), out)


@implements(np.choose)
def choose(a, choices, out=None, mode="raise"):
    """`choices[a[i]][i]` over the broadcast shape: the choices stacked on a new first axis and
    taken along it. Out-of-range traced indices under `mode="raise"` raise NumPy's
    `ValueError` when the function runs."""
    index = lax.lift(a)
    if not np.can_cast(index.dtype, np.intp, "safe"):
        raise TypeError(f"Cannot cast array data from {index.dtype!r} to {np.dtype(np.intp)!r} "
                        "according to the rule 'safe'")
    items = [choices[i] for i in range(len(choices))]
    dtype = np.result_type(*(weak_or_dtype(c) for c in items))
    arrays = [lax.cast(lax.lift(c), dtype) for c in items]
    shape = np.broadcast_shapes(index.shape, *(c.shape for c in arrays))
    n = len(arrays)
    k = lax.cast(index, np.intp)
    if mode == "raise":
        known = k.constant_value()
        if known is not None and known.size and (known.min() < 0 or known.max() >= n):
            raise ValueError("invalid entry in choice array")
        if known is None and lax.check(np.any(np.logical_or(k < 0, k >= n)), "ValueError",
                                       "invalid entry in choice array"):
            k = np.clip(k, 0, n - 1)  # what is taken is never returned then
        else:  # inside `grad`'s trace: the take raises IndexError on it
            k = np.where(k < 0, n, k)
    else:
        k = _index_mode(k, n, mode)
    stacked = np.stack([lax.broadcast_to(c, shape) for c in arrays])
    picked = np.take_along_axis(stacked, lax.reshape(lax.broadcast_to(k, shape), (1,) + shape),
                                axis=0)
    return write_out(lax.reshape(picked, shape), out)


def write_out(res, out):
    """`res` written into an `out=` argument and `out` returned, as NumPy's functions do."""
    if out is None:
        return res
    if not lax.is_tracer(out):
        raise errors.written_into_numpy("through out=")
    if tuple(out.shape) != tuple(res.shape):
        raise ValueError(f"output array has shape {out.shape}, the result {res.shape}")
    setitem(out, Ellipsis, res)
    return out


def _index_mode(indices, n: int, mode: str):
    """np.take/np.put's `mode`: "clip" moves indices into [0, n), "wrap" takes them mod n;
    "raise" keeps them (negative ones count from the end)."""
    if mode == "clip":
        return np.clip(indices, 0, n - 1)
    if mode == "wrap":
        return np.mod(indices, n)
    if mode != "raise":
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {mode!r})")
    return indices


@implements(np.put)
def put(a, ind, v, mode="raise"):
    """Writes into the flattened `a`; `v` repeats cyclically over the indices, as in NumPy."""
    if not lax.is_tracer(a):
        raise TypeError(f"argument 1 must be numpy.ndarray, not {type(a).__name__}")
    ind = ind if lax.is_tracer(ind) else np.asarray(ind)
    ind = np.ravel(_index_mode(ind, a.size, mode))
    check_scalar_conversion(a.dtype, v, numpy_scalars=False)
    flat = np.ravel(a).copy()
    flat[ind] = np.resize(np.ravel(lax.cast(lax.lift(v), a.dtype)), ind.shape)
    a[...] = np.reshape(flat, a.shape)


@implements(np.place)
def place(arr, mask, vals):
    """`vals` repeats cyclically over the True positions of `mask`, in order: the k-th True
    element takes `vals[k % len(vals)]`, with k counted by a cumulative sum of the mask."""
    if not lax.is_tracer(arr):
        raise errors.unsupported("Writing a traced value into a NumPy array through np.place")
    m = np.ravel(lax.cast(lax.lift(mask), np.bool_))
    if m.size != arr.size:
        raise ValueError("place: mask and data must be the same size")
    check_scalar_conversion(arr.dtype, vals, numpy_scalars=False)
    vals = np.ravel(lax.cast(lax.lift(vals), arr.dtype))
    if vals.size == 0:
        known = m.constant_value()
        if known is not None and not known.any():
            return
        raise errors.unsupported("np.place with empty vals and a mask that may select "
                                 "(NumPy raises only when it does)")
    picked = vals if vals.size == 1 else vals[(np.cumsum(m) - 1) % vals.size]
    arr[...] = np.reshape(np.where(m, picked, np.ravel(arr)), arr.shape)


@implements(np.ix_)
def ix_(*args):
    """Open-mesh index arrays; a traced boolean argument selects a data-dependent count."""
    out = []
    for k, new in enumerate(args):
        new = lax.lift(new) if lax.is_tracer(new) or lax.holds_tracer(new) else np.asarray(new)
        if new.ndim != 1:
            raise ValueError("Cross index must be 1 dimensional")
        if new.dtype == np.bool_:
            new = np.nonzero(new)[0]
        elif new.size == 0:
            new = new.astype(np.intp)
        out.append(np.reshape(new, (1,) * k + (new.size,) + (1,) * (len(args) - k - 1)))
    return tuple(out)


def _shape_str(shape) -> str:
    return f"({shape[0]},)" if len(shape) == 1 else "(" + ",".join(map(str, shape)) + ")"


def _along_axis_index(arr, indices, axis: int):
    """`indices` as a wrapped index array along `axis`, after NumPy's checks in its order:
    integer dtype and rank (`_make_along_axis_idx`), then the broadcast of the index with the
    other dims' aranges (an IndexError, as fancy indexing raises it)."""
    shape = np.shape(indices)
    dtype = indices.dtype if hasattr(indices, "dtype") else np.asarray(indices).dtype
    if not np.issubdtype(dtype, np.integer):
        raise IndexError("`indices` must be an integer array")
    if len(shape) != arr.ndim:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    parts = [shape if d == axis else (1,) * d + (n,) + (1,) * (arr.ndim - d - 1)
             for d, n in enumerate(arr.shape)]
    try:
        np.broadcast_shapes(*parts)
    except ValueError:
        raise IndexError("shape mismatch: indexing arrays could not be broadcast together with "
                         "shapes " + "".join(_shape_str(p) + " " for p in parts)) from None
    return _to_index_array(indices, arr.shape[axis], axis)


def _check_value_shape(vshape: tuple, target: tuple) -> None:
    """NumPy's error for values that do not broadcast to an index result (leading 1s of the
    values are dropped first, as assignment does)."""
    lead = len(vshape) - len(target)
    inner = vshape[lead:] if lead > 0 and all(d == 1 for d in vshape[:lead]) else vshape
    try:
        if len(inner) > len(target) or np.broadcast_shapes(inner, target) != target:
            raise ValueError
    except ValueError:
        raise ValueError(f"shape mismatch: value array of shape {_shape_str(vshape)} could not "
                         f"be broadcast to indexing result of shape {_shape_str(target)}") \
            from None


@implements(np.take_along_axis)
def take_along_axis(arr, indices, axis=-1):
    arr = lax.lift(arr)
    if axis is None:
        if np.ndim(indices) != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        arr, axis = np.ravel(arr), 0
    axis = normalize_axis(axis, arr.ndim, strict=True)
    return lax.gather(arr, _along_axis_index(arr, indices, axis), axis)


@implements(np.put_along_axis)
def put_along_axis(arr, indices, values, axis):
    if axis is None:  # NumPy writes through `np.array(arr.flat)`, a flat view of a C-order array
        if np.ndim(indices) != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        flat = np.ravel(arr).copy()
        put_along_axis(flat, indices, values, 0)
        arr[...] = lax.reshape(flat, arr.shape)
        return
    axis = normalize_axis(axis, arr.ndim, strict=True)
    idx = _along_axis_index(arr, indices, axis)
    target = np.broadcast_shapes(np.shape(idx), arr.shape[:axis] + (1,) + arr.shape[axis + 1:])
    _check_value_shape(np.shape(values), target)
    check_scalar_conversion(arr.dtype, values, numpy_scalars=False)
    arr._assign(lax.scatter(arr, idx, values, axis, "set"))


@implements(np.fill_diagonal)
def fill_diagonal(a, val, wrap=False):
    if a.ndim < 2:
        raise ValueError("array must be at least 2-d")
    if a.ndim > 2 and len(set(a.shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    n = min(a.shape)
    if wrap and a.ndim == 2 and a.shape[0] > a.shape[1]:  # NumPy restarts below the square
        flat = np.arange(0, a.size, a.shape[1] + 1)
        key = (flat // a.shape[1], flat % a.shape[1])
    else:
        key = (np.arange(n),) * a.ndim
    check_scalar_conversion(a.dtype, val, numpy_scalars=False)
    value = lax.lift(val)
    count = len(key[0])
    if value.ndim:  # NumPy repeats the values cyclically along the diagonal
        flat = np.ravel(value)
        reps = -(-count // flat.shape[0])
        value = np.concatenate([flat] * reps)[:count] if reps > 1 else flat[:count]
    setitem(a, key, value)
