"""A CPython builtin that runs a small graph's launches: the cached call without Python.

A graph's Python run costs a few microseconds per call (signature key, run closure, steps),
more than NumPy's whole `x + 1` or `(x * x).sum()` on a small array. For a graph that is
nothing but single-piece launches (`llvm_batch.Program`: one elementwise kernel, or a
reduction with its 0-d epilogue as in `np.sqrt((x * x).sum())` or `np.mean((a - b) ** 2)`),
this module emits an entry point in LLVM IR with CPython's `METH_FASTCALL` signature and
wraps it as a builtin function. A call checks every argument against the traced signature
(an exact `ndarray` whose dtype is the traced descriptor object, whose rank and shape are
the traced ones), allocates each launch's buffer with NumPy's C API (`PyArray_Empty`, a
reduction's filled with its identity), calls the kernels in order, releases the buffers
the result does not need and returns the result: the array, or for a 0-d result the
function returned as a NumPy scalar, that scalar (`PyArray_Scalar`). Any mismatch returns
None and the caller takes the general path, so the entry never runs a kernel for
arguments of another signature.

The code depends only on the call's structure (argument count and ranks, each launch's
buffer rank and operands), so it is cached in memory and on disk like kernels. Addresses
(kernels, descriptors, constants, NumPy's and Python's functions) are words of a context
array, the builtin's `self`; word 0 counts the calls it served.
"""

from __future__ import annotations

import ctypes
import math
from typing import TYPE_CHECKING

import numpy as np

from .llvm_batch import Program
from .llvm_call import api_address, new_builtin
from .llvm_jit import load_function

if TYPE_CHECKING:
    from llvmlite import ir

HEADER = object.__basicsize__  # PyObject_HEAD; then NumPy's fields, at these offsets:
TYPE_OFFSET, DATA_OFFSET = HEADER - 8, HEADER
ND_OFFSET, DIMS_OFFSET, DESCR_OFFSET = HEADER + 8, HEADER + 16, HEADER + 40
RELEASE_GIL_MIN = 1 << 13  # elements: a launch reading at least this many runs without the GIL
_SCALAR, _EMPTY = 60, 184  # PyArray_Scalar's, PyArray_Empty's index in NumPy's C-API table
_TYPE = 2  # PyArray_Type's index, checked against np.ndarray before the table is used

HITS, NDARRAY, NONE, INCREF, DECREF, EMPTY, SCALAR, SAVE, RESTORE = range(9)
HEAD = 9  # context words before the per-argument descriptors and dims
TASK, WORDS, LO, HI = range(4)  # context words of each launch, after the arguments'
DESCR, SHAPE, START, START_BYTES = range(4)  # of each buffer, after the launches'


class Entry:
    """A builtin `call(*arrays)` for one signature: the result, or None when they differ."""

    def __init__(self, call, ctx: np.ndarray, keep: tuple):
        self.call = call
        self._ctx = ctx
        self._keep = keep  # the shape, descriptors and constants the words point at
        self._counted = 0

    def take_hits(self) -> int:
        """Calls served since the last `take_hits()`."""
        total = int(self._ctx[HITS])
        n, self._counted = total - self._counted, total
        return n


_api: dict = {}


def _c_api() -> dict | None:
    """Addresses of the C functions an entry calls; None where NumPy's table is not as
    expected (then no entry is made and calls take the Python path)."""
    if not _api:
        try:
            from numpy._core import _multiarray_umath as mu
        except ImportError:
            from numpy.core import _multiarray_umath as mu
        get = ctypes.pythonapi.PyCapsule_GetPointer
        get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
        table = (ctypes.c_void_p * (_EMPTY + 1)).from_address(get(mu._ARRAY_API, None))
        _api.update(ok=table[_TYPE] == id(np.ndarray) and object.__basicsize__ == 16,
                    empty=table[_EMPTY], scalar=table[_SCALAR],
                    **{k: api_address(f)
                       for k, f in (("incref", "Py_IncRef"), ("decref", "Py_DecRef"),
                                    ("save", "PyEval_SaveThread"),
                                    ("restore", "PyEval_RestoreThread"))})
    return _api if _api["ok"] else None


def make_entry(prog: Program, sigs: list[tuple[np.dtype, tuple]], positions: list[int],
               returns: str) -> Entry | None:
    """The entry for calls whose arguments have exactly `sigs` (dtype, shape) each;
    `positions[j]` is the argument that graph input `j` is; `returns`: what a 0-d result
    becomes, "scalar" (NumPy's), "array" or "python". None if the host is unsuitable, or
    for a 0-d result returned as a Python number or a reduction's returned as an array."""
    api = _c_api()
    buffers = [b for c in prog.calls for b in c.outs]
    first = [0]  # each call's first buffer, among all of them
    for c in prog.calls:
        first.append(first[-1] + len(c.outs))
    result = first[prog.result[0]] + prog.result[1]
    last = buffers[result]
    zero_d = last.kept == () or last.start is None and last.shape == ()
    if api is None or zero_d and (returns == "python" or returns == "array" and last.kept == ()):
        return None
    descrs = [np.dtype(dt) for dt, _ in sigs]
    consts: list = []
    sources, largest = [], []
    for i, (call, ops) in enumerate(zip(prog.calls, prog.operands)):
        codes, sizes = [], [math.prod(b.shape) for b in call.outs]
        for kind, what in ops:
            if kind == "arg":
                codes.append(f"a{positions[what]}")
                sizes.append(math.prod(sigs[positions[what]][1]))
            elif kind == "const":
                codes.append(f"c{len(consts)}")
                consts.append(what)
                sizes.append(what.size)
            else:
                codes.append(f"b{first[what[0]] + what[1]}")
        sources.append(codes + [f"b{j}" for j in range(first[i], first[i + 1])])
        largest.append(max(sizes))
    ranks = [len(shape) for _, shape in sigs]
    starts = [b.start is not None for b in buffers]
    release = max(largest) >= RELEASE_GIL_MIN
    text = (f"entry args {ranks} buffers "
            + " ".join(f"{len(b.shape)}{'s' if st else ''}" for b, st in zip(buffers, starts))
            + " calls " + "; ".join(" ".join(c) for c in sources)
            + f" result {result} scalar {zero_d and returns == 'scalar'} release {release}")
    addr = load_function(text, lambda name: _build(name, ranks, [len(b.shape) for b in buffers],
                                                   starts, sources, result,
                                                   zero_d and returns == "scalar", release))
    out_descrs = [np.dtype(b.dtype) for b in buffers]
    shapes = [np.array(b.shape, dtype=np.int64) for b in buffers]
    words = [0, id(np.ndarray), id(None), api["incref"], api["decref"], api["empty"],
             api["scalar"], api["save"], api["restore"]]
    for d, (_, s) in zip(descrs, sigs):
        words += [id(d), *s]
    for c in prog.calls:
        words += [c.fn, c.words.ctypes.data, c.lo, c.hi]
    for b, d, shape in zip(buffers, out_descrs, shapes):
        start = (b.start.ctypes.data, b.start.nbytes) if b.start is not None else (0, 0)
        words += [id(d), shape.ctypes.data, *start]
    words += [id(k) for k in consts]
    ctx = np.array(words, dtype=np.uint64).view(np.int64)
    return Entry(new_builtin(addr, ctx), ctx, (prog, out_descrs, shapes, descrs, consts))


def _build(name: str, ranks: list[int], buffer_ranks: list[int], starts: list[bool],
           sources: list[list[str]], result: int, scalar: bool,
           release: bool) -> ir.Module:
    """`PyObject *name(PyObject *ctx, PyObject *const *args, Py_ssize_t nargs)`; `sources`
    names each launch's operands: argument `a<i>`, constant `c<i>` or buffer `b<i>`."""
    from llvmlite import ir

    from .llvm_ops import I1, I32, I64, I8, PTR

    module = ir.Module(name=name)
    fn = ir.Function(module, ir.FunctionType(PTR, [PTR, PTR, I64]), name)
    self_, argv, nargs = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    miss = fn.append_basic_block("miss")

    def field(p, offset: int, typ):
        return b.load(b.gep(p, [ir.Constant(I64, offset)], source_etype=I8), typ=typ)

    def item(p, i: int, typ=I64):
        return b.load(b.gep(p, [ir.Constant(I64, i)], source_etype=typ), typ=typ)

    def call(word: int, ret, args):
        fnty = ir.FunctionType(ret, [a.type for a in args])
        return b.call(b.inttoptr(item(ctx, word), fnty.as_pointer()), args)

    def require(ok, label: str) -> None:
        nxt = fn.append_basic_block(label)
        b.cbranch(ok, nxt, miss)
        b.position_at_end(nxt)

    widest = max(len(s) for s in sources)
    row = b.alloca(I64, 5 + widest)  # a launch's arguments, as its task reads them
    ctx = field(self_, DATA_OFFSET, PTR)
    require(b.icmp_signed("==", nargs, ir.Constant(I64, len(ranks))), "args")
    args, w = [], HEAD
    ndarray = b.inttoptr(item(ctx, NDARRAY), PTR)
    for i, rank in enumerate(ranks):
        a = item(argv, i, PTR)
        args.append(a)
        ok = b.icmp_unsigned("==", field(a, TYPE_OFFSET, PTR), ndarray)
        require(ok, f"a{i}_type")
        ok = b.and_(b.icmp_signed("==", field(a, ND_OFFSET, I32), ir.Constant(I32, rank)),
                    b.icmp_unsigned("==", field(a, DESCR_OFFSET, PTR),
                                    b.inttoptr(item(ctx, w), PTR)))
        dims = field(a, DIMS_OFFSET, PTR)
        require(ok, f"a{i}_rank")
        for d in range(rank):
            ok = b.and_(ok, b.icmp_signed("==", item(dims, d), item(ctx, w + 1 + d)))
        require(ok, f"a{i}_shape")
        w += 1 + rank
    buffers_at = w + 4 * len(sources)
    consts_at = buffers_at + 4 * len(buffer_ranks)

    def release_buffers(bufs: list) -> None:
        for buf in bufs:
            call(DECREF, ir.VoidType(), [buf])

    bufs = []  # made while the GIL is held
    for j, rank in enumerate(buffer_ranks):
        at = buffers_at + 4 * j
        descr = b.inttoptr(item(ctx, at + DESCR), PTR)
        call(INCREF, ir.VoidType(), [descr])  # PyArray_Empty steals a reference
        buf = call(EMPTY, PTR, [ir.Constant(I32, rank), b.inttoptr(item(ctx, at + SHAPE), PTR),
                                descr, ir.Constant(I32, 0)])
        failed, made = fn.append_basic_block(f"b{j}_failed"), fn.append_basic_block(f"b{j}")
        b.cbranch(b.icmp_unsigned("==", buf, ir.Constant(PTR, None)), failed, made)
        b.position_at_end(failed)
        release_buffers(bufs)
        b.ret(buf)  # NULL with NumPy's MemoryError set
        b.position_at_end(made)
        bufs.append(buf)
        if starts[j]:  # a reduction's partial starts from its identity
            memcpy = module.declare_intrinsic("llvm.memcpy", [PTR, PTR, I64])
            b.call(memcpy, [field(buf, DATA_OFFSET, PTR), b.inttoptr(item(ctx, at + START), PTR),
                            item(ctx, at + START_BYTES), ir.Constant(I1, 0)])
    state = call(SAVE, PTR, []) if release else None
    for i, codes in enumerate(sources):
        at = w + 4 * i
        operands = [args[int(c[1:])] if c[0] == "a" else bufs[int(c[1:])] if c[0] == "b"
                    else b.inttoptr(item(ctx, consts_at + int(c[1:])), PTR) for c in codes]
        values = [item(ctx, at + WORDS), item(ctx, at + LO), item(ctx, at + HI),
                  ir.Constant(I64, 0), *(b.ptrtoint(p, I64) for p in operands)]
        for k, v in enumerate(values):
            b.store(v, b.gep(row, [ir.Constant(I64, 1 + k)], source_etype=I64))
        task = ir.FunctionType(ir.VoidType(), [PTR])
        b.call(b.inttoptr(item(ctx, at + TASK), task.as_pointer()), [row])
    if release:
        call(RESTORE, ir.VoidType(), [state])
    out = bufs[result]
    release_buffers([buf for j, buf in enumerate(bufs) if j != result])
    hits = b.gep(ctx, [ir.Constant(I64, HITS)], source_etype=I64)
    b.store(b.add(b.load(hits, typ=I64), ir.Constant(I64, 1)), hits)
    if scalar:  # the 0-d result as the NumPy scalar the function returned
        value = call(SCALAR, PTR, [field(out, DATA_OFFSET, PTR),
                                   b.inttoptr(item(ctx, buffers_at + 4 * result + DESCR), PTR),
                                   out])
        release_buffers([out])
        out = value  # NULL with an error set, if it failed
    b.ret(out)
    b.position_at_end(miss)
    none = b.inttoptr(item(ctx, NONE), PTR)
    call(INCREF, ir.VoidType(), [none])
    b.ret(none)
    return module
