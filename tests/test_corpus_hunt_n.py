"""Corpus, hunt N: econometrics, statistics, psychometrics, sports and survey analytics, and the
NumPy idioms that top Stack Overflow answers and the official tutorials teach.

Econometrics: OLS by `np.linalg.lstsq` and `inv(X.T @ X)`, HC0-HC3 and clustered standard
errors, t-statistics with p-values from a hand-written normal CDF (`np.vectorize(math.erf)`,
series, Abramowitz-Stegun), 2SLS/IV and two-step GMM, panel fixed effects by group demeaning
(`np.unique(return_inverse=True)`, `np.bincount(weights=)`, masks in a loop), differences and
lag matrices, AR fits by OLS, Yule-Walker and Levinson-Durbin, Newey-West, logit and probit by
IRLS/Newton, Box-Cox, winsorizing, HP filters, VARs, GARCH recursions, smoothing loops.
Statistics: Welch/pooled/paired t, chi-square tables, ranks with ties, Mann-Whitney, Wilcoxon,
Kendall and Spearman, ECDFs, Q-Q data, Kaplan-Meier, Nelson-Aalen and log-rank, histograms and
KDEs, weighted statistics, moving statistics by `np.cumsum`, z-scores, covariance and
Mahalanobis distances, ANOVA, multiple-testing corrections, agreement statistics.
Psychometrics and sports: Cronbach's alpha, item-total correlations, KR-20, Rasch and 2PL
likelihoods, EAP scores, survey weights and raking, Elo and Glicko updates in loops,
Bradley-Terry iterations, Pythagorean expectation, league tables from match arrays, Massey and
Colley ratings. Idioms: moving averages, `sliding_window_view`, nearest values, group-by sums,
cartesian products, binning by `np.searchsorted`, NaN rows, one-hot, run lengths, `np.diff`
with `prepend`, ranks, top-k by `np.argpartition`, `np.select`/`np.piecewise`, `np.vectorize`,
`np.apply_along_axis`, `np.isclose` in control flow. Permutation tests, bootstraps and
simulations draw from a `Generator` argument.

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

# ---------------------------------------------------------------------------------- econometrics


def ols_lstsq(X, y):
    X1 = np.column_stack([np.ones(len(y)), X])
    beta, resid, rank, sv = np.linalg.lstsq(X1, y, rcond=None)
    fitted = X1 @ beta
    r2 = 1 - np.sum((y - fitted) ** 2) / np.sum((y - y.mean()) ** 2)
    return beta, r2, rank


def ols_inv_se(X, y):
    n, k = X.shape
    XtX_inv = np.linalg.inv(X.T @ X)
    beta = XtX_inv @ X.T @ y
    e = y - X @ beta
    s2 = e @ e / (n - k)
    se = np.sqrt(np.diag(s2 * XtX_inv))
    return beta, se, beta / se


def ols_hc_errors(X, y):
    n, k = X.shape
    XtX_inv = np.linalg.inv(X.T @ X)
    beta = XtX_inv @ (X.T @ y)
    u = y - X @ beta
    h = np.einsum("ij,jk,ik->i", X, XtX_inv, X)
    out = []
    for w in (u ** 2, u ** 2 * n / (n - k), u ** 2 / (1 - h), u ** 2 / (1 - h) ** 2):
        meat = X.T @ (X * w[:, None])
        out.append(np.sqrt(np.diag(XtX_inv @ meat @ XtX_inv)))
    return beta, np.array(out)


def ols_cluster_se(X, y, groups):
    n, k = X.shape
    XtX_inv = np.linalg.inv(X.T @ X)
    beta = XtX_inv @ X.T @ y
    u = y - X @ beta
    G = 4
    meat = np.zeros((k, k))
    for g in range(G):
        idx = groups == g
        s = (X[idx] * u[idx, None]).sum(axis=0)
        meat += np.outer(s, s)
    c = G / (G - 1) * (n - 1) / (n - k)
    V = c * XtX_inv @ meat @ XtX_inv
    return beta, np.sqrt(np.diag(V))


def _norm_cdf(x):
    return 0.5 * (1 + np.vectorize(math.erf)(x / np.sqrt(2)))


def ols_pvalues_vectorize_erf(X, y):
    n, k = X.shape
    beta = np.linalg.solve(X.T @ X, X.T @ y)
    e = y - X @ beta
    cov = (e @ e) / (n - k) * np.linalg.inv(X.T @ X)
    t = beta / np.sqrt(np.diag(cov))
    return t, 2 * (1 - _norm_cdf(np.abs(t)))


def normal_cdf_series(x, terms=40):
    total = np.zeros_like(x)
    term = x.copy()
    for n in range(terms):
        total += term
        term = term * x * x / (2 * n + 3)
    return 0.5 + total * np.exp(-x * x / 2) / np.sqrt(2 * np.pi)


def normal_cdf_abramowitz(z):
    t = 1.0 / (1.0 + 0.2316419 * np.abs(z))
    poly = t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))))
    p = 1.0 - np.exp(-z * z / 2) / np.sqrt(2 * np.pi) * poly
    return np.where(z >= 0, p, 1 - p)


def two_stage_least_squares(y, X, Z):
    PZ = Z @ np.linalg.inv(Z.T @ Z) @ Z.T
    Xhat = PZ @ X
    beta = np.linalg.inv(Xhat.T @ X) @ Xhat.T @ y
    u = y - X @ beta
    sigma2 = u @ u / len(y)
    V = sigma2 * np.linalg.inv(X.T @ PZ @ X)
    return beta, np.sqrt(np.diag(V))


def iv_first_stage_lstsq(y, x, z):
    Z = np.c_[np.ones_like(z), z]
    pi = np.linalg.lstsq(Z, x, rcond=None)[0]
    xhat = Z @ pi
    Xh = np.c_[np.ones_like(xhat), xhat]
    b = np.linalg.lstsq(Xh, y, rcond=None)[0]
    fstat = (pi[1] ** 2) / (np.sum((x - xhat) ** 2) / (len(x) - 2) / np.sum((z - z.mean()) ** 2))
    return b, fstat


def panel_fixed_effects(y, x, ids):
    uniq, inv = np.unique(ids, return_inverse=True)
    counts = np.bincount(inv, minlength=5)
    ybar = np.bincount(inv, weights=y, minlength=5) / np.maximum(counts, 1)
    xbar = np.bincount(inv, weights=x, minlength=5) / np.maximum(counts, 1)
    yd = y - ybar[inv]
    xd = x - xbar[inv]
    beta = (xd @ yd) / (xd @ xd)
    return beta, yd, xd


def panel_within_loop(y, X, ids, n_groups=4):
    yd = y.astype(float).copy()
    Xd = X.astype(float).copy()
    for g in range(n_groups):
        m = ids == g
        if m.any():
            pass
        yd[m] -= y[m].mean()
        Xd[m] -= X[m].mean(axis=0)
    beta = np.linalg.lstsq(Xd, yd, rcond=None)[0]
    return beta


def panel_within_nan_safe(y, X, ids, n_groups=4):
    yd = y.copy()
    Xd = X.copy()
    for g in range(n_groups):
        m = ids == g
        yd[m] = y[m] - y[m].mean()
        Xd[m] = X[m] - X[m].mean(axis=0)
    return np.linalg.lstsq(Xd, yd, rcond=None)[0]


def first_differences(panel):
    dy = np.diff(panel, axis=1)
    growth = np.diff(np.log(panel), axis=1) * 100
    return dy, growth, np.diff(panel, n=2, axis=1)


def lag_matrix(x, p=3):
    n = len(x)
    L = np.zeros((n - p, p))
    for j in range(1, p + 1):
        L[:, j - 1] = x[p - j:n - j]
    return L, x[p:]


def lag_matrix_stack(x, p=2):
    return np.column_stack([np.roll(x, k) for k in range(1, p + 1)])[p:], x[p:]


def ar_ols(x, p=2):
    n = len(x)
    X = np.ones((n - p, p + 1))
    for j in range(p):
        X[:, j + 1] = x[p - j - 1:n - j - 1]
    coef = np.linalg.lstsq(X, x[p:], rcond=None)[0]
    resid = x[p:] - X @ coef
    return coef, resid.var()


def autocovariance(x, maxlag):
    x = x - x.mean()
    n = len(x)
    return np.array([np.dot(x[:n - k], x[k:]) / n for k in range(maxlag + 1)])


def yule_walker(x, order=3):
    r = autocovariance(x, order)
    R = np.array([[r[abs(i - j)] for j in range(order)] for i in range(order)])
    phi = np.linalg.solve(R, r[1:order + 1])
    sigma2 = r[0] - phi @ r[1:order + 1]
    return phi, sigma2


def yule_walker_toeplitz(x, order=2):
    xc = x - np.mean(x)
    acf = np.correlate(xc, xc, mode="full")[len(x) - 1:] / len(x)
    idx = np.abs(np.arange(order)[:, None] - np.arange(order)[None, :])
    R = acf[idx]
    return np.linalg.solve(R, acf[1:order + 1])


def levinson_durbin(r, order=3):
    a = np.zeros(order + 1)
    a[0] = 1.0
    e = r[0]
    for k in range(1, order + 1):
        lam = -np.dot(a[:k], r[k:0:-1]) / e
        a[:k + 1] = a[:k + 1] + lam * a[k::-1]
        e *= 1 - lam * lam
    return a, e


def newey_west_se(X, y, lags=2):
    n, k = X.shape
    beta = np.linalg.solve(X.T @ X, X.T @ y)
    u = y - X @ beta
    Xu = X * u[:, None]
    S = Xu.T @ Xu
    for l in range(1, lags + 1):
        w = 1 - l / (lags + 1)
        G = Xu[l:].T @ Xu[:-l]
        S += w * (G + G.T)
    Q = np.linalg.inv(X.T @ X)
    V = Q @ S @ Q
    return beta, np.sqrt(np.diag(V))


def gmm_two_step(y, X, Z):
    n = len(y)
    W = np.linalg.inv(Z.T @ Z / n)
    for _ in range(2):
        A = X.T @ Z @ W @ Z.T @ X
        b = np.linalg.solve(A, X.T @ Z @ W @ Z.T @ y)
        u = y - X @ b
        g = Z * u[:, None]
        S = g.T @ g / n
        W = np.linalg.inv(S)
    gbar = g.mean(axis=0)
    J = n * gbar @ W @ gbar
    return b, J


def logistic_irls(X, y, n_iter=8):
    beta = np.zeros(X.shape[1])
    for _ in range(n_iter):
        eta = X @ beta
        mu = 1 / (1 + np.exp(-eta))
        W = mu * (1 - mu)
        z = eta + (y - mu) / W
        beta = np.linalg.solve(X.T @ (W[:, None] * X), X.T @ (W * z))
    se = np.sqrt(np.diag(np.linalg.inv(X.T @ (W[:, None] * X))))
    return beta, se


def logistic_newton(X, y, n_iter=6):
    w = np.zeros(X.shape[1])
    ll = []
    for i in range(n_iter):
        p = 1.0 / (1.0 + np.exp(-X.dot(w)))
        grad = X.T.dot(y - p)
        H = -(X.T * (p * (1 - p))).dot(X)
        w = w - np.linalg.inv(H).dot(grad)
        ll.append(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
    return w, np.array(ll)


def probit_newton(X, y, n_iter=6):
    b = np.zeros(X.shape[1])
    for _ in range(n_iter):
        xb = X @ b
        Phi = 0.5 * (1 + np.vectorize(math.erf)(xb / math.sqrt(2)))
        phi = np.exp(-0.5 * xb ** 2) / math.sqrt(2 * math.pi)
        Phi = np.clip(Phi, 1e-10, 1 - 1e-10)
        lam = np.where(y == 1, phi / Phi, -phi / (1 - Phi))
        g = X.T @ lam
        H = -(X * (lam * (lam + xb))[:, None]).T @ X
        b = b - np.linalg.solve(H, g)
    return b


def box_cox(x, lmbda):
    if lmbda == 0:
        return np.log(x)
    return (x ** lmbda - 1) / lmbda


def box_cox_loglik_grid(x):
    n = len(x)
    lams = np.linspace(-2, 2, 41)
    ll = np.empty_like(lams)
    logx = np.log(x)
    for i, lam in enumerate(lams):
        if abs(lam) < 1e-12:
            y = logx
        else:
            y = (x ** lam - 1) / lam
        ll[i] = -n / 2 * np.log(y.var()) + (lam - 1) * logx.sum()
    return lams[np.argmax(ll)], ll


def winsorize_percentiles(x, lower=5, upper=95):
    lo, hi = np.percentile(x, [lower, upper])
    return np.clip(x, lo, hi)


def winsorize_columns(X, p=0.1):
    lo = np.quantile(X, p, axis=0)
    hi = np.quantile(X, 1 - p, axis=0)
    Xw = X.copy()
    for j in range(X.shape[1]):
        Xw[:, j] = np.where(X[:, j] < lo[j], lo[j], X[:, j])
        Xw[:, j] = np.where(Xw[:, j] > hi[j], hi[j], Xw[:, j])
    return Xw


def winsorize_mask(x, q=0.05):
    lo, hi = np.quantile(x, [q, 1 - q])
    out = x.copy()
    out[out < lo] = lo
    out[out > hi] = hi
    return out


def ridge_closed_form(X, y, alpha=1.0):
    n, k = X.shape
    return np.linalg.solve(X.T @ X + alpha * np.eye(k), X.T @ y)


def wls(X, y, w):
    W = np.diag(w)
    return np.linalg.inv(X.T @ W @ X) @ X.T @ W @ y


def wls_sqrt(X, y, w):
    sw = np.sqrt(w)
    return np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)[0]


def breusch_pagan(X, y):
    n = len(y)
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    e2 = (y - X @ b) ** 2
    g = np.linalg.lstsq(X, e2, rcond=None)[0]
    fitted = X @ g
    r2 = 1 - ((e2 - fitted) ** 2).sum() / ((e2 - e2.mean()) ** 2).sum()
    return n * r2


def durbin_watson(resid):
    return np.sum(np.diff(resid) ** 2) / np.sum(resid ** 2)


def jarque_bera(x):
    n = x.size
    m = x - x.mean()
    s = (m ** 3).mean() / (m ** 2).mean() ** 1.5
    k = (m ** 4).mean() / (m ** 2).mean() ** 2
    return n / 6 * (s ** 2 + (k - 3) ** 2 / 4)


def vif(X):
    k = X.shape[1]
    out = np.zeros(k)
    for j in range(k):
        others = np.delete(X, j, axis=1)
        A = np.column_stack([np.ones(X.shape[0]), others])
        coef = np.linalg.lstsq(A, X[:, j], rcond=None)[0]
        r = X[:, j] - A @ coef
        r2 = 1 - r.var() / X[:, j].var()
        out[j] = 1 / (1 - r2)
    return out


def f_test_restriction(X, y, R, r):
    n, k = X.shape
    XtXi = np.linalg.inv(X.T @ X)
    b = XtXi @ X.T @ y
    e = y - X @ b
    s2 = e.dot(e) / (n - k)
    d = R @ b - r
    F = d @ np.linalg.inv(R @ XtXi @ R.T) @ d / (R.shape[0] * s2)
    return F


def hausman_like(b_fe, b_re, V_fe, V_re):
    d = b_fe - b_re
    return float(d @ np.linalg.pinv(V_fe - V_re) @ d)


def cochrane_orcutt(X, y, n_iter=5):
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    rho = 0.0
    for _ in range(n_iter):
        e = y - X @ b
        rho = np.sum(e[1:] * e[:-1]) / np.sum(e[:-1] ** 2)
        ys = y[1:] - rho * y[:-1]
        Xs = X[1:] - rho * X[:-1]
        b = np.linalg.lstsq(Xs, ys, rcond=None)[0]
    return b, rho


def leverage_cooks(X, y):
    n, k = X.shape
    H = X @ np.linalg.pinv(X)
    h = np.diag(H)
    e = y - H @ y
    s2 = e @ e / (n - k)
    cooks = e ** 2 / (k * s2) * h / (1 - h) ** 2
    return h, cooks, np.argmax(cooks)


def diff_in_diff(y, treated, post):
    X = np.column_stack([np.ones_like(y), treated, post, treated * post])
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    cell = lambda t, p: y[(treated == t) & (post == p)].mean()
    manual = (cell(1, 1) - cell(1, 0)) - (cell(0, 1) - cell(0, 0))
    return b[3], manual


def hp_filter(y, lamb=100.0):
    n = len(y)
    D = np.zeros((n - 2, n))
    for i in range(n - 2):
        D[i, i:i + 3] = [1, -2, 1]
    trend = np.linalg.solve(np.eye(n) + lamb * D.T @ D, y)
    return trend, y - trend


def hp_filter_diff(y, lamb=1600.0):
    n = y.size
    D = np.diff(np.eye(n), n=2, axis=0)
    trend = np.linalg.solve(np.eye(n) + lamb * D.T @ D, y)
    return trend


def var1_ols(Y):
    X = np.hstack([np.ones((Y.shape[0] - 1, 1)), Y[:-1]])
    B = np.linalg.lstsq(X, Y[1:], rcond=None)[0]
    U = Y[1:] - X @ B
    Sigma = U.T @ U / (len(U) - X.shape[1])
    return B, Sigma


def impulse_response(A, horizon=5):
    k = A.shape[0]
    irf = np.zeros((horizon + 1, k, k))
    irf[0] = np.eye(k)
    for h in range(1, horizon + 1):
        irf[h] = A @ irf[h - 1]
    return irf


def simulate_ar1(eps, phi=0.7):
    x = np.zeros_like(eps)
    for t in range(1, len(eps)):
        x[t] = phi * x[t - 1] + eps[t]
    return x


def simulate_garch(eps, omega=0.1, alpha=0.1, beta=0.8):
    n = len(eps)
    s2 = np.zeros(n)
    r = np.zeros(n)
    s2[0] = omega / (1 - alpha - beta)
    r[0] = np.sqrt(s2[0]) * eps[0]
    for t in range(1, n):
        s2[t] = omega + alpha * r[t - 1] ** 2 + beta * s2[t - 1]
        r[t] = np.sqrt(s2[t]) * eps[t]
    return r, s2


def garch_loglik(r, omega, alpha, beta):
    n = len(r)
    s2 = np.empty(n)
    s2[0] = r.var()
    for t in range(1, n):
        s2[t] = omega + alpha * r[t - 1] ** 2 + beta * s2[t - 1]
    return -0.5 * np.sum(np.log(2 * np.pi) + np.log(s2) + r ** 2 / s2)


def exp_smoothing(x, alpha=0.3):
    s = np.empty_like(x)
    s[0] = x[0]
    for t in range(1, len(x)):
        s[t] = alpha * x[t] + (1 - alpha) * s[t - 1]
    return s


def holt_linear(x, alpha=0.5, beta=0.3):
    level, trend = x[0], x[1] - x[0]
    fitted = [level]
    for t in range(1, len(x)):
        prev = level
        level = alpha * x[t] + (1 - alpha) * (level + trend)
        trend = beta * (level - prev) + (1 - beta) * trend
        fitted.append(level + trend)
    return np.array(fitted)


def adf_regression(y, lags=1):
    dy = np.diff(y)
    ylag = y[lags:-1]
    X = [np.ones(len(dy) - lags), ylag]
    for i in range(1, lags + 1):
        X.append(dy[lags - i:-i])
    X = np.column_stack(X)
    b, *_ = np.linalg.lstsq(X, dy[lags:], rcond=None)
    e = dy[lags:] - X @ b
    s2 = e @ e / (len(e) - X.shape[1])
    se = np.sqrt(s2 * np.linalg.inv(X.T @ X)[1, 1])
    return b[1] / se


def quantile_regression_irls(X, y, tau=0.5, n_iter=20):
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    for _ in range(n_iter):
        r = y - X @ b
        w = np.where(r > 0, tau, 1 - tau) / np.maximum(np.abs(r), 1e-6)
        b = np.linalg.solve(X.T @ (w[:, None] * X), X.T @ (w * y))
    return b


def rolling_beta(r_asset, r_market, window=5):
    n = len(r_asset)
    betas = np.full(n, np.nan)
    for t in range(window, n + 1):
        a = r_asset[t - window:t]
        m = r_market[t - window:t]
        betas[t - 1] = np.cov(a, m)[0, 1] / np.var(m, ddof=1)
    return betas


def panel_demean_unique_inverse(y, X, ids):
    _, inv = np.unique(ids, return_inverse=True)
    counts = np.bincount(inv)
    ybar = np.bincount(inv, weights=y) / counts
    Xd = np.column_stack([X[:, j] - (np.bincount(inv, weights=X[:, j]) / counts)[inv]
                          for j in range(X.shape[1])])
    yd = y - ybar[inv]
    beta = np.linalg.lstsq(Xd, yd, rcond=None)[0]
    dof = len(y) - X.shape[1]
    return beta, yd @ yd / dof


def group_sizes_and_shares(ids, sales):
    n_in_group = np.bincount(ids)[ids]
    share = sales / np.bincount(ids, weights=sales)[ids]
    return n_in_group, share


def between_within_variance(y, ids):
    n_g = np.bincount(ids)
    mean_g = np.bincount(ids, weights=y) / np.maximum(n_g, 1)
    within = y - mean_g[ids]
    between = mean_g[ids] - y.mean()
    return within.var(), between.var()


def cluster_se_bincount_scores(X, y, groups):
    XtX_inv = np.linalg.inv(X.T @ X)
    beta = XtX_inv @ X.T @ y
    u = y - X @ beta
    scores = np.column_stack([np.bincount(groups, weights=X[:, j] * u, minlength=4) for j in range(X.shape[1])])
    meat = scores.T @ scores
    return np.sqrt(np.diag(XtX_inv @ meat @ XtX_inv))
# ------------------------------------------------------------------------------------ statistics


def welch_t(a, b):
    ma, mb = a.mean(), b.mean()
    va, vb = a.var(ddof=1), b.var(ddof=1)
    na, nb = len(a), len(b)
    t = (ma - mb) / np.sqrt(va / na + vb / nb)
    df = (va / na + vb / nb) ** 2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
    return t, df


def pooled_t(a, b):
    na, nb = a.size, b.size
    sp = np.sqrt(((na - 1) * np.var(a, ddof=1) + (nb - 1) * np.var(b, ddof=1)) / (na + nb - 2))
    return (np.mean(a) - np.mean(b)) / (sp * np.sqrt(1 / na + 1 / nb))


def paired_t(before, after):
    d = after - before
    return d.mean() / (d.std(ddof=1) / np.sqrt(len(d)))


def cohens_d(a, b):
    nx, ny = len(a), len(b)
    dof = nx + ny - 2
    return (np.mean(a) - np.mean(b)) / np.sqrt(((nx - 1) * np.std(a, ddof=1) ** 2 + (ny - 1) * np.std(b, ddof=1) ** 2) / dof)


def chi_square_table(obs):
    row = obs.sum(axis=1, keepdims=True)
    col = obs.sum(axis=0, keepdims=True)
    expected = row * col / obs.sum()
    chi2 = ((obs - expected) ** 2 / expected).sum()
    dof = (obs.shape[0] - 1) * (obs.shape[1] - 1)
    return chi2, dof, expected


def chi_square_outer(obs):
    expected = np.outer(obs.sum(1), obs.sum(0)) / obs.sum()
    return np.sum((obs - expected) ** 2 / expected), expected


def cramers_v(obs):
    n = obs.sum()
    expected = np.outer(obs.sum(1), obs.sum(0)) / n
    chi2 = ((obs - expected) ** 2 / expected).sum()
    k = min(obs.shape) - 1
    return np.sqrt(chi2 / (n * k))


def crosstab_counts(a, b, ka=3, kb=4):
    table = np.zeros((ka, kb), dtype=int)
    for i, j in zip(a, b):
        table[i, j] += 1
    return table


def crosstab_add_at(a, b):
    table = np.zeros((3, 4), dtype=np.int64)
    np.add.at(table, (a, b), 1)
    return table


def crosstab_bincount(a, b):
    return np.bincount(a * 4 + b, minlength=12).reshape(3, 4)


def rank_average_ties(x):
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(1, len(x) + 1)
    sx = x[order]
    uniq, inv, counts = np.unique(x, return_inverse=True, return_counts=True)
    sums = np.bincount(inv, weights=ranks)
    return (sums / counts)[inv]


def rank_argsort_argsort(x):
    return x.argsort().argsort() + 1


def rankdata_average(a):
    arr = np.ravel(a)
    sorter = np.argsort(arr, kind="mergesort")
    inv = np.empty(sorter.size, dtype=np.intp)
    inv[sorter] = np.arange(sorter.size, dtype=np.intp)
    arr = arr[sorter]
    obs = np.r_[True, arr[1:] != arr[:-1]]
    dense = obs.cumsum()[inv]
    count = np.r_[np.nonzero(obs)[0], len(obs)]
    return 0.5 * (count[dense] + count[dense - 1] + 1)


def mann_whitney_u(x, y):
    n1, n2 = len(x), len(y)
    allv = np.concatenate([x, y])
    ranks = allv.argsort().argsort() + 1.0
    r1 = ranks[:n1].sum()
    u1 = r1 - n1 * (n1 + 1) / 2
    u2 = n1 * n2 - u1
    mu = n1 * n2 / 2
    sigma = np.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    return min(u1, u2), (u1 - mu) / sigma


def mann_whitney_pairwise(x, y):
    gt = (x[:, None] > y[None, :]).sum()
    eq = (x[:, None] == y[None, :]).sum()
    return gt + 0.5 * eq


def wilcoxon_signed_rank(x, y):
    d = x - y
    r = np.abs(d).argsort().argsort() + 1
    w_plus = r[d > 0].sum()
    w_minus = r[d < 0].sum()
    return w_plus, w_minus


def kendall_tau(x, y):
    n = len(x)
    conc = 0
    disc = 0
    for i in range(n):
        for j in range(i + 1, n):
            s = np.sign(x[i] - x[j]) * np.sign(y[i] - y[j])
            conc += s > 0
            disc += s < 0
    return (conc - disc) / (n * (n - 1) / 2)


def kendall_tau_vectorized(x, y):
    dx = np.sign(x[:, None] - x[None, :])
    dy = np.sign(y[:, None] - y[None, :])
    n = len(x)
    return np.sum(np.triu(dx * dy, 1)) / (n * (n - 1) / 2)


def spearman_rho(x, y):
    rx = np.argsort(np.argsort(x))
    ry = np.argsort(np.argsort(y))
    n = len(x)
    d = rx - ry
    return 1 - 6 * np.sum(d ** 2) / (n * (n ** 2 - 1))


def spearman_corrcoef(x, y):
    rx = x.argsort().argsort()
    ry = y.argsort().argsort()
    return np.corrcoef(rx, ry)[0, 1]


def pearson_manual(x, y):
    xm, ym = x - x.mean(), y - y.mean()
    r = (xm * ym).sum() / np.sqrt((xm ** 2).sum() * (ym ** 2).sum())
    t = r * np.sqrt((len(x) - 2) / (1 - r ** 2))
    return r, t


def fisher_z_ci(x, y):
    r = np.corrcoef(x, y)[0, 1]
    z = np.arctanh(r)
    se = 1 / np.sqrt(len(x) - 3)
    return np.tanh([z - 1.96 * se, z + 1.96 * se])


def ecdf(x):
    xs = np.sort(x)
    ys = np.arange(1, len(xs) + 1) / len(xs)
    return xs, ys


def ecdf_at(data, points):
    return np.searchsorted(np.sort(data), points, side="right") / data.size


def ecdf_broadcast(data, grid):
    return (data[None, :] <= grid[:, None]).mean(axis=1)


def qq_data(x):
    n = len(x)
    p = (np.arange(1, n + 1) - 0.5) / n
    # inverse normal by bisection on the Abramowitz-Stegun cdf
    lo, hi = np.full(n, -8.0), np.full(n, 8.0)
    for _ in range(50):
        mid = (lo + hi) / 2
        c = normal_cdf_abramowitz(mid)
        lo = np.where(c < p, mid, lo)
        hi = np.where(c < p, hi, mid)
    return (lo + hi) / 2, np.sort(x)


def kaplan_meier(time, event):
    order = np.argsort(time, kind="stable")
    t = time[order]
    e = event[order]
    n = len(t)
    at_risk = n - np.arange(n)
    surv = np.cumprod(1 - e / at_risk)
    return t, surv


def kaplan_meier_unique_times(time, event, grid):
    surv = np.ones(len(grid))
    s = 1.0
    for i, tt in enumerate(grid):
        d = np.sum((time == tt) & (event == 1))
        n = np.sum(time >= tt)
        s = s * (1 - d / np.maximum(n, 1))
        surv[i] = s
    return surv


def nelson_aalen(time, event):
    order = np.argsort(time)
    e = event[order]
    n = len(time)
    at_risk = np.arange(n, 0, -1)
    H = np.cumsum(e / at_risk)
    return time[order], H, np.exp(-H)


def log_rank(time, event, group, grid):
    O1 = E1 = V = 0.0
    for tt in grid:
        at = time >= tt
        n = at.sum()
        n1 = (at & (group == 1)).sum()
        d = ((time == tt) & (event == 1)).sum()
        d1 = ((time == tt) & (event == 1) & (group == 1)).sum()
        e1 = np.where(n > 0, d * n1 / np.maximum(n, 1), 0.0)
        O1 = O1 + d1
        E1 = E1 + e1
        V = V + np.where(n > 1, d * (n1 / np.maximum(n, 1)) * (1 - n1 / np.maximum(n, 1)) * (n - d) / np.maximum(n - 1, 1), 0.0)
    return (O1 - E1) ** 2 / V


def histogram_density(x):
    counts, edges = np.histogram(x, bins=10, range=(-3, 3), density=True)
    centers = (edges[:-1] + edges[1:]) / 2
    return counts, centers, np.sum(counts * np.diff(edges))


def histogram_freedman_bins(x, bins=8):
    counts, edges = np.histogram(x, bins=bins)
    mode = edges[np.argmax(counts)]
    return counts, edges, mode


def kde_scott(data, grid):
    n = data.size
    h = 1.06 * data.std(ddof=1) * n ** (-1 / 5)
    z = (grid[:, None] - data[None, :]) / h
    return np.exp(-0.5 * z ** 2).sum(axis=1) / (n * h * np.sqrt(2 * np.pi))


def weighted_mean_var(x, w):
    m = np.average(x, weights=w)
    v = np.average((x - m) ** 2, weights=w)
    return m, v, np.sqrt(v)


def weighted_median(x, w):
    order = np.argsort(x)
    cw = np.cumsum(w[order])
    idx = np.searchsorted(cw, 0.5 * cw[-1])
    return x[order][idx]


def weighted_quantile(values, quantiles, sample_weight):
    sorter = np.argsort(values)
    values = values[sorter]
    sample_weight = sample_weight[sorter]
    wq = np.cumsum(sample_weight) - 0.5 * sample_weight
    wq /= np.sum(sample_weight)
    return np.interp(quantiles, wq, values)


def weighted_cov(X, w):
    m = np.average(X, axis=0, weights=w)
    Xc = X - m
    return (w[:, None] * Xc).T @ Xc / w.sum(), np.cov(X.T, aweights=w)


def moving_average_cumsum(a, n=3):
    ret = np.cumsum(a, dtype=float)
    ret[n:] = ret[n:] - ret[:-n]
    return ret[n - 1:] / n


def moving_std_cumsum(x, w=4):
    c1 = np.cumsum(np.insert(x, 0, 0))
    c2 = np.cumsum(np.insert(x ** 2, 0, 0))
    s1 = c1[w:] - c1[:-w]
    s2 = c2[w:] - c2[:-w]
    return np.sqrt(np.maximum(s2 / w - (s1 / w) ** 2, 0))


def zscore_axes(X):
    z0 = (X - X.mean(axis=0)) / X.std(axis=0)
    z1 = (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
    return z0, z1


def zscore_ddof(X):
    return (X - np.mean(X, axis=0)) / np.std(X, axis=0, ddof=1)


def cov_corr_manual(X):
    Xc = X - X.mean(axis=0)
    C = Xc.T @ Xc / (X.shape[0] - 1)
    d = np.sqrt(np.diag(C))
    R = C / np.outer(d, d)
    return C, R, np.cov(X, rowvar=False), np.corrcoef(X.T)


def mahalanobis(X):
    mu = X.mean(axis=0)
    S = np.cov(X, rowvar=False)
    Si = np.linalg.inv(S)
    D = X - mu
    return np.sqrt(np.einsum("ij,jk,ik->i", D, Si, D))


def mahalanobis_loop(X, mu, cov):
    inv = np.linalg.inv(cov)
    out = np.zeros(len(X))
    for i in range(len(X)):
        d = X[i] - mu
        out[i] = np.sqrt(d.dot(inv).dot(d))
    return out


def mahalanobis_solve(X):
    mu = X.mean(0)
    S = np.cov(X.T)
    D = X - mu
    return np.sqrt((D * np.linalg.solve(S, D.T).T).sum(1))


def anova_oneway(values, groups, k=3):
    grand = values.mean()
    ssb = 0.0
    ssw = 0.0
    for g in range(k):
        v = values[groups == g]
        ssb += len(v) * (v.mean() - grand) ** 2
        ssw += ((v - v.mean()) ** 2).sum()
    dfb, dfw = k - 1, len(values) - k
    return (ssb / dfb) / (ssw / dfw)


def anova_bincount(values, groups):
    n_g = np.bincount(groups, minlength=3)
    means = np.bincount(groups, weights=values, minlength=3) / n_g
    ssb = np.sum(n_g * (means - values.mean()) ** 2)
    ssw = np.sum((values - means[groups]) ** 2)
    return ssb / 2 / (ssw / (len(values) - 3))


def skew_kurt(x):
    m = x.mean()
    s = x.std()
    return np.mean(((x - m) / s) ** 3), np.mean(((x - m) / s) ** 4) - 3


def mad_robust_z(x):
    med = np.median(x)
    mad = np.median(np.abs(x - med))
    return 0.6745 * (x - med) / mad


def iqr_outliers(x):
    q1, q3 = np.percentile(x, [25, 75])
    iqr = q3 - q1
    mask = (x < q1 - 1.5 * iqr) | (x > q3 + 1.5 * iqr)
    return mask, np.where(mask, np.nan, x)


def trimmed_mean(x, prop=0.1):
    xs = np.sort(x)
    k = int(prop * len(xs))
    return xs[k:len(xs) - k].mean()


def geometric_harmonic(x):
    return np.exp(np.mean(np.log(x))), len(x) / np.sum(1.0 / x), np.prod(x) ** (1 / len(x))


def standard_error_ci(x):
    m = x.mean()
    se = x.std(ddof=1) / np.sqrt(x.size)
    return m - 1.96 * se, m + 1.96 * se


def mode_bincount(counts_data):
    c = np.bincount(counts_data, minlength=6)
    return c.argmax(), c.max()


def binomial_ci_wilson(k, n, z=1.96):
    p = k / n
    denom = 1 + z ** 2 / n
    centre = (p + z ** 2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2)) / denom
    return centre - half, centre + half


def benjamini_hochberg(p):
    m = len(p)
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(q, 1)
    return out


def bonferroni_holm(p, alpha=0.05):
    m = len(p)
    order = np.argsort(p)
    thresh = alpha / (m - np.arange(m))
    passed = p[order] <= thresh
    reject_sorted = np.cumprod(passed).astype(bool)
    reject = np.zeros(m, dtype=bool)
    reject[order] = reject_sorted
    return reject


def ks_two_sample(a, b):
    data = np.concatenate([a, b])
    cdf1 = np.searchsorted(np.sort(a), data, side="right") / len(a)
    cdf2 = np.searchsorted(np.sort(b), data, side="right") / len(b)
    return np.max(np.abs(cdf1 - cdf2))


def shapiro_like_ppcc(x):
    n = len(x)
    p = (np.arange(1, n + 1) - 0.375) / (n + 0.25)
    q = np.sqrt(2) * np.array([_erfinv_approx(2 * pi - 1) for pi in p])
    return np.corrcoef(np.sort(x), q)[0, 1]


def _erfinv_approx(y):
    a = 0.147
    ln = np.log(1 - y * y)
    t = 2 / (np.pi * a) + ln / 2
    return np.sign(y) * np.sqrt(np.sqrt(t * t - ln / a) - t)


def covariance_shrinkage(X, delta=0.2):
    S = np.cov(X, rowvar=False)
    mu = np.trace(S) / S.shape[0]
    return (1 - delta) * S + delta * mu * np.eye(S.shape[0])


def partial_correlation(X):
    P = np.linalg.inv(np.cov(X, rowvar=False))
    d = np.sqrt(np.diag(P))
    pc = -P / np.outer(d, d)
    np.fill_diagonal(pc, 1)
    return pc


def icc_oneway(ratings):
    n, k = ratings.shape
    grand = ratings.mean()
    msb = k * ((ratings.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    msw = ((ratings - ratings.mean(axis=1, keepdims=True)) ** 2).sum() / (n * (k - 1))
    return (msb - msw) / (msb + (k - 1) * msw)


def cohen_kappa(a, b, k=3):
    cm = np.zeros((k, k))
    for i in range(len(a)):
        cm[a[i], b[i]] += 1
    n = cm.sum()
    po = np.trace(cm) / n
    pe = (cm.sum(0) * cm.sum(1)).sum() / n ** 2
    return (po - pe) / (1 - pe)


def fleiss_kappa(M):
    N, k = M.shape
    n = M.sum(axis=1)[0]
    p = M.sum(axis=0) / (N * n)
    P = (np.sum(M * M, axis=1) - n) / (n * (n - 1))
    Pbar = P.mean()
    Pe = np.sum(p * p)
    return (Pbar - Pe) / (1 - Pe)
# ------------------------------------------------------------------------ psychometrics and sports


def cronbach_alpha(items):
    k = items.shape[1]
    item_vars = items.var(axis=0, ddof=1)
    total_var = items.sum(axis=1).var(ddof=1)
    return k / (k - 1) * (1 - item_vars.sum() / total_var)


def cronbach_alpha_cov(items):
    C = np.cov(items, rowvar=False)
    k = C.shape[0]
    return k / (k - 1) * (1 - np.trace(C) / C.sum())


def alpha_if_deleted(items):
    k = items.shape[1]
    out = np.zeros(k)
    for j in range(k):
        sub = np.delete(items, j, axis=1)
        kk = sub.shape[1]
        out[j] = kk / (kk - 1) * (1 - sub.var(axis=0, ddof=1).sum() / sub.sum(axis=1).var(ddof=1))
    return out


def item_total_correlations(items):
    total = items.sum(axis=1)
    r = np.zeros(items.shape[1])
    for j in range(items.shape[1]):
        rest = total - items[:, j]
        r[j] = np.corrcoef(items[:, j], rest)[0, 1]
    return r


def item_difficulty_discrimination(responses):
    p = responses.mean(axis=0)
    total = responses.sum(axis=1)
    order = np.argsort(total)
    n = len(total) // 3
    low = responses[order[:n]].mean(axis=0)
    high = responses[order[-n:]].mean(axis=0)
    return p, high - low


def split_half_spearman_brown(items):
    odd = items[:, ::2].sum(axis=1)
    even = items[:, 1::2].sum(axis=1)
    r = np.corrcoef(odd, even)[0, 1]
    return 2 * r / (1 + r)


def kr20(responses):
    k = responses.shape[1]
    p = responses.mean(axis=0)
    q = 1 - p
    var_total = responses.sum(axis=1).var()
    return k / (k - 1) * (1 - (p * q).sum() / var_total)


def rasch_loglik(theta, b, X):
    eta = theta[:, None] - b[None, :]
    p = 1 / (1 + np.exp(-eta))
    return np.sum(X * np.log(p) + (1 - X) * np.log(1 - p))


def rasch_jml(X, n_iter=10):
    n, k = X.shape
    theta = np.zeros(n)
    b = np.zeros(k)
    raw = X.sum(axis=1).clip(0.5, k - 0.5)
    item = X.sum(axis=0).clip(0.5, n - 0.5)
    for _ in range(n_iter):
        p = 1 / (1 + np.exp(-(theta[:, None] - b)))
        info = (p * (1 - p)).sum(axis=1)
        theta += (raw - p.sum(axis=1)) / info
        p = 1 / (1 + np.exp(-(theta[:, None] - b)))
        b -= (item - p.sum(axis=0)) / (p * (1 - p)).sum(axis=0)
        b -= b.mean()
    return theta, b


def two_pl_probabilities(theta, a, b):
    return 1.0 / (1.0 + np.exp(-a[None, :] * (theta[:, None] - b[None, :])))


def item_information_curve(theta_grid, a, b):
    p = 1 / (1 + np.exp(-a * (theta_grid[:, None] - b)))
    info = (a ** 2 * p * (1 - p)).sum(axis=1)
    return info, 1 / np.sqrt(info)


def eap_scores(X, a, b):
    nodes = np.linspace(-4, 4, 21)
    prior = np.exp(-nodes ** 2 / 2)
    prior /= prior.sum()
    p = 1 / (1 + np.exp(-a * (nodes[:, None] - b)))
    loglik = X @ np.log(p).T + (1 - X) @ np.log(1 - p).T
    post = np.exp(loglik - loglik.max(axis=1, keepdims=True)) * prior
    post /= post.sum(axis=1, keepdims=True)
    eap = post @ nodes
    psd = np.sqrt(post @ nodes ** 2 - eap ** 2)
    return eap, psd


def reverse_score(likert, reverse_items, scale_max=5):
    out = likert.copy()
    out[:, reverse_items] = scale_max + 1 - out[:, reverse_items]
    return out


def likert_summary(likert):
    counts = np.stack([(likert == v).sum(axis=0) for v in range(1, 6)])
    top2 = (likert >= 4).mean(axis=0)
    return counts, top2, likert.mean(axis=0)


def net_promoter(scores):
    promoters = np.sum(scores >= 9)
    detractors = np.sum(scores <= 6)
    return 100 * (promoters - detractors) / len(scores)


def survey_weighted_proportions(answers, weights):
    props = np.zeros(4)
    for k in range(4):
        props[k] = weights[answers == k].sum()
    return props / weights.sum()


def raking(sample_counts, row_targets, col_targets, n_iter=20):
    w = sample_counts.astype(float)
    for _ in range(n_iter):
        w *= (row_targets / w.sum(axis=1))[:, None]
        w *= col_targets / w.sum(axis=0)
    return w


def design_effect(weights):
    n = len(weights)
    return n * np.sum(weights ** 2) / np.sum(weights) ** 2


def elo_updates(winners, losers, n_players=5, k=32.0):
    ratings = np.full(n_players, 1500.0)
    for w, l in zip(winners, losers):
        ew = 1 / (1 + 10 ** ((ratings[l] - ratings[w]) / 400))
        ratings[w] += k * (1 - ew)
        ratings[l] -= k * (1 - ew)
    return ratings


def elo_with_scores(home, away, home_goals, away_goals, n_teams=4, k=20.0, hfa=50.0):
    r = np.ones(n_teams) * 1500
    history = []
    for i in range(len(home)):
        h, a = home[i], away[i]
        exp_h = 1.0 / (1.0 + 10.0 ** (-(r[h] + hfa - r[a]) / 400.0))
        s = np.where(home_goals[i] > away_goals[i], 1.0, np.where(home_goals[i] == away_goals[i], 0.5, 0.0))
        delta = k * (s - exp_h)
        r[h] = r[h] + delta
        r[a] = r[a] - delta
        history.append(r.copy())
    return r, np.array(history)


def glicko_update(r, rd, opp_r, opp_rd, scores):
    q = np.log(10) / 400
    g = 1 / np.sqrt(1 + 3 * q ** 2 * opp_rd ** 2 / np.pi ** 2)
    E = 1 / (1 + 10 ** (-g * (r - opp_r) / 400))
    d2 = 1 / (q ** 2 * np.sum(g ** 2 * E * (1 - E)))
    new_r = r + q / (1 / rd ** 2 + 1 / d2) * np.sum(g * (scores - E))
    new_rd = np.sqrt(1 / (1 / rd ** 2 + 1 / d2))
    return new_r, new_rd


def bradley_terry(wins, n_iter=30):
    n = wins.shape[0]
    p = np.ones(n)
    games = wins + wins.T
    W = wins.sum(axis=1)
    for _ in range(n_iter):
        denom = (games / (p[:, None] + p[None, :])).sum(axis=1)
        p = W / denom
        p /= p.sum()
    return p


def bradley_terry_loop(wins, n_iter=10):
    n = wins.shape[0]
    p = np.ones(n) / n
    for _ in range(n_iter):
        new = np.zeros(n)
        for i in range(n):
            s = 0.0
            for j in range(n):
                if i != j:
                    s += (wins[i, j] + wins[j, i]) / (p[i] + p[j])
            new[i] = wins[i].sum() / s
        p = new / new.sum()
    return p


def pythagorean_expectation(runs_for, runs_against, exp=1.83):
    return runs_for ** exp / (runs_for ** exp + runs_against ** exp)


def league_table(home, away, hg, ag, n_teams=4):
    pts = np.zeros(n_teams, dtype=int)
    gf = np.zeros(n_teams, dtype=int)
    ga = np.zeros(n_teams, dtype=int)
    np.add.at(gf, home, hg)
    np.add.at(gf, away, ag)
    np.add.at(ga, home, ag)
    np.add.at(ga, away, hg)
    np.add.at(pts, home, np.where(hg > ag, 3, np.where(hg == ag, 1, 0)))
    np.add.at(pts, away, np.where(ag > hg, 3, np.where(hg == ag, 1, 0)))
    gd = gf - ga
    order = np.lexsort((-gf, -gd, -pts))
    return pts, gd, order


def league_table_bincount(home, away, hg, ag):
    hp = np.select([hg > ag, hg == ag], [3, 1], 0)
    apts = np.select([ag > hg, hg == ag], [3, 1], 0)
    pts = np.bincount(home, weights=hp, minlength=4) + np.bincount(away, weights=apts, minlength=4)
    wins = np.bincount(home, weights=hg > ag, minlength=4) + np.bincount(away, weights=ag > hg, minlength=4)
    return pts, wins, np.argsort(-pts, kind="stable")


def batting_stats(h, ab, bb, hbp, sf, tb):
    avg = np.divide(h, ab, out=np.zeros_like(h, dtype=float), where=ab > 0)
    obp = (h + bb + hbp) / (ab + bb + hbp + sf)
    slg = tb / np.maximum(ab, 1)
    return np.round(avg, 3), obp, obp + slg


def shooting_percentages(made, attempts):
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(attempts > 0, made / attempts, np.nan)
    return pct, np.nanmean(pct), np.nanargmax(pct)


def rolling_form(points, window=3):
    kernel = np.ones(window)
    return np.convolve(points, kernel, mode="valid"), np.convolve(points, kernel / window, mode="same")


def streaks(results):
    best = cur = 0
    for r in results:
        cur = np.where(r == 1, cur + 1, 0)
        best = np.maximum(best, cur)
    return best


def poisson_match_probs(lam_h, lam_a, max_goals=6):
    g = np.arange(max_goals + 1)
    fact = np.cumprod(np.r_[1, g[1:]])
    ph = np.exp(-lam_h) * lam_h ** g / fact
    pa = np.exp(-lam_a) * lam_a ** g / fact
    M = np.outer(ph, pa)
    return np.tril(M, -1).sum(), np.trace(M), np.triu(M, 1).sum()


def massey_ratings(home, away, margin, n_teams=4):
    M = np.zeros((n_teams, n_teams))
    p = np.zeros(n_teams)
    for i in range(len(home)):
        h, a = home[i], away[i]
        M[h, h] += 1
        M[a, a] += 1
        M[h, a] -= 1
        M[a, h] -= 1
        p[h] += margin[i]
        p[a] -= margin[i]
    M[-1, :] = 1
    p[-1] = 0
    return np.linalg.solve(M, p)


def colley_ratings(wins_matrix):
    n = wins_matrix.shape[0]
    games = wins_matrix + wins_matrix.T
    C = 2 * np.eye(n) + np.diag(games.sum(axis=1)) - games
    b = 1 + (wins_matrix.sum(axis=1) - wins_matrix.sum(axis=0)) / 2
    return np.linalg.solve(C, b)


def keener_perron(scores_matrix, n_iter=50):
    A = (scores_matrix + 1) / (scores_matrix + scores_matrix.T + 2)
    r = np.ones(A.shape[0])
    for _ in range(n_iter):
        r = A @ r
        r /= np.linalg.norm(r)
    return r
# ------------------------------------------------------------------ Stack Overflow and tutorial idioms


def moving_average_convolve(x, w=3):
    return np.convolve(x, np.ones(w), "valid") / w


def moving_average_windows(x, w=3):
    v = np.lib.stride_tricks.sliding_window_view(x, w)
    return v.mean(axis=-1), v.max(axis=-1), np.median(v, axis=-1)


def sliding_window_2d(a, k=2):
    from numpy.lib.stride_tricks import sliding_window_view
    win = sliding_window_view(a, (k, k))
    return win.sum(axis=(-2, -1)), win.shape


def find_nearest(array, value):
    idx = (np.abs(array - value)).argmin()
    return array[idx], idx


def find_nearest_sorted(array, values):
    idx = np.searchsorted(array, values, side="left")
    idx = np.clip(idx, 1, len(array) - 1)
    left = array[idx - 1]
    right = array[idx]
    idx -= values - left < right - values
    return idx, array[idx]


def nearest_each(a, targets):
    return a[np.abs(a[None, :] - targets[:, None]).argmin(axis=1)]


def unique_rows_counts(a):
    u, inv, counts = np.unique(a, axis=0, return_inverse=True, return_counts=True)
    return counts[inv]


def groupby_reduceat(keys, vals):
    order = np.argsort(keys, kind="stable")
    k, v = keys[order], vals[order]
    starts = np.r_[0, np.flatnonzero(np.diff(k)) + 1]
    return np.add.reduceat(v, starts)


def groupby_bincount(keys, vals):
    sums = np.bincount(keys, weights=vals, minlength=5)
    counts = np.bincount(keys, minlength=5)
    return sums, np.divide(sums, counts, out=np.zeros_like(sums), where=counts != 0)


def groupby_maximum_at(keys, vals):
    out = np.full(5, -np.inf)
    np.maximum.at(out, keys, vals)
    return out


def cartesian_product(a, b):
    return np.array(np.meshgrid(a, b)).T.reshape(-1, 2)


def cartesian_product_ix(x, y, z):
    arrays = [x, y, z]
    la = len(arrays)
    arr = np.empty([len(a) for a in arrays] + [la], dtype=np.result_type(*arrays))
    for i, a in enumerate(np.ix_(*arrays)):
        arr[..., i] = a
    return arr.reshape(-1, la)


def cartesian_product_stack(a, b):
    return np.stack(np.meshgrid(a, b, indexing="ij"), -1).reshape(-1, 2)


def searchsorted_binning(x, edges):
    idx = np.searchsorted(edges, x, side="right") - 1
    idx = np.clip(idx, 0, len(edges) - 2)
    return idx, np.bincount(idx, minlength=len(edges) - 1)


def digitize_labels(ages):
    bins = np.array([0, 18, 35, 50, 65, 120])
    labels = np.digitize(ages, bins) - 1
    return labels, np.bincount(labels, minlength=5)


def normalize_rows(a):
    row_sums = a.sum(axis=1)
    return a / row_sums[:, np.newaxis], a / np.linalg.norm(a, axis=1, keepdims=True)


def normalize_rows_inplace(a):
    a /= a.sum(axis=1, keepdims=True)
    return a


def remove_nan_rows_sum(a):
    clean = a[~np.isnan(a).any(axis=1)]
    return clean.sum(axis=0)


def nan_fill_column_means(a):
    col_mean = np.nanmean(a, axis=0)
    inds = np.where(np.isnan(a))
    out = a.copy()
    out[inds] = np.take(col_mean, inds[1])
    return out


def nan_forward_fill(arr):
    mask = np.isnan(arr)
    idx = np.where(~mask, np.arange(mask.shape[1]), 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    return arr[np.arange(idx.shape[0])[:, None], idx]


def nan_interp(y):
    nans = np.isnan(y)
    x = lambda z: z.nonzero()[0]
    y = y.copy()
    y[nans] = np.interp(x(nans), x(~nans), y[~nans])
    return y


def one_hot(a, k=4):
    b = np.zeros((a.size, k))
    b[np.arange(a.size), a] = 1
    return b


def one_hot_eye(a):
    return np.eye(4)[a]


def one_hot_compare(a):
    return (a[:, None] == np.arange(4)).astype(int)


def run_lengths_max(x):
    change = np.diff(np.r_[0, x, 0])
    starts = np.where(change == 1)[0]
    ends = np.where(change == -1)[0]
    return (ends - starts).max()


def run_length_encode(a):
    n = len(a)
    y = a[1:] != a[:-1]
    i = np.append(np.where(y), n - 1)
    z = np.diff(np.append(-1, i))
    return z, a[i]


def longest_run_cumsum(mask):
    c = np.cumsum(mask)
    reset = np.maximum.accumulate(np.where(~mask, c, 0))
    return (c - reset).max()


def diff_prepend(x):
    return np.diff(x, prepend=x[0]), np.diff(x, prepend=0, append=x[-1])


def diff_prepend_nan(x):
    return np.diff(x, prepend=np.nan)


def ranking_dense(x):
    u, inv = np.unique(x, return_inverse=True)
    return inv + 1


def ranking_desc(scores):
    order = np.argsort(-scores)
    ranks = np.empty_like(order)
    ranks[order] = np.arange(1, len(scores) + 1)
    return ranks


def topk_argpartition(a, k=3):
    idx = np.argpartition(a, -k)[-k:]
    idx = idx[np.argsort(a[idx])][::-1]
    return idx, a[idx]


def topk_rows(a, k=2):
    idx = np.argpartition(-a, k, axis=1)[:, :k]
    vals = np.take_along_axis(a, idx, axis=1)
    order = np.argsort(-vals, axis=1)
    return np.take_along_axis(idx, order, axis=1), np.sort(vals, axis=1)[:, ::-1]


def bottomk_partition(a, k=2):
    return np.partition(a, k)[:k].sum(), np.sort(np.partition(a, k)[:k])


def meshgrid_eval(nx, ny):
    x = np.linspace(-2, 2, nx)
    y = np.linspace(-1, 1, ny)
    X, Y = np.meshgrid(x, y)
    Z = np.exp(-(X ** 2 + Y ** 2)) * np.cos(3 * X)
    return Z, Z.max(), np.unravel_index(Z.argmax(), Z.shape)


def meshgrid_ij_eval(x, y):
    X, Y = np.meshgrid(x, y, indexing="ij", sparse=True)
    return np.sin(X) * Y ** 2


def select_grades(scores):
    conds = [scores >= 90, scores >= 80, scores >= 70, scores >= 60]
    choices = ["A", "B", "C", "D"]
    return np.select(conds, [4, 3, 2, 1], default=0)


def piecewise_tax(income):
    return np.piecewise(income, [income <= 10, (income > 10) & (income <= 40), income > 40],
                        [lambda x: 0.1 * x, lambda x: 1 + 0.2 * (x - 10), lambda x: 7 + 0.4 * (x - 40)])


def piecewise_scalar_funcs(x):
    return np.piecewise(x, [x < 0, x >= 0], [-1, lambda v: v ** 2])


def clip_variants(a):
    return np.clip(a, -1, 1), a.clip(min=0), np.clip(a, a.mean() - a.std(), a.mean() + a.std())


def clip_inplace(a):
    np.clip(a, -0.5, 0.5, out=a)
    return a


def where_one_arg_index(a):
    idx = np.where(a > 0)
    out = np.zeros_like(a)
    out[idx] = a[idx] * 2
    return out


def where_tuple_sum(a):
    rows, cols = np.where(a > 0.5)
    return a[rows, cols].sum(), (rows * 0 + 1).sum()


def boolean_reductions(a):
    return np.all(a > -3), np.any(a > 2), (a > 0).sum(axis=0), np.count_nonzero(a < 0, axis=1), (a > 0).mean()


def isclose_control(a, b):
    if np.allclose(a, a + 1e-12):
        c = a * 2
    else:
        c = a
    return c, np.isclose(a, b, atol=0.5), np.isclose(a, b).sum()


def apply_along_axis_stats(a):
    def iqr(v):
        return np.percentile(v, 75) - np.percentile(v, 25)
    return np.apply_along_axis(iqr, 0, a), np.apply_along_axis(lambda r: r / r.sum(), 1, a)


def apply_along_axis_hist(a):
    return np.apply_along_axis(lambda v: np.histogram(v, bins=3, range=(-2, 2))[0], 1, a)


def vectorize_piecewise(x):
    def f(v):
        if v > 0:
            return v ** 2
        return -v
    return np.vectorize(f)(x)


def vectorize_two_args(a, b):
    def g(x, y):
        return x if x > y else y - x
    return np.vectorize(g, otypes=[float])(a, b)


def lstsq_line_fit(x, y):
    A = np.vstack([x, np.ones(len(x))]).T
    m, c = np.linalg.lstsq(A, y, rcond=None)[0]
    return m, c


def polyfit_predict(x, y):
    p = np.polyfit(x, y, 2)
    return np.polyval(p, x), np.poly1d(p)(0.5)


def percentiles_axis(a):
    return np.percentile(a, [10, 50, 90], axis=0), np.quantile(a, 0.5, axis=1, keepdims=True)


def histogram_counts_edges(a):
    hist, edges = np.histogram(a, bins=5)
    return hist, edges, np.cumsum(hist) / hist.sum()


def argsort_rank_columns(a):
    return a.argsort(axis=0).argsort(axis=0)


def sort_by_column(a):
    return a[a[:, 1].argsort()], a[np.lexsort((a[:, 0], a[:, 1]))]


def sort_desc_rows(a):
    return -np.sort(-a, axis=1), np.flip(np.sort(a, axis=0), axis=0)


def count_occurrences(a):
    values, counts = np.unique(a, return_counts=True)
    return counts.max(), (a == 2).sum(), np.count_nonzero(a == 3)


def most_frequent(a):
    return np.bincount(a).argmax()


def repeat_tile(a):
    return np.repeat(a, 2), np.tile(a, (2, 1)), np.repeat(a[None, :], 3, axis=0)


def swap_columns(a):
    a[:, [0, 1]] = a[:, [1, 0]]
    return a


def replace_values(a):
    a[a > 0.5] = 0.5
    a[a < -0.5] *= -1
    return a


def conditional_replace_np_where(a):
    return np.where(a < 0, 0, a), np.where(a > 1, 1, np.where(a < -1, -1, a))


def pairwise_dists_broadcast(X):
    d = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    return d.min(axis=1), d.argmin(axis=1)


def standardize_minmax_cols(a):
    mn, mx = a.min(axis=0), a.max(axis=0)
    return (a - mn) / (mx - mn), (a - a.mean(0)) / a.std(0)


def outer_products(a, b):
    return np.outer(a, b), np.einsum("i,j->ij", a, b), a[:, None] * b


def cumulative_stats(a):
    return np.cumsum(a) / np.arange(1, len(a) + 1), np.maximum.accumulate(a), np.minimum.accumulate(a)


def percent_change(prices):
    return np.diff(prices) / prices[:-1] * 100, prices[1:] / prices[:-1] - 1


def block_means(a, k=2):
    n = a.shape[0] // k * k
    return a[:n].reshape(-1, k).mean(axis=1)


def rolling_window_stride(a, window=3):
    shape = a.shape[:-1] + (a.shape[-1] - window + 1, window)
    strides = a.strides + (a.strides[-1],)
    return np.lib.stride_tricks.as_strided(a, shape=shape, strides=strides).mean(-1)


def interp_resample(t, y):
    tn = np.linspace(t.min(), t.max(), 2 * len(t))
    return np.interp(tn, t, y)


def histogram2d_counts(x, y):
    H, xe, ye = np.histogram2d(x, y, bins=3, range=[[-2, 2], [-2, 2]])
    return H, H.sum()


def integer_mixes(i, f):
    return i * f, i // 2, i / 2, i % 3, (i + 1) ** 2, np.true_divide(i, i.sum())


def mean_int_dtype(i):
    return i.mean(), i.sum(dtype=np.int32), np.mean(i, dtype=np.float32), i.std()


def float_item_results(a):
    total = float(a.sum())
    return total


def int_of_argmax(a):
    k = int(np.argmax(a))
    return a[k] * 2
# ---------------------------------------------------------------------- draws from a Generator


def permutation_test_diff(rng, a, b, n_perm=50):
    obs = a.mean() - b.mean()
    pooled = np.concatenate([a, b])
    count = 0
    for _ in range(n_perm):
        perm = rng.permutation(pooled)
        diff = perm[:len(a)].mean() - perm[len(a):].mean()
        count += abs(diff) >= abs(obs)
    return (count + 1) / (n_perm + 1)


def permutation_test_shuffle(rng, x, y, n_perm=30):
    obs = np.corrcoef(x, y)[0, 1]
    y = y.copy()
    null = np.empty(n_perm)
    for i in range(n_perm):
        rng.shuffle(y)
        null[i] = np.corrcoef(x, y)[0, 1]
    return np.mean(np.abs(null) >= np.abs(obs))


def bootstrap_ci_integers(rng, x, n_boot=40):
    n = len(x)
    idx = rng.integers(0, n, size=(n_boot, n))
    means = x[idx].mean(axis=1)
    return np.percentile(means, [2.5, 97.5]), means.std(ddof=1)


def bootstrap_choice_loop(rng, x, n_boot=20):
    stats = []
    for _ in range(n_boot):
        s = rng.choice(x, size=len(x), replace=True)
        stats.append(np.median(s))
    return np.array(stats).mean(), np.quantile(stats, [0.05, 0.95])


def bootstrap_regression(rng, x, y, n_boot=15):
    n = len(x)
    slopes = np.zeros(n_boot)
    for b in range(n_boot):
        i = rng.integers(n, size=n)
        slopes[b] = np.polyfit(x[i], y[i], 1)[0]
    return slopes.std()


def bca_jackknife(rng, x, n_boot=30):
    n = len(x)
    theta = x.mean()
    boots = rng.choice(x, (n_boot, n)).mean(axis=1)
    jack = np.array([np.delete(x, i).mean() for i in range(n)])
    jm = jack.mean()
    acc = ((jm - jack) ** 3).sum() / (6 * ((jm - jack) ** 2).sum() ** 1.5)
    return (boots < theta).mean(), acc


def simulate_survey(rng, n=50):
    age = rng.integers(18, 80, size=n)
    income = rng.lognormal(10, 0.5, size=n)
    answer = rng.choice(4, size=n, p=[0.1, 0.2, 0.3, 0.4])
    weights = rng.uniform(0.5, 2.0, n)
    return np.bincount(answer, weights=weights, minlength=4) / weights.sum(), age.mean(), np.median(income)


def monte_carlo_power(rng, effect=0.5, n=20, sims=40):
    hits = 0
    for _ in range(sims):
        a = rng.normal(0, 1, n)
        b = rng.normal(effect, 1, n)
        t = (b.mean() - a.mean()) / np.sqrt(a.var(ddof=1) / n + b.var(ddof=1) / n)
        hits += np.abs(t) > 1.96
    return hits / sims


def simulate_elo_season(rng, strengths, n_games=30):
    n = len(strengths)
    r = np.full(n, 1500.0)
    for _ in range(n_games):
        i, j = rng.choice(n, 2, replace=False)
        p = 1 / (1 + np.exp(strengths[j] - strengths[i]))
        s = (rng.random() < p) * 1.0
        e = 1 / (1 + 10 ** ((r[j] - r[i]) / 400))
        r[i] += 20 * (s - e)
        r[j] -= 20 * (s - e)
    return r


def random_split(rng, X, y, frac=0.7):
    idx = rng.permutation(len(X))
    k = int(frac * len(X))
    return X[idx[:k]].mean(0), X[idx[k:]].mean(0), y[idx[:k]].sum()


def stratified_sample_means(rng, values, strata):
    out = np.zeros(3)
    for s in range(3):
        v = values[strata == s]
        out[s] = v.mean()
    noise = rng.standard_normal(3)
    return out + 0.01 * noise


def sim_rasch_responses(rng, theta, b):
    p = 1 / (1 + np.exp(-(theta[:, None] - b[None, :])))
    X = (rng.random(p.shape) < p).astype(int)
    return X, X.sum(axis=1), X.mean(axis=0)


def random_walk_paths(rng, n_paths=5, n_steps=20):
    steps = rng.choice([-1, 1], size=(n_paths, n_steps))
    paths = np.cumsum(steps, axis=1)
    return paths, paths.max(axis=1), (paths == 0).sum(axis=1)


def block_bootstrap(rng, x, block=3, n_boot=10):
    n = len(x)
    nb = n // block
    res = np.zeros(n_boot)
    for b in range(n_boot):
        starts = rng.integers(0, n - block + 1, size=nb)
        sample = np.concatenate([x[s:s + block] for s in starts])
        res[b] = sample.mean()
    return res.std()
# ------------------------------------------------------------- more idioms, fits and loops

def poisson_loglik_lgamma(k, lam):
    return np.sum(k * np.log(lam) - lam - np.vectorize(math.lgamma)(k + 1.0))

def poisson_loglik_gammaln_cumsum(k, lam):
    logfact = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, 20)))])
    return np.sum(k * np.log(lam) - lam - logfact[k])

def nditer_loop(a):
    out = np.zeros_like(a)
    for i, x in enumerate(np.nditer(a)):
        out.flat[i] = x * 2 + 1
    return out

def ndenumerate_loop(a):
    out = np.empty_like(a)
    for idx, v in np.ndenumerate(a):
        out[idx] = v ** 2
    return out

def ndindex_loop(a):
    s = np.zeros(a.shape[1])
    for i, j in np.ndindex(a.shape):
        s[j] += a[i, j]
    return s

def flat_assign(a):
    b = a.copy()
    b.flat[::2] = 0
    return b, a.flat[3]

def markov_stationary_eig(P):
    w, v = np.linalg.eig(P.T)
    k = np.argmin(np.abs(w - 1))
    pi = np.real(v[:, k])
    return pi / pi.sum()

def markov_matrix_power(P):
    return np.linalg.matrix_power(P, 50)[0], np.ones(P.shape[0]) @ np.linalg.matrix_power(P, 3) / P.shape[0]

def markov_stationary_lstsq(P):
    n = P.shape[0]
    A = np.vstack([P.T - np.eye(n), np.ones(n)])
    b = np.r_[np.zeros(n), 1.0]
    return np.linalg.lstsq(A, b, rcond=None)[0]

def outer_ufuncs(r):
    diff = np.subtract.outer(r, r)
    p = 1 / (1 + 10 ** (-diff / 400))
    return p, np.add.outer(r, r[:2]), np.equal.outer(np.round(r), np.round(r)).sum(), np.multiply.outer(r, [1, 2])

def round_robin_pairs(strength):
    i, j = np.triu_indices(len(strength), 1)
    p = 1 / (1 + np.exp(strength[j] - strength[i]))
    expected = np.zeros(len(strength))
    np.add.at(expected, i, p)
    np.add.at(expected, j, 1 - p)
    return expected

def isin_teams(teams, top):
    return np.isin(teams, top), np.isin(teams, top, invert=True).sum()

def qcut_deciles(x):
    edges = np.quantile(x, np.linspace(0, 1, 5))
    labels = np.clip(np.digitize(x, edges[1:-1], right=True), 0, 3)
    return labels, np.bincount(labels, minlength=4)

def polyfit_cov(x, y):
    p, V = np.polyfit(x, y, 1, cov=True)
    return p, np.sqrt(np.diag(V))

def polyfit_weights(x, y, w):
    return np.polyfit(x, y, 2, w=w), np.polyfit(x, y, 1, full=True)[1]

def polynomial_fit_class(x, y):
    P = np.polynomial.Polynomial.fit(x, y, 2)
    return P(x), P.convert().coef

def polynomial_polyfit(x, y):
    c = np.polynomial.polynomial.polyfit(x, y, 2)
    return c, np.polynomial.polynomial.polyval(x, c)

def ols_qr(X, y):
    Q, R = np.linalg.qr(X)
    beta = np.linalg.solve(R, Q.T @ y)
    return beta, np.abs(np.diag(R))

def ols_svd(X, y):
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    s_inv = np.where(s > 1e-10, 1 / s, 0)
    return Vt.T @ (s_inv * (U.T @ y)), s[0] / s[-1]

def pca_eigh_signflip(X):
    Xc = X - X.mean(0)
    vals, vecs = np.linalg.eigh(np.cov(Xc, rowvar=False))
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    vecs *= np.sign(vecs[0])
    return vals / vals.sum(), Xc @ vecs

def correlated_draws_chol(rng, cov, n=5):
    L = np.linalg.cholesky(cov)
    z = rng.standard_normal((n, cov.shape[0]))
    return z @ L.T

def norms(X):
    return np.linalg.norm(X, ord=1), np.linalg.norm(X, ord=np.inf), np.linalg.norm(X, axis=1), np.linalg.norm(X[0], ord=1), np.linalg.norm(X, "fro"), np.linalg.norm(X[:, 0], np.inf)

def where_reductions(x, m):
    return np.sum(x, where=m), np.mean(x, where=m, axis=0), np.std(x, where=m, axis=0), np.max(x, initial=-10, where=m, axis=1)

def sort_in_place_arg(a):
    a.sort()
    return a[len(a) // 2]

def sort_axis_in_place(A):
    A.sort(axis=0)
    return A[-1]

def fill_diag_arg(A):
    np.fill_diagonal(A, 0)
    return A.sum(axis=1)

def put_along(a):
    idx = np.argmax(a, axis=1)[:, None]
    b = np.zeros_like(a)
    np.put_along_axis(b, idx, 1, axis=1)
    return b

def ix_submatrix(C, x):
    idx = np.argsort(x)[:3]
    return C[np.ix_(idx, idx)], C[idx][:, idx].trace()

def insert_intercept(X):
    return np.insert(X, 0, 1.0, axis=1), np.insert(X, X.shape[1], X[:, 0] ** 2, axis=1)

def delete_static(X):
    return np.delete(X, [0, 2], axis=0), np.delete(X, 1, axis=1), np.delete(X[:, 0], slice(0, 2))

def stacking(X, y):
    return np.hstack([np.ones((len(y), 1)), X]), np.r_[y, y[:2]], np.c_[y, y ** 2], np.append(y, y[-1]), np.vstack([X[i] * i for i in range(3)])

def cumsum_out(x):
    out = np.empty_like(x)
    np.cumsum(x, out=out)
    return out

def median_overwrite(x):
    y = x.copy()
    return np.median(y, overwrite_input=True), np.percentile(x, 50, overwrite_input=False)

def einsum_variants(A, B):
    return np.einsum("ij,ij->i", A, B), np.einsum("ij->j", A), np.einsum("ij,kj->ik", A, B), np.einsum("i,i", A[0], B[0]), np.einsum("ij,ij", A, B)

def kron_block(A):
    return np.kron(np.eye(2), A), np.block([[A, np.zeros_like(A)], [np.zeros_like(A), A]]), np.tensordot(A, A, axes=([1], [1]))

def glicko2_volatility(phi, delta, v, sigma=0.06, tau=0.5):
    a = np.log(sigma ** 2)
    def f(x):
        ex = np.exp(x)
        return ex * (delta ** 2 - phi ** 2 - v - ex) / (2 * (phi ** 2 + v + ex) ** 2) - (x - a) / tau ** 2
    A = a
    B = np.where(delta ** 2 > phi ** 2 + v, np.log(np.maximum(delta ** 2 - phi ** 2 - v, 1e-12)), a - tau)
    fA, fB = f(A), f(B)
    for _ in range(30):
        C = A + (A - B) * fA / (fB - fA)
        fC = f(C)
        cond = fC * fB <= 0
        A = np.where(cond, B, A)
        fA = np.where(cond, fB, fA / 2)
        B, fB = C, fC
    return np.exp(A / 2)

def fromfunction_grid(n):
    return np.fromfunction(lambda i, j: (i + 1) * (j + 2), (n, 3), dtype=int)

def reversed_cumsum_at_risk(event):
    return np.cumsum(event[::-1])[::-1], np.flip(np.cumsum(np.flip(event)))

def median_by_argsort(x):
    return x[np.argsort(x)[len(x) // 2]], np.sort(x)[(len(x) - 1) // 2]

def rows_enumerate(A):
    out = []
    for i, row in enumerate(A):
        out.append(row.sum() * i)
    return np.array(out), [r.max() for r in A]

def zip_columns(A, B):
    return [np.dot(a, b) for a, b in zip(A.T, B.T)]

def dict_ratings(home, away, result):
    teams = ["a", "b", "c", "d"]
    r = {t: 1500.0 for t in teams}
    for h, a, s in zip(home, away, result):
        th, ta = teams[h], teams[a]
        e = 1 / (1 + 10 ** ((r[ta] - r[th]) / 400))
        r[th] = r[th] + 20 * (s - e)
        r[ta] = r[ta] - 20 * (s - e)
    return np.array([r[t] for t in teams])

def list_of_tracers_max(x):
    vals = [x[:3].mean(), x[3:].mean(), x.mean()]
    return np.max(vals), np.argmax(vals), np.array(vals).std(), max(vals)

def logsumexp_rows(A):
    m = A.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(A - m).sum(axis=1, keepdims=True))).ravel(), np.logaddexp.reduce(A, axis=1)

def weighted_percentile_interp(x, w, q=(25, 50, 75)):
    i = np.argsort(x)
    cw = np.cumsum(w[i])
    p = 100 * (cw - 0.5 * w[i]) / cw[-1]
    return np.interp(q, p, x[i])

def bool_index_assign_from_other(a, b):
    out = a.copy()
    m = b > 0
    out[m] = b[m]
    out[~m] += 1
    return out

def nested_where_scores(x):
    return np.where(x > 1, "high" == "high", False), np.where(x > 0, x, -x).sum()

def int_matrix_stats(M):
    return M.T @ M, np.linalg.inv(M.T @ M + np.eye(M.shape[1])), M.mean(0), np.cov(M, rowvar=False)
# ---------------------------------------------- scalars, dtypes, in-place forms, inequality, finance

def builtin_scalar_ops(x):
    m = x.mean()
    return abs(m), pow(m, 2), round(m, 2), -m, +m, divmod(x.sum(), 0.7)

def astype_truncation(x):
    return x.astype(int), np.floor(x).astype(int), np.trunc(x), np.round(x).astype(np.int64), (x * 10).astype(np.int8)

def newaxis_broadcasts(a, b):
    return a[:, np.newaxis, :] - b[np.newaxis], a[..., None].shape, np.expand_dims(a, (0, 2)).shape, np.squeeze(a[:, :1]), np.atleast_2d(a[0]).T

def tuple_axes(a):
    return a.mean(axis=(0, 1)), a.sum(axis=(-1,), keepdims=True), np.std(a, axis=(0, 2), ddof=1), np.median(a, axis=(1, 2))

def rasch_product_likelihood(theta, b, X):
    p = 1 / (1 + np.exp(-(theta[:, None] - b)))
    return np.prod(p ** X * (1 - p) ** (1 - X), axis=1), np.log(p[X == 1]).sum()

def int_powers(i):
    return np.power(i, 0), i ** 2, 2 ** i, i ** 0.5, np.power(0, i)

def unravel_max(a):
    k = a.argmax()
    r, c = np.unravel_index(k, a.shape)
    return r, c, a[r, c], np.ravel_multi_index((r, c), a.shape)

def histogram_weighted_density(x, w):
    return np.histogram(x, bins=np.linspace(-3, 3, 7), weights=w, density=True)

def std_single_row(a):
    return np.std(a[:1], axis=0, ddof=1), np.var(a[:2], axis=0, ddof=2)

def average_2d_weights(a, w):
    return np.average(a, axis=0, weights=w), np.average(a, weights=w), np.average(a, axis=1, weights=w[0])

def median_keepdims(a):
    return np.median(a, keepdims=True), np.median(a, axis=0, keepdims=True), np.nanquantile(a, 0.3, axis=1, method="nearest")

def batched_linalg(covs, x):
    inv = np.linalg.inv(covs)
    det = np.linalg.det(covs)
    d = x[:, None, :] - np.zeros((covs.shape[0], covs.shape[1]))
    m = np.einsum("nki,kij,nkj->nk", d, inv, d)
    return m, det, np.linalg.eigvalsh(covs), np.linalg.slogdet(covs)[1], np.linalg.cholesky(covs)

def multi_dot_chain(A, B, C):
    return np.linalg.multi_dot([A, B, C]), np.einsum("ij,jk,kl->il", A, B, C, optimize=True)

def solve_batched(A, b):
    return np.linalg.solve(A, b[..., None])[..., 0], np.linalg.solve(A[0], b.T)

def lstsq_rcond_legacy(A, y):
    return np.linalg.lstsq(A, y, rcond=-1)[0]

def select_broadcast(x):
    return np.select([x > 0, (x < -1)[:, :1]], [x, -1], default=np.nan)

def first_index_where(x):
    return np.argmax(x > 0.5), np.where(x > 0.5)[0][0], np.flatnonzero(x > 0)[-1]

def zero_crossings(x):
    return (np.diff(np.sign(x)) != 0).sum(), np.count_nonzero(np.diff(np.signbit(x))), np.where(np.diff(np.sign(x)))[0].size

def chained_inplace(a):
    a[a < 0] = 0
    a /= a.sum()
    a **= 2
    return a

def put_place_copyto(a, b):
    c = a.copy()
    np.put(c, [0, 2], [9, 9])
    np.place(c, c < 0, 0.0)
    np.copyto(c, b, where=b > 1)
    d = a.copy()
    d.fill(0.5)
    return c, d

def out_where_ops(a, b):
    out = a.copy()
    np.maximum(a, b, out=out)
    np.add(a, b, out=out, where=a > 0)
    return out

def take_clip_choose(a, idx):
    return np.take(a, idx, axis=0, mode="clip"), np.take(a, idx, mode="wrap"), np.choose(np.clip(idx, 0, 2), [a[0], a[1], a[2]], mode="clip")

def compress_const(a):
    return np.compress([True, False, True], a, axis=1), np.resize(a[0], (7,)), np.trim_zeros(np.array([0, 0, 1, 2, 0]))

def pad_edge_moving(x, w=3):
    xp = np.pad(x, (w // 2, w // 2), mode="edge")
    return np.convolve(xp, np.ones(w) / w, mode="valid")

def lag_with_nan(x):
    lag = np.roll(x, 1).astype(float)
    lag[0] = np.nan
    return lag, x - lag, np.nanmean(x - lag)

def rolling_nan_pad(x, w=3):
    xp = np.pad(x.astype(float), (w - 1, 0), constant_values=np.nan)
    win = np.lib.stride_tricks.sliding_window_view(xp, w)
    return np.nanmean(win, axis=1), np.isnan(win).sum(axis=1)

def heaviside_sign(x):
    return np.heaviside(x, 0.5), np.sign(np.r_[x, 0.0]), np.copysign(1, x), np.logical_xor.reduce(x > 0)

def integer_ratio_stats(w, g):
    pct = w / g
    return np.round(pct, 3), (w * 100) // g, np.true_divide(w, g, where=g > 0, out=np.zeros(len(w))), np.floor_divide(w, 2)

def cumsum_small_int(x):
    return np.cumsum(x.astype(np.int8), dtype=np.int8), np.cumsum(x.astype(np.uint8)), x.astype(np.int16).sum()

def top_k_argsort_reverse(scores, k=3):
    idx = np.argsort(scores)[::-1][:k]
    return idx, scores[idx], np.sort(scores)[-k:][::-1]

def einsum_trace_diag(A):
    return np.einsum("ii", A), np.einsum("ii->i", A).sum(), np.einsum("ij->", A), np.einsum("ij,ij->", A, A)

def boolean_mask_2d_assign(a, b):
    out = a.copy()
    m = (a > 0) & (b > 0)
    out[m] = a[m] * b[m]
    out[~m] = np.nan
    return out, np.nansum(out, axis=1)

def logistic_log_loss_clip(y, p):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), np.mean((p > 0.5) == y)

def brier_auc(y, p):
    order = np.argsort(-p)
    ys = y[order]
    tps = np.cumsum(ys)
    fps = np.cumsum(1 - ys)
    tpr = np.r_[0, tps / tps[-1]]
    fpr = np.r_[0, fps / fps[-1]]
    return np.mean((p - y) ** 2), np.trapezoid(tpr, fpr)

def confusion_matrix(y, yhat, k=3):
    cm = np.zeros((k, k), dtype=int)
    for t, p in zip(y, yhat):
        cm[t, p] += 1
    precision = np.diag(cm) / np.maximum(cm.sum(axis=0), 1)
    recall = np.diag(cm) / np.maximum(cm.sum(axis=1), 1)
    return cm, precision, recall, 2 * precision * recall / np.maximum(precision + recall, 1e-12)

def gini_coefficient(x):
    xs = np.sort(x)
    n = len(xs)
    idx = np.arange(1, n + 1)
    return (2 * np.sum(idx * xs)) / (n * np.sum(xs)) - (n + 1) / n

def lorenz_curve(x):
    xs = np.sort(x)
    cum = np.cumsum(xs) / xs.sum()
    return np.insert(cum, 0, 0), np.linspace(0, 1, len(x) + 1)

def theil_atkinson(x, eps=0.5):
    mu = x.mean()
    theil = np.mean(x / mu * np.log(x / mu))
    atk = 1 - np.mean((x / mu) ** (1 - eps)) ** (1 / (1 - eps)) if eps != 1 else 1 - np.exp(np.mean(np.log(x))) / mu
    return theil, atk

def herfindahl(shares):
    s = shares / shares.sum(axis=1, keepdims=True)
    return (s ** 2).sum(axis=1) * 10000

def cagr_returns(prices, years=3):
    total = prices[-1] / prices[0]
    return total ** (1 / years) - 1, np.diff(np.log(prices)).std() * np.sqrt(252)

def sharpe_sortino(r, rf=0.0):
    ex = r - rf
    downside = np.sqrt(np.mean(np.minimum(ex, 0) ** 2))
    return ex.mean() / ex.std(ddof=1) * np.sqrt(252), ex.mean() / downside * np.sqrt(252)

def max_drawdown(prices):
    peak = np.maximum.accumulate(prices)
    dd = prices / peak - 1
    end = np.argmin(dd)
    start = np.argmax(prices[:end + 1])
    return dd.min(), start, end

def value_at_risk(r, alpha=0.05):
    var = -np.percentile(r, 100 * alpha)
    es = -r[r <= -var].mean()
    return var, es

def portfolio_stats(w, R):
    mu = R.mean(axis=0)
    S = np.cov(R, rowvar=False)
    ret = w @ mu
    vol = np.sqrt(w @ S @ w)
    return ret, vol, ret / vol

def min_variance_weights(R):
    S = np.cov(R.T)
    ones = np.ones(S.shape[0])
    w = np.linalg.solve(S, ones)
    return w / w.sum()

def capm_beta_alpha(r, m):
    X = np.vstack([np.ones_like(m), m]).T
    alpha, beta = np.linalg.lstsq(X, r, rcond=None)[0]
    return alpha, beta, np.corrcoef(r, m)[0, 1] ** 2
# ------------------------------------------------ nonparametric tests, scores, match models

def mann_whitney_tie_corrected(x, y):
    n1, n2 = len(x), len(y)
    allv = np.concatenate([x, y])
    _, counts = np.unique(allv, return_counts=True)
    n = n1 + n2
    tie = (counts ** 3 - counts).sum()
    sigma = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie / (n * (n - 1))))
    ranks = rankdata_average(allv)
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    return (u - n1 * n2 / 2) / sigma


def friedman_chi2(X):
    n, k = X.shape
    R = np.argsort(np.argsort(X, axis=1), axis=1) + 1
    Rj = R.sum(axis=0)
    return 12 / (n * k * (k + 1)) * np.sum(Rj ** 2) - 3 * n * (k + 1)


def kruskal_wallis(x, g, k=3):
    n = len(x)
    r = rankdata_average(x)
    Rsum = np.bincount(g, weights=r, minlength=k)
    ng = np.bincount(g, minlength=k)
    return 12 / (n * (n + 1)) * np.sum(Rsum ** 2 / ng) - 3 * (n + 1)


def levene_median(x, g, k=3):
    z = np.empty_like(x)
    for j in range(k):
        m = g == j
        z[m] = np.abs(x[m] - np.median(x[m]))
    zbar = np.array([z[g == j].mean() for j in range(k)])
    nj = np.array([np.sum(g == j) for j in range(k)])
    N = len(x)
    num = (N - k) * np.sum(nj * (zbar - z.mean()) ** 2)
    den = (k - 1) * sum(((z[g == j] - zbar[j]) ** 2).sum() for j in range(k))
    return num / den


def bartlett(x, g, k=3):
    nj = np.array([np.sum(g == j) for j in range(k)])
    vj = np.array([x[g == j].var(ddof=1) for j in range(k)])
    N = nj.sum()
    sp = np.sum((nj - 1) * vj) / (N - k)
    num = (N - k) * np.log(sp) - np.sum((nj - 1) * np.log(vj))
    den = 1 + (np.sum(1 / (nj - 1)) - 1 / (N - k)) / (3 * (k - 1))
    return num / den


def mcnemar(a, b):
    b01 = np.sum((a == 0) & (b == 1))
    b10 = np.sum((a == 1) & (b == 0))
    return (abs(b01 - b10) - 1) ** 2 / max(b01 + b10, 1)


def binom_test_exact(k, n=10, p=0.5):
    probs = np.array([math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(n + 1)])
    return probs[probs <= probs[k] * (1 + 1e-7)].sum()


def mode_unique(x):
    vals, counts = np.unique(x, return_counts=True)
    return vals[np.argmax(counts)], counts.max(), (counts == counts.max()).sum()


def trimmed_mask_mean(x):
    lo, hi = np.percentile(x, [10, 90])
    inner = x[(x >= lo) & (x <= hi)]
    return inner.mean(), inner.std(), np.median(inner)


def masked_corr(x, y):
    ok = ~(np.isnan(x) | np.isnan(y))
    return np.corrcoef(x[ok], y[ok])[0, 1], np.cov(x[ok], y[ok])[0, 1]


def group_transform_mean(v, g):
    _, inv = np.unique(g, return_inverse=True)
    s = np.bincount(inv, weights=v)
    c = np.bincount(inv)
    return v - (s / c)[inv], (v - (s / c)[inv]) / np.sqrt(np.bincount(inv, weights=(v - (s / c)[inv]) ** 2) / c)[inv]


def cumulative_incidence(time, event, grid):
    ci = np.zeros(len(grid))
    for i, t in enumerate(grid):
        ci[i] = np.mean((time <= t) & (event == 1))
    return ci


def spearman_brown_prophecy(r, factors=(0.5, 2, 3)):
    return np.array([f * r / (1 + (f - 1) * r) for f in factors])


def sem_reliability(scores, alpha):
    sd = scores.std(ddof=1)
    sem = sd * np.sqrt(1 - alpha)
    return sem, scores - 1.96 * sem, scores + 1.96 * sem


def standardize_to_t_scores(raw):
    z = (raw - raw.mean(axis=0)) / raw.std(axis=0, ddof=1)
    return np.round(50 + 10 * z).astype(int), np.clip(np.round(100 + 15 * z), 40, 160)


def percentile_ranks(scores):
    n = len(scores)
    below = (scores[None, :] < scores[:, None]).sum(axis=1)
    equal = (scores[None, :] == scores[:, None]).sum(axis=1)
    return 100 * (below + 0.5 * equal) / n


def stanines(z):
    edges = np.array([-1.75, -1.25, -0.75, -0.25, 0.25, 0.75, 1.25, 1.75])
    return np.searchsorted(edges, z) + 1


def goals_poisson_fit(home, away, hg, ag, n_teams=4, n_iter=20):
    att = np.ones(n_teams)
    dfn = np.ones(n_teams)
    for _ in range(n_iter):
        num = np.bincount(home, weights=hg, minlength=n_teams) + np.bincount(away, weights=ag, minlength=n_teams)
        den = np.bincount(home, weights=dfn[away], minlength=n_teams) + np.bincount(away, weights=dfn[home], minlength=n_teams)
        att = num / den
        num_d = np.bincount(away, weights=hg, minlength=n_teams) + np.bincount(home, weights=ag, minlength=n_teams)
        den_d = np.bincount(away, weights=att[home], minlength=n_teams) + np.bincount(home, weights=att[away], minlength=n_teams)
        dfn = num_d / den_d
        dfn /= dfn.mean()
    return att, dfn


def head_to_head(home, away, hg, ag, n_teams=4):
    M = np.zeros((n_teams, n_teams))
    np.add.at(M, (home, away), np.sign(hg - ag))
    np.subtract.at(M, (away, home), np.sign(hg - ag))
    return M, M.sum(axis=1)


def win_probability_matrix(ratings):
    d = ratings[:, None] - ratings[None, :]
    P = 1 / (1 + 10 ** (-d / 400))
    np.fill_diagonal(P, np.nan)
    return P, np.nanmean(P, axis=1)


def tournament_simulation_expected(P, n_rounds=3):
    n = P.shape[0]
    alive = np.ones(n)
    for r in range(n_rounds):
        alive = alive * (P * alive[None, :]).sum(axis=1) / np.maximum(alive.sum() - 1, 1)
    return alive / alive.sum()


def best_and_worst_team(points, gd):
    table = {f"team{i}": points[i] * 1000 + gd[i] for i in range(len(points))}
    best = max(table.values())
    worst = min(v for v in table.values())
    return best // 1000, worst // 1000, max(p - q for p, q in zip(points[1:], points[:-1]))
# ------------------------------------------------------------ official tutorials and the PDSH


def moores_law_fit(year, transistors):
    yi = np.log(transistors)
    A = np.vstack([year, np.ones(len(year))]).T
    B, A0 = np.linalg.lstsq(A, yi, rcond=None)[0]
    doubling = np.log(2) / B
    return B, A0, doubling, np.exp(A0 + B * 2030)


def aqi_moving_and_breakpoints(pm25):
    avg = np.nanmean(np.lib.stride_tricks.sliding_window_view(pm25, 3), axis=1)
    bp = np.array([0.0, 12.1, 35.5, 55.5, 150.5, 250.5, 350.5, 500.5])
    aqi = np.array([0, 51, 101, 151, 201, 301, 401, 501])
    k = np.clip(np.searchsorted(bp, avg, side="right") - 1, 0, len(bp) - 2)
    val = (aqi[k + 1] - aqi[k] - 1) / (bp[k + 1] - bp[k]) * (avg - bp[k]) + aqi[k]
    return np.round(val), np.bincount(k, minlength=7)


def heights_summary(heights):
    return (heights.mean(), heights.std(), heights.min(), heights.max(), np.percentile(heights, 25),
            np.median(heights), np.percentile(heights, 75))


def rainfall_masks(inches):
    rainy = inches > 0
    days = np.arange(365)
    summer = (days > 172) & (days < 262)
    return (np.sum((inches > 0.5) & (inches < 1)), np.median(inches[rainy]),
            np.median(inches[summer]), np.max(inches[summer]), np.median(inches[rainy & ~summer]))


def histogram_by_add_at(x):
    bins = np.linspace(-5, 5, 20)
    counts = np.zeros_like(bins)
    i = np.searchsorted(bins, x)
    np.add.at(counts, i, 1)
    return counts


def knn_argpartition(X, K=2):
    dist_sq = np.sum((X[:, np.newaxis, :] - X[np.newaxis, :, :]) ** 2, axis=-1)
    nearest = np.argpartition(dist_sq, K + 1, axis=1)
    neighbors = np.sort(np.take_along_axis(dist_sq, nearest[:, :K + 1], axis=1), axis=1)
    return neighbors, np.sort(dist_sq, axis=1)[:, :K + 1]


def selecting_random_points(X, rng_idx):
    selection = X[rng_idx]
    return selection.mean(axis=0), np.delete(X, rng_idx[:1], axis=0).sum()


def broadcasting_centering(X):
    Xmean = X.mean(0)
    X_centered = X - Xmean
    x = np.linspace(0, 5, 10)
    y = np.linspace(0, 5, 8)[:, np.newaxis]
    z = np.sin(x) ** 10 + np.cos(10 + y * x) * np.cos(x)
    return X_centered.mean(0), z.sum(axis=0)


def scipy_lectures_population(data):
    year, hares, lynxes, carrots = data.T
    populations = data[:, 1:]
    return (populations.mean(axis=0), populations.std(axis=0), np.argmax(populations, axis=1),
            np.corrcoef(hares, lynxes)[0, 1], year[np.argmax(hares)])


def scipy_lectures_random_walk(steps):
    positions = np.cumsum(steps, axis=1)
    sq_distance = positions ** 2
    mean_sq = np.mean(sq_distance, axis=0)
    return np.sqrt(mean_sq), (positions[:, -1] == 0).mean()


def dice_sum_distribution(rolls):
    total = rolls.sum(axis=1)
    counts = np.bincount(total, minlength=13)[2:]
    return counts / counts.sum(), total.mean(), (total == 7).mean()


def normalize_then_argsort_cols(M):
    N = M / np.linalg.norm(M, axis=0)
    return np.argsort(-N, axis=0)[:2], N.T @ N


def _X(s, n, k=3):
    return np.column_stack([np.ones(n), _f(n, k - 1, seed=s)])


def _y(s, n, k=3):
    return _X(s, n, k) @ np.arange(1.0, k + 1) + 0.5 * _f(n, seed=s + 7)


def _ar(s, n, phi=0.6):
    e = _f(n, seed=s)
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + e[t]
    return x


def _binary(s, n):
    X = _X(s, n)
    return X, (X @ np.array([0.2, 1.0, -0.7]) + _f(n, seed=s + 3) > 0).astype(float)


def _ids(s, n, k=4):
    return np.r_[np.arange(k), _i(k, n - k, seed=s)]


ECON = {
    "ols_lstsq": (ols_lstsq, {}, lambda s, n: (_f(5 * n, 2, seed=s), _f(5 * n, seed=s + 1))),
    "ols_inv_se": (ols_inv_se, {}, lambda s, n: (_X(s, 5 * n), _y(s, 5 * n))),
    "ols_hc_errors": (ols_hc_errors, {}, lambda s, n: (_X(s, 5 * n), _y(s, 5 * n))),
    "ols_pvalues_vectorize_erf": (ols_pvalues_vectorize_erf, {}, lambda s, n: (_X(s, 5 * n), _y(s, 5 * n))),
    "normal_cdf_series": (normal_cdf_series, {}, lambda s, n: (np.linspace(-3, 3, 2 * n),)),
    "normal_cdf_abramowitz": (normal_cdf_abramowitz, {}, lambda s, n: (_f(n, 3, seed=s) * 2,)),
    "two_stage_least_squares": (two_stage_least_squares, {}, lambda s, n: (_y(s, 5 * n), _X(s, 5 * n), np.c_[_X(s, 5 * n), _f(5 * n, seed=s + 9)])),
    "iv_first_stage_lstsq": (iv_first_stage_lstsq, {}, lambda s, n: (_f(5 * n, seed=s), _f(5 * n, seed=s + 1) + _f(5 * n, seed=s + 2), _f(5 * n, seed=s + 2))),
    "panel_fixed_effects": (panel_fixed_effects, {}, lambda s, n: (_f(5 * n, seed=s), _f(5 * n, seed=s + 1), _ids(s, 5 * n, 5))),
    "panel_within_int_y": (panel_within_nan_safe, {}, lambda s, n: (_f(5 * n, seed=s), _f(5 * n, 2, seed=s + 1), _ids(s, 5 * n))),
    "first_differences": (first_differences, {}, lambda s, n: (_f(3, n + 2, positive=True, seed=s),)),
    "lag_matrix": (lag_matrix, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "lag_matrix_stack": (lag_matrix_stack, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "ar_ols": (ar_ols, {}, lambda s, n: (_ar(s, 6 * n),)),
    "autocovariance": (autocovariance, {"maxlag": 4}, lambda s, n: (_ar(s, 6 * n),)),
    "yule_walker": (yule_walker, {}, lambda s, n: (_ar(s, 6 * n),)),
    "yule_walker_toeplitz": (yule_walker_toeplitz, {}, lambda s, n: (_ar(s, 6 * n),)),
    "levinson_durbin": (levinson_durbin, {}, lambda s, n: (autocovariance(_ar(s, 6 * n), 3 + n % 2),)),
    "newey_west_se": (newey_west_se, {}, lambda s, n: (_X(s, 5 * n), _y(s, 5 * n))),
    "gmm_two_step": (gmm_two_step, {}, lambda s, n: (_y(s, 6 * n), _X(s, 6 * n), np.c_[_X(s, 6 * n), _f(6 * n, seed=s + 5)])),
    "logistic_irls": (logistic_irls, {}, lambda s, n: _binary(s, 8 * n)),
    "logistic_newton": (logistic_newton, {}, lambda s, n: _binary(s, 8 * n)),
    "probit_newton": (probit_newton, {}, lambda s, n: _binary(s, 8 * n)),
    "box_cox": (box_cox, {}, lambda s, n: (_f(n, 3, positive=True, seed=s), 0.5)),
    "box_cox_zero": (box_cox, {}, lambda s, n: (_f(n, 3, positive=True, seed=s), 0)),
    "box_cox_loglik_grid": (box_cox_loglik_grid, {}, lambda s, n: (_f(5 * n, positive=True, seed=s),)),
    "winsorize_percentiles": (winsorize_percentiles, {}, lambda s, n: (_f(10 * n, seed=s),)),
    "winsorize_columns": (winsorize_columns, {}, lambda s, n: (_f(5 * n, 3, seed=s),)),
    "winsorize_mask": (winsorize_mask, {}, lambda s, n: (_f(10 * n, seed=s),)),
    "ridge_closed_form": (ridge_closed_form, {}, lambda s, n: (_X(s, 5 * n), _y(s, 5 * n))),
    "wls": (wls, {}, lambda s, n: (_X(s, 5 * n), _y(s, 5 * n), _f(5 * n, positive=True, seed=s))),
    "wls_sqrt": (wls_sqrt, {}, lambda s, n: (_X(s, 5 * n), _y(s, 5 * n), _f(5 * n, positive=True, seed=s))),
    "breusch_pagan": (breusch_pagan, {}, lambda s, n: (_X(s, 5 * n), _y(s, 5 * n))),
    "durbin_watson": (durbin_watson, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "jarque_bera": (jarque_bera, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "vif": (vif, {}, lambda s, n: (_f(5 * n, 3, seed=s),)),
    "f_test_restriction": (f_test_restriction, {}, lambda s, n: (_X(s, 5 * n), _y(s, 5 * n), np.array([[0.0, 1, -1]]), np.array([0.0]))),
    "cochrane_orcutt": (cochrane_orcutt, {}, lambda s, n: (_X(s, 6 * n), _y(s, 6 * n))),
    "leverage_cooks": (leverage_cooks, {}, lambda s, n: (_X(s, 5 * n), _y(s, 5 * n))),
    "diff_in_diff": (diff_in_diff, {}, lambda s, n: (_f(8 * n, seed=s), np.tile([0.0, 0.0, 1.0, 1.0], 2 * n), np.tile([0.0, 1.0], 4 * n))),
    "hp_filter": (hp_filter, {}, lambda s, n: (np.cumsum(_f(3 * n, seed=s)),)),
    "hp_filter_diff": (hp_filter_diff, {}, lambda s, n: (np.cumsum(_f(3 * n, seed=s)),)),
    "var1_ols": (var1_ols, {}, lambda s, n: (np.cumsum(_f(6 * n, 2, seed=s), axis=0) * 0.1,)),
    "impulse_response": (impulse_response, {}, lambda s, n: (0.3 * _f(n, n, seed=s),)),
    "simulate_ar1": (simulate_ar1, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "simulate_garch": (simulate_garch, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "garch_loglik": (garch_loglik, {}, lambda s, n: (_f(4 * n, seed=s), 0.1, 0.1, 0.8)),
    "exp_smoothing": (exp_smoothing, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "holt_linear": (holt_linear, {}, lambda s, n: (np.cumsum(_f(4 * n, seed=s)),)),
    "adf_regression": (adf_regression, {}, lambda s, n: (np.cumsum(_f(6 * n, seed=s)),)),
    "quantile_regression_irls": (quantile_regression_irls, {}, lambda s, n: (_X(s, 6 * n), _y(s, 6 * n))),
    "rolling_beta": (rolling_beta, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1))),
}


@pytest.mark.parametrize("name", list(ECON))
def test_econometrics_matches_numpy(name):
    check_like_numpy(*ECON[name])


PANELS = {
    "panel_demean_unique_inverse": (panel_demean_unique_inverse, {}, lambda s, n: (_f(5 * n, seed=s), _f(5 * n, 2, seed=s + 1), 100 * _ids(s, 5 * n))),
    "group_sizes_and_shares": (group_sizes_and_shares, {}, lambda s, n: (_ids(s, 5 * n, 6) * 7, _f(5 * n, positive=True, seed=s))),
    "between_within_variance": (between_within_variance, {}, lambda s, n: (_f(5 * n, seed=s), _ids(s, 5 * n, 3) + n)),
    "cluster_se_bincount_scores": (cluster_se_bincount_scores, {}, lambda s, n: (_X(s, 5 * n), _y(s, 5 * n), _ids(s, 5 * n))),
    "ols_cluster_se": (ols_cluster_se, {}, lambda s, n: (_X(s, 5 * n), _y(s, 5 * n), _ids(s, 5 * n))),
}


@pytest.mark.parametrize("name", list(PANELS))
def test_group_means_read_back_at_the_labels_match_numpy(name):
    """Panel demeaning by `np.bincount(g, weights=y) / np.bincount(g)` read at `g` (of labels
    with no known bound, or of `np.unique`'s inverse), group sizes and shares, and clustered
    scores `X[idx] * u[idx, None]`: they raised DataDependentShapeError."""
    check_like_numpy(*PANELS[name])


def _obs(s, n):
    return 5 + _i(20, 3, n, seed=s)


def _surv(s, n):
    t = _i(3 * n, 4 * n, seed=s).astype(float) + 1
    e = _i(2, 4 * n, seed=s + 1)
    return t, e


STATS = {
    "welch_t": (welch_t, {}, lambda s, n: (_f(3 * n, seed=s), _f(2 * n + 3, seed=s + 1) + 0.5)),
    "pooled_t": (pooled_t, {}, lambda s, n: (_f(3 * n, seed=s), _f(2 * n + 3, seed=s + 1) + 0.5)),
    "paired_t": (paired_t, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1) + 0.2)),
    "cohens_d": (cohens_d, {}, lambda s, n: (_f(3 * n, seed=s), _f(2 * n, seed=s + 1) + 0.5)),
    "chi_square_table": (chi_square_table, {}, lambda s, n: (_obs(s, n),)),
    "chi_square_outer": (chi_square_outer, {}, lambda s, n: (_obs(s, n).astype(float),)),
    "cramers_v": (cramers_v, {}, lambda s, n: (_obs(s, n),)),
    "crosstab_counts": (crosstab_counts, {}, lambda s, n: (_i(3, 5 * n, seed=s), _i(4, 5 * n, seed=s + 1))),
    "crosstab_add_at": (crosstab_add_at, {}, lambda s, n: (_i(3, 5 * n, seed=s), _i(4, 5 * n, seed=s + 1))),
    "crosstab_bincount": (crosstab_bincount, {}, lambda s, n: (_i(3, 5 * n, seed=s), _i(4, 5 * n, seed=s + 1))),
    "rank_argsort_argsort": (rank_argsort_argsort, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "rankdata_average": (rankdata_average, {}, lambda s, n: (_i(5, 3 * n, seed=s),)),
    "mann_whitney_u": (mann_whitney_u, {}, lambda s, n: (_f(3 * n, seed=s), _f(2 * n, seed=s + 1) + 0.3)),
    "mann_whitney_pairwise": (mann_whitney_pairwise, {}, lambda s, n: (_i(6, 3 * n, seed=s), _i(6, 2 * n, seed=s + 1))),
    "wilcoxon_signed_rank": (wilcoxon_signed_rank, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1))),
    "kendall_tau": (kendall_tau, {}, lambda s, n: (_f(2 * n, seed=s), _f(2 * n, seed=s + 1))),
    "kendall_tau_vectorized": (kendall_tau_vectorized, {}, lambda s, n: (_i(4, 3 * n, seed=s), _f(3 * n, seed=s + 1))),
    "spearman_rho": (spearman_rho, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1))),
    "spearman_corrcoef": (spearman_corrcoef, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1))),
    "pearson_manual": (pearson_manual, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1))),
    "fisher_z_ci": (fisher_z_ci, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1))),
    "ecdf": (ecdf, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "ecdf_at": (ecdf_at, {}, lambda s, n: (_f(3 * n, seed=s), np.linspace(-2, 2, n))),
    "ecdf_broadcast": (ecdf_broadcast, {}, lambda s, n: (_f(3 * n, seed=s), np.linspace(-2, 2, n))),
    "qq_data": (qq_data, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "kaplan_meier": (kaplan_meier, {}, lambda s, n: _surv(s, n)),
    "kaplan_meier_unique_times": (kaplan_meier_unique_times, {}, lambda s, n: _surv(s, n) + (np.arange(1.0, 3 * n + 1),)),
    "nelson_aalen": (nelson_aalen, {}, lambda s, n: _surv(s, n)),
    "log_rank": (log_rank, {}, lambda s, n: _surv(s, n) + (_i(2, 4 * n, seed=s + 2), np.arange(1.0, 3 * n + 1))),
    "histogram_density": (histogram_density, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "histogram_freedman_bins": (histogram_freedman_bins, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "kde_scott": (kde_scott, {}, lambda s, n: (_f(5 * n, seed=s), np.linspace(-3, 3, 2 * n))),
    "weighted_mean_var": (weighted_mean_var, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, positive=True, seed=s + 1))),
    "weighted_median": (weighted_median, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, positive=True, seed=s + 1))),
    "weighted_quantile": (weighted_quantile, {}, lambda s, n: (_f(3 * n, seed=s), np.array([0.1, 0.5, 0.9]), _f(3 * n, positive=True, seed=s + 1))),
    "weighted_cov": (weighted_cov, {}, lambda s, n: (_f(3 * n, 3, seed=s), _f(3 * n, positive=True, seed=s + 1))),
    "moving_average_cumsum": (moving_average_cumsum, {}, lambda s, n: (_i(10, 3 * n, seed=s),)),
    "moving_std_cumsum": (moving_std_cumsum, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "zscore_axes": (zscore_axes, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "zscore_ddof": (zscore_ddof, {}, lambda s, n: (_i(9, n, 3, seed=s),)),
    "cov_corr_manual": (cov_corr_manual, {}, lambda s, n: (_f(3 * n, 3, seed=s),)),
    "mahalanobis": (mahalanobis, {}, lambda s, n: (_f(3 * n, 3, seed=s),)),
    "mahalanobis_loop": (mahalanobis_loop, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, seed=s + 1), np.eye(3) + 0.2)),
    "mahalanobis_solve": (mahalanobis_solve, {}, lambda s, n: (_f(3 * n, 3, seed=s),)),
    "anova_bincount": (anova_bincount, {}, lambda s, n: (_f(4 * n, seed=s), _ids(s, 4 * n, 3))),
    "skew_kurt": (skew_kurt, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "mad_robust_z": (mad_robust_z, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "iqr_outliers": (iqr_outliers, {}, lambda s, n: (np.r_[_f(4 * n, seed=s), 8.0],)),
    "trimmed_mean": (trimmed_mean, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "geometric_harmonic": (geometric_harmonic, {}, lambda s, n: (_f(5 * n, positive=True, seed=s),)),
    "standard_error_ci": (standard_error_ci, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "mode_bincount": (mode_bincount, {}, lambda s, n: (_i(6, 5 * n, seed=s),)),
    "binomial_ci_wilson": (binomial_ci_wilson, {}, lambda s, n: (_i(10, n, seed=s), np.full(n, 10))),
    "benjamini_hochberg": (benjamini_hochberg, {}, lambda s, n: (_f(3 * n, positive=True, seed=s) / 2.5,)),
    "bonferroni_holm": (bonferroni_holm, {}, lambda s, n: (_f(3 * n, positive=True, seed=s) ** 4 / 40,)),
    "ks_two_sample": (ks_two_sample, {}, lambda s, n: (_f(3 * n, seed=s), _f(2 * n, seed=s + 1) + 0.4)),
    "shapiro_like_ppcc": (shapiro_like_ppcc, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "covariance_shrinkage": (covariance_shrinkage, {}, lambda s, n: (_f(3 * n, 3, seed=s),)),
    "partial_correlation": (partial_correlation, {}, lambda s, n: (_f(3 * n, 3, seed=s),)),
    "icc_oneway": (icc_oneway, {}, lambda s, n: (_f(2 * n, 3, seed=s) + _f(2 * n, 1, seed=s + 1),)),
    "cohen_kappa": (cohen_kappa, {}, lambda s, n: (_i(3, 4 * n, seed=s), _i(3, 4 * n, seed=s + 1))),
    "fleiss_kappa": (fleiss_kappa, {}, lambda s, n: (np.stack([np.bincount(r, minlength=3) for r in _i(3, n, 5, seed=s)]),)),
}


@pytest.mark.parametrize("name", list(STATS))
def test_statistics_match_numpy(name):
    check_like_numpy(*STATS[name])


def _items(s, n, k=5):
    trait = _f(4 * n, 1, seed=s)
    return np.clip(np.round(3 + trait + 0.8 * _f(4 * n, k, seed=s + 1)), 1, 5)


def _responses(s, n, k=6):
    return (_f(5 * n, 1, seed=s) + _f(5 * n, k, seed=s + 1) > np.linspace(-1, 1, k)).astype(int)


def _matches(s, n, teams=4):
    home = np.r_[np.arange(teams), _i(teams, 3 * n, seed=s)]
    away = (home + 1 + _i(teams - 1, home.size, seed=s + 1)) % teams
    return home, away, _i(4, home.size, seed=s + 2), _i(4, home.size, seed=s + 3)


def _wins(s, n):
    w = _i(5, n, n, seed=s) + 1
    np.fill_diagonal(w, 0)
    return w


PSYCH_SPORTS = {
    "cronbach_alpha": (cronbach_alpha, {}, lambda s, n: (_items(s, n),)),
    "cronbach_alpha_cov": (cronbach_alpha_cov, {}, lambda s, n: (_items(s, n),)),
    "alpha_if_deleted": (alpha_if_deleted, {}, lambda s, n: (_items(s, n),)),
    "item_total_correlations": (item_total_correlations, {}, lambda s, n: (_items(s, n),)),
    "item_difficulty_discrimination": (item_difficulty_discrimination, {}, lambda s, n: (_responses(s, n),)),
    "split_half_spearman_brown": (split_half_spearman_brown, {}, lambda s, n: (_items(s, n, 6),)),
    "kr20": (kr20, {}, lambda s, n: (_responses(s, n),)),
    "rasch_loglik": (rasch_loglik, {}, lambda s, n: (_f(5 * n, seed=s), np.linspace(-1, 1, 6), _responses(s, n))),
    "rasch_jml": (rasch_jml, {}, lambda s, n: (_responses(s, n),)),
    "two_pl_probabilities": (two_pl_probabilities, {}, lambda s, n: (_f(n, seed=s), _f(4, positive=True, seed=s), _f(4, seed=s + 1))),
    "item_information_curve": (item_information_curve, {}, lambda s, n: (np.linspace(-3, 3, 3 * n), _f(4, positive=True, seed=s), _f(4, seed=s + 1))),
    "eap_scores": (eap_scores, {}, lambda s, n: (_responses(s, n), _f(6, positive=True, seed=s), np.linspace(-1, 1, 6))),
    "reverse_score": (reverse_score, {}, lambda s, n: (_items(s, n).astype(int), [1, 3])),
    "reverse_score_array": (reverse_score, {}, lambda s, n: (_items(s, n).astype(int), np.array([0, 2]))),
    "likert_summary": (likert_summary, {}, lambda s, n: (_items(s, n).astype(int),)),
    "net_promoter": (net_promoter, {}, lambda s, n: (_i(11, 5 * n, seed=s),)),
    "survey_weighted_proportions": (survey_weighted_proportions, {}, lambda s, n: (_i(4, 5 * n, seed=s), _f(5 * n, positive=True, seed=s))),
    "raking": (raking, {}, lambda s, n: (1 + _i(10, n, 3, seed=s), np.linspace(1, 2, n) * 10, np.array([4.0, 3.0, 3.0]) * np.linspace(1, 2, n).sum() * 10 / 10)),
    "design_effect": (design_effect, {}, lambda s, n: (_f(5 * n, positive=True, seed=s),)),
    "elo_updates": (elo_updates, {}, lambda s, n: _matches(s, n, 5)[:2]),
    "elo_with_scores": (elo_with_scores, {}, lambda s, n: _matches(s, n)),
    "glicko_update": (glicko_update, {}, lambda s, n: (1500.0, 200.0, 1400 + 100 * _f(n, seed=s), 30 + 50 * _f(n, positive=True, seed=s), _i(2, n, seed=s + 1).astype(float))),
    "bradley_terry": (bradley_terry, {}, lambda s, n: (_wins(s, n),)),
    "bradley_terry_loop": (bradley_terry_loop, {}, lambda s, n: (_wins(s, n),)),
    "pythagorean_expectation": (pythagorean_expectation, {}, lambda s, n: (_i(100, n, seed=s) + 500, _i(100, n, seed=s + 1) + 500)),
    "league_table": (league_table, {}, lambda s, n: _matches(s, n)),
    "league_table_bincount": (league_table_bincount, {}, lambda s, n: _matches(s, n)),
    "batting_stats": (batting_stats, {}, lambda s, n: (_i(50, n, seed=s), np.r_[0, 100 + _i(50, n - 1, seed=s)], _i(30, n, seed=s + 1), _i(5, n, seed=s + 2), _i(5, n, seed=s + 3) + 1, _i(120, n, seed=s + 4))),
    "shooting_percentages": (shooting_percentages, {}, lambda s, n: (_i(5, n, seed=s), np.r_[0, 5 + _i(5, n - 1, seed=s)])),
    "rolling_form": (rolling_form, {}, lambda s, n: (np.choose(_i(3, 3 * n, seed=s), [0, 1, 3]),)),
    "streaks": (streaks, {}, lambda s, n: (_i(2, 4 * n, seed=s),)),
    "poisson_match_probs": (poisson_match_probs, {}, lambda s, n: (1.0 + 0.1 * n + 0.1 * s, 1.1)),
    "massey_ratings": (massey_ratings, {}, lambda s, n: _matches(s, n)[:2] + (_i(7, 4 + 3 * n, seed=s) - 3,)),
    "colley_ratings": (colley_ratings, {}, lambda s, n: (_wins(s, n),)),
    "keener_perron": (keener_perron, {}, lambda s, n: (_wins(s, n) * 3.0,)),
}


@pytest.mark.parametrize("name", list(PSYCH_SPORTS))
def test_psychometrics_and_sports_match_numpy(name):
    check_like_numpy(*PSYCH_SPORTS[name])


def _nan_rows(s, n):
    a = _f(2 * n, 3, seed=s)
    a[_i(2 * n, 2, seed=s), _i(3, 2, seed=s + 1)] = np.nan
    return a


def _nan_series(s, n):
    y = _f(3 * n, seed=s)
    y[[1, 3, 3 * n - 2]] = np.nan
    return y


IDIOMS = {
    "moving_average_convolve": (moving_average_convolve, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "moving_average_windows": (moving_average_windows, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "sliding_window_2d": (sliding_window_2d, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "find_nearest": (find_nearest, {}, lambda s, n: (_f(3 * n, seed=s), 0.3)),
    "find_nearest_sorted": (find_nearest_sorted, {}, lambda s, n: (np.sort(_f(3 * n, seed=s)), _f(n, seed=s + 1))),
    "nearest_each": (nearest_each, {}, lambda s, n: (_f(3 * n, seed=s), _f(n, seed=s + 1))),
    "groupby_bincount": (groupby_bincount, {}, lambda s, n: (_i(4, 3 * n, seed=s), _f(3 * n, seed=s + 1))),
    "groupby_maximum_at": (groupby_maximum_at, {}, lambda s, n: (_i(5, 3 * n, seed=s), _f(3 * n, seed=s + 1))),
    "cartesian_product": (cartesian_product, {}, lambda s, n: (_f(n, seed=s), _f(3, seed=s + 1))),
    "cartesian_product_ix": (cartesian_product_ix, {}, lambda s, n: (_f(n, seed=s), _f(2, seed=s + 1), _i(3, 3, seed=s))),
    "cartesian_product_stack": (cartesian_product_stack, {}, lambda s, n: (_i(9, n, seed=s), _i(9, 3, seed=s + 1))),
    "searchsorted_binning": (searchsorted_binning, {}, lambda s, n: (_f(5 * n, seed=s), np.linspace(-2, 2, 5))),
    "digitize_labels": (digitize_labels, {}, lambda s, n: (_i(100, 5 * n, seed=s),)),
    "normalize_rows": (normalize_rows, {}, lambda s, n: (_f(n, 3, positive=True, seed=s),)),
    "normalize_rows_inplace": (normalize_rows_inplace, {}, lambda s, n: (_f(n, 3, positive=True, seed=s),)),
    "remove_nan_rows_sum": (remove_nan_rows_sum, {}, lambda s, n: (_nan_rows(s, n),)),
    "nan_fill_column_means": (nan_fill_column_means, {}, lambda s, n: (_nan_rows(s, n),)),
    "nan_forward_fill": (nan_forward_fill, {}, lambda s, n: (np.r_[_f(1, 3 * n, seed=s), _nan_series(s, n)[None]].reshape(2, -1),)),
    "nan_interp": (nan_interp, {}, lambda s, n: (_nan_series(s, n),)),
    "one_hot": (one_hot, {}, lambda s, n: (_i(4, 3 * n, seed=s),)),
    "one_hot_eye": (one_hot_eye, {}, lambda s, n: (_i(4, 3 * n, seed=s),)),
    "one_hot_compare": (one_hot_compare, {}, lambda s, n: (_i(4, 3 * n, seed=s),)),
    "longest_run_cumsum": (longest_run_cumsum, {}, lambda s, n: (_i(2, 5 * n, seed=s).astype(bool),)),
    "diff_prepend": (diff_prepend, {}, lambda s, n: (_i(9, 3 * n, seed=s),)),
    "diff_prepend_nan": (diff_prepend_nan, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "ranking_desc": (ranking_desc, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "topk_argpartition": (topk_argpartition, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "topk_rows": (topk_rows, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "bottomk_partition": (bottomk_partition, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "meshgrid_eval": (meshgrid_eval, {"nx": 7, "ny": 5}, lambda s, n: ()),
    "meshgrid_ij_eval": (meshgrid_ij_eval, {}, lambda s, n: (_f(n, seed=s), _f(3, seed=s + 1))),
    "select_grades": (select_grades, {}, lambda s, n: (_i(100, 3 * n, seed=s),)),
    "piecewise_tax": (piecewise_tax, {}, lambda s, n: (_f(3 * n, positive=True, seed=s) * 30,)),
    "piecewise_scalar_funcs": (piecewise_scalar_funcs, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "clip_variants": (clip_variants, {}, lambda s, n: (_f(3 * n, seed=s) * 2,)),
    "clip_inplace": (clip_inplace, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "where_one_arg_index": (where_one_arg_index, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "where_tuple_sum": (where_tuple_sum, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "boolean_reductions": (boolean_reductions, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "apply_along_axis_stats": (apply_along_axis_stats, {}, lambda s, n: (_f(n, 3, positive=True, seed=s),)),
    "apply_along_axis_hist": (apply_along_axis_hist, {}, lambda s, n: (_f(n, 6, seed=s),)),
    "vectorize_branching_otypes": (vectorize_two_args, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),  # NumPy's loop on the host
    "lstsq_line_fit": (lstsq_line_fit, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1))),
    "percentiles_axis": (percentiles_axis, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "histogram_counts_edges": (histogram_counts_edges, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "argsort_rank_columns": (argsort_rank_columns, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "sort_by_column": (sort_by_column, {}, lambda s, n: (_i(4, n, 3, seed=s),)),
    "sort_desc_rows": (sort_desc_rows, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "most_frequent": (most_frequent, {}, lambda s, n: (_i(5, 4 * n, seed=s),)),
    "count_occurrences": (count_occurrences, {}, lambda s, n: (_i(5, 4 * n, seed=s),)),
    "repeat_tile": (repeat_tile, {}, lambda s, n: (_f(n, seed=s),)),
    "swap_columns": (swap_columns, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "replace_values": (replace_values, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "conditional_replace_np_where": (conditional_replace_np_where, {}, lambda s, n: (_f(n, 3, seed=s) * 2,)),
    "pairwise_dists_broadcast": (pairwise_dists_broadcast, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "standardize_minmax_cols": (standardize_minmax_cols, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "outer_products": (outer_products, {}, lambda s, n: (_f(n, seed=s), _i(5, 3, seed=s))),
    "cumulative_stats": (cumulative_stats, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "percent_change": (percent_change, {}, lambda s, n: (_f(3 * n, positive=True, seed=s),)),
    "block_means": (block_means, {}, lambda s, n: (_f(2 * n + 1, seed=s),)),
    "rolling_window_stride": (rolling_window_stride, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "interp_resample": (interp_resample, {}, lambda s, n: (np.sort(_f(3 * n, seed=s)), _f(3 * n, seed=s + 1))),
    "histogram2d_counts": (histogram2d_counts, {}, lambda s, n: (_f(5 * n, seed=s), _f(5 * n, seed=s + 1))),
    "integer_mixes": (integer_mixes, {}, lambda s, n: (_i(9, 3 * n, seed=s) + 1, _f(3 * n, seed=s))),
    "mean_int_dtype": (mean_int_dtype, {}, lambda s, n: (_i(9, 3 * n, seed=s),)),
    "ranking_dense": (ranking_dense, {}, lambda s, n: (_i(5, 3 * n, seed=s),)),
}


@pytest.mark.parametrize("name", list(IDIOMS))
def test_stack_overflow_idioms_match_numpy(name):
    check_like_numpy(*IDIOMS[name])


SIMULATIONS = [
    (permutation_test_diff, lambda: (_f(8, seed=3), _f(9, seed=4) + 0.5)),
    (permutation_test_shuffle, lambda: (_f(10, seed=3), _f(10, seed=4))),
    (bootstrap_ci_integers, lambda: (_f(12, seed=3),)),
    (bootstrap_choice_loop, lambda: (_f(12, seed=3),)),
    (bootstrap_regression, lambda: (_f(12, seed=3), _f(12, seed=4))),
    (bca_jackknife, lambda: (_f(10, seed=3),)),
    (simulate_survey, lambda: ()),
    (monte_carlo_power, lambda: ()),
    (simulate_elo_season, lambda: (np.array([0.0, 0.5, 1.0, 1.5]),)),
    (random_split, lambda: (_f(10, 2, seed=3), _f(10, seed=4))),
    (stratified_sample_means, lambda: (_f(12, seed=3), np.r_[0, 1, 2, _i(3, 9, seed=4)])),
    (sim_rasch_responses, lambda: (_f(6, seed=3), np.linspace(-1, 1, 4))),
    (random_walk_paths, lambda: ()),
    (block_bootstrap, lambda: (_f(12, seed=3),)),
]


@pytest.mark.parametrize("fn, args", SIMULATIONS, ids=[f.__name__ for f, _ in SIMULATIONS])
def test_simulations_with_a_generator_argument(fn, args):
    """Permutation tests (`rng.permutation`, `rng.shuffle`), bootstraps (`integers`, `choice`,
    block starts), power by simulation, a simulated Elo season, train/test splits and survey
    and Rasch data draw from the generator they are given: NumPy's draws and values over three
    calls, and the generator left in NumPy's state."""
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(got_rng, *args()), fn(want_rng, *args()), rtol=1e-6)
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


def _P(s, n):
    P = _f(n, n, positive=True, seed=s)
    return P / P.sum(1, keepdims=True)


MORE = {
    "poisson_loglik_lgamma": (poisson_loglik_lgamma, {}, lambda s, n: (_i(8, 3 * n, seed=s), 2.5)),
    "poisson_loglik_gammaln_cumsum": (poisson_loglik_gammaln_cumsum, {}, lambda s, n: (_i(8, 3 * n, seed=s), _f(3 * n, positive=True, seed=s))),
    "ndenumerate_loop": (ndenumerate_loop, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "ndindex_loop": (ndindex_loop, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "flat_assign": (flat_assign, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "markov_stationary_eig": (markov_stationary_eig, {}, lambda s, n: (_P(s, n),)),
    "markov_matrix_power": (markov_matrix_power, {}, lambda s, n: (_P(s, n),)),
    "markov_stationary_lstsq": (markov_stationary_lstsq, {}, lambda s, n: (_P(s, n),)),
    "outer_ufuncs": (outer_ufuncs, {}, lambda s, n: (1500 + 100 * _f(n, seed=s),)),
    "round_robin_pairs": (round_robin_pairs, {}, lambda s, n: (_f(n, seed=s),)),
    "isin_teams": (isin_teams, {}, lambda s, n: (_i(6, 3 * n, seed=s), np.array([1, 4]))),
    "isin_traced_top": (isin_teams, {}, lambda s, n: (_i(6, 3 * n, seed=s), _i(6, 2, seed=s + 1))),
    "qcut_deciles": (qcut_deciles, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "polyfit_cov": (polyfit_cov, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1))),
    "polyfit_weights": (polyfit_weights, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1), _f(3 * n, positive=True, seed=s))),
    "polynomial_polyfit": (polynomial_polyfit, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1))),
    "ols_qr": (ols_qr, {}, lambda s, n: (_f(3 * n, 3, seed=s), _f(3 * n, seed=s + 1))),
    "ols_svd": (ols_svd, {}, lambda s, n: (_f(3 * n, 3, seed=s), _f(3 * n, seed=s + 1))),
    "pca_eigh_signflip": (pca_eigh_signflip, {}, lambda s, n: (_f(3 * n, 3, seed=s) * [3, 2, 1],)),
    "norms": (norms, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "where_reductions": (where_reductions, {}, lambda s, n: (_f(n, 3, seed=s), np.r_[[True, True, True], _i(2, 3 * n - 3, seed=s).astype(bool)].reshape(n, 3))),
    "sort_in_place_arg": (sort_in_place_arg, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "sort_axis_in_place": (sort_axis_in_place, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "fill_diag_arg": (fill_diag_arg, {}, lambda s, n: (_f(n, n, seed=s),)),
    "put_along": (put_along, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "ix_submatrix": (ix_submatrix, {}, lambda s, n: (_f(n, n, seed=s), _f(n, seed=s + 1))),
    "insert_intercept": (insert_intercept, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "delete_static": (delete_static, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "stacking": (stacking, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, seed=s + 1))),
    "cumsum_out": (cumsum_out, {}, lambda s, n: (_f(n, seed=s),)),
    "median_overwrite": (median_overwrite, {}, lambda s, n: (_f(n, seed=s),)),
    "einsum_variants": (einsum_variants, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "kron_block": (kron_block, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "glicko2_volatility": (glicko2_volatility, {}, lambda s, n: (_f(n, positive=True, seed=s), _f(n, seed=s), _f(n, positive=True, seed=s + 1))),
    "fromfunction_grid": (fromfunction_grid, {"n": 4}, lambda s, n: ()),
    "reversed_cumsum_at_risk": (reversed_cumsum_at_risk, {}, lambda s, n: (_i(2, 3 * n, seed=s),)),
    "median_by_argsort": (median_by_argsort, {}, lambda s, n: (_f(3 * n + 1, seed=s),)),
    "rows_enumerate": (rows_enumerate, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "zip_columns": (zip_columns, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "list_of_tracers_max": (list_of_tracers_max, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "logsumexp_rows": (logsumexp_rows, {}, lambda s, n: (_f(n, 4, seed=s) * 10,)),
    "weighted_percentile_interp": (weighted_percentile_interp, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, positive=True, seed=s))),
    "bool_index_assign_from_other": (bool_index_assign_from_other, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "nested_where_scores": (nested_where_scores, {}, lambda s, n: (_f(3 * n, seed=s) * 2,)),
    "int_matrix_stats": (int_matrix_stats, {}, lambda s, n: (_i(5, 3 * n, 3, seed=s),)),
}


@pytest.mark.parametrize("name", list(MORE))
def test_fits_markov_chains_and_loops_match_numpy(name):
    """Poisson likelihoods with `np.vectorize(math.lgamma)` (it raised ConcretizationError) and
    a log-factorial table, `np.polynomial.polynomial.polyfit` (it raised at NumPy's rank test),
    `np.polyfit(cov=True, w=)`, OLS by QR and SVD, stationary distributions by `eig`, `lstsq`
    and matrix powers, outer ufuncs for rating matrices, loops by `np.ndenumerate`,
    `np.ndindex`, `enumerate` and `zip` over rows, in-place sorts and `np.fill_diagonal` of
    arguments, Glicko-2's volatility by the Illinois steps."""
    check_like_numpy(*MORE[name])


def test_correlated_draws_by_cholesky_from_a_generator_argument():
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(correlated_draws_chol)
    cov = np.array([[1.0, 0.5], [0.5, 2.0]])
    for _ in range(3):
        assert_same(jf(got_rng, cov), correlated_draws_chol(want_rng, cov), rtol=1e-6)
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


def _covs(s, n):
    A = _f(2, 3, 3, seed=s)
    return A @ A.transpose(0, 2, 1) + np.eye(3)


THIRD = {
    "builtin_scalar_ops": (builtin_scalar_ops, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "astype_truncation": (astype_truncation, {}, lambda s, n: (_f(3 * n, seed=s) * 5,)),
    "newaxis_broadcasts": (newaxis_broadcasts, {}, lambda s, n: (_f(n, 3, seed=s), _f(2, 3, seed=s + 1))),
    "tuple_axes": (tuple_axes, {}, lambda s, n: (_f(n, 3, 4, seed=s),)),
    "rasch_product_likelihood": (rasch_product_likelihood, {}, lambda s, n: (_f(n, seed=s), _f(4, seed=s + 1), _i(2, n, 4, seed=s))),
    "int_powers": (int_powers, {}, lambda s, n: (_i(5, 3 * n, seed=s),)),
    "unravel_max": (unravel_max, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "histogram_weighted_density": (histogram_weighted_density, {}, lambda s, n: (_f(5 * n, seed=s), _f(5 * n, positive=True, seed=s))),
    "std_single_row": (std_single_row, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "average_2d_weights": (average_2d_weights, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, positive=True, seed=s + 1))),
    "median_keepdims": (median_keepdims, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "batched_linalg": (batched_linalg, {}, lambda s, n: (_covs(s, n), _f(n, 3, seed=s))),
    "multi_dot_chain": (multi_dot_chain, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, 4, seed=s + 1), _f(4, 2, seed=s + 2))),
    "solve_batched": (solve_batched, {}, lambda s, n: (_covs(s, n), _f(2, 3, seed=s))),
    "lstsq_rcond_legacy": (lstsq_rcond_legacy, {}, lambda s, n: (_f(3 * n, 2, seed=s), _f(3 * n, seed=s + 1))),
    "select_broadcast": (select_broadcast, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "first_index_where": (first_index_where, {}, lambda s, n: (np.r_[1.0, _f(3 * n, seed=s)],)),
    "chained_inplace": (chained_inplace, {}, lambda s, n: (np.r_[1.0, _f(3 * n, seed=s)],)),
    "put_place_copyto": (put_place_copyto, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1) * 2)),
    "out_where_ops": (out_where_ops, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1))),
    "take_clip_choose": (take_clip_choose, {}, lambda s, n: (_f(n, 3, seed=s), _i(6, 3, seed=s) - 1)),
    "compress_const": (compress_const, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "pad_edge_moving": (pad_edge_moving, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "lag_with_nan": (lag_with_nan, {}, lambda s, n: (_i(9, 3 * n, seed=s),)),
    "rolling_nan_pad": (rolling_nan_pad, {}, lambda s, n: (_i(9, 3 * n, seed=s),)),
    "heaviside_sign": (heaviside_sign, {}, lambda s, n: (np.r_[0.0, _f(3 * n, seed=s)],)),
    "integer_ratio_stats": (integer_ratio_stats, {}, lambda s, n: (_i(9, 3 * n, seed=s), _i(9, 3 * n, seed=s + 1) + 1)),
    "cumsum_small_int": (cumsum_small_int, {}, lambda s, n: (_i(100, 5 * n, seed=s),)),
    "top_k_argsort_reverse": (top_k_argsort_reverse, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "einsum_trace_diag": (einsum_trace_diag, {}, lambda s, n: (_f(n, n, seed=s),)),
    "boolean_mask_2d_assign": (boolean_mask_2d_assign, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "logistic_log_loss_clip": (logistic_log_loss_clip, {}, lambda s, n: (_i(2, 3 * n, seed=s), _f(3 * n, positive=True, seed=s) / 2)),
    "brier_auc": (brier_auc, {}, lambda s, n: (np.r_[0, 1, _i(2, 3 * n, seed=s)], _f(3 * n + 2, positive=True, seed=s) / 2)),
    "confusion_matrix": (confusion_matrix, {}, lambda s, n: (_i(3, 4 * n, seed=s), _i(3, 4 * n, seed=s + 1))),
    "gini_coefficient": (gini_coefficient, {}, lambda s, n: (_f(4 * n, positive=True, seed=s),)),
    "lorenz_curve": (lorenz_curve, {}, lambda s, n: (_f(4 * n, positive=True, seed=s),)),
    "theil_atkinson": (theil_atkinson, {}, lambda s, n: (_f(4 * n, positive=True, seed=s),)),
    "herfindahl": (herfindahl, {}, lambda s, n: (_f(n, 5, positive=True, seed=s),)),
    "cagr_returns": (cagr_returns, {}, lambda s, n: (100 * np.cumprod(1 + 0.01 * _f(4 * n, seed=s)),)),
    "sharpe_sortino": (sharpe_sortino, {}, lambda s, n: (0.01 * _f(4 * n, seed=s),)),
    "max_drawdown": (max_drawdown, {}, lambda s, n: (100 * np.cumprod(1 + 0.02 * _f(4 * n, seed=s)),)),
    "value_at_risk": (value_at_risk, {}, lambda s, n: (0.01 * _f(20 * n, seed=s),)),
    "portfolio_stats": (portfolio_stats, {}, lambda s, n: (np.full(3, 1 / 3), 0.01 * _f(5 * n, 3, seed=s))),
    "min_variance_weights": (min_variance_weights, {}, lambda s, n: (0.01 * _f(5 * n, 3, seed=s),)),
    "capm_beta_alpha": (capm_beta_alpha, {}, lambda s, n: (0.01 * _f(5 * n, seed=s), 0.01 * _f(5 * n, seed=s + 1))),
}


@pytest.mark.filterwarnings("ignore:Degrees of freedom:RuntimeWarning")
@pytest.mark.parametrize("name", list(THIRD))
def test_scalars_dtypes_in_place_forms_and_inequality_match_numpy(name):
    check_like_numpy(*THIRD[name])


def test_integer_to_a_negative_integer_power_raises_numpys_error():
    """`i ** -1` of an integer array: NumPy's ValueError, under jit too."""
    with pytest.raises(ValueError, match="negative integer powers"):
        tracenp.jit(lambda i: i ** -1)(np.arange(1, 4))


# --------------------------------------------------------------------- gradients of likelihoods


def _central_difference(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = eps
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


_GX = np.c_[np.ones(20), _f(20, 2, seed=1)]
_GY = (_GX @ [0.2, 1.0, -0.5] + _f(20, seed=2) > 0).astype(float)
_GK = _i(8, 20, seed=3)
_GR = 0.1 * _f(30, seed=4)
_GRESP = _i(2, 20, 4, seed=5)
_GWINS = _i(5, 4, 4, seed=6) * (1 - np.eye(4, dtype=int))


def _probit_ll(b):
    xb = _GX @ b
    Phi = 0.5 * (1 + np.vectorize(math.erf)(xb / np.sqrt(2)))
    return np.sum(_GY * np.log(Phi) + (1 - _GY) * np.log(1 - Phi))


def _poisson_ll(p):
    lam = np.exp(_GX @ p)
    return np.sum(_GK * np.log(lam) - lam - np.vectorize(math.lgamma)(_GK + 1.0))


def _negbin_ll(p):
    alpha, mu = np.exp(p[0]), np.exp(p[1])
    lg = np.vectorize(math.lgamma)
    return np.sum(lg(_GK + 1 / alpha) - lg(1 / alpha) - lg(_GK + 1.0)
                  + _GK * np.log(alpha * mu / (1 + alpha * mu)) - np.log(1 + alpha * mu) / alpha)


def _bradley_terry_ll(s):
    d = s[:, None] - s[None, :]
    return np.sum(_GWINS * (d - np.logaddexp(0, d)))


GRADS = {
    "probit_by_math_erf": (_probit_ll, np.array([0.1, 0.5, -0.2])),
    "poisson_by_math_lgamma": (_poisson_ll, np.array([0.5, 0.1, -0.1])),
    "negative_binomial_by_math_lgamma": (_negbin_ll, np.array([-0.5, 1.0])),
    "logistic": (lambda b: np.sum(_GY * (_GX @ b) - np.logaddexp(0, _GX @ b)), np.array([0.1, 0.2, 0.3])),
    "garch": (lambda p: garch_loglik(_GR, p[0], p[1], p[2]), np.array([0.002, 0.1, 0.8])),
    "rasch": (lambda t: rasch_loglik(t, np.linspace(-1, 1, 4), _GRESP), _f(20, seed=7)),
    "bradley_terry": (_bradley_terry_ll, _f(4, seed=8)),
}


@pytest.mark.parametrize("name", list(GRADS))
def test_gradients_of_likelihoods_match_differences(name):
    """`tracenp.grad` of the likelihoods these fits maximize (probit with `math.erf`, Poisson
    and negative binomial with `math.lgamma`, logit, GARCH's recursion, Rasch, Bradley-Terry):
    central differences, eagerly and under jit."""
    f, x0 = GRADS[name]
    want = _central_difference(f, x0.copy())
    np.testing.assert_allclose(tracenp.grad(f)(x0.copy()), want, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(tracenp.jit(tracenp.grad(f))(x0.copy()), want, rtol=1e-4, atol=1e-6)


FOURTH = {
    "mann_whitney_tie_corrected": (mann_whitney_tie_corrected, {}, lambda s, n: (_i(6, 3 * n, seed=s), _i(6, 2 * n, seed=s + 1))),
    "friedman_chi2": (friedman_chi2, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "kruskal_wallis": (kruskal_wallis, {}, lambda s, n: (_f(4 * n, seed=s), _ids(s, 4 * n, 3))),
    "levene_median": (levene_median, {}, lambda s, n: (_f(4 * n, seed=s), _ids(s, 4 * n, 3))),
    "bartlett": (bartlett, {}, lambda s, n: (_f(4 * n, seed=s), np.r_[0, 0, 1, 1, 2, 2, _i(3, 4 * n - 6, seed=s)])),
    "mcnemar": (mcnemar, {}, lambda s, n: (_i(2, 5 * n, seed=s), _i(2, 5 * n, seed=s + 1))),
    "binom_test_exact": (binom_test_exact, {}, lambda s, n: (np.int64(n + s),)),
    "mode_unique": (mode_unique, {}, lambda s, n: (_i(5, 4 * n, seed=s),)),
    "trimmed_mask_mean": (trimmed_mask_mean, {}, lambda s, n: (_f(10 * n, seed=s),)),
    "masked_corr": (masked_corr, {}, lambda s, n: (np.where(_f(5 * n, seed=s) > 1, np.nan, _f(5 * n, seed=s + 2)), _f(5 * n, seed=s + 1))),
    "group_transform_mean": (group_transform_mean, {}, lambda s, n: (_f(5 * n, seed=s), np.r_[7, 7, 3, 3, 11 * _i(2, 5 * n - 4, seed=s)])),
    "cumulative_incidence": (cumulative_incidence, {}, lambda s, n: (_f(4 * n, positive=True, seed=s), _i(2, 4 * n, seed=s), np.linspace(0.5, 2, n))),
    "spearman_brown_prophecy": (spearman_brown_prophecy, {}, lambda s, n: (_f(n, positive=True, seed=s) / 2.5,)),
    "sem_reliability": (sem_reliability, {}, lambda s, n: (_f(4 * n, seed=s) * 10 + 50, 0.8)),
    "standardize_to_t_scores": (standardize_to_t_scores, {}, lambda s, n: (_f(4 * n, 3, seed=s),)),
    "percentile_ranks": (percentile_ranks, {}, lambda s, n: (_i(10, 4 * n, seed=s),)),
    "stanines": (stanines, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "goals_poisson_fit": (goals_poisson_fit, {}, lambda s, n: _matches(s, n)),
    "head_to_head": (head_to_head, {}, lambda s, n: _matches(s, n)),
    "win_probability_matrix": (win_probability_matrix, {}, lambda s, n: (1500 + 100 * _f(n, seed=s),)),
    "best_and_worst_team": (best_and_worst_team, {}, lambda s, n: (_i(30, n, seed=s), _i(20, n, seed=s + 1) - 10)),
    "tournament_simulation_expected": (tournament_simulation_expected, {}, lambda s, n: (np.full((n, n), 0.5) + 0.1 * np.triu(np.ones((n, n)), 1) - 0.1 * np.tril(np.ones((n, n)), -1),)),
}


@pytest.mark.parametrize("name", list(FOURTH))
def test_nonparametric_tests_scores_and_match_models_match_numpy(name):
    """Tie-corrected Mann-Whitney from `np.unique`'s counts, Friedman, Kruskal-Wallis, Levene
    and Bartlett by group masks, exact binomial tests over `math.comb`, modes, trimmed and
    NaN-masked statistics, group z-scores by bins read at `np.unique`'s inverse, T-scores and
    stanines, percentile ranks, a Poisson attack/defence fit by `np.bincount(weights=)`,
    head-to-head tables by `np.add.at`/`np.subtract.at`, win-probability matrices."""
    check_like_numpy(*FOURTH[name])


TUTORIALS = {
    "moores_law_fit": (moores_law_fit, {}, lambda s, n: (np.arange(1970.0, 1970 + 4 * n), 2300 * 2 ** ((np.arange(4 * n)) / 2.0) * _f(4 * n, positive=True, seed=s))),
    "aqi_moving_and_breakpoints": (aqi_moving_and_breakpoints, {}, lambda s, n: (np.where(_f(5 * n, seed=s) > 1.5, np.nan, 40 * _f(5 * n, positive=True, seed=s + 1)),)),
    "heights_summary": (heights_summary, {}, lambda s, n: (170 + 10 * _f(5 * n, seed=s),)),
    "rainfall_masks": (rainfall_masks, {}, lambda s, n: (np.maximum(_f(365, seed=s + n), 0),)),
    "histogram_by_add_at": (histogram_by_add_at, {}, lambda s, n: (_f(20 * n, seed=s),)),
    "knn_argpartition": (knn_argpartition, {}, lambda s, n: (_f(2 * n, 2, seed=s),)),
    "selecting_random_points": (selecting_random_points, {}, lambda s, n: (_f(3 * n, 2, seed=s), _i(3 * n, 4, seed=s))),
    "broadcasting_centering": (broadcasting_centering, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "scipy_lectures_population": (scipy_lectures_population, {}, lambda s, n: (np.c_[np.arange(1900.0, 1900 + 3 * n), 1000 * _f(3 * n, 3, positive=True, seed=s)],)),
    "scipy_lectures_random_walk": (scipy_lectures_random_walk, {}, lambda s, n: (2 * _i(2, 5 * n, 8, seed=s) - 1,)),
    "dice_sum_distribution": (dice_sum_distribution, {}, lambda s, n: (1 + _i(6, 10 * n, 2, seed=s),)),
    "normalize_then_argsort_cols": (normalize_then_argsort_cols, {}, lambda s, n: (_f(n, 3, seed=s),)),
}


@pytest.mark.parametrize("name", list(TUTORIALS))
def test_tutorial_snippets_match_numpy(name):
    """numpy.org's tutorials (Moore's law by `lstsq`, air-quality moving averages and AQI
    breakpoints), the Python Data Science Handbook (heights, rainfall masks, `np.add.at`
    histograms, kNN by `np.argpartition`, random selections with `np.delete` at a drawn row:
    it was refused), and the SciPy lecture notes (populations, random walks)."""
    check_like_numpy(*TUTORIALS[name])


REFUSED = {
    "panel_within_if_any": ("ConcretizationError", panel_within_loop, lambda s: (_f(12, seed=s), _f(12, 2, seed=s + 1), _ids(s, 12))),
    "anova_len_of_selection": ("DataDependentShapeError", anova_oneway, lambda s: (_f(12, seed=s), _ids(s, 12, 3))),
    "rank_ties_bins_over_unique_counts": ("DataDependentShapeError", rank_average_ties, lambda s: (_i(5, 12, seed=s).astype(float),)),
    "run_lengths_two_masks": ("DataDependentShapeError", run_lengths_max, lambda s: (_i(2, 15, seed=s),)),
    "run_length_encode": ("DataDependentShapeError", run_length_encode, lambda s: (_i(3, 15, seed=s),)),
    "vectorize_if_element": ("ConcretizationError", vectorize_piecewise, lambda s: (_f(9, seed=s),)),
    "poly1d_of_fit": ("DataDependentShapeError", polyfit_predict, lambda s: (_f(9, seed=s), _f(9, seed=s + 1))),
    "reduceat_at_group_starts": ("DataDependentShapeError", groupby_reduceat, lambda s: (_i(4, 12, seed=s), _f(12, seed=s))),
    "allclose_in_if": ("ConcretizationError", isclose_control, lambda s: (_f(9, seed=s), _f(9, seed=s + 1))),
    "nan_rows_returned": ("DataDependentShapeError", lambda a: a[~np.isnan(a).any(axis=1)], lambda s: (_nan_rows(s, 4),)),
}


# refused until they traced (stop 38): NumPy's values now
TRACED_NOW = {
    "unique_rows": (unique_rows_counts, {}, lambda s, n: (_i(2, 12, 2, seed=s),)),
}


@pytest.mark.parametrize("name", list(TRACED_NOW))
def test_forms_once_refused_now_trace(name):
    """Forms refused until tracenp traced them: NumPy's values now."""
    check_like_numpy(*TRACED_NOW[name])


PYTHON_NUMBERS = {
    "hausman_float": (hausman_like, {}, lambda s, n: (_f(3, seed=s), _f(3, seed=s + 1), np.eye(3) * 2, np.eye(3))),
    "float_of_sum": (float_item_results, {}, lambda s, n: (_f(9, seed=s),)),
    "int_of_argmax": (int_of_argmax, {}, lambda s, n: (_f(9, seed=s),)),
}


@pytest.mark.parametrize("name", list(PYTHON_NUMBERS))
def test_python_numbers_of_traced_values_match_numpy(name):
    """Python numbers of traced values (`float()`, `int()`, `.item()`, `.tolist()`), refused
    before, match NumPy: weak traced scalars the function returns as NumPy's Python numbers."""
    check_like_numpy(*PYTHON_NUMBERS[name])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_run_under_fallback(name):
    """`if` on a traced mask's `any()`, `float()`/`int()` of results, `len()` of a selection,
    bins of np.unique's inverse over np.unique's counts (two masks), run lengths from two
    `np.where` selections, an `np.vectorize`d branch, `np.poly1d` of fitted coefficients,
    `np.add.reduceat` at data-dependent starts, unique rows, `np.allclose` in an `if`, the
    rows without NaN returned: refused by name,
    NumPy's values under `fallback=True`."""
    error, fn, make = REFUSED[name]
    check_refused(getattr(tracenp.errors, error), fn, make)


REFUSED_MORE = {
    "nditer_loop": ("UnsupportedFunctionError", nditer_loop, lambda s: (_f(3, 2, seed=s),)),
    "polynomial_class_fit": ("UnsupportedFunctionError", polynomial_fit_class, lambda s: (_f(9, seed=s), _f(9, seed=s + 1))),
    "size_of_where_selection": ("DataDependentShapeError", zero_crossings, lambda s: (_f(9, seed=s),)),
    "list_index_by_traced_team": ("ConcretizationError", dict_ratings, lambda s: (_i(4, 9, seed=s), (_i(4, 9, seed=s) + 1) % 4, _i(2, 9, seed=s + 1))),
}


@pytest.mark.parametrize("name", list(REFUSED_MORE))
def test_more_refused_forms_run_under_fallback(name):
    """`np.nditer` over a traced array, `Polynomial.fit(...).convert()` (it evaluates the
    series at a series, an object array), `np.where(m)[0].size` (a Python int), and a Python
    list of team names indexed by traced labels."""
    error, fn, make = REFUSED_MORE[name]
    check_refused(getattr(tracenp.errors, error), fn, make)
