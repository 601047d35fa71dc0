"""argmax and argmin of small arrays as two fused reductions (`lowering/llvm_args.py`): NumPy's
index for ties, NaNs, signed zeros and every real dtype, in compiled code."""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from tracenp.lowering.llvm_args import SIZE_MAX

RNG = np.random.default_rng(11)


def _with_specials(x: np.ndarray, seed: int) -> np.ndarray:
    """Ties of the extremes, a NaN in some rows, signed zeros."""
    r = np.random.default_rng(seed)
    x = x.copy()
    flat = x.reshape(-1)
    flat[r.integers(0, flat.size, 3)] = flat.max()
    flat[r.integers(0, flat.size, 3)] = flat.min()
    if x.dtype.kind == "f":
        flat[r.integers(0, flat.size, 2)] = np.nan
        flat[r.integers(0, flat.size, 2)] = -0.0
        flat[r.integers(0, flat.size, 2)] = 0.0
    return x


ARRAYS = {
    "float64": RNG.standard_normal((7, 9)),
    "float32": RNG.standard_normal((7, 9)).astype(np.float32),
    "float16": RNG.standard_normal((7, 9)).astype(np.float16),
    "int64": RNG.integers(-5, 5, (7, 9)),
    "uint8": RNG.integers(0, 4, (7, 9)).astype(np.uint8),
    "bool": RNG.integers(0, 2, (7, 9)).astype(bool),
    "all nan": np.full((3, 4), np.nan),
    "inf": np.array([[-np.inf, 1.0, np.inf, np.inf], [-np.inf, -np.inf, 0.0, 2.0]]),
    "zeros": np.array([[0.0, -0.0, 0.0], [-0.0, 0.0, -0.0]]),
}


@pytest.mark.parametrize("name", list(ARRAYS))
@pytest.mark.parametrize("fn", [np.argmax, np.argmin])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_matches_numpy(name, fn, axis):
    x = ARRAYS[name]
    if name in ("float64", "float32", "int64"):
        x = _with_specials(x, 3)
    f = tracenp.jit(lambda a: fn(a, axis=axis))
    for a in (x, np.asfortranarray(x), x[::2, ::-1]):
        got = f(a)
        assert np.asarray(got).dtype == np.intp
        np.testing.assert_array_equal(got, fn(a, axis=axis))


@pytest.mark.parametrize("shape, axis", [((4, 5, 6), 0), ((4, 5, 6), 1), ((4, 5, 6), 2),
                                         ((4, 5, 6), None), ((1, 8), 1), ((8, 1), 1),
                                         ((13,), 0)])
def test_axes_of_higher_rank(shape, axis):
    x = np.round(RNG.standard_normal(shape), 1)  # rounded: ties
    f = tracenp.jit(lambda a: (np.argmax(a * 2.0, axis=axis), a.argmin(axis=axis)))
    got = f(x)
    np.testing.assert_array_equal(got[0], np.argmax(x * 2.0, axis=axis))
    np.testing.assert_array_equal(got[1], x.argmin(axis=axis))


def _steps(f, *args) -> list[str]:
    return [str(s) for s in tracenp.explain(f, *args).steps]


def test_small_arrays_run_without_numpys_argmax_and_fuse_with_their_use():
    def accuracy(p, y):
        return np.mean(np.argmax(p, axis=1) == y)

    p, y = RNG.standard_normal((64, 10)), RNG.integers(0, 10, 64)
    assert tracenp.jit(accuracy)(p, y) == accuracy(p, y)
    steps = _steps(accuracy, p, y)
    assert not any("argmax" in s for s in steps) and steps[0].startswith("rows")


def test_large_arrays_keep_numpys_argmax():
    x = RNG.standard_normal(SIZE_MAX + 1)
    x[[5, 70, SIZE_MAX]] = 9.0
    f = tracenp.jit(lambda a: np.argmax(a))
    assert f(x) == 5
    assert any(s.startswith("library") and s.endswith("argmax") for s in _steps(f, x))
