"""A kernel's own CPython entry: `call(shape, lo, hi, slot, *arrays)` without ctypes.

A ctypes call costs about 1 us (argument conversion, libffi, the GIL), as much as a small
kernel's whole work; a graph of small arrays pays it once per launch. So each kernel module
also defines `<name>_call` with CPython's `METH_FASTCALL` signature, wrapped as a builtin
function whose `self` is a context array of addresses (no symbol of the module is left to
link):

    PyObject *<name>_call(PyObject *ctx, PyObject *const *args, Py_ssize_t nargs)
        shape, lo, hi, slot = PyLong_AsSsize_t(args[0..3])
        state = PyEval_SaveThread()            # kernels run without the GIL
        <name>(shape, lo, hi, slot, args[4], ..., args[3 + n])
        PyEval_RestoreThread(state)
        return Py_None                         # (a new reference)

The arrays are passed as the objects themselves, as the kernel reads their fields. A call
with another argument count returns NULL (a SystemError): callers are built with the count.
"""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING, Callable

import numpy as np

if TYPE_CHECKING:
    from llvmlite import ir

SUFFIX = "_call"
TASK = "_task"
AS_SSIZE, SAVE, RESTORE, INCREF, NONE = range(5)
METH_FASTCALL = 0x80
DATA_OFFSET = object.__basicsize__  # an ndarray's data pointer follows the object header


class _MethodDef(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("meth", ctypes.c_void_p), ("flags", ctypes.c_int),
                ("doc", ctypes.c_char_p)]


def add_caller(module: ir.Module, kernel: ir.Function) -> None:
    """Define `<kernel>_call` in `module`: the METH_FASTCALL entry of `kernel`."""
    from llvmlite import ir

    from .llvm_ops import I64, I8, PTR

    n_arrays = len(kernel.args) - 4
    fn = ir.Function(module, ir.FunctionType(PTR, [PTR, PTR, I64]), kernel.name + SUFFIX)
    self_, argv, nargs = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    ok, bad = fn.append_basic_block("call"), fn.append_basic_block("wrong_count")
    b.cbranch(b.icmp_signed("==", nargs, ir.Constant(I64, 4 + n_arrays)), ok, bad)
    b.position_at_end(bad)
    b.ret(ir.Constant(PTR, None))
    b.position_at_end(ok)
    ctx = b.load(b.gep(self_, [ir.Constant(I64, DATA_OFFSET)], source_etype=I8), typ=PTR)

    def api(word: int, ret, args):
        fnty = ir.FunctionType(ret, [a.type for a in args])
        addr = b.load(b.gep(ctx, [ir.Constant(I64, word)], source_etype=I64), typ=I64)
        return b.call(b.inttoptr(addr, fnty.as_pointer()), args)

    args = [b.load(b.gep(argv, [ir.Constant(I64, i)], source_etype=PTR), typ=PTR)
            for i in range(4 + n_arrays)]
    ints = [api(AS_SSIZE, I64, [a]) for a in args[:4]]
    state = api(SAVE, PTR, [])
    b.call(kernel, [b.inttoptr(ints[0], PTR), *ints[1:], *args[4:]])
    api(RESTORE, ir.VoidType(), [state])
    none = b.inttoptr(b.load(b.gep(ctx, [ir.Constant(I64, NONE)], source_etype=I64), typ=I64),
                      PTR)
    api(INCREF, ir.VoidType(), [none])
    b.ret(none)


def add_task(module: ir.Module, fn: ir.Function) -> None:
    """Define `<fn>_task(row)`: `fn` called with `row[1], row[2], ...` as its arguments (int64
    words, pointers by address), the form in which `llvm_pool` runs a launch's pieces."""
    from llvmlite import ir

    from .llvm_ops import I64, PTR

    task = ir.Function(module, ir.FunctionType(ir.VoidType(), [PTR]), fn.name + TASK)
    b = ir.IRBuilder(task.append_basic_block("entry"))
    words = [b.load(b.gep(task.args[0], [ir.Constant(I64, 1 + j)], source_etype=I64), typ=I64)
             for j in range(len(fn.args))]
    b.call(fn, [w if a.type == I64 else b.inttoptr(w, a.type) for w, a in zip(words, fn.args)])
    b.ret_void()


_builtins: dict[int, Callable] = {}
_context: list = []


def api_address(name: str) -> int:
    """The address of a function of CPython's C API."""
    return ctypes.cast(getattr(ctypes.pythonapi, name), ctypes.c_void_p).value


def new_builtin(addr: int, ctx: np.ndarray) -> Callable:
    """A METH_FASTCALL function at `addr` whose `self` is `ctx`.

    The builtin reads its method table even as it is freed, and an exiting interpreter frees
    objects in no order we control (a table freed first crashed the exit: a tuple drops its
    last item first). So the table is never freed: a reference to it is leaked, a few dozen
    bytes per builtin, which live for the process anyway."""
    new = ctypes.pythonapi.PyCFunction_NewEx
    new.restype = ctypes.py_object
    new.argtypes = [ctypes.c_void_p, ctypes.py_object, ctypes.c_void_p]
    method = _MethodDef(b"tracenp_kernel", addr, METH_FASTCALL, None)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(method))
    return new(ctypes.addressof(method), ctx, None)


def builtin(addr: int) -> Callable:
    """The builtin function for the entry at `addr` (one per entry, kept for the process)."""
    made = _builtins.get(addr)
    if made is None:
        if not _context:
            words = [api_address(f) for f in ("PyLong_AsSsize_t", "PyEval_SaveThread",
                                              "PyEval_RestoreThread", "Py_IncRef")]
            _context.append(np.array(words + [id(None)], dtype=np.uint64).view(np.int64))
        made = _builtins[addr] = new_builtin(addr, _context[0])
    return made
