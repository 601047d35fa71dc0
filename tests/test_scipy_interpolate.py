"""SciPy's 1-d interpolants, built from arrays and evaluated at traced points, give SciPy's
values, dtypes and shapes (`tracenp/numpy_api/scipy_interpolate.py`); its bounds error is
raised when the compiled function runs."""

import numpy as np
import pytest
import scipy.interpolate as si

import tracenp
from test_ops import assert_same

XP = np.linspace(0.0, 5.0, 11)
FP = np.sin(XP)
FP2 = np.stack([FP, FP ** 2], axis=1)
POINTS = np.linspace(-0.5, 5.6, 9)  # below, inside (breakpoints too) and above the table
SPLINE = si.CubicSpline(XP, FP)
NATURAL = si.CubicSpline(XP, FP2, axis=0, bc_type="natural")
PERIODIC = si.CubicSpline(XP, np.cos(2 * np.pi * XP / 5), bc_type="periodic")
PCHIP, AKIMA = si.PchipInterpolator(XP, FP), si.Akima1DInterpolator(XP, FP)
ON_AXIS_1 = si.CubicSpline(XP, FP2.T, axis=1)
TABLE = si.interp1d(XP, FP)

CASES = {
    "cubic_spline": lambda x: SPLINE(x),
    "cubic_spline_first_derivative": lambda x: SPLINE(x, 1),
    "cubic_spline_second_derivative_no_extrapolation": lambda x: SPLINE(x, 2, extrapolate=False),
    "natural_two_columns": lambda x: NATURAL(x),
    "periodic": lambda x: PERIODIC(x),
    "values_along_axis_1_of_2d_points": lambda x: ON_AXIS_1(x.reshape(3, 3)),
    "pchip_and_akima": lambda x: (PCHIP(x), AKIMA(x)),
    "interp1d_inside": lambda x: TABLE(np.clip(x, 0.0, 5.0)),
    "interp1d_fill_value": lambda x: si.interp1d(XP, FP, bounds_error=False, fill_value=-1.0)(x),
    "interp1d_extrapolate": lambda x: si.interp1d(XP, FP, fill_value="extrapolate")(x),
    "interp1d_nearest_columns": lambda x: si.interp1d(XP, FP2, axis=0, kind="nearest",
                                                      bounds_error=False)(x),
    "interp1d_previous_fill_pair": lambda x: si.interp1d(
        XP, FP, kind="previous", bounds_error=False, fill_value=(0.0, 9.0))(x),
    "interp1d_next_float32": lambda x: si.interp1d(XP, FP.astype(np.float32), kind="next",
                                                   bounds_error=False)(x),
    "interp1d_integer_points": lambda x: TABLE(np.arange(5)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_interpolants_at_traced_points_are_scipys(name):
    f = CASES[name]
    assert_same(tracenp.jit(f)(POINTS), f(POINTS), rtol=1e-13)


def test_interp1d_bounds_error_is_raised_when_the_function_runs():
    f = tracenp.jit(lambda x: TABLE(x))
    assert_same(f(POINTS[1:-1]), TABLE(POINTS[1:-1]), rtol=1e-13)
    with pytest.raises(ValueError, match="below the interpolation range"):
        f(POINTS)


WL = np.linspace(400.0, 700.0, 16)
REFERENCE = np.exp(-0.5 * ((WL - 550.0) / 40.0) ** 2)


def test_spline_kinds_and_tables_built_in_the_function_are_scipys():
    """interp1d's spline kinds and the barycentric table at traced points run SciPy's own on
    the host; an interpolant built in the function from module tables (constants to a
    retried trace) is built by SciPy."""
    cubic = si.interp1d(XP, FP, kind="cubic")

    def f(x):
        return (cubic(x), si.interp1d(WL, REFERENCE, kind="quadratic")(x * 50 + 420),
                si.PchipInterpolator(WL, REFERENCE)(x * 50 + 420, 1),
                si.BarycentricInterpolator(XP[:5], FP[:5])(x))

    assert_same(tracenp.jit(f)(POINTS[1:-1]), f(POINTS[1:-1]), rtol=1e-12)


def _resampled(t, y, t_new):
    return (si.interp1d(t, y)(t_new), si.interp1d(t, y, kind="cubic")(t_new),
            si.interp1d(t, np.c_[y, 2 * y], axis=0, kind="nearest")(t_new),
            si.CubicSpline(t, y)(t_new, 1), si.PchipInterpolator(t, y)(t_new))


def test_interpolants_of_traced_data_are_built_and_called_on_the_host():
    """`interp1d(t, y)(t_new)` of the function's own arrays (resampling a signal), a spline
    of them: SciPy builds and evaluates them when the function runs; anything else read of
    one (its derivative) is refused by name."""
    for seed in (1, 2):
        t = np.cumsum(np.random.default_rng(seed).uniform(0.5, 1.5, 9))
        y, t_new = np.sin(t), np.linspace(t[0], t[-1], 5)
        assert_same(tracenp.jit(_resampled)(t, y, t_new), _resampled(t, y, t_new),
                    rtol=1e-12)
    with pytest.raises(tracenp.UnsupportedFunctionError, match="built from traced data"):
        tracenp.jit(lambda t, y: si.CubicSpline(t, y).derivative()(t))(t, y)


def _grid_lookup(rpm, torque, rpm_grid, torque_grid, table):
    return si.RegularGridInterpolator((rpm_grid, torque_grid), table)(np.column_stack([rpm,
                                                                                 torque]))


def test_a_grid_interpolant_of_traced_axes_is_scipys():
    """RegularGridInterpolator of traced grid axes: its result's type is found on stand-in
    axes that rise, as SciPy requires (random stand-ins were refused)."""
    for seed in (1, 2):
        r = np.random.default_rng(seed)
        args = (r.uniform(1000, 5000, 4), r.uniform(20, 200, 4), np.linspace(800, 6000, 6),
                np.linspace(0, 250, 5), r.uniform(200, 300, (6, 5)))
        assert_same(tracenp.jit(_grid_lookup)(*args), _grid_lookup(*args), rtol=1e-12)


def _table_methods(v, lo, hi):
    x = np.linspace(0.0, 3.0, 8)
    cs = si.CubicSpline(x, np.sin(x))
    made = si.CubicSpline(np.arange(5.0), np.arange(5.0) ** 2)  # a table of constants, built here
    return (cs.derivative()(v), cs.derivative(2)(v), cs.antiderivative()(v),
            cs.integrate(0.0, 1.0) * v, cs.integrate(lo, hi), made.derivative()(v))


def test_derivative_antiderivative_and_integrate_of_a_table():
    """A table built from arrays: its derivative and antiderivative are SciPy's (new constant
    tables), its integral SciPy's, between traced bounds too (a host call)."""
    for v, lo, hi in ((np.linspace(0.1, 2.0, 5), 0.2, 2.5), (np.linspace(-0.5, 3.5, 7), 1.0, 0.1)):
        got, want = tracenp.jit(_table_methods)(v, lo, hi), _table_methods(v, lo, hi)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-13, atol=1e-14)
