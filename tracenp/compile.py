"""The pipeline from a traced graph to something that runs: optimize, then lower.

The order of passes is written here, in one place. FAST_RUN compiles with the LLVM
backend (`lowering/llvm.py`); FAST_COMPILE skips the optimizer and runs the graph with the
NumPy reference backend. With the LLVM backend a graph whose plan is on disk
(`tracenp.plans`) runs without optimizing it; the optimized graph and the optimizer's report
are then made only if someone asks for them. A graph that needs LLVM to generate code runs
with the NumPy reference backend until the compile worker has made it
(`tracenp.background`), unless `config.background_compile` is off.
"""

from __future__ import annotations

import sys
import time
import warnings

from . import plans
from .background import Background
from .check import maybe_check
from .config import config
from .ir import Graph
from .lowering import Executable, get_backend
from .rewrite.pattern import RewriteLog
from .rewrite.pattern import run as run_rules
from .rewrite.reassociate import REASSOCIATE
from .rewrite.reroll import REROLL
from .rewrite.simplify import SIMPLIFY
from .rewrite.stabilize import STABILIZE


class Compiled:
    """What a compiled graph keeps: the graphs before and after, and the runnable."""

    def __init__(self, traced: Graph, optimized: Graph | None, run: Executable, backend: str,
                 report: dict, stabilize: bool = True):
        self.traced, self._run, self.backend = traced, run, backend
        self._optimized, self._report, self._stabilize = optimized, report, stabilize

    @property
    def run(self) -> Executable:
        """The executable: the compiled one as soon as a background compile has made it."""
        run = self._run
        if isinstance(run, Background) and run.done:
            if run.error is not None:
                warnings.warn(f"tracenp: compiling with LLVM failed ({run.error!r}); calls "
                              f"keep running with NumPy", RuntimeWarning, stacklevel=2)
            self._run = run = run.wait()
        return run

    @property
    def pending(self) -> bool:
        """Whether calls still run the NumPy stand-in while LLVM compiles."""
        return isinstance(self._run, Background) and not self._run.done

    def wait(self) -> Executable:
        """The final executable, waiting for a background compile to end."""
        if isinstance(self._run, Background):
            self._run.wait()
        return self.run

    def writing(self, pairs: list[tuple[int, int]], returned: set[int]) -> Executable | None:
        """The run that stores written arguments' new values straight into them (the LLVM
        backend's `run.writing`), or None. A run from a plan on disk (one launch, without
        its schedule) has none: the graph is lowered in full for it (its kernels are cached,
        so LLVM does not run)."""
        writing = getattr(self.run, "writing", None)
        if writing is None and self.backend == "llvm" and self._optimized is None \
                and not self.pending:
            writing = get_backend("llvm").compile(self.optimized).writing
        return writing(pairs, returned) if writing is not None else None

    @property
    def optimized(self) -> Graph:
        """The optimized graph (made now if a plan from disk let the call skip it)."""
        if self._optimized is None:
            self._optimized = optimize(self.traced, stabilize=self._stabilize,
                                       report=self._report)
        return self._optimized

    @property
    def report(self) -> dict:
        """What the optimizer did and how long each phase took."""
        self.optimized
        return self._report

    def note(self, **times: float) -> None:
        """Record timings without forcing a skipped optimizer to run."""
        self._report.update(times)


def optimize(graph: Graph, *, stabilize: bool = True, report: dict | None = None) -> Graph:
    """The rewrite sets, in this order, each to a fixed point; each result checked (TRACENP_CHECK).

    reroll first (an unrolled loop's rows, batched: the copies are what it compares); then
    simplify, so stabilize's patterns see canonical forms; simplify again to clean up what
    stabilize built. Without `stabilize`, only exact rewrites run.
    """
    maybe_check(graph, "trace")
    sets = [REROLL, SIMPLIFY, STABILIZE, REASSOCIATE, SIMPLIFY] if stabilize else \
        [REROLL, SIMPLIFY]
    log = RewriteLog()
    t0 = time.perf_counter()
    for rules in sets:
        graph = run_rules(graph, rules, log)
        maybe_check(graph, rules.name)
    if report is not None:
        report.update(stabilize=stabilize, rewrites=log.fired, passes=log.passes,
                      optimize_s=time.perf_counter() - t0)
    return graph


def generator_loaded() -> bool:
    """Whether this process has imported the LLVM code generator (llvmlite's IR builder and
    the kernel tables: 25 ms on a 2-core machine). Scheduling a graph needs them, so a
    first call that looks for its code in the caches imports them; for a graph that no
    process compiled (no plan record on disk) and none of whose code this process made,
    the first call leaves that to the compile worker."""
    return "tracenp.lowering.llvm_kernel" in sys.modules


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
        backend = backend or config.backend
        if backend == "llvm":
            recalled = plans.recall(graph, stabilize)
            if recalled.run is not None:
                return Compiled(graph, None, recalled.run, backend, {"plan": "disk"}, stabilize)
        optimized = optimize(graph, stabilize=stabilize, report=report)
    lower = get_backend(backend)
    if backend != "llvm" or mode == "FAST_COMPILE":
        return Compiled(graph, optimized, lower.compile(optimized), backend, report, stabilize)
    if config.background_compile:
        from .lowering.llvm_jit import NeedsCodegen, cached_only

        try:
            if not (recalled.seen or generator_loaded()):
                raise NeedsCodegen("a graph no process compiled")  # (see `generator_loaded`)
            with cached_only():
                run = lower.compile(optimized)
        except NeedsCodegen:
            run = Background(get_backend("numpy").compile(optimized),
                             lambda: lower.compile(optimized),
                             lambda made: plans.store(graph, stabilize, made))
            return Compiled(graph, optimized, run, backend, report, stabilize)
    else:
        run = lower.compile(optimized)
    plans.store(graph, stabilize, run)
    return Compiled(graph, optimized, run, backend, report, stabilize)
