"""Batches: a run of small launches made by one native call instead of one Python step each.

A loop over small arrays unrolls into hundreds of steps (`W @ h`, `tanh(... + b)`, a reshape
around each product), and each step's Python (fetch operands, allocate, call) costs 1-3 us,
more than its arithmetic: a 40-step RNN cell with H=8 ran at 0.6x NumPy. Here a run of
consecutive steps that are single-piece kernel launches, tiny float matrix products and views
becomes one step: per call it makes the arrays that leave the run (fresh, as NumPy would) and
the views of arrays that come from outside, then one builtin walks a program of launches
without Python in between.

The program is int64 words: `CALL fn words lo hi block n slot...` (the kernel ABI of
`llvm_kernel`: `fn(words, lo, hi, block, *arrays)`), `COPY slot src nbytes` (a reduction's
identity-filled start into its buffer), `END`. A slot >= 0 names the call's argument, one
< 0 an array fixed for the run: values that never leave it live in buffers made once (shapes
are fixed per compiled graph), guarded by a lock, so a second thread running the same graph
at the same time takes the ordinary steps instead.

A tiny product (at most `TINY_MATMUL` multiply-adds) runs as a plain triple loop in the
run's order of summation: a BLAS call through NumPy costs about 1 us before any arithmetic.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

from typing import TYPE_CHECKING

import numpy as np

from . import llvm_call
from .llvm_call import DATA_OFFSET
from .llvm_jit import entry, load_function

if TYPE_CHECKING:
    from llvmlite import ir

MIN_CALLS = 2  # launches in a run below which its steps stay as they are
TINY_MATMUL = 1 << 11  # multiply-adds: a product at most this large runs as a triple loop
END, CALL, COPY = range(3)
SAVE, RESTORE, INCREF, NONE, PROGRAM, FIXED, ROW = range(7)


@dataclass(frozen=True)
class Buffer:
    """An array a launch writes: a stored value's, or a reduction's partial."""

    out: int  # the env slot of its value
    shape: tuple[int, ...]  # the buffer's
    dtype: np.dtype
    start: np.ndarray | None = None  # a reduction's identity-filled partial, copied in first
    kept: tuple | None = None  # a reduction's value: the buffer reshaped to this
    into: int | None = None  # a stored value's: the env slot of the argument it is stored in
    passed: bool = True  # False: stored into that argument as the kernel reads it, not passed


@dataclass(frozen=True)
class Call:
    """A launch a run can make: one piece, writing small buffers."""

    fn: int  # the kernel's pool entry (`llvm_call.add_task`: its arguments as a row of words)
    words: np.ndarray  # what it reads beside its arrays: extents, windows
    lo: int
    hi: int
    reads: tuple[int, ...]  # the env slots of its input arrays, in order
    outs: tuple[Buffer, ...]  # passed after them, in the kernel's order (stores, then partials)
    block: int = 0  # the kernel's fourth argument (a row group's rows per block)
    # a row group's: the views made of its own buffers between its passes, and its operands
    # in the kernel's order, each an env slot (>= 0) or -1 - j for `outs[j]` itself
    views: tuple[View, ...] = ()
    order: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Program:
    """A graph that is nothing but single-piece launches (`Call`s) and views of their
    buffers: what `llvm_entry` runs as one builtin, without a Python step between them.

    Operands are ("arg", graph input), ("const", array), ("call", (a call, which of its
    buffers)) or ("view", a view): each call's what it reads, then what it writes (its own
    fresh buffers, or the arguments it stores into); each result is one of them too. A view
    is (its source, the function making it): views are made once the
    buffers exist, before any launch, as they share their memory. A reduction's partial
    buffer is read as it is only where its value is 0-d (a kernel reads a 0-d operand's data
    pointer alone, never its shape or strides), else through a view of the value's shape."""

    calls: tuple[Call, ...]
    operands: tuple[tuple[tuple[str, object], ...], ...]
    views: tuple[tuple[tuple[str, object], Callable], ...]
    results: tuple[tuple[str, object], ...]


def program(natives: list, inputs: list[int], template: list,
            outs: list[int]) -> Program | None:
    """The `Program` of a run whose steps' natives are `natives` (None if one is neither a
    `Call` nor a `View`, or it reads what a program cannot pass); `inputs` are the graph
    inputs' slots, `template` the run's constant slots, `outs` the results' slots."""
    if not any(isinstance(n, Call) for n in natives) or \
            not all(isinstance(n, (Call, View)) for n in natives):
        return None
    where = {s: i for i, s in enumerate(inputs)}
    made: dict[int, tuple] = {}  # env slot -> its operand
    kept: dict[int, tuple] = {}  # env slot -> the shape of a reduction's value
    calls: list = []
    operands: list = []
    views: list = []

    def operand(s: int, whole: bool) -> tuple | None:
        """What passes slot `s` (a 0-d reduction's buffer itself where `whole`)."""
        if s in made:
            shape = kept.get(s)
            if shape is not None and not (whole and shape == ()):
                views.append((made[s], lambda a, shape=shape: a.reshape(shape)))
                made[s] = ("view", len(views) - 1)
                del kept[s]
            return made[s]
        if s in where:
            return ("arg", where[s])
        value = template[s]
        return ("const", value) if isinstance(value, np.ndarray) else None

    for n in natives:
        if isinstance(n, View):
            src = operand(n.src, False)
            views.append((src, n.make))
            made[n.out] = ("view", len(views) - 1)
            continue
        reads = [] if n.order is not None else [operand(s, True) for s in n.reads]
        own = []
        for j, b in enumerate(n.outs):
            if b.into is not None and b.into not in where:
                return None
            made[b.out] = ("call", (len(calls), j)) if b.into is None else \
                ("arg", where[b.into])
            own.append(made[b.out])
            if b.kept is not None:
                kept[b.out] = b.kept
            if b.passed and n.order is None:
                reads.append(made[b.out])
        for v in n.views:  # a group's, of its own buffers
            views.append((operand(v.src, False), v.make))
            made[v.out] = ("view", len(views) - 1)
        if n.order is not None:
            reads = [operand(s, True) if s >= 0 else own[-1 - s] for s in n.order]
        calls.append(n)
        operands.append(tuple(reads))
    results = [operand(s, True) if s in made else None for s in outs]
    if None in results or any(src is None for src, _ in views) or \
            any(None in ops for ops in operands):
        return None
    return Program(tuple(calls), tuple(operands), tuple(views), tuple(results))


@dataclass(frozen=True)
class View:
    """A view step: `env[out] = make(env[src])`."""

    src: int
    out: int
    make: Callable


def matmul_call(srcs: list[int], out: int, a_shape: tuple, b_shape: tuple,
                dtype: np.dtype) -> Call | None:
    """The launch of a tiny 2-D float product `env[out] = env[a] @ env[b]`, or None."""
    dtype = np.dtype(dtype)
    if len(a_shape) != 2 or len(b_shape) != 2 or dtype not in (np.float32, np.float64):
        return None
    (m, k), n = a_shape, b_shape[1]
    if m * n * k > TINY_MATMUL:
        return None
    fn = load_function(f"tiny matmul {dtype.str}", lambda name: _matmul_module(name, dtype))
    task = entry(fn, llvm_call.TASK)
    if not task:  # loaded without its pool entry: the product stays a NumPy step
        return None
    return Call(task, np.array([m, n, k], dtype=np.int64), 0, m, tuple(srcs),
                (Buffer(out, (m, n), dtype),))


def batched(steps: list, escaping: set[int]) -> list:
    """`steps` with each run of batchable steps (a `.native` Call or View) holding at least
    MIN_CALLS launches made one step. `escaping`: slots read after the last step (outputs).
    A step without `.reads` may read any slot."""
    later: set[int] | None = set(escaping)  # None: every slot
    out: list = []
    run: list = []
    for step in reversed(steps):
        native = getattr(step, "native", None)
        if native is not None:
            run.append(step)
            continue
        out += _made(run[::-1], later)
        later = _read_after(later, [*run, step])
        run = []
        out.append(step)
    out += _made(run[::-1], later)
    return out[::-1]


def reads(step) -> tuple[int, ...] | None:
    """The slots a step reads, or None when it does not say (it may read any)."""
    native = getattr(step, "native", None)
    if isinstance(native, Call):
        return native.reads
    if isinstance(native, View):
        return (native.src,)
    return getattr(step, "reads", None)


def _read_after(later: set[int] | None, steps: list) -> set[int] | None:
    for step in steps:
        r = reads(step)
        if r is None or later is None:
            return None
        later = later | set(r)
    return later


def _made(run: list, later: set[int] | None) -> list:
    """The run as one batch step, or its steps as they are if it is too short; reversed,
    as `batched` builds its list backwards."""
    if sum(isinstance(s.native, Call) for s in run) < MIN_CALLS:
        return run[::-1]
    return [_Batch([s.native for s in run], later, run).step]


class _Batch:
    """One run's program, its fixed arrays, and the makers of its per-call arrays."""

    def __init__(self, natives: list, later: set[int] | None, steps: list):
        written = {b.out for n in natives
                   for b in (n.outs + n.views if isinstance(n, Call) else (n,))}
        leaves = set(written) if later is None else written & later
        for n in reversed(natives):  # a view that leaves takes what it views along
            for v in (n.views[::-1] if isinstance(n, Call) else (n,)):
                if v.out in leaves and v.src in written:
                    leaves.add(v.src)
        self.fixed: list = []  # arrays made once
        self.makers: list = []  # per call, in order: each makes one argument of the runner
        self.sets: list[tuple[int, int]] = []  # (env slot, argument) to store after the run
        code: dict[int, int] = {}  # env slot -> operand code (argument >= 0, fixed < 0)
        words: list[int] = []
        widest = 0
        self._keep = []

        def operand(s: int) -> int:
            if s not in code:  # from outside the run: read from env each call
                code[s] = self._arg(lambda env, objs, s=s: env[s])
            return code[s]

        def view(n: View) -> None:
            src = operand(n.src)
            if src < 0 and n.out not in leaves:
                code[n.out] = self._fix(n.make(self.fixed[-src - 1]))
            else:
                code[n.out] = self._arg(lambda env, objs, f=n.make, p=src: f(objs[p]))
            if n.out in leaves:
                self.sets.append((n.out, code[n.out]))

        for n in natives:
            if isinstance(n, View):
                view(n)
                continue
            reads = [] if n.order is not None else [operand(s) for s in n.reads]
            bufs = []
            for o in n.outs:
                if o.into is not None:  # the argument's own array
                    code[o.out] = operand(o.into)
                    if o.passed:
                        bufs.append(code[o.out])
                    if o.out in leaves:
                        self.sets.append((o.out, code[o.out]))
                    continue
                if o.out in leaves:
                    buf = self._arg(lambda env, objs, s=o.shape, d=o.dtype: np.empty(s, d))
                    res = buf if o.kept is None else \
                        self._arg(lambda env, objs, p=buf, k=o.kept: objs[p].reshape(k))
                    self.sets.append((o.out, res))
                else:
                    array = np.empty(o.shape, o.dtype)
                    buf = self._fix(array)
                    res = buf if o.kept is None else self._fix(array.reshape(o.kept))
                code[o.out] = res
                bufs.append(buf)
                if o.start is not None:
                    self._keep.append(o.start)
                    words += [COPY, buf, o.start.ctypes.data, o.start.nbytes]
            for v in n.views:  # a group's, of its own buffers: made once if they are
                view(v)
            if n.order is not None:
                reads, bufs = [operand(s) if s >= 0 else bufs[-1 - s] for s in n.order], []
            self._keep.append(n.words)
            count = len(reads) + len(bufs)
            words += [CALL, n.fn, n.words.ctypes.data, n.lo, n.hi, n.block, count, *reads,
                      *bufs]
            widest = max(widest, count)
        words.append(END)
        self.program = np.array(words, dtype=np.int64)
        self.table = np.array([id(a) for a in self.fixed] or [0], dtype=np.uint64).view(np.int64)
        self.row = np.zeros(5 + widest, dtype=np.int64)  # a launch's arguments, as its task
        # entry reads them (the lock keeps it to one caller)
        ctx = np.array([*_api_words(), self.program.ctypes.data, self.table.ctypes.data,
                        self.row.ctypes.data], dtype=np.int64)
        self.run = llvm_call.new_builtin(_runner(), ctx)
        self._ctx = ctx
        self.step = self._step(steps)

    def _fix(self, array: np.ndarray) -> int:
        self.fixed.append(array)
        return -len(self.fixed)

    def _arg(self, maker) -> int:
        self.makers.append(maker)
        return len(self.makers) - 1

    def _step(self, steps: list):
        lock, makers, sets, run = threading.Lock(), self.makers, self.sets, self.run

        def batch(env: list, used: list) -> None:
            if not lock.acquire(blocking=False):  # another thread is in this run's buffers
                for s in steps:
                    s(env, used)
                return
            try:
                objs: list = []
                for make in makers:
                    objs.append(make(env, objs))
                run(*objs)
                for s, p in sets:
                    env[s] = objs[p]
            finally:
                lock.release()

        batch.keep = self
        return batch


_api: list = []


def _api_words() -> list[int]:
    if not _api:
        _api.extend(llvm_call.api_address(f) for f in
                    ("PyEval_SaveThread", "PyEval_RestoreThread", "Py_IncRef"))
        _api.append(id(None))
    return _api


def _runner() -> int:
    return load_function("batch runner", _runner_module)


def _c(v: int) -> ir.Constant:
    from llvmlite import ir

    return ir.Constant(ir.IntType(64), v)


def _runner_module(name: str) -> ir.Module:
    """`name(ctx, args, nargs)`, a METH_FASTCALL entry running the program in `ctx`."""
    from llvmlite import ir

    from .llvm_loops import loop
    from .llvm_ops import I1, I8, I64, PTR

    module = ir.Module(name=name)
    fn = ir.Function(module, ir.FunctionType(PTR, [PTR, PTR, I64]), name)
    self_, argv, _ = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    ctx = b.load(b.gep(self_, [_c(DATA_OFFSET)], source_etype=I8), typ=PTR)

    def word(i: int):
        return b.load(b.gep(ctx, [_c(i)], source_etype=I64), typ=I64)

    def api(i: int, ret, args):
        fnty = ir.FunctionType(ret, [a.type for a in args])
        return b.call(b.inttoptr(word(i), fnty.as_pointer()), args)

    prog, fixed = b.inttoptr(word(PROGRAM), PTR), b.inttoptr(word(FIXED), PTR)
    state = api(SAVE, PTR, [])
    start = b.block
    head, done = fn.append_basic_block("op"), fn.append_basic_block("done")
    b.branch(head)
    b.position_at_end(head)
    pc = b.phi(I64)
    pc.add_incoming(_c(0), start)

    def at(k: int):
        return b.load(b.gep(prog, [b.add(pc, _c(k))], source_etype=I64), typ=I64)

    def array(s):
        place = b.select(b.icmp_signed(">=", s, _c(0)), b.gep(argv, [s], source_etype=PTR),
                         b.gep(fixed, [b.sub(_c(-1), s)], source_etype=PTR))
        return b.load(place, typ=PTR)

    def next_op(end) -> None:
        pc.add_incoming(end, b.block)
        b.branch(head)

    call_block, copy_block = fn.append_basic_block("call"), fn.append_basic_block("copy")
    ops = b.switch(at(0), done)
    ops.add_case(_c(CALL), call_block)
    ops.add_case(_c(COPY), copy_block)

    b.position_at_end(copy_block)
    data = b.load(b.gep(array(at(1)), [_c(DATA_OFFSET)], source_etype=I8), typ=PTR)
    memcpy = module.declare_intrinsic("llvm.memcpy", [PTR, PTR, I64])
    b.call(memcpy, [data, b.inttoptr(at(2), PTR), at(3), ir.Constant(I1, 0)])
    next_op(b.add(pc, _c(4)))

    b.position_at_end(call_block)
    row = b.inttoptr(word(ROW), PTR)
    for j, value in enumerate((at(2), at(3), at(4), at(5))):  # words, lo, hi, block
        b.store(value, b.gep(row, [_c(1 + j)], source_etype=I64))
    count = at(6)
    base = b.add(pc, _c(7))

    def operand(j, _end, _carried):
        s = b.load(b.gep(prog, [b.add(base, j)], source_etype=I64), typ=I64)
        b.store(b.ptrtoint(array(s), I64), b.gep(row, [b.add(j, _c(5))], source_etype=I64))

    loop(b, _c(0), count, operand, name="operand")
    task = ir.FunctionType(ir.VoidType(), [PTR])
    b.call(b.inttoptr(at(1), task.as_pointer()), [row])
    next_op(b.add(base, count))

    b.position_at_end(done)
    api(RESTORE, ir.VoidType(), [state])
    none = b.inttoptr(word(NONE), PTR)
    api(INCREF, ir.VoidType(), [none])
    b.ret(none)
    return module


def _matmul_module(name: str, dtype: np.dtype) -> ir.Module:
    """`name(words, lo, hi, _, a, b, out)`: rows [lo, hi) of `out = a @ b`, words M, N, K,
    each sum taken in order of k from zero (arrays of any strides)."""
    from llvmlite import ir

    from .llvm_kernel import STRIDES_OFFSET
    from .llvm_loops import loop
    from .llvm_ops import I8, I64, PTR, intrinsic, llvm_type

    module = ir.Module(name=name)
    t = llvm_type(dtype)
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [PTR, I64, I64, I64] + [PTR] * 3),
                     name)
    words, lo, hi, _, *arrays = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    n = b.load(b.gep(words, [_c(1)], source_etype=I64), typ=I64)
    k = b.load(b.gep(words, [_c(2)], source_etype=I64), typ=I64)

    def layout(arr):
        data = b.load(b.gep(arr, [_c(DATA_OFFSET)], source_etype=I8), typ=PTR)
        strides = b.load(b.gep(arr, [_c(STRIDES_OFFSET)], source_etype=I8), typ=PTR)
        return data, *[b.load(b.gep(strides, [_c(d)], source_etype=I64), typ=I64)
                       for d in (0, 1)]

    (a, a0, a1), (bb, b0, b1), (o, o0, o1) = (layout(x) for x in arrays)

    def element(p, i, s0, j, s1):
        return b.gep(p, [b.add(b.mul(i, s0), b.mul(j, s1))], source_etype=I8)

    def row(i, _end, _carried):
        def column(j, _end, _carried):
            def term(kk, _end, acc):
                x = b.load(element(a, i, a0, kk, a1), typ=t)
                y = b.load(element(bb, kk, b0, j, b1), typ=t)
                return {"acc": intrinsic(b, "fma", [x, y, acc["acc"]])}

            acc = loop(b, _c(0), k, term, {"acc": ir.Constant(t, 0.0)}, name="k")["acc"]
            b.store(acc, element(o, i, o0, j, o1))

        loop(b, _c(0), n, column, name="j")

    loop(b, lo, hi, row, name="i")
    b.ret_void()
    llvm_call.add_task(module, fn)
    return module
