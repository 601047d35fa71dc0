"""Gradient hunt R: training code as public NumPy model code writes it, differentiated with
`tracenp.grad`, `value_and_grad` and `vjp`, plain and under `jit`.

Regression losses (ridge, lasso, Huber, quantile, Tweedie, Poisson and gamma deviances),
classification (softmax cross-entropy with integer labels by fancy indexing, multiclass hinge,
focal, ordinal, dice), divergences (KL, JS, Rényi, MMD, sliced Wasserstein by `np.sort`),
probabilistic models (heteroscedastic and Student-t likelihoods, mixture density networks, GMMs by
logsumexp, VAEs and IWAE with the reparameterized noise as an argument, planar flows, GP marginal
likelihoods by `np.linalg.cholesky`/`solve`/`slogdet`, HMM forward and Kalman filter loops),
models (MLPs over lists of `(W, b)` tuples and dicts keyed by f-strings, norms, attention with
boolean and additive masks, conv by `sliding_window_view`/`einsum`, RNN/GRU/LSTM unrolled in Python
loops, mixture of experts, graph convolutions and message passing by `np.add.at`, matrix
factorization, word2vec, TransE), physics energies whose gradient is a force (springs,
Lennard-Jones, Morse, Coulomb, angles, XY model, elastic rods), optimization test functions,
linear algebra in losses (`norm`, `det`, `inv`, `eigh`, power iteration, matrix square roots) and
order statistics and kinks (`np.maximum`/`np.minimum`/`np.clip`/`np.sort`/`np.max`, PPO's clipped
objective, CVaR, trimmed means, Lovász hinge).

Every case checks the value against eager NumPy (and its dtype), the gradient of
`value_and_grad`, `jit(value_and_grad)`, `grad` and `vjp` against float64 central finite
differences leaf by leaf, and the gradient's structure (dicts, lists, tuples), shapes and dtypes
against the differentiated arguments. Points are drawn away from kinks; at kinks the conventions
are JAX's and autograd's (`tests/test_grad_hunt_j.py`, docs/autodiff.md): `np.maximum`/`np.minimum`
split a tie evenly, `np.abs` and `np.sign` have 0 at 0, `np.max` shares among tied maxima, `np.sort`
follows its permutation, and `np.where` gives the untaken branch a zero cotangent. Some cases are
also checked against their closed form (forces, ridge, logistic, GP, Rosenbrock).
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import tracenp
from tracenp import pytree
from test_corpus import check_refused
from test_grad_hunt_j import numeric_grads

rng = np.random.default_rng(2026)


def normal(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def uniform(lo, hi, *shape):
    return rng.uniform(lo, hi, shape)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softplus(x):
    return np.logaddexp(0.0, x)


def logsumexp(a, axis=None, keepdims=False):
    m = np.max(a, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def assert_grads_close(got, want, rtol=1e-5):
    scale = max(1.0, float(np.abs(want).max(initial=0)))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-6 * scale)


def assert_tree_like(g, arg, numeric=None):
    """`g` has the structure, leaf shapes and dtypes of `arg` (and the numeric leaves' values)."""
    got_leaves, got_tree = pytree.flatten(g)
    arg_leaves, arg_tree = pytree.flatten(arg)
    assert got_tree == arg_tree, (got_tree, arg_tree)
    for k, (got, leaf) in enumerate(zip(got_leaves, arg_leaves)):
        assert np.shape(got) == np.shape(leaf)
        if type(leaf) is float:
            assert type(got) is float, type(got)
        else:
            assert np.asarray(got).dtype == np.asarray(leaf).dtype
        if numeric is not None:
            assert_grads_close(got, numeric[k])


def check_grads(fn, args, argnums=0):
    """Value (and dtype) against eager NumPy; the gradients of `value_and_grad`,
    `jit(value_and_grad)`, `grad` and `vjp` (under `jit`) against finite differences, with the
    structure and dtypes of the differentiated arguments; and the arguments afterwards as
    NumPy's call leaves them (each transform gets its own copy)."""
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    want_args = copy.deepcopy(args)
    want = fn(*want_args)
    numeric = numeric_grads(fn, args, nums)

    def same_writes(got_args):  # (computed values written, as `tanh`'s: within its ulps)
        for a, b in zip(pytree.flatten(got_args)[0], pytree.flatten(want_args)[0]):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)

    vg = tracenp.value_and_grad(fn, argnums)
    for transform in (vg, tracenp.jit(vg)):
        got_args = copy.deepcopy(args)
        value, g = transform(*got_args)
        np.testing.assert_allclose(value, want, rtol=1e-9, atol=1e-12)
        assert np.asarray(value).dtype == np.asarray(want).dtype
        per_arg = (g,) if isinstance(argnums, int) else g
        assert isinstance(per_arg, tuple) and len(per_arg) == len(nums)
        for i, gi, num in zip(nums, per_arg, numeric):
            assert_tree_like(gi, args[i], num)
        same_writes(got_args)
    got_args = copy.deepcopy(args)
    g = tracenp.grad(fn, argnums)(*got_args)
    for i, gi, num in zip(nums, (g,) if isinstance(argnums, int) else g, numeric):
        assert_tree_like(gi, args[i], num)
    same_writes(got_args)

    def pulled(*a):  # `vjp` of a closure over the other arguments, traced under `jit`
        def of_differentiated(*diff):
            full = list(a)
            for i, d in zip(nums, diff):
                full[i] = d
            return fn(*full)

        value, pull = tracenp.vjp(of_differentiated, *(a[i] for i in nums))
        return value, pull(np.full(np.shape(value), 2.0) if np.shape(value) else 2.0)

    got_args = copy.deepcopy(args)
    value, cts = tracenp.jit(pulled)(*got_args)
    np.testing.assert_allclose(value, want, rtol=1e-9, atol=1e-12)
    for i, gi, num in zip(nums, cts, numeric):
        assert_tree_like(gi, args[i], [2 * n for n in num])
    same_writes(got_args)


def table():
    """A domain's cases, `name -> (fn, args, argnums)`, filled by the returned `case`."""
    cases: dict[str, tuple] = {}

    def case(name, fn, *args, argnums=0):
        assert name not in cases, name
        cases[name] = (fn, args, argnums)
    return cases, case


N, D, K = 10, 3, 4
X, Y = normal(N, D), normal(N)
Y01 = (rng.random(N) > 0.5).astype(float)
YPM = np.where(Y01 > 0, 1, -1)
LABELS = rng.integers(0, K, N)
W, WK = normal(D), normal(D, K)
COUNTS = rng.poisson(3, N)
POS = rng.random(N) + 0.5

# ----------------------------------------------------------------------------- regression

REGRESSION, case = table()


def ridge(w, X, y, lam=0.1):
    r = X.dot(w) - y
    return r.dot(r) / len(y) + lam * w.dot(w)


def ridge_with_intercept(theta, X, y, alpha=0.5):
    w, b = theta[1:], theta[0]
    pred = X @ w + b
    return 0.5 * np.sum((pred - y) ** 2) + 0.5 * alpha * np.sum(w ** 2)


def lasso(w, X, y, lam=0.3):
    n = X.shape[0]
    return (1.0 / (2 * n)) * np.linalg.norm(y - X @ w) ** 2 + lam * np.abs(w).sum()


def elastic_net(params, X, y, l1_ratio=0.5, alpha=0.1):
    coef, icpt = params["coef"], params["intercept"]
    r = y - X @ coef - icpt
    penalty = alpha * (l1_ratio * np.sum(np.abs(coef)) + 0.5 * (1 - l1_ratio) * coef @ coef)
    return 0.5 * np.mean(r ** 2) + penalty


def huber_loop(w, X, y, delta=0.8):
    total = 0.0
    for i in range(len(y)):
        r = y[i] - X[i] @ w
        if_small = np.abs(r) <= delta
        total = total + np.where(if_small, 0.5 * r * r, delta * np.abs(r) - 0.5 * delta ** 2)
    return total / len(y)


def huber_masks(w, X, y, eps=1.0):
    r = np.abs(X @ w - y)
    small = r < eps
    loss = np.zeros_like(r)
    loss[small] = 0.5 * r[small] ** 2
    loss[~small] = eps * r[~small] - 0.5 * eps ** 2
    return loss.mean()


def pseudo_huber(w, X, y, delta=1.5):
    r = X @ w - y
    return np.sum(delta ** 2 * (np.sqrt(1 + (r / delta) ** 2) - 1))


def quantile_loss(w, X, y, q=0.7):
    e = y - X @ w
    return np.mean(np.maximum(q * e, (q - 1) * e))


def pinball_where(w, X, y, taus=(0.1, 0.5, 0.9)):
    pred = X @ w
    out = []
    for tau in taus:
        e = y - pred
        out.append(np.where(e >= 0, tau * e, (tau - 1) * e).mean())
    return sum(out)


def multi_quantile(W, X, y):
    taus = np.array([0.1, 0.5, 0.9])
    e = y[:, None] - X @ W
    return np.sum(np.mean(e * (taus - (e < 0)), axis=0))


def smooth_l1(w, X, y, beta=0.5):
    d = np.abs(X @ w - y)
    return np.sum(np.where(d < beta, 0.5 * d ** 2 / beta, d - 0.5 * beta))


def epsilon_insensitive(w, X, y, eps=0.3):
    return np.mean(np.maximum(0, np.abs(y - X @ w) - eps)) + 0.5 * np.dot(w, w)


def cauchy_loss(w, X, y, c=1.0):
    r = (X @ w - y) / c
    return np.sum(c ** 2 / 2 * np.log1p(r ** 2))


def tukey_biweight(w, X, y, c=4.685):
    r = X @ w - y
    inside = (c ** 2 / 6) * (1 - (1 - (r / c) ** 2) ** 3)
    return np.sum(np.where(np.abs(r) <= c, inside, c ** 2 / 6))


def weighted_mse(w, X, y, sample_weight):
    r = X @ w - y
    return np.average(r ** 2, weights=sample_weight)


def poisson_deviance_log_link(w, X, counts):
    mu = np.exp(X @ w)
    y = counts.astype(float)
    term = np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu), 0.0)
    return 2 * np.sum(term - (y - mu))


def poisson_offset(beta, X, y, exposure):
    eta = X @ beta + np.log(exposure)
    return -np.sum(y * eta - np.exp(eta))


def gamma_deviance(w, X, y):
    mu = np.exp(X @ w)
    return 2 * np.mean(-np.log(y / mu) + (y - mu) / mu)


def tweedie_loss(w, X, y, p=1.5):
    mu = np.exp(X @ w)
    return np.mean(-y * mu ** (1 - p) / (1 - p) + mu ** (2 - p) / (2 - p))


def negative_binomial_nll(params, X, y):
    beta, log_alpha = params
    mu = np.exp(X @ beta)
    alpha = np.exp(log_alpha)
    r = 1 / alpha
    return -np.sum(y * np.log(mu / (mu + r)) + r * np.log(r / (r + mu)))


def log_normal_nll(params, y):
    mu, log_s = params["mu"], params["log_s"]
    z = (np.log(y) - mu) / np.exp(log_s)
    return np.sum(np.log(y) + log_s + 0.5 * z ** 2 + 0.5 * np.log(2 * np.pi))


def polynomial_features_fit(c, x, y, degree=4):
    V = np.vander(x, degree + 1, increasing=True)
    return np.mean((V @ c - y) ** 2)


def polyfit_powers_loop(coefs, x, y):
    pred = np.zeros_like(x)
    for k, c in enumerate(coefs):
        pred += c * x ** k
    return np.sum((pred - y) ** 2)


def exponential_decay_fit(theta, t, y):
    a, k, c = theta
    return np.sum((a * np.exp(-k * t) + c - y) ** 2)


def logistic_growth_fit(theta, t, y):
    K_, r, t0 = theta[0], theta[1], theta[2]
    pred = K_ / (1 + np.exp(-r * (t - t0)))
    return ((pred - y) ** 2).sum()


def michaelis_menten(params, s, v):
    vmax, km = params
    return np.sum((vmax * s / (km + s) - v) ** 2)


def sinusoid_fit(p, t, y):
    amp, freq, phase, off = p
    return np.mean((amp * np.sin(2 * np.pi * freq * t + phase) + off - y) ** 2)


def total_least_squares(w, X, y):
    r = X @ w - y
    return np.sum(r ** 2) / (1 + w @ w)


def isotonic_penalty(f, y, lam=10.0):
    return np.sum((f - y) ** 2) + lam * np.sum(np.maximum(0, f[:-1] - f[1:]) ** 2)


def kernel_ridge_objective(alpha, K_, y, lam=0.1):
    f = K_ @ alpha
    return np.sum((y - f) ** 2) + lam * alpha @ K_ @ alpha


def hyperparameter_ridge(log_lam, X, y, Xv, yv):
    lam = np.exp(log_lam)
    w = np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)
    return np.mean((Xv @ w - yv) ** 2)


KMAT = X @ X.T + np.eye(N)
T = np.linspace(0, 3, N)
case("ridge_dot", ridge, W, X, Y)
case("ridge_theta_slices", ridge_with_intercept, normal(D + 1), X, Y)
case("lasso_norm_squared", lasso, W, X, Y)
case("elastic_net_dict", elastic_net, {"coef": W, "intercept": 0.3}, X, Y)
case("huber_python_loop", huber_loop, W, X, Y)
case("huber_boolean_mask_writes", huber_masks, W, X, Y)
case("pseudo_huber", pseudo_huber, W, X, Y)
case("quantile_maximum", quantile_loss, W, X, Y)
case("pinball_tuple_of_taus", pinball_where, W, X, Y)
case("multi_quantile_bool_arith", multi_quantile, normal(D, 3), X, Y)
case("smooth_l1", smooth_l1, W, X, Y)
case("epsilon_insensitive_svr", epsilon_insensitive, W, X, Y)
case("cauchy_log1p", cauchy_loss, W, X, Y)
case("tukey_biweight", tukey_biweight, W, X, 3 * Y)
case("weighted_mse_average", weighted_mse, W, X, Y, POS)
case("weighted_mse_weights_grad", weighted_mse, W, X, Y, POS, argnums=(0, 3))
case("poisson_deviance_int_counts", poisson_deviance_log_link, normal(D, scale=0.3), X, COUNTS)
case("poisson_offset_exposure", poisson_offset, normal(D, scale=0.3), X, COUNTS, POS)
case("gamma_deviance", gamma_deviance, normal(D, scale=0.3), X, POS)
case("tweedie", tweedie_loss, normal(D, scale=0.3), X, COUNTS.astype(float))
case("negative_binomial_tuple", negative_binomial_nll, (normal(D, scale=0.3), np.float64(-0.5)),
     X, COUNTS)
case("log_normal_dict", log_normal_nll, {"mu": normal(N), "log_s": normal(N, scale=0.2)}, POS)
case("vander_polynomial", polynomial_features_fit, normal(5), uniform(-1, 1, N), Y)
case("powers_enumerate_loop", polyfit_powers_loop, [0.1, -0.3, 0.2], uniform(-1, 1, N), Y)
case("exp_decay_unpack", exponential_decay_fit, np.array([2.0, 0.7, 0.1]), T, np.exp(-T))
case("logistic_growth", logistic_growth_fit, np.array([3.0, 1.2, 1.5]), T, 3 * sigmoid(T - 1))
case("michaelis_menten_tuple", michaelis_menten, (np.float64(2.0), np.float64(0.5)), POS, POS / 2)
case("sinusoid_fit", sinusoid_fit, np.array([1.0, 0.3, 0.2, 0.1]), T, np.sin(T))
case("total_least_squares", total_least_squares, W, X, Y)
case("isotonic_penalty", isotonic_penalty, np.sort(normal(N)) + normal(N, scale=0.3), Y)
case("kernel_ridge", kernel_ridge_objective, normal(N), KMAT, Y)
case("ridge_hyperparameter_through_solve", hyperparameter_ridge, np.float64(-1.0), X, Y,
     normal(6, D), normal(6))

# ----------------------------------------------------------------------------- classification

CLASSIFICATION, case = table()


def softmax_ce_fancy(W, X, y):
    scores = X @ W
    scores -= np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
    return -np.sum(np.log(probs[range(len(y)), y])) / len(y)


def softmax_ce_loop(W, X, y):
    loss = 0.0
    for i in range(X.shape[0]):
        s = X[i].dot(W)
        s = s - s.max()
        loss += -s[y[i]] + np.log(np.sum(np.exp(s)))
    return loss / X.shape[0]


def softmax_ce_dict(params, X, y, reg=1e-2):
    logits = X @ params["W"] + params["b"]
    logp = log_softmax(logits)
    nll = -logp[np.arange(len(y)), y].mean()
    return nll + reg * np.sum(params["W"] * params["W"])


def ce_onehot_eye_index(W, X, y):
    Y = np.eye(W.shape[1])[y]
    p = np.exp(log_softmax(X @ W))
    return -np.sum(Y * np.log(p + 1e-12)) / len(X)


def ce_onehot_zeros_setitem(W, X, y):
    Y = np.zeros((len(y), W.shape[1]))
    Y[np.arange(len(y)), y] = 1
    return -np.mean(np.sum(Y * log_softmax(X @ W), axis=1))


def ce_temperature(W, X, y, T=2.5):
    return -np.mean(log_softmax(X @ W / T)[np.arange(len(y)), y])


def ce_class_weights(W, X, y, cw):
    logp = log_softmax(X @ W)
    w = cw[y]
    return -np.sum(w * logp[np.arange(len(y)), y]) / np.sum(w)


def ce_ignore_index(W, X, y):
    y = y.copy()
    y[::3] = -100
    valid = y != -100
    safe = np.where(valid, y, 0)
    nll = -np.take_along_axis(log_softmax(X @ W), safe[:, None], axis=1)[:, 0]
    return np.sum(nll * valid) / valid.sum()


def multiclass_hinge_cs231n(W, X, y, delta=1.0):
    scores = X.dot(W)
    correct = scores[np.arange(X.shape[0]), y]
    margins = np.maximum(0, scores - correct[:, np.newaxis] + delta)
    margins[np.arange(X.shape[0]), y] = 0
    return np.sum(margins) / X.shape[0] + 0.5 * np.sum(W * W)


def multiclass_hinge_loops(W, X, y):
    loss = 0.0
    num_classes = W.shape[1]
    for i in range(X.shape[0]):
        scores = X[i] @ W
        correct = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            loss = loss + np.maximum(0.0, scores[j] - correct + 1)
    return loss / X.shape[0]


def crammer_singer(W, X, y):
    s = X @ W
    n = np.arange(len(y))
    correct = s[n, y]
    s_other = s.copy()
    s_other[n, y] = -np.inf
    return np.mean(np.maximum(0, 1 + s_other.max(axis=1) - correct))


def binary_hinge(params, X, y, C=1.0):
    w, b = params
    return 0.5 * np.dot(w, w) + C * np.sum(np.maximum(0, 1 - y * (X @ w + b)))


def smoothed_hinge(w, X, y):
    z = y * (X @ w)
    return np.mean(np.where(z >= 1, 0.0, np.where(z <= 0, 0.5 - z, 0.5 * (1 - z) ** 2)))


def modified_huber(w, X, y):
    z = y * (X @ w)
    return np.mean(np.where(z >= -1, np.maximum(0, 1 - z) ** 2, -4 * z))


def focal_multiclass(W, X, y, gamma=2.0):
    logp = log_softmax(X @ W)
    lp = logp[np.arange(len(y)), y]
    return -np.mean((1 - np.exp(lp)) ** gamma * lp)


def focal_binary_alpha(w, X, y, alpha=0.25, gamma=1.5):
    p = sigmoid(X @ w)
    pt = np.where(y == 1, p, 1 - p)
    at = np.where(y == 1, alpha, 1 - alpha)
    return -(at * (1 - pt) ** gamma * np.log(pt)).sum()


def bce_pos_weight(w, X, y, pos_weight=3.0):
    z = X @ w
    log_p, log_1mp = -softplus(-z), -softplus(z)
    return -np.mean(pos_weight * y * log_p + (1 - y) * log_1mp)


def logistic_l2_sklearn(w_c, X, y, alpha=1.0):
    w, c = w_c[:-1], w_c[-1]
    yz = y * (X @ w + c)
    return np.sum(np.logaddexp(0, -yz)) + 0.5 * alpha * np.dot(w, w)


def logistic_int_labels_float_cast(w, X, y):
    p = sigmoid(X @ w)
    y = y.astype(np.float64)
    return -np.mean(y * np.log(p) + (1. - y) * np.log(1. - p))


def dice_loss(logits, target, smooth=1.0):
    p = sigmoid(logits)
    inter = np.sum(p * target)
    return 1 - (2 * inter + smooth) / (p.sum() + target.sum() + smooth)


def soft_jaccard(logits, target):
    p = sigmoid(logits)
    inter = (p * target).sum(axis=(1, 2))
    union = (p + target - p * target).sum(axis=(1, 2))
    return np.mean(1 - inter / union)


def tversky(logits, target, a=0.7, b=0.3):
    p = sigmoid(logits)
    tp = np.sum(p * target)
    fp = np.sum(p * (1 - target))
    fn = np.sum((1 - p) * target)
    return 1 - tp / (tp + a * fp + b * fn)


def ordinal_cumulative_logit(params, X, y):
    w, raw = params["w"], params["cuts"]
    cuts = np.concatenate([[-np.inf], np.cumsum(np.concatenate([raw[:1], np.exp(raw[1:])])),
                           [np.inf]])
    eta = X @ w
    upper = sigmoid(cuts[y + 1] - eta)
    lower = sigmoid(cuts[y] - eta)
    return -np.sum(np.log(upper - lower))


def multilabel_bce(W, X, Y):
    Z = X @ W
    return np.mean(np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z))))


def sparsemax_loss(z, y):
    zs = np.sort(z)[::-1]
    k = np.arange(1, len(z) + 1)
    cs = np.cumsum(zs)
    support = 1 + k * zs > cs
    kz = k[support][-1]
    tau = (cs[kz - 1] - 1) / kz
    p = np.maximum(z - tau, 0)
    return -z[y] + 0.5 * np.sum(np.where(p > 0, z ** 2 - tau ** 2, 0)) + 0.5


def large_margin_softmax_additive(W, X, y, m=0.35, s=8.0):
    Wn = W / np.linalg.norm(W, axis=0, keepdims=True)
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    cos = Xn @ Wn
    cos[np.arange(len(y)), y] -= m
    return -np.mean(log_softmax(s * cos)[np.arange(len(y)), y])


def arcface(W, X, y, m=0.3, s=5.0):
    Wn = W / np.sqrt(np.sum(W ** 2, axis=0))
    Xn = X / np.sqrt(np.sum(X ** 2, axis=1))[:, None]
    cos = np.clip(Xn @ Wn, -1 + 1e-7, 1 - 1e-7)
    theta = np.arccos(cos)
    onehot = np.eye(W.shape[1], dtype=bool)[y]
    logits = s * np.where(onehot, np.cos(theta + m), cos)
    return -np.mean(log_softmax(logits)[onehot])


def knowledge_distillation(W, X, teacher, y, T=3.0, alpha=0.7):
    s = X @ W
    p_t = np.exp(log_softmax(teacher / T))
    kd = np.sum(p_t * (np.log(p_t) - log_softmax(s / T)), axis=1).mean() * T * T
    ce = -log_softmax(s)[np.arange(len(y)), y].mean()
    return alpha * kd + (1 - alpha) * ce


def naive_bayes_gaussian_nll(params, X, y):
    mu, log_var = params["mu"], params["log_var"]
    m, lv = mu[y], log_var[y]
    return 0.5 * np.sum(lv + (X - m) ** 2 / np.exp(lv))


def perceptron_criterion(w, X, y):
    return np.sum(np.maximum(0.0, -y * (X @ w)))


def lda_fisher_ratio(w, X, y01):
    a, b = X[y01 == 1], X[y01 == 0]
    between = (w @ (a.mean(0) - b.mean(0))) ** 2
    within = w @ (np.cov(a.T) + np.cov(b.T)) @ w
    return -between / within


case("softmax_ce_range_labels", softmax_ce_fancy, WK, X, LABELS)
case("softmax_ce_row_loop", softmax_ce_loop, WK, X, LABELS)
case("softmax_ce_dict_bias_reg", softmax_ce_dict, {"W": WK, "b": normal(K)}, X, LABELS)
case("ce_eye_onehot_log_eps", ce_onehot_eye_index, WK, X, LABELS)
case("ce_onehot_setitem", ce_onehot_zeros_setitem, WK, X, LABELS)
case("ce_temperature", ce_temperature, WK, X, LABELS)
case("ce_class_weights_gathered", ce_class_weights, WK, X, LABELS, uniform(0.5, 2, K))
case("ce_ignore_index_minus_100", ce_ignore_index, WK, X, LABELS)
case("multiclass_hinge_cs231n", multiclass_hinge_cs231n, WK, X, LABELS)
case("crammer_singer_neg_inf", crammer_singer, WK, X, LABELS)
case("binary_hinge_tuple_python_bias", binary_hinge, (W, 0.1), X, YPM)
case("smoothed_hinge_nested_where", smoothed_hinge, W, X, YPM)
case("modified_huber", modified_huber, W, X, YPM)
case("focal_multiclass", focal_multiclass, WK, X, LABELS)
case("focal_binary_alpha", focal_binary_alpha, W, X, Y01)
case("bce_pos_weight_softplus", bce_pos_weight, W, X, Y01)
case("logistic_l2_intercept_last", logistic_l2_sklearn, normal(D + 1), X, YPM)
case("logistic_int_labels_astype", logistic_int_labels_float_cast, W, X, Y01.astype(int))
case("dice", dice_loss, normal(6, 6), (rng.random((6, 6)) > 0.6).astype(float))
case("soft_jaccard_axis_tuple", soft_jaccard, normal(2, 5, 5), (rng.random((2, 5, 5)) > 0.5) * 1.0)
case("tversky", tversky, normal(8), (rng.random(8) > 0.4).astype(np.float64))
case("ordinal_cumulative_logit_inf_cuts", ordinal_cumulative_logit,
     {"w": normal(D, scale=0.3), "cuts": np.array([-1.0, 0.2, 0.1])}, X, LABELS)
case("multilabel_bce", multilabel_bce, WK, X, (rng.random((N, K)) > 0.5).astype(float))
case("sparsemax_loss_sorted_support", sparsemax_loss, np.array([1.3, 0.2, 0.9, -0.4, 1.1]), 2)
case("additive_margin_softmax", large_margin_softmax_additive, WK, X, LABELS)
case("arcface_bool_onehot", arcface, WK, X, LABELS)
case("knowledge_distillation", knowledge_distillation, WK, X, normal(N, K), LABELS)
case("naive_bayes_gathered_params", naive_bayes_gaussian_nll,
     {"mu": normal(K, D), "log_var": normal(K, D, scale=0.2)}, X, LABELS)
case("perceptron_criterion", perceptron_criterion, W, X, YPM)

# ----------------------------------------------------------------------------- divergences

DIVERGENCES, case = table()


def kl_categorical_logits(z_p, z_q):
    lp, lq = log_softmax(z_p), log_softmax(z_q)
    return np.sum(np.exp(lp) * (lp - lq))


def kl_probs_eps(p_raw, q):
    p = np.abs(p_raw) / np.sum(np.abs(p_raw))
    return np.sum(p * np.log((p + 1e-10) / (q + 1e-10)))


def kl_gaussians_diag(params, mu_q, log_var_q):
    mu, log_var = params
    return 0.5 * np.sum(log_var_q - log_var + (np.exp(log_var) + (mu - mu_q) ** 2)
                        / np.exp(log_var_q) - 1)


def kl_mvn_full(L_p, mu_p, S_q, mu_q):
    L = np.tril(L_p)
    S_p = L @ L.T
    k = len(mu_p)
    Sq_inv = np.linalg.inv(S_q)
    d = mu_q - mu_p
    return 0.5 * (np.trace(Sq_inv @ S_p) + d @ Sq_inv @ d - k
                  + np.log(np.linalg.det(S_q) / np.linalg.det(S_p)))


def kl_bernoulli(logits, q):
    p = sigmoid(logits)
    return np.sum(p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q)))


def reverse_kl_batched(z, target):
    q = np.exp(log_softmax(z, axis=1))
    return np.mean(np.sum(q * (np.log(q) - np.log(target)), axis=1))


def js_divergence(z, q):
    p = np.exp(log_softmax(z))
    m = 0.5 * (p + q)
    kl = lambda a, b: np.sum(a * np.log(a / b))  # noqa: E731
    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


def renyi_divergence(z, q, alpha=0.5):
    p = np.exp(log_softmax(z))
    return np.log(np.sum(p ** alpha * q ** (1 - alpha))) / (alpha - 1)


def hellinger(z, q):
    p = np.exp(log_softmax(z))
    return np.sqrt(0.5 * np.sum((np.sqrt(p) - np.sqrt(q)) ** 2))


def total_variation_smooth(z, q):
    p = np.exp(log_softmax(z))
    return 0.5 * np.sum(np.abs(p - q))


def chi_square_divergence(z, q):
    p = np.exp(log_softmax(z))
    return np.sum((p - q) ** 2 / q)


def wasserstein_1d_sort(x, y):
    return np.mean(np.abs(np.sort(x) - np.sort(y)))


def sliced_wasserstein(X, Y, dirs):
    proj_x, proj_y = X @ dirs, Y @ dirs
    return np.mean((np.sort(proj_x, axis=0) - np.sort(proj_y, axis=0)) ** 2)


def mmd_rbf(X, Y, gamma=0.5):
    def k(a, b):
        d = np.sum(a ** 2, 1)[:, None] + np.sum(b ** 2, 1)[None, :] - 2 * a @ b.T
        return np.exp(-gamma * d)
    return k(X, X).mean() + k(Y, Y).mean() - 2 * k(X, Y).mean()


def energy_distance(X, Y):
    def pd(a, b):
        return np.sqrt(np.sum((a[:, None, :] - b[None, :, :]) ** 2, axis=-1) + 1e-12)
    return 2 * pd(X, Y).mean() - pd(X, X).mean() - pd(Y, Y).mean()


def sinkhorn_fixed_iters(C_params, a, b, eps=0.5, iters=20):
    C = C_params ** 2
    Kmat = np.exp(-C / eps)
    u = np.ones_like(a)
    for _ in range(iters):
        v = b / (Kmat.T @ u)
        u = a / (Kmat @ v)
    P = u[:, None] * Kmat * v[None, :]
    return np.sum(P * C)


def cross_entropy_soft_targets(z, targets):
    return -np.sum(targets * log_softmax(z, axis=-1)) / z.shape[0]


def entropy_regularizer(z):
    p = np.exp(log_softmax(z, axis=1))
    return -np.sum(p * np.log(p), axis=1).mean()


def bhattacharyya_gaussians(mu1, s1, mu2, s2):
    v1, v2 = s1 ** 2, s2 ** 2
    return np.sum(0.25 * (mu1 - mu2) ** 2 / (v1 + v2) + 0.5 * np.log((v1 + v2) / (2 * s1 * s2)))


P4 = rng.random(5)
P4 /= P4.sum()
case("kl_categorical_logits", kl_categorical_logits, normal(5), normal(5), argnums=(0, 1))
case("kl_probs_abs_normalized_eps", kl_probs_eps, uniform(0.2, 1, 5), P4)
case("kl_diag_gaussians_tuple", kl_gaussians_diag, (normal(4), normal(4, scale=0.3)), normal(4),
     normal(4, scale=0.3))
case("kl_full_mvn_tril_det", kl_mvn_full, np.eye(3) + 0.2 * normal(3, 3), normal(3),
     np.eye(3) * 1.5 + 0.1 * np.ones((3, 3)), normal(3), argnums=(0, 1))
case("kl_bernoulli", kl_bernoulli, normal(6), uniform(0.2, 0.8, 6))
case("reverse_kl_batched", reverse_kl_batched, normal(3, 5), np.tile(P4, (3, 1)))
case("js_divergence_lambda", js_divergence, normal(5), P4)
case("renyi_half", renyi_divergence, normal(5), P4)
case("hellinger", hellinger, normal(5), P4)
case("total_variation", total_variation_smooth, normal(5), P4)
case("chi_square", chi_square_divergence, normal(5), P4)
case("wasserstein_1d_sorted", wasserstein_1d_sort, normal(7), normal(7) + 0.3, argnums=(0, 1))
case("sliced_wasserstein_axis0_sort", sliced_wasserstein, normal(6, 2), normal(6, 2),
     normal(2, 3), argnums=(0, 1))
case("mmd_rbf_nested_def", mmd_rbf, normal(5, 2), normal(4, 2) + 1, argnums=(0, 1))
case("energy_distance_broadcast", energy_distance, normal(4, 2), normal(5, 2))
case("sinkhorn_twenty_iterations", sinkhorn_fixed_iters, uniform(0.2, 1.5, 4, 4),
     np.full(4, 0.25), np.array([0.1, 0.2, 0.3, 0.4]))
case("ce_soft_targets", cross_entropy_soft_targets, normal(3, 4), np.full((3, 4), 0.25))
case("entropy_regularizer", entropy_regularizer, normal(3, 4))
case("bhattacharyya_four_args", bhattacharyya_gaussians, normal(3), uniform(0.5, 2, 3),
     normal(3), uniform(0.5, 2, 3), argnums=(0, 1, 2, 3))

# ----------------------------------------------------------------------------- probabilistic

PROBABILISTIC, case = table()


def heteroscedastic_nll(params, X, y):
    mean = X @ params["w_mu"]
    log_var = X @ params["w_var"] + params["b_var"]
    return np.mean(0.5 * (log_var + (y - mean) ** 2 / np.exp(log_var)))


def gaussian_nll_softplus_sigma(params, x):
    mu, raw = params
    sigma = softplus(raw) + 1e-3
    return -np.sum(-np.log(sigma) - 0.5 * np.log(2 * np.pi) - 0.5 * ((x - mu) / sigma) ** 2)


def student_t_nll(params, y, nu=4.0):
    mu, log_s = params["mu"], params["log_s"]
    s = np.exp(log_s)
    z = (y - mu) / s
    const = math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2) - 0.5 * math.log(nu * math.pi)
    return -np.sum(const - np.log(s) - (nu + 1) / 2 * np.log1p(z ** 2 / nu))


def laplace_nll(params, y):
    loc, log_b = params
    b = np.exp(log_b)
    return np.sum(np.log(2 * b) + np.abs(y - loc) / b)


def mdn_loss(params, x, y):
    h = np.tanh(x[:, None] * params["W1"] + params["b1"])
    pi_logits = h @ params["Wpi"]
    mu = h @ params["Wmu"]
    log_sigma = h @ params["Wsig"]
    log_pi = log_softmax(pi_logits, axis=1)
    log_n = -0.5 * ((y[:, None] - mu) / np.exp(log_sigma)) ** 2 - log_sigma \
        - 0.5 * np.log(2 * np.pi)
    return -np.mean(logsumexp(log_pi + log_n, axis=1))


def gmm_loglik(params, X):
    logits, means, log_scales = params["logits"], params["means"], params["log_scales"]
    log_w = logits - logsumexp(logits)
    diff = X[:, None, :] - means[None, :, :]
    var = np.exp(2 * log_scales)
    comp = -0.5 * np.sum(diff ** 2 / var + 2 * log_scales + np.log(2 * np.pi), axis=2)
    return -np.sum(logsumexp(comp + log_w, axis=1))


def gmm_loop_over_components(params, x):
    pis, mus, sigmas = params
    lik = np.zeros_like(x)
    for k in range(len(pis)):
        lik = lik + pis[k] * np.exp(-0.5 * ((x - mus[k]) / sigmas[k]) ** 2) / (
            np.sqrt(2 * np.pi) * sigmas[k])
    return -np.sum(np.log(lik))


def vae_elbo_bernoulli(p, x, eps):
    h = np.tanh(x @ p["enc_W"] + p["enc_b"])
    mu, log_var = h @ p["mu_W"], h @ p["lv_W"]
    z = mu + np.exp(0.5 * log_var) * eps
    logits = np.tanh(z @ p["dec_W1"]) @ p["dec_W2"]
    rec = np.sum(np.maximum(logits, 0) - logits * x + np.log1p(np.exp(-np.abs(logits))), axis=1)
    kl = -0.5 * np.sum(1 + log_var - mu ** 2 - np.exp(log_var), axis=1)
    return np.mean(rec + kl)


def vae_gaussian_decoder_beta(p, x, eps, beta=4.0):
    mu, log_var = np.split(x @ p["enc"], 2, axis=1)
    z = mu + np.exp(log_var / 2) * eps
    recon = z @ p["dec"]
    rec = 0.5 * np.sum((x - recon) ** 2, axis=-1)
    kl = 0.5 * np.sum(np.exp(log_var) + mu ** 2 - 1 - log_var, axis=-1)
    return (rec + beta * kl).mean()


def iwae_bound(p, x, eps):
    mu, log_sig = x @ p["Wm"], x @ p["Ws"]
    z = mu[None] + np.exp(log_sig)[None] * eps
    log_q = np.sum(-0.5 * eps ** 2 - log_sig[None] - 0.5 * np.log(2 * np.pi), axis=-1)
    log_prior = np.sum(-0.5 * z ** 2 - 0.5 * np.log(2 * np.pi), axis=-1)
    recon = z @ p["Wd"]
    log_lik = np.sum(-0.5 * (x[None] - recon) ** 2, axis=-1)
    log_w = log_lik + log_prior - log_q
    k = eps.shape[0]
    return -np.mean(logsumexp(log_w, axis=0) - np.log(k))


def planar_flow(params, z0):
    u, w, b = params["u"], params["w"], params["b"]
    wu = w @ u
    u_hat = u + (np.log1p(np.exp(wu)) - 1 - wu) * w / np.sum(w ** 2)
    a = z0 @ w + b
    z = z0 + np.outer(np.tanh(a), u_hat)
    psi = np.outer(1 - np.tanh(a) ** 2, w)
    log_det = np.log(np.abs(1 + psi @ u_hat))
    log_p = -0.5 * np.sum(z ** 2, axis=1)
    return -np.mean(log_p + log_det)


def affine_coupling(params, x):
    x1, x2 = x[:, :2], x[:, 2:]
    h = np.tanh(x1 @ params["W"])
    s, t = h @ params["Ws"], h @ params["Wt"]
    y2 = x2 * np.exp(s) + t
    y = np.concatenate([x1, y2], axis=1)
    return -np.mean(-0.5 * np.sum(y ** 2, axis=1) + np.sum(s, axis=1))


def gp_marginal_cholesky(log_params, X, y):
    ell, sf, sn = np.exp(log_params)
    sq = np.sum(X ** 2, 1)[:, None] + np.sum(X ** 2, 1) - 2 * X @ X.T
    Kmat = sf ** 2 * np.exp(-0.5 * sq / ell ** 2) + (sn ** 2 + 1e-8) * np.eye(len(X))
    L = np.linalg.cholesky(Kmat)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return 0.5 * y @ alpha + np.sum(np.log(np.diag(L))) + 0.5 * len(X) * np.log(2 * np.pi)


def gp_ard_slogdet(params, X, y):
    ls = np.exp(params["log_ls"])
    Xs = X / ls
    d2 = ((Xs[:, None, :] - Xs[None, :, :]) ** 2).sum(-1)
    Kmat = np.exp(params["log_sf2"]) * np.exp(-0.5 * d2)
    Kmat[np.diag_indices_from(Kmat)] += np.exp(params["log_noise"])
    sign, logdet = np.linalg.slogdet(Kmat)
    return 0.5 * (y @ np.linalg.solve(Kmat, y) + logdet)


def gp_matern32(log_params, X, y):
    ell, var, noise = np.exp(log_params[0]), np.exp(log_params[1]), np.exp(log_params[2])
    r = np.sqrt(np.sum((X[:, None] - X[None]) ** 2, -1) + 1e-12)
    a = np.sqrt(3) * r / ell
    Kmat = var * (1 + a) * np.exp(-a) + noise * np.eye(X.shape[0])
    Kinv = np.linalg.inv(Kmat)
    return 0.5 * y @ Kinv @ y + 0.5 * np.log(np.linalg.det(Kmat))


def gp_predictive_mean_loss(log_ell, X, y, Xs, ys):
    def k(a, b):
        return np.exp(-0.5 * np.sum((a[:, None] - b[None]) ** 2, -1) / np.exp(2 * log_ell))
    Kmat = k(X, X) + 0.1 * np.eye(len(X))
    mean = k(Xs, X) @ np.linalg.solve(Kmat, y)
    return np.sum((mean - ys) ** 2)


def bayesian_linreg_evidence(log_ab, X, y):
    alpha, beta = np.exp(log_ab)
    n, d = X.shape
    A = alpha * np.eye(d) + beta * X.T @ X
    m = beta * np.linalg.solve(A, X.T @ y)
    E = beta / 2 * np.sum((y - X @ m) ** 2) + alpha / 2 * m @ m
    return -(d / 2 * np.log(alpha) + n / 2 * np.log(beta) - E
             - 0.5 * np.linalg.slogdet(A)[1] - n / 2 * np.log(2 * np.pi))


def hmm_forward_logspace(params, obs):
    log_pi = log_softmax(params["pi"])
    log_A = log_softmax(params["A"], axis=1)
    log_B = log_softmax(params["B"], axis=1)
    alpha = log_pi + log_B[:, obs[0]]
    for t in range(1, len(obs)):
        alpha = logsumexp(alpha[:, None] + log_A, axis=0) + log_B[:, obs[t]]
    return -logsumexp(alpha)


def hmm_forward_scaled(params, obs):
    A = np.exp(params["A"]) / np.exp(params["A"]).sum(axis=1, keepdims=True)
    B = np.exp(params["B"]) / np.exp(params["B"]).sum(axis=1, keepdims=True)
    alpha = np.full(A.shape[0], 1 / A.shape[0]) * B[:, obs[0]]
    c = alpha.sum()
    alpha = alpha / c
    log_lik = np.log(c)
    for o in obs[1:]:
        alpha = (alpha @ A) * B[:, o]
        c = alpha.sum()
        alpha /= c
        log_lik += np.log(c)
    return -log_lik


def kalman_loglik(params, ys):
    q, r = np.exp(params[0]), np.exp(params[1])
    phi = np.tanh(params[2])
    m, P = 0.0, 1.0
    ll = 0.0
    for y in ys:
        m, P = phi * m, phi * phi * P + q
        S = P + r
        ll = ll - 0.5 * (np.log(2 * np.pi * S) + (y - m) ** 2 / S)
        Kg = P / S
        m, P = m + Kg * (y - m), (1 - Kg) * P
    return -ll


def ar1_conditional_nll(theta, x):
    c, phi, log_sigma = theta
    resid = x[1:] - c - phi * x[:-1]
    s2 = np.exp(2 * log_sigma)
    n = len(resid)
    return 0.5 * n * np.log(2 * np.pi * s2) + np.sum(resid ** 2) / (2 * s2)


def linear_chain_crf(params, x, tags):
    emissions = x @ params["W"]
    trans = params["T"]
    score = emissions[0, tags[0]]
    for t in range(1, len(tags)):
        score = score + trans[tags[t - 1], tags[t]] + emissions[t, tags[t]]
    alpha = emissions[0]
    for t in range(1, x.shape[0]):
        alpha = logsumexp(alpha[:, None] + trans + emissions[t][None, :], axis=0)
    return logsumexp(alpha) - score


def mixture_of_bernoullis(params, X):
    log_pi = log_softmax(params["pi"])
    mu = sigmoid(params["mu"])
    ll = X @ np.log(mu).T + (1 - X) @ np.log(1 - mu).T
    return -np.sum(logsumexp(ll + log_pi, axis=1))


def probabilistic_pca_nll(W, X, sigma2=0.5):
    d = X.shape[1]
    C = W @ W.T + sigma2 * np.eye(d)
    S = np.cov(X, rowvar=False, bias=True)
    sign, logdet = np.linalg.slogdet(C)
    return 0.5 * X.shape[0] * (d * np.log(2 * np.pi) + logdet + np.trace(np.linalg.solve(C, S)))


def factor_analysis_psi(params, X):
    W, log_psi = params
    Cmat = W @ W.T + np.diag(np.exp(log_psi))
    L = np.linalg.cholesky(Cmat)
    Z = np.linalg.solve(L, (X - X.mean(0)).T)
    return np.sum(np.log(np.diagonal(L))) * len(X) + 0.5 * np.sum(Z * Z)


def poisson_glm_ridge_map(w, X, counts, prior_var=2.0):
    eta = X @ w
    return -(counts @ eta - np.exp(eta).sum()) + w @ w / (2 * prior_var)


def beta_bernoulli_logit_prior(theta, y, a=2.0, b=3.0):
    p = sigmoid(theta)
    return -(np.sum(y) * np.log(p) + np.sum(1 - y) * np.log1p(-p)
             + (a - 1) * np.log(p) + (b - 1) * np.log(1 - p))


def von_mises_nll(params, angles):
    mu, log_kappa = params
    kappa = np.exp(log_kappa)
    log_i0 = np.log(np.sum([(kappa / 2) ** (2 * j) / math.factorial(j) ** 2 for j in range(12)]))
    return -np.sum(kappa * np.cos(angles - mu) - np.log(2 * np.pi) - log_i0)


def elbo_mean_field_logistic(q, X, y, eps):
    mu, log_sd = q["mu"], q["log_sd"]
    ws = mu + np.exp(log_sd) * eps
    logits = ws @ X.T
    loglik = -np.sum(np.logaddexp(0, -y * logits), axis=1)
    log_prior = -0.5 * np.sum(ws ** 2, axis=1)
    entropy = np.sum(log_sd)
    return -(np.mean(loglik + log_prior) + entropy)


case("heteroscedastic_nll_dict", heteroscedastic_nll,
     {"w_mu": W, "w_var": normal(D, scale=0.3), "b_var": 0.1}, X, Y)
case("gaussian_nll_softplus_sigma", gaussian_nll_softplus_sigma, (normal(5), normal(5)), normal(5))
case("student_t_lgamma_constant", student_t_nll, {"mu": normal(6), "log_s": normal(6, scale=0.2)},
     normal(6))
case("laplace_nll", laplace_nll, [np.float64(0.2), np.float64(-0.1)], normal(8) + 0.05)
case("mixture_density_network", mdn_loss,
     {"W1": normal(5), "b1": normal(5), "Wpi": normal(5, 3), "Wmu": normal(5, 3),
      "Wsig": normal(5, 3, scale=0.3)}, normal(8), normal(8))
case("gmm_logsumexp_diag", gmm_loglik,
     {"logits": normal(3), "means": normal(3, 2), "log_scales": normal(3, 2, scale=0.2)},
     normal(9, 2))
case("gmm_component_loop_tuple", gmm_loop_over_components,
     (np.array([0.3, 0.7]), np.array([-1.0, 1.0]), np.array([0.8, 1.2])), normal(10))
case("vae_elbo_bernoulli", vae_elbo_bernoulli,
     {"enc_W": normal(6, 4, scale=0.5), "enc_b": normal(4), "mu_W": normal(4, 2),
      "lv_W": normal(4, 2, scale=0.3), "dec_W1": normal(2, 4), "dec_W2": normal(4, 6)},
     (rng.random((5, 6)) > 0.5).astype(float), normal(5, 2))
case("beta_vae_split", vae_gaussian_decoder_beta,
     {"enc": normal(4, 4, scale=0.4), "dec": normal(2, 4)}, normal(6, 4), normal(6, 2))
case("iwae_logsumexp_samples", iwae_bound,
     {"Wm": normal(3, 2), "Ws": normal(3, 2, scale=0.2), "Wd": normal(2, 3)}, normal(4, 3),
     normal(5, 4, 2))
case("planar_flow_outer", planar_flow, {"u": normal(2), "w": normal(2), "b": 0.1}, normal(7, 2))
case("realnvp_affine_coupling", affine_coupling,
     {"W": normal(2, 3), "Ws": normal(3, 2, scale=0.3), "Wt": normal(3, 2)}, normal(6, 4))
case("gp_cholesky_two_solves", gp_marginal_cholesky, np.log([1.0, 1.2, 0.3]), normal(8, 2),
     normal(8))
case("gp_ard_diag_indices_slogdet", gp_ard_slogdet,
     {"log_ls": normal(2, scale=0.2), "log_sf2": 0.1, "log_noise": -1.5}, normal(7, 2), normal(7))
case("gp_matern32_inv_det", gp_matern32, np.array([0.2, 0.1, -1.0]), normal(6, 2), normal(6))
case("gp_predictive_mean", gp_predictive_mean_loss, np.float64(0.1), normal(6, 1), normal(6),
     normal(4, 1), normal(4))
case("bayesian_linreg_evidence", bayesian_linreg_evidence, np.array([0.0, 0.5]), X, Y)
case("hmm_forward_logspace", hmm_forward_logspace,
     {"pi": normal(3), "A": normal(3, 3), "B": normal(3, 4)}, rng.integers(0, 4, 7))
case("hmm_forward_scaled_iterate_obs", hmm_forward_scaled, {"A": normal(2, 2), "B": normal(2, 3)},
     rng.integers(0, 3, 6))
case("kalman_filter_python_scalars", kalman_loglik, np.array([-1.0, -0.5, 0.8]), normal(8))
case("ar1_unpacked_theta", ar1_conditional_nll, np.array([0.1, 0.5, -0.2]), normal(12))
case("linear_chain_crf", linear_chain_crf, {"W": normal(3, 3), "T": normal(3, 3)}, normal(5, 3),
     rng.integers(0, 3, 5))
case("mixture_of_bernoullis", mixture_of_bernoullis, {"pi": normal(2), "mu": normal(2, 5)},
     (rng.random((6, 5)) > 0.5).astype(float))
case("probabilistic_pca", probabilistic_pca_nll, normal(3, 1), normal(10, 3))
case("factor_analysis_tuple", factor_analysis_psi, (normal(3, 1), normal(3, scale=0.2)),
     normal(9, 3))
case("poisson_glm_map", poisson_glm_ridge_map, normal(D, scale=0.3), X, COUNTS)
case("beta_bernoulli_scalar_logit", beta_bernoulli_logit_prior, 0.3, Y01)
case("von_mises_series_list", von_mises_nll, np.array([0.3, 0.5]), uniform(-np.pi, np.pi, 9))
case("mean_field_elbo_logistic", elbo_mean_field_logistic,
     {"mu": normal(D), "log_sd": normal(D, scale=0.2) - 1}, X, YPM, normal(4, D))

# ----------------------------------------------------------------------------- models

MODELS, case = table()


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def mish(x):
    return x * np.tanh(np.log1p(np.exp(x)))


def elu(x, a=1.0):
    return np.where(x > 0, x, a * (np.exp(x) - 1))


def selu(x):
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return scale * np.where(x > 0, x, alpha * np.expm1(x))


def mlp_layers_list(layers, X, y, act=np.tanh):
    h = X
    for W_, b in layers[:-1]:
        h = act(h @ W_ + b)
    W_, b = layers[-1]
    return np.mean((h @ W_ + b - y[:, None]) ** 2)


def mlp_fstring_keys(params, X, y, n_layers=3):
    a = X
    for l in range(1, n_layers):
        a = gelu_tanh(a @ params[f"W{l}"] + params[f"b{l}"])
    out = a @ params[f"W{n_layers}"]
    return np.mean((out.ravel() - y) ** 2)


def mlp_leaky_relu_classifier(params, X, y):
    z = X @ params["W1"] + params["b1"]
    h = np.where(z > 0, z, 0.01 * z)
    logits = h @ params["W2"]
    return -np.mean(log_softmax(logits)[np.arange(len(y)), y])


def mlp_activation_table(params, X, y):
    acts = [np.tanh, mish, elu, selu, lambda z: z * sigmoid(z), lambda z: z / (1 + np.abs(z))]
    h = X @ params[0]
    out = 0.0
    for act in acts:
        out = out + np.sum(act(h) @ params[1])
    return (out - y.sum()) ** 2 / 100


def maxout_net(W, X):
    z = np.einsum("nd,dkp->nkp", X, W)
    return np.sum(np.max(z, axis=2) ** 2)


def highway_layer(p, x):
    t = sigmoid(x @ p["Wt"] + p["bt"])
    h = np.tanh(x @ p["Wh"])
    return np.sum((t * h + (1 - t) * x) ** 2)


def batchnorm_train(params, x, eps=1e-5):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    out = params["gamma"] * xhat + params["beta"]
    return np.sum(out ** 3 * np.arange(1, out.shape[1] + 1))


def batchnorm_nchw(gamma, beta, x, eps=1e-5):
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = ((x - mean) ** 2).mean(axis=(0, 2, 3), keepdims=True)
    y = gamma[None, :, None, None] * (x - mean) / np.sqrt(var + eps) + beta.reshape(1, -1, 1, 1)
    return np.sum(np.tanh(y))


def layernorm_manual(x, g, b, eps=1e-6):
    mean = np.mean(x, axis=-1, keepdims=True)
    var = np.mean(np.square(x - mean), axis=-1, keepdims=True)
    return np.sum(np.sin(g * (x - mean) * (var + eps) ** -0.5 + b))


def groupnorm(x, gamma, beta, groups=2, eps=1e-5):
    n, c, h, w = x.shape
    xg = x.reshape(n, groups, -1)
    xg = (xg - xg.mean(-1, keepdims=True)) / np.sqrt(xg.var(-1, keepdims=True) + eps)
    y = xg.reshape(n, c, h, w) * gamma.reshape(1, c, 1, 1) + beta.reshape(1, c, 1, 1)
    return np.sum(y * np.cos(y))


def rmsnorm(x, g, eps=1e-6):
    rms = np.sqrt(np.mean(x ** 2, axis=-1, keepdims=True) + eps)
    return np.sum((x / rms * g) ** 3)


def attention_padding_mask(p, x, lengths):
    T = x.shape[0]
    q, k, v = x @ p["Wq"], x @ p["Wk"], x @ p["Wv"]
    scores = q @ k.T / np.sqrt(q.shape[-1])
    valid = np.arange(T)[None, :] < lengths
    scores = np.where(valid, scores, -1e9)
    w = np.exp(scores - scores.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    return np.sum((w @ v) ** 2)


def causal_attention_triu_inf(p, x):
    T = x.shape[0]
    q, k, v = x @ p["Wq"], x @ p["Wk"], x @ p["Wv"]
    s = q @ k.T / math.sqrt(k.shape[1])
    s[np.triu_indices(T, 1)] = -np.inf
    a = np.exp(log_softmax(s, axis=-1))
    return np.sum(np.tanh(a @ v))


def multihead_reshape_transpose(p, x, heads=2):
    B, T, Dm = x.shape
    dh = Dm // heads
    def split(t):
        return t.reshape(B, T, heads, dh).transpose(0, 2, 1, 3)
    q, k, v = split(x @ p["Wq"]), split(x @ p["Wk"]), split(x @ p["Wv"])
    att = q @ k.swapaxes(-1, -2) / np.sqrt(dh)
    mask = np.tril(np.ones((T, T), dtype=bool))
    att = np.where(mask, att, -np.inf)
    att = np.exp(att - att.max(-1, keepdims=True))
    att = att / att.sum(-1, keepdims=True)
    out = (att @ v).transpose(0, 2, 1, 3).reshape(B, T, Dm) @ p["Wo"]
    return np.mean((out + x) ** 2)


def cross_attention_einsum(p, x, mem):
    q = np.einsum("td,de->te", x, p["Wq"])
    k = np.einsum("sd,de->se", mem, p["Wk"])
    logits = np.einsum("te,se->ts", q, k)
    att = np.exp(logits - logits.max(axis=1, keepdims=True))
    att /= att.sum(axis=1, keepdims=True)
    return np.einsum("ts,sd->", att, mem) ** 2


def additive_attention(p, h, s):
    e = np.tanh(h @ p["W1"] + s @ p["W2"]) @ p["v"]
    a = np.exp(e - e.max())
    a = a / a.sum()
    return np.sum((a[:, None] * h).sum(0) ** 2)


def transformer_block(p, x):
    def ln(z):
        return (z - z.mean(-1, keepdims=True)) / np.sqrt(z.var(-1, keepdims=True) + 1e-5)
    h = ln(x)
    s = (h @ p["Wq"]) @ (h @ p["Wk"]).T / 2.0
    a = np.exp(log_softmax(s))
    x = x + a @ (h @ p["Wv"])
    h = ln(x)
    x = x + gelu_tanh(h @ p["W1"]) @ p["W2"]
    return np.sum(x[-1] ** 2)


def conv2d_swv_einsum_channels(k, x, b):
    win = sliding_window_view(x, k.shape[2:], axis=(2, 3))
    out = np.einsum("nchwij,ocij->nohw", win, k) + b[None, :, None, None]
    return np.sum(np.maximum(out, 0) ** 2)


def conv2d_strided_slices(k, x, stride=2):
    win = sliding_window_view(x, (3, 3))[::stride, ::stride]
    return np.sum(np.tanh(np.tensordot(win, k, axes=([2, 3], [0, 1]))))


def conv2d_python_loops(k, img):
    kh, kw = k.shape
    H, W_ = img.shape
    out = np.zeros((H - kh + 1, W_ - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(img[i:i + kh, j:j + kw] * k)
    return np.sum(out ** 2)


def depthwise_conv1d(k, x):
    win = sliding_window_view(x, k.shape[1], axis=1)
    return np.sum(np.einsum("ctk,ck->ct", win, k) ** 2)


def conv1d_padded_dilated(k, x, dilation=2):
    xp = np.pad(x, (4, 4))
    win = sliding_window_view(xp, 1 + dilation * (len(k) - 1))[:, ::dilation]
    return np.sum(np.sin(win @ k))


def conv_transpose1d_add(k, x):
    out = np.zeros(len(x) + len(k) - 1)
    for i in range(len(x)):
        out[i:i + len(k)] += x[i] * k
    return np.sum(out ** 2)


def elman_rnn(p, xs, ys):
    h = np.zeros(p["Whh"].shape[0])
    loss = 0.0
    for t in range(len(xs)):
        h = np.tanh(p["Wxh"] @ xs[t] + p["Whh"] @ h + p["bh"])
        y = p["Why"] @ h
        loss += 0.5 * np.sum((y - ys[t]) ** 2)
    return loss


def char_rnn_softmax(p, inputs, targets, vocab=5):
    hs = {-1: np.zeros((4, 1))}
    loss = 0
    for t in range(len(inputs)):
        x = np.zeros((vocab, 1))
        x[inputs[t]] = 1
        hs[t] = np.tanh(p["Wxh"] @ x + p["Whh"] @ hs[t - 1] + p["bh"])
        ys = p["Why"] @ hs[t] + p["by"]
        ps = np.exp(ys) / np.sum(np.exp(ys))
        loss += -np.log(ps[targets[t], 0])
    return loss


def gru_batch_first(p, xs):
    B, T, _ = xs.shape
    h = np.zeros((B, p["Uz"].shape[0]))
    outs = []
    for t in range(T):
        x = xs[:, t, :]
        z = sigmoid(x @ p["Wz"] + h @ p["Uz"])
        r = sigmoid(x @ p["Wr"] + h @ p["Ur"])
        hh = np.tanh(x @ p["Wh"] + (r * h) @ p["Uh"])
        h = (1 - z) * h + z * hh
        outs.append(h)
    return np.sum(np.stack(outs, axis=1).mean(axis=1) ** 2)


def lstm_gates_slices(params, xs):
    W_, U, b = params
    H = U.shape[0]
    h, c = np.zeros(H), np.zeros(H)
    for x in xs:
        g = x @ W_ + h @ U + b
        i, f, o = sigmoid(g[:H]), sigmoid(g[H:2 * H] + 1.0), sigmoid(g[2 * H:3 * H])
        c = f * c + i * np.tanh(g[3 * H:])
        h = o * np.tanh(c)
    return np.sum(h ** 2) + np.sum(c)


def bidirectional_rnn(p, xs):
    def run(seq, Wx, Wh):
        h = np.zeros(Wh.shape[0])
        hs = []
        for x in seq:
            h = np.tanh(x @ Wx + h @ Wh)
            hs.append(h)
        return hs
    fw = run(xs, p["fx"], p["fh"])
    bw = run(xs[::-1], p["bx"], p["bh"])[::-1]
    out = np.array([np.concatenate([f, b]) for f, b in zip(fw, bw)])
    return np.sum(out ** 2)


def seq2seq_teacher_forcing(p, src, tgt):
    h = np.zeros(3)
    for x in src:
        h = np.tanh(p["We"] @ x + p["Ue"] @ h)
    loss = 0.0
    prev = np.zeros(2)
    for y in tgt:
        h = np.tanh(p["Wd"] @ prev + p["Ud"] @ h)
        pred = p["Wo"] @ h
        loss = loss + np.sum((pred - y) ** 2)
        prev = y
    return loss


def residual_mlp_blocks(blocks, x):
    for blk in blocks:
        x = x + np.maximum(x @ blk["W1"], 0.0) @ blk["W2"]
        x = x / np.linalg.norm(x, axis=-1, keepdims=True)
    return np.sum(x[:, 0])


def mixture_of_experts(p, x):
    gates = np.exp(log_softmax(x @ p["Wg"], axis=1))
    experts = np.stack([np.tanh(x @ We) for We in p["experts"]], axis=1)
    return np.sum((gates[:, :, None] * experts).sum(axis=1) ** 2)


def top1_moe_argmax_routing(p, x):
    logits = x @ p["Wg"]
    choice = np.argmax(logits, axis=1)
    gate = np.exp(log_softmax(logits))[np.arange(len(x)), choice]
    out = np.einsum("nd,nde->ne", x, p["We"][choice])
    return np.sum((gate[:, None] * out) ** 2)


def gcn_two_layer(params, A, X, y):
    A_hat = A + np.eye(A.shape[0])
    d = A_hat.sum(axis=1)
    D_inv_sqrt = np.diag(d ** -0.5)
    S = D_inv_sqrt @ A_hat @ D_inv_sqrt
    H = np.maximum(S @ X @ params[0], 0)
    logits = S @ H @ params[1]
    return -np.mean(log_softmax(logits)[np.arange(len(y)), y])


def message_passing_add_at(W_msg, h, src, dst):
    msgs = np.tanh(h[src] @ W_msg)
    agg = np.zeros_like(h)
    np.add.at(agg, dst, msgs)
    deg = np.bincount(dst, minlength=len(h))[:, None]
    return np.sum((agg / np.maximum(deg, 1)) ** 2)


def gat_layer(p, h, adj):
    z = h @ p["W"]
    e = (z @ p["a1"])[:, None] + (z @ p["a2"])[None, :]
    e = np.where(e > 0, e, 0.2 * e)
    e = np.where(adj > 0, e, -1e9)
    a = np.exp(e - e.max(axis=1, keepdims=True))
    a = a / a.sum(axis=1, keepdims=True)
    return np.sum(np.tanh(a @ z))


def matrix_factorization_sgd_loss(params, users, items, ratings, lam=0.05):
    P, Q, bu, bi = params["P"], params["Q"], params["bu"], params["bi"]
    pred = np.sum(P[users] * Q[items], axis=1) + bu[users] + bi[items] + 3.5
    err = ratings - pred
    return np.sum(err ** 2) + lam * (np.sum(P[users] ** 2) + np.sum(Q[items] ** 2))


def nmf_softplus_factors(params, V):
    Wf, Hf = softplus(params[0]), softplus(params[1])
    return 0.5 * np.linalg.norm(V - Wf @ Hf, "fro") ** 2


def bpr_loss(params, u, i, j):
    U, V = params
    x = np.sum(U[u] * (V[i] - V[j]), axis=1)
    return -np.sum(np.log(sigmoid(x))) + 0.01 * (U ** 2).sum()


def skipgram_negative_sampling(emb, center, context, negatives):
    vc = emb["in"][center]
    uo = emb["out"][context]
    un = emb["out"][negatives]
    pos = np.log(sigmoid(np.sum(vc * uo, axis=1)))
    neg = np.sum(np.log(sigmoid(-np.einsum("bkd,bd->bk", un, vc))), axis=1)
    return -np.mean(pos + neg)


def glove_loss(params, i, j, X_ij, x_max=10.0, alpha=0.75):
    Wv, Wc, bv, bc = params
    f = np.minimum((X_ij / x_max) ** alpha, 1.0)
    diff = np.sum(Wv[i] * Wc[j], axis=1) + bv[i] + bc[j] - np.log(X_ij)
    return np.sum(f * diff ** 2)


def transe_margin(params, heads, rels, tails, neg_tails, margin=1.0):
    E, R = params["E"], params["R"]
    pos = np.linalg.norm(E[heads] + R[rels] - E[tails], axis=1)
    neg = np.linalg.norm(E[heads] + R[rels] - E[neg_tails], axis=1)
    return np.sum(np.maximum(0, margin + pos - neg))


def factorization_machine(params, X, y):
    w0, w, V = params["w0"], params["w"], params["V"]
    inter = 0.5 * np.sum((X @ V) ** 2 - (X ** 2) @ (V ** 2), axis=1)
    return np.mean((w0 + X @ w + inter - y) ** 2)


def embedding_bag_mean(E, bags, offsets, y):
    sizes = np.diff(np.append(offsets, len(bags)))
    pooled = np.add.reduceat(E[bags], offsets, axis=0) / sizes[:, None]
    return np.sum((pooled.sum(1) - y) ** 2)


def autoencoder_tied_sigmoid(W, b, c, x):
    h = sigmoid(x @ W + b)
    r = sigmoid(h @ W.T + c)
    return -np.sum(x * np.log(r) + (1 - x) * np.log(1 - r))


def rbm_free_energy(params, v):
    W_, a, b = params
    return np.mean(-v @ a - np.sum(np.logaddexp(0, v @ W_ + b), axis=1))


def neural_ode_rk4(params, y0, dt=0.1, steps=8):
    def f(y):
        return np.tanh(y @ params["W1"]) @ params["W2"]
    y = y0
    for _ in range(steps):
        k1 = f(y)
        k2 = f(y + dt / 2 * k1)
        k3 = f(y + dt / 2 * k2)
        k4 = f(y + dt * k3)
        y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return np.sum(y ** 2)


def siamese_contrastive(W_, a, b, same, margin=2.0):
    d = np.sqrt(np.sum((np.tanh(a @ W_) - np.tanh(b @ W_)) ** 2, axis=1))
    return np.mean(same * d ** 2 + (1 - same) * np.maximum(margin - d, 0) ** 2)


def info_nce(W_, a, b, tau=0.2):
    za = a @ W_
    zb = b @ W_
    za = za / np.linalg.norm(za, axis=1, keepdims=True)
    zb = zb / np.linalg.norm(zb, axis=1, keepdims=True)
    logits = za @ zb.T / tau
    labels = np.arange(len(a))
    return -np.mean(log_softmax(logits, axis=1)[labels, labels])


def nt_xent_diag_mask(W_, a, b, tau=0.5):
    z = np.concatenate([a, b]) @ W_
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    sim = z @ z.T / tau
    n = len(a)
    sim[np.eye(2 * n, dtype=bool)] = -np.inf
    pos = np.concatenate([np.arange(n, 2 * n), np.arange(n)])
    return -np.mean(log_softmax(sim)[np.arange(2 * n), pos])


def clip_symmetric(params, img, txt, log_t=np.log(1 / 0.07)):
    I = img @ params["Wi"]
    T_ = txt @ params["Wt"]
    I /= np.linalg.norm(I, axis=1, keepdims=True)
    T_ /= np.linalg.norm(T_, axis=1, keepdims=True)
    logits = I @ T_.T * np.exp(log_t)
    idx = np.arange(len(img))
    return -(np.mean(log_softmax(logits, 1)[idx, idx])
             + np.mean(log_softmax(logits, 0)[idx, idx])) / 2


def triplet_batch_hard(W_, x, labels, margin=0.3):
    e = x @ W_
    d = np.sqrt(np.sum((e[:, None] - e[None]) ** 2, -1) + 1e-9)
    same = labels[:, None] == labels[None, :]
    hardest_pos = np.max(np.where(same, d, 0.0), axis=1)
    hardest_neg = np.min(np.where(same, np.inf, d), axis=1)
    return np.mean(np.maximum(hardest_pos - hardest_neg + margin, 0))


def center_loss(centers, feats, labels):
    return 0.5 * np.sum((feats - centers[labels]) ** 2) / len(labels)


def kernel_svm_dual(alpha, Kmat, y):
    ay = alpha * y
    return 0.5 * ay @ Kmat @ ay - alpha.sum()


E_SRC = rng.integers(0, 5, 9)
E_DST = rng.integers(0, 5, 9)
ADJ = (rng.random((5, 5)) > 0.5).astype(float)
ADJ = np.maximum(ADJ, ADJ.T)
case("mlp_list_of_tuples", mlp_layers_list,
     [(normal(3, 5), normal(5)), (normal(5, 4), normal(4)), (normal(4, 1), normal(1))], X, Y)
case("mlp_fstring_gelu", mlp_fstring_keys,
     {"W1": normal(3, 4), "b1": normal(4), "W2": normal(4, 4), "b2": normal(4),
      "W3": normal(4, 1)}, X, Y)
case("mlp_leaky_relu_where", mlp_leaky_relu_classifier,
     {"W1": normal(3, 6), "b1": normal(6, scale=0.1), "W2": normal(6, K)}, X, LABELS)
case("activation_zoo_tuple_params", mlp_activation_table, (normal(3, 4), normal(4, 2)), X, Y)
case("maxout_einsum", maxout_net, normal(3, 4, 3), X)
case("highway", highway_layer, {"Wt": normal(4, 4), "bt": normal(4), "Wh": normal(4, 4)},
     normal(5, 4))
case("batchnorm_training_stats", batchnorm_train, {"gamma": normal(3), "beta": normal(3)}, X)
case("batchnorm_training_input", lambda x, p: batchnorm_train(p, x), X,
     {"gamma": normal(3), "beta": normal(3)})
case("batchnorm_nchw_axis_tuple", batchnorm_nchw, normal(2), normal(2), normal(3, 2, 3, 3),
     argnums=(0, 1, 2))
case("layernorm_pow_minus_half", layernorm_manual, normal(4, 5), normal(5), normal(5),
     argnums=(0, 1, 2))
case("groupnorm_reshape", groupnorm, normal(2, 4, 2, 2), normal(4), normal(4), argnums=(0, 1))
case("rmsnorm", rmsnorm, normal(3, 4), normal(4), argnums=(0, 1))
case("attention_padding_lengths", attention_padding_mask,
     {"Wq": normal(3, 4), "Wk": normal(3, 4), "Wv": normal(3, 2)}, normal(5, 3),
     np.array([[3], [5], [2], [4], [1]]))
case("causal_attention_triu_indices_inf", causal_attention_triu_inf,
     {"Wq": normal(3, 4), "Wk": normal(3, 4), "Wv": normal(3, 2)}, normal(5, 3))
case("multihead_reshape_tril_mask", multihead_reshape_transpose,
     {"Wq": normal(4, 4), "Wk": normal(4, 4), "Wv": normal(4, 4), "Wo": normal(4, 4)},
     normal(2, 3, 4))
case("cross_attention_einsum_scalar", cross_attention_einsum,
     {"Wq": normal(3, 2), "Wk": normal(3, 2)},
     normal(4, 3), normal(5, 3))
case("bahdanau_additive_attention", additive_attention,
     {"W1": normal(3, 4), "W2": normal(2, 4), "v": normal(4)}, normal(5, 3), normal(2))
case("pre_ln_transformer_block", transformer_block,
     {"Wq": normal(4, 4), "Wk": normal(4, 4), "Wv": normal(4, 4), "W1": normal(4, 6),
      "W2": normal(6, 4)}, normal(3, 4))
case("conv2d_nchw_swv_axis", conv2d_swv_einsum_channels, normal(2, 2, 2, 2), normal(2, 2, 4, 4),
     normal(2), argnums=(0, 1, 2))
case("conv2d_strided_tensordot", conv2d_strided_slices, normal(3, 3), normal(7, 7),
     argnums=(0, 1))
case("conv2d_python_double_loop", conv2d_python_loops, normal(2, 2), normal(4, 5), argnums=(0, 1))
case("depthwise_conv1d", depthwise_conv1d, normal(2, 3), normal(2, 7))
case("conv1d_pad_dilated", conv1d_padded_dilated, normal(3), normal(6), argnums=(0, 1))
case("conv_transpose_slice_add", conv_transpose1d_add, normal(3), normal(5), argnums=(0, 1))
case("elman_rnn_loss_accumulate", elman_rnn,
     {"Wxh": normal(4, 2), "Whh": normal(4, 4, scale=0.5), "bh": normal(4), "Why": normal(1, 4)},
     normal(5, 2), normal(5, 1))
case("karpathy_char_rnn_dict_states", char_rnn_softmax,
     {"Wxh": normal(4, 5), "Whh": normal(4, 4, scale=0.5), "bh": normal(4, 1),
      "Why": normal(5, 4), "by": normal(5, 1)}, [0, 3, 2, 4], [3, 2, 4, 1])
case("gru_batch_first_stack", gru_batch_first,
     {"Wz": normal(2, 3), "Uz": normal(3, 3), "Wr": normal(2, 3), "Ur": normal(3, 3),
      "Wh": normal(2, 3), "Uh": normal(3, 3)}, normal(2, 4, 2))
case("lstm_tuple_gate_slices", lstm_gates_slices, (normal(2, 12), normal(3, 12), normal(12)),
     normal(4, 2))
case("bidirectional_rnn_reversed_lists", bidirectional_rnn,
     {"fx": normal(2, 3), "fh": normal(3, 3), "bx": normal(2, 3), "bh": normal(3, 3)},
     normal(4, 2))
case("seq2seq_teacher_forcing", seq2seq_teacher_forcing,
     {"We": normal(3, 2), "Ue": normal(3, 3), "Wd": normal(3, 2), "Ud": normal(3, 3),
      "Wo": normal(2, 3)}, normal(3, 2), normal(3, 2))
case("residual_blocks_list_of_dicts", residual_mlp_blocks,
     [{"W1": normal(3, 5), "W2": normal(5, 3)}, {"W1": normal(3, 5), "W2": normal(5, 3)}], X)
case("mixture_of_experts_softmax_gate", mixture_of_experts,
     {"Wg": normal(3, 3), "experts": [normal(3, 2) for _ in range(3)]}, X)
case("top1_moe_argmax_routing", top1_moe_argmax_routing,
     {"Wg": normal(3, 3), "We": normal(3, 3, 2)},
     X)
case("gcn_two_layer_list", gcn_two_layer, [normal(3, 4), normal(4, 3)], ADJ, normal(5, 3),
     rng.integers(0, 3, 5))
case("message_passing_add_at_bincount", message_passing_add_at, normal(3, 3), normal(5, 3),
     E_SRC, E_DST, argnums=(0, 1))
case("gat_leaky_where_adjacency", gat_layer, {"W": normal(3, 2), "a1": normal(2), "a2": normal(2)},
     normal(5, 3), ADJ)
case("matrix_factorization_biases_dict", matrix_factorization_sgd_loss,
     {"P": normal(4, 2), "Q": normal(5, 2), "bu": normal(4), "bi": normal(5)},
     rng.integers(0, 4, 12), rng.integers(0, 5, 12), rng.integers(1, 6, 12).astype(float))
case("nmf_softplus_fro", nmf_softplus_factors, [normal(4, 2), normal(2, 3)], rng.random((4, 3)))
case("bpr_tuple_embeddings", bpr_loss, (normal(3, 2), normal(6, 2)), rng.integers(0, 3, 8),
     rng.integers(0, 6, 8), rng.integers(0, 6, 8))
case("skipgram_negative_sampling", skipgram_negative_sampling,
     {"in": normal(6, 3, scale=0.5), "out": normal(6, 3, scale=0.5)}, rng.integers(0, 6, 4),
     rng.integers(0, 6, 4), rng.integers(0, 6, (4, 3)))
case("glove_weighting_minimum", glove_loss, (normal(5, 2), normal(5, 2), normal(5), normal(5)),
     rng.integers(0, 5, 7), rng.integers(0, 5, 7), rng.integers(1, 30, 7).astype(float))
case("transe_margin_norms", transe_margin, {"E": normal(5, 3), "R": normal(2, 3)},
     np.array([0, 1, 2, 3]), np.array([0, 1, 1, 0]), np.array([1, 2, 3, 4]), np.array([4, 0, 4, 2]))
case("factorization_machine", factorization_machine,
     {"w0": 0.1, "w": normal(D), "V": normal(D, 2)}, X, Y)
case("embedding_bag_reduceat", embedding_bag_mean, normal(6, 2), np.array([0, 2, 2, 5, 1, 3, 4]),
     np.array([0, 3, 5]), normal(3))
case("tied_autoencoder_three_args", autoencoder_tied_sigmoid, normal(6, 3, scale=0.5), normal(3),
     normal(6), (rng.random((4, 6)) > 0.5).astype(float), argnums=(0, 1, 2))
case("rbm_free_energy", rbm_free_energy, (normal(5, 3), normal(5), normal(3)),
     (rng.random((4, 5)) > 0.5) * 1.0)
case("neural_ode_rk4_closure", neural_ode_rk4, {"W1": normal(2, 4), "W2": normal(4, 2, scale=0.5)},
     normal(3, 2))
case("siamese_contrastive", siamese_contrastive, normal(3, 2), normal(6, 3), normal(6, 3),
     (rng.random(6) > 0.5).astype(float))
case("info_nce_diagonal_labels", info_nce, normal(3, 4), normal(5, 3), normal(5, 3))
case("nt_xent_eye_mask_inf", nt_xent_diag_mask, normal(3, 4), normal(3, 3), normal(3, 3))
case("clip_symmetric_default_arg", clip_symmetric, {"Wi": normal(4, 3), "Wt": normal(5, 3)},
     normal(4, 4), normal(4, 5))
case("triplet_batch_hard_masks", triplet_batch_hard, normal(3, 2), X, LABELS)
case("center_loss_gather", center_loss, normal(K, D), X, LABELS, argnums=(0, 1))
case("kernel_svm_dual", kernel_svm_dual, uniform(0, 1, N), KMAT, YPM.astype(float))

# ----------------------------------------------------------------------------- physics energies

PHYSICS, case = table()


def spring_network(pos, edges, rest, k=2.0):
    d = pos[edges[:, 0]] - pos[edges[:, 1]]
    length = np.sqrt((d ** 2).sum(axis=1))
    return 0.5 * k * np.sum((length - rest) ** 2)


def spring_chain_loop(x, k=1.0, L0=1.0):
    E = 0.0
    for i in range(len(x) - 1):
        E += 0.5 * k * (np.linalg.norm(x[i + 1] - x[i]) - L0) ** 2
    return E


def lennard_jones_triu(pos, eps=1.0, sigma=1.0):
    i, j = np.triu_indices(len(pos), k=1)
    r2 = np.sum((pos[i] - pos[j]) ** 2, axis=1)
    sr6 = (sigma ** 2 / r2) ** 3
    return 4 * eps * np.sum(sr6 ** 2 - sr6)


def lennard_jones_double_loop(pos):
    n = pos.shape[0]
    E = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            r = np.linalg.norm(pos[i] - pos[j])
            E = E + 4 * ((1 / r) ** 12 - (1 / r) ** 6)
    return E


def lj_cutoff_matrix(pos, rc=2.5):
    diff = pos[:, None, :] - pos[None, :, :]
    r = np.sqrt(np.sum(diff ** 2, axis=-1) + np.eye(len(pos)))
    e = 4 * (r ** -12 - r ** -6) - 4 * (rc ** -12 - rc ** -6)
    e = np.where((r < rc) & ~np.eye(len(pos), dtype=bool), e, 0.0)
    return 0.5 * e.sum()


def lj_periodic_minimum_image(pos, box=4.0):
    d = pos[:, None, :] - pos[None, :, :]
    d -= box * np.round(d / box)
    r2 = (d ** 2).sum(-1)
    iu = np.triu_indices(len(pos), 1)
    inv6 = 1 / r2[iu] ** 3
    return np.sum(4 * (inv6 ** 2 - inv6))


def morse(pos, D_e=1.0, a=1.5, r_e=1.2):
    i, j = np.triu_indices(pos.shape[0], 1)
    r = np.linalg.norm(pos[i] - pos[j], axis=-1)
    return np.sum(D_e * (1 - np.exp(-a * (r - r_e))) ** 2)


def coulomb(pos, q):
    n = len(q)
    E = 0.0
    for i in range(n):
        rij = np.sqrt(np.sum((pos[i] - pos[i + 1:]) ** 2, axis=1))
        E = E + np.sum(q[i] * q[i + 1:] / rij)
    return E


def gravity_nbody_potential(pos, m, G=1.0, soft=0.1):
    dx = pos[:, 0:1] - pos[:, 0:1].T
    dy = pos[:, 1:2] - pos[:, 1:2].T
    inv_r = 1.0 / np.sqrt(dx ** 2 + dy ** 2 + soft ** 2)
    inv_r = np.triu(inv_r, 1)
    return -G * np.sum(np.sum(m * m.T * inv_r))


def harmonic_angles(pos, triples, theta0=1.9, k=10.0):
    a, b, c = pos[triples[:, 0]], pos[triples[:, 1]], pos[triples[:, 2]]
    u, v = a - b, c - b
    cos = np.einsum("ij,ij->i", u, v) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1))
    theta = np.arccos(np.clip(cos, -1.0, 1.0))
    return 0.5 * k * np.sum((theta - theta0) ** 2)


def dihedral_energy(pos, k=1.0, n=3):
    b1, b2, b3 = pos[1] - pos[0], pos[2] - pos[1], pos[3] - pos[2]
    n1, n2 = np.cross(b1, b2), np.cross(b2, b3)
    m1 = np.cross(n1, b2 / np.linalg.norm(b2))
    phi = np.arctan2(m1 @ n2, n1 @ n2)
    return k * (1 + np.cos(n * phi))


def xy_model_roll(theta, J=1.0, h=0.2):
    e = -J * np.sum(np.cos(theta - np.roll(theta, 1, axis=0)))
    e -= J * np.sum(np.cos(theta - np.roll(theta, 1, axis=1)))
    return e - h * np.sum(np.cos(theta))


def heisenberg_normalized(spins):
    s = spins / np.linalg.norm(spins, axis=-1, keepdims=True)
    return -np.sum(s[:-1] * s[1:]) - 0.3 * np.sum(s[:, 2] ** 2)


def elastic_rod_bending(x, kb=1.0, ks=10.0):
    e = np.diff(x, axis=0)
    l = np.linalg.norm(e, axis=1)
    stretch = 0.5 * ks * np.sum((l - 1) ** 2)
    cosang = np.sum(e[1:] * e[:-1], axis=1) / (l[1:] * l[:-1])
    return stretch + kb * np.sum(1 - cosang)


def discrete_dirichlet_energy(u, h=0.25):
    ux = np.diff(u, axis=1) / h
    uy = np.diff(u, axis=0) / h
    return 0.5 * h * h * (np.sum(ux ** 2) + np.sum(uy ** 2)) - h * h * np.sum(u)


def mesh_dirichlet_triangles(u, verts, tris):
    e1 = verts[tris[:, 1]] - verts[tris[:, 0]]
    e2 = verts[tris[:, 2]] - verts[tris[:, 0]]
    area2 = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    du1 = u[tris[:, 1]] - u[tris[:, 0]]
    du2 = u[tris[:, 2]] - u[tris[:, 0]]
    gx = (du1 * e2[:, 1] - du2 * e1[:, 1]) / area2
    gy = (du2 * e1[:, 0] - du1 * e2[:, 0]) / area2
    return np.sum(0.25 * np.abs(area2) * (gx ** 2 + gy ** 2))


def mesh_area_energy(verts, tris):
    e1 = verts[tris[:, 1]] - verts[tris[:, 0]]
    e2 = verts[tris[:, 2]] - verts[tris[:, 0]]
    return 0.5 * np.sum(np.linalg.norm(np.cross(e1, e2), axis=1))


def total_variation_smooth_2d(img, eps=1e-3):
    dx = img[1:, :-1] - img[:-1, :-1]
    dy = img[:-1, 1:] - img[:-1, :-1]
    return np.sum(np.sqrt(dx ** 2 + dy ** 2 + eps))


def catenary_chain(y, x, g=9.81, L=1.2, k=100.0):
    dx, dy = np.diff(x), np.diff(y)
    seg = np.hypot(dx, dy)
    potential = g * np.sum(0.5 * (y[1:] + y[:-1]) * seg)
    return potential + k * np.sum((seg - L / len(dx)) ** 2)


def pendulum_action(q, dt=0.1, m=1.0, g=9.81, l=1.0):
    qdot = (q[1:] - q[:-1]) / dt
    qmid = 0.5 * (q[1:] + q[:-1])
    Lag = 0.5 * m * l ** 2 * qdot ** 2 + m * g * l * np.cos(qmid)
    return np.sum(Lag) * dt


def harmonic_oscillator_chain_hamiltonian(state, k=1.0, m=1.0):
    q, p = np.split(state, 2)
    return np.sum(p ** 2) / (2 * m) + 0.5 * k * np.sum(np.diff(q, prepend=0.0, append=0.0) ** 2)


def velocity_verlet_loss(q0, p0, dt=0.05, steps=10):
    def force(q):
        return -np.sin(q)
    q, p = q0, p0
    for _ in range(steps):
        p = p + 0.5 * dt * force(q)
        q = q + dt * p
        p = p + 0.5 * dt * force(q)
    return np.sum(q ** 2) + np.sum(p ** 2)


def stillinger_weber_like(pos):
    i, j = np.triu_indices(len(pos), 1)
    r = np.linalg.norm(pos[i] - pos[j], axis=1)
    cut = 3.0
    return np.sum(np.where(r < cut, (r ** -4 - 1) * np.exp(1 / (r - cut)), 0.0))


def ewald_real_space(pos, q, alpha=0.8, box=5.0):
    d = pos[:, None, :] - pos[None, :, :]
    d = d - box * np.round(d / box)
    r = np.sqrt(np.sum(d * d, axis=-1) + np.eye(len(q)))
    mask = 1 - np.eye(len(q))
    return 0.5 * np.sum(mask * np.outer(q, q) * np.exp(-alpha * r) / r)


def bond_lengths_tuple_dict(geometry, topology):
    pos, scale = geometry
    E = 0.0
    for (a, b), r0 in topology.items():
        E = E + (scale * np.linalg.norm(pos[a] - pos[b]) - r0) ** 2
    return E


def rigid_body_potential_quaternion(q, points, target):
    q = q / np.linalg.norm(q)
    w, x, y, z = q
    R = np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                  [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                  [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
    return np.sum((points @ R.T - target) ** 2)


def lattice_positions(n=3, a=1.1):
    g = np.arange(n) * a
    P = np.stack(np.meshgrid(g, g, indexing="ij"), axis=-1).reshape(-1, 2)
    return P + normal(*P.shape, scale=0.05)


POS2 = lattice_positions()
EDGES = np.array([[0, 1], [1, 2], [0, 3], [3, 4], [4, 5], [1, 4], [2, 5], [3, 6], [6, 7], [7, 8],
                  [4, 7], [5, 8]])
POS3 = np.concatenate([lattice_positions(2), 1.1 * np.ones((4, 1))], axis=1)
POS3 = np.concatenate([POS3, POS3 + [0.0, 0.0, 1.1]])
case("spring_network_fancy_edges", spring_network, POS2, EDGES, np.full(len(EDGES), 1.0))
case("spring_chain_norm_loop", spring_chain_loop, np.cumsum(uniform(0.5, 1.5, 5, 2), axis=0))
case("lennard_jones_triu_indices", lennard_jones_triu, POS3)
case("lennard_jones_double_loop", lennard_jones_double_loop, POS2)
case("lj_cutoff_eye_mask", lj_cutoff_matrix, POS2)
case("lj_minimum_image_round", lj_periodic_minimum_image, POS2 * 1.2)
case("morse_pairs", morse, POS3)
case("coulomb_row_slices", coulomb, POS3, np.array([1.0, -1, 1, -1, 0.5, -0.5, 1, -1]),
     argnums=(0, 1))
case("gravity_triu_column_slices", gravity_nbody_potential, POS2, uniform(1, 2, 9, 1),
     argnums=(0, 1))
case("harmonic_angles_arccos_clip", harmonic_angles, POS3, np.array([[0, 1, 2], [1, 2, 3],
                                                                     [4, 5, 6], [0, 4, 7]]))
case("dihedral_cross_arctan2", dihedral_energy, POS3[[0, 1, 3, 7]] + normal(4, 3, scale=0.1))
case("xy_model_roll", xy_model_roll, uniform(-np.pi, np.pi, 4, 4))
case("heisenberg_normalized_spins", heisenberg_normalized, normal(5, 3))
case("elastic_rod_bending", elastic_rod_bending, np.cumsum(uniform(0.5, 1, 6, 2), 0))
case("dirichlet_energy_diff", discrete_dirichlet_energy, normal(4, 5))
case("mesh_dirichlet_triangles", mesh_dirichlet_triangles, normal(9), POS2,
     np.array([[0, 1, 4], [0, 4, 3], [1, 2, 5], [1, 5, 4], [3, 4, 7], [3, 7, 6]]))
case("mesh_area_cross", mesh_area_energy, POS3, np.array([[0, 1, 2], [1, 3, 2], [4, 5, 6],
                                                          [0, 4, 5]]))
case("total_variation_image", total_variation_smooth_2d, normal(5, 5))
case("catenary_hypot", catenary_chain, -uniform(0, 0.3, 7), np.linspace(0, 1, 7))
case("pendulum_discrete_action", pendulum_action, uniform(-0.5, 0.5, 9))
case("oscillator_chain_prepend_append", harmonic_oscillator_chain_hamiltonian, normal(8))
case("velocity_verlet_closure_force", velocity_verlet_loss, normal(3), normal(3), argnums=(0, 1))
case("three_body_cutoff_where", stillinger_weber_like, POS3 * 0.9)
case("ewald_real_space_outer", ewald_real_space, POS3, np.array([1.0, -1, 1, -1, 1, -1, 1, -1]))
case("bond_lengths_dict_topology", bond_lengths_tuple_dict, (POS3, np.float64(1.05)),
     {(0, 1): 1.0, (1, 3): 1.2, (2, 6): 0.9})
case("quaternion_rotation_matrix_from_scalars", rigid_body_potential_quaternion,
     np.array([0.9, 0.1, -0.2, 0.3]), normal(5, 3), normal(5, 3))

# ----------------------------------------------------------------------------- test functions

TEST_FUNCTIONS, case = table()


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0)


def rosenbrock_loop(x, a=1, b=100):
    total = 0
    for i in range(len(x) - 1):
        total += b * (x[i + 1] - x[i] ** 2) ** 2 + (a - x[i]) ** 2
    return total


def rosenbrock_2d_tuple(xy):
    x, y = xy
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def rastrigin(x, A=10):
    return A * len(x) + np.sum(x ** 2 - A * np.cos(2 * np.pi * x))


def ackley(x, a=20, b=0.2, c=2 * np.pi):
    d = x.size
    return (-a * np.exp(-b * np.sqrt(np.sum(x ** 2) / d)) - np.exp(np.sum(np.cos(c * x)) / d)
            + a + np.e)


def beale(p):
    x, y = p[0], p[1]
    return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
            + (2.625 - x + x * y ** 3) ** 2)


def himmelblau(p):
    x, y = p
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


def styblinski_tang(x):
    return 0.5 * np.sum(x ** 4 - 16 * x ** 2 + 5 * x)


def griewank(x):
    i = np.arange(1, len(x) + 1)
    return 1 + np.sum(x ** 2) / 4000 - np.prod(np.cos(x / np.sqrt(i)))


def levy(x):
    w = 1 + (x - 1) / 4
    term1 = np.sin(np.pi * w[0]) ** 2
    wi = w[:-1]
    mid = np.sum((wi - 1) ** 2 * (1 + 10 * np.sin(np.pi * wi + 1) ** 2))
    term3 = (w[-1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[-1]) ** 2)
    return term1 + mid + term3


def michalewicz(x, m=10):
    i = np.arange(1, x.shape[0] + 1)
    return -np.sum(np.sin(x) * np.sin(i * x ** 2 / np.pi) ** (2 * m))


def zakharov(x):
    s = np.sum(0.5 * np.arange(1, len(x) + 1) * x)
    return np.sum(x ** 2) + s ** 2 + s ** 4


def dixon_price(x):
    i = np.arange(2, len(x) + 1)
    return (x[0] - 1) ** 2 + np.sum(i * (2 * x[1:] ** 2 - x[:-1]) ** 2)


def trid(x):
    return np.sum((x - 1) ** 2) - np.sum(x[1:] * x[:-1])


def powell(x):
    x4 = x.reshape(-1, 4)
    return np.sum((x4[:, 0] + 10 * x4[:, 1]) ** 2 + 5 * (x4[:, 2] - x4[:, 3]) ** 2
                  + (x4[:, 1] - 2 * x4[:, 2]) ** 4 + 10 * (x4[:, 0] - x4[:, 3]) ** 4)


def schwefel(x):
    return 418.9829 * len(x) - np.sum(x * np.sin(np.sqrt(np.abs(x))))


def sum_of_different_powers(x):
    return np.sum(np.abs(x) ** np.arange(2, len(x) + 2))


def goldstein_price(v):
    x, y = v[0], v[1]
    a = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y + 3 * y ** 2)
    b = 30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x ** 2 + 48 * y - 36 * x * y + 27 * y ** 2)
    return a * b


def easom(v):
    x, y = v
    return -np.cos(x) * np.cos(y) * np.exp(-((x - np.pi) ** 2 + (y - np.pi) ** 2))


def three_hump_camel(v):
    x, y = v
    return 2 * x ** 2 - 1.05 * x ** 4 + x ** 6 / 6 + x * y + y ** 2


def booth_matyas_sum(x, y):
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2 + 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y


def quadratic_form_condition(x, kappa=100.0):
    scales = np.logspace(0, np.log10(kappa), len(x))
    return 0.5 * x @ np.diag(scales) @ x


def rotated_ellipsoid_cumsum(x):
    return np.sum(np.cumsum(x) ** 2)


def bohachevsky(x):
    return x[0] ** 2 + 2 * x[1] ** 2 - 0.3 * np.cos(3 * np.pi * x[0]) - 0.4 * np.cos(
        4 * np.pi * x[1]) + 0.7


def perm_function(x, beta=0.5):
    d = len(x)
    j = np.arange(1, d + 1)
    total = 0.0
    for i in range(1, d + 1):
        total = total + np.sum((j + beta) * (x ** i - 1.0 / j ** i)) ** 2
    return total


case("rosenbrock_vectorized", rosenbrock, uniform(-1, 1, 5))
case("rosenbrock_loop_int_constants", rosenbrock_loop, uniform(-1, 1, 5))
case("rosenbrock_2d_unpack", rosenbrock_2d_tuple, np.array([-1.2, 1.0]))
case("rastrigin", rastrigin, uniform(-2, 2, 4))
case("ackley", ackley, uniform(-2, 2, 3))
case("beale", beale, np.array([1.0, 0.5]))
case("himmelblau_unpack", himmelblau, np.array([2.0, 1.0]))
case("styblinski_tang", styblinski_tang, uniform(-3, 3, 4))
case("griewank_prod", griewank, uniform(-5, 5, 4))
case("levy", levy, uniform(-3, 3, 4))
case("michalewicz_even_power", michalewicz, uniform(0.5, 2.5, 3))
case("zakharov", zakharov, uniform(-1, 1, 4))
case("dixon_price", dixon_price, uniform(-1, 1, 4))
case("trid", trid, uniform(-2, 2, 5))
case("powell_reshape", powell, uniform(-1, 1, 8))
case("schwefel_sqrt_abs", schwefel, uniform(1, 400, 3) * np.array([1, -1, 1]))
case("sum_of_different_powers", sum_of_different_powers,
     uniform(0.2, 1, 4) * np.array([1, -1, 1, -1]))
case("goldstein_price", goldstein_price, np.array([0.3, -0.6]))
case("easom", easom, np.array([3.0, 2.8]))
case("three_hump_camel_list", three_hump_camel, [0.5, -0.3])
case("booth_matyas_two_scalars", booth_matyas_sum, 1.0, 2.5, argnums=(0, 1))
case("ill_conditioned_logspace", quadratic_form_condition, normal(4))
case("rotated_ellipsoid_cumsum", rotated_ellipsoid_cumsum, normal(5))
case("bohachevsky", bohachevsky, np.array([0.3, -0.2]))
case("perm_loop_powers", perm_function, uniform(0, 1, 3))

# ----------------------------------------------------------------------------- linear algebra

LINALG, case = table()


def orthogonality_penalty(W_):
    return np.linalg.norm(W_.T @ W_ - np.eye(W_.shape[1]), "fro") ** 2


def spectral_norm_power_iteration(W_, u0, iters=30):
    u = u0
    for _ in range(iters):
        v = W_.T @ u
        v = v / np.linalg.norm(v)
        u = W_ @ v
        u = u / np.linalg.norm(u)
    return u @ W_ @ v


def log_det_cholesky(A_raw):
    A = A_raw @ A_raw.T + np.eye(len(A_raw))
    L = np.linalg.cholesky(A)
    return 2 * np.sum(np.log(np.diag(L)))


def logdet_slogdet_vs_det(A_raw):
    A = A_raw @ A_raw.T + 0.5 * np.eye(len(A_raw))
    return np.linalg.slogdet(A)[1] - np.log(np.linalg.det(A)) + np.trace(np.linalg.inv(A))


def matrix_sqrt_eigh(A_raw, B):
    A = A_raw @ A_raw.T + np.eye(3)
    w, V = np.linalg.eigh(A)
    sqrtA = (V * np.sqrt(w)) @ V.T
    return np.sum((sqrtA - B) ** 2)


def logm_spd_eigh(A_raw):
    A = A_raw @ A_raw.T + np.eye(len(A_raw))
    w, V = np.linalg.eigh(A)
    return np.linalg.norm(V @ np.diag(np.log(w)) @ V.T)


def top_eigenvalue_eigh(A_raw):
    S = 0.5 * (A_raw + A_raw.T)
    return np.linalg.eigh(S)[0][-1]


def eigvalsh_spread(A_raw):
    S = A_raw.T @ A_raw
    ev = np.linalg.eigvalsh(S)
    return ev.max() / ev.min()


def procrustes_loss(R_raw, A, B):
    U, s, Vt = np.linalg.svd(R_raw)
    R = U @ Vt
    return np.sum((A @ R - B) ** 2) + np.sum(s)


def mahalanobis_inv(mu, X, cov):
    P = np.linalg.inv(cov)
    d = X - mu
    return np.sum(np.einsum("ni,ij,nj->n", d, P, d))


def metric_learning_L(L, X, pairs, similar):
    diff = X[pairs[:, 0]] - X[pairs[:, 1]]
    M = L.T @ L
    d2 = np.einsum("ij,jk,ik->i", diff, M, diff)
    return np.sum(similar * d2 + (1 - similar) * np.maximum(0, 1 - d2))


def bures_wasserstein(A_raw, B):
    A = A_raw @ A_raw.T + np.eye(3)
    w, V = np.linalg.eigh(B)
    sB = V @ np.diag(np.sqrt(w)) @ V.T
    M = sB @ A @ sB
    wm = np.linalg.eigvalsh(M)
    return np.trace(A) + np.trace(B) - 2 * np.sum(np.sqrt(wm))


def expm_taylor(A, terms=14):
    out = np.eye(A.shape[0])
    term = np.eye(A.shape[0])
    for k in range(1, terms):
        term = term @ A / k
        out = out + term
    return np.sum(out ** 2)


def matrix_power_chain(A):
    return np.trace(np.linalg.matrix_power(A, 3)) + np.sum(np.linalg.matrix_power(A, 2)[0])


def nuclear_and_spectral_norms(A):
    return np.linalg.norm(A, "nuc") + np.linalg.norm(A, 2) + np.linalg.norm(A, -2)


def vector_norm_orders(x):
    return (np.linalg.norm(x, 1) + np.linalg.norm(x, 3) + np.linalg.norm(x, np.inf)
            + np.linalg.norm(x, -np.inf))


def row_norms_axis_keepdims(X_):
    n = np.linalg.norm(X_, axis=1, keepdims=True)
    return np.sum(X_ / n * np.arange(X_.shape[1]))


def matrix_norms_1_inf(A):
    return np.linalg.norm(A, 1) + np.linalg.norm(A, np.inf) + np.linalg.norm(A)


def det_of_jacobian_volume(J):
    return np.log(np.abs(np.linalg.det(J)))


def trace_inverse_regularized(A_raw, lam):
    return np.trace(np.linalg.inv(A_raw.T @ A_raw + lam * np.eye(A_raw.shape[1])))


def solve_batched_dict(p, b):
    A = p["L"] @ np.swapaxes(p["L"], -1, -2) + np.eye(3)
    x = np.linalg.solve(A, b[..., None])[..., 0]
    return np.sum(x ** 2)


def least_squares_pinv(A, y):
    w = np.linalg.pinv(A) @ y
    return np.sum((A @ w) ** 2) + np.sum(w)


def cca_like_trace(Wx, X_, Y_):
    C = Wx.T @ X_.T @ Y_ @ Y_.T @ X_ @ Wx
    return -np.trace(C) / np.trace(Wx.T @ X_.T @ X_ @ Wx)


def pca_reconstruction(W_, X_):
    Q, _ = np.linalg.qr(W_)
    Xc = X_ - X_.mean(axis=0)
    return np.sum((Xc - Xc @ Q @ Q.T) ** 2)


def kernel_alignment(log_gamma, X_, y):
    d = np.sum((X_[:, None] - X_[None]) ** 2, -1)
    Kmat = np.exp(-np.exp(log_gamma) * d)
    Yk = np.outer(y, y)
    return -np.sum(Kmat * Yk) / (np.linalg.norm(Kmat) * np.linalg.norm(Yk))


def determinant_point_process(L_raw, subset):
    Lk = L_raw @ L_raw.T + 0.1 * np.eye(len(L_raw))
    sub = Lk[np.ix_(subset, subset)]
    return -(np.linalg.slogdet(sub)[1] - np.linalg.slogdet(Lk + np.eye(len(Lk)))[1])


def gram_schmidt_loss(V):
    Q = []
    for v in V:
        w = v.copy()
        for q in Q:
            w = w - (q @ v) * q
        Q.append(w / np.linalg.norm(w))
    Q = np.array(Q)
    return np.sum(Q[:, 0] * np.arange(1, len(Q) + 1))


def lyapunov_residual(P, A, Q):
    return np.sum((A.T @ P + P @ A + Q) ** 2)


def cross_product_loss(a, b):
    c = np.cross(a, b)
    return np.sum(c ** 2) + np.linalg.norm(np.cross(a[0], b[1]))


SPD3 = np.array([[2.0, 0.3, 0.1], [0.3, 1.5, 0.2], [0.1, 0.2, 1.0]])
case("orthogonality_fro", orthogonality_penalty, normal(4, 3))
case("spectral_norm_power_iteration", spectral_norm_power_iteration,
     np.diag([3.0, 1.0, 0.5]) + 0.1 * normal(3, 3), np.ones(3) / np.sqrt(3))
case("logdet_cholesky", log_det_cholesky, normal(3, 3))
case("slogdet_det_inv", logdet_slogdet_vs_det, normal(3, 3))
case("matrix_sqrt_eigh_broadcast", matrix_sqrt_eigh, normal(3, 3), SPD3)
case("logm_eigh_diag", logm_spd_eigh, normal(3, 3))
case("top_eigenvalue", top_eigenvalue_eigh, normal(3, 3))
case("condition_eigvalsh", eigvalsh_spread, normal(4, 3))
case("procrustes_svd", procrustes_loss, normal(3, 3), normal(5, 3), normal(5, 3))
case("mahalanobis_inv_einsum", mahalanobis_inv, normal(3), normal(6, 3), SPD3, argnums=(0, 2))
case("metric_learning_pairs", metric_learning_L, normal(3, 3), normal(6, 3),
     np.array([[0, 1], [2, 3], [4, 5], [0, 5]]), np.array([1.0, 0.0, 1.0, 0.0]))
case("bures_wasserstein", bures_wasserstein, normal(3, 3, scale=0.5), SPD3)
case("expm_taylor_loop", expm_taylor, normal(3, 3, scale=0.3))
case("matrix_power", matrix_power_chain, normal(3, 3))
case("nuclear_spectral_norms", nuclear_and_spectral_norms, normal(3, 4))
case("vector_norm_orders", vector_norm_orders, np.array([0.3, -1.2, 0.7, 2.1, -0.1]))
case("row_norms_keepdims", row_norms_axis_keepdims, normal(4, 3))
case("matrix_norms_1_inf_fro", matrix_norms_1_inf, normal(3, 3) + np.diag([3.0, -4.0, 5.0]))
case("log_abs_det", det_of_jacobian_volume, normal(3, 3))
case("trace_inv_ridge_lambda", trace_inverse_regularized, normal(5, 3), 0.5, argnums=(0, 1))
case("batched_solve_swapaxes", solve_batched_dict, {"L": normal(2, 3, 3)}, normal(2, 3))
case("pinv_least_squares", least_squares_pinv, normal(5, 3), normal(5))
case("cca_trace_ratio", cca_like_trace, normal(3, 2), normal(6, 3), normal(6, 2))
case("pca_qr_reconstruction", pca_reconstruction, normal(4, 2), normal(7, 4))
case("kernel_alignment_outer", kernel_alignment, np.float64(-0.5), normal(6, 2), YPM[:6] * 1.0)
case("dpp_ix_slogdet", determinant_point_process, normal(5, 5), np.array([0, 2, 3]))
case("gram_schmidt_list", gram_schmidt_loss, normal(3, 3))
case("lyapunov_residual", lyapunov_residual, SPD3, -np.eye(3) + 0.1 * normal(3, 3), np.eye(3),
     argnums=(0, 1))
case("cross_products", cross_product_loss, normal(4, 3), normal(4, 3), argnums=(0, 1))

# ------------------------------------------------------------------------ order statistics, kinks

KINKS, case = table()


def trimmed_mean_sort(x, k=2):
    s = np.sort(x)
    return np.mean(s[k:-k] ** 2)


def cvar_loss(w, X, y, alpha=0.3):
    losses = (X @ w - y) ** 2
    s = np.sort(losses)[::-1]
    k = int(np.ceil(alpha * len(s)))
    return s[:k].mean()


def top_k_argsort(w, X, y, k=3):
    losses = np.abs(X @ w - y)
    idx = np.argsort(losses)[-k:]
    return np.sum(losses[idx])


def top_k_partition(x, k=3):
    return np.sum(np.partition(x, -k)[-k:])


def median_absolute_loss(w, X, y):
    return np.median(np.abs(X @ w - y))


def percentile_loss(w, X, y):
    r = (X @ w - y) ** 2
    return np.percentile(r, 75) + np.quantile(r, 0.25, method="linear")


def max_pooling_axis_tuple(x):
    return np.sum(x.max(axis=(1, 2)) ** 2) + np.amin(x, axis=0).sum()


def ppo_clip(theta, states, actions, old_logp, adv, eps=0.2):
    logp = log_softmax(states @ theta)[np.arange(len(actions)), actions]
    ratio = np.exp(logp - old_logp)
    return -np.mean(np.minimum(ratio * adv, np.clip(ratio, 1 - eps, 1 + eps) * adv))


def relu6_hardtanh(x):
    return np.sum(np.minimum(np.maximum(x, 0), 6) ** 2) + np.sum(np.clip(x, -1, 1) * x)


def gradient_clipping_by_value(g):
    return np.sum(np.clip(g, -0.5, 0.5) ** 2)


def clip_by_norm_where(g, max_norm=1.0):
    n = np.linalg.norm(g)
    return np.sum((g * np.minimum(1.0, max_norm / n)) ** 3)


def lovasz_hinge(logits, labels):
    signs = 2.0 * labels - 1.0
    errors = 1.0 - logits * signs
    perm = np.argsort(-errors)
    errors_sorted = errors[perm]
    gt = labels[perm]
    gts = gt.sum()
    inter = gts - np.cumsum(gt)
    union = gts + np.cumsum(1.0 - gt)
    jaccard = 1.0 - inter / union
    jaccard[1:] = jaccard[1:] - jaccard[:-1]
    return np.dot(np.maximum(errors_sorted, 0), jaccard)


def max_margin_structured(W_, X, y):
    s = X @ W_
    aug = s + (np.arange(s.shape[1]) != y[:, None])
    return np.sum(aug.max(axis=1) - s[np.arange(len(y)), y])


def fmax_fmin(x, y):
    return np.sum(np.fmax(x, y) ** 2 - np.fmin(x, 0.1 * y))


def running_max_accumulate(x):
    return np.sum(np.maximum.accumulate(x) * np.arange(len(x)))


def soft_sort_ranks(x, tau=0.3):
    pair = (x[:, None] - x[None, :]) / tau
    return np.sum(sigmoid(pair).sum(axis=1) * np.arange(len(x)))


def nan_aware_loss(pred, target):
    mask = ~np.isnan(target)
    diff = np.where(mask, pred - np.nan_to_num(target), 0.0)
    return np.sum(diff ** 2) / mask.sum()


def nanstd_nanvar_loss(pred, target):
    r = pred - target
    return np.nanstd(r) + np.nanvar(r, ddof=1) + np.nanmean(np.where(np.isnan(r), 0.0, r) ** 2)


def masked_mse_sum_where(pred, target, mask):
    return np.sum((pred - target) ** 2, where=mask) / np.count_nonzero(mask)


def argmax_straight_through_like(logits, values):
    hard = np.zeros_like(logits)
    hard[np.arange(len(logits)), np.argmax(logits, axis=1)] = 1.0
    soft = np.exp(log_softmax(logits))
    return np.sum((hard + soft - soft) * values)


def sign_and_abs(x, w):
    return np.sum(np.sign(x) * w ** 2) + np.sum(np.abs(w) * x)


def floor_round_zero_grad(x):
    return np.sum(x * np.floor(3 * x) + np.round(x, 1) ** 2 + np.ceil(x) * x)


def max_of_list_python(x):
    return max(x[0] ** 2, x[1], 0.5) + min(np.sum(x), 10.0)


def ramp_heaviside(x):
    return np.sum(np.heaviside(x, 0.5) * x ** 2)


def hinge_ranking_pairwise(w, X, rel):
    s = X @ w
    better = rel[:, None] > rel[None, :]
    return np.sum(np.where(better, np.maximum(0, 1 - (s[:, None] - s[None, :])), 0))


def listnet(w, X, rel):
    s = X @ w
    return -np.sum(np.exp(log_softmax(rel)) * log_softmax(s))


def sorted_weighted_owa(x, weights):
    return np.dot(np.sort(x)[::-1], weights)


def smooth_max_logsumexp_temperature(x, t=0.1):
    return t * logsumexp(x / t)


case("trimmed_mean_sort_slices", trimmed_mean_sort, normal(9))
case("cvar_sorted_descending", cvar_loss, W, X, Y)
case("top_k_argsort_tail", top_k_argsort, W, X, Y)
case("top_k_partition", top_k_partition, normal(8))
case("median_absolute_even_count", median_absolute_loss, W, X, Y)
case("percentile_quantile", percentile_loss, W, X, Y)
case("max_pool_axis_tuple_amin", max_pooling_axis_tuple, normal(3, 2, 4))
case("ppo_clipped_minimum", ppo_clip, normal(3, 3), normal(N, 3), rng.integers(0, 3, N),
     np.log(np.full(N, 1 / 3)) + normal(N, scale=0.3), normal(N))
case("relu6_hardtanh", relu6_hardtanh, uniform(-2, 8, 12))
case("gradient_clip_by_value", gradient_clipping_by_value, uniform(-1, 1, 10))
case("clip_by_norm_minimum", clip_by_norm_where, normal(5))
case("lovasz_hinge_argsort_cumsum", lovasz_hinge, normal(8), (rng.random(8) > 0.5).astype(float))
case("structured_hinge_bool_cost", max_margin_structured, WK, X, LABELS)
case("fmax_fmin", fmax_fmin, normal(6), normal(6), argnums=(0, 1))
case("maximum_accumulate", running_max_accumulate, normal(8))
case("soft_sort_ranks", soft_sort_ranks, normal(5))
T_NAN = np.array([1.0, np.nan, 0.5, np.nan, 2.0, 0.1])
case("nan_targets_nan_to_num", nan_aware_loss, normal(6), T_NAN)
case("nanstd_nanvar_ddof", nanstd_nanvar_loss, normal(6), T_NAN)
case("sum_where_mask_count_nonzero", masked_mse_sum_where, normal(6), normal(6),
     np.array([True, False, True, True, False, True]))
case("argmax_one_hot_straight_through", argmax_straight_through_like, normal(4, 3), normal(4, 3),
     argnums=(0, 1))
case("sign_and_abs", sign_and_abs, normal(5), normal(5), argnums=(0, 1))
case("floor_round_ceil", floor_round_zero_grad, uniform(0.05, 0.3, 5) + np.arange(5) * 0.31)
case("python_max_min_builtins", max_of_list_python, np.array([1.5, 0.3, 0.4]))
case("heaviside", ramp_heaviside, normal(6))
case("pairwise_ranking_hinge", hinge_ranking_pairwise, W, X, rng.integers(0, 3, N))
case("listnet", listnet, W, X, normal(N))
case("owa_sorted_dot", sorted_weighted_owa, normal(5), np.array([0.4, 0.3, 0.15, 0.1, 0.05]),
     argnums=(0, 1))
case("smooth_max_temperature", smooth_max_logsumexp_temperature, normal(6))

# ------------------------------------------------------------------------ reinforcement learning

RL, case = table()


def discounted_returns_reversed(rewards, gamma=0.9):
    G = np.zeros_like(rewards)
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        G[t] = running
    return G


def reinforce_baseline(theta, states, actions, rewards, b_w):
    logits = states @ theta
    logp = log_softmax(logits)[np.arange(len(actions)), actions]
    G = discounted_returns_reversed(rewards)
    baseline = states @ b_w
    adv = G - baseline
    return -np.sum(logp * adv) + 0.5 * np.sum(adv ** 2)


def gae_advantages(values, rewards, dones, gamma=0.99, lam=0.95):
    adv = np.zeros(len(rewards))
    last = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        nonterminal = 1.0 - dones[t]
        delta = rewards[t] + gamma * values[t + 1] * nonterminal - values[t]
        last = delta + gamma * lam * nonterminal * last
        adv[t] = last
    return np.sum(adv ** 2)


def a2c_loss(params, states, actions, returns, ent_coef=0.01):
    logits = states @ params["pi"]
    v = states @ params["v"]
    logp_all = log_softmax(logits)
    p = np.exp(logp_all)
    adv = returns - v
    pg = -np.mean(logp_all[np.arange(len(actions)), actions] * adv)
    vf = 0.5 * np.mean(adv ** 2)
    ent = -np.mean(np.sum(p * logp_all, axis=1))
    return pg + vf - ent_coef * ent


def dqn_huber_td(W_, s, a, r, s_next, done, target_W, gamma=0.99):
    q = (s @ W_)[np.arange(len(a)), a]
    target = r + gamma * (1 - done) * np.max(s_next @ target_W, axis=1)
    d = q - target
    return np.mean(np.where(np.abs(d) < 1, 0.5 * d ** 2, np.abs(d) - 0.5))


def double_dqn(W_, s, a, r, s_next, target_W, gamma=0.9):
    q = np.take_along_axis(s @ W_, a[:, None], axis=1).squeeze(1)
    best = np.argmax(s_next @ W_, axis=1)
    q_next = (s_next @ target_W)[np.arange(len(best)), best]
    return np.mean((q - (r + gamma * q_next)) ** 2)


def soft_q_target(W_, s, a, r, s_next, alpha=0.5, gamma=0.9):
    q = (s @ W_)[np.arange(len(a)), a]
    v_next = alpha * logsumexp(s_next @ W_ / alpha, axis=1)
    return np.mean((q - r - gamma * v_next) ** 2)


def cql_regularizer(W_, s, a):
    q = s @ W_
    return np.mean(logsumexp(q, axis=1) - q[np.arange(len(a)), a])


def td0_linear_value(w, features, rewards, gamma=0.95):
    v = features @ w
    td = rewards[:-1] + gamma * v[1:] - v[:-1]
    return 0.5 * np.sum(td ** 2)


def sac_temperature(log_alpha, logp, target_entropy=-2.0):
    return -np.mean(np.exp(log_alpha) * (logp + target_entropy))


def gaussian_policy_logprob(params, states, actions):
    mu = states @ params["W"]
    log_std = np.clip(params["log_std"], -5, 2)
    z = (actions - mu) / np.exp(log_std)
    logp = -0.5 * np.sum(z ** 2 + 2 * log_std + np.log(2 * np.pi), axis=1)
    return -np.mean(logp)


def tanh_squashed_logprob(mu, log_std, eps):
    u = mu + np.exp(log_std) * eps
    a = np.tanh(u)
    logp = np.sum(-0.5 * eps ** 2 - log_std - 0.5 * np.log(2 * np.pi)
                  - np.log(1 - a ** 2 + 1e-6), axis=-1)
    return np.mean(logp) + np.mean(a ** 2)


def dpo_loss(theta, feats_w, feats_l, ref_w, ref_l, beta=0.1):
    lw, ll = feats_w @ theta, feats_l @ theta
    z = beta * ((lw - ref_w) - (ll - ref_l))
    return -np.mean(np.log(sigmoid(z)))


def awr_weights_clip(theta, states, actions, adv, beta=1.0):
    w = np.minimum(np.exp(adv / beta), 20.0)
    logp = log_softmax(states @ theta)[np.arange(len(actions)), actions]
    return -np.mean(w * logp)


def bellman_residual_tabular(V, P, R, gamma=0.9):
    return np.sum((V - (R + gamma * P @ V)) ** 2)


def value_iteration_soft(R, P, gamma=0.8, iters=15):
    V = np.zeros(R.shape[0])
    for _ in range(iters):
        Q = R + gamma * np.einsum("sat,t->sa", P, V)
        V = logsumexp(Q, axis=1)
    return V[0]


SA = normal(N, 3)
case("reinforce_baseline_reversed_loop", reinforce_baseline, normal(3, 3), SA,
     rng.integers(0, 3, N),
     normal(N), normal(3), argnums=(0, 4))
case("gae_range_step_minus_one", gae_advantages, normal(N + 1), normal(N),
     (rng.random(N) > 0.8).astype(float))
case("discounted_returns_rewards_grad", lambda r: np.sum(discounted_returns_reversed(r) ** 2),
     normal(N))
case("a2c_entropy", a2c_loss, {"pi": normal(3, 3), "v": normal(3)}, SA, rng.integers(0, 3, N),
     normal(N))
case("dqn_huber_target_constant", dqn_huber_td, normal(3, 2), SA, rng.integers(0, 2, N), normal(N),
     normal(N, 3), (rng.random(N) > 0.7).astype(float), normal(3, 2))
case("double_dqn_argmax_online", double_dqn, normal(3, 2), SA, rng.integers(0, 2, N), normal(N),
     normal(N, 3), normal(3, 2))
case("soft_q_logsumexp", soft_q_target, normal(3, 2), SA, rng.integers(0, 2, N), normal(N),
     normal(N, 3))
case("cql_regularizer", cql_regularizer, normal(3, 2), SA, rng.integers(0, 2, N))
case("td0_linear_semigradient_free", td0_linear_value, normal(3), SA, normal(N))
case("sac_temperature_scalar", sac_temperature, np.float64(0.1), normal(N))
case("gaussian_policy_clip_log_std", gaussian_policy_logprob, {"W": normal(3, 2),
                                                              "log_std": np.array([-0.3, 0.2])},
     SA, normal(N, 2))
case("tanh_squashed_gaussian", tanh_squashed_logprob, normal(2, scale=0.3), normal(2, scale=0.2),
     normal(5, 2), argnums=(0, 1))
case("dpo_preference", dpo_loss, normal(3), normal(6, 3), normal(6, 3), normal(6), normal(6))
case("awr_exp_weights_minimum", awr_weights_clip, normal(3, 3), SA, rng.integers(0, 3, N),
     normal(N))
case("bellman_residual_tabular", bellman_residual_tabular, normal(4),
     rng.dirichlet(np.ones(4), 4), normal(4), argnums=(0, 2))
case("soft_value_iteration_einsum", value_iteration_soft, normal(3, 2),
     rng.dirichlet(np.ones(3), (3, 2)))

# ----------------------------------------------------------------------------- parameter handling

PARAMS, case = table()


def weight_decay_over_items(p, X, y, lam=0.01):
    h = np.tanh(X @ p["W1"] + p["b1"])
    out = (h @ p["W2"] + p["b2"]).ravel()
    reg = 0.0
    for name, value in p.items():
        if name.startswith("W"):
            reg += np.sum(value ** 2)
    return np.mean((out - y) ** 2) + lam * reg


def sum_over_values_generator(p):
    return sum(np.sum(v ** 2) for v in p.values()) + len(p)


def global_norm_concatenate(params):
    flat = np.concatenate([v.ravel() for v in params])
    return np.linalg.norm(flat) ** 1.5


def scipy_style_flat_theta(theta, X, y):
    W1 = theta[:12].reshape(3, 4)
    b1 = theta[12:16]
    W2 = theta[16:20]
    return np.mean((np.tanh(X @ W1 + b1) @ W2 - y) ** 2)


def builtins_over_a_vector(w):
    return sum(w) ** 2 + sum(x * x for x in w) + abs(w[0] - 3)


def copies_and_out_arguments(w):
    a = np.array(w)
    b = np.copy(w)
    c = np.asarray(w, dtype=float).copy()
    a[0] = 0
    b *= 2
    np.exp(c, out=c)
    np.maximum(b, 0, out=b)
    return np.sum(a * b) + np.sum(c) + np.atleast_2d(w).sum() + np.sum(np.clip(w, 0, None))


def dot_products_to_scalars(w):
    return np.dot(w, w) + w @ w + np.einsum("i,i", w, w) + np.inner(w, w) + np.vdot(w, w)


def zip_of_strided_list(params, X, y):
    h = X
    for W_, b in zip(params[::2], params[1::2]):
        h = np.tanh(h @ W_ + b)
    return np.mean((h.ravel() - y) ** 2)


def weight_norm_in_place(w, X, y):
    w /= np.linalg.norm(w)
    return np.mean((X @ w - y) ** 2)


def max_norm_constraint_in_place(W_, X):
    norms = np.linalg.norm(W_, axis=0)
    W_ *= np.minimum(1.0, 2.0 / norms)
    return np.sum(np.tanh(X @ W_) ** 2)


def param_dict_rebinding(p, x):
    p["scale"] = np.exp(p["log_scale"])
    p["w"][0] = 0.0
    return np.sum((x * p["w"] * p["scale"]) ** 2)


def asarray_alias_out(w):
    c = np.asarray(w, dtype=float)
    np.exp(c, out=c)
    return np.sum(c) + np.sum(w)


def methods_of_a_parameter(x):
    return (x.clip(0).sum() + x.max(0).sum() + (x.T @ x).trace() + x.std() + x.var(ddof=1)
            + x.prod() + x.cumsum()[-2] + x.mean(axis=-1).dot(x.sum(1)) + x.diagonal().sum()
            + x.flatten()[3] + x.ravel()[-1] + x[None].squeeze().repeat(2, 0).sum()
            + x.round().sum() * x.sum() + x.conj().sum() + x.ravel()[x.argmax()])


P_MLP = {"W1": normal(3, 4), "b1": np.zeros(4), "W2": normal(4, 1), "b2": np.zeros(1)}
case("weight_decay_items_startswith", weight_decay_over_items, P_MLP, X, Y)
case("sum_over_values_generator", sum_over_values_generator, P_MLP)
case("global_norm_concatenate_ravel", global_norm_concatenate, [normal(2, 2), normal(3)])
case("scipy_flat_theta_reshape", scipy_style_flat_theta, normal(20), X, Y)
case("python_sum_abs_builtins", builtins_over_a_vector, normal(4))
case("copies_and_out_arguments", copies_and_out_arguments, normal(4))
case("dot_vdot_inner_einsum_scalars", dot_products_to_scalars, normal(4))
case("zip_strided_param_list", zip_of_strided_list,
     [normal(3, 4), normal(4), normal(4, 1), normal(1)], X, Y)
case("weight_norm_written_in_place", weight_norm_in_place, normal(D), X, Y)
case("max_norm_in_place_imul", max_norm_constraint_in_place, normal(3, 4), X)
case("param_dict_item_rebound", param_dict_rebinding,
     {"w": normal(3), "log_scale": normal(3, scale=0.2), "scale": np.ones(3)}, normal(3))
case("asarray_alias_exp_out", asarray_alias_out, normal(4))
case("ndarray_methods_on_a_parameter", methods_of_a_parameter, normal(4, 3))

TABLES = {"regression": REGRESSION, "classification": CLASSIFICATION, "divergences": DIVERGENCES,
          "probabilistic": PROBABILISTIC, "models": MODELS, "physics": PHYSICS,
          "test_functions": TEST_FUNCTIONS, "linalg": LINALG, "kinks": KINKS, "rl": RL,
          "params": PARAMS}
ALL = [(f"{domain}-{name}", fn, args, argnums) for domain, cases in TABLES.items()
       for name, (fn, args, argnums) in cases.items()]


@pytest.mark.parametrize("fn, args, argnums", [c[1:] for c in ALL], ids=[c[0] for c in ALL])
def test_value_and_gradient_match_numpy_and_finite_differences(fn, args, argnums):
    check_grads(fn, args, argnums)


def test_there_are_many_cases():
    assert len(ALL) >= 250


# ----------------------------------------------------------------------------- closed forms


def test_ridge_and_lasso_gradients_are_the_normal_equations():
    w = normal(D)
    g = tracenp.grad(ridge)(w, X, Y)
    np.testing.assert_allclose(g, 2 * X.T @ (X @ w - Y) / N + 0.2 * w, rtol=1e-12)
    g = tracenp.jit(tracenp.grad(lasso))(w, X, Y)
    np.testing.assert_allclose(g, -X.T @ (Y - X @ w) / N + 0.3 * np.sign(w), rtol=1e-12)


def test_softmax_cross_entropy_gradient_is_probabilities_minus_one_hot():
    for loss in (softmax_ce_fancy, softmax_ce_loop, ce_onehot_zeros_setitem, ce_ignore_index):
        g = tracenp.grad(loss)(WK, X, LABELS)
        p = np.exp(log_softmax(X @ WK))
        y = LABELS.copy()
        keep = np.ones(N, bool)
        if loss is ce_ignore_index:
            keep[::3] = False
        p[np.arange(N), y] -= 1
        want = X[keep].T @ p[keep] / keep.sum()
        np.testing.assert_allclose(g, want, rtol=1e-10, atol=1e-14)


def test_logistic_gradient_and_hessian_are_the_irls_ones():
    w = normal(D + 1)
    g = tracenp.grad(logistic_l2_sklearn)(w, X, YPM)
    z = YPM * (X @ w[:-1] + w[-1])
    s = -YPM * sigmoid(-z)
    np.testing.assert_allclose(g[:-1], X.T @ s + w[:-1], rtol=1e-12)
    np.testing.assert_allclose(g[-1], s.sum(), rtol=1e-12)
    H = tracenp.jacobian(tracenp.grad(logistic_l2_sklearn))(w, X, YPM)
    p = sigmoid(z)
    Xa = np.hstack([X, np.ones((N, 1))])
    want = Xa.T @ (Xa * (p * (1 - p))[:, None]) + np.diag([1.0] * D + [0.0])
    np.testing.assert_allclose(H, want, rtol=1e-10)


def test_pair_potential_gradients_are_minus_the_forces():
    def lj_forces(pos, rc=np.inf):
        F = np.zeros_like(pos)
        for i in range(len(pos)):
            for j in range(len(pos)):
                if i != j and np.linalg.norm(pos[i] - pos[j]) < rc:
                    r = pos[i] - pos[j]
                    d2 = r @ r
                    F[i] += 24 * (2 * d2 ** -7 - d2 ** -4) * r
        return F

    for energy, pos, rc in [(lennard_jones_triu, POS3, np.inf),
                            (lennard_jones_double_loop, POS2, np.inf),
                            (lj_cutoff_matrix, POS2, 2.5)]:
        np.testing.assert_allclose(-tracenp.grad(energy)(pos), lj_forces(pos, rc), rtol=1e-9,
                                   atol=1e-12)
    d = POS2[EDGES[:, 0]] - POS2[EDGES[:, 1]]
    L = np.linalg.norm(d, axis=1)
    f = 2.0 * (L - 1.0)[:, None] * d / L[:, None]
    want = np.zeros_like(POS2)
    np.add.at(want, EDGES[:, 0], f)
    np.add.at(want, EDGES[:, 1], -f)
    got = tracenp.jit(tracenp.grad(spring_network))(POS2, EDGES, np.ones(len(EDGES)))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_rosenbrock_gradient_is_the_textbook_one():
    x = uniform(-1, 1, 6)
    want = np.zeros_like(x)
    want[:-1] = -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    want[1:] += 200 * (x[1:] - x[:-1] ** 2)
    for f in (rosenbrock, rosenbrock_loop):
        np.testing.assert_allclose(tracenp.grad(f)(x), want, rtol=1e-12)
    g = tracenp.grad(rosenbrock_2d_tuple)(np.array([-1.2, 1.0]))
    np.testing.assert_allclose(g, [-215.6, -88.0], rtol=1e-12)


def test_gp_gradient_is_the_trace_formula():
    """d(-log p(y))/d log_noise = -0.5 tr((aa^T - K^-1) dK) with dK = 2 sn^2 I."""
    Xg, yg = normal(7, 2), normal(7)
    theta = np.log([1.0, 1.2, 0.3])
    g = tracenp.grad(gp_marginal_cholesky)(theta, Xg, yg)
    ell, sf, sn = np.exp(theta)
    sq = ((Xg[:, None] - Xg[None]) ** 2).sum(-1)
    Kmat = sf ** 2 * np.exp(-0.5 * sq / ell ** 2) + (sn ** 2 + 1e-8) * np.eye(7)
    Ki = np.linalg.inv(Kmat)
    a = Ki @ yg
    for k, dK in enumerate([sf ** 2 * np.exp(-0.5 * sq / ell ** 2) * sq / ell ** 2,
                            2 * sf ** 2 * np.exp(-0.5 * sq / ell ** 2), 2 * sn ** 2 * np.eye(7)]):
        assert g[k] == pytest.approx(-0.5 * np.trace((np.outer(a, a) - Ki) @ dK), rel=1e-8)



def test_large_shapes_match_the_hand_written_backward_passes():
    """Shapes past the small-kernel paths (BLAS products, chunked reductions): an MLP with
    cross-entropy, batch norm's input gradient and softmax attention, against their backward
    passes written out."""
    r = np.random.default_rng(7)
    n, d, h, k = 4097, 33, 65, 7
    Xl, yl = r.standard_normal((n, d)), r.integers(0, k, n)
    p = {"W1": r.standard_normal((d, h)) * 0.1, "b1": r.standard_normal(h) * 0.1,
         "W2": r.standard_normal((h, k)) * 0.1, "b2": np.zeros(k)}

    def mlp(p, X, y):
        z1 = X @ p["W1"] + p["b1"]
        s = np.maximum(z1, 0) @ p["W2"] + p["b2"]
        return -np.mean(log_softmax(s)[np.arange(len(y)), y])

    z1 = Xl @ p["W1"] + p["b1"]
    hid = np.maximum(z1, 0)
    ds = np.exp(log_softmax(hid @ p["W2"] + p["b2"]))
    ds[np.arange(n), yl] -= 1
    ds /= n
    dz = (ds @ p["W2"].T) * (z1 > 0)
    want = {"W1": Xl.T @ dz, "b1": dz.sum(0), "W2": hid.T @ ds, "b2": ds.sum(0)}
    for g in (tracenp.grad(mlp)(p, Xl, yl), tracenp.jit(tracenp.grad(mlp))(p, Xl, yl)):
        for key in p:
            np.testing.assert_allclose(g[key], want[key], rtol=1e-10, atol=1e-15)

    x, Wout = r.standard_normal((3000, 40)) * 3 + 1, r.standard_normal((3000, 40))
    gam, bet = r.standard_normal(40), r.standard_normal(40)
    g = tracenp.grad(lambda x, g_, b: np.sum((g_ * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
                                             + b) * Wout))(x, gam, bet)
    dy, inv = Wout * gam, 1 / np.sqrt(x.var(0) + 1e-5)
    xh = (x - x.mean(0)) * inv
    want = inv / 3000 * (3000 * dy - dy.sum(0) - xh * (dy * xh).sum(0))
    np.testing.assert_allclose(g, want, rtol=1e-9, atol=1e-12)

    xq, Wq = r.standard_normal((300, 64)), r.standard_normal((64, 64)) / 8

    def attention(Wq, x):
        a = np.exp(log_softmax((x @ Wq) @ x.T / 8))
        return np.sum(a @ x * x)

    A = np.exp(log_softmax((xq @ Wq) @ xq.T / 8))
    dA = xq @ xq.T
    want = xq.T @ (A * (dA - (dA * A).sum(1, keepdims=True)) / 8) @ xq
    np.testing.assert_allclose(tracenp.jit(tracenp.grad(attention))(Wq, xq), want, rtol=1e-9,
                               atol=1e-9 * np.abs(want).max())

# ----------------------------------------------------------------------------- API behaviour


def test_argnums_select_and_order_the_gradients():
    f = bhattacharyya_gaussians
    args = (normal(3), uniform(0.5, 2, 3), normal(3), uniform(0.5, 2, 3))
    full = tracenp.grad(f, argnums=(0, 1, 2, 3))(*args)
    for nums in [(2, 0), (3,), (1, 3)]:
        got = tracenp.grad(f, argnums=nums)(*args)
        assert isinstance(got, tuple) and len(got) == len(nums)
        for gi, i in zip(got, nums):
            np.testing.assert_array_equal(gi, full[i])
    single = tracenp.jit(tracenp.grad(f, argnums=2))(*args)
    assert isinstance(single, np.ndarray)
    np.testing.assert_array_equal(single, full[2])


def test_gradients_keep_dicts_lists_tuples_and_python_floats():
    params = {"layers": [(normal(3, 4), normal(4)), (normal(4, 1), 0.5)], "scale": 2.0}

    def loss(p, X, y):
        h = X
        for W_, b in p["layers"]:
            h = np.tanh(h @ W_ + b)
        return p["scale"] * np.mean((h[:, 0] - y) ** 2)

    for g in (tracenp.grad(loss)(params, X, Y), tracenp.jit(tracenp.grad(loss))(params, X, Y)):
        assert list(g) == ["layers", "scale"] and type(g["layers"]) is list
        assert all(type(t) is tuple for t in g["layers"])
        assert type(g["layers"][1][1]) is float and type(g["scale"]) is float
        assert g["layers"][0][0].shape == (3, 4)


def test_sgd_steps_under_jit_match_plain_gradients():
    init = [(normal(3, 5, scale=0.5), np.zeros(5)), (normal(5, 1, scale=0.5), np.zeros(1))]

    @tracenp.jit
    def step(layers, X, y, lr):
        loss, g = tracenp.value_and_grad(mlp_layers_list)(layers, X, y)
        return [(W_ - lr * gW, b - lr * gb) for (W_, b), (gW, gb) in zip(layers, g)], loss

    plain, jitted = init, init
    grad = tracenp.grad(mlp_layers_list)
    losses = []
    for _ in range(10):
        g = grad(plain, X, Y)
        plain = [(W_ - 0.1 * gW, b - 0.1 * gb) for (W_, b), (gW, gb) in zip(plain, g)]
        jitted, loss = step(jitted, X, Y, 0.1)
        losses.append(loss)
    for (a, b), (c, d) in zip(plain, jitted):
        np.testing.assert_allclose(a, c, rtol=1e-12)
        np.testing.assert_allclose(b, d, rtol=1e-12, atol=1e-15)
    assert losses[-1] < losses[0]


def test_vjp_of_per_sample_losses_and_has_aux():
    def per_sample(w, X, y):
        r = X @ w - y
        return np.where(np.abs(r) < 1, 0.5 * r ** 2, np.abs(r) - 0.5), {"resid": r}

    w, ct = normal(D), normal(N)
    out, pull, aux = tracenp.vjp(lambda w: per_sample(w, X, Y), w, has_aux=True)
    r = X @ w - Y
    np.testing.assert_allclose(out, np.where(np.abs(r) < 1, 0.5 * r ** 2, np.abs(r) - 0.5))
    np.testing.assert_allclose(aux["resid"], r)
    (g,) = pull(ct)
    np.testing.assert_allclose(g, X.T @ (ct * np.clip(r, -1, 1)), rtol=1e-12)


def test_jacobian_of_a_vector_loss_matches_finite_differences():
    def per_class(W_, X):
        return -np.mean(log_softmax(X @ W_), axis=0)

    J = tracenp.jacobian(per_class)(WK, X)
    assert J.shape == (K, D, K)
    for k in range(K):
        (num,) = numeric_grads(lambda W_: per_class(W_, X)[k], (WK,), (0,))[0]
        assert_grads_close(J[k], num)


def test_float32_parameters_get_float32_gradients():
    p32 = {"W": WK.astype(np.float32), "b": np.zeros(K, np.float32)}
    X32 = X.astype(np.float32)
    value, g = tracenp.value_and_grad(softmax_ce_dict)(p32, X32, LABELS)
    want = softmax_ce_dict(p32, X32, LABELS)
    assert np.asarray(value).dtype == np.asarray(want).dtype
    assert g["W"].dtype == np.float32 and g["b"].dtype == np.float32
    g64 = tracenp.grad(softmax_ce_dict)({"W": WK, "b": np.zeros(K)}, X, LABELS)
    np.testing.assert_allclose(g["W"], g64["W"], rtol=1e-4, atol=1e-6)


def test_nan_reductions_follow_jax():
    """`np.nanmean((p - t) ** 2)` with NaN targets: the square's cotangent 0 times its derivative
    2 (p - t) = NaN at the missing entries, as in JAX and autograd; the finite entries are right,
    and `np.where(np.isnan(t), 0, p - t)` before the square keeps every entry finite.
    `np.nanstd`/`np.nanvar` centre the selected entries only, so they are finite (they were NaN
    everywhere: the deviation was squared before it was masked)."""
    t = np.array([1.0, np.nan, 0.5, np.nan, 2.0, 0.1])
    p = normal(6)
    miss = np.isnan(t)
    g = tracenp.grad(lambda p: np.nanmean((p - t) ** 2))(p)
    np.testing.assert_array_equal(np.isnan(g), miss)
    np.testing.assert_allclose(g[~miss], 2 * (p - t)[~miss] / 4, rtol=1e-12)
    g = tracenp.grad(lambda p: np.mean(np.where(miss, 0.0, p - t) ** 2))(p)
    np.testing.assert_allclose(g, np.where(miss, 0, 2 * (p - t) / 6), rtol=1e-12)
    for f in (np.nanstd, np.nanvar, lambda r: np.std(r, where=~miss)):
        g = tracenp.grad(lambda p: f(p - t))(p)
        (num,) = numeric_grads(lambda p: f(p - t), (p,), (0,))[0]
        assert_grads_close(g, num)
        assert (g[miss] == 0).all()


def test_a_method_of_a_numpy_array_closed_over():
    """`X.dot(w)` with `X` a NumPy array from outside the traced function is NumPy's own method,
    which converts `w`: the retried trace makes `X` a constant (under `grad(loss)(w, X, y)` `X`
    is traced)."""
    w = normal(D)
    np.testing.assert_allclose(tracenp.grad(lambda w: ridge(w, X, Y))(w),
                               2 * X.T @ (X @ w - Y) / N + 0.2 * w, rtol=1e-12)
    np.testing.assert_allclose(tracenp.grad(ridge)(w, X, Y), 2 * X.T @ (X @ w - Y) / N + 0.2 * w,
                               rtol=1e-12)



def cache_hidden(p, x):
    p["h"] = np.tanh(x @ p["w"])
    p["cache"] = {"x": x, "norm": np.sum(p["h"] ** 2)}
    return p["cache"]["norm"] + 0.1 * np.sum(p["w"] ** 2)


def test_keys_added_to_a_differentiated_dict_reach_the_caller():
    """A loss that caches intermediates in its parameter dict (`p["h"] = ...`) adds those keys
    to the caller's dict, as NumPy's call does, under `grad`, `value_and_grad`, `jit(grad)` and
    with `has_aux` returning the dict; the gradient is the function's (the keys were dropped)."""
    x = normal(4, 3)
    want = {"w": normal(3)}
    given = copy.deepcopy(want)
    value = cache_hidden(want, x)
    num = numeric_grads(cache_hidden, ({"w": given["w"]}, x), (0,))[0][0]
    for g, grads_of in ((tracenp.grad(cache_hidden), lambda out: out),
                        (tracenp.jit(tracenp.grad(cache_hidden)), lambda out: out),
                        (tracenp.value_and_grad(cache_hidden), lambda out: out[1]),
                        (tracenp.grad(lambda p, x: (cache_hidden(p, x), p), has_aux=True),
                         lambda out: out[0])):
        p = copy.deepcopy(given)
        grads = grads_of(g(p, x))
        assert_grads_close(grads["w"], num)
        assert sorted(p) == ["cache", "h", "w"] and sorted(p["cache"]) == ["norm", "x"]
        np.testing.assert_allclose(p["h"], want["h"], rtol=1e-12)
        np.testing.assert_allclose(p["cache"]["norm"], want["cache"]["norm"], rtol=1e-12)


def test_a_write_into_an_outside_numpy_array_under_grad_in_jit_is_refused():
    """`grad(loss)(W, x)` inside a jitted function, with `W` a NumPy array from outside it and
    `loss` writing into it (`w *= 2`): the write cannot reach `W` (a constant of the trace) and
    was dropped silently; it is refused by name, and `fallback=True` runs NumPy's code."""
    W = np.ones(3)

    def loss(w, x):
        w *= 2
        return np.sum((x @ w) ** 2)

    def outer(x):
        return tracenp.grad(loss)(W, x)

    x = normal(2, 3)
    with pytest.raises(tracenp.errors.UnsupportedFunctionError, match="writes into a NumPy"):
        tracenp.jit(outer)(x)
    W[:] = 1.0
    want = outer(x)
    want_w = W.copy()
    W[:] = 1.0
    with pytest.warns(tracenp.TracingFallbackWarning):
        got = tracenp.jit(outer, fallback=True)(x)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(W, want_w)


def test_eig_eigenvectors_and_lstsq_residuals_differentiate():
    """Eigenvectors of a general matrix with real distinct eigenvalues (unit-norm columns, as
    NumPy returns them) and lstsq's residuals (full rank, vector and matrix right-hand sides)
    match central differences, under `grad` and under `jit`; they raised NotImplementedError.
    Eigenvectors that come out complex give a NaN gradient (NumPy also fixes their phase)."""
    r = np.random.default_rng(11)  # its own: the module's draws depend on which tests ran
    A = r.standard_normal((3, 3)) + np.diag([1.0, 3.0, 6.0])  # (real distinct eigenvalues)
    W, B = r.standard_normal((3, 3)), r.standard_normal((5, 3))
    assert np.linalg.eigvals(A).dtype == np.float64
    cases = [(lambda A: np.sum(np.real(np.linalg.eig(A)[1]) * W), (A,)),
             (lambda A: np.sum(np.abs(np.linalg.eig(A)[1]) ** 2 * W), (A,)),
             (lambda A, b: np.sum(np.linalg.lstsq(A, b)[1]), (B, r.standard_normal(5))),
             (lambda A, b: np.sum(np.linalg.lstsq(A, b)[1] * np.array([1.0, 3.0])),
              (B, r.standard_normal((5, 2))))]
    for fn, args in cases:
        argnums = tuple(range(len(args)))
        num = [leaves[0] for leaves in numeric_grads(fn, args, argnums)]
        for g in (tracenp.grad(fn, argnums=argnums), tracenp.jit(tracenp.grad(fn, argnums))):
            got = g(*args)
            for got_i, num_i in zip(got if isinstance(got, tuple) else (got,), num):
                assert_grads_close(got_i, num_i)
    rotation = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
    assert np.isnan(tracenp.grad(cases[1][0])(rotation)).all()


# ----------------------------------------------------------------------------- refused


def train_until_converged(w, X, y, lr=0.1, tol=1e-3):
    loss_prev = np.inf
    loss = np.mean((X @ w - y) ** 2)
    while loss_prev - loss > tol:
        w = w - lr * 2 * X.T @ (X @ w - y) / len(y)
        loss_prev, loss = loss, np.mean((X @ w - y) ** 2)
    return loss


def clip_grad_if(g, max_norm=1.0):
    n = np.linalg.norm(g)
    if n > max_norm:
        g = g * max_norm / n
    return np.sum(g ** 2)


def _reg_args(seed):
    r = np.random.default_rng(seed)
    return r.standard_normal(3), r.standard_normal((8, 3)), r.standard_normal(8)


REFUSED = {
    "multiclass_hinge_continue_on_label": (
        tracenp.errors.ConcretizationError, multiclass_hinge_loops,
        lambda s: (np.random.default_rng(s).standard_normal((3, 4)), X,
                   np.random.default_rng(s).integers(0, 4, N))),
    "train_while_loss_improves": (tracenp.errors.ConcretizationError, train_until_converged,
                                  _reg_args),
    "clip_gradient_by_python_if": (tracenp.errors.ConcretizationError, clip_grad_if,
                                   lambda s: (np.random.default_rng(s).standard_normal(5) * 2,)),
}


def test_fisher_lda_through_transposed_masked_rows_differentiates():
    """`Xc.T @ Xc` of a class's rows, refused until stop 27."""
    rng = np.random.default_rng(1)
    check_grads(lda_fisher_ratio, (rng.standard_normal(3), X,
                                   (rng.random(N) > 0.5).astype(float)), 0)


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_name_the_construct_and_run_under_fallback(name):
    """A Python branch on a traced value (`if j == y[i]: continue`, `while loss_prev - loss >
    tol`, `if norm > max_norm`) and the rows of `X[y == 1].T` whose count depends on the data:
    the named error under `jit` and under `grad`, NumPy's values under `fallback=True`."""
    error, fn, make_args = REFUSED[name]
    check_refused(error, fn, make_args)
    with pytest.raises(error):
        tracenp.grad(fn)(*make_args(1))
