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


CORPUS = {
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
    "web_mercator": (web_mercator, {}, lambda s, n: (_deg(n, s, -180, 180), _deg(n, s + 1, -80, 80))),
    "wrap_longitude": (wrap_longitude, {}, lambda s, n: (_deg(2 * n, s, -720, 720),)),
    "pixel_centers_affine": (pixel_centers_affine, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "slope_aspect": (slope_aspect, {}, lambda s, n: (100 * _f(n, n + 1, seed=s),)),
    "flux_to_mag": (flux_to_mag, {}, lambda s, n: (_f(3 * n, seed=s) * 100, _f(3 * n, positive=True, seed=s))),
    "sigma_clip_fixed": (sigma_clip_fixed, {}, lambda s, n: (_f(5 * n, seed=s) ** 3,)),
    "julian_date": (julian_date, {}, lambda s, n: (
        _i(200, n, seed=s) + 1900, _i(12, n, seed=s + 1) + 1, _i(28, n, seed=s + 2) + 1)),
    "altaz_airmass": (altaz_airmass, {}, lambda s, n: (_deg(n, s, -3, 3), _deg(n, s + 1, -1.4, 1.4))),
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
