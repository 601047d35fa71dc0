"""Corpus, hunt F: numerical methods and scientific computing as course notes, textbooks'
companion code and research scripts write them: ODE integrators (explicit Euler, RK2/RK4,
leapfrog and velocity Verlet, symplectic Euler, fixed-step loops filling a preallocated
trajectory `ys[i + 1] = ...`, Lorenz, pendulum and predator-prey right-hand sides returning
`np.array([...])` of traced scalars), root finders and adaptive steppers with `while` loops on
tolerances (refused by name; NumPy's values under `fallback=True`), fixed-iteration Newton and
fixed-point iteration, Jacobi, Gauss-Seidel and SOR sweeps, conjugate gradient, power and QR
iteration, Gram-Schmidt, LU without pivoting, Thomas solvers, finite differences (`np.diff`,
`np.gradient` with spacing and `edge_order`, central differences by slicing), heat, wave and
advection steps with boundary rows written into slices, Laplacians by `np.roll` and slicing,
quadrature (trapezoid and Simpson by slicing, `np.trapezoid`, Gauss-Legendre with `leggauss`
nodes, Monte Carlo with a Generator argument), interpolation (`np.interp`, Lagrange and Newton
divided differences, cubic splines by a tridiagonal system and `np.linalg.solve`), polynomials
(`np.polyfit`, `np.polyval`, `np.vander`, Chebyshev nodes), least squares, fixed-step
optimizers, FFT convolution and spectral derivatives, random walks by `np.cumsum` of draws,
statistics (`np.cov`, `np.corrcoef`, `np.histogram`, `np.percentile`, moments), complex
arithmetic, float32 inputs and integer grids (`np.meshgrid`, `np.linspace`, `np.arange` with
float steps, `np.mgrid`).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Forms that cannot be traced raise a named error and run
eagerly under `fallback=True`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_ops import assert_same

# --------------------------------------------------------------------------------- ODE integrators


def lorenz(state, sigma=10.0, rho=28.0, beta=8.0 / 3.0):
    x, y, z = state
    return np.array([sigma * (y - x), x * (rho - z) - y, x * y - beta * z])


def pendulum_rhs(t, y, g=9.81, L=1.0):
    theta, omega = y
    return np.array([omega, -(g / L) * np.sin(theta)])


def lotka_volterra(t, z, a=1.0, b=0.1, c=1.5, d=0.075):
    x, y = z
    return np.array([a * x - b * x * y, -c * y + d * x * y])


def euler_lorenz(y0, dt, n_steps=20):
    ys = np.zeros((n_steps + 1, 3))
    ys[0] = y0
    for i in range(n_steps):
        ys[i + 1] = ys[i] + dt * lorenz(ys[i])
    return ys


def rk4_step(f, t, y, h):
    k1 = f(t, y)
    k2 = f(t + h / 2, y + h / 2 * k1)
    k3 = f(t + h / 2, y + h / 2 * k2)
    k4 = f(t + h, y + h * k3)
    return y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


def rk4_pendulum(y0, h, n=15):
    t = np.arange(n + 1) * h
    ys = np.empty((n + 1, len(y0)))
    ys[0, :] = y0
    for i in range(n):
        ys[i + 1, :] = rk4_step(pendulum_rhs, t[i], ys[i, :], h)
    return t, ys


def rk4_predator_prey(z0, T, n=30):
    h = T / n
    ts = np.linspace(0, T, n + 1)
    zs = [np.asarray(z0, dtype=float)]
    for k in range(n):
        zs.append(rk4_step(lotka_volterra, ts[k], zs[-1], h))
    return ts, np.array(zs)


def midpoint_rk2(f_coef, y0, dt, steps=10):
    y = y0.copy()
    out = [y.copy()]
    for _ in range(steps):
        k1 = -f_coef * y
        k2 = -f_coef * (y + 0.5 * dt * k1)
        y = y + dt * k2
        out.append(y)
    return np.stack(out)


def heun(y0, t0, t1, n=12):
    h = (t1 - t0) / n
    t = t0
    y = y0
    for _ in range(n):
        k1 = np.cos(t) * y
        k2 = np.cos(t + h) * (y + h * k1)
        y = y + 0.5 * h * (k1 + k2)
        t += h
    return y


def leapfrog_oscillator(x0, v0, dt, k=1.0, m=1.0, n=25):
    x = np.zeros(n + 1)
    v = np.zeros(n + 1)
    x[0], v[0] = x0, v0
    a = -k / m * x[0]
    for i in range(n):
        v_half = v[i] + 0.5 * dt * a
        x[i + 1] = x[i] + dt * v_half
        a = -k / m * x[i + 1]
        v[i + 1] = v_half + 0.5 * dt * a
    energy = 0.5 * m * v**2 + 0.5 * k * x**2
    return x, v, energy


def velocity_verlet_nbody(pos, vel, mass, dt, steps=4, eps=0.1):
    def accel(p):
        d = p[np.newaxis, :, :] - p[:, np.newaxis, :]
        r2 = np.sum(d**2, axis=-1) + eps**2
        inv = r2**-1.5
        np.fill_diagonal(inv, 0.0)
        return np.einsum("ij,ijk,j->ik", inv, d, mass)

    a = accel(pos)
    for _ in range(steps):
        pos = pos + vel * dt + 0.5 * a * dt**2
        a_new = accel(pos)
        vel = vel + 0.5 * (a + a_new) * dt
        a = a_new
    return pos, vel


def symplectic_euler(q, p, dt, n=20):
    traj = np.empty((n, 2) + q.shape)
    for i in range(n):
        p = p - dt * np.sin(q)
        q = q + dt * p
        traj[i, 0] = q
        traj[i, 1] = p
    return traj


def euler_vectorized_decay(y0, k, t):
    y = np.zeros((len(t), len(y0)))
    y[0] = y0
    for i in range(1, len(t)):
        dt = t[i] - t[i - 1]
        y[i] = y[i - 1] - k * y[i - 1] * dt
    return y


def implicit_euler_linear(A, y0, h, n=6):
    M = np.eye(A.shape[0]) - h * A
    ys = [y0]
    for _ in range(n):
        ys.append(np.linalg.solve(M, ys[-1]))
    return np.array(ys)


def rk4_system_matrix(A, y0, h, n=8):
    f = lambda y: A @ y
    y = y0
    for _ in range(n):
        k1 = f(y)
        k2 = f(y + h * k1 / 2)
        k3 = f(y + h * k2 / 2)
        k4 = f(y + h * k3)
        y = y + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return y


def projectile_with_drag(v0, angle_deg, dt, n=30, c=0.1, g=9.81):
    th = np.deg2rad(angle_deg)
    state = np.array([0.0, 0.0, v0 * np.cos(th), v0 * np.sin(th)])
    path = np.zeros((n, 2))
    for i in range(n):
        x, y, vx, vy = state
        v = np.hypot(vx, vy)
        state = state + dt * np.array([vx, vy, -c * v * vx, -g - c * v * vy])
        path[i] = state[:2]
    return path


def sir_model(beta, gamma, N, I0, days=40):
    S, I, R = np.zeros(days), np.zeros(days), np.zeros(days)
    S[0], I[0] = N - I0, I0
    for t in range(days - 1):
        new_inf = beta * S[t] * I[t] / N
        new_rec = gamma * I[t]
        S[t + 1] = S[t] - new_inf
        I[t + 1] = I[t] + new_inf - new_rec
        R[t + 1] = R[t] + new_rec
    return S, I, R


def adams_bashforth2(y0, h, lam, n=20):
    y = np.empty(n + 1, dtype=np.result_type(y0, lam))
    y[0] = y0
    y[1] = y0 + h * lam * y0
    for i in range(1, n):
        y[i + 1] = y[i] + h * (1.5 * lam * y[i] - 0.5 * lam * y[i - 1])
    return y


def euler_maruyama(x0, mu, sigma, dW):
    n = dW.shape[0]
    x = np.empty(n + 1)
    x[0] = x0
    dt = 1.0 / n
    for i in range(n):
        x[i + 1] = x[i] + mu * x[i] * dt + sigma * x[i] * dW[i]
    return x


def double_pendulum_rhs(y, m1=1.0, m2=1.0, l1=1.0, l2=1.0, g=9.81):
    t1, w1, t2, w2 = y
    d = t2 - t1
    den1 = (m1 + m2) * l1 - m2 * l1 * np.cos(d) * np.cos(d)
    dw1 = (
        m2 * l1 * w1 * w1 * np.sin(d) * np.cos(d)
        + m2 * g * np.sin(t2) * np.cos(d)
        + m2 * l2 * w2 * w2 * np.sin(d)
        - (m1 + m2) * g * np.sin(t1)
    ) / den1
    den2 = (l2 / l1) * den1
    dw2 = (
        -m2 * l2 * w2 * w2 * np.sin(d) * np.cos(d)
        + (m1 + m2) * g * np.sin(t1) * np.cos(d)
        - (m1 + m2) * l1 * w1 * w1 * np.sin(d)
        - (m1 + m2) * g * np.sin(t2)
    ) / den2
    return np.array([w1, dw1, w2, dw2])


def double_pendulum(y0, dt, n=10):
    Y = np.zeros((n, 4))
    y = y0
    for i in range(n):
        y = y + dt * double_pendulum_rhs(y)
        Y[i] = y
    return Y


def rk45_single_step(y, h):
    f = lambda y: -2.0 * y + np.sin(y)
    k1 = h * f(y)
    k2 = h * f(y + k1 / 4)
    k3 = h * f(y + 3 * k1 / 32 + 9 * k2 / 32)
    k4 = h * f(y + 1932 / 2197 * k1 - 7200 / 2197 * k2 + 7296 / 2197 * k3)
    k5 = h * f(y + 439 / 216 * k1 - 8 * k2 + 3680 / 513 * k3 - 845 / 4104 * k4)
    k6 = h * f(y - 8 / 27 * k1 + 2 * k2 - 3544 / 2565 * k3 + 1859 / 4104 * k4 - 11 / 40 * k5)
    y4 = y + 25 / 216 * k1 + 1408 / 2565 * k3 + 2197 / 4104 * k4 - k5 / 5
    y5 = y + 16 / 135 * k1 + 6656 / 12825 * k3 + 28561 / 56430 * k4 - 9 / 50 * k5 + 2 / 55 * k6
    err = np.max(np.abs(y5 - y4))
    return y5, err, h * min(2.0, 0.9 * (1e-6 / (err + 1e-300)) ** 0.2) if False else (y5, err)


ODE = {
    "euler_lorenz": (euler_lorenz, {}, lambda s, n: (_f(3, seed=s), 0.001 * n)),
    "rk4_pendulum": (rk4_pendulum, {}, lambda s, n: (_f(2, seed=s), 0.01 * n)),
    "rk4_predator_prey": (rk4_predator_prey, {}, lambda s, n: ([10.0 + s, 5.0], float(n))),
    "midpoint_rk2": (midpoint_rk2, {}, lambda s, n: (0.5, _f(n, seed=s), 0.1)),
    "heun": (heun, {}, lambda s, n: (_f(n, seed=s), 0.0, 1.0 + s)),
    "leapfrog_oscillator": (leapfrog_oscillator, {}, lambda s, n: (1.0 * s, 0.5, 0.05 * n)),
    "velocity_verlet_nbody": (
        velocity_verlet_nbody,
        {},
        lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1), _f(n, positive=True, seed=s), 0.01),
    ),
    "symplectic_euler": (
        symplectic_euler,
        {},
        lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1), 0.1),
    ),
    "euler_vectorized_decay": (
        euler_vectorized_decay,
        {},
        lambda s, n: (_f(n, seed=s), 0.3, np.linspace(0, 2, 3 * n)),
    ),
    "implicit_euler_linear": (
        implicit_euler_linear,
        {},
        lambda s, n: (_f(n, n, seed=s) - 2 * np.eye(n), _f(n, seed=s), 0.1),
    ),
    "rk4_system_matrix": (
        rk4_system_matrix,
        {},
        lambda s, n: (_f(n, n, seed=s), _f(n, seed=s), 0.05),
    ),
    "projectile_with_drag": (projectile_with_drag, {}, lambda s, n: (10.0 + s, 30 + n, 0.01)),
    "sir_model": (sir_model, {}, lambda s, n: (0.3, 0.1, 1000 * n, s)),
    "adams_bashforth2": (adams_bashforth2, {}, lambda s, n: (1.0 + s, 0.01 * n, -2.0)),
    "adams_bashforth2_complex": (adams_bashforth2, {}, lambda s, n: (1.0, 0.01 * n, -1.0 + 2j * s)),
    "euler_maruyama": (euler_maruyama, {}, lambda s, n: (1.0, 0.05, 0.2, _f(5 * n, seed=s) * 0.1)),
    "double_pendulum": (double_pendulum, {}, lambda s, n: (_f(4, seed=s), 0.001 * n)),
    "rk45_single_step": (rk45_single_step, {}, lambda s, n: (_f(n, seed=s), 0.1)),
}


@pytest.mark.parametrize("name", list(ODE))
def test_ode_matches_numpy(name):
    check_like_numpy(*ODE[name])


# ---------------------------------------------------------------------------------- linear solvers


def spd(s, n):
    a = _f(n, n, seed=s)
    return a @ a.T + n * np.eye(n)


def diag_dominant(s, n):
    a = _f(n, n, seed=s)
    return a + np.diag(np.abs(a).sum(axis=1) + 1.0)


def jacobi(A, b, iters=25):
    x = np.zeros_like(b)
    D = np.diag(A)
    R = A - np.diagflat(D)
    for _ in range(iters):
        x = (b - np.dot(R, x)) / D
    return x


def jacobi_loops(A, b, iters=10):
    n = len(b)
    x = np.zeros(n)
    for _ in range(iters):
        x_new = np.zeros_like(x)
        for i in range(n):
            s1 = np.dot(A[i, :i], x[:i])
            s2 = np.dot(A[i, i + 1 :], x[i + 1 :])
            x_new[i] = (b[i] - s1 - s2) / A[i, i]
        x = x_new
    return x


def gauss_seidel(A, b, x0, iters=8):
    x = x0.copy()
    n = A.shape[0]
    for _ in range(iters):
        for i in range(n):
            sigma = A[i] @ x - A[i, i] * x[i]
            x[i] = (b[i] - sigma) / A[i, i]
    return x, np.linalg.norm(A @ x - b)


def sor(A, b, omega=1.25, iters=8):
    x = np.zeros(len(b))
    for _ in range(iters):
        for i in range(len(b)):
            s = sum(A[i][j] * x[j] for j in range(len(b)) if j != i)
            x[i] = (1 - omega) * x[i] + omega * (b[i] - s) / A[i][i]
    return x


def conjugate_gradient(A, b, iters=6):
    x = np.zeros_like(b)
    r = b - A @ x
    p = r.copy()
    rs_old = r @ r
    for _ in range(iters):
        Ap = A @ p
        alpha = rs_old / (p @ Ap)
        x += alpha * p
        r -= alpha * Ap
        rs_new = r @ r
        p = r + (rs_new / rs_old) * p
        rs_old = rs_new
    return x, np.sqrt(rs_old)


def steepest_descent(A, b, iters=10):
    x = np.zeros(b.shape)
    for k in range(iters):
        r = b - A.dot(x)
        alpha = r.dot(r) / r.dot(A.dot(r))
        x = x + alpha * r
    return x


def power_iteration(A, iters=30):
    v = np.ones(A.shape[1]) / np.sqrt(A.shape[1])
    for _ in range(iters):
        w = A @ v
        v = w / np.linalg.norm(w)
    lam = v @ A @ v
    return lam, v


def inverse_iteration(A, mu, iters=5):
    n = A.shape[0]
    x = np.ones(n)
    B = A - mu * np.identity(n)
    for _ in range(iters):
        x = np.linalg.solve(B, x)
        x /= np.linalg.norm(x, ord=np.inf)
    return x, (x @ A @ x) / (x @ x)


def qr_iteration(A, iters=20):
    Ak = A.copy()
    Q_total = np.eye(A.shape[0])
    for _ in range(iters):
        Q, R = np.linalg.qr(Ak)
        Ak = R @ Q
        Q_total = Q_total @ Q
    return np.diag(Ak), Ak


def classical_gram_schmidt(A):
    m, n = A.shape
    Q = np.zeros((m, n))
    R = np.zeros((n, n))
    for j in range(n):
        v = A[:, j]
        for i in range(j):
            R[i, j] = Q[:, i] @ A[:, j]
            v = v - R[i, j] * Q[:, i]
        R[j, j] = np.linalg.norm(v)
        Q[:, j] = v / R[j, j]
    return Q, R


def modified_gram_schmidt(A):
    A = np.array(A, dtype=float)
    m, n = A.shape
    Q = np.zeros((m, n))
    R = np.zeros((n, n))
    V = A.copy()
    for i in range(n):
        R[i, i] = np.linalg.norm(V[:, i])
        Q[:, i] = V[:, i] / R[i, i]
        for j in range(i + 1, n):
            R[i, j] = np.dot(Q[:, i], V[:, j])
            V[:, j] -= R[i, j] * Q[:, i]
    return Q, R


def householder_qr(A):
    m, n = A.shape
    R = A.astype(float).copy()
    Q = np.eye(m)
    for k in range(n):
        x = R[k:, k]
        e = np.zeros_like(x)
        e[0] = np.linalg.norm(x) * np.sign(x[0])
        u = x + e
        u = u / np.linalg.norm(u)
        R[k:, :] -= 2.0 * np.outer(u, u @ R[k:, :])
        Q[:, k:] -= 2.0 * np.outer(Q[:, k:] @ u, u)
    return Q, np.triu(R)


def lu_no_pivot(A):
    n = A.shape[0]
    L = np.eye(n)
    U = A.copy()
    for k in range(n - 1):
        for i in range(k + 1, n):
            L[i, k] = U[i, k] / U[k, k]
            U[i, k:] = U[i, k:] - L[i, k] * U[k, k:]
    return L, U


def lu_doolittle(A):
    n = len(A)
    L = np.zeros((n, n))
    U = np.zeros((n, n))
    for i in range(n):
        for k in range(i, n):
            U[i, k] = A[i, k] - sum(L[i, j] * U[j, k] for j in range(i))
        for k in range(i, n):
            if i == k:
                L[i, i] = 1
            else:
                L[k, i] = (A[k, i] - sum(L[k, j] * U[j, i] for j in range(i))) / U[i, i]
    return L, U


def forward_back_substitution(L, U, b):
    n = len(b)
    y = np.zeros(n)
    for i in range(n):
        y[i] = b[i] - L[i, :i] @ y[:i]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        x[i] = (y[i] - U[i, i + 1 :] @ x[i + 1 :]) / U[i, i]
    return x


def gauss_elimination(A, b):
    A = A.astype(np.float64)
    b = b.astype(np.float64)
    n = len(b)
    for k in range(n - 1):
        for i in range(k + 1, n):
            factor = A[i, k] / A[k, k]
            A[i, k:] -= factor * A[k, k:]
            b[i] -= factor * b[k]
    x = np.zeros(n)
    x[n - 1] = b[n - 1] / A[n - 1, n - 1]
    for i in range(n - 2, -1, -1):
        x[i] = (b[i] - np.sum(A[i, i + 1 :] * x[i + 1 :])) / A[i, i]
    return x


def cholesky_banachiewicz(A):
    n = A.shape[0]
    L = np.zeros_like(A)
    for i in range(n):
        for j in range(i + 1):
            s = np.dot(L[i, :j], L[j, :j])
            if i == j:
                L[i, j] = np.sqrt(A[i, i] - s)
            else:
                L[i, j] = (A[i, j] - s) / L[j, j]
    return L


def thomas(a, b, c, d):
    n = len(d)
    cp = np.zeros(n - 1)
    dp = np.zeros(n)
    cp[0] = c[0] / b[0]
    dp[0] = d[0] / b[0]
    for i in range(1, n):
        denom = b[i] - a[i - 1] * cp[i - 1]
        if i < n - 1:
            cp[i] = c[i] / denom
        dp[i] = (d[i] - a[i - 1] * dp[i - 1]) / denom
    x = np.zeros(n)
    x[-1] = dp[-1]
    for i in range(n - 2, -1, -1):
        x[i] = dp[i] - cp[i] * x[i + 1]
    return x


def thomas_inplace(a, b, c, d):
    """TDMA as the Wikipedia code writes it: overwrites copies of its inputs."""
    nf = len(d)
    ac, bc, cc, dc = map(np.array, (a, b, c, d))
    for it in range(1, nf):
        mc = ac[it - 1] / bc[it - 1]
        bc[it] = bc[it] - mc * cc[it - 1]
        dc[it] = dc[it] - mc * dc[it - 1]
    xc = bc
    xc[-1] = dc[-1] / bc[-1]
    for il in range(nf - 2, -1, -1):
        xc[il] = (dc[il] - cc[il] * xc[il + 1]) / bc[il]
    return xc


def tridiag_matrix_solve(h, n):
    main = 2.0 * np.ones(n) / h**2
    off = -1.0 * np.ones(n - 1) / h**2
    A = np.diag(main) + np.diag(off, k=1) + np.diag(off, k=-1)
    x = np.linspace(h, 1 - h, n)
    f = np.sin(np.pi * x)
    return np.linalg.solve(A, f)


def normal_equations(X, y):
    Xb = np.c_[np.ones((X.shape[0], 1)), X]
    theta = np.linalg.inv(Xb.T.dot(Xb)).dot(Xb.T).dot(y)
    return theta, Xb @ theta


def lstsq_line(x, y):
    A = np.vstack([x, np.ones(len(x))]).T
    m, c = np.linalg.lstsq(A, y, rcond=None)[0]
    return m, c


def lstsq_full(x, y):
    A = np.column_stack((x**2, x, np.ones_like(x)))
    coef, res, rank, sv = np.linalg.lstsq(A, y, rcond=None)
    return coef, res, rank, sv


def pinv_fit(x, y):
    V = np.vander(x, 3)
    return np.linalg.pinv(V) @ y, np.linalg.cond(V)


def residual_norms(A, x, b):
    r = b - A @ x
    return (
        np.linalg.norm(r),
        np.linalg.norm(r, 1),
        np.linalg.norm(r, np.inf),
        np.linalg.norm(A, "fro"),
        np.linalg.norm(A, 2),
        np.linalg.norm(A, -np.inf),
    )


def rayleigh_quotient_iteration(A, x, iters=3):
    x = x / np.linalg.norm(x)
    for _ in range(iters):
        mu = x @ A @ x
        y = np.linalg.solve(A - mu * np.eye(len(x)), x)
        x = y / np.linalg.norm(y)
    return x @ A @ x


def eig_check(A):
    w, v = np.linalg.eigh(A)
    return w, np.abs(np.linalg.det(v)), np.allclose(A @ v, v * w)


def hilbert_condition(n):
    i, j = np.indices((n, n))
    H = 1.0 / (i + j + 1)
    return np.linalg.cond(H), np.linalg.det(H), np.trace(np.linalg.inv(H))


LINALG = {
    "jacobi": (jacobi, {}, lambda s, n: (diag_dominant(s, n), _f(n, seed=s))),
    "jacobi_loops": (jacobi_loops, {}, lambda s, n: (diag_dominant(s, n), _f(n, seed=s))),
    "gauss_seidel": (
        gauss_seidel,
        {},
        lambda s, n: (diag_dominant(s, n), _f(n, seed=s), np.zeros(n)),
    ),
    "sor": (sor, {}, lambda s, n: (diag_dominant(s, n), _f(n, seed=s))),
    "sor_lists": (sor, {}, lambda s, n: (diag_dominant(s, n).tolist(), list(_f(n, seed=s)))),
    "conjugate_gradient": (conjugate_gradient, {}, lambda s, n: (spd(s, n), _f(n, seed=s))),
    "steepest_descent": (steepest_descent, {}, lambda s, n: (spd(s, n), _f(n, seed=s))),
    "power_iteration": (power_iteration, {}, lambda s, n: (spd(s, n),)),
    "inverse_iteration": (inverse_iteration, {}, lambda s, n: (spd(s, n), 0.5)),
    "qr_iteration": (qr_iteration, {}, lambda s, n: (spd(s, n),)),
    "classical_gram_schmidt": (classical_gram_schmidt, {}, lambda s, n: (_f(n + 2, n, seed=s),)),
    "modified_gram_schmidt": (modified_gram_schmidt, {}, lambda s, n: (_f(n + 2, n, seed=s),)),
    "modified_gram_schmidt_int": (
        modified_gram_schmidt,
        {},
        lambda s, n: (_i(9, n + 2, n, seed=s) + np.eye(n + 2, n, dtype=int) * 10,),
    ),
    "householder_qr": (householder_qr, {}, lambda s, n: (_f(n + 1, n, seed=s),)),
    "lu_no_pivot": (lu_no_pivot, {}, lambda s, n: (diag_dominant(s, n),)),
    "lu_doolittle": (lu_doolittle, {}, lambda s, n: (diag_dominant(s, n),)),
    "forward_back_substitution": (
        forward_back_substitution,
        {},
        lambda s, n: (
            np.tril(_f(n, n, seed=s), -1) + np.eye(n),
            np.triu(diag_dominant(s, n)),
            _f(n, seed=s),
        ),
    ),
    "gauss_elimination": (gauss_elimination, {}, lambda s, n: (diag_dominant(s, n), _f(n, seed=s))),
    "gauss_elimination_int": (
        gauss_elimination,
        {},
        lambda s, n: (_i(5, n, n, seed=s) + 10 * np.eye(n, dtype=int), _i(9, n, seed=s)),
    ),
    "cholesky_banachiewicz": (cholesky_banachiewicz, {}, lambda s, n: (spd(s, n),)),
    "thomas": (
        thomas,
        {},
        lambda s, n: (
            _f(n - 1, seed=s),
            4 + _f(n, seed=s + 1),
            _f(n - 1, seed=s + 2),
            _f(n, seed=s + 3),
        ),
    ),
    "thomas_inplace": (
        thomas_inplace,
        {},
        lambda s, n: (
            _f(n - 1, seed=s),
            4 + _f(n, seed=s + 1),
            _f(n - 1, seed=s + 2),
            _f(n, seed=s + 3),
        ),
    ),
    "tridiag_matrix_solve": (tridiag_matrix_solve, {"n": 6}, lambda s, n: (1.0 / (n + 1),)),
    "normal_equations": (
        normal_equations,
        {},
        lambda s, n: (_f(n + 3, 2, seed=s), _f(n + 3, seed=s)),
    ),
    "lstsq_line": (lstsq_line, {}, lambda s, n: (np.arange(n + 2.0), _f(n + 2, seed=s))),
    "lstsq_full": (lstsq_full, {}, lambda s, n: (np.linspace(0, 1, n + 3), _f(n + 3, seed=s))),
    "pinv_fit": (pinv_fit, {}, lambda s, n: (np.linspace(0, 1, n + 3), _f(n + 3, seed=s))),
    "residual_norms": (residual_norms, {}, lambda s, n: (_f(n, n, seed=s), _f(n, seed=s), _f(n))),
    "rayleigh_quotient_iteration": (
        rayleigh_quotient_iteration,
        {},
        lambda s, n: (spd(s, n), _f(n, seed=s)),
    ),
    "eig_check": (eig_check, {}, lambda s, n: (spd(s, n),)),
    "hilbert_condition": (hilbert_condition, {"n": 5}, lambda s, n: ()),
}


@pytest.mark.parametrize("name", list(LINALG))
def test_linalg_matches_numpy(name):
    check_like_numpy(*LINALG[name])


def _single(make):
    """The same arguments in float32, as scripts that load single-precision data pass them."""

    def cast(s, n):
        return tuple(
            a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
            for a in make(s, n)
        )

    return cast


def _complex(make):
    """The same arguments with a small imaginary part."""

    def cast(s, n):
        return tuple(
            a + 0.1j * np.ones_like(a) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
            for a in make(s, n)
        )

    return cast


PRECISIONS = {
    f"{name}_{kind}": (LINALG[name][0], LINALG[name][1], wrap(LINALG[name][2]))
    for name in (
        "jacobi",
        "gauss_seidel",
        "power_iteration",
        "qr_iteration",
        "modified_gram_schmidt",
        "householder_qr",
        "lu_no_pivot",
        "lu_doolittle",
        "gauss_elimination",
        "cholesky_banachiewicz",
        "thomas",
        "conjugate_gradient",
        "steepest_descent",
        "normal_equations",
        "lstsq_line",
        "sor",
    )
    for kind, wrap in (("f32", _single), ("complex", _complex))
}


@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")
@pytest.mark.parametrize("name", list(PRECISIONS))
def test_solvers_in_other_precisions_match_numpy(name):
    """The iterative and direct solvers above on float32 and complex matrices: NumPy's
    promotions when float32 or complex values are written into `np.zeros(n)` buffers and mixed
    with float64 scalars."""
    check_like_numpy(*PRECISIONS[name])


# ------------------------------------------------------------------------ finite differences, PDEs


def central_difference(f, h):
    df = np.zeros_like(f)
    df[1:-1] = (f[2:] - f[:-2]) / (2 * h)
    df[0] = (f[1] - f[0]) / h
    df[-1] = (f[-1] - f[-2]) / h
    return df


def second_derivative(f, dx):
    d2 = np.empty_like(f)
    d2[1:-1] = (f[:-2] - 2 * f[1:-1] + f[2:]) / dx**2
    d2[0] = d2[1]
    d2[-1] = d2[-2]
    return d2


def gradient_forms(y, x, dx):
    return (
        np.gradient(y),
        np.gradient(y, dx),
        np.gradient(y, x),
        np.gradient(y, x, edge_order=2),
        np.gradient(y, dx, edge_order=2),
    )


def gradient_2d(Z, dx, dy):
    gy, gx = np.gradient(Z, dy, dx)
    gx2 = np.gradient(Z, axis=1)
    return gx, gy, np.hypot(gx, gy), gx2


def gradient_nonuniform_2d(Z, x, y):
    dZdy, dZdx = np.gradient(Z, y, x, edge_order=2)
    return dZdx, dZdy


def diff_forms(x, t):
    return (
        np.diff(x),
        np.diff(x, n=2),
        np.diff(x) / np.diff(t),
        np.diff(x, prepend=0),
        np.diff(x, append=x[-1]),
        np.diff(x, prepend=x[0]),
    )


def diff_2d(a):
    return np.diff(a, axis=0), np.diff(a, axis=1, n=2), np.diff(a, axis=-1, prepend=0.0)


def fd_weights_matrix(n, h):
    D = (np.diag(np.ones(n - 1), 1) - np.diag(np.ones(n - 1), -1)) / (2 * h)
    D[0, :3] = np.array([-3, 4, -1]) / (2 * h)
    D[-1, -3:] = np.array([1, -4, 3]) / (2 * h)
    return D


def fd_matrix_apply(u, h):
    D = fd_weights_matrix(len(u), h)
    return D @ u


def heat_explicit(u0, alpha, dx, dt, steps=20):
    u = u0.copy()
    r = alpha * dt / dx**2
    for n in range(steps):
        u[1:-1] = u[1:-1] + r * (u[2:] - 2 * u[1:-1] + u[:-2])
        u[0] = 0.0
        u[-1] = 0.0
    return u


def heat_explicit_history(u0, r, steps=10):
    nx = len(u0)
    U = np.zeros((steps + 1, nx))
    U[0, :] = u0
    for n in range(steps):
        un = U[n].copy()
        U[n + 1, 1 : nx - 1] = un[1 : nx - 1] + r * (un[2:nx] - 2 * un[1 : nx - 1] + un[0 : nx - 2])
        U[n + 1, 0] = 1.0
        U[n + 1, -1] = U[n + 1, -2]
    return U


def heat_loop_copy(u, nu, dt, dx, nt=8):
    for n in range(nt):
        un = u.copy()
        for i in range(1, len(u) - 1):
            u[i] = un[i] + nu * dt / dx**2 * (un[i + 1] - 2 * un[i] + un[i - 1])
    return u


def crank_nicolson(u0, r, steps=5):
    n = len(u0)
    A = (
        np.diag((1 + r) * np.ones(n))
        + np.diag(-r / 2 * np.ones(n - 1), 1)
        + np.diag(-r / 2 * np.ones(n - 1), -1)
    )
    B = (
        np.diag((1 - r) * np.ones(n))
        + np.diag(r / 2 * np.ones(n - 1), 1)
        + np.diag(r / 2 * np.ones(n - 1), -1)
    )
    u = u0
    for _ in range(steps):
        u = np.linalg.solve(A, B @ u)
    return u


def wave_1d(u0, c, dx, dt, steps=15):
    C2 = (c * dt / dx) ** 2
    u_prev = u0.copy()
    u = u0.copy()
    u[1:-1] = u0[1:-1] + 0.5 * C2 * (u0[2:] - 2 * u0[1:-1] + u0[:-2])
    for _ in range(steps):
        u_next = np.zeros_like(u)
        u_next[1:-1] = 2 * u[1:-1] - u_prev[1:-1] + C2 * (u[2:] - 2 * u[1:-1] + u[:-2])
        u_prev, u = u, u_next
    return u


def advection_upwind(u, c, dx, dt, nt=10):
    for _ in range(nt):
        u[1:] = u[1:] - c * dt / dx * (u[1:] - u[:-1])
    return u


def advection_periodic_roll(u, c, dx, dt, nt=10):
    for _ in range(nt):
        u = u - c * dt / dx * (u - np.roll(u, 1))
    return u


def lax_wendroff(u, C, nt=6):
    for _ in range(nt):
        up, um = np.roll(u, -1), np.roll(u, 1)
        u = u - 0.5 * C * (up - um) + 0.5 * C**2 * (up - 2 * u + um)
    return u


def burgers_inviscid(u, dt, dx, nt=5):
    un = np.empty_like(u)
    for n in range(nt):
        un[:] = u
        u[1:] = un[1:] - un[1:] * dt / dx * (un[1:] - un[:-1])
    return u


def laplacian_roll_2d(Z, dx):
    return (
        np.roll(Z, 1, axis=0)
        + np.roll(Z, -1, axis=0)
        + np.roll(Z, 1, axis=1)
        + np.roll(Z, -1, axis=1)
        - 4 * Z
    ) / dx**2


def laplacian_slice_2d(Z, dx):
    Ztop = Z[0:-2, 1:-1]
    Zleft = Z[1:-1, 0:-2]
    Zbottom = Z[2:, 1:-1]
    Zright = Z[1:-1, 2:]
    Zcenter = Z[1:-1, 1:-1]
    return (Ztop + Zleft + Zbottom + Zright - 4 * Zcenter) / dx**2


def heat_2d(u, alpha, dt, dx, steps=5):
    for _ in range(steps):
        u[1:-1, 1:-1] = u[1:-1, 1:-1] + alpha * dt / dx**2 * (
            u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2] - 4 * u[1:-1, 1:-1]
        )
    return u


def jacobi_poisson_2d(f, h, iters=20):
    u = np.zeros_like(f)
    for _ in range(iters):
        u_new = u.copy()
        u_new[1:-1, 1:-1] = 0.25 * (
            u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2] - h**2 * f[1:-1, 1:-1]
        )
        u = u_new
    return u


def laplace_boundary_rows(top, nx, ny, iters=30):
    p = np.zeros((ny, nx))
    p[-1, :] = top
    for it in range(iters):
        pn = p.copy()
        p[1:-1, 1:-1] = ((pn[1:-1, 2:] + pn[1:-1, 0:-2]) + (pn[2:, 1:-1] + pn[0:-2, 1:-1])) / 4
        p[:, 0] = 0
        p[:, -1] = p[:, -2]
        p[0, :] = p[1, :]
        p[-1, :] = top
    return p


def red_black_gauss_seidel(u, f, h, sweeps=4):
    ny, nx = u.shape
    I, J = np.meshgrid(np.arange(nx), np.arange(ny))
    red = (I + J) % 2 == 0
    red[0, :] = red[-1, :] = red[:, 0] = red[:, -1] = False
    black = (I + J) % 2 == 1
    black[0, :] = black[-1, :] = black[:, 0] = black[:, -1] = False
    for _ in range(sweeps):
        for mask in (red, black):
            nb = np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1) + np.roll(u, -1, 1)
            u[mask] = 0.25 * (nb[mask] - h * h * f[mask])
    return u


def gray_scott(U, V, Du, Dv, F, k, steps=4):
    for _ in range(steps):
        Lu = laplacian_roll_2d(U, 1.0)
        Lv = laplacian_roll_2d(V, 1.0)
        uvv = U * V * V
        U += Du * Lu - uvv + F * (1 - U)
        V += Dv * Lv + uvv - (F + k) * V
    return U, V


def schrodinger_split_step(psi, V, dx, dt, steps=3):
    k = 2 * np.pi * np.fft.fftfreq(len(psi), d=dx)
    for _ in range(steps):
        psi = psi * np.exp(-0.5j * V * dt)
        psi = np.fft.ifft(np.exp(-0.5j * k**2 * dt) * np.fft.fft(psi))
        psi = psi * np.exp(-0.5j * V * dt)
    return psi, np.sum(np.abs(psi) ** 2) * dx


PDE = {
    "central_difference": (
        central_difference,
        {},
        lambda s, n: (np.sin(np.linspace(0, s, n + 3)), 0.1),
    ),
    "second_derivative": (second_derivative, {}, lambda s, n: (_f(n + 3, seed=s), 0.1)),
    "gradient_forms": (
        gradient_forms,
        {},
        lambda s, n: (_f(n + 2, seed=s), np.cumsum(_f(n + 2, positive=True)), 0.2),
    ),
    "gradient_forms_f32": (
        gradient_forms,
        {},
        lambda s, n: (
            _f(n + 2, seed=s).astype(np.float32),
            np.cumsum(_f(n + 2, positive=True)).astype(np.float32),
            0.2,
        ),
    ),
    "gradient_forms_int": (
        gradient_forms,
        {},
        lambda s, n: (_i(9, n + 2, seed=s), np.arange(n + 2) * 2, 2),
    ),
    "gradient_2d": (gradient_2d, {}, lambda s, n: (_f(n, 5, seed=s), 0.1, 0.2)),
    "gradient_nonuniform_2d": (
        gradient_nonuniform_2d,
        {},
        lambda s, n: (
            _f(n, 5, seed=s),
            np.cumsum(_f(5, positive=True)),
            np.cumsum(_f(n, positive=True, seed=s)),
        ),
    ),
    "diff_forms": (
        diff_forms,
        {},
        lambda s, n: (_f(n + 2, seed=s), np.cumsum(_f(n + 2, positive=True))),
    ),
    "diff_forms_int": (diff_forms, {}, lambda s, n: (_i(9, n + 2, seed=s), np.arange(n + 2))),
    "diff_2d": (diff_2d, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "diff_2d_bool": (lambda a: np.diff(a > 0, axis=0), {}, lambda s, n: (_f(n, 5, seed=s),)),
    "fd_matrix_apply": (fd_matrix_apply, {}, lambda s, n: (_f(n + 2, seed=s), 0.1)),
    "heat_explicit": (heat_explicit, {}, lambda s, n: (_f(n + 3, seed=s), 1.0, 0.1, 0.004)),
    "heat_explicit_history": (heat_explicit_history, {}, lambda s, n: (_f(n + 3, seed=s), 0.4)),
    "heat_loop_copy": (heat_loop_copy, {}, lambda s, n: (_f(n + 3, seed=s), 0.3, 0.01, 0.1)),
    "crank_nicolson": (crank_nicolson, {}, lambda s, n: (_f(n + 2, seed=s), 0.5)),
    "wave_1d": (
        wave_1d,
        {},
        lambda s, n: (np.sin(np.linspace(0, np.pi, n + 4)) * s, 1.0, 0.1, 0.05),
    ),
    "advection_upwind": (advection_upwind, {}, lambda s, n: (_f(n + 3, seed=s), 1.0, 0.1, 0.05)),
    "advection_periodic_roll": (
        advection_periodic_roll,
        {},
        lambda s, n: (_f(n + 3, seed=s).astype(np.float32), 1.0, 0.1, 0.05),
    ),
    "lax_wendroff": (lax_wendroff, {}, lambda s, n: (_f(n + 3, seed=s), 0.5)),
    "burgers_inviscid": (
        burgers_inviscid,
        {},
        lambda s, n: (1 + _f(n + 3, positive=True, seed=s), 0.01, 0.1),
    ),
    "laplacian_roll_2d": (laplacian_roll_2d, {}, lambda s, n: (_f(n, 5, seed=s), 0.5)),
    "laplacian_slice_2d": (laplacian_slice_2d, {}, lambda s, n: (_f(n, 5, seed=s), 0.5)),
    "heat_2d": (heat_2d, {}, lambda s, n: (_f(n, 5, seed=s), 0.2, 0.1, 1.0)),
    "heat_2d_f32": (heat_2d, {}, lambda s, n: (_f(n, 5, seed=s).astype(np.float32), 0.2, 0.1, 1.0)),
    "jacobi_poisson_2d": (jacobi_poisson_2d, {}, lambda s, n: (_f(n + 2, 6, seed=s), 0.1)),
    "laplace_boundary_rows": (
        laplace_boundary_rows,
        {"nx": 6, "ny": 5},
        lambda s, n: (_f(6, seed=s + n),),
    ),
    "red_black_gauss_seidel": (
        red_black_gauss_seidel,
        {},
        lambda s, n: (_f(n + 2, 5, seed=s), _f(n + 2, 5, seed=s + 1), 0.1),
    ),
    "gray_scott": (
        gray_scott,
        {},
        lambda s, n: (
            1 - 0.1 * _f(n, 5, positive=True, seed=s),
            0.1 * _f(n, 5, positive=True, seed=s + 1),
            0.16,
            0.08,
            0.035,
            0.065,
        ),
    ),
    "schrodinger_split_step": (
        schrodinger_split_step,
        {},
        lambda s, n: (
            np.exp(-(np.linspace(-3, 3, 2 * n) ** 2) + 1j * s * np.linspace(-3, 3, 2 * n)),
            np.linspace(-3, 3, 2 * n) ** 2,
            6 / (2 * n),
            0.01,
        ),
    ),
}


@pytest.mark.parametrize("name", list(PDE))
def test_pde_matches_numpy(name):
    check_like_numpy(*PDE[name])


# ----------------------------------------------------------------------- quadrature, interpolation


def trapezoid_slices(a, b, f=np.sin, n=16):
    x = np.linspace(a, b, n + 1)
    y = f(x)
    h = (b - a) / n
    return h * (0.5 * y[0] + y[1:-1].sum() + 0.5 * y[-1]), h / 2 * np.sum(y[:-1] + y[1:])


def simpson(a, b, f=np.exp, n=16):
    x = np.linspace(a, b, n + 1)
    y = f(x)
    h = (b - a) / n
    return h / 3 * (y[0] + 4 * np.sum(y[1:-1:2]) + 2 * np.sum(y[2:-1:2]) + y[-1])


def simpson_weights(y, dx):
    n = len(y)
    w = np.ones(n)
    w[1:-1:2] = 4
    w[2:-1:2] = 2
    return dx / 3 * np.dot(w, y)


def np_trapezoid_forms(y, x, dx):
    return (
        np.trapezoid(y, x),
        np.trapezoid(y, dx=dx),
        np.trapezoid(y),
        np.trapezoid(y * y, x=x),
        np.trapezoid(np.vstack([y, 2 * y]), x, axis=1),
    )


def cumulative_trapezoid(y, x):
    out = np.zeros_like(y)
    out[1:] = np.cumsum(0.5 * (y[1:] + y[:-1]) * np.diff(x))
    return out


def midpoint_rule(a, b, k, n=20):
    h = (b - a) / n
    xm = a + h * (np.arange(n) + 0.5)
    return h * np.sum(np.exp(-k * xm**2))


def gauss_legendre(a, b, k, deg=5):
    x, w = np.polynomial.legendre.leggauss(deg)
    t = 0.5 * (x + 1) * (b - a) + a
    return 0.5 * (b - a) * np.sum(w * np.cos(k * t))


def gauss_legendre_2d(c, deg=4):
    x, w = np.polynomial.legendre.leggauss(deg)
    X, Y = np.meshgrid(x, x)
    W = np.outer(w, w)
    return np.sum(W * np.exp(-c * (X**2 + Y**2)))


def romberg_fixed(a, b, levels=4):
    R = np.zeros((levels, levels))
    f = lambda x: np.sin(x) ** 2
    h = b - a
    R[0, 0] = 0.5 * h * (f(a) + f(b))
    for i in range(1, levels):
        h /= 2
        xs = a + h * np.arange(1, 2**i, 2)
        R[i, 0] = 0.5 * R[i - 1, 0] + h * np.sum(f(xs))
        for j in range(1, i + 1):
            R[i, j] = R[i, j - 1] + (R[i, j - 1] - R[i - 1, j - 1]) / (4**j - 1)
    return R[-1, -1], R


def monte_carlo_pi(rng, n=1000):
    pts = rng.random((n, 2))
    inside = np.sum(pts[:, 0] ** 2 + pts[:, 1] ** 2 <= 1.0)
    return 4 * inside / n


def monte_carlo_integral(rng, a, b, n=500):
    x = rng.uniform(a, b, n)
    fx = np.exp(-(x**2))
    est = (b - a) * fx.mean()
    err = (b - a) * fx.std(ddof=1) / np.sqrt(n)
    return est, err


def lagrange_interp(xs, ys, x):
    total = np.zeros_like(x)
    n = len(xs)
    for i in range(n):
        L = np.ones_like(x)
        for j in range(n):
            if i != j:
                L *= (x - xs[j]) / (xs[i] - xs[j])
        total += ys[i] * L
    return total


def newton_divided_differences(x, y):
    n = len(y)
    coef = np.zeros([n, n])
    coef[:, 0] = y
    for j in range(1, n):
        for i in range(n - j):
            coef[i][j] = (coef[i + 1][j - 1] - coef[i][j - 1]) / (x[i + j] - x[i])
    return coef[0, :]


def newton_poly_eval(x_data, y_data, x):
    a = newton_divided_differences(x_data, y_data)
    n = len(x_data) - 1
    p = a[n]
    for k in range(1, n + 1):
        p = a[n - k] + (x - x_data[n - k]) * p
    return p


def divided_differences_inplace(x, y):
    a = np.copy(y).astype(float)
    m = len(x)
    for k in range(1, m):
        a[k:m] = (a[k:m] - a[k - 1]) / (x[k:m] - x[k - 1])
    return a


def natural_cubic_spline(x, y, xq):
    n = len(x) - 1
    h = np.diff(x)
    A = np.zeros((n + 1, n + 1))
    rhs = np.zeros(n + 1)
    A[0, 0] = 1.0
    A[n, n] = 1.0
    for i in range(1, n):
        A[i, i - 1] = h[i - 1]
        A[i, i] = 2 * (h[i - 1] + h[i])
        A[i, i + 1] = h[i]
        rhs[i] = 3 * (y[i + 1] - y[i]) / h[i] - 3 * (y[i] - y[i - 1]) / h[i - 1]
    c = np.linalg.solve(A, rhs)
    b = (y[1:] - y[:-1]) / h - h * (2 * c[:-1] + c[1:]) / 3
    d = (c[1:] - c[:-1]) / (3 * h)
    idx = np.clip(np.searchsorted(x, xq) - 1, 0, n - 1)
    dx = xq - x[idx]
    return y[idx] + b[idx] * dx + c[idx] * dx**2 + d[idx] * dx**3


def interp_forms(xq, x, y):
    return (
        np.interp(xq, x, y),
        np.interp(xq, x, y, left=0.0, right=0.0),
        np.interp(xq, x, y, period=2 * np.pi),
        np.interp(2.5, x, y),
    )


def linear_interp_manual(x, xp, fp):
    i = np.searchsorted(xp, x, side="right") - 1
    i = np.clip(i, 0, len(xp) - 2)
    t = (x - xp[i]) / (xp[i + 1] - xp[i])
    return (1 - t) * fp[i] + t * fp[i + 1]


def bilinear_interp(grid, x, y):
    x0 = np.floor(x).astype(int)
    y0 = np.floor(y).astype(int)
    x0 = np.clip(x0, 0, grid.shape[1] - 2)
    y0 = np.clip(y0, 0, grid.shape[0] - 2)
    fx, fy = x - x0, y - y0
    return (
        grid[y0, x0] * (1 - fx) * (1 - fy)
        + grid[y0, x0 + 1] * fx * (1 - fy)
        + grid[y0 + 1, x0] * (1 - fx) * fy
        + grid[y0 + 1, x0 + 1] * fx * fy
    )


def chebyshev_nodes_interp(a, b, n=7):
    k = np.arange(1, n + 1)
    nodes = 0.5 * (a + b) + 0.5 * (b - a) * np.cos((2 * k - 1) * np.pi / (2 * n))
    vals = 1.0 / (1.0 + 25.0 * nodes**2)
    coeffs = np.polyfit(nodes, vals, n - 1)
    xx = np.linspace(a, b, 41)
    return nodes, np.max(np.abs(np.polyval(coeffs, xx) - 1.0 / (1.0 + 25.0 * xx**2)))


def barycentric_weights_eval(xs, ys, x):
    n = len(xs)
    w = np.ones(n)
    for j in range(n):
        for k in range(n):
            if k != j:
                w[j] /= xs[j] - xs[k]
    diff = x[:, None] - xs[None, :]
    tmp = w / diff
    return (tmp @ ys) / tmp.sum(axis=1)


QUAD = {
    "trapezoid_slices": (trapezoid_slices, {"f": np.sin}, lambda s, n: (0.0, 1.0 * s + n)),
    "simpson": (simpson, {"f": np.exp}, lambda s, n: (0.0, 0.5 * s + n)),
    "simpson_lambda": (simpson, {"f": lambda x: x**3 - 2 * x}, lambda s, n: (-1.0, 0.5 * s + n)),
    "simpson_weights": (simpson_weights, {}, lambda s, n: (_f(2 * n + 1, seed=s), 0.1)),
    "np_trapezoid_forms": (
        np_trapezoid_forms,
        {},
        lambda s, n: (_f(n + 2, seed=s), np.cumsum(_f(n + 2, positive=True)), 0.3),
    ),
    "np_trapezoid_int": (
        np_trapezoid_forms,
        {},
        lambda s, n: (_i(9, n + 2, seed=s), np.arange(n + 2), 2),
    ),
    "cumulative_trapezoid": (
        cumulative_trapezoid,
        {},
        lambda s, n: (_f(n + 2, seed=s), np.cumsum(_f(n + 2, positive=True))),
    ),
    "midpoint_rule": (midpoint_rule, {}, lambda s, n: (0.0, 1.0 * n, 0.5 * s)),
    "gauss_legendre": (gauss_legendre, {}, lambda s, n: (0.0, 1.0 * n, 0.5 * s)),
    "gauss_legendre_2d": (gauss_legendre_2d, {}, lambda s, n: (0.5 * s + n,)),
    "romberg_fixed": (romberg_fixed, {}, lambda s, n: (0.0, 1.0 * s + n)),
    "lagrange_interp": (
        lagrange_interp,
        {},
        lambda s, n: (np.linspace(0, 1, n), _f(n, seed=s), np.linspace(0, 1, 2 * n + 1)),
    ),
    "newton_divided_differences": (
        newton_divided_differences,
        {},
        lambda s, n: (np.arange(n + 1.0), _f(n + 1, seed=s)),
    ),
    "newton_poly_eval": (
        newton_poly_eval,
        {},
        lambda s, n: (np.arange(n + 1.0), _f(n + 1, seed=s), np.linspace(0, n, 9)),
    ),
    "divided_differences_inplace": (
        divided_differences_inplace,
        {},
        lambda s, n: (np.arange(n + 1.0), _i(9, n + 1, seed=s)),
    ),
    "natural_cubic_spline": (
        natural_cubic_spline,
        {},
        lambda s, n: (
            np.cumsum(_f(n + 2, positive=True, seed=s)),
            _f(n + 2, seed=s),
            np.linspace(0.6, 3, 11),
        ),
    ),
    "interp_forms": (
        interp_forms,
        {},
        lambda s, n: (
            np.linspace(-1, 5, 3 * n),
            np.cumsum(_f(n + 2, positive=True, seed=s)),
            _f(n + 2, seed=s),
        ),
    ),
    "interp_forms_f32": (
        interp_forms,
        {},
        lambda s, n: (
            np.linspace(-1, 5, 3 * n).astype(np.float32),
            np.cumsum(_f(n + 2, positive=True, seed=s)).astype(np.float32),
            _f(n + 2, seed=s).astype(np.float32),
        ),
    ),
    "linear_interp_manual": (
        linear_interp_manual,
        {},
        lambda s, n: (
            np.linspace(0.5, 3, 3 * n),
            np.cumsum(_f(n + 2, positive=True, seed=s)),
            _f(n + 2, seed=s),
        ),
    ),
    "bilinear_interp": (
        bilinear_interp,
        {},
        lambda s, n: (
            _f(5, 6, seed=s),
            _f(n, positive=True, seed=s) * 2,
            _f(n, positive=True, seed=s + 1) * 2,
        ),
    ),
    "chebyshev_nodes_interp": (chebyshev_nodes_interp, {}, lambda s, n: (-1.0 * s, 1.0 * n)),
    "barycentric_weights_eval": (
        barycentric_weights_eval,
        {},
        lambda s, n: (np.linspace(0, 1, n), _f(n, seed=s), np.linspace(0.05, 0.95, 7)),
    ),
}


@pytest.mark.parametrize("name", list(QUAD))
def test_quadrature_interpolation_matches_numpy(name):
    check_like_numpy(*QUAD[name])


# ---------------------------------------------------------------- polynomials, roots, optimization


def polyfit_eval(x, y, deg=3):
    p = np.polyfit(x, y, deg)
    yhat = np.polyval(p, x)
    return p, yhat, np.sqrt(np.mean((y - yhat) ** 2))


def polyfit_weighted(x, y, w):
    return np.polyfit(x, y, 2, w=w)


def polyfit_cov(x, y):
    p, V = np.polyfit(x, y, 1, cov=True)
    q, U = np.polyfit(x, y, 2, cov="unscaled")
    return p, np.sqrt(np.diag(V)), q, U


def polyfit_cov_columns(x, Y, w):
    return np.polyfit(x, Y, 2, w=w, cov=True)


def polyfit_multi(x, Y):
    return np.polyfit(x, Y, 2)


def polyval_forms(p, x):
    return (
        np.polyval(p, x),
        np.polyval([1.0, 0.0, -2.0], x),
        np.polyval(p, 2.0),
        np.polyder(p),
        np.polyint(p),
        np.polyval(np.polyder(p, 2), x),
    )


def poly_arith(p, q):
    return np.polyadd(p, q), np.polysub(p, q), np.convolve(p, q), np.polyadd(p, 1.0)


def vander_fit(x, y, n=4):
    V = np.vander(x, n, increasing=True)
    c = np.linalg.solve(V.T @ V, V.T @ y)
    return c, np.vander(x), np.vander(x, 3)


def horner_loop(coeffs, x):
    result = np.zeros_like(x)
    for c in coeffs:
        result = result * x + c
    return result


def chebyshev_recurrence(x, n=6):
    T = np.zeros((n, len(x)))
    T[0] = 1.0
    T[1] = x
    for k in range(2, n):
        T[k] = 2 * x * T[k - 1] - T[k - 2]
    return T


def legendre_recurrence(x, n=5):
    P = [np.ones_like(x), x]
    for k in range(1, n):
        P.append(((2 * k + 1) * x * P[k] - k * P[k - 1]) / (k + 1))
    return np.array(P)


def polynomial_module_eval(c, x):
    P = np.polynomial.polynomial
    return (
        P.polyval(x, c),
        np.polynomial.chebyshev.chebval(x, c),
        np.polynomial.legendre.legval(x, c),
        np.polynomial.hermite.hermval(x, c),
    )


def newton_fixed(x0, a, iters=8):
    x = x0
    for _ in range(iters):
        x = x - (x**3 - a) / (3 * x**2)
    return x


def newton_system(x, iters=5):
    for _ in range(iters):
        F = np.array([x[0] ** 2 + x[1] ** 2 - 4, np.exp(x[0]) + x[1] - 1])
        J = np.array([[2 * x[0], 2 * x[1]], [np.exp(x[0]), 1.0]])
        x = x - np.linalg.solve(J, F)
    return x


def newton_vectorized(a, iters=6):
    x = np.ones_like(a)
    for _ in range(iters):
        x -= (x * x - a) / (2 * x)
    return x


def fixed_point(x0, iters=30):
    x = x0
    for _ in range(iters):
        x = np.cos(x)
    return x


def secant_fixed(x0, x1, iters=6):
    f = lambda x: x**3 - 2 * x - 5
    for _ in range(iters):
        x0, x1 = x1, x1 - f(x1) * (x1 - x0) / (f(x1) - f(x0))
    return x1


def bisection_vectorized(a, b, c, iters=30):
    lo, hi = a.copy(), b.copy()
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        fm = mid**3 - c
        lo = np.where(fm < 0, mid, lo)
        hi = np.where(fm < 0, hi, mid)
    return 0.5 * (lo + hi)


def golden_section_fixed(a, b, iters=25):
    gr = (np.sqrt(5) - 1) / 2
    f = lambda x: (x - 2.0) ** 2 + np.sin(3 * x)
    c = b - gr * (b - a)
    d = a + gr * (b - a)
    for _ in range(iters):
        fc, fd = f(c), f(d)
        a = np.where(fc < fd, a, c)
        b = np.where(fc < fd, d, b)
        c = b - gr * (b - a)
        d = a + gr * (b - a)
    return (a + b) / 2


def gradient_descent_quadratic(A, b, lr, iters=30):
    x = np.zeros_like(b)
    hist = np.empty(iters)
    for k in range(iters):
        g = A @ x - b
        x -= lr * g
        hist[k] = 0.5 * x @ A @ x - b @ x
    return x, hist


def rosenbrock_grad(p):
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def momentum_rosenbrock(p0, lr=1e-3, beta=0.9, iters=40):
    p = np.array(p0, dtype=float)
    v = np.zeros_like(p)
    for _ in range(iters):
        v = beta * v - lr * rosenbrock_grad(p)
        p = p + v
    return p


def nesterov(p0, lr=1e-3, mu=0.9, iters=20):
    p = p0.copy()
    v = np.zeros(2)
    for _ in range(iters):
        g = rosenbrock_grad(p + mu * v)
        v = mu * v - lr * g
        p += v
    return p


def nelder_mead_steps(simplex, steps=6):
    f = lambda x: np.sum((x - 1.0) ** 2, axis=-1) + 0.5 * x[..., 0] * x[..., 1]
    s = simplex.copy()
    for _ in range(steps):
        order = np.argsort(f(s))
        s = s[order]
        centroid = s[:-1].mean(axis=0)
        xr = centroid + (centroid - s[-1])
        xc = centroid + 0.5 * (s[-1] - centroid)
        fr, fw = f(xr), f(s[-1])
        s[-1] = np.where(fr < fw, xr, xc)
    return s, f(s)


def coordinate_descent_lasso(X, y, lam, iters=5):
    n, p = X.shape
    w = np.zeros(p)
    for _ in range(iters):
        for j in range(p):
            r = y - X @ w + X[:, j] * w[j]
            rho = X[:, j] @ r
            z = (X[:, j] ** 2).sum()
            w[j] = np.sign(rho) * np.maximum(np.abs(rho) - lam, 0) / z
    return w


def line_search_backtracking_fixed(x, d, alpha=1.0, rho=0.5, tries=8):
    f = lambda z: np.sum(z**4) + np.sum(z**2)
    fx = f(x)
    g = 4 * x**3 + 2 * x
    a = alpha
    for _ in range(tries):
        ok = f(x + a * d) <= fx + 1e-4 * a * g @ d
        a = np.where(ok, a, a * rho)
    return a


POLY = {
    "polyfit_eval": (polyfit_eval, {}, lambda s, n: (np.linspace(0, 1, n + 4), _f(n + 4, seed=s))),
    "polyfit_eval_int": (polyfit_eval, {}, lambda s, n: (np.arange(n + 4), _i(9, n + 4, seed=s))),
    "polyfit_weighted": (
        polyfit_weighted,
        {},
        lambda s, n: (
            np.linspace(0, 1, n + 4),
            _f(n + 4, seed=s),
            _f(n + 4, positive=True, seed=s),
        ),
    ),
    "polyfit_cov": (polyfit_cov, {}, lambda s, n: (np.linspace(0, 1, n + 4), _f(n + 4, seed=s))),
    "polyfit_cov_columns": (
        polyfit_cov_columns,
        {},
        lambda s, n: (
            np.linspace(0, 1, n + 4),
            _f(n + 4, 3, seed=s),
            _f(n + 4, positive=True, seed=s),
        ),
    ),
    "polyfit_multi": (
        polyfit_multi,
        {},
        lambda s, n: (np.linspace(0, 1, n + 4), _f(n + 4, 3, seed=s)),
    ),
    "polyval_forms": (polyval_forms, {}, lambda s, n: (_f(4, seed=s), _f(n, seed=s + 1))),
    "polyval_forms_int": (
        polyval_forms,
        {},
        lambda s, n: (_i(5, 4, seed=s) + 1, _i(5, n, seed=s + 1)),
    ),
    "poly_arith": (poly_arith, {}, lambda s, n: (_f(n, seed=s), _f(3, seed=s + 1))),
    "vander_fit": (vander_fit, {}, lambda s, n: (np.linspace(0, 1, n + 4), _f(n + 4, seed=s))),
    "horner_loop": (horner_loop, {}, lambda s, n: (_f(4, seed=s), _f(n, seed=s + 1))),
    "horner_loop_list": (horner_loop, {}, lambda s, n: ([1.0, -3.0, 2.0 * s], _f(n, seed=s + 1))),
    "chebyshev_recurrence": (
        chebyshev_recurrence,
        {},
        lambda s, n: (np.linspace(-1, 1, n + 3) * (1 - 0.1 * s),),
    ),
    "legendre_recurrence": (
        legendre_recurrence,
        {},
        lambda s, n: (np.linspace(-1, 1, n + 3) * (1 - 0.1 * s),),
    ),
    "polynomial_module_eval": (
        polynomial_module_eval,
        {},
        lambda s, n: (_f(4, seed=s), _f(n, seed=s + 1)),
    ),
    "newton_fixed": (newton_fixed, {}, lambda s, n: (1.0, 2.0 * s + n)),
    "newton_fixed_array": (
        newton_fixed,
        {},
        lambda s, n: (np.ones(n), _f(n, positive=True, seed=s)),
    ),
    "newton_system": (
        newton_system,
        {},
        lambda s, n: (np.array([1.0 + 0.1 * s, -1.0 - 0.01 * n]),),
    ),
    "newton_vectorized": (newton_vectorized, {}, lambda s, n: (_f(n, positive=True, seed=s),)),
    "newton_vectorized_f32": (
        newton_vectorized,
        {},
        lambda s, n: (_f(n, positive=True, seed=s).astype(np.float32),),
    ),
    "fixed_point": (fixed_point, {}, lambda s, n: (_f(n, seed=s),)),
    "secant_fixed": (secant_fixed, {}, lambda s, n: (2.0, 2.5 + 0.01 * s * n)),
    "bisection_vectorized": (
        bisection_vectorized,
        {},
        lambda s, n: (np.zeros(n), np.full(n, 3.0), _f(n, positive=True, seed=s) * 5),
    ),
    "golden_section_fixed": (golden_section_fixed, {}, lambda s, n: (0.0, 1.0 * s + n)),
    "gradient_descent_quadratic": (
        gradient_descent_quadratic,
        {},
        lambda s, n: (spd(s, n) / (2 * n), _f(n, seed=s), 0.1),
    ),
    "momentum_rosenbrock": (
        momentum_rosenbrock,
        {},
        lambda s, n: ([-1.0 + 0.1 * s, 1.0 + 0.1 * n],),
    ),
    "nesterov": (nesterov, {}, lambda s, n: (np.array([-1.0 + 0.1 * s, 1.0 + 0.1 * n]),)),
    "nelder_mead_steps": (nelder_mead_steps, {}, lambda s, n: (_f(3, 2, seed=s + n),)),
    "coordinate_descent_lasso": (
        coordinate_descent_lasso,
        {},
        lambda s, n: (_f(n + 4, 3, seed=s), _f(n + 4, seed=s), 0.3),
    ),
    "line_search_backtracking_fixed": (
        line_search_backtracking_fixed,
        {},
        lambda s, n: (_f(n, seed=s), -_f(n, seed=s)),
    ),
}


@pytest.mark.parametrize("name", list(POLY))
def test_polynomials_roots_optimization_match_numpy(name):
    check_like_numpy(*POLY[name])


# ----------------------------------------------------------------- FFT, statistics, complex, grids


def fft_convolve(a, b):
    n = len(a) + len(b) - 1
    N = 1 << (n - 1).bit_length()
    return np.fft.irfft(np.fft.rfft(a, N) * np.fft.rfft(b, N), N)[:n]


def fft_convolve_complex(a, b):
    n = len(a) + len(b) - 1
    return np.real(np.fft.ifft(np.fft.fft(a, n) * np.fft.fft(b, n)))


def circular_convolve(a, b):
    return np.fft.ifft(np.fft.fft(a) * np.fft.fft(b)).real


def spectral_derivative(L, u):
    n = len(u)
    k = 2 * np.pi * np.fft.fftfreq(n, d=L / n)
    du = np.fft.ifft(1j * k * np.fft.fft(u)).real
    d2u = np.fft.ifft(-(k**2) * np.fft.fft(u)).real
    return du, d2u


def spectral_derivative_rfft(u, L):
    n = u.shape[-1]
    k = 2 * np.pi * np.fft.rfftfreq(n, d=L / n)
    return np.fft.irfft(1j * k * np.fft.rfft(u), n=n)


def power_spectrum(x, fs):
    n = len(x)
    X = np.fft.fft(x * np.hanning(n))
    freqs = np.fft.fftfreq(n, 1 / fs)
    P = np.abs(X) ** 2 / n
    return np.fft.fftshift(freqs), np.fft.fftshift(P), freqs[np.argmax(P[: n // 2])]


def rfft_amplitude(x, dt):
    N = len(x)
    Y = np.fft.rfft(x)
    f = np.fft.rfftfreq(N, dt)
    amp = 2.0 / N * np.abs(Y)
    amp[0] /= 2
    return f, amp, np.angle(Y), np.angle(Y, deg=True)


def fft_lowpass(x, dt, cutoff):
    X = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), dt)
    X[f > cutoff] = 0
    return np.fft.irfft(X, len(x))


def poisson_fft_2d(f, L):
    n = f.shape[0]
    k = np.fft.fftfreq(n, d=L / n) * 2 * np.pi
    kx, ky = np.meshgrid(k, k, indexing="ij")
    k2 = kx**2 + ky**2
    k2[0, 0] = 1.0
    uh = -np.fft.fft2(f) / k2
    uh[0, 0] = 0.0
    return np.real(np.fft.ifft2(uh))


def fft2_shift_magnitude(img):
    F = np.fft.fftshift(np.fft.fft2(img))
    mag = np.log1p(np.abs(F))
    return mag, np.fft.ifftshift(F).real, np.fft.ifft2(np.fft.ifftshift(F)).real


def dft_matrix(x):
    N = len(x)
    n = np.arange(N)
    k = n.reshape((N, 1))
    M = np.exp(-2j * np.pi * k * n / N)
    return M @ x, np.allclose(M @ x, np.fft.fft(x))


def autocorrelation_fft(x):
    x = x - x.mean()
    n = len(x)
    f = np.fft.fft(x, n=2 * n)
    acf = np.fft.ifft(f * np.conjugate(f))[:n].real
    return acf / acf[0]


def random_walk(steps):
    pos = np.cumsum(steps)
    return np.concatenate(([0], pos)), np.max(np.abs(pos)), np.mean(pos**2)


def brownian_paths(rng, n_paths=5, n_steps=50, T=1.0):
    dt = T / n_steps
    dW = rng.normal(0.0, np.sqrt(dt), size=(n_paths, n_steps))
    W = np.zeros((n_paths, n_steps + 1))
    W[:, 1:] = np.cumsum(dW, axis=1)
    return W, W[:, -1].var()


def gbm(rng, S0, mu, sigma, n=40, T=1.0):
    dt = T / n
    Z = rng.standard_normal(n)
    increments = (mu - 0.5 * sigma**2) * dt + sigma * np.sqrt(dt) * Z
    return S0 * np.exp(np.concatenate([[0.0], np.cumsum(increments)]))


def random_walk_2d(rng, n=30):
    angles = rng.uniform(0, 2 * np.pi, n)
    steps = np.column_stack((np.cos(angles), np.sin(angles)))
    path = np.vstack([np.zeros(2), np.cumsum(steps, axis=0)])
    return path, np.linalg.norm(path[-1])


def lattice_walk(rng, n=25):
    steps = rng.choice([-1, 1], size=n)
    return np.cumsum(steps), rng.integers(0, 4, size=n)


def moments(x):
    m = x.mean()
    s = x.std()
    skew = np.mean((x - m) ** 3) / s**3
    kurt = np.mean((x - m) ** 4) / s**4 - 3
    return m, x.var(ddof=1), skew, kurt, np.median(x)


def cov_corr(X):
    return (
        np.cov(X),
        np.cov(X, rowvar=False),
        np.corrcoef(X),
        np.corrcoef(X[0], X[1]),
        np.cov(X[0], X[1], ddof=0),
        np.cov(X, bias=True),
    )


def cov_manual(X):
    Xc = X - X.mean(axis=0)
    C = Xc.T @ Xc / (X.shape[0] - 1)
    d = np.sqrt(np.diag(C))
    return C, C / np.outer(d, d)


def histogram_forms(x):
    h1, e1 = np.histogram(x, bins=5)
    h2, e2 = np.histogram(x, bins=4, range=(-2, 2))
    h3, e3 = np.histogram(x, bins=6, range=(-3.0, 3.0), density=True)
    centers = 0.5 * (e1[1:] + e1[:-1])
    return h1, e1, h2, e2, h3, centers


def histogram_weighted(x, w):
    return np.histogram(x, bins=3, weights=w), np.histogram(x, bins=np.linspace(-2, 2, 5))


def histogram2d_counts(x, y):
    H, xe, ye = np.histogram2d(x, y, bins=3, range=[[-2, 2], [-2, 2]])
    return H, xe, ye


def percentiles(x):
    return (
        np.percentile(x, [25, 50, 75]),
        np.percentile(x, 90),
        np.quantile(x, 0.1),
        np.percentile(x, 50, axis=0),
        np.nanpercentile(x, 30),
        np.median(x, axis=-1),
    )


def iqr_outliers(x):
    q1, q3 = np.percentile(x, [25, 75])
    iqr = q3 - q1
    mask = (x < q1 - 1.5 * iqr) | (x > q3 + 1.5 * iqr)
    return mask, np.where(mask, np.median(x), x)


def bootstrap_mean(rng, x, B=20):
    idx = rng.integers(0, len(x), size=(B, len(x)))
    means = x[idx].mean(axis=1)
    return means.mean(), np.percentile(means, [2.5, 97.5])


def standard_error_ci(x):
    n = len(x)
    se = np.std(x, ddof=1) / np.sqrt(n)
    return x.mean() - 1.96 * se, x.mean() + 1.96 * se


def linear_regression_stats(x, y):
    n = len(x)
    xm, ym = np.mean(x), np.mean(y)
    sxy = np.sum((x - xm) * (y - ym))
    sxx = np.sum((x - xm) ** 2)
    slope = sxy / sxx
    intercept = ym - slope * xm
    resid = y - (intercept + slope * x)
    r2 = 1 - np.sum(resid**2) / np.sum((y - ym) ** 2)
    return slope, intercept, r2, np.sqrt(np.sum(resid**2) / (n - 2) / sxx)


def complex_ops(z):
    return (
        np.abs(z),
        np.angle(z),
        np.conj(z),
        z.real,
        z.imag,
        np.exp(1j * np.angle(z)),
        np.real(z * z.conjugate()),
        np.unwrap(np.angle(z)),
    )


def phasor_sum(amps, phases, t, f0):
    z = amps[:, None] * np.exp(1j * (2 * np.pi * f0 * t[None, :] + phases[:, None]))
    s = z.sum(axis=0)
    return s.real, np.abs(s), np.angle(s)


def complex_roots_of_unity(n=6):
    k = np.arange(n)
    w = np.exp(2j * np.pi * k / n)
    return w, np.sum(w), np.prod(w), np.isclose(w**n, 1)


def mandelbrot_escape(c_re, c_im, iters=15):
    c = c_re + 1j * c_im
    z = np.zeros_like(c)
    count = np.zeros(c.shape, dtype=int)
    for _ in range(iters):
        mask = np.abs(z) <= 2
        z[mask] = z[mask] ** 2 + c[mask]
        count += mask
    return count


def complex_impedance(R, L, C, f):
    w = 2 * np.pi * f
    Z = R + 1j * w * L + 1 / (1j * w * C)
    return np.abs(Z), np.degrees(np.angle(Z)), 20 * np.log10(np.abs(1 / Z))


def grids(L, n):
    x = np.linspace(0, L, n)
    y = np.linspace(-L, L, n + 1)
    X, Y = np.meshgrid(x, y)
    Xi, Yi = np.meshgrid(x, y, indexing="ij")
    R = np.sqrt(X**2 + Y**2)
    return X, Y, Xi, Yi, np.exp(-(R**2)), np.sin(X) * np.cos(Y)


def arange_float_steps(a, h):
    return (
        np.arange(0.0, 1.0, 0.1),
        np.arange(-1, 1, 0.25),
        np.arange(5) * h + a,
        np.arange(0, 2 * np.pi, np.pi / 4),
        np.linspace(0, 1, 11, endpoint=False),
        np.linspace(a, a + 1, 5, retstep=True),
    )


def mgrid_forms(scale):
    X, Y = np.mgrid[0:4, 0:3]
    U, V = np.mgrid[-1:1:5j, 0:1:3j]
    xs = np.ogrid[0:5]
    return scale * X + Y, np.hypot(U, V) * scale, xs * scale


def field_on_grid(a, n=9):
    x = np.linspace(-2, 2, n)
    X, Y = np.meshgrid(x, x)
    U = -Y + a * X
    V = X + a * Y
    speed = np.sqrt(U**2 + V**2)
    div = np.gradient(U, x, axis=1) + np.gradient(V, x, axis=0)
    return speed, div


def int_grid_stencil(n):
    i, j = np.indices((n, n))
    mask = (i + j) % 2 == 0
    return mask.astype(int), np.where(mask, i * j, -1), np.sum(mask)


FFTSTATS = {
    "fft_convolve": (fft_convolve, {}, lambda s, n: (_f(n, seed=s), _f(3, seed=s + 1))),
    "fft_convolve_complex": (
        fft_convolve_complex,
        {},
        lambda s, n: (_f(n, seed=s), _f(3, seed=s + 1)),
    ),
    "circular_convolve": (circular_convolve, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "spectral_derivative": (
        spectral_derivative,
        {},
        lambda s, n: (2 * np.pi, np.sin(np.linspace(0, 2 * np.pi, 2 * n, endpoint=False) * s)),
    ),
    "spectral_derivative_rfft": (
        spectral_derivative_rfft,
        {},
        lambda s, n: (np.sin(np.linspace(0, 2 * np.pi, 2 * n, endpoint=False) * s), 2 * np.pi),
    ),
    "spectral_derivative_rfft_f32": (
        spectral_derivative_rfft,
        {},
        lambda s, n: (
            np.sin(np.linspace(0, 2 * np.pi, 2 * n, endpoint=False) * s).astype(np.float32),
            2 * np.pi,
        ),
    ),
    "power_spectrum": (power_spectrum, {}, lambda s, n: (_f(4 * n, seed=s), 100.0)),
    "rfft_amplitude": (rfft_amplitude, {}, lambda s, n: (_f(4 * n + 1, seed=s), 0.01)),
    "fft_lowpass": (fft_lowpass, {}, lambda s, n: (_f(4 * n, seed=s), 0.01, 20.0)),
    "poisson_fft_2d": (poisson_fft_2d, {}, lambda s, n: (_f(n, n, seed=s), 2 * np.pi)),
    "fft2_shift_magnitude": (fft2_shift_magnitude, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "dft_matrix": (dft_matrix, {}, lambda s, n: (_f(n, seed=s),)),
    "autocorrelation_fft": (autocorrelation_fft, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "random_walk": (random_walk, {}, lambda s, n: (np.where(_i(2, 5 * n, seed=s) == 1, 1, -1),)),
    "random_walk_float": (random_walk, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "moments": (moments, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "moments_f32": (moments, {}, lambda s, n: (_f(5 * n, seed=s).astype(np.float32),)),
    "moments_int": (moments, {}, lambda s, n: (_i(9, 5 * n, seed=s),)),
    "cov_corr": (cov_corr, {}, lambda s, n: (_f(3, n + 2, seed=s),)),
    "cov_corr_f32": (cov_corr, {}, lambda s, n: (_f(3, n + 2, seed=s).astype(np.float32),)),
    "cov_manual": (cov_manual, {}, lambda s, n: (_f(n + 2, 3, seed=s),)),
    "histogram_forms": (histogram_forms, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "histogram_forms_f32": (
        histogram_forms,
        {},
        lambda s, n: (_f(5 * n, seed=s).astype(np.float32),),
    ),
    "histogram_weighted": (
        histogram_weighted,
        {},
        lambda s, n: (_f(5 * n, seed=s), _f(5 * n, seed=s + 1)),
    ),
    "histogram2d_counts": (
        histogram2d_counts,
        {},
        lambda s, n: (_f(5 * n, seed=s), _f(5 * n, seed=s + 1)),
    ),
    "percentiles": (percentiles, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "iqr_outliers": (iqr_outliers, {}, lambda s, n: (_f(5 * n, seed=s) ** 3,)),
    "standard_error_ci": (standard_error_ci, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "linear_regression_stats": (
        linear_regression_stats,
        {},
        lambda s, n: (np.arange(n + 3.0), _f(n + 3, seed=s)),
    ),
    "complex_ops": (complex_ops, {}, lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1),)),
    "complex_ops_c64": (
        complex_ops,
        {},
        lambda s, n: ((_f(n, seed=s) + 1j * _f(n, seed=s + 1)).astype(np.complex64),),
    ),
    "phasor_sum": (
        phasor_sum,
        {},
        lambda s, n: (_f(3, positive=True, seed=s), _f(3, seed=s), np.linspace(0, 1, 2 * n), 2.0),
    ),
    "complex_roots_of_unity": (complex_roots_of_unity, {}, lambda s, n: ()),
    "mandelbrot_escape": (
        mandelbrot_escape,
        {},
        lambda s, n: (_f(n, 5, seed=s), _f(n, 5, seed=s + 1)),
    ),
    "complex_impedance": (
        complex_impedance,
        {},
        lambda s, n: (50.0, 1e-3, 1e-6, np.logspace(1, 5, 3 * n) * (1 + 0.1 * s)),
    ),
    "grids": (grids, {"n": 5}, lambda s, n: (1.0 * s + n,)),
    "arange_float_steps": (arange_float_steps, {}, lambda s, n: (0.5 * s, 0.1 * n)),
    "mgrid_forms": (mgrid_forms, {}, lambda s, n: (1.5 * s + n,)),
    "field_on_grid": (field_on_grid, {}, lambda s, n: (0.1 * s + n,)),
    "int_grid_stencil": (int_grid_stencil, {"n": 5}, lambda s, n: ()),
}


@pytest.mark.parametrize("name", list(FFTSTATS))
def test_fft_stats_complex_grids_match_numpy(name):
    check_like_numpy(*FFTSTATS[name])


GENERATORS = [
    (brownian_paths, ()),
    (gbm, (100.0, 0.05, 0.2)),
    (random_walk_2d, ()),
    (lattice_walk, ()),
    (monte_carlo_pi, ()),
    (monte_carlo_integral, (0.0, 2.0)),
]


@pytest.mark.parametrize("fn, args", GENERATORS, ids=[f.__name__ for f, _ in GENERATORS])
def test_draws_from_a_generator_argument(fn, args):
    """Random walks, Brownian paths and Monte Carlo quadrature draw from the generator they are
    given: NumPy's draws and values over three calls, and the generator left in NumPy's state."""
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(got_rng, *args), fn(want_rng, *args))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


def test_bootstrap_from_a_generator_argument():
    """Bootstrap resampling indexes the data with the generator's integers."""
    want_rng, got_rng = np.random.default_rng(7), np.random.default_rng(7)
    jf = tracenp.jit(bootstrap_mean)
    for seed, n in ((1, 8), (2, 8), (3, 11)):
        x = _f(n, seed=seed)
        assert_same(jf(got_rng, x), bootstrap_mean(want_rng, x))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


# ----------------------------------------------------------------------------------- refused forms


def bisection(a, b, tol=1e-8):
    f = lambda x: x**3 - x - 2
    while (b - a) / 2 > tol:
        c = (a + b) / 2
        if f(c) == 0:
            return c
        if f(a) * f(c) < 0:
            b = c
        else:
            a = c
    return (a + b) / 2


def newton_tol(x0, tol=1e-10, max_iter=50):
    x = x0
    for _ in range(max_iter):
        dx = (x**2 - 2) / (2 * x)
        x = x - dx
        if abs(dx) < tol:
            break
    return x


def secant_tol(x0, x1, tol=1e-10):
    f = lambda x: np.cos(x) - x
    while abs(x1 - x0) > tol:
        x0, x1 = x1, x1 - f(x1) * (x1 - x0) / (f(x1) - f(x0))
    return x1


def jacobi_until_converged(A, b, tol=1e-8):
    x = np.zeros_like(b)
    D = np.diag(A)
    R = A - np.diag(D)
    while True:
        x_new = (b - R @ x) / D
        if np.linalg.norm(x_new - x, ord=np.inf) < tol:
            return x_new
        x = x_new


def adaptive_rk12(y0, t_end, tol=1e-4):
    t, y, h = 0.0, y0, 0.1
    ts, ys = [t], [y]
    while t < t_end:
        k1 = -y
        y_euler = y + h * k1
        y_heun = y + h / 2 * (k1 - y_euler)
        err = np.abs(y_heun - y_euler)
        if err < tol:
            t, y = t + h, y_heun
            ts.append(t)
            ys.append(y)
        h *= 0.9 * np.sqrt(tol / (err + 1e-16))
    return np.array(ts), np.array(ys)


def cg_until_tol(A, b, tol=1e-10):
    x = np.zeros_like(b)
    r = b.copy()
    p = r.copy()
    rs = r @ r
    for _ in range(len(b) * 2):
        Ap = A @ p
        alpha = rs / (p @ Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        rs_new = r @ r
        if np.sqrt(rs_new) < tol:
            break
        p = r + rs_new / rs * p
        rs = rs_new
    return x


def power_iteration_tol(A, tol=1e-9):
    v = np.ones(A.shape[0])
    lam_old = 0.0
    for _ in range(500):
        w = A @ v
        lam = np.linalg.norm(w)
        v = w / lam
        if np.abs(lam - lam_old) < tol:
            break
        lam_old = lam
    return lam


def golden_section_tol(a, b, tol=1e-6):
    f = lambda x: (x - 1.3) ** 2
    gr = (np.sqrt(5) + 1) / 2
    while abs(b - a) > tol:
        c = b - (b - a) / gr
        d = a + (b - a) / gr
        if f(c) < f(d):
            b = d
        else:
            a = c
    return (b + a) / 2


def gauss_partial_pivot(A, b):
    A = A.astype(float)
    b = b.astype(float)
    n = len(b)
    for k in range(n - 1):
        p = np.argmax(np.abs(A[k:, k])) + k
        if p != k:
            A[[k, p]] = A[[p, k]]
            b[[k, p]] = b[[p, k]]
        for i in range(k + 1, n):
            m = A[i, k] / A[k, k]
            A[i, k:] -= m * A[k, k:]
            b[i] -= m * b[k]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        x[i] = (b[i] - A[i, i + 1 :] @ x[i + 1 :]) / A[i, i]
    return x


def poly1d_fit(x, y):
    p = np.poly1d(np.polyfit(x, y, 2))
    return p(x), p.deriv()(x)


def polymul_coeffs(p, q):
    return np.polymul(p, q)


def roots_of_fit(x, y):
    return np.sort(np.roots(np.polyfit(x, y, 2)))


def chebfit_eval(x, y):
    c = np.polynomial.chebyshev.chebfit(x, y, 3)
    return np.polynomial.chebyshev.chebval(x, c)


def zero_crossings_times(t, y):
    idx = np.where(np.diff(np.sign(y)) != 0)[0]
    return t[idx] - y[idx] * (t[idx + 1] - t[idx]) / (y[idx + 1] - y[idx])


def histogram_auto(x):
    return np.histogram(x, bins="auto")


def event_stop_projectile(v0, dt=0.01):
    x, y, vx, vy = 0.0, 0.0, v0, v0
    xs = []
    while y >= 0:
        x, y = x + vx * dt, y + vy * dt
        vy -= 9.81 * dt
        xs.append(x)
    return np.array(xs)


REFUSED = {
    "jacobi_until_converged": (
        "ConcretizationError",
        jacobi_until_converged,
        lambda s: (diag_dominant(s, 4), _f(4, seed=s)),
    ),
    "cg_until_tol": ("ConcretizationError", cg_until_tol, lambda s: (spd(s, 4), _f(4, seed=s))),
    "power_iteration_tol": ("ConcretizationError", power_iteration_tol, lambda s: (spd(s, 4),)),
    "gauss_partial_pivot": (
        "ConcretizationError",
        gauss_partial_pivot,
        lambda s: (_f(4, 4, seed=s), _f(4, seed=s)),
    ),
    "poly1d_fit": (
        "DataDependentShapeError",
        poly1d_fit,
        lambda s: (np.linspace(0, 1, 6), _f(6, seed=s)),
    ),
    "polymul_coeffs": (
        "DataDependentShapeError",
        polymul_coeffs,
        lambda s: (_f(3, seed=s), _f(2, seed=s + 1)),
    ),
    "roots_of_fit": (
        "DataDependentShapeError",
        roots_of_fit,
        lambda s: (np.linspace(-1, 1, 6), np.linspace(-1, 1, 6) ** 2 - 0.1 * s),
    ),
    "zero_crossings_times": (
        "DataDependentShapeError",
        zero_crossings_times,
        lambda s: (np.linspace(0, 1, 9), _f(9, seed=s)),
    ),
    "histogram_auto": ("DataDependentShapeError", histogram_auto, lambda s: (_f(20, seed=s),)),
}


REFUSED_NOW_STATIC = {
    "bisection": ("ConcretizationError", bisection, lambda s: (1.0, 2.0 + 0.1 * s)),
    "newton_tol": ("ConcretizationError", newton_tol, lambda s: (1.0 + s,)),
    "secant_tol": ("ConcretizationError", secant_tol, lambda s: (0.0, 1.0 + 0.1 * s)),
    "adaptive_rk12": ("ConcretizationError", adaptive_rk12, lambda s: (1.0 + s, 1.0)),
    "golden_section_tol": ("ConcretizationError", golden_section_tol, lambda s: (0.0, 2.0 + s)),
    "event_stop_projectile": ("ConcretizationError", event_stop_projectile, lambda s: (1.0 + s,)),
}


@pytest.mark.parametrize("name", list(REFUSED_NOW_STATIC))
def test_tolerance_loops_of_python_scalars_trace(name):
    """Refused until jit made static the Python scalar arguments whose values the function's Python needs; now NumPy's values."""
    _, fn, make = REFUSED_NOW_STATIC[name]
    check_steered(fn, make)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_run_under_fallback(name):
    """Loops that stop on a tolerance (bisection, Newton, secant, Jacobi and CG until converged,
    adaptive steps, event detection), pivoting that branches on the pivot row, `np.poly1d`
    and `np.roots` (their lengths depend on zero coefficients), zero-crossing times and
    `bins="auto"`: each is refused by name and runs NumPy's code under `fallback=True`."""
    error, fn, make = REFUSED[name]
    check_refused(getattr(tracenp.errors, error), fn, make)


# -------------------------------------------------------------------------- more course-note forms


def multigrid_restrict_prolong(fine):
    coarse = np.zeros((len(fine) + 1) // 2)
    coarse[1:-1] = 0.25 * fine[1:-2:2] + 0.5 * fine[2:-1:2] + 0.25 * fine[3::2]
    coarse[0], coarse[-1] = fine[0], fine[-1]
    back = np.zeros_like(fine)
    back[::2] = coarse
    back[1:-1:2] = 0.5 * (coarse[:-1] + coarse[1:])
    return coarse, back


def two_grid_cycle(u, f, h, nu=2):
    def smooth(u, f, h, n):
        for _ in range(n):
            u[1:-1] = (1 - 2 / 3) * u[1:-1] + 2 / 3 * 0.5 * (u[:-2] + u[2:] + h * h * f[1:-1])
        return u

    u = smooth(u, f, h, nu)
    r = np.zeros_like(u)
    r[1:-1] = f[1:-1] + (u[:-2] - 2 * u[1:-1] + u[2:]) / h**2
    rc = r[::2].copy()
    nc = len(rc)
    Ac = (
        np.diag(2 * np.ones(nc - 2)) - np.diag(np.ones(nc - 3), 1) - np.diag(np.ones(nc - 3), -1)
    ) / (2 * h) ** 2
    ec = np.zeros(nc)
    ec[1:-1] = np.linalg.solve(Ac, rc[1:-1])
    e = np.interp(np.arange(len(u)), np.arange(0, len(u), 2), ec)
    return smooth(u + e, f, h, nu)


def richardson_derivative(x0, h):
    f = np.sin
    D = lambda h: (f(x0 + h) - f(x0 - h)) / (2 * h)
    D1, D2 = D(h), D(h / 2)
    return (4 * D2 - D1) / 3, np.abs((4 * D2 - D1) / 3 - np.cos(x0))


def complex_step_derivative(x, h=1e-20):
    f = lambda z: np.exp(z) / np.sqrt(np.sin(z) ** 3 + np.cos(z) ** 3)
    return np.imag(f(x + 1j * h)) / h


def forward_diff_errors(x0):
    hs = 10.0 ** -np.arange(1, 9)
    approx = (np.exp(x0 + hs) - np.exp(x0)) / hs
    return hs, np.abs(approx - np.exp(x0)), np.log10(np.abs(approx - np.exp(x0)))


def shooting_fixed(s0, s1, iters=4, n=20):
    def shoot(s):
        h = 1.0 / n
        y = np.array([0.0, s])
        for _ in range(n):
            y = y + h * np.array([y[1], -4 * y[0] + 1.0])
        return y[0] - 1.0

    f0, f1 = shoot(s0), shoot(s1)
    for _ in range(iters):
        s0, s1 = s1, s1 - f1 * (s1 - s0) / (f1 - f0)
        f0, f1 = f1, shoot(s1)
    return s1


def bvp_finite_difference(p, q, n):
    h = 1.0 / (n + 1)
    x = np.linspace(h, 1 - h, n)
    A = np.zeros((n, n))
    np.fill_diagonal(A, -2.0 / h**2 + q)
    np.fill_diagonal(A[1:], 1.0 / h**2 - p / (2 * h))
    np.fill_diagonal(A[:, 1:], 1.0 / h**2 + p / (2 * h))
    rhs = np.sin(np.pi * x)
    rhs[-1] -= (1.0 / h**2 + p / (2 * h)) * 1.0
    return x, np.linalg.solve(A, rhs)


def wave_2d_padded(u, u_prev, c2):
    up = np.pad(u, 1)
    lap = up[2:, 1:-1] + up[:-2, 1:-1] + up[1:-1, 2:] + up[1:-1, :-2] - 4 * u
    return 2 * u - u_prev + c2 * lap


def stormer_verlet_list(q0, p0, h, n=12):
    qs, ps = [q0], [p0]
    for _ in range(n):
        p_half = ps[-1] - 0.5 * h * qs[-1] ** 3
        q_new = qs[-1] + h * p_half
        ps.append(p_half - 0.5 * h * q_new**3)
        qs.append(q_new)
    qs, ps = np.array(qs), np.array(ps)
    return qs, ps, 0.5 * ps**2 + 0.25 * qs**4


def second_order_as_system(y0, v0, t):
    Y = np.column_stack((np.full_like(t, np.nan), np.full_like(t, np.nan)))
    Y[0] = y0, v0
    for k in range(len(t) - 1):
        h = t[k + 1] - t[k]
        y, v = Y[k]
        Y[k + 1] = y + h * v, v - h * (0.2 * v + np.sin(y))
    return Y


def float32_euler(y0, dt, n=10):
    y = y0.copy()
    for _ in range(n):
        y += dt * (-0.5 * y + np.float32(0.1))
    return y


def kepler_orbit(r0, v0, dt, n=30):
    r = np.zeros((n, 2))
    v = np.zeros((n, 2))
    r[0], v[0] = r0, v0
    for i in range(n - 1):
        a = -r[i] / np.linalg.norm(r[i]) ** 3
        v[i + 1] = v[i] + dt * a
        r[i + 1] = r[i] + dt * v[i + 1]
    L = r[:, 0] * v[:, 1] - r[:, 1] * v[:, 0]
    E = 0.5 * np.sum(v**2, axis=1) - 1 / np.linalg.norm(r, axis=1)
    return r, L, E


def spring_chain(x, v, k, m, dt, steps=5):
    for _ in range(steps):
        f = np.zeros_like(x)
        stretch = np.diff(x) - 1.0
        f[:-1] += k * stretch
        f[1:] -= k * stretch
        v += dt * f / m
        x += dt * v
    return x, v


def lorenz_ensemble(X0, dt, n=10, sigma=10.0, rho=28.0, beta=8 / 3):
    X = X0.copy()
    for _ in range(n):
        x, y, z = X[:, 0], X[:, 1], X[:, 2]
        dX = np.stack([sigma * (y - x), x * (rho - z) - y, x * y - beta * z], axis=1)
        X = X + dt * dX
    return X


def arnoldi(A, b, m=3):
    n = A.shape[0]
    Q = np.zeros((n, m + 1))
    H = np.zeros((m + 1, m))
    Q[:, 0] = b / np.linalg.norm(b)
    for k in range(m):
        v = A @ Q[:, k]
        for j in range(k + 1):
            H[j, k] = Q[:, j].conj() @ v
            v = v - H[j, k] * Q[:, j]
        H[k + 1, k] = np.linalg.norm(v)
        Q[:, k + 1] = v / H[k + 1, k]
    return Q, H


def lanczos(A, v, m=3):
    n = len(v)
    V = np.zeros((m, n))
    alpha = np.zeros(m)
    beta = np.zeros(m - 1)
    V[0] = v / np.linalg.norm(v)
    w = A @ V[0]
    alpha[0] = w @ V[0]
    w = w - alpha[0] * V[0]
    for j in range(1, m):
        beta[j - 1] = np.linalg.norm(w)
        V[j] = w / beta[j - 1]
        w = A @ V[j]
        alpha[j] = w @ V[j]
        w = w - alpha[j] * V[j] - beta[j - 1] * V[j - 1]
    T = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    return T, np.linalg.eigvalsh(T)


def givens_qr(A):
    m, n = A.shape
    R = A.copy()
    Q = np.eye(m)
    for j in range(n):
        for i in range(m - 1, j, -1):
            a, b = R[i - 1, j], R[i, j]
            r = np.hypot(a, b)
            c, s = a / r, -b / r
            G = np.array([[c, -s], [s, c]])
            R[[i - 1, i], :] = G @ R[[i - 1, i], :]
            Q[:, [i - 1, i]] = Q[:, [i - 1, i]] @ G.T
    return Q, R


def sor_vectorized_matrix(A, b, omega, iters=10):
    D = np.diag(np.diag(A))
    L = -np.tril(A, -1)
    U = -np.triu(A, 1)
    M = D - omega * L
    N = (1 - omega) * D + omega * U
    x = np.zeros_like(b)
    for _ in range(iters):
        x = np.linalg.solve(M, N @ x + omega * b)
    rho = np.max(np.abs(np.linalg.eigvals(np.linalg.solve(M, N))))
    return x, rho


def matrix_exponential_taylor(A, terms=12):
    E = np.eye(A.shape[0])
    term = np.eye(A.shape[0])
    for k in range(1, terms):
        term = term @ A / k
        E = E + term
    return E


def newton_cotes_weights(y, h):
    w = np.array([7, 32, 12, 32, 7]) * 2 * h / 45
    n = (len(y) - 1) // 4
    total = 0.0
    for k in range(n):
        total += w @ y[4 * k : 4 * k + 5]
    return total


def adaptive_simpson_fixed_depth(a, b, depth=3):
    f = lambda x: np.exp(-x * x)
    intervals = np.array([[a, b]])
    for _ in range(depth):
        mid = intervals.mean(axis=1)
        intervals = np.stack(
            [np.column_stack([intervals[:, 0], mid]), np.column_stack([mid, intervals[:, 1]])],
            axis=1,
        ).reshape(-1, 2)
    lo, hi = intervals[:, 0], intervals[:, 1]
    m = 0.5 * (lo + hi)
    return np.sum((hi - lo) / 6 * (f(lo) + 4 * f(m) + f(hi)))


def integrate_2d_trapezoid(a, n):
    x = np.linspace(0, 1, n)
    y = np.linspace(0, 2, n + 1)
    X, Y = np.meshgrid(x, y, indexing="ij")
    Z = np.exp(-a * (X**2 + Y**2))
    return np.trapezoid(np.trapezoid(Z, y, axis=1), x)


def kde_gaussian(data, grid, bw):
    z = (grid[:, None] - data[None, :]) / bw
    dens = np.exp(-0.5 * z**2).sum(axis=1) / (len(data) * bw * np.sqrt(2 * np.pi))
    return dens, np.trapezoid(dens, grid)


def empirical_cdf(x, grid):
    xs = np.sort(x)
    return np.searchsorted(xs, grid, side="right") / len(xs), np.arange(1, len(xs) + 1) / len(xs)


def autocorr_direct(x, max_lag=4):
    x = x - np.mean(x)
    c0 = np.dot(x, x)
    return np.array([1.0] + [np.dot(x[:-k], x[k:]) / c0 for k in range(1, max_lag + 1)])


def welford(x):
    mean, m2 = 0.0, 0.0
    for k in range(len(x)):
        delta = x[k] - mean
        mean += delta / (k + 1)
        m2 += delta * (x[k] - mean)
    return mean, m2 / (len(x) - 1)


MORE = {
    "multigrid_restrict_prolong": (
        multigrid_restrict_prolong,
        {},
        lambda s, n: (_f(2 * n + 1, seed=s),),
    ),
    "two_grid_cycle": (
        two_grid_cycle,
        {},
        lambda s, n: (np.zeros(2 * n + 1), _f(2 * n + 1, seed=s), 1.0 / (2 * n)),
    ),
    "richardson_derivative": (richardson_derivative, {}, lambda s, n: (_f(n, seed=s), 0.1)),
    "complex_step_derivative": (
        complex_step_derivative,
        {},
        lambda s, n: (_f(n, positive=True, seed=s),),
    ),
    "forward_diff_errors": (forward_diff_errors, {}, lambda s, n: (0.1 * s + n,)),
    "shooting_fixed": (shooting_fixed, {}, lambda s, n: (0.0, 1.0 + 0.1 * s + n)),
    "bvp_finite_difference": (bvp_finite_difference, {"n": 6}, lambda s, n: (0.5 * s, -1.0 * n)),
    "wave_2d_padded": (
        wave_2d_padded,
        {},
        lambda s, n: (_f(n, 5, seed=s), _f(n, 5, seed=s + 1), 0.2),
    ),
    "stormer_verlet_list": (
        stormer_verlet_list,
        {},
        lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1), 0.1),
    ),
    "stormer_verlet_scalar": (stormer_verlet_list, {}, lambda s, n: (1.0 * s, 0.1 * n, 0.1)),
    "second_order_as_system": (
        second_order_as_system,
        {},
        lambda s, n: (1.0 * s, 0.0, np.linspace(0, 1, 3 * n)),
    ),
    "float32_euler": (float32_euler, {}, lambda s, n: (_f(n, seed=s).astype(np.float32), 0.1)),
    "kepler_orbit": (
        kepler_orbit,
        {},
        lambda s, n: (np.array([1.0, 0.1 * s]), np.array([0.0, 1.0]), 0.01 * n),
    ),
    "spring_chain": (
        spring_chain,
        {},
        lambda s, n: (np.arange(n) + 0.1 * _f(n, seed=s), np.zeros(n), 2.0, 1.0, 0.05),
    ),
    "lorenz_ensemble": (lorenz_ensemble, {}, lambda s, n: (_f(n, 3, seed=s), 0.001)),
    "arnoldi": (arnoldi, {}, lambda s, n: (_f(n + 2, n + 2, seed=s), _f(n + 2, seed=s))),
    "lanczos": (lanczos, {}, lambda s, n: (spd(s, n + 1), _f(n + 1, seed=s))),
    "givens_qr": (givens_qr, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "sor_vectorized_matrix": (
        sor_vectorized_matrix,
        {},
        lambda s, n: (spd(s, n), _f(n, seed=s), 1.2),
    ),
    "matrix_exponential_taylor": (
        matrix_exponential_taylor,
        {},
        lambda s, n: (0.3 * _f(n, n, seed=s),),
    ),
    "newton_cotes_weights": (newton_cotes_weights, {}, lambda s, n: (_f(4 * n + 1, seed=s), 0.1)),
    "adaptive_simpson_fixed_depth": (
        adaptive_simpson_fixed_depth,
        {},
        lambda s, n: (0.0, 1.0 * s + n),
    ),
    "integrate_2d_trapezoid": (integrate_2d_trapezoid, {"n": 7}, lambda s, n: (0.5 * s + n,)),
    "kde_gaussian": (
        kde_gaussian,
        {},
        lambda s, n: (_f(3 * n, seed=s), np.linspace(-4, 4, 21), 0.4),
    ),
    "empirical_cdf": (empirical_cdf, {}, lambda s, n: (_f(3 * n, seed=s), np.linspace(-2, 2, 9))),
    "autocorr_direct": (autocorr_direct, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "welford": (welford, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "welford_int": (welford, {}, lambda s, n: (_i(9, 3 * n, seed=s),)),
}


@pytest.mark.parametrize("name", list(MORE))
def test_more_course_forms_match_numpy(name):
    check_like_numpy(*MORE[name])


# ---------------------------------------------------------------------- research-script statistics


def summary_table(x):
    q = np.percentile(x, [0, 25, 50, 75, 100], axis=0)
    return {
        "mean": x.mean(axis=0),
        "sd": x.std(axis=0, ddof=1),
        "min": q[0],
        "q1": q[1],
        "median": q[2],
        "q3": q[3],
        "max": q[4],
        "iqr": q[3] - q[1],
    }


def percentile_methods(x):
    return tuple(
        np.percentile(x, [10, 50, 90], method=m)
        for m in (
            "linear",
            "lower",
            "higher",
            "nearest",
            "midpoint",
            "hazen",
            "weibull",
            "median_unbiased",
            "inverted_cdf",
        )
    )


def weighted_cov_corr(X, w):
    C = np.cov(X, aweights=w)
    d = np.sqrt(np.diag(C))
    return C, C / np.outer(d, d), np.cov(X, fweights=np.arange(1, X.shape[1] + 1), ddof=0)


def binned_statistic(x, y, edges):
    idx = np.digitize(x, edges) - 1
    idx = np.clip(idx, 0, len(edges) - 2)
    counts = np.bincount(idx, minlength=len(edges) - 1)
    sums = np.bincount(idx, weights=y, minlength=len(edges) - 1)
    return counts, sums / np.maximum(counts, 1)


def histogram_pdf_cdf(x, bins=8):
    hist, edges = np.histogram(x, bins=bins, range=(-3.0, 3.0), density=True)
    centers = 0.5 * (edges[:-1] + edges[1:])
    cdf = np.cumsum(hist * np.diff(edges))
    return centers, hist, cdf


def histogram_2d_density(x, y):
    H, xe, ye = np.histogram2d(x, y, bins=(4, 3), range=[[-2, 2], [-2, 2]], density=True)
    return H, np.sum(H * np.outer(np.diff(xe), np.diff(ye)))


def moving_statistics(x, w=4):
    c = np.cumsum(np.insert(x, 0, 0.0))
    c2 = np.cumsum(np.insert(x**2, 0, 0.0))
    mean = (c[w:] - c[:-w]) / w
    var = (c2[w:] - c2[:-w]) / w - mean**2
    return mean, np.sqrt(np.maximum(var, 0.0))


def standardized_moments(X):
    mu = X.mean(axis=1, keepdims=True)
    sd = X.std(axis=1, keepdims=True)
    Z = (X - mu) / sd
    return (Z**3).mean(axis=1), (Z**4).mean(axis=1) - 3.0


def ecdf_ks_distance(x, y):
    grid = np.sort(np.concatenate([x, y]))
    Fx = np.searchsorted(np.sort(x), grid, side="right") / len(x)
    Fy = np.searchsorted(np.sort(y), grid, side="right") / len(y)
    return np.max(np.abs(Fx - Fy))


def qq_points(x):
    n = len(x)
    p = (np.arange(1, n + 1) - 0.5) / n
    return np.sort(x), np.quantile(x, p), np.median(x)


def autocorrelation_time(x, max_lag=5):
    x = x - x.mean()
    var = np.dot(x, x) / len(x)
    rho = np.array([np.dot(x[: len(x) - k], x[k:]) / (len(x) * var) for k in range(1, max_lag + 1)])
    return 1 + 2 * np.sum(rho), rho


def block_averages(x, n_blocks=4):
    m = len(x) // n_blocks
    blocks = x[: m * n_blocks].reshape(n_blocks, m).mean(axis=1)
    return blocks.mean(), blocks.std(ddof=1) / np.sqrt(n_blocks)


def polyfit_residual_stats(t, y):
    p, res, rank, sv, rcond = np.polyfit(t, y, 2, full=True)
    yhat = np.polyval(p, t)
    return p, res, rank, sv, rcond, 1 - res / np.sum((y - y.mean()) ** 2), y - yhat


STATS = {
    "summary_table": (summary_table, {}, lambda s, n: (_f(3 * n, 2, seed=s),)),
    "percentile_methods": (percentile_methods, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "percentile_methods_f32": (
        percentile_methods,
        {},
        lambda s, n: (_f(3 * n, seed=s).astype(np.float32),),
    ),
    "percentile_methods_int": (percentile_methods, {}, lambda s, n: (_i(50, 3 * n, seed=s),)),
    "weighted_cov_corr": (
        weighted_cov_corr,
        {},
        lambda s, n: (_f(3, n + 2, seed=s), _f(n + 2, positive=True, seed=s)),
    ),
    "binned_statistic": (
        binned_statistic,
        {},
        lambda s, n: (_f(5 * n, seed=s), _f(5 * n, seed=s + 1), np.linspace(-2, 2, 5)),
    ),
    "histogram_pdf_cdf": (histogram_pdf_cdf, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "histogram_2d_density": (
        histogram_2d_density,
        {},
        lambda s, n: (_f(5 * n, seed=s), _f(5 * n, seed=s + 1)),
    ),
    "moving_statistics": (moving_statistics, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "standardized_moments": (standardized_moments, {}, lambda s, n: (_f(3, 3 * n, seed=s),)),
    "ecdf_ks_distance": (
        ecdf_ks_distance,
        {},
        lambda s, n: (_f(3 * n, seed=s), _f(2 * n, seed=s + 1)),
    ),
    "qq_points": (qq_points, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "autocorrelation_time": (autocorrelation_time, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "block_averages": (block_averages, {}, lambda s, n: (_f(4 * n + 1, seed=s),)),
    "polyfit_residual_stats": (
        polyfit_residual_stats,
        {},
        lambda s, n: (np.linspace(0, 1, n + 4), _f(n + 4, seed=s)),
    ),
}


@pytest.mark.parametrize("name", list(STATS))
def test_research_statistics_match_numpy(name):
    check_like_numpy(*STATS[name])


# --------------------------------------------------------------------------- stochastic simulation


def metropolis_vec(rng, x0, steps=20, s=0.5):
    x = x0.copy()
    logp = lambda z: -0.5 * z**2
    acc = 0
    for _ in range(steps):
        prop = x + s * rng.standard_normal(x.shape)
        u = rng.random(x.shape)
        accept = np.log(u) < logp(prop) - logp(x)
        x = np.where(accept, prop, x)
        acc += accept.sum()
    return x, acc / (steps * x.size)


def ising_sweep(rng, spins, beta, sweeps=2):
    n = spins.shape[0]
    s = spins.copy()
    for _ in range(sweeps):
        for parity in (0, 1):
            mask = (np.add.outer(np.arange(n), np.arange(n)) % 2) == parity
            nb = np.roll(s, 1, 0) + np.roll(s, -1, 0) + np.roll(s, 1, 1) + np.roll(s, -1, 1)
            dE = 2 * s * nb
            flip = (rng.random(s.shape) < np.exp(-beta * dE)) & mask
            s = np.where(flip, -s, s)
    return s, s.mean()


def brownian_bridge(rng, n=16, T=1.0):
    t = np.linspace(0, T, n + 1)
    dW = rng.normal(0, np.sqrt(T / n), n)
    W = np.concatenate([[0.0], np.cumsum(dW)])
    return W - t / T * W[-1]


def ou_process(rng, theta, mu, sigma, x0, n=30, dt=0.01):
    x = np.empty(n + 1)
    x[0] = x0
    noise = rng.standard_normal(n)
    for i in range(n):
        x[i + 1] = x[i] + theta * (mu - x[i]) * dt + sigma * np.sqrt(dt) * noise[i]
    return x


def langevin(rng, x, dt, steps=10):
    for _ in range(steps):
        x = x - dt * x**3 + np.sqrt(2 * dt) * rng.standard_normal(x.shape)
    return x


def mc_integral_nd(rng, d=3, n=200):
    X = rng.uniform(-1, 1, size=(n, d))
    inside = (np.sum(X**2, axis=1) <= 1).astype(float)
    vol = 2.0**d * inside.mean()
    return vol, 2.0**d * inside.std(ddof=1) / np.sqrt(n)


def importance_sampling(rng, mu, n=100):
    x = rng.normal(mu, 1.0, n)
    w = np.exp(-0.5 * x**2) / np.exp(-0.5 * (x - mu) ** 2)
    return np.sum(w * x**2) / np.sum(w)


def stratified(rng, n=20):
    u = (np.arange(n) + rng.random(n)) / n
    return np.mean(np.exp(u)), u


def antithetic(rng, n=50):
    u = rng.random(n)
    return 0.5 * (np.exp(u) + np.exp(1 - u)).mean()


def random_matrix(rng, n=5):
    A = rng.standard_normal((n, n))
    S = (A + A.T) / np.sqrt(2 * n)
    return np.linalg.eigvalsh(S)


def sde_milstein(rng, x0, mu, sig, n=20, T=1.0):
    dt = T / n
    dW = rng.normal(0.0, np.sqrt(dt), n)
    x = np.zeros(n + 1)
    x[0] = x0
    for i in range(n):
        x[i + 1] = (
            x[i] + mu * x[i] * dt + sig * x[i] * dW[i] + 0.5 * sig**2 * x[i] * (dW[i] ** 2 - dt)
        )
    return x


def poisson_process(rng, lam, T=5.0, nmax=30):
    gaps = rng.exponential(1 / lam, nmax)
    times = np.cumsum(gaps)
    return times, np.sum(times <= T)


def random_walk_2d_lattice(rng, n=30):
    moves = np.array([[1, 0], [-1, 0], [0, 1], [0, -1]])
    steps = moves[rng.integers(0, 4, n)]
    path = np.cumsum(steps, axis=0)
    return path, np.sum(path**2, axis=1)


def metropolis_scalar(rng, x0, steps=10):
    x = x0
    chain = np.empty(steps)
    for i in range(steps):
        prop = x + rng.normal()
        if rng.random() < np.exp(-0.5 * (prop**2 - x**2)):
            x = prop
        chain[i] = x
    return chain


def gillespie(rng, k1, k2, T):
    t, n = 0.0, 10
    ts, ns = [t], [n]
    while t < T:
        a = np.array([k1, k2 * n])
        a0 = a.sum()
        t += rng.exponential(1 / a0)
        n += 1 if rng.random() * a0 < a[0] else -1
        ts.append(t)
        ns.append(n)
    return np.array(ts), np.array(ns)


STOCHASTIC = [
    (metropolis_vec, (np.zeros(5),)),
    (ising_sweep, (np.where(_i(2, 6, 6) == 1, 1, -1), 0.4)),
    (brownian_bridge, ()),
    (ou_process, (0.7, 1.0, 0.3, 0.0)),
    (langevin, (np.zeros(4), 0.01)),
    (mc_integral_nd, ()),
    (importance_sampling, (0.5,)),
    (stratified, ()),
    (antithetic, ()),
    (random_matrix, ()),
    (sde_milstein, (1.0, 0.1, 0.3)),
    (poisson_process, (2.0,)),
    (random_walk_2d_lattice, ()),
]


@pytest.mark.parametrize("fn, args", STOCHASTIC, ids=[f.__name__ for f, _ in STOCHASTIC])
def test_stochastic_simulation_with_a_generator_argument(fn, args):
    """Vectorized Metropolis and checkerboard Ising sweeps, OU/Langevin/Milstein SDE steps,
    Monte Carlo variance reduction and random matrices: NumPy's draws and values over three
    calls, and the generator left in NumPy's state."""
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(got_rng, *args), fn(want_rng, *args))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


@pytest.mark.parametrize(
    "fn, args",
    [(metropolis_scalar, (0.0,)), (gillespie, (1.0, 0.1, 2.0))],
    ids=["metropolis_scalar", "gillespie"],
)
def test_stochastic_branches_are_refused_and_fall_back(fn, args):
    """An accept/reject `if rng.random() < p` per step, and Gillespie's `while t < T`: refused
    by name; under `fallback=True` NumPy's values and the generator's state."""
    with pytest.raises(tracenp.errors.ConcretizationError):
        tracenp.jit(fn)(np.random.default_rng(0), *args)
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn, fallback=True)
    with pytest.warns(tracenp.TracingFallbackWarning):
        for _ in range(3):
            assert_same(jf(got_rng, *args), fn(want_rng, *args))
            assert got_rng.bit_generator.state == want_rng.bit_generator.state


# ------------------------------------------------------------------------------- textbook classics


def cheb(N):
    """Trefethen's `cheb.m` (Spectral Methods in MATLAB) as its Python ports write it."""
    x = np.cos(np.pi * np.arange(N + 1) / N)
    c = np.hstack([2, np.ones(N - 1), 2]) * (-1) ** np.arange(N + 1)
    X = np.tile(x, (N + 1, 1)).T
    dX = X - X.T
    D = np.outer(c, 1 / c) / (dX + np.eye(N + 1))
    D = D - np.diag(np.sum(D, axis=1))
    return D, x


def cheb_derivative(u_of_x, N=8):
    D, x = cheb(N)
    u = np.exp(u_of_x * x) * np.sin(5 * x)
    return D @ u, (D @ D) @ u


def cheb_bvp(a, N=10):
    D, x = cheb(N)
    D2 = (D @ D)[1:-1, 1:-1]
    f = np.exp(a * x[1:-1])
    u = np.zeros(N + 1)
    u[1:-1] = np.linalg.solve(D2, f)
    return x, u


def minmod(a, b):
    return np.where(a * b > 0, np.sign(a) * np.minimum(np.abs(a), np.abs(b)), 0.0)


def muscl_advection(u, c, dx, dt, steps=4):
    for _ in range(steps):
        du = minmod(u - np.roll(u, 1), np.roll(u, -1) - u)
        uL = u + 0.5 * du * (1 - c * dt / dx)
        flux = c * uL
        u = u - dt / dx * (flux - np.roll(flux, 1))
    return u


def godunov_burgers(u, dx, dt, steps=4):
    for _ in range(steps):
        ul, ur = u[:-1], u[1:]
        fl, fr = 0.5 * ul**2, 0.5 * ur**2
        s = 0.5 * (ul + ur)
        F = np.where(
            ul > ur, np.where(s > 0, fl, fr), np.where(ul > 0, fl, np.where(ur < 0, fr, 0.0))
        )
        u = u.copy()
        u[1:-1] -= dt / dx * (F[1:] - F[:-1])
    return u


def ghost_cells_diffusion(u, D, dx, dt, steps=5):
    for _ in range(steps):
        ug = np.concatenate(([u[1]], u, [u[-2]]))
        u = u + D * dt / dx**2 * (ug[2:] - 2 * ug[1:-1] + ug[:-2])
    return u


def periodic_ghost_update(u, c, steps=5):
    u = np.concatenate(([0.0], u, [0.0]))
    for _ in range(steps):
        u[0], u[-1] = u[-2], u[1]
        u[1:-1] = u[1:-1] - 0.5 * c * (u[2:] - u[:-2]) + 0.5 * c**2 * (u[2:] - 2 * u[1:-1] + u[:-2])
    return u[1:-1]


def fd_poisson_2d_kron(f0, n):
    h = 1.0 / (n + 1)
    T = 2 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)
    A = (np.kron(np.eye(n), T) + np.kron(T, np.eye(n))) / h**2
    x = np.linspace(h, 1 - h, n)
    X, Y = np.meshgrid(x, x)
    F = f0 * np.sin(np.pi * X) * np.sin(np.pi * Y)
    U = np.linalg.solve(A, F.ravel()).reshape(n, n)
    return U, np.max(np.abs(U - F / (2 * np.pi**2)))


def stiff_implicit_trapezoid(y0, lam, h, n=10):
    y = np.empty(n + 1, dtype=np.result_type(y0, lam, float))
    y[0] = y0
    for k in range(n):
        y[k + 1] = y[k] * (1 + h * lam / 2) / (1 - h * lam / 2)
    return y


def convergence_order(errors, hs):
    return np.log(errors[:-1] / errors[1:]) / np.log(hs[:-1] / hs[1:]), np.polyfit(
        np.log(hs), np.log(errors), 1
    )[0]


def euler_convergence(T, ns=(4, 8, 16, 32)):
    errs = []
    hs = []
    for n in ns:
        h = T / n
        y = 1.0
        for _ in range(n):
            y = y + h * (-2.0 * y)
        errs.append(abs(y - np.exp(-2.0 * T)))
        hs.append(h)
    return convergence_order(np.array(errs), np.array(hs))


def machine_epsilon_table(x):
    eps = np.finfo(x.dtype).eps
    return x + eps, x * (1 + eps / 2) == x, np.spacing(x), np.nextafter(x, np.inf) - x


def catastrophic_cancellation(x):
    naive = (1 - np.cos(x)) / x**2
    stable = 2 * np.sin(x / 2) ** 2 / x**2
    return naive, stable, np.expm1(x) / x, (np.exp(x) - 1) / x


def kahan_sum(x):
    s = 0.0
    c = 0.0
    for k in range(len(x)):
        y = x[k] - c
        t = s + y
        c = (t - s) - y
        s = t
    return s, np.sum(x)


def horner_with_derivative(coeffs, x):
    p = np.zeros_like(x)
    dp = np.zeros_like(x)
    for a in coeffs:
        dp = dp * x + p
        p = p * x + a
    return p, dp


CLASSICS = {
    "cheb": (cheb, {"N": 6}, lambda s, n: ()),
    "cheb_derivative": (cheb_derivative, {}, lambda s, n: (0.1 * s + n,)),
    "cheb_bvp": (cheb_bvp, {}, lambda s, n: (0.5 * s + n,)),
    "muscl_advection": (muscl_advection, {}, lambda s, n: (_f(2 * n, seed=s), 1.0, 0.1, 0.05)),
    "godunov_burgers": (godunov_burgers, {}, lambda s, n: (_f(2 * n, seed=s), 0.1, 0.02)),
    "ghost_cells_diffusion": (
        ghost_cells_diffusion,
        {},
        lambda s, n: (_f(2 * n, seed=s), 1.0, 0.1, 0.004),
    ),
    "periodic_ghost_update": (periodic_ghost_update, {}, lambda s, n: (_f(2 * n, seed=s), 0.5)),
    "fd_poisson_2d_kron": (fd_poisson_2d_kron, {"n": 4}, lambda s, n: (1.0 * s + n,)),
    "stiff_implicit_trapezoid": (
        stiff_implicit_trapezoid,
        {},
        lambda s, n: (1.0 * s, -50.0, 0.01 * n),
    ),
    "stiff_implicit_trapezoid_complex": (
        stiff_implicit_trapezoid,
        {},
        lambda s, n: (1.0, -5.0 + 10j * s, 0.01 * n),
    ),
    "euler_convergence": (euler_convergence, {}, lambda s, n: (0.5 * s + n,)),
    "machine_epsilon_table": (
        machine_epsilon_table,
        {},
        lambda s, n: (_f(n, positive=True, seed=s),),
    ),
    "machine_epsilon_table_f32": (
        machine_epsilon_table,
        {},
        lambda s, n: (_f(n, positive=True, seed=s).astype(np.float32),),
    ),
    "catastrophic_cancellation": (
        catastrophic_cancellation,
        {},
        lambda s, n: (10.0 ** -np.arange(1, n + 1) * s,),
    ),
    "kahan_sum": (kahan_sum, {}, lambda s, n: (_f(4 * n, seed=s) * 1e8 + 0.1,)),
    "kahan_sum_f32": (kahan_sum, {}, lambda s, n: ((_f(4 * n, seed=s) + 0.1).astype(np.float32),)),
    "horner_with_derivative": (
        horner_with_derivative,
        {},
        lambda s, n: (_f(4, seed=s), _f(n, seed=s + 1)),
    ),
}


@pytest.mark.parametrize("name", list(CLASSICS))
def test_textbook_classics_match_numpy(name):
    """Trefethen's `cheb`, MUSCL and Godunov schemes, ghost cells, a Kronecker-sum Poisson
    matrix, convergence-order tables and floating-point lessons (machine epsilon,
    cancellation, Kahan summation)."""
    check_like_numpy(*CLASSICS[name])


# ----------------------------------------------------------------- "12 steps to Navier-Stokes"


def linear_convection_1d(c, dt, nx=41, nt=25):
    dx = 2 / (nx - 1)
    u = np.ones(nx)
    u[int(0.5 / dx) : int(1 / dx + 1)] = 2
    for n in range(nt):
        un = u.copy()
        for i in range(1, nx):
            u[i] = un[i] - c * dt / dx * (un[i] - un[i - 1])
    return u


def linear_convection_2d(c, dt, nx=11, ny=11, nt=5):
    dx = 2 / (nx - 1)
    dy = 2 / (ny - 1)
    u = np.ones((ny, nx))
    u[int(0.5 / dy) : int(1 / dy + 1), int(0.5 / dx) : int(1 / dx + 1)] = 2
    for n in range(nt + 1):
        un = u.copy()
        u[1:, 1:] = (
            un[1:, 1:]
            - (c * dt / dx * (un[1:, 1:] - un[1:, :-1]))
            - (c * dt / dy * (un[1:, 1:] - un[:-1, 1:]))
        )
        u[0, :] = 1
        u[-1, :] = 1
        u[:, 0] = 1
        u[:, -1] = 1
    return u


def burgers_periodic(nu, nt=10, nx=21):
    dx = 2 * np.pi / (nx - 1)
    dt = dx * nu
    x = np.linspace(0, 2 * np.pi, nx)
    phi = np.exp(-(x**2) / (4 * nu)) + np.exp(-((x - 2 * np.pi) ** 2) / (4 * nu))
    dphi = -x / (2 * nu) * np.exp(-(x**2) / (4 * nu)) - (x - 2 * np.pi) / (2 * nu) * np.exp(
        -((x - 2 * np.pi) ** 2) / (4 * nu)
    )
    u = -2 * nu * dphi / phi + 4
    for n in range(nt):
        un = u.copy()
        for i in range(1, nx - 1):
            u[i] = (
                un[i]
                - un[i] * dt / dx * (un[i] - un[i - 1])
                + nu * dt / dx**2 * (un[i + 1] - 2 * un[i] + un[i - 1])
            )
        u[0] = (
            un[0]
            - un[0] * dt / dx * (un[0] - un[-2])
            + nu * dt / dx**2 * (un[1] - 2 * un[0] + un[-2])
        )
        u[-1] = u[0]
    return u


def circular_initial_condition(r2, amp, n=12):
    x = np.linspace(0, 1, n)
    X, Y = np.meshgrid(x, x)
    u = np.zeros((n, n))
    u[(X - 0.5) ** 2 + (Y - 0.5) ** 2 < r2] = amp
    return u, np.where((X > 0.3) & (X < 0.6), amp, 0.0)


def pressure_poisson(p, b, dx, dy, nit=10):
    pn = np.empty_like(p)
    pn = p.copy()
    for q in range(nit):
        pn = p.copy()
        p[1:-1, 1:-1] = (
            (pn[1:-1, 2:] + pn[1:-1, 0:-2]) * dy**2 + (pn[2:, 1:-1] + pn[0:-2, 1:-1]) * dx**2
        ) / (2 * (dx**2 + dy**2)) - dx**2 * dy**2 / (2 * (dx**2 + dy**2)) * b[1:-1, 1:-1]
        p[:, -1] = p[:, -2]
        p[0, :] = p[1, :]
        p[:, 0] = p[:, 1]
        p[-1, :] = 0
    return p


CFD = {
    "linear_convection_1d": (linear_convection_1d, {}, lambda s, n: (1.0 * s, 0.005 * n)),
    "linear_convection_2d": (linear_convection_2d, {}, lambda s, n: (1.0 * s, 0.002 * n)),
    "burgers_periodic": (burgers_periodic, {}, lambda s, n: (0.05 + 0.01 * s + 0.001 * n,)),
    "circular_initial_condition": (
        circular_initial_condition,
        {},
        lambda s, n: (0.01 * n, 1.0 * s),
    ),
    "pressure_poisson": (
        pressure_poisson,
        {},
        lambda s, n: (_f(n + 2, 7, seed=s), _f(n + 2, 7, seed=s + 1), 0.1, 0.2),
    ),
}


@pytest.mark.parametrize("name", list(CFD))
def test_cfd_steps_match_numpy(name):
    """Barba's CFD steps as students copy them: a step profile written by `int(0.5 / dx)`
    slices of a static grid, per-point loops over `un = u.copy()`, periodic Burgers with the
    analytic initial condition, a masked circular pulse and the cavity's pressure Poisson."""
    check_like_numpy(*CFD[name])


# --------------------------------------------------------------- nonlinear systems, more quadrature


def nonlinear_system(x):
    return np.array([x[0] ** 2 + x[1] ** 2 - 4, x[0] * x[1] - 1, x[2] - x[0]])


def fd_jacobian(F, x, h=1e-6):
    n = len(x)
    f0 = F(x)
    J = np.zeros((len(f0), n))
    for j in range(n):
        e = np.zeros(n)
        e[j] = h
        J[:, j] = (F(x + e) - f0) / h
    return J


def newton_fd(x, iters=5):
    for _ in range(iters):
        x = x - np.linalg.solve(fd_jacobian(nonlinear_system, x), nonlinear_system(x))
    return x


def broyden(x, iters=6):
    B = fd_jacobian(nonlinear_system, x)
    f = nonlinear_system(x)
    for _ in range(iters):
        dx = -np.linalg.solve(B, f)
        x = x + dx
        f_new = nonlinear_system(x)
        df = f_new - f
        B = B + np.outer(df - B @ dx, dx) / (dx @ dx)
        f = f_new
    return x, np.linalg.norm(f)


def interp_rows(Z, xq):
    x = np.arange(Z.shape[1], dtype=float)
    return np.array([np.interp(xq, x, row) for row in Z])


def bilinear_grid(Z, xq, yq):
    ny, nx = Z.shape
    tmp = np.array([np.interp(xq, np.arange(nx), Z[j]) for j in range(ny)])
    return np.array([np.interp(yq, np.arange(ny), tmp[:, i]) for i in range(len(xq))]).T


def neville(xs, ys, x):
    n = len(xs)
    P = np.array(ys, dtype=float)
    for k in range(1, n):
        P[: n - k] = ((x - xs[k:]) * P[: n - k] + (xs[: n - k] - x) * P[1 : n - k + 1]) / (
            xs[: n - k] - xs[k:]
        )
    return P[0]


def clenshaw_curtis(f_scale, N=8):
    theta = np.pi * np.arange(N + 1) / N
    x = np.cos(theta)
    w = np.zeros(N + 1)
    v = np.ones(N - 1)
    for k in range(1, N // 2):
        v -= 2 * np.cos(2 * k * theta[1:-1]) / (4 * k**2 - 1)
    v -= np.cos(N * theta[1:-1]) / (N**2 - 1)
    w[0] = w[N] = 1 / (N**2 - 1)
    w[1:-1] = 2 * v / N
    return w @ np.exp(f_scale * x), w


def gauss_hermite_expectation(mu, sigma, deg=8):
    x, w = np.polynomial.hermite.hermgauss(deg)
    return np.sum(w * np.cos(mu + np.sqrt(2) * sigma * x)) / np.sqrt(np.pi)


def composite_gauss(a, b, m=4, deg=3):
    xg, wg = np.polynomial.legendre.leggauss(deg)
    edges = np.linspace(a, b, m + 1)
    mid = 0.5 * (edges[1:] + edges[:-1])[:, None]
    half = 0.5 * np.diff(edges)[:, None]
    pts = mid + half * xg
    return np.sum(half * wg * np.sin(pts) ** 2)


NONLINEAR = {
    "newton_fd": (newton_fd, {}, lambda s, n: (np.array([1.5 + 0.1 * s, 0.5, 0.01 * n]),)),
    "broyden": (broyden, {}, lambda s, n: (np.array([1.5 + 0.1 * s, 0.5, 0.01 * n]),)),
    "interp_rows": (interp_rows, {}, lambda s, n: (_f(3, n, seed=s), np.linspace(0, n - 1, 7))),
    "bilinear_grid": (
        bilinear_grid,
        {},
        lambda s, n: (_f(4, n, seed=s), np.linspace(0, n - 1, 6), np.linspace(0, 3, 3)),
    ),
    "neville": (neville, {}, lambda s, n: (np.arange(n + 1.0), _f(n + 1, seed=s), 2.5)),
    "clenshaw_curtis": (clenshaw_curtis, {}, lambda s, n: (0.1 * s + n,)),
    "gauss_hermite_expectation": (gauss_hermite_expectation, {}, lambda s, n: (0.1 * s, 0.1 * n)),
    "composite_gauss": (composite_gauss, {}, lambda s, n: (0.0, 1.0 * s + n)),
}


@pytest.mark.parametrize("name", list(NONLINEAR))
def test_nonlinear_systems_and_quadrature_match_numpy(name):
    """Newton with a finite-difference Jacobian filled column by column, Broyden's rank-one
    update, row-by-row `np.interp`, Neville's tableau, Clenshaw-Curtis weights and
    Gauss-Hermite and composite Gauss-Legendre rules."""
    check_like_numpy(*NONLINEAR[name])


# --------------------------------------------------------- stochastic optimization with a generator


def sphere(X):
    return np.sum(X**2, axis=-1)


def pso(rng, n=8, d=2, iters=10, w=0.7, c1=1.5, c2=1.5):
    X = rng.uniform(-5, 5, (n, d))
    V = np.zeros((n, d))
    P = X.copy()
    pf = sphere(P)
    g = P[np.argmin(pf)].copy()
    for _ in range(iters):
        r1, r2 = rng.random((n, d)), rng.random((n, d))
        V = w * V + c1 * r1 * (P - X) + c2 * r2 * (g - X)
        X = X + V
        f = sphere(X)
        better = f < pf
        P[better] = X[better]
        pf = np.where(better, f, pf)
        g = P[np.argmin(pf)].copy()
    return g, pf.min()


def de(rng, n=6, d=2, iters=5, F=0.8, CR=0.9):
    pop = rng.uniform(-3, 3, (n, d))
    fit = sphere(pop)
    for _ in range(iters):
        for i in range(n):
            idx = [j for j in range(n) if j != i]
            a, b, c = pop[rng.choice(idx, 3, replace=False)]
            mutant = np.clip(a + F * (b - c), -3, 3)
            cross = rng.random(d) < CR
            cross[rng.integers(d)] = True
            trial = np.where(cross, mutant, pop[i])
            ft = sphere(trial)
            better = ft < fit[i]
            pop[i] = np.where(better, trial, pop[i])
            fit[i] = np.where(better, ft, fit[i])
    return pop[np.argmin(fit)], fit.min()


def ga(rng, n=8, L=6, gens=4):
    pop = rng.integers(0, 2, (n, L))
    for _ in range(gens):
        fit = pop.sum(axis=1)
        parents = pop[np.argsort(-fit, kind="stable")[: n // 2]]
        cut = rng.integers(1, L, n // 2)
        mask = np.arange(L)[None, :] < cut[:, None]
        kids = np.where(mask, parents, parents[::-1])
        flip = rng.random(kids.shape) < 0.1
        kids = np.where(flip, 1 - kids, kids)
        pop = np.vstack([parents, kids])
    return pop, pop.sum(axis=1).max()


def anneal(rng, x0, T0=1.0, steps=10):
    x = x0
    fx = np.sin(3 * x) + x**2
    for k in range(steps):
        T = T0 / (1 + k)
        y = x + rng.normal(0, 0.5)
        fy = np.sin(3 * y) + y**2
        if fy < fx or rng.random() < np.exp(-(fy - fx) / T):
            x, fx = y, fy
    return x, fx


def anneal_vec(rng, x0, T0=1.0, steps=10):
    x = x0.copy()
    fx = np.sin(3 * x) + x**2
    for k in range(steps):
        T = T0 / (1 + k)
        y = x + rng.normal(0, 0.5, x.shape)
        fy = np.sin(3 * y) + y**2
        acc = (fy < fx) | (rng.random(x.shape) < np.exp(-(fy - fx) / T))
        x = np.where(acc, y, x)
        fx = np.where(acc, fy, fx)
    return x, fx


def cem(rng, mu, sigma, iters=4, n=20, k=5):
    for _ in range(iters):
        X = rng.normal(mu, sigma, (n, mu.size))
        elite = X[np.argsort(sphere(X - 1.0))[:k]]
        mu, sigma = elite.mean(axis=0), elite.std(axis=0) + 1e-3
    return mu, sigma


def sgd_noisy(rng, w, X, y, lr=0.05, epochs=3, bs=4):
    n = len(y)
    for _ in range(epochs):
        perm = rng.permutation(n)
        for s in range(0, n, bs):
            b = perm[s : s + bs]
            g = X[b].T @ (X[b] @ w - y[b]) / len(b)
            w = w - lr * g
    return w


OPTIMIZERS = [
    (pso, ()),
    (de, ()),
    (ga, ()),
    (anneal_vec, (np.ones(4),)),
    (cem, (np.zeros(2), np.ones(2))),
    (sgd_noisy, (np.zeros(3), _f(12, 3, seed=1), _f(12, seed=2))),
]


@pytest.mark.parametrize("fn, args", OPTIMIZERS, ids=[f.__name__ for f, _ in OPTIMIZERS])
def test_stochastic_optimizers_with_a_generator_argument(fn, args):
    """Particle swarm with masked personal-best writes, differential evolution drawing three
    distinct members per row, a bit-string GA, vectorized annealing, the cross-entropy method
    and minibatch SGD over `rng.permutation`: NumPy's draws and values, the generator's state."""
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(got_rng, *args), fn(want_rng, *args))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


def test_annealing_with_an_if_falls_back():
    """Metropolis acceptance by `if fy < fx or rng.random() < ...`: refused by name, NumPy's
    values and generator state under `fallback=True`."""
    with pytest.raises(tracenp.errors.ConcretizationError):
        tracenp.jit(anneal)(np.random.default_rng(0), 1.0)
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(anneal, fallback=True)
    with pytest.warns(tracenp.TracingFallbackWarning):
        for _ in range(3):
            assert_same(jf(got_rng, 1.0), anneal(want_rng, 1.0))
            assert got_rng.bit_generator.state == want_rng.bit_generator.state


# ----------------------------------------------------------------------------- generic integrators


def odeint_rk4(f, y0, t, args=()):
    y = np.zeros((len(t), len(y0)))
    y[0] = y0
    for i in range(len(t) - 1):
        h = t[i + 1] - t[i]
        k1 = np.asarray(f(y[i], t[i], *args))
        k2 = np.asarray(f(y[i] + k1 * h / 2.0, t[i] + h / 2.0, *args))
        k3 = np.asarray(f(y[i] + k2 * h / 2.0, t[i] + h / 2.0, *args))
        k4 = np.asarray(f(y[i] + k3 * h, t[i] + h, *args))
        y[i + 1] = y[i] + (h / 6.0) * (k1 + 2 * k2 + 2 * k3 + k4)
    return y


def damped_pendulum(y, t, b, c):
    theta, omega = y
    return [omega, -b * omega - c * np.sin(theta)]


def odeint_pendulum(y0, t, b, c):
    return odeint_rk4(damped_pendulum, y0, t, args=(b, c))


def euler_generic(f, y0, t0, t1, n):
    h = (t1 - t0) / n
    y = np.array(y0, dtype=float)
    t = t0
    for _ in range(n):
        y = y + h * np.array(f(t, y))
        t += h
    return y


def euler_tuple_state(y0, t1):
    return euler_generic(lambda t, y: [-y[0] + t, y[0] * y[1]], y0, 0.0, t1, 6)


def ys_list_of_lists(y0, h, n=5):
    ys = [y0]
    for _ in range(n):
        y = ys[-1]
        ys.append([y[0] + h * y[1], y[1] - h * y[0]])
    return np.array(ys)


def trajectory_dict(state, dt):
    hist = {"x": [], "v": []}
    x, v = state["x"], state["v"]
    for _ in range(4):
        v = v - dt * x
        x = x + dt * v
        hist["x"].append(x)
        hist["v"].append(v)
    return {k: np.array(val) for k, val in hist.items()}


def van_der_pol(y0, mu, h, n=20):
    Y = np.empty((n + 1, 2))
    Y[0] = y0
    for k in range(n):
        x, v = Y[k]
        Y[k + 1, 0] = x + h * v
        Y[k + 1, 1] = v + h * (mu * (1 - x**2) * v - x)
    return Y


def rk_butcher_tableau(y0, h, n=5):
    A = np.array([[0, 0, 0, 0], [0.5, 0, 0, 0], [0, 0.5, 0, 0], [0, 0, 1, 0]])
    b = np.array([1, 2, 2, 1]) / 6
    c = A.sum(axis=1)
    y, t = y0, 0.0
    for _ in range(n):
        k = np.zeros((4,) + np.shape(y))
        for i in range(4):
            k[i] = np.cos(t + c[i] * h) * (y + h * np.tensordot(A[i, :i], k[:i], axes=1))
        y = y + h * np.tensordot(b, k, axes=1)
        t += h
    return y


GENERIC = {
    "odeint_pendulum": (
        odeint_pendulum,
        {},
        lambda s, n: ([np.pi - 0.1 * s, 0.0], np.linspace(0, 1, 2 * n + 1), 0.25, 5.0),
    ),
    "odeint_pendulum_tuple": (
        odeint_pendulum,
        {},
        lambda s, n: ((1.0 * s, 0.5), np.linspace(0, 1, 2 * n + 1), 0.25, 5.0),
    ),
    "odeint_pendulum_f32_t": (
        odeint_pendulum,
        {},
        lambda s, n: (
            np.array([1.0 * s, 0.0], dtype=np.float32),
            np.linspace(0, 1, 2 * n + 1, dtype=np.float32),
            0.25,
            5.0,
        ),
    ),
    "euler_tuple_state": (euler_tuple_state, {}, lambda s, n: ((1.0 * s, 0.5), 1.0 * n)),
    "euler_int_state": (euler_tuple_state, {}, lambda s, n: ([s, 2], n)),
    "ys_list_of_lists": (ys_list_of_lists, {}, lambda s, n: ([1.0 * s, 0.0], 0.1 * n)),
    "ys_list_of_ints": (ys_list_of_lists, {}, lambda s, n: ([s, 0], 0.1 * n)),
    "trajectory_dict": (trajectory_dict, {}, lambda s, n: ({"x": 1.0 * s, "v": 0.0}, 0.1)),
    "trajectory_dict_arrays": (
        trajectory_dict,
        {},
        lambda s, n: ({"x": _f(n, seed=s), "v": np.zeros(n)}, 0.1),
    ),
    "van_der_pol": (van_der_pol, {}, lambda s, n: (np.array([2.0, 0.1 * s]), 1.0 * n, 0.05)),
    "van_der_pol_list": (van_der_pol, {}, lambda s, n: ([2.0, 0.1 * s], 1.0 * n, 0.05)),
    "rk_butcher_tableau": (rk_butcher_tableau, {}, lambda s, n: (_f(n, seed=s), 0.1)),
    "rk_butcher_tableau_scalar": (rk_butcher_tableau, {}, lambda s, n: (1.0 * s, 0.01 * n)),
}


@pytest.mark.parametrize("name", list(GENERIC))
def test_generic_integrators_match_numpy(name):
    """Integrators written once for any right-hand side: a module-level function returning a
    list, initial states as lists, tuples and int lists, histories in lists and dicts."""
    check_like_numpy(*GENERIC[name])


# ---------------------------------------------------------------------------------- what was fixed


def covariance_in_single_precision(X, w):
    return (
        np.cov(X, dtype=np.float32),
        np.corrcoef(X, dtype=np.float32),
        np.cov(X[0], X[1], dtype=np.float32),
        np.cov(X, aweights=w, dtype=np.float32),
        np.cov(X.astype(np.float32), fweights=np.arange(1, X.shape[1] + 1)),
    )


def test_cov_keeps_the_dtype_asked_for():
    """`np.cov(X, dtype=np.float32)` was float64: NumPy scales by `c *= 1 / fact` in place, so
    the result keeps the asked dtype (and subtracts the weighted mean from `X` in place)."""
    check_like_numpy(
        covariance_in_single_precision,
        {},
        lambda s, n: (_f(3, n + 2, seed=s), _f(n + 2, positive=True, seed=s)),
    )


def fit_with_uncertainty(t, y, w):
    p, V = np.polyfit(t, y, 1, cov=True)
    q, U = np.polyfit(t, y, 2, w=w, cov="unscaled")
    P, W = np.polyfit(t, np.column_stack([y, 2 * y + t]), 1, cov=True)
    return p, np.sqrt(np.diag(V)), q, U, P, W


def test_polyfit_with_cov():
    """`np.polyfit(t, y, 1, cov=True)` (the parameter errors of a fitted line) raised
    UnsupportedFunctionError: NumPy's inverse normal matrix, scaled by the residuals over the
    degrees of freedom (or not, for `cov="unscaled"`), one per column of a 2-d `y`."""
    check_like_numpy(
        fit_with_uncertainty,
        {},
        lambda s, n: (
            np.linspace(0, 1, n + 3),
            _f(n + 3, seed=s),
            _f(n + 3, positive=True, seed=s),
        ),
    )


def test_polyfit_cov_needs_more_points_than_coefficients():
    """NumPy's ValueError when the residuals cannot be scaled (as many points as coefficients)."""
    fn = lambda t, y: np.polyfit(t, y, 2, cov=True)
    args = (np.linspace(0, 1, 3), _f(3))
    with pytest.raises(ValueError):
        fn(*args)
    with pytest.raises(ValueError):
        tracenp.jit(fn)(*args)


# ------------------------------------------------------------------------------- scripts' refusals


def euler_steps_from_duration(y0, T, h):
    n = int(T / h)
    y = np.zeros(n + 1)
    y[0] = y0
    for i in range(n):
        y[i + 1] = y[i] - h * y[i]
    return y


def time_grid_from_step(T, dt):
    t = np.arange(0, T + dt / 2, dt)
    return t, np.exp(-t)


def rhs_with_math(t, y):
    return -y * math.exp(-t) + math.sin(t)


def euler_math_rhs(y0, t0, h, n=5):
    t, y = t0, y0
    for _ in range(n):
        y = y + h * rhs_with_math(t, y)
        t = t + h
    return y


def complex_sqrt_of_discriminant(a, b, c):
    d = np.emath.sqrt(b * b - 4 * a * c)
    return (-b + d) / (2 * a), (-b - d) / (2 * a)


def weighted_median(x, w):
    return np.quantile(x, 0.5, weights=w, method="inverted_cdf")


def residual_converged(A, x, b):
    r = np.linalg.norm(A @ x - b)
    if np.allclose(A @ x, b):
        return x, r
    return np.linalg.solve(A, b), r


SCRIPT_REFUSALS = {
    "complex_sqrt_of_discriminant": (
        "DataDependentShapeError",
        complex_sqrt_of_discriminant,
        lambda s: (1.0, _f(4, seed=s), _f(4, seed=s + 1)),
    ),
    "residual_converged": (
        "ConcretizationError",
        residual_converged,
        lambda s: (spd(s, 3), _f(3, seed=s), _f(3, seed=s + 1)),
    ),
}


SCRIPT_REFUSALS_NOW_STATIC = {
    "euler_steps_from_duration": (
        "ConcretizationError",
        euler_steps_from_duration,
        lambda s: (1.0 * s, 1.0, 0.1),
    ),
    "euler_math_rhs": ("ConcretizationError", euler_math_rhs, lambda s: (1.0 * s, 0.0, 0.1)),
    "time_grid_from_step": (
        "DataDependentShapeError",
        time_grid_from_step,
        lambda s: (1.0 * s, 0.25),
    ),
}


@pytest.mark.parametrize("name", list(SCRIPT_REFUSALS_NOW_STATIC))
def test_script_forms_of_python_scalars_trace(name):
    """Refused until jit made static the Python scalar arguments whose values the function's Python needs; now NumPy's values."""
    _, fn, make = SCRIPT_REFUSALS_NOW_STATIC[name]
    check_steered(fn, make)


def test_a_weighted_median_traces():
    """`np.quantile(x, 0.5, weights=w, method="inverted_cdf")`: refused until stop 30."""
    check_like_numpy(weighted_median, {}, lambda s, n: (_f(n, seed=s), _f(n, positive=True,
                                                                           seed=s)))


@pytest.mark.parametrize("name", list(SCRIPT_REFUSALS))
def test_script_refusals_run_under_fallback(name):
    """`np.emath.sqrt` of a negative discriminant (complex, a type the values decide: raised
    when the function runs) and an `if np.allclose(...)`: refused by name, NumPy's values
    under `fallback=True`."""
    error, fn, make = SCRIPT_REFUSALS[name]
    check_refused(getattr(tracenp.errors, error), fn, make)


def polynomial_arithmetic(c, x):
    p = np.polynomial.Polynomial(c)
    return (p * p + 1)(x)


def test_polynomial_class_arithmetic_is_refused_by_name():
    """`Polynomial.__mul__` trims trailing zero coefficients (a branch on a traced value) and
    turns the refusal into NotImplemented; the trace raises the refusal, not Python's
    TypeError, so fallback=True runs it."""
    check_refused(
        tracenp.errors.ConcretizationError,
        polynomial_arithmetic,
        lambda s: (_f(3, seed=s), _f(5, seed=s + 1)),
    )


def mc_until_close(rng, tol):
    n = 0
    x = rng.random(10)
    while np.abs(x.mean() - 0.5) > tol and n < 50:
        x = rng.random(10)
        n += 1
    return x.mean(), n


def first_passage(rng, b):
    pos = np.cumsum(rng.choice([-1, 1], size=50))
    hit = np.nonzero(np.abs(pos) >= b)[0]
    return hit[0] if len(hit) else -1


@pytest.mark.parametrize(
    "fn, arg", [(mc_until_close, 0.05), (first_passage, 3)], ids=["mc_until_close", "first_passage"]
)
def test_refused_draws_from_a_generator_run_once(fn, arg):
    """A sampler that loops until close enough, or a first-passage time of a random walk, is
    refused by name; under `fallback=True` the generator is drawn from once per call, by NumPy,
    and ends in NumPy's state."""
    with pytest.raises(tracenp.errors.TracingError):
        tracenp.jit(fn)(np.random.default_rng(0), arg)
    want_rng, got_rng = np.random.default_rng(1), np.random.default_rng(1)
    jf = tracenp.jit(fn, fallback=True)
    with pytest.warns(tracenp.TracingFallbackWarning):
        for _ in range(3):
            assert_same(jf(got_rng, arg), fn(want_rng, arg))
            assert got_rng.bit_generator.state == want_rng.bit_generator.state


def trapezoid_n(a, b, n):
    x = np.linspace(a, b, n + 1)
    y = np.exp(-(x**2))
    h = (b - a) / n
    return h * (0.5 * y[0] + y[1:-1].sum() + 0.5 * y[-1])


def test_a_step_count_argument_is_static():
    """`trapezoid(a, b, n)` with `n` a size: made static by jit itself, or by
    `static_argnames`; NumPy's value for each `n`, by position or by name."""
    check_steered(trapezoid_n, lambda s: (0.0, 1.0 * s, 8))
    for jf in (tracenp.jit(trapezoid_n), tracenp.jit(trapezoid_n, static_argnames="n")):
        for n in (4, 8, 9):
            assert_same(jf(0.0, 2.0, n=n), trapezoid_n(0.0, 2.0, n))
            assert_same(jf(0.5, 2.0, n), trapezoid_n(0.5, 2.0, n))


def tensor_polynomial_values(C, x, y):
    P, Ch, L = np.polynomial.polynomial, np.polynomial.chebyshev, np.polynomial.legendre
    grid = np.linspace(-1, 1, 5)
    return (
        P.polyval(x, C),
        Ch.chebval(grid, C),
        L.legval(x, C.T),
        P.polyval(x, C, tensor=False),
        np.polynomial.hermite.hermval(x, C[:, :1]),
    )


def test_polynomial_values_of_two_dimensional_coefficients():
    """`P.polyval(x, C)` with a column of coefficients per polynomial evaluates each at every x
    (NumPy's `isinstance(x, np.ndarray)` branch reshapes `C`): `np.polynomial` saw tracenp's
    class, skipped it, and gave an elementwise answer (shape (5,) for (5, 5) when the lengths
    agreed) or a broadcast ValueError."""
    check_like_numpy(
        tensor_polynomial_values,
        {},
        lambda s, n: (_f(3, n, seed=s), np.linspace(0, 1, n), _f(n, seed=s + 1)),
    )


def polynomial_surfaces(x, y, C):
    P = np.polynomial.polynomial
    return (
        P.polyval2d(x, y, C),
        P.polygrid2d(x, y[:3], C),
        np.polynomial.chebyshev.chebval2d(x, y, C),
        np.polynomial.legendre.leggrid2d(x, y, C),
        P.polyval3d(x, y, x, C[..., None]),
    )


def test_polyval2d_and_polygrid2d():
    """`np.polynomial.polynomial.polyval2d`/`polygrid2d` (the two of `np.polynomial` NumPy
    dispatches through `__array_function__`) raised UnsupportedFunctionError: they run their
    Python, which traces, as the other `np.polynomial` functions do."""
    check_like_numpy(
        polynomial_surfaces,
        {},
        lambda s, n: (np.linspace(0, 1, n), _f(n, seed=s), _f(2, 3, seed=s + 1)),
    )


def polynomial_module_fits(x, y):
    return (
        np.polynomial.polynomial.polyfit(x, y, 2),
        np.polynomial.chebyshev.chebfit(x, np.c_[y, 2 * y], 3, w=x ** 2 + 1),
        np.polynomial.polynomial.polyfit(x, y, [0, 2]),
        np.polynomial.legendre.legfit(x, y, 2, full=True)[1][0],
        np.polynomial.hermite.hermfit(x, y + 1j, 1),
    )


def test_polynomial_module_fits_of_traced_data():
    """`np.polynomial.polynomial.polyfit` (NumPy's recommended fit) and `chebfit`, `legfit`,
    ... were refused (ConcretizationError at NumPy's `if rank != order`, its RankWarning): the rank
    is known only when the function runs, so the fit gives no warning, as `np.polyfit` does;
    outside a trace NumPy's own still warns."""
    check_like_numpy(polynomial_module_fits, {}, lambda s, n: (_f(3 * n, seed=s),
                                                               _f(3 * n, seed=s + 1)))
    check_like_numpy(chebfit_eval, {}, lambda s, n: (np.linspace(-1, 1, 3 * n), _f(3 * n, seed=s)))
    with pytest.warns(np.exceptions.RankWarning):
        np.polynomial.polynomial.polyfit(np.ones(5), np.arange(5.0), 2)


def euler_any_state(y0, k, h):
    if not hasattr(y0, "__len__"):
        y0 = [y0]
    y = np.asarray(y0, dtype=float)
    for _ in range(4):
        y = y - h * k * y
    return y


@pytest.mark.parametrize(
    "make",
    [
        lambda s, n: (1.0 * s, 0.5, 0.1),
        lambda s, n: (s, 0.5, 0.1),
        lambda s, n: (_f(n, seed=s), 0.5, 0.1),
    ],
    ids=["float", "int", "array"],
)
def test_scalar_arguments_have_no_len(make):
    """`if not hasattr(y0, "__len__"): y0 = [y0]` of a scalar argument: Python and NumPy scalars
    have no `__len__` (a traced one had, so the array branch ran and `len` raised TypeError)."""
    check_like_numpy(euler_any_state, {}, make)


def test_len_of_a_traced_scalar_is_a_type_error():
    """`len()` of a scalar still raises NumPy's TypeError; of a 0-d array too."""
    cases = [(lambda v: len(v[0]), _f(3)), (lambda v: len(np.asarray(v[0])), _f(3)), (len, 2.0)]
    for fn, arg in cases:
        with pytest.raises(TypeError):
            tracenp.jit(fn)(arg)


def scale_by(t, x):
    if hasattr(t, "shape"):
        return x[:, None] * t, getattr(t, "ndim", 0)
    return x * t, getattr(t, "ndim", -1)


@pytest.mark.parametrize(
    "make",
    [
        lambda s, n: (1.0 * s, _f(n, seed=s)),
        lambda s, n: (s, _f(n, seed=s)),
        lambda s, n: (_f(2, seed=s), _f(n, seed=s)),
    ],
    ids=["float", "int", "array"],
)
def test_python_scalar_arguments_have_no_array_attributes(make):
    """`hasattr(t, "shape")` / `getattr(t, "ndim", 0)` of a Python scalar argument: a Python
    float has no `shape`, `ndim`, `dtype` or `size` (a traced one had, so the array branch ran
    and gave a (n, 1) result where NumPy's is (n,), silently)."""
    check_like_numpy(scale_by, {}, make)
