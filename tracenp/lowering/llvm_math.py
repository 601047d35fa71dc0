"""Vectorizable transcendental functions, emitted as straight-line LLVM IR.

Without SVML, LLVM's loop vectorizer cannot widen a loop that calls libm, so every function here
is built from arithmetic, integer bit manipulation, `select`, and intrinsics with native vector
forms (`fma`, `fabs`, `rint`, `sqrt`, `copysign`). Each function is emitted once per module and
type as an internal `alwaysinline` helper; the optimizer inlines it into the kernel loop before
the vectorizer runs.

float64 is computed here. float32 `exp`, `log`, `tanh`, `sin` and `cos` run natively in float
lanes (`llvm_math_f32`); every other float32 function is widened to double and narrowed once
(its loops vectorize as `<N x double>` arithmetic). Both are faithfully rounded.

The approximations follow fdlibm (the polynomials, and the same special cases as C99/NumPy) with
Cody-Waite range reduction; `power` uses a double-double logarithm. sin, cos and tan reduce
|x| > TRIG_MAX by Payne-Hanek (`llvm_math_payne_hanek`) behind a branch. A branch cannot be
inlined into a vectorized loop, so they come in three forms (`trig_mode`): inlined code valid up
to TRIG_MAX, whose caller checks the argument and redoes the work with the exact form when it is
beyond (what kernel loops do: `llvm_kernel`); an exact scalar call for that redo; and otherwise
an exact call with vector versions of itself (`llvm_math_variants`). The measured accuracy is in
docs/accuracy.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from llvmlite import ir

from . import llvm_math_f32
from . import llvm_math_payne_hanek as payne_hanek
from . import llvm_math_variants as variants
from .llvm_math_ir import (
    F32,
    F64,
    LN2,
    LN2_32,
    LOG2E,
    PI,
    PIO2,
    TRIG_MAX,
    TWO_OVER_PI,
    Emitter,
    Format,
    Mask,
    V,
    fast_two_sum,
    log_special,
    nan_pass,
    taylor,
    tiny_pass,
    two_sum,
)

INF = math.inf
NAN = math.nan

_PIO4 = (0.7853981633974483, 3.061616997868383e-17)
_LOG10E = (0.4342944819032518, 1.098319650216765e-17)
_LOG10_2 = (3.01029995663611771306e-01, 3.69423907715893078616e-13)  # hi has 40 bits

# exp(r) - 1 - r = r^2 * P(r) for |r| <= ln2/2: a near-minimax P of degree 9 (mpmath's
# chebyfit on [-1.0001 ln2/2, 1.0001 ln2/2], error 1.05e-16 against P, 0.06 ulp of exp), two
# multiply-adds fewer than the Taylor polynomial of the same accuracy
_EXPM1_P = [2.510038549551032e-08, 2.7620088445409746e-07, 2.7557268459997064e-06,
            2.4801521295954376e-05, 0.00019841269863053618, 0.0013888888917213717,
            0.008333333333330062, 0.04166666666662413, 0.16666666666666669, 0.5000000000000001]
_EXP2_P = taylor(lambda n: LN2[0] ** n / math.factorial(n), 2, 13)

# fdlibm e_log.c: log(1+f) = f - f^2/2 + s*(f^2/2 + R(s^2)), s = f/(2+f)
_LG = [
    1.479819860511658591e-01,
    1.531383769920937332e-01,
    1.818357216161805012e-01,
    2.222219843214978396e-01,
    2.857142874366239149e-01,
    3.999999999940941908e-01,
    6.666666666666735130e-01,
]
# power needs log(x) to ~2^-70: 2*atanh(s) = 2s + 2s^3/3 + s^5 * P(s^2), Taylor to s^29
_ATANH_P = taylor(lambda n: 2 / (2 * n + 5), 0, 12)
_TWO_THIRDS = (0.6666666666666666, 3.700743415417188e-17)

# fdlibm k_sin.c / k_cos.c on |r| <= pi/4
_SIN = [
    1.58969099521155010221e-10,
    -2.50507602534068634195e-08,
    2.75573137070700676789e-06,
    -1.98412698298579493134e-04,
    8.33333333332248946124e-03,
    -1.66666666666666324348e-01,
]
_COS = [
    -1.13596475577881948265e-11,
    2.08757232129817482790e-09,
    -2.75573143513906633035e-07,
    2.48015872894767294178e-05,
    -1.38888888888741095749e-03,
    4.16666666666666019037e-02,
]
# fdlibm s_atan.c, on |u| < 7/16 after reduction by atan(0.5), atan(1), atan(1.5), atan(inf)
_AT_EVEN = [
    1.62858201153657823623e-02,
    4.97687799461593236017e-02,
    6.66107313738753120669e-02,
    9.09088713343650656196e-02,
    1.42857142725034663711e-01,
    3.33333333333329318027e-01,
]
_AT_ODD = [
    -3.65315727442169155270e-02,
    -5.83357013379057348645e-02,
    -7.69187620504482999495e-02,
    -1.11111104054623557880e-01,
    -1.99999999998764832476e-01,
]
_ATAN_HALF = (0.4636476090008061, 2.2698777452961687e-17)
_ATAN_1_5 = (0.982793723247329, 1.3903311031230998e-17)
# fdlibm e_asin.c: asin(x) = x + x * R(x^2), R = z*P(z)/Q(z)
_PS = [
    3.47933107596021167570e-05,
    7.91534994289814532176e-04,
    -4.00555345006794114027e-02,
    2.01212532134862925881e-01,
    -3.25565818622400915405e-01,
    1.66666666666666657415e-01,
]
_QS = [
    7.70381505559019352791e-02,
    -6.88283971605453293030e-01,
    2.02094576023350569471e00,
    -2.40339491173441421878e00,
    1.0,
]
# cbrt(m) on [2^-1.5, 2^1.5], relative error 2.6e-3 (least squares), refined by Halley steps
_CBRT0 = [
    -0.016940531619810344,
    0.13719806198287726,
    -0.4405837919951976,
    0.8722799824692342,
    0.44980736092901835,
]


# exp family -------------------------------------------------------------------------------


def _expq(e: Emitter, x: V, lo: float, hi: float) -> tuple[V, V]:
    """(k, q) with exp(clamp(x, lo, hi)) = 2**k * (1 + q); Cody-Waite by ln2 then Taylor."""
    xc = e.clamp(x, lo, hi)
    k = e.rint(xc * LOG2E[0])
    r = e.fma(-k, LN2[0], xc)  # exact: the result fits in 53 bits
    r = e.fma(-k, LN2[1], r)
    return k, e.fma(r * r, e.horner(r, _EXPM1_P), r)


def _exp(e: Emitter, x: V) -> V:
    k, q = _expq(e, x, -1400.0, 1400.0)
    return e.ldexp(1.0 + q, k)


def _exp2(e: Emitter, x: V) -> V:
    xc = e.clamp(x, -1100.0, 1100.0)
    k = e.rint(xc)
    r = xc - k
    q = e.fma(r * r, e.horner(r, _EXP2_P), r * LN2[0])
    return e.ldexp(1.0 + q, k)


def _expm1_kq(e: Emitter, x: V, k: V, q: V) -> V:
    """expm1(x) from `_expq(x, -45, 712)`: 2**k*q + (2**k - 1) in one rounding below 45."""
    t = e.pow2(e.to_int(e.min(k, 66.0)))  # k <= 65 below 45
    return e.sel(x > 45.0, e.ldexp(1.0 + q, k), e.fma(t, q, t - 1.0))


def _expm1_core(e: Emitter, x: V) -> V:
    k, q = _expq(e, x, -45.0, 712.0)
    return _expm1_kq(e, x, k, q)


def _expm1(e: Emitter, x: V) -> V:
    return tiny_pass(e, x, _expm1_core(e, x), 2.0**-54)


# log family -------------------------------------------------------------------------------


def _log_parts(e: Emitter, u: V) -> tuple[V, V, V]:
    """(k, hi, lo) with log(u) = k*ln2 + hi + lo, for finite u > 0 (fdlibm's kernel)."""
    k, f = e.log_reduce(u)
    s = f / (2.0 + f)
    z = s * s
    r = z * e.horner(z, _LG)
    hfsq = 0.5 * f * f
    hi = f - hfsq
    lo = ((f - hi) - hfsq) + s * (hfsq + r)
    return k, hi, lo


_LOG_BASES = {"e": (LN2_32, None), "2": ((1.0, 0.0), LOG2E), "10": (_LOG10_2, _LOG10E)}


def _log_finish(e: Emitter, k: V, hi: V, lo: V, base: str) -> V:
    """k*ln2 + hi + lo, converted to `base` with the multiplication carried in double-double."""
    kc, mult = _LOG_BASES[base]
    if mult is not None:
        y = hi * mult[0]
        lo = e.fma(hi, mult[0], -y) + (hi * mult[1] + lo * mult[0])
        hi = y
    if kc[1]:
        lo = lo + k * kc[1]
    s, err = fast_two_sum(k * kc[0], hi)  # |k*kc| >= |hi| unless k == 0
    return s + (err + lo)


def _log_base(base: str) -> Callable[[Emitter, V], V]:
    def log(e: Emitter, x: V) -> V:
        k, hi, lo = _log_parts(e, x)
        return log_special(e, x, _log_finish(e, k, hi, lo, base))

    return log


def _log1p_correction(e: Emitter, v: V, u: V, k: V) -> V:
    """(1 + v - u) / u: what the rounding of u = 1 + v lost, as a correction to log(u)."""
    c = e.sel(k > 0.0, 1.0 - (u - v), v - (u - 1.0)) / u
    return e.sel(k < 54.0, c, 0.0)


def _log1p_parts(e: Emitter, v: V) -> tuple[V, V, V]:
    u = 1.0 + v
    k, hi, lo = _log_parts(e, u)
    return k, hi, lo + _log1p_correction(e, v, u, k)


def _log1p(e: Emitter, x: V) -> V:
    y = _log_finish(e, *_log1p_parts(e, x), "e")
    y = log_special(e, 1.0 + x, y)
    return nan_pass(e, x, tiny_pass(e, x, y, 2.0**-54))


def _log_shifted(e: Emitter, big: V, mid: V, small: V, is_big: Mask, is_mid: Mask) -> V:
    """log(big) + ln2, log(mid) or log1p(small), chosen per lane (the asinh/acosh shapes);
    is_big implies is_mid."""
    u = e.sel(is_big, big, e.sel(is_mid, mid, 1.0 + small))
    k, hi, lo = _log_parts(e, u)
    lo = lo + e.sel(is_mid, 0.0, _log1p_correction(e, small, u, k))
    return _log_finish(e, k + e.sel(is_big, 1.0, 0.0), hi, lo, "e")


# trigonometric ----------------------------------------------------------------------------


def _cody_waite(e: Emitter, x: V) -> tuple[V, V]:
    """(k, r) with x = k*pi/2 + r, |r| <= ~pi/4, pi/2 in three parts: accurate to TRIG_MAX."""
    k = e.rint(x * TWO_OVER_PI)
    r1 = e.fma(-k, PIO2[0], x)  # exact: a multiple of ulp(pi/2) below 2
    p = k * PIO2[1]
    p_err = e.fma(k, PIO2[1], -p)
    s, err = two_sum(r1, -p)
    return k, s + ((err - p_err) - k * PIO2[2])


def _sin_poly(e: Emitter, r: V, z: V) -> V:
    return e.fma(z * r, e.horner(z, _SIN), r)


def _cos_poly(e: Emitter, z: V) -> V:
    hz = 0.5 * z
    w = 1.0 - hz
    return w + (((1.0 - w) - hz) + z * z * e.horner(z, _COS))


def _trig(
    which: str, reduce: Callable[[Emitter, V], tuple[V, V]], infinite: bool = True
) -> Callable[[Emitter, V], V]:
    """`infinite`: give NaN for infinite x explicitly (the guarded form leaves them to the
    redo, as they are beyond TRIG_MAX: its reduction makes NaN of them anyway)."""

    def trig(e: Emitter, x: V) -> V:
        k, r = reduce(e, x)
        z = r * r
        s, c = _sin_poly(e, r, z), _cos_poly(e, z)
        odd = ~e.int_is(e.low_bits(k, 1), 0)  # quadrant k mod 4 picks the kernel and sign
        if which == "tan":
            y = e.sel(odd, -c, s) / e.sel(odd, s, c)
        elif which == "sin":
            y = e.sel(odd, c, s)
            y = e.sel(~e.int_is(e.low_bits(k, 2), 0), -y, y)
        else:
            y = e.sel(odd, s, c)
            y = e.sel(~e.int_is(e.low_bits(k + 1.0, 2), 0), -y, y)
        if infinite:
            y = e.sel(e.abs(x) < INF, y, NAN)
        return y if which == "cos" else tiny_pass(e, x, y, 2.0**-27)

    return trig


def _atan_pos(e: Emitter, a: V) -> V:
    """atan(a) for a >= 0 (fdlibm): reduce by atan(c), c in {0, 1/2, 1, 3/2, inf}."""
    i0, i1, i2, i3 = a < 7 / 16, a < 11 / 16, a < 19 / 16, a < 39 / 16

    def pick(v0, v1, v2, v3, v4):
        return e.sel(i0, v0, e.sel(i1, v1, e.sel(i2, v2, e.sel(i3, v3, v4))))

    num = pick(a, 2.0 * a - 1.0, a - 1.0, a - 1.5, -1.0)
    den = pick(1.0, 2.0 + a, a + 1.0, 1.0 + 1.5 * a, a)
    hi = pick(0.0, _ATAN_HALF[0], _PIO4[0], _ATAN_1_5[0], PIO2[0])
    lo = pick(0.0, _ATAN_HALF[1], _PIO4[1], _ATAN_1_5[1], PIO2[1])
    u = num / den
    z = u * u
    w = z * z
    s = z * e.horner(w, _AT_EVEN) + w * e.horner(w, _AT_ODD)
    return hi - ((u * s - lo) - u)


def _arctan(e: Emitter, x: V) -> V:
    return tiny_pass(e, x, e.copysign(_atan_pos(e, e.abs(x)), x), 2.0**-29)


def _arctan2(e: Emitter, y: V, x: V) -> V:
    ax, ay = e.abs(x), e.abs(y)
    t = _atan_pos(e, ay / ax)
    t = e.sel(e.eq(ax, INF) & e.eq(ay, INF), _PIO4[0], t)
    t = e.sel(e.eq(ax, 0.0) & e.eq(ay, 0.0), 0.0, t)
    t = e.sel(e.signbit(x), (PI[0] - t) + PI[1], t)
    return e.sel(e.isnan(x) | e.isnan(y), x + y, e.copysign(t, y))


def _asin_parts(e: Emitter, a: V) -> tuple[V, V, V, V]:
    """For a = |x| <= 1: (z, R(z), h, l), z = a^2 or (1-a)/2, h + l = sqrt(z) * (1 + R(z))."""
    z = e.sel(a < 0.5, a * a, (1.0 - a) * 0.5)
    r = z * e.horner(z, _PS) / e.horner(z, _QS)
    s = e.sqrt(z)
    c = e.sel(z > 0.0, e.fma(-s, s, z) / (2.0 * s), 0.0)  # sqrt(z) - s, to first order
    h, l = fast_two_sum(s, s * r)
    return z, r, h, l + c


def _arcsin(e: Emitter, x: V) -> V:
    a = e.abs(x)
    _, r, h, l = _asin_parts(e, a)
    big = (PIO2[0] - 2.0 * h) + (PIO2[1] - 2.0 * l)
    y = e.copysign(e.sel(a < 0.5, e.fma(a, r, a), big), x)
    return tiny_pass(e, x, e.sel(a > 1.0, NAN, y), 2.0**-28)


def _arccos(e: Emitter, x: V) -> V:
    a = e.abs(x)
    _, r, h, l = _asin_parts(e, a)
    small = PIO2[0] - (x - (PIO2[1] - x * r))
    pos = 2.0 * h + 2.0 * l
    neg = (PI[0] - 2.0 * h) + (PI[1] - 2.0 * l)
    y = e.sel(a < 0.5, small, e.sel(x > 0.0, pos, neg))
    return e.sel(a > 1.0, NAN, y)


# hyperbolic -------------------------------------------------------------------------------


def _sinh(e: Emitter, x: V) -> V:
    a = e.abs(x)
    k, q = _expq(e, a, -45.0, 712.0)
    t = _expm1_kq(e, a, k, q)
    h = e.ldexp(1.0 + q, k - 1.0)  # exp(a)/2 without overflowing early
    lt1 = a < 1.0
    quot = e.sel(lt1, t * t, 0.25) / e.sel(lt1, t + 1.0, h)  # one division for both branches
    y = e.copysign(e.sel(lt1, 0.5 * (2.0 * t - quot), h - quot), x)
    return tiny_pass(e, x, y, 2.0**-28)


def _cosh(e: Emitter, x: V) -> V:
    k, q = _expq(e, e.abs(x), -45.0, 712.0)
    h = e.ldexp(1.0 + q, k - 1.0)
    return h + 0.25 / h


def _tanh(e: Emitter, x: V) -> V:
    a = e.abs(x)
    ge1 = a >= 1.0
    t = _expm1_core(e, e.sel(ge1, 2.0 * a, -2.0 * a))
    quot = e.sel(ge1, 2.0, -t) / (t + 2.0)
    y = e.copysign(e.sel(ge1, 1.0 - quot, quot), x)
    return tiny_pass(e, x, y, 2.0**-28)


def _arcsinh(e: Emitter, x: V) -> V:
    a = e.abs(x)
    a2 = a * a
    mid = 2.0 * a + 1.0 / (e.sqrt(a2 + 1.0) + a)
    small = a + a2 / (1.0 + e.sqrt(1.0 + a2))
    y = _log_shifted(e, a, mid, small, a > 2.0**28, a > 2.0)
    y = e.copysign(e.sel(e.eq(a, INF), INF, y), x)
    return nan_pass(e, x, tiny_pass(e, x, y, 2.0**-28))


def _arccosh(e: Emitter, x: V) -> V:
    t = x - 1.0
    mid = 2.0 * x - 1.0 / (x + e.sqrt(x * x - 1.0))
    small = t + e.sqrt(2.0 * t + t * t)
    y = _log_shifted(e, x, mid, small, x > 2.0**28, x > 2.0)
    y = e.sel(e.eq(x, INF), INF, y)
    return nan_pass(e, x, e.sel(x < 1.0, NAN, y))


def _arctanh(e: Emitter, x: V) -> V:
    a = e.abs(x)
    lt_half = a < 0.5
    quot = e.sel(lt_half, 2.0 * a * a, 2.0 * a) / (1.0 - a)
    v = e.sel(lt_half, 2.0 * a + quot, quot)
    y = e.copysign(0.5 * _log1p(e, v), x)
    return tiny_pass(e, x, e.sel(a > 1.0, NAN, y), 2.0**-28)


# power and friends ------------------------------------------------------------------------


def _log_dd(e: Emitter, x: V) -> tuple[V, V]:
    """log(x) = H + L to about 2^-70 relative, for finite x > 0 (the leading terms of
    2*atanh(s), s = f/(2+f), are carried in double-double)."""
    k, f = e.log_reduce(x)
    dh = 2.0 + f
    dl = (2.0 - dh) + f
    sh = f / dh
    sl = (e.fma(-sh, dh, f) - sh * dl) / dh
    z = sh * sh
    zl = e.fma(sh, sh, -z)
    q = sh * z  # s^3 = q + ql
    ql = e.fma(sh, z, -q) + (sh * zl + 3.0 * z * sl)
    t3 = _TWO_THIRDS[0] * q
    t3l = e.fma(_TWO_THIRDS[0], q, -t3) + (_TWO_THIRDS[0] * ql + _TWO_THIRDS[1] * q)
    rest = q * z * e.horner(z, _ATANH_P)
    a, a_err = two_sum(k * LN2_32[0], 2.0 * sh)
    b, b_err = two_sum(a, t3)
    lo = (a_err + b_err) + (2.0 * sl + t3l + rest + k * LN2_32[1])
    return fast_two_sum(b, lo)


def _pow_magnitude(e: Emitter, ax: V, y: V) -> V:
    """|x|**y for finite |x| > 0, with log|x| and y*log|x| in double-double: float64 accuracy."""
    hi, lo = _log_dd(e, ax)
    w = y * hi
    wc = e.clamp(w, -1400.0, 1400.0)  # far past overflow and underflow; keeps k small
    wl = e.sel(e.abs(w) < 1400.0, e.fma(y, hi, -w) + y * lo, 0.0)
    k = e.rint(wc * LOG2E[0])
    r = e.fma(-k, LN2[0], wc)
    r = e.fma(-k, LN2[1], r) + wl
    return e.ldexp(1.0 + e.fma(r * r, e.horner(r, _EXPM1_P), r), k)


def _pow_magnitude_for_float32(e: Emitter, ax: V, y: V) -> V:
    """|x|**y as exp(y*log|x|) in plain double: for float32 results, whose exponent range keeps
    |y*log|x|| below 104, the error is below 2^-46, far below a float32 ULP. Rounded to 44 bits,
    so that exact results (short integer powers, powers of 2) are exact: a float32 halfway case
    such as 257**3 or 2**-150 must round to even, not by the sign of the error."""
    k, hi, lo = _log_parts(e, ax)
    w = y * _log_finish(e, k, hi, lo, "e")
    kq, q = _expq(e, w, -1400.0, 1400.0)
    p = e.ldexp(1.0 + q, kq)
    c = p * (2.0**9 + 1.0)  # Veltkamp's split: c - (c - p) is p rounded to 53 - 9 bits
    return e.sel(p < 2.0**900, c - (c - p), p)


def _power_with(magnitude: Callable[[Emitter, V, V], V]) -> Callable[[Emitter, V, V], V]:
    def power(e: Emitter, x: V, y: V) -> V:
        return _power_finish(e, x, y, magnitude(e, e.abs(x), y))

    return power


def _power_finish(e: Emitter, x: V, y: V, mag: V) -> V:
    """power's sign, exact exponents and C99 special cases around the magnitude |x|**y."""
    ax = e.abs(x)
    y_int = e.eq(e.rint(y), y)
    y_odd = y_int & ~e.eq(e.rint(y * 0.5), y * 0.5)
    neg = e.signbit(x) & y_odd
    res = e.sel(neg, -mag, mag)
    res = e.sel((x < 0.0) & ~y_int, NAN, res)
    # the common exponents 1, 2, -1 and 1/2 as one correctly rounded operation
    res = e.sel(e.eq(y, 0.5), e.sqrt(x), res)
    res = e.sel(e.eq(y, -1.0), 1.0 / x, res)
    res = e.sel(e.eq(y, 2.0), x * x, res)
    res = e.sel(e.eq(y, 1.0), x, res)
    # 0, inf and infinite exponents: C99 pow's table, which NumPy follows
    special = e.eq(ax, 0.0) | e.eq(ax, INF) | e.eq(e.abs(y), INF)
    sp = e.sel((ax > 1.0).same(y > 0.0), INF, 0.0)
    sp = e.sel(e.eq(ax, 1.0), 1.0, sp)
    res = e.sel(special, e.sel(neg, -sp, sp), res)
    res = e.sel(e.isnan(x) | e.isnan(y), x + y, res)
    return e.sel(e.eq(y, 0.0) | e.eq(x, 1.0), 1.0, res)


def _cbrt(e: Emitter, x: V) -> V:
    a = e.abs(x)
    k, f = e.log_reduce(a)
    q = e.rint(k * (1.0 / 3.0))
    rem = k - 3.0 * q
    m = (1.0 + f) * e.sel(e.eq(rem, 1.0), 2.0, e.sel(e.eq(rem, -1.0), 0.5, 1.0))
    y = e.horner(m, _CBRT0)
    for _ in range(2):  # Halley: cubic convergence, 2.6e-3 -> ~1e-8 -> ~1e-24
        y3 = y * y * y
        y = y * (y3 + 2.0 * m) / (2.0 * y3 + m)
    y2 = y * y
    y2l = e.fma(y, y, -y2)
    y3 = y2 * y
    y3l = e.fma(y2, y, -y3) + y2l * y
    y = y + ((m - y3) - y3l) / (3.0 * y2)  # one Newton step on an exact residual
    res = e.copysign(e.ldexp(y, q), x)
    res = e.sel(e.eq(a, 0.0) | e.eq(a, INF), x, res)
    return nan_pass(e, x, res)


def _sqrt(e: Emitter, x: V) -> V:
    return e.sqrt(x)


def _hypot(e: Emitter, x: V, y: V) -> V:
    ax, ay = e.abs(x), e.abs(y)
    big, small = e.sel(ax > ay, ax, ay), e.sel(ax > ay, ay, ax)
    scale = e.sel(big > 2.0**500, 2.0**-600, e.sel(big < 2.0**-500, 2.0**600, 1.0))
    b, s = big * scale, small * scale
    p = b * b
    pl = e.fma(b, b, -p)
    t = s * s
    tl = e.fma(s, s, -t)
    sq, sq_err = fast_two_sum(p, t)
    sq_lo = sq_err + (pl + tl)
    h = e.sqrt(sq)
    h = h + (e.fma(-h, h, sq) + sq_lo) / (2.0 * h)
    res = e.sel(e.eq(big, 0.0), 0.0, h / scale)
    res = e.sel(e.isnan(x) | e.isnan(y), x + y, res)
    return e.sel(e.eq(ax, INF) | e.eq(ay, INF), INF, res)


def _logaddexp_base(two: bool) -> Callable[[Emitter, V, V], V]:
    def logaddexp(e: Emitter, x: V, y: V) -> V:
        d = -e.abs(x - y)
        m = e.sel(x > y, x, y)
        if two:
            dc = e.max(d, -1100.0)
            k = e.rint(dc)
            r = dc - k
            ex = e.ldexp(1.0 + e.fma(r * r, e.horner(r, _EXP2_P), r * LN2[0]), k)
        else:
            k, q = _expq(e, d, -1400.0, 0.0)
            ex = e.ldexp(1.0 + q, k)
        res = m + _log_finish(e, *_log1p_parts(e, ex), "2" if two else "e")
        res = e.sel(e.eq(x, y), x + (1.0 if two else LN2[0]), res)
        return e.sel(e.isnan(x) | e.isnan(y), x + y, res)

    return logaddexp


_FUNCS: dict[str, tuple[int, Callable[..., V]]] = {
    "exp": (1, _exp),
    "exp2": (1, _exp2),
    "expm1": (1, _expm1),
    "log": (1, _log_base("e")),
    "log2": (1, _log_base("2")),
    "log10": (1, _log_base("10")),
    "log1p": (1, _log1p),
    "sin": (1, _trig("sin", _cody_waite)),
    "cos": (1, _trig("cos", _cody_waite)),
    "tan": (1, _trig("tan", _cody_waite)),
    "arctan": (1, _arctan),
    "arcsin": (1, _arcsin),
    "arccos": (1, _arccos),
    "arctan2": (2, _arctan2),
    "sinh": (1, _sinh),
    "cosh": (1, _cosh),
    "tanh": (1, _tanh),
    "arcsinh": (1, _arcsinh),
    "arccosh": (1, _arccosh),
    "arctanh": (1, _arctanh),
    "power": (2, _power_with(_pow_magnitude)),
    "cbrt": (1, _cbrt),
    "sqrt": (1, _sqrt),
    "hypot": (2, _hypot),
    "logaddexp": (2, _logaddexp_base(False)),
    "logaddexp2": (2, _logaddexp_base(True)),
}

_HUGE: dict[str, Callable[[Emitter, V], V]] = {
    name: _trig(name, payne_hanek.reduce) for name in ("sin", "cos", "tan")
}
"""The functions whose fast code is only valid for |x| <= TRIG_MAX, and their code beyond."""

_GUARDED: dict[str, Callable[[Emitter, V], V]] = {
    name: _trig(name, _cody_waite, infinite=False) for name in _HUGE
}
"""The fast code of the "fast" form, whose caller checks |x| > TRIG_MAX (infinities too)."""

_FLOAT32_IN_DOUBLE = {"power": _power_with(_pow_magnitude_for_float32)}
"""Cheaper double code that is still exact enough for float32 results."""

SUPPORTED: frozenset[str] = frozenset(_FUNCS)
"""NumPy ufunc names that `emit` implements for float32 and float64 (scalar or vector)."""

NARGS: dict[str, int] = {name: n for name, (n, _) in _FUNCS.items()}


_MODE: ContextVar[tuple[str, list | None]] = ContextVar("tracenp_trig_mode",
                                                     default=("vector", None))


@contextmanager
def trig_mode(huge: list | None) -> Iterator[None]:
    """How `emit` makes sin, cos and tan while the block runs.

    With a list: the inlined code, valid for |x| <= TRIG_MAX (other finite x give unspecified
    values), and for each call an `i1` appended to `huge`, set when |x| > TRIG_MAX; the caller
    must then redo the work. With None: a call to an exact scalar function that the loop
    vectorizer leaves alone (a redo loop stays small and quick to compile). Outside the block:
    an exact call that the loop vectorizer widens to exact vector functions.
    """
    token = _MODE.set(("fast", huge) if huge is not None else ("scalar", None))
    try:
        yield
    finally:
        _MODE.reset(token)


def emit(builder: ir.IRBuilder, name: str, args: Sequence[ir.Value]) -> ir.Value:
    """Emit `name(*args)` (a NumPy ufunc name in SUPPORTED) at `builder`'s position.

    All args share one type, `float`, `double`, `<N x float>` or `<N x double>`, and so does the
    result. The call goes to an internal helper in `builder.module`, created on first use per
    (name, type, form): always-inline straight-line code, or for scalar sin, cos and tan the form
    that `trig_mode` says.
    """
    if name not in _FUNCS:
        raise ValueError(f"llvm_math has no {name!r}; supported: {sorted(SUPPORTED)}")
    nargs, impl = _FUNCS[name]
    if len(args) != nargs:
        raise ValueError(f"{name} takes {nargs} argument(s), got {len(args)}")
    ty = args[0].type
    if any(a.type != ty for a in args):
        raise TypeError(f"{name}: arguments differ in type: {[str(a.type) for a in args]}")
    form = "vector"
    if name in _HUGE and not isinstance(ty, ir.VectorType):
        form, huge = _MODE.get()
        if huge is not None:
            huge.append(_beyond(builder, args[0]))
    return builder.call(_helper(builder.module, name, ty, impl, form), list(args))


def _beyond(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    """i1: |x| > TRIG_MAX, for a scalar float or double x: one compare. Infinities are redone
    too (the exact code gives NaN); NaN is not (the fast code keeps it)."""
    e = Emitter(builder, None, F32 if isinstance(x.type, ir.FloatType) else F64)
    return (e.abs(V(e, x)) > TRIG_MAX).v


def _helper(module: ir.Module, name: str, ty: ir.Type, impl: Callable[..., V],
            form: str = "vector") -> ir.Function:
    """`form` (sin, cos and tan only): "fast" inlined code without the huge path, "scalar" an
    exact out-of-line function, "vector" an exact one with vector versions for scalar types."""
    lanes = ty.count if isinstance(ty, ir.VectorType) else None
    elem = ty.element if lanes is not None else ty
    if not isinstance(elem, (ir.FloatType, ir.DoubleType)):
        raise TypeError(f"{name}: expected float, double or a vector of them, got {ty}")
    tag = ("f64" if isinstance(elem, ir.DoubleType) else "f32") + (f"x{lanes}" if lanes else "")
    suffix = {"vector": "", "fast": ".fast", "scalar": ".exact"}[form]
    fname = f"tracenp.math.{name}.{tag}{suffix}"
    existing = module.globals.get(fname)
    if existing is not None:
        return existing
    fn = ir.Function(module, ir.FunctionType(ty, [ty] * NARGS[name]), fname)
    fn.linkage = "internal"
    exact = name in _HUGE and form != "fast"
    if exact and lanes is None:
        if form == "vector":
            widths = variants.LANES[tag]
            variants.declare(fn, [_helper(module, name, ir.VectorType(ty, n), impl)
                                  for n in widths])
        else:
            for attr in ("noinline", "nounwind", "readnone"):
                fn.attributes.add(attr)
    else:
        fn.attributes.add("alwaysinline")
        fn.attributes.add("nounwind")
    builder = ir.IRBuilder(fn.append_basic_block("entry"))
    single = isinstance(elem, ir.FloatType)
    if single:
        impl = _FLOAT32_IN_DOUBLE.get(name, impl)
    if single and name in llvm_math_f32.FUNCS:
        e = Emitter(builder, lanes, F32)
        impl = (llvm_math_f32.GUARDED if form == "fast" else llvm_math_f32.FUNCS)[name]
    else:
        e = Emitter(builder, lanes)
        impl = _GUARDED[name] if form == "fast" else impl
    widen = single and e.fmt is not F32
    xs = [V(e, builder.fpext(a, e.fty) if widen else a) for a in fn.args]
    y = impl(e, *xs)
    if exact:
        y = _with_huge(e, name, xs[0], y)
    builder.ret(builder.fptrunc(y.v, ty) if widen else y.v)
    return fn


def _with_huge(e: Emitter, name: str, x: V, y: V) -> V:
    """y, or name(x) by Payne-Hanek reduction in lanes with TRIG_MAX < |x| < inf. The branch
    is taken only when some lane needs it: once per vector in the vector versions that the loop
    vectorizer calls (see llvm_math_variants); it calls one scalar function per lane."""
    ax = e.abs(x)
    fn = _huge_helper(e.b.module, name, e.fmt)
    return e.rarely((ax > TRIG_MAX) & (ax < INF), y, lambda: e.map_lanes(fn, x))


def _huge_helper(module: ir.Module, name: str, fmt: Format) -> ir.Function:
    """`tracenp.math.<name>.huge.<f32|f64>`: name(x) for TRIG_MAX < |x| < inf, out of line."""
    fname = f"tracenp.math.{name}.huge.{fmt.tag}"
    existing = module.globals.get(fname)
    if existing is not None:
        return existing
    fn = ir.Function(module, ir.FunctionType(fmt.fty, [fmt.fty]), fname)
    fn.linkage = "internal"
    for attr in ("noinline", "nounwind", "readnone"):
        fn.attributes.add(attr)
    e = Emitter(ir.IRBuilder(fn.append_basic_block("entry")), None, fmt)
    impl = llvm_math_f32.HUGE[name] if fmt is F32 else _HUGE[name]
    e.b.ret(impl(e, V(e, fn.args[0])).v)
    return fn


__all__ = ["NARGS", "SUPPORTED", "TRIG_MAX", "emit", "trig_mode"]
