"""The tracing context: which function is being traced, and NumPy's creation routines redirected.

While a function is traced, `np.zeros`, `np.ones`, `np.empty`, `np.full`,
`np.arange`, `np.eye`, `np.array`, `np.asarray` ... return tracers, so that code
like `out = np.zeros(n); out[:, 0] = x[:, 0]` traces as written. The patch is
undone when tracing ends; one trace runs at a time (a lock). Calls from NumPy's and
tracenp's own modules get the originals, whatever the thread (the background compile
worker); user code in another thread that creates arrays while a trace runs would not.
The NumPy functions tracenp implements, and the ufuncs, are wrapped the same way, so that a
list holding tracers (`np.diag([1.0, 1.0, d])`, `np.mean([a, b])`, `np.maximum.reduce([a, b])`),
which NumPy's dispatch does not look into, reaches tracenp instead of being converted to an array.
`np.random` is guarded the same way: a draw while tracing raises `RandomInTraceError`,
except from a generator made inside the function with a fixed seed (`default_rng(0)`,
`RandomState(0)`).
"""

from __future__ import annotations

import contextlib
import sys
import threading
import types
from dataclasses import dataclass, field

import numpy as np

from . import lax

_lock = threading.RLock()
_state = threading.local()
_np_random = np.random
_ROUTES: list = []  # (namespace's __dict__, {name: wrapper}) a trace installs; prepare()
_RANDOM_MODULES: list = [-1]  # len(sys.modules) when scanned, then the modules


class _RandomGuard:
    """`np.random` while tracing: a draw made from user code raises `RandomInTraceError`,
    because it would happen once, at trace time, and be frozen into the compiled function.
    A generator made here from a fixed seed (`default_rng(0)`) draws the same numbers on every
    call, so its draws are constants of the trace."""

    def __getattr__(self, name: str):
        attr = getattr(_np_random, name)
        if name == "RandomState":
            return _RandomState
        if isinstance(attr, type) or not callable(attr):
            return attr

        def guarded(*args, **kwargs):
            from .numpy_api.creation import from_library

            if from_library(sys._getframe(1).f_globals.get("__name__", "")):
                return attr(*args, **kwargs)
            if name == "default_rng" and _fixed_seed(args[0] if args else kwargs.get("seed")):
                with _drawing():
                    return _Seeded(attr(*args, **kwargs))
            from .errors import random_in_trace

            if name == "default_rng" and lax.holds_tracer(args[0] if args else kwargs.get("seed")):
                raise random_in_trace("np.random.default_rng with a traced seed (a seed that "
                                      "is an argument is traced unless it is static: "
                                      "static_argnames=('seed',))")
            raise random_in_trace(f"np.random.{name}")

        return guarded


class _RandomStateType(type):
    """`np.random.RandomState` while tracing: made with a fixed seed it draws the same numbers
    on every call, like `default_rng(0)`; without one its draws are refused. `isinstance`
    still recognizes NumPy's and the seeded ones (scikit-learn's `check_random_state`)."""

    def __call__(cls, seed=None):
        if not _fixed_seed(seed):
            return _np_random.RandomState(seed)
        with _drawing():
            return _Seeded(_np_random.RandomState(seed))

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, _np_random.RandomState) or (
            isinstance(obj, _Seeded) and isinstance(obj._generator, _np_random.RandomState))


class _RandomState(metaclass=_RandomStateType):
    pass


class _Seeded:
    """A generator made inside the traced function from a fixed seed: its methods may draw."""

    def __init__(self, generator):
        self._generator = generator

    def __getattr__(self, name: str):
        attr = getattr(self._generator, name)
        if not callable(attr):
            return attr

        def draw(*args, **kwargs):
            if name == "choice" and lax.is_tracer(kwargs.get("p", args[3] if len(args) > 3
                                                              else None)):
                return _choice_by_probability(self._generator, *args, **kwargs)
            if name in _BY_INDEX and args and lax.is_tracer(args[0]) and args[0].ndim:
                return _BY_INDEX[name](self._generator, *args, **kwargs)
            traced = any(lax.is_tracer(v) or (isinstance(v, (list, tuple)) and
                                               lax.holds_tracer(v))
                         for v in (*args, *kwargs.values()))
            if name in _LOC_SCALE and traced:
                return _shifted_and_scaled(self._generator, name, *args, **kwargs)
            if traced:
                from .errors import unsupported

                raise unsupported(f"{name}() of a seeded generator with traced parameters (NumPy "
                                  "converts them to draw; normal, uniform, exponential and "
                                  "choice(p=...) take traced ones)")
            with _drawing():
                return attr(*args, **kwargs)

        return draw


def _permuted(generator, x, axis=0):
    """`permutation(x)` of a traced `x`: the draw of `permutation(n)` (NumPy permutes an array
    with the same draws), applied with `np.take`."""
    with _drawing():
        perm = generator.permutation(x.shape[axis])
    return np.take(x, perm, axis=axis)


def _shuffle(generator, x, axis=0):
    x[...] = _permuted(generator, x, axis)


def _choice(generator, a, size=None, replace=True, p=None, axis=0, shuffle=True):
    kw = {"axis": axis, "shuffle": shuffle} if isinstance(generator, np.random.Generator) else {}
    if not kw and a.ndim != 1:
        raise ValueError("a must be 1-dimensional")
    with _drawing():
        idx = generator.choice(a.shape[axis], size, replace, p, **kw)
    return np.take(a, idx, axis=axis)


def _choice_by_probability(generator, a, size=None, replace=True, p=None, axis=0,
                           shuffle=True):
    """`rng.choice(k, p=probs)` with traced `probs` (a policy's action draw), as NumPy draws
    it with replacement: uniform numbers placed into the normalized cumulative sum by
    `searchsorted(side="right")`. NumPy's checks of `p` (non-negative, summing to one) need
    its values and are not made."""
    if not replace:
        from .errors import unsupported

        raise unsupported("choice(replace=False) with traced probabilities p")
    p = lax.lift(p)
    if p.ndim != 1:
        raise ValueError("p must be 1-dimensional")
    n = a if isinstance(a, (int, np.integer)) else np.shape(a)[axis]
    if p.shape[0] != n:
        raise ValueError("a and p must have same size")
    cdf = np.cumsum(lax.cast(p, np.float64))
    cdf = cdf / cdf[-1]
    with _drawing():
        u = (generator.random if isinstance(generator, np.random.Generator)
             else generator.random_sample)(size)
    idx = np.searchsorted(cdf, u, side="right")
    if isinstance(a, (int, np.integer)):
        return idx.with_returns("python") if size is None else idx  # NumPy: idx.item(0)
    return np.take(lax.lift(a), idx, axis=axis)


# Methods that draw indices into an array argument: a traced array takes them by indexing.
_BY_INDEX = {"permutation": _permuted, "shuffle": _shuffle, "choice": _choice}

# Draws that shift and scale a standard draw, as NumPy computes them (`loc + scale * z`, one z
# per element of the output in C order), so traced parameters apply to drawn constants:
# (the standard draw, the parameters with their defaults, how they combine).
_LOC_SCALE = {
    "normal": ("standard_normal", (("loc", 0.0), ("scale", 1.0)),
               lambda z, loc, scale: loc + scale * z),
    "uniform": ("random", (("low", 0.0), ("high", 1.0)),
                lambda u, low, high: low + (high - low) * u),
    "exponential": ("standard_exponential", (("scale", 1.0),), lambda e, scale: scale * e),
}


def _shifted_and_scaled(generator, name, *args, **kwargs):
    """`rng.normal(mu, sigma)` (also `uniform`, `exponential`) with traced parameters. NumPy
    refuses a negative scale; a traced one cannot be checked."""
    method, params, combine = _LOC_SCALE[name]
    names = [p for p, _ in params]
    values = dict(params)
    values.update(zip(names + ["size"], args))
    values.update(kwargs)
    size = values.pop("size", None)
    if set(values) != set(names):
        raise TypeError(f"{name}() got an unexpected keyword argument "
                        f"{sorted(set(values) - set(names))[0]!r}")
    vals = [lax.cast(lax.lift(values[p]), np.float64) for p in names]
    shape = np.broadcast_shapes(*(v.shape for v in vals)) if size is None else size
    with _drawing():
        z = getattr(generator, method)(size=shape)
    out = combine(np.asarray(z), *vals)
    return out.with_returns("python") if size is None and out.ndim == 0 else out


@contextlib.contextmanager
def _drawing():
    outer = getattr(_state, "drawing", False)
    _state.drawing = True
    try:
        yield
    finally:
        _state.drawing = outer


class _NumpyForRandom(types.ModuleType):
    """`np` as `numpy.random`'s compiled modules see it while tracing: NumPy's own creation
    routines (theirs have no Python frame, so the redirected ones would hand them tracers),
    and a draw from a generator made outside the function is refused: its numbers would be
    frozen into the compiled function."""

    def __init__(self, originals: dict):
        super().__init__("numpy")
        self._originals = originals

    def __getattr__(self, name: str):
        if name not in self._originals:
            return getattr(np, name)
        fn = self._originals[name]

        def creation(*args, **kwargs):
            if not getattr(_state, "drawing", False):
                from .errors import random_in_trace

                raise random_in_trace("A draw from a generator not made here by "
                                      "np.random.default_rng(seed) or RandomState(seed)")
            return fn(*args, **kwargs)

        return creation


def _fixed_seed(seed) -> bool:
    """An int or a sequence of ints, not entropy (None) or a traced value."""
    ints = (int, np.integer)
    return isinstance(seed, ints) or (isinstance(seed, (list, tuple)) and len(seed) > 0
                                      and all(isinstance(v, ints) for v in seed))


def _routing_lists(func):
    """`func` while tracing: an argument that is a list holding tracers (`np.diag([1, 1, d])`,
    `np.mean([a, b])`) is invisible to NumPy's dispatch, which would convert the list and ask
    for the tracers' values; such a call goes to tracenp's version of `func` instead."""
    from .numpy_api import dispatch_function

    def call(*args, **kwargs):
        items = (*args, *kwargs.values())
        if any(isinstance(a, (list, tuple)) and lax.holds_tracer(a) for a in items) and \
                not any(lax.is_tracer(a) for a in items):
            return dispatch_function(func, args, kwargs)
        return func(*args, **kwargs)

    call.__name__, call.__doc__, call.__wrapped__ = func.__name__, func.__doc__, func
    return call


class _UfuncTakingLists:
    """`np.<ufunc>` while tracing: a list holding tracers as an operand (`np.sqrt([a, b])`,
    `np.maximum.reduce([a, b, c])`, `np.logical_and.reduce([m1, m2])`), which NumPy would
    convert to an array itself, is stacked first; all else is the ufunc's own. It compares and
    hashes as the ufunc, so tables keyed by ufuncs still find it."""

    def __init__(self, ufunc: np.ufunc):
        self._ufunc = ufunc

    def __call__(self, *args, **kwargs):
        return self._ufunc(*_stacked(args), **kwargs)

    def reduce(self, array, *args, **kwargs):
        return self._ufunc.reduce(*_stacked((array,)), *args, **kwargs)

    def accumulate(self, array, *args, **kwargs):
        return self._ufunc.accumulate(*_stacked((array,)), *args, **kwargs)

    def outer(self, a, b, **kwargs):
        return self._ufunc.outer(*_stacked((a, b)), **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._ufunc, name)

    @property
    def __class__(self):  # isinstance(np.sin, np.ufunc) stays True
        return np.ufunc

    def __eq__(self, other) -> bool:
        return self._ufunc == getattr(other, "_ufunc", other)

    def __hash__(self) -> int:
        return hash(self._ufunc)

    def __repr__(self) -> str:
        return repr(self._ufunc)


def _stacked(args) -> tuple:
    return tuple(lax.lift(a) if isinstance(a, (list, tuple)) and lax.holds_tracer(a) else a
                 for a in args)


def prepare() -> None:
    """Make the namespace wrappers a trace installs (a few ms, once): `import tracenp` does,
    so that a first trace does not."""
    if not _ROUTES:
        from .numpy_api.creation import PATCHED

        by_module: dict = {}
        for module, name, fn in ([(np, n, f) for n, f in PATCHED.items()] + _list_routes(PATCHED)
                                 + [(np, "random", _RandomGuard())]):
            getattr(module, name)  # a lazily loaded name is in the namespace from now on
            by_module.setdefault(module, {})[name] = fn
        _ROUTES.extend((vars(m), wrappers) for m, wrappers in by_module.items())


def _random_modules() -> list:
    """`numpy.random`'s modules that use `np` (rescanned only when modules were imported)."""
    if _RANDOM_MODULES[0] != len(sys.modules):
        _RANDOM_MODULES[:] = [len(sys.modules)] + [
            m for n, m in list(sys.modules.items())
            if n.startswith("numpy.random.") and getattr(m, "np", None) is np]
    return _RANDOM_MODULES[1:]


def _list_routes(patched) -> list:
    """(namespace, name, wrapper) for each function tracenp implements in `np` and `np.linalg`
    (not those `patched` already replaces), and for each ufunc in `np`."""
    from .numpy_api import HANDLED

    routes = [(np, name, _UfuncTakingLists(uf)) for name, uf in vars(np).items()
              if isinstance(uf, np.ufunc)]
    for func in HANDLED:
        if isinstance(func, np.ufunc):
            continue  # routed above; a second route would save the first one's wrapper
        for module in (np, np.linalg):
            name = func.__name__
            if getattr(module, name, None) is func and not (module is np and name in patched):
                routes.append((module, name, _routing_lists(func)))
    return routes


@dataclass
class TraceState:
    fn_name: str
    mutated_inputs: list = field(default_factory=list)
    stabilize: bool = True  # whether graphs built inside (gradients) may be stabilized
    selections: list = field(default_factory=list)  # (weakref, error) of x[mask] selections


def current_trace() -> TraceState | None:
    stack = getattr(_state, "stack", None)
    return stack[-1] if stack else None


def _check_selections(state: TraceState, stack: list) -> None:
    """A selection of unknown length (`x[mask]`, `np.nonzero(mask)`) still alive when the
    outermost trace ends is in the result, or kept past the call: its error, made where it
    was created, is raised. An inner (inlined) trace hands its live ones to the outer one."""
    alive = [(ref, error) for ref, error in state.selections if ref() is not None]
    if len(stack) > 1:
        stack[-2].selections.extend(alive)
    elif alive:
        raise alive[0][1]


@contextlib.contextmanager
def tracing(fn_name: str, stabilize: bool | None = None):
    from .numpy_api.creation import PATCHED

    with _lock:
        stack = _state.__dict__.setdefault("stack", [])
        outer = stack[-1].stabilize if stack else True
        state = TraceState(fn_name, stabilize=outer if stabilize is None else stabilize)
        stack.append(state)
        saved: list = []  # (namespace, its entries before the trace)
        random_modules: list = []
        try:  # a failure while patching still restores what was patched
            if len(stack) == 1:
                prepare()
                for namespace, wrappers in _ROUTES:  # one update each (344 setattrs: 0.2 ms)
                    saved.append((namespace, {n: namespace[n] for n in wrappers}))
                    namespace.update(wrappers)
                numpy_saved = next(before for ns, before in saved if ns is vars(np))
                shim = _NumpyForRandom({k: numpy_saved[k] for k in PATCHED})
                random_modules = _random_modules()
                for m in random_modules:
                    m.np = shim
            yield state
            _check_selections(state, stack)
        finally:
            for namespace, before in saved:
                namespace.update(before)
            for m in random_modules:
                m.np = np
            stack.pop()
