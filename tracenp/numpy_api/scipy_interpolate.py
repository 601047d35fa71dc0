"""SciPy's 1-d interpolants evaluated at traced points, as SciPy evaluates them.

A lookup table built once from data (`CubicSpline(x, y)`, `PchipInterpolator`,
`Akima1DInterpolator`, `PPoly`, `interp1d(x, y)`) and called on traced points converts them
with `np.asarray` and runs Cython loops. While a trace runs, those calls are replaced: a
piecewise polynomial finds each point's interval by `np.searchsorted` and sums its local
polynomial in the order SciPy's `evaluate_poly1` does (derivatives `nu` too, extrapolation
on, off or periodic); `interp1d` runs SciPy's own `_call` for its kind (`np.interp`,
`searchsorted` and gathers) with its bounds check raised when the function runs; its spline
kinds and the barycentric and Krogh tables run SciPy's own on the host. An interpolant built
in the function from values known while tracing (module tables) is built by SciPy; one built
from traced data (`interp1d(t, y)(t_new)`, resampling a signal; a linear solve in SciPy's
Python with value checks) is built and called by SciPy on the host when the function runs.
"""

from __future__ import annotations

import functools
from typing import Callable

import numpy as np

from .. import errors, lax


def _ppoly_values(c, breaks: np.ndarray, x, nu: int, extrapolate: bool):
    """`_ppoly.evaluate`: each point's local polynomial (or its `nu`-th derivative), its
    interval `x[i] <= x < x[i + 1]` (the last one closed), NaN outside when not extrapolating
    and at NaN points; `c` is (k, m, n), the result (points, n)."""
    if nu < 0:
        raise ValueError("Order of derivative cannot be negative")
    if not breaks[-1] >= breaks[0]:
        raise errors.unsupported("A piecewise polynomial with descending breakpoints at "
                                 "traced points")
    k, m = c.shape[:2]
    i = np.clip(np.searchsorted(breaks, x, side="right") - 1, 0, m - 1)
    s = (x - lax.lift(breaks)[i])[:, None]
    local = lax.lift(c)[:, i]  # (k, points, n)
    res, z = 0.0, 1.0
    for kp in range(k):
        if kp < nu:
            continue
        prefactor = float(np.prod(np.arange(kp, kp - nu, -1), dtype=np.float64))
        res = res + local[k - kp - 1] * z * prefactor
        if kp < k - 1:
            z = z * s
    outside = ~((x >= breaks[0]) & (x <= breaks[-1]))
    void = np.isnan(x) if extrapolate else outside
    return np.where(void[:, None], np.nan, res)


def _ppoly_call(original: Callable) -> Callable:
    """`PPoly.__call__` (and its subclasses': `CubicSpline`, `PchipInterpolator`, ...) at
    traced points; Bernstein polynomials and untraced points are SciPy's."""
    from scipy.interpolate import PPoly

    from .scipy_made import MADE

    @functools.wraps(original)
    def call(self, x, nu=0, extrapolate=None):
        if MADE in self.__dict__:
            return _made_call(self, (x, nu, extrapolate), {})
        if not lax.is_tracer(x) or not isinstance(self, PPoly):
            return original(self, x, nu, extrapolate)
        if extrapolate is None:
            extrapolate = self.extrapolate
        x = lax.cast(x, np.float64)
        x_shape, x_ndim = x.shape, x.ndim
        x = np.ravel(x)
        breaks, c = self._x, self._c
        if extrapolate == "periodic":
            x = breaks[0] + (x - breaks[0]) % (breaks[-1] - breaks[0])
            extrapolate = False
        flat = c.reshape(c.shape[:2] + (-1,))
        out = _ppoly_values(flat, breaks, x, int(nu), bool(extrapolate))
        out = out.reshape(x_shape + c.shape[2:])
        if self.axis != 0:
            dims = list(range(out.ndim))
            out = out.transpose(dims[x_ndim:x_ndim + self.axis] + dims[:x_ndim] +
                                dims[x_ndim + self.axis:])
        return out

    return call


def _interpolator_call(original: Callable) -> Callable:
    """`_Interpolator1D.__call__` at traced points: `interp1d`'s own `_call` for its kind,
    with its fill values, or its bounds error raised when the function runs."""
    from scipy.interpolate import interp1d

    from .. import host_ops
    from .scipy_host import host

    from .scipy_made import MADE

    @functools.wraps(original)
    def call(self, x):
        if MADE in self.__dict__:
            return _made_call(self, (x,), {})
        if not lax.is_tracer(x):
            return original(self, x)
        if not isinstance(self, interp1d) or self._call is interp1d._call_spline:  # SciPy's
            inside = np.full(np.shape(x), self.x[0] if isinstance(self, interp1d) else 0.0)
            outcome = host_ops.outcome_of(host_ops.untraced(lambda: original(self, inside)),
                                          type(self).__name__)  # (stand-ins in its range)
            return host(original, f"scipy.interpolate.{type(self).__name__}", (self, x), {},
                        outcome=outcome)  # own: a spline kind, a barycentric or Krogh table
        x = lax.lift(x)
        x = x if x.dtype.kind in "fc" else lax.cast(x, np.float64)
        x_shape = x.shape
        x = np.ravel(x)
        y = _interp1d_values(self, x)
        if not self._extrapolate:
            below, above = x < self.x[0], x > self.x[-1]
            if self.bounds_error:
                lax.check(np.any(below), "ValueError", "A value in x_new is below the "
                          f"interpolation range's minimum value ({self.x[0]}).")
                lax.check(np.any(above), "ValueError", "A value in x_new is above the "
                          f"interpolation range's maximum value ({self.x[-1]}).")
            rows = (-1,) + (1,) * (y.ndim - 1)  # `y[below] = fill`, a fill per row
            for out, fill in ((below, self._fill_value_below), (above, self._fill_value_above)):
                y = lax.cast(np.where(out.reshape(rows), np.asarray(fill), y), y.dtype)
        return self._finish_y(y, x_shape)

    return call


def _interp1d_values(self, x):
    """`interp1d._call` of its kind at traced points, with `np.take` for SciPy's gathers
    from its NumPy arrays."""
    from scipy.interpolate import interp1d

    n = len(self.x)
    if self._call is interp1d._call_linear_np:
        return np.interp(x, self.x, self.y)
    if self._call is interp1d._call_linear:
        hi = np.clip(np.searchsorted(self.x, x), 1, n - 1)
        x_lo, x_hi = np.take(self.x, hi - 1), np.take(self.x, hi)
        y_lo, y_hi = np.take(self._y, hi - 1, axis=0), np.take(self._y, hi, axis=0)
        slope = (y_hi - y_lo) / (x_hi - x_lo)[:, None]
        return slope * (x - x_lo)[:, None] + y_lo
    if self._call is interp1d._call_nearest:
        at = np.clip(np.searchsorted(self.x_bds, x, side=self._side), 0, n - 1)
        return np.take(self._y, at, axis=0)
    if self._call is interp1d._call_previousnext:
        at = np.clip(np.searchsorted(self._x_shift, x, side=self._side), 1 - self._ind,
                     n - self._ind)
        return np.take(self._y, at + self._ind - 1, axis=0)
    raise errors.unsupported(f"interp1d's {self._call.__name__} at traced points")


def _made_call(self, args: tuple, kwargs: dict):
    """An interpolant built from traced data (`interp1d(t, y)(t_new)`, resampling a signal)
    called: SciPy builds it and evaluates it on the host. Its result's type comes from the
    same call of one built from stand-ins (increasing abscissae, zero values) at a point
    inside them."""
    from .. import host_ops
    from .scipy_host import _tracers, _with_values, host
    from .scipy_made import MADE, remade

    kind, made_args, made_kwargs = made = self.__dict__[MADE]
    stand_ins = {id(t): np.arange(t.size, dtype=np.float64).reshape(t.shape) if t.ndim == 1
                 else np.zeros(t.shape, np.result_type(t.dtype, np.float64))
                 for t in _tracers((made_args, made_kwargs))}
    probe_args = [np.full(np.shape(a), 0.5) if lax.is_tracer(a) else a for a in args]
    outcome = host_ops.outcome_of(host_ops.untraced(lambda: kind(
        *_with_values(made_args, stand_ins), **_with_values(made_kwargs, stand_ins))(
        *probe_args, **kwargs)), kind.__name__)
    return host(remade, f"scipy.interpolate.{kind.__name__}", (made, "__call__", args, kwargs),
                {}, outcome=outcome)


def _made_getattr(name: str) -> Callable:
    """What an interpolant built from traced data holds: refused by name (it is only
    called, on the host)."""
    from .scipy_made import MADE

    def __getattr__(self, attribute: str):
        if attribute.startswith("__") or MADE not in self.__dict__:
            raise AttributeError(attribute)
        raise errors.unsupported(f"scipy.interpolate.{name} built from traced data, other "
                                 f"than called (it read .{attribute}; build it from arrays "
                                 "outside the function)")

    return __getattr__


def _known_init(init: Callable, name: str) -> Callable:
    """An interpolant's `__init__` given traced values known while tracing (module tables a
    retried trace holds as constants, `interp1d(WL, REF, kind="cubic")` in the function):
    SciPy's own on their values; of values the function computes, refused by name."""
    from .. import host_ops
    from .scipy_host import _tracers, _with_values
    from .scipy_made import MADE

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        known = {id(t): t.constant_value() for t in _tracers((args, kwargs))}
        if any(v is None for v in known.values()):  # of traced data: made on the host when
            self.__dict__[MADE] = (type(self), args, kwargs)  # it is called (`_made_call`)
            return
        host_ops.untraced(lambda: init(self, *_with_values(args, known),  # (NumPy's own
                                       **_with_values(kwargs, known)))  # functions: its Python
        # fills NumPy arrays for its Cython)

    return __init__


def _constant_method(original: Callable, name: str) -> Callable:
    """`PPoly.derivative`/`antiderivative`/`integrate` of a table built from arrays: SciPy's
    own, run where NumPy's functions are NumPy's (its Python fills NumPy arrays, which traced
    values would miss), so the new table is a constant too; `integrate` between traced
    bounds is a host call."""
    from .. import host_ops
    from .scipy_host import host

    @functools.wraps(original)
    def method(self, *args, **kwargs):
        if lax.holds_tracer((self.c, self.x)):  # built in the function: of constants?
            known = [t.constant_value() if lax.is_tracer(t) else t for t in (self.c, self.x)]
            if any(k is None for k in known):
                return original(self, *args, **kwargs)
            self = type(self).construct_fast(*known, self.extrapolate, self.axis)
        if lax.holds_tracer((args, tuple(kwargs.values()))):
            return host(original, f"scipy.interpolate.PPoly.{name}", (self, *args), kwargs,
                        typical=True)
        return host_ops.untraced(lambda: original(self, *args, **kwargs))

    return method


# interpolants whose constructors take values a retried trace holds as constants
BUILT = ("interp1d", "CubicSpline", "PchipInterpolator", "Akima1DInterpolator",
         "CubicHermiteSpline", "BarycentricInterpolator", "KroghInterpolator")


def routes() -> list:
    """What a trace replaces in `scipy.interpolate` (`trace._late_routes`)."""
    import scipy.interpolate as interpolate
    from scipy.interpolate import PPoly
    from scipy.interpolate._interpolate import _PPolyBase
    from scipy.interpolate._polyint import _Interpolator1D

    kinds = [getattr(interpolate, name) for name in BUILT]
    return [*((kind, {"__init__": _known_init(vars(kind)["__init__"], kind.__name__),
                      "__getattr__": _made_getattr(kind.__name__)}) for kind in kinds),
            (_PPolyBase, {"__call__": _ppoly_call(_PPolyBase.__call__)}),
            (PPoly, {name: _constant_method(vars(PPoly)[name], name)
                     for name in ("derivative", "antiderivative", "integrate")}),
            (_Interpolator1D, {"__call__": _interpolator_call(_Interpolator1D.__call__)})]
