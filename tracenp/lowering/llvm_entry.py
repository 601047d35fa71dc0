"""A CPython builtin that launches one small kernel: the cached call without ctypes.

A ctypes call costs about 2 us (argument conversion, GIL release), more than NumPy's whole
`x + 1` on a small array. For a graph that is exactly one kernel launch, this module emits
an entry point in LLVM IR with CPython's `METH_FASTCALL` signature and wraps it as a builtin
function. A call checks every argument against the traced signature (an exact `ndarray`
whose dtype is the traced descriptor object, whose rank and shape are the traced ones),
allocates the output with NumPy's C API (`PyArray_Empty`), calls the kernel and returns
the array. Any mismatch returns None and the caller takes the general path, so the entry
never runs a kernel for arguments of another signature.

The code depends only on the call's structure (argument count and ranks, output rank,
which argument or constant each kernel operand is), so it is cached in memory and on disk
like kernels. Addresses (kernel, descriptors, constants, NumPy's and Python's functions)
are words of a context array, the builtin's `self`; word 0 counts the calls it served.
"""

from __future__ import annotations

import ctypes

from typing import TYPE_CHECKING

import numpy as np

from .llvm import PARALLEL_MIN, Launch
from .llvm_call import api_address, new_builtin
from .llvm_jit import load_function

if TYPE_CHECKING:
    from llvmlite import ir

HEADER = object.__basicsize__  # PyObject_HEAD; then NumPy's fields, at these offsets:
TYPE_OFFSET, DATA_OFFSET = HEADER - 8, HEADER
ND_OFFSET, DIMS_OFFSET, DESCR_OFFSET = HEADER + 8, HEADER + 16, HEADER + 40
RELEASE_GIL_MIN = 1 << 13  # elements: a kernel at least this large runs without the GIL
_EMPTY = 184  # PyArray_Empty's index in NumPy's C-API table (stable since NumPy 1.x)
_TYPE = 2  # PyArray_Type's index, checked against np.ndarray before the table is used

HITS, NDARRAY, NONE, INCREF, EMPTY, KERNEL, OUT_DESCR, SHAPE, ROWS, SAVE, RESTORE = range(11)
HEAD = 11  # context words before the per-argument descriptors and dims


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
                    empty=table[_EMPTY],
                    **{k: api_address(f)
                       for k, f in (("incref", "Py_IncRef"), ("save", "PyEval_SaveThread"),
                                    ("restore", "PyEval_RestoreThread"))})
    return _api if _api["ok"] else None


def make_entry(launch: Launch, sigs: list[tuple[np.dtype, tuple]],
               positions: list[int]) -> Entry | None:
    """The entry for calls whose arguments have exactly `sigs` (dtype, shape) each;
    `positions[j]` is the argument that graph input `j` is. None if the host is unsuitable."""
    api = _c_api()
    if api is None or int(np.prod(launch.shape)) * launch.work >= PARALLEL_MIN:
        return None  # a large launch is split over threads, and dispatch costs nothing
    descrs = [np.dtype(dt) for dt, _ in sigs]
    consts = [op for op in launch.operands if not isinstance(op, int)]
    sources, c = [], 0
    for op in launch.operands:
        if isinstance(op, int):
            sources.append(f"a{positions[op]}")
        else:
            sources.append(f"c{c}")
            c += 1
    ranks = [len(shape) for _, shape in sigs]
    release = int(np.prod(launch.shape)) >= RELEASE_GIL_MIN
    text = (f"entry args {ranks} out {len(launch.shape)} operands {' '.join(sources)} "
            f"release {release}")
    addr = load_function(text, lambda name: _build(name, ranks, len(launch.shape), sources,
                                                   release))
    shape = np.array(launch.shape, dtype=np.int64)
    out_descr = np.dtype(launch.dtype)
    words = [0, id(np.ndarray), id(None), api["incref"], api["empty"], launch.kernel,
             id(out_descr), shape.ctypes.data, launch.shape[0], api["save"], api["restore"]]
    for d, (_, s) in zip(descrs, sigs):
        words += [id(d), *s]
    words += [id(k) for k in consts]
    ctx = np.array(words, dtype=np.uint64).view(np.int64)
    return Entry(new_builtin(addr, ctx), ctx, (shape, out_descr, descrs, consts))


def _build(name: str, ranks: list[int], out_rank: int, sources: list[str],
           release: bool) -> ir.Module:
    """`PyObject *name(PyObject *ctx, PyObject *const *args, Py_ssize_t nargs)`."""
    from llvmlite import ir

    from .llvm_ops import I32, I64, I8, PTR

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
    operands = [args[int(s[1:])] if s[0] == "a" else b.inttoptr(item(ctx, w + int(s[1:])), PTR)
                for s in sources]
    out_descr = b.inttoptr(item(ctx, OUT_DESCR), PTR)
    call(INCREF, ir.VoidType(), [out_descr])  # PyArray_Empty steals a reference
    shape = b.inttoptr(item(ctx, SHAPE), PTR)
    out = call(EMPTY, PTR, [ir.Constant(I32, out_rank), shape, out_descr, ir.Constant(I32, 0)])
    failed = fn.append_basic_block("failed")
    ok = fn.append_basic_block("run")
    b.cbranch(b.icmp_unsigned("==", out, ir.Constant(PTR, None)), failed, ok)
    b.position_at_end(failed)
    b.ret(out)  # NULL with NumPy's MemoryError set
    b.position_at_end(ok)
    zero = ir.Constant(I64, 0)
    state = call(SAVE, PTR, []) if release else None
    call(KERNEL, ir.VoidType(), [shape, zero, item(ctx, ROWS), zero, *operands, out])
    if release:
        call(RESTORE, ir.VoidType(), [state])
    hits = b.gep(ctx, [ir.Constant(I64, HITS)], source_etype=I64)
    b.store(b.add(b.load(hits, typ=I64), ir.Constant(I64, 1)), hits)
    b.ret(out)
    b.position_at_end(miss)
    none = b.inttoptr(item(ctx, NONE), PTR)
    call(INCREF, ir.VoidType(), [none])
    b.ret(none)
    return module
