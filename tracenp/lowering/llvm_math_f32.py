"""Native float32 versions of the most used functions in `llvm_math`.

The other functions compute float32 through the double code; these run in float lanes, so a
vector register holds twice the elements and the polynomials are shorter, for about 2-3 times
the throughput. They follow fdlibm's float versions (expf, logf) and are faithfully rounded.
"""

from __future__ import annotations

from collections.abc import Callable

from .llvm_math_ir import Emitter, V, inv_factorial, log_special, taylor

_LOG2E = 1.4426950408889634
_LN2_EXP = (0.693145751953125, 1.428606765330187e-06)  # hi has 16 bits: k*hi exact (expf)
_LN2_LOG = (0.6931381225585938, 9.05800061445916e-06)  # logf's split
_EXPM1_P = taylor(inv_factorial, 2, 7)  # exp(r) - 1 - r = r^2 * P(r), |r| <= ln2/2
# musl logf: log(1+f) = f - f^2/2 + s*(f^2/2 + R), R = z*(Lg1 + w*Lg3) + w*(Lg2 + w*Lg4)
_LG = (0.6666666269302368, 0.40000972151756287, 0.2849878668785095, 0.24279078841209412)


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


FUNCS: dict[str, Callable[..., V]] = {"exp": _exp, "log": _log}
"""The functions with a native float32 implementation, by NumPy name."""
