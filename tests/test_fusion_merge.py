"""Kernels over one iteration space merge into one pass (tracenp/fusion_merge.py); values
are checked against NumPy, and the schedules are what the merge promises."""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from tracenp.fusion import KernelStep, RowGroup


def kernels(f, *args) -> list:
    """The schedule's kernels, those of row groups included."""
    sched = f.compiled(*args).run.schedule
    return [k for s in sched.steps
            for k in (s.kernels if isinstance(s, RowGroup) else
                      (s.kernel,) if isinstance(s, KernelStep) else ())]


def jit(fn):
    return tracenp.jit(fn, backend="llvm")


def shared(x, y):
    e = np.exp(x)            # three consumers: stored once by fusion alone
    a = e * y
    b = np.sin(e) + a
    return a - b * e, (b * y).sum()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_multi_use_values_run_in_one_kernel(dtype):
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((2, 300, 7)).astype(dtype)
    f = jit(shared)
    got = f(x, y)
    want = shared(x, y)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got[0], want[0], rtol=tol, atol=tol * np.abs(want[0]).max())
    np.testing.assert_allclose(got[1], want[1], rtol=tol)
    (k,) = kernels(f, x, y)
    assert [o.node.shape for o in k.outputs] == [(300, 7), ()]  # e, a, b are not stored


def test_a_reduction_is_not_read_in_its_own_pass():
    def softmax(x):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    x = np.random.default_rng(2).standard_normal((50, 40))
    f = jit(softmax)
    np.testing.assert_allclose(f(x), softmax(x), rtol=1e-14)
    assert len(kernels(f, x)) == 3


def test_reductions_over_other_axes_stay_apart():
    def two(x):
        y = np.tanh(x)
        return y.sum(axis=0), y.sum(axis=1), (y * y).sum(axis=0)

    x = np.random.default_rng(3).standard_normal((64, 33))
    f = jit(two)
    for got, want in zip(f(x), two(x)):
        np.testing.assert_allclose(got, want, rtol=1e-13)
    assert sorted(k.axes for k in kernels(f, x)) == [(0,), (1,)]


def test_strided_and_broadcast_inputs():
    def g(x, b, s):
        u = x * b
        return u + np.exp(u) * s, (u * s).sum()

    rng = np.random.default_rng(4)
    x = rng.standard_normal((40, 60))[::2, ::3].T   # strided, transposed
    b, s = rng.standard_normal(20), np.float64(0.5)
    f = jit(g)
    got, want = f(x, b, s), g(x, b, s)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-13)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-13)
    assert [k.shape for k in kernels(f, x, b, s)] == [(20, 20)]  # one pass (s is a float64)


def test_merged_large_kernel_is_thread_count_invariant():
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((2, 1 << 18))
    results = []
    old = tracenp.config.num_threads
    try:
        for threads in (1, 2, 3):
            tracenp.config.num_threads = threads
            results.append(jit(shared)(x, y))
    finally:
        tracenp.config.num_threads = old
    for r in results[1:]:
        np.testing.assert_array_equal(r[0], results[0][0])
        assert r[1] == results[0][1]
    np.testing.assert_allclose(results[0][1], shared(x, y)[1], rtol=1e-10)
