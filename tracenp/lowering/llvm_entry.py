"""A CPython builtin that runs a small graph's launches: the cached call without Python.

A graph's Python run costs a few microseconds per call (signature key, run closure, steps),
more than NumPy's whole `x + 1` or `(x * x).sum()` on a small array. For a graph that is
nothing but single-piece launches (`llvm_batch.Program`: one elementwise kernel, or a
reduction with its 0-d epilogue as in `np.sqrt((x * x).sum())` or `np.mean((a - b) ** 2)`),
this module emits an entry point in LLVM IR with CPython's `METH_FASTCALL` signature and
wraps it as a builtin function. A call checks every argument against the traced signature
(an exact `ndarray` whose dtype is the traced descriptor object, whose rank and shape are
the traced ones; or an exact Python float or int, made a 0-d float64 or int64 array as the
graph reads it; an int outside int64 is a mismatch),
allocates each launch's fresh buffers with NumPy's C API (`PyArray_Empty`, a reduction's
filled with its identity), calls the kernels in order, releases the buffers the results do
not need and returns the results: an array, for a 0-d result the function returned as a
NumPy scalar that scalar (`PyArray_Scalar`), several as a tuple. A function that updates its
arguments in place has its kernels store into them; its entry also requires each written
argument to be writeable and every argument to own its memory and be passed once (else the
general path asks NumPy whether they overlap), and returns `WROTE` for None or the written
argument itself. Any mismatch returns None and the caller takes the general path, so the
entry never runs a kernel for arguments of another signature.

The code depends only on the call's structure (argument count and ranks, each launch's
buffers and operands, what is returned), so it is cached in memory and on disk like
kernels. Addresses (kernels, descriptors, constants, NumPy's and Python's functions) are
words of a context array, the builtin's `self`; word 0 counts the calls it served.
"""

from __future__ import annotations

import ctypes
import math
from typing import TYPE_CHECKING

import numpy as np

from . import WROTE
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

HITS, NDARRAY, NONE, INCREF, DECREF, EMPTY, SCALAR, SAVE, RESTORE, WROTE_WORD, FLOAT, \
    FLOAT64, TUPLE_NEW, TUPLE_SET, CALL_ONE, INT, INT64, AS_INT64, NP_FLOAT64 = range(19)
HEAD = 19  # context words before the per-argument descriptors and dims
SCALAR_TYPES = {float: (FLOAT, FLOAT64), int: (INT, INT64), np.float64: (NP_FLOAT64, FLOAT64)}
# a scalar argument's type and its 0-d array's dtype, as context words (an `np.float64`, a
# mean or a norm passed on, is laid out as a Python float: its double follows the header)
FLOAT_VALUE_OFFSET = HEADER  # a Python float's double follows its object header
_FLOAT64, _INT64 = np.dtype(np.float64), np.dtype(np.int64)
BASE_OFFSET, FLAGS_OFFSET = HEADER + 32, HEADER + 48
WRITEABLE = 0x0400  # NPY_ARRAY_WRITEABLE
QUICK_LAUNCHES = 16  # an entry with more launches is compiled without LLVM's optimizer,
QUICK_OPERANDS = 64  # or with more operands: its passes took 44 s over 9 launches reading
# 389 (a powder pattern's unrolled reflections, one kernel reading each as a constant)
TASK, WORDS, LO, HI, BLOCK = range(5)  # context words of each launch, after the arguments'
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
                                    ("tuple_new", "PyTuple_New"),
                                    ("tuple_set", "PyTuple_SetItem"),
                                    ("call_one", "PyObject_CallOneArg"),
                                    ("as_int64", "PyLong_AsLongLongAndOverflow"),
                                    ("save", "PyEval_SaveThread"),
                                    ("restore", "PyEval_RestoreThread"))})
    return _api if _api["ok"] else None


def make_entry(prog: Program, sigs: list[tuple], positions: list[int],
               returns: str | list[str], result: int | tuple[int, ...] | None = 0,
               written: tuple[int, ...] = ()) -> Entry | None:
    """The entry for calls whose arguments have exactly `sigs` each: (dtype, shape) for an
    array, (float,), (int,) or (np.float64,) for a scalar (the graph reads it as a 0-d array);
    `positions[j]` is the argument that graph input `j` is. It returns `prog.results[result]`,
    a tuple of those `result` names, or with `result` None, `WROTE`; `returns` says what a
    0-d one becomes, "scalar" (NumPy's), "array" or "python" (one for each). The arguments at
    `written` it stores into must be writeable and no argument may be a view or be passed
    twice. None if the host is unsuitable, or for a 0-d result returned as a Python number
    or a reduction's returned as an array."""
    api = _c_api()
    buffers = [b for c in prog.calls for b in c.outs]
    first = [0]  # each call's first buffer, among all of them
    for c in prog.calls:
        first.append(first[-1] + len(c.outs))

    def code(kind: str, what) -> str:
        if kind == "arg":
            return f"a{positions[what]}"
        if kind == "call":
            return f"b{first[what[0]] + what[1]}"
        if kind == "view":
            return f"v{what}"
        code.consts.append(what)
        return f"c{len(code.consts) - 1}"

    code.consts = []
    picks = () if result is None else (result,) if isinstance(result, int) else result
    kinds = [returns] * len(picks) if isinstance(returns, str) else returns
    scalars = []
    for pick, kind in zip(picks, kinds):
        made = prog.results[pick]
        b = buffers[first[made[1][0]] + made[1][1]] if made[0] == "call" else None
        zero_d = b is not None and (b.kept == () or b.start is None and b.shape == ())
        if zero_d and (kind == "python" or kind == "array" and b.kept == ()) or \
                made[0] == "view" and kind == "python":
            return None
        scalars.append(kind == "scalar" and (zero_d or made[0] == "view"))  # a view's rank
        # is known as it runs
    if api is None:
        return None
    sources = [[code(*op) for op in ops] for ops in prog.operands]
    views = [code(*src) for src, _ in prog.views]  # each view's source
    outs = [code(*prog.results[pick]) for pick in picks]
    if any(len(sig) != 2 and (len(sig) != 1 or sig[0] not in SCALAR_TYPES) for sig in sigs):
        return None
    arrays = [sig for sig in sigs if len(sig) == 2]
    largest = max([math.prod(s) for _, s in arrays] + [math.prod(b.shape) for b in buffers]
                  + [c.size for c in code.consts])
    ranks = [len(sig[1]) if len(sig) == 2 else sig[0] for sig in sigs]  # or the scalar's type
    fresh = [b.into is None for b in buffers]
    starts = [b.start is not None for b in buffers]
    release = largest >= RELEASE_GIL_MIN
    tupled = isinstance(result, tuple)
    text = (f"entry args {[getattr(r, '__name__', r) for r in ranks]} writes {sorted(written)} buffers "
            + " ".join(f"{len(b.shape)}{'s' if st else ''}{'' if new else 'a'}"
                       for b, st, new in zip(buffers, starts, fresh))
            + " views " + " ".join(views)
            + " calls " + "; ".join(" ".join(c) for c in sources)
            + f" results {outs} scalars {scalars} tuple {tupled} release {release}")
    addr = load_function(text, lambda name: _build(
        name, ranks, [len(b.shape) if new else None for b, new in zip(buffers, fresh)],
        starts, views, sources, (outs, scalars, tupled), release, sorted(written),
        len(code.consts)), quick=len(sources) > QUICK_LAUNCHES or
        sum(map(len, sources)) > QUICK_OPERANDS)
    out_descrs = [np.dtype(b.dtype) for b in buffers]
    shapes = [np.array(b.shape, dtype=np.int64) for b in buffers]
    words = [0, id(np.ndarray), id(None), api["incref"], api["decref"], api["empty"],
             api["scalar"], api["save"], api["restore"], id(WROTE), id(float),
             id(_FLOAT64), api["tuple_new"], api["tuple_set"], api["call_one"], id(int),
             id(_INT64), api["as_int64"], id(np.float64)]
    descrs = [np.dtype(sig[0]) for sig in arrays]
    for d, (_, s) in zip(descrs, arrays):
        words += [id(d), *s]
    for c in prog.calls:
        words += [c.fn, c.words.ctypes.data, c.lo, c.hi, c.block]
    for b, d, shape in zip(buffers, out_descrs, shapes):
        start = (b.start.ctypes.data, b.start.nbytes) if b.start is not None else (0, 0)
        words += [id(d), shape.ctypes.data, *start]
    words += [id(k) for k in code.consts]
    words += [id(make) for _, make in prog.views]
    ctx = np.array(words, dtype=np.uint64).view(np.int64)
    return Entry(new_builtin(addr, ctx), ctx, (prog, out_descrs, shapes, descrs, code.consts))


def _build(name: str, ranks: list[int | type], buffer_ranks: list[int | None],
           starts: list[bool], views: list[str], sources: list[list[str]], results: tuple,
           release: bool, written: list[int], n_consts: int) -> ir.Module:
    """`PyObject *name(PyObject *ctx, PyObject *const *args, Py_ssize_t nargs)`; `sources`
    names each launch's operands, `results` (names, whether each becomes a NumPy scalar,
    whether they are returned as a tuple) what it returns: argument `a<i>`, constant `c<i>`,
    buffer `b<i>` (made here where its rank is not None); no names: `WROTE`."""
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

    def new_reference(p):
        call(INCREF, ir.VoidType(), [p])
        return p

    widest = max(len(s) for s in sources)
    row = b.alloca(I64, 5 + widest)  # a launch's arguments, as its task reads them
    overflow = b.alloca(I32)
    ctx = field(self_, DATA_OFFSET, PTR)
    require(b.icmp_signed("==", nargs, ir.Constant(I64, len(ranks))), "args")
    args, w = [], HEAD
    ints: dict[int, object] = {}  # an int argument's value, checked to fit int64
    ndarray = b.inttoptr(item(ctx, NDARRAY), PTR)
    for i, rank in enumerate(ranks):
        a = item(argv, i, PTR)
        args.append(a)
        typ = b.inttoptr(item(ctx, SCALAR_TYPES[rank][0]), PTR) if isinstance(rank, type) \
            else ndarray
        require(b.icmp_unsigned("==", field(a, TYPE_OFFSET, PTR), typ), f"a{i}_type")
        if rank is int:
            ints[i] = call(AS_INT64, I64, [a, overflow])
            require(b.icmp_signed("==", b.load(overflow, typ=I32), ir.Constant(I32, 0)),
                    f"a{i}_fits")
        if isinstance(rank, type):
            continue
        ok = b.and_(b.icmp_signed("==", field(a, ND_OFFSET, I32), ir.Constant(I32, rank)),
                    b.icmp_unsigned("==", field(a, DESCR_OFFSET, PTR),
                                    b.inttoptr(item(ctx, w), PTR)))
        dims = field(a, DIMS_OFFSET, PTR)
        require(ok, f"a{i}_rank")
        for d in range(rank):
            ok = b.and_(ok, b.icmp_signed("==", item(dims, d), item(ctx, w + 1 + d)))
        require(ok, f"a{i}_shape")
        w += 1 + rank
    if written:  # stores into arguments: each writeable, and none shares another's memory
        null = ir.Constant(PTR, None)
        ok = ir.Constant(I1, 1)
        for i in written:
            flags = field(args[i], FLAGS_OFFSET, I32)
            ok = b.and_(ok, b.icmp_unsigned("!=", b.and_(flags, ir.Constant(I32, WRITEABLE)),
                                            ir.Constant(I32, 0)))
        owned = [a for a, rank in zip(args, ranks) if not isinstance(rank, type)]
        for i, a in enumerate(owned):  # owners of their memory, and distinct ones
            ok = b.and_(ok, b.icmp_unsigned("==", field(a, BASE_OFFSET, PTR), null))
            for other in owned[:i]:
                ok = b.and_(ok, b.icmp_unsigned("!=", a, other))
        require(ok, "writes")
    buffers_at = w + 5 * len(sources)
    consts_at = buffers_at + 4 * len(buffer_ranks)

    def release_buffers(bufs: list) -> None:
        for buf in bufs:
            if buf is not None:
                call(DECREF, ir.VoidType(), [buf])

    # every object made before the launches, in a slot (NULL until made): a failure releases
    # them all from one block, so the code grows with their number, not its square
    scalars_read = sorted({int(c[1:]) for codes in sources for c in codes
                           if c[0] == "a" and isinstance(ranks[int(c[1:])], type)})
    n_made = sum(r is not None for r in buffer_ranks) + len(scalars_read) + len(views)
    with b.goto_entry_block():
        slots = b.alloca(PTR, max(n_made, 1))
    memset = module.declare_intrinsic("llvm.memset", [PTR, I64])
    b.call(memset, [slots, ir.Constant(I8, 0), ir.Constant(I64, 8 * max(n_made, 1)),
                    ir.Constant(I1, 0)])
    failed = fn.append_basic_block("failed")
    made_count = [0]

    def or_fail(made) -> None:
        """Go on where `made` is an object, kept in its slot; else release what was made
        and return NULL (the error its maker set stands)."""
        fine = fn.append_basic_block(f"made{made_count[0]}")
        b.cbranch(b.icmp_unsigned("==", made, ir.Constant(PTR, None)), failed, fine)
        b.position_at_end(fine)
        b.store(made, b.gep(slots, [ir.Constant(I64, made_count[0])], source_etype=PTR))
        made_count[0] += 1

    bufs: list = []  # made while the GIL is held (None: an argument's array)
    for j, rank in enumerate(buffer_ranks):
        if rank is None:
            bufs.append(None)
            continue
        at = buffers_at + 4 * j
        descr = b.inttoptr(item(ctx, at + DESCR), PTR)
        call(INCREF, ir.VoidType(), [descr])  # PyArray_Empty steals a reference
        buf = call(EMPTY, PTR, [ir.Constant(I32, rank), b.inttoptr(item(ctx, at + SHAPE), PTR),
                                descr, ir.Constant(I32, 0)])
        or_fail(buf)  # NumPy's MemoryError
        bufs.append(buf)
        if starts[j]:  # a reduction's partial starts from its identity
            memcpy = module.declare_intrinsic("llvm.memcpy", [PTR, PTR, I64])
            b.call(memcpy, [field(buf, DATA_OFFSET, PTR), b.inttoptr(item(ctx, at + START), PTR),
                            item(ctx, at + START_BYTES), ir.Constant(I1, 0)])

    zero_d: dict[int, object] = {}  # a scalar argument the launches read: its 0-d array
    for i in scalars_read:
        descr = b.inttoptr(item(ctx, SCALAR_TYPES[ranks[i]][1]), PTR)
        call(INCREF, ir.VoidType(), [descr])
        made = call(EMPTY, PTR, [ir.Constant(I32, 0), ctx, descr, ir.Constant(I32, 0)])
        or_fail(made)
        b.store(ints[i] if ranks[i] is int
                else field(args[i], FLOAT_VALUE_OFFSET, ir.DoubleType()),
                field(made, DATA_OFFSET, PTR))
        zero_d[i] = made

    made_views: list = []  # each a new reference, made before any launch

    def value(c: str):
        if c[0] == "a":
            return zero_d.get(int(c[1:]), args[int(c[1:])])
        if c[0] == "b":
            return bufs[int(c[1:])]
        if c[0] == "v":
            return made_views[int(c[1:])]
        return b.inttoptr(item(ctx, consts_at + int(c[1:])), PTR)

    views_at = consts_at + n_consts
    for k, src in enumerate(views):
        made = call(CALL_ONE, PTR, [b.inttoptr(item(ctx, views_at + k), PTR), value(src)])
        or_fail(made)  # the view's error
        made_views.append(made)
    with b.goto_block(failed):  # Py_DecRef passes over the NULL of what was not made
        for k in range(n_made):
            call(DECREF, ir.VoidType(), [b.load(b.gep(slots, [ir.Constant(I64, k)],
                                                      source_etype=PTR), typ=PTR)])
        b.ret(ir.Constant(PTR, None))

    state = call(SAVE, PTR, []) if release else None
    for i, codes in enumerate(sources):
        at = w + 5 * i
        values = [item(ctx, at + WORDS), item(ctx, at + LO), item(ctx, at + HI),
                  item(ctx, at + BLOCK), *(b.ptrtoint(value(c), I64) for c in codes)]
        for k, v in enumerate(values):
            b.store(v, b.gep(row, [ir.Constant(I64, 1 + k)], source_etype=I64))
        task = ir.FunctionType(ir.VoidType(), [PTR])
        b.call(b.inttoptr(item(ctx, at + TASK), task.as_pointer()), [row])
    if release:
        call(RESTORE, ir.VoidType(), [state])
    names, scalars, tupled = results
    kept = set(names)  # buffers and views whose own reference goes to the result
    release_buffers([buf for j, buf in enumerate(bufs) if f"b{j}" not in kept]
                    + [v for k, v in enumerate(made_views) if f"v{k}" not in kept]
                    + list(zero_d.values()))
    hits = b.gep(ctx, [ir.Constant(I64, HITS)], source_etype=I64)
    b.store(b.add(b.load(hits, typ=I64), ir.Constant(I64, 1)), hits)
    if not names:
        b.ret(new_reference(b.inttoptr(item(ctx, WROTE_WORD), PTR)))
    else:
        _return(b, fn, names, scalars, tupled, value, call, release_buffers, new_reference,
                field, lambda j: b.inttoptr(item(ctx, buffers_at + 4 * j + DESCR), PTR))
    b.position_at_end(miss)
    b.ret(new_reference(b.inttoptr(item(ctx, NONE), PTR)))
    return module


def _return(b, fn, names: list[str], scalars: list[bool], tupled: bool, value, call,
            release, new_reference, field, descr) -> None:
    """Return the results named: each a new reference (a buffer's or view's own to its last
    use: a 0-d one made a NumPy scalar releases it, and a second use after that read freed
    memory), a 0-d one as a NumPy scalar where `scalars` says, several as a tuple."""
    from llvmlite import ir

    from .llvm_ops import I1, I32, I64, PTR

    last = {c: i for i, c in enumerate(names)}
    values = []  # each a new reference
    for i, (c, scalar) in enumerate(zip(names, scalars)):
        v = value(c) if c[0] in "bv" and last[c] == i else new_reference(value(c))
        if scalar and c[0] == "v":  # a view: a NumPy scalar where it is 0-d
            before = b.block
            convert, done = fn.append_basic_block(f"{c}_scalar"), fn.append_basic_block(f"{c}_")
            b.cbranch(b.icmp_signed("==", field(v, ND_OFFSET, I32), ir.Constant(I32, 0)),
                      convert, done)
            b.position_at_end(convert)
            made = call(SCALAR, PTR, [field(v, DATA_OFFSET, PTR), field(v, DESCR_OFFSET, PTR),
                                      v])
            release([v])
            converted = b.block
            b.branch(done)
            b.position_at_end(done)
            phi = b.phi(PTR)
            phi.add_incoming(v, before)
            phi.add_incoming(made, converted)
            v = phi
        elif scalar:  # the 0-d result as the NumPy scalar the function returned
            made = call(SCALAR, PTR, [field(v, DATA_OFFSET, PTR), descr(int(c[1:])), v])
            release([v])
            v = made  # NULL with an error set, if it failed
        values.append(v)
    if not tupled:
        b.ret(values[0])
    else:
        null = ir.Constant(PTR, None)
        made = call(TUPLE_NEW, PTR, [ir.Constant(I64, len(values))])
        failed = ir.Constant(I1, 0)
        for v in [made, *values]:
            failed = b.or_(failed, b.icmp_unsigned("==", v, null))
        bad, good = fn.append_basic_block("tuple_failed"), fn.append_basic_block("tuple")
        b.cbranch(failed, bad, good)
        b.position_at_end(bad)
        release([made, *values])  # Py_DecRef passes over NULL
        b.ret(null)
        b.position_at_end(good)
        for i, v in enumerate(values):  # each reference taken by the tuple
            call(TUPLE_SET, I32, [made, ir.Constant(I64, i), v])
        b.ret(made)
