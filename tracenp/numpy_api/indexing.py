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

import numpy as np

from .. import errors, lax
from ..ops import Op
from ..tracer import Tracer
from . import implements
from .masked import MaskedSelection, index_by_selections, select


def _is_int(k) -> bool:
    return isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_))


def _is_advanced(k) -> bool:
    if lax.is_tracer(k):
        return True
    if isinstance(k, (list, np.ndarray)) or (isinstance(k, (bool, np.bool_))):
        return True
    return False


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
        i = key.index(Ellipsis)
        key = key[:i] + fill + key[i + 1:]
    else:
        key = key + fill
    return key


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
            s = tuple(None if v is None else int(v) for v in (start, stop, step))
            slices.append(s)
            out_shape.append(len(range(*slice(*s).indices(n))) if n is not None else None)
        axis += 1
    y = lax.slice_of(x, slices)
    return lax.reshape(y, out_shape) if tuple(out_shape) != y.shape else y


def _basic_set(x, key, value):
    """A copy of `x` with `x[key] = value` for a basic key."""
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
    value = lax.broadcast_to(lax.cast(value, x.dtype), view_shape)
    slice_shape = tuple(len(range(*slice(*s).indices(n))) for s, n in zip(slices, x.shape))
    return lax.slice_set(x, lax.reshape(value, slice_shape), slices)


def apply_view(base, kind: str, arg):
    if kind == "index":
        return _basic(base, arg)
    if kind == "transpose":
        return lax.transpose(base, arg)
    if kind == "reshape":
        return lax.reshape(base, arg)
    if kind in ("real", "imag"):  # z.real, z.imag of a complex z
        return lax.bind(Op.REAL if kind == "real" else Op.IMAG, base)
    raise ValueError(kind)


def write_view(base, kind: str, arg, value):
    """The new base after the view `(kind, arg)` of it became `value`."""
    if kind == "index":
        return _basic_set(base, arg, value)
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
    raise ValueError(kind)


def make_view(base, kind: str, arg):
    """A new tracer for a view of `base`: writes through it reach the base."""
    return Tracer(apply_view(base, kind, arg).node)._as_view_of(base, kind, arg)


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


def _prepare_advanced(x, key):
    """Split a key: (x with None dims added, its basic key, x[basic key], advanced dims, indices)."""
    expanded = []
    for k in key:
        if isinstance(k, (bool, np.bool_)):
            raise errors.unsupported("Indexing with a Python bool")
        if isinstance(k, (np.ndarray, list)) and np.asarray(k).dtype == np.bool_:
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
        if k is None:
            new_shape.append(1)
            plain.append(slice(None))
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
    value = lax.broadcast_to(lax.cast(value, x.dtype), want)
    value = lax.reshape(value, want[:at] + (lin.shape[at],) + want[at + len(bshape):])
    new = lax.scatter(flat, lin, value, at, mode)
    new = lax.transpose(lax.reshape(new, [sub.shape[i] for i in perm]), np.argsort(perm))
    if any(k != slice(None) for k in basic_key):
        new = _basic_set(xe, basic_key, new)
    return lax.reshape(new, x.shape)


# ----------------------------------------------------------------------------- entry points


def lift_index_lists(key):
    """An index list holding traced integers (`x[[i, j]]`, `x[[k - 1, k, k + 1], :]`) is an
    index array of them; NumPy would convert the list itself."""
    if isinstance(key, list) and lax.holds_tracer(key):
        return lax.lift(key)
    if isinstance(key, tuple):
        return tuple(lax.lift(k) if isinstance(k, list) and lax.holds_tracer(k) else k
                     for k in key)
    return key


def getitem(x, key):
    key = lift_index_lists(key)
    if lax.is_tracer(key) and key.dtype == np.bool_ and key.constant_value() is None:
        return select(x, key)
    keys = key if isinstance(key, tuple) else (key,)
    if any(isinstance(k, MaskedSelection) for k in keys):
        return index_by_selections(x, keys)
    ekey = _expand_key(key, x.ndim)
    scalar = _all_integers(key)
    if any(_is_advanced(k) for k in ekey):
        res = _advanced_get(x, ekey)
    elif scalar and x.ndim == sum(1 for k in ekey if not isinstance(k, slice)):
        # NumPy's scalar is a copy: it keeps its value when x is written afterwards
        res = Tracer(apply_view(x, "index", tuple(ekey)).node)
    else:
        res = make_view(x, "index", tuple(ekey))
    return res.with_returns("scalar" if scalar else "array")


def _all_integers(key) -> bool:
    """NumPy returns a scalar, not a 0-d array, when every index is an integer."""
    keys = key if isinstance(key, tuple) else (key,)
    return all(_is_int(k) or (isinstance(k, np.ndarray) or lax.is_tracer(k)) and k.ndim == 0
               and k.dtype.kind in "iu" for k in keys)


def setitem(x, key, value):
    if isinstance(value, (list, tuple)) and lax.holds_tracer(value):
        value = lax.lift(value)  # out[i] = x, y, z with traced items
    ekey = _expand_key(lift_index_lists(key), x.ndim)
    if any(_is_advanced(k) for k in ekey):
        mask = [k for k in ekey if lax.is_tracer(k) and k.dtype == np.bool_
                and k.constant_value() is None]  # a mask known while tracing selects
        if mask:
            x._assign(_mask_set(x, ekey, mask[0], value))
        else:
            x._assign(_advanced_set(x, ekey, value))
        return
    x._assign(_basic_set(x, tuple(ekey), value))


def _mask_set(x, ekey, mask, value):
    """`x[mask] = value` for a traced mask: a `where`, when the value broadcasts."""
    if len([k for k in ekey if not (isinstance(k, slice) and k == slice(None))]) != 1 or \
            ekey[0] is not mask:
        raise errors.unsupported("Assignment through a traced boolean mask combined with "
                                 "other indices")
    same = isinstance(value, MaskedSelection) and value.mask.node is mask.node
    value = lax.lift(value.values if same else value)  # x[mask] op= v: read and written back
    if value.ndim > 0 and value.shape != x.shape[mask.ndim:] and not same:
        raise errors.unsupported(
            "x[mask] = values with one value per selected element (a data-dependent count); "
            "use x = np.where(mask, values, x) with values of x's shape")
    m = lax.reshape(mask, mask.shape + (1,) * (x.ndim - mask.ndim))
    return lax.where(m, lax.cast(value, x.dtype), x)


def scatter_update(x, key, value, mode):
    """`np.add.at(x, key, value)`: an unbuffered update, repeated indices accumulate."""
    ekey = [np.asarray(k) if _is_int(k) or isinstance(k, list) else k
            for k in _expand_key(lift_index_lists(key), x.ndim)]
    if not any(_is_advanced(k) for k in ekey):
        raise errors.unsupported("np.ufunc.at with only slices")
    x._assign(_advanced_set(x, ekey, value, mode=mode))


@implements(np.take)
def take(a, indices, axis=None, out=None, mode="raise"):
    a = lax.lift(a)
    if axis is None:
        a, axis = np.ravel(a), 0
    axis = axis % a.ndim
    indices = lift_index_lists(indices)
    indices = _index_mode(indices if lax.is_tracer(indices) else np.asarray(indices),
                          a.shape[axis], mode)
    key = [slice(None)] * axis + [indices]
    return write_out(getitem(a, tuple(key)), out)


def write_out(res, out):
    """`res` written into an `out=` argument and `out` returned, as NumPy's functions do."""
    if out is None:
        return res
    if not lax.is_tracer(out):
        raise errors.unsupported("Writing a traced result into a NumPy array through out=")
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
    flat = np.ravel(a).copy()
    flat[ind] = np.resize(np.ravel(lax.cast(lax.lift(v), a.dtype)), ind.shape)
    a[...] = np.reshape(flat, a.shape)


@implements(np.take_along_axis)
def take_along_axis(arr, indices, axis=-1):
    arr = lax.lift(arr)
    if axis is None:
        arr, axis = np.ravel(arr), 0
    axis = axis % arr.ndim
    n = arr.shape[axis]
    idx = _to_index_array(indices, n, axis)
    return lax.gather(arr, idx, axis)


@implements(np.put_along_axis)
def put_along_axis(arr, indices, values, axis):
    axis = axis % arr.ndim
    idx = _to_index_array(indices, arr.shape[axis], axis)
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
    value = lax.lift(val)
    count = len(key[0])
    if value.ndim:  # NumPy repeats the values cyclically along the diagonal
        flat = np.ravel(value)
        reps = -(-count // flat.shape[0])
        value = np.concatenate([flat] * reps)[:count] if reps > 1 else flat[:count]
    setitem(a, key, value)
