"""`np.emath` of traced values against NumPy: real results inside the real domain (NumPy's
dtypes: ints to float64, float32 kept), complex inputs' complex results, and a value outside
the domain raising `DataDependentShapeError` when the function runs, NumPy's complex result
under `fallback=True`."""

import warnings

import numpy as np
import pytest

import tracenp
from test_ops import assert_same
from tracenp.errors import DataDependentShapeError

INSIDE = np.array([0.0, 0.25, 0.5, 0.75])
# name: (function, an argument inside the real domain, one outside it)
CASES = {
    "sqrt": (np.emath.sqrt, INSIDE * 4, INSIDE - 0.5),
    "log": (np.emath.log, INSIDE + 0.5, INSIDE - 0.5),
    "log10": (np.emath.log10, INSIDE * 100, -INSIDE),
    "log2": (np.emath.log2, INSIDE + 1, INSIDE - 1),
    "arccos": (np.emath.arccos, INSIDE * 2 - 1, INSIDE * 3),
    "arcsin": (np.emath.arcsin, -INSIDE, INSIDE * 3),
    "arctanh": (np.emath.arctanh, INSIDE - 0.5, INSIDE * 3),
    "logn": (lambda x: np.emath.logn(2.0, x), INSIDE + 1, INSIDE - 1),
    "power": (lambda x: np.emath.power(x, 0.5), INSIDE, INSIDE - 0.5),
    "power_negative_int": (lambda x: np.emath.power(x, -2), INSIDE + 1, INSIDE - 2),
    "power_int_of_ints": (lambda x: np.emath.power((x * 4).astype(np.int64), 2),
                          INSIDE, INSIDE - 1),
    "sqrt_of_ints": (lambda x: np.emath.sqrt((x * 4).astype(np.int32)), INSIDE, INSIDE - 1),
    "sqrt_float32": (lambda x: np.emath.sqrt(x.astype(np.float32)), INSIDE, INSIDE - 1),
    "sqrt_complex": (lambda x: np.emath.sqrt(x - 0.5j), INSIDE - 1, INSIDE - 1),
}


def _numpy(fn, x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(x)


@pytest.mark.parametrize("name", list(CASES))
def test_emath_matches_numpy(name):
    fn, inside, outside = CASES[name]
    f = tracenp.jit(fn)
    assert_same(f(inside), _numpy(fn, inside))
    if np.iscomplexobj(_numpy(fn, outside)) and not np.iscomplexobj(_numpy(fn, inside)):
        with pytest.raises(DataDependentShapeError, match="np.emath"):
            f(outside)
        with pytest.warns(tracenp.TracingFallbackWarning), np.errstate(all="ignore"):
            assert_same(tracenp.jit(fn, fallback=True)(outside), _numpy(fn, outside))
    else:
        assert_same(f(outside), _numpy(fn, outside))


def test_a_traced_negative_integer_power_is_a_float_power():
    """`np.emath.power(x, p)` makes an integer `p` holding a negative a float: of a traced
    `p`, raised when the function runs."""
    f = tracenp.jit(lambda x, p: np.emath.power(x, p))
    x = np.array([1, 2, 4])
    assert_same(f(x, np.array([1, 2, 0])), np.emath.power(x, np.array([1, 2, 0])))
    with pytest.raises(DataDependentShapeError, match="negative integer power"):
        f(x, np.array([1, -2, 0]))
