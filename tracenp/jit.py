"""`tracenp.jit`: trace a NumPy function once per input signature, compile it, cache it.

The signature of a call is the pytree structure of its arguments, each array
leaf's dtype and shape, each Python scalar's type (never its value: a Python
scalar is a weakly typed input, as NEP 50 treats it), and the values of the
static arguments. The Python body runs once per signature.

Arguments written to in place (`x[0] = 1`, `x += 1`) are written back after
the call, as NumPy would have mutated them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import random
import time
import types
import warnings
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from . import background, ir, lax, methods, pytree
from .compile import Compiled, compile_graph
from .config import config
from .dask_blocks import call_over_blocks, has_dask_arrays
from .errors import (ConcretizationError, DataDependentShapeError, ResultTypeChanged,
                     TracingError, concretization_error, random_in_trace, refused_by_python,
                     unsupported)
from .lowering import WROTE
from .lowering.cupy import is_device_array
from .ops import Op
from .random_draws import Passed, generator_kind, hidden_outputs, is_generator, passed
from .trace import (_Generator, _Seeded, captured_partial, current_trace, draws_from, routed,
                    tracing)
from .tracer import Tracer

_SCALARS = (bool, int, float, complex)
_PLAIN_STATIC = frozenset({int, float, bool, str, type(None)})  # ... and by keyword, if static
_INT64_MIN, _INT64_END = -2 ** 63, 2 ** 63


def _wide_int(x) -> bool:
    """A Python int outside int64: NumPy promotes it by its value (uint64, or float64 beside a
    float array, or OverflowError), so an argument that is one is static, keyed by its value
    (as a 0-d int64 it would be read with another value's bits)."""
    return type(x) is int and not _INT64_MIN <= x < _INT64_END


class TracingFallbackWarning(UserWarning):
    """A jitted function ran eagerly in NumPy because it could not be traced."""


def leaf_signature(x) -> tuple:
    """What of a leaf decides the compiled code: dtype and shape, or Python type."""
    if isinstance(x, np.ndarray):  # a subclass (a masked array) is another signature
        return (x.dtype, x.shape) if type(x) is np.ndarray else (x.dtype, x.shape, type(x))
    if type(x) in _SCALARS:  # exactly: np.float64 (a float subclass) is a NumPy scalar
        if _wide_int(x):
            raise unsupported(f"A Python int outside int64 ({x}) inside a container argument "
                              f"(NumPy promotes it by its value); pass it as an argument of "
                              f"its own, which is then static")
        return (type(x),)
    if isinstance(x, np.generic):
        return (x.dtype, ())
    if is_device_array(x):
        return (x.dtype, x.shape, "cuda")
    raise TypeError(f"jit arguments must be arrays, scalars, strings, or tuples, lists, dicts "
                    f"and records (dataclasses, SimpleNamespace) of them; "
                    f"got {type(x).__name__} (mark it static with static_argnums=)")


_ENTRY_SCALARS = (float, int, np.float64)  # scalar arguments a builtin entry takes
_CONTAINERS = (dict, list, tuple)  # argument containers the hot path keys, exactly these
_MAX_NESTING = 4  # containers in containers the hot path keys (a list of (W, b) layers: 2)
# NumPy scalar types whose type is their dtype, and Python's complex: keyed by type on the hot
# path as Python floats are (a signal power `np.mean(abs(y) ** 2)` passed on; they took the
# general path, 50 us a call)
_TYPED_SCALARS = frozenset({complex, np.float64, np.float32, np.float16, np.complex128,
                            np.complex64, np.int64, np.int32, np.int16, np.int8, np.uint64,
                            np.uint32, np.uint16, np.uint8, np.bool_})


_DATACLASS_FIELDS: dict[type, tuple[str, ...] | None] = {}  # per type: its fields, or None


def _fields(t: type) -> tuple[str, ...] | None:
    """A dataclass's field names (a record: a pytree whose leaves are its fields), else None."""
    try:
        return _DATACLASS_FIELDS[t]
    except KeyError:
        names = tuple(f.name for f in dataclasses.fields(t)) if dataclasses.is_dataclass(t) \
            else None
        return _DATACLASS_FIELDS.setdefault(t, names)


def _is_tree(t: type) -> bool:
    """A container argument the hot path keys: exactly a dict, list or tuple, or a dataclass."""
    return t in _CONTAINERS or _fields(t) is not None


def _items(a, t: type):
    if t is dict:
        return a.values()
    if t is list or t is tuple:
        return a
    return [getattr(a, name) for name in _fields(t)]


def _container_key(a, depth: int = 0) -> tuple | None:
    """The hot path's key of a dict, list, tuple or dataclass argument (`_fast_key`), or None
    where the general path must key it: the container's type and keys (a dict), length or
    fields, and per item an array's dtype and shape, a Python or NumPy scalar's type, a str's
    or None's value (structure), or the key of a container in it (a list of `(W, b)`
    layers, an option's fields)."""
    t = type(a)
    parts = []
    for v in _items(a, t):
        tv = type(v)
        if tv is np.ndarray and v.dtype.names is None:  # (a structured one: its fields)
            parts.append((v.dtype, v.shape))
        elif tv is float or tv is bool or tv is int and _INT64_MIN <= v < _INT64_END or \
                tv in _TYPED_SCALARS:
            parts.append((tv,))
        elif v is None or tv is str:
            parts.append((tv, v))
        elif depth < _MAX_NESTING and _is_tree(tv):
            part = _container_key(v, depth + 1)
            if part is None:
                return None
            parts.append(part)
        else:
            return None
    return t, tuple(a) if t is dict else len(a) if t is list or t is tuple else None, \
        tuple(parts)


def _container_leaves(a, leaves: list) -> list:
    """`leaves` with the arrays and scalars of a container `_container_key` keyed appended,
    in `pytree.flatten`'s order (str and None are structure)."""
    for v in _items(a, type(a)):
        t = type(v)
        if t is np.ndarray or t is float or t is int or t is bool or t in _TYPED_SCALARS:
            leaves.append(v)
        elif v is not None and t is not str:  # a container, as `_container_key` found
            _container_leaves(v, leaves)
    return leaves


_LEAF, _FLAT_DICT, _FLAT_SEQUENCE, _NESTED, _STRUCTURE = range(5)  # `_leaf_kind`


def _leaf_kind(a) -> int:
    """How the hot path takes the leaves of an argument `_fast_key` keyed (the same for
    every call of its key): the argument itself, a dict's values or a list's or tuple's
    items where all are arrays or scalars (a config dict), a container's walk, or none (str
    and None are structure)."""
    t = type(a)
    if _is_tree(t):
        if t in _CONTAINERS and all(type(v) is np.ndarray or type(v) in _SCALARS or
                                    type(v) in _TYPED_SCALARS for v in _items(a, t)):
            return _FLAT_DICT if t is dict else _FLAT_SEQUENCE
        return _NESTED
    return _STRUCTURE if a is None or t is str else _LEAF


def _layout(x) -> str | tuple | None:
    """An array argument's memory layout, where a result follows it (`x.ravel("A")`): "C",
    "F", or its strides."""
    if type(x) is not np.ndarray:
        return None
    return "C" if x.flags.c_contiguous else "F" if x.flags.f_contiguous else x.strides


@contextlib.contextmanager
def _python_random_untouched():
    """Refuse a trace that drew from Python's `random` module (`if random.random() < eps:`,
    `random.sample(buffer, k)`): the draws would be frozen into the compiled function,
    silently repeated on every call. Its state is put back when the trace fails, so that
    `fallback=True` draws NumPy's numbers."""
    before = random.getstate()
    try:
        yield
    except TracingError:
        random.setstate(before)
        raise
    if random.getstate() != before:
        random.setstate(before)
        raise random_in_trace("Python's random module (random.random(), random.choice(), ...)")


def _leaf_input(x, name: str) -> ir.Node:
    if isinstance(x, np.matrix):
        raise unsupported("An argument of type matrix (its products would be those of a "
                          "plain array)")
    if type(x) in _SCALARS:
        return ir.leaf_input(name, np.asarray(x).dtype, (), weak=True)
    x = x if is_device_array(x) else np.asarray(x)
    return ir.leaf_input(name, _native(x.dtype), x.shape)


def _native(dtype: np.dtype) -> np.dtype:
    """`dtype` in this machine's byte order: kernels read native values; a big-endian
    argument (a binary PLY file's) is swapped into a copy as the call starts (`_run`)."""
    return dtype if dtype.isnative else dtype.newbyteorder("=")


@dataclass
class Trace:
    """One traced signature: its compiled graph and how to rebuild the result."""

    compiled: Compiled | None
    out_tree: Any
    out_consts: list  # non-array outputs (None where the graph gives the value)
    out_returns: list  # per output: "python", "scalar" or "array" (what a 0-d value becomes)
    mutated: list  # (leaf index, output index) pairs written back after a call
    n_outputs: int
    used: list  # the leaves the graph reads, in the order of its inputs
    eager_reason: str | None = None
    rebound: list = field(default_factory=list)  # leaves of list/dict arguments the function
    # set to new values, by their paths (`pytree.leaf_routes`): written into the caller's
    # containers (the result's second part)
    returned: dict = field(default_factory=dict)  # output -> the leaf of an argument the
    # function wrote into and returned itself (`x *= 2; return x`): NumPy's result is that array
    grown: list = field(default_factory=list)  # (path, key, value tree) of keys the function
    # added to dict arguments: set in the caller's dicts (the result's third part)
    build: Callable | bool | None = None  # `pytree.unflattener(out_tree)` from the second
    # call on (False after the first)
    fresh: tuple = ()  # outputs that are another result's value by another name (`x_prior =
    # x.copy()`): copied after each call, as NumPy's copy is a new array
    shared: tuple = ()  # (leaf, first leaf) of array leaves that were one array object
    # (`_shared_arrays`): one input, written and read as one; the key holds them


@dataclass
class CacheInfo:
    hits: int = 0
    misses: int = 0
    retraces: list = field(default_factory=list)

    @property
    def entries(self) -> int:
        return self.misses

    def __str__(self) -> str:
        lines = [f"hits={self.hits} misses={self.misses}"]
        lines += [f"  retrace: {r}" for r in self.retraces]
        return "\n".join(lines)


class JitFunction:
    """A jitted function. Call it like the original; see `cache_info()` and `graph()`."""

    def __init__(self, fn: Callable, static_argnums=(), static_argnames=(), fallback=False,
                 mode: str | None = None, stabilize: bool = True, backend: str | None = None,
                 device: str | None = None):
        functools.update_wrapper(self, fn)
        if not hasattr(self, "__name__"):  # a functools.partial or a callable object
            self.__name__ = getattr(fn, "__name__", type(fn).__name__)
        if methods.is_plain(fn) and not inspect.isroutine(fn) and callable(fn):
            fn = fn.__call__  # `jit(layer)`: its `__call__`, with the instance's state
        self.fn = fn
        self.static_argnums = tuple(sorted({static_argnums} if isinstance(static_argnums, int)
                                           else set(static_argnums)))
        self.static_argnames = (static_argnames,) if isinstance(static_argnames, str) \
            else tuple(static_argnames)
        self.fallback = fallback
        self.mode = mode
        self.stabilize = stabilize
        self.backend = backend
        self.device = device
        self._cache: dict[Any, Trace] = {}
        self._fast: dict[tuple, Callable] = {}  # ndarray-only signatures -> their runner
        self._entry: Callable = _no_entry  # the builtin launch of the latest such signature
        self._entries: list = []  # every builtin made, whose hits cache_info() collects
        self._method: JitFunction | None = None  # of methods.pure(fn): instance state dynamic
        self._static_method: JitFunction | None = None  # for instances without a __dict__
        self._tuple_method: JitFunction | None = None  # for NamedTuple instances
        self._methods: dict = {}  # of a `methods.pure(_objects)` function: state keys' traces
        self._with_objects: dict[tuple, JitFunction] = {}  # where objects are: its function
        self._arg_counters: dict = {}  # per object argument, the int attributes it changes
        self.shares = True  # one array object at two leaves is one input (`Trace.shared`);
        # False for a gradient's function, whose differentiated inputs are its own
        # `jit(opt.step)`, a bound method of a user's object, is the jitted method bound to it
        self._instance = fn.__self__ if inspect.ismethod(fn) and methods.is_plain(fn.__self__) \
            and not isinstance(fn.__self__, type) else None
        self._counters: set[str] = set()  # int attributes the method changes: inputs
        self._steer: set = set()  # Python scalar arguments (position or name) its Python
        # needs the values of (`range(n_iter)`, `if l2 > 0:`): static from then on
        self._by_layout = False  # arguments' memory layouts are in the key (`ravel("A")`)
        # whether its global and closure arrays are traced as constants (`LUT[img]`) and
        # `float`/`int`/`bool` take traced scalars: only once a trace without them failed, so
        # that code that traces as it is keeps concrete arrays and Python's own builtins
        self._capture = False
        self._steering: set[str] = set()  # ...unless its Python needs their values
        self._retyping = ""  # why, while tracing again for a call whose result type changed
        self._info = CacheInfo()
        try:
            self._signature = inspect.signature(fn)
        except (TypeError, ValueError):
            self._signature = None

    # ------------------------------------------------------------------ keys
    def _split(self, args, kwargs):
        """(dynamic args, dynamic kwargs, static values) of a call."""
        static = []
        dyn_args = []
        generators: dict = {}  # id: where the first argument that is it is
        for i, a in enumerate(args):
            if is_generator(a):  # drawn from at call time; the cache is keyed by its kind
                static.append((i, _typed(generator_kind(a, generators.setdefault(id(a), i)))))
                dyn_args.append(None)
            elif i in self.static_argnums or (i - len(args)) in self.static_argnums or \
                    self._steers(i, a) or _wide_int(a) or _static_by_nature(a):
                static.append((i, _config_key(a) if self._steers(i, a) and _is_config(a)
                               else _hashable(a, f"argument {i}")))
                dyn_args.append(None)
            else:
                dyn_args.append(a)
        dyn_kwargs = {}
        for k, v in sorted(kwargs.items()):  # f(a=1, b=2) and f(b=2, a=1) are one call
            if is_generator(v):
                static.append((k, _typed(generator_kind(v, generators.setdefault(id(v), k)))))
            elif k in self.static_argnames or self._steers(k, v) or _wide_int(v) or \
                    _static_by_nature(v):
                static.append((k, _config_key(v) if self._steers(k, v) and _is_config(v)
                               else _hashable(v, f"argument {k!r}")))
            else:
                dyn_kwargs[k] = v
        return dyn_args, dyn_kwargs, tuple(static)

    def _steers(self, where: int | str, value) -> bool:
        """Whether a Python or NumPy scalar argument (or a config of Python scalars) is one the
        function's Python needs the value of."""
        return bool(self._steer) and where in self._steer and (
            type(value) in _SCALARS or _steerable_numpy(value) or _is_config(value))

    def _key(self, args, kwargs):
        dyn_args, dyn_kwargs, static = self._split(args, kwargs)
        leaves, tree = pytree.flatten((tuple(dyn_args), dyn_kwargs))
        sigs = tuple(leaf_signature(x) for x in leaves)
        if self._by_layout:
            sigs = tuple(s + (_layout(x),) if type(x) is np.ndarray else s
                         for s, x in zip(sigs, leaves))
        return (tree, sigs, static, _shared_arrays(leaves) if self.shares else ()), leaves

    # ------------------------------------------------------------------ calling
    def __call__(self, *args, **kwargs):
        # the hot path: ndarrays and Python scalars, positional or by keyword, of a signature
        # seen before (`_fast_key`)
        if not kwargs:
            out = self._entry(*args)  # checks the whole signature itself; None if it differs
            if out is not None:
                return None if out is WROTE else out
        if self._instance is None and (fast_key := self._fast_key(args, kwargs)) is not None:
            fast = self._fast.get(fast_key)
            if fast is not None:
                self._info.hits += 1
                try:
                    return fast(args, kwargs)
                except DataDependentShapeError as e:  # from a check, as it ran
                    return self._in_numpy(e, args, kwargs)
        if self._instance is not None:
            return self._call_method(self._instance, *args, **kwargs)
        if current_trace() is not None and any(isinstance(x, Tracer)
                                               for x in pytree.flatten((args, kwargs))[0]):
            return self.fn(*args, **kwargs)  # called inside another traced function: inline
        where = _object_arguments(args, kwargs)
        if where:
            return self._call_with_objects(where, args, kwargs)
        return self._call_keyed(args, kwargs)

    def _call_keyed(self, args, kwargs):
        """A call keyed in full (`_key`): traced where the key is new."""
        try:
            key, leaves = self._key(args, kwargs)
        except TypeError as e:
            if has_dask_arrays(pytree.flatten((args, kwargs))[0]):
                return call_over_blocks(self, args, kwargs)
            if not self.fallback:
                raise
            warnings.warn(f"tracenp.jit({self.__name__}) runs in NumPy: {e}",
                          TracingFallbackWarning, stacklevel=3)  # the caller's line
            return self.fn(*args, **kwargs)
        entry = self._cache.get(key)
        if entry is None:
            self._info.misses += 1
            self._info.retraces.append(self._why(key))
            steered = (len(self._steer), self._by_layout)
            entry = self._trace(key, args, kwargs, leaves)
            if (len(self._steer), self._by_layout) != steered:  # under the key it now has
                key, leaves = self._key(args, kwargs)
            self._cache[key] = entry
        else:
            self._info.hits += 1
        if entry.eager_reason is not None:
            return self.fn(*args, **kwargs)
        if (not self.static_argnums and not self._by_layout and not entry.compiled.pending
                and not entry.shared and (fast_key := self._fast_key(args, kwargs)) is not None):
            self._fast[fast_key] = self._fast_runner(entry, fast_key, args, kwargs)
        try:
            return self._run(entry, leaves, args, kwargs)
        except DataDependentShapeError as e:
            return self._in_numpy(e, args, kwargs)

    def _fast_key(self, args, kwargs) -> tuple | None:
        """The hot path's key of a call, or None where the general path must key it: per
        argument its dtype and shape (an ndarray) or its type (a Python scalar), with the
        value where it is static or steers the function's Python (with its type: 1, 1.0 and
        True steer another trace each); keywords by name, in the order given."""
        steer = self._steer
        sig: list = []
        if not steer and not kwargs:  # most calls: no position is keyed by its value
            for a in args:
                t = type(a)
                if t is np.ndarray and a.dtype.names is None:
                    sig.append((a.dtype, a.shape))
                elif t is float or t is bool or t is int and _INT64_MIN <= a < _INT64_END \
                        or t in _TYPED_SCALARS:
                    sig.append((t,))
                elif a is None or t is str:  # structure, keyed by its value
                    sig.append((t, a))
                elif _is_tree(t):  # parameters or a config
                    part = _container_key(a)
                    if part is None:
                        return None
                    sig.append(part)
                else:
                    return None
            return tuple(sig)
        for i, a in enumerate(args):
            t = type(a)
            if t is np.ndarray and a.dtype.names is None:
                sig.append((a.dtype, a.shape))
            elif t is float or t is bool or t is int and _INT64_MIN <= a < _INT64_END or \
                    t in _TYPED_SCALARS:
                sig.append((t, a) if i in steer else (t,))
            else:
                return None
        for k, v in kwargs.items():
            t = type(v)
            if k in self.static_argnames or k in steer and t in _SCALARS:
                if t not in _PLAIN_STATIC:
                    return None
                sig.append((k, t, v))
            elif t is np.ndarray and v.dtype.names is None:
                sig.append((k, v.dtype, v.shape))
            elif t is float or t is bool or t is int and _INT64_MIN <= v < _INT64_END or \
                    t in _TYPED_SCALARS:
                sig.append((k, t))
            elif v is None or t is str:  # structure (`option_type="put"`), keyed by its value
                sig.append((k, t, v))
            else:
                return None
        return tuple(sig)

    def _leaf_places(self, args, kwargs) -> list:
        """For calls of this call's hot-path key: where each leaf of the graph comes from, as
        (keyword name or None, position or name, whether a Python scalar to make 0-d). The
        graph's leaves are the dynamic positional arguments, then the dynamic keywords by
        sorted name (`_key`)."""
        leaves = [(None, i, type(a) is not np.ndarray) for i, a in enumerate(args)
                  if not self._steers(i, a)]
        return leaves + [(k, k, type(v) is not np.ndarray) for k, v in sorted(kwargs.items())
                         if not (k in self.static_argnames or self._steers(k, v) or v is None
                                 or type(v) is str)]

    def _in_numpy(self, e: DataDependentShapeError, args, kwargs):
        """A check found, as the compiled function ran, that NumPy's result for these values
        has another shape than the traced one (`np.bincount` past its `minlength`): under
        `fallback=True` NumPy runs this call (nothing was written back yet), else the error
        stands. Where the result's type changed (`ResultTypeChanged`: eig's eigenvalues real
        in the call traced, complex in this one), the function is traced again for this
        call's values, once."""
        if isinstance(e, ResultTypeChanged) and not self._retyping:
            self._cache.clear()
            self._methods.clear()
            self._fast.clear()
            self._entry = _no_entry
            self._retyping = f"result type changed: {str(e).splitlines()[0]}"
            try:
                return self(*args, **kwargs)
            finally:
                self._retyping = ""
        if not self.fallback:
            raise e
        warnings.warn(f"tracenp.jit({self.__name__}) runs this call in NumPy: "
                      f"{str(e).splitlines()[0]}", TracingFallbackWarning, stacklevel=3)
        return self.fn(*args, **kwargs)

    def _fast_runner(self, entry: Trace, key: tuple, args, kwargs) -> Callable:
        """A call of `entry` for arguments of hot-path key `key` with no per-call bookkeeping.

        A graph of positional arguments (arrays, Python floats) that is a few small
        launches also gets a builtin entry (made on the signature's first cached call, so a
        first call does not pay for it); the runner makes it the one `__call__` tries first,
        and the builtin serves later calls.
        """
        if any(type(a) is np.ndarray and not a.dtype.isnative for a in args) or any(
                type(v) is np.ndarray and not v.dtype.isnative for a in args
                if _is_tree(type(a)) for v in _container_leaves(a, [])):
            return lambda args, kwargs: self._run(entry, self._key(args, kwargs)[1], args,
                                                  kwargs)  # swapped into native copies
        if any(_is_tree(type(a)) or a is None or type(a) is str for a in args):
            kinds = [_leaf_kind(a) for a in args]

            def leaves_of(args) -> list:  # (the calls of this key have these kinds)
                leaves: list = []
                for kind, a in zip(kinds, args):
                    if kind == _LEAF:
                        leaves.append(a)
                    elif kind == _FLAT_DICT:
                        leaves.extend(a.values())
                    elif kind == _FLAT_SEQUENCE:
                        leaves.extend(a)
                    elif kind == _NESTED:
                        _container_leaves(a, leaves)
                return leaves

            if entry.grown:
                return lambda args, kwargs: self._run(entry, leaves_of(args), args, kwargs)
            used, leaves = entry.used, leaves_of(args)
            sig = [(a.dtype, a.shape) if type(a) is np.ndarray else (type(a),) for a in leaves]
            tree = self._tree_runner(
                entry, lambda leaves, kwargs: [leaves[i] if type(leaves[i]) is np.ndarray
                                               else np.asarray(leaves[i]) for i in used],
                bool(entry.mutated or entry.returned), (sig, used) if all(
                    type(a) is np.ndarray or type(a) in _ENTRY_SCALARS for a in leaves)
                else None, leaves_of=leaves_of)
            return self._leaves_runner(entry, lambda args, kwargs: leaves_of(args), leaves,
                                       tree) or tree
        places = self._leaf_places(args, kwargs)
        picks, positional = [places[i] for i in entry.used], len(places) == len(args)
        writes = bool(entry.mutated or entry.returned)
        if entry.rebound or entry.grown or writes and not positional:  # `_run`, with the
            if positional:  # leaves it needs
                return lambda args, kwargs: self._run(entry, list(args), args, kwargs)
            return lambda args, kwargs: self._run(entry, self._key(args, kwargs)[1], args,
                                                  kwargs)
        run = entry.compiled.run
        plain = positional and not any(scalar for _, _, scalar in picks)  # arrays, in place
        used = [i for _, i, _ in picks]
        if plain and used == list(range(len(args))):
            inputs = (lambda args, kwargs: list(args))
        elif plain:
            inputs = (lambda args, kwargs: [args[i] for i in used])
        else:
            inputs = (lambda args, kwargs: [
                np.asarray((args if name is None else kwargs)[where]) if scalar
                else (args if name is None else kwargs)[where] for name, where, scalar in picks])
        single = entry.out_tree is pytree.LEAF and entry.out_consts == [_FROM_GRAPH]
        checked = positional and not kwargs and all(  # as an entry checks each argument
            type(a) is np.ndarray or type(a) in _ENTRY_SCALARS and sig == (type(a),)
            for a, sig in zip(args, key))
        if writes or not single:
            tree = self._tree_runner(entry, inputs, writes, (key, used) if checked else None)
            return self._by_keyword(entry, places, args, kwargs, tree) if not writes else tree
        returns = entry.out_returns[0]
        program = getattr(run, "program", None)
        native: list = [] if program is not None and checked else [None]

        def fast(args, kwargs):
            if not native:
                native.append(None)
                self._make_entry(program, key, used, native, returns)
            if native[0] is not None:
                self._entry = native[0].call
            out = run(inputs(args, kwargs))[0]
            if type(out) is np.ndarray and out.ndim:
                return out
            out = np.asarray(out)
            if returns == "array":
                return out
            return out.item() if returns == "python" else out[()]

        return self._by_keyword(entry, places, args, kwargs, fast)

    def _by_keyword(self, entry: Trace, places: list, args, kwargs, runner: Callable):
        """`runner`, or for a call with keywords (`loss(w, X, y, lam=0.1)`) a call through a
        builtin entry over the graph's leaves as given (`_leaves_runner`): keywords took the
        Python run, 13 us a call against 3 us by position."""
        if not kwargs:
            return runner
        at = [(name, where) for name, where, _ in places]

        def leaves_of(args, kwargs) -> list:
            return [args[where] if name is None else kwargs[where] for name, where in at]

        return self._leaves_runner(entry, leaves_of, leaves_of(args, kwargs), runner) or runner

    def _leaves_runner(self, entry: Trace, leaves_of: Callable, leaves: list,
                       tree: Callable) -> Callable | None:
        """For a graph of container or keyword arguments (a list of `(W, b)` layers, a dict
        of parameters, `lam=0.1`) that returns its computed values, as one value or a tuple,
        and writes nothing: a call through a builtin entry over the leaves,
        `leaves_of(args, kwargs)` (`_fast_key` has checked the containers and keywords; the
        entry checks each leaf), else through `tree`, the runner it stands in front of. None
        where a builtin entry cannot serve such calls."""
        program = getattr(entry.compiled.run, "program", None)
        n = len(entry.out_consts)
        single = entry.out_tree is pytree.LEAF
        if (program is None or entry.mutated or entry.returned or entry.rebound or entry.fresh
                or any(c is not _FROM_GRAPH for c in entry.out_consts)
                or not (single or entry.out_tree == ("tuple", (pytree.LEAF,) * n))
                or not all(type(a) is np.ndarray or type(a) in _ENTRY_SCALARS for a in leaves)):
            return None
        sig = [(a.dtype, a.shape) if type(a) is np.ndarray else (type(a),) for a in leaves]
        native: list = []

        def fast(args, kwargs):
            if not native:
                native.append(None)
                self._make_entry(program, sig, entry.used, native,
                                 entry.out_returns[0] if single else entry.out_returns,
                                 0 if single else tuple(range(n)))
            if native[0] is not None:
                out = native[0].call(*leaves_of(args, kwargs))
                if out is not None:
                    self._info.hits -= 1  # the entry counted this call, as `__call__` did
                    return out
            return tree(args, kwargs)

        return fast

    def _tree_runner(self, entry: Trace, inputs: Callable, writes: bool = False,
                     sig: tuple | None = None, leaves_of: Callable | None = None) -> Callable:
        """`_fast_runner`'s call of a graph with several results or constant ones (a value and
        its gradients), or one that `writes` into its positional array arguments (a training
        step's `w -= lr * g`: `_run`'s bookkeeping cost 15 us of its 19): what `_run` does,
        less what cannot happen for such arguments. Where `sig`, (key, used), says the calls'
        arguments are ones a builtin entry checks (arrays, floats), a graph returning a tuple
        of its outputs gets one, and so does a writing graph whose stores all go straight
        into its arguments (`_direct_run`, `_writing_entry`). `leaves_of` makes the leaves of
        arguments that are dicts (`inputs` then takes the leaves); their items the function
        set (`config["cache"] = ...`) are set in the caller's containers after the call."""
        run = entry.compiled.run
        setters = [pytree.setter(path) for path in entry.rebound]
        outputs = [(const is _FROM_GRAPH, const, returns)
                   for const, returns in zip(entry.out_consts, entry.out_returns)]
        build = pytree.unflattener(entry.out_tree)
        direct, targets = _direct_run(entry) if writes else ([None], ())
        flat = entry.out_tree == ("tuple", (pytree.LEAF,) * len(outputs)) and all(
            computed for computed, _, _ in outputs)  # `return a, b`: the entry makes the tuple
        program = getattr(run, "program", None)
        native: list = [] if sig is not None and (writes or program) \
            and not entry.fresh else [None]
        computed = [returns for c, _, returns in outputs if c]

        def fast(args, kwargs):
            leaves = args if leaves_of is None else leaves_of(args)
            if not writes:
                if not native:
                    native.append(None)
                    self._make_entry(program, sig[0], sig[1], native, computed,
                                     tuple(range(len(computed))))
                outs = None
                if native[0] is not None and flat and leaves_of is None:
                    self._entry = native[0].call  # serves the next calls whole
                elif native[0] is not None:  # the graph's outputs, then what Python adds
                    outs = native[0].call(*leaves)  # (`config["cache"] = ...`)
                    if outs is not None:
                        self._info.hits -= 1  # the entry counted this call, as `__call__` did
                if outs is None:
                    outs = run(inputs(leaves, kwargs))
                it = iter(_fresh_copies(outs, entry.fresh) if entry.fresh else outs)
            elif _writes_overlap(leaves, entry):  # refused, or run eagerly, as `_run` decides
                return self._run(entry, list(leaves), args, kwargs)
            else:
                if not native and direct[0] is not None:
                    native.append(None)
                    self._writing_entry(entry, direct[0], sig, build, native)
                if native and native[0] is not None:
                    self._entry = native[0].call
                by = direct[0] if direct[0] is not None and all(
                    leaves[i].flags.writeable for i in targets) else run
                outs = _written_back(by(inputs(leaves, kwargs)), leaves, entry)
                it = iter(_fresh_copies(outs, entry.fresh) if entry.fresh else outs)
            result = build([_result(next(it), returns) if computed else
                            const.of(args, kwargs) if type(const) is _Passed else const
                            for computed, const, returns in outputs])
            if setters:
                result, values, _ = result
                for put, v in zip(setters, values):
                    put((args, kwargs), v)
            return result

        return fast

    def _make_entry(self, program: Callable, sig: tuple, used: list, into: list,
                    returns: str | list[str], result: int | tuple = 0) -> None:
        """Put the builtin entry in `into[0]` (`_soon`); `returns`: what a 0-d result
        becomes (`Trace.out_returns`); `result`: which graph output it returns, or a tuple of
        them."""
        from .lowering.llvm_entry import make_entry

        def make():
            prog = program()
            made = make_entry(prog, list(sig), used, returns, result) if prog is not None \
                else None
            if made is not None:
                self._entries.append(made)
                into[0] = made

        _soon(make)

    def _writing_entry(self, entry: Trace, run: Callable, sig: tuple, build: Callable,
                       into: list) -> None:
        """Put in `into[0]` the builtin entry of a function that writes into its arguments
        and returns None or one argument it wrote, where `run` (its direct run) stores every
        new value straight into its argument (`_soon`)."""
        from .lowering.llvm_entry import make_entry

        key, used = sig
        n_results = entry.n_outputs - len(entry.mutated)
        if any(leaf not in used for leaf, _ in entry.mutated):
            return
        if n_results == 0 and not entry.out_consts and build([]) is None:
            result = None
        elif (n_results == 1 and entry.out_tree is pytree.LEAF and 0 in entry.returned
              and (key[entry.returned[0]][1] or entry.out_returns[0] == "array")):
            result = 0
        else:
            return

        def make():
            prog = run.program()
            if prog is None or any(prog.results[out_i] != ("arg", used.index(leaf))
                                   for leaf, out_i in entry.mutated):
                return  # a new value that would still be copied into its argument
            if result == 0 and prog.results[0] != ("arg", used.index(entry.returned[0])):
                return
            made = make_entry(prog, list(key), used, "array", result,
                              tuple(leaf for leaf, _ in entry.mutated))
            if made is not None:
                self._entries.append(made)
                into[0] = made

        _soon(make)

    def _run(self, entry: Trace, leaves, args=(), kwargs=None):
        if entry.mutated and _writes_overlap(leaves, entry):
            if self.shares and _shared_arrays(leaves) != entry.shared:  # one array by two
                return self._call_keyed(args, kwargs or {})  # paths, traced as two
            message = ("writing to an argument that shares memory with another argument "
                       "(the trace took them for separate arrays)")
            if not self.fallback:
                raise unsupported(message)
            warnings.warn(f"tracenp.jit({self.__name__}) runs eagerly in NumPy: {message}",
                          TracingFallbackWarning, stacklevel=3)
            return self.fn(*args, **(kwargs or {}))
        arrays = [x if type(x) is np.ndarray or type(x) not in _SCALARS and (
            isinstance(x, np.ndarray) or is_device_array(x)) else np.asarray(x)
            for x in [leaves[i] for i in entry.used]]
        arrays = [a if a.dtype.isnative else a.astype(_native(a.dtype)) for a in arrays]
        generators = {**{i: a for i, a in enumerate(args) if is_generator(a)},
                      **{k: v for k, v in (kwargs or {}).items() if is_generator(v)}}
        if generators:
            with passed(generators):
                outs = entry.compiled.run(arrays)
        else:
            outs = entry.compiled.run(arrays)
        if entry.mutated or entry.returned:
            outs = _written_back(outs, leaves, entry)
        if entry.fresh:
            outs = _fresh_copies(outs, entry.fresh)
        it = iter(outs)
        results = [_result(next(it), returns) if const is _FROM_GRAPH else
                   const.of(args, kwargs) if type(const) is _Passed else const
                   for const, returns in zip(entry.out_consts, entry.out_returns)]
        if entry.build:
            result = entry.build(results)
        else:  # the first call walks the tree; the second compiles its builder
            result = pytree.unflatten(entry.out_tree, results)
            entry.build = pytree.unflattener(entry.out_tree) if entry.build is False else False
        if entry.rebound or entry.grown:
            result, values, grown = result
            for path, v in zip(entry.rebound, values):
                pytree.set_path((args, kwargs or {}), path, v)
            for (path, key, _), value in zip(entry.grown, grown):
                pytree.put(pytree.follow((tuple(args), kwargs or {}), path), key, value)
        return result

    def _why(self, key) -> str:
        if self._retyping:
            return self._retyping
        if not self._cache:
            return "first call"
        tree, sigs, static, shared = key
        best = None
        for old_tree, old_sigs, old_static, old_shared in list(self._cache):  # other threads
            if old_tree != tree:  # add to it
                reason = "argument structure changed"
            elif old_shared != shared:
                reason = "arguments that are one array object changed"
            elif old_static != static:
                reason = (f"static arguments changed: {_fmt_static(old_static)} -> "
                          f"{_fmt_static(static)}")
            else:
                diffs = [f"leaf {i}: {_fmt_sig(a)} -> {_fmt_sig(b)}"
                         for i, (a, b) in enumerate(zip(old_sigs, sigs)) if a != b]
                reason = "; ".join(diffs)
            if best is None or len(reason) < len(best):
                best = reason
        return best

    # ------------------------------------------------------------------ tracing
    def _trace(self, key, args, kwargs, leaves, fallback: bool | None = None) -> Trace:
        try:
            return self._trace_graph(args, kwargs, leaves)
        except TracingError as e:
            if getattr(e, "by_numpy", False) and self._capture_for(e):  # a global array's
                try:  # own method given a traced value: the arrays as constants first,
                    return self._trace_graph(args, kwargs, leaves)  # rather than the Python
                except TracingError as again:  # numbers it came from made static
                    self._capture = False
                    e = again if not isinstance(again, ConcretizationError) else e
            if self._steer_by(e, args, kwargs):  # those arguments are static now: again
                return self._trace(key, args, kwargs, self._key(args, kwargs)[1], fallback)
            if self._capture_for(e):
                try:
                    return self._trace_graph(args, kwargs, leaves)
                except TracingError as again:
                    if self._steer_by(again, args, kwargs):
                        return self._trace(key, args, kwargs, self._key(args, kwargs)[1],
                                           fallback)
                    self._capture = False
                    if not isinstance(again, ConcretizationError):  # past the first refusal
                        e = again  # (or a write into a global array): the news is this one
            if not (self.fallback if fallback is None else fallback):
                raise e
            warnings.warn(f"tracenp.jit({self.__name__}) runs eagerly in NumPy: "
                          f"{str(e).splitlines()[0]}", TracingFallbackWarning, stacklevel=3)
            return Trace(None, None, [], [], [], 0, [], eager_reason=str(e))

    def _capture_for(self, e: TracingError) -> bool:
        """Trace again with the function's global and closure arrays as constants and `float`,
        `int` and `bool` taking traced scalars, when a traced value was refused where one of
        those could have met it (`LUT[img]`, whose `__getitem__` is NumPy's own;
        `float(loss)`). Whether it will."""
        if self._capture or not isinstance(e, ConcretizationError):
            return False
        self._capture = True
        return True

    def _steer_by(self, e: TracingError, args, kwargs) -> bool:
        """Make static the Python scalar arguments a refused value was computed from alone
        (`range(n_iter)`, `int(T / h)`, `if l2 > 0:`): NumPy code takes counts and flags that
        way, and JAX's answer, `static_argnums=`, asks the user to rewrite the call. A value
        that also depends on an array argument is left refused. Whether any was made static."""
        used = getattr(e, "leaves", None)
        if not used:
            return False
        dyn_args, dyn_kwargs, _ = self._split(args, kwargs)
        scalars, at = {}, 0  # leaf index -> where the scalar (or shape) argument is
        params = list(self._signature.parameters) if self._signature else []
        for where, a in [*enumerate(dyn_args), *dyn_kwargs.items()]:
            n = len(pytree.flatten(a)[0])
            if type(a) in _SCALARS and type(a) is not complex or _steerable_numpy(a) or \
                    _is_config(a):
                scalars.update({at + k: where for k in range(n)})
            at += n
        if not all(i in scalars for i in used):
            return False
        for where in dict.fromkeys(scalars[i] for i in used):
            self._steer.add(where)
            if isinstance(where, int) and where < len(params):
                self._steer.add(params[where])  # the same argument passed by name
            elif isinstance(where, str) and where in params:
                self._steer.add(params.index(where))
        self._fast.clear()
        self._entry = _no_entry
        names = ", ".join(repr(w) for w in dict.fromkeys(scalars[i] for i in used))
        self._info.retraces.append(f"Python scalar argument {names} made static (its value "
                                   f"steers the function's Python)")
        return True

    def _changed_config(self, static, args, kwargs, call_args, call_kwargs) -> bool:
        """Whether the function changed (its copy of) a steered config while tracing."""
        for where, key in static:
            given, seen = (args[where], call_args[where]) if isinstance(where, int) else \
                (kwargs[where], call_kwargs[where])
            if self._steers(where, given) and _is_config(given) and _config_key(seen) != key:
                return True
        return False

    def _trace_to_graph(self, args, kwargs, leaves):
        dyn_args, dyn_kwargs, static = self._split(args, kwargs)
        _, tree = pytree.flatten((tuple(dyn_args), dyn_kwargs))
        names = self._leaf_names(tree, len(leaves))
        inputs = [_leaf_input(x, n) for x, n in zip(leaves, names)]
        shared = _shared_arrays(leaves) if self.shares else ()
        try:
            with tracing(self.__name__, self.stabilize, self.fn, _roots(self.fn, args, kwargs),
                         self._capture) as state:
                tracers = [Tracer(n, name) for n, name in zip(inputs, names)]
                for i, first in shared:  # one array by two paths (`self.W`, `opt.params[0]`)
                    tracers[i] = tracers[first]
                for t, x in zip(tracers, leaves):
                    t._input_of = state
                    state.input_layouts[id(t.node)] = _layout(x)
                    state.examples[id(t.node)] = x
                    t.returns = ("array" if isinstance(x, np.ndarray) else
                                 "python" if type(x) in _SCALARS else "scalar")
                t_args, t_kwargs = pytree.unflatten(tree, tracers)
                containers = _container_paths((t_args, t_kwargs))
                fixed = {where for where, _ in static}  # by `_split`, generators included
                call_args = [draws_from(args[i], Passed(i)) if is_generator(args[i])
                             else a if i not in fixed
                             else _static_value(args[i], self._steers(i, args[i]))
                             for i, a in enumerate(t_args)]
                call_kwargs = {**t_kwargs, **{k: draws_from(v, Passed(k)) if is_generator(v)
                                              else _static_value(v, self._steers(k, v))
                                              for k, v in kwargs.items() if k in fixed}}
                with _python_random_untouched():
                    try:
                        fn = routed(self.fn)  # `jit(scipy.linalg.expm)`: its route
                        fn = captured_partial(fn) if self._capture else fn
                        result = fn(*call_args, **call_kwargs)
                    except TracingError:  # `range(n)`: its leaves are noted below
                        raise
                    except Exception as e:
                        if "lazy array" in str(e):  # SciPy's path for lazy arrays refuses
                            raise unsupported(f"SciPy with traced values here ({e})") from e
                        if isinstance(e, TypeError) and (Tracer.__name__ in str(e) or str(e) ==
                                                         "No matching signature found"):
                            refusal = refused_by_python(e)  # Python's own about a tracer
                            # (`"%d" % x`), or a Cython fused function's (SciPy's `levinson`)
                            if state.refused:  # NumPy's `operator.index(deg)` in `leggauss(n)`
                                refusal.nodes = getattr(state.refused[-1], "nodes", None)
                            raise refusal from e  # steers as the refusal it replaced would
                        if state.refused:  # a refusal caught and turned into this error (np.mgrid's
                            raise _with_leaves(state.refused[-1], inputs) from e  # AttributeError,
                        scalars = [i for i, x in enumerate(leaves) if type(x) in (int, float)]
                        if scalars and isinstance(e, (TypeError, ValueError)):  # a library's
                            raise _scalars_refused(e, [inputs[i] for i in scalars]) from e  # check
                        raise  # of a traced Python number; NumPy's ValueError from `out[i] = x`
                        # into one of its arrays, again with its Python number arguments static
                if state.refused:  # caught by the function's own `except` (`except Exception:`):
                    raise _with_leaves(state.refused[0], inputs)  # NumPy does not take that path
                if self._changed_config(static, args, kwargs, call_args, call_kwargs):
                    raise TracingError("the function changed a config argument whose values "
                                       "steer its Python (static from then on); the compiled "
                                       "function would not change it (return the new values "
                                       "instead, or pass fallback=True)")
                grown = pytree.take_added_keys((t_args, t_kwargs), (tuple(args), kwargs))
                try:
                    rebound = _rebound(tracers, tree, t_args, t_kwargs, state.mutated_inputs,
                                       leaves)
                    after = pytree.flatten((t_args, t_kwargs))[0]  # (as the tree was: the
                finally:  # items added, which the leaves' positions do not count, put back)
                    for path, key, value in grown:
                        pytree.put(pytree.follow((t_args, t_kwargs), path), key, value)
                if rebound or grown:  # their new values come back after the result
                    result = (result, [after[i] for i in rebound], [v for _, _, v in grown])
                    paths = pytree.leaf_routes(tree)
                    rebound = _Rebound([paths[i] for i in rebound],
                                       [(p, k, None) for p, k, _ in grown])
                out_leaves, out_tree = pytree.flatten(_as_passed(result, containers))
                if _traced_text(out_tree):
                    raise concretization_error("A string made from a traced value (`str(x)`, "
                                               "`repr(x)`, `f\"{x}\"`), returned,")
                outputs, consts, returns = [], [], []
                position: dict[int, int] = {}  # id(tracer) -> its output (the first)
                named, fresh = {}, []  # id(node): the tracer first returning it
                routes = pytree.leaf_routes(tree)
                as_given = {id(t): i for i, t in enumerate(tracers)  # (not the data or mask
                            if type(leaves[i]) is np.ndarray and t.node is inputs[i]  # of a
                            and all(kind != "own" for _, kind in routes[i])}  # masked array)
                for v in out_leaves:
                    if isinstance(v, Tracer) and id(v) in as_given:  # `return x`: the caller's
                        route = routes[as_given[id(v)]]
                        consts.append(_Passed(tuple(k for k, _ in route), tuple(
                            j for j, (_, kind) in enumerate(route)
                            if kind in pytree.ATTRIBUTE_KINDS)))
                        returns.append("array")  # array itself, as NumPy returns it (a copy
                    elif isinstance(v, Tracer):  # of it, `x.copy()`, is a new array: a run
                        position.setdefault(id(v), len(outputs))  # copies `aliased_outputs`)
                        if named.setdefault(id(v.node), id(v)) != id(v) and (
                                v.ndim or v.returns == "array" and not v.weak):  # (a scalar
                            fresh.append(len(outputs))  # is its own value, `(x.sum(), x.sum())`)
                        outputs.append(v.node)
                        consts.append(_FROM_GRAPH)
                        returns.append("python" if v.weak else v.returns)
                    elif isinstance(v, np.ndarray):
                        outputs.append(ir.const(v))
                        consts.append(_FROM_GRAPH)
                        returns.append("array")
                    elif type(v) is _Passed:
                        consts.append(v)
                        returns.append("python")
                    elif isinstance(v, _Generator):  # `return x, rng`: the generator itself
                        consts.append(_returned_generator(v))
                        returns.append("python")
                    else:
                        _check_constant_result(v)
                        consts.append(v)
                        returns.append("python")
                mutated, returned = [], {}
                for t in state.mutated_inputs:
                    leaf_i = next(i for i, tr in enumerate(tracers) if tr is t)
                    if not isinstance(leaves[leaf_i], np.ndarray):
                        continue
                    mutated.append((leaf_i, len(outputs)))
                    outputs.append(t.node)
                    if id(t) in position:
                        returned[position[id(t)]] = leaf_i
                outputs.extend(hidden_outputs(state, outputs))  # draws the results do not reach
                outputs.extend(lax.merged_checks(state.checks))  # NumPy's errors on values
        except TracingError as e:  # also a selection returned, refused as the trace ends
            raise _with_leaves(e, inputs)
        if state.layout_read and not self._by_layout:  # (not while tracing: it is watched)
            self._by_layout = True
            self._fast.clear()
            self._entry = _no_entry
        if state.standins:  # written outside a gradient's function: `buf[:] = 2 * x`
            outputs = ir.substitute(outputs, {id(f): a for f, a in state.standins})
        order = ir.toposort(outputs)
        reached = {id(n) for n in order}
        _check_foreign_inputs(order, inputs, self.__name__)
        used = [i for i, n in enumerate(inputs) if id(n) in reached]
        graph = ir.Graph(tuple(inputs[i] for i in used), tuple(outputs))
        return (graph, out_tree, consts, returns, mutated, used, rebound, returned, tuple(fresh),
                shared)

    def _trace_graph(self, args, kwargs, leaves) -> Trace:
        t0 = time.perf_counter()
        graph, out_tree, consts, returns, mutated, used, rebound, returned, fresh, shared = \
            self._trace_to_graph(args, kwargs, leaves)
        t1 = time.perf_counter()
        device = "cuda" if any(map(is_device_array, leaves)) else self.device
        compiled = compile_graph(graph, self.mode or config.mode, stabilize=self.stabilize,
                                 backend=self.backend, device=device)
        compiled.note(trace_s=t1 - t0, compile_s=time.perf_counter() - t1)
        return Trace(compiled, out_tree, consts, returns, mutated, len(graph.outputs), used,
                     rebound=list(rebound), grown=getattr(rebound, "grown", []),
                     returned=returned, fresh=fresh, shared=shared)

    def _leaf_names(self, tree, n: int) -> list[str]:
        """Argument names for the inputs (`x`, `params['W1']`), for printing and errors."""
        names: list[str] = []
        params = list(self._signature.parameters) if self._signature else []
        args_def, kwargs_def = tree[-1]  # the (args, kwargs) tuple's two children
        for i, sub in enumerate(args_def[-1]):
            names += pytree.leaf_paths(sub, params[i] if i < len(params) else f"arg{i}")
        for k, sub in zip(kwargs_def[2], kwargs_def[-1]):
            names += pytree.leaf_paths(sub, str(k))
        return names[:n] if len(names) >= n else [f"in{i}" for i in range(n)]

    # ------------------------------------------------------------------ introspection
    def cache_info(self) -> CacheInfo:
        """Hits, misses, and why each retrace happened."""
        if self._instance is not None and self._method is not None:
            return self._method.cache_info()
        for e in self._entries:
            self._info.hits += e.take_hits()
        if not self._with_objects:
            return self._info
        inner = [jf.cache_info() for jf in self._with_objects.values()]  # calls with objects
        return CacheInfo(self._info.hits + sum(i.hits for i in inner),
                         self._info.misses + sum(i.misses for i in inner),
                         self._info.retraces + [r for i in inner for r in i.retraces])

    def graph(self, *args, optimized: bool = True, **kwargs) -> ir.Graph:
        """The graph this function runs for these arguments (the optimized one by default)."""
        compiled = self.compiled(*args, **kwargs)
        return compiled.optimized if optimized else compiled.traced

    def compiled(self, *args, **kwargs) -> Compiled:
        """The compiled graph a call with these arguments runs: the cached one, or one traced
        as a call traces (Python scalars that steer made static, global arrays captured),
        kept for the calls to come; a refusal is raised, even under `fallback=True`."""
        key, leaves = self._key(args, kwargs)
        entry = self._cache.get(key)
        if entry is None or entry.compiled is None:
            entry = self._trace(key, args, kwargs, leaves, fallback=False)
            self._cache[self._key(args, kwargs)[0]] = entry  # under the key it now has
        return entry.compiled

    def explain(self, *args, **kwargs):
        """What tracenp does with this function for these arguments: see `tracenp.explain`."""
        from .explain import explain

        return explain(self, *args, **kwargs)

    def __get__(self, obj, objtype=None):
        """A jitted method: the instance's arrays are inputs of the trace and what the method
        assigns to the instance is written back (`tracenp.methods`); an instance without a
        `__dict__` is a static argument (the attributes it reads are constants)."""
        if obj is None:
            return self
        if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # a NamedTuple's method: the
            if self._tuple_method is None:  # instance is an argument like any other
                self._tuple_method = self._bound(self.fn, 1, self_static=False)
            return functools.partial(self._tuple_method, obj)
        if not hasattr(obj, "__dict__"):
            if self._static_method is None:
                self._static_method = self._bound(self.fn, 1)
            return functools.partial(self._static_method, obj)
        return functools.partial(self._call_method, obj)

    def _bound(self, fn: Callable, shift: int, self_static: bool = True) -> JitFunction:
        """This function's options for `fn`, whose first `shift` arguments take the place of
        `self` (the first of them static, where `self_static`)."""
        jf = JitFunction(fn, ((shift - 1,) if self_static else ())
                         + tuple(i + shift for i in self.static_argnums),
                         self.static_argnames, self.fallback, self.mode, self.stabilize,
                         self.backend, self.device)
        jf.__name__ = self.__name__
        return jf

    def _call_method(self, obj, *args, **kwargs):
        """An int the method changes becomes an input from the next call on (one trace, not
        one per value), unless the method's Python needs its value: then it stays static.
        Called inside another trace (`self.predict(x)` in a jitted `fit`), it is inlined: the
        instance there is the traced copy, whose attributes are tracers."""
        fn = self.fn.__func__ if self._instance is not None else self.fn
        if current_trace() is not None:
            return fn(methods.traced_copy(obj), *args, **kwargs)
        if self._method is None:
            self._method = self._bound(methods.pure(fn), 2)
        counters = frozenset(self._counters - self._steering)
        state = methods.state_of(obj, counters)
        rest = methods.Rest(obj, state)
        call = (state, rest, *args)
        done = self._method._known_call(state, rest.key, call, args, kwargs)
        if done is not None:
            result, final = done
            methods.write_back(obj, final)
            self._counters |= methods.counters_of(final, state)
            return methods.with_instance(result, obj)
        try:
            result, final = self._method(*call, **kwargs)
            self._method._note_call(state, rest.key, call, args, kwargs)
        except ConcretizationError:
            if not counters & state.keys():
                raise
            self._steering |= counters
            state = methods.state_of(obj)
            result, final = self._method(state, methods.Rest(obj, state), *args, **kwargs)
        methods.write_back(obj, final)
        self._counters |= methods.counters_of(final, state)
        return methods.with_instance(result, obj)

    def _call_with_objects(self, where: tuple, args, kwargs):
        """A call with user objects among its arguments (`evaluate(model, X)`,
        `train_step(model, X, y)`): each passes its state as `self`'s is passed
        (`methods.pure_objects`), whatever `static_argnums` says (as a constant its arrays
        would go stale), and what the function changed on it is written back. Inside
        another trace, it is inlined on the traced copies."""
        if current_trace() is not None:
            args = [_traced(a) if i in where else a for i, a in enumerate(args)]
            return self.fn(*args, **{k: _traced(v) if k in where else v
                                     for k, v in kwargs.items()})
        jf = self._with_objects.get(where)
        if jf is None:
            static = (1, *(i + 2 if i >= 0 else i for i in self.static_argnums
                           if i not in where and i - len(args) not in where))
            jf = JitFunction(methods.pure_objects(self.fn, where), static,
                             [n for n in self.static_argnames if n not in where], self.fallback,
                             self.mode, self.stabilize, self.backend, self.device)
            jf.__name__ = self.__name__
            self._with_objects[where] = jf
        objects = [args[w] if type(w) is int else kwargs[w] for w in where]
        rest_args = [None if i in where else a for i, a in enumerate(args)]
        rest_kwargs = {k: None if k in where else v for k, v in kwargs.items()}
        counters = [frozenset(self._arg_counters.get(w, set()) - self._steering) for w in where]
        states = tuple(methods.sub_state_of(o, c) for o, c in zip(objects, counters))
        rests = tuple(map(methods.ArgRest, objects, states))
        call, rest_key = (states, rests, *rest_args), tuple(r.key for r in rests)
        try:
            done = jf._known_call(states, rest_key, call, rest_args, rest_kwargs)
            if done is None:
                done = jf(*call, **rest_kwargs)
                jf._note_call(states, rest_key, call, rest_args, rest_kwargs)
            result, finals = done
        except ConcretizationError:
            if not any(counters):
                raise
            self._steering.update(*counters)
            states = tuple(map(methods.sub_state_of, objects))
            result, finals = jf(states, tuple(map(methods.ArgRest, objects, states)),
                                *rest_args, **rest_kwargs)
        for w, obj, final, state in zip(where, objects, finals, states):
            methods.write_sub(obj, final)
            self._arg_counters.setdefault(w, set()).update(methods.sub_counters(final, state))
        return methods.with_objects(result, jf.fn.given, objects)

    def _state_key(self, state, rest_key, args, kwargs) -> tuple | None:
        """(key, leaves) of a call of a `methods.pure` or `methods.pure_objects` function whose
        state leaves and arguments are arrays, Python scalars (a counter) and None (an
        object's place), or None:
        the static part by its key, each leaf by its type, and the leaves that are one
        array. Most methods' state is a flat dict, keyed without flattening it."""
        if kwargs or self._by_layout:
            return None
        leaves = list(state.values()) if type(state) is dict else None
        if leaves is not None and all(type(v) is np.ndarray or type(v) is float
                                      for v in leaves):
            tree = tuple(state)
        else:
            leaves, tree = pytree.flatten(state)
        sig = []
        for v in (*leaves, *args):
            t = type(v)
            if t is np.ndarray:
                sig.append((v.dtype, v.shape))
            elif t is float or v is None or t is bool or t is int and \
                    _INT64_MIN <= v < _INT64_END:
                sig.append(t)
            else:
                return None
        leaves += [a for a in args if a is not None]
        return (rest_key, tree, tuple(sig), _shared_arrays(leaves)), leaves

    def _note_call(self, state, rest_key, call: tuple, args, kwargs) -> None:
        """After a call of a `methods.pure` or `pure_objects` function through `__call__`:
        its trace, under its state key (`_state_key`), when compiled and run by it."""
        known = self._state_key(state, rest_key, args, kwargs)
        if known is not None:
            entry = self._cache.get(self._key(call, {})[0])
            if entry is not None and entry.eager_reason is None and entry.compiled is not None \
                    and not entry.compiled.pending:
                self._methods[known[0]] = entry

    def _known_call(self, state, rest_key, call: tuple, args, kwargs):
        """A call of a state key seen before, run without keying it anew (a jitted method cost
        22 us a call against a function's 0.4: its state walked three times); or None."""
        known = self._state_key(state, rest_key, args, kwargs) if self._methods else None
        entry = self._methods.get(known[0]) if known is not None else None
        if entry is None:
            return None
        self._info.hits += 1
        try:
            return self._run(entry, known[1], call, {})
        except DataDependentShapeError as e:
            return self._in_numpy(e, call, {})

    def __repr__(self) -> str:
        return f"<tracenp.jit {self.__name__}>"


_FROM_GRAPH = object()


def _object_arguments(args, kwargs) -> tuple:
    """The positions and keyword names of a call's user objects (`methods.is_object_argument`)."""
    return (*(i for i, a in enumerate(args)
              if type(a) is not np.ndarray and methods.is_object_argument(a)),
            *(k for k, v in sorted(kwargs.items())
              if type(v) is not np.ndarray and methods.is_object_argument(v)))


def _traced(v):
    """An object argument as a trace holds it: its traced copy (its items', for a container)."""
    if type(v) is dict:
        return {k: methods.traced_copy(x) for k, x in v.items()}
    if type(v) in (list, tuple):
        return type(v)(map(methods.traced_copy, v))
    return methods.traced_copy(v)


def _roots(fn, args, kwargs) -> tuple:
    """(name, value) of a call's arguments, a jitted method's instance and object arguments
    as "self", a classmethod's class: where a trace looks for generators, and with
    `capture` for arrays held as attributes (a class's lookup table)."""
    roots = [("self", fn.__self__)] if isinstance(getattr(fn, "__self__", None), type) else []
    for i, a in enumerate(args):
        if isinstance(a, methods.Rest):
            roots += [("self", obj) for obj in methods.objects_in(a.obj)]
        elif type(a) is tuple and a and all(isinstance(r, methods.ArgRest) for r in a):
            roots += [("self", obj) for r in a for obj in methods.objects_in(r.obj)]
        else:
            roots.append((f"args[{i}]", a))
    return (*roots, *kwargs.items())


class _Passed:
    """A result that is a dict or list argument itself (`return next_w, config`), or one
    inside an argument: each call returns the caller's object, as NumPy code does, with what
    the function wrote into it."""

    __slots__ = ("path", "records")

    def __init__(self, path: tuple, records: tuple = ()):
        self.path = path
        self.records = records  # the steps that are a record's attribute (a dataclass field)

    def of(self, args, kwargs):
        node = (args, kwargs or {})
        for k, key in enumerate(self.path):
            node = getattr(node, key) if k in self.records else node[key]
        return node


def _returned_generator(g):
    """What a returned generator stands for: an argument's, the one each call is given; a
    global's, that object. One made inside from a seed would have to be made afresh by
    each call: refused."""
    from .random_draws import Passed

    if isinstance(g, _Seeded):
        raise unsupported("Returning a generator made inside the function from a seed")
    source = getattr(g, "_source", None)
    if isinstance(source, Passed):
        return _Passed((0, source.where) if isinstance(source.where, int) else (1, source.where))
    return g._generator


def _container_paths(traced_args) -> dict[int, tuple]:
    """{id: path} of the dicts and lists among the traced arguments, as the call starts (a
    dict the function adds to one, `p["cache"] = {...}`, is no argument of the next call)."""
    where: dict[int, tuple] = {}
    todo = [(traced_args, ())]
    while todo:
        t, path = todo.pop()
        if isinstance(t, (dict, list, tuple)):
            if path and not isinstance(t, tuple):
                where[id(t)] = path
            todo += [(v, path + (k,)) for k, v in (t.items() if isinstance(t, dict)
                                                    else enumerate(t))]
    return where


def _as_passed(result, where: dict[int, tuple]):
    """`result` with the dict and list arguments it returns (the traced copies the function
    ran on, found by identity in `where`, `_container_paths`) replaced by `_Passed` markers."""
    if not where:
        return result

    def swap(t):
        if id(t) in where:
            return _Passed(where[id(t)])
        if type(t) in (list, tuple):
            return type(t)(map(swap, t))
        if type(t) is dict:
            return {k: swap(v) for k, v in t.items()}
        return t

    return swap(result)


def _traced_text(treedef) -> bool:
    """Whether a string of the result (part of its structure) holds a tracer's text, where
    NumPy's has the values: every call would return the text of the trace."""
    if isinstance(treedef, str):
        return f"{Tracer.__name__}(" in treedef
    return isinstance(treedef, tuple) and any(_traced_text(t) for t in treedef)


def _check_constant_result(v) -> None:
    """A result that is not an array, tuple, list, dict or record is returned as it was when
    traced: refused if traced values are inside it (a deque, a set, an object), which every
    call would return as they are."""
    if type(v).__module__.startswith("tracenp."):  # its own (`x[mask]` has its own error)
        return
    inside = list(v) if isinstance(v, (deque, set, frozenset)) else \
        list(methods.attributes(v).values())  # (none: a number, a string, a builtin)
    if any(isinstance(x, Tracer) for x in inside):
        raise unsupported(f"returning a {type(v).__name__} that holds traced arrays (return "
                          "them in a tuple, list, dict, dataclass or SimpleNamespace)")


def _fresh_copies(outs: list, fresh: tuple) -> list:
    """`outs` with the outputs `Trace.fresh` names copied."""
    outs = list(outs)
    for k in fresh:
        outs[k] = outs[k].copy()
    return outs


def _check_foreign_inputs(order: list, inputs: list, name: str) -> None:
    """A traced value of an earlier trace (kept somewhere the function reads it from again)
    is an input no call provides: refused, rather than compiled to read a buffer that the
    call does not pass."""
    ours = {id(n) for n in inputs}
    if any(n.op is Op.INPUT and id(n) not in ours for n in order):
        raise unsupported(f"a traced value kept from an earlier call of {name!r} (in an "
                          "object, a container or a global it reads again)")


def _result(v, returns: str):
    """A graph output as the function returned it: an array, or a 0-d value as a Python or
    NumPy scalar (`returns`)."""
    if type(v) is not np.ndarray:
        if is_device_array(v):
            return v
        v = np.asarray(v)
    if v.ndim == 0 and returns != "array":
        return v.item() if returns == "python" else v[()]
    return v


def _scalars_refused(e: Exception, nodes: list) -> TracingError:
    """A library's TypeError or ValueError while Python number arguments were traced
    (`scipy.stats.qmc`'s `np.issubdtype(type(d), np.integer)` of a traced `d`): refused as
    steered by them, so that `jit` traces again with them static; where it still fails,
    that run's own error stands."""
    refusal = ConcretizationError(f"A library refused a traced Python number argument "
                                  f"({type(e).__name__}: {e})")
    refusal.nodes = nodes
    return refusal


def _with_leaves(e: TracingError, inputs: list) -> TracingError:
    """`e`, noting in `e.leaves` the indices of the traced inputs the values it was steered by
    (`errors.steered_by`) were computed from (`_steer_by` reads them)."""
    nodes = getattr(e, "nodes", None)
    reached = {id(n) for n in ir.toposort(nodes)} if nodes else set()
    e.leaves = [i for i, n in enumerate(inputs) if id(n) in reached]
    return e


def _no_entry(*args) -> None:
    """The builtin entry before there is one: no call matches."""
    return None


class _Rebound(list):
    """`_rebound`'s leaves, with the keys added to dict arguments (`grown`)."""

    def __init__(self, leaves: list, grown: list):
        super().__init__(leaves)
        self.grown = grown


def _rebound(tracers: list, tree, t_args, t_kwargs, mutated_inputs, leaves) -> list[int]:
    """Leaves of list and dict arguments that the function set to new values (`m[k] = v`),
    or Python scalars in them it changed in place (`m[k] += 1`): NumPy code's caller sees
    those, so jit writes them back. A changed structure (items added or removed) cannot be."""
    if not t_kwargs and all(type(a) is Tracer for a in t_args):
        return []  # arrays and scalars only: nothing holds a leaf that could be set
    after, after_tree = pytree.flatten((t_args, t_kwargs))
    if after_tree != tree:
        raise TracingError("the function removed items of a dict argument, added or removed "
                           "items of a list argument, or set an item that was None (or a "
                           "container) to an array; jit writes back the items it sets and the "
                           "keys it adds to dicts, not another structure (return the new "
                           "container instead, or pass fallback=True)")
    slots = pytree.slots((t_args, t_kwargs))
    changed = {id(t) for t in mutated_inputs}
    rebound = [i for i, (a, t) in enumerate(zip(after, tracers)) if slots[i] is not None and (
        a is not t or id(t) in changed and not isinstance(leaves[i], np.ndarray))]
    if any(slots[i] is pytree.IN_OWN for i in rebound):
        raise TracingError("the function set a masked array that a dict or list argument "
                           "holds to another one; jit cannot write that back (return it "
                           "instead, or pass fallback=True)")
    return rebound


def _shared_arrays(leaves: list) -> tuple:
    """(leaf, first leaf) for each array leaf that is an earlier leaf's array object (an
    optimizer's list of the model's own arrays, `f(b, b)`)."""
    first: dict[int, int] = {}
    return tuple((i, j) for i, x in enumerate(leaves) if type(x) is np.ndarray
                 and (j := first.setdefault(id(x), i)) != i)


def _writes_overlap(leaves: list, entry: Trace) -> bool:
    """Whether an argument the function writes shares memory with another argument (`f(x,
    x[1:])`, or `f(b, b)` traced as two arrays): the compiled code reads the other one as it
    was before the write."""
    arrays = [x for x in leaves if isinstance(x, np.ndarray)]
    if all(a.base is None for a in arrays) and \
            len(set(map(id, arrays))) == len(arrays) - len(entry.shared):
        return False  # each owns its memory (the common case, checked without NumPy)
    one = dict(entry.shared)  # leaves traced as one array (`Trace.shared`)
    for i, _ in entry.mutated:
        written = leaves[i]
        if not isinstance(written, np.ndarray):  # a device array: CuPy's own memory
            continue
        for j, other in enumerate(leaves):
            if j != i and isinstance(other, np.ndarray) and one.get(i, i) != one.get(j, j) and (
                    other is written or not _owners(written, other))  \
                    and np.may_share_memory(written, other) and \
                    not _fields_apart(written, other):
                return True
    return False


def _fields_apart(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether `a` and `b` are two fields of one structured array (a structured argument's
    leaves): their bytes in each record are apart."""
    base = a.base
    if base is None or b.base is not base or base.dtype.names is None:
        return False
    start = base.__array_interface__["data"][0]
    spans = {offset: dtype.itemsize for dtype, offset, *_ in base.dtype.fields.values()}
    at = [x.__array_interface__["data"][0] - start for x in (a, b)]
    if any(o not in spans for o in at):
        return False
    (oa, ob) = at
    return oa + spans[oa] <= ob or ob + spans[ob] <= oa


def _owners(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether `a` and `b` are two arrays each owning its memory (neither is a view): then
    they share none, which is cheaper to know than to ask NumPy (0.4 us a pair)."""
    return a.base is None and b.base is None and a is not b


def _direct_run(entry: Trace) -> tuple[list, tuple]:
    """`[run]`, the backend's run storing written arguments' new values straight into them
    where it can (`llvm._direct_stores`; `[None]` until `_soon` has made it, or where there
    is none), and the positions of the arguments it may write, which must be writeable."""
    pairs = [(out_i, entry.used.index(leaf_i)) for leaf_i, out_i in entry.mutated
             if leaf_i in entry.used]
    into: list = [None]
    if pairs:
        _soon(lambda: into.__setitem__(0, entry.compiled.writing(pairs, set(entry.returned))))
    return into, tuple(leaf_i for leaf_i, _ in entry.mutated)


def _soon(make: Callable[[], None]) -> None:
    """Run `make` now if the code it needs is cached or compiles are not in the background,
    else once the compile worker has generated it."""
    from .lowering.llvm_jit import NeedsCodegen, cached_only

    if not config.background_compile:
        return make()
    try:
        with cached_only():
            make()
    except NeedsCodegen:
        background.later(make)


def _written_back(outs: list, leaves, entry: Trace) -> list:
    """Each new value written into its argument (`entry.mutated`), unless it was stored there
    already (`_direct_run`), and the results as the function returned them: an argument it
    wrote and returned is that array itself."""
    outs = _before_write_back(outs, [leaves[i] for i, _ in entry.mutated],
                              entry.n_outputs - len(entry.mutated), entry.returned)
    for leaf_i, out_i in entry.mutated:
        if outs[out_i] is not leaves[leaf_i]:
            leaves[leaf_i][...] = outs[out_i]  # of the argument's dtype and shape already
    if entry.returned:
        outs = [leaves[entry.returned[k]] if k in entry.returned else o
                for k, o in enumerate(outs)]
    return outs


def _before_write_back(outs: list, targets: list, n_results: int, returned: dict) -> list:
    """The results, each that shares memory with an argument about to be overwritten by
    its new value copied first: `old = w.copy(); w -= g; return old` returns the old values
    (the optimizer may have made `old` the argument itself), as NumPy does. `returned`
    results are the arguments themselves."""
    outs = list(outs)
    for j in range(n_results):
        o = outs[j]
        if j in returned:
            continue
        if isinstance(o, np.ndarray) and any(
                not _owners(o, t) and np.may_share_memory(o, t) for t in targets):
            outs[j] = o.copy()
    return outs


def _static_by_nature(v) -> bool:
    """An argument no trace can take as data, static without `static_argnums=`: a dtype
    (`initialize(N, datatype=np.float32)`, `np.dtype("f4")`, `float`), a function
    (`layer(x, W, np.tanh)`), or a `slice` or `range` (`rescale(data, baseline_slice)`),
    keyed by itself."""
    return isinstance(v, (np.dtype, type, types.FunctionType, types.BuiltinFunctionType,
                          np.ufunc, slice, range))


def _steerable_numpy(v) -> bool:
    """A NumPy scalar argument that may steer the function's Python as a Python scalar does
    (`for t in range(T)` of a `T = np.int64(...)` from a shape or a sum): a real one, made
    static by its value and type."""
    return isinstance(v, np.generic) and v.dtype.kind in "biuf"


def _is_config(v) -> bool:
    """Whether `v` is a container of Python scalars only (`{"window": 20, "alpha": 0.1}`, a
    dataclass of settings, `windows=(5, 20)`): made static whole when one of them steers the
    function's Python, as a bare scalar argument is."""
    if type(v) in _SCALARS or isinstance(v, (np.ndarray, np.generic)):
        return False
    leaves, _ = pytree.flatten(v)
    return bool(leaves) and all(type(x) in _SCALARS and type(x) is not complex for x in leaves)


def _config_key(v) -> tuple:
    """A static config's cache key: its structure and its values (with their types: `3` and
    `3.0` steer `np.zeros(n)` differently)."""
    leaves, tree = pytree.flatten(v)
    return tree, tuple((type(x), x) for x in leaves)


def _static_value(v, steered: bool):
    """A static argument as the function gets it: a steered config as a copy (a write into
    it while tracing must not reach the caller's)."""
    if steered and _is_config(v):
        leaves, tree = pytree.flatten(v)
        return pytree.unflatten(tree, leaves)
    return v


def _hashable(v, what: str):
    """A static value's cache key: the value with its type (and its items' in a tuple), as
    1, 1.0 and True are equal keys but may trace differently (`type(n)`, `range(n)`)."""
    try:
        hash(_typed(v))
    except TypeError:
        raise TypeError(f"static {what} must be hashable, got {type(v).__name__}") from None
    return _typed(v)


def _typed(v):
    if type(v) is slice:  # unhashable before Python 3.12: keyed by its bounds
        return slice, _typed((v.start, v.stop, v.step))
    return tuple(_typed(x) for x in v) if type(v) is tuple else (type(v), v)


def _fmt_static(static: tuple) -> str:
    """`n=3 (int), mode='sum' (str)` of a key's static part (a position is its index)."""
    shown = []
    for where, k in static:
        v = _plain(k)
        shown.append(f"{where}={v!r}" + ("" if type(v) is tuple else f" ({type(v).__name__})"))
    return ", ".join(shown)


def _plain(k):
    """A static value from its key (`_typed` undone)."""
    if type(k) is tuple and len(k) == 2 and k[0] is slice:
        return slice(*_plain(k[1]))
    if type(k) is tuple and len(k) == 2 and isinstance(k[0], type):
        return k[1]
    return tuple(_plain(x) for x in k) if type(k) is tuple else k


def _fmt_sig(sig) -> str:
    if len(sig) == 1:
        return f"python {sig[0].__name__}"
    layout = [f" {v}-ordered" if v in ("C", "F") else f" strides {v}" if isinstance(v, tuple)
              else f" {v}" for v in sig[2:]]
    return f"{sig[0]}{list(sig[1])}{''.join(layout)}"


def jit(fn: Callable | None = None, *, static_argnums: int | Sequence[int] = (),
        static_argnames: str | Sequence[str] = (), fallback: bool = False,
        mode: str | None = None, stabilize: bool = True,
        backend: str | None = None,
        device: str | None = None) -> JitFunction | Callable[[Callable], JitFunction]:
    """Compile a NumPy function: trace it per input signature, optimize, run compiled code.

    Usable as `@jit` or `@jit(static_argnums=(1,))`. With `fallback=True`, a
    function that cannot be traced runs eagerly in NumPy after one warning.
    `stabilize=False` keeps NumPy's exact (unstabilized) formulas. `device="cuda"` runs on
    the GPU with NumPy arrays in and out; CuPy array arguments always run on their device.
    """
    if fn is None:
        return lambda f: JitFunction(f, static_argnums, static_argnames, fallback, mode,
                                     stabilize, backend, device)
    return JitFunction(fn, static_argnums, static_argnames, fallback, mode, stabilize, backend,
                       device)


def make_graph(fn: Callable, *, static_argnums=(), static_argnames=(),
               optimized: bool = False) -> Callable[..., ir.Graph]:
    """`make_graph(f)(*args)` is the graph tracenp traces from `f` for those arguments."""
    jf = fn if isinstance(fn, JitFunction) else JitFunction(fn, static_argnums, static_argnames)

    def build(*args, **kwargs) -> ir.Graph:
        return jf.graph(*args, optimized=optimized, **kwargs)

    return build
