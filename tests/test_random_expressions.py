"""Random NumPy expressions under jit against eager NumPy: values and dtypes.

Hypothesis draws a dtype, two broadcast-compatible shapes and a recipe: a list of steps,
each an op with seeds for its operands and parameters. `evaluate` interprets the recipe with
plain NumPy calls, so the same code runs eagerly and traced; the seeds are turned into axes,
slices and shapes from the concrete shapes at hand, so every recipe is valid for every shape.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from op_table import make_arg
from test_ops import check_like_numpy

DTYPES = ("bool", "int8", "int32", "int64", "uint8", "uint16", "float16", "float32", "float64",
          "complex64", "complex128")
UNARY = (np.negative, np.abs, np.sin, np.tanh, np.square, np.sqrt, np.exp, np.floor, np.sign,
         np.isnan, np.logical_not, np.conj, np.log1p, np.reciprocal, np.cos, np.positive)
BINARY = ("add", "sub", "mul", "truediv", "floordiv", "pow", "maximum", "minimum", "less",
          "equal", "and", "arctan2", "hypot", "logaddexp")
REDUCTIONS = ("sum", "mean", "max", "min", "prod", "std", "var", "argmax", "all", "any",
              "cumsum", "nansum")
SCALARS = (2, -1, 0.5, 3.25, 1j, True, 300)
STEPS = ("unary", "binary", "scalar", "reduce", "where", "reshape", "transpose", "slice",
         "index", "newaxis", "matmul", "astype", "broadcast", "concat", "setitem", "clip")


def _binary(name, a, b):
    ops = {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
           "truediv": lambda: a / b, "floordiv": lambda: a // b, "pow": lambda: a ** b,
           "and": lambda: a & b, "less": lambda: a < b, "equal": lambda: a == b}
    return ops[name]() if name in ops else getattr(np, name)(a, b)


def _axis(seed: int, ndim: int):
    if ndim == 0 or seed % 4 == 0:
        return None
    if seed % 4 == 3 and ndim > 1:
        return (0, -1) if ndim > 1 else 0
    return seed % ndim - (ndim if seed % 4 == 2 else 0)


def _step(kind, a, b, s):
    """One step on values `a`, `b` with integer seeds `s` (all concrete choices come from s)."""
    if kind == "unary":
        return UNARY[s[0] % len(UNARY)](a)
    if kind == "binary":
        return _binary(BINARY[s[0] % len(BINARY)], a, b)
    if kind == "scalar":
        c = SCALARS[s[1] % len(SCALARS)]
        name = BINARY[s[0] % 8]
        return _binary(name, a, c) if s[2] % 2 else _binary(name, c, a)
    if kind == "reduce":
        name = REDUCTIONS[s[0] % len(REDUCTIONS)]
        axis = _axis(s[1], a.ndim)
        if name in ("argmax", "cumsum"):
            axis = None if axis is None or isinstance(axis, tuple) else axis
            return getattr(np, name)(a, axis=axis)
        return getattr(np, name)(a, axis=axis, keepdims=bool(s[2] % 2))
    if kind == "where":
        return np.where(a > 0, a, b)
    if kind == "reshape":
        return a.reshape(-1) if s[0] % 2 else a.reshape(a.shape[::-1] if a.ndim else (1,))
    if kind == "transpose":
        return a.T if s[0] % 2 else np.moveaxis(a, 0, -1) if a.ndim else a
    if kind == "slice":
        if a.ndim == 0:
            return a[...]
        k = s[1] % a.ndim
        sl = [slice(None)] * a.ndim
        sl[k] = [slice(None, None, -1), slice(1, None), slice(None, None, 2),
                 slice(-2, None, -1)][s[0] % 4]
        return a[tuple(sl)]
    if kind == "index":
        if a.ndim == 0:
            return a[()]
        n = a.shape[0]
        return a[s[0] % n] if s[1] % 2 else a[np.array([s[0] % n, -1, 0])]
    if kind == "newaxis":
        return a[None] if s[0] % 2 else a[..., None]
    if kind == "matmul":
        if a.ndim >= 1 and a.dtype != np.bool_:
            return a @ np.swapaxes(a, -1, -2) if a.ndim >= 2 else a @ a
        return a
    if kind == "astype":
        return a.astype(DTYPES[s[0] % len(DTYPES)])
    if kind == "broadcast":
        return np.broadcast_to(a, (2,) + a.shape)
    if kind == "concat":
        if a.ndim == 0 or a.ndim != b.ndim or a.shape[1:] != b.shape[1:]:
            return np.stack([a, a])
        return np.concatenate([a, b])
    if kind == "setitem":
        c = a.copy()
        if c.ndim:
            c[s[0] % c.shape[0]] = 1
        else:
            c[...] = 1
        c += 1
        return c
    if kind == "clip":
        return np.clip(a, -1, 2) if a.dtype.kind != "c" else a
    raise AssertionError(kind)


def evaluate(recipe, x, y):
    pool = [x, y]
    for kind, i, j, seeds in recipe:
        pool.append(_step(kind, pool[i % len(pool)], pool[j % len(pool)], seeds))
    return tuple(pool[2:])  # every step is an output: nothing is dead code


@st.composite
def cases(draw):
    dtype = draw(st.sampled_from(DTYPES))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=0, max_size=3)))
    y_shape = tuple(1 if draw(st.booleans()) else d for d in shape)
    y_shape = y_shape[draw(st.integers(0, len(y_shape))):]
    seeds = st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50))
    step = st.tuples(st.sampled_from(STEPS), st.integers(0, 9), st.integers(0, 9), seeds)
    recipe = draw(st.lists(step, min_size=1, max_size=6))
    seed = draw(st.integers(0, 2**16))
    return dtype, shape, y_shape, recipe, seed


@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_random_expression_matches_numpy(case):
    dtype, shape, y_shape, recipe, seed = case
    rng = np.random.default_rng(seed)
    x = make_arg(rng, shape, dtype)
    y = make_arg(rng, y_shape, dtype)
    x, y = np.asarray(x), np.asarray(y)
    check_like_numpy(lambda a, b: evaluate(recipe, a, b), x, y, rtol=1e-4)
