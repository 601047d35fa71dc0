"""Compiled kernels against NumPy on special values, for every function of `llvm_math` and the
integer corner cases of the scalar table, through `tracenp.jit` (the LLVM backend).

NaN, infinities and zeros (with their sign) must be NumPy's exactly; other results within the
ULP bounds of test_llvm_math (float16 is computed through float32 like NumPy's loops: 1 ULP).
"""

from __future__ import annotations


import numpy as np
import pytest

import tracenp
from test_llvm_math import BOUNDS, error_ulps
from tracenp.lowering import llvm_math
from tracenp.lowering.llvm_kernel import supports
from tracenp.ops import Op

FLOATS = ["float16", "float32", "float64"]
UNARY = sorted(n for n in llvm_math.SUPPORTED if llvm_math.NARGS[n] == 1)
BINARY = sorted(n for n in llvm_math.SUPPORTED if llvm_math.NARGS[n] == 2)


pytestmark = pytest.mark.usefixtures("private_cache")


def special_values(dtype: str) -> np.ndarray:
    """±0, subnormals, the normal boundary, values around 1, large and huge values, ±inf, NaN."""
    fi = np.finfo(dtype)
    tiny, eps = float(fi.smallest_normal), float(fi.eps)
    pos = [0.0, float(fi.smallest_subnormal), tiny - float(fi.smallest_subnormal), tiny, eps]
    pos += [0.5, 1 - eps / 2, 1.0, 1 + eps, 2.0, 3.0, 10.0, np.pi / 2, 100.0]
    pos += [float(np.sqrt(fi.max)), float(fi.max) / 2, float(fi.max), np.inf]
    vals = np.array(pos, dtype=dtype)
    return np.concatenate([vals, -vals, np.array([np.nan], dtype=dtype)])


def _all(names: list[str]):
    """One compiled function computing every ufunc of `names` on the same arguments."""
    ufuncs = [getattr(np, n) for n in names]
    return tracenp.jit(lambda *args: tuple(uf(*args) for uf in ufuncs), backend="llvm")


def _bound(name: str, dtype: str) -> int:
    return {"float16": 1, "float32": BOUNDS[name][1], "float64": BOUNDS[name][0]}[dtype]


CANCELLING = {"logaddexp", "logaddexp2"}
"""Zero results of these are cancellations (NumPy's too), measured like other results."""


def _mismatches(name: str, dtype: str, got, want, args) -> list[str]:
    zero = (want == 0) & (name not in CANCELLING)
    exact = np.isnan(want) | np.isinf(want) | zero | np.isnan(got) | np.isinf(got)
    with np.errstate(all="ignore"):
        close = error_ulps(name, got, want, args) <= _bound(name, dtype)
    same = (np.isnan(got) & np.isnan(want)) | (
        (got == want) & (np.signbit(got) == np.signbit(want)))
    bad = np.where(exact, ~same, ~close)
    return [f"{name}{tuple(a[i] for a in args)} = {got[i]!r}, NumPy {want[i]!r}"
            for i in np.flatnonzero(bad)]


def _check(names: list[str], dtype: str, args: list[np.ndarray]) -> None:
    with np.errstate(all="ignore"):
        got = _all(names)(*args)
        failures = []
        for name, g in zip(names, got):
            want = getattr(np, name)(*args)
            assert g.dtype == want.dtype, (name, g.dtype, want.dtype)
            failures += _mismatches(name, dtype, g, want, args)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("dtype", FLOATS)
def test_unary_functions_on_special_values(dtype):
    _check(UNARY, dtype, [special_values(dtype)])


@pytest.mark.parametrize("dtype", FLOATS)
def test_binary_functions_on_all_pairs_of_special_values(dtype):
    x, y = (a.ravel() for a in np.meshgrid(special_values(dtype), special_values(dtype)))
    _check(BINARY, dtype, [x, y])


@pytest.mark.parametrize("dtype", FLOATS)
def test_power_corner_cases(dtype):
    """C99's pow table and the parity of integer exponents, near overflow and underflow."""
    fi = np.finfo(dtype)
    big = float(fi.maxexp)
    pairs = [(-1, np.inf), (-1, -np.inf), (1, np.nan), (np.nan, 0), (np.nan, -0.0), (-8, 1 / 3),
             (-0.0, -1), (-0.0, -2), (-0.0, -0.5), (0.0, -np.inf), (-0.0, 3), (-np.inf, 3),
             (-np.inf, -3), (-np.inf, 2), (-np.inf, 0.5), (-2, big - 1), (-2, big), (2, big),
             (2, -big), (2, float(fi.minexp - fi.nmant)), (2, float(fi.minexp - fi.nmant - 1)),
             (-2, float(fi.minexp - fi.nmant)), (-1.5, 2.0**fi.nmant + 1),
             (-1, 2.0**(fi.nmant + 2)), (0.5, np.inf), (1.5, -np.inf), (-0.5, -np.inf),
             (10, 0.5), (4, -0.5)]
    x, y = (np.array(v, dtype=dtype) for v in zip(*pairs))
    _check(["power"], dtype, [x, y])


def test_logaddexp_runs_in_kernels_with_numpys_special_cases():
    for op in (Op.LOGADDEXP, Op.LOGADDEXP2):
        assert all(supports(op, (np.dtype(d),) * 2, np.dtype(d)) for d in FLOATS), op
    inf = np.inf
    x = np.array([-inf, inf, -inf, inf, np.nan, 0.0, -inf, 2.0, -1e308, 1e308])
    y = np.array([-inf, inf, inf, -inf, 0.0, np.nan, 3.0, -inf, -1e308, 1e308])
    for dtype in FLOATS:
        with np.errstate(over="ignore"):  # ±1e308 become ±inf in float16 and float32
            args = [x.astype(dtype), y.astype(dtype)]
        _check(["logaddexp", "logaddexp2"], dtype, args)


INTEGERS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]


@pytest.mark.parametrize("dtype", INTEGERS)
def test_integer_division_and_power_corner_cases(dtype):
    """Division and remainder by 0 and by -1 (MIN // -1 wraps), signs, and integer powers
    (overflow wraps, 0**0 = 1; negative exponents are NumPy's error)."""
    info = np.iinfo(dtype)
    vals = {0, 1, 2, 3, 7, info.max, info.max - 1, info.min}
    if info.min < 0:
        vals |= {-1, -2, -3, -7, info.min + 1}
    v = np.array(sorted(vals), dtype=dtype)
    x, y = (a.ravel() for a in np.meshgrid(v, v))
    names = ["floor_divide", "remainder", "fmod"]
    with np.errstate(all="ignore"):
        got = _all(names)(x, y)
        for name, g in zip(names, got):
            np.testing.assert_array_equal(g, getattr(np, name)(x, y), err_msg=name)
        e = np.array([0, 1, 2, 3, 5, 7, 63, 64], dtype=dtype)
        xs, es = (a.ravel() for a in np.meshgrid(v, e))
        f = tracenp.jit(lambda p, q: np.power(p, q), backend="llvm")
        np.testing.assert_array_equal(f(xs, es), np.power(xs, es))
    if info.min < 0:
        with pytest.raises(ValueError, match="negative integer powers"):
            f(xs, -es)


INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool"]
INVALID_CASTS = [np.nan, np.inf, -np.inf, 1e20, -1e20, 3e9, -3e9, 5e9, 70000.5, -70000.5,
                 300.7, -1.5, 2.0**63, 2.0**64, -2.0**63, -2.0**31 - 1, -2.0**31, 2.0**31,
                 2.0**32 - 1, 2.0**32, 2.0**63 - 2**10, -0.0, 0.5, -0.99, 127.9, 128.0, -128.5,
                 255.9, 256.0, 65535.5]


@pytest.mark.parametrize("src", FLOATS)
def test_float_to_int_casts_of_nan_inf_and_out_of_range_values_are_numpys(src):
    """NumPy's contiguous cast loops give x86's answers (the most negative integer of the
    conversion's width, wrapped to the target); LLVM's fptosi gave poison, which became
    whatever the optimizer made of it. Each value fills a block of 16 so that NumPy takes it
    in its vector loop, whose answers its scalar remainder does not always share."""
    with np.errstate(over="ignore"):
        x = np.repeat(np.array(INVALID_CASTS, dtype=src), 16)
    for dst in INTS:
        f = tracenp.jit(lambda v, dst=dst: v.astype(dst), backend="llvm")
        with np.errstate(invalid="ignore"):
            got, want = f(x), x.astype(dst)
        assert got.dtype == want.dtype
        assert np.array_equal(got[:-16], want[:-16]), (src, dst)


def test_a_nan_known_while_tracing_casts_as_at_run_time():
    """`(x * np.nan).astype(int)` folds to a cast of a constant NaN: no poison either."""
    f = tracenp.jit(lambda x: ((x * np.nan).astype(np.int64), (x + np.inf).astype(np.int32)),
                    backend="llvm")
    with np.errstate(invalid="ignore"):
        got = f(np.arange(40.0))
    assert (got[0] == np.iinfo(np.int64).min).all() and (got[1] == np.iinfo(np.int32).min).all()
