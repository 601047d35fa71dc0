"""Corpus, hunt Q: optimization, special functions, probability distributions, interpolation
and spectral methods.

Optimization: gradient descent, momentum, Nesterov, Adagrad, RMSprop and Adam (with bias
correction) over fixed iteration counts, coordinate descent, projected gradient by `np.clip`,
soft-thresholding for lasso, ISTA and FISTA, conjugate gradient for a fixed number of steps,
Newton by `np.linalg.solve`, Gauss-Newton and Levenberg-Marquardt steps, backtracking over fixed
trial steps, simulated annealing and random search from a `Generator` argument, Nelder-Mead
steps by `np.argsort`, and the test functions (Rosenbrock, Rastrigin, Ackley, Himmelblau, Beale)
over batches of points. Special functions as public code writes them: Lanczos gamma, erf by
Abramowitz-Stegun, incomplete gamma and beta by series and continued fractions, Bessel series,
log-sum-exp, softplus, logit/expit, Horner and `np.polyval`. Distributions: pdf, logpdf and cdf
of the normal, Student t, gamma, beta, Poisson and binomial, multivariate normal logpdf by
Cholesky and `slogdet`, mixtures, inverse-CDF, Box-Muller and acceptance-rejection sampling,
quantiles by every `method=`. Interpolation: `np.interp` with `left`/`right`/`period`, linear and
bilinear by `np.searchsorted`/`np.floor`, Lagrange and Newton divided differences, natural cubic
splines by a tridiagonal solve, Chebyshev nodes, `np.polynomial` fits. Spectral methods:
`np.fft` transforms, frequencies and shifts, spectral derivatives, FFT convolution, power
spectra, periodograms, Welch by hand and spectral Poisson solvers.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_ops import assert_same

# ------------------------------------------------------------------------------- optimization


def _quad_grad(A, b, x):
    return A @ x - b


def gradient_descent_quadratic(A, b, lr=0.05, iters=50):
    x = np.zeros_like(b)
    for _ in range(iters):
        x = x - lr * _quad_grad(A, b, x)
    return x, 0.5 * x @ A @ x - b @ x


def gradient_descent_history(A, b, lr=0.05, iters=30):
    x = np.zeros(len(b))
    hist = np.empty(iters)
    for k in range(iters):
        g = A @ x - b
        x -= lr * g
        hist[k] = np.linalg.norm(g)
    return x, hist


def momentum_descent(A, b, lr=0.03, beta=0.9, iters=40):
    x = np.zeros_like(b)
    v = np.zeros_like(x)
    for _ in range(iters):
        g = A @ x - b
        v = beta * v + g
        x = x - lr * v
    return x


def heavy_ball_inplace(A, b, lr=0.03, mu=0.8, iters=40):
    x = np.zeros(b.shape)
    x_prev = x.copy()
    for _ in range(iters):
        g = A.dot(x) - b
        x_new = x - lr * g + mu * (x - x_prev)
        x_prev[:] = x
        x[:] = x_new
    return x


def nesterov_descent(A, b, lr=0.03, mu=0.9, iters=40):
    x = np.zeros_like(b)
    v = np.zeros_like(b)
    for _ in range(iters):
        look = x + mu * v
        g = A @ look - b
        v = mu * v - lr * g
        x = x + v
    return x, v


def adagrad(A, b, lr=0.5, eps=1e-8, iters=50):
    x = np.zeros_like(b)
    G = np.zeros_like(b)
    for _ in range(iters):
        g = A @ x - b
        G += g ** 2
        x -= lr * g / (np.sqrt(G) + eps)
    return x, G


def rmsprop(A, b, lr=0.01, rho=0.9, eps=1e-8, iters=60):
    x = np.zeros_like(b)
    s = np.zeros_like(b)
    for _ in range(iters):
        g = A @ x - b
        s = rho * s + (1 - rho) * g * g
        x = x - lr * g / np.sqrt(s + eps)
    return x


def adam(A, b, lr=0.05, b1=0.9, b2=0.999, eps=1e-8, iters=60):
    x = np.zeros_like(b)
    m = np.zeros_like(b)
    v = np.zeros_like(b)
    for t in range(1, iters + 1):
        g = A @ x - b
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat = m / (1 - b1 ** t)
        v_hat = v / (1 - b2 ** t)
        x = x - lr * m_hat / (np.sqrt(v_hat) + eps)
    return x, m, v


def adam_dict_state(params, A, b, iters=25):
    state = {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}
    for _ in range(iters):
        g = A @ params - b
        state["t"] += 1
        state["m"] = 0.9 * state["m"] + 0.1 * g
        state["v"] = 0.999 * state["v"] + 0.001 * g * g
        mh = state["m"] / (1 - 0.9 ** state["t"])
        vh = state["v"] / (1 - 0.999 ** state["t"])
        params = params - 0.1 * mh / (np.sqrt(vh) + 1e-8)
    return params, state


def adamw(x, A, b, lr=0.05, wd=0.01, iters=30):
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    for t in range(iters):
        g = A @ x - b
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        x = x - lr * (m / (1 - 0.9 ** (t + 1)) / (np.sqrt(v / (1 - 0.999 ** (t + 1))) + 1e-8) + wd * x)
    return x


def amsgrad(x, A, b, lr=0.05, iters=30):
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    vmax = np.zeros_like(x)
    for _ in range(iters):
        g = A @ x - b
        m = 0.9 * m + 0.1 * g
        v = 0.99 * v + 0.01 * g * g
        vmax = np.maximum(vmax, v)
        x = x - lr * m / (np.sqrt(vmax) + 1e-8)
    return x, vmax


def adadelta(x, A, b, rho=0.95, eps=1e-6, iters=40):
    Eg = np.zeros_like(x)
    Edx = np.zeros_like(x)
    for _ in range(iters):
        g = A @ x - b
        Eg = rho * Eg + (1 - rho) * g ** 2
        dx = -np.sqrt(Edx + eps) / np.sqrt(Eg + eps) * g
        Edx = rho * Edx + (1 - rho) * dx ** 2
        x = x + dx
    return x


def coordinate_descent_quadratic(A, b, sweeps=10):
    n = len(b)
    x = np.zeros(n)
    for _ in range(sweeps):
        for j in range(n):
            r = b[j] - A[j] @ x + A[j, j] * x[j]
            x[j] = r / A[j, j]
    return x


def gauss_seidel(A, b, sweeps=15):
    x = np.zeros_like(b)
    n = A.shape[0]
    for _ in range(sweeps):
        for i in range(n):
            s1 = np.dot(A[i, :i], x[:i])
            s2 = np.dot(A[i, i + 1:], x[i + 1:])
            x[i] = (b[i] - s1 - s2) / A[i, i]
    return x


def jacobi_iteration(A, b, iters=30):
    D = np.diag(A)
    R = A - np.diagflat(D)
    x = np.zeros_like(b)
    for _ in range(iters):
        x = (b - R @ x) / D
    return x, np.linalg.norm(A @ x - b)


def projected_gradient_box(A, b, lo=-0.5, hi=0.5, lr=0.05, iters=40):
    x = np.zeros_like(b)
    for _ in range(iters):
        x = np.clip(x - lr * (A @ x - b), lo, hi)
    active = (x == lo) | (x == hi)
    return x, active


def projected_gradient_simplex(c, iters=30, lr=0.1):
    n = c.shape[0]
    x = np.full(n, 1.0 / n)
    for _ in range(iters):
        y = x - lr * c
        u = np.sort(y)[::-1]
        css = np.cumsum(u)
        k = np.arange(1, n + 1)
        cond = u - (css - 1) / k > 0
        rho = np.nonzero(cond)[0][-1]
        theta = (css[rho] - 1) / (rho + 1.0)
        x = np.maximum(y - theta, 0)
    return x


def project_l2_ball(x, radius=1.0):
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    scale = np.minimum(1.0, radius / np.maximum(norms, 1e-12))
    return x * scale


def soft_threshold(x, lam):
    return np.sign(x) * np.maximum(np.abs(x) - lam, 0.0)


def soft_threshold_where(x, lam=0.3):
    return np.where(x > lam, x - lam, np.where(x < -lam, x + lam, 0.0))


def lasso_coordinate_descent(X, y, lam=0.1, sweeps=20):
    n, p = X.shape
    w = np.zeros(p)
    col_sq = (X ** 2).sum(axis=0)
    r = y.copy()
    for _ in range(sweeps):
        for j in range(p):
            r += X[:, j] * w[j]
            rho = X[:, j] @ r
            w[j] = soft_threshold(rho, lam * n) / col_sq[j]
            r -= X[:, j] * w[j]
    return w, r


def ista(X, y, lam=0.1, iters=50):
    L = np.linalg.norm(X, 2) ** 2
    w = np.zeros(X.shape[1])
    for _ in range(iters):
        grad = X.T @ (X @ w - y)
        w = soft_threshold(w - grad / L, lam / L)
    return w


def fista(X, y, lam=0.1, iters=50):
    L = np.linalg.eigvalsh(X.T @ X).max()
    w = np.zeros(X.shape[1])
    z = w.copy()
    t = 1.0
    for _ in range(iters):
        w_old = w
        w = soft_threshold(z - X.T @ (X @ z - y) / L, lam / L)
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        z = w + (t - 1) / t_new * (w - w_old)
        t = t_new
    obj = 0.5 * np.sum((X @ w - y) ** 2) + lam * np.abs(w).sum()
    return w, obj


def elastic_net_prox(v, lam=0.2, alpha=0.5):
    return soft_threshold(v, lam * alpha) / (1 + lam * (1 - alpha))


def group_soft_threshold(W, lam=0.5):
    norms = np.sqrt(np.sum(W * W, axis=1))
    shrink = np.maximum(1 - lam / np.where(norms > 0, norms, 1), 0)
    return W * shrink[:, np.newaxis]


def conjugate_gradient(A, b, steps=8):
    x = np.zeros_like(b)
    r = b - A @ x
    p = r.copy()
    rs = r @ r
    for _ in range(steps):
        Ap = A @ p
        alpha = rs / (p @ Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        rs_new = r @ r
        p = r + (rs_new / rs) * p
        rs = rs_new
    return x, np.sqrt(rs)


def conjugate_gradient_inplace(A, b, steps=6):
    x = np.zeros(b.size)
    r = b.copy()
    p = r.copy()
    res = np.zeros(steps)
    for k in range(steps):
        Ap = np.dot(A, p)
        a = np.dot(r, r) / np.dot(p, Ap)
        x += a * p
        r_old = r.copy()
        r -= a * Ap
        beta = np.dot(r, r) / np.dot(r_old, r_old)
        p *= beta
        p += r
        res[k] = np.linalg.norm(r)
    return x, res


def preconditioned_cg(A, b, steps=6):
    Minv = 1.0 / np.diag(A)
    x = np.zeros_like(b)
    r = b.copy()
    z = Minv * r
    p = z.copy()
    rz = r @ z
    for _ in range(steps):
        Ap = A @ p
        a = rz / (p @ Ap)
        x += a * p
        r -= a * Ap
        z = Minv * r
        rz_new = r @ z
        p = z + rz_new / rz * p
        rz = rz_new
    return x


def fletcher_reeves_rosen(x0, iters=3):
    def grad(x):
        g = np.zeros_like(x)
        g[:-1] = -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
        g[1:] += 200 * (x[1:] - x[:-1] ** 2)
        return g

    x = x0.copy()
    g = grad(x)
    d = -g
    for _ in range(iters):
        x = x + 1e-4 * d
        g_new = grad(x)
        beta = (g_new @ g_new) / (g @ g)
        d = -g_new + beta * d
        g = g_new
    return x, d


def newton_quadratic_plus_quartic(x0, c, iters=5):
    x = x0.copy()
    n = len(x)
    for _ in range(iters):
        g = x - c + 0.1 * x ** 3
        H = np.eye(n) + np.diag(0.3 * x ** 2)
        x = x - np.linalg.solve(H, g)
    return x


def newton_logistic(X, y, iters=6):
    w = np.zeros(X.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-X @ w))
        g = X.T @ (p - y)
        H = X.T @ (X * (p * (1 - p))[:, None]) + 1e-3 * np.eye(X.shape[1])
        w -= np.linalg.solve(H, g)
    return w


def newton_rosenbrock_2d(x0, iters=6):
    x = np.array(x0, dtype=float)
    for _ in range(iters):
        a, b = x
        g = np.array([-2 * (1 - a) - 400 * a * (b - a ** 2), 200 * (b - a ** 2)])
        H = np.array([[2 - 400 * b + 1200 * a ** 2, -400 * a], [-400 * a, 200.0]])
        x = x - np.linalg.solve(H, g)
    return x


def newton_1d_vectorized(c, iters=8):
    x = np.ones_like(c)
    for _ in range(iters):
        f = x ** 3 - c
        df = 3 * x ** 2
        x = x - f / df
    return x


def gauss_newton_exp_fit(t, y, iters=5):
    p = np.array([1.0, -0.5])
    for _ in range(iters):
        a, k = p
        f = a * np.exp(k * t)
        r = y - f
        J = np.stack([np.exp(k * t), a * t * np.exp(k * t)], axis=1)
        p = p + np.linalg.solve(J.T @ J, J.T @ r)
    return p, np.sum((y - p[0] * np.exp(p[1] * t)) ** 2)


def levenberg_marquardt_step(t, y, p, lam=1e-2):
    a, k, c = p
    e = np.exp(-k * t)
    r = y - (a * e + c)
    J = np.column_stack([e, -a * t * e, np.ones_like(t)])
    JTJ = J.T @ J
    step = np.linalg.solve(JTJ + lam * np.diag(np.diag(JTJ)), J.T @ r)
    return p + step, r @ r


def levenberg_marquardt(t, y, iters=6):
    p = np.array([1.0, 0.5, 0.0])
    lam = 1e-2
    for _ in range(iters):
        a, k, c = p
        e = np.exp(-k * t)
        r = y - (a * e + c)
        J = np.column_stack([e, -a * t * e, np.ones_like(t)])
        A = J.T @ J + lam * np.eye(3)
        dp = np.linalg.solve(A, J.T @ r)
        p_new = p + dp
        r_new = y - (p_new[0] * np.exp(-p_new[1] * t) + p_new[2])
        better = (r_new @ r_new) < (r @ r)
        p = np.where(better, p_new, p)
        lam = np.where(better, lam * 0.5, lam * 3.0)
    return p, lam


def backtracking_fixed_trials(A, b, x0, trials=(1.0, 0.5, 0.25, 0.125, 0.0625)):
    f = lambda x: 0.5 * x @ A @ x - b @ x
    x = x0
    for _ in range(5):
        g = A @ x - b
        fx = f(x)
        vals = np.array([f(x - t * g) for t in trials])
        ok = vals <= fx - 1e-4 * np.array(trials) * (g @ g)
        idx = np.argmax(ok)
        step = np.where(ok.any(), np.array(trials)[idx], 0.0)
        x = x - step * g
    return x, f(x)


def armijo_grid(A, b, x):
    g = A @ x - b
    steps = 0.5 ** np.arange(10)
    cand = x[None, :] - steps[:, None] * g[None, :]
    fv = 0.5 * np.einsum("ki,ij,kj->k", cand, A, cand) - cand @ b
    f0 = 0.5 * x @ A @ x - b @ x
    ok = fv <= f0 - 1e-4 * steps * (g @ g)
    return steps[np.argmax(ok)], fv


def golden_section_fixed(a, b, c, iters=30):
    gr = (np.sqrt(5) - 1) / 2
    lo = np.full_like(c, a)
    hi = np.full_like(c, b)
    f = lambda x: (x - c) ** 2 + 0.1 * np.sin(5 * x)
    for _ in range(iters):
        x1 = hi - gr * (hi - lo)
        x2 = lo + gr * (hi - lo)
        left = f(x1) < f(x2)
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
    return (lo + hi) / 2


def bisection_fixed(c, iters=40):
    lo = np.zeros_like(c)
    hi = np.maximum(c, 1.0)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        too_big = mid * mid > c
        hi[too_big] = mid[too_big]
        lo[~too_big] = mid[~too_big]
    return 0.5 * (lo + hi)


def secant_fixed(c, iters=8):
    x0 = np.zeros_like(c)
    x1 = np.ones_like(c)
    for _ in range(iters):
        f0 = np.cos(x0) - c * x0
        f1 = np.cos(x1) - c * x1
        denom = f1 - f0
        x2 = x1 - f1 * (x1 - x0) / np.where(denom == 0, 1.0, denom)
        x0, x1 = x1, x2
    return x1


def bfgs_quadratic(A, b, iters=3):
    n = len(b)
    x = np.zeros(n)
    H = np.eye(n)
    g = A @ x - b
    for _ in range(iters):
        p = -H @ g
        alpha = -(g @ p) / (p @ A @ p)
        s = alpha * p
        x = x + s
        g_new = A @ x - b
        yv = g_new - g
        rho = 1.0 / (yv @ s)
        I = np.eye(n)
        H = (I - rho * np.outer(s, yv)) @ H @ (I - rho * np.outer(yv, s)) + rho * np.outer(s, s)
        g = g_new
    return x, H


def lbfgs_two_loop(g, S, Y):
    m = S.shape[0]
    q = g.copy()
    alphas = np.zeros(m)
    rhos = 1.0 / np.einsum("ij,ij->i", Y, S)
    for i in range(m - 1, -1, -1):
        alphas[i] = rhos[i] * S[i] @ q
        q = q - alphas[i] * Y[i]
    gamma = (S[-1] @ Y[-1]) / (Y[-1] @ Y[-1])
    r = gamma * q
    for i in range(m):
        beta = rhos[i] * Y[i] @ r
        r += S[i] * (alphas[i] - beta)
    return -r


def trust_region_cauchy(g, B, delta=0.5):
    gBg = g @ B @ g
    gn = np.linalg.norm(g)
    tau = np.where(gBg <= 0, 1.0, np.minimum(gn ** 3 / (delta * gBg), 1.0))
    return -tau * delta / gn * g


def sgd_linear_regression(X, y, lr=0.01, epochs=5, batch=4):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    for _ in range(epochs):
        for i in range(0, n, batch):
            xb, yb = X[i:i + batch], y[i:i + batch]
            err = xb @ w + b - yb
            w -= lr * 2 * xb.T @ err / len(yb)
            b -= lr * 2 * err.mean()
    return w, b


def sgd_shuffled(rng, X, y, epochs=3, lr=0.05):
    w = np.zeros(X.shape[1])
    for _ in range(epochs):
        for i in rng.permutation(len(y)):
            w -= lr * (X[i] @ w - y[i]) * X[i]
    return w


def polyak_averaging(A, b, iters=30, lr=0.05):
    x = np.zeros_like(b)
    avg = np.zeros_like(b)
    for k in range(iters):
        x = x - lr * (A @ x - b)
        avg += (x - avg) / (k + 1)
    return x, avg


def lr_schedules(x, A, b, iters=30, lr0=0.1):
    out = {}
    for name in ("step", "exp", "cosine", "inv"):
        z = x.copy()
        for t in range(iters):
            if name == "step":
                lr = lr0 * 0.5 ** (t // 10)
            elif name == "exp":
                lr = lr0 * np.exp(-0.05 * t)
            elif name == "cosine":
                lr = 0.5 * lr0 * (1 + np.cos(np.pi * t / iters))
            else:
                lr = lr0 / (1 + 0.1 * t)
            z = z - lr * (A @ z - b)
        out[name] = z
    return out


def gradient_clipping(g, max_norm=1.0):
    norm = np.linalg.norm(g)
    return g * np.minimum(1.0, max_norm / (norm + 1e-6)), norm


def clip_by_value_and_global_norm(grads, clip=0.5, max_norm=1.0):
    grads = [np.clip(g, -clip, clip) for g in grads]
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    factor = max_norm / np.maximum(total, max_norm)
    return [g * factor for g in grads], total


def numerical_gradient(x, h=1e-5):
    f = lambda z: np.sum(z ** 4) - np.prod(np.cos(z))
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def numerical_hessian(x, h=1e-4):
    def f(z):
        return z[0] ** 2 * z[1] + np.sin(z[1]) * z[2] + z[2] ** 3

    n = x.size
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei = np.zeros(n)
            ej = np.zeros(n)
            ei[i] = h
            ej[j] = h
            H[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h * h)
    return H


def nelder_mead_steps(simplex, steps=20):
    def f(p):
        return (p[..., 0] - 1) ** 2 + 5 * (p[..., 1] + 0.5) ** 2

    S = simplex.copy()
    for _ in range(steps):
        order = np.argsort(f(S))
        S = S[order]
        centroid = S[:-1].mean(axis=0)
        xr = centroid + (centroid - S[-1])
        xe = centroid + 2 * (centroid - S[-1])
        xc = centroid + 0.5 * (S[-1] - centroid)
        fr, fe, fc = f(xr), f(xe), f(xc)
        f_best, f_second, f_worst = f(S[0]), f(S[-2]), f(S[-1])
        new = np.where(fr < f_best, np.where(fe < fr, xe, xr),
                       np.where(fr < f_second, xr, np.where(fc < f_worst, xc, S[-1])))
        S[-1] = new
    return S[np.argmin(f(S))], np.sort(f(S))


def nelder_mead_shrink(S, sigma=0.5):
    f = np.sum(S ** 2, axis=1)
    idx = np.argsort(f)
    S = S[idx]
    S[1:] = S[0] + sigma * (S[1:] - S[0])
    return S, f[idx]


def simplex_centroid_reflect(S, fvals):
    worst = np.argmax(fvals)
    mask = np.arange(len(S)) != worst
    c = S[mask].mean(axis=0)
    return 2 * c - S[worst], worst


def simulated_annealing(rng, x0, steps=60, T0=1.0):
    f = lambda x: np.sum(x ** 2) + 2 * np.sum(np.cos(3 * x))
    x = x0.copy()
    fx = f(x)
    best, fbest = x.copy(), fx
    for k in range(steps):
        T = T0 * 0.95 ** k
        cand = x + 0.3 * rng.standard_normal(x.shape)
        fc = f(cand)
        accept = (fc < fx) | (rng.random() < np.exp(-(fc - fx) / T))
        x = np.where(accept, cand, x)
        fx = np.where(accept, fc, fx)
        better = fx < fbest
        best = np.where(better, x, best)
        fbest = np.minimum(fx, fbest)
    return best, fbest


def random_search(rng, n_samples=200, dim=3):
    X = rng.uniform(-2, 2, size=(n_samples, dim))
    f = np.sum((X - 0.5) ** 2, axis=1) + np.sin(5 * X[:, 0])
    i = np.argmin(f)
    return X[i], f[i], np.sort(f)[:5]


def random_search_local(rng, x0, iters=40, sigma=0.2):
    x = x0.copy()
    fx = np.sum(x ** 2)
    for _ in range(iters):
        cand = x + sigma * rng.normal(size=x.shape)
        fc = np.sum(cand ** 2)
        if_better = fc < fx
        x = np.where(if_better, cand, x)
        fx = np.minimum(fc, fx)
    return x, fx


def cross_entropy_method(rng, iters=8, pop=50, elite=10):
    mu = np.zeros(2)
    sigma = np.ones(2) * 2
    for _ in range(iters):
        samples = mu + sigma * rng.standard_normal((pop, 2))
        scores = -((samples[:, 0] - 1) ** 2 + (samples[:, 1] + 2) ** 2)
        top = samples[np.argsort(scores)[-elite:]]
        mu = top.mean(axis=0)
        sigma = top.std(axis=0) + 1e-3
    return mu, sigma


def differential_evolution_step(rng, pop, F=0.8, CR=0.9):
    n, d = pop.shape
    f = lambda P: np.sum(P ** 2, axis=-1)
    idx = np.array([rng.choice(n, 3, replace=False) for _ in range(n)])
    a, b, c = pop[idx[:, 0]], pop[idx[:, 1]], pop[idx[:, 2]]
    mutant = a + F * (b - c)
    cross = rng.random((n, d)) < CR
    trial = np.where(cross, mutant, pop)
    keep = f(trial) < f(pop)
    return np.where(keep[:, None], trial, pop)


def particle_swarm(rng, n=12, dim=2, iters=15):
    f = lambda P: np.sum((P - 1.0) ** 2, axis=1)
    X = rng.uniform(-3, 3, (n, dim))
    V = np.zeros_like(X)
    pbest = X.copy()
    pval = f(X)
    g = pbest[np.argmin(pval)]
    for _ in range(iters):
        r1, r2 = rng.random((n, dim)), rng.random((n, dim))
        V = 0.7 * V + 1.5 * r1 * (pbest - X) + 1.5 * r2 * (g - X)
        X = X + V
        val = f(X)
        improved = val < pval
        pbest[improved] = X[improved]
        pval[improved] = val[improved]
        g = pbest[np.argmin(pval)]
    return g, pval.min()


def genetic_algorithm_step(rng, pop, mut=0.1):
    fit = -np.sum(pop ** 2, axis=1)
    order = np.argsort(fit)[::-1]
    parents = pop[order[: len(pop) // 2]]
    mates = parents[rng.permutation(len(parents))]
    alpha = rng.random((len(parents), 1))
    children = alpha * parents + (1 - alpha) * mates
    children += mut * rng.standard_normal(children.shape)
    return np.vstack([parents, children])


def augmented_lagrangian(c, iters=10, rho=10.0):
    # minimize ||x - c||^2 subject to sum(x) == 1
    n = c.size
    lam = 0.0
    x = c.copy()
    for _ in range(iters):
        A = (2 + rho) * np.eye(n) + rho * (np.ones((n, n)) - np.eye(n))
        rhs = 2 * c - lam + rho
        x = np.linalg.solve(A, rhs * np.ones(n))
        lam = lam + rho * (x.sum() - 1)
    return x, lam


def penalty_method(c, mus=(1.0, 10.0, 100.0)):
    x = np.zeros_like(c)
    for mu in mus:
        for _ in range(20):
            viol = np.maximum(x - 0.5, 0)
            g = 2 * (x - c) + 2 * mu * viol
            x = x - 0.4 / (1 + mu) * g
    return x


def admm_lasso(X, y, lam=0.1, rho=1.0, iters=30):
    n, p = X.shape
    XtX = X.T @ X
    Xty = X.T @ y
    L = np.linalg.cholesky(XtX + rho * np.eye(p))
    z = np.zeros(p)
    u = np.zeros(p)
    for _ in range(iters):
        q = Xty + rho * (z - u)
        x = np.linalg.solve(L.T, np.linalg.solve(L, q))
        z = soft_threshold(x + u, lam / rho)
        u = u + x - z
    return z


def frank_wolfe_simplex(Q, c, iters=20):
    n = len(c)
    x = np.ones(n) / n
    for k in range(iters):
        g = Q @ x + c
        s = np.zeros(n)
        s[np.argmin(g)] = 1.0
        gamma = 2.0 / (k + 2)
        x = (1 - gamma) * x + gamma * s
    return x


def mirror_descent_simplex(c, iters=25, eta=0.5):
    x = np.ones_like(c) / c.size
    for _ in range(iters):
        x = x * np.exp(-eta * c)
        x /= x.sum()
    return x


def multiplicative_weights(losses, eta=0.3):
    T, n = losses.shape
    w = np.ones(n)
    total = 0.0
    for t in range(T):
        p = w / w.sum()
        total += p @ losses[t]
        w *= np.exp(-eta * losses[t])
    return w / w.sum(), total


def linear_programming_grid(c, A, b):
    g = np.linspace(0, 3, 31)
    X, Y = np.meshgrid(g, g, indexing="ij")
    P = np.stack([X.ravel(), Y.ravel()], 1)
    feas = np.all(P @ A.T <= b, axis=1)
    obj = np.where(feas, P @ c, np.inf)
    k = np.argmin(obj)
    return P[k], obj[k], feas.sum()


def quadratic_line_min(A, b, x, d):
    alpha = -(d @ (A @ x - b)) / (d @ A @ d)
    return x + alpha * d, alpha


def sinkhorn(C, a, b, reg=0.5, iters=50):
    K = np.exp(-C / reg)
    u = np.ones_like(a)
    for _ in range(iters):
        v = b / (K.T @ u)
        u = a / (K @ v)
    P = u[:, None] * K * v[None, :]
    return P, np.sum(P * C)


def sinkhorn_log(C, a, b, reg=0.1, iters=30):
    f = np.zeros_like(a)
    g = np.zeros_like(b)
    for _ in range(iters):
        M = (f[:, None] + g[None, :] - C) / reg
        f = f + reg * (np.log(a) - np.log(np.exp(M).sum(axis=1)))
        M = (f[:, None] + g[None, :] - C) / reg
        g = g + reg * (np.log(b) - np.log(np.exp(M).sum(axis=0)))
    return np.exp((f[:, None] + g[None, :] - C) / reg)


def huber_irls(X, y, delta=1.0, iters=8):
    w = np.linalg.lstsq(X, y, rcond=None)[0]
    for _ in range(iters):
        r = y - X @ w
        wt = np.where(np.abs(r) <= delta, 1.0, delta / np.abs(r))
        W = X * wt[:, None]
        w = np.linalg.solve(X.T @ W, W.T @ y)
    return w


def lbfgs_memory_update(S, Y, s, y):
    S = np.roll(S, -1, axis=0)
    Y = np.roll(Y, -1, axis=0)
    S[-1] = s
    Y[-1] = y
    return S, Y


# ---------------------------------------------------------------------------- test functions


def rosenbrock(X):
    return np.sum(100.0 * (X[..., 1:] - X[..., :-1] ** 2) ** 2 + (1 - X[..., :-1]) ** 2, axis=-1)


def rosenbrock_grad(x):
    xm = x[1:-1]
    xm_m1 = x[:-2]
    xm_p1 = x[2:]
    der = np.zeros_like(x)
    der[1:-1] = 200 * (xm - xm_m1 ** 2) - 400 * (xm_p1 - xm ** 2) * xm - 2 * (1 - xm)
    der[0] = -400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0])
    der[-1] = 200 * (x[-1] - x[-2] ** 2)
    return der


def rosenbrock_hess(x):
    H = np.diag(-400 * x[:-1], 1) - np.diag(400 * x[:-1], -1)
    diagonal = np.zeros_like(x)
    diagonal[0] = 1200 * x[0] ** 2 - 400 * x[1] + 2
    diagonal[-1] = 200
    diagonal[1:-1] = 202 + 1200 * x[1:-1] ** 2 - 400 * x[2:]
    return H + np.diag(diagonal)


def rastrigin(X, A=10):
    n = X.shape[1]
    return A * n + (X ** 2 - A * np.cos(2 * np.pi * X)).sum(axis=1)


def ackley(X, a=20, b=0.2, c=2 * np.pi):
    d = X.shape[-1]
    s1 = np.sum(X ** 2, axis=-1)
    s2 = np.sum(np.cos(c * X), axis=-1)
    return -a * np.exp(-b * np.sqrt(s1 / d)) - np.exp(s2 / d) + a + np.e


def himmelblau(P):
    x, y = P[:, 0], P[:, 1]
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


def himmelblau_grid(lo=-5.0, hi=5.0, n=41):
    x = np.linspace(lo, hi, n)
    X, Y = np.meshgrid(x, x)
    Z = (X ** 2 + Y - 11) ** 2 + (X + Y ** 2 - 7) ** 2
    idx = np.unravel_index(np.argmin(Z), Z.shape)
    return Z, X[idx], Y[idx]


def beale(P):
    x = P[:, 0]
    y = P[:, 1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


def booth_matyas(P):
    x, y = P.T
    return np.stack([(x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2, 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y])


def sphere_and_griewank(X):
    i = np.arange(1, X.shape[1] + 1)
    sphere = (X ** 2).sum(1)
    griewank = 1 + sphere / 4000 - np.prod(np.cos(X / np.sqrt(i)), axis=1)
    return sphere, griewank


def levy(X):
    w = 1 + (X - 1) / 4
    t1 = np.sin(np.pi * w[:, 0]) ** 2
    t2 = np.sum((w[:, :-1] - 1) ** 2 * (1 + 10 * np.sin(np.pi * w[:, :-1] + 1) ** 2), axis=1)
    t3 = (w[:, -1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[:, -1]) ** 2)
    return t1 + t2 + t3


def styblinski_tang(X):
    return 0.5 * np.sum(X ** 4 - 16 * X ** 2 + 5 * X, axis=1)


def schwefel(X):
    return 418.9829 * X.shape[1] - np.sum(X * np.sin(np.sqrt(np.abs(X))), axis=1)


def michalewicz(X, m=10):
    i = np.arange(1, X.shape[1] + 1)
    return -np.sum(np.sin(X) * np.sin(i * X ** 2 / np.pi) ** (2 * m), axis=1)


def six_hump_camel(P):
    x, y = P[:, 0], P[:, 1]
    return (4 - 2.1 * x ** 2 + x ** 4 / 3) * x ** 2 + x * y + (-4 + 4 * y ** 2) * y ** 2


def goldstein_price(P):
    x, y = P[:, 0], P[:, 1]
    a = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y + 3 * y ** 2)
    b = 30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x ** 2 + 48 * y - 36 * x * y + 27 * y ** 2)
    return a * b


def rosenbrock_loop(x):
    total = 0.0
    for i in range(len(x) - 1):
        total += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2
    return total


def benchmark_table(X):
    fns = {"sphere": lambda x: np.sum(x ** 2, axis=1),
           "rastrigin": rastrigin,
           "ackley": ackley,
           "rosenbrock": rosenbrock}
    return {k: f(X) for k, f in fns.items()}


def gd_on_himmelblau(P, lr=0.01, iters=50):
    P = P.copy()
    for _ in range(iters):
        x, y = P[:, 0], P[:, 1]
        gx = 4 * x * (x ** 2 + y - 11) + 2 * (x + y ** 2 - 7)
        gy = 2 * (x ** 2 + y - 11) + 4 * y * (x + y ** 2 - 7)
        P -= lr * np.column_stack((gx, gy))
    return P, himmelblau(P)


def adam_on_rosenbrock(x0, lr=0.01, iters=100):
    x = x0.astype(float)
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    for t in range(1, iters + 1):
        g = rosenbrock_grad(x)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g ** 2
        x -= lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    return x, rosenbrock(x)


# ---------------------------------------------------------------------------- special functions

LANCZOS_G = 7
LANCZOS_COEF = np.array([
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7])


def gamma_lanczos(z):
    z = np.asarray(z, dtype=float)
    reflect = z < 0.5
    zz = np.where(reflect, 1 - z, z) - 1
    x = np.full_like(zz, LANCZOS_COEF[0])
    for i in range(1, LANCZOS_G + 2):
        x = x + LANCZOS_COEF[i] / (zz + i)
    t = zz + LANCZOS_G + 0.5
    g = np.sqrt(2 * np.pi) * t ** (zz + 0.5) * np.exp(-t) * x
    return np.where(reflect, np.pi / (np.sin(np.pi * z) * g), g)


def lgamma_lanczos(x):
    y = x.copy()
    tmp = x + 5.5
    tmp -= (x + 0.5) * np.log(tmp)
    ser = np.full_like(x, 1.000000000190015)
    for c in (76.18009172947146, -86.50532032941677, 24.01409824083091,
              -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5):
        y = y + 1
        ser += c / y
    return -tmp + np.log(2.5066282746310005 * ser / x)


def lgamma_stirling(x):
    shift = np.zeros_like(x)
    z = x.copy()
    for _ in range(6):
        small = z < 7
        shift = shift - np.where(small, np.log(z), 0.0)
        z = np.where(small, z + 1, z)
    z2 = 1.0 / (z * z)
    series = (1 / 12 - z2 * (1 / 360 - z2 * (1 / 1260 - z2 / 1680))) / z
    return shift + (z - 0.5) * np.log(z) - z + 0.5 * np.log(2 * np.pi) + series


def lgamma_math_vectorized(x):
    return np.vectorize(math.lgamma)(x)


def lgamma_math_loop(x):
    return np.array([math.lgamma(v) for v in x])


def factorial_table(n=20):
    f = np.ones(n + 1)
    for k in range(1, n + 1):
        f[k] = f[k - 1] * k
    return f, np.cumprod(np.arange(1, n + 1, dtype=np.int64))


def log_factorial_cumsum(k):
    table = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, 101)))])
    return table[k]


def beta_function(a, b):
    return np.exp(lgamma_lanczos(a) + lgamma_lanczos(b) - lgamma_lanczos(a + b))


def digamma_asymptotic(x):
    res = np.zeros_like(x)
    for _ in range(6):
        res -= 1 / x
        x = x + 1
    f = 1 / (x * x)
    return res + np.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))))


def erf_as(x):
    a1, a2, a3, a4, a5 = 0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429
    p = 0.3275911
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + p * x)
    y = 1.0 - (((((a5 * t + a4) * t) + a3) * t + a2) * t + a1) * t * np.exp(-x * x)
    return sign * y


def erf_as_7_1_26_where(x):
    t = 1 / (1 + 0.3275911 * np.abs(x))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    y = 1 - poly * np.exp(-x ** 2)
    return np.where(x >= 0, y, -y)


def erfc_numerical_recipes(x):
    z = np.abs(x)
    t = 1 / (1 + 0.5 * z)
    r = t * np.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
    return np.where(x >= 0, r, 2 - r)


def erf_series(x, terms=30):
    total = np.zeros_like(x)
    term = x.copy()
    for n in range(terms):
        total += term / (2 * n + 1)
        term = -term * x * x / (n + 1)
    return 2 / np.sqrt(np.pi) * total


def erfinv_giles(x):
    w = -np.log((1.0 - x) * (1.0 + x))
    w1 = w - 2.5
    p1 = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        p1 = c + p1 * w1
    w2 = np.sqrt(w) - 3.0
    p2 = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        p2 = c + p2 * w2
    return np.where(w < 5.0, p1, p2) * x


def norm_ppf_acklam(p):
    a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
         1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
         6.680131188771972e+01, -1.328068155288572e+01]
    c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
         -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    plow = 0.02425
    q = np.sqrt(-2 * np.log(np.minimum(p, 1 - p)))
    tail = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / \
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    qc = p - 0.5
    r = qc * qc
    central = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * qc / \
              (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    out = np.where(p < plow, tail, np.where(p > 1 - plow, -tail, central))
    return out


def gammainc_series(a, x, terms=60):
    s = np.ones_like(x) / a
    term = 1.0 / a
    for n in range(1, terms):
        term = term * x / (a + n)
        s = s + term
    return s * np.exp(-x + a * np.log(x) - lgamma_lanczos(np.full_like(x, a)))


def gammaincc_continued_fraction(a, x, terms=60):
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, terms):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        h = h * d * c
    return np.exp(-x + a * np.log(x) - lgamma_lanczos(np.full_like(x, a))) * h


def gammainc_combined(a, x):
    lower = gammainc_series(a, x)
    upper = 1.0 - gammaincc_continued_fraction(a, np.maximum(x, 1e-12))
    return np.where(x < a + 1, lower, upper)


def betacf(a, b, x, iters=80):
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = np.where(np.abs(d) < 1e-30, 1e-30, d)
    d = 1.0 / d
    h = d
    for m in range(1, iters + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < 1e-30, 1e-30, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < 1e-30, 1e-30, c)
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < 1e-30, 1e-30, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < 1e-30, 1e-30, c)
        d = 1.0 / d
        h *= d * c
    return h


def betainc(a, b, x):
    lbeta = lgamma_lanczos(np.full_like(x, a + b)) - lgamma_lanczos(np.full_like(x, a)) - lgamma_lanczos(np.full_like(x, b))
    xs = np.clip(x, 1e-12, 1 - 1e-12)
    front = np.exp(lbeta + a * np.log(xs) + b * np.log1p(-xs))
    direct = front * betacf(a, b, xs) / a
    flipped = 1.0 - front * betacf(b, a, 1.0 - xs) / b
    return np.where(xs < (a + 1) / (a + b + 2), direct, flipped)


def bessel_j0_series(x, terms=25):
    total = np.zeros_like(x)
    term = np.ones_like(x)
    for k in range(terms):
        total += term
        term = term * -(x / 2) ** 2 / ((k + 1) ** 2)
    return total


def bessel_jn_series(n, x, terms=25):
    out = np.zeros_like(x)
    for k in range(terms):
        out += (-1) ** k / (math.factorial(k) * math.factorial(k + n)) * (x / 2) ** (2 * k + n)
    return out


def bessel_i0_series(x, terms=30):
    s = np.ones_like(x)
    t = np.ones_like(x)
    for k in range(1, terms):
        t *= (x / (2 * k)) ** 2
        s += t
    return s, np.i0(x)


def bessel_j_recurrence(x, nmax=5):
    J = np.zeros((nmax + 1,) + x.shape)
    J[0] = bessel_j0_series(x)
    J[1] = bessel_jn_series(1, x)
    for n in range(1, nmax):
        J[n + 1] = 2 * n / x * J[n] - J[n - 1]
    return J


def logsumexp(a, axis=None):
    a_max = np.amax(a, axis=axis, keepdims=True)
    a_max = np.where(np.isfinite(a_max), a_max, 0)
    out = np.log(np.sum(np.exp(a - a_max), axis=axis, keepdims=True)) + a_max
    return out if axis is None else np.squeeze(out, axis=axis)


def logsumexp_weighted(a, b):
    m = a.max(axis=1, keepdims=True)
    s = np.sum(b * np.exp(a - m), axis=1)
    return np.log(np.abs(s)) + m[:, 0], np.sign(s)


def logaddexp_forms(a, b):
    return np.logaddexp(a, b), np.logaddexp2(a, b), np.maximum(a, b) + np.log1p(np.exp(-np.abs(a - b)))


def log_softmax_stable(x, axis=-1):
    return x - logsumexp(x, axis=axis)[..., None] if axis == -1 else x - logsumexp(x, axis=axis)


def softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)


def softplus_threshold(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


def softplus_inverse(y):
    return y + np.log(-np.expm1(-y))


def expit(x):
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1 + e)
    return out


def expit_tanh(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def logit(p, eps=1e-7):
    p = np.clip(p, eps, 1 - eps)
    return np.log(p) - np.log1p(-p)


def log_sigmoid(x):
    return -np.logaddexp(0, -x)


def log1mexp(x):
    return np.where(x > -0.693, np.log(-np.expm1(x)), np.log1p(-np.exp(x)))


def log1p_expm1_forms(x):
    return np.log1p(x), np.expm1(x), np.log1p(np.expm1(x)), np.log(1 + x) - np.log1p(x)


def binary_entropy(p):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


def xlogy_manual(x, y):
    return np.where(x == 0, 0.0, x * np.log(np.where(x == 0, 1.0, y)))


def horner(coeffs, x):
    result = np.zeros_like(x)
    for c in coeffs:
        result = result * x + c
    return result


def horner_reversed(coeffs, x):
    y = np.full_like(x, coeffs[-1])
    for c in coeffs[-2::-1]:
        y = y * x + c
    return y


def polyval_forms(p, x):
    return np.polyval(p, x), horner(p, x), np.polyval(np.polyder(p), x), np.polyval(np.polyint(p), x)


def clenshaw_chebyshev(c, x):
    b1 = np.zeros_like(x)
    b2 = np.zeros_like(x)
    for k in range(len(c) - 1, 0, -1):
        b1, b2 = 2 * x * b1 - b2 + c[k], b1
    return x * b1 - b2 + c[0]


def legendre_recurrence(x, n=6):
    P = np.empty((n + 1, x.size))
    P[0] = 1.0
    P[1] = x
    for k in range(1, n):
        P[k + 1] = ((2 * k + 1) * x * P[k] - k * P[k - 1]) / (k + 1)
    return P


def hermite_physicists(x, n=5):
    H = [np.ones_like(x), 2 * x]
    for k in range(1, n):
        H.append(2 * x * H[k] - 2 * k * H[k - 1])
    return np.array(H)


def laguerre_values(x, n=5):
    L0, L1 = np.ones_like(x), 1 - x
    out = [L0, L1]
    for k in range(1, n):
        L0, L1 = L1, ((2 * k + 1 - x) * L1 - k * L0) / (k + 1)
        out.append(L1)
    return np.stack(out, axis=-1)


def zeta_partial(s, terms=200):
    k = np.arange(1, terms + 1, dtype=float)
    return np.sum(k[None, :] ** -s[:, None], axis=1)


def sinc_and_friends(x):
    return np.sinc(x), np.sin(x) / np.where(x == 0, 1, x), np.where(x == 0, 1.0, np.sin(np.pi * x) / (np.pi * np.where(x == 0, 1, x)))


def expint_e1_series(x, terms=40):
    s = np.zeros_like(x)
    term = np.ones_like(x)
    for k in range(1, terms):
        term = term * -x / k
        s -= term / k
    return -np.euler_gamma - np.log(x) + s


def dawson_rybicki(x, h=0.4, nmax=6):
    out = np.zeros_like(x)
    for n in range(-nmax, nmax + 1):
        k = 2 * n + 1
        out += np.exp(-((x - k * h) ** 2)) / k
    return out / np.sqrt(np.pi)


def owens_style_gauss_legendre(x, n=8):
    nodes, weights = np.polynomial.legendre.leggauss(n)
    t = 0.5 * (nodes + 1)
    w = 0.5 * weights
    integrand = np.exp(-0.5 * x[:, None] ** 2 * (1 + t ** 2)) / (1 + t ** 2)
    return integrand @ w / (2 * np.pi)


def comb_table(n=12):
    C = np.zeros((n + 1, n + 1), dtype=np.int64)
    for i in range(n + 1):
        C[i, 0] = 1
        for j in range(1, i + 1):
            C[i, j] = C[i - 1, j - 1] + C[i - 1, j]
    return C


def log_comb(n, k):
    return lgamma_lanczos(n + 1.0) - lgamma_lanczos(k + 1.0) - lgamma_lanczos(n - k + 1.0)


# ------------------------------------------------------------------- probability distributions


def normal_pdf(x, mu=0.0, sigma=1.0):
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))


def normal_logpdf(x, mu, sigma):
    return -0.5 * np.log(2 * np.pi) - np.log(sigma) - 0.5 * ((x - mu) / sigma) ** 2


def normal_cdf_erf(x, mu=0.0, sigma=1.0):
    z = (x - mu) / (sigma * np.sqrt(2))
    return 0.5 * (1 + erf_as(z))


def normal_cdf_erfc(x):
    return 0.5 * erfc_numerical_recipes(-x / np.sqrt(2))


def normal_logcdf_tail(x):
    # asymptotic expansion for the far left tail, erfc elsewhere
    tail = -0.5 * x ** 2 - np.log(-x) - 0.5 * np.log(2 * np.pi) + np.log1p(-1 / x ** 2 + 3 / x ** 4)
    safe = np.where(x < -5, -1.0, x)
    return np.where(x < -5, tail, np.log(normal_cdf_erfc(safe)))


def student_t_logpdf(x, nu):
    return (lgamma_lanczos(np.full_like(x, (nu + 1) / 2)) - lgamma_lanczos(np.full_like(x, nu / 2))
            - 0.5 * np.log(nu * np.pi) - (nu + 1) / 2 * np.log1p(x ** 2 / nu))


def student_t_pdf_loc_scale(x, df, loc, scale):
    z = (x - loc) / scale
    c = np.exp(lgamma_lanczos(np.array([(df + 1) / 2]))[0] - lgamma_lanczos(np.array([df / 2]))[0])
    return c / (np.sqrt(df * np.pi) * scale) * (1 + z * z / df) ** (-(df + 1) / 2)


def student_t_cdf(t, nu):
    x = nu / (nu + t ** 2)
    tail = 0.5 * betainc(nu / 2, 0.5, x)
    return np.where(t > 0, 1 - tail, tail)


def gamma_logpdf(x, k, theta):
    return (k - 1) * np.log(x) - x / theta - lgamma_lanczos(np.full_like(x, k)) - k * np.log(theta)


def gamma_pdf_rate(x, alpha, beta):
    return beta ** alpha * x ** (alpha - 1) * np.exp(-beta * x) / gamma_lanczos(alpha)


def gamma_cdf(x, k, theta):
    return gammainc_combined(k, x / theta)


def exponential_family(x, lam):
    pdf = lam * np.exp(-lam * x)
    cdf = -np.expm1(-lam * x)
    sf = np.exp(-lam * x)
    return np.where(x < 0, 0.0, pdf), np.where(x < 0, 0.0, cdf), np.where(x < 0, 1.0, sf)


def chi2_logpdf(x, k):
    return (k / 2 - 1) * np.log(x) - x / 2 - k / 2 * np.log(2) - lgamma_lanczos(np.full_like(x, k / 2))


def beta_logpdf(x, a, b):
    return ((a - 1) * np.log(x) + (b - 1) * np.log1p(-x)
            - (lgamma_lanczos(a) + lgamma_lanczos(b) - lgamma_lanczos(a + b)))


def beta_pdf_scalar(x, a=2.0, b=5.0):
    B = math.gamma(a) * math.gamma(b) / math.gamma(a + b)
    return x ** (a - 1) * (1 - x) ** (b - 1) / B


def beta_cdf(x, a=2.0, b=3.0):
    return betainc(a, b, x)


def poisson_pmf(k, lam):
    return np.exp(k * np.log(lam) - lam - lgamma_lanczos(k + 1.0))


def poisson_logpmf_table(k, lam):
    logfact = np.cumsum(np.log(np.maximum(np.arange(50), 1)))
    return k * np.log(lam) - lam - logfact[k]


def poisson_cdf_cumsum(lam, kmax=30):
    k = np.arange(kmax + 1)
    logp = k[None, :] * np.log(lam[:, None]) - lam[:, None] - lgamma_lanczos(k + 1.0)[None, :]
    return np.cumsum(np.exp(logp), axis=1)


def poisson_pmf_recursive(lam, kmax=15):
    P = np.zeros((len(lam), kmax + 1))
    P[:, 0] = np.exp(-lam)
    for k in range(1, kmax + 1):
        P[:, k] = P[:, k - 1] * lam / k
    return P


def binomial_logpmf(k, n, p):
    return (lgamma_lanczos(n + 1.0) - lgamma_lanczos(k + 1.0) - lgamma_lanczos(n - k + 1.0)
            + k * np.log(p) + (n - k) * np.log1p(-p))


def binomial_pmf_table(n, p):
    k = np.arange(n + 1)
    logc = lgamma_lanczos(np.full(n + 1, n + 1.0)) - lgamma_lanczos(k + 1.0) - lgamma_lanczos(n - k + 1.0)
    pmf = np.exp(logc[None, :] + k * np.log(p[:, None]) + (n - k) * np.log1p(-p[:, None]))
    return pmf, pmf @ k, pmf.sum(axis=1)


def binomial_cdf_loop(n, p):
    pmf = np.zeros((p.size, n + 1))
    pmf[:, 0] = (1 - p) ** n
    for k in range(1, n + 1):
        pmf[:, k] = pmf[:, k - 1] * (n - k + 1) / k * p / (1 - p)
    return np.cumsum(pmf, axis=1)


def negative_binomial_logpmf(k, r, p):
    return (lgamma_lanczos(k + r) - lgamma_lanczos(k + 1.0) - lgamma_lanczos(np.full_like(k, r))
            + r * np.log(p) + k * np.log1p(-p))


def geometric_and_bernoulli(k, p):
    geo = (1 - p) ** (k - 1) * p
    bern = np.where(k % 2 == 1, p, 1 - p)
    return geo, bern, np.log(geo)


def categorical_logpmf(logits, labels):
    logp = logits - logsumexp(logits, axis=1)[:, None]
    return logp[np.arange(len(labels)), labels]


def dirichlet_logpdf(x, alpha):
    norm = lgamma_lanczos(np.array([alpha.sum()]))[0] - lgamma_lanczos(alpha).sum()
    return norm + ((alpha - 1) * np.log(x)).sum(axis=-1)


def multinomial_logpmf(counts, p):
    n = counts.sum(axis=1)
    return (lgamma_lanczos(n + 1.0) - lgamma_lanczos(counts + 1.0).sum(axis=1)
            + (counts * np.log(p)).sum(axis=1))


def lognormal_pdf(x, mu, sigma):
    return np.exp(-(np.log(x) - mu) ** 2 / (2 * sigma ** 2)) / (x * sigma * np.sqrt(2 * np.pi))


def laplace_cauchy_logistic(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    laplace = np.exp(-np.abs(z)) / (2 * scale)
    cauchy = 1 / (np.pi * scale * (1 + z ** 2))
    logistic = np.exp(-z) / (scale * (1 + np.exp(-z)) ** 2)
    return laplace, cauchy, logistic


def weibull_pdf_cdf(x, k=1.5, lam=2.0):
    pdf = (k / lam) * (x / lam) ** (k - 1) * np.exp(-(x / lam) ** k)
    cdf = 1 - np.exp(-(x / lam) ** k)
    return np.where(x >= 0, pdf, 0), np.where(x >= 0, cdf, 0)


def gumbel_pareto(x):
    gumbel = np.exp(-(x + np.exp(-x)))
    xm, a = 1.0, 3.0
    pareto = np.where(x >= xm, a * xm ** a / np.maximum(x, xm) ** (a + 1), 0.0)
    return gumbel, pareto


def von_mises_logpdf(theta, mu, kappa):
    return kappa * np.cos(theta - mu) - np.log(2 * np.pi * np.i0(kappa))


def truncated_normal_pdf(x, a=-1.0, b=2.0):
    Z = normal_cdf_erf(np.array(b)) - normal_cdf_erf(np.array(a))
    inside = (x >= a) & (x <= b)
    return np.where(inside, normal_pdf(x) / Z, 0.0)


def mvn_logpdf_cholesky(X, mu, cov):
    d = X.shape[1]
    L = np.linalg.cholesky(cov)
    diff = X - mu
    z = np.linalg.solve(L, diff.T)
    maha = np.sum(z ** 2, axis=0)
    logdet = 2 * np.sum(np.log(np.diag(L)))
    return -0.5 * (d * np.log(2 * np.pi) + logdet + maha)


def mvn_logpdf_slogdet(X, mu, cov):
    sign, logdet = np.linalg.slogdet(cov)
    inv = np.linalg.inv(cov)
    diff = X - mu
    maha = np.einsum("ij,jk,ik->i", diff, inv, diff)
    return -0.5 * (X.shape[1] * np.log(2 * np.pi) + logdet + maha), sign


def mvn_pdf_det(x, mu, cov):
    k = len(mu)
    dev = x - mu
    norm = 1.0 / np.sqrt((2 * np.pi) ** k * np.linalg.det(cov))
    return norm * np.exp(-0.5 * np.sum(dev @ np.linalg.inv(cov) * dev, axis=1))


def gaussian_mixture_logpdf(x, weights, means, stds):
    comp = (np.log(weights)[None, :] - 0.5 * np.log(2 * np.pi) - np.log(stds)[None, :]
            - 0.5 * ((x[:, None] - means[None, :]) / stds[None, :]) ** 2)
    return logsumexp(comp, axis=1), np.exp(comp - logsumexp(comp, axis=1)[:, None])


def gmm_responsibilities_2d(X, pis, mus, covs):
    K = len(pis)
    logp = np.zeros((X.shape[0], K))
    for k in range(K):
        logp[:, k] = np.log(pis[k]) + mvn_logpdf_cholesky(X, mus[k], covs[k])
    m = logp.max(axis=1, keepdims=True)
    r = np.exp(logp - m)
    r /= r.sum(axis=1, keepdims=True)
    return r, (m[:, 0] + np.log(np.exp(logp - m).sum(axis=1))).sum()


def gmm_em_1d(x, iters=10):
    w = np.array([0.5, 0.5])
    mu = np.array([x.min(), x.max()])
    var = np.array([1.0, 1.0])
    for _ in range(iters):
        dens = w * np.exp(-0.5 * (x[:, None] - mu) ** 2 / var) / np.sqrt(2 * np.pi * var)
        r = dens / dens.sum(1, keepdims=True)
        nk = r.sum(0)
        w = nk / len(x)
        mu = (r * x[:, None]).sum(0) / nk
        var = (r * (x[:, None] - mu) ** 2).sum(0) / nk + 1e-6
    return w, mu, var


def mixture_cdf(x, w, mu, s):
    z = (x[:, None] - mu) / (s * np.sqrt(2))
    return (w * 0.5 * (1 + erf_as(z))).sum(axis=1)


def empirical_cdf(samples, x):
    s = np.sort(samples)
    return np.searchsorted(s, x, side="right") / len(s)


def ecdf_steps(data):
    x = np.sort(data)
    y = np.arange(1, len(x) + 1) / len(x)
    return x, y


def ks_statistic(a, b):
    data = np.concatenate([a, b])
    cdf1 = np.searchsorted(np.sort(a), data, side="right") / a.size
    cdf2 = np.searchsorted(np.sort(b), data, side="right") / b.size
    return np.max(np.abs(cdf1 - cdf2))


def kde_gaussian(samples, grid, bw=0.3):
    z = (grid[:, None] - samples[None, :]) / bw
    return np.exp(-0.5 * z ** 2).sum(axis=1) / (len(samples) * bw * np.sqrt(2 * np.pi))


def kde_silverman(x, grid):
    n = len(x)
    iqr = np.subtract(*np.percentile(x, [75, 25]))
    h = 0.9 * min(np.std(x, ddof=1), iqr / 1.34) * n ** (-0.2)
    return kde_gaussian(x, grid, h)


def quantile_methods(x, q):
    methods = ["linear", "lower", "higher", "nearest", "midpoint",
               "inverted_cdf", "averaged_inverted_cdf", "closest_observation",
               "interpolated_inverted_cdf", "hazen", "weibull", "median_unbiased",
               "normal_unbiased"]
    return {m: np.quantile(x, q, method=m) for m in methods}


def percentile_methods_axis(X):
    return (np.percentile(X, [5, 50, 95], axis=0),
            np.percentile(X, 90, axis=1, method="nearest"),
            np.percentile(X, [25, 75], axis=1, keepdims=True, method="midpoint"),
            np.quantile(X, 0.5, axis=0, method="weibull"))


def nanquantile_forms(x):
    y = x.copy()
    y[::3] = np.nan
    return np.nanquantile(y, [0.1, 0.9]), np.nanpercentile(y, 50, method="lower"), np.nanmedian(y)


def iqr_outliers(x, k=1.5):
    q1, q3 = np.percentile(x, [25, 75])
    iqr = q3 - q1
    lo, hi = q1 - k * iqr, q3 + k * iqr
    return (x < lo) | (x > hi), np.clip(x, lo, hi)


def quantile_manual_linear(x, q):
    s = np.sort(x)
    pos = q * (len(s) - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(s) - 1)
    frac = pos - lo
    return s[lo] * (1 - frac) + s[hi] * frac


def exponential_inverse_cdf(rng, lam=2.0, n=100):
    u = rng.random(n)
    return -np.log(1 - u) / lam


def inverse_cdf_discrete(rng, p, n=50):
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    u = rng.random(n)
    return np.searchsorted(cdf, u, side="right")


def inverse_cdf_table(rng, n=64):
    grid = np.linspace(-4, 4, 201)
    cdf = 0.5 * (1 + erf_as(grid / np.sqrt(2)))
    u = rng.uniform(size=n)
    return np.interp(u, cdf, grid)


def box_muller(rng, n=50):
    u1 = rng.random(n)
    u2 = rng.random(n)
    r = np.sqrt(-2 * np.log(u1))
    return r * np.cos(2 * np.pi * u2), r * np.sin(2 * np.pi * u2)


def polar_marsaglia(rng, n=64):
    u = rng.uniform(-1, 1, (n, 2))
    s = (u ** 2).sum(axis=1)
    ok = (s > 0) & (s < 1)
    factor = np.sqrt(-2 * np.log(np.where(ok, s, 0.5)) / np.where(ok, s, 0.5))
    z = u * factor[:, None]
    return np.where(ok[:, None], z, np.nan), ok.mean()


def acceptance_rejection_beta(rng, n=200, a=2.0, b=3.0):
    M = 2.0
    x = rng.random(n)
    u = rng.random(n)
    f = x ** (a - 1) * (1 - x) ** (b - 1) / 0.08333333333333333
    accept = u < f / M
    return np.where(accept, x, np.nan), accept.sum()


def rejection_sampling_loop(rng, n_rounds=5, batch=40):
    out = np.full(n_rounds * batch, np.nan)
    for r in range(n_rounds):
        x = rng.uniform(-3, 3, batch)
        u = rng.random(batch)
        keep = u < np.exp(-0.5 * x ** 2)
        out[r * batch:(r + 1) * batch] = np.where(keep, x, np.nan)
    return out


def gamma_marsaglia_tsang_batch(rng, alpha=2.5, n=64):
    d = alpha - 1 / 3
    c = 1 / np.sqrt(9 * d)
    z = rng.standard_normal(n)
    u = rng.random(n)
    v = (1 + c * z) ** 3
    ok = (v > 0) & (np.log(u) < 0.5 * z ** 2 + d - d * v + d * np.log(np.where(v > 0, v, 1)))
    return np.where(ok, d * v, np.nan)


def mixture_sampling(rng, w, mu, s, n=100):
    comp = rng.choice(len(w), size=n, p=w)
    return mu[comp] + s[comp] * rng.standard_normal(n), np.bincount(comp, minlength=len(w))


def mvn_sampling_cholesky(rng, mu, cov, n=50):
    L = np.linalg.cholesky(cov)
    z = rng.standard_normal((n, len(mu)))
    x = mu + z @ L.T
    return x, np.cov(x, rowvar=False)


def bootstrap_mean_ci(rng, x, B=200):
    idx = rng.integers(0, len(x), size=(B, len(x)))
    means = x[idx].mean(axis=1)
    return np.percentile(means, [2.5, 97.5]), means.std()


def metropolis_hastings(rng, steps=100, step=0.8):
    logp = lambda z: -0.5 * z ** 2 - 0.1 * z ** 4
    x = 0.0
    chain = np.empty(steps)
    for t in range(steps):
        prop = x + step * rng.standard_normal()
        accept = np.log(rng.random()) < logp(prop) - logp(x)
        x = np.where(accept, prop, x)
        chain[t] = x
    return chain, chain.mean()


def gibbs_bivariate_normal(rng, rho=0.6, steps=80):
    x, y = 0.0, 0.0
    s = np.sqrt(1 - rho ** 2)
    out = np.zeros((steps, 2))
    for t in range(steps):
        x = rho * y + s * rng.standard_normal()
        y = rho * x + s * rng.standard_normal()
        out[t] = x, y
    return out


def importance_sampling(rng, n=500):
    x = rng.normal(0, 2, n)
    logq = -0.5 * (x / 2) ** 2 - np.log(2 * np.sqrt(2 * np.pi))
    logp = -np.abs(x) - np.log(2)
    logw = logp - logq
    w = np.exp(logw - logw.max())
    w /= w.sum()
    return np.sum(w * x ** 2), 1 / np.sum(w ** 2)


def stratified_uniform(rng, n=32):
    return (np.arange(n) + rng.random(n)) / n


def latin_hypercube(rng, n=10, d=3):
    cut = np.linspace(0, 1, n + 1)
    u = rng.random((n, d))
    pts = cut[:n, None] + u * (cut[1] - cut[0])
    for j in range(d):
        pts[:, j] = pts[rng.permutation(n), j]
    return pts


def systematic_resample(rng, w):
    n = len(w)
    positions = (rng.random() + np.arange(n)) / n
    return np.searchsorted(np.cumsum(w), positions)


def moments_from_samples(x):
    m = x.mean()
    c = x - m
    var = np.mean(c ** 2)
    skew = np.mean(c ** 3) / var ** 1.5
    kurt = np.mean(c ** 4) / var ** 2 - 3
    return m, var, skew, kurt


def kl_divergence_gaussians(mu1, s1, mu2, s2):
    return np.log(s2 / s1) + (s1 ** 2 + (mu1 - mu2) ** 2) / (2 * s2 ** 2) - 0.5


def kl_discrete(p, q):
    p = p / p.sum(axis=-1, keepdims=True)
    q = q / q.sum(axis=-1, keepdims=True)
    return np.sum(np.where(p > 0, p * np.log(p / q), 0), axis=-1)


def js_and_entropy(p, q):
    m = 0.5 * (p + q)
    ent = lambda a: -np.sum(a * np.log2(a), axis=1)
    return ent(m) - 0.5 * (ent(p) + ent(q)), ent(p)


def wasserstein_1d(u, v):
    us, vs = np.sort(u), np.sort(v)
    allv = np.sort(np.concatenate([us, vs]))
    d = np.diff(allv)
    ucdf = np.searchsorted(us, allv[:-1], "right") / us.size
    vcdf = np.searchsorted(vs, allv[:-1], "right") / vs.size
    return np.sum(np.abs(ucdf - vcdf) * d)


def fisher_information_normal(x, mu, sigma):
    score_mu = (x - mu) / sigma ** 2
    score_s = -1 / sigma + (x - mu) ** 2 / sigma ** 3
    S = np.stack([score_mu, score_s])
    return S @ S.T / x.size


def histogram_density(x, bins=10):
    counts, edges = np.histogram(x, bins=bins, density=True)
    centers = 0.5 * (edges[1:] + edges[:-1])
    return counts, centers, np.sum(counts * np.diff(edges))


def log_likelihood_grid(x):
    mus = np.linspace(-2, 2, 21)
    sigmas = np.linspace(0.5, 3, 11)
    M, S = np.meshgrid(mus, sigmas, indexing="ij")
    ll = np.sum(normal_logpdf(x[:, None, None], M[None], S[None]), axis=0)
    i, j = np.unravel_index(ll.argmax(), ll.shape)
    return mus[i], sigmas[j], ll


def ppf_bisection(p, iters=50):
    lo = np.full_like(p, -10.0)
    hi = np.full_like(p, 10.0)
    for _ in range(iters):
        mid = (lo + hi) / 2
        below = normal_cdf_erf(mid) < p
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return (lo + hi) / 2


# ------------------------------------------------------------------------------- interpolation


def interp_basic(x, xp, fp):
    return np.interp(x, xp, fp)


def interp_left_right(x, xp, fp):
    return np.interp(x, xp, fp, left=0.0, right=np.nan), np.interp(x, xp, fp, left=-1, right=1)


def interp_periodic(theta, thp, fp):
    return np.interp(theta, thp, fp, period=2 * np.pi), np.interp(theta, thp, fp, period=360)


def interp_columns(x, xp, FP):
    return np.stack([np.interp(x, xp, FP[:, j]) for j in range(FP.shape[1])], axis=1)


def interp_resample_signal(t, y, n_out=17):
    t_new = np.linspace(t[0], t[-1], n_out)
    return t_new, np.interp(t_new, t, y)


def interp_fill_nans(y):
    y = y.copy()
    nans = np.isnan(y)
    idx = np.arange(len(y))
    y[nans] = np.interp(idx[nans], idx[~nans], y[~nans])
    return y


def linear_interp_searchsorted(x, xp, fp):
    i = np.searchsorted(xp, x) - 1
    i = np.clip(i, 0, len(xp) - 2)
    t = (x - xp[i]) / (xp[i + 1] - xp[i])
    return fp[i] * (1 - t) + fp[i + 1] * t


def linear_interp_digitize(x, xp, fp):
    i = np.digitize(x, xp) - 1
    i = np.clip(i, 0, len(xp) - 2)
    w = (x - xp[i]) / np.diff(xp)[i]
    return (1 - w) * fp[i] + w * fp[i + 1]


def uniform_grid_interp(x, y0, dx, fp):
    u = (x - y0) / dx
    i = np.floor(u).astype(np.int64)
    i = np.clip(i, 0, fp.size - 2)
    frac = u - i
    return fp[i] + frac * (fp[i + 1] - fp[i])


def bilinear_interp(img, x, y):
    h, w = img.shape
    x0 = np.floor(x).astype(int)
    y0 = np.floor(y).astype(int)
    x0 = np.clip(x0, 0, w - 2)
    y0 = np.clip(y0, 0, h - 2)
    x1, y1 = x0 + 1, y0 + 1
    wa = (x1 - x) * (y1 - y)
    wb = (x1 - x) * (y - y0)
    wc = (x - x0) * (y1 - y)
    wd = (x - x0) * (y - y0)
    return wa * img[y0, x0] + wb * img[y1, x0] + wc * img[y0, x1] + wd * img[y1, x1]


def bilinear_grid(xg, yg, Z, xq, yq):
    i = np.clip(np.searchsorted(xg, xq) - 1, 0, len(xg) - 2)
    j = np.clip(np.searchsorted(yg, yq) - 1, 0, len(yg) - 2)
    tx = (xq - xg[i]) / (xg[i + 1] - xg[i])
    ty = (yq - yg[j]) / (yg[j + 1] - yg[j])
    return ((1 - tx) * (1 - ty) * Z[i, j] + tx * (1 - ty) * Z[i + 1, j]
            + (1 - tx) * ty * Z[i, j + 1] + tx * ty * Z[i + 1, j + 1])


def bilinear_resize(img, new_h, new_w):
    h, w = img.shape[:2]
    ys = np.linspace(0, h - 1, new_h)
    xs = np.linspace(0, w - 1, new_w)
    y0 = np.floor(ys).astype(int)
    x0 = np.floor(xs).astype(int)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    wy = (ys - y0)[:, None]
    wx = (xs - x0)[None, :]
    top = img[y0][:, x0] * (1 - wx) + img[y0][:, x1] * wx
    bot = img[y1][:, x0] * (1 - wx) + img[y1][:, x1] * wx
    return top * (1 - wy) + bot * wy


def trilinear_interp(V, p):
    i = np.clip(np.floor(p).astype(int), 0, np.array(V.shape) - 2)
    f = p - i
    out = np.zeros(len(p))
    for dx in (0, 1):
        for dy in (0, 1):
            for dz in (0, 1):
                w = (np.where(dx, f[:, 0], 1 - f[:, 0]) * np.where(dy, f[:, 1], 1 - f[:, 1])
                     * np.where(dz, f[:, 2], 1 - f[:, 2]))
                out += w * V[i[:, 0] + dx, i[:, 1] + dy, i[:, 2] + dz]
    return out


def nearest_neighbor_interp(x, xp, fp):
    idx = np.abs(x[:, None] - xp[None, :]).argmin(axis=1)
    return fp[idx]


def lagrange_interp(xp, fp, x):
    n = len(xp)
    out = np.zeros_like(x)
    for j in range(n):
        L = np.ones_like(x)
        for m in range(n):
            if m != j:
                L *= (x - xp[m]) / (xp[j] - xp[m])
        out += fp[j] * L
    return out


def lagrange_barycentric(xp, fp, x):
    diff = xp[:, None] - xp[None, :]
    np.fill_diagonal(diff, 1.0)
    w = 1.0 / diff.prod(axis=1)
    d = x[:, None] - xp[None, :]
    exact = d == 0
    d = np.where(exact, 1.0, d)
    t = w / d
    val = (t @ fp) / t.sum(axis=1)
    hit = exact.any(axis=1)
    return np.where(hit, fp[np.argmax(exact, axis=1)], val)


def newton_divided_differences(xp, fp):
    n = len(xp)
    coef = fp.astype(float).copy()
    for j in range(1, n):
        coef[j:] = (coef[j:] - coef[j - 1:-1]) / (xp[j:] - xp[:n - j])
    return coef


def newton_divided_table(x, y):
    n = len(y)
    table = np.zeros((n, n))
    table[:, 0] = y
    for j in range(1, n):
        for i in range(n - j):
            table[i, j] = (table[i + 1, j - 1] - table[i, j - 1]) / (x[i + j] - x[i])
    return table[0]


def newton_eval(xp, fp, x):
    coef = newton_divided_differences(xp, fp)
    n = len(coef)
    p = coef[n - 1]
    for k in range(1, n):
        p = coef[n - 1 - k] + (x - xp[n - 1 - k]) * p
    return p


def neville(xp, fp, x):
    n = len(xp)
    P = np.tile(fp[:, None], (1, len(x))).astype(float)
    for k in range(1, n):
        for i in range(n - k):
            P[i] = ((x - xp[i + k]) * P[i] + (xp[i] - x) * P[i + 1]) / (xp[i] - xp[i + k])
    return P[0]


def vandermonde_interp(xp, fp, x):
    V = np.vander(xp, increasing=True)
    c = np.linalg.solve(V, fp)
    return np.polyval(c[::-1], x), c


def natural_cubic_spline(x, y, xq):
    n = len(x)
    h = np.diff(x)
    A = np.zeros((n, n))
    r = np.zeros(n)
    A[0, 0] = A[-1, -1] = 1.0
    for i in range(1, n - 1):
        A[i, i - 1] = h[i - 1]
        A[i, i] = 2 * (h[i - 1] + h[i])
        A[i, i + 1] = h[i]
        r[i] = 3 * ((y[i + 1] - y[i]) / h[i] - (y[i] - y[i - 1]) / h[i - 1])
    c = np.linalg.solve(A, r)
    b = (y[1:] - y[:-1]) / h - h * (2 * c[:-1] + c[1:]) / 3
    d = (c[1:] - c[:-1]) / (3 * h)
    k = np.clip(np.searchsorted(x, xq) - 1, 0, n - 2)
    dx = xq - x[k]
    return y[k] + b[k] * dx + c[k] * dx ** 2 + d[k] * dx ** 3


def thomas_algorithm(a, b, c, d):
    n = len(d)
    cp = np.zeros(n)
    dp = np.zeros(n)
    cp[0] = c[0] / b[0]
    dp[0] = d[0] / b[0]
    for i in range(1, n):
        m = b[i] - a[i] * cp[i - 1]
        cp[i] = c[i] / m
        dp[i] = (d[i] - a[i] * dp[i - 1]) / m
    x = np.zeros(n)
    x[-1] = dp[-1]
    for i in range(n - 2, -1, -1):
        x[i] = dp[i] - cp[i] * x[i + 1]
    return x


def spline_second_derivs_thomas(x, y):
    n = len(x)
    h = np.diff(x)
    a = np.r_[0.0, h[:-1], 0.0]
    b = np.r_[1.0, 2 * (h[:-1] + h[1:]), 1.0]
    c = np.r_[0.0, h[1:], 0.0]
    d = np.r_[0.0, 6 * (np.diff(y[1:]) / h[1:] - np.diff(y[:-1]) / h[:-1]), 0.0]
    return thomas_algorithm(a, b, c, d)


def clamped_spline_banded(x, y, d0=0.0, dn=0.0):
    n = len(x)
    h = np.diff(x)
    A = np.diag(np.r_[2 * h[0], 2 * (h[:-1] + h[1:]), 2 * h[-1]])
    A += np.diag(h, 1) + np.diag(h, -1)
    s = np.diff(y) / h
    r = 3 * np.r_[s[0] - d0, np.diff(s), dn - s[-1]]
    return np.linalg.solve(A, r)


def cubic_hermite(x, y, dy, xq):
    k = np.clip(np.searchsorted(x, xq, side="right") - 1, 0, len(x) - 2)
    h = x[k + 1] - x[k]
    t = (xq - x[k]) / h
    h00 = 2 * t ** 3 - 3 * t ** 2 + 1
    h10 = t ** 3 - 2 * t ** 2 + t
    h01 = -2 * t ** 3 + 3 * t ** 2
    h11 = t ** 3 - t ** 2
    return h00 * y[k] + h10 * h * dy[k] + h01 * y[k + 1] + h11 * h * dy[k + 1]


def catmull_rom(P, n_per=5):
    t = np.linspace(0, 1, n_per, endpoint=False)[:, None]
    out = []
    for i in range(1, len(P) - 2):
        p0, p1, p2, p3 = P[i - 1], P[i], P[i + 1], P[i + 2]
        out.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2
                          + (-p0 + 3 * p1 - 3 * p2 + p3) * t ** 3))
    return np.concatenate(out)


def pchip_slopes(x, y):
    h = np.diff(x)
    delta = np.diff(y) / h
    d = np.zeros_like(y)
    w1 = 2 * h[1:] + h[:-1]
    w2 = h[1:] + 2 * h[:-1]
    same = np.sign(delta[:-1]) * np.sign(delta[1:]) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        hm = (w1 + w2) / (w1 / delta[:-1] + w2 / delta[1:])
    d[1:-1] = np.where(same, hm, 0.0)
    d[0] = delta[0]
    d[-1] = delta[-1]
    return d


def bezier_de_casteljau(P, t):
    pts = np.repeat(P[None, :, :], len(t), axis=0)
    tt = t[:, None, None]
    for _ in range(len(P) - 1):
        pts = (1 - tt) * pts[:, :-1] + tt * pts[:, 1:]
    return pts[:, 0]


def bernstein_bezier(P, t):
    n = len(P) - 1
    k = np.arange(n + 1)
    binom = np.array([math.comb(n, i) for i in range(n + 1)])
    B = binom * t[:, None] ** k * (1 - t[:, None]) ** (n - k)
    return B @ P


def bspline_basis(x, knots, degree=2):
    n = len(knots) - 1
    B = ((x[:, None] >= knots[None, :-1]) & (x[:, None] < knots[None, 1:])).astype(float)
    for p in range(1, degree + 1):
        left_den = knots[p:n] - knots[:n - p]
        right_den = knots[p + 1:n + 1] - knots[1:n - p + 1]
        left = np.where(left_den > 0, (x[:, None] - knots[:n - p]) / np.where(left_den > 0, left_den, 1), 0)
        right = np.where(right_den > 0, (knots[p + 1:n + 1] - x[:, None]) / np.where(right_den > 0, right_den, 1), 0)
        B = left * B[:, :-1] + right * B[:, 1:]
    return B


def chebyshev_nodes(n, a=-1.0, b=1.0):
    k = np.arange(n)
    x = np.cos((2 * k + 1) * np.pi / (2 * n))
    return 0.5 * (a + b) + 0.5 * (b - a) * x


def chebyshev_interp_runge(n=9):
    x = chebyshev_nodes(n)
    y = 1 / (1 + 25 * x ** 2)
    xx = np.linspace(-1, 1, 50)
    c = np.polynomial.chebyshev.chebfit(x, y, n - 1)
    return np.polynomial.chebyshev.chebval(xx, c), np.max(np.abs(np.polynomial.chebyshev.chebval(xx, c) - 1 / (1 + 25 * xx ** 2)))


def chebyshev_coeffs_dct(f_vals):
    n = len(f_vals)
    k = np.arange(n)
    theta = np.pi * (k + 0.5) / n
    T = np.cos(np.outer(k, theta))
    c = 2.0 / n * T @ f_vals
    c[0] /= 2
    return c


def polyfit_eval(x, y, deg=3):
    p = np.polyfit(x, y, deg)
    return p, np.polyval(p, x), np.sum((np.polyval(p, x) - y) ** 2)


def polynomial_class_fit(x, y):
    P = np.polynomial.Polynomial.fit(x, y, 3)
    return P(x), P.deriv()(x), P.domain, P.coef


def polynomial_class_fit_window(x, y):
    P = np.polynomial.Polynomial.fit(x, y, 2, window=[0, 1])
    xx = np.linspace(x.min(), x.max(), 9)
    return P(xx), P.linspace(5)


def polynomial_convert(x, y):
    return np.polynomial.Polynomial.fit(x, y, 3).convert().coef


def polynomial_convert_domain(x, y):  # a constant domain: it raised a bare TypeError
    return np.polynomial.Polynomial.fit(x, y, 3, domain=[0, 4]).convert().coef


def chebyshev_convert_kind(x, y):
    return np.polynomial.Chebyshev.fit(x, y, 3).convert(kind=np.polynomial.Polynomial).coef


def chebyshev_class_fit(x, y):
    C = np.polynomial.Chebyshev.fit(x, y, 4)
    return C(x), C.integ()(x)


def legendre_fit_eval(x, y):
    c = np.polynomial.legendre.legfit(x, y, 3)
    return np.polynomial.legendre.legval(x, c), c


def polynomial_arithmetic(c1, c2, x):
    P = np.polynomial.polynomial
    s = P.polyadd(c1, c2)
    m = P.polymul(c1, c2)
    return P.polyval(x, s), P.polyval(x, m), P.polyval(x, P.polyder(m))


def polynomial_values_and_derivatives(c, x):
    P = np.polynomial.polynomial
    return P.polyval(x, c), P.polyval(x, P.polyder(c)), P.polyval(x, P.polyint(c, lbnd=0.0)), P.polyvander(x, 3) @ c[:4]


def hermite_gauss_quadrature(mu, sigma, n=10):
    t, w = np.polynomial.hermite.hermgauss(n)
    x = mu[:, None] + np.sqrt(2) * sigma[:, None] * t
    return (w * np.cos(x)).sum(axis=1) / np.sqrt(np.pi)


def gauss_legendre_integrate(a, b, n=6):
    x, w = np.polynomial.legendre.leggauss(n)
    t = 0.5 * (b - a)[:, None] * x + 0.5 * (b + a)[:, None]
    return 0.5 * (b - a) * np.sum(w * np.exp(-t ** 2), axis=1)


def trapezoid_simpson(x, y):
    trap = np.trapezoid(y, x) if hasattr(np, "trapezoid") else np.trapz(y, x)
    h = x[1] - x[0]
    simp = h / 3 * (y[0] + y[-1] + 4 * y[1:-1:2].sum() + 2 * y[2:-1:2].sum())
    return trap, simp


def cumulative_trapezoid(x, y):
    dx = np.diff(x)
    return np.concatenate([[0.0], np.cumsum(0.5 * dx * (y[1:] + y[:-1]))])


def romberg_fixed(a, b, levels=5):
    f = lambda x: np.exp(-x ** 2)
    R = np.zeros((levels, levels) + a.shape)
    h = b - a
    R[0, 0] = 0.5 * h * (f(a) + f(b))
    for i in range(1, levels):
        h = h / 2
        k = np.arange(1, 2 ** i, 2)
        R[i, 0] = 0.5 * R[i - 1, 0] + h * f(a[..., None] + k * h[..., None]).sum(axis=-1)
        for j in range(1, i + 1):
            R[i, j] = R[i, j - 1] + (R[i, j - 1] - R[i - 1, j - 1]) / (4 ** j - 1)
    return R[-1, -1]


def idw_interpolation(pts, vals, query, power=2):
    d = np.linalg.norm(query[:, None, :] - pts[None, :, :], axis=-1)
    w = 1.0 / np.maximum(d, 1e-12) ** power
    return (w * vals).sum(axis=1) / w.sum(axis=1)


def rbf_interpolation(X, y, Xq, eps=1.0):
    def phi(r):
        return np.exp(-(eps * r) ** 2)

    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    w = np.linalg.solve(phi(D) + 1e-10 * np.eye(len(X)), y)
    Dq = np.sqrt(((Xq[:, None] - X[None]) ** 2).sum(-1))
    return phi(Dq) @ w


def grid_lookup_ravel(grid, xs, ys):
    ix = np.clip(np.round(xs).astype(int), 0, grid.shape[1] - 1)
    iy = np.clip(np.round(ys).astype(int), 0, grid.shape[0] - 1)
    flat = np.ravel_multi_index((iy, ix), grid.shape)
    return grid.ravel()[flat], flat


def piecewise_constant_lookup(edges, values, x):
    return values[np.searchsorted(edges, x, side="right") - 1]


def linear_extrapolate(xp, fp, x):
    y = np.interp(x, xp, fp)
    lo = x < xp[0]
    hi = x > xp[-1]
    y[lo] = fp[0] + (x[lo] - xp[0]) * (fp[1] - fp[0]) / (xp[1] - xp[0])
    y[hi] = fp[-1] + (x[hi] - xp[-1]) * (fp[-1] - fp[-2]) / (xp[-1] - xp[-2])
    return y


def inverse_interp_monotone(y, xp, fp):
    return np.interp(y, fp, xp)


def akima_weights(x, y):
    m = np.diff(y) / np.diff(x)
    mm = np.concatenate([[3 * m[0] - 2 * m[1], 2 * m[0] - m[1]], m, [2 * m[-1] - m[-2], 3 * m[-1] - 2 * m[-2]]])
    dm = np.abs(np.diff(mm))
    f1 = dm[2:]
    f2 = dm[:-2]
    f12 = f1 + f2
    return np.where(f12 > 1e-9 * f12.max(), (f1 * mm[1:-2] + f2 * mm[2:-1]) / np.where(f12 > 0, f12, 1), 0.5 * (mm[1:-2] + mm[2:-1]))


def lerp_table_2d(table, u, v):
    n, m = table.shape
    fu = u * (n - 1)
    fv = v * (m - 1)
    i = np.minimum(fu.astype(np.intp), n - 2)
    j = np.minimum(fv.astype(np.intp), m - 2)
    a = fu - i
    b = fv - j
    return (table[i, j] * (1 - a) * (1 - b) + table[i + 1, j] * a * (1 - b)
            + table[i, j + 1] * (1 - a) * b + table[i + 1, j + 1] * a * b)


# ---------------------------------------------------------------------------- spectral methods


def fft_roundtrip(x):
    X = np.fft.fft(x)
    return X, np.fft.ifft(X).real, np.abs(X) ** 2


def rfft_roundtrip(x):
    X = np.fft.rfft(x)
    return X, np.fft.irfft(X, n=len(x)), np.fft.rfftfreq(len(x), d=0.1)


def fftfreq_shift(x, fs=100.0):
    n = len(x)
    X = np.fft.fftshift(np.fft.fft(x))
    f = np.fft.fftshift(np.fft.fftfreq(n, 1 / fs))
    return f, np.abs(X), np.fft.ifftshift(X)


def dominant_frequency(x, fs=50.0):
    X = np.abs(np.fft.rfft(x - x.mean()))
    f = np.fft.rfftfreq(x.size, d=1 / fs)
    return f[np.argmax(X)], X.max()


def spectral_derivative(u, L=2 * np.pi):
    n = u.shape[-1]
    k = 2 * np.pi * np.fft.fftfreq(n, d=L / n)
    du = np.fft.ifft(1j * k * np.fft.fft(u)).real
    d2u = np.fft.ifft(-(k ** 2) * np.fft.fft(u)).real
    return du, d2u


def spectral_derivative_rfft(u, L=1.0):
    n = len(u)
    k = 2j * np.pi * np.fft.rfftfreq(n, d=L / n)
    U = np.fft.rfft(u)
    if n % 2 == 0:
        k[-1] = 0
    return np.fft.irfft(k * U, n)


def spectral_derivative_2d(f, L=2 * np.pi):
    ny, nx = f.shape
    kx = np.fft.fftfreq(nx, L / (2 * np.pi * nx))
    ky = np.fft.fftfreq(ny, L / (2 * np.pi * ny))
    KX, KY = np.meshgrid(kx, ky)
    F = np.fft.fft2(f)
    return np.real(np.fft.ifft2(1j * KX * F)), np.real(np.fft.ifft2(1j * KY * F))


def fft_convolve(a, b):
    n = len(a) + len(b) - 1
    nfft = 1 << (n - 1).bit_length()
    out = np.fft.irfft(np.fft.rfft(a, nfft) * np.fft.rfft(b, nfft), nfft)[:n]
    return out, np.convolve(a, b)


def fft_convolve_same(x, k):
    n = len(x) + len(k) - 1
    y = np.fft.ifft(np.fft.fft(x, n) * np.fft.fft(k, n)).real
    start = (len(k) - 1) // 2
    return y[start:start + len(x)]


def circular_convolution(x, h):
    return np.real(np.fft.ifft(np.fft.fft(x) * np.fft.fft(h, len(x))))


def circular_conv_loop(x, h):
    n = len(x)
    y = np.zeros(n)
    for k in range(n):
        for m in range(len(h)):
            y[k] += h[m] * x[(k - m) % n]
    return y


def fft_cross_correlation(a, b):
    n = len(a)
    c = np.fft.irfft(np.fft.rfft(a, 2 * n) * np.conj(np.fft.rfft(b, 2 * n)))
    c = np.concatenate([c[-(n - 1):], c[:n]])
    lag = np.argmax(c) - (n - 1)
    return c, lag


def autocorrelation_fft(x):
    x = x - np.mean(x)
    n = len(x)
    f = np.fft.fft(x, n=2 * n)
    acf = np.fft.ifft(f * np.conjugate(f))[:n].real
    return acf / acf[0]


def fft_convolve_2d(img, kernel):
    s = (img.shape[0] + kernel.shape[0] - 1, img.shape[1] + kernel.shape[1] - 1)
    return np.fft.irfft2(np.fft.rfft2(img, s) * np.fft.rfft2(kernel, s), s)


def gaussian_blur_fft(img, sigma=1.5):
    ny, nx = img.shape
    ky = np.fft.fftfreq(ny)[:, None]
    kx = np.fft.rfftfreq(nx)[None, :]
    H = np.exp(-2 * (np.pi * sigma) ** 2 * (kx ** 2 + ky ** 2))
    return np.fft.irfft2(np.fft.rfft2(img) * H, s=img.shape)


def power_spectrum_db(x, fs=1000.0):
    N = len(x)
    X = np.fft.rfft(x * np.hanning(N))
    P = (np.abs(X) ** 2) / (fs * np.sum(np.hanning(N) ** 2))
    P[1:-1] *= 2
    return np.fft.rfftfreq(N, 1 / fs), 10 * np.log10(P + 1e-20)


def periodogram(x, fs=1.0, window="hann"):
    n = len(x)
    w = np.hanning(n) if window == "hann" else np.ones(n)
    X = np.fft.rfft((x - x.mean()) * w)
    scale = 1.0 / (fs * (w * w).sum())
    Pxx = scale * np.abs(X) ** 2
    if n % 2 == 0:
        Pxx[1:-1] *= 2
    else:
        Pxx[1:] *= 2
    return np.fft.rfftfreq(n, 1 / fs), Pxx


def welch_by_hand(x, nperseg=16, fs=1.0):
    step = nperseg // 2
    win = np.hanning(nperseg)
    scale = 1.0 / (fs * (win ** 2).sum())
    n_seg = (len(x) - nperseg) // step + 1
    P = np.zeros(nperseg // 2 + 1)
    for s in range(n_seg):
        seg = x[s * step:s * step + nperseg]
        seg = seg - seg.mean()
        P += np.abs(np.fft.rfft(seg * win)) ** 2
    P = P * scale / n_seg
    P[1:-1] *= 2
    return np.fft.rfftfreq(nperseg, 1 / fs), P


def welch_strided(x, nperseg=16):
    step = nperseg // 2
    idx = np.arange(nperseg)[None, :] + step * np.arange((len(x) - nperseg) // step + 1)[:, None]
    segs = x[idx]
    segs = segs - segs.mean(axis=1, keepdims=True)
    w = np.blackman(nperseg)
    P = np.mean(np.abs(np.fft.rfft(segs * w, axis=1)) ** 2, axis=0) / (w ** 2).sum()
    return P


def csd_coherence(x, y, nperseg=16):
    step = nperseg // 2
    nseg = (len(x) - nperseg) // step + 1
    w = np.hamming(nperseg)
    Sxx = Syy = 0
    Sxy = 0j
    for i in range(nseg):
        X = np.fft.rfft(w * x[i * step:i * step + nperseg])
        Y = np.fft.rfft(w * y[i * step:i * step + nperseg])
        Sxx = Sxx + np.abs(X) ** 2
        Syy = Syy + np.abs(Y) ** 2
        Sxy = Sxy + np.conj(X) * Y
    return np.abs(Sxy) ** 2 / (Sxx * Syy), np.angle(Sxy)


def stft_magnitude(x, n_fft=16, hop=4):
    w = np.hanning(n_fft)
    frames = np.array([x[i:i + n_fft] * w for i in range(0, len(x) - n_fft + 1, hop)])
    return np.abs(np.fft.rfft(frames, axis=-1)).T


def spectrogram_db(x, n_fft=32, hop=8):
    n_frames = 1 + (len(x) - n_fft) // hop
    S = np.empty((n_fft // 2 + 1, n_frames))
    win = np.hanning(n_fft + 1)[:-1]
    for t in range(n_frames):
        S[:, t] = np.abs(np.fft.rfft(win * x[t * hop:t * hop + n_fft])) ** 2
    return 10 * np.log10(np.maximum(S, 1e-10))


def spectral_poisson_periodic(f, L=2 * np.pi):
    n = f.shape[0]
    k = np.fft.fftfreq(n, d=L / n) * 2 * np.pi
    KX, KY = np.meshgrid(k, k, indexing="ij")
    K2 = KX ** 2 + KY ** 2
    K2[0, 0] = 1.0
    F = np.fft.fft2(f)
    U = -F / K2
    U[0, 0] = 0.0
    return np.real(np.fft.ifft2(U))


def spectral_poisson_rfft(f):
    n, m = f.shape
    ky = np.fft.fftfreq(n) * n
    kx = np.fft.rfftfreq(m) * m
    k2 = ky[:, None] ** 2 + kx[None, :] ** 2
    F = np.fft.rfft2(f - f.mean())
    U = np.where(k2 > 0, -F / np.where(k2 > 0, k2, 1), 0)
    return np.fft.irfft2(U, s=f.shape)


def heat_equation_spectral(u0, nu=0.1, t=0.5, L=2 * np.pi):
    n = u0.size
    k = np.fft.rfftfreq(n, L / (2 * np.pi * n))
    return np.fft.irfft(np.fft.rfft(u0) * np.exp(-nu * k ** 2 * t), n)


def burgers_pseudospectral(u, nu=0.05, dt=0.01, steps=20):
    n = u.size
    k = np.fft.fftfreq(n, 1.0 / n)
    kmax = np.abs(k).max()
    dealias = np.abs(k) < 2.0 / 3.0 * kmax
    for _ in range(steps):
        uh = np.fft.fft(u)
        ux = np.real(np.fft.ifft(1j * k * uh))
        nl = np.fft.fft(u * ux) * dealias
        uh = (uh - dt * nl) / (1 + dt * nu * k ** 2)
        u = np.real(np.fft.ifft(uh))
    return u


def fft_lowpass(x, cutoff=0.2):
    X = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x))
    X[f > cutoff] = 0
    return np.fft.irfft(X, len(x))


def fft_bandpass_mask(x, fs=100.0, lo=5.0, hi=15.0):
    X = np.fft.fft(x)
    f = np.abs(np.fft.fftfreq(len(x), 1 / fs))
    X *= (f >= lo) & (f <= hi)
    return np.fft.ifft(X).real


def hilbert_envelope(x):
    n = len(x)
    X = np.fft.fft(x)
    h = np.zeros(n)
    if n % 2 == 0:
        h[0] = h[n // 2] = 1
        h[1:n // 2] = 2
    else:
        h[0] = 1
        h[1:(n + 1) // 2] = 2
    analytic = np.fft.ifft(X * h)
    return np.abs(analytic), np.unwrap(np.angle(analytic))


def fft_resample(x, num=12):
    X = np.fft.rfft(x)
    n = len(x)
    Y = np.zeros(num // 2 + 1, dtype=complex)
    m = min(len(X), len(Y))
    Y[:m] = X[:m]
    return np.fft.irfft(Y, num) * num / n


def zero_padded_spectrum(x, pad=4):
    n = len(x) * pad
    X = np.fft.rfft(x, n=n)
    return np.abs(X), np.fft.rfftfreq(n)


def dft_matrix(x):
    n = len(x)
    k = np.arange(n)
    W = np.exp(-2j * np.pi * np.outer(k, k) / n)
    return W @ x, np.allclose(W @ x, np.fft.fft(x))


def dft_loop(x):
    N = len(x)
    X = np.zeros(N, dtype=np.complex128)
    for k in range(N):
        for n in range(N):
            X[k] += x[n] * np.exp(-2j * np.pi * k * n / N)
    return X


def fft_radix2_recursive(x):
    N = x.shape[0]
    if N <= 1:
        return x.astype(complex)
    even = fft_radix2_recursive(x[0::2])
    odd = fft_radix2_recursive(x[1::2])
    T = np.exp(-2j * np.pi * np.arange(N // 2) / N) * odd
    return np.concatenate([even + T, even - T])


def fft_iterative_bit_reversal(x):
    n = len(x)
    bits = n.bit_length() - 1
    rev = np.array([int(format(i, f"0{bits}b")[::-1], 2) for i in range(n)])
    a = x[rev].astype(complex)
    size = 2
    while size <= n:
        w = np.exp(-2j * np.pi * np.arange(size // 2) / size)
        a = a.reshape(-1, size)
        even = a[:, :size // 2].copy()
        odd = a[:, size // 2:] * w
        a = np.concatenate([even + odd, even - odd], axis=1).ravel()
        size *= 2
    return a


def fft2_shift_magnitude(img):
    F = np.fft.fftshift(np.fft.fft2(img))
    mag = np.log1p(np.abs(F))
    return mag, np.angle(F)


def radial_power_spectrum(img):
    F = np.abs(np.fft.fftshift(np.fft.fft2(img))) ** 2
    ny, nx = img.shape
    y, x = np.indices((ny, nx))
    r = np.hypot(x - nx // 2, y - ny // 2).astype(int)
    tbin = np.bincount(r.ravel(), F.ravel())
    nr = np.bincount(r.ravel())
    return tbin / np.maximum(nr, 1)


def rfftn_axes(x):
    return np.fft.rfftn(x, axes=(0, 1)), np.fft.fftn(x, axes=(1,)), np.fft.irfftn(np.fft.rfftn(x), s=x.shape, axes=(0, 1, 2))


def fft_norm_modes(x):
    return (np.fft.fft(x, norm="ortho"), np.fft.ifft(np.fft.fft(x, norm="forward"), norm="forward"),
            np.fft.rfft(x, norm="backward"))


def parseval_check(x):
    X = np.fft.fft(x)
    return np.sum(np.abs(x) ** 2), np.sum(np.abs(X) ** 2) / len(x)


def fourier_series_fit(t, y, n_harm=3, period=1.0):
    cols = [np.ones_like(t)]
    for k in range(1, n_harm + 1):
        cols += [np.cos(2 * np.pi * k * t / period), np.sin(2 * np.pi * k * t / period)]
    A = np.column_stack(cols)
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return coef, A @ coef


def chebyshev_dct_fft(f):
    n = len(f) - 1
    ext = np.concatenate([f, f[-2:0:-1]])
    c = np.real(np.fft.fft(ext))[: n + 1] / n
    c[0] /= 2
    c[-1] /= 2
    return c


def dct2_via_fft(x):
    N = len(x)
    v = np.concatenate([x[::2], x[-1 - (N % 2)::-2]])
    V = np.fft.fft(v)
    k = np.arange(N)
    return 2 * np.real(V * np.exp(-1j * np.pi * k / (2 * N)))


def window_functions(n):
    k = np.arange(n)
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * k / (n - 1))
    hamming = 0.54 - 0.46 * np.cos(2 * np.pi * k / (n - 1))
    return hann, hamming, np.allclose(hann, np.hanning(n)), np.kaiser(n, 5.0), np.bartlett(n)


def cepstrum(x):
    spectrum = np.fft.fft(x)
    log_mag = np.log(np.abs(spectrum) + 1e-12)
    return np.fft.ifft(log_mag).real


def phase_vocoder_shift(x, shift=2):
    X = np.fft.rfft(x)
    Y = np.zeros_like(X)
    Y[shift:] = X[:-shift]
    return np.fft.irfft(Y, len(x))


def fractional_delay_fft(x, delay=0.3):
    n = len(x)
    k = np.fft.fftfreq(n)
    return np.real(np.fft.ifft(np.fft.fft(x) * np.exp(-2j * np.pi * k * delay)))


def spectral_entropy(x):
    p = np.abs(np.fft.rfft(x)) ** 2
    p = p / p.sum()
    return -np.sum(p * np.log2(p + 1e-12)), np.sum(np.fft.rfftfreq(len(x)) * p)


# ------------------------------------------------------------------------------ refused forms


def newton_until_converged(c, tol=1e-10):
    x = np.ones_like(c)
    while np.max(np.abs(x ** 3 - c)) > tol:
        x = x - (x ** 3 - c) / (3 * x ** 2)
    return x


def gd_early_stopping(A, b, lr=0.05):
    x = np.zeros_like(b)
    for k in range(1000):
        g = A @ x - b
        if np.linalg.norm(g) < 1e-6:
            break
        x -= lr * g
    return x, k


def nelder_mead_python_branches(S):
    f = lambda p: (p[0] - 1) ** 2 + 5 * (p[1] + 0.5) ** 2
    for _ in range(10):
        S = S[np.argsort([f(p) for p in S])]
        c = S[:-1].mean(axis=0)
        xr = 2 * c - S[-1]
        if f(xr) < f(S[0]):
            xe = 3 * c - 2 * S[-1]
            S[-1] = xe if f(xe) < f(xr) else xr
        elif f(xr) < f(S[-2]):
            S[-1] = xr
        else:
            S[1:] = S[0] + 0.5 * (S[1:] - S[0])
    return S


def gammp_numerical_recipes(a, x):
    if x < a + 1.0:
        return gammainc_series(a, np.array([x]))[0]
    return 1.0 - gammaincc_continued_fraction(a, np.array([x]))[0]


def gammp_elementwise(a, xs):
    return np.array([gammp_numerical_recipes(a, x) for x in xs])


def rejection_until_accepted(rng, n=5):
    out = []
    while len(out) < n:
        x = rng.uniform(-3, 3)
        if rng.random() < np.exp(-0.5 * x * x):
            out.append(x)
    return np.array(out)


# ----------------------------------------------------------------------------------- arguments


def _spd(s, n):
    M = _f(n, n, seed=s)
    return M @ M.T / n + np.eye(n)


def _u01(s, *shape, lo=0.0, hi=1.0):
    return np.random.default_rng(s).uniform(lo, hi, shape)


def _knots(s, n):
    return np.cumsum(_u01(s, n, lo=0.2, hi=1.0))


def _exp_data(s, n):
    t = np.linspace(0, 3, 5 * n)
    return t, 2.0 * np.exp(-0.7 * t) + 0.3 + 0.01 * _f(5 * n, seed=s)


def _prob(s, *shape):
    p = _u01(s, *shape, lo=0.1, hi=1.0)
    return p / p.sum(axis=-1, keepdims=True)


def _sig(s, n):
    t = np.arange(n)
    return np.sin(2 * np.pi * 0.1 * t) + 0.5 * np.cos(2 * np.pi * 0.27 * t) + 0.3 * _f(n, seed=s)


def _cost(s, n):
    a, b = _u01(s, n, 2), _u01(s + 1, n + 1, 2)
    return ((a[:, None] - b[None]) ** 2).sum(-1)


OPTIM = {
    "gradient_descent_quadratic": (gradient_descent_quadratic, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "gradient_descent_history": (gradient_descent_history, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "momentum_descent": (momentum_descent, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "heavy_ball_inplace": (heavy_ball_inplace, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "nesterov_descent": (nesterov_descent, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "adagrad": (adagrad, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    # 40 steps: by 60, seed 2's iterate moves by lr * g / sqrt(s) with g at rounding noise,
    # so its last digits follow those of A @ x (NumPy's own result moves by 4e-4 relative
    # when A @ x sums in another order)
    "rmsprop": (rmsprop, {"iters": 40}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "adam": (adam, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "adam_dict_state": (adam_dict_state, {}, lambda s, n: (_f(n, seed=s + 7), _spd(s, n), _f(n, seed=s))),
    "adamw": (adamw, {}, lambda s, n: (_f(n, seed=s + 7), _spd(s, n), _f(n, seed=s))),
    "amsgrad": (amsgrad, {}, lambda s, n: (_f(n, seed=s + 7), _spd(s, n), _f(n, seed=s))),
    "adadelta": (adadelta, {}, lambda s, n: (_f(n, seed=s + 7), _spd(s, n), _f(n, seed=s))),
    "coordinate_descent_quadratic": (coordinate_descent_quadratic, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "gauss_seidel": (gauss_seidel, {}, lambda s, n: (_spd(s, n) + n * np.eye(n), _f(n, seed=s))),
    "jacobi_iteration": (jacobi_iteration, {}, lambda s, n: (_spd(s, n) + n * np.eye(n), _f(n, seed=s))),
    "projected_gradient_box": (projected_gradient_box, {}, lambda s, n: (_spd(s, n), 2 * _f(n, seed=s))),
    "projected_gradient_simplex": (projected_gradient_simplex, {}, lambda s, n: (_f(n, seed=s),)),
    "project_l2_ball": (project_l2_ball, {}, lambda s, n: (np.r_[_f(n, 3, seed=s), 0.1 * _f(2, 3, seed=s)],)),
    "soft_threshold": (soft_threshold, {}, lambda s, n: (_f(n, 3, seed=s), 0.4)),
    "soft_threshold_where": (soft_threshold_where, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "lasso_coordinate_descent": (lasso_coordinate_descent, {}, lambda s, n: (_f(5 * n, n, seed=s), _f(5 * n, seed=s + 1))),
    "ista": (ista, {}, lambda s, n: (_f(5 * n, n, seed=s), _f(5 * n, seed=s + 1))),
    "fista": (fista, {}, lambda s, n: (_f(5 * n, n, seed=s), _f(5 * n, seed=s + 1))),
    "elastic_net_prox": (elastic_net_prox, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "group_soft_threshold": (group_soft_threshold, {}, lambda s, n: (np.r_[_f(n, 3, seed=s), np.zeros((1, 3))],)),
    "conjugate_gradient": (conjugate_gradient, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "conjugate_gradient_inplace": (conjugate_gradient_inplace, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "preconditioned_cg": (preconditioned_cg, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "fletcher_reeves_rosen": (fletcher_reeves_rosen, {}, lambda s, n: (0.5 * _f(n, seed=s),)),
    "newton_quadratic_plus_quartic": (newton_quadratic_plus_quartic, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "newton_logistic": (newton_logistic, {}, lambda s, n: (_f(6 * n, 3, seed=s), (_f(6 * n, seed=s + 1) > 0).astype(float))),
    "newton_rosenbrock_2d": (newton_rosenbrock_2d, {}, lambda s, n: (_u01(s, 2, lo=-1.0, hi=1.5),)),
    "newton_1d_vectorized": (newton_1d_vectorized, {}, lambda s, n: (_f(n, positive=True, seed=s) * 5,)),
    "gauss_newton_exp_fit": (gauss_newton_exp_fit, {}, lambda s, n: (np.linspace(0, 2, 5 * n), 1.5 * np.exp(-0.8 * np.linspace(0, 2, 5 * n)) + 0.01 * _f(5 * n, seed=s))),
    "levenberg_marquardt_step": (levenberg_marquardt_step, {}, lambda s, n: _exp_data(s, n) + (np.array([1.5, 0.6, 0.2]),)),
    "levenberg_marquardt": (levenberg_marquardt, {}, lambda s, n: _exp_data(s, n)),
    "backtracking_fixed_trials": (backtracking_fixed_trials, {}, lambda s, n: (_spd(s, n), _f(n, seed=s), _f(n, seed=s + 3))),
    "armijo_grid": (armijo_grid, {}, lambda s, n: (_spd(s, n), _f(n, seed=s), _f(n, seed=s + 3))),
    "golden_section_fixed": (golden_section_fixed, {}, lambda s, n: (-3.0, 3.0, _f(n, seed=s))),
    "bisection_fixed": (bisection_fixed, {}, lambda s, n: (_f(n, positive=True, seed=s) * 4,)),
    "secant_fixed": (secant_fixed, {}, lambda s, n: (_f(n, positive=True, seed=s),)),
    "bfgs_quadratic": (bfgs_quadratic, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "lbfgs_two_loop": (lbfgs_two_loop, {}, lambda s, n: (_f(n, seed=s), _f(3, n, seed=s + 1), _f(3, n, seed=s + 1) + 0.1 * _f(3, n, seed=s + 2))),
    "trust_region_cauchy": (trust_region_cauchy, {}, lambda s, n: (_f(n, seed=s), _spd(s, n))),
    "sgd_linear_regression": (sgd_linear_regression, {}, lambda s, n: (_f(5 * n, 3, seed=s), _f(5 * n, seed=s + 1))),
    "polyak_averaging": (polyak_averaging, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "lr_schedules": (lr_schedules, {}, lambda s, n: (_f(n, seed=s + 5), _spd(s, n), _f(n, seed=s))),
    "gradient_clipping": (gradient_clipping, {}, lambda s, n: (_f(n, 3, seed=s) * s,)),
    "clip_by_value_and_global_norm": (clip_by_value_and_global_norm, {}, lambda s, n: ([_f(n, 2, seed=s), _f(3, seed=s + 1)],)),
    "numerical_gradient": (numerical_gradient, {}, lambda s, n: (_f(n, seed=s),)),
    "numerical_hessian": (numerical_hessian, {}, lambda s, n: (_f(3, seed=s + n),)),
    "nelder_mead_steps": (nelder_mead_steps, {}, lambda s, n: (_f(3, 2, seed=s + n),)),
    "nelder_mead_shrink": (nelder_mead_shrink, {}, lambda s, n: (_f(n, n - 1, seed=s),)),
    "simplex_centroid_reflect": (simplex_centroid_reflect, {}, lambda s, n: (_f(n, 2, seed=s), _f(n, seed=s + 1))),
    "augmented_lagrangian": (augmented_lagrangian, {}, lambda s, n: (_f(n, seed=s),)),
    "penalty_method": (penalty_method, {}, lambda s, n: (_f(n, seed=s),)),
    "admm_lasso": (admm_lasso, {}, lambda s, n: (_f(5 * n, n, seed=s), _f(5 * n, seed=s + 1))),
    "frank_wolfe_simplex": (frank_wolfe_simplex, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "mirror_descent_simplex": (mirror_descent_simplex, {}, lambda s, n: (_f(n, seed=s),)),
    "multiplicative_weights": (multiplicative_weights, {}, lambda s, n: (_u01(s, 10, n),)),
    "linear_programming_grid": (linear_programming_grid, {}, lambda s, n: (_f(2, seed=s), _u01(s, n, 2, lo=0.2), np.ones(n) * 2)),
    "quadratic_line_min": (quadratic_line_min, {}, lambda s, n: (_spd(s, n), _f(n, seed=s), _f(n, seed=s + 1), _f(n, seed=s + 2))),
    "sinkhorn": (sinkhorn, {}, lambda s, n: (_cost(s, n), _prob(s, n), _prob(s + 1, n + 1))),
    "sinkhorn_log": (sinkhorn_log, {}, lambda s, n: (_cost(s, n), _prob(s, n), _prob(s + 1, n + 1))),
    "huber_irls": (huber_irls, {}, lambda s, n: (_f(5 * n, 2, seed=s), 3 * _f(5 * n, seed=s + 1))),
    "lbfgs_memory_update": (lbfgs_memory_update, {}, lambda s, n: (_f(3, n, seed=s), _f(3, n, seed=s + 1), _f(n, seed=s + 2), _f(n, seed=s + 3))),
}

OPTIM_RNG = [
    (sgd_shuffled, lambda: (_f(12, 3, seed=1), _f(12, seed=2))),
    (simulated_annealing, lambda: (_f(3, seed=4),)),
    (random_search, lambda: ()),
    (random_search_local, lambda: (_f(4, seed=2),)),
    (cross_entropy_method, lambda: ()),
    (differential_evolution_step, lambda: (_f(8, 3, seed=3),)),
    (particle_swarm, lambda: ()),
    (genetic_algorithm_step, lambda: (_f(8, 3, seed=5),)),
]

TEST_FUNCTIONS = {
    "rosenbrock": (rosenbrock, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "rosenbrock_grad": (rosenbrock_grad, {}, lambda s, n: (_f(n, seed=s),)),
    "rosenbrock_hess": (rosenbrock_hess, {}, lambda s, n: (_f(n, seed=s),)),
    "rastrigin": (rastrigin, {}, lambda s, n: (_u01(s, n, 3, lo=-5.12, hi=5.12),)),
    "ackley": (ackley, {}, lambda s, n: (_u01(s, n, 2, lo=-5, hi=5),)),
    "himmelblau": (himmelblau, {}, lambda s, n: (_u01(s, n, 2, lo=-5, hi=5),)),
    "himmelblau_grid": (himmelblau_grid, {}, lambda s, n: (-5.0 + s, 5.0, 41)),
    "beale": (beale, {}, lambda s, n: (_u01(s, n, 2, lo=-4.5, hi=4.5),)),
    "booth_matyas": (booth_matyas, {}, lambda s, n: (_u01(s, n, 2, lo=-10, hi=10),)),
    "sphere_and_griewank": (sphere_and_griewank, {}, lambda s, n: (_u01(s, n, 4, lo=-600, hi=600),)),
    "levy": (levy, {}, lambda s, n: (_u01(s, n, 3, lo=-10, hi=10),)),
    "styblinski_tang": (styblinski_tang, {}, lambda s, n: (_u01(s, n, 3, lo=-5, hi=5),)),
    "schwefel": (schwefel, {}, lambda s, n: (_u01(s, n, 3, lo=-500, hi=500),)),
    "michalewicz": (michalewicz, {}, lambda s, n: (_u01(s, n, 3, lo=0, hi=np.pi),)),
    "six_hump_camel": (six_hump_camel, {}, lambda s, n: (_u01(s, n, 2, lo=-2, hi=2),)),
    "goldstein_price": (goldstein_price, {}, lambda s, n: (_u01(s, n, 2, lo=-2, hi=2),)),
    "rosenbrock_loop": (rosenbrock_loop, {}, lambda s, n: (_f(n, seed=s),)),
    "benchmark_table": (benchmark_table, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "gd_on_himmelblau": (gd_on_himmelblau, {}, lambda s, n: (_u01(s, n, 2, lo=-4, hi=4),)),
    "adam_on_rosenbrock": (adam_on_rosenbrock, {}, lambda s, n: (_f(n, seed=s),)),
}

SPECIAL = {
    "gamma_lanczos": (gamma_lanczos, {}, lambda s, n: (np.r_[_u01(s, n, lo=-3.9, hi=6.0), 0.5, 1.0, 5.0],)),
    "lgamma_lanczos": (lgamma_lanczos, {}, lambda s, n: (_u01(s, n, lo=0.1, hi=30),)),
    "lgamma_stirling": (lgamma_stirling, {}, lambda s, n: (_u01(s, n, lo=0.1, hi=30),)),
    "lgamma_math_vectorized": (lgamma_math_vectorized, {}, lambda s, n: (_u01(s, n, lo=0.1, hi=30),)),
    "factorial_table": (factorial_table, {}, lambda s, n: (12 + n,)),
    "log_factorial_cumsum": (log_factorial_cumsum, {}, lambda s, n: (_i(100, n, seed=s),)),
    "beta_function": (beta_function, {}, lambda s, n: (_u01(s, n, lo=0.5, hi=5), _u01(s + 1, n, lo=0.5, hi=5))),
    "digamma_asymptotic": (digamma_asymptotic, {}, lambda s, n: (_u01(s, n, lo=0.1, hi=10),)),
    "erf_as": (erf_as, {}, lambda s, n: (_f(n, 3, seed=s) * 2,)),
    "erf_as_7_1_26_where": (erf_as_7_1_26_where, {}, lambda s, n: (_f(n, seed=s) * 2,)),
    "erfc_numerical_recipes": (erfc_numerical_recipes, {}, lambda s, n: (_f(n, seed=s) * 3,)),
    "erf_series": (erf_series, {}, lambda s, n: (_f(n, seed=s),)),
    "erfinv_giles": (erfinv_giles, {}, lambda s, n: (np.r_[_u01(s, n, lo=-0.999, hi=0.999), 0.99999],)),
    "norm_ppf_acklam": (norm_ppf_acklam, {}, lambda s, n: (np.r_[_u01(s, n, lo=0.001, hi=0.999), 0.01, 0.99],)),
    "gammainc_series": (gammainc_series, {}, lambda s, n: (2.5, _u01(s, n, lo=0.1, hi=5))),
    "gammaincc_continued_fraction": (gammaincc_continued_fraction, {}, lambda s, n: (2.5, _u01(s, n, lo=3, hi=12))),
    "gammainc_combined": (gammainc_combined, {}, lambda s, n: (1.7, _u01(s, n, lo=0.0, hi=10))),
    "betacf": (betacf, {}, lambda s, n: (2.0, 3.0, _u01(s, n, lo=0.05, hi=0.4))),
    "betainc": (betainc, {}, lambda s, n: (2.0, 3.5, np.r_[_u01(s, n), 0.0, 1.0])),
    "bessel_j0_series": (bessel_j0_series, {}, lambda s, n: (_u01(s, n, lo=0, hi=8),)),
    "bessel_jn_series": (bessel_jn_series, {}, lambda s, n: (2, _u01(s, n, lo=0, hi=8))),
    "bessel_i0_series": (bessel_i0_series, {}, lambda s, n: (_f(n, seed=s) * 3,)),
    "bessel_j_recurrence": (bessel_j_recurrence, {}, lambda s, n: (_u01(s, n, lo=0.5, hi=8),)),
    "logsumexp_all": (logsumexp, {}, lambda s, n: (100 * _f(n, 3, seed=s),)),
    "logsumexp_axis": (logsumexp, {"axis": 1}, lambda s, n: (np.r_[100 * _f(n, 3, seed=s), np.full((1, 3), -np.inf)],)),
    "logsumexp_weighted": (logsumexp_weighted, {}, lambda s, n: (_f(n, 4, seed=s) * 10, _f(n, 4, seed=s + 1))),
    "logaddexp_forms": (logaddexp_forms, {}, lambda s, n: (_f(n, seed=s) * 50, _f(n, seed=s + 1) * 50)),
    "log_softmax_stable": (log_softmax_stable, {}, lambda s, n: (_f(n, 5, seed=s) * 30,)),
    "softplus": (softplus, {}, lambda s, n: (_f(n, 2, seed=s) * 40,)),
    "softplus_threshold": (softplus_threshold, {}, lambda s, n: (_f(n, seed=s) * 30,)),
    "softplus_inverse": (softplus_inverse, {}, lambda s, n: (_f(n, positive=True, seed=s),)),
    "expit": (expit, {}, lambda s, n: (_f(n, 3, seed=s) * 30,)),
    "expit_tanh": (expit_tanh, {}, lambda s, n: (_f(n, seed=s).astype(np.float32) * 10,)),
    "logit": (logit, {}, lambda s, n: (np.r_[_u01(s, n), 0.0, 1.0],)),
    "log_sigmoid": (log_sigmoid, {}, lambda s, n: (_f(n, seed=s) * 50,)),
    "log1mexp": (log1mexp, {}, lambda s, n: (-_f(n, positive=True, seed=s) * np.r_[0.01, 0.3, 2, 20] [np.arange(n) % 4],)),
    "log1p_expm1_forms": (log1p_expm1_forms, {}, lambda s, n: (_u01(s, n, lo=-0.5, hi=1) * 1e-3 ** (s % 2),)),
    "binary_entropy": (binary_entropy, {}, lambda s, n: (np.r_[_u01(s, n), 0.0, 1.0],)),
    "xlogy_manual": (xlogy_manual, {}, lambda s, n: (np.r_[_u01(s, n), 0.0], np.r_[_u01(s + 1, n), 0.0])),
    "horner": (horner, {}, lambda s, n: (_f(5, seed=s), _f(n, seed=s + 1))),
    "horner_python_list": (horner, {}, lambda s, n: ([1.0, -2.0, 0.5, 3.0], _f(n, seed=s))),
    "horner_reversed": (horner_reversed, {}, lambda s, n: (_f(4, seed=s), _f(n, 2, seed=s + 1))),
    "polyval_forms": (polyval_forms, {}, lambda s, n: (_f(4, seed=s), _f(n, seed=s + 1))),
    "clenshaw_chebyshev": (clenshaw_chebyshev, {}, lambda s, n: (_f(5, seed=s), _u01(s, n, lo=-1, hi=1))),
    "legendre_recurrence": (legendre_recurrence, {}, lambda s, n: (_u01(s, n, lo=-1, hi=1),)),
    "hermite_physicists": (hermite_physicists, {}, lambda s, n: (_f(n, seed=s),)),
    "laguerre_values": (laguerre_values, {}, lambda s, n: (_u01(s, n, lo=0, hi=5),)),
    "zeta_partial": (zeta_partial, {}, lambda s, n: (_u01(s, n, lo=1.5, hi=4),)),
    "sinc_and_friends": (sinc_and_friends, {}, lambda s, n: (np.r_[_f(n, seed=s), 0.0],)),
    "expint_e1_series": (expint_e1_series, {}, lambda s, n: (_u01(s, n, lo=0.1, hi=3),)),
    "dawson_rybicki": (dawson_rybicki, {}, lambda s, n: (_f(n, seed=s) * 2,)),
    "owens_style_gauss_legendre": (owens_style_gauss_legendre, {}, lambda s, n: (_f(n, seed=s),)),
    "comb_table": (comb_table, {}, lambda s, n: (8 + n,)),
    "log_comb": (log_comb, {}, lambda s, n: (np.full(n, 20.0), _i(21, n, seed=s).astype(float))),
}

DISTRIBUTIONS = {
    "normal_pdf": (normal_pdf, {}, lambda s, n: (_f(n, seed=s), 0.5, 2.0)),
    "normal_pdf_arrays": (normal_pdf, {}, lambda s, n: (_f(n, 1, seed=s), _f(3, seed=s + 1), _f(3, positive=True, seed=s))),
    "normal_logpdf": (normal_logpdf, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1), _f(n, positive=True, seed=s))),
    "normal_cdf_erf": (normal_cdf_erf, {}, lambda s, n: (_f(n, seed=s) * 3,)),
    "normal_cdf_erfc": (normal_cdf_erfc, {}, lambda s, n: (_f(n, seed=s) * 3,)),
    "normal_logcdf_tail": (normal_logcdf_tail, {}, lambda s, n: (np.r_[_f(n, seed=s), -8.0, -30.0],)),
    "student_t_logpdf": (student_t_logpdf, {}, lambda s, n: (_f(n, seed=s) * 3, 4.5)),
    "student_t_pdf_loc_scale": (student_t_pdf_loc_scale, {}, lambda s, n: (_f(n, seed=s), 3.0, 0.5, 2.0)),
    "student_t_cdf": (student_t_cdf, {}, lambda s, n: (_f(n, seed=s) * 2, 5.0)),
    "gamma_logpdf": (gamma_logpdf, {}, lambda s, n: (_f(n, positive=True, seed=s), 2.5, 1.5)),
    "gamma_pdf_rate": (gamma_pdf_rate, {}, lambda s, n: (_f(n, positive=True, seed=s), np.array([2.5]), 1.5)),
    "gamma_cdf": (gamma_cdf, {}, lambda s, n: (_f(n, positive=True, seed=s) * 3, 2.0, 1.5)),
    "exponential_family": (exponential_family, {}, lambda s, n: (_f(n, seed=s) * 2, 1.5)),
    "chi2_logpdf": (chi2_logpdf, {}, lambda s, n: (_f(n, positive=True, seed=s) * 3, 4)),
    "beta_logpdf": (beta_logpdf, {}, lambda s, n: (_u01(s, n, lo=0.01, hi=0.99), _u01(s + 1, n, lo=0.5, hi=4), _u01(s + 2, n, lo=0.5, hi=4))),
    "beta_pdf_scalar": (beta_pdf_scalar, {}, lambda s, n: (_u01(s, n),)),
    "beta_cdf": (beta_cdf, {}, lambda s, n: (_u01(s, n, lo=0.01, hi=0.99),)),
    "poisson_pmf": (poisson_pmf, {}, lambda s, n: (_i(10, n, seed=s), _f(n, positive=True, seed=s) * 3)),
    "poisson_logpmf_table": (poisson_logpmf_table, {}, lambda s, n: (_i(40, n, seed=s), 4.0)),
    "poisson_cdf_cumsum": (poisson_cdf_cumsum, {}, lambda s, n: (_f(n, positive=True, seed=s) * 4,)),
    "poisson_pmf_recursive": (poisson_pmf_recursive, {}, lambda s, n: (_f(n, positive=True, seed=s) * 4,)),
    "binomial_logpmf": (binomial_logpmf, {}, lambda s, n: (_i(11, n, seed=s), np.full(n, 10), _u01(s, n, lo=0.05, hi=0.95))),
    "binomial_pmf_table": (binomial_pmf_table, {}, lambda s, n: (8, _u01(s, n, lo=0.05, hi=0.95))),
    "binomial_cdf_loop": (binomial_cdf_loop, {}, lambda s, n: (6, _u01(s, n, lo=0.05, hi=0.95))),
    "negative_binomial_logpmf": (negative_binomial_logpmf, {}, lambda s, n: (_i(10, n, seed=s).astype(float), 3.0, 0.4)),
    "geometric_and_bernoulli": (geometric_and_bernoulli, {}, lambda s, n: (_i(6, n, seed=s) + 1, _u01(s, n, lo=0.1, hi=0.9))),
    "categorical_logpmf": (categorical_logpmf, {}, lambda s, n: (_f(n, 4, seed=s) * 5, _i(4, n, seed=s))),
    "dirichlet_logpdf": (dirichlet_logpdf, {}, lambda s, n: (_prob(s, n, 3), np.array([1.5, 2.0, 0.7]))),
    "multinomial_logpmf": (multinomial_logpmf, {}, lambda s, n: (_i(6, n, 3, seed=s), _prob(s, 3))),
    "lognormal_pdf": (lognormal_pdf, {}, lambda s, n: (_f(n, positive=True, seed=s), 0.2, 0.6)),
    "laplace_cauchy_logistic": (laplace_cauchy_logistic, {}, lambda s, n: (_f(n, seed=s) * 3,)),
    "weibull_pdf_cdf": (weibull_pdf_cdf, {}, lambda s, n: (_f(n, seed=s) * 2,)),
    "gumbel_pareto": (gumbel_pareto, {}, lambda s, n: (_f(n, seed=s) * 3,)),
    "von_mises_logpdf": (von_mises_logpdf, {}, lambda s, n: (_u01(s, n, lo=-np.pi, hi=np.pi), 0.3, np.array([2.0]))),
    "truncated_normal_pdf": (truncated_normal_pdf, {}, lambda s, n: (_f(n, seed=s) * 2,)),
    "mvn_logpdf_cholesky": (mvn_logpdf_cholesky, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, seed=s + 1), _spd(s, 3))),
    "mvn_logpdf_slogdet": (mvn_logpdf_slogdet, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, seed=s + 1), _spd(s, 3))),
    "mvn_pdf_det": (mvn_pdf_det, {}, lambda s, n: (_f(n, 2, seed=s), _f(2, seed=s + 1), _spd(s, 2))),
    "gaussian_mixture_logpdf": (gaussian_mixture_logpdf, {}, lambda s, n: (_f(n, seed=s) * 3, _prob(s, 3), _f(3, seed=s + 1) * 2, _f(3, positive=True, seed=s))),
    "gmm_responsibilities_2d": (gmm_responsibilities_2d, {}, lambda s, n: (_f(n, 2, seed=s), [0.3, 0.7], [_f(2, seed=s + 1), _f(2, seed=s + 2)], [_spd(s, 2), _spd(s + 1, 2)])),
    "gmm_em_1d": (gmm_em_1d, {}, lambda s, n: (np.r_[_f(3 * n, seed=s) - 2, _f(3 * n, seed=s + 1) + 2],)),
    "mixture_cdf": (mixture_cdf, {}, lambda s, n: (_f(n, seed=s) * 2, _prob(s, 2), np.array([-1.0, 1.0]), np.array([0.5, 1.0]))),
    "empirical_cdf": (empirical_cdf, {}, lambda s, n: (_f(5 * n, seed=s), np.linspace(-2, 2, n))),
    "ecdf_steps": (ecdf_steps, {}, lambda s, n: (_f(n, seed=s),)),
    "ks_statistic": (ks_statistic, {}, lambda s, n: (_f(5 * n, seed=s), _f(4 * n, seed=s + 1) + 0.3)),
    "kde_gaussian": (kde_gaussian, {}, lambda s, n: (_f(5 * n, seed=s), np.linspace(-3, 3, 11))),
    "kde_silverman": (kde_silverman, {}, lambda s, n: (_f(5 * n, seed=s), np.linspace(-3, 3, 11))),
    "quantile_methods": (quantile_methods, {}, lambda s, n: (_f(2 * n + 1, seed=s), np.array([0.0, 0.1, 0.33, 0.5, 0.9, 1.0]))),
    "quantile_methods_scalar_q": (quantile_methods, {}, lambda s, n: (_f(2 * n, seed=s), 0.4)),
    "percentile_methods_axis": (percentile_methods_axis, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "nanquantile_forms": (nanquantile_forms, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "iqr_outliers": (iqr_outliers, {}, lambda s, n: (np.r_[_f(4 * n, seed=s), 8.0, -9.0],)),
    "quantile_manual_linear": (quantile_manual_linear, {}, lambda s, n: (_f(3 * n, seed=s), np.array([0.1, 0.5, 0.95]))),
    "moments_from_samples": (moments_from_samples, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "kl_divergence_gaussians": (kl_divergence_gaussians, {}, lambda s, n: (_f(n, seed=s), _f(n, positive=True, seed=s), 0.0, 1.0)),
    "kl_discrete": (kl_discrete, {}, lambda s, n: (np.c_[_prob(s, n, 3), np.zeros(n)], _prob(s + 1, n, 4))),
    "js_and_entropy": (js_and_entropy, {}, lambda s, n: (_prob(s, n, 4), _prob(s + 1, n, 4))),
    "wasserstein_1d": (wasserstein_1d, {}, lambda s, n: (_f(3 * n, seed=s), _f(2 * n, seed=s + 1) + 0.5)),
    "fisher_information_normal": (fisher_information_normal, {}, lambda s, n: (_f(5 * n, seed=s), 0.1, 1.2)),
    "histogram_density": (histogram_density, {}, lambda s, n: (_f(10 * n, seed=s),)),
    "log_likelihood_grid": (log_likelihood_grid, {}, lambda s, n: (_f(3 * n, seed=s) * 1.5 + 0.3,)),
    "ppf_bisection": (ppf_bisection, {}, lambda s, n: (_u01(s, n, lo=0.01, hi=0.99),)),
}

DISTRIBUTIONS_RNG = [
    (exponential_inverse_cdf, lambda: ()),
    (inverse_cdf_discrete, lambda: (np.array([0.1, 0.2, 0.3, 0.4]),)),
    (inverse_cdf_table, lambda: ()),
    (box_muller, lambda: ()),
    (polar_marsaglia, lambda: ()),
    (acceptance_rejection_beta, lambda: ()),
    (rejection_sampling_loop, lambda: ()),
    (gamma_marsaglia_tsang_batch, lambda: ()),
    (mixture_sampling, lambda: (np.array([0.2, 0.5, 0.3]), np.array([-2.0, 0.0, 3.0]), np.array([0.5, 1.0, 0.3]))),
    (mvn_sampling_cholesky, lambda: (np.array([1.0, -1.0]), np.array([[2.0, 0.3], [0.3, 0.5]]))),
    (bootstrap_mean_ci, lambda: (_f(20, seed=3),)),
    (metropolis_hastings, lambda: ()),
    (gibbs_bivariate_normal, lambda: ()),
    (importance_sampling, lambda: ()),
    (stratified_uniform, lambda: ()),
    (latin_hypercube, lambda: ()),
    (systematic_resample, lambda: (np.array([0.1, 0.4, 0.2, 0.3]),)),
]

INTERPOLATION = {
    "interp_basic": (interp_basic, {}, lambda s, n: (_u01(s, 3 * n, lo=-0.5, hi=5), _knots(s, n), _f(n, seed=s))),
    "interp_left_right": (interp_left_right, {}, lambda s, n: (_u01(s, 3 * n, lo=-0.5, hi=5), _knots(s, n), _f(n, seed=s))),
    "interp_periodic": (interp_periodic, {}, lambda s, n: (_u01(s, 3 * n, lo=-7, hi=20), np.sort(_u01(s + 1, n, hi=6.2)), _f(n, seed=s))),
    "interp_columns": (interp_columns, {}, lambda s, n: (_u01(s, 7, hi=4), _knots(s, n), _f(n, 3, seed=s))),
    "interp_resample_signal": (interp_resample_signal, {}, lambda s, n: (_knots(s, 3 * n), _f(3 * n, seed=s))),
    "linear_interp_searchsorted": (linear_interp_searchsorted, {}, lambda s, n: (_u01(s, 3 * n, lo=0.3, hi=4), _knots(s, n), _f(n, seed=s))),
    "linear_interp_digitize": (linear_interp_digitize, {}, lambda s, n: (_u01(s, 3 * n, lo=0.3, hi=4), _knots(s, n), _f(n, seed=s))),
    "uniform_grid_interp": (uniform_grid_interp, {}, lambda s, n: (_u01(s, 3 * n, lo=-1, hi=3), 0.0, 0.5, _f(n + 2, seed=s))),
    "bilinear_interp": (bilinear_interp, {}, lambda s, n: (_f(5, 6, seed=s), _u01(s, n, hi=5), _u01(s + 1, n, hi=4))),
    "bilinear_grid": (bilinear_grid, {}, lambda s, n: (_knots(s, 5), _knots(s + 1, 4), _f(5, 4, seed=s), _u01(s, n, lo=0.5, hi=3), _u01(s + 1, n, lo=0.5, hi=2.5))),
    "bilinear_resize": (bilinear_resize, {}, lambda s, n: (_f(n, 5, seed=s), 7, 9)),
    "trilinear_interp": (trilinear_interp, {}, lambda s, n: (_f(4, 3, 5, seed=s), _u01(s, n, 3, hi=3))),
    "nearest_neighbor_interp": (nearest_neighbor_interp, {}, lambda s, n: (_u01(s, 3 * n, hi=4), _knots(s, n), _f(n, seed=s))),
    "lagrange_interp": (lagrange_interp, {}, lambda s, n: (_knots(s, n), _f(n, seed=s), _u01(s, 9, lo=0.5, hi=3))),
    "lagrange_barycentric": (lagrange_barycentric, {}, lambda s, n: (_knots(s, n), _f(n, seed=s), np.r_[_u01(s, 9, lo=0.5, hi=3), _knots(s, n)[1]])),
    "newton_divided_differences": (newton_divided_differences, {}, lambda s, n: (_knots(s, n), _f(n, seed=s))),
    "newton_divided_table": (newton_divided_table, {}, lambda s, n: (_knots(s, n), _f(n, seed=s))),
    "newton_eval": (newton_eval, {}, lambda s, n: (_knots(s, n), _f(n, seed=s), _u01(s, 9, lo=0.5, hi=3))),
    "neville": (neville, {}, lambda s, n: (_knots(s, n), _f(n, seed=s), _u01(s, 9, lo=0.5, hi=3))),
    "vandermonde_interp": (vandermonde_interp, {}, lambda s, n: (_knots(s, n), _f(n, seed=s), _u01(s, 9, lo=0.5, hi=3))),
    "natural_cubic_spline": (natural_cubic_spline, {}, lambda s, n: (_knots(s, n), _f(n, seed=s), _u01(s, 11, lo=0.2, hi=3))),
    "thomas_algorithm": (thomas_algorithm, {}, lambda s, n: (_f(n, seed=s), 4 + _f(n, positive=True, seed=s), _f(n, seed=s + 1), _f(n, seed=s + 2))),
    "spline_second_derivs_thomas": (spline_second_derivs_thomas, {}, lambda s, n: (_knots(s, n), _f(n, seed=s))),
    "clamped_spline_banded": (clamped_spline_banded, {}, lambda s, n: (_knots(s, n), _f(n, seed=s))),
    "cubic_hermite": (cubic_hermite, {}, lambda s, n: (_knots(s, n), _f(n, seed=s), _f(n, seed=s + 1), _u01(s, 11, lo=0.3, hi=3))),
    "catmull_rom": (catmull_rom, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "pchip_slopes": (pchip_slopes, {}, lambda s, n: (_knots(s, n), _f(n, seed=s))),
    "bezier_de_casteljau": (bezier_de_casteljau, {}, lambda s, n: (_f(n, 2, seed=s), np.linspace(0, 1, 7))),
    "bernstein_bezier": (bernstein_bezier, {}, lambda s, n: (_f(n, 2, seed=s), np.linspace(0, 1, 7))),
    "bspline_basis": (bspline_basis, {}, lambda s, n: (_u01(s, 9, hi=0.99), np.r_[0, 0, np.linspace(0, 1, n), 1, 1])),
    "chebyshev_nodes": (chebyshev_nodes, {}, lambda s, n: (n, -2.0, 3.0)),
    "chebyshev_interp_runge": (chebyshev_interp_runge, {}, lambda s, n: (n + 5,)),
    "chebyshev_coeffs_dct": (chebyshev_coeffs_dct, {}, lambda s, n: (np.exp(np.cos(np.pi * (np.arange(2 * n) + 0.5) / (2 * n))) + s,)),
    "polyfit_eval": (polyfit_eval, {}, lambda s, n: (np.linspace(-1, 1, 3 * n), _f(3 * n, seed=s))),
    "polynomial_class_fit": (polynomial_class_fit, {}, lambda s, n: (np.linspace(0, 4, 3 * n), _f(3 * n, seed=s))),
    "chebyshev_class_fit": (chebyshev_class_fit, {}, lambda s, n: (np.linspace(-2, 2, 3 * n), _f(3 * n, seed=s))),
    "legendre_fit_eval": (legendre_fit_eval, {}, lambda s, n: (np.linspace(-1, 1, 3 * n), _f(3 * n, seed=s))),
    "polynomial_class_fit_window": (polynomial_class_fit_window, {}, lambda s, n: (np.sort(_u01(s, 3 * n, hi=5)), _f(3 * n, seed=s))),
    "polynomial_values_and_derivatives": (polynomial_values_and_derivatives, {}, lambda s, n: (_f(n, seed=s), _f(7, seed=s + 1))),
    "hermite_gauss_quadrature": (hermite_gauss_quadrature, {}, lambda s, n: (_f(n, seed=s), _f(n, positive=True, seed=s))),
    "gauss_legendre_integrate": (gauss_legendre_integrate, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s) + 1.5)),
    "trapezoid_simpson": (trapezoid_simpson, {}, lambda s, n: (np.linspace(0, 2, 2 * n + 1), np.sin(np.linspace(0, 2, 2 * n + 1)) + s)),
    "cumulative_trapezoid": (cumulative_trapezoid, {}, lambda s, n: (_knots(s, 2 * n), _f(2 * n, seed=s))),
    "romberg_fixed": (romberg_fixed, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s) + 1.0)),
    "idw_interpolation": (idw_interpolation, {}, lambda s, n: (_u01(s, n, 2), _f(n, seed=s), _u01(s + 1, 5, 2))),
    "rbf_interpolation": (rbf_interpolation, {}, lambda s, n: (_u01(s, n, 2), _f(n, seed=s), _u01(s + 1, 5, 2))),
    "grid_lookup_ravel": (grid_lookup_ravel, {}, lambda s, n: (_f(4, 5, seed=s), _u01(s, n, lo=-1, hi=5), _u01(s + 1, n, lo=-1, hi=4))),
    "piecewise_constant_lookup": (piecewise_constant_lookup, {}, lambda s, n: (_knots(s, n), _f(n, seed=s), _u01(s, 9, lo=1.0, hi=3))),
    "linear_extrapolate": (linear_extrapolate, {}, lambda s, n: (_knots(s, n), _f(n, seed=s), _u01(s, 3 * n, lo=-1, hi=6))),
    "inverse_interp_monotone": (inverse_interp_monotone, {}, lambda s, n: (_u01(s, 7, hi=3), _knots(s, n), np.cumsum(_f(n, positive=True, seed=s)))),
    "interp_fill_nans": (interp_fill_nans, {}, lambda s, n: (np.where(np.arange(3 * n) % 3 == 1, np.nan, _f(3 * n, seed=s)),)),
    "akima_weights": (akima_weights, {}, lambda s, n: (_knots(s, n + 1), _f(n + 1, seed=s))),
    "lerp_table_2d": (lerp_table_2d, {}, lambda s, n: (_f(4, 5, seed=s), _u01(s, n), _u01(s + 1, n))),
}

SPECTRAL = {
    "fft_roundtrip": (fft_roundtrip, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "rfft_roundtrip": (rfft_roundtrip, {}, lambda s, n: (_f(2 * n + 1, seed=s),)),
    "fftfreq_shift": (fftfreq_shift, {}, lambda s, n: (_sig(s, 3 * n),)),
    "dominant_frequency": (dominant_frequency, {}, lambda s, n: (_sig(s, 10 * n),)),
    "spectral_derivative": (spectral_derivative, {}, lambda s, n: (np.sin(np.linspace(0, 2 * np.pi, 4 * n, endpoint=False) * s),)),
    "spectral_derivative_rfft": (spectral_derivative_rfft, {}, lambda s, n: (_sig(s, 4 * n + n // 6),)),
    "spectral_derivative_2d": (spectral_derivative_2d, {}, lambda s, n: (_f(n, n + 2, seed=s),)),
    "fft_convolve": (fft_convolve, {}, lambda s, n: (_f(3 * n, seed=s), _f(5, seed=s + 1))),
    "fft_convolve_same": (fft_convolve_same, {}, lambda s, n: (_f(3 * n, seed=s), _f(5, seed=s + 1))),
    "circular_convolution": (circular_convolution, {}, lambda s, n: (_f(3 * n, seed=s), _f(3, seed=s + 1))),
    "circular_conv_loop": (circular_conv_loop, {}, lambda s, n: (_f(2 * n, seed=s), _f(3, seed=s + 1))),
    "fft_cross_correlation": (fft_cross_correlation, {}, lambda s, n: (_sig(s, 4 * n), np.roll(_sig(s, 4 * n), 2))),
    "autocorrelation_fft": (autocorrelation_fft, {}, lambda s, n: (_sig(s, 5 * n),)),
    "fft_convolve_2d": (fft_convolve_2d, {}, lambda s, n: (_f(n, 5, seed=s), _f(3, 3, seed=s + 1))),
    "gaussian_blur_fft": (gaussian_blur_fft, {}, lambda s, n: (_f(n, 2 * n + 1, seed=s),)),
    "power_spectrum_db": (power_spectrum_db, {}, lambda s, n: (_sig(s, 8 * n),)),
    "periodogram": (periodogram, {}, lambda s, n: (_sig(s, 8 * n + n // 6),)),
    "periodogram_boxcar": (periodogram, {"window": "boxcar"}, lambda s, n: (_sig(s, 8 * n),)),
    "welch_by_hand": (welch_by_hand, {}, lambda s, n: (_sig(s, 16 * n),)),
    "welch_strided": (welch_strided, {}, lambda s, n: (_sig(s, 16 * n),)),
    "csd_coherence": (csd_coherence, {}, lambda s, n: (_sig(s, 16 * n), _sig(s + 1, 16 * n))),
    "stft_magnitude": (stft_magnitude, {}, lambda s, n: (_sig(s, 12 * n),)),
    "spectrogram_db": (spectrogram_db, {}, lambda s, n: (_sig(s, 24 * n),)),
    "spectral_poisson_periodic": (spectral_poisson_periodic, {}, lambda s, n: (_f(2 * n, 2 * n, seed=s),)),
    "spectral_poisson_rfft": (spectral_poisson_rfft, {}, lambda s, n: (_f(n, 2 * n, seed=s),)),
    "heat_equation_spectral": (heat_equation_spectral, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "burgers_pseudospectral": (burgers_pseudospectral, {}, lambda s, n: (np.sin(np.linspace(0, 2 * np.pi, 4 * n, endpoint=False)) + 0.1 * _f(4 * n, seed=s),)),
    "fft_lowpass": (fft_lowpass, {}, lambda s, n: (_sig(s, 8 * n),)),
    "fft_bandpass_mask": (fft_bandpass_mask, {}, lambda s, n: (_sig(s, 8 * n),)),
    "hilbert_envelope": (hilbert_envelope, {}, lambda s, n: (_sig(s, 4 * n + n // 6),)),
    "fft_resample": (fft_resample, {}, lambda s, n: (_sig(s, 2 * n),)),
    "zero_padded_spectrum": (zero_padded_spectrum, {}, lambda s, n: (_sig(s, n),)),
    "dft_matrix": (dft_matrix, {}, lambda s, n: (_f(n, seed=s),)),
    "dft_loop": (dft_loop, {}, lambda s, n: (_f(n, seed=s),)),
    "fft_radix2_recursive": (fft_radix2_recursive, {}, lambda s, n: (_f(2 * n if n == 4 else 16, seed=s),)),
    "fft_iterative_bit_reversal": (fft_iterative_bit_reversal, {}, lambda s, n: (_f(2 * n if n == 4 else 16, seed=s),)),
    "fft2_shift_magnitude": (fft2_shift_magnitude, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "radial_power_spectrum": (radial_power_spectrum, {}, lambda s, n: (_f(2 * n, 2 * n, seed=s),)),
    "rfftn_axes": (rfftn_axes, {}, lambda s, n: (_f(n, 4, 3, seed=s),)),
    "fft_norm_modes": (fft_norm_modes, {}, lambda s, n: (_f(n, seed=s),)),
    "parseval_check": (parseval_check, {}, lambda s, n: (_f(n, seed=s),)),
    "fourier_series_fit": (fourier_series_fit, {}, lambda s, n: (np.linspace(0, 2, 8 * n), _sig(s, 8 * n))),
    "chebyshev_dct_fft": (chebyshev_dct_fft, {}, lambda s, n: (np.exp(np.cos(np.pi * np.arange(n + 1) / n)) * s,)),
    "dct2_via_fft": (dct2_via_fft, {}, lambda s, n: (_f(n + n // 6, seed=s),)),
    "window_functions": (window_functions, {}, lambda s, n: (2 * n,)),
    "cepstrum": (cepstrum, {}, lambda s, n: (_sig(s, 4 * n),)),
    "phase_vocoder_shift": (phase_vocoder_shift, {}, lambda s, n: (_sig(s, 4 * n),)),
    "fractional_delay_fft": (fractional_delay_fft, {}, lambda s, n: (_sig(s, 4 * n),)),
    "spectral_entropy": (spectral_entropy, {}, lambda s, n: (_sig(s, 4 * n),)),
}


@pytest.mark.parametrize("name", list(OPTIM))
def test_optimizers_match_numpy(name):
    check_like_numpy(*OPTIM[name])


@pytest.mark.parametrize("name", list(TEST_FUNCTIONS))
def test_optimization_test_functions_match_numpy(name):
    check_like_numpy(*TEST_FUNCTIONS[name])


@pytest.mark.parametrize("name", list(SPECIAL))
def test_special_functions_match_numpy(name):
    check_like_numpy(*SPECIAL[name])


@pytest.mark.parametrize("name", list(DISTRIBUTIONS))
def test_distributions_match_numpy(name):
    check_like_numpy(*DISTRIBUTIONS[name])


@pytest.mark.parametrize("name", list(INTERPOLATION))
def test_interpolation_matches_numpy(name):
    check_like_numpy(*INTERPOLATION[name])


@pytest.mark.parametrize("name", list(SPECTRAL))
def test_spectral_methods_match_numpy(name):
    check_like_numpy(*SPECTRAL[name])


RNG = OPTIM_RNG + DISTRIBUTIONS_RNG


@pytest.mark.parametrize("fn, args", RNG, ids=[f.__name__ for f, _ in RNG])
def test_samplers_and_stochastic_search_with_a_generator_argument(fn, args):
    """Simulated annealing, random and evolutionary search, inverse-CDF, Box-Muller and
    rejection samplers and MCMC draw from the generator they are given: NumPy's draws and values
    over three calls, and the generator left in NumPy's state."""
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn)
    for _ in range(3):
        want_args, got_args = copy.deepcopy(args()), copy.deepcopy(args())
        with np.errstate(all="ignore"):
            want = fn(want_rng, *want_args)
        assert_same(jf(got_rng, *got_args), want, rtol=1e-6)
        for g, w in zip(got_args, want_args):
            assert_same(g, w)
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


REFUSED = {
    "newton_until_converged": (tracenp.errors.ConcretizationError, newton_until_converged,
                               lambda s: (_f(5, positive=True, seed=s) * 5,)),
    "gd_early_stopping": (tracenp.errors.ConcretizationError, gd_early_stopping,
                          lambda s: (_spd(s, 4), _f(4, seed=s))),
    "nelder_mead_python_branches": (tracenp.errors.ConcretizationError, nelder_mead_python_branches,
                                    lambda s: (_f(3, 2, seed=s),)),
    "gammp_elementwise": (tracenp.errors.ConcretizationError, gammp_elementwise,
                          lambda s: (2.5, _u01(s, 5, lo=0.5, hi=6))),
    "rejection_until_accepted": (tracenp.errors.ConcretizationError, rejection_until_accepted,
                                 lambda s: (np.random.default_rng(s),)),
    "polynomial_arithmetic": (tracenp.errors.ConcretizationError, polynomial_arithmetic,
                              lambda s: (_f(3, seed=s), _f(4, seed=s + 1), _f(5, seed=s + 2))),
    "polynomial_convert": (tracenp.errors.UnsupportedFunctionError, polynomial_convert,
                           lambda s: (np.linspace(0, 4, 12), _f(12, seed=s))),
    "polynomial_convert_domain": (tracenp.errors.UnsupportedFunctionError,
                                  polynomial_convert_domain,
                                  lambda s: (np.linspace(0, 4, 12), _f(12, seed=s))),
    "chebyshev_convert_kind": (tracenp.errors.UnsupportedFunctionError, chebyshev_convert_kind,
                               lambda s: (np.linspace(0, 4, 12), _f(12, seed=s))),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_run_under_fallback(name):
    """Python branches and loops on traced values (`while err > tol`, `if norm(g) < tol:
    break`, Nelder-Mead's `if f(xr) < f(best)`, Numerical Recipes' `if x < a + 1`, rejection
    until accepted), `np.polynomial`'s arithmetic, which trims
    trailing zero coefficients by their values, and `.convert()`, which evaluates a series at
    a series (an object array): each raises its named error, and runs eagerly under
    `fallback=True`."""
    check_refused(*REFUSED[name])
