"""Fusion: an optimized graph becomes a short `Schedule` of steps, the same for every backend.

A step is one of
- `KernelStep`: a fused `Kernel`, one loop nest over an iteration space whose body is scalar
  ops; a backend renders it (LLVM function, CUDA kernel) from its scalar op table;
- `NodeStep`: one graph node run whole by a library (kind "library": matmul/einsum into a
  preplanned buffer, sort, linalg, gather/scatter, scans, and elementwise ops the backend
  has no scalar lowering for) or a view (kind "view": reshape, transpose, broadcast and
  slice, which never copy).

A `Kernel` is backend-neutral data:
- `shape`: the iteration space, the broadcast shape of the fused elementwise values;
- `inputs`: graph nodes read, each broadcast into `shape` NumPy-style (right-aligned,
  size-1 and missing dims repeat: stride 0); `pattern(i)` spells that per dim;
- `body`: scalar instructions in order. Kernel-local value `v` is input `v` for
  `v < len(inputs)`, else the result of `body[v - len(inputs)]`. An `Instr` is an `Op` of kind
  elementwise (NumPy ufunc semantics on scalars whose dtypes are already the loop's),
  or `Op.CONST` with a `value` param (a 0-d constant, folded into the code);
- `outputs`: each names a value and the graph node it produces: an elementwise result
  (stored at every point of `shape`) or, with `reduce` in SUM/PROD/MAX/MIN, that value
  reduced over `axes` (several outputs of both kinds may share one pass).

Rules: a chain of elementwise nodes fuses when each inner node has one consumer and the
consumer's shape (unless the chain would then read more than `MAX_FUSED` arrays or run
more than `MAX_FUSED` instructions: then its largest inner chain is stored); a reduction
fuses with the chain that produces its operand; a reduction of a value that another kernel
materializes anyway becomes one more output of that kernel (softmax: `e = exp(x - m)` and
`sum(e)` in one pass); an elementwise epilogue after a library step (bias and relu after
matmul) is one kernel reading the library's buffer.

A backend may also read an input, or store a 0-d kernel's output, as a strided window of a
larger array (`Kernel.windows`: the CPU backend's `x[i]`, `X[i]` and `s` of an unrolled
loop), its start and steps passed at run time after the extents (`words`), so kernels that
differ only in which rows or elements they read share code.

`row_groups` (used by the CPU backend) then gathers kernels whose later passes read earlier
reductions over trailing dims broadcast back into a `RowGroup`, run block of rows by block of
rows so each block is read from memory once for all its passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

import numpy as np

from .ir import Graph, Node
from .ops import OPS, Op

REDUCTIONS = (Op.SUM, Op.PROD, Op.MAX, Op.MIN)
VIEWS = (Op.RESHAPE, Op.TRANSPOSE, Op.BROADCAST, Op.SLICE, Op.STRIDED)
MAX_OPERANDS = 1000  # arrays one launch takes: a C call takes <= 1024 arguments, 4 are fixed
MAX_FUSED = 128  # arrays read or instructions run by one fused chain (`schedule`)
LARGE_OUTPUTS = 6 << 20  # bytes of a kernel's elementwise outputs from which a backend may
# write them past the caches (`Kernel.large_outputs`; the LLVM backend's `llvm_stream`):
# `a*2.0 + b` ran as fast either way with 4 MB outputs, 1.2x faster streamed with 8 MB (1.3x
# at 80 MB), and 1.8x slower streamed with 2 MB, which the L3 holds


@dataclass(frozen=True)
class Instr:
    """One scalar instruction of a kernel body: `op(*args)` over kernel-local values."""

    op: Op
    args: tuple[int, ...]
    params: tuple
    dtype: np.dtype


@dataclass(frozen=True)
class Output:
    """A kernel result: value `value` stored, or reduced with `reduce` over `Kernel.axes`."""

    value: int
    node: Node
    reduce: Op | None = None


@dataclass(frozen=True, eq=False)
class Kernel:
    """One fused loop nest; see the module docstring for its parts."""

    shape: tuple[int, ...]
    inputs: tuple[Node, ...]
    body: tuple[Instr, ...]
    outputs: tuple[Output, ...]
    axes: tuple[int, ...] = ()
    windows: tuple = ()  # per operand (inputs, outputs): None, or the `Window` it is
    shares: tuple = ()  # per operand, the first operand whose array the launch passes for it
    # too (windows of one array: an unrolled loop's `x[i]`); () when each has its own

    def passed(self) -> list[int]:
        """The operands whose arrays a launch passes, in order: each array once."""
        n = len(self.inputs) + len(self.outputs)
        return [j for j in range(n) if not self.shares or self.shares[j] == j]

    def dtype(self, v: int) -> np.dtype:
        """The dtype of kernel-local value `v`."""
        n = len(self.inputs)
        return self.inputs[v].dtype if v < n else self.body[v - n].dtype

    def window(self, i: int) -> Window | None:
        """The window of its array that operand `i` (an input, then an output) is, or None
        if the operand is the array."""
        return self.windows[i] if self.windows else None

    def view_shape(self, i: int) -> tuple:
        """The shape of input `i` as the kernel reads it."""
        w = self.window(i)
        return self.inputs[i].shape if w is None else w.shape

    def pattern(self, i: int) -> str:
        """Per dim of `shape`: 'v' where input `i` varies, 'b' where it is broadcast."""
        return broadcast_pattern(self.view_shape(i), self.shape)

    def words(self) -> np.ndarray:
        """What the kernel reads at run time beside its arrays: the extents (1 for a 0-d
        kernel), then each window's start and steps."""
        extra = [v for w in self.windows if w is not None for v in (*w.start, *w.steps)]
        return np.array([*(self.shape or (1,)), *extra], dtype=np.int64)

    def large_outputs(self) -> bool:
        """Whether the elementwise outputs hold `LARGE_OUTPUTS` bytes or more (part of the
        text: only such kernels carry the code that streams them)."""
        size = int(np.prod(self.shape, dtype=np.int64))
        return sum(size * o.node.dtype.itemsize for o in self.outputs
                   if o.reduce is None) >= LARGE_OUTPUTS

    def text(self) -> str:
        """The kernel without its extents: equal texts run the same code on any extents
        (and on any start and steps of its windows)."""
        n = len(self.inputs)
        lines = [f"in{i}:{self.inputs[i].dtype.name}[{self.pattern(i)}]/"
                 f"{len(self.view_shape(i))}{_window_text(self.window(i))}"
                 for i in range(n)]  # the rank decides which of its strides a dim reads
        for k, ins in enumerate(self.body):
            params = ",".join(f"{a}={_param_text(v)}" for a, v in ins.params)
            args = " ".join(f"%{a}" for a in ins.args)
            lines.append(f"%{n + k}:{ins.dtype.name} = {ins.op.name.lower()}[{params}] {args}")
        for j, o in enumerate(self.outputs, n):
            red = o.reduce.name.lower() if o.reduce else "store"
            lines.append(f"out {red} %{o.value}{_window_text(self.window(j))}")
        units = tuple(d for d in range(1, len(self.shape)) if self.shape[d] == 1)
        lines.append(f"axes {self.axes} of rank {len(self.shape)}, unit dims {units}")
        if self.shares:
            lines.append(f"arrays {self.shares}")
        if self.large_outputs():
            lines.append("large outputs")
        return "\n".join(lines)


@dataclass(frozen=True)
class Window:
    """A strided window of an array: its first element at index `start` of the array, then
    per dim of the window (extent `shape[d]`) a step of `steps[d]` along the array's dim
    `dims[d]`. The dims are code (`Kernel.text`); the start and steps run-time words."""

    start: tuple[int, ...]
    shape: tuple[int, ...]
    dims: tuple[int, ...]
    steps: tuple[int, ...]


def _window_text(w: Window | None) -> str:
    return "" if w is None else f" window of rank {len(w.start)} along {w.dims}"


def broadcast_pattern(src_shape: tuple, shape: tuple) -> str:
    """'b' (stride 0) where the source lacks the dim or repeats a size-1 dim, else 'v'."""
    pad = (_MISSING,) * (len(shape) - len(src_shape)) + tuple(src_shape)
    return "".join("b" if s is _MISSING or (s == 1 and d != 1) else "v"
                   for s, d in zip(pad, shape))


_MISSING = object()


def _param_text(v) -> str:
    if isinstance(v, np.dtype):
        return v.name
    if isinstance(v, float):
        return v.hex()
    return repr(v)


@dataclass(frozen=True)
class KernelStep:
    kernel: Kernel


@dataclass(frozen=True)
class NodeStep:
    """One node run whole with its NumPy reference: a view or a library call."""

    node: Node
    kind: str  # "view" | "library"


@dataclass(frozen=True, eq=False)
class RowGroup:
    """Kernels run together block of rows by block of rows, so each block stays in cache.

    A chain of reductions over trailing dims whose later passes read earlier results
    broadcast back (softmax: max, then exp-sum, then divide; standardize: mean, then
    variance, then scale) streams the whole array once per pass. Row `i` of every kernel
    here reads only row `i` of the values the group makes, so the backend can run all passes
    on a block of rows while it is in cache (the same arithmetic in the same order).
    `steps` are the kernels and the views between them, in schedule order; every kernel's
    dim 0 has extent `rows` and is never reduced. `scratch` are stored values only the group's
    own passes read (softmax's `e`): they need only the current block's rows, so a backend
    may keep them in a block-sized buffer that never leaves the cache.
    """

    steps: tuple[Union[KernelStep, NodeStep], ...]
    rows: int
    scratch: tuple[Node, ...] = ()

    @property
    def kernels(self) -> tuple[Kernel, ...]:
        return tuple(s.kernel for s in self.steps if isinstance(s, KernelStep))

    @property
    def shape(self) -> tuple[int, ...]:
        return self.kernels[0].shape

    def local(self, k: Kernel) -> tuple[int, ...]:
        """Operands of pass `k` (inputs, then outputs) that are scratch values."""
        ids = {id(n) for n in self.scratch}
        nodes = (*k.inputs, *(o.node for o in k.outputs))
        return tuple(j for j, n in enumerate(nodes) if id(n) in ids)

    def final(self, k: Kernel) -> tuple[int, ...]:
        """Elementwise outputs of pass `k` (as operands) that no later step of the group
        reads and that are not scratch: written once and not read here again, so a backend
        may write them past the caches."""
        at = next(i for i, s in enumerate(self.steps)
                  if isinstance(s, KernelStep) and s.kernel is k)
        read = {id(n) for s in self.steps[at + 1:]
                for n in (s.kernel.inputs if isinstance(s, KernelStep) else s.node.srcs)}
        local = self.local(k)
        return tuple(j for j, o in enumerate(k.outputs, len(k.inputs)) if o.reduce is None
                     and j not in local and id(o.node) not in read)

    def text(self) -> str:
        """The passes' texts: equal texts run the same code on any extents."""
        return "\n".join(f"pass {i} scratch {self.local(k)} final {self.final(k)}\n{k.text()}"
                          for i, k in enumerate(self.kernels))

    def row_bytes(self) -> int:
        """Bytes of the row-indexed arrays one row of the group touches (its cache need)."""
        seen: dict[int, int] = {}
        for k in self.kernels:
            for n in (*k.inputs, *(o.node for o in k.outputs if o.reduce is None)):
                if n.ndim == len(k.shape) and n.shape[0] == self.rows:
                    seen[id(n)] = n.size // max(self.rows, 1) * n.dtype.itemsize
        return sum(seen.values())


Step = Union[KernelStep, NodeStep, RowGroup]


@dataclass(frozen=True)
class Schedule:
    """What a backend runs: steps in order over the graph's inputs and constants."""

    inputs: tuple[Node, ...]
    outputs: tuple[Node, ...]
    consts: tuple[Node, ...]
    steps: tuple[Step, ...]

    def __str__(self) -> str:
        lines = []
        for s in self.steps:
            if isinstance(s, RowGroup):
                body = str(Schedule((), (), (), s.steps)).replace("\n", "\n  ")
                lines.append(f"rows {s.rows}:\n  {body}")
            elif isinstance(s, KernelStep):
                body = s.kernel.text().replace("\n", "\n    ")
                lines.append(f"kernel {s.kernel.shape}:\n    {body}")
            else:
                lines.append(f"{s.kind} {s.node.op.name.lower()} {s.node.shape}")
        return "\n".join(lines)


def is_immediate(node: Node) -> bool:
    """A 0-d constant: folded into kernel code rather than read from memory."""
    return node.op is Op.CONST and node.ndim == 0


def schedule(graph: Graph, lowerable: Callable[[Node], bool]) -> Schedule:
    """Partition `graph` into steps; `lowerable(node)` says the backend has a scalar lowering."""
    order = graph.nodes()
    users = graph.users()
    outs = {id(o) for o in graph.outputs}

    known: dict[int, bool] = {}  # lowerable(n), asked for each node many times

    def lowers(n: Node) -> bool:
        ok = known.get(id(n))
        if ok is None:
            ok = known[id(n)] = lowerable(n)
        return ok

    def fusible(n: Node) -> bool:
        return OPS[n.op].kind == "elementwise" and lowers(n)

    def reducible(n: Node) -> bool:
        return n.op in REDUCTIONS and lowers(n)

    cut: set[int] = set()  # inlinable nodes stored to keep kernels within MAX_FUSED

    def inlined(n: Node) -> bool:
        if not fusible(n) or id(n) in outs or id(n) in cut or len(users[id(n)]) != 1:
            return False
        (u,) = users[id(n)]
        if fusible(u):  # a cast read broadcast is redone per element: it costs less than a
            return u.shape == n.shape or n.op is Op.CAST  # kernel of its own (a weak scalar's)
        return reducible(u) and u.srcs[0] is n

    _bound_chains(order, lambda n: fusible(n) or reducible(n), inlined, cut)
    owner: dict[int, _Builder] = {}  # materialized elementwise node -> the kernel storing it
    steps: list = []
    for n in order:
        if n.op is Op.INPUT or n.op is Op.CONST:
            continue
        if fusible(n):
            if inlined(n):
                continue
            b = _Builder(n.shape, inlined)
            b.store(n)
            owner[id(n)] = b
            steps.append(b)
        elif reducible(n):
            src = n.srcs[0]
            b = owner.get(id(src))
            if b is None or not b.accepts(n.attrs["axes"]):
                b = _Builder(src.shape, inlined)
                steps.append(b)
            b.reduce(n)
        else:
            steps.append(NodeStep(n, "view" if n.op in VIEWS else "library"))
    consts = tuple(n for n in order if n.op is Op.CONST)
    built = [KernelStep(s.build()) if isinstance(s, _Builder) else s for s in steps]
    from .fusion_merge import merge_kernels  # it builds on this module's classes

    return Schedule(graph.inputs, graph.outputs, consts, merge_kernels(built, graph.outputs))


def _bound_chains(order: list, fused: Callable[[Node], bool],
                  inlined: Callable[[Node], bool], cut: set) -> None:
    """Add to `cut` the inner chains to store so no chain exceeds `MAX_FUSED` (a sum of
    thousands of slices is otherwise one kernel with thousands of array arguments)."""
    chains: dict[int, tuple[set, int]] = {}  # inlined node -> (arrays read, instructions)
    for n in order:
        if not fused(n):
            continue
        parts = [(s, chains.pop(id(s)) if inlined(s) else ({id(s)}, 0))
                 for s in dict.fromkeys(n.srcs) if not is_immediate(s)]
        while sum(len(r) for _, (r, _) in parts) > MAX_FUSED \
                or sum(c for _, (_, c) in parts) >= MAX_FUSED:
            parts.sort(key=lambda p: len(p[1][0]) + p[1][1])
            src, (_, count) = parts[-1]
            if count == 0:  # only stored arrays left: n reads them all
                break
            cut.add(id(src))
            parts[-1] = (src, ({id(src)}, 0))
        if inlined(n):
            reads = max((r for _, (r, _) in parts), key=len, default=set())
            for _, (r, _) in parts:
                if r is not reads:
                    reads |= r
            chains[id(n)] = (reads, 1 + sum(c for _, (_, c) in parts))


def row_groups(sched: Schedule) -> Schedule:
    """`sched` with each run of row-compatible steps (see `RowGroup`) made one group.

    A run holds kernels whose dim 0 has one extent and is not reduced, and the views between
    them. Values made in the run keep dim 0 as their row index (reductions keep dim 0, views
    of them must be reshapes that keep it), and a kernel may read them only at its own rank,
    so its dim 0 lines up with theirs. A float16 reduction is not read inside a run: its
    partials are float32 until the run ends. A run becomes a group when one of its kernels
    reads a value made in it; otherwise its steps stay as they were.
    """
    last_read = _last_reads(sched)
    out: list = []
    run: list = []
    made: set[int] = set()
    unreadable: set[int] = set()
    state = {"rows": None, "linked": False, "end": -1, "operands": 0}

    def flush() -> None:
        kernels = sum(isinstance(s, KernelStep) for s in run)
        if kernels >= 2 and state["linked"]:
            out.append(RowGroup(tuple(run), state["rows"], _scratch(run, last_read,
                                                                    state["end"])))
        else:
            out.extend(run)
        run.clear()
        made.clear()
        unreadable.clear()
        state.update(rows=None, linked=False, operands=0)

    def fits(k: Kernel) -> bool:
        if state["rows"] is None or not k.shape or None in k.shape \
                or k.shape[0] != state["rows"] or 0 in k.axes:
            return False
        if any(id(n) in unreadable for n in k.inputs) \
                or state["operands"] + len(k.inputs) + len(k.outputs) > MAX_OPERANDS:
            return False
        return all(n.ndim == len(k.shape) for n in k.inputs if id(n) in made)

    for i, s in enumerate(sched.steps):
        if isinstance(s, KernelStep):
            k = s.kernel
            if not fits(k):
                flush()
                if not k.shape or None in k.shape or k.shape[0] < 2 or 0 in k.axes:
                    out.append(s)
                    continue
                state["rows"] = k.shape[0]
            state["linked"] |= any(id(n) in made for n in k.inputs)
            run.append(s)
            state["end"] = i
            state["operands"] += len(k.inputs) + len(k.outputs)
            for o in k.outputs:
                half = o.reduce is not None and o.node.dtype == np.float16
                (unreadable if half else made).add(id(o.node))
        elif run and s.kind == "view" and _row_view(s.node, made, unreadable,
                                                      state["rows"]):
            run.append(s)
            state["end"] = i
            if id(s.node.srcs[0]) in made:
                made.add(id(s.node))
        else:
            flush()
            out.append(s)
    flush()
    return Schedule(sched.inputs, sched.outputs, sched.consts, tuple(out))


def _last_reads(sched: Schedule) -> dict[int, float]:
    """{node id: index of the last step reading it}; graph outputs are read after the end."""
    last: dict[int, float] = {}
    for i, s in enumerate(sched.steps):
        for n in (s.kernel.inputs if isinstance(s, KernelStep) else s.node.srcs):
            last[id(n)] = i
    for n in sched.outputs:
        last[id(n)] = float("inf")
    return last


def _scratch(run: list, last_read: dict, end: int) -> tuple[Node, ...]:
    """Values a run stores at rank >= 2 that no view and no later step reads."""
    viewed = {id(s.node.srcs[0]) for s in run if isinstance(s, NodeStep)}
    return tuple(o.node for s in run if isinstance(s, KernelStep) and len(s.kernel.shape) > 1
                 for o in s.kernel.outputs
                 if o.reduce is None and id(o.node) not in viewed
                 and last_read.get(id(o.node), -1) <= end)


def _row_view(n: Node, made: set, unreadable: set, rows: int) -> bool:
    """A view may join a run if it reads nothing the run makes, or is a reshape of such a
    value that keeps dim 0 (a view of the run's fresh C-ordered buffers, never a copy)."""
    src = n.srcs[0]
    if id(src) in unreadable:
        return False
    if id(src) not in made:
        return True
    return n.op is Op.RESHAPE and n.ndim > 0 and n.shape[0] == rows


class _Builder:
    """Collects one kernel: inputs, body and outputs, inlining single-use producers."""

    def __init__(self, shape: tuple, inlined: Callable[[Node], bool]):
        self.shape = shape
        self.inlined = inlined
        self.inputs: list[Node] = []
        self.body: list[Instr] = []
        self.values: dict[int, int] = {}
        self.outputs: list[Output] = []
        self.axes: tuple | None = None

    def accepts(self, axes: tuple) -> bool:
        return self.axes is None or self.axes == tuple(axes)

    def store(self, n: Node) -> None:
        self.outputs.append(Output(self._expr(n, root=True), n))

    def reduce(self, n: Node) -> None:
        self.axes = tuple(n.attrs["axes"])
        self.outputs.append(Output(self._expr(n.srcs[0]), n, n.op))

    def _expr(self, n: Node, root: bool = False) -> int:
        """The kernel-local value of `n`, emitting its inlined producers first."""
        stack = [(n, False)]
        while stack:
            m, ready = stack.pop()
            if id(m) in self.values:
                continue
            own = m is n and root or self.inlined(m)
            if is_immediate(m):
                self._emit(m, Instr(Op.CONST, (), (("value", m.attrs["value"].value.item()),),
                                    m.dtype))
            elif not own:
                self.values[id(m)] = len(self.inputs)
                self.inputs.append(m)
            elif ready:
                self._emit(m, Instr(m.op, tuple(self.values[id(s)] for s in m.srcs), m.params,
                                    m.dtype))
            else:
                stack.append((m, True))
                stack.extend((s, False) for s in reversed(m.srcs) if id(s) not in self.values)
        return self.values[id(n)]

    def _emit(self, m: Node, ins: Instr) -> None:
        self.body.append(ins)
        self.values[id(m)] = -len(self.body)

    def build(self) -> Kernel:
        n = len(self.inputs)

        def fix(v: int) -> int:
            return n - 1 - v if v < 0 else v

        body = tuple(Instr(i.op, tuple(fix(a) for a in i.args), i.params, i.dtype)
                     for i in self.body)
        outputs = tuple(Output(fix(o.value), o.node, o.reduce) for o in self.outputs)
        return Kernel(tuple(self.shape), tuple(self.inputs), body, outputs, self.axes or ())
