"""Corpus, hunt AW: optimal transport, sparse recovery and tensor networks, as POT (Python
Optimal Transport), course notebooks, papers' companion code and physics blog posts write them.

Optimal transport (Sinkhorn-Knopp as POT writes it, with `Kp = (1 / a).reshape(-1, 1) * K`,
with a log dict of errors every ten iterations, for several target histograms at once and on
float32 data; log-domain Sinkhorn with `scipy.special.logsumexp` and with a max-subtracting
helper, a stabilised variant absorbing into potentials, epsilon scaling, unbalanced Sinkhorn
with KL marginals, Greenkhorn's greedy row/column updates by `argmax`; cost matrices by
broadcasting, by POT's `dist` with `np.maximum` and by `scipy.spatial.distance.cdist`;
Sinkhorn divergences, plan entropies and marginal errors into dicts, barycentric maps; 1-D
Wasserstein distances by sorting, by scipy's CDF form with `searchsorted`, by quantile
functions with `np.quantile` and POT's `take_along_axis` form, and on a grid by cumsum;
Gaussian W2 by `scipy.linalg.sqrtm` and by `eigh`; sliced Wasserstein with projections drawn
from a generator argument and from a seeded `RandomState`; entropic barycenters by iterated
Bregman projections (POT's `geometricBar`) and convolutional barycenters on a grid; entropic
Gromov-Wasserstein with POT's square-loss tensor product; semi-dual c-transforms), sparse
recovery (soft-thresholding by `np.sign`/`np.maximum`, `np.where` and `np.clip`, complex
soft-thresholding; ISTA with Lipschitz constants by `np.linalg.norm(A, 2)` and by power
iteration, FISTA with momentum and cost histories, IHT with `argsort` and `argpartition`
top-k, OMP on growing supports with `lstsq`, `pinv` and normal equations, coordinate-descent
lasso with and without residual updates, ADMM lasso with cached `cho_factor`/`cho_solve`,
with `np.linalg.cholesky` and `solve_triangular`, basis pursuit by ADMM, group-lasso and
elastic-net proxes, reweighted l1, compressed-sensing MRI by ISTA over a masked `np.fft`,
mutual coherence, total-variation denoising by Chambolle's projection, by ROF gradient
descent and by 1-D ADMM), tensor networks (MPS from a state vector by successive reshapes and
SVDs truncated to a fixed bond dimension, left-canonicalisation by QR, MPS norms and overlaps
by einsum and tensordot loops, local expectation values and correlators, MPO energies,
TEBD two-site gates by einsum/tensordot + SVD with `scipy.linalg.expm` bond gates, iTEBD in
Vidal form, transfer matrices and correlation lengths, entanglement entropies from singular
values and reduced density matrices, free-fermion entanglement by Peschel's formula,
Kronecker-product Hamiltonians by `np.kron` chains and `functools.reduce`, exact
diagonalisation by `eigh`, a fixed-step Lanczos, real-time evolution by eigendecomposition,
classical Ising transfer matrices by `matrix_power`).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Iteration counts, bond dimensions, sparsity levels,
chain lengths and projection counts given positionally are made static; the forms whose
Python or shapes depend on array values (Sinkhorn's `if err < tol: break`, a truncation by
`np.sum(S > eps)`, OMP until a residual tolerance, FISTA's adaptive restart, supports by
`np.flatnonzero` and by boolean columns, CoSaMP's `np.union1d`, `np.unique` of energy levels,
scikit-learn's `if w_ii != 0.0`) raise a named error and run eagerly under `fallback=True`.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import scipy.linalg
import scipy.spatial.distance
import scipy.special
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _hist(seed, n):
    h = _u(seed, n) + 0.1
    return h / h.sum()


def _pts(seed, n, d=2):
    return np.random.default_rng(seed).standard_normal((n, d))


# ============================================================================ optimal transport


def sinkhorn_knopp(a, b, M, reg, numItermax=50):
    # POT's sinkhorn_knopp without the stopping test: Kp, u and v as it writes them
    dim_a, dim_b = len(a), len(b)
    u = np.ones(dim_a) / dim_a
    v = np.ones(dim_b) / dim_b
    K = np.empty(M.shape, dtype=M.dtype)
    np.divide(M, -reg, out=K)
    np.exp(K, out=K)
    Kp = (1 / a).reshape(-1, 1) * K
    for ii in range(numItermax):
        KtransposeU = np.dot(K.T, u)
        v = np.divide(b, KtransposeU)
        u = 1.0 / np.dot(Kp, v)
    return u.reshape((-1, 1)) * K * v.reshape((1, -1))


def sinkhorn_plain(a, b, M, reg, n_iter=60):
    # the course notebook: K, alternate scalings, the plan by np.diag products
    K = np.exp(-M / reg)
    u = np.ones_like(a)
    for _ in range(n_iter):
        v = b / (K.T @ u)
        u = a / (K @ v)
    P = np.diag(u) @ K @ np.diag(v)
    return P, np.sum(P * M)


def sinkhorn_log_dict(a, b, M, reg, numItermax=40):
    # with log=True: the marginal error every ten iterations into a dict of lists
    K = np.exp(-M / reg)
    u = np.full(a.shape[0], 1.0 / a.shape[0])
    v = np.full(b.shape[0], 1.0 / b.shape[0])
    log = {"err": []}
    for ii in range(numItermax):
        v = b / K.T.dot(u)
        u = a / K.dot(v)
        if ii % 10 == 0:
            tmp2 = np.einsum("i,ij,j->j", u, K, v)
            log["err"].append(np.linalg.norm(tmp2 - b))
    log["u"] = u
    log["v"] = v
    return u[:, None] * K * v[None, :], log


def sinkhorn_multi_target(a, B, M, reg, numItermax=30):
    # POT with b a matrix of histograms: u, v of shape (dim, n_hists), sinkhorn2's losses
    dim_a, n_hists = a.shape[0], B.shape[1]
    u = np.ones((dim_a, n_hists)) / dim_a
    v = np.ones((B.shape[0], n_hists)) / B.shape[0]
    K = np.exp(M / (-reg))
    Kp = (1 / a).reshape(-1, 1) * K
    for _ in range(numItermax):
        v = B / np.dot(K.T, u)
        u = 1.0 / np.dot(Kp, v)
    return np.einsum("ik,ij,jk,ij->k", u, K, v, M)


def sinkhorn_float32(a, b, M, reg=0.5, n_iter=30):
    # POT's type_as: the whole loop in the data's float32
    K = np.exp(-M / reg)
    u = np.ones(a.shape, dtype=a.dtype) / a.shape[0]
    for _ in range(n_iter):
        v = b / (K.T @ u)
        u = a / (K @ v)
    G = u[:, None] * K * v[None, :]
    return G, (G * M).sum()


def _lse_max(X, axis):
    # the hand-written stable logsumexp of the blog posts
    m = np.max(X, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(X - m), axis=axis))


def sinkhorn_log_scipy(a, b, M, reg, n_iter=50):
    # log-domain Sinkhorn on the dual potentials with scipy.special.logsumexp
    f = np.zeros_like(a)
    g = np.zeros_like(b)
    loga, logb = np.log(a), np.log(b)
    for _ in range(n_iter):
        f = reg * loga - reg * scipy.special.logsumexp((g[None, :] - M) / reg, axis=1)
        g = reg * logb - reg * scipy.special.logsumexp((f[:, None] - M) / reg, axis=0)
    P = np.exp((f[:, None] + g[None, :] - M) / reg)
    return P, f, g


def sinkhorn_log_maxsub(a, b, M, eps, n_iter=50):
    # the same iterations written with a max-subtracting helper, small eps
    log_a, log_b = np.log(a), np.log(b)
    f, g = np.zeros(len(a)), np.zeros(len(b))
    for it in range(n_iter):
        f = -eps * _lse_max((g[None, :] - M) / eps + log_b[None, :], axis=1)
        g = -eps * _lse_max((f[:, None] - M) / eps + log_a[:, None], axis=0)
    log_P = (f[:, None] + g[None, :] - M) / eps + log_a[:, None] + log_b[None, :]
    return np.exp(log_P), np.sum(f * a) + np.sum(g * b)


def sinkhorn_log_uv(a, b, M, reg, numItermax=40):
    # POT's sinkhorn_log: logsumexp over M_r = -M / reg with u, v in the log domain
    Mr = -M / reg
    u = np.zeros(len(a))
    v = np.zeros(len(b))
    loga, logb = np.log(a), np.log(b)

    def get_logT(u, v):
        return Mr + u[:, None] + v[None, :]

    for ii in range(numItermax):
        v = logb - scipy.special.logsumexp(Mr + u[:, None], 0)
        u = loga - scipy.special.logsumexp(Mr + v[None, :], 1)
    return np.exp(get_logT(u, v))


def sinkhorn_stabilized(a, b, M, reg, n_iter=40, tau=1e3):
    # POT's stabilized variant: absorb large scalings into alpha, beta (np.where on the test)
    alpha, beta = np.zeros(len(a)), np.zeros(len(b))
    u, v = np.ones(len(a)) / len(a), np.ones(len(b)) / len(b)

    def get_K(alpha, beta):
        return np.exp(-(M - alpha.reshape((-1, 1)) - beta.reshape((1, -1))) / reg)

    for ii in range(n_iter):
        K = get_K(alpha, beta)
        v = b / (np.dot(K.T, u))
        u = a / (np.dot(K, v))
        big = np.maximum(np.abs(u).max(), np.abs(v).max()) > tau
        alpha = np.where(big, alpha + reg * np.log(u), alpha)
        beta = np.where(big, beta + reg * np.log(v), beta)
        u = np.where(big, np.ones(len(a)) / len(a), u)
        v = np.where(big, np.ones(len(b)) / len(b), v)
    K = get_K(alpha, beta)
    return u.reshape((-1, 1)) * K * v.reshape((1, -1))


def sinkhorn_epsilon_scaling(a, b, M, eps_list=(1.0, 0.3, 0.1), inner=15):
    # epsilon scaling: warm-started log-domain potentials over a decreasing schedule
    f, g = np.zeros_like(a), np.zeros_like(b)
    for eps in eps_list:
        for _ in range(inner):
            f = -eps * scipy.special.logsumexp((g - M) / eps, b=b, axis=1)
            g = -eps * scipy.special.logsumexp((f[:, None] - M) / eps, b=a[:, None], axis=0)
    eps = eps_list[-1]
    P = a[:, None] * b[None, :] * np.exp((f[:, None] + g[None, :] - M) / eps)
    return P, f @ a + g @ b


def sinkhorn_unbalanced(a, b, M, reg, reg_m, numItermax=50):
    # POT's sinkhorn_knopp_unbalanced: KL-relaxed marginals through the exponent fi
    K = np.exp(M / -reg)
    fi = reg_m / (reg_m + reg)
    u = np.ones(len(a)) / len(a)
    v = np.ones(len(b)) / len(b)
    for i in range(numItermax):
        Kv = K.dot(v)
        u = (a / Kv) ** fi
        Ktu = K.T.dot(u)
        v = (b / Ktu) ** fi
    G = u[:, None] * K * v[None, :]
    return G, G.sum(1), G.sum(0)


def sinkhorn_unbalanced_log(a, b, C, eps, rho, n_iter=40):
    # unbalanced in the log domain (Chizat et al.): the aprox step damps each potential
    tau = rho / (rho + eps)
    f, g = np.zeros(len(a)), np.zeros(len(b))
    for _ in range(n_iter):
        f = -tau * eps * scipy.special.logsumexp(np.log(b)[None, :] + (g[None, :] - C) / eps,
                                                 axis=1)
        g = -tau * eps * scipy.special.logsumexp(np.log(a)[:, None] + (f[:, None] - C) / eps,
                                                 axis=0)
    pi = a[:, None] * b[None, :] * np.exp((f[:, None] + g[None, :] - C) / eps)
    kl = lambda p, q: np.sum(p * np.log(p / q) - p + q)  # noqa: E731
    cost = np.sum(pi * C) + rho * kl(pi.sum(1), a) + rho * kl(pi.sum(0), b)
    return pi, cost


def greenkhorn(a, b, M, reg, numItermax=60):
    # POT's greenkhorn with a fixed count: the most violated row or column, one at a time
    K = np.exp(-M / reg)
    dim_a, dim_b = K.shape
    u = np.full(dim_a, 1.0 / dim_a)
    v = np.full(dim_b, 1.0 / dim_b)
    G = u[:, None] * K * v[None, :]
    viol = G.sum(1) - a
    viol_2 = G.sum(0) - b
    for ii in range(numItermax):
        i_1 = np.argmax(np.abs(viol))
        i_2 = np.argmax(np.abs(viol_2))
        m_viol_1 = np.abs(viol[i_1])
        m_viol_2 = np.abs(viol_2[i_2])
        # the branch POT takes, as np.where over both candidate updates
        new_u = a[i_1] / (K[i_1, :].dot(v))
        new_v = b[i_2] / (K[:, i_2].T.dot(u))
        row = m_viol_1 > m_viol_2
        u_upd = u.copy()
        u_upd[i_1] = new_u
        v_upd = v.copy()
        v_upd[i_2] = new_v
        u = np.where(row, u_upd, u)
        v = np.where(row, v, v_upd)
        G = u[:, None] * K * v[None, :]
        viol = G.sum(1) - a
        viol_2 = G.sum(0) - b
    return G


def pot_dist(x1, x2, metric="sqeuclidean"):
    # POT's ot.dist / euclidean_distances with squared=True
    XX = np.einsum("ij,ij->i", x1, x1)[:, np.newaxis]
    YY = np.einsum("ij,ij->i", x2, x2)[np.newaxis, :]
    distances = np.dot(x1, x2.T)
    distances *= -2
    distances += XX
    distances += YY
    np.maximum(distances, 0, out=distances)
    if metric == "euclidean":
        distances = np.sqrt(distances)
    return distances


def ot_between_point_clouds(xs, xt, reg=0.1, n_iter=50):
    # the POT example: uniform weights, M = ot.dist, normalised by its max, the plan
    ns, nt = len(xs), len(xt)
    a, b = np.ones((ns,)) / ns, np.ones((nt,)) / nt
    M = pot_dist(xs, xt)
    M /= M.max()
    G = sinkhorn_knopp(a, b, M, reg, n_iter)
    return G, np.sum(G * M)


def cost_broadcast_sq(x, y):
    # cost by broadcasting, as the tutorials write it
    C = np.sum((x[:, None, :] - y[None, :, :]) ** 2, axis=-1)
    return C / C.max()


def ot_cdist_plan(xs, xt, a, b, reg=0.05, n_iter=50):
    M = scipy.spatial.distance.cdist(xs, xt, "sqeuclidean")
    M = M / np.median(M)
    P, f, g = sinkhorn_log_scipy(a, b, M, reg, n_iter)
    return P, np.sum(P * M)


def ot_cdist_euclidean_w1(xs, xt, reg=0.05, n_iter=40):
    # W1 between point clouds: the Euclidean cdist cost, uniform weights
    M = scipy.spatial.distance.cdist(xs, xt)
    a = np.full(xs.shape[0], 1 / xs.shape[0])
    b = np.full(xt.shape[0], 1 / xt.shape[0])
    P = sinkhorn_log_uv(a, b, M, reg, n_iter)
    return (P * M).sum(), P.sum(axis=0)


def sinkhorn_divergence(x, y, reg=0.5, n_iter=40):
    # S_eps(a, b) = OT(a, b) - (OT(a, a) + OT(b, b)) / 2 with uniform weights
    def ot_eps(X, Y):
        a = np.ones(len(X)) / len(X)
        b = np.ones(len(Y)) / len(Y)
        M = cost_broadcast_sq(X, Y)
        P, _, _ = sinkhorn_log_scipy(a, b, M, reg, n_iter)
        return np.sum(P * M)

    return ot_eps(x, y) - 0.5 * (ot_eps(x, x) + ot_eps(y, y))


def plan_diagnostics(G, a, b, M):
    # the numbers a notebook prints about a plan, into a dict
    H = -np.sum(G * np.log(G + 1e-16))
    return {
        "cost": float(np.sum(G * M)),
        "entropy": H,
        "err_a": np.abs(G.sum(axis=1) - a).sum(),
        "err_b": np.linalg.norm(G.sum(axis=0) - b, ord=1),
        "mass": G.sum(),
        "sparsity": np.mean(G > 1e-8 * G.max()),
    }


def barycentric_map(G, xt):
    # the barycentric projection of a plan: where each source point goes
    return G @ xt / G.sum(axis=1)[:, None]


def barycentric_map_einsum(G, xs, xt):
    # displacement field of the mapping, as a domain adaptation example computes it
    Gn = G / np.sum(G, 1, keepdims=True)
    mapped = np.einsum("ij,jk->ik", Gn, xt)
    return mapped, np.linalg.norm(mapped - xs, axis=1)


def c_transform(g, M, b):
    # semi-discrete / semi-dual: f = min_j M_ij - g_j and the dual value
    f = np.min(M - g[None, :], axis=1)
    j = np.argmin(M - g[None, :], axis=1)
    return f, j, np.bincount(j, minlength=len(b))


def semi_dual_ascent(a, b, M, reg, lr=0.5, n_iter=60):
    # Genevay et al.'s entropic semi-dual by full-gradient ascent on g
    g = np.zeros_like(b)
    for _ in range(n_iter):
        z = (g[None, :] - M) / reg
        z = z - z.max(axis=1, keepdims=True)
        chi = np.exp(z)
        chi /= chi.sum(axis=1, keepdims=True)
        grad = b - a @ chi
        g = g + lr * grad
    return g, np.abs(grad).max()


# ---------------------------------------------------------------------- 1-D Wasserstein


def w1_sorted_equal(u, v):
    # equal sample sizes: the sorted samples pair up
    return np.mean(np.abs(np.sort(u) - np.sort(v)))


def w2_sorted_equal(x, y):
    return np.sqrt(np.mean((np.sort(x) - np.sort(y)) ** 2))


def wasserstein_cdf_scipy(u_values, v_values, p=1):
    # scipy.stats._cdf_distance as written there, unweighted
    u_sorter = np.argsort(u_values)
    v_sorter = np.argsort(v_values)
    all_values = np.concatenate((u_values, v_values))
    all_values.sort(kind="mergesort")
    deltas = np.diff(all_values)
    u_cdf_indices = u_values[u_sorter].searchsorted(all_values[:-1], "right")
    v_cdf_indices = v_values[v_sorter].searchsorted(all_values[:-1], "right")
    u_cdf = u_cdf_indices / u_values.size
    v_cdf = v_cdf_indices / v_values.size
    if p == 1:
        return np.sum(np.multiply(np.abs(u_cdf - v_cdf), deltas))
    return np.power(np.sum(np.multiply(np.power(np.abs(u_cdf - v_cdf), p), deltas)), 1 / p)


def wasserstein_weighted_cdf(u_values, v_values, u_weights, v_weights):
    # the weighted branch: cumulative weights prepended with 0, searchsorted into them
    u_sorter = np.argsort(u_values)
    v_sorter = np.argsort(v_values)
    all_values = np.sort(np.concatenate((u_values, v_values)))
    deltas = np.diff(all_values)
    u_cdf_indices = u_values[u_sorter].searchsorted(all_values[:-1], "right")
    v_cdf_indices = v_values[v_sorter].searchsorted(all_values[:-1], "right")
    u_sorted_cumweights = np.concatenate(([0], np.cumsum(u_weights[u_sorter])))
    u_cdf = u_sorted_cumweights[u_cdf_indices] / u_sorted_cumweights[-1]
    v_sorted_cumweights = np.concatenate(([0], np.cumsum(v_weights[v_sorter])))
    v_cdf = v_sorted_cumweights[v_cdf_indices] / v_sorted_cumweights[-1]
    return np.sum(np.abs(u_cdf - v_cdf) * deltas)


def scipy_wasserstein(u, v):
    import scipy.stats

    return scipy.stats.wasserstein_distance(u, v), scipy.stats.energy_distance(u, v)


def scipy_wasserstein_weighted(u, v, wu, wv):
    import scipy.stats

    return scipy.stats.wasserstein_distance(u, v, wu, wv)


def wp_quantiles(u, v, p=2, n_q=100):
    # W_p by quantile functions on a grid of levels
    qs = np.linspace(0, 1, n_q + 2)[1:-1]
    qu = np.quantile(u, qs)
    qv = np.quantile(v, qs)
    return np.mean(np.abs(qu - qv) ** p) ** (1 / p)


def _nx_searchsorted(a, v, side="left"):
    # POT's NumpyBackend.searchsorted: row by row for 2-d arrays
    if a.ndim == 1:
        return np.searchsorted(a, v, side)
    return np.array([np.searchsorted(a[i, :], v[i, :], side) for i in range(a.shape[0])])


def pot_quantile_function(qs, cws, xs):
    n = xs.shape[0]
    cws = cws.T
    qs = qs.T
    idx = _nx_searchsorted(cws, qs).T
    return np.take_along_axis(xs, np.clip(idx, 0, n - 1), axis=0)


def pot_wasserstein_1d(u_values, v_values, u_weights, v_weights, p=1):
    # POT's wasserstein_1d for one pair of 1-d distributions, columns of (n, 1)
    u_values, v_values = u_values[:, None], v_values[:, None]
    u_weights, v_weights = u_weights[:, None], v_weights[:, None]
    u_sorter = np.argsort(u_values, 0)
    u_values = np.take_along_axis(u_values, u_sorter, 0)
    v_sorter = np.argsort(v_values, 0)
    v_values = np.take_along_axis(v_values, v_sorter, 0)
    u_weights = np.take_along_axis(u_weights, u_sorter, 0)
    v_weights = np.take_along_axis(v_weights, v_sorter, 0)
    u_cumweights = np.cumsum(u_weights, 0)
    v_cumweights = np.cumsum(v_weights, 0)
    qs = np.sort(np.concatenate((u_cumweights, v_cumweights), 0), 0)
    u_quantiles = pot_quantile_function(qs, u_cumweights, u_values)
    v_quantiles = pot_quantile_function(qs, v_cumweights, v_values)
    qs = np.pad(qs, pad_width=[(1, 0)] + (qs.ndim - 1) * [(0, 0)])
    delta = qs[1:, ...] - qs[:-1, ...]
    diff_quantiles = np.abs(u_quantiles - v_quantiles)
    if p == 1:
        return np.sum(delta * diff_quantiles, axis=0)
    return np.sum(delta * np.power(diff_quantiles, p), axis=0)


def emd_grid_cumsum(a, b, dx=1.0):
    # histograms on the same grid: W1 is the L1 norm of the difference of CDFs
    return np.sum(np.abs(np.cumsum(a) - np.cumsum(b))) * dx


def emd_grid_many(A, B, x):
    # one row per pair of histograms on a non-uniform grid
    cdf_diff = np.cumsum(A / A.sum(1, keepdims=True) - B / B.sum(1, keepdims=True), axis=1)
    return np.sum(np.abs(cdf_diff[:, :-1]) * np.diff(x), axis=1)


def gaussian_w2_sqrtm(m1, S1, m2, S2):
    # the Bures-Wasserstein distance between Gaussians with scipy.linalg.sqrtm
    s1_half = scipy.linalg.sqrtm(S1)
    cross = scipy.linalg.sqrtm(s1_half @ S2 @ s1_half)
    bures = np.trace(S1 + S2 - 2 * np.real(cross))
    return np.sqrt(np.sum((m1 - m2) ** 2) + bures)


def _sqrtm_eigh(S):
    w, V = np.linalg.eigh(S)
    return (V * np.sqrt(np.maximum(w, 0))) @ V.T


def gaussian_w2_eigh(m1, S1, m2, S2):
    # the same with a symmetric square root by eigh, and the Monge map's matrix
    r1 = _sqrtm_eigh(S1)
    inv_r1 = np.linalg.inv(r1)
    mid = _sqrtm_eigh(r1 @ S2 @ r1)
    A = inv_r1 @ mid @ inv_r1
    w2 = np.linalg.norm(m1 - m2) ** 2 + np.trace(S1) + np.trace(S2) - 2 * np.trace(mid)
    return w2, A


def gaussian_w2_1d(mu1, sigma1, mu2, sigma2):
    return np.sqrt((mu1 - mu2) ** 2 + (sigma1 - sigma2) ** 2)


def sliced_wasserstein_rng(X, Y, rng, n_projections=50):
    # POT's sliced_wasserstein_distance with a generator argument and equal sample sizes
    d = X.shape[1]
    projections = rng.normal(size=(d, n_projections))
    projections /= np.sqrt(np.sum(projections ** 2, 0, keepdims=True))
    X_proj = X @ projections
    Y_proj = Y @ projections
    proj_dist = np.mean(np.abs(np.sort(X_proj, axis=0) - np.sort(Y_proj, axis=0)) ** 2, axis=0)
    return np.sqrt(np.mean(proj_dist))


def sliced_wasserstein_seeded(X, Y, n_projections=40, seed=0):
    # the RandomState seeded inside, the directions as rows of normalised Gaussians
    rs = np.random.RandomState(seed)
    theta = rs.randn(n_projections, X.shape[1])
    theta = theta / np.linalg.norm(theta, axis=1)[:, None]
    xp = np.sort(theta @ X.T, axis=1)
    yp = np.sort(theta @ Y.T, axis=1)
    return np.sqrt(np.mean((xp - yp) ** 2))


# ------------------------------------------------------------------------ barycenters


def geometricBar(weights, alldistribT):
    return np.exp(np.dot(np.log(alldistribT), weights.T))


def geometricMean(alldistribT):
    return np.exp(np.mean(np.log(alldistribT), axis=1))


def barycenter_sinkhorn(A, M, reg, weights=None, numItermax=40):
    # POT's barycenter_sinkhorn (Benamou et al.'s iterative Bregman projections)
    if weights is None:
        weights = np.ones(A.shape[1]) / A.shape[1]
    K = np.exp(-M / reg)
    UKv = np.dot(K, np.divide(A.T, np.sum(K, axis=0)).T)
    u = (geometricMean(UKv) / UKv.T).T
    for ii in range(numItermax):
        UKv = u * np.dot(K.T, np.divide(A, np.dot(K, u)))
        u = (u.T * geometricBar(weights, UKv)).T / UKv
    return geometricBar(weights, UKv)


def barycenter_bregman_plain(A, M, reg, weights, n_iter=40):
    # the same written from the paper: v, u per histogram as columns, weights from an array
    K = np.exp(-M / reg)
    n, k = A.shape
    v = np.ones((n, k))
    u = np.ones((n, k))
    for _ in range(n_iter):
        u = A / (K @ v)
        Ktu = K.T @ u
        log_bar = np.sum(weights[None, :] * np.log(v * Ktu), axis=1)
        bar = np.exp(log_bar)
        v = bar[:, None] / Ktu
    return bar / bar.sum()


def convolutional_barycenter_2d(A, reg, weights, n_iter=20):
    # Solomon et al.: the Gaussian kernel applied separably on the grid, images in A[k]
    n = A.shape[1]
    t = np.linspace(0, 1, n)
    [Y, X] = np.meshgrid(t, t)
    xi1 = np.exp(-((X - Y) ** 2) / reg)

    def K(x):
        return np.dot(np.dot(xi1, x), xi1)

    b = np.zeros_like(A[0, :, :])
    bar = np.ones_like(A[0, :, :])
    V = np.ones_like(A)
    W = np.ones_like(A)
    for ii in range(n_iter):
        for k in range(A.shape[0]):
            W[k, :, :] = A[k, :, :] / np.maximum(1e-16, K(V[k, :, :]))
        b[:, :] = 1
        for k in range(A.shape[0]):
            b *= np.maximum(1e-16, V[k, :, :] * K(W[k, :, :])) ** weights[k]
        for k in range(A.shape[0]):
            V[k, :, :] = b / np.maximum(1e-16, K(W[k, :, :]))
        bar = b
    return bar


def barycenter_1d_quantiles(samples, weights, n_q=50):
    # the 1-D W2 barycenter: the weighted average of quantile functions
    qs = np.linspace(0.01, 0.99, n_q)
    Q = np.array([np.quantile(s, qs) for s in samples])
    return weights @ Q


# ------------------------------------------------------------------- Gromov-Wasserstein


def gw_init_matrix(C1, C2, p, q):
    # POT's init_matrix for the square loss
    def f1(a):
        return a ** 2

    def f2(b):
        return b ** 2

    def h1(a):
        return a

    def h2(b):
        return 2 * b

    constC1 = np.dot(np.dot(f1(C1), p.reshape(-1, 1)), np.ones((1, len(q))))
    constC2 = np.dot(np.ones((len(p), 1)), np.dot(q.reshape(1, -1), f2(C2).T))
    constC = constC1 + constC2
    return constC, h1(C1), h2(C2)


def gw_tensor_product(constC, hC1, hC2, T):
    A = -np.dot(np.dot(hC1, T), hC2.T)
    return constC + A


def entropic_gw(C1, C2, p, q, epsilon=0.1, max_iter=5, inner=30):
    # POT's entropic_gromov_wasserstein with a fixed count: linearise, then Sinkhorn
    T = np.outer(p, q)
    constC, hC1, hC2 = gw_init_matrix(C1, C2, p, q)
    for cpt in range(max_iter):
        tens = gw_tensor_product(constC, hC1, hC2, T)
        T = sinkhorn_knopp(p, q, tens, epsilon, inner)
    gw = np.sum(gw_tensor_product(constC, hC1, hC2, T) * T)
    return T, gw


# =============================================================================== sparse


def soft_threshold(x, t):
    return np.sign(x) * np.maximum(np.abs(x) - t, 0.0)


def soft_threshold_where(x, lam):
    return np.where(x > lam, x - lam, np.where(x < -lam, x + lam, 0.0))


def soft_threshold_clip(x, lam):
    return x - np.clip(x, -lam, lam)


def prox_ops(x, lam):
    # the three prox forms side by side, and the hard threshold
    return (soft_threshold(x, lam), soft_threshold_where(x, lam), soft_threshold_clip(x, lam),
            x * (np.abs(x) > lam))


def soft_threshold_complex(z, t):
    # for complex data: shrink the modulus, keep the phase
    mag = np.abs(z)
    return np.where(mag > t, (1 - t / np.maximum(mag, 1e-12)) * z, 0)


def ista(A, b, lam, n_iter=100):
    # the textbook ISTA with the Lipschitz constant from the spectral norm and a cost history
    L = np.linalg.norm(A, 2) ** 2
    x = np.zeros(A.shape[1])
    costs = []
    for k in range(n_iter):
        grad = A.T @ (A @ x - b)
        x = soft_threshold(x - grad / L, lam / L)
        costs.append(0.5 * np.sum((A @ x - b) ** 2) + lam * np.sum(np.abs(x)))
    return x, np.array(costs)


def ista_power_iteration(A, y, lam, n_iter=60, n_power=20):
    # L by a few power iterations, then ISTA with soft thresholding by np.where
    v = np.ones(A.shape[1]) / np.sqrt(A.shape[1])
    for _ in range(n_power):
        v = A.T @ (A @ v)
        v /= np.linalg.norm(v)
    L = np.linalg.norm(A @ v) ** 2
    x = np.zeros(A.shape[1])
    for _ in range(n_iter):
        x = soft_threshold_where(x + A.T @ (y - A @ x) / L, lam / L)
    return x, L


def fista(A, b, lam, n_iter=80):
    # Beck-Teboulle FISTA: t by math.sqrt of Python floats, momentum on y
    L = np.linalg.norm(A, ord=2) ** 2
    x = np.zeros(A.shape[1])
    y = x.copy()
    t = 1.0
    for _ in range(n_iter):
        x_old = x.copy()
        x = soft_threshold(y - A.T @ (A @ y - b) / L, lam / L)
        t_new = (1 + math.sqrt(1 + 4 * t ** 2)) / 2
        y = x + ((t - 1) / t_new) * (x - x_old)
        t = t_new
    return x


def fista_history(A, b, lam, n_iter=50):
    # the np.sqrt variant, with objective and distance-between-iterates histories in a dict
    L = np.max(np.linalg.svd(A, compute_uv=False)) ** 2
    x = np.zeros(A.shape[1])
    z = x.copy()
    t = 1
    hist = {"obj": np.zeros(n_iter), "step": np.zeros(n_iter)}
    for k in range(n_iter):
        xprev = x
        x = soft_threshold_clip(z - (A.T @ (A @ z - b)) / L, lam / L)
        tprev = t
        t = (1 + np.sqrt(1 + 4 * t * t)) / 2
        z = x + (tprev - 1) / t * (x - xprev)
        hist["obj"][k] = 0.5 * np.linalg.norm(A @ x - b) ** 2 + lam * np.linalg.norm(x, 1)
        hist["step"][k] = np.linalg.norm(x - xprev)
    return x, hist


def fista_float32(A, b, lam=0.1, n_iter=40):
    # float32 measurements: weak Python scalars keep the iterates in float32
    L = np.linalg.norm(A, 2) ** 2
    x = np.zeros(A.shape[1], dtype=A.dtype)
    y = x
    t = 1.0
    for _ in range(n_iter):
        x_new = soft_threshold(y - (A.T @ (A @ y - b)) / L, lam / L)
        t_new = 0.5 * (1 + (1 + 4 * t * t) ** 0.5)
        y = x_new + (t - 1) / t_new * (x_new - x)
        x, t = x_new, t_new
    return x


def iht_argsort(A, y, k=3, n_iter=40):
    # IHT: gradient step, keep the k largest magnitudes by argsort, zero the rest in place
    x = np.zeros(A.shape[1])
    mu = 1.0 / np.linalg.norm(A, 2) ** 2
    for _ in range(n_iter):
        x = x + mu * A.T @ (y - A @ x)
        idx = np.argsort(np.abs(x))[:-k]
        x[idx] = 0
    return x


def iht_argpartition(A, y, k=3, n_iter=40, step=None):
    # the top-k by argpartition into a fresh zero vector
    if step is None:
        step = 1.0 / np.linalg.norm(A, 2) ** 2
    x = np.zeros(A.shape[1])
    for _ in range(n_iter):
        g = x + step * (A.T @ (y - A @ x))
        top = np.argpartition(np.abs(g), -k)[-k:]
        x = np.zeros_like(g)
        x[top] = g[top]
    return x, np.sort(top)


def hard_threshold_sort(x, k):
    # keep the k largest: the threshold from the sorted magnitudes
    thresh = np.sort(np.abs(x))[-k]
    return np.where(np.abs(x) >= thresh, x, 0.0)


def omp_lstsq(A, y, k=3):
    # OMP with a Python list support and lstsq on the growing column set
    r = y.copy()
    support = []
    for _ in range(k):
        idx = int(np.argmax(np.abs(A.T @ r)))
        support.append(idx)
        As = A[:, support]
        coef, *_ = np.linalg.lstsq(As, y, rcond=None)
        r = y - As @ coef
    x = np.zeros(A.shape[1])
    x[support] = coef
    return x, np.linalg.norm(r)


def omp_pinv(A, y, k=3):
    # normalised atoms, np.argmax without int(), pinv on the selected columns
    An = A / np.linalg.norm(A, axis=0)
    r = y
    S = []
    for it in range(k):
        j = np.argmax(np.abs(An.T @ r))
        S.append(j)
        coef = np.linalg.pinv(An[:, S]) @ y
        r = y - An[:, S] @ coef
    x = np.zeros(A.shape[1])
    x[S] = coef
    return x / np.linalg.norm(A, axis=0)


def omp_normal_eqs(D, x_sig, n_nonzero=3):
    # the dictionary-learning form: indices in an int array, solve on the Gram block
    idx = np.zeros(n_nonzero, dtype=int)
    residual = x_sig.copy()
    for t in range(n_nonzero):
        proj = D.T @ residual
        idx[t] = np.argmax(np.abs(proj))
        Ds = D[:, idx[: t + 1]]
        gamma = np.linalg.solve(Ds.T @ Ds, Ds.T @ x_sig)
        residual = x_sig - Ds @ gamma
    code = np.zeros(D.shape[1])
    code[idx] = gamma
    return code, residual


def omp_mask_lstsq(A, y, k=3):
    # the support as a boolean mask; lstsq on the masked columns (zeros elsewhere)
    support = np.zeros(A.shape[1], dtype=bool)
    r = y
    for _ in range(k):
        c = np.abs(A.T @ r)
        c[support] = 0
        support[np.argmax(c)] = True
        x = np.linalg.lstsq(A * support, y, rcond=None)[0]
        r = y - A @ x
    return x, support


def cd_lasso(X, y, lam, n_iter=10):
    # coordinate descent, the residual recomputed for each coordinate
    n, p = X.shape
    w = np.zeros(p)
    for it in range(n_iter):
        for j in range(p):
            r = y - X @ w + X[:, j] * w[j]
            rho = X[:, j] @ r
            z = (X[:, j] ** 2).sum()
            w[j] = soft_threshold(rho, lam) / z
    return w


def cd_lasso_residual(X, y, alpha, n_iter=8):
    # scikit-learn's enet_coordinate_descent in Python: residual updates, Python max
    n_samples, n_features = X.shape
    w = np.zeros(n_features)
    norm_cols_X = (X ** 2).sum(axis=0)
    R = y - X @ w
    for n_iter_ in range(n_iter):
        for ii in range(n_features):
            w_ii = w[ii]
            if w_ii != 0.0:
                R += w_ii * X[:, ii]
            tmp = X[:, ii] @ R
            w[ii] = np.sign(tmp) * max(abs(tmp) - alpha * n_samples, 0) / norm_cols_X[ii]
            R -= w[ii] * X[:, ii]
    return w, R


def cd_lasso_residual_always(X, y, alpha, n_iter=8):
    # the same without the `if w_ii != 0.0` test: the column added back every time
    n_samples, n_features = X.shape
    w = np.zeros(n_features)
    norm_cols_X = (X ** 2).sum(axis=0)
    R = y.copy()
    for n_iter_ in range(n_iter):
        for ii in range(n_features):
            R += w[ii] * X[:, ii]
            tmp = np.dot(X[:, ii], R)
            w[ii] = np.sign(tmp) * max(abs(tmp) - alpha * n_samples, 0) / norm_cols_X[ii]
            R -= w[ii] * X[:, ii]
    return w, R


def cd_lasso_covariance(X, y, lam, n_iter=10):
    # the Gram ("covariance") updates: no residual, X^T y and X^T X precomputed
    G = X.T @ X
    c = X.T @ y
    beta = np.zeros(X.shape[1])
    for _ in range(n_iter):
        for j in range(len(beta)):
            rho = c[j] - G[j] @ beta + G[j, j] * beta[j]
            beta[j] = np.sign(rho) * np.maximum(np.abs(rho) - lam, 0) / G[j, j]
    return beta, 0.5 * np.sum((y - X @ beta) ** 2) + lam * np.abs(beta).sum()


def admm_lasso_cho(A, b, lam, rho=1.0, n_iter=50):
    # Boyd's lasso ADMM with the factorisation cached by scipy.linalg.cho_factor
    m, n = A.shape
    Atb = A.T @ b
    L = scipy.linalg.cho_factor(A.T @ A + rho * np.eye(n))
    x = np.zeros(n)
    z = np.zeros(n)
    u = np.zeros(n)
    history = {"r_norm": [], "s_norm": []}
    for k in range(n_iter):
        q = Atb + rho * (z - u)
        x = scipy.linalg.cho_solve(L, q)
        zold = z
        z = soft_threshold(x + u, lam / rho)
        u = u + x - z
        history["r_norm"].append(np.linalg.norm(x - z))
        history["s_norm"].append(np.linalg.norm(-rho * (z - zold)))
    return z, history


def admm_lasso_triangular(A, b, lam, rho=1.0, n_iter=40):
    # np.linalg.cholesky once, two triangular solves per step
    n = A.shape[1]
    L = np.linalg.cholesky(A.T @ A + rho * np.eye(n))
    U = L.T
    Atb = A.T @ b
    x = z = u = np.zeros(n)
    for _ in range(n_iter):
        q = Atb + rho * (z - u)
        x = scipy.linalg.solve_triangular(U, scipy.linalg.solve_triangular(L, q, lower=True))
        z = soft_threshold_where(x + u, lam / rho)
        u += x - z
    return x, z


def admm_lasso_inv(A, b, lam, rho=2.0, n_iter=40):
    # the notebook that caches the inverse (fat A: the matrix inversion lemma's form)
    m, n = A.shape
    P = np.linalg.inv(A.T @ A + rho * np.eye(n))
    x, z, u = np.zeros(n), np.zeros(n), np.zeros(n)
    Atb = A.T.dot(b)
    for _ in range(n_iter):
        x = P.dot(Atb + rho * (z - u))
        z = np.sign(x + u) * np.maximum(np.abs(x + u) - lam / rho, 0)
        u = u + (x - z)
    obj = 0.5 * np.linalg.norm(A.dot(z) - b) ** 2 + lam * np.linalg.norm(z, 1)
    return z, obj


def admm_basis_pursuit(A, b, rho=1.0, n_iter=60):
    # min ||x||_1 s.t. Ax = b: the projection onto {Ax = b} precomputed
    n = A.shape[1]
    AAt = A @ A.T
    P = np.eye(n) - A.T @ np.linalg.solve(AAt, A)
    q = A.T @ np.linalg.solve(AAt, b)
    x = np.zeros(n)
    z = np.zeros(n)
    u = np.zeros(n)
    for _ in range(n_iter):
        x = P @ (z - u) + q
        z = soft_threshold(x + u, 1.0 / rho)
        u = u + x - z
    return z, np.linalg.norm(A @ z - b)


def group_lasso_prox(x, lam, group_size=2):
    # block soft thresholding over contiguous groups
    G = x.reshape(-1, group_size)
    norms = np.linalg.norm(G, axis=1, keepdims=True)
    scale = np.maximum(1 - lam / np.maximum(norms, 1e-12), 0)
    return (scale * G).ravel()


def prox_grad_group_lasso(A, y, lam, group_size=2, n_iter=40):
    L = np.linalg.norm(A, 2) ** 2
    x = np.zeros(A.shape[1])
    for _ in range(n_iter):
        x = group_lasso_prox(x - A.T @ (A @ x - y) / L, lam / L, group_size)
    return x


def elastic_net_ista(A, y, l1, l2, n_iter=50):
    # the elastic-net prox: soft threshold then shrink
    L = np.linalg.norm(A, 2) ** 2
    x = np.zeros(A.shape[1])
    for _ in range(n_iter):
        v = x - A.T @ (A @ x - y) / L
        x = np.sign(v) * np.maximum(np.abs(v) - l1 / L, 0) / (1 + l2 / L)
    return x


def reweighted_l1_irls(A, y, eps=0.1, n_iter=6):
    # Candès-Wakin-Boyd reweighting through the minimum weighted-norm solution
    x = A.T @ np.linalg.solve(A @ A.T, y)
    for _ in range(n_iter):
        w_inv = np.abs(x) + eps
        AW = A * w_inv
        x = w_inv * (A.T @ np.linalg.solve(AW @ A.T, y))
    return x


def cs_mri_ista(y, mask, lam=0.05, n_iter=20):
    # compressed-sensing MRI toy: sparse image, undersampled 2-D FFT, complex ISTA
    x = np.fft.ifft2(y * mask, norm="ortho")
    for _ in range(n_iter):
        resid = mask * np.fft.fft2(x, norm="ortho") - y
        x = x - np.fft.ifft2(mask * resid, norm="ortho")
        x = soft_threshold_complex(x, lam)
    return x, np.abs(x)


def cs_1d_dct_ista(y, rows, n, lam=0.02, n_iter=30):
    # a signal sparse in frequency, observed at a few samples: rfft-domain ISTA
    x_hat = np.zeros(n // 2 + 1, dtype=complex)
    for _ in range(n_iter):
        x = np.fft.irfft(x_hat, n=n)
        r = np.zeros(n)
        r[rows] = y - x[rows]
        x_hat = x_hat + np.fft.rfft(r)
        mag = np.abs(x_hat)
        x_hat = x_hat * np.maximum(1 - lam * n / np.maximum(mag, 1e-12), 0)
    return np.fft.irfft(x_hat, n=n)


def mutual_coherence(A):
    An = A / np.linalg.norm(A, axis=0, keepdims=True)
    G = np.abs(An.T @ An)
    np.fill_diagonal(G, 0)
    return G.max(), G.argmax() // G.shape[1]


def recovery_report(x_true, x_hat, k):
    # support recovery and errors into a dict, supports as top-k index sets
    s_true = np.argsort(-np.abs(x_true))[:k]
    s_hat = np.argsort(-np.abs(x_hat))[:k]
    return {
        "rel_err": np.linalg.norm(x_hat - x_true) / np.linalg.norm(x_true),
        "support_hits": np.isin(s_hat, s_true).sum(),
        "snr_db": 20 * np.log10(np.linalg.norm(x_true) / np.linalg.norm(x_hat - x_true)),
        "nnz": np.count_nonzero(np.abs(x_hat) > 1e-6),
    }


def lasso_kkt(X, y, w, lam):
    # the optimality check: |X^T r| <= lam off support, = lam * sign on support
    grad = X.T @ (y - X @ w)
    on = w != 0
    viol_on = np.abs(grad - lam * np.sign(w))
    viol_off = np.maximum(np.abs(grad) - lam, 0)
    return np.where(on, viol_on, viol_off).max(), np.abs(grad).max() / lam


def subgradient_lasso(A, y, lam, n_iter=100):
    # diminishing steps 1/sqrt(k+1), the best iterate kept by np.where
    x = np.zeros(A.shape[1])
    best_f = np.inf
    best_x = x
    for k in range(n_iter):
        g = A.T @ (A @ x - y) + lam * np.sign(x)
        x = x - 0.01 / np.sqrt(k + 1) * g
        f = 0.5 * np.sum((A @ x - y) ** 2) + lam * np.abs(x).sum()
        better = f < best_f
        best_x = np.where(better, x, best_x)
        best_f = np.minimum(f, best_f)
    return best_x, best_f


def make_cs_problem(rng, m, n, k):
    # a compressed-sensing instance from a generator argument
    A = rng.standard_normal((m, n)) / np.sqrt(m)
    x0 = np.zeros(n)
    supp = rng.choice(n, k, replace=False)
    x0[supp] = rng.standard_normal(k)
    y = A @ x0 + 0.01 * rng.standard_normal(m)
    return A, x0, y


def cs_pipeline_rng(rng, m=12, n=20, k=3):
    A, x0, y = make_cs_problem(rng, m, n, k)
    x = ista(A, y, 0.01, 60)[0]
    return x0, x, np.linalg.norm(x - x0)


# --------------------------------------------------------------- total variation denoising


def tv_chambolle_2d(f, lam=0.1, tau=0.125, n_iter=30):
    # Chambolle's dual projection with forward-difference gradients and backward divergence
    px = np.zeros_like(f)
    py = np.zeros_like(f)

    def grad(u):
        gx = np.zeros_like(u)
        gy = np.zeros_like(u)
        gx[:-1, :] = u[1:, :] - u[:-1, :]
        gy[:, :-1] = u[:, 1:] - u[:, :-1]
        return gx, gy

    def div(px, py):
        dx = np.zeros_like(px)
        dy = np.zeros_like(py)
        dx[0, :] = px[0, :]
        dx[1:-1, :] = px[1:-1, :] - px[:-2, :]
        dx[-1, :] = -px[-2, :]
        dy[:, 0] = py[:, 0]
        dy[:, 1:-1] = py[:, 1:-1] - py[:, :-2]
        dy[:, -1] = -py[:, -2]
        return dx + dy

    for _ in range(n_iter):
        gx, gy = grad(div(px, py) - f / lam)
        norm = np.sqrt(gx ** 2 + gy ** 2)
        px = (px + tau * gx) / (1 + tau * norm)
        py = (py + tau * gy) / (1 + tau * norm)
    return f - lam * div(px, py)


def tv_rof_gradient(f, lam=0.2, eps=1e-2, dt=0.1, n_iter=40):
    # the smoothed ROF flow with periodic differences by np.roll
    u = f.copy()
    for _ in range(n_iter):
        ux = np.roll(u, -1, axis=1) - u
        uy = np.roll(u, -1, axis=0) - u
        mag = np.sqrt(ux ** 2 + uy ** 2 + eps ** 2)
        div = (ux / mag - np.roll(ux / mag, 1, axis=1)) + (uy / mag - np.roll(uy / mag, 1, axis=0))
        u += dt * (div - (u - f) / lam)
    return u


def tv_admm_1d(y, lam, rho=1.0, n_iter=50):
    # 1-D TV denoising by ADMM: D = np.diff(np.eye(n), axis=0), the system solved once
    n = len(y)
    D = np.diff(np.eye(n), axis=0)
    M = np.eye(n) + rho * D.T @ D
    Minv = np.linalg.inv(M)
    z = np.zeros(n - 1)
    u = np.zeros(n - 1)
    for _ in range(n_iter):
        x = Minv @ (y + rho * D.T @ (z - u))
        Dx = np.diff(x)
        z = soft_threshold(Dx + u, lam / rho)
        u = u + Dx - z
    return x, np.sum(np.abs(np.diff(x)))


def tv_dual_projected_1d(y, lam, n_iter=100):
    # projected gradient on the dual of 1-D TV: x = y - D^T p, |p| <= lam by np.clip
    p = np.zeros(len(y) - 1)
    for _ in range(n_iter):
        x = y.copy()
        x[:-1] += p
        x[1:] -= p
        p = np.clip(p + 0.25 * np.diff(x), -lam, lam)
    x = y - np.concatenate(([-p[0]], -np.diff(p), [p[-1]]))
    return x


# ============================================================================ tensor networks


def mps_from_state(psi, d=2, chi_max=4):
    # left-canonical MPS by successive reshapes and truncated SVDs to a fixed bond dimension
    L = int(round(np.log(psi.size) / np.log(d)))
    tensors = []
    chi = 1
    rest = psi.reshape(1, -1)
    for i in range(L - 1):
        rest = rest.reshape(chi * d, -1)
        U, S, Vh = np.linalg.svd(rest, full_matrices=False)
        chi_new = min(chi_max, len(S))
        U, S, Vh = U[:, :chi_new], S[:chi_new], Vh[:chi_new, :]
        tensors.append(U.reshape(chi, d, chi_new))
        rest = np.diag(S) @ Vh
        chi = chi_new
    tensors.append(rest.reshape(chi, d, 1))
    return tensors


def mps_singular_values(psi, chi_max=4):
    # the same loop keeping only the normalised singular values and the discarded weight
    L = int(np.log2(len(psi)))
    svals, discarded = [], []
    M = psi.reshape(1, -1)
    for i in range(L - 1):
        M = M.reshape(M.shape[0] * 2, -1)
        U, s, Vh = np.linalg.svd(M, full_matrices=False)
        keep = min(chi_max, s.size)
        discarded.append(np.sum(s[keep:] ** 2))
        s = s[:keep] / np.linalg.norm(s[:keep])
        svals.append(s)
        M = s[:, None] * Vh[:keep]
    return svals, np.array(discarded)


def mps_norm_einsum(mps):
    # <psi|psi> by sweeping the environment left to right
    E = np.ones((1, 1))
    for A in mps:
        E = np.einsum("ab,asc,bsd->cd", E, A.conj(), A)
    return E[0, 0]


def mps_overlap_tensordot(mps1, mps2):
    # <phi|psi> with tensordot, the usual two-step contraction per site
    E = np.ones((1, 1))
    for A, B in zip(mps1, mps2):
        E = np.tensordot(E, A.conj(), axes=(0, 0))
        E = np.tensordot(E, B, axes=([0, 1], [0, 1]))
    return E.squeeze()


def mps_to_state(mps):
    # contract the chain back to a state vector
    psi = mps[0]
    for A in mps[1:]:
        psi = np.tensordot(psi, A, axes=(-1, 0))
    return psi.reshape(-1)


def mps_roundtrip(psi, chi_max=8):
    # compress, contract back, fidelity and norm
    mps = mps_from_state(psi / np.linalg.norm(psi), chi_max=chi_max)
    phi = mps_to_state(mps)
    return phi, np.abs(np.vdot(psi, phi)) ** 2 / np.vdot(psi, psi).real, mps_norm_einsum(mps)


def mps_expectation_all_sites(mps, op):
    # <O_i> at every site: left environments cached in a list, right ones built on the fly
    L = len(mps)
    left = [np.ones((1, 1))]
    for A in mps[:-1]:
        left.append(np.einsum("ab,asc,bsd->cd", left[-1], A.conj(), A))
    right = [np.ones((1, 1))]
    for A in mps[:0:-1]:
        right.insert(0, np.einsum("asc,bsd,cd->ab", A.conj(), A, right[0]))
    vals = []
    for i in range(L):
        A = mps[i]
        vals.append(np.einsum("ab,asc,st,btd,cd->", left[i], A.conj(), op, A, right[i]))
    norm = np.einsum("ab,ab->", left[-1], np.einsum("asc,bsd->ab", mps[-1].conj(), mps[-1]))
    return np.array(vals) / norm


def mps_correlator(mps, op, i, j):
    # <O_i O_j> by transfer matrices, op inserted at the two sites
    E = np.ones((1, 1))
    for k, A in enumerate(mps):
        if k == i or k == j:
            E = np.einsum("ab,asc,st,btd->cd", E, A.conj(), op, A)
        else:
            E = np.einsum("ab,asc,bsd->cd", E, A.conj(), A)
    return E[0, 0].real


def left_canonicalize_qr(mps):
    # QR sweep: Q becomes the site tensor, R is pushed to the right
    out = []
    R = np.eye(1)
    for A in mps:
        A = np.tensordot(R, A, axes=(1, 0))
        chiL, d, chiR = A.shape
        Q, R = np.linalg.qr(A.reshape(chiL * d, chiR))
        out.append(Q.reshape(chiL, d, Q.shape[1]))
    return out, R[0, 0]


def is_left_canonical(mps):
    # the identity check of each site, as Python bools from np.allclose
    return [np.allclose(np.einsum("asb,asc->bc", A.conj(), A), np.eye(A.shape[2]), atol=1e-10)
            for A in mps]


def mpo_tfim(J, g, L):
    # the transverse-field Ising MPO, W written by fancy assignments
    I = np.eye(2)
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    Z = np.array([[1.0, 0.0], [0.0, -1.0]])
    W = np.zeros((3, 3, 2, 2))
    W[0, 0] = W[2, 2] = I
    W[0, 1] = Z
    W[0, 2] = -g * X
    W[1, 2] = -J * Z
    Ws = [W] * L
    return Ws


def mpo_energy(mps, Ws):
    # <psi|H|psi> / <psi|psi> by an MPS-MPO-MPS sweep
    E = np.zeros((1, Ws[0].shape[0], 1))
    E[0, 0, 0] = 1.0
    N = np.ones((1, 1))
    for A, W in zip(mps, Ws):
        E = np.einsum("awb,asc,wvst,btd->cvd", E, A.conj(), W, A)
        N = np.einsum("ab,asc,bsd->cd", N, A.conj(), A)
    return E[0, -1, 0] / N[0, 0]


def tfim_mps_mpo_energy(psi, J, g, chi_max=4):
    mps = mps_from_state(psi / np.linalg.norm(psi), chi_max=chi_max)
    return mpo_energy(mps, mpo_tfim(J, g, len(mps)))


def split_truncate_theta(theta, chi_max):
    # TeNPy toycodes' split_truncate_theta with a fixed bond dimension
    chivL, dL, dR, chivR = theta.shape
    theta = np.reshape(theta, [chivL * dL, dR * chivR])
    X, Y, Z = np.linalg.svd(theta, full_matrices=False)
    chivC = min(chi_max, len(Y))
    piv = np.argsort(Y)[::-1][:chivC]
    X, Y, Z = X[:, piv], Y[piv], Z[piv, :]
    S = Y / np.linalg.norm(Y)
    A = np.reshape(X, [chivL, dL, chivC])
    B = np.reshape(Z, [chivC, dR, chivR])
    return A, S, B


def tebd_two_site(A, B, U, chi_max=4):
    # one gate on two sites: einsum to theta, gate, SVD back
    theta = np.einsum("aib,bjc->aijc", A, B)
    d = A.shape[1]
    theta = np.einsum("ijkl,aklc->aijc", U.reshape(d, d, d, d), theta)
    return split_truncate_theta(theta, chi_max)


def bond_gate_expm(J, g, dt):
    # the TFIM bond Hamiltonian's gate exp(-i dt h) by scipy.linalg.expm
    X = np.array([[0, 1], [1, 0]], dtype=complex)
    Z = np.array([[1, 0], [0, -1]], dtype=complex)
    I = np.eye(2)
    h = -J * np.kron(Z, Z) - g * 0.5 * (np.kron(X, I) + np.kron(I, X))
    return scipy.linalg.expm(-1j * dt * h)


def tebd_gate_apply(A, B, J, g, dt, chi_max=4):
    U = bond_gate_expm(J, g, dt)
    A2, S, B2 = tebd_two_site(A.astype(complex), B.astype(complex), U, chi_max)
    return np.abs(A2), S, np.einsum("aib,aib->", B2.conj(), B2).real


def itebd_imaginary(J, g, dt=0.05, n_steps=20, chi=4):
    # iTEBD in Vidal's form (Gamma, lambda) on a two-site unit cell, imaginary time
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    Z = np.array([[1.0, 0.0], [0.0, -1.0]])
    I2 = np.eye(2)
    H = -J * np.kron(Z, Z) - g / 2 * (np.kron(X, I2) + np.kron(I2, X))
    w, v = np.linalg.eigh(H)
    U = (v @ np.diag(np.exp(-dt * w)) @ v.T).reshape(2, 2, 2, 2)
    G = [np.zeros((chi, 2, chi)), np.zeros((chi, 2, chi))]
    for s in range(2):
        G[s][0, 0, 0] = 1.0
        G[s][0, 1, 0] = 0.3
    lam = [np.zeros(chi), np.zeros(chi)]
    lam[0][0] = lam[1][0] = 1.0
    energies = []
    for step in range(n_steps):
        for A in (0, 1):
            B = 1 - A
            theta = np.tensordot(np.diag(lam[B]), G[A], axes=(1, 0))
            theta = np.tensordot(theta, np.diag(lam[A]), axes=(2, 0))
            theta = np.tensordot(theta, G[B], axes=(2, 0))
            theta = np.tensordot(theta, np.diag(lam[B]), axes=(3, 0))
            e = np.einsum("aijb,ijkl,aklb->", theta, H.reshape(2, 2, 2, 2), theta)
            energies.append(e / np.einsum("aijb,aijb->", theta, theta))
            theta = np.tensordot(theta, U, axes=([1, 2], [2, 3]))
            theta = theta.transpose(0, 2, 3, 1).reshape(2 * chi, 2 * chi)
            Xs, Y, Zs = np.linalg.svd(theta)
            lam[A] = Y[:chi] / np.sqrt(np.sum(Y[:chi] ** 2))
            Xs = Xs[:, :chi].reshape(chi, 2, chi)
            inv_lb = np.where(lam[B] > 1e-10, 1 / np.where(lam[B] > 1e-10, lam[B], 1), 0)
            G[A] = np.tensordot(np.diag(inv_lb), Xs, axes=(1, 0))
            Zs = Zs[:chi, :].reshape(chi, chi, 2).transpose(0, 2, 1)
            G[B] = np.tensordot(Zs, np.diag(inv_lb), axes=(2, 0))
    return np.array(energies), lam[0]


def transfer_matrix_xi(A):
    # the MPS transfer matrix, its spectrum sorted by modulus, the correlation length
    chi = A.shape[0]
    T = np.einsum("asb,csd->acbd", A, A.conj()).reshape(chi * chi, chi * chi)
    ev = np.linalg.eigvals(T)
    ev = ev[np.argsort(-np.abs(ev))]
    xi = -1.0 / np.log(np.abs(ev[1]) / np.abs(ev[0]))
    return np.abs(ev), xi


def aklt_like_transfer(theta):
    # a one-parameter family of bond-dimension-2 spin-1 MPS: A^s built by hand, T's eigvalsh
    c, s = np.cos(theta), np.sin(theta)
    A = np.zeros((2, 3, 2))
    A[0, 0, 1] = c * np.sqrt(2 / 3)
    A[0, 1, 0] = -s / np.sqrt(3)
    A[1, 1, 1] = s / np.sqrt(3)
    A[1, 2, 0] = -c * np.sqrt(2 / 3)
    T = np.einsum("asb,csd->acbd", A, A).reshape(4, 4)
    ev = np.linalg.eigvalsh(T)
    return ev, np.trace(T), T


def ising_transfer_1d(beta, J, h, N=10):
    # the classical chain: Z = tr T^N by matrix_power and by eigenvalues, free energy
    T = np.array([[np.exp(beta * (J + h)), np.exp(-beta * J)],
                  [np.exp(-beta * J), np.exp(beta * (J - h))]])
    Z = np.trace(np.linalg.matrix_power(T, N))
    lam = np.linalg.eigvalsh(T)
    Z_eig = np.sum(lam ** N)
    f = -np.log(lam.max()) / beta
    return Z, Z_eig, f


def entanglement_entropy_cuts(psi):
    # von Neumann entropy across every cut, from singular values; zeros selected out
    L = int(np.log2(psi.size))
    S = np.zeros(L - 1)
    for cut in range(1, L):
        s = np.linalg.svd(psi.reshape(2 ** cut, -1), compute_uv=False)
        p = s ** 2
        p = p[p > 1e-14]
        S[cut - 1] = -np.sum(p * np.log(p))
    return S


def entanglement_entropy_where(psi, dA):
    # the np.where form and the Renyi-2 entropy, the state normalised first
    psi = psi / np.linalg.norm(psi)
    s = np.linalg.svd(psi.reshape(dA, -1), compute_uv=False)
    lam = s ** 2
    S_vn = -np.sum(np.where(lam > 1e-12, lam * np.log(np.where(lam > 1e-12, lam, 1.0)), 0.0))
    S2 = -np.log(np.sum(lam ** 2))
    return S_vn, S2


def reduced_density_entropy(psi, dA):
    # rho_A = Tr_B |psi><psi| by reshape and matmul, entropy by eigvalsh with clipping
    M = psi.reshape(dA, -1)
    rho = M @ M.conj().T
    rho /= np.trace(rho)
    w = np.clip(np.linalg.eigvalsh(rho), 1e-15, None)
    return -np.sum(w * np.log2(w)), rho


def partial_trace_einsum(rho, dA):
    # the 4-index partial traces of a density matrix
    dB = rho.shape[0] // dA
    r = rho.reshape(dA, dB, dA, dB)
    rhoA = np.einsum("ijkj->ik", r)
    rhoB = np.einsum("ijil->jl", r)
    purity = np.trace(rhoA @ rhoA).real
    return rhoA, rhoB, purity


def free_fermion_entropy(t_hop, n_particles, l_sub):
    # Peschel: correlation matrix of the filled modes, entropy from its sub-block's spectrum
    L = len(t_hop) + 1
    H = np.zeros((L, L))
    for i in range(L - 1):
        H[i, i + 1] = H[i + 1, i] = -t_hop[i]
    e, U = np.linalg.eigh(H)
    occ = U[:, :n_particles]
    C = occ @ occ.conj().T
    nu = np.linalg.eigvalsh(C[:l_sub, :l_sub])
    nu = np.clip(nu, 1e-12, 1 - 1e-12)
    return -np.sum(nu * np.log(nu) + (1 - nu) * np.log(1 - nu)), e[:n_particles].sum()


SX = np.array([[0, 1], [1, 0]], dtype=float)
SZ = np.array([[1, 0], [0, -1]], dtype=float)
SY = np.array([[0, -1j], [1j, 0]])


def op_at(op, i, L):
    # the Kronecker chain: identities around op at site i
    ops = [np.eye(2)] * L
    ops[i] = op
    return functools.reduce(np.kron, ops)


def tfim_hamiltonian(J, h):
    # H = -sum J_i Z_i Z_{i+1} - sum h_i X_i, open chain, eigh for the low spectrum
    L = len(h)
    H = np.zeros((2 ** L, 2 ** L))
    for i in range(L - 1):
        H -= J[i] * op_at(SZ, i, L) @ op_at(SZ, i + 1, L)
    for i in range(L):
        H -= h[i] * op_at(SX, i, L)
    E, V = np.linalg.eigh(H)
    return E[:3], E[1] - E[0], np.abs(V[:, 0]) ** 2


def kron_loop(op, i, L):
    # the same chain with an explicit loop and a 1x1 start
    out = np.array([[1.0]])
    for k in range(L):
        out = np.kron(out, op if k == i else np.eye(2))
    return out


def heisenberg_xxz(Jz, L=4):
    # XXZ with complex S^y: H Hermitian complex, ground energy and <S^z_0 S^z_1>
    sx, sy, sz = 0.5 * SX, 0.5 * SY, 0.5 * SZ
    H = np.zeros((2 ** L, 2 ** L), dtype=complex)
    for i in range(L - 1):
        for op, c in ((sx, 1.0), (sy, 1.0), (sz, Jz)):
            left = np.kron(np.eye(2 ** i), op)
            right = np.kron(op, np.eye(2 ** (L - i - 2)))
            H += c * np.kron(left, right)
    E, V = np.linalg.eigh(H)
    gs = V[:, 0]
    szsz = np.kron(np.kron(sz, sz), np.eye(2 ** (L - 2)))
    return E[0], np.vdot(gs, szsz @ gs).real, np.allclose(H, H.conj().T)


def magnetization_tensor_trick(psi, op):
    # apply a one-site operator by reshaping to (2,)*L, tensordot and moveaxis
    L = int(np.log2(psi.size))
    psi_t = psi.reshape((2,) * L)
    mags = np.empty(L)
    for i in range(L):
        phi = np.tensordot(op, psi_t, axes=(1, i))
        phi = np.moveaxis(phi, 0, i)
        mags[i] = np.vdot(psi_t, phi).real
    return mags / np.vdot(psi, psi).real


def apply_two_site_gate(psi, U, i, L):
    # a two-qubit gate on sites i, i + 1 of a state vector by einsum on a 3-index view
    psi = psi.reshape(2 ** i, 4, 2 ** (L - i - 2))
    psi = np.einsum("ab,ibj->iaj", U, psi)
    return psi.reshape(-1)


def trotter_evolution(psi0, J, g, dt=0.1, n_steps=5):
    # first-order Trotter with the bond gate applied on even then odd bonds
    L = int(np.log2(psi0.size))
    U = bond_gate_expm(J, g, dt)
    psi = psi0.astype(complex)
    mz = []
    for _ in range(n_steps):
        for start in (0, 1):
            for i in range(start, L - 1, 2):
                psi = apply_two_site_gate(psi, U, i, L)
        mz.append(magnetization_tensor_trick(psi, SZ))
    return psi, np.array(mz)


def exact_time_evolution(H, psi0, times):
    # psi(t) = V exp(-i E t) V^dagger psi0, all times at once by broadcasting
    E, V = np.linalg.eigh(H)
    c = V.conj().T @ psi0
    psi_t = V @ (np.exp(-1j * np.outer(E, times)) * c[:, None])
    return np.abs(np.einsum("it,i->t", psi_t.conj(), psi0)) ** 2


def lanczos_fixed(H, v0, m=8):
    # Lanczos with full reorthogonalisation, m steps, the tridiagonal's eigvalsh
    n = H.shape[0]
    V = np.zeros((n, m))
    alpha = np.zeros(m)
    beta = np.zeros(m - 1)
    v = v0 / np.linalg.norm(v0)
    V[:, 0] = v
    w = H @ v
    alpha[0] = v @ w
    w = w - alpha[0] * v
    for j in range(1, m):
        beta[j - 1] = np.linalg.norm(w)
        v = w / beta[j - 1]
        v = v - V[:, :j] @ (V[:, :j].T @ v)
        v /= np.linalg.norm(v)
        V[:, j] = v
        w = H @ v - beta[j - 1] * V[:, j - 1]
        alpha[j] = v @ w
        w = w - alpha[j] * v
    T = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    return np.linalg.eigvalsh(T)


def imaginary_time_power(H, v0, tau=0.1, n_steps=30):
    # projection to the ground state by repeated (1 - tau H), normalised each step
    v = v0.copy()
    energies = np.empty(n_steps)
    for k in range(n_steps):
        v = v - tau * (H @ v)
        v /= np.linalg.norm(v)
        energies[k] = v @ H @ v
    return v, energies


def schmidt_two_qubits(psi):
    # Schmidt coefficients and concurrence-like measures of a two-qubit pure state
    M = psi.reshape(2, 2)
    s = np.linalg.svd(M, compute_uv=False)
    s = s / np.linalg.norm(s)
    conc = 2 * np.abs(M[0, 0] * M[1, 1] - M[0, 1] * M[1, 0]) / np.vdot(psi, psi).real
    return s, conc, -np.sum(s ** 2 * np.log(s ** 2 + 1e-300))


# ------------------------------------------------------------------ more ways to write it


def sinkhorn_logaddexp_reduce(a, b, M, reg, n_iter=40):
    # the log-domain updates with np.logaddexp.reduce in place of logsumexp
    f, g = np.zeros(len(a)), np.zeros(len(b))
    for _ in range(n_iter):
        f = reg * np.log(a) - reg * np.logaddexp.reduce((g[None, :] - M) / reg, axis=1)
        g = reg * np.log(b) - reg * np.logaddexp.reduce((f[:, None] - M) / reg, axis=0)
    return f, g, np.exp((f[:, None] + g[None, :] - M) / reg)


def sinkhorn_warm_start_in_place(u, v, K, a, b, n_iter=15):
    # scalings kept between calls by the caller, updated in place with [:] and out=
    for _ in range(n_iter):
        v[:] = b / (K.T @ u)
        np.divide(a, K @ v, out=u)
    return (u[:, None] * K * v[None, :]).sum()


def plan_entropy_scipy(G, a, b):
    # entropies and KL terms of a plan by scipy.special's entr, xlogy and kl_div
    H = scipy.special.entr(G).sum()
    mutual = np.sum(scipy.special.xlogy(G, G / np.outer(a, b)))
    kl_rows = scipy.special.kl_div(G.sum(1), a).sum()
    return H, mutual, kl_rows


def greedy_matching_unravel(C, n_pairs=3):
    # a greedy matching: take the cheapest remaining pair, blank its row and column
    C = C.copy()
    pairs = []
    for _ in range(n_pairs):
        i, j = np.unravel_index(np.argmin(C), C.shape)
        pairs.append((i, j))
        C[i, :] = np.inf
        C[:, j] = np.inf
    return pairs


def exact_ot_hungarian(x, y):
    # equal sizes and uniform weights: the Monge map by scipy's Hungarian algorithm
    from scipy.optimize import linear_sum_assignment

    C = scipy.spatial.distance.cdist(x, y, "sqeuclidean")
    row, col = linear_sum_assignment(C)
    return C[row, col].mean(), col


def mpo_energy_optimize(mps, Ws):
    # the MPO sweep with np.einsum(..., optimize=True), as TN notebooks pass it
    E = np.ones((1, 1, 1))
    for A, W in zip(mps, Ws):
        E = np.einsum("awb,asc,wvst,btd->cvd", E, A.conj(), W[:E.shape[1]], A, optimize=True)
    return E


def product_state_kron(thetas, phis):
    # a product state built by a kron loop over single-qubit Bloch vectors
    psi = np.array([1.0 + 0j])
    for t, p in zip(thetas, phis):
        psi = np.kron(psi, np.array([np.cos(t / 2), np.exp(1j * p) * np.sin(t / 2)]))
    return psi, np.abs(psi) ** 2


def normalize_complex64(psi):
    # a state in complex64: remove the global phase of the first amplitude, normalise
    psi = psi.astype(np.complex64)
    psi = psi * np.exp(-1j * np.angle(psi[0]))
    return psi / np.linalg.norm(psi), np.vdot(psi, psi)


def propagator_scipy_eigh(H, t):
    # U(t) = V exp(-i t E) V^dagger by scipy.linalg.eigh, and its unitarity error
    w, V = scipy.linalg.eigh(H)
    Ut = (V * np.exp(-1j * t * w)) @ V.conj().T
    return Ut, np.abs(Ut @ Ut.conj().T - np.eye(len(w))).max()


def relative_entropy_logm(M1, M2):
    # quantum relative entropy S(rho || sigma) = tr rho (log rho - log sigma)
    rho = M1 @ M1.T + 0.1 * np.eye(len(M1))
    sigma = M2 @ M2.T + 0.1 * np.eye(len(M2))
    rho /= np.trace(rho)
    sigma /= np.trace(sigma)
    return np.trace(rho @ (scipy.linalg.logm(rho) - scipy.linalg.logm(sigma))).real


def dominant_fixed_point_eig(A):
    # the transfer matrix's dominant eigenvector reshaped to the environment, normalised
    chi = A.shape[0]
    T = np.einsum("asb,csd->acbd", A, A).reshape(chi * chi, chi * chi)
    w, v = np.linalg.eig(T)
    i = np.argmax(np.abs(w))
    r = v[:, i].reshape(chi, chi)
    r = r / np.trace(r)
    return w[i].real, r.real, np.linalg.matrix_power(T / np.abs(w[i]), 10)


# ================================================================================ tables


def _ot(s, n, reg=None):
    a, b = _hist(s, n), _hist(s + 1, n + 1)
    M = cost_broadcast_sq(_pts(s, n), _pts(s + 2, n + 1))
    return (a, b, M) if reg is None else (a, b, M, reg)


def _plan(s, n):
    a, b, M = _ot(s, n)
    return sinkhorn_plain(a, b, M, 0.1)[0], a, b, M


def _cs(s, n, m=None, k=3):
    # a compressed-sensing instance: A (m, 2n), k-sparse x0, slightly noisy y
    rng = np.random.default_rng(s)
    m = m or n + 4
    A = rng.standard_normal((m, 2 * n)) / np.sqrt(m)
    x0 = np.zeros(2 * n)
    x0[[1, n, 2 * n - 2][:k]] = [1.5, -2.0, 1.0][:k]
    return A, x0, A @ x0 + 0.01 * rng.standard_normal(m)


def _state(s, n, cplx=False):
    rng = np.random.default_rng(s)
    psi = rng.standard_normal(2 ** n)
    if cplx:
        psi = psi + 1j * rng.standard_normal(2 ** n)
    return psi / np.linalg.norm(psi)


def _mps(s, n, chi=3, cplx=False):
    rng = np.random.default_rng(s)
    dims = [1] + [chi] * (n - 1) + [1]
    out = []
    for i in range(n):
        A = rng.standard_normal((dims[i], 2, dims[i + 1]))
        if cplx:
            A = A + 1j * rng.standard_normal(A.shape)
        out.append(A)
    return out


def _spd(s, n):
    B = _f(n, n, seed=s)
    return B @ B.T / n + np.eye(n)


def _tfim_dense(n, J=1.0, g=0.7):
    H = np.zeros((2 ** n, 2 ** n))
    for i in range(n - 1):
        H -= J * op_at(SZ, i, n) @ op_at(SZ, i + 1, n)
    for i in range(n):
        H -= g * op_at(SX, i, n)
    return H


OT = {
    "sinkhorn_knopp_pot": (sinkhorn_knopp, {}, lambda s, n: _ot(s, n, 0.1)),
    "sinkhorn_plain_diag": (sinkhorn_plain, {}, lambda s, n: _ot(s, n, 0.2)),
    "sinkhorn_log_dict_of_lists": (sinkhorn_log_dict, {}, lambda s, n: _ot(s, n, 0.1)),
    "sinkhorn_multi_target_einsum": (sinkhorn_multi_target, {}, lambda s, n: (
        _hist(s, n), (_u(s, n + 1, 3) + 0.1) / (_u(s, n + 1, 3) + 0.1).sum(0),
        cost_broadcast_sq(_pts(s, n), _pts(s + 2, n + 1)), 0.1)),
    "sinkhorn_float32": (sinkhorn_float32, {}, lambda s, n: tuple(
        x.astype(np.float32) for x in _ot(s, n))),
    "sinkhorn_log_scipy_logsumexp": (sinkhorn_log_scipy, {}, lambda s, n: _ot(s, n, 0.05)),
    "sinkhorn_log_max_subtraction": (sinkhorn_log_maxsub, {}, lambda s, n: _ot(s, n, 0.02)),
    "sinkhorn_log_pot_uv": (sinkhorn_log_uv, {}, lambda s, n: _ot(s, n, 0.05)),
    "sinkhorn_stabilized_absorb": (sinkhorn_stabilized, {}, lambda s, n: _ot(s, n, 0.02)),
    "sinkhorn_epsilon_scaling": (sinkhorn_epsilon_scaling, {}, lambda s, n: _ot(s, n)),
    "sinkhorn_unbalanced_kl": (sinkhorn_unbalanced, {}, lambda s, n: (
        _hist(s, n), 1.5 * _hist(s + 1, n + 1),
        cost_broadcast_sq(_pts(s, n), _pts(s + 2, n + 1)), 0.1, 1.0)),
    "sinkhorn_unbalanced_log": (sinkhorn_unbalanced_log, {}, lambda s, n: (
        _hist(s, n), 0.7 * _hist(s + 1, n + 1),
        cost_broadcast_sq(_pts(s, n), _pts(s + 2, n + 1)), 0.05, 0.5)),
    "greenkhorn_argmax_updates": (greenkhorn, {}, lambda s, n: _ot(s, n, 0.2)),
    "pot_dist_point_clouds": (ot_between_point_clouds, {}, lambda s, n: (
        _pts(s, n), _pts(s + 1, n + 2) + 1.0)),
    "pot_dist_euclidean_metric": (pot_dist, {"metric": "euclidean"}, lambda s, n: (
        _pts(s, n, 3), _pts(s + 1, n + 2, 3))),
    "cdist_sqeuclidean_log_sinkhorn": (ot_cdist_plan, {}, lambda s, n: (
        _pts(s, n), _pts(s + 1, n + 1), _hist(s, n), _hist(s + 1, n + 1))),
    "cdist_euclidean_w1": (ot_cdist_euclidean_w1, {}, lambda s, n: (
        _pts(s, n, 3), _pts(s + 1, n + 2, 3) + 0.5)),
    "sinkhorn_divergence": (sinkhorn_divergence, {}, lambda s, n: (
        _pts(s, n), _pts(s + 1, n + 1) + 0.5)),
    "plan_diagnostics_dict": (plan_diagnostics, {}, _plan),
    "barycentric_map": (barycentric_map, {}, lambda s, n: (_plan(s, n)[0], _pts(s + 2, n + 1))),
    "barycentric_map_einsum_norms": (barycentric_map_einsum, {}, lambda s, n: (
        _plan(s, n)[0], _pts(s, n), _pts(s + 2, n + 1))),
    "c_transform_argmin_bincount": (c_transform, {}, lambda s, n: (
        _f(n + 1, seed=s) * 0.1, _ot(s, n)[2], _hist(s + 1, n + 1))),
    "semi_dual_gradient_ascent": (semi_dual_ascent, {}, lambda s, n: _ot(s, n, 0.1)),
    "entropic_gromov_wasserstein": (entropic_gw, {}, lambda s, n: (
        scipy.spatial.distance.cdist(_pts(s, n), _pts(s, n)),
        scipy.spatial.distance.cdist(_pts(s + 1, n + 1, 3), _pts(s + 1, n + 1, 3)),
        _hist(s, n), _hist(s + 1, n + 1))),
}


@pytest.mark.parametrize("name", _names(OT))
def test_optimal_transport_matches_numpy(name):
    """Sinkhorn-Knopp as POT writes it, plain, with a log dict, for several targets, in
    float32, in the log domain by scipy's logsumexp and a max-subtracting helper, stabilised,
    with epsilon scaling, unbalanced, Greenkhorn; costs by broadcasting, POT's dist and cdist;
    Sinkhorn divergences, plan diagnostics, barycentric maps, c-transforms, the semi-dual and
    entropic Gromov-Wasserstein."""
    check_like_numpy(*OT[name])


W1D = {
    "w1_sorted_equal_sizes": (w1_sorted_equal, {}, lambda s, n: (
        _f(5 * n, seed=s), _f(5 * n, seed=s + 1) + 0.3)),
    "w2_sorted_equal_sizes": (w2_sorted_equal, {}, lambda s, n: (
        _f(5 * n, seed=s), 2 * _f(5 * n, seed=s + 1))),
    "wasserstein_scipy_cdf_form": (wasserstein_cdf_scipy, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(2 * n + 1, seed=s + 1) + 0.5)),
    "wasserstein_scipy_cdf_form_p2": (wasserstein_cdf_scipy, {"p": 2}, lambda s, n: (
        _f(3 * n, seed=s), _f(2 * n + 1, seed=s + 1) + 0.5)),
    "wasserstein_weighted_cdf": (wasserstein_weighted_cdf, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(2 * n + 1, seed=s + 1) + 0.5, _u(s, 3 * n) + 0.1,
        _u(s + 1, 2 * n + 1) + 0.1)),
    "scipy_stats_wasserstein_energy": (scipy_wasserstein, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(2 * n + 1, seed=s + 1) + 0.5)),
    "scipy_stats_wasserstein_weighted": (scipy_wasserstein_weighted, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(2 * n + 1, seed=s + 1) + 0.5, _u(s, 3 * n) + 0.1,
        _u(s + 1, 2 * n + 1) + 0.1)),
    "wp_quantile_functions": (wp_quantiles, {}, lambda s, n: (
        _f(10 * n, seed=s), _f(7 * n, seed=s + 1) * 1.5)),
    "pot_wasserstein_1d_p1": (pot_wasserstein_1d, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(2 * n + 1, seed=s + 1) + 0.5, _hist(s, 3 * n),
        _hist(s + 1, 2 * n + 1))),
    "pot_wasserstein_1d_p2": (pot_wasserstein_1d, {"p": 2}, lambda s, n: (
        _f(3 * n, seed=s), _f(2 * n + 1, seed=s + 1) + 0.5, _hist(s, 3 * n),
        _hist(s + 1, 2 * n + 1))),
    "emd_grid_cumsum": (emd_grid_cumsum, {}, lambda s, n: (
        _hist(s, 5 * n), _hist(s + 1, 5 * n), 0.1)),
    "emd_grid_rows_nonuniform": (emd_grid_many, {}, lambda s, n: (
        _u(s, 3, 4 * n) + 0.01, _u(s + 1, 3, 4 * n) + 0.01, np.cumsum(_u(s + 2, 4 * n) + 0.5))),
    "gaussian_w2_scipy_sqrtm": (gaussian_w2_sqrtm, {}, lambda s, n: (
        _f(n, seed=s), _spd(s, n), _f(n, seed=s + 1), _spd(s + 1, n))),
    "gaussian_w2_eigh_monge_map": (gaussian_w2_eigh, {}, lambda s, n: (
        _f(n, seed=s), _spd(s, n), _f(n, seed=s + 1), _spd(s + 1, n))),
    "gaussian_w2_1d_arrays": (gaussian_w2_1d, {}, lambda s, n: (
        _f(n, seed=s), _u(s, n) + 0.5, _f(n, seed=s + 1), _u(s + 1, n) + 0.5)),
    "sliced_wasserstein_generator": (sliced_wasserstein_rng, {}, lambda s, n: (
        _pts(s, 3 * n, 3), _pts(s + 1, 3 * n, 3) + 0.5, np.random.default_rng(s))),
    "sliced_wasserstein_randomstate_inside": (sliced_wasserstein_seeded, {}, lambda s, n: (
        _pts(s, 3 * n, 2), _pts(s + 1, 3 * n, 2) * 1.5)),
}


@pytest.mark.parametrize("name", _names(W1D))
def test_one_dimensional_wasserstein_matches_numpy(name):
    """1-D Wasserstein distances by sorting, by scipy's CDF form with searchsorted and
    weights, by scipy.stats itself, by quantile functions and POT's take_along_axis form, on
    grids by cumsum; Gaussian W2 by sqrtm and eigh; sliced Wasserstein with drawn directions."""
    check_like_numpy(*W1D[name])


def _hists_cols(s, n, k=3):
    A = _u(s, n, k) + 0.05
    return A / A.sum(0)


def _grid_cost(n):
    x = np.arange(n, dtype=float)
    M = (x[:, None] - x[None, :]) ** 2
    return M / M.max()


def _blobs(s, n, k=2):
    t = np.linspace(0, 1, n)
    X, Y = np.meshgrid(t, t)
    out = []
    for j in range(k):
        cx, cy = 0.3 + 0.4 * j, 0.4 + 0.05 * s
        img = np.exp(-((X - cx) ** 2 + (Y - cy) ** 2) / 0.02) + 1e-3
        out.append(img / img.sum())
    return np.array(out)


BARY = {
    "barycenter_sinkhorn_pot": (barycenter_sinkhorn, {}, lambda s, n: (
        _hists_cols(s, 3 * n), _grid_cost(3 * n), 0.05)),
    "barycenter_sinkhorn_weights": (barycenter_sinkhorn, {}, lambda s, n: (
        _hists_cols(s, 3 * n, 2), _grid_cost(3 * n), 0.05,
        np.array([0.2 + 0.1 * s, 0.8 - 0.1 * s]))),
    "barycenter_bregman_paper": (barycenter_bregman_plain, {}, lambda s, n: (
        _hists_cols(s, 3 * n), _grid_cost(3 * n), 0.05, _hist(s, 3))),
    "convolutional_barycenter_2d": (convolutional_barycenter_2d, {}, lambda s, n: (
        _blobs(s, 2 * n), 0.02, np.array([0.5, 0.5]))),
    "barycenter_1d_quantile_average": (barycenter_1d_quantiles, {}, lambda s, n: (
        [_f(5 * n, seed=s), _f(4 * n, seed=s + 1) + 2], np.array([0.3, 0.7]))),
}


@pytest.mark.parametrize("name", _names(BARY))
def test_barycenters_match_numpy(name):
    """Entropic Wasserstein barycenters by POT's iterated Bregman projections and the paper's
    form, convolutional barycenters on a grid, 1-D barycenters of quantile functions."""
    check_like_numpy(*BARY[name])


SPARSE = {
    "prox_soft_where_clip_hard": (prox_ops, {}, lambda s, n: (_f(4 * n, seed=s), 0.5)),
    "soft_threshold_complex": (soft_threshold_complex, {}, lambda s, n: (
        _f(3 * n, seed=s) + 1j * _f(3 * n, seed=s + 1), 0.8)),
    "ista_spectral_norm_costs": (ista, {}, lambda s, n: (*_cs(s, n)[::2], 0.05)),
    "ista_power_iteration": (ista_power_iteration, {}, lambda s, n: (*_cs(s, n)[::2], 0.05)),
    "fista_math_sqrt": (fista, {}, lambda s, n: (*_cs(s, n)[::2], 0.05)),
    "fista_history_dict": (fista_history, {}, lambda s, n: (*_cs(s, n)[::2], 0.05)),
    "fista_float32": (fista_float32, {}, lambda s, n: tuple(
        x.astype(np.float32) for x in _cs(s, n)[::2])),
    "iht_argsort_zero_in_place": (iht_argsort, {}, lambda s, n: _cs(s, n)[::2]),
    "iht_argpartition_topk": (iht_argpartition, {}, lambda s, n: _cs(s, n)[::2]),
    "hard_threshold_sorted": (hard_threshold_sort, {"k": 3}, lambda s, n: (_f(3 * n, seed=s),)),
    "omp_int_argmax_lstsq": (omp_lstsq, {}, lambda s, n: _cs(s, n)[::2]),
    "omp_list_argmax_pinv": (omp_pinv, {}, lambda s, n: _cs(s, n)[::2]),
    "omp_index_array_solve": (omp_normal_eqs, {}, lambda s, n: _cs(s, n)[::2]),
    "omp_boolean_support_lstsq": (omp_mask_lstsq, {}, lambda s, n: _cs(s, n)[::2]),
    "cd_lasso_recompute_residual": (cd_lasso, {}, lambda s, n: (*_cs(s, n)[::2], 0.05)),
    "cd_lasso_residual_python_max": (cd_lasso_residual_always, {}, lambda s, n: (
        *_cs(s, n)[::2], 0.01)),
    "cd_lasso_gram_updates": (cd_lasso_covariance, {}, lambda s, n: (*_cs(s, n)[::2], 0.05)),
    "admm_lasso_cho_factor": (admm_lasso_cho, {}, lambda s, n: (*_cs(s, n)[::2], 0.05)),
    "admm_lasso_cholesky_triangular": (admm_lasso_triangular, {}, lambda s, n: (
        *_cs(s, n)[::2], 0.05)),
    "admm_lasso_cached_inverse": (admm_lasso_inv, {}, lambda s, n: (*_cs(s, n)[::2], 0.05)),
    "admm_basis_pursuit": (admm_basis_pursuit, {}, lambda s, n: (
        _cs(s, n)[0], _cs(s, n)[0] @ _cs(s, n)[1])),
    "group_lasso_prox_grad": (prox_grad_group_lasso, {}, lambda s, n: (
        *_cs(s, n)[::2], 0.1)),
    "elastic_net_ista": (elastic_net_ista, {}, lambda s, n: (*_cs(s, n)[::2], 0.05, 0.1)),
    "reweighted_l1_min_norm": (reweighted_l1_irls, {}, lambda s, n: (
        _cs(s, n, m=n + 2)[0], _cs(s, n, m=n + 2)[2])),
    "cs_mri_masked_fft2_ista": (cs_mri_ista, {}, lambda s, n: (
        np.fft.fft2(np.where(_u(s, 2 * n, 2 * n) > 0.9, 1.0, 0.0), norm="ortho")
        * (_u(s + 1, 2 * n, 2 * n) < 0.6), (_u(s + 1, 2 * n, 2 * n) < 0.6).astype(float))),
    "cs_rfft_samples_ista": (cs_1d_dct_ista, {"n": 32}, lambda s, n: (
        np.cos(2 * np.pi * 3 * np.sort(_i(32, 2 * n + 4, seed=s)) / 32),
        np.sort(_i(32, 2 * n + 4, seed=s)))),
    "mutual_coherence_fill_diagonal": (mutual_coherence, {}, lambda s, n: (_cs(s, n)[0],)),
    "recovery_report_dict": (recovery_report, {"k": 3}, lambda s, n: (
        _cs(s, n)[1], _cs(s, n)[1] + 0.05 * _f(2 * n, seed=s))),
    "lasso_kkt_check": (lasso_kkt, {}, lambda s, n: (
        _cs(s, n)[0], _cs(s, n)[2], cd_lasso(_cs(s, n)[0], _cs(s, n)[2], 0.05), 0.05)),
    "subgradient_best_iterate": (subgradient_lasso, {}, lambda s, n: (*_cs(s, n)[::2], 0.05)),
    "cs_problem_from_generator": (cs_pipeline_rng, {}, lambda s, n: (np.random.default_rng(s),)),
}


@pytest.mark.parametrize("name", _names(SPARSE))
def test_sparse_recovery_matches_numpy(name):
    """Soft and hard thresholding, ISTA and FISTA with their Lipschitz constants and histories,
    IHT by argsort and argpartition, OMP on growing supports by lstsq, pinv and normal
    equations, coordinate-descent lasso, ADMM lasso with cached factorisations and basis
    pursuit, group-lasso and elastic-net proxes, reweighted l1, compressed sensing over FFTs,
    coherence, recovery reports, KKT checks and subgradient descent."""
    check_like_numpy(*SPARSE[name])


TV = {
    "tv_chambolle_projection_2d": (tv_chambolle_2d, {}, lambda s, n: (
        np.kron(np.eye(2), np.ones((n, n))) + 0.2 * _f(2 * n, 2 * n, seed=s),)),
    "tv_rof_gradient_roll": (tv_rof_gradient, {}, lambda s, n: (
        np.kron(np.eye(2), np.ones((n, n))) + 0.2 * _f(2 * n, 2 * n, seed=s),)),
    "tv_admm_1d_diff_matrix": (tv_admm_1d, {}, lambda s, n: (
        np.repeat([0.0, 1.0, 0.3], 2 * n) + 0.1 * _f(6 * n, seed=s), 0.2)),
    "tv_dual_projected_1d": (tv_dual_projected_1d, {}, lambda s, n: (
        np.repeat([0.0, 1.0, 0.3], 2 * n) + 0.1 * _f(6 * n, seed=s), 0.2)),
}


@pytest.mark.parametrize("name", _names(TV))
def test_total_variation_denoising_matches_numpy(name):
    """Total-variation denoising by Chambolle's projection, the smoothed ROF flow, 1-D ADMM
    with a difference matrix and projected dual gradient."""
    check_like_numpy(*TV[name])


MPS = {
    "mps_from_state_truncated_svd": (mps_from_state, {}, lambda s, n: (_state(s, n),)),
    "mps_from_complex_state": (mps_from_state, {"chi_max": 3}, lambda s, n: (
        _state(s, n, cplx=True),)),
    "mps_singular_values_discarded": (mps_singular_values, {}, lambda s, n: (_state(s, n),)),
    "mps_norm_einsum_sweep": (mps_norm_einsum, {}, lambda s, n: (_mps(s, n),)),
    "mps_norm_complex": (mps_norm_einsum, {}, lambda s, n: (_mps(s, n, cplx=True),)),
    "mps_overlap_tensordot": (mps_overlap_tensordot, {}, lambda s, n: (
        _mps(s, n, cplx=True), _mps(s + 1, n, 2, cplx=True))),
    "mps_contract_to_state": (mps_to_state, {}, lambda s, n: (_mps(s, n),)),
    "mps_roundtrip_fidelity": (mps_roundtrip, {}, lambda s, n: (_state(s, n),)),
    "mps_roundtrip_truncated": (mps_roundtrip, {"chi_max": 2}, lambda s, n: (_state(s, n),)),
    "mps_local_expectations": (mps_expectation_all_sites, {}, lambda s, n: (
        _mps(s, n), SZ + 0.3 * SX)),
    "mps_correlator_zz": (mps_correlator, {"i": 1, "j": 3}, lambda s, n: (
        _mps(s, n, cplx=True), SZ)),
    "mps_left_canonical_qr": (left_canonicalize_qr, {}, lambda s, n: (_mps(s, n),)),
    "mps_is_left_canonical_allclose": (is_left_canonical, {}, lambda s, n: (
        mps_from_state(_state(s, n)) + _mps(s, 1),)),
    "mps_mpo_tfim_energy": (tfim_mps_mpo_energy, {}, lambda s, n: (
        _state(s, n), 1.0, 0.5 + 0.1 * s)),
    "tebd_two_site_einsum_svd": (tebd_two_site, {}, lambda s, n: (
        _mps(s, 3, 2)[1], _mps(s + 1, 3, 2)[1], np.linalg.qr(_f(4, 4, seed=s))[0])),
    "tebd_expm_gate_complex": (tebd_gate_apply, {}, lambda s, n: (
        _mps(s, 3, n // 2)[1], _mps(s + 1, 3, n // 2)[1], 1.0, 0.5 * s, 0.1)),
    "itebd_vidal_imaginary_time": (itebd_imaginary, {}, lambda s, n: (1.0, 0.5 + 0.25 * s)),
    "transfer_matrix_correlation_length": (transfer_matrix_xi, {}, lambda s, n: (
        _mps(s, 3, n // 2 + 1)[1],)),
    "aklt_like_transfer_eigvalsh": (aklt_like_transfer, {}, lambda s, n: (0.3 * s + 0.2,)),
    "ising_transfer_matrix_power": (ising_transfer_1d, {}, lambda s, n: (0.5 * s, 1.0, 0.2)),
}


@pytest.mark.parametrize("name", _names(MPS))
def test_matrix_product_states_match_numpy(name):
    """MPS from state vectors by reshapes and truncated SVDs, norms and overlaps by einsum and
    tensordot sweeps, contraction back to a state, local expectations and correlators,
    QR canonicalisation, MPO energies, TEBD gates by einsum + SVD with expm bond gates, iTEBD
    in Vidal form, transfer matrices and correlation lengths."""
    check_like_numpy(*MPS[name])


ED = {
    "entropy_every_cut_selection": (entanglement_entropy_cuts, {}, lambda s, n: (_state(s, n),)),
    "entropy_where_and_renyi": (entanglement_entropy_where, {"dA": 4}, lambda s, n: (
        _state(s, n, cplx=True),)),
    "entropy_product_state_where": (entanglement_entropy_where, {"dA": 2}, lambda s, n: (
        np.kron(_state(s, 1), _state(s + 1, n - 1)),)),
    "reduced_density_eigvalsh_log2": (reduced_density_entropy, {"dA": 4}, lambda s, n: (
        _state(s, n, cplx=True),)),
    "partial_trace_einsum": (partial_trace_einsum, {"dA": 2}, lambda s, n: (
        np.outer(_state(s, n, True), _state(s, n, True).conj()),)),
    "free_fermion_peschel": (free_fermion_entropy, {"n_particles": 3, "l_sub": 3},
                             lambda s, n: (1 + 0.2 * _u(s, 2 * n - 1),)),
    "tfim_kron_reduce_eigh": (tfim_hamiltonian, {}, lambda s, n: (
        1 + 0.1 * _u(s, n - 1), 0.5 + _u(s + 1, n))),
    "kron_loop_operator": (kron_loop, {"i": 2, "L": 4}, lambda s, n: (_f(2, 2, seed=s),)),
    "heisenberg_xxz_complex_eigh": (heisenberg_xxz, {}, lambda s, n: (0.5 * s,)),
    "magnetization_tensordot_moveaxis": (magnetization_tensor_trick, {}, lambda s, n: (
        _state(s, n, cplx=True), SZ)),
    "two_site_gate_einsum": (apply_two_site_gate, {"i": 1, "L": 4}, lambda s, n: (
        _state(s, 4, cplx=True), np.linalg.qr(_f(4, 4, seed=s) + 1j * _f(4, 4, seed=s + 1))[0])),
    "trotter_even_odd_bonds": (trotter_evolution, {}, lambda s, n: (_state(s, n), 1.0, 0.7)),
    "exact_evolution_return_probability": (exact_time_evolution, {}, lambda s, n: (
        _tfim_dense(n // 2 + 1, g=0.5 + 0.1 * s), _state(s, n // 2 + 1), np.linspace(0, 2, 7))),
    "lanczos_full_reorthogonalisation": (lanczos_fixed, {}, lambda s, n: (
        _tfim_dense(n, g=0.5 + 0.1 * s), _f(2 ** n, seed=s))),
    "imaginary_time_projection": (imaginary_time_power, {}, lambda s, n: (
        _tfim_dense(n, g=0.3 * s), _f(2 ** n, seed=s))),
    "schmidt_two_qubits": (schmidt_two_qubits, {}, lambda s, n: (_state(s, 2, cplx=True),)),
}


@pytest.mark.parametrize("name", _names(ED))
def test_entanglement_and_exact_diagonalisation_match_numpy(name):
    """Entanglement entropies from singular values and reduced density matrices, partial
    traces, free-fermion entropies, Kronecker-product Hamiltonians and exact diagonalisation,
    one-site and two-site operators on state vectors, Trotter and exact time evolution,
    Lanczos and imaginary-time projection."""
    check_like_numpy(*ED[name])


MORE = {
    "sinkhorn_logaddexp_reduce": (sinkhorn_logaddexp_reduce, {}, lambda s, n: _ot(s, n, 0.05)),
    "sinkhorn_warm_start_in_place": (sinkhorn_warm_start_in_place, {}, lambda s, n: (
        np.ones(n), np.ones(n + 1), np.exp(-_ot(s, n)[2] / 0.2), *_ot(s, n)[:2])),
    "plan_entropy_scipy_special": (plan_entropy_scipy, {}, lambda s, n: _plan(s, n)[:3]),
    "greedy_matching_unravel_index": (greedy_matching_unravel, {}, lambda s, n: (
        _ot(s, n)[2],)),
    "exact_ot_linear_sum_assignment": (exact_ot_hungarian, {}, lambda s, n: (
        _pts(s, n), _pts(s + 1, n) + 0.5)),
    "mpo_energy_einsum_optimize": (mpo_energy_optimize, {}, lambda s, n: (
        _mps(s, n), mpo_tfim(1.0, 0.5, n))),
    "product_state_kron_loop": (product_state_kron, {}, lambda s, n: (
        np.pi * _u(s, n), 2 * np.pi * _u(s + 1, n))),
    "normalize_complex64_phase": (normalize_complex64, {}, lambda s, n: (
        _state(s, n, cplx=True),)),
    "propagator_scipy_eigh": (propagator_scipy_eigh, {}, lambda s, n: (
        _tfim_dense(n // 2 + 1, g=0.4 * s), 0.7)),
    "relative_entropy_scipy_logm": (relative_entropy_logm, {}, lambda s, n: (
        _f(n, n, seed=s), _f(n, n, seed=s + 1))),
    "transfer_fixed_point_eig": (dominant_fixed_point_eig, {}, lambda s, n: (
        np.abs(_mps(s, 3, n // 2)[1]),)),
}


@pytest.mark.parametrize("name", _names(MORE))
def test_more_ways_to_write_it_match_numpy(name):
    """logaddexp.reduce Sinkhorn, warm starts written into the caller's scalings, plan
    entropies by scipy.special, greedy matching by unravel_index, the Hungarian exact plan,
    einsum with optimize=True, product states, complex64 states, propagators by scipy's eigh,
    relative entropies by logm and transfer-matrix fixed points by eig."""
    check_like_numpy(*MORE[name])


# -------------------------------------------------------------- Python scalars that steer


def sinkhorn_iters_positional(a, b, M, reg, numItermax):
    return sinkhorn_knopp(a, b, M, reg, numItermax)


def mps_chi_positional(psi, d, chi_max):
    return mps_norm_einsum(mps_from_state(psi, d, chi_max))


def iht_k_positional(A, y, k, n_iter):
    return iht_argpartition(A, y, k, n_iter)


def omp_k_positional(A, y, k):
    return omp_lstsq(A, y, k)


def tfim_chain_length(J, g, L):
    # the chain length as a Python int: 2 ** L states, a kron chain per term
    H = np.zeros((2 ** L, 2 ** L))
    for i in range(L - 1):
        H -= J * op_at(SZ, i, L) @ op_at(SZ, i + 1, L)
    for i in range(L):
        H -= g * op_at(SX, i, L)
    return np.linalg.eigvalsh(H)[:2] / L


def ising_n_sites(beta, J, h, N):
    return ising_transfer_1d(beta, J, h, N)


def sliced_projections_seed(X, Y, n_projections, seed):
    return sliced_wasserstein_seeded(X, Y, n_projections, seed)


def lanczos_steps(H, v0, m):
    return lanczos_fixed(H, v0, m)


def fista_iterations_tuple(A, b, cfg):
    # the settings as a dict of Python scalars
    return fista(A, b, cfg["lam"], cfg["n_iter"])


STEERED = {
    "sinkhorn_num_iter": (sinkhorn_iters_positional, lambda s: (*_ot(s, 4, 0.1), 10 * s)),
    "mps_bond_dimension": (mps_chi_positional, lambda s: (_state(s, 5), 2, s + 1)),
    "iht_sparsity_and_iterations": (iht_k_positional, lambda s: (*_cs(s, 5)[::2], s + 1, 10 * s)),
    "omp_sparsity": (omp_k_positional, lambda s: (*_cs(s, 5)[::2], s + 1)),
    "tfim_chain_length": (tfim_chain_length, lambda s: (1.0, 0.6, s + 2)),
    "ising_chain_sites": (ising_n_sites, lambda s: (0.7, 1.0, 0.1, 4 * s)),
    "sliced_projection_count_and_seed": (sliced_projections_seed, lambda s: (
        _pts(s, 8, 2), _pts(s + 1, 8, 2), 10 * s, s)),
    "lanczos_krylov_dimension": (lanczos_steps, lambda s: (
        _tfim_dense(4), _f(16, seed=s), 3 + 2 * s)),
    "fista_config_dict": (fista_iterations_tuple, lambda s: (
        *_cs(s, 5)[::2], {"lam": 0.05, "n_iter": 10 * s})),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Iteration counts, bond dimensions, sparsity levels, chain lengths, site counts,
    projection counts and seeds, and a config dict's iteration count: made static, NumPy's
    values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def sinkhorn_stop_thr(a, b, M, reg, numItermax=1000, stopThr=1e-9):
    # POT's loop as written: the marginal error checked every ten iterations, then break
    K = np.exp(-M / reg)
    u = np.ones(len(a)) / len(a)
    v = np.ones(len(b)) / len(b)
    for ii in range(numItermax):
        v = b / np.dot(K.T, u)
        u = a / np.dot(K, v)
        if ii % 10 == 0:
            err = np.linalg.norm(np.einsum("i,ij,j->j", u, K, v) - b)
            if err < stopThr:
                break
    return u[:, None] * K * v[None, :]


def sinkhorn_nan_guard(a, b, M, reg, numItermax=20):
    # POT's numerical-error guard: keep the previous scalings and stop
    K = np.exp(-M / reg)
    u = np.ones(len(a)) / len(a)
    v = np.ones(len(b)) / len(b)
    for ii in range(numItermax):
        uprev, vprev = u, v
        KtransposeU = np.dot(K.T, u)
        v = b / KtransposeU
        u = 1.0 / np.dot((1 / a).reshape(-1, 1) * K, v)
        if np.any(KtransposeU == 0) or np.any(np.isnan(u)) or np.any(np.isnan(v)):
            u, v = uprev, vprev
            break
    return u[:, None] * K * v[None, :]


def mps_truncate_eps(psi, chi_max=8, eps=1e-10):
    # TeNPy's split_truncate_theta: keep singular values above eps
    L = int(np.log2(psi.size))
    tensors, chi, rest = [], 1, psi.reshape(1, -1)
    for i in range(L - 1):
        U, S, Vh = np.linalg.svd(rest.reshape(chi * 2, -1), full_matrices=False)
        chi_new = min(chi_max, np.sum(S > eps))
        tensors.append(U[:, :chi_new].reshape(chi, 2, chi_new))
        rest = S[:chi_new, None] * Vh[:chi_new]
        chi = chi_new
    return tensors


def omp_until_tolerance(A, y, tol=1e-6):
    r = y.copy()
    support = []
    while np.linalg.norm(r) > tol and len(support) < A.shape[0]:
        support.append(int(np.argmax(np.abs(A.T @ r))))
        coef = np.linalg.lstsq(A[:, support], y, rcond=None)[0]
        r = y - A[:, support] @ coef
    return support, coef


def fista_adaptive_restart(A, b, lam, n_iter=50):
    # O'Donoghue-Candes gradient restart: a Python if on the momentum direction
    L = np.linalg.norm(A, 2) ** 2
    x = y = np.zeros(A.shape[1])
    t = 1.0
    for _ in range(n_iter):
        x_old = x
        x = soft_threshold(y - A.T @ (A @ y - b) / L, lam / L)
        if np.dot(y - x, x - x_old) > 0:
            t = 1.0
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        y = x + (t - 1) / t_new * (x - x_old)
        t = t_new
    return x


def support_flatnonzero(x, tol=1e-8):
    # the recovered support as indices
    return np.flatnonzero(np.abs(x) > tol)


def debias_on_support(A, y, x, tol=1e-6):
    # least squares restricted to the support the lasso found
    supp = np.abs(x) > tol
    coef = np.linalg.lstsq(A[:, supp], y, rcond=None)[0]
    out = np.zeros_like(x)
    out[supp] = coef
    return out


def cosamp_union1d(A, y, k=2, n_iter=3):
    # CoSaMP: the merged support by np.union1d
    x = np.zeros(A.shape[1])
    for _ in range(n_iter):
        proxy = A.T @ (y - A @ x)
        omega = np.argsort(np.abs(proxy))[-2 * k:]
        T = np.union1d(omega, np.flatnonzero(x))
        b = np.linalg.lstsq(A[:, T], y, rcond=None)[0]
        keep = np.argsort(np.abs(b))[-k:]
        x = np.zeros(A.shape[1])
        x[T[keep]] = b[keep]
    return x


def entanglement_spectrum_nonzero(psi, dA):
    # the Schmidt spectrum above numerical zero, for a plot
    s = np.linalg.svd(psi.reshape(dA, -1), compute_uv=False)
    return s[s > 1e-12] ** 2


def plan_support_argwhere(G, thr=1e-3):
    # the matched pairs of a plan
    return np.argwhere(G > thr * G.max())


def ground_state_degenerate_levels(H, tol=1e-8):
    E = np.linalg.eigvalsh(H)
    return np.unique(np.round(E / tol) * tol)


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError
_Unsupported = tracenp.errors.UnsupportedFunctionError

REFUSED = {
    "sinkhorn_stop_threshold_break": (_Concretization, sinkhorn_stop_thr, lambda s: _ot(
        s, 4, 0.5)),
    "sinkhorn_nan_guard_break": (_Concretization, sinkhorn_nan_guard, lambda s: _ot(s, 4, 0.1)),
    "mps_truncate_by_eps": (_DataDependent, mps_truncate_eps, lambda s: (
        np.kron(_state(s, 2), _state(s + 1, 3)),)),
    "omp_until_tolerance": (_Concretization, omp_until_tolerance, lambda s: _cs(s, 5)[::2]),
    "fista_adaptive_restart": (_Concretization, fista_adaptive_restart, lambda s: (
        *_cs(s, 5)[::2], 0.05)),
    "cd_lasso_sklearn_if_nonzero": (_Concretization, cd_lasso_residual, lambda s: (
        *_cs(s, 5)[::2], 0.01)),
    "support_flatnonzero": (_DataDependent, support_flatnonzero, lambda s: (
        _cs(s, 5)[1] + 1e-3 * _f(10, seed=s) * (np.arange(10) % 3 == 0),)),
    "debias_on_lasso_support": (_DataDependent, debias_on_support, lambda s: (
        *_cs(s, 5)[::2], _cs(s, 5)[1])),
    "cosamp_union1d": (_DataDependent, cosamp_union1d, lambda s: _cs(s, 5)[::2]),
    "entanglement_spectrum_nonzero": (_DataDependent, entanglement_spectrum_nonzero, lambda s: (
        np.kron(_state(s, 2), _state(s + 1, 2)), 4)),
    "plan_support_argwhere": (_DataDependent, plan_support_argwhere, lambda s: (_plan(s, 4)[0],)),
    "ground_state_unique_levels": (_DataDependent, ground_state_degenerate_levels, lambda s: (
        _tfim_dense(3, g=0.0 + 0.1 * s),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Sinkhorn's stopping threshold and NaN guard, truncation by eps, OMP to a tolerance,
    FISTA's adaptive restart, scikit-learn's `if w_ii != 0.0`, supports by flatnonzero and
    boolean column selection, CoSaMP's union1d, nonzero spectra, argwhere of a plan and
    `np.unique` of levels: the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
