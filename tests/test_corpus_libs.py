"""Corpus, library internals: the NumPy code inside scipy.stats and scipy.special,
scikit-learn, scikit-image, statsmodels, networkx, matplotlib and astropy, and pandas-free
groupby idioms, written the way those libraries write it (reconstructed from their style, not
copied): `out=` and in-place updates of arguments, `np.errstate` blocks, masks assigned through,
`range(...)` as an index, dtype checks on `x.dtype.kind`, float32 and uint8/uint16 images, int64
labels, bool masks, tuples and dicts of results.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype;
arguments it writes in place must hold NumPy's values afterwards. Forms that cannot be traced
raise a named error and run eagerly under `fallback=True`.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered

# ----------------------------------------------------------------------------- scipy.stats


def zscore(a, axis=0, ddof=0):
    mns = a.mean(axis=axis, keepdims=True)
    sstd = a.std(axis=axis, ddof=ddof, keepdims=True)
    return (a - mns) / sstd


def rankdata(a, method="ordinal"):
    arr = np.ravel(np.asarray(a))
    algo = "mergesort" if method == "ordinal" else "quicksort"
    sorter = np.argsort(arr, kind=algo)
    inv = np.empty(sorter.size, dtype=np.intp)
    inv[sorter] = np.arange(sorter.size, dtype=np.intp)
    if method == "ordinal":
        return inv + 1
    arr = arr[sorter]
    obs = np.r_[True, arr[1:] != arr[:-1]]
    dense = obs.cumsum()[inv]
    if method == "dense":
        return dense
    count = np.r_[np.nonzero(obs)[0], len(obs)]
    if method == "max":
        return count[dense]
    if method == "min":
        return count[dense - 1] + 1
    return .5 * (count[dense] + count[dense - 1] + 1)


def rankdata_average_no_unique(a):
    """Average ranks of ties without `np.unique`: ranks of the sorted values, then the mean of
    each run by forward and backward scans of the run starts."""
    n = a.shape[0]
    sorter = np.argsort(a, kind="mergesort")
    s = a[sorter]
    new = np.concatenate(([True], s[1:] != s[:-1]))
    last = np.concatenate((s[1:] != s[:-1], [True]))
    idx = np.arange(n)
    first_pos = np.maximum.accumulate(np.where(new, idx, 0))
    last_pos = np.minimum.accumulate(np.where(last, idx, n - 1)[::-1])[::-1]
    ranks = np.empty(n, dtype=np.float64)
    ranks[sorter] = 0.5 * (first_pos + last_pos) + 1
    return ranks


def entropy(pk, qk=None, base=None, axis=0):
    pk = np.asarray(pk)
    pk = 1.0 * pk / np.sum(pk, axis=axis, keepdims=True)
    if qk is None:
        vec = np.where(pk > 0, -pk * np.log(np.where(pk > 0, pk, 1.0)), 0.0)
    else:
        qk = 1.0 * qk / np.sum(qk, axis=axis, keepdims=True)
        vec = np.where(pk > 0, pk * np.log(np.where(pk > 0, pk, 1.0) / qk), 0.0)
    S = np.sum(vec, axis=axis)
    if base is not None:
        S /= np.log(base)
    return S


def moment(a, order=1, axis=0):
    if order == 0 or order == 1:
        shape = list(a.shape)
        del shape[axis]
        dtype = a.dtype.type if a.dtype.kind in "fc" else np.float64
        return np.ones(shape, dtype=dtype) if order == 0 else np.zeros(shape, dtype=dtype)
    n_list = [order]
    current_n = order
    while current_n > 2:
        if current_n % 2:
            current_n = (current_n - 1) / 2
        else:
            current_n /= 2
        n_list.append(current_n)
    a_zero_mean = a - np.mean(a, axis, keepdims=True)
    if n_list[-1] == 1:
        s = a_zero_mean.copy()
    else:
        s = a_zero_mean ** 2
    for n in n_list[-2::-1]:
        s = s ** 2
        if n % 2:
            s *= a_zero_mean
    return np.mean(s, axis)


def skew(a, axis=0, bias=True):
    n = a.shape[axis]
    m2 = moment(a, 2, axis)
    m3 = moment(a, 3, axis)
    with np.errstate(all="ignore"):
        vals = np.where(m2 == 0, 0, m3 / m2 ** 1.5)
    if not bias:
        vals = np.sqrt((n - 1.0) * n) / (n - 2.0) * m3 / m2 ** 1.5
    return vals[()] if vals.ndim == 0 else vals


def kurtosis(a, axis=0, fisher=True, bias=True):
    n = a.shape[axis]
    m2 = moment(a, 2, axis)
    m4 = moment(a, 4, axis)
    with np.errstate(all="ignore"):
        vals = np.where(m2 == 0, 0, m4 / m2 ** 2.0)
    if not bias:
        nval = 1.0 / (n - 2) / (n - 3) * ((n ** 2 - 1.0) * m4 / m2 ** 2.0 - 3 * (n - 1) ** 2.0)
        vals = nval + 3.0
    return vals - 3 if fisher else vals


def describe(a, axis=0, ddof=1):
    n = a.shape[axis]
    mm = (np.min(a, axis=axis), np.max(a, axis=axis))
    m = np.mean(a, axis=axis)
    v = np.var(a, axis=axis, ddof=ddof)
    sk = skew(a, axis)
    kurt = kurtosis(a, axis)
    return {"nobs": n, "minmax": mm, "mean": m, "variance": v, "skewness": sk, "kurtosis": kurt}


def pearsonr(x, y):
    n = len(x)
    dtype = type(1.0 + x[0] + y[0])
    xmean = x.mean(dtype=dtype)
    ymean = y.mean(dtype=dtype)
    xm = x.astype(dtype) - xmean
    ym = y.astype(dtype) - ymean
    normxm = np.linalg.norm(xm)
    normym = np.linalg.norm(ym)
    r = np.dot(xm / normxm, ym / normym)
    r = np.clip(r, -1.0, 1.0)
    t = r * np.sqrt((n - 2) / (1.0 - r ** 2))
    return r, t


def pearsonr_builtin_clip(x, y):
    xm = x - x.mean()
    ym = y - y.mean()
    r = np.dot(xm / np.linalg.norm(xm), ym / np.linalg.norm(ym))
    return max(min(r, 1.0), -1.0)


def spearmanr(a, b):
    ra = rankdata(a).astype(np.float64)
    rb = rankdata(b).astype(np.float64)
    rs = np.corrcoef(ra, rb)
    return rs[1, 0]


def trim_mean(a, proportiontocut, axis=0):
    nobs = a.shape[axis]
    lowercut = int(proportiontocut * nobs)
    uppercut = nobs - lowercut
    atmp = np.partition(a, (lowercut, uppercut - 1), axis)
    sl = [slice(None)] * atmp.ndim
    sl[axis] = slice(lowercut, uppercut)
    return np.mean(atmp[tuple(sl)], axis=axis)


def trimboth(a, proportiontocut, axis=0):
    nobs = a.shape[axis]
    lowercut = int(proportiontocut * nobs)
    uppercut = nobs - lowercut
    atmp = np.sort(a, axis)
    sl = [slice(None)] * atmp.ndim
    sl[axis] = slice(lowercut, uppercut)
    return atmp[tuple(sl)]


def logsumexp(a, b=None, axis=None, keepdims=False, return_sign=False):
    if b is not None:
        a, b = np.broadcast_arrays(a, b)
    a_max = np.amax(a, axis=axis, keepdims=True)
    if a_max.ndim > 0:
        a_max[~np.isfinite(a_max)] = 0
    if b is not None:
        b = np.asarray(b)
        tmp = b * np.exp(a - a_max)
    else:
        tmp = np.exp(a - a_max)
    with np.errstate(divide="ignore"):
        s = np.sum(tmp, axis=axis, keepdims=keepdims)
        if return_sign:
            sgn = np.sign(s)
            s = np.abs(s)
        out = np.log(s)
    if not keepdims:
        a_max = np.squeeze(a_max, axis=axis)
    out += a_max
    if return_sign:
        return out, sgn
    return out


def logsumexp_scalar_branch(a):
    a_max = np.amax(a)
    if not np.isfinite(a_max):
        a_max = 0
    return np.log(np.sum(np.exp(a - a_max))) + a_max


def gmean(a, weights=None, axis=0):
    with np.errstate(divide="ignore"):
        log_a = np.log(a)
    return np.exp(np.average(log_a, axis=axis, weights=weights))


def hmean(a, axis=0):
    return a.shape[axis] / np.sum(1.0 / a, axis=axis)


def sem(a, axis=0, ddof=1):
    n = a.shape[axis]
    return np.std(a, axis=axis, ddof=ddof) / np.sqrt(n)


def variation(a, axis=0, ddof=0):
    return a.std(axis, ddof=ddof) / a.mean(axis)


def iqr(x, rng=(25, 75), scale=1.0):
    pct = np.percentile(x, rng, axis=0)
    out = np.subtract(pct[1], pct[0])
    if scale != 1.0:
        out = out / scale
    return out


def boxcox(x, lmbda):
    if lmbda == 0:
        return np.log(x)
    return (np.power(x, lmbda) - 1) / lmbda


def boxcox_llf(data, lmb):
    N = data.shape[0]
    logdata = np.log(data)
    if lmb == 0:
        logvar = np.log(np.var(logdata, axis=0))
    else:
        logx = lmb * logdata
        logvar = np.log(np.var(np.exp(logx), axis=0)) - 2 * np.log(abs(lmb))
    return (lmb - 1) * np.sum(logdata, axis=0) - N / 2 * logvar


def chisquare(f_obs, f_exp=None, ddof=0, axis=0):
    if f_exp is None:
        f_exp = np.mean(f_obs, axis=axis, keepdims=True)
    terms = (f_obs - f_exp) ** 2 / f_exp
    stat = terms.sum(axis=axis)
    num_obs = terms.shape[axis]
    return stat, num_obs - 1 - ddof


def ttest_ind_welch(a, b, axis=0):
    v1 = np.var(a, axis, ddof=1)
    v2 = np.var(b, axis, ddof=1)
    n1 = a.shape[axis]
    n2 = b.shape[axis]
    vn1 = v1 / n1
    vn2 = v2 / n2
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (vn1 + vn2) ** 2 / (vn1 ** 2 / (n1 - 1) + vn2 ** 2 / (n2 - 1))
    df = np.where(np.isnan(df), 1, df)
    denom = np.sqrt(vn1 + vn2)
    d = np.mean(a, axis) - np.mean(b, axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.divide(d, denom)
    return t, df


def binned_statistic_mean(x, values, bins=5):
    edges = np.linspace(x.min(), x.max(), bins + 1)
    binnumber = np.digitize(x, edges[1:-1])
    flatcount = np.bincount(binnumber, minlength=bins)
    flatsum = np.bincount(binnumber, weights=values, minlength=bins)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = flatsum / flatcount
    return result, edges, binnumber


def xlogy(x, y):
    return np.where(x == 0, 0.0, x * np.log(np.where(x == 0, 1.0, y)))


def expit(x):
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


def logit(p):
    with np.errstate(divide="ignore"):
        return np.log(p) - np.log1p(-p)


def special_log_softmax(x, axis=None):
    x_max = np.amax(x, axis=axis, keepdims=True)
    if x_max.ndim > 0:
        x_max[~np.isfinite(x_max)] = 0
    tmp = x - x_max
    exp_tmp = np.exp(tmp)
    with np.errstate(divide="ignore"):
        s = np.sum(exp_tmp, axis=axis, keepdims=True)
        out = np.log(s)
    out = tmp - out
    return out


def special_softmax(x, axis=None):
    x_max = np.amax(x, axis=axis, keepdims=True)
    exp_x_shifted = np.exp(x - x_max)
    return exp_x_shifted / np.sum(exp_x_shifted, axis=axis, keepdims=True)


def norm_logpdf(x, loc=0.0, scale=1.0):
    y = (x - loc) / scale
    return -y ** 2 / 2.0 - np.log(np.sqrt(2 * np.pi)) - np.log(scale)


def mad(x, axis=0, scale=1.4826):
    med = np.median(x, axis=axis, keepdims=True)
    return scale * np.median(np.abs(x - med), axis=axis)


def weighted_percentile(array, sample_weight, percentile=50):
    n_dim = array.ndim
    if n_dim == 1:
        array = array.reshape((-1, 1))
    if array.shape != sample_weight.shape and array.shape[0] == sample_weight.shape[0]:
        sample_weight = np.tile(sample_weight, (array.shape[1], 1)).T
    sorted_idx = np.argsort(array, axis=0, kind="stable")
    sorted_weights = np.take_along_axis(sample_weight, sorted_idx, axis=0)
    weight_cdf = np.cumsum(sorted_weights, axis=0, dtype=np.float64)
    adjusted_percentile = percentile / 100 * weight_cdf[-1]
    percentile_idx = np.array([
        np.searchsorted(weight_cdf[:, i], adjusted_percentile[i])
        for i in range(weight_cdf.shape[1])
    ])
    percentile_idx = np.array(percentile_idx)
    max_idx = sorted_idx.shape[0] - 1
    percentile_idx = np.apply_along_axis(lambda x: np.clip(x, 0, max_idx), axis=0,
                                         arr=percentile_idx)
    col_index = np.arange(array.shape[1])
    percentile_in_sorted = sorted_idx[percentile_idx, col_index]
    percentile = array[percentile_in_sorted, col_index]
    return percentile[0] if n_dim == 1 else percentile


# ----------------------------------------------------------------------------- scikit-learn


def row_norms(X, squared=False):
    norms = np.einsum("ij,ij->i", X, X)
    if not squared:
        np.sqrt(norms, norms)
    return norms


def safe_sparse_dot(a, b, dense_output=False):
    if a.ndim > 2 or b.ndim > 2:
        if b.ndim > 2:
            b_ = np.rollaxis(b, -2)
            b_2d = b_.reshape((b.shape[-2], -1))
            ret = a @ b_2d
            ret = ret.reshape(a.shape[0], *b_.shape[1:])
        else:
            ret = np.dot(a, b)
    else:
        ret = a @ b
    return ret


def skl_softmax(X, copy=True):
    if copy:
        X = np.copy(X)
    max_prob = np.max(X, axis=1).reshape((-1, 1))
    X -= max_prob
    np.exp(X, X)
    sum_prob = np.sum(X, axis=1).reshape((-1, 1))
    X /= sum_prob
    return X


def log_loss(y_true, y_pred, sample_weight=None, eps=1e-15, normalize=True, n_classes=3):
    T = (y_true[:, None] == np.arange(n_classes)).astype(np.int64)
    if y_pred.ndim == 1:
        y_pred = y_pred[:, np.newaxis]
    if y_pred.shape[1] == 1:
        y_pred = np.append(1 - y_pred, y_pred, axis=1)
    y_pred = np.clip(y_pred, eps, 1 - eps)
    y_pred_sum = y_pred.sum(axis=1)
    y_pred = y_pred / y_pred_sum[:, np.newaxis]
    loss = -(T * np.log(y_pred)).sum(axis=1)
    if normalize:
        return np.average(loss, weights=sample_weight)
    return np.dot(loss, sample_weight) if sample_weight is not None else loss.sum()


def roc_auc_by_ranks(y_true, y_score):
    order = np.argsort(y_score, kind="mergesort")
    ranks = np.empty(len(y_score))
    ranks[order] = np.arange(1, len(y_score) + 1)
    n_pos = np.sum(y_true == 1)
    n_neg = len(y_true) - n_pos
    return (np.sum(ranks[y_true == 1]) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def roc_curve_no_drop(y_true, y_score):
    desc_score_indices = np.argsort(y_score, kind="mergesort")[::-1]
    y_score = y_score[desc_score_indices]
    y_true = y_true[desc_score_indices]
    tps = np.cumsum(y_true, dtype=np.float64)
    fps = 1 + np.arange(len(y_true)) - tps
    tps = np.r_[0, tps]
    fps = np.r_[0, fps]
    thresholds = np.r_[np.inf, y_score]
    fpr = fps / fps[-1]
    tpr = tps / tps[-1]
    return fpr, tpr, thresholds, np.trapezoid(tpr, fpr)


def binary_clf_curve(y_true, y_score):
    desc_score_indices = np.argsort(y_score, kind="mergesort")[::-1]
    y_score = y_score[desc_score_indices]
    y_true = y_true[desc_score_indices]
    distinct_value_indices = np.where(np.diff(y_score))[0]
    threshold_idxs = np.r_[distinct_value_indices, y_true.size - 1]
    tps = np.cumsum(y_true)[threshold_idxs]
    fps = 1 + threshold_idxs - tps
    return fps, tps, y_score[threshold_idxs]


def confusion_matrix_bincount(y_true, y_pred, n_labels=3):
    return np.bincount(y_true * n_labels + y_pred,
                       minlength=n_labels ** 2).reshape(n_labels, n_labels)


def confusion_matrix_add_at(y_true, y_pred, sample_weight=None, n_labels=3):
    if sample_weight is None:
        sample_weight = np.ones(y_true.shape[0], dtype=np.int64)
    cm = np.zeros((n_labels, n_labels), dtype=sample_weight.dtype)
    np.add.at(cm, (y_true, y_pred), sample_weight)
    with np.errstate(all="ignore"):
        normed = cm / cm.sum(axis=1, keepdims=True)
    return cm, np.nan_to_num(normed)


def precision_recall_fscore(y_true, y_pred, n_labels=3, beta=1.0):
    true_and_pred = (y_true == y_pred)
    tp_sum = np.bincount(y_true, weights=true_and_pred, minlength=n_labels)
    pred_sum = np.bincount(y_pred, minlength=n_labels)
    true_sum = np.bincount(y_true, minlength=n_labels)
    precision = tp_sum / pred_sum
    recall = tp_sum / true_sum
    beta2 = beta ** 2
    f = (1 + beta2) * precision * recall / (beta2 * precision + recall)
    return precision, recall, f


def precision_recall_onehot(y_true, y_pred, n_labels=3):
    labels = np.arange(n_labels)
    Yt = y_true[:, None] == labels
    Yp = y_pred[:, None] == labels
    tp = np.sum(Yt & Yp, axis=0)
    fp = np.sum(~Yt & Yp, axis=0)
    fn = np.sum(Yt & ~Yp, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}


def label_binarize(y, classes, neg_label=0, pos_label=1):
    classes = np.asarray(classes)
    Y = (y[:, None] == classes[None, :]).astype(int)
    if neg_label != 0 or pos_label != 1:
        Y = Y * (pos_label - neg_label) + neg_label
    if len(classes) == 2:
        Y = Y[:, -1].reshape((-1, 1))
    return Y


def label_encode(y, classes):
    return np.searchsorted(classes, y)


def polynomial_features(X, degree=2, include_bias=True, interaction_only=False):
    n_samples, n_features = X.shape
    comb = itertools.combinations if interaction_only else itertools.combinations_with_replacement
    start = int(not include_bias)
    combinations = itertools.chain.from_iterable(
        comb(range(n_features), i) for i in range(start, degree + 1))
    combinations = list(combinations)
    XP = np.empty((n_samples, len(combinations)), dtype=X.dtype, order="C")
    for i, c in enumerate(combinations):
        XP[:, i] = X[:, c].prod(1)
    return XP


def euclidean_distances(X, Y=None, squared=False):
    XX = row_norms(X, squared=True)[:, np.newaxis]
    if Y is None:
        Y = X
        YY = XX.reshape(1, -1)
    else:
        YY = row_norms(Y, squared=True)[np.newaxis, :]
    distances = -2 * safe_sparse_dot(X, Y.T, dense_output=True)
    distances += XX
    distances += YY
    np.maximum(distances, 0, out=distances)
    if X is Y:
        np.fill_diagonal(distances, 0)
    return distances if squared else np.sqrt(distances, out=distances)


def euclidean_distances_float32(X, Y):
    """Float32 inputs are upcast by chunks in scikit-learn; here the whole block at once."""
    XX = row_norms(X.astype(np.float64), squared=True)[:, np.newaxis]
    YY = row_norms(Y.astype(np.float64), squared=True)[np.newaxis, :]
    d = -2 * np.dot(X.astype(np.float64), Y.T.astype(np.float64))
    d += XX
    d += YY
    np.maximum(d, 0, out=d)
    return np.sqrt(d).astype(np.float32, copy=False)


def manhattan_distances(X, Y):
    return np.abs(X[:, np.newaxis, :] - Y[np.newaxis, :, :]).sum(axis=2)


def rbf_kernel(X, Y=None, gamma=None):
    if gamma is None:
        gamma = 1.0 / X.shape[1]
    K = euclidean_distances(X, Y, squared=True)
    K *= -gamma
    np.exp(K, K)
    return K


def laplacian_kernel(X, Y, gamma=None):
    if gamma is None:
        gamma = 1.0 / X.shape[1]
    K = -gamma * manhattan_distances(X, Y)
    np.exp(K, K)
    return K


def additive_chi2_kernel(X, Y):
    num = (X[:, None, :] - Y[None, :, :]) ** 2
    den = X[:, None, :] + Y[None, :, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(den > 0, num / den, 0.0)
    return -frac.sum(axis=2)


def chi2_kernel(X, Y, gamma=1.0):
    K = additive_chi2_kernel(X, Y)
    K *= gamma
    return np.exp(K, K)


def polynomial_kernel(X, Y, degree=3, gamma=None, coef0=1):
    if gamma is None:
        gamma = 1.0 / X.shape[1]
    K = safe_sparse_dot(X, Y.T, dense_output=True)
    K *= gamma
    K += coef0
    K **= degree
    return K


def sigmoid_kernel(X, Y, gamma=None, coef0=1):
    if gamma is None:
        gamma = 1.0 / X.shape[1]
    K = safe_sparse_dot(X, Y.T, dense_output=True)
    K *= gamma
    K += coef0
    np.tanh(K, K)
    return K


def normalize(X, norm="l2", axis=1, copy=True, return_norm=False):
    if axis == 0:
        X = X.T
    if copy:
        X = X.copy()
    if norm == "l1":
        norms = np.abs(X).sum(axis=1)
    elif norm == "l2":
        norms = row_norms(X)
    else:
        norms = np.max(abs(X), axis=1)
    norms_ = norms.copy()
    norms_[norms_ == 0.0] = 1.0
    X /= norms_[:, np.newaxis]
    if axis == 0:
        X = X.T
    if return_norm:
        return X, norms
    return X


def incremental_mean_and_var(X, last_mean, last_variance, last_sample_count):
    last_sum = last_mean * last_sample_count
    X_nan_mask = np.isnan(X)
    new_sum = np.nansum(X, axis=0)
    new_sample_count = np.sum(~X_nan_mask, axis=0)
    updated_sample_count = last_sample_count + new_sample_count
    updated_mean = (last_sum + new_sum) / updated_sample_count
    T = new_sum / new_sample_count
    temp = X - T
    correction = np.nansum(temp, axis=0)
    temp **= 2
    new_unnormalized_variance = np.nansum(temp, axis=0)
    new_unnormalized_variance -= correction ** 2 / new_sample_count
    last_unnormalized_variance = last_variance * last_sample_count
    with np.errstate(divide="ignore", invalid="ignore"):
        last_over_new_count = last_sample_count / new_sample_count
        updated_unnormalized_variance = (
            last_unnormalized_variance + new_unnormalized_variance
            + last_over_new_count / updated_sample_count
            * (last_sum / last_over_new_count - new_sum) ** 2)
    zeros = last_sample_count == 0
    updated_unnormalized_variance[zeros] = new_unnormalized_variance[zeros]
    updated_variance = updated_unnormalized_variance / updated_sample_count
    return updated_mean, updated_variance, updated_sample_count


def standard_scaler_partial_fit(state, X):
    """A fitted scaler's attributes as a dict of arrays, updated in place as `partial_fit`
    does, then `transform` with `copy=False` scaling X in place."""
    mean, var, n = incremental_mean_and_var(X, state["mean_"], state["var_"],
                                            state["n_samples_seen_"])
    state["mean_"][...] = mean
    state["var_"][...] = var
    state["n_samples_seen_"][...] = n
    scale = np.sqrt(var)
    scale[scale < 10 * np.finfo(scale.dtype).eps] = 1.0
    state["scale_"][:] = scale
    X -= state["mean_"]
    X /= state["scale_"]
    return X


def min_max_scaler_partial_fit(X, data_min, data_max, feature_range=(0, 1)):
    data_min = np.minimum(data_min, np.nanmin(X, axis=0))
    data_max = np.maximum(data_max, np.nanmax(X, axis=0))
    data_range = data_max - data_min
    data_range[data_range == 0.0] = 1.0
    scale_ = (feature_range[1] - feature_range[0]) / data_range
    min_ = feature_range[0] - data_min * scale_
    X *= scale_
    X += min_
    return X, {"data_min_": data_min, "data_max_": data_max, "scale_": scale_, "min_": min_}


def max_abs_scale(X):
    max_abs = np.nanmax(np.abs(X), axis=0)
    max_abs[max_abs == 0.0] = 1.0
    return X / max_abs


def robust_scale(X, quantile_range=(25.0, 75.0)):
    center = np.nanmedian(X, axis=0)
    q_min, q_max = quantile_range
    quantiles = np.nanpercentile(X, quantile_range, axis=0)
    scale = quantiles[1] - quantiles[0]
    scale[scale == 0.0] = 1.0
    return (X - center) / scale


def binarize(X, threshold=0.0, copy=True):
    X = X.copy() if copy else X
    cond = X > threshold
    not_cond = np.logical_not(cond)
    X[cond] = 1
    X[not_cond] = 0
    return X


def kmeans_plusplus(X, n_clusters, seed=0, n_local_trials=None):
    random_state = np.random.RandomState(seed)
    n_samples, n_features = X.shape
    x_squared_norms = row_norms(X, squared=True)
    centers = np.empty((n_clusters, n_features), dtype=X.dtype)
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    center_id = random_state.randint(n_samples)
    indices = np.full(n_clusters, -1, dtype=int)
    centers[0] = X[center_id]
    indices[0] = center_id
    closest_dist_sq = euclidean_distances(centers[0, np.newaxis], X, squared=True)
    current_pot = closest_dist_sq.sum()
    for c in range(1, n_clusters):
        rand_vals = random_state.uniform(size=n_local_trials) * current_pot
        candidate_ids = np.searchsorted(np.cumsum(closest_dist_sq, dtype=np.float64), rand_vals)
        np.clip(candidate_ids, None, closest_dist_sq.size - 1, out=candidate_ids)
        distance_to_candidates = euclidean_distances(X[candidate_ids], X, squared=True)
        np.minimum(closest_dist_sq, distance_to_candidates, out=distance_to_candidates)
        candidates_pot = distance_to_candidates.sum(axis=1)
        best_candidate = np.argmin(candidates_pot)
        current_pot = candidates_pot[best_candidate]
        closest_dist_sq = distance_to_candidates[best_candidate]
        best_candidate = candidate_ids[best_candidate]
        centers[c] = X[best_candidate]
        indices[c] = best_candidate
    del x_squared_norms
    return centers, indices


def lloyd_iter(X, centers, n_iter=3):
    n_clusters = centers.shape[0]
    for _ in range(n_iter):
        d = euclidean_distances(X, centers, squared=True)
        labels = d.argmin(axis=1)
        weight_in_clusters = np.bincount(labels, minlength=n_clusters).astype(X.dtype)
        centers_new = np.zeros_like(centers)
        np.add.at(centers_new, labels, X)
        empty = weight_in_clusters == 0
        weight_in_clusters[empty] = 1
        centers_new /= weight_in_clusters[:, None]
        centers_new[empty] = centers[empty]
        center_shift = np.linalg.norm(centers_new - centers, axis=1)
        centers = centers_new
    inertia = d[np.arange(X.shape[0]), labels].sum()
    return centers, labels, inertia, center_shift


def kneighbors(X, Y, n_neighbors=3):
    dist = euclidean_distances(X, Y, squared=True)
    neigh_ind = np.argpartition(dist, n_neighbors - 1, axis=1)
    neigh_ind = neigh_ind[:, :n_neighbors]
    sample_range = np.arange(dist.shape[0])[:, None]
    neigh_ind = neigh_ind[sample_range, np.argsort(dist[sample_range, neigh_ind])]
    return np.sqrt(dist[sample_range, neigh_ind]), neigh_ind


def knn_predict_proba(dist, ind, y_train, n_classes=3):
    weights = 1.0 / np.maximum(dist, 1e-12)
    proba = np.zeros((ind.shape[0], n_classes))
    pred_labels = y_train[ind]
    all_rows = np.arange(ind.shape[0])
    for i, idx in enumerate(pred_labels.T):
        proba[all_rows, idx] += weights[:, i]
    normalizer = proba.sum(axis=1)[:, np.newaxis]
    normalizer[normalizer == 0.0] = 1.0
    proba /= normalizer
    return proba


def svd_flip(u, v, u_based_decision=True):
    if u_based_decision:
        max_abs_cols = np.argmax(np.abs(u), axis=0)
        signs = np.sign(u[max_abs_cols, range(u.shape[1])])
        u *= signs
        v *= signs[:, np.newaxis]
    else:
        max_abs_rows = np.argmax(np.abs(v), axis=1)
        signs = np.sign(v[range(v.shape[0]), max_abs_rows])
        u *= signs
        v *= signs[:, np.newaxis]
    return u, v


def deterministic_vector_sign_flip(u):
    max_abs_rows = np.argmax(np.abs(u), axis=1)
    signs = np.sign(u[range(u.shape[0]), max_abs_rows])
    u *= signs[:, np.newaxis]
    return u


def pca_fit_transform(X, n_components=2):
    mean_ = np.mean(X, axis=0)
    X = X - mean_
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    U, Vt = svd_flip(U, Vt)
    explained_variance_ = (S ** 2) / (X.shape[0] - 1)
    total_var = explained_variance_.sum()
    explained_variance_ratio_ = explained_variance_ / total_var
    U = U[:, :n_components]
    U *= S[:n_components]
    return U, Vt[:n_components], explained_variance_ratio_[:n_components]


def randomized_range_finder(A, size=3, n_iter=2, seed=0):
    random_state = np.random.RandomState(seed)
    Q = random_state.normal(size=(A.shape[1], size))
    if hasattr(A, "dtype") and A.dtype.kind == "f":
        Q = Q.astype(A.dtype, copy=False)
    for _ in range(n_iter):
        Q, _ = np.linalg.qr(A @ Q, mode="reduced")
        Q, _ = np.linalg.qr(A.T @ Q, mode="reduced")
    Q, _ = np.linalg.qr(A @ Q, mode="reduced")
    return Q


def log_logistic(X):
    out = np.empty_like(X)
    idx = X > 0
    out[idx] = -np.log1p(np.exp(-X[idx]))
    out[~idx] = X[~idx] - np.log1p(np.exp(X[~idx]))
    return out


def logistic_loss_and_grad(w, X, y, alpha, sample_weight=None):
    n_samples, n_features = X.shape
    grad = np.empty_like(w)
    c = w[-1]
    w = w[:-1]
    if sample_weight is None:
        sample_weight = np.ones(n_samples)
    z = safe_sparse_dot(X, w) + c
    yz = y * z
    out = -np.sum(sample_weight * log_logistic(yz)) + 0.5 * alpha * np.dot(w, w)
    z = 1.0 / (1.0 + np.exp(-yz))
    z0 = sample_weight * (z - 1) * y
    grad[:n_features] = safe_sparse_dot(X.T, z0) + alpha * w
    grad[-1] = z0.sum()
    return out, grad


def hinge_loss(y_true, pred_decision):
    margin = y_true * pred_decision
    losses = 1 - margin
    np.clip(losses, 0, None, out=losses)
    return np.average(losses)


def huber_loss_and_gradient(w, X, y, epsilon=1.35, alpha=1e-4):
    n_features = X.shape[1]
    sigma = w[-1]
    coef = w[:n_features]
    linear_loss = y - safe_sparse_dot(X, coef)
    abs_linear_loss = np.abs(linear_loss)
    outliers_mask = abs_linear_loss > epsilon * sigma
    n_sw_outliers = np.sum(outliers_mask)
    outlier_loss = 2.0 * epsilon * np.sum(np.where(outliers_mask, abs_linear_loss, 0.0)) \
        - sigma * n_sw_outliers * epsilon ** 2
    non_outliers = np.where(outliers_mask, 0.0, linear_loss)
    squared_loss = np.dot(non_outliers, non_outliers) / sigma
    loss = X.shape[0] * sigma + squared_loss + outlier_loss + alpha * np.dot(coef, coef)
    return loss, n_sw_outliers


def r2_score_multioutput(y_true, y_pred, multioutput="uniform_average"):
    numerator = ((y_true - y_pred) ** 2).sum(axis=0, dtype=np.float64)
    denominator = ((y_true - np.average(y_true, axis=0)) ** 2).sum(axis=0, dtype=np.float64)
    nonzero_denominator = denominator != 0
    nonzero_numerator = numerator != 0
    valid_score = nonzero_denominator & nonzero_numerator
    output_scores = np.ones([y_true.shape[1]])
    output_scores[valid_score] = 1 - (numerator[valid_score] / denominator[valid_score])
    output_scores[nonzero_numerator & ~nonzero_denominator] = 0.0
    if multioutput == "raw_values":
        return output_scores
    return np.average(output_scores)


def explained_variance(y_true, y_pred):
    y_diff_avg = np.average(y_true - y_pred, axis=0)
    numerator = np.average((y_true - y_pred - y_diff_avg) ** 2, axis=0)
    y_true_avg = np.average(y_true, axis=0)
    denominator = np.average((y_true - y_true_avg) ** 2, axis=0)
    return 1 - numerator / denominator


def accuracy_score(y_true, y_pred, sample_weight=None):
    score = y_true == y_pred
    return np.average(score, weights=sample_weight)


def gaussian_nb_update(mu, var, X, sample_weight=None, n_past=7):
    if sample_weight is not None:
        n_new = float(sample_weight.sum())
        new_mu = np.average(X, axis=0, weights=sample_weight)
        new_var = np.average((X - new_mu) ** 2, axis=0, weights=sample_weight)
    else:
        n_new = X.shape[0]
        new_var = np.var(X, axis=0)
        new_mu = np.mean(X, axis=0)
    n_total = float(n_past + n_new)
    total_mu = (n_new * new_mu + n_past * mu) / n_total
    old_ssd = n_past * var
    new_ssd = n_new * new_var
    total_ssd = old_ssd + new_ssd + (n_new * n_past / n_total) * (mu - new_mu) ** 2
    total_var = total_ssd / n_total
    return total_mu, total_var


def gaussian_nb_joint_log_likelihood(X, theta, var, class_prior):
    joint_log_likelihood = []
    for i in range(np.size(class_prior)):
        jointi = np.log(class_prior[i])
        n_ij = -0.5 * np.sum(np.log(2.0 * np.pi * var[i, :]))
        n_ij -= 0.5 * np.sum(((X - theta[i, :]) ** 2) / (var[i, :]), 1)
        joint_log_likelihood.append(jointi + n_ij)
    joint_log_likelihood = np.array(joint_log_likelihood).T
    return joint_log_likelihood, np.argmax(joint_log_likelihood, axis=1)


def check_sample_weight(sample_weight, X, dtype=None):
    n_samples = X.shape[0]
    if dtype is None:
        dtype = np.float64
    if sample_weight is None:
        sample_weight = np.ones(n_samples, dtype=dtype)
    elif isinstance(sample_weight, (int, float)):
        sample_weight = np.full(n_samples, sample_weight, dtype=dtype)
    else:
        sample_weight = np.asarray(sample_weight, dtype=dtype, order="C")
    return sample_weight / sample_weight.sum() * n_samples


# ----------------------------------------------------------------------------- scikit-image

_DTYPE_RANGE = {np.bool_: (False, True), np.uint8: (0, 255), np.uint16: (0, 65535),
                np.int8: (-128, 127), np.int16: (-32768, 32767),
                np.float16: (-1, 1), np.float32: (-1, 1), np.float64: (-1, 1)}


def img_as_float(image, force_copy=False):
    dtype_in = image.dtype.type
    if image.dtype.kind == "f":
        return image.copy() if force_copy else image
    float_out = np.float32 if image.dtype.itemsize <= 2 else np.float64
    imin_in, imax_in = _DTYPE_RANGE[dtype_in]
    if image.dtype.kind == "u":
        return np.multiply(image, 1.0 / imax_in, dtype=float_out)
    image = np.add(image, 0.5, dtype=float_out)
    image *= 2 / (imax_in - imin_in)
    return image


def img_as_ubyte(image):
    if image.dtype == np.uint8:
        return image
    if image.dtype.kind == "f":
        image_out = np.multiply(image, 255, dtype=image.dtype)
        np.rint(image_out, out=image_out)
        np.clip(image_out, 0, 255, out=image_out)
        return image_out.astype(np.uint8)
    if image.dtype == np.uint16:
        return (image >> 8).astype(np.uint8)
    if image.dtype == np.bool_:
        return image.astype(np.uint8) * 255
    return np.clip(image, 0, 255).astype(np.uint8)


def img_as_uint(image):
    if image.dtype == np.uint8:
        out = image.astype(np.uint16)
        out *= 257
        return out
    image_out = np.multiply(image, 65535, dtype=np.float64)
    np.rint(image_out, out=image_out)
    np.clip(image_out, 0, 65535, out=image_out)
    return image_out.astype(np.uint16)


def rgb2gray(rgb):
    rgb = img_as_float(rgb)
    coeffs = np.array([0.2125, 0.7154, 0.0721], dtype=rgb.dtype)
    return rgb @ coeffs


def rgb2gray_einsum(rgb):
    return np.einsum("...c,c->...", rgb[..., :3].astype(np.float32),
                     np.array([0.299, 0.587, 0.114], dtype=np.float32))


def gray2rgba(image, alpha=None):
    if alpha is None:
        alpha = _DTYPE_RANGE[image.dtype.type][1]
    alpha_arr = np.full(image.shape, alpha, dtype=image.dtype)
    return np.stack(np.broadcast_arrays(image, image, image, alpha_arr), axis=-1)


def rescale_intensity(image, in_range="image", out_range="dtype"):
    out_dtype = image.dtype if image.dtype.kind == "f" else np.float64
    if in_range == "image":
        imin, imax = np.min(image), np.max(image)
    else:
        imin, imax = in_range
    if out_range == "dtype":
        omin, omax = _DTYPE_RANGE[image.dtype.type]
        if image.dtype.kind == "f":
            omin = 0
        out_dtype = image.dtype
    else:
        omin, omax = out_range
    image = np.clip(image, imin, imax)
    if imin != imax:
        image = (image - imin) / (imax - imin)
        return np.asarray(image * (omax - omin) + omin, dtype=out_dtype)
    return np.clip(image, omin, omax).astype(out_dtype)


def equalize_hist_float(image, nbins=16):
    hist, bin_edges = np.histogram(image.ravel(), bins=nbins)
    bin_centers = (bin_edges[:-1] + bin_edges[1:]) / 2.0
    img_cdf = hist.cumsum()
    img_cdf = img_cdf / img_cdf[-1]
    out = np.interp(image.flat, bin_centers, img_cdf)
    out = out.reshape(image.shape)
    return out.astype(image.dtype, copy=False)


def equalize_hist_uint8(image):
    hist = np.bincount(image.ravel(), minlength=256)
    bin_centers = np.arange(256)
    img_cdf = hist.cumsum()
    img_cdf = img_cdf / img_cdf[-1]
    out = np.interp(image.ravel(), bin_centers, img_cdf)
    return out.reshape(image.shape)


def equalize_hist_float_cast(image, nbins=16):
    hist, bin_edges = np.histogram(image.ravel(), bins=nbins)
    bin_centers = (bin_edges[:-1] + bin_edges[1:]) / 2.0
    img_cdf = hist.cumsum()
    img_cdf = img_cdf / float(img_cdf[-1])
    return np.interp(image.flat, bin_centers, img_cdf).reshape(image.shape)


def histogram_uint8_offset(image):
    image = image.ravel()
    offset = 0
    if image.min() < 0:
        offset = image.min()
    hist = np.bincount(image - offset)
    return hist


def cumulative_distribution_uint8(image):
    hist = np.bincount(image.ravel(), minlength=256)
    img_cdf = hist.cumsum()
    img_cdf = img_cdf / img_cdf[-1]
    return img_cdf, np.arange(256)


def gaussian_kernel1d(sigma, order=0, radius=None):
    if radius is None:
        radius = int(4.0 * float(sigma) + 0.5)
    exponent_range = np.arange(order + 1)
    sigma2 = sigma * sigma
    x = np.arange(-radius, radius + 1)
    phi_x = np.exp(-0.5 / sigma2 * x ** 2)
    phi_x = phi_x / phi_x.sum()
    if order == 0:
        return phi_x
    q = np.zeros(order + 1)
    q[0] = 1
    D = np.diag(exponent_range[1:], 1)
    P = np.diag(np.ones(order) / -sigma2, -1)
    Q_deriv = D + P
    for _ in range(order):
        q = Q_deriv.dot(q)
    q = (x[:, None] ** exponent_range).dot(q)
    return q * phi_x


def gaussian_filter_separable(image, sigma=1.0):
    k = gaussian_kernel1d(sigma, radius=2)
    image = image.astype(np.float32)
    padded = np.pad(image, 2, mode="reflect")
    tmp = np.apply_along_axis(lambda r: np.convolve(r, k, mode="valid"), 1, padded)
    return np.apply_along_axis(lambda c: np.convolve(c, k, mode="valid"), 0, tmp)


def gaussian_kernel2d(image, sigma):
    r = 2
    y, x = np.mgrid[-r:r + 1, -r:r + 1]
    g = np.exp(-(x ** 2 + y ** 2) / (2.0 * sigma ** 2))
    g /= g.sum()
    out = np.zeros_like(image, dtype=np.float64)
    padded = np.pad(image, r, mode="edge")
    h, w = image.shape
    for i in range(2 * r + 1):
        for j in range(2 * r + 1):
            out += g[i, j] * padded[i:i + h, j:j + w]
    return out


def adjust_gamma(image, gamma=1, gain=1):
    dtype = image.dtype.type
    if image.dtype == np.uint8:
        lut = (255 * gain * (np.linspace(0, 1, 256) ** gamma)).astype("uint8")
        return lut[image]
    scale = float(_DTYPE_RANGE[dtype][1] - _DTYPE_RANGE[dtype][0])
    out = ((image / scale) ** gamma) * scale * gain
    return out.astype(dtype)


def adjust_log(image, gain=1, inv=False):
    scale = 1.0
    if inv:
        out = (2 ** (image / scale) - 1) * scale * gain
    else:
        out = np.log2(1 + image / scale) * scale * gain
    return out.astype(image.dtype)


def adjust_sigmoid(image, cutoff=0.5, gain=10, inv=False):
    scale = 1.0
    if inv:
        out = (1 - 1 / (1 + np.exp(gain * (cutoff - image / scale)))) * scale
        return out.astype(image.dtype)
    out = (1 / (1 + np.exp(gain * (cutoff - image / scale)))) * scale
    return out.astype(image.dtype)


def threshold_otsu_float(image, nbins=32):
    counts, bin_edges = np.histogram(image.ravel(), bins=nbins)
    bin_centers = (bin_edges[:-1] + bin_edges[1:]) / 2
    counts = counts.astype(np.float32, copy=False)
    weight1 = np.cumsum(counts)
    weight2 = np.cumsum(counts[::-1])[::-1]
    mean1 = np.cumsum(counts * bin_centers) / weight1
    mean2 = (np.cumsum((counts * bin_centers)[::-1]) / weight2[::-1])[::-1]
    variance12 = weight1[:-1] * weight2[1:] * (mean1[:-1] - mean2[1:]) ** 2
    idx = np.argmax(variance12)
    threshold = bin_centers[idx]
    return threshold, image > threshold


def skimage_rgb2hsv(rgb):
    arr = rgb.astype(np.float64)
    out = np.empty_like(arr)
    out_v = arr.max(-1)
    delta = np.ptp(arr, -1)
    old_settings = np.seterr(invalid="ignore")
    out_s = delta / out_v
    out_s[delta == 0.0] = 0.0
    idx = arr[..., 0] == out_v
    out[idx, 0] = (arr[idx, 1] - arr[idx, 2]) / delta[idx]
    idx = arr[..., 1] == out_v
    out[idx, 0] = 2.0 + (arr[idx, 2] - arr[idx, 0]) / delta[idx]
    idx = arr[..., 2] == out_v
    out[idx, 0] = 4.0 + (arr[idx, 0] - arr[idx, 1]) / delta[idx]
    out_h = (out[..., 0] / 6.0) % 1.0
    out_h[delta == 0.0] = 0.0
    np.seterr(**old_settings)
    out[..., 0] = out_h
    out[..., 1] = out_s
    out[..., 2] = out_v
    out[np.isnan(out)] = 0
    return out


def skimage_hsv2rgb_choose(hsv):
    hi = np.floor(hsv[..., 0] * 6)
    f = hsv[..., 0] * 6 - hi
    p = hsv[..., 2] * (1 - hsv[..., 1])
    q = hsv[..., 2] * (1 - f * hsv[..., 1])
    t = hsv[..., 2] * (1 - (1 - f) * hsv[..., 1])
    v = hsv[..., 2]
    hi = np.stack([hi, hi, hi], axis=-1).astype(np.uint8) % 6
    out = np.choose(hi, np.stack([np.stack((v, t, p), axis=-1),
                                  np.stack((q, v, p), axis=-1),
                                  np.stack((p, v, t), axis=-1),
                                  np.stack((p, q, v), axis=-1),
                                  np.stack((t, p, v), axis=-1),
                                  np.stack((v, p, q), axis=-1)]))
    return out


def rgb2ycbcr(rgb):
    ycbcr_from_rgb = np.array([[65.481, 128.553, 24.966],
                               [-37.797, -74.203, 112.0],
                               [112.0, -93.786, -18.214]])
    arr = img_as_float(rgb)
    out = arr @ ycbcr_from_rgb.T.astype(arr.dtype)
    out[..., 0] += 16
    out[..., 1] += 128
    out[..., 2] += 128
    return out


def integral_image(image):
    S = image
    for i in range(image.ndim):
        S = S.cumsum(axis=i)
    return S


def integrate_boxes(ii, r0, c0, r1, c1):
    S = np.zeros(r0.shape, dtype=ii.dtype)
    S += ii[r1, c1]
    m = (r0 >= 1) & (c0 >= 1)
    S += np.where(m, ii[np.maximum(r0 - 1, 0), np.maximum(c0 - 1, 0)], 0)
    m = r0 >= 1
    S -= np.where(m, ii[np.maximum(r0 - 1, 0), c1], 0)
    m = c0 >= 1
    S -= np.where(m, ii[r1, np.maximum(c0 - 1, 0)], 0)
    return S


def block_reduce_mean(image, block_size=(2, 2)):
    pad_width = []
    for i in range(len(block_size)):
        after = (block_size[i] - image.shape[i] % block_size[i]) % block_size[i]
        pad_width.append((0, after))
    image = np.pad(image, pad_width=pad_width, mode="constant", constant_values=0)
    h, w = image.shape
    bh, bw = block_size
    blocked = image.reshape(h // bh, bh, w // bw, bw).transpose(0, 2, 1, 3)
    return np.mean(blocked, axis=(2, 3))


def sobel(image):
    image = image.astype(np.float32)
    p = np.pad(image, 1, mode="reflect")
    gx = (p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2])
    gy = (p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:])
    mag = np.hypot(gx, gy)
    mag /= np.sqrt(2) * 4
    return mag


def random_noise_gaussian(image, mean=0.0, var=0.01, seed=42, clip=True):
    rng = np.random.default_rng(seed)
    image = img_as_float(image)
    if image.min() < 0:
        low_clip = -1.0
    else:
        low_clip = 0.0
    noise = rng.normal(mean, var ** 0.5, image.shape)
    out = image + noise
    if clip:
        out = np.clip(out, low_clip, 1.0)
    return out


def random_noise_speckle(image, var=0.01, seed=7):
    rng = np.random.default_rng(seed)
    image = img_as_float(image)
    noise = rng.normal(0.0, var ** 0.5, image.shape)
    out = image + image * noise
    np.clip(out, 0.0, 1.0, out=out)
    return out


def peak_signal_noise_ratio(image_true, image_test, data_range=None):
    if data_range is None:
        dmin, dmax = _DTYPE_RANGE[image_true.dtype.type]
        data_range = dmax - dmin
    image_true = image_true.astype(np.float64)
    image_test = image_test.astype(np.float64)
    err = np.mean((image_true - image_test) ** 2, dtype=np.float64)
    return 10 * np.log10((data_range ** 2) / err)


def ssim_uniform(im1, im2, win_size=3, data_range=1.0):
    K1, K2 = 0.01, 0.03
    ndim = im1.ndim
    NP = win_size ** ndim
    cov_norm = NP / (NP - 1)

    def uniform(x):
        c = np.cumsum(np.cumsum(np.pad(x, ((1, 0), (1, 0))), axis=0), axis=1)
        w = win_size
        return (c[w:, w:] - c[:-w, w:] - c[w:, :-w] + c[:-w, :-w]) / NP

    im1 = im1.astype(np.float64)
    im2 = im2.astype(np.float64)
    ux, uy = uniform(im1), uniform(im2)
    uxx, uyy, uxy = uniform(im1 * im1), uniform(im2 * im2), uniform(im1 * im2)
    vx = cov_norm * (uxx - ux * ux)
    vy = cov_norm * (uyy - uy * uy)
    vxy = cov_norm * (uxy - ux * uy)
    C1 = (K1 * data_range) ** 2
    C2 = (K2 * data_range) ** 2
    A1, A2, B1, B2 = ((2 * ux * uy + C1, 2 * vxy + C2, ux ** 2 + uy ** 2 + C1, vx + vy + C2))
    D = B1 * B2
    S = (A1 * A2) / D
    return S.mean(dtype=np.float64), S


def crop_and_flip(image, crop_width=1):
    sl = tuple(slice(crop_width, s - crop_width) for s in image.shape[:2])
    out = image[sl]
    return out[::-1, ::-1, ...].copy()


# ----------------------------------------------------------------------------- statsmodels


def add_constant(data, prepend=True):
    x = np.asarray(data)
    if x.ndim == 1:
        x = x[:, None]
    ones = np.ones(x.shape[0])
    if prepend:
        return np.column_stack((ones, x))
    return np.column_stack((x, ones))


def ols_pinv(endog, exog):
    exog = add_constant(exog)
    nobs, k = exog.shape
    pinv_wexog = np.linalg.pinv(exog)
    normalized_cov_params = np.dot(pinv_wexog, np.transpose(pinv_wexog))
    params = np.dot(pinv_wexog, endog)
    fittedvalues = np.dot(exog, params)
    resid = endog - fittedvalues
    df_resid = nobs - np.linalg.matrix_rank(exog)
    ssr = np.dot(resid, resid)
    scale = ssr / df_resid
    bse = np.sqrt(np.diag(normalized_cov_params * scale))
    centered_tss = np.sum((endog - np.mean(endog)) ** 2)
    rsquared = 1 - ssr / centered_tss
    nobs2 = nobs / 2.0
    llf = -nobs2 * np.log(2 * np.pi) - nobs2 * np.log(ssr / nobs) - nobs2
    aic = -2 * llf + 2 * k
    bic = -2 * llf + np.log(nobs) * k
    return {"params": params, "bse": bse, "tvalues": params / bse, "rsquared": rsquared,
            "llf": llf, "aic": aic, "bic": bic, "resid": resid}


def ols_lstsq(endog, exog):
    params, ssr, rank, s = np.linalg.lstsq(exog, endog, rcond=-1)
    resid = endog - exog @ params
    return params, np.sum(resid ** 2), rank, s


def wls(endog, exog, weights):
    w_half = np.sqrt(weights)
    wexog = w_half[:, None] * exog
    wendog = w_half * endog
    params = np.linalg.pinv(wexog) @ wendog
    return params, endog - exog @ params


def lagmat(x, maxlag, trim="forward", original="ex"):
    xa = np.asarray(x)
    if xa.ndim == 1:
        xa = xa[:, None]
    nobs, nvar = xa.shape
    if original in ["ex", "sep"]:
        dropidx = nvar
    else:
        dropidx = 0
    lm = np.zeros((nobs + maxlag, nvar * (maxlag + 1)))
    for k in range(0, int(maxlag + 1)):
        lm[maxlag - k: nobs + maxlag - k, nvar * (maxlag - k): nvar * (maxlag - k + 1)] = xa
    if trim in ("none", "forward"):
        startobs = 0
    else:
        startobs = maxlag
    if trim in ("none", "backward"):
        stopobs = len(lm)
    else:
        stopobs = nobs
    lags = lm[startobs:stopobs, dropidx:]
    if original == "sep":
        leads = lm[startobs:stopobs, :dropidx]
        return lags, leads
    return lags


def acovf(x, adjusted=False, demean=True, fft=False):
    xo = x - x.mean() if demean else x
    n = len(x)
    lag_len = n - 1
    if adjusted:
        d = np.arange(1, n + 1)
        d = np.hstack((d, d[:-1][::-1]))
    else:
        d = n * np.ones(2 * n - 1)
    if fft:
        nobs = len(xo)
        n2 = 2 ** int(np.ceil(np.log2(2 * nobs - 1)))
        Frf = np.fft.fft(xo, n=n2)
        acov = np.fft.ifft(Frf * np.conjugate(Frf))[:nobs] / d[nobs - 1:]
        acov = acov.real
    else:
        acov = np.correlate(xo, xo, "full")[n - 1:] / d[n - 1:]
    return acov[:lag_len + 1]


def acf(x, nlags=5, fft=False):
    avf = acovf(x, fft=fft)
    return avf[:nlags + 1] / avf[0]


def acf_loop(x, nlags=5):
    x = x - x.mean()
    n = len(x)
    denom = np.dot(x, x)
    out = np.empty(nlags + 1)
    out[0] = 1.0
    for k in range(1, nlags + 1):
        out[k] = np.dot(x[:n - k], x[k:]) / denom
    return out


def levinson_durbin(s, nlags=4):
    sxx_m = acovf(s)[:nlags + 1]
    phi = np.zeros((nlags + 1, nlags + 1), "d")
    sig = np.zeros(nlags + 1)
    phi[1, 1] = sxx_m[1] / sxx_m[0]
    sig[1] = sxx_m[0] - phi[1, 1] * sxx_m[1]
    for k in range(2, nlags + 1):
        phi[k, k] = (sxx_m[k] - np.dot(phi[1:k, k - 1], sxx_m[1:k][::-1])) / sig[k - 1]
        for j in range(1, k):
            phi[j, k] = phi[j, k - 1] - phi[k, k] * phi[k - j, k - 1]
        sig[k] = sig[k - 1] * (1 - phi[k, k] ** 2)
    sigma_v = sig[-1]
    arcoefs = phi[1:, -1]
    pacf_ = np.diag(phi).copy()
    pacf_[0] = 1.0
    return sigma_v, arcoefs, pacf_, sig, phi


def yule_walker(x, order=2, method="adjusted", demean=True):
    x = np.array(x, dtype=np.float64)
    if demean:
        x -= x.mean()
    n = x.shape[0]
    adj_needed = method == "adjusted"
    r = np.zeros(order + 1, np.float64)
    r[0] = (x ** 2).sum() / n
    for k in range(1, order + 1):
        r[k] = (x[0:-k] * x[k:]).sum() / (n - k * adj_needed)
    idx = np.abs(np.subtract.outer(np.arange(order), np.arange(order)))
    R = r[:-1][idx]
    rho = np.linalg.solve(R, r[1:])
    sigmasq = r[0] - (r[1:] * rho).sum()
    sigma = np.sqrt(sigmasq) if not np.isnan(sigmasq) and sigmasq > 0 else np.nan
    return rho, sigma


def yule_walker_no_branch(x, order=2):
    x = np.array(x, dtype=np.float64)
    x -= x.mean()
    n = x.shape[0]
    r = np.zeros(order + 1, np.float64)
    r[0] = (x ** 2).sum() / n
    for k in range(1, order + 1):
        r[k] = (x[0:-k] * x[k:]).sum() / (n - k)
    idx = np.abs(np.subtract.outer(np.arange(order), np.arange(order)))
    R = r[:-1][idx]
    rho = np.linalg.solve(R, r[1:])
    sigmasq = r[0] - (r[1:] * rho).sum()
    return rho, np.sqrt(np.where(sigmasq > 0, sigmasq, np.nan))


def pacf_ols(x, nlags=3):
    xlags, x0 = lagmat(x, nlags, original="sep", trim="both")
    xlags = add_constant(xlags)
    pacf = np.empty(nlags + 1)
    pacf[0] = 1.0
    for k in range(1, nlags + 1):
        params = np.linalg.lstsq(xlags[:, :k + 1], x0, rcond=None)[0]
        pacf[k] = np.squeeze(params[-1])
    return pacf


def acorr_ljungbox(x, lags=4):
    nobs = x.shape[0]
    acfx = acf(x, nlags=lags)
    acf2norm = acfx[1:lags + 1] ** 2 / (nobs - np.arange(1, lags + 1))
    qljungbox = nobs * (nobs + 2) * np.cumsum(acf2norm)
    qboxpierce = nobs * np.cumsum(acfx[1:lags + 1] ** 2)
    return {"lb_stat": qljungbox, "bp_stat": qboxpierce, "lags": np.arange(1, lags + 1)}


def hpfilter(x, lamb=1600):
    nobs = len(x)
    I = np.eye(nobs)
    K = np.diff(I, 2, axis=0)
    trend = np.linalg.solve(I + lamb * K.T.dot(K), x)
    cycle = x - trend
    return cycle, trend


def hpfilter_banded(x, lamb=1600):
    nobs = len(x)
    offsets = [0, 1, 2]
    data = np.repeat([[1.0], [-2.0], [1.0]], nobs, axis=1)
    K = np.zeros((nobs - 2, nobs))
    for d, off in zip(data, offsets):
        K[np.arange(nobs - 2), np.arange(nobs - 2) + off] = d[:nobs - 2]
    trend = np.linalg.solve(np.eye(nobs) + lamb * K.T @ K, x)
    return x - trend, trend


def durbin_watson(resids, axis=0):
    diff_resids = np.diff(resids, 1, axis=axis)
    dw = np.sum(diff_resids ** 2, axis=axis) / np.sum(resids ** 2, axis=axis)
    return dw


def detrend(x, order=1, axis=0):
    nobs = x.shape[0]
    if order == 0:
        return x - np.expand_dims(x.mean(axis), axis)
    trends = np.vander(np.arange(float(nobs)), N=order + 1)
    beta = np.linalg.pinv(trends).dot(x)
    resid = x - np.dot(trends, beta)
    return resid


def seasonal_decompose_additive(x, period=4):
    nobs = len(x)
    if period % 2 == 0:
        filt = np.array([0.5] + [1] * (period - 1) + [0.5]) / period
    else:
        filt = np.repeat(1.0 / period, period)
    nfilt = len(filt)
    trim_head = int(np.ceil(nfilt / 2.0) - 1) or None
    trim_tail = int(np.ceil(nfilt / 2.0) - nfilt % 2) or None
    result = np.convolve(x, filt, mode="valid")
    trend = np.r_[np.full(trim_head or 0, np.nan), result, np.full(trim_tail or 0, np.nan)]
    detrended = x - trend
    period_averages = np.array([np.nanmean(detrended[i::period]) for i in range(period)])
    period_averages -= np.mean(period_averages, axis=0)
    seasonal = np.tile(period_averages.T, nobs // period + 1).T[:nobs]
    resid = detrended - seasonal
    return trend, seasonal, resid


def arma_generate_sample(ar, ma, eta):
    nsample = eta.shape[0]
    y = np.zeros(nsample)
    p, q = len(ar) - 1, len(ma) - 1
    for t in range(nsample):
        acc = ma[0] * eta[t]
        for j in range(1, q + 1):
            if t - j >= 0:
                acc += ma[j] * eta[t - j]
        for i in range(1, p + 1):
            if t - i >= 0:
                acc -= ar[i] * y[t - i]
        y[t] = acc / ar[0]
    return y


def ccf(x, y, adjusted=True):
    n = len(x)
    xo = x - x.mean()
    yo = y - y.mean()
    if adjusted:
        d = np.arange(n, 0, -1)
    else:
        d = n
    cvf = np.correlate(xo, yo, "full")[n - 1:] / d
    return cvf / (np.std(x) * np.std(y))


def het_breuschpagan(resid, exog_het):
    y = resid ** 2
    y = y / y.mean()
    exog = add_constant(exog_het)
    params = np.linalg.lstsq(exog, y, rcond=None)[0]
    fitted = exog @ params
    ess = np.sum((fitted - y.mean()) ** 2)
    lm = 0.5 * ess
    nobs = exog.shape[0]
    rsq = 1 - np.sum((y - fitted) ** 2) / np.sum((y - y.mean()) ** 2)
    return lm, nobs * rsq


def cov_hac_simple(x, resid, nlags=2):
    xu = x * resid[:, None]
    nobs = xu.shape[0]
    S = xu.T @ xu / nobs
    weights = 1 - np.arange(nlags + 1) / (nlags + 1.0)
    for lag in range(1, nlags + 1):
        s = np.dot(xu[lag:].T, xu[:-lag]) / nobs
        S += weights[lag] * (s + s.T)
    xxi = np.linalg.inv(x.T @ x / nobs)
    return xxi @ S @ xxi / nobs


# ----------------------------------------------------------------------------- networkx


def pagerank_fixed(A, alpha=0.85, max_iter=30):
    N = A.shape[0]
    S = A.sum(axis=1)
    S[S != 0] = 1.0 / S[S != 0]
    Q = S[:, np.newaxis] * A
    x = np.repeat(1.0 / N, N)
    p = np.repeat(1.0 / N, N)
    dangling_weights = p
    is_dangling = S == 0
    for _ in range(max_iter):
        xlast = x
        x = alpha * (x @ Q + x[is_dangling].sum() * dangling_weights) + (1 - alpha) * p
        err = np.absolute(x - xlast).sum()
    return x, err


def pagerank_converge(A, alpha=0.85, max_iter=100, tol=1e-6):
    N = A.shape[0]
    S = A.sum(axis=1)
    S[S != 0] = 1.0 / S[S != 0]
    Q = S[:, np.newaxis] * A
    x = np.repeat(1.0 / N, N)
    p = np.repeat(1.0 / N, N)
    is_dangling = np.where(S == 0)[0]
    for _ in range(max_iter):
        xlast = x
        x = alpha * (x @ Q + sum(x[is_dangling]) * p) + (1 - alpha) * p
        err = np.absolute(x - xlast).sum()
        if err < N * tol:
            return x
    raise RuntimeError("no convergence")


def google_matrix(A, alpha=0.85):
    M = np.asarray(A, dtype=float)
    N = len(M)
    p = np.repeat(1.0 / N, N)
    dangling_weights = p
    dangling_nodes = np.where(M.sum(axis=1) == 0)[0]
    M[dangling_nodes] = dangling_weights
    M /= M.sum(axis=1)[:, np.newaxis]
    return alpha * M + (1 - alpha) * p


def google_matrix_mask(A, alpha=0.85):
    M = np.asarray(A, dtype=float)
    N = len(M)
    p = np.repeat(1.0 / N, N)
    dangling = M.sum(axis=1) == 0
    M[dangling] = p
    M /= M.sum(axis=1)[:, np.newaxis]
    return alpha * M + (1 - alpha) * p


def normalized_laplacian(A):
    n = A.shape[0]
    diags = A.sum(axis=1)
    with np.errstate(divide="ignore"):
        diags_sqrt = 1.0 / np.sqrt(diags)
    diags_sqrt[np.isinf(diags_sqrt)] = 0
    DH = np.diag(diags_sqrt)
    return np.eye(n) - DH @ (A @ DH)


def laplacian_matrix(A):
    D = np.diag(A.sum(axis=1))
    return D - A


def floyd_warshall_numpy(W):
    A = np.where(W > 0, W, np.inf)
    n, m = A.shape
    np.fill_diagonal(A, 0)
    for i in range(n):
        A = np.minimum(A, A[i, :][np.newaxis, :] + A[:, i][:, np.newaxis])
    return A


def bellman_ford_edges(u, v, w, n, source=0):
    dist = np.full(n, np.inf)
    dist[source] = 0.0
    for _ in range(n - 1):
        cand = dist[u] + w
        np.minimum.at(dist, v, cand)
    return dist


def hits(A, max_iter=20):
    n = A.shape[0]
    h = np.ones(n) / n
    for _ in range(max_iter):
        a = A.T @ h
        a /= a.max()
        h = A @ a
        h /= h.max()
    return h / h.sum(), a / a.sum()


def eigenvector_centrality(A, max_iter=50):
    n = A.shape[0]
    x = np.ones(n) / n
    for _ in range(max_iter):
        x = x @ A + x
        x /= np.linalg.norm(x)
    return x


def katz_centrality(A, alpha=0.1, beta=1.0, normalized=True):
    n = A.shape[0]
    b = np.ones((n, 1)) * float(beta)
    centrality = np.linalg.solve(np.eye(n, n) - (alpha * A.T), b).squeeze()
    norm = np.sign(sum(centrality)) * np.linalg.norm(centrality) if normalized else 1
    return centrality / norm


def clustering_coefficients(A):
    A = (A > 0).astype(np.int64)
    np.fill_diagonal(A, 0)
    A = A | A.T
    triangles = np.diag(A @ A @ A) // 2
    deg = A.sum(axis=1)
    denom = deg * (deg - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(denom > 0, 2 * triangles / denom, 0.0)
    return c, triangles, deg


def edges_to_adjacency(u, v, w, n):
    A = np.zeros((n, n))
    np.add.at(A, (u, v), w)
    A = A + A.T
    A[np.diag_indices(n)] /= 2
    return A


def bfs_levels_matrix(A, source=0):
    n = A.shape[0]
    adj = A > 0
    level = np.full(n, -1, dtype=np.int64)
    level[source] = 0
    frontier = np.zeros(n, dtype=bool)
    frontier[source] = True
    visited = frontier.copy()
    for depth in range(1, n):
        frontier = (adj[frontier].any(axis=0)) & ~visited
        level[frontier] = depth
        visited |= frontier
    return level


def bfs_levels_matmul(A, source=0):
    n = A.shape[0]
    adj = (A > 0).astype(np.int64)
    level = np.full(n, -1, dtype=np.int64)
    level[source] = 0
    frontier = np.zeros(n, dtype=np.int64)
    frontier[source] = 1
    visited = frontier.astype(bool)
    for depth in range(1, n):
        reach = (frontier @ adj) > 0
        new = reach & ~visited
        level[new] = depth
        visited |= new
        frontier = new.astype(np.int64)
    return level


# ----------------------------------------------------------------------------- matplotlib


def mpl_normalize(value, vmin=None, vmax=None, clip=False):
    result = np.array(value, dtype=np.float64 if value.dtype.itemsize > 2 else np.float32,
                      copy=True)
    if vmin is None:
        vmin = result.min()
    if vmax is None:
        vmax = result.max()
    resdat = result
    if clip:
        np.clip(resdat, vmin, vmax, out=resdat)
    resdat -= vmin
    resdat /= (vmax - vmin)
    return resdat


def mpl_normalize_checked(value):
    vmin, vmax = value.min(), value.max()
    if vmin == vmax:
        return np.zeros_like(value)
    if vmin > vmax:
        raise ValueError("minvalue must be less than or equal to maxvalue")
    return (value - vmin) / (vmax - vmin)


def mpl_lognorm(value, vmin, vmax):
    t_value = np.log10(value).reshape(np.shape(value))
    t_vmin, t_vmax = np.log10([vmin, vmax])
    t_value -= t_vmin
    t_value /= (t_vmax - t_vmin)
    return t_value


def mpl_lognorm_autoscale(value):
    A = np.where(value > 0, value, np.nan)
    vmin, vmax = np.nanmin(A), np.nanmax(A)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_value = np.log10(value)
    t_vmin, t_vmax = np.log10(vmin), np.log10(vmax)
    return (t_value - t_vmin) / (t_vmax - t_vmin)


def mpl_boundary_norm(value, boundaries, ncolors=8, clip=False):
    boundaries = np.asarray(boundaries)
    N = len(boundaries)
    Ncmap = ncolors
    xx = np.atleast_1d(value)
    iret = np.digitize(xx, boundaries) - 1
    if Ncmap > N - 1:
        iret = ((Ncmap - 1) / (N - 2) * iret).astype(np.int16)
    iret = iret.astype(np.int16)
    iret[xx < boundaries[0]] = -1
    iret[xx >= boundaries[-1]] = Ncmap
    return iret


def _viridis_like_lut(N=8):
    x = np.linspace(0, 1, N)
    lut = np.ones((N + 3, 4))
    lut[:N, 0] = x
    lut[:N, 1] = x ** 2
    lut[:N, 2] = 1 - x
    lut[N] = (0.0, 0.0, 0.0, 1.0)
    lut[N + 1] = (1.0, 1.0, 1.0, 1.0)
    lut[N + 2] = (0.0, 0.0, 0.0, 0.0)
    return lut


def mpl_colormap_call(X, alpha=None, bytes=False, N=8):
    lut = _viridis_like_lut(N)
    i_under, i_over, i_bad = N, N + 1, N + 2
    xa = np.array(X, copy=True)
    if not xa.dtype.isnative:
        xa = xa.byteswap().view(xa.dtype.newbyteorder())
    if xa.dtype.kind == "f":
        xa *= N
        xa[xa == N] = N - 1
    mask_under = xa < 0
    mask_over = xa >= N
    mask_bad = np.isnan(xa)
    with np.errstate(invalid="ignore"):
        xa = xa.astype(int)
    xa[mask_under] = i_under
    xa[mask_over] = i_over
    xa[mask_bad] = i_bad
    if bytes:
        lut = (lut * 255).astype(np.uint8)
    rgba = lut.take(xa, axis=0, mode="clip")
    if alpha is not None:
        alpha = np.clip(alpha, 0, 1)
        if bytes:
            alpha *= 255
        rgba[..., -1] = alpha
    return rgba


def mpl_create_lookup_table(adata, N=9, gamma=1.0):
    x = adata[:, 0]
    y0 = adata[:, 1]
    y1 = adata[:, 2]
    x = x * (N - 1)
    xind = (N - 1) * np.linspace(0, 1, N) ** gamma
    ind = np.searchsorted(x, xind)[1:-1]
    distance = (xind[1:-1] - x[ind - 1]) / (x[ind] - x[ind - 1])
    lut = np.concatenate([[y1[0]], distance * (y0[ind] - y1[ind - 1]) + y1[ind - 1], [y0[-1]]])
    return np.clip(lut, 0.0, 1.0)


def colormap_interp(values, stops, colors):
    v = np.clip(values.ravel(), 0.0, 1.0)
    rgb = np.column_stack([np.interp(v, stops, colors[:, c]) for c in range(colors.shape[1])])
    return rgb.reshape(values.shape + (colors.shape[1],))


def mpl_hsv_to_rgb(hsv):
    in_shape = hsv.shape
    h = hsv[..., 0]
    s = hsv[..., 1]
    v = hsv[..., 2]
    r = np.empty_like(h)
    g = np.empty_like(h)
    b = np.empty_like(h)
    i = (h * 6.0).astype(int)
    f = (h * 6.0) - i
    p = v * (1.0 - s)
    q = v * (1.0 - s * f)
    t = v * (1.0 - s * (1.0 - f))
    idx = i % 6 == 0
    r[idx] = v[idx]
    g[idx] = t[idx]
    b[idx] = p[idx]
    idx = i == 1
    r[idx] = q[idx]
    g[idx] = v[idx]
    b[idx] = p[idx]
    idx = i == 2
    r[idx] = p[idx]
    g[idx] = v[idx]
    b[idx] = t[idx]
    idx = i == 3
    r[idx] = p[idx]
    g[idx] = q[idx]
    b[idx] = v[idx]
    idx = i == 4
    r[idx] = t[idx]
    g[idx] = p[idx]
    b[idx] = v[idx]
    idx = i == 5
    r[idx] = v[idx]
    g[idx] = p[idx]
    b[idx] = q[idx]
    idx = s == 0
    r[idx] = v[idx]
    g[idx] = v[idx]
    b[idx] = v[idx]
    rgb = np.stack([r, g, b], axis=-1)
    return rgb.reshape(in_shape)


def mpl_rgb_to_hsv(arr):
    out = np.zeros_like(arr)
    arr_max = arr.max(-1)
    ipos = arr_max > 0
    delta = np.ptp(arr, -1)
    s = np.zeros_like(delta)
    s[ipos] = delta[ipos] / arr_max[ipos]
    ipos = delta > 0
    idx = (arr[..., 0] == arr_max) & ipos
    out[idx, 0] = (arr[idx, 1] - arr[idx, 2]) / delta[idx]
    idx = (arr[..., 1] == arr_max) & ipos
    out[idx, 0] = 2.0 + (arr[idx, 2] - arr[idx, 0]) / delta[idx]
    idx = (arr[..., 2] == arr_max) & ipos
    out[idx, 0] = 4.0 + (arr[idx, 0] - arr[idx, 1]) / delta[idx]
    out[..., 0] = (out[..., 0] / 6.0) % 1.0
    out[..., 1] = s
    out[..., 2] = arr_max
    return out


def path_get_extents(vertices, codes=None):
    if codes is not None:
        vertices = np.where((codes != 0)[:, None], vertices, np.nan)
    xys = vertices
    xmin, ymin = np.nanmin(xys, axis=0)
    xmax, ymax = np.nanmax(xys, axis=0)
    return np.array([[xmin, ymin], [xmax, ymax]])


def bbox_union(bboxes):
    x0 = np.min(bboxes[:, 0, 0])
    y0 = np.min(bboxes[:, 0, 1])
    x1 = np.max(bboxes[:, 1, 0])
    y1 = np.max(bboxes[:, 1, 1])
    return np.array([[x0, y0], [x1, y1]]), (x1 - x0) * (y1 - y0)


def affine2d_rotate_translate(points, tx, ty, sx=1.0, theta=0.0):
    a = math.cos(theta)
    b = math.sin(theta)
    mtx = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], float)
    rotate_mtx = np.array([[a, -b, 0.0], [b, a, 0.0], [0.0, 0.0, 1.0]], float)
    mtx = rotate_mtx @ mtx
    scale_mtx = np.array([[sx, 0.0, 0.0], [0.0, sx, 0.0], [0.0, 0.0, 1.0]], float)
    mtx = scale_mtx @ mtx
    mtx[0, 2] += tx
    mtx[1, 2] += ty
    return np.dot(points, mtx[:2, :2].T) + mtx[:2, 2], mtx


def affine_traced_angle(points, theta):
    c, s = np.cos(theta), np.sin(theta)
    mtx = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    homog = np.column_stack([points, np.ones(len(points))])
    out = homog @ mtx.T
    return out[:, :2], np.linalg.inv(mtx)


def linear_locator(data, numticks=5):
    vmin, vmax = data.min(), data.max()
    return np.linspace(vmin, vmax, numticks)


def scale_range(vmin, vmax, n=1, threshold=100):
    dv = abs(vmax - vmin)
    meanv = (vmax + vmin) / 2
    if abs(meanv) / dv < threshold:
        offset = 0
    else:
        offset = math.copysign(10 ** (math.log10(abs(meanv)) // 1), meanv)
    scale = 10 ** (math.log10(dv / n) // 1)
    return scale, offset


def autoscale_ticks(data):
    scale, offset = scale_range(data.min(), data.max(), n=5)
    return np.arange(0, 6) * scale + offset


def multiple_locator_static(data, base=0.5, vmin=-3.0, vmax=3.0):
    step = base
    n = (vmax - vmin + 0.001 * step) // step
    locs = vmin - step + np.arange(n + 3) * step
    locs = np.round(locs / step) * step
    inside = (locs >= data.min()) & (locs <= data.max())
    return locs, inside


def multiple_locator_data(data, base=0.5):
    vmin, vmax = data.min(), data.max()
    step = base
    vmin = np.floor(vmin / step) * step
    n = (vmax - vmin + 0.001 * step) // step
    return vmin - step + np.arange(n + 3) * step


def nice_ticks_floor_ceil(data, nbins=5):
    lo, hi = data.min(), data.max()
    raw = (hi - lo) / nbins
    mag = 10.0 ** np.floor(np.log10(raw))
    steps = np.array([1.0, 2.0, 2.5, 5.0, 10.0]) * mag
    step = steps[np.argmax(steps >= raw)]
    first = np.floor(lo / step) * step
    last = np.ceil(hi / step) * step
    ticks = first + np.arange(nbins + 2) * step
    return np.where(ticks <= last + 0.5 * step, ticks, np.nan), step


def simple_linear_interpolation(a, steps=3):
    fps = a.reshape((len(a), -1))
    xp = np.arange(len(a)) * steps
    x = np.arange((len(a) - 1) * steps + 1)
    return (np.column_stack([np.interp(x, xp, fp) for fp in fps.T])
            .reshape((len(x),) + a.shape[1:]))


def boxplot_stats(X, whis=1.5):
    stats = {}
    x = np.asarray(X)
    stats["mean"] = np.mean(x)
    q1, med, q3 = np.percentile(x, [25, 50, 75])
    stats["iqr"] = q3 - q1
    stats["q1"] = q1
    stats["med"] = med
    stats["q3"] = q3
    loval = q1 - whis * stats["iqr"]
    hival = q3 + whis * stats["iqr"]
    wiskhi = x[x <= hival]
    stats["whishi"] = np.max(wiskhi)
    wisklo = x[x >= loval]
    stats["whislo"] = np.min(wisklo)
    stats["nfliers"] = np.count_nonzero((x < stats["whislo"]) | (x > stats["whishi"]))
    return stats


def boxplot_fliers(X, whis=1.5):
    q1, q3 = np.percentile(X, [25, 75])
    iqr = q3 - q1
    return X[(X < q1 - whis * iqr) | (X > q3 + whis * iqr)]


def mlab_detrend_linear(y):
    x = np.arange(y.size, dtype=float)
    C = np.cov(x, y, bias=1)
    b = C[0, 1] / C[0, 0]
    a = y.mean() - b * x.mean()
    return y - (b * x + a)


def mlab_detrend_mean(x, axis=None):
    return x - x.mean(axis, keepdims=True)


def mlab_psd_segments(x, NFFT=8, noverlap=4):
    step = NFFT - noverlap
    nseg = (len(x) - noverlap) // step
    idx = np.arange(NFFT)[None, :] + step * np.arange(nseg)[:, None]
    segs = x[idx]
    segs = segs - segs.mean(axis=1, keepdims=True)
    window = np.hanning(NFFT)
    segs = segs * window
    spec = np.abs(np.fft.rfft(segs, axis=1)) ** 2
    spec /= (np.abs(window) ** 2).sum()
    spec[:, 1:-1] *= 2
    return spec.mean(axis=0), np.fft.rfftfreq(NFFT)


def hillshade(elevation, azdeg=315, altdeg=45, vert_exag=1, dx=1, dy=1, fraction=1.0):
    az = np.radians(90 - azdeg)
    alt = np.radians(altdeg)
    direction = np.array([np.cos(az) * np.cos(alt), np.sin(az) * np.cos(alt), np.sin(alt)])
    e_dy, e_dx = np.gradient(vert_exag * elevation, dy, dx)
    normal = np.empty(elevation.shape + (3,))
    normal[..., 0] = -e_dx
    normal[..., 1] = -e_dy
    normal[..., 2] = 1
    normal /= np.sqrt(np.sum(normal ** 2, axis=-1))[..., np.newaxis]
    intensity = normal.dot(direction)
    imin, imax = intensity.min(), intensity.max()
    intensity *= fraction
    intensity -= imin
    intensity /= (imax - imin)
    intensity = np.clip(intensity, 0, 1)
    return intensity


def hillshade_view(elevation):
    e_dy, e_dx = np.gradient(elevation)
    normal = np.empty(elevation.shape + (3,)).view(type(e_dx))
    normal[..., 0] = -e_dx
    normal[..., 1] = -e_dy
    normal[..., 2] = 1
    return normal.sum(axis=-1)


def premultiplied_argb32(rgba8888):
    argb32 = np.take(rgba8888, [2, 1, 0, 3], axis=2)
    rgb24 = argb32[..., :-1]
    alpha8 = argb32[..., -1:]
    mask = (alpha8 != 0)[..., 0]
    out = rgb24.astype(np.uint16) * alpha8 // 255
    rgb24[mask] = out[mask].astype(np.uint8)
    return argb32


def unmultiply_rgba(rgba8888):
    rgba = rgba8888.copy()
    rgb24 = rgba[..., :-1]
    alpha8 = rgba[..., -1:]
    mask = (alpha8 != 0)[..., 0]
    safe = np.where(alpha8 == 0, 1, alpha8).astype(int)
    fixed = np.minimum(rgb24.astype(int) * 255 // safe, 255)
    rgb24[mask] = fixed[mask].astype(np.uint8)
    return rgba


# ----------------------------------------------------------------------------- astropy


def angular_separation(lon1, lat1, lon2, lat2):
    sdlon = np.sin(lon2 - lon1)
    cdlon = np.cos(lon2 - lon1)
    slat1 = np.sin(lat1)
    slat2 = np.sin(lat2)
    clat1 = np.cos(lat1)
    clat2 = np.cos(lat2)
    num1 = clat2 * sdlon
    num2 = clat1 * slat2 - slat1 * clat2 * cdlon
    denominator = slat1 * slat2 + clat1 * clat2 * cdlon
    return np.arctan2(np.hypot(num1, num2), denominator)


def haversine_deg(ra1, dec1, ra2, dec2):
    ra1, dec1, ra2, dec2 = map(np.radians, (ra1, dec1, ra2, dec2))
    sdlat = np.sin((dec2 - dec1) / 2) ** 2
    sdlon = np.sin((ra2 - ra1) / 2) ** 2
    a = sdlat + np.cos(dec1) * np.cos(dec2) * sdlon
    return np.degrees(2 * np.arcsin(np.sqrt(np.clip(a, 0, 1))))


def position_angle(lon1, lat1, lon2, lat2):
    deltalon = lon2 - lon1
    colat = np.cos(lat2)
    x = np.sin(lat2) * np.cos(lat1) - colat * np.sin(lat1) * np.cos(deltalon)
    y = np.sin(deltalon) * colat
    return np.arctan2(y, x) % (2 * np.pi)


def offset_by(lon, lat, posang, distance):
    cos_a = np.cos(distance)
    sin_a = np.sin(distance)
    cos_c = np.sin(lat)
    sin_c = np.cos(lat)
    cos_B = np.cos(posang)
    sin_B = np.sin(posang)
    cos_b = cos_c * cos_a + sin_c * sin_a * cos_B
    xsin_A = sin_a * sin_B * sin_c
    xcos_A = cos_a - cos_b * cos_c
    A = np.arctan2(xsin_A, xcos_A)
    small_sin_c = sin_c < 1e-12
    A = np.where(small_sin_c, posang + np.pi * (1 - np.sign(cos_c)) / 2, A)
    outlon = (lon + A) % (2 * np.pi)
    outlat = np.arctan2(cos_b, np.hypot(xsin_A, xcos_A))
    return outlon, outlat


def cartesian_to_spherical(x, y, z):
    s = np.hypot(x, y)
    r = np.hypot(s, z)
    lon = np.arctan2(y, x)
    lat = np.arctan2(z, s)
    return r, lat, lon


def spherical_to_cartesian(r, lat, lon):
    x = r * np.cos(lat) * np.cos(lon)
    y = r * np.cos(lat) * np.sin(lon)
    z = r * np.sin(lat)
    return np.stack([x, y, z], axis=-1)


def rotation_matrix(angle, axis="z"):
    angle = np.radians(angle)
    s = np.sin(angle)
    c = np.cos(angle)
    i = "xyz".index(axis)
    a1 = (i + 1) % 3
    a2 = (i + 2) % 3
    R = np.zeros(getattr(angle, "shape", ()) + (3, 3))
    R[..., i, i] = 1.0
    R[..., a1, a1] = c
    R[..., a1, a2] = s
    R[..., a2, a1] = -s
    R[..., a2, a2] = c
    return R


def matrix_transpose(matrix):
    return matrix.swapaxes(-2, -1)


def icrs_to_galactic(ra, dec):
    ra_gp, dec_gp, l_ncp = 192.85948, 27.12825, 122.93192
    mat = (rotation_matrix(180 - l_ncp, "z") @ rotation_matrix(90 - dec_gp, "y")
           @ rotation_matrix(ra_gp, "z"))
    xyz = spherical_to_cartesian(1.0, np.radians(dec), np.radians(ra))
    gal = np.einsum("ij,...j->...i", mat, xyz)
    _, b, l = cartesian_to_spherical(gal[..., 0], gal[..., 1], gal[..., 2])
    return np.degrees(l) % 360.0, np.degrees(b)


def rotate_batch(angles, vecs):
    R = rotation_matrix(angles, "x") @ matrix_transpose(rotation_matrix(angles / 2, "z"))
    return np.einsum("...ij,...j->...i", R, vecs), R


def wrap_at(angle, wrap_angle=180.0):
    self_angle = angle
    a360 = 360.0
    wrap_angle_floor = wrap_angle - a360
    with np.errstate(invalid="ignore"):
        wraps = (self_angle - wrap_angle_floor) // a360
    np.nan_to_num(wraps, copy=False)
    self_angle -= wraps * a360
    self_angle[self_angle >= wrap_angle] -= a360
    self_angle[self_angle < wrap_angle_floor] += a360
    return self_angle


def wrap_at_branch(angle, wrap_angle=180.0):
    wraps = (angle - (wrap_angle - 360.0)) // 360.0
    if np.any(wraps != 0):
        angle -= wraps * 360.0
    return angle


def gmst_deg(jd_ut1):
    t = (jd_ut1 - 2451545.0) / 36525.0
    gmst = (280.46061837 + 360.98564736629 * (jd_ut1 - 2451545.0)
            + 0.000387933 * t ** 2 - t ** 3 / 38710000.0)
    return np.mod(gmst, 360.0)


def cal2jd(iy, im, id):
    my = (im - 14) // 12
    iypmy = iy + my
    djm0 = 2400000.5
    djm = ((1461 * (iypmy + 4800)) // 4 + (367 * (im - 2 - 12 * my)) // 12
           - (3 * ((iypmy + 4900) // 100)) // 4 + id - 2432076)
    return djm0, djm.astype(np.float64)


def altaz_from_hadec(ha, dec, lat):
    sin_alt = np.sin(dec) * np.sin(lat) + np.cos(dec) * np.cos(lat) * np.cos(ha)
    alt = np.arcsin(np.clip(sin_alt, -1, 1))
    az = np.arctan2(-np.cos(dec) * np.sin(ha),
                    np.sin(dec) * np.cos(lat) - np.cos(dec) * np.sin(lat) * np.cos(ha))
    airmass = 1.0 / np.cos(np.pi / 2 - alt)
    airmass[alt <= 0] = np.inf
    return np.mod(az, 2 * np.pi), alt, airmass


def sigma_clip(data, sigma=2.0, maxiters=3):
    filtered = data.astype(np.float64, copy=True)
    for _ in range(maxiters):
        med = np.nanmedian(filtered)
        std = np.nanstd(filtered)
        bad = (filtered < med - sigma * std) | (filtered > med + sigma * std)
        filtered[bad] = np.nan
    mask = np.isnan(filtered)
    return filtered, mask


def sigma_clipped_stats(data, sigma=2.0, maxiters=3):
    filtered, mask = sigma_clip(data, sigma, maxiters)
    return np.nanmean(filtered), np.nanmedian(filtered), np.nanstd(filtered)


def mad_std(data, axis=None):
    med = np.median(data, axis=axis, keepdims=True)
    return 1.482602218505602 * np.median(np.abs(data - med), axis=axis)


def biweight_location(data, c=6.0, M=None):
    if M is None:
        M = np.median(data)
    d = data - M
    mad = np.median(np.abs(d))
    u = d / (c * mad)
    mask = np.abs(u) >= 1
    u = (1 - u ** 2) ** 2
    u[mask] = 0
    return M + (d * u).sum() / u.sum()


def biweight_midvariance(data, c=9.0):
    M = np.median(data)
    d = data - M
    mad = np.median(np.abs(d))
    u = d / (c * mad)
    mask = np.abs(u) < 1
    u = u ** 2
    n = mask.sum()
    f1 = d * d * (1.0 - u) ** 4
    f1[~mask] = 0.0
    f1 = f1.sum()
    f2 = (1.0 - u) * (1.0 - 5.0 * u)
    f2[~mask] = 0.0
    f2 = np.abs(f2.sum()) ** 2
    return n * f1 / f2


def gaussian2d_kernel(x_stddev, x_size=7):
    half = x_size // 2
    y, x = np.meshgrid(np.arange(-half, half + 1), np.arange(-half, half + 1), indexing="ij")
    amp = 1.0 / (2 * np.pi * x_stddev ** 2)
    array = amp * np.exp(-(x ** 2 + y ** 2) / (2 * x_stddev ** 2))
    array /= array.sum()
    return array


def convolve_fft_normalized(image, kernel):
    shape = [a + b - 1 for a, b in zip(image.shape, kernel.shape)]
    nanmask = np.isnan(image)
    image = np.where(nanmask, 0.0, image)
    fi = np.fft.rfftn(image, shape, axes=(0, 1))
    fk = np.fft.rfftn(kernel, shape, axes=(0, 1))
    conv = np.fft.irfftn(fi * fk, shape, axes=(0, 1))
    wconv = np.fft.irfftn(np.fft.rfftn((~nanmask).astype(float), shape, axes=(0, 1)) * fk, shape,
                           axes=(0, 1))
    kh, kw = kernel.shape[0] // 2, kernel.shape[1] // 2
    conv = conv[kh:kh + image.shape[0], kw:kw + image.shape[1]]
    wconv = wconv[kh:kh + image.shape[0], kw:kw + image.shape[1]]
    return conv / wconv


# ----------------------------------------------------------------------------- groupby idioms


def groupby_unique_sum(keys, values):
    uniq, inverse = np.unique(keys, return_inverse=True)
    sums = np.bincount(inverse, weights=values)
    return uniq, sums


def groupby_add_at(keys, values, n_groups):
    sums = np.zeros(n_groups, dtype=values.dtype)
    counts = np.zeros(n_groups, dtype=np.int64)
    np.add.at(sums, keys, values)
    np.add.at(counts, keys, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    return {"sum": sums, "count": counts, "mean": means}


def groupby_max_min_at(keys, values, n_groups):
    mx = np.full(n_groups, -np.inf)
    mn = np.full(n_groups, np.inf)
    np.maximum.at(mx, keys, values)
    np.minimum.at(mn, keys, values)
    return mx, mn


def groupby_max_int(keys, values, n_groups):
    mx = np.full(n_groups, np.iinfo(values.dtype).min, dtype=values.dtype)
    np.maximum.at(mx, keys, values)
    return mx


def groupby_bincount_bounded(keys, values, n_groups=4):
    k = np.clip(keys, 0, n_groups - 1)
    counts = np.bincount(k, minlength=n_groups)
    sums = np.bincount(k, weights=values, minlength=n_groups)
    return sums / np.maximum(counts, 1), counts


def groupby_transform_demean(keys, values, n_groups):
    sums = np.zeros(n_groups)
    counts = np.zeros(n_groups)
    np.add.at(sums, keys, values)
    np.add.at(counts, keys, 1.0)
    means = sums / np.where(counts == 0, 1, counts)
    return values - means[keys]


def groupby_lexsort(keys1, keys2, values):
    order = np.lexsort((values, keys2, keys1))
    return keys1[order], keys2[order], values[order], order


def groupby_sorted_ids(keys, values):
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    sv = values[order]
    starts = np.r_[True, sk[1:] != sk[:-1]]
    group_id = np.cumsum(starts) - 1
    n = len(keys)
    sums = np.zeros(n)
    np.add.at(sums, group_id, sv)
    ngroups = starts.sum()
    return sums, ngroups, group_id


def groupby_cumcount(keys):
    n = len(keys)
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    starts = np.concatenate(([True], sk[1:] != sk[:-1]))
    idx = np.arange(n)
    start_idx = np.maximum.accumulate(np.where(starts, idx, 0))
    out = np.empty(n, dtype=np.int64)
    out[order] = idx - start_idx
    return out


def groupby_cumsum(keys, values):
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    sv = values[order]
    starts = np.concatenate(([True], sk[1:] != sk[:-1]))
    cs = np.cumsum(sv)
    offset = np.maximum.accumulate(np.where(starts, np.arange(len(sk)), 0))
    base = (cs - sv)[offset]
    out = np.empty_like(values)
    out[order] = cs - base
    return out


def groupby_split(keys, values):
    order = np.argsort(keys, kind="stable")
    sk, sv = keys[order], values[order]
    cuts = np.flatnonzero(np.diff(sk)) + 1
    groups = np.split(sv, cuts)
    return [g.mean() for g in groups]


def groupby_first_last(keys, values, n_groups):
    first = np.full(n_groups, np.nan)
    last = np.full(n_groups, np.nan)
    idx = np.arange(len(keys))
    first_idx = np.full(n_groups, len(keys))
    np.minimum.at(first_idx, keys, idx)
    last_idx = np.full(n_groups, -1)
    np.maximum.at(last_idx, keys, idx)
    has = last_idx >= 0
    first[has] = values[first_idx[has]]
    last[has] = values[last_idx[has]]
    return first, last


def pivot_table(rows, cols, values, n_rows, n_cols):
    table = np.zeros((n_rows, n_cols), dtype=values.dtype)
    np.add.at(table, (rows, cols), values)
    counts = np.zeros((n_rows, n_cols), dtype=np.int64)
    np.add.at(counts, (rows, cols), 1)
    return table, counts, table.sum(axis=1), table.sum(axis=0)


def value_counts_bool(mask_rows):
    return mask_rows.sum(axis=0), np.count_nonzero(mask_rows, axis=1)


def searchsorted_buckets(x, edges):
    b = np.searchsorted(edges, x, side="right") - 1
    b = np.clip(b, 0, len(edges) - 2)
    counts = np.bincount(b, minlength=len(edges) - 1)
    sums = np.bincount(b, weights=x, minlength=len(edges) - 1)
    return counts, sums


def rank_within_group(keys, values):
    order = np.lexsort((values, keys))
    sk = keys[order]
    starts = np.r_[True, sk[1:] != sk[:-1]]
    idx = np.arange(len(keys))
    start_idx = np.maximum.accumulate(np.where(starts, idx, 0))
    ranks = np.empty(len(keys), dtype=np.int64)
    ranks[order] = idx - start_idx + 1
    return ranks


def groupby_unique_counts(keys):
    uniq, counts = np.unique(keys, return_counts=True)
    return dict(zip(uniq.tolist(), counts.tolist()))


def dedupe_sorted(x):
    s = np.sort(x)
    keep = np.concatenate(([True], s[1:] != s[:-1]))
    return s[keep]


def mode_bounded(labels, n_classes=5):
    counts = np.bincount(labels % n_classes, minlength=n_classes)
    return np.argmax(counts), counts


# ----------------------------------------------------------------------------- more internals


def label_encoder_sorter(y, classes):
    sorter = np.argsort(classes)
    return sorter[np.searchsorted(classes, y, sorter=sorter)]


def hue_interp_periodic(h, xp, fp):
    return np.interp(h, xp, fp, period=1.0)


def interp_left_right(x, xp, fp):
    return np.interp(x, xp, fp, left=np.nan, right=-1.0)


def digitize_right_bincount(x, bins):
    idx = np.digitize(x, bins, right=True)
    return idx, np.bincount(idx, minlength=len(bins) + 1)


def histogram_density_weights(x, w):
    edges = np.linspace(-3, 3, 7)
    hist, edges = np.histogram(x, bins=edges, weights=w, density=True)
    return hist, edges


def nan_to_num_in_place(x):
    np.nan_to_num(x, copy=False, nan=0.0, posinf=5.0, neginf=-5.0)
    return x.sum()


def argmax_unravel(a):
    ij = np.unravel_index(np.argmax(a), a.shape)
    return ij, a[ij]


def block_reduceat(x, block=2):
    starts = np.arange(0, x.shape[0], block)
    return np.add.reduceat(x, starts, axis=0), np.maximum.reduceat(x, starts, axis=0)


def take_along_rows(arr, idx):
    return np.take_along_axis(arr, idx[:, None], axis=1)[:, 0]


def polyfit_weighted(x, y, w, deg=2):
    coef = np.polyfit(x, y, deg, w=w)
    return coef, np.polyval(coef, x)


def spectral_layout(A, dim=2):
    D = np.diag(A.sum(axis=1))
    L = D - A
    eigenvalues, eigenvectors = np.linalg.eigh(L)
    index = np.argsort(eigenvalues)[1:dim + 1]
    pos = np.real(eigenvectors[:, index])
    pos -= pos.mean(axis=0)
    lim = np.abs(pos).max()
    return pos * (1.0 / lim) if lim > 0 else pos


def spectral_layout_no_branch(A, dim=2):
    D = np.diag(A.sum(axis=1))
    L = D - A
    eigenvalues, eigenvectors = np.linalg.eigh(L)
    index = np.argsort(eigenvalues)[1:dim + 1]
    pos = np.abs(eigenvectors[:, index])
    pos -= pos.mean(axis=0)
    return pos / np.abs(pos).max()


def top_k_descending(scores, k=3):
    order = scores.argsort(axis=1)[:, ::-1][:, :k]
    return order, np.take_along_axis(scores, order, axis=1)


def round_half_away(x, decimals=1):
    scale = 10.0 ** decimals
    return np.sign(x) * np.floor(np.abs(x) * scale + 0.5) / scale, np.round(x, decimals=decimals)


def python_divmod_angles(deg):
    turns, rest = divmod(deg, 360.0)
    return turns.astype(np.int64), rest, np.fmod(deg, 360.0), np.remainder(deg, -360.0)


def logaddexp_reduce(x):
    return np.logaddexp.reduce(x, axis=1), np.logaddexp.accumulate(x, axis=1)


def check_array_2d(X, dtype=np.float64):
    X = np.asarray(X, dtype=dtype)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    return np.atleast_2d(X).T @ X


def assert_all_finite(X):
    if not np.isfinite(X.sum()):
        raise ValueError("Input contains NaN, infinity or a value too large.")
    return X


def masked_max_where(x, mask):
    return (x.max(axis=0, initial=-np.inf, where=mask), np.mean(x, axis=0, where=mask),
            np.sum(x, axis=1, where=mask))


def copyto_where(dst, src, mask):
    np.copyto(dst, src, where=mask)
    return dst


def out_chain_uint8(img, gain):
    tmp = np.empty(img.shape, dtype=np.float32)
    np.multiply(img, gain, out=tmp)
    np.clip(tmp, 0, 255, out=tmp)
    out = np.empty_like(img)
    np.rint(tmp, out=tmp)
    out[...] = tmp.astype(np.uint8)
    return out


def floor_divide_in_place(counts, k):
    np.floor_divide(counts, k, out=counts)
    counts %= 7
    return counts


def add_unsafe_cast(acc, delta):
    np.add(acc, delta, out=acc, casting="unsafe")
    return acc


def in_place_sort_columns(X):
    X.sort(axis=0)
    X[:, 0].sort()
    return X[X.shape[0] // 2]


def cumsum_out(x):
    out = np.empty(x.shape, dtype=np.float64)
    np.cumsum(x, axis=0, out=out)
    return out


def iinfo_scaling(img):
    info = np.iinfo(img.dtype)
    return (img.astype(np.float64) - info.min) / (info.max - info.min)


def full_like_nan(x):
    out = np.full_like(x, np.nan, dtype=float)
    out[::2] = x[::2]
    return out, np.ones_like(x, dtype=bool)


def cov_corr_variants(X):
    return (np.cov(X.T, ddof=0), np.cov(X[:, 0], X[:, 1]), np.corrcoef(X, rowvar=False),
            np.cov(X, rowvar=False, bias=True))


def percentile_methods(x):
    return (np.percentile(x, [10, 50, 90], axis=0, method="nearest"),
            np.quantile(x, 0.25, axis=0, method="lower"),
            np.percentile(x, 75, method="higher", keepdims=True))


def diff_prepend(x):
    return np.diff(x, prepend=x[0]), np.diff(x, n=2, append=x[-1:]), np.ediff1d(x, to_begin=0.0)


def norm_orders(X):
    return (np.linalg.norm(X, ord=1, axis=1), np.linalg.norm(X, ord=np.inf, axis=0),
            np.linalg.norm(X, "fro"), np.linalg.norm(X, ord=2))


def kwargs_methods(x):
    return x.clip(min=0), x.clip(max=0.5), x.round(2), x.std(ddof=1, axis=0), np.ptp(x, axis=0)


def lstsq_1d_cholesky(X, y):
    G = X.T @ X + 1e-3 * np.eye(X.shape[1])
    L = np.linalg.cholesky(G)
    z = np.linalg.solve(L, X.T @ y)
    beta = np.linalg.solve(L.T, z)
    coef = np.linalg.lstsq(X[:, :1], y, rcond=None)[0]
    return beta, coef


def var_companion(coefs):
    p, k, _ = coefs.shape
    comp = np.zeros((k * p, k * p))
    comp[:k] = np.concatenate(list(coefs), axis=1)
    if p > 1:
        comp[k:, :-k] = np.eye(k * (p - 1))
    return comp, np.abs(np.linalg.eigvals(comp)).max()


def kron_covariance(sigma, n):
    return np.kron(np.eye(n), sigma), np.kron(sigma, np.ones((1, n)))


# ----------------------------------------------------------------------------- images and loops


def overlay_label_color(image, labels, color=(255, 0, 0)):
    out = image.copy()
    mask = labels > 0
    out[mask] = color
    out[labels == 2, 1:] = 128
    return out


def label2rgb_average(image, labels, n_labels=3):
    out = np.zeros_like(image, dtype=np.float64)
    for k in range(n_labels):
        mask = labels == k
        color = image[mask].mean(axis=0)
        out[mask] = color
    return out


def column_mask_zero(X, keep):
    X = X.copy()
    X[:, ~keep] = 0.0
    return X


def center_columns_in_place(X):
    X[:, 0] -= X[:, 0].mean()
    X[:, 1::2] *= 2
    X[::-1][:1] += 1.0
    return X


def sort_reversed_view(x):
    y = x.copy()
    y[::-1].sort()
    return y


def einsum_dot_out(X, W):
    buf = np.empty(X.shape[0])
    np.einsum("ij,ij->i", X, X, out=buf)
    C = np.empty((X.shape[0], W.shape[1]))
    np.dot(X, W, out=C)
    D = np.empty_like(C)
    np.matmul(X, W, out=D)
    return buf, C - D


def uint8_arithmetic(img):
    return (img + 10, 255 - img, img // 2, img * 2, img.astype(np.int16) - 128, -img,
            img.mean(), img.sum(), img.sum(dtype=np.uint8), np.clip(img, 0, 300),
            img.max(axis=0), img > 127)


def uint16_shift_scale(img):
    hi = (img >> 8).astype(np.uint8)
    lo = (img & 0xFF).astype(np.uint8)
    return hi, lo, (img.astype(np.float32) / 65535).astype(np.float32), np.left_shift(hi, 1)


def lexsort_2d_keys(keys):
    return np.lexsort(keys), np.lexsort(keys[::-1])


def rows_loop_enumerate(X, w):
    out = np.empty(X.shape[0])
    for i, row in enumerate(X):
        out[i] = row @ w
    total = sum(x * y for x, y in zip(out, w[: len(out)]))
    return out, total


def broadcast_copy_tile(x, k=3):
    B = np.broadcast_to(x[:, None], (x.shape[0], k)).copy()
    B[:, 1] = 0.0
    return B, np.stack([x, x ** 2], axis=-1).reshape(-1, 2)


def channels_first_bgr(img):
    chw = np.moveaxis(img, -1, 0)
    bgr = img[..., ::-1]
    return chw, bgr, np.rot90(img, k=1, axes=(0, 1)), np.flipud(img)


def pad_modes_3d(img):
    return (np.pad(img, ((1, 1), (1, 1), (0, 0)), mode="edge"),
            np.pad(img, ((2, 2), (0, 0), (0, 0)), mode="symmetric"),
            np.pad(img, 1, mode="wrap"), np.pad(img, ((0, 0), (1, 2), (0, 0)), mode="reflect"))


def sparse_meshgrid_radius(cy, cx, h=5, w=6):
    yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij", sparse=True)
    r = np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2)
    return r, r < min(h, w) / 3


def gradient_orientation(img):
    gy, gx = np.gradient(img.astype(np.float64))
    mag = np.hypot(*np.gradient(img.astype(np.float64)))
    ang = np.arctan2(gy, gx) * 180 / np.pi % 180
    return mag, ang, np.gradient(img, axis=0)


def ogrid_disk(image, radius=2):
    h, w = image.shape
    Y, X = np.ogrid[:h, :w]
    mask = (Y - h // 2) ** 2 + (X - w // 2) ** 2 <= radius ** 2
    out = image.copy()
    out[mask] = 0
    return out, image[mask].sum()


def hog_cells(img, cell=2, nbins=4):
    gy, gx = np.gradient(img.astype(np.float64))
    mag = np.hypot(gx, gy)
    ang = np.rad2deg(np.arctan2(gy, gx)) % 180
    b = np.minimum((ang / (180 / nbins)).astype(int), nbins - 1)
    h, w = img.shape
    ch, cw = h // cell, w // cell
    hist = np.zeros((ch, cw, nbins))
    for i in range(ch):
        for j in range(cw):
            bb = b[i * cell:(i + 1) * cell, j * cell:(j + 1) * cell].ravel()
            mm = mag[i * cell:(i + 1) * cell, j * cell:(j + 1) * cell].ravel()
            hist[i, j] = np.bincount(bb, weights=mm, minlength=nbins)
    return hist / (np.linalg.norm(hist, axis=2, keepdims=True) + 1e-6)


def dict_of_stats_comprehension(X):
    names = ("mean", "std", "min", "max")
    funcs = (np.mean, np.std, np.min, np.max)
    return {n: f(X, axis=0) for n, f in zip(names, funcs)}


def where_indices_write(x, thr=0.5):
    y = np.zeros_like(x)
    idx = np.where(x > thr)[0]
    y[idx] = x[idx] * 2
    return y, (x > thr).sum()


def cumprod_survival(h):
    s = np.cumprod(1.0 - h, axis=-1)
    return s, np.concatenate([np.ones(s.shape[:-1] + (1,)), s[..., :-1]], axis=-1)


# ----------------------------------------------------------------------------- distances, metrics


def cdist_metrics(XA, XB, p=3):
    diff = XA[:, np.newaxis, :] - XB[np.newaxis, :, :]
    cityblock = np.abs(diff).sum(axis=-1)
    chebyshev = np.abs(diff).max(axis=-1)
    minkowski = (np.abs(diff) ** p).sum(axis=-1) ** (1.0 / p)
    dot = XA @ XB.T
    cosine = 1.0 - dot / np.outer(np.linalg.norm(XA, axis=1), np.linalg.norm(XB, axis=1))
    XAc = XA - XA.mean(axis=1, keepdims=True)
    XBc = XB - XB.mean(axis=1, keepdims=True)
    correlation = 1.0 - (XAc @ XBc.T) / np.outer(np.linalg.norm(XAc, axis=1),
                                                 np.linalg.norm(XBc, axis=1))
    return cityblock, chebyshev, minkowski, np.clip(cosine, 0.0, 2.0), correlation


def braycurtis_canberra(XA, XB):
    num = np.abs(XA[:, None] - XB[None]).sum(-1)
    den = np.abs(XA[:, None] + XB[None]).sum(-1)
    bc = num / den
    a = np.abs(XA[:, None] - XB[None])
    b = np.abs(XA[:, None]) + np.abs(XB[None])
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))
    return bc, terms.sum(-1)


def boolean_dissimilarities(U, V):
    neq = U[:, None, :] != V[None, :, :]
    hamming = neq.mean(axis=-1)
    either = (U[:, None, :] | V[None, :, :]).sum(-1)
    jaccard = np.where(either > 0, (neq & (U[:, None, :] | V[None, :, :])).sum(-1) /
                       np.maximum(either, 1), 0.0)
    ntt = (U[:, None, :] & V[None, :, :]).sum(-1)
    dice = np.where(either > 0, neq.sum(-1) / (2 * ntt + neq.sum(-1) + 1e-300), 0.0)
    return hamming, jaccard, dice


def pdist_squareform(X):
    n = X.shape[0]
    i, j = np.triu_indices(n, k=1)
    d = np.sqrt(((X[i] - X[j]) ** 2).sum(axis=1))
    M = np.zeros((n, n))
    M[i, j] = d
    M[j, i] = d
    return d, M


def whiten(obs):
    std_dev = obs.std(axis=0)
    zero_std_mask = std_dev == 0
    std_dev[zero_std_mask] = 1.0
    return obs / std_dev


def matthews_corrcoef(y_true, y_pred, n_labels=3):
    C = np.zeros((n_labels, n_labels))
    np.add.at(C, (y_true, y_pred), 1)
    t_sum = C.sum(axis=1, dtype=np.float64)
    p_sum = C.sum(axis=0, dtype=np.float64)
    n_correct = np.trace(C, dtype=np.float64)
    n_samples = p_sum.sum()
    cov_ytyp = n_correct * n_samples - np.dot(t_sum, p_sum)
    cov_ypyp = n_samples ** 2 - np.dot(p_sum, p_sum)
    cov_ytyt = n_samples ** 2 - np.dot(t_sum, t_sum)
    denom = np.sqrt(cov_ytyt * cov_ypyp)
    return np.where(denom == 0, 0.0, cov_ytyp / np.where(denom == 0, 1.0, denom))


def cohen_kappa(y1, y2, n_labels=3, weights=None):
    confusion = np.zeros((n_labels, n_labels))
    np.add.at(confusion, (y1, y2), 1)
    n_classes = confusion.shape[0]
    sum0 = np.sum(confusion, axis=0)
    sum1 = np.sum(confusion, axis=1)
    expected = np.outer(sum0, sum1) / np.sum(sum0)
    if weights is None:
        w_mat = np.ones([n_classes, n_classes], dtype=int)
        w_mat.flat[:: n_classes + 1] = 0
    else:
        w_mat = np.zeros([n_classes, n_classes], dtype=int)
        w_mat += np.arange(n_classes)
        if weights == "linear":
            w_mat = np.abs(w_mat - w_mat.T)
        else:
            w_mat = (w_mat - w_mat.T) ** 2
    k = np.sum(w_mat * confusion) / np.sum(w_mat * expected)
    return 1 - k


def dcg_ndcg(y_true, y_score, k=3):
    discount = 1 / (np.log(np.arange(y_true.shape[1]) + 2) / np.log(2))
    discount[k:] = 0
    ranking = np.argsort(y_score, kind="stable")[:, ::-1]
    ranked = y_true[np.arange(ranking.shape[0])[:, np.newaxis], ranking]
    dcg = ranked.dot(discount)
    ideal = np.sort(y_true, axis=1)[:, ::-1].dot(discount)
    all_irrelevant = ideal == 0
    ndcg = np.where(all_irrelevant, 0.0, dcg / np.where(all_irrelevant, 1.0, ideal))
    return dcg, ndcg.mean()


def average_precision_sorted(y_true, y_score):
    order = np.argsort(y_score, kind="mergesort")[::-1]
    y = y_true[order]
    tps = np.cumsum(y)
    precision = tps / np.arange(1, len(y) + 1)
    return np.sum(precision * y) / y.sum()


def brier_hamming_zero_one(y_true, y_prob, y_pred):
    brier = np.average((y_true - y_prob) ** 2)
    hamming = np.mean(y_true != y_pred)
    zero_one = 1 - np.average(y_true == y_pred)
    return brier, hamming, zero_one


def quantile_transform(X, n_quantiles=5):
    references = np.linspace(0, 1, n_quantiles, endpoint=True)
    quantiles = np.nanpercentile(X, references * 100, axis=0)
    quantiles = np.maximum.accumulate(quantiles)
    out = np.empty_like(X)
    for i in range(X.shape[1]):
        col = X[:, i]
        lower = 0.5 * (np.interp(col, quantiles[:, i], references)
                       - np.interp(-col, -quantiles[::-1, i], -references[::-1]))
        out[:, i] = lower
    return np.clip(out, 0, 1)


def yeo_johnson_transform(x, lmbda=0.5):
    out = np.zeros_like(x)
    pos = x >= 0
    if abs(lmbda) < np.spacing(1.0):
        out[pos] = np.log1p(x[pos])
    else:
        out[pos] = (np.power(x[pos] + 1, lmbda) - 1) / lmbda
    if abs(lmbda - 2) > np.spacing(1.0):
        out[~pos] = -(np.power(-x[~pos] + 1, 2 - lmbda) - 1) / (2 - lmbda)
    else:
        out[~pos] = -np.log1p(-x[~pos])
    return out


def one_hot_encode_ignore(X, categories):
    cols = []
    for j, cats in enumerate(categories):
        cols.append((X[:, [j]] == np.asarray(cats)[np.newaxis, :]).astype(np.float64))
    return np.hstack(cols)


def uniform_filter1d_cumsum(x, size=3):
    pad = size // 2
    xp = np.pad(x, (pad, size - 1 - pad), mode="reflect")
    c = np.cumsum(np.insert(xp, 0, 0.0))
    return (c[size:] - c[:-size]) / size


def median_filter_windows(x, size=3):
    from numpy.lib.stride_tricks import sliding_window_view
    pad = size // 2
    xp = np.pad(x, pad, mode="edge")
    return np.median(sliding_window_view(xp, (size, size)), axis=(-2, -1))


def lfilter_direct(b, a, x):
    b = np.asarray(b) / a[0]
    a = np.asarray(a) / a[0]
    y = np.zeros_like(x)
    for n in range(len(x)):
        acc = 0.0
        for k in range(len(b)):
            if n - k >= 0:
                acc = acc + b[k] * x[n - k]
        for k in range(1, len(a)):
            if n - k >= 0:
                acc = acc - a[k] * y[n - k]
        y[n] = acc
    return y


def gaussian_kde_evaluate(dataset, points, bw=0.5):
    d, n = dataset.shape
    cov = np.atleast_2d(np.cov(dataset, rowvar=True, bias=False)) * bw ** 2
    inv_cov = np.linalg.inv(cov)
    norm = np.sqrt(np.linalg.det(2 * np.pi * cov)) * n
    diff = dataset[:, :, np.newaxis] - points[:, np.newaxis, :]
    tdiff = np.einsum("ij,jkl->ikl", inv_cov, diff)
    energy = np.sum(diff * tdiff, axis=0) / 2.0
    return np.exp(-energy).sum(axis=0) / norm


def neighbor_degree_triangles(A):
    A = np.maximum(A, A.T)
    deg = A.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        avg_nbr = np.where(deg > 0, (A @ deg) / np.where(deg > 0, deg, 1), 0.0)
    n_triangles = np.trace(np.linalg.matrix_power((A > 0).astype(np.int64), 3)) // 6
    return avg_nbr, n_triangles


def scott_bins(data):
    sigma = np.std(data)
    dx = 3.5 * sigma / len(data) ** (1 / 3)
    nbins = np.ceil((data.max() - data.min()) / dx)
    return np.histogram(data, bins=int(nbins))


# ----------------------------------------------------------------------------- dtypes libraries see


def float32_pipeline(img32, ref64):
    a = img32 * np.float64(2.0)
    b = img32 * np.pi
    c = img32 * ref64.sum()
    d = img32.mean()
    e = img32.sum() / img32.shape[0]
    f = np.sqrt(img32.var())
    g = img32 - img32.mean(axis=0)
    h = (img32 > 0.5).astype(img32.dtype)
    return a, b, c, d, e, f, g, h


def uint8_to_float_variants(img):
    return (img * 1.0, img / 255, img / np.float32(255), np.float32(0.5) * img,
            np.true_divide(img, 255, dtype=np.float32), img.astype(np.float32) / 255.0,
            np.multiply(img, 1 / 255, dtype=np.float32))


def int32_labels(labels, n):
    lab = labels.astype(np.int32)
    one_hot = np.eye(n, dtype=np.float32)[lab]
    counts = (lab[:, None] == np.arange(n)).sum(0)
    return one_hot, counts, lab + 1, lab * np.int64(2), lab // 2, np.negative(lab)


def bool_mask_arithmetic(mask, x):
    return (mask.sum(), mask.mean(), mask * x, mask + mask, ~mask, mask ^ (x > 0),
            np.logical_and.reduce(mask, axis=0), mask.astype(np.uint8) * 255, mask.cumsum())


def scalar_type_results(x32, i64):
    return (x32[0], i64[0], x32.max(), i64.sum(), i64.mean(), x32[0] + 1, i64[0] * 1.5,
            float(2) * x32[1], np.float32(3) + i64[0], int(3) + i64.max())


def float16_weights(w16, x32):
    return (w16 * x32, w16.astype(np.float32) @ x32, w16.sum(), w16.mean(dtype=np.float32))


def int_power_and_division(a, b):
    return a ** 2, a // np.maximum(b, 1), a % np.maximum(b, 1), a / np.maximum(b, 1), \
        np.power(a, 3, dtype=np.float64), 2 ** a.clip(0, 10)


def complex_phase_wrap(z32):
    ang = np.angle(z32)
    mag = np.abs(z32)
    return ang, mag, (z32 * np.exp(-1j * ang)).real, np.conj(z32) * z32


# ----------------------------------------------------------------------------- seeded draws


def random_subsample(X, n=3):
    rng = np.random.RandomState(0)
    idx = rng.permutation(X.shape[0])[:n]
    return X[idx], rng.choice(X.shape[0], size=n, replace=False)


def shuffle_rows_in_place(X):
    rng = np.random.RandomState(1)
    rng.shuffle(X)
    return X.sum(axis=0)


def dropout_and_jitter(X):
    rng = np.random.RandomState(2)
    keep = rng.rand(*X.shape) < 0.7
    return X * keep + rng.normal(size=X.shape) * 0.1, rng.randint(0, 3, size=4)


def kmeans_random_init(X, k=2):
    rng = np.random.RandomState(3)
    return rng.uniform(low=X.min(axis=0), high=X.max(axis=0), size=(k, X.shape[1]))


def bootstrap_means(x, n_boot=5):
    rng = np.random.default_rng(4)
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    means = x[idx].mean(axis=1)
    return means, np.percentile(means, [2.5, 97.5])


def sort_with_nans(v):
    w = v.copy()
    w[2] = np.nan
    return np.sort(w), np.argsort(w), np.argmax(w), np.max(w), np.fmax(w, 0), np.nanmin(w)


# ----------------------------------------------------------------------------- masked rewrites


def simple_imputer_mean(X):
    X = X.copy()
    mask = np.isnan(X)
    statistics = np.nanmean(X, axis=0)
    indices = np.where(mask)
    X[indices] = np.take(statistics, indices[1])
    return X, statistics


def nan_euclidean_distances(X, Y, squared=False):
    missing_X = np.isnan(X)
    missing_Y = np.isnan(Y)
    X = X.copy()
    X[missing_X] = 0
    Y = Y.copy()
    Y[missing_Y] = 0
    distances = -2 * X @ Y.T
    XX = X * X
    YY = Y * Y
    distances += np.dot(XX, (1 - missing_Y).T)
    distances += np.dot(1 - missing_X, YY.T)
    np.clip(distances, 0, None, out=distances)
    present_count = np.dot(1 - missing_X, (1 - missing_Y).T)
    distances[present_count == 0] = np.nan
    np.maximum(1, present_count, out=present_count)
    distances /= present_count
    distances *= X.shape[1]
    if not squared:
        np.sqrt(distances, out=distances)
    return distances


def rgb2xyz(rgb):
    arr = rgb.copy()
    mask = arr > 0.04045
    arr[mask] = np.power((arr[mask] + 0.055) / 1.055, 2.4)
    arr[~mask] /= 12.92
    xyz_from_rgb = np.array([[0.412453, 0.357580, 0.180423],
                             [0.212671, 0.715160, 0.072169],
                             [0.019334, 0.119193, 0.950227]])
    return arr @ xyz_from_rgb.T.astype(arr.dtype)


def xyz2lab(xyz):
    arr = xyz / np.array([0.95047, 1.0, 1.08883])
    mask = arr > 0.008856
    arr[mask] = np.cbrt(arr[mask])
    arr[~mask] = 7.787 * arr[~mask] + 16.0 / 116.0
    x, y, z = arr[..., 0], arr[..., 1], arr[..., 2]
    L = (116.0 * y) - 16.0
    a = 500.0 * (x - y)
    b = 200.0 * (y - z)
    return np.concatenate([c[..., np.newaxis] for c in [L, a, b]], axis=-1)


def safe_sqr(X, copy=True):
    if copy:
        X = X.copy()
    X **= 2
    return X


def squared_norm(x):
    x = np.ravel(x, order="K")
    return np.dot(x, x)


def handle_zeros_in_scale(scale, copy=True):
    if np.isscalar(scale):
        if scale == 0.0:
            scale = 1.0
        return scale
    constant_mask = scale < 10 * np.finfo(scale.dtype).eps
    if copy:
        scale = scale.copy()
    scale[constant_mask] = 1.0
    return scale


def haversine_distances(X, Y):
    X = np.radians(X)
    Y = np.radians(Y)
    lat1, lon1 = X[:, :1], X[:, 1:]
    lat2, lon2 = Y[:, 0], Y[:, 1]
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(
        (lon2 - lon1) / 2) ** 2
    return 2 * np.arcsin(np.sqrt(a))


def image_moments(image, order=2):
    r, c = np.mgrid[:image.shape[0], :image.shape[1]]
    M = np.zeros((order + 1, order + 1), dtype=np.float64)
    for p in range(order + 1):
        for q in range(order + 1):
            M[p, q] = np.sum(image * (r ** p) * (c ** q))
    centroid = M[1, 0] / M[0, 0], M[0, 1] / M[0, 0]
    return M, centroid


def valid_points_columns(pts, w):
    valid = np.isfinite(w) & (w > 0)
    out = np.zeros(len(w))
    out[valid] = pts[valid][:, 0] * w[valid] + pts[valid][..., 1]
    return out, pts[valid][:, 1:].mean(axis=0), np.average(pts[valid][:, 0])


# ----------------------------------------------------------------------------- smoothing, matching


def lowess(x, y, frac=0.5, iters=2):
    n = len(x)
    r = int(np.ceil(frac * n))
    h = np.array([np.sort(np.abs(x - x[i]))[r] for i in range(n)])
    w = np.clip(np.abs((x[:, None] - x[None, :]) / h), 0.0, 1.0)
    w = (1 - w ** 3) ** 3
    yest = np.zeros(n)
    delta = np.ones(n)
    for iteration in range(iters):
        for i in range(n):
            weights = delta * w[:, i]
            b = np.array([np.sum(weights * y), np.sum(weights * y * x)])
            A = np.array([[np.sum(weights), np.sum(weights * x)],
                          [np.sum(weights * x), np.sum(weights * x * x)]])
            beta = np.linalg.solve(A, b)
            yest[i] = beta[0] + beta[1] * x[i]
        residuals = y - yest
        s = np.median(np.abs(residuals))
        delta = np.clip(residuals / (6.0 * s), -1, 1)
        delta = (1 - delta ** 2) ** 2
    return yest


def match_to_catalog_sky(ra1, dec1, ra2, dec2):
    cosd = (np.sin(dec1)[:, None] * np.sin(dec2)[None] + np.cos(dec1)[:, None]
            * np.cos(dec2)[None] * np.cos(ra1[:, None] - ra2[None]))
    d = np.arccos(np.clip(cosd, -1, 1))
    idx = d.argmin(axis=1)
    return idx, d[np.arange(len(idx)), idx]


def degree_assortativity(A):
    A = np.maximum(A, A.T)
    deg = A.sum(1)
    u, v = np.nonzero(np.triu(A, 1))
    return np.corrcoef(np.r_[deg[u], deg[v]], np.r_[deg[v], deg[u]])[0, 1]


def savgol_coeffs(window_length=5, polyorder=2):
    halflen, rem = divmod(window_length, 2)
    pos = halflen
    x = np.arange(-pos, window_length - pos, dtype=float)
    order = np.arange(polyorder + 1).reshape(-1, 1)
    A = x ** order
    y = np.zeros(polyorder + 1)
    y[0] = 1.0
    coeffs, _, _, _ = np.linalg.lstsq(A, y, rcond=None)
    return coeffs


def savgol_filter_same(sig, window_length=5, polyorder=2):
    c = savgol_coeffs(window_length, polyorder)
    return np.convolve(sig, c[::-1], mode="same")


# ----------------------------------------------------------------------------- dtype queries


def solve_in_common_type(a, b):
    t = np.common_type(a, b)
    a1 = a.astype(t)
    b1 = b.astype(t)
    return np.linalg.solve(a1 @ a1.T + np.eye(a1.shape[0], dtype=t), b1)


def mpl_process_value(value):
    is_scalar = not np.iterable(value)
    if is_scalar:
        value = [value]
    dtype = np.min_scalar_type(value)
    if np.issubdtype(dtype, np.integer) or dtype.type is np.bool_:
        dtype = np.promote_types(dtype, np.float32)
    data = np.asarray(value)
    result = np.array(data, dtype=dtype, copy=True)
    return result, is_scalar


# ----------------------------------------------------------------------------- object containers


def kbins_discretizer_uniform(X, n_bins=4):
    n_features = X.shape[1]
    bin_edges = np.zeros(n_features, dtype=object)
    for jj in range(n_features):
        column = X[:, jj]
        col_min, col_max = column.min(), column.max()
        bin_edges[jj] = np.linspace(col_min, col_max, n_bins + 1)
    Xt = X.copy()
    for jj in range(Xt.shape[1]):
        eps = 1e-8 + 1.0e-5 * np.abs(Xt[:, jj])
        Xt[:, jj] = np.digitize(Xt[:, jj] + eps, bin_edges[jj][1:])
    np.clip(Xt, 0, n_bins - 1, out=Xt)
    return Xt, np.stack(list(bin_edges))


def cartesian_product(arrays):
    arrays = [np.asarray(x) for x in arrays]
    shape = (len(x) for x in arrays)
    ix = np.indices(shape)
    ix = ix.reshape(len(arrays), -1).T
    out = np.empty_like(ix, dtype=np.result_type(*arrays))
    for n, arr in enumerate(arrays):
        out[:, n] = arrays[n][ix[:, n]]
    return out


# ----------------------------------------------------------------------------- exact arithmetic


def two_sum(a, b):
    x = a + b
    eb = x - a
    eb = b - eb
    ea = x - b
    ea = a - ea
    return x, ea + eb


def _split(a):
    c = 134217729.0 * a
    abig = c - a
    ah = c - abig
    al = a - ah
    return ah, al


def two_product(a, b):
    x = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    y1 = ah * bh
    y = x - y1
    y2 = al * bh
    y -= y2
    y3 = ah * bl
    y -= y3
    y4 = al * bl
    y = y4 - y
    return x, y


def day_frac(val1, val2, divisor=1.0):
    sum12, err12 = two_sum(val1, val2)
    day = np.round(sum12 / divisor)
    extra, frac = two_sum(sum12, -day * divisor)
    frac += extra + err12
    excess = np.round(frac / divisor)
    day += excess
    extra, frac = two_sum(sum12, -day * divisor)
    frac += extra + err12
    return day, frac / divisor


def kahan_sum(x):
    s = 0.0
    c = 0.0
    for v in x:
        y = v - c
        t = s + y
        c = (t - s) - y
        s = t
    return s, c


# ----------------------------------------------------------------------------- valid-key groupbys


def groupby_valid_keys(keys, values, n_groups=4):
    valid = (keys >= 0) & ~np.isnan(values)
    sums = np.zeros(n_groups)
    counts = np.zeros(n_groups, dtype=np.int64)
    np.add.at(sums, keys[valid], values[valid])
    np.add.at(counts, keys[valid], 1)
    means = sums / np.maximum(counts, 1)
    top = np.full(n_groups, -np.inf)
    np.maximum.at(top, keys[valid], values[valid])
    return {"sum": sums, "count": counts, "mean": means, "max": top}


def crosstab_valid(rows, cols, weights):
    ok = (rows >= 0) & (cols >= 0)
    table = np.zeros((3, 2), dtype=weights.dtype)
    np.add.at(table, (rows[ok], cols[ok]), weights[ok])
    return table, table / table.sum()


def sigma_clipped_selection(data, sigma=2.0, maxiters=3):
    d = data[np.isfinite(data)]
    for _ in range(maxiters):
        med = np.median(d)
        std = d.std()
        d = d[np.abs(d - med) < sigma * std]
    return np.mean(d), np.median(d), d.std(), np.count_nonzero(np.isfinite(data))


# ----------------------------------------------------------------------------- clustering, paths


def single_linkage(X):
    n = X.shape[0]
    D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(D, np.inf)
    Z = np.zeros((n - 1, 3))
    labels = np.arange(n)
    for step in range(n - 1):
        i, j = np.unravel_index(np.argmin(D), D.shape)
        Z[step, 0] = np.minimum(labels[i], labels[j])
        Z[step, 1] = np.maximum(labels[i], labels[j])
        Z[step, 2] = D[i, j]
        D[i] = np.minimum(D[i], D[j])
        D[:, i] = D[i]
        D[i, i] = np.inf
        D[j, :] = np.inf
        D[:, j] = np.inf
        labels[i] = n + step
    return Z


def knn_graph(X, k=2):
    n = X.shape[0]
    D = ((X[:, None] - X[None]) ** 2).sum(-1)
    A = np.zeros((n, n))
    for i in range(n):
        d = D[i].copy()
        d[i] = np.inf
        nn = np.argsort(d)[:k]
        A[i, nn] = 1.0
    return np.maximum(A, A.T)


def dijkstra_dense(W, source=0):
    n = W.shape[0]
    dist = np.full(n, np.inf)
    dist[source] = 0.0
    done = np.zeros(n, dtype=bool)
    for _ in range(n):
        cand = np.where(done, np.inf, dist)
        u = np.argmin(cand)
        done[u] = True
        w = W[u]
        alt = dist[u] + np.where(w > 0, w, np.inf)
        dist = np.where(~done & (alt < dist), alt, dist)
    return dist


def sgd_with_verbose_log(w, X, y, n_iter=3, verbose=False):
    history = []
    for it in range(n_iter):
        grad = X.T @ (X @ w - y) / len(y)
        w = w - 0.1 * grad
        loss = np.mean((X @ w - y) ** 2)
        if verbose:
            history.append(f"Iteration {it + 1}, loss = {loss:.8f}")
    return w, len(history)


def _sgd_verbose(w, X, y):
    return sgd_with_verbose_log(w, X, y, verbose=True)


# ----------------------------------------------------------------------------- more metrics


def is_low_contrast(image, fraction_threshold=0.05, lower_percentile=1, upper_percentile=99):
    dlimits = _DTYPE_RANGE[image.dtype.type]
    limits = np.percentile(image, [lower_percentile, upper_percentile])
    ratio = (limits[1] - limits[0]) / (dlimits[1] - dlimits[0])
    return ratio < fraction_threshold


def mean_absolute_percentage_error(y_true, y_pred, sample_weight=None):
    epsilon = np.finfo(np.float64).eps
    mape = np.abs(y_pred - y_true) / np.maximum(np.abs(y_true), epsilon)
    output_errors = np.average(mape, weights=sample_weight, axis=0)
    return np.average(output_errors)


def mean_tweedie_deviance(y_true, y_pred, power=0):
    p = power
    if p < 0:
        dev = 2 * (np.power(np.maximum(y_true, 0), 2 - p) / ((1 - p) * (2 - p))
                   - y_true * np.power(y_pred, 1 - p) / (1 - p)
                   + np.power(y_pred, 2 - p) / (2 - p))
    elif p == 0:
        dev = (y_true - y_pred) ** 2
    elif p == 1:
        dev = 2 * (np.where(y_true > 0, y_true * np.log(np.where(y_true > 0, y_true, 1) / y_pred),
                            0) - y_true + y_pred)
    elif p == 2:
        dev = 2 * (np.log(y_pred / y_true) + y_true / y_pred - 1)
    else:
        dev = 2 * (np.power(y_true, 2 - p) / ((1 - p) * (2 - p))
                   - y_true * np.power(y_pred, 1 - p) / (1 - p)
                   + np.power(y_pred, 2 - p) / (2 - p))
    return np.average(dev)


def regression_errors(y_true, y_pred):
    return {"max_error": np.max(np.abs(y_true - y_pred)),
            "median_absolute_error": np.median(np.abs(y_pred - y_true), axis=0),
            "d2_absolute": 1 - np.sum(np.abs(y_true - y_pred)) / np.sum(
                np.abs(y_true - np.percentile(y_true, 50)))}


def top_k_accuracy_score(y_true, y_score, k=2):
    sorted_pred = np.argsort(y_score, axis=1, kind="mergesort")[:, ::-1]
    hits = (y_true == sorted_pred[:, :k].T).any(axis=0)
    return np.average(hits)


def add_trend(x, trend="ct"):
    nobs = len(x)
    trendarr = np.vander(np.arange(1, nobs + 1, dtype=np.float64), len(trend))
    trendarr = np.fliplr(trendarr)
    return np.column_stack((x, trendarr))


def sigma_clip_mad(data, sigma=3.0, maxiters=3):
    filtered = data.copy()
    for _ in range(maxiters):
        cen = np.nanmedian(filtered, axis=0)
        std = 1.482602218505602 * np.nanmedian(np.abs(filtered - cen), axis=0)
        with np.errstate(invalid="ignore"):
            outliers = np.abs(filtered - cen) > sigma * std
        filtered[outliers] = np.nan
    return filtered, np.isnan(filtered).sum(axis=0)


def roi_histogram(image, roi, nbins=8):
    hist, edges = np.histogram(image[roi], bins=nbins, range=(0, 256))
    cdf = hist.cumsum()
    return hist, edges, cdf / np.maximum(cdf[-1], 1)


def class_counts_of_labelled(y, n_classes=3):
    labelled = y >= 0
    counts = np.bincount(np.clip(y[labelled], 0, n_classes - 1), minlength=n_classes)
    return counts, counts / np.maximum(counts.sum(), 1)


# ----------------------------------------------------------------------------- data


def _u(s, *shape, dtype=np.float64):
    return np.random.default_rng(s).random(shape).astype(dtype)


def _positive(s, *shape):
    return _f(*shape, positive=True, seed=s)


def _u8(s, *shape):
    return _i(256, *shape, seed=s).astype(np.uint8)


def _u16(s, *shape):
    return _i(65536, *shape, seed=s).astype(np.uint16)


def _ties(s, n):
    return _i(4, n, seed=s).astype(np.float64)


def _adjacency(s, n):
    A = (_u(s, n, n) < 0.4).astype(np.float64)
    np.fill_diagonal(A, 0.0)
    A[n - 1] = 0.0
    return A


def _weighted_graph(s, n):
    A = _adjacency(s, n) * _positive(s + 1, n, n)
    return np.maximum(A, A.T)


def _edges(s, n, m):
    return _i(n, m, seed=s), _i(n, m, seed=s + 1), _positive(s + 2, m)


def _scaler_state(s, d):
    return {"mean_": _f(d, seed=s), "var_": _positive(s + 1, d), "n_samples_seen_":
            np.full(d, 5, dtype=np.int64), "scale_": np.ones(d)}


def _hsv(s, n):
    hsv = _u(s, n, 3, 3)
    hsv[0, 0, 1] = 0.0
    return hsv


def _rgb_with_ties(s, n):
    rgb = _u(s, n, 3, 3)
    rgb[0, 0] = 0.5
    rgb[0, 1, :2] = 0.9
    return rgb


def _rgba8(s, n):
    img = _u8(s, n, 3, 4)
    img[0, 0, 3] = 0
    img[1, 1, 3] = 255
    return img


def _series(s, n):
    e = _f(n, seed=s)
    x = np.empty(n)
    x[0] = e[0]
    for t in range(1, n):
        x[t] = 0.6 * x[t - 1] + e[t]
    return x


# name: (function, static keyword arguments, args for (seed, size) -> tuple)
CORPUS = {
    # np.ravel(x, order="K"): the argument's memory layout joins the signature
    "squared_norm_order_k": (squared_norm, {}, lambda s, n: (
        _f(3, n, seed=s) if s != 3 else np.asfortranarray(_f(3, n, seed=s)),)),
    # np.bincount(..., minlength=k): that the values are below k is checked when it runs
    "confusion_matrix_bincount": (confusion_matrix_bincount, {}, lambda s, n: (
        _i(3, n * 2, seed=s), _i(3, n * 2, seed=s + 1))),
    "precision_recall_fscore": (precision_recall_fscore, {}, lambda s, n: (
        _i(3, n * 3, seed=s), _i(3, n * 3, seed=s + 1))),
    "hog_cells_bincount_of_float_bins": (hog_cells, {}, lambda s, n: (_u8(s, 4, n + 2),)),
    # scipy.stats, scipy.special
    "zscore": (zscore, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "zscore_axis1_ddof": (zscore, {"axis": 1, "ddof": 1}, lambda s, n: (
        _f(3, n, seed=s).astype(np.float32),)),
    "rankdata_ordinal": (rankdata, {}, lambda s, n: (_ties(s, n * 2),)),
    "rankdata_dense": (rankdata, {"method": "dense"}, lambda s, n: (_ties(s, n * 2),)),
    "rankdata_average_no_unique": (rankdata_average_no_unique, {}, lambda s, n: (
        _ties(s, n * 2),)),
    "entropy": (entropy, {}, lambda s, n: (_i(4, n, seed=s).astype(np.float64),)),
    "entropy_kl_base2": (entropy, {"base": 2}, lambda s, n: (_positive(s, n, 2),
                                                             _positive(s + 1, n, 2))),
    "moment_5": (moment, {"order": 5}, lambda s, n: (_f(n, 3, seed=s),)),
    "moment_6_axis1": (moment, {"order": 6, "axis": 1}, lambda s, n: (_f(3, n, seed=s),)),
    "skew": (skew, {}, lambda s, n: (_f(n + 2, 3, seed=s),)),
    "skew_unbiased_1d": (skew, {"bias": False}, lambda s, n: (_f(n + 2, seed=s),)),
    "kurtosis": (kurtosis, {}, lambda s, n: (_f(n + 2, 2, seed=s),)),
    "kurtosis_unbiased": (kurtosis, {"bias": False, "fisher": False}, lambda s, n: (
        _f(n + 4, 2, seed=s),)),
    "describe": (describe, {}, lambda s, n: (_f(n + 2, 3, seed=s),)),
    "spearmanr": (spearmanr, {}, lambda s, n: (_f(n + 2, seed=s), _f(n + 2, seed=s + 1))),
    "trim_mean": (trim_mean, {"proportiontocut": 0.2}, lambda s, n: (_f(n * 2, 3, seed=s),)),
    "trimboth_axis1": (trimboth, {"proportiontocut": 0.25, "axis": 1}, lambda s, n: (
        _f(2, n * 2, seed=s),)),
    "logsumexp_axis": (logsumexp, {"axis": 1}, lambda s, n: (_f(n, 4, seed=s) * 30,)),
    "logsumexp_b_sign": (logsumexp, {"axis": 0, "return_sign": True}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "logsumexp_keepdims_b_row": (logsumexp, {"axis": -1, "keepdims": True}, lambda s, n: (
        _f(n, 3, seed=s), np.array([1.0, 0.0, 2.0]))),
    "logsumexp_neg_inf_rows": (logsumexp, {"axis": 1}, lambda s, n: (
        np.vstack([np.full((1, 3), -np.inf), _f(n, 3, seed=s)]),)),
    "gmean_weights": (gmean, {}, lambda s, n: (_positive(s, n, 2), _positive(s + 1, n, 2))),
    "hmean": (hmean, {}, lambda s, n: (_positive(s, n, 3),)),
    "sem": (sem, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "variation": (variation, {}, lambda s, n: (_positive(s, n, 3),)),
    "iqr_scaled": (iqr, {"scale": 1.349}, lambda s, n: (_f(n * 2, 2, seed=s),)),
    "boxcox": (boxcox, {"lmbda": 0.5}, lambda s, n: (_positive(s, n),)),
    "boxcox_log": (boxcox, {"lmbda": 0}, lambda s, n: (_positive(s, n).astype(np.float32),)),
    "boxcox_llf": (boxcox_llf, {"lmb": -0.3}, lambda s, n: (_positive(s, n * 2),)),
    "boxcox_llf_zero": (boxcox_llf, {"lmb": 0}, lambda s, n: (_positive(s, n * 2),)),
    "chisquare": (chisquare, {}, lambda s, n: (_i(20, n, 2, seed=s) + 1,)),
    "ttest_ind_welch": (ttest_ind_welch, {}, lambda s, n: (_f(n, 2, seed=s),
                                                           _f(n + 3, 2, seed=s + 1) + 0.5)),
    "binned_statistic_mean": (binned_statistic_mean, {}, lambda s, n: (
        _f(n * 3, seed=s), _f(n * 3, seed=s + 1))),
    "xlogy": (xlogy, {}, lambda s, n: (_i(3, n, seed=s).astype(np.float64), _positive(s, n))),
    "expit_masks": (expit, {}, lambda s, n: (_f(n, 3, seed=s) * 20,)),
    "expit_float32": (expit, {}, lambda s, n: (_f(n, seed=s).astype(np.float32) * 5,)),
    "logit": (logit, {}, lambda s, n: (np.r_[0.0, _u(s, n), 1.0],)),
    "special_log_softmax": (special_log_softmax, {"axis": 1}, lambda s, n: (_f(n, 4, seed=s),)),
    "special_log_softmax_none": (special_log_softmax, {}, lambda s, n: (_f(n, seed=s),)),
    "special_softmax": (special_softmax, {"axis": 0}, lambda s, n: (_f(n, 2, seed=s),)),
    "norm_logpdf": (norm_logpdf, {}, lambda s, n: (_f(n, seed=s), 0.5, 2.0)),
    "mad": (mad, {}, lambda s, n: (_f(n * 2 + 1, 3, seed=s),)),
    "weighted_percentile_2d": (weighted_percentile, {}, lambda s, n: (
        _f(n, 3, seed=s), _positive(s + 1, n))),
    "weighted_percentile_1d": (weighted_percentile, {"percentile": 90}, lambda s, n: (
        _f(n, seed=s), _positive(s + 1, n))),
    # scikit-learn
    "row_norms": (row_norms, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "row_norms_squared_f32": (row_norms, {"squared": True}, lambda s, n: (
        _f(n, 3, seed=s).astype(np.float32),)),
    "safe_sparse_dot_3d": (safe_sparse_dot, {}, lambda s, n: (_f(n, 3, seed=s),
                                                              _f(2, 3, 4, seed=s + 1))),
    "skl_softmax_copy": (skl_softmax, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "skl_softmax_in_place": (skl_softmax, {"copy": False}, lambda s, n: (_f(n, 4, seed=s),)),
    "log_loss": (log_loss, {}, lambda s, n: (_i(3, n, seed=s), _u(s, n, 3))),
    "log_loss_binary_weighted": (log_loss, {"n_classes": 2}, lambda s, n: (
        _i(2, n, seed=s), np.r_[0.0, _u(s, n - 1)], _positive(s, n))),
    "log_loss_sum": (log_loss, {"normalize": False}, lambda s, n: (_i(3, n, seed=s),
                                                                   _u(s, n, 3))),
    "roc_auc_by_ranks": (roc_auc_by_ranks, {}, lambda s, n: (
        np.r_[0, 1, _i(2, n, seed=s)], _f(n + 2, seed=s))),
    "roc_curve_no_drop": (roc_curve_no_drop, {}, lambda s, n: (
        np.r_[0, 1, _i(2, n, seed=s)], _f(n + 2, seed=s))),
    "confusion_matrix_add_at": (confusion_matrix_add_at, {}, lambda s, n: (
        _i(3, n * 2, seed=s), _i(3, n * 2, seed=s + 1))),
    "confusion_matrix_weighted": (confusion_matrix_add_at, {}, lambda s, n: (
        _i(3, n * 2, seed=s), _i(3, n * 2, seed=s + 1), _positive(s, n * 2))),
    "precision_recall_onehot": (precision_recall_onehot, {}, lambda s, n: (
        _i(3, n * 2, seed=s), _i(3, n * 2, seed=s + 1))),
    "label_binarize": (label_binarize, {}, lambda s, n: (_i(4, n, seed=s), np.arange(4))),
    "label_binarize_pm1_binary": (label_binarize, {"neg_label": -1}, lambda s, n: (
        _i(2, n, seed=s), [0, 1])),
    "label_encode": (label_encode, {}, lambda s, n: (np.array([3, 7, 9])[_i(3, n, seed=s)],
                                                     np.array([3, 7, 9]))),
    "polynomial_features": (polynomial_features, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "polynomial_features_interaction": (polynomial_features, {
        "degree": 3, "interaction_only": True, "include_bias": False}, lambda s, n: (
        _f(n, 3, seed=s).astype(np.float32),)),
    "euclidean_distances": (euclidean_distances, {}, lambda s, n: (_f(n, 3, seed=s),
                                                                   _f(4, 3, seed=s + 1))),
    "euclidean_distances_self": (euclidean_distances, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "euclidean_distances_float32": (euclidean_distances_float32, {}, lambda s, n: (
        _f(n, 3, seed=s).astype(np.float32), _f(4, 3, seed=s + 1).astype(np.float32))),
    "rbf_kernel": (rbf_kernel, {}, lambda s, n: (_f(n, 3, seed=s), _f(2, 3, seed=s + 1))),
    "rbf_kernel_self_gamma": (rbf_kernel, {"gamma": 0.3}, lambda s, n: (_f(n, 2, seed=s),)),
    "laplacian_kernel": (laplacian_kernel, {}, lambda s, n: (_f(n, 3, seed=s),
                                                             _f(2, 3, seed=s + 1))),
    "chi2_kernel": (chi2_kernel, {}, lambda s, n: (np.r_[np.zeros((1, 3)), _u(s, n, 3)],
                                                   np.r_[np.zeros((1, 3)), _u(s + 1, 2, 3)])),
    "polynomial_kernel": (polynomial_kernel, {}, lambda s, n: (_f(n, 3, seed=s),
                                                               _f(2, 3, seed=s + 1))),
    "sigmoid_kernel_f32": (sigmoid_kernel, {}, lambda s, n: (
        _f(n, 3, seed=s).astype(np.float32), _f(2, 3, seed=s + 1).astype(np.float32))),
    "normalize_l2": (normalize, {}, lambda s, n: (np.r_[np.zeros((1, 3)), _f(n, 3, seed=s)],)),
    "normalize_l1_axis0_return_norm": (normalize, {"norm": "l1", "axis": 0, "return_norm": True},
                                       lambda s, n: (_f(n, 3, seed=s),)),
    "normalize_max_in_place": (normalize, {"norm": "max", "copy": False}, lambda s, n: (
        _f(n, 3, seed=s),)),
    "incremental_mean_and_var": (incremental_mean_and_var, {}, lambda s, n: (
        np.where(_u(s, n, 3) < 0.2, np.nan, _f(n, 3, seed=s)), _f(3, seed=s),
        _positive(s, 3), np.array([0, 4, 10]))),
    "standard_scaler_partial_fit": (standard_scaler_partial_fit, {}, lambda s, n: (
        _scaler_state(s, 3), _f(n, 3, seed=s))),
    "min_max_scaler_partial_fit": (min_max_scaler_partial_fit, {"feature_range": (-1, 1)},
                                   lambda s, n: (_f(n, 3, seed=s), _f(3, seed=s + 1),
                                                 _f(3, seed=s + 2) + 1)),
    "max_abs_scale": (max_abs_scale, {}, lambda s, n: (np.c_[_f(n, 2, seed=s), np.zeros(n)],)),
    "robust_scale": (robust_scale, {}, lambda s, n: (_f(n * 2, 3, seed=s),)),
    "binarize_in_place": (binarize, {"threshold": 0.1, "copy": False}, lambda s, n: (
        _f(n, 3, seed=s),)),
    "binarize_int": (binarize, {"threshold": 3}, lambda s, n: (_i(7, n, 3, seed=s),)),
    "kmeans_plusplus": (kmeans_plusplus, {"n_clusters": 3}, lambda s, n: (_f(n * 2, 2, seed=s),)),
    "kmeans_plusplus_f32": (kmeans_plusplus, {"n_clusters": 2, "seed": 3}, lambda s, n: (
        _f(n * 2, 3, seed=s).astype(np.float32),)),
    "lloyd_iter": (lloyd_iter, {}, lambda s, n: (_f(n * 3, 2, seed=s), _f(3, 2, seed=s + 1))),
    "kneighbors": (kneighbors, {}, lambda s, n: (_f(n, 2, seed=s), _f(6, 2, seed=s + 1))),
    "knn_predict_proba": (knn_predict_proba, {}, lambda s, n: (
        _positive(s, n, 3), _i(6, n, 3, seed=s), _i(3, 6, seed=s + 1))),
    "svd_flip_in_place": (svd_flip, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, 4, seed=s + 1))),
    "svd_flip_v_based": (svd_flip, {"u_based_decision": False}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, 4, seed=s + 1))),
    "deterministic_vector_sign_flip": (deterministic_vector_sign_flip, {}, lambda s, n: (
        _f(n, 3, seed=s),)),
    "pca_fit_transform": (pca_fit_transform, {}, lambda s, n: (_f(n + 3, 4, seed=s),)),
    "randomized_range_finder": (randomized_range_finder, {}, lambda s, n: (_f(n + 4, 5, seed=s),)),
    "log_logistic": (log_logistic, {}, lambda s, n: (_f(n, 2, seed=s) * 30,)),
    "logistic_loss_and_grad": (logistic_loss_and_grad, {}, lambda s, n: (
        _f(4, seed=s), _f(n, 3, seed=s + 1), np.sign(_f(n, seed=s + 2)), 0.1)),
    "hinge_loss": (hinge_loss, {}, lambda s, n: (np.sign(_f(n, seed=s)), _f(n, seed=s + 1))),
    "huber_loss_and_gradient": (huber_loss_and_gradient, {}, lambda s, n: (
        np.r_[_f(3, seed=s), 1.2], _f(n, 3, seed=s + 1), _f(n, seed=s + 2) * 3)),
    "r2_score_multioutput": (r2_score_multioutput, {}, lambda s, n: (
        np.c_[_f(n, 2, seed=s), np.ones(n)], np.c_[_f(n, 2, seed=s + 1), np.ones(n)])),
    "r2_score_raw_values": (r2_score_multioutput, {"multioutput": "raw_values"}, lambda s, n: (
        np.c_[_f(n, 2, seed=s), np.ones(n)], np.c_[_f(n, 2, seed=s + 1), np.full(n, 2.0)])),
    "explained_variance": (explained_variance, {}, lambda s, n: (_f(n, 2, seed=s),
                                                                 _f(n, 2, seed=s + 1))),
    "accuracy_score_weighted": (accuracy_score, {}, lambda s, n: (
        _i(3, n, seed=s), _i(3, n, seed=s + 1), _positive(s, n))),
    "accuracy_score": (accuracy_score, {}, lambda s, n: (_i(3, n, seed=s), _i(3, n, seed=s + 1))),
    "gaussian_nb_update": (gaussian_nb_update, {}, lambda s, n: (
        _f(3, seed=s), _positive(s, 3), _f(n, 3, seed=s + 1))),
    "gaussian_nb_joint_log_likelihood": (gaussian_nb_joint_log_likelihood, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(2, 3, seed=s + 1), _positive(s, 2, 3), np.array([0.3, 0.7]))),
    "check_sample_weight_scalar": (check_sample_weight, {}, lambda s, n: (2.0, _f(n, 2, seed=s))),
    "check_sample_weight_f32": (check_sample_weight, {"dtype": np.float32}, lambda s, n: (
        _positive(s, n), _f(n, 2, seed=s))),
    # scikit-image
    "img_as_float_u8": (img_as_float, {}, lambda s, n: (_u8(s, n, 5),)),
    "img_as_float_int16": (img_as_float, {}, lambda s, n: (
        _i(65536, n, 5, seed=s).astype(np.int16),)),
    "img_as_float_u16": (img_as_float, {}, lambda s, n: (_u16(s, n, 5),)),
    "img_as_float_f32_copy": (img_as_float, {"force_copy": True}, lambda s, n: (
        _u(s, n, 5, dtype=np.float32),)),
    "img_as_ubyte_f32": (img_as_ubyte, {}, lambda s, n: (
        (_u(s, n, 5) * 1.2 - 0.1).astype(np.float32),)),
    "img_as_ubyte_u16": (img_as_ubyte, {}, lambda s, n: (_u16(s, n, 5),)),
    "img_as_ubyte_bool": (img_as_ubyte, {}, lambda s, n: (_u(s, n, 5) < 0.5,)),
    "img_as_uint_u8": (img_as_uint, {}, lambda s, n: (_u8(s, n, 5),)),
    "img_as_uint_f64": (img_as_uint, {}, lambda s, n: (_u(s, n, 5),)),
    "rgb2gray_u8": (rgb2gray, {}, lambda s, n: (_u8(s, n, 4, 3),)),
    "rgb2gray_f32": (rgb2gray, {}, lambda s, n: (_u(s, n, 4, 3, dtype=np.float32),)),
    "rgb2gray_einsum_rgba": (rgb2gray_einsum, {}, lambda s, n: (_u8(s, n, 4, 4),)),
    "gray2rgba_u8": (gray2rgba, {}, lambda s, n: (_u8(s, n, 4),)),
    "rescale_intensity_in_range": (rescale_intensity, {"in_range": (50, 200),
                                                       "out_range": (0.0, 1.0)},
                                   lambda s, n: (_u8(s, n, 5),)),
    "rescale_intensity_float_dtype": (rescale_intensity, {"in_range": (0.2, 0.8)}, lambda s, n: (
        _u(s, n, 5, dtype=np.float32),)),
    "equalize_hist_float": (equalize_hist_float, {}, lambda s, n: (
        _u(s, n, 6, dtype=np.float32),)),
    "equalize_hist_uint8": (equalize_hist_uint8, {}, lambda s, n: (_u8(s, n, 6),)),
    "cumulative_distribution_uint8": (cumulative_distribution_uint8, {}, lambda s, n: (
        _u8(s, n, 6),)),
    "gaussian_kernel1d": (gaussian_kernel1d, {"radius": 4}, lambda s, n: (0.5 + n / 4,)),
    "gaussian_kernel1d_order2": (gaussian_kernel1d, {"order": 2, "radius": 3}, lambda s, n: (
        1.0 + s / 4,)),
    "gaussian_filter_separable": (gaussian_filter_separable, {}, lambda s, n: (
        _u8(s, n + 2, 6),)),
    "gaussian_kernel2d": (gaussian_kernel2d, {}, lambda s, n: (_u(s, n + 1, 5, dtype=np.float32),
                                                               1.2)),
    "adjust_gamma_u8_lut": (adjust_gamma, {"gamma": 0.5}, lambda s, n: (_u8(s, n, 5),)),
    "adjust_gamma_f32": (adjust_gamma, {"gamma": 2.2, "gain": 0.9}, lambda s, n: (
        _u(s, n, 5, dtype=np.float32),)),
    "adjust_log_inv": (adjust_log, {"inv": True}, lambda s, n: (_u(s, n, 5, dtype=np.float32),)),
    "adjust_sigmoid": (adjust_sigmoid, {}, lambda s, n: (_u(s, n, 5),)),
    "threshold_otsu_float": (threshold_otsu_float, {}, lambda s, n: (
        np.r_[_u(s, n * 4) * 0.4, 0.6 + _u(s + 1, n * 4) * 0.4].astype(np.float32),)),
    "skimage_rgb2hsv": (skimage_rgb2hsv, {}, lambda s, n: (_rgb_with_ties(s, n),)),
    "skimage_hsv2rgb_choose": (skimage_hsv2rgb_choose, {}, lambda s, n: (_hsv(s, n),)),
    "rgb2ycbcr_u8": (rgb2ycbcr, {}, lambda s, n: (_u8(s, n, 3, 3),)),
    "integral_image_u8": (integral_image, {}, lambda s, n: (_u8(s, n, 5),)),
    "integrate_boxes": (integrate_boxes, {}, lambda s, n: (
        integral_image(_u8(s, n + 3, 6)), _i(3, n, seed=s), _i(3, n, seed=s + 1),
        _i(3, n, seed=s + 2) + 3, _i(3, n, seed=s + 3) + 3)),
    "block_reduce_mean": (block_reduce_mean, {}, lambda s, n: (_u(s, n + 1, 5, dtype=np.float32),)),
    "sobel_u8": (sobel, {}, lambda s, n: (_u8(s, n + 2, 5),)),
    "random_noise_speckle": (random_noise_speckle, {}, lambda s, n: (_u8(s, n, 5),)),
    "peak_signal_noise_ratio": (peak_signal_noise_ratio, {}, lambda s, n: (
        _u8(s, n, 5), _u8(s + 1, n, 5))),
    "ssim_uniform": (ssim_uniform, {}, lambda s, n: (_u(s, n + 2, 6), _u(s + 1, n + 2, 6))),
    "crop_and_flip": (crop_and_flip, {}, lambda s, n: (_u8(s, n + 2, 5, 3),)),
    # statsmodels
    "add_constant": (add_constant, {}, lambda s, n: (_f(n, seed=s),)),
    "ols_pinv": (ols_pinv, {}, lambda s, n: (_f(n + 4, seed=s), _f(n + 4, 2, seed=s + 1))),
    "ols_lstsq": (ols_lstsq, {}, lambda s, n: (_f(n + 4, seed=s), _f(n + 4, 3, seed=s + 1))),
    "wls": (wls, {}, lambda s, n: (_f(n + 4, seed=s), _f(n + 4, 2, seed=s + 1),
                                   _positive(s, n + 4))),
    "lagmat_forward": (lagmat, {"maxlag": 2}, lambda s, n: (_f(n + 3, seed=s),)),
    "lagmat_both_sep": (lagmat, {"maxlag": 2, "trim": "both", "original": "sep"}, lambda s, n: (
        _f(n + 3, 2, seed=s),)),
    "lagmat_none_in": (lagmat, {"maxlag": 1, "trim": "none", "original": "in"}, lambda s, n: (
        _f(n + 3, seed=s),)),
    "acovf_adjusted": (acovf, {"adjusted": True}, lambda s, n: (_series(s, n * 2),)),
    "acovf_fft": (acovf, {"fft": True}, lambda s, n: (_series(s, n * 2),)),
    "acf": (acf, {}, lambda s, n: (_series(s, n * 3),)),
    "acf_loop": (acf_loop, {}, lambda s, n: (_series(s, n * 3),)),
    "levinson_durbin": (levinson_durbin, {}, lambda s, n: (_series(s, n * 3),)),
    "yule_walker_no_branch": (yule_walker_no_branch, {}, lambda s, n: (_series(s, n * 3),)),
    "pacf_ols": (pacf_ols, {}, lambda s, n: (_series(s, n * 3),)),
    "acorr_ljungbox": (acorr_ljungbox, {}, lambda s, n: (_series(s, n * 3),)),
    "hpfilter": (hpfilter, {}, lambda s, n: (_series(s, n * 2),)),
    "hpfilter_banded": (hpfilter_banded, {"lamb": 100}, lambda s, n: (_series(s, n * 2),)),
    "durbin_watson": (durbin_watson, {}, lambda s, n: (_f(n * 2, 2, seed=s),)),
    "detrend_order2": (detrend, {"order": 2}, lambda s, n: (_series(s, n * 2),)),
    "detrend_order0": (detrend, {"order": 0}, lambda s, n: (_f(n, 2, seed=s),)),
    "seasonal_decompose_even": (seasonal_decompose_additive, {}, lambda s, n: (
        _series(s, n * 3),)),
    "seasonal_decompose_odd": (seasonal_decompose_additive, {"period": 3}, lambda s, n: (
        _series(s, n * 3),)),
    "arma_generate_sample": (arma_generate_sample, {}, lambda s, n: (
        [1.0, -0.5, 0.2], [1.0, 0.4], _f(n * 2, seed=s))),
    "ccf": (ccf, {}, lambda s, n: (_series(s, n * 2), _series(s + 1, n * 2))),
    "het_breuschpagan": (het_breuschpagan, {}, lambda s, n: (_f(n * 2, seed=s),
                                                             _f(n * 2, 2, seed=s + 1))),
    "cov_hac_simple": (cov_hac_simple, {}, lambda s, n: (_f(n * 2, 2, seed=s),
                                                         _f(n * 2, seed=s + 1))),
    # networkx
    "pagerank_fixed": (pagerank_fixed, {}, lambda s, n: (_adjacency(s, n),)),
    "google_matrix_mask": (google_matrix_mask, {}, lambda s, n: (_adjacency(s, n),)),
    "normalized_laplacian": (normalized_laplacian, {}, lambda s, n: (_weighted_graph(s, n),)),
    "laplacian_matrix": (laplacian_matrix, {}, lambda s, n: (_weighted_graph(s, n),)),
    "floyd_warshall_numpy": (floyd_warshall_numpy, {}, lambda s, n: (_weighted_graph(s, n),)),
    "bellman_ford_edges": (bellman_ford_edges, {"n": 5}, lambda s, n: _edges(s, 5, n * 3)),
    "hits": (hits, {}, lambda s, n: (_adjacency(s, n) + np.eye(n),)),
    "eigenvector_centrality": (eigenvector_centrality, {}, lambda s, n: (
        _weighted_graph(s, n),)),
    "katz_centrality": (katz_centrality, {}, lambda s, n: (_adjacency(s, n),)),
    "clustering_coefficients": (clustering_coefficients, {}, lambda s, n: (_adjacency(s, n),)),
    "edges_to_adjacency": (edges_to_adjacency, {"n": 4}, lambda s, n: _edges(s, 4, n * 2)),
    "bfs_levels_matmul": (bfs_levels_matmul, {}, lambda s, n: (_adjacency(s, n),)),
    "bfs_levels_row_mask": (bfs_levels_matrix, {}, lambda s, n: (_adjacency(s, n),)),
    "google_matrix_where_rows": (google_matrix, {}, lambda s, n: (_adjacency(s, n),)),
    # matplotlib
    "mpl_normalize": (mpl_normalize, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "mpl_normalize_clip_f32": (mpl_normalize, {"vmin": -0.5, "vmax": 0.5, "clip": True},
                               lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "mpl_normalize_int": (mpl_normalize, {}, lambda s, n: (_i(50, n, 3, seed=s),)),
    "mpl_lognorm": (mpl_lognorm, {}, lambda s, n: (_positive(s, n, 3), 0.5, 2.0)),
    "mpl_lognorm_autoscale": (mpl_lognorm_autoscale, {}, lambda s, n: (
        np.r_[-1.0, 0.0, _positive(s, n)],)),
    "mpl_boundary_norm": (mpl_boundary_norm, {}, lambda s, n: (
        _f(n * 2, seed=s) * 2, np.array([-1.0, -0.5, 0.0, 0.5, 1.0]))),
    "mpl_colormap_call": (mpl_colormap_call, {}, lambda s, n: (
        np.r_[np.nan, -0.2, 1.0, 1.3, _u(s, n)],)),
    "mpl_colormap_call_bytes_alpha": (mpl_colormap_call, {"bytes": True}, lambda s, n: (
        _u(s, n, 2), 0.5)),
    "mpl_colormap_call_ints": (mpl_colormap_call, {}, lambda s, n: (_i(12, n, seed=s) - 2,)),
    "mpl_create_lookup_table": (mpl_create_lookup_table, {"N": 9}, lambda s, n: (
        np.c_[np.r_[0.0, np.sort(_u(s, n)), 1.0], _u(s + 1, n + 2), _u(s + 2, n + 2)],)),
    "colormap_interp": (colormap_interp, {}, lambda s, n: (
        _f(n, 3, seed=s), np.array([0.0, 0.3, 1.0]), _u(s, 3, 4))),
    "mpl_hsv_to_rgb": (mpl_hsv_to_rgb, {}, lambda s, n: (_hsv(s, n),)),
    "mpl_rgb_to_hsv": (mpl_rgb_to_hsv, {}, lambda s, n: (_rgb_with_ties(s, n),)),
    "path_get_extents": (path_get_extents, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "path_get_extents_codes": (path_get_extents, {}, lambda s, n: (
        _f(n, 2, seed=s), np.r_[0, _i(3, n - 1, seed=s) + 1].astype(np.uint8))),
    "bbox_union": (bbox_union, {}, lambda s, n: (np.sort(_f(n, 2, 2, seed=s), axis=1),)),
    "affine2d_rotate_translate": (affine2d_rotate_translate, {"theta": 0.3}, lambda s, n: (
        _f(n, 2, seed=s), 1.0, -2.0, 1.5)),
    "affine_traced_angle": (affine_traced_angle, {}, lambda s, n: (_f(n, 2, seed=s), 0.1 * s)),
    "linear_locator": (linear_locator, {}, lambda s, n: (_f(n, seed=s),)),
    "multiple_locator_static": (multiple_locator_static, {}, lambda s, n: (_f(n, seed=s),)),
    "nice_ticks_floor_ceil": (nice_ticks_floor_ceil, {}, lambda s, n: (_f(n, seed=s) * 10,)),
    "simple_linear_interpolation": (simple_linear_interpolation, {}, lambda s, n: (
        _f(n, 2, seed=s),)),
    "boxplot_stats": (boxplot_stats, {}, lambda s, n: (np.r_[_f(n * 3, seed=s), 8.0, -9.0],)),
    "mlab_detrend_linear": (mlab_detrend_linear, {}, lambda s, n: (_series(s, n * 2),)),
    "mlab_detrend_mean_axis": (mlab_detrend_mean, {"axis": 0}, lambda s, n: (_f(n, 3, seed=s),)),
    "mlab_psd_segments": (mlab_psd_segments, {}, lambda s, n: (_f(n * 4, seed=s),)),
    "hillshade": (hillshade, {}, lambda s, n: (_f(n + 2, 5, seed=s),)),
    "premultiplied_argb32": (premultiplied_argb32, {}, lambda s, n: (_rgba8(s, n),)),
    "unmultiply_rgba": (unmultiply_rgba, {}, lambda s, n: (_rgba8(s, n),)),
    # astropy
    "angular_separation": (angular_separation, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s + 1), _f(n, seed=s + 2), _f(n, seed=s + 3))),
    "angular_separation_f32": (angular_separation, {}, lambda s, n: tuple(
        _f(n, seed=s + k).astype(np.float32) for k in range(4))),
    "haversine_deg": (haversine_deg, {}, lambda s, n: (
        _u(s, n) * 360, _u(s + 1, n) * 180 - 90, 10.0, -20.0)),
    "position_angle": (position_angle, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s + 1), _f(n, seed=s + 2), _f(n, seed=s + 3))),
    "offset_by": (offset_by, {}, lambda s, n: (
        _f(n, seed=s), np.r_[np.pi / 2, _f(n - 1, seed=s + 1)], _f(n, seed=s + 2),
        _positive(s, n) * 0.1)),
    "cartesian_to_spherical": (cartesian_to_spherical, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s + 1), _f(n, seed=s + 2))),
    "rotation_matrix_batch_x": (rotation_matrix, {"axis": "x"}, lambda s, n: (
        _f(n, seed=s) * 90,)),
    "icrs_to_galactic": (icrs_to_galactic, {}, lambda s, n: (
        _u(s, n) * 360, _u(s + 1, n) * 180 - 90)),
    "rotate_batch": (rotate_batch, {}, lambda s, n: (_f(n, seed=s) * 90, _f(n, 3, seed=s + 1))),
    "wrap_at_in_place": (wrap_at, {}, lambda s, n: (np.r_[np.nan, 180.0, -180.0,
                                                          _f(n, seed=s) * 700],)),
    "wrap_at_360_f32": (wrap_at, {"wrap_angle": 360.0}, lambda s, n: (
        (_f(n, seed=s) * 700).astype(np.float32),)),
    "gmst_deg": (gmst_deg, {}, lambda s, n: (2451545.0 + _f(n, seed=s) * 3000,)),
    "cal2jd": (cal2jd, {}, lambda s, n: (
        1900 + _i(200, n, seed=s), 1 + _i(12, n, seed=s + 1), 1 + _i(28, n, seed=s + 2))),
    "altaz_from_hadec": (altaz_from_hadec, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s + 1), 0.7)),
    "sigma_clip": (sigma_clip, {}, lambda s, n: (np.r_[_f(n * 3, seed=s), 9.0, -7.0],)),
    "sigma_clip_int16": (sigma_clip, {"sigma": 1.5}, lambda s, n: (
        _i(100, n * 3, seed=s).astype(np.int16),)),
    "sigma_clipped_stats": (sigma_clipped_stats, {}, lambda s, n: (
        np.r_[_f(n * 3, seed=s), 9.0].astype(np.float32),)),
    "mad_std_axis": (mad_std, {"axis": 0}, lambda s, n: (_f(n * 2, 3, seed=s),)),
    "biweight_location": (biweight_location, {}, lambda s, n: (np.r_[_f(n * 3, seed=s), 30.0],)),
    "biweight_midvariance": (biweight_midvariance, {}, lambda s, n: (
        np.r_[_f(n * 3, seed=s), 30.0],)),
    "gaussian2d_kernel": (gaussian2d_kernel, {}, lambda s, n: (0.5 + n / 4,)),
    "convolve_fft_normalized": (convolve_fft_normalized, {}, lambda s, n: (
        np.where(_u(s, n + 2, 5) < 0.15, np.nan, _f(n + 2, 5, seed=s)),
        gaussian2d_kernel(1.0, 3))),
    # groupby idioms
    "groupby_add_at": (groupby_add_at, {"n_groups": 5}, lambda s, n: (
        _i(4, n * 2, seed=s), _f(n * 2, seed=s + 1))),
    "groupby_add_at_f32": (groupby_add_at, {"n_groups": 3}, lambda s, n: (
        _i(3, n * 2, seed=s), _f(n * 2, seed=s + 1).astype(np.float32))),
    "groupby_max_min_at": (groupby_max_min_at, {"n_groups": 5}, lambda s, n: (
        _i(4, n * 2, seed=s), _f(n * 2, seed=s + 1))),
    "groupby_max_int": (groupby_max_int, {"n_groups": 4}, lambda s, n: (
        _i(4, n * 2, seed=s), _i(1000, n * 2, seed=s + 1) - 500)),
    "groupby_bincount_bounded": (groupby_bincount_bounded, {}, lambda s, n: (
        _i(6, n * 2, seed=s) - 1, _f(n * 2, seed=s + 1))),
    "groupby_transform_demean": (groupby_transform_demean, {"n_groups": 4}, lambda s, n: (
        _i(4, n * 2, seed=s), _f(n * 2, seed=s + 1))),
    "groupby_lexsort": (groupby_lexsort, {}, lambda s, n: (
        _i(3, n * 2, seed=s), _i(2, n * 2, seed=s + 1), _i(5, n * 2, seed=s + 2))),
    "groupby_sorted_ids": (groupby_sorted_ids, {}, lambda s, n: (
        _i(4, n * 2, seed=s), _f(n * 2, seed=s + 1))),
    "groupby_cumcount": (groupby_cumcount, {}, lambda s, n: (_i(3, n * 2, seed=s),)),
    "groupby_cumsum": (groupby_cumsum, {}, lambda s, n: (_i(3, n * 2, seed=s),
                                                         _f(n * 2, seed=s + 1))),
    "groupby_first_last": (groupby_first_last, {"n_groups": 5}, lambda s, n: (
        _i(4, n * 2, seed=s), _f(n * 2, seed=s + 1))),
    "pivot_table": (pivot_table, {"n_rows": 3, "n_cols": 2}, lambda s, n: (
        _i(3, n * 2, seed=s), _i(2, n * 2, seed=s + 1), _i(10, n * 2, seed=s + 2))),
    "value_counts_bool": (value_counts_bool, {}, lambda s, n: (_u(s, n, 3) < 0.5,)),
    "searchsorted_buckets": (searchsorted_buckets, {}, lambda s, n: (
        _f(n * 2, seed=s), np.array([-1.0, 0.0, 0.5, 1.0]))),
    "rank_within_group": (rank_within_group, {}, lambda s, n: (
        _i(3, n * 2, seed=s), _f(n * 2, seed=s + 1))),
    "mode_bounded": (mode_bounded, {}, lambda s, n: (_i(20, n * 2, seed=s),)),
    # more internals
    "label_encoder_sorter": (label_encoder_sorter, {}, lambda s, n: (
        np.array([9, 3, 7])[_i(3, n, seed=s)], np.array([9, 3, 7]))),
    "hue_interp_periodic": (hue_interp_periodic, {}, lambda s, n: (
        _f(n, seed=s) * 2, np.array([0.0, 0.3, 0.7]), np.array([1.0, 0.0, 2.0]))),
    "interp_left_right": (interp_left_right, {}, lambda s, n: (
        _f(n, seed=s) * 2, np.array([-1.0, 0.0, 1.0]), _f(3, seed=s + 1))),
    "digitize_right_bincount": (digitize_right_bincount, {}, lambda s, n: (
        np.r_[0.0, _f(n, seed=s)], np.array([-1.0, 0.0, 1.0]))),
    "histogram_density_weights": (histogram_density_weights, {}, lambda s, n: (
        _f(n * 3, seed=s), _positive(s, n * 3))),
    "nan_to_num_in_place": (nan_to_num_in_place, {}, lambda s, n: (
        np.r_[np.nan, np.inf, -np.inf, _f(n, seed=s)],)),
    "argmax_unravel": (argmax_unravel, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "block_reduceat": (block_reduceat, {}, lambda s, n: (_f(n + 3, 2, seed=s),)),
    "take_along_rows": (take_along_rows, {}, lambda s, n: (_f(n, 4, seed=s), _i(4, n, seed=s))),
    "polyfit_weighted": (polyfit_weighted, {}, lambda s, n: (
        np.linspace(0, 1, n + 3), _f(n + 3, seed=s), _positive(s, n + 3))),
    "spectral_layout_no_branch": (spectral_layout_no_branch, {}, lambda s, n: (
        _weighted_graph(s, n),)),
    "top_k_descending": (top_k_descending, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "round_half_away": (round_half_away, {}, lambda s, n: (_f(n, seed=s) * 10,)),
    "python_divmod_angles": (python_divmod_angles, {}, lambda s, n: (_f(n, seed=s) * 1000,)),
    "logaddexp_reduce": (logaddexp_reduce, {}, lambda s, n: (_f(n, 4, seed=s) * 10,)),
    "check_array_2d": (check_array_2d, {}, lambda s, n: (_i(5, n, seed=s),)),
    "check_array_2d_f32": (check_array_2d, {"dtype": np.float32}, lambda s, n: (
        _f(n, 2, seed=s),)),
    "masked_max_where": (masked_max_where, {}, lambda s, n: (_f(n, 3, seed=s),
                                                             _u(s, n, 3) < 0.6)),
    "copyto_where": (copyto_where, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, seed=s + 1),
                                                     _u(s, n, 3) < 0.5)),
    "out_chain_uint8": (out_chain_uint8, {}, lambda s, n: (_u8(s, n, 5), 1.7)),
    "floor_divide_in_place": (floor_divide_in_place, {}, lambda s, n: (
        _i(100, n, 3, seed=s) - 50, 3)),
    "add_unsafe_cast": (add_unsafe_cast, {}, lambda s, n: (_i(10, n, seed=s), _f(n, seed=s) * 3)),
    "in_place_sort_columns": (in_place_sort_columns, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "cumsum_out_f32": (cumsum_out, {}, lambda s, n: (_f(n, 2, seed=s).astype(np.float32),)),
    "iinfo_scaling_int16": (iinfo_scaling, {}, lambda s, n: (
        _i(65536, n, 3, seed=s).astype(np.int16),)),
    "full_like_nan": (full_like_nan, {}, lambda s, n: (_i(9, n, seed=s),)),
    "cov_corr_variants": (cov_corr_variants, {}, lambda s, n: (_f(n + 2, 3, seed=s),)),
    "percentile_methods": (percentile_methods, {}, lambda s, n: (_f(n * 2, 3, seed=s),)),
    "diff_prepend": (diff_prepend, {}, lambda s, n: (_f(n + 2, seed=s),)),
    "norm_orders": (norm_orders, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "kwargs_methods": (kwargs_methods, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "lstsq_1d_cholesky": (lstsq_1d_cholesky, {}, lambda s, n: (_f(n + 3, 3, seed=s),
                                                               _f(n + 3, seed=s + 1))),
    "var_companion": (var_companion, {}, lambda s, n: (_f(2, 3, 3, seed=s) * 0.3,)),
    "kron_covariance": (kron_covariance, {"n": 2}, lambda s, n: (_f(n, n, seed=s),)),
    # images and loops
    "overlay_label_color": (overlay_label_color, {}, lambda s, n: (
        _u8(s, n, 4, 3), _i(3, n, 4, seed=s))),
    "label2rgb_average": (label2rgb_average, {}, lambda s, n: (
        _u(s, n, 4, 3), _i(3, n, 4, seed=s))),
    "column_mask_zero": (column_mask_zero, {}, lambda s, n: (_f(3, n, seed=s), _u(s, n) < 0.5)),
    "center_columns_in_place": (center_columns_in_place, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "sort_reversed_view": (sort_reversed_view, {}, lambda s, n: (_f(n, seed=s),)),
    "einsum_dot_out": (einsum_dot_out, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, 2, seed=s))),
    "uint8_arithmetic": (uint8_arithmetic, {}, lambda s, n: (_u8(s, n, 4),)),
    "uint16_shift_scale": (uint16_shift_scale, {}, lambda s, n: (_u16(s, n, 4),)),
    "lexsort_2d_keys": (lexsort_2d_keys, {}, lambda s, n: (_i(3, 3, n * 2, seed=s),)),
    "rows_loop_enumerate": (rows_loop_enumerate, {}, lambda s, n: (_f(3, n, seed=s),
                                                                   _f(n, seed=s + 1))),
    "broadcast_copy_tile": (broadcast_copy_tile, {}, lambda s, n: (_f(n, seed=s),)),
    "channels_first_bgr": (channels_first_bgr, {}, lambda s, n: (_u8(s, n, 4, 3),)),
    "pad_modes_3d": (pad_modes_3d, {}, lambda s, n: (_u(s, n + 1, 4, 3, dtype=np.float32),)),
    "sparse_meshgrid_radius": (sparse_meshgrid_radius, {"h": 5, "w": 6}, lambda s, n: (
        _f(seed=s) + 2, _f(seed=s + 1) + 3)),
    "gradient_orientation": (gradient_orientation, {}, lambda s, n: (_u8(s, n + 1, 5),)),
    "ogrid_disk": (ogrid_disk, {}, lambda s, n: (_u8(s, n + 1, 6),)),
    "dict_of_stats_comprehension": (dict_of_stats_comprehension, {}, lambda s, n: (
        _f(n, 3, seed=s).astype(np.float32),)),
    "where_indices_write": (where_indices_write, {}, lambda s, n: (_u(s, n * 2),)),
    "cumprod_survival": (cumprod_survival, {}, lambda s, n: (_u(s, 2, n) * 0.3,)),
    # distances, metrics
    "cdist_metrics": (cdist_metrics, {}, lambda s, n: (_f(n, 3, seed=s), _f(4, 3, seed=s + 1))),
    "braycurtis_canberra": (braycurtis_canberra, {}, lambda s, n: (
        np.r_[np.zeros((1, 3)), _positive(s, n, 3)], np.r_[np.zeros((1, 3)), _f(2, 3, seed=s)])),
    "boolean_dissimilarities": (boolean_dissimilarities, {}, lambda s, n: (
        np.r_[np.zeros((1, 5), bool), _u(s, n, 5) < 0.5], _u(s + 1, 3, 5) < 0.5)),
    "pdist_squareform": (pdist_squareform, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "whiten": (whiten, {}, lambda s, n: (np.c_[_f(n, 2, seed=s), np.ones(n)],)),
    "matthews_corrcoef": (matthews_corrcoef, {}, lambda s, n: (
        _i(3, n * 2, seed=s), _i(3, n * 2, seed=s + 1))),
    "cohen_kappa": (cohen_kappa, {}, lambda s, n: (_i(3, n * 2, seed=s), _i(3, n * 2, seed=s + 1))),
    "cohen_kappa_quadratic": (cohen_kappa, {"weights": "quadratic"}, lambda s, n: (
        _i(3, n * 2, seed=s), _i(3, n * 2, seed=s + 1))),
    "dcg_ndcg": (dcg_ndcg, {}, lambda s, n: (
        np.r_[np.zeros((1, 5)), _i(4, n, 5, seed=s).astype(np.float64)], _f(n + 1, 5, seed=s))),
    "average_precision_sorted": (average_precision_sorted, {}, lambda s, n: (
        np.r_[1, _i(2, n * 2, seed=s)], _f(n * 2 + 1, seed=s))),
    "brier_hamming_zero_one": (brier_hamming_zero_one, {}, lambda s, n: (
        _i(2, n * 2, seed=s), _u(s, n * 2), _i(2, n * 2, seed=s + 1))),
    "quantile_transform": (quantile_transform, {}, lambda s, n: (_f(n * 3, 2, seed=s),)),
    "yeo_johnson_transform": (yeo_johnson_transform, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "yeo_johnson_lambda_2": (yeo_johnson_transform, {"lmbda": 2.0}, lambda s, n: (
        _f(n * 2, seed=s).astype(np.float32),)),
    "one_hot_encode_ignore": (one_hot_encode_ignore, {"categories": ((0, 1, 2), (5, 7))},
                              lambda s, n: (np.c_[_i(4, n, seed=s), 5 + 2 * _i(2, n, seed=s)],)),
    "uniform_filter1d_cumsum": (uniform_filter1d_cumsum, {}, lambda s, n: (_f(n + 3, seed=s),)),
    "median_filter_windows": (median_filter_windows, {}, lambda s, n: (_f(n + 1, 5, seed=s),)),
    "lfilter_direct": (lfilter_direct, {}, lambda s, n: (
        [0.2, 0.3], np.array([1.0, -0.5, 0.1]), _f(n * 2, seed=s))),
    "gaussian_kde_evaluate": (gaussian_kde_evaluate, {}, lambda s, n: (
        _f(2, n * 3, seed=s), _f(2, 5, seed=s + 1))),
    "neighbor_degree_triangles": (neighbor_degree_triangles, {}, lambda s, n: (
        _adjacency(s, n),)),
    # dtypes
    "float32_pipeline": (float32_pipeline, {}, lambda s, n: (_u(s, n, 3, dtype=np.float32),
                                                             _f(3, seed=s))),
    "uint8_to_float_variants": (uint8_to_float_variants, {}, lambda s, n: (_u8(s, n, 4),)),
    "int32_labels": (int32_labels, {"n": 4}, lambda s, n: (_i(4, n * 2, seed=s),)),
    "bool_mask_arithmetic": (bool_mask_arithmetic, {}, lambda s, n: (
        _u(s, n, 3) < 0.5, _f(n, 3, seed=s))),
    "scalar_type_results": (scalar_type_results, {}, lambda s, n: (
        _f(n, seed=s).astype(np.float32), _i(9, n, seed=s))),
    "float16_weights": (float16_weights, {}, lambda s, n: (
        _f(n, seed=s).astype(np.float16), _f(n, seed=s + 1).astype(np.float32))),
    "int_power_and_division": (int_power_and_division, {}, lambda s, n: (
        _i(20, n, seed=s) - 10, _i(5, n, seed=s + 1) - 2)),
    "complex_phase_wrap": (complex_phase_wrap, {}, lambda s, n: (
        (_f(n, seed=s) + 1j * _f(n, seed=s + 1)).astype(np.complex64),)),
    # seeded draws
    "random_subsample": (random_subsample, {}, lambda s, n: (_f(n + 2, 3, seed=s),)),
    "shuffle_rows_in_place": (shuffle_rows_in_place, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "dropout_and_jitter": (dropout_and_jitter, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "kmeans_random_init": (kmeans_random_init, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "bootstrap_means": (bootstrap_means, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "sort_with_nans": (sort_with_nans, {}, lambda s, n: (_f(n + 3, seed=s),)),
    # masked rewrites
    "simple_imputer_mean": (simple_imputer_mean, {}, lambda s, n: (
        np.where(_u(s, n + 1, 3) < 0.3, np.nan, _f(n + 1, 3, seed=s)),)),
    "nan_euclidean_distances": (nan_euclidean_distances, {}, lambda s, n: (
        np.where(_u(s, n, 3) < 0.3, np.nan, _f(n, 3, seed=s)),
        np.r_[np.full((1, 3), np.nan), np.where(_u(s + 1, 2, 3) < 0.3, np.nan,
                                                _f(2, 3, seed=s + 1))])),
    "rgb2xyz": (rgb2xyz, {}, lambda s, n: (_u(s, n, 3, 3),)),
    "rgb2xyz_f32": (rgb2xyz, {}, lambda s, n: (_u(s, n, 3, 3, dtype=np.float32),)),
    "xyz2lab": (xyz2lab, {}, lambda s, n: (_u(s, n, 3, 3),)),
    "safe_sqr": (safe_sqr, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "safe_sqr_in_place": (safe_sqr, {"copy": False}, lambda s, n: (_i(9, n, 3, seed=s),)),
    "handle_zeros_in_scale": (handle_zeros_in_scale, {}, lambda s, n: (
        np.r_[0.0, 1e-17, _u(s, n)],)),
    "haversine_distances": (haversine_distances, {}, lambda s, n: (
        _f(n, 2, seed=s) * 40, _f(3, 2, seed=s + 1) * 40)),
    "image_moments": (image_moments, {}, lambda s, n: (_u(s, n + 1, 5),)),
    "valid_points_columns": (valid_points_columns, {}, lambda s, n: (
        _f(n * 2, 3, seed=s), np.r_[np.nan, 1.0, _f(n * 2 - 2, seed=s + 1)])),
    # smoothing, matching
    "lowess": (lowess, {}, lambda s, n: (np.sort(_u(s, n * 3)), _f(n * 3, seed=s))),
    "match_to_catalog_sky": (match_to_catalog_sky, {}, lambda s, n: (
        _u(s, n) * 6, _u(s + 1, n) - 0.5, _u(s + 2, 7) * 6, _u(s + 3, 7) - 0.5)),
    "savgol_filter_same": (savgol_filter_same, {}, lambda s, n: (_f(n * 2, seed=s),)),
    # dtype queries
    "solve_in_common_type": (solve_in_common_type, {}, lambda s, n: (
        _f(n, n, seed=s).astype(np.float32), _i(5, n, seed=s))),
    "mpl_process_value_u8": (mpl_process_value, {}, lambda s, n: (_u8(s, n, 3),)),
    "mpl_process_value_f64": (mpl_process_value, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "mpl_process_value_bool": (mpl_process_value, {}, lambda s, n: (_u(s, n) < 0.5,)),
    # object containers
    "kbins_discretizer_uniform": (kbins_discretizer_uniform, {}, lambda s, n: (
        _f(n * 2, 3, seed=s),)),
    "cartesian_product": (cartesian_product, {}, lambda s, n: (
        [_f(n, seed=s), _f(3, seed=s + 1)],)),
    # valid-key groupbys
    "groupby_valid_keys": (groupby_valid_keys, {}, lambda s, n: (
        _i(5, n * 3, seed=s) - 1, np.where(_u(s, n * 3) < 0.2, np.nan, _f(n * 3, seed=s)))),
    "crosstab_valid_f32": (crosstab_valid, {}, lambda s, n: (
        _i(4, n * 2, seed=s) - 1, _i(3, n * 2, seed=s + 1) - 1,
        _positive(s, n * 2).astype(np.float32))),
    "sigma_clipped_selection": (sigma_clipped_selection, {}, lambda s, n: (
        np.r_[_f(n * 4, seed=s), 8.0, np.nan, -9.0],)),
    # clustering, paths
    "single_linkage": (single_linkage, {}, lambda s, n: (_f(n + 2, 2, seed=s),)),
    "knn_graph": (knn_graph, {}, lambda s, n: (_f(n + 1, 2, seed=s),)),
    "dijkstra_dense": (dijkstra_dense, {}, lambda s, n: (_weighted_graph(s, n + 1),)),
    "sgd_with_verbose_log_off": (sgd_with_verbose_log, {}, lambda s, n: (
        _f(3, seed=s), _f(n * 2, 3, seed=s + 1), _f(n * 2, seed=s + 2))),
    # more metrics
    "is_low_contrast_u8": (is_low_contrast, {}, lambda s, n: (
        (100 + _i(8, n, 5, seed=s)).astype(np.uint8),)),
    "is_low_contrast_f32": (is_low_contrast, {}, lambda s, n: (_u(s, n, 5, dtype=np.float32),)),
    "mean_absolute_percentage_error": (mean_absolute_percentage_error, {}, lambda s, n: (
        np.r_[0.0, _f(n, seed=s)], _f(n + 1, seed=s + 1))),
    "mean_tweedie_deviance_poisson": (mean_tweedie_deviance, {"power": 1}, lambda s, n: (
        np.r_[0.0, _positive(s, n)], _positive(s + 1, n + 1))),
    "mean_tweedie_deviance_gamma": (mean_tweedie_deviance, {"power": 2}, lambda s, n: (
        _positive(s, n), _positive(s + 1, n))),
    "mean_tweedie_deviance_1_5": (mean_tweedie_deviance, {"power": 1.5}, lambda s, n: (
        _positive(s, n), _positive(s + 1, n))),
    "regression_errors": (regression_errors, {}, lambda s, n: (_f(n * 2, seed=s),
                                                               _f(n * 2, seed=s + 1))),
    "top_k_accuracy_score": (top_k_accuracy_score, {}, lambda s, n: (
        _i(4, n * 2, seed=s), _f(n * 2, 4, seed=s))),
    "add_trend": (add_trend, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "sigma_clip_mad": (sigma_clip_mad, {}, lambda s, n: (
        np.r_[_f(n * 3, 2, seed=s), [[9.0, -8.0]]],)),
    "roi_histogram_u8": (roi_histogram, {}, lambda s, n: (_u8(s, n, 5), _u(s, n, 5) < 0.6)),
    "class_counts_of_labelled": (class_counts_of_labelled, {}, lambda s, n: (
        _i(4, n * 3, seed=s) - 1,)),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_library_function_matches_numpy(name):
    """NumPy\'s values, dtypes and in-place writes (`test_corpus.check_like_numpy`)."""
    check_like_numpy(*CORPUS[name])


# ----------------------------------------------------------------------------- refused forms

D, C, U = (tracenp.errors.DataDependentShapeError, tracenp.errors.ConcretizationError,
           tracenp.errors.UnsupportedFunctionError)


def _rankdata_average(a):
    return rankdata(a, method="average")


def _rescale_intensity_image(image):
    return rescale_intensity(image, out_range=(0.0, 1.0))


def _gaussian_nb_update_weighted(mu, var, X, sample_weight):
    return gaussian_nb_update(mu, var, X, sample_weight)


REFUSED = {
    "logsumexp_scalar_branch": (C, logsumexp_scalar_branch, lambda s: (_f(5, seed=s),)),
    "binary_clf_curve": (D, binary_clf_curve, lambda s: (_i(2, 8, seed=s), _ties(s, 8))),
    "histogram_uint8_offset": (C, histogram_uint8_offset, lambda s: (
        _i(9, 12, seed=s).astype(np.int16) - 3,)),
    "rescale_intensity_image_range": (C, _rescale_intensity_image, lambda s: (_u8(s, 4, 5),)),
    "random_noise_min_branch": (C, random_noise_gaussian, lambda s: (_u8(s, 4, 5),)),
    "yule_walker_isnan_branch": (C, yule_walker, lambda s: (_series(s, 12),)),
    "pagerank_converge": (D, pagerank_converge, lambda s: (_adjacency(s, 5),)),
    "autoscale_ticks_math_log10": (C, autoscale_ticks, lambda s: (_f(6, seed=s) + 50,)),
    "multiple_locator_data": (D, multiple_locator_data, lambda s: (_f(6, seed=s),)),
    "boxplot_fliers": (D, boxplot_fliers, lambda s: (np.r_[_f(9, seed=s), 8.0],)),
    "wrap_at_branch": (C, wrap_at_branch, lambda s: (_f(6, seed=s) * 400,)),
    "mpl_normalize_checked": (C, mpl_normalize_checked, lambda s: (_f(6, seed=s),)),
    "groupby_unique_sum": (D, groupby_unique_sum, lambda s: (_i(4, 9, seed=s),
                                                             _f(9, seed=s + 1))),
    "groupby_split": (D, groupby_split, lambda s: (_i(4, 9, seed=s), _f(9, seed=s + 1))),
    "groupby_unique_counts": (D, groupby_unique_counts, lambda s: (_i(4, 9, seed=s),)),
    "dedupe_sorted": (D, dedupe_sorted, lambda s: (_i(4, 9, seed=s),)),
    "scott_bins": (C, scott_bins, lambda s: (_f(20, seed=s),)),
    "degree_assortativity": (D, degree_assortativity, lambda s: (_adjacency(s, 6),)),
    "sgd_verbose_fstring_log": (C, _sgd_verbose, lambda s: (
        _f(3, seed=s), _f(8, 3, seed=s + 1), _f(8, seed=s + 2))),
    "assert_all_finite": (C, assert_all_finite, lambda s: (_f(4, 2, seed=s),)),
    "spectral_layout_lim_branch": (C, spectral_layout, lambda s: (_weighted_graph(s, 5),)),
}


PYTHON_NUMBERS = {
    "gaussian_nb_update_float_of_sum": (_gaussian_nb_update_weighted, {}, lambda s, n: (
        _f(3, seed=s), _positive(s, 3), _f(5, 3, seed=s + 1), _positive(s + 2, 5))),
    "equalize_hist_float_cast": (equalize_hist_float_cast, {}, lambda s, n: (
        _u(s, 4, 6, dtype=np.float32),)),
}


@pytest.mark.parametrize("name", list(PYTHON_NUMBERS))
def test_python_numbers_of_traced_values_match_numpy(name):
    """Python numbers of traced values (`float()`, `int()`, `.item()`, `.tolist()`), refused
    before, match NumPy: weak traced scalars the function returns as NumPy's Python numbers."""
    check_like_numpy(*PYTHON_NUMBERS[name])


REFUSED_NOW_STATIC = {
    "handle_zeros_in_scale_scalar": (C, handle_zeros_in_scale, lambda s: (0.5 * (s - 1),)),
}


@pytest.mark.parametrize("name", list(REFUSED_NOW_STATIC))
def test_library_forms_of_python_scalars_trace(name):
    """Refused until jit made static the Python scalar arguments whose values the function's Python needs; now NumPy's values."""
    _, fn, make = REFUSED_NOW_STATIC[name]
    check_steered(fn, make)


@pytest.mark.parametrize("fn, make", [
    (pearsonr, lambda s: (_f(6, seed=s), _f(6, seed=s + 1))),
    (hillshade_view, lambda s: (_f(4, 5, seed=s),))], ids=["pearsonr", "hillshade_view"])
def test_the_type_of_a_traced_value_as_a_dtype_or_view_class_matches_numpy(fn, make):
    """scipy's `dtype = type(1.0 + x[0] + y[0])` and matplotlib's `.view(type(e_dx))`:
    `type` of a traced value is `np.float64` or `np.ndarray` in the traced function's module
    (both were refused by name, the tracer class taken for a dtype or a subclass)."""
    check_steered(fn, make)


def test_pearsonr_clipped_by_the_builtins_min_and_max_matches_numpy():
    """`max(min(r, 1.0), -1.0)` of a traced correlation: a fold by `np.where`."""
    check_steered(pearsonr_builtin_clip, lambda s: (_f(6, seed=s), _f(6, seed=s + 1)))


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_raise_by_name_and_fall_back_to_numpy(name):
    """The named error, and NumPy's values under `fallback=True` (`test_corpus.check_refused`)."""
    check_refused(*REFUSED[name])


def _jd_parts(s):
    return 2451545.0 + np.floor(_f(6, seed=s) * 1e4), _f(6, seed=s + 1) * 1e-3


@pytest.mark.parametrize("fn, make_args", [
    (two_sum, lambda s: (_f(6, seed=s) * 1e16, _f(6, seed=s + 1))),
    (two_product, lambda s: (_f(6, seed=s) * 1e8, _f(6, seed=s + 1) / 3)),
    (day_frac, _jd_parts),
    (kahan_sum, lambda s: (np.r_[1e16, _f(5, seed=s), -1e16, _f(3, seed=s + 1) * 1e-3],)),
], ids=["two_sum", "two_product", "day_frac", "kahan_sum"])
def test_compensated_arithmetic_is_bitwise_numpys(fn, make_args):
    """astropy.time's two_sum/two_product/day_frac and Kahan summation are exact only if no
    rewrite reassociates or fuses them ((a + b) - a is not b): NumPy's bits, not a tolerance."""
    jf = tracenp.jit(fn)
    for s in (1, 2):
        for got, want in zip(jf(*make_args(s)), fn(*make_args(s))):
            assert np.asarray(got).dtype == np.asarray(want).dtype
            assert np.array_equal(got, want), (got, want)

