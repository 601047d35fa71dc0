"""Corpus, ML and data analysis: scikit-learn-style preprocessing and metrics, NumPy neural
networks by hand, statistics, finance, and `tracenp.grad` of such losses, written the way
public code writes them.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape, under `tracenp.jit`, and must match eager NumPy in value and
dtype. Functions whose result shape depends on the data run under `fallback=True` and must
give NumPy's values with one `TracingFallbackWarning`.
"""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_against_numpy
from test_grad_losses import check_loss
from test_ops import assert_same

# ----------------------------------------------------------------------------- preprocessing


def robust_scale(X):
    q1, med, q3 = np.percentile(X, [25, 50, 75], axis=0)
    iqr = q3 - q1
    iqr[iqr == 0.0] = 1.0
    return (X - med) / iqr


def max_abs_scale(X):
    scale = np.abs(X).max(axis=0)
    scale[scale == 0] = 1
    return X / scale


def normalize_l1(X):
    norms = np.abs(X).sum(axis=1)
    norms[norms == 0] = 1
    return X / norms[:, np.newaxis]


def standardize_ddof1(X):
    mean = X.mean(axis=0)
    std = X.std(axis=0, ddof=1)
    return (X - mean) / np.where(std > 0, std, 1.0)


def add_dummy_feature(X, value=1.0):
    n = X.shape[0]
    return np.hstack((np.full((n, 1), value), X))


def binarize(X, threshold=0.0):
    X = X.copy()
    cond = X > threshold
    not_cond = np.logical_not(cond)
    X[cond] = 1
    X[not_cond] = 0
    return X


def label_binarize(y, classes):
    classes = np.asarray(classes)
    Y = (y[:, None] == classes[None, :]).astype(int)
    if len(classes) == 2:
        Y = Y[:, -1].reshape(-1, 1)
    return Y


def one_hot_eye(y, num_classes):
    return np.eye(num_classes)[y]


def one_hot_put(y, num_classes):
    out = np.zeros((y.size, num_classes), dtype=np.float32)
    out[np.arange(y.size), y] = 1.0
    return out


def kbins_uniform(x, n_bins=4):
    edges = np.linspace(x.min(), x.max(), n_bins + 1)
    eps = 1e-8
    idx = np.searchsorted(edges[1:-1], x + eps, side="right")
    return np.clip(idx, 0, n_bins - 1)


def polynomial_degree2(X):
    n, d = X.shape
    cols = [np.ones(n), *X.T]
    for i in range(d):
        for j in range(i, d):
            cols.append(X[:, i] * X[:, j])
    return np.column_stack(cols)


def simple_impute_median(X):
    X = X.copy()
    med = np.nanmedian(X, axis=0)
    inds = np.where(np.isnan(X))
    X[inds] = np.take(med, inds[1])
    return X


def shuffle_split(X, y, test_size=0.25):
    rng = np.random.default_rng(42)
    idx = rng.permutation(len(X))
    n_test = int(len(X) * test_size)
    return X[idx[n_test:]], X[idx[:n_test]], y[idx[n_test:]], y[idx[:n_test]]


# ----------------------------------------------------------------------------- metrics


def accuracy_score(y_true, y_pred, normalize=True):
    score = y_true == y_pred
    if normalize:
        return np.average(score)
    return score.sum()


def confusion_matrix_bincount(y_true, y_pred, n_classes):
    idx = y_true * n_classes + y_pred
    return np.bincount(idx, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def confusion_matrix_add_at(y_true, y_pred, n_classes):
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def precision_recall_f1(y_true, y_pred, n_classes=3):
    cm = np.zeros((n_classes, n_classes))
    np.add.at(cm, (y_true, y_pred), 1)
    tp = np.diag(cm)
    precision = tp / np.maximum(cm.sum(axis=0), 1)
    recall = tp / np.maximum(cm.sum(axis=1), 1)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(denom), where=denom != 0)
    return precision, recall, f1, f1.mean()


def binary_precision_recall(y_true, scores, threshold=0.5):
    y_pred = (scores >= threshold).astype(int)
    tp = np.sum((y_pred == 1) & (y_true == 1))
    fp = np.sum((y_pred == 1) & (y_true == 0))
    fn = np.sum((y_pred == 0) & (y_true == 1))
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn)
    return precision, recall


def roc_auc_rank(y_true, scores):
    order = np.argsort(scores)
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    n_pos = np.sum(y_true == 1)
    n_neg = len(y_true) - n_pos
    return (ranks[y_true == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def roc_curve_points(y_true, scores):
    desc = np.argsort(scores, kind="mergesort")[::-1]
    y = y_true[desc]
    tps = np.cumsum(y)
    fps = np.cumsum(1 - y)
    tpr = np.r_[0, tps] / tps[-1]
    fpr = np.r_[0, fps] / fps[-1]
    return fpr, tpr, np.trapezoid(tpr, fpr)


def log_loss_multiclass(y_true, proba, eps=1e-15):
    proba = np.clip(proba, eps, 1 - eps)
    proba /= proba.sum(axis=1)[:, np.newaxis]
    return -np.mean(np.log(proba[np.arange(len(y_true)), y_true]))


def r2_multioutput(y_true, y_pred):
    ss_res = ((y_true - y_pred) ** 2).sum(axis=0, dtype=np.float64)
    ss_tot = ((y_true - np.average(y_true, axis=0)) ** 2).sum(axis=0, dtype=np.float64)
    r2 = 1 - ss_res / ss_tot
    return np.average(r2), r2


def regression_errors(y_true, y_pred):
    err = y_true - y_pred
    mae = np.mean(np.abs(err))
    mse = np.mean(err ** 2)
    rmse = np.sqrt(mse)
    mape = np.mean(np.abs(err / y_true)) * 100
    medae = np.median(np.abs(err))
    evs = 1 - np.var(err) / np.var(y_true)
    return {"mae": mae, "mse": mse, "rmse": rmse, "mape": mape, "medae": medae, "evs": evs}


def top_k_accuracy(scores, y, k=2):
    topk = np.argsort(scores, axis=1)[:, -k:]
    return np.mean(np.any(topk == y[:, None], axis=1))


def matthews_corrcoef(y_true, y_pred):
    tp = np.sum(y_true & y_pred)
    tn = np.sum(~y_true & ~y_pred)
    fp = np.sum(~y_true & y_pred)
    fn = np.sum(y_true & ~y_pred)
    num = tp * tn - fp * fn
    den = np.sqrt(float((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)))
    return num / den if den else 0.0


def brier_and_hinge(y, p):
    brier = np.mean((p - y) ** 2)
    margin = (2 * y - 1) * (2 * p - 1)
    hinge = np.mean(np.maximum(0, 1 - margin))
    return brier, hinge


# ----------------------------------------------------------------------------- kernels, neighbours


def polynomial_kernel(X, Y, degree=3, gamma=None, coef0=1):
    if gamma is None:
        gamma = 1.0 / X.shape[1]
    K = np.dot(X, Y.T)
    K *= gamma
    K += coef0
    K **= degree
    return K


def laplacian_kernel(X, Y, gamma=0.5):
    d = np.abs(X[:, np.newaxis, :] - Y[np.newaxis, :, :]).sum(axis=-1)
    return np.exp(-gamma * d)


def manhattan_argmin(X, C):
    d = np.sum(np.abs(X[:, None] - C[None]), axis=2)
    return d.argmin(axis=1), d.min(axis=1)


def knn_predict(X_train, y_train, X_test, k=3):
    d = ((X_test[:, None, :] - X_train[None, :, :]) ** 2).sum(-1)
    nn = np.argpartition(d, k, axis=1)[:, :k]
    votes = y_train[nn]
    counts = np.zeros((X_test.shape[0], 3), dtype=int)
    for c in range(3):
        counts[:, c] = (votes == c).sum(axis=1)
    return counts.argmax(axis=1)


def knn_regress_sorted(X_train, y_train, X_test, k=2):
    d = np.linalg.norm(X_test[:, np.newaxis] - X_train, axis=2)
    idx = np.argsort(d, axis=1)[:, :k]
    w = 1.0 / (np.take_along_axis(d, idx, axis=1) + 1e-9)
    return (y_train[idx] * w).sum(axis=1) / w.sum(axis=1)


def kmeans_lloyd(X, centers, n_iter=4):
    k = centers.shape[0]
    for _ in range(n_iter):
        d = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
        labels = np.argmin(d, axis=1)
        onehot = labels[:, None] == np.arange(k)
        counts = onehot.sum(axis=0)
        sums = onehot.T.astype(X.dtype) @ X
        centers = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centers)
    inertia = d[np.arange(len(X)), labels].sum()
    return centers, labels, inertia


def kmeans_pp_init(X, k=3):
    rng = np.random.default_rng(0)
    centers = [X[rng.integers(len(X))]]
    for _ in range(1, k):
        d2 = np.min(((X[:, None] - np.array(centers)[None]) ** 2).sum(-1), axis=1)
        probs = d2 / d2.sum()
        cum = np.cumsum(probs)
        r = rng.random()
        centers.append(X[np.searchsorted(cum, r)])
    return np.array(centers)


def pca_eigh(X, n_components=2):
    Xc = X - X.mean(axis=0)
    cov = Xc.T @ Xc / (X.shape[0] - 1)
    vals, vecs = np.linalg.eigh(cov)
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    ratio = vals / vals.sum()
    return np.abs(Xc @ vecs[:, :n_components]), ratio[:n_components]


def pca_svd_flip(X, n_components=2):
    Xc = X - np.mean(X, axis=0)
    U, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    max_abs_cols = np.argmax(np.abs(U), axis=0)
    signs = np.sign(U[max_abs_cols, range(U.shape[1])])
    U *= signs
    Vt *= signs[:, np.newaxis]
    explained_variance = (S ** 2) / (X.shape[0] - 1)
    return U[:, :n_components] * S[:n_components], explained_variance[:n_components]


def lda_two_class(X, y):
    m0 = X[y == 0].mean(axis=0)
    m1 = X[y == 1].mean(axis=0)
    Sw = np.cov(X.T) * (len(X) - 1)
    w = np.linalg.solve(Sw + 1e-3 * np.eye(X.shape[1]), m1 - m0)
    return w / np.linalg.norm(w)


def gaussian_nb_predict(X, means, variances, priors):
    log_prior = np.log(priors)
    jll = []
    for i in range(means.shape[0]):
        n_ij = -0.5 * np.sum(np.log(2.0 * np.pi * variances[i, :]))
        n_ij -= 0.5 * np.sum(((X - means[i, :]) ** 2) / (variances[i, :]), 1)
        jll.append(log_prior[i] + n_ij)
    jll = np.array(jll).T
    return np.argmax(jll, axis=1), jll


def kmeans_bincount_update(X, centers):
    k = len(centers)
    labels = np.argmin(((X[:, np.newaxis] - centers) ** 2).sum(axis=2), axis=1)
    counts = np.bincount(labels, minlength=k)
    new = np.empty_like(centers)
    for j in range(X.shape[1]):
        new[:, j] = np.bincount(labels, weights=X[:, j], minlength=k)
    new /= np.maximum(counts, 1)[:, None]
    return np.where(counts[:, None] > 0, new, centers), counts


def hashing_trick(tokens, n_features=8):
    idx = np.abs(tokens * 2654435761) % n_features
    return np.bincount(idx, minlength=n_features).astype(np.float64)


def quantile_bin_counts(x, n_bins=4):
    edges = np.quantile(x, np.linspace(0, 1, n_bins + 1)[1:-1])
    return np.bincount(np.digitize(x, edges), minlength=n_bins)


def class_log_likelihood_sums(X, means):
    score = -0.5 * np.sum(means ** 2)
    score -= 0.5 * np.sum((X[:, None, :] - means[None]) ** 2, axis=(1, 2))
    total = 0
    for row in means:
        total += row
    count = np.sum(X > 0)
    count /= X.size
    return score, total, count


# ----------------------------------------------------------------------------- neural networks


def dense_relu_backward(dout, x, W, b):
    z = x @ W + b
    dz = dout.copy()
    dz[z <= 0] = 0
    dW = x.T @ dz
    db = np.sum(dz, axis=0)
    dx = dz @ W.T
    return dx, dW, db


def softmax_ce_backward(logits, y):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= np.sum(probs, axis=1, keepdims=True)
    n = logits.shape[0]
    loss = -np.sum(np.log(probs[np.arange(n), y])) / n
    dx = probs.copy()
    dx[np.arange(n), y] -= 1
    dx /= n
    return loss, dx


def two_layer_forward_backward(X, y, params, reg=1e-3):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h = np.maximum(0, X.dot(W1) + b1)
    scores = h.dot(W2) + b2
    scores -= scores.max(axis=1, keepdims=True)
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    N = X.shape[0]
    loss = -np.log(p[range(N), y]).mean() + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    dscores = p
    dscores[range(N), y] -= 1
    dscores /= N
    grads = {"W2": h.T.dot(dscores) + 2 * reg * W2, "b2": dscores.sum(axis=0)}
    dh = dscores.dot(W2.T)
    dh[h <= 0] = 0
    grads["W1"] = X.T.dot(dh) + 2 * reg * W1
    grads["b1"] = np.sum(dh, axis=0)
    return loss, grads


def sgd_momentum(params, grads, velocity, lr=0.1, mu=0.9):
    new_params, new_vel = {}, {}
    for k in params:
        v = mu * velocity[k] - lr * grads[k]
        new_vel[k] = v
        new_params[k] = params[k] + v
    return new_params, new_vel


def adam_dict(params, grads, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    out = {}
    for key in params:
        m[key] = beta1 * m[key] + (1 - beta1) * grads[key]
        v[key] = beta2 * v[key] + (1 - beta2) * (grads[key] ** 2)
        m_hat = m[key] / (1 - beta1 ** t)
        v_hat = v[key] / (1 - beta2 ** t)
        out[key] = params[key] - lr * m_hat / (np.sqrt(v_hat) + eps)
    return out, m, v


def rmsprop_inplace(w, g, cache, lr=1e-2, decay=0.99, eps=1e-8):
    cache *= decay
    cache += (1 - decay) * g ** 2
    w -= lr * g / (np.sqrt(cache) + eps)
    return w, cache


def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.9, eps=1e-5):
    sample_mean = x.mean(axis=0)
    sample_var = x.var(axis=0)
    x_hat = (x - sample_mean) / np.sqrt(sample_var + eps)
    out = gamma * x_hat + beta
    running_mean = momentum * running_mean + (1 - momentum) * sample_mean
    running_var = momentum * running_var + (1 - momentum) * sample_var
    return out, running_mean, running_var


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    N = x.shape[0]
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    dx = (1.0 / N) / np.sqrt(var + eps) * (N * dxhat - dxhat.sum(axis=0)
                                           - xhat * np.sum(dxhat * xhat, axis=0))
    return dx, dgamma, dbeta


def dropout_seeded(x, p=0.5):
    rng = np.random.default_rng(123)
    mask = (rng.random(x.shape) < p) / p
    return x * mask, mask


def dropout_randomstate(x, p=0.3):
    rs = np.random.RandomState(7)
    mask = rs.binomial(1, 1 - p, size=x.shape)
    return x * mask / (1 - p)


def conv2d_im2col_stride(x, w, b, stride=2, pad=1):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    Ho = 1 + (H + 2 * pad - HH) // stride
    Wo = 1 + (W + 2 * pad - WW) // stride
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            patch = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return out + b[None, :, None, None]


def maxpool_backward_mask(x, dout):
    N, C, H, W = x.shape
    xr = x.reshape(N, C, H // 2, 2, W // 2, 2)
    out = xr.max(axis=3).max(axis=4)
    mask = xr == out[:, :, :, np.newaxis, :, np.newaxis]
    dx = mask * dout[:, :, :, np.newaxis, :, np.newaxis]
    return out, dx.reshape(x.shape)


def activations(x):
    relu = np.maximum(x, 0)
    leaky = np.where(x > 0, x, 0.01 * x)
    elu = np.where(x > 0, x, np.expm1(x))
    selu = 1.0507 * np.where(x > 0, x, 1.6733 * (np.exp(x) - 1))
    softplus = np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)
    swish = x / (1 + np.exp(-x))
    hard_sigmoid = np.clip(0.2 * x + 0.5, 0, 1)
    return relu, leaky, elu, selu, softplus, swish, hard_sigmoid


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    prev = h0
    for t in range(T):
        prev = np.tanh(x[:, t, :] @ Wx + prev @ Wh + b)
        h[:, t, :] = prev
    return h


def lstm_step(x, h, c, Wx, Wh, b):
    H = h.shape[1]
    a = x @ Wx + h @ Wh + b
    i = 1 / (1 + np.exp(-a[:, :H]))
    f = 1 / (1 + np.exp(-a[:, H:2 * H]))
    o = 1 / (1 + np.exp(-a[:, 2 * H:3 * H]))
    g = np.tanh(a[:, 3 * H:])
    c_next = f * c + i * g
    return o * np.tanh(c_next), c_next


def word_embedding_backward(dout, idx, vocab_size):
    dW = np.zeros((vocab_size, dout.shape[-1]))
    np.add.at(dW, idx, dout)
    return dW


def multihead_attention(x, Wq, Wk, Wv, n_heads=2):
    B, T, D = x.shape
    hd = D // n_heads
    q = (x @ Wq).reshape(B, T, n_heads, hd).transpose(0, 2, 1, 3)
    k = (x @ Wk).reshape(B, T, n_heads, hd).transpose(0, 2, 1, 3)
    v = (x @ Wv).reshape(B, T, n_heads, hd).transpose(0, 2, 1, 3)
    att = np.einsum("bhqd,bhkd->bhqk", q, k) / np.sqrt(hd)
    att = np.exp(att - att.max(-1, keepdims=True))
    att /= att.sum(-1, keepdims=True)
    return np.einsum("bhqk,bhkd->bhqd", att, v).transpose(0, 2, 1, 3).reshape(B, T, D)


def f32_mlp(x, W, b):
    h = x.astype(np.float32) @ W + b
    h = np.maximum(h, 0, out=h)
    return h / np.float32(2.0), h.mean(dtype=np.float64)


def xavier_init_seeded(fan_in, fan_out):
    rng = np.random.default_rng(0)
    limit = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


# ----------------------------------------------------------------------------- statistics


def weighted_stats(x, w):
    mean = np.average(x, weights=w)
    var = np.average((x - mean) ** 2, weights=w)
    return mean, var, np.sqrt(var)


def moments(x):
    n = x.shape[0]
    m = x.mean(axis=0)
    d = x - m
    m2 = (d ** 2).mean(axis=0)
    m3 = (d ** 3).mean(axis=0)
    m4 = (d ** 4).mean(axis=0)
    skew = m3 / m2 ** 1.5
    kurt = m4 / m2 ** 2 - 3.0
    adj = np.sqrt(n * (n - 1)) / (n - 2) * skew
    return skew, kurt, adj


def corr_matrix_manual(X):
    Xc = X - X.mean(axis=0, keepdims=True)
    cov = Xc.T @ Xc / (X.shape[0] - 1)
    d = np.sqrt(np.diag(cov))
    corr = cov / np.outer(d, d)
    np.fill_diagonal(corr, 1.0)
    return corr, np.corrcoef(X, rowvar=False)


def spearman_rank(x, y):
    rx = np.argsort(np.argsort(x)).astype(float)
    ry = np.argsort(np.argsort(y)).astype(float)
    n = len(x)
    return 1 - 6 * np.sum((rx - ry) ** 2) / (n * (n ** 2 - 1))


def rankdata_average(a):
    sorter = np.argsort(a, kind="mergesort")
    inv = np.empty(sorter.size, dtype=np.intp)
    inv[sorter] = np.arange(sorter.size, dtype=np.intp)
    a_sorted = a[sorter]
    obs = np.r_[True, a_sorted[1:] != a_sorted[:-1]]
    dense = obs.cumsum()[inv]
    return dense


def zscore_axis(a, axis=0, ddof=0):
    mn = a.mean(axis=axis, keepdims=True)
    sd = a.std(axis=axis, ddof=ddof, keepdims=True)
    return (a - mn) / sd


def moving_average_convolve(x, w=3):
    return np.convolve(x, np.ones(w), "valid") / w


def exponential_smoothing(x, alpha=0.3):
    s = np.empty_like(x)
    s[0] = x[0]
    for t in range(1, len(x)):
        s[t] = alpha * x[t] + (1 - alpha) * s[t - 1]
    return s


def histogram_bins_weights(x, w):
    counts, edges = np.histogram(x, bins=6)
    centers = 0.5 * (edges[1:] + edges[:-1])
    wsum = np.bincount(np.clip(np.digitize(x, edges[1:-1]), 0, 5), weights=w, minlength=6)
    return counts, centers, wsum


def group_means_add_at(values, groups, n_groups):
    sums = np.zeros(n_groups)
    counts = np.zeros(n_groups)
    np.add.at(sums, groups, values)
    np.add.at(counts, groups, 1)
    return sums / np.maximum(counts, 1)


def group_sums_bincount(values, groups):
    return np.bincount(groups, weights=values) / np.bincount(groups)


def quantile_table(x):
    qs = np.quantile(x, [0.1, 0.5, 0.9], axis=0)
    return qs, np.percentile(x, 50, axis=0, keepdims=True), np.median(x)


def bootstrap_ci(x, n_boot=20, alpha=0.1):
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    means = x[idx].mean(axis=1)
    return np.percentile(means, [100 * alpha / 2, 100 * (1 - alpha / 2)])


def welch_t(a, b):
    va = a.var(ddof=1) / a.size
    vb = b.var(ddof=1) / b.size
    t = (a.mean() - b.mean()) / np.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    return t, dof


def cov_weighted(X, w):
    w = w / w.sum()
    mu = w @ X
    Xc = X - mu
    return (Xc * w[:, None]).T @ Xc, np.cov(X, rowvar=False, bias=True)


def mode_small_ints(x):
    counts = np.bincount(x)
    return np.argmax(counts), counts.max()


def unique_counts(labels):
    vals, counts = np.unique(labels, return_counts=True)
    return vals, counts, vals[np.argmax(counts)]


def label_encode(y):
    classes, y_enc = np.unique(y, return_inverse=True)
    return classes, y_enc


def label_encode_searchsorted(y, classes):
    return np.searchsorted(classes, y)


def nonzero_rows(X):
    rows = np.where(X.sum(axis=1) > 0)[0]
    return rows, X[rows]


def outlier_mask_iqr(x, k=1.5):
    q1, q3 = np.percentile(x, [25, 75])
    iqr = q3 - q1
    mask = (x < q1 - k * iqr) | (x > q3 + k * iqr)
    return mask, mask.sum(), np.where(mask, np.median(x), x)


def scalar_stats_0d(x):
    x = np.asarray(x, dtype=float)
    return np.mean(x), np.std(x), np.atleast_1d(x)


def empty_safe_mean(x):
    if x.size == 0:
        return np.nan
    return x.mean()


def ndim_branch(x):
    if x.ndim == 1:
        x = x[:, np.newaxis]
    return (x - x.mean(axis=0)) / x.std(axis=0)


# ----------------------------------------------------------------------------- finance


def drawdown_series(prices):
    running_max = np.maximum.accumulate(prices)
    dd = prices / running_max - 1.0
    end = np.argmin(dd)
    start = np.argmax(prices[:end + 1]) if end > 0 else 0
    return dd, dd.min(), end


def ewma_loop(returns, lam=0.94):
    var = np.empty_like(returns)
    var[0] = returns[0] ** 2
    for t in range(1, returns.shape[0]):
        var[t] = lam * var[t - 1] + (1 - lam) * returns[t - 1] ** 2
    return np.sqrt(var)


def sortino_calmar(returns, periods=252):
    downside = returns[returns < 0]
    dd_std = np.sqrt(np.mean(downside ** 2))
    sortino = returns.mean() / dd_std * np.sqrt(periods)
    wealth = np.cumprod(1 + returns)
    mdd = np.max(1 - wealth / np.maximum.accumulate(wealth))
    cagr = wealth[-1] ** (periods / len(returns)) - 1
    return sortino, cagr / mdd


def portfolio_frontier(weights, mu, cov):
    ret = weights @ mu
    vol = np.sqrt(np.einsum("ij,jk,ik->i", weights, cov, weights))
    sharpe = ret / vol
    best = sharpe.argmax()
    return ret, vol, weights[best]


def min_variance_weights(cov):
    inv = np.linalg.inv(cov)
    ones = np.ones(len(cov))
    w = inv @ ones
    return w / w.sum()


def beta_alpha(asset, market):
    cov = np.cov(asset, market)
    beta = cov[0, 1] / cov[1, 1]
    alpha = asset.mean() - beta * market.mean()
    return beta, alpha


def bollinger(prices, window=4, k=2.0):
    w = np.lib.stride_tricks.sliding_window_view(prices, window)
    ma = w.mean(axis=-1)
    sd = w.std(axis=-1)
    return ma, ma + k * sd, ma - k * sd


def rsi(prices, n=3):
    deltas = np.diff(prices)
    seed = deltas[:n + 1]
    up = seed[seed >= 0].sum() / n
    down = -seed[seed < 0].sum() / n
    rs = up / down
    return 100.0 - 100.0 / (1.0 + rs)


def value_at_risk(returns, alpha=0.05):
    var = -np.percentile(returns, 100 * alpha)
    cvar = -returns[returns <= -var].mean()
    return var, cvar


def rebalance_log_returns(prices, weights):
    lr = np.log(prices[1:] / prices[:-1])
    port = lr @ weights
    return np.exp(port.cumsum()), port.std(ddof=1) * np.sqrt(252)


# ----------------------------------------------------------------------------- more idioms


def pdist_condensed(X):
    i, j = np.triu_indices(X.shape[0], k=1)
    return np.sqrt(((X[i] - X[j]) ** 2).sum(axis=1))


def kfold_means(X, n_splits=3):
    folds = np.array_split(np.arange(len(X)), n_splits)
    return np.stack([X[f].mean(axis=0) for f in folds])


def reduceat_segments(x):
    starts = np.array([0, 2, 5])
    return np.add.reduceat(x, starts), np.maximum.reduceat(x, starts)


def confusion_ravel_multi(y_true, y_pred, k=3):
    flat = np.ravel_multi_index((y_true, y_pred), (k, k))
    cm = np.zeros(k * k, dtype=np.int64)
    np.add.at(cm, flat, 1)
    return cm.reshape(k, k)


def logaddexp_softmax(x):
    return np.exp(x - np.logaddexp.reduce(x, axis=1, keepdims=True))


def exp_out_inplace(x):
    out = np.empty_like(x)
    np.subtract(x, x.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def argsort_desc_topk(scores, k=3):
    idx = np.argsort(scores)[::-1][:k]
    return idx, scores[idx], np.sort(scores)[-k:][::-1]


def lexsort_rank(a, b):
    order = np.lexsort((b, a))
    return order, a[order], b[order]


def isin_mask_mean(x, labels):
    keep = np.isin(labels, [0, 2])
    return np.mean(x, where=keep[:, None], axis=0), keep.sum()


def gp_cholesky_predict(X, y, Xs, noise=0.1, ell=1.0):
    def k(a, b):
        d = np.sum(a ** 2, 1).reshape(-1, 1) + np.sum(b ** 2, 1) - 2 * np.dot(a, b.T)
        return np.exp(-0.5 / ell ** 2 * d)

    K = k(X, X) + noise ** 2 * np.eye(len(X))
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    Ks = k(X, Xs)
    mu = Ks.T.dot(alpha)
    v = np.linalg.solve(L, Ks)
    var = np.diag(k(Xs, Xs)) - np.sum(v ** 2, axis=0)
    logdet = 2 * np.sum(np.log(np.diag(L)))
    return mu, var, -0.5 * y.dot(alpha) - 0.5 * logdet - len(X) / 2 * np.log(2 * np.pi)


def multivariate_normal_logpdf(X, mean, cov):
    sign, logdet = np.linalg.slogdet(cov)
    diff = X - mean
    sol = np.linalg.solve(cov, diff.T).T
    return -0.5 * (np.einsum("ij,ij->i", diff, sol) + logdet + X.shape[1] * np.log(2 * np.pi))


def ewm_adjust(x, alpha=0.5):
    n = len(x)
    w = (1 - alpha) ** np.arange(n)[::-1]
    num = np.cumsum(w * x)
    den = np.cumsum(w)
    return num / den


def pct_change_fillna(prices):
    out = np.full_like(prices, np.nan)
    out[1:] = prices[1:] / prices[:-1] - 1
    return np.nan_to_num(out), np.nanmean(out, axis=0)


def rolling_minmax_windows(x, w=3):
    win = np.lib.stride_tricks.sliding_window_view(x, w, axis=0)
    return win.min(axis=-1), win.max(axis=-1), np.ptp(win, axis=-1)


def sign_changes(x):
    s = np.sign(x)
    return np.sum(np.diff(s) != 0), np.diff(np.signbit(x).astype(np.int8))


def float32_reductions(x):
    return (x.sum(axis=0), x.mean(dtype=np.float64), np.float32(0.5) * x.var(axis=1),
            x.astype(np.float16).max(), np.round(x, 2))


def int32_labels_onehot(y, k=4):
    y = y.astype(np.int32)
    oh = np.zeros((y.shape[0], k), dtype=np.uint8)
    oh[np.arange(y.shape[0]), y] = 1
    return oh, oh.sum(axis=0)


def tile_repeat_design(x, reps=2):
    return np.tile(x, (reps, 1)), np.repeat(x, reps, axis=0), np.outer(x[:, 0], x[:, 1])


def cumsum_bool_positions(mask):
    return np.cumsum(mask), np.cumsum(mask, dtype=np.int32), mask.mean(), mask.astype(int).sum()


def minimum_accumulate_running(x):
    return np.minimum.accumulate(x), np.maximum.accumulate(x[::-1])[::-1], np.add.accumulate(x)


def scalar_0d_input(x, t):
    return np.where(x > t, x - t, 0.0), np.maximum(t, 0), t * 2


def empty_batch_stats(X):
    return X.sum(axis=0), X.mean(axis=1), np.zeros((0, X.shape[1])) @ np.ones((X.shape[1], 2))


def put_along_topk_mask(scores, k=2):
    idx = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    mask = np.zeros_like(scores, dtype=bool)
    np.put_along_axis(mask, idx, True, axis=1)
    return np.where(mask, scores, -np.inf)


def feature_hash_cross(a, b, n=16):
    h = (a.astype(np.int64) * 31 + b) % n
    return np.bincount(h, minlength=n)


def cosine_knn(Q, D, k=2):
    Qn = Q / np.linalg.norm(Q, axis=1, keepdims=True)
    Dn = D / np.linalg.norm(D, axis=1, keepdims=True)
    sims = Qn @ Dn.T
    top = np.argsort(-sims, axis=1)[:, :k]
    return top, np.take_along_axis(sims, top, axis=1)


def sigmoid_f32_stable(z):
    z = z.astype(np.float32)
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


def mean_of_list_of_losses(X, W):
    losses = [np.mean((X @ W[:, j] - j) ** 2) for j in range(W.shape[1])]
    return np.mean(losses), np.max(losses), np.argmin(losses), np.std([X.min(), X.max()])


def ensemble_average(X, Ws):
    preds = [1 / (1 + np.exp(-(X @ w))) for w in Ws]
    return np.mean(preds, axis=0), np.median(preds, axis=0), np.sum(preds, axis=0) > 1.0


def shuffle_train_test(X, y, frac=0.5):
    rng = np.random.default_rng(7)
    idx = np.arange(len(X))
    rng.shuffle(idx)
    Xs = X.copy()
    np.random.default_rng(8).shuffle(Xs)
    cut = int(frac * len(X))
    return X[idx[:cut]], y[idx[:cut]], X[idx[cut:]], Xs


def bootstrap_choice(x, n_boot=6):
    rng = np.random.RandomState(0)
    means = np.array([rng.choice(x, size=len(x), replace=True).mean() for _ in range(n_boot)])
    return means.mean(), np.percentile(means, [5, 95]), rng.permutation(x)


def swap_rows_tuple(W):
    W = W.copy()
    W[0], W[1] = W[1].copy(), W[0].copy()
    v = W[:, 0].copy()
    v[0], v[-1] = v[-1], v[0]
    return W, v


def weighted_histogram(x, w):
    counts, edges = np.histogram(x, bins=5, weights=w)
    density, _ = np.histogram(x, bins=5, range=(-2, 2), weights=w, density=True)
    return counts, edges, density


def weighted_covariance(X, w):
    return np.cov(X, rowvar=False, aweights=w), np.cov(X.T, aweights=w, bias=True)


def point_distance_list(P):
    d01 = np.linalg.norm([P[0, 0] - P[1, 0], P[0, 1] - P[1, 1]])
    return d01, np.linalg.norm(P - P.mean(axis=0), axis=1).max()


def embedding_lookup_modes(table, ids):
    return (np.take(table, ids, axis=0, mode="clip"), table.take(ids - 2, axis=0, mode="wrap"),
            np.asfortranarray(table).sum(axis=0))


def put_class_weights(y, n_classes=4):
    w = np.ones(n_classes)
    np.put(w, [0, n_classes - 1], [0.5, 2.0])
    sample_w = w[y]
    out = np.zeros(len(y))
    np.put(out, np.arange(0, len(y), 2), sample_w[::2])
    return sample_w, out


def as_strided_windows(x, k=3):
    n = x.shape[0] - k + 1
    s = x.strides[0]
    return np.lib.stride_tricks.as_strided(x, shape=(n, k), strides=(s, s)).mean(axis=1)


def methods_put_compress(y, scores):
    w = np.ones(3)
    w.put(y[:2], 2.0)
    return w, scores.compress([True, False, True], axis=1)


def constant_arrays_updated(y_pred, scores):
    counts = np.array([0, 0, 0])
    totals = np.array([0.0, 0.0, 0.0])
    for c in range(3):
        counts[c] += (y_pred == c).sum()
    totals += scores.sum(axis=0)
    best = np.array(0.0)
    best += scores.max()
    weights = np.array([0.2, 0.3, 0.5])
    weights[scores.sum(axis=0).argmax()] += 1
    return counts, totals, best, weights / weights.sum()


def binned_target_mean(x, y, n_bins=5):
    edges = np.histogram_bin_edges(x, bins=n_bins)
    idx = np.clip(np.digitize(x, edges[1:-1]), 0, n_bins - 1)
    counts = np.bincount(idx, minlength=n_bins)
    sums = np.bincount(idx, weights=y, minlength=n_bins)
    return edges, counts, np.divide(sums, counts, out=np.full(n_bins, np.nan), where=counts > 0)


def top_classes_by_count(y_pred, k=2):
    counts = (y_pred[:, None] == np.arange(4)).sum(axis=0)
    order = np.argsort(-counts)
    return order[:k], np.argsort(y_pred)[:5], np.argsort(y_pred, kind="stable")[-5:]


def kalman_filter(zs, F, H, Q, R):
    x = np.zeros(2)
    P = np.eye(2)
    out = []
    for z in zs:
        x = F @ x
        P = F @ P @ F.T + Q
        K = P @ H.T @ np.linalg.inv(H @ P @ H.T + R)
        x = x + K @ (z - H @ x)
        P = (np.eye(2) - K @ H) @ P
        out.append(x.copy())
    return np.array(out), P


def l2_penalty(w, alpha):
    if np.isscalar(alpha):
        alpha = np.full(w.shape[0], alpha)
    return 0.5 * np.sum(alpha * w ** 2), np.isscalar(w[0]), np.isscalar(w)


# ----------------------------------------------------------------------------- data helpers


def _labels3(s, n):
    y = _i(3, n, seed=s)
    y[:3] = [0, 1, 2]
    return y


def _spd(n, seed):
    a = _f(n, n, seed=seed)
    return a @ a.T + n * np.eye(n)


def _prices(n, seed):
    return 100 * np.exp(np.cumsum(0.02 * _f(n, seed=seed)))


def _proba(n, k, seed):
    p = _f(n, k, positive=True, seed=seed)
    return p / p.sum(axis=1, keepdims=True)


def _params(s):
    return {"W1": _f(3, 5, seed=s), "b1": _f(5, seed=s + 1), "W2": _f(5, 3, seed=s + 2),
            "b2": _f(3, seed=s + 3)}


CORPUS = {
    "robust_scale": (robust_scale, {}, lambda s, n: (_f(n + 3, 3, seed=s),)),
    "max_abs_scale": (max_abs_scale, {}, lambda s, n: (
        np.column_stack([_f(n, 2, seed=s), np.zeros(n)]),)),
    "normalize_l1": (normalize_l1, {}, lambda s, n: (np.vstack([_f(n, 3, seed=s),
                                                                np.zeros((1, 3))]),)),
    "standardize_ddof1": (standardize_ddof1, {}, lambda s, n: (
        np.column_stack([_f(n, 2, seed=s).astype(np.float32), np.ones(n, np.float32)]),)),
    "add_dummy_feature": (add_dummy_feature, {}, lambda s, n: (_f(n, 2, seed=s), 2.5)),
    "binarize": (binarize, {}, lambda s, n: (_f(n, 3, seed=s), 0.2)),
    "label_binarize": (label_binarize, {"classes": (0, 1, 2)},
                       lambda s, n: (_labels3(s, n),)),
    "label_binarize_2": (label_binarize, {"classes": (0, 1)}, lambda s, n: (_i(2, n, seed=s),)),
    "one_hot_eye": (one_hot_eye, {"num_classes": 4}, lambda s, n: (_i(4, n, seed=s),)),
    "one_hot_put": (one_hot_put, {"num_classes": 4}, lambda s, n: (_i(4, n, seed=s),)),
    "kbins_uniform": (kbins_uniform, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "polynomial_degree2": (polynomial_degree2, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "shuffle_split": (shuffle_split, {}, lambda s, n: (_f(n * 2, 2, seed=s), _i(3, n * 2, seed=s))),
    "accuracy_score": (accuracy_score, {}, lambda s, n: (_i(3, n, seed=s), _i(3, n, seed=s + 1))),
    "accuracy_count": (accuracy_score, {"normalize": False},
                       lambda s, n: (_i(3, n, seed=s), _i(3, n, seed=s + 1))),
    "confusion_matrix_add_at": (confusion_matrix_add_at, {"n_classes": 3},
                                lambda s, n: (_i(3, n, seed=s), _i(3, n, seed=s + 1))),
    "confusion_matrix_bincount": (confusion_matrix_bincount, {"n_classes": 3}, lambda s, n: (
        _i(3, n, seed=s), _i(3, n, seed=s + 1))),  # minlength: checked when it runs
    "confusion_ravel_multi": (confusion_ravel_multi, {}, lambda s, n: (
        _i(3, n, seed=s), _i(3, n, seed=s + 1))),  # mode="raise": checked when it runs
    "precision_recall_f1": (precision_recall_f1, {}, lambda s, n: (
        _i(3, n * 2, seed=s), _i(3, n * 2, seed=s + 1))),
    "roc_auc_rank": (roc_auc_rank, {}, lambda s, n: (
        np.r_[0, 1, _i(2, n * 2, seed=s)], _f(n * 2 + 2, seed=s + 1))),
    "roc_curve_points": (roc_curve_points, {}, lambda s, n: (
        np.r_[0, 1, _i(2, n * 2, seed=s)], _f(n * 2 + 2, seed=s + 1))),
    "log_loss_multiclass": (log_loss_multiclass, {}, lambda s, n: (_i(3, n, seed=s),
                                                                   _proba(n, 3, s))),
    "r2_multioutput": (r2_multioutput, {}, lambda s, n: (
        _f(n, 2, seed=s).astype(np.float32), _f(n, 2, seed=s + 1).astype(np.float32))),
    "regression_errors": (regression_errors, {}, lambda s, n: (
        _f(n, positive=True, seed=s), _f(n, positive=True, seed=s + 1))),
    "top_k_accuracy": (top_k_accuracy, {}, lambda s, n: (_f(n, 4, seed=s), _i(4, n, seed=s))),
    "brier_and_hinge": (brier_and_hinge, {}, lambda s, n: (
        _i(2, n, seed=s), np.random.default_rng(s).random(n))),
    "kmeans_bincount_update": (kmeans_bincount_update, {}, lambda s, n: (
        _f(n * 3, 2, seed=s), _f(3, 2, seed=9))),
    "hashing_trick": (hashing_trick, {}, lambda s, n: (_i(1000, n * 2, seed=s),)),
    "quantile_bin_counts": (quantile_bin_counts, {}, lambda s, n: (_f(n * 4, seed=s),)),
    "class_log_likelihood_sums": (class_log_likelihood_sums, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(2, 3, seed=s + 1))),
    "polynomial_kernel": (polynomial_kernel, {}, lambda s, n: (_f(n, 3, seed=s), _f(2, 3))),
    "laplacian_kernel": (laplacian_kernel, {}, lambda s, n: (_f(n, 3, seed=s), _f(4, 3))),
    "manhattan_argmin": (manhattan_argmin, {}, lambda s, n: (_f(n, 2, seed=s), _f(3, 2))),
    "knn_predict": (knn_predict, {}, lambda s, n: (_f(n + 4, 2, seed=s), _i(3, n + 4, seed=s),
                                                   _f(3, 2, seed=s + 5))),
    "knn_regress_sorted": (knn_regress_sorted, {}, lambda s, n: (
        _f(n + 2, 2, seed=s), _f(n + 2, seed=s + 1), _f(3, 2, seed=s + 2))),
    "kmeans_lloyd": (kmeans_lloyd, {}, lambda s, n: (_f(n * 3, 2, seed=s), _f(3, 2, seed=9))),
    "kmeans_pp_init": (kmeans_pp_init, {}, lambda s, n: (_f(n * 2, 2, seed=s),)),
    "pca_eigh": (pca_eigh, {}, lambda s, n: (_f(n + 4, 3, seed=s) * [3.0, 1.0, 0.3],)),
    "pca_svd_flip": (pca_svd_flip, {}, lambda s, n: (_f(n + 4, 3, seed=s) * [3.0, 1.0, 0.3],)),
    "lda_two_class": (lda_two_class, {}, lambda s, n: (_f(n * 2, 3, seed=s),
                                                       np.r_[0, 1, _i(2, n * 2 - 2, seed=s)])),
    "gaussian_nb_predict": (gaussian_nb_predict, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(2, 3), _f(2, 3, positive=True), np.array([0.4, 0.6]))),
    "dense_relu_backward": (dense_relu_backward, {}, lambda s, n: (
        _f(n, 4, seed=s), _f(n, 3, seed=s + 1), _f(3, 4), _f(4))),
    "softmax_ce_backward": (softmax_ce_backward, {}, lambda s, n: (_f(n, 4, seed=s),
                                                                   _i(4, n, seed=s))),
    "two_layer_forward_backward": (two_layer_forward_backward, {}, lambda s, n: (
        _f(n, 3, seed=s), _i(3, n, seed=s), _params(s))),
    "sgd_momentum": (sgd_momentum, {}, lambda s, n: (_params(s), _params(s + 10),
                                                     _params(s + 20))),
    "rmsprop_inplace": (rmsprop_inplace, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(n, 2, seed=s + 1), _f(n, 2, positive=True, seed=s + 2))),
    "batchnorm_train": (batchnorm_train, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(3), _f(3), np.zeros(3), np.ones(3))),
    "batchnorm_backward": (batchnorm_backward, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 3, seed=s + 1), _f(3))),
    "dropout_seeded": (dropout_seeded, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "dropout_randomstate": (dropout_randomstate, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "conv2d_im2col_stride": (conv2d_im2col_stride, {}, lambda s, n: (
        _f(2, 2, n + 1, 5, seed=s), _f(3, 2, 3, 3, seed=s + 1), _f(3))),
    "maxpool_backward_mask": (maxpool_backward_mask, {}, lambda s, n: (
        _f(2, 2, n, 4, seed=s), _f(2, 2, n // 2, 2, seed=s + 1))),
    "activations": (activations, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32) * 4,)),
    "rnn_forward": (rnn_forward, {}, lambda s, n: (
        _f(2, n, 3, seed=s), _f(2, 4), _f(3, 4), _f(4, 4) * 0.3, _f(4))),
    "lstm_step": (lstm_step, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 2, seed=s + 1), _f(n, 2, seed=s + 2), _f(3, 8), _f(2, 8),
        _f(8))),
    "word_embedding_backward": (word_embedding_backward, {"vocab_size": 6}, lambda s, n: (
        _f(2, n, 3, seed=s), _i(6, 2, n, seed=s))),
    "multihead_attention": (multihead_attention, {}, lambda s, n: (
        _f(2, n, 4, seed=s), _f(4, 4, seed=1), _f(4, 4, seed=2), _f(4, 4, seed=3))),
    "f32_mlp": (f32_mlp, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, 4).astype(np.float32), _f(4).astype(np.float32))),
    "xavier_init_seeded": (xavier_init_seeded, {"fan_in": 3, "fan_out": 2}, lambda s, n: ()),
    "weighted_stats": (weighted_stats, {}, lambda s, n: (_f(n, seed=s),
                                                         _f(n, positive=True, seed=s + 1))),
    "moments": (moments, {}, lambda s, n: (_f(n + 3, 2, seed=s),)),
    "corr_matrix_manual": (corr_matrix_manual, {}, lambda s, n: (_f(n + 2, 3, seed=s),)),
    "spearman_rank": (spearman_rank, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "rankdata_average": (rankdata_average, {}, lambda s, n: (_i(4, n * 2, seed=s),)),
    "zscore_axis": (zscore_axis, {"axis": 1, "ddof": 1}, lambda s, n: (_f(n, 3, seed=s),)),
    "moving_average_convolve": (moving_average_convolve, {}, lambda s, n: (_f(n + 3, seed=s),)),
    "exponential_smoothing": (exponential_smoothing, {}, lambda s, n: (_f(n + 2, seed=s),)),
    "histogram_bins_weights": (histogram_bins_weights, {}, lambda s, n: (
        _f(n * 3, seed=s), _f(n * 3, positive=True, seed=s + 1))),
    "group_means_add_at": (group_means_add_at, {"n_groups": 4}, lambda s, n: (
        _f(n * 2, seed=s), _i(4, n * 2, seed=s))),
    "quantile_table": (quantile_table, {}, lambda s, n: (_f(n * 2, 3, seed=s),)),
    "bootstrap_ci": (bootstrap_ci, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "welch_t": (welch_t, {}, lambda s, n: (_f(n, seed=s), _f(n + 2, seed=s + 1) + 0.5)),
    "cov_weighted": (cov_weighted, {}, lambda s, n: (_f(n + 1, 3, seed=s),
                                                     _f(n + 1, positive=True, seed=s))),
    "label_encode_searchsorted": (label_encode_searchsorted, {}, lambda s, n: (
        np.array([10, 20, 30])[_i(3, n, seed=s)], np.array([10, 20, 30]))),
    "outlier_mask_iqr": (outlier_mask_iqr, {}, lambda s, n: (_f(n * 3, seed=s) ** 3,)),
    "scalar_stats_0d": (scalar_stats_0d, {}, lambda s, n: (np.float64(s * 0.5),)),
    "empty_safe_mean": (empty_safe_mean, {}, lambda s, n: (_f(n - 4, seed=s),)),
    "ndim_branch": (ndim_branch, {}, lambda s, n: (_f(n, seed=s),)),
    "ndim_branch_2d": (ndim_branch, {}, lambda s, n: (_f(n, 2, seed=s).astype(np.float32),)),
    "ewma_loop": (ewma_loop, {}, lambda s, n: (0.01 * _f(n + 3, seed=s),)),
    "sortino_calmar": (sortino_calmar, {}, lambda s, n: (0.01 * _f(n * 3, seed=s),)),
    "portfolio_frontier": (portfolio_frontier, {}, lambda s, n: (
        _proba(n, 3, s), _f(3, seed=s) * 0.1 + 0.2, _spd(3, s))),
    "min_variance_weights": (min_variance_weights, {}, lambda s, n: (_spd(n, s),)),
    "beta_alpha": (beta_alpha, {}, lambda s, n: (_f(n + 2, seed=s), _f(n + 2, seed=s + 1))),
    "bollinger": (bollinger, {}, lambda s, n: (_prices(n + 4, s),)),
    "rsi": (rsi, {}, lambda s, n: (np.r_[100.0, 101.0, 100.5, _prices(n, s)],)),
    "value_at_risk": (value_at_risk, {}, lambda s, n: (0.01 * _f(n * 5, seed=s),)),
    "pdist_condensed": (pdist_condensed, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "kfold_means": (kfold_means, {}, lambda s, n: (_f(n + 3, 2, seed=s),)),
    "reduceat_segments": (reduceat_segments, {}, lambda s, n: (_f(n + 3, seed=s),)),
    "logaddexp_softmax": (logaddexp_softmax, {}, lambda s, n: (_f(n, 4, seed=s) * 5,)),
    "exp_out_inplace": (exp_out_inplace, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "argsort_desc_topk": (argsort_desc_topk, {}, lambda s, n: (_f(n + 2, seed=s),)),
    "lexsort_rank": (lexsort_rank, {}, lambda s, n: (_i(3, n, seed=s), _f(n, seed=s))),
    "isin_mask_mean": (isin_mask_mean, {}, lambda s, n: (_f(n, 2, seed=s), _labels3(s, n))),
    "gp_cholesky_predict": (gp_cholesky_predict, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(n, seed=s + 1), _f(3, 2, seed=s + 2))),
    "multivariate_normal_logpdf": (multivariate_normal_logpdf, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(3), _spd(3, s))),
    "ewm_adjust": (ewm_adjust, {}, lambda s, n: (_f(n, seed=s),)),
    "pct_change_fillna": (pct_change_fillna, {}, lambda s, n: (
        np.column_stack([_prices(n, s), _prices(n, s + 1)]),)),
    "rolling_minmax_windows": (rolling_minmax_windows, {}, lambda s, n: (_f(n + 2, 2, seed=s),)),
    "sign_changes": (sign_changes, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "float32_reductions": (float32_reductions, {}, lambda s, n: (
        _f(n, 3, seed=s).astype(np.float32),)),
    "int32_labels_onehot": (int32_labels_onehot, {}, lambda s, n: (_i(4, n, seed=s),)),
    "tile_repeat_design": (tile_repeat_design, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "cumsum_bool_positions": (cumsum_bool_positions, {}, lambda s, n: (_f(n, seed=s) > 0,)),
    "minimum_accumulate_running": (minimum_accumulate_running, {}, lambda s, n: (
        _f(n, 2, seed=s),)),
    "scalar_0d_input": (scalar_0d_input, {}, lambda s, n: (_f(n, seed=s), np.array(0.1 * s))),
    "empty_batch_stats": (empty_batch_stats, {}, lambda s, n: (np.zeros((0, n)),)),
    "put_along_topk_mask": (put_along_topk_mask, {}, lambda s, n: (_f(3, n, seed=s),)),
    "feature_hash_cross": (feature_hash_cross, {}, lambda s, n: (
        _i(50, n, seed=s).astype(np.int32), _i(50, n, seed=s + 1))),
    "cosine_knn": (cosine_knn, {}, lambda s, n: (_f(2, 3, seed=s), _f(n, 3, seed=s + 1))),
    "sigmoid_f32_stable": (sigmoid_f32_stable, {}, lambda s, n: (_f(n, seed=s) * 30,)),
    "mean_of_list_of_losses": (mean_of_list_of_losses, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, 3, seed=s + 1))),
    "ensemble_average": (ensemble_average, {}, lambda s, n: (
        _f(n, 3, seed=s), [_f(3, seed=1), _f(3, seed=2), _f(3, seed=3)])),
    "shuffle_train_test": (shuffle_train_test, {}, lambda s, n: (
        _f(n, 2, seed=s), _i(3, n, seed=s))),
    "bootstrap_choice": (bootstrap_choice, {}, lambda s, n: (_f(n, seed=s),)),
    "swap_rows_tuple": (swap_rows_tuple, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "weighted_histogram": (weighted_histogram, {}, lambda s, n: (
        _f(n * 4, seed=s), _f(n * 4, positive=True, seed=s + 1))),
    "weighted_covariance": (weighted_covariance, {}, lambda s, n: (
        _f(n + 2, 3, seed=s), _f(n + 2, positive=True, seed=s + 1))),
    "point_distance_list": (point_distance_list, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "embedding_lookup_modes": (embedding_lookup_modes, {}, lambda s, n: (
        _f(5, 3, seed=s), _i(8, n, seed=s))),
    "put_class_weights": (put_class_weights, {}, lambda s, n: (_i(4, n, seed=s),)),
    "methods_put_compress": (methods_put_compress, {}, lambda s, n: (
        _labels3(s, n), _f(n, 3, seed=s))),
    "constant_arrays_updated": (constant_arrays_updated, {}, lambda s, n: (
        _labels3(s, n), _f(n, 3, seed=s))),
    "binned_target_mean": (binned_target_mean, {}, lambda s, n: (
        _f(n * 3, seed=s), _f(n * 3, seed=s + 1))),
    "top_classes_by_count": (top_classes_by_count, {}, lambda s, n: (_i(4, n * 5, seed=s),)),
    "kalman_filter": (kalman_filter, {}, lambda s, n: (
        _f(n, 1, seed=s), np.array([[1, 1.0], [0, 1]]), np.array([[1.0, 0]]), 0.01 * np.eye(2),
        np.array([[0.5]]))),
    "l2_penalty_scalar": (l2_penalty, {}, lambda s, n: (_f(n, seed=s), 0.1 * s)),
    "l2_penalty_array": (l2_penalty, {}, lambda s, n: (_f(n, seed=s), _f(n, positive=True))),
    "rebalance_log_returns": (rebalance_log_returns, {}, lambda s, n: (
        np.column_stack([_prices(n + 2, s), _prices(n + 2, s + 1)]), np.array([0.6, 0.4]))),
    "simple_impute_median": (simple_impute_median, {}, lambda s, n: (
        np.where(_f(n + 2, 3, seed=s) > 1.0, np.nan, _f(n + 2, 3, seed=s)),)),
    "as_strided_windows": (as_strided_windows, {}, lambda s, n: (_f(n + 3, seed=s),)),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_corpus_function_matches_numpy(name):
    check_against_numpy(*CORPUS[name])


# What tracenp cannot trace raises a clear error; under fallback=True it runs eagerly, with one
# warning, and gives NumPy's values. Results whose shape depends on the data:
DATA_DEPENDENT = {
    "group_sums_bincount": (group_sums_bincount, {}, lambda s, n: (
        _f(n * 2, seed=s), _labels3(s, n * 2))),
    "unique_counts": (unique_counts, {}, lambda s, n: (_i(4, n * 2, seed=s),)),
    "label_encode": (label_encode, {}, lambda s, n: (np.array([3, 7, 9])[_i(3, n, seed=s)],)),
    "nonzero_rows": (nonzero_rows, {}, lambda s, n: (_f(n, 3, seed=s),)),
}


# Python control flow on traced values (`if tp + fp > 0`, `float(x)`):
VALUE_BRANCHES = {
    "binary_precision_recall": (binary_precision_recall, {}, lambda s, n: (
        np.r_[1, 0, _i(2, n, seed=s)], np.r_[0.9, 0.1, np.random.default_rng(s).random(n)])),
    "matthews_corrcoef": (matthews_corrcoef, {}, lambda s, n: (
        np.r_[True, False, _i(2, n, seed=s).astype(bool)],
        np.r_[True, False, _i(2, n, seed=s + 1).astype(bool)])),
    "drawdown_series": (drawdown_series, {}, lambda s, n: (_prices(n + 4, s),)),
}

REFUSED = {**{k: (tracenp.errors.DataDependentShapeError, v) for k, v in DATA_DEPENDENT.items()},
           **{k: (tracenp.errors.ConcretizationError, v) for k, v in VALUE_BRANCHES.items()}}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_then_run_eagerly(name):
    error, (fn, static, make_args) = REFUSED[name]
    with pytest.raises(error):
        tracenp.jit(fn, static_argnames=tuple(static))(*make_args(1, 4), **static)
    jf = tracenp.jit(fn, static_argnames=tuple(static), fallback=True)
    with pytest.warns(tracenp.TracingFallbackWarning):
        got = jf(*make_args(1, 4), **static)
    assert_same(got, fn(*make_args(1, 4), **static))
    assert_same(jf(*make_args(2, 4), **static), fn(*make_args(2, 4), **static))


def test_optimizer_mutating_dicts_of_arrays():
    """Adam updating the caller's `m` and `v` dicts in place (`m[key] = ...`): the returned
    values are NumPy's."""
    args = (_params(1), _params(11), _params(21), {k: np.abs(v) for k, v in _params(31).items()}, 3)
    want = adam_dict(*[{k: v.copy() for k, v in a.items()} if isinstance(a, dict) else a
                       for a in args])
    assert_same(tracenp.jit(adam_dict)(*args), want)


def test_a_copy_of_an_argument_mutated_later_keeps_the_old_values():
    def step(w, g):
        old = w.copy()
        first = w[0]
        w -= 0.1 * g
        return old, first

    w_np, w_jit = _f(4, seed=1), _f(4, seed=1)
    assert_same(tracenp.jit(step)(w_jit, _f(4, seed=2)), step(w_np, _f(4, seed=2)))


def test_dict_entries_rebound_by_the_function_reach_the_caller():
    def moments_update(m, g):
        for key in m:
            m[key] = 0.9 * m[key] + 0.1 * g[key]

    want, got = _params(1), _params(1)
    moments_update(want, _params(2))
    tracenp.jit(moments_update)(got, _params(2))
    assert_same(got, want)


# ----------------------------------------------------------------------------- gradients


def ridge_dict_loss(params, X, y, lam=0.1):
    pred = X @ params["w"] + params["b"]
    return np.mean((pred - y) ** 2) + lam * np.linalg.norm(params["w"]) ** 2


def clipped_bce_loss(params, X, y, eps=1e-7):
    p = 1 / (1 + np.exp(-(X.dot(params["w"]) + params["b"])))
    p = np.clip(p, eps, 1 - eps)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def logsumexp_nll(params, X, y):
    a = X @ params["W"] + params["b"]
    a_max = np.max(a, axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(a - a_max), axis=1)) + a_max.squeeze()
    return np.mean(lse - a[np.arange(len(y)), y])


def mean_variance_objective(params, mu, cov, risk_aversion=3.0):
    w = np.exp(params["z"]) / np.exp(params["z"]).sum()
    return -(w @ mu) + risk_aversion * w @ cov @ w


def neg_sharpe(w, returns):
    port = returns @ w
    return -port.mean() / port.std(ddof=1) * np.sqrt(252)


def cox_partial_likelihood(beta, X, time, event):
    order = np.argsort(-time)
    eta = X[order] @ beta
    log_risk = np.log(np.cumsum(np.exp(eta)))
    return -np.sum((eta - log_risk) * event[order])


def dense_batchnorm_loss(params, X, y, eps=1e-5):
    h = np.einsum("nd,dk->nk", X, params["W"])
    h = (h - h.mean(0)) / np.sqrt(h.var(0) + eps) * params["gamma"] + params["beta"]
    h = np.maximum(h, 0.0)
    return np.sum((h.sum(axis=1) - y) ** 2) / len(y)


def weighted_least_squares(params, X, y, w):
    r = y - X @ params["coef"]
    return np.average(r ** 2, weights=w)


def label_smoothing_ce(params, X, y, k=3, smooth=0.1):
    logits = X @ params["W"]
    logits = logits - logits.max(axis=1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    target = np.full((len(y), k), smooth / (k - 1))
    target[np.arange(len(y)), y] = 1.0 - smooth
    return -(target * logp).sum(axis=1).mean()


def garch_nll(params, r):
    omega, alpha, beta = np.exp(params["log"])
    sigma2 = np.empty(r.shape[0])
    sigma2[0] = r.var()
    for t in range(1, r.shape[0]):
        sigma2[t] = omega + alpha * r[t - 1] ** 2 + beta * sigma2[t - 1]
    return 0.5 * np.sum(np.log(2 * np.pi * sigma2) + r ** 2 / sigma2)


def _grad_data(s=5, n=8):
    X = _f(n, 3, seed=s)
    return X, _i(3, n, seed=s), _f(n, seed=s + 1)


GRADS = {
    "garch_nll": (garch_nll, lambda: (
        {"log": np.log(np.array([1e-5, 0.1, 0.8]))}, 0.01 * _f(20, seed=3))),
    "ridge_dict_loss": (ridge_dict_loss, lambda: (
        {"w": _f(3, seed=1), "b": np.array(0.3)}, _grad_data()[0], _grad_data()[2])),
    "clipped_bce_loss": (clipped_bce_loss, lambda: (
        {"w": _f(3, seed=1), "b": np.zeros(1)}, _grad_data()[0],
        (_grad_data()[2] > 0).astype(float))),
    "logsumexp_nll": (logsumexp_nll, lambda: (
        {"W": _f(3, 3, seed=2), "b": _f(3, seed=3)}, _grad_data()[0], _grad_data()[1])),
    "mean_variance_objective": (mean_variance_objective, lambda: (
        {"z": _f(3, seed=4)}, _f(3, seed=5) * 0.1, _spd(3, 6) * 0.01)),
    "neg_sharpe": (neg_sharpe, lambda: (_proba(1, 3, 7)[0], 0.01 * _f(12, 3, seed=8) + 0.001)),
    "cox_partial_likelihood": (cox_partial_likelihood, lambda: (
        _f(3, seed=1) * 0.3, _grad_data()[0], _f(8, positive=True, seed=9),
        (_grad_data()[1] > 0).astype(float))),
    "dense_batchnorm_loss": (dense_batchnorm_loss, lambda: (
        {"W": _f(3, 4, seed=1), "gamma": _f(4, positive=True, seed=2), "beta": _f(4, seed=3)},
        _grad_data()[0], _grad_data()[2])),
    "weighted_least_squares": (weighted_least_squares, lambda: (
        {"coef": _f(3, seed=1)}, _grad_data()[0], _grad_data()[2],
        _f(8, positive=True, seed=4))),
    "label_smoothing_ce": (label_smoothing_ce, lambda: (
        {"W": _f(3, 3, seed=1)}, _grad_data()[0], _grad_data()[1])),
}


@pytest.mark.parametrize("name", list(GRADS))
def test_grad_of_loss_matches_finite_differences(name):
    """`tracenp.grad` and `jit(value_and_grad)` of a training loss: NumPy's value, and the
    gradient of finite differences, with the structure and dtypes of the parameters."""
    loss, make = GRADS[name]
    params, *data = make()
    check_loss(loss, params, *data)
    grads = tracenp.grad(loss)(params, *data)
    assert_same(grads, tracenp.jit(tracenp.grad(loss))(params, *data), rtol=1e-9)


# ----------------------------------------------------------------------------- focused checks


@pytest.mark.parametrize("make_labels", [
    lambda x: np.argmin(np.abs(x[:, None] - np.array([-1.0, 0.0, 1.0, 2.0])), axis=1),
    lambda x: np.digitize(x, [-1.0, 0.0, 1.0]),
    lambda x: np.clip((x * 2).astype(np.int64), 0, 3),
    lambda x: np.searchsorted(np.sort(x)[::3], x) % 4,
    lambda x: np.where(x > 0, 3, np.argmax(np.stack([x, -x]), axis=0)),
    lambda x: (x > 0).astype(np.int8) + (x > 1),
], ids=["argmin", "digitize", "clip", "remainder", "where", "bool_sum"])
def test_bincount_of_values_bounded_below_minlength_traces(make_labels):
    def f(x, w):
        labels = make_labels(x)
        return np.bincount(labels, minlength=4), np.bincount(labels, weights=w, minlength=5)

    jf = tracenp.jit(f)
    for seed in (1, 2):
        x, w = _f(12, seed=seed), _f(12, seed=seed + 5)
        assert_same(jf(x, w), f(x, w))


@pytest.mark.parametrize("make_labels", [
    lambda x: np.clip((x * 2).astype(np.int64), -1, 3),  # may be negative: NumPy raises
    lambda x: np.clip((x * 2).astype(np.int64), 0, 4),  # may reach minlength
    lambda x: (x * 2).astype(np.int64) % 5,
], ids=["negative", "too_long", "remainder_too_long"])
def test_bincount_of_values_not_bounded_below_minlength_is_checked_when_it_runs(make_labels):
    """NumPy's counts while the labels fit `minlength`; else NumPy's error for a negative one,
    and the named error for a larger one (NumPy's result would be longer)."""
    def f(x):
        return np.bincount(make_labels(x), minlength=4)

    jf = tracenp.jit(f)
    for x in (np.array([0.1, 0.6, 1.2, 0.3]), np.array([-0.9, 0.2, 1.0, 1.4]),
              np.array([0.1, 2.3, 1.2, 0.3])):
        try:
            want = f(x)
        except ValueError:
            with pytest.raises(ValueError, match="negative"):
                jf(x)
            continue
        if len(want) > 4:
            with pytest.raises(tracenp.errors.DataDependentShapeError, match="minlength=4"):
                jf(x)
        else:
            assert_same(jf(x), want)


def test_scalar_operands_of_inplace_operators_are_rebound_not_written():
    """`s -= v` on a NumPy or Python scalar is `s = s - v` (it may broadcast and change dtype);
    on a 0-d array (`np.zeros(())`, an argument) it writes in place, as in NumPy."""
    def f(x, t, a0):
        s = x.sum()  # np.float64 scalar
        s -= x  # broadcasts to x's shape
        n = (x > 0).sum()  # np.int64 scalar
        n /= x.size  # becomes float64
        t *= np.ones(3)  # a Python float argument
        acc = np.zeros(())
        alias = acc
        acc += x.sum()
        a0 += 1.0
        return s, n, t, alias, acc

    args = lambda: (_f(4, seed=1), 0.5, np.array(2.0))  # noqa: E731
    a_np, a_jit = args(), args()
    assert_same(tracenp.jit(f)(*a_jit), f(*a_np))
    assert_same(a_jit[2], a_np[2])


def test_random_state_made_with_a_fixed_seed_inside_the_function():
    def f(x):
        rs = np.random.RandomState(0)
        assert isinstance(rs, np.random.RandomState)
        return x + rs.normal(size=x.shape)

    def unseeded(x):
        return x * np.random.RandomState().rand(*x.shape)

    x = _f(3, seed=1)
    assert_same(tracenp.jit(f)(x), f(x))
    with pytest.raises(tracenp.errors.RandomInTraceError):
        tracenp.jit(unseeded)(x)


def test_running_statistics_updated_in_place_reach_the_caller():
    """Batch norm's running mean and variance, and a dict of state arrays, updated in place
    (`*=`, `+=`, `[:] =`) are written back into the caller's arrays, as NumPy mutates them."""
    def bn_train(x, state, running_var, momentum=0.9):
        mu, var = x.mean(0), x.var(0)
        state["mean"] *= momentum
        state["mean"] += (1 - momentum) * mu
        state["n"][...] += 1
        running_var[:] = momentum * running_var + (1 - momentum) * var
        return (x - mu) / np.sqrt(var + 1e-5)

    def make():
        return _f(5, 3, seed=1), {"mean": _f(3, seed=2), "n": np.zeros((), np.int64)}, np.ones(3)

    want_args, got_args = make(), make()
    jf = tracenp.jit(bn_train)
    for _ in range(2):
        assert_same(jf(*got_args), bn_train(*want_args))
        assert_same(got_args, want_args)


def test_result_type_and_foreign_ufuncs():
    """`np.result_type` of traced values is NumPy's (a traced Python scalar is weak); a ufunc
    that is not NumPy's (scipy.special's) is refused by name, so `fallback=True` can run it."""
    def dtypes(x, s):
        return np.zeros(2, dtype=np.result_type(x, s)), np.zeros(1, np.result_type(x, np.float64))

    x32 = _f(3, seed=1).astype(np.float32)
    assert_same(tracenp.jit(dtypes)(x32, 2.0), dtypes(x32, 2.0))
    foreign = np.frompyfunc(lambda v: v, 1, 1)
    with pytest.raises(tracenp.errors.UnsupportedFunctionError, match="not one of NumPy's"):
        tracenp.jit(lambda x: foreign(x))(x32)


def test_np_array_copy_modes():
    """`np.array(x, copy=np._CopyMode.ALWAYS)`, the array API's spelling that scipy passes."""
    def copies(x):
        return (np.array(x, copy=np._CopyMode.ALWAYS)
                + np.array([1.0, 2.0, 3.0], copy=np._CopyMode.IF_NEEDED))

    x = _f(3, seed=1)
    assert_same(tracenp.jit(copies)(x), copies(x))
