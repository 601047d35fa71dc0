"""Corpus, hunt BY: NumPy's less-common submodules and helpers as application code calls them
(instrument and lab scripts, signal- and image-processing notebooks, simulation and statistics
code, textbook companions).

np.polynomial (an instrument calibration and per-channel detrending by `Polynomial.fit`,
Chebyshev interpolation at first-kind nodes by `chebfit`, Legendre projections by `leggauss`
with unit coefficient vectors, harmonic-oscillator states by `hermval` with `math.factorial`
norms, Gauss-Hermite and Gauss-Laguerre expectations and a tensor-product Gauss-Hermite loop,
`polyvander` with `lstsq`, `chebvander2d` surface fits evaluated by `chebgrid2d`, `legvander3d`,
kinematics by `deriv`/`integ(lbnd=)`, Savitzky-Golay weights by `pinv` of a Vandermonde matrix,
spectral derivatives by `chebder`/`chebint`, 2-D coefficient arrays with `tensor=`, a
Gram-Charlier density by `hermeval`, `lagval`/`lagder`/`lagint`, Clenshaw-Curtis by `chebpts2`,
series with a domain and window and `mapparms`/`linspace`, `polyder`/`polyint` with `scl` and
`k`, `chebinterpolate`, `polyvalfromroots`, weighted fits, `np.polyfit(cov=True)`, float32
Vandermonde matrices and the class methods `cutdeg`, `truncate`, `basis`, `identity`); np.fft
(a one-sided PSD by `rfft`/`rfftfreq`, `rfftn`/`irfftn` convolution, a Fourier-domain Gaussian
blur, radial power by `bincount`, phase correlation with `unravel_index`, spectral derivatives,
the analytic signal for odd and even lengths, cepstra, autocorrelation with power-of-two
padding, an STFT over `sliding_window_view`, Parseval in each `norm=` mode, `hfft`/`ihfft`,
Wiener deconvolution, a periodic 3-D Poisson solve, complex64 spectra of float32 audio, phase
ramps, masked low-passes, `scipy.fft` with `next_fast_len`, `n=` truncating and padding);
np.linalg (a Kalman step by `multi_dot`, Markov chains and integer Fibonacci matrices by
`matrix_power`, Gaussian log-likelihoods by `slogdet` and its named result, an elasticity
tensor by `tensorsolve`, `tensorinv`, a dict of `cond` in five norms with `matrix_rank`,
rank-deficient designs by `pinv`, `cholesky(upper=True)`, QR modes `complete` and `r`, null
spaces by full SVDs, low-rank approximation, `eigvalsh` with `UPLO` reading one triangle,
`vector_norm`/`matrix_norm`, Mahalanobis distances by `solve_triangular`, Procrustes, ZCA
whitening, negative and batched matrix powers, the array API helpers, a ridge path, a float32
pipeline, batched `cond`/`matrix_rank`, Gram-Schmidt against QR, complex Hermitian matrices);
stride tricks (rolling statistics by `as_strided`, stepped max pooling, Hankel matrices and
Takens embeddings, moving medians, rolling z-scores and correlations, a convolution by window
views and `einsum`, zero strides, strided downsampling, local binary patterns, overlapping
blocks); a Generator argument's draws (bootstrap, Metropolis with `np.where`, mixtures by
`choice(p=)`, Dirichlet-multinomial documents, SGD epochs by `permutation`, random
projections, float32 augmentation, Student-t/Cauchy/Laplace noise, von Mises walks, Thompson
sampling, stratified jitter, `multivariate_normal` of a sample covariance, `integers` with
`endpoint=` and dtypes, `permuted`, `shuffle` of an argument, Poisson processes, gamma-Poisson
mixtures, multinomial bootstrap weights); set operations of module constants, `isin` (tuples,
int32, `kind=`), `piecewise` (tax brackets built in a loop of closures, Huber, integer input),
`select` (grades as numbers and letters, float32), `vectorize` (`dict.get`, `math.lgamma`,
a branching function with `otypes`, `signature=`), `apply_along_axis` (robust scaling,
histograms, `polyfit` slopes) and `apply_over_axes`; and index helpers (`unravel_index` of
argmax peaks and flat top-k, `ravel_multi_index` histograms and wrap/clip/Fortran neighbours,
`ndindex` and `ndenumerate` loops, `einsum_path` reused, `optimize=`, `out=` in float32, every
`np.pad` mode into a dict, a callable pad, reflection wider than the array, top-k by
`argpartition` and `take_along_axis`, `put_along_axis` into the caller's array, league tables
by `lexsort`, medians by `partition`, kNN).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and
dtype, and in the arguments it writes in place. Degrees, window lengths, step counts and
sample sizes given as Python ints are made static. Strict xfails record what tracenp gets
wrong: NumPy 2's `s=-1` in `fftn`/`irfftn`, NumPy integers as `fftshift`'s axes and
`sliding_window_view`'s axis, `fft(out=)`, an array of dims in `unravel_index`, a dict
`pad_width`, integer condition arrays in `piecewise`, the scalar `apply_along_axis` gives for
a 1-D operand, an array `size` for a draw, and draws refused for valid traced parameters
(`zipf`, `multivariate_hypergeometric`, `triangular` with a constant mode). The forms whose
Python or shapes depend on values (series roots, `convert()` and arithmetic, which trim by
the values; set operations of traced arrays; `unique` counts; `argwhere`; a Python `if` on a
draw; a branching `vectorize` without `otypes`) and `np.nditer`/`np.frompyfunc` raise a
named error and run eagerly under `fallback=True`.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.polynomial.chebyshev as C
import numpy.polynomial.hermite as H
import numpy.polynomial.hermite_e as HE
import numpy.polynomial.laguerre as L
import numpy.polynomial.legendre as LG
import numpy.polynomial.polynomial as P
import pytest
import scipy.fft
import scipy.linalg
from numpy.lib.stride_tricks import as_strided, sliding_window_view
from numpy.polynomial import Chebyshev, Hermite, Laguerre, Legendre, Polynomial
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_corpus_hunt_v import _names, _Xfail

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _pos(seed, *shape, lo=1.0, hi=10.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _rng(seed):
    return np.random.default_rng(seed)


def _spd(seed, n, shift=1.0):
    a = _f(n, n, seed=seed)
    return a @ a.T / n + shift * np.eye(n)


def _perm(seed, *shape):
    # distinct values, so sorts and partitions have no ties
    size = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(size).reshape(shape).astype(float) * 0.5 - 3


def _xs(seed, n, lo=-1.0, hi=1.0):
    # sorted abscissae with a little jitter, never repeated
    return np.linspace(lo, hi, n) + 0.01 * _u(seed, n) * (hi - lo) / n


# =============================================================================== np.polynomial


def calibration_curve(raw, reference, new_raw, deg=2):
    # an instrument's calibration: a least-squares polynomial through reference readings,
    # applied to new readings, with the residual RMS reported alongside
    cal = Polynomial.fit(raw, reference, deg)
    resid = reference - cal(raw)
    return cal(new_raw), np.sqrt(np.mean(resid ** 2))


def detrend_rows(signals, t, order=1):
    # per-channel polynomial detrending, channel by channel as in EEG preprocessing scripts
    out = np.empty_like(signals)
    for ch in range(signals.shape[0]):
        trend = Polynomial.fit(t, signals[ch], order)
        out[ch] = signals[ch] - trend(t)
    return out


def chebyshev_approx(f_samples_at, a, b, deg=8):
    # approximate on [a, b] by interpolating at Chebyshev points of the first kind
    k = np.arange(deg + 1)
    nodes = np.cos(np.pi * (2 * k + 1) / (2 * (deg + 1)))
    x = 0.5 * (b - a) * nodes + 0.5 * (b + a)
    coef = C.chebfit(nodes, f_samples_at(x), deg)
    t = np.linspace(-1, 1, 21)
    return coef, C.chebval(t, coef)


def legendre_projection(signal_fn_params, n_modes=6, n_quad=16):
    # Legendre coefficients of f(x) = exp(a x) sin(b x) by Gauss-Legendre quadrature
    a, b = signal_fn_params
    xq, wq = LG.leggauss(n_quad)
    fq = np.exp(a * xq) * np.sin(b * xq)
    coefs = np.zeros(n_modes)
    for k in range(n_modes):
        ek = np.zeros(k + 1)
        ek[k] = 1.0
        coefs[k] = (2 * k + 1) / 2 * np.sum(wq * fq * LG.legval(xq, ek))
    return coefs


def harmonic_oscillator_states(x, n_states=5, m=1.0, omega=1.0, hbar=1.0):
    # psi_n(x) with physicists' Hermite polynomials, a unit coefficient vector per state
    xi = np.sqrt(m * omega / hbar) * x
    pref = (m * omega / (np.pi * hbar)) ** 0.25
    psis = []
    for n in range(n_states):
        c = np.zeros(n + 1)
        c[-1] = 1.0
        norm = 1.0 / math.sqrt(2 ** n * math.factorial(n))
        psis.append(pref * norm * H.hermval(xi, c) * np.exp(-xi ** 2 / 2))
    return np.array(psis)


def gauss_hermite_expectation(mu, sigma, deg=20):
    # E[log(1 + exp(X))] for X ~ N(mu, sigma^2), as GP classification code approximates it
    x, w = H.hermgauss(deg)
    z = mu[:, None] + np.sqrt(2.0) * sigma[:, None] * x[None, :]
    return (w[None, :] * np.logaddexp(0.0, z)).sum(axis=1) / np.sqrt(np.pi)


def gauss_laguerre_moments(rate, k_max=4, deg=12):
    # E[X^k] for X ~ Exp(rate) by Gauss-Laguerre on the rescaled integral
    x, w = L.laggauss(deg)
    out = []
    for k in range(k_max + 1):
        out.append(np.sum(w[:, None] * (x[:, None] / rate) ** k, axis=0))
    return np.stack(out)


def poly_design_lstsq(x, y, deg=3):
    # a Vandermonde design matrix and numpy's least squares
    V = P.polyvander(x, deg)
    coef, res, rank, sv = np.linalg.lstsq(V, y, rcond=None)
    return coef, V @ coef, rank, sv


def chebyshev_surface_fit(x, y, z, deg=(3, 2)):
    # a 2-D Chebyshev surface fitted to scattered samples, evaluated on a grid
    V = C.chebvander2d(x, y, deg)
    coef = np.linalg.lstsq(V, z, rcond=None)[0].reshape(deg[0] + 1, deg[1] + 1)
    gx = np.linspace(-1, 1, 5)
    return C.chebgrid2d(gx, gx, coef), C.chebval2d(x, y, coef)


def legendre_3d_basis(pts, deg=(1, 2, 1)):
    V = LG.legvander3d(pts[:, 0], pts[:, 1], pts[:, 2], deg)
    return V, V.T @ V


def kinematics_from_positions(t, pos, deg=3):
    # velocity and acceleration of a tracked particle from a fitted cubic
    p = Polynomial.fit(t, pos, deg)
    v = p.deriv()
    a = p.deriv(2)
    return p(t), v(t), a(t), p.integ(lbnd=t[0])(t[-1])


def savgol_coefficients(window=7, order=2, deriv=0):
    # Savitzky-Golay convolution weights by the pseudo-inverse of a Vandermonde matrix
    half = window // 2
    x = np.arange(-half, half + 1, dtype=float)
    A = P.polyvander(x, order)
    return np.linalg.pinv(A)[deriv] * math.factorial(deriv)


def savgol_smooth(y, window=7, order=2):
    w = savgol_coefficients(window, order)
    half = window // 2
    ypad = np.pad(y, half, mode="reflect")
    return np.convolve(ypad, w[::-1], mode="valid")


def chebyshev_spectral_derivative(f_vals, x_nodes, deg=10):
    # the derivative of a function sampled at nodes, through its Chebyshev series
    c = C.chebfit(x_nodes, f_vals, deg)
    dc = C.chebder(c)
    return C.chebval(x_nodes, dc), C.chebval(x_nodes, C.chebint(c, lbnd=-1))


def polyval_many_series(coefs, x):
    # several series at once: columns of a 2-D coefficient array, tensor and not
    return P.polyval(x, coefs), P.polyval(x, coefs, tensor=True).shape, C.chebval(x, coefs)


def gram_charlier_density(x, skew, exkurt):
    # a Gram-Charlier A series around the standard normal, probabilists' Hermite polynomials
    c = np.array([1.0, 0.0, 0.0, skew / 6.0, exkurt / 24.0])
    phi = np.exp(-x ** 2 / 2) / np.sqrt(2 * np.pi)
    return phi * HE.hermeval(x, c)


def laguerre_radial(r, n=3, alpha_scale=2.0):
    # a hydrogen-like radial profile with an ordinary Laguerre series
    rho = alpha_scale * r
    c = np.zeros(n + 1)
    c[n] = 1.0
    return np.exp(-rho / 2) * L.lagval(rho, c), L.lagder(c), L.lagint(c)


def clenshaw_curtis(f_params, n=8):
    # Clenshaw-Curtis quadrature of exp(p x) on [-1, 1] through Chebyshev coefficients
    x = C.chebpts2(n + 1)
    fx = np.exp(f_params[:, None] * x[None, :])
    coefs = C.chebfit(x, fx.T, n)
    ints = C.chebint(coefs)
    return C.chebval(1.0, ints) - C.chebval(-1.0, ints)


def mapped_series(coef, x):
    # series over a domain and window other than the default, called and differentiated
    p = Legendre(coef, domain=[0.0, 10.0])
    q = Chebyshev(coef, domain=[-2.0, 2.0], window=[-1.0, 1.0])
    off, scl = p.mapparms()
    return p(x), q(x / 5 - 1), p.deriv()(x), np.array([off, scl]), q.linspace(6)[1]


def legacy_polyder_polyint(coef, x):
    return (P.polyval(x, P.polyder(coef, 2, scl=0.5)), P.polyint(coef, m=2, k=[1.0, -1.0]),
            np.polyval(np.polyder(coef[::-1]), x), np.polyint(coef[::-1], 1, k=2.0))


def chebinterpolate_kernel(x, deg=12):
    # a smooth kernel interpolated once at Chebyshev points, then evaluated at traced points
    coef = C.chebinterpolate(lambda t: np.exp(-4 * t ** 2), deg)
    return C.chebval(x, coef), Chebyshev.interpolate(np.tanh, 7)(x)


def residues_from_roots(r, x, R):
    # evaluation from roots (no trimming), as root-locus scripts do; one column of R a series
    return P.polyvalfromroots(x, r), P.polyvalfromroots(x, R, tensor=False)


def weighted_fit(x, y, sigma, deg=2):
    # fit with weights 1/sigma, as the docstring of Polynomial.fit recommends
    p = Polynomial.fit(x, y, deg, w=1.0 / sigma)
    chi2 = np.sum(((y - p(x)) / sigma) ** 2)
    return p.coef, chi2 / (len(x) - deg - 1)


def legendre_fit_curvature(x, y):
    f = Legendre.fit(x, y, 4, domain=[-1, 1])
    return f(x), f.deriv(2)(x), f.coef, f.degree()


def tensor_gauss_hermite_2d(mean, chol, deg=6):
    # E[f(X)] for a bivariate normal by a tensor product of Gauss-Hermite nodes
    x, w = H.hermgauss(deg)
    total = 0.0
    for i in range(deg):
        for j in range(deg):
            z = np.array([x[i], x[j]]) * np.sqrt(2.0)
            pt = mean + chol @ z
            total = total + w[i] * w[j] * np.sin(pt[0]) * np.cos(pt[1])
    return total / np.pi


def polyfit_with_cov(x, y, deg=2):
    p, cov = np.polyfit(x, y, deg, cov=True)
    return p, np.sqrt(np.diag(cov)), np.polyval(p, x)


def hermite_basis_float32(x, deg=4):
    V = H.hermvander(x, deg)
    Ve = HE.hermevander(x, deg)
    return V, Ve, LG.legvander(x, deg).dtype


def chebyshev_class_ops(c, x):
    ch = Chebyshev(c)
    return (ch(x), ch.deriv(2)(x), ch.integ(m=1, k=[0.5])(x), ch.cutdeg(2)(x),
            ch.truncate(3).coef, ch.basis(3)(x), Chebyshev.identity()(x))


def hermite_function_series(coef, x):
    # a Hermite-function expansion evaluated through hermval with a weight
    return H.hermval(x, coef) * np.exp(-x ** 2 / 2), H.hermder(coef), H.hermint(coef, m=2)


def legendre_multipole(cos_theta, moments):
    # an axisymmetric multipole expansion: sum_l M_l P_l(cos theta)
    return LG.legval(cos_theta, moments), LG.legder(moments, axis=0)


def polynomial_features_vander(X, deg=3):
    # per-feature polynomial expansions concatenated, as hand-rolled feature pipelines do
    cols = [P.polyvander(X[:, j], deg)[:, 1:] for j in range(X.shape[1])]
    return np.hstack(cols)


def laguerre_class_eval(c, x):
    return Laguerre(c)(x), Hermite(c)(x / 2), Laguerre(c).deriv()(x)


POLYNOMIAL = {
    "calibration_polynomial_fit": (calibration_curve, {"deg": 2}, lambda s, n: (
        np.linspace(0.1, 5, n + 6), 2.0 + 0.5 * np.linspace(0.1, 5, n + 6) ** 2
        + 0.05 * _f(n + 6, seed=s), _pos(s, n, lo=0.5, hi=4.5))),
    "detrend_rows_fit_loop": (detrend_rows, {"order": 1}, lambda s, n: (
        _f(3, n + 8, seed=s) + np.linspace(0, 2, n + 8), np.linspace(0, 1, n + 8))),
    "chebyshev_approx_nodes": (chebyshev_approx, {"deg": 8}, lambda s, n: (
        np.exp, -1.0 - 0.1 * s, 1.5 + 0.1 * n)),
    "legendre_projection_gauss": (legendre_projection, {"n_modes": 6}, lambda s, n: (
        (0.3 * s, 1.0 + 0.2 * n),)),
    "harmonic_oscillator_hermval": (harmonic_oscillator_states, {"n_states": 5}, lambda s, n: (
        np.linspace(-3, 3, n + 5) + 0.1 * s,)),
    "gauss_hermite_softplus_expectation": (gauss_hermite_expectation, {}, lambda s, n: (
        _f(n, seed=s), _pos(s, n, lo=0.2, hi=2.0))),
    "gauss_laguerre_moments": (gauss_laguerre_moments, {"k_max": 4}, lambda s, n: (
        _pos(s, n, lo=0.5, hi=3.0),)),
    "polyvander_lstsq": (poly_design_lstsq, {"deg": 3}, lambda s, n: (
        _xs(s, n + 6), _f(n + 6, seed=s))),
    "chebvander2d_surface": (chebyshev_surface_fit, {"deg": (3, 2)}, lambda s, n: (
        _u(s, 4 * n) * 2 - 1, _u(s + 1, 4 * n) * 2 - 1, _f(4 * n, seed=s))),
    "legvander3d_gram": (legendre_3d_basis, {}, lambda s, n: (_u(s, n + 3, 3) * 2 - 1,)),
    "kinematics_fit_deriv_integ": (kinematics_from_positions, {"deg": 3}, lambda s, n: (
        np.linspace(0, 2, n + 6), 0.3 * np.linspace(0, 2, n + 6) ** 3 + _f(n + 6, seed=s) * .1)),
    "savgol_pinv_vander": (savgol_smooth, {"window": 5, "order": 2}, lambda s, n: (
        _f(n + 6, seed=s),)),
    "chebyshev_spectral_derivative": (chebyshev_spectral_derivative, {"deg": 8}, lambda s, n: (
        np.sin(3 * np.cos(np.pi * np.arange(12) / 11) + 0.1 * s),
        np.cos(np.pi * np.arange(12) / 11))),
    "polyval_2d_coefficients": (polyval_many_series, {}, lambda s, n: (
        _f(4, n, seed=s), _f(n, seed=s + 1))),
    "gram_charlier_hermeval": (gram_charlier_density, {}, lambda s, n: (
        np.linspace(-4, 4, n + 7), 0.3 * s, -0.2 + 0.1 * n)),
    "laguerre_radial_lagval": (laguerre_radial, {"n": 3}, lambda s, n: (
        _pos(s, n + 2, lo=0.0, hi=6.0),)),
    "clenshaw_curtis_chebint": (clenshaw_curtis, {"n": 8}, lambda s, n: (
        _f(n, seed=s),)),
    "legendre_domain_window_mapparms": (mapped_series, {}, lambda s, n: (
        _f(5, seed=s), _pos(s, n, lo=0.0, hi=10.0))),
    "polyder_polyint_scl_k": (legacy_polyder_polyint, {}, lambda s, n: (
        _f(5, seed=s), _f(n, seed=s + 1))),
    "chebinterpolate_static_kernel": (chebinterpolate_kernel, {"deg": 12}, lambda s, n: (
        _u(s, n) * 2 - 1,)),
    "polyvalfromroots_tensor": (residues_from_roots, {}, lambda s, n: (
        _f(3, seed=s), _f(n, seed=s + 1), _f(3, n, seed=s + 2))),
    "weighted_fit_reduced_chi2": (weighted_fit, {"deg": 2}, lambda s, n: (
        np.linspace(0, 3, n + 6), np.linspace(0, 3, n + 6) ** 2 + _f(n + 6, seed=s) * 0.2,
        _pos(s, n + 6, lo=0.1, hi=0.3))),
    "legendre_fit_curvature": (legendre_fit_curvature, {}, lambda s, n: (
        _xs(s, n + 7), _f(n + 7, seed=s))),
    "tensor_gauss_hermite_loops": (tensor_gauss_hermite_2d, {"deg": 5}, lambda s, n: (
        _f(2, seed=s), np.linalg.cholesky(_spd(s, 2)))),
    "np_polyfit_cov": (polyfit_with_cov, {"deg": 2}, lambda s, n: (
        np.linspace(0, 1, n + 6), _f(n + 6, seed=s))),
    "hermvander_float32": (hermite_basis_float32, {"deg": 4}, lambda s, n: (
        _f(n, seed=s).astype(np.float32),)),
    "chebyshev_class_methods": (chebyshev_class_ops, {}, lambda s, n: (
        _f(5, seed=s), _u(s, n) * 2 - 1)),
    "hermite_function_series": (hermite_function_series, {}, lambda s, n: (
        _f(n, seed=s), np.linspace(-2, 2, 7))),
    "legendre_multipole_2d_moments": (legendre_multipole, {}, lambda s, n: (
        np.cos(_u(s, n) * np.pi), _f(4, 2, seed=s))),
    "polynomial_features_hstack": (polynomial_features_vander, {"deg": 3}, lambda s, n: (
        _f(n, 3, seed=s),)),
    "laguerre_hermite_classes": (laguerre_class_eval, {}, lambda s, n: (
        _f(4, seed=s), _u(s, n) * 3)),
}


@pytest.mark.parametrize("name", _names(POLYNOMIAL))
def test_polynomial_package_matches_numpy(name):
    """Fits, Vandermonde matrices, quadratures, series classes and their calculus."""
    check_like_numpy(*POLYNOMIAL[name])


# ======================================================================================= np.fft


def power_spectral_density(x, fs):
    # one-sided PSD by rfft with the usual doubling of the interior bins
    n = x.shape[-1]
    X = np.fft.rfft(x * np.hanning(n), axis=-1)
    win_power = np.sum(np.hanning(n) ** 2)
    psd = np.abs(X) ** 2 / (fs * win_power)
    psd[..., 1:-1] *= 2
    freqs = np.fft.rfftfreq(n, d=1.0 / fs)
    return freqs, psd, freqs[np.argmax(psd, axis=-1)]


def fft_convolve_nd(a, k):
    # linear convolution by zero-padded rfftn/irfftn, cropped to 'same'
    s = [sa + sk - 1 for sa, sk in zip(a.shape, k.shape)]
    axes = tuple(range(a.ndim))
    full = np.fft.irfftn(np.fft.rfftn(a, s, axes) * np.fft.rfftn(k, s, axes), s, axes)
    start = [(sk - 1) // 2 for sk in k.shape]
    sl = tuple(slice(st, st + sa) for st, sa in zip(start, a.shape))
    return full[sl]


def gaussian_blur_fourier(img, sigma):
    # a Gaussian low-pass applied in the frequency domain with fftfreq grids
    ky = np.fft.fftfreq(img.shape[0])
    kx = np.fft.rfftfreq(img.shape[1])
    KY, KX = np.meshgrid(ky, kx, indexing="ij")
    G = np.exp(-2 * (np.pi * sigma) ** 2 * (KX ** 2 + KY ** 2))
    return np.fft.irfft2(np.fft.rfft2(img) * G, s=img.shape)


def radial_power_profile(img, n_bins=6):
    # azimuthally averaged power spectrum from the centred 2-D spectrum
    F = np.fft.fftshift(np.fft.fft2(img, norm="ortho"))
    power = np.abs(F) ** 2
    ny, nx = img.shape
    y, x = np.indices((ny, nx))
    r = np.hypot(x - nx // 2, y - ny // 2)
    rbin = np.minimum((r / r.max() * n_bins).astype(int), n_bins - 1)
    sums = np.bincount(rbin.ravel(), weights=power.ravel(), minlength=n_bins)
    counts = np.bincount(rbin.ravel(), minlength=n_bins)
    return sums / np.maximum(counts, 1)


def phase_correlation(a, b):
    # image registration: the peak of the normalised cross-power spectrum
    Fa = np.fft.fft2(a)
    Fb = np.fft.fft2(b)
    R = Fa * np.conj(Fb)
    R /= np.abs(R) + 1e-12
    r = np.fft.ifft2(R).real
    peak = np.unravel_index(np.argmax(r), r.shape)
    shifts = np.array(peak)
    dims = np.array(a.shape)
    shifts = np.where(shifts > dims // 2, shifts - dims, shifts)
    return shifts, r.max()


def spectral_derivative(u, L_box, order=1):
    # d^k u/dx^k of a periodic sample by multiplying by (i k)^order
    n = u.shape[-1]
    k = 2 * np.pi * np.fft.fftfreq(n, d=L_box / n)
    return np.real(np.fft.ifft((1j * k) ** order * np.fft.fft(u)))


def analytic_signal(x):
    # scipy.signal.hilbert written out: zero the negative frequencies, double the positive
    n = x.shape[-1]
    Xf = np.fft.fft(x, n, axis=-1)
    h = np.zeros(n)
    if n % 2 == 0:
        h[0] = h[n // 2] = 1
        h[1:n // 2] = 2
    else:
        h[0] = 1
        h[1:(n + 1) // 2] = 2
    z = np.fft.ifft(Xf * h, axis=-1)
    return np.abs(z), np.unwrap(np.angle(z))


def real_cepstrum(x):
    spectrum = np.fft.rfft(x)
    log_mag = np.log(np.abs(spectrum) + 1e-10)
    return np.fft.irfft(log_mag, n=x.shape[-1])


def autocorrelation_fft(x):
    # unbiased autocorrelation through a power-of-two zero-padded FFT
    n = len(x)
    x = x - x.mean()
    nfft = 1 << (2 * n - 1).bit_length()
    f = np.fft.rfft(x, n=nfft)
    acf = np.fft.irfft(f * np.conjugate(f), n=nfft)[:n]
    acf /= n - np.arange(n)
    return acf / acf[0]


def stft_magnitude(x, frame=8, hop=4):
    frames = sliding_window_view(x, frame)[::hop]
    spec = np.fft.rfft(frames * np.hamming(frame), axis=-1)
    return 20 * np.log10(np.abs(spec) + 1e-9)


def parseval_norm_modes(x):
    # the three normalisations checked against Parseval's theorem
    e_time = np.sum(np.abs(x) ** 2, axis=-1)
    e_back = np.sum(np.abs(np.fft.fft(x, norm="backward")) ** 2, axis=-1) / x.shape[-1]
    e_ortho = np.sum(np.abs(np.fft.fft(x, norm="ortho")) ** 2, axis=-1)
    e_fwd = np.sum(np.abs(np.fft.fft(x, norm="forward")) ** 2, axis=-1) * x.shape[-1]
    return e_time, e_back, e_ortho, e_fwd, np.fft.ifft(np.fft.fft(x, norm="forward"),
                                                       norm="forward")


def hermitian_spectrum(half_spec, n_out=None):
    # hfft of a Hermitian-symmetric half spectrum (a real, even signal) and back with ihfft
    sig = np.fft.hfft(half_spec, n=n_out)
    back = np.fft.ihfft(sig)
    return sig, back, np.fft.hfft(half_spec, norm="ortho")


def centered_kernel_ifftshift(k_centered, img):
    # a centred PSF moved to the origin before the transform, as deconvolution code does
    pad = np.zeros_like(img)
    kh, kw = k_centered.shape
    pad[:kh, :kw] = k_centered
    pad = np.roll(pad, (-(kh // 2), -(kw // 2)), axis=(0, 1))
    otf = np.fft.fft2(pad)
    blurred = np.real(np.fft.ifft2(np.fft.fft2(img) * otf))
    wiener = np.conj(otf) / (np.abs(otf) ** 2 + 0.01)
    return blurred, np.real(np.fft.ifft2(np.fft.fft2(blurred) * wiener)), np.fft.ifftshift(
        np.fft.fftshift(img))


def poisson_periodic_3d(rho, L_box=1.0):
    # the periodic Poisson equation in 3-D by rfftn with the k = 0 mode removed
    n0, n1, n2 = rho.shape
    kx = 2 * np.pi * np.fft.fftfreq(n0, L_box / n0)
    ky = 2 * np.pi * np.fft.fftfreq(n1, L_box / n1)
    kz = 2 * np.pi * np.fft.rfftfreq(n2, L_box / n2)
    K2 = kx[:, None, None] ** 2 + ky[None, :, None] ** 2 + kz[None, None, :] ** 2
    K2[0, 0, 0] = 1.0
    phi_k = -np.fft.rfftn(rho) / K2
    phi_k[0, 0, 0] = 0.0
    return np.fft.irfftn(phi_k, s=rho.shape, axes=(0, 1, 2))


def fft_float32_signal(x):
    # float32 audio through rfft: NumPy 2 keeps complex64
    X = np.fft.rfft(x)
    mag = np.abs(X)
    return X, mag, np.fft.irfft(X, n=x.shape[-1]), np.fft.fftfreq(8, d=np.float32(0.5))


def fractional_shift(x, delay):
    # a sub-sample delay by a linear phase ramp
    n = x.shape[-1]
    k = np.fft.fftfreq(n)
    return np.fft.ifft(np.fft.fft(x) * np.exp(-2j * np.pi * k * delay)).real


def lowpass_rfftfreq_mask(x, fs, cutoff):
    f = np.fft.rfftfreq(x.shape[-1], 1 / fs)
    X = np.fft.rfft(x, axis=-1)
    X[..., f > cutoff] = 0
    return np.fft.irfft(X, n=x.shape[-1], axis=-1)


def scipy_fft_spectrum(x):
    # scipy.fft mixed with np.fft: the same transforms, scipy's workers= and next_fast_len
    nfast = scipy.fft.next_fast_len(x.shape[-1] + 3)
    Xs = scipy.fft.rfft(x, n=nfast, workers=1)
    return np.abs(Xs), scipy.fft.fftshift(scipy.fft.fftfreq(nfast)), scipy.fft.irfft(Xs, nfast)


def fft_axes_shift_columns(X):
    # per-column spectra of a (time, channel) array, centred along the frequency axis only
    F = np.fft.fft(X, axis=0)
    return np.fft.fftshift(F, axes=0), np.fft.fftshift(np.fft.fftfreq(X.shape[0])), np.fft.ifftn(
        F, axes=(0,)).real


def fft_truncated_n(x):
    # n shorter than the signal truncates, longer zero-pads; fft2 with s mixing both
    return np.fft.fft(x, n=4), np.fft.fft(x, n=12), np.fft.fft2(x.reshape(2, -1), s=(3, 2))


def fft_into_out_buffer(x):
    # NumPy 2's out= on the transforms, filling a preallocated complex buffer
    buf = np.empty(x.shape, dtype=np.complex128)
    np.fft.fft(x, out=buf)
    return buf


def pad_last_axis_only(x, nfft=16):
    # NumPy 2's s[i] = -1: keep that axis whole, zero-pad only the last one
    return np.fft.fftn(x, s=(-1, nfft), axes=(0, 1)), np.fft.irfftn(
        np.fft.rfftn(x, axes=(0, 1)), s=(-1, x.shape[1]), axes=(0, 1))


def spectrum_along_longest_axis(x):
    # the time axis taken as the longest one: np.argmax of the shape, a NumPy integer
    ax = np.argmax(x.shape)
    F = np.fft.fft(x, axis=ax)
    return np.fft.fftshift(np.abs(F), axes=ax), np.fft.ifftshift(F, axes=ax)


def chirp_z_like_zoom(x, f0, f1, m=8):
    # a zoomed DFT over [f0, f1) by an explicit Fourier matrix, compared with the FFT bins
    n = x.shape[-1]
    f = f0 + (f1 - f0) * np.arange(m) / m
    W = np.exp(-2j * np.pi * np.outer(f, np.arange(n)))
    return W @ x, np.fft.fft(x)[: m // 2]


FFT = {
    "psd_rfft_hanning": (power_spectral_density, {}, lambda s, n: (
        _f(3, 4 * n, seed=s), 100.0)),
    "fft_convolve_rfftn_same": (fft_convolve_nd, {}, lambda s, n: (
        _f(n + 2, 6, seed=s), _f(3, 3, seed=s + 1))),
    "gaussian_blur_rfft2_meshgrid": (gaussian_blur_fourier, {}, lambda s, n: (
        _f(n + 2, 7, seed=s), 1.0 + 0.2 * s)),
    "radial_power_bincount": (radial_power_profile, {"n_bins": 6}, lambda s, n: (
        _f(2 * n, 8, seed=s),)),
    "phase_correlation_unravel": (phase_correlation, {}, lambda s, n: (
        _f(2 * n, 8, seed=s), np.roll(_f(2 * n, 8, seed=s), (1, s), axis=(0, 1)))),
    "spectral_derivative_order": (spectral_derivative, {"order": 2}, lambda s, n: (
        np.sin(np.linspace(0, 2 * np.pi, 4 * n, endpoint=False) * s), 2 * np.pi)),
    "analytic_signal_hilbert_odd": (analytic_signal, {}, lambda s, n: (
        np.cos(np.linspace(0, 6, 2 * n + 1)) + 0.1 * _f(2 * n + 1, seed=s),)),
    "analytic_signal_hilbert_even": (analytic_signal, {}, lambda s, n: (
        np.cos(np.linspace(0, 6, 2 * n)) + 0.1 * _f(3, 2 * n, seed=s),)),
    "real_cepstrum": (real_cepstrum, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "autocorrelation_pow2": (autocorrelation_fft, {}, lambda s, n: (_f(2 * n + 1, seed=s),)),
    "stft_swv_rfft": (stft_magnitude, {"frame": 8, "hop": 4}, lambda s, n: (
        _f(8 * n, seed=s),)),
    "parseval_norm_modes": (parseval_norm_modes, {}, lambda s, n: (
        _f(2, n + 3, seed=s) + 1j * _f(2, n + 3, seed=s + 1),)),
    "hfft_ihfft_roundtrip": (hermitian_spectrum, {}, lambda s, n: (
        _f(n, seed=s) + 1j * np.r_[0.0, _f(n - 1, seed=s + 1)],)),
    "hfft_odd_n": (hermitian_spectrum, {"n_out": 9}, lambda s, n: (
        _f(5, seed=s) + 1j * _f(5, seed=s + 1) * (n / 4),)),
    "wiener_deconvolution_otf": (centered_kernel_ifftshift, {}, lambda s, n: (
        np.outer(np.hanning(3), np.hanning(3)) / 2.25, _f(n + 3, 7, seed=s))),
    "poisson_periodic_rfftn": (poisson_periodic_3d, {}, lambda s, n: (
        _f(n, 4, 6, seed=s),)),
    "rfft_float32_complex64": (fft_float32_signal, {}, lambda s, n: (
        _f(2, 2 * n, seed=s).astype(np.float32),)),
    "fractional_delay_phase_ramp": (fractional_shift, {}, lambda s, n: (
        _f(3, 2 * n, seed=s), 0.3 * s)),
    "lowpass_rfftfreq_mask": (lowpass_rfftfreq_mask, {}, lambda s, n: (
        _f(2, 4 * n, seed=s), 100.0, 20.0)),
    "scipy_fft_next_fast_len": (scipy_fft_spectrum, {}, lambda s, n: (_f(2, 2 * n, seed=s),)),
    "fft_axis0_fftshift_axes": (fft_axes_shift_columns, {}, lambda s, n: (
        _f(n + 1, 3, seed=s),)),
    "fft_n_truncate_and_pad": (fft_truncated_n, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "fft_out_buffer": _Xfail(
        "np.fft.fft(x, out=buf) raises UnsupportedFunctionError ('np.fft.fftn with out='); "
        "NumPy writes the transform into buf", fft_into_out_buffer, {}, lambda s, n: (
            _f(n, seed=s),)),
    "fftn_s_minus_one_keeps_axis": _Xfail(
        "np.fft.fftn/irfftn with s=(-1, n) raise ValueError ('Invalid number of FFT data "
        "points (-1)'); NumPy 2 keeps that axis whole", pad_last_axis_only, {"nfft": 16},
        lambda s, n: (_f(n, 6, seed=s),)),
    "fftshift_axes_numpy_int": _Xfail(
        "np.fft.fftshift(x, axes=np.int64(1)) raises TypeError ('numpy.int64' object is not "
        "iterable); NumPy takes a NumPy integer as one axis", spectrum_along_longest_axis, {},
        lambda s, n: (_f(3, n + 4, seed=s),)),
    "zoom_dft_fourier_matrix": (chirp_z_like_zoom, {"m": 8}, lambda s, n: (
        _f(2 * n + 4, seed=s), 0.05, 0.25)),
}


@pytest.mark.parametrize("name", _names(FFT))
def test_fft_forms_match_numpy(name):
    """Spectra, convolutions, filters and transforms in each norm mode."""
    check_like_numpy(*FFT[name])


# ==================================================================================== np.linalg


def kalman_predict_update(x, P_cov, F, Hm, Q, R, z):
    # one predict/update step with multi_dot for the sandwiches, as filterpy-style code writes
    x_pred = F @ x
    P_pred = np.linalg.multi_dot([F, P_cov, F.T]) + Q
    S = np.linalg.multi_dot([Hm, P_pred, Hm.T]) + R
    K = np.linalg.multi_dot([P_pred, Hm.T, np.linalg.inv(S)])
    x_new = x_pred + K @ (z - Hm @ x_pred)
    I_KH = np.eye(len(x)) - K @ Hm
    P_new = np.linalg.multi_dot([I_KH, P_pred, I_KH.T]) + np.linalg.multi_dot([K, R, K.T])
    return x_new, P_new


def markov_n_step(T, p0, steps=8):
    # n-step transition probabilities and the distribution after `steps` steps
    T = T / T.sum(axis=1, keepdims=True)
    Tn = np.linalg.matrix_power(T, steps)
    return Tn, p0 @ Tn, np.linalg.matrix_power(T, 0)


def fibonacci_matrix_power(k_values):
    # F(k) for several k from powers of the integer Q-matrix, in int64
    Q = np.array([[1, 1], [1, 0]], dtype=np.int64)
    out = np.zeros(len(k_values), dtype=np.int64)
    for i, k in enumerate(k_values):
        out[i] = np.linalg.matrix_power(Q, k)[0, 1]
    return out


def mvn_loglik_slogdet(X, mean, cov):
    # the Gaussian log-likelihood with slogdet and solve, as GMM code writes it
    d = X.shape[1]
    sign, logdet = np.linalg.slogdet(cov)
    diff = X - mean
    maha = np.sum(diff * np.linalg.solve(cov, diff.T).T, axis=1)
    return -0.5 * (d * np.log(2 * np.pi) + logdet + maha), sign


def batched_gaussian_logdets(covs):
    res = np.linalg.slogdet(covs)
    return res.sign, res.logabsdet, np.linalg.det(covs)


def elasticity_tensorsolve(C4, eps):
    # sigma_ij = C_ijkl eps_kl, inverted for the strain from the stress with tensorsolve
    sigma = np.einsum("ijkl,kl->ij", C4, eps)
    eps_back = np.linalg.tensorsolve(C4, sigma)
    return sigma, eps_back


def tensorinv_operator(A4):
    # the inverse of a linear map on (3, 2) arrays stored as a (3, 2, 3, 2) tensor
    Ainv = np.linalg.tensorinv(A4, ind=2)
    ident = np.tensordot(Ainv, A4, axes=2)
    return Ainv, ident


def condition_report(A):
    # a solver's diagnostics: condition numbers in several norms and the numerical rank
    return {
        "cond2": np.linalg.cond(A),
        "cond_fro": np.linalg.cond(A, "fro"),
        "cond1": np.linalg.cond(A, 1),
        "cond_inf": np.linalg.cond(A, np.inf),
        "cond_m2": np.linalg.cond(A, -2),
        "rank": np.linalg.matrix_rank(A),
    }


def design_rank_deficient(X):
    # a design with a duplicated (scaled) column and an intercept: its rank and pinv solution
    Xd = np.column_stack([np.ones(len(X)), X, 2.0 * X[:, 0]])
    beta = np.linalg.pinv(Xd) @ X[:, -1]
    return np.linalg.matrix_rank(Xd), np.linalg.matrix_rank(Xd, tol=1e-8), beta


def correlated_samples_cholesky(z, cov, mean):
    # x = mean + L z for standard normal draws z given as an argument
    Lc = np.linalg.cholesky(cov)
    Uc = np.linalg.cholesky(cov, upper=True)
    return mean + z @ Lc.T, np.allclose(Lc.T, Uc)


def qr_modes_orthogonal_complement(A):
    # the complete Q's trailing columns span the orthogonal complement of A's columns
    Qc, Rc = np.linalg.qr(A, mode="complete")
    Rr = np.linalg.qr(A, mode="r")
    Q, R = np.linalg.qr(A)
    comp = Qc[:, A.shape[1]:]
    return np.abs(A.T @ comp), Qc.shape, np.abs(Rr), np.abs(np.diag(R)), comp @ comp.T


def svd_null_space(A):
    # null space from the full SVD: the rows of Vh beyond the rank (rank known: A is wide)
    U, s, Vh = np.linalg.svd(A, full_matrices=True)
    rank = A.shape[0]
    N = Vh[rank:].T
    return np.abs(A @ N), s, N @ N.T, U.shape


def svd_economy_low_rank(A, k=2):
    U, s, Vh = np.linalg.svd(A, full_matrices=False)
    Ak = (U[:, :k] * s[:k]) @ Vh[:k]
    return Ak, np.linalg.norm(A - Ak, "fro"), np.sqrt(np.sum(s[k:] ** 2))


def eigvalsh_uplo_triangle(S):
    # a symmetric matrix stored in one triangle only (the other half garbage), as LAPACK does
    upper = np.triu(S) + np.tril(np.full_like(S, 99.0), -1)
    lower = np.tril(S) + np.triu(np.full_like(S, -99.0), 1)
    return (np.linalg.eigvalsh(upper, UPLO="U"), np.linalg.eigvalsh(lower, UPLO="L"),
            np.linalg.eigvalsh(S))


def array_api_norms(X, v):
    return (np.linalg.vector_norm(v), np.linalg.vector_norm(v, ord=1),
            np.linalg.vector_norm(v, ord=np.inf), np.linalg.vector_norm(X, axis=1, ord=3),
            np.linalg.vector_norm(X, axis=(0, 1)), np.linalg.vector_norm(X, keepdims=True),
            np.linalg.matrix_norm(X), np.linalg.matrix_norm(X, ord="nuc"),
            np.linalg.matrix_norm(X, ord=2), np.linalg.matrix_norm(X, ord=-np.inf),
            np.linalg.matrix_norm(X, keepdims=True))


def mahalanobis_cholesky(X, mean, cov):
    # Mahalanobis distances by a Cholesky factor and a triangular solve
    Lc = np.linalg.cholesky(cov)
    y = scipy.linalg.solve_triangular(Lc, (X - mean).T, lower=True)
    return np.sqrt(np.sum(y ** 2, axis=0)), 2 * np.sum(np.log(np.diag(Lc)))


def procrustes_rotation(A, B):
    # the orthogonal Procrustes rotation from the SVD of B^T A
    U, _, Vt = np.linalg.svd(B.T @ A)
    R = U @ Vt
    return np.abs(np.linalg.det(R)), np.linalg.norm(A @ R.T - B) <= np.linalg.norm(A - B) + 1e-9


def zca_whitening(X, eps=1e-5):
    Xc = X - X.mean(axis=0)
    cov = Xc.T @ Xc / len(X)
    w, V = np.linalg.eigh(cov)
    W = V @ np.diag(1.0 / np.sqrt(w + eps)) @ V.T
    return Xc @ W, w


def matrix_power_negative(A):
    # A^-2 by matrix_power against the inverse squared
    return np.linalg.matrix_power(A, -2), np.linalg.inv(A @ A), np.linalg.matrix_power(A, 1)


def batched_matrix_power(stack):
    return np.linalg.matrix_power(stack, 3), np.linalg.matrix_power(stack.astype(np.float32), 2)


def array_api_linalg_helpers(A, B, a, b):
    return (np.linalg.cross(a, b), np.linalg.outer(a, b), np.linalg.diagonal(A, offset=1),
            np.linalg.trace(A, offset=-1), np.linalg.matmul(A, B), np.linalg.vecdot(A, B),
            np.linalg.matrix_transpose(A), np.linalg.svdvals(A), np.linalg.tensordot(A, B, axes=2))


def pinv_ridge_path(X, y, lambdas):
    # the ridge solution for several penalties by the SVD, against pinv at lambda -> 0
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    Uty = U.T @ y
    coefs = []
    for lam in lambdas:
        d = s / (s ** 2 + lam)
        coefs.append(Vt.T @ (d * Uty))
    return np.array(coefs), np.linalg.pinv(X) @ y


def float32_linalg_pipeline(A, b):
    # a float32 pipeline: NumPy keeps float32 through inv, solve, cholesky, eigvalsh, svd
    S = A @ A.T + np.eye(len(A), dtype=np.float32)
    return (np.linalg.solve(S, b), np.linalg.cholesky(S), np.linalg.eigvalsh(S),
            np.linalg.svd(S, compute_uv=False), np.linalg.slogdet(S), np.linalg.norm(S))


def lstsq_multiple_rhs(A, Y):
    coef, res, rank, sv = np.linalg.lstsq(A, Y, rcond=None)
    return coef, res, rank, sv


def cond_batch_and_rank_stack(stack):
    return np.linalg.cond(stack), np.linalg.matrix_rank(stack), np.linalg.matrix_rank(
        stack[:, :, :2] @ stack[:, :2, :])


def gram_schmidt_vs_qr(A):
    # classical Gram-Schmidt written with a loop, checked against numpy's QR (up to signs)
    n = A.shape[1]
    Q = np.zeros_like(A)
    for j in range(n):
        v = A[:, j].copy()
        for i in range(j):
            v -= np.dot(Q[:, i], A[:, j]) * Q[:, i]
        Q[:, j] = v / np.linalg.norm(v)
    Qn, _ = np.linalg.qr(A)
    return np.abs(Q), np.abs(Qn)


def complex_hermitian_linalg(Z):
    Hm = Z @ Z.conj().T + np.eye(len(Z))
    return (np.linalg.eigvalsh(Hm), np.linalg.cholesky(Hm), np.linalg.slogdet(Hm),
            np.linalg.inv(Hm), np.linalg.norm(Hm, "nuc"))


LINALG = {
    "kalman_multi_dot": (kalman_predict_update, {}, lambda s, n: (
        _f(n, seed=s), _spd(s, n), np.eye(n) + 0.1 * _f(n, n, seed=s + 1),
        _f(2, n, seed=s + 2), 0.01 * np.eye(n), 0.1 * np.eye(2), _f(2, seed=s + 3))),
    "markov_matrix_power": (markov_n_step, {"steps": 8}, lambda s, n: (
        _pos(s, n, n), _u(s + 1, n) / _u(s + 1, n).sum())),
    "fibonacci_int_matrix_power": (fibonacci_matrix_power, {"k_values": (1, 5, 10, 30)},
                                   lambda s, n: ()),
    "mvn_loglik_slogdet": (mvn_loglik_slogdet, {}, lambda s, n: (
        _f(n + 2, 3, seed=s), _f(3, seed=s + 1), _spd(s, 3))),
    "batched_slogdet_named": (batched_gaussian_logdets, {}, lambda s, n: (
        np.stack([_spd(s + i, 3) for i in range(n)]) - 0.3 * np.eye(3),)),
    "elasticity_tensorsolve": (elasticity_tensorsolve, {}, lambda s, n: (
        (_spd(s, 9, shift=2.0)).reshape(3, 3, 3, 3), _f(3, 3, seed=s + n))),
    "tensorinv_ind2": (tensorinv_operator, {}, lambda s, n: (
        (_spd(s + n, 6, shift=1.5)).reshape(3, 2, 3, 2),)),
    "condition_report_dict": (condition_report, {}, lambda s, n: (
        _f(n, n, seed=s) + 3 * np.eye(n),)),
    "rank_deficient_design_pinv": (design_rank_deficient, {}, lambda s, n: (
        _f(n + 4, 3, seed=s),)),
    "cholesky_lower_upper_samples": (correlated_samples_cholesky, {}, lambda s, n: (
        _f(n, 3, seed=s), _spd(s, 3), _f(3, seed=s + 1))),
    "qr_complete_r_modes": (qr_modes_orthogonal_complement, {}, lambda s, n: (
        _f(n + 2, 3, seed=s),)),
    "svd_full_matrices_null_space": (svd_null_space, {}, lambda s, n: (
        _f(2, n + 2, seed=s),)),
    "svd_economy_low_rank": (svd_economy_low_rank, {"k": 2}, lambda s, n: (
        _f(n + 1, 4, seed=s),)),
    "eigvalsh_uplo_garbage_triangle": (eigvalsh_uplo_triangle, {}, lambda s, n: (
        _spd(s, n),)),
    "vector_matrix_norm_api": (array_api_norms, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, seed=s + 1))),
    "mahalanobis_solve_triangular": (mahalanobis_cholesky, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, seed=s + 1), _spd(s, 3))),
    "procrustes_svd": (procrustes_rotation, {}, lambda s, n: (
        _f(n + 2, 3, seed=s), _f(n + 2, 3, seed=s + 1))),
    "zca_whitening_eigh": (zca_whitening, {}, lambda s, n: (_f(3 * n, 3, seed=s),)),
    "matrix_power_negative": (matrix_power_negative, {}, lambda s, n: (
        _f(n, n, seed=s) + 3 * np.eye(n),)),
    "batched_matrix_power_f32": (batched_matrix_power, {}, lambda s, n: (
        0.5 * _f(n, 3, 3, seed=s),)),
    "array_api_linalg_helpers": (array_api_linalg_helpers, {}, lambda s, n: (
        _f(n, n, seed=s), _f(n, n, seed=s + 1), _f(3, seed=s + 2), _f(3, seed=s + 3))),
    "ridge_path_svd_pinv": (pinv_ridge_path, {"lambdas": (0.1, 1.0, 10.0)}, lambda s, n: (
        _f(n + 4, 3, seed=s), _f(n + 4, seed=s + 1))),
    "float32_linalg_pipeline": (float32_linalg_pipeline, {}, lambda s, n: (
        _f(n, n, seed=s).astype(np.float32), _f(n, seed=s + 1).astype(np.float32))),
    "lstsq_multiple_rhs": (lstsq_multiple_rhs, {}, lambda s, n: (
        _f(n + 3, 3, seed=s), _f(n + 3, 2, seed=s + 1))),
    "cond_rank_batched": (cond_batch_and_rank_stack, {}, lambda s, n: (
        _f(n, 3, 3, seed=s) + 2 * np.eye(3),)),
    "gram_schmidt_loop_vs_qr": (gram_schmidt_vs_qr, {}, lambda s, n: (
        _f(n + 2, 3, seed=s),)),
    "complex_hermitian_linalg": (complex_hermitian_linalg, {}, lambda s, n: (
        _f(n, n, seed=s) + 1j * _f(n, n, seed=s + 1),)),
}


@pytest.mark.parametrize("name", _names(LINALG))
def test_linalg_forms_match_numpy(name):
    """multi_dot, matrix_power, slogdet, tensorsolve/tensorinv, cond, rank, QR and SVD modes,
    eigvalsh's UPLO, the array API norms and float32/complex pipelines."""
    check_like_numpy(*LINALG[name])


# ==================================================================== np.lib.stride_tricks


def rolling_stats_as_strided(x, window=4):
    # pandas-free rolling mean/std by as_strided, the classic StackOverflow answer
    shape = x.shape[:-1] + (x.shape[-1] - window + 1, window)
    strides = x.strides + (x.strides[-1],)
    w = as_strided(x, shape=shape, strides=strides)
    return w.mean(axis=-1), w.std(axis=-1, ddof=1)


def max_pool_windows(img, k=2):
    # k x k max pooling by sliding_window_view stepped by k
    win = sliding_window_view(img, (k, k))[::k, ::k]
    return win.max(axis=(-2, -1)), win.argmax(axis=-1).max(axis=-1)


def hankel_from_windows(x, L=4):
    # the trajectory (Hankel) matrix of singular spectrum analysis and its singular values
    X = sliding_window_view(x, L).T
    return X, np.linalg.svd(X, compute_uv=False)


def time_delay_embedding(x, dim=3, tau=2):
    # Takens' embedding: rows (x[t], x[t + tau], x[t + 2 tau]) by a strided window view
    span = (dim - 1) * tau + 1
    return sliding_window_view(x, span)[:, ::tau]


def moving_median_mad(x, window=5):
    w = sliding_window_view(x, window, axis=-1)
    med = np.median(w, axis=-1)
    mad = np.median(np.abs(w - med[..., None]), axis=-1)
    return med, mad


def rolling_zscore_swv(x, window=4):
    w = sliding_window_view(x, window)
    mu = w.mean(axis=-1)
    sd = w.std(axis=-1)
    return (x[window - 1:] - mu) / sd


def conv2d_swv_einsum(img, kernels):
    # a valid 2-D multi-channel convolution by window views and one einsum
    kh, kw = kernels.shape[-2:]
    win = sliding_window_view(img, (kh, kw), axis=(1, 2))
    return np.einsum("chwij,ocij->ohw", win, kernels)


def broadcast_to_views(v, n_rows=4):
    # a zero-stride broadcast view against as_strided with a zero row stride
    b1 = np.broadcast_to(v, (n_rows, v.shape[0]))
    b2 = as_strided(v, shape=(n_rows, v.shape[0]), strides=(0, v.strides[0]))
    return b1 * np.arange(n_rows)[:, None], b2.sum(axis=0), b2[-1]


def strided_downsample(x, factor=2):
    # every factor-th sample along each axis by as_strided, against slicing
    s0, s1 = x.strides
    n0, n1 = x.shape[0] // factor, x.shape[1] // factor
    y = as_strided(x, shape=(n0, n1), strides=(s0 * factor, s1 * factor))
    return y.copy(), x[::factor, ::factor][:n0, :n1]


def rolling_correlation(a, b, window=5):
    wa = sliding_window_view(a, window)
    wb = sliding_window_view(b, window)
    am = wa - wa.mean(axis=1, keepdims=True)
    bm = wb - wb.mean(axis=1, keepdims=True)
    return (am * bm).sum(1) / np.sqrt((am ** 2).sum(1) * (bm ** 2).sum(1))


def local_binary_pattern(img):
    # 8-neighbour LBP codes by a 3x3 window view and a weight table
    win = sliding_window_view(img, (3, 3))
    center = win[..., 1, 1]
    neigh = win.reshape(win.shape[:2] + (9,))[..., [0, 1, 2, 5, 8, 7, 6, 3]]
    bits = (neigh >= center[..., None]).astype(np.uint8)
    return (bits * (1 << np.arange(8, dtype=np.uint8))).sum(axis=-1, dtype=np.uint16)


def swv_float32_ema_frames(x, frame=6):
    frames = sliding_window_view(x, frame, axis=0)
    weights = np.float32(0.5) ** np.arange(frame, 0, -1, dtype=np.float32)
    return frames @ weights / weights.sum()


def as_strided_overlapping_blocks(x, block=4, step=2):
    # overlapping blocks of a 2-D array (rows of blocks), as patch extractors write it
    n_blocks = (x.shape[0] - block) // step + 1
    s0, s1 = x.strides
    blocks = as_strided(x, shape=(n_blocks, block, x.shape[1]), strides=(s0 * step, s0, s1),
                        writeable=False)
    return blocks.sum(axis=(1, 2)), blocks[-1]


def windows_along_time_axis(x, window=3):
    # windows along the longest (time) axis, found by np.argmax of the shape
    t_axis = np.argmax(x.shape)
    w = sliding_window_view(x, window, axis=t_axis)
    return w.mean(axis=-1), w.max(axis=-1)


STRIDES = {
    "rolling_stats_as_strided": (rolling_stats_as_strided, {"window": 4}, lambda s, n: (
        _f(3, n + 5, seed=s),)),
    "max_pool_swv_step": (max_pool_windows, {"k": 2}, lambda s, n: (_f(2 * n, 6, seed=s),)),
    "hankel_ssa_swv": (hankel_from_windows, {"L": 4}, lambda s, n: (_f(n + 6, seed=s),)),
    "takens_embedding": (time_delay_embedding, {"dim": 3, "tau": 2}, lambda s, n: (
        _f(n + 7, seed=s),)),
    "moving_median_mad": (moving_median_mad, {"window": 5}, lambda s, n: (
        _f(2, n + 6, seed=s),)),
    "rolling_zscore": (rolling_zscore_swv, {"window": 4}, lambda s, n: (_f(n + 6, seed=s),)),
    "conv2d_swv_einsum": (conv2d_swv_einsum, {}, lambda s, n: (
        _f(2, n + 2, 6, seed=s), _f(3, 2, 3, 3, seed=s + 1))),
    "broadcast_to_vs_zero_stride": (broadcast_to_views, {"n_rows": 4}, lambda s, n: (
        _f(n, seed=s),)),
    "strided_downsample": (strided_downsample, {"factor": 2}, lambda s, n: (
        _f(2 * n + 1, 7, seed=s),)),
    "rolling_correlation": (rolling_correlation, {"window": 5}, lambda s, n: (
        _f(n + 6, seed=s), _f(n + 6, seed=s + 1))),
    "local_binary_pattern_uint8": (local_binary_pattern, {}, lambda s, n: (
        _perm(s, n + 2, 6),)),
    "swv_float32_weighted_frames": (swv_float32_ema_frames, {"frame": 6}, lambda s, n: (
        _f(n + 8, 2, seed=s).astype(np.float32),)),
    "as_strided_overlapping_blocks": (as_strided_overlapping_blocks, {}, lambda s, n: (
        _f(2 * n + 2, 3, seed=s),)),
    "swv_axis_numpy_int": _Xfail(
        "sliding_window_view(x, w, axis=np.int64(1)) raises TypeError ('numpy.int64' object "
        "is not iterable); NumPy accepts a NumPy integer axis", windows_along_time_axis,
        {"window": 3}, lambda s, n: (_f(3, n + 5, seed=s),)),
}


@pytest.mark.parametrize("name", _names(STRIDES))
def test_stride_tricks_match_numpy(name):
    """as_strided and sliding_window_view windows, pools, embeddings and blocks."""
    check_like_numpy(*STRIDES[name])


# ======================================================================== np.random.Generator


def bootstrap_ci(x, rng, n_boot=50, alpha=0.1):
    # percentile bootstrap of the mean with integer index draws
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    means = x[idx].mean(axis=1)
    return np.quantile(means, [alpha / 2, 1 - alpha / 2]), means.std()


def metropolis_fixed_steps(x0, rng, n_steps=20, step=0.5):
    # random-walk Metropolis on a standard normal target with np.where acceptance
    x = x0.copy()
    logp = -0.5 * x ** 2
    accepted = np.zeros(x.shape, dtype=np.int64)
    for _ in range(n_steps):
        prop = x + step * rng.standard_normal(x.shape)
        logp_prop = -0.5 * prop ** 2
        accept = np.log(rng.random(x.shape)) < logp_prop - logp
        x = np.where(accept, prop, x)
        logp = np.where(accept, logp_prop, logp)
        accepted += accept
    return x, accepted


def gmm_sample(weights, means, sds, rng, n=12):
    # ancestral sampling: component by choice(p=...), then a normal draw
    w = weights / weights.sum()
    comp = rng.choice(len(w), size=n, p=w)
    return comp, means[comp] + sds[comp] * rng.standard_normal(n)


def dirichlet_multinomial(alpha, rng, n_docs=5, n_words=20):
    # topic proportions then word counts, as LDA generative-model notebooks write it
    theta = rng.dirichlet(alpha, size=n_docs)
    counts = np.stack([rng.multinomial(n_words, theta[d]) for d in range(n_docs)])
    return theta, counts


def sgd_epoch_permutation(X, y, w, rng, lr=0.1, batch=2):
    # one epoch of minibatch SGD over a generator's permutation
    perm = rng.permutation(len(X))
    for start in range(0, len(X) - batch + 1, batch):
        idx = perm[start:start + batch]
        grad = X[idx].T @ (X[idx] @ w - y[idx]) / batch
        w = w - lr * grad
    return w, perm


def random_projection(X, rng, k=3):
    # Johnson-Lindenstrauss: a Gaussian matrix scaled by 1/sqrt(k)
    R = rng.standard_normal((X.shape[1], k)) / np.sqrt(k)
    return X @ R


def noisy_float32_augment(img, rng, sigma=0.1):
    # float32 augmentation: Gaussian noise in float32, a random flip and brightness
    noise = rng.standard_normal(img.shape, dtype=np.float32) * np.float32(sigma)
    flip = rng.random() < 0.5
    out = np.where(flip, img[:, ::-1], img) + noise
    gain = rng.uniform(0.8, 1.2)
    return np.clip(out * gain, 0, 1).astype(np.float32)


def heavy_tailed_noise(x, rng, df=3.0):
    # Student-t and Cauchy noise for robust-regression simulations
    return x + rng.standard_t(df, size=x.shape), rng.standard_cauchy(size=3), rng.laplace(
        0.0, 0.5, size=x.shape)


def vonmises_headings(mu, kappa, rng, n=6):
    # correlated random walk headings: von Mises turning angles around the previous heading
    headings = np.empty((len(mu), n))
    headings[:, 0] = mu
    for t in range(1, n):
        headings[:, t] = headings[:, t - 1] + rng.vonmises(0.0, kappa)
    return np.mod(headings, 2 * np.pi)


def thompson_sampling(successes, failures, rng, rounds=5):
    # Beta-Bernoulli bandit: pick the arm with the largest posterior draw, update counts
    s = successes.astype(float).copy()
    f = failures.astype(float).copy()
    true_p = np.linspace(0.2, 0.8, len(s))
    chosen = []
    for _ in range(rounds):
        theta = rng.beta(s + 1, f + 1)
        arm = np.argmax(theta)
        reward = rng.random() < true_p[arm]
        s[arm] += reward
        f[arm] += 1 - reward
        chosen.append(arm)
    return s, f, np.array(chosen)


def stratified_jitter(rng, n_strata=4, per=3):
    # stratified sampling on [0, 1): one uniform jitter per cell
    edges = np.arange(n_strata) / n_strata
    return (edges[:, None] + rng.uniform(0, 1.0 / n_strata, size=(n_strata, per))).ravel()


def mvn_from_data_cov(X, rng, n=5):
    # synthetic data with the sample mean and covariance of X (multivariate_normal of traced)
    mu = X.mean(axis=0)
    cov = np.cov(X, rowvar=False) + 1e-3 * np.eye(X.shape[1])
    return rng.multivariate_normal(mu, cov, size=n)


def dice_counts(rng, n_rolls=30):
    # integers with endpoint=True and bincount with a fixed length
    rolls = rng.integers(1, 6, size=n_rolls, endpoint=True)
    return np.bincount(rolls, minlength=7)[1:], rolls.dtype


def permuted_rows_null(X, rng):
    # a permutation null: each column shuffled independently by permuted(axis=0)
    Xp = rng.permuted(X, axis=0)
    return np.corrcoef(Xp, rowvar=False), Xp.sum(axis=0)


def choice_without_replacement(items, rng, k=3):
    idx = rng.choice(len(items), size=k, replace=False)
    sub = rng.choice(items, size=2, replace=False, shuffle=False)
    return items[idx], sub


def shuffle_in_place(deck, rng):
    # Generator.shuffle of an argument, written into the caller's array
    rng.shuffle(deck)
    return deck[:3]


def poisson_process_counts(rates, rng, t_max=2.0):
    # counts of homogeneous Poisson processes, the event times sorted uniform draws
    counts = rng.poisson(rates * t_max)
    times = np.sort(rng.uniform(0, t_max, size=(len(rates), 4)), axis=1)
    return counts, times


def gamma_exponential_mixture(shape, rng, n=4):
    # a negative binomial as a gamma-Poisson mixture with traced shapes
    lam = rng.gamma(shape[:, None], 2.0, size=(len(shape), n))
    return rng.poisson(lam), rng.exponential(1.0 / shape), rng.lognormal(0.0, 0.25, size=n)


def integer_dtypes_draws(rng, lo, hi):
    return (rng.integers(lo, hi, dtype=np.int32), rng.integers(0, 256, size=4, dtype=np.uint8),
            rng.integers(-3, 3, size=(2, 2), dtype=np.int8, endpoint=True))


def binomial_bootstrap_weights(n_obs, rng, reps=4):
    # Poisson and multinomial bootstrap weights
    return rng.multinomial(n_obs, np.full(n_obs, 1.0 / n_obs), size=reps), rng.poisson(
        1.0, size=(reps, n_obs))


def coarse_noise_upsampled(img, rng, factor=2):
    # value noise: a coarse grid of draws whose shape is computed with NumPy, upsampled
    coarse_shape = np.array(img.shape) // factor
    noise = rng.standard_normal(coarse_shape)
    return img + np.kron(noise, np.ones((factor, factor)))


def zipf_word_counts(a, rng, n_words=20, vocab=8):
    # a Zipfian corpus: word ranks drawn with exponent a, counted into a fixed vocabulary
    ranks = rng.zipf(a, size=n_words)
    return np.bincount(np.minimum(ranks, vocab) - 1, minlength=vocab)


def card_hands(deck_counts, rng, hand=6, n_hands=3):
    # hands dealt without replacement from suits of given sizes
    return rng.multivariate_hypergeometric(deck_counts, hand, size=n_hands)


def task_durations(optimistic, pessimistic, rng, most_likely=5.0, n=4):
    # triangular task durations around a fixed most-likely value (a project-risk simulation)
    d = rng.triangular(optimistic[:, None], most_likely, pessimistic[:, None],
                       size=(len(optimistic), n))
    return d, d.sum(axis=0)


RANDOM = {
    "bootstrap_ci_integers": (bootstrap_ci, {"n_boot": 50}, lambda s, n: (
        _f(n + 4, seed=s), _rng(s))),
    "metropolis_where_accept": (metropolis_fixed_steps, {"n_steps": 20}, lambda s, n: (
        _f(n, seed=s), _rng(s))),
    "gmm_sample_choice_p": (gmm_sample, {"n": 12}, lambda s, n: (
        _pos(s, n), _f(n, seed=s), _pos(s + 1, n, lo=0.1, hi=1.0), _rng(s))),
    "dirichlet_multinomial_lda": (dirichlet_multinomial, {"n_docs": 5}, lambda s, n: (
        _pos(s, n, lo=0.2, hi=2.0), _rng(s))),
    "sgd_epoch_permutation": (sgd_epoch_permutation, {"batch": 2}, lambda s, n: (
        _f(n + 2, 3, seed=s), _f(n + 2, seed=s + 1), np.zeros(3), _rng(s))),
    "random_projection_jl": (random_projection, {"k": 3}, lambda s, n: (
        _f(n, 5, seed=s), _rng(s))),
    "float32_noise_flip_augment": (noisy_float32_augment, {}, lambda s, n: (
        _u(s, n, 5).astype(np.float32), _rng(s))),
    "student_t_cauchy_laplace_noise": (heavy_tailed_noise, {}, lambda s, n: (
        _f(n, 2, seed=s), _rng(s))),
    "vonmises_correlated_walk": (vonmises_headings, {"n": 6}, lambda s, n: (
        _u(s, n) * 6, _pos(s, n, lo=0.5, hi=8.0), _rng(s))),
    "thompson_sampling_beta": (thompson_sampling, {"rounds": 5}, lambda s, n: (
        _i(5, n, seed=s), _i(5, n, seed=s + 1), _rng(s))),
    "stratified_uniform_jitter": (stratified_jitter, {"n_strata": 4}, lambda s, n: (
        _rng(s + n),)),
    "multivariate_normal_sample_cov": (mvn_from_data_cov, {"n": 5}, lambda s, n: (
        _f(n + 5, 3, seed=s), _rng(s))),
    "dice_integers_endpoint": (dice_counts, {"n_rolls": 30}, lambda s, n: (_rng(s + n),)),
    "permuted_columns_null": (permuted_rows_null, {}, lambda s, n: (
        _f(n + 3, 3, seed=s), _rng(s))),
    "choice_without_replacement": (choice_without_replacement, {"k": 3}, lambda s, n: (
        _f(n + 2, seed=s), _rng(s))),
    "generator_shuffle_argument": (shuffle_in_place, {}, lambda s, n: (
        np.arange(n + 4) * 1.5, _rng(s))),
    "poisson_process_sorted_times": (poisson_process_counts, {}, lambda s, n: (
        _pos(s, n, lo=0.5, hi=4.0), _rng(s))),
    "gamma_poisson_mixture": (gamma_exponential_mixture, {"n": 4}, lambda s, n: (
        _pos(s, n, lo=0.5, hi=3.0), _rng(s))),
    "integers_dtypes_traced_bounds": (integer_dtypes_draws, {}, lambda s, n: (
        _rng(s), -s, 10 + n)),
    "multinomial_poisson_bootstrap_weights": (binomial_bootstrap_weights, {"reps": 4},
                                              lambda s, n: (n + 2, _rng(s))),
    "size_as_numpy_array": _Xfail(
        "rng.standard_normal(np.array(img.shape) // 2) raises TypeError ('size must be an int "
        "or a tuple of ints'); NumPy takes an integer array as the size",
        coarse_noise_upsampled, {"factor": 2}, lambda s, n: (_f(n, 6, seed=s), _rng(s))),
    "zipf_traced_exponent": _Xfail(
        "rng.zipf(a) of a traced a > 1 raises UnsupportedFunctionError ('a <= 1 or a is NaN': "
        "the dtype probe draws with a stand-in a = 0.25); NumPy draws", zipf_word_counts,
        {"n_words": 20}, lambda s, n: (1.5 + 0.1 * s + 0.05 * n, _rng(s))),
    "multivariate_hypergeometric_traced_colors": _Xfail(
        "rng.multivariate_hypergeometric(colors, 6) of traced colors raises "
        "UnsupportedFunctionError ('nsample > sum(colors)': the probe's stand-in colors are "
        "all 1); NumPy deals the hands", card_hands, {"hand": 6}, lambda s, n: (
            np.array([13, 13, 13, n + 9]), _rng(s))),
    "triangular_traced_bounds_fixed_mode": _Xfail(
        "rng.triangular(left, 5.0, right) with traced left/right raises "
        "UnsupportedFunctionError ('mode > right': probe stand-ins 0.25/0.5); NumPy draws",
        task_durations, {"n": 4}, lambda s, n: (
            _pos(s, n, lo=1.0, hi=4.0), _pos(s + 1, n, lo=6.0, hi=12.0), _rng(s))),
}


@pytest.mark.parametrize("name", _names(RANDOM))
def test_generator_methods_match_numpy(name):
    """A Generator argument's draws, bit for bit with NumPy's from the same state."""
    check_like_numpy(*RANDOM[name])


# ========================================= set operations, piecewise, select, vectorize, apply


BAD_CHANNELS = np.array([2, 5, 7])
ALL_CHANNELS = np.arange(10)
GOOD_CHANNELS = np.setdiff1d(ALL_CHANNELS, BAD_CHANNELS)
TAX_BRACKETS = np.array([0.0, 10.0, 40.0, 90.0])
TAX_RATES = np.array([0.0, 0.12, 0.22, 0.35])


def drop_bad_channels(data):
    # module-level set operations made at import; the traced data indexed by their result
    keep = np.isin(ALL_CHANNELS, BAD_CHANNELS, invert=True)
    return data[:, GOOD_CHANNELS], data[:, keep].mean(axis=1)


def label_remap(labels, old=(1, 3, 5)):
    # labels in `old` set to background, the rest kept; counts per class
    mask = np.isin(labels, old)
    out = np.where(mask, 0, labels)
    return out, np.bincount(out.ravel(), minlength=8)


def set_ops_of_constants(x):
    # intersections and unions of fixed index sets, used to gather from traced data
    a = np.array([0, 2, 4, 6, 8])
    b = np.array([1, 2, 3, 4])
    common, ia, ib = np.intersect1d(a, b, return_indices=True)
    both = np.union1d(a, b)
    only_a = np.setdiff1d(a, b, assume_unique=True)
    sym = np.setxor1d(a, b)
    return x[common], x[ia] - x[ib], x[both].sum(), x[only_a], x[sym]


def isin_tokens(doc_ids, vocab_ids):
    # bag-of-words membership against a vocabulary, both traced, in int32
    hit = np.isin(doc_ids, vocab_ids)
    return hit, hit.sum(axis=1), np.isin(doc_ids, vocab_ids, kind="sort", invert=True)


def progressive_tax(income):
    # piecewise linear tax over brackets with np.piecewise and closures over module tables
    conds = [(income >= lo) & (income < hi)
             for lo, hi in zip(TAX_BRACKETS[:-1], TAX_BRACKETS[1:])]
    conds.append(income >= TAX_BRACKETS[-1])
    base = np.concatenate([[0.0], np.cumsum(np.diff(TAX_BRACKETS) * TAX_RATES[:-1])])
    funcs = [lambda v, k=k: base[k] + TAX_RATES[k] * (v - TAX_BRACKETS[k])
             for k in range(len(TAX_BRACKETS))]
    return np.piecewise(income, conds, funcs)


def huber_piecewise(r, delta=1.0):
    return np.piecewise(r, [np.abs(r) <= delta], [lambda v: 0.5 * v ** 2,
                                                  lambda v: delta * (np.abs(v) - 0.5 * delta)])


def ramp_piecewise_int(x):
    # an integer array through piecewise: the float results are cast to x's dtype
    return np.piecewise(x, [x < 2, (x >= 2) & (x < 6), x >= 6], [0, lambda v: v * 1.5, 9.7])


def piecewise_mask_arrays(t, masks):
    # condition arrays stored as 0/1 integers (as read from a file of masks): NumPy casts
    # each condition to bool before selecting
    return np.piecewise(t, [masks[0], masks[1]], [lambda v: v * 2.0, lambda v: -v, 0.5])


def letter_grades(scores):
    conds = [scores >= 90, scores >= 80, scores >= 70, scores >= 60]
    points = [4.0, 3.0, 2.0, 1.0]
    return np.select(conds, points, default=0.0), np.select(conds, ["A", "B", "C", "D"], "F")


def activation_select(x, alpha=0.1):
    # a leaky/clipped activation chosen region by region, float32 in, float32 out
    return np.select([x < 0, x > 6], [alpha * x, np.float32(6.0)], default=x)


def vectorized_lookup(codes):
    # a dict lookup per element through np.vectorize with otypes, as ETL scripts write it
    table = {0: 1.5, 1: 2.5, 2: -1.0, 3: 0.25}
    return np.vectorize(table.get, otypes=[float])(codes)


def vectorized_special(x):
    # math functions NumPy lacks, per element
    return np.vectorize(math.lgamma)(x), np.vectorize(math.erf)(x - 1.0)


def vectorized_branchy(x, thresh=0.5):
    def soft(v, t):
        if v > t:
            return v - t
        if v < -t:
            return v + t
        return 0.0
    return np.vectorize(soft, otypes=[np.float64])(x, thresh)


def vectorize_signature_cov(X):
    # a per-row outer product through a gufunc signature
    outer = np.vectorize(lambda v: np.outer(v, v), signature="(n)->(n,n)")
    return outer(X).mean(axis=0)


def apply_along_axis_robust(X):
    # per-column robust scaling with a helper applied along axis 0
    def robust(col):
        q1, q3 = np.percentile(col, [25, 75])
        return (col - np.median(col)) / (q3 - q1)
    return np.apply_along_axis(robust, 0, X)


def apply_along_axis_histogram(X, bins=4):
    # counts per row in fixed bins: a 1-d result per slice
    return np.apply_along_axis(lambda r: np.histogram(r, bins=bins, range=(-3, 3))[0], 1, X)


def apply_along_axis_polyfit(Y, t):
    # a linear trend slope per pixel time series (a common remote-sensing idiom)
    return np.apply_along_axis(lambda y: np.polyfit(t, y, 1)[0], -1, Y)


def peak_to_peak_along(sig, axis=0):
    # written for (time, channel) arrays, called here on a single 1-D channel
    return np.apply_along_axis(lambda r: r.max() - r.min(), axis, sig)


def apply_over_axes_sum(X):
    return np.apply_over_axes(np.sum, X, [0, 2]), np.apply_over_axes(np.mean, X, 1)


def unique_inverse_codes(cats):
    # category codes by unique's inverse, which keeps the input's length
    _, inv = np.unique(cats, return_inverse=True)
    return inv, np.bincount(inv, minlength=5)


FUNCTIONAL = {
    "module_setdiff_bad_channels": (drop_bad_channels, {}, lambda s, n: (_f(n, 10, seed=s),)),
    "isin_label_remap_tuple": (label_remap, {}, lambda s, n: (_i(8, n, 4, seed=s),)),
    "set_ops_of_constants": (set_ops_of_constants, {}, lambda s, n: (_f(n + 6, seed=s),)),
    "isin_tokens_int32": (isin_tokens, {}, lambda s, n: (
        _i(20, n, 5, seed=s).astype(np.int32), _i(20, 6, seed=s + 1).astype(np.int32))),
    "piecewise_progressive_tax": (progressive_tax, {}, lambda s, n: (
        _pos(s, 3 * n, lo=0.0, hi=120.0),)),
    "piecewise_huber": (huber_piecewise, {"delta": 1.0}, lambda s, n: (_f(n, 3, seed=s)[0],)),
    "piecewise_int_input_cast": (ramp_piecewise_int, {}, lambda s, n: (_i(9, 2 * n, seed=s),)),
    "piecewise_int_mask_conditions": _Xfail(
        "np.piecewise with 0/1 int condition arrays indexes with them as integer indices "
        "(wrong values); NumPy casts each condition to bool first", piecewise_mask_arrays, {},
        lambda s, n: (_f(n + 2, seed=s), np.stack([_i(2, n + 2, seed=s),
                                                   _i(2, n + 2, seed=s + 1)]))),
    "select_letter_grades": (letter_grades, {}, lambda s, n: (_pos(s, n, lo=40, hi=100),)),
    "select_float32_activation": (activation_select, {}, lambda s, n: (
        4 * _f(n, 3, seed=s).astype(np.float32),)),
    "vectorize_dict_get": (vectorized_lookup, {}, lambda s, n: (_i(4, n, seed=s),)),
    "vectorize_lgamma_erf": (vectorized_special, {}, lambda s, n: (
        _pos(s, n, lo=0.5, hi=5.0),)),
    "vectorize_soft_threshold_branch": (vectorized_branchy, {}, lambda s, n: (
        _f(n, 2, seed=s), 0.5)),
    "vectorize_signature_outer": (vectorize_signature_cov, {}, lambda s, n: (
        _f(n, 3, seed=s),)),
    "apply_along_axis_robust_scale": (apply_along_axis_robust, {}, lambda s, n: (
        _f(n + 4, 3, seed=s),)),
    "apply_along_axis_histogram": (apply_along_axis_histogram, {"bins": 4}, lambda s, n: (
        _f(n, 12, seed=s),)),
    "apply_along_axis_polyfit_slope": (apply_along_axis_polyfit, {}, lambda s, n: (
        _f(2, n, 6, seed=s), np.arange(6.0))),
    "apply_along_axis_1d_scalar_result": _Xfail(
        "np.apply_along_axis(f, 0, x1d) with a scalar-valued f returns a np.float64 scalar; "
        "NumPy returns a 0-d ndarray", peak_to_peak_along, {}, lambda s, n: (
            _f(n + 3, seed=s),)),
    "apply_over_axes_sum_mean": (apply_over_axes_sum, {}, lambda s, n: (_f(n, 3, 4, seed=s),)),
    "unique_inverse_codes": (unique_inverse_codes, {}, lambda s, n: (_i(5, 3 * n, seed=s),)),
}


@pytest.mark.parametrize("name", _names(FUNCTIONAL))
def test_sets_piecewise_select_vectorize_match_numpy(name):
    """Set operations of constants, isin, piecewise, select, vectorize and apply_along_axis."""
    check_like_numpy(*FUNCTIONAL[name])


# ================================================ index helpers, iteration, einsum, pad, sorts


def peak_location(img):
    # the brightest pixel, its 3x3 neighbourhood mean, and the second peak elsewhere
    r, c = np.unravel_index(np.argmax(img), img.shape)
    padded = np.pad(img, 1, mode="constant", constant_values=-np.inf)
    patch = padded[r:r + 3, c:c + 3]
    neigh = np.where(np.isfinite(patch), patch, 0).sum() / np.isfinite(patch).sum()
    masked = img.copy()
    masked[r, c] = -np.inf
    r2, c2 = np.unravel_index(np.argmax(masked), img.shape)
    return np.array([r, c, r2, c2]), neigh


def peak_location_array_shape(img):
    # the shape handed over as an array (as code that stores shapes in arrays does)
    dims = np.array(img.shape)
    r, c = np.unravel_index(np.argmax(img), dims)
    return r, c, img[r, c]


def topk_flat_unravel(scores, k=3):
    flat = np.argpartition(scores, -k, axis=None)[-k:]
    flat = flat[np.argsort(scores.ravel()[flat])[::-1]]
    rows, cols = np.unravel_index(flat, scores.shape)
    return rows, cols, scores[rows, cols]


def hist2d_ravel_multi_index(ix, iy, w, nx=4, ny=5):
    # a weighted 2-D histogram by ravel_multi_index and bincount
    flat = np.ravel_multi_index((ix, iy), (nx, ny))
    return np.bincount(flat, weights=w, minlength=nx * ny).reshape(nx, ny)


def periodic_neighbours(i, j, shape=(4, 6)):
    # neighbour indices on a torus: ravel_multi_index with mode='wrap' and Fortran order
    up = np.ravel_multi_index((i - 1, j), shape, mode="wrap")
    right = np.ravel_multi_index((i, j + 1), shape, mode=("clip", "wrap"))
    fort = np.ravel_multi_index((i, j), shape, order="F")
    back = np.unravel_index(fort, shape, order="F")
    return up, right, fort, back


def ndindex_stencil(u):
    # a 5-point Laplacian by an explicit ndindex loop over the interior, as textbooks write it
    out = np.zeros_like(u)
    for i, j in np.ndindex(u.shape[0] - 2, u.shape[1] - 2):
        out[i + 1, j + 1] = (u[i, j + 1] + u[i + 2, j + 1] + u[i + 1, j] + u[i + 1, j + 2]
                             - 4 * u[i + 1, j + 1])
    return out


def ndenumerate_weighted(x):
    # distance-weighted sum over all cells by ndenumerate
    centre = (np.array(x.shape) - 1) / 2
    total = 0.0
    for idx, v in np.ndenumerate(x):
        d = np.hypot(idx[0] - centre[0], idx[1] - centre[1])
        total += v / (1.0 + d)
    return total


def ndindex_block_means(x, b=2):
    out = np.empty((x.shape[0] // b, x.shape[1] // b), dtype=x.dtype)
    for idx in np.ndindex(out.shape):
        i, j = idx
        out[idx] = x[i * b:(i + 1) * b, j * b:(j + 1) * b].mean()
    return out


def einsum_path_bilinear(x, W, y):
    # einsum_path computed once and reused, as opt_einsum-style code does
    path, report = np.einsum_path("bi,oij,bj->bo", x, W, y, optimize="optimal")
    return np.einsum("bi,oij,bj->bo", x, W, y, optimize=path), path


def einsum_optimize_chain(A, B, Cm, v):
    return (np.einsum("ij,jk,kl,l->i", A, B, Cm, v, optimize=True),
            np.einsum("ij,jk,kl,l->i", A, B, Cm, v, optimize="greedy"),
            np.einsum("ii->", A[:4, :4]), np.einsum("ij,ij->i", A, A))


def einsum_batched_attention(q, k, v):
    s = np.einsum("bhqd,bhkd->bhqk", q, k) / np.sqrt(q.shape[-1])
    s = np.exp(s - s.max(-1, keepdims=True))
    s /= s.sum(-1, keepdims=True)
    return np.einsum("bhqk,bhkd->bhqd", s, v, optimize=True)


def einsum_out_float32(a, b):
    out = np.zeros((a.shape[0], b.shape[1]), dtype=np.float32)
    np.einsum("ij,jk->ik", a, b, out=out, casting="same_kind")
    return out


def pad_modes_image(img):
    # the boundary modes an image-processing pipeline chooses between
    return {
        "reflect": np.pad(img, 2, mode="reflect"),
        "symmetric": np.pad(img, ((1, 2), (2, 1)), mode="symmetric"),
        "edge": np.pad(img, 1, mode="edge"),
        "wrap": np.pad(img, ((0, 0), (3, 3)), mode="wrap"),
        "constant": np.pad(img, ((1, 1), (0, 2)), constant_values=((-1, 1), (5, 6))),
        "linear_ramp": np.pad(img, 2, mode="linear_ramp", end_values=0.5),
        "mean": np.pad(img, 1, mode="mean", stat_length=2),
        "minimum": np.pad(img, (1, 2), mode="minimum"),
        "odd": np.pad(img, 1, mode="reflect", reflect_type="odd"),
    }


def pad_uint8_stats(img):
    return np.pad(img, 2, mode="median"), np.pad(img, 1, mode="mean"), np.pad(img, 3, "wrap")


def pad_wider_than_array(x):
    # a short signal reflected more than its length (NumPy reflects repeatedly)
    return np.pad(x, (7, 9), mode="reflect"), np.pad(x, 10, mode="symmetric"), np.pad(
        x, 11, mode="wrap")


def pad_callable_mode(x):
    def pad_with(vector, pad_width, iaxis, kwargs):
        val = kwargs.get("padder", 10)
        vector[:pad_width[0]] = val
        vector[-pad_width[1]:] = val
    return np.pad(x, 2, pad_with, padder=-1.0)


def pad_dict_width(img):
    # NumPy 2.3's dict form: pad only the named axes
    return np.pad(img, {1: (2, 1)}, mode="edge"), np.pad(img, {-1: 2, 0: (1, 0)})


def topk_take_along(scores, k=2):
    # top-k per row by argpartition, then ordered by take_along_axis
    part = np.argpartition(-scores, k, axis=1)[:, :k]
    vals = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-vals, axis=1)
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(vals, order, axis=1)


def keep_topk_put_along(x, k=2):
    # zero all but the k largest per row: put_along_axis into a zero array
    idx = np.argsort(x, axis=1)[:, -k:]
    out = np.zeros_like(x)
    np.put_along_axis(out, idx, np.take_along_axis(x, idx, axis=1), axis=1)
    return out


def put_along_axis_argument(x, cols):
    # writes through put_along_axis reach the caller's array
    np.put_along_axis(x, cols[:, None], -1.0, axis=1)
    return x.sum(axis=1)


def take_along_axis_median_index(x):
    # the index of each column's median element, by argsort and take_along_axis
    order = np.argsort(x, axis=0)
    mid = order[x.shape[0] // 2][None, :]
    return np.take_along_axis(x, mid, axis=0)[0], mid[0]


def league_table(points, goal_diff, goals_for):
    # sort by points, then goal difference, then goals scored (lexsort: last key primary)
    order = np.lexsort((goals_for, goal_diff, points))[::-1]
    ranks = np.empty_like(order)
    ranks[order] = np.arange(1, len(order) + 1)
    return order, ranks


def lexsort_2d_keys(keys):
    return np.lexsort(keys), np.lexsort(keys[::-1])


def partition_median_quantiles(x):
    # the median of odd-length rows by partition, and the smallest and largest at once
    k = x.shape[1] // 2
    med = np.partition(x, k, axis=1)[:, k]
    ends = np.partition(x, (0, -1), axis=1)[:, [0, -1]]
    return med, ends, np.partition(x, 2, axis=None)[:3].sum()


def knn_argpartition(X, Q, k=2):
    d = ((Q[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    nn = np.argpartition(d, k, axis=1)[:, :k]
    nn_d = np.take_along_axis(d, nn, axis=1)
    order = np.argsort(nn_d, axis=1)
    return np.take_along_axis(nn, order, axis=1)


INDEXING = {
    "unravel_argmax_peaks": (peak_location, {}, lambda s, n: (_perm(s, n + 1, 5),)),
    "unravel_index_array_dims": _Xfail(
        "np.unravel_index(i, np.array(shape)) raises TypeError ('only 0-dimensional arrays "
        "can be converted'); NumPy accepts an array of dims", peak_location_array_shape, {},
        lambda s, n: (_perm(s, n, 5),)),
    "topk_flat_argpartition_unravel": (topk_flat_unravel, {"k": 3}, lambda s, n: (
        _perm(s, n, 4),)),
    "hist2d_ravel_multi_index": (hist2d_ravel_multi_index, {}, lambda s, n: (
        _i(4, 3 * n, seed=s), _i(5, 3 * n, seed=s + 1), _u(s, 3 * n))),
    "ravel_multi_index_wrap_clip_F": (periodic_neighbours, {}, lambda s, n: (
        _i(4, n, seed=s), _i(6, n, seed=s + 1))),
    "ndindex_laplacian_loop": (ndindex_stencil, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "ndenumerate_weighted_sum": (ndenumerate_weighted, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "ndindex_block_means_f32": (ndindex_block_means, {"b": 2}, lambda s, n: (
        _f(n, 6, seed=s).astype(np.float32),)),
    "einsum_path_reused": (einsum_path_bilinear, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(2, 3, 4, seed=s + 1), _f(n, 4, seed=s + 2))),
    "einsum_optimize_chain": (einsum_optimize_chain, {}, lambda s, n: (
        _f(n, 5, seed=s), _f(5, 4, seed=s + 1), _f(4, 3, seed=s + 2), _f(3, seed=s + 3))),
    "einsum_attention_optimize": (einsum_batched_attention, {}, lambda s, n: (
        _f(2, 2, n, 4, seed=s), _f(2, 2, 5, 4, seed=s + 1), _f(2, 2, 5, 4, seed=s + 2))),
    "einsum_out_float32_same_kind": (einsum_out_float32, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, 2, seed=s + 1))),
    "pad_modes_dict": (pad_modes_image, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "pad_uint8_median_mean_wrap": (pad_uint8_stats, {}, lambda s, n: (
        _i(256, n, 5, seed=s).astype(np.uint8),)),
    "pad_reflect_wider_than_array": (pad_wider_than_array, {}, lambda s, n: (
        _f(n, seed=s),)),
    "pad_callable_mode": (pad_callable_mode, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "pad_width_dict": _Xfail(
        "np.pad(x, {1: (2, 1)}) raises TypeError ('`pad_width` must be of integral type'); "
        "NumPy >= 2.3 pads the axes named by the dict", pad_dict_width, {}, lambda s, n: (
            _f(n, 3, seed=s),)),
    "topk_argpartition_take_along": (topk_take_along, {"k": 2}, lambda s, n: (
        _perm(s, n, 5),)),
    "keep_topk_put_along": (keep_topk_put_along, {"k": 2}, lambda s, n: (_perm(s, n, 5),)),
    "put_along_axis_writes_argument": (put_along_axis_argument, {}, lambda s, n: (
        _f(n, 4, seed=s), _i(4, n, seed=s + 1))),
    "take_along_axis_median_index": (take_along_axis_median_index, {}, lambda s, n: (
        _perm(s, 2 * n + 1, 3),)),
    "lexsort_league_table": (league_table, {}, lambda s, n: (
        _i(4, n + 4, seed=s), _i(5, n + 4, seed=s + 1) - 2, _perm(s, n + 4))),
    "lexsort_2d_key_array": (lexsort_2d_keys, {}, lambda s, n: (
        np.stack([_i(3, n + 3, seed=s), _perm(s, n + 3)]),)),
    "partition_median_ends": (partition_median_quantiles, {}, lambda s, n: (
        _perm(s, n, 7),)),
    "knn_argpartition_sorted": (knn_argpartition, {"k": 2}, lambda s, n: (
        _f(n + 4, 2, seed=s), _f(3, 2, seed=s + 1))),
}


@pytest.mark.parametrize("name", _names(INDEXING))
def test_index_helpers_iteration_einsum_pad_sorts_match_numpy(name):
    """unravel/ravel_multi_index, ndindex/ndenumerate loops, einsum paths, pad modes,
    take/put_along_axis, lexsort and partition."""
    check_like_numpy(*INDEXING[name])


# ================================================================================ refused forms


def characteristic_roots(coef):
    # roots of a fitted characteristic polynomial: NumPy trims trailing zero coefficients
    return Polynomial(coef).roots()


def fit_then_convert(x, y):
    # the fitted series in the unscaled power basis: convert() trims coefficients that are 0
    return Polynomial.fit(x, y, 2).convert().coef


def series_arithmetic(c, x):
    # arithmetic between series: polymul/polyadd trim their results by the values
    p = Polynomial(c)
    return (2 * p * p + 1)(x)


def legendre_to_power_basis(c):
    return LG.leg2poly(c)


def dropped_sensors(ids, dead):
    # sensors present in one list and not the other: the length depends on the values
    return np.setdiff1d(ids, dead), np.union1d(ids, dead)


def matched_events(a, b):
    common, ia, ib = np.intersect1d(a, b, return_indices=True)
    return common, ia, ib


def nditer_multi_index(x):
    out = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for v in it:
        out[it.multi_index] = v * (it.multi_index[0] + 1)
    return out


def frompyfunc_add(x):
    f = np.frompyfunc(lambda a, b: a + 2 * b, 2, 1)
    return f(x, x[::-1]).astype(np.float64)


def epsilon_greedy(q, rng, eps=0.3):
    # a Python `if` on a draw: which branch runs depends on the value
    if rng.random() < eps:
        return rng.integers(len(q))
    return np.argmax(q)


def value_counts(labels):
    vals, counts = np.unique(labels, return_counts=True)
    return vals, counts


def outlier_positions(x, z=1.0):
    return np.argwhere(np.abs(x - x.mean()) > z * x.std())


def vectorized_branch_no_otypes(x):
    def clip_neg(v):
        if v < 0:
            return 0.0
        return v
    return np.vectorize(clip_neg)(x)


def eigen_roots_of_fit(x, y):
    # roots of a Chebyshev fit: chebroots trims the series before its companion matrix
    return C.chebroots(C.chebfit(x, y, 3))


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError
_Unsupported = tracenp.UnsupportedFunctionError

REFUSED = {
    "polynomial_roots_trim": (_Concretization, characteristic_roots, lambda s: (
        np.array([-6.0, 11.0, -6.0, 1.0]) * s,)),
    "polynomial_fit_convert": (_Unsupported, fit_then_convert, lambda s: (
        np.linspace(0, 2, 8), _f(8, seed=s))),
    "series_arithmetic_trim": (_Concretization, series_arithmetic, lambda s: (
        _f(3, seed=s), _f(4, seed=s + 1))),
    "leg2poly_trim": (_Concretization, legendre_to_power_basis, lambda s: (_f(4, seed=s),)),
    "chebroots_of_fit": (_Concretization, eigen_roots_of_fit, lambda s: (
        np.linspace(-1, 1, 9), _f(9, seed=s))),
    "setdiff1d_union1d_traced": (_DataDependent, dropped_sensors, lambda s: (
        _i(10, 6, seed=s), _i(10, 3, seed=s + 1))),
    "intersect1d_return_indices_traced": (_DataDependent, matched_events, lambda s: (
        _perm(s, 6), _perm(s + 1, 6))),
    "nditer_multi_index_loop": (_Unsupported, nditer_multi_index, lambda s: (
        _f(3, 2, seed=s),)),
    "frompyfunc_object_ufunc": (_Unsupported, frompyfunc_add, lambda s: (_f(5, seed=s),)),
    "epsilon_greedy_python_if": (_Concretization, epsilon_greedy, lambda s: (
        _f(4, seed=s), _rng(s))),
    "unique_return_counts": (_DataDependent, value_counts, lambda s: (_i(4, 9, seed=s),)),
    "argwhere_outliers": (_DataDependent, outlier_positions, lambda s: (_f(4, 3, seed=s),)),
    "vectorize_branch_without_otypes": (_Concretization, vectorized_branch_no_otypes,
                                        lambda s: (_f(6, seed=s),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_value_dependent_forms_are_refused(name):
    """Series roots, convert() and arithmetic (NumPy trims by the values), set operations of
    traced arrays, unique counts and argwhere (shapes from the values), a Python `if` on a
    draw and a branching vectorize without otypes; nditer and frompyfunc by name: the named
    error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
