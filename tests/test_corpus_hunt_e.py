"""Corpus, hunt E: classic machine learning written from scratch in NumPy (k-means with Lloyd
iterations and k-means++ seeding from a `Generator` argument, Gaussian mixture EM with
log-likelihoods, logsumexp responsibilities and covariances by `np.einsum`, PCA and whitening
by `np.linalg.eigh`/`svd`, LDA, Gaussian and multinomial naive Bayes with priors by
`np.bincount`, kNN by broadcast distances, `np.argsort`/`np.argpartition` and majority votes,
perceptron and hinge-loss subgradient loops, decision stumps and split search by sorted
cumulative label counts with gini and entropy, AdaBoost and boosting with stumps, linear, ridge
and lasso by coordinate descent with soft thresholding, logistic regression by Newton/IRLS,
t-SNE affinities with perplexity bisection loops and gradients, spectral clustering Laplacians,
matrix factorisation for collaborative filtering, the metrics (ROC AUC by sorting, confusion
matrices, precision/recall/F1, log loss with `np.clip`, r2, MAE)) and data wrangling without
pandas (cross-validation folds by index arrays, standard/min-max/robust scaling with
`np.nanpercentile`, one-hot and label encoding by `np.unique(return_inverse=True)`,
group-by aggregates by `np.bincount(weights=)`, `np.add.at` and `np.maximum.at`, rolling means
by `cumsum`, imputation by `np.nanmean` and `np.where(np.isnan(...))`, train/test splits from a
`Generator` argument and mini-batches by slicing), written the way such code is written: loops
with fixed counts, in-place updates, dicts of parameters, float32 and integer inputs, Python
scalars and keyword arguments.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Forms that cannot be traced raise a named error and run
eagerly under `fallback=True`.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_ops import assert_same

# ----------------------------------------------------------------------------- clustering


def kmeans_lloyd(X, centers, n_iter=5):
    for _ in range(n_iter):
        d = ((X[:, np.newaxis, :] - centers[np.newaxis, :, :]) ** 2).sum(axis=2)
        labels = np.argmin(d, axis=1)
        for j in range(centers.shape[0]):
            mask = labels == j
            cnt = mask.sum()
            centers[j] = np.where(cnt > 0, (X * mask[:, None]).sum(0) / np.maximum(cnt, 1),
                                  centers[j])
    return centers, labels


def kmeans_onehot(X, C, iters=4):
    k = C.shape[0]
    for _ in range(iters):
        dist = np.linalg.norm(X[:, None] - C[None], axis=-1)
        lab = dist.argmin(1)
        R = np.eye(k)[lab]
        counts = R.sum(0)
        C = (R.T @ X) / np.maximum(counts, 1)[:, None]
    inertia = np.sum(np.min(dist, axis=1) ** 2)
    return C, lab, inertia


def kmeans_bincount_update(X, labels, k):
    centers = np.empty((k, X.shape[1]))
    counts = np.bincount(labels, minlength=k)
    for d in range(X.shape[1]):
        centers[:, d] = np.bincount(labels, weights=X[:, d], minlength=k) / np.maximum(counts, 1)
    return centers


def kmeans_add_at(X, labels, k):
    sums = np.zeros((k, X.shape[1]))
    np.add.at(sums, labels, X)
    counts = np.zeros(k)
    np.add.at(counts, labels, 1)
    return sums / np.maximum(counts, 1)[:, np.newaxis]


def kmeans_pp_init(X, k, rng):
    n = X.shape[0]
    centers = np.empty((k, X.shape[1]), dtype=X.dtype)
    centers[0] = X[rng.integers(n)]
    closest = ((X - centers[0]) ** 2).sum(axis=1)
    for c in range(1, k):
        probs = closest / closest.sum()
        idx = rng.choice(n, p=probs)
        centers[c] = X[idx]
        closest = np.minimum(closest, ((X - centers[c]) ** 2).sum(axis=1))
    return centers


def kmeans_pp_cumsum(X, k, rng):
    centers = [X[rng.integers(0, len(X))]]
    for _ in range(k - 1):
        d2 = np.min(np.array([np.sum((X - c) ** 2, axis=1) for c in centers]), axis=0)
        cum = np.cumsum(d2 / d2.sum())
        r = rng.random()
        idx = np.searchsorted(cum, r)
        centers.append(X[idx])
    return np.array(centers)


def inertia(X, centers, labels):
    return np.sum((X - centers[labels]) ** 2)


def silhouette_simple(X, labels, k):
    D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    onehot = labels[:, None] == np.arange(k)[None, :]
    sums = D @ onehot
    counts = onehot.sum(0)
    own = counts[labels]
    a = sums[np.arange(len(X)), labels] / np.maximum(own - 1, 1)
    mean_other = sums / np.maximum(counts, 1)
    mean_other[np.arange(len(X)), labels] = np.inf
    b = mean_other.min(axis=1)
    s = (b - a) / np.maximum(a, b)
    return s.mean()


def gmm_estep(X, means, covs, weights):
    n, d = X.shape
    k = means.shape[0]
    log_prob = np.empty((n, k))
    for j in range(k):
        diff = X - means[j]
        inv = np.linalg.inv(covs[j])
        _, logdet = np.linalg.slogdet(covs[j])
        maha = np.einsum("ij,jk,ik->i", diff, inv, diff)
        log_prob[:, j] = -0.5 * (d * np.log(2 * np.pi) + logdet + maha) + np.log(weights[j])
    mx = log_prob.max(axis=1, keepdims=True)
    log_norm = mx + np.log(np.exp(log_prob - mx).sum(axis=1, keepdims=True))
    resp = np.exp(log_prob - log_norm)
    return resp, log_norm.sum()


def gmm_mstep(X, resp, reg_covar=1e-6):
    nk = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps
    means = resp.T @ X / nk[:, np.newaxis]
    k, d = means.shape
    covs = np.empty((k, d, d))
    for j in range(k):
        diff = X - means[j]
        covs[j] = np.dot(resp[:, j] * diff.T, diff) / nk[j]
        covs[j].flat[:: d + 1] += reg_covar
    weights = nk / X.shape[0]
    return weights, means, covs


def gmm_mstep_einsum(X, resp):
    nk = resp.sum(0)
    mu = np.einsum("nk,nd->kd", resp, X) / nk[:, None]
    diff = X[:, None, :] - mu[None, :, :]
    cov = np.einsum("nk,nkd,nke->kde", resp, diff, diff) / nk[:, None, None]
    cov += 1e-6 * np.eye(X.shape[1])[None]
    return nk / len(X), mu, cov


def gmm_diag_em(X, mu, var, pi, n_iter=3):
    for _ in range(n_iter):
        ll = -0.5 * (np.log(2 * np.pi * var)[None]
                     + (X[:, None, :] - mu[None]) ** 2 / var[None]).sum(-1)
        ll += np.log(pi)
        m = ll.max(1, keepdims=True)
        r = np.exp(ll - m)
        r /= r.sum(1, keepdims=True)
        nk = r.sum(0)
        pi = nk / nk.sum()
        mu = (r.T @ X) / nk[:, None]
        var = (r.T @ X ** 2) / nk[:, None] - mu ** 2 + 1e-3
    return mu, var, pi


def spectral_laplacian(X, sigma=1.0):
    sq = np.sum(X ** 2, axis=1)
    D2 = sq[:, None] + sq[None, :] - 2 * X @ X.T
    W = np.exp(-D2 / (2 * sigma ** 2))
    np.fill_diagonal(W, 0)
    deg = W.sum(axis=1)
    L = np.diag(deg) - W
    d_inv_sqrt = 1.0 / np.sqrt(deg)
    L_sym = np.eye(len(X)) - d_inv_sqrt[:, None] * W * d_inv_sqrt[None, :]
    return L, L_sym


def spectral_embedding(X, k=2):
    W = np.exp(-np.square(X[:, None] - X[None]).sum(-1))
    D = np.diag(W.sum(1))
    L = D - W
    vals, vecs = np.linalg.eigh(L)
    emb = vecs[:, 1:k + 1]
    return vals, np.abs(emb)


def knn_graph_affinity(X, k=2):
    D = np.sum((X[:, None] - X[None]) ** 2, -1)
    idx = np.argsort(D, axis=1)[:, 1:k + 1]
    A = np.zeros_like(D)
    rows = np.repeat(np.arange(len(X)), k)
    A[rows, idx.ravel()] = 1.0
    A = np.maximum(A, A.T)
    return A


def mean_shift_step(X, points, bandwidth=1.0):
    d2 = ((points[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    w = np.exp(-d2 / (2 * bandwidth ** 2))
    return (w @ X) / w.sum(1, keepdims=True)


def agglomerative_min_pair(X):
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    D[np.diag_indices_from(D)] = np.inf
    i, j = np.unravel_index(np.argmin(D), D.shape)
    return i, j, D[i, j]


def kmedoids_assign(D, medoids):
    labels = np.argmin(D[:, medoids], axis=1)
    cost = D[np.arange(D.shape[0]), medoids[labels]].sum()
    return labels, cost

# ------------------------------------------------------------------------- dimensionality reduction


def pca_eigh(X, n_components=2):
    Xc = X - X.mean(axis=0)
    cov = Xc.T @ Xc / (X.shape[0] - 1)
    evals, evecs = np.linalg.eigh(cov)
    order = np.argsort(evals)[::-1]
    evals, evecs = evals[order], evecs[:, order]
    W = evecs[:, :n_components]
    W = W * np.sign(W[0])
    explained = evals / evals.sum()
    return Xc @ W, explained[:n_components]


def pca_svd_signflip(X, k=2):
    mean = np.mean(X, axis=0)
    U, S, Vt = np.linalg.svd(X - mean, full_matrices=False)
    max_abs = np.argmax(np.abs(U), axis=0)
    signs = np.sign(U[max_abs, range(U.shape[1])])
    U *= signs
    Vt *= signs[:, np.newaxis]
    var = S ** 2 / (X.shape[0] - 1)
    return (U[:, :k] * S[:k]), var[:k] / var.sum(), Vt[:k]


def zca_whiten(X, eps=1e-5):
    Xc = X - X.mean(0)
    sigma = np.cov(Xc, rowvar=False)
    U, S, _ = np.linalg.svd(sigma)
    W = U @ np.diag(1.0 / np.sqrt(S + eps)) @ U.T
    return Xc @ W


def pca_whiten_eigh(X):
    Xc = X - X.mean(axis=0, keepdims=True)
    C = np.cov(Xc.T)
    d, E = np.linalg.eigh(C)
    D = np.diag(1. / np.sqrt(d + 1e-8))
    return Xc @ E @ D @ E.T


def lda_fisher(X, y, n_classes):
    mean_all = X.mean(0)
    d = X.shape[1]
    Sw = np.zeros((d, d))
    Sb = np.zeros((d, d))
    for c in range(n_classes):
        Xc = X[y == c]
        mc = Xc.mean(axis=0)
        Sw += (Xc - mc).T @ (Xc - mc)
        diff = (mc - mean_all).reshape(d, 1)
        Sb += len(Xc) * diff @ diff.T
    return Sw, Sb


def lda_two_class(X, y):
    m0 = X[y == 0].mean(0)
    m1 = X[y == 1].mean(0)
    S0 = np.cov(X[y == 0], rowvar=False)
    S1 = np.cov(X[y == 1], rowvar=False)
    w = np.linalg.solve(S0 + S1 + 1e-3 * np.eye(X.shape[1]), m1 - m0)
    return w / np.linalg.norm(w)


def lda_masked(X, y, k):
    d = X.shape[1]
    means = np.zeros((k, d))
    Sw = np.zeros((d, d))
    for c in range(k):
        m = (y == c)
        nc = m.sum()
        means[c] = (X * m[:, None]).sum(0) / nc
        diff = (X - means[c]) * m[:, None]
        Sw += diff.T @ diff
    priors = np.bincount(y, minlength=k) / len(y)
    return means, Sw / (len(y) - k), priors


def classical_mds(D, k=2):
    n = D.shape[0]
    J = np.eye(n) - np.ones((n, n)) / n
    B = -0.5 * J @ (D ** 2) @ J
    w, V = np.linalg.eigh(B)
    idx = np.argsort(w)[::-1][:k]
    L = np.sqrt(np.maximum(w[idx], 0))
    Y = V[:, idx] * L
    return w[idx], np.abs(Y)


def tsne_joint_p_fixed_beta(X, beta=1.0):
    sum_X = np.sum(np.square(X), 1)
    D = np.add(np.add(-2 * np.dot(X, X.T), sum_X).T, sum_X)
    P = np.exp(-D * beta)
    np.fill_diagonal(P, 0.0)
    P = P / np.sum(P, axis=1, keepdims=True)
    P = (P + P.T) / (2 * len(X))
    return np.maximum(P, 1e-12)


def tsne_perplexity_search(D, target=2.0, tol=1e-5, steps=20):
    n = D.shape[0]
    beta = np.ones(n)
    lo = np.full(n, -np.inf)
    hi = np.full(n, np.inf)
    logU = np.log(target)
    for _ in range(steps):
        P = np.exp(-D * beta[:, None])
        P[np.arange(n), np.arange(n)] = 0
        sumP = np.maximum(P.sum(1), 1e-12)
        H = np.log(sumP) + beta * (D * P).sum(1) / sumP
        diff = H - logU
        up = diff > 0
        lo = np.where(up, beta, lo)
        hi = np.where(up, hi, beta)
        beta = np.where(up, np.where(np.isinf(hi), beta * 2, (beta + hi) / 2),
                        np.where(np.isinf(lo), beta / 2, (beta + lo) / 2))
    return beta, P / sumP[:, None]


def tsne_grad(P, Y):
    sum_Y = np.sum(np.square(Y), 1)
    num = -2. * np.dot(Y, Y.T)
    num = 1. / (1. + np.add(np.add(num, sum_Y).T, sum_Y))
    num[range(len(Y)), range(len(Y))] = 0.
    Q = num / np.sum(num)
    Q = np.maximum(Q, 1e-12)
    PQ = P - Q
    dY = np.zeros_like(Y)
    for i in range(len(Y)):
        dY[i, :] = np.sum(np.tile(PQ[:, i] * num[:, i], (Y.shape[1], 1)).T * (Y[i, :] - Y), 0)
    kl = np.sum(P * np.log(P / Q))
    return dY, kl


def tsne_update(Y, dY, iY, gains, momentum=0.5, eta=100.0):
    gains = (gains + 0.2) * ((dY > 0.) != (iY > 0.)) + (gains * 0.8) * ((dY > 0.) == (iY > 0.))
    gains[gains < 0.01] = 0.01
    iY = momentum * iY - eta * (gains * dY)
    Y = Y + iY
    Y = Y - np.tile(np.mean(Y, 0), (Y.shape[0], 1))
    return Y, iY, gains

# ----------------------------------------------------------------------------- classifiers


def gaussian_nb_fit(X, y, n_classes):
    theta = np.zeros((n_classes, X.shape[1]))
    var = np.zeros((n_classes, X.shape[1]))
    for c in range(n_classes):
        Xc = X[y == c]
        theta[c, :] = np.mean(Xc, axis=0)
        var[c, :] = np.var(Xc, axis=0) + 1e-9
    priors = np.bincount(y, minlength=n_classes) / y.shape[0]
    return theta, var, priors


def gaussian_nb_predict(X, theta, var, priors):
    jll = []
    for i in range(len(priors)):
        jointi = np.log(priors[i])
        n_ij = -0.5 * np.sum(np.log(2. * np.pi * var[i, :]))
        n_ij -= 0.5 * np.sum(((X - theta[i, :]) ** 2) / (var[i, :]), 1)
        jll.append(jointi + n_ij)
    jll = np.array(jll).T
    log_prob_x = np.log(np.sum(np.exp(jll - jll.max(1)[:, None]), axis=1)) + jll.max(1)
    return np.argmax(jll, axis=1), np.exp(jll - np.atleast_2d(log_prob_x).T)


def multinomial_nb(counts, y, n_classes, alpha=1.0):
    fc = np.zeros((n_classes, counts.shape[1]))
    for c in range(n_classes):
        fc[c] = counts[y == c].sum(axis=0)
    smoothed = fc + alpha
    feature_log_prob = np.log(smoothed) - np.log(smoothed.sum(axis=1).reshape(-1, 1))
    class_log_prior = np.log(np.bincount(y, minlength=n_classes)) - np.log(len(y))
    jll = counts @ feature_log_prob.T + class_log_prior
    return jll.argmax(1), feature_log_prob


def multinomial_nb_onehot(counts, y, n_classes, alpha=1.0):
    Y = np.eye(n_classes)[y]
    fc = Y.T @ counts
    flp = np.log((fc + alpha) / (fc + alpha).sum(1, keepdims=True))
    prior = np.log(Y.mean(0))
    return counts @ flp.T + prior


def bernoulli_nb(Xb, y, alpha=1.0):
    classes = 2
    ll = np.zeros((Xb.shape[0], classes))
    for c in range(classes):
        Xc = Xb[y == c]
        p = (Xc.sum(0) + alpha) / (Xc.shape[0] + 2 * alpha)
        ll[:, c] = (Xb * np.log(p) + (1 - Xb) * np.log1p(-p)).sum(1) + np.log(Xc.shape[0] / len(y))
    return ll


def knn_predict(X_train, y_train, X_test, k=3, n_classes=3):
    dists = np.sqrt(np.sum((X_test[:, np.newaxis, :] - X_train[np.newaxis, :, :]) ** 2, axis=2))
    nn = np.argsort(dists, axis=1)[:, :k]
    votes = y_train[nn]
    preds = np.array([np.bincount(v, minlength=n_classes).argmax() for v in votes])
    return preds


def knn_predict_onehot(X_train, y_train, X_test, k=3, n_classes=3):
    d = -2 * X_test @ X_train.T + np.sum(X_train ** 2, 1) + np.sum(X_test ** 2, 1)[:, None]
    idx = np.argpartition(d, k, axis=1)[:, :k]
    counts = np.eye(n_classes)[y_train[idx]].sum(axis=1)
    return np.argmax(counts, axis=1)


def knn_regress(X_train, y_train, X_test, k=2):
    d = np.linalg.norm(X_test[:, None, :] - X_train[None, :, :], axis=-1)
    idx = np.argsort(d, axis=-1, kind="stable")[:, :k]
    w = 1.0 / (np.take_along_axis(d, idx, axis=1) + 1e-8)
    return (y_train[idx] * w).sum(1) / w.sum(1)


def knn_unique_vote(X_train, y_train, X_test, k=3):
    preds = []
    for x in X_test:
        distances = [np.sqrt(np.sum((x - x_train) ** 2)) for x_train in X_train]
        k_idx = np.argsort(distances)[:k]
        k_labels = y_train[k_idx]
        values, counts = np.unique(k_labels, return_counts=True)
        preds.append(values[np.argmax(counts)])
    return np.array(preds)


def knn_vote_loop(X_train, y_train, X_test, k=3):
    out = np.zeros(len(X_test), dtype=int)
    for i, x in enumerate(X_test):
        d = np.sum((X_train - x) ** 2, axis=1)
        nearest = y_train[np.argsort(d)[:k]]
        out[i] = np.argmax(np.bincount(nearest, minlength=3))
    return out


def perceptron(X, y, epochs=3, lr=1.0):
    w = np.zeros(X.shape[1])
    b = 0.0
    for _ in range(epochs):
        for i in range(X.shape[0]):
            upd = lr * (y[i] - (np.dot(X[i], w) + b >= 0).astype(float))
            w += upd * X[i]
            b += upd
    return w, b


def perceptron_where(X, y, epochs=3):
    w = np.zeros(X.shape[1] + 1)
    Xb = np.hstack([X, np.ones((X.shape[0], 1))])
    for _ in range(epochs):
        for xi, yi in zip(Xb, y):
            miss = yi * (xi @ w) <= 0
            w = np.where(miss, w + yi * xi, w)
    return w


def svm_hinge_sgd(X, y, lam=0.01, epochs=5, lr=0.1):
    w = np.zeros(X.shape[1])
    b = 0.
    for epoch in range(epochs):
        margins = y * (X @ w + b)
        mask = margins < 1
        grad_w = lam * w - ((mask * y)[:, None] * X).sum(0) / len(y)
        grad_b = -np.sum(mask * y) / len(y)
        w -= lr * grad_w
        b -= lr * grad_b
    loss = np.maximum(0, 1 - y * (X @ w + b)).mean() + lam / 2 * w @ w
    return w, b, loss


def pegasos(X, y, lam=0.1, T=6):
    w = np.zeros(X.shape[1])
    for t in range(1, T + 1):
        i = t % len(y)
        eta = 1.0 / (lam * t)
        if_violate = (y[i] * np.dot(w, X[i])) < 1
        w = (1 - eta * lam) * w + eta * y[i] * X[i] * if_violate
    return w


def svm_dual_kernel(X, y, alpha, gamma=0.5):
    K = np.exp(-gamma * np.sum((X[:, None] - X[None]) ** 2, axis=-1))
    Q = (y[:, None] * y[None, :]) * K
    obj = alpha.sum() - 0.5 * alpha @ Q @ alpha
    decision = (alpha * y) @ K
    return obj, np.sign(decision)


def multiclass_svm_loss(W, X, y, reg=0.1):
    scores = X.dot(W)
    n = X.shape[0]
    correct = scores[np.arange(n), y][:, np.newaxis]
    margins = np.maximum(0, scores - correct + 1)
    margins[np.arange(n), y] = 0
    loss = np.sum(margins) / n + reg * np.sum(W * W)
    binary = margins
    binary[margins > 0] = 1
    row_sum = np.sum(binary, axis=1)
    binary[np.arange(n), y] = -row_sum.T
    dW = X.T.dot(binary) / n + 2 * reg * W
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg=0.01):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[range(num_train), y])) / num_train + reg * np.sum(W * W)
    dscores = probs.copy()
    dscores[range(num_train), y] -= 1
    dW = X.T.dot(dscores) / num_train + 2 * reg * W
    return loss, dW


def best_stump(x, y):
    order = np.argsort(x)
    xs, ys = x[order], y[order]
    n = len(y)
    left_pos = np.cumsum(ys)[:-1]
    left_n = np.arange(1, n)
    right_pos = ys.sum() - left_pos
    right_n = n - left_n
    pl = left_pos / left_n
    pr = right_pos / right_n
    gini = left_n / n * 2 * pl * (1 - pl) + right_n / n * 2 * pr * (1 - pr)
    best = np.argmin(gini)
    thr = (xs[best] + xs[best + 1]) / 2
    return thr, gini[best]


def entropy_split(x, y):
    idx = np.argsort(x, kind="mergesort")
    ys = y[idx]
    n = ys.size
    cum = np.cumsum(ys, dtype=float)
    k = np.arange(1, n + 1)
    p_left = cum / k
    p_right = (cum[-1] - cum) / np.maximum(n - k, 1)

    def H(p):
        p = np.clip(p, 1e-12, 1 - 1e-12)
        return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
    ent = (k * H(p_left) + (n - k) * H(p_right)) / n
    gain = H(ys.mean()) - ent[:-1]
    return gain.max(), x[idx][np.argmax(gain)]


def gini_impurity(y, n_classes=3):
    p = np.bincount(y, minlength=n_classes) / len(y)
    return 1.0 - np.sum(p ** 2)


def entropy_labels(y, n_classes=3):
    counts = np.bincount(y, minlength=n_classes)
    p = counts / counts.sum()
    p = p[p > 0]
    return -np.sum(p * np.log2(p))


def multiclass_split_scan(x, y, n_classes=3):
    order = np.argsort(x)
    Y = np.eye(n_classes)[y[order]]
    left = np.cumsum(Y, axis=0)[:-1]
    right = left[-1] + Y[-1] - left
    nl = left.sum(1)
    nr = right.sum(1)
    gl = 1 - ((left / nl[:, None]) ** 2).sum(1)
    gr = 1 - ((right / nr[:, None]) ** 2).sum(1)
    w = (nl * gl + nr * gr) / len(x)
    return w.min(), np.sort(x)[w.argmin()]


def stump_all_features(X, y, w):
    n, d = X.shape
    best_err = np.inf
    for j in range(d):
        for thr in X[:, j]:
            for pol in (1, -1):
                pred = np.where(pol * X[:, j] < pol * thr, -1, 1)
                err = w[pred != y].sum()
                best_err = np.minimum(best_err, err)
    return best_err


def adaboost_round(X, y, w, j, thr):
    pred = np.ones(len(y))
    pred[X[:, j] < thr] = -1
    err = np.sum(w * (pred != y)) / np.sum(w)
    err = np.clip(err, 1e-10, 1 - 1e-10)
    alpha = 0.5 * np.log((1 - err) / err)
    w = w * np.exp(-alpha * y * pred)
    w /= w.sum()
    return w, alpha


def adaboost_rounds(X, y, T=3):
    n = len(y)
    w = np.full(n, 1 / n)
    F = np.zeros(n)
    for t in range(T):
        j = t % X.shape[1]
        thr = np.median(X[:, j])
        h = np.where(X[:, j] > thr, 1.0, -1.0)
        eps = w[h != y].sum()
        a = 0.5 * np.log((1 - eps + 1e-12) / (eps + 1e-12))
        F += a * h
        w *= np.exp(-a * y * h)
        w /= np.sum(w)
    return np.sign(F), w


def gbm_stumps(x, y, n_rounds=3, lr=0.5):
    F = np.full_like(y, y.mean())
    order = np.argsort(x)
    xs = x[order]
    for _ in range(n_rounds):
        r = (y - F)[order]
        cs = np.cumsum(r)
        n = len(r)
        k = np.arange(1, n)
        left_mean = cs[:-1] / k
        right_mean = (cs[-1] - cs[:-1]) / (n - k)
        gain = k * left_mean ** 2 + (n - k) * right_mean ** 2
        b = np.argmax(gain)
        thr = 0.5 * (xs[b] + xs[b + 1])
        F += lr * np.where(x <= thr, left_mean[b], right_mean[b])
    return F


def tree_predict_arrays(X, feature, threshold, left, right, value, depth=3):
    node = np.zeros(X.shape[0], dtype=np.intp)
    for _ in range(depth):
        f = feature[node]
        go_left = X[np.arange(X.shape[0]), np.maximum(f, 0)] <= threshold[node]
        nxt = np.where(go_left, left[node], right[node])
        node = np.where(f >= 0, nxt, node)
    return value[node]

# ----------------------------------------------------------------------------- regression


def ols_normal_eq(X, y):
    Xb = np.c_[np.ones(X.shape[0]), X]
    theta = np.linalg.inv(Xb.T.dot(Xb)).dot(Xb.T).dot(y)
    return theta


def ols_lstsq(X, y):
    A = np.column_stack([X, np.ones(len(X))])
    coef, res, rank, sv = np.linalg.lstsq(A, y, rcond=None)
    return coef, sv


def ridge_closed(X, y, alpha=1.0):
    n_features = X.shape[1]
    x_mean = X.mean(axis=0)
    y_mean = y.mean()
    Xc, yc = X - x_mean, y - y_mean
    w = np.linalg.solve(Xc.T @ Xc + alpha * np.identity(n_features), Xc.T @ yc)
    b = y_mean - x_mean @ w
    return w, b


def ridge_svd(X, y, alphas=(0.1, 1.0, 10.0)):
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    UTy = U.T @ y
    out = []
    for a in alphas:
        d = s / (s ** 2 + a)
        out.append(Vt.T @ (d * UTy))
    return np.array(out)


def gradient_descent_linreg(X, y, lr=0.1, n_iter=20):
    m, n = X.shape
    theta = np.zeros(n)
    history = np.zeros(n_iter)
    for i in range(n_iter):
        err = X @ theta - y
        theta -= lr / m * X.T @ err
        history[i] = (err ** 2).sum() / (2 * m)
    return theta, history


def sgd_minibatch(X, y, batch_size=2, epochs=2, lr=0.05):
    w = np.zeros(X.shape[1], dtype=X.dtype)
    n = X.shape[0]
    for _ in range(epochs):
        for start in range(0, n, batch_size):
            xb = X[start:start + batch_size]
            yb = y[start:start + batch_size]
            grad = 2 * xb.T @ (xb @ w - yb) / len(yb)
            w = w - lr * grad
    return w


def soft_threshold(rho, lam):
    return np.sign(rho) * np.maximum(np.abs(rho) - lam, 0.0)


def lasso_cd(X, y, lam=0.1, n_iter=5):
    n, d = X.shape
    w = np.zeros(d)
    norms = (X ** 2).sum(axis=0)
    for _ in range(n_iter):
        for j in range(d):
            r = y - X @ w + X[:, j] * w[j]
            rho = X[:, j] @ r
            w[j] = soft_threshold(rho, lam * n) / norms[j]
    return w


def lasso_cd_branchy(X, y, lam=0.1, n_iter=4):
    m, n = X.shape
    theta = np.zeros(n)
    for _ in range(n_iter):
        for j in range(n):
            X_j = X[:, j]
            y_pred = X @ theta
            rho = X_j @ (y - y_pred + theta[j] * X_j)
            z = np.sum(X_j ** 2)
            theta[j] = np.where(rho < -lam, (rho + lam) / z,
                                np.where(rho > lam, (rho - lam) / z, 0.0))
    return theta


def elastic_net_cd(X, y, alpha=0.1, l1_ratio=0.5, n_iter=4):
    n, p = X.shape
    beta = np.zeros(p)
    resid = y.copy()
    for _ in range(n_iter):
        for j in range(p):
            xj = X[:, j]
            resid += xj * beta[j]
            z = xj @ resid / n
            beta[j] = np.sign(z) * np.maximum(np.abs(z) - alpha * l1_ratio, 0) \
                / (xj @ xj / n + alpha * (1 - l1_ratio))
            resid -= xj * beta[j]
    return beta, resid


def ista(X, y, lam=0.1, n_iter=10):
    L = np.linalg.norm(X, 2) ** 2
    w = np.zeros(X.shape[1])
    for _ in range(n_iter):
        g = X.T @ (X @ w - y)
        z = w - g / L
        w = np.sign(z) * np.clip(np.abs(z) - lam / L, 0, None)
    return w


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def logreg_gd(X, y, lr=0.5, n_iter=20):
    w = np.zeros(X.shape[1])
    b = 0.0
    losses = []
    for _ in range(n_iter):
        p = sigmoid(X @ w + b)
        losses.append(-np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))
        w -= lr * X.T @ (p - y) / len(y)
        b -= lr * np.mean(p - y)
    return w, b, np.array(losses)


def logreg_newton(X, y, n_iter=5):
    Xb = np.hstack((np.ones((X.shape[0], 1)), X))
    beta = np.zeros(Xb.shape[1])
    for _ in range(n_iter):
        p = 1 / (1 + np.exp(-Xb @ beta))
        W = p * (1 - p)
        H = Xb.T @ (Xb * W[:, None]) + 1e-6 * np.eye(Xb.shape[1])
        g = Xb.T @ (y - p)
        beta = beta + np.linalg.solve(H, g)
    return beta


def logreg_irls(X, y, n_iter=4):
    w = np.zeros(X.shape[1])
    for _ in range(n_iter):
        eta = X.dot(w)
        mu = 1 / (1 + np.exp(-eta))
        s = mu * (1 - mu)
        z = eta + (y - mu) / s
        S = np.diag(s)
        w = np.linalg.solve(X.T @ S @ X + 1e-3 * np.eye(X.shape[1]), X.T @ S @ z)
    return w


def softmax_regression_step(W, b, X, y, n_classes, lr=0.1):
    logits = X @ W + b
    logits -= logits.max(axis=1, keepdims=True)
    P = np.exp(logits)
    P /= P.sum(axis=1, keepdims=True)
    Y = np.zeros_like(P)
    Y[np.arange(len(y)), y] = 1
    G = (P - Y) / len(y)
    W = W - lr * X.T @ G
    b = b - lr * G.sum(0)
    loss = -np.log(P[np.arange(len(y)), y] + 1e-15).mean()
    return W, b, loss


def poly_regression(x, y, degree=3):
    V = np.vander(x, degree + 1, increasing=True)
    coef = np.linalg.pinv(V) @ y
    return coef, V @ coef


def polyfit_predict(x, y):
    p = np.polyfit(x, y, 2)
    return np.polyval(p, x)


def huber_irls(X, y, delta=1.0, n_iter=3):
    w = np.linalg.lstsq(X, y, rcond=None)[0]
    for _ in range(n_iter):
        r = y - X @ w
        a = np.abs(r)
        wt = np.where(a <= delta, 1.0, delta / a)
        Xw = X * wt[:, None]
        w = np.linalg.solve(X.T @ Xw, Xw.T @ y)
    return w


def kernel_ridge(X, y, Xt, lam=0.1, gamma=1.0):
    K = np.exp(-gamma * ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    alpha = np.linalg.solve(K + lam * np.eye(len(X)), y)
    Kt = np.exp(-gamma * ((Xt[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    return Kt @ alpha


def gp_posterior(X, y, Xs, ell=1.0, noise=1e-2):
    def k(a, b):
        return np.exp(-0.5 * np.subtract.outer(a, b) ** 2 / ell ** 2)
    K = k(X, X) + noise * np.eye(len(X))
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    Ks = k(X, Xs)
    mu = Ks.T @ alpha
    v = np.linalg.solve(L, Ks)
    var = np.diag(k(Xs, Xs)) - np.sum(v ** 2, axis=0)
    return mu, var


def bayes_linreg(X, y, alpha=1.0, beta=25.0):
    S_inv = alpha * np.eye(X.shape[1]) + beta * X.T @ X
    S = np.linalg.inv(S_inv)
    m = beta * S @ X.T @ y
    return m, S

# -------------------------------------------------------------------------- collaborative filtering


def mf_sgd_epoch(R, mask, P, Q, lr=0.01, reg=0.02):
    rows, cols = R.shape
    for u in range(rows):
        for i in range(cols):
            e = (R[u, i] - P[u] @ Q[i]) * mask[u, i]
            P[u] += lr * (e * Q[i] - reg * P[u])
            Q[i] += lr * (e * P[u] - reg * Q[i])
    return P, Q


def als_step(R, W, U, V, lam=0.1):
    k = U.shape[1]
    for u in range(R.shape[0]):
        Wu = np.diag(W[u])
        U[u] = np.linalg.solve(V.T @ Wu @ V + lam * np.eye(k), V.T @ Wu @ R[u])
    for i in range(R.shape[1]):
        Wi = np.diag(W[:, i])
        V[i] = np.linalg.solve(U.T @ Wi @ U + lam * np.eye(k), U.T @ Wi @ R[:, i])
    return U, V


def mf_full_gradient(R, M, U, V, lr=0.05, reg=0.1, steps=5):
    for _ in range(steps):
        E = M * (R - U @ V.T)
        U, V = U + lr * (E @ V - reg * U), V + lr * (E.T @ U - reg * V)
    rmse = np.sqrt(np.sum((M * (R - U @ V.T)) ** 2) / M.sum())
    return U, V, rmse


def item_item_cosine(R):
    norms = np.linalg.norm(R, axis=0)
    norms[norms == 0] = 1.0
    Rn = R / norms
    S = Rn.T @ Rn
    np.fill_diagonal(S, 0)
    return S


def user_mean_center(R, M):
    cnt = M.sum(axis=1)
    mu = np.divide((R * M).sum(1), cnt, out=np.zeros(R.shape[0]), where=cnt > 0)
    Rc = np.where(M > 0, R - mu[:, None], 0.0)
    return Rc, mu


def predict_user_based(R, M, sim, k=2):
    top = np.argsort(-sim, axis=1)[:, :k]
    preds = np.zeros_like(R)
    for u in range(R.shape[0]):
        nb = top[u]
        w = sim[u, nb]
        preds[u] = (w[:, None] * R[nb]).sum(0) / (np.abs(w).sum() + 1e-9)
    return preds


def pearson_sim(R):
    Rc = R - R.mean(axis=1, keepdims=True)
    num = Rc @ Rc.T
    den = np.sqrt(np.outer((Rc ** 2).sum(1), (Rc ** 2).sum(1)))
    return num / (den + 1e-9)


def nmf_multiplicative(V, W, H, n_iter=5, eps=1e-10):
    for _ in range(n_iter):
        H *= (W.T @ V) / (W.T @ W @ H + eps)
        W *= (V @ H.T) / (W @ H @ H.T + eps)
    return W, H, np.linalg.norm(V - W @ H, "fro")

# ----------------------------------------------------------------------------- metrics


def roc_auc_rank(y_true, scores):
    order = np.argsort(scores)
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    n_pos = y_true.sum()
    n_neg = len(y_true) - n_pos
    return (ranks[y_true == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def roc_curve_points(y_true, y_score):
    desc = np.argsort(y_score, kind="mergesort")[::-1]
    y_true = y_true[desc]
    tps = np.cumsum(y_true)
    fps = np.arange(1, len(y_true) + 1) - tps
    tpr = np.r_[0, tps / tps[-1]]
    fpr = np.r_[0, fps / fps[-1]]
    return fpr, tpr, np.trapezoid(tpr, fpr)


def auc_pairwise(y, s):
    pos = y == 1
    diff = s[:, None] - s[None, :]
    pair = pos[:, None] & ~pos[None, :]
    return ((diff > 0) * pair).sum() / pair.sum() + 0.5 * ((diff == 0) * pair).sum() / pair.sum()


def confusion_matrix_add_at(y_true, y_pred, n_classes=3):
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def confusion_matrix_bincount(y_true, y_pred, n_classes=3):
    counts = np.bincount(n_classes * y_true + y_pred, minlength=n_classes ** 2)
    return counts.reshape(n_classes, n_classes)


def confusion_matrix_loop(y_true, y_pred, n_classes=3):
    cm = np.zeros((n_classes, n_classes), dtype=int)
    for t, p in zip(y_true, y_pred):
        cm[t, p] += 1
    return cm


def precision_recall_f1(y_true, y_pred):
    tp = np.sum((y_pred == 1) & (y_true == 1))
    fp = np.sum((y_pred == 1) & (y_true == 0))
    fn = np.sum((y_pred == 0) & (y_true == 1))
    precision = tp / (tp + fp) if (tp + fp) > 0 else 0.0
    recall = tp / (tp + fn) if (tp + fn) > 0 else 0.0
    return precision, recall


def macro_f1(y_true, y_pred, n_classes=3):
    cm = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    cm = cm.reshape(n_classes, -1)
    tp = np.diag(cm)
    prec = tp / np.maximum(cm.sum(axis=0), 1)
    rec = tp / np.maximum(cm.sum(axis=1), 1)
    f1 = np.where(prec + rec > 0, 2 * prec * rec / np.where(prec + rec > 0, prec + rec, 1), 0)
    return f1.mean(), prec, rec


def accuracy(y_true, y_pred):
    return np.mean(y_true == y_pred)


def balanced_accuracy(y_true, y_pred, n_classes=3):
    per = [np.mean(y_pred[y_true == c] == c) for c in range(n_classes)]
    return np.mean(per)


def log_loss(y_true, p, eps=1e-15):
    p = np.clip(p, eps, 1 - eps)
    return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))


def categorical_log_loss(y, P, eps=1e-15):
    P = np.clip(P, eps, 1 - eps)
    P /= P.sum(axis=1)[:, np.newaxis]
    return -np.log(P[np.arange(len(y)), y]).mean()


def brier_score(y, p):
    return np.mean((p - y) ** 2)


def regression_metrics(y_true, y_pred):
    err = y_true - y_pred
    mae = np.mean(np.abs(err))
    mse = np.mean(err ** 2)
    rmse = np.sqrt(mse)
    r2 = 1 - np.sum(err ** 2) / np.sum((y_true - np.mean(y_true)) ** 2)
    mape = np.mean(np.abs(err / y_true)) * 100
    return {"mae": mae, "mse": mse, "rmse": rmse, "r2": r2, "mape": mape}


def explained_variance(y, yhat):
    return 1 - np.var(y - yhat) / np.var(y)


def matthews_cc(y_true, y_pred):
    tp = np.sum(y_true & y_pred)
    tn = np.sum(~y_true & ~y_pred)
    fp = np.sum(~y_true & y_pred)
    fn = np.sum(y_true & ~y_pred)
    return (tp * tn - fp * fn) / np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn) + 1e-12)


def top_k_accuracy(y, scores, k=2):
    topk = np.argsort(scores, axis=1)[:, -k:]
    return np.mean(np.any(topk == y[:, None], axis=1))


def precision_at_k(scores, relevant, k=3):
    idx = np.argsort(-scores)[:k]
    return relevant[idx].sum() / k


def ndcg_at_k(rel, scores, k=3):
    order = np.argsort(scores)[::-1][:k]
    gains = 2 ** rel[order] - 1
    discounts = np.log2(np.arange(2, k + 2))
    dcg = np.sum(gains / discounts)
    ideal = np.sort(rel)[::-1][:k]
    idcg = np.sum((2 ** ideal - 1) / discounts)
    return dcg / idcg


def average_precision(y_true, scores):
    order = np.argsort(-scores)
    y = y_true[order]
    hits = np.cumsum(y)
    prec = hits / np.arange(1, len(y) + 1)
    return np.sum(prec * y) / max(y.sum(), 1)


def cohen_kappa(a, b, n_classes=3):
    cm = np.zeros((n_classes, n_classes))
    np.add.at(cm, (a, b), 1)
    n = cm.sum()
    po = np.trace(cm) / n
    pe = (cm.sum(0) @ cm.sum(1)) / n ** 2
    return (po - pe) / (1 - pe)


def calibration_bins(y, p, n_bins=4):
    bins = np.linspace(0, 1, n_bins + 1)
    idx = np.clip(np.digitize(p, bins) - 1, 0, n_bins - 1)
    cnt = np.bincount(idx, minlength=n_bins)
    conf = np.bincount(idx, weights=p, minlength=n_bins)
    acc = np.bincount(idx, weights=y, minlength=n_bins)
    ece = np.sum(np.abs(acc - conf)) / len(p)
    return cnt, ece


def hamming_loss(Y, Yhat):
    return np.mean(Y != Yhat)


def jaccard_multilabel(Y, Yhat):
    inter = np.logical_and(Y, Yhat).sum(1)
    union = np.logical_or(Y, Yhat).sum(1)
    return np.mean(np.where(union == 0, 1.0, inter / np.maximum(union, 1)))

# ----------------------------------------------------------------------------- data wrangling


def standardize(X, eps=1e-8):
    mu = X.mean(axis=0, keepdims=True)
    sd = X.std(axis=0, ddof=0, keepdims=True)
    return (X - mu) / (sd + eps)


def standardize_inplace(X):
    X -= X.mean(0)
    X /= X.std(0)
    return X


def standardize_train_test(Xtr, Xte):
    mean = np.mean(Xtr, axis=0)
    std = np.std(Xtr, axis=0)
    std[std == 0] = 1.0
    return (Xtr - mean) / std, (Xte - mean) / std


def min_max_scale(X, feature_range=(0, 1)):
    lo, hi = feature_range
    mn, mx = X.min(axis=0), X.max(axis=0)
    rng = np.where(mx - mn == 0, 1, mx - mn)
    return lo + (X - mn) / rng * (hi - lo)


def robust_scale(X):
    med = np.nanmedian(X, axis=0)
    q1, q3 = np.nanpercentile(X, [25, 75], axis=0)
    iqr = q3 - q1
    iqr[iqr == 0] = 1
    return (X - med) / iqr


def robust_scale_quantile(X):
    q = np.percentile(X, (25, 50, 75), axis=0)
    return (X - q[1]) / (q[2] - q[0])


def max_abs_scale(X):
    s = np.abs(X).max(axis=0)
    s[s == 0] = 1
    return X / s


def l2_normalize_rows(X):
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms == 0, 1, norms)


def l1_normalize_rows(X):
    return X / np.abs(X).sum(axis=1)[:, None]


def nan_impute_mean(X):
    col_mean = np.nanmean(X, axis=0)
    inds = np.where(np.isnan(X))
    X[inds] = np.take(col_mean, inds[1])
    return X


def nan_impute_where(X):
    means = np.nanmean(X, axis=0)
    return np.where(np.isnan(X), means, X)


def nan_impute_median_copy(X):
    X = X.copy()
    med = np.nanmedian(X, axis=0)
    mask = np.isnan(X)
    X[mask] = np.broadcast_to(med, X.shape)[mask]
    return X, mask.sum(axis=0)


def nan_impute_loop(X):
    for j in range(X.shape[1]):
        col = X[:, j]
        col[np.isnan(col)] = np.nanmean(col)
    return X


def nan_stats(X):
    return (np.nanmin(X, axis=0), np.nanmax(X, axis=0), np.nanstd(X, axis=0),
            np.nansum(X, axis=1), np.count_nonzero(~np.isnan(X), axis=0))


def nan_to_num_fill(X):
    return np.nan_to_num(X, nan=-1.0, posinf=1e3, neginf=-1e3)


def ffill_rows(X):
    mask = np.isnan(X)
    idx = np.where(~mask, np.arange(mask.shape[1]), 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    return X[np.arange(idx.shape[0])[:, None], idx]


def winsorize(x, lo=5, hi=95):
    a, b = np.percentile(x, [lo, hi])
    return np.clip(x, a, b)


def iqr_outlier_mask(x):
    q1, q3 = np.percentile(x, [25, 75])
    iqr = q3 - q1
    return (x < q1 - 1.5 * iqr) | (x > q3 + 1.5 * iqr)


def zscore_outliers_replace(X, thresh=1.5):
    z = np.abs((X - X.mean(0)) / X.std(0))
    X = X.copy()
    X[z > thresh] = np.nan
    return X, np.isnan(X).sum()


def one_hot_eye(y, n_classes):
    return np.eye(n_classes)[y]


def one_hot_scatter(y, n_classes):
    out = np.zeros((y.size, n_classes), dtype=np.float32)
    out[np.arange(y.size), y] = 1
    return out


def one_hot_compare(y, n_classes):
    return (y[:, None] == np.arange(n_classes)).astype(int)


def one_hot_put_along(y, n_classes):
    out = np.zeros((len(y), n_classes), dtype=np.uint8)
    np.put_along_axis(out, y[:, None], 1, axis=1)
    return out


def label_encode(values):
    classes, codes = np.unique(values, return_inverse=True)
    return classes, codes


def label_counts(values):
    u, inv, cnt = np.unique(values, return_inverse=True, return_counts=True)
    return u, inv, cnt, cnt[inv]


def frequency_encode_unique(values):
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    return counts[inverse] / values.size


def rare_category_mask(values, min_count=2):
    uniq, inv, counts = np.unique(values, return_inverse=True, return_counts=True)
    return np.where(counts[inv] < min_count, -1, uniq[inv])


def one_hot_unique(values):
    cats, inv = np.unique(values, return_inverse=True)
    return np.eye(len(cats))[inv]


def groupby_mean_bincount(keys, vals):
    u, inv = np.unique(keys, return_inverse=True)
    sums = np.bincount(inv, weights=vals)
    counts = np.bincount(inv)
    return u, sums / counts


def groupby_sum_fixed(keys, vals, n_groups=4):
    return np.bincount(keys, weights=vals, minlength=n_groups)


def groupby_max_at(keys, vals, n_groups=4):
    out = np.full(n_groups, -np.inf)
    np.maximum.at(out, keys, vals)
    return out


def groupby_min_at(keys, vals, n_groups=4):
    out = np.full(n_groups, np.inf)
    np.minimum.at(out, keys, vals)
    return out


def groupby_multi_col(keys, X, n_groups=4):
    sums = np.zeros((n_groups, X.shape[1]))
    np.add.at(sums, keys, X)
    counts = np.bincount(keys, minlength=n_groups)[:, None]
    means = np.divide(sums, counts, out=np.full_like(sums, np.nan), where=counts > 0)
    return means


def groupby_var(keys, vals, n_groups=4):
    n = np.bincount(keys, minlength=n_groups)
    s = np.bincount(keys, weights=vals, minlength=n_groups)
    ss = np.bincount(keys, weights=vals * vals, minlength=n_groups)
    mean = s / np.maximum(n, 1)
    return ss / np.maximum(n, 1) - mean ** 2


def group_demean(keys, vals, n_groups=4):
    means = np.bincount(keys, vals, n_groups) / np.maximum(np.bincount(keys, minlength=n_groups), 1)
    return vals - means[keys]


def groupby_sorted_reduceat(keys, vals):
    order = np.argsort(keys, kind="stable")
    k, v = keys[order], vals[order]
    starts = np.r_[0, np.flatnonzero(np.diff(k)) + 1]
    return k[starts], np.add.reduceat(v, starts)


def pivot_table(rows, cols, vals, n_rows=3, n_cols=4):
    table = np.zeros((n_rows, n_cols))
    np.add.at(table, (rows, cols), vals)
    return table


def crosstab(a, b, na=3, nb=3):
    return np.histogram2d(a, b, bins=[na, nb], range=[[0, na], [0, nb]])[0]


def rolling_mean_cumsum(x, w=3):
    c = np.cumsum(np.insert(x, 0, 0))
    return (c[w:] - c[:-w]) / w


def rolling_mean_cumsum_float(x, window=3):
    ret = np.cumsum(x, dtype=float)
    ret[window:] = ret[window:] - ret[:-window]
    return ret[window - 1:] / window


def rolling_mean_2d(X, w=2):
    c = np.cumsum(X, axis=0)
    c = np.vstack([np.zeros((1, X.shape[1])), c])
    return (c[w:] - c[:-w]) / w


def rolling_std(x, w=3):
    c1 = np.cumsum(np.r_[0.0, x])
    c2 = np.cumsum(np.r_[0.0, x ** 2])
    m = (c1[w:] - c1[:-w]) / w
    return np.sqrt(np.maximum((c2[w:] - c2[:-w]) / w - m ** 2, 0))


def ewm_mean(x, alpha=0.3):
    out = np.empty_like(x)
    out[0] = x[0]
    for t in range(1, len(x)):
        out[t] = alpha * x[t] + (1 - alpha) * out[t - 1]
    return out


def lag_features(x, lags=(1, 2)):
    cols = [x]
    for l in lags:
        shifted = np.roll(x, l).astype(float)
        shifted[:l] = np.nan
        cols.append(shifted)
    return np.column_stack(cols)


def pct_change(x):
    return np.diff(x) / x[:-1]


def bin_features(x, n_bins=4):
    edges = np.linspace(x.min(), x.max(), n_bins + 1)
    return np.digitize(x, edges[1:-1])


def quantile_bins(x, q=4):
    edges = np.quantile(x, np.linspace(0, 1, q + 1))
    return np.searchsorted(edges[1:-1], x, side="right")


def rank_transform(x):
    ranks = np.empty_like(x, dtype=float)
    ranks[np.argsort(x)] = np.arange(len(x))
    return ranks / (len(x) - 1)


def rank_argsort_argsort(X):
    return X.argsort(axis=0).argsort(axis=0)


def polynomial_features_deg2(X):
    n, d = X.shape
    feats = [np.ones((n, 1)), X]
    for i in range(d):
        for j in range(i, d):
            feats.append((X[:, i] * X[:, j])[:, None])
    return np.hstack(feats)


def interaction_triu(X):
    iu = np.triu_indices(X.shape[1], k=1)
    return (X[:, :, None] * X[:, None, :])[:, iu[0], iu[1]]


def clip_and_log(X):
    return np.log1p(np.clip(X, 0, None))


def add_bias_column(X):
    return np.insert(X, 0, 1.0, axis=1)


def dedupe_rows(X):
    return np.unique(X, axis=0)


def value_counts_sorted(x):
    vals, counts = np.unique(x, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    return vals[order], counts[order]


def mode_per_column(X, n_values=4):
    counts = np.apply_along_axis(lambda c: np.bincount(c, minlength=n_values), 0, X)
    return counts.argmax(axis=0)


def structured_column_stats(X):
    mask = ~np.isnan(X)
    n = mask.sum(0)
    s = np.where(mask, X, 0).sum(0)
    return s / n, n

# ----------------------------------------------------------------------------- splits and batches


def kfold_indices(n, k=3):
    idx = np.arange(n)
    folds = np.array_split(idx, k)
    out = []
    for i in range(k):
        test = folds[i]
        train = np.concatenate([folds[j] for j in range(k) if j != i])
        out.append((train, test))
    return out


def kfold_scores(X, y, k=3):
    n = len(y)
    fold = np.arange(n) % k
    scores = []
    for i in range(k):
        tr, te = fold != i, fold == i
        mu = (y * tr).sum() / tr.sum()
        scores.append(np.mean((y - mu) ** 2, where=te))
    return np.array(scores)


def kfold_ridge_cv(X, y, k=2, lam=0.5):
    n = X.shape[0]
    fold_size = n // k
    errs = np.zeros(k)
    for i in range(k):
        te = slice(i * fold_size, (i + 1) * fold_size)
        Xte, yte = X[te], y[te]
        Xtr = np.concatenate([X[:i * fold_size], X[(i + 1) * fold_size:]])
        ytr = np.concatenate([y[:i * fold_size], y[(i + 1) * fold_size:]])
        w = np.linalg.solve(Xtr.T @ Xtr + lam * np.eye(X.shape[1]), Xtr.T @ ytr)
        errs[i] = np.mean((Xte @ w - yte) ** 2)
    return errs.mean(), errs


def loo_mean_residual(y):
    n = len(y)
    loo = (y.sum() - y) / (n - 1)
    return y - loo


def batches(X, y, batch_size=3):
    out = []
    for i in range(0, len(X), batch_size):
        out.append((X[i:i + batch_size].mean(0), y[i:i + batch_size].sum()))
    return out


def batch_means_reshape(X, batch_size=2):
    n = (len(X) // batch_size) * batch_size
    return X[:n].reshape(-1, batch_size, X.shape[1]).mean(axis=1)


def train_test_split_rng(X, y, rng, test_size=0.25):
    n = X.shape[0]
    idx = rng.permutation(n)
    n_test = int(n * test_size)
    te, tr = idx[:n_test], idx[n_test:]
    return X[tr], X[te], y[tr], y[te]


def shuffle_inplace_rng(X, y, rng):
    p = np.arange(len(X))
    rng.shuffle(p)
    return X[p], y[p]


def bootstrap_means(x, rng, n_boot=5):
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    return x[idx].mean(axis=1)


def minibatch_sgd_rng(X, y, rng, epochs=2, bs=2, lr=0.1):
    w = np.zeros(X.shape[1])
    for _ in range(epochs):
        perm = rng.permutation(len(X))
        for s in range(0, len(X), bs):
            b = perm[s:s + bs]
            w -= lr * X[b].T @ (X[b] @ w - y[b]) / len(b)
    return w


def random_init_centers(X, k, rng):
    return X[rng.choice(X.shape[0], size=k, replace=False)]


def xavier_init(rng, fan_in=4, fan_out=3):
    limit = np.sqrt(6 / (fan_in + fan_out))
    return {"W": rng.uniform(-limit, limit, size=(fan_in, fan_out)), "b": np.zeros(fan_out)}


def dropout_rng(X, rng, p=0.5):
    mask = rng.random(X.shape) > p
    return X * mask / (1 - p)

# ----------------------------------------------------------------------------- a small network


def mlp_train_step(params, X, y, lr=0.1):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h = np.maximum(0, X @ W1 + b1)
    logits = h @ W2 + b2
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    n = X.shape[0]
    loss = -np.log(p[np.arange(n), y]).mean()
    d = p.copy()
    d[np.arange(n), y] -= 1
    d /= n
    dW2 = h.T @ d
    db2 = d.sum(axis=0)
    dh = d @ W2.T
    dh[h <= 0] = 0
    dW1 = X.T @ dh
    db1 = dh.sum(axis=0)
    for name, g in (("W1", dW1), ("b1", db1), ("W2", dW2), ("b2", db2)):
        params[name] -= lr * g
    return loss


def momentum_sgd(w, X, y, v, lr=0.1, mu=0.9, steps=4):
    for _ in range(steps):
        g = X.T @ (X @ w - y) / len(y)
        v[:] = mu * v - lr * g
        w += v
    return w


def adagrad_logreg(X, y, steps=5, lr=0.5):
    w = np.zeros(X.shape[1], dtype=np.float32)
    G = np.zeros_like(w)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-X @ w))
        g = X.T @ (p - y) / len(y)
        G += g ** 2
        w -= lr * g / (np.sqrt(G) + 1e-8)
    return w


def early_stopping_track(X, y, Xv, yv, steps=6, lr=0.1):
    w = np.zeros(X.shape[1])
    best = np.inf
    best_w = w.copy()
    for _ in range(steps):
        w = w - lr * X.T @ (X @ w - y) / len(y)
        val = np.mean((Xv @ w - yv) ** 2)
        better = val < best
        best_w = np.where(better, w, best_w)
        best = np.minimum(val, best)
    return best_w, best


# ----------------------------------------------------------------------------- second pass


def logsumexp_ufunc_reduce(a):
    return np.logaddexp.reduce(a, axis=1)


def logsumexp_keepdims(a, axis=-1):
    a_max = np.amax(a, axis=axis, keepdims=True)
    a_max[~np.isfinite(a_max)] = 0
    tmp = np.exp(a - a_max)
    s = np.sum(tmp, axis=axis, keepdims=True)
    out = np.log(s)
    out += a_max
    return np.squeeze(out, axis=axis)


def entropy_where(p):
    logp = np.log(p, out=np.zeros_like(p), where=p > 0)
    return -(p * logp).sum(axis=1)


def kl_divergence(p, q):
    return np.sum(np.where(p != 0, p * np.log(p / q), 0), axis=-1)


def softmax_out(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    np.divide(e, e.sum(axis=1, keepdims=True), out=e)
    return e


def clip_out(x, lo=-1.0, hi=1.0):
    np.clip(x, lo, hi, out=x)
    return x


def exp_out_inplace(x):
    np.exp(x, out=x)
    x *= 2
    return x


def dot_out(A, B):
    C = np.empty((A.shape[0], B.shape[1]))
    np.dot(A, B, out=C)
    return C


def lda_eig(Sw, Sb):
    vals, vecs = np.linalg.eig(np.linalg.inv(Sw).dot(Sb))
    return vals, vecs


def lda_eigh_generalized(Sw, Sb, k=1):
    L = np.linalg.cholesky(Sw)
    Li = np.linalg.inv(L)
    w, V = np.linalg.eigh(Li @ Sb @ Li.T)
    W = Li.T @ V[:, ::-1][:, :k]
    return w[::-1], np.abs(W)


def argpartition_topk(scores, k=2):
    idx = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    top = np.take_along_axis(scores, idx, axis=1)
    order = np.argsort(-top, axis=1)
    return np.take_along_axis(idx, order, axis=1)


def partition_kth(x, k=2):
    return np.partition(x, k)[k], np.partition(x, (1, k), axis=None)[[1, k]]


def knn_partition_distance(X, Q, k=2):
    D = np.linalg.norm(Q[:, None] - X[None], axis=2)
    kth = np.partition(D, k, axis=1)[:, :k + 1]
    return np.sort(kth, axis=1)


def lexsort_groups(a, b):
    order = np.lexsort((b, a))
    return order, a[order], b[order]


def searchsorted_sorter(edges, x):
    sorter = np.argsort(edges)
    return (np.searchsorted(edges, x, sorter=sorter),
            np.searchsorted(np.sort(edges), x, side="right"))


def digitize_right(x, bins):
    return np.digitize(x, bins, right=True), np.digitize(x, bins[::-1])


def histogram_density(x, bins=4):
    h, e = np.histogram(x, bins=bins, density=True)
    return h, e


def histogram_range_weights(x, w):
    return np.histogram(x, bins=5, range=(-2, 2), weights=w)


def int_stats(x):
    return np.mean(x), np.median(x), np.percentile(x, 30), np.std(x, ddof=1), np.var(x, axis=0)


def float32_stats(x):
    return (x.mean(0), x.std(0), x.var(0, ddof=1), np.median(x, 0), np.percentile(x, 75, axis=0),
            x.mean(dtype=np.float64), x.sum())


def nan_percentile_rows(X):
    return (np.nanpercentile(X, 50, axis=1), np.nanpercentile(X, [10, 90], axis=1, keepdims=True),
            np.nanquantile(X, 0.5, axis=0, method="nearest"))


def percentile_methods(x):
    return tuple(np.percentile(x, 40, method=m) for m in
                 ("linear", "lower", "higher", "midpoint", "nearest", "median_unbiased"))


def bool_counts(mask):
    return (mask.sum(), mask.sum(axis=0), np.cumsum(mask), mask.mean(),
            np.count_nonzero(mask, axis=1))


def bool_matmul(A, B):
    return A @ B, A.astype(int) @ B.astype(int), np.dot(A, A.T)


def int_matmul(A, B):
    return A @ B, np.einsum("ij,jk->ik", A, B), np.tensordot(A, B, axes=([1], [0]))


def nep50_promotion(x32, i32, i64):
    return (x32 * 2.5, x32 * np.float64(2.5), x32 + i32, i32 + 1, i32 * 1.5, i32 // 2,
            i64 % 3, -i64 // 3, i32 / i32.max(), np.float32(1) + x32)


def clip_int_float(x):
    return np.clip(x, 0.5, 2.5), np.minimum(x, 2.5), np.maximum(x, 1), np.clip(x, 1, 3)


def where_dtypes(x):
    return np.where(x > 0, 1, 0), np.where(x > 0, 1.0, 0), np.where(x > 0, x, 0), \
        np.where(x > 0, True, False)


def round_decimals(x):
    return np.round(x, 2), np.around(x * 100, -1), x.round(1), np.rint(x), np.fix(x)


def norms(X):
    return (np.linalg.norm(X, axis=1), np.linalg.norm(X, ord=1, axis=1),
            np.linalg.norm(X, ord=np.inf, axis=1), np.linalg.norm(X), np.linalg.norm(X, "fro"),
            np.linalg.norm(X, ord=1), np.linalg.norm(X, ord=np.inf), np.linalg.norm(X, 2))


def batched_norms(T):
    return np.linalg.norm(T, axis=(1, 2)), np.linalg.norm(T, axis=-1, keepdims=True)


def cov_weighted(X, w):
    return np.cov(X, rowvar=False, aweights=w), np.cov(X.T, ddof=0), np.corrcoef(X, rowvar=False)


def mahalanobis(X, mu, S):
    Si = np.linalg.inv(S)
    d = X - mu
    return np.sqrt(np.einsum("ij,jk,ik->i", d, Si, d))


def mahalanobis_solve(X, mu, S):
    L = np.linalg.cholesky(S)
    z = np.linalg.solve(L, (X - mu).T)
    return np.sqrt((z ** 2).sum(0))


def mvn_logpdf(X, mu, S):
    d = X.shape[1]
    sign, logdet = np.linalg.slogdet(S)
    diff = X - mu
    sol = np.linalg.solve(S, diff.T).T
    return -0.5 * (d * np.log(2 * np.pi) + logdet + np.sum(diff * sol, axis=1))


def mvn_logpdf_batched(X, mus, Ss):
    diff = X[:, None, :] - mus[None]
    Sinv = np.linalg.inv(Ss)
    maha = np.einsum("nki,kij,nkj->nk", diff, Sinv, diff)
    logdet = np.linalg.slogdet(Ss)[1]
    return -0.5 * (maha + logdet + X.shape[1] * np.log(2 * np.pi))


def pinv_ols(X, y):
    return np.linalg.pinv(X) @ y, np.linalg.matrix_rank(X), np.linalg.cond(X)


def det_and_trace(A):
    return np.linalg.det(A), np.trace(A), np.diagonal(A, offset=1), np.trace(A, offset=-1)


def select_piecewise(x):
    return np.select([x < -1, x > 1], [-1.0, 1.0], default=x), \
        np.piecewise(x, [x < 0, x >= 0], [lambda v: v ** 2, lambda v: -v])


def isin_labels(y):
    return np.isin(y, [1, 3]), np.isin(y, np.array([0, 2]), invert=True)


def setdiff_folds(X, k=3):
    n = X.shape[0]
    idx = np.arange(n)
    out = []
    for test in np.array_split(idx, k):
        train = np.setdiff1d(idx, test)
        out.append(X[train].mean(0) - X[test].mean(0))
    return np.array(out)


def kfold_index_lists(X, y, k=2):
    n = len(X)
    folds = np.array_split(np.arange(n), k)
    errs = []
    for i in range(k):
        te = folds[i]
        tr = np.hstack([folds[j] for j in range(k) if j != i])
        w = np.linalg.lstsq(X[tr], y[tr], rcond=None)[0]
        errs.append(np.mean(np.abs(X[te] @ w - y[te])))
    return np.array(errs)


def stratified_positions(y, n_classes=2):
    order = np.argsort(y, kind="stable")
    fold = np.empty(len(y), dtype=int)
    fold[order] = np.arange(len(y)) % 2
    counts = np.bincount(fold * n_classes + y, minlength=2 * n_classes)
    return fold, counts


def accumulate_ops(x):
    return (np.maximum.accumulate(x), np.minimum.accumulate(x[::-1])[::-1],
            np.multiply.accumulate(1 + x / 10), np.add.reduce(x), np.maximum.reduce(x))


def diff_forms(x):
    return np.diff(x, prepend=0), np.diff(x, append=x[-1]), np.ediff1d(x, to_begin=0), \
        np.diff(x, n=2)


def gradient_clipping(grads, max_norm=1.0):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    scale = np.minimum(1.0, max_norm / (total + 1e-6))
    for k in grads:
        grads[k] *= scale
    return total


def params_update(params, grads, lr=0.1):
    for key in params:
        params[key] -= lr * grads[key]
    return params


def adam_dict(params, grads, state, t, lr=1e-3, b1=0.9, b2=0.999):
    for k in params:
        state["m"][k] = b1 * state["m"][k] + (1 - b1) * grads[k]
        state["v"][k] = b2 * state["v"][k] + (1 - b2) * grads[k] ** 2
        mhat = state["m"][k] / (1 - b1 ** t)
        vhat = state["v"][k] / (1 - b2 ** t)
        params[k] -= lr * mhat / (np.sqrt(vhat) + 1e-8)
    return params


def heaviside_sign(x):
    return np.heaviside(x, 0.5), np.sign(x.astype(int)), np.signbit(x), np.copysign(1.0, x)


def ptp_range(X):
    return np.ptp(X, axis=0), X.max(0) - X.min(0), np.ptp(X)


def kron_outer(a, b):
    return np.kron(a, b), np.outer(a, b.astype(int)), np.multiply.outer(a, b)


def triu_pairs(X):
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    iu = np.triu_indices_from(D, k=1)
    return D[iu], np.tril(D, -1).sum(), np.triu(D).max()


def apply_along(X):
    return np.apply_along_axis(lambda r: r / r.sum(), 1, X), \
        np.apply_along_axis(np.median, 0, X)


def interp_fill(x, xp, fp):
    return np.interp(x, xp, fp, left=0.0, right=-1.0)


def argmax_bool(M):
    return np.argmax(M, axis=1), M.argmax(), np.argmin(M, axis=0)


def unique_static_table(y):
    classes = np.unique(np.array([2, 0, 1, 2]))
    return (y[:, None] == classes).astype(np.float32)


def xor_reduce(M):
    return np.logical_xor.reduce(M, axis=1), np.bitwise_xor.reduce(M.astype(int), axis=0)


def label_smoothing(y, n_classes=4, eps=0.1):
    Y = np.full((len(y), n_classes), eps / (n_classes - 1))
    Y[np.arange(len(y)), y] = 1 - eps
    return Y


def cross_entropy_int_labels(logits, y):
    logits = logits - logits.max(1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    return (-logp[np.arange(logits.shape[0]), y].mean(),
            -np.take_along_axis(logp, y[:, None], 1).sum())


def hinge_multiclass(scores, y):
    n = scores.shape[0]
    correct = scores[np.arange(n), y]
    m = np.maximum(0, scores - correct[:, np.newaxis] + 1.0)
    m[np.arange(n), y] = 0
    return m.sum(1).mean(), (m > 0).sum(axis=1)


# ----------------------------------------------------------------------------- third pass


def tfidf(counts, smooth=True):
    n = counts.shape[0]
    df = np.count_nonzero(counts, axis=0)
    idf = np.log((1 + n) / (1 + df)) + 1 if smooth else np.log(n / df) + 1
    tf = counts * idf
    norm = np.sqrt((tf ** 2).sum(axis=1, keepdims=True))
    norm[norm == 0] = 1
    return tf / norm


def bag_of_words(doc_ids, word_ids, n_docs=3, vocab=5):
    counts = np.zeros((n_docs, vocab), dtype=np.int64)
    np.add.at(counts, (doc_ids, word_ids), 1)
    return counts, (counts > 0).sum(0)


def cosine_knn(X, Q, k=2):
    Xn = X / np.linalg.norm(X, axis=1)[:, np.newaxis]
    Qn = Q / np.linalg.norm(Q, axis=1, keepdims=True)
    sims = Qn @ Xn.T
    idx = np.argsort(sims, axis=1)[:, ::-1][:, :k]
    return idx, np.sort(sims, axis=1)[:, ::-1][:, :k]


def pagerank(A, d=0.85, iters=20):
    n = A.shape[0]
    out = A.sum(axis=1)
    out[out == 0] = 1
    M = (A / out[:, None]).T
    r = np.ones(n) / n
    for _ in range(iters):
        r = (1 - d) / n + d * M @ r
    return r / r.sum()


def label_propagation(W, Y0, labeled, iters=5):
    D = W.sum(1)
    P = W / D[:, None]
    Y = Y0.copy()
    for _ in range(iters):
        Y = P @ Y
        Y[labeled] = Y0[labeled]
    return Y.argmax(1), Y


def dbscan_core(X, eps=0.8, min_samples=3):
    D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    neighbors = D <= eps
    n_neighbors = neighbors.sum(axis=1)
    core = n_neighbors >= min_samples
    reach = neighbors & core[None, :]
    return core, reach.any(axis=1) | core


def lof_scores(X, k=2):
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    np.fill_diagonal(D, np.inf)
    knn = np.argsort(D, axis=1)[:, :k]
    kdist = np.sort(D, axis=1)[:, k - 1]
    reach = np.maximum(D[np.arange(len(X))[:, None], knn], kdist[knn])
    lrd = 1.0 / (reach.mean(axis=1) + 1e-10)
    return lrd[knn].mean(axis=1) / lrd


def dual_cd_svm(X, y, C=1.0, epochs=2):
    n = X.shape[0]
    alpha = np.zeros(n)
    w = np.zeros(X.shape[1])
    Qii = (X ** 2).sum(1)
    for _ in range(epochs):
        for i in range(n):
            G = y[i] * (w @ X[i]) - 1
            old = alpha[i]
            alpha[i] = np.clip(alpha[i] - G / Qii[i], 0, C)
            w += (alpha[i] - old) * y[i] * X[i]
    return w, alpha


def rbf_network(X, y, centers, gamma=1.0):
    Phi = np.exp(-gamma * ((X[:, None, :] - centers[None]) ** 2).sum(axis=2))
    Phi = np.hstack([Phi, np.ones((len(X), 1))])
    w, *_ = np.linalg.lstsq(Phi, y, rcond=None)
    return Phi @ w


def kernel_pca(X, gamma=0.5, k=2):
    sq = np.sum(X * X, 1)
    K = np.exp(-gamma * (sq[:, None] + sq[None, :] - 2 * X @ X.T))
    n = K.shape[0]
    one_n = np.ones((n, n)) / n
    K = K - one_n.dot(K) - K.dot(one_n) + one_n.dot(K).dot(one_n)
    eigvals, eigvecs = np.linalg.eigh(K)
    eigvals, eigvecs = eigvals[::-1], eigvecs[:, ::-1]
    alphas = eigvecs[:, :k]
    lambdas = eigvals[:k]
    return np.abs(alphas / np.sqrt(lambdas)), lambdas


def poly_kernel_svm_decision(X, sv, coef, b, degree=3):
    K = (X @ sv.T + 1.0) ** degree
    return K @ coef + b


def batchnorm_train(x, bn, momentum=0.9, eps=1e-5):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    bn["running_mean"] = momentum * bn["running_mean"] + (1 - momentum) * mu
    bn["running_var"] *= momentum
    bn["running_var"] += (1 - momentum) * var
    xhat = (x - mu) / np.sqrt(var + eps)
    return bn["gamma"] * xhat + bn["beta"]


def confusion_normalized(y_true, y_pred, k=3):
    cm = np.zeros((k, k), dtype=int)
    for t, p in zip(y_true, y_pred):
        cm[t][p] += 1
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = cm.astype("float") / cm.sum(axis=1)[:, np.newaxis]
    return np.nan_to_num(norm)


def precision_recall_curve(y, s):
    order = np.argsort(s)[::-1]
    y = y[order]
    tp = np.cumsum(y)
    fp = np.cumsum(1 - y)
    precision = tp / (tp + fp)
    recall = tp / y.sum()
    precision = np.r_[1.0, precision]
    recall = np.r_[0.0, recall]
    ap = np.sum(np.diff(recall) * precision[1:])
    return precision, recall, ap


def ks_statistic(scores, y):
    order = np.argsort(scores)
    y = y[order]
    cdf_pos = np.cumsum(y) / y.sum()
    cdf_neg = np.cumsum(1 - y) / (1 - y).sum()
    return np.max(np.abs(cdf_pos - cdf_neg))


def gain_lift(y, s, n_bins=2):
    order = np.argsort(-s)
    ys = y[order]
    bins = np.array_split(ys, n_bins)
    rates = np.array([b.mean() for b in bins])
    return rates / y.mean(), np.cumsum([b.sum() for b in bins]) / y.sum()


def column_select_and_delete(X):
    return X[:, [0, 2]], np.delete(X, 1, axis=1), X[:, np.array([2, 0])], \
        np.column_stack((X, X[:, 0] ** 2)), np.hstack([X, X[:, :1] > 0])


def split_by_sizes(x):
    sizes = [2, 1, x.shape[0] - 3]
    parts = np.split(x, np.cumsum(sizes)[:-1])
    return [p.sum() for p in parts]


def nonzero_group_means(X, y, k=3):
    out = np.zeros((k, X.shape[1]))
    for c in range(k):
        idx = np.nonzero(y == c)[0]
        out[c] = X[idx].mean(axis=0)
    return out


def masked_group_stats(X, y, k=3):
    means = np.array([X[y == c].mean(axis=0) for c in range(k)])
    stds = np.array([X[y == c].std(axis=0) for c in range(k)])
    maxs = np.stack([X[y == c].max(axis=0) for c in range(k)])
    return means, stds, maxs


def gaussian_nb_masked_fit(X, y, k=2):
    mu = np.zeros((k, X.shape[1]))
    var = np.zeros((k, X.shape[1]))
    prior = np.zeros(k)
    for c in range(k):
        Xc = X[y == c]
        mu[c] = Xc.mean(0)
        var[c] = Xc.var(0)
        prior[c] = np.mean(y == c)
    return mu, var, prior


def sort_desc_forms(x):
    return np.sort(x)[::-1], -np.sort(-x), np.argsort(x)[::-1], np.argsort(-x, kind="stable")


def elbow_inertias(X, C):
    out = []
    for k in (1, 2, 3):
        d = ((X[:, None] - C[None, :k]) ** 2).sum(-1)
        out.append(d.min(1).sum())
    return np.array(out)


def sigmoid_stable(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


def bce_with_logits(z, y):
    return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))


def focal_loss(p, y, gamma=2.0, alpha=0.25):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    pt = np.where(y == 1, p, 1 - p)
    a = np.where(y == 1, alpha, 1 - alpha)
    return -(a * (1 - pt) ** gamma * np.log(pt)).mean()


def huber_loss(y, yhat, delta=1.0):
    r = np.abs(y - yhat)
    return np.where(r <= delta, 0.5 * r ** 2, delta * (r - 0.5 * delta)).mean()


def quantile_loss(y, yhat, q=0.9):
    e = y - yhat
    return np.mean(np.maximum(q * e, (q - 1) * e))


def smoothed_target_encoding(keys, y, n_keys=4, m=2.0):
    prior = y.mean()
    s = np.bincount(keys, weights=y, minlength=n_keys)
    c = np.bincount(keys, minlength=n_keys)
    enc = (s + m * prior) / (c + m)
    return enc[keys]


def count_encoding(keys, n_keys=4):
    return np.bincount(keys, minlength=n_keys)[keys] / len(keys)


def frequency_rank_encoding(keys, n_keys=4):
    c = np.bincount(keys, minlength=n_keys)
    rank = np.empty(n_keys, dtype=np.int64)
    rank[np.argsort(-c, kind="stable")] = np.arange(n_keys)
    return rank[keys]


def hashing_trick(ids, n_buckets=8):
    h = (ids * 2654435761) % 2 ** 32 % n_buckets
    out = np.zeros((len(ids), n_buckets))
    out[np.arange(len(ids)), h] += 1
    return out


def sliding_features(x, w=3):
    idx = np.arange(w)[None, :] + np.arange(len(x) - w + 1)[:, None]
    win = x[idx]
    return np.column_stack([win.mean(1), win.std(1), win.max(1) - win.min(1)])


def train_val_test_slices(X, y):
    n = len(X)
    a, b = int(0.6 * n), int(0.8 * n)
    return X[:a].mean(), X[a:b].mean(), y[b:].sum()


def class_weights_balanced(y, k=3):
    counts = np.bincount(y, minlength=k)
    w = len(y) / (k * np.maximum(counts, 1))
    return w, w[y]


def weighted_logloss_grad(X, y, w, sw):
    p = 1 / (1 + np.exp(-(X @ w)))
    return X.T @ (sw * (p - y)) / sw.sum()


def rmsprop_steps(w, X, y, steps=4, lr=0.01, rho=0.9):
    cache = np.zeros_like(w)
    for _ in range(steps):
        g = 2 * X.T @ (X @ w - y) / len(y)
        cache = rho * cache + (1 - rho) * g * g
        w = w - lr * g / (np.sqrt(cache) + 1e-8)
    return w


def lr_schedule_loop(X, y, epochs=5, lr0=0.5):
    w = np.zeros(X.shape[1], dtype=np.float32)
    for epoch in range(epochs):
        lr = lr0 / (1 + 0.5 * epoch)
        g = X.T @ (X @ w - y) / len(y)
        w -= lr * g
    return w


# ----------------------------------------------------------------------------- writes and views


def center_rows_by_iteration(X):
    for row in X:
        row -= row.mean()
    return X


def relu_rows_enumerate(W):
    for i, row in enumerate(W):
        row[row < 0] = 0
        row *= i + 1
    return W


def write_through_transpose(X):
    XT = X.T
    XT[0] = 0
    XT[:, 1] += 1
    return X


def write_through_reshape_ravel(X):
    a = X.reshape(-1)
    a[::2] = 0
    v = X.ravel()
    v[1] = 9
    return X


def fill_diagonal_of_slices(covs, reg=0.1):
    for j in range(covs.shape[0]):
        np.fill_diagonal(covs[j], covs[j].diagonal() + reg)
    return covs


def center_columns_loop(X):
    for j in range(X.shape[1]):
        X[:, j] -= X[:, j].mean()
        X[:, j] /= X[:, j].std()
    return X


def swap_rows_fancy(X):
    X[[0, 1]] = X[[1, 0]]
    X[2:] = X[2:][::-1]
    return X


def slice_assign_param(w, g, lr=0.1):
    w[:] = w - lr * g
    return None


def copyto_param(w, g, lr=0.1):
    np.copyto(w, w - lr * g)


def put_and_putmask(x, idx):
    np.put(x, idx, -1.0)
    np.putmask(x, x > 1, 1.0)
    return x


def fill_and_sort_inplace(x, y):
    y.fill(0)
    x.sort()
    return x, y


def sort_rows_inplace(X):
    X.sort(axis=1)
    return X[:, -1]


def shuffle_rows_rng(X, rng):
    rng.shuffle(X)
    return X.sum(0)


def ufunc_out_views(a, b):
    np.add(a[:2], b[:2], out=a[:2])
    np.multiply(a, 2, out=a)
    np.cumsum(b, out=b)
    return a, b


def reductions_out(X):
    buf = np.empty(X.shape[1])
    np.sum(X, axis=0, out=buf)
    labels = np.empty(X.shape[0], dtype=np.intp)
    np.argmin(X, axis=1, out=labels)
    m = np.zeros(X.shape[1])
    np.mean(X, axis=0, out=m)
    return buf, labels, m


def matmul_out_slice(A, B):
    C = np.zeros((A.shape[0], B.shape[1] + 1))
    np.matmul(A, B, out=C[:, :B.shape[1]])
    return C


def relabel_inplace(y):
    y = y.astype(float)
    y[y == 0] = -1
    return y


def buffered_increment(counts, labels):
    counts[labels] += 1
    return counts


def duplicate_index_set(x, idx, v):
    x[idx] = v
    return x


def duplicate_index_add(x, idx, v):
    x[idx] += v
    return x


def clip_method_out(x):
    x.clip(0, 1, out=x)
    return x


def dict_of_arrays_inplace(model, X):
    model["W"] *= 0.5
    model["b"] += X.mean(0)
    model["history"][0] = X.sum()
    return model


def list_of_arrays_inplace(layers, lr=0.1):
    for W in layers:
        W -= lr * W
    return layers


def kmeans_centers_inplace(X, centers, labels):
    for j in range(centers.shape[0]):
        members = labels == j
        mean = (X * members[:, None]).sum(0) / np.maximum(members.sum(), 1)
        centers[j] = np.where(members.any(), mean, centers[j])
    return centers


def argmax_row_write(D):
    i = np.argmax(D.sum(1))
    row = D[i]
    row[:] = 0
    return D


def sort_views_in_place(X, t):
    X[:, 1].sort()
    X[t].sort()
    X[::2].fill(0)
    X[t].clip(0, 1, out=X[t])
    np.cumsum(X[0], out=X[1])
    return X


def put_place_through_views(X, t):
    np.put(X[t], [0, 1], [7, 8])
    np.place(X[t - 1], X[t - 1] > 0, 5.0)
    X.flat[t] = -3
    np.copyto(X[:, 0], X[:, 1], where=X[:, 1] > 0)
    return X


def last_row_view_after_write(X, k):
    row = X[k]
    X[k] = -1.0
    return row.sum()


# ----------------------------------------------------------------------------- refused algorithms


def tsne_binary_search(D, perplexity=2.0, tol=1e-5, max_iter=50):
    n = D.shape[0]
    P = np.zeros((n, n))
    beta = np.ones(n)
    logU = np.log(perplexity)
    for i in range(n):
        betamin, betamax = -np.inf, np.inf
        Di = np.delete(D[i], i)
        for _ in range(max_iter):
            Pi = np.exp(-Di * beta[i])
            sumP = Pi.sum()
            H = np.log(sumP) + beta[i] * np.sum(Di * Pi) / sumP
            Hdiff = H - logU
            if np.abs(Hdiff) < tol:
                break
            if Hdiff > 0:
                betamin = beta[i]
                beta[i] = beta[i] * 2 if betamax == np.inf else (beta[i] + betamax) / 2
            else:
                betamax = beta[i]
                beta[i] = beta[i] / 2 if betamin == -np.inf else (beta[i] + betamin) / 2
        P[i, np.arange(n) != i] = Pi / sumP
    return P


def build_tree(X, y, depth=0, max_depth=2):
    if depth == max_depth or len(np.unique(y)) == 1:
        return {"leaf": np.bincount(y).argmax()}
    best = None
    for j in range(X.shape[1]):
        for thr in np.unique(X[:, j]):
            left = X[:, j] <= thr
            if left.all() or not left.any():
                continue
            g = left.mean() * gini_impurity(y[left]) + (~left).mean() * gini_impurity(y[~left])
            if best is None or g < best[0]:
                best = (g, j, thr)
    _, j, thr = best
    m = X[:, j] <= thr
    return {"j": j, "thr": thr, "l": build_tree(X[m], y[m], depth + 1),
            "r": build_tree(X[~m], y[~m], depth + 1)}


def tree_leaf_count(X, y):
    def count(node):
        return 1 if "leaf" in node else count(node["l"]) + count(node["r"])
    return count(build_tree(X, y))


def kmeans_until_converged(X, C, tol=1e-6):
    for _ in range(100):
        labels = np.argmin(((X[:, None] - C[None]) ** 2).sum(-1), axis=1)
        newC = np.array([X[labels == k].mean(0) for k in range(len(C))])
        if np.allclose(newC, C, atol=tol):
            break
        C = newC
    return C


def early_stop_on_loss(X, y, lr=0.1):
    w = np.zeros(X.shape[1])
    prev = np.inf
    for _ in range(50):
        loss = np.mean((X @ w - y) ** 2)
        if prev - loss < 1e-6:
            break
        prev = loss
        w -= lr * X.T @ (X @ w - y) / len(y)
    return w


def knn_counter_vote(X_train, y_train, x, k=3):
    from collections import Counter
    idx = np.argsort(np.linalg.norm(X_train - x, axis=1))[:k]
    return Counter(y_train[idx]).most_common(1)[0][0]


def losses_as_floats(X, y, lr=0.1):
    w = np.zeros(X.shape[1])
    history = []
    for _ in range(3):
        history.append(float(np.mean((X @ w - y) ** 2)))
        w -= lr * X.T @ (X @ w - y) / len(y)
    return w, history


def select_classes_present(X, y):
    classes = np.unique(y)
    return np.array([X[y == c].mean(0) for c in classes])


# ----------------------------------------------------------------------------- fourth pass


def gmm_loglik_f32(X, means, var, weights):
    eps = np.finfo(X.dtype).eps
    diff = X[:, np.newaxis, :] - means[np.newaxis]
    logp = -0.5 * np.sum(diff ** 2 / (var + eps) + np.log(2 * np.pi * (var + eps)), axis=2)
    logp += np.log(weights)
    m = logp.max(axis=1, keepdims=True)
    lse = m + np.log(np.exp(logp - m).sum(axis=1, keepdims=True))
    return np.exp(logp - lse), lse.mean()


def dtype_type_constants(X):
    one = X.dtype.type(1)
    tiny = np.finfo(X.dtype).tiny
    return X + one, np.maximum(X, tiny), X * np.asarray(0.5, dtype=X.dtype)


def standardize_with_ddof(X, ddof=1):
    return (X - X.mean(axis=0)) / X.std(axis=0, ddof=ddof), np.var(X, axis=0, ddof=ddof)


def cov_by_hand(X):
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / (X.shape[0] - 1), np.cov(X, rowvar=False), np.cov(X.T, bias=True)


def corr_by_hand(X):
    Z = (X - X.mean(0)) / X.std(0)
    return Z.T @ Z / len(X), np.corrcoef(X.T)


def whitening_cholesky(X):
    C = np.cov(X, rowvar=False)
    L = np.linalg.cholesky(np.linalg.inv(C))
    return (X - X.mean(0)) @ L


def explained_variance_ratio(X, k=2):
    s = np.linalg.svd(X - X.mean(0), compute_uv=False)
    ev = s ** 2 / (len(X) - 1)
    return ev[:k] / ev.sum(), np.cumsum(ev) / ev.sum()


def reconstruct_pca(X, k=1):
    mu = X.mean(axis=0)
    U, S, Vt = np.linalg.svd(X - mu, full_matrices=False)
    Z = (X - mu) @ Vt[:k].T
    Xr = Z @ Vt[:k] + mu
    return np.mean((X - Xr) ** 2), S


def lstsq_residuals(X, y):
    coef, res, rank, sv = np.linalg.lstsq(X, y, rcond=None)
    return coef, res, rank


def qr_regression(X, y):
    Q, R = np.linalg.qr(X)
    return np.linalg.solve(R, Q.T @ y), np.abs(np.diag(R))


def solve_triangular_like(X, y):
    L = np.linalg.cholesky(X.T @ X + np.eye(X.shape[1]))
    z = np.linalg.solve(L, X.T @ y)
    return np.linalg.solve(L.T, z)


def sigmoid_cross_entropy_f32(z, y):
    p = 1.0 / (1.0 + np.exp(-z))
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(), p.dtype.type(0.5) < p


def one_vs_rest_scores(X, W, b):
    scores = X @ W.T + b
    pred = np.argmax(scores, axis=1)
    margin = np.sort(scores, axis=1)[:, -1] - np.sort(scores, axis=1)[:, -2]
    return pred, margin


def ranking_loss(scores, y):
    pos = scores[:, None] - scores[None, :]
    mask = (y[:, None] > y[None, :])
    return np.sum(np.log1p(np.exp(-pos)) * mask) / np.maximum(mask.sum(), 1)


def spearman_rho(a, b):
    ra = np.argsort(np.argsort(a)).astype(float)
    rb = np.argsort(np.argsort(b)).astype(float)
    return np.corrcoef(ra, rb)[0, 1]


def kendall_tau_naive(a, b):
    da = np.sign(a[:, None] - a[None, :])
    db = np.sign(b[:, None] - b[None, :])
    n = len(a)
    return (da * db).sum() / (n * (n - 1))


def median_absolute_deviation(X):
    med = np.median(X, axis=0)
    return np.median(np.abs(X - med), axis=0) * 1.4826


def trimmed_mean(x, prop=0.2):
    x = np.sort(x)
    k = int(prop * len(x))
    return x[k:len(x) - k].mean()


def covariance_shrinkage(X, alpha=0.1):
    S = np.cov(X, rowvar=False)
    mu = np.trace(S) / S.shape[0]
    return (1 - alpha) * S + alpha * mu * np.eye(S.shape[0])


def distance_correlation_matrix(X):
    D = np.linalg.norm(X[:, None] - X[None], axis=-1)
    A = D - D.mean(0) - D.mean(1)[:, None] + D.mean()
    return (A * A).mean()


def cross_val_predict_knn(X, y, k=1, folds=2):
    n = len(X)
    pred = np.zeros(n, dtype=y.dtype)
    fold_of = np.arange(n) % folds
    for f in range(folds):
        te = np.flatnonzero(fold_of == f)
        tr = np.flatnonzero(fold_of != f)
        D = ((X[te][:, None] - X[tr][None]) ** 2).sum(-1)
        pred[te] = y[tr][np.argsort(D, axis=1)[:, :k]][:, 0]
    return pred


def leave_one_out_knn(X, y):
    D = ((X[:, None] - X[None]) ** 2).sum(-1)
    D[np.diag_indices(len(X))] = np.inf
    return np.mean(y[np.argmin(D, axis=1)] == y)


def grid_search_ridge(X, y, alphas=(0.01, 0.1, 1.0)):
    n = len(X) // 2
    best, best_a = np.inf, 0.0
    scores = []
    for a in alphas:
        w = np.linalg.solve(X[:n].T @ X[:n] + a * np.eye(X.shape[1]), X[:n].T @ y[:n])
        s = np.mean((X[n:] @ w - y[n:]) ** 2)
        scores.append(s)
        best_a = np.where(s < best, a, best_a)
        best = np.minimum(s, best)
    return best_a, np.array(scores)


def bias_variance_bootstrap(preds, y):
    mean_pred = preds.mean(axis=0)
    bias2 = np.mean((mean_pred - y) ** 2)
    var = np.mean(preds.var(axis=0))
    return bias2, var


# ----------------------------------------------------------------------------- group-wise wrangling


def cumcount_by_group(keys):
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    start = np.r_[True, k[1:] != k[:-1]]
    idx = np.arange(len(k))
    group_start = np.maximum.accumulate(np.where(start, idx, 0))
    out = np.empty(len(k), dtype=np.int64)
    out[order] = idx - group_start
    return out


def rank_within_group(keys, vals):
    order = np.lexsort((vals, keys))
    k = keys[order]
    start = np.r_[True, k[1:] != k[:-1]]
    pos = np.arange(len(k))
    first = np.maximum.accumulate(np.where(start, pos, 0))
    rank = np.empty(len(k), dtype=np.int64)
    rank[order] = pos - first + 1
    return rank


def lag_within_group(keys, vals):
    order = np.lexsort((np.arange(len(keys)), keys))
    k, v = keys[order], vals[order]
    prev = np.r_[np.nan, v[:-1]]
    prev[np.r_[True, k[1:] != k[:-1]]] = np.nan
    out = np.empty_like(prev)
    out[order] = prev
    return out


def share_of_group_total(keys, vals, n_groups=4):
    totals = np.bincount(keys, weights=vals, minlength=n_groups)
    return vals / totals[keys]


def group_zscore(keys, vals, n_groups=4):
    n = np.bincount(keys, minlength=n_groups).astype(float)
    mean = np.bincount(keys, vals, n_groups) / np.maximum(n, 1)
    sq = np.bincount(keys, (vals - mean[keys]) ** 2, n_groups) / np.maximum(n, 1)
    return (vals - mean[keys]) / np.sqrt(np.where(sq > 0, sq, 1.0))[keys]


def group_argmax(keys, vals, n_groups=4):
    best = np.full(n_groups, -np.inf)
    np.maximum.at(best, keys, vals)
    is_best = vals == best[keys]
    first = np.full(n_groups, len(keys))
    np.minimum.at(first, keys[is_best], np.flatnonzero(is_best))
    return best, first


def join_sorted_keys(left_keys, right_keys, right_vals):
    order = np.argsort(right_keys)
    rk = right_keys[order]
    pos = np.searchsorted(rk, left_keys)
    pos = np.clip(pos, 0, len(rk) - 1)
    found = rk[pos] == left_keys
    return np.where(found, right_vals[order][pos], np.nan)


def lookup_table_map(codes, table):
    return (table[codes], np.take(table, codes + 2, mode="clip"),
            np.take(table, codes - 7, mode="wrap"))


def resample_sum(x, factor=2):
    n = len(x) // factor * factor
    return x[:n].reshape(-1, factor).sum(axis=1)


def pivot_wide_to_long(W):
    n, m = W.shape
    rows = np.repeat(np.arange(n), m)
    cols = np.tile(np.arange(m), n)
    return np.column_stack([rows, cols, W.ravel()])


def long_to_wide(rows, cols, vals, shape=(3, 4)):
    W = np.full(shape, np.nan)
    W[rows, cols] = vals
    return W


def cut_bins(x, edges=(-1.0, 0.0, 1.0)):
    e = np.asarray(edges)
    codes = np.searchsorted(e, x, side="right")
    counts = np.bincount(codes, minlength=len(e) + 1)
    return codes, counts


def histogram_edges_array(x):
    edges = np.array([-3.0, -1.0, 0.0, 0.5, 3.0])
    h, _ = np.histogram(x, bins=edges)
    return h, np.cumsum(h) / h.sum()


def interpolate_missing(y):
    t = np.arange(len(y))
    ok = ~np.isnan(y)
    out = y.copy()
    out[~ok] = np.interp(t[~ok], t[ok], y[ok])
    return out


def fill_forward_1d(y):
    idx = np.where(np.isnan(y), 0, np.arange(len(y)))
    np.maximum.accumulate(idx, out=idx)
    return y[idx]


def clip_outliers_by_group(keys, vals, n_groups=3, k=1.0):
    mean = np.bincount(keys, vals, n_groups) / np.bincount(keys, minlength=n_groups)
    sq = np.bincount(keys, vals ** 2, n_groups) / np.bincount(keys, minlength=n_groups)
    sd = np.sqrt(np.maximum(sq - mean ** 2, 0))
    lo, hi = mean - k * sd, mean + k * sd
    return np.clip(vals, lo[keys], hi[keys])


def weighted_percentile(x, w, q=50):
    order = np.argsort(x)
    cw = np.cumsum(w[order])
    return x[order][np.searchsorted(cw, q / 100 * cw[-1])]


def dedupe_keep_last_mask(keys):
    order = np.argsort(keys, kind="stable")[::-1]
    k = keys[order]
    keep = np.r_[True, k[1:] != k[:-1]]
    out = np.zeros(len(keys), dtype=bool)
    out[order] = keep
    return out


def running_max_drawup(x):
    run_min = np.minimum.accumulate(x)
    return np.max(x - run_min), np.argmax(x - run_min)


def session_ids(timestamps, gap=1.5):
    new = np.r_[True, np.diff(timestamps) > gap]
    return np.cumsum(new) - 1


# ----------------------------------------------------------------------------- pipelines


def pipeline_scale_pca_knn(X_train, y_train, X_test, k=3, n_components=2):
    mu, sd = X_train.mean(0), X_train.std(0)
    Xtr = (X_train - mu) / sd
    Xte = (X_test - mu) / sd
    _, _, Vt = np.linalg.svd(Xtr, full_matrices=False)
    P = Vt[:n_components].T
    Ztr, Zte = Xtr @ P, Xte @ P
    d = ((Zte[:, None] - Ztr[None]) ** 2).sum(-1)
    nn = np.argsort(d, axis=1)[:, :k]
    votes = np.zeros((len(X_test), 3))
    np.add.at(votes, (np.repeat(np.arange(len(X_test)), k), y_train[nn].ravel()), 1)
    return votes.argmax(1)


def pipeline_split_logreg_auc(X, y, n_iter=15, lr=0.5):
    n = len(X)
    idx = np.arange(n)
    test = idx % 3 == 0
    Xtr, ytr = X[~test], y[~test]
    Xte, yte = X[test], y[test]
    w = np.zeros(X.shape[1])
    for _ in range(n_iter):
        p = 1 / (1 + np.exp(-Xtr @ w))
        w -= lr * Xtr.T @ (p - ytr) / len(ytr)
    s = Xte @ w
    order = np.argsort(s)
    ranks = np.empty_like(order)
    ranks[order] = np.arange(1, len(s) + 1)
    npos = yte.sum()
    return (ranks[yte == 1].sum() - npos * (npos + 1) / 2) / (npos * (len(yte) - npos))


def adaboost_stumps_full(X, y, T=3):
    n, d = X.shape
    w = np.ones(n) / n
    F = np.zeros(n)
    alphas = []
    for _ in range(T):
        best_err, best_pred = np.inf, np.zeros(n)
        for j in range(d):
            for thr in np.sort(X[:, j])[:-1]:
                for s in (1.0, -1.0):
                    pred = np.where(X[:, j] <= thr, s, -s)
                    err = np.sum(w * (pred != y))
                    better = err < best_err
                    best_pred = np.where(better, pred, best_pred)
                    best_err = np.where(better, err, best_err)
        eps = np.clip(best_err, 1e-10, 1 - 1e-10)
        a = 0.5 * np.log((1 - eps) / eps)
        alphas.append(a)
        F += a * best_pred
        w *= np.exp(-a * y * best_pred)
        w /= w.sum()
    return np.sign(F), np.array(alphas)


def gradient_boosting_multi_feature(X, y, n_rounds=2, lr=0.3):
    F = np.full(len(y), y.mean())
    for _ in range(n_rounds):
        r = y - F
        best_gain, best_update = -np.inf, np.zeros_like(F)
        for j in range(X.shape[1]):
            order = np.argsort(X[:, j])
            rs = r[order]
            cs = np.cumsum(rs)[:-1]
            k = np.arange(1, len(y))
            gain = cs ** 2 / k + (rs.sum() - cs) ** 2 / (len(y) - k)
            b = np.argmax(gain)
            thr = X[order[b], j]
            upd = np.where(X[:, j] <= thr, cs[b] / k[b], (rs.sum() - cs[b]) / (len(y) - k[b]))
            better = gain[b] > best_gain
            best_update = np.where(better, upd, best_update)
            best_gain = np.maximum(gain[b], best_gain)
        F = F + lr * best_update
    return F, np.mean((y - F) ** 2)


def random_forest_predict(X, feats, thrs, left_vals, right_vals):
    votes = np.where(X[:, feats] <= thrs, left_vals, right_vals)
    return votes.mean(axis=1), (votes > 0.5).sum(axis=1)


def em_two_coins(heads, n_flips=10, iters=5):
    pA, pB = 0.6, 0.5
    for _ in range(iters):
        la = heads * np.log(pA) + (n_flips - heads) * np.log(1 - pA)
        lb = heads * np.log(pB) + (n_flips - heads) * np.log(1 - pB)
        ra = 1 / (1 + np.exp(lb - la))
        pA = (ra * heads).sum() / (ra * n_flips).sum()
        pB = ((1 - ra) * heads).sum() / ((1 - ra) * n_flips).sum()
    return pA, pB


def hmm_viterbi_log(obs, log_pi, log_A, log_B):
    T, K = len(obs), len(log_pi)
    delta = np.zeros((T, K))
    psi = np.zeros((T, K), dtype=int)
    delta[0] = log_pi + log_B[:, obs[0]]
    for t in range(1, T):
        scores = delta[t - 1][:, None] + log_A
        psi[t] = scores.argmax(0)
        delta[t] = scores.max(0) + log_B[:, obs[t]]
    path = np.zeros(T, dtype=int)
    path[-1] = delta[-1].argmax()
    for t in range(T - 2, -1, -1):
        path[t] = psi[t + 1][path[t + 1]]
    return path, delta[-1].max()


def markov_chain_stationary(P, iters=50):
    pi = np.ones(P.shape[0]) / P.shape[0]
    for _ in range(iters):
        pi = pi @ P
    return pi, np.abs(pi @ P - pi).max()


def apriori_support(T, min_support=0.3):
    item_support = T.mean(axis=0)
    pair = (T.T @ T) / T.shape[0]
    frequent = item_support >= min_support
    pair_ok = pair * np.outer(frequent, frequent)
    np.fill_diagonal(pair_ok, 0)
    conf = pair_ok / np.where(item_support[:, None] > 0, item_support[:, None], 1)
    return item_support, pair_ok, conf


def isolation_score_depths(X, splits_feat, splits_thr):
    depth = np.zeros(len(X))
    alive = np.ones(len(X), dtype=bool)
    for f, t in zip(splits_feat, splits_thr):
        go = X[:, f] <= t
        depth += alive
        alive &= go
    return 2.0 ** (-depth / len(splits_feat))


def softmax_temperature_sampling(logits, u, T=0.7):
    z = logits / T
    z -= z.max(axis=-1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=-1, keepdims=True)
    cdf = np.cumsum(p, axis=-1)
    return (u[:, None] > cdf).sum(axis=-1)

# ----------------------------------------------------------------------------- the tables


def _lab(k, n, s):
    """Labels 0..k-1 with every class present, shuffled by seed."""
    return np.random.default_rng(s).permutation(np.arange(n) % k)


def _pm(n, s):
    return np.where(_lab(2, n, s) == 1, 1.0, -1.0)


def _nan(n, d, s, frac=0.2):
    X = _f(n, d, seed=s)
    r = np.random.default_rng(s + 50).random((n, d)) < frac
    r[0] = False
    X[r] = np.nan
    return X


def _resp(n, k, s):
    r = _f(n, k, seed=s, positive=True)
    return r / r.sum(1, keepdims=True)


def _spd(k, d, s):
    A = _f(k, d, d, seed=s)
    return A @ A.transpose(0, 2, 1) + d * np.eye(d)


def _tree():
    """A depth-2 tree in sklearn's arrays (feature -2 marks a leaf)."""
    return (np.array([0, 1, -2, -2, -2]), np.array([0.0, 0.5, 0, 0, 0]),
            np.array([1, 3, 2, 3, 4]), np.array([2, 4, 2, 3, 4]), np.array([0.0, 1, 2, 3, 4]))


CLUSTER = {
    "kmeans_lloyd": (kmeans_lloyd, {}, lambda s, n: (_f(n + 4, 2, seed=s), _f(3, 2, seed=9))),
    "kmeans_lloyd_f32": (kmeans_lloyd, {"n_iter": 2}, lambda s, n: (
        _f(n + 4, 2, seed=s).astype(np.float32), _f(3, 2, seed=9).astype(np.float32))),
    "kmeans_onehot": (kmeans_onehot, {}, lambda s, n: (_f(n + 4, 3, seed=s), _f(2, 3, seed=s + 3))),
    "kmeans_bincount_update": (kmeans_bincount_update, {"k": 3},
                               lambda s, n: (_f(n + 2, 2, seed=s), _lab(3, n + 2, s))),
    "kmeans_add_at": (kmeans_add_at, {"k": 3}, lambda s, n: (
        _f(n + 2, 2, seed=s), _i(3, n + 2, seed=s))),
    "inertia": (inertia, {}, lambda s, n: (_f(n, 2, seed=s), _f(3, 2), _i(3, n, seed=s))),
    "silhouette_simple": (silhouette_simple, {"k": 2}, lambda s, n: (
        _f(n + 2, 2, seed=s), _lab(2, n + 2, s))),
    "gmm_estep": (gmm_estep, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(3, 2, seed=s + 1), _spd(3, 2, s),
                                                np.array([0.2, 0.3, 0.5]))),
    "gmm_mstep": (gmm_mstep, {}, lambda s, n: (_f(n, 2, seed=s), _resp(n, 3, s))),
    "gmm_mstep_f32": (gmm_mstep, {}, lambda s, n: (_f(n, 2, seed=s).astype(np.float32),
                                                    _resp(n, 3, s).astype(np.float32))),
    "gmm_mstep_einsum": (gmm_mstep_einsum, {}, lambda s, n: (_f(n, 2, seed=s), _resp(n, 3, s))),
    "gmm_diag_em": (gmm_diag_em, {}, lambda s, n: (_f(n + 3, 2, seed=s), _f(2, 2, seed=s + 1),
                                                  np.ones((2, 2)), np.array([0.5, 0.5]))),
    "spectral_laplacian": (spectral_laplacian, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "spectral_laplacian_sigma": (spectral_laplacian, {}, lambda s, n: (_f(n, 2, seed=s), 0.7)),
    "spectral_embedding_vals": (lambda X: spectral_embedding(X)[0], {}, lambda s, n: (
        _f(n, 2, seed=s),)),
    "knn_graph_affinity": (knn_graph_affinity, {}, lambda s, n: (_f(n + 1, 2, seed=s),)),
    "mean_shift_step": (mean_shift_step, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(n, 2, seed=s) + 0.1)),
    "agglomerative_min_pair": (agglomerative_min_pair, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "kmedoids_assign": (kmedoids_assign, {}, lambda s, n: (
        np.abs(_f(n + 3, n + 3, seed=s)), np.array([0, 2]))),
}

REDUCE = {
    "pca_eigh": (pca_eigh, {}, lambda s, n: (_f(n + 4, 3, seed=s),)),
    "pca_svd_signflip": (pca_svd_signflip, {}, lambda s, n: (_f(n + 4, 3, seed=s),)),
    "zca_whiten": (zca_whiten, {}, lambda s, n: (_f(n + 4, 3, seed=s),)),
    "pca_whiten_eigh": (pca_whiten_eigh, {}, lambda s, n: (_f(n + 4, 3, seed=s),)),
    "lda_masked": (lda_masked, {"k": 3}, lambda s, n: (_f(n + 5, 2, seed=s), _lab(3, n + 5, s))),
    "classical_mds": (classical_mds, {}, lambda s, n: (
        np.sqrt(((_f(n, 2, seed=s)[:, None] - _f(n, 2, seed=s)[None]) ** 2).sum(-1)),)),
    "tsne_joint_p_fixed_beta": (tsne_joint_p_fixed_beta, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "tsne_perplexity_search": (tsne_perplexity_search, {}, lambda s, n: (
        ((_f(n + 2, 2, seed=s)[:, None] - _f(n + 2, 2, seed=s)[None]) ** 2).sum(-1),)),
    "tsne_grad": (tsne_grad, {}, lambda s, n: (tsne_joint_p_fixed_beta(_f(n, 3, seed=s)),
                                               _f(n, 2, seed=s + 1))),
    "tsne_update": (tsne_update, {}, lambda s, n: (_f(n, 2, seed=s), _f(n, 2, seed=s + 1),
                                                   _f(n, 2, seed=s + 2), np.ones((n, 2)))),
}

CLASSIFY = {
    "gaussian_nb_fit": (gaussian_nb_fit, {"n_classes": 2}, lambda s, n: (
        _f(n + 4, 3, seed=s), _lab(2, n + 4, s))),
    "gaussian_nb_predict": (gaussian_nb_predict, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(2, 3, seed=s + 1), _f(2, 3, seed=s + 2, positive=True),
        np.array([0.4, 0.6]))),
    "multinomial_nb": (multinomial_nb, {"n_classes": 3}, lambda s, n: (
        _i(5, n + 3, 4, seed=s), _lab(3, n + 3, s))),
    "multinomial_nb_onehot": (multinomial_nb_onehot, {"n_classes": 3},
                              lambda s, n: (_i(5, n + 3, 4, seed=s), _lab(3, n + 3, s))),
    "knn_predict": (knn_predict, {}, lambda s, n: (
        _f(n + 3, 2, seed=s), _lab(3, n + 3, s), _f(n, 2, seed=s + 1))),
    "knn_predict_onehot": (knn_predict_onehot, {}, lambda s, n: (
        _f(n + 3, 2, seed=s), _lab(3, n + 3, s), _f(n, 2, seed=s + 1))),
    "knn_regress": (knn_regress, {}, lambda s, n: (
        _f(n + 3, 2, seed=s), _f(n + 3, seed=s + 2), _f(n, 2, seed=s + 1))),
    "knn_unique_vote": (knn_unique_vote, {}, lambda s, n: (
        _f(n + 3, 2, seed=s), _lab(3, n + 3, s), _f(n, 2, seed=s + 1))),
    "knn_unique_vote_float_labels": (knn_unique_vote, {"k": 4}, lambda s, n: (
        _f(n + 3, 2, seed=s), _lab(3, n + 3, s) * 0.5, _f(n, 2, seed=s + 1))),
    "knn_vote_loop": (knn_vote_loop, {}, lambda s, n: (
        _f(n + 3, 2, seed=s), _lab(3, n + 3, s), _f(n, 2, seed=s + 1))),
    "perceptron": (perceptron, {}, lambda s, n: (_f(n, 2, seed=s), _lab(2, n, s))),
    "perceptron_where": (perceptron_where, {}, lambda s, n: (_f(n, 2, seed=s), _pm(n, s))),
    "svm_hinge_sgd": (svm_hinge_sgd, {}, lambda s, n: (_f(n, 3, seed=s), _pm(n, s))),
    "pegasos": (pegasos, {}, lambda s, n: (_f(n, 3, seed=s), _pm(n, s))),
    "svm_dual_kernel": (svm_dual_kernel, {}, lambda s, n: (
        _f(n, 2, seed=s), _pm(n, s), _f(n, seed=s, positive=True))),
    "multiclass_svm_loss": (multiclass_svm_loss, {}, lambda s, n: (
        _f(3, 4, seed=s), _f(n, 3, seed=s + 1), _i(4, n, seed=s))),
    "softmax_loss_vectorized": (softmax_loss_vectorized, {}, lambda s, n: (
        _f(3, 4, seed=s), _f(n, 3, seed=s + 1), _i(4, n, seed=s))),
    "best_stump": (best_stump, {}, lambda s, n: (_f(n + 2, seed=s), _lab(2, n + 2, s))),
    "entropy_split": (entropy_split, {}, lambda s, n: (_f(n + 2, seed=s), _lab(2, n + 2, s))),
    "gini_impurity": (gini_impurity, {}, lambda s, n: (_i(3, n, seed=s),)),
    "entropy_labels": (entropy_labels, {}, lambda s, n: (_i(3, n, seed=s),)),
    "multiclass_split_scan": (multiclass_split_scan, {}, lambda s, n: (
        _f(n + 2, seed=s), _lab(3, n + 2, s))),
    "stump_all_features": (stump_all_features, {}, lambda s, n: (
        _f(n, 2, seed=s), _pm(n, s), np.full(n, 1 / n))),
    "adaboost_round": (adaboost_round, {"j": 1, "thr": 0.1},
                       lambda s, n: (_f(n, 2, seed=s), _pm(n, s), np.full(n, 1 / n))),
    "adaboost_rounds": (adaboost_rounds, {}, lambda s, n: (_f(n + 1, 2, seed=s), _pm(n + 1, s))),
    "gbm_stumps": (gbm_stumps, {}, lambda s, n: (_f(n + 2, seed=s), _f(n + 2, seed=s + 1))),
    "tree_predict_arrays": (tree_predict_arrays, {}, lambda s, n: (_f(n, 2, seed=s), *_tree())),
}

REGRESS = {
    "ols_normal_eq": (ols_normal_eq, {}, lambda s, n: (
        _f(n + 4, 2, seed=s), _f(n + 4, seed=s + 1))),
    "ols_lstsq": (ols_lstsq, {}, lambda s, n: (_f(n + 4, 2, seed=s), _f(n + 4, seed=s + 1))),
    "ridge_closed": (ridge_closed, {}, lambda s, n: (_f(n + 4, 3, seed=s), _f(n + 4, seed=s + 1))),
    "ridge_closed_alpha": (ridge_closed, {}, lambda s, n: (
        _f(n + 4, 3, seed=s), _f(n + 4, seed=s + 1), 0.3 * s)),
    "ridge_svd": (ridge_svd, {}, lambda s, n: (_f(n + 4, 3, seed=s), _f(n + 4, seed=s + 1))),
    "gradient_descent_linreg": (gradient_descent_linreg, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, seed=s + 1))),
    "sgd_minibatch": (sgd_minibatch, {}, lambda s, n: (
        _f(n + 1, 3, seed=s), _f(n + 1, seed=s + 1))),
    "sgd_minibatch_f32": (sgd_minibatch, {}, lambda s, n: (
        _f(n + 1, 3, seed=s).astype(np.float32), _f(n + 1, seed=s + 1).astype(np.float32))),
    "lasso_cd": (lasso_cd, {}, lambda s, n: (_f(n + 3, 3, seed=s), _f(n + 3, seed=s + 1))),
    "lasso_cd_branchy": (lasso_cd_branchy, {}, lambda s, n: (
        _f(n + 3, 3, seed=s), _f(n + 3, seed=s + 1))),
    "elastic_net_cd": (elastic_net_cd, {}, lambda s, n: (
        _f(n + 3, 3, seed=s), _f(n + 3, seed=s + 1))),
    "ista": (ista, {}, lambda s, n: (_f(n + 3, 3, seed=s), _f(n + 3, seed=s + 1))),
    "logreg_gd": (logreg_gd, {}, lambda s, n: (_f(n, 2, seed=s), _lab(2, n, s))),
    "logreg_newton": (logreg_newton, {}, lambda s, n: (_f(n + 4, 2, seed=s), _lab(2, n + 4, s))),
    "logreg_irls": (logreg_irls, {}, lambda s, n: (
        _f(n + 4, 2, seed=s), _lab(2, n + 4, s).astype(float))),
    "softmax_regression_step": (softmax_regression_step, {"n_classes": 3}, lambda s, n: (
        _f(2, 3, seed=s), np.zeros(3), _f(n, 2, seed=s + 1), _lab(3, n, s))),
    "poly_regression": (poly_regression, {}, lambda s, n: (
        np.linspace(-1, 1, n + 3), _f(n + 3, seed=s))),
    "polyfit_predict": (polyfit_predict, {}, lambda s, n: (
        np.linspace(-1, 1, n + 3), _f(n + 3, seed=s))),
    "huber_irls": (huber_irls, {}, lambda s, n: (_f(n + 4, 2, seed=s), _f(n + 4, seed=s + 1) * 3)),
    "kernel_ridge": (kernel_ridge, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(n, seed=s + 1), _f(3, 2, seed=s + 2))),
    "gp_posterior": (gp_posterior, {}, lambda s, n: (
        np.linspace(0, 3, n), _f(n, seed=s), np.linspace(0, 3, 5) + 0.1)),
    "bayes_linreg": (bayes_linreg, {}, lambda s, n: (_f(n, 2, seed=s), _f(n, seed=s + 1))),
}

RECOMMEND = {
    "mf_sgd_epoch": (mf_sgd_epoch, {}, lambda s, n: (_f(n, 3, seed=s), _i(2, n, 3, seed=s),
                                                     _f(n, 2, seed=s + 1) * .1,
                                                     _f(3, 2, seed=s + 2) * .1)),
    "als_step": (als_step, {}, lambda s, n: (_f(n, 3, seed=s), _i(2, n, 3, seed=s).astype(float),
                                             _f(n, 2, seed=s + 1), _f(3, 2, seed=s + 2))),
    "mf_full_gradient": (mf_full_gradient, {}, lambda s, n: (
        _f(n, 3, seed=s), _i(2, n, 3, seed=s) + (np.arange(3) == 0),
                                                             _f(n, 2, seed=s + 1) * .1,
                                                             _f(3, 2, seed=s + 2) * .1)),
    "item_item_cosine": (item_item_cosine, {}, lambda s, n: (_i(6, n, 4, seed=s).astype(float),)),
    "user_mean_center": (user_mean_center, {}, lambda s, n: (
        _f(n, 3, seed=s), _i(2, n, 3, seed=s))),
    "predict_user_based": (predict_user_based, {}, lambda s, n: (
        _f(n, 3, seed=s), _i(2, n, 3, seed=s), pearson_sim(_f(n, 3, seed=s)))),
    "pearson_sim": (pearson_sim, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "nmf_multiplicative": (nmf_multiplicative, {}, lambda s, n: (
        _f(n, 4, seed=s, positive=True), _f(n, 2, seed=s + 1, positive=True),
        _f(2, 4, seed=s + 2, positive=True))),
}

METRICS = {
    "roc_auc_rank": (roc_auc_rank, {}, lambda s, n: (_lab(2, n + 2, s), _f(n + 2, seed=s))),
    "roc_curve_points": (roc_curve_points, {}, lambda s, n: (_lab(2, n + 2, s), _f(n + 2, seed=s))),
    "auc_pairwise": (auc_pairwise, {}, lambda s, n: (
        _lab(2, n + 2, s), np.round(_f(n + 2, seed=s), 1))),
    "confusion_matrix_add_at": (confusion_matrix_add_at, {}, lambda s, n: (
        _i(3, n, seed=s), _i(3, n, seed=s + 1))),
    "confusion_matrix_bincount": (confusion_matrix_bincount, {}, lambda s, n: (
        _i(3, n, seed=s), _i(3, n, seed=s + 1))),
    "confusion_matrix_loop": (confusion_matrix_loop, {}, lambda s, n: (
        _i(3, n, seed=s), _i(3, n, seed=s + 1))),
    "macro_f1": (macro_f1, {}, lambda s, n: (_i(3, n + 3, seed=s), _i(3, n + 3, seed=s + 1))),
    "accuracy": (accuracy, {}, lambda s, n: (_i(3, n, seed=s), _i(3, n, seed=s + 1))),
    "balanced_accuracy": (balanced_accuracy, {}, lambda s, n: (
        _lab(3, n + 2, s), _i(3, n + 2, seed=s + 1))),
    "log_loss": (log_loss, {}, lambda s, n: (_lab(2, n, s), np.linspace(0, 1, n))),
    "log_loss_f32": (log_loss, {}, lambda s, n: (_lab(2, n, s).astype(np.float32),
                                                 np.linspace(0, 1, n, dtype=np.float32))),
    "categorical_log_loss": (categorical_log_loss, {}, lambda s, n: (
        _i(3, n, seed=s), _resp(n, 3, s))),
    "brier_score": (brier_score, {}, lambda s, n: (_lab(2, n, s), np.linspace(0, 1, n))),
    "regression_metrics": (regression_metrics, {}, lambda s, n: (
        _f(n, seed=s, positive=True), _f(n, seed=s + 1))),
    "explained_variance": (explained_variance, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "matthews_cc": (matthews_cc, {}, lambda s, n: (
        _lab(2, n + 2, s).astype(bool), _i(2, n + 2, seed=s + 1).astype(bool))),
    "top_k_accuracy": (top_k_accuracy, {}, lambda s, n: (_i(4, n, seed=s), _f(n, 4, seed=s))),
    "precision_at_k": (precision_at_k, {}, lambda s, n: (_f(n + 2, seed=s), _i(2, n + 2, seed=s))),
    "ndcg_at_k": (ndcg_at_k, {}, lambda s, n: (
        _i(4, n + 2, seed=s) + (np.arange(n + 2) == 0), _f(n + 2, seed=s))),
    "cohen_kappa": (cohen_kappa, {}, lambda s, n: (_lab(3, n + 2, s), _i(3, n + 2, seed=s))),
    "calibration_bins": (calibration_bins, {}, lambda s, n: (
        _lab(2, n + 3, s), np.linspace(0, 1, n + 3))),
    "hamming_loss": (hamming_loss, {}, lambda s, n: (_i(2, n, 3, seed=s), _i(2, n, 3, seed=s + 1))),
    "jaccard_multilabel": (jaccard_multilabel, {}, lambda s, n: (
        _i(2, n, 3, seed=s), _i(2, n, 3, seed=s + 1))),
}

WRANGLE = {
    "standardize": (standardize, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "standardize_f32": (standardize, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "standardize_inplace": (standardize_inplace, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "standardize_train_test": (standardize_train_test, {}, lambda s, n: (
        np.column_stack([_f(n, 2, seed=s), np.ones(n)]), _f(3, 3, seed=s + 1))),
    "min_max_scale": (min_max_scale, {}, lambda s, n: (
        np.column_stack([_f(n, 2, seed=s), np.ones(n)]),)),
    "min_max_scale_range": (min_max_scale, {"feature_range": (-1, 1)}, lambda s, n: (
        _f(n, 2, seed=s),)),
    "min_max_scale_int": (min_max_scale, {}, lambda s, n: (_i(9, n, 2, seed=s),)),
    "robust_scale": (robust_scale, {}, lambda s, n: (_nan(n + 2, 3, s),)),
    "robust_scale_quantile": (robust_scale_quantile, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "max_abs_scale": (max_abs_scale, {}, lambda s, n: (
        np.column_stack([_f(n, 2, seed=s), np.zeros(n)]),)),
    "l2_normalize_rows": (l2_normalize_rows, {}, lambda s, n: (
        np.vstack([_f(n, 3, seed=s), np.zeros(3)]),)),
    "l1_normalize_rows": (l1_normalize_rows, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "nan_impute_mean": (nan_impute_mean, {}, lambda s, n: (_nan(n + 2, 3, s),)),
    "nan_impute_where": (nan_impute_where, {}, lambda s, n: (_nan(n + 2, 3, s),)),
    "nan_impute_median_copy": (nan_impute_median_copy, {}, lambda s, n: (_nan(n + 2, 3, s),)),
    "nan_impute_loop": (nan_impute_loop, {}, lambda s, n: (_nan(n + 2, 3, s),)),
    "nan_stats": (nan_stats, {}, lambda s, n: (_nan(n + 2, 3, s),)),
    "nan_to_num_fill": (nan_to_num_fill, {}, lambda s, n: (
        np.r_[_nan(n, 1, s).ravel(), np.inf, -np.inf],)),
    "ffill_rows": (ffill_rows, {}, lambda s, n: (_nan(n, 4, s),)),
    "winsorize": (winsorize, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "iqr_outlier_mask": (iqr_outlier_mask, {}, lambda s, n: (np.r_[_f(n * 3, seed=s), 9.0],)),
    "zscore_outliers_replace": (zscore_outliers_replace, {}, lambda s, n: (_f(n + 3, 2, seed=s),)),
    "one_hot_eye": (one_hot_eye, {"n_classes": 4}, lambda s, n: (_i(4, n, seed=s),)),
    "one_hot_scatter": (one_hot_scatter, {"n_classes": 4}, lambda s, n: (_i(4, n, seed=s),)),
    "one_hot_compare": (one_hot_compare, {"n_classes": 4}, lambda s, n: (_i(4, n, seed=s),)),
    "one_hot_put_along": (one_hot_put_along, {"n_classes": 4}, lambda s, n: (_i(4, n, seed=s),)),
    "label_counts_by_inverse": (lambda v: label_counts(v)[3], {}, lambda s, n: (
        _i(4, n + 2, seed=s),)),
    "frequency_encode_unique": (frequency_encode_unique, {}, lambda s, n: (_i(4, n, 2, seed=s),)),
    "frequency_encode_unique_float": (frequency_encode_unique, {}, lambda s, n: (
        np.r_[np.round(_f(n, seed=s)), np.nan, np.nan],)),
    "rare_category_mask": (rare_category_mask, {}, lambda s, n: (_i(5, n + 2, seed=s),)),
    "groupby_sum_fixed": (groupby_sum_fixed, {}, lambda s, n: (_i(4, n, seed=s), _f(n, seed=s))),
    "groupby_max_at": (groupby_max_at, {}, lambda s, n: (_i(4, n, seed=s), _f(n, seed=s))),
    "groupby_min_at": (groupby_min_at, {}, lambda s, n: (_i(4, n, seed=s), _f(n, seed=s))),
    "groupby_multi_col": (groupby_multi_col, {}, lambda s, n: (_i(4, n, seed=s), _f(n, 2, seed=s))),
    "groupby_var": (groupby_var, {}, lambda s, n: (_i(4, n, seed=s), _f(n, seed=s))),
    "group_demean": (group_demean, {}, lambda s, n: (_i(4, n, seed=s), _f(n, seed=s))),
    "pivot_table": (pivot_table, {}, lambda s, n: (
        _i(3, n, seed=s), _i(4, n, seed=s + 1), _f(n, seed=s))),
    "crosstab": (crosstab, {}, lambda s, n: (_i(3, n, seed=s), _i(3, n, seed=s + 1))),
    "rolling_mean_cumsum": (rolling_mean_cumsum, {}, lambda s, n: (_f(n + 3, seed=s),)),
    "rolling_mean_cumsum_int": (rolling_mean_cumsum, {}, lambda s, n: (_i(9, n + 3, seed=s),)),
    "rolling_mean_cumsum_float": (rolling_mean_cumsum_float, {}, lambda s, n: (
        _i(9, n + 3, seed=s),)),
    "rolling_mean_2d": (rolling_mean_2d, {}, lambda s, n: (_f(n + 2, 3, seed=s),)),
    "rolling_std": (rolling_std, {}, lambda s, n: (_f(n + 3, seed=s),)),
    "ewm_mean": (ewm_mean, {}, lambda s, n: (_f(n + 2, seed=s),)),
    "ewm_mean_f32": (ewm_mean, {}, lambda s, n: (_f(n + 2, seed=s).astype(np.float32),)),
    "lag_features": (lag_features, {}, lambda s, n: (_i(9, n + 3, seed=s),)),
    "pct_change": (pct_change, {}, lambda s, n: (_f(n + 2, seed=s, positive=True),)),
    "bin_features": (bin_features, {}, lambda s, n: (_f(n + 3, seed=s),)),
    "quantile_bins": (quantile_bins, {}, lambda s, n: (_f(n + 3, seed=s),)),
    "rank_transform": (rank_transform, {}, lambda s, n: (_f(n, seed=s),)),
    "rank_transform_int": (rank_transform, {}, lambda s, n: (
        np.random.default_rng(s).permutation(n),)),
    "rank_argsort_argsort": (rank_argsort_argsort, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "polynomial_features_deg2": (polynomial_features_deg2, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "interaction_triu": (interaction_triu, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "clip_and_log": (clip_and_log, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "add_bias_column": (add_bias_column, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "add_bias_column_int": (add_bias_column, {}, lambda s, n: (_i(5, n, 2, seed=s),)),
    "mode_per_column": (mode_per_column, {}, lambda s, n: (_i(4, n, 3, seed=s),)),
    "structured_column_stats": (structured_column_stats, {}, lambda s, n: (_nan(n + 2, 3, s),)),
}

SPLITS = {
    "kfold_scores": (kfold_scores, {}, lambda s, n: (_f(n + 2, 2, seed=s), _f(n + 2, seed=s + 1))),
    "kfold_ridge_cv": (kfold_ridge_cv, {}, lambda s, n: (
        _f(n + 4, 2, seed=s), _f(n + 4, seed=s + 1))),
    "loo_mean_residual": (loo_mean_residual, {}, lambda s, n: (_f(n, seed=s),)),
    "batches": (batches, {}, lambda s, n: (_f(n + 3, 2, seed=s), _i(5, n + 3, seed=s))),
    "batch_means_reshape": (batch_means_reshape, {}, lambda s, n: (_f(n + 1, 2, seed=s),)),
    "mlp_train_step": (mlp_train_step, {}, lambda s, n: (
        {"W1": _f(3, 4, seed=s), "b1": np.zeros(4), "W2": _f(4, 3, seed=s + 1), "b2": np.zeros(3)},
        _f(n, 3, seed=s + 2), _i(3, n, seed=s))),
    "momentum_sgd": (momentum_sgd, {}, lambda s, n: (
        np.zeros(2), _f(n, 2, seed=s), _f(n, seed=s + 1), np.zeros(2))),
    "adagrad_logreg": (adagrad_logreg, {}, lambda s, n: (_f(n, 2, seed=s).astype(np.float32),
                                                         _lab(2, n, s).astype(np.float32))),
    "early_stopping_track": (early_stopping_track, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(n, seed=s + 1), _f(3, 2, seed=s + 2), _f(3, seed=s + 3))),
}


@pytest.mark.parametrize("name", list(CLUSTER))
def test_clustering_matches_numpy(name):
    check_like_numpy(*CLUSTER[name])


@pytest.mark.parametrize("name", list(REDUCE))
def test_dimensionality_reduction_matches_numpy(name):
    check_like_numpy(*REDUCE[name])


@pytest.mark.parametrize("name", list(CLASSIFY))
def test_classifiers_match_numpy(name):
    check_like_numpy(*CLASSIFY[name])


@pytest.mark.parametrize("name", list(REGRESS))
def test_regression_matches_numpy(name):
    check_like_numpy(*REGRESS[name])


@pytest.mark.parametrize("name", list(RECOMMEND))
def test_collaborative_filtering_matches_numpy(name):
    check_like_numpy(*RECOMMEND[name])


@pytest.mark.parametrize("name", list(METRICS))
def test_metrics_match_numpy(name):
    check_like_numpy(*METRICS[name])


@pytest.mark.parametrize("name", list(WRANGLE))
def test_wrangling_matches_numpy(name):
    check_like_numpy(*WRANGLE[name])


@pytest.mark.parametrize("name", list(SPLITS))
def test_splits_and_training_loops_match_numpy(name):
    check_like_numpy(*SPLITS[name])


def _sym(d, s):
    A = _f(d, d, seed=s)
    return A @ A.T + d * np.eye(d)


SECOND = {
    "logsumexp_ufunc_reduce": (logsumexp_ufunc_reduce, {}, lambda s, n: (_f(n, 3, seed=s) * 30,)),
    "logsumexp_keepdims": (logsumexp_keepdims, {}, lambda s, n: (_f(n, 3, seed=s) * 30,)),
    "logsumexp_keepdims_axis0": (logsumexp_keepdims, {"axis": 0}, lambda s, n: (
        np.vstack([_f(n, 3, seed=s), np.full(3, -np.inf)]),)),
    "entropy_where": (entropy_where, {}, lambda s, n: (np.c_[_resp(n, 2, s), np.zeros(n)],)),
    "kl_divergence": (kl_divergence, {}, lambda s, n: (np.c_[_resp(n, 2, s), np.zeros(n)] / 1.0,
                                                       _resp(n, 3, s + 1))),
    "softmax_out": (softmax_out, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "softmax_out_f32": (softmax_out, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "clip_out": (clip_out, {}, lambda s, n: (_f(n, 3, seed=s) * 2,)),
    "clip_out_f32": (clip_out, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32) * 2,)),
    "exp_out_inplace": (exp_out_inplace, {}, lambda s, n: (_f(n, seed=s),)),
    "dot_out": (dot_out, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, 2, seed=s + 1))),
    "lda_eigh_generalized": (lda_eigh_generalized, {}, lambda s, n: (_sym(3, s), _sym(3, s + n))),
    "argpartition_topk": (argpartition_topk, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "partition_kth": (partition_kth, {}, lambda s, n: (_f(n + 2, seed=s),)),
    "knn_partition_distance": (knn_partition_distance, {}, lambda s, n: (
        _f(n + 2, 2, seed=s), _f(3, 2, seed=s + 1))),
    "lexsort_groups": (lexsort_groups, {}, lambda s, n: (_i(3, n + 2, seed=s), _f(n + 2, seed=s))),
    "searchsorted_sorter": (searchsorted_sorter, {}, lambda s, n: (
        _f(n, seed=s), _f(5, seed=s + 1))),
    "digitize_right": (digitize_right, {}, lambda s, n: (
        np.round(_f(n + 3, seed=s), 1), np.array([-1.0, -0.5, 0.0, 0.5, 1.0]))),
    "histogram_density": (histogram_density, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "histogram_range_weights": (histogram_range_weights, {}, lambda s, n: (
        _f(n * 3, seed=s), _f(n * 3, seed=s + 1, positive=True))),
    "int_stats": (int_stats, {}, lambda s, n: (_i(10, n + 1, seed=s),)),
    "int32_stats": (int_stats, {}, lambda s, n: (_i(10, n + 1, seed=s).astype(np.int32),)),
    "float32_stats": (float32_stats, {}, lambda s, n: (_f(n + 1, 3, seed=s).astype(np.float32),)),
    "nan_percentile_rows": (nan_percentile_rows, {}, lambda s, n: (_nan(n, 5, s),)),
    "percentile_methods": (percentile_methods, {}, lambda s, n: (_f(n + 3, seed=s),)),
    "percentile_methods_int": (percentile_methods, {}, lambda s, n: (_i(20, n + 3, seed=s),)),
    "bool_counts": (bool_counts, {}, lambda s, n: (_i(2, n, 3, seed=s).astype(bool),)),
    "bool_matmul": (bool_matmul, {}, lambda s, n: (
        _i(2, n, 3, seed=s).astype(bool), _i(2, 3, n, seed=s + 1).astype(bool))),
    "int_matmul": (int_matmul, {}, lambda s, n: (_i(5, n, 3, seed=s), _i(5, 3, 2, seed=s + 1))),
    "int32_matmul": (int_matmul, {}, lambda s, n: (
        _i(5, n, 3, seed=s).astype(np.int32), _i(5, 3, 2, seed=s + 1).astype(np.int32))),
    "nep50_promotion": (nep50_promotion, {}, lambda s, n: (
        _f(n, seed=s).astype(np.float32), _i(9, n, seed=s).astype(np.int32) - 4,
        _i(9, n, seed=s + 1) - 4)),
    "clip_int_float": (clip_int_float, {}, lambda s, n: (_i(5, n, seed=s),)),
    "where_dtypes": (where_dtypes, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "where_dtypes_int": (where_dtypes, {}, lambda s, n: (_i(5, n, seed=s) - 2,)),
    "round_decimals": (round_decimals, {}, lambda s, n: (_f(n, seed=s) * 7,)),
    "round_decimals_f32": (round_decimals, {}, lambda s, n: (
        _f(n, seed=s).astype(np.float32) * 7,)),
    "norms": (norms, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "norms_f32": (norms, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "batched_norms": (batched_norms, {}, lambda s, n: (_f(n, 2, 3, seed=s),)),
    "cov_weighted": (cov_weighted, {}, lambda s, n: (
        _f(n + 2, 3, seed=s), _f(n + 2, seed=s, positive=True))),
    "mahalanobis": (mahalanobis, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, seed=s + 1), _sym(3, s))),
    "mahalanobis_solve": (mahalanobis_solve, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, seed=s + 1), _sym(3, s))),
    "mvn_logpdf": (mvn_logpdf, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, seed=s + 1), _sym(3, s))),
    "mvn_logpdf_batched": (mvn_logpdf_batched, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(3, 2, seed=s + 1), _spd(3, 2, s))),
    "pinv_ols": (pinv_ols, {}, lambda s, n: (_f(n + 2, 3, seed=s), _f(n + 2, seed=s + 1))),
    "det_and_trace": (det_and_trace, {}, lambda s, n: (_f(n, n, seed=s),)),
    "select_piecewise": (select_piecewise, {}, lambda s, n: (_f(n, seed=s) * 2,)),
    "isin_labels": (isin_labels, {}, lambda s, n: (_i(4, n, seed=s),)),
    "setdiff_folds": (setdiff_folds, {}, lambda s, n: (_f(n + 2, 2, seed=s),)),
    "kfold_index_lists": (kfold_index_lists, {}, lambda s, n: (
        _f(n + 4, 2, seed=s), _f(n + 4, seed=s + 1))),
    "stratified_positions": (stratified_positions, {}, lambda s, n: (_lab(2, n, s),)),
    "accumulate_ops": (accumulate_ops, {}, lambda s, n: (_f(n, seed=s),)),
    "accumulate_ops_int": (accumulate_ops, {}, lambda s, n: (_i(9, n, seed=s) - 4,)),
    "diff_forms": (diff_forms, {}, lambda s, n: (_i(9, n, seed=s),)),
    "diff_forms_float": (diff_forms, {}, lambda s, n: (_f(n, seed=s),)),
    "gradient_clipping": (gradient_clipping, {}, lambda s, n: (
        {"W": _f(n, 2, seed=s), "b": _f(2, seed=s + 1)},)),
    "params_update": (params_update, {}, lambda s, n: (
        {"W": _f(n, 2, seed=s), "b": np.zeros(2)},
        {"W": _f(n, 2, seed=s + 1), "b": _f(2, seed=s + 2)})),
    "adam_dict": (adam_dict, {}, lambda s, n: (
        {"W": _f(n, 2, seed=s), "b": np.zeros(2)},
        {"W": _f(n, 2, seed=s + 1), "b": _f(2, seed=s + 2)},
        {"m": {"W": np.zeros((n, 2)), "b": np.zeros(2)},
         "v": {"W": np.zeros((n, 2)), "b": np.zeros(2)}},
        s)),
    "heaviside_sign": (heaviside_sign, {}, lambda s, n: (np.r_[_f(n, seed=s) * 3, 0.0],)),
    "ptp_range": (ptp_range, {}, lambda s, n: (_i(9, n, 3, seed=s),)),
    "kron_outer": (kron_outer, {}, lambda s, n: (_f(n, seed=s), _f(3, seed=s + 1))),
    "triu_pairs": (triu_pairs, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "apply_along": (apply_along, {}, lambda s, n: (_f(n, 3, seed=s, positive=True),)),
    "interp_fill": (interp_fill, {}, lambda s, n: (
        _f(n, seed=s) * 2, np.linspace(-1, 1, 5), _f(5, seed=s + 1))),
    "argmax_bool": (argmax_bool, {}, lambda s, n: (_i(2, n, 3, seed=s).astype(bool),)),
    "unique_static_table": (unique_static_table, {}, lambda s, n: (_i(3, n, seed=s),)),
    "xor_reduce": (xor_reduce, {}, lambda s, n: (_i(2, n, 3, seed=s).astype(bool),)),
    "label_smoothing": (label_smoothing, {}, lambda s, n: (_i(4, n, seed=s),)),
    "cross_entropy_int_labels": (cross_entropy_int_labels, {}, lambda s, n: (
        _f(n, 3, seed=s), _i(3, n, seed=s))),
    "hinge_multiclass": (hinge_multiclass, {}, lambda s, n: (_f(n, 3, seed=s), _i(3, n, seed=s))),
}


@pytest.mark.parametrize("name", list(SECOND))
def test_second_pass_matches_numpy(name):
    """logsumexp by `np.logaddexp.reduce` and with `-inf` rows, `out=` and `where=` forms,
    partitions and lexsorts, percentiles by every method, bool and int products, NEP 50
    promotion of float32/int32 with Python and NumPy scalars, norms, weighted covariances,
    Mahalanobis distances, parameter dicts updated in place, static fold index lists."""
    check_like_numpy(*SECOND[name])


THIRD = {
    "tfidf": (tfidf, {}, lambda s, n: (np.vstack([_i(3, n, 5, seed=s), np.zeros(5, int)]),)),
    "tfidf_plain": (tfidf, {"smooth": False}, lambda s, n: (_i(3, n, 5, seed=s) + 1,)),
    "bag_of_words": (bag_of_words, {}, lambda s, n: (
        _i(3, n * 2, seed=s), _i(5, n * 2, seed=s + 1))),
    "cosine_knn": (cosine_knn, {}, lambda s, n: (_f(n + 2, 3, seed=s), _f(2, 3, seed=s + 1))),
    "pagerank": (pagerank, {}, lambda s, n: (_i(2, n, n, seed=s).astype(float),)),
    "label_propagation": (label_propagation, {}, lambda s, n: (
        _f(n + 2, n + 2, seed=s, positive=True),
        np.eye(2)[_lab(2, n + 2, s)] * (np.arange(n + 2) < 3)[:, None],
        np.arange(n + 2) < 3)),
    "dbscan_core": (dbscan_core, {}, lambda s, n: (_f(n + 3, 2, seed=s),)),
    "lof_scores": (lof_scores, {}, lambda s, n: (_f(n + 2, 2, seed=s),)),
    "dual_cd_svm": (dual_cd_svm, {}, lambda s, n: (_f(n, 2, seed=s), _pm(n, s))),
    "rbf_network": (rbf_network, {}, lambda s, n: (
        _f(n + 4, 2, seed=s), _f(n + 4, seed=s + 1), _f(3, 2, seed=s + 2))),
    "kernel_pca": (kernel_pca, {}, lambda s, n: (_f(n + 2, 2, seed=s),)),
    "poly_kernel_svm_decision": (poly_kernel_svm_decision, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(3, 2, seed=s + 1), _f(3, seed=s + 2), 0.1)),
    "poly_kernel_svm_decision_f32": (poly_kernel_svm_decision, {"degree": 2}, lambda s, n: (
        _f(n, 2, seed=s).astype(np.float32), _f(3, 2, seed=s + 1).astype(np.float32),
        _f(3, seed=s + 2).astype(np.float32), 0.1)),
    "batchnorm_train": (batchnorm_train, {}, lambda s, n: (_f(n, 3, seed=s), {
        "running_mean": np.zeros(3), "running_var": np.ones(3), "gamma": np.ones(3),
        "beta": np.zeros(3)})),
    "confusion_normalized": (confusion_normalized, {}, lambda s, n: (
        _i(2, n, seed=s), _i(3, n, seed=s + 1))),
    "precision_recall_curve": (precision_recall_curve, {}, lambda s, n: (
        _lab(2, n + 2, s), _f(n + 2, seed=s))),
    "ks_statistic": (ks_statistic, {}, lambda s, n: (_f(n + 2, seed=s), _lab(2, n + 2, s))),
    "gain_lift": (gain_lift, {}, lambda s, n: (_lab(2, n + 1, s), _f(n + 1, seed=s))),
    "column_select_and_delete": (column_select_and_delete, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "split_by_sizes": (split_by_sizes, {}, lambda s, n: (_f(n, seed=s),)),
    "nonzero_group_means": (nonzero_group_means, {}, lambda s, n: (
        _f(n + 2, 2, seed=s), _lab(3, n + 2, s))),
    "masked_group_stats": (masked_group_stats, {}, lambda s, n: (
        _f(n + 2, 2, seed=s), _lab(3, n + 2, s))),
    "gaussian_nb_masked_fit": (gaussian_nb_masked_fit, {}, lambda s, n: (
        _f(n + 2, 3, seed=s), _lab(2, n + 2, s))),
    "sort_desc_forms": (sort_desc_forms, {}, lambda s, n: (_i(4, n + 2, seed=s),)),
    "sort_desc_forms_float": (sort_desc_forms, {}, lambda s, n: (
        np.r_[_f(n, seed=s), np.nan, 0.0],)),
    "elbow_inertias": (elbow_inertias, {}, lambda s, n: (_f(n, 2, seed=s), _f(3, 2, seed=s + 1))),
    "sigmoid_stable": (sigmoid_stable, {}, lambda s, n: (_f(n, seed=s) * 40,)),
    "sigmoid_stable_f32": (sigmoid_stable, {}, lambda s, n: (
        _f(n, seed=s).astype(np.float32) * 40,)),
    "bce_with_logits": (bce_with_logits, {}, lambda s, n: (_f(n, seed=s) * 5, _lab(2, n, s))),
    "focal_loss": (focal_loss, {}, lambda s, n: (np.linspace(0, 1, n), _lab(2, n, s))),
    "huber_loss": (huber_loss, {}, lambda s, n: (_f(n, seed=s) * 2, _f(n, seed=s + 1))),
    "quantile_loss": (quantile_loss, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "smoothed_target_encoding": (smoothed_target_encoding, {}, lambda s, n: (
        _i(4, n, seed=s), _f(n, seed=s))),
    "count_encoding": (count_encoding, {}, lambda s, n: (_i(4, n, seed=s),)),
    "frequency_rank_encoding": (frequency_rank_encoding, {}, lambda s, n: (_i(4, n + 3, seed=s),)),
    "hashing_trick": (hashing_trick, {}, lambda s, n: (_i(1000, n, seed=s),)),
    "sliding_features": (sliding_features, {}, lambda s, n: (_f(n + 3, seed=s),)),
    "train_val_test_slices": (train_val_test_slices, {}, lambda s, n: (
        _f(n + 6, 2, seed=s), _i(5, n + 6, seed=s))),
    "class_weights_balanced": (class_weights_balanced, {}, lambda s, n: (_i(3, n, seed=s),)),
    "weighted_logloss_grad": (weighted_logloss_grad, {}, lambda s, n: (
        _f(n, 2, seed=s), _lab(2, n, s), _f(2, seed=s + 1), _f(n, seed=s, positive=True))),
    "rmsprop_steps": (rmsprop_steps, {}, lambda s, n: (
        np.zeros(2), _f(n, 2, seed=s), _f(n, seed=s + 1))),
    "lr_schedule_loop": (lr_schedule_loop, {}, lambda s, n: (
        _f(n, 2, seed=s).astype(np.float32), _f(n, seed=s + 1).astype(np.float32))),
}


@pytest.mark.parametrize("name", list(THIRD))
def test_third_pass_matches_numpy(name):
    """TF-IDF and bag-of-words by `np.add.at`, PageRank and label propagation loops, DBSCAN
    cores, LOF, dual coordinate descent SVMs with scalar writes, kernel PCA, batch norm's
    running statistics in a dict, curves by sorting, group statistics of `X[y == c]`,
    target, count and hashing encodings, and training loops with schedules."""
    check_like_numpy(*THIRD[name])


WRITES = {
    "center_rows_by_iteration": (center_rows_by_iteration, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "relu_rows_enumerate": (relu_rows_enumerate, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "write_through_transpose": (write_through_transpose, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "write_through_reshape_ravel": (write_through_reshape_ravel, {}, lambda s, n: (
        _f(n, 3, seed=s),)),
    "fill_diagonal_of_slices": (fill_diagonal_of_slices, {}, lambda s, n: (_spd(n, 2, s),)),
    "center_columns_loop": (center_columns_loop, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "swap_rows_fancy": (swap_rows_fancy, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "slice_assign_param": (slice_assign_param, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "copyto_param": (copyto_param, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "put_and_putmask": (put_and_putmask, {}, lambda s, n: (_f(n, seed=s) * 2, _i(n, 2, seed=s))),
    "fill_and_sort_inplace": (fill_and_sort_inplace, {}, lambda s, n: (
        _f(n, seed=s), _i(5, n, seed=s))),
    "sort_rows_inplace": (sort_rows_inplace, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "ufunc_out_views": (ufunc_out_views, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "reductions_out": (reductions_out, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "matmul_out_slice": (matmul_out_slice, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, 2, seed=s + 1))),
    "relabel_inplace": (relabel_inplace, {}, lambda s, n: (_lab(2, n, s),)),
    "buffered_increment": (buffered_increment, {}, lambda s, n: (
        np.zeros(4), _i(4, n + 3, seed=s))),
    "duplicate_index_set": (duplicate_index_set, {}, lambda s, n: (
        np.zeros(4), _i(4, n + 3, seed=s),
                                                                   _f(n + 3, seed=s))),
    "duplicate_index_add": (duplicate_index_add, {}, lambda s, n: (
        np.zeros(4), _i(4, n + 3, seed=s),
                                                                   _f(n + 3, seed=s))),
    "duplicate_index_add_2d": (duplicate_index_add, {}, lambda s, n: (
        np.zeros((4, 2)), _i(4, n + 3, seed=s),
                                                                      _f(n + 3, 2, seed=s))),
    "clip_method_out": (clip_method_out, {}, lambda s, n: (_f(n, seed=s),)),
    "dict_of_arrays_inplace": (dict_of_arrays_inplace, {}, lambda s, n: (
        {"W": _f(3, 2, seed=s), "b": np.zeros(3), "history": np.zeros(2)}, _f(n, 3, seed=s + 1))),
    "list_of_arrays_inplace": (list_of_arrays_inplace, {}, lambda s, n: (
        [_f(n, 2, seed=s), _f(2, seed=s + 1)],)),
    "kmeans_centers_inplace": (kmeans_centers_inplace, {}, lambda s, n: (
        _f(n + 2, 2, seed=s), _f(4, 2, seed=s + 1), _i(3, n + 2, seed=s))),
    "argmax_row_write": (argmax_row_write, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "sort_views_in_place": (sort_views_in_place, {}, lambda s, n: (
        _f(n, 4, seed=s), np.int64(s % 3))),
    "put_place_through_views": (put_place_through_views, {}, lambda s, n: (
        _f(n, 4, seed=s), np.int64(1 + s % 3))),
    "last_row_view_after_write": (last_row_view_after_write, {}, lambda s, n: (
        _f(n, 3, seed=s), s % 3)),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_writes_through_views_match_numpy(name):
    """Rows written while iterating, writes through `.T`, `reshape` and `ravel` views, slices
    of a 3-d stack, `w[:] =`, `np.copyto`, `np.put`/`np.putmask`, in-place sorts, `out=` views,
    buffered `x[idx] += v` with repeated indices (the last write wins), dicts and lists of
    parameter arrays, and a row read before its array is written."""
    check_like_numpy(*WRITES[name])


def test_shuffling_rows_of_an_argument_in_place():
    """`rng.shuffle(X)` permutes the caller's rows in place, with NumPy's draws."""
    want_rng, got_rng = np.random.default_rng(2), np.random.default_rng(2)
    jf = tracenp.jit(shuffle_rows_rng)
    for seed, n in ((1, 4), (2, 4), (3, 6)):
        want_X, got_X = _f(n, 2, seed=seed), _f(n, 2, seed=seed)
        assert_same(jf(got_X, got_rng), shuffle_rows_rng(want_X, want_rng))
        assert_same(got_X, want_X)
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


FOURTH = {
    "gmm_loglik_f32": (gmm_loglik_f32, {}, lambda s, n: (
        _f(n, 2, seed=s).astype(np.float32), _f(3, 2, seed=s + 1).astype(np.float32),
        _f(3, 2, seed=s + 2, positive=True).astype(np.float32),
        np.full(3, 1 / 3, dtype=np.float32))),
    "gmm_loglik_f64": (gmm_loglik_f32, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(3, 2, seed=s + 1), _f(3, 2, seed=s + 2, positive=True),
        np.full(3, 1 / 3))),
    "dtype_type_constants": (dtype_type_constants, {}, lambda s, n: (
        _f(n, seed=s).astype(np.float32),)),
    "dtype_type_constants_int": (dtype_type_constants, {}, lambda s, n: (
        _i(5, n, seed=s).astype(np.float16),)),
    "standardize_with_ddof": (standardize_with_ddof, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "standardize_with_ddof_int": (standardize_with_ddof, {}, lambda s, n: (_i(9, n, 3, seed=s),)),
    "cov_by_hand": (cov_by_hand, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "cov_by_hand_f32": (cov_by_hand, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "corr_by_hand": (corr_by_hand, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "whitening_cholesky": (whitening_cholesky, {}, lambda s, n: (_f(n + 4, 3, seed=s),)),
    "explained_variance_ratio": (explained_variance_ratio, {}, lambda s, n: (
        _f(n + 2, 3, seed=s),)),
    "reconstruct_pca": (reconstruct_pca, {}, lambda s, n: (_f(n + 2, 3, seed=s),)),
    "lstsq_residuals": (lstsq_residuals, {}, lambda s, n: (
        _f(n + 3, 2, seed=s), _f(n + 3, seed=s + 1))),
    "qr_regression": (qr_regression, {}, lambda s, n: (
        _f(n + 3, 2, seed=s), _f(n + 3, seed=s + 1))),
    "solve_triangular_like": (solve_triangular_like, {}, lambda s, n: (
        _f(n + 3, 2, seed=s), _f(n + 3, seed=s + 1))),
    "sigmoid_cross_entropy_f32": (sigmoid_cross_entropy_f32, {}, lambda s, n: (
        _f(n, seed=s).astype(np.float32) * 20, _lab(2, n, s).astype(np.float32))),
    "one_vs_rest_scores": (one_vs_rest_scores, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(3, 2, seed=s + 1), _f(3, seed=s + 2))),
    "ranking_loss": (ranking_loss, {}, lambda s, n: (_f(n, seed=s), _i(3, n, seed=s))),
    "spearman_rho": (spearman_rho, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "kendall_tau_naive": (kendall_tau_naive, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "median_absolute_deviation": (median_absolute_deviation, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "trimmed_mean": (trimmed_mean, {}, lambda s, n: (_f(n + 6, seed=s),)),
    "covariance_shrinkage": (covariance_shrinkage, {}, lambda s, n: (_f(n + 2, 3, seed=s),)),
    "distance_correlation_matrix": (distance_correlation_matrix, {}, lambda s, n: (
        _f(n, 2, seed=s),)),
    "cross_val_predict_knn": (cross_val_predict_knn, {}, lambda s, n: (
        _f(n + 2, 2, seed=s), _i(3, n + 2, seed=s))),
    "leave_one_out_knn": (leave_one_out_knn, {}, lambda s, n: (
        _f(n + 2, 2, seed=s), _i(3, n + 2, seed=s))),
    "grid_search_ridge": (grid_search_ridge, {}, lambda s, n: (
        _f(n + 4, 2, seed=s), _f(n + 4, seed=s + 1))),
    "bias_variance_bootstrap": (bias_variance_bootstrap, {}, lambda s, n: (
        _f(5, n, seed=s), _f(n, seed=s + 1))),
}


@pytest.mark.parametrize("name", list(FOURTH))
def test_fourth_pass_matches_numpy(name):
    """float32 mixture log-likelihoods with `np.finfo` constants, `X.dtype.type(...)`,
    covariances and correlations by hand and by NumPy, whitening, PCA reconstruction, QR and
    Cholesky regressions, rank statistics, robust statistics, static cross-validation folds
    by `np.flatnonzero` of index patterns, grid searches tracking the best value."""
    check_like_numpy(*FOURTH[name])


GROUPS = {
    "cumcount_by_group": (cumcount_by_group, {}, lambda s, n: (_i(3, n + 3, seed=s),)),
    "rank_within_group": (rank_within_group, {}, lambda s, n: (
        _i(3, n + 3, seed=s), _f(n + 3, seed=s))),
    "lag_within_group": (lag_within_group, {}, lambda s, n: (
        _i(3, n + 3, seed=s), _f(n + 3, seed=s))),
    "share_of_group_total": (share_of_group_total, {}, lambda s, n: (
        _i(4, n, seed=s), _f(n, seed=s, positive=True))),
    "group_zscore": (group_zscore, {}, lambda s, n: (_i(4, n + 3, seed=s), _f(n + 3, seed=s))),
    "group_argmax": (group_argmax, {}, lambda s, n: (
        _i(4, n + 3, seed=s), np.round(_f(n + 3, seed=s)))),
    "join_sorted_keys": (join_sorted_keys, {}, lambda s, n: (
        _i(8, n, seed=s), np.array([5, 1, 3, 7]), _f(4, seed=s))),
    "lookup_table_map": (lookup_table_map, {}, lambda s, n: (_i(5, n, seed=s), _f(5, seed=s))),
    "resample_sum": (resample_sum, {}, lambda s, n: (_f(n + 3, seed=s),)),
    "pivot_wide_to_long": (pivot_wide_to_long, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "long_to_wide": (long_to_wide, {}, lambda s, n: (
        _i(3, n, seed=s), _i(4, n, seed=s + 1), _f(n, seed=s))),
    "cut_bins": (cut_bins, {}, lambda s, n: (np.r_[_f(n, seed=s), 0.0, 1.0],)),
    "histogram_edges_array": (histogram_edges_array, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "interpolate_missing": (interpolate_missing, {}, lambda s, n: (
        np.r_[1.0, _nan(n, 1, s).ravel(), 2.0],)),
    "fill_forward_1d": (fill_forward_1d, {}, lambda s, n: (np.r_[1.0, _nan(n, 1, s).ravel()],)),
    "clip_outliers_by_group": (clip_outliers_by_group, {}, lambda s, n: (
        _lab(3, n + 3, s), _f(n + 3, seed=s))),
    "weighted_percentile": (weighted_percentile, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s, positive=True))),
    "dedupe_keep_last_mask": (dedupe_keep_last_mask, {}, lambda s, n: (_i(3, n + 2, seed=s),)),
    "running_max_drawup": (running_max_drawup, {}, lambda s, n: (_f(n + 2, seed=s),)),
    "session_ids": (session_ids, {}, lambda s, n: (np.cumsum(_f(n + 2, seed=s, positive=True)),)),
}


@pytest.mark.parametrize("name", list(GROUPS))
def test_group_wise_wrangling_matches_numpy(name):
    """pandas-free group-bys: cumulative counts, ranks and lags within groups by stable sorts
    and `np.lexsort`, shares and z-scores by `np.bincount(weights=)`, group argmax by
    `np.maximum.at`/`np.minimum.at`, joins on sorted keys by `np.searchsorted`, long/wide
    pivots, bins, gap interpolation, weighted percentiles, keep-last dedupe masks, sessions."""
    check_like_numpy(*GROUPS[name])


PIPELINES = {
    "pipeline_scale_pca_knn": (pipeline_scale_pca_knn, {}, lambda s, n: (
        _f(n + 5, 3, seed=s), _lab(3, n + 5, s), _f(n, 3, seed=s + 1))),
    "pipeline_split_logreg_auc": (pipeline_split_logreg_auc, {}, lambda s, n: (
        _f(3 * n, 2, seed=s), np.tile([0, 1, 1, 0, 1, 0], n)[:3 * n])),
    "adaboost_stumps_full": (adaboost_stumps_full, {}, lambda s, n: (_f(n, 2, seed=s), _pm(n, s))),
    "gradient_boosting_multi_feature": (gradient_boosting_multi_feature, {}, lambda s, n: (
        _f(n + 2, 2, seed=s), _f(n + 2, seed=s + 1))),
    "random_forest_predict": (random_forest_predict, {}, lambda s, n: (
        _f(n, 3, seed=s), np.array([0, 2, 1, 0]), _f(4, seed=s + 1), _f(4, seed=s + 2),
        _f(4, seed=s + 3))),
    "em_two_coins": (em_two_coins, {}, lambda s, n: (_i(11, n + 1, seed=s),)),
    "hmm_viterbi_log": (hmm_viterbi_log, {}, lambda s, n: (
        _i(3, n + 2, seed=s), np.log([0.6, 0.4]), np.log([[0.7, 0.3], [0.4, 0.6]]),
        np.log([[0.5, 0.4, 0.1], [0.1, 0.3, 0.6]]))),
    "markov_chain_stationary": (markov_chain_stationary, {}, lambda s, n: (
        _resp(n, n, s),)),
    "apriori_support": (apriori_support, {}, lambda s, n: (_i(2, n + 3, 4, seed=s),)),
    "isolation_score_depths": (isolation_score_depths, {}, lambda s, n: (
        _f(n, 2, seed=s), [0, 1, 0], [0.5, 0.0, -0.5])),
    "softmax_temperature_sampling": (softmax_temperature_sampling, {}, lambda s, n: (
        _f(n, 4, seed=s), np.linspace(0.05, 0.95, n))),
}


@pytest.mark.parametrize("name", list(PIPELINES))
def test_pipelines_match_numpy(name):
    """Whole pipelines (scaling, PCA and a kNN vote by `np.add.at`; a static split, logistic
    regression and AUC by ranks), AdaBoost over every stump, boosting over features, forests
    of stumps, EM for two coins, Viterbi with back-pointers written by traced indices,
    Markov chains, apriori supports, isolation depths and temperature sampling."""
    check_like_numpy(*PIPELINES[name])


# ----------------------------------------------------------------------------- generators

GENERATED = {
    "kmeans_pp_init": (kmeans_pp_init, {"k": 3}, lambda s, n: (_f(n + 3, 2, seed=s),)),
    "kmeans_pp_cumsum": (kmeans_pp_cumsum, {"k": 3}, lambda s, n: (_f(n + 3, 2, seed=s),)),
    "train_test_split_rng": (train_test_split_rng, {}, lambda s, n: (
        _f(n, 2, seed=s), _i(3, n, seed=s))),
    "shuffle_inplace_rng": (shuffle_inplace_rng, {}, lambda s, n: (
        _f(n, 2, seed=s), _i(3, n, seed=s))),
    "bootstrap_means": (bootstrap_means, {}, lambda s, n: (_f(n, seed=s),)),
    "minibatch_sgd_rng": (minibatch_sgd_rng, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(n, seed=s + 1))),
    "random_init_centers": (random_init_centers, {"k": 2}, lambda s, n: (_f(n, 2, seed=s),)),
    "xavier_init": (xavier_init, {}, lambda s, n: ()),
    "dropout_rng": (dropout_rng, {}, lambda s, n: (_f(n, 3, seed=s),)),
}


@pytest.mark.parametrize("name", list(GENERATED))
def test_draws_from_a_generator_argument(name):
    """Seeding, splits, shuffles, bootstraps and mini-batch orders drawn from the generator
    passed in: NumPy's draws and the generator left in NumPy's state, over three calls."""
    fn, static, make = GENERATED[name]
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn, static_argnames=tuple(static))
    for seed, n in ((1, 4), (2, 4), (3, 6)):
        args = make(seed, n)
        assert_same(jf(*args, rng=got_rng, **static), fn(*args, rng=want_rng, **static))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state
    assert jf.cache_info().misses <= 2


# ----------------------------------------------------------------------------- refused forms


def precision_recall_branch(y_true, y_pred):
    return precision_recall_f1(y_true, y_pred)


def test_lda_two_class_by_class_covariances_traces():
    """`np.cov(X[y == k], rowvar=False)`, refused until stop 27: the covariance of the class's
    rows, as NumPy's of the rows given frequency weight 0 elsewhere."""
    check_like_numpy(lda_two_class, {}, lambda s, n: (_f(n + 6, 2, seed=s), _lab(2, n + 6, s)))


REFUSED = {
    "lda_fisher": ("DataDependentShapeError", lda_fisher, {"n_classes": 2},
                   lambda s, n: (_f(n + 4, 3, seed=s), _lab(2, n + 4, s))),
    "bernoulli_nb": ("DataDependentShapeError", bernoulli_nb, {},
                     lambda s, n: (_i(2, n + 2, 3, seed=s), _lab(2, n + 2, s))),
    "precision_recall_branch": ("ConcretizationError", precision_recall_branch, {},
                                lambda s, n: (_lab(2, n, s), _i(2, n, seed=s + 1))),
    "label_encode": ("DataDependentShapeError", label_encode, {}, lambda s, n: (_i(4, n, seed=s),)),
    "dedupe_rows": ("DataDependentShapeError", dedupe_rows, {}, lambda s, n: (
        _i(2, n, 2, seed=s),)),
    "groupby_mean_bincount": ("DataDependentShapeError", groupby_mean_bincount, {},
                              lambda s, n: (_i(4, n, seed=s), _f(n, seed=s))),
    "tsne_binary_search": ("ConcretizationError", tsne_binary_search, {}, lambda s, n: (
        ((_f(n, 2, seed=s)[:, None] - _f(n, 2, seed=s)[None]) ** 2).sum(-1),)),
    "tree_leaf_count": ("DataDependentShapeError", tree_leaf_count, {},
                        lambda s, n: (_f(n + 2, 2, seed=s), _lab(2, n + 2, s))),
    "kmeans_until_converged": ("ConcretizationError", kmeans_until_converged, {},
                               lambda s, n: (_f(n + 3, 2, seed=s), _f(2, 2, seed=s + 1))),
    "early_stop_on_loss": ("ConcretizationError", early_stop_on_loss, {},
                           lambda s, n: (_f(n + 2, 2, seed=s), _f(n + 2, seed=s + 1))),
    "knn_counter_vote": ("ConcretizationError", knn_counter_vote, {},
                         lambda s, n: (_f(n + 2, 2, seed=s), _lab(3, n + 2, s), _f(2, seed=s + 1))),
    "select_classes_present": ("DataDependentShapeError", select_classes_present, {},
                               lambda s, n: (_f(n + 2, 2, seed=s), _lab(3, n + 2, s))),
}


PYTHON_NUMBERS = {
    "losses_as_floats": (losses_as_floats, {}, lambda s, n: (
        _f(n + 2, 2, seed=s), _f(n + 2, seed=s + 1))),
}


@pytest.mark.parametrize("name", list(PYTHON_NUMBERS))
def test_python_numbers_of_traced_values_match_numpy(name):
    """Python numbers of traced values (`float()`, `int()`, `.item()`, `.tolist()`), refused
    before, match NumPy: weak traced scalars the function returns as NumPy's Python numbers."""
    check_like_numpy(*PYTHON_NUMBERS[name])


@pytest.mark.filterwarnings("ignore:Mean of empty slice:RuntimeWarning",
                            "ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_run_under_fallback(name):
    """Class scatter matrices and counts of `X[y == c]` (`len(Xc)`, `Xc.shape[0]`, `Xc.T @`),
    a Python `if` on traced counts, `np.unique` of traced values, whose length is the data's,
    t-SNE's per-row bisection with `break`, recursive tree building, convergence tests,
    `collections.Counter` votes: each is refused by name and
    runs NumPy's code under `fallback=True`."""
    error, fn, static, make = REFUSED[name]
    check_refused(getattr(tracenp.errors, error), functools.partial(fn, **static),
                  lambda s: make(s, 4))


# ----------------------------------------------------------------------------- what was fixed


def diag_by_ranges(Y):
    num = Y @ Y.T
    num[range(len(Y)), range(len(Y))] = 0.
    return num, num[range(len(Y) - 1), range(1, len(Y))], num[range(2)]


def test_range_objects_index_as_sequences():
    """A `range` in a key is a sequence index, as NumPy converts it (t-SNE's
    `num[range(n), range(n)] = 0.`); it was read and written as the slice it spans, so the
    write zeroed the whole matrix and the read had the wrong shape."""
    check_like_numpy(diag_by_ranges, {}, lambda s, n: (_f(n, 2, seed=s),))
    check_like_numpy(lambda Y: Y[range(1, 3)], {}, lambda s, n: (_f(n, 2, seed=s),))


def selected_elements(x):
    s = x[x > 0]
    vals, counts = np.unique(np.round(x), return_counts=True)
    return s[0], s[-1], np.argmax(s), s.argmin(), s[np.argmax(s)], vals[counts.argmin()]


def selected_element_out_of_range(x):
    return x[x > 0][2]


def test_an_element_and_the_argmax_of_a_selection():
    """`x[m][0]`, `x[m][-1]`, `np.argmax(x[m])` and `vals[np.argmax(counts)]` of `np.unique`
    (the kNN majority vote) were refused; they are the element at the k-th True of the mask,
    and outside the selection NumPy's IndexError is raised when the function runs."""
    check_like_numpy(selected_elements, {}, lambda s, n: (np.r_[1.5, _f(n, seed=s), np.nan],))
    jf = tracenp.jit(selected_element_out_of_range)
    assert_same(jf(np.array([1.0, -1, 2, 3])), np.float64(3.0))
    with pytest.raises(IndexError):
        jf(np.array([1.0, -1, 2, -3]))
    with pytest.raises(ValueError):
        tracenp.jit(lambda x: np.argmax(x[x > 0]))(-np.ones(3))


def rows_written_through_traced_scalars(cm, y_true, y_pred, k):
    for t, p in zip(y_true, y_pred):
        cm[t][p] += 1
    row = cm[k]
    row *= 2
    cm[k][:] += 1
    return cm


def zero_d_array_index_copies(x, i):
    row = x[i]
    row[0] = 100.0
    return x, row


def test_a_row_at_a_traced_scalar_is_a_view():
    """`cm[t]` of a traced NumPy scalar `t` (`for t, p in zip(y_true, y_pred)`) or of a Python
    int argument is basic indexing in NumPy, a view: `cm[t][p] += 1` and `row = cm[k]; row *= 2`
    write into `cm`. The row was a gathered copy, so the writes were lost silently. A 0-d
    array index stays NumPy's copy."""
    check_like_numpy(rows_written_through_traced_scalars, {}, lambda s, n: (
        np.zeros((3, 3), dtype=int), _i(3, n, seed=s), _i(3, n, seed=s + 1), s % 3))
    check_like_numpy(zero_d_array_index_copies, {},
                     lambda s, n: (_f(n, 2, seed=s), np.array(s % 3)))
    check_like_numpy(lambda X, i: (X[i].sum(), X[i, 1:]), {},
                     lambda s, n: (_f(n, 3, seed=s), np.int64(1)))


def lda_eig_projection(X, y, n_classes=2, k=1):
    mean_all = X.mean(0)
    d = X.shape[1]
    Sw = np.zeros((d, d))
    Sb = np.zeros((d, d))
    for c in range(n_classes):
        m = (y == c)[:, None]
        nc = m.sum()
        mc = (X * m).sum(0) / nc
        D = (X - mc) * m
        Sw += D.T @ D
        diff = (mc - mean_all)[:, None]
        Sb += nc * diff @ diff.T
    vals, vecs = np.linalg.eig(np.linalg.inv(Sw).dot(Sb))
    idx = np.argsort(np.abs(vals))[::-1]
    return vals[idx], np.abs(X @ vecs[:, idx[:k]])


@pytest.mark.xfail(strict=True, reason="np.linalg.eig of inv(Sw) @ Sb (a product of symmetric "
                   "matrices, not symmetric itself) is traced complex; NumPy's is real because "
                   "every eigenvalue LAPACK finds is real, a dtype that depends on the values "
                   "(documented in docs/numpy_coverage.md)")
def test_lda_by_eig_of_a_product_of_scatter_matrices():
    check_like_numpy(lda_eig_projection, {}, lambda s, n: (_f(n + 4, 3, seed=s), _lab(2, n + 4, s)))


def clip_selected_values(x):
    vals = x[~np.isnan(x)]
    vals[vals > 1] = 1.0
    vals[0] = -2.0
    first = vals.copy()
    first[-1] *= 3
    return vals.mean(), first.sum(), vals.max(), x


def zero_a_column_of_selected_rows(X):
    rows = X[X[:, 0] > 0]
    rows[:, 1] = 0.0
    col = rows[:, 2]
    col[col < 0] = 0
    X[X[:, 0] > 0][:, 0] = 5.0  # a write into NumPy's copy: X keeps its values
    return rows.sum(axis=0), X


def test_writes_into_a_selection():
    """`vals = x[mask]; vals[vals > 1] = 1`, `vals[0] = v` and `rows[:, 1] = 0` write into
    NumPy's copy of the selected elements (never into `x`), then reduce it; they raised
    TypeError ('MaskedSelection' object does not support item assignment)."""
    check_like_numpy(clip_selected_values, {},
                     lambda s, n: (np.r_[1.5, _f(n, seed=s) * 2, np.nan],))
    check_like_numpy(zero_a_column_of_selected_rows, {}, lambda s, n: (
        np.vstack([np.ones(3), _f(n, 3, seed=s)]),))


def test_a_selection_indexed_by_an_integer_array():
    """`counts[inverse]` of `np.unique` (each element's frequency) and `x[m][idx]` are the
    selected elements at those positions, of the index array's shape; they were refused.
    Positions outside the selection raise NumPy's IndexError when the function runs."""
    check_like_numpy(lambda x, i: x[x > 0][i], {}, lambda s, n: (
        np.r_[1.0, 2.0, 3.0, _f(n, seed=s)], np.array([0, -1, 2, 1])))
    with pytest.raises(IndexError):
        tracenp.jit(lambda x, i: x[x > 0][i])(np.array([1.0, -1.0]), np.array([0, 1]))


# ----------------------------------------------------------------------------- estimator classes


class GaussianNBModel:
    def __init__(self, n_classes=2):
        self.n_classes = n_classes

    def fit(self, X, y):
        self.theta = np.zeros((self.n_classes, X.shape[1]))
        self.var = np.zeros_like(self.theta)
        self.prior = np.zeros(self.n_classes)
        for c in range(self.n_classes):
            m = y == c
            self.theta[c] = X[m].mean(axis=0)
            self.var[c] = X[m].var(axis=0) + 1e-9
            self.prior[c] = m.mean()

    def predict_log_proba(self, X):
        ll = -0.5 * (np.log(2 * np.pi * self.var)[None] +
                     (X[:, None] - self.theta[None]) ** 2 / self.var[None]).sum(-1)
        jll = ll + np.log(self.prior)
        return jll - np.logaddexp.reduce(jll, axis=1, keepdims=True)


class KMeansModel:
    def __init__(self, k=3, n_iter=4):
        self.k, self.n_iter = k, n_iter

    def fit(self, X, init):
        self.cluster_centers_ = init.copy()
        for _ in range(self.n_iter):
            d = ((X[:, None] - self.cluster_centers_[None]) ** 2).sum(-1)
            self.labels_ = d.argmin(1)
            for j in range(self.k):
                m = self.labels_ == j
                self.cluster_centers_[j] = np.where(
                    m.any(), (X * m[:, None]).sum(0) / np.maximum(m.sum(), 1),
                    self.cluster_centers_[j])
        self.inertia_ = d.min(1).sum()


class LogisticModel:
    def __init__(self, lr=0.5, n_iter=10):
        self.lr, self.n_iter = lr, n_iter
        self.w = None

    def fit(self, X, y):
        self.w = np.zeros(X.shape[1])
        self.b = 0.0
        self.losses = []
        for _ in range(self.n_iter):
            p = 1 / (1 + np.exp(-(X @ self.w + self.b)))
            self.losses.append(-np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))
            self.w -= self.lr * X.T @ (p - y) / len(y)
            self.b -= self.lr * np.mean(p - y)

    def predict_proba(self, X):
        return 1 / (1 + np.exp(-(X @ self.w + self.b)))


def _jitted(cls, *names):
    """The class with the named methods under `tracenp.jit`, as `@tracenp.jit` writes it."""
    return type("Jit" + cls.__name__, (cls,), {n: tracenp.jit(getattr(cls, n)) for n in names})


ESTIMATORS = {
    "gaussian_nb": (GaussianNBModel, {}, "predict_log_proba",
                    lambda s, n: (_f(n + 4, 3, seed=s), _lab(2, n + 4, s))),
    "kmeans": (KMeansModel, {"k": 2}, None, lambda s, n: (
        _f(n + 4, 2, seed=s), _f(2, 2, seed=s + 1))),
    "logistic": (LogisticModel, {}, "predict_proba", lambda s, n: (
        _f(n + 2, 2, seed=s), _lab(2, n + 2, s))),
}


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_estimator_methods_match_numpy(name):
    """sklearn-style estimators with a jitted `fit` that assigns `self.coef_`-like attributes
    (lists of losses too) and a jitted prediction reading them: NumPy's attributes and
    predictions over three fits, two shapes."""
    cls, kw, predict, make = ESTIMATORS[name]
    jit_cls = _jitted(cls, "fit", *([predict] if predict else []))
    for seed, size in ((1, 4), (2, 4), (3, 6)):
        args = make(seed, size)
        want, got = cls(**kw), jit_cls(**kw)
        want.fit(*args)
        got.fit(*args)
        assert_same({k: v for k, v in vars(got).items()}, {k: v for k, v in vars(want).items()})
        if predict:
            assert_same(getattr(got, predict)(args[0]), getattr(want, predict)(args[0]))


class RidgeReturningSelf:
    def __init__(self, alpha=1.0):
        self.alpha = alpha

    @tracenp.jit
    def fit(self, X, y):
        self.coef_ = np.linalg.solve(X.T @ X + self.alpha * np.eye(X.shape[1]), X.T @ y)
        return self


def test_fit_returning_self():
    """A jitted method returning `self` (scikit-learn's `fit`, `return self, loss`) returns
    the instance it was called on, with the state the call wrote (it returned the traced
    copy, refused as a result holding traced arrays)."""
    X, y = _f(6, 2), _f(6, seed=1)
    est = RidgeReturningSelf(0.5)
    model = est.fit(X, y)
    assert model is est
    assert_same(model.coef_, np.linalg.solve(X.T @ X + 0.5 * np.eye(2), X.T @ y))
    assert est.fit(X, 2 * y) is est
    assert_same(est.coef_, np.linalg.solve(X.T @ X + 0.5 * np.eye(2), X.T @ (2 * y)))

    class Accumulator:
        def __init__(self):
            self.w = np.zeros(2)

        @tracenp.jit
        def step(self, x):
            self.w = self.w + x
            return self, self.w.sum()

    acc = Accumulator()
    for k in range(3):
        same, total = acc.step(X[k])
        assert same is acc and np.isclose(total, X[:k + 1].sum(), rtol=1e-12)


def ufunc_at_slices(c, v):
    np.add.at(c, (slice(None), slice(1, 3)), v)
    np.subtract.at(c, Ellipsis, 1)
    np.maximum.at(c, slice(None), 0.5)
    return c


def test_ufunc_at_with_slices_only():
    """`np.add.at(x, (slice(None), slice(1, 3)), v)`: slices repeat no index, so it is
    `x[key] += v`; it was refused by name ("np.ufunc.at with only slices")."""
    check_like_numpy(ufunc_at_slices, {}, lambda s, n: (_f(n, 3, seed=s), _f(2, seed=s + 1)))


def cholesky_with_jitter(K):
    try:
        L = np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        L = np.linalg.cholesky(K + 1e-1 * np.eye(K.shape[0]))
    return L


def first_positive_or_default(x):
    try:
        v = x[x > 0][0]
    except IndexError:
        v = -1.0
    return v


def inverse_under_errstate(A):
    with np.errstate(all="ignore"):
        return np.linalg.inv(A)


def _not_pd(s):
    return np.diag([1.0, -0.02 * s, 2.0])


@pytest.mark.parametrize("fn, make", [
    (cholesky_with_jitter, lambda s: (_not_pd(s),)),
    (first_positive_or_default, lambda s: (-np.ones(3) * s,)),
])
def test_numpy_errors_caught_by_the_traced_code_are_refused(fn, make):
    """`try: np.linalg.cholesky(K) except np.linalg.LinAlgError: ...` (jitter retries) and
    `except IndexError`: NumPy takes the except branch for some values, but an error the
    compiled function raises when it runs cannot reach it, so jit raised LinAlgError where
    NumPy returns a value. Such calls inside try/except are refused by name (fallback=True
    runs NumPy's code); a `with` block is no try."""
    check_refused(tracenp.errors.ConcretizationError, fn, make)
    check_like_numpy(inverse_under_errstate, {}, lambda s, n: (_spd(1, n, s)[0],))


def spectral_by_eig(X, k=2):
    D2 = ((X[:, None] - X[None]) ** 2).sum(-1)
    W = np.exp(-D2 / 2)
    np.fill_diagonal(W, 0)
    L = np.diag(W.sum(axis=1)) - W
    vals, vecs = np.linalg.eig(L)
    order = np.argsort(vals)
    return vals[order], np.abs(vecs[:, order[1:k + 1]])


def normalized_laplacian_eigvals(X):
    W = np.exp(-((X[:, None] - X[None]) ** 2).sum(-1))
    d = W.sum(1)
    L_sym = np.eye(len(X)) - W / np.sqrt(d)[:, None] / np.sqrt(d)[None, :]
    return np.sort(np.linalg.eigvals(L_sym))


def laplacian_by_squared_norms(X):
    sq = np.sum(X ** 2, axis=1)
    W = np.exp(-(sq[:, None] + sq[None, :] - 2 * X @ X.T) / 2)
    d = W.sum(1)
    return np.sort(np.linalg.eigvals(np.eye(len(X)) - W / np.sqrt(np.outer(d, d))))


def kernel_eig_by_distances(X):
    D = np.abs(X[:, np.newaxis, :] - X[np.newaxis, :, :]).sum(axis=2)
    K = np.exp(-D) + 0.5 * np.eye(len(X))
    return np.sort(np.linalg.eigvals(K)), np.sort(np.linalg.eigvals(np.dot(-2 * X.T, X) / 3))


@pytest.mark.parametrize("fn", [spectral_by_eig, normalized_laplacian_eigvals,
                                kernel_eig_by_distances])
def test_eig_of_laplacians_built_from_distances(fn):
    """`np.linalg.eig` of graph Laplacians and kernels built from `((X[:, None] - X[None]) **
    2).sum(-1)` or absolute differences, and of `-2 * X.T @ X`: symmetric by construction, so
    real as NumPy's; they were traced complex (the symmetry proof knew `X @ X.T` only)."""
    check_like_numpy(fn, {}, lambda s, n: (_f(n + 1, 2, seed=s),))


def test_eig_of_a_laplacian_built_from_outer_products():
    """Symmetric but outside the symmetry proof (rank-1 and rank-2 outer products): real, as
    the traced call's eigenvalues are (stop 38; it was traced complex)."""
    check_like_numpy(laplacian_by_squared_norms, {}, lambda s, n: (_f(n + 1, 2, seed=s),))


def legacy_random_split(X, y, test_frac=0.25):
    idx = np.arange(len(X))
    np.random.shuffle(idx)
    n_test = int(len(X) * test_frac)
    te, tr = idx[:n_test], idx[n_test:]
    boot = np.random.choice(len(tr), len(tr), replace=True)
    noise = np.random.randn(*X[tr].shape) * 0.01
    return X[tr][boot] + noise, y[tr][boot], X[te], np.random.randint(0, 3, size=2)


def test_the_legacy_global_random_state():
    """Splits, bootstraps and noise from `np.random.shuffle`/`choice`/`randn`/`randint`: the
    same draws as NumPy's from the global state, which is left where NumPy leaves it."""
    jf = tracenp.jit(legacy_random_split)
    for seed, n in ((1, 8), (2, 8), (3, 12)):
        X, y = _f(n, 2, seed=seed), _i(3, n, seed=seed)
        np.random.seed(seed)
        want = legacy_random_split(X, y)
        want_state = np.random.get_state()[1].copy()
        np.random.seed(seed)
        assert_same(jf(X, y), want)
        assert (np.random.get_state()[1] == want_state).all()
    assert jf.cache_info().misses <= 2


def class_ranges(X, y, k=3):
    return np.array([np.ptp(X[y == c], axis=0) for c in range(k)]), np.ptp(X[y == 0, 0])


def test_ptp_of_a_selection():
    """`np.ptp(X[y == c], axis=0)`, a per-class feature range, is max minus min of the
    selection; it was refused."""
    check_like_numpy(class_ranges, {}, lambda s, n: (_f(n + 3, 2, seed=s), _lab(3, n + 3, s)))
    check_like_numpy(class_ranges, {}, lambda s, n: (_i(9, n + 3, 2, seed=s).astype(np.uint8),
                                                     _lab(3, n + 3, s)))
