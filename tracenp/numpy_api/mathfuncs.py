"""NumPy's Python-level math helpers, composed from ufuncs the way NumPy writes them.

Each follows NumPy's own implementation step by step (`numpy/lib/*_impl.py`), so the
result and its dtype match: `round`, `fix`, `isclose`, `nan_to_num`, `sinc`, `polyval`,
`interp`, `searchsorted`, `convolve`/`correlate`, `cov`/`corrcoef`, `meshgrid`, the
sort-based `median`/`percentile`/`quantile`, fixed-bin `histogram`, index helpers.
"""

from __future__ import annotations

import builtins
import math

import numpy as np
from numpy.lib._function_base_impl import _i0A as _I0A, _i0B as _I0B  # NumPy's own

from .. import errors, lax
from ..ops import Op
from ..shapes import normalize_axes
from . import implements
from .ufuncs import NAT, _store, isnat

_ASARRAY = np.asarray  # NumPy's own, not the tracing-time replacement


@implements(np.round, np.around)
def round_(a, decimals=0, out=None):
    x = lax.lift(a)
    decimals = int(lax.known(decimals, "`decimals` of np.round"))
    if x.dtype.kind == "c":  # NumPy rounds each part: a complex product would make inf nan
        from .complex_parts import complex_from_parts

        r = complex_from_parts(round_(np.real(x), decimals), round_(np.imag(x), decimals),
                               x.dtype)
    elif x.dtype.kind in "biu":
        if x.dtype.kind == "b" and decimals:  # NumPy's loop cannot cast back: its own error
            np.round(np.zeros(0, x.dtype), decimals)
        if decimals >= 0:
            r = x if x.dtype.kind != "b" else np.rint(x)
        else:
            f = float(10 ** -decimals)
            r = (np.rint(x.astype(np.float64) / f) * f).astype(x.dtype)
    elif decimals == 0:
        r = np.rint(x)
    elif decimals > 0:
        f = float(10.0 ** decimals)
        r = np.true_divide(np.rint(np.multiply(x, f)), f)
    else:
        f = float(10.0 ** -decimals)
        r = np.multiply(np.rint(np.true_divide(x, f)), f)
    if out is not None:
        out[...] = r
        return out
    return r


@implements(np.fix)
def fix(x, out=None):
    x = lax.lift(x)
    res = np.where(np.greater_equal(x, 0), np.floor(x), np.ceil(x))
    if out is not None:
        out[...] = res
        return out
    return res


@implements(np.isclose)
def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    x = a if isinstance(a, (int, float, complex)) else lax.lift(a)
    y = b if isinstance(b, (int, float, complex)) else lax.lift(b)
    if lax.is_tracer(y):
        y = lax.cast(y, np.result_type(y.dtype, 1.0))
    elif isinstance(y, int):
        y = float(y)
    result = np.logical_or(
        np.logical_and(np.less_equal(np.abs(np.subtract(x, y)),
                                     np.add(atol, np.multiply(rtol, np.abs(y)))),
                       np.isfinite(y)),
        np.equal(x, y))
    if equal_nan:
        result = np.logical_or(result, np.logical_and(np.isnan(x), np.isnan(y)))
    return result


@implements(np.allclose)
def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return np.all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


@implements(np.array_equal)
def array_equal(a1, a2, equal_nan=False):
    a1, a2 = lax.lift(a1), lax.lift(a2)
    if a1.shape != a2.shape:
        return False
    eq = np.equal(a1, a2)
    if equal_nan and a1.dtype.kind in "fc" and a2.dtype.kind in "fc":
        eq = np.logical_or(eq, np.logical_and(np.isnan(a1), np.isnan(a2)))
    return np.all(eq)


@implements(np.array_equiv)
def array_equiv(a1, a2):
    a1, a2 = lax.lift(a1), lax.lift(a2)
    try:
        np.broadcast_shapes(a1.shape, a2.shape)
    except ValueError:
        return False
    return np.all(np.equal(a1, a2))


def _complex(re, im, dtype):
    """`re + 1j * im` as `dtype`, exact for finite parts."""
    return np.add(lax.cast(re, dtype), np.multiply(lax.cast(im, dtype), 1j))


@implements(np.nan_to_num)
def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """NumPy's fills; `copy=False` writes them into `x` and returns it, and with `copy=True`
    the result is a new array even for integers (a write to it must not reach `x`)."""
    x = lax.lift(x)
    if x.dtype.kind not in "fc":
        return x if not copy else np.copy(x)
    result = _nan_to_num(x, nan, posinf, neginf)
    if copy:
        return result
    x[...] = result
    return x


def _nan_to_num(x, nan, posinf, neginf):
    info = np.finfo(x.real.dtype)
    maxf = info.max if posinf is None else posinf
    minf = info.min if neginf is None else neginf

    def fill(d):  # a fill may be traced (`nan=np.nanmean(x)`)
        d = np.where(np.isnan(d), lax.cast(lax.lift(nan), d.dtype), d)
        d = np.where(np.isposinf(d), lax.cast(lax.lift(maxf), d.dtype), d)
        return np.where(np.isneginf(d), lax.cast(lax.lift(minf), d.dtype), d)

    if x.dtype.kind == "c":
        return _complex(fill(np.real(x)), fill(np.imag(x)), x.dtype)
    return fill(x)


@implements(np.sinc)
def sinc(x):
    x = np.multiply(np.pi, lax.lift(x))
    eps = np.finfo(x.dtype).eps if x.dtype.kind == "f" else 1e-20
    y = np.where(np.not_equal(x, 0), x, lax.cast(np.asarray(eps), x.dtype))
    return np.true_divide(np.sin(y), y)


@implements(np.i0)
def i0(x):
    """NumPy's Chebyshev expansions on [0, 8] and (8, inf) (Clenshaw's), each branch computed
    everywhere and the one of each element kept."""
    x = lax.lift(x)
    if x.dtype.kind == "c":
        raise TypeError("i0 not supported for complex values")
    x = np.abs(x if x.dtype.kind == "f" else lax.cast(x, np.float64))
    low = np.exp(x) * _chbevl(x / 2.0 - 2, _I0A)
    high = np.exp(x) * _chbevl(32.0 / x - 2.0, _I0B) / np.sqrt(x)
    return np.where(x <= 8.0, low, high)


def _chbevl(t, coefficients):
    """Cephes' Chebyshev series by Clenshaw's recurrence."""
    b0, b1, b2 = coefficients[0], 0.0, 0.0
    for c in coefficients[1:]:
        b0, b1, b2 = t * b0 - b1 + c, b0, b1
    return 0.5 * (b0 - b2)


def scipy_i0e(x):
    """`scipy.special.i0e`, `exp(-|x|) i0(x)`: Cephes' series without their exp(x) factor,
    so it stays finite where i0 overflows (a von Mises normalizer at large concentration)."""
    x = np.abs(x)
    return np.where(x <= 8.0, _chbevl(x / 2.0 - 2, _I0A),
                    _chbevl(32.0 / np.maximum(x, 8.0) - 2.0, _I0B) / np.sqrt(x))


# Cephes' `ndtr.c` rational approximations (what libm's erf follows): erf on [0, 1] as
# x T(x^2) / U(x^2), erfc on [1, 8) as exp(-x^2) P(x) / Q(x) and on [8, inf) with R / S
_ERF_T = (9.60497373987051638749E0, 9.00260197203842689217E1, 2.23200534594684319226E3,
          7.00332514112805075473E3, 5.55923013010394962768E4)
_ERF_U = (1.0, 3.35617141647503099647E1, 5.21357949780152679795E2, 4.59432382970980127987E3,
          2.26290000613890934246E4, 4.92673942608635921086E4)
_ERFC_P = (2.46196981473530512524E-10, 5.64189564831068821977E-1, 7.46321056442269912687E0,
           4.86371970985681366614E1, 1.96520832956077098242E2, 5.26445194995477358631E2,
           9.34528527171957607540E2, 1.02755188689515710272E3, 5.57535335369399327526E2)
_ERFC_Q = (1.0, 1.32281951154744992508E1, 8.67072140885989742329E1, 3.54937778887819891062E2,
           9.75708501743205489753E2, 1.82390916687909736289E3, 2.24633760818710981792E3,
           1.65666309194161350182E3, 5.57535340817727675546E2)
_ERFC_R = (5.64189583547755073984E-1, 1.27536670759978104416E0, 5.01905042251180477414E0,
           6.16021097993053585195E0, 7.40974269950448939160E0, 2.97886665372100240670E0)
_ERFC_S = (1.0, 2.26052863220117276590E0, 9.39603524938001434673E0, 1.20489539808096656605E1,
           1.70814450747565897222E1, 9.60896809063285878198E0, 3.36907645100081516355E0)


def _horner(x, coefficients):
    y = coefficients[0] * x + coefficients[1]
    for c in coefficients[2:]:
        y = y * x + c
    return y


def _erfc_above_one(a):
    """erfc of `a` >= 1 (clipped where it underflows to 0, so inf gives 0, not inf/inf)."""
    a = np.minimum(a, 30.0)
    scale = np.exp(-a * a)
    near = scale * _horner(a, _ERFC_P) / _horner(a, _ERFC_Q)
    far = scale * _horner(a, _ERFC_R) / _horner(a, _ERFC_S)
    return np.where(a < 8.0, near, far)


def _real_float64(x):
    """`math.erf`'s argument as a float64 array: it takes real numbers only."""
    x = lax.lift(x)
    if x.dtype.kind == "c":
        raise TypeError("must be real number, not complex")
    return lax.cast(x, np.float64)


def math_erf(x):
    """`math.erf` of each element (`np.vectorize(math.erf)`, the SciPy-free normal CDF of
    Black-Scholes code), each branch computed everywhere and the one of each element kept."""
    x = _real_float64(x)
    ax = np.abs(x)
    inner = np.minimum(ax, 1.0)
    low = x * _horner(inner * inner, _ERF_T) / _horner(inner * inner, _ERF_U)
    high = np.sign(x) * (1.0 - _erfc_above_one(np.maximum(ax, 1.0)))
    return np.where(ax <= 1.0, low, high)


def math_erfc(x):
    """`math.erfc` of each element: 1 - erf below 1 in magnitude, else Cephes' erfc (2 - it
    for negative arguments), which keeps the tail's digits."""
    x = _real_float64(x)
    ax = np.abs(x)
    tail = _erfc_above_one(np.maximum(ax, 1.0))
    return np.where(ax < 1.0, 1.0 - math_erf(np.clip(x, -1.0, 1.0)),
                    np.where(x < 0, 2.0 - tail, tail))


# CPython's `math.lgamma`: Lanczos' sum with its g and 13 coefficients (`mathmodule.c`)
_LANCZOS_G = 6.024680040776729583740234375
_LANCZOS_NUM = (23531376880.410759688572007674451636754734846804940,
                42919803642.649098768957899047001988850926355848959,
                35711959237.355668049440185451547166705960488635843,
                17921034426.037209699919755754458931112671403265390,
                6039542586.3520280050642916443072979210699388420708,
                1439720407.3117216736632230727949123939715485786772,
                248874557.86205415651146038641322942321632125127801,
                31426415.585400194380614231628318205362874684987640,
                2876370.6289353724412254090516208496135991145378768,
                186056.26539522349504029498971604569928220784236328,
                8071.6720023658162106380029022722506138218516325024,
                210.82427775157934587250973392071336271166969580291,
                2.5066282746310002701649081771338373386264310793408)
_LANCZOS_DEN = (0.0, 39916800.0, 120543840.0, 150917976.0, 105258076.0, 45995730.0,
                13339535.0, 2637558.0, 357423.0, 32670.0, 1925.0, 66.0, 1.0)


def _lanczos_sum(x):
    """The rational sum in `x` below 5, and in 1 / `x` above (no overflow), as CPython's."""
    below = x < 5.0  # each branch where it holds (by `where`: a tie of minimum and maximum at
    lo, inv = np.where(below, x, 5.0), 1.0 / np.where(below, 5.0, x)  # 5 split the gradient)
    num_lo = den_lo = num_hi = den_hi = 0.0
    for n, d in zip(_LANCZOS_NUM[::-1], _LANCZOS_DEN[::-1]):
        num_lo, den_lo = num_lo * lo + n, den_lo * lo + d
    for n, d in zip(_LANCZOS_NUM, _LANCZOS_DEN):
        num_hi, den_hi = num_hi * inv + n, den_hi * inv + d
    return np.where(below, num_lo / den_lo, num_hi / den_hi)


def math_lgamma(x):
    """`math.lgamma` of each element (`np.vectorize(math.lgamma)`, the log-factorials of
    SciPy-free Poisson and negative-binomial likelihoods): CPython's Lanczos formula with its
    reflection below 0; its ValueError at 0 and the negative integers when the function runs."""
    x = _real_float64(x)
    integer = np.equal(x, np.floor(x)) & np.isfinite(x)
    lax.check(np.any(np.logical_and(integer, x <= 0.0)), "ValueError", "math domain error")
    return _lgamma(x, integer)


def scipy_gammaln(x):
    """`scipy.special.gammaln` of float64 `x`: `math.lgamma`'s values, inf at its poles (0
    and the negative integers) where `math` raises, and -inf at -inf, as SciPy gives."""
    integer = np.equal(x, np.floor(x)) & np.isfinite(x)
    r = np.where(integer & (x <= 0.0), np.inf, _lgamma(x, integer))
    return np.where(np.isneginf(x), -np.inf, r)


def scipy_gamma(x):
    """`scipy.special.gamma`: `math.gamma`'s values, +-inf at +-0 and NaN at the other poles."""
    return np.where(x == 0.0, np.copysign(np.inf, x), math_gamma(x))


def scipy_loggamma(x):
    """`scipy.special.loggamma` of real `x`: `gammaln` where x >= 0, NaN below."""
    return np.where(x < 0.0, np.nan, scipy_gammaln(x))


def scipy_betaln(a, b):
    """`scipy.special.betaln`: `gammaln(a) + gammaln(b) - gammaln(a + b)`, and Cephes'
    asymptotic series where one argument is over a million times the other (and 1e6)."""
    big, small = np.maximum(a, b), np.minimum(a, b)
    asymptotic = (big > 1e6 * small) & (big > 1e6)
    x = np.where(asymptotic, big, 2.0)
    y = np.where(asymptotic, small, 1.0)
    series = scipy_gammaln(y) - y * np.log(x) - y * (y - 1.0) / (2.0 * x) + y * (y - 1.0) * (
        2.0 * y - 1.0) / (12.0 * x * x) - y * y * (y - 1.0) ** 2 / (12.0 * x ** 3)
    return np.where(asymptotic, series,
                    scipy_gammaln(a) + scipy_gammaln(b) - scipy_gammaln(a + b))


def _ndtr(x):
    return 0.5 * math_erfc(-x / np.sqrt(2.0))


def scipy_log_ndtr(x):
    """`scipy.special.log_ndtr`: `log1p(-ndtr(-x))` above 0, `log(ndtr(x))` down to -20, and
    below, where ndtr underflows, the asymptotic series of Mills' ratio (its terms to x**-12
    leave under 1e-11 there)."""
    far = np.minimum(x, -20.0)
    inv = 1.0 / (far * far)
    series = 1.0 + inv * (-1.0 + inv * (3.0 + inv * (-15.0 + inv * (105.0 + inv * (
        -945.0 + inv * 10395.0)))))
    tail = -0.5 * far * far - np.log(-far) - 0.5 * np.log(2.0 * np.pi) + np.log(series)
    mid = np.where(x > 0.0, np.log1p(-_ndtr(-np.maximum(x, 0.0))),
                   np.log(_ndtr(np.maximum(x, -20.0))))
    return np.where(x < -20.0, tail, mid)


# Acklam's rational approximation of the normal quantile: central region and tails
_NDTRI_A = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
_NDTRI_B = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01, 1.0)
_NDTRI_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
_NDTRI_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
            3.754408661907416e+00, 1.0)


def _polynomial(t, coefficients):
    r = coefficients[0]
    for c in coefficients[1:]:
        r = r * t + c
    return r


def scipy_ndtri(p):
    """`scipy.special.ndtri`, the normal quantile: Acklam's approximation of the lower half
    (`q = min(p, 1 - p)`, exact for p >= 0.5), refined by two Halley steps on `ndtr`, mirrored
    for p > 0.5; -inf and inf at 0 and 1, NaN outside [0, 1]."""
    q = np.clip(np.where(p > 0.5, 1.0 - p, p), 1e-300, 0.5)
    t = np.sqrt(-2.0 * np.log(q))
    tail = _polynomial(t, _NDTRI_C) / _polynomial(t, _NDTRI_D)
    c = q - 0.5
    central = c * _polynomial(c * c, _NDTRI_A) / _polynomial(c * c, _NDTRI_B)
    z = np.where(q < 0.02425, tail, central)
    for _ in range(2):
        u = (_ndtr(z) - q) * np.sqrt(2.0 * np.pi) * np.exp(0.5 * z * z)
        z = z - u / (1.0 + 0.5 * z * u)
    z = np.where(p > 0.5, -z, z)
    edge = np.where(p == 0.0, -np.inf, np.where(p == 1.0, np.inf, np.nan))
    return np.where((p > 0.0) & (p < 1.0), z, edge)


def _lgamma(x, integer):
    a = np.where(np.isfinite(x) & (x != 0.0), np.abs(x), 1.0)
    r = np.log(_lanczos_sum(a)) - _LANCZOS_G + (a - 0.5) * (np.log(a + _LANCZOS_G - 0.5) - 1.0)
    sine = np.abs(np.sin(np.pi * np.fmod(a, 2.0)))
    sine = np.where((x < 0.0) & (sine > 0.0), sine, 1.0)
    r = np.where(x < 0.0, np.log(np.pi) - np.log(sine) - np.log(a) - r, r)
    r = np.where(a < 1e-20, -np.log(a), r)
    r = np.where(integer & (x > 0.0) & (x <= 2.0), _lgamma_at_one_and_two(x), r)
    return np.where(np.isnan(x), x, np.where(np.isinf(x), np.inf, r))


def _lgamma_at_one_and_two(x):
    """CPython's exact 0 at 1 and 2, as the function's Taylor terms there (digamma's and
    trigamma's values), so that derivatives see lgamma rather than a constant."""
    one = np.equal(x, 1.0)
    slope = np.where(one, -_EULER_GAMMA, 1.0 - _EULER_GAMMA)
    curvature = np.where(one, math.pi ** 2 / 6.0, math.pi ** 2 / 6.0 - 1.0)
    d = x - np.where(one, 1.0, 2.0)
    return d * (slope + 0.5 * curvature * d) + 0.0  # (+ 0.0: a -0.0 product is 0.0)


_EULER_GAMMA = 0.5772156649015329


_LANCZOS_G_MINUS_HALF = 5.524680040776729583740234375
_GAMMA_INTEGRAL = tuple(float(math.factorial(n)) for n in range(23))  # gamma(1) to gamma(23)


def _sinpi(x):
    """CPython's `m_sinpi`: sin(pi x) of `x` reduced exactly to [0, 2) first."""
    y = np.fmod(np.abs(x), 2.0)
    n = np.floor(2.0 * y)
    n = np.where(2.0 * y - n >= 0.5, n + 1.0, n)  # C's round: half away from zero
    r = np.where(n == 0.0, np.sin(np.pi * y), np.where(
        n == 1.0, np.cos(np.pi * (y - 0.5)), np.where(
            n == 2.0, np.sin(np.pi * (1.0 - y)), np.where(
                n == 3.0, -np.cos(np.pi * (y - 1.5)), np.sin(np.pi * (y - 2.0))))))
    return np.copysign(1.0, x) * r


def math_gamma(x):
    """`math.gamma` of each element: CPython's Lanczos formula (`m_tgamma`) with its table of
    factorials, its reflection below 0 and its tiny and huge arguments; NaN at its poles (0,
    the negative integers and -inf), where `math` raises ValueError."""
    x = _real_float64(x)
    integer = np.equal(x, np.floor(x)) & np.isfinite(x)
    a = np.clip(np.abs(x), 1e-20, 200.0)  # each branch computed where it holds
    y = a + _LANCZOS_G_MINUS_HALF
    z = np.where(a > _LANCZOS_G_MINUS_HALF, (y - a) - _LANCZOS_G_MINUS_HALF,
                 (y - _LANCZOS_G_MINUS_HALF) - a) * _LANCZOS_G / y
    small = a < 140.0
    power = np.power(y, np.where(small, a - 0.5, a / 2.0 - 0.25))
    neg = -np.pi / _sinpi(a) / a * np.exp(y) / _lanczos_sum(a)
    neg = neg - z * neg
    neg = np.where(small, neg / power, neg / power / power)
    pos = _lanczos_sum(a) / np.exp(y)
    pos = pos + z * pos
    pos = np.where(small, pos * power, pos * power * power)
    r = np.where(x < 0.0, neg, pos)
    huge = np.where(x < 0.0, 0.0 / _sinpi(np.where(np.isfinite(x), x, 0.5)), np.inf)
    r = np.where(np.abs(x) > 200.0, huge, np.where(np.abs(x) < 1e-20, 1.0 / x, r))
    slot = np.clip(np.where(np.isfinite(x), x - 1.0, 0.0), 0.0, 22.0)
    table = np.take(np.array(_GAMMA_INTEGRAL), lax.cast(slot, np.intp))
    r = np.where(integer & (x >= 1.0) & (x <= 23.0), table, r)
    pole = integer & (x <= 0.0) | np.isneginf(x)
    return np.where(pole, np.nan, np.where(np.isfinite(x), r, x))


@implements(np.polyval)
def polyval(p, x):
    p = lax.lift(p)
    x = lax.lift(x)
    y = np.zeros_like(x)
    for i in range(p.shape[0]):
        y = np.add(np.multiply(y, x), p[i])
    return y


def _poly_combine(a1, a2, op):
    """NumPy's `polyadd`/`polysub`: the shorter coefficient array is padded with leading
    zeros of its own dtype (no trimming, so the length is known now)."""
    a1, a2 = np.atleast_1d(lax.lift(a1)), np.atleast_1d(lax.lift(a2))
    diff = a2.shape[0] - a1.shape[0]
    if diff > 0:
        a1 = np.concatenate([lax.lift(np.zeros(diff, a1.dtype)), a1])
    elif diff < 0:
        a2 = np.concatenate([lax.lift(np.zeros(-diff, a2.dtype)), a2])
    return op(a1, a2)


@implements(np.polyadd)
def polyadd(a1, a2):
    return _poly_combine(a1, a2, np.add)


@implements(np.polysub)
def polysub(a1, a2):
    return _poly_combine(a1, a2, np.subtract)


@implements(np.polyder)
def polyder(p, m=1):
    """NumPy's steps: the coefficient array shortens by one per order, a length known now."""
    m = int(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    p = lax.lift(p)
    for _ in range(m):
        n = p.shape[0] - 1
        p = np.multiply(p[:-1], lax.lift(np.arange(n, 0, -1)))
    return p


@implements(np.polyint)
def polyint(p, m=1, k=None):
    """NumPy's steps: each order divides by the powers and appends its constant from `k`."""
    m = int(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    k = lax.lift(np.zeros(m) if k is None else k)
    k = lax.reshape(k, (1,)) if k.ndim == 0 else k
    if k.shape[0] == 1 and m > 1:
        k = np.multiply(k[0], lax.lift(np.ones(m)))
    if k.shape[0] < m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    p = lax.lift(p)
    for i in range(m):
        p = np.concatenate([np.true_divide(p, lax.lift(np.arange(p.shape[0], 0, -1))),
                            k[i:i + 1]])
    return p


@implements(np.poly)
def poly(seq_of_zeros):
    """NumPy's product of one `(x - zero)` factor per root, a length known now. A real square
    matrix's characteristic polynomial is real, as NumPy's is (its eigenvalues come in exact
    conjugate pairs); complex roots give a real or a complex result by their values, refused."""
    z = np.atleast_1d(lax.lift(seq_of_zeros))
    if z.dtype.kind == "c":
        raise errors.unsupported("np.poly of complex roots (real or complex by their values)")
    if z.ndim == 2 and z.shape[0] == z.shape[1] and z.shape[0] != 0:
        z = np.linalg.eigvals(z)
        part = np.empty(0, z.dtype).real.dtype
    elif z.ndim == 1:
        part = z.dtype if z.dtype.char in "fdg" else np.dtype(np.float64)  # np.mintypecode
        z = lax.cast(z, part)
    else:
        raise ValueError("input must be 1d or non-empty square 2d array.")
    if z.shape[0] == 0:
        return 1.0
    a = lax.lift(np.ones(1, z.dtype))
    for i in range(z.shape[0]):
        zero = lax.lift(np.zeros(1, z.dtype))
        a = np.subtract(np.concatenate([a, zero]), np.multiply(z[i], np.concatenate([zero, a])))
    return a if a.dtype == part else np.real(a)


@implements(np.real_if_close)
def real_if_close(a, tol=100):
    """A real array is NumPy's result itself; of a complex one, whether the result is real
    depends on its values, refused."""
    a = lax.lift(a)
    if a.dtype.kind == "c":
        raise errors.unsupported("np.real_if_close of complex values (real or complex by "
                                 "their values; np.real(z) or z.real is always real)")
    return a


def _sorted_before(a, v, side: str):
    """Elementwise `a` sorts before `v` in NumPy's order (NaN last)."""
    if side == "left":
        lt = np.less(a, v)
        if a.dtype.kind in "fc" or v.dtype.kind in "fc":
            lt = np.logical_or(lt, np.logical_and(np.isnan(v), np.logical_not(np.isnan(a))))
        return lt
    return np.logical_not(_sorted_before(v, a, "left"))


SEARCH_BY_COUNTING = 32  # sorted lengths up to which a search counts the elements before
# each value in one fused pass; longer ones are NumPy's binary search (np.interp of 1e5
# points on a 1e4 grid took 1e9 comparisons)


def _search_operands(a, v) -> tuple:
    """`a` and `v` of their common dtype, datetimes as int64 with NaT last (NumPy's order)."""
    a, v = lax.lift(a), lax.lift(v)
    common = np.result_type(a.dtype, v.dtype)
    if common.names:
        raise errors.unsupported("np.searchsorted of structured arrays")
    a, v = lax.cast(a, common), lax.cast(v, common)
    if common.kind in "mM":  # NaT sorts last, as NumPy's searchsorted orders it
        a, v = (np.where(isnat(t), np.iinfo(np.int64).max, lax.cast(t, np.int64)) for t in (a, v))
    return a, v


@implements(np.searchsorted)
def searchsorted(a, v, side="left", sorter=None):
    a = lax.lift(a)
    if a.ndim != 1:
        raise ValueError("object too deep for desired array")
    if side not in ("left", "right"):
        raise ValueError(f"search side must be 'left' or 'right' (got {side!r})")
    if sorter is not None:
        a = np.take(a, sorter)
    a, v = _search_operands(a, v)
    if a.shape[0] > SEARCH_BY_COUNTING:
        return lax.bind(Op.SEARCHSORTED, a, v, side=side)
    before = _sorted_before(lax.reshape(a, (1,) * v.ndim + a.shape),
                            lax.reshape(v, v.shape + (1,)), side)
    return np.sum(before, axis=-1, dtype=np.intp)


@implements(np.interp)
def interp(x, xp, fp, left=None, right=None, period=None):
    x, xp, fp = lax.lift(x), lax.lift(xp), lax.lift(fp)
    if xp.ndim != 1 or fp.ndim != 1:
        raise ValueError("object too deep for desired array")
    if xp.shape[0] != fp.shape[0]:
        raise ValueError("fp and xp are not of the same length.")
    if xp.shape[0] == 0:
        raise ValueError("array of sample points is empty")
    dtype = np.complex128 if fp.dtype.kind == "c" else np.float64
    x, xp, fp = (lax.cast(t, np.float64 if t is not fp else dtype) for t in (x, xp, fp))
    if period is not None:  # NumPy's: wrap into one period, sort, extend by one point each side
        if lax.is_tracer(period):
            lax.steer(period, "np.interp's period")  # a Python scalar argument: static
            raise errors.unsupported("np.interp with a traced period")
        if period == 0:
            raise ValueError("period must be a non-zero value")
        period, left, right = abs(period), None, None
        x, xp = np.mod(x, period), np.mod(xp, period)
        order = np.argsort(xp)
        xp, fp = xp[order], fp[order]
        xp = np.concatenate([np.subtract(xp[-1:], period), xp, np.add(xp[0:1], period)])
        fp = np.concatenate([fp[-1:], fp, fp[0:1]])
    n = xp.shape[0]
    if n == 0:
        raise ValueError("array of sample points is empty")
    j = np.clip(np.subtract(searchsorted(xp, x, side="right"), 1), 0, max(n - 2, 0))
    if n == 1:
        y = lax.broadcast_to(lax.lift(fp[0]), x.shape)
    else:
        x0, x1, f0, f1 = xp[j], xp[np.add(j, 1)], fp[j], fp[np.add(j, 1)]
        slope = np.true_divide(np.subtract(f1, f0), np.subtract(x1, x0))
        y = np.add(np.multiply(slope, np.subtract(x, x0)), f0)
        y = np.where(np.equal(x, xp[n - 1]), fp[n - 1], y)
    lo = fp[0] if left is None else lax.cast(lax.lift(left), dtype)  # traced fills too
    hi = fp[n - 1] if right is None else lax.cast(lax.lift(right), dtype)
    y = np.where(np.less(x, xp[0]), lo, y)
    y = np.where(np.greater(x, xp[n - 1]), hi, y)
    if n == 1:  # NumPy's one-point loop compares only: a nan x gets fp[0]
        return y
    return np.where(np.isnan(x), lax.cast(np.asarray(np.nan), dtype), y)


CORRELATE_TAPS = 32  # from this length of `v` a correlation is one library step (NumPy's
# loop): as a fused sum of shifted copies its graph grew by two ops a tap (an autocorrelation
# of 480 samples: 987 ops, 14x NumPy's time)


def _correlate_full(a, v):
    """c[k] = sum_j a[k + j - (m - 1)] * v[j], for k in 0 .. n + m - 2, over the terms inside
    `a` only (as NumPy's: a padding zero times an inf `v[j]` would be nan)."""
    n, m = a.shape[0], v.shape[0]
    if m >= CORRELATE_TAPS:
        return lax.bind(Op.CORRELATE, a, v)
    if n < m or m == 1:
        return _correlate_stacked(a, v)
    head = _correlate_stacked(a[:m - 1], v)[:m - 1]  # the ends, where terms leave `a`
    tail = _correlate_stacked(a[n - m + 1:], v)[m - 1:]
    return np.concatenate([head, _correlate_inner(a, v), tail])


def _correlate_inner(a, v):
    """The outputs whose terms all lie inside `a` (mode "valid"), as one sum of shifted
    slices: views that fuse into a single pass over `a`, in the order of the taps."""
    n, m = a.shape[0], v.shape[0]
    length = n - m + 1
    acc = np.multiply(a[0:length], v[0])
    for j in range(1, m):
        acc = np.add(acc, np.multiply(a[j:j + length], v[j]))
    return acc


def _correlate_stacked(a, v):
    """`_correlate_full` of short operands: every window of the padded `a`, stacked."""
    n, m = a.shape[0], v.shape[0]
    padded = lax.pad(a, [(m - 1, m - 1)])
    windows = np.stack([padded[j:j + n + m - 1] for j in range(m)])
    pos = np.arange(n + m - 1)[None, :] + np.arange(m)[:, None] - (m - 1)
    inside = lax.lift((pos >= 0) & (pos < n))
    terms = np.where(inside, np.multiply(windows, lax.reshape(v, (m, 1))),
                     lax.lift(np.zeros((), a.dtype)))
    return np.sum(terms, axis=0, dtype=a.dtype)


def _correlate(a, v, mode: str):
    """`_correlate_full` cut to `mode`, the "valid" part made alone where it is the inner
    sum (a moving average's `np.convolve(x, w, "valid")`)."""
    n, m = a.shape[0], v.shape[0]
    if mode == "valid" and m < CORRELATE_TAPS and m <= n:
        return _correlate_inner(a, v)
    return _mode_slice(_correlate_full(a, v), n, m, mode)


def _mode_slice(full, n: int, m: int, mode: str):
    if mode == "full":
        return full
    big, small = max(n, m), min(n, m)
    if mode == "valid":
        return full[small - 1: big]
    if mode == "same":
        start = (small - 1) // 2 if n >= m else small // 2
        return full[start: start + big]
    raise ValueError(f"mode must be one of 'valid', 'same', or 'full' (got {mode!r})")


@implements(np.correlate)
def correlate(a, v, mode="valid"):
    a, v = lax.lift(a), lax.lift(v)
    dt = np.result_type(a.dtype, v.dtype)
    a, v = lax.cast(a, dt), lax.cast(v, dt)
    n, m = a.shape[0], v.shape[0]
    if n == 0 or m == 0:
        raise ValueError("v cannot be empty" if m == 0 else "a cannot be empty")
    if dt.kind == "c":
        v = np.conjugate(v)
    return _correlate(a, v, mode)


@implements(np.convolve)
def convolve(a, v, mode="full"):
    a, v = lax.lift(a), lax.lift(v)
    if v.shape[0] > a.shape[0]:
        a, v = v, a
    if v.shape[0] == 0:
        raise ValueError("v cannot be empty")
    dt = np.result_type(a.dtype, v.dtype)
    a, v = lax.cast(a, dt), lax.cast(v, dt)
    return _correlate(a, v[::-1], mode)


@implements(np.cov)
def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
        dtype=None):
    m = lax.lift(m)
    if ddof is not None and ddof != int(ddof):
        raise ValueError("ddof must be integer")
    dtype = np.result_type(m.dtype, np.float64) if dtype is None else np.dtype(dtype)
    X = lax.cast(m, dtype)
    X = lax.reshape(X, (1,) * (2 - X.ndim) + X.shape)
    if not rowvar and m.ndim != 1:  # NumPy: a (1, n) m with rowvar=False is n variables
        X = np.transpose(X)
    if y is not None:
        Y = lax.cast(lax.lift(y), dtype)
        Y = lax.reshape(Y, (1,) * (2 - Y.ndim) + Y.shape)
        if not rowvar and Y.shape[0] != 1:
            Y = np.transpose(Y)
        X = np.concatenate((X, Y), axis=0)
    ddof = (0 if bias else 1) if ddof is None else ddof
    if fweights is not None or aweights is not None:
        return _weighted_cov(X, ddof, fweights, aweights)
    fact = max(X.shape[1] - ddof, 0)
    X = np.subtract(X, np.mean(X, axis=1, keepdims=True))
    c = np.dot(X, np.conjugate(np.transpose(X)))
    c = lax.cast(np.multiply(c, np.true_divide(1, fact)), c.dtype)  # NumPy's `c *= 1/fact`
    return np.squeeze(c)


def _cov_weights(w, n: int, name: str, integral: bool):
    """NumPy's checks of `fweights`/`aweights`: shape always; the values (integral,
    non-negative) when they are known while tracing, as with np.digitize's bins."""
    w = lax.lift(w)
    if w.ndim > 1:
        raise RuntimeError(f"cannot handle multidimensional {name}")
    if w.shape[0] != n:
        raise RuntimeError(f"incompatible numbers of samples and {name}")
    known = w.constant_value()
    if known is not None and integral and not np.all(known == np.around(known)):
        raise TypeError("fweights must be integer")
    if known is not None and np.any(known < 0):
        raise ValueError(f"{name} cannot be negative")
    return lax.cast(w, np.float64)


def _weighted_cov(X, ddof, fweights, aweights):
    """NumPy's weighted covariance: weighted means, and the normalization `fact` from the
    weight sums (`numpy/lib/_function_base_impl.py`, `cov`)."""
    n = X.shape[1]
    w = None if fweights is None else _cov_weights(fweights, n, "fweights", True)
    a = None if aweights is None else _cov_weights(aweights, n, "aweights", False)
    w = a if w is None else w if a is None else np.multiply(w, a)
    avg, w_sum = np.average(X, axis=1, weights=w, returned=True)
    w_sum = w_sum[0]
    if ddof == 0:
        fact = w_sum
    elif a is None:
        fact = np.subtract(w_sum, ddof)
    else:
        fact = np.subtract(w_sum, np.true_divide(np.multiply(ddof, np.sum(np.multiply(w, a))),
                                                 w_sum))
    fact = np.where(np.less_equal(fact, 0), 0.0, fact)
    X = lax.cast(np.subtract(X, lax.reshape(avg, (-1, 1))), X.dtype)  # NumPy's `X -= avg`
    c = np.dot(X, np.conjugate(np.transpose(np.multiply(X, w))))
    return np.squeeze(np.multiply(c, np.true_divide(1, fact)))


@implements(np.corrcoef)
def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return np.true_divide(c, c)
    d = np.diagonal(c)
    stddev = np.sqrt(np.real(d))
    c = np.true_divide(c, lax.reshape(stddev, (-1, 1)))
    c = np.true_divide(c, lax.reshape(stddev, (1, -1)))
    if c.dtype.kind == "c":
        return _complex(np.clip(np.real(c), -1, 1), np.clip(np.imag(c), -1, 1), c.dtype)
    return np.clip(c, -1, 1)


@implements(np.meshgrid)
def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    ndim = len(xi)
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    s0 = (1,) * ndim
    out = [lax.reshape(lax.lift(x), s0[:i] + (lax.lift(x).size,) + s0[i + 1:])
           for i, x in enumerate(xi)]
    if indexing == "xy" and ndim > 1:
        out[0] = lax.reshape(out[0], (1, out[0].size) + s0[2:])
        out[1] = lax.reshape(out[1], (out[1].size, 1) + s0[2:])
    if not sparse:
        shape = np.broadcast_shapes(*(o.shape for o in out))
        out = [lax.broadcast_to(o, shape) for o in out]
    return tuple(out)


# NumPy's `_QuantileMethods`: (alpha, beta) of the continuous Hyndman & Fan methods
_ALPHA_BETA = {"interpolated_inverted_cdf": (0, 1), "hazen": (0.5, 0.5), "weibull": (0, 0),
               "median_unbiased": (1 / 3.0, 1 / 3.0), "normal_unbiased": (3 / 8.0, 3 / 8.0)}
_ROUNDED = {"lower": np.floor, "higher": np.ceil, "nearest": np.around}
_METHODS = frozenset(_ALPHA_BETA) | frozenset(_ROUNDED) | frozenset(
    ["linear", "midpoint", "averaged_inverted_cdf", "inverted_cdf", "closest_observation"])


def _virtual_index(method: str, n, q):
    """NumPy's virtual index of quantile `q` among `n` sorted values, step by step (`n` a
    Python int, or the traced count of each slice's non-NaN values): an intp index for the
    methods that take an element, a float for those that interpolate."""
    if method == "linear":
        return (n - 1) * q
    if method in _ROUNDED:
        return _ROUNDED[method]((n - 1) * q).astype(np.intp)
    if method == "midpoint":
        return 0.5 * (np.floor((n - 1) * q) + np.ceil((n - 1) * q))
    if method == "averaged_inverted_cdf":
        return n * q - 1
    if method in _ALPHA_BETA:
        alpha, beta = _ALPHA_BETA[method]
        return n * q + (alpha + q * (1 - alpha - beta)) - 1
    index = n * q - 1 - (0.5 if method == "closest_observation" else 0)
    previous = np.floor(index)
    take_previous = (index - previous) == 0
    if method == "closest_observation":
        take_previous = take_previous & (previous % 2 == 1)
    res = np.where(take_previous, previous, previous + 1).astype(np.intp)
    return np.maximum(res, 0)


def _takes_element(method: str, virtual) -> bool:
    """Whether NumPy takes an element itself, not an interpolation of two."""
    return method in _ROUNDED or method in ("inverted_cdf", "closest_observation") or (
        method == "linear" and virtual.dtype.kind in "iu")


def _gamma(method: str, virtual, previous):
    """NumPy's `_get_gamma`: the weight of the next value, in the virtual index's dtype."""
    gamma = np.subtract(virtual, previous)
    if method == "averaged_inverted_cdf":
        gamma = np.where(np.equal(gamma, 0), 0.5, 1.0)
    elif method == "midpoint":
        gamma = np.where(np.equal(np.remainder(virtual, 1), 0), 0.0, 0.5)
    return gamma.astype(virtual.dtype)


def _lerp(below, above, t):
    """NumPy's `_lerp`, which computes from the upper value when `t >= 0.5`."""
    diff = np.subtract(above, below)
    res = np.add(below, np.multiply(diff, t))
    hi = np.subtract(above, np.multiply(diff, np.subtract(1, t)))
    return np.where(np.greater_equal(t, 0.5), lax.cast(hi, res.dtype), res)


def _quantile_sorted(x, q, axis, keepdims, weak_q, method="linear"):
    """NumPy's `_quantile` by `method` on `x` sorted along `axis` (moved to the front)."""
    n = x.shape[0]
    q = q if lax.is_tracer(q) else np.asarray(q)
    virtual = _virtual_index(method, n, q)
    virtual = virtual if lax.is_tracer(virtual) else np.asarray(virtual)
    if _takes_element(method, virtual):  # of x's dtype; nan if the slice has one
        res = x[virtual]
        if x.dtype.kind in "fc":
            res = np.where(np.isnan(x[n - 1]), lax.cast(np.asarray(np.nan), res.dtype), res)
        return res
    prev = np.floor(virtual)
    above = virtual >= n - 1
    prev = np.where(above, -1, np.where(virtual < 0, 0, prev)).astype(np.intp)
    nxt = np.where(above, -1, np.where(virtual < 0, 0, prev + 1)).astype(np.intp)
    gamma = _gamma(method, virtual, prev)
    if weak_q and lax.is_tracer(gamma):  # a Python number's: weak, as `float(gamma)`
        t = lax.python_scalar(gamma, np.float64)
    elif weak_q:
        t = float(gamma)
    else:
        gamma = gamma if lax.is_tracer(gamma) else np.asarray(gamma)  # not a weak scalar
        t = lax.reshape(lax.lift(gamma), gamma.shape + (1,) * (x.ndim - 1))
    res = _lerp(x[prev % n], x[nxt % n], t)
    if x.dtype.kind in "fc":
        res = np.where(np.isnan(x[n - 1]), lax.cast(np.asarray(np.nan), res.dtype), res)
    return res


def _check_method(method: str) -> None:
    if method not in _METHODS:
        raise ValueError(f"{method!r} is not a valid method. Use one of: {sorted(_METHODS)}")


def _quantile(a, q, axis, keepdims, method, weak_q):
    _check_method(method)
    x = lax.lift(a)
    q = _quantile_q(q, "quantile `q`")
    axes, moved = _reduced_first(x, axis)
    if moved.shape[0] == 0:  # NumPy's error, from looking for NaN at the end
        raise IndexError("index -1 is out of bounds for axis 0 with size 0")
    res = _quantile_sorted(np.sort(moved, axis=0), q, axis, keepdims, weak_q, method)
    return _kept(res, x, axes, q, keepdims)


def _quantile_q(q, what: str):
    """`q`'s values, in [0, 1] as NumPy requires (a NaN is not); a `q` known only when the
    function runs (`np.quantile(x, q)` of an array argument) is checked then, and indexes the
    sorted values by its traced virtual indices; a Python scalar argument is made static
    (NumPy promotes it weakly)."""
    return _checked_q(q, what, "Quantiles must be in the range [0, 1]", 1)


def _traced_array_q(q) -> bool:
    """Whether `q` is known only when the function runs (a Python number computed from
    traced ones too: `np.quantile(x, c / (c + 1.0))` of a Python float `c`)."""
    return lax.is_tracer(q) and q.constant_value() is None


def _weak_q(q) -> bool:
    """NumPy promotes a Python number `q` weakly: the result's type is the data's."""
    return type(q) in (int, float) or lax.is_tracer(q) and q.weak and not q.ndim


def _percentile_q(q, what: str):
    """`q / 100` of a percentile's `q`, in [0, 1] as NumPy requires (checked when the function
    runs where `q` is traced)."""
    return _checked_q(q, what, "Percentiles must be in the range [0, 100]", 100)


def _checked_q(q, what: str, message: str, scale: int):
    """`q / scale`, NumPy's `_quantile_is_valid` of it (False for a NaN anywhere, whatever
    the length) raising `message`; a traced one where invalid is 0 after its check, so that
    its virtual indices stay in bounds."""
    if _traced_array_q(q):
        q = np.true_divide(q, scale) if scale != 1 else q
        valid = np.logical_and(np.greater_equal(q, 0), np.less_equal(q, 1))
        lax.check(np.logical_not(np.all(valid)), "ValueError", message)
        return np.where(valid, q, lax.cast(np.asarray(0), q.dtype))
    q = _ASARRAY(lax.known(q, what))
    q = np.true_divide(q, scale) if scale != 1 else q
    if not np.all((q >= 0) & (q <= 1)):
        raise ValueError(message)
    return q


def _reduced_first(x, axis):
    """The reduced axes, and `x` with them moved to the front and flattened into one."""
    axes = normalize_axes(axis, x.ndim, strict=True)
    rest = [d for d in range(x.ndim) if d not in axes]
    moved = np.transpose(x, tuple(axes) + tuple(rest))
    kept = tuple(x.shape[d] for d in rest)
    return axes, lax.reshape(moved, (int(np.prod([x.shape[d] for d in axes])),) + kept)


def _kept(res, x, axes, q, keepdims: bool):
    """`res` (q's dims, then the kept dims) with the reduced dims back as 1 under keepdims."""
    if not keepdims:
        return res
    return lax.reshape(res, q.shape + tuple(1 if d in axes else x.shape[d]
                                            for d in range(x.ndim)))


def _real_only(a) -> None:
    """NumPy's quantiles and percentiles refuse complex values (np.median takes them)."""
    if np.iscomplexobj(a):
        raise TypeError("a must be an array of real numbers")


@implements(np.quantile)
def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None, interpolation=None):
    _real_only(a)
    weak_q = _weak_q(q)
    if weights is not None:
        res = _weighted_quantile(a, _quantile_q(q, "quantile `q`"), axis, keepdims, method,
                                 weights)
    else:
        res = _quantile(a, q, axis, keepdims, method, weak_q)
    return _into(res, out, "same_kind")


@implements(np.percentile)
def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None, interpolation=None):
    _real_only(a)
    weak_q = _weak_q(q)  # NumPy: weak promotion for the result type
    q = _percentile_q(q, "percentile `q`")
    if weights is not None:
        res = _weighted_quantile(a, q, axis, keepdims, method, weights)
    else:
        res = _quantile(a, q if lax.is_tracer(q) else float(q) if weak_q else q, axis,
                        keepdims, method, weak_q)
    return _into(res, out, "same_kind")


def _into(res, out, casting: str, exact: bool = False):
    """`res` stored into `out=` as NumPy's quantiles store it (cast by `casting`, broadcast
    into it, or with `exact` of its shape: `np.median`'s mean); `res` without `out`."""
    if out is None:
        return res
    if exact and lax.is_tracer(out) and out.shape != res.shape:
        raise ValueError(f"output parameter for reduction operation add has the wrong shape: "
                         f"found {out.shape} but expected {res.shape}")
    return _store(np.add, (res,), out, True, casting)


def _weighted_quantile(a, q, axis, keepdims, method, weights):
    """NumPy's weighted quantile, of method "inverted_cdf" (the one that takes weights): per
    slice, the values sorted with their weights, and the first value at which the weights'
    normalized running sum reaches `q` (leading zero weights never chosen)."""
    if method != "inverted_cdf":
        raise ValueError(f"Only method 'inverted_cdf' supports weights. Got: {method}.")
    x = lax.lift(a)
    w = lax.lift(weights)
    if w.shape != x.shape:
        if axis is None:
            raise TypeError("Axis must be specified when shapes of a and weights differ.")
        given = tuple(d % x.ndim for d in (axis if isinstance(axis, (tuple, list)) else
                                           (axis,)))
        axes = normalize_axes(axis, x.ndim, strict=True)
        if w.shape != tuple(x.shape[d] for d in given):
            raise ValueError("Shape of weights must be consistent with shape of a along "
                             "specified axis.")
        w = lax.reshape(np.transpose(w, tuple(_ASARRAY(given).argsort())),
                        tuple(n if d in axes else 1 for d, n in enumerate(x.shape)))
    lax.check(np.any(np.less(w, 0)), "ValueError", "Weights must be non-negative.")
    axes, moved = _reduced_first(x, axis)
    _, wmoved = _reduced_first(np.broadcast_to(w, x.shape), axis)
    order = np.argsort(moved, axis=0)
    moved = np.take_along_axis(moved, order, axis=0)
    cdf = np.cumsum(np.take_along_axis(wmoved, order, axis=0), axis=0, dtype=np.float64)
    cdf = np.true_divide(cdf, cdf[-1])
    lax.check(np.any(np.isnan(cdf[-1])), "ValueError",
              "Weights included NaN, inf or were all zero.")
    qs = lax.lift(q.reshape(q.shape + (1,) * moved.ndim) if not lax.is_tracer(q) else
                  lax.reshape(q, q.shape + (1,) * moved.ndim))
    cdf = lax.cast(cdf, qs.dtype) if qs.dtype.kind == "f" else cdf
    cdf = np.where(np.equal(cdf, 0), lax.cast(np.asarray(-1), cdf.dtype), cdf)
    index = np.minimum(np.sum(np.less(cdf, qs), axis=q.ndim), moved.shape[0] - 1)
    res = lax.reshape(np.take_along_axis(moved, lax.reshape(index, (-1,) + moved.shape[1:]),
                                         axis=0), q.shape + moved.shape[1:])
    if x.dtype.kind == "f":  # a slice with a NaN: NaN, which sorts last
        res = np.where(np.isnan(moved[-1]), moved[-1], res)
    return _kept(res, x, axes, q, keepdims)


@implements(np.median)
def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    if out is not None:
        return _into(median(a, axis, None, overwrite_input, keepdims), out, "unsafe", True)
    x = lax.lift(a)
    axes = normalize_axes(axis, x.ndim, strict=True)
    rest = [d for d in range(x.ndim) if d not in axes]
    moved = np.transpose(x, tuple(axes) + tuple(rest))
    moved = np.sort(lax.reshape(moved, (int(np.prod([x.shape[d] for d in axes])),) +
                                tuple(x.shape[d] for d in rest)), axis=0)
    n = moved.shape[0]
    mid = moved[(n - 1) // 2: n // 2 + 1]
    res = np.mean(mid, axis=0)  # of nothing when n is 0: NaN, as NumPy's
    if n and x.dtype.kind in "fc":
        res = np.where(np.isnan(moved[n - 1]), lax.cast(np.asarray(np.nan), res.dtype), res)
    elif n and x.dtype.kind in "mM":  # NaT sorts last and makes the median NaT
        res = np.where(isnat(moved[n - 1]), lax.cast(np.asarray(NAT), res.dtype), res)
    if keepdims:
        res = lax.reshape(res, tuple(1 if d in axes else x.shape[d] for d in range(x.ndim)))
    return res


@implements(np.histogram)
def histogram(a, bins=10, range=None, density=None, weights=None):
    """Counts (or sums of `weights`) per bin, for an int `bins` or an array of edges."""
    return histogram_where(a, bins, range, density, weights, None)


def histogram_where(a, bins, range, density, weights, keep):
    """`np.histogram` of the elements of `a` where `keep` (None: all of them): the
    histogram of a selection `a[mask]` (`masked.py`)."""
    x = np.ravel(lax.lift(a))
    if lax.is_tracer(bins) and bins.ndim == 0:  # `bins=n // 2` of a traced `n`
        known = bins.constant_value()
        if known is None:
            lax.steer(bins, "np.histogram's number of bins")  # a Python int: static
        if known is None or known.dtype.kind not in "iu":
            raise errors.steered_by(errors.data_dependent(
                "np.histogram with a traced number of bins", "pass an int bins or the edges"),
                bins)
        bins = int(known)
    if isinstance(bins, (int, np.integer)):
        if bins < 1:
            raise ValueError("`bins` must be positive, when an integer")
        edges, idx, inside = _uniform_bins(x, int(bins), range)
    elif isinstance(bins, str):
        raise errors.data_dependent(f"np.histogram with bins={bins!r} (the number of bins "
                                    "comes from the data)", "pass an int bins or the edges")
    else:
        edges, idx, inside = _edge_bins(x, bins)
    if keep is not None:
        inside = np.logical_and(inside, np.ravel(keep))
    if weights is not None:
        weights = lax.lift(weights)
        if weights.shape != np.shape(a):
            raise ValueError("weights should have the same shape as a.")
        if weights.dtype.kind == "c":
            raise errors.unsupported("np.histogram with complex weights")
    counts = bin_counts(idx, inside, edges.shape[0] - 1, weights)
    if density:
        widths = lax.cast(np.diff(edges), np.float64)  # NumPy divides by float64 widths
        counts = np.true_divide(np.true_divide(counts, widths), np.sum(counts))
    return counts, edges


ONEHOT_BINS = 32  # bins up to which counting compares each element with each bin, in one
# fused pass; more are one scatter-add (256 bins of a 4608-pixel image took 1.2M comparisons
# and 2.2x NumPy's time)


def bin_counts(idx, inside, bins: int, weights=None):
    """Per bin, the count (intp) or the sum of `weights` (accumulated in float64, returned
    in their dtype, as NumPy's) of the elements where `inside` (None: all), whose bin is
    `idx`."""
    w = None if weights is None else lax.cast(np.ravel(weights), np.float64)
    if inside is None:  # every element has a bin
        inside = lax.lift(np.ones((), bool))
    if bins <= ONEHOT_BINS:
        onehot = np.logical_and(np.equal(lax.reshape(idx, (-1, 1)), lax.lift(np.arange(bins))),
                                lax.reshape(inside, (-1, 1)) if np.ndim(inside) else inside)
        if w is None:
            return np.sum(onehot, axis=0, dtype=np.intp)
        sums = np.sum(np.where(onehot, lax.reshape(w, (-1, 1)),
                               lax.lift(np.zeros((), np.float64))), axis=0)
    else:
        slot = np.where(inside, idx, bins)  # the others into one past the last, dropped
        sums = lax.lift(np.zeros(bins + 1, np.intp if w is None else np.float64))
        np.add.at(sums, slot, 1 if w is None else w)
        sums = sums[:bins]
    return sums if weights is None else lax.cast(sums, weights.dtype)


def _edge_bins(x, bins):
    """Bins given by their edges: `e[i] <= x < e[i + 1]`, the last bin closed on the right;
    (edges, each element's bin, whether it is in one). Edges computed in the function are
    taken as increasing (NumPy's check needs values)."""
    edges = lax.lift(bins)
    if edges.ndim != 1:
        raise ValueError("`bins` must be 1d, when an array")
    known = edges.constant_value()
    if known is not None and np.any(known[:-1] > known[1:]):
        raise ValueError("`bins` must increase monotonically, when an array")
    nb = edges.shape[0] - 1
    if nb < 1:
        return edges, lax.lift(np.zeros(x.shape, np.intp)), lax.lift(np.zeros(x.shape, bool))
    idx = np.subtract(searchsorted(edges, x, side="right"), 1)
    idx = np.where(np.equal(x, edges[-1]), nb - 1, idx)  # the last edge is in the last bin
    return edges, idx, np.logical_and(np.greater_equal(idx, 0), np.less(idx, nb))


def _uniform_bins(x, bins: int, range):
    """NumPy's equal-width bins over `range` (else the data's), as NumPy computes the index:
    (edges, each element's bin, whether it is in one). A traced range (`range=(x.min(),
    x.max())`) widens when flat, as NumPy does; NumPy's checks that it is finite and
    increasing need its values and are not made."""
    from .creation import weak_or_dtype

    ends = (x.dtype, x.dtype) if range is None else tuple(weak_or_dtype(v) for v in range)
    dt = np.result_type(*ends, x.dtype)  # NumPy's: Python bounds are weak
    dt = np.result_type(dt, float) if dt.kind in "biu" else dt
    if range is None or lax.holds_tracer(list(range)):
        lo, hi = (np.min(x), np.max(x)) if range is None else (lax.lift(v) for v in range)
        same = np.equal(lo, hi)
        lo, hi = np.where(same, np.subtract(lo, 0.5), lo), np.where(same, np.add(hi, 0.5), hi)
    else:
        lo, hi = (float(v) for v in range)
        if lo > hi:
            raise ValueError("max must be larger than min in range parameter.")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
    edges = _linspace_edges(lo, hi, bins, np.result_type(*ends, 1.0), dt)
    lo, hi = lax.cast(lo, dt), lax.cast(hi, dt)
    xf = lax.cast(x, dt)
    keep = np.logical_and(np.greater_equal(xf, lo), np.less_equal(xf, hi))
    f = np.true_divide(np.multiply(np.subtract(xf, lo), bins), np.subtract(hi, lo))
    idx = np.clip(lax.cast(f, np.intp), 0, bins - 1)
    idx = np.subtract(idx, lax.cast(np.less(xf, edges[idx]), np.intp))
    up = np.logical_and(np.greater_equal(xf, edges[np.clip(np.add(idx, 1), 0, bins)]),
                        np.not_equal(idx, bins - 1))
    return edges, np.add(idx, lax.cast(up, np.intp)), keep


def _linspace_edges(lo, hi, bins: int, lin_dt, dt):
    """`np.linspace(lo, hi, bins + 1, dtype=dt)` with NumPy's steps: `i * step + lo` in the
    endpoints' inexact type (`i / bins * delta` where the step underflows), then cast to `dt`
    (the bin type), so that the edges are NumPy's to the last bit."""
    lo, hi = lax.cast(lo, lin_dt), lax.cast(hi, lin_dt)
    delta = np.subtract(hi, lo)
    step = np.true_divide(delta, bins)
    i = lax.lift(np.arange(bins + 1, dtype=lin_dt))
    y = np.where(np.equal(step, 0), np.multiply(np.true_divide(i, bins), delta),
                 np.multiply(i, step))
    y = np.where(lax.lift(np.arange(bins + 1) == bins), hi, np.add(y, lo))
    return lax.cast(y, dt)


@implements(np.histogram_bin_edges)
def histogram_bin_edges(a, bins=10, range=None, weights=None):
    return histogram(a, bins, range, weights=weights)[1]


def _outer_edges(a, rng):
    """NumPy's `_get_outer_edges`: the given range, else the data's (widened when flat)."""
    if rng is not None:
        lo, hi = (float(v) for v in rng)
        if lo > hi:
            raise ValueError("max must be larger than min in range parameter.")
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ValueError(f"supplied range of [{lo}, {hi}] is not finite")
        return (lo - 0.5, hi + 0.5) if lo == hi else (lo, hi)
    if a.size == 0:
        return 0.0, 1.0
    lo, hi = np.min(a), np.max(a)
    same = np.equal(lo, hi)
    return np.where(same, np.subtract(lo, 0.5), lo), np.where(same, np.add(hi, 0.5), hi)


def _dd_edges(i: int, col, b, r):
    """The edges of dimension `i`: `b + 1` evenly spaced ones for an int `b` (over `r`, else
    the data's range), else the array `b` itself, which must increase as NumPy checks."""
    if isinstance(b, (int, np.integer)) or lax.is_tracer(b) and b.ndim == 0:
        b = int(b)  # a traced int argument: made static
        if b < 1:
            raise ValueError("`bins[i]` must be positive, when an integer")
        lo, hi = _outer_edges(col, r)
        return np.linspace(lo, hi, b + 1)
    e = lax.lift(b)
    if e.ndim != 1:
        raise ValueError(f"`bins[{i}]` must be a scalar or 1d array")
    message = f"`bins[{i}]` must be monotonically increasing, when an array"
    known = e.constant_value()
    if known is not None:
        if np.any(known[:-1] > known[1:]):
            raise ValueError(message)
    else:
        lax.check(np.any(np.greater(e[:-1], e[1:])), "ValueError", message)
    return e


@implements(np.histogramdd)
def histogramdd(sample, bins=10, range=None, density=None, weights=None):
    """NumPy's steps: linspace edges for integer bin counts (or the edges given), searchsorted
    bin numbers (the last edge inclusive), one flat count per bin with the outlier bins
    dropped."""
    if lax.is_tracer(sample) or isinstance(sample, np.ndarray):
        sample = lax.lift(sample)
        cols = [sample[:, i] for i in builtins.range(sample.shape[1])]
    else:
        cols = [lax.lift(c) for c in sample]
    d = len(cols)
    bins = list(bins) if isinstance(bins, (list, tuple)) else [bins] * d
    if len(bins) != d:
        raise ValueError("The dimension of bins must be equal to the dimension of the sample x.")
    rng = (None,) * d if range is None else range
    edges = [_dd_edges(i, col, b, r) for i, (col, b, r) in enumerate(zip(cols, bins, rng))]
    bins = [e.shape[0] - 1 for e in edges]
    flat, nbin = 0, [b + 2 for b in bins]
    for col, e, nb in zip(cols, edges, nbin):
        n = np.subtract(searchsorted(e, col, side="right"),
                        lax.cast(np.equal(col, e[-1]), np.intp))
        flat = np.add(np.multiply(flat, nb), n)
    if weights is not None and lax.lift(weights).dtype.kind == "c":
        raise TypeError("Cannot cast array data from dtype('complex128') to dtype('float64') "
                        "according to the rule 'safe'")  # np.bincount's, which NumPy calls
    w = None if weights is None else lax.cast(lax.lift(weights), np.float64)
    hist = lax.cast(bin_counts(flat, None, math.prod(nbin), w), np.float64)
    hist = np.reshape(hist, nbin)[(slice(1, -1),) * d]
    if density:
        total = np.sum(hist)
        for i, e in enumerate(edges):
            shape = [1] * d
            shape[i] = bins[i]
            hist = np.true_divide(hist, np.reshape(np.diff(e), shape))
        hist = np.true_divide(hist, total)
    return hist, edges


@implements(np.histogram2d)
def histogram2d(x, y, bins=10, range=None, density=None, weights=None):
    try:
        n = len(bins)
    except TypeError:
        n = 1
    if n not in (1, 2):  # one list or array of edges for both, as NumPy reads it
        bins = [bins, bins]
    hist, edges = histogramdd([x, y], bins, range, density, weights)
    return hist, edges[0], edges[1]


def _dims(shape) -> tuple:
    """A shape given as an int, a sequence or an array (`np.array(x.shape)`), known while
    tracing."""
    shape = lax.known(shape, "shape") if lax.is_tracer(shape) else shape
    items = shape if isinstance(shape, (tuple, list)) else np.ravel(shape)
    return tuple(int(lax.known(d, "shape")) if lax.is_tracer(d) else int(d) for d in items)


@implements(np.unravel_index)
def unravel_index(indices, shape, order="C"):
    idx = lax.cast(lax.lift(indices), np.intp)
    shape = _dims(shape)
    dims = shape if order == "C" else shape[::-1]
    out = []
    for d in reversed(dims):
        out.append(np.remainder(idx, d))
        idx = np.floor_divide(idx, d)
    out = out[::-1] if order == "C" else out
    return tuple(out)


@implements(np.ravel_multi_index)
def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    known = [k.constant_value() if lax.is_tracer(k) else k for k in multi_index]
    if all(k is not None for k in known):  # indices made from constants: NumPy checks them
        return lax.lift(np.ravel_multi_index(tuple(known), _dims(dims), mode=mode, order=order))
    dims = _dims(dims)
    if mode == "raise":  # indices the graph bounds inside dims (np.unravel_index's) need no check
        unknown = [(k, d) for k, d in zip(multi_index, dims) if not _within(k, d)]
        if unknown:
            out = np.logical_or.reduce([np.any(np.logical_or(k < 0, k >= d)) for k, d in unknown])
            if not lax.check(out, "ValueError", "invalid entry in coordinates array"):
                raise errors.unsupported(
                    "np.ravel_multi_index with mode='raise' on traced indices inside a "
                    "gradient; pass mode='wrap' or mode='clip'")
        mode = "clip"
    modes = (mode,) * len(dims) if isinstance(mode, str) else tuple(mode)
    strides = [math.prod(dims[i + 1:]) for i in range(len(dims))] if order == "C" else \
        [math.prod(dims[:i]) for i in range(len(dims))]
    total = None
    for k, d, s, md in zip(multi_index, dims, strides, modes):
        k = lax.cast(lax.lift(k), np.intp)
        k = np.remainder(k, d) if md == "wrap" else np.clip(k, 0, d - 1)
        term = np.multiply(k, s)
        total = term if total is None else np.add(total, term)
    return total


def _within(k, n: int) -> bool:
    """Whether the values of index `k` are provably in `[0, n)`."""
    from .value_range import value_bounds

    lo, hi = value_bounds(lax.lift(k).node)
    return lo is not None and hi is not None and 0 <= lo and hi < n


@implements(np.tril_indices_from)
def tril_indices_from(arr, k=0):
    arr = lax.lift(arr)
    if arr.ndim != 2:
        raise ValueError("input array must be 2-d")
    return np.tril_indices(arr.shape[-2], k=k, m=arr.shape[-1])


@implements(np.triu_indices_from)
def triu_indices_from(arr, k=0):
    arr = lax.lift(arr)
    if arr.ndim != 2:
        raise ValueError("input array must be 2-d")
    return np.triu_indices(arr.shape[-2], k=k, m=arr.shape[-1])


@implements(np.diag_indices_from)
def diag_indices_from(arr):
    arr = lax.lift(arr)
    if arr.ndim < 2:
        raise ValueError("input array must be at least 2-d")
    if len(set(arr.shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    return np.diag_indices(arr.shape[0], arr.ndim)


@implements(np.apply_along_axis)
def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    arr = lax.lift(arr)
    axis = axis % arr.ndim
    moved = np.moveaxis(arr, axis, -1)
    rest = moved.shape[:-1]
    results = [lax.lift(func1d(moved[idx], *args, **kwargs)) for idx in np.ndindex(*rest)]
    stacked = lax.reshape(np.stack(results), rest + results[0].shape)
    res_nd = results[0].ndim
    perm = (tuple(range(axis)) + tuple(range(len(rest), len(rest) + res_nd))
            + tuple(range(axis, len(rest))))
    return np.transpose(stacked, perm)


@implements(np.apply_over_axes)
def apply_over_axes(func, a, axes):
    """NumPy's loop: `func(val, axis)` for each axis, its result given the axis back when the
    function drops it."""
    val = lax.lift(a)
    n = val.ndim
    for axis in (axes,) if np.ndim(axes) == 0 else axes:
        axis = axis + n if axis < 0 else axis
        res = lax.lift(func(val, axis))
        if res.ndim != val.ndim:
            res = np.expand_dims(res, axis)
            if res.ndim != val.ndim:
                raise ValueError("function is not returning an array of the correct shape")
        val = res
    return val


@implements(np.angle)
def angle(z, deg=False):
    z = lax.lift(z)
    if z.dtype.kind == "c":
        a = np.arctan2(np.imag(z), np.real(z))
    else:
        a = np.arctan2(0, z)
    return np.multiply(a, 180 / np.pi) if deg else a


@implements(np.isposinf)
def isposinf(x, out=None):
    x = lax.lift(x)
    if x.dtype.kind == "c":
        raise TypeError("This operation is not supported for complex values because it would "
                        "be ambiguous.")
    return np.logical_and(np.isinf(x), np.logical_not(np.signbit(x)), out=out)


@implements(np.isneginf)
def isneginf(x, out=None):
    x = lax.lift(x)
    if x.dtype.kind == "c":
        raise TypeError("This operation is not supported for complex values because it would "
                        "be ambiguous.")
    return np.logical_and(np.isinf(x), np.signbit(x), out=out)


@implements(np.iscomplexobj)
def iscomplexobj(x) -> bool:
    return lax.lift(x).dtype.kind == "c"


@implements(np.isrealobj)
def isrealobj(x) -> bool:
    return lax.lift(x).dtype.kind != "c"


@implements(np.isreal)
def isreal(x):
    return np.equal(np.imag(x), 0)


@implements(np.iscomplex)
def iscomplex(x):
    x = lax.lift(x)
    if x.dtype.kind != "c":
        return lax.lift(np.zeros(x.shape, dtype=bool))
    return np.not_equal(np.imag(x), 0)


@implements(np.gradient)
def gradient(f, *varargs, axis=None, edge_order=1):
    """Central differences with scalar spacings or coordinate arrays, as NumPy computes them."""
    f = lax.lift(f)
    if f.dtype.kind == "b":  # NumPy subtracts booleans: its own TypeError
        np.subtract(np.zeros(0, f.dtype), np.zeros(0, f.dtype))
    axes = normalize_axes(axis, f.ndim)
    if len(varargs) == 0:
        dxs = [1.0] * len(axes)
    elif len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        dxs = list(varargs) * len(axes)
    elif len(varargs) == len(axes):
        dxs = [d if np.ndim(d) == 0 else _coordinate_steps(d, f.shape[ax])
               for d, ax in zip(varargs, axes)]
    else:
        raise TypeError("invalid number of arguments")
    if edge_order > 2:
        raise ValueError("'edge_order' greater than 2 not supported")
    if f.dtype.kind in "biu":
        f = lax.cast(f, np.float64)
    outs = []
    for ax, h in zip(axes, dxs):
        if f.shape[ax] < edge_order + 1:
            raise ValueError("Shape of array too small to calculate a numerical gradient, "
                             "at least (edge_order + 1) elements are required.")
        if np.ndim(h) == 0:
            out = _gradient_uniform(f, ax, h, edge_order)
        else:
            known = h.constant_value()
            if known is not None:
                out = _gradient_uniform(f, ax, h[0], edge_order) if (known == known[0]).all() \
                    else _gradient_steps(f, ax, h, edge_order)
            else:  # NumPy takes the uniform formulas when the steps are all equal
                out = np.where(np.all(np.equal(h, h[0])), _gradient_uniform(
                    f, ax, h[0], edge_order), _gradient_steps(f, ax, h, edge_order))
        outs.append(out.astype(f.dtype))
    return outs[0] if len(outs) == 1 else tuple(outs)


def _coordinate_steps(distances, n: int):
    """The steps between the coordinates along an axis (float64 for integer coordinates)."""
    d = lax.lift(distances)
    if d.ndim != 1:
        raise ValueError("distances must be either scalars or 1d")
    if d.shape[0] != n:
        raise ValueError("when 1d, distances must match the length of the corresponding "
                         "dimension")
    if d.dtype.kind in "biu":
        d = lax.cast(d, np.float64)
    return np.diff(d)


def _along(f, ax: int):
    def sl(start, stop=None):
        """f[start:stop] along the axis; f[start] (the axis kept) when stop is None."""
        key = [slice(None)] * f.ndim
        end = (start + 1 or None) if stop is None else stop
        key[ax] = slice(start, end)
        return f[tuple(key)]

    return sl


def _gradient_uniform(f, ax: int, h, edge_order: int):
    sl, n = _along(f, ax), f.shape[ax]
    interior = np.true_divide(np.subtract(sl(2, n), sl(0, -2)), 2.0 * h)
    if edge_order == 1:
        first = np.true_divide(np.subtract(sl(1), sl(0)), h)
        last = np.true_divide(np.subtract(sl(-1), sl(-2)), h)
    else:
        first = _combine(sl(0), sl(1), sl(2), -1.5 / h, 2.0 / h, -0.5 / h)
        last = _combine(sl(-3), sl(-2), sl(-1), 0.5 / h, -2.0 / h, 1.5 / h)
    return np.concatenate([first, interior, last], axis=ax)


def _combine(f0, f1, f2, a, b, c):
    return np.add(np.add(np.multiply(a, f0), np.multiply(b, f1)), np.multiply(c, f2))


def _gradient_steps(f, ax: int, dx, edge_order: int):
    """NumPy's formulas for non-uniform steps `dx` (one fewer than the axis' length)."""
    sl, n = _along(f, ax), f.shape[ax]
    shape = [1] * f.ndim
    shape[ax] = -1
    dx1, dx2 = dx[:-1], dx[1:]
    a = -dx2 / (dx1 * (dx1 + dx2))
    b = (dx2 - dx1) / (dx1 * dx2)
    c = dx1 / (dx2 * (dx1 + dx2))
    interior = _combine(sl(0, -2), sl(1, -1), sl(2, n),
                        *(np.reshape(v, shape) for v in (a, b, c)))
    if edge_order == 1:
        first = np.true_divide(np.subtract(sl(1), sl(0)), dx[0])
        last = np.true_divide(np.subtract(sl(-1), sl(-2)), dx[-1])
    else:
        dx1, dx2 = dx[0], dx[1]
        a = -(2. * dx1 + dx2) / (dx1 * (dx1 + dx2))
        b = (dx1 + dx2) / (dx1 * dx2)
        c = - dx1 / (dx2 * (dx1 + dx2))
        first = _combine(sl(0), sl(1), sl(2), a, b, c)
        dx1, dx2 = dx[-2], dx[-1]
        a = dx2 / (dx1 * (dx1 + dx2))
        b = - (dx2 + dx1) / (dx1 * dx2)
        c = (2. * dx2 + dx1) / (dx2 * (dx1 + dx2))
        last = _combine(sl(-3), sl(-2), sl(-1), a, b, c)
    return np.concatenate([first, interior, last], axis=ax)


@implements(np.trapezoid)
def trapezoid(y, x=None, dx=1.0, axis=-1):
    y = lax.lift(y)
    d = dx if x is None else np.diff(x, axis=axis if np.ndim(x) > 1 else 0)
    if x is not None and np.ndim(x) == 1 and y.ndim > 1:
        shape = [1] * y.ndim
        shape[axis] = d.shape[0]
        d = np.reshape(d, shape)
    n = y.shape[axis]
    hi = np.take(y, np.arange(1, n), axis=axis)
    lo = np.take(y, np.arange(0, n - 1), axis=axis)
    return np.add.reduce(np.true_divide(np.multiply(d, np.add(hi, lo)), 2.0), axis)


@implements(np.isin)
def isin(element, test_elements, assume_unique=False, invert=False, *, kind=None):
    e = lax.lift(element)
    t = np.ravel(lax.lift(test_elements))
    m = t.shape[0]
    if m > SEARCH_BY_COUNTING:  # sorted once, each element found by a binary search
        t = np.sort(t)
        at = np.minimum(searchsorted(t, e), m - 1)
        hit = np.equal(t[at], e)
    else:
        hit = np.any(np.equal(lax.reshape(e, e.shape + (1,)), t), axis=-1)
    return np.logical_not(hit) if invert else hit


@implements(np.ediff1d)
def ediff1d(ary, to_end=None, to_begin=None):
    a = np.ravel(lax.lift(ary))
    parts = [np.subtract(a[1:], a[:-1])]
    for name, extra in (("to_begin", to_begin), ("to_end", to_end)):
        if extra is not None and not np.can_cast(
                extra.dtype if lax.is_tracer(extra) else np.asanyarray(extra).dtype, a.dtype,
                casting="same_kind"):
            raise TypeError(f"dtype of `{name}` must be compatible with input `ary` under the "
                            "`same_kind` rule.")
    if to_begin is not None:
        parts.insert(0, lax.cast(np.ravel(lax.lift(to_begin)), a.dtype))
    if to_end is not None:
        parts.append(lax.cast(np.ravel(lax.lift(to_end)), a.dtype))
    return np.concatenate(parts)


@implements(np.vander)
def vander(x, N=None, increasing=False):
    """Powers in NumPy's dtype, `promote_types(x.dtype, int)`: float32 gives float64."""
    x = lax.lift(x)
    if x.ndim != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    x = lax.cast(x, np.promote_types(x.dtype, int))
    n = x.shape[0] if N is None else N
    if n < 0:
        raise ValueError("negative dimensions are not allowed")
    if n == 0:
        return lax.lift(np.zeros((x.shape[0], 0), x.dtype))
    cols = [np.ones_like(x)]
    for _ in range(1, n):
        cols.append(np.multiply(cols[-1], x))
    return np.stack(cols if increasing else cols[::-1], axis=1)


@implements(np.copyto)
def copyto(dst, src, casting="same_kind", where=True):
    if not lax.is_tracer(dst):
        raise errors.unsupported("np.copyto into a NumPy array from a traced value")
    if isinstance(src, (bool, int, float, complex)) or lax.is_tracer(src) and src.weak:
        from .creation import weak_or_dtype

        # a Python scalar is weak: NumPy's own check of its kind (and value, when known)
        np.copyto(np.empty((), dst.dtype), weak_or_dtype(src) if lax.is_tracer(src) else src,
                  casting=casting)
    src = lax.lift(src)
    if not src.weak and not np.can_cast(src.dtype, dst.dtype, casting):
        raise TypeError(f"Cannot cast array data from {src.dtype!r} to {dst.dtype!r} according "
                        f"to the rule {casting!r}")
    value = np.broadcast_to(lax.cast(src, dst.dtype), dst.shape)
    dst[...] = value if where is True else np.where(where, value, dst)


@implements(np.putmask)
def putmask(a, mask, values):
    from .indexing import check_scalar_conversion

    check_scalar_conversion(a.dtype, values, numpy_scalars=False)
    values = lax.lift(values)
    if np.size(mask) != a.size:
        raise ValueError("putmask: mask and data must be the same size")
    if values.size == 0:  # NumPy writes nothing
        return
    if values.size != 1 and values.shape != a.shape:  # a.flat[n] = values.flat[n % size]
        flat = np.ravel(values)[np.arange(a.size) % values.size]
        values = np.reshape(flat, a.shape)
    a[...] = np.where(mask, lax.cast(values, a.dtype), a)


@implements(np.nanmedian)
def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """NaNs sort last, so the median of each slice sits at positions set by its NaN count."""
    if out is not None:
        return _into(nanmedian(a, axis, None, overwrite_input, keepdims), out, "unsafe")
    x = lax.lift(a)
    if x.size == 0:  # NumPy's answer for an empty array, whatever the dtype
        return np.nanmean(x, axis=axis, keepdims=keepdims)
    if x.dtype.kind not in "fc":
        return median(x, axis=axis, keepdims=keepdims)
    axes = normalize_axes(axis, x.ndim, strict=True)
    rest = [d for d in range(x.ndim) if d not in axes]
    moved = np.transpose(x, tuple(axes) + tuple(rest))
    moved = np.sort(lax.reshape(moved, (int(np.prod([x.shape[d] for d in axes])),) +
                                tuple(x.shape[d] for d in rest)), axis=0)
    valid = np.sum(np.logical_not(np.isnan(moved)), axis=0, keepdims=True)
    lo = np.maximum(np.floor_divide(np.subtract(valid, 1), 2), 0)
    hi = np.minimum(np.floor_divide(valid, 2), moved.shape[0] - 1)
    pair = np.concatenate([np.take_along_axis(moved, lo, axis=0),
                           np.take_along_axis(moved, hi, axis=0)], axis=0)
    res = np.mean(pair, axis=0)
    res = np.where(np.equal(valid[0], 0), lax.cast(np.asarray(np.nan), res.dtype), res)
    if keepdims:
        res = lax.reshape(res, tuple(1 if d in axes else x.shape[d] for d in range(x.ndim)))
    return res


def _nanquantile(a, q, axis, keepdims, method, weak_q, name):
    """NumPy's method on each slice's non-NaN values: NaNs sort last, so a slice with `c`
    valid values takes its index among its first `c` sorted entries; an all-NaN slice gives
    NaN."""
    _check_method(method)
    x = lax.lift(a)
    if x.dtype.kind == "c":
        raise TypeError("a must be an array of real numbers")
    q = _quantile_q(q, f"{name} `q`")
    if x.size == 0:  # NumPy's answer for an empty array, without q's dims
        return np.nanmean(x, axis=axis, keepdims=keepdims)
    if x.dtype.kind not in "fc":
        return _quantile(x, q, axis, keepdims, method, weak_q)
    axes, moved = _reduced_first(x, axis)
    moved = np.sort(moved, axis=0)
    n = moved.shape[0]
    count = np.sum(np.logical_not(np.isnan(moved)), axis=0)
    qs = lax.lift(q.reshape(q.shape + (1,) * count.ndim))
    virtual = _virtual_index(method, lax.cast(count, q.dtype) if q.dtype.kind == "f" else count,
                             qs)
    last = np.maximum(np.subtract(count, 1), 0)
    flat = (-1,) + moved.shape[1:]

    def take(index):
        values = np.take_along_axis(moved, lax.reshape(index, flat), axis=0)
        return lax.reshape(values, q.shape + moved.shape[1:])

    if _takes_element(method, virtual):
        res = take(np.minimum(virtual, last))
    else:
        top = np.greater_equal(virtual, lax.cast(np.subtract(count, 1), virtual.dtype))
        prev = np.where(np.less(virtual, 0), 0, lax.cast(np.floor(virtual), np.intp))
        prev = np.where(top, last, prev)
        nxt = np.where(top, last, np.where(np.less(virtual, 0), 0,
                                           np.minimum(np.add(prev, 1), n - 1)))
        t = _gamma(method, virtual, lax.cast(np.where(top, -1, prev), virtual.dtype))
        if weak_q and x.dtype.kind == "f":  # a Python float gamma: rounded to x's dtype
            t = lax.cast(t, x.dtype)
        res = _lerp(take(prev), take(nxt), t)
    res = np.where(np.equal(count, 0), lax.cast(np.asarray(np.nan), res.dtype), res)
    return _kept(res, x, axes, q, keepdims)


@implements(np.nanquantile)
def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False, *, weights=None, interpolation=None):
    if weights is not None:
        raise errors.unsupported("np.nanquantile with weights=")
    _real_only(a)
    return _into(_nanquantile(a, q, axis, keepdims, method, _weak_q(q),
                              "np.nanquantile"), out, "unsafe")


@implements(np.nanpercentile)
def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=False, *, weights=None, interpolation=None):
    if weights is not None:
        raise errors.unsupported("np.nanpercentile with weights=")
    _real_only(a)
    weak_q = _weak_q(q)
    q = _percentile_q(q, "np.nanpercentile `q`")
    return _into(_nanquantile(a, q, axis, keepdims, method, weak_q, "np.nanpercentile"), out,
                 "unsafe")


@implements(np.unwrap)
def unwrap(p, discont=None, axis=-1, *, period=2 * np.pi):
    """NumPy's steps: wrap the differences into one period and add their running correction."""
    p = lax.lift(p)
    dd = np.diff(p, axis=axis)
    if discont is None:
        discont = period / 2
    dtype = np.result_type(dd.dtype, period)
    if np.issubdtype(dtype, np.integer):
        high, rem = divmod(period, 2)
        ambiguous = rem == 0
    else:
        high, ambiguous = period / 2, True
    ddmod = np.add(np.mod(np.subtract(dd, -high), period), -high)
    if ambiguous:
        ddmod = np.where(np.logical_and(np.equal(ddmod, -high), np.greater(dd, 0)),
                         lax.cast(np.asarray(high), ddmod.dtype), ddmod)
    correct = np.subtract(ddmod, dd)
    correct = np.where(np.less(np.abs(dd), discont), lax.cast(np.asarray(0), correct.dtype),
                       correct)
    ax = normalize_axes(axis, p.ndim)[0]
    head = lax.slice_of(p, tuple((0, 1, 1) if d == ax else (None, None, None)
                                 for d in range(p.ndim)))
    rest = lax.slice_of(p, tuple((1, None, 1) if d == ax else (None, None, None)
                                 for d in range(p.ndim)))
    rest = np.add(rest, np.cumsum(correct, axis=ax))
    return np.concatenate([lax.cast(head, dtype), lax.cast(rest, dtype)], axis=ax)


@implements(np.piecewise)
def piecewise(x, condlist, funclist, *args, **kw):
    """NumPy's loop: `y[cond] = f(x[cond])`, a masked selection written back with a `where`."""
    x = lax.lift(x)
    if lax.is_tracer(condlist) or isinstance(condlist, np.ndarray):
        wrap = condlist.ndim < 2  # NumPy: unless condlist[0] is an array
    else:
        wrap = not isinstance(condlist[0], (list, np.ndarray)) and not lax.is_tracer(condlist[0])
    if wrap and x.ndim != 0:
        condlist = [condlist]
    condlist = [lax.cast(lax.lift(c), np.bool_) for c in condlist]  # NumPy's: as bools, not
    # as indices (a 0/1 int mask)
    if x.ndim == 0 and all(c.ndim == 0 for c in condlist):  # as the one-element selection
        y = piecewise(lax.reshape(x, (1,)), [lax.reshape(c, (1,)) for c in condlist], funclist,
                      *args, **kw)
        return lax.reshape(y, ())
    if len(funclist) == len(condlist) + 1:
        rest = np.logical_not(np.any(np.stack(condlist), axis=0))
        condlist = condlist + [rest]
    elif len(funclist) != len(condlist):
        raise ValueError(f"with {len(condlist)} condition(s), either {len(condlist)} or "
                         f"{len(condlist) + 1} functions are expected")
    y = lax.lift(np.zeros(x.shape, x.dtype))
    for cond, func in zip(condlist, funclist):
        y[cond] = func(x[cond], *args, **kw) if callable(func) else func
    return y


@implements(np.digitize)
def digitize(x, bins, right=False):
    side = "left" if right else "right"
    if lax.is_tracer(bins) and bins.constant_value() is None:
        return _digitize_traced(x, bins, side)
    if lax.is_tracer(bins):
        bins = bins.constant_value()  # made in the function from constants: np.linspace(...)
    bins = _ASARRAY(bins)
    if bins.ndim == 1 and bins.size == 0:  # every value is in bin 0
        return np.zeros_like(lax.lift(x), dtype=np.intp)
    d = np.diff(bins)
    if np.all(d >= 0):
        return searchsorted(lax.lift(bins), x, side=side)
    if np.all(d <= 0):
        return np.subtract(len(bins), searchsorted(lax.lift(bins[::-1]), x, side=side))
    raise ValueError("bins must be monotonically increasing or decreasing")


def _digitize_traced(x, bins, side: str):
    """Bins computed in the function (`np.quantile(x, q)`, `np.linspace(lo, hi, k)`): their
    direction is known when the function runs, so both answers are made and NumPy's
    monotonicity check chooses: increasing where the first bin that differs from the first
    one is not below it (not the last bin: bins sorted with a nan at the end rise), with its
    `ValueError` for bins that go both ways. The searches are NumPy's binary search itself
    (the library op, whatever the length): bins with a NaN before their end pass NumPy's
    check but are not sorted, and its answer for them depends on the search's steps (and,
    from key to key, on the previous key's answer), which counting does not reproduce."""
    if bins.ndim != 1:
        raise ValueError("object of too small depth for desired array" if bins.ndim == 0
                         else "object too deep for desired array")
    if bins.shape[0] == 0:  # every value is in bin 0
        return np.zeros_like(lax.lift(x), dtype=np.intp)
    up = _binary_search(bins, x, side)
    if bins.shape[0] == 1:
        return up
    differs = bins[1:] != bins[0]
    rising = ~np.any(differs) | (bins[0] <= bins[1:][np.argmax(differs)])
    lax.check(np.where(rising, np.any(bins[:-1] > bins[1:]), np.any(bins[:-1] < bins[1:])),
              "ValueError", "bins must be monotonically increasing or decreasing")
    down = np.subtract(bins.shape[0], _binary_search(bins[::-1], x, side))
    return np.where(rising, up, down)


def _binary_search(a, v, side: str):
    """`np.searchsorted(a, v, side)` by NumPy's own binary search, sorted `a` or not."""
    a, v = _search_operands(a, v)
    return lax.bind(Op.SEARCHSORTED, a, v, side=side)


@implements(np.diagflat)
def diagflat(v, k=0):
    return np.diag(np.ravel(lax.lift(v)), k)
