"""Corpus, hunt BH: spectroscopy, analytical chemistry and crystallography as lab scripts,
course notebooks and small GitHub tools write them.

Baseline correction (Eilers' asymmetric least squares with a dense `np.diag` system, with
`sparse.spdiags`/`sparse.diags` and `spsolve` as the StackOverflow answer writes it, with COO
triplet weights, by `solveh_banded`; arPLS with masked statistics and with `d[d < 0]`, drPLS,
the Whittaker smoother dense and sparse, modpoly and imodpoly by `polyfit`/`polyval` loops,
Vandermonde `lstsq`, Chebyshev and `Polynomial.fit` baselines, rolling balls by
`minimum_filter1d`/`maximum_filter1d` and by `sliding_window_view`, SNIP written in place,
white top-hats, anchor points by `np.interp`, endpoint lines by a traced `np.linspace`);
smoothing (the SciPy Cookbook's `savitzky_golay` with `np.asmatrix` and mirrored ends, a
Vandermonde `pinv` filter by a sliding dot, `savgol_filter` with derivatives into a dict and on
float32 rows, cumsum moving averages, Gaussian and Hanning kernels by `np.convolve`,
`gaussian_filter1d`, an exponential smoother written point by point, `rfft` low-pass, binning
by reshape); derivatives (`np.gradient` twice, on non-uniform axes, `edge_order=2` along rows,
Norris gap-segment, second-derivative sharpening); peak shapes (pseudo-Voigt, Voigt by `wofz`
against `voigt_profile`, EMG by `erfc`, multi-peak sums from a parameter table, a dict of bands
and by broadcasting, areas and centroids by `np.trapezoid`, `simpson`, `romb`, parabolic maxima
at a traced `argmax`, FWHM from the first and last points above half, a Gauss-Newton fit,
fixed-position band heights by `lstsq`); calibration (`lstsq` with LOD/LOQ into a dict,
`polyfit(cov=True)` and `w=`, `linregress`, inverse prediction intervals with `t.ppf`, standard
addition, quadratic lines, replicate RSDs, many analytes by `einsum`, float32 counts by `pinv`,
Grubbs statistics, leverage); Beer-Lambert (mixtures by `lstsq`, batched `solve` and `nnls`,
CLS and ILS, Job's method, spectrophotometric pKa, isosbestic points, a species dict, uint16
frames to float32 absorbance); NMR (FIDs from a dict of lines, exponential and sine-bell
apodisation, zero filling by `np.pad`, `fftshift` with a frequency axis, nmrglue's `ps` in
complex128 and complex64, group delays, region integrals, States 2-D data, a grid autophase,
`.real -=` baselines, `np.unwrap` first-order phase, multiplets as Fourier products, T1 fits, a
pipeline with a parameter dict); mass spectrometry (isotope patterns by repeated
`np.convolve` over formula dicts, by squaring and by `rfft` powers, formula matrices, Kendrick
defects, binning by `histogram` and `bincount`, XICs by a ppm mask, cosine and Stein library
search, MCA histograms by `h[idx] += 1` and `np.add.at`); chromatography (resolution and plate
numbers, van Deemter by `lstsq`, moments, Kovats indices by `searchsorted`, window areas by
`cumulative_trapezoid`, EMG simulation from a list of dicts, gradient programs, overlapped-peak
deconvolution, a float32 trace); chemometrics (SNV, MSC by `polyfit(full=True)` per row, EMSC,
normalisations and scalings into dicts, PCA by SVD with `svd_flip` and by `eigh` of `np.cov`,
T^2 and Q, PLS1 and PLS2 by NIPALS, leave-one-out PRESS by `np.delete`, PCR, VIP,
Kennard-Stone by a list of traced `argmax`es, Mahalanobis by `einsum`, MCR-ALS with clipping
and closure, evolving factor analysis over growing windows, a global A -> B -> C kinetic fit
by `lstsq`, a preprocessing pipeline from a dict of callables, Whitaker-Hayes despiking, MLR
with `np.matrix`);
crystallography (d-spacings from integer Miller indices, cubic to triclinic through the
metric tensor, lattice vectors, reciprocal lattices by `np.cross`, `math.radians` cell
parameters, Scherrer and Williamson-Hall, Cromer-Mann form factors from a module dict, NaCl
structure factors summed over sites, powder patterns by broadcasting and by a loop over an
`itertools.product` reflection list, minimum-image distances, bond angles by `triu_indices`,
Ewald excitation errors, strain tensors, Wilson plots by `digitize`/`bincount` shells, R
factors, 1-D Fourier and 2-D Patterson maps, cubic cells from indexed peaks, Nelson-Riley,
extinction rules, zone axes by `np.cross` and `np.gcd.reduce`, the Debye equation by `np.sinc`,
pair distributions by `histogram`); and more spectroscopy (Tauc gaps, nm to wavenumber
resampling, quantum yields, float32 Planck radiance, instrument broadening, Fourier
self-deconvolution, hit-quality indices, emission maxima by row gathers, uint16 frames with
wraparound and to reflectance, Boltzmann plots, weighted lifetime fits, interp1d of a tabulated
reference spectrum, `signal.deconvolve`, record-array peak tables, sub-pixel alignment by
`ndimage.shift`, correlation lags).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy/SciPy in value and
dtype, and in the arguments it writes in place. Iteration counts, window lengths, polynomial
orders, component counts and compound names are static; the forms whose Python or shapes
depend on array values (`find_peaks`, `argrelmax`, zero crossings by `np.nonzero`, a
convergence `break`, boolean ppm-region selections, Grubbs removal loops, `curve_fit`,
`np.unique` of masses, a component count from the explained variance, the zero trimming of
`np.poly1d` of a fit and of `Polynomial.convert()`, `splrep` of traced data) raise a named
error and run eagerly under `fallback=True`.
"""

from __future__ import annotations

import itertools
from math import factorial

import numpy as np
import pytest
import scipy.integrate
import scipy.interpolate
import scipy.linalg
import scipy.ndimage
import scipy.signal
import scipy.special
import scipy.stats
from scipy import sparse
from scipy.sparse.linalg import spsolve
from scipy.special import wofz
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_corpus_hunt_v import _names, _Xfail

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _pos(seed, *shape, lo=1.0, hi=10.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _axis(n, lo=400.0, hi=1800.0):
    return np.linspace(lo, hi, n)


def _spectrum(seed, n, baseline=True):
    # a Raman-like spectrum: three Lorentzians on a sloping, curved background, with noise
    r = np.random.default_rng(seed)
    x = np.linspace(0.0, 1.0, n)
    y = np.zeros(n)
    for c in (0.25, 0.5, 0.75):
        c = c + 0.03 * r.standard_normal()
        w = 0.02 + 0.01 * r.random()
        y += (1.0 + r.random()) * w ** 2 / ((x - c) ** 2 + w ** 2)
    if baseline:
        y += 0.5 + 0.8 * x - 0.6 * x ** 2
    return y + 0.01 * r.standard_normal(n)


def _spectra(seed, m, n, baseline=True):
    return np.stack([_spectrum(seed * 100 + k, n, baseline) for k in range(m)])


# ============================================================================ baseline correction


def als_baseline_dense(y, lam=1e4, p=0.01, niter=10):
    # Eilers & Boelens' asymmetric least squares with a dense second-difference matrix
    L = len(y)
    D = np.diff(np.eye(L), 2)
    H = lam * D.dot(D.T)
    w = np.ones(L)
    for i in range(niter):
        W = np.diag(w)
        z = np.linalg.solve(W + H, w * y)
        w = p * (y > z) + (1 - p) * (y < z)
    return z


def baseline_als_spdiags(y, lam, p, niter=10):
    # the StackOverflow answer every Raman script copies
    L = len(y)
    D = sparse.diags([1, -2, 1], [0, -1, -2], shape=(L, L - 2))
    w = np.ones(L)
    for i in range(niter):
        W = sparse.spdiags(w, 0, L, L)
        Z = W + lam * D.dot(D.transpose())
        z = spsolve(Z, w * y)
        w = p * (y > z) + (1 - p) * (y < z)
    return z


def baseline_als_csc(y, lam=1e5, p=0.02, niter=8):
    # the "faster" variant: D built once, diags(w) in CSC, D'D precomputed
    L = len(y)
    D = sparse.csc_matrix(np.diff(np.eye(L), 2))
    DDT = lam * D.dot(D.transpose())
    w = np.ones(L)
    for _ in range(niter):
        W = sparse.diags(w, 0, shape=(L, L), format="csc")
        z = spsolve(W + DDT, w * y)
        w = p * (y > z) + (1 - p) * (y < z)
    return z


def whittaker_smooth(y, lmbd=100.0, d=2):
    # Eilers' Whittaker smoother, dense
    m = len(y)
    E = np.eye(m)
    D = np.diff(E, d, axis=0)
    return np.linalg.solve(E + lmbd * D.T @ D, y)


def arpls_masked_stats(y, lam=1e4, niter=6):
    # Baek's arPLS with the negative residuals' mean and std written by masks
    N = len(y)
    D = np.diff(np.eye(N), 2, axis=0)
    H = lam * D.T @ D
    w = np.ones(N)
    for _ in range(niter):
        z = np.linalg.solve(np.diag(w) + H, w * y)
        d = y - z
        neg = d < 0
        m = np.sum(d * neg) / np.sum(neg)
        s = np.sqrt(np.sum(((d - m) * neg) ** 2) / np.sum(neg))
        w = 1.0 / (1.0 + np.exp(2.0 * (d - (2 * s - m)) / s))
    return z, w


def arpls_boolean_index(y, lam=1e4, niter=6):
    # arPLS as published: dn = d[d < 0] for the statistics, a fixed iteration count
    N = len(y)
    D = np.diff(np.eye(N), 2, axis=0)
    H = lam * D.T @ D
    w = np.ones(N)
    for _ in range(niter):
        z = np.linalg.solve(np.diag(w) + H, w * y)
        d = y - z
        dn = d[d < 0]
        m = np.mean(dn)
        s = np.std(dn)
        w = 1.0 / (1.0 + np.exp(2.0 * (d - (2 * s - m)) / s))
    return z


def modpoly(x, y, deg=3, niter=20):
    # Lieber & Mahadevan-Jansen's modified polyfit: clip the spectrum to the fit and refit
    y_work = y.copy()
    for _ in range(niter):
        coeffs = np.polyfit(x, y_work, deg)
        base = np.polyval(coeffs, x)
        y_work = np.minimum(y_work, base)
    return y - base, base


def imodpoly(x, y, deg=2, niter=10):
    # Zhao's improved modpoly: the fit plus its residual standard deviation
    yw = y.copy()
    for _ in range(niter):
        base = np.polyval(np.polyfit(x, yw, deg), x)
        dev = np.std(yw - base)
        yw = np.where(yw > base + dev, base + dev, yw)
    return base


def polynomial_baseline_vander(x, y, deg=3):
    # a polynomial baseline by lstsq on a Vandermonde matrix of the scaled axis
    xs = (x - x.min()) / (x.max() - x.min())
    V = np.vander(xs, deg + 1)
    coef, *_ = np.linalg.lstsq(V, y, rcond=None)
    return y - V @ coef


def rolling_ball(y, half_width=5, smooth=3):
    # rolling ball by a morphological opening, then a moving average of the ball's track
    w = 2 * half_width + 1
    eroded = scipy.ndimage.minimum_filter1d(y, w, mode="nearest")
    opened = scipy.ndimage.maximum_filter1d(eroded, w, mode="nearest")
    return scipy.ndimage.uniform_filter1d(opened, 2 * smooth + 1, mode="nearest")


def rolling_min_window_view(y, w=7):
    # the minimum over each window by sliding_window_view of an edge-padded spectrum
    half = w // 2
    yp = np.pad(y, half, mode="edge")
    mins = np.lib.stride_tricks.sliding_window_view(yp, w).min(axis=1)
    maxs = np.lib.stride_tricks.sliding_window_view(np.pad(mins, half, mode="edge"),
                                                    w).max(axis=1)
    return y - maxs


def snip_baseline(y, iterations=8):
    # SNIP (Ryan et al.) with the LLS operator, as XRF and gamma-spectroscopy tools write it
    v = np.log(np.log(np.sqrt(y + 1) + 1) + 1)
    n = len(v)
    for p in range(1, iterations + 1):
        a = v[p:n - p]
        b = (v[:n - 2 * p] + v[2 * p:]) / 2
        v[p:n - p] = np.minimum(a, b)
    return (np.exp(np.exp(v) - 1) - 1) ** 2 - 1


def linear_endpoint_baseline(y):
    # the straight line from the first to the last point, taken off
    base = np.linspace(y[0], y[-1], len(y))
    return y - base


def anchor_point_baseline(x, y, anchors=(0, 5, 11, -1)):
    # a piecewise-linear baseline through hand-picked anchor points
    idx = list(anchors)
    return y - np.interp(x, x[idx], y[idx])


def tophat_baseline(y, size=9):
    # a white top-hat: the spectrum minus its grey opening
    return scipy.ndimage.white_tophat(y, size=size)


def drpls_penalties(y, lam=1e4, eta=0.5, niter=5):
    # doubly reweighted PLS: D2 and D1 penalties with the weights inside the D2 term
    N = len(y)
    D1 = np.diff(np.eye(N), 1, axis=0)
    D2 = np.diff(np.eye(N), 2, axis=0)
    H1 = D1.T @ D1
    H2 = D2.T @ D2
    w = np.ones(N)
    for k in range(1, niter + 1):
        Wm = np.diag(w)
        z = np.linalg.solve(Wm + H1 + lam * (np.eye(N) - eta * Wm) @ H2, w * y)
        d = y - z
        dn = np.where(d < 0, d, 0.0)
        cnt = np.count_nonzero(d < 0)
        m = dn.sum() / cnt
        s = np.sqrt(((dn - m * (d < 0)) ** 2).sum() / cnt)
        w = 0.5 * (1 - np.exp(k) * (d - (-m + 2 * s)) / s
                   / (1 + np.abs(np.exp(k) * (d - (-m + 2 * s)) / s)))
    return z


BASELINE = {
    "als_dense_diag_solve": (als_baseline_dense, {"niter": 6}, lambda s, n: (
        _spectrum(s, 6 * n),)),
    "als_sparse_spdiags_spsolve": (baseline_als_spdiags, {"niter": 5}, lambda s, n: (_spectrum(s, 6 * n), 1e3, 0.01)),
    "als_sparse_diags_csc": (baseline_als_csc, {"niter": 5}, lambda s, n: (
        _spectrum(s, 6 * n),)),
    "whittaker_smoother": (whittaker_smooth, {}, lambda s, n: (_spectrum(s, 5 * n),)),
    "arpls_masked_stats": (arpls_masked_stats, {"niter": 4}, lambda s, n: (
        _spectrum(s, 6 * n),)),
    "arpls_boolean_index_stats": (arpls_boolean_index, {"niter": 4}, lambda s, n: (
        _spectrum(s, 6 * n),)),
    "modpoly_polyfit_loop": (modpoly, {"niter": 12}, lambda s, n: (
        _axis(8 * n), _spectrum(s, 8 * n))),
    "imodpoly_std_threshold": (imodpoly, {}, lambda s, n: (
        np.linspace(0, 1, 8 * n), _spectrum(s, 8 * n))),
    "polynomial_vander_lstsq": (polynomial_baseline_vander, {}, lambda s, n: (
        _axis(7 * n), _spectrum(s, 7 * n))),
    "rolling_ball_min_max_filter": (rolling_ball, {"half_width": 4}, lambda s, n: (
        _spectrum(s, 8 * n),)),
    "rolling_min_sliding_window": (rolling_min_window_view, {}, lambda s, n: (
        _spectrum(s, 8 * n),)),
    "snip_lls_in_place": (snip_baseline, {"iterations": 6}, lambda s, n: (
        100 * _spectrum(s, 8 * n),)),
    "linear_endpoint_linspace": (linear_endpoint_baseline, {}, lambda s, n: (
        _spectrum(s, 5 * n),)),
    "anchor_points_interp": (anchor_point_baseline, {}, lambda s, n: (
        _axis(5 * n), _spectrum(s, 5 * n))),
    "white_tophat": (tophat_baseline, {}, lambda s, n: (_spectrum(s, 8 * n),)),
    "drpls_two_penalties": (drpls_penalties, {"niter": 3}, lambda s, n: (
        _spectrum(s, 6 * n),)),
}


@pytest.mark.parametrize("name", _names(BASELINE))
def test_baseline_correction_matches_numpy(name):
    """ALS (dense and sparse), arPLS, drPLS, Whittaker, modpoly, rolling ball, SNIP, top-hat
    and anchor-point baselines: NumPy's values."""
    check_like_numpy(*BASELINE[name])


# ============================================================================ smoothing


def savitzky_golay_cookbook(y, window_size=7, order=2, deriv=0, rate=1):
    # the SciPy Cookbook's savitzky_golay: np.asmatrix Vandermonde, pinv row, mirrored ends
    order_range = range(order + 1)
    half_window = (window_size - 1) // 2
    b = np.asmatrix([[k ** i for i in order_range]
                     for k in range(-half_window, half_window + 1)])
    m = np.linalg.pinv(b).A[deriv] * rate ** deriv * factorial(deriv)
    firstvals = y[0] - np.abs(y[1:half_window + 1][::-1] - y[0])
    lastvals = y[-1] + np.abs(y[-half_window - 1:-1][::-1] - y[-1])
    y = np.concatenate((firstvals, y, lastvals))
    return np.convolve(m[::-1], y, mode="valid")


def savgol_coeffs_vander(y, window=9, poly=3):
    # the least-squares filter as a pinv of a Vandermonde matrix, applied by a sliding dot
    half = window // 2
    z = np.arange(-half, half + 1)
    A = np.vander(z, poly + 1, increasing=True).astype(float)
    c = np.linalg.pinv(A)[0]
    ypad = np.pad(y, half, mode="reflect")
    windows = np.lib.stride_tricks.sliding_window_view(ypad, window)
    return windows @ c


def savgol_smooth_and_derivs(x, y, window=11, poly=3):
    # scipy.signal.savgol_filter for the smoothed spectrum and two derivatives
    dx = x[1] - x[0]
    return {
        "smooth": scipy.signal.savgol_filter(y, window, poly),
        "d1": scipy.signal.savgol_filter(y, window, poly, deriv=1, delta=dx),
        "d2": scipy.signal.savgol_filter(y, window, poly, deriv=2, delta=dx),
    }


def savgol_rows_float32(X, window=7, poly=2):
    # preprocessing a float32 matrix of NIR spectra, one row each
    return scipy.signal.savgol_filter(X, window, poly, axis=1, mode="nearest")


def moving_average_cumsum(y, n=4):
    ret = np.cumsum(y, dtype=float)
    ret[n:] = ret[n:] - ret[:-n]
    return ret[n - 1:] / n


def gaussian_kernel_smooth(y, sigma=2.0, radius=6):
    t = np.arange(-radius, radius + 1)
    kernel = np.exp(-t ** 2 / (2 * sigma ** 2))
    kernel /= kernel.sum()
    return np.convolve(y, kernel, mode="same")


def ndimage_gaussian_rows(X, sigma=1.5):
    return scipy.ndimage.gaussian_filter1d(X, sigma, axis=-1, mode="reflect")


def exponential_smoothing_loop(y, alpha=0.3):
    s = np.empty_like(y)
    s[0] = y[0]
    for i in range(1, len(y)):
        s[i] = alpha * y[i] + (1 - alpha) * s[i - 1]
    return s


def fourier_lowpass(y, keep=8):
    Y = np.fft.rfft(y)
    Y[keep:] = 0
    return np.fft.irfft(Y, n=len(y))


def bin_spectrum(x, y, factor=4):
    # binning by reshape-mean, dropping the points that do not fill a bin
    n = len(y) // factor * factor
    return (x[:n].reshape(-1, factor).mean(axis=1),
            y[:n].reshape(-1, factor).sum(axis=1))


def hanning_window_smooth(y, window_len=7):
    # the SciPy Cookbook's smooth(): reflected ends, a Hanning window
    s = np.r_[y[window_len - 1:0:-1], y, y[-2:-window_len - 1:-1]]
    w = np.hanning(window_len)
    out = np.convolve(w / w.sum(), s, mode="valid")
    return out[(window_len // 2):-(window_len // 2)]


def triangular_smooth_passes(y, passes=3):
    # the "triangular smooth" of O'Haver's signal-processing pages, repeated
    for _ in range(passes):
        s = y.copy()
        s[1:-1] = 0.25 * y[:-2] + 0.5 * y[1:-1] + 0.25 * y[2:]
        y = s
    return y


SMOOTHING = {
    "savgol_cookbook_asmatrix": (savitzky_golay_cookbook, {}, lambda s, n: (
        _spectrum(s, 8 * n),)),
    "savgol_cookbook_derivative": (savitzky_golay_cookbook, {
        "window_size": 9, "order": 3, "deriv": 1}, lambda s, n: (_spectrum(s, 8 * n),)),
    "savgol_vander_sliding_dot": (savgol_coeffs_vander, {}, lambda s, n: (
        _spectrum(s, 8 * n),)),
    "savgol_filter_derivs_dict": (savgol_smooth_and_derivs, {}, lambda s, n: (
        _axis(8 * n), _spectrum(s, 8 * n))),
    "savgol_filter_rows_float32": (savgol_rows_float32, {}, lambda s, n: (
        _spectra(s, n, 30).astype(np.float32),)),
    "moving_average_cumsum": (moving_average_cumsum, {}, lambda s, n: (
        _spectrum(s, 6 * n),)),
    "gaussian_kernel_same": (gaussian_kernel_smooth, {}, lambda s, n: (
        _spectrum(s, 6 * n),)),
    "ndimage_gaussian_filter1d_rows": (ndimage_gaussian_rows, {}, lambda s, n: (
        _spectra(s, n, 25),)),
    "exponential_smoothing_loop": (exponential_smoothing_loop, {}, lambda s, n: (
        _spectrum(s, 3 * n),)),
    "fourier_lowpass_rfft": (fourier_lowpass, {}, lambda s, n: (_spectrum(s, 8 * n),)),
    "bin_by_reshape": (bin_spectrum, {}, lambda s, n: (
        _axis(6 * n + 3), _spectrum(s, 6 * n + 3))),
    "hanning_cookbook_r_": (hanning_window_smooth, {}, lambda s, n: (
        _spectrum(s, 8 * n),)),
    "triangular_smooth_passes": (triangular_smooth_passes, {}, lambda s, n: (
        _spectrum(s, 6 * n),)),
}


@pytest.mark.parametrize("name", _names(SMOOTHING))
def test_smoothing_matches_numpy(name):
    """Savitzky-Golay by hand and by SciPy, moving averages, Gaussian kernels, exponential,
    Fourier and Hanning smoothing, binning and repeated triangular smooths: NumPy's values."""
    check_like_numpy(*SMOOTHING[name])


# ============================================================================ derivatives


def first_second_derivative(x, y):
    dy = np.gradient(y, x)
    d2y = np.gradient(dy, x)
    return dy, d2y


def gradient_edge_order2_rows(X, dx):
    return np.gradient(X, dx, axis=1, edge_order=2)


def derivative_nonuniform(x, y):
    # unevenly sampled wavelengths (a grating spectrometer's pixel map)
    return np.gradient(y, x, edge_order=2)


def norris_gap_derivative(y, gap=3, segment=3):
    # Norris-Williams gap-segment derivative: a segment mean, then a gap difference
    ys = np.convolve(y, np.ones(segment) / segment, mode="same")
    d = np.zeros_like(ys)
    d[gap:-gap] = (ys[2 * gap:] - ys[:-2 * gap]) / (2 * gap)
    return d


def derivative_spectra_matrix(X, wavenumbers):
    # first-derivative preprocessing of a block of spectra, then mean centring
    D = np.gradient(X, wavenumbers, axis=1)
    return D - D.mean(axis=0)


def inflection_sharpening(y, k=0.5):
    # resolution enhancement by subtracting a scaled second derivative
    d2 = np.gradient(np.gradient(y))
    return y - k * d2 / np.max(np.abs(d2)) * np.max(y)


DERIVATIVES = {
    "gradient_twice": (first_second_derivative, {}, lambda s, n: (
        _axis(6 * n), _spectrum(s, 6 * n))),
    "gradient_edge_order2_rows": (gradient_edge_order2_rows, {}, lambda s, n: (
        _spectra(s, n, 20), 2.0)),
    "gradient_nonuniform_axis": (derivative_nonuniform, {}, lambda s, n: (
        np.cumsum(_pos(s, 6 * n, lo=0.5, hi=1.5)), _spectrum(s, 6 * n))),
    "norris_gap_segment": (norris_gap_derivative, {}, lambda s, n: (_spectrum(s, 8 * n),)),
    "derivative_block_centred": (derivative_spectra_matrix, {}, lambda s, n: (
        _spectra(s, n, 18), np.linspace(4000, 400, 18))),
    "second_derivative_sharpening": (inflection_sharpening, {}, lambda s, n: (
        _spectrum(s, 8 * n),)),
}


@pytest.mark.parametrize("name", _names(DERIVATIVES))
def test_spectral_derivatives_match_numpy(name):
    """np.gradient (uniform, non-uniform, edge_order=2, along rows), differences, gap-segment
    derivatives and derivative sharpening: NumPy's values."""
    check_like_numpy(*DERIVATIVES[name])


# ============================================================================ peak shapes

LN2 = np.log(2.0)
SQRT2PI = np.sqrt(2 * np.pi)


def gaussian(x, amp, cen, sigma):
    return amp / (sigma * SQRT2PI) * np.exp(-(x - cen) ** 2 / (2 * sigma ** 2))


def lorentzian(x, amp, cen, gamma):
    return amp / np.pi * gamma / ((x - cen) ** 2 + gamma ** 2)


def pseudo_voigt(x, amp, cen, fwhm, eta):
    # lmfit's convention: one FWHM for both parts
    sigma = fwhm / (2 * np.sqrt(2 * LN2))
    return eta * lorentzian(x, amp, cen, fwhm / 2) + (1 - eta) * gaussian(x, amp, cen, sigma)


def voigt_wofz(x, amp, cen, sigma, gamma):
    z = (x - cen + 1j * gamma) / (sigma * np.sqrt(2))
    return amp * np.real(wofz(z)) / (sigma * np.sqrt(2 * np.pi))


def voigt_profile_vs_wofz(x, sigma, gamma):
    return scipy.special.voigt_profile(x, sigma, gamma), voigt_wofz(x, 1.0, 0.0, sigma, gamma)


def multi_peak_loop(x, params):
    # a sum of Gaussians from a (k, 3) parameter table, one row per peak
    y = np.zeros_like(x)
    for i in range(params.shape[0]):
        a, c, w = params[i]
        y += gaussian(x, a, c, w)
    return y


def multi_peak_broadcast(x, centres, widths, heights):
    # all Lorentzians at once, one column per band
    L = heights / (1 + ((x[:, None] - centres[None, :]) / widths) ** 2)
    return L.sum(axis=1), L


def emg_peak(t, h, mu, sigma, tau):
    # the exponentially modified Gaussian of chromatographers, with erfc
    arg = (sigma / tau - (t - mu) / sigma) / np.sqrt(2)
    return (h * sigma / tau * np.sqrt(np.pi / 2)
            * np.exp(0.5 * (sigma / tau) ** 2 - (t - mu) / tau) * scipy.special.erfc(arg))


def peak_area_centroid(x, y):
    area = np.trapezoid(y, x)
    centroid = np.trapezoid(x * y, x) / area
    var = np.trapezoid((x - centroid) ** 2 * y, x) / area
    return {"area": area, "centroid": centroid, "fwhm_est": 2 * np.sqrt(2 * LN2 * var)}


def peak_area_simpson(x, y, lo=3, hi=-3):
    return scipy.integrate.simpson(y[lo:hi], x=x[lo:hi])


def parabolic_peak_position(x, y):
    # three-point parabolic interpolation around the maximum
    i = np.argmax(y)
    y0, y1, y2 = y[i - 1], y[i], y[i + 1]
    delta = 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)
    dx = x[1] - x[0]
    return x[i] + delta * dx, y1 - 0.25 * (y0 - y2) * delta


def gauss_newton_gaussian(x, y, p0, niter=8):
    # fitting one Gaussian by Gauss-Newton with the analytic Jacobian
    a, c, s = p0
    for _ in range(niter):
        e = np.exp(-(x - c) ** 2 / (2 * s ** 2))
        model = a * e
        J = np.stack([e, a * e * (x - c) / s ** 2, a * e * (x - c) ** 2 / s ** 3], axis=1)
        r = y - model
        step = np.linalg.solve(J.T @ J, J.T @ r)
        a, c, s = a + step[0], c + step[1], s + step[2]
    return np.array([a, c, s])


def band_amplitudes_lstsq(x, y, centres=(0.25, 0.5, 0.75), width=0.03):
    # deconvolution with fixed band positions: linear least squares for the heights
    B = np.column_stack([1 / (1 + ((x - c) / width) ** 2) for c in centres] + [np.ones_like(x)])
    coef, res, rank, sv = np.linalg.lstsq(B, y, rcond=None)
    return coef, B @ coef


def lorentz_dict_model(x, bands):
    # bands as a dict name -> (centre, width, height), summed in insertion order
    total = np.zeros(x.shape)
    parts = {}
    for name, (c, w, h) in bands.items():
        parts[name] = h * w ** 2 / ((x - c) ** 2 + w ** 2)
        total = total + parts[name]
    return total, parts


def peak_heights_at_positions(x, y, positions):
    # band heights read at tabulated positions by nearest index
    idx = np.abs(x[None, :] - positions[:, None]).argmin(axis=1)
    return y[idx], idx


PEAKS = {
    "pseudo_voigt_eta": (pseudo_voigt, {}, lambda s, n: (
        np.linspace(-3, 3, 8 * n), 1.5, 0.2 * s, 1.1, 0.3 + 0.1 * s)),
    "voigt_wofz_real": (voigt_wofz, {}, lambda s, n: (
        np.linspace(-4, 4, 8 * n), 2.0, 0.1 * s, 0.6, 0.4)),
    "voigt_profile_vs_wofz": (voigt_profile_vs_wofz, {}, lambda s, n: (
        np.linspace(-4, 4, 8 * n), _pos(s, 8 * n, lo=0.3, hi=1.0), 0.5)),
    "multi_gaussian_param_rows": (multi_peak_loop, {}, lambda s, n: (
        np.linspace(0, 10, 10 * n), np.column_stack([
            _pos(s, n, lo=1, hi=3), np.linspace(1, 9, n), _pos(s + 1, n, lo=0.3, hi=0.8)]))),
    "multi_lorentz_broadcast": (multi_peak_broadcast, {}, lambda s, n: (
        _axis(10 * n), np.linspace(500, 1700, n), _pos(s, n, lo=8, hi=20),
        _pos(s + 1, n, lo=1, hi=5))),
    "emg_erfc": (emg_peak, {}, lambda s, n: (
        np.linspace(0, 10, 10 * n), 1.0 + s, 4.0, 0.5, 0.8)),
    "area_centroid_trapezoid": (peak_area_centroid, {}, lambda s, n: (
        np.linspace(-5, 5, 10 * n), gaussian(np.linspace(-5, 5, 10 * n), 2, 0.2 * s, 1.0)
        + 0.01 * _u(s, 10 * n))),
    "area_simpson_slice": (peak_area_simpson, {}, lambda s, n: (
        np.linspace(-5, 5, 10 * n + 1), lorentzian(np.linspace(-5, 5, 10 * n + 1), 2,
                                                   0.1 * s, 0.5))),
    "parabolic_interpolation": (parabolic_peak_position, {}, lambda s, n: (
        np.linspace(-5, 5, 10 * n + 1), gaussian(np.linspace(-5, 5, 10 * n + 1), 1,
                                                 0.13 * s, 1.0))),
    "gauss_newton_fit": (gauss_newton_gaussian, {"niter": 6}, lambda s, n: (
        np.linspace(-4, 4, 10 * n), 2.0 * np.exp(-(np.linspace(-4, 4, 10 * n) - 0.3) ** 2
                                                 / (2 * 0.9 ** 2)) + 0.02 * _f(10 * n, seed=s),
        (1.5, 0.0, 1.2))),
    "band_heights_lstsq": (band_amplitudes_lstsq, {}, lambda s, n: (
        np.linspace(0, 1, 12 * n), _spectrum(s, 12 * n))),
    "lorentz_dict_bands": (lorentz_dict_model, {}, lambda s, n: (
        _axis(8 * n), {"D": (1350.0, 30.0 + s, 1.0), "G": (1580.0, 15.0, 1.5 + s),
                       "2D": (2700.0, 40.0, 0.8)})),
    "heights_at_positions": (peak_heights_at_positions, {}, lambda s, n: (
        _axis(10 * n) + 0.37, _spectrum(s, 10 * n), np.array([520.0, 1001.0, 1450.0]))),
}


@pytest.mark.parametrize("name", _names(PEAKS))
def test_peak_shapes_match_numpy(name):
    """Pseudo-Voigt, Voigt by wofz and voigt_profile, EMG, multi-peak sums by loops, dicts and
    broadcasting, areas, centroids, parabolic maxima, a Gauss-Newton fit and fixed-position
    deconvolution: NumPy's values."""
    check_like_numpy(*PEAKS[name])


# ============================================================================ calibration


def linear_calibration_lod(conc, signal):
    # the analytical-chemistry course's calibration: lstsq, s_y/x, LOD and LOQ
    A = np.vstack([conc, np.ones(len(conc))]).T
    m, c = np.linalg.lstsq(A, signal, rcond=None)[0]
    resid = signal - (m * conc + c)
    n = len(conc)
    s_yx = np.sqrt(np.sum(resid ** 2) / (n - 2))
    return {"slope": m, "intercept": c, "s_yx": s_yx,
            "LOD": 3.3 * s_yx / m, "LOQ": 10 * s_yx / m}


def polyfit_cov_calibration(conc, signal):
    p, cov = np.polyfit(conc, signal, 1, cov=True)
    return p, np.sqrt(np.diag(cov))


def linregress_calibration(conc, signal):
    res = scipy.stats.linregress(conc, signal)
    return res.slope, res.intercept, res.rvalue ** 2, res.stderr, res.intercept_stderr


def inverse_prediction_ci(conc, signal, y0, k=3):
    # Miller & Miller's confidence interval of a concentration read off the line
    n = len(conc)
    b, a = np.polyfit(conc, signal, 1)
    s_yx = np.sqrt(np.sum((signal - (a + b * conc)) ** 2) / (n - 2))
    x0 = (y0 - a) / b
    sxx = np.sum((conc - conc.mean()) ** 2)
    s_x0 = s_yx / b * np.sqrt(1 / k + 1 / n + (y0 - signal.mean()) ** 2 / (b ** 2 * sxx))
    t = scipy.stats.t.ppf(0.975, n - 2)
    return x0, t * s_x0


def weighted_calibration(conc, signal, sd):
    # 1/s^2 weights: polyfit takes 1/sigma
    p = np.polyfit(conc, signal, 1, w=1 / sd)
    wts = 1 / sd ** 2
    wts = wts * len(wts) / wts.sum()
    xw = np.sum(wts * conc) / len(conc)
    yw = np.sum(wts * signal) / len(signal)
    return p, xw, yw


def standard_addition(added, signal, dilution=2.0):
    # the x-intercept of the standard-addition line gives the unknown
    slope, intercept = np.polyfit(added, signal, 1)
    c_x = intercept / slope
    n = len(added)
    resid = signal - (slope * added + intercept)
    s_y = np.sqrt(resid @ resid / (n - 2))
    s_xe = s_y / slope * np.sqrt(1 / n + signal.mean() ** 2
                                 / (slope ** 2 * np.sum((added - added.mean()) ** 2)))
    return c_x * dilution, s_xe * dilution


def quadratic_calibration_root(conc, signal, y_unknown):
    a, b, c = np.polyfit(conc, signal, 2)
    disc = b ** 2 - 4 * a * (c - y_unknown)
    return (-b + np.sqrt(disc)) / (2 * a)


def replicate_summary(levels, Y):
    # a calibration with replicates: means, standard deviations and RSD per level
    mean = Y.mean(axis=1)
    sd = Y.std(axis=1, ddof=1)
    rsd = 100 * sd / mean
    slope, icpt = np.polyfit(levels, mean, 1)
    return {"mean": mean, "sd": sd, "rsd": rsd, "slope": slope, "intercept": icpt}


def multi_analyte_slopes(conc, S):
    # many analytes' calibration lines at once: columns of S against one concentration axis
    xc = conc - conc.mean()
    Sc = S - S.mean(axis=0)
    slopes = np.einsum("i,ij->j", xc, Sc) / np.dot(xc, xc)
    intercepts = S.mean(axis=0) - slopes * conc.mean()
    return slopes, intercepts


def float32_signal_calibration(conc, signal):
    # detector counts stored as float32, concentrations in float64
    A = np.column_stack([conc, np.ones_like(conc)])
    coef = np.linalg.pinv(A) @ signal
    return coef, signal - A @ coef


def grubbs_statistic(x):
    G = np.max(np.abs(x - x.mean())) / x.std(ddof=1)
    n = len(x)
    t = scipy.stats.t.ppf(1 - 0.05 / (2 * n), n - 2)
    G_crit = (n - 1) / np.sqrt(n) * np.sqrt(t ** 2 / (n - 2 + t ** 2))
    return G, G_crit


def calibration_residual_table(conc, signal):
    # a residual table with standardised residuals and leverage
    X = np.c_[np.ones_like(conc), conc]
    beta = np.linalg.solve(X.T @ X, X.T @ signal)
    H = X @ np.linalg.inv(X.T @ X) @ X.T
    e = signal - X @ beta
    s = np.sqrt(e @ e / (len(conc) - 2))
    return e / (s * np.sqrt(1 - np.diag(H))), np.diag(H)


def _cal(s, n, noise=0.02):
    conc = np.linspace(0.5, 10.0, n + 2)
    return conc, 0.3 + 1.7 * conc + noise * _f(n + 2, seed=s)


CALIBRATION = {
    "lstsq_lod_loq_dict": (linear_calibration_lod, {}, lambda s, n: _cal(s, n)),
    "polyfit_cov_errors": (polyfit_cov_calibration, {}, lambda s, n: _cal(s, n + 2)),
    "linregress_attributes": (linregress_calibration, {}, lambda s, n: _cal(s, n)),
    "inverse_prediction_t_ppf": (inverse_prediction_ci, {}, lambda s, n: (
        *_cal(s, n), 7.5 + 0.1 * s)),
    "weighted_polyfit_w": (weighted_calibration, {}, lambda s, n: (
        *_cal(s, n), _pos(s, n + 2, lo=0.01, hi=0.1))),
    "standard_addition": (standard_addition, {}, lambda s, n: (
        np.linspace(0, 8, n + 1), 1.2 + 0.9 * np.linspace(0, 8, n + 1)
        + 0.02 * _f(n + 1, seed=s))),
    "quadratic_calibration_root": (quadratic_calibration_root, {}, lambda s, n: (
        np.linspace(1, 10, n + 3), 0.1 + 2.0 * np.linspace(1, 10, n + 3)
        - 0.05 * np.linspace(1, 10, n + 3) ** 2 + 0.01 * _f(n + 3, seed=s), 8.0)),
    "replicate_levels_rsd": (replicate_summary, {}, lambda s, n: (
        np.arange(1.0, n + 1), np.arange(1.0, n + 1)[:, None] * 2 + 0.05 * _f(n, 3, seed=s))),
    "multi_analyte_einsum_slopes": (multi_analyte_slopes, {}, lambda s, n: (
        np.linspace(0, 5, n + 2), _f(n + 2, 3, seed=s) * 0.1 + np.linspace(0, 5, n + 2)[:, None]
        * np.array([1.0, 2.0, 0.5]))),
    "float32_counts_pinv": (float32_signal_calibration, {}, lambda s, n: (
        _cal(s, n)[0], _cal(s, n)[1].astype(np.float32))),
    "grubbs_statistic": (grubbs_statistic, {}, lambda s, n: (_f(n + 4, seed=s),)),
    "residual_leverage_table": (calibration_residual_table, {}, lambda s, n: _cal(s, n)),
}


@pytest.mark.parametrize("name", _names(CALIBRATION))
def test_calibration_matches_numpy(name):
    """Calibration lines by lstsq, polyfit (with cov= and w=), linregress and pinv, LOD/LOQ,
    inverse prediction intervals, standard addition, quadratic lines, replicates, Grubbs
    statistics and leverage: NumPy's values."""
    check_like_numpy(*CALIBRATION[name])


# ============================================================================ Beer-Lambert

# molar absorptivities (L/mol/cm) of three dyes at four wavelengths, as a lab handout tabulates
EPSILON = np.array([[15200.0, 3100.0, 800.0],
                    [6400.0, 12800.0, 2100.0],
                    [1200.0, 5400.0, 9900.0],
                    [300.0, 900.0, 14100.0]])
PATH_CM = 1.0


def mixture_lstsq(A_mix):
    # overdetermined: four wavelengths, three components, many mixtures as columns
    C, res, rank, sv = np.linalg.lstsq(EPSILON * PATH_CM, A_mix, rcond=None)
    return C, res


def cls_full_spectrum(C_train, A_train, a_unknown):
    # classical least squares: K from the standards, then the unknown's concentrations
    K = np.linalg.lstsq(C_train, A_train, rcond=None)[0]
    c_hat = np.linalg.lstsq(K.T, a_unknown, rcond=None)[0]
    return K, c_hat


def ils_pinv(A_train, c_train, A_test):
    # inverse least squares: b = pinv(A) c
    b = np.linalg.pinv(A_train) @ c_train
    return A_test @ b


def batch_solve_mixtures(E, A):
    # a square system per sample, solved batched
    return np.linalg.solve(E, A[..., None])[..., 0]


def nnls_unmixing(A_mix):
    from scipy.optimize import nnls
    c, rnorm = nnls(EPSILON, A_mix)
    return c, rnorm


def jobs_method(x_mole, A_obs, eps_a, eps_b, c_total):
    # continuous variation: the deviation from additivity
    A_add = (eps_a * x_mole + eps_b * (1 - x_mole)) * c_total
    dev = A_obs - A_add
    i = np.argmax(dev)
    return dev, x_mole[i]


def pka_spectrophotometric(pH, A, A_acid, A_base):
    ratio = (A - A_acid) / (A_base - A)
    slope, intercept = np.polyfit(pH, np.log10(ratio), 1)
    return -intercept / slope, slope


def isosbestic_index(wl, spectra):
    # where all the spectra of a titration cross: the smallest spread across them
    spread = spectra.max(axis=0) - spectra.min(axis=0)
    k = np.argmin(spread)
    return wl[k], spread


def beer_lambert_dict(conc, path_cm=1.0):
    # concentrations per species in a dict, one absorptivity row each
    species = ("Co", "Ni", "Cu")
    A = np.zeros(EPSILON.shape[0])
    for j, sp in enumerate(species):
        A = A + EPSILON[:, j] * path_cm * conc[sp]
    return A


def absorbance_float32_spectrum(frames, I0):
    # 16-bit detector frames converted to float32 absorbance
    A = np.log10(I0.astype(np.float32) / frames.astype(np.float32))
    return A, A.mean(axis=0)


def _mix(s, n):
    return EPSILON @ (_pos(s, 3, n, lo=1e-5, hi=5e-5))


BEER_LAMBERT = {
    "mixtures_lstsq_columns": (mixture_lstsq, {}, lambda s, n: (
        _mix(s, n) + 0.001 * _f(4, n, seed=s),)),
    "cls_two_stage_lstsq": (cls_full_spectrum, {}, lambda s, n: (
        _pos(s, n + 4, 3, lo=0.1, hi=1.0), _pos(s + 1, n + 4, 10, lo=0.1, hi=1.0),
        _pos(s + 2, 10, lo=0.1, hi=1.0))),
    "ils_pinv_predict": (ils_pinv, {}, lambda s, n: (
        _pos(s, n + 8, 5, lo=0.1, hi=1.0), _pos(s + 1, n + 8), _pos(s + 2, n, 5))),
    "batched_square_solve": (batch_solve_mixtures, {}, lambda s, n: (
        EPSILON[:3] + 100 * _u(s, n, 3, 3), _pos(s + 1, n, 3, lo=0.1, hi=1.0))),
    "nnls_unmixing": (nnls_unmixing, {}, lambda s, n: (
        _mix(s, 1)[:, 0] + 0.001 * _f(4, seed=s + n),)),
    "jobs_continuous_variation": (jobs_method, {}, lambda s, n: (
        np.linspace(0, 1, 2 * n + 1), 0.8 * np.linspace(0, 1, 2 * n + 1) + np.sin(
            np.pi * np.linspace(0, 1, 2 * n + 1)) * (1 + 0.1 * s), 500.0, 200.0, 1e-3)),
    "pka_log_ratio_polyfit": (pka_spectrophotometric, {}, lambda s, n: (
        np.linspace(3.5, 5.5, n + 2),
        0.1 + 0.8 / (1 + 10 ** (4.6 + 0.01 * s - np.linspace(3.5, 5.5, n + 2))), 0.1, 0.9)),
    "isosbestic_argmin_spread": (isosbestic_index, {}, lambda s, n: (
        np.linspace(400, 600, 10 * n), np.outer(np.linspace(0, 1, n), np.sin(
            np.linspace(0, 3, 10 * n))) + np.cos(np.linspace(0, 3, 10 * n)) + 0.001 * s)),
    "beer_lambert_species_dict": (beer_lambert_dict, {}, lambda s, n: (
        {"Co": 1e-5 * s, "Ni": _pos(s, 1)[0] * 1e-5, "Cu": 2e-5},)),
    "uint16_frames_float32": (absorbance_float32_spectrum, {}, lambda s, n: (
        np.random.default_rng(s).integers(500, 4000, (n, 12)).astype(np.uint16),
        np.random.default_rng(s + 1).integers(5000, 60000, (n, 12)).astype(np.uint16))),
}


@pytest.mark.parametrize("name", _names(BEER_LAMBERT))
def test_beer_lambert_matches_numpy(name):
    """Multi-component Beer-Lambert by batched solve, lstsq, pinv and nnls, CLS and ILS, Job's
    method, spectrophotometric pKa, isosbestic points and uint16 frames to float32
    absorbance: NumPy's values."""
    check_like_numpy(*BEER_LAMBERT[name])


# ============================================================================ NMR processing


def simulate_fid(t, peaks, t2=0.5):
    # a FID as a sum of damped complex exponentials, peaks as {name: (freq_hz, amplitude)}
    fid = np.zeros(len(t), dtype=complex)
    for name, (f, a) in peaks.items():
        fid += a * np.exp(2j * np.pi * f * t) * np.exp(-t / t2)
    return fid


def process_1d(fid, sw, lb=1.0, zf=2):
    # exponential line broadening, first-point scaling, zero filling, FFT, shift and ppm axis
    n = len(fid)
    t = np.arange(n) / sw
    fid = fid * np.exp(-np.pi * lb * t)
    fid[0] *= 0.5
    fid = np.pad(fid, (0, (zf - 1) * n))
    spec = np.fft.fftshift(np.fft.fft(fid))
    freq = np.fft.fftshift(np.fft.fftfreq(len(fid), d=1 / sw))
    return spec, freq


def phase_nmrglue_ps(data, p0=0.0, p1=0.0):
    # nmrglue.proc_base.ps: degrees, the linear term over the last axis, cast to data.dtype
    p0 = p0 * np.pi / 180.
    p1 = p1 * np.pi / 180.
    size = data.shape[-1]
    apod = np.exp(1.0j * (p0 + (p1 * np.arange(size) / size))).astype(data.dtype)
    return apod * data


def sine_bell(fid, off=0.35, end=1.0, power=2.0):
    # nmrglue.proc_base.sp
    size = fid.shape[-1]
    apod = np.power(np.sin(np.pi * off + np.pi * (end - off) * np.arange(size) / (size - 1.)),
                    power).astype(fid.dtype)
    return apod * fid


def complex64_spectrum(fid):
    # a float32 instrument: complex64 in, complex64 FFT out
    spec = np.fft.fftshift(np.fft.fft(fid))
    return spec, np.abs(spec), np.angle(spec)


def bruker_group_delay(fid, grpdly=12.4):
    # the digital filter's group delay taken off as a first-order phase after the FFT
    n = fid.shape[-1]
    spec = np.fft.fftshift(np.fft.fft(fid))
    k = np.arange(n)
    return spec * np.exp(2j * np.pi * grpdly * k / n)


def integrate_regions(spec, regions=((4, 10), (14, 22), (25, 30))):
    # integrals of fixed regions of the real spectrum, relative to the first
    real = spec.real
    ints = np.array([real[a:b].sum() for a, b in regions])
    return ints / ints[0]


def states_2d(ser, sw1, sw2):
    # States-TPPI: interleaved cosine/sine rows into a hypercomplex plane, FFT both ways
    t1 = ser[::2] + 1j * ser[1::2]
    td2 = np.fft.fftshift(np.fft.fft(t1, axis=1), axes=1)
    spec = np.fft.fftshift(np.fft.fft(td2.real + 0j, axis=0), axes=0)
    return spec.real, np.fft.fftshift(np.fft.fftfreq(spec.shape[0], 1 / sw1))


def phase_grid_search(spec, n_angles=36):
    # the crude autophase: try angles, keep the one with the most positive real part
    angles = np.linspace(0, 2 * np.pi, n_angles, endpoint=False)
    trial = (spec[None, :] * np.exp(1j * angles)[:, None]).real
    score = np.sum(np.minimum(trial, 0) ** 2, axis=1)
    best = angles[np.argmin(score)]
    return spec * np.exp(1j * best), best


def inversion_recovery_t1(tau, Mz, M0):
    # linearised: ln((M0 - Mz) / (2 M0)) = -tau / T1
    yy = np.log((M0 - Mz) / (2 * M0))
    slope = np.linalg.lstsq(tau[:, None], yy, rcond=None)[0][0]
    return -1 / slope


def multiplet_convolve(j_couplings, sw, n=128):
    # a first-order multiplet as the convolution of doublet stick patterns
    pattern = np.zeros(n)
    pattern[n // 2] = 1.0
    k = np.fft.fftfreq(n, 1.0 / sw)
    F = np.fft.fft(pattern)
    for J in j_couplings:
        F = F * np.cos(np.pi * J * np.fft.fftfreq(n, 1.0 / n) / sw * 2)
    return np.fft.ifft(F).real, k


def nmr_pipeline(fid, params):
    # a course notebook's pipeline in one function, parameters in a dict
    fid = fid * np.exp(-np.pi * params["lb"] * np.arange(len(fid)) / params["sw"])
    spec = np.fft.fftshift(np.fft.fft(fid, n=2 * len(fid)))
    spec = phase_nmrglue_ps(spec, params["p0"], params["p1"])
    spec = spec[::-1]
    base = np.polyval(np.polyfit(np.arange(len(spec)), spec.real, 1), np.arange(len(spec)))
    return spec.real - base


def _fid(s, n, dtype=complex):
    t = np.arange(n) / 1000.0
    return simulate_fid(t, {"a": (120.0 + s, 1.0), "b": (-230.0, 0.6 + 0.1 * s),
                            "c": (310.0, 0.3)}, t2=0.05).astype(dtype) \
        + 0.01 * (_f(n, seed=s) + 1j * _f(n, seed=s + 7)).astype(dtype)


NMR = {
    "simulate_fid_dict": (simulate_fid, {}, lambda s, n: (
        np.arange(8 * n) / 1000.0, {"CH3": (100.0 * s, 3.0), "CH2": (-150.0, 2.0 + s)})),
    "process_lb_zf_fftshift": (process_1d, {}, lambda s, n: (_fid(s, 8 * n), 1000.0)),
    "nmrglue_ps_complex128": (phase_nmrglue_ps, {}, lambda s, n: (
        np.fft.fft(_fid(s, 8 * n)), 30.0 * s, -45.0)),
    "nmrglue_ps_complex64": (phase_nmrglue_ps, {}, lambda s, n: (
        np.fft.fft(_fid(s, 8 * n)).astype(np.complex64), 30.0 * s, -45.0)),
    "sine_bell_complex64": (sine_bell, {}, lambda s, n: (_fid(s, 8 * n, np.complex64),)),
    "complex64_fft_abs_angle": (complex64_spectrum, {}, lambda s, n: (
        _fid(s, 8 * n, np.complex64),)),
    "bruker_group_delay": (bruker_group_delay, {}, lambda s, n: (_fid(s, 8 * n),)),
    "integrate_fixed_regions": (integrate_regions, {}, lambda s, n: (
        np.fft.fftshift(np.fft.fft(_fid(s, 8 * n))),)),
    "states_2d_hypercomplex": (states_2d, {}, lambda s, n: (
        _f(2 * n, 16, seed=s), 500.0, 2000.0)),
    "autophase_grid_argmin": (phase_grid_search, {}, lambda s, n: (
        np.fft.fft(_fid(s, 8 * n)) * np.exp(0.7j * s),)),
    "t1_inversion_recovery": (inversion_recovery_t1, {}, lambda s, n: (
        np.linspace(0.1, 3, n + 2), 1.0 - 2 * np.exp(-np.linspace(0.1, 3, n + 2) / (0.8 + s))
        + 0.001 * _f(n + 2, seed=s), 1.0)),
    "multiplet_fourier_product": (multiplet_convolve, {"n": 64}, lambda s, n: (
        list(_pos(s, n // 2, lo=5, hi=10)), 400.0)),
    "pipeline_params_dict": (nmr_pipeline, {}, lambda s, n: (
        _fid(s, 8 * n), {"lb": 2.0, "sw": 1000.0, "p0": 15.0 * s, "p1": 20.0})),
}


@pytest.mark.parametrize("name", _names(NMR))
def test_nmr_processing_matches_numpy(name):
    """FID simulation, apodisation (exponential, sine bell), zero filling, FFT with fftshift,
    zero- and first-order phase (also in complex64), group delay, integrals, States 2-D, a grid
    autophase, multiplets and T1 fits: NumPy's values."""
    check_like_numpy(*NMR[name])


# ============================================================================ mass spectrometry

# isotope masses (u) of the light elements, most abundant first
ISOTOPE_MASSES = {"C": np.array([12.0, 13.003355]),
                  "H": np.array([1.007825, 2.014102]),
                  "N": np.array([14.003074, 15.000109]),
                  "O": np.array([15.994915, 16.999132, 17.999160]),
                  "S": np.array([31.972071, 32.971459, 33.967867, 0.0, 35.967081])}
MONO = {el: m[0] for el, m in ISOTOPE_MASSES.items()}


FORMULAS = {"salicylic acid": {"C": 7, "H": 6, "O": 3},
            "cysteine": {"C": 3, "H": 7, "N": 1, "O": 2, "S": 1},
            "caffeine": {"C": 8, "H": 10, "N": 4, "O": 2}}


def isotope_pattern(abund, compound):
    # nominal-mass isotope pattern by repeated convolution, one atom at a time
    formula = FORMULAS[compound]
    pattern = np.array([1.0])
    for el, count in formula.items():
        for _ in range(count):
            pattern = np.convolve(pattern, abund[el])
    pattern = pattern / pattern.max() * 100
    return pattern


def isotope_pattern_squaring(p, count):
    # an element's distribution raised to a power by repeated squaring
    result = np.array([1.0])
    base = p
    while count:
        if count & 1:
            result = np.convolve(result, base)
        base = np.convolve(base, base)
        count >>= 1
    return result


def isotope_pattern_fft(abund, compound, n=32):
    # the same pattern by FFT: a product of powers of each element's transform
    F = np.ones(n // 2 + 1, dtype=complex)
    for el, count in FORMULAS[compound].items():
        F = F * np.fft.rfft(abund[el], n) ** count
    pattern = np.fft.irfft(F, n)
    return np.clip(pattern, 0, None)


def monoisotopic_mass(counts, masses):
    # a formula table (molecules x elements, int) against the element masses
    return counts @ masses


def kendrick_mass_defect(m):
    km = m * 14.0 / 14.01565
    kmd = np.round(km) - km
    return km, kmd


def bin_spectrum_histogram(mz, intensity, lo=100.0, hi=500.0, width=5.0):
    edges = np.arange(lo, hi + width, width)
    binned, _ = np.histogram(mz, bins=edges, weights=intensity)
    return binned


def bin_spectrum_bincount(mz, intensity, lo=100.0, width=5.0, nbins=80):
    idx = ((mz - lo) // width).astype(int)
    idx = np.clip(idx, 0, nbins - 1)
    return np.bincount(idx, weights=intensity, minlength=nbins)


def extracted_ion_chromatogram(mz, intensity, targets, tol_ppm=10.0):
    # scans x peaks matrices; an XIC per target m/z by a tolerance mask
    tol = targets * tol_ppm * 1e-6
    mask = np.abs(mz[:, :, None] - targets[None, None, :]) <= tol
    xic = np.sum(intensity[:, :, None] * mask, axis=1)
    tic = intensity.sum(axis=1)
    return xic, tic


def cosine_match(query, library):
    # library search: cosine of the query against each library row, the best hit
    q = query / np.linalg.norm(query)
    L = library / np.linalg.norm(library, axis=1, keepdims=True)
    scores = L @ q
    best = np.argmax(scores)
    return scores, best, scores[best]


def weighted_dot_stein(query_mz, query_int, lib_int):
    # Stein & Scott's weighted dot product, m/z^3 * I^0.6
    wq = query_mz ** 3 * query_int ** 0.6
    wl = query_mz[None, :] ** 3 * lib_int ** 0.6
    return (wl @ wq) ** 2 / (np.sum(wl ** 2, axis=1) * np.sum(wq ** 2))


def average_mass(abund):
    return {el: np.dot(ISOTOPE_MASSES[el][:len(a)], a) / a.sum() for el, a in abund.items()}


def _abund(s):
    r = 1 + 0.01 * s
    return {"C": np.array([0.9893, 0.0107 * r]), "H": np.array([0.999885, 0.000115]),
            "N": np.array([0.99636, 0.00364]), "O": np.array([0.99757, 0.00038, 0.00205 * r]),
            "S": np.array([0.9499, 0.0075, 0.0425, 0.0, 0.0001])}


MASS_SPEC = {
    "isotope_pattern_convolve": (isotope_pattern, {"compound": "salicylic acid"},
                                 lambda s, n: (_abund(s + n),)),
    "isotope_pattern_with_sulfur": (isotope_pattern, {"compound": "cysteine"},
                                    lambda s, n: (_abund(s + n),)),
    "isotope_power_by_squaring": (isotope_pattern_squaring, {"count": 11}, lambda s, n: (
        np.array([0.9893, 0.0107 * (1 + 0.01 * s + n)]),)),
    "isotope_pattern_rfft_power": (isotope_pattern_fft, {"compound": "caffeine"},
                                   lambda s, n: (_abund(s + n),)),
    "formula_matrix_masses": (monoisotopic_mass, {}, lambda s, n: (
        _i(12, n, 5, seed=s), np.array([MONO[e] for e in "CHNOS"]))),
    "kendrick_mass_defect": (kendrick_mass_defect, {}, lambda s, n: (
        _pos(s, 3 * n, lo=200.1, hi=200.4) + 14.01565 * np.arange(3 * n),)),
    "histogram_weights_bins": (bin_spectrum_histogram, {}, lambda s, n: (
        _pos(s, 20 * n, lo=101, hi=499), _pos(s + 1, 20 * n))),
    "bincount_floor_divide": (bin_spectrum_bincount, {}, lambda s, n: (
        _pos(s, 20 * n, lo=101, hi=499), _pos(s + 1, 20 * n))),
    "xic_tolerance_mask": (extracted_ion_chromatogram, {}, lambda s, n: (
        np.round(_pos(s, n, 20, lo=100, hi=300), 3), _pos(s + 1, n, 20),
        np.round(_pos(s, n, 20, lo=100, hi=300), 3)[0, :3])),
    "cosine_library_search": (cosine_match, {}, lambda s, n: (
        _pos(s, 30), _pos(s + 1, n, 30))),
    "stein_weighted_dot": (weighted_dot_stein, {}, lambda s, n: (
        np.linspace(50, 400, 12), _pos(s, 12), _pos(s + 1, n, 12))),
    "average_mass_dict": (average_mass, {}, lambda s, n: (_abund(s + n),)),
}


@pytest.mark.parametrize("name", _names(MASS_SPEC))
def test_mass_spectrometry_matches_numpy(name):
    """Isotope patterns by repeated convolution, squaring and FFT, formula masses, Kendrick
    defects, binning by histogram and bincount, XICs, library search by cosine and Stein's
    weighted dot, average masses: NumPy's values."""
    check_like_numpy(*MASS_SPEC[name])


# ============================================================================ chromatography


def resolution_and_plates(tR, w_base, w_half, L_mm=150.0):
    # USP and EP conventions side by side, for consecutive peaks
    Rs_base = 2 * (tR[1:] - tR[:-1]) / (w_base[1:] + w_base[:-1])
    Rs_half = 1.18 * (tR[1:] - tR[:-1]) / (w_half[1:] + w_half[:-1])
    N_tan = 16 * (tR / w_base) ** 2
    N_half = 5.54 * (tR / w_half) ** 2
    return {"Rs_usp": Rs_base, "Rs_ep": Rs_half, "N": N_tan, "N_half": N_half,
            "HETP_um": L_mm * 1000 / N_half}


def van_deemter_fit(u, H):
    # H = A + B/u + C u by linear least squares, then the optimum velocity
    X = np.column_stack([np.ones_like(u), 1 / u, u])
    (A, B, C), *_ = np.linalg.lstsq(X, H, rcond=None)
    u_opt = np.sqrt(B / C)
    H_min = A + 2 * np.sqrt(B * C)
    return np.array([A, B, C]), u_opt, H_min


def peak_moments(t, y):
    m0 = np.trapezoid(y, t)
    m1 = np.trapezoid(t * y, t) / m0
    m2 = np.trapezoid((t - m1) ** 2 * y, t) / m0
    m3 = np.trapezoid((t - m1) ** 3 * y, t) / m0
    return m0, m1, m2, m3 / m2 ** 1.5


def kovats_index(t_x, t_alkanes, carbons):
    # the bracketing alkanes by searchsorted on the log retention times
    j = np.searchsorted(t_alkanes, t_x) - 1
    j = np.clip(j, 0, len(t_alkanes) - 2)
    lt = np.log(t_alkanes)
    return 100 * (carbons[j] + (np.log(t_x) - lt[j]) / (lt[j + 1] - lt[j]))


def window_areas_cumtrapz(t, y, windows=((5, 15), (18, 30), (33, 44))):
    # integration windows by a cumulative integral, differences at the window edges
    cum = scipy.integrate.cumulative_trapezoid(y, t, initial=0)
    areas = np.array([cum[b] - cum[a] for a, b in windows])
    return areas, 100 * areas / areas.sum()


def simulate_chromatogram(t, peaks):
    # EMG peaks from a list of dicts, as a simulator notebook writes it
    y = np.zeros_like(t)
    for pk in peaks:
        y += emg_peak(t, pk["h"], pk["tR"], pk["sigma"], pk["tau"])
    return y


def gradient_program(t, times, percent_b):
    # %B along a linear gradient program, then the solvent strength and viscosity mix
    b = np.interp(t, times, percent_b) / 100
    eta = np.exp(b * np.log(0.38) + (1 - b) * np.log(0.89) + 3.2 * b * (1 - b) * 0.5)
    return b, eta


def overlapping_peak_deconvolution(t, y, centres, sigma=0.2):
    G = np.exp(-0.5 * ((t[:, None] - centres[None, :]) / sigma) ** 2)
    h, *_ = np.linalg.lstsq(G, y, rcond=None)
    return h, h * sigma * np.sqrt(2 * np.pi)


def chromatogram_float32_baseline(y, window=9):
    # a float32 detector trace: baseline by the running minimum, then the area
    base = scipy.ndimage.minimum_filter1d(y, window)
    base = scipy.ndimage.uniform_filter1d(base, window)
    corr = y - base
    return corr, corr.sum(dtype=np.float64)


CHROMATOGRAPHY = {
    "resolution_plates_dict": (resolution_and_plates, {}, lambda s, n: (
        np.cumsum(_pos(s, n, lo=1, hi=3)), _pos(s + 1, n, lo=0.2, hi=0.4),
        _pos(s + 2, n, lo=0.1, hi=0.2))),
    "van_deemter_lstsq": (van_deemter_fit, {}, lambda s, n: (
        np.linspace(0.5, 5, n + 3), 2 + 3 / np.linspace(0.5, 5, n + 3)
        + 0.8 * np.linspace(0.5, 5, n + 3) + 0.01 * _f(n + 3, seed=s))),
    "peak_moments_skew": (peak_moments, {}, lambda s, n: (
        np.linspace(0, 10, 20 * n), emg_peak(np.linspace(0, 10, 20 * n), 1, 4 + 0.1 * s,
                                             0.4, 0.6))),
    "kovats_searchsorted": (kovats_index, {}, lambda s, n: (
        _pos(s, n, lo=3.1, hi=11.9), np.array([2.5, 4.0, 6.2, 9.1, 12.5]),
        np.array([8, 9, 10, 11, 12]))),
    "window_areas_cumulative_trapezoid": (window_areas_cumtrapz, {}, lambda s, n: (
        np.linspace(0, 10, 12 * n), _spectrum(s, 12 * n, baseline=False) + 0.05)),
    "simulate_emg_list_of_dicts": (simulate_chromatogram, {}, lambda s, n: (
        np.linspace(0, 10, 10 * n), [{"h": 1.0 + s, "tR": 3.0, "sigma": 0.2, "tau": 0.3},
                                     {"h": 0.5, "tR": 5.5, "sigma": 0.25, "tau": 0.5 + 0.1 * s}])),
    "gradient_program_interp": (gradient_program, {}, lambda s, n: (
        np.linspace(0, 20, 5 * n), np.array([0.0, 2.0, 15.0, 17.0, 20.0]),
        np.array([5.0, 5.0, 95.0, 95.0, 5.0 + s]))),
    "overlap_deconvolution": (overlapping_peak_deconvolution, {}, lambda s, n: (
        np.linspace(0, 5, 12 * n), _spectrum(s, 12 * n, baseline=False),
        np.array([1.2, 2.5, 3.8]))),
    "float32_trace_area": (chromatogram_float32_baseline, {}, lambda s, n: (
        _spectrum(s, 10 * n).astype(np.float32),)),
}


@pytest.mark.parametrize("name", _names(CHROMATOGRAPHY))
def test_chromatography_matches_numpy(name):
    """Resolution, plate numbers, van Deemter fits, peak moments, Kovats indices, window
    areas, EMG simulation, gradients, overlapped-peak deconvolution and a float32 trace:
    NumPy's values."""
    check_like_numpy(*CHROMATOGRAPHY[name])


# ============================================================================ chemometrics


def snv(X):
    return (X - X.mean(axis=1)[:, None]) / X.std(axis=1)[:, None]


def msc(X, reference=None):
    # multiplicative scatter correction, row by row against the mean spectrum
    Xc = X - X.mean(axis=1, keepdims=True)
    ref = Xc.mean(axis=0) if reference is None else reference
    out = np.zeros_like(X)
    for i in range(X.shape[0]):
        fit = np.polyfit(ref, Xc[i, :], 1, full=True)
        out[i, :] = (Xc[i, :] - fit[0][1]) / fit[0][0]
    return out


def emsc_poly(X, degree=2):
    # extended MSC: the reference plus polynomial terms of the channel axis, by lstsq
    n_ch = X.shape[1]
    ref = X.mean(axis=0)
    wl = np.linspace(-1, 1, n_ch)
    M = np.column_stack([ref] + [wl ** d for d in range(degree + 1)])
    coefs = np.linalg.lstsq(M, X.T, rcond=None)[0]
    corrected = (X - (M[:, 1:] @ coefs[1:]).T) / coefs[0][:, None]
    return corrected


def normalisations(X, x_axis):
    return {
        "minmax": (X - X.min(axis=1, keepdims=True))
        / np.ptp(X, axis=1, keepdims=True),
        "area": X / np.trapezoid(X, x_axis, axis=1)[:, np.newaxis],
        "vector": X / np.linalg.norm(X, axis=1, keepdims=True),
        "max": X / X.max(axis=1, keepdims=True),
        "band": X / X[:, [5]],
    }


def scaling_methods(X):
    mu = X.mean(axis=0)
    sd = X.std(axis=0, ddof=1)
    return {"centred": X - mu, "auto": (X - mu) / sd, "pareto": (X - mu) / np.sqrt(sd),
            "range": (X - mu) / (X.max(axis=0) - X.min(axis=0))}


def pca_svd_flip(X, n_components=2):
    # PCA by SVD with scikit-learn's svd_flip sign convention
    Xc = X - X.mean(axis=0)
    U, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    max_abs_cols = np.argmax(np.abs(U), axis=0)
    signs = np.sign(U[max_abs_cols, range(U.shape[1])])
    U *= signs
    Vt *= signs[:, np.newaxis]
    scores = U[:, :n_components] * S[:n_components]
    explained = S ** 2 / np.sum(S ** 2)
    return scores, Vt[:n_components].T, explained[:n_components]


def pca_eigh_cov(X, k=2):
    # PCA by eigh of the covariance matrix, largest first, signs fixed by the first loading
    Xc = X - X.mean(axis=0)
    C = np.cov(Xc, rowvar=False)
    vals, vecs = np.linalg.eigh(C)
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    vecs = vecs * np.sign(vecs[0])
    return Xc @ vecs[:, :k], vals / vals.sum()


def hotelling_q(X, k=2):
    # T^2 and Q residuals from a k-component PCA model (signless quantities)
    Xc = X - X.mean(axis=0)
    U, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    P = Vt[:k].T
    T = Xc @ P
    lam = s[:k] ** 2 / (X.shape[0] - 1)
    T2 = np.sum(T ** 2 / lam, axis=1)
    E = Xc - T @ P.T
    return T2, np.sum(E ** 2, axis=1)


def pls1_nipals(X, y, n_comp=3):
    # PLS1 by NIPALS, deflating X and y, the regression vector from W, P and q
    X = X - X.mean(axis=0)
    y = y - y.mean()
    n, m = X.shape
    W = np.zeros((m, n_comp))
    P = np.zeros((m, n_comp))
    q = np.zeros(n_comp)
    for a in range(n_comp):
        w = X.T @ y
        w /= np.linalg.norm(w)
        t = X @ w
        tt = t @ t
        p = X.T @ t / tt
        q[a] = y @ t / tt
        X = X - np.outer(t, p)
        y = y - q[a] * t
        W[:, a] = w
        P[:, a] = p
    B = W @ np.linalg.inv(P.T @ W) @ q
    return B


def pls2_nipals(X, Y, n_comp=2, n_inner=10):
    # PLS2 NIPALS with a fixed number of inner iterations per component
    X = X - X.mean(axis=0)
    Y = Y - Y.mean(axis=0)
    T, Q, W = [], [], []
    for _ in range(n_comp):
        u = Y[:, 0]
        for _ in range(n_inner):
            w = X.T @ u / (u @ u)
            w = w / np.linalg.norm(w)
            t = X @ w
            c = Y.T @ t / (t @ t)
            u = Y @ c / (c @ c)
        p = X.T @ t / (t @ t)
        X = X - np.outer(t, p)
        Y = Y - np.outer(t, c)
        T.append(t)
        Q.append(c)
        W.append(w)
    return np.array(T).T, np.array(Q).T, np.array(W).T


def pls_loo_press(X, y, n_comp=2):
    # leave-one-out cross-validation: np.delete of each sample, PRESS and RMSECV
    n = X.shape[0]
    press = 0.0
    preds = np.zeros(n)
    for i in range(n):
        Xtr = np.delete(X, i, axis=0)
        ytr = np.delete(y, i)
        B = pls1_nipals(Xtr, ytr, n_comp)
        preds[i] = (X[i] - Xtr.mean(axis=0)) @ B + ytr.mean()
        press += (y[i] - preds[i]) ** 2
    return preds, np.sqrt(press / n)


def pcr_predict(X, y, Xnew, k=2):
    mu = X.mean(axis=0)
    U, s, Vt = np.linalg.svd(X - mu, full_matrices=False)
    T = (X - mu) @ Vt[:k].T
    b = np.linalg.lstsq(np.c_[np.ones(len(T)), T], y, rcond=None)[0]
    Tn = (Xnew - mu) @ Vt[:k].T
    return b[0] + Tn @ b[1:]


def vip_scores(W, T, Q):
    # variable importance in projection from a fitted PLS model
    p, h = W.shape
    s = np.diag(T.T @ T @ Q.T @ Q).reshape(h, -1)
    total_s = np.sum(s)
    weight = np.array([(W[:, j] / np.linalg.norm(W[:, j])) ** 2 for j in range(h)])
    return np.sqrt(p * (s.T @ weight).ravel() / total_s)


def kennard_stone(X, k=4):
    # Kennard-Stone selection: the two farthest samples, then the farthest from the chosen
    D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    i0, i1 = np.unravel_index(np.argmax(D), D.shape)
    selected = [i0, i1]
    for _ in range(k - 2):
        dmin = D[:, selected].min(axis=1)
        dmin[selected] = -1.0
        selected.append(np.argmax(dmin))
    return np.array(selected)


def mahalanobis_scores(T):
    mu = T.mean(axis=0)
    S_inv = np.linalg.inv(np.cov(T, rowvar=False))
    d = T - mu
    return np.sqrt(np.einsum("ij,jk,ik->i", d, S_inv, d))


def mcr_als(D, C0, n_iter=15):
    # MCR-ALS with non-negativity by clipping and closure of the concentration profiles
    C = C0.copy()
    for _ in range(n_iter):
        S = np.clip(np.linalg.pinv(C) @ D, 0, None)
        C = np.clip(D @ np.linalg.pinv(S), 0, None)
        C = C / C.sum(axis=1, keepdims=True)
    lof = np.sqrt(np.sum((D - C @ S) ** 2) / np.sum(D ** 2)) * 100
    return C, S, lof


def evolving_factor_analysis(D, n_sv=3):
    # forward and backward EFA: singular values of growing windows of the spectra
    m = D.shape[0]
    fwd = np.zeros((m, n_sv))
    bwd = np.zeros((m, n_sv))
    for i in range(n_sv, m + 1):
        fwd[i - 1] = np.linalg.svd(D[:i], compute_uv=False)[:n_sv]
        bwd[m - i] = np.linalg.svd(D[m - i:], compute_uv=False)[:n_sv]
    return np.log10(fwd + 1e-12), np.log10(bwd + 1e-12)


def global_kinetic_fit(t, D, k):
    # sequential A -> B -> C: concentrations from the rate constants, spectra by lstsq
    k1, k2 = k
    A = np.exp(-k1 * t)
    B = k1 / (k2 - k1) * (np.exp(-k1 * t) - np.exp(-k2 * t))
    C = np.column_stack([A, B, 1 - A - B])
    S, res, rank, sv = np.linalg.lstsq(C, D, rcond=None)
    return S, np.sum((D - C @ S) ** 2)


def _mixture_data(s, m, n_ch=20):
    t = np.linspace(0, 1, m)[:, None]
    C = np.hstack([np.exp(-3 * t), 3 * t * np.exp(-3 * t), 1 - np.exp(-3 * t)])
    S = np.stack([np.exp(-0.5 * ((np.arange(n_ch) - c) / 2.5) ** 2) for c in (4, 10, 15)])
    return C @ S + 0.001 * _f(m, n_ch, seed=s), C


PREPROCESSORS = {
    "snv": snv,
    "d1": lambda X: scipy.signal.savgol_filter(X, 7, 2, deriv=1, axis=1),
    "centre": lambda X: X - X.mean(axis=0),
}


def preprocess_pipeline(X, steps=("d1", "snv", "centre")):
    for name in steps:
        X = PREPROCESSORS[name](X)
    return X


def cosmic_ray_zscore(y, threshold=3.5, window=2):
    # Whitaker & Hayes' modified z-scores of the first difference; spikes by neighbour means
    dy = np.diff(y)
    med = np.median(dy)
    mad = np.median(np.abs(dy - med))
    z = 0.6745 * (dy - med) / mad
    spikes = np.abs(np.r_[0.0, z]) > threshold
    y_out = y.copy()
    kernel = np.ones(2 * window + 1)
    good = (~spikes).astype(float)
    neigh = np.convolve(y * good, kernel, "same") / np.convolve(good, kernel, "same")
    y_out[spikes] = neigh[spikes]
    return y_out


def _nir(s, m, n_ch=24):
    # NIR-like data: scatter (offset and slope per sample) on a few latent spectra
    r = np.random.default_rng(s)
    base = np.stack([np.exp(-0.5 * ((np.arange(n_ch) - c) / 3.0) ** 2) for c in (6, 12, 18)])
    conc = r.uniform(0.2, 1.0, (m, 3))
    X = conc @ base
    X = X * r.uniform(0.9, 1.1, (m, 1)) + r.uniform(-0.05, 0.05, (m, 1))
    return X + 0.002 * r.standard_normal((m, n_ch)), conc


CHEMOMETRICS = {
    "snv_newaxis": (snv, {}, lambda s, n: (_nir(s, n + 2)[0],)),
    "msc_polyfit_full_rows": (msc, {}, lambda s, n: (_nir(s, n + 2)[0],)),
    "emsc_polynomial_lstsq": (emsc_poly, {}, lambda s, n: (_nir(s, n + 2)[0],)),
    "normalisations_dict": (normalisations, {}, lambda s, n: (
        _nir(s, n)[0] + 0.1, np.linspace(1000, 2500, 24))),
    "scaling_methods_dict": (scaling_methods, {}, lambda s, n: (_nir(s, n + 3)[0],)),
    "pca_svd_flip": (pca_svd_flip, {}, lambda s, n: (_nir(s, n + 4)[0],)),
    "pca_eigh_covariance": (pca_eigh_cov, {}, lambda s, n: (_nir(s, n + 4, 6)[0],)),
    "hotelling_t2_q": (hotelling_q, {}, lambda s, n: (_nir(s, n + 4)[0],)),
    "pls1_nipals_regression_vector": (pls1_nipals, {"n_comp": 3}, lambda s, n: (
        _nir(s, n + 6)[0], _nir(s, n + 6)[1][:, 0])),
    "pls2_nipals_inner_loop": (pls2_nipals, {}, lambda s, n: (
        _nir(s, n + 6)[0], _nir(s, n + 6)[1][:, :2])),
    "pls_leave_one_out_delete": (pls_loo_press, {}, lambda s, n: (
        _nir(s, n + 4)[0], _nir(s, n + 4)[1][:, 1])),
    "pcr_predict": (pcr_predict, {}, lambda s, n: (
        _nir(s, n + 5)[0], _nir(s, n + 5)[1][:, 2], _nir(s + 9, 3)[0])),
    "vip_scores": (vip_scores, {}, lambda s, n: (
        _f(10, 3, seed=s), _f(n + 4, 3, seed=s + 1), _f(1, 3, seed=s + 2))),
    "kennard_stone_list_of_argmax": (kennard_stone, {}, lambda s, n: (_f(n + 5, 3, seed=s),)),
    "mahalanobis_einsum": (mahalanobis_scores, {}, lambda s, n: (_f(n + 5, 2, seed=s),)),
    "preprocess_pipeline_dict": (preprocess_pipeline, {}, lambda s, n: (_nir(s, n + 1)[0],)),
    "mcr_als_clip_closure": (mcr_als, {"n_iter": 8}, lambda s, n: (
        _mixture_data(s, n + 8)[0], _mixture_data(s, n + 8)[1] + 0.1)),
    "evolving_factor_analysis": (evolving_factor_analysis, {}, lambda s, n: (
        _mixture_data(s, n + 5)[0],)),
    "global_kinetic_lstsq": (global_kinetic_fit, {}, lambda s, n: (
        np.linspace(0, 5, n + 8), _f(n + 8, 12, seed=s), (1.3 + 0.1 * s, 0.4))),
    "cosmic_ray_modified_z": (cosmic_ray_zscore, {}, lambda s, n: (
        _spectrum(s, 10 * n) + 5.0 * (np.arange(10 * n) == 7 * s),)),
}


@pytest.mark.parametrize("name", _names(CHEMOMETRICS))
def test_chemometrics_match_numpy(name):
    """SNV, MSC and EMSC, normalisations and scalings, PCA by SVD and eigh, T^2 and Q, PLS1 and
    PLS2 by NIPALS, leave-one-out PRESS, PCR, VIP, Kennard-Stone, Mahalanobis distances,
    MCR-ALS, evolving factor analysis, global kinetic fits, preprocessing pipelines and
    cosmic-ray removal: NumPy's values."""
    check_like_numpy(*CHEMOMETRICS[name])


# ============================================================================ crystallography

CU_KA1 = 1.540562  # angstrom
# Cromer-Mann coefficients a1..a4, b1..b4, c (International Tables, Vol. C)
CROMER_MANN = {
    "Na": np.array([4.7626, 3.1736, 1.2674, 1.1128, 3.285, 8.8422, 0.3136, 129.424, 0.676]),
    "Cl": np.array([11.4604, 7.1962, 6.2556, 1.6455, 0.0104, 1.1662, 18.5194, 47.7784,
                    -9.5574]),
    "Si": np.array([6.2915, 3.0353, 1.9891, 1.541, 2.4386, 32.3337, 0.6785, 81.6937, 1.1407]),
}
NACL_SITES = {"Na": np.array([[0, 0, 0], [0, .5, .5], [.5, 0, .5], [.5, .5, 0]]),
              "Cl": np.array([[.5, .5, .5], [.5, 0, 0], [0, .5, 0], [0, 0, .5]])}


def hkl_list(nmax):
    return np.array([hkl for hkl in itertools.product(range(-nmax, nmax + 1), repeat=3)
                     if hkl != (0, 0, 0)])


def d_cubic(a, hkl):
    return a / np.sqrt(np.sum(hkl ** 2, axis=1))


def metric_tensor(a, b, c, alpha, beta, gamma):
    al, be, ga = np.radians([alpha, beta, gamma])
    return np.array([[a * a, a * b * np.cos(ga), a * c * np.cos(be)],
                     [a * b * np.cos(ga), b * b, b * c * np.cos(al)],
                     [a * c * np.cos(be), b * c * np.cos(al), c * c]])


def d_spacings_metric(hkl, cell):
    # 1/d^2 = h G* h with the reciprocal metric tensor, for a triclinic cell
    G = metric_tensor(*cell)
    Gstar = np.linalg.inv(G)
    inv_d2 = np.einsum("ij,jk,ik->i", hkl, Gstar, hkl)
    return 1 / np.sqrt(inv_d2), np.sqrt(np.linalg.det(G))


def lattice_vectors(a, b, c, alpha, beta, gamma):
    # the standard setting: a along x, b in the xy plane
    al, be, ga = np.deg2rad(alpha), np.deg2rad(beta), np.deg2rad(gamma)
    ax = np.array([a, 0.0, 0.0])
    bx = np.array([b * np.cos(ga), b * np.sin(ga), 0.0])
    cx = c * np.cos(be)
    cy = c * (np.cos(al) - np.cos(be) * np.cos(ga)) / np.sin(ga)
    cz = np.sqrt(c ** 2 - cx ** 2 - cy ** 2)
    return np.vstack([ax, bx, np.array([cx, cy, cz])])


def reciprocal_cross(A):
    a1, a2, a3 = A
    V = np.dot(a1, np.cross(a2, a3))
    b1 = 2 * np.pi * np.cross(a2, a3) / V
    b2 = 2 * np.pi * np.cross(a3, a1) / V
    b3 = 2 * np.pi * np.cross(a1, a2) / V
    return np.array([b1, b2, b3]), V


def bragg_two_theta(d, wavelength=CU_KA1):
    s = wavelength / (2 * d)
    theta = np.arcsin(np.clip(s, -1, 1))
    return np.degrees(2 * theta)


def scherrer(two_theta_deg, fwhm_deg, inst_deg=0.05, K=0.9, wavelength=CU_KA1):
    # crystallite size in nm, the instrumental width taken off in quadrature
    beta = np.sqrt(np.radians(fwhm_deg) ** 2 - np.radians(inst_deg) ** 2)
    theta = np.radians(two_theta_deg / 2)
    return K * wavelength / (beta * np.cos(theta)) / 10


def williamson_hall(two_theta_deg, fwhm_deg, K=0.9, wavelength=CU_KA1):
    theta = np.deg2rad(two_theta_deg) / 2
    beta = np.deg2rad(fwhm_deg)
    slope, intercept = np.polyfit(4 * np.sin(theta), beta * np.cos(theta), 1)
    return K * wavelength / intercept, slope


def cromer_mann_f(s, element):
    # f(s) = sum a_i exp(-b_i s^2) + c, with s = sin(theta)/lambda
    coef = CROMER_MANN[element]
    a, b, c = coef[:4], coef[4:8], coef[8]
    return np.sum(a[:, None] * np.exp(-b[:, None] * s[None, :] ** 2), axis=0) + c


def structure_factor_nacl(hkl, a, B=0.6):
    d = d_cubic(a, hkl)
    s = 1 / (2 * d)
    F = np.zeros(len(hkl), dtype=complex)
    for el, xyz in NACL_SITES.items():
        f = cromer_mann_f(s, el) * np.exp(-B * s ** 2)
        F += f * np.exp(2j * np.pi * (hkl @ xyz.T)).sum(axis=1)
    return F, np.abs(F) ** 2


def structure_factor_matrix(hkl, frac, f0):
    # all reflections and atoms at once: exp(2 pi i h.x) times the form factors
    phase = 2 * np.pi * hkl @ frac.T
    F = (f0 * np.exp(1j * phase)).sum(axis=1)
    return F.real, F.imag, np.angle(F, deg=True)


def lorentz_polarisation(two_theta_deg, mono_2theta=26.6):
    tt = np.radians(two_theta_deg)
    th = tt / 2
    c2m = np.cos(np.radians(mono_2theta)) ** 2
    return (1 + c2m * np.cos(tt) ** 2) / (np.sin(th) ** 2 * np.cos(th) * (1 + c2m))


def powder_pattern_broadcast(two_theta, peaks_2t, intensities, fwhm=0.15, eta=0.5):
    # a powder pattern as a pseudo-Voigt per reflection, summed over reflections
    dx = two_theta[:, None] - peaks_2t[None, :]
    hw = fwhm / 2
    L = 1 / (1 + (dx / hw) ** 2)
    G = np.exp(-LN2 * (dx / hw) ** 2)
    return ((eta * L + (1 - eta) * G) * intensities).sum(axis=1)


def powder_pattern_nacl(two_theta, a, nmax=3, U=0.01, V=-0.002, W=0.005):
    # reflections from an hkl enumeration, Caglioti widths, LP, summed one at a time
    hkl = hkl_list(nmax)
    F2 = structure_factor_nacl(hkl, a)[1]
    d = d_cubic(a, hkl)
    tt = bragg_two_theta(d)
    valid = CU_KA1 / (2 * d) < 1
    I_hkl = F2 * lorentz_polarisation(tt) * valid
    th = np.radians(tt / 2)
    fwhm = np.sqrt(U * np.tan(th) ** 2 + V * np.tan(th) + W)
    pattern = np.zeros_like(two_theta)
    for k in range(len(hkl)):
        pattern += I_hkl[k] * np.exp(-4 * LN2 * ((two_theta - tt[k]) / fwhm[k]) ** 2)
    return pattern / pattern.max() * 100


def minimum_image_distances(frac, A):
    # interatomic distances in a periodic cell: fractional differences wrapped by round
    df = frac[:, None, :] - frac[None, :, :]
    df -= np.round(df)
    cart = df @ A
    return np.linalg.norm(cart, axis=-1)


def bond_angles(center, neighbours):
    v = neighbours - center
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    cosang = np.clip(v @ v.T, -1.0, 1.0)
    iu = np.triu_indices(len(v), k=1)
    return np.degrees(np.arccos(cosang[iu]))


def ewald_excitation_error(hkl, Ainv, k_in):
    G = hkl @ (2 * np.pi * Ainv.T)
    k_out = k_in + G
    return np.linalg.norm(k_out, axis=1) - np.linalg.norm(k_in)


def strain_from_cells(A_ref, A_def):
    F = np.linalg.solve(A_ref, A_def).T
    E = 0.5 * (F.T @ F - np.eye(3))
    return E, np.trace(E) / 3


def wilson_plot(s2, intensities, f2sum, n_shells=5):
    # <I> per resolution shell, ln(<I>/sum f^2) against s^2: B and the scale
    edges = np.linspace(s2.min(), s2.max(), n_shells + 1)
    shell = np.clip(np.digitize(s2, edges) - 1, 0, n_shells - 1)
    counts = np.bincount(shell, minlength=n_shells)
    mean_I = np.bincount(shell, weights=intensities, minlength=n_shells) / counts
    mean_s2 = np.bincount(shell, weights=s2, minlength=n_shells) / counts
    mean_f2 = np.bincount(shell, weights=f2sum, minlength=n_shells) / counts
    slope, icpt = np.polyfit(mean_s2, np.log(mean_I / mean_f2), 1)
    return -slope / 2, np.exp(icpt)


def r_factor(F_obs, F_calc):
    Fc = np.abs(F_calc)
    k = np.sum(F_obs * Fc) / np.sum(Fc ** 2)
    return np.sum(np.abs(F_obs - k * Fc)) / np.sum(F_obs), k


def density_1d(F, h, x):
    # electron density on a grid by the Fourier sum, rho(x) = sum F_h exp(-2 pi i h x)
    return np.real(np.exp(-2j * np.pi * np.outer(x, h)) @ F)


def patterson_2d(F2, h, k, nx=12, ny=10):
    x = np.arange(nx) / nx
    y = np.arange(ny) / ny
    X, Y = np.meshgrid(x, y, indexing="ij")
    arg = 2 * np.pi * (h[None, None, :] * X[..., None] + k[None, None, :] * Y[..., None])
    return np.einsum("r,xyr->xy", F2, np.cos(arg))


def cubic_lattice_lstsq(two_theta_deg, hkl, wavelength=CU_KA1):
    # indexed cubic peaks: sin^2(theta) = lambda^2 / (4 a^2) * (h^2 + k^2 + l^2)
    s2 = np.sin(np.radians(two_theta_deg / 2)) ** 2
    N = (hkl ** 2).sum(axis=1).astype(float)
    A = np.linalg.lstsq(N[:, None], s2, rcond=None)[0][0]
    return wavelength / (2 * np.sqrt(A))


def nelson_riley(two_theta_deg, a_values):
    th = np.radians(two_theta_deg / 2)
    nr = 0.5 * (np.cos(th) ** 2 / np.sin(th) + np.cos(th) ** 2 / th)
    slope, a0 = np.polyfit(nr, a_values, 1)
    return a0


def extinction_rules(hkl, lattice="F"):
    h, k, L = hkl[:, 0], hkl[:, 1], hkl[:, 2]
    if lattice == "I":
        allowed = (h + k + L) % 2 == 0
    elif lattice == "F":
        allowed = ((h % 2) == (k % 2)) & ((k % 2) == (L % 2))
    else:
        allowed = np.ones(len(hkl), dtype=bool)
    return allowed, np.where(allowed, (h ** 2 + k ** 2 + L ** 2), 0)


def zone_axis(h1, h2):
    # the zone axis of two planes, reduced by the gcd of its components
    uvw = np.cross(h1, h2)
    g = np.gcd.reduce(np.abs(uvw), axis=-1)
    return uvw // np.maximum(g, 1)[..., None]


def debye_scattering(q, positions, f):
    # the Debye equation with np.sinc (np.sinc(x) = sin(pi x) / (pi x)), all pairs
    r = np.sqrt(((positions[:, None, :] - positions[None, :, :]) ** 2).sum(-1))
    ff = np.outer(f, f)
    return np.einsum("ij,qij->q", ff, np.sinc(q[:, None, None] * r[None] / np.pi))


def pair_distribution(positions, box, r_max=4.0, nbins=20):
    d = positions[:, None, :] - positions[None, :, :]
    d -= box * np.round(d / box)
    r = np.sqrt((d ** 2).sum(-1))
    iu = np.triu_indices(len(positions), 1)
    hist, edges = np.histogram(r[iu], bins=nbins, range=(0, r_max))
    centres = 0.5 * (edges[1:] + edges[:-1])
    shell = 4 * np.pi * centres ** 2 * (edges[1] - edges[0])
    rho = len(positions) / box ** 3
    return hist / (shell * rho * len(positions) / 2)


FCC_LINES = np.array([[1, 1, 1], [2, 0, 0], [2, 2, 0], [3, 1, 1], [2, 2, 2], [4, 0, 0],
                      [3, 3, 1], [4, 2, 0]])


def _cell(s):
    return (5.1 + 0.1 * s, 6.3, 7.2, 82.0 + s, 95.0, 103.0)


def _hkl(s, n):
    r = np.random.default_rng(s)
    hkl = r.integers(-3, 4, (n + 3, 3))
    hkl[np.all(hkl == 0, axis=1)] = [1, 1, 1]
    return hkl


CRYSTALLOGRAPHY = {
    "d_cubic_int_hkl": (d_cubic, {}, lambda s, n: (5.64 + 0.01 * s, _hkl(s, n))),
    "d_triclinic_metric_tensor": (d_spacings_metric, {}, lambda s, n: (_hkl(s, n), _cell(s))),
    "lattice_vectors_vstack": (lattice_vectors, {}, lambda s, n: _cell(s)),
    "reciprocal_by_cross": (reciprocal_cross, {}, lambda s, n: (lattice_vectors(*_cell(s)),)),
    "scherrer_instrumental": (scherrer, {}, lambda s, n: (
        _pos(s, n, lo=20, hi=80), _pos(s + 1, n, lo=0.1, hi=0.5))),
    "williamson_hall_polyfit": (williamson_hall, {}, lambda s, n: (
        np.linspace(25, 85, n + 2), 0.1 + 0.002 * np.linspace(25, 85, n + 2)
        + 0.002 * _u(s, n + 2))),
    "cromer_mann_table": (cromer_mann_f, {"element": "Cl"}, lambda s, n: (
        np.linspace(0, 0.8, 5 * n) + 0.01 * s,)),
    "structure_factor_nacl_sites": (structure_factor_nacl, {}, lambda s, n: (
        _hkl(s, n), 5.64 + 0.01 * s)),
    "structure_factor_matrix": (structure_factor_matrix, {}, lambda s, n: (
        _hkl(s, n), _u(s, 5, 3), _pos(s + 1, 5))),
    "powder_pseudo_voigt_broadcast": (powder_pattern_broadcast, {}, lambda s, n: (
        np.linspace(20, 60, 40 * n), np.sort(_pos(s, n, lo=25, hi=55)), _pos(s + 1, n))),
    "powder_pattern_nacl_loop": (powder_pattern_nacl, {"nmax": 1}, lambda s, n: (
        np.linspace(20, 80, 50 * n), 5.64 + 0.01 * s)),
    "minimum_image_round": (minimum_image_distances, {}, lambda s, n: (
        _u(s, n, 3), lattice_vectors(*_cell(s)))),
    "bond_angles_triu": (bond_angles, {}, lambda s, n: (
        _f(3, seed=s) * 0.1, _f(n, 3, seed=s + 1) + 2 * np.eye(n, 3))),
    "ewald_excitation_error": (ewald_excitation_error, {}, lambda s, n: (
        _hkl(s, n), np.linalg.inv(lattice_vectors(*_cell(s))),
        np.array([0.0, 0.0, 2 * np.pi / CU_KA1]))),
    "strain_from_two_cells": (strain_from_cells, {}, lambda s, n: (
        lattice_vectors(*_cell(s)), lattice_vectors(*_cell(s)) @ (np.eye(3) + 0.01 * _f(
            3, 3, seed=s)))),
    "wilson_plot_shells": (wilson_plot, {}, lambda s, n: (
        np.linspace(0.01, 0.3, 10 * n), 100 * np.exp(-2 * 1.5 * np.linspace(0.01, 0.3, 10 * n))
        * _pos(s, 10 * n, lo=0.8, hi=1.2), np.full(10 * n, 30.0))),
    "r_factor_scale": (r_factor, {}, lambda s, n: (
        _pos(s, 5 * n), _pos(s, 5 * n) * 0.5 + 0.1 * _f(5 * n, seed=s) * 1j)),
    "density_fourier_1d": (density_1d, {}, lambda s, n: (
        _f(2 * n + 1, seed=s) + 1j * _f(2 * n + 1, seed=s + 1), np.arange(-n, n + 1),
        np.linspace(0, 1, 30, endpoint=False))),
    "patterson_meshgrid_einsum": (patterson_2d, {}, lambda s, n: (
        _pos(s, 3 * n), _i(4, 3 * n, seed=s) - 2, _i(4, 3 * n, seed=s + 1) - 2)),
    "cubic_lattice_from_peaks": (cubic_lattice_lstsq, {}, lambda s, n: (
        bragg_two_theta(d_cubic(4.05, FCC_LINES[:n + 2])) + 0.01 * _f(n + 2, seed=s),
        FCC_LINES[:n + 2])),
    "nelson_riley_extrapolation": (nelson_riley, {}, lambda s, n: (
        np.linspace(40, 140, n + 2), 4.05 + 0.002 * _f(n + 2, seed=s))),
    "extinction_rules_fcc": (extinction_rules, {}, lambda s, n: (_hkl(s, 3 * n),)),
    "zone_axis_cross_gcd": (zone_axis, {}, lambda s, n: (_hkl(s, n), _hkl(s + 5, n))),
    "debye_equation_sinc": (debye_scattering, {}, lambda s, n: (
        np.linspace(0.5, 10, 3 * n), _f(n, 3, seed=s) * 2, _pos(s, n))),
    "pair_distribution_histogram": (pair_distribution, {}, lambda s, n: (
        _u(s, 4 * n, 3) * 6.0, 6.0)),
}


@pytest.mark.parametrize("name", _names(CRYSTALLOGRAPHY))
def test_crystallography_matches_numpy(name):
    """d-spacings (cubic to triclinic by the metric tensor), lattice and reciprocal vectors,
    Scherrer and Williamson-Hall sizes, Cromer-Mann form factors, structure factors, powder
    patterns, minimum-image distances, Wilson plots, R factors, Fourier and Patterson maps,
    cubic cells from peaks, extinction rules, zone axes, the Debye equation and pair
    distributions: NumPy's values."""
    check_like_numpy(*CRYSTALLOGRAPHY[name])


# ============================================================================ more spectroscopy

H_PLANCK = 6.62607015e-34
C_LIGHT = 2.99792458e8
K_BOLTZ = 1.380649e-23


def tauc_band_gap(wavelength_nm, absorbance, thickness_cm=1e-4, fit=slice(-8, -2), r=2):
    # Tauc plot of a direct gap: (alpha h nu)^2 against h nu, a line over a fixed window
    E = 1239.84 / wavelength_nm
    alpha = 2.303 * absorbance / thickness_cm
    y = (alpha * E) ** r
    m, b = np.polyfit(E[fit], y[fit], 1)
    return -b / m, E, y


def wavelength_to_wavenumber_grid(wl_nm, intensity, n_out=40):
    # nm to cm^-1 reverses the order; np.interp wants increasing x
    nu = 1e7 / wl_nm
    nu, intensity = nu[::-1], intensity[::-1]
    grid = np.linspace(nu[0], nu[-1], n_out)
    return grid, np.interp(grid, nu, intensity)


def relative_quantum_yield(F_s, A_s, n_s, F_r, A_r, n_r, phi_r=0.546):
    # integrated fluorescence against absorbance slopes, sample and reference
    grad_s = np.polyfit(A_s, F_s, 1)[0]
    grad_r = np.polyfit(A_r, F_r, 1)[0]
    return phi_r * grad_s / grad_r * (n_s / n_r) ** 2


def planck_float32(wl_um, T):
    c1 = np.float32(1.191042e8)
    c2 = np.float32(1.4387752e4)
    return c1 / wl_um ** 5 / (np.exp(c2 / (wl_um * T)) - 1)


def instrument_broadening(x, y, fwhm=0.08):
    # degrade resolution by a normalised Gaussian on the sampling grid
    dx = x[1] - x[0]
    sig = fwhm / (2 * np.sqrt(2 * np.log(2)))
    half = int(4 * sig / 0.01)
    k = np.exp(-0.5 * (np.arange(-half, half + 1) * dx / sig) ** 2)
    return np.convolve(y, k / k.sum(), mode="same")


def resample_spectra(axes, spectra, grid):
    # spectra on their own axes, a list, put on one grid
    return np.array([np.interp(grid, ax, sp) for ax, sp in zip(axes, spectra)])


def fourier_self_deconvolution(y, gamma=2.0, apod=0.6):
    # FSD: divide out a Lorentzian's exponential decay in the interferogram, apodise
    n = len(y)
    igram = np.fft.ifft(y)
    t = np.fft.fftfreq(n) * n
    igram = igram * np.exp(np.pi * gamma * np.abs(t) / n) * np.clip(
        1 - np.abs(t) / (apod * n / 2), 0, None) ** 2
    return np.fft.fft(igram).real


def hit_quality_index(unknown, library):
    num = (library @ unknown) ** 2
    den = (library * library).sum(axis=1) * (unknown @ unknown)
    hqi = num / den
    order = np.argsort(-hqi)
    return hqi[order], order


def emission_peak_wavelength(wl, spectra):
    # the peak wavelength of each emission spectrum by the maximum and its neighbours
    i = spectra.argmax(axis=1)
    rows = np.arange(spectra.shape[0])
    y0 = spectra[rows, i - 1]
    y1 = spectra[rows, i]
    y2 = spectra[rows, i + 1]
    shift = 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)
    return wl[i] + shift * (wl[1] - wl[0])


def dark_reference_stack(raw, dark, white, integration_ms, ref_ms):
    # a stack of uint16 spectrometer frames to reflectance, integration-time scaled
    raw = raw.astype(np.float64)
    r = (raw - dark) / ((white - dark) * integration_ms / ref_ms)
    return np.clip(r.mean(axis=0), 0, 1.5), r.std(axis=0)


def boltzmann_temperature(E_upper_cm, intensity, g, A, wl_nm):
    # a Boltzmann plot of emission lines: ln(I lambda / (g A)) against E_u
    y = np.log(intensity * wl_nm / (g * A))
    E = E_upper_cm * 100 * H_PLANCK * C_LIGHT
    slope, _ = np.polyfit(E, y, 1)
    return -1 / (K_BOLTZ * slope)


def fluorescence_lifetime_fit(t, decay, bg_points=5):
    # log-linear lifetime after taking off the pre-pulse background
    bg = decay[:bg_points].mean()
    y = decay[bg_points:] - bg
    tt = t[bg_points:]
    slope, icpt = np.polyfit(tt, np.log(np.clip(y, 1e-12, None)), 1, w=np.sqrt(np.clip(y, 0,
                                                                                       None)))
    return -1 / slope, np.exp(icpt)


def spectrum_dict_stack(spectra):
    # {sample: spectrum} into a matrix, rows sorted by name, plus the mean spectrum
    names = sorted(spectra)
    X = np.vstack([spectra[k] for k in names])
    return X, X.mean(axis=0), X - X.mean(axis=0)


SPECTROSCOPY = {
    "tauc_fixed_window": (tauc_band_gap, {}, lambda s, n: (
        np.linspace(600, 350, 5 * n), np.sqrt(np.clip(1239.84 / np.linspace(600, 350, 5 * n)
                                                      - 2.4 - 0.01 * s, 0, None)) + 0.02)),
    "nm_to_wavenumber_interp": (wavelength_to_wavenumber_grid, {}, lambda s, n: (
        np.linspace(500, 700, 8 * n), _spectrum(s, 8 * n))),
    "quantum_yield_gradients": (relative_quantum_yield, {}, lambda s, n: (
        _pos(s, n + 2) * 1e5, np.linspace(0.01, 0.1, n + 2), 1.36, _pos(s + 1, n + 2) * 1e5,
        np.linspace(0.01, 0.09, n + 2), 1.33)),
    "planck_float32": (planck_float32, {}, lambda s, n: (
        np.linspace(0.5, 10, 5 * n).astype(np.float32), np.float32(1200 + 100 * s))),
    "instrument_broadening": (instrument_broadening, {}, lambda s, n: (
        np.arange(10 * n) * 0.01, _spectrum(s, 10 * n))),
    "resample_list_interp": (resample_spectra, {}, lambda s, n: (
        [np.linspace(0, 1, 5 * n), np.linspace(-0.1, 1.1, 6 * n)],
        [_spectrum(s, 5 * n), _spectrum(s + 1, 6 * n)], np.linspace(0.05, 0.95, 12))),
    "fourier_self_deconvolution": (fourier_self_deconvolution, {}, lambda s, n: (
        _spectrum(s, 8 * n, baseline=False),)),
    "hqi_argsort_descending": (hit_quality_index, {}, lambda s, n: (
        _pos(s, 20), _pos(s + 1, n + 2, 20))),
    "emission_peak_rows": (emission_peak_wavelength, {}, lambda s, n: (
        np.linspace(400, 700, 30), np.exp(-0.5 * ((np.linspace(400, 700, 30)[None, :]
                                                   - _pos(s, n, lo=450, hi=650)[:, None])
                                                  / 30) ** 2))),
    "uint16_frames_reflectance": (dark_reference_stack, {}, lambda s, n: (
        np.random.default_rng(s).integers(1000, 30000, (n, 16)).astype(np.uint16),
        _pos(s, 16, lo=90, hi=110), _pos(s + 1, 16, lo=40000, hi=50000), 100.0, 50.0)),
    "boltzmann_plot": (boltzmann_temperature, {}, lambda s, n: (
        np.linspace(20000, 40000, n + 2), _pos(s, n + 2) * np.exp(-np.linspace(0, 3, n + 2)),
        np.arange(1.0, n + 3), _pos(s + 1, n + 2) * 1e7, _pos(s + 2, n + 2, lo=300, hi=500))),
    "lifetime_weighted_log_fit": (fluorescence_lifetime_fit, {}, lambda s, n: (
        np.linspace(-5, 20, 10 * n), np.where(np.linspace(-5, 20, 10 * n) < 0, 0.0, 1000 * np.exp(
            -np.linspace(-5, 20, 10 * n) / (3 + 0.1 * s))) + 5 + _u(s, 10 * n))),
    "spectrum_dict_sorted_stack": (spectrum_dict_stack, {}, lambda s, n: (
        {"s3": _spectrum(s, 4 * n), "s1": _spectrum(s + 1, 4 * n),
         "s2": _spectrum(s + 2, 4 * n)},)),
}


@pytest.mark.parametrize("name", _names(SPECTROSCOPY))
def test_spectroscopy_utilities_match_numpy(name):
    """Tauc gaps, unit conversions with np.interp, quantum yields, float32 Planck radiance,
    instrument broadening, resampling, Fourier self-deconvolution, HQI library search,
    emission maxima, uint16 frames to reflectance, Boltzmann plots and lifetime fits: NumPy's
    values."""
    check_like_numpy(*SPECTROSCOPY[name])


# ============================================================================ more forms

REF_WL = np.linspace(380.0, 720.0, 18)
REF_SPECTRUM = np.exp(-0.5 * ((REF_WL - 550.0) / 45.0) ** 2) + 0.1
INSTRUMENT_KERNEL = np.array([1.0, 0.4, 0.1])


def whittaker_sparse_constant(y, lam=100.0):
    # the penalty is all constants: eye + lam D'D in CSC, one spsolve
    L = len(y)
    D = sparse.diags([1.0, -2.0, 1.0], [0, 1, 2], shape=(L - 2, L))
    A = sparse.eye(L, format="csc") + lam * (D.T @ D)
    return spsolve(A.tocsc(), y)


def als_coo_weights(y, lam=1e3, p=0.02, niter=4):
    # the weights as a COO diagonal from (w, (i, i)) triplets, added to the penalty
    L = len(y)
    D = sparse.diags([1.0, -2.0, 1.0], [0, 1, 2], shape=(L - 2, L))
    H = lam * (D.T @ D)
    i = np.arange(L)
    w = np.ones(L)
    for _ in range(niter):
        W = sparse.coo_matrix((w, (i, i)), shape=(L, L))
        z = spsolve((W + H).tocsc(), w * y)
        w = np.where(y > z, p, 1 - p)
    return z


def als_penalty_plus_coo(y, lam=1e3, p=0.02, niter=4):
    L = len(y)
    D = sparse.diags([1.0, -2.0, 1.0], [0, 1, 2], shape=(L - 2, L))
    H = (lam * (D.T @ D)).tocsc()
    i = np.arange(L)
    w = np.ones(L)
    for _ in range(niter):
        z = spsolve(H + sparse.coo_matrix((w, (i, i)), shape=(L, L)), w * y)
        w = np.where(y > z, p, 1 - p)
    return z


def als_solveh_banded(y, lam=1e4, p=0.01, niter=5):
    # ALS with the symmetric pentadiagonal system in upper banded storage
    L = len(y)
    D = np.diff(np.eye(L), 2, axis=0)
    DTD = lam * D.T @ D
    w = np.ones(L)
    for _ in range(niter):
        A = DTD + np.diag(w)
        ab = np.zeros((3, L))
        ab[0, 2:] = np.diagonal(A, 2)
        ab[1, 1:] = np.diagonal(A, 1)
        ab[2] = np.diagonal(A)
        z = scipy.linalg.solveh_banded(ab, w * y)
        w = p * (y > z) + (1 - p) * (y < z)
    return z


def chebyshev_baseline(x, y, deg=4):
    # a Chebyshev baseline on the axis mapped to [-1, 1]
    t = 2 * (x - x[0]) / (x[-1] - x[0]) - 1
    c = np.polynomial.chebyshev.chebfit(t, y, deg)
    return y - np.polynomial.chebyshev.chebval(t, c)


def polynomial_class_baseline(x, y, deg=3):
    p = np.polynomial.Polynomial.fit(x, y, deg)
    return y - p(x), p.coef


def reference_interp1d_cubic(wl, sample):
    # a tabulated reference spectrum, cubic-interpolated onto the instrument's axis
    ref = scipy.interpolate.interp1d(REF_WL, REF_SPECTRUM, kind="cubic")(wl)
    return sample / ref


def reference_interp1d_linear(wl, sample):
    ref = scipy.interpolate.interp1d(REF_WL, REF_SPECTRUM, bounds_error=False,
                                     fill_value="extrapolate")(wl)
    return sample / ref


def instrument_deconvolve(measured):
    # undo a short instrument response by polynomial division
    recovered, remainder = scipy.signal.deconvolve(measured, INSTRUMENT_KERNEL)
    return recovered, remainder


def peak_table_structured(pos, height, width):
    # a peak list as a record array, sorted by height, as small peak-picking tools keep it
    peaks = np.zeros(len(pos), dtype=[("pos", "f8"), ("height", "f8"), ("area", "f8")])
    peaks["pos"] = pos
    peaks["height"] = height
    peaks["area"] = height * width * np.sqrt(2 * np.pi)
    order = np.argsort(peaks["height"])[::-1]
    return peaks["pos"][order], peaks["area"][order]


def nmr_real_baseline_inplace(spec, order=1):
    # baseline of the real part taken off in place, the imaginary part kept
    out = spec.copy()
    k = np.arange(len(out))
    out.real -= np.polyval(np.polyfit(k, out.real, order), k)
    return out


def phase_unwrap_linear(spec):
    # the first-order phase from a fit to the unwrapped phase
    ph = np.unwrap(np.angle(spec))
    k = np.arange(len(spec))
    p1, p0 = np.polyfit(k, ph, 1)
    return spec * np.exp(-1j * (p0 + p1 * k)), p0, p1


def histogram_plus_equal(channels, n_channels=16):
    # a multichannel analyser written as h[idx] += 1 (NumPy counts each channel once)
    h = np.zeros(n_channels, dtype=np.int64)
    h[channels] += 1
    return h


def mca_add_at(channels, n_channels=16):
    h = np.zeros(n_channels, dtype=np.int64)
    np.add.at(h, channels, 1)
    return h


def uint16_dark_wraparound(raw, dark):
    # dark subtraction written on the raw uint16 frames (it wraps where dark > raw)
    sub = raw - dark
    return sub, sub.astype(np.int32).sum(axis=0)


def metric_tensor_math_radians(a, b, c, alpha, beta, gamma):
    import math
    al, be, ga = math.radians(alpha), math.radians(beta), math.radians(gamma)
    G = np.array([[a * a, a * b * math.cos(ga), a * c * math.cos(be)],
                  [a * b * math.cos(ga), b * b, b * c * math.cos(al)],
                  [a * c * math.cos(be), b * c * math.cos(al), c * c]])
    return G, np.linalg.inv(G)


def mlr_matrix_class(X, y):
    # multiple linear regression in old np.matrix style: (X'X)^-1 X'y with * and .I
    Xm = np.asmatrix(np.column_stack([np.ones(X.shape[0]), X]))
    ym = np.asmatrix(y).T
    b = (Xm.T * Xm).I * Xm.T * ym
    return np.asarray(b).ravel(), np.asarray(Xm * b).ravel()


def romberg_area(y, dx=0.05):
    return scipy.integrate.romb(y, dx=dx)


def ndimage_shift_align(spectra, shifts):
    # aligning spectra by sub-pixel shifts, one row at a time
    out = np.empty_like(spectra)
    for i in range(spectra.shape[0]):
        out[i] = scipy.ndimage.shift(spectra[i], shifts[i], order=1, mode="nearest")
    return out


def fwhm_by_threshold(x, y):
    # the full width at half maximum from the first and last points above half
    half = y.max() / 2
    above = np.where(y >= half)[0]
    return x[above[-1]] - x[above[0]]


def cross_correlation_shift(ref, y):
    # the lag of the correlation maximum, then a parabolic refinement
    c = np.correlate(y - y.mean(), ref - ref.mean(), mode="full")
    k = np.argmax(c)
    lag = k - (len(ref) - 1)
    d = 0.5 * (c[k - 1] - c[k + 1]) / (c[k - 1] - 2 * c[k] + c[k + 1])
    return lag + d


MORE = {
    "whittaker_sparse_constants": (whittaker_sparse_constant, {}, lambda s, n: (
        _spectrum(s, 6 * n),)),
    "als_coo_triplet_weights": (als_coo_weights, {"niter": 3}, lambda s, n: (
        _spectrum(s, 6 * n),)),
    "als_penalty_plus_coo_weights": (als_penalty_plus_coo, {"niter": 3}, lambda s, n: (
        _spectrum(s, 6 * n),)),
    "als_solveh_banded": (als_solveh_banded, {"niter": 4}, lambda s, n: (
        _spectrum(s, 6 * n),)),
    "chebyshev_baseline": (chebyshev_baseline, {}, lambda s, n: (
        _axis(8 * n), _spectrum(s, 8 * n))),
    "polynomial_class_fit": (polynomial_class_baseline, {}, lambda s, n: (
        _axis(8 * n), _spectrum(s, 8 * n))),
    "reference_interp1d_cubic": (reference_interp1d_cubic, {}, lambda s, n: (
            np.linspace(400, 700, 5 * n), _pos(s, 5 * n))),
    "reference_interp1d_linear": (reference_interp1d_linear, {}, lambda s, n: (
        np.linspace(370, 730, 5 * n), _pos(s, 5 * n))),
    "instrument_deconvolve": (instrument_deconvolve, {}, lambda s, n: (
            np.convolve(_spectrum(s, 6 * n), INSTRUMENT_KERNEL),)),
    "peak_table_record_array": (peak_table_structured, {}, lambda s, n: (
            np.linspace(1, 9, n), _pos(s, n), _pos(s + 1, n, lo=0.1, hi=0.5))),
    "nmr_real_part_inplace": (nmr_real_baseline_inplace, {}, lambda s, n: (
        np.fft.fft(_fid(s, 8 * n)) + 3.0 + 0.01 * np.arange(8 * n),)),
    "phase_unwrap_polyfit": (phase_unwrap_linear, {}, lambda s, n: (
        np.exp(1j * (0.3 * s + 0.4 * np.arange(8 * n))) * _pos(s, 8 * n),)),
    "mca_plus_equal_repeated": (histogram_plus_equal, {}, lambda s, n: (
        _i(16, 6 * n, seed=s),)),
    "mca_add_at": (mca_add_at, {}, lambda s, n: (_i(16, 6 * n, seed=s),)),
    "uint16_dark_wraparound": (uint16_dark_wraparound, {}, lambda s, n: (
        np.random.default_rng(s).integers(0, 400, (n, 8)).astype(np.uint16),
        np.random.default_rng(s + 1).integers(90, 110, 8).astype(np.uint16))),
    "metric_tensor_math_module": (metric_tensor_math_radians, {}, lambda s, n: (
        5.0 + 0.1 * s, 6.0, 7.0 + n, 80.0 + s, 95.0, 100.0)),
    "mlr_np_matrix": _Xfail(
        "np.asmatrix of a traced array raises ConcretizationError (np.matrix calls np.array on "
        "it); NumPy computes (X'X)^-1 X'y with the matrix class",
        mlr_matrix_class, {}, lambda s, n: (_f(n + 6, 3, seed=s), _f(n + 6, seed=s + 1))),
    "romberg_area": (romberg_area, {}, lambda s, n: (
        gaussian(np.linspace(-3, 3, 2 ** n + 1), 1.0, 0.1 * s, 0.7),)),
    "shift_align_rows": (ndimage_shift_align, {}, lambda s, n: (
        _spectra(s, n, 20), _f(n, seed=s))),
    "fwhm_first_last_above_half": (fwhm_by_threshold, {}, lambda s, n: (
        np.linspace(-3, 3, 10 * n), gaussian(np.linspace(-3, 3, 10 * n), 1, 0.1 * s, 0.6))),
    "cross_correlation_lag": (cross_correlation_shift, {}, lambda s, n: (
        _spectrum(s, 10 * n), np.roll(_spectrum(s, 10 * n), 2))),
}


@pytest.mark.parametrize("name", _names(MORE))
def test_more_forms_match_numpy(name):
    """Sparse and banded ALS variants, Chebyshev and Polynomial-class baselines, interp1d of
    reference spectra, deconvolution by a kernel, record-array peak tables, np.matrix
    regression, complex .real
    writes, phase unwrapping, MCA histograms by `+=` and `add.at`, uint16 wraparound, the
    math module on cell parameters, Romberg, shift alignment and correlation lags: NumPy's
    values."""
    check_like_numpy(*MORE[name])


# ============================================================================ refused forms


def pick_peaks_prominence(x, y):
    # peak picking: positions and prominences of the peaks found
    idx, props = scipy.signal.find_peaks(y, prominence=0.2)
    return x[idx], props["prominences"]


def als_until_converged(y, lam=1e4, p=0.01, tol=1e-3, max_iter=50):
    L = len(y)
    D = np.diff(np.eye(L), 2)
    H = lam * D @ D.T
    w = np.ones(L)
    for _ in range(max_iter):
        z = np.linalg.solve(np.diag(w) + H, w * y)
        w_new = p * (y > z) + (1 - p) * (y < z)
        if np.linalg.norm(w_new - w) / np.linalg.norm(w) < tol:
            break
        w = w_new
    return z


def ppm_region(ppm, spec, lo=1.0, hi=2.0):
    # the points of a chemical-shift region, for plotting
    sel = (ppm > lo) & (ppm < hi)
    return ppm[sel], spec[sel]


def grubbs_remove_outliers(x, alpha=0.05):
    x = x.copy()
    while len(x) > 3:
        n = len(x)
        G = np.max(np.abs(x - x.mean())) / x.std(ddof=1)
        t = scipy.stats.t.ppf(1 - alpha / (2 * n), n - 2)
        if G <= (n - 1) / np.sqrt(n) * np.sqrt(t ** 2 / (n - 2 + t ** 2)):
            break
        x = np.delete(x, np.argmax(np.abs(x - x.mean())))
    return x


def fit_gaussian_curve_fit(x, y):
    from scipy.optimize import curve_fit
    popt, pcov = curve_fit(gaussian, x, y, p0=(1.0, 0.0, 1.0))
    return popt


def derivative_zero_crossings(x, y):
    dy = np.gradient(y, x)
    crossings = np.nonzero(np.diff(np.sign(dy)) < 0)[0]
    return x[crossings]


def unique_nominal_masses(mz):
    return np.unique(np.round(mz))


def n_components_95(X):
    Xc = X - X.mean(axis=0)
    s = np.linalg.svd(Xc, compute_uv=False)
    cum = np.cumsum(s ** 2) / np.sum(s ** 2)
    k = int(np.searchsorted(cum, 0.95)) + 1
    return s[:k]


def polynomial_convert_coefficients(x, y):
    return np.polynomial.Polynomial.fit(x, y, 2).convert().coef


def poly1d_baseline(x, y, deg=2):
    # the most common polynomial baseline of all: poly1d of the fit, evaluated on the axis
    p = np.poly1d(np.polyfit(x, y, deg))
    return y - p(x)


def spline_baseline_traced_knots(x, y):
    tck = scipy.interpolate.splrep(x, y, s=len(x))
    return scipy.interpolate.splev(x, tck)


def local_maxima_argrelmax(y):
    return scipy.signal.argrelmax(y, order=2)[0]


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError
_Unsupported = tracenp.errors.UnsupportedFunctionError

REFUSED = {
    "find_peaks_prominence": (_DataDependent, pick_peaks_prominence, lambda s: (
        np.linspace(0, 1, 60), _spectrum(s, 60))),
    "als_break_on_weight_change": (_Concretization, als_until_converged, lambda s: (
        _spectrum(s, 30),)),
    "ppm_region_boolean_selection": (_DataDependent, ppm_region, lambda s: (
        np.linspace(0, 5 + s, 30), _f(30, seed=s))),
    "grubbs_while_remove": (_Concretization, grubbs_remove_outliers, lambda s: (
        np.r_[_f(8, seed=s) * 0.1, 5.0],)),
    "curve_fit_gaussian": (_Concretization, fit_gaussian_curve_fit, lambda s: (
        np.linspace(-3, 3, 30), gaussian(np.linspace(-3, 3, 30), 1.2, 0.1 * s, 0.8))),
    "derivative_zero_crossings": (_DataDependent, derivative_zero_crossings, lambda s: (
        np.linspace(0, 1, 50), _spectrum(s, 50))),
    "unique_nominal_masses": (_DataDependent, unique_nominal_masses, lambda s: (
        _pos(s, 20, lo=100, hi=110),)),
    "n_components_from_variance": (_DataDependent, n_components_95, lambda s: (
        _nir(s, 8)[0],)),
    "polynomial_convert_trims": (_Unsupported, polynomial_convert_coefficients, lambda s: (
        np.linspace(0, 1, 12), _spectrum(s, 12))),
    "poly1d_of_fit_trims_zeros": (_DataDependent, poly1d_baseline, lambda s: (
        np.linspace(0, 1, 20), _spectrum(s, 20))),
    "splrep_of_traced_spectrum": (_Concretization, spline_baseline_traced_knots, lambda s: (
        np.linspace(0, 1, 25), _spectrum(s, 25))),
    "argrelmax_local_maxima": (_DataDependent, local_maxima_argrelmax, lambda s: (
        _spectrum(s, 40),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_forms_are_refused(name):
    """Peak picking (find_peaks, argrelmax, zero crossings), convergence breaks, boolean ppm
    regions, Grubbs removal loops, curve_fit, np.unique of masses, a component count from the
    explained variance, poly1d's and Polynomial.convert's trimming and splines fitted to traced
    data: the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
