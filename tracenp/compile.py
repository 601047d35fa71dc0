"""The pipeline from a traced graph to something that runs: optimize, then lower.

The order of passes is written here, in one place. FAST_COMPILE skips the
optimizer and runs the graph with the NumPy reference backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .check import maybe_check
from .ir import Graph
from .lowering import Executable, get_backend


@dataclass
class Compiled:
    """What a compiled graph keeps: the graphs before and after, and the runnable."""

    traced: Graph
    optimized: Graph
    run: Executable
    backend: str
    report: dict = field(default_factory=dict)


def optimize(graph: Graph, *, stabilize: bool = True, report: dict | None = None) -> Graph:
    """The rewrite passes, in order; each result is checked when TRACENP_CHECK is on."""
    maybe_check(graph, "trace")
    return graph


def compile_graph(graph: Graph, mode: str = "FAST_RUN", *, stabilize: bool = True,
                  backend: str | None = None) -> Compiled:
    report: dict = {}
    if mode == "FAST_COMPILE":
        maybe_check(graph, "trace")
        optimized, backend = graph, backend or "numpy"
    else:
        optimized = optimize(graph, stabilize=stabilize, report=report)
        backend = backend or "numpy"
    run = get_backend(backend).compile(optimized)
    return Compiled(graph, optimized, run, backend, report)
