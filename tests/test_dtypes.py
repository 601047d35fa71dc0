"""Result dtypes under jit are NumPy 2's, for every op category and dtype pair (NEP 50 scalars).

Each case runs NumPy eagerly, then the same code under `tracenp.jit`: the value and its
dtype must match, or both must refuse with the same exception type.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import tracenp
from op_table import ALL, make_arg
from test_ops import assert_same

BINARY = {
    "add": np.add, "subtract": np.subtract, "multiply": np.multiply, "true_divide": np.divide,
    "floor_divide": np.floor_divide, "remainder": np.remainder, "power": np.power,
    "maximum": np.maximum, "fmin": np.fmin, "arctan2": np.arctan2, "hypot": np.hypot,
    "less": np.less, "equal": np.equal, "logical_and": np.logical_and,
    "bitwise_and": np.bitwise_and, "left_shift": np.left_shift, "copysign": np.copysign,
    "logaddexp": np.logaddexp, "heaviside": np.heaviside,
    "op_add": lambda x, y: x + y, "op_truediv": lambda x, y: x / y,
    "op_pow": lambda x, y: x ** y, "op_matmul": lambda x, y: x @ y,
    "where": lambda x, y: np.where(x == x, x, y),
    "concatenate": lambda x, y: np.concatenate([x, y]),
    "stack": lambda x, y: np.stack([x, y]),
    "dot": np.dot, "clip": lambda x, y: np.clip(x, y, y + 1),
}

UNARY = {
    "negative": np.negative, "absolute": np.abs, "sqrt": np.sqrt, "exp": np.exp,
    "sign": np.sign, "floor": np.floor, "rint": np.rint, "isnan": np.isnan, "invert": np.invert,
    "square": np.square, "reciprocal": np.reciprocal, "sin": np.sin, "conj": np.conj,
    "sum": np.sum, "prod": np.prod, "mean": np.mean, "var": np.var, "std": np.std,
    "max": np.max, "argmax": np.argmax, "all": np.all, "cumsum": np.cumsum,
    "sum_f32": lambda x: np.sum(x, dtype=np.float32), "nansum": np.nansum,
    "mean_axis": lambda x: x.mean(axis=0, keepdims=True), "round": np.round,
    "astype_i32": lambda x: x.astype(np.int32), "linalg_norm": np.linalg.norm,
    "real": np.real, "imag": np.imag, "abs_op": lambda x: abs(x), "neg_op": lambda x: -x,
}

PY_SCALARS = [True, 3, -2, 2.5, 1.5j, 300, 10**20]


def _check(fn, *args):
    # Result dtypes are the front end's: thousands of small graphs run on the reference
    # backend here; backends are checked for parity over the op table by their own tests.
    jf = tracenp.jit(fn, backend="numpy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = fn(*args)
        except Exception as e:  # NumPy refuses: tracenp refuses with the same exception type
            with pytest.raises(type(e)):
                jf(*args)
            return
        got = jf(*args)
    assert_same(got, want, rtol=1e-5)


def _arg(dtype, shape=(4,), seed=0):
    return make_arg(np.random.default_rng(seed), shape, dtype, "positive")


@pytest.mark.parametrize("a,b", list(itertools.product(ALL, ALL)))
def test_binary_dtype_pairs(a, b):
    x, y = _arg(a, seed=1), _arg(b, seed=2)
    for name, fn in BINARY.items():
        try:
            _check(fn, x, y)
        except AssertionError as e:
            raise AssertionError(f"{name}({a}, {b}): {e}") from None


@pytest.mark.parametrize("a", ALL)
def test_unary_every_dtype(a):
    x = _arg(a, shape=(3, 4), seed=3)
    for name, fn in UNARY.items():
        try:
            _check(fn, x)
        except AssertionError as e:
            raise AssertionError(f"{name}({a}): {e}") from None


@pytest.mark.parametrize("a", ALL)
@pytest.mark.parametrize("scalar", PY_SCALARS, ids=repr)
def test_python_scalar_operands_are_weak(a, scalar):
    """NEP 50: a Python scalar takes the array's dtype unless its kind is higher."""
    x = _arg(a, seed=4)
    for name in ("add", "multiply", "true_divide", "maximum", "less", "power"):
        uf = getattr(np, name)
        for fn in (lambda v, uf=uf: uf(v, scalar), lambda v, uf=uf: uf(scalar, v)):
            try:
                _check(fn, x)
            except AssertionError as e:
                raise AssertionError(f"{name}({a}, {scalar!r}): {e}") from None


@pytest.mark.parametrize("a", ALL)
@pytest.mark.parametrize("scalar", [2, 2.5, 1j, 300, -1], ids=repr)
def test_python_scalar_arguments_are_weak_inputs(a, scalar):
    """A Python scalar passed to the jitted function is weak too, and comes back as Python;
    an int out of the range of the integer loop it joins raises NumPy's OverflowError."""
    x = _arg(a, seed=5)
    _check(lambda v, s: v * s + s, x, scalar)
    _check(lambda v, s: (s * 2, v), x, scalar)


@pytest.mark.parametrize("a", ["float32", "int8", "uint16", "bool"])
@pytest.mark.parametrize("scalar", [-1, 2.5, np.nan, 1j], ids=repr)
def test_python_scalar_choices_of_select_are_weak(a, scalar):
    """NumPy's `np.select` keeps Python int, float and complex choices weak, as it does the
    default: `np.select([x > 0, x < -1], [x, -1], default=np.nan)` of float32 `x` is float32
    (it was float64)."""
    x = _arg(a, seed=8)
    _check(lambda v: np.select([v > 0, v < 1], [v, scalar], default=np.nan), x)
    _check(lambda v: np.select([v > 0], [scalar], default=v), x)
    _check(lambda v, s: np.select([v > 0], [s], default=v), x, scalar)


def _comparisons(a, b):
    return a < b, a <= b, a > b, a >= b, a == b, a != b


@pytest.mark.parametrize("other", ["int64", "int8", "-1", "2**63"])
def test_uint64_compares_exactly_with_signed_integers_in_compiled_code(other):
    """NumPy 2 compares uint64 with int64 (or a Python int -1, or 2**63) exactly, not as
    float64: compiled code compared them as unsigned (`2**63 + 5 > -1` was False), a traced
    -1 raised OverflowError and a Python int argument of 2**63 a KeyError."""
    u = np.array([2**63 + 5, 3, 2**62, 0, 200, 2**53 + 1, 2**63 - 1], dtype=np.uint64)
    s = np.array([-1, 3, 2**62 + 1, -128, 100, 2**53, 2**63 - 2])
    b = s.astype(other) if other[0] == "i" else eval(other)
    for fn, args in ((_comparisons, (u, b)), (lambda x, y: _comparisons(y, x), (u, b))):
        assert_same(tracenp.jit(fn)(*args), fn(*args))


@pytest.mark.parametrize("a,b", [("float32", "float64"), ("int8", "uint8"), ("int64", "uint64"),
                                 ("float16", "int16"), ("bool", "complex64")])
def test_numpy_scalars_are_strong(a, b):
    """NumPy scalars are not weak under NEP 50: np.float32(1) + np.float64 array is float64."""
    x = _arg(a, shape=(), seed=6)[()]
    y = _arg(b, seed=7)
    _check(lambda u, v: u + v, x, y)
    _check(lambda u, v: u * v.sum(), x, y)
    _check(lambda u: u + 1, x)
