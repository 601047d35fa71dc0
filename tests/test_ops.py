"""Every op-table row under jit against eager NumPy: values, dtypes, shapes and layouts."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tracenp
from op_table import ROWS, make_arg

LAYOUTS = ("C", "F", "strided", "reversed")


def _layout(x: np.ndarray, layout: str) -> np.ndarray:
    if x.ndim == 0 or layout == "C":
        return x
    if layout == "F":
        return np.asfortranarray(x)
    if layout == "strided":
        big = np.repeat(x, 2, axis=-1)
        return big[..., ::2]
    return np.flip(np.flip(x).copy())  # same values, negative strides


def _cases():
    for row in ROWS:
        for dt in row.dtypes:
            for k, shape in enumerate(row.shapes):
                shapes = shape if row.nargs > 1 else (shape,)
                layouts = LAYOUTS if k == len(row.shapes) - 1 else ("C",)
                for layout in layouts:
                    yield pytest.param(row, dt, shapes, layout,
                                       id=f"{row.name}-{dt}-{shapes}-{layout}")


def tolerance(dtype: np.dtype, rtol: float) -> dict:
    if dtype in (np.float16,):
        return dict(rtol=max(rtol, 2e-3), atol=2e-3)
    if dtype in (np.float32, np.complex64):
        return dict(rtol=max(rtol, 2e-5), atol=1e-5)
    return dict(rtol=rtol if rtol < 1e-6 else 1e-7, atol=1e-10)


def assert_same(got, want, rtol=1e-7):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w, rtol)
        return
    assert type(got) is type(want) or (isinstance(want, np.ndarray) and
                                       isinstance(got, np.ndarray)), (type(got), type(want))
    got_a, want_a = np.asarray(got), np.asarray(want)
    assert got_a.dtype == want_a.dtype, (got_a.dtype, want_a.dtype)
    assert got_a.shape == want_a.shape, (got_a.shape, want_a.shape)
    if want_a.dtype.kind in "fc":
        np.testing.assert_allclose(got_a, want_a, equal_nan=True, **tolerance(want_a.dtype, rtol))
    else:
        np.testing.assert_array_equal(got_a, want_a)


@pytest.mark.parametrize("row,dtype,shapes,layout", list(_cases()))
def test_row_matches_numpy(row, dtype, shapes, layout):
    rng = np.random.default_rng(abs(hash((row.name, dtype, shapes))) % 2**32)
    args = [_layout(make_arg(rng, s, dtype, row.domain), layout) for s in shapes]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = row.fn(*[a.copy() for a in args])
        except Exception as e:  # NumPy refuses: tracenp must refuse the same way
            with pytest.raises(type(e)):
                tracenp.jit(row.fn)(*args)
            return
        got = tracenp.jit(row.fn)(*args)
    assert_same(got, want, row.rtol)
