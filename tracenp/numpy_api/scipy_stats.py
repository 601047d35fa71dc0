"""`scipy.stats.norm`'s functions of traced values, as SciPy computes them.

Black-Scholes prices, expected improvement and probit links call `norm.cdf(d1)`,
`norm.pdf(z)` or `norm.ppf(q)`: Python methods of `rv_continuous` that convert their
arguments with `np.asarray`, which a traced value refuses. While a trace runs, those methods
of `rv_continuous` are replaced (`trace._late_routes`) by the ones here: for the normal
distribution with a traced argument they compute SciPy's formula (of `z = (x - loc) /
scale` in float64, by `scipy.special`'s `ndtr`, `ndtri` and `log_ndtr`, NaN where `scale <=
0`); any other call is SciPy's own. Frozen distributions (`norm(mu, sigma).cdf(x)`) call
the same methods.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .. import lax

_LOG_SQRT_2PI = math.log(math.sqrt(2 * math.pi))  # SciPy's `_norm_pdf_logC`
_SQRT_2PI = math.sqrt(2 * math.pi)  # `_norm_pdf_C`
METHODS = ("cdf", "pdf", "logpdf", "logcdf", "sf", "logsf", "ppf", "isf")


def _standard(x, loc, scale):
    """`(x - loc) / scale` in float64, and where `scale > 0`."""
    z = np.true_divide(np.subtract(lax.cast(lax.lift(x), np.float64), loc), scale)
    return z, np.greater(scale, 0)


def _of_z(formula: Callable) -> Callable:
    """A function of `x` through the standard normal's `formula(z, scale)`."""
    def method(x, loc=0, scale=1):
        z, ok = _standard(x, loc, scale)
        return np.where(ok, formula(z, scale), np.nan)
    return method


def _of_q(sign: int) -> Callable:
    """The quantile function (`sign` 1) or its inverse survival function (`sign` -1)."""
    def method(q, loc=0, scale=1):
        from scipy import special

        q = lax.cast(lax.lift(q), np.float64)
        return np.where(np.greater(scale, 0),
                        np.add(np.multiply(sign * special.ndtri(q), scale), loc), np.nan)
    return method


def _special(name: str, sign: int = 1) -> Callable:
    def formula(z, scale):
        from scipy import special

        return getattr(special, name)(z if sign == 1 else np.negative(z))
    return formula


_NORMAL = {
    "cdf": _of_z(_special("ndtr")),
    "sf": _of_z(_special("ndtr", -1)),
    "logcdf": _of_z(_special("log_ndtr")),
    "logsf": _of_z(_special("log_ndtr", -1)),
    "pdf": _of_z(lambda z, scale: np.exp(-z ** 2 / 2.0) / _SQRT_2PI / scale),
    "logpdf": _of_z(lambda z, scale: -z ** 2 / 2.0 - _LOG_SQRT_2PI - np.log(scale)),
    "ppf": _of_q(1),
    "isf": _of_q(-1),
}


def traced_method(name: str, scipys: Callable) -> Callable:
    """The method `name` of `rv_continuous` while a trace runs: the normal distribution's
    formula where an argument is traced (a NumPy scalar for a 0-d result, as SciPy returns),
    else SciPy's own `scipys`."""
    formula = _NORMAL[name]

    def method(self, x, *args, **kwds):
        from scipy.stats._continuous_distns import norm_gen

        if not (isinstance(self, norm_gen) and lax.holds_tracer((x, args, tuple(kwds.values())))):
            return scipys(self, x, *args, **kwds)
        return formula(x, *args, **kwds).with_returns("scalar")

    method.__name__ = name
    return method


def routes() -> list:
    """`rv_continuous`'s methods replaced while a trace runs (`trace._late_routes`)."""
    from scipy.stats._distn_infrastructure import rv_continuous

    return [(rv_continuous, {name: traced_method(name, vars(rv_continuous)[name])
                             for name in METHODS})]
