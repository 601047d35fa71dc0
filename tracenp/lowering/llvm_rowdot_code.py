"""The code of a row-dot pass (`llvm_rowdot`): one function that walks X's rows in blocks,
calling the chain's compiled kernels between the dot and the accumulation."""

from __future__ import annotations

import numpy as np
from llvmlite import ir

from . import llvm_call
from .llvm_kernel import DATA_OFFSET, STRIDES_OFFSET
from .llvm_loops import loop, when
from .llvm_ops import I8, I64, PTR, llvm_type


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


def build(dtype: np.dtype, arities: tuple[int, ...], name: str) -> ir.Module:
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
