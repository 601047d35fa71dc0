"""`np.emath` (`numpy.lib.scimath`) of traced values.

NumPy's result is real where every real input lies in the real function's domain and
complex where one does not (`np.emath.sqrt(-1)` is `1j`): a type the values decide. Of real
traced values each function computes the real function and raises `DataDependentShapeError`
when the compiled function runs on a value outside the domain (`fallback=True` runs NumPy
then); of complex values, the complex function, as NumPy.
"""

from __future__ import annotations

import numpy as np

from .. import lax
from . import implements


def _negative(x):
    return x < 0


def _beyond_one(x):
    return np.abs(x) > 1


def _real(x, outside, name: str):
    """`x` lifted, checked (when the function runs) to be inside the real domain."""
    x = lax.lift(x)
    if x.dtype.kind != "c":
        lax.check(np.any(outside(x)), "DataDependentShapeError",
                  f"np.emath.{name} of a value outside the real function's domain: NumPy's "
                  "result is complex there (a type its values decide); pass fallback=True, "
                  "or make the input complex")
    return x


def _unary(np_func, ufunc, outside):
    name = np_func.__name__

    @implements(np_func)
    def scimath(x):
        return ufunc(_real(x, outside, name))

    scimath.__name__ = name
    return scimath


for _f, _u, _outside in ((np.emath.sqrt, np.sqrt, _negative), (np.emath.log, np.log, _negative),
                         (np.emath.log10, np.log10, _negative),
                         (np.emath.log2, np.log2, _negative),
                         (np.emath.arccos, np.arccos, _beyond_one),
                         (np.emath.arcsin, np.arcsin, _beyond_one),
                         (np.emath.arctanh, np.arctanh, _beyond_one)):
    _unary(_f, _u, _outside)


@implements(np.emath.logn)
def logn(n, x):
    return np.log(_real(x, _negative, "logn")) / np.log(_real(n, _negative, "logn"))


@implements(np.emath.power)
def power(x, p):
    """NumPy's `power` of `x`, and of `p` as a float where an integer `p` is negative."""
    x = _real(x, _negative, "power")
    p = lax.lift(p)
    if p.dtype.kind in "iu":
        known = p.constant_value()
        if known is not None:
            p = p * 1.0 if np.any(known < 0) else p
        else:
            negative = p < 0
            lax.check(np.any(negative), "DataDependentShapeError",
                      "np.emath.power of a negative integer power: NumPy's result is a float "
                      "there (a type its values decide); pass fallback=True, or a float power")
            p = np.where(negative, 0, p)  # (not np.power's own error for it)
    return np.power(x, p)
