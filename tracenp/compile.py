"""The pipeline from a traced graph to something that runs: optimize, then lower.

The order of passes is written here, in one place. FAST_RUN compiles with the LLVM
backend (`lowering/llvm.py`); FAST_COMPILE skips the optimizer and runs the graph with the
NumPy reference backend.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .check import maybe_check
from .config import config
from .ir import Graph
from .lowering import Executable, get_backend
from .rewrite.pattern import RewriteLog
from .rewrite.pattern import run as run_rules
from .rewrite.reassociate import REASSOCIATE
from .rewrite.simplify import SIMPLIFY
from .rewrite.stabilize import STABILIZE


@dataclass
class Compiled:
    """What a compiled graph keeps: the graphs before and after, and the runnable."""

    traced: Graph
    optimized: Graph
    run: Executable
    backend: str
    report: dict = field(default_factory=dict)


def optimize(graph: Graph, *, stabilize: bool = True, report: dict | None = None) -> Graph:
    """The rewrite sets, in this order, each to a fixed point; each result checked (TRACENP_CHECK).

    simplify first, so stabilize's patterns see canonical forms; simplify again
    to clean up what stabilize built. Without `stabilize`, only exact rewrites run.
    """
    maybe_check(graph, "trace")
    sets = [SIMPLIFY, STABILIZE, REASSOCIATE, SIMPLIFY] if stabilize else [SIMPLIFY]
    log = RewriteLog()
    t0 = time.perf_counter()
    for rules in sets:
        graph = run_rules(graph, rules, log)
        maybe_check(graph, rules.name)
    if report is not None:
        report.update(stabilize=stabilize, rewrites=log.fired, passes=log.passes,
                      optimize_s=time.perf_counter() - t0)
    return graph


def compile_graph(graph: Graph, mode: str = "FAST_RUN", *, stabilize: bool = True,
                  backend: str | None = None, device: str | None = None) -> Compiled:
    """Optimize and lower `graph`; `device` ("cpu"/"cuda", default `config.device`) picks the
    backend when `backend` is not given."""
    report: dict = {}
    if backend is None and (device or config.device).startswith("cuda"):
        backend = "cupy"
    if mode == "FAST_COMPILE":
        maybe_check(graph, "trace")
        optimized, backend = graph, backend or "numpy"
    else:
        optimized = optimize(graph, stabilize=stabilize, report=report)
        backend = backend or config.backend
    run = get_backend(backend).compile(optimized)
    return Compiled(graph, optimized, run, backend, report)
