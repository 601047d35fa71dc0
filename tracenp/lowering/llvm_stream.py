"""Streaming stores: a kernel's large outputs written past the caches.

A store to a line that is not in cache first reads the line from memory (a read for
ownership), so `a*2.0 + b` over 1e7 doubles moves 320 MB for its 240 MB of data. A kernel
whose elementwise outputs are larger than the last-level cache (`Kernel.large_outputs`: the
text says so, and only such kernels carry this code, which made every kernel's LLVM time
1.4x longer) computes each chunk of a contiguous row into a tile on the stack, where the
loop vectorizer's stores stay in L1, and copies the tile out with nontemporal stores of whole
aligned cache lines, which skip that read. Chunks start where the first output's lines do;
the bytes of a partial line (a row's ends, an output aligned differently) go out with plain
stores. A kernel that streamed ends with a store fence: nontemporal stores are weakly
ordered, and the thread that waits for a launch's pieces reads what they wrote.
"""

from __future__ import annotations

import platform

from llvmlite import ir

from .llvm_loops import loop, when
from .llvm_ops import I8, I64

TILE_BYTES = 512  # bytes of the widest output's tile: a chunk's loads and stores overlap
# better than in longer chunks (`a*2.0 + b` at 1e7: 6.2 ms at 512, 7.7 ms at 16384; 128
# leaves the vectorized loop too few elements, and `sin` and `exp` ran scalar)
LINE = 64
_VECTOR = ir.VectorType(I64, LINE // 8)


def tile_length(sizes: list[int]) -> int:
    """Elements per chunk, given the outputs' item sizes: `TILE_BYTES` of the widest, and
    at least a line of the narrowest (both powers of two)."""
    return max(TILE_BYTES // max(sizes), LINE // min(sizes))


def copy_out(b: ir.IRBuilder, dst: ir.Value, tile: ir.Value, count: ir.Value,
             size: int) -> None:
    """Copy `count` items of `size` bytes from `tile` to `dst` (`dst` aligned to `size`):
    plain stores before `dst`'s first line boundary and after its last whole line,
    nontemporal stores of the whole lines between."""
    nbytes = b.mul(count, ir.Constant(I64, size))
    to_line = b.and_(b.neg(b.ptrtoint(dst, I64)), ir.Constant(I64, LINE - 1))
    head = b.select(b.icmp_unsigned("<", to_line, nbytes), to_line, nbytes)
    _copy_short(b, dst, tile, head, size)
    lines = b.lshr(b.sub(nbytes, head), ir.Constant(I64, 6))

    def line(q, _, __):
        at = b.add(head, b.shl(q, ir.Constant(I64, 6)))
        v = b.load(b.gep(tile, [at], source_etype=I8), typ=_VECTOR, align=size)
        st = b.store(v, b.gep(dst, [at], source_etype=I8), align=LINE)
        st.set_metadata("nontemporal", b.module.add_metadata([ir.Constant(ir.IntType(32), 1)]))

    loop(b, ir.Constant(I64, 0), lines, line, name="line")
    done = b.add(head, b.shl(lines, ir.Constant(I64, 6)))
    _copy_short(b, b.gep(dst, [done], source_etype=I8), b.gep(tile, [done], source_etype=I8),
                b.sub(nbytes, done), size)


def _copy_short(b: ir.IRBuilder, dst: ir.Value, src: ir.Value, nbytes: ir.Value,
                size: int) -> None:
    """Copy fewer than `LINE` bytes, a multiple of `size`: one load and store per set bit
    of `nbytes`, widest first (no loop, which LLVM would turn into a call to memcpy)."""
    width = LINE // 2
    while width >= size:
        w = width
        flag = b.icmp_unsigned("!=", b.and_(nbytes, ir.Constant(I64, w)), ir.Constant(I64, 0))

        def piece(w=w):
            at = b.and_(nbytes, ir.Constant(I64, -2 * w))
            ty = ir.IntType(8 * w)
            v = b.load(b.gep(src, [at], source_etype=I8), typ=ty, align=size)
            b.store(v, b.gep(dst, [at], source_etype=I8), align=size)
            return {}

        when(b, flag, piece, {})
        width //= 2


def fence(b: ir.IRBuilder) -> None:
    """Order the nontemporal stores before whatever this thread stores next."""
    if platform.machine().lower() in ("x86_64", "amd64"):
        name = "llvm.x86.sse.sfence"
        fn = b.module.globals.get(name) or ir.Function(
            b.module, ir.FunctionType(ir.VoidType(), []), name)
        b.call(fn, [])
    else:
        b.fence("seq_cst")
