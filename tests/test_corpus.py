"""A corpus of NumPy functions as people write them, under jit against eager NumPy.

Each entry is written the way it appears in public code (neural-network layers, scikit-learn
helpers, physics and finance kernels, NumPy exercises), unmodified for tracenp. Each is called
twice with different data of one shape and once with another shape; value and dtype must
match NumPy every time.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import tracenp
from test_ops import assert_same

# ----------------------------------------------------------------------------- neural networks


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(x):
    m = np.max(x, axis=-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))


def layernorm(x, gamma, beta, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=0)
    xc = x - mu
    var = np.mean(xc ** 2, axis=0)
    std = np.sqrt(var + eps)
    xn = xc / std
    return gamma * xn + beta, (xn, std)


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def relu_mlp(x, w1, w2):
    h = np.maximum(x @ w1, 0)
    return h @ w2


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def cross_entropy(logits, labels):
    p = softmax(logits)
    n = logits.shape[0]
    return -np.log(p[np.arange(n), labels] + 1e-12).mean()


def attention(q, k, v):
    d = q.shape[-1]
    scores = q @ k.swapaxes(-1, -2) / np.sqrt(d)
    mask = np.triu(np.ones((q.shape[-2], k.shape[-2]), dtype=bool), k=1)
    scores = np.where(mask, -1e9, scores)
    return softmax(scores) @ v


def conv2d_einsum(x, w):
    """Valid 2-D convolution (cross-correlation) of NCHW images by stacking shifted windows."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = h - kh + 1, wd - kw + 1
    cols = np.stack([x[:, :, i:i + oh, j:j + ow] for i in range(kh) for j in range(kw)], axis=2)
    cols = cols.reshape(n, c, kh, kw, oh, ow)
    return np.einsum("nckluv,ockl->nouv", cols, w)


def im2col_conv(x, w):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = h - kh + 1, wd - kw + 1
    cols = np.zeros((n, c * kh * kw, oh * ow), dtype=x.dtype)
    idx = 0
    for ci in range(c):
        for i in range(kh):
            for j in range(kw):
                cols[:, idx, :] = x[:, ci, i:i + oh, j:j + ow].reshape(n, -1)
                idx += 1
    out = w.reshape(o, -1) @ cols
    return out.reshape(n, o, oh, ow)


def max_pool_2x2(x):
    n, c, h, w = x.shape
    return x[:, :, :h // 2 * 2, :w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def dropout_given_mask(x, mask, p=0.5):
    return x * mask / (1 - p)


def adam_step(w, g, m, v, t, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    mhat = m / (1 - b1 ** t)
    vhat = v / (1 - b2 ** t)
    return w - lr * mhat / (np.sqrt(vhat) + eps), m, v


# ----------------------------------------------------------------------------- scikit-learn


def euclidean_distances(X, Y):
    XX = np.einsum("ij,ij->i", X, X)[:, np.newaxis]
    YY = np.einsum("ij,ij->i", Y, Y)[np.newaxis, :]
    d = -2 * np.dot(X, Y.T)
    d += XX
    d += YY
    np.maximum(d, 0, out=d)
    return np.sqrt(d)


def standard_scaler(X):
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0.0] = 1.0
    return (X - mean) / scale


def min_max_scale(X, feature_range=(0, 1)):
    data_min, data_max = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
    scale = (feature_range[1] - feature_range[0]) / (data_max - data_min)
    return X * scale + feature_range[0] - data_min * scale


def one_hot(labels, n_classes):
    return (labels[:, None] == np.arange(n_classes)[None, :]).astype(np.float64)


def kmeans_assign(X, centers):
    d = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    labels = d.argmin(axis=1)
    inertia = d[np.arange(X.shape[0]), labels].sum()
    return labels, inertia


def kmeans_update(X, labels, k):
    onehot = (labels[:, None] == np.arange(k)).astype(X.dtype)
    counts = onehot.sum(axis=0)
    return (onehot.T @ X) / np.maximum(counts, 1)[:, None]


def logistic_predict_proba(X, coef, intercept):
    scores = X @ coef.T + intercept
    prob = 1.0 / (1.0 + np.exp(-scores))
    return np.column_stack([1 - prob.ravel(), prob.ravel()])


def pca_svd(X, k):
    Xc = X - X.mean(axis=0)
    U, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    explained = S ** 2 / (X.shape[0] - 1)
    return np.abs(Xc @ Vt[:k].T), explained[:k] / explained.sum()


def ridge_solve(X, y, alpha):
    A = X.T @ X + alpha * np.eye(X.shape[1])
    return np.linalg.solve(A, X.T @ y)


def r2_score(y_true, y_pred):
    ss_res = ((y_true - y_pred) ** 2).sum()
    ss_tot = ((y_true - y_true.mean()) ** 2).sum()
    return 1 - ss_res / ss_tot


def rbf_kernel(X, Y, gamma=0.5):
    d = np.sum(X ** 2, 1)[:, None] + np.sum(Y ** 2, 1)[None, :] - 2 * X @ Y.T
    return np.exp(-gamma * np.clip(d, 0, None))


def cosine_similarity(X, Y):
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    Yn = Y / np.linalg.norm(Y, axis=1, keepdims=True)
    return Xn @ Yn.T


def confusion_counts(y_true, y_pred, k):
    t = y_true[:, None] == np.arange(k)
    p = y_pred[:, None] == np.arange(k)
    return (t[:, :, None] & p[:, None, :]).sum(axis=0)


# ----------------------------------------------------------------------------- physics


def nbody_step(pos, vel, mass, dt, G=1.0, soft=0.1):
    d = pos[None, :, :] - pos[:, None, :]
    r2 = (d ** 2).sum(-1) + soft ** 2
    inv = r2 ** -1.5
    np.fill_diagonal(inv, 0.0)
    acc = G * (d * (inv * mass[None, :])[:, :, None]).sum(axis=1)
    vel = vel + acc * dt
    return pos + vel * dt, vel


def heat_equation(u, alpha, steps):
    u = u.copy()
    for _ in range(steps):
        u[1:-1, 1:-1] = u[1:-1, 1:-1] + alpha * (
            u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2] - 4 * u[1:-1, 1:-1])
    return u


def laplacian(f, h):
    lap = np.zeros_like(f)
    lap[1:-1, 1:-1] = (f[:-2, 1:-1] + f[2:, 1:-1] + f[1:-1, :-2] + f[1:-1, 2:]
                       - 4 * f[1:-1, 1:-1]) / h ** 2
    return lap


def laplacian_roll(f):
    return (np.roll(f, 1, 0) + np.roll(f, -1, 0) + np.roll(f, 1, 1) + np.roll(f, -1, 1) - 4 * f)


def verlet(x, v, dt, steps):
    a = -x
    for _ in range(steps):
        x = x + v * dt + 0.5 * a * dt ** 2
        a_new = -x
        v = v + 0.5 * (a + a_new) * dt
        a = a_new
    return x, v


def mandelbrot(c_re, c_im, iters):
    c = c_re + 1j * c_im
    z = np.zeros_like(c)
    count = np.zeros(c.shape, dtype=np.int64)
    for _ in range(iters):
        z = np.where(np.abs(z) <= 2, z * z + c, z)
        count += np.abs(z) <= 2
    return count


def kinetic_energy(vel, mass):
    return 0.5 * np.sum(mass * np.sum(vel ** 2, axis=1))


def wave_step(u, u_prev, c2):
    lap = np.zeros_like(u)
    lap[1:-1] = u[2:] - 2 * u[1:-1] + u[:-2]
    return 2 * u - u_prev + c2 * lap


def trapezoid_integral(y, dx):
    return dx * (y[..., 1:] + y[..., :-1]).sum(axis=-1) / 2


def rk4_decay(y0, k, dt, steps):
    y = y0
    for _ in range(steps):
        k1 = -k * y
        k2 = -k * (y + dt / 2 * k1)
        k3 = -k * (y + dt / 2 * k2)
        k4 = -k * (y + dt * k3)
        y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y


# ----------------------------------------------------------------------------- finance


def norm_cdf(x):
    """Abramowitz-Stegun 26.2.17, erf-free."""
    a1, a2, a3, a4, a5 = 0.319381530, -0.356563782, 1.781477937, -1.821255978, 1.330274429
    k = 1.0 / (1.0 + 0.2316419 * np.abs(x))
    poly = k * (a1 + k * (a2 + k * (a3 + k * (a4 + k * a5))))
    w = 1.0 - np.exp(-x * x / 2) / np.sqrt(2 * np.pi) * poly
    return np.where(x < 0, 1.0 - w, w)


def black_scholes(S, K, T, r, sigma):
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    call = S * norm_cdf(d1) - K * np.exp(-r * T) * norm_cdf(d2)
    put = K * np.exp(-r * T) * norm_cdf(-d2) - S * norm_cdf(-d1)
    return call, put


def monte_carlo_paths(s0, mu, sigma, dt, normals):
    increments = (mu - 0.5 * sigma ** 2) * dt + sigma * np.sqrt(dt) * normals
    log_paths = np.cumsum(increments, axis=1)
    paths = s0 * np.exp(log_paths)
    payoff = np.maximum(paths[:, -1] - s0, 0)
    return paths, payoff.mean(), payoff.std(ddof=1) / np.sqrt(len(payoff))


def ewma(x, alpha, n):
    out = np.empty(n)
    out[0] = x[0]
    for t in range(1, n):
        out[t] = alpha * x[t] + (1 - alpha) * out[t - 1]
    return out


def max_drawdown(prices):
    peak = np.maximum.accumulate(prices)
    dd = (prices - peak) / peak
    return dd.min(), dd


def log_returns(prices):
    return np.diff(np.log(prices), axis=0)


def simple_returns(prices):
    return prices[1:] / prices[:-1] - 1


def sharpe_ratio(returns, rf=0.0, periods=252):
    ex = returns - rf / periods
    return np.sqrt(periods) * ex.mean(axis=0) / ex.std(axis=0, ddof=1)


def portfolio_variance(w, cov):
    return w @ cov @ w


def rolling_volatility(r, window):
    c1 = np.cumsum(np.insert(r, 0, 0.0))
    c2 = np.cumsum(np.insert(r ** 2, 0, 0.0))
    s1 = c1[window:] - c1[:-window]
    s2 = c2[window:] - c2[:-window]
    return np.sqrt(np.maximum(s2 / window - (s1 / window) ** 2, 0))


def vwap(price, volume):
    return np.cumsum(price * volume) / np.cumsum(volume)


# ----------------------------------------------------------------------------- exercises


def moving_average(a, n=3):
    ret = np.cumsum(a, dtype=float)
    ret[n:] = ret[n:] - ret[:-n]
    return ret[n - 1:] / n


def normalize_rows(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def pairwise_distances(X):
    return np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))


def horner(coeffs, x):
    result = np.zeros_like(x)
    for c in coeffs:
        result = result * x + c
    return result


def rolling_window_mean(a, w):
    return np.stack([a[i:len(a) - w + i + 1] for i in range(w)]).mean(axis=0)


def running_stats(x):
    n = np.arange(1, len(x) + 1)
    mean = np.cumsum(x) / n
    var = np.cumsum(x ** 2) / n - mean ** 2
    return mean, var


def zscore_clip(x, k=2.0):
    z = (x - x.mean()) / x.std()
    return np.clip(z, -k, k)


def outer_sum(a, b):
    return np.add.outer(a, b)


def checkerboard(n):
    z = np.zeros((n, n), dtype=int)
    z[1::2, ::2] = 1
    z[::2, 1::2] = 1
    return z


def nearest_value(a, v):
    return a.flat[np.abs(a - v).argmin()]


def replace_max(x):
    y = x.copy()
    y[np.arange(len(y)), y.argmax(axis=1)] = 0
    return y


def smooth_clip(x, lo, hi):
    return np.minimum(np.maximum(x, lo), hi) + 0.01 * np.tanh(x)


def polynomial_features(x):
    return np.stack([np.ones_like(x), x, x ** 2, x ** 3], axis=-1)


def cumulative_mean_rows(x):
    return np.cumsum(x, axis=1) / np.arange(1, x.shape[1] + 1)


def distance_matrix_argsort(X):
    d = pairwise_distances(X)
    return np.argsort(d, axis=1, kind="stable")[:, 1]


def swap_rows(x):
    y = x.copy()
    y[[0, 1]] = y[[1, 0]]
    return y


def matrix_power_chain(a):
    return np.linalg.matrix_power(a, 3) - a @ a @ a


def gram_schmidt_like(A):
    q0 = A[:, 0] / np.linalg.norm(A[:, 0])
    v1 = A[:, 1] - (q0 @ A[:, 1]) * q0
    q1 = v1 / np.linalg.norm(v1)
    return np.column_stack([q0, q1])


def interp_resample(x, y, n):
    xs = np.linspace(x.min(), x.max(), n)
    return np.interp(xs, x, y)


def histogram_counts(x):
    counts, edges = np.histogram(x, bins=5, range=(-3, 3))
    return counts, edges


def percentile_clip(x):
    lo, hi = np.percentile(x, [5, 95])
    return np.clip(x, lo, hi)


def median_filter_1d(x):
    windows = np.stack([x[:-2], x[1:-1], x[2:]])
    return np.median(windows, axis=0)


# ----------------------------------------------------------------------------- the table

def _f(*shape, seed=0, positive=False):
    r = np.random.default_rng(seed)
    return r.uniform(0.5, 2.0, shape) if positive else r.standard_normal(shape)


def _i(hi, *shape, seed=0):
    return np.random.default_rng(seed).integers(0, hi, shape)


# name: (function, static keyword arguments, args for (seed, size) -> tuple)
CORPUS = {
    "softmax": (softmax, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "log_softmax": (log_softmax, {}, lambda s, n: (_f(n, 5, seed=s) * 10,)),
    "layernorm": (layernorm, {}, lambda s, n: (_f(n, 8, seed=s), _f(8, seed=s + 1),
                                               _f(8, seed=s + 2))),
    "batchnorm_forward": (batchnorm_forward, {}, lambda s, n: (_f(n, 4, seed=s), _f(4), _f(4))),
    "gelu": (gelu, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "relu_mlp": (relu_mlp, {}, lambda s, n: (_f(n, 4, seed=s), _f(4, 6), _f(6, 2))),
    "sigmoid": (sigmoid, {}, lambda s, n: (_f(n, seed=s) * 5,)),
    "cross_entropy": (cross_entropy, {}, lambda s, n: (_f(n, 4, seed=s), _i(4, n, seed=s))),
    "attention": (attention, {}, lambda s, n: (_f(2, n, 4, seed=s), _f(2, n, 4, seed=s + 1),
                                               _f(2, n, 4, seed=s + 2))),
    "conv2d_einsum": (conv2d_einsum, {}, lambda s, n: (_f(2, 3, n + 2, 5, seed=s),
                                                       _f(4, 3, 2, 2, seed=s + 1))),
    "im2col_conv": (im2col_conv, {}, lambda s, n: (_f(2, 2, n + 2, 4, seed=s),
                                                   _f(3, 2, 2, 2, seed=s + 1))),
    "max_pool_2x2": (max_pool_2x2, {}, lambda s, n: (_f(1, 2, n + 1, 4, seed=s),)),
    "dropout_given_mask": (dropout_given_mask, {},
                           lambda s, n: (_f(n, 3, seed=s), _i(2, n, 3, seed=s).astype(bool))),
    "adam_step": (adam_step, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1), _f(n) * 0.1,
                                               _f(n, positive=True) * 0.01, s + 1)),
    "euclidean_distances": (euclidean_distances, {}, lambda s, n: (_f(n, 3, seed=s),
                                                                   _f(4, 3, seed=s + 1))),
    "standard_scaler": (standard_scaler, {}, lambda s, n: (np.column_stack(
        [_f(n, 2, seed=s), np.ones(n)]),)),
    "min_max_scale": (min_max_scale, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "one_hot": (one_hot, {"n_classes": 5}, lambda s, n: (_i(5, n, seed=s),)),
    "kmeans_assign": (kmeans_assign, {}, lambda s, n: (_f(n, 2, seed=s), _f(3, 2, seed=9))),
    "kmeans_update": (kmeans_update, {"k": 3}, lambda s, n: (_f(n, 2, seed=s), _i(3, n, seed=s))),
    "logistic_predict_proba": (logistic_predict_proba, {},
                               lambda s, n: (_f(n, 3, seed=s), _f(1, 3), _f(1))),
    "pca_svd": (pca_svd, {"k": 2}, lambda s, n: (_f(n + 3, 4, seed=s),)),
    "ridge_solve": (ridge_solve, {}, lambda s, n: (_f(n + 3, 3, seed=s), _f(n + 3, seed=s), 0.5)),
    "r2_score": (r2_score, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "rbf_kernel": (rbf_kernel, {}, lambda s, n: (_f(n, 2, seed=s), _f(3, 2))),
    "cosine_similarity": (cosine_similarity, {}, lambda s, n: (_f(n, 3, seed=s), _f(2, 3))),
    "confusion_counts": (confusion_counts, {"k": 3}, lambda s, n: (_i(3, n, seed=s),
                                                                   _i(3, n, seed=s + 1))),
    "nbody_step": (nbody_step, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1),
                                                 _f(n, positive=True), 0.01)),
    "heat_equation": (heat_equation, {"steps": 5}, lambda s, n: (_f(n + 3, 6, seed=s), 0.1)),
    "laplacian": (laplacian, {}, lambda s, n: (_f(n + 2, 5, seed=s), 0.5)),
    "laplacian_roll": (laplacian_roll, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "verlet": (verlet, {"steps": 10}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1), 0.05)),
    "mandelbrot": (mandelbrot, {"iters": 12}, lambda s, n: (_f(n, 6, seed=s), _f(n, 6, seed=s + 1))),
    "kinetic_energy": (kinetic_energy, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, positive=True))),
    "wave_step": (wave_step, {}, lambda s, n: (_f(n + 2, seed=s), _f(n + 2, seed=s + 1), 0.25)),
    "trapezoid_integral": (trapezoid_integral, {}, lambda s, n: (_f(3, n + 1, seed=s), 0.1)),
    "rk4_decay": (rk4_decay, {"steps": 8}, lambda s, n: (_f(n, positive=True, seed=s), 0.7, 0.1)),
    "black_scholes": (black_scholes, {}, lambda s, n: (
        _f(n, positive=True, seed=s) * 100, _f(n, positive=True, seed=s + 1) * 100,
        _f(n, positive=True, seed=s + 2), 0.02, _f(n, positive=True, seed=s + 3) * 0.2)),
    "monte_carlo_paths": (monte_carlo_paths, {}, lambda s, n: (100.0, 0.05, 0.2, 1 / 252,
                                                               _f(n, 10, seed=s))),
    "ewma": (ewma, {"n": 6}, lambda s, n: (_f(6 + n, seed=s), 0.3)),
    "max_drawdown": (max_drawdown, {}, lambda s, n: (np.exp(np.cumsum(_f(n + 4, seed=s) * .1)),)),
    "log_returns": (log_returns, {}, lambda s, n: (_f(n + 2, 3, positive=True, seed=s),)),
    "simple_returns": (simple_returns, {}, lambda s, n: (_f(n + 2, positive=True, seed=s),)),
    "sharpe_ratio": (sharpe_ratio, {}, lambda s, n: (_f(n + 3, 2, seed=s) * 0.01,)),
    "portfolio_variance": (portfolio_variance, {}, lambda s, n: (
        _f(n, positive=True, seed=s), np.cov(_f(n, 20, seed=s)))),
    "rolling_volatility": (rolling_volatility, {"window": 3}, lambda s, n: (_f(n + 5, seed=s),)),
    "vwap": (vwap, {}, lambda s, n: (_f(n, positive=True, seed=s), _i(100, n, seed=s) + 1)),
    "moving_average": (moving_average, {}, lambda s, n: (_i(10, n + 4, seed=s),)),
    "normalize_rows": (normalize_rows, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "pairwise_distances": (pairwise_distances, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "horner": (horner, {}, lambda s, n: ([1.0, -2.0, 0.5], _f(n, seed=s))),
    "rolling_window_mean": (rolling_window_mean, {"w": 3}, lambda s, n: (_f(n + 4, seed=s),)),
    "running_stats": (running_stats, {}, lambda s, n: (_f(n, seed=s),)),
    "zscore_clip": (zscore_clip, {}, lambda s, n: (_f(n, 4, seed=s) * 3,)),
    "outer_sum": (outer_sum, {}, lambda s, n: (_f(n, seed=s), _f(3, seed=s + 1))),
    "checkerboard": (checkerboard, {"n": 5}, lambda s, n: ()),
    "nearest_value": (nearest_value, {}, lambda s, n: (_f(n, 3, seed=s), 0.3)),
    "replace_max": (replace_max, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "smooth_clip": (smooth_clip, {}, lambda s, n: (_f(n, seed=s) * 3, -1, 1.5)),
    "polynomial_features": (polynomial_features, {}, lambda s, n: (_f(n, seed=s),)),
    "cumulative_mean_rows": (cumulative_mean_rows, {}, lambda s, n: (_i(9, 3, n, seed=s),)),
    "distance_matrix_argsort": (distance_matrix_argsort, {}, lambda s, n: (_f(n + 2, 2, seed=s),)),
    "swap_rows": (swap_rows, {}, lambda s, n: (_f(n + 1, 3, seed=s),)),
    "matrix_power_chain": (matrix_power_chain, {}, lambda s, n: (_f(n, n, seed=s),)),
    "gram_schmidt_like": (gram_schmidt_like, {}, lambda s, n: (_f(n + 2, 2, seed=s),)),
    "interp_resample": (interp_resample, {"n": 7}, lambda s, n: (np.sort(_f(n + 2, seed=s)),
                                                                 _f(n + 2, seed=s + 1))),
    "histogram_counts": (histogram_counts, {}, lambda s, n: (_f(n * 5, seed=s),)),
    "percentile_clip": (percentile_clip, {}, lambda s, n: (_f(n * 4, seed=s),)),
    "median_filter_1d": (median_filter_1d, {}, lambda s, n: (_f(n + 3, seed=s),)),
}


def check_against_numpy(fn, static: dict, make_args) -> None:
    """`jit(fn)` called twice with one shape and once with another gives NumPy's values and
    dtypes (arguments NumPy mutates are copied for it), with at most two traces."""
    jf = tracenp.jit(fn, static_argnames=tuple(static))
    for seed, size in ((1, 4), (2, 4), (3, 6)):
        args = make_args(seed, size)
        want = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args], **static)
        got = jf(*args, **static)
        assert_same(got, want, rtol=1e-5)
    assert jf.cache_info().misses <= 2


@pytest.mark.parametrize("name", list(CORPUS))
def test_corpus_function_matches_numpy(name):
    check_against_numpy(*CORPUS[name])


def check_like_numpy(fn, static: dict, make_args) -> None:
    """The corpus protocol with writes: NumPy's values and dtypes for two shapes (at most two
    traces), and the arguments written in place (arrays, and the arrays inside dicts and
    lists) hold NumPy's values afterwards. `make_args(seed, size)` makes the arguments."""
    jf = tracenp.jit(fn, static_argnames=tuple(static))
    for seed, size in ((1, 4), (2, 4), (3, 6)):
        args = make_args(seed, size)
        want_args, got_args = copy.deepcopy(args), copy.deepcopy(args)
        with np.errstate(all="ignore"):
            want = fn(*want_args, **static)
        assert_same(jf(*got_args, **static), want, rtol=1e-5)
        for got_arg, want_arg in zip(got_args, want_args):
            if isinstance(want_arg, (np.ndarray, dict, list)):
                assert_same(got_arg, want_arg, rtol=1e-5)
    assert jf.cache_info().misses <= 2


def check_refused(error: type, fn, make_args) -> None:
    """A documented refusal: the named error under `jit`; under `fallback=True` NumPy's values,
    with one `TracingFallbackWarning` on the first call. `make_args(seed)` makes arguments."""
    with pytest.raises(error):
        tracenp.jit(fn)(*make_args(1))
    jf = tracenp.jit(fn, fallback=True)
    with pytest.warns(tracenp.TracingFallbackWarning) as record:
        assert_same(jf(*make_args(1)), fn(*make_args(1)))
    assert sum(issubclass(w.category, tracenp.TracingFallbackWarning) for w in record) == 1
    assert_same(jf(*make_args(2)), fn(*make_args(2)))


def check_steered(fn, make_args) -> None:
    """A form `jit` refused until it made static the Python scalar arguments whose values the
    function's Python needs (`range(n)`, `while abs(b - a) > tol` of float arguments): NumPy's
    values for two sets of arguments. `make_args(seed)` makes them."""
    jf = tracenp.jit(fn)
    for seed in (1, 2, 1):
        want_args, got_args = copy.deepcopy(make_args(seed)), copy.deepcopy(make_args(seed))
        with np.errstate(all="ignore"):
            want = fn(*want_args)
        assert_same(jf(*got_args), want, rtol=1e-5)
