"""Corpus, hunt I: data-science notebooks, analytics scripts and puzzle/teaching code.

Analytics: group-by without pandas (`np.unique(..., return_inverse=True)` and
`np.bincount(weights=)`, `np.add.at`/`np.maximum.at`), pivot tables and cross-tabs by `np.add.at`
on 2-D, `np.histogram2d`, binning by `np.digitize`/`np.searchsorted`, outlier removal by z-score
and IQR masks, imputation, scaling, one-hot by `np.eye(k)[labels]`, train/test splits and
k-fold indices from a `Generator`, confusion matrices, precision/recall/F1, ROC curves and AUC
with ties, log loss, bootstrap intervals, permutation tests, t statistics and Welch's test,
Pearson/Spearman with tie-averaged ranks, correlation matrices with NaNs, ECDFs, moving averages
by `np.convolve`, cohort/retention matrices, weighted averages, percentiles along axes.
Puzzles and teaching: Game of Life by `np.roll` and by padded slicing, elementary automata with
bit operations, Mandelbrot/Julia with escape masks, prime sieves, Pascal's triangle, Fibonacci by
`np.linalg.matrix_power`, magic-square and sudoku checks, spirals and rotations, checkerboards,
grid puzzles (neighbour counts, flood fill with fixed passes, DP path costs), integer overflow in
int32/uint8 counters, random walks, Monte Carlo pi, Buffon's needle, birthday paradox, dice.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Forms that cannot be traced raise a named error and run
eagerly under `fallback=True`.
"""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_ops import assert_same

# ------------------------------------------------------------------------------------ group-by


def groupby_mean_bincount(keys, values):
    uniq, inv = np.unique(keys, return_inverse=True)
    sums = np.bincount(inv, weights=values, minlength=len(uniq))
    counts = np.bincount(inv, minlength=len(uniq))
    return sums / counts


def groupby_sum_known_k(labels, x, k=4):
    return np.bincount(labels, weights=x, minlength=k)


def groupby_mean_known_k(labels, x, k=4):
    sums = np.bincount(labels, weights=x, minlength=k)
    counts = np.bincount(labels, minlength=k)
    with np.errstate(invalid="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def groupby_add_at(labels, x, n_groups=4):
    out = np.zeros(n_groups)
    np.add.at(out, labels, x)
    return out


def groupby_max_at(labels, x, n_groups=4):
    out = np.full(n_groups, -np.inf)
    np.maximum.at(out, labels, x)
    return out


def groupby_min_at_int(labels, x, n_groups=4):
    out = np.full(n_groups, np.iinfo(np.int64).max)
    np.minimum.at(out, labels, x)
    return out


def groupby_2d_columns(labels, X, k=3):
    out = np.zeros((k, X.shape[1]))
    np.add.at(out, labels, X)
    counts = np.bincount(labels, minlength=k)[:, None]
    return out / np.maximum(counts, 1)


def groupby_loop_mask(labels, x, k=3):
    means = []
    for g in range(k):
        m = labels == g
        means.append(x[m].mean())
    return np.array(means)


def groupby_dict(labels, x, k=3):
    stats = {}
    for g in range(k):
        sel = x[labels == g]
        stats[g] = {"n": np.count_nonzero(labels == g), "sum": sel.sum(), "max": np.max(sel, initial=-np.inf)}
    return stats


def group_counts_inverse(keys):
    _, inv, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return counts[inv]


def dense_rank(x):
    _, inv = np.unique(x, return_inverse=True)
    return inv + 1


def pivot_table(rows, cols, vals, n_rows=3, n_cols=4):
    table = np.zeros((n_rows, n_cols))
    np.add.at(table, (rows, cols), vals)
    return table


def crosstab(a, b, na=3, nb=3):
    ct = np.zeros((na, nb), dtype=int)
    np.add.at(ct, (a, b), 1)
    return ct, ct.sum(axis=0), ct.sum(axis=1), ct / ct.sum()


def crosstab_bincount(a, b, na=3, nb=4):
    return np.bincount(a * nb + b, minlength=na * nb).reshape(na, nb)


def pivot_mean(rows, cols, vals, n_rows=3, n_cols=3):
    s = np.zeros((n_rows, n_cols))
    c = np.zeros((n_rows, n_cols))
    np.add.at(s, (rows, cols), vals)
    np.add.at(c, (rows, cols), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return s / c


def histogram2d_counts(x, y, bins=4):
    H, xe, ye = np.histogram2d(x, y, bins=bins, range=[[-3, 3], [-3, 3]])
    return H, xe, ye


def histogram2d_density(x, y):
    H, xe, ye = np.histogram2d(x, y, bins=[3, 5], range=((-3, 3), (-2, 2)), density=True)
    return H


def histogram2d_edges(x, y):
    xe = np.linspace(-2, 2, 5)
    ye = np.array([-3.0, -1.0, 0.0, 0.5, 3.0])
    H, _, _ = np.histogram2d(x, y, bins=(xe, ye))
    return H.T


def digitize_bins(x):
    bins = np.array([-1.0, 0.0, 1.0])
    idx = np.digitize(x, bins)
    return idx, np.bincount(idx, minlength=len(bins) + 1)


def digitize_right(x):
    bins = np.linspace(-2, 2, 5)
    return np.digitize(x, bins, right=True)


def searchsorted_bins(x, edges=(-1.0, 0.0, 1.0)):
    e = np.asarray(edges)
    return np.searchsorted(e, x, side="right")


def age_bucket_labels(ages):
    edges = [18, 30, 45, 65]
    idx = np.digitize(ages, edges)
    names = np.array([0, 1, 2, 3, 4])
    return names[idx]


def binned_means(x, y, nbins=4):
    edges = np.linspace(x.min(), x.max(), nbins + 1)
    idx = np.clip(np.digitize(x, edges) - 1, 0, nbins - 1)
    sums = np.bincount(idx, weights=y, minlength=nbins)
    cnt = np.bincount(idx, minlength=nbins)
    return sums / np.maximum(cnt, 1)


def quantile_bins(x, q=4):
    edges = np.quantile(x, np.linspace(0, 1, q + 1))
    return np.searchsorted(edges[1:-1], x, side="right")


GROUPBY = {
    "groupby_sum_known_k": (groupby_sum_known_k, {}, lambda s, n: (_i(4, n, seed=s), _f(n, seed=s))),
    "groupby_mean_known_k": (groupby_mean_known_k, {}, lambda s, n: (_i(4, n, seed=s), _f(n, seed=s))),
    "groupby_add_at": (groupby_add_at, {}, lambda s, n: (_i(4, n, seed=s), _f(n, seed=s))),
    "groupby_max_at": (groupby_max_at, {}, lambda s, n: (_i(4, n, seed=s), _f(n, seed=s))),
    "groupby_min_at_int": (groupby_min_at_int, {}, lambda s, n: (_i(4, n, seed=s), _i(100, n, seed=s + 1))),
    "groupby_2d_columns": (groupby_2d_columns, {}, lambda s, n: (_i(3, n, seed=s), _f(n, 2, seed=s))),
    "groupby_loop_mask": (groupby_loop_mask, {}, lambda s, n: (np.arange(n) % 3, _f(n, seed=s))),
    "groupby_dict": (groupby_dict, {}, lambda s, n: (_i(3, n, seed=s), _f(n, seed=s))),
    "group_counts_inverse": (group_counts_inverse, {}, lambda s, n: (_i(3, n, seed=s),)),
    "dense_rank": (dense_rank, {}, lambda s, n: (_i(5, n, seed=s),)),
    "pivot_table": (pivot_table, {}, lambda s, n: (_i(3, n, seed=s), _i(4, n, seed=s + 1), _f(n, seed=s))),
    "crosstab": (crosstab, {}, lambda s, n: (_i(3, n, seed=s), _i(3, n, seed=s + 1))),
    "crosstab_bincount": (crosstab_bincount, {}, lambda s, n: (_i(3, n, seed=s), _i(4, n, seed=s + 1))),
    "pivot_mean": (pivot_mean, {}, lambda s, n: (_i(3, n, seed=s), _i(3, n, seed=s + 1), _f(n, seed=s))),
    "histogram2d_counts": (histogram2d_counts, {}, lambda s, n: (_f(n * 3, seed=s), _f(n * 3, seed=s + 1))),
    "histogram2d_density": (histogram2d_density, {}, lambda s, n: (_f(n * 3, seed=s), _f(n * 3, seed=s + 1))),
    "histogram2d_edges": (histogram2d_edges, {}, lambda s, n: (_f(n * 3, seed=s), _f(n * 3, seed=s + 1))),
    "digitize_bins": (digitize_bins, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "digitize_right": (digitize_right, {}, lambda s, n: (np.round(_f(n * 2, seed=s)),)),
    "searchsorted_bins": (searchsorted_bins, {}, lambda s, n: (np.round(_f(n * 2, seed=s)),)),
    "age_bucket_labels": (age_bucket_labels, {}, lambda s, n: (_i(90, n, seed=s),)),
    "binned_means": (binned_means, {}, lambda s, n: (_f(n * 2, seed=s), _f(n * 2, seed=s + 1))),
    "quantile_bins": (quantile_bins, {}, lambda s, n: (_f(n * 2, seed=s),)),
}


@pytest.mark.parametrize("name", list(GROUPBY))
def test_groupby_and_binning_match_numpy(name):
    check_like_numpy(*GROUPBY[name])



def groupby_transform_mean(g, v, k=3):
    means = np.bincount(g, weights=v, minlength=k) / np.bincount(g, minlength=k)
    return means[g], v - means[g]


def groupby_std(g, v, k=3):
    n = np.bincount(g, minlength=k)
    s = np.bincount(g, v, k)
    ss = np.bincount(g, v * v, k)
    return np.sqrt(ss / n - (s / n) ** 2)


def groupby_first_last(g, v, k=3):
    first = np.full(k, len(g))
    last = np.full(k, -1)
    np.minimum.at(first, g, np.arange(len(g)))
    np.maximum.at(last, g, np.arange(len(g)))
    return v[first], v[last]


def cumcount(g):
    order = np.argsort(g, kind="stable")
    s = g[order]
    pos = np.arange(len(g))
    starts = np.maximum.accumulate(np.where(np.r_[True, s[1:] != s[:-1]], pos, 0))
    out = np.empty_like(pos)
    out[order] = pos - starts
    return out


def shift_within_group(g_sorted, v):
    same = np.r_[False, g_sorted[1:] == g_sorted[:-1]]
    return np.where(same, np.r_[np.nan, v[:-1]], np.nan)


def value_share(keys):
    _, inv, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return counts[inv] / len(keys), np.unique(keys, return_counts=True)[1].max()


def weighted_heatmap(x, y, w):
    H, xe, ye = np.histogram2d(x, y, bins=(3, 2), weights=w, density=True)
    return H, np.histogramdd(np.c_[x, y, w], bins=(2, 3, 2))[0]


GROUPBY_MORE = {
    "groupby_transform_mean": (groupby_transform_mean, {}, lambda s, n: (np.r_[0, 1, 2, _i(3, 3 * n, seed=s)], _f(3 * n + 3, seed=s))),
    "groupby_std": (groupby_std, {}, lambda s, n: (np.r_[0, 1, 2, _i(3, 3 * n, seed=s)], _f(3 * n + 3, seed=s))),
    "groupby_first_last": (groupby_first_last, {}, lambda s, n: (np.r_[0, 1, 2, _i(3, 3 * n, seed=s)], _f(3 * n + 3, seed=s))),
    "cumcount": (cumcount, {}, lambda s, n: (_i(3, 3 * n, seed=s),)),
    "shift_within_group": (shift_within_group, {}, lambda s, n: (np.sort(_i(3, 3 * n, seed=s)), _f(3 * n, seed=s))),
    "value_share": (value_share, {}, lambda s, n: (_i(4, 3 * n, seed=s),)),
    "weighted_heatmap": (weighted_heatmap, {}, lambda s, n: (_f(5 * n, seed=s), _f(5 * n, seed=s + 1), _f(5 * n, positive=True, seed=s + 2))),
}


@pytest.mark.parametrize("name", list(GROUPBY_MORE))
def test_groupby_transforms_match_numpy(name):
    check_like_numpy(*GROUPBY_MORE[name])

# ---------------------------------------------------------------------- cleaning and scaling


def zscore_outlier_mask(x, thresh=2.0):
    z = (x - x.mean()) / x.std()
    keep = np.abs(z) < thresh
    return x[keep].mean(), np.count_nonzero(~keep)


def iqr_filter_stats(x, k=1.5):
    q1, q3 = np.percentile(x, [25, 75])
    iqr = q3 - q1
    mask = (x >= q1 - k * iqr) & (x <= q3 + k * iqr)
    return x[mask].mean(), x[mask].std(), mask.sum()


def winsorize(x, lower=5, upper=95):
    lo, hi = np.percentile(x, [lower, upper])
    return np.clip(x, lo, hi)


def iqr_outliers_2d(X):
    q1 = np.percentile(X, 25, axis=0)
    q3 = np.percentile(X, 75, axis=0)
    iqr = q3 - q1
    out = (X < q1 - 1.5 * iqr) | (X > q3 + 1.5 * iqr)
    return out.any(axis=1), out.sum(axis=0)


def impute_column_mean(X):
    col_mean = np.nanmean(X, axis=0)
    return np.where(np.isnan(X), col_mean, X)


def impute_inplace(X):
    inds = np.where(np.isnan(X))
    X[inds] = np.take(np.nanmean(X, axis=0), inds[1])
    return X


def impute_mask_assign(X, fill=0.0):
    X = X.copy()
    X[np.isnan(X)] = fill
    return X


def impute_median_loop(X):
    X = X.copy()
    for j in range(X.shape[1]):
        col = X[:, j]
        col[np.isnan(col)] = np.nanmedian(col)
    return X


def forward_fill(x):
    mask = np.isnan(x)
    idx = np.where(~mask, np.arange(len(x)), 0)
    np.maximum.accumulate(idx, out=idx)
    return x[idx]


def nan_stats(X):
    return {
        "mean": np.nanmean(X, axis=0),
        "std": np.nanstd(X, axis=0, ddof=1),
        "min": np.nanmin(X, axis=0),
        "max": np.nanmax(X, axis=0),
        "missing": np.isnan(X).sum(axis=0),
        "frac_missing": np.isnan(X).mean(),
    }


def standardize(X, with_mean=True, with_std=True):
    mu = X.mean(axis=0) if with_mean else 0.0
    sd = X.std(axis=0, ddof=0) if with_std else 1.0
    sd = np.where(sd == 0, 1.0, sd)
    return (X - mu) / sd


def minmax_scale(X, feature_range=(0, 1)):
    lo, hi = feature_range
    X_std = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))
    return X_std * (hi - lo) + lo


def robust_scale(X):
    med = np.median(X, axis=0)
    q75, q25 = np.percentile(X, [75, 25], axis=0)
    return (X - med) / (q75 - q25)


def l2_normalize(X, eps=1e-12):
    norms = np.sqrt((X * X).sum(axis=1, keepdims=True))
    return X / np.maximum(norms, eps)


def log1p_scale_float32(x):
    return np.log1p(np.abs(x)).astype(np.float32) * np.sign(x)


def one_hot_eye(labels, k=4):
    return np.eye(k)[labels]


def one_hot_int(labels, k=3):
    oh = np.zeros((labels.size, k), dtype=np.int8)
    oh[np.arange(labels.size), labels] = 1
    return oh


def one_hot_eye_dtype(labels, k=3):
    return np.eye(k, dtype=np.float32)[labels].sum(axis=0)


def label_decode(onehot):
    return np.argmax(onehot, axis=1)


def categorical_codes(col):
    cats = np.array([3, 7, 11])
    return np.searchsorted(cats, col)


def bool_features(X, thresh=0.0):
    B = X > thresh
    return B.astype(np.uint8), B.sum(axis=1), np.packbits(B, axis=1)


def clip_and_round(x, decimals=2):
    return np.round(np.clip(x, -1, 1), decimals=decimals)


CLEANING = {
    "zscore_outlier_mask": (zscore_outlier_mask, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "iqr_filter_stats": (iqr_filter_stats, {}, lambda s, n: (np.r_[_f(n * 3, seed=s), 9.0],)),
    "winsorize": (winsorize, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "iqr_outliers_2d": (iqr_outliers_2d, {}, lambda s, n: (_f(n * 3, 2, seed=s) ** 3,)),
    "impute_column_mean": (impute_column_mean, {}, lambda s, n: (_nans(n, 3, seed=s),)),
    "impute_inplace": (impute_inplace, {}, lambda s, n: (_nans(n, 3, seed=s),)),
    "impute_mask_assign": (impute_mask_assign, {}, lambda s, n: (_nans(n, 3, seed=s),)),
    "impute_median_loop": (impute_median_loop, {}, lambda s, n: (_nans(n, 3, seed=s),)),
    "forward_fill": (forward_fill, {}, lambda s, n: (np.r_[1.0, _nans(n * 2, seed=s)],)),
    "nan_stats": (nan_stats, {}, lambda s, n: (_nans(n, 3, seed=s),)),
    "standardize": (standardize, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "minmax_scale": (minmax_scale, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "robust_scale": (robust_scale, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "l2_normalize": (l2_normalize, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "log1p_scale_float32": (log1p_scale_float32, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "one_hot_eye": (one_hot_eye, {}, lambda s, n: (_i(4, n, seed=s),)),
    "one_hot_int": (one_hot_int, {}, lambda s, n: (_i(3, n, seed=s),)),
    "one_hot_eye_dtype": (one_hot_eye_dtype, {}, lambda s, n: (_i(3, n, seed=s),)),
    "label_decode": (label_decode, {}, lambda s, n: (np.eye(3)[_i(3, n, seed=s)],)),
    "categorical_codes": (categorical_codes, {}, lambda s, n: (np.array([3, 7, 11])[_i(3, n, seed=s)],)),
    "bool_features": (bool_features, {}, lambda s, n: (_f(n, 10, seed=s),)),
    "clip_and_round": (clip_and_round, {}, lambda s, n: (_f(n, seed=s),)),
}


def _nans(*shape, seed=0, frac=0.25):
    x = _f(*shape, seed=seed)
    x[np.random.default_rng(seed + 100).random(shape) < frac] = np.nan
    return x


@pytest.mark.parametrize("name", list(CLEANING))
def test_cleaning_and_scaling_match_numpy(name):
    check_like_numpy(*CLEANING[name])


# ------------------------------------------------------------------------ splits and resampling


def train_test_split_idx(rng, X, y, test_size=0.25):
    n = X.shape[0]
    idx = rng.permutation(n)
    n_test = int(n * test_size)
    test, train = idx[:n_test], idx[n_test:]
    return X[train], X[test], y[train], y[test]


def train_test_split_seeded(X, y, seed=42, frac=0.8):
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(X))
    cut = int(frac * len(X))
    return X[perm[:cut]], y[perm[:cut]], X[perm[cut:]], y[perm[cut:]]


def kfold_indices(rng, n_samples, k=3):
    idx = np.arange(n_samples)
    rng.shuffle(idx)
    folds = np.array_split(idx, k)
    out = []
    for i in range(k):
        test = folds[i]
        train = np.concatenate([folds[j] for j in range(k) if j != i])
        out.append((train, test))
    return out


def kfold_scores(rng, X, y, k=4):
    n = len(y)
    perm = rng.permutation(n)
    scores = np.zeros(k)
    for i in range(k):
        test = perm[i::k]
        train_mean = np.delete(y[perm], np.s_[i::k]).mean()
        scores[i] = np.mean((y[test] - train_mean) ** 2)
    return scores


def bootstrap_ci(rng, x, n_boot=50, alpha=0.05):
    n = len(x)
    idx = rng.integers(0, n, size=(n_boot, n))
    means = x[idx].mean(axis=1)
    lo, hi = np.percentile(means, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return means.mean(), lo, hi


def bootstrap_loop(rng, x, B=20):
    stats = np.empty(B)
    for b in range(B):
        sample = rng.choice(x, size=len(x), replace=True)
        stats[b] = np.median(sample)
    return stats.std(ddof=1), np.quantile(stats, [0.025, 0.975])


def permutation_test(rng, a, b, n_perm=30):
    observed = a.mean() - b.mean()
    pooled = np.concatenate([a, b])
    count = 0
    for _ in range(n_perm):
        rng.shuffle(pooled)
        diff = pooled[: len(a)].mean() - pooled[len(a):].mean()
        count += abs(diff) >= abs(observed)
    return observed, (count + 1) / (n_perm + 1)


def permutation_test_vectorized(rng, a, b, n_perm=40):
    pooled = np.concatenate([a, b])
    perms = np.array([rng.permutation(pooled) for _ in range(n_perm)])
    diffs = perms[:, : len(a)].mean(axis=1) - perms[:, len(a):].mean(axis=1)
    obs = a.mean() - b.mean()
    return np.mean(np.abs(diffs) >= np.abs(obs))


def stratified_split(rng, y, k=2, frac=0.5):
    test_mask = np.zeros(len(y), dtype=bool)
    for c in range(k):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        test_mask[idx[: int(len(idx) * frac)]] = True
    return test_mask


def minibatches(rng, X, batch_size=4):
    perm = rng.permutation(X.shape[0])
    return [X[perm[i:i + batch_size]].mean(axis=0) for i in range(0, X.shape[0], batch_size)]


def sample_without_replacement(rng, x, k=3):
    return rng.choice(x, size=k, replace=False), rng.choice(len(x), k, replace=False)


def weighted_sample(rng, x, n=10):
    p = np.abs(x) / np.abs(x).sum()
    return rng.choice(len(x), size=n, p=p)


def ab_tests_bootstrap(rng, a, b, n_boot=30):
    ia = rng.integers(0, a.size, (n_boot, a.size))
    ib = rng.integers(0, b.size, (n_boot, b.size))
    diffs = b[ib].mean(axis=1) - a[ia].mean(axis=1)
    return np.percentile(diffs, [2.5, 97.5]), (diffs > 0).mean()


SPLITS = [
    (ab_tests_bootstrap, lambda s, n: (_f(2 * n, seed=s), _f(2 * n + 1, seed=s + 1) + 0.3)),
    (train_test_split_idx, lambda s, n: (_f(n * 2, 2, seed=s), _i(2, n * 2, seed=s))),
    (kfold_scores, lambda s, n: (_f(n * 2, 2, seed=s), _f(n * 2, seed=s))),
    (bootstrap_ci, lambda s, n: (_f(n * 2, seed=s),)),
    (bootstrap_loop, lambda s, n: (_f(n * 2, seed=s),)),
    (permutation_test, lambda s, n: (_f(n, seed=s), _f(n + 1, seed=s + 1) + 0.5)),
    # groups large enough that no permutation draws the observed split again (a tie that
    # sums in another order break either way)
    (permutation_test_vectorized, lambda s, n: (_f(n + 4, seed=s), _f(n + 5, seed=s + 1) + 0.5)),
    (minibatches, lambda s, n: (_f(n * 2, 3, seed=s),)),
    (sample_without_replacement, lambda s, n: (_f(n * 2, seed=s),)),
    (weighted_sample, lambda s, n: (_f(n * 2, seed=s),)),
]


@pytest.mark.parametrize("fn, make", SPLITS, ids=[f.__name__ for f, _ in SPLITS])
def test_splits_and_resampling_with_a_generator_argument(fn, make):
    """Splits, folds, bootstraps and permutation tests draw from the generator they are given:
    NumPy's draws and values over three calls, and the generator left in NumPy's state."""
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn)
    for seed, size in ((1, 4), (2, 4), (3, 6)):
        args = make(seed, size)
        assert_same(jf(got_rng, *args), fn(want_rng, *args))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


def test_seeded_split_inside():
    """`np.random.default_rng(seed)` inside the function with a default seed."""
    check_like_numpy(train_test_split_seeded, {}, lambda s, n: (_f(n * 2, 2, seed=s), _f(n * 2, seed=s)))


# ------------------------------------------------------------------------------------- metrics


def confusion_matrix_add_at(y_true, y_pred, n_classes=3):
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def confusion_matrix_loop(y_true, y_pred, k=3):
    cm = np.zeros((k, k), dtype=int)
    for t, p in zip(y_true, y_pred):
        cm[t, p] += 1
    return cm


def confusion_matrix_bincount(y_true, y_pred, k=3):
    return np.bincount(k * y_true + y_pred, minlength=k * k).reshape(k, k)


def precision_recall_f1(y_true, y_pred, k=3):
    cm = np.zeros((k, k))
    np.add.at(cm, (y_true, y_pred), 1)
    tp = np.diag(cm)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = tp / cm.sum(axis=0)
        recall = tp / cm.sum(axis=1)
        f1 = 2 * precision * recall / (precision + recall)
    precision = np.nan_to_num(precision)
    recall = np.nan_to_num(recall)
    f1 = np.nan_to_num(f1)
    return {"precision": precision, "recall": recall, "f1": f1,
            "macro_f1": f1.mean(), "accuracy": tp.sum() / cm.sum()}


def binary_metrics(y_true, scores, threshold=0.5):
    y_pred = (scores >= threshold).astype(int)
    tp = np.sum((y_pred == 1) & (y_true == 1))
    fp = np.sum((y_pred == 1) & (y_true == 0))
    fn = np.sum((y_pred == 0) & (y_true == 1))
    tn = np.sum((y_pred == 0) & (y_true == 0))
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    specificity = tn / (tn + fp)
    mcc = (tp * tn - fp * fn) / np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn) + 1e-12)
    return precision, recall, specificity, mcc


def roc_curve_ties(y_true, scores):
    order = np.argsort(scores, kind="mergesort")[::-1]
    s = scores[order]
    y = y_true[order]
    distinct = np.where(np.diff(s))[0]
    thr_idx = np.r_[distinct, y.size - 1]
    tps = np.cumsum(y)[thr_idx]
    fps = 1 + thr_idx - tps
    tpr = np.r_[0, tps] / tps[-1]
    fpr = np.r_[0, fps] / fps[-1]
    return np.trapezoid(tpr, fpr)


def roc_auc_dense(y_true, scores):
    order = np.argsort(-scores, kind="stable")
    y = y_true[order]
    tps = np.cumsum(y)
    fps = np.cumsum(1 - y)
    tpr = np.concatenate([[0], tps / tps[-1]])
    fpr = np.concatenate([[0], fps / fps[-1]])
    return np.trapezoid(tpr, fpr), np.interp(0.1, fpr, tpr)


def auc_mann_whitney(y_true, scores):
    pos = scores[y_true == 1]
    neg = scores[y_true == 0]
    return (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()


def auc_rank(y_true, scores):
    ranks = scores.argsort().argsort() + 1
    n_pos = y_true.sum()
    n_neg = len(y_true) - n_pos
    return (ranks[y_true == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def log_loss(y_true, p, eps=1e-15):
    p = np.clip(p, eps, 1 - eps)
    return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))


def multiclass_log_loss(labels, probs, eps=1e-15):
    probs = np.clip(probs, eps, 1 - eps)
    probs /= probs.sum(axis=1)[:, np.newaxis]
    return -np.log(probs[np.arange(len(labels)), labels]).mean()


def brier_and_calibration(y, p, n_bins=4):
    brier = np.mean((p - y) ** 2)
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
    cnt = np.bincount(bins, minlength=n_bins)
    mean_p = np.bincount(bins, weights=p, minlength=n_bins) / np.maximum(cnt, 1)
    frac_pos = np.bincount(bins, weights=y, minlength=n_bins) / np.maximum(cnt, 1)
    ece = np.sum(cnt / len(p) * np.abs(mean_p - frac_pos))
    return brier, ece


def regression_metrics(y, yhat):
    err = y - yhat
    mse = np.mean(err ** 2)
    return {"mae": np.mean(np.abs(err)), "mse": mse, "rmse": np.sqrt(mse),
            "r2": 1 - np.sum(err ** 2) / np.sum((y - y.mean()) ** 2),
            "mape": np.mean(np.abs(err / y)) * 100}


def top_k_accuracy(labels, scores, k=2):
    topk = np.argsort(scores, axis=1)[:, -k:]
    return np.mean(np.any(topk == labels[:, None], axis=1))


def accuracy_int(y, yhat):
    return (y == yhat).sum() / len(y), np.mean(y == yhat), (y != yhat).sum()


METRICS = {
    "confusion_matrix_add_at": (confusion_matrix_add_at, {}, lambda s, n: (_i(3, n * 2, seed=s), _i(3, n * 2, seed=s + 1))),
    "confusion_matrix_loop": (confusion_matrix_loop, {}, lambda s, n: (_i(3, n * 2, seed=s), _i(3, n * 2, seed=s + 1))),
    "confusion_matrix_bincount": (confusion_matrix_bincount, {}, lambda s, n: (_i(3, n * 2, seed=s), _i(3, n * 2, seed=s + 1))),
    "precision_recall_f1": (precision_recall_f1, {}, lambda s, n: (_i(3, n * 2, seed=s), _i(3, n * 2, seed=s + 1))),
    "binary_metrics": (binary_metrics, {}, lambda s, n: (np.r_[0, 1, _i(2, n * 2, seed=s)], np.r_[0.2, 0.7, _f(n * 2, seed=s) + 0.5])),
    "roc_auc_dense": (roc_auc_dense, {}, lambda s, n: (np.r_[0, 1, _i(2, n * 2, seed=s)], np.r_[0.2, 0.7, _f(n * 2, seed=s)])),
    "auc_rank": (auc_rank, {}, lambda s, n: (np.r_[0, 1, _i(2, n * 2, seed=s)], np.r_[0.2, 0.7, _f(n * 2, seed=s)])),
    "log_loss": (log_loss, {}, lambda s, n: (_i(2, n * 2, seed=s), np.r_[0.0, 1.0, np.random.default_rng(s).random(n * 2 - 2)])),
    "multiclass_log_loss": (multiclass_log_loss, {}, lambda s, n: (_i(3, n, seed=s), np.random.default_rng(s).random((n, 3)))),
    "brier_and_calibration": (brier_and_calibration, {}, lambda s, n: (_i(2, n * 2, seed=s), np.random.default_rng(s).random(n * 2))),
    "regression_metrics": (regression_metrics, {}, lambda s, n: (_f(n, positive=True, seed=s), _f(n, seed=s + 1))),
    "top_k_accuracy": (top_k_accuracy, {}, lambda s, n: (_i(4, n, seed=s), _f(n, 4, seed=s))),
    "accuracy_int": (accuracy_int, {}, lambda s, n: (_i(3, n, seed=s), _i(3, n, seed=s + 1))),
}


@pytest.mark.parametrize("name", list(METRICS))
def test_classification_and_regression_metrics_match_numpy(name):
    check_like_numpy(*METRICS[name])



def ab_test_ztest(conv_a, conv_b):
    n_a, n_b = conv_a.size, conv_b.size
    p_a, p_b = conv_a.mean(), conv_b.mean()
    p = (conv_a.sum() + conv_b.sum()) / (n_a + n_b)
    se = np.sqrt(p * (1 - p) * (1 / n_a + 1 / n_b))
    z = (p_b - p_a) / se
    lift = (p_b - p_a) / p_a
    return {"z": z, "lift": lift, "ci": (p_b - p_a - 1.96 * se, p_b - p_a + 1.96 * se)}


def label_entropy(labels, k=3):
    p = np.bincount(labels, minlength=k) / len(labels)
    p = p[p > 0]
    return -(p * np.log2(p)).sum()


def gini_impurity(labels, k=3):
    p = np.bincount(labels, minlength=k) / labels.size
    return 1.0 - np.sum(p ** 2)


def mutual_information(a, b, ka=3, kb=3):
    joint = np.zeros((ka, kb))
    np.add.at(joint, (a, b), 1)
    joint /= joint.sum()
    pa = joint.sum(axis=1, keepdims=True)
    pb = joint.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = joint * np.log(joint / (pa * pb))
    return np.nansum(terms)


def cramers_v(a, b, ka=3, kb=3):
    table = np.zeros((ka, kb))
    np.add.at(table, (a, b), 1)
    n = table.sum()
    expected = np.outer(table.sum(1), table.sum(0)) / n
    chi2 = ((table - expected) ** 2 / expected).sum()
    return np.sqrt(chi2 / (n * (min(ka, kb) - 1)))


def chi2_goodness_dice(rolls):
    observed = np.bincount(rolls, minlength=7)[1:]
    expected = np.full(6, len(rolls) / 6)
    return ((observed - expected) ** 2 / expected).sum(), observed


def funnel_conversion(steps):
    reached = np.logical_and.accumulate(steps, axis=1)
    counts = reached.sum(axis=0)
    return counts, counts[1:] / counts[:-1], reached[:, -1].mean()


ABTESTS = {
    "ab_test_ztest": (ab_test_ztest, {}, lambda s, n: (np.r_[1, 0, _i(2, 5 * n, seed=s)], np.r_[1, _i(2, 5 * n + 2, seed=s + 1)])),
    "label_entropy": (label_entropy, {}, lambda s, n: (_i(3, 3 * n, seed=s),)),
    "gini_impurity": (gini_impurity, {}, lambda s, n: (_i(3, 3 * n, seed=s),)),
    "mutual_information": (mutual_information, {}, lambda s, n: (_i(3, 4 * n, seed=s), _i(3, 4 * n, seed=s + 1))),
    "cramers_v": (cramers_v, {}, lambda s, n: (np.r_[0, 1, 2, _i(3, 4 * n, seed=s)], np.r_[0, 1, 2, _i(3, 4 * n, seed=s + 1)])),
    "chi2_goodness_dice": (chi2_goodness_dice, {}, lambda s, n: (_i(6, 6 * n, seed=s) + 1,)),
    "funnel_conversion": (funnel_conversion, {}, lambda s, n: (np.c_[np.ones(3 * n, bool), _i(4, 3 * n, 3, seed=s) > 0],)),
}


@pytest.mark.parametrize("name", list(ABTESTS))
def test_ab_tests_and_information_measures_match_numpy(name):
    check_like_numpy(*ABTESTS[name])

# ---------------------------------------------------------------------------------- statistics


def one_sample_t(x, mu0=0.0):
    n = len(x)
    return (x.mean() - mu0) / (x.std(ddof=1) / np.sqrt(n))


def welch_t(a, b):
    va, vb = a.var(ddof=1), b.var(ddof=1)
    na, nb = a.size, b.size
    t = (a.mean() - b.mean()) / np.sqrt(va / na + vb / nb)
    dof = (va / na + vb / nb) ** 2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
    return t, dof


def pooled_t(a, b):
    n1, n2 = len(a), len(b)
    sp2 = ((n1 - 1) * np.var(a, ddof=1) + (n2 - 1) * np.var(b, ddof=1)) / (n1 + n2 - 2)
    return (np.mean(a) - np.mean(b)) / np.sqrt(sp2 * (1 / n1 + 1 / n2))


def paired_t(before, after):
    d = after - before
    return d.mean() / (d.std(ddof=1) / np.sqrt(len(d))), np.median(d)


def cohens_d(a, b):
    s = np.sqrt(((len(a) - 1) * a.std(ddof=1) ** 2 + (len(b) - 1) * b.std(ddof=1) ** 2) / (len(a) + len(b) - 2))
    return (a.mean() - b.mean()) / s


def pearson_r(x, y):
    xm, ym = x - x.mean(), y - y.mean()
    return (xm * ym).sum() / np.sqrt((xm ** 2).sum() * (ym ** 2).sum()), np.corrcoef(x, y)[0, 1]


def spearman_argsort(x, y):
    rx = np.argsort(np.argsort(x))
    ry = np.argsort(np.argsort(y))
    n = len(x)
    return 1 - 6 * np.sum((rx - ry) ** 2) / (n * (n ** 2 - 1))


def rank_average_ties(x):
    """Average ranks for ties (scipy.stats.rankdata's 'average')."""
    sorter = np.argsort(x, kind="mergesort")
    inv = np.empty(sorter.size, dtype=np.intp)
    inv[sorter] = np.arange(sorter.size, dtype=np.intp)
    xs = x[sorter]
    obs = np.r_[True, xs[1:] != xs[:-1]]
    dense = obs.cumsum()[inv]
    count = np.r_[np.nonzero(obs)[0], len(obs)]
    return 0.5 * (count[dense] + count[dense - 1] + 1)


def rank_average_ties_broadcast(x):
    less = (x[:, None] > x[None, :]).sum(axis=1)
    equal = (x[:, None] == x[None, :]).sum(axis=1)
    return less + (equal + 1) / 2


def spearman_ties(x, y):
    def ranks(v):
        return (v[:, None] > v[None, :]).sum(1) + ((v[:, None] == v[None, :]).sum(1) + 1) / 2
    return np.corrcoef(ranks(x), ranks(y))[0, 1]


def corr_matrix_nan(X):
    mask = ~np.isnan(X)
    Xz = np.where(mask, X, 0.0)
    n = mask.T.astype(float) @ mask.astype(float)
    s = Xz.T @ mask
    mean_i = s / n
    cov = (Xz.T @ Xz) / n - mean_i * mean_i.T
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)


def corr_matrix_pairwise(X):
    k = X.shape[1]
    C = np.ones((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            ok = ~np.isnan(X[:, i]) & ~np.isnan(X[:, j])
            xi = np.where(ok, X[:, i], 0.0)
            xj = np.where(ok, X[:, j], 0.0)
            m = ok.sum()
            mi, mj = xi.sum() / m, xj.sum() / m
            cov = np.sum(ok * (xi - mi) * (xj - mj))
            C[i, j] = C[j, i] = cov / np.sqrt(np.sum(ok * (xi - mi) ** 2) * np.sum(ok * (xj - mj) ** 2))
    return C


def corrcoef_rowvar(X):
    return np.corrcoef(X, rowvar=False), np.cov(X.T, ddof=0)


def ecdf(x):
    xs = np.sort(x)
    ys = np.arange(1, len(xs) + 1) / len(xs)
    return xs, ys


def ecdf_at(x, points):
    xs = np.sort(x)
    return np.searchsorted(xs, points, side="right") / xs.size


def ks_statistic(a, b):
    data = np.concatenate([a, b])
    cdf_a = np.searchsorted(np.sort(a), data, side="right") / len(a)
    cdf_b = np.searchsorted(np.sort(b), data, side="right") / len(b)
    return np.max(np.abs(cdf_a - cdf_b))


def moments(x):
    m = x.mean()
    d = x - m
    m2 = (d ** 2).mean()
    skew = (d ** 3).mean() / m2 ** 1.5
    kurt = (d ** 4).mean() / m2 ** 2 - 3
    return m, m2, skew, kurt


def describe(x):
    return dict(count=x.size, mean=x.mean(), std=x.std(ddof=1), min=x.min(),
                q25=np.percentile(x, 25), median=np.median(x), q75=np.percentile(x, 75), max=x.max())


def percentile_axes(X):
    return (np.percentile(X, 90, axis=0, keepdims=True), np.percentile(X, [10, 50], axis=1),
            np.quantile(X, 0.5, axis=1, keepdims=True, method="nearest"),
            np.nanpercentile(X, 75, axis=0))


def weighted_average(X, w):
    avg, sw = np.average(X, axis=0, weights=w, returned=True)
    return avg, sw, np.average(X, weights=np.ones_like(X)), np.average(X[:, 0], weights=w)


def weighted_var(x, w):
    avg = np.average(x, weights=w)
    return avg, np.average((x - avg) ** 2, weights=w)


def weighted_median(x, w):
    order = np.argsort(x)
    cw = np.cumsum(w[order])
    return x[order][np.searchsorted(cw, 0.5 * cw[-1])]


def chi_square_independence(table):
    row = table.sum(axis=1, keepdims=True)
    col = table.sum(axis=0, keepdims=True)
    expected = row @ col / table.sum()
    chi2 = ((table - expected) ** 2 / expected).sum()
    dof = (table.shape[0] - 1) * (table.shape[1] - 1)
    return chi2, dof


def standard_error_ci(x, z=1.96):
    se = np.std(x, ddof=1) / np.sqrt(x.size)
    return x.mean() - z * se, x.mean() + z * se


STATS = {
    "one_sample_t": (one_sample_t, {}, lambda s, n: (_f(n, seed=s),)),
    "welch_t": (welch_t, {}, lambda s, n: (_f(n, seed=s), _f(n + 3, seed=s + 1) * 2)),
    "pooled_t": (pooled_t, {}, lambda s, n: (_f(n, seed=s), _f(n + 3, seed=s + 1))),
    "paired_t": (paired_t, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "cohens_d": (cohens_d, {}, lambda s, n: (_f(n, seed=s), _f(n + 1, seed=s + 1))),
    "pearson_r": (pearson_r, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "spearman_argsort": (spearman_argsort, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "rank_average_ties_broadcast": (rank_average_ties_broadcast, {}, lambda s, n: (_i(4, n * 2, seed=s),)),
    "spearman_ties": (spearman_ties, {}, lambda s, n: (_i(4, n * 2, seed=s), _i(5, n * 2, seed=s + 1))),
    "corr_matrix_nan": (corr_matrix_nan, {}, lambda s, n: (_nans(n * 3, 3, seed=s, frac=0.1),)),
    "corr_matrix_pairwise": (corr_matrix_pairwise, {}, lambda s, n: (_nans(n * 3, 3, seed=s, frac=0.1),)),
    "corrcoef_rowvar": (corrcoef_rowvar, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "ecdf": (ecdf, {}, lambda s, n: (_f(n, seed=s),)),
    "ecdf_at": (ecdf_at, {}, lambda s, n: (_f(n, seed=s), np.linspace(-2, 2, 5))),
    "ks_statistic": (ks_statistic, {}, lambda s, n: (_f(n, seed=s), _f(n + 2, seed=s + 1))),
    "moments": (moments, {}, lambda s, n: (_f(n, seed=s),)),
    "describe": (describe, {}, lambda s, n: (_f(n, seed=s),)),
    "percentile_axes": (percentile_axes, {}, lambda s, n: (_nans(n, 5, seed=s, frac=0.1),)),
    "weighted_average": (weighted_average, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, positive=True, seed=s + 1))),
    "weighted_var": (weighted_var, {}, lambda s, n: (_f(n, seed=s), _f(n, positive=True, seed=s + 1))),
    "weighted_median": (weighted_median, {}, lambda s, n: (_f(n, seed=s), _f(n, positive=True, seed=s + 1))),
    "chi_square_independence": (chi_square_independence, {}, lambda s, n: (_i(20, 2, n, seed=s) + 1,)),
    "standard_error_ci": (standard_error_ci, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
}


@pytest.mark.parametrize("name", list(STATS))
def test_statistics_by_hand_match_numpy(name):
    check_like_numpy(*STATS[name])


# --------------------------------------------------------------------- time series and cohorts


def moving_average_convolve(x, w=3):
    return np.convolve(x, np.ones(w) / w, mode="valid")


def moving_average_same(x, w=3):
    return np.convolve(x, np.ones(w), "same") / w


def moving_average_cumsum(a, n=3):
    ret = np.cumsum(a, dtype=float)
    ret[n:] = ret[n:] - ret[:-n]
    return ret[n - 1:] / n


def rolling_std_windows(x, w=3):
    windows = np.lib.stride_tricks.sliding_window_view(x, w)
    return windows.std(axis=-1), windows.max(axis=-1) - windows.min(axis=-1)


def ema_loop(x, alpha=0.3):
    out = np.empty_like(x)
    out[0] = x[0]
    for t in range(1, len(x)):
        out[t] = alpha * x[t] + (1 - alpha) * out[t - 1]
    return out


def pct_change(prices, periods=1):
    out = np.full(prices.shape, np.nan)
    out[periods:] = prices[periods:] / prices[:-periods] - 1
    return out


def lag_features(x, lags=(1, 2, 3)):
    n = len(x)
    m = max(lags)
    return np.column_stack([x[m - l:n - l] for l in lags]), x[m:]


def autocorr(x, lag=1):
    x = x - x.mean()
    return np.dot(x[:-lag], x[lag:]) / np.dot(x, x)


def acf(x, nlags=3):
    x = x - x.mean()
    full = np.correlate(x, x, mode="full")[len(x) - 1:]
    return full[: nlags + 1] / full[0]


def cohort_retention(signup_week, active_week, n_weeks=4):
    age = active_week - signup_week
    M = np.zeros((n_weeks, n_weeks))
    valid = (age >= 0) & (age < n_weeks)
    np.add.at(M, (signup_week, np.clip(age, 0, n_weeks - 1)), valid)
    size = M[:, 0:1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return M, np.where(size > 0, M / size, np.nan)


def retention_curve(active):
    cohort0 = active[:, 0].astype(bool)
    return active[cohort0].mean(axis=0), (active * cohort0[:, None]).sum(0) / cohort0.sum()


def daily_to_weekly(x):
    n = len(x) // 7 * 7
    return x[:n].reshape(-1, 7).sum(axis=1)


def resample_mean(x, factor=2):
    return x[: len(x) - len(x) % factor].reshape(-1, factor).mean(axis=1)


def top_k_per_group(scores, k=2):
    idx = np.argsort(-scores, axis=1)[:, :k]
    return idx, np.take_along_axis(scores, idx, axis=1)


def top_k_partition(x, k=3):
    part = np.argpartition(x, -k)[-k:]
    return np.sort(x[part])[::-1]


def top_k_by_group_mask(labels, x, k=2, n_groups=3):
    out = np.full((n_groups, k), -np.inf)
    for g in range(n_groups):
        v = np.where(labels == g, x, -np.inf)
        out[g] = np.sort(v)[::-1][:k]
    return out


def rank_within_group(labels, x):
    order = np.lexsort((x, labels))
    ranks = np.empty_like(order)
    ranks[order] = np.arange(len(x))
    first = np.searchsorted(labels[order], labels)
    return ranks - first


def cumulative_share(x):
    s = np.sort(x)[::-1]
    return np.cumsum(s) / s.sum()


def gini_coefficient(x):
    x = np.sort(x)
    n = len(x)
    idx = np.arange(1, n + 1)
    return (2 * np.sum(idx * x) / (n * np.sum(x))) - (n + 1) / n


def running_max_drawdown(prices):
    peak = np.maximum.accumulate(prices)
    dd = (prices - peak) / peak
    return dd.min(), np.argmin(dd)


def bucketize_hours(ts):
    hours = (ts // 3600) % 24
    return np.bincount(hours, minlength=24)


TIMESERIES = {
    "moving_average_convolve": (moving_average_convolve, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "moving_average_same": (moving_average_same, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "moving_average_cumsum": (moving_average_cumsum, {}, lambda s, n: (_i(10, n * 2, seed=s),)),
    "rolling_std_windows": (rolling_std_windows, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "ema_loop": (ema_loop, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "pct_change": (pct_change, {}, lambda s, n: (_f(n * 2, positive=True, seed=s),)),
    "lag_features": (lag_features, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "autocorr": (autocorr, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "acf": (acf, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "cohort_retention": (cohort_retention, {}, lambda s, n: (_i(4, n * 3, seed=s), _i(6, n * 3, seed=s + 1))),
    "retention_curve": (retention_curve, {}, lambda s, n: (_i(2, n * 2, 5, seed=s),)),
    "daily_to_weekly": (daily_to_weekly, {}, lambda s, n: (_f(n * 4, seed=s),)),
    "resample_mean": (resample_mean, {}, lambda s, n: (_f(n * 2 + 1, seed=s),)),
    "top_k_per_group": (top_k_per_group, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "top_k_partition": (top_k_partition, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "top_k_by_group_mask": (top_k_by_group_mask, {}, lambda s, n: (_i(3, n * 3, seed=s), _f(n * 3, seed=s))),
    "rank_within_group": (rank_within_group, {}, lambda s, n: (_i(3, n * 2, seed=s), _f(n * 2, seed=s))),
    "cumulative_share": (cumulative_share, {}, lambda s, n: (_f(n * 2, positive=True, seed=s),)),
    "gini_coefficient": (gini_coefficient, {}, lambda s, n: (_f(n * 2, positive=True, seed=s),)),
    "running_max_drawdown": (running_max_drawdown, {}, lambda s, n: (_f(n * 2, positive=True, seed=s),)),
    "bucketize_hours": (bucketize_hours, {}, lambda s, n: (_i(86400 * 3, n * 4, seed=s),)),
}


@pytest.mark.parametrize("name", list(TIMESERIES))
def test_time_series_and_cohorts_match_numpy(name):
    check_like_numpy(*TIMESERIES[name])



def bollinger_bands(prices, window=5, k=2.0):
    mid = np.convolve(prices, np.ones(window) / window, "valid")
    sd = np.lib.stride_tricks.sliding_window_view(prices, window).std(axis=1)
    return mid + k * sd, mid - k * sd


def rsi(prices, n=5):
    d = np.diff(prices)
    up = np.clip(d, 0, None)
    down = -np.clip(d, None, 0)
    rs = np.convolve(up, np.ones(n) / n, "valid") / np.convolve(down, np.ones(n) / n, "valid")
    return 100 - 100 / (1 + rs)


def rolling_median_quantile(x, w=5):
    win = np.lib.stride_tricks.sliding_window_view(x, w)
    return np.median(win, axis=1), np.quantile(win, 0.9, axis=1)


def interpolate_missing(y):
    ok = ~np.isnan(y)
    return np.interp(np.arange(len(y)), np.flatnonzero(ok), y[ok])


def detrend_linear(y):
    t = np.arange(len(y))
    return y - np.polyval(np.polyfit(t, y, 1), t)


def autocorr_lags(y, max_lag=4):
    return np.array([np.corrcoef(y[:-k], y[k:])[0, 1] for k in range(1, max_lag + 1)])


def rolling_zscore_loop(y, w=4):
    return np.array([(y[i] - y[i - w:i].mean()) / y[i - w:i].std() for i in range(w, len(y))])


def peaks_and_crossings(y):
    peaks = (y[1:-1] > y[:-2]) & (y[1:-1] > y[2:])
    return peaks.sum(), np.count_nonzero(np.diff(np.signbit(y))), peaks.argmax()


def ohlc(prices, period=5):
    r = prices[: len(prices) // period * period].reshape(-1, period)
    return r[:, 0], r.max(axis=1), r.min(axis=1), r[:, -1]


MORE_SERIES = {
    "bollinger_bands": (bollinger_bands, {}, lambda s, n: (np.cumsum(_f(4 * n, seed=s)),)),
    "rsi": (rsi, {}, lambda s, n: (np.cumsum(_f(4 * n, seed=s)) + 50,)),
    "rolling_median_quantile": (rolling_median_quantile, {}, lambda s, n: (_f(4 * n, seed=s).astype(np.float32),)),
    "interpolate_missing": (interpolate_missing, {}, lambda s, n: (np.r_[0.5, _nans(4 * n, seed=s), 1.5],)),
    "detrend_linear": (detrend_linear, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "autocorr_lags": (autocorr_lags, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "rolling_zscore_loop": (rolling_zscore_loop, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "peaks_and_crossings": (peaks_and_crossings, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "ohlc": (ohlc, {}, lambda s, n: (_f(4 * n + 2, seed=s),)),
}


@pytest.mark.parametrize("name", list(MORE_SERIES))
def test_trading_and_series_indicators_match_numpy(name):
    check_like_numpy(*MORE_SERIES[name])

# ------------------------------------------------------------------------- puzzles: automata


def life_step_roll(Z):
    n = sum(np.roll(np.roll(Z, i, 0), j, 1) for i in (-1, 0, 1) for j in (-1, 0, 1) if (i != 0 or j != 0))
    return (n == 3) | (Z & (n == 2))


def life_step_padded(Z):
    N = (Z[0:-2, 0:-2] + Z[0:-2, 1:-1] + Z[0:-2, 2:] +
         Z[1:-1, 0:-2] + Z[1:-1, 2:] +
         Z[2:, 0:-2] + Z[2:, 1:-1] + Z[2:, 2:])
    birth = (N == 3) & (Z[1:-1, 1:-1] == 0)
    survive = ((N == 2) | (N == 3)) & (Z[1:-1, 1:-1] == 1)
    Z[...] = 0
    Z[1:-1, 1:-1][birth | survive] = 1
    return Z


def life_generations(board, steps=4):
    board = board.astype(np.uint8)
    for _ in range(steps):
        p = np.pad(board, 1, mode="wrap")
        nb = sum(p[1 + di:p.shape[0] - 1 + di, 1 + dj:p.shape[1] - 1 + dj]
                 for di in (-1, 0, 1) for dj in (-1, 0, 1)) - board
        board = ((nb == 3) | ((board == 1) & (nb == 2))).astype(np.uint8)
    return board, board.sum()


def life_population_history(Z, steps=5):
    pops = []
    for _ in range(steps):
        n = sum(np.roll(Z, s, axis) for s in (-1, 1) for axis in (0, 1))
        n += sum(np.roll(np.roll(Z, a, 0), b, 1) for a in (-1, 1) for b in (-1, 1))
        Z = np.where((n == 3) | ((Z == 1) & (n == 2)), 1, 0)
        pops.append(Z.sum())
    return Z, np.array(pops)


def elementary_automaton(cells, rule=30, steps=6):
    rule_bits = np.array([(rule >> i) & 1 for i in range(8)], dtype=np.uint8)
    rows = [cells]
    for _ in range(steps):
        left, right = np.roll(cells, 1), np.roll(cells, -1)
        idx = (left << 2) | (cells << 1) | right
        cells = rule_bits[idx]
        rows.append(cells)
    return np.array(rows)


def rule110_bits(cells, steps=5):
    rule = np.unpackbits(np.array([110], dtype=np.uint8))[::-1]
    history = np.zeros((steps + 1, cells.size), dtype=np.uint8)
    history[0] = cells
    for t in range(steps):
        c = history[t]
        pattern = 4 * np.roll(c, 1) + 2 * c + np.roll(c, -1)
        history[t + 1] = rule[pattern]
    return history


def rule90_xor(cells, steps=5):
    out = [cells.copy()]
    for _ in range(steps):
        cells = np.roll(cells, 1) ^ np.roll(cells, -1)
        out.append(cells)
    return np.vstack(out)


def majority_vote_automaton(grid, steps=3):
    g = grid.astype(np.int32)
    for _ in range(steps):
        total = sum(np.roll(np.roll(g, i, 0), j, 1) for i in (-1, 0, 1) for j in (-1, 0, 1))
        g = (total >= 5).astype(np.int32)
    return g


def brians_brain(state, steps=3):
    s = state.copy()
    for _ in range(steps):
        on = (s == 1).astype(int)
        n = sum(np.roll(np.roll(on, i, 0), j, 1) for i in (-1, 0, 1) for j in (-1, 0, 1)) - on
        new = np.zeros_like(s)
        new[(s == 0) & (n == 2)] = 1
        new[s == 1] = 2
        s = new
    return s


def langton_ant(grid, steps=12):
    g = grid.copy()
    y, x = g.shape[0] // 2, g.shape[1] // 2
    d = 0
    moves = [(-1, 0), (0, 1), (1, 0), (0, -1)]
    for _ in range(steps):
        turn = 1 if g[y, x] == 0 else -1
        d = (d + turn) % 4
        g[y, x] ^= 1
        y, x = (y + moves[d][0]) % g.shape[0], (x + moves[d][1]) % g.shape[1]
    return g


AUTOMATA = {
    "life_step_roll": (life_step_roll, {}, lambda s, n: (_i(2, n + 2, n + 3, seed=s).astype(bool),)),
    "life_step_padded": (life_step_padded, {}, lambda s, n: (_i(2, n + 2, n + 3, seed=s),)),
    "life_generations": (life_generations, {}, lambda s, n: (_i(2, n + 2, n + 3, seed=s).astype(bool),)),
    "life_population_history": (life_population_history, {}, lambda s, n: (_i(2, n + 2, n + 3, seed=s),)),
    "elementary_automaton": (elementary_automaton, {}, lambda s, n: (_i(2, n * 3, seed=s).astype(np.uint8),)),
    "rule110_bits": (rule110_bits, {}, lambda s, n: (_i(2, n * 3, seed=s).astype(np.uint8),)),
    "rule90_xor": (rule90_xor, {}, lambda s, n: (_i(2, n * 3, seed=s).astype(bool),)),
    "majority_vote_automaton": (majority_vote_automaton, {}, lambda s, n: (_i(2, n + 2, n + 2, seed=s),)),
    "brians_brain": (brians_brain, {}, lambda s, n: (_i(3, n + 2, n + 2, seed=s),)),
}


@pytest.mark.parametrize("name", list(AUTOMATA))
def test_cellular_automata_match_numpy(name):
    check_like_numpy(*AUTOMATA[name])


# ------------------------------------------------------------------- puzzles: fractals, numbers


def mandelbrot_escape(xmin, xmax, ymin, ymax, width=12, height=8, max_iter=20):
    x = np.linspace(xmin, xmax, width)
    y = np.linspace(ymin, ymax, height)
    C = x[np.newaxis, :] + 1j * y[:, np.newaxis]
    Z = np.zeros_like(C)
    counts = np.zeros(C.shape, dtype=int)
    for i in range(max_iter):
        mask = np.abs(Z) <= 2
        Z[mask] = Z[mask] ** 2 + C[mask]
        counts[mask] += 1
    return counts


def mandelbrot_smooth(C, n_iter=15, horizon=4.0):
    Z = np.zeros_like(C)
    N = np.zeros(C.shape, dtype=np.int32)
    for n in range(n_iter):
        I = np.less(abs(Z), horizon)
        N[I] = n
        Z[I] = Z[I] ** 2 + C[I]
    N[N == n_iter - 1] = 0
    with np.errstate(invalid="ignore", divide="ignore"):
        log_zn = np.log(np.abs(Z)) / 2
        nu = np.log(log_zn / np.log(2)) / np.log(2)
    return N, np.nan_to_num(N + 1 - nu)


def julia_set(re, im, c=-0.8 + 0.156j, iters=12):
    z = re[None, :] + 1j * im[:, None]
    div = np.full(z.shape, iters, dtype=np.int64)
    for i in range(iters):
        z = z * z + c
        diverge = (z * np.conj(z)).real > 4
        now = diverge & (div == iters)
        div[now] = i
        z[diverge] = 2
    return div


def burning_ship(c, iters=10):
    z = np.zeros_like(c)
    out = np.zeros(c.shape, dtype=bool)
    for _ in range(iters):
        z = (np.abs(z.real) + 1j * np.abs(z.imag)) ** 2 + c
        out |= np.abs(z) > 2
        z = np.where(out, 0, z)
    return out


def sieve_of_eratosthenes(n=50):
    is_prime = np.ones(n + 1, dtype=bool)
    is_prime[:2] = False
    for i in range(2, int(n ** 0.5) + 1):
        if is_prime[i]:
            is_prime[i * i::i] = False
    return np.nonzero(is_prime)[0]


def sieve_mask_count(x, n=60):
    sieve = np.ones(n, dtype=bool)
    sieve[:2] = False
    for i in range(2, int(np.sqrt(n)) + 1):
        sieve[i * i::i] = False
    return sieve[x], sieve.sum()


def prime_mask_of_values(x):
    d = np.arange(2, 12)
    divisible = (x[:, None] % d[None, :] == 0) & (x[:, None] != d[None, :])
    return (x > 1) & ~divisible.any(axis=1)


def pascal_triangle(n=7):
    T = np.zeros((n, n), dtype=np.int64)
    T[:, 0] = 1
    for i in range(1, n):
        T[i, 1:] = T[i - 1, 1:] + T[i - 1, :-1]
    return T


def pascal_rows(x, n=6):
    row = np.array([1])
    rows = [row]
    for _ in range(n - 1):
        row = np.convolve(row, [1, 1])
        rows.append(row)
    return sum(r.sum() for r in rows) * x


def fibonacci_matrix(x, n=10):
    M = np.array([[1, 1], [1, 0]], dtype=np.int64)
    return np.linalg.matrix_power(M, n)[0, 1] + x


def fibonacci_matrix_arg(M, n=12):
    return np.linalg.matrix_power(M, n), np.linalg.matrix_power(M, 0), np.linalg.matrix_power(M.astype(float), -2)


def fibonacci_binet(n):
    phi = (1 + np.sqrt(5)) / 2
    return np.round((phi ** n - (-phi) ** -n) / np.sqrt(5)).astype(np.int64)


def fibonacci_loop(x, n=15):
    fib = np.zeros(n, dtype=np.int64)
    fib[1] = 1
    for i in range(2, n):
        fib[i] = fib[i - 1] + fib[i - 2]
    return fib[x]


def collatz_steps(n0, steps=20):
    n = n0.copy()
    count = np.zeros_like(n)
    for _ in range(steps):
        active = n != 1
        n = np.where(active, np.where(n % 2 == 0, n // 2, 3 * n + 1), n)
        count += active
    return count


def digit_sum(x):
    total = np.zeros_like(x)
    for _ in range(10):
        total += x % 10
        x = x // 10
    return total


def gcd_table(n=6):
    a = np.arange(1, n + 1)
    return np.gcd.outer(a, a), np.lcm.reduce(a)


def gcd_of_args(a, b):
    return np.gcd(a, b), np.lcm(a, b), np.gcd.reduce(a)


def perfect_numbers_mask(x):
    d = np.arange(1, 30)
    div = (x[:, None] % d == 0) & (d < x[:, None])
    return (div * d).sum(axis=1) == x


def triangular_numbers(n):
    k = np.arange(1, 11)
    tri = k * (k + 1) // 2
    return np.isin(n, tri), np.cumsum(k)


NUMBERS = {
    "mandelbrot_escape": (mandelbrot_escape, {}, lambda s, n: (-2.0, 0.5 + 0.1 * s, -1.0, 1.0 + 0.05 * n)),
    "mandelbrot_smooth": (mandelbrot_smooth, {}, lambda s, n: (_f(n, 5, seed=s) + 1j * _f(n, 5, seed=s + 1),)),
    "julia_set": (julia_set, {}, lambda s, n: (np.linspace(-1.5, 1.5, n + 1) * (1 + 0.1 * s), np.linspace(-1, 1, n))),
    "burning_ship": (burning_ship, {}, lambda s, n: (_f(n, 4, seed=s) + 1j * _f(n, 4, seed=s + 1),)),
    "sieve_mask_count": (sieve_mask_count, {}, lambda s, n: (_i(60, n * 2, seed=s),)),
    "prime_mask_of_values": (prime_mask_of_values, {}, lambda s, n: (_i(100, n * 2, seed=s),)),
    "pascal_triangle": (pascal_triangle, {"n": 7}, lambda s, n: ()),
    "pascal_rows": (pascal_rows, {}, lambda s, n: (_f(n, seed=s),)),
    "fibonacci_matrix": (fibonacci_matrix, {}, lambda s, n: (_i(5, n, seed=s),)),
    "fibonacci_matrix_arg": (fibonacci_matrix_arg, {}, lambda s, n: (_i(3, 2, 2, seed=s) + np.eye(2, dtype=int),)),
    "fibonacci_binet": (fibonacci_binet, {}, lambda s, n: (np.arange(n * 3),)),
    "fibonacci_loop": (fibonacci_loop, {}, lambda s, n: (_i(15, n, seed=s),)),
    "collatz_steps": (collatz_steps, {}, lambda s, n: (_i(30, n * 2, seed=s) + 1,)),
    "digit_sum": (digit_sum, {}, lambda s, n: (_i(10 ** 9, n * 2, seed=s),)),
    "gcd_table": (gcd_table, {"n": 6}, lambda s, n: ()),
    "gcd_of_args": (gcd_of_args, {}, lambda s, n: (_i(50, n, seed=s) + 1, _i(50, n, seed=s + 1) + 1)),
    "perfect_numbers_mask": (perfect_numbers_mask, {}, lambda s, n: (np.r_[6, 28, _i(30, n, seed=s) + 1],)),
    "triangular_numbers": (triangular_numbers, {}, lambda s, n: (_i(60, n, seed=s),)),
}


@pytest.mark.parametrize("name", list(NUMBERS))
def test_fractals_and_number_puzzles_match_numpy(name):
    check_like_numpy(*NUMBERS[name])


# --------------------------------------------------------------------- puzzles: grids, boards


def is_magic_square(M):
    n = M.shape[0]
    target = n * (n ** 2 + 1) // 2
    rows = np.all(M.sum(axis=1) == target)
    cols = np.all(M.sum(axis=0) == target)
    diags = np.trace(M) == target and np.trace(np.fliplr(M)) == target
    return rows & cols & diags


def magic_square_sums(M):
    return np.concatenate([M.sum(0), M.sum(1), [np.trace(M), np.fliplr(M).trace()]])


def magic_square_check(M):
    sums = np.r_[M.sum(axis=0), M.sum(axis=1), np.diag(M).sum(), np.diag(M[:, ::-1]).sum()]
    distinct = np.array_equal(np.sort(M.ravel()), np.arange(1, M.size + 1))
    return np.all(sums == sums[0]), distinct


def sudoku_valid(board):
    ok = True
    for i in range(9):
        ok &= np.array_equal(np.sort(board[i, :]), np.arange(1, 10))
        ok &= np.array_equal(np.sort(board[:, i]), np.arange(1, 10))
    boxes = board.reshape(3, 3, 3, 3).transpose(0, 2, 1, 3).reshape(9, 9)
    ok &= np.all(np.sort(boxes, axis=1) == np.arange(1, 10))
    return ok


def sudoku_counts(board):
    rows = np.stack([np.bincount(r, minlength=10) for r in board])
    cols = np.stack([np.bincount(c, minlength=10) for c in board.T])
    return (rows[:, 1:] == 1).all() and (cols[:, 1:] == 1).all()


def sudoku_onehot(board):
    oh = board[..., None] == np.arange(1, 10)
    boxes = oh.reshape(3, 3, 3, 3, 9).sum(axis=(1, 3))
    return (oh.sum(0) == 1).all() & (oh.sum(1) == 1).all() & (boxes == 1).all()


def spiral_order(M):
    out = []
    A = M
    while A.size:
        out.append(A[0])
        A = np.rot90(A[1:])
    return np.concatenate(out)


def spiral_matrix(x, n=4):
    A = np.zeros((n, n), dtype=int)
    di, dj = [0, 1, 0, -1], [1, 0, -1, 0]
    i = j = d = 0
    for k in range(n * n):
        A[i, j] = k
        ni, nj = i + di[d], j + dj[d]
        if not (0 <= ni < n and 0 <= nj < n and A[ni, nj] == 0 and (ni, nj) != (0, 0)):
            d = (d + 1) % 4
            ni, nj = i + di[d], j + dj[d]
        i, j = ni, nj
    return A + x


def rotations(M):
    return (np.rot90(M), np.rot90(M, 2), np.rot90(M, k=-1), np.rot90(M, axes=(1, 0)),
            np.flip(M), np.flipud(M), np.fliplr(M), M[::-1].T, np.flip(M, axis=1).T)


def all_symmetries(M):
    out = []
    for k in range(4):
        R = np.rot90(M, k)
        out.append(R)
        out.append(np.fliplr(R))
    return np.stack(out)


def is_symmetric_board(M):
    return np.array_equal(M, M.T), np.array_equal(M, np.rot90(M, 2)), (M == np.flipud(M)).all()


def checkerboard_patterns(x, n=6):
    a = np.zeros((n, n), dtype=int)
    a[1::2, ::2] = 1
    a[::2, 1::2] = 1
    b = np.indices((n, n)).sum(axis=0) % 2
    c = np.tile(np.array([[0, 1], [1, 0]]), (n // 2, n // 2))
    d = (np.arange(n)[:, None] + np.arange(n)) % 2
    e = np.kron([[1, 0] * (n // 2), [0, 1] * (n // 2)] * (n // 2), np.ones((1, 1), dtype=int))
    return a * x, b, c, d, e


def border_and_diagonals(M):
    B = np.ones_like(M)
    B[1:-1, 1:-1] = 0
    D = np.eye(M.shape[0], dtype=bool) | np.fliplr(np.eye(M.shape[0], dtype=bool))
    return M * B, np.where(D, M, 0), np.pad(M, 1, constant_values=-1)


def neighbour_counts(grid):
    g = np.pad(grid, 1)
    n = np.zeros_like(grid)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di == 0 and dj == 0:
                continue
            n += g[1 + di:1 + di + grid.shape[0], 1 + dj:1 + dj + grid.shape[1]]
    return n


def minesweeper_numbers(mines):
    m = mines.astype(int)
    p = np.pad(m, 1)
    H, W = m.shape
    counts = sum(p[i:i + H, j:j + W] for i in range(3) for j in range(3)) - m
    return np.where(mines, -1, counts)


def flood_fill_passes(walls, start_row=0, passes=8):
    filled = np.zeros_like(walls, dtype=bool)
    filled[start_row, 0] = True
    open_ = ~walls
    for _ in range(passes):
        grown = filled.copy()
        grown[1:, :] |= filled[:-1, :]
        grown[:-1, :] |= filled[1:, :]
        grown[:, 1:] |= filled[:, :-1]
        grown[:, :-1] |= filled[:, 1:]
        filled = grown & open_
    return filled, filled.sum()


def bfs_distances(walls, passes=10):
    INF = 10 ** 6
    dist = np.full(walls.shape, INF, dtype=np.int64)
    dist[0, 0] = 0
    for _ in range(passes):
        p = np.pad(dist, 1, constant_values=INF)
        best = np.minimum.reduce([p[:-2, 1:-1], p[2:, 1:-1], p[1:-1, :-2], p[1:-1, 2:]]) + 1
        dist = np.where(walls, INF, np.minimum(dist, best))
    return dist


def min_path_sum(grid):
    dp = np.zeros_like(grid)
    dp[0, 0] = grid[0, 0]
    dp[0, 1:] = np.cumsum(grid[0, 1:]) + grid[0, 0]
    dp[1:, 0] = np.cumsum(grid[1:, 0]) + grid[0, 0]
    for i in range(1, grid.shape[0]):
        for j in range(1, grid.shape[1]):
            dp[i, j] = grid[i, j] + np.minimum(dp[i - 1, j], dp[i, j - 1])
    return dp[-1, -1], dp


def path_cost_rows(cost):
    acc = cost[0].copy()
    for r in range(1, cost.shape[0]):
        left = np.r_[np.inf, acc[:-1]]
        right = np.r_[acc[1:], np.inf]
        acc = cost[r] + np.minimum(np.minimum(left, acc), right)
    return acc.min(), acc.argmin()


def seam_carving_energy(img):
    gy, gx = np.gradient(img.astype(float))
    E = np.abs(gx) + np.abs(gy)
    M = E.copy()
    for i in range(1, M.shape[0]):
        prev = np.pad(M[i - 1], 1, constant_values=np.inf)
        M[i] += np.minimum(np.minimum(prev[:-2], prev[1:-1]), prev[2:])
    return M


def trapped_rain_water(h):
    left = np.maximum.accumulate(h)
    right = np.maximum.accumulate(h[::-1])[::-1]
    return (np.minimum(left, right) - h).sum()


def count_visible_trees(grid):
    H, W = grid.shape
    vis = np.zeros(grid.shape, dtype=bool)
    vis |= grid > np.vstack([np.full((1, W), -1), np.maximum.accumulate(grid, axis=0)[:-1]])
    vis |= grid > np.vstack([np.maximum.accumulate(grid[::-1], axis=0)[:-1][::-1], np.full((1, W), -1)])
    vis |= grid > np.hstack([np.full((H, 1), -1), np.maximum.accumulate(grid, axis=1)[:, :-1]])
    vis |= grid > np.hstack([np.maximum.accumulate(grid[:, ::-1], axis=1)[:, :-1][:, ::-1], np.full((H, 1), -1)])
    return vis.sum()


def manhattan_grid(points, size=5):
    yy, xx = np.mgrid[0:size, 0:size]
    d = np.abs(yy[..., None] - points[:, 0]) + np.abs(xx[..., None] - points[:, 1])
    closest = d.argmin(axis=-1)
    ties = (d == d.min(axis=-1, keepdims=True)).sum(-1) > 1
    return np.where(ties, -1, closest)


def rope_tail_positions(moves):
    head = np.cumsum(moves, axis=0)
    tail = np.zeros(2, dtype=int)
    trail = []
    for h in head:
        d = h - tail
        tail = tail + np.where(np.abs(d).max() > 1, np.sign(d), 0)
        trail.append(tail)
    return np.array(trail)


def keypad_walk(moves, start=(1, 1)):
    pos = np.array(start)
    steps = {0: (-1, 0), 1: (1, 0), 2: (0, -1), 3: (0, 1)}
    table = np.array([steps[k] for k in range(4)])
    for m in moves:
        pos = np.clip(pos + table[m], 0, 2)
    return pos[0] * 3 + pos[1] + 1


def hex_grid_distance(steps):
    dirs = np.array([[0, 1, -1], [1, 0, -1], [1, -1, 0], [0, -1, 1], [-1, 0, 1], [-1, 1, 0]])
    pos = np.cumsum(dirs[steps], axis=0)
    d = np.abs(pos).max(axis=1)
    return d[-1], d.max()


def ttt_winner(b, p=1):
    lines = np.concatenate([b, b.T, [np.diag(b)], [np.diag(np.fliplr(b))]])
    return np.any(np.all(lines == p, axis=1))


def ttt_all_players(b):
    return np.array([ttt_winner(b, p) for p in (1, 2)])


def queens_ok(cols):
    n = len(cols)
    r = np.arange(n)
    same_col = cols[:, None] == cols[None, :]
    same_diag = np.abs(cols[:, None] - cols[None, :]) == np.abs(r[:, None] - r[None, :])
    off = ~np.eye(n, dtype=bool)
    return ~np.any((same_col | same_diag) & off)


def connect4_win(b, p=1):
    h = (b[:, :-3] == p) & (b[:, 1:-2] == p) & (b[:, 2:-1] == p) & (b[:, 3:] == p)
    v = (b[:-3] == p) & (b[1:-2] == p) & (b[2:-1] == p) & (b[3:] == p)
    d1 = (b[:-3, :-3] == p) & (b[1:-2, 1:-2] == p) & (b[2:-1, 2:-1] == p) & (b[3:, 3:] == p)
    d2 = (b[3:, :-3] == p) & (b[2:-1, 1:-2] == p) & (b[1:-2, 2:-1] == p) & (b[:-3, 3:] == p)
    return h.any() | v.any() | d1.any() | d2.any()


def drop_piece(b, col, p=1):
    b = b.copy()
    row = np.flatnonzero(b[:, col] == 0).max()
    b[row, col] = p
    return b


def merge_score_2048(row):
    vals = row[row != 0]
    return vals.sum(), vals.max()


def any_builtin_on_row(b):
    return any(b[0] > 1)


GRIDS = {
    "magic_square_sums": (magic_square_sums, {}, lambda s, n: (_i(9, n, n, seed=s),)),
    "magic_square_check": (magic_square_check, {}, lambda s, n: (np.arange(1, n * n + 1)[np.random.default_rng(s).permutation(n * n)].reshape(n, n),)),
    "sudoku_valid": (sudoku_valid, {}, lambda s, n: (_sudoku(s, n == 6),)),
    "sudoku_onehot": (sudoku_onehot, {}, lambda s, n: (_sudoku(s, n == 6),)),
    "rotations": (rotations, {}, lambda s, n: (_i(9, n, n + 1, seed=s),)),
    "all_symmetries": (all_symmetries, {}, lambda s, n: (_i(9, n, n, seed=s),)),
    "is_symmetric_board": (is_symmetric_board, {}, lambda s, n: (_sym(s, n),)),
    "checkerboard_patterns": (checkerboard_patterns, {}, lambda s, n: (_i(3, 6, 6, seed=s),)),
    "border_and_diagonals": (border_and_diagonals, {}, lambda s, n: (_i(9, n, n, seed=s),)),
    "neighbour_counts": (neighbour_counts, {}, lambda s, n: (_i(2, n, n + 1, seed=s),)),
    "minesweeper_numbers": (minesweeper_numbers, {}, lambda s, n: (_i(2, n, n + 1, seed=s).astype(bool),)),
    "flood_fill_passes": (flood_fill_passes, {}, lambda s, n: (_walls(s, n),)),
    "bfs_distances": (bfs_distances, {}, lambda s, n: (_walls(s, n),)),
    "min_path_sum": (min_path_sum, {}, lambda s, n: (_i(9, n, n + 1, seed=s),)),
    "path_cost_rows": (path_cost_rows, {}, lambda s, n: (_f(n, n + 1, positive=True, seed=s),)),
    "seam_carving_energy": (seam_carving_energy, {}, lambda s, n: (_i(255, n, n + 1, seed=s).astype(np.uint8),)),
    "trapped_rain_water": (trapped_rain_water, {}, lambda s, n: (_i(5, n * 2, seed=s),)),
    "count_visible_trees": (count_visible_trees, {}, lambda s, n: (_i(10, n, n, seed=s),)),
    "manhattan_grid": (manhattan_grid, {}, lambda s, n: (_i(5, n, 2, seed=s),)),
    "rope_tail_positions": (rope_tail_positions, {}, lambda s, n: (_i(3, n * 2, 2, seed=s) - 1,)),
    "keypad_walk": (keypad_walk, {}, lambda s, n: (_i(4, n * 2, seed=s),)),
    "hex_grid_distance": (hex_grid_distance, {}, lambda s, n: (_i(6, n * 2, seed=s),)),
    "spiral_order": (spiral_order, {}, lambda s, n: (_i(9, n, n + 1, seed=s),)),
    "spiral_matrix": (spiral_matrix, {}, lambda s, n: (_i(3, n, seed=s)[:, None, None],)),
    "sieve_of_eratosthenes": (sieve_of_eratosthenes, {"n": 50}, lambda s, n: ()),
    "ttt_winner": (ttt_winner, {}, lambda s, n: (_i(3, 3, 3, seed=s),)),
    "ttt_all_players": (ttt_all_players, {}, lambda s, n: (np.where(np.eye(3, dtype=bool), 1 + s % 2, _i(3, 3, 3, seed=s)),)),
    "queens_ok": (queens_ok, {}, lambda s, n: (np.array([1, 3, 0, 2]) if s == 1 else np.random.default_rng(s).permutation(n),)),
    "connect4_win": (connect4_win, {}, lambda s, n: (_i(3, n + 2, n + 3, seed=s),)),
    "drop_piece": (drop_piece, {}, lambda s, n: (np.r_[np.zeros((2, n), int), _i(3, n, n, seed=s)], n // 2)),
    "merge_score_2048": (merge_score_2048, {}, lambda s, n: (np.r_[2, _i(3, n, seed=s) * 2],)),
}


def _sudoku(seed, broken=False):
    base = np.array([[(3 * (r % 3) + r // 3 + c) % 9 + 1 for c in range(9)] for r in range(9)])
    rng = np.random.default_rng(seed)
    board = np.argsort(rng.permutation(9))[base - 1] + 1
    if broken:
        board[0, 0], board[0, 1] = board[0, 1], board[0, 1]
    return board


def _sym(seed, n):
    a = _i(9, n, n, seed=seed)
    return a + a.T if seed % 2 else a


def _walls(seed, n):
    w = np.random.default_rng(seed).random((n, n + 1)) < 0.3
    w[0, 0] = False
    return w


@pytest.mark.parametrize("name", list(GRIDS))
def test_grid_and_board_puzzles_match_numpy(name):
    check_like_numpy(*GRIDS[name])


# ------------------------------------------------------------------ integer counters, overflow


def uint8_counter_wraps(x, steps=5):
    c = x.astype(np.uint8)
    for _ in range(steps):
        c += np.uint8(100)
    return c, c.sum(), c.sum(dtype=np.uint8)


def int32_overflow_product(x):
    a = x.astype(np.int32)
    return a * a * a, np.cumprod(a), np.prod(a, dtype=np.int32)


def uint8_image_ops(img):
    brighter = img + 50
    safe = np.clip(img.astype(np.int16) + 50, 0, 255).astype(np.uint8)
    diff = img - img[::-1]
    return brighter, safe, diff, np.abs(img.astype(int) - img[::-1]), img // 3, img >> 2


def int_mean_and_division(x):
    return x.mean(), x // 3, x / 3, x % 7, -x // 4, np.divmod(x, 5), np.true_divide(x, 2).dtype == np.float64


def int8_accumulate(x):
    a = x.astype(np.int8)
    return np.cumsum(a), np.cumsum(a, dtype=np.int8), a.sum(), a.sum(dtype=np.int8), np.add.reduce(a, dtype=np.int8)


def hash_mix(x):
    h = x.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x45D9F3B)
    h ^= h >> np.uint32(16)
    return h, h % np.uint32(10)


def lcg(seed_arr, steps=6, a=1103515245, c=12345):
    x = seed_arr.astype(np.uint32)
    out = []
    for _ in range(steps):
        x = x * np.uint32(a) + np.uint32(c)
        out.append(x >> np.uint32(16))
    return np.array(out)


def xorshift(state, steps=4):
    s = state.astype(np.uint64)
    for _ in range(steps):
        s ^= s << np.uint64(13)
        s ^= s >> np.uint64(7)
        s ^= s << np.uint64(17)
    return s


def popcount(x):
    bits = np.unpackbits(x.astype(np.uint8)[:, None], axis=1)
    return bits.sum(axis=1), np.bitwise_count(x.astype(np.uint8))


def bit_tricks(x):
    x = x.astype(np.int64)
    return x & (x - 1), x & -x, (x & (x - 1)) == 0, np.left_shift(1, x % 8), np.invert(x)


def gray_code(n):
    return n ^ (n >> 1)


def checksum_mod(x, mod=65521):
    a = np.cumsum(x.astype(np.int64)) % mod
    b = np.cumsum(a) % mod
    return (b[-1] << 16) | a[-1]


def binary_digits(x, width=8):
    return ((x[:, None] >> np.arange(width)[::-1]) & 1).astype(np.uint8)


def from_binary_digits(bits):
    return bits.dot(1 << np.arange(bits.shape[-1] - 1, -1, -1))


INTEGERS = {
    "uint8_counter_wraps": (uint8_counter_wraps, {}, lambda s, n: (_i(256, n, seed=s),)),
    "int32_overflow_product": (int32_overflow_product, {}, lambda s, n: (_i(3000, n, seed=s) - 1500,)),
    "uint8_image_ops": (uint8_image_ops, {}, lambda s, n: (_i(256, n, n, seed=s).astype(np.uint8),)),
    "int_mean_and_division": (int_mean_and_division, {}, lambda s, n: (_i(100, n, seed=s) - 50,)),
    "int8_accumulate": (int8_accumulate, {}, lambda s, n: (_i(256, n * 4, seed=s) - 128,)),
    "hash_mix": (hash_mix, {}, lambda s, n: (_i(2 ** 31, n, seed=s),)),
    "lcg": (lcg, {}, lambda s, n: (_i(2 ** 31, n, seed=s),)),
    "xorshift": (xorshift, {}, lambda s, n: (_i(2 ** 62, n, seed=s) + 1,)),
    "popcount": (popcount, {}, lambda s, n: (_i(256, n, seed=s),)),
    "bit_tricks": (bit_tricks, {}, lambda s, n: (_i(200, n, seed=s),)),
    "gray_code": (gray_code, {}, lambda s, n: (np.arange(n * 4),)),
    "checksum_mod": (checksum_mod, {}, lambda s, n: (_i(256, n * 4, seed=s).astype(np.uint8),)),
    "binary_digits": (binary_digits, {}, lambda s, n: (_i(256, n, seed=s),)),
    "from_binary_digits": (from_binary_digits, {}, lambda s, n: (_i(2, n, 8, seed=s),)),
}


@pytest.mark.parametrize("name", list(INTEGERS))
def test_integer_counters_and_bits_match_numpy(name):
    check_like_numpy(*INTEGERS[name])


# ---------------------------------------------------------------------- simulations and games


def random_walk_1d(rng, n_steps=20):
    steps = rng.choice([-1, 1], size=n_steps)
    pos = np.cumsum(steps)
    return pos, np.abs(pos).max(), (pos == 0).sum()


def random_walks_many(rng, n_walkers=5, n_steps=12):
    steps = 2 * rng.integers(0, 2, size=(n_walkers, n_steps)) - 1
    paths = np.cumsum(steps, axis=1)
    return paths[:, -1].mean(), (paths ** 2).mean(axis=0), np.argmax(np.abs(paths) >= 3, axis=1)


def random_walk_2d_angles(rng, n=15):
    theta = rng.uniform(0, 2 * np.pi, n)
    xy = np.cumsum(np.column_stack([np.cos(theta), np.sin(theta)]), axis=0)
    return np.hypot(xy[:, 0], xy[:, 1])


def monte_carlo_pi_rng(rng, n=200):
    x = rng.random(n)
    y = rng.random(n)
    inside = x ** 2 + y ** 2 <= 1.0
    return 4 * inside.sum() / n, 4 * np.mean(inside)


def monte_carlo_pi_seeded(n=500, seed=0):
    rng = np.random.default_rng(seed)
    pts = rng.uniform(-1, 1, size=(n, 2))
    return 4 * np.count_nonzero(np.linalg.norm(pts, axis=1) < 1) / n


def monte_carlo_pi_legacy(n=300):
    np.random.seed(42)
    xy = np.random.rand(n, 2)
    return 4.0 * np.sum(np.sum(xy ** 2, axis=1) < 1) / n


def buffon_needle(rng, n=300, L=1.0, t=2.0):
    x = rng.uniform(0, t / 2, n)
    theta = rng.uniform(0, np.pi / 2, n)
    hits = x <= (L / 2) * np.sin(theta)
    p = hits.mean()
    return p, 2 * L / (t * p)


def birthday_paradox(rng, n_people=23, trials=50):
    days = rng.integers(0, 365, size=(trials, n_people))
    days.sort(axis=1)
    dup = (np.diff(days, axis=1) == 0).any(axis=1)
    return dup.mean()


def birthday_exact(n):
    k = np.arange(1, 60)
    p_distinct = np.cumprod((365 - k + 1) / 365)
    return 1 - p_distinct[n - 1]


def dice_statistics(rng, n_rolls=100, sides=6):
    rolls = rng.integers(1, sides + 1, size=(n_rolls, 2))
    totals = rolls.sum(axis=1)
    counts = np.bincount(totals, minlength=2 * sides + 1)
    return counts[2:], counts / n_rolls, totals.mean(), np.argmax(counts)


def dice_exact_distribution(sides=6):
    one = np.ones(sides) / sides
    two = np.convolve(one, one)
    three = np.convolve(two, one)
    return two, three, np.arange(3, 3 * sides + 1) @ three


def dice_from_array(rolls):
    counts = np.bincount(rolls, minlength=7)[1:]
    expected = len(rolls) / 6
    chi2 = ((counts - expected) ** 2 / expected).sum()
    return counts, chi2, np.bincount(rolls.reshape(-1, 2).sum(axis=1), minlength=13)


def coin_streaks(flips):
    change = np.diff(flips) != 0
    run_id = np.concatenate([[0], np.cumsum(change)])
    lengths = np.bincount(run_id, minlength=len(flips))
    return lengths.max(), (lengths > 0).sum()


def gamblers_ruin(rng, start=5, target=10, n_paths=20, n_steps=40, p=0.5):
    steps = np.where(rng.random((n_paths, n_steps)) < p, 1, -1)
    wealth = start + np.cumsum(steps, axis=1)
    hit_zero = (wealth <= 0).any(axis=1)
    hit_target = (wealth >= target).any(axis=1)
    return hit_zero.mean(), hit_target.mean()


def monty_hall(rng, n=100):
    prize = rng.integers(0, 3, n)
    pick = rng.integers(0, 3, n)
    stay_wins = prize == pick
    return stay_wins.mean(), 1 - stay_wins.mean()


def coupon_collector(rng, n_coupons=5, draws=40, trials=10):
    d = rng.integers(0, n_coupons, size=(trials, draws))
    seen = np.zeros((trials, n_coupons), dtype=bool)
    first_complete = np.full(trials, -1)
    for t in range(draws):
        seen[np.arange(trials), d[:, t]] = True
        done = seen.all(axis=1) & (first_complete < 0)
        first_complete[done] = t + 1
    return first_complete


def markov_chain_weather(P, start, steps=10):
    dist = np.zeros(P.shape[0])
    dist[start] = 1.0
    history = [dist]
    for _ in range(steps):
        dist = dist @ P
        history.append(dist)
    return np.array(history), np.linalg.matrix_power(P, 50)[0]


def card_shuffle_check(rng, n_cards=10, n_shuffles=20):
    positions = np.zeros((n_cards, n_cards))
    for _ in range(n_shuffles):
        deck = np.arange(n_cards)
        rng.shuffle(deck)
        positions[deck, np.arange(n_cards)] += 1
    return positions / n_shuffles


SIMULATIONS = [
    (random_walk_1d, ()),
    (random_walks_many, ()),
    (random_walk_2d_angles, ()),
    (monte_carlo_pi_rng, ()),
    (buffon_needle, ()),
    (birthday_paradox, ()),
    (dice_statistics, ()),
    (gamblers_ruin, ()),
    (monty_hall, ()),
    (coupon_collector, ()),
    (card_shuffle_check, ()),
]


@pytest.mark.parametrize("fn, args", SIMULATIONS, ids=[f.__name__ for f, _ in SIMULATIONS])
def test_simulations_with_a_generator_argument(fn, args):
    """Random walks, Monte Carlo pi, Buffon's needle, the birthday paradox, dice and card
    shuffles draw from the generator they are given: NumPy's draws and values over three
    calls, and the generator left in NumPy's state."""
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(got_rng, *args), fn(want_rng, *args))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


GAMES = {
    "monte_carlo_pi_seeded": (monte_carlo_pi_seeded, {}, lambda s, n: ()),
    "birthday_exact": (birthday_exact, {}, lambda s, n: (np.array([n, 23, 2 * n]),)),
    "dice_exact_distribution": (dice_exact_distribution, {"sides": 6}, lambda s, n: ()),
    "dice_from_array": (dice_from_array, {}, lambda s, n: (_i(6, n * 4, seed=s) + 1,)),
    "coin_streaks": (coin_streaks, {}, lambda s, n: (_i(2, n * 3, seed=s),)),
    "markov_chain_weather": (markov_chain_weather, {}, lambda s, n: (_stochastic(s, n), s % 2)),
}


def _stochastic(seed, n):
    P = _f(n, n, positive=True, seed=seed)
    return P / P.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("name", list(GAMES))
def test_probability_puzzles_match_numpy(name):
    check_like_numpy(*GAMES[name])


def test_legacy_global_seed_inside():
    """`np.random.seed(42)` then `np.random.rand` inside: the same numbers on every call, and
    the global state left where NumPy leaves it."""
    jf = tracenp.jit(monte_carlo_pi_legacy)
    for n in (300, 300, 120):
        want = monte_carlo_pi_legacy(n)
        want_state = np.random.get_state()[1].copy()
        assert_same(jf(n), want)
        assert np.array_equal(np.random.get_state()[1], want_state)


# ------------------------------------------------------------- curves at distinct values, ranks


def binary_clf_curve(y_true, y_score):
    desc = np.argsort(y_score, kind="mergesort")[::-1]
    y_score = y_score[desc]
    y_true = y_true[desc]
    distinct_value_indices = np.where(np.diff(y_score))[0]
    threshold_idxs = np.r_[distinct_value_indices, y_true.size - 1]
    tps = np.cumsum(y_true, dtype=np.float64)[threshold_idxs]
    fps = 1 + threshold_idxs - tps
    return fps, tps, y_score[threshold_idxs]


def roc_auc_sklearn(y_true, y_score):
    fps, tps, _ = binary_clf_curve(y_true, y_score)
    tps = np.r_[0, tps]
    fps = np.r_[0, fps]
    return np.trapezoid(tps / tps[-1], fps / fps[-1])


def precision_recall_summary(y_true, y_score):
    fps, tps, thresholds = binary_clf_curve(y_true, y_score)
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    return np.trapezoid(precision, recall), precision.max(), thresholds.min(), np.trapezoid(recall, dx=0.5)


def rankdata_average(a):
    arr = np.ravel(np.asarray(a))
    sorter = np.argsort(arr, kind="mergesort")
    inv = np.empty(sorter.size, dtype=np.intp)
    inv[sorter] = np.arange(sorter.size, dtype=np.intp)
    arr = arr[sorter]
    obs = np.r_[True, arr[1:] != arr[:-1]]
    dense = obs.cumsum()[inv]
    count = np.r_[np.nonzero(obs)[0], len(obs)]
    return 0.5 * (count[dense] + count[dense - 1] + 1)


def rankdata_max_min(a):
    sorter = np.argsort(a, kind="mergesort")
    inv = np.empty(sorter.size, dtype=np.intp)
    inv[sorter] = np.arange(sorter.size, dtype=np.intp)
    a = a[sorter]
    obs = np.r_[True, a[1:] != a[:-1]]
    dense = obs.cumsum()[inv]
    count = np.append(np.nonzero(obs)[0], len(obs))
    return count[dense], count[dense - 1] + 1, np.concatenate([[0], np.flatnonzero(obs)])[dense]


def spearman_rankdata(x, y):
    return np.corrcoef(rankdata_average(x), rankdata_average(y))[0, 1]


def _scores(s, n):
    rng = np.random.default_rng(s)
    y = np.r_[0, 1, rng.integers(0, 2, 3 * n)]
    return y, np.round(rng.random(y.size), 1)


CURVES = {
    "roc_curve_ties": (roc_curve_ties, {}, _scores),
    "roc_auc_sklearn": (roc_auc_sklearn, {}, _scores),
    "roc_auc_float32": (roc_auc_sklearn, {}, lambda s, n: tuple(a.astype(np.float32) for a in _scores(s, n))),
    "precision_recall_summary": (precision_recall_summary, {}, _scores),
    "rank_average_ties": (rank_average_ties, {}, lambda s, n: (_i(4, 3 * n, seed=s),)),
    "rankdata_average": (rankdata_average, {}, lambda s, n: (_i(4, 3 * n, seed=s),)),
    "rankdata_max_min": (rankdata_max_min, {}, lambda s, n: (_i(4, 3 * n, seed=s).astype(float),)),
    "spearman_rankdata": (spearman_rankdata, {}, lambda s, n: (_i(4, 3 * n, seed=s), _i(3, 3 * n, seed=s + 1))),
}


def smallest_and_largest_valid(x):
    valid = np.sort(x[np.isfinite(x)])
    return valid[0], valid[-1], valid[1] - valid[0]


def positive_run_total(returns):
    gains = returns[returns > 0]
    return np.cumsum(gains)[-1], gains.cumsum().max(), np.cumprod(1 + gains)[-1]


def threshold_at_recall(scores, labels, recall=0.5):
    pos = np.sort(scores[labels == 1])
    cum = np.cumsum(np.ones_like(pos)) / np.count_nonzero(labels == 1)
    return np.interp(recall, cum, pos)


CURVES.update({
    "smallest_and_largest_valid": (smallest_and_largest_valid, {}, lambda s, n: (_nans(3 * n, seed=s),)),
    "positive_run_total": (positive_run_total, {}, lambda s, n: (np.r_[0.5, _f(3 * n, seed=s)],)),
    "threshold_at_recall": (threshold_at_recall, {}, lambda s, n: _scores(s, n)[::-1]),
})


@pytest.mark.parametrize("name", list(CURVES))
def test_curves_and_ranks_at_distinct_values_match_numpy(name):
    """scikit-learn's `_binary_clf_curve` (`np.r_[np.where(np.diff(s))[0], n - 1]`, then
    `np.r_[0, tps]`, `tps[-1]` and `np.trapezoid(tpr, fpr)`) and scipy's `rankdata`
    (`np.r_[np.nonzero(obs)[0], len(obs)]` indexed by the dense ranks): joining a selection
    with other pieces (`np.r_`, `np.concatenate`, `np.append`, `np.hstack`) and
    `np.trapezoid` of selections by one mask raised DataDependentShapeError; both keep the
    selection's form now, and the AUC, ranks and correlations are NumPy's. So do `np.sort`,
    `np.cumsum` and `np.cumprod` of a 1-d selection (its smallest valid values, running
    totals), and `np.interp` at a scalar through selections returns a scalar, as NumPy's (it
    returned a 0-d array)."""
    check_like_numpy(*CURVES[name])


def test_roc_auc_of_one_distinct_score():
    """All scores equal: one threshold, the curve is the diagonal."""
    y, s = _scores(1, 4)
    s[:] = 0.5
    assert_same(tracenp.jit(roc_auc_sklearn)(y, s), roc_auc_sklearn(y, s))


# ---------------------------------------------------------------------------- most frequent value


def knn_majority_vote(X_train, y_train, X_test, k=3):
    d = ((X_test[:, None, :] - X_train[None, :, :]) ** 2).sum(-1)
    nearest = np.argsort(d, axis=1)[:, :k]
    return np.array([np.bincount(y_train[row]).argmax() for row in nearest])


def most_common_roll(rolls):
    counts = np.bincount(rolls)
    return counts.argmax(), counts.max(), np.argmax(np.bincount(rolls[: len(rolls) // 2]))


def mode_per_column(M):
    return np.array([np.bincount(col).argmax() for col in M.T], dtype=M.dtype)


MODES = {
    "knn_majority_vote": (knn_majority_vote, {}, lambda s, n: (_f(3 * n, 2, seed=s), _i(3, 3 * n, seed=s), _f(n, 2, seed=s + 1))),
    "most_common_roll": (most_common_roll, {}, lambda s, n: (_i(6, 4 * n, seed=s) + 1,)),
    "mode_per_column": (mode_per_column, {}, lambda s, n: (_i(5, 3 * n, 3, seed=s).astype(np.int32),)),
}


@pytest.mark.parametrize("name", list(MODES))
def test_most_frequent_value_by_bincount_argmax(name):
    """`np.bincount(votes).argmax()` (a kNN majority vote, the mode of dice rolls) raised
    DataDependentShapeError: the bins' count, max(x) + 1, depends on the values, but their
    argmax and max do not. They are np.unique's (the smallest of tied values), an absent
    value counting 0; any other use of the bins stays refused by name."""
    check_like_numpy(*MODES[name])


@pytest.mark.parametrize("fn", [
    lambda x: np.bincount(x),
    lambda x: np.bincount(x).sum(),
    lambda x: (np.bincount(x) + 1).argmax(),
    lambda x: np.bincount(x)[1],
    lambda x: np.bincount(x).mean(),
    lambda x: np.bincount(x, weights=x * 0.5).argmax(),
], ids=["returned", "sum", "arithmetic", "index", "mean", "weights"])
def test_bincount_of_unknown_length_otherwise_refused(fn):
    """Anything but the argmax and max of `np.bincount(x)` needs its bins (an absent value's
    0 among them): refused by name, NumPy's values under `fallback=True`."""
    check_refused(tracenp.errors.DataDependentShapeError, fn, lambda s: (_i(5, 9, seed=s),))


def test_bincount_argmax_of_a_negative_value_raises():
    """NumPy's ValueError for a negative value, when the function runs."""
    with pytest.raises(ValueError, match="negative"):
        tracenp.jit(lambda x: np.bincount(x).argmax())(np.array([1, -2, 1]))


def _group_demean(y, g):
    means = np.bincount(g, weights=y) / np.bincount(g)
    spread = np.sqrt(np.bincount(g, weights=y ** 2) / np.maximum(np.bincount(g), 1) - means ** 2)
    return y - means[g], np.bincount(g)[g], spread[g], np.where(np.bincount(g) > 1, 1, 0)[g]


def _inverse_demean(y, ids):
    _, inv = np.unique(ids, return_inverse=True)
    return y - (np.bincount(inv, weights=y) / np.bincount(inv))[inv]


@pytest.mark.parametrize("fn", [_group_demean, _inverse_demean])
def test_bincount_of_unknown_length_read_at_its_labels(fn):
    """`np.bincount(g, weights=y) / np.bincount(g)` then `means[g]` (panel demeaning by group
    means, of labels or of `np.unique`'s inverse) raised DataDependentShapeError: the bins'
    count depends on the values, but the bins read back at the labels do not. Elementwise
    work among bins of the same labels and that read trace; a negative label raises NumPy's
    ValueError when the function runs."""
    check_like_numpy(fn, {}, lambda s, n: (_f(3 * n, seed=s), _i(n, 3 * n, seed=s) * 3))
    with pytest.raises(ValueError, match="negative"):
        tracenp.jit(_group_demean)(np.ones(3), np.array([1, -2, 1]))


def _bins_then_relabel(y, g):
    bins = np.bincount(g, weights=y)
    g[0] = 0  # the bins were counted before: reading them at the new labels is not [g]'s read
    return bins[g]


@pytest.mark.parametrize("fn", [
    _bins_then_relabel,
    lambda y, g: np.bincount(g, weights=y).sum(),
    lambda y, g: np.bincount(g, weights=y)[g[::-1]],
    lambda y, g: (np.bincount(g, weights=y) / np.bincount(g[::-1]))[g],
    lambda y, g: np.bincount(g, weights=y) @ np.bincount(g),
], ids=["relabelled", "reduced", "other index", "other labels", "dot"])
def test_bins_of_unknown_length_other_than_at_their_labels_refused(fn):
    """Anything that would see the bins no label hits stays refused by name."""
    check_refused(tracenp.errors.DataDependentShapeError, fn,
                  lambda s: (_f(9, seed=s), _i(5, 9, seed=s) * 2))


# ------------------------------------------------------------------------------- refused forms


def groupby_sort_split(keys, values):
    order = np.argsort(keys, kind="stable")
    k, v = keys[order], values[order]
    cuts = np.flatnonzero(np.diff(k)) + 1
    return np.array([g.mean() for g in np.split(v, cuts)])


def drop_outliers(x, k=2.0):
    z = np.abs(x - x.mean()) / x.std()
    return x[z < k]


def mandelbrot_early_exit(c, max_iter=20):
    z = np.zeros_like(c)
    alive = np.ones(c.shape, dtype=bool)
    for _ in range(max_iter):
        z[alive] = z[alive] ** 2 + c[alive]
        alive &= np.abs(z) <= 2
        if not alive.any():
            break
    return alive


def flood_fill_until_stable(walls):
    filled = np.zeros_like(walls)
    filled[0, 0] = True
    while True:
        grown = filled.copy()
        grown[1:] |= filled[:-1]
        grown[:-1] |= filled[1:]
        grown[:, 1:] |= filled[:, :-1]
        grown[:, :-1] |= filled[:, 1:]
        grown &= ~walls
        if (grown == filled).all():
            return filled
        filled = grown


def report_in_notebook(x):
    print(f"mean={x.mean():.3f} std={x.std():.3f}")
    return x.mean()


def collatz_length(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def top_categories(labels):
    vals, counts = np.unique(labels, return_counts=True)
    return vals[np.argsort(-counts)][:2]


def fit_scaler(X, stats):
    stats["mean"] = X.mean(axis=0)
    stats["scale"] = X.std(axis=0)
    X -= stats["mean"]
    X /= stats["scale"]
    return stats


REFUSED = {
    "fit_scaler": ("TracingError", fit_scaler,
                   lambda s: (_f(6, 3, seed=s), {"mean": None, "scale": None})),
    "groupby_mean_bincount": ("DataDependentShapeError", groupby_mean_bincount,
                              lambda s: (_i(4, 9, seed=s), _f(9, seed=s))),
    "groupby_sort_split": ("DataDependentShapeError", groupby_sort_split,
                           lambda s: (_i(3, 9, seed=s), _f(9, seed=s))),
    "drop_outliers": ("DataDependentShapeError", drop_outliers, lambda s: (_f(12, seed=s),)),
    "auc_mann_whitney": ("DataDependentShapeError", auc_mann_whitney,
                         lambda s: (np.r_[0, 1, _i(2, 8, seed=s)], np.round(np.r_[0.2, 0.7, _f(8, seed=s)], 1))),
    "top_categories": ("DataDependentShapeError", top_categories, lambda s: (_i(4, 12, seed=s),)),
    "stratified_split": ("DataDependentShapeError", stratified_split,
                         lambda s: (np.random.default_rng(s), _i(2, 10, seed=s))),
    "is_magic_square": ("ConcretizationError", is_magic_square,
                        lambda s: (np.array([[2, 7, 6], [9, 5, 1], [4, 3, 8]]) + (s > 1),)),
    "sudoku_counts": ("ConcretizationError", sudoku_counts, lambda s: (_sudoku(s, s > 1),)),
    "langton_ant": ("ConcretizationError", langton_ant, lambda s: (_i(2, 5, 5, seed=s),)),
    "mandelbrot_early_exit": ("ConcretizationError", mandelbrot_early_exit,
                              lambda s: (_f(4, 4, seed=s) * 3 + 1j * _f(4, 4, seed=s + 1),)),
    "flood_fill_until_stable": ("ConcretizationError", flood_fill_until_stable, lambda s: (_walls(s, 4),)),
    "report_in_notebook": ("ConcretizationError", report_in_notebook, lambda s: (_f(5, seed=s),)),
    "collatz_length": ("ConcretizationError", collatz_length, lambda s: (np.array(6 + s),)),
    "any_builtin_on_row": ("ConcretizationError", any_builtin_on_row, lambda s: (_i(3, 3, 3, seed=s),)),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_run_under_fallback(name, capsys):
    """Group-by by sorting and `np.split` at the key changes, `x[mask]` returned, pairwise
    comparisons of two selections, `np.unique`'s values and counts as arrays, shuffling `np.flatnonzero(y == c)` (it was
    refused as if it were a list), `and`/`if`/`while` on traced values (magic squares,
    Langton's ant, early exits, floods until stable, Collatz), an f-string of a traced
    value, and a dict argument whose None items the function sets to arrays: refused by name, NumPy's values under `fallback=True`."""
    error, fn, make = REFUSED[name]
    check_refused(getattr(tracenp.errors, error), fn, make)


def test_max_of_a_selection_with_initial():
    """`np.max(x[labels == g], initial=-np.inf)`, the guard for empty groups: the masked
    reduction took no `initial` (TypeError); an empty selection gives `initial`, no error."""
    def fn(x, labels):
        return np.max(x[labels == 1], initial=-np.inf), x[labels == 7].min(initial=5.0)

    check_like_numpy(fn, {}, lambda s, n: (_f(n, seed=s), _i(3, n, seed=s)))


def test_histogram2d_with_edge_arrays():
    """`np.histogram2d(x, y, bins=(xedges, yedges))` and one list of edges for both axes
    raised UnsupportedFunctionError (int bins only); NumPy counts into the edges given."""
    def fn(x, y, xe):
        H1, _, ye = np.histogram2d(x, y, bins=(xe, 3), range=[None, (-2, 2)])
        H2, e1, e2 = np.histogram2d(x, y, bins=[-2.0, -0.5, 0.0, 0.5, 2.0])
        H3 = np.histogramdd(np.stack([x, y], axis=1), bins=[np.arange(-2, 3), xe])[0]
        return H1, ye, H2, e1, e2, H3

    check_like_numpy(fn, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1),
                                           np.sort(_f(4, seed=s + 2))))
    with pytest.raises(ValueError, match="monotonically"):
        tracenp.jit(fn)(_f(5), _f(5), np.array([0.0, 1.0, -1.0, 2.0]))


def _shape_params(x, n, q=50, d=2):
    return (
        np.arange(n) * x[0],
        np.eye(n)[0],
        np.identity(n).sum(),
        np.tri(n)[-1],
        np.indices((n, 2)).sum(),
        np.mgrid[0:n, 0:2].sum(axis=0),
        np.tile(x[:2], n),
        np.repeat(x[:2], n),
        np.array_split(x, n),
        np.lib.stride_tricks.sliding_window_view(x, n).mean(axis=-1),
        np.partition(x, n)[n],
        np.histogram(x, bins=n)[0],
        np.round(x / 7, d),
        np.percentile(x, q),
        np.random.default_rng(0).random(n),
    )


def test_python_int_arguments_that_fix_shapes_are_made_static():
    """`np.arange(n)`, `np.eye(n)`, `np.tile(x, k)`, `np.array_split(x, k)`, `np.round(x, d)`,
    `np.percentile(x, q)` and a seeded generator's `random(n)` with Python int arguments
    raised DataDependentShapeError, UnsupportedFunctionError or a bare TypeError/AttributeError
    (`np.mgrid` catches the ConcretizationError and fails on): unlike `np.zeros(n)`, their
    refusals did not say which values were traced, so jit did not make the arguments static.
    Now they are, and NumPy's values come back for each value; a bound computed from an array
    stays refused by name."""
    jf = tracenp.jit(_shape_params)
    for n, q, d in ((3, 50, 2), (2, 90, 1), (3, 10, 2)):
        x = _f(12, seed=n + q)
        assert_same(jf(x, n, q=q, d=d), _shape_params(x, n, q=q, d=d))
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda x: np.arange(x.shape[0] - x.argmax()))(_f(5))
    check_steered(kfold_indices, lambda s: (np.random.default_rng(0), 6 + s))


def weekly_totals(daily):
    week = np.arange(len(daily)) // 7
    return np.bincount(week, weights=daily), np.bincount(week), np.bincount(week, daily, 5)


def test_bincount_of_known_bins_with_traced_weights():
    """`np.bincount(np.arange(n) // 7, weights=daily)`: the bins are constants of the trace,
    so NumPy's length is known, but with traced weights it raised DataDependentShapeError."""
    check_like_numpy(weekly_totals, {}, lambda s, n: (_f(5 * n, seed=s),))


def best_hour_per_day(X):
    return np.nanargmax(X, axis=1), np.nanargmin(X[:, 1:], axis=0)


def test_nanargmax_of_an_all_nan_slice_raises():
    """`np.nanargmax` of a row of NaNs only raises NumPy's ValueError("All-NaN slice
    encountered"); the compiled function returned 0 silently."""
    check_like_numpy(best_hour_per_day, {}, lambda s, n: (_nans(n, 4, seed=s, frac=0.2),))
    X = _nans(4, 4, seed=1, frac=0.2)
    X[2] = np.nan
    jf = tracenp.jit(best_hour_per_day)
    with pytest.raises(ValueError, match="All-NaN slice"):
        best_hour_per_day(X)
    with pytest.raises(ValueError, match="All-NaN slice"):
        jf(X)


def split_with_seed(X, y, seed, test_frac=0.25):
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(X))
    n_test = int(len(X) * test_frac)
    return X[perm[n_test:]], X[perm[:n_test]], y[perm[n_test:]], y[perm[:n_test]]


def noisy_copy(X, random_state):
    np.random.seed(random_state)
    return X + 0.1 * np.random.randn(*X.shape)


def jitter(X, random_state=0):
    rs = np.random.RandomState(random_state)
    return X + rs.uniform(-0.5, 0.5, size=X.shape)


@pytest.mark.parametrize("fn", [split_with_seed, noisy_copy, jitter])
def test_a_python_int_seed_argument_is_made_static(fn):
    """`default_rng(seed)`, `np.random.seed(random_state)` and `RandomState(random_state)` of
    a Python int argument raised RandomInTraceError ("a traced seed"; RandomState's said the
    generator was not a global): the seed's value decides the numbers, so jit makes it
    static, as other Python ints whose values the function needs. NumPy's numbers for each
    seed, and the global state left as NumPy leaves it."""
    n_args = 3 if fn is split_with_seed else 2

    def make(s):
        X, y = _f(8, 2, seed=s), _i(2, 8, seed=s)
        return (X, y, 10 + s) if n_args == 3 else (X, 10 + s)

    check_steered(fn, make)


def test_a_seed_argument_leaves_numpys_global_state():
    """After `np.random.seed(random_state)` of a static seed, the global state is NumPy's."""
    jf = tracenp.jit(noisy_copy)
    for seed in (3, 4, 3):
        want = noisy_copy(_f(4), seed)
        state = np.random.get_state()[1].copy()
        assert_same(jf(_f(4), seed), want)
        assert np.array_equal(np.random.get_state()[1], state)


def test_a_seed_argument_of_another_corpus_function_is_static():
    """hunt D's `ising_init(n, seed)` (`default_rng(seed)` inside) was refused for its traced
    seed; it is made static now."""
    from test_corpus_hunt_d import ising_init

    check_steered(lambda seed: ising_init(4, seed), lambda s: (s,))


def weighted_score(scores, w):
    return np.average(scores, weights=w), np.average(scores.reshape(-1, 2), axis=0, weights=w[::2])


def test_average_with_weights_that_sum_to_zero_raises():
    """`np.average(x, weights=w)` with weights summing to zero raises NumPy's
    ZeroDivisionError (when the function runs, or while tracing for constant weights); the
    compiled function returned nan silently."""
    check_like_numpy(weighted_score, {}, lambda s, n: (_f(2 * n, seed=s), _f(2 * n, positive=True, seed=s)))
    w = np.r_[1.0, -1.0, 2.0, -2.0]
    with pytest.raises(ZeroDivisionError):
        weighted_score(_f(4), w)
    with pytest.raises(ZeroDivisionError):
        tracenp.jit(weighted_score)(_f(4), w)
    with pytest.raises(ZeroDivisionError):
        tracenp.jit(lambda x: np.average(x, weights=np.zeros(3)))(_f(3))
    assert_same(tracenp.grad(lambda x: np.average(x, weights=np.arange(3.0)))(_f(3)),
                np.arange(3.0) / 3)


def test_unique_along_a_missing_axis_is_numpys_axis_error():
    """`np.unique(x, axis=3)` of a 1-d x raised DataDependentShapeError, not NumPy's
    AxisError (the argument is wrong whatever the values)."""
    with pytest.raises(np.exceptions.AxisError):
        tracenp.jit(lambda x: np.unique(x, axis=3))(_f(4))
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda x: np.unique(x, axis=0))(_f(4))


def stack_features(a, b, M):
    return (np.r_["0,2", a, b], np.r_["-1", a, b], np.r_["0,2,0", a, b], np.r_["1,2,0", a, b],
            np.r_["0,3,1", a, b], np.r_["1", M * a, M], np.r_["0,2", a, b, 0:3],
            np.c_["0", a, b], np.r_["0,2,0", a, 1:4], np.r_["0,2", a.sum(), b[:1]])


def test_r_with_a_string_directive():
    """`np.r_["0,2", a, b]` (and `np.c_[...]` with a directive) of traced items raised
    UnsupportedFunctionError; NumPy's axis, ndmin and trans1d are applied now."""
    check_like_numpy(stack_features, {}, lambda s, n: (_f(3, seed=s), _f(3, seed=s + 1),
                                                       _f(n, 3, seed=s + 2)))
    with pytest.raises(ValueError, match="special directives must be the first"):
        tracenp.jit(lambda a: np.r_["0", a, "1"])(_f(3))


def _more_shape_params(x, n):
    return (np.histogram2d(x, x[::-1], bins=n)[0],
            np.random.default_rng(0).normal(x.mean(), 1.0, size=n))


def test_python_int_bins_of_histogram2d_and_size_of_a_seeded_draw_are_static():
    """`np.histogram2d(x, y, bins=n)` read a traced int `n` as an array of edges (ValueError),
    and `default_rng(0).normal(x.mean(), 1.0, size=n)` refused `size` without naming it, so
    jit did not make `n` static; it does now."""
    jf = tracenp.jit(_more_shape_params)
    for n in (2, 3, 2):
        x = _f(9, seed=n)
        assert_same(jf(x, n), _more_shape_params(x, n))


def test_most_frequent_exercise_traces():
    """The NumPy-exercises `most_frequent` (`np.bincount(Z).argmax()`), refused there before,
    gives NumPy's values."""
    from test_corpus_exercises import most_frequent

    check_like_numpy(most_frequent, {}, lambda s, n: (_i(10, 10 * n, seed=s),))


def test_forms_other_hunts_refused_now_trace():
    """hunt B's and the libraries' scipy `rankdata(method="average")` (a joined selection
    indexed by the dense ranks), the ML corpus's `np.bincount(x)` mode and its count, and
    hunt B's stochastic SIR (`default_rng(seed).binomial` of
    Python scalar arguments, now made static), were refused; NumPy's values now."""
    from test_corpus_hunt_b import rankdata_average, stochastic_sir
    from test_corpus_libs import _rankdata_average, _ties
    from test_corpus_ml import mode_small_ints

    check_like_numpy(rankdata_average, {}, lambda s, n: (_i(5, 2 * n, seed=s).astype(float),))
    check_like_numpy(_rankdata_average, {}, lambda s, n: (_ties(s, 2 * n),))
    check_steered(stochastic_sir, lambda s: (990 + s, 10, 0.3, 0.1))
    check_like_numpy(mode_small_ints, {}, lambda s, n: (_i(5, n * 2, seed=s),))
