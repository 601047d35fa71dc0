"""Complex values in the LLVM backend: NumPy's values bit for bit, special values and layouts
included, and complex chains fused into one kernel."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tracenp
from tracenp.explain import describe_schedule
from tracenp.lowering.llvm_complex import LIBM, SYSV_X86_64

pytestmark = pytest.mark.usefixtures("private_cache")

COMPLEX = ("complex64", "complex128")
UNARY = ("negative", "positive", "conjugate", "absolute", "square", "reciprocal", "isnan",
         "isinf", "isfinite", "real", "imag")
BINARY = ("add", "subtract", "multiply", "divide", "equal", "not_equal")


def jit(fn):
    return tracenp.jit(fn, backend="llvm")


def special(dtype) -> np.ndarray:
    """Every complex number whose parts are each one of zeros of both signs, ordinary and
    huge numbers, a subnormal, infinities and NaN."""
    part = np.empty(0, dtype).real.dtype
    info = np.finfo(part)
    parts = np.array([0.0, -0.0, 1.0, -2.5, 3.0, info.max / 2, -info.smallest_subnormal,
                      np.inf, -np.inf, np.nan], dtype=part)
    re, im = np.meshgrid(parts, parts)
    z = np.empty(re.shape, dtype)
    z.real, z.imag = re, im
    return z.ravel()


def assert_bits(got, want) -> None:
    """Equal values and dtypes, signs of zeros included, NaN where NumPy has NaN (in either
    part of a complex value)."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape
    if want.dtype.kind == "c":
        got, want = (np.stack([v.real, v.imag]) for v in (got, want))
    np.testing.assert_array_equal(got, want)
    if want.dtype.kind == "f":
        seen = ~np.isnan(want)
        np.testing.assert_array_equal(np.signbit(got[seen]), np.signbit(want[seen]))


def _eager(fn, *args):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


@pytest.mark.parametrize("dtype", COMPLEX)
@pytest.mark.parametrize("name", UNARY)
def test_unary_special_values(name, dtype):
    uf = getattr(np, name)
    z = special(dtype)
    assert_bits(_eager(jit(lambda x: uf(x)), z), _eager(uf, z))


@pytest.mark.skipif(not SYSV_X86_64, reason="kernels call libm's complex functions on x86-64")
@pytest.mark.parametrize("dtype", COMPLEX)
@pytest.mark.parametrize("name", sorted(LIBM))
def test_transcendentals_are_numpys_libm_calls(name, dtype):
    uf = getattr(np, name)
    z = np.concatenate([special(dtype), _random(np.random.default_rng(6), (50,), dtype) * 3])
    assert_bits(_eager(jit(lambda x: uf(x)), z), _eager(uf, z))
    assert _kernels(lambda x: np.abs(uf(x * 2)), z) == (["kernel"], [])


@pytest.mark.parametrize("dtype", COMPLEX)
@pytest.mark.parametrize("name", BINARY)
def test_binary_special_values(name, dtype):
    uf = getattr(np, name)
    a, b = np.meshgrid(special(dtype), special(dtype))
    assert_bits(_eager(jit(lambda x, y: uf(x, y)), a, b), _eager(uf, a, b))


def _random(rng, shape, dtype):
    """An array (a 0-d one for shape `()`: NumPy's scalar math on complex scalars multiplies
    without FMA, its array loops with it here)."""
    z = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    return np.asarray(z, dtype)


def _layouts(x):
    big = np.zeros(tuple(2 * n for n in x.shape), x.dtype)
    big[tuple(slice(None, None, 2) for _ in x.shape)] = x
    return [x, np.asfortranarray(x), big[tuple(slice(None, None, 2) for _ in x.shape)],
            x[::-1].copy()[::-1]]


@pytest.mark.parametrize("dtype", COMPLEX)
@pytest.mark.parametrize("shapes", [((), ()), ((0,), (1,)), ((7,), ()), ((3, 5), (5,)),
                                    ((4, 1), (1, 6)), ((2, 3, 4), (3, 1))])
def test_layouts_and_broadcasts_give_numpy_bits(shapes, dtype):
    """Bit for bit, but for complex64 arrays of negative strides: NumPy's complex64 loops take
    those in a scalar loop that multiplies without FMA and takes libm's `hypot` for `abs`, an
    ulp from its SIMD loops (which the kernels follow) in each op, more after cancellation."""
    rng = np.random.default_rng(len(shapes[0]) * 10 + len(shapes[1]))

    def f(a, b):
        return np.abs(a * b.conj() + a / b) ** 2, np.where(a.real > 0, a - b, -a), np.square(b)

    a, b = (_random(rng, s, dtype) for s in shapes)
    for x in _layouts(a) if a.ndim else [a]:
        got, want = jit(f)(x, b), f(x, b)
        for g, w in zip(got, want):
            if dtype == "complex64" and any(s < 0 for s in x.strides):
                np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
            else:
                assert_bits(g, w)


@pytest.mark.parametrize("src", ["float16", "float32", "float64", "int64", "uint8", "bool",
                                 "complex64", "complex128"])
@pytest.mark.parametrize("dst", COMPLEX)
def test_casts_to_complex(src, dst):
    z = special("complex128")
    x = np.arange(-40, 60).astype(src)
    if np.dtype(src).kind == "c":
        x = _eager(z.astype, src)
    elif np.dtype(src).kind == "f":
        x = _eager(z.real.astype, src)
    assert_bits(_eager(jit(lambda v: (v * 1).astype(dst)), x),
                _eager(lambda v: (v * 1).astype(dst), x))


@pytest.mark.parametrize("src", COMPLEX)
@pytest.mark.parametrize("dst", ["float16", "float32", "float64", "int8", "int32", "uint8",
                                 "bool"])
def test_casts_from_complex(src, dst):
    z = np.concatenate([special(src), (np.linspace(-300, 300, 41) * (1 - 0.5j)).astype(src)])
    if np.dtype(dst).kind in "iu":
        z = z[np.isfinite(z) & (np.abs(z.real) < 2 ** 31)]  # C casts of these are undefined
    assert_bits(_eager(jit(lambda v: (v * 1).astype(dst)), z),
                _eager(lambda v: (v * 1).astype(dst), z))


@pytest.mark.parametrize("dtype", COMPLEX)
def test_sums_of_complex_values(dtype):
    rng = np.random.default_rng(3)
    a, b = _random(rng, (37, 300), dtype), _random(rng, (300,), dtype)
    rtol = 1e-5 if dtype == "complex64" else 1e-12
    for f in (lambda a, b: (a * b.conj()).sum(), lambda a, b: (a * b).sum(axis=0),
              lambda a, b: (a - b).mean(axis=1), lambda a, b: np.abs(a.sum(axis=1)) ** 2):
        got, want = jit(f)(a, b), f(a, b)
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=rtol)
    empty = np.zeros((0, 3), dtype)
    assert_bits(jit(lambda e: e.sum(axis=0))(empty), empty.sum(axis=0))


def _kernels(fn, *args):
    steps, fallbacks = describe_schedule(jit(fn).graph(*args), "llvm")
    return [s.kind for s in steps], fallbacks


@pytest.mark.parametrize("dtype", COMPLEX)
def test_complex_chains_are_one_kernel(dtype):
    rng = np.random.default_rng(4)
    a, b, c = (_random(rng, (1000,), dtype) for _ in range(3))
    for fn in (lambda a, b, c: np.abs(a * b.conj() + c) ** 2,
               lambda a, b, c: (a * b.conj() - c).sum(),
               lambda a, b, c: np.angle(a / b) + c.real * c.imag,
               lambda a, b, c: np.where(np.isfinite(a), a, b) == c,
               lambda a, b, c: (a.real * np.exp(1j * b.imag)).sum()):
        assert _kernels(fn, a, b, c) == (["kernel"], [])


def test_complex_products_and_extrema_stay_numpy_steps():
    """A complex product is not associative and NumPy orders complex extrema
    lexicographically: neither is a kernel's reduction."""
    z = _random(np.random.default_rng(5), (50,), "complex128")
    for f in (lambda z: (z * 2).prod(), lambda z: (z * 2).max()):
        kinds, _ = _kernels(f, z)
        assert "library" in kinds
        np.testing.assert_allclose(jit(f)(z), f(z), rtol=1e-12)


EXACT_UNARY = (np.negative, np.conjugate, np.abs, np.square, np.reciprocal, np.real,
               np.imag, np.positive)
EXACT_BINARY = (np.add, np.subtract, np.multiply, np.divide)


def _expression(recipe, leaves):
    """A recipe's value: each step applies an op to earlier values (seeds pick both)."""
    values = list(leaves)
    for op, i, j in recipe:
        x, y = values[i % len(values)], values[j % len(values)]
        if op < len(EXACT_UNARY):
            v = EXACT_UNARY[op](x)
        else:
            v = EXACT_BINARY[op % len(EXACT_BINARY)](x, y)
        if v.dtype.kind != "c":
            v = v.astype(x.dtype if x.dtype.kind == "c" else np.complex128)
        values.append(v)
    return values[-1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dtype=st.sampled_from(COMPLEX), seed=st.integers(0, 2 ** 16),
       recipe=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 9), st.integers(0, 9)),
                       min_size=1, max_size=8),
       specials=st.booleans())
def test_random_complex_expressions_give_numpy_bits(dtype, seed, recipe, specials):
    rng = np.random.default_rng(seed)
    leaves = [_random(rng, (9,), dtype) for _ in range(3)]
    if specials:
        leaves[0] = rng.permutation(special(dtype))[:9]

    def f(a, b, c):
        return _expression(recipe, (a, b, c))

    assert_bits(_eager(jit(f), *leaves), _eager(f, *leaves))
