"""Python's `math` functions of traced scalars, while a function is traced.

Per-point loops call `math.sqrt(dx*dx + dy*dy)`, `math.exp(-e / kT)`, `math.atan2(y, x)` on
elements of arrays (`x[i]`, `a.sum()`); `math` converts its argument with `float()`, which a
traced value cannot answer, so they were refused. Each returns a Python float (an int for
`floor`, `ceil`, `trunc`; a bool for `isnan`, `isclose`, ...), so its traced answer is a weak
scalar (a Python float in NumPy's promotion: a float32 array times it stays float32), computed
from the value converted to float64 by NumPy's ufunc of the same function, or by CPython's
own formula where NumPy has none (`gamma`, `erf`, `remainder`, `fsum`).

Where `math` raises for a value NumPy answers (`math.sqrt(-1.0)`, `math.log(0.0)`,
`math.exp(1000.0)`, `math.floor(nan)`), the compiled function raises `math`'s error when it
runs (`lax.check`), by CPython's rule: a NaN of a non-NaN argument is a ValueError, an
infinity of finite arguments an OverflowError where the function can overflow. A traced int
from `floor` computes, but a count or a shape made of it (`range(math.floor(x))`) is refused
where it is used. `math`'s functions of integers (`factorial`, `comb`, `isqrt`, ...) are
refused by name. Calls without a traced value go to `math` itself.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from . import errors, lax
from .tracer import ELEMENTWISE, Tracer

_F64 = np.dtype(np.float64)


def _traced(args) -> bool:
    """Whether `args` hold a traced value `math` takes here: a 0-d one, or any inside a
    traced `np.vectorize` (whose function is applied to whole arrays). `math` of a traced
    array outside one is left to `math`, whose `float()` of it is refused as before."""
    tracers = list(_tracers(args))
    return bool(tracers) and (ELEMENTWISE.get() or all(not t.ndim for t in tracers))


def _tracers(value):
    if isinstance(value, Tracer):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _tracers(item)


def _check(failed, error: str, message: str) -> None:
    """`math`'s `error(message)` when the function runs, if `failed` anywhere (an array
    inside `np.vectorize`)."""
    lax.check(np.any(failed), error, message)


def _float(x) -> Tracer:
    """`x` as `math` reads it, `float(x)`: a float64 value (a real number only)."""
    x = lax.lift(x)
    if x.dtype.kind == "c":
        raise TypeError("must be real number, not complex")
    return lax.cast(x, _F64)


def _python(x, dtype=_F64) -> Tracer:
    """The answer as the Python scalar `math` returns."""
    return lax.python_scalar(x, dtype)


def _check_math(r, args, overflows: bool, has_domain: bool = True) -> None:
    """CPython's errors of a `math` function's result `r` of float `args`: a NaN of no NaN is
    a ValueError (where the function `has_domain` errors); an infinity of finite arguments
    an OverflowError if the function can overflow, else a ValueError (`log(0.0)`)."""
    any_nan = functools.reduce(np.logical_or, [np.isnan(a) for a in args])
    finite = functools.reduce(np.logical_and, [np.isfinite(a) for a in args])
    domain = np.isnan(r) & ~any_nan
    infinite = np.isinf(r) & finite
    if overflows:
        if has_domain:
            _check(domain, "ValueError", "math domain error")
        _check(infinite, "OverflowError", "math range error")
    else:
        _check(domain | infinite, "ValueError", "math domain error")


def _unary(python, ufunc, overflows: bool = False):
    """A `math` function of one float that NumPy's `ufunc` computes."""

    @functools.wraps(python)
    def routed(x):
        if not _traced((x,)):
            return python(x)
        x = _float(x)
        r = ufunc(x)  # the ones that overflow (`exp`, `sinh`) make no NaN of a number
        _check_math(r, (x,), overflows, has_domain=not overflows)
        return _python(r)

    return routed


def _binary(python, ufunc, overflows: bool = False):
    """A `math` function of two floats that NumPy's `ufunc` computes."""

    @functools.wraps(python)
    def routed(x, y):
        if not _traced((x, y)):
            return python(x, y)
        x, y = _float(x), _float(y)
        r = ufunc(x, y)
        _check_math(r, (x, y), overflows)
        return _python(r)

    return routed


def _scaled(python, factor: float):
    """`degrees` and `radians`: a product with CPython's constant, which never raises."""

    @functools.wraps(python)
    def routed(x):
        return python(x) if not _traced((x,)) else _python(_float(x) * factor)

    return routed


def _predicate(python, ufunc):
    """`isnan`, `isinf`, `isfinite`: a Python bool."""

    @functools.wraps(python)
    def routed(x):
        return python(x) if not _traced((x,)) else _python(ufunc(_float(x)), np.bool_)

    return routed


def _rounding(python, ufunc):
    """`floor`, `ceil`, `trunc`: a Python int. An int argument is its own answer; a float
    one is rounded, and `math`'s errors for infinities and NaN are raised when it runs."""

    @functools.wraps(python)
    def routed(x):
        if not _traced((x,)):
            return python(x)
        x = lax.lift(x)
        if x.dtype.kind in "biu":
            return _python(x, np.int64)
        x = _float(x)
        _check(np.isinf(x), "OverflowError", "cannot convert float infinity to integer")
        _check(np.isnan(x), "ValueError", "cannot convert float NaN to integer")
        _check(np.abs(x) >= 2.0 ** 63, "OverflowError", f"math.{python.__name__} of a "
                  "float beyond int64 (tracenp's traced ints are 64 bits)")
        return _python(lax.cast(ufunc(x), np.int64), np.int64)

    return routed


def _log(python):
    """`math.log(x[, base])`: CPython divides the natural logs."""

    @functools.wraps(python)
    def routed(x, *base):
        if not _traced((x, *base)):
            return python(x, *base)
        x = _float(x)
        r = np.log(x)
        _check_math(r, (x,), False)
        if base:
            b = _float(base[0])
            den = np.log(b)
            _check_math(den, (b,), False)
            _check(den == 0.0, "ZeroDivisionError", "float division by zero")
            r = r / den
        return _python(r)

    return routed


def _pow(python):
    """`math.pow`: C's pow, whose NaN of finite arguments is a ValueError, and whose
    infinity is one of 0 to a negative power, else an OverflowError."""

    @functools.wraps(python)
    def routed(x, y):
        if not _traced((x, y)):
            return python(x, y)
        x, y = _float(x), _float(y)
        r = np.power(x, y)
        finite = np.isfinite(x) & np.isfinite(y)
        _check(finite & (np.isnan(r) | np.isinf(r) & (x == 0.0)), "ValueError",
                  "math domain error")
        _check(finite & np.isinf(r) & (x != 0.0), "OverflowError", "math range error")
        return _python(r)

    return routed


def _hypot(python):
    """`math.hypot(*coordinates)`: NumPy's hypot folded over them (an infinity wins over a
    NaN, as in CPython)."""

    @functools.wraps(python)
    def routed(*coordinates):
        if not _traced(coordinates):
            return python(*coordinates)
        return _python(_norm([_float(c) for c in coordinates]))

    return routed


def _norm(values: list):
    return functools.reduce(np.hypot, values[1:], np.abs(values[0])) if values else 0.0


def _dist(python):
    """`math.dist(p, q)`: the hypot of the differences."""

    @functools.wraps(python)
    def routed(p, q):
        p, q = _items(p), _items(q)
        if not _traced((p, q)):
            return python(p, q)
        if len(p) != len(q):
            raise ValueError("both points must have the same number of dimensions")
        return _python(_norm([_float(a) - _float(b) for a, b in zip(p, q)]))

    return routed


def _items(values) -> list:
    """The items of a sequence `math` iterates (a traced array's along its first axis)."""
    if isinstance(values, Tracer) and values.ndim:
        return [values[i] for i in range(values.shape[0])]
    return list(values)


def _fsum(python):
    """`math.fsum`: Neumaier's compensated sum (the exact sum's rounding, but for the rare
    sums whose last bit needs more than one correction term), with CPython's special values:
    the sum of the infinite and NaN items if there are any (`-inf + inf` a ValueError), and an
    OverflowError for a finite sum that overflows."""

    @functools.wraps(python)
    def routed(values):
        items = _items(values)
        if not _traced((items,)):
            return python(items)
        items = [_float(v) for v in items]
        total, compensation, special = 0.0, 0.0, 0.0
        for v in items:
            finite = np.isfinite(v)
            v, special = np.where(finite, v, 0.0), special + np.where(finite, 0.0, v)
            t = total + v
            compensation = compensation + np.where(np.abs(total) >= np.abs(v),
                                                   (total - t) + v, (v - t) + total)
            total = t
        if not items:
            return 0.0
        any_nan = functools.reduce(np.logical_or, [np.isnan(v) for v in items])
        _check(np.isnan(special) & ~any_nan, "ValueError", "-inf + inf in fsum")
        _check(np.isinf(total) & (special == 0.0), "OverflowError",
                  "intermediate overflow in fsum")
        return _python(np.where(special == 0.0, total + compensation, special))

    return routed


def _isclose(python):
    """`math.isclose`: CPython's test, equal values first."""

    @functools.wraps(python)
    def routed(a, b, *, rel_tol=1e-09, abs_tol=0.0):
        if not _traced((a, b, rel_tol, abs_tol)):
            return python(a, b, rel_tol=rel_tol, abs_tol=abs_tol)
        if not _traced((rel_tol, abs_tol)) and (rel_tol < 0.0 or abs_tol < 0.0):
            raise ValueError("tolerances must be non-negative")
        a, b, rel, tol = (_float(v) for v in (a, b, rel_tol, abs_tol))
        _check((rel < 0.0) | (tol < 0.0), "ValueError", "tolerances must be non-negative")
        diff = np.abs(b - a)
        close = (diff <= np.abs(rel * b)) | (diff <= np.abs(rel * a)) | (diff <= tol)
        close = (a == b) | close & ~np.isinf(a) & ~np.isinf(b)
        return _python(close, np.bool_)

    return routed


def _two_outputs(python, ufunc, second_dtype):
    """`frexp` and `modf`: a pair of Python scalars."""

    @functools.wraps(python)
    def routed(x):
        if not _traced((x,)):
            return python(x)
        first, second = ufunc(_float(x))
        return _python(first), _python(lax.cast(second, second_dtype), second_dtype)

    return routed


def _ldexp(python):
    @functools.wraps(python)
    def routed(x, i):
        if not _traced((x, i)):
            return python(x, i)
        i = lax.lift(i)
        if i.dtype.kind not in "biu":
            raise TypeError("Expected an int as second argument to ldexp.")
        x = _float(x)
        r = np.ldexp(x, lax.cast(np.clip(i, -(2 ** 31), 2 ** 31 - 1), np.int32))
        _check(np.isinf(r) & np.isfinite(x), "OverflowError", "math range error")
        return _python(r)

    return routed


def _remainder(python):
    """`math.remainder`: CPython's IEEE remainder from fmod of the magnitudes."""

    @functools.wraps(python)
    def routed(x, y):
        if not _traced((x, y)):
            return python(x, y)
        x, y = _float(x), _float(y)
        ax, ay = np.abs(x), np.abs(y)
        m = np.fmod(ax, ay)
        c = ay - m
        half = m - 2.0 * np.fmod(0.5 * (ax - m), ay)
        r = np.copysign(1.0, x) * np.where(m < c, m, np.where(m > c, -c, half))
        r = np.where(np.isinf(y) & np.isfinite(x), x, r)
        r = np.where(np.isnan(y), y, np.where(np.isnan(x), x, r))
        _check_math(r, (x, y), True)
        return _python(r)

    return routed


def _ulp(python):
    @functools.wraps(python)
    def routed(x):
        if not _traced((x,)):
            return python(x)
        ax = np.abs(_float(x))
        up = np.nextafter(ax, np.inf)
        r = np.where(np.isinf(up), ax - np.nextafter(ax, -np.inf), up - ax)
        return _python(np.where(np.isfinite(ax), r, ax))

    return routed


def _special(python, name: str, overflows: bool = True):
    """A function NumPy has no ufunc for, computed by CPython's formula (`mathfuncs`)."""

    @functools.wraps(python)
    def routed(x):
        if not _traced((x,)):
            return python(x)
        from .numpy_api import mathfuncs

        x = _float(x)
        r = getattr(mathfuncs, name)(x)
        _check_math(r, (x,), overflows)
        return _python(r)

    return routed


def _integers_only(python):
    """`math`'s functions of integers: their answers are exact Python ints of any size."""

    @functools.wraps(python)
    def routed(*args, **kwargs):
        traced = list(_tracers((*args, *kwargs.values())))
        if all(t.weak or t.constant_value() is not None for t in traced):  # of Python int
            return python(*args, **kwargs)  # arguments alone: `math` converts them, which
        # makes those arguments static; or of known values (np.vectorize of a constant)
        raise errors.unsupported(f"math.{python.__name__} of a traced value (an exact "
                                 "integer function; pass the value as a static argument)")

    return routed


def _routes() -> dict:
    unary = {"sqrt": (np.sqrt, False), "exp": (np.exp, True), "expm1": (np.expm1, True),
             "exp2": (np.exp2, True), "log2": (np.log2, False), "log10": (np.log10, False),
             "log1p": (np.log1p, False), "sin": (np.sin, False), "cos": (np.cos, False),
             "tan": (np.tan, False), "asin": (np.arcsin, False), "acos": (np.arccos, False),
             "atan": (np.arctan, False), "sinh": (np.sinh, True), "cosh": (np.cosh, True),
             "tanh": (np.tanh, False), "asinh": (np.arcsinh, False),
             "acosh": (np.arccosh, False), "atanh": (np.arctanh, False),
             "fabs": (np.fabs, False), "cbrt": (np.cbrt, False)}
    binary = {"atan2": np.arctan2, "copysign": np.copysign, "fmod": np.fmod,
              "nextafter": np.nextafter}
    routes = {name: _unary(getattr(math, name), uf, over)
              for name, (uf, over) in unary.items() if hasattr(math, name)}
    routes.update({name: _binary(getattr(math, name), uf) for name, uf in binary.items()})
    routes.update({name: _predicate(getattr(math, name), uf) for name, uf in
                   (("isnan", np.isnan), ("isinf", np.isinf), ("isfinite", np.isfinite))})
    routes.update({name: _rounding(getattr(math, name), uf) for name, uf in
                   (("floor", np.floor), ("ceil", np.ceil), ("trunc", np.trunc))})
    routes.update(degrees=_scaled(math.degrees, 180.0 / math.pi),
                  radians=_scaled(math.radians, math.pi / 180.0),
                  log=_log(math.log), pow=_pow(math.pow), hypot=_hypot(math.hypot),
                  dist=_dist(math.dist), fsum=_fsum(math.fsum), isclose=_isclose(math.isclose),
                  frexp=_two_outputs(math.frexp, np.frexp, np.int64),
                  modf=_two_outputs(math.modf, np.modf, _F64),
                  ldexp=_ldexp(math.ldexp), remainder=_remainder(math.remainder),
                  ulp=_ulp(math.ulp), erf=_special(math.erf, "math_erf", False),
                  erfc=_special(math.erfc, "math_erfc", False),
                  lgamma=_special(math.lgamma, "math_lgamma"),
                  gamma=_special(math.gamma, "math_gamma"))
    routes.update({name: _integers_only(getattr(math, name)) for name in
                   ("factorial", "comb", "perm", "isqrt", "gcd", "lcm") if hasattr(math, name)})
    return routes


ROUTES = _routes()  # name in `math`: its routed function
