"""The tracing context: which function is being traced, and NumPy's creation routines redirected.

While a function is traced, `np.zeros`, `np.ones`, `np.empty`, `np.full`,
`np.arange`, `np.eye`, `np.array`, `np.asarray` ... return tracers, so that code
like `out = np.zeros(n); out[:, 0] = x[:, 0]` traces as written. The patch is
undone when tracing ends, and tracing holds a lock so threads do not see it. Reductions
and the like given a Python list of tracers (`np.mean([a, b])`) are swapped too
(`numpy_api/sequences.py`).
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

_lock = threading.RLock()
_state = threading.local()
_np_random = np.random


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
            caller = sys._getframe(1).f_globals.get("__name__", "")
            if caller.split(".")[0] in ("numpy", "tracenp"):
                return attr(*args, **kwargs)
            if name == "default_rng" and _fixed_seed(args[0] if args else kwargs.get("seed")):
                with _drawing():
                    return _Seeded(attr(*args, **kwargs))
            from .errors import random_in_trace

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
            from .lax import is_tracer

            if name in _BY_INDEX and args and is_tracer(args[0]) and args[0].ndim:
                return _BY_INDEX[name](self._generator, *args, **kwargs)
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


# Methods that draw indices into an array argument: a traced array takes them by indexing.
_BY_INDEX = {"permutation": _permuted, "shuffle": _shuffle, "choice": _choice}


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


@dataclass
class TraceState:
    fn_name: str
    mutated_inputs: list = field(default_factory=list)
    stabilize: bool = True  # whether graphs built inside (gradients) may be stabilized


def current_trace() -> TraceState | None:
    stack = getattr(_state, "stack", None)
    return stack[-1] if stack else None


@contextlib.contextmanager
def tracing(fn_name: str, stabilize: bool | None = None):
    from .numpy_api.creation import PATCHED
    from .numpy_api.predicates import PATCHED as PREDICATES
    from .numpy_api.sequences import PATCHED as LISTED

    with _lock:
        stack = _state.__dict__.setdefault("stack", [])
        outer = stack[-1].stabilize if stack else True
        state = TraceState(fn_name, stabilize=outer if stabilize is None else stabilize)
        stack.append(state)
        saved, random_modules = {}, []
        if len(stack) == 1:
            for name, fn in {**PATCHED, **LISTED, **PREDICATES,
                             "random": _RandomGuard()}.items():
                saved[name] = getattr(np, name)
                setattr(np, name, fn)
            shim = _NumpyForRandom({k: v for k, v in saved.items() if k in PATCHED})
            random_modules = [m for n, m in list(sys.modules.items())
                              if n.startswith("numpy.random.") and getattr(m, "np", None) is np]
            for m in random_modules:
                m.np = shim
        try:
            yield state
        finally:
            for name, fn in saved.items():
                setattr(np, name, fn)
            for m in random_modules:
                m.np = np
            stack.pop()
