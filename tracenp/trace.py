"""The tracing context: which function is being traced, and NumPy's creation routines redirected.

While a function is traced, `np.zeros`, `np.ones`, `np.empty`, `np.full`,
`np.arange`, `np.eye`, `np.array`, `np.asarray` ... return tracers, so that code
like `out = np.zeros(n); out[:, 0] = x[:, 0]` traces as written. The patch is
undone when tracing ends, and tracing holds a lock so threads do not see it.
`np.random` is guarded the same way: a draw while tracing raises `RandomInTraceError`.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from dataclasses import dataclass, field

import numpy as np

_lock = threading.RLock()
_state = threading.local()
_np_random = np.random


class _RandomGuard:
    """`np.random` while tracing: a draw made from user code raises `RandomInTraceError`,
    because it would happen once, at trace time, and be frozen into the compiled function."""

    def __getattr__(self, name: str):
        attr = getattr(_np_random, name)
        if isinstance(attr, type) or not callable(attr):
            return attr

        def guarded(*args, **kwargs):
            caller = sys._getframe(1).f_globals.get("__name__", "")
            if caller.split(".")[0] in ("numpy", "tracenp"):
                return attr(*args, **kwargs)
            from .errors import random_in_trace

            raise random_in_trace(name)

        return guarded


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

    with _lock:
        stack = _state.__dict__.setdefault("stack", [])
        outer = stack[-1].stabilize if stack else True
        state = TraceState(fn_name, stabilize=outer if stabilize is None else stabilize)
        stack.append(state)
        saved = {}
        if len(stack) == 1:
            for name, fn in {**PATCHED, "random": _RandomGuard()}.items():
                saved[name] = getattr(np, name)
                setattr(np, name, fn)
        try:
            yield state
        finally:
            for name, fn in saved.items():
                setattr(np, name, fn)
            stack.pop()
