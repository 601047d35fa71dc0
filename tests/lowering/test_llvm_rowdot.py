"""Row-dot fusion (tracenp/lowering/llvm_rowdot.py): `X @ w`, a row-wise chain and `X.T @ r`
in one pass over X. Values against NumPy for the layouts X can have, both float dtypes,
every thread count giving the same bits, and the windows the rule must leave alone."""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from tracenp.lowering.llvm_rowdot import RowDot, with_rowdots


def logreg(w, b, x, y):
    p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def logreg_by_hand(w, b, x, y):
    z = x @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    loss = np.mean(np.logaddexp(0, -z) * y + np.logaddexp(0, z) * (1 - y))
    g = (p - y) / len(y)
    return loss, x.T @ g, g.sum()


def least_squares(w, x, y):
    d = x @ w - y
    return 0.5 * np.mean(d * d)


def fused(f, *args) -> bool:
    """Whether the compiled schedule of `f` for these arguments runs a row-dot pass."""
    steps = f.compiled(*args).run.schedule.steps
    return any(isinstance(s, RowDot) for s in with_rowdots(steps))


def data(dtype, layout: str, n=3000, k=37, seed=0):
    rng = np.random.default_rng(seed)
    if layout == "C":
        x = rng.standard_normal((n, k))
    elif layout == "F":
        x = np.asfortranarray(rng.standard_normal((n, k)))
    elif layout == "strided":
        x = rng.standard_normal((2 * n, 3 * k))[::2, ::3]
    else:  # "transposed": a view of a (k, n) array
        x = rng.standard_normal((k, n)).T
    x = x.astype(dtype, copy=False)
    y = (rng.standard_normal(n) > 0).astype(dtype)
    w = (rng.standard_normal(2 * k) * 0.3).astype(dtype)[::2]  # a strided parameter
    return w, dtype(0.2), x, y


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["C", "F", "strided", "transposed"])
def test_logistic_regression_matches_numpy(dtype, layout):
    w, b, x, y = data(dtype, layout)
    f = tracenp.jit(tracenp.value_and_grad(logreg, argnums=(0, 1)), backend="llvm")
    value, (gw, gb) = f(w, b, x, y)
    want = logreg_by_hand(*(a.astype(np.float64) for a in (w, np.asarray(b), x, y)))
    assert fused(f, w, b, x, y)
    assert value.dtype == gw.dtype == dtype
    rtol = 2e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(value, want[0], rtol=rtol)
    np.testing.assert_allclose(gw, want[1], rtol=rtol * 10, atol=rtol * np.abs(want[1]).max())
    np.testing.assert_allclose(gb, want[2], rtol=rtol * 10, atol=rtol)


@pytest.mark.parametrize("n,k", [(5000, 64), (3000, 17), (12000, 3)])
def test_least_squares_matches_numpy(n, k):
    """No masked tail, a tail of one, and rows too short to fuse (two BLAS calls)."""
    w, _, x, y = data(np.float64, "C", n=n, k=k)
    f = tracenp.jit(tracenp.value_and_grad(least_squares), backend="llvm")
    value, g = f(w, x, y)
    d = x @ w - y
    assert fused(f, w, x, y) == (k >= 16)
    np.testing.assert_allclose(value, 0.5 * np.mean(d * d), rtol=1e-13)
    np.testing.assert_allclose(g, x.T @ d / len(y), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_thread_count_gives_the_same_bits(dtype):
    w, b, x, y = data(dtype, "C", n=20000, k=50, seed=3)
    old = tracenp.config.num_threads
    results = []
    try:
        for threads in (1, 2, 3):
            tracenp.config.num_threads = threads
            f = tracenp.jit(tracenp.value_and_grad(logreg, argnums=(0, 1)), backend="llvm")
            results.append(f(w, b, x, y))
    finally:
        tracenp.config.num_threads = old
    for value, (gw, gb) in results[1:]:
        assert value == results[0][0] and gb == results[0][1][1]
        np.testing.assert_array_equal(gw, results[0][1][0])


def test_a_whole_column_statistic_in_the_chain_is_not_fused():
    """r = t - mean(t) needs all of t before any row of r: two BLAS calls, same values."""
    def centered(w, x):
        t = x @ w
        c = t - t.mean()
        return np.sum(c * c)

    w, _, x, _ = data(np.float64, "C", n=4000, k=20)
    f = tracenp.jit(tracenp.grad(centered), backend="llvm")
    t = x @ w
    np.testing.assert_allclose(f(w, x), x.T @ (2 * (t - t.mean())), rtol=1e-10, atol=1e-10)
    assert not fused(f, w, x)


def test_a_chain_reading_another_product_row_by_row():
    """The chain also reads u's row sums (another matrix-vector product, run before)."""
    def two(w, x, u):
        return (u.T @ np.tanh(x @ w)).sum()

    w, _, x, _ = data(np.float64, "C", n=4000, k=20)
    u = np.random.default_rng(1).standard_normal((4000, 20))
    f = tracenp.jit(tracenp.value_and_grad(two), backend="llvm")
    value, g = f(w, x, u)
    h = np.tanh(x @ w)
    np.testing.assert_allclose(value, (u.T @ h).sum(), rtol=1e-12)
    np.testing.assert_allclose(g, x.T @ (u.sum(axis=1) * (1 - h * h)), rtol=1e-10)
    assert fused(f, w, x, u)


def test_a_different_matrix_on_the_way_back_is_not_fused():
    def other(w, x, v):
        return np.sum(v.T @ np.tanh(x @ w))

    w, _, x, _ = data(np.float64, "C", n=4000, k=20)
    v = np.random.default_rng(2).standard_normal((4000, 20))
    f = tracenp.jit(tracenp.grad(other, argnums=2), backend="llvm")
    np.testing.assert_allclose(f(w, x, v), np.tanh(x @ w)[:, None] * np.ones(20), rtol=1e-12)
    assert not fused(f, w, x, v)


@pytest.mark.parametrize("dtype,k", [(np.float64, 100), (np.float32, 7), (np.float64, 8)])
def test_each_piece_accumulates_on_its_own_cache_lines(dtype, k):
    """Threads write neighbouring partial rows all through the pass: no line may hold two."""
    from tracenp.lowering.llvm_rowdot import _partial_rows

    acc = _partial_rows(5, k, np.dtype(dtype))
    assert acc.shape == (5, k) and acc.dtype == dtype and not acc.any()
    starts = [acc[i].ctypes.data for i in range(5)]
    assert all(s % 64 == 0 for s in starts)
    assert all(b - a >= k * acc.itemsize for a, b in zip(starts, starts[1:]))
