"""`tracenp.explain(f, *args)`: what tracenp did with a function, printable and inspectable.

The report holds the traced and optimized graphs, the rewrites applied (with
the user's source line each came from), the schedule the backend runs (fused
kernels and the ops in each, library calls, views), the ops that run as plain
NumPy calls because the backend cannot fuse them, why a function could not be
traced, the jit cache's hits and misses, and the time each stage took.
Explaining traces and compiles for the arguments' signature but runs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .errors import TracingError
from .fusion import KernelStep, NodeStep, RowGroup, schedule
from .ir import Graph, Node, type_str
from .ops import OPS, Op
from .rewrite.pattern import Fired, PassStats


@dataclass(frozen=True)
class Step:
    """One step of the schedule: a fused kernel, a library call, a view, or a NumPy call."""

    kind: str  # kernel | rows (a row group) | rowdot (a row-dot pass) | library | view | numpy
    ops: tuple[str, ...]  # the ops it runs, in order (a kernel's fused ops)
    shape: tuple
    reduce_axes: tuple = ()

    def __str__(self) -> str:
        dims = ",".join(str(d) for d in self.shape)
        red = f"  reduce over axes {self.reduce_axes}" if self.reduce_axes else ""
        return f"{self.kind:8s} [{dims}]  {' '.join(self.ops)}{red}"


@dataclass
class Explanation:
    """What tracenp did with one function for one input signature."""

    name: str
    signature: str
    mode: str
    backend: str | None
    stabilize: bool
    traced: Graph | None = None
    optimized: Graph | None = None
    rewrites: list[Fired] = field(default_factory=list)
    passes: list[PassStats] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)
    not_traced: str | None = None
    cache: object = None
    times: dict[str, float] = field(default_factory=dict)
    pending: bool = False  # LLVM is still compiling; calls run with NumPy meanwhile

    @property
    def kernels(self) -> list[Step]:
        return [s for s in self.steps if s.kind == "kernel"]

    @property
    def library_calls(self) -> list[Step]:
        return [s for s in self.steps if s.kind == "library"]

    def __str__(self) -> str:
        stab = "on" if self.stabilize else "off"
        head = (f"explain {self.name}({self.signature})  mode={self.mode} "
                f"backend={self.backend or 'default'} stabilize={stab}")
        out = [head]
        if self.not_traced is not None:
            out += ["could not be traced (with fallback=True it runs eagerly in NumPy):",
                    _indent(self.not_traced)]
        if self.traced is not None:
            out += [f"traced graph ({_count(self.traced)} ops):", _indent(str(self.traced))]
            out.append(f"rewrites applied ({len(self.rewrites)}):")
            out += [f"  {f}" for f in self.rewrites] or ["  none"]
            out += [f"optimized graph ({_count(self.optimized)} ops):",
                    _indent(str(self.optimized))]
            counts = {k: sum(s.kind == k for s in self.steps) for k in _PLURAL}
            kinds = ", ".join(f"{n} {_SINGULAR[k] if n == 1 else _PLURAL[k]}"
                              for k, n in counts.items() if n)
            out.append(f"schedule ({kinds or 'nothing to run'}):")
            out += [f"  {s}" for s in self.steps]
            out.append("ran as NumPy calls (no fused lowering): "
                       + ("none" if not self.fallbacks else ""))
            out += [f"  {f}" for f in self.fallbacks]
        if self.cache is not None:
            out.append(f"jit cache (calls so far): {self.cache}".replace("\n", "\n  "))
        if self.times:
            out.append("time: " + ", ".join(f"{k} {v * 1e3:.2f} ms" for k, v in self.times.items()))
        if self.pending:
            out.append("compiling in the background: calls run with NumPy until it is done "
                       "(tracenp.wait_compiled())")
        return "\n".join(out)


_SINGULAR = {"kernel": "kernel", "rows": "row group", "rowdot": "row-dot pass",
             "library": "library call", "view": "view", "numpy": "NumPy call"}
_PLURAL = {"kernel": "kernels", "rows": "row groups", "rowdot": "row-dot passes",
           "library": "library calls", "view": "views", "numpy": "NumPy calls"}


def _indent(text: str) -> str:
    return "  " + text.replace("\n", "\n  ")


def _count(graph: Graph) -> int:
    return sum(n.op not in (Op.INPUT, Op.CONST) for n in graph.nodes())


def _lowerable(backend: str) -> Callable[[Node], bool] | None:
    """The backend's test of whether a node fuses into a kernel; None: it runs node by node."""
    if backend == "llvm":
        from .lowering.llvm import lowerable

        return lowerable
    if backend == "cupy":
        from .lowering.cuda_source import supports

        return supports
    return None


def _kernel_ops(k) -> list[str]:
    ops = [i.op.name.lower() for i in k.body if i.op is not Op.CONST]
    return ops + [o.reduce.name.lower() for o in k.outputs if o.reduce is not None]


def _planned(graph: Graph, backend: str, lowerable) -> list:
    """The steps the backend runs: the LLVM backend adds row groups and row-dot passes."""
    if backend == "llvm":
        from .lowering.llvm import plan

        return plan(graph)[2]
    return list(schedule(graph, lowerable or (lambda n: False)).steps)


def describe_schedule(graph: Graph, backend: str) -> tuple[list[Step], list[str]]:
    """The backend's steps for `graph`, and the fusible-kind ops it runs as NumPy calls."""
    lowerable = _lowerable(backend)
    steps, fallbacks = [], []
    for s in _planned(graph, backend, lowerable):
        if isinstance(s, KernelStep):
            steps.append(Step("kernel", tuple(_kernel_ops(s.kernel)), s.kernel.shape,
                              s.kernel.axes))
            continue
        if isinstance(s, RowGroup):
            ops = [" ".join(_kernel_ops(k)) for k in s.kernels]
            steps.append(Step("rows", (" | ".join(ops),), s.kernels[0].shape, s.kernels[0].axes))
            continue
        if not isinstance(s, NodeStep):  # a row-dot pass: X @ w, the chain, X.T @ r
            ops = ["matmul", *(" ".join(_kernel_ops(c.kernel)) for c in s.chain), "matmul"]
            steps.append(Step("rowdot", (" | ".join(ops),), s.first.srcs[0].shape))
            continue
        n = s.node
        kind = s.kind if lowerable is not None or s.kind == "view" else "numpy"
        steps.append(Step(kind, (n.op.name.lower(),), n.shape))
        if lowerable is not None and OPS[n.op].kind in ("elementwise", "reduce"):
            dts = ", ".join(src.dtype.name for src in n.srcs)
            fallbacks.append(f"{n.op.name.lower()}({dts}) -> {n.dtype.name}: the {backend} "
                             f"backend has no scalar lowering for it")
    return steps, fallbacks


def explain(f, *args, **kwargs) -> Explanation:
    """Trace and compile `f` (a function or `tracenp.jit` function) for `args`, and report."""
    from .config import config
    from .jit import JitFunction, jit

    jf = f if isinstance(f, JitFunction) else jit(f)
    mode = jf.mode or config.mode
    sig = ", ".join(type(a).__name__ for a in args)
    ex = Explanation(jf.__name__, sig, mode, jf.backend, jf.stabilize, cache=jf.cache_info())
    try:
        compiled = jf.compiled(*args, **kwargs)
    except TracingError as e:
        ex.not_traced = str(e)
        return ex
    if compiled is None:  # cached as eager (fallback=True)
        entry = jf._cache.get(jf._key(args, kwargs)[0])
        ex.not_traced = getattr(entry, "eager_reason", None) or "fallback=True"
        return ex
    rep = compiled.report
    ex.signature = ", ".join(f"{n.attrs['name']}:{type_str(n)}" for n in compiled.traced.inputs)
    ex.backend, ex.traced, ex.optimized = compiled.backend, compiled.traced, compiled.optimized
    ex.rewrites, ex.passes = list(rep.get("rewrites", [])), list(rep.get("passes", []))
    ex.stabilize = rep.get("stabilize", jf.stabilize) and mode != "FAST_COMPILE"
    ex.steps, ex.fallbacks = describe_schedule(compiled.optimized, compiled.backend)
    ex.times = {k[:-2]: rep[k] for k in ("trace_s", "optimize_s", "compile_s") if k in rep}
    ex.pending = compiled.pending
    return ex

