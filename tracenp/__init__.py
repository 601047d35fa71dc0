"""tracenp: ordinary NumPy code, traced into a graph, optimized, compiled and differentiated.

    @tracenp.jit
    def f(a, b):
        return a * b + np.sin(a)

See README.md and docs/ for the tour.
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import numpy_api  # noqa: F401  (registers NumPy's functions for tracers)
from .autodiff import grad, jacobian, value_and_grad, vjp
from .background import wait_compiled
from . import disk_cache  # noqa: F401  (tracenp.disk_cache.clear())
from .config import config
from .dask_blocks import map_blocks
from .errors import ConcretizationError, TracingError, UnsupportedFunctionError
from .explain import explain
from .ir import Graph, Node
from .jit import JitFunction, TracingFallbackWarning, jit, make_graph
from .lowering.cupy import DeviceError
from .tracer import Tracer
from . import printing, tensor  # noqa: E402  (the Theano-style API over the same graph)
from .function import Function, In, function
from .shared import SharedVariable, shared
from .trace import prepare as _prepare_tracing

_prepare_tracing()  # NumPy's functions and ufuncs, wrapped once for tracing lists of tracers

__all__ = [
    "jit", "make_graph", "grad", "value_and_grad", "vjp", "jacobian", "JitFunction", "Graph",
    "Node", "Tracer", "config",
    "TracingError", "ConcretizationError", "UnsupportedFunctionError", "TracingFallbackWarning",
    "function", "Function", "In", "shared", "SharedVariable", "tensor", "printing", "explain",
    "DeviceError", "map_blocks", "wait_compiled",
]
