"""Batches: runs of small launches made by one native call (`llvm_batch`)."""

from __future__ import annotations

import threading
from fractions import Fraction

import numpy as np
import pytest

import tracenp
from tracenp.bench import kalman_4state, rnn_cell_loop
from tracenp.lowering import llvm_batch

rng = np.random.default_rng(7)


@pytest.fixture
def batches(monkeypatch):
    """The runs made into batches while the test compiles graphs (their step counts)."""
    made: list[int] = []
    init = llvm_batch._Batch.__init__

    def counting(self, natives, later, steps):
        made.append(len(steps))
        init(self, natives, later, steps)

    monkeypatch.setattr(llvm_batch._Batch, "__init__", counting)
    return made


def rnn_args(steps=12, h=8, d=3):
    return (rng.standard_normal((steps, d)), rng.standard_normal((h, h)) * 0.3,
            rng.standard_normal((h, d)) * 0.3, rng.standard_normal(h))


def test_a_small_matrix_loop_runs_as_one_batch(batches):
    f = tracenp.jit(rnn_cell_loop)
    args = rnn_args()
    np.testing.assert_allclose(f(*args), rnn_cell_loop(*args), rtol=1e-13, atol=1e-15)
    assert batches and max(batches) >= 3 * 12  # two products and a kernel per step


def test_a_loop_around_a_library_call_batches_between_the_calls(batches):
    zs, F = rng.standard_normal((6, 2)), np.eye(4) + 0.1 * np.diag(np.ones(2), 2)
    H = np.eye(2, 4)
    got = tracenp.jit(kalman_4state)(zs, F, H)
    np.testing.assert_allclose(got, kalman_4state(zs, F, H), rtol=1e-12, atol=1e-14)
    assert len(batches) >= 6  # one run between each two `inv` calls


def states(xs, W, b):
    """Every step's state leaves the loop, as the last one and as views."""
    h = np.zeros(W.shape[0])
    kept = []
    for x in xs:
        h = np.tanh(W @ h + x + b)
        kept.append(h)
    return np.stack(kept), h, h[::2], kept[1].reshape(2, -1), (W @ h).sum()


def test_arrays_that_leave_a_batch_are_fresh_on_every_call():
    """Values that never leave a run live in buffers made once; what the caller gets (and
    what it views) must not be overwritten by the next call."""
    f = tracenp.jit(states)
    first = [rng.standard_normal((5, 4)), rng.standard_normal((4, 4)) * 0.5,
             rng.standard_normal(4)]
    got = f(*first)
    held = [np.copy(g) for g in got]
    for _ in range(3):
        f(rng.standard_normal((5, 4)), first[1], first[2])
    for g, h, w in zip(got, held, states(*first)):
        np.testing.assert_array_equal(g, h)
        np.testing.assert_allclose(g, w, rtol=1e-13, atol=1e-15)


def test_threads_running_one_graph_at_once_get_their_own_results():
    """A second thread finds the run's buffers taken and runs the ordinary steps."""
    f = tracenp.jit(rnn_cell_loop)
    cases = [rnn_args() for _ in range(4)]
    wants = [rnn_cell_loop(*a) for a in cases]
    f(*cases[0])
    errors: list = []

    def work(i: int) -> None:
        for _ in range(200):
            got = f(*cases[i])
            if not np.allclose(got, wants[i], rtol=1e-13, atol=1e-15):
                errors.append(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def _fma_sum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Each element as the product kernel takes it: fused multiply-adds in order of k."""
    out = np.zeros((a.shape[0], b.shape[1]), a.dtype)
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            acc = a.dtype.type(0)
            for k in range(a.shape[1]):
                acc = a.dtype.type(Fraction(float(a[i, k])) * Fraction(float(b[k, j])) +
                                   Fraction(float(acc)))
            out[i, j] = acc
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("m, k, n", [(3, 5, 2), (4, 4, 4), (1, 7, 3), (5, 0, 2), (2, 3, 1)])
def test_tiny_products_sum_in_order_with_fused_multiply_adds(m, k, n, dtype):
    """The product kernel on strided and transposed operands, exactly (zero for k = 0, as
    NumPy)."""
    a = rng.standard_normal((k, 2 * m)).astype(dtype).T[::2]
    b = rng.standard_normal((2 * k, n)).astype(dtype)[::2]
    f = tracenp.jit(lambda a, b: np.exp(a @ b), backend="llvm")
    g = tracenp.jit(lambda a, b: (a @ b) * 2, backend="llvm")  # a product and a kernel
    np.testing.assert_array_equal(g(a, b), 2 * _fma_sum(a, b))
    np.testing.assert_allclose(f(a, b), np.exp(a @ b), rtol=1e-6 if dtype == np.float32
                               else 1e-14)


def test_large_products_stay_with_blas(batches):
    a, b = rng.standard_normal((40, 40)), rng.standard_normal((40, 40))
    f = tracenp.jit(lambda a, b: np.tanh(a @ b) @ b)
    # (an element summed to near zero keeps BLAS's absolute error, not a relative one)
    np.testing.assert_allclose(f(a, b), np.tanh(a @ b) @ b, rtol=1e-13, atol=1e-13 * 40)
    assert not batches



def test_a_view_that_copies_is_made_after_its_values():
    """`ravel` of a strided slice copies: made once with the batch's buffers, it copied
    them before any launch had stored into them (HOG cells counted garbage bins)."""
    def f(x):
        y = np.abs(x) * 2.0
        cells = [y[i:i + 2, j:j + 2].ravel() for i in (0, 2) for j in (0, 2)]
        return [c * 3.0 + c.max() for c in cells]

    jf = tracenp.jit(f)
    for seed in range(3):
        x = np.random.default_rng(seed).standard_normal((4, 4))
        for got, want in zip(jf(x), f(x)):
            np.testing.assert_array_equal(got, want)


SLICES = {"corner": lambda a: a[:3, :3], "steps": lambda a: a[::2, 1::3],
          "transposed": lambda a: a.T[:4, 2:5], "reversed": lambda a: a[::-1, :4][:3]}
COPIES = {"diagonal": np.diagonal, "trace": np.trace, "ravel": lambda v: v.reshape(-1),
          "ravel_gathered": lambda v: v.reshape(-1)[[0, 2]]}


@pytest.mark.parametrize("copy", list(COPIES))
@pytest.mark.parametrize("part", list(SLICES))
def test_a_copying_view_of_a_view_is_made_after_its_values(part, copy):
    """`np.diagonal(A)` of `A = np.cos(M)[:3, :3]`, beside `A + 1`: the reshape of the slice
    copies, but it was judged by a contiguous stand-in for the slice and made with the
    batch's buffers, before the kernel stored (a kernel MMD's trace was garbage)."""
    def f(x):
        a = SLICES[part](np.cos(x))
        return a + 1.0, COPIES[copy](a)

    jf = tracenp.jit(f)
    for seed in range(2):
        x = np.random.default_rng(seed).standard_normal((6, 8))
        for got, want in zip(jf(x), f(x)):
            np.testing.assert_allclose(got, want, rtol=1e-14)  # (cos within an ulp)


def softmax_recurrence(h, W, steps):
    """Each step's softmax along the rows of a small state: a row group between products, one
    per step (each reads the last)."""
    for _ in range(steps):
        z = h @ W
        e = np.exp(z - z.max(axis=1, keepdims=True))
        h = e / e.sum(axis=1, keepdims=True)
    return h, h.argmax(axis=1)


def test_row_groups_join_a_batch_with_their_scratch_and_views(batches):
    h, W = rng.standard_normal((4, 6)), rng.standard_normal((6, 6))
    f = tracenp.jit(softmax_recurrence, static_argnums=2)
    want = softmax_recurrence(h, W, 8)
    for _ in range(3):  # the batch's fixed buffers are used again
        got = f(h, W, 8)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-13)
        np.testing.assert_array_equal(got[1], want[1])
    steps = [str(s) for s in tracenp.explain(f, h, W, 8).steps]
    assert sum(s.startswith("rows") for s in steps) >= 8 and batches and max(batches) >= 16


def boids_step(P, V):
    """Rougier's boids: a row group whose view reads a value an earlier batch made (the
    earlier batch must hand it on: it was left unset, and the view got None)."""
    n = len(P)
    dx, dy = np.subtract.outer(P[:, 0], P[:, 0]), np.subtract.outer(P[:, 1], P[:, 1])
    D = np.hypot(dx, dy)
    mask_0, mask_1, mask_2 = D > 0, D < 1.0, D < 2.0
    mask_1 *= mask_0
    mask_2 *= mask_0
    c1, c2 = np.maximum(mask_1.sum(axis=1), 1), np.maximum(mask_2.sum(axis=1), 1)
    target = np.dot(mask_2, V) / c2.reshape(n, 1)
    norm = np.sqrt((target * target).sum(axis=1)).reshape(n, 1)
    target *= np.divide(2.0, norm, out=np.zeros_like(norm), where=norm != 0)
    cohesion = np.dot(mask_2, P) / c2.reshape(n, 1) - P
    factor = np.divide(1.0, D ** 2, out=np.zeros_like(D), where=mask_1)
    repulsion = (np.dstack((dx, dy)) * factor[:, :, None]).sum(axis=1) / c1.reshape(n, 1)
    accel = target - V + 0.5 * cohesion + 1.5 * repulsion
    norm = np.sqrt((accel * accel).sum(axis=1)).reshape(n, 1)
    accel *= np.minimum(1.0, 0.03 / np.maximum(norm, 1e-12))
    V = V + accel
    return P + V, V


def test_a_row_groups_view_of_an_earlier_batchs_value():
    P, V = rng.standard_normal((8, 2)), rng.standard_normal((8, 2))
    f = tracenp.jit(boids_step)
    with np.errstate(divide="ignore"):
        for got, want in zip(f(P, V), boids_step(P, V)):
            np.testing.assert_allclose(got, want, rtol=1e-13)
