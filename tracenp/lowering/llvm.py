"""The CPU backend: fused kernels compiled by LLVM, library steps through NumPy and BLAS.

`compile(graph)` schedules the graph (`tracenp.fusion`), compiles each kernel (or finds it in
memory or on disk: `llvm_jit`), and returns a closure in which everything that does not
depend on the arrays of a call is precomputed: slots, extents, work pieces, ctypes entry
points. Per call it only fetches buffers and calls the kernels (ctypes releases the GIL).
A graph that is nothing but small single-piece launches also describes itself
(`run.program`), so that `jit` can serve its cached calls with a builtin entry (`llvm_entry`)
instead of this closure; a one-launch graph also as its `Launch`, the plan `tracenp.plans`
keeps on disk.

Work is split along dim 0 into pieces run by a thread pool once a kernel has at least
`PARALLEL_MIN` elements of plain work, an element of a kernel weighing more for each
transcendental it computes (`weight`). A reduction over dim 0 is split into pieces of about
`CHUNK` elements of work (at most `MAX_PARTIALS` pieces) whatever the thread count, each
writing its own partial, and the partials are combined in order: results are the same on
every run and for every `num_threads`.

Large buffers (kernel outputs, matmul results) are reused across calls when nobody else
holds them any more (their reference count says so), so a returned array is never
overwritten and big results are not page-faulted afresh on every call.
"""

from __future__ import annotations

import math
import sys
import threading
from operator import itemgetter
from dataclasses import dataclass

import numpy as np

from ..config import config
from ..fusion import REDUCTIONS, Kernel, KernelStep, NodeStep, RowGroup, row_groups, schedule
from ..fusion import VIEWS as FUSION_VIEWS
from ..ir import Graph, Node
from ..ops import OPS, Op
from . import Executable, llvm_call
from .library_steps import WRITES, library_call
from .llvm_args import lower_arg_extrema
from .llvm_elements import VIEWS, Cell, ElementPlan
from .llvm_jit import STATS, compile_kernel, entry, kernel_function, listing
from .llvm_pool import park, pool
from .numpy_ref import _linalg_step, _owned, aliased_outputs, copied, host_step

PARALLEL_MIN = 1 << 15  # elements of work: below this a kernel runs on the calling thread
CHUNK = 1 << 17  # elements of work per partial of a split reduction
MAX_PARTIALS = 32  # a larger reduction takes larger pieces: each piece restarts the
# hardware's stream prefetch and adds a partial (a 1e7-element sum in 77 pieces took 4% longer)
PIECES_PER_THREAD = 4  # pieces a thread's share is cut into, so that the pool's threads,
# claiming them as they go, even out when one of them starts late or is interrupted
MATH_COST = 4  # plain elements of work a polynomial transcendental adds (a split pays for
# the pool's hand-off, a few us, past about 15 us of work)
REUSE_MIN = 1 << 16  # bytes: buffers at least this large are reused across calls (a fresh
# one of 128 KiB or more is mmap-ed by malloc and page-faults on every call)
COMBINE_COST = 1 << 13  # plain elements of work as costly as combining one reduction's
# partials after a split (a NumPy reduce, about 2 us): a row group of a loop holds one per
# step, and split for their summed work, a 40-step recurrence's took 5x as long as unsplit
BLAS_THREADED_MIN = 1 << 16  # multiply-adds: OpenBLAS runs smaller products on the calling
# thread (its threshold is 4 * 65536), so the pool's workers need not leave their cores
EINSUM_DIRECT_MAX = 1 << 15  # multiply-adds up to which an einsum runs NumPy's loop as it
# is: the contraction-path search of `optimize=True` costs about 20 us a call, more than
# such a loop takes (a [2,2,3,3] by [3,2,3,3] contraction: 2.7 against 24 us)
ROW_BLOCK = 1 << 19  # bytes of rows a `RowGroup` runs all its passes on while they are cached

_IDENTITY = {Op.SUM: 0, Op.PROD: 1}
_COMBINE = {Op.SUM: np.add, Op.PROD: np.multiply, Op.MAX: np.maximum, Op.MIN: np.minimum}


def lowerable(node: Node) -> bool:
    """Whether a node can go into an LLVM kernel (else it runs as a NumPy step)."""
    from .llvm_kernel import supports  # the code generator loads when a graph is scheduled
    from .llvm_ops import SCALAR_DTYPES

    if node.op in REDUCTIONS:  # of complex values only sums (a product is not associative)
        return node.dtype in SCALAR_DTYPES and (node.dtype.kind != "c" or node.op is Op.SUM)
    if OPS[node.op].kind != "elementwise":
        return False
    return supports(node.op, tuple(s.dtype for s in node.srcs), node.dtype)


def weight(kernels: tuple[Kernel, ...]) -> int:
    """The work of one element of `kernels` (one, or a row group's passes) in plain
    elements: 1, plus MATH_COST per transcendental (sqrt is one instruction)."""
    from .llvm_math import SUPPORTED

    names = [ins.op.name.lower() for k in kernels for ins in k.body]
    return 1 + MATH_COST * sum(n in SUPPORTED and n != "sqrt" for n in names)


def identity(red: Op, dtype: np.dtype):
    if red in _IDENTITY:
        return _IDENTITY[red]
    big = red is Op.MIN
    if dtype == np.bool_:
        return big
    if dtype.kind == "f":
        return np.inf if big else -np.inf
    info = np.iinfo(dtype)
    return info.max if big else info.min


class _Buffers:
    """Large buffers of one compiled graph, handed out again once no one else holds them."""

    def __init__(self):
        self.free: dict[int, list] = {}
        self.lock = threading.Lock()

    def allocator(self, key: int, shape: tuple, dtype: np.dtype):
        """`alloc(used) -> array`: plain `np.empty` for small buffers, else a reused one."""
        shape, dtype = tuple(shape), np.dtype(dtype)
        if math.prod(shape) * dtype.itemsize < REUSE_MIN:
            return lambda used: np.empty(shape, dtype)

        def take(used: list) -> np.ndarray:
            with self.lock:
                stack = self.free.get(key)
                buf = stack.pop() if stack else None
            if buf is None or sys.getrefcount(buf) > 2:
                buf = np.empty(shape, dtype)
            used.append((key, buf))
            return buf

        return take

    def give_back(self, used: list) -> None:
        with self.lock:
            for key, buf in used:
                self.free.setdefault(key, []).append(buf)


def plan(graph: Graph):
    """The graph this backend runs (argmax and argmin lowered: `llvm_args`), its schedule
    (fusion's, with row groups), and its steps with the row-dot passes in place."""
    from .llvm_rowdot import with_rowdots  # loads with the code generator

    graph = lower_arg_extrema(graph)
    sched = row_groups(schedule(graph, lowerable))
    return graph, sched, with_rowdots(sched.steps)


class LLVMBackend:
    name = "llvm"

    def compile(self, graph: Graph) -> Executable:
        graph, sched, planned = plan(graph)
        order = graph.nodes()
        elements = ElementPlan(graph, planned)
        slot = {id(n): i for i, n in enumerate([*order, *elements.cells])}
        template: list = [None] * (len(slot) + 1)  # the last: a memo for multi-output calls
        for c in sched.consts:
            template[slot[id(c)]] = c.attrs["value"].value
        buffers = _Buffers()
        from .llvm_batch import batched, program
        from .llvm_rowdot import RowDot, rowdot_step

        threads = 1 if any(_calls_blas(s) for s in planned) else None  # not a row-dot's
        fixed = {id(c) for c in sched.consts}
        sensitive = _feeding_vectors(order)
        input_slots = [slot[id(n)] for n in graph.inputs]
        out_slots = [slot[id(o)] for o in graph.outputs]
        made = {id(o.node) for s in sched.steps
                for k in (s.kernels if isinstance(s, RowGroup) else
                          (s.kernel,) if isinstance(s, KernelStep) else ())
                for o in k.outputs}
        in_place = _in_place_writes(graph, {
            id(o.node) for s in planned if isinstance(s, KernelStep)
            and id(s.kernel) not in elements.own for o in s.kernel.outputs if o.reduce is None},
            elements.steps)
        check_owned = any(id(o) not in made for o in graph.outputs)
        aliased = aliased_outputs(input_slots, out_slots)
        memo = any(n.op is Op.LINALG or n.op is Op.HOST for n in order)

        def build(into: dict[int, int]) -> Executable:
            """The run; `into` maps kernel-stored slots to the input slots they store into."""
            steps = []
            for s in elements.steps:
                if isinstance(s, RowDot):
                    steps.append(rowdot_step(s, slot, buffers,
                                             lambda v: _node_step(v, slot, buffers, elements),
                                             threads))
                elif isinstance(s, RowGroup):
                    steps.append(_rows_step(s, slot, buffers, threads, elements))
                elif isinstance(s, KernelStep) and id(s.kernel) in elements.own:
                    steps.append(_cells_step(s.kernel, slot, elements))
                elif isinstance(s, KernelStep):
                    steps.append(_kernel_step(s.kernel, slot, buffers, threads, into))
                elif _of_constants(s, fixed):  # made once, here: it reads only constants
                    made_here = _node_step(s, slot, buffers, elements)
                    if made_here is not None:
                        made_here(template, [])
                    fixed.add(id(s.node))
                else:
                    steps.append(_node_step(s, slot, buffers, elements,
                                            native=id(s.node) not in sensitive,
                                            in_place=id(s.node) in in_place))
            steps = [s for s in steps if s is not None]
            natives = [getattr(s, "native", None) for s in steps]
            steps = batched(steps, set(out_slots))

            def run(args: list[np.ndarray]) -> list[np.ndarray]:
                env = template.copy()
                if memo:
                    env[-1] = {}
                for i, a in zip(input_slots, args):
                    env[i] = a
                used: list = []
                for step in steps:
                    step(env, used)
                if used:
                    buffers.give_back(used)
                return [_owned(env[i]) for i in out_slots] if check_owned else \
                    [env[i] for i in out_slots]

            run.program = lambda: program(natives, input_slots, template, out_slots) or (
                launch is not None and not into and _launch_program(launch()) or None)
            if aliased:  # (rare: the builtin entry would hand back the arrays themselves)
                return _copying(run, aliased)
            return run

        def writing(pairs: list[tuple[int, int]], returned: set[int]) -> Executable | None:
            """A run storing new values of written arguments straight into them where that is
            safe (`_direct_stores`); None where no store can."""
            into = _direct_stores(graph, elements, pairs, returned, slot)
            return build(into) if into else None

        launch = _one_launch(sched, graph, template, slot)
        run = build({})
        run.writing = writing
        run.schedule = sched
        run.in_place = frozenset(in_place)  # the writes storing into the array they write
        run.launch = launch
        return run


@dataclass(frozen=True)
class Launch:
    """A graph that is one kernel launch: enough to run it without its schedule.

    `operands` has one item per kernel input: an `int`, the graph input it reads, or the
    constant `ndarray` it reads. The kernel's single elementwise output is the graph's
    single output. `jit` serves small ones with a builtin entry (`llvm_entry`), and
    `tracenp.plans` keeps those without constants on disk.
    """

    kernel: int
    text: str  # the kernel's description, which names its code in the caches
    shape: tuple[int, ...]
    dtype: np.dtype
    operands: tuple
    work: int  # per element, in plain elements (`weight`): how the launch splits


def _one_launch(sched, graph: Graph, template: list, slot: dict):
    """For a graph that is one kernel launch: a function giving its `Launch`."""
    if len(sched.steps) != 1 or not isinstance(sched.steps[0], KernelStep):
        return None
    k = sched.steps[0].kernel
    if (len(k.outputs) != 1 or k.outputs[0].reduce is not None or not k.shape
            or not all(k.shape) or graph.outputs != (k.outputs[0].node,)):
        return None
    where = {id(n): j for j, n in enumerate(graph.inputs)}
    operands = []
    for n in k.inputs:
        value = template[slot[id(n)]]
        if id(n) in where:
            operands.append(where[id(n)])
        elif isinstance(value, np.ndarray):
            operands.append(value)
        else:
            return None
    return lambda: Launch(compile_kernel(k), k.text(), tuple(k.shape), k.outputs[0].node.dtype,
                          tuple(operands), weight((k,)))


def launch_run(launch: Launch) -> Executable:
    """The run of a one-launch graph from its `Launch` alone (a plan found on disk)."""
    fn, task = _callables(launch.kernel, len(launch.operands) + 1)
    shape = np.array(launch.shape, dtype=np.int64)
    shape_addr = shape.ctypes.data
    pieces = _pieces(launch.shape, (), math.prod(launch.shape), launch.work)
    buffers = _Buffers()
    alloc = buffers.allocator(0, launch.shape, launch.dtype)
    operands = launch.operands
    split = _Launcher(fn, task, shape_addr, pieces, len(operands) + 1)

    def run(args: list[np.ndarray]) -> list[np.ndarray]:
        used: list = []
        out = alloc(used)
        split([args[i] for i in operands] + [out])
        if used:
            buffers.give_back(used)
        return [out]

    run.launch = lambda: launch
    run.program = lambda: _launch_program(launch)
    run.keep = shape
    return run


def _copying(run: Executable, aliased: list[int]) -> Executable:
    """`run` copying its `aliased_outputs`, without a builtin entry."""
    def copying(args: list[np.ndarray]) -> list[np.ndarray]:
        return copied(run(args), aliased)

    copying.__dict__.update(run.__dict__)
    copying.program = lambda: None
    return copying


def _launch_program(launch: Launch):
    """A one-launch graph as a `Program`, where it is one small piece with a pool entry."""
    from .llvm_batch import Buffer, Call, Program

    task = _callables(launch.kernel, len(launch.operands) + 1)[1]
    if not task or math.prod(launch.shape) * launch.work >= PARALLEL_MIN:
        return None
    words = np.array(launch.shape, dtype=np.int64)
    call = Call(task, words, 0, launch.shape[0], (), (Buffer(0, launch.shape, launch.dtype),))
    reads = [("arg", op) if isinstance(op, int) else ("const", op) for op in launch.operands]
    return Program((call,), ((*reads, ("call", (0, 0))),), (), (("call", (0, 0)),))


def _node_step(step: NodeStep, slot: dict, buffers: _Buffers, elements: ElementPlan,
               native: bool = True, in_place: bool = False):
    """A library call's or a view's step (None for a view folded into its readers); with
    `native`, a tiny product's step may run in a batch (`llvm_batch`); with `in_place`, a
    write stores into the array it writes (`_in_place_writes`)."""
    from .llvm_batch import View, matmul_call

    n = step.node
    srcs = [slot[id(s)] for s in n.srcs]
    out = slot[id(n)]
    params = n.attrs
    if n.op is Op.MATMUL and n.dtype.kind == "f":
        a, b = srcs
        if n.size * n.dtype.itemsize < REUSE_MIN and _blas_work(n) < BLAS_THREADED_MIN:
            def small_matmul(env, used):  # `@`: 0.5 us less than np.matmul(out=np.empty)
                env[out] = env[a] @ env[b]

            small_matmul.reads = (a, b)
            small_matmul.native = matmul_call(srcs, out, n.srcs[0].shape, n.srcs[1].shape,
                                              n.dtype) if native and n.srcs[0].dtype == \
                n.dtype and n.srcs[1].dtype == n.dtype else None
            return small_matmul
        alloc = buffers.allocator(out, n.shape, n.dtype)

        def matmul(env, used):
            park()
            env[out] = np.matmul(env[a], env[b], out=alloc(used))

        matmul.reads = (a, b)
        return matmul
    if n.op is Op.LINALG:
        which = params.pop("out")
        fn = _linalg_step(which, (tuple(srcs), tuple(params.items())))

        def linalg(env, used):
            park()
            env[out] = fn(env[-1], *[env[s] for s in srcs], **params)

        linalg.reads = tuple(srcs)
        return linalg
    if n.op is Op.HOST and params["out"] is not None:
        fn = host_step((params["call"], tuple(srcs)))

        def host(env, used):
            env[out] = fn(env[-1], *[env[s] for s in srcs], **params)

        host.reads = tuple(srcs)
        return host
    if n.op in VIEWS:
        if id(n) not in elements.chains:
            return None  # folded into the views that read it
        root, view, _ = elements.chains[id(n)]
        src = slot[id(root)]

        def view_step(env, used):
            env[out] = view(env[src])

        sample = _laid_out(root, elements)  # as a buffer made in a batch is laid out
        if sample.size and np.shares_memory(view(sample), sample):
            view_step.native = View(src, out, view)  # a batch makes it before the values
        return view_step  # are stored: not one that copies (`ravel` of a strided slice)
    cells = elements.concat_cells(n)
    if cells is not None:
        return _concat_cells_step(cells, n, slot)
    if n.op is Op.EINSUM and _einsum_work(n) <= EINSUM_DIRECT_MAX:
        call, exact = _einsum_direct(params["spec"]), False
    else:
        call, exact = library_call(n, in_place)
    step = _exact_step(call, srcs, out) if exact else _library_step(call, srcs, out, n)
    step.reads = tuple(srcs)
    return step


def _laid_out(node: Node, elements) -> np.ndarray:
    """An empty array laid out as `node`'s value is in a run: a buffer, or the views of one
    that `node` is (a strided slice: reshaping it copies)."""
    chain = elements.chains.get(id(node))
    if chain is None:
        return np.empty(node.shape, node.dtype)
    root, view, _ = chain
    return view(_laid_out(root, elements))


def _library_step(call, srcs: list[int], out: int, n: Node):
    """A NumPy call's step, its result made an array of the node's type."""
    dtype, shape = n.dtype, n.shape

    def library(env, used):
        r = call(*[env[s] for s in srcs])
        if not isinstance(r, np.ndarray) or r.dtype != dtype or r.shape != shape:
            r = _conform(r, dtype, shape, n)
        env[out] = r

    return library


def _exact_step(call, srcs: list[int], out: int):
    """A prepared call's step (its result is of the node's type), its operands fetched
    without a list where there are at most three: an unrolled loop runs thousands."""
    if len(srcs) == 1:
        (a,) = srcs

        def library(env, used):
            env[out] = call(env[a])
    elif len(srcs) == 2:
        a, b = srcs

        def library(env, used):
            env[out] = call(env[a], env[b])
    elif len(srcs) == 3:
        a, b, c = srcs

        def library(env, used):
            env[out] = call(env[a], env[b], env[c])
    else:
        def library(env, used):
            env[out] = call(*[env[s] for s in srcs])
    return library


def _direct_stores(graph: Graph, elements: ElementPlan, pairs: list[tuple[int, int]],
                   returned: set[int], slot: dict) -> dict[int, int]:
    """{slot of a new value: slot of the argument it is written into} for the written
    arguments (`pairs`: graph output and input indices) whose new value a kernel may store
    straight into the argument's array, sparing a buffer and a copy (`w -= lr * g`).

    Safe where the kernel storing the value reads the argument only at the element it stores
    (no window of it, no broadcast, no view made of it before), no later step reads the
    argument or a view of it, and no output is the old argument, a view of it, or the new
    value other than as a written argument or a result the caller replaces by the argument
    (`returned`)."""
    steps = elements.steps
    outputs = graph.outputs
    written = {o for o, _ in pairs}
    into: dict[int, int] = {}
    for o, i in pairs:
        new, old = outputs[o], graph.inputs[i]
        if old.ndim == 0 or new is old or new.shape != old.shape or new.dtype != old.dtype:
            continue
        if any(x is new and k not in written and k not in returned
               for k, x in enumerate(outputs)):
            continue
        aliases = _aliases(old, steps)
        if any(id(x) in aliases for x in outputs):
            continue
        at = next((t for t, s in enumerate(steps) if isinstance(s, KernelStep)
                   and id(s.kernel) not in elements.own and any(
                       out.node is new and out.reduce is None
                       and s.kernel.window(len(s.kernel.inputs) + j) is None
                       for j, out in enumerate(s.kernel.outputs))), None)
        if at is None:
            continue
        k = steps[at].kernel
        if any(id(n) in aliases and (n is not old or k.window(j) is not None
                                     or n.shape != k.shape) for j, n in enumerate(k.inputs)):
            continue
        if any(_reads(s) is None or any(id(n) in aliases for n in _reads(s))
               for s in steps[at + 1:]):
            continue
        into[slot[id(new)]] = slot[id(old)]
    return into


def _sharing(k: Kernel, slot: dict, into: dict[int, int]) -> Kernel:
    """`k`, with each value it stores into an argument it reads (`into`) passed as that
    input's array (`Kernel.shares`): LLVM then sees a load and a store of one pointer, and
    vectorizes without the overlap check that two pointers into one array fail."""
    n = len(k.inputs)
    reads = {slot[id(x)]: i for i, x in enumerate(k.inputs)}
    shares = list(k.shares or range(n + len(k.outputs)))
    for j, o in enumerate(k.outputs):
        target = into.get(slot[id(o.node)])
        if target in reads and o.reduce is None:
            shares[n + j] = reads[target]
    if shares == list(k.shares or range(n + len(k.outputs))):
        return k
    return Kernel(k.shape, k.inputs, k.body, k.outputs, k.axes, k.windows, tuple(shares))


def _aliases(node: Node, steps: list) -> set[int]:
    """`node` and what library or view steps make of it: any may be a view of its memory."""
    found = {id(node)}
    for s in steps:
        if isinstance(s, NodeStep) and any(id(x) in found for x in s.node.srcs):
            found.add(id(s.node))
    return found


def _reads(step) -> tuple | None:
    """The nodes a step reads, or None where the plan does not say."""
    if isinstance(step, KernelStep):
        return step.kernel.inputs
    if isinstance(step, RowGroup):
        return tuple(n for k in step.kernels for n in k.inputs)
    if isinstance(step, NodeStep):
        return step.node.srcs
    return None


def _in_place_writes(graph: Graph, fresh: set[int], steps: list) -> set[int]:
    """The writes (scatter, slice set) that may store into the array they write: one that a
    write before them made (a copy of this call's own), or a kernel's new buffer (`fresh`:
    `v = 2.0 * u; v[0, :] = 0.0`), that nothing else reads. A loop's writes into one array
    then copy it once, not once per write, and writes into a computed array not at all.

    A slice set may also where the array's other readers (through its views too) all run
    before it (`p[:, -1] = p[:, -2]` after `p[1:-1, 1:-1] = f(p)`: a stencil's boundary
    conditions, a copy of the grid each); its value may be a view of the array itself, as
    NumPy's assignment copies overlapping memory first."""
    users = graph.users()
    outputs = {id(o) for o in graph.outputs}
    at = {id(s.node): t for t, s in enumerate(steps) if isinstance(s, NodeStep)}
    readers: dict[int, list[int]] = {}  # node id: the steps reading it (None: any node)
    for t, step in enumerate(steps):
        for node_id in ({None} if (r := _reads(step)) is None else {id(x) for x in r}):
            readers.setdefault(node_id, []).append(t)
    found = set()
    for n in graph.nodes():
        x = n.srcs[0] if n.op in WRITES else None
        if x is None or not (x.op in WRITES or id(x) in fresh) or id(x) in outputs:
            continue
        if len(users[id(x)]) == 1 and sum(s is x for s in n.srcs) == 1:
            found.add(id(n))
        elif n.op is Op.SLICE_SET and n.srcs[0] is x and id(n) in at and \
                _read_before(x, n, at[id(n)], users, steps, at, readers):
            found.add(id(n))
        elif n.op is Op.SCATTER and id(n) in at:  # `dW[ids[i]] += dY[i]` in a loop: the
            seen, later = _readers_after(x, at[id(n)], users, readers)  # row was read before
            if not later and not seen & outputs and not any(id(s) in seen for s in n.srcs[1:]):
                found.add(id(n))
    return found


def _readers_after(x: Node, t: int, users: dict, readers: dict) -> tuple[set, list]:
    """(ids of `x` and its views, the steps after step `t` that read one of them)."""
    seen, todo = {id(x)}, [x]
    while todo:
        for u in users[id(todo.pop())]:
            if u.op in FUSION_VIEWS and id(u) not in seen:
                seen.add(id(u))
                todo.append(u)
    return seen, sorted({u for node_id in (*seen, None) for u in readers.get(node_id, ())
                         if u > t})


def _read_before(x: Node, write: Node, t: int, users: dict, steps: list, at: dict,
                 readers: dict) -> bool:
    """Whether every step but `write`'s (step `t`) that reads `x` or a view of it runs before
    it, or reads a part of `x` (a slice, a kernel's window) that neither `write` nor the
    writes into its result made before that step touch: the optimizer reads a region of an
    array's older value where later writes miss it (`p[1:-1, 2:]` of the grid before its
    boundary writes)."""
    seen, later_steps = _readers_after(x, t, users, readers)
    chain, w = [], write  # the writes into this array from `write` on, up to the last reader
    while w is not None and later_steps and at.get(id(w), len(steps)) < later_steps[-1]:
        chain.append((at[id(w)], _region(w.attrs["slices"], w.shape)))
        w = next((u for u in users[id(w)] if u.op is Op.SLICE_SET and u.srcs[0] is w), None)
    for later in later_steps:
        regions = _regions_read(steps[later], x, seen)
        if regions is None or any(step_at < later and not _disjoint(read, wrote)
                                  for read in regions for step_at, wrote in chain):
            return False
    return True


def _regions_read(step, x: Node, seen: set) -> list | None:
    """The parts of `x` a step reads (through its views `seen`), or None where it may read
    more than a slice or a window of `x` says."""
    if isinstance(step, (KernelStep, RowGroup)):
        operands = [(k, j, n) for k in (step.kernels if isinstance(step, RowGroup)
                                         else (step.kernel,)) for j, n in enumerate(k.inputs)]
    elif isinstance(step, NodeStep):
        operands = [(None, j, n) for j, n in enumerate(step.node.srcs)]
    else:
        return None
    regions = []
    for k, j, n in operands:
        if id(n) not in seen:
            continue
        window = k.window(j) if k is not None else None
        if n is x and window is not None:
            regions.append(_window_region(window))
        elif n.op is Op.SLICE and n.srcs[0] is x and window is None:
            regions.append(_region(n.attrs["slices"], x.shape))
        else:
            return None
    return regions


def _window_region(w) -> list[tuple[int, int]]:
    """The [lo, hi) bounds per axis of its array a kernel's window reads."""
    bounds = [(s, s + 1) for s in w.start]
    for extent, axis, step in zip(w.shape, w.dims, w.steps):
        last = w.start[axis] + (extent - 1) * step
        bounds[axis] = (min(w.start[axis], last), max(w.start[axis], last) + 1)
    return bounds


def _region(slices: tuple, shape: tuple) -> list[tuple[int, int]]:
    """The [lo, hi) bounds per axis a basic slicing covers (its steps ignored: a superset)."""
    bounds = []
    for d, extent in enumerate(shape):
        start, stop, step = slices[d] if d < len(slices) else (None, None, None)
        lo, hi, step = slice(start, stop, step).indices(extent)
        bounds.append((lo, hi) if step > 0 else (hi + 1, lo + 1))
    return bounds


def _disjoint(a: list, b: list) -> bool:
    return any(hi1 <= lo2 or hi2 <= lo1 for (lo1, hi1), (lo2, hi2) in zip(a, b))


EXACT_LINALG = ("inv", "solve", "det", "slogdet", "cholesky", "eigvalsh")


def _feeding_vectors(order: list[Node]) -> set[int]:
    """The nodes an eigenvector, singular vector, rank or least-squares routine reads,
    directly or not. Their products keep NumPy's bits (BLAS through `@`): on a degenerate
    spectrum (a Gram matrix `A @ A.T` of rank below its size) a last-bit difference in the
    matrix picks another basis of the eigenspace, where NumPy's own answer is as arbitrary
    but is the one compared against."""
    marked: set[int] = set()
    for n in reversed(order):
        if id(n) in marked or (n.op is Op.LINALG and n.attrs["name"] not in EXACT_LINALG):
            marked.add(id(n))
            marked.update(id(s) for s in n.srcs)
    return marked


def _conform(r, dtype: np.dtype, shape: tuple, node: Node) -> np.ndarray:
    """A library result as the node's type says: kernels read memory by that type."""
    r = np.asarray(r)
    if r.shape != shape:
        raise RuntimeError(f"tracenp: {node.op.name.lower()} gave shape {r.shape}, "
                           f"its type rule says {shape}")
    return r.astype(dtype, copy=False)


def _callables(addr: int, n_arrays: int) -> tuple:
    """(call, task) of the compiled function at `addr`: its CPython entry, for a launch in
    one piece, and its pool entry, for pieces on several threads (`run_pieces`)."""
    return kernel_function(addr, n_arrays), entry(addr, llvm_call.TASK)


def _einsum_work(n: Node) -> int:
    """Multiply-adds of an einsum as NumPy's loop runs it: one per combination of labels."""
    extents: dict = {}
    for term, src in zip(n.attrs["spec"].split("->")[0].split(","), n.srcs):
        for label, d in zip(term, src.shape):
            extents[label] = max(extents.get(label, 1), d)
    return math.prod(extents.values())


def _einsum_direct(spec: str):
    """A small einsum's step: NumPy's loop, without a contraction-path search per call."""
    return lambda *xs: np.einsum(spec, *xs)


def _blas_work(n: Node) -> int:
    """Multiply-adds of a product (its result's size times the summed dim)."""
    return n.size * n.srcs[0].shape[-1]


def _of_constants(step, fixed: set) -> bool:
    """Whether a step is a view or a broadcast of values fixed when the graph is compiled
    (`np.zeros(n)` is a broadcast 0.0): made per call, a broadcast took NumPy 5-20 us. The
    value made once is a read-only view or a view of a constant, which no step writes."""
    return (isinstance(step, NodeStep) and step.node.op in FUSION_VIEWS
            and all(id(s) in fixed for s in step.node.srcs))


def _calls_blas(step) -> bool:
    """Whether a step calls BLAS or LAPACK. Their threads spin on the other cores for about
    0.1 s after each call (OpenBLAS measured here), so a graph with such a step runs its
    kernels on the calling thread: a kernel split beside a spinning BLAS thread took 3x as
    long as unsplit (an MLP's tanh layer, 406 against 129 us)."""
    return isinstance(step, NodeStep) and (step.node.op is Op.LINALG or (
        step.node.op is Op.MATMUL and step.node.dtype.kind == "f"))


def _kernel_step(k: Kernel, slot: dict, buffers: _Buffers, threads: int | None,
                 into: dict[int, int] | None = None):
    """A kernel's step; a stored value whose slot `into` names goes into that slot's array
    (a written argument: `_direct_stores`) instead of a buffer."""
    from .llvm_batch import Buffer, Call

    k = _sharing(k, slot, into or {})
    passed = k.passed()
    fn, task = _callables(compile_kernel(k), len(passed))
    shape = tuple(k.shape) or (1,)
    shape_arr = k.words()
    shape_addr = shape_arr.ctypes.data
    total = math.prod(shape)
    in_slots = [slot[id(k.inputs[j])] for j in passed if j < len(k.inputs)]  # (its outputs
    # are never windows of one array: only a `_cells_step`'s are)
    pieces = _pieces(shape, k.axes, total, weight((k,)), threads)
    outs = _Outputs(k, slot, buffers, len(pieces) if 0 in k.axes and k.shape else 1, into=into)
    if total == 0:
        pieces = []
    if len(pieces) == 1 and not outs.reduces and len(outs.stores) == 1:
        (lo, hi, _), = pieces
        (out, alloc), = outs.stores
        target = outs.into.get(out)

        if out in outs.shared:  # stored into the argument it reads, passed once
            def step1(env, used):
                fn(shape_addr, lo, hi, 0, *[env[i] for i in in_slots])
                env[out] = env[target]
        else:
            def step1(env, used):
                buf = alloc(used) if target is None else env[target]
                fn(shape_addr, lo, hi, 0, *[env[i] for i in in_slots], buf)
                env[out] = buf

        step1.keep = shape_arr
        step1.native = outs.native(task, shape_arr, lo, hi, in_slots, k.shape)
        return step1
    if len(pieces) == 1 and outs.parts == 1 and not outs.stores and len(outs.reduces) == 1 \
            and outs.reduces[0][2] == outs.reduces[0][4]:
        (lo, hi, _), = pieces
        (out, start, _, _, _), = outs.reduces
        kept = outs.kept

        def reduce1(env, used):
            buf = start.copy()
            fn(shape_addr, lo, hi, 0, *[env[i] for i in in_slots], buf)
            env[out] = buf.reshape(kept)

        reduce1.keep = shape_arr
        reduce1.native = Call(task, shape_arr, lo, hi, tuple(in_slots),
                              (Buffer(out, start.shape, start.dtype, start, kept),)) \
            if task else None
        return reduce1
    if len(pieces) == 1 and outs.parts == 1:
        (lo, hi, _), = pieces

        def one(env, used):  # stores and reductions in one call on this thread
            arrays = [env[i] for i in in_slots]
            partials = outs.open(env, used, arrays)
            fn(shape_addr, lo, hi, 0, *arrays)
            outs.close(env, partials)

        one.keep = shape_arr
        one.reads = tuple(in_slots)
        one.native = outs.native(task, shape_arr, lo, hi, in_slots, k.shape)
        return one

    split = _Launcher(fn, task, shape_addr, pieces, len(passed), threads)

    def step(env, used):
        arrays = [env[i] for i in in_slots]
        partials = outs.open(env, used, arrays)
        split(arrays)
        outs.close(env, partials)

    step.keep = shape_arr
    step.reads = tuple(in_slots)
    return step


def _concat_cells_step(cells: list, n: Node, slot: dict):
    """The step of a concatenation of single elements: one `np.concatenate` of the runs of
    consecutive elements of each cell (an unrolled loop's values, as its kernels stored
    them; a loop running backwards stored them in reverse), and of the other elements, each
    indexed as a one-element view."""
    runs: list = []  # [slot, first, last] of a cell, else [slot, index of one element]
    for root, element in cells:
        last = runs[-1] if runs else None
        if isinstance(root, Cell) and last and last[0] == slot[id(root)] and len(last) == 3 \
                and abs(step := element[0] - last[2]) == 1 \
                and (last[1] == last[2] or (last[2] > last[1]) == (step > 0)):
            last[2] = element[0]
        elif isinstance(root, Cell):
            runs.append([slot[id(root)], element[0], element[0]])
        else:
            runs.append([slot[id(root)], (*element, None)])
    pieces = [(r[0], r[1]) if len(r) == 2 else (r[0], (_run_slice(r[1], r[2]),))
              for r in runs]
    out, dtype, shape = slot[id(n)], n.dtype, n.shape

    def concat_cells(env, used):
        joined = np.concatenate([env[i][index] for i, index in pieces])
        env[out] = joined.astype(dtype, copy=False).reshape(shape)

    concat_cells.reads = tuple(i for i, _ in pieces)
    return concat_cells


def _run_slice(first: int, last: int) -> slice:
    """The slice of the elements from `first` to `last` inclusive, either way round."""
    if first <= last:
        return slice(first, last + 1)
    return slice(first, last - 1 if last else None, -1)


def _cells_step(k: Kernel, slot: dict, elements: ElementPlan):
    """A 0-d kernel storing its outputs into fresh cells (`llvm_elements`), then making
    0-d arrays of those that something other than a kernel reads."""
    passed = k.passed()
    fn, _ = _callables(compile_kernel(k), len(passed))
    words = k.words()
    addr = words.ctypes.data
    in_slots = [slot[id(n)] for n in k.inputs]
    fresh = [(slot[id(c)], c.shape, c.dtype) for c in elements.own[id(k)]]
    where = [elements.where[id(o.node)] for o in k.outputs]
    out_slots = [slot[id(cell)] for cell, _ in where]
    made = [(slot[id(o.node)], slot[id(cell)], (*w.start, Ellipsis))
            for o, (cell, w) in zip(k.outputs, where) if id(o.node) in elements.made]

    slots = [*in_slots, *out_slots]
    picked = [slots[j] for j in passed]  # one cell the kernel writes, or several arrays
    operands = itemgetter(*picked) if len(picked) > 1 else lambda env: (env[picked[0]],)

    def step(env, used):
        for s, shape, dtype in fresh:
            env[s] = np.empty(shape, dtype)
        fn(addr, 0, 1, 0, *operands(env))
        for o, c, index in made:
            env[o] = env[c][index]

    step.keep = words
    return step


def _rows_step(group: RowGroup, slot: dict, buffers: _Buffers, threads: int | None,
               elements: ElementPlan):
    """A group's passes in one call per piece of rows, each taking its rows block by block;
    scratch values live in a block-sized buffer per piece."""
    kernels = group.kernels
    fn, task = _callables(compile_kernel(group),
                          sum(len(k.inputs) + len(k.outputs) for k in kernels))
    shape_arr = np.concatenate([k.words() for k in kernels])
    shape_addr = shape_arr.ctypes.data
    sizes = [math.prod(k.shape) for k in kernels]
    work = sum(n * weight((k,)) for n, k in zip(sizes, kernels))  # each pass's own extent
    reductions = sum(o.reduce is not None for k in kernels for o in k.outputs)
    block = max(1, ROW_BLOCK // max(group.row_bytes(), 1))
    pieces = [] if max(sizes) == 0 else \
        [(lo, hi, block) for lo, hi, _ in _pieces((group.rows,), (), max(
            work - reductions * COMBINE_COST, 0), 1, threads)]
    scratch = {id(n): i for i, n in enumerate(group.scratch)}
    holes = []  # (position in the arrays, index in group.scratch) of each scratch operand
    members = []  # in order: a view step, or (input slots, outputs) of a pass
    position = 0
    for s in group.steps:
        if isinstance(s, KernelStep):
            k = s.kernel
            members.append(([slot[id(n)] for n in k.inputs],
                            _Outputs(k, slot, buffers, 1, scratch)))
            operands = (*k.inputs, *(o.node for o in k.outputs))
            holes += [(position + j, scratch[id(operands[j])]) for j in group.local(k)]
            position += len(operands)
        elif (view := _node_step(s, slot, buffers, elements)) is not None:
            members.append(view)

    scratch_shapes = [[((min(b, hi - lo),) + n.shape[1:], n.dtype) for n in group.scratch]
                      for lo, hi, b in pieces]
    spare: list = []  # scratch sets of finished calls: one array per scratch value per piece
    if len(pieces) == 1:
        step = _rows_step1(group, slot, fn, shape_arr, pieces[0], members, scratch_shapes[0],
                           spare)
        step.reads = _group_reads(members)
        step.native = _group_call(group, slot, task, shape_arr, pieces[0], members,
                                  scratch_shapes[0])
        return step

    def step(env, used):
        arrays: list = []
        opened = []
        for m in members:
            if callable(m):
                m(env, used)
                continue
            in_slots, outs = m
            arrays += [env[i] for i in in_slots]
            opened.append((outs, outs.open(env, used, arrays)))
        sets = spare.pop() if spare else [[np.empty(*shape) for shape in shapes]
                                          for shapes in scratch_shapes]
        calls = []
        for (lo, hi, b), bufs in zip(pieces, sets):
            own = list(arrays) if len(pieces) > 1 else arrays
            for at, which in holes:
                own[at] = bufs[which]
            calls.append((lo, hi, b, own))
        if len(calls) == 1:
            lo, hi, b, own = calls[0]
            fn(shape_addr, lo, hi, b, *own)
        elif calls:
            run_pieces(task, [(shape_addr, lo, hi, b, *map(id, own)) for lo, hi, b, own in calls],
                       threads)
        spare.append(sets)
        for outs, partials in opened:
            outs.close(env, partials)

    step.keep = shape_arr
    step.reads = _group_reads(members)
    return step


def _group_call(group: RowGroup, slot: dict, task: int, words: np.ndarray, piece: tuple,
                members: list, scratch_shapes: list):
    """A single-piece group as a batch's `Call`: its passes' stores, scratch values and
    partials are its buffers, the views between its passes are made of them before it runs.
    None where a store is large (a reused buffer), a partial is float16's or a view copies."""
    from .llvm_batch import Buffer, Call, View

    if not task:
        return None
    lo, hi, block = piece
    scratch = {slot[id(n)]: shape for n, shape in zip(group.scratch, scratch_shapes)}
    kernels = iter(s.kernel for s in group.steps if isinstance(s, KernelStep))
    outs, order, views, made, reads = [], [], [], set(), []
    for m in members:
        if callable(m):
            if not isinstance(getattr(m, "native", None), View):
                return None
            views.append(m.native)
            if m.native.src not in made:  # a view of a value from before the group
                reads.append(m.native.src)
            made.add(m.native.out)
            continue
        in_slots, o = m
        k = next(kernels)
        order += in_slots
        reads += [s for s in in_slots if s not in made]
        starts = {out: (start, pdt, dt) for out, start, pdt, _, dt in o.reduces}
        for out_node in (x.node for x in k.outputs):
            out = slot[id(out_node)]
            if out in starts:
                start, pdt, dt = starts[out]
                if pdt != dt:
                    return None
                buf = Buffer(out, start.shape, pdt, start, o.kept)
            elif out in scratch:
                buf = Buffer(out, *scratch[out])
            elif math.prod(k.shape) * out_node.dtype.itemsize < REUSE_MIN:
                buf = Buffer(out, tuple(k.shape), out_node.dtype)
            else:
                return None
            order.append(-1 - len(outs))
            outs.append(buf)
            made.add(out)
    return Call(task, words, lo, hi, tuple(dict.fromkeys(reads)), tuple(outs), block,
                tuple(views), tuple(order))


def _group_reads(members: list) -> tuple | None:
    """The slots a row group's passes and views read (`llvm_batch.reads`: a batch before it
    then keeps for it only what it reads); None where a view does not say."""
    from .llvm_batch import reads

    slots: list = []
    for m in members:
        r = reads(m) if callable(m) else m[0]
        if r is None:
            return None
        slots += r
    return tuple(slots)


def _rows_step1(group: RowGroup, slot: dict, fn, shape_arr: np.ndarray, piece: tuple,
                members: list, scratch_shapes: list, spare: list):
    """A group's step in one piece (small arrays, or one thread): the buffers of all its
    passes made first, each in its slot, then one call whose operands are those slots and
    the reductions' partials (`(1,) + kept`, the layout the kernel indexes; the slot holds
    the result's view of it). Scratch arrays never leave the step, so a finished call's are
    taken again from `spare` (a loop's group has one per step: 120 `np.empty` per call)."""
    lo, hi, b = piece
    fresh = [slot[id(n)] for n in group.scratch]  # scratch: block-sized, in the node's slot
    stores, starts, narrowed, views = [], [], [], []
    for m in members:
        if callable(m):
            views.append(m)
            continue
        outs = m[1]
        stores += [(out, alloc) for out, alloc in outs.stores if alloc is not None]
        for out, start, pdt, _, dt in outs.reduces:
            starts.append((out, start, outs.kept))
            if pdt != dt:
                narrowed.append((out, dt))
    order, partial_at = [], []  # operands' slots; (operand, partial) of reduction outputs
    at = {out: i for i, (out, _, _) in enumerate(starts)}
    for s in group.steps:
        if isinstance(s, KernelStep):
            order += [slot[id(n)] for n in s.kernel.inputs]
            for o in s.kernel.outputs:
                if o.reduce is not None:
                    partial_at.append((len(order), at[slot[id(o.node)]]))
                order.append(slot[id(o.node)])
    operands = itemgetter(*order)
    addr = shape_arr.ctypes.data

    def step(env, used):
        bufs = spare.pop() if spare else [np.empty(*shape) for shape in scratch_shapes]
        for out, buf in zip(fresh, bufs):
            env[out] = buf
        for out, alloc in stores:
            env[out] = alloc(used)
        partials = []
        for out, start, kept in starts:
            partials.append(start.copy())
            env[out] = partials[-1].reshape(kept)
        for view in views:
            view(env, used)
        arrays = list(operands(env))
        for j, i in partial_at:
            arrays[j] = partials[i]
        fn(addr, lo, hi, b, *arrays)
        spare.append(bufs)
        for out, dt in narrowed:
            env[out] = env[out].astype(dt)

    step.keep = shape_arr
    return step


class _Outputs:
    """A kernel's output arrays: stored values, and reduction partials `(parts,) + kept`
    (in the kernel's operand order: fusion lists a kernel's stores before its reductions)."""

    def __init__(self, k: Kernel, slot: dict, buffers: _Buffers, parts: int,
                 scratch: set = frozenset(), into: dict[int, int] | None = None):
        from .llvm_kernel import partial_dtype  # the code generator loads when compiling

        self.parts = parts
        self.into = into or {}  # stored slot -> the slot whose array it is stored into
        self.kept = tuple(d for i, d in enumerate(k.shape) if i not in k.axes)
        self.stores, self.reduces = [], []
        n = len(k.inputs)
        self.shared = {slot[id(o.node)] for j, o in enumerate(k.outputs)
                       if k.shares and k.shares[n + j] != n + j}  # stores not passed
        self.store_dtypes = []
        for o in k.outputs:
            s, dt = slot[id(o.node)], o.node.dtype
            if o.reduce is None:  # a scratch value's buffer comes per thread (None here)
                self.stores.append((s, None if id(o.node) in scratch else
                                    buffers.allocator(s, k.shape, dt)))
                self.store_dtypes.append(dt)
            else:  # partials start from a copy of an identity-filled template
                pdt = partial_dtype(dt)
                start = np.full((parts,) + self.kept, identity(o.reduce, dt), pdt)
                self.reduces.append((s, start, pdt, _COMBINE[o.reduce], dt))

    def open(self, env: list, used: list, arrays: list) -> list[np.ndarray]:
        """Buffers for one call appended to `arrays`; a single partial is already its
        result's memory (a view), so later passes of a group read it."""
        for out, alloc in self.stores:
            target = self.into.get(out)
            env[out] = buf = env[target] if target is not None else alloc and alloc(used)
            if out not in self.shared:
                arrays.append(buf)
        partials = [start.copy() for _, start, _, _, _ in self.reduces]
        arrays += partials
        if self.parts == 1:
            for (out, *_), buf in zip(self.reduces, partials):
                env[out] = buf.reshape(self.kept)
        return partials

    def native(self, task: int, words: np.ndarray, lo: int, hi: int, reads: list,
               shape: tuple):
        """The single-piece launch as a batch's `Call`, where its stores go to small fresh
        buffers or into the arguments they are stored into; else None."""
        from .llvm_batch import Buffer, Call

        if not task or self.parts != 1 or any(pdt != dt for _, _, pdt, _, dt in self.reduces):
            return None
        stores = []
        for (out, alloc), dtype in zip(self.stores, self.store_dtypes):
            target = self.into.get(out)
            if target is None and (alloc is None
                                   or math.prod(shape) * dtype.itemsize >= REUSE_MIN):
                return None
            stores.append(Buffer(out, tuple(shape), dtype, into=target,
                                 passed=out not in self.shared))
        return Call(task, words, lo, hi, tuple(reads),
                    (*stores, *(Buffer(out, start.shape, pdt, start, self.kept)
                                for out, start, pdt, _, _ in self.reduces)))

    def close(self, env: list, partials: list) -> None:
        """Partials combined in order, and float16's float32 partials rounded once."""
        for (out, _, pdt, combine, dt), buf in zip(self.reduces, partials):
            if self.parts > 1:
                env[out] = np.asarray(combine.reduce(buf, axis=0)).astype(dt, copy=False)
            elif pdt != dt:
                env[out] = env[out].astype(dt)


def _pieces(shape: tuple, axes: tuple, total: int, work: int = 1,
            threads: int | None = None) -> list[tuple[int, int, int]]:
    """(lo, hi, slot) ranges of dim 0 for `total` elements of `work` each, for `threads`
    threads (None: `config.num_threads`); the split of a dim-0 reduction ignores them."""
    n0 = shape[0]
    if total * work < PARALLEL_MIN or n0 < 2:
        return [(0, n0, 0)]
    if 0 in axes:
        rows = max(1, CHUNK * n0 // (total * work), -(-n0 // MAX_PARTIALS))
        return [(lo, min(lo + rows, n0), i) for i, lo in enumerate(range(0, n0, rows))]
    threads = threads or config.num_threads
    parts = min(n0, threads * PIECES_PER_THREAD) if threads > 1 else 1
    bounds = [n0 * t // parts for t in range(parts + 1)]
    return [(bounds[t], bounds[t + 1], 0) for t in range(parts)]


class _Launcher:
    """A kernel's launch over fixed pieces: the pool's table rows laid out once, so that a
    call only writes its arrays' addresses into a copy (a table built from Python tuples per
    call cost about 50 us of a 1e7-element reduction's 3 ms)."""

    def __init__(self, fn, task: int, shape_addr: int, pieces: list, n_arrays: int,
                 threads: int | None = None):
        self.fn, self.shape_addr, self.pieces, self.threads = fn, shape_addr, pieces, threads
        self.rows = np.zeros((len(pieces), 5 + n_arrays), dtype=np.int64)
        self.rows[:, :5] = [(task, shape_addr, lo, hi, s) for lo, hi, s in pieces] or 0

    def __call__(self, arrays: list) -> None:
        if len(self.pieces) == 1:
            (lo, hi, s), = self.pieces
            self.fn(self.shape_addr, lo, hi, s, *arrays)
        elif self.pieces:
            table = self.rows.copy()
            table[:, 5:] = [id(a) for a in arrays]
            run_table(table, self.threads)


def run_pieces(task: int, rows: list[tuple], threads: int | None = None) -> None:
    """Each row's arguments to the function whose pool entry is `task`, split across up to
    `threads` (None: `config.num_threads`) threads (`llvm_pool`); the arrays the rows name
    must stay alive."""
    if rows:
        run_table(np.array([(task, *r) for r in rows], dtype=np.int64), threads)


def run_table(table: np.ndarray, threads: int | None = None) -> None:
    """The pool's rows of a launch (a `<function>_task` address, then its arguments), on up
    to `threads` threads (None: `config.num_threads`)."""
    pool(max(1, min(threads or config.num_threads, len(table)))).run(table)


def dump(fn, *args, **kwargs) -> str:
    """The LLVM IR and assembly of the kernels `fn` runs for these arguments."""
    from ..jit import JitFunction

    jf = fn if isinstance(fn, JitFunction) else JitFunction(fn)
    _, sched, _ = plan(jf.graph(*args, **kwargs))
    return "\n".join(listing(s if isinstance(s, RowGroup) else s.kernel)
                     for s in sched.steps if isinstance(s, (KernelStep, RowGroup)))


BACKEND = LLVMBackend()

__all__ = ["BACKEND", "LLVMBackend", "STATS", "dump", "lowerable"]
