"""Backends: each turns an optimized graph into something that runs it.

A backend is an object with a `name` and `compile(graph) -> Executable`,
where an executable maps a list of input arrays to a list of output arrays.
`numpy_ref` interprets the graph with NumPy and is the oracle for the others.
"""

from __future__ import annotations

from typing import Callable, Protocol

import numpy as np

from ..ir import Graph

Executable = Callable[[list[np.ndarray]], list[np.ndarray]]
WROTE = object()  # what a builtin entry (`llvm_entry`) returns for a function returning None


class Backend(Protocol):
    name: str

    def compile(self, graph: Graph) -> Executable: ...


def get_backend(name: str) -> Backend:
    if name == "numpy":
        from .numpy_ref import BACKEND
    elif name == "llvm":
        from .llvm import BACKEND
    elif name == "cupy":
        from .cupy import BACKEND
    else:
        raise ValueError(f"unknown backend {name!r}; known: 'numpy', 'cupy', 'llvm'")
    return BACKEND
