"""Native float32 versions of the most used functions in `llvm_math`.

The other functions compute float32 through the double code; these run in float lanes, so a
vector register holds twice the elements and the polynomials are shorter, for 1.4-2 times the
throughput. exp and log follow fdlibm's float versions; tanh, sin and cos use Chebyshev fits
(mpmath `chebyfit`) on the reduced range; sin and cos reduce the argument in double (two terms
of pi/2 are exact enough for any float32 below TRIG_MAX; Payne-Hanek above it), then evaluate in
float and correct for the rounding of the reduced argument. All are faithfully rounded on the
measured samples.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from . import llvm_math_payne_hanek as payne_hanek
from .llvm_math_ir import (
    F64,
    PIO2,
    TWO_OVER_PI,
    Emitter,
    V,
    inv_factorial,
    log_special,
    taylor,
    tiny_pass,
)

_LOG2E = 1.4426950408889634
_LN2_EXP = (0.693145751953125, 1.428606765330187e-06)  # hi has 16 bits: k*hi exact (expf)
_LN2_LOG = (0.6931381225585938, 9.05800061445916e-06)  # logf's split
_EXPM1_P = taylor(inv_factorial, 2, 7)  # exp(r) - 1 - r = r^2 * P(r), |r| <= ln2/2
# musl logf: log(1+f) = f - f^2/2 + s*(f^2/2 + R), R = z*(Lg1 + w*Lg3) + w*(Lg2 + w*Lg4)
_LG = (0.6666666269302368, 0.40000972151756287, 0.2849878668785095, 0.24279078841209412)
# tanh(a) = a + a*z*T(z), z = a^2 <= 0.5493^2; error of T 1.3e-8
_TANH_SMALL = 0.5493
_TANH = [
    -0.006614953693121726,
    0.021311897539520466,
    -0.053909837128763974,
    0.13333115800999723,
    -0.33333332023813317,
]
# sin(r) = r + r*z*S(z), cos(r) = 1 - z/2 + z^2*C(z), z = r^2 <= (pi/4 + 0.01)^2
_SIN = [2.724209211867588e-06, -0.00019840025546557762, 0.00833333175998571, -0.16666666663556465]
_COS = [2.4541476931007875e-05, -0.0013888272730454862, 0.04166666450159036]


def _exp(e: Emitter, x: V) -> V:
    xc = e.clamp(x, -110.0, 100.0)  # past float32's overflow (88.7) and underflow (-103.9)
    k = e.rint(xc * _LOG2E)
    r = e.fma(-k, _LN2_EXP[0], xc)
    r = e.fma(-k, _LN2_EXP[1], r)
    q = e.fma(r * r, e.horner(r, _EXPM1_P), r)
    return e.ldexp(1.0 + q, k)


def _log(e: Emitter, x: V) -> V:
    k, f = e.log_reduce(x)
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    r = z * e.fma(w, _LG[2], _LG[0]) + w * e.fma(w, _LG[3], _LG[1])
    hfsq = 0.5 * f * f
    y = (e.fma(s, hfsq + r, k * _LN2_LOG[1]) - hfsq) + f
    return log_special(e, x, k * _LN2_LOG[0] + y)


def _tanh(e: Emitter, x: V) -> V:
    a = e.abs(x)
    z = a * a
    small = e.fma(a * z, e.horner(z, _TANH), a)
    big = 1.0 - 2.0 / (_exp(e, 2.0 * a) + 1.0)  # no cancellation: tanh(a) >= 1/2 here
    return e.copysign(e.sel(a < _TANH_SMALL, small, big), x)


def _near(d: Emitter, xd: V) -> tuple[V, V]:
    """(k, r) with x = k*pi/2 + r in double: two terms of pi/2 suffice below TRIG_MAX."""
    k = d.rint(xd * TWO_OVER_PI)
    return k, d.fma(-k, PIO2[1], d.fma(-k, PIO2[0], xd))


def _trig(
    which: str, reduce: Callable[[Emitter, V], tuple[V, V]], infinite: bool = True
) -> Callable[[Emitter, V], V]:
    """`infinite`: give NaN for infinite x explicitly (see llvm_math's `_trig`)."""

    def trig(e: Emitter, x: V) -> V:
        d = Emitter(e.b, e.lanes, F64)
        xd = V(d, e.b.fpext(x.v, d.fty))
        k, rd = reduce(d, xd)
        r = V(e, e.b.fptrunc(rd.v, e.fty))
        dr = V(e, e.b.fptrunc((rd - V(d, e.b.fpext(r.v, d.fty))).v, e.fty))  # r's rounding
        z = r * r
        s = e.fma(r * z, e.horner(z, _SIN), r)
        hz = 0.5 * z
        w = 1.0 - hz
        c = w + (((1.0 - w) - hz) + z * z * e.horner(z, _COS))
        s, c = e.fma(dr, c, s), e.fma(-dr, s, c)  # sin and cos of r + dr
        odd = ~d.int_is(d.low_bits(k, 1), 0)
        if which == "sin":
            y = e.sel(odd, c, s)
            y = e.sel(~d.int_is(d.low_bits(k, 2), 0), -y, y)
        else:
            y = e.sel(odd, s, c)
            y = e.sel(~d.int_is(d.low_bits(k + 1.0, 2), 0), -y, y)
        if infinite:
            y = e.sel(e.abs(x) < math.inf, y, math.nan)
        return y if which == "cos" else tiny_pass(e, x, y, 2.0**-12)

    return trig


FUNCS: dict[str, Callable[..., V]] = {
    "exp": _exp,
    "log": _log,
    "tanh": _tanh,
    "sin": _trig("sin", _near),
    "cos": _trig("cos", _near),
}
"""The functions with a native float32 implementation, by NumPy name."""

GUARDED: dict[str, Callable[..., V]] = {
    "sin": _trig("sin", _near, infinite=False),
    "cos": _trig("cos", _near, infinite=False),
}
"""sin and cos valid for |x| <= TRIG_MAX, for a caller that checks the argument."""

HUGE: dict[str, Callable[..., V]] = {
    "sin": _trig("sin", payne_hanek.reduce),
    "cos": _trig("cos", payne_hanek.reduce),
}
"""sin and cos for |x| > TRIG_MAX (Payne-Hanek reduction in double)."""
