"""Row-dot fusion: `t = X @ w`, a row-wise elementwise chain `r = f(t, ...)`, then `X.T @ r`,
in one pass over X.

The gradient of a generalized linear model (logistic regression, least squares, Poisson)
has this shape: two matrix-vector products over the same X around an elementwise chain.
BLAS reads X twice from memory; here X is walked once in blocks of rows that stay in
cache: per block, the dots `t[i] = X[i, :] @ w`, then the chain's kernels over those rows
(the same compiled kernels, called with the block's row range), then
`acc += X[i, :] * r[i]`. The chain's reductions (the loss, `r.sum()` for a bias) come out
of the same pass. While a block accumulates, the next block's rows are prefetched into L2,
so the stream from memory does not stall between the phases.

Work is cut into pieces of about `CHUNK` elements of X whatever the thread count; each
piece accumulates into its own partial row, and partials are combined in order, so results
are identical on every run and for every `num_threads`. X rows of any stride are accepted;
unit-stride rows take a vectorized loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from llvmlite import ir

from ..fusion import KernelStep, NodeStep, Step
from ..ir import Node
from ..ops import Op
from . import llvm_call
from .llvm_jit import load_function
from .llvm_kernel import DATA_OFFSET, STRIDES_OFFSET
from .llvm_loops import loop, when
from .llvm_ops import I8, I64, PTR, llvm_type

CHUNK = 1 << 17  # elements of X per piece (one partial each; a piece's start costs ~3 us)
BLOCK = 1 << 12  # elements of X per block of rows (kept in L1 between the two uses)
MIN_SIZE = 1 << 15  # elements of X below which the two BLAS calls are as good
MIN_COLS = 16  # shorter rows cost more per row (a horizontal sum each) than BLAS's gemv


@dataclass(frozen=True)
class RowDot:
    """A planned fusion: `first = X @ w`, `chain` kernels over rows, `last = X.T @ r`.

    `pre` are window steps the chain needs that do not depend on `first` (run before),
    `views` are views of `first` or of chain outputs (made before the pass), `post` the
    window's other steps (run after, in order).
    """

    first: Node
    last: Node
    r: Node
    chain: tuple[KernelStep, ...]
    pre: tuple[Step, ...]
    views: tuple[NodeStep, ...]
    post: tuple[Step, ...]


def _matvec(node: Node) -> bool:
    if node.op is not Op.MATMUL or node.dtype not in (np.float32, np.float64):
        return False
    x, w = node.srcs
    return (x.ndim == 2 and w.ndim == 2 and w.shape[1] == 1 and (x.size or 0) >= MIN_SIZE
            and x.shape[1] >= MIN_COLS)


def _unview(node: Node) -> Node:
    while node.op is Op.RESHAPE:
        node = node.srcs[0]
    return node


def with_rowdots(steps: tuple[Step, ...]) -> list:
    """`steps` with the first matching window replaced by its `pre` steps, the `RowDot`,
    and its `post` steps."""
    for s, step in enumerate(steps):
        if not (isinstance(step, NodeStep) and step.kind == "library" and _matvec(step.node)):
            continue
        x = step.node.srcs[0]
        for e in range(s + 1, len(steps)):
            last = steps[e]
            if not (isinstance(last, NodeStep) and last.kind == "library"
                    and last.node.op is Op.MATMUL):
                continue
            xt, v = last.node.srcs
            if (xt.op is Op.TRANSPOSE and xt.srcs[0] is x and xt.attrs["perm"] == (1, 0)
                    and v.shape == (x.shape[0], 1) and last.node.dtype == step.node.dtype):
                rd = _window(steps, s, e, _unview(v))
                if rd is not None:
                    return [*steps[:s], *rd.pre, rd, *rd.post, *steps[e + 1:]]
    return list(steps)


def _window(steps, s: int, e: int, r: Node) -> RowDot | None:
    """The plan for steps[s..e], or None where the steps between do not split into a
    row-wise chain and steps that can run before or after it."""
    first = steps[s].node
    n = first.shape[0]
    tainted = {id(first)}  # values that exist only once the pass has run
    ready = {id(first)}  # of those, the ones complete row by row inside the pass
    chain, pre, views, post = [], [], [], []
    for step in steps[s + 1:e]:
        if not isinstance(step, (KernelStep, NodeStep)):
            return None  # a row group: its kernels run together, not as a chain
        kernel = step.kernel if isinstance(step, KernelStep) else None
        reads = kernel.inputs if kernel else step.node.srcs
        made = [o.node for o in kernel.outputs] if kernel else [step.node]
        dep = [m for m in reads if id(m) in tainted]
        rowwise = all(id(m) in ready for m in dep)
        if not dep:
            pre.append(step)
            continue
        tainted.update(id(m) for m in made)
        if kernel and rowwise and kernel.shape in ((n,), (n, 1)) \
                and (not kernel.axes or 0 in kernel.axes):
            chain.append(step)
            ready.update(id(o.node) for o in kernel.outputs if o.reduce is None)
        elif not kernel and step.kind == "view" and rowwise:
            views.append(step)
            ready.add(id(step.node))
        else:
            post.append(step)
    if not chain or id(r) not in ready or r is first:
        return None
    return RowDot(first, steps[e].node, r, tuple(chain), tuple(pre), tuple(views), tuple(post))


# ----------------------------------------------------------------------------- code


def driver(dtype: np.dtype, arities: tuple[int, ...]) -> int:
    """The address of the pass for this dtype and chain (arrays per chain kernel)."""
    dtype = np.dtype(dtype)
    return load_function(f"rowdot {dtype.name} {arities}",
                         lambda name: _build(dtype, arities, name))


class _Emitter:
    """Loops, branches and array fields over one IRBuilder."""

    def __init__(self, fn: ir.Function):
        self.b = ir.IRBuilder(fn.append_basic_block("entry"))

    def field(self, arr, offset: int):
        b = self.b
        return b.load(b.gep(arr, [ir.Constant(I64, offset)], source_etype=I8), typ=PTR)

    def stride(self, arr, d: int):
        b = self.b
        sp = self.field(arr, STRIDES_OFFSET)
        return b.load(b.gep(sp, [ir.Constant(I64, d)], source_etype=I64), typ=I64)

    def loop(self, start, stop, body, carried=()):
        """for i in [start, stop): carried = body(i, *carried); returns the final carried."""
        def step(i, _, values):
            return dict(enumerate(body(i, *(values[q] for q in range(len(carried)))) or ()))

        out = loop(self.b, start, stop, step, dict(enumerate(carried)))
        return [out[q] for q in range(len(carried))]

    def select(self, flag, then, values):
        """then() (a list of values) where `flag` holds, else `values` unchanged."""
        out = when(self.b, flag, lambda: dict(enumerate(then())), dict(enumerate(values)))
        return [out[q] for q in range(len(values))]

    def strided(self, base, i, stride):
        return self.b.gep(base, [self.b.mul(i, stride)], source_etype=I8)

    def branch(self, flag, then, otherwise) -> None:
        """then() where `flag` holds, else otherwise(); both emit code, nothing flows out."""
        b = self.b
        yes, no = b.append_basic_block("unit"), b.append_basic_block("strided")
        done = b.append_basic_block("joined")
        b.cbranch(flag, yes, no)
        for block, emit in ((yes, then), (no, otherwise)):
            b.position_at_end(block)
            emit()
            b.branch(done)
        b.position_at_end(done)


GROUP = 4  # rows that share each load of w (dots) and of acc (accumulation)


def _build(dtype: np.dtype, arities: tuple[int, ...], name: str) -> ir.Module:
    """The pass: per block of rows, the dots, the chain's kernels, the accumulation.

    Unit-stride rows run in groups of `GROUP` rows with explicit 64-byte vectors (one load
    of w or acc per group, the end of a row as one masked vector), the rows left over one
    at a time the same way, so a row's dot does not depend on its group; rows of other
    strides run a scalar loop."""
    ty = llvm_type(dtype)
    lanes = 64 // dtype.itemsize
    vt = ir.VectorType(ty, lanes)
    module = ir.Module(name=name)
    fnty = ir.FunctionType(ir.VoidType(), [I64] * 4 + [PTR] * 6)
    fn = ir.Function(module, fnty, name)
    lo, hi, slot, block, xa, wa, ta, ra, acca, table = fn.args
    em = _Emitter(fn)
    b = em.b
    c64 = lambda v: ir.Constant(I64, v)  # noqa: E731
    size = c64(dtype.itemsize)
    xd, wd, td, rd, accd = (em.field(a, DATA_OFFSET) for a in (xa, wa, ta, ra, acca))
    k = b.load(b.gep(em.field(xa, DATA_OFFSET + 16), [c64(1)], source_etype=I64), typ=I64)
    sx0, sx1, sw0, st0, sr0, sacc0 = (em.stride(xa, 0), em.stride(xa, 1), em.stride(wa, 0),
                                      em.stride(ta, 0), em.stride(ra, 0), em.stride(acca, 0))
    acc = b.gep(accd, [b.mul(slot, sacc0)], source_etype=I8)
    unit = b.and_(b.icmp_signed("==", sx1, size), b.icmp_signed("==", sw0, size))
    kv = b.and_(k, c64(-lanes))  # the part of a row that vector loads cover
    kfns, pos = [], 0
    for n_arrays in arities:
        kty = ir.FunctionType(ir.VoidType(), [PTR, I64, I64, I64] + [PTR] * n_arrays)
        words = [b.load(b.gep(table, [c64(pos + j)], source_etype=I64), typ=I64)
                 for j in range(2 + n_arrays)]
        kfns.append((b.inttoptr(words[0], kty.as_pointer()),
                     [b.inttoptr(w, PTR) for w in words[1:]]))
        pos += 2 + n_arrays
    zero, vzero = ir.Constant(ty, 0.0), ir.Constant(vt, [0.0] * lanes)
    contract = ("contract",)

    def row(i):
        return b.gep(xd, [b.mul(i, sx0)], source_etype=I8)

    def vload(base, j):
        return b.load(b.gep(base, [b.mul(j, c64(lanes))], source_etype=ty), typ=vt,
                      align=dtype.itemsize)

    def hsum(v):
        width = lanes
        while width > 1:
            width //= 2
            m_lo = ir.Constant(ir.VectorType(ir.IntType(32), width), list(range(width)))
            m_hi = ir.Constant(ir.VectorType(ir.IntType(32), width),
                               list(range(width, 2 * width)))
            v = b.fadd(b.shuffle_vector(v, v, m_lo), b.shuffle_vector(v, v, m_hi))
        return b.extract_element(v, ir.Constant(ir.IntType(32), 0))

    def splat(x):
        v = b.insert_element(ir.Constant(vt, None), x, ir.Constant(ir.IntType(32), 0))
        return b.shuffle_vector(v, v, ir.Constant(ir.VectorType(ir.IntType(32), lanes),
                                                  [0] * lanes))

    vname = f"v{lanes}f{dtype.itemsize * 8}"
    mask_t = ir.VectorType(ir.IntType(1), lanes)
    masked_load = ir.Function(module, ir.FunctionType(vt, [PTR, ir.IntType(32), mask_t, vt]),
                              f"llvm.masked.load.{vname}.p0")
    masked_store = ir.Function(module, ir.FunctionType(ir.VoidType(),
                                                       [vt, PTR, ir.IntType(32), mask_t]),
                               f"llvm.masked.store.{vname}.p0")
    lane_ids = ir.Constant(ir.VectorType(I64, lanes), list(range(lanes)))
    rest = b.icmp_signed("<", lane_ids, b.shuffle_vector(
        b.insert_element(ir.Constant(ir.VectorType(I64, lanes), None), b.sub(k, kv),
                         ir.Constant(ir.IntType(32), 0)),
        ir.Constant(ir.VectorType(I64, lanes), None),
        ir.Constant(ir.VectorType(ir.IntType(32), lanes), [0] * lanes)))  # lanes left over
    align = ir.Constant(ir.IntType(32), dtype.itemsize)
    has_rest = b.icmp_signed("<", kv, k)
    i32 = ir.IntType(32)
    prefetch = ir.Function(module, ir.FunctionType(ir.VoidType(), [PTR, i32, i32, i32]),
                           "llvm.prefetch.p0")
    ahead = b.mul(block, sx0)  # bytes from a row to the same row of the next block

    def fetch_next(x, j):
        """Ask for the next block's copy of this 64-byte span into L2 (prefetches never
        fault, so a block past the end costs nothing)."""
        p = b.gep(b.gep(x, [ahead], source_etype=I8), [j], source_etype=ty)
        b.call(prefetch, [p, ir.Constant(i32, 0), ir.Constant(i32, 2), ir.Constant(i32, 1)])

    def tail_load(base):
        return b.call(masked_load, [b.gep(base, [kv], source_etype=ty), align, rest, vzero])

    def group_dots(i0, rows):
        xs = [row(b.add(i0, c64(q))) for q in range(rows)]

        def fma(accs, wv, load):
            return [b.fadd(a, b.fmul(load(x), wv, flags=contract), flags=contract)
                    for a, x in zip(accs, xs)]

        accs = em.loop(c64(0), b.sdiv(kv, c64(lanes)),
                       lambda j, *a: fma(a, vload(wd, j), lambda x: vload(x, j)), [vzero] * rows)
        accs = em.select(has_rest, lambda: fma(accs, tail_load(wd), tail_load), accs)
        for q in range(rows):
            b.store(hsum(accs[q]), b.gep(td, [b.mul(b.add(i0, c64(q)), st0)], source_etype=I8))

    def group_accumulate(i0, rows):
        xs = [row(b.add(i0, c64(q))) for q in range(rows)]
        rvs = [splat(b.load(b.gep(rd, [b.mul(b.add(i0, c64(q)), sr0)], source_etype=I8), typ=ty))
               for q in range(rows)]

        def add_rows(a, load):
            for x, rv in zip(xs, rvs):
                a = b.fadd(a, b.fmul(load(x), rv, flags=contract), flags=contract)
            return a

        def vec(j):
            for x in xs:
                fetch_next(x, b.mul(j, c64(lanes)))
            p = b.gep(acc, [b.mul(j, c64(lanes))], source_etype=ty)
            b.store(add_rows(b.load(p, typ=vt, align=dtype.itemsize), lambda x: vload(x, j)), p,
                    align=dtype.itemsize)
            return []

        def tail():
            for x in xs:
                fetch_next(x, kv)
            p = b.gep(acc, [kv], source_etype=ty)
            b.call(masked_store, [add_rows(tail_load(acc), tail_load), p, align, rest])
            return []

        em.loop(c64(0), b.sdiv(kv, c64(lanes)), vec)
        em.select(has_rest, tail, [])

    def grouped(blo, bhi, emit):
        groups = b.sdiv(b.sub(bhi, blo), c64(GROUP))
        em.loop(c64(0), groups, lambda g: emit(b.add(blo, b.mul(g, c64(GROUP))), GROUP) or [])
        em.loop(b.add(blo, b.mul(groups, c64(GROUP))), bhi, lambda i: emit(i, 1) or [])

    def strided_dot(i):
        xr = row(i)

        def step(j, s_):
            xv = b.load(em.strided(xr, j, sx1), typ=ty)
            wv = b.load(em.strided(wd, j, sw0), typ=ty)
            return [b.fadd(s_, b.fmul(xv, wv, flags=contract), flags=contract)]

        t = em.loop(c64(0), k, step, [zero])[0]
        b.store(t, b.gep(td, [b.mul(i, st0)], source_etype=I8))
        return []

    def strided_accumulate(i):
        xr = row(i)
        r = b.load(b.gep(rd, [b.mul(i, sr0)], source_etype=I8), typ=ty)

        def step(j):
            p = b.gep(acc, [j], source_etype=ty)
            xv = b.load(em.strided(xr, j, sx1), typ=ty)
            b.store(b.fadd(b.load(p, typ=ty), b.fmul(xv, r, flags=contract), flags=contract), p)
            return []

        em.loop(c64(0), k, step)
        return []

    def one_block(blo):
        bhi = b.select(b.icmp_signed("<", b.add(blo, block), hi), b.add(blo, block), hi)
        em.branch(unit, lambda: grouped(blo, bhi, group_dots),
                  lambda: em.loop(blo, bhi, strided_dot))
        for kfn, args in kfns:
            b.call(kfn, [args[0], blo, bhi, slot] + args[1:])
        em.branch(unit, lambda: grouped(blo, bhi, group_accumulate),
                  lambda: em.loop(blo, bhi, strided_accumulate))
        return []

    nblocks = b.sdiv(b.add(b.sub(hi, lo), b.sub(block, c64(1))), block)
    em.loop(c64(0), nblocks, lambda q: one_block(b.add(lo, b.mul(q, block))))
    b.ret_void()
    llvm_call.add_task(module, fn)  # the pool runs the pass's pieces through this entry
    return module


# ----------------------------------------------------------------------------- running


def rowdot_step(rd: RowDot, slot: dict, buffers, node_step, threads: int | None):
    """The runtime step of `rd`: `node_step(view)` builds a view's step; its pieces run on
    up to `threads` threads (None: `config.num_threads`)."""
    from .llvm import _COMBINE, identity, run_pieces
    from .llvm_jit import compile_kernel, entry

    x_node, w_node = rd.first.srcs
    n, k = x_node.shape
    dtype = rd.first.dtype
    rows = max(1, CHUNK // max(k, 1))
    pieces = [(lo, min(lo + rows, n), i) for i, lo in enumerate(range(0, n, rows))]
    parts = len(pieces)
    block = max(1, BLOCK // max(k, 1))
    first_slot, alloc_first = slot[id(rd.first)], buffers.allocator(
        slot[id(rd.first)], rd.first.shape, dtype)
    x_slot, w_slot, r_slot, last_slot = (slot[id(m)] for m in (x_node, w_node, rd.r, rd.last))
    kernels, keep = [], []
    for ks in rd.chain:
        kern = ks.kernel
        shape_arr = np.array(kern.shape, dtype=np.int64)
        keep.append(shape_arr)
        kept = tuple(d for i, d in enumerate(kern.shape) if i not in kern.axes)
        stores = [(slot[id(o.node)], buffers.allocator(slot[id(o.node)], kern.shape,
                                                       o.node.dtype))
                  for o in kern.outputs if o.reduce is None]
        reduces = [(slot[id(o.node)], np.full((parts,) + kept, identity(o.reduce, o.node.dtype),
                                              o.node.dtype), _COMBINE[o.reduce], kept)
                   for o in kern.outputs if o.reduce is not None]
        kernels.append((compile_kernel(kern), shape_arr.ctypes.data,
                        [slot[id(m)] for m in kern.inputs], stores, reduces))
    views = [s for s in map(node_step, rd.views) if s is not None]
    arities = tuple(len(ks.kernel.inputs) + len(ks.kernel.outputs) for ks in rd.chain)
    task = entry(driver(dtype, arities), llvm_call.TASK)

    def step(env, used):
        env[first_slot] = alloc_first(used)
        for _, _, _, stores, _ in kernels:
            for out, alloc in stores:
                env[out] = alloc(used)
        for v in views:
            v(env, used)
        words, held, partials = [], [], []
        for addr, shape_addr, in_slots, stores, reduces in kernels:
            arrays = [env[i] for i in in_slots] + [env[out] for out, _ in stores]
            mine = [start.copy() for _, start, _, _ in reduces]
            partials.append(mine)
            arrays += mine
            held += arrays
            words += [addr, shape_addr] + [id(a) for a in arrays]
        table = np.array(words, dtype=np.int64)
        acc = _partial_rows(parts, k, dtype)
        args = (block, *map(id, (env[x_slot], env[w_slot], env[first_slot], env[r_slot], acc)),
                table.ctypes.data)
        run_pieces(task, [(lo, hi, s, *args) for lo, hi, s in pieces], threads)
        for (_, _, _, _, reduces), mine in zip(kernels, partials):
            for (out, _, combine, kept), buf in zip(reduces, mine):
                env[out] = np.asarray(combine.reduce(buf, axis=0)) if parts > 1 else \
                    buf.reshape(kept)
        env[last_slot] = np.add.reduce(acc, axis=0).reshape(k, 1)
        del held

    step.keep = keep
    return step


def _partial_rows(parts: int, k: int, dtype: np.dtype) -> np.ndarray:
    """Zeroed (parts, k) partial sums whose rows start on their own 64-byte lines: threads
    write neighbouring rows all through the pass, and a shared line would bounce between
    their caches at every group of rows."""
    line = 64 // dtype.itemsize
    width = -(-k // line) * line
    raw = np.zeros(parts * width + line, dtype)
    skip = (-raw.ctypes.data % 64) // dtype.itemsize
    return raw[skip:skip + parts * width].reshape(parts, width)[:, :k]
