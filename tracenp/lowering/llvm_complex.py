"""Complex values in the LLVM backend: a pair of registers, and NumPy's loops on them.

A complex64/complex128 value is a `Complex(re, im)` of two `float`/`double` registers, loaded
from and stored to the interleaved parts in memory, so the loop vectorizer widens a complex
loop as two strided streams (LLVM's interleaved accesses) and a sum as two reductions.

The emitters repeat NumPy's C loops operation by operation (no fast-math): add, subtract,
negative and conjugate are exact on the parts; multiply (and square) are NumPy's SIMD
`simd_cmul`, which on a host with FMA3 (where NumPy dispatches its AVX2 loops) is
`re = fma(ar, br, -(ai * bi))`, `im = fma(ar, bi, ai * br)`; divide is Smith's algorithm of
NumPy's division loop, with its complex infinity or NaN for a zero divisor; reciprocal is its
own loop's branch on `|im| <= |re|`; absolute is NumPy's SIMD `cabsolute` (infinities first,
then NaN, then `larger * sqrt(fma(ratio, ratio, 1))`), not libm's `hypot`, which differs by
an ulp. exp, log, sqrt and the trigonometric and hyperbolic functions and their inverses are
NumPy's too: it calls the C library's `cexp`, `clog`, ... and so do the kernels, one call per
element (on x86-64 Linux, whose calling convention for C's complex types is written here).
Each matches NumPy's values bit for bit, infinities, NaNs and signed zeros included
(`tests/lowering/test_llvm_complex.py`).
"""

from __future__ import annotations

import platform
import sys
from typing import NamedTuple

import numpy as np
from llvmlite import ir

from .llvm_ops import DOUBLE, FLOAT, _row, cast as real_cast, intrinsic


class Complex(NamedTuple):
    """A complex value in registers: its real and imaginary parts."""

    re: ir.Value
    im: ir.Value


def _host_fma() -> bool:
    """Whether NumPy runs its FMA3 loops here (its complex multiply and abs then fuse)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # NumPy 1.x
        from numpy.core._multiarray_umath import __cpu_features__ as features
    return bool(features.get("FMA3") and features.get("AVX2"))


FUSED = _host_fma()


def part_dtype(dtype: np.dtype) -> np.dtype:
    """float32 for complex64, float64 for complex128."""
    return np.dtype(np.float32 if np.dtype(dtype) == np.complex64 else np.float64)


def constant(ty: ir.Type, value) -> Complex:
    z = complex(value)
    return Complex(ir.Constant(ty, z.real), ir.Constant(ty, z.imag))


def _muladd(b: ir.IRBuilder, x, y, z):
    """x * y + z as NumPy's `npyv_muladd` computes it on this host."""
    return intrinsic(b, "fma", [x, y, z]) if FUSED else b.fadd(b.fmul(x, y), z)


def multiply(b: ir.IRBuilder, x: Complex, y: Complex) -> Complex:
    """NumPy's `simd_cmul`: `muladdsub(a_re, b, a_im * b_swapped)`."""
    return Complex(_muladd(b, x.re, y.re, b.fneg(b.fmul(x.im, y.im))),
                   _muladd(b, x.re, y.im, b.fmul(x.im, y.re)))


def divide(b: ir.IRBuilder, x: Complex, y: Complex) -> Complex:
    """NumPy's complex division loop (Smith's algorithm), both branches computed and one
    selected: `|br| >= |bi|` (a zero divisor divides the parts by `|br|`, giving NumPy's
    infinities or NaNs), else (a NaN part included) the other scaling."""
    ty = x.re.type
    one, zero = ir.Constant(ty, 1.0), ir.Constant(ty, 0.0)
    abs_r, abs_i = intrinsic(b, "fabs", [y.re]), intrinsic(b, "fabs", [y.im])
    rat = b.fdiv(y.im, y.re)
    scl = b.fdiv(one, b.fadd(y.re, b.fmul(y.im, rat)))
    first = Complex(b.fmul(b.fadd(x.re, b.fmul(x.im, rat)), scl),
                    b.fmul(b.fsub(x.im, b.fmul(x.re, rat)), scl))
    both_zero = b.and_(b.fcmp_ordered("==", abs_r, zero), b.fcmp_ordered("==", abs_i, zero))
    first = select(b, both_zero, Complex(b.fdiv(x.re, abs_r), b.fdiv(x.im, abs_r)), first)
    rat2 = b.fdiv(y.re, y.im)
    scl2 = b.fdiv(one, b.fadd(y.im, b.fmul(y.re, rat2)))
    second = Complex(b.fmul(b.fadd(b.fmul(x.re, rat2), x.im), scl2),
                     b.fmul(b.fsub(b.fmul(x.im, rat2), x.re), scl2))
    return select(b, b.fcmp_ordered(">=", abs_r, abs_i), first, second)


def reciprocal(b: ir.IRBuilder, x: Complex) -> Complex:
    """NumPy's complex reciprocal loop: divide by the larger part first."""
    ty = x.re.type
    one = ir.Constant(ty, 1.0)
    r = b.fdiv(x.im, x.re)
    d = b.fadd(x.re, b.fmul(x.im, r))
    first = Complex(b.fdiv(one, d), b.fdiv(b.fneg(r), d))
    r2 = b.fdiv(x.re, x.im)
    d2 = b.fadd(b.fmul(x.re, r2), x.im)
    second = Complex(b.fdiv(r2, d2), b.fdiv(b.fneg(one), d2))
    small_im = b.fcmp_ordered("<=", intrinsic(b, "fabs", [x.im]), intrinsic(b, "fabs", [x.re]))
    return select(b, small_im, first, second)


def absolute(b: ir.IRBuilder, x: Complex) -> ir.Value:
    """NumPy's SIMD `cabsolute`: an infinite part makes both infinite, then a NaN part both
    NaN; `larger * sqrt(ratio * ratio + 1)`, the ratio 0 where it would be 0/0 or inf/inf."""
    ty = x.re.type
    inf, nan = ir.Constant(ty, float("inf")), ir.Constant(ty, float("nan"))
    zero, one = ir.Constant(ty, 0.0), ir.Constant(ty, 1.0)
    re, im = intrinsic(b, "fabs", [x.re]), intrinsic(b, "fabs", [x.im])
    re_inf, im_inf = b.fcmp_ordered("==", re, inf), b.fcmp_ordered("==", im, inf)
    im = b.select(re_inf, inf, im)
    re = b.select(im_inf, inf, re)
    re_num, im_num = b.fcmp_ordered("ord", re, re), b.fcmp_ordered("ord", im, im)
    im = b.select(re_num, im, nan)
    re = b.select(im_num, re, nan)
    larger = _simd_max(b, re, im)
    smaller = _simd_min(b, im, re)
    divide_ok = b.not_(b.or_(b.fcmp_ordered("==", larger, zero),
                             b.fcmp_ordered("==", smaller, inf)))
    ratio = b.select(divide_ok, b.fdiv(smaller, larger), zero)
    return b.fmul(intrinsic(b, "sqrt", [_muladd(b, ratio, ratio, one)]), larger)


def _simd_max(b: ir.IRBuilder, x, y):
    """x86's `maxpd` (NumPy's `npyv_max`): `x > y ? x : y`, the second operand on NaN."""
    return b.select(b.fcmp_ordered(">", x, y), x, y)


def _simd_min(b: ir.IRBuilder, x, y):
    return b.select(b.fcmp_ordered("<", x, y), x, y)


def select(b: ir.IRBuilder, flag: ir.Value, x: Complex, y: Complex) -> Complex:
    return Complex(b.select(flag, x.re, y.re), b.select(flag, x.im, y.im))


def add(b: ir.IRBuilder, x: Complex, y: Complex, flags=()) -> Complex:
    return Complex(b.fadd(x.re, y.re, flags=flags), b.fadd(x.im, y.im, flags=flags))


def cast(b: ir.IRBuilder, x, src: np.dtype, dst: np.dtype):
    """NumPy's casts to and from complex: a real value gets a zero imaginary part; a
    complex one casts its parts, or, to a real dtype, its real part (NumPy's ComplexWarning
    cast), or, to bool, whether either part is nonzero."""
    if dst.kind == "c":
        to = part_dtype(dst)
        if src.kind == "c":
            return Complex(real_cast(b, x.re, part_dtype(src), to),
                           real_cast(b, x.im, part_dtype(src), to))
        re = real_cast(b, x, src, to)
        return Complex(re, ir.Constant(re.type, 0.0))
    part = part_dtype(src)
    if dst == np.bool_:
        return b.or_(real_cast(b, x.re, part, dst), real_cast(b, x.im, part, dst))
    return real_cast(b, x.re, part, dst)


@_row("add", "c")
def _add(b, a, ins, dts):
    return add(b, a[0], a[1])


@_row("subtract", "c")
def _sub(b, a, ins, dts):
    return Complex(b.fsub(a[0].re, a[1].re), b.fsub(a[0].im, a[1].im))


@_row("multiply", "c")
def _mul(b, a, ins, dts):
    return multiply(b, a[0], a[1])


@_row("square", "c")
def _square(b, a, ins, dts):
    return multiply(b, a[0], a[0])


@_row("divide", "c")
def _div(b, a, ins, dts):
    return divide(b, a[0], a[1])


@_row("reciprocal", "c")
def _reciprocal(b, a, ins, dts):
    return reciprocal(b, a[0])


@_row("negative", "c")
def _neg(b, a, ins, dts):
    return Complex(b.fneg(a[0].re), b.fneg(a[0].im))


@_row("positive", "c")
def _pos(b, a, ins, dts):
    return a[0]


@_row("conjugate", "c")
def _conj(b, a, ins, dts):
    return Complex(a[0].re, b.fneg(a[0].im))


@_row("real", "c")
def _real(b, a, ins, dts):
    return a[0].re


@_row("imag", "c")
def _imag(b, a, ins, dts):
    return a[0].im


@_row("absolute", "c")
def _abs(b, a, ins, dts):
    return absolute(b, a[0])


@_row("equal not_equal", "c")
def _compare(b, a, ins, dts):
    x, y = a
    if ins.op.name == "EQUAL":
        return b.and_(b.fcmp_ordered("==", x.re, y.re), b.fcmp_ordered("==", x.im, y.im))
    return b.or_(b.fcmp_unordered("!=", x.re, y.re), b.fcmp_unordered("!=", x.im, y.im))


@_row("isnan isinf isfinite", "c")
def _classify(b, a, ins, dts):
    x = a[0]
    ty = x.re.type
    inf = ir.Constant(ty, float("inf"))
    if ins.op.name == "ISNAN":
        return b.or_(b.fcmp_unordered("uno", x.re, x.re), b.fcmp_unordered("uno", x.im, x.im))
    re, im = intrinsic(b, "fabs", [x.re]), intrinsic(b, "fabs", [x.im])
    if ins.op.name == "ISINF":
        return b.or_(b.fcmp_ordered("==", re, inf), b.fcmp_ordered("==", im, inf))
    return b.and_(b.fcmp_ordered("<", re, inf), b.fcmp_ordered("<", im, inf))


@_row("where", "c")
def _where(b, a, ins, dts):
    return select(b, a[0], a[1], a[2])



# NumPy's complex ufunc -> the C library's function (NumPy's `npy_cexp` ... call them)
LIBM = {"exp": "cexp", "log": "clog", "sqrt": "csqrt", "sin": "csin", "cos": "ccos",
        "tan": "ctan", "sinh": "csinh", "cosh": "ccosh", "tanh": "ctanh", "arcsin": "casin",
        "arccos": "cacos", "arctan": "catan", "arcsinh": "casinh", "arccosh": "cacosh",
        "arctanh": "catanh"}
# the System V x86-64 convention clang writes in IR: `double complex` in and out as two
# doubles (a struct returned in xmm0, xmm1), `float complex` as one `<2 x float>`
SYSV_X86_64 = sys.platform.startswith("linux") and platform.machine() == "x86_64"


def libm(b: ir.IRBuilder, name: str, x: Complex) -> Complex:
    """The C library's complex function `name` (`cexp`, ...) of `x`: `name + "f"` for
    complex64."""
    if x.re.type == DOUBLE:
        ret, params, args = ir.LiteralStructType([DOUBLE, DOUBLE]), [DOUBLE, DOUBLE], list(x)
    else:
        ret = ir.VectorType(FLOAT, 2)
        params = [ret]
        pair = ir.Constant(ret, ir.Undefined)
        for k, v in enumerate(x):
            pair = b.insert_element(pair, v, ir.Constant(ir.IntType(32), k))
        args, name = [pair], name + "f"
    fn = b.module.globals.get(name)
    if fn is None:
        fn = ir.Function(b.module, ir.FunctionType(ret, params), name)
    r = b.call(fn, args)
    if x.re.type == DOUBLE:
        return Complex(b.extract_value(r, 0), b.extract_value(r, 1))
    return Complex(*(b.extract_element(r, ir.Constant(ir.IntType(32), k)) for k in (0, 1)))


def _transcendental(b, a, ins, dts):
    return libm(b, LIBM[ins.op.name.lower()], a[0])


if SYSV_X86_64:
    _row(" ".join(LIBM), "c")(_transcendental)
