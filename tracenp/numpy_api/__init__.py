"""NumPy's surface, composed from tracenp's primitives.

Each module registers implementations of NumPy functions with `@implements`;
`Tracer.__array_function__` looks them up here. A NumPy function with no
entry raises `UnsupportedFunctionError` naming it.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import errors

HANDLED: dict[Callable, Callable] = {}


def implements(*np_funcs: Callable):
    """Register the decorated function as the traced version of each of `np_funcs`."""

    def register(impl):
        for f in np_funcs:
            HANDLED[f] = impl
        return impl

    return register


def dispatch_function(func, args, kwargs):
    impl = HANDLED.get(func)
    if impl is None:
        name = getattr(func, "__module__", "numpy") or "numpy"
        raise errors.unsupported(f"{name}.{func.__name__}")
    return impl(*args, **kwargs)


def covered() -> list[str]:
    """Qualified names of the NumPy functions tracenp traces."""
    names = set()
    for f in HANDLED:
        mod = getattr(f, "__module__", "numpy") or "numpy"
        mod = "numpy" if mod.startswith("numpy") and "linalg" not in mod and "fft" not in mod else mod
        names.add(f"{mod}.{f.__name__}".replace("numpy.linalg._linalg", "numpy.linalg"))
    return sorted(names)


from . import (  # noqa: E402,F401  (registration happens on import)
    creation,
    indexing,
    linalg,
    reductions,
    shape,
    ufuncs,
)

__all__ = ["HANDLED", "implements", "dispatch_function", "covered", "np"]
