"""Corpus, third part: image processing, finance, ML preprocessing, geometry, dtype handling
and scalar results, written the way public NumPy code writes them.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape, under `tracenp.jit`, and must match eager NumPy in value and dtype.
"""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from numpy.lib.stride_tricks import sliding_window_view
from test_corpus import _f, _i, check_against_numpy
from test_ops import assert_same

# ----------------------------------------------------------------------------- images


def box_blur3(img):
    p = np.pad(img, 1, mode="edge")
    return (p[:-2, :-2] + p[:-2, 1:-1] + p[:-2, 2:] + p[1:-1, :-2] + p[1:-1, 1:-1]
            + p[1:-1, 2:] + p[2:, :-2] + p[2:, 1:-1] + p[2:, 2:]) / 9.0


def sobel_magnitude(img):
    p = np.pad(img, 1, mode="reflect")
    gx = (p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2])
    gy = (p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:])
    return np.hypot(gx, gy)


def conv2d_valid(img, k):
    kh, kw = k.shape
    h, w = img.shape[0] - kh + 1, img.shape[1] - kw + 1
    out = np.zeros((h, w))
    for i in range(kh):
        for j in range(kw):
            out += k[i, j] * img[i:i + h, j:j + w]
    return out


def pad_modes(img):
    return (np.pad(img, ((1, 2), (2, 1)), mode="constant", constant_values=-1.0),
            np.pad(img, 2, mode="wrap"), np.pad(img, 1, mode="symmetric"))


def image_gradients(img):
    gy, gx = np.gradient(img)
    return np.sqrt(gx ** 2 + gy ** 2), np.arctan2(gy, gx)


def hist_equalize(img_u8):
    hist = np.bincount(img_u8.ravel(), minlength=256)
    cdf = hist.cumsum()
    cdf = (cdf - cdf.min()) * 255 / np.maximum(cdf[-1] - cdf.min(), 1)
    return cdf.astype(np.uint8)[img_u8]


def augment(img):
    return np.stack([img, np.rot90(img, 2), np.fliplr(img), np.flipud(img), img[::-1, ::-1]])


def rgb_to_gray_u8(rgb):
    gray = 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]
    return np.clip(np.round(gray), 0, 255).astype(np.uint8)


def normalize_image_f32(img_u8):
    x = img_u8.astype(np.float32) / 255.0
    mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
    std = np.array([0.229, 0.224, 0.225], dtype=np.float32)
    return (x - mean) / std


def threshold_mask(img):
    mask = img > img.mean()
    return mask, mask.sum(), np.where(mask, 255, 0).astype(np.uint8)


def max_pool2x2(img):
    h, w = img.shape[0] // 2 * 2, img.shape[1] // 2 * 2
    x = img[:h, :w].reshape(h // 2, 2, w // 2, 2)
    return x.max(axis=(1, 3))


# ----------------------------------------------------------------------------- finance, statistics


def log_returns(prices):
    return np.diff(np.log(prices)), prices[1:] / prices[:-1] - 1


def rolling_mean_cumsum(x, w=3):
    c = np.cumsum(np.insert(x, 0, 0.0))
    return (c[w:] - c[:-w]) / w


def rolling_std_windows(x, w=3):
    win = sliding_window_view(x, w)
    return win.mean(axis=-1), win.std(axis=-1, ddof=1)


def max_drawdown(prices):
    peak = np.maximum.accumulate(prices)
    dd = (prices - peak) / peak
    return dd.min(), dd


def sharpe_ratio(returns, rf=0.0):
    excess = returns - rf
    return np.sqrt(252) * excess.mean() / excess.std(ddof=1)


def cov_corr(X):
    return np.cov(X, rowvar=False), np.corrcoef(X, rowvar=False)


def zscore_columns(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def quantile_bins(x):
    edges = np.quantile(x, [0.25, 0.5, 0.75])
    return np.digitize(x, edges)


def portfolio_stats(w, returns):
    port = returns @ w
    cov = np.cov(returns.T)
    return {"mean": port.mean(), "vol": np.sqrt(w @ cov @ w)}


def vwap(price, volume):
    return np.cumsum(price * volume) / np.cumsum(volume)


# ----------------------------------------------------------------------------- ML preprocessing


def one_hot(labels, k=4):
    return np.eye(k)[labels]


def min_max_scale(X):
    lo, hi = X.min(axis=0), X.max(axis=0)
    return (X - lo) / (hi - lo)


def train_test_split_fixed(X, y):
    n_test = len(X) // 4
    idx = np.arange(len(X))[::-1]
    return X[idx[n_test:]], X[idx[:n_test]], y[idx[n_test:]], y[idx[:n_test]]


def pairwise_sq_dists(A, B):
    return ((A[:, None, :] - B[None, :, :]) ** 2).sum(-1)


def pairwise_dists_einsum(A, B):
    aa = np.einsum("ij,ij->i", A, A)
    bb = np.einsum("ij,ij->i", B, B)
    d2 = aa[:, None] + bb[None, :] - 2 * np.einsum("ik,jk->ij", A, B)
    return np.sqrt(np.maximum(d2, 0))


def kmeans_step(X, C):
    d = ((X[:, None, :] - C[None]) ** 2).sum(-1)
    assign = np.argmin(d, axis=1)
    onehot = assign[:, None] == np.arange(C.shape[0])
    counts = onehot.sum(0)
    newC = (onehot.T @ X) / np.maximum(counts, 1)[:, None]
    return assign, newC


def log_softmax_stable(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))


def cross_entropy_clip(p, labels, eps=1e-12):
    p = np.clip(p, eps, 1 - eps)
    return -np.mean(np.log(p[np.arange(len(labels)), labels]))


def binary_cross_entropy(p, y):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def accuracy_argmax(logits, labels):
    return np.mean(np.argmax(logits, axis=1) == labels)


def confusion_matrix(y_true, y_pred, k=3):
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def dense_f32(x, W, b):
    return np.maximum(x.astype(np.float32) @ W.astype(np.float32) + b.astype(np.float32), 0)


def cosine_similarity(A, B):
    An = A / np.linalg.norm(A, axis=1, keepdims=True)
    Bn = B / np.linalg.norm(B, axis=1, keepdims=True)
    return An @ Bn.T


# ----------------------------------------------------------------------------- geometry


def triangle_normals(v0, v1, v2):
    n = np.cross(v1 - v0, v2 - v0)
    return n / np.linalg.norm(n, axis=-1, keepdims=True)


def rotation_2d(theta, pts):
    c, s = np.cos(theta), np.sin(theta)
    R = np.array([[c, -s], [s, c]])
    return pts @ R.T


def rotations_from_angles(theta):
    c, s = np.cos(theta), np.sin(theta)
    R = np.empty(theta.shape + (2, 2))
    R[..., 0, 0], R[..., 0, 1], R[..., 1, 0], R[..., 1, 1] = c, -s, s, c
    return R


def cart_to_polar(xy):
    r = np.hypot(xy[:, 0], xy[:, 1])
    phi = np.arctan2(xy[:, 1], xy[:, 0])
    return np.column_stack([r, phi]), np.degrees(phi)


def polar_to_cart(r, phi):
    return np.stack([r * np.cos(phi), r * np.sin(phi)], axis=-1)


def rodrigues(axis, angle):
    k = axis / np.linalg.norm(axis)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K


def polygon_area(xy):
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * np.abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


def centroid_and_radius(pts):
    c = pts.mean(axis=0)
    return c, np.linalg.norm(pts - c, axis=1).max()


# ----------------------------------------------------------------------------- dtypes


def int_div_mod(a):
    return a // 3, a % 3, np.floor_divide(a, -2), np.mod(-a, 5)


def uint8_arith(img):
    brighter = np.clip(img.astype(np.int16) + 50, 0, 255).astype(np.uint8)
    return brighter, img // 2, (img >> 1) & 0x7F


def iinfo_clip(x):
    info = np.iinfo(np.int16)
    return np.clip(np.round(x * 1000), info.min, info.max).astype(np.int16)


def finfo_eps_guard(x):
    eps = np.finfo(x.dtype).eps
    return x / (np.abs(x).sum() + eps), np.finfo(np.float32).tiny


def astype_roundtrip(x):
    return x.astype(np.float32).astype(np.float64), x.astype(np.int32), (x > 0).astype(np.int8)


def bool_mask_ops(a, b):
    m1, m2 = a > 0, b > 0
    return m1 & m2, m1 | ~m2, np.logical_xor(m1, m2).sum(), m1.any(), m2.all()


def int32_cumsum(a):
    x = a.astype(np.int32)
    return x.cumsum(), x.sum(dtype=np.int64), np.sum(x), x.mean()


# ----------------------------------------------------------------------------- scalar results


def summary_dict(x):
    return {"n": x.size, "mean": np.mean(x), "max": x.max(),
            "argmax": np.argmax(x), "shape": x.shape}


def stats_tuple(x):
    return x.min(), x.max(), x.mean(), x.std(), len(x)


def r_squared(y, yhat):
    ss_res = ((y - yhat) ** 2).sum()
    ss_tot = ((y - y.mean()) ** 2).sum()
    return 1 - ss_res / ss_tot


def best_index(scores):
    return np.argmax(scores), scores[np.argmax(scores)]


# ----------------------------------------------------------------------------- more, mixed


def top_k(x, k=3):
    order = np.argsort(x)[::-1][:k]
    return order, x[order], np.sort(x)[-k:]


def fixed_histogram(x):
    counts, edges = np.histogram(x, bins=8, range=(-3, 3))
    return counts, edges, counts / counts.sum()


def rolling_max(x, w=3):
    return sliding_window_view(x, w).max(axis=-1)


def weighted_moving_average(x):
    w = np.arange(1, 4, dtype=float)
    return np.convolve(x, w[::-1] / w.sum(), mode="valid")


def resample_image(img):
    down = img[::2, ::2]
    return down, np.repeat(np.repeat(down, 2, axis=0), 2, axis=1)


def contrast_u8(img, gain=1.2, bias=10.0):
    return np.clip(img * gain + bias, 0, 255).astype(np.uint8)


def gamma_correct(img, gamma=2.2):
    return (255 * (img / 255.0) ** (1 / gamma)).astype(np.uint8)


def radial_mask(img):
    h, w = img.shape
    yy, xx = np.mgrid[:h, :w]
    r = np.hypot(yy - h / 2, xx - w / 2)
    return np.where(r < min(h, w) / 3, img, 0), np.ogrid[:h, :w][0].sum()


def label_smoothing(labels, k=5, eps=0.1):
    onehot = np.eye(k)[labels]
    return onehot * (1 - eps) + eps / k


def minibatch_means(X, bs=4):
    means = []
    for b in range(0, len(X), bs):
        means.append(X[b:b + bs].mean(axis=0))
    return np.stack(means)


def batched_matmul(A, B):
    return np.einsum("bij,bjk->bik", A, B), np.tensordot(A, B, axes=([0, 2], [0, 1]))


def cumulative_returns(r):
    return np.cumprod(1 + r) - 1, np.log1p(r).cumsum()


def quantize_step(x, step=0.25):
    return np.floor(x / step) * step, np.round(x / step).astype(np.int64)


def haversine(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def stats_array(x):
    return np.array([x.mean(), x.std(), np.median(x)]), np.asarray([x.min(), x.max()])


def nan_guard(x):
    y = np.where(x > 1, np.nan, x)
    return np.isnan(y).any(), np.nan_to_num(y, nan=-1.0), np.nanmean(y)


def nearest_two(X):
    return np.take_along_axis(X, np.argsort(X, axis=1)[:, :2], axis=1)


def split_80_20(X):
    cut = int(X.shape[0] * 0.8)
    return X[:cut], X[cut:]


def nested_result(x):
    return {"range": [x.min(), x.max()], "moments": (x.mean(), x.var()), "n": len(x)}


def iou_boxes(a, b):
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = lambda r: (r[:, 2] - r[:, 0]) * (r[:, 3] - r[:, 1])  # noqa: E731
    return inter / (area(a)[:, None] + area(b)[None, :] - inter)


# ----------------------------------------------------------------------------- everyday forms


def norm_variants(A):
    return (np.linalg.norm(A, ord=np.inf), np.linalg.norm(A, 1), np.linalg.norm(A, ord="fro"),
            np.linalg.norm(A, axis=(0, 1)))


def bias_columns(X):
    return (np.concatenate([X, np.ones((X.shape[0], 1))], axis=1), np.c_[np.ones(len(X)), X],
            np.hstack((X, X ** 2)))


def ridge_solve(X, y, lam=0.1):
    return np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)


def argmax_position(A):
    return np.unravel_index(np.argmax(A), A.shape)


def clip_keywords(A):
    return A.clip(min=0), np.clip(A, a_min=None, a_max=1), A.clip(max=0.5)


def rounding(A):
    return np.round(A, 2), np.around(A, 1), A.round(3), np.sign(A) * np.floor(np.abs(A))


def stacked_all(a, b):
    return np.logical_and.reduce(np.stack([a > 0, b > 0, a > b])), np.maximum.reduce(a, axis=0)


def diff_variants(x):
    return np.diff(x, n=2), np.diff(x, prepend=0), np.diff(x, append=x[-1])


def causal_scores(S):
    return np.where(np.tril(np.ones(S.shape, dtype=bool)), S, -np.inf)


def upper_triangle(S):
    return S[np.triu_indices(S.shape[0], 1)]


def einsum_variants(A, S):
    return (np.einsum("i,i->", A[:, 0], A[:, 1]), np.einsum("ii->i", S), np.einsum("ij->j", A),
            np.einsum("ii", S))


def complex_parts(re, im):
    z = re + 1j * im
    return np.abs(z), np.angle(z, deg=True), z.conj(), np.exp(1j * re), z.real ** 2 + z.imag ** 2


def image_layouts(img):
    return img[..., ::-1], img.transpose(2, 0, 1), np.expand_dims(img, 0), np.moveaxis(img, -1, 0)


def histogram_auto_range(x):
    return np.histogram(x, bins=4)


def inverse_cdf(w, u):
    return np.searchsorted(np.cumsum(w) / w.sum(), u)


def add_seeded_noise(x):
    return x + 0.1 * np.random.default_rng(42).normal(size=x.shape)


def safe_divide(a, b):
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)


def divide_then_fix(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        r = a / b
    r[~np.isfinite(r)] = 0
    return r


def builtin_sum_abs(A):
    return sum(A), abs(A), sum([A, A, A])


def normalize_rows_comprehension(X):
    return np.array([row / row.sum() for row in X])


def scale_in_place(a):
    a *= 2
    np.sqrt(np.abs(a), out=a)
    a[0] += 1
    return a.sum()


def int_powers(i):
    return i ** 2, i ** 0.5, np.power(i, 2), i / 2, i // 2


def impute_column_means(X):
    return np.where(np.isnan(X), np.nanmean(X, axis=0), X)


def image_to_unit(img):
    return img.astype(np.float32) / np.iinfo(img.dtype).max


def stack_pairs(a, b):
    return np.vstack([a, b]), np.column_stack((a, b)), np.dstack([a, b])


def wrap_angle(t):
    return (t + np.pi) % (2 * np.pi) - np.pi


def _boxes(n, seed):
    lo = _f(n, 2, seed=seed)
    return np.concatenate([lo, lo + _f(n, 2, positive=True, seed=seed + 1)], axis=1)


def _u8(*shape, seed):
    return _i(256, *shape, seed=seed).astype(np.uint8)


def _prices(n, seed):
    return 100 * np.exp(np.cumsum(0.01 * _f(n, seed=seed)))


# name: (function, static keyword arguments, args for (seed, size) -> tuple)
CORPUS = {
    "box_blur3": (box_blur3, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "sobel_magnitude": (sobel_magnitude, {}, lambda s, n: (_f(n, n + 2, seed=s),)),
    "conv2d_valid": (conv2d_valid, {}, lambda s, n: (_f(n + 3, n + 2, seed=s), _f(3, 2, seed=s))),
    "pad_modes": (pad_modes, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "image_gradients": (image_gradients, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "hist_equalize": (hist_equalize, {}, lambda s, n: (_u8(n, n, seed=s),)),
    "augment": (augment, {}, lambda s, n: (_f(n, n, seed=s),)),
    "rgb_to_gray_u8": (rgb_to_gray_u8, {}, lambda s, n: (_u8(n, n + 1, 3, seed=s),)),
    "normalize_image_f32": (normalize_image_f32, {}, lambda s, n: (_u8(n, 2, 3, seed=s),)),
    "threshold_mask": (threshold_mask, {}, lambda s, n: (_f(n, n, seed=s),)),
    "max_pool2x2": (max_pool2x2, {}, lambda s, n: (_f(n + 1, n, seed=s),)),
    "log_returns": (log_returns, {}, lambda s, n: (_prices(n * 3, s),)),
    "rolling_mean_cumsum": (rolling_mean_cumsum, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "rolling_std_windows": (rolling_std_windows, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "max_drawdown": (max_drawdown, {}, lambda s, n: (_prices(n * 4, s),)),
    "sharpe_ratio": (sharpe_ratio, {}, lambda s, n: (0.01 * _f(n * 5, seed=s),)),
    "cov_corr": (cov_corr, {}, lambda s, n: (_f(n * 3, 3, seed=s),)),
    "zscore_columns": (zscore_columns, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "quantile_bins": (quantile_bins, {}, lambda s, n: (_f(n * 4, seed=s),)),
    "portfolio_stats": (portfolio_stats, {}, lambda s, n: (_f(3, seed=s), _f(n * 3, 3, seed=s))),
    "vwap": (vwap, {}, lambda s, n: (_prices(n * 2, s), _f(n * 2, positive=True, seed=s))),
    "one_hot": (one_hot, {}, lambda s, n: (_i(4, n, seed=s),)),
    "min_max_scale": (min_max_scale, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "train_test_split_fixed": (train_test_split_fixed, {},
                               lambda s, n: (_f(n * 2, 3, seed=s), _i(2, n * 2, seed=s))),
    "pairwise_sq_dists": (pairwise_sq_dists, {}, lambda s, n: (_f(n, 3, seed=s),
                                                               _f(n + 1, 3, seed=s + 1))),
    "pairwise_dists_einsum": (pairwise_dists_einsum, {}, lambda s, n: (_f(n, 3, seed=s),
                                                                       _f(n + 2, 3, seed=s + 1))),
    "kmeans_step": (kmeans_step, {}, lambda s, n: (_f(n * 3, 2, seed=s), _f(3, 2, seed=s + 1))),
    "log_softmax_stable": (log_softmax_stable, {}, lambda s, n: (_f(n, 5, seed=s) * 20,)),
    "cross_entropy_clip": (cross_entropy_clip, {},
                           lambda s, n: (np.abs(_f(n, 3, seed=s)) / 3, _i(3, n, seed=s))),
    "binary_cross_entropy": (binary_cross_entropy, {},
                             lambda s, n: (np.abs(np.tanh(_f(n, seed=s))), _i(2, n, seed=s))),
    "accuracy_argmax": (accuracy_argmax, {}, lambda s, n: (_f(n, 3, seed=s), _i(3, n, seed=s))),
    "confusion_matrix": (confusion_matrix, {}, lambda s, n: (_i(3, n * 2, seed=s),
                                                             _i(3, n * 2, seed=s + 1))),
    "dense_f32": (dense_f32, {}, lambda s, n: (_f(n, 4, seed=s), _f(4, 3, seed=s), _f(3, seed=s))),
    "cosine_similarity": (cosine_similarity, {}, lambda s, n: (_f(n, 3, seed=s),
                                                               _f(n + 1, 3, seed=s + 1))),
    "triangle_normals": (triangle_normals, {}, lambda s, n: tuple(_f(n, 3, seed=s + k)
                                                                  for k in range(3))),
    "rotation_2d": (rotation_2d, {}, lambda s, n: (0.3 * s, _f(n, 2, seed=s))),
    "rotations_from_angles": (rotations_from_angles, {}, lambda s, n: (_f(n, seed=s),)),
    "cart_to_polar": (cart_to_polar, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "polar_to_cart": (polar_to_cart, {}, lambda s, n: (_f(n, positive=True, seed=s),
                                                       _f(n, seed=s + 1))),
    "rodrigues": (rodrigues, {}, lambda s, n: (_f(3, seed=s + n), 0.1 * n)),
    "polygon_area": (polygon_area, {}, lambda s, n: (_f(n + 2, 2, seed=s),)),
    "centroid_and_radius": (centroid_and_radius, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "int_div_mod": (int_div_mod, {}, lambda s, n: (_i(20, n, seed=s) - 10,)),
    "uint8_arith": (uint8_arith, {}, lambda s, n: (_u8(n, 3, seed=s),)),
    "iinfo_clip": (iinfo_clip, {}, lambda s, n: (_f(n, seed=s) * 30,)),
    "finfo_eps_guard": (finfo_eps_guard, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "astype_roundtrip": (astype_roundtrip, {}, lambda s, n: (_f(n, 2, seed=s) * 5,)),
    "bool_mask_ops": (bool_mask_ops, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "int32_cumsum": (int32_cumsum, {}, lambda s, n: (_i(1000, n, seed=s),)),
    "summary_dict": (summary_dict, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "stats_tuple": (stats_tuple, {}, lambda s, n: (_f(n, seed=s),)),
    "r_squared": (r_squared, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s) + 0.1 * _f(n))),
    "best_index": (best_index, {}, lambda s, n: (_f(n, seed=s),)),
    "top_k": (top_k, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "fixed_histogram": (fixed_histogram, {}, lambda s, n: (_f(n * 5, seed=s),)),
    "rolling_max": (rolling_max, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "weighted_moving_average": (weighted_moving_average, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "resample_image": (resample_image, {}, lambda s, n: (_f(n, n + 2, seed=s),)),
    "contrast_u8": (contrast_u8, {}, lambda s, n: (_u8(n, 3, seed=s),)),
    "gamma_correct": (gamma_correct, {}, lambda s, n: (_u8(n, 3, seed=s),)),
    "radial_mask": (radial_mask, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "label_smoothing": (label_smoothing, {}, lambda s, n: (_i(5, n, seed=s),)),
    "minibatch_means": (minibatch_means, {}, lambda s, n: (_f(n * 3, 2, seed=s),)),
    "batched_matmul": (batched_matmul, {}, lambda s, n: (_f(n, 2, 3, seed=s),
                                                         _f(n, 3, 2, seed=s + 1))),
    "cumulative_returns": (cumulative_returns, {}, lambda s, n: (0.01 * _f(n * 3, seed=s),)),
    "quantize_step": (quantize_step, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "haversine": (haversine, {}, lambda s, n: tuple(_f(n, seed=s + k) * 40 for k in range(4))),
    "stats_array": (stats_array, {}, lambda s, n: (_f(n + 1, seed=s),)),
    "nan_guard": (nan_guard, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "nearest_two": (nearest_two, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "split_80_20": (split_80_20, {}, lambda s, n: (_f(n * 5, 2, seed=s),)),
    "nested_result": (nested_result, {}, lambda s, n: (_f(n, seed=s),)),
    "iou_boxes": (iou_boxes, {}, lambda s, n: (_boxes(n, s), _boxes(n + 1, s + 2))),
    "norm_variants": (norm_variants, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "bias_columns": (bias_columns, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "ridge_solve": (ridge_solve, {}, lambda s, n: (_f(n * 2, 3, seed=s), _f(n * 2, seed=s + 1))),
    "argmax_position": (argmax_position, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "clip_keywords": (clip_keywords, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "rounding": (rounding, {}, lambda s, n: (_f(n, 3, seed=s) * 3,)),
    "stacked_all": (stacked_all, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "diff_variants": (diff_variants, {}, lambda s, n: (_f(n + 2, seed=s),)),
    "causal_scores": (causal_scores, {}, lambda s, n: (_f(n, n, seed=s),)),
    "upper_triangle": (upper_triangle, {}, lambda s, n: (_f(n, n, seed=s),)),
    "einsum_variants": (einsum_variants, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, n, seed=s))),
    "complex_parts": (complex_parts, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "image_layouts": (image_layouts, {}, lambda s, n: (_u8(n, n + 1, 3, seed=s),)),
    "histogram_auto_range": (histogram_auto_range, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "inverse_cdf": (inverse_cdf, {}, lambda s, n: (_f(n, positive=True, seed=s),
                                                   np.random.default_rng(s).uniform(size=7))),
    "add_seeded_noise": (add_seeded_noise, {}, lambda s, n: (_f(n, seed=s),)),
    "safe_divide": (safe_divide, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "divide_then_fix": (divide_then_fix, {}, lambda s, n: (_f(n, seed=s), _i(3, n, seed=s) - 1.0)),
    "builtin_sum_abs": (builtin_sum_abs, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "normalize_rows_comprehension": (normalize_rows_comprehension, {},
                                     lambda s, n: (_f(n, 3, positive=True, seed=s),)),
    "scale_in_place": (scale_in_place, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "int_powers": (int_powers, {}, lambda s, n: (_i(10, n, seed=s),)),
    "impute_column_means": (impute_column_means, {},
                            lambda s, n: (np.where(_f(n, 3, seed=s) > 1, np.nan, _f(n, 3)),)),
    "image_to_unit": (image_to_unit, {}, lambda s, n: (_u8(n, 3, seed=s),)),
    "stack_pairs": (stack_pairs, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "wrap_angle": (wrap_angle, {}, lambda s, n: (_f(n, seed=s) * 5,)),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_corpus_function_matches_numpy(name):
    check_against_numpy(*CORPUS[name])


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("descending", [False, True])
def test_digitize_by_bins_computed_in_the_function(right, descending):
    def f(x):
        edges = np.linspace(x.min(), x.max(), 5)
        return np.digitize(x, edges[::-1] if descending else edges, right=right)
    x = np.round(_f(30, seed=5), 1)
    assert_same(tracenp.jit(f)(x), f(x))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.bool_])
def test_bincount_of_bounded_dtype_with_covering_minlength(dtype):
    def f(x, w):
        n = 2 if dtype is np.bool_ else np.iinfo(dtype).max + 1
        return np.bincount(x, minlength=n), np.bincount(x, weights=w, minlength=n + 3)
    x = (_i(2, 40, seed=6) if dtype is np.bool_ else _i(300, 40, seed=6)).astype(dtype)
    assert_same(tracenp.jit(f)(x, _f(40, seed=7)), f(x, _f(40, seed=7)))


def test_bincount_whose_length_depends_on_the_data_is_checked_when_it_runs():
    """A uint8 image's counts with `minlength=255`: NumPy's result has 256 bins when a pixel
    is 255, which the compiled function finds as it runs (the named error)."""
    f = tracenp.jit(lambda x: np.bincount(x, minlength=255))
    dark = _i(255, 9, seed=1).astype(np.uint8)
    np.testing.assert_array_equal(f(dark), np.bincount(dark, minlength=255))
    with pytest.raises(tracenp.errors.DataDependentShapeError, match="minlength=255"):
        f(np.r_[dark, 255].astype(np.uint8))
    small = _i(9, 9, seed=1)
    np.testing.assert_array_equal(tracenp.jit(lambda x: np.bincount(x, minlength=1000))(small),
                                  np.bincount(small, minlength=1000))
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda x: np.bincount(x))(small)  # no minlength: no length to check
