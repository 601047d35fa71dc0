"""Corpus, hunt AC: NumPy code written the way scikit-learn's and statsmodels' internals and the
SciPy Cookbook write it.

scikit-learn's dense NumPy paths: `utils.extmath` (`row_norms` by `np.einsum('ij,ij->i')`,
`safe_sparse_dot`, `softmax` in place with `copy=False`, the piecewise `log_logistic`,
`stable_cumsum`, `weighted_mode`, `_incremental_mean_and_var`, `svd_flip` by
`np.argmax(np.abs(u), axis=0)`, `cartesian`, a randomized range finder), `metrics` (confusion
matrices by `np.bincount` of `y_true * n + y_pred` and `np.add.at`, precision/recall/F-beta
with `_prf_divide`, kappa, MCC, ROC AUC by mergesort `argsort(...)[::-1]`, `np.r_` and
`np.trapezoid`, average precision, `log_loss` with `np.clip`, `r2_score` with its constant
columns, MAPE, NDCG, ranking and coverage errors), pairwise distances and kernels (euclidean
by `-2 * X @ Y.T + XX + YY` with `np.maximum(D, 0, out=D)`, the float32 upcast in static
batches, NaN-euclidean, cosine, manhattan, haversine, rbf/polynomial/sigmoid/laplacian/chi2,
kernel centering), `preprocessing` (StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler by
`np.nanpercentile`, `_handle_zeros_in_scale`, Normalizer, PolynomialFeatures by
`combinations_with_replacement` and by degree blocks, one-hot and `label_binarize` by
`np.searchsorted`, KBins, quantile and power transforms, imputers), brute-force neighbors by
`argpartition` then `argsort`, linear models (ridge by `np.linalg.solve`, SVD and the GCV
eigen-trick, lasso/elastic-net coordinate descent, logistic and multinomial loss/gradient
through `_intercept_dot`, SGD and perceptron epochs over given orders), PCA by
`np.linalg.svd` with whitening and by `eigh`, FactorAnalysis, NMF, FastICA, Lloyd and
mini-batch k-means, k-means++ from given draws, silhouette and clustering scores, KFold
plumbing, covariance shrinkage, Gaussian mixture E/M steps, naive Bayes, f_regression/chi2 and
MLP forward/backward passes and Adam updates over parameter lists. statsmodels: OLS by
`np.linalg.pinv` with standard errors, HC0-HC3 and HAC covariances, WLS, GLS, influence
measures, `acovf`/`acf` by `np.correlate` and by FFT, PACF by Yule-Walker and
Levinson-Durbin, Durbin-Watson, Ljung-Box, Jarque-Bera, `lagmat` by loops and slicing, AR fits,
ARMA filtering, Holt/Holt-Winters loops, HP and BK filters, Breusch-Pagan and White tests,
DescrStatsW, RLM and GLM by fixed IRLS iterations, `seasonal_decompose` and a fixed-lag ADF.
The SciPy Cookbook: `smooth` with its `np.r_` reflection and windows, Savitzky-Golay (1-D and
2-D) by `np.linalg.pinv` of a Vandermonde matrix, `rebin`, `congrid`-like interpolation,
particle filters with systematic resampling by `np.searchsorted` of `np.cumsum`, Kalman
filters and an RTS smoother, `segment_axis`, running means, Brownian motion by
`np.cumsum(out=)`, Gaussian blur by `np.mgrid`, radial profiles, Gaussian moments, circle fits,
`as_strided` rolling windows and a Laplace solver. Each function is called twice with new data
of one shape and once with another under `tracenp.jit` and must match eager NumPy in value,
dtype and the arguments it writes in place; Python scalars that decide shapes and loops are
steered static, and validation branches, element-wise `if`s, `np.ma` and
`np.ndarray(buffer=...)` views raise a named error and fall back to NumPy.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names, _Xfail
from test_corpus_libs import (  # the same code
    deterministic_vector_sign_flip, durbin_watson, hinge_loss, laplacian_kernel,
    manhattan_distances, mean_absolute_percentage_error, polynomial_kernel, row_norms,
    sigmoid_kernel, svd_flip)


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


# ------------------------------------------------------------------ scikit-learn utils.extmath


def safe_sparse_dot(a, b, dense_output=False):
    if a.ndim > 2 or b.ndim > 2:
        ret = np.dot(a, b)
    else:
        ret = a @ b
    return ret


def sk_softmax(X, copy=True):
    if copy:
        X = np.copy(X)
    max_prob = np.max(X, axis=1).reshape((-1, 1))
    X -= max_prob
    np.exp(X, X)
    sum_prob = np.sum(X, axis=1).reshape((-1, 1))
    X /= sum_prob
    return X


def softmax_inplace(X):
    """`softmax(X, copy=False)`: the caller's array holds the probabilities."""
    return sk_softmax(X, copy=False)


def _log_logistic_sigmoid(n_samples, n_features, X, out):
    for i in range(n_samples):
        for j in range(n_features):
            if X[i, j] > 0:
                out[i, j] = -np.log(1.0 + np.exp(-X[i, j]))
            else:
                out[i, j] = X[i, j] - np.log(1.0 + np.exp(X[i, j]))
    return out


def log_logistic(X):
    """The vectorized piecewise form of `log_logistic` (a traced `if` per element would be
    refused, the library itself dispatches to Cython)."""
    X = np.atleast_2d(X)
    out = np.empty_like(X)
    pos = X > 0
    out[pos] = -np.log1p(np.exp(-X[pos]))
    out[~pos] = X[~pos] - np.log1p(np.exp(X[~pos]))
    return out


def log_logistic_where(X):
    return np.where(X > 0, -np.log1p(np.exp(-np.abs(X))), X - np.log1p(np.exp(np.minimum(X, 0))))


def stable_cumsum(arr, axis=None, rtol=1e-05, atol=1e-08):
    out = np.cumsum(arr, axis=axis, dtype=np.float64)
    expected = np.sum(arr, axis=axis, dtype=np.float64)
    ok = np.all(np.isclose(out.take(-1, axis=axis), expected, rtol=rtol, atol=atol,
                           equal_nan=True))
    return out, ok


def weighted_mode(a, w, axis=0):
    a = np.asarray(a)
    w = np.asarray(w)
    if a.shape != w.shape:
        w = np.full(a.shape, w, dtype=w.dtype)
    scores = np.unique(np.ravel(a))
    testshape = list(a.shape)
    testshape[axis] = 1
    oldmostfreq = np.zeros(testshape)
    oldcounts = np.zeros(testshape)
    for score in scores:
        template = np.zeros(a.shape)
        ind = a == score
        template[ind] = w[ind]
        counts = np.expand_dims(np.sum(template, axis), axis)
        mostfrequent = np.where(counts > oldcounts, score, oldmostfreq)
        oldcounts = np.maximum(counts, oldcounts)
        oldmostfreq = mostfrequent
    return mostfrequent, oldcounts


def weighted_mode_classes(a, w, classes):
    """`weighted_mode` with the candidate scores given (the classes of a fitted estimator)."""
    testshape = list(a.shape)
    testshape[0] = 1
    oldmostfreq = np.zeros(testshape)
    oldcounts = np.zeros(testshape)
    for score in classes:
        template = np.zeros(a.shape)
        ind = a == score
        template[ind] = w[ind]
        counts = np.expand_dims(np.sum(template, 0), 0)
        mostfrequent = np.where(counts > oldcounts, score, oldmostfreq)
        oldcounts = np.maximum(counts, oldcounts)
        oldmostfreq = mostfrequent
    return mostfrequent, oldcounts


def _incremental_mean_and_var(X, last_mean, last_variance, last_sample_count):
    last_sum = last_mean * last_sample_count
    X_nan_mask = np.isnan(X)
    if np.any(X_nan_mask):
        sum_op = np.nansum
    else:
        sum_op = np.sum
    new_sum = sum_op(X, axis=0)
    n_samples = X.shape[0]
    new_sample_count = n_samples - np.sum(X_nan_mask, axis=0)
    updated_sample_count = last_sample_count + new_sample_count
    updated_mean = (last_sum + new_sum) / updated_sample_count
    T = new_sum / new_sample_count
    temp = X - T
    correction = sum_op(temp, axis=0)
    temp **= 2
    new_unnormalized_variance = sum_op(temp, axis=0)
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


def incremental_mean_var_nansum(X, last_mean, last_variance, last_sample_count):
    """`_incremental_mean_and_var` on the `np.nansum` branch, written without the `np.any` test."""
    last_sum = last_mean * last_sample_count
    X_nan_mask = np.isnan(X)
    new_sum = np.nansum(X, axis=0)
    new_sample_count = X.shape[0] - np.sum(X_nan_mask, axis=0)
    updated_sample_count = last_sample_count + new_sample_count
    updated_mean = (last_sum + new_sum) / updated_sample_count
    T = new_sum / new_sample_count
    temp = X - T
    correction = np.nansum(temp, axis=0)
    temp **= 2
    new_unnormalized_variance = np.nansum(temp, axis=0)
    new_unnormalized_variance -= correction ** 2 / new_sample_count
    last_unnormalized_variance = last_variance * last_sample_count
    last_over_new_count = last_sample_count / new_sample_count
    updated_unnormalized_variance = (
        last_unnormalized_variance + new_unnormalized_variance
        + last_over_new_count / updated_sample_count
        * (last_sum / last_over_new_count - new_sum) ** 2)
    zeros = last_sample_count == 0
    updated_unnormalized_variance[zeros] = new_unnormalized_variance[zeros]
    return updated_mean, updated_unnormalized_variance / updated_sample_count, updated_sample_count


def _nan_block(s, n):
    X = _f(n, 3, seed=s)
    X[1, 0] = np.nan
    X[n - 1, 2] = np.nan
    return X


def cartesian(arrays, out=None):
    arrays = [np.asarray(x) for x in arrays]
    shape = (len(x) for x in arrays)
    ix = np.indices(shape)
    ix = ix.reshape(len(arrays), -1).T
    if out is None:
        dtype = np.result_type(*arrays)
        out = np.empty_like(ix, dtype=dtype)
    for n, arr in enumerate(arrays):
        out[:, n] = arrays[n][ix[:, n]]
    return out


def cartesian_of(a, b, c):
    return cartesian([a, b, c])


def randomized_range_finder_steps(A, Q, n_iter):
    """`randomized_range_finder` with the Gaussian start `Q` given and LU normalizer by QR."""
    for _ in range(n_iter):
        Q, _ = np.linalg.qr(A @ Q)
        Q, _ = np.linalg.qr(A.T @ Q)
    Q, _ = np.linalg.qr(A @ Q)
    return Q @ (Q.T @ A)




def fast_logdet(A):
    sign, ld = np.linalg.slogdet(A)
    if not sign > 0:
        return -np.inf
    return ld


def _spd(s, n):
    a = _f(n, n, seed=s)
    return a @ a.T + n * np.eye(n)


EXTMATH = {
    "row_norms": (row_norms, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "safe_sparse_dot_3d": (safe_sparse_dot, {}, lambda s, n: (_f(2, n, 3, seed=s),
                                                              _f(3, 4, seed=s))),
    "softmax_copy": (sk_softmax, {}, lambda s, n: (_f(n, 4, seed=s) * 3,)),
    "softmax_in_place": (softmax_inplace, {}, lambda s, n: (_f(n, 4, seed=s) * 3,)),
    "log_logistic_masks": (log_logistic, {}, lambda s, n: (_f(n, 3, seed=s) * 20,)),
    "log_logistic_where": (log_logistic_where, {}, lambda s, n: (_f(n, seed=s) * 20,)),
    "stable_cumsum": (stable_cumsum, {}, lambda s, n: (_u(s, n * 3),)),
    "stable_cumsum_axis": (stable_cumsum, {"axis": 1}, lambda s, n: (
        _u(s, n, 3).astype(np.float32),)),
    "weighted_mode_classes": (weighted_mode_classes, {}, lambda s, n: (
        _i(3, n, 4, seed=s).astype(float), _u(s, n, 4), np.arange(3.0))),
    "incremental_mean_var_nans": (incremental_mean_var_nansum, {}, lambda s, n: (
        _nan_block(s, n), _f(3, seed=s + 1), _u(s, 3) + 0.5, np.array([3.0, 0.0, 7.0]))),
    "svd_flip_u": (svd_flip, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, 4, seed=s + 1))),
    "svd_flip_v": (svd_flip, {"u_based_decision": False}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, 4, seed=s + 1))),
    "cartesian": (cartesian_of, {}, lambda s, n: (_f(n, seed=s), np.arange(3.0), _f(2, seed=s))),
    "randomized_range_finder": (randomized_range_finder_steps, {"n_iter": 2}, lambda s, n: (
        _f(n + 4, 5, seed=s), _f(5, 3, seed=s + 1))),
}


@pytest.mark.parametrize("name", _names(EXTMATH))
def test_sklearn_extmath_matches_numpy(name):
    check_like_numpy(*EXTMATH[name])


# ------------------------------------------------------------------ scikit-learn metrics


def confusion_matrix_bincount(y_true, y_pred, n_labels):
    cm = np.bincount(y_true * n_labels + y_pred, minlength=n_labels * n_labels)
    return cm.reshape(n_labels, n_labels)


def confusion_matrix_weighted(y_true, y_pred, sample_weight, n_labels, normalize="true"):
    """`confusion_matrix` with weights through `np.add.at` and a row normalization."""
    cm = np.zeros((n_labels, n_labels), dtype=np.float64)
    np.add.at(cm, (y_true, y_pred), sample_weight)
    with np.errstate(all="ignore"):
        if normalize == "true":
            cm = cm / cm.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            cm = cm / cm.sum(axis=0, keepdims=True)
        elif normalize == "all":
            cm = cm / cm.sum()
        cm = np.nan_to_num(cm)
    return cm


def multilabel_confusion(y_true, y_pred, n_labels):
    """`multilabel_confusion_matrix`'s tp/fp/fn/tn for multiclass targets by `np.bincount`."""
    tp = y_true == y_pred
    tp_bins = y_true[tp]
    tp_sum = np.bincount(tp_bins, minlength=n_labels)
    pred_sum = np.bincount(y_pred, minlength=n_labels)
    true_sum = np.bincount(y_true, minlength=n_labels)
    fp = pred_sum - tp_sum
    fn = true_sum - tp_sum
    tp = tp_sum
    tn = y_true.shape[0] - tp - fp - fn
    return np.array([tn, fp, fn, tp]).T.reshape(-1, 2, 2)


def _prf_divide(numerator, denominator, zero_division=0.0):
    mask = denominator == 0.0
    denominator = denominator.copy()
    denominator[mask] = 1
    result = numerator / denominator
    result[mask] = zero_division
    return result


def precision_recall_fscore(y_true, y_pred, n_labels, beta=1.0, average=None):
    tp_sum = np.bincount(y_true[y_true == y_pred], minlength=n_labels).astype(np.float64)
    pred_sum = np.bincount(y_pred, minlength=n_labels).astype(np.float64)
    true_sum = np.bincount(y_true, minlength=n_labels).astype(np.float64)
    if average == "micro":
        tp_sum = np.array([tp_sum.sum()])
        pred_sum = np.array([pred_sum.sum()])
        true_sum = np.array([true_sum.sum()])
    beta2 = beta ** 2
    precision = _prf_divide(tp_sum, pred_sum)
    recall = _prf_divide(tp_sum, true_sum)
    denom = beta2 * precision + recall
    denom[denom == 0.0] = 1
    f_score = (1 + beta2) * precision * recall / denom
    if average == "weighted":
        weights = true_sum
    else:
        weights = None
    if average is not None:
        precision = np.average(precision, weights=weights)
        recall = np.average(recall, weights=weights)
        f_score = np.average(f_score, weights=weights)
    return precision, recall, f_score, true_sum


def f1_errstate(tp, fp, fn):
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return precision, recall, f1


def accuracy_score(y_true, y_pred, sample_weight=None, normalize=True):
    score = y_true == y_pred
    if normalize:
        return np.average(score, weights=sample_weight)
    elif sample_weight is not None:
        return np.dot(score, sample_weight)
    return score.sum()


def balanced_accuracy(y_true, y_pred, n_labels):
    C = confusion_matrix_bincount(y_true, y_pred, n_labels)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_class = np.diag(C) / C.sum(axis=1)
    per_class = per_class[~np.isnan(per_class)]
    return np.mean(per_class)


def balanced_accuracy_masked(y_true, y_pred, n_labels):
    """The same mean over classes present, as a masked sum (no selection)."""
    C = confusion_matrix_bincount(y_true, y_pred, n_labels)
    support = C.sum(axis=1)
    present = support > 0
    per_class = np.diag(C) / np.where(present, support, 1)
    return np.sum(per_class * present) / np.sum(present)


def cohen_kappa(y1, y2, n_labels, weights=None):
    confusion = confusion_matrix_bincount(y1, y2, n_labels)
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


def matthews_corrcoef(y_true, y_pred, n_labels):
    C = confusion_matrix_bincount(y_true, y_pred, n_labels)
    t_sum = C.sum(axis=1, dtype=np.float64)
    p_sum = C.sum(axis=0, dtype=np.float64)
    n_correct = np.trace(C, dtype=np.float64)
    n_samples = p_sum.sum()
    cov_ytyp = n_correct * n_samples - np.dot(t_sum, p_sum)
    cov_ypyp = n_samples ** 2 - np.dot(p_sum, p_sum)
    cov_ytyt = n_samples ** 2 - np.dot(t_sum, t_sum)
    return cov_ytyp / np.sqrt(cov_ytyt * cov_ypyp)


def _binary_clf_curve(y_true, y_score, sample_weight=None):
    y_true = y_true == 1
    desc_score_indices = np.argsort(y_score, kind="mergesort")[::-1]
    y_score = y_score[desc_score_indices]
    y_true = y_true[desc_score_indices]
    if sample_weight is not None:
        weight = sample_weight[desc_score_indices]
    else:
        weight = 1.0
    distinct_value_indices = np.where(np.diff(y_score))[0]
    threshold_idxs = np.r_[distinct_value_indices, y_true.size - 1]
    tps = np.cumsum(y_true * weight)[threshold_idxs]
    if sample_weight is not None:
        fps = np.cumsum((1 - y_true) * weight)[threshold_idxs]
    else:
        fps = 1 + threshold_idxs - tps
    return fps, tps, y_score[threshold_idxs]


def roc_curve_all(y_true, y_score):
    """`roc_curve(drop_intermediate=False)`, with a `(0, 0)` point prepended by `np.r_`."""
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score)
    tps = np.r_[0, tps]
    fps = np.r_[0, fps]
    thresholds = np.r_[np.inf, thresholds]
    fpr = fps / fps[-1]
    tpr = tps / tps[-1]
    return fpr, tpr, thresholds


def auc(x, y):
    direction = 1
    dx = np.diff(x)
    if np.any(dx < 0):
        if np.all(dx <= 0):
            direction = -1
    return direction * np.trapezoid(y, x)


def roc_auc_by_ranks(y_true, y_score):
    """AUC of tie-free scores by the Mann-Whitney rank sum (argsort of argsort)."""
    order = np.argsort(y_score, kind="mergesort")
    ranks = np.empty(len(y_score))
    ranks[order] = np.arange(1, len(y_score) + 1)
    n_pos = np.sum(y_true == 1)
    n_neg = len(y_true) - n_pos
    return (np.sum(ranks[y_true == 1]) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def roc_auc_full_curve(y_true, y_score):
    """`roc_auc_score` of continuous scores: every sample is a threshold, trapezoid of the ROC."""
    desc = np.argsort(y_score, kind="mergesort")[::-1]
    y_true = (y_true == 1)[desc]
    tps = np.r_[0, np.cumsum(y_true)]
    fps = np.r_[0, np.cumsum(~y_true)]
    return np.trapezoid(tps / tps[-1], fps / fps[-1])


def average_precision_full(y_true, y_score):
    desc = np.argsort(y_score, kind="mergesort")[::-1]
    y = (y_true == 1)[desc]
    tps = np.cumsum(y)
    fps = np.cumsum(1 - y)
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    precision = np.r_[precision[::-1], 1]
    recall = np.r_[recall[::-1], 0]
    return -np.sum(np.diff(recall) * np.array(precision)[:-1])


def log_loss(y_true, y_prob, n_labels, eps=1e-15):
    transformed = np.eye(n_labels)[y_true]
    y_prob = np.clip(y_prob, eps, 1 - eps)
    y_prob /= y_prob.sum(axis=1)[:, np.newaxis]
    loss = -(transformed * np.log(y_prob)).sum(axis=1)
    return np.average(loss)


def binary_log_loss(y_true, y_prob, sample_weight):
    eps = np.finfo(y_prob.dtype).eps
    y_prob = np.clip(y_prob, eps, 1 - eps)
    return -np.average(xlogy(y_true, y_prob) + xlogy(1 - y_true, 1 - y_prob),
                       weights=sample_weight)


def xlogy(x, y):
    """`scipy.special.xlogy` in NumPy: 0 where x is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log(y))




def r2_score(y_true, y_pred, multioutput="uniform_average"):
    if y_true.ndim == 1:
        y_true = y_true.reshape((-1, 1))
        y_pred = y_pred.reshape((-1, 1))
    weight = 1.0
    numerator = (weight * (y_true - y_pred) ** 2).sum(axis=0, dtype=np.float64)
    denominator = (weight * (y_true - np.average(y_true, axis=0)) ** 2).sum(
        axis=0, dtype=np.float64)
    nonzero_denominator = denominator != 0
    nonzero_numerator = numerator != 0
    valid_score = nonzero_denominator & nonzero_numerator
    output_scores = np.ones([y_true.shape[1]])
    output_scores[valid_score] = 1 - (numerator[valid_score] / denominator[valid_score])
    output_scores[nonzero_numerator & ~nonzero_denominator] = 0.0
    if multioutput == "raw_values":
        return output_scores
    elif multioutput == "variance_weighted":
        avg_weights = denominator
    else:
        avg_weights = None
    return np.average(output_scores, weights=avg_weights)


def _const_col(s, n):
    y = _f(n, 3, seed=s)
    y[:, 1] = 2.0
    return y, y + _f(n, 3, seed=s + 9) * 0.3


def explained_variance(y_true, y_pred):
    y_diff_avg = np.average(y_true - y_pred, axis=0)
    numerator = np.average((y_true - y_pred - y_diff_avg) ** 2, axis=0)
    y_true_avg = np.average(y_true, axis=0)
    denominator = np.average((y_true - y_true_avg) ** 2, axis=0)
    return np.average(1 - numerator / denominator)


def mean_squared_log_error(y_true, y_pred, squared=True):
    err = np.average((np.log1p(y_true) - np.log1p(y_pred)) ** 2, axis=0)
    if not squared:
        err = np.sqrt(err)
    return np.average(err)


def median_absolute_error(y_true, y_pred):
    return np.median(np.abs(y_pred - y_true), axis=0)






def d2_tweedie_deviance(y_true, y_pred, power=0):
    dev = (y_true - y_pred) ** 2 if power == 0 else 2 * (xlogy(y_true, y_true / y_pred)
                                                         - y_true + y_pred)
    y_avg = np.average(y_true)
    null = (y_true - y_avg) ** 2 if power == 0 else 2 * (xlogy(y_true, y_true / y_avg)
                                                         - y_true + y_avg)
    return 1 - np.sum(dev) / np.sum(null)


def ndcg_score(y_true, y_score, k=None):
    discount = 1 / (np.log(np.arange(y_true.shape[1]) + 2) / np.log(2))
    if k is not None:
        discount[k:] = 0
    ranking = np.argsort(y_score)[:, ::-1]
    ranked = y_true[np.arange(ranking.shape[0])[:, np.newaxis], ranking]
    dcg = discount.dot(ranked.T)
    ideal = np.sort(y_true)[:, ::-1]
    idcg = discount.dot(ideal.T)
    all_irrelevant = idcg == 0
    gain = dcg.copy()
    gain[~all_irrelevant] /= idcg[~all_irrelevant]
    gain[all_irrelevant] = 0
    return np.average(gain)


def label_ranking_average_precision(y_true, y_score):
    n_samples, n_labels = y_true.shape
    out = 0.0
    for i in range(n_samples):
        relevant = y_true[i] == 1
        scores_i = y_score[i]
        rank = (scores_i[:, None] <= scores_i[None, :]).sum(axis=1)
        rank_rel = (scores_i[:, None] <= np.where(relevant, scores_i, -np.inf)[None, :]).sum(1)
        aux = np.where(relevant, rank_rel / rank, 0.0).sum() / max(relevant.sum(), 1)
        out += aux
    return out / n_samples


def coverage_error(y_true, y_score):
    y_score_mask = np.ma.masked_array(y_score, mask=np.logical_not(y_true))
    y_min_relevant = y_score_mask.min(axis=1).reshape((-1, 1))
    coverage = (y_score >= y_min_relevant).sum(axis=1)
    coverage = coverage.filled(0)
    return np.average(coverage)


def coverage_error_where(y_true, y_score):
    """`coverage_error` with the masked minimum as `np.where(..., np.inf).min`."""
    y_min_relevant = np.where(y_true == 1, y_score, np.inf).min(axis=1, keepdims=True)
    coverage = (y_score >= y_min_relevant).sum(axis=1)
    coverage = np.where(np.isinf(y_min_relevant[:, 0]), 0, coverage)
    return np.average(coverage)




def jaccard_multilabel(y_true, y_pred):
    inter = np.logical_and(y_true, y_pred).sum(axis=1)
    union = np.logical_or(y_true, y_pred).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nanmean(np.where(union == 0, 1.0, inter / union))


def _binary(s, n):
    y = _i(2, 3 * n, seed=s)
    y[0], y[1] = 0, 1
    return y


def _multi(s, n, k=3):
    y = _i(k, 3 * n, seed=s)
    return y, np.where(_u(s + 40, 3 * n) < 0.6, y, _i(k, 3 * n, seed=s + 41))


def _probs(s, n, k=3):
    p = _u(s, 3 * n, k) + 0.05
    return p / p.sum(1, keepdims=True)


def _multilabel(s, n):
    t = (_u(s, n, 4) < 0.5).astype(int)
    t[:, 0] = 1
    return t


METRICS = {
    "confusion_matrix": (confusion_matrix_bincount, {"n_labels": 3}, lambda s, n: _multi(s, n)),
    "confusion_matrix_weighted": (confusion_matrix_weighted, {"n_labels": 4}, lambda s, n: (
        *_multi(s, n, 3), _u(s, 3 * n))),
    "multilabel_confusion": (multilabel_confusion, {"n_labels": 3}, lambda s, n: _multi(s, n)),
    "precision_recall_f": (precision_recall_fscore, {"n_labels": 4}, lambda s, n: _multi(s, n)),
    "precision_recall_micro": (precision_recall_fscore, {"n_labels": 3, "average": "micro"},
                               lambda s, n: _multi(s, n)),
    "precision_recall_weighted": (precision_recall_fscore,
                                  {"n_labels": 3, "average": "weighted", "beta": 2.0},
                                  lambda s, n: _multi(s, n)),
    "f1_errstate": (f1_errstate, {}, lambda s, n: (
        _i(3, n, seed=s).astype(float), _i(2, n, seed=s + 1).astype(float),
        _i(2, n, seed=s + 2).astype(float))),
    "accuracy_weighted_count": (accuracy_score, {"normalize": False}, lambda s, n: (
        *_multi(s, n), _u(s, 3 * n))),
    "accuracy_count": (accuracy_score, {"normalize": False}, lambda s, n: (*_multi(s, n), None)),
    "balanced_accuracy": (balanced_accuracy, {"n_labels": 4}, lambda s, n: _multi(s, n)),
    "balanced_accuracy_masked": (balanced_accuracy_masked, {"n_labels": 4},
                                 lambda s, n: _multi(s, n)),
    "cohen_kappa": (cohen_kappa, {"n_labels": 3}, lambda s, n: _multi(s, n)),
    "cohen_kappa_quadratic": (cohen_kappa, {"n_labels": 3, "weights": "quadratic"},
                              lambda s, n: _multi(s, n)),
    "matthews_corrcoef": (matthews_corrcoef, {"n_labels": 3}, lambda s, n: _multi(s, n)),
    "roc_auc_by_ranks": (roc_auc_by_ranks, {}, lambda s, n: (_binary(s, n), _f(3 * n, seed=s))),
    "roc_auc_full_curve": (roc_auc_full_curve, {}, lambda s, n: (
        _binary(s, n), _f(3 * n, seed=s))),
    "average_precision": (average_precision_full, {}, lambda s, n: (
        _binary(s, n), _f(3 * n, seed=s))),
    "log_loss": (log_loss, {"n_labels": 3}, lambda s, n: (_multi(s, n)[0], _probs(s, n))),
    "binary_log_loss": (binary_log_loss, {}, lambda s, n: (
        _binary(s, n).astype(float), _u(s, 3 * n), _u(s + 1, 3 * n))),
    "hinge_loss": (hinge_loss, {}, lambda s, n: (2.0 * _binary(s, n) - 1, _f(3 * n, seed=s))),
    "r2_score": (r2_score, {}, lambda s, n: (_f(n * 2, seed=s), _f(n * 2, seed=s + 1))),
    "r2_raw_constant_column": (r2_score, {"multioutput": "raw_values"}, _const_col),
    "r2_variance_weighted": (r2_score, {"multioutput": "variance_weighted"}, _const_col),
    "explained_variance": (explained_variance, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(n, 2, seed=s + 1))),
    "mape": (mean_absolute_percentage_error, {}, lambda s, n: (
        np.r_[0.0, _f(n, seed=s)], np.r_[0.1, _f(n, seed=s + 1)])),
    "msle": (mean_squared_log_error, {"squared": False}, lambda s, n: (
        _u(s, n, 2) * 3, _u(s + 1, n, 2) * 3)),
    "median_absolute_error": (median_absolute_error, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "d2_poisson": (d2_tweedie_deviance, {"power": 1}, lambda s, n: (
        np.r_[0.0, _u(s, n) * 4], _u(s + 1, n + 1) + 0.5)),
    "ndcg": (ndcg_score, {}, lambda s, n: (
        np.vstack([_u(s, n, 5), np.zeros((1, 5))]), _f(n + 1, 5, seed=s))),
    "label_ranking_ap": (label_ranking_average_precision, {}, lambda s, n: (
        _multilabel(s, n), _f(n, 4, seed=s))),
    "coverage_error_where": (coverage_error_where, {}, lambda s, n: (
        _multilabel(s, n), _f(n, 4, seed=s))),
    "jaccard_multilabel": (jaccard_multilabel, {}, lambda s, n: (
        _multilabel(s, n), _multilabel(s + 5, n))),
}


@pytest.mark.parametrize("name", _names(METRICS))
def test_sklearn_metrics_match_numpy(name):
    check_like_numpy(*METRICS[name])


# ------------------------------------------------------------------ scikit-learn pairwise


def euclidean_distances(X, Y=None, Y_norm_squared=None, squared=False):
    XX = row_norms(X, squared=True)[:, np.newaxis]
    if Y is None:
        Y = X
        YY = XX.T
    elif Y_norm_squared is not None:
        YY = Y_norm_squared.reshape(1, -1)
    else:
        YY = row_norms(Y, squared=True)[np.newaxis, :]
    distances = -2 * safe_sparse_dot(X, Y.T, dense_output=True)
    distances += XX
    distances += YY
    np.maximum(distances, 0, out=distances)
    if Y is X:
        np.fill_diagonal(distances, 0)
    return distances if squared else np.sqrt(distances, out=distances)


def euclidean_self(X):
    return euclidean_distances(X)


def euclidean_float32_upcast(X, Y, batch_size=3):
    """`_euclidean_distances_upcast`: float32 inputs, float64 blocks, written into a float32
    result by slices of a static batch size."""
    n_samples_X = X.shape[0]
    n_samples_Y = Y.shape[0]
    distances = np.empty((n_samples_X, n_samples_Y), dtype=np.float32)
    for x_start in range(0, n_samples_X, batch_size):
        x_slice = slice(x_start, min(x_start + batch_size, n_samples_X))
        X_chunk = X[x_slice].astype(np.float64)
        XX_chunk = row_norms(X_chunk, squared=True)[:, np.newaxis]
        for y_start in range(0, n_samples_Y, batch_size):
            y_slice = slice(y_start, min(y_start + batch_size, n_samples_Y))
            Y_chunk = Y[y_slice].astype(np.float64)
            YY_chunk = row_norms(Y_chunk, squared=True)[np.newaxis, :]
            d = -2 * safe_sparse_dot(X_chunk, Y_chunk.T, dense_output=True)
            d += XX_chunk
            d += YY_chunk
            distances[x_slice, y_slice] = d.astype(np.float32, copy=False)
    return distances


def nan_euclidean_distances(X, Y, missing_values=np.nan):
    missing_X = np.isnan(X)
    missing_Y = np.isnan(Y)
    X = X.copy()
    Y = Y.copy()
    X[missing_X] = 0
    Y[missing_Y] = 0
    distances = euclidean_distances(X, Y, squared=True)
    XX = X * X
    YY = Y * Y
    distances -= np.dot(XX, missing_Y.T)
    distances -= np.dot(missing_X, YY.T)
    np.clip(distances, 0, None, out=distances)
    present_X = 1 - missing_X
    present_Y = ~missing_Y
    present_count = np.dot(present_X, present_Y.T)
    distances[present_count == 0] = np.nan
    present_count = np.maximum(1, present_count)
    distances /= present_count
    distances *= X.shape[1]
    np.sqrt(distances, out=distances)
    return distances


def _with_nans(s, n, d=3):
    X = _f(n, d, seed=s)
    X[0, 1] = np.nan
    X[n - 1, 0] = np.nan
    return X


def normalize_rows(X, norm="l2", copy=True):
    if copy:
        X = X.copy()
    if norm == "l1":
        norms = np.abs(X).sum(axis=1)
    elif norm == "l2":
        norms = row_norms(X)
    elif norm == "max":
        norms = np.max(abs(X), axis=1)
    norms = _handle_zeros_in_scale(norms, copy=False)
    X /= norms[:, np.newaxis]
    return X


def cosine_similarity(X, Y):
    X_normalized = normalize_rows(X, copy=True)
    Y_normalized = normalize_rows(Y, copy=True)
    return safe_sparse_dot(X_normalized, Y_normalized.T, dense_output=True)


def cosine_distances(X, Y):
    S = cosine_similarity(X, Y)
    S *= -1
    S += 1
    np.clip(S, 0, 2, out=S)
    return S


def haversine_distances(X, Y):
    sin_0 = np.sin(0.5 * (X[:, 0][:, None] - Y[:, 0][None, :]))
    sin_1 = np.sin(0.5 * (X[:, 1][:, None] - Y[:, 1][None, :]))
    a = sin_0 ** 2 + np.cos(X[:, 0])[:, None] * np.cos(Y[:, 0])[None, :] * sin_1 ** 2
    return 2 * np.arcsin(np.sqrt(a))




def rbf_kernel(X, Y, gamma=None):
    if gamma is None:
        gamma = 1.0 / X.shape[1]
    K = euclidean_distances(X, Y, squared=True)
    K *= -gamma
    np.exp(K, K)
    return K


def chi2_kernel(X, Y, gamma=1.0):
    """`additive_chi2_kernel` in NumPy (the library's is Cython) then `chi2_kernel`'s exp."""
    num = (X[:, None, :] - Y[None, :, :]) ** 2
    den = X[:, None, :] + Y[None, :, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        K = -np.nansum(np.where(den > 0, num / den, 0.0), axis=2)
    K *= gamma
    return np.exp(K, K)


def kernel_centerer(K_fit, K):
    n_samples = K_fit.shape[0]
    K_fit_rows = np.sum(K_fit, axis=0) / n_samples
    K_fit_all = K_fit_rows.sum() / n_samples
    K = K.copy()
    K_pred_cols = (np.sum(K, axis=1) / K_fit_rows.shape[0])[:, np.newaxis]
    K -= K_fit_rows
    K -= K_pred_cols
    K += K_fit_all
    return K


def pairwise_argmin_min_chunked(X, Y, chunk=4):
    """`pairwise_distances_argmin_min` by row chunks of a static size."""
    n = X.shape[0]
    indices = np.empty(n, dtype=np.intp)
    values = np.empty(n)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        D = euclidean_distances(X[start:stop], Y)
        indices[start:stop] = D.argmin(axis=1)
        values[start:stop] = D[np.arange(stop - start), indices[start:stop]]
    return indices, values


def _xy(s, n, m=5, d=3):
    return _f(n, d, seed=s), _f(m, d, seed=s + 1)


PAIRWISE = {
    "euclidean": (euclidean_distances, {}, lambda s, n: _xy(s, n)),
    "euclidean_given_norms": (euclidean_distances, {}, lambda s, n: (
        *_xy(s, n), row_norms(_xy(s, n)[1], squared=True))),
    "euclidean_self": (euclidean_self, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "euclidean_float32_upcast": (euclidean_float32_upcast, {}, lambda s, n: (
        _f(n + 1, 3, seed=s).astype(np.float32), _f(5, 3, seed=s + 1).astype(np.float32))),
    "nan_euclidean": (nan_euclidean_distances, {}, lambda s, n: (
        _with_nans(s, n), _with_nans(s + 1, 4))),
    "cosine_similarity": (cosine_similarity, {}, lambda s, n: (
        np.vstack([_f(n, 3, seed=s), np.zeros((1, 3))]), _f(4, 3, seed=s + 1))),
    "cosine_distances": (cosine_distances, {}, lambda s, n: _xy(s, n)),
    "manhattan": (manhattan_distances, {}, lambda s, n: _xy(s, n)),
    "haversine": (haversine_distances, {}, lambda s, n: (_u(s, n, 2), _u(s + 1, 4, 2))),
    "polynomial_kernel": (polynomial_kernel, {}, lambda s, n: _xy(s, n)),
    "sigmoid_kernel": (sigmoid_kernel, {}, lambda s, n: _xy(s, n)),
    "rbf_kernel": (rbf_kernel, {}, lambda s, n: _xy(s, n)),
    "laplacian_kernel": (laplacian_kernel, {}, lambda s, n: _xy(s, n)),
    "chi2_kernel": (chi2_kernel, {}, lambda s, n: (
        np.vstack([_u(s, n, 3), np.zeros((1, 3))]), _u(s + 1, 4, 3))),
    "kernel_centerer": (kernel_centerer, {}, lambda s, n: (
        rbf_kernel(_f(5, 3, seed=s), _f(5, 3, seed=s)), rbf_kernel(*_xy(s, n)))),
    "pairwise_argmin_min_chunked": (pairwise_argmin_min_chunked, {}, lambda s, n: _xy(s, n + 3)),
}


@pytest.mark.parametrize("name", _names(PAIRWISE))
def test_sklearn_pairwise_matches_numpy(name):
    check_like_numpy(*PAIRWISE[name])


# ------------------------------------------------------------------ scikit-learn preprocessing


def _handle_zeros_in_scale(scale, copy=True, constant_mask=None):
    if np.isscalar(scale):
        if scale == 0.0:
            scale = 1.0
        return scale
    elif isinstance(scale, np.ndarray):
        if constant_mask is None:
            constant_mask = scale < 10 * np.finfo(scale.dtype).eps
        if copy:
            scale = scale.copy()
        scale[constant_mask] = 1.0
        return scale


def standard_scaler_fit_transform(X, with_mean=True, with_std=True):
    mean_ = np.mean(X, axis=0)
    var_ = np.var(X, axis=0)
    constant_mask = var_ <= 10 * np.finfo(np.float64).eps * (mean_ ** 2 + 1)
    scale_ = _handle_zeros_in_scale(np.sqrt(var_), copy=False, constant_mask=constant_mask)
    X = X.copy()
    if with_mean:
        X -= mean_
    if with_std:
        X /= scale_
    return X, mean_, scale_


def standard_scaler_inverse(X, mean_, scale_):
    X = np.array(X, copy=True)
    X *= scale_
    X += mean_
    return X


def minmax_scaler(X, feature_range=(0, 1), clip=False):
    data_min = np.nanmin(X, axis=0)
    data_max = np.nanmax(X, axis=0)
    data_range = data_max - data_min
    scale_ = (feature_range[1] - feature_range[0]) / _handle_zeros_in_scale(data_range, copy=True)
    min_ = feature_range[0] - data_min * scale_
    X = X.copy()
    X *= scale_
    X += min_
    if clip:
        np.clip(X, feature_range[0], feature_range[1], out=X)
    return X


def minmax_transform_new(X_fit, X):
    """A fitted MinMaxScaler applied to new data with `clip=True`."""
    data_min = np.nanmin(X_fit, axis=0)
    data_range = np.nanmax(X_fit, axis=0) - data_min
    scale_ = 1.0 / _handle_zeros_in_scale(data_range, copy=True)
    X = X * scale_ + (0.0 - data_min * scale_)
    np.clip(X, 0, 1, out=X)
    return X


def maxabs_scaler(X):
    max_abs = np.nanmax(np.abs(X), axis=0)
    scale_ = _handle_zeros_in_scale(max_abs, copy=True)
    return X / scale_


def robust_scaler(X, quantile_range=(25.0, 75.0), with_centering=True, unit_variance=False):
    q_min, q_max = quantile_range
    center_ = np.nanmedian(X, axis=0) if with_centering else None
    quantiles = []
    for feature_idx in range(X.shape[1]):
        column_data = X[:, feature_idx]
        quantiles.append(np.nanpercentile(column_data, quantile_range))
    quantiles = np.transpose(quantiles)
    scale_ = quantiles[1] - quantiles[0]
    scale_ = _handle_zeros_in_scale(scale_, copy=False)
    if unit_variance:
        adjust = 1.3489795003921634  # stats.norm.ppf(0.75) - stats.norm.ppf(0.25)
        scale_ = scale_ / adjust
    X = X.copy()
    if with_centering:
        X -= center_
    X /= scale_
    return X


def normalizer(X, norm="l2"):
    return normalize_rows(X, norm=norm)


def binarizer(X, threshold=0.0):
    cond = X > threshold
    not_cond = np.logical_not(cond)
    X = X.copy()
    X[cond] = 1
    X[not_cond] = 0
    return X


def polynomial_features(X, degree=2, interaction_only=False, include_bias=True):
    n_samples, n_features = X.shape
    comb = itertools.combinations if interaction_only else itertools.combinations_with_replacement
    start = int(not include_bias)
    combinations = itertools.chain.from_iterable(
        comb(range(n_features), i) for i in range(start, degree + 1))
    combinations = list(combinations)
    XP = np.empty((n_samples, len(combinations)), dtype=X.dtype)
    for i, comb_ in enumerate(combinations):
        XP[:, i] = X[:, comb_].prod(1)
    return XP


def polynomial_features_by_degree(X, degree=3):
    """The newer PolynomialFeatures loop: bias, the features, then each degree's block written
    from the previous block times one column, tracked by `index` offsets."""
    n_samples, n_features = X.shape
    n_out = 1
    for d in range(1, degree + 1):
        n_out += len(list(itertools.combinations_with_replacement(range(n_features), d)))
    XP = np.empty(shape=(n_samples, n_out), dtype=X.dtype, order="C")
    XP[:, 0] = 1
    current_col = 1
    XP[:, current_col:current_col + n_features] = X
    index = list(range(current_col, current_col + n_features))
    current_col += n_features
    index.append(current_col)
    for _ in range(2, degree + 1):
        new_index = []
        end = index[-1]
        for feature_idx in range(n_features):
            start = index[feature_idx]
            new_index.append(current_col)
            next_col = current_col + end - start
            if next_col <= current_col:
                break
            np.multiply(XP[:, start:end], X[:, feature_idx:feature_idx + 1],
                        out=XP[:, current_col:next_col], casting="no")
            current_col = next_col
        new_index.append(current_col)
        index = new_index
    return XP


def spline_basis_hat(X, n_knots=5):
    """Degree-1 B-splines (hat functions) on uniform knots over each column's range."""
    xmin = X.min(axis=0)
    xmax = X.max(axis=0)
    knots = np.linspace(xmin, xmax, n_knots)
    h = (xmax - xmin) / (n_knots - 1)
    out = np.maximum(0, 1 - np.abs(X[:, None, :] - knots[None, :, :]) / h)
    return out.transpose(0, 2, 1).reshape(X.shape[0], -1)


def label_binarize(y, classes, neg_label=0, pos_label=1):
    n_samples = y.shape[0]
    n_classes = len(classes)
    sorted_class = np.sort(classes)
    y_in_classes = np.isin(y, classes)
    y_seen = y[y_in_classes]
    indices = np.searchsorted(sorted_class, y_seen)
    Y = np.zeros((n_samples, n_classes), dtype=int)
    rows = np.flatnonzero(y_in_classes)
    Y[rows, indices] = pos_label
    if neg_label != 0:
        Y[Y == 0] = neg_label
    if n_classes == 2:
        Y = Y[:, -1].reshape((-1, 1))
    return Y


def label_binarize_all_seen(y, classes, neg_label=-1, pos_label=1):
    """`label_binarize` where every label is a class: the dense one-hot by `np.searchsorted`."""
    sorted_class = np.sort(classes)
    indices = np.searchsorted(sorted_class, y)
    Y = np.full((y.shape[0], len(classes)), neg_label, dtype=int)
    Y[np.arange(y.shape[0]), indices] = pos_label
    return Y




def one_hot_encoder(X, categories):
    """OneHotEncoder's transform with known categories per column, by `np.searchsorted`."""
    n_samples, n_features = X.shape
    n_values = [len(c) for c in categories]
    feature_indices = np.cumsum([0] + n_values)
    X_int = np.zeros((n_samples, n_features), dtype=int)
    for i in range(n_features):
        X_int[:, i] = np.searchsorted(np.asarray(categories[i]), X[:, i])
    indices = (X_int + feature_indices[:-1]).ravel()
    out = np.zeros((n_samples, feature_indices[-1]))
    out[np.repeat(np.arange(n_samples), n_features), indices] = 1
    return out


def kbins_uniform(X, n_bins=4):
    bin_edges = np.linspace(X.min(axis=0), X.max(axis=0), n_bins + 1).T
    Xt = np.empty_like(X)
    for jj in range(X.shape[1]):
        eps = 1.0e-8 + 1.0e-5 * np.abs(X[:, jj])
        Xt[:, jj] = np.digitize(X[:, jj] + eps, bin_edges[jj][1:])
    np.clip(Xt, 0, n_bins - 1, out=Xt)
    return Xt


def kbins_quantile(X, n_bins=3):
    quantiles = np.linspace(0, 100, n_bins + 1)
    Xt = np.empty_like(X)
    for jj in range(X.shape[1]):
        edges = np.asarray(np.percentile(X[:, jj], quantiles))
        Xt[:, jj] = np.searchsorted(edges[1:-1], X[:, jj], side="right")
    return Xt


def quantile_transform_uniform(X, n_quantiles=7):
    references = np.linspace(0, 1, n_quantiles, endpoint=True)
    quantiles = np.nanpercentile(X, references * 100, axis=0)
    quantiles = np.maximum.accumulate(quantiles)
    Xt = np.empty_like(X)
    for i in range(X.shape[1]):
        Xt[:, i] = 0.5 * (np.interp(X[:, i], quantiles[:, i], references)
                          - np.interp(-X[:, i], -quantiles[::-1, i], -references[::-1]))
    return Xt


def simple_imputer_mean(X):
    mask = np.isnan(X)
    masked = np.where(mask, 0.0, X)
    means = masked.sum(axis=0) / np.maximum((~mask).sum(axis=0), 1)
    X = X.copy()
    rows, cols = np.nonzero(mask)
    X[rows, cols] = means[cols]
    return X


def simple_imputer_where(X):
    col_mean = np.nanmean(X, axis=0)
    inds = np.where(np.isnan(X))
    X = X.copy()
    X[inds] = np.take(col_mean, inds[1])
    return X


def power_transform_yeo_johnson(x, lmbda):
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


def power_transform_box_cox_columns(X, lambdas):
    out = np.empty_like(X)
    for i, lmbda in enumerate(lambdas):
        out[:, i] = np.log(X[:, i]) if lmbda == 0 else (X[:, i] ** lmbda - 1) / lmbda
    return out


def _pos_cols(s, n):
    X = _f(n, 3, seed=s) * 2 + 1
    X[:, 2] = 4.0
    return X


PREPROCESSING = {
    "standard_scaler": (standard_scaler_fit_transform, {}, lambda s, n: (_pos_cols(s, n),)),
    "standard_scaler_inverse": (standard_scaler_inverse, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, seed=s + 1), _u(s, 3) + 0.5)),
    "minmax_scaler_range": (minmax_scaler, {"feature_range": (-1, 1), "clip": True},
                            lambda s, n: (_pos_cols(s, n),)),
    "minmax_scaler_nans": (minmax_scaler, {}, lambda s, n: (_with_nans(s, n),)),
    "minmax_transform_new": (minmax_transform_new, {}, lambda s, n: (
        _pos_cols(s, 5), _f(n, 3, seed=s + 1) * 3)),
    "maxabs_scaler": (maxabs_scaler, {}, lambda s, n: (
        np.hstack([_f(n, 2, seed=s), np.zeros((n, 1))]),)),
    "robust_scaler": (robust_scaler, {}, lambda s, n: (_pos_cols(s, n + 1),)),
    "robust_scaler_nans": (robust_scaler, {"quantile_range": (10.0, 90.0)},
                           lambda s, n: (_with_nans(s, n + 1),)),
    "robust_scaler_unit_variance": (robust_scaler, {"unit_variance": True,
                                                    "with_centering": False},
                                    lambda s, n: (_pos_cols(s, n),)),
    "normalizer_l2": (normalizer, {}, lambda s, n: (
        np.vstack([_f(n, 3, seed=s), np.zeros((1, 3))]),)),
    "normalizer_max": (normalizer, {"norm": "max"}, lambda s, n: (_f(n, 3, seed=s),)),
    "binarizer": (binarizer, {"threshold": 0.2}, lambda s, n: (_f(n, 3, seed=s),)),
    "polynomial_features": (polynomial_features, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "polynomial_features_interaction": (polynomial_features,
                                        {"degree": 3, "interaction_only": True,
                                         "include_bias": False},
                                        lambda s, n: (_f(n, 4, seed=s),)),
    "polynomial_features_by_degree": (polynomial_features_by_degree, {}, lambda s, n: (
        _f(n, 3, seed=s),)),
    "spline_basis_hat": (spline_basis_hat, {}, lambda s, n: (_f(n + 2, 2, seed=s),)),
    "label_binarize_all_seen": (label_binarize_all_seen, {}, lambda s, n: (
        np.array([10, 30, 20])[_i(3, 2 * n, seed=s)], np.array([30, 10, 20]))),
    "one_hot_encoder": (one_hot_encoder, {"categories": ((1, 5, 9), (0, 2))},
                        lambda s, n: (np.column_stack([np.array([1, 5, 9])[_i(3, n, seed=s)],
                                                       2 * _i(2, n, seed=s + 1)]),)),
    "kbins_uniform": (kbins_uniform, {}, lambda s, n: (_f(n + 3, 2, seed=s),)),
    "kbins_quantile": (kbins_quantile, {}, lambda s, n: (_f(n + 3, 2, seed=s),)),
    "quantile_transform": (quantile_transform_uniform, {}, lambda s, n: (
        _f(n + 4, 2, seed=s),)),
    "simple_imputer_mean": (simple_imputer_mean, {}, lambda s, n: (_with_nans(s, n),)),
    "simple_imputer_where": (simple_imputer_where, {}, lambda s, n: (_with_nans(s, n),)),
    "yeo_johnson": (power_transform_yeo_johnson, {"lmbda": 0.7}, lambda s, n: (
        _f(2 * n, seed=s),)),
    "box_cox_columns": (power_transform_box_cox_columns, {"lambdas": (0.0, 0.5, -1.0)},
                        lambda s, n: (_u(s, n, 3) + 0.2,)),
}


@pytest.mark.parametrize("name", _names(PREPROCESSING))
def test_sklearn_preprocessing_matches_numpy(name):
    check_like_numpy(*PREPROCESSING[name])


# ------------------------------------------------------------------ neighbors, linear models


def kneighbors_brute(X_fit, X, n_neighbors=3, return_distance=True):
    dist = euclidean_distances(X, X_fit, squared=True)
    sample_range = np.arange(dist.shape[0])[:, None]
    neigh_ind = np.argpartition(dist, n_neighbors - 1, axis=1)
    neigh_ind = neigh_ind[:, :n_neighbors]
    neigh_ind = neigh_ind[sample_range, np.argsort(dist[sample_range, neigh_ind])]
    if return_distance:
        return np.sqrt(dist[sample_range, neigh_ind]), neigh_ind
    return neigh_ind


def kneighbors_self_excluded(X, n_neighbors=2):
    """`kneighbors(X=None)`: query one extra neighbour and drop each sample's own index."""
    dist = euclidean_distances(X, X, squared=True)
    np.fill_diagonal(dist, -1.0)
    sample_range = np.arange(dist.shape[0])[:, None]
    neigh_ind = np.argpartition(dist, n_neighbors, axis=1)[:, :n_neighbors + 1]
    neigh_ind = neigh_ind[sample_range, np.argsort(dist[sample_range, neigh_ind])]
    return neigh_ind[:, 1:]


def knn_classifier_predict(X_fit, y_fit, X, n_classes, n_neighbors=3, weights="uniform"):
    dist, ind = kneighbors_brute(X_fit, X, n_neighbors)
    if weights == "distance":
        with np.errstate(divide="ignore"):
            w = 1.0 / dist
        inf_mask = np.isinf(w)
        inf_row = np.any(inf_mask, axis=1)
        w[inf_row] = inf_mask[inf_row]
    else:
        w = np.ones_like(dist)
    proba = np.zeros((X.shape[0], n_classes))
    all_rows = np.arange(X.shape[0])
    for i in range(n_neighbors):
        proba[all_rows, y_fit[ind[:, i]]] += w[:, i]
    normalizer = proba.sum(axis=1)[:, np.newaxis]
    normalizer[normalizer == 0.0] = 1.0
    proba /= normalizer
    return proba, np.argmax(proba, axis=1)


def knn_regressor_predict(X_fit, y_fit, X, n_neighbors=3):
    dist, ind = kneighbors_brute(X_fit, X, n_neighbors)
    weights = 1.0 / np.maximum(dist, 1e-12)
    y_pred = np.sum(y_fit[ind] * weights, axis=1) / np.sum(weights, axis=1)
    return y_pred, np.mean(y_fit[ind], axis=1)


def radius_neighbors_count(X_fit, X, radius=1.0):
    dist = euclidean_distances(X, X_fit)
    within = dist <= radius
    return within.sum(axis=1), np.where(within, dist, 0.0).sum(axis=1)


def nearest_centroid(X_fit, y_fit, X, n_classes):
    centroids = np.empty((n_classes, X_fit.shape[1]))
    for cur_class in range(n_classes):
        center_mask = y_fit == cur_class
        centroids[cur_class] = X_fit[center_mask].mean(axis=0)
    return np.argmin(euclidean_distances(X, centroids), axis=1), centroids


def _fit_labels(s, k=3, m=12):
    y = np.arange(m) % k
    return _f(m, 3, seed=s + 20) + y[:, None], y


def _ridge_data(s, n, d=4):
    X = _f(n + 6, d, seed=s)
    return X, X @ np.arange(1.0, d + 1) + 0.1 * _f(n + 6, seed=s + 1)


def _intercept_dot(w, X, y):
    c = 0.0
    if w.size == X.shape[1] + 1:
        c = w[-1]
        w = w[:-1]
    z = safe_sparse_dot(X, w) + c
    yz = y * z
    return w, c, yz


def _logistic_loss_and_grad(w, X, y, alpha, sample_weight=None):
    n_samples, n_features = X.shape
    grad = np.empty_like(w)
    w, c, yz = _intercept_dot(w, X, y)
    if sample_weight is None:
        sample_weight = np.ones(n_samples)
    out = -np.sum(sample_weight * log_logistic_where(yz)) + 0.5 * alpha * np.dot(w, w)
    z = 1.0 / (1.0 + np.exp(-yz))
    z0 = sample_weight * (z - 1) * y
    grad[:n_features] = safe_sparse_dot(X.T, z0) + alpha * w
    if grad.shape[0] > n_features:
        grad[-1] = z0.sum()
    return out, grad


def logistic_gradient_descent(w0, X, y, alpha, lr=0.05, n_iter=15):
    w = w0.copy()
    for _ in range(n_iter):
        loss, grad = _logistic_loss_and_grad(w, X, y, alpha)
        w -= lr * grad
    return w, loss


def multinomial_loss_grad(w, X, Y, alpha, sample_weight):
    """`_multinomial_loss_grad`: coefficients with intercepts as one flat vector."""
    n_classes = Y.shape[1]
    n_features = X.shape[1]
    fit_intercept = w.size == n_classes * (n_features + 1)
    grad = np.zeros((n_classes, n_features + bool(fit_intercept)), dtype=X.dtype)
    w = w.reshape(n_classes, -1)
    sample_weight = sample_weight[:, np.newaxis]
    if fit_intercept:
        intercept = w[:, -1]
        w = w[:, :-1]
    else:
        intercept = 0
    p = safe_sparse_dot(X, w.T)
    p += intercept
    p_max = p.max(axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(p - p_max), axis=1, keepdims=True)) + p_max
    p -= lse
    loss = -(sample_weight * Y * p).sum()
    loss += 0.5 * alpha * np.square(w).sum()
    p = np.exp(p, p)
    diff = sample_weight * (p - Y)
    grad[:, :n_features] = safe_sparse_dot(diff.T, X)
    grad[:, :n_features] += alpha * w
    if fit_intercept:
        grad[:, -1] = diff.sum(axis=0)
    return loss, grad.ravel(), p


def _preprocess_data(X, y, fit_intercept=True, normalize=False):
    if fit_intercept:
        X_offset = np.average(X, axis=0)
        X = X - X_offset
        if normalize:
            X_scale = np.sqrt(np.sum(X ** 2, axis=0))
            X_scale[X_scale == 0] = 1
            X = X / X_scale
        else:
            X_scale = np.ones(X.shape[1], dtype=X.dtype)
        y_offset = np.average(y, axis=0)
        y = y - y_offset
    else:
        X_offset = np.zeros(X.shape[1], dtype=X.dtype)
        X_scale = np.ones(X.shape[1], dtype=X.dtype)
        y_offset = X.dtype.type(0)
    return X, y, X_offset, y_offset, X_scale


def ridge_cholesky(X, y, alpha=1.0, fit_intercept=True):
    Xc, yc, X_offset, y_offset, X_scale = _preprocess_data(X, y, fit_intercept)
    n_features = Xc.shape[1]
    A = safe_sparse_dot(Xc.T, Xc, dense_output=True)
    Xy = safe_sparse_dot(Xc.T, yc, dense_output=True)
    A.flat[:: n_features + 1] += alpha
    coef = np.linalg.solve(A, Xy).T
    coef = coef / X_scale
    intercept = y_offset - np.dot(X_offset, coef.T)
    return coef, intercept


def ridge_cholesky_kernel(K, y, alpha):
    """`_solve_cholesky_kernel` with one alpha: the diagonal written and restored in place."""
    n_samples = K.shape[0]
    K.flat[:: n_samples + 1] += alpha
    dual_coef = np.linalg.solve(K, y)
    K.flat[:: n_samples + 1] -= alpha
    return dual_coef


def ridge_svd(X, y, alpha=1.0):
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    idx = s > 1e-15
    s_nnz = s[idx][:, np.newaxis]
    UTy = np.dot(U.T, y)
    d = np.zeros((s.size, alpha.size if np.ndim(alpha) else 1), dtype=X.dtype)
    d[idx] = s_nnz / (s_nnz ** 2 + alpha)
    d_UT_y = d * UTy.reshape(-1, 1)
    return np.dot(Vt.T, d_UT_y).T


def ridge_gcv_eigen(X, y, alphas):
    """RidgeCV's efficient LOO by the eigendecomposition of the Gram matrix, one loop over the
    alphas."""
    K = X @ X.T
    eigvals, Q = np.linalg.eigh(K)
    QT_y = Q.T @ y
    errors = []
    for alpha in alphas:
        w = 1.0 / (eigvals + alpha)
        c = Q @ (w * QT_y)
        G_inverse_diag = (w * Q ** 2).sum(axis=-1)
        errors.append(np.mean((c / G_inverse_diag) ** 2))
    errors = np.array(errors)
    return errors, alphas[np.argmin(errors)] if isinstance(alphas, np.ndarray) else errors


def lstsq_linear_regression(X, y):
    Xc, yc, X_offset, y_offset, X_scale = _preprocess_data(X, y)
    coef, residues, rank, singular = np.linalg.lstsq(Xc, yc, rcond=None)
    intercept = y_offset - X_offset @ coef
    return coef, intercept, rank, singular


def soft_threshold(x, t):
    return np.sign(x) * np.maximum(np.abs(x) - t, 0.0)


def lasso_coordinate_descent(X, y, alpha, max_iter=20):
    n_samples, n_features = X.shape
    w = np.zeros(n_features)
    R = y - X @ w
    norm_cols_X = (X ** 2).sum(axis=0)
    for n_iter in range(max_iter):
        for ii in range(n_features):
            w_ii = w[ii]
            if w_ii != 0.0:
                R += w_ii * X[:, ii]
            tmp = X[:, ii] @ R
            w[ii] = np.sign(tmp) * max(abs(tmp) - alpha * n_samples, 0) / norm_cols_X[ii]
            if w[ii] != 0.0:
                R -= w[ii] * X[:, ii]
    return w


def lasso_cd_vectorized(X, y, alpha, max_iter=20):
    """The same sweeps, the `if w != 0` updates written unconditionally (adding zero)."""
    n_samples, n_features = X.shape
    w = np.zeros(n_features)
    R = y.copy()
    norm_cols_X = (X ** 2).sum(axis=0)
    for _ in range(max_iter):
        for ii in range(n_features):
            R += w[ii] * X[:, ii]
            tmp = np.dot(X[:, ii], R)
            w[ii] = soft_threshold(tmp, alpha * n_samples) / norm_cols_X[ii]
            R -= w[ii] * X[:, ii]
    gap_R = y - X @ w
    return w, 0.5 * np.dot(gap_R, gap_R) / n_samples + alpha * np.abs(w).sum()


def enet_coordinate_descent(X, y, alpha, l1_ratio=0.5, max_iter=15):
    n_samples, n_features = X.shape
    l1_reg = alpha * l1_ratio * n_samples
    l2_reg = alpha * (1.0 - l1_ratio) * n_samples
    w = np.zeros(n_features)
    R = y - np.dot(X, w)
    norm_cols_X = np.square(X).sum(axis=0)
    for _ in range(max_iter):
        w_max = 0.0
        d_w_max = 0.0
        for ii in range(n_features):
            w_ii = w[ii]
            R += w_ii * X[:, ii]
            tmp = np.dot(X[:, ii], R)
            w[ii] = np.sign(tmp) * np.fmax(np.abs(tmp) - l1_reg, 0) / (norm_cols_X[ii] + l2_reg)
            R -= w[ii] * X[:, ii]
            d_w_ii = np.abs(w[ii] - w_ii)
            d_w_max = np.fmax(d_w_max, d_w_ii)
            w_max = np.fmax(w_max, np.abs(w[ii]))
    return w, d_w_max / np.maximum(w_max, 1e-12)


def huber_loss_and_gradient(w, X, y, epsilon, alpha):
    _, n_features = X.shape
    fit_intercept = n_features + 2 == w.shape[0]
    if fit_intercept:
        intercept = w[-2]
    sigma = w[-1]
    w = w[:n_features]
    n_samples = X.shape[0]
    linear_loss = y - safe_sparse_dot(X, w)
    if fit_intercept:
        linear_loss -= intercept
    abs_linear_loss = np.abs(linear_loss)
    outliers_mask = abs_linear_loss > epsilon * sigma
    outliers = abs_linear_loss[outliers_mask]
    num_outliers = np.count_nonzero(outliers_mask)
    n_non_outliers = X.shape[0] - num_outliers
    outliers_sw = np.ones(n_samples)[outliers_mask]
    n_sw_outliers = np.sum(outliers_sw)
    outlier_loss = (2.0 * epsilon * np.sum(outliers_sw * outliers)
                    - sigma * n_sw_outliers * epsilon ** 2)
    non_outliers = linear_loss[~outliers_mask]
    weighted_non_outliers = non_outliers
    weighted_loss = np.dot(weighted_non_outliers.T, non_outliers)
    squared_loss = weighted_loss / sigma
    if fit_intercept:
        grad = np.zeros(n_features + 2)
    else:
        grad = np.zeros(n_features + 1)
    X_non_outliers = -X[~outliers_mask]
    grad[:n_features] = 2.0 / sigma * safe_sparse_dot(weighted_non_outliers, X_non_outliers)
    signed_outliers = np.ones_like(outliers)
    signed_outliers_mask = linear_loss[outliers_mask] < 0
    signed_outliers[signed_outliers_mask] = -1.0
    X_outliers = X[outliers_mask]
    sw_outliers = np.ones(n_samples)[outliers_mask] * signed_outliers
    grad[:n_features] -= 2.0 * epsilon * safe_sparse_dot(sw_outliers, X_outliers)
    grad[:n_features] += alpha * 2.0 * w
    grad[-1] = n_samples - n_non_outliers  # dloss/dsigma, abridged
    grad[-1] -= n_sw_outliers * epsilon ** 2
    grad[-1] -= squared_loss / sigma
    if fit_intercept:
        grad[-2] = -2.0 * np.sum(weighted_non_outliers) / sigma
        grad[-2] -= 2.0 * epsilon * np.sum(sw_outliers)
    loss = n_samples * sigma + squared_loss + outlier_loss
    loss += alpha * np.dot(w, w)
    return loss, grad


def sgd_hinge_epochs(X, y, order, eta0=0.1, alpha=1e-3, n_epochs=2):
    """SGDClassifier's plain loop over a given sample order, hinge loss, `optimal`-free constant
    learning rate, L2 shrinking of the weights."""
    w = np.zeros(X.shape[1])
    intercept = 0.0
    for _ in range(n_epochs):
        for i in order:
            p = np.dot(w, X[i]) + intercept
            dloss = np.where(y[i] * p <= 1.0, -y[i], 0.0)
            w *= 1.0 - eta0 * alpha
            w -= eta0 * dloss * X[i]
            intercept -= eta0 * dloss
    return w, intercept


def perceptron_epoch(X, y, w):
    for i in range(X.shape[0]):
        mistake = y[i] * np.dot(X[i], w) <= 0
        w += np.where(mistake, y[i], 0.0) * X[i]
    return w


def _logit_data(s, n, d=3):
    X = _f(n + 6, d, seed=s)
    return X, np.where(X @ np.arange(1.0, d + 1) + _f(n + 6, seed=s + 2) > 0, 1.0, -1.0)


LINEAR = {
    "kneighbors": (kneighbors_brute, {}, lambda s, n: (_f(8, 3, seed=s), _f(n, 3, seed=s + 1))),
    "kneighbors_self_excluded": (kneighbors_self_excluded, {}, lambda s, n: (
        _f(n + 3, 3, seed=s),)),
    "knn_classifier": (knn_classifier_predict, {"n_classes": 3}, lambda s, n: (
        *_fit_labels(s), _f(n, 3, seed=s + 1))),
    "knn_classifier_distance": (knn_classifier_predict, {"n_classes": 3, "weights": "distance"},
                                lambda s, n: (*_fit_labels(s), np.vstack([
                                    _fit_labels(s)[0][:1], _f(n, 3, seed=s + 1)]))),
    "knn_regressor": (knn_regressor_predict, {}, lambda s, n: (
        _f(9, 2, seed=s), _f(9, seed=s + 3), _f(n, 2, seed=s + 1))),
    "radius_neighbors_count": (radius_neighbors_count, {"radius": 1.5}, lambda s, n: (
        _f(9, 2, seed=s), _f(n, 2, seed=s + 1))),
    "nearest_centroid": (nearest_centroid, {"n_classes": 3}, lambda s, n: (
        *_fit_labels(s), _f(n, 3, seed=s + 1))),
    "logistic_loss_grad": (_logistic_loss_and_grad, {}, lambda s, n: (
        _f(4, seed=s), *_logit_data(s, n), 0.5)),
    "logistic_loss_grad_no_intercept": (_logistic_loss_and_grad, {}, lambda s, n: (
        _f(3, seed=s), *_logit_data(s, n), 1.0, _u(s, n + 6))),
    "logistic_gradient_descent": (logistic_gradient_descent, {}, lambda s, n: (
        np.zeros(4), *_logit_data(s, n), 0.1)),
    "multinomial_loss_grad": (multinomial_loss_grad, {}, lambda s, n: (
        _f(3 * 4, seed=s), _f(n, 3, seed=s), np.eye(3)[_i(3, n, seed=s)], 0.5, _u(s, n))),
    "ridge_cholesky": (ridge_cholesky, {}, lambda s, n: _ridge_data(s, n)),
    "ridge_cholesky_multitarget": (ridge_cholesky, {}, lambda s, n: (
        _f(n + 6, 3, seed=s), _f(n + 6, 2, seed=s + 1))),
    "ridge_cholesky_kernel": (ridge_cholesky_kernel, {}, lambda s, n: (
        rbf_kernel(_f(n, 2, seed=s), _f(n, 2, seed=s)), _f(n, seed=s + 1), 0.1)),
    "ridge_svd": (ridge_svd, {}, lambda s, n: (*_ridge_data(s, n), 0.7)),
    "ridge_gcv_eigen": (ridge_gcv_eigen, {}, lambda s, n: (
        *_ridge_data(s, n), np.array([0.1, 1.0, 10.0]))),
    "lstsq_linear_regression": (lstsq_linear_regression, {}, lambda s, n: _ridge_data(s, n)),
    "lasso_cd_vectorized": (lasso_cd_vectorized, {}, lambda s, n: (*_ridge_data(s, n), 0.1)),
    "enet_cd": (enet_coordinate_descent, {}, lambda s, n: (*_ridge_data(s, n), 0.2)),
    "sgd_hinge_epochs": (sgd_hinge_epochs, {}, lambda s, n: (
        *_logit_data(s, n), np.random.default_rng(s).permutation(n + 6))),
    "perceptron_epoch": (perceptron_epoch, {}, lambda s, n: (*_logit_data(s, n), np.zeros(3))),
}


@pytest.mark.parametrize("name", _names(LINEAR))
def test_sklearn_neighbors_and_linear_models_match_numpy(name):
    check_like_numpy(*LINEAR[name])


# ------------------------------------------------------------------ decomposition, cluster, CV


def pca_fit_transform(X, n_components=2, whiten=False):
    n_samples = X.shape[0]
    mean_ = np.mean(X, axis=0)
    X = X - mean_
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    U, Vt = svd_flip(U, Vt)
    components_ = Vt
    explained_variance_ = (S ** 2) / (n_samples - 1)
    total_var = explained_variance_.sum()
    explained_variance_ratio_ = explained_variance_ / total_var
    singular_values_ = S.copy()
    U = U[:, :n_components]
    if whiten:
        U *= np.sqrt(n_samples - 1)
    else:
        U *= S[:n_components]
    return (U, components_[:n_components], explained_variance_[:n_components],
            explained_variance_ratio_[:n_components], singular_values_[:n_components])


def pca_transform_inverse(X_fit, X, n_components=2, whiten=True):
    n_samples = X_fit.shape[0]
    mean_ = X_fit.mean(axis=0)
    U, S, Vt = np.linalg.svd(X_fit - mean_, full_matrices=False)
    U, Vt = svd_flip(U, Vt)
    components_ = Vt[:n_components]
    explained_variance_ = (S ** 2 / (n_samples - 1))[:n_components]
    X_transformed = (X - mean_) @ components_.T
    if whiten:
        X_transformed /= np.sqrt(explained_variance_)
        back = X_transformed @ (np.sqrt(explained_variance_[:, np.newaxis]) * components_)
    else:
        back = X_transformed @ components_
    return X_transformed, back + mean_


def pca_noise_variance_covariance(X, n_components=2):
    n_samples, n_features = X.shape
    mean_ = X.mean(axis=0)
    _, S, Vt = np.linalg.svd(X - mean_, full_matrices=False)
    explained_variance_ = S ** 2 / (n_samples - 1)
    noise_variance_ = explained_variance_[n_components:].mean()
    components_ = Vt[:n_components]
    exp_var = explained_variance_[:n_components]
    exp_var_diff = np.maximum(exp_var - noise_variance_, 0.0)
    cov = np.dot(components_.T * exp_var_diff, components_)
    cov.flat[:: len(cov) + 1] += noise_variance_
    return noise_variance_, cov


def pca_by_eigh(X, n_components=2):
    """The `covariance_eigh` solver: eigendecomposition of X^T X, flipped to descending order."""
    n_samples = X.shape[0]
    Xc = X - X.mean(axis=0)
    C = Xc.T @ Xc
    C /= n_samples - 1
    eigenvals, eigenvecs = np.linalg.eigh(C)
    eigenvals = np.flip(eigenvals, axis=0)
    eigenvecs = np.flip(eigenvecs, axis=1)
    eigenvals[eigenvals < 0.0] = 0.0
    _, Vt = svd_flip(Xc @ eigenvecs, eigenvecs.T)
    return eigenvals[:n_components], Vt[:n_components]


def truncated_svd_arpack_free(X, n_components=2):
    U, Sigma, VT = np.linalg.svd(X, full_matrices=False)
    U, VT = svd_flip(U[:, :n_components], VT[:n_components], u_based_decision=False)
    X_transformed = U * Sigma[:n_components]
    exp_var = np.var(X_transformed, axis=0)
    full_var = np.var(X, axis=0).sum()
    return X_transformed, exp_var / full_var


def factor_analysis_step(X, psi, n_components=2):
    """FactorAnalysis's SVD-method loop body: scale by sqrt(psi), SVD, update psi."""
    n_samples, n_features = X.shape
    Xc = X - X.mean(axis=0)
    var = np.var(Xc, axis=0)
    nsqrt = np.sqrt(n_samples)
    SMALL = 1e-12
    for _ in range(3):
        sqrt_psi = np.sqrt(psi) + SMALL
        _, s, Vt = np.linalg.svd(Xc / (sqrt_psi * nsqrt), full_matrices=False)
        s **= 2
        W = np.sqrt(np.maximum(s[:n_components] - 1.0, 0.0))[:, np.newaxis] * Vt[:n_components]
        W *= sqrt_psi
        psi = np.maximum(var - np.sum(W ** 2, axis=0), SMALL)
    return W, psi


def nmf_multiplicative_update(X, W, H, n_iter=10):
    EPSILON = np.finfo(np.float32).eps
    for _ in range(n_iter):
        numerator = safe_sparse_dot(X, H.T)
        denominator = np.dot(np.dot(W, H), H.T)
        denominator[denominator == 0] = EPSILON
        W *= numerator / denominator
        numerator = safe_sparse_dot(W.T, X)
        denominator = np.dot(np.dot(W.T, W), H)
        denominator[denominator == 0] = EPSILON
        H *= numerator / denominator
    return W, H, np.linalg.norm(X - W @ H)


def fastica_logcosh_parallel(X, W, n_iter=5, alpha=1.0):
    """FastICA's parallel update with the logcosh contrast and symmetric decorrelation."""
    p_ = float(X.shape[1])
    for _ in range(n_iter):
        gwtx = np.dot(W, X)
        gwtx *= alpha
        np.tanh(gwtx, gwtx)
        g_wtx = np.empty(gwtx.shape[0])
        for i, gx_i in enumerate(gwtx):
            g_wtx[i] = (alpha * (1 - gx_i ** 2)).mean()
        W1 = np.dot(gwtx, X.T) / p_ - g_wtx[:, np.newaxis] * W
        s, u = np.linalg.eigh(np.dot(W1, W1.T))
        s = np.clip(s, a_min=np.finfo(W1.dtype).tiny, a_max=None)
        W = np.linalg.multi_dot([u * (1.0 / np.sqrt(s)), u.T, W1])
    return W


def kmeans_lloyd_step(X, sample_weight, centers):
    """One `_kmeans_single_lloyd` iteration: labels by the argmin of distances, centers as
    weighted means by `np.bincount`, empty clusters kept where they were, inertia."""
    n_clusters = centers.shape[0]
    distances = euclidean_distances(X, centers, squared=True)
    labels = np.argmin(distances, axis=1)
    weight_in_clusters = np.bincount(labels, weights=sample_weight, minlength=n_clusters)
    centers_new = np.zeros_like(centers)
    for j in range(X.shape[1]):
        centers_new[:, j] = np.bincount(labels, weights=sample_weight * X[:, j],
                                        minlength=n_clusters)
    empty = weight_in_clusters == 0
    centers_new[~empty] /= weight_in_clusters[~empty, np.newaxis]
    centers_new[empty] = centers[empty]
    inertia = np.sum(sample_weight * distances[np.arange(X.shape[0]), labels])
    center_shift = row_norms(centers_new - centers)
    return labels, centers_new, inertia, center_shift


def kmeans_lloyd_where(X, sample_weight, centers, n_iter=4):
    """Fixed Lloyd iterations, the empty-cluster guard with `np.where`."""
    for _ in range(n_iter):
        d = euclidean_distances(X, centers, squared=True)
        labels = d.argmin(axis=1)
        onehot = (labels[:, None] == np.arange(centers.shape[0])) * sample_weight[:, None]
        w = onehot.sum(axis=0)
        sums = onehot.T @ X
        centers = np.where(w[:, None] > 0, sums / np.maximum(w, 1e-12)[:, None], centers)
    inertia = (sample_weight * euclidean_distances(X, centers, squared=True).min(axis=1)).sum()
    return centers, labels, inertia


def kmeans_plusplus_given_draws(X, x_squared_norms, first, rand_vals, n_clusters=3):
    """`_kmeans_plusplus` with the uniform draws given, `rand_vals` of shape
    `(n_clusters, n_local_trials)`: candidates by `np.searchsorted` of the cumulative potential,
    the best candidate by the smallest potential."""
    n_samples, n_features = X.shape
    centers = np.empty((n_clusters, n_features), dtype=X.dtype)
    indices = np.full(n_clusters, -1, dtype=int)
    centers[0] = X[first]
    indices[0] = first
    closest_dist_sq = euclidean_distances(centers[0, np.newaxis], X,
                                          Y_norm_squared=x_squared_norms, squared=True)
    current_pot = closest_dist_sq.sum()
    for c in range(1, n_clusters):
        candidate_ids = np.searchsorted(stable_cumsum(closest_dist_sq)[0],
                                        rand_vals[c] * current_pot)
        np.clip(candidate_ids, None, closest_dist_sq.size - 1, out=candidate_ids)
        distance_to_candidates = euclidean_distances(X[candidate_ids], X,
                                                     Y_norm_squared=x_squared_norms,
                                                     squared=True)
        np.minimum(closest_dist_sq, distance_to_candidates, out=distance_to_candidates)
        candidates_pot = distance_to_candidates.sum(axis=1)
        best_candidate = np.argmin(candidates_pot)
        current_pot = candidates_pot[best_candidate]
        closest_dist_sq = distance_to_candidates[best_candidate]
        best_candidate = candidate_ids[best_candidate]
        centers[c] = X[best_candidate]
        indices[c] = best_candidate
    return centers, indices


def minibatch_kmeans_step(X, sample_weight, centers, weight_sums):
    labels = euclidean_distances(X, centers, squared=True).argmin(axis=1)
    for cluster_idx in range(centers.shape[0]):
        indices = labels == cluster_idx
        wsum = np.sum(sample_weight * indices)
        centers[cluster_idx] = np.where(
            wsum > 0,
            (centers[cluster_idx] * weight_sums[cluster_idx]
             + (sample_weight[:, None] * indices[:, None] * X).sum(axis=0))
            / np.maximum(weight_sums[cluster_idx] + wsum, 1e-12),
            centers[cluster_idx])
        weight_sums[cluster_idx] += wsum
    return labels


def silhouette_samples(X, labels, n_clusters):
    D = euclidean_distances(X, X)
    n = X.shape[0]
    label_freqs = np.bincount(labels, minlength=n_clusters)
    clust_dists = np.zeros((n, n_clusters))
    for i in range(n):
        clust_dists[i] = np.bincount(labels, weights=D[i], minlength=n_clusters)
    intra_index = (np.arange(n), labels)
    intra_clust_dists = clust_dists[intra_index]
    clust_dists[intra_index] = np.inf
    clust_dists /= label_freqs
    inter_clust_dists = clust_dists.min(axis=1)
    denom = (label_freqs - 1).take(labels, mode="clip")
    with np.errstate(divide="ignore", invalid="ignore"):
        intra_clust_dists /= denom
    sil_samples = inter_clust_dists - intra_clust_dists
    with np.errstate(divide="ignore", invalid="ignore"):
        sil_samples /= np.maximum(intra_clust_dists, inter_clust_dists)
    return np.nan_to_num(sil_samples)


def calinski_harabasz(X, labels, n_labels):
    n_samples = X.shape[0]
    extra_disp, intra_disp = 0.0, 0.0
    mean = np.mean(X, axis=0)
    for k in range(n_labels):
        mask = labels == k
        cluster_k = np.where(mask[:, None], X, 0.0)
        nk = mask.sum()
        mean_k = cluster_k.sum(axis=0) / nk
        extra_disp += nk * np.sum((mean_k - mean) ** 2)
        intra_disp += np.sum(np.where(mask[:, None], X - mean_k, 0.0) ** 2)
    return extra_disp * (n_samples - n_labels) / (intra_disp * (n_labels - 1.0))


def davies_bouldin(X, labels, n_labels):
    intra_dists = np.zeros(n_labels)
    centroids = np.zeros((n_labels, X.shape[1]), dtype=float)
    for k in range(n_labels):
        cluster_k = X[labels == k]
        centroid = cluster_k.mean(axis=0)
        centroids[k] = centroid
        intra_dists[k] = np.average(euclidean_distances(cluster_k, np.array([centroid])))
    centroid_distances = euclidean_distances(centroids, centroids)
    centroid_distances[centroid_distances == 0] = np.inf
    combined_intra_dists = intra_dists[:, None] + intra_dists
    scores = np.max(combined_intra_dists / centroid_distances, axis=1)
    return np.mean(scores)


def contingency_scores(labels_true, labels_pred, n_true, n_pred):
    """Adjusted Rand index and mutual information from a dense contingency table."""
    contingency = np.zeros((n_true, n_pred), dtype=np.int64)
    np.add.at(contingency, (labels_true, labels_pred), 1)
    n_samples = labels_true.shape[0]
    sum_comb_c = np.sum(contingency.sum(axis=1) * (contingency.sum(axis=1) - 1) // 2)
    sum_comb_k = np.sum(contingency.sum(axis=0) * (contingency.sum(axis=0) - 1) // 2)
    sum_comb = np.sum(contingency * (contingency - 1) // 2)
    prod_comb = (sum_comb_c * sum_comb_k) / (n_samples * (n_samples - 1) / 2)
    mean_comb = (sum_comb_k + sum_comb_c) / 2.0
    ari = (sum_comb - prod_comb) / (mean_comb - prod_comb)
    pi = contingency.sum(axis=1) / n_samples
    pj = contingency.sum(axis=0) / n_samples
    pij = contingency / n_samples
    with np.errstate(divide="ignore", invalid="ignore"):
        mi = np.nansum(np.where(pij > 0, pij * np.log(pij / np.outer(pi, pj)), 0.0))
    return ari, mi


def kfold_splits(n_samples, n_splits=3):
    indices = np.arange(n_samples)
    fold_sizes = np.full(n_splits, n_samples // n_splits, dtype=int)
    fold_sizes[: n_samples % n_splits] += 1
    current = 0
    out = []
    for fold_size in fold_sizes:
        start, stop = current, current + fold_size
        test_mask = np.zeros(n_samples, dtype=bool)
        test_mask[indices[start:stop]] = True
        train_index = indices[np.logical_not(test_mask)]
        test_index = indices[test_mask]
        out.append((train_index, test_index))
        current = stop
    return out


def kfold_cv_scores(X, y, perm, n_splits=3, alpha=1.0):
    """Ridge scored on KFold test folds of a given permutation, folds as static slices."""
    n_samples = X.shape[0]
    fold_sizes = np.full(n_splits, n_samples // n_splits, dtype=int)
    fold_sizes[: n_samples % n_splits] += 1
    scores = []
    current = 0
    for fold_size in fold_sizes:
        start, stop = current, current + int(fold_size)
        test = perm[start:stop]
        train = np.concatenate([perm[:start], perm[stop:]])
        coef, intercept = ridge_cholesky(X[train], y[train], alpha)
        scores.append(r2_score(y[test], X[test] @ coef + intercept))
        current = stop
    return np.array(scores)


def kfold_masks_of_permutation(perm, n_splits=4):
    """Fold masks of a shuffled KFold: `test_mask[perm[start:stop]] = True` per fold."""
    n_samples = perm.shape[0]
    fold_sizes = np.full(n_splits, n_samples // n_splits, dtype=int)
    fold_sizes[: n_samples % n_splits] += 1
    bounds = np.r_[0, np.cumsum(fold_sizes)]
    masks = np.zeros((n_splits, n_samples), dtype=bool)
    for k in range(n_splits):
        masks[k, perm[bounds[k]:bounds[k + 1]]] = True
    return masks


def stratified_fold_assignment(y, n_splits=3, n_classes=3):
    """StratifiedKFold's `test_folds`: per class, samples in order dealt round-robin."""
    test_folds = np.empty(len(y), dtype="i")
    for k in range(n_classes):
        is_k = y == k
        rank_in_class = np.cumsum(is_k) - 1
        test_folds = np.where(is_k, rank_in_class % n_splits, test_folds)
    return test_folds


def train_test_split_given(perm, X, y, n_test=3):
    test = perm[:n_test]
    train = perm[n_test:]
    return X[train], X[test], y[train], y[test]


def time_series_split(n_samples, n_splits=3):
    n_folds = n_splits + 1
    test_size = n_samples // n_folds
    indices = np.arange(n_samples)
    test_starts = range(n_samples - n_splits * test_size, n_samples, test_size)
    return [(indices[:test_start], indices[test_start:test_start + test_size])
            for test_start in test_starts]


def _blobs(s, n, k=3):
    labels = np.arange(n + 6) % k
    return _f(n + 6, 2, seed=s) * 0.5 + np.array([[0, 0], [4, 0], [0, 4]])[labels], labels


DECOMP_CLUSTER = {
    "pca": (pca_fit_transform, {}, lambda s, n: (_f(n + 4, 4, seed=s),)),
    "pca_whiten": (pca_fit_transform, {"whiten": True, "n_components": 3}, lambda s, n: (
        _f(n + 4, 4, seed=s),)),
    "pca_transform_inverse": (pca_transform_inverse, {}, lambda s, n: (
        _f(10, 4, seed=s), _f(n, 4, seed=s + 1))),
    "pca_noise_covariance": (pca_noise_variance_covariance, {}, lambda s, n: (
        _f(n + 4, 4, seed=s),)),
    "pca_by_eigh": (pca_by_eigh, {}, lambda s, n: (_f(n + 4, 4, seed=s),)),
    "truncated_svd": (truncated_svd_arpack_free, {}, lambda s, n: (_f(n + 4, 4, seed=s),)),
    "factor_analysis": (factor_analysis_step, {}, lambda s, n: (
        _f(n + 6, 4, seed=s), np.ones(4))),
    "nmf_mu": (nmf_multiplicative_update, {}, lambda s, n: (
        _u(s, n + 2, 4), _u(s + 1, n + 2, 2) + 0.1, _u(s + 2, 2, 4) + 0.1)),
    "fastica": (fastica_logcosh_parallel, {}, lambda s, n: (
        _f(2, n * 5, seed=s), np.linalg.qr(_f(2, 2, seed=s + 1))[0])),
    "kmeans_lloyd_step": (kmeans_lloyd_step, {}, lambda s, n: (
        _blobs(s, n)[0], _u(s, n + 6) + 0.5,
        np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0], [50.0, 50.0]]))),
    "kmeans_lloyd_where": (kmeans_lloyd_where, {}, lambda s, n: (
        _blobs(s, n)[0], np.ones(n + 6), _f(3, 2, seed=s) + np.array([[0, 0], [4, 0], [40, 4]]))),
    "kmeans_plusplus": (kmeans_plusplus_given_draws, {}, lambda s, n: (
        _blobs(s, n)[0], row_norms(_blobs(s, n)[0], squared=True), 2, _u(s, 3, 2))),
    "minibatch_kmeans": (minibatch_kmeans_step, {}, lambda s, n: (
        _blobs(s, n)[0], np.ones(n + 6), np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]]),
        np.array([1.0, 0.0, 2.0]))),
    "silhouette": (silhouette_samples, {"n_clusters": 3}, lambda s, n: _blobs(s, n)),
    "calinski_harabasz": (calinski_harabasz, {"n_labels": 3}, lambda s, n: _blobs(s, n)),
    "contingency_scores": (contingency_scores, {"n_true": 3, "n_pred": 4}, lambda s, n: (
        _blobs(s, n)[1], _i(4, n + 6, seed=s))),
    "kfold_cv_scores": (kfold_cv_scores, {}, lambda s, n: (
        *_ridge_data(s, n + 3), np.random.default_rng(s).permutation(n + 9))),
    "kfold_masks": (kfold_masks_of_permutation, {}, lambda s, n: (
        np.random.default_rng(s).permutation(2 * n + 1),)),
    "stratified_folds": (stratified_fold_assignment, {}, lambda s, n: (_i(3, 3 * n, seed=s),)),
    "train_test_split": (train_test_split_given, {}, lambda s, n: (
        np.random.default_rng(s).permutation(n + 4), _f(n + 4, 2, seed=s), _f(n + 4, seed=s))),
}


@pytest.mark.parametrize("name", _names(DECOMP_CLUSTER))
def test_sklearn_decomposition_and_clustering_match_numpy(name):
    check_like_numpy(*DECOMP_CLUSTER[name])


SPLITTERS = {
    "kfold_splits": (kfold_splits, lambda s: (7 + s,)),
    "kfold_splits_five": (kfold_splits, lambda s: (10 + 2 * s, 5)),
    "time_series_split": (time_series_split, lambda s: (9 + s,)),
}


@pytest.mark.parametrize("name", list(SPLITTERS))
def test_splitters_of_a_sample_count_are_steered(name):
    check_steered(*SPLITTERS[name])


# ------------------------------------------------------------------ statsmodels


def add_constant(data, prepend=True):
    x = np.asarray(data)
    if x.ndim == 1:
        x = x[:, None]
    return np.column_stack((np.ones(x.shape[0]), x)) if prepend else np.column_stack(
        (x, np.ones(x.shape[0])))


def ols_fit(y, X):
    """`OLS(y, X).fit()` by the pinv method: params, normalized covariance, scale, bse,
    t-values, R^2 and adjusted R^2, log-likelihood, AIC/BIC."""
    pinv_wexog = np.linalg.pinv(X)
    normalized_cov_params = np.dot(pinv_wexog, np.transpose(pinv_wexog))
    params = np.dot(pinv_wexog, y)
    nobs = float(X.shape[0])
    rank = np.linalg.matrix_rank(X)
    df_resid = nobs - rank
    df_model = float(rank - 1)
    wresid = y - np.dot(X, params)
    ssr = np.dot(wresid, wresid)
    scale = ssr / df_resid
    cov_params = normalized_cov_params * scale
    bse = np.sqrt(np.diag(cov_params))
    tvalues = params / bse
    centered_tss = np.sum((y - np.mean(y)) ** 2)
    rsquared = 1 - ssr / centered_tss
    rsquared_adj = 1 - (nobs - 1) / df_resid * (1 - rsquared)
    nobs2 = nobs / 2.0
    llf = -np.log(ssr) * nobs2
    llf -= (1 + np.log(np.pi / nobs2)) * nobs2
    k_params = df_model + 1
    aic = -2 * llf + 2 * k_params
    bic = -2 * llf + np.log(nobs) * k_params
    fvalue = (centered_tss - ssr) / df_model / scale
    return params, bse, tvalues, rsquared, rsquared_adj, llf, aic, bic, fvalue


def ols_fit_with_constant(y, x):
    return ols_fit(y, add_constant(x))


def ols_robust_cov(y, X, cov_type="HC0"):
    pinv_wexog = np.linalg.pinv(X)
    params = pinv_wexog @ y
    resid = y - X @ params
    nobs, k = X.shape
    if cov_type in ("HC0", "HC1"):
        het_scale = resid ** 2
    elif cov_type == "HC2":
        h = np.diag(np.dot(X, pinv_wexog))
        het_scale = resid ** 2 / (1 - h)
    else:
        h = np.einsum("ij,ji->i", X, pinv_wexog)
        het_scale = (resid / (1 - h)) ** 2
    H = np.dot(pinv_wexog * het_scale[None, :], pinv_wexog.T)
    if cov_type == "HC1":
        H = H * nobs / (nobs - k)
    return params, np.sqrt(np.diag(H)), H


def cov_hac_simple(y, X, nlags=2):
    """Newey-West: Bartlett weights over lags of the score `x_i * u_i`, sandwiched."""
    params = np.linalg.pinv(X) @ y
    xu = X * (y - X @ params)[:, None]
    nobs = xu.shape[0]
    weights = 1 - np.arange(nlags + 1) / (nlags + 1.0)
    S = weights[0] * np.dot(xu.T, xu)
    for lag in range(1, nlags + 1):
        s = np.dot(xu[lag:].T, xu[:-lag])
        S += weights[lag] * (s + s.T)
    S /= nobs
    xxi = np.linalg.inv(np.dot(X.T, X) / nobs)
    return np.linalg.multi_dot([xxi, S, xxi]) / nobs


def wls_fit(y, X, weights):
    w_half = np.sqrt(weights)
    wexog = w_half[:, None] * X
    wendog = w_half * y
    pinv_wexog = np.linalg.pinv(wexog)
    params = pinv_wexog @ wendog
    wresid = wendog - wexog @ params
    scale = np.dot(wresid, wresid) / (X.shape[0] - X.shape[1])
    bse = np.sqrt(np.diag(pinv_wexog @ pinv_wexog.T) * scale)
    resid = y - X @ params
    return params, bse, resid


def gls_ar1(y, X, rho):
    """GLS with an AR(1) error: `cholsigmainv` of the Toeplitz covariance, then OLS."""
    nobs = X.shape[0]
    order = np.abs(np.arange(nobs)[:, None] - np.arange(nobs)[None, :])
    sigma = rho ** order / (1 - rho ** 2)
    cholsigmainv = np.linalg.cholesky(np.linalg.inv(sigma)).T
    wexog = cholsigmainv @ X
    wendog = cholsigmainv @ y
    params = np.linalg.pinv(wexog) @ wendog
    return params


def influence_measures(y, X):
    """OLSInfluence: hat matrix diagonal, studentized residuals, Cook's distance, DFFITS."""
    pinv = np.linalg.pinv(X)
    params = pinv @ y
    resid = y - X @ params
    nobs, k = X.shape
    hat_matrix_diag = (X * pinv.T).sum(1)
    scale = resid @ resid / (nobs - k)
    resid_studentized = resid / np.sqrt(scale * (1 - hat_matrix_diag))
    cooks_d = resid_studentized ** 2 / k * hat_matrix_diag / (1 - hat_matrix_diag)
    sigma2_loo = (scale * (nobs - k) - resid ** 2 / (1 - hat_matrix_diag)) / (nobs - k - 1)
    resid_ext = resid / np.sqrt(sigma2_loo * (1 - hat_matrix_diag))
    dffits = resid_ext * np.sqrt(hat_matrix_diag / (1 - hat_matrix_diag))
    return hat_matrix_diag, resid_studentized, cooks_d, dffits


def acovf(x, demean=True, adjusted=False):
    xo = x - x.mean() if demean else x
    n = len(x)
    acov = np.correlate(xo, xo, "full")[n - 1:]
    if adjusted:
        d = np.arange(n, 0, -1)
    else:
        d = n * np.ones(2 * n - 1)[n - 1:]
    return acov / d


def acf_correlate(x, nlags=5):
    avf = acovf(x)
    return avf[: nlags + 1] / avf[0]


def acf_fft(x, nlags=5, adjusted=False):
    n = len(x)
    xo = x - x.mean()
    nobs = len(xo)
    n_fft = 1 << int(np.ceil(np.log2(2 * nobs - 1)))
    Frf = np.fft.fft(xo, n=n_fft)
    acov = np.fft.ifft(Frf * np.conjugate(Frf))[:nobs] / (np.arange(nobs, 0, -1) if adjusted
                                                         else n)
    acov = acov.real
    return acov[: nlags + 1] / acov[0]


def acf_rfft(x, nlags=4):
    n = x.shape[0]
    xo = x - x.mean()
    f = np.fft.rfft(xo, n=2 * n)
    acov = np.fft.irfft(f * np.conj(f), n=2 * n)[:n] / n
    return acov[: nlags + 1] / acov[0]


def acf_with_confint(x, nlags=4, alpha_z=1.959963984540054):
    acf = acf_correlate(x, nlags)
    nobs = len(x)
    varacf = np.ones_like(acf) / nobs
    varacf[0] = 0
    varacf[1] = 1.0 / nobs
    varacf[2:] *= 1 + 2 * np.cumsum(acf[1:-1] ** 2)
    interval = alpha_z * np.sqrt(varacf)
    confint = np.array(list(zip(acf - interval, acf + interval)))
    return acf, confint


def ccf(x, y, nlags=4):
    n = len(x)
    xo = x - x.mean()
    yo = y - y.mean()
    cvf = np.correlate(xo, yo, "full")[n - 1:] / n
    return cvf[:nlags] / (np.std(x) * np.std(y))


def pacf_yule_walker(x, nlags=3):
    """`pacf_yw`: for each order, solve the Yule-Walker Toeplitz system; keep the last."""
    pacf = [1.0]
    r = acovf(x)
    for k in range(1, nlags + 1):
        R = np.array([[r[abs(i - j)] for j in range(k)] for i in range(k)])
        rho = np.linalg.solve(R, r[1:k + 1])
        pacf.append(rho[-1])
    return np.array(pacf)


def levinson_durbin(x, nlags=4):
    sxx_m = acovf(x)[: nlags + 1]
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


def ljung_box(x, lags=5):
    nobs = x.shape[0]
    sacf = acf_fft(x, nlags=lags)
    sacf2 = sacf[1:lags + 1] ** 2 / (nobs - np.arange(1, lags + 1))
    qljungbox = nobs * (nobs + 2) * np.cumsum(sacf2)
    qboxpierce = nobs * np.cumsum(sacf[1:lags + 1] ** 2)
    return qljungbox, qboxpierce


def jarque_bera(resids, axis=0):
    resids = np.atleast_1d(np.asarray(resids, dtype=float))
    n = resids.shape[axis]
    mu = resids.mean(axis=axis, keepdims=True)
    d = resids - mu
    skew = (d ** 3).mean(axis=axis) / (d ** 2).mean(axis=axis) ** 1.5
    kurtosis = (d ** 4).mean(axis=axis) / (d ** 2).mean(axis=axis) ** 2
    jb = n / 6.0 * (skew ** 2 + (1 / 4.0) * (kurtosis - 3) ** 2)
    return jb, skew, kurtosis


def omni_normtest_parts(resids):
    n = resids.shape[0]
    d = resids - resids.mean()
    m2 = (d ** 2).mean()
    b2 = (d ** 3).mean() / m2 ** 1.5
    y = b2 * np.sqrt(((n + 1) * (n + 3)) / (6.0 * (n - 2)))
    beta2 = (3.0 * (n ** 2 + 27 * n - 70) * (n + 1) * (n + 3)
             / ((n - 2.0) * (n + 5) * (n + 7) * (n + 9)))
    W2 = -1 + np.sqrt(2 * (beta2 - 1))
    delta = 1 / np.sqrt(0.5 * np.log(W2))
    alpha = np.sqrt(2.0 / (W2 - 1))
    y = np.where(y == 0, 1, y)
    return delta * np.log(y / alpha + np.sqrt((y / alpha) ** 2 + 1))


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
        lm[maxlag - k:nobs + maxlag - k, nvar * (maxlag - k):nvar * (maxlag - k + 1)] = xa
    if trim in ("none", "forward"):
        startobs = 0
    elif trim in ("backward", "both"):
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


def ar_ols(x, maxlag=2):
    """AutoReg's OLS: regress on `lagmat(trim='both', original='sep')` with a constant."""
    xlags, xlead = lagmat(x, maxlag, trim="both", original="sep")
    X = add_constant(xlags)
    params = np.linalg.pinv(X) @ xlead[:, 0]
    resid = xlead[:, 0] - X @ params
    sigma2 = resid @ resid / resid.shape[0]
    return params, sigma2


def lagmat2ds(x, maxlag0):
    """Lags of each column of a 2-d array stacked side by side, `trim='forward'`."""
    nobs, nvar = x.shape
    lagsli = [lagmat(x[:, k], maxlag0, trim="forward", original="in") for k in range(nvar)]
    return np.column_stack(lagsli)


def diff_seasonal(x, k_diff=1, k_seasonal_diff=1, seasonal_periods=4):
    for _ in range(k_seasonal_diff):
        x = x[seasonal_periods:] - x[:-seasonal_periods]
    return np.diff(x, k_diff, axis=0)


def arma_generate_given(ar, ma, eta):
    """`arma_generate_sample` with the innovations given: `lfilter(ma, ar, eta)` as a loop."""
    n = eta.shape[0]
    y = np.zeros(n)
    for t in range(n):
        acc = 0.0
        for j in range(len(ma)):
            if t - j >= 0:
                acc += ma[j] * eta[t - j]
        for j in range(1, len(ar)):
            if t - j >= 0:
                acc -= ar[j] * y[t - j]
        y[t] = acc / ar[0]
    return y


def arma_impulse_response(ar, ma, leads=8):
    impulse = np.zeros(leads)
    impulse[0] = 1.0
    return arma_generate_given(ar, ma, impulse)


def simple_exp_smoothing(y, alpha):
    n = y.shape[0]
    lvl = np.zeros(n + 1)
    lvl[0] = y[0]
    for i in range(1, n + 1):
        lvl[i] = alpha * y[i - 1] + (1 - alpha) * lvl[i - 1]
    sse = np.sum((y - lvl[:-1]) ** 2)
    return lvl, sse


def holt_linear(y, alpha, beta, h=4, damped_phi=1.0):
    nobs = y.shape[0]
    lvls = np.zeros(nobs + 1)
    b = np.zeros(nobs + 1)
    lvls[0] = y[0]
    b[0] = y[1] - y[0]
    phi = damped_phi
    alphac = 1 - alpha
    betac = 1 - beta
    for i in range(1, nobs + 1):
        lvls[i] = alpha * y[i - 1] + alphac * (lvls[i - 1] + phi * b[i - 1])
        b[i] = beta * (lvls[i] - lvls[i - 1]) + betac * phi * b[i - 1]
    fitted = lvls[:-1] + phi * b[:-1]
    phi_h = np.cumsum(np.repeat(phi, h)) if phi != 1.0 else np.arange(1, h + 1)
    forecast = lvls[-1] + phi_h * b[-1]
    return fitted, forecast


def holt_winters_additive(y, alpha, beta, gamma, m=4, h=6):
    nobs = y.shape[0]
    lvls = np.zeros(nobs + 1)
    b = np.zeros(nobs + 1)
    s = np.zeros(nobs + m)
    lvls[0] = y[:m].mean()
    b[0] = (y[m:2 * m].mean() - y[:m].mean()) / m
    s[:m] = y[:m] - lvls[0]
    for i in range(1, nobs + 1):
        lvls[i] = alpha * (y[i - 1] - s[i - 1]) + (1 - alpha) * (lvls[i - 1] + b[i - 1])
        b[i] = beta * (lvls[i] - lvls[i - 1]) + (1 - beta) * b[i - 1]
        s[i + m - 1] = gamma * (y[i - 1] - lvls[i - 1] - b[i - 1]) + (1 - gamma) * s[i - 1]
    fitted = lvls[:-1] + b[:-1] + s[:-m]
    steps = np.arange(1, h + 1)
    forecast = lvls[-1] + steps * b[-1] + s[nobs:nobs + m][(steps - 1) % m]
    return fitted, forecast, np.sum((y - fitted) ** 2)


def holt_winters_multiplicative(y, alpha, beta, gamma, m=4):
    nobs = y.shape[0]
    lvls = np.zeros(nobs + 1)
    b = np.zeros(nobs + 1)
    s = np.zeros(nobs + m)
    lvls[0] = y[:m].mean()
    b[0] = 0.0
    s[:m] = y[:m] / lvls[0]
    for i in range(1, nobs + 1):
        lvls[i] = alpha * (y[i - 1] / s[i - 1]) + (1 - alpha) * (lvls[i - 1] + b[i - 1])
        b[i] = beta * (lvls[i] - lvls[i - 1]) + (1 - beta) * b[i - 1]
        s[i + m - 1] = gamma * (y[i - 1] / (lvls[i - 1] + b[i - 1])) + (1 - gamma) * s[i - 1]
    return (lvls[:-1] + b[:-1]) * s[:-m]


def hp_filter(x, lamb=1600.0):
    nobs = len(x)
    I = np.eye(nobs)
    offsets = np.array([0, 1, 2])
    data = np.repeat([[1.0], [-2.0], [1.0]], nobs, axis=1)
    K = np.zeros((nobs - 2, nobs))
    for row, off in zip(data, offsets):
        K[np.arange(nobs - 2), np.arange(nobs - 2) + off] = row[: nobs - 2]
    trend = np.linalg.solve(I + lamb * K.T @ K, x)
    cycle = x - trend
    return cycle, trend


def bk_filter_weights(x, low=2, high=8, K=3):
    omega_1 = 2.0 * np.pi / high
    omega_2 = 2.0 * np.pi / low
    bweights = np.zeros(2 * K + 1)
    bweights[K] = (omega_2 - omega_1) / np.pi
    j = np.arange(1, int(K) + 1)
    weights = 1 / (np.pi * j) * (np.sin(omega_2 * j) - np.sin(omega_1 * j))
    bweights[K + j] = weights
    bweights[:K] = weights[::-1]
    bweights -= bweights.mean()
    return np.convolve(x, bweights, mode="valid")


def _series(s, n, length=12):
    t = np.arange(length + 2 * n)
    return np.sin(t * 0.7) + 0.05 * t + 0.3 * _f(length + 2 * n, seed=s)


def _seasonal(s, n):
    t = np.arange(12 + 4 * n)
    return 10 + 0.2 * t + np.tile([1.0, -1.0, 2.0, -2.0], 3 + n) + 0.2 * _f(12 + 4 * n, seed=s)


def _ols_data(s, n, k=3):
    X = add_constant(_f(n + 8, k - 1, seed=s))
    return X @ np.arange(1.0, k + 1) + _f(n + 8, seed=s + 1), X


STATSMODELS = {
    "ols": (ols_fit, {}, lambda s, n: _ols_data(s, n)),
    "ols_with_constant": (ols_fit_with_constant, {}, lambda s, n: (
        _f(n + 8, seed=s), _f(n + 8, seed=s + 1))),
    "ols_hc0": (ols_robust_cov, {}, lambda s, n: _ols_data(s, n)),
    "ols_hc1": (ols_robust_cov, {"cov_type": "HC1"}, lambda s, n: _ols_data(s, n)),
    "ols_hc3": (ols_robust_cov, {"cov_type": "HC3"}, lambda s, n: _ols_data(s, n)),
    "cov_hac": (cov_hac_simple, {}, lambda s, n: _ols_data(s, n)),
    "wls": (wls_fit, {}, lambda s, n: (*_ols_data(s, n), _u(s, n + 8) + 0.5)),
    "gls_ar1": (gls_ar1, {}, lambda s, n: (*_ols_data(s, n), 0.5)),
    "influence": (influence_measures, {}, lambda s, n: _ols_data(s, n)),
    "acovf_adjusted": (acovf, {"adjusted": True, "demean": False}, lambda s, n: (
        _series(s, n),)),
    "acf_correlate": (acf_correlate, {}, lambda s, n: (_series(s, n),)),
    "acf_fft": (acf_fft, {}, lambda s, n: (_series(s, n),)),
    "acf_rfft": (acf_rfft, {}, lambda s, n: (_series(s, n),)),
    "acf_confint": (acf_with_confint, {}, lambda s, n: (_series(s, n),)),
    "ccf": (ccf, {}, lambda s, n: (_series(s, n), _series(s + 1, n))),
    "pacf_yule_walker": (pacf_yule_walker, {}, lambda s, n: (_series(s, n),)),
    "levinson_durbin": (levinson_durbin, {}, lambda s, n: (_series(s, n),)),
    "durbin_watson_2d": (durbin_watson, {}, lambda s, n: (_f(n + 8, 3, seed=s),)),
    "ljung_box": (ljung_box, {}, lambda s, n: (_series(s, n),)),
    "jarque_bera": (jarque_bera, {}, lambda s, n: (_f(n + 8, seed=s),)),
    "omni_normtest": (omni_normtest_parts, {}, lambda s, n: (_f(n + 8, seed=s),)),
    "lagmat": (lagmat, {"maxlag": 2}, lambda s, n: (_f(n + 4, seed=s),)),
    "lagmat_both_2d": (lagmat, {"maxlag": 2, "trim": "both"}, lambda s, n: (
        _f(n + 4, 2, seed=s),)),
    "lagmat_backward_in": (lagmat, {"maxlag": 3, "trim": "backward", "original": "in"},
                           lambda s, n: (_f(n + 4, seed=s),)),
    "lagmat_sep": (lagmat, {"maxlag": 2, "trim": "both", "original": "sep"}, lambda s, n: (
        _f(n + 4, 2, seed=s),)),
    "lagmat2ds": (lagmat2ds, {"maxlag0": 2}, lambda s, n: (_f(n + 4, 2, seed=s),)),
    "ar_ols": (ar_ols, {}, lambda s, n: (_series(s, n),)),
    "diff_seasonal": (diff_seasonal, {}, lambda s, n: (_seasonal(s, n),)),
    "arma_generate": (arma_generate_given, {}, lambda s, n: (
        np.array([1.0, -0.5, 0.2]), np.array([1.0, 0.4]), _f(n + 6, seed=s))),
    "arma_impulse": (arma_impulse_response, {}, lambda s, n: (
        np.array([1.0, -0.5 * s / 3, 0.2]), np.array([1.0, 0.4, 0.1 * n]))),
    "simple_exp_smoothing": (simple_exp_smoothing, {}, lambda s, n: (_series(s, n), 0.3)),
    "holt_linear": (holt_linear, {}, lambda s, n: (_series(s, n), 0.5, 0.2)),
    "holt_damped": (holt_linear, {"damped_phi": 0.9}, lambda s, n: (_series(s, n), 0.5, 0.2)),
    "holt_winters_additive": (holt_winters_additive, {}, lambda s, n: (
        _seasonal(s, n), 0.4, 0.1, 0.3)),
    "holt_winters_multiplicative": (holt_winters_multiplicative, {}, lambda s, n: (
        _seasonal(s, n), 0.4, 0.1, 0.3)),
    "hp_filter": (hp_filter, {}, lambda s, n: (_series(s, n),)),
    "bk_filter": (bk_filter_weights, {}, lambda s, n: (_series(s, n),)),
}


@pytest.mark.parametrize("name", _names(STATSMODELS))
def test_statsmodels_matches_numpy(name):
    check_like_numpy(*STATSMODELS[name])


# ------------------------------------------------------------------ SciPy Cookbook recipes


def smooth(x, window_len=5, window="hanning"):
    s = np.r_[x[window_len - 1:0:-1], x, x[-2:-window_len - 1:-1]]
    if window == "flat":
        w = np.ones(window_len, "d")
    else:
        w = getattr(np, window)(window_len)
    y = np.convolve(w / w.sum(), s, mode="valid")
    return y


def smooth_trimmed(x, window_len=7, window="blackman"):
    """The recipe's output trimmed back to the input's length, `y[(w/2-1):-(w/2)]`-style."""
    y = smooth(x, window_len, window)
    return y[(window_len // 2):-(window_len // 2)]


def smooth_list(x, window_len=3):
    """`smooth` of a Python list: `np.r_` of list slices, the `flat` window."""
    return smooth(np.asarray(x), window_len, "flat")


def savitzky_golay(y, window_size=7, order=2, deriv=0, rate=1):
    order_range = range(order + 1)
    half_window = (window_size - 1) // 2
    b = np.array([[k ** i for i in order_range] for k in range(-half_window, half_window + 1)])
    m = np.linalg.pinv(b)[deriv] * rate ** deriv * np.prod(range(1, deriv + 1))
    firstvals = y[0] - np.abs(y[1:half_window + 1][::-1] - y[0])
    lastvals = y[-1] + np.abs(y[-half_window - 1:-1][::-1] - y[-1])
    y = np.concatenate((firstvals, y, lastvals))
    return np.convolve(m[::-1], y, mode="valid")


def sgolay2d_coeffs(z, window_size=5, order=2):
    """The 2-D Savitzky-Golay's least-squares matrix: exponents, a Vandermonde-like matrix of
    offsets, its `np.linalg.pinv`, then the smoothing kernel applied by a sliding sum."""
    n_terms = (order + 1) * (order + 2) / 2.0
    half_size = window_size // 2
    exps = [(k - n, n) for k in range(order + 1) for n in range(k + 1)]
    ind = np.arange(-half_size, half_size + 1, dtype=np.float64)
    dx = np.repeat(ind, window_size)
    dy = np.tile(ind, [window_size, 1]).reshape(window_size ** 2)
    A = np.empty((window_size ** 2, len(exps)))
    for i, exp in enumerate(exps):
        A[:, i] = (dx ** exp[0]) * (dy ** exp[1])
    m = np.linalg.pinv(A)[0].reshape((window_size, -1))
    Z = np.pad(z, half_size, mode="reflect")
    out = np.zeros_like(z)
    for i in range(window_size):
        for j in range(window_size):
            out += m[i, j] * Z[i:i + z.shape[0], j:j + z.shape[1]]
    return out, n_terms


def rebin(a, *args):
    shape = a.shape
    lenShape = len(shape)
    factor = np.asarray(shape) // np.asarray(args)
    evList = (["a.reshape("] + ["args[%d],factor[%d]," % (i, i) for i in range(lenShape)]
              + [")"] + [".sum(%d)" % (i + 1) for i in range(lenShape)]
              + ["/factor[%d]" % i for i in range(lenShape)])
    return eval("".join(evList))


def rebin_reshape_mean(a, new_shape):
    sh = new_shape[0], a.shape[0] // new_shape[0], new_shape[1], a.shape[1] // new_shape[1]
    return a.reshape(sh).mean(-1).mean(1)


def rebin_of(a):
    return rebin(a, a.shape[0] // 2, a.shape[1] // 3)


def congrid_neighbour(a, newdims, centre=False, minusone=False):
    """`congrid(method='neighbour')`: index grids by `np.indices`, scaled and truncated."""
    old = np.array(a.shape)
    ndims = len(a.shape)
    m1 = np.asarray(minusone, dtype=int)
    ofs = np.asarray(centre, dtype=int) * 0.5
    newdims = np.asarray(newdims, dtype=float)
    dimlist = []
    for i in range(ndims):
        base = np.indices(newdims.astype(int))[i]
        dimlist.append((old[i] - m1) / (newdims[i] - m1) * (base + ofs) - ofs)
    cd = np.array(dimlist).round().astype(int)
    return a[tuple(list(cd))]


def congrid_linear_1d(a, newlen, minusone=False):
    """`congrid(method='linear')` along one axis by `np.interp` of the old sample positions."""
    m1 = int(minusone)
    old = a.shape[0]
    olddims = np.arange(old, dtype=float)
    newdims = np.arange(newlen, dtype=float) * (old - m1) / (newlen - m1)
    return np.array([np.interp(newdims, olddims, a[:, j]) for j in range(a.shape[1])]).T


def bilinear_zoom(a, factor=2):
    """`congrid`-like bilinear resampling by fractional index arithmetic."""
    h, w = a.shape
    yi = np.linspace(0, h - 1, h * factor)
    xi = np.linspace(0, w - 1, w * factor)
    y0 = np.floor(yi).astype(int)
    x0 = np.floor(xi).astype(int)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    fy = (yi - y0)[:, None]
    fx = (xi - x0)[None, :]
    top = a[y0][:, x0] * (1 - fx) + a[y0][:, x1] * fx
    bot = a[y1][:, x0] * (1 - fx) + a[y1][:, x1] * fx
    return top * (1 - fy) + bot * fy


def systematic_resample(weights, u0):
    N = len(weights)
    positions = (np.arange(N) + u0) / N
    indexes = np.zeros(N, "i")
    cumulative_sum = np.cumsum(weights)
    i, j = 0, 0
    while i < N:
        if positions[i] < cumulative_sum[j]:
            indexes[i] = j
            i += 1
        else:
            j += 1
    return indexes


def systematic_resample_searchsorted(weights, u0):
    N = len(weights)
    positions = (np.arange(N) + u0) / N
    cumulative_sum = np.cumsum(weights)
    cumulative_sum[-1] = 1.0
    return np.searchsorted(cumulative_sum, positions)


def multinomial_resample(weights, uniforms):
    cumulative_sum = np.cumsum(weights)
    cumulative_sum[-1] = 1.0
    return np.searchsorted(cumulative_sum, uniforms)


def stratified_resample(weights, uniforms):
    N = len(weights)
    positions = (uniforms + range(N)) / N
    cumulative_sum = np.cumsum(weights)
    cumulative_sum[-1] = 1.0
    return np.searchsorted(cumulative_sum, positions, side="right")


def particle_filter_step(particles, weights, u, z, noise, uniform0, std=0.5, R=0.4, resize=True):
    """predict by a given control and noise, update by a Gaussian likelihood of the range to a
    landmark, systematic resampling by `np.searchsorted`, weights reset in place (filterpy's
    `resample_from_index` resizes them to the particle count first)."""
    N = len(particles)
    particles[:, 0] += u[0] + noise[:, 0] * std
    particles[:, 1] += u[1] + noise[:, 1] * std
    distance = np.linalg.norm(particles - np.array([1.0, 2.0]), axis=1)
    weights *= np.exp(-0.5 * ((distance - z) / R) ** 2) / (R * np.sqrt(2 * np.pi))
    weights += 1.0e-300
    weights /= np.sum(weights)
    neff = 1.0 / np.sum(np.square(weights))
    mean = np.average(particles, weights=weights, axis=0)
    var = np.average((particles - mean) ** 2, weights=weights, axis=0)
    indexes = systematic_resample_searchsorted(weights, uniform0)
    particles[:] = particles[indexes]
    if resize:
        weights.resize(len(particles))
    weights.fill(1.0 / len(weights))
    return mean, var, neff


def particle_filter_run(zs, particles, noises, uniforms, std=0.3, R=0.5):
    """A fixed number of predict/update/resample steps of a 1-D random walk."""
    N = particles.shape[0]
    weights = np.ones(N) / N
    means = np.zeros(len(zs))
    for t in range(len(zs)):
        particles = particles + std * noises[t]
        weights = weights * np.exp(-0.5 * ((zs[t] - particles) / R) ** 2)
        weights /= weights.sum()
        means[t] = np.sum(weights * particles)
        idx = np.searchsorted(np.cumsum(weights), (np.arange(N) + uniforms[t]) / N)
        particles = particles[np.minimum(idx, N - 1)]
        weights = np.full(N, 1.0 / N)
    return means, particles


def kalman_cookbook(z, Q=1e-5, R=0.1 ** 2):
    n_iter = z.shape[0]
    sz = (n_iter,)
    xhat = np.zeros(sz)
    P = np.zeros(sz)
    xhatminus = np.zeros(sz)
    Pminus = np.zeros(sz)
    K = np.zeros(sz)
    xhat[0] = 0.0
    P[0] = 1.0
    for k in range(1, n_iter):
        xhatminus[k] = xhat[k - 1]
        Pminus[k] = P[k - 1] + Q
        K[k] = Pminus[k] / (Pminus[k] + R)
        xhat[k] = xhatminus[k] + K[k] * (z[k] - xhatminus[k])
        P[k] = (1 - K[k]) * Pminus[k]
    return xhat, P, K


def kalman_constant_velocity(zs, dt=1.0, q=0.01, r=0.5):
    F = np.array([[1.0, dt], [0.0, 1.0]])
    H = np.array([[1.0, 0.0]])
    Q = q * np.array([[dt ** 4 / 4, dt ** 3 / 2], [dt ** 3 / 2, dt ** 2]])
    R = np.array([[r]])
    x = np.array([[zs[0]], [0.0]])
    P = np.eye(2) * 500.0
    xs = np.zeros((len(zs), 2))
    for i, z in enumerate(zs):
        x = F @ x
        P = F @ P @ F.T + Q
        y = z - H @ x
        S = H @ P @ H.T + R
        K = P @ H.T @ np.linalg.inv(S)
        x = x + K @ y
        I_KH = np.eye(2) - K @ H
        P = I_KH @ P @ I_KH.T + K @ R @ K.T
        xs[i] = x[:, 0]
    return xs, P


def kalman_batch_dot(zs, x0, P0, F, H, Q, R):
    """A multivariate filter with `np.dot` everywhere and `np.linalg.solve` for the gain,
    storing predictions and log-likelihood terms."""
    n = zs.shape[0]
    dim_x = x0.shape[0]
    x = x0.copy()
    P = P0.copy()
    means = np.zeros((n, dim_x))
    loglik = 0.0
    for t in range(n):
        x = np.dot(F, x)
        P = np.dot(np.dot(F, P), F.T) + Q
        S = np.dot(np.dot(H, P), H.T) + R
        y = zs[t] - np.dot(H, x)
        K = np.linalg.solve(S, np.dot(H, P)).T
        x = x + np.dot(K, y)
        P = P - np.dot(np.dot(K, S), K.T)
        means[t] = x
        sign, logdet = np.linalg.slogdet(S)
        loglik += -0.5 * (logdet + y @ np.linalg.solve(S, y) + len(y) * np.log(2 * np.pi))
    return means, P, loglik


def rts_smoother(Xs, Ps, F, Q):
    n, dim_x = Xs.shape
    K = np.zeros((n, dim_x, dim_x))
    x, P, Pp = Xs.copy(), Ps.copy(), Ps.copy()
    for k in range(n - 2, -1, -1):
        Pp[k] = np.dot(np.dot(F, P[k]), F.T) + Q
        K[k] = np.dot(np.dot(P[k], F.T), np.linalg.inv(Pp[k]))
        x[k] += np.dot(K[k], x[k + 1] - np.dot(F, x[k]))
        P[k] += np.dot(np.dot(K[k], P[k + 1] - Pp[k]), K[k].T)
    return x, P, K


def segment_axis(a, length, overlap=0, axis=None, end="cut", endvalue=0):
    if axis is None:
        a = np.ravel(a)
        axis = 0
    l = a.shape[axis]
    if overlap >= length:
        raise ValueError("frames cannot overlap by more than 100%")
    if l < length or (l - length) % (length - overlap):
        if l > length:
            roundup = length + (1 + (l - length) // (length - overlap)) * (length - overlap)
            rounddown = length + ((l - length) // (length - overlap)) * (length - overlap)
        else:
            roundup = length
            rounddown = 0
        a = a.swapaxes(-1, axis)
        if end == "cut":
            a = a[..., :rounddown]
        elif end in ["pad", "wrap"]:
            s = list(a.shape)
            s[-1] = roundup
            b = np.empty(s, dtype=a.dtype)
            b[..., :l] = a
            if end == "pad":
                b[..., l:] = endvalue
            elif end == "wrap":
                b[..., l:] = a[..., :roundup - l]
            a = b
        a = a.swapaxes(-1, axis)
    l = a.shape[axis]
    n = 1 + (l - length) // (length - overlap)
    s = a.strides[axis]
    newshape = a.shape[:axis] + (n, length) + a.shape[axis + 1:]
    newstrides = a.strides[:axis] + ((length - overlap) * s, s) + a.strides[axis + 1:]
    return np.ndarray.__new__(np.ndarray, strides=newstrides, shape=newshape, buffer=a,
                              dtype=a.dtype)


def segment_axis_windows(a, length=4, overlap=2, end="cut"):
    """`segment_axis` rewritten with `sliding_window_view` and a step, as newer code does."""
    frames = np.lib.stride_tricks.sliding_window_view(a, length)[:: length - overlap]
    return frames * np.hanning(length)


def running_mean(x, N=3):
    cumsum = np.cumsum(np.insert(x, 0, 0))
    return (cumsum[N:] - cumsum[:-N]) / float(N)




def running_std_cumsum(x, N=4):
    c1 = np.cumsum(np.r_[0.0, x])
    c2 = np.cumsum(np.r_[0.0, x ** 2])
    mean = (c1[N:] - c1[:-N]) / N
    return np.sqrt(np.maximum((c2[N:] - c2[:-N]) / N - mean ** 2, 0))


def peak_detect_by_diff(y):
    """Local maxima as a mask: sign changes of `np.diff`, written back with `np.r_` padding."""
    d = np.diff(y)
    return np.r_[False, (d[:-1] > 0) & (d[1:] <= 0), False]


def linear_regression_polyfit(x, y, deg=2):
    coefs = np.polyfit(x, y, deg)
    return coefs, np.polyval(coefs, x)


def signal_fft_lowpass(x, keep=3):
    F = np.fft.rfft(x)
    F[keep:] = 0
    return np.fft.irfft(F, n=x.shape[0])


def _particles(s, n):
    return (_f(2 * n, 2, seed=s) + 1.5, np.full(2 * n, 1.0 / (2 * n)), np.array([0.2, 0.1]), 1.0,
            _f(2 * n, 2, seed=s + 1), _u(s, 1)[0])


def _noisy(s, n, length=16):
    t = np.linspace(-2, 2, length + 4 * n)
    return np.sin(2 * t) + np.exp(-t ** 2) + 0.1 * _f(length + 4 * n, seed=s)


def _weights(s, n):
    w = _u(s, 2 * n + 2) + 0.1
    return w / w.sum()


COOKBOOK = {
    "smooth_hanning": (smooth, {}, lambda s, n: (_noisy(s, n),)),
    "smooth_flat": (smooth, {"window": "flat", "window_len": 3}, lambda s, n: (_noisy(s, n),)),
    "smooth_hamming": (smooth, {"window": "hamming", "window_len": 7}, lambda s, n: (
        _noisy(s, n),)),
    "smooth_trimmed_blackman": (smooth_trimmed, {}, lambda s, n: (_noisy(s, n),)),
    "smooth_list": (smooth_list, {}, lambda s, n: (list(_noisy(s, n)),)),
    "smooth_float32": (smooth, {}, lambda s, n: (_noisy(s, n).astype(np.float32),)),
    "savitzky_golay": (savitzky_golay, {}, lambda s, n: (_noisy(s, n),)),
    "savitzky_golay_deriv": (savitzky_golay, {"window_size": 9, "order": 3, "deriv": 1,
                                              "rate": 2}, lambda s, n: (_noisy(s, n),)),
    "sgolay2d": (sgolay2d_coeffs, {}, lambda s, n: (_f(n + 3, 6, seed=s),)),
    "rebin_eval": (rebin_of, {}, lambda s, n: (_f(2 * n, 6, seed=s),)),
    "rebin_reshape_mean": (rebin_reshape_mean, {"new_shape": (2, 3)}, lambda s, n: (
        _f(2 * n, 6, seed=s),)),
    "congrid_neighbour": (congrid_neighbour, {"newdims": (3, 7)}, lambda s, n: (
        _f(n + 2, 5, seed=s),)),
    "congrid_neighbour_centre": (congrid_neighbour, {"newdims": (5, 4), "centre": True,
                                                     "minusone": True},
                                 lambda s, n: (_f(n + 2, 5, seed=s),)),
    "congrid_linear": (congrid_linear_1d, {"newlen": 9}, lambda s, n: (_f(n + 2, 3, seed=s),)),
    "bilinear_zoom": (bilinear_zoom, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "systematic_resample": (systematic_resample_searchsorted, {}, lambda s, n: (
        _weights(s, n), _u(s, 1)[0])),
    "multinomial_resample": (multinomial_resample, {}, lambda s, n: (
        _weights(s, n), _u(s + 1, 2 * n + 2))),
    "stratified_resample": (stratified_resample, {}, lambda s, n: (
        _weights(s, n), _u(s + 1, 2 * n + 2))),
    "particle_filter_step": (particle_filter_step, {}, _particles),
    "particle_filter_step_fill": (particle_filter_step, {"resize": False}, _particles),
    "particle_filter_run": (particle_filter_run, {}, lambda s, n: (
        _noisy(s, 1, 6), _f(2 * n, seed=s), _f(10, 2 * n, seed=s + 1), _u(s, 10))),
    "kalman_cookbook": (kalman_cookbook, {}, lambda s, n: (-0.37727 + 0.1 * _f(n * 5, seed=s),)),
    "kalman_constant_velocity": (kalman_constant_velocity, {}, lambda s, n: (
        np.arange(3.0 * n) + _f(3 * n, seed=s),)),
    "kalman_batch_dot": (kalman_batch_dot, {}, lambda s, n: (
        _f(3 * n, 1, seed=s), np.zeros(2), np.eye(2), np.array([[1.0, 1.0], [0.0, 1.0]]),
        np.array([[1.0, 0.0]]), 0.01 * np.eye(2), np.array([[0.5]]))),
    "rts_smoother": (rts_smoother, {}, lambda s, n: (
        _f(n + 2, 2, seed=s), np.tile(np.eye(2), (n + 2, 1, 1)) * (1 + _u(s, n + 2, 1, 1)),
        np.array([[1.0, 1.0], [0.0, 1.0]]), 0.1 * np.eye(2))),
    "segment_axis_windows": (segment_axis_windows, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "running_mean": (running_mean, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "running_std_cumsum": (running_std_cumsum, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "peak_detect_by_diff": (peak_detect_by_diff, {}, lambda s, n: (_noisy(s, n),)),
    "polyfit": (linear_regression_polyfit, {}, lambda s, n: (
        np.linspace(0, 1, 3 * n), _f(3 * n, seed=s))),
    "fft_lowpass": (signal_fft_lowpass, {}, lambda s, n: (_noisy(s, n),)),
}


@pytest.mark.parametrize("name", _names(COOKBOOK))
def test_scipy_cookbook_recipes_match_numpy(name):
    check_like_numpy(*COOKBOOK[name])


# ------------------------------------------------------------------ scikit-learn estimators


def _weighted_percentile(array, sample_weight, percentile=50):
    n_dim = array.ndim
    if n_dim == 1:
        array = array.reshape((-1, 1))
    if array.shape != sample_weight.shape and array.shape[0] == sample_weight.shape[0]:
        sample_weight = np.tile(sample_weight, (array.shape[1], 1)).T
    sorted_idx = np.argsort(array, axis=0)
    sorted_weights = np.take_along_axis(sample_weight, sorted_idx, axis=0)
    weight_cdf = np.cumsum(sorted_weights, axis=0)
    adjusted_percentile = percentile / 100 * weight_cdf[-1]
    mask = adjusted_percentile == 0
    adjusted_percentile[mask] = np.nextafter(adjusted_percentile[mask],
                                             adjusted_percentile[mask] + 1)
    percentile_idx = np.array([np.searchsorted(weight_cdf[:, i], adjusted_percentile[i])
                               for i in range(weight_cdf.shape[1])])
    percentile_idx = np.array(percentile_idx)
    max_idx = sorted_idx.shape[0] - 1
    percentile_idx = np.apply_along_axis(lambda x: np.clip(x, 0, max_idx), axis=0,
                                         arr=percentile_idx)
    col_index = np.arange(array.shape[1])
    percentile_in_sorted = sorted_idx[percentile_idx, col_index]
    percentile = array[percentile_in_sorted, col_index]
    return percentile[0] if n_dim == 1 else percentile


def spectral_embedding_dense(A, n_components=2):
    """`laplacian(normed=True)` of a dense affinity, its diagonal set by `flat`, eigh, and the
    sign flip, as `_spectral_embedding` does for a dense graph with the lobpcg-free path."""
    n = A.shape[0]
    A = A.copy()
    A.flat[:: n + 1] = 0
    w = A.sum(axis=0)
    isolated = w == 0
    w = np.where(isolated, 1, np.sqrt(w))
    laplacian = -A / w / w[:, np.newaxis]
    laplacian.flat[:: n + 1] = (1 - isolated).astype(laplacian.dtype)
    dd = w
    laplacian *= -1
    _, diffusion_map = np.linalg.eigh(laplacian)
    embedding = diffusion_map.T[n_components::-1]
    embedding = embedding / dd
    embedding = deterministic_vector_sign_flip(embedding)
    return embedding[1:n_components + 1].T


def empirical_covariance(X, assume_centered=False):
    if X.ndim == 1:
        X = np.reshape(X, (1, -1))
    if assume_centered:
        covariance = np.dot(X.T, X) / X.shape[0]
    else:
        covariance = np.cov(X.T, bias=1)
    if covariance.ndim == 0:
        covariance = np.array([[covariance]])
    return covariance


def shrunk_covariance(emp_cov, shrinkage=0.1):
    n_features = emp_cov.shape[-1]
    mu = np.trace(emp_cov) / n_features
    shrunk_cov = (1.0 - shrinkage) * emp_cov
    shrunk_cov.flat[:: n_features + 1] += shrinkage * mu
    return shrunk_cov


def ledoit_wolf_shrinkage(X, block_size=2):
    n_samples, n_features = X.shape
    X = X - X.mean(0)
    X2 = X ** 2
    emp_cov_trace = np.sum(X2, axis=0) / n_samples
    mu = np.sum(emp_cov_trace) / n_features
    beta_ = 0.0
    delta_ = 0.0
    n_splits = int(n_features / block_size)
    for i in range(n_splits):
        for j in range(n_splits):
            rows = slice(block_size * i, block_size * (i + 1))
            cols = slice(block_size * j, block_size * (j + 1))
            beta_ += np.sum(np.dot(X2.T[rows], X2[:, cols]))
            delta_ += np.sum(np.dot(X.T[rows], X[:, cols]) ** 2)
        rows = slice(block_size * i, block_size * (i + 1))
        beta_ += np.sum(np.dot(X2.T[rows], X2[:, block_size * n_splits:]))
        delta_ += np.sum(np.dot(X.T[rows], X[:, block_size * n_splits:]) ** 2)
    for j in range(n_splits):
        cols = slice(block_size * j, block_size * (j + 1))
        beta_ += np.sum(np.dot(X2.T[block_size * n_splits:], X2[:, cols]))
        delta_ += np.sum(np.dot(X.T[block_size * n_splits:], X[:, cols]) ** 2)
    delta_ += np.sum(np.dot(X.T[block_size * n_splits:], X[:, block_size * n_splits:]) ** 2)
    delta_ /= n_samples ** 2
    beta_ += np.sum(np.dot(X2.T[block_size * n_splits:], X2[:, block_size * n_splits:]))
    beta = 1.0 / (n_features * n_samples) * (beta_ / n_samples - delta_)
    delta = delta_ - 2.0 * mu * emp_cov_trace.sum() + n_features * mu ** 2
    delta /= n_features
    beta = min(beta, delta)
    shrinkage = 0 if beta == 0 else beta / delta
    return shrinkage


def ledoit_wolf_shrinkage_np(X, block_size=2):
    """The same sums with the closing `min`/`if` as `np.minimum`/`np.where`."""
    n_samples, n_features = X.shape
    X = X - X.mean(0)
    X2 = X ** 2
    emp_cov_trace = np.sum(X2, axis=0) / n_samples
    mu = np.sum(emp_cov_trace) / n_features
    beta_ = np.sum(X2.T @ X2)
    delta_ = np.sum((X.T @ X) ** 2) / n_samples ** 2
    beta = 1.0 / (n_features * n_samples) * (beta_ / n_samples - delta_)
    delta = (delta_ - 2.0 * mu * emp_cov_trace.sum() + n_features * mu ** 2) / n_features
    beta = np.minimum(beta, delta)
    return np.where(beta == 0, 0.0, beta / delta)


def oas(X):
    n_samples, n_features = X.shape
    emp_cov = empirical_covariance(X)
    alpha = np.mean(emp_cov ** 2)
    mu = np.trace(emp_cov) / n_features
    mu_squared = mu ** 2
    num = alpha + mu_squared
    den = (n_samples + 1) * (alpha - mu_squared / n_features)
    shrinkage = 1.0 if den == 0 else min(num / den, 1.0)
    shrunk_cov = (1.0 - shrinkage) * emp_cov
    shrunk_cov.flat[:: n_features + 1] += shrinkage * mu
    return shrunk_cov, shrinkage


def mahalanobis(X, location, covariance):
    precision = np.linalg.pinv(covariance)
    X_centered = X - location
    return np.sum(np.dot(X_centered, precision) * X_centered, 1)


def gmm_estimate_log_gaussian_prob(X, means, covariances):
    """`_compute_precision_cholesky` and `_estimate_log_gaussian_prob` for 'full' covariances,
    the triangular solve by `np.linalg.solve`, then the E-step's log-sum-exp."""
    n_samples, n_features = X.shape
    n_components = means.shape[0]
    precisions_chol = np.empty((n_components, n_features, n_features))
    for k, covariance in enumerate(covariances):
        cov_chol = np.linalg.cholesky(covariance)
        precisions_chol[k] = np.linalg.solve(cov_chol, np.eye(n_features)).T
    log_det = np.sum(np.log(precisions_chol.reshape(n_components, -1)[:, :: n_features + 1]), 1)
    log_prob = np.empty((n_samples, n_components))
    for k, (mu, prec_chol) in enumerate(zip(means, precisions_chol)):
        y = np.dot(X, prec_chol) - np.dot(mu, prec_chol)
        log_prob[:, k] = np.sum(np.square(y), axis=1)
    log_gauss = -0.5 * (n_features * np.log(2 * np.pi) + log_prob) + log_det
    return log_gauss


def gmm_e_step(X, weights, means, covariances):
    weighted = gmm_estimate_log_gaussian_prob(X, means, covariances) + np.log(weights)
    amax = np.max(weighted, axis=1, keepdims=True)
    log_prob_norm = np.log(np.sum(np.exp(weighted - amax), axis=1)) + amax[:, 0]
    with np.errstate(under="ignore"):
        log_resp = weighted - log_prob_norm[:, np.newaxis]
    return np.mean(log_prob_norm), log_resp


def gmm_m_step(X, resp, reg_covar=1e-6):
    n_samples, n_features = X.shape
    nk = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps
    means = np.dot(resp.T, X) / nk[:, np.newaxis]
    n_components = means.shape[0]
    covariances = np.empty((n_components, n_features, n_features))
    for k in range(n_components):
        diff = X - means[k]
        covariances[k] = np.dot(resp[:, k] * diff.T, diff) / nk[k]
        covariances[k].flat[:: n_features + 1] += reg_covar
    return nk / n_samples, means, covariances


def gaussian_nb_update_mean_variance(n_past, mu, var, X, sample_weight=None):
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


def gaussian_nb_jll(X, theta, var, class_prior):
    joint_log_likelihood = []
    for i in range(np.size(class_prior)):
        jointi = np.log(class_prior[i])
        n_ij = -0.5 * np.sum(np.log(2.0 * np.pi * var[i, :]))
        n_ij -= 0.5 * np.sum(((X - theta[i, :]) ** 2) / (var[i, :]), 1)
        joint_log_likelihood.append(jointi + n_ij)
    joint_log_likelihood = np.array(joint_log_likelihood).T
    a_max = np.amax(joint_log_likelihood, axis=1, keepdims=True)
    log_prob_x = np.log(np.sum(np.exp(joint_log_likelihood - a_max), axis=1)) + a_max[:, 0]
    return joint_log_likelihood, np.exp(joint_log_likelihood - np.atleast_2d(log_prob_x).T)


def multinomial_nb_fit(X, Y, alpha=1.0):
    feature_count = np.dot(Y.T, X)
    class_count = Y.sum(axis=0)
    smoothed_fc = feature_count + alpha
    smoothed_cc = smoothed_fc.sum(axis=1)
    feature_log_prob = np.log(smoothed_fc) - np.log(smoothed_cc.reshape(-1, 1))
    class_log_prior = np.log(class_count) - np.log(class_count.sum())
    jll = np.dot(X, feature_log_prob.T) + class_log_prior
    return feature_log_prob, jll


def f_regression(X, y, center=True):
    if center:
        y = y - np.mean(y)
        X_means = X.mean(axis=0)
        X_norms = np.sqrt(row_norms_T(X) - X.shape[0] * X_means ** 2)
    else:
        X_norms = np.sqrt(row_norms_T(X))
    correlation_coefficient = np.dot(y, X)
    with np.errstate(divide="ignore", invalid="ignore"):
        correlation_coefficient /= X_norms
        correlation_coefficient /= np.linalg.norm(y)
    deg_of_freedom = y.size - (2 if center else 1)
    corr_coef_squared = correlation_coefficient ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        f_statistic = corr_coef_squared / (1 - corr_coef_squared) * deg_of_freedom
    return f_statistic, correlation_coefficient


def row_norms_T(X):
    return np.einsum("ij,ij->j", X, X)


def chi2_feature(X, Y):
    observed = np.dot(Y.T, X)
    feature_count = X.sum(axis=0).reshape(1, -1)
    class_prob = Y.mean(axis=0).reshape(1, -1)
    expected = np.dot(class_prob.T, feature_count)
    f_obs = np.asarray(observed, dtype=np.float64)
    k = len(f_obs)
    chisq = f_obs
    chisq -= expected
    chisq **= 2
    with np.errstate(invalid="ignore"):
        chisq /= expected
    chisq = chisq.sum(axis=0)
    return chisq, k - 1


def variance_threshold(X, threshold=0.0):
    variances = np.nanvar(X, axis=0)
    peak_to_peaks = np.ptp(X, axis=0)
    compare_arr = np.array([variances, peak_to_peaks])
    variances = np.nanmin(compare_arr, axis=0)
    return variances > threshold, variances


def mlp_forward(X, coefs, intercepts, activations):
    """MLP's `_forward_pass`: hidden ReLUs written into the `activations` list argument,
    `np.maximum(X, 0, out=X)` in place, softmax at the output."""
    activations[0] = X
    n_layers = len(coefs) + 1
    for i in range(n_layers - 1):
        activations[i + 1] = safe_sparse_dot(activations[i], coefs[i])
        activations[i + 1] += intercepts[i]
        if (i + 1) != (n_layers - 1):
            np.maximum(activations[i + 1], 0, out=activations[i + 1])
    tmp = activations[-1] - activations[-1].max(axis=1)[:, np.newaxis]
    np.exp(tmp, out=tmp)
    tmp /= tmp.sum(axis=1)[:, np.newaxis]
    activations[-1] = tmp
    return activations


def mlp_backprop(X, Y, coefs, intercepts, alpha=1e-4):
    activations = [X] + [None] * len(coefs)
    activations = mlp_forward(X, coefs, intercepts, activations)
    n_samples = X.shape[0]
    eps = np.finfo(activations[-1].dtype).eps
    y_prob = np.clip(activations[-1], eps, 1 - eps)
    loss = -np.sum(Y * np.log(y_prob)) / n_samples
    values = sum(np.dot(s.ravel(), s.ravel()) for s in coefs)
    loss += (0.5 * alpha) * values / n_samples
    last = len(coefs) - 1
    deltas = [None] * len(coefs)
    coef_grads = [None] * len(coefs)
    intercept_grads = [None] * len(coefs)
    deltas[last] = activations[-1] - Y
    for layer in range(last, -1, -1):
        coef_grads[layer] = safe_sparse_dot(activations[layer].T, deltas[layer])
        coef_grads[layer] += alpha * coefs[layer]
        coef_grads[layer] /= n_samples
        intercept_grads[layer] = np.mean(deltas[layer], 0)
        if layer > 0:
            deltas[layer - 1] = safe_sparse_dot(deltas[layer], coefs[layer].T)
            deltas[layer - 1][activations[layer] == 0] = 0
    return loss, coef_grads, intercept_grads


def adam_update(params, grads, ms, vs, t, learning_rate=1e-3, beta_1=0.9, beta_2=0.999,
                epsilon=1e-8):
    """`AdamOptimizer._get_updates`: list comprehensions over the parameter list, then the
    updates added in place to each parameter."""
    t += 1
    ms[:] = [beta_1 * m + (1 - beta_1) * grad for m, grad in zip(ms, grads)]
    vs[:] = [beta_2 * v + (1 - beta_2) * (grad ** 2) for v, grad in zip(vs, grads)]
    lr = learning_rate * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    updates = [-lr * m / (np.sqrt(v) + epsilon) for m, v in zip(ms, vs)]
    for param, update in zip(params, updates):
        param += update
    return t


def sgd_momentum_update(params, grads, velocities, lr=0.1, momentum=0.9, nesterov=True):
    updates = [momentum * velocity - lr * grad for velocity, grad in zip(velocities, grads)]
    velocities[:] = updates
    if nesterov:
        updates = [momentum * velocity - lr * grad for velocity, grad in zip(velocities, grads)]
    for param, update in zip(params, updates):
        param += update


def paired_distances(X, Y, metric="euclidean"):
    if metric == "euclidean":
        return np.sqrt(((X - Y) ** 2).sum(axis=-1))
    if metric == "manhattan":
        return np.abs(X - Y).sum(axis=-1)
    return 0.5 * row_norms((X / np.linalg.norm(X, axis=1, keepdims=True))
                           - (Y / np.linalg.norm(Y, axis=1, keepdims=True))) ** 2


def _mixture(s, n):
    X = _f(n + 5, 3, seed=s)
    means = _f(2, 3, seed=s + 1)
    C = np.cov(_f(12, 3, seed=s + 2).T) + np.eye(3)
    return X, np.array([0.3, 0.7]), means, np.stack([np.eye(3) * 1.5, C])


def _resp(s, n):
    R = _u(s, n + 5, 2) + 0.1
    return _f(n + 5, 3, seed=s), R / R.sum(1, keepdims=True)


def _mlp(s, n):
    X = _f(n, 4, seed=s)
    return (X, np.eye(3)[_i(3, n, seed=s)], [_f(4, 5, seed=s + 1), _f(5, 3, seed=s + 2)],
            [_f(5, seed=s + 3), _f(3, seed=s + 4)])


def _mlp_forward_args(s, n):
    X, _, coefs, intercepts = _mlp(s, n)
    return X, coefs, intercepts, [np.empty((n, 4)), np.empty((n, 5)), np.empty((n, 3))]


def _adam_args(s, n):
    params = [_f(n, 3, seed=s), _f(3, seed=s + 1)]
    return (params, [0.1 * p + 0.05 for p in params], [np.zeros_like(p) for p in params],
            [np.zeros_like(p) for p in params], s)


def _counts(s, n):
    return _i(5, n + 3, 4, seed=s).astype(float), np.eye(3)[np.arange(n + 3) % 3]


ESTIMATORS = {
    "weighted_percentile": (_weighted_percentile, {}, lambda s, n: (
        _f(n + 3, 3, seed=s), _u(s, n + 3) + 0.2)),
    "weighted_percentile_1d": (_weighted_percentile, {"percentile": 30}, lambda s, n: (
        _f(n + 3, seed=s), _u(s, n + 3) + 0.2)),
    "deterministic_sign_flip": (deterministic_vector_sign_flip, {}, lambda s, n: (
        _f(3, n, seed=s),)),
    "spectral_embedding": (spectral_embedding_dense, {}, lambda s, n: (
        rbf_kernel(_f(n + 3, 2, seed=s), _f(n + 3, 2, seed=s)),)),
    "empirical_covariance": (empirical_covariance, {}, lambda s, n: (_f(n + 3, 3, seed=s),)),
    "shrunk_covariance": (shrunk_covariance, {}, lambda s, n: (
        empirical_covariance(_f(8, n, seed=s)),)),
    "ledoit_wolf_np": (ledoit_wolf_shrinkage_np, {}, lambda s, n: (_f(n + 3, 3, seed=s),)),
    "mahalanobis": (mahalanobis, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, seed=s + 1), empirical_covariance(_f(9, 3, seed=s + 2)))),
    "gmm_log_prob": (gmm_estimate_log_gaussian_prob, {}, lambda s, n: (
        _mixture(s, n)[0], *_mixture(s, n)[2:])),
    "gmm_e_step": (gmm_e_step, {}, _mixture),
    "gmm_m_step": (gmm_m_step, {}, _resp),
    "gaussian_nb_update": (gaussian_nb_update_mean_variance, {}, lambda s, n: (
        5, _f(3, seed=s), _u(s, 3) + 0.5, _f(n, 3, seed=s + 1))),
    "gaussian_nb_update_weighted": (gaussian_nb_update_mean_variance, {}, lambda s, n: (
        5.0, _f(3, seed=s), _u(s, 3) + 0.5, _f(n, 3, seed=s + 1), _u(s + 1, n) + 0.1)),
    "gaussian_nb_jll": (gaussian_nb_jll, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(2, 3, seed=s + 1), _u(s, 2, 3) + 0.5, np.array([0.4, 0.6]))),
    "multinomial_nb": (multinomial_nb_fit, {}, _counts),
    "f_regression": (f_regression, {}, lambda s, n: (_f(n + 3, 3, seed=s), _f(n + 3, seed=s))),
    "chi2_feature": (chi2_feature, {}, _counts),
    "variance_threshold": (variance_threshold, {}, lambda s, n: (
        np.column_stack([_with_nans(s, n), np.ones(n)]),)),
    "mlp_forward_into_list": (mlp_forward, {}, _mlp_forward_args),
    "mlp_backprop": (mlp_backprop, {}, _mlp),
    "adam_update_lists": (adam_update, {}, _adam_args),
    "sgd_momentum_lists": (sgd_momentum_update, {}, lambda s, n: _adam_args(s, n)[:3]),
    "paired_cosine": (paired_distances, {"metric": "cosine"}, lambda s, n: _xy(s, n, n)),
}


@pytest.mark.parametrize("name", _names(ESTIMATORS))
def test_sklearn_estimator_internals_match_numpy(name):
    check_like_numpy(*ESTIMATORS[name])


# ------------------------------------------------------------------ statsmodels: diagnostics


def het_breuschpagan(resid, exog):
    x = np.asarray(exog)
    y = np.asarray(resid) ** 2
    nobs, nvars = x.shape
    params = np.linalg.lstsq(x, y, rcond=None)[0]
    fitted = x @ params
    ssr = ((y - fitted) ** 2).sum()
    centered_tss = ((y - y.mean()) ** 2).sum()
    rsquared = 1 - ssr / centered_tss
    lm = nobs * rsquared
    fval = (centered_tss - ssr) / (nvars - 1) / (ssr / (nobs - nvars))
    return lm, fval


def het_white(resid, exog):
    x = np.asarray(exog)
    y = np.asarray(resid)
    nobs, nvars0 = x.shape
    i0, i1 = np.triu_indices(nvars0)
    exog = x[:, i0] * x[:, i1]
    nobs, nvars = exog.shape
    params = np.linalg.pinv(exog) @ (y ** 2)
    resols = y ** 2 - exog @ params
    rsquared = 1 - resols @ resols / np.sum((y ** 2 - np.mean(y ** 2)) ** 2)
    return nobs * rsquared, nvars - 1


def het_white_combinations(resid, exog):
    x = np.asarray(exog)
    cols = [x[:, i] * x[:, j]
            for i, j in itertools.combinations_with_replacement(range(x.shape[1]), 2)]
    z = np.column_stack(cols)
    params = np.linalg.lstsq(z, resid ** 2, rcond=None)[0]
    return params


def descr_stats_w(data, weights, ddof=0):
    sum_weights = weights.sum(0)
    nobs = sum_weights
    mean = np.dot(weights, data) / sum_weights
    demeaned = data - mean
    sumsquares = np.dot((demeaned ** 2).T, weights)
    var = sumsquares / (sum_weights - ddof)
    std = np.sqrt(var)
    cov = np.dot(weights * demeaned.T, demeaned) / (sum_weights - ddof)
    std_ = np.sqrt(np.diag(cov))
    corrcoef = cov / std_ / std_[:, None]
    return mean, var, std, cov, corrcoef, nobs


def weighted_quantile_sorted(data, weights, probs):
    """DescrStatsW.quantile(return_pandas=False): sort, cumulative weights, `np.searchsorted`
    of each probability, `np.take`."""
    sorted_idx = np.argsort(data)
    cumwts = np.cumsum(weights[sorted_idx])
    cumwts /= cumwts[-1]
    results = np.empty(len(probs))
    for i, pr in enumerate(probs):
        ii = np.searchsorted(cumwts, pr)
        results[i] = np.take(data[sorted_idx], np.minimum(ii, len(data) - 1))
    return results


def huber_weights(resid, t=1.345):
    z = np.abs(resid)
    test = np.less_equal(z, t)
    absz = np.abs(z)
    absz[test] = 1.0
    v = test + (1 - test) * t / absz
    return v


def mad(a, c=0.6744897501960817, axis=0, center=np.median):
    a = np.asarray(a)
    if a.size == 0:
        center_val = 0.0
    elif callable(center):
        center_val = np.apply_over_axes(center, a, axis)
    else:
        center_val = center
    return np.median((np.abs(a - center_val)) / c, axis=axis)


def rlm_irls(y, X, n_iter=6, t=1.345):
    """RLM with HuberT and the MAD scale: fixed IRLS iterations of WLS."""
    params = np.linalg.pinv(X) @ y
    for _ in range(n_iter):
        resid = y - X @ params
        scale = np.median(np.abs(resid - np.median(resid))) / 0.6744897501960817
        w = huber_weights(resid / scale, t)
        sw = np.sqrt(w)
        params = np.linalg.pinv(X * sw[:, None]) @ (y * sw)
    return params, scale, w


def glm_logit_irls(y, X, n_iter=8):
    """GLM(Binomial) IRLS: z = eta + (y - mu) / (mu (1 - mu)), weighted least squares."""
    nobs = y.shape[0]
    mu = (y + 0.5) / 2
    eta = np.log(mu / (1 - mu))
    dev = np.inf
    for _ in range(n_iter):
        var = mu * (1 - mu)
        wlsendog = eta + (y - mu) / var
        w = var
        wexog = X * np.sqrt(w)[:, None]
        params = np.linalg.lstsq(wexog, wlsendog * np.sqrt(w), rcond=None)[0]
        eta = X @ params
        mu = 1 / (1 + np.exp(-eta))
        dev = 2 * np.sum(xlogy(y, y / mu) + xlogy(1 - y, (1 - y) / (1 - mu)))
    return params, dev, mu


def seasonal_decompose_additive(x, period=4):
    nobs = x.shape[0]
    if period % 2 == 0:
        filt = np.array([0.5] + [1] * (period - 1) + [0.5]) / period
    else:
        filt = np.repeat(1.0 / period, period)
    nsides = 2
    trim_head = int(np.ceil(len(filt) / 2.0) - 1) or None
    trim_tail = int(np.ceil(len(filt) / 2.0) - len(filt) % 2) or None
    conv = np.convolve(x, filt, mode="valid")
    trend = np.r_[np.nan * np.ones(trim_head), conv, np.nan * np.ones(trim_tail)]
    detrended = x - trend
    period_averages = np.array([np.nanmean(detrended[i::period]) for i in range(period)])
    period_averages -= np.mean(period_averages, axis=0)
    seasonal = np.tile(period_averages.T, nobs // period + 1).T[:nobs]
    resid = detrended - seasonal
    return trend, seasonal, resid


def adfuller_fixed_lag(x, maxlag=2):
    """`adfuller(x, maxlag, autolag=None, regression='c')`: the test statistic from OLS on the
    lagged differences."""
    xdiff = np.diff(x)
    xdall = lagmat(xdiff[:, None], maxlag, trim="both", original="in")
    nobs = xdall.shape[0]
    xdall[:, 0] = x[-nobs - 1:-1]
    xdshort = xdiff[-nobs:]
    rhs = np.column_stack([xdall[:, : maxlag + 1], np.ones(nobs)])
    pinv = np.linalg.pinv(rhs)
    params = pinv @ xdshort
    resid = xdshort - rhs @ params
    scale = resid @ resid / (nobs - rhs.shape[1])
    bse = np.sqrt(np.diag(pinv @ pinv.T) * scale)
    return params[0] / bse[0], nobs


def yule_walker(x, order=2, method="adjusted", demean=True):
    x = np.array(x, dtype=np.float64)
    if demean:
        x -= x.mean()
    n = x.shape[0]
    r = np.zeros(order + 1, np.float64)
    r[0] = (x ** 2).sum() / n
    for k in range(1, order + 1):
        r[k] = (x[0:-k] * x[k:]).sum() / (n - k * (method == "adjusted"))
    R = r[np.abs(np.subtract.outer(np.arange(order), np.arange(order)))]
    rho = np.linalg.solve(R, r[1:])
    sigmasq = r[0] - (r[1:] * rho).sum()
    return rho, np.sqrt(sigmasq) if not np.isnan(sigmasq) and sigmasq > 0 else np.nan


def yule_walker_where(x, order=2):
    x = np.array(x, dtype=np.float64)
    x -= x.mean()
    n = x.shape[0]
    r = np.zeros(order + 1, np.float64)
    r[0] = (x ** 2).sum() / n
    for k in range(1, order + 1):
        r[k] = (x[0:-k] * x[k:]).sum() / (n - k)
    R = r[np.abs(np.subtract.outer(np.arange(order), np.arange(order)))]
    rho = np.linalg.solve(R, r[1:])
    sigmasq = r[0] - (r[1:] * rho).sum()
    return rho, np.where(sigmasq > 0, np.sqrt(np.abs(sigmasq)), np.nan)


def arma2ma(ar, ma, lags=6):
    impulse = np.zeros(lags)
    impulse[0] = 1.0
    y = np.zeros(lags)
    for t in range(lags):
        acc = sum(ma[j] * impulse[t - j] for j in range(len(ma)) if t - j >= 0)
        acc -= sum(ar[j] * y[t - j] for j in range(1, len(ar)) if t - j >= 0)
        y[t] = acc / ar[0]
    return y


STATSMODELS_MORE = {
    "het_breuschpagan": (het_breuschpagan, {}, lambda s, n: _ols_data(s, n)),
    "het_white": (het_white, {}, lambda s, n: _ols_data(s, n)),
    "het_white_combinations": (het_white_combinations, {}, lambda s, n: _ols_data(s, n)),
    "descr_stats_w": (descr_stats_w, {}, lambda s, n: (_f(n + 3, 3, seed=s), _u(s, n + 3) + .1)),
    "weighted_quantile": (weighted_quantile_sorted, {"probs": (0.1, 0.5, 0.9)}, lambda s, n: (
        _f(n + 3, seed=s), _u(s, n + 3) + 0.1)),
    "huber_weights": (huber_weights, {}, lambda s, n: (_f(n + 3, seed=s) * 2,)),
    "mad": (mad, {}, lambda s, n: (_f(n + 3, 3, seed=s),)),
    "rlm_irls": (rlm_irls, {}, lambda s, n: _ols_data(s, n)),
    "glm_logit_irls": (glm_logit_irls, {}, lambda s, n: (
        (_ols_data(s, n)[0] > 2).astype(float), _ols_data(s, n)[1])),
    "seasonal_decompose": (seasonal_decompose_additive, {}, lambda s, n: (_seasonal(s, n),)),
    "seasonal_decompose_odd": (seasonal_decompose_additive, {"period": 3}, lambda s, n: (
        _seasonal(s, n),)),
    "adfuller_fixed_lag": (adfuller_fixed_lag, {}, lambda s, n: (
        np.cumsum(_f(12 + n, seed=s)),)),
    "yule_walker_where": (yule_walker_where, {}, lambda s, n: (_series(s, n),)),
    "arma2ma": (arma2ma, {}, lambda s, n: (np.array([1.0, -0.5, 0.1 * n]), np.array([1., .4]))),
}


@pytest.mark.parametrize("name", _names(STATSMODELS_MORE))
def test_statsmodels_diagnostics_and_robust_fits_match_numpy(name):
    check_like_numpy(*STATSMODELS_MORE[name])


# ------------------------------------------------------------------ SciPy Cookbook: more recipes


def brownian(x0, draws, dt, delta, out=None):
    x0 = np.asarray(x0)
    r = draws * (delta * np.sqrt(dt))
    if out is None:
        out = np.empty(r.shape)
    np.cumsum(r, axis=-1, out=out)
    out += np.expand_dims(x0, axis=-1)
    return out


def gauss_kern(size, sizey=None):
    size = int(size)
    if not sizey:
        sizey = size
    else:
        sizey = int(sizey)
    x, y = np.mgrid[-size:size + 1, -sizey:sizey + 1]
    g = np.exp(-(x ** 2 / float(size) + y ** 2 / float(sizey)))
    return g / g.sum()


def blur_image(im, n=1, ny=None):
    g = gauss_kern(n, sizey=ny)
    kh, kw = g.shape
    H, W = im.shape
    out = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(kh):
        for j in range(kw):
            out += g[i, j] * im[i:i + out.shape[0], j:j + out.shape[1]]
    return out


def radial_profile(data, center=(2, 3)):
    y, x = np.indices(data.shape)
    r = np.sqrt((x - center[0]) ** 2 + (y - center[1]) ** 2)
    r = r.astype(int)
    tbin = np.bincount(r.ravel(), data.ravel())
    nr = np.bincount(r.ravel())
    radialprofile = tbin / nr
    return radialprofile


def gaussian_moments(data):
    total = data.sum()
    X, Y = np.indices(data.shape)
    x = (X * data).sum() / total
    y = (Y * data).sum() / total
    col = data[:, int(y)]
    width_x = np.sqrt(np.abs((np.arange(col.size) - x) ** 2 * col).sum() / col.sum())
    row = data[int(x), :]
    width_y = np.sqrt(np.abs((np.arange(row.size) - y) ** 2 * row).sum() / row.sum())
    height = data.max()
    return height, x, y, width_x, width_y




def circle_fit_algebraic(x, y):
    x_m = x.mean()
    y_m = y.mean()
    u = x - x_m
    v = y - y_m
    Suv = np.sum(u * v)
    Suu = np.sum(u ** 2)
    Svv = np.sum(v ** 2)
    Suuv = np.sum(u ** 2 * v)
    Suvv = np.sum(u * v ** 2)
    Suuu = np.sum(u ** 3)
    Svvv = np.sum(v ** 3)
    A = np.array([[Suu, Suv], [Suv, Svv]])
    B = np.array([Suuu + Suvv, Svvv + Suuv]) / 2.0
    uc, vc = np.linalg.solve(A, B)
    xc_1 = x_m + uc
    yc_1 = y_m + vc
    Ri_1 = np.sqrt((x - xc_1) ** 2 + (y - yc_1) ** 2)
    R_1 = np.mean(Ri_1)
    residu_1 = np.sum((Ri_1 - R_1) ** 2)
    return xc_1, yc_1, R_1, residu_1


def rolling_window(a, window):
    shape = a.shape[:-1] + (a.shape[-1] - window + 1, window)
    strides = a.strides + (a.strides[-1],)
    return np.lib.stride_tricks.as_strided(a, shape=shape, strides=strides)


def rolling_std(a, window=3):
    return np.std(rolling_window(a, window), -1)


def laplace_numpy_step(u, dx2, dy2, n_iter=5):
    dnr_inv = 0.5 / (dx2 + dy2)
    for _ in range(n_iter):
        u_old = u.copy()
        u[1:-1, 1:-1] = ((u[0:-2, 1:-1] + u[2:, 1:-1]) * dy2
                         + (u[1:-1, 0:-2] + u[1:-1, 2:]) * dx2) * dnr_inv
    return u, np.sqrt(((u - u_old) ** 2).sum())


def ix_block(a, rows, cols):
    return a[np.ix_(rows, cols)], a[np.ix_(rows, cols)].sum(0)


def lotka_volterra_rk4(X0, a, b, c, d, dt, n):
    def dX_dt(X):
        return np.array([a * X[0] - b * X[0] * X[1], -c * X[1] + d * b * X[0] * X[1]])
    X = np.zeros((n + 1, 2))
    X[0] = X0
    for i in range(n):
        k1 = dX_dt(X[i])
        k2 = dX_dt(X[i] + dt / 2 * k1)
        k3 = dX_dt(X[i] + dt / 2 * k2)
        k4 = dX_dt(X[i] + dt * k3)
        X[i + 1] = X[i] + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return X


def _spot(s, n):
    c = np.array([2.3 + 0.1 * s, 3.6])
    return np.exp(-((np.indices((n + 3, 8)) - c[:, None, None]) ** 2).sum(0) / 3.0)


COOKBOOK_MORE = {
    "brownian": (brownian, {}, lambda s, n: (np.array([0.0, 1.0]), _f(2, n + 4, seed=s), .1, .25)),
    "brownian_scalar_start": (brownian, {}, lambda s, n: (0.5, _f(n + 4, seed=s), 0.1, 0.25)),
    "blur_image": (blur_image, {"n": 1, "ny": 2}, lambda s, n: (_f(n + 4, 9, seed=s),)),
    "radial_profile": (radial_profile, {}, lambda s, n: (_u(s, 6, 7) * n,)),
    "gaussian_moments": (gaussian_moments, {}, lambda s, n: (_spot(s, n),)),
    "circle_fit": (circle_fit_algebraic, {}, lambda s, n: (
        3 + 2 * np.cos(np.linspace(0, 2, n + 4)) + 0.01 * _f(n + 4, seed=s),
        -1 + 2 * np.sin(np.linspace(0, 2, n + 4)))),
    "rolling_window_as_strided": (rolling_window, {"window": 3}, lambda s, n: (
        _f(2 * n, seed=s),)),
    "rolling_std": (rolling_std, {}, lambda s, n: (_f(2, 2 * n, seed=s),)),
    "laplace_steps": (laplace_numpy_step, {}, lambda s, n: (_u(s, n + 2, 6), 0.1, 0.2)),
    "ix_block": (ix_block, {}, lambda s, n: (
        _f(n + 2, 4, seed=s), np.array([0, 2, n + 1]), np.array([1, 3]))),
    "lotka_volterra_rk4": (lotka_volterra_rk4, {"n": 12}, lambda s, n: (
        np.array([10.0, 5.0]), 1.0, 0.1, 1.5, 0.75, 0.01 * n)),
}


@pytest.mark.parametrize("name", _names(COOKBOOK_MORE))
def test_more_cookbook_recipes_match_numpy(name):
    check_like_numpy(*COOKBOOK_MORE[name])



# ------------------------------------------------------------------ per-class selections


def lda_within_scatter(X, y, n_classes):
    """`LinearDiscriminantAnalysis`'s within-class scatter by selections of each class,
    centered, as `Xc.T @ Xc`, with the priors from the counts."""
    n_features = X.shape[1]
    Sw = np.zeros((n_features, n_features))
    priors = np.zeros(n_classes)
    for k in range(n_classes):
        Xg = X[y == k]
        Xc = Xg - Xg.mean(axis=0)
        Sw += Xc.T @ Xc
        priors[k] = Xg.shape[0] / X.shape[0]
    return Sw / X.shape[0], priors


def lda_within_scatter_einsum(X, y, n_classes):
    """The same scatter with the product written by `np.einsum` of the selection."""
    n_features = X.shape[1]
    Sw = np.zeros((n_features, n_features))
    for k in range(n_classes):
        Xg = X[y == k]
        Xc = Xg - Xg.mean(axis=0)
        Sw += np.einsum("ij,ik->jk", Xc, Xc)
    return Sw / X.shape[0]


def class_cov(X, y, n_classes):
    """`_class_cov`: the prior-weighted sum of `np.cov(Xg, rowvar=False)` per class."""
    cov = np.zeros((X.shape[1], X.shape[1]))
    for k in range(n_classes):
        Xg = X[y == k]
        cov += (Xg.shape[0] / X.shape[0]) * np.atleast_2d(np.cov(Xg, rowvar=False, bias=True))
    return cov


def within_scatter_by_transpose(X, y, n_classes):
    """The within-class scatter as `_class_cov` writes it, without the priors: `Xc.T @ Xc`,
    `np.dot(Xc.T, Xc)` and `np.cov(Xg.T)` of each class's rows."""
    S = np.zeros((X.shape[1], X.shape[1]))
    for k in range(n_classes):
        Xg = X[y == k]
        Xc = Xg - Xg.mean(axis=0)
        S += Xc.T @ Xc + np.dot(Xc.T, Xc) + np.cov(Xg.T) + np.cov(Xg, rowvar=False, bias=True)
    return S


def nearest_centroid_nan(X, y, n_classes):
    """Class centroids of data with missing values: `np.nanmean` of each class's rows."""
    centroids = np.empty((n_classes, X.shape[1]))
    for k in range(n_classes):
        centroids[k] = np.nanmean(X[y == k], axis=0)
    return centroids


def nearest_centroid_median(X, y, n_classes):
    """NearestCentroid(metric='manhattan'): the median of each class's rows."""
    centroids = np.empty((n_classes, X.shape[1]))
    for k in range(n_classes):
        centroids[k] = np.median(X[y == k], axis=0)
    return centroids


_TRANSPOSED_SELECTION = ("the class prior `Xg.shape[0] / X.shape[0]` needs the selection's "
                         "length as a Python int (refused); `Xg.T @ Xc` and `np.cov(Xg, "
                         "rowvar=False)` themselves trace since stop 27")

SELECTIONS = {
    "lda_within_scatter": _Xfail(_TRANSPOSED_SELECTION, lda_within_scatter, {"n_classes": 3},
                                 lambda s, n: _blobs(s, n)),
    "lda_within_scatter_einsum": (lda_within_scatter_einsum, {"n_classes": 3},
                                  lambda s, n: _blobs(s, n)),
    "class_cov": _Xfail(_TRANSPOSED_SELECTION, class_cov, {"n_classes": 3},
                        lambda s, n: _blobs(s, n)),
    "within_scatter_by_transpose": (within_scatter_by_transpose, {"n_classes": 3},
                                    lambda s, n: _blobs(s, n)),
    "nearest_centroid_nan": (nearest_centroid_nan, {"n_classes": 3}, lambda s, n: (
        np.column_stack([_blobs(s, n)[0], _with_nans(s, n + 6)]), _blobs(s, n)[1])),
    "nearest_centroid_median": (nearest_centroid_median, {"n_classes": 3},
                                lambda s, n: _blobs(s, n)),
}


@pytest.mark.parametrize("name", _names(SELECTIONS))
def test_per_class_selections_match_numpy(name):
    check_like_numpy(*SELECTIONS[name])


def robust_scale_of_outliers(x, threshold=10.0):
    """An interquartile range of the values beyond a threshold (none here)."""
    return np.percentile(x[np.abs(x) > threshold], [25, 75])


def test_percentile_of_an_empty_selection_raises_like_numpy():
    """It returned NaN until stop 27; with outliers present, NumPy's values."""
    x = _f(8, seed=1)
    with pytest.raises(IndexError):
        robust_scale_of_outliers(x)
    with pytest.raises(IndexError):
        tracenp.jit(robust_scale_of_outliers)(x)
    np.testing.assert_allclose(tracenp.jit(robust_scale_of_outliers)(x * 30),
                               robust_scale_of_outliers(x * 30))


# ------------------------------------------------------------------ refused forms


def incremental_mean_var_branch(X):
    """`_incremental_mean_and_var`'s `if np.any(X_nan_mask)` choice of `np.nansum`."""
    return _incremental_mean_and_var(X, np.zeros(3), np.zeros(3), np.zeros(3))


def log_logistic_loops(X):
    """The per-element `if X[i, j] > 0` of the Cython helper, written in Python."""
    return _log_logistic_sigmoid(X.shape[0], X.shape[1], X, np.empty_like(X))


def label_binarize_unseen(y):
    return label_binarize(y, np.array([4, 0, 2, 1]))


def huber_loss_at(X, y):
    return huber_loss_and_gradient(np.r_[0.5, -0.2, 0.1, 0.1, 1.0], X, y, 1.35, 1e-3)


def roc_curve_thresholds(y_true, y_score):
    return roc_curve_all(y_true, y_score)


def auc_of_roc(y_true, y_score):
    fpr, tpr, _ = roc_curve_all(y_true, y_score)
    return auc(fpr, tpr)


def coverage_error_masked(y_true, y_score):
    return coverage_error(y_true, y_score)


def weighted_mode_unique(a, w):
    return weighted_mode(a, w)


def davies_bouldin_selections(X, labels):
    return davies_bouldin(X, labels, 3)


def systematic_resample_loop(weights, u0):
    return systematic_resample(weights, u0)


def segment_axis_strided(a):
    return segment_axis(a, 4, 2)


def segment_axis_padded(a):
    return segment_axis(a, 4, 1, end="pad")


def check_array_finite(X):
    """`check_array`'s validation: raise on non-finite input, copy when memory is shared."""
    X_orig = X
    X = np.asarray(X)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if not np.isfinite(X).all():
        raise ValueError("Input contains NaN or infinity")
    if np.may_share_memory(X, X_orig):
        X = np.array(X, copy=True)
    X -= X.mean(axis=0)
    return X


def _ramp(v, threshold=0.5):
    if v > threshold:
        return threshold
    return v * v


def vectorized_branch(x):
    """The Cookbook's `np.vectorize` of a scalar function that branches on its argument."""
    return np.vectorize(_ramp)(x)


def lasso_cd_skipping_zeros(X, y):
    return lasso_coordinate_descent(X, y, 0.1, max_iter=3)




def mlp_forward_none_argument(X, coefs, intercepts, activations):
    return mlp_forward(X, coefs, intercepts, activations)


REFUSED = {
    "incremental_mean_var_branch": (tracenp.ConcretizationError, incremental_mean_var_branch,
                                    lambda s: (_nan_block(s, 5),)),
    "log_logistic_loops": (tracenp.ConcretizationError, log_logistic_loops, lambda s: (
        _f(4, 3, seed=s),)),
    "fast_logdet": (tracenp.ConcretizationError, fast_logdet, lambda s: (_spd(s, 4),)),
    "huber_loss_outlier_selections": (tracenp.errors.DataDependentShapeError, huber_loss_at,
                                      lambda s: (_f(10, 3, seed=s), _f(10, seed=s + 1) * 2)),
    "roc_curve_distinct_thresholds": (tracenp.errors.DataDependentShapeError, roc_curve_thresholds,
                                      lambda s: (_binary(s, 4), np.round(_f(12, seed=s), 1))),
    "auc_direction_check": (tracenp.errors.TracingError, auc_of_roc, lambda s: (
        _binary(s, 4), _f(12, seed=s))),
    "weighted_mode_unique": (tracenp.errors.TracingError, weighted_mode_unique, lambda s: (
        _i(3, 6, 4, seed=s).astype(float), _u(s, 6, 4))),
    "systematic_resample_while": (tracenp.ConcretizationError, systematic_resample_loop,
                                  lambda s: (_weights(s, 4), _u(s, 1)[0])),
    "check_array_finite": (tracenp.ConcretizationError, check_array_finite, lambda s: (
        _f(6, 3, seed=s),)),
    "vectorize_of_a_branch": (tracenp.ConcretizationError, vectorized_branch, lambda s: (
        _f(7, seed=s),)),
    "lasso_cd_skipping_zeros": (tracenp.ConcretizationError, lasso_cd_skipping_zeros,
                                lambda s: _ridge_data(s, 4)),
    "ledoit_wolf_min_and_if": (tracenp.ConcretizationError, ledoit_wolf_shrinkage, lambda s: (
        _f(7, 3, seed=s),)),
    "oas_zero_denominator_if": (tracenp.ConcretizationError, oas, lambda s: (_f(7, 3, seed=s),)),
    "yule_walker_isnan_if": (tracenp.ConcretizationError, yule_walker, lambda s: (
        _series(s, 2),)),
    "mlp_forward_none_argument": (tracenp.errors.TracingError, mlp_forward_none_argument,
                                  lambda s: (*_mlp(s, 4)[:1], *_mlp(s, 4)[2:], [None] * 3)),
    "segment_axis_ndarray_buffer": (tracenp.errors.TracingError, segment_axis_strided, lambda s: (
        _f(13, seed=s),)),
    "segment_axis_padded": (tracenp.errors.TracingError, segment_axis_padded, lambda s: (
        _f(13, seed=s),)),
}


# refused until they traced (stop 38): NumPy's values now
TRACED_NOW = {
    "label_binarize_unseen": (label_binarize_unseen, {}, lambda s, n: (_i(5, 8, seed=s),)),
    "davies_bouldin_selections": (davies_bouldin_selections, {}, lambda s, n: _blobs(s, 4)),
}


@pytest.mark.parametrize("name", list(TRACED_NOW))
def test_forms_once_refused_now_trace(name):
    """Forms refused until tracenp traced them: NumPy's values now."""
    check_like_numpy(*TRACED_NOW[name])


@pytest.mark.parametrize("name", list(REFUSED))
def test_value_dependent_forms_are_refused_and_fall_back(name):
    error, fn, make_args = REFUSED[name]
    check_refused(error, fn, make_args)


STEERED = {
    "smooth_positional": (smooth, lambda s: (_noisy(s, 2), 5 + 2 * (s % 2),
                                             "hanning" if s == 1 else "flat")),
    "savitzky_golay_positional": (savitzky_golay, lambda s: (_noisy(s, 2), 5 + 2 * s, 2, 1)),
    "rebin_star_args": (rebin, lambda s: (_f(4, 6, seed=s), 2, 3 if s == 1 else 2)),
    "lagmat_positional": (lagmat, lambda s: (_f(9, seed=s), s + 1, "both")),
    "holt_winters_period": (holt_winters_additive, lambda s: (
        _seasonal(s, 2), 0.4, 0.1, 0.3, 4 if s == 1 else 2, 3)),
    "polynomial_degree": (polynomial_features, lambda s: (_f(5, 3, seed=s), s + 1, s == 2)),
    "blur_kernel_sizes": (blur_image, lambda s: (_f(9, 9, seed=s), s, s + 1)),
    "kfold_cv_splits": (kfold_cv_scores, lambda s: (
        *_ridge_data(s, 5), np.random.default_rng(s).permutation(11), 2 + s, 0.5 * s)),
    "lasso_iterations": (lasso_cd_vectorized, lambda s: (*_ridge_data(s, 4), 0.1, 3 + s)),
    "one_hot_category_list": (one_hot_encoder, lambda s: (
        np.column_stack([_i(3, 5, seed=s), _i(2, 5, seed=s)]), [np.arange(3), np.arange(2 + s)])),
    "pca_components_and_whiten": (pca_fit_transform, lambda s: (_f(8, 4, seed=s), 1 + s, s == 2)),
    "arma_coefficient_lists": (arma_generate_given, lambda s: (
        [1.0, -0.5 * s, 0.2], [1.0, 0.4], _f(8, seed=s))),
}


@pytest.mark.parametrize("name", list(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    check_steered(*STEERED[name])
