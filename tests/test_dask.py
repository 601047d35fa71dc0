"""Jitted functions over Dask arrays, block by block, against NumPy on the whole arrays."""

import numpy as np
import pytest

import tracenp

da = pytest.importorskip("dask.array")

rng = np.random.default_rng(7)


def blend(a, b, c):
    return a * b + c * np.sin(a) - np.exp(-b * b)


def test_elementwise_function_runs_block_by_block():
    a, b = rng.standard_normal((2, 300, 40))
    c = rng.standard_normal(40)  # a NumPy argument broadcast against the chunks
    got = tracenp.jit(blend)(da.from_array(a, chunks=(64, 16)), da.from_array(b, chunks=(50, 40)),
                             c)
    assert isinstance(got, da.Array)
    np.testing.assert_allclose(got.compute(), blend(a, b, c), rtol=1e-12)


def test_length_one_dims_broadcast_across_chunks():
    a, b = rng.standard_normal((300, 1)), rng.standard_normal((300, 40))
    got = tracenp.jit(lambda a, b: a * b + 1)(da.from_array(a, chunks=(64, 1)),
                                              da.from_array(b, chunks=(50, 16)))
    np.testing.assert_allclose(got.compute(), a * b + 1, rtol=1e-12)


def test_mixed_dtypes_follow_numpy():
    x = np.arange(100, dtype=np.int32)
    got = tracenp.jit(lambda x, y: x * 2 + y)(da.from_array(x, chunks=30), 0.5)
    assert got.dtype == (x * 2 + 0.5).dtype
    np.testing.assert_array_equal(got.compute(), x * 2 + 0.5)


def test_reduction_over_blocks_is_refused_with_advice():
    x = da.from_array(rng.standard_normal((100, 10)), chunks=(25, 10))
    with pytest.raises(tracenp.UnsupportedFunctionError, match="map_blocks"):
        tracenp.jit(lambda x: x - x.mean(axis=0))(x)


def test_map_blocks_for_a_row_wise_function():
    def softmax(x):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    x = rng.standard_normal((200, 30))
    got = tracenp.map_blocks(softmax, da.from_array(x, chunks=(40, 30)))
    np.testing.assert_allclose(got.compute(), softmax(x), rtol=1e-12)
