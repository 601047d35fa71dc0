"""Array creation inside a traced function.

`zeros_like(x)` and friends dispatch through `__array_function__`. Routines
that take no array (`np.zeros(n)`, `np.arange`, `np.eye`, `np.array([...])`)
never reach a tracer, so while tracing `tracenp.trace.tracing` swaps them in
`numpy`'s namespace for the versions in `PATCHED`, which return constant
tracers; that keeps `out = np.zeros(n); out[i] = x[i]` traceable as written.
"""

from __future__ import annotations

import functools
import math
import operator
import sys
import weakref

import numpy as np

from .. import lax
from . import implements, scalar_types

_np_zeros, _np_ones, _np_empty, _np_full = np.zeros, np.ones, np.empty, np.full
_np_arange, _np_linspace, _np_logspace, _np_eye = np.arange, np.linspace, np.logspace, np.eye
_np_identity, _np_tri, _np_array, _np_asarray = np.identity, np.tri, np.array, np.asarray
_np_asanyarray, _np_ascontiguousarray = np.asanyarray, np.ascontiguousarray
_np_geomspace, _np_asfortranarray, _np_isscalar = np.geomspace, np.asfortranarray, np.isscalar
_np_indices, _np_ndenumerate, _np_nditer = np.indices, np.ndenumerate, np.nditer
_np_triu_indices, _np_tril_indices = np.triu_indices, np.tril_indices
_np_diag_indices = np.diag_indices
_np_fromiter, _np_frombuffer = np.fromiter, np.frombuffer
_np_repeat, _np_tile, _np_require = np.repeat, np.tile, np.require
_np_kaiser, _np_r_ = np.kaiser, np.r_
_np_broadcast, _np_broadcast_to = np.broadcast, np.broadcast_to
_np_zeros_like, _np_ones_like = np.zeros_like, np.ones_like
_np_empty_like, _np_full_like = np.empty_like, np.full_like
_np_vectorize = np.vectorize


def _const(value):
    value = value if isinstance(value, np.ndarray) else _np_asarray(value)
    if value.dtype.names is not None:  # `np.zeros(n, dtype=[("x", "f8"), ...])`: by field
        from .records import TracedRecords

        return TracedRecords.of(value)
    return lax.lift(value)


def _default_dtype(dtype):
    return lax.as_dtype(float if dtype is None else dtype)


def _object_array(arr: np.ndarray) -> np.ndarray:
    """An object array made in the function is NumPy's own: a container whose items may be
    traced values (scikit-learn's `bin_edges = np.zeros(n, dtype=object)`, then `bin_edges[j]
    = np.linspace(lo, hi, k)`). Kept past the call or returned while it holds one, it is
    refused where it was made, when the trace ends."""
    from .. import errors
    from ..trace import current_trace

    state, ref = current_trace(), weakref.ref(arr)

    def holding_tracers():
        a = ref()
        return a if a is not None and any(lax.is_tracer(v) for v in a.flat) else None

    if state is not None:
        state.selections.append((holding_tracers, errors.unsupported(
            "An object array (dtype=object) holding traced values, returned or kept past the "
            "call")))
    return arr


def zeros(shape, dtype=float, order="C", **kw):
    if lax.as_dtype(dtype) == object:
        return _object_array(_np_zeros(_shape(shape), object))
    if lax.as_dtype(dtype).names is not None:  # records, by field (`records`)
        return _const(_np_zeros(_shape(shape), dtype))
    return _array(lax.broadcast_to(_const(_np_zeros((), lax.as_dtype(dtype))), _shape(shape)))


def empty(shape, dtype=float, order="C", **kw):
    if lax.as_dtype(dtype) == object:
        return _object_array(_np_empty(_shape(shape), object))
    return zeros(shape, dtype)


def ones(shape, dtype=None, order="C", **kw):
    if _default_dtype(dtype) == object:
        return _object_array(_np_ones(_shape(shape), object))
    if _default_dtype(dtype).names is not None:
        return _const(_np_ones(_shape(shape), dtype))
    return _array(lax.broadcast_to(_const(_np_ones((), _default_dtype(dtype))), _shape(shape)))


def full(shape, fill_value, dtype=None, order="C", **kw):
    if dtype is not None and lax.as_dtype(dtype) == object:
        return _object_array(_np_full(_shape(shape), fill_value, object))
    if lax.is_tracer(fill_value):
        fv = fill_value if dtype is None else lax.cast(fill_value, dtype)
        if fv.weak:
            fv = lax.cast(fv, fv.dtype)
        return _array(lax.broadcast_to(fv, _shape(shape)))
    dtype = None if dtype is None else lax.as_dtype(dtype)
    return _array(lax.broadcast_to(_const(_np_full((), fill_value, dtype)), _shape(shape)))


def _array(res):
    """Creation gives an ndarray, also 0-d (`np.zeros(())`): returned as one, updated in place."""
    return res.with_returns("array")


def _shape(shape):
    """A shape as ints; a traced size (`np.zeros(n)` of an argument `n`) raises
    ConcretizationError from `int()`, naming static_argnames, not a bare TypeError."""
    if isinstance(shape, (int, np.integer)) or (lax.is_tracer(shape) and shape.ndim == 0):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def _wrap(np_fn):
    """A creation routine with concrete arguments: NumPy builds it, the graph holds a constant."""

    def make(*args, **kwargs):
        if _has_tracer(list(args) + list(kwargs.values())):
            known = _known(args), {k: _known(v) for k, v in kwargs.items()}
            if _has_tracer(list(known[0]) + list(known[1].values())):
                from .. import errors
                from . import dispatch_function  # traced endpoints: np.linspace(x.min(), ...)

                try:
                    return dispatch_function(np_fn, args, kwargs)
                except errors.UnsupportedFunctionError as e:  # np.eye(n) of an int argument
                    if getattr(e, "nodes", None) is None:  # unless it names its own
                        errors.steered_by(e, known)
                    raise
            args, kwargs = known  # values computed from constants only are known now
        res = np_fn(*args, **kwargs)
        if not isinstance(res, (tuple, np.ndarray, np.generic)):
            return res  # an array-like's own result (`np.ones_like` of a selection)
        return tuple(_const(r) for r in res) if isinstance(res, tuple) else _const(res)

    make.__name__ = np_fn.__name__
    make.__doc__ = f"`np.{np_fn.__name__}` as a graph constant while tracing."
    return make


def _fixed_length_arange(args: tuple, kwargs: dict):
    """`np.arange(2 * e, 2 * e + 2)` of a traced `e` (a beam element's degrees of freedom):
    bounds a known distance apart, so a known length, as `x[i:i + k]`'s slice; None for any
    other form (and for bounds made of Python scalar arguments, which jit makes static)."""
    from .. import ir
    from .indexing import _offset

    if len(args) + len(kwargs) < 2 or len(args) > 4:
        return None
    bound = dict(zip(("start", "stop", "step", "dtype"), args), **kwargs)
    start, stop, step = bound.get("start", 0), bound.get("stop"), bound.get("step", 1)
    if type(step) is not int or step == 0 or any(
            not (type(v) is int or lax.is_tracer(v) and v.dtype.kind in "iu" and not v.ndim)
            for v in (start, stop)):
        return None
    (b0, o0), (b1, o1) = _offset(start), _offset(stop)
    if b0 is None or b0 is not b1 or ir.of_python_scalars(b0):
        return None
    n = max(0, -(-(o1 - o0) // step))
    like = [v if type(v) is int else np.zeros((), v.dtype) for v in (start, stop)]
    dtype = bound.get("dtype") or _np_arange(*like, step).dtype
    return lax.cast(lax.lift(start) + _const(_np_arange(0, n * step, step)), dtype)


def _arange(*args, **kwargs):
    """`np.arange` of bounds known while tracing; traced ones make its length data-dependent,
    unless they are a known distance apart (`_fixed_length_arange`)."""
    bounds = list(_known(args)) + [_known(v) for v in kwargs.values()]
    if _has_tracer(bounds):
        from .. import errors

        fixed = _fixed_length_arange(args, kwargs)
        if fixed is not None:
            return fixed

        lax.steer([*args, *kwargs.values()], "np.arange's bounds")
        raise errors.data_dependent(
            "np.arange with traced bounds", "np.linspace(start, stop, num) with a fixed num, "
            "or bounds passed as static arguments (static_argnames=)")
    return _wrap(_np_arange)(*args, **kwargs)


def _known(obj):
    """`obj` with each tracer whose value is known while tracing replaced by that value."""
    if lax.is_tracer(obj):
        value = obj.constant_value()
        return obj if value is None else value[()] if value.ndim == 0 else value
    if isinstance(obj, (list, tuple)):
        return type(obj)(_known(o) for o in obj)
    return obj


def _has_tracer(obj) -> bool:
    if lax.is_tracer(obj):
        return True
    if isinstance(obj, (list, tuple)):
        return any(_has_tracer(o) for o in obj)
    return False


def _stack_nested(obj, dtype):
    if lax.is_tracer(obj):
        return obj
    if isinstance(obj, (list, tuple)) and _has_tracer(obj):
        return np.stack([_stack_nested(o, dtype) for o in obj])
    return _np_asarray(obj, dtype=dtype)


def array(obj, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, like=None):
    """`np.array` that accepts tracers, and lists holding tracers, while tracing. A new
    numeric array of constants is a constant tracer, as `np.zeros` is, so that writing traced
    values into it (`w = np.array([.2, .8]); w[i] += x`) traces."""
    if isinstance(copy, np._CopyMode):  # the array API's spelling (scipy passes it)
        copy = {np._CopyMode.ALWAYS: True, np._CopyMode.NEVER: False}.get(copy)
    selection = _as_selection(obj, dtype, ndmin)
    if selection is not None:  # `np.array(precision)` of a selection: a copy of it
        return selection if dtype is not None else selection.copy()
    if dtype is not None and np.dtype(dtype) == object and _has_tracer(obj):
        from .. import errors

        raise errors.unsupported("np.array(..., dtype=object) of traced values (object arrays)")
    obj = _flattening(obj)
    if not _has_tracer(obj):
        res = _np_array(obj, dtype=dtype, copy=copy, order=order, subok=subok, ndmin=ndmin)
        fresh = res is not obj and res.dtype.kind in "biufc" and type(res) is np.ndarray
        if res is not obj and res.dtype == object:
            return _object_array(res)
        return _array(_const(res)) if fresh else res
    if copy is False and _needs_copy(obj, dtype):
        raise ValueError(_NO_COPY)
    res = _stack_nested(obj, dtype)
    if not lax.is_tracer(res):
        res = lax.lift(res)
    if dtype is not None:
        res = lax.cast(res, dtype)
    elif res.weak:
        res = lax.cast(res, res.dtype)
    if ndmin > res.ndim:
        res = lax.reshape(res, (1,) * (ndmin - res.ndim) + res.shape)
    if copy and lax.is_tracer(obj):
        from ..tracer import Tracer

        res = Tracer(res.node)
    return _array(res)


def fromiter(iterable, dtype, count=-1, *, like=None):
    """`np.fromiter` of an iterable that yields traced scalars (`np.fromiter((f(v) for v in
    x), float)`): the items stacked, as `np.array` stacks a list of them."""
    items = list(iterable)
    if not _has_tracer(items):
        return array(_np_fromiter(iter(items), dtype, count))
    if count >= 0:
        if count > len(items):
            raise ValueError(f"iterator too short: Expected {count} but iterator had only "
                             f"{len(items)} items.")
        items = items[:count]
    if any(np.ndim(v) for v in items):
        raise ValueError("setting an array element with a sequence.")
    return array(items, dtype=dtype)


def frombuffer(buffer, dtype=float, count=-1, offset=0, *, like=None):
    """NumPy's, but a traced array (which has no bytes) is refused by name: Python's buffer
    protocol would raise a TypeError that `fallback=True` does not catch."""
    if lax.is_tracer(buffer):
        from .. import errors

        raise errors.unsupported("np.frombuffer of a traced array (it reads the array's memory)")
    return _np_frombuffer(buffer, dtype=dtype, count=count, offset=offset)


_NO_COPY = ("Unable to avoid copy while creating an array as requested.\nIf using "
            "`np.array(obj, copy=False)` replace it with `np.asarray(obj)` to allow a copy when "
            "needed (no behavior change in NumPy 1.x).\nFor more details, see https://numpy.org/"
            "devdocs/numpy_2_0_migration_guide.html#adapting-to-changes-in-the-copy-keyword.")


def _needs_copy(obj, dtype) -> bool:
    """Whether NumPy makes a new array of traced `obj` (NumPy 2 raises for `copy=False`): a
    list of values, a scalar (not a 0-d array), or another dtype."""
    if not lax.is_tracer(obj):
        return True
    if obj.weak or obj.ndim == 0 and obj.returns != "array":
        return True
    return dtype is not None and np.dtype(dtype) != obj.dtype


def _flattening(obj):
    """`x.flat` of a traced `x` as NumPy's `np.array` takes it: `x`'s flattening."""
    from ..tracer import FlatIter

    return obj.copy() if isinstance(obj, FlatIter) else obj


def _as_selection(obj, dtype, ndmin: int):
    """A selection `x[m]` by a traced mask given to `np.array`/`np.asarray` (cast to
    `dtype`), else None."""
    from .masked import MaskedSelection

    if not isinstance(obj, MaskedSelection) or ndmin > obj.ndim:
        return None
    return obj if dtype is None or np.dtype(dtype) == obj.dtype else obj.astype(dtype)


def asarray(a, dtype=None, order=None, *, device=None, copy=None, like=None):
    """`np.asarray` of a traced value is that value (cast to `dtype`): no concrete copy is made."""
    selection = _as_selection(a, dtype, 0)
    if selection is not None:  # a selection `x[m]` is an array already
        return selection
    a = _flattening(a)
    if not _has_tracer(a):
        return _np_asarray(a, dtype=dtype, order=order)
    if order in ("C", "F") and not copy:  # a copy where NumPy's layout needs one
        return (ascontiguousarray if order == "C" else asfortranarray)(a, dtype)
    return array(a, dtype=dtype, copy=copy)


@implements(np.asarray_chkfinite)
def asarray_chkfinite(a, dtype=None, order=None):
    """`np.asarray` whose NaN or inf raises NumPy's ValueError when the function runs (a
    check step), as scikit-learn-style input validation expects."""
    a = asarray(a, dtype=dtype)
    if a.dtype.char in np.typecodes["AllFloat"]:
        lax.check(~np.isfinite(a).all(), "ValueError", "array must not contain infs or NaNs")
    return a


def asanyarray(a, dtype=None, order=None, **kw):
    return asarray(a, dtype=dtype, order=order)


def ascontiguousarray(a, dtype=None, **kw):
    """The value itself, as NumPy's of a C-contiguous array; a copy of a view NumPy does not
    keep C-contiguous (`np.ascontiguousarray(x.T)`), so that later writes to `x` miss it."""
    from .indexing import c_contiguous

    res = asarray(a, dtype=dtype)
    return res.copy() if lax.is_tracer(res) and not c_contiguous(res) else res


def asfortranarray(a, dtype=None, **kw):
    """NumPy copies a C-contiguous array of 2 or more dims into Fortran order, so writes to
    `a` afterwards miss the result; a 1-d array or a transpose is returned as it is."""
    res = asarray(a, dtype=dtype)
    view = getattr(res, "_view", None)
    if lax.is_tracer(res) and res.ndim >= 2 and not (view is not None and view[2] == "transpose"):
        return res.copy()
    return res


_REQUIRE_FLAGS = {"C": "C", "C_CONTIGUOUS": "C", "CONTIGUOUS": "C", "F": "F",
                  "F_CONTIGUOUS": "F", "FORTRAN": "F", "A": "A", "ALIGNED": "A", "W": "W",
                  "WRITEABLE": "W", "O": "O", "OWNDATA": "O", "E": "E", "ENSUREARRAY": "E"}


def require(a, dtype=None, requirements=None, *, like=None):
    """`np.require` of a traced value: the value (cast to `dtype`), copied where NumPy copies
    it (`"F"` as `np.asfortranarray`, `"C"` as `np.ascontiguousarray`, `"O"` of a view made in
    the function, `"W"` of a read-only view). NumPy would convert it to an array itself."""
    if not _has_tracer(a):
        return _np_require(a, dtype, requirements)
    if not requirements:
        return asanyarray(a, dtype=dtype)
    flags = {_REQUIRE_FLAGS[r.upper()] for r in requirements}
    if {"C", "F"} <= flags:
        raise ValueError('Cannot specify both "C" and "F" order')
    res = asfortranarray(a, dtype) if "F" in flags else \
        ascontiguousarray(a, dtype) if "C" in flags else asarray(a, dtype=dtype)
    if "O" in flags and res._view is not None or "W" in flags and res._read_only is not None:
        return res.copy()
    return res


def isscalar(element) -> bool:
    """`np.isscalar` that knows a traced Python or NumPy scalar from a 0-d array, so that
    `if np.isscalar(x): x = np.array([x])` takes NumPy's branch for a scalar argument."""
    if lax.is_tracer(element):
        return element.ndim == 0 and (element.weak or element.returns != "array")
    return _np_isscalar(element)


_EXAMPLES = ("tracenp.bench", "tracenp.demo")  # tracenp's modules of workloads users write


def from_library(caller: str) -> bool:
    """Whether code in module `caller` is NumPy's or tracenp's own, which gets NumPy's
    functions while a trace is on. tracenp's example workloads are users' code, and so is
    `np.polynomial`: Python written on NumPy's functions as users write it, which then
    traces (`chebval(x, c)` of traced coefficients; `np.empty` filled in `polyvander`).
    `scipy.sparse` counts as a library: its constructors fill NumPy arrays in Cython, which
    a traced array would silently miss (`diags(...)` made in the function stays a constant)."""
    return (caller.split(".")[0] in ("numpy", "tracenp") and caller not in _EXAMPLES and
            not caller.startswith("numpy.polynomial.")) or caller.startswith("scipy.sparse.")


_CURRENT_TRACE: list = []  # `tracenp.trace.current_trace`, once that module is loaded


def tracing_thread() -> bool:
    """Whether the calling thread is tracing: a trace patches NumPy's namespaces for every
    thread, and NumPy calls made meanwhile by another thread must stay NumPy's."""
    if not _CURRENT_TRACE:
        from ..trace import current_trace

        _CURRENT_TRACE.append(current_trace)
    return _CURRENT_TRACE[0]() is not None


def for_user_code(traced, original):
    """Use `traced` when called from user code in the tracing thread, `original` from other
    threads and from NumPy's or tracenp's own code."""

    def dispatch(*args, **kwargs):
        if not tracing_thread() or from_library(sys._getframe(1).f_globals.get("__name__", "")):
            return original(*args, **kwargs)
        return traced(*args, **kwargs)

    dispatch.__name__ = original.__name__
    dispatch.__doc__ = original.__doc__
    return dispatch


class _FftNamespace:
    """`np.fft` while tracing: the frequency grids are constants of the graph, so that
    `freqs[np.argmax(power)]` indexes them with a traced index; the rest is NumPy's."""

    def __init__(self, module):
        self._module = module
        self._grids = {name: for_user_code(_wrap(getattr(module, name)), getattr(module, name))
                       for name in ("fftfreq", "rfftfreq")}

    def __getattr__(self, name: str):
        grid = self._grids.get(name)
        return grid if grid is not None else getattr(self._module, name)


class _Grid:
    """`np.mgrid` / `np.ogrid` while tracing: NumPy's grids as constants, as `np.indices`
    is, so that traced masks and indices select from them (`yy[m].mean()` of `yy, xx =
    np.mgrid[0:h, 0:w]`). Bounds must be known: a traced one steers the arguments it
    comes from static, as `range(n)` does."""

    def __init__(self, original):
        self._original = original

    def __getitem__(self, key):
        if not tracing_thread() or from_library(sys._getframe(1).f_globals.get("__name__", "")):
            return self._original[key]
        res = self._original[_known_bounds(key)]
        return _const(res) if isinstance(res, np.ndarray) else tuple(_const(r) for r in res)


def _known_bounds(key):
    """`key` with each traced slice bound its value (`lax.known` steers its sources static):
    NumPy tells a count (`N * 1j`) from a step by `isinstance(step, complex)`."""
    def known(v):
        return lax.known(v, "bound of np.mgrid or np.ogrid") if lax.is_tracer(v) else v

    def bounds(k):
        return slice(known(k.start), known(k.stop), known(k.step)) if isinstance(k, slice) else k

    return tuple(map(bounds, key)) if isinstance(key, tuple) else bounds(key)


class _Concatenator:
    """`np.r_` / `np.c_` while tracing: items holding tracers are joined in the graph by NumPy's
    own rules (`AxisConcatenator`): a leading `"axis,ndmin,trans1d"` directive, slices as
    ranges, Python scalars weak in the result dtype, items raised to `ndmin` dimensions with
    their axes moved to `trans1d`; anything else is NumPy's own."""

    def __init__(self, original):
        self._original = original

    def __getitem__(self, key):
        from .masked import MaskedSelection, joined

        items = key if isinstance(key, tuple) else (key,)
        if self._original.axis == 0 and any(isinstance(k, MaskedSelection) for k in items) and \
                not any(isinstance(k, str) for k in items):  # np.r_[np.nonzero(m)[0], n]
            return joined([self._original[k] if isinstance(k, slice) else k for k in items])
        bounds = [b for k in items if isinstance(k, slice) for b in (k.start, k.stop, k.step)]
        if not _has_tracer([*items, *bounds]):
            return self._original[key]
        axis, ndmin, trans1d = self._original.axis, self._original.ndmin, self._original.trans1d
        objs, types = [], []
        for k, item in enumerate(items):
            if isinstance(item, str):
                if k != 0:
                    raise ValueError("special directives must be the first entry.")
                axis, ndmin, trans1d = _directive(item, axis, ndmin, trans1d)
                continue
            if isinstance(item, slice):
                span = _fixed_length_arange((0 if item.start is None else item.start,
                                             item.stop, 1 if item.step is None else item.step),
                                            {}) if _has_tracer([item.start, item.stop]) else None
                obj = _raised(_const(_np_r_[item]) if span is None else span, ndmin, trans1d, 1)
                types.append(obj.dtype)
            elif type(item) in np.ScalarType or lax.is_tracer(item) and item.weak:
                obj = item
                types.append(weak_or_dtype(item))
            else:
                obj = lax.lift(item)
                obj = _raised(obj, ndmin, trans1d, obj.ndim)
                types.append(obj.dtype)
            objs.append(obj)
        dtype = np.result_type(*types)  # Python scalars are weak, lists arrays
        objs = [_raised(_const(_np_array(o, dtype)) if not lax.is_tracer(o) else
                        lax.cast(o, dtype), ndmin, -1, 0)  # NumPy's OverflowError for 1000
                for o in objs]
        return np.concatenate(objs, axis=axis)


def _directive(item: str, axis: int, ndmin: int, trans1d: int) -> tuple[int, int, int]:
    """NumPy's reading of an `np.r_` string directive (`"0,2"`, `"-1"`, `"1,2,0"`); the matrix
    directives `"r"` and `"c"` make an `np.matrix`, which tracenp does not trace."""
    if item in ("r", "c"):
        from .. import errors

        raise errors.unsupported("np.r_/np.c_ with the matrix directive 'r' or 'c' and traced "
                                 "items")
    if "," in item:
        vec = item.split(",")
        try:
            axis, ndmin = [int(v) for v in vec[:2]]
            if len(vec) == 3:
                trans1d = int(vec[2])
        except Exception as e:
            raise ValueError(f"unknown special directive {item!r}") from e
        return axis, ndmin, trans1d
    try:
        return int(item), ndmin, trans1d
    except (ValueError, TypeError) as e:
        raise ValueError("unknown special directive") from e


def _raised(obj, ndmin: int, trans1d: int, item_ndim: int):
    """`np.array(obj, ndmin=ndmin)` with the item's own axes moved to `trans1d`, as
    `np.r_` does for an item of `item_ndim` dimensions."""
    if obj.ndim >= ndmin:
        return obj
    obj = lax.reshape(obj, (1,) * (ndmin - obj.ndim) + obj.shape)
    if trans1d != -1 and item_ndim < ndmin:
        k2, k1 = ndmin - item_ndim, trans1d
        if k1 < 0:
            k1 += k2 + 1
        axes = list(range(ndmin))
        obj = lax.transpose(obj, axes[:k1] + axes[k2:] + axes[k1:k2])
    return obj


_PER_ELEMENT_MAX = 4096  # elements np.vectorize calls a non-elementwise function on


class _Vectorize(np.vectorize):
    """`np.vectorize(f)` while tracing: with traced arguments `f` is applied to the whole
    arrays, which gives NumPy's elements when `f` is built from arithmetic and ufuncs (Python
    branching on an element raises `ConcretizationError`, as anywhere in a traced function).
    With `signature=`, `f` is called on each core slice, as NumPy does (the loop shape is
    known while tracing), and `excluded=` arguments are passed as they are. A function that
    none of those traces (`a * 2 if a > 0 else -a` branches on an element) runs as NumPy's
    own vectorize on the host when the compiled function runs (`_on_host`)."""

    def __call__(self, *args, **kwargs):
        if not _has_tracer(list(args) + list(kwargs.values())):
            return super().__call__(*args, **kwargs)
        from ..errors import TracingError
        from ..trace import current_trace

        state = current_trace()
        n_checks, n_refused = len(state.checks), len(state.refused)
        try:
            return self._traced(args, kwargs)
        except TracingError as e:
            if self.otypes is None or self.signature is not None or _holds_tracer(self.pyfunc):
                if hasattr(e, "add_note") and self.otypes is None:
                    e.add_note("np.vectorize with otypes= runs a function that branches on "
                               "an element's value as NumPy's own loop when the compiled "
                               "function runs")
                raise
            del state.checks[n_checks:], state.refused[n_refused:]
            return self._on_host(args, kwargs)

    def _on_host(self, args, kwargs):
        """NumPy's vectorize of the same function and options, called by the compiled
        function on its arguments' values: NumPy's per-element Python loop. Its results'
        types are known without calling the function (`otypes`, the arguments' broadcast
        shape): a call on stand-in values could take any path through user code, an endless
        loop among them."""
        from ..host_ops import Outcome
        from .scipy_host import host

        numpy_own = _np_vectorize(self.pyfunc, otypes=self.otypes, excluded=self.excluded,
                                  cache=self.cache)
        vargs = [a for i, a in enumerate(args) if i not in self.excluded]
        vargs += [v for k, v in kwargs.items() if k not in self.excluded]
        shape = np.broadcast_shapes(*(np.shape(a) for a in vargs))
        items = tuple((np.dtype(t), shape, "array") for t in self.otypes)
        outcome = Outcome.of_tuple(items)
        name = f"np.vectorize({getattr(self.pyfunc, '__name__', 'f')})"
        return host(numpy_own, name, args, kwargs, steer=False, outcome=outcome)

    def _traced(self, args, kwargs):
        func, vargs = self._with_excluded(args, kwargs)
        func = next((f for m, f in _ELEMENT_MATH  # of `math.erf`, or of its traced route
                     if m is func or getattr(func, "__wrapped__", None) is m), func)
        if self.signature is not None:
            return self._call_with_signature(func, vargs)
        lifted = [lax.lift(a) for a in vargs]
        shape = np.broadcast_shapes(*(a.shape for a in lifted))
        first = None  # NumPy's output types: of a call on the first elements, NumPy scalars
        if not self.otypes and any(_python_number(a.dtype) != a.dtype for a in lifted) and \
                math.prod(shape):
            first = func(*(a[(0,) * a.ndim] for a in lifted))  # (NumPy's call too)
        arrays = [lax.broadcast_to(lax.cast(a, _python_number(a.dtype)), shape) for a in lifted]
        res = self._whole(func, arrays, shape)
        if res is None:  # `f` is no elementwise function: one call per element, as NumPy's
            res = self._per_element(func, arrays, shape)
        outs = res if isinstance(res, tuple) else (res,)
        types = self.otypes or ([lax.lift(f).dtype for f in first]
                                if isinstance(first, tuple) else [lax.lift(first).dtype]
                                if first is not None else [None] * len(outs))
        outs = tuple(_element_array(o, t, shape) for o, t in zip(outs, types))
        return outs if isinstance(res, tuple) else outs[0]  # arrays, 0-d too, as NumPy's

    @staticmethod
    def _whole(func, arrays: list, shape: tuple):
        """`func` applied to the whole arrays, where that is what NumPy's loop computes: every
        op between them and the results works element by element, with other operands 0-d
        (`np.mean(obs <= a)` of a closure's `obs` is not); else None, and what the attempt
        added to the trace (its checks) is dropped."""
        from ..ir import toposort
        from ..ops import OPS
        from ..trace import current_trace
        from ..tracer import ELEMENTWISE

        state = current_trace()
        n_checks, n_refused = len(state.checks), len(state.refused)
        token = ELEMENTWISE.set(True)
        try:
            res = func(*arrays)
        except (ValueError, TypeError, IndexError):  # `obs <= a`: shapes that do not meet
            res = None
        finally:
            ELEMENTWISE.reset(token)
        outs = [] if res is None else list(res) if isinstance(res, tuple) else [res]
        nodes = [o.node for o in outs if lax.is_tracer(o)]
        depends = {id(a.node) for a in arrays}
        for n in toposort(nodes):
            if id(n) in depends or not any(id(s) in depends for s in n.srcs):
                continue
            if OPS[n.op].kind != "elementwise" or n.shape != shape or any(
                    s.ndim for s in n.srcs if id(s) not in depends):
                res = None
                break
            depends.add(id(n))
        if res is None or any(lax.is_tracer(o) and o.shape not in ((), shape) for o in outs):
            del state.checks[n_checks:], state.refused[n_refused:]
            return None
        return res

    @staticmethod
    def _per_element(func, arrays: list, shape: tuple):
        """`func` called on each element (a 0-d value), the results stacked, as NumPy's loop
        does; up to `_PER_ELEMENT_MAX` elements."""
        from .. import errors

        size = int(np.prod(shape, dtype=np.int64))
        if size > _PER_ELEMENT_MAX:
            raise errors.unsupported(f"np.vectorize of a function that is not elementwise "
                                     f"(it reduces or indexes) over {size} elements, more "
                                     f"than {_PER_ELEMENT_MAX}")
        if size == 0:
            raise errors.unsupported("np.vectorize of a function that is not elementwise over "
                                     "an empty array (its output type needs a call)")
        results = [func(*(a[index] for a in arrays)) for index in np.ndindex(shape)]
        tupled = isinstance(results[0], tuple)
        rows = [r if tupled else (r,) for r in results]
        if any(np.ndim(x) for r in rows for x in r):
            raise ValueError("setting an array element with a sequence.")
        outs = tuple(lax.reshape(np.stack([lax.lift(r[k]) for r in rows]), shape)
                     for k in range(len(rows[0])))
        return outs if tupled else outs[0]

    def _with_excluded(self, args, kwargs):
        """NumPy's: the excluded arguments fixed, the others (keywords too) vectorized."""
        if not kwargs and not self.excluded:
            return self.pyfunc, list(args)
        names = [n for n in kwargs if n not in self.excluded]
        inds = [i for i in range(len(args)) if i not in self.excluded]
        the_args = list(args)

        def func(*vargs):
            for n, i in enumerate(inds):
                the_args[i] = vargs[n]
            return self.pyfunc(*the_args, **{**kwargs, **dict(zip(names, vargs[len(inds):]))})

        return func, [args[i] for i in inds] + [kwargs[n] for n in names]

    def _call_with_signature(self, func, vargs):
        from numpy.lib._function_base_impl import _parse_gufunc_signature

        in_core, out_core = _parse_gufunc_signature(self.signature.replace(" ", ""))
        if len(vargs) != len(in_core):
            raise TypeError(f"wrong number of positional arguments: expected {len(in_core)}, "
                            f"got {len(vargs)}")
        lifted = [lax.lift(a) for a in vargs]
        for a, core in zip(lifted, in_core):
            if a.ndim < len(core):
                raise ValueError(f"input with core dimensions {core} has {a.ndim} dims")
        loop = np.broadcast_shapes(*(a.shape[:a.ndim - len(c)] for a, c in zip(lifted, in_core)))
        arrays = [lax.broadcast_to(a, loop + a.shape[a.ndim - len(c):])
                  for a, c in zip(lifted, in_core)]
        results = []
        for index in np.ndindex(loop):
            res = func(*(a[index] for a in arrays))
            results.append(res if isinstance(res, tuple) else (res,))
        if not results:
            from .. import errors

            raise errors.unsupported("np.vectorize with signature= over an empty loop")
        types = self.otypes or [None] * len(out_core)
        outs = []
        for k, otype in enumerate(types):
            parts = [lax.lift(r[k]) for r in results]
            dtype = np.dtype(otype) if otype is not None else parts[0].dtype
            stacked = np.stack([lax.cast(p, dtype) for p in parts])
            outs.append(lax.reshape(stacked, loop + stacked.shape[1:]).with_returns("array"))
        return tuple(outs) if len(out_core) > 1 else outs[0]


def _holds_tracer(fn) -> bool:
    """Whether `fn` (or the function a bound method or partial wraps) keeps a traced value
    in its closure, defaults or bound arguments."""
    if isinstance(fn, functools.partial):
        return (_has_tracer(list(fn.args) + list(fn.keywords.values()))
                or _holds_tracer(fn.func))
    fn = getattr(fn, "__func__", fn)
    values = list(getattr(fn, "__defaults__", None) or ())
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            values.append(cell.cell_contents)
        except ValueError:  # a cell not yet bound
            pass
    values += list((getattr(fn, "__kwdefaults__", None) or {}).values())
    return any(_has_tracer(v) or isinstance(v, dict) and _has_tracer(list(v.values()))
               for v in values)


def traced_vectorize(v):
    """`np.vectorize` made before tracing (a module-level `N = np.vectorize(math.erf)`) as the
    traced one, with the same function and options; None for anything else."""
    if type(v) is not _np_vectorize:
        return None
    return _Vectorize(v.pyfunc, otypes=v.otypes, doc=v.__doc__, excluded=v.excluded,
                      cache=v.cache, signature=v.signature)


def _math_erf(x):
    from .mathfuncs import math_erf

    return math_erf(x)


def _math_erfc(x):
    from .mathfuncs import math_erfc

    return math_erfc(x)


def _math_lgamma(x):
    from .mathfuncs import math_lgamma

    return math_lgamma(x)


# `math` functions of one real number that NumPy lacks, for `np.vectorize` of them: calling
# the function itself would convert a traced array with float()
_ELEMENT_MATH = ((math.erf, _math_erf), (math.erfc, _math_erfc), (math.lgamma, _math_lgamma))


def _python_number(dtype: np.dtype) -> np.dtype:
    """The dtype of the Python numbers NumPy's `vectorize` hands its function: it calls it
    on an object array's elements, so a uint8 pixel is a Python int (computed without
    wrapping) and a float32 one a Python float."""
    kind, size = dtype.kind, dtype.itemsize
    if kind in "iu" and not (kind == "u" and size == 8):
        return np.dtype(np.int64)
    return np.dtype({"f": np.float64, "c": np.complex128}[kind]) if kind in "fc" else dtype


def _element_array(value, otype, shape):
    """One output of `np.vectorize`: a new array of `otype`, as NumPy's loop makes it from
    the function's Python numbers (an int out of `otype`'s range raises its OverflowError
    when the function runs)."""
    from ..tracer import Tracer

    value = lax.lift(value)
    otype = np.dtype(otype if otype is not None else value.dtype)
    if otype.kind in "iu" and value.dtype.kind in "iu" and otype != value.dtype:
        info = np.iinfo(otype)
        lax.check(np.any((value < info.min) | (value > info.max)), "OverflowError",
                  f"Python integer out of bounds for {otype}")
    value = lax.cast(value, otype)
    return Tracer(lax.broadcast_to(value, shape).node).with_returns("array")


def ndenumerate(arr):
    """`np.ndenumerate` of a traced array: (index, element) pairs in NumPy's order, each
    element read as `arr[index]` is."""
    if not lax.is_tracer(arr):
        return _np_ndenumerate(arr)
    return ((index, arr[index]) for index in np.ndindex(arr.shape))


def nditer(op, *args, **kwargs):
    """`np.nditer` would convert traced operands to NumPy arrays: refused by name."""
    if _has_tracer(op if isinstance(op, (list, tuple)) else [op]):
        from .. import errors

        raise errors.unsupported("np.nditer over a traced array (use whole-array operations, "
                                 "np.ndindex or np.ndenumerate)")
    return _np_nditer(op, *args, **kwargs)


class _Broadcast:
    """`np.broadcast(a, b)` of traced arrays: the `shape`, `nd`/`ndim`, `size` and `numiter`
    that code reads to allocate a result. Iterating it needs the values: refused by name."""

    def __init__(self, args):
        self._of = _np_broadcast(*(_np_broadcast_to(_np_zeros(()), lax.lift(a).shape)
                                   for a in args))

    shape = property(lambda self: self._of.shape)
    nd = ndim = property(lambda self: self._of.ndim)
    size = property(lambda self: self._of.size)
    numiter = property(lambda self: self._of.numiter)

    def __getattr__(self, name: str):
        from .. import errors

        if name.startswith("__"):
            raise AttributeError(name)
        raise errors.unsupported(f"np.broadcast(...).{name} of traced arrays")

    def __iter__(self):
        from .. import errors

        raise errors.unsupported("iterating np.broadcast(...) of traced arrays (use "
                                 "np.broadcast_arrays)")


def broadcast(*args):
    """`np.broadcast`: of traced arrays, their broadcast shape; else NumPy's own."""
    return _Broadcast(args) if _has_tracer(list(args)) else _np_broadcast(*args)


def kaiser(M, beta):
    """`np.kaiser` of a traced `beta` (a window tuned by the data): NumPy's formula on `np.i0`;
    of a known one, NumPy's window as a constant."""
    if not _has_tracer([M, beta]):
        return _const(_np_kaiser(M, beta))
    from .mathfuncs import i0

    M = int(M)  # a traced length raises ConcretizationError, naming static_argnames
    beta = lax.lift(beta)  # NumPy puts it in an array with 0.0: float64 (complex128)
    beta = lax.cast(beta, np.result_type(np.float64, beta.dtype))
    if M == 1:
        return _const(_np_ones(1))
    n = lax.lift(_np_arange(0, M, dtype=np.float64))
    alpha = (M - 1) / 2.0
    return i0(beta * np.sqrt(1 - ((n - alpha) / alpha) ** 2.0)) / i0(beta)


PATCHED = {
    name: for_user_code(traced, original) for name, traced, original in [
        ("zeros", zeros, _np_zeros), ("ones", ones, _np_ones), ("full", full, _np_full),
        ("empty", empty, _np_empty), ("arange", _arange, _np_arange),
        ("linspace", _wrap(_np_linspace), _np_linspace),
        ("logspace", _wrap(_np_logspace), _np_logspace),
        ("geomspace", _wrap(_np_geomspace), _np_geomspace), ("eye", _wrap(_np_eye), _np_eye),
        ("identity", _wrap(_np_identity), _np_identity), ("tri", _wrap(_np_tri), _np_tri),
        ("indices", _wrap(_np_indices), _np_indices),
        # index arrays that a traced permutation then indexes (`iu[0][order]`, savings lists)
        ("triu_indices", _wrap(_np_triu_indices), _np_triu_indices),
        ("tril_indices", _wrap(_np_tril_indices), _np_tril_indices),
        ("diag_indices", _wrap(_np_diag_indices), _np_diag_indices),
        ("repeat", _wrap(_np_repeat), _np_repeat), ("tile", _wrap(_np_tile), _np_tile),
        ("ndenumerate", ndenumerate, _np_ndenumerate), ("nditer", nditer, _np_nditer),
        ("array", array, _np_array), ("asarray", asarray, _np_asarray),
        ("fromiter", fromiter, _np_fromiter), ("frombuffer", frombuffer, _np_frombuffer),
        ("asanyarray", asanyarray, _np_asanyarray),
        ("ascontiguousarray", ascontiguousarray, _np_ascontiguousarray),
        ("asfortranarray", asfortranarray, _np_asfortranarray),
        ("require", require, _np_require), ("kaiser", kaiser, _np_kaiser),
        ("broadcast", broadcast, _np_broadcast),
        # of an array made outside (a closure's signal): a graph constant, so that
        # `y = np.zeros_like(x); y[n] = b0 * x[n]` of a traced `b0` can write into it
        ("zeros_like", _wrap(_np_zeros_like), _np_zeros_like),
        ("ones_like", _wrap(_np_ones_like), _np_ones_like),
        ("empty_like", _wrap(_np_empty_like), _np_empty_like),
        ("full_like", _wrap(_np_full_like), _np_full_like),
    ]
}
PATCHED["fft"] = _FftNamespace(np.fft)
PATCHED["isscalar"] = isscalar
PATCHED["vectorize"] = _Vectorize
PATCHED["r_"] = _Concatenator(np.r_)
PATCHED["c_"] = _Concatenator(np.c_)
PATCHED["mgrid"] = _Grid(np.mgrid)
PATCHED["ogrid"] = _Grid(np.ogrid)
PATCHED.update(scalar_types.PATCHED)


@implements(np.zeros_like, np.empty_like)
def zeros_like(a, dtype=None, order="K", subok=True, shape=None, **kw):
    a = lax.lift(a)
    return zeros(a.shape if shape is None else shape, a.dtype if dtype is None else dtype)


@implements(np.ones_like)
def ones_like(a, dtype=None, order="K", subok=True, shape=None, **kw):
    a = lax.lift(a)
    return ones(a.shape if shape is None else shape, a.dtype if dtype is None else dtype)


@implements(np.full_like)
def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, **kw):
    a = lax.lift(a)
    dt = a.dtype if dtype is None else np.dtype(dtype)
    if lax.is_tracer(fill_value):
        return full(a.shape if shape is None else shape, lax.cast(fill_value, dt), dt)
    value = _np_empty(np.shape(fill_value), dt)
    np.copyto(value, fill_value, casting="unsafe")  # NumPy's OverflowError for 300 in uint8
    return full(a.shape if shape is None else shape, value, dt)


@implements(np.linspace)
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, **kw):
    """`np.linspace` with traced endpoints, computed as NumPy does (start + i*step)."""
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    div = (num - 1) if endpoint else num
    dt = np.result_type(weak_or_dtype(start), weak_or_dtype(stop), float(num))
    start, stop = lax.lift(start), lax.lift(stop)
    start, stop = np.broadcast_arrays(lax.cast(start, dt), lax.cast(stop, dt))
    delta = stop - start
    i = lax.lift(_np_arange(num, dtype=dt).reshape((-1,) + (1,) * start.ndim))
    step = delta / div if div > 0 else np.nan  # NumPy: a Python float nan
    y = i * step + start if div > 0 else i * delta + start
    if endpoint and num > 1:
        y = np.concatenate([y[:-1], np.reshape(stop, (1,) + stop.shape)], axis=0)
    if axis != 0:
        y = np.moveaxis(y, 0, axis)
    if dtype is not None and np.issubdtype(dtype, np.integer):
        y = np.floor(y)  # NumPy floors before an integer cast (-0.5 is -1, not 0)
    y = lax.cast(y, dtype) if dtype is not None else y
    return (y, step) if retstep else y


@implements(np.logspace)
def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """NumPy's `power(base, linspace(start, stop))`: a scalar `base` stays weak (float16
    endpoints give float16), an array one broadcasts with the endpoints."""
    if not isinstance(base, (float, int)) and np.ndim(base):
        ndmax = max(np.ndim(start), np.ndim(stop), np.ndim(base))
        start, stop, base = (lax.reshape(lax.lift(v), (1,) * (ndmax - np.ndim(v)) + np.shape(v))
                             for v in (start, stop, base))
        base = np.expand_dims(base, axis)
    y = linspace(start, stop, num=num, endpoint=endpoint, axis=axis)
    r = np.power(base, y)
    return r if dtype is None else lax.cast(r, dtype)


@implements(np.geomspace)
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """NumPy's `logspace` of the endpoints' logs, rotated so that `start` is positive real,
    with the exact endpoints written back. The endpoints are arrays there, so a Python scalar
    is not weak. NumPy raises on a zero endpoint; a traced one gives nan or inf instead."""
    start, stop = lax.lift(start), lax.lift(stop)
    if any(v.constant_value() is not None and np.any(v.constant_value() == 0)
           for v in (start, stop)):
        raise ValueError("Geometric sequence cannot include zero")
    dt = np.result_type(start.dtype, stop.dtype, float(num), np.zeros((), dtype))
    start, stop = lax.cast(start, dt), lax.cast(stop, dt)
    out_sign = np.sign(start)
    start, stop = start / out_sign, stop / out_sign
    result = logspace(np.log10(start), np.log10(stop), num=num, endpoint=endpoint, dtype=dt)
    if num > 0:
        last = num > 1 and endpoint
        row = result.shape[1:]  # (an endpoint broadcasts to the other's shape)
        ends = [np.broadcast_to(v, row)[None] for v in (start, stop)]
        result = np.concatenate([ends[0], result[1:num - last]] + ends[1:] * last, axis=0)
    result = result * out_sign
    if axis != 0:
        result = np.moveaxis(result, 0, axis)
    return lax.cast(result, dt if dtype is None else np.dtype(dtype))


def weak_or_dtype(v):
    """What `np.result_type` should see for `v`: a Python scalar stays weak (NEP 50)."""
    if lax.is_tracer(v):
        return {"b": False, "i": 0, "u": 0, "f": 0.0, "c": 0j}[v.dtype.kind] if v.weak \
            else v.dtype
    if isinstance(v, (bool, int, float, complex, np.dtype, type, str)):
        return v
    return np.asarray(v).dtype


@implements(np.tril)
def tril(m, k=0):
    m = lax.lift(m)
    mask = _np_tri(*m.shape[-2:], k=k, dtype=bool)
    return np.where(mask, m, lax.lift(np.zeros((), m.dtype)))


@implements(np.triu)
def triu(m, k=0):
    m = lax.lift(m)
    mask = _np_tri(*m.shape[-2:], k=k - 1, dtype=bool)
    return np.where(mask, lax.lift(np.zeros((), m.dtype)), m)
