"""One LLVM function per fused `Kernel`, built with llvmlite's IRBuilder.

The function is shape-generic: extents come from a runtime `shape` array and strides are
read from the NumPy arrays themselves, so one compiled function serves every extent with
the same dtypes, rank and broadcast pattern (the kernel's `text()`):

    void kernel(i64* shape, i64 lo, i64 hi, i64 slot, PyArrayObject* a0, ..., an)

`a0..` are the kernel's inputs, then one array per output: elementwise outputs have the
kernel's shape; reduction outputs have shape `(P,) + kept dims` and dtype `partial_dtype`
(float32 for float16), and the kernel accumulates into row `slot` (partials of a split
reduction; P is 1 otherwise). Dim 0 runs over `[lo, hi)`, which is how the runtime splits
work across threads (and how a `RowGroup` runs its passes block by block). The loop nest is
the flattened outer dims around an inner loop over the last dim; the inner loop has a
contiguous version (unit strides: the loop vectorizer widens it) and a strided one, chosen
per row at run time; in a kernel with large elementwise outputs, the contiguous version
runs in chunks through tiles that are copied out with streaming stores (`llvm_stream`). A
kernel with sin, cos or tan runs the inner loop in chunks, each with the inlined trig code
and a flag for arguments beyond its range, and redoes a flagged chunk with the exact code
(`_guarded`). Array fields are read at offsets of NumPy's public `PyArrayObject`
layout (data, nd, dimensions, strides follow the object header).
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir

from ..fusion import Kernel, RowGroup
from ..ops import Op
from . import llvm_call, llvm_math, llvm_stream
from .llvm_complex import Complex, add as complex_add, constant as complex_constant
from .llvm_loops import loop, when
from .llvm_ops import FLOAT, HALF, I1, I8, I64, PTR, cast, extremum, find, intrinsic, \
    llvm_type, memory_type, prefetch, to_half

HEADER = object.__basicsize__  # PyObject_HEAD; NumPy's fields follow it
DATA_OFFSET, STRIDES_OFFSET = HEADER, HEADER + 24
REDUCE_FLAGS = ("reassoc",)  # reductions may be reordered (deterministically) to vectorize
PREFETCH_CHUNK = 512  # elements of a prefetching inner loop between two bursts of prefetches
LINE = 64  # bytes per cache line: one prefetch each
GUARD_CHUNK = 2048  # elements of an inner loop redone when a trig argument was beyond TRIG_MAX
TRIG = (Op.SIN, Op.COS, Op.TAN)
HUGE = "huge"  # the accumulator key of the flag "some trig argument was beyond TRIG_MAX"
IM = "im"  # `(j, IM)`: the imaginary part of a complex accumulator `j` (its real part: `j`)
SHARED_PASSES_ABOVE = 2000  # body instructions of a row group's passes above which passes of
# one text share a function (`_build_rows`)


def register_dtype(dtype: np.dtype) -> np.dtype:
    """float16 values are held as float32, rounded to half after each op (as NumPy does)."""
    return np.dtype(np.float32) if np.dtype(dtype) == np.float16 else np.dtype(dtype)


def partial_dtype(dtype: np.dtype) -> np.dtype:
    """A reduction's accumulator in memory: float16 sums keep float32 partials, as NumPy's
    pairwise float16 sum does, rather than rounding to half after every row."""
    return register_dtype(dtype)


def supports(kernel_op: Op, in_dtypes: tuple, out_dtype: np.dtype) -> bool:
    regs = tuple(register_dtype(d) for d in in_dtypes)
    if kernel_op is Op.CAST:
        return find(kernel_op, in_dtypes, out_dtype) is not None
    return find(kernel_op, regs, register_dtype(out_dtype)) is not None


def function_name(text_digest: str) -> str:
    return f"tracenp_k_{text_digest[:24]}"


def build_module(kernel: Kernel | RowGroup, name: str) -> ir.Module:
    """The LLVM module holding the function `name` of a kernel or of a group of row passes."""
    module = ir.Module(name=name)
    if isinstance(kernel, RowGroup):
        _build_rows(module, kernel, name)
    else:
        streams = tuple(j for j, o in enumerate(kernel.outputs, len(kernel.inputs))
                        if o.reduce is None) if kernel.large_outputs() else ()
        fn = ir.Function(module, _signature(kernel), name)
        _KernelEmitter(kernel, fn, streams=streams).emit()
    fn = module.get_global(name)
    fn.attributes.add("noinline")  # one copy of the code, called by its CPython entry too
    llvm_call.add_caller(module, fn)
    llvm_call.add_task(module, fn)
    return module


def _signature(kernel: Kernel) -> ir.FunctionType:
    return ir.FunctionType(ir.VoidType(), [PTR, I64, I64, I64] + [PTR] * len(kernel.passed()))


def _build_rows(module: ir.Module, group: RowGroup, name: str) -> None:
    """The group's function: for each block of `block` rows in `[lo, hi)`, every pass in turn.

    Its signature is a kernel's, with `block` in the place of `slot` (every reduction of a
    group has one partial), the passes' shape arrays one after another at `shape`, and the
    passes' arrays one after another. The passes are internal functions, inlined by LLVM.
    In a group of long passes (`SHARED_PASSES_ABOVE`), passes of one text (an unrolled
    loop's: 180 passes of 3 texts for 60 bisection steps) share one function, which LLVM
    compiles once instead of inlining 60 copies: 20 s of LLVM became 3 s. Short passes stay
    inlined (a 40-step RNN's 85 passes of 200 instructions ran 1.75x slower as calls).
    """
    passes = []
    ahead = _prefetched(group.kernels)
    made: dict[tuple, ir.Function] = {}
    share = sum(len(k.body) for k in group.kernels) > SHARED_PASSES_ABOVE
    for i, k in enumerate(group.kernels):
        final = group.final(k) if k.large_outputs() else ()
        key = (k.text() if share else i, ahead.get(i, ()), group.local(k), final)
        if key not in made:
            made[key] = fn = ir.Function(module, _signature(k), f"{name}_pass{len(made)}")
            fn.linkage = "internal"
            _KernelEmitter(k, fn, *key[1:]).emit()
        passes.append(made[key])
    n_arrays = sum(len(f.args) - 4 for f in passes)
    driver = ir.Function(module, ir.FunctionType(ir.VoidType(), [PTR, I64, I64, I64]
                                                 + [PTR] * n_arrays), name)
    shapes, lo, hi, block = driver.args[:4]
    arrays = driver.args[4:]
    b = ir.IRBuilder(driver.append_basic_block("entry"))

    def one_block(start, stop, _):
        offset, first = 0, 0
        for k, fn in zip(group.kernels, passes):
            shape = b.gep(shapes, [ir.Constant(I64, offset)], source_etype=I64)
            count = len(fn.args) - 4
            b.call(fn, [shape, start, stop, ir.Constant(I64, 0), *arrays[first:first + count]])
            offset += len(k.words())
            first += count

    loop(b, lo, hi, one_block, step=block, name="block")
    b.ret_void()


def _prefetched(kernels: tuple[Kernel, ...]) -> dict[int, tuple[int, ...]]:
    """{pass: its inputs to prefetch one block ahead}: the first pass after the first that
    reads the first pass's full-size inputs prefetches them for the next block while it
    computes, so the first pass of the next block finds them in cache instead of waiting
    for memory (the later passes are compute-bound, the first one memory-bound)."""
    first = kernels[0]
    big = {id(n) for n in first.inputs if n.shape == first.shape}
    for p, k in enumerate(kernels[1:], 1):
        shared = tuple(j for j, n in enumerate(k.inputs) if id(n) in big and n.shape == k.shape)
        if shared:
            return {p: shared}
    return {}


class _KernelEmitter:
    def __init__(self, kernel: Kernel, fn: ir.Function, prefetch: tuple[int, ...] = (),
                 local: tuple[int, ...] = (), streams: tuple[int, ...] = ()):
        self.k = kernel
        self.fn = fn
        self.prefetch = prefetch  # inputs whose rows one block ahead are prefetched
        self.local = local  # operands holding rows [lo, hi) only: row i is at i - lo
        # loop dims: dim 0 (split across threads and blocks) and the others of extent > 1;
        # a unit dim indexes nothing (the kernel's text names them, so extents keep them 1)
        self.dims = [d for d in range(len(kernel.shape)) if d == 0 or kernel.shape[d] != 1]
        self.rank = max(len(self.dims), 1)
        self.b = ir.IRBuilder(fn.append_basic_block("entry"))
        self.layout = self._operand_layout()
        self.tiled = list(streams)  # elementwise outputs that stream when large (`llvm_stream`)
        in_memory = any(red is not None and idx[-1] is not None for _, idx, red in self.layout)
        # a redo would add a chunk twice into accumulators in memory: those keep exact calls
        self.guard = not in_memory and any(ins.op in TRIG and ins.dtype.kind != "c"
                                           for ins in kernel.body)  # complex: libm's calls

    # ---------------------------------------------------------------- operands
    def _operand_layout(self):
        """Per operand: (memory dtype, [stride index or None per loop dim], reduce op, offset)."""
        k, r = self.k, self.rank
        ops = []
        for i, node in enumerate(k.inputs):
            pat = k.pattern(i) if k.shape else "b"
            lead = len(k.shape) - len(k.view_shape(i))
            idx = [None if p == "b" else d - lead for d, p in enumerate(pat)]
            ops.append((node.dtype, idx, None))
        kept = [d for d in range(len(k.shape)) if d not in k.axes]
        for o in k.outputs:
            if o.reduce is None:
                idx = list(range(len(k.shape))) or [None]
            else:
                idx = [None if d in k.axes else 1 + kept.index(d) for d in range(len(k.shape))]
                idx = idx or [None]
            dt = o.node.dtype if o.reduce is None else partial_dtype(o.node.dtype)
            ops.append((dt, idx, o.reduce))
        if self.dims:
            ops = [(dt, [idx[d] for d in self.dims], red) for dt, idx, red in ops]
        assert all(len(x[1]) == r for x in ops)
        return ops

    def _flat_candidate(self) -> bool:
        """Whether the loop nest may run as one flat loop when strides allow: every operand
        either varies along every loop dim or along none (a scalar, a full reduction)."""
        return self.rank > 1 and all(all(i is None for i in idx) or None not in idx
                                     for _, idx, _ in self.layout)

    def _flat(self, shape):
        """i1: the rows of every varying operand follow one another in memory (each loop
        dim's stride is the next one's times its extent), so [lo, hi) is one run."""
        b, ok = self.b, ir.Constant(I1, 1)
        for st in self.strides:
            if st[0] is None:
                continue
            for d in range(self.rank - 1):
                ok = b.and_(ok, b.icmp_signed("==", st[d], b.mul(st[d + 1], shape[d + 1])))
        return ok

    def emit(self) -> None:
        b = self.b
        shape_p, lo, hi, slot = self.fn.args[:4]
        passed = self.fn.args[4:]
        position = {j: i for i, j in enumerate(self.k.passed())}
        arrays = [passed[position[self.k.shares[j] if self.k.shares else j]]
                  for j in range(len(self.layout))]
        layout = self.layout
        r = self.rank
        shape = [self._word(shape_p, d) for d in (self.dims or [0])]
        if self.tiled:
            self._tiles()
        data, strides = [], []
        word = max(len(self.k.shape), 1)  # where the windows' words start in `shape_p`
        for j, (arr, (dt, idx, red)) in enumerate(zip(arrays, layout)):
            p = b.load(b.gep(arr, [ir.Constant(I64, DATA_OFFSET)], source_etype=I8), typ=PTR)
            sp = b.load(b.gep(arr, [ir.Constant(I64, STRIDES_OFFSET)], source_etype=I8), typ=PTR)
            if red is not None:
                s0 = b.load(sp, typ=I64)
                p = b.gep(p, [b.mul(slot, s0)], source_etype=I8)
            window = self.k.window(j)
            if window is None:
                strides.append([None if d is None else self._word(sp, d) for d in idx])
            else:
                p, own, word = self._window(p, sp, shape_p, window, word)
                strides.append([None if d is None else own[d] for d in idx])
            data.append(p)
        self.strides, self.data = strides, data
        self.ahead = {j: b.mul(b.sub(hi, lo), strides[j][0]) for j in self.prefetch
                      if strides[j][0] is not None}  # bytes from a row to the next block's
        if r == 1:
            for j in self.local:  # row i of a local operand is at i - lo
                if strides[j][0] is not None:
                    data[j] = b.gep(data[j], [b.mul(b.neg(lo), strides[j][0])], source_etype=I8)
            self._row([], lo, hi)
        else:
            rows = b.sub(hi, lo)
            for d in range(1, r - 1):
                rows = b.mul(rows, shape[d])
            length = shape[r - 1]
            if self._flat_candidate():  # one row from row lo on, of all the elements
                flat = self._flat(shape)
                run = b.sub(hi, lo)
                for d in range(1, r):
                    run = b.mul(run, shape[d])
                rows = b.select(flat, ir.Constant(I64, 1), rows)
                length = b.select(flat, run, length)
            loop(b, ir.Constant(I64, 0), rows,
                 lambda row, _, __: self._outer_row(row, shape, lo, length))
        if self.tiled:
            llvm_stream.fence(b)
        b.ret_void()

    def _tiles(self) -> None:
        """The stack tiles of the outputs in `tiled`."""
        b = self.b
        sizes = [self._size(j) for j in self.tiled]
        self.tile_len = llvm_stream.tile_length(sizes)
        self.tile = {}
        for j, size in zip(self.tiled, sizes):
            tile = b.alloca(ir.ArrayType(I8, self.tile_len * size))
            tile.align = llvm_stream.LINE
            tile.type = PTR  # llvmlite types an alloca's pointer; stores need an opaque one
            self.tile[j] = tile

    def _size(self, j: int) -> int:
        return np.dtype(self.layout[j][0]).itemsize

    def _window(self, p, sp, shape_p, w, word: int):
        """The first element's address and the strides of a window of the array at `p`
        with strides `sp`, its start and steps read from `shape_p` at `word` on; and the
        next window's word."""
        b = self.b

        def stride(d):
            if not w.start:  # a 0-d array has no strides (a window of it: one element)
                return ir.Constant(I64, 0)
            return self._word(sp, d)

        for d in range(len(w.start)):
            p = b.gep(p, [b.mul(self._word(shape_p, word + d), stride(d))], source_etype=I8)
        word += len(w.start)
        own = [b.mul(self._word(shape_p, word + v), stride(d)) for v, d in enumerate(w.dims)]
        return p, own, word + len(w.dims)

    def _word(self, ptr, k: int):
        """The int64 at index `k` of `ptr` (an extent, a window's word, a stride)."""
        b = self.b
        return b.load(b.gep(ptr, [ir.Constant(I64, k)], source_etype=I64), typ=I64)

    def _outer_row(self, row, shape, lo, length):
        b, r = self.b, self.rank
        idx = [None] * (r - 1)
        rest = row
        for d in range(r - 2, 0, -1):
            idx[d] = b.urem(rest, shape[d])
            rest = b.udiv(rest, shape[d])
        idx[0] = b.add(lo, rest)
        self._row(idx, ir.Constant(I64, 0), length, rest)

    # ---------------------------------------------------------------- loops
    def _row(self, idx, start, stop, local0=None):
        """One row: the operands' bases for outer index `idx` (`local0`: dim 0's index
        relative to `lo`, for local operands), then the inner loop."""
        b, r = self.b, self.rank
        bases = []
        for j, (p, st) in enumerate(zip(self.data, self.strides)):
            off = None
            for d, i in enumerate(idx):
                if st[d] is not None:
                    t = b.mul(local0 if d == 0 and j in self.local else i, st[d])
                    off = t if off is None else b.add(off, t)
            bases.append(p if off is None else b.gep(p, [off], source_etype=I8))
        inner = [st[r - 1] for st in self.strides]
        invariant = {}
        accs = {}
        for j, (dt, _, red) in enumerate(self.layout):
            if inner[j] is not None:
                continue
            if red is None:
                invariant[j] = self._load(bases[j], dt)
            else:
                acc = self._load(bases[j], dt)
                if isinstance(acc, Complex):  # loops carry registers: one per part
                    accs[j], accs[(j, IM)] = acc
                    continue
                accs[j] = acc
                if red in (Op.MAX, Op.MIN) and not isinstance(accs[j].type, ir.IntType):
                    accs[(j, "nan")] = b.fcmp_unordered("uno", accs[j], accs[j])
        contig = ir.Constant(I1, 1)
        for j, (dt, _, _) in enumerate(self.layout):
            if inner[j] is not None:
                same = b.icmp_signed("==", inner[j], ir.Constant(I64, np.dtype(dt).itemsize))
                contig = b.and_(contig, same)
        fast = b.append_basic_block("contig")
        slow = b.append_basic_block("strided")
        done = b.append_basic_block("row.end")
        b.cbranch(contig, fast, slow)
        results = []
        for block, unit in ((fast, True), (slow, False)):
            b.position_at_end(block)

            def addr(j, i, unit=unit):
                if inner[j] is None:
                    return bases[j]
                if unit:
                    return b.gep(bases[j], [i], source_etype=memory_type(self.layout[j][0]))
                return b.gep(bases[j], [b.mul(i, inner[j])], source_etype=I8)

            def run(start, stop, accs, addr=addr, unit=unit):
                if unit and self.ahead:
                    return self._chunks(start, stop, addr, invariant, accs)
                return self._guarded(start, stop, addr, invariant, accs)

            if unit and self.tiled:
                final = self._streamed(start, stop, bases, addr, accs, run)
            else:
                final = run(start, stop, accs)
            results.append((final, b.block))
            b.branch(done)
        b.position_at_end(done)
        phis = {}
        for j in accs:  # every phi first: LLVM wants them at the top of the block
            phis[j] = b.phi(accs[j].type)
            for final, block in results:
                phis[j].add_incoming(final[j], block)
        for j, phi in phis.items():
            if isinstance(j, int):
                if (j, "nan") in phis:
                    phi = b.select(phis[(j, "nan")], ir.Constant(phi.type, float("nan")), phi)
                if (j, IM) in phis:
                    phi = Complex(phi, phis[(j, IM)])
                self._store(bases[j], phi, self.layout[j][0])

    def _streamed(self, start, stop, bases, addr, accs, run):
        """A contiguous row in chunks that start at the first tiled output's line
        boundaries, each run into the tiles and copied out (`llvm_stream`), when every tiled
        output's row is aligned to its items; else one chunk run in place."""
        b = self.b
        c64 = lambda v: ir.Constant(I64, v)  # noqa: E731
        flag = ir.Constant(I1, 1)
        for j in self.tiled:
            misaligned = b.and_(b.ptrtoint(bases[j], I64), c64(self._size(j) - 1))
            flag = b.and_(flag, b.icmp_unsigned("==", misaligned, c64(0)))
        lead = self.tiled[0]  # chunks start at its lines: item `first + c` of memory
        first = b.udiv(b.ptrtoint(bases[lead], I64), c64(self._size(lead)))

        def step(c):
            into = b.and_(b.add(first, c), c64(self.tile_len - 1))
            return b.select(flag, b.sub(b.add(c, c64(self.tile_len)), into), stop)

        def chunk(c, end, phis):
            moved = {j: b.select(flag, b.gep(self.tile[j], [b.mul(c, c64(-self._size(j)))],
                                             source_etype=I8), bases[j]) for j in self.tiled}

            def at(j, i):
                if j in moved:
                    return b.gep(moved[j], [i], source_etype=memory_type(self.layout[j][0]))
                return addr(j, i)

            final = run(c, end, phis, at)

            def copy():
                for j in self.tiled:
                    dst = b.gep(bases[j], [b.mul(c, c64(self._size(j)))], source_etype=I8)
                    llvm_stream.copy_out(b, dst, self.tile[j], b.sub(end, c), self._size(j))
                return {}

            when(b, flag, copy, {})
            return final

        return loop(b, start, stop, chunk, accs, step, "tile")

    def _chunks(self, start, stop, addr, invariant, accs):
        """The inner loop in chunks of PREFETCH_CHUNK elements, each chunk followed by one
        prefetch (into L2) per cache line of the same columns one block of rows ahead."""
        b = self.b

        def chunk(c, end, phis):
            final = self._guarded(c, end, addr, invariant, phis)
            for j, ahead in self.ahead.items():
                size = np.dtype(self.layout[j][0]).itemsize
                lines = b.udiv(b.add(b.mul(b.sub(end, c), ir.Constant(I64, size)),
                                     ir.Constant(I64, LINE - 1)), ir.Constant(I64, LINE))
                base = b.gep(addr(j, c), [ahead], source_etype=I8)
                loop(b, ir.Constant(I64, 0), lines, lambda q, _, __, base=base: prefetch(
                     b, b.gep(base, [b.mul(q, ir.Constant(I64, LINE))], source_etype=I8)))
            return final

        return loop(b, start, stop, chunk, accs, PREFETCH_CHUNK, "chunk")

    def _guarded(self, start, stop, addr, invariant, accs):
        """The inner loop, in a kernel with trig ops in chunks of GUARD_CHUNK elements: each
        chunk runs with the inlined trig code, valid up to TRIG_MAX, and when some argument
        was beyond it, again with the exact code, the accumulators restarting from their
        values at the chunk's start. The outputs the first run stored are overwritten; its
        inputs are unchanged, as a kernel's outputs never share memory with its inputs (each
        gets its own buffer in `llvm.py`)."""
        if not self.guard:
            return self._inner(start, stop, addr, invariant, accs)
        b = self.b

        def chunk(c, end, phis):
            fast = self._inner(c, end, addr, invariant, {**phis, HUGE: ir.Constant(I1, 0)},
                               "fast")
            huge = fast.pop(HUGE)
            return when(b, huge, lambda: self._inner(c, end, addr, invariant, phis, "exact"),
                        fast, weights=(1, 1 << 20))

        return loop(b, start, stop, chunk, accs, GUARD_CHUNK, "guard")

    def _inner(self, start, stop, addr, invariant, accs, trig=None):
        """The inner loop over the last dim; returns the accumulators' final values. `trig`:
        "fast" for the inlined trig code (the flag HUGE in `accs` gathers its range checks),
        "exact" for exact scalar calls, None for exact calls the vectorizer widens."""
        # the flag of the fast trig code is no reason to interleave (twice the code to compile)
        hints = (("llvm.loop.interleave.count", 1),) if trig == "fast" else ()
        return loop(self.b, start, stop,
                    lambda i, _, phis: self._element(i, addr, invariant, phis, trig),
                    accs, name="inner", hints=hints)

    def _element(self, i, addr, invariant, phis, trig) -> dict:
        """The inner loop's body for element i: the accumulators' new values."""
        b = self.b
        n_in = len(self.k.inputs)
        values = []
        for j in range(n_in):
            values.append(invariant[j] if j in invariant else
                          self._load(addr(j, i), self.layout[j][0]))
        new = {}
        if trig is None:
            self._body(values)
        else:
            beyond: list = []
            with llvm_math.trig_mode(beyond if trig == "fast" else None):
                self._body(values)
            if trig == "fast":
                new[HUGE] = phis[HUGE]
                for m in beyond:
                    new[HUGE] = b.or_(new[HUGE], m)
        for o_i, o in enumerate(self.k.outputs):
            j = n_in + o_i
            v = values[o.value]
            dt = self.layout[j][0]
            if o.reduce is None:
                self._store(addr(j, i), v, dt)
            elif (j, "nan") in phis:  # NaN seen: a flag; the extremum of the rest: plain
                new[(j, "nan")] = b.or_(phis[(j, "nan")], b.fcmp_unordered("uno", v, v))
                new[j] = intrinsic(b, "maxnum" if o.reduce is Op.MAX else "minnum",
                                   [phis[j], v])
                new[j].fastmath.update(("nnan", "nsz"))  # a plain vmaxpd/vminpd
            elif (j, IM) in phis:
                new[j], new[(j, IM)] = self._combine(o.reduce, Complex(phis[j], phis[(j, IM)]),
                                                     v, dt)
            elif j in phis:
                new[j] = self._combine(o.reduce, phis[j], v, dt)
            else:
                p = addr(j, i)
                self._store(p, self._combine(o.reduce, self._load(p, dt),
                                             v, dt), dt)
        return new

    # ---------------------------------------------------------------- scalars
    def _body(self, values: list) -> None:
        b, k = self.b, self.k
        for ins in k.body:
            if ins.op is Op.CONST:
                v = ins.params[0][1]
                ty = llvm_type(register_dtype(ins.dtype))
                if ins.dtype.kind == "c":
                    values.append(complex_constant(ty, v))
                    continue
                values.append(ir.Constant(ty, int(v) if isinstance(ty, ir.IntType) else
                                          float(v)))
                continue
            srcs = [values[a] for a in ins.args]
            src_dts = [k.dtype(a) for a in ins.args]
            if ins.op is Op.CAST:
                values.append(self._cast(srcs[0], src_dts[0], ins.dtype))
                continue
            regs = [register_dtype(d) for d in src_dts]
            fn = find(ins.op, tuple(regs), register_dtype(ins.dtype))
            v = fn(b, srcs, ins, src_dts)
            if ins.dtype == np.float16:
                v = b.fpext(to_half(b, v), FLOAT)
            values.append(v)

    def _cast(self, x, src, dst):
        b = self.b
        if dst == np.float16:
            if src == np.float16:
                return x
            h = cast(b, x, src, np.float64) if src.kind != "f" else x
            return b.fpext(to_half(b, h), FLOAT)
        return cast(b, x, src, dst)

    def _combine(self, red: Op, acc, v, dt):
        b = self.b
        if isinstance(v, Complex):  # a sum: `lowerable` takes no other complex reduction
            return complex_add(b, acc, v, REDUCE_FLAGS)
        if isinstance(v.type, ir.IntType):
            if v.type == I1:
                return (b.or_ if red in (Op.SUM, Op.MAX) else b.and_)(acc, v)
            if red is Op.SUM:
                return b.add(acc, v)
            if red is Op.PROD:
                return b.mul(acc, v)
            return extremum(b, red is Op.MAX, acc, v, dt)
        if red is Op.SUM:
            return b.fadd(acc, v, flags=REDUCE_FLAGS)
        if red is Op.PROD:
            return b.fmul(acc, v, flags=REDUCE_FLAGS)
        # llvm.maximum/minimum propagate NaN like NumPy and vectorize as reductions
        return intrinsic(b, "maximum" if red is Op.MAX else "minimum", [acc, v])

    def _load(self, ptr, dt):
        b = self.b
        dt = np.dtype(dt)
        if dt.kind == "c":  # the parts, interleaved
            part = llvm_type(dt)
            return Complex(b.load(ptr, typ=part),
                           b.load(b.gep(ptr, [ir.Constant(I64, 1)], source_etype=part), typ=part))
        v = b.load(ptr, typ=memory_type(dt))
        if dt == np.bool_:
            return b.icmp_unsigned("!=", v, ir.Constant(I8, 0))
        if dt == np.float16:
            return b.fpext(v, FLOAT)
        return v

    def _store(self, ptr, v, dt):
        b = self.b
        dt = np.dtype(dt)
        if isinstance(v, Complex):
            part = llvm_type(dt)
            b.store(v.re, ptr)
            b.store(v.im, b.gep(ptr, [ir.Constant(I64, 1)], source_etype=part))
            return
        if dt == np.bool_:
            v = b.zext(v, I8)
        elif dt == np.float16:
            v = to_half(b, v)
        b.store(v, ptr)
