"""More of the corpus: signal processing, statistics, fitting and ML idioms as public code has them.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape, under `tracenp.jit`, and must match eager NumPy in value and dtype.
"""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_against_numpy

# ----------------------------------------------------------------------------- signal processing


def power_spectrum(x):
    return np.abs(np.fft.rfft(x)) ** 2 / len(x)


def spectral_centroid(x, fs=100.0):
    mag = np.abs(np.fft.rfft(x))
    freqs = np.fft.rfftfreq(len(x), d=1.0 / fs)
    return np.sum(freqs * mag) / np.sum(mag)


def fft_lowpass(x, keep=3):
    X = np.fft.rfft(x)
    X[keep:] = 0
    return np.fft.irfft(X, n=len(x))


def fft_convolve(a, b):
    n = len(a) + len(b) - 1
    return np.fft.irfft(np.fft.rfft(a, n) * np.fft.rfft(b, n), n)


def centered_spectrum_2d(img):
    return np.log1p(np.abs(np.fft.fftshift(np.fft.fft2(img))))


def fft_roundtrip(x):
    return np.fft.ifft(np.fft.fft(x)).real


def autocorrelation(x):
    n = len(x)
    x = x - x.mean()
    f = np.fft.fft(x, n=2 * n)
    acf = np.fft.ifft(f * np.conjugate(f))[:n].real
    return acf / acf[0]


def spectral_derivative(u, L=2 * np.pi):
    n = u.shape[-1]
    k = 2 * np.pi * np.fft.fftfreq(n, d=L / n)
    return np.fft.ifft(1j * k * np.fft.fft(u)).real


def gaussian_blur_fft(img, sigma=1.0):
    ky = np.fft.fftfreq(img.shape[0])[:, None]
    kx = np.fft.fftfreq(img.shape[1])[None, :]
    H = np.exp(-2 * (np.pi * sigma) ** 2 * (kx ** 2 + ky ** 2))
    return np.fft.ifft2(np.fft.fft2(img) * H).real


def volume_spectrum(vol):
    return np.abs(np.fft.rfftn(vol)), np.fft.fftn(vol).real


def rfft2_energy(img):
    return np.sum(np.abs(np.fft.rfft2(img)) ** 2, axis=0)


def unshift_spectrum(x):
    return np.fft.ifftshift(np.fft.fftshift(np.fft.fft(x)))


def boxcar_same(x, w=3):
    return np.convolve(x, np.ones(w) / w, mode="same")


def windowed_spectrum(x):
    win = np.hanning(len(x))
    return np.abs(np.fft.rfft(x * win)) / np.sum(win)


def dominant_frequency(x, fs=50.0):
    power = np.abs(np.fft.rfft(x - x.mean())) ** 2
    return np.fft.rfftfreq(len(x), d=1.0 / fs)[np.argmax(power)]


def rolling_std(x, w=4):
    return np.lib.stride_tricks.sliding_window_view(x, w).std(axis=-1)


def instantaneous_phase(re, im):
    return np.unwrap(np.angle(re + 1j * im))


# ----------------------------------------------------------------------------- statistics


def mean_of_positive(x):
    return np.mean(x[x > 0])


def masked_weighted_sum(x, w):
    mask = w > 0.5
    return x[mask].sum() / np.count_nonzero(mask)


def fraction_above(x, t=0.0):
    return np.count_nonzero(x > t) / x.size


def max_of_valid(x):
    valid = np.isfinite(x) & (x < 1.5)
    return x[valid].max(), x[valid].min()


def sigma_clipped_std(x, k=2.0):
    keep = np.abs(x - x.mean()) < k * x.std()
    return x[keep].std(), x[keep].var(ddof=1)


def masked_rms(x, y):
    m = y > 0
    return np.sqrt(np.mean((x[m] - y[m]) ** 2))


def fill_gaps(y):
    y = y.copy()
    nans = np.isnan(y)
    idx = np.arange(len(y))
    y[nans] = np.interp(idx[nans], idx[~nans], y[~nans])
    return y


def nan_iqr(x):
    q75, q25 = np.nanpercentile(x, [75, 25])
    return q75 - q25


def nan_median_columns(x):
    return np.nanquantile(x, 0.5, axis=0), np.nanpercentile(x, 90, axis=1)


def robust_zscore(x):
    med = np.median(x)
    mad = np.median(np.abs(x - med))
    return 0.6745 * (x - med) / mad


def histogram_density(x):
    counts, edges = np.histogram(x, bins=8, range=(-3.0, 3.0))
    return counts / (len(x) * np.diff(edges))


def ecdf(x, grid):
    return np.searchsorted(np.sort(x), grid, side="right") / len(x)


def bootstrap_means(x, n_boot=5):
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    return x[idx].mean(axis=1)


def pearson_r(x, y):
    return np.corrcoef(x, y)[0, 1]


def kth_smallest(x, k=2):
    return np.partition(x, k)[k]


def top_k_sorted(x, k=3):
    return np.sort(np.partition(x, -k)[-k:])


def top_k_rows(scores, k=2):
    idx = np.argpartition(-scores, k, axis=1)[:, :k]
    return np.sort(np.take_along_axis(scores, idx, axis=1), axis=1)


def near_equal_fraction(a, b):
    return np.isclose(a, b, atol=0.5).mean(), np.allclose(a, a + 1e-12)


def any_all_checks(x):
    return np.any(x > 2, axis=0), np.all(np.isfinite(x)), (x < 0).sum(axis=1)


# ----------------------------------------------------------------------------- fitting, linalg


def detrend_linear(t, y):
    p = np.polyfit(t, y, 1)
    return y - np.polyval(p, t)


def quadratic_fit(t, y):
    return np.polyfit(t, y, 2)


def least_squares(X, y):
    coef, residuals, rank, sv = np.linalg.lstsq(X, y, rcond=None)
    return coef, sv


def lstsq_multi_target(X, Y):
    return np.linalg.lstsq(X, Y, rcond=None)[0]


def spectral_radius(A):
    return np.max(np.abs(np.linalg.eigvals(A)))


def stationary_distribution(P):
    w, v = np.linalg.eig(P.T)
    i = np.argmin(np.abs(w - 1.0))
    pi = v[:, i].real
    return pi / pi.sum()


def mahalanobis(X, mu, cov):
    d = X - mu
    return np.sqrt(np.einsum("ij,jk,ik->i", d, np.linalg.inv(cov), d))


def gaussian_loglik(X, cov):
    sign, logdet = np.linalg.slogdet(cov)
    sol = np.linalg.solve(cov, X.T)
    return -0.5 * (np.sum(X.T * sol, axis=0) + logdet + X.shape[1] * np.log(2 * np.pi))


def distances_to_center(X, c):
    return np.linalg.norm(X - c, axis=1), np.linalg.norm(X, ord=1, axis=1)


def bilinear_form(x, A):
    return np.einsum("bi,ij,bj->b", x, A, x)


# ----------------------------------------------------------------------------- ML idioms


def hinge_loss(scores, y):
    return np.mean(np.maximum(0, 1 - y * scores))


def log_loss(y, p):
    eps = np.finfo(p.dtype).eps
    p = np.clip(p, eps, 1 - eps)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def relu_inplace(x):
    x = x.copy()
    x[x < 0] = 0
    return x


def huber(r, delta=1.0):
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * r ** 2, delta * (a - 0.5 * delta))


def embedding_bag(table, ids, weights):
    out = np.zeros((3, table.shape[1]))
    bags = np.arange(len(ids)) % 3
    np.add.at(out, bags, table[ids] * weights[:, None])
    return out


def sparse_dot(w, idx, v):
    return np.sum(w[idx] * v)


def accuracy(logits, y):
    return (logits.argmax(axis=1) == y).mean()


def softmax_f32(x):
    x = x.astype(np.float32)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def quantize_uint8(x):
    lo, hi = x.min(), x.max()
    q = np.round((x - lo) / (hi - lo) * 255).astype(np.uint8)
    return q, q.astype(int).sum()


def safe_ratio(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(b != 0, a / b, 0.0)
    return r


def scaled_scalar(x):
    half = np.float64(0.5)
    return half * x + np.float32(2) * x.sum(), x.astype(np.float32) * np.float32(3)


def digitize_counts(x):
    bins = np.linspace(-2, 2, 5)
    which = np.digitize(x, bins)
    return (which[:, None] == np.arange(6)).sum(axis=0)


def interp_fill(t, y, t_new):
    return np.interp(t_new, t, y, left=0.0, right=0.0)


def gd_linear_regression(X, y, steps=20, lr=0.1):
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        grad = X.T @ (X @ w - y) / len(y)
        w -= lr * grad
    return w


def logistic_map(r, steps=30):
    x = np.full_like(r, 0.5)
    for _ in range(steps):
        x = r * x * (1 - x)
    return x


def integer_pixels(img):
    g = (0.299 * img[..., 0] + 0.587 * img[..., 1] + 0.114 * img[..., 2]).astype(int)
    return g, g // 16, np.clip(g, 0, 100)


def leaky_piecewise(x):
    return np.piecewise(x, [x < 0, x >= 0], [lambda v: 0.01 * v, lambda v: v])


def condition_numbers(A):
    return np.linalg.cond(A), np.linalg.cond(A.T @ A)


# ----------------------------------------------------------------------------- the table


def _sym(n, seed):
    a = _f(n, n, seed=seed)
    return a @ a.T + n * np.eye(n)


def _stochastic(n, seed):
    p = _f(n, n, seed=seed, positive=True)
    return p / p.sum(axis=1, keepdims=True)


def _with_nans(*shape, seed):
    x = _f(*shape, seed=seed)
    holes = _i(2, *shape, seed=seed + 7).astype(bool) & (np.arange(x.size).reshape(shape) % 3 == 0)
    x[holes] = np.nan
    return x


CORPUS = {
    "power_spectrum": (power_spectrum, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "spectral_centroid": (spectral_centroid, {}, lambda s, n: (_f(2 * n + 1, seed=s),)),
    "fft_lowpass": (fft_lowpass, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "fft_convolve": (fft_convolve, {}, lambda s, n: (_f(n, seed=s), _f(3, seed=s + 1))),
    "centered_spectrum_2d": (centered_spectrum_2d, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "fft_roundtrip": (fft_roundtrip, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "autocorrelation": (autocorrelation, {}, lambda s, n: (_f(n + 3, seed=s),)),
    "spectral_derivative": (spectral_derivative, {}, lambda s, n: (
        np.sin(np.linspace(0, 2 * np.pi, 2 * n, endpoint=False)) + 0.01 * _f(2 * n, seed=s),)),
    "gaussian_blur_fft": (gaussian_blur_fft, {}, lambda s, n: (_f(n, 6, seed=s),)),
    "volume_spectrum": (volume_spectrum, {}, lambda s, n: (_f(2, n, 3, seed=s),)),
    "rfft2_energy": (rfft2_energy, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "unshift_spectrum": (unshift_spectrum, {}, lambda s, n: (_f(n + 1, seed=s),)),
    "boxcar_same": (boxcar_same, {}, lambda s, n: (_f(n + 2, seed=s),)),
    "windowed_spectrum": (windowed_spectrum, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "dominant_frequency": (dominant_frequency, {}, lambda s, n: (
        np.sin(2 * np.pi * 6.0 * np.arange(8 * n) / 50.0) + 0.1 * _f(8 * n, seed=s),)),
    "rolling_std": (rolling_std, {}, lambda s, n: (_f(n + 5, seed=s),)),
    "instantaneous_phase": (instantaneous_phase, {}, lambda s, n: (
        np.cos(np.linspace(0, 12, 4 * n)) + 0.01 * _f(4 * n, seed=s),
        np.sin(np.linspace(0, 12, 4 * n)))),
    "mean_of_positive": (mean_of_positive, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "masked_weighted_sum": (masked_weighted_sum, {}, lambda s, n: (
        _f(n * 2, seed=s), _f(n * 2, seed=s + 1, positive=True))),
    "fraction_above": (fraction_above, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "max_of_valid": (max_of_valid, {}, lambda s, n: (np.append(_f(n, seed=s), [0.0, np.inf]),)),
    "sigma_clipped_std": (sigma_clipped_std, {},
                          lambda s, n: (_f(n * 3, seed=s).astype(np.float32),)),
    "masked_rms": (masked_rms, {}, lambda s, n: (_f(n, 2, seed=s),
                                                 np.abs(_f(n, 2, seed=s + 1)) - 0.3)),
    "fill_gaps": (fill_gaps, {}, lambda s, n: (_with_nans(n * 3, seed=s),)),
    "nan_iqr": (nan_iqr, {}, lambda s, n: (_with_nans(n * 2, seed=s),)),
    "nan_median_columns": (nan_median_columns, {}, lambda s, n: (_with_nans(n, 3, seed=s),)),
    "robust_zscore": (robust_zscore, {}, lambda s, n: (_f(n + 1, seed=s),)),
    "histogram_density": (histogram_density, {}, lambda s, n: (_f(n * 4, seed=s),)),
    "ecdf": (ecdf, {}, lambda s, n: (_f(n * 2, seed=s), np.linspace(-2, 2, 5))),
    "bootstrap_means": (bootstrap_means, {}, lambda s, n: (_f(n, seed=s),)),
    "pearson_r": (pearson_r, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "kth_smallest": (kth_smallest, {}, lambda s, n: (_f(n, seed=s),)),
    "top_k_sorted": (top_k_sorted, {}, lambda s, n: (_f(n, seed=s),)),
    "top_k_rows": (top_k_rows, {}, lambda s, n: (_f(3, n, seed=s),)),
    "near_equal_fraction": (near_equal_fraction, {},
                            lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "any_all_checks": (any_all_checks, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "detrend_linear": (detrend_linear, {}, lambda s, n: (np.arange(n + 2.0), _f(n + 2, seed=s))),
    "quadratic_fit": (quadratic_fit, {}, lambda s, n: (np.linspace(0, 1, n + 3),
                                                       _f(n + 3, seed=s))),
    "least_squares": (least_squares, {}, lambda s, n: (_f(n + 3, 3, seed=s),
                                                       _f(n + 3, seed=s + 1))),
    "lstsq_multi_target": (lstsq_multi_target, {}, lambda s, n: (_f(n + 3, 2, seed=s),
                                                                 _f(n + 3, 2, seed=s + 1))),
    "spectral_radius": (spectral_radius, {}, lambda s, n: (_f(n, n, seed=s),)),
    "stationary_distribution": (stationary_distribution, {}, lambda s, n: (_stochastic(n, s),)),
    "mahalanobis": (mahalanobis, {}, lambda s, n: (_f(n, 3, seed=s), _f(3), _sym(3, s))),
    "gaussian_loglik": (gaussian_loglik, {}, lambda s, n: (_f(n, 3, seed=s), _sym(3, s))),
    "distances_to_center": (distances_to_center, {}, lambda s, n: (_f(n, 3, seed=s), _f(3))),
    "bilinear_form": (bilinear_form, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, 3, seed=s + 1))),
    "leaky_piecewise": (leaky_piecewise, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "condition_numbers": (condition_numbers, {}, lambda s, n: (_f(n + 2, n, seed=s),)),
    "hinge_loss": (hinge_loss, {}, lambda s, n: (_f(n, seed=s), np.sign(_f(n, seed=s + 1)))),
    "log_loss": (log_loss, {}, lambda s, n: (
        _i(2, n, seed=s).astype(np.float32),
        np.random.default_rng(s).random(n).astype(np.float32))),
    "relu_inplace": (relu_inplace, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "huber": (huber, {}, lambda s, n: (_f(n, seed=s) * 2,)),
    "embedding_bag": (embedding_bag, {}, lambda s, n: (_f(5, 2, seed=s), _i(5, n, seed=s),
                                                       _f(n, seed=s + 1))),
    "sparse_dot": (sparse_dot, {}, lambda s, n: (_f(6, seed=s), _i(6, n, seed=s), _f(n, seed=s))),
    "accuracy": (accuracy, {}, lambda s, n: (_f(n, 3, seed=s), _i(3, n, seed=s))),
    "softmax_f32": (softmax_f32, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "quantize_uint8": (quantize_uint8, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "safe_ratio": (safe_ratio, {}, lambda s, n: (_f(n, seed=s), _i(3, n, seed=s) - 1.0)),
    "scaled_scalar": (scaled_scalar, {}, lambda s, n: (_f(n, seed=s),)),
    "digitize_counts": (digitize_counts, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "interp_fill": (interp_fill, {}, lambda s, n: (np.arange(n + 2.0), _f(n + 2, seed=s),
                                                   np.linspace(-1, n + 3, 7))),
    "gd_linear_regression": (gd_linear_regression, {}, lambda s, n: (_f(n + 2, 2, seed=s),
                                                                     _f(n + 2, seed=s + 1))),
    "logistic_map": (logistic_map, {}, lambda s, n: (_f(n, positive=True, seed=s) + 2,)),
    "integer_pixels": (integer_pixels, {},
                       lambda s, n: (_f(n, 4, 3, positive=True, seed=s) * 100,)),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_corpus_function_matches_numpy(name):
    check_against_numpy(*CORPUS[name])


def test_scalar_results_convert_like_numpy():
    """`float(f(x))` and `f(x).item()` on a jitted reduction give NumPy's Python numbers."""
    jf = tracenp.jit(mean_of_positive)
    x = _f(5, 3, seed=4)
    assert float(jf(x)) == pytest.approx(float(mean_of_positive(x)), rel=1e-12)
    assert jf(x).item() == pytest.approx(mean_of_positive(x).item(), rel=1e-12)
