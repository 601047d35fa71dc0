"""The LLVM scalar op table: one emitter per elementwise `Op`, with NumPy's scalar semantics.

An emitter gets the builder, the argument values (already of the loop dtypes) and the
`Instr`, and returns the result value. Values live in registers as `i1` (bool), `iN`
(integers, signedness from the dtype), `float`/`double`; float16 is computed as NumPy does,
through float32 with a rounding to half after every op (the kernel builder does that); a
complex value is a pair of `float`/`double` registers (`llvm_complex`, whose rows, kind `c`,
join this table).

Semantics follow NumPy's C loops: integer division and remainder by zero give 0 and
`MIN // -1` wraps; shifts past the width give 0 (or -1); maximum/minimum propagate NaN;
no fast-math flags. Transcendentals come from `llvm_math` (vectorizable polynomial code)
when it supports the function, else from LLVM intrinsics and libm.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from llvmlite import ir

from ..ops import Op

I1, I8, I32, I64 = ir.IntType(1), ir.IntType(8), ir.IntType(32), ir.IntType(64)
HALF, FLOAT, DOUBLE = ir.HalfType(), ir.FloatType(), ir.DoubleType()
PTR = ir.PointerType()


def llvm_type(dtype: np.dtype) -> ir.Type:
    """The register type of a dtype (bool is i1 in registers, i8 in memory; a complex value
    is two registers of its parts' type)."""
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return I1
    if dt.kind in "iu":
        return ir.IntType(dt.itemsize * 8)
    if dt.kind == "c":
        return FLOAT if dt.itemsize == 8 else DOUBLE
    return {2: HALF, 4: FLOAT, 8: DOUBLE}[dt.itemsize]


def memory_type(dtype: np.dtype) -> ir.Type:
    dt = np.dtype(dtype)
    if dt.kind == "c":
        return ir.ArrayType(llvm_type(dt), 2)
    return I8 if dt == np.bool_ else llvm_type(dt)


SCALAR_DTYPES = frozenset(np.dtype(t) for t in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128"))

Emitter = Callable[[ir.IRBuilder, list, "object", list], ir.Value]
# Op -> rows of (argument dtype kinds, emitter). Kinds: b bool, i signed, u unsigned, f float,
# c complex.
TABLE: dict[Op, list[tuple[str, Emitter]]] = {}


def _row(names: str, kinds: str):
    def deco(fn):
        for name in names.split():
            TABLE.setdefault(Op[name.upper()], []).append((kinds, fn))
        return fn
    return deco


def _is_float(v: ir.Value) -> bool:
    return isinstance(v.type, (ir.FloatType, ir.DoubleType, ir.HalfType))


def _signed(dt: np.dtype) -> bool:
    return np.dtype(dt).kind == "i"


def _const(ty: ir.Type, value) -> ir.Constant:
    return ir.Constant(ty, value)


def intrinsic(b: ir.IRBuilder, name: str, args: list, ty: ir.Type | None = None) -> ir.Value:
    """Call `llvm.<name>` overloaded on the type of the first argument."""
    ty = ty or args[0].type
    suffix = {FLOAT: "f32", DOUBLE: "f64", HALF: "f16"}.get(ty, str(ty))
    full = f"llvm.{name}.{suffix}"
    fn = b.module.globals.get(full)
    if fn is None:
        fn = ir.Function(b.module, ir.FunctionType(ty, [a.type for a in args]), full)
    return b.call(fn, args)


def prefetch(b: ir.IRBuilder, ptr: ir.Value) -> None:
    """Ask for the cache line at `ptr` to be brought into L2 (a read; never faults)."""
    name = "llvm.prefetch.p0"
    fn = b.module.globals.get(name) or ir.Function(
        b.module, ir.FunctionType(ir.VoidType(), [PTR, I32, I32, I32]), name)
    b.call(fn, [ptr, ir.Constant(I32, 0), ir.Constant(I32, 2), ir.Constant(I32, 1)])


def libm(b: ir.IRBuilder, name: str, args: list) -> ir.Value:
    """Call the C library's `name` (or `namef` for float32)."""
    ty = args[0].type
    full = name + ("f" if ty == FLOAT else "")
    fn = b.module.globals.get(full)
    if fn is None:
        fn = ir.Function(b.module, ir.FunctionType(ty, [a.type for a in args]), full)
    return b.call(fn, args)


def _math():
    try:
        from . import llvm_math
    except ImportError:
        return None
    return llvm_math


INTRINSIC_MATH = {"sqrt": "sqrt", "exp": "exp", "exp2": "exp2", "log": "log", "log2": "log2",
                  "log10": "log10", "sin": "sin", "cos": "cos", "tan": "tan", "arcsin": "asin",
                  "arccos": "acos", "arctan": "atan", "sinh": "sinh", "cosh": "cosh",
                  "tanh": "tanh", "arctan2": "atan2", "power": "pow", "float_power": "pow"}
LIBM_MATH = {"cbrt": "cbrt", "expm1": "expm1", "log1p": "log1p", "arcsinh": "asinh",
             "arccosh": "acosh", "arctanh": "atanh", "hypot": "hypot"}


def transcendental(b: ir.IRBuilder, name: str, args: list) -> ir.Value:
    """NumPy ufunc `name` on float values: llvm_math first, then intrinsics, then libm."""
    m = _math()
    if m is not None and name in m.SUPPORTED:
        return m.emit(b, name, args)
    if name in INTRINSIC_MATH:
        return intrinsic(b, INTRINSIC_MATH[name], args)
    return libm(b, LIBM_MATH[name], args)


@_row(" ".join(INTRINSIC_MATH) + " " + " ".join(LIBM_MATH), "f")
def _transcendental(b, a, ins, dts):
    return transcendental(b, ins.op.name.lower(), a)


@_row("add", "biuf")
def _add(b, a, ins, dts):
    if _is_float(a[0]):
        return b.fadd(a[0], a[1])
    return b.or_(a[0], a[1]) if a[0].type == I1 else b.add(a[0], a[1])


@_row("subtract", "iuf")
def _sub(b, a, ins, dts):
    return b.fsub(a[0], a[1]) if _is_float(a[0]) else b.sub(a[0], a[1])


@_row("multiply", "biuf")
def _mul(b, a, ins, dts):
    if _is_float(a[0]):
        return b.fmul(a[0], a[1])
    return b.and_(a[0], a[1]) if a[0].type == I1 else b.mul(a[0], a[1])


@_row("divide", "f")
def _div(b, a, ins, dts):
    return b.fdiv(a[0], a[1])


@_row("negative", "iuf")
def _neg(b, a, ins, dts):
    return b.fneg(a[0]) if _is_float(a[0]) else b.neg(a[0])


@_row("positive conjugate", "iuf")
def _pos(b, a, ins, dts):
    return a[0]


@_row("absolute fabs", "iuf")
def _abs(b, a, ins, dts):
    x = a[0]
    if _is_float(x):
        return intrinsic(b, "fabs", [x])
    if not _signed(dts[0]):
        return x
    return b.select(b.icmp_signed("<", x, _const(x.type, 0)), b.neg(x), x)


@_row("sign", "iuf")
def _sign(b, a, ins, dts):
    x = a[0]
    if _is_float(x):
        one, zero = _const(x.type, 1.0), _const(x.type, 0.0)
        r = b.select(b.fcmp_ordered("<", x, zero), _const(x.type, -1.0),
                     b.select(b.fcmp_ordered("==", x, zero), zero, x))
        return b.select(b.fcmp_ordered(">", x, zero), one, r)
    zero = _const(x.type, 0)
    gt = b.zext(b.icmp_signed(">", x, zero) if _signed(dts[0]) else b.icmp_unsigned(
        "!=", x, zero), x.type)
    if not _signed(dts[0]):
        return gt
    return b.sub(gt, b.zext(b.icmp_signed("<", x, zero), x.type))


@_row("square", "iuf")
def _square(b, a, ins, dts):
    return b.fmul(a[0], a[0]) if _is_float(a[0]) else b.mul(a[0], a[0])


@_row("reciprocal", "f")
def _reciprocal(b, a, ins, dts):
    return b.fdiv(_const(a[0].type, 1.0), a[0])


@_row("deg2rad rad2deg", "f")
def _degrees(b, a, ins, dts):
    k = math.pi / 180.0 if ins.op is Op.DEG2RAD else 180.0 / math.pi
    return b.fmul(a[0], _const(a[0].type, k))


@_row("floor ceil trunc rint", "f")
def _rounding(b, a, ins, dts):
    return intrinsic(b, ins.op.name.lower(), a)


@_row("isnan isinf isfinite signbit", "f")
def _classify(b, a, ins, dts):
    x = a[0]
    if ins.op is Op.ISNAN:
        return b.fcmp_unordered("uno", x, x)
    if ins.op is Op.SIGNBIT:
        bits = b.bitcast(x, ir.IntType({FLOAT: 32, DOUBLE: 64}[x.type]))
        return b.icmp_signed("<", bits, _const(bits.type, 0))
    ax = intrinsic(b, "fabs", [x])
    inf = _const(x.type, math.inf)
    return b.fcmp_ordered("==", ax, inf) if ins.op is Op.ISINF else b.fcmp_ordered("<", ax, inf)


@_row("isnan isinf signbit", "iub")
def _classify_int(b, a, ins, dts):
    x = a[0]
    if ins.op is Op.SIGNBIT and _signed(dts[0]):
        return b.icmp_signed("<", x, _const(x.type, 0))
    return _const(I1, 0)


@_row("isfinite", "iub")
def _finite_int(b, a, ins, dts):
    return _const(I1, 1)


@_row("logical_not", "biuf")
def _logical_not(b, a, ins, dts):
    return _is_zero(b, a[0])


def _is_zero(b, x):
    if _is_float(x):
        return b.fcmp_ordered("==", x, _const(x.type, 0.0))
    return b.icmp_unsigned("==", x, _const(x.type, 0))


@_row("logical_and logical_or logical_xor", "biuf")
def _logical(b, a, ins, dts):
    x, y = (b.not_(_is_zero(b, v)) for v in a)
    return {Op.LOGICAL_AND: b.and_, Op.LOGICAL_OR: b.or_, Op.LOGICAL_XOR: b.xor}[ins.op](x, y)


@_row("bitwise_and bitwise_or bitwise_xor", "biu")
def _bitwise(b, a, ins, dts):
    return {Op.BITWISE_AND: b.and_, Op.BITWISE_OR: b.or_, Op.BITWISE_XOR: b.xor}[ins.op](*a)


@_row("invert", "biu")
def _invert(b, a, ins, dts):
    return b.not_(a[0])


@_row("bitwise_count", "iu")
def _popcount(b, a, ins, dts):
    x = a[0]
    if _signed(dts[0]):
        x = _abs(b, [x], ins, dts)
    return b.trunc(intrinsic(b, "ctpop", [x]), I8) if x.type != I8 else intrinsic(b, "ctpop", [x])


@_row("left_shift right_shift", "iu")
def _shift(b, a, ins, dts):
    x, n = a
    width = _const(x.type, x.type.width)
    in_range = b.icmp_unsigned("<", n, width)
    safe = b.select(in_range, n, _const(x.type, 0))
    if ins.op is Op.LEFT_SHIFT:
        return b.select(in_range, b.shl(x, safe), _const(x.type, 0))
    if _signed(dts[0]):
        past = b.select(b.icmp_signed("<", x, _const(x.type, 0)), _const(x.type, -1),
                        _const(x.type, 0))
        return b.select(in_range, b.ashr(x, safe), past)
    return b.select(in_range, b.lshr(x, safe), _const(x.type, 0))


_CMP = {Op.EQUAL: "==", Op.NOT_EQUAL: "!=", Op.LESS: "<", Op.LESS_EQUAL: "<=",
        Op.GREATER: ">", Op.GREATER_EQUAL: ">="}


@_row("equal not_equal less less_equal greater greater_equal", "biuf")
def _compare(b, a, ins, dts):
    op = _CMP[ins.op]
    if _is_float(a[0]):
        return (b.fcmp_unordered if op == "!=" else b.fcmp_ordered)(op, *a)
    if _signed(dts[0]) != _signed(dts[1]) and np.dtype(dts[1]).kind in "iu" \
            and np.dtype(dts[0]).kind in "iu":
        return _mixed_sign_compare(b, op, a, dts)
    if _signed(dts[0]):
        return b.icmp_signed(op, *a)
    return b.icmp_unsigned(op, *a)


def _mixed_sign_compare(b, op: str, a, dts) -> ir.Value:
    """NumPy 2's exact loop for a signed and an unsigned integer (uint64 with int64, whose
    common type is float64): a negative signed value is below every unsigned one, and the
    others compare as unsigned."""
    width = max(v.type.width for v in a)
    x, y = (v if v.type.width == width else (b.sext if _signed(dt) else b.zext)(
        v, ir.IntType(width)) for v, dt in zip(a, dts))
    signed_left = _signed(dts[0])
    negative = b.icmp_signed("<", x if signed_left else y, _const(x.type, 0))
    outcome = {"==": False, "!=": True, "<": signed_left, "<=": signed_left,
               ">": not signed_left, ">=": not signed_left}[op]
    return b.select(negative, _const(ir.IntType(1), int(outcome)), b.icmp_unsigned(op, x, y))


@_row("maximum minimum", "biuf")
def _extremum(b, a, ins, dts):
    return extremum(b, ins.op is Op.MAXIMUM, a[0], a[1], dts[0])


def extremum(b: ir.IRBuilder, is_max: bool, x: ir.Value, y: ir.Value, dtype) -> ir.Value:
    """NumPy's maximum/minimum: `(x > y || isnan(x)) ? x : y`, NaN propagates.

    NumPy's float32/float64 SIMD loops return `y` on ties (signed zeros), its float16 loop `x`.
    """
    dtype = np.dtype(dtype)
    signed = dtype.kind in "if"
    op = (">" if is_max else "<") + ("=" if dtype.kind != "f" or dtype.itemsize == 2 else "")
    if _is_float(x):
        keep = b.or_(b.fcmp_ordered(op, x, y), b.fcmp_unordered("uno", x, x))
    elif signed:
        keep = b.icmp_signed(op, x, y)
    else:
        keep = b.icmp_unsigned(op, x, y)
    return b.select(keep, x, y)


@_row("fmax fmin", "biuf")
def _fextremum(b, a, ins, dts):
    if _is_float(a[0]):
        return intrinsic(b, "maxnum" if ins.op is Op.FMAX else "minnum", a)
    return extremum(b, ins.op is Op.FMAX, a[0], a[1], dts[0])


@_row("copysign", "f")
def _copysign(b, a, ins, dts):
    return intrinsic(b, "copysign", a)


@_row("heaviside", "f")
def _heaviside(b, a, ins, dts):
    x, h0 = a
    zero, one = _const(x.type, 0.0), _const(x.type, 1.0)
    r = b.select(b.fcmp_ordered("<", x, zero), zero,
                 b.select(b.fcmp_ordered("==", x, zero), h0, one))
    return b.select(b.fcmp_unordered("uno", x, x), x, r)


@_row("logaddexp logaddexp2", "f")
def _logaddexp(b, a, ins, dts):
    """float64: llvm_math's fused function. float32 (and float16): NumPy's float loop step by
    step, `max + log1p(exp(-|x - y|))` with each step rounded to float32, as NumPy does."""
    name, x, y = ins.op.name.lower(), a[0], a[1]
    if x.type == DOUBLE:
        return transcendental(b, name, a)
    two = name == "logaddexp2"
    t = b.fsub(x, y)
    big = extremum(b, True, x, y, dts[0])
    e = transcendental(b, "exp2" if two else "exp", [b.fneg(intrinsic(b, "fabs", [t]))])
    r = transcendental(b, "log1p", [e])
    if two:
        r = b.fmul(r, _const(x.type, 1 / math.log(2.0)))
    r = b.select(b.fcmp_unordered("uno", t, t), t, b.fadd(big, r))
    ln2 = _const(x.type, 1.0 if two else math.log(2.0))
    return b.select(b.fcmp_ordered("==", x, y), b.fadd(x, ln2), r)


@_row("floor_divide remainder fmod", "iu")
def _int_division(b, a, ins, dts):
    x, y = a
    ty, signed = x.type, _signed(dts[0])
    zero, one = _const(ty, 0), _const(ty, 1)
    y_zero = b.icmp_unsigned("==", y, zero)
    bad = y_zero
    if signed:
        minv = _const(ty, -(1 << (ty.width - 1)))
        bad = b.or_(bad, b.and_(b.icmp_signed("==", x, minv),
                                b.icmp_signed("==", y, _const(ty, -1))))
    d = b.select(bad, one, y)
    if not signed:
        q, r = b.udiv(x, d), b.urem(x, d)
        out = q if ins.op is Op.FLOOR_DIVIDE else r
        return b.select(y_zero, zero, out)
    q, r = b.sdiv(x, d), b.srem(x, d)
    if ins.op is Op.FMOD:
        return b.select(y_zero, zero, r)
    fix = b.and_(b.icmp_signed("!=", r, zero),
                 b.icmp_signed("!=", b.icmp_signed("<", r, zero), b.icmp_signed("<", d, zero)))
    if ins.op is Op.FLOOR_DIVIDE:
        return b.select(y_zero, zero, b.select(fix, b.sub(q, one), q))
    return b.select(y_zero, zero, b.select(fix, b.add(r, d), r))


@_row("fmod", "f")
def _fmod(b, a, ins, dts):
    return b.frem(a[0], a[1])


@_row("floor_divide remainder", "f")
def _float_division(b, a, ins, dts):
    """NumPy's npy_divmod: floor division and Python-style remainder on floats."""
    x, y = a
    ty = x.type
    zero, one, half = _const(ty, 0.0), _const(ty, 1.0), _const(ty, 0.5)
    mod = b.frem(x, y)
    div = b.fdiv(b.fsub(x, mod), y)
    fix = b.and_(b.fcmp_unordered("!=", mod, zero),
                 b.icmp_unsigned("!=", b.fcmp_ordered("<", y, zero),
                                 b.fcmp_ordered("<", mod, zero)))
    mod2 = b.select(fix, b.fadd(mod, y), b.select(b.fcmp_unordered("!=", mod, zero), mod,
                                                  intrinsic(b, "copysign", [zero, y])))
    div = b.select(fix, b.fsub(div, one), div)
    fl = intrinsic(b, "floor", [div])
    fl = b.select(b.fcmp_ordered(">", b.fsub(div, fl), half), b.fadd(fl, one), fl)
    floordiv = b.select(b.fcmp_unordered("!=", div, zero), fl,
                        intrinsic(b, "copysign", [zero, b.fdiv(x, y)]))
    y_zero = b.fcmp_ordered("==", y, zero)
    if ins.op is Op.FLOOR_DIVIDE:
        return b.select(y_zero, b.fdiv(x, y), floordiv)
    return b.select(y_zero, mod, mod2)


@_row("where", "biuf")
def _where(b, a, ins, dts):
    return b.select(a[0], a[1], a[2])


@_row("cast", "biuf")
def _cast(b, a, ins, dts):
    return cast(b, a[0], dts[0], np.dtype(ins.params[0][1]))


@_row("bitcast", "if")
def _bitcast(b, a, ins, dts):
    """The same bits as the other type; a float16 is held in a float register, so its bits
    are those of the half it rounds to exactly (a signaling NaN's come back quieted)."""
    src, dst = dts[0], np.dtype(ins.params[0][1])
    if src == np.float16:
        return b.bitcast(to_half(b, a[0]), ir.IntType(16))
    if dst == np.float16:
        return b.fpext(b.bitcast(a[0], HALF), FLOAT)
    return b.bitcast(a[0], llvm_type(dst))


def _truncate(b: ir.IRBuilder, x: ir.Value, bits: int) -> ir.Value:
    """x rounded toward zero to a signed `bits`-bit integer, as x86's `cvtt` converts:
    NaN and values out of range give the most negative integer. (LLVM's `fptosi` gives
    poison there, which the optimizer may turn into anything.)"""
    it = ir.IntType(bits)
    half = 2.0 ** (bits - 1)
    fits = b.and_(b.fcmp_ordered(">=", x, ir.Constant(x.type, -half)),
                  b.fcmp_ordered("<", x, ir.Constant(x.type, half)))
    v = b.fptosi(b.select(fits, x, ir.Constant(x.type, 0.0)), it)
    return b.select(fits, v, ir.Constant(it, -(1 << (bits - 1))))


def to_half(b: ir.IRBuilder, x: ir.Value) -> ir.Value:
    """`fptrunc` to half with NumPy's rounding and no library call. LLVM lowers double to
    half as a call of compiler-rt's `__truncdfhf2`, which a process need not have loaded (the
    kernel then jumped to address 0). So a double is first rounded to float by rounding to
    odd, then to half by the hardware's nearest-even: float keeps 13 more bits than half,
    so the two roundings give the one correctly rounded result. A float is rounded behind an
    arithmetic fence: LLVM would otherwise fold a float computed from a double (float16 math
    runs in double) into one double-to-half rounding, that call again, and not NumPy's two."""
    if x.type != DOUBLE:
        return b.fptrunc(intrinsic(b, "arithmetic.fence", [x]), HALF)
    f = b.fptrunc(x, FLOAT)
    back = b.fpext(f, DOUBLE)
    bits = b.bitcast(f, I32)
    even = b.icmp_unsigned("==", b.and_(bits, ir.Constant(I32, 1)), ir.Constant(I32, 0))
    inexact = b.fcmp_unordered("!=", back, x)
    toward_zero = b.fcmp_ordered(">", intrinsic(b, "fabs", [back]), intrinsic(b, "fabs", [x]))
    step = b.select(toward_zero, ir.Constant(I32, -1), ir.Constant(I32, 1))
    bits = b.select(b.and_(even, inexact), b.add(bits, step), bits)
    return b.fptrunc(b.bitcast(bits, FLOAT), HALF)


def cast(b: ir.IRBuilder, x: ir.Value, src: np.dtype, dst: np.dtype) -> ir.Value:
    """NumPy's `astype` between scalar dtypes (C casts). Float to integer gives what NumPy's
    contiguous cast loops give on x86-64 for every input, NaN, infinities and values out of
    range included: int64 and int32 convert directly, narrower types through int32, uint32
    and uint64 through the signed type of their width above half their range (float16 to
    uint32 through int64)."""
    src, dst = np.dtype(src), np.dtype(dst)
    to = llvm_type(dst)
    if src == np.float16 and dst != np.float16:  # held in a float register (`register_dtype`)
        if dst == np.uint32:  # NumPy's half loop: C's cast, through int64
            return b.trunc(_truncate(b, x, 64), to)
        src = np.dtype(np.float32)
    if src == dst:
        return x
    if "c" in (src.kind, dst.kind):
        return llvm_complex.cast(b, x, src, dst)
    if dst == np.bool_:
        return b.not_(_is_zero(b, x))
    if src == np.bool_:
        return b.uitofp(x, to) if dst.kind == "f" else b.zext(x, to)
    if src.kind == "f" and dst.kind == "f":
        if src.itemsize < dst.itemsize:
            return b.fpext(x, to)
        return to_half(b, x) if dst == np.float16 else b.fptrunc(x, to)
    if src.kind == "f":
        if dst.kind == "u" and to.width >= 32:  # above the signed range: wrap through it
            top = ir.Constant(x.type, 2.0 ** (to.width - 1))
            low, high = _truncate(b, x, to.width), _truncate(b, b.fsub(x, top), to.width)
            high = b.xor(high, ir.Constant(to, 1 << (to.width - 1)))
            return b.select(b.fcmp_ordered(">=", x, top), high, low)
        wide = _truncate(b, x, max(to.width, 32))
        return wide if wide.type == to else b.trunc(wide, to)
    if dst.kind == "f":
        return b.sitofp(x, to) if src.kind == "i" else b.uitofp(x, to)
    if to.width < x.type.width:
        return b.trunc(x, to)
    if to.width > x.type.width:
        return b.sext(x, to) if src.kind == "i" else b.zext(x, to)
    return x


def find(op: Op, in_dtypes: tuple, out_dtype: np.dtype) -> Emitter | None:
    """The emitter of `op` on these dtypes, or None where the table has no row."""
    dts = [np.dtype(d) for d in in_dtypes] + [np.dtype(out_dtype)]
    if any(d not in SCALAR_DTYPES for d in dts):
        return None
    if np.dtype(out_dtype) == np.float16 and op in (Op.SPACING, Op.NEXTAFTER):
        return None
    kind = dts[1 if op is Op.WHERE else 0].kind
    for kinds, fn in TABLE.get(op, ()):
        if op is Op.CAST or kind in kinds:
            return fn
    return None


from . import llvm_complex  # noqa: E402  (complex casts; its rows join TABLE)
