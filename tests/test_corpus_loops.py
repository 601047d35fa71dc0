"""Corpus of slow NumPy loops: simulations, fixed-iteration solvers, row loops, recurrences.

Each Python loop unrolls while tracing (its count is a shape or a static argument), so the
compiled function is the whole loop. Same protocol as `test_corpus.py`: called twice with new
data of one shape and once with another, under `tracenp.jit`, matching eager NumPy in value
and dtype. Sizes stay small here; `docs/jit.md` ("Loops") gives the measured costs at scale.
"""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from test_corpus import _f, check_against_numpy
from test_ops import assert_same


def euler_decay(x, dt=0.01, steps=25):
    for _ in range(steps):
        x = x + dt * (-x + np.sin(x))
    return x


def heat1d_inplace(u, alpha=0.2, steps=20):
    u = u.copy()
    for _ in range(steps):
        u[1:-1] = u[1:-1] + alpha * (u[2:] - 2 * u[1:-1] + u[:-2])
    return u


def heat1d_laplacian(u, alpha=0.2, steps=20):
    for _ in range(steps):
        lap = np.zeros_like(u)
        lap[1:-1] = u[:-2] - 2 * u[1:-1] + u[2:]
        u = u + alpha * lap
    return u


def heat2d_stencil(u, alpha=0.1, steps=10):
    u = u.copy()
    for _ in range(steps):
        c = u[1:-1, 1:-1]
        u[1:-1, 1:-1] = c + alpha * (u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2]
                                     - 4 * c)
    return u


def wave1d(u, v, c=0.5, steps=15):
    for _ in range(steps):
        lap = np.roll(u, 1) - 2 * u + np.roll(u, -1)
        v = v + c * lap
        u = u + v
    return u, v


def rk4_pendulum(y, dt=0.05, steps=20):
    def f(y):
        return np.stack([y[1], -np.sin(y[0])])
    for _ in range(steps):
        k1 = f(y)
        k2 = f(y + dt / 2 * k1)
        k3 = f(y + dt / 2 * k2)
        k4 = f(y + dt * k3)
        y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y


def nbody_steps(pos, vel, mass, dt=1e-3, steps=5):
    for _ in range(steps):
        d = pos[None, :, :] - pos[:, None, :]
        r2 = (d ** 2).sum(-1) + 1e-2
        acc = (mass[None, :, None] * d / r2[..., None] ** 1.5).sum(axis=1)
        vel = vel + dt * acc
        pos = pos + dt * vel
    return pos, vel


def lotka_volterra(x, y, dt=0.01, steps=50):
    traj = np.empty((steps, 2) + x.shape)
    for t in range(steps):
        x, y = x + dt * (x - x * y), y + dt * (x * y - y)
        traj[t, 0], traj[t, 1] = x, y
    return traj


def jacobi_solve(A, b, iters=25):
    D = np.diag(A)
    R = A - np.diag(D)
    x = np.zeros_like(b)
    for _ in range(iters):
        x = (b - R @ x) / D
    return x


def power_iteration(A, iters=30):
    v = np.ones(A.shape[0])
    for _ in range(iters):
        v = A @ v
        v = v / np.linalg.norm(v)
    return v @ A @ v, v


def gd_least_squares(X, y, lr=0.1, steps=30):
    w = np.zeros(X.shape[1])
    history = []
    for _ in range(steps):
        r = X @ w - y
        w = w - lr * X.T @ r / len(y)
        history.append(0.5 * np.mean(r ** 2))
    return w, np.array(history)


def logistic_regression_gd(X, y, steps=20, lr=0.5):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        w = w - lr * X.T @ (p - y) / len(y)
        b = b - lr * np.mean(p - y)
    return w, b


def row_norms_loop(X):
    out = np.empty(X.shape[0])
    for i in range(X.shape[0]):
        out[i] = np.sqrt((X[i] ** 2).sum())
    return out


def column_standardize_loop(X):
    out = np.zeros_like(X)
    for j in range(X.shape[1]):
        col = X[:, j]
        out[:, j] = (col - col.mean()) / col.std()
    return out


def pairwise_loop(X):
    n = X.shape[0]
    D = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            D[i, j] = D[j, i] = np.linalg.norm(X[i] - X[j])
    return D


def ar1_recurrence(x, a=0.9):
    y = np.zeros_like(x)
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] = a * y[i - 1] + x[i]
    return y


def ewma_loop(x, alpha=0.3):
    out = np.empty_like(x)
    out[0] = x[0]
    for t in range(1, x.shape[0]):
        out[t] = alpha * x[t] + (1 - alpha) * out[t - 1]
    return out


def cumulative_max_loop(x):
    out = x.copy()
    for i in range(1, len(x)):
        out[i] = np.maximum(out[i - 1], x[i])
    return out


def running_stats_rows(X):
    mean = np.zeros(X.shape[1])
    m2 = np.zeros(X.shape[1])
    for k, row in enumerate(X, start=1):
        delta = row - mean
        mean = mean + delta / k
        m2 = m2 + delta * (row - mean)
    return mean, m2 / (len(X) - 1)


def _spd(n, seed):
    m = _f(n, n, seed=seed)
    return m @ m.T / n + n * np.eye(n)


# name: (function, static keyword arguments, args for (seed, size) -> tuple)
CORPUS = {
    "euler_decay": (euler_decay, {}, lambda s, n: (_f(n * 5, seed=s),)),
    "heat1d_inplace": (heat1d_inplace, {}, lambda s, n: (_f(n * 5, seed=s),)),
    "heat1d_laplacian": (heat1d_laplacian, {}, lambda s, n: (_f(n * 5, seed=s),)),
    "heat2d_stencil": (heat2d_stencil, {}, lambda s, n: (_f(n + 2, n + 3, seed=s),)),
    "wave1d": (wave1d, {}, lambda s, n: (_f(n * 4, seed=s), np.zeros(n * 4))),
    "rk4_pendulum": (rk4_pendulum, {}, lambda s, n: (_f(2, n, seed=s),)),
    "nbody_steps": (nbody_steps, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1) * 0.1,
                                                   _f(n, positive=True, seed=s + 2))),
    "lotka_volterra": (lotka_volterra, {}, lambda s, n: (_f(n, positive=True, seed=s),
                                                         _f(n, positive=True, seed=s + 1))),
    "jacobi_solve": (jacobi_solve, {}, lambda s, n: (_spd(n, s), _f(n, seed=s + 1))),
    "power_iteration": (power_iteration, {}, lambda s, n: (_spd(n, s),)),
    "gd_least_squares": (gd_least_squares, {"steps": 30},
                         lambda s, n: (_f(n * 3, 2, seed=s), _f(n * 3, seed=s + 1))),
    "logistic_regression_gd": (logistic_regression_gd, {"steps": 15},
                               lambda s, n: (_f(n * 3, 2, seed=s),
                                             (_f(n * 3, seed=s + 1) > 0).astype(float))),
    "row_norms_loop": (row_norms_loop, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "column_standardize_loop": (column_standardize_loop, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "pairwise_loop": (pairwise_loop, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "ar1_recurrence": (ar1_recurrence, {}, lambda s, n: (_f(n * 4, seed=s),)),
    "ewma_loop": (ewma_loop, {}, lambda s, n: (_f(n * 4, seed=s),)),
    "cumulative_max_loop": (cumulative_max_loop, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "running_stats_rows": (running_stats_rows, {}, lambda s, n: (_f(n, 3, seed=s),)),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_loop_function_matches_numpy(name):
    check_against_numpy(*CORPUS[name])


def test_static_step_count_retraces_per_count():
    """A loop count passed as a static argument is part of the cache key: one trace per count."""
    jf = tracenp.jit(euler_decay, static_argnames=("steps",))
    x = _f(16, seed=9)
    for steps in (3, 7, 3):
        assert_same(jf(x, steps=steps), euler_decay(x, steps=steps))
    assert jf.cache_info().misses == 2


def test_loop_count_from_a_python_int_argument_is_static():
    """`range(n)` of a Python int argument: `n` is made static (one trace per count); a count
    computed from an array stays refused."""
    def f(x, n):
        for _ in range(n):
            x = x * 0.5
        return x
    jf = tracenp.jit(f)
    for n in (3, 3, 5):
        np.testing.assert_array_equal(jf(_f(4), n), f(_f(4), n))
    assert jf.cache_info().misses == 2
    with pytest.raises(tracenp.errors.ConcretizationError, match="static"):
        tracenp.jit(lambda x: f(x, int(x[0] > 0) + 1))(_f(4))


def test_gradient_through_a_recurrence_loop():
    """d sum(y) / d x_j = sum over i >= j of a^(i - j) for y[i] = a * y[i - 1] + x[i]."""
    n, a = 40, 0.9
    g = tracenp.jit(tracenp.grad(lambda x: ar1_recurrence(x, a).sum()))(_f(n, seed=3))
    np.testing.assert_allclose(g, (1 - a ** (n - np.arange(n))) / (1 - a), rtol=1e-12)
