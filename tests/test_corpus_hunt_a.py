"""Corpus, hunt A: bioinformatics, NLP and text features, recommender systems, time series, and
geospatial and astronomy code, written the way public NumPy code in those fields writes it
(one-hot and k-mer codes, quality scores, coverage by `np.add.at` and `np.cumsum`; tf-idf,
top-k by `np.argpartition` and reversed `np.argsort` with `np.take_along_axis`, positional
encodings, negative sampling; matrix-factorization SGD with fancy-index `+=` and `np.add.at`,
ALS by `np.linalg.solve`, ranking metrics; lags by `np.roll`, forward fill by
`np.maximum.accumulate(..., out=)`, resampling by `reshape`, `nan`-functions; haversine and
bearings, coordinate rotations, raster indices on uint16 bands, bounding boxes).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Forms that cannot be traced raise a named error and run
eagerly under `fallback=True`.
"""

from __future__ import annotations

import collections
import dataclasses
import types

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused

# ----------------------------------------------------------------------------- bioinformatics


def one_hot_with_n(seq):
    """Codes 0-3 for ACGT and 4 for N; an N is a uniform column (as in Basenji/Enformer)."""
    out = np.eye(5, dtype=np.float32)[seq][:, :4]
    out[seq == 4] = 0.25
    return out


def kmer_codes(seq, k=3):
    windows = sliding_window_view(seq, k)
    return (windows * 4 ** np.arange(k - 1, -1, -1)).sum(axis=1)


def kmer_spectrum_onehot(seq, k=2):
    codes = kmer_codes(seq, k)
    return (codes[:, None] == np.arange(4 ** k)).sum(axis=0)


def gc_skew_windows(seq, w=4):
    g = sliding_window_view(seq == 2, w).sum(axis=-1)
    c = sliding_window_view(seq == 1, w).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        skew = (g - c) / (g + c)
    return np.nan_to_num(skew), np.cumsum(np.nan_to_num(skew))


def gc_content_convolve(seq, w=3):
    is_gc = np.isin(seq, [1, 2]).astype(np.float64)
    return np.convolve(is_gc, np.ones(w) / w, mode="valid")


def phred_expected_errors(qual):
    q = qual.astype(np.int16) - 33
    p_err = 10.0 ** (-q / 10.0)
    return p_err.sum(axis=1), q.mean(axis=1), (q < 20).sum(axis=1)


def quality_trim_position(qual, threshold=20):
    q = qual.astype(np.int64) - 33
    scores = np.cumsum(threshold - q[::-1])[::-1]
    return np.argmax(scores), scores.max()


def coverage_from_intervals(starts, lengths, genome_len=20):
    diff = np.zeros(genome_len + 1, dtype=np.int32)
    np.add.at(diff, starts, 1)
    np.add.at(diff, starts + lengths, -1)
    return np.cumsum(diff[:-1])


def pairwise_read_hamming(reads):
    return (reads[:, None, :] != reads[None, :, :]).sum(axis=-1)


def codon_index(seq):
    codons = seq[: len(seq) // 3 * 3].reshape(-1, 3)
    return codons @ np.array([16, 4, 1])


def smith_waterman_rowwise(a, b, match=3, mismatch=-3, gap=2):
    H = np.zeros((len(a) + 1, len(b) + 1))
    for i in range(1, len(a) + 1):
        sub = np.where(a[i - 1] == b, match, mismatch)
        diag = H[i - 1, :-1] + sub
        up = H[i - 1, 1:] - gap
        row = np.maximum(np.maximum(diag, up), 0)
        for j in range(1, len(b) + 1):
            H[i, j] = np.maximum(row[j - 1], H[i, j - 1] - gap)
    return H, H.max(), np.unravel_index(H.argmax(), H.shape)


def pwm_best_hit(seq, pwm):
    L = pwm.shape[0]
    windows = sliding_window_view(seq, L)
    scores = pwm[np.arange(L), windows].sum(axis=1)
    rc = pwm[::-1, ::-1][np.arange(L), windows].sum(axis=1)
    both = np.maximum(scores, rc)
    return both.argmax(), both.max(), np.where(rc > scores, -1, 1)


def msa_consensus(msa, q=4):
    counts = (msa[..., None] == np.arange(q)).sum(axis=0)
    freqs = counts / msa.shape[0]
    return counts.argmax(axis=1), freqs.max(axis=1)


# ----------------------------------------------------------------------------- NLP


def tfidf_sklearn(X, smooth_idf=True, sublinear_tf=False):
    n_samples = X.shape[0]
    df = np.count_nonzero(X, axis=0)
    df = df + int(smooth_idf)
    n = n_samples + int(smooth_idf)
    idf = np.log(n / df) + 1
    X = X.astype(np.float64)
    if sublinear_tf:
        np.log(X, X, where=X != 0)
        X[X != 0] += 1
    X = X * idf
    norms = np.sqrt((X * X).sum(axis=1))
    norms[norms == 0.0] = 1.0
    X /= norms[:, np.newaxis]
    return X


def topk_argpartition_sorted(scores, k=3):
    idx = np.argpartition(-scores, k, axis=1)[:, :k]
    top = np.take_along_axis(scores, idx, axis=1)
    order = np.argsort(-top, axis=1)
    return np.take_along_axis(idx, order, axis=1), np.take_along_axis(top, order, axis=1)


def topk_argsort_reversed(sim, k=2):
    return np.argsort(sim, axis=1)[:, ::-1][:, :k]


def nearest_neighbors_excluding_self(E, k=2):
    En = E / np.linalg.norm(E, axis=1, keepdims=True)
    sim = En @ En.T
    np.fill_diagonal(sim, -np.inf)
    nn = np.argsort(-sim, axis=1)[:, :k]
    return nn, sim[np.arange(len(sim))[:, None], nn]


def sinusoidal_positional_encoding(x, max_len=64):
    seq_len, d_model = x.shape
    pe = np.zeros((max_len, d_model))
    position = np.arange(0, max_len)[:, np.newaxis]
    div_term = np.exp(np.arange(0, d_model, 2) * -(np.log(10000.0) / d_model))
    pe[:, 0::2] = np.sin(position * div_term)
    pe[:, 1::2] = np.cos(position * div_term)
    return x + pe[:seq_len]


def sgns_step(W_in, W_out, center, context, negatives, lr=0.05):
    v = W_in[center]
    u_pos = W_out[context]
    u_neg = W_out[negatives]
    s_pos = 1 / (1 + np.exp(-(v * u_pos).sum(-1)))
    s_neg = 1 / (1 + np.exp(-np.einsum("bd,bkd->bk", v, u_neg)))
    g_pos = (s_pos - 1)[:, None]
    g_v = g_pos * u_pos + (s_neg[..., None] * u_neg).sum(1)
    np.add.at(W_out, context, -lr * g_pos * v)
    np.add.at(W_out, negatives, -lr * s_neg[..., None] * v[:, None, :])
    np.add.at(W_in, center, -lr * g_v)
    loss = -np.log(s_pos).sum() - np.log(1 - s_neg).sum()
    return loss


def embedding_bag_reduceat(emb, ids, offsets):
    vecs = emb[ids]
    sums = np.add.reduceat(vecs, offsets, axis=0)
    counts = np.diff(np.append(offsets, len(ids)))
    return sums / counts[:, None]


def csr_row_stats(data, indptr):
    """Row sums and maxima of a CSR matrix as scipy.sparse-free code writes them (no empty rows)."""
    sums = np.add.reduceat(data, indptr[:-1])
    maxes = np.maximum.reduceat(data, indptr[:-1])
    return sums, maxes, sums / np.diff(indptr)


def sentence_perplexity(logprobs, mask):
    nll = -(logprobs * mask).sum(axis=1) / mask.sum(axis=1)
    return np.exp(nll), np.exp(nll.mean())


def bigram_transition_matrix(ids, vocab=6, alpha=1.0):
    counts = np.zeros((vocab, vocab))
    np.add.at(counts, (ids[:-1], ids[1:]), 1)
    counts += alpha
    return counts / counts.sum(axis=1, keepdims=True)


def greedy_decode_logits(logits):
    tokens = logits.argmax(axis=-1)
    logp = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    score = np.take_along_axis(logp, tokens[..., None], axis=-1).squeeze(-1).sum(-1)
    return tokens, score


# ----------------------------------------------------------------------------- recommender


def mf_sgd_fancy(P, Q, users, items, ratings, lr=0.01, reg=0.02):
    err = ratings - np.sum(P[users] * Q[items], axis=1)
    P[users] += lr * (err[:, None] * Q[items] - reg * P[users])
    Q[items] += lr * (err[:, None] * P[users] - reg * Q[items])
    return np.sqrt(np.mean(err ** 2))


def mf_sgd_add_at(P, Q, users, items, ratings, lr=0.01, reg=0.02):
    pu, qi = P[users], Q[items]
    err = ratings - np.einsum("ij,ij->i", pu, qi)
    np.add.at(P, users, lr * (err[:, None] * qi - reg * pu))
    np.add.at(Q, items, lr * (err[:, None] * pu - reg * qi))
    return err


def mf_sgd_loop(P, Q, users, items, ratings, lr=0.01, reg=0.02):
    for u, i, r in zip(users, items, ratings):
        e = r - P[u].dot(Q[i])
        pu = P[u].copy()
        P[u] += lr * (e * Q[i] - reg * P[u])
        Q[i] += lr * (e * pu - reg * Q[i])
    return P, Q


def als_user_step(R, Q, reg=0.1):
    k = Q.shape[1]
    P = np.empty((R.shape[0], k))
    for u in range(R.shape[0]):
        mask = R[u] > 0
        Qm = Q * mask[:, None]
        A = Qm.T @ Qm + reg * np.eye(k)
        P[u] = np.linalg.solve(A, Qm.T @ R[u])
    return P


def implicit_als_batched(C, Pref, Y, reg=0.1):
    k = Y.shape[1]
    YtCY = np.einsum("ui,ik,il->ukl", C, Y, Y) + reg * np.eye(k)
    rhs = np.einsum("ui,ui,ik->uk", C, Pref, Y)
    return np.linalg.solve(YtCY, rhs[..., None])[..., 0]


def implicit_confidence(R, alpha=40.0, eps=1e-8):
    C = 1 + alpha * np.log1p(R / eps)
    P = (R > 0).astype(np.float64)
    return C, P


def masked_rmse(R, P, Q):
    mask = R > 0
    pred = P @ Q.T
    return np.sqrt(((R - pred)[mask] ** 2).mean()), np.sqrt(np.sum(mask * (R - pred) ** 2) / mask.sum())


def user_mean_center(R):
    sums = R.sum(axis=1)
    counts = (R != 0).sum(axis=1)
    means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts != 0)
    return np.where(R != 0, R - means[:, None], 0.0), means


def ndcg_at_k(scores, relevance, k=3):
    order = np.argsort(-scores, axis=1)[:, :k]
    gains = np.take_along_axis(relevance, order, axis=1)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (gains * discounts).sum(axis=1)
    ideal = -np.sort(-relevance, axis=1)[:, :k]
    idcg = (ideal * discounts).sum(axis=1)
    return np.divide(dcg, idcg, out=np.zeros_like(dcg), where=idcg > 0)


def precision_recall_at_k(scores, truth, k=2):
    topk = np.argpartition(scores, -k, axis=1)[:, -k:]
    hits = np.take_along_axis(truth, topk, axis=1).sum(axis=1)
    n_rel = truth.sum(axis=1)
    return hits / k, hits / np.maximum(n_rel, 1)


def bpr_step(P, Q, u, i, j, lr=0.05, reg=0.01):
    x_uij = np.sum(P[u] * (Q[i] - Q[j]), axis=1)
    z = 1.0 / (1.0 + np.exp(x_uij))
    P[u] += lr * (z[:, None] * (Q[i] - Q[j]) - reg * P[u])
    Q[i] += lr * (z[:, None] * P[u] - reg * Q[i])
    Q[j] += lr * (-z[:, None] * P[u] - reg * Q[j])
    return np.log(1 + np.exp(-x_uij)).mean()


def item_item_topk(R, k=2):
    norms = np.linalg.norm(R, axis=0)
    norms[norms == 0] = 1
    S = (R.T @ R) / np.outer(norms, norms)
    np.fill_diagonal(S, 0)
    nbrs = np.argsort(S, axis=1)[:, -k:][:, ::-1]
    return S, nbrs


# ----------------------------------------------------------------------------- time series


def lag_features_roll(x, lags=(1, 2, 3)):
    cols = []
    for k in lags:
        lagged = np.roll(x, k).astype(float)
        lagged[:k] = np.nan
        cols.append(lagged)
    return np.column_stack(cols)


def pct_change_concat(x):
    return np.concatenate(([np.nan], np.diff(x) / x[:-1]))


def resample_mean(x, k=3):
    n = len(x) // k * k
    return x[:n].reshape(-1, k).mean(1), x[:n].reshape(-1, k).max(axis=1)


def ffill_2d(arr):
    mask = np.isnan(arr)
    idx = np.where(~mask, np.arange(mask.shape[1]), 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    out = arr[np.arange(idx.shape[0])[:, None], idx]
    return out


def bfill_1d(arr):
    mask = np.isnan(arr)
    idx = np.where(~mask, np.arange(mask.shape[0]), mask.shape[0] - 1)
    idx = np.minimum.accumulate(idx[::-1])[::-1]
    return arr[idx]


def zscore_anomalies(x, thresh=1.5):
    z = (x - np.nanmean(x)) / np.nanstd(x)
    flags = np.abs(z) > thresh
    return z, flags, flags.sum()


def rolling_stats_windows(x, w=3):
    win = sliding_window_view(x, w)
    mean = win.mean(axis=-1)
    std = win.std(axis=-1, ddof=1)
    pad = np.full(w - 1, np.nan)
    return np.concatenate([pad, mean]), np.concatenate([pad, std]), win.max(-1) - win.min(-1)


def rolling_nanmean_windows(x, w=3):
    return np.nanmean(sliding_window_view(x, w), axis=1)


def seasonal_naive_decompose(x, period=4):
    trend = np.convolve(x, np.ones(period) / period, mode="same")
    detrended = x - trend
    seasonal = np.array([detrended[i::period].mean() for i in range(period)])
    seasonal -= seasonal.mean()
    season = np.tile(seasonal, len(x) // period + 1)[: len(x)]
    return trend, season, x - trend - season


def ewm_adjusted(x, alpha=0.3):
    n = len(x)
    w = (1 - alpha) ** np.arange(n)[::-1]
    num = np.cumsum(w * x)
    den = np.cumsum(w)
    return num / den / (1 - alpha) ** np.arange(n)[::-1] * (1 - alpha) ** np.arange(n)[::-1]


def log_returns_stats(prices, periods_per_year=252):
    r = np.diff(np.log(prices))
    vol = r.std(ddof=1) * np.sqrt(periods_per_year)
    sharpe = r.mean() / r.std(ddof=1) * np.sqrt(periods_per_year)
    cum = np.exp(np.cumsum(r))
    return vol, sharpe, cum


def detrend_linear_polyfit(y):
    t = np.arange(len(y), dtype=float)
    coef = np.polyfit(t, y, 1)
    return y - np.polyval(coef, t), coef


def nan_robust_normalize(x):
    x = np.nan_to_num(x, nan=np.nanmedian(x), posinf=np.nanmax(x[np.isfinite(x)]))
    lo, hi = np.percentile(x, [5, 95])
    return np.clip((x - lo) / (hi - lo), 0, 1)


def columnwise_pearson_vecdot(X, Y):
    """NumPy 2 style (as scipy.stats.pearsonr now writes it): centred columns, np.vecdot along
    axis 0, and a float32 matmul with dtype=."""
    xc = X - X.mean(axis=0)
    yc = Y - Y.mean(axis=0)
    r = np.vecdot(xc, yc, axis=0) / np.sqrt(np.vecdot(xc, xc, axis=0) * np.vecdot(yc, yc, axis=0))
    cross = np.matmul(xc.T, yc, dtype=np.float32) / (len(X) - 1)
    return r, cross, np.vecdot(xc, yc, axis=0, keepdims=True)


def legendre_detrend(t, y, deg=3):
    """Detrending by a Legendre basis (np.polynomial's vander) and lstsq, as light-curve code does."""
    u = 2 * (t - t.min()) / (t.max() - t.min()) - 1
    V = np.polynomial.legendre.legvander(u, deg)
    coef, *_ = np.linalg.lstsq(V, y, rcond=None)
    return y - np.polynomial.legendre.legval(u, coef), coef


def wavelength_solution(pixels, coeffs):
    """A spectrograph's pixel-to-wavelength polynomial, its dispersion (derivative) and the
    Chebyshev form of the same fit."""
    wave = np.polynomial.polynomial.polyval(pixels, coeffs)
    disp = np.polynomial.polynomial.polyval(pixels, np.polynomial.polynomial.polyder(coeffs))
    cheb = np.polynomial.Chebyshev(coeffs, domain=[0, 2048])(pixels)
    return wave, disp, cheb


def gauss_legendre_integral(a, b, n=6):
    x, w = np.polynomial.legendre.leggauss(n)
    t = 0.5 * (x + 1) * (b - a)[:, None] + a[:, None]
    return 0.5 * (b - a) * np.sum(w * np.exp(-t ** 2), axis=1)


def ar2_characteristic_roots(phi):
    """The AR(2) companion matrix (constants from the model order) and its eigenvalues."""
    companion = np.array([[0.5, -0.3], [1.0, 0.0]])
    return np.abs(np.linalg.eigvals(companion)) * phi, np.linalg.eig(companion)[1][:, 0] * phi


def pairwise_complete_correlation(x, y):
    """Correlation and covariance over the time steps where both series are observed."""
    ok = ~np.isnan(x) & ~np.isnan(y)
    r = np.corrcoef(x[ok], y[ok])[0, 1]
    cov = np.cov(x[ok], y[ok], ddof=0)
    beta = cov[0, 1] / np.cov(x[ok], bias=True)
    return r, cov, beta


def crossings_and_runs(x):
    above = x > x.mean()
    crossings = np.count_nonzero(np.diff(above.astype(np.int8)))
    change = np.concatenate(([True], above[1:] != above[:-1]))
    run_id = np.cumsum(change) - 1
    return crossings, run_id


# ----------------------------------------------------------------------------- geospatial, astronomy


def haversine_pairwise(lat1, lon1, lat2, lon2, R=6371.0):
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    dlat = lat2[None, :] - lat1[:, None]
    dlon = lon2[None, :] - lon1[:, None]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat1[:, None]) * np.cos(lat2[None, :]) * np.sin(dlon / 2) ** 2
    return 2 * R * np.arcsin(np.sqrt(a))


def initial_bearing(lat1, lon1, lat2, lon2):
    phi1, phi2 = np.deg2rad(lat1), np.deg2rad(lat2)
    dl = np.deg2rad(lon2 - lon1)
    y = np.sin(dl) * np.cos(phi2)
    x = np.cos(phi1) * np.sin(phi2) - np.sin(phi1) * np.cos(phi2) * np.cos(dl)
    return (np.degrees(np.arctan2(y, x)) + 360) % 360


def destination_point(lat, lon, bearing, dist_km, R=6371.0):
    phi1, lam1, theta = np.radians(lat), np.radians(lon), np.radians(bearing)
    delta = dist_km / R
    phi2 = np.arcsin(np.sin(phi1) * np.cos(delta) + np.cos(phi1) * np.sin(delta) * np.cos(theta))
    lam2 = lam1 + np.arctan2(np.sin(theta) * np.sin(delta) * np.cos(phi1),
                             np.cos(delta) - np.sin(phi1) * np.sin(phi2))
    return np.degrees(phi2), (np.degrees(lam2) + 540) % 360 - 180


def equatorial_to_galactic(ra_deg, dec_deg):
    R = np.array([[-0.0548755604, -0.8734370902, -0.4838350155],
                  [0.4941094279, -0.4448296300, 0.7469822445],
                  [-0.8676661490, -0.1980763734, 0.4559837762]])
    ra, dec = np.deg2rad(ra_deg), np.deg2rad(dec_deg)
    xyz = np.array([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)])
    x, y, z = R @ xyz
    l = np.rad2deg(np.arctan2(y, x)) % 360
    b = np.rad2deg(np.arcsin(np.clip(z, -1, 1)))
    return l, b


def angular_separation_vincenty(ra1, dec1, ra2, dec2):
    sdlon, cdlon = np.sin(ra2 - ra1), np.cos(ra2 - ra1)
    s1, s2, c1, c2 = np.sin(dec1), np.sin(dec2), np.cos(dec1), np.cos(dec2)
    num1 = c2 * sdlon
    num2 = c1 * s2 - s1 * c2 * cdlon
    denom = s1 * s2 + c1 * c2 * cdlon
    return np.arctan2(np.hypot(num1, num2), denom)


def ndvi_uint16(nir, red):
    nir = nir.astype(np.float32)
    red = red.astype(np.float32)
    denom = nir + red
    ndvi = np.where(denom == 0, np.nan, (nir - red) / np.where(denom == 0, 1, denom))
    return np.clip(ndvi, -1, 1), np.nanmean(ndvi), np.isnan(ndvi).sum()


def ndvi_raw_uint16(nir, red):
    with np.errstate(divide="ignore", invalid="ignore"):
        return (nir - red) / (nir + red)


def ndwi_cloud_masked(green, nir, qa, nodata=0):
    valid = (green != nodata) & (nir != nodata) & ((qa & 0b11000) == 0)
    ndwi = np.full(green.shape, np.nan, dtype=np.float32)
    g, n = green.astype(np.float32), nir.astype(np.float32)
    ndwi[valid] = ((g - n) / (g + n))[valid]
    return ndwi, np.nanmean(ndwi, axis=0)


def bbox_filter_stats(lon, lat, vals, bbox=(-10.0, -5.0, 10.0, 5.0)):
    minx, miny, maxx, maxy = bbox
    mask = (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)
    return mask.sum(), vals[mask].mean(), np.where(mask, vals, np.nan)


def bbox_weighted_stats(lon, lat, vals, weights, bbox=(-10.0, -5.0, 10.0, 5.0)):
    """Weighted statistics of the points in a box, as station and survey code writes them."""
    inside = (lon >= bbox[0]) & (lon <= bbox[2]) & (lat >= bbox[1]) & (lat <= bbox[3])
    mean, wsum = np.average(vals[inside], weights=weights[inside], returned=True)
    centroid = np.average(np.column_stack([lon, lat])[inside], axis=0, weights=weights[inside])
    energy = vals[inside] @ vals[inside]
    return mean, wsum, centroid, energy, np.dot(vals[inside], weights[inside])


def web_mercator(lon, lat):
    x = np.radians(lon) * 6378137.0
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * 6378137.0
    return np.stack([x, y], axis=-1)


def wrap_longitude(lon):
    return (lon + 180) % 360 - 180, np.mod(lon, 360), np.unwrap(np.radians(lon))


def pixel_centers_affine(raster, transform=(0.5, 0.0, 100.0, 0.0, -0.5, 50.0)):
    a, b, c, d, e, f = transform
    rows, cols = np.indices(raster.shape)
    xs = a * (cols + 0.5) + b * (rows + 0.5) + c
    ys = d * (cols + 0.5) + e * (rows + 0.5) + f
    return xs[raster > 0].mean(), ys, np.meshgrid(np.arange(raster.shape[1]), np.arange(raster.shape[0]))[0]


def slope_aspect(dem, cellsize=30.0):
    dzdy, dzdx = np.gradient(dem, cellsize)
    slope = np.degrees(np.arctan(np.hypot(dzdx, dzdy)))
    aspect = np.degrees(np.arctan2(-dzdx, dzdy))
    aspect = np.where(aspect < 0, 90.0 - aspect, np.where(aspect > 90.0, 360.0 - aspect + 90.0, 90.0 - aspect))
    return slope, aspect


def flux_to_mag(flux, flux_err, zp=25.0):
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = -2.5 * np.log10(flux) + zp
        mag_err = 2.5 / np.log(10) * flux_err / flux
    mag[flux <= 0] = np.nan
    return mag, mag_err


def sigma_clip_fixed(x, sigma=2.0, iters=3):
    data = x.astype(float).copy()
    for _ in range(iters):
        med = np.nanmedian(data)
        std = np.nanstd(data)
        data[np.abs(data - med) > sigma * std] = np.nan
    return np.nanmean(data), np.isnan(data).sum()


def julian_date(year, month, day):
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    jdn = day + (153 * m + 2) // 5 + 365 * y + y // 4 - y // 100 + y // 400 - 32045
    return jdn, jdn - 2451545


def altaz_airmass(ha, dec, lat=0.6):
    sin_alt = np.sin(dec) * np.sin(lat) + np.cos(dec) * np.cos(lat) * np.cos(ha)
    alt = np.arcsin(sin_alt)
    az = np.arctan2(np.sin(ha), np.cos(ha) * np.sin(lat) - np.tan(dec) * np.cos(lat))
    airmass = np.where(alt > 0, 1.0 / np.sin(alt), np.inf)
    return alt, az % (2 * np.pi), airmass


# ----------------------------------------------------------------------------- more bioinformatics


def ascii_to_codes(seq_bytes):
    lut = np.full(256, 4, dtype=np.int8)
    lut[[65, 67, 71, 84]] = [0, 1, 2, 3]
    lut[[97, 99, 103, 116]] = [0, 1, 2, 3]
    codes = lut[seq_bytes]
    return codes, (codes == 4).mean()


def twobit_pack(codes):
    c = codes.astype(np.uint8).reshape(-1, 4)
    packed = (c[:, 0] << 6) | (c[:, 1] << 4) | (c[:, 2] << 2) | c[:, 3]
    return packed, np.unpackbits(packed[:, None], axis=1)


def kmer_uint8_overflow(seq):
    s = seq.astype(np.uint8)
    return s[:-1] * 4 + s[1:], s * 64


def jukes_cantor_distance(msa):
    diff = (msa[:, None, :] != msa[None, :, :]).mean(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = -0.75 * np.log(1 - 4.0 / 3.0 * diff)
    return np.where(np.isfinite(d), d, np.inf)


def viterbi_log(log_pi, log_A, log_B, obs):
    T, N = len(obs), log_pi.shape[0]
    delta = np.zeros((T, N))
    psi = np.zeros((T, N), dtype=int)
    delta[0] = log_pi + log_B[:, obs[0]]
    for t in range(1, T):
        scores = delta[t - 1][:, None] + log_A
        psi[t] = np.argmax(scores, axis=0)
        delta[t] = np.max(scores, axis=0) + log_B[:, obs[t]]
    path = np.zeros(T, dtype=int)
    path[-1] = np.argmax(delta[-1])
    for t in range(T - 2, -1, -1):
        path[t] = psi[t + 1, path[t + 1]]
    return path, delta[-1].max()


def hmm_forward_scaled(pi, A, B, obs):
    T = len(obs)
    alpha = np.zeros((T, len(pi)))
    c = np.zeros(T)
    alpha[0] = pi * B[:, obs[0]]
    c[0] = 1.0 / alpha[0].sum()
    alpha[0] *= c[0]
    for t in range(1, T):
        alpha[t] = (alpha[t - 1] @ A) * B[:, obs[t]]
        c[t] = 1.0 / alpha[t].sum()
        alpha[t] *= c[t]
    return -np.sum(np.log(c)), alpha


def nussinov_pairs(seq, min_loop=1):
    n = len(seq)
    pair = ((seq[:, None] + seq[None, :]) == 3) | ((seq[:, None] == 2) & (seq[None, :] == 3))
    N = np.zeros((n, n), dtype=np.int64)
    for length in range(min_loop + 1, n):
        for i in range(n - length):
            j = i + length
            best = np.maximum(N[i + 1, j], N[i, j - 1])
            best = np.maximum(best, N[i + 1, j - 1] + pair[i, j])
            if j - i > 1:
                best = np.maximum(best, (N[i, i + 1:j] + N[i + 2:j + 1, j]).max())
            N[i, j] = best
    return N[0, n - 1]


def neighbor_joining_q(D):
    n = D.shape[0]
    r = D.sum(axis=1)
    Q = (n - 2) * D - r[:, None] - r[None, :]
    np.fill_diagonal(Q, np.inf)
    i, j = np.unravel_index(np.argmin(np.triu(Q, 1) + np.tril(np.full_like(Q, np.inf))), Q.shape)
    d_iu = 0.5 * D[i, j] + (r[i] - r[j]) / (2 * (n - 2))
    return i, j, d_iu, D[i, j] - d_iu


def label_smoothing_targets(labels, n_classes=5, eps=0.1):
    y = np.full((len(labels), n_classes), eps / (n_classes - 1))
    y[np.arange(len(labels)), labels] = 1 - eps
    return y


# ----------------------------------------------------------------------------- more NLP


def beam_search_step(beam_scores, logprobs, k=3):
    n_beams, V = logprobs.shape
    cand = (beam_scores[:, None] + logprobs).reshape(-1)
    top = np.argsort(cand)[-k:][::-1]
    beam_idx, tok = np.divmod(top, V)
    return beam_idx, tok, cand[top]


def causal_attention_mask(q, k):
    n = q.shape[0]
    scores = q @ k.T / np.sqrt(q.shape[-1])
    mask = np.tril(np.ones((n, n)))
    scores = np.where(mask == 0, -1e9, scores)
    scores -= scores.max(axis=-1, keepdims=True)
    w = np.exp(scores)
    return w / w.sum(-1, keepdims=True)


def logsumexp_scipy_style(a, axis=-1):
    a_max = np.amax(a, axis=axis, keepdims=True)
    if a_max.ndim > 0:
        a_max[~np.isfinite(a_max)] = 0
    elif not np.isfinite(a_max):
        a_max = 0
    tmp = np.exp(a - a_max)
    with np.errstate(divide="ignore"):
        s = np.sum(tmp, axis=axis, keepdims=True)
        out = np.log(s)
    out += a_max
    return np.squeeze(out, axis=axis)


def exclude_seen_topk(scores, seen, k=2):
    scores = scores.copy()
    scores[np.isin(np.arange(scores.shape[1]), seen)[None, :].repeat(len(scores), 0)] = -np.inf
    return np.argpartition(-scores, k, axis=1)[:, :k]


def doc_length_normalize(counts):
    lengths = counts.sum(axis=1, keepdims=True)
    tf = counts / np.maximum(lengths, 1)
    idf = np.log1p(counts.shape[0] / (1 + (counts > 0).sum(0)))
    return tf * idf, np.sqrt(tf)


def minimum_reduce_edit_row(prev, a_char, b, ins=1, dele=1, sub=1):
    cur = np.empty_like(prev)
    cur[0] = prev[0] + dele
    costs = np.minimum.reduce([prev[1:] + dele, prev[:-1] + (a_char != b) * sub])
    for j in range(1, len(prev)):
        cur[j] = np.minimum(costs[j - 1], cur[j - 1] + ins)
    return cur


# ----------------------------------------------------------------------------- more recommender


def baseline_biases(R, reg=5.0):
    mask = R > 0
    mu = R[mask].mean()
    bu = ((R - mu) * mask).sum(1) / (reg + mask.sum(1))
    bi = ((R - mu - bu[:, None]) * mask).sum(0) / (reg + mask.sum(0))
    pred = np.clip(mu + bu[:, None] + bi[None, :], 1, 5)
    return mu, bu, bi, pred


def negative_sampling_seeded(users, n_items, n_neg=2):
    rng = np.random.default_rng(42)
    neg = rng.integers(0, n_items, size=(len(users), n_neg))
    return np.repeat(users, n_neg), neg.ravel()


def score_and_rank_users(P, Q, seen_mask, k=2):
    scores = P @ Q.T
    scores[seen_mask] = -np.inf
    top = np.argpartition(scores, -k, axis=1)[:, -k:]
    order = np.argsort(np.take_along_axis(scores, top, axis=1), axis=1)[:, ::-1]
    return np.take_along_axis(top, order, axis=1)


def hit_rate_mrr(ranked, held_out):
    hits = ranked == held_out[:, None]
    hit_rate = hits.any(axis=1).mean()
    ranks = np.argmax(hits, axis=1) + 1
    mrr = np.where(hits.any(axis=1), 1.0 / ranks, 0.0).mean()
    return hit_rate, mrr


def sgd_biased_mf_epoch(P, Q, bu, bi, mu, users, items, ratings, lr=0.01, reg=0.05):
    for idx in range(len(users)):
        u, i = users[idx], items[idx]
        pred = mu + bu[u] + bi[i] + P[u] @ Q[i]
        e = ratings[idx] - pred
        bu[u] += lr * (e - reg * bu[u])
        bi[i] += lr * (e - reg * bi[i])
        P[u], Q[i] = P[u] + lr * (e * Q[i] - reg * P[u]), Q[i] + lr * (e * P[u] - reg * Q[i])
    return P, Q, bu, bi


def cooccurrence_lift(X):
    X = (X > 0).astype(np.int32)
    co = X.T @ X
    support = np.diag(co) / X.shape[0]
    conf = co / np.diag(co)[:, None]
    lift = conf / support[None, :]
    return co, np.nan_to_num(lift)


# ----------------------------------------------------------------------------- more time series


def datetime_features(ts):
    hours = (ts - ts[0]) / np.timedelta64(1, "h")
    days = ts.astype("datetime64[D]")
    weekday = (days.astype(np.int64) - 4) % 7
    return hours, weekday, np.diff(ts).astype("timedelta64[m]").astype(np.int64)


def datetime_int_views(ts):
    """Weekdays and epoch offsets through the int64 bits of datetimes, as pandas-free code
    reads them (`values.view("i8")`), and a hash mixed in uint64 through a view."""
    days = ts.astype("datetime64[D]").view("i8")
    weekday = (days - 4) % 7
    minutes = ts.view(np.int64) - ts[0].view(np.int64)
    h = (minutes.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(59)
    return weekday, minutes, h


def shift_epoch_in_place(stamps):
    """Writes through an int64 view reach the datetimes."""
    raw = stamps.view("i8")
    raw -= raw[0]
    return stamps


def sessionize(t, gap=1.5):
    new = np.diff(t, prepend=-np.inf) > gap
    sid = np.cumsum(new) - 1
    return sid, np.searchsorted(t, t + gap, side="right")


def interp_to_grid(t, y, step=0.5):
    grid = np.arange(0, 6, step)
    return np.interp(grid, t, y, left=np.nan, right=np.nan)


def lagged_cross_correlation(x, y):
    x = (x - x.mean()) / x.std()
    y = (y - y.mean()) / y.std()
    cc = np.correlate(x, y, mode="full") / len(x)
    lag = np.argmax(cc) - (len(x) - 1)
    return cc, lag


def dtw_distance(a, b):
    n, m = len(a), len(b)
    D = np.full((n + 1, m + 1), np.inf)
    D[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = abs(a[i - 1] - b[j - 1])
            D[i, j] = cost + np.min([D[i - 1, j], D[i, j - 1], D[i - 1, j - 1]])
    return D[n, m]


def hurst_exponent(x, max_lag=5):
    lags = range(2, max_lag)
    tau = [np.std(np.subtract(x[lag:], x[:-lag])) for lag in lags]
    poly = np.polyfit(np.log(lags), np.log(tau), 1)
    return poly[0] * 2.0


def fourier_terms(t, period=7.0, K=3):
    cols = []
    for k in range(1, K + 1):
        cols.append(np.sin(2 * np.pi * k * t / period))
        cols.append(np.cos(2 * np.pi * k * t / period))
    return np.stack(cols, axis=1)


def dominant_period(x):
    x = x - x.mean()
    power = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x))
    k = np.argmax(power[1:]) + 1
    return 1.0 / freqs[k], power


def strided_windows_step(x, w=4, step=2):
    win = sliding_window_view(x, w)[::step]
    return win.mean(axis=1), np.median(win, axis=1), np.apply_along_axis(np.ptp, 1, win)


def ewma_skip_nans(x, alpha=0.3):
    out = np.empty_like(x)
    s = np.nan_to_num(x[0])
    for i in range(len(x)):
        s = np.where(np.isnan(x[i]), s, alpha * x[i] + (1 - alpha) * s)
        out[i] = s
    return out


def time_bins_digitize(t, values, edges=(0.0, 1.0, 2.5, 4.0)):
    idx = np.digitize(t, edges)
    sums = np.zeros(len(edges) + 1)
    np.add.at(sums, idx, values)
    counts = np.bincount(idx, minlength=len(edges) + 1)
    return sums, counts


# ----------------------------------------------------------------------------- more geospatial


def slippy_tile_xy(lon, lat, zoom=5):
    n = 2 ** zoom
    xtile = ((lon + 180.0) / 360.0 * n).astype(int)
    lat_rad = np.radians(lat)
    ytile = ((1.0 - np.arcsinh(np.tan(lat_rad)) / np.pi) / 2.0 * n).astype(int)
    return xtile, ytile, np.floor((lon + 180) // 10).astype(np.int32)


def morton_interleave(x, y):
    x = x.astype(np.uint32)
    y = y.astype(np.uint32)
    def spread(v):
        v = (v | (v << 8)) & 0x00FF00FF
        v = (v | (v << 4)) & 0x0F0F0F0F
        v = (v | (v << 2)) & 0x33333333
        v = (v | (v << 1)) & 0x55555555
        return v
    return spread(x) | (spread(y) << 1)


def hashed_bow_buckets(token_hashes, dim=16):
    buckets = (token_hashes * 2654435761) & (dim - 1)
    return np.stack([np.bincount(b, minlength=dim) for b in buckets]), np.bincount(
        (token_hashes[0] % 1024) >> 6, minlength=16)


def point_in_polygon(px, py, poly):
    inside = np.zeros(px.shape, dtype=bool)
    n = len(poly)
    j = n - 1
    for i in range(n):
        xi, yi = poly[i]
        xj, yj = poly[j]
        cond = ((yi > py) != (yj > py)) & (px < (xj - xi) * (py - yi) / (yj - yi + 1e-300) + xi)
        inside ^= cond
        j = i
    return inside


def raster_cell_ids(rows, cols, vals, shape=(4, 5), mode="clip"):
    cell = np.ravel_multi_index((rows, cols), shape, mode=mode)
    total = np.bincount(cell, weights=vals, minlength=shape[0] * shape[1])
    return cell, total.reshape(shape)


def max_ndvi_composite(stack):
    ndvi = stack[:, 1] - stack[:, 0]
    idx = np.nanargmax(ndvi, axis=0)
    comp = np.take_along_axis(stack, idx[None, None], axis=0)[0]
    return idx, comp


def hillshade(dem, azimuth=315.0, altitude=45.0):
    x, y = np.gradient(dem)
    slope = np.pi / 2.0 - np.arctan(np.sqrt(x * x + y * y))
    aspect = np.arctan2(-x, y)
    az = azimuth * np.pi / 180.0
    alt = altitude * np.pi / 180.0
    shaded = np.sin(alt) * np.sin(slope) + np.cos(alt) * np.cos(slope) * np.cos(az - aspect)
    return (255 * (shaded + 1) / 2).astype(np.uint8)


def solar_zenith(lat, doy, hour):
    decl = np.radians(23.44) * np.sin(np.radians(360.0 / 365.0 * (doy - 81)))
    ha = np.radians(15.0 * (hour - 12.0))
    phi = np.radians(lat)
    cosz = np.sin(phi) * np.sin(decl) + np.cos(phi) * np.cos(decl) * np.cos(ha)
    return np.degrees(np.arccos(np.clip(cosz, -1.0, 1.0)))


def scale_reflectance_float32(band, nodata=0):
    refl = band.astype(np.float32) * 0.0001 - 0.1
    refl[band == nodata] = np.nan
    return refl, np.nanpercentile(refl, [2, 98])


def nearest_resample(src, out_shape=(5, 7)):
    h, w = src.shape
    rows = (np.arange(out_shape[0]) + 0.5) * h / out_shape[0]
    cols = (np.arange(out_shape[1]) + 0.5) * w / out_shape[1]
    r = np.clip(rows.astype(int), 0, h - 1)
    c = np.clip(cols.astype(int), 0, w - 1)
    return src[r[:, None], c[None, :]], src[np.ix_(r, c)]


def angle_diff_wrap(a, b):
    d = np.fmod(a - b + 540.0, 360.0) - 180.0
    return d, np.remainder(a - b, 360.0), np.arccos(np.clip(np.cos(np.radians(a - b)), -1, 1))


def cartesian_from_geodetic(lat, lon, h, a=6378137.0, f=1 / 298.257223563):
    e2 = f * (2 - f)
    phi, lam = np.radians(lat), np.radians(lon)
    N = a / np.sqrt(1 - e2 * np.sin(phi) ** 2)
    X = (N + h) * np.cos(phi) * np.cos(lam)
    Y = (N + h) * np.cos(phi) * np.sin(lam)
    Z = (N * (1 - e2) + h) * np.sin(phi)
    return np.column_stack((X, Y, Z))


# ----------------------------------------------------------------------------- library-style programs


def pacf_durbin_levinson(x, nlags=4):
    x = x - x.mean()
    n = len(x)
    acov = np.array([np.dot(x[:n - k], x[k:]) / n for k in range(nlags + 1)])
    r = acov / acov[0]
    phi = np.zeros((nlags + 1, nlags + 1))
    pacf = np.zeros(nlags + 1)
    pacf[0] = 1.0
    phi[1, 1] = r[1]
    pacf[1] = r[1]
    for k in range(2, nlags + 1):
        num = r[k] - np.dot(phi[k - 1, 1:k], r[k - 1:0:-1])
        den = 1.0 - np.dot(phi[k - 1, 1:k], r[1:k])
        phi[k, k] = num / den
        phi[k, 1:k] = phi[k - 1, 1:k] - phi[k, k] * phi[k - 1, k - 1:0:-1]
        pacf[k] = phi[k, k]
    return pacf

def acf_statsmodels(x, nlags=5):
    xo = x - x.mean()
    n = len(x)
    d = n * np.ones(2 * n - 1)
    acov = (np.correlate(xo, xo, "full") / d)[n - 1:]
    return acov[: nlags + 1] / acov[0]

def surprise_svd_epoch(users, items, ratings, bu, bi, pu, qi, global_mean, lr=0.005, reg=0.02):
    for u, i, r in zip(users, items, ratings):
        dot = 0
        for f in range(pu.shape[1]):
            dot += qi[i, f] * pu[u, f]
        err = r - (global_mean + bu[u] + bi[i] + dot)
        bu[u] += lr * (err - reg * bu[u])
        bi[i] += lr * (err - reg * bi[i])
        for f in range(pu.shape[1]):
            puf = pu[u, f]
            qif = qi[i, f]
            pu[u, f] += lr * (err * qif - reg * puf)
            qi[i, f] += lr * (err * puf - reg * qif)
    return bu, bi, pu, qi

def implicit_als_cg(Cui, X, Y, reg=0.1, cg_steps=3):
    YtY = Y.T @ Y
    for u in range(X.shape[0]):
        x = X[u].copy()
        conf = Cui[u]
        r = -YtY @ x - reg * x
        r += ((conf - (conf - 1) * (Y @ x))[:, None] * Y).sum(0)
        p = r.copy()
        rsold = r @ r
        for _ in range(cg_steps):
            Ap = YtY @ p + reg * p + (((conf - 1) * (Y @ p))[:, None] * Y).sum(0)
            alpha = rsold / (p @ Ap)
            x += alpha * p
            r -= alpha * Ap
            rsnew = r @ r
            p = r + (rsnew / rsold) * p
            rsold = rsnew
        X[u] = x
    return X

def pairwise2_globalxx(a, b):
    n, m = len(a), len(b)
    score = np.zeros((n + 1, m + 1), dtype=np.int32)
    for i in range(1, n + 1):
        match = (a[i - 1] == b).astype(np.int32)
        score[i, 1:] = np.maximum(score[i - 1, :-1] + match, score[i - 1, 1:])
        score[i] = np.maximum.accumulate(score[i])
    return score[n, m], score

def pandas_like_ewm_mean(x, com=2.0, adjust=True):
    alpha = 1.0 / (1.0 + com)
    out = np.empty_like(x)
    weighted_avg = x[0]
    old_wt = 1.0
    out[0] = weighted_avg
    for i in range(1, len(x)):
        cur = x[i]
        old_wt *= 1 - alpha
        if adjust:
            weighted_avg = (old_wt * weighted_avg + cur) / (old_wt + 1.0)
            old_wt += 1.0
        else:
            weighted_avg = (old_wt * weighted_avg + alpha * cur) / (old_wt + alpha)
            old_wt = 1.0
        out[i] = weighted_avg
    return out

def rolling_apply_median(x, w=3):
    out = np.full(x.shape, np.nan)
    out[w - 1:] = np.median(sliding_window_view(x, w), axis=-1)
    return out

def icrs_to_galactic_astropy(ra, dec):
    a = np.deg2rad(192.85948); d = np.deg2rad(27.12825); l0 = np.deg2rad(122.93192)
    sd, cd = np.sin(dec), np.cos(dec)
    sb = sd * np.sin(d) + cd * np.cos(d) * np.cos(ra - a)
    b = np.arcsin(sb)
    y = cd * np.sin(ra - a)
    x = sd * np.cos(d) - cd * np.sin(d) * np.cos(ra - a)
    l = l0 - np.arctan2(y, x)
    return np.mod(l, 2 * np.pi), b

def gmst_hours(jd):
    T = (jd - 2451545.0) / 36525.0
    g = 280.46061837 + 360.98564736629 * (jd - 2451545.0) + 0.000387933 * T ** 2 - T ** 3 / 38710000.0
    return (g % 360.0) / 15.0

def kepler_solve(M, e, iters=6):
    E = np.where(e < 0.8, M, np.pi * np.ones_like(M))
    for _ in range(iters):
        E = E - (E - e * np.sin(E) - M) / (1 - e * np.cos(E))
    nu = 2 * np.arctan2(np.sqrt(1 + e) * np.sin(E / 2), np.sqrt(1 - e) * np.cos(E / 2))
    return E, nu

def vincenty_inverse(lat1, lon1, lat2, lon2, iters=8, a=6378137.0, f=1/298.257223563):
    b = (1 - f) * a
    L = np.radians(lon2 - lon1)
    U1 = np.arctan((1 - f) * np.tan(np.radians(lat1)))
    U2 = np.arctan((1 - f) * np.tan(np.radians(lat2)))
    sinU1, cosU1, sinU2, cosU2 = np.sin(U1), np.cos(U1), np.sin(U2), np.cos(U2)
    lam = L
    for _ in range(iters):
        sinLam, cosLam = np.sin(lam), np.cos(lam)
        sinSig = np.sqrt((cosU2 * sinLam) ** 2 + (cosU1 * sinU2 - sinU1 * cosU2 * cosLam) ** 2)
        cosSig = sinU1 * sinU2 + cosU1 * cosU2 * cosLam
        sig = np.arctan2(sinSig, cosSig)
        sinAlpha = cosU1 * cosU2 * sinLam / sinSig
        cos2Alpha = 1 - sinAlpha ** 2
        cos2SigM = np.where(cos2Alpha != 0, cosSig - 2 * sinU1 * sinU2 / cos2Alpha, 0.0)
        C = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
        lam = L + (1 - C) * f * sinAlpha * (sig + C * sinSig * (cos2SigM + C * cosSig * (-1 + 2 * cos2SigM ** 2)))
    u2 = cos2Alpha * (a ** 2 - b ** 2) / b ** 2
    A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
    B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
    dSig = B * sinSig * (cos2SigM + B / 4 * (cosSig * (-1 + 2 * cos2SigM ** 2) - B / 6 * cos2SigM * (-3 + 4 * sinSig ** 2) * (-3 + 4 * cos2SigM ** 2)))
    return b * A * (sig - dSig)

def word2vec_cbow_step(W_in, W_out, context, target, negatives, lr=0.025):
    h = W_in[context].mean(axis=1)
    idx = np.concatenate([target[:, None], negatives], axis=1)
    labels = np.zeros(idx.shape); labels[:, 0] = 1
    u = W_out[idx]
    score = 1 / (1 + np.exp(-np.einsum("bd,bkd->bk", h, u)))
    g = (labels - score) * lr
    np.add.at(W_out, idx, g[..., None] * h[:, None, :])
    neu1e = np.einsum("bk,bkd->bd", g, u)
    np.add.at(W_in, context, neu1e[:, None, :] / context.shape[1])
    return score


# ----------------------------------------------------------------------------- data


def _seq(n, s, q=4):
    return _i(q, n, seed=s)


def _qual(n, s):
    return (_i(40, 3, n * 2, seed=s) + 33).astype(np.uint8)


def _ratings(n, s):
    R = _i(6, n + 1, n, seed=s).astype(np.float64)
    R[_i(2, n + 1, n, seed=s + 7).astype(bool)] = 0
    return R


def _with_nans(shape, s):
    x = _f(*shape, seed=s)
    x[_i(3, *shape, seed=s + 5) == 0] = np.nan
    return x


def _mf_args(n, s, n_users=5, n_items=6, k=3):
    return (_f(n_users, k, seed=s) * 0.3, _f(n_items, k, seed=s + 1) * 0.3,
            _i(n_users, 2 * n, seed=s + 2), _i(n_items, 2 * n, seed=s + 3),
            _i(5, 2 * n, seed=s + 4).astype(float) + 1)


def _deg(n, s, lo, hi):
    return np.random.default_rng(s).uniform(lo, hi, n)


def raster_cell_sums_checked(rows, cols, vals, shape=(4, 5)):
    cell = np.ravel_multi_index((rows, cols), shape)
    return np.bincount(cell, weights=vals, minlength=shape[0] * shape[1]).reshape(shape)


CORPUS = {
    "raster_cell_sums_checked": (raster_cell_sums_checked, {}, lambda s, n: (
        _i(4, n, seed=s), _i(5, n, seed=s + 1), _f(n, seed=s))),  # checked when it runs
    "one_hot_with_n": (one_hot_with_n, {}, lambda s, n: (_seq(3 * n, s, 5),)),
    "kmer_codes": (kmer_codes, {}, lambda s, n: (_seq(3 * n, s),)),
    "kmer_spectrum_onehot": (kmer_spectrum_onehot, {}, lambda s, n: (_seq(3 * n, s),)),
    "gc_skew_windows": (gc_skew_windows, {}, lambda s, n: (_seq(3 * n, s),)),
    "gc_content_convolve": (gc_content_convolve, {}, lambda s, n: (_seq(3 * n, s),)),
    "phred_expected_errors": (phred_expected_errors, {}, lambda s, n: (_qual(n, s),)),
    "quality_trim_position": (quality_trim_position, {}, lambda s, n: (_qual(n, s)[0],)),
    "coverage_from_intervals": (coverage_from_intervals, {}, lambda s, n: (
        _i(10, n, seed=s), _i(10, n, seed=s + 1) + 1)),
    "pairwise_read_hamming": (pairwise_read_hamming, {}, lambda s, n: (_i(4, n, 7, seed=s),)),
    "codon_index": (codon_index, {}, lambda s, n: (_seq(3 * n + 1, s),)),
    "smith_waterman_rowwise": (smith_waterman_rowwise, {}, lambda s, n: (
        _seq(n, s), _seq(n + 1, s + 1))),
    "pwm_best_hit": (pwm_best_hit, {}, lambda s, n: (_seq(3 * n, s), _f(4, 4, seed=s))),
    "msa_consensus": (msa_consensus, {}, lambda s, n: (_i(4, 5, n, seed=s),)),
    "tfidf_sklearn": (tfidf_sklearn, {}, lambda s, n: (_i(3, n, 7, seed=s),)),
    "tfidf_sublinear": (tfidf_sklearn, {"sublinear_tf": True, "smooth_idf": False},
                        lambda s, n: (_i(3, n, 7, seed=s) + (np.arange(7) < 1),)),
    "topk_argpartition_sorted": (topk_argpartition_sorted, {}, lambda s, n: (_f(n, 8, seed=s),)),
    "topk_argsort_reversed": (topk_argsort_reversed, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "nearest_neighbors_excluding_self": (nearest_neighbors_excluding_self, {},
                                         lambda s, n: (_f(n, 3, seed=s),)),
    "sinusoidal_positional_encoding": (sinusoidal_positional_encoding, {},
                                       lambda s, n: (_f(n, 6, seed=s),)),
    "sgns_step": (sgns_step, {}, lambda s, n: (
        _f(7, 4, seed=s) * 0.1, _f(7, 4, seed=s + 1) * 0.1, _i(7, n, seed=s + 2),
        _i(7, n, seed=s + 3), _i(7, n, 3, seed=s + 4))),
    "embedding_bag_reduceat": (embedding_bag_reduceat, {}, lambda s, n: (
        _f(9, 3, seed=s), _i(9, 2 * n, seed=s + 1), np.array([0, 2, 3, n + 1]))),
    "csr_row_stats": (csr_row_stats, {}, lambda s, n: (
        _f(3 * n, seed=s), np.array([0, 1, n, 2 * n, 3 * n]))),
    "sentence_perplexity": (sentence_perplexity, {}, lambda s, n: (
        -_f(3, n, positive=True, seed=s), (np.arange(n) < n - 1 - np.arange(3)[:, None]).astype(float))),
    "bigram_transition_matrix": (bigram_transition_matrix, {}, lambda s, n: (_i(6, 3 * n, seed=s),)),
    "greedy_decode_logits": (greedy_decode_logits, {}, lambda s, n: (_f(2, n, 5, seed=s),)),
    "mf_sgd_fancy": (mf_sgd_fancy, {}, lambda s, n: _mf_args(n, s)),
    "mf_sgd_add_at": (mf_sgd_add_at, {}, lambda s, n: _mf_args(n, s)),
    "mf_sgd_loop": (mf_sgd_loop, {}, lambda s, n: _mf_args(n, s)),
    "als_user_step": (als_user_step, {}, lambda s, n: (_ratings(n, s), _f(n, 2, seed=s))),
    "implicit_als_batched": (implicit_als_batched, {}, lambda s, n: (
        1 + _f(3, n, positive=True, seed=s), _i(2, 3, n, seed=s).astype(float), _f(n, 2, seed=s))),
    "implicit_confidence": (implicit_confidence, {}, lambda s, n: (_ratings(n, s),)),
    "masked_rmse": (masked_rmse, {}, lambda s, n: (_ratings(n, s), _f(n + 1, 2, seed=s), _f(n, 2, seed=s + 1))),
    "user_mean_center": (user_mean_center, {}, lambda s, n: (_ratings(n, s),)),
    "ndcg_at_k": (ndcg_at_k, {}, lambda s, n: (_f(3, n, seed=s), _i(3, 3, n, seed=s).astype(float))),
    "precision_recall_at_k": (precision_recall_at_k, {}, lambda s, n: (_f(3, n, seed=s), _i(2, 3, n, seed=s))),
    "bpr_step": (bpr_step, {}, lambda s, n: (
        _f(4, 3, seed=s), _f(6, 3, seed=s + 1), _i(4, n, seed=s), _i(6, n, seed=s + 2), _i(6, n, seed=s + 3))),
    "item_item_topk": (item_item_topk, {}, lambda s, n: (_ratings(n, s),)),
    "lag_features_roll": (lag_features_roll, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "lag_features_roll_int": (lag_features_roll, {}, lambda s, n: (_i(9, 2 * n, seed=s),)),
    "pct_change_concat": (pct_change_concat, {}, lambda s, n: (_f(2 * n, positive=True, seed=s),)),
    "resample_mean": (resample_mean, {}, lambda s, n: (_f(2 * n + 1, seed=s),)),
    "ffill_2d": (ffill_2d, {}, lambda s, n: (_with_nans((3, 2 * n), s),)),
    "bfill_1d": (bfill_1d, {}, lambda s, n: (_with_nans((2 * n,), s),)),
    "zscore_anomalies": (zscore_anomalies, {}, lambda s, n: (_with_nans((3 * n,), s),)),
    "rolling_stats_windows": (rolling_stats_windows, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "rolling_nanmean_windows": (rolling_nanmean_windows, {}, lambda s, n: (_with_nans((3 * n,), s),)),
    "seasonal_naive_decompose": (seasonal_naive_decompose, {}, lambda s, n: (_f(3 * n + 1, seed=s),)),
    "ewm_adjusted": (ewm_adjusted, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "log_returns_stats": (log_returns_stats, {}, lambda s, n: (100 * _f(3 * n, positive=True, seed=s),)),
    "detrend_linear_polyfit": (detrend_linear_polyfit, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "nan_robust_normalize": (nan_robust_normalize, {}, lambda s, n: (_with_nans((3 * n,), s),)),
    "columnwise_pearson_vecdot": (columnwise_pearson_vecdot, {}, lambda s, n: (
        _f(2 * n, 3, seed=s), _f(2 * n, 3, seed=s + 1))),
    "legendre_detrend": (legendre_detrend, {}, lambda s, n: (
        np.sort(_f(3 * n, seed=s)), _f(3 * n, seed=s + 1))),
    "wavelength_solution": (wavelength_solution, {}, lambda s, n: (
        np.arange(0.0, 2048.0, 2048.0 / n), np.array([4000.0, 1.2, -1e-4, 3e-8]) * (1 + 0.01 * s))),
    "gauss_legendre_integral": (gauss_legendre_integral, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s + 1) + 3)),
    "ar2_characteristic_roots": (ar2_characteristic_roots, {}, lambda s, n: (_f(2, seed=s),)),
    "pairwise_complete_correlation": (pairwise_complete_correlation, {}, lambda s, n: (
        _with_nans((4 * n,), s), _with_nans((4 * n,), s + 1))),
    "crossings_and_runs": (crossings_and_runs, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "haversine_pairwise": (haversine_pairwise, {}, lambda s, n: (
        _deg(n, s, -80, 80), _deg(n, s + 1, -180, 180), _deg(3, s + 2, -80, 80), _deg(3, s + 3, -180, 180))),
    "initial_bearing": (initial_bearing, {}, lambda s, n: (
        _deg(n, s, -80, 80), _deg(n, s + 1, -180, 180), _deg(n, s + 2, -80, 80), _deg(n, s + 3, -180, 180))),
    "destination_point": (destination_point, {}, lambda s, n: (
        _deg(n, s, -80, 80), _deg(n, s + 1, -180, 180), _deg(n, s + 2, 0, 360), _deg(n, s + 3, 0, 5000))),
    "equatorial_to_galactic": (equatorial_to_galactic, {}, lambda s, n: (
        _deg(n, s, 0, 360), _deg(n, s + 1, -90, 90))),
    "angular_separation_vincenty": (angular_separation_vincenty, {}, lambda s, n: tuple(
        _deg(n, s + j, -1.5, 1.5) for j in range(4))),
    "ndvi_uint16": (ndvi_uint16, {}, lambda s, n: (
        _i(3000, n, n, seed=s).astype(np.uint16), _i(3000, n, n, seed=s + 1).astype(np.uint16))),
    "ndvi_raw_uint16": (ndvi_raw_uint16, {}, lambda s, n: (
        _i(3000, n, n, seed=s).astype(np.uint16), _i(3000, n, n, seed=s + 1).astype(np.uint16))),
    "ndwi_cloud_masked": (ndwi_cloud_masked, {}, lambda s, n: (
        _i(3000, n, n, seed=s).astype(np.uint16), _i(3000, n, n, seed=s + 1).astype(np.uint16),
        _i(64, n, n, seed=s + 2).astype(np.uint16))),
    "bbox_filter_stats": (bbox_filter_stats, {}, lambda s, n: (
        _deg(4 * n, s, -20, 20), _deg(4 * n, s + 1, -10, 10), _f(4 * n, seed=s))),
    "bbox_weighted_stats": (bbox_weighted_stats, {}, lambda s, n: (
        _deg(4 * n, s, -20, 20), _deg(4 * n, s + 1, -10, 10), _f(4 * n, seed=s),
        _f(4 * n, positive=True, seed=s + 1))),
    "web_mercator": (web_mercator, {}, lambda s, n: (_deg(n, s, -180, 180), _deg(n, s + 1, -80, 80))),
    "wrap_longitude": (wrap_longitude, {}, lambda s, n: (_deg(2 * n, s, -720, 720),)),
    "pixel_centers_affine": (pixel_centers_affine, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "slope_aspect": (slope_aspect, {}, lambda s, n: (100 * _f(n, n + 1, seed=s),)),
    "flux_to_mag": (flux_to_mag, {}, lambda s, n: (_f(3 * n, seed=s) * 100, _f(3 * n, positive=True, seed=s))),
    "sigma_clip_fixed": (sigma_clip_fixed, {}, lambda s, n: (_f(5 * n, seed=s) ** 3,)),
    "julian_date": (julian_date, {}, lambda s, n: (
        _i(200, n, seed=s) + 1900, _i(12, n, seed=s + 1) + 1, _i(28, n, seed=s + 2) + 1)),
    "altaz_airmass": (altaz_airmass, {}, lambda s, n: (_deg(n, s, -3, 3), _deg(n, s + 1, -1.4, 1.4))),
    "ascii_to_codes": (ascii_to_codes, {}, lambda s, n: (
        np.frombuffer(bytes(np.random.default_rng(s).choice(list(b"ACGTNacgt"), 4 * n)), np.uint8).copy(),)),
    "twobit_pack": (twobit_pack, {}, lambda s, n: (_seq(4 * n, s),)),
    "kmer_uint8_overflow": (kmer_uint8_overflow, {}, lambda s, n: (_seq(3 * n, s),)),
    "jukes_cantor_distance": (jukes_cantor_distance, {}, lambda s, n: (_i(4, n, 9, seed=s),)),
    "viterbi_log": (viterbi_log, {}, lambda s, n: (
        np.log(np.full(3, 1 / 3)), np.log(_f(3, 3, positive=True, seed=s) / 3),
        np.log(_f(3, 4, positive=True, seed=s + 1) / 4), _i(4, 2 * n, seed=s + 2))),
    "hmm_forward_scaled": (hmm_forward_scaled, {}, lambda s, n: (
        np.full(3, 1 / 3), _f(3, 3, positive=True, seed=s) / 3, _f(3, 4, positive=True, seed=s + 1) / 4,
        _i(4, 2 * n, seed=s + 2))),
    "nussinov_pairs": (nussinov_pairs, {}, lambda s, n: (_seq(n + 2, s),)),
    "neighbor_joining_q": (neighbor_joining_q, {}, lambda s, n: (
        (lambda d: d + d.T)(np.triu(_f(n + 1, n + 1, positive=True, seed=s), 1)),)),
    "label_smoothing_targets": (label_smoothing_targets, {}, lambda s, n: (_i(5, n, seed=s),)),
    "beam_search_step": (beam_search_step, {}, lambda s, n: (_f(3, seed=s), _f(3, n, seed=s + 1))),
    "causal_attention_mask": (causal_attention_mask, {}, lambda s, n: (_f(n, 4, seed=s), _f(n, 4, seed=s + 1))),
    "logsumexp_scipy_style": (logsumexp_scipy_style, {}, lambda s, n: (
        np.where(_i(4, 3, n, seed=s) == 0, -np.inf, _f(3, n, seed=s)),)),
    "exclude_seen_topk": (exclude_seen_topk, {}, lambda s, n: (_f(3, n + 3, seed=s), _i(n, 2, seed=s))),
    "doc_length_normalize": (doc_length_normalize, {}, lambda s, n: (_i(3, n, 6, seed=s),)),
    "minimum_reduce_edit_row": (minimum_reduce_edit_row, {}, lambda s, n: (
        np.arange(n + 1), _i(4, 1, seed=s)[0], _seq(n, s + 1))),
    "baseline_biases": (baseline_biases, {}, lambda s, n: (_ratings(n, s),)),
    "negative_sampling_seeded": (negative_sampling_seeded, {"n_items": 7}, lambda s, n: (_i(5, n, seed=s),)),
    "score_and_rank_users": (score_and_rank_users, {}, lambda s, n: (
        _f(3, 2, seed=s), _f(n + 2, 2, seed=s + 1), _i(2, 3, n + 2, seed=s).astype(bool))),
    "hit_rate_mrr": (hit_rate_mrr, {}, lambda s, n: (_i(6, n, 3, seed=s), _i(6, n, seed=s + 1))),
    "sgd_biased_mf_epoch": (sgd_biased_mf_epoch, {}, lambda s, n: _mf_args(n, s)[:2] + (
        np.zeros(5), np.zeros(6), 3.0) + _mf_args(n, s)[2:]),
    "cooccurrence_lift": (cooccurrence_lift, {}, lambda s, n: (_ratings(n, s) + np.eye(n + 1, n),)),
    "datetime_features": (datetime_features, {}, lambda s, n: (
        np.datetime64("2024-03-01T00:00") + np.cumsum(_i(600, 2 * n, seed=s) + 1).astype("timedelta64[m]"),)),
    "datetime_int_views": (datetime_int_views, {}, lambda s, n: (
        np.datetime64("2024-03-01T00:00") + np.cumsum(_i(600, 2 * n, seed=s) + 1).astype("timedelta64[m]"),)),
    "shift_epoch_in_place": (shift_epoch_in_place, {}, lambda s, n: (
        np.datetime64("2024-03-01T00:00") + np.cumsum(_i(600, 2 * n, seed=s) + 1).astype("timedelta64[m]"),)),
    "sessionize": (sessionize, {}, lambda s, n: (np.cumsum(_f(3 * n, positive=True, seed=s)),)),
    "interp_to_grid": (interp_to_grid, {}, lambda s, n: (
        np.cumsum(_f(n, positive=True, seed=s)), _f(n, seed=s + 1))),
    "lagged_cross_correlation": (lagged_cross_correlation, {}, lambda s, n: (_f(2 * n, seed=s), _f(2 * n, seed=s + 1))),
    "dtw_distance": (dtw_distance, {}, lambda s, n: (_f(n, seed=s), _f(n + 1, seed=s + 1))),
    "hurst_exponent": (hurst_exponent, {}, lambda s, n: (np.cumsum(_f(4 * n, seed=s)),)),
    "fourier_terms": (fourier_terms, {}, lambda s, n: (np.arange(2 * n, dtype=float),)),
    "dominant_period": (dominant_period, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "strided_windows_step": (strided_windows_step, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "ewma_skip_nans": (ewma_skip_nans, {}, lambda s, n: (_with_nans((2 * n,), s),)),
    "time_bins_digitize": (time_bins_digitize, {}, lambda s, n: (_f(3 * n, positive=True, seed=s) * 2, _f(3 * n, seed=s))),
    "slippy_tile_xy": (slippy_tile_xy, {}, lambda s, n: (_deg(n, s, -180, 180), _deg(n, s + 1, -80, 80))),
    "morton_interleave": (morton_interleave, {}, lambda s, n: (_i(1000, n, seed=s), _i(1000, n, seed=s + 1))),
    "point_in_polygon": (point_in_polygon, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(3 * n, seed=s + 1), np.array([[-1.0, -1.0], [1.5, -0.5], [1.0, 1.2], [-0.8, 0.9]]))),
    "raster_cell_ids": (raster_cell_ids, {}, lambda s, n: (_i(4, n, seed=s), _i(5, n, seed=s + 1), _f(n, seed=s))),
    "raster_cell_ids_wrap": (raster_cell_ids, {"mode": "wrap"}, lambda s, n: (
        _i(9, n, seed=s) - 4, _i(12, n, seed=s + 1), _f(n, seed=s))),
    "hashed_bow_buckets": (hashed_bow_buckets, {}, lambda s, n: (_i(10 ** 9, 2, 3 * n, seed=s),)),
    "max_ndvi_composite": (max_ndvi_composite, {}, lambda s, n: (_f(3, 2, n, n + 1, seed=s),)),
    "hillshade": (hillshade, {}, lambda s, n: (_f(n, n + 2, seed=s) * 10,)),
    "solar_zenith": (solar_zenith, {}, lambda s, n: (
        _deg(n, s, -60, 60), _i(365, n, seed=s) + 1, _deg(n, s + 1, 0, 24))),
    "scale_reflectance_float32": (scale_reflectance_float32, {}, lambda s, n: (
        (_i(4000, n, n, seed=s) * (_i(4, n, n, seed=s + 1) > 0)).astype(np.uint16),)),
    "nearest_resample": (nearest_resample, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "angle_diff_wrap": (angle_diff_wrap, {}, lambda s, n: (_deg(n, s, -400, 400), _deg(n, s + 1, -400, 400))),
    "cartesian_from_geodetic": (cartesian_from_geodetic, {}, lambda s, n: (
        _deg(n, s, -90, 90), _deg(n, s + 1, -180, 180), _deg(n, s + 2, 0, 3000))),
    "pacf_durbin_levinson": (pacf_durbin_levinson, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "acf_statsmodels": (acf_statsmodels, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "surprise_svd_epoch": (surprise_svd_epoch, {}, lambda s, n: (
        _i(4, n, seed=s), _i(5, n, seed=s + 1), _i(5, n, seed=s + 2) + 1.0, np.zeros(4),
        np.zeros(5), 0.1 * _f(4, 3, seed=s), 0.1 * _f(5, 3, seed=s + 1), 3.2)),
    "implicit_als_cg": (implicit_als_cg, {}, lambda s, n: (
        1 + 40 * _i(2, 4, n, seed=s).astype(float), 0.1 * _f(4, 3, seed=s), 0.1 * _f(n, 3, seed=s + 1))),
    "pairwise2_globalxx": (pairwise2_globalxx, {}, lambda s, n: (_seq(n + 2, s), _seq(n + 4, s + 1))),
    "pandas_like_ewm_mean": (pandas_like_ewm_mean, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "pandas_like_ewm_unadjusted": (pandas_like_ewm_mean, {"adjust": False}, lambda s, n: (_f(2 * n, seed=s),)),
    "rolling_apply_median": (rolling_apply_median, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "icrs_to_galactic_astropy": (icrs_to_galactic_astropy, {}, lambda s, n: (
        _deg(n, s, 0, 6.28), _deg(n, s + 1, -1.5, 1.5))),
    "gmst_hours": (gmst_hours, {}, lambda s, n: (2451545.0 + _deg(n, s, -1e4, 1e4),)),
    "kepler_solve": (kepler_solve, {}, lambda s, n: (_deg(n, s, 0, 6.28), _deg(n, s + 1, 0, 0.95))),
    "vincenty_inverse": (vincenty_inverse, {}, lambda s, n: (
        _deg(n, s, -60, 60), _deg(n, s + 1, -170, 170), _deg(n, s + 2, -60, 60), _deg(n, s + 3, -170, 170))),
    "word2vec_cbow_step": (word2vec_cbow_step, {}, lambda s, n: (
        0.1 * _f(9, 4, seed=s), 0.1 * _f(9, 4, seed=s + 1), _i(9, n, 2, seed=s), _i(9, n, seed=s + 2),
        _i(9, n, 3, seed=s + 3))),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_hunt_a_function_matches_numpy(name):
    """NumPy's values, dtypes and in-place writes (`test_corpus.check_like_numpy`)."""
    check_like_numpy(*CORPUS[name])


# ----------------------------------------------------------------------------- forms found here


@pytest.mark.parametrize("indices", [[0, 2, 3, 5], [3, 1, 1, 6], [6, 0], [0], [2, 2, 2]])
@pytest.mark.parametrize("ufunc", [np.add, np.multiply, np.maximum, np.minimum, np.logical_or,
                                   np.fmax])
def test_reduceat_at_traced_indices(ufunc, indices):
    """Segments at traced indices follow NumPy's rules: a next index not above the current one
    makes the segment its element alone, the last runs to the end; dtypes are NumPy's."""
    x = _f(7, 3, seed=1)
    x[2, 1] = np.nan
    idx = np.array(indices)
    for a, axis in ((x, 0), (x.T.copy(), 1), ((x > 0), 0), ((x * 3).astype(np.int8), 0)):
        with np.errstate(all="ignore"):
            want = ufunc.reduceat(a, idx, axis=axis)
        got = tracenp.jit(lambda a, i: ufunc.reduceat(a, i, axis=axis))(a, idx)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("indices, error", [([0, 7], IndexError), ([-1, 2], IndexError),
                                            ([0.0, 2.0], TypeError)])
def test_reduceat_at_traced_indices_raises_as_numpy(indices, error):
    x, idx = _f(7, seed=1), np.array(indices)
    with pytest.raises(error):
        np.add.reduceat(x, idx)
    with pytest.raises(error):
        tracenp.jit(lambda a, i: np.add.reduceat(a, i))(x, idx)


def test_reduceat_at_traced_indices_into_out():
    def f(x, i):
        out = np.zeros((2, 3), dtype=np.float32)
        np.add.reduceat(x, i, out=out)
        return out

    x, i = _f(7, 3, seed=2), np.array([0, 4])
    got, want = tracenp.jit(f)(x, i), f(x, i)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("fn", [
    lambda a, b: np.vecdot(a, b, axis=-1, keepdims=True),
    lambda a, b: np.vecdot(a.transpose(0, 2, 1), b.T, axis=-2, keepdims=True),
    lambda a, b: np.vecdot(a.transpose(2, 0, 1), b.T[:, None, :], axes=[0, 0, 0], keepdims=True),
    lambda a, b: np.vecdot(a, b, axes=[-1, -1, ()]),
    lambda a, b: np.matmul(a, b.T, axes=[(1, 2), (0, 1), (0, 1)]),
    lambda a, b: np.matvec(a, b[0], axes=[(1, 2), 0, 0]),
    lambda a, b: np.vecmat(b[:, 0], a, axes=[0, (1, 2), 0]),
    lambda a, b: np.vecdot(a.astype(np.float32), a[::-1], axis=0, dtype=np.float32),
    lambda a, b: np.matmul(a.astype(np.float32), b.T, dtype=np.float32),
    lambda a, b: np.matmul(a.astype(np.int64), b.T.astype(np.int64), dtype=np.float16),
    lambda a, b: np.matvec(a, b[0], signature=(None, None, np.float32)),
])
def test_gufunc_axes_and_dtype(fn):
    """The gufuncs' `axis=`, `axes=` and `keepdims=` (they raised UnsupportedFunctionError)
    and `dtype=`/`signature=` (ignored: `np.matmul(a, b, dtype=np.float32)` of float64
    operands gave float64)."""
    a, b = _f(3, 4, 5, seed=1), _f(4, 5, seed=2)
    want, got = fn(a, b), tracenp.jit(fn)(a, b)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-3 if want.dtype == np.float16 else 1e-6)


@pytest.mark.parametrize("fn, error", [
    (lambda a, b: np.matvec(a, b[0], axis=1), TypeError),
    (lambda a, b: np.matmul(a, b.T, keepdims=True), TypeError),
    (lambda a, b: np.vecdot(a, b, axes=[-1, -1, 0]), np.exceptions.AxisError),
    (lambda a, b: np.vecdot(a, b, axis=0), ValueError),
    (lambda a, b: np.matmul(a, b.T, casting="no"), TypeError),
])
def test_gufunc_keywords_raise_as_numpy(fn, error):
    a, b = _f(3, 4, 5, seed=1).astype(np.float32), _f(4, 5, seed=2)
    with pytest.raises(error):
        fn(a, b)
    with pytest.raises(error):
        tracenp.jit(fn)(a, b)


@pytest.mark.parametrize("fn", [
    lambda x: np.nanmax(x[np.isfinite(x)]),
    lambda x: np.nanmean(x[x != 3]),
    lambda x: np.nansum(x[x > 0]),
    lambda x: np.nanstd(x[x < 10], ddof=1),
    lambda x: np.nanmedian(x[x != 1]),
    lambda x: np.nanpercentile(x[x > -1], [10, 90]),
    lambda x: np.nanmean(x[x > 100]),
    lambda x: np.nanprod(x[x < 5], keepdims=True),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nan_reductions_of_a_selection(fn, dtype):
    """`np.nanmean(x[mask])` and its relatives reduce the selection's non-NaN elements (they
    raised `DataDependentShapeError`)."""
    x = np.array([1.0, np.nan, 7.0, -4.0, 3.0, np.inf, np.nan], dtype=dtype)
    with np.errstate(all="ignore"):
        want = fn(x)
    got = tracenp.jit(fn)(x)
    assert type(got) is type(want) and np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_nan_to_num_with_traced_fills():
    """`nan=np.nanmean(x)` (a fill computed in the function) raised `ConcretizationError`."""
    def f(x):
        finite = np.isfinite(x)
        return np.nan_to_num(x, nan=np.nanmedian(x[finite]),
                             posinf=x.max(where=finite, initial=0.0), neginf=-1)

    x = np.array([1.0, np.nan, np.inf, -np.inf, 3.0], dtype=np.float32)
    got, want = tracenp.jit(f)(x), f(x)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


# ----------------------------------------------------------------------------- refused forms


def ewma_first_value_branch(x, alpha=0.3):
    out = np.empty_like(x)
    s = x[0] if not np.isnan(x[0]) else 0.0
    for i in range(len(x)):
        s = np.where(np.isnan(x[i]), s, alpha * x[i] + (1 - alpha) * s)
        out[i] = s
    return out


def kmer_unique_counts(seq, k=2):
    codes = sliding_window_view(seq, k) @ (4 ** np.arange(k)[::-1])
    kmers, counts = np.unique(codes, return_counts=True)
    return kmers, counts


def mf_sgd_observed_pairs(R, P, Q, lr=0.01):
    users, items = R.nonzero()
    for u, i in zip(users, items):
        e = R[u, i] - P[u] @ Q[i]
        P[u] += lr * e * Q[i]
    return P


def rolling_mean_as_strided(x, w=3):
    shape = (x.shape[0] - w + 1, w)
    strides = (x.strides[0], x.strides[0])
    return np.lib.stride_tricks.as_strided(x, shape=shape, strides=strides).mean(axis=1)


def bbox_points_returned(lon, lat, bbox=(-0.5, -0.5, 0.5, 0.5)):
    mask = (lon >= bbox[0]) & (lat >= bbox[1]) & (lon <= bbox[2]) & (lat <= bbox[3])
    return np.column_stack([lon[mask], lat[mask]])


def vocab_by_coverage(counts, coverage=0.9):
    """Keep the most frequent words that cover 90% of the tokens: a slice bound computed from
    the data (it raised a bare TypeError, which `fallback=True` did not catch). The slice is
    a selection of data-dependent length now (hunt L): returning it is refused as such."""
    order = np.argsort(counts)[::-1]
    cum = np.cumsum(counts[order]) / counts.sum()
    k = np.searchsorted(cum, coverage) + 1
    return order[:k]


def float_bits_hash(x):
    return (x.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(58)


def test_a_hash_of_float_bits_traces():
    """`x.view(np.uint64)` of floats, refused until stop 27 made it a bitcast."""
    check_like_numpy(float_bits_hash, {}, lambda s, n: (_f(n + 2, seed=s),))


REFUSED = {
    "vocab_by_coverage": (tracenp.errors.DataDependentShapeError, vocab_by_coverage,
                          lambda s: (_i(50, 12, seed=s) + 1,)),
    "ewma_first_value_branch": (tracenp.errors.ConcretizationError, ewma_first_value_branch,
                                lambda s: (_with_nans((8,), s),)),
    "kmer_unique_counts": (tracenp.errors.DataDependentShapeError, kmer_unique_counts,
                           lambda s: (_seq(12, s),)),
    "mf_sgd_observed_pairs": (tracenp.errors.DataDependentShapeError, mf_sgd_observed_pairs,
                              lambda s: (_ratings(3, s), _f(4, 2, seed=s), _f(3, 2, seed=s + 1))),
    "bbox_points_returned": (tracenp.errors.DataDependentShapeError, bbox_points_returned,
                             lambda s: (_f(10, seed=s), _f(10, seed=s + 1))),
}


def test_rolling_mean_by_as_strided_traces():
    """Refused until `as_strided` of a traced array read it as C-contiguous."""
    check_like_numpy(rolling_mean_as_strided, {}, lambda s, n: (_f(2 * n, seed=s),))


@pytest.mark.parametrize("name", list(REFUSED))
def test_hunt_a_refused_forms_raise_by_name_and_fall_back_to_numpy(name):
    """The named error, and NumPy's values under `fallback=True` (`test_corpus.check_refused`)."""
    check_refused(*REFUSED[name])


@pytest.mark.parametrize("fn", [
    lambda x: np.var(x, dtype=np.int32),
    lambda x: np.var(x, axis=0, dtype=np.int32),
    lambda x: np.var(x.astype(np.float32), dtype=np.uint8),
    lambda x: np.std(x, dtype=np.int64),
    lambda x: np.nanvar(x, axis=1, dtype=np.int64),
    lambda x: np.std(x.astype(np.float32), axis=0, dtype=np.float64),
])
def test_variance_into_an_integer_dtype(fn):
    """NumPy divides into the sum's dtype: `np.var(x, dtype=np.int32)` is an int32 (it was a
    float64 here)."""
    x = _i(50, 3, 4, seed=4).astype(np.int16)
    want, got = fn(x), tracenp.jit(fn)(x)
    assert type(got) is type(want) and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("fn, error", [
    (lambda x: np.std(x, axis=0, dtype=np.int64), TypeError),
    (lambda x: np.nanmean(x * 1.0, dtype=np.int32), TypeError),
    (lambda x: np.nanvar(x * 1.0, dtype=np.int32), TypeError),
    (lambda x: np.nanstd(x * 1.0, axis=0, dtype=np.int64), TypeError),
])
def test_integer_dtype_errors_of_moments(fn, error):
    """NumPy's square root into an integer array and its nan-moments of floats into an integer
    dtype raise; tracenp computed them."""
    x = _i(50, 3, 4, seed=4).astype(np.int16)
    with pytest.raises(error):
        fn(x)
    with pytest.raises(error):
        tracenp.jit(fn)(x)


def test_einsum_dtype_casts_each_operand_under_casting():
    """`np.einsum(..., dtype=np.int32)` of floats raises NumPy's TypeError (casting='safe');
    it computed. An allowed cast still gives NumPy's values and dtype."""
    x = _f(3, 4, seed=5).astype(np.float32)
    with pytest.raises(TypeError):
        tracenp.jit(lambda a: np.einsum("ij->j", a, dtype=np.int32))(x)
    fn = lambda a: np.einsum("ij,ij->i", a, a, dtype=np.float16, casting="same_kind")  # noqa: E731
    want, got = fn(x), tracenp.jit(fn)(x)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-3)


@pytest.mark.parametrize("ufunc", [np.maximum, np.minimum, np.fmax])
def test_ufunc_reduce_with_dtype_casts_the_input(ufunc):
    """`np.maximum.reduce(x, dtype=np.int32)` of floats casts them as NumPy does (it raised
    UFuncTypeError)."""
    x = _f(3, 4, seed=6).astype(np.float32) * 5
    fn = lambda a: ufunc.reduce(a, axis=1, dtype=np.int32)  # noqa: E731
    want, got = fn(x), tracenp.jit(fn)(x)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


# ----------------------------------------------------------------------------- known gaps (pytree)


@dataclasses.dataclass
class FitResult:
    coef: np.ndarray
    rmse: float


def fit_result_dataclass(X, y):
    coef = np.linalg.lstsq(X, y, rcond=None)[0]
    return FitResult(coef, np.sqrt(np.mean((X @ coef - y) ** 2)))


def stats_namespace(x):
    return types.SimpleNamespace(mean=x.mean(axis=0), std=x.std(axis=0))


def features_by_name(x):
    """Feature columns in the order a pipeline stacks them (`np.column_stack(list(d.values()))`)."""
    return {"zscore": (x - x.mean()) / x.std(), "lag1": np.roll(x, 1), "abs": np.abs(x)}


def ordered_features(x):
    return collections.OrderedDict([("rank", np.argsort(np.argsort(x))), ("value", x)])


@pytest.mark.parametrize("fn, args", [
    (fit_result_dataclass, (_f(6, 2, seed=1), _f(6, seed=2))),
    (stats_namespace, (_f(5, 3, seed=1),)),
])
def test_results_in_other_objects(fn, args):
    got, want = tracenp.jit(fn)(*args), fn(*args)
    assert type(got) is type(want)
    for name, value in vars(want).items():
        assert isinstance(getattr(got, name), type(value))
        np.testing.assert_allclose(getattr(got, name), value)


@pytest.mark.parametrize("fn", [features_by_name, ordered_features])
def test_result_dicts_keep_their_order_and_type(fn):
    x = _f(6, seed=3)
    got, want = tracenp.jit(fn)(x), fn(x)
    assert type(got) is type(want) and list(got) == list(want)


BOOLS = np.array([True, False, True])
ERRORS_OF_BOOLS = [
    ("round to a decimal", lambda b: np.round(b, 1)),
    ("round to tens", lambda b: np.around(b, -1)),
    ("gradient", lambda b: np.gradient(b)),
]


@pytest.mark.parametrize("name, fn", ERRORS_OF_BOOLS, ids=[e[0] for e in ERRORS_OF_BOOLS])
def test_what_numpy_refuses_on_bools_is_refused_with_its_error(name, fn):
    """Rounding booleans to a decimal and differencing them raise in NumPy (its loops cannot
    cast back to bool, or subtract booleans); under jit they computed."""
    with pytest.raises(TypeError) as want:
        fn(BOOLS)
    with pytest.raises(type(want.value), match=str(want.value)[:30]):
        tracenp.jit(fn)(BOOLS)
    rounded = tracenp.jit(lambda b: np.round(b))(BOOLS)  # no decimals: NumPy's float16
    assert rounded.dtype == np.round(BOOLS).dtype


CLIPS_IN_A_DTYPE = [
    ("narrower", lambda x: np.clip(x, 0, 1, dtype=np.float32)),
    ("wider, bounds not in float32", lambda x: np.clip(x.astype(np.float32), 0.1, 0.7,
                                                        dtype=np.float64)),
    ("a traced bound", lambda x: np.clip(x, x[0], 1.5, dtype=np.float32)),
    ("integers, unsafe", lambda x: np.clip(x, 0, 1, dtype=np.int32, casting="unsafe")),
]


@pytest.mark.parametrize("name, fn", CLIPS_IN_A_DTYPE, ids=[c[0] for c in CLIPS_IN_A_DTYPE])
def test_clip_computes_in_its_dtype(name, fn):
    x = np.linspace(-2, 2, 9)
    got, want = tracenp.jit(fn)(x), fn(x)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_clip_into_a_dtype_it_cannot_cast_to_is_numpys_error():
    x = np.linspace(-2, 2, 9)
    with pytest.raises(TypeError) as want:
        np.clip(x, 0, 1, dtype=np.int32)
    with pytest.raises(type(want.value), match="Cannot cast ufunc 'clip' input 0"):
        tracenp.jit(lambda x: np.clip(x, 0, 1, dtype=np.int32))(x)
