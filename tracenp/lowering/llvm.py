"""The CPU backend: fused kernels compiled by LLVM, library steps through NumPy and BLAS.

`compile(graph)` schedules the graph (`tracenp.fusion`), compiles each kernel (or finds it in
memory or on disk: `llvm_jit`), and returns a closure in which everything that does not
depend on the arrays of a call is precomputed: slots, extents, work pieces, ctypes entry
points. Per call it only fetches buffers and calls the kernels (ctypes releases the GIL).

Work is split along dim 0 into pieces run by a thread pool once a kernel has at least
`PARALLEL_MIN` elements. A reduction over dim 0 is split into pieces of about `CHUNK`
elements whatever the thread count, each writing its own partial, and the partials are
combined in order: results are the same on every run and for every `num_threads`.

Large buffers (kernel outputs, matmul results) are reused across calls when nobody else
holds them any more (their reference count says so), so a returned array is never
overwritten and big results are not page-faulted afresh on every call.
"""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..config import config
from ..fusion import REDUCTIONS, Kernel, KernelStep, NodeStep, schedule
from ..ir import Graph, Node
from ..ops import OPS, Op
from . import Executable
from .llvm_jit import STATS, compile_kernel, kernel_function, listing
from .llvm_kernel import supports
from .llvm_ops import SCALAR_DTYPES
from .numpy_ref import _linalg_step, _owned

PARALLEL_MIN = 1 << 17  # elements: below this a kernel runs on the calling thread
CHUNK = 1 << 16  # elements per partial of a split reduction
REUSE_MIN = 1 << 20  # bytes: buffers at least this large are reused across calls

_IDENTITY = {Op.SUM: 0, Op.PROD: 1}


def lowerable(node: Node) -> bool:
    """Whether a node can go into an LLVM kernel (else it runs as a NumPy step)."""
    if node.op in REDUCTIONS:
        return node.dtype in SCALAR_DTYPES
    if OPS[node.op].kind != "elementwise":
        return False
    return supports(node.op, tuple(s.dtype for s in node.srcs), node.dtype)


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


_pool: dict = {}


def _executor(threads: int) -> ThreadPoolExecutor:
    ex = _pool.get(threads)
    if ex is None:
        ex = _pool[threads] = ThreadPoolExecutor(threads, thread_name_prefix="tracenp")
    return ex


class _Buffers:
    """Large buffers of one compiled graph, handed out again once no one else holds them."""

    def __init__(self):
        self.free: dict[int, list] = {}
        self.lock = threading.Lock()

    def take(self, key: int, shape: tuple, dtype: np.dtype, used: list) -> np.ndarray:
        nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if nbytes < REUSE_MIN:
            return np.empty(shape, dtype)
        with self.lock:
            stack = self.free.get(key)
            buf = stack.pop() if stack else None
        if buf is None or sys.getrefcount(buf) > 2:
            buf = np.empty(shape, dtype)
        used.append((key, buf))
        return buf

    def give_back(self, used: list) -> None:
        with self.lock:
            for key, buf in used:
                self.free.setdefault(key, []).append(buf)


class LLVMBackend:
    name = "llvm"

    def compile(self, graph: Graph) -> Executable:
        sched = schedule(graph, lowerable)
        order = graph.nodes()
        slot = {id(n): i for i, n in enumerate(order)}
        template: list = [None] * (len(order) + 1)  # the last slot: a memo for linalg routines
        for c in sched.consts:
            template[slot[id(c)]] = c.attrs["value"].value
        buffers = _Buffers()
        steps = []
        for s in sched.steps:
            if isinstance(s, KernelStep):
                steps.append(_kernel_step(s.kernel, slot, buffers))
            else:
                steps.append(_node_step(s, slot, buffers))
        input_slots = [slot[id(n)] for n in graph.inputs]
        out_slots = [slot[id(o)] for o in graph.outputs]

        def run(args: list[np.ndarray]) -> list[np.ndarray]:
            env = template.copy()
            env[-1] = {}
            for i, a in zip(input_slots, args):
                env[i] = a
            used: list = []
            for step in steps:
                step(env, used)
            if used:
                buffers.give_back(used)
            return [_owned(env[i]) for i in out_slots]

        run.schedule = sched
        return run


def _node_step(step: NodeStep, slot: dict, buffers: _Buffers):
    n = step.node
    srcs = [slot[id(s)] for s in n.srcs]
    out = slot[id(n)]
    params = n.attrs
    if n.op is Op.MATMUL and n.dtype.kind == "f":
        shape, dtype = n.shape, n.dtype

        def matmul(env, used):
            buf = buffers.take(out, shape, dtype, used)
            env[out] = np.matmul(env[srcs[0]], env[srcs[1]], out=buf)

        return matmul
    if n.op is Op.LINALG:
        which = params.pop("out")
        fn = _linalg_step(which, (tuple(srcs), tuple(params.items())))

        def linalg(env, used):
            env[out] = fn(env[-1], *[env[s] for s in srcs], **params)

        return linalg
    ref = OPS[n.op].ref

    def library(env, used):
        r = ref(*[env[s] for s in srcs], **params)
        env[out] = r if isinstance(r, np.ndarray) else np.asarray(r)

    return library


def _kernel_step(k: Kernel, slot: dict, buffers: _Buffers):
    addr = compile_kernel(k)
    fn = kernel_function(addr, len(k.inputs) + len(k.outputs))
    shape = tuple(k.shape) or (1,)
    shape_arr = np.array(shape, dtype=np.int64)
    shape_addr = shape_arr.ctypes.data
    n0 = shape[0]
    total = int(np.prod(shape, dtype=np.int64))
    in_slots = [slot[id(n)] for n in k.inputs]
    kept = tuple(d for i, d in enumerate(k.shape) if i not in k.axes)
    pieces = _pieces(shape, k.axes, total)
    parts = len(pieces) if 0 in k.axes and k.shape else 1
    outs = []
    for o in k.outputs:
        dt = o.node.dtype
        if o.reduce is None:
            outs.append((slot[id(o.node)], None, k.shape, dt, None))
        else:
            ident = identity(o.reduce, dt)
            outs.append((slot[id(o.node)], o.reduce, (parts,) + kept, dt, ident))
    combine = {Op.SUM: np.add, Op.PROD: np.multiply, Op.MAX: np.maximum, Op.MIN: np.minimum}
    empty = total == 0

    def step(env, used):
        arrays = [env[i] for i in in_slots]
        results = []
        for out, red, oshape, dt, ident in outs:
            if red is None:
                buf = buffers.take(out, oshape, dt, used)
            else:
                buf = np.full(oshape, ident, dt)
            arrays.append(buf)
            results.append(buf)
        if not empty:
            _launch(fn, shape_addr, pieces, arrays)
        for (out, red, oshape, dt, ident), buf in zip(outs, results):
            if red is not None:
                buf = combine[red].reduce(buf, axis=0) if parts > 1 else buf.reshape(kept)
            env[out] = buf

    step.keep = (shape_arr, fn)
    step.n0 = n0
    return step


def _pieces(shape: tuple, axes: tuple, total: int) -> list[tuple[int, int, int]]:
    """(lo, hi, slot) ranges of dim 0; the split of a dim-0 reduction ignores thread counts."""
    n0 = shape[0]
    if total < PARALLEL_MIN or n0 < 2:
        return [(0, n0, 0)]
    if 0 in axes:
        rows = max(1, CHUNK * n0 // total)
        return [(lo, min(lo + rows, n0), i) for i, lo in enumerate(range(0, n0, rows))]
    threads = max(1, min(config.num_threads, n0))
    bounds = [n0 * t // threads for t in range(threads + 1)]
    return [(bounds[t], bounds[t + 1], 0) for t in range(threads)]


def _launch(fn, shape_addr: int, pieces: list, arrays: list) -> None:
    if len(pieces) == 1:
        lo, hi, s = pieces[0]
        fn(shape_addr, lo, hi, s, *arrays)
        return
    threads = max(1, min(config.num_threads, len(pieces)))

    def work(t: int) -> None:
        for lo, hi, s in pieces[t::threads]:
            fn(shape_addr, lo, hi, s, *arrays)

    if threads == 1:
        work(0)
        return
    futures = [_executor(threads).submit(work, t) for t in range(1, threads)]
    work(0)
    for f in futures:
        f.result()


def dump(fn, *args, **kwargs) -> str:
    """The LLVM IR and assembly of the kernels `fn` runs for these arguments."""
    from ..jit import JitFunction

    jf = fn if isinstance(fn, JitFunction) else JitFunction(fn)
    sched = schedule(jf.graph(*args, **kwargs), lowerable)
    return "\n".join(listing(s.kernel) for s in sched.steps if isinstance(s, KernelStep))


BACKEND = LLVMBackend()

__all__ = ["BACKEND", "LLVMBackend", "STATS", "dump", "lowerable"]
