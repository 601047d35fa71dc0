"""Corpus, hunt BD: NumPy code that calls SciPy mixed into its array code, as course notebooks,
textbooks' companion code, blog posts and GitHub projects write it.

scipy.special (Poisson, negative-binomial and beta-binomial log-likelihoods by `gammaln` and
`betaln`; scikit-learn's LDA `_dirichlet_expectation_2d` by `psi` and an online-LDA E-step loop;
Minka's inverse digamma by Newton with `polygamma`; logistic regression by `expit` with a
`xlogy`/`xlog1py` loss, `logit` of clipped proportions; `softmax`/`log_softmax` with a
temperature and in float32; an HMM forward pass and GMM responsibilities by `logsumexp` with
`keepdims`, a signed series by `logsumexp(b=..., return_sign=True)` and a log-mean-exp by
`b=1/n`; normal CDFs by `erf`, rank-based inverse normal transforms by `ndtri`, Gaussianising
by `erfinv`; entropies and KL divergences by `xlogy`, `entr` and `rel_entr`; binomial pmfs by
`binom` and rarefaction by `comb`; Zipf by `zeta`; membrane modes by `jv` at `jn_zeros`, von
Mises densities by `iv` and `i0e`, Matern kernels by `kv` with the zero distance written
back; pendulum periods by `ellipk` and ellipse perimeters by `ellipe`; Student's CDF by
`hyp2f1`, the Rice mean by `hyp1f1`; the single-diode PV model by `lambertw(...).real`; chi2
CDFs by `gammainc`), scipy.stats (log-likelihoods by `norm.logpdf`, frozen distributions,
t-intervals by `t.ppf` and by `t.interval` with `sem`, `norm.interval`, chi-square and F tests
by hand with `chi2.sf` and `f.cdf`, Beta credible intervals, Poisson and binomial pmfs,
`multivariate_normal` with computed means and covariances and a GMM E-step per component,
`rvs` with a Generator as `random_state`, `pearsonr`, `spearmanr`, `kendalltau`, `ttest_ind`,
`ttest_rel`, `mannwhitneyu`, `ks_2samp`, `linregress`, `zscore`, `rankdata`, OLS p-values by
`t.sf`, power analysis by `norm.ppf`, `lognorm`), scipy.linalg (ridge by
`solve(assume_a="pos")`, Gaussian-process regression by `cho_factor`/`cho_solve` and by
`cholesky`/`solve_triangular`, implicit heat steps by `lu_factor` once and `lu_solve` in a
loop, CTMC transition matrices and linear ODEs by `expm`, Bures distances by `sqrtm`,
log-Euclidean means by `logm`, `schur`, least squares by economic `qr`, low-rank `svd`,
spectral clustering by `eigh(subset_by_index=...)`, generalized `eigh` for vibration modes,
Yule-Walker by `toeplitz`, `circulant` convolution, SSA by `hankel`, `block_diag`, `lu`, `pinv`,
`lstsq`, `eigvals`, `norm`, a Kalman filter by `solve(assume_a="pos")`), scipy.signal (Butterworth
`filtfilt` and `sosfiltfilt` with coefficients designed inside, rllab's `discount_cumsum` by
`lfilter` of a reversed array, EMAs by `lfilter` with `lfilter_zi`, `savgol_filter` and its
derivative, `welch`, `periodogram`'s dominant frequency, smoothing by `convolve` with a
Gaussian window from `get_window`, lags by `correlate` and `correlation_lags`, envelopes and
instantaneous frequency by `hilbert`, `detrend`, `resample`, `medfilt`, spectrograms in dB,
`decimate`), scipy.ndimage (unsharp masks and DoG by `gaussian_filter`, the Lee speckle filter
by `uniform_filter`, `median_filter`, Laplacian `convolve`, Sobel magnitudes, binary
morphology, `distance_transform_edt`, Simard's elastic deformation by `map_coordinates`,
`zoom`, `shift`, `rotate`, `center_of_mass`, `gaussian_filter1d`, local maxima by
`maximum_filter`), scipy.interpolate (`interp1d`, `CubicSpline` and `PchipInterpolator` built
from constant tables and evaluated at traced points), scipy.integrate (`trapezoid`, `simpson`,
`cumulative_trapezoid`, `quad` and `solve_ivp` of closures over traced parameters, `odeint`
with `args=`), scipy.optimize (`brentq` of a closure, `linear_sum_assignment`, `nnls`) and
scipy.spatial (`distance_matrix`, `cdist`).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy/SciPy in value and
dtype, and in the arguments it writes in place. Filter orders, window lengths, segment
lengths, sigmas, zoom factors, subset sizes and binomial counts given positionally are made
static; the forms whose Python or shapes depend on array values (`find_peaks`,
`ndimage.label`, `null_space`/`orth`, `gaussian_kde`, `minimize`/`curve_fit`/`root`/`linprog`
of closures, KD-trees, splines fitted to traced data, `generic_filter` with a callable,
Welch band power by a boolean selection on the frequencies) raise a named error and run
eagerly under `fallback=True`. Qhull's simplices and vertices (`Delaunay`, `Voronoi`) of
traced points must do the same; they are run in a subprocess, as they crashed the process.
A hull's volume and area and `griddata` run on the host.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.integrate
import scipy.interpolate
import scipy.linalg
import scipy.ndimage as ndi
import scipy.optimize
import scipy.signal
import scipy.spatial
import scipy.special
import scipy.stats as stats
from scipy.linalg import cho_factor, cho_solve, lu_factor, lu_solve, solve_triangular
from scipy.signal import butter, filtfilt, lfilter
from scipy.special import betaln, expit, gammaln, logsumexp, psi, xlogy
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _pos(seed, *shape, lo=0.5, hi=2.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _spd(seed, n, ridge=1.0):
    A = _f(n, n, seed=seed)
    return A @ A.T + ridge * np.eye(n)


# ============================================================================ scipy.special


def poisson_loglik(k, lam):
    # the GLM course's Poisson log-likelihood, log k! by gammaln
    return np.sum(k * np.log(lam) - lam - gammaln(k + 1))


def negbin_logpmf(k, r, p):
    # NB2 as count-regression notebooks write it
    return (gammaln(k + r) - gammaln(k + 1) - gammaln(r)
            + r * np.log(p) + k * np.log1p(-p))


def beta_binomial_loglik(k, n, a, b):
    log_comb = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
    return (log_comb + betaln(k + a, n - k + b) - betaln(a, b)).sum(axis=-1)


def dirichlet_expectation_2d(alpha):
    # scikit-learn's _dirichlet_expectation_2d: E[log theta] by psi
    return psi(alpha) - psi(np.sum(alpha, 1))[:, np.newaxis]


def lda_e_step(doc_word, exp_elog_beta, alpha=0.1, n_iter=10):
    # online LDA (Hoffman's onlineldavb): gamma updates for a batch of documents
    n_docs = doc_word.shape[0]
    n_topics = exp_elog_beta.shape[0]
    gamma = np.ones((n_docs, n_topics))
    for _ in range(n_iter):
        exp_elog_theta = np.exp(dirichlet_expectation_2d(gamma))
        phinorm = exp_elog_theta @ exp_elog_beta + 1e-100
        gamma = alpha + exp_elog_theta * ((doc_word / phinorm) @ exp_elog_beta.T)
    return gamma


def inverse_digamma_newton(y, n_iter=5):
    # Minka's fixed-point initialisation and Newton steps with trigamma
    x = np.where(y >= -2.22, np.exp(y) + 0.5, -1.0 / (y - psi(1)))
    for _ in range(n_iter):
        x = x - (psi(x) - y) / scipy.special.polygamma(1, x)
    return x


def logistic_loss_grad(w, X, y):
    p = expit(X @ w)
    loss = -np.mean(xlogy(y, p) + xlogy(1 - y, 1 - p))
    grad = X.T @ (p - y) / len(y)
    return loss, grad


def bce_xlog1py(y, z):
    # binary cross-entropy on logits z: log(1 - p) written as xlog1py(1 - y, -p)
    p = expit(z)
    return -(xlogy(y, p) + scipy.special.xlog1py(1 - y, -p))


def logit_proportions(counts, totals, eps=1e-3):
    p = np.clip(counts / totals, eps, 1 - eps)
    return scipy.special.logit(p), expit(scipy.special.logit(p))


def softmax_temperature_f32(logits, T=0.7):
    return scipy.special.softmax(logits / T, axis=-1)


def nll_log_softmax(logits, y):
    logp = scipy.special.log_softmax(logits, axis=1)
    return -logp[np.arange(len(y)), y].mean(), logp.argmax(axis=1)


def hmm_forward_logsumexp(log_pi, log_A, log_B, obs):
    T = len(obs)
    K = log_pi.shape[0]
    alpha = np.zeros((T, K))
    alpha[0] = log_pi + log_B[:, obs[0]]
    for t in range(1, T):
        alpha[t] = logsumexp(alpha[t - 1][:, None] + log_A, axis=0) + log_B[:, obs[t]]
    return alpha, logsumexp(alpha[-1])


def gmm_responsibilities(X, means, log_weights, var=1.0):
    d = X.shape[1]
    sq = ((X[:, None, :] - means[None, :, :]) ** 2).sum(-1)
    log_prob = log_weights - 0.5 * sq / var - 0.5 * d * np.log(2 * np.pi * var)
    log_norm = logsumexp(log_prob, axis=1, keepdims=True)
    return np.exp(log_prob - log_norm), log_norm.sum()


def signed_logsumexp_series(log_terms, signs):
    # an alternating series summed in log space: the log of |sum| and its sign
    val, sgn = logsumexp(log_terms, b=signs, return_sign=True, axis=-1)
    return val, sgn


def log_mean_exp(log_w):
    # importance-sampling evidence estimate: log mean exp over samples
    n = log_w.shape[0]
    return logsumexp(log_w, axis=0, b=1.0 / n)


def normal_cdf_erf(x, mu, sigma):
    return 0.5 * (1 + scipy.special.erf((x - mu) / (sigma * np.sqrt(2))))


def rank_inverse_normal(x, c=3.0 / 8):
    # the Blom rank-based inverse normal transform of GWAS pipelines
    n = x.shape[0]
    ranks = stats.rankdata(x)
    return scipy.special.ndtri((ranks - c) / (n - 2 * c + 1))


def gaussianize_uniform(u):
    return np.sqrt(2) * scipy.special.erfinv(2 * u - 1)


def entropy_kl_xlogy(p, q):
    p = p / p.sum(axis=1, keepdims=True)
    q = q / q.sum(axis=1, keepdims=True)
    H = -np.sum(xlogy(p, p), axis=1)
    KL = np.sum(xlogy(p, p / q), axis=1)
    return H, KL


def entropy_kl_entr(p, q):
    p = p / p.sum(axis=-1, keepdims=True)
    q = q / q.sum(axis=-1, keepdims=True)
    return scipy.special.entr(p).sum(-1), scipy.special.rel_entr(p, q).sum(-1)


def binomial_pmf_table(p, n=10):
    k = np.arange(n + 1)
    return scipy.special.binom(n, k) * p[:, None] ** k * (1 - p[:, None]) ** (n - k)


def rarefaction_comb(counts, n_sub=8):
    # expected species in a subsample of n_sub individuals (Hurlbert)
    N = counts.sum()
    return np.sum(1 - scipy.special.comb(N - counts, n_sub) / scipy.special.comb(N, n_sub))


def zipf_pmf(k, s):
    return k.astype(float) ** -s / scipy.special.zeta(s, 1)


J01, J02 = scipy.special.jn_zeros(0, 2)
J11 = scipy.special.jn_zeros(1, 1)[0]


def membrane_modes(r, theta, t, c=1.0):
    # circular drum: a superposition of the (0,1), (0,2) and (1,1) modes
    u = (scipy.special.jv(0, J01 * r) * np.cos(c * J01 * t)
         + 0.5 * scipy.special.jv(0, J02 * r) * np.cos(c * J02 * t)
         + 0.3 * scipy.special.jv(1, J11 * r) * np.cos(theta) * np.cos(c * J11 * t))
    return u


def von_mises_pdf(x, mu, kappa):
    return np.exp(kappa * np.cos(x - mu)) / (2 * np.pi * scipy.special.iv(0, kappa))


def von_mises_logpdf_i0e(x, mu, kappa):
    # the overflow-safe form: log I0(k) = log(i0e(k)) + k
    return kappa * (np.cos(x - mu) - 1) - np.log(2 * np.pi * scipy.special.i0e(kappa))


def matern_kernel(X, length=1.0, nu=2.5, sigma2=1.0):
    d = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    d = np.maximum(d, 1e-12)
    s = np.sqrt(2 * nu) * d / length
    K = sigma2 * 2 ** (1 - nu) / scipy.special.gamma(nu) * s ** nu * scipy.special.kv(nu, s)
    K[d <= 1e-12] = sigma2
    return K


def pendulum_period(theta0, L=1.0, g=9.81):
    k2 = np.sin(theta0 / 2) ** 2
    T_exact = 4 * np.sqrt(L / g) * scipy.special.ellipk(k2)
    return T_exact, T_exact / (2 * np.pi * np.sqrt(L / g))


def ellipse_perimeter(a, b):
    a, b = np.maximum(a, b), np.minimum(a, b)
    e2 = 1 - (b / a) ** 2
    return 4 * a * scipy.special.ellipe(e2)


def student_t_cdf_hyp2f1(x, nu):
    G = scipy.special.gamma
    return 0.5 + x * G((nu + 1) / 2) * scipy.special.hyp2f1(
        0.5, (nu + 1) / 2, 1.5, -x ** 2 / nu) / (np.sqrt(np.pi * nu) * G(nu / 2))


def rice_mean(nu, sigma):
    L = scipy.special.hyp1f1(-0.5, 1, -nu ** 2 / (2 * sigma ** 2))
    return sigma * np.sqrt(np.pi / 2) * L


def single_diode_current(V, IL, I0, Rs, Rsh, nNsVth):
    # pvlib's explicit Lambert-W solution of the single-diode equation
    arg = (Rs * I0 * Rsh / (nNsVth * (Rs + Rsh))
           * np.exp(Rsh * (Rs * (IL + I0) + V) / (nNsVth * (Rs + Rsh))))
    W = scipy.special.lambertw(arg).real
    return (Rsh * (IL + I0) - V) / (Rs + Rsh) - nNsVth / Rs * W


def chi2_cdf_gammainc(x, k):
    return scipy.special.gammainc(k / 2.0, x / 2.0), scipy.special.gammaincc(k / 2.0, x / 2.0)


SPECIAL = {
    "poisson_loglik_gammaln": (poisson_loglik, {}, lambda s, n: (
        _i(8, 3 * n, seed=s).astype(float), _pos(s, 3 * n, lo=1, hi=5))),
    "negbin_logpmf": (negbin_logpmf, {}, lambda s, n: (
        _i(12, n, 3, seed=s), _pos(s, 1, 3, lo=1, hi=4), 0.35)),
    "beta_binomial_betaln": (beta_binomial_loglik, {}, lambda s, n: (
        _i(10, n, 5, seed=s), 10, _pos(s, n, 1), _pos(s + 1, n, 1))),
    "lda_dirichlet_expectation_psi": (dirichlet_expectation_2d, {}, lambda s, n: (
        _pos(s, n, 5, lo=0.1, hi=3),)),
    "online_lda_e_step": (lda_e_step, {"n_iter": 6}, lambda s, n: (
        _i(4, n, 7, seed=s).astype(float), _pos(s, 3, 7, lo=0.1, hi=1))),
    "inverse_digamma_polygamma": (inverse_digamma_newton, {}, lambda s, n: (
        np.linspace(-4, 3, 2 * n) + 0.01 * s,)),
    "logistic_expit_xlogy": (logistic_loss_grad, {}, lambda s, n: (
        _f(3, seed=s), _f(5 * n, 3, seed=s + 1), (_u(s, 5 * n) < 0.5).astype(float))),
    "bce_xlog1py": (bce_xlog1py, {}, lambda s, n: (
        (_u(s, 2 * n) < 0.4).astype(float), _f(2 * n, seed=s) * 3)),
    "logit_clipped_proportions": (logit_proportions, {}, lambda s, n: (
        _i(20, n, seed=s) * (np.arange(n) > 0), np.full(n, 20))),
    "softmax_temperature_float32": (softmax_temperature_f32, {}, lambda s, n: (
        _f(n, 5, seed=s).astype(np.float32),)),
    "nll_log_softmax_fancy": (nll_log_softmax, {}, lambda s, n: (
        _f(2 * n, 4, seed=s) * 3, _i(4, 2 * n, seed=s))),
    "hmm_forward_logsumexp": (hmm_forward_logsumexp, {}, lambda s, n: (
        np.log(np.full(3, 1 / 3)), np.log(_pos(s, 3, 3) / _pos(s, 3, 3).sum(1, keepdims=True)),
        np.log(_pos(s + 1, 3, 4) / _pos(s + 1, 3, 4).sum(1, keepdims=True)), _i(4, 3 * n, seed=s))),
    "gmm_responsibilities_keepdims": (gmm_responsibilities, {}, lambda s, n: (
        _f(3 * n, 2, seed=s), _f(3, 2, seed=s + 1) * 2, np.log(np.array([0.2, 0.3, 0.5])))),
    "logsumexp_b_return_sign": (signed_logsumexp_series, {}, lambda s, n: (
        -np.arange(2 * n) * 0.3 + _f(3, 2 * n, seed=s) * 0.1,
        (-1.0) ** np.arange(2 * n) * np.array([[1.0], [0.5], [-2.0]]))),
    "log_mean_exp_b": (log_mean_exp, {}, lambda s, n: (_f(4 * n, 3, seed=s) * 20,)),
    "normal_cdf_erf": (normal_cdf_erf, {}, lambda s, n: (_f(n, 3, seed=s), 0.2, _pos(s, 3))),
    "rank_inverse_normal_ndtri": (rank_inverse_normal, {}, lambda s, n: (
        np.round(_f(4 * n, seed=s), 1),)),
    "gaussianize_erfinv": (gaussianize_uniform, {}, lambda s, n: (_u(s, n, 3) * 0.98 + 0.01,)),
    "entropy_kl_xlogy": (entropy_kl_xlogy, {}, lambda s, n: (
        _u(s, n, 5) * (_u(s + 1, n, 5) > 0.3), _u(s + 2, n, 5) + 0.1)),
    "entropy_entr_rel_entr": (entropy_kl_entr, {}, lambda s, n: (
        _u(s, n, 5) * (_u(s + 1, n, 5) > 0.3), _u(s + 2, n, 5) + 0.1)),
    "binomial_pmf_special_binom": (binomial_pmf_table, {}, lambda s, n: (_u(s, n),)),
    "rarefaction_special_comb": (rarefaction_comb, {}, lambda s, n: (_i(15, 2 * n, seed=s) + 1,)),
    "zipf_zeta": (zipf_pmf, {}, lambda s, n: (np.arange(1, 3 * n + 1), 1.5 + 0.2 * s)),
    "membrane_modes_jv_jn_zeros": (membrane_modes, {}, lambda s, n: (
        _u(s, n, 5), _u(s + 1, n, 5) * 2 * np.pi, 0.1 * s)),
    "von_mises_pdf_iv": (von_mises_pdf, {}, lambda s, n: (
        np.linspace(-np.pi, np.pi, 3 * n), 0.3, _pos(s, 3 * n, lo=0.5, hi=8))),
    "von_mises_logpdf_i0e": (von_mises_logpdf_i0e, {}, lambda s, n: (
        np.linspace(-np.pi, np.pi, 3 * n), _f(1, seed=s), np.array([[1.0], [50.0], [900.0]]))),
    "matern_kv_fancy_write": (matern_kernel, {}, lambda s, n: (
        np.vstack([_f(n, 2, seed=s), _f(1, 2, seed=s)]),)),
    "pendulum_period_ellipk": (pendulum_period, {}, lambda s, n: (
        np.linspace(0.1, 3.0, 2 * n) * (0.9 + 0.02 * s),)),
    "ellipse_perimeter_ellipe": (ellipse_perimeter, {}, lambda s, n: (
        _pos(s, n), _pos(s + 1, n))),
    "student_t_cdf_hyp2f1": (student_t_cdf_hyp2f1, {}, lambda s, n: (
        _f(2 * n, seed=s) * 2, 3.0 + s)),
    "rice_mean_hyp1f1": (rice_mean, {}, lambda s, n: (_pos(s, n, lo=0, hi=4), _pos(s + 1, n))),
    "single_diode_lambertw_real": (single_diode_current, {}, lambda s, n: (
        np.linspace(0, 40, 3 * n), 6.0 + 0.1 * s, 1e-9, 0.3, 300.0, 1.8)),
    "chi2_cdf_gammainc": (chi2_cdf_gammainc, {}, lambda s, n: (
        _pos(s, 2 * n, lo=0.1, hi=15), np.arange(1, 2 * n + 1).astype(float))),
}


@pytest.mark.parametrize("name", _names(SPECIAL))
def test_scipy_special_matches_scipy(name):
    """Log-likelihoods by gammaln/betaln, LDA by psi, expit/logit/softmax/logsumexp forms,
    erf/erfinv/ndtri, xlogy/entr/rel_entr, binom/comb/zeta, Bessel, elliptic and
    hypergeometric functions, lambertw and gammainc, as SciPy computes them."""
    check_like_numpy(*SPECIAL[name])


# ============================================================================== scipy.stats


def gaussian_loglik(x, mu, sigma):
    return stats.norm.logpdf(x, loc=mu, scale=sigma).sum(axis=0)


def frozen_interval_prob(mu, sigma, lo, hi):
    dist = stats.norm(mu, sigma)
    return dist.cdf(hi) - dist.cdf(lo), dist.ppf(0.975), dist.sf(hi)


def t_confidence_interval(x, confidence=0.95):
    n = len(x)
    m = np.mean(x)
    se = np.std(x, ddof=1) / np.sqrt(n)
    h = se * stats.t.ppf((1 + confidence) / 2.0, n - 1)
    return m, m - h, m + h


def t_interval_sem(x):
    # the Stack Overflow answer: t.interval with loc=mean and scale=sem
    return stats.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=stats.sem(x))


def norm_interval_columns(X):
    mu = X.mean(axis=0)
    se = X.std(axis=0, ddof=1) / np.sqrt(X.shape[0])
    lo, hi = stats.norm.interval(0.9, loc=mu, scale=se)
    return np.vstack([lo, hi])


def chi2_goodness_of_fit(observed, probs):
    expected = observed.sum() * probs
    stat = ((observed - expected) ** 2 / expected).sum()
    dof = len(observed) - 1
    return stat, stats.chi2.sf(stat, dof), stat > stats.chi2.ppf(0.95, dof)


def f_test_variances(a, b):
    F = np.var(a, ddof=1) / np.var(b, ddof=1)
    dfn, dfd = a.size - 1, b.size - 1
    p = 2 * min(stats.f.cdf(F, dfn, dfd), stats.f.sf(F, dfn, dfd))
    return F, p


def gamma_loglik_shape_scale(x, k, theta):
    return stats.gamma.logpdf(x[:, None], a=k, scale=theta).sum(axis=0)


def beta_credible_intervals(successes, trials, a0=1.0, b0=1.0):
    # Thompson-sampling dashboards: per-arm posterior means and 95% intervals
    a = a0 + successes
    b = b0 + trials - successes
    lo = stats.beta.ppf(0.025, a, b)
    hi = stats.beta.ppf(0.975, a, b)
    return {"mean": a / (a + b), "lo": lo, "hi": hi}


def poisson_tail_probs(k, mu):
    return stats.poisson.pmf(k, mu), stats.poisson.sf(k - 1, mu), stats.poisson.logpmf(k, mu)


def binom_logpmf_grid(k, n, p):
    return stats.binom.logpmf(k[:, None], n, p[None, :])


def mvn_logpdf_fitted(X, Y):
    mu = X.mean(axis=0)
    cov = np.cov(X, rowvar=False)
    return stats.multivariate_normal(mean=mu, cov=cov).logpdf(Y)


def gmm_e_step_mvn(X, means, covs, weights):
    K = len(weights)
    resp = np.zeros((X.shape[0], K))
    for k in range(K):
        resp[:, k] = weights[k] * stats.multivariate_normal.pdf(X, mean=means[k], cov=covs[k])
    resp /= resp.sum(axis=1, keepdims=True)
    return resp


def rvs_bootstrap_means(x, rng, n_boot=30):
    # parametric bootstrap: resample from a fitted normal with a Generator as random_state
    mu, sd = x.mean(), x.std(ddof=1)
    sims = stats.norm.rvs(loc=mu, scale=sd, size=(n_boot, x.size), random_state=rng)
    return sims.mean(axis=1), np.percentile(sims.mean(axis=1), [2.5, 97.5])


def frozen_expon_rvs(rates, rng):
    dist = stats.expon(scale=1.0 / rates)
    return dist.rvs(size=(3, rates.size), random_state=rng), dist.mean()


def noisy_observations(x, rng, sigma=0.1):
    # synthetic data for a curve-fitting demo: noise from scipy.stats with a Generator
    y = np.sin(x) + stats.norm.rvs(scale=sigma, size=x.shape, random_state=rng)
    return y, np.mean((y - np.sin(x)) ** 2)


def shifted_draws(mu, rng):
    return stats.norm.rvs(loc=mu, scale=2.0, size=(3, mu.size), random_state=rng)


def pearson_r_p(x, y):
    r, p = stats.pearsonr(x, y)
    return r, p


def spearman_kendall(x, y):
    rho, p_rho = stats.spearmanr(x, y)
    tau, p_tau = stats.kendalltau(x, y)
    return np.array([rho, tau]), np.array([p_rho, p_tau])


def ttest_ind_tuple(a, b):
    t, p = stats.ttest_ind(a, b, equal_var=False)
    return t, p


def ttest_rel_pre_post(pre, post):
    res = stats.ttest_rel(post, pre)
    d = (post - pre).mean() / (post - pre).std(ddof=1)
    return res.statistic, res.pvalue, d


def mannwhitney_ks(a, b):
    u = stats.mannwhitneyu(a, b, alternative="two-sided")
    ks = stats.ks_2samp(a, b)
    return u.statistic, u.pvalue, ks.statistic, ks.pvalue


def zscore_columns(X):
    return stats.zscore(X, axis=0, ddof=1)


def rankdata_ties(x):
    return stats.rankdata(x), stats.rankdata(x, method="min"), stats.rankdata(x, method="dense")


def linregress_summary(x, y):
    res = stats.linregress(x, y)
    return {"slope": res.slope, "intercept": res.intercept, "r2": res.rvalue ** 2,
            "p": res.pvalue, "stderr": res.stderr}


def ols_p_values(X, y):
    n, k = X.shape
    beta = np.linalg.solve(X.T @ X, X.T @ y)
    resid = y - X @ beta
    sigma2 = resid @ resid / (n - k)
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(X.T @ X)))
    t = beta / se
    p = 2 * stats.t.sf(np.abs(t), n - k)
    return beta, se, t, p


def two_sample_power(effect, n, alpha=0.05):
    z_a = stats.norm.ppf(1 - alpha / 2)
    ncp = effect * np.sqrt(n / 2)
    return stats.norm.sf(z_a - ncp) + stats.norm.cdf(-z_a - ncp)


def lognormal_fit_moments(x):
    mu, s = np.log(x).mean(), np.log(x).std()
    dist = stats.lognorm(s=s, scale=np.exp(mu))
    return dist.mean(), dist.median(), dist.cdf(np.median(x))


def variance_ci_chi2(x, alpha=0.05):
    n = x.shape[0]
    s2 = x.var(axis=0, ddof=1)
    lo = (n - 1) * s2 / stats.chi2.ppf(1 - alpha / 2, n - 1)
    hi = (n - 1) * s2 / stats.chi2.ppf(alpha / 2, n - 1)
    return lo, hi


STATS = {
    "norm_logpdf_sum": (gaussian_loglik, {}, lambda s, n: (
        _f(4 * n, 3, seed=s), _f(3, seed=s + 1), _pos(s, 3))),
    "frozen_norm_cdf_ppf_sf": (frozen_interval_prob, {}, lambda s, n: (
        _f(n, seed=s), _pos(s, n), -1.0, _pos(s + 1, n))),
    "t_ppf_confidence_interval": (t_confidence_interval, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "t_interval_sem": (t_interval_sem, {}, lambda s, n: (_f(3 * n, seed=s) + s,)),
    "norm_interval_columns": (norm_interval_columns, {}, lambda s, n: (_f(3 * n, 3, seed=s),)),
    "chi2_gof_by_hand": (chi2_goodness_of_fit, {}, lambda s, n: (
        _i(30, n, seed=s) + 10, np.full(n, 1.0 / n))),
    "f_test_python_min": (f_test_variances, {}, lambda s, n: (
        _f(3 * n, seed=s), 1.5 * _f(2 * n + 1, seed=s + 1))),
    "gamma_logpdf_shape_scale": (gamma_loglik_shape_scale, {}, lambda s, n: (
        _pos(s, 4 * n, lo=0.1, hi=5), _pos(s + 1, 3, lo=1, hi=3), _pos(s + 2, 3))),
    "beta_ppf_credible_dict": (beta_credible_intervals, {}, lambda s, n: (
        _i(20, n, seed=s), np.full(n, 40))),
    "poisson_pmf_sf": (poisson_tail_probs, {}, lambda s, n: (
        _i(10, n, seed=s), _pos(s, n, lo=1, hi=6))),
    "binom_logpmf_grid": (binom_logpmf_grid, {}, lambda s, n: (
        np.arange(n + 1), n, np.linspace(0.1, 0.9, 3))),
    "multivariate_normal_fitted": (mvn_logpdf_fitted, {}, lambda s, n: (
        _f(10 * n, 3, seed=s) @ np.array([[1.0, 0.3, 0], [0, 1, 0.2], [0, 0, 1]]),
        _f(n, 3, seed=s + 1))),
    "gmm_e_step_mvn_pdf_loop": (gmm_e_step_mvn, {}, lambda s, n: (
        _f(3 * n, 2, seed=s), _f(2, 2, seed=s + 1), np.stack([_spd(s, 2), _spd(s + 1, 2)]),
        np.array([0.4, 0.6]))),
    "norm_rvs_noise_generator": (noisy_observations, {}, lambda s, n: (
        np.linspace(0, 3, 4 * n), np.random.default_rng(s))),
    "norm_rvs_traced_loc": (shifted_draws, {}, lambda s, n: (
        _f(n, seed=s), np.random.default_rng(s))),
    "pearsonr": (pearson_r_p, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(3 * n, seed=s) + _f(3 * n, seed=s + 1))),
    "spearmanr_kendalltau": (spearman_kendall, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(3 * n, seed=s) + _f(3 * n, seed=s + 1))),
    "ttest_ind_welch_tuple": (ttest_ind_tuple, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(2 * n, seed=s + 1) + 0.5)),
    "ttest_rel_cohens_d": (ttest_rel_pre_post, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(3 * n, seed=s) + 0.3 + 0.5 * _f(3 * n, seed=s + 1))),
    "mannwhitneyu_ks_2samp": (mannwhitney_ks, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(2 * n, seed=s + 1) + 0.4)),
    "zscore_ddof": (zscore_columns, {}, lambda s, n: (_f(2 * n, 3, seed=s),)),
    "rankdata_methods_ties": (rankdata_ties, {}, lambda s, n: (_i(5, 3 * n, seed=s),)),
    "linregress_dict": (linregress_summary, {}, lambda s, n: (
        np.arange(3.0 * n), 2 * np.arange(3.0 * n) + _f(3 * n, seed=s))),
    "ols_t_sf_p_values": (ols_p_values, {}, lambda s, n: (
        np.column_stack([np.ones(5 * n), _f(5 * n, 2, seed=s)]), _f(5 * n, seed=s + 1))),
    "power_norm_ppf_sf": (two_sample_power, {}, lambda s, n: (
        np.linspace(0.1, 1.0, n), 20 + 5 * s)),
    "lognorm_frozen_moments": (lognormal_fit_moments, {}, lambda s, n: (_pos(s, 5 * n),)),
    "variance_ci_chi2_ppf": (variance_ci_chi2, {}, lambda s, n: (_f(3 * n, 2, seed=s),)),
}


@pytest.mark.parametrize("name", _names(STATS))
def test_scipy_stats_matches_scipy(name):
    """Distributions' methods (frozen, with a Generator as random_state, multivariate normal
    with computed moments), intervals, tests by hand and SciPy's own tests, ranks and
    z-scores: SciPy's values, dtypes and result types."""
    check_like_numpy(*STATS[name])


# ============================================================================= scipy.linalg


def ridge_assume_pos(X, y, lam):
    A = X.T @ X + lam * np.eye(X.shape[1])
    return scipy.linalg.solve(A, X.T @ y, assume_a="pos")


def rbf(A, B, ell=1.0):
    sq = np.sum(A ** 2, 1)[:, None] + np.sum(B ** 2, 1)[None, :] - 2 * A @ B.T
    return np.exp(-0.5 * sq / ell ** 2)


def gp_predict_cho(X, y, Xs, noise=1e-2):
    # Rasmussen & Williams Algorithm 2.1 by cho_factor/cho_solve
    K = rbf(X, X) + noise * np.eye(len(X))
    c, low = cho_factor(K, lower=True)
    alpha = cho_solve((c, low), y)
    Ks = rbf(X, Xs)
    mean = Ks.T @ alpha
    v = cho_solve((c, low), Ks)
    var = np.diag(rbf(Xs, Xs)) - np.sum(Ks * v, axis=0)
    return mean, var


def gp_log_marginal_likelihood(X, y, noise=0.1):
    n = len(y)
    K = rbf(X, X) + noise ** 2 * np.eye(n)
    L = scipy.linalg.cholesky(K, lower=True)
    alpha = solve_triangular(L.T, solve_triangular(L, y, lower=True), lower=False)
    return -0.5 * y @ alpha - np.log(np.diag(L)).sum() - 0.5 * n * np.log(2 * np.pi)


def implicit_heat_lu(u0, r, steps=10):
    n = u0.size
    A = (1 + 2 * r) * np.eye(n) - r * np.eye(n, k=1) - r * np.eye(n, k=-1)
    lu_piv = lu_factor(A)
    u = u0.copy()
    history = [u]
    for _ in range(steps):
        u = lu_solve(lu_piv, u)
        history.append(u)
    return np.array(history)


def ctmc_transition_expm(rates, t):
    Q = rates.copy()
    np.fill_diagonal(Q, 0.0)
    np.fill_diagonal(Q, -Q.sum(axis=1))
    P = scipy.linalg.expm(Q * t)
    return P, P.sum(axis=1)


def linear_ode_expm(A, x0, times):
    return np.array([scipy.linalg.expm(A * t) @ x0 for t in times])


def rotation_expm(omega):
    # exp of the skew matrix: a rotation matrix from an axis-angle vector
    wx, wy, wz = omega
    W = np.array([[0, -wz, wy], [wz, 0, -wx], [-wy, wx, 0]])
    R = scipy.linalg.expm(W)
    return R, np.linalg.det(R)


def bures_wasserstein(A, B):
    sA = scipy.linalg.sqrtm(A)
    cross = scipy.linalg.sqrtm(sA @ B @ sA)
    return np.trace(A + B - 2 * cross).real


def log_euclidean_mean(mats):
    logs = [scipy.linalg.logm(M) for M in mats]
    return scipy.linalg.expm(np.mean(logs, axis=0)).real


def schur_stability(A):
    T, Z = scipy.linalg.schur(A)
    return T, Z, np.allclose(Z @ T @ Z.T, A)


def qr_least_squares(A, b):
    Q, R = scipy.linalg.qr(A, mode="economic")
    x = solve_triangular(R, Q.T @ b)
    return x, np.linalg.norm(A @ x - b)


def low_rank_svd(X, k=2):
    U, s, Vt = scipy.linalg.svd(X, full_matrices=False)
    Xk = U[:, :k] @ np.diag(s[:k]) @ Vt[:k]
    return Xk, s[:k] ** 2 / np.sum(s ** 2)


def spectral_embedding(W, k=2):
    # normalised Laplacian, its k smallest eigenpairs by eigh(subset_by_index)
    W = 0.5 * (W + W.T)
    np.fill_diagonal(W, 0)
    d = W.sum(axis=1)
    D_inv_sqrt = np.diag(1 / np.sqrt(d))
    L = np.eye(len(d)) - D_inv_sqrt @ W @ D_inv_sqrt
    vals, vecs = scipy.linalg.eigh(L, subset_by_index=[0, k - 1])
    return vals, np.abs(vecs)


def vibration_modes(K, M):
    w2, modes = scipy.linalg.eigh(K, M)
    return np.sqrt(np.abs(w2)) / (2 * np.pi), np.abs(modes)


def yule_walker_toeplitz(x, order=3):
    x = x - x.mean()
    n = len(x)
    r = np.array([np.dot(x[:n - k], x[k:]) / n for k in range(order + 1)])
    R = scipy.linalg.toeplitz(r[:order])
    phi = scipy.linalg.solve(R, r[1:])
    sigma2 = r[0] - phi @ r[1:]
    return phi, sigma2


def circulant_conv(x, h):
    C = scipy.linalg.circulant(np.concatenate([h, np.zeros(len(x) - len(h))]))
    return C @ x


def ssa_hankel(x, L=4):
    # singular spectrum analysis: the trajectory matrix by hankel
    K = len(x) - L + 1
    X = scipy.linalg.hankel(x[:L], x[L - 1:])
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    X1 = s[0] * np.outer(U[:, 0], Vt[0])
    # diagonal averaging back to a series
    rec = np.zeros(len(x))
    cnt = np.zeros(len(x))
    for i in range(L):
        rec[i:i + K] += X1[i]
        cnt[i:i + K] += 1
    return rec / cnt, s / s.sum()


def block_diag_covariance(blocks, noise):
    C = scipy.linalg.block_diag(*blocks)
    return C + noise * np.eye(C.shape[0]), np.linalg.slogdet(C)[1]


def lu_det(A):
    P, L, U = scipy.linalg.lu(A)
    sign = np.linalg.det(P)
    return P, L, U, sign * np.prod(np.diag(U))


def pinv_lstsq(A, b):
    x1 = scipy.linalg.pinv(A) @ b
    x2, res, rank, sv = scipy.linalg.lstsq(A, b)
    return x1, x2, res, rank, sv


def eigvals_spectral_radius(A):
    w = scipy.linalg.eigvals(A)
    return np.max(np.abs(w)), np.sort(np.abs(w))


def matrix_norms(A):
    return (scipy.linalg.norm(A), scipy.linalg.norm(A, 1), scipy.linalg.norm(A, np.inf),
            scipy.linalg.norm(A, axis=0))


def kalman_filter_solve(zs, F, H, Q, R, x0, P0):
    x, P = x0, P0
    xs = np.zeros((len(zs), len(x0)))
    for t in range(len(zs)):
        x = F @ x
        P = F @ P @ F.T + Q
        S = H @ P @ H.T + R
        K = scipy.linalg.solve(S, H @ P, assume_a="pos").T
        x = x + K @ (zs[t] - H @ x)
        P = (np.eye(len(x)) - K @ H) @ P
        xs[t] = x
    return xs, P


def cholesky_upper_default(A):
    U = scipy.linalg.cholesky(A)
    return U, np.allclose(U.T @ U, A), 2 * np.sum(np.log(np.diag(U)))


def inv_det_float32(A):
    A32 = A.astype(np.float32)
    return scipy.linalg.inv(A32), scipy.linalg.det(A32)


_CV = np.array([[0.2, 0.1, 0.0], [0.0, 0.3, 0.1], [0.1, 0.0, 0.4]])

LINALG = {
    "ridge_solve_assume_pos": (ridge_assume_pos, {}, lambda s, n: (
        _f(4 * n, 3, seed=s), _f(4 * n, seed=s + 1), 0.5)),
    "gp_predict_cho_factor": (gp_predict_cho, {}, lambda s, n: (
        _f(n, 1, seed=s), np.sin(_f(n, seed=s)), np.linspace(-2, 2, 5)[:, None])),
    "gp_lml_cholesky_solve_triangular": (gp_log_marginal_likelihood, {}, lambda s, n: (
        _f(2 * n, 2, seed=s), _f(2 * n, seed=s + 1))),
    "implicit_heat_lu_factor_loop": (implicit_heat_lu, {}, lambda s, n: (
        np.sin(np.linspace(0, np.pi, 2 * n)) + 0.1 * _f(2 * n, seed=s), 0.4)),
    "ctmc_expm_fill_diagonal": (ctmc_transition_expm, {}, lambda s, n: (_pos(s, n, n), 0.3)),
    "linear_ode_expm_list": (linear_ode_expm, {}, lambda s, n: (
        -_spd(s, n) * 0.2, _f(n, seed=s), [0.0, 0.5, 1.0])),
    "rotation_expm_skew": (rotation_expm, {}, lambda s, n: (_f(3, seed=s),)),
    "bures_sqrtm": (bures_wasserstein, {}, lambda s, n: (_spd(s, n), _spd(s + 1, n))),
    "log_euclidean_mean_logm": (log_euclidean_mean, {}, lambda s, n: (
        np.stack([_spd(s + k, n) for k in range(3)]),)),
    "schur_real": (schur_stability, {}, lambda s, n: (_spd(s, n),)),
    "qr_economic_least_squares": (qr_least_squares, {}, lambda s, n: (
        _f(3 * n, 3, seed=s), _f(3 * n, seed=s + 1))),
    "low_rank_svd": (low_rank_svd, {}, lambda s, n: (_f(n + 2, n, seed=s),)),
    "spectral_embedding_subset_by_index": (spectral_embedding, {}, lambda s, n: (
        _u(s, 2 * n, 2 * n) + 0.05,)),
    "vibration_modes_generalized_eigh": (vibration_modes, {}, lambda s, n: (
        _spd(s, n), np.diag(_pos(s, n)))),
    "yule_walker_toeplitz": (yule_walker_toeplitz, {}, lambda s, n: (
        np.cumsum(_f(10 * n, seed=s)) * 0.1 + _f(10 * n, seed=s + 1),)),
    "circulant_convolution": (circulant_conv, {}, lambda s, n: (
        _f(2 * n, seed=s), np.array([0.5, 0.3, 0.2]))),
    "ssa_hankel_diagonal_average": (ssa_hankel, {}, lambda s, n: (
        np.sin(np.arange(3 * n) * 0.5) + 0.1 * _f(3 * n, seed=s),)),
    "block_diag_of_list": (block_diag_covariance, {}, lambda s, n: (
        [_spd(s + k, 2) for k in range(n // 2)], 0.1)),
    "lu_permutation_det": (lu_det, {}, lambda s, n: (_f(n, n, seed=s),)),
    "pinv_and_lstsq": (pinv_lstsq, {}, lambda s, n: (_f(3 * n, 3, seed=s), _f(3 * n, seed=s + 1))),
    "eigvals_spectral_radius": (eigvals_spectral_radius, {}, lambda s, n: (_f(n, n, seed=s),)),
    "scipy_linalg_norms": (matrix_norms, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "kalman_filter_solve_pos": (kalman_filter_solve, {}, lambda s, n: (
        _f(3 * n, 1, seed=s) + np.arange(3 * n)[:, None] * 0.5,
        np.array([[1.0, 1.0], [0.0, 1.0]]), np.array([[1.0, 0.0]]), 0.01 * np.eye(2),
        np.array([[0.5]]), np.zeros(2), np.eye(2))),
    "cholesky_upper_default": (cholesky_upper_default, {}, lambda s, n: (_spd(s, n),)),
    "inv_det_float32": (inv_det_float32, {}, lambda s, n: (_spd(s, n),)),
}


@pytest.mark.parametrize("name", _names(LINALG))
def test_scipy_linalg_matches_scipy(name):
    """Solvers with assume_a, Cholesky and LU factorizations reused, matrix functions, Schur,
    QR, SVD, eigh with subsets and generalized, special matrices, Kalman filtering."""
    check_like_numpy(*LINALG[name])


# ============================================================================= scipy.signal


def butter_lowpass_filtfilt(data, cutoff=5.0, fs=100.0, order=4):
    # the most copied Stack Overflow answer
    nyq = 0.5 * fs
    b, a = butter(order, cutoff / nyq, btype="low", analog=False)
    return filtfilt(b, a, data)


def bandpass_sos_channels(X, low=1.0, high=20.0, fs=100.0):
    sos = butter(3, [low, high], btype="bandpass", fs=fs, output="sos")
    return scipy.signal.sosfiltfilt(sos, X, axis=-1)


def discount_cumsum(x, discount=0.99):
    # rllab / spinning-up: discounted returns by lfilter of the reversed rewards
    return scipy.signal.lfilter([1], [1, float(-discount)], x[::-1], axis=0)[::-1]


def ema_lfilter_zi(x, alpha=0.2):
    b, a = [alpha], [1, alpha - 1]
    zi = scipy.signal.lfilter_zi(b, a) * x[0]
    y, _ = lfilter(b, a, x, zi=zi)
    return y


def savgol_smooth_derivative(y, dt=0.1):
    smooth = scipy.signal.savgol_filter(y, 7, 2)
    dydt = scipy.signal.savgol_filter(y, 7, 2, deriv=1, delta=dt)
    return smooth, dydt


def welch_psd_db(x, fs=64.0):
    f, Pxx = scipy.signal.welch(x, fs=fs, nperseg=32)
    return f, 10 * np.log10(Pxx + 1e-20)


def periodogram_peak(x, fs=50.0):
    f, P = scipy.signal.periodogram(x, fs, window="hann")
    k = np.argmax(P[1:]) + 1
    return f[k], P.sum() * (f[1] - f[0])


def gaussian_window_smooth(x):
    w = scipy.signal.get_window(("gaussian", 2.0), 9)
    return scipy.signal.convolve(x, w / w.sum(), mode="same")


def fftconvolve_smooth_2d(img):
    k = np.outer(scipy.signal.windows.hann(5), scipy.signal.windows.hann(5))
    return scipy.signal.fftconvolve(img, k / k.sum(), mode="same")


def xcorr_lag(x, y):
    corr = scipy.signal.correlate(x, y, mode="full")
    lags = scipy.signal.correlation_lags(len(x), len(y), mode="full")
    return lags[np.argmax(corr)], corr / (np.linalg.norm(x) * np.linalg.norm(y))


def hilbert_envelope(x, fs=200.0):
    analytic = scipy.signal.hilbert(x)
    envelope = np.abs(analytic)
    phase = np.unwrap(np.angle(analytic))
    inst_freq = np.diff(phase) / (2.0 * np.pi) * fs
    return envelope, inst_freq, analytic


def detrend_both(X):
    return scipy.signal.detrend(X, axis=0), scipy.signal.detrend(X, axis=0, type="constant")


def resample_signal(x, num=24):
    return scipy.signal.resample(x, num)


def medfilt_despike(x):
    return scipy.signal.medfilt(x, kernel_size=5)


def spectrogram_db(x, fs=128.0):
    f, t, Sxx = scipy.signal.spectrogram(x, fs, nperseg=32, noverlap=16)
    return f, t, 10 * np.log10(Sxx + 1e-12)


def decimate_signal(x):
    return scipy.signal.decimate(x, 4, ftype="fir")


def windowed_rfft(x):
    w = scipy.signal.windows.hann(x.shape[-1], sym=False)
    spec = np.fft.rfft(x * w, axis=-1)
    return np.abs(spec) * 2 / w.sum(), np.angle(spec)


def _sig(s, n):
    t = np.arange(16 * n) / 64.0
    return np.sin(2 * np.pi * 3 * t) + 0.5 * np.sin(2 * np.pi * 11 * t) + 0.3 * _f(16 * n, seed=s)


SIGNAL = {
    "butter_lowpass_filtfilt": (butter_lowpass_filtfilt, {}, lambda s, n: (_sig(s, n),)),
    "bandpass_sos_sosfiltfilt_axis": (bandpass_sos_channels, {}, lambda s, n: (
        np.stack([_sig(s, n), _sig(s + 1, n)]),)),
    "discount_cumsum_lfilter_reversed": (discount_cumsum, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "ema_lfilter_zi": (ema_lfilter_zi, {}, lambda s, n: (_f(4 * n, seed=s) + 3,)),
    "savgol_filter_deriv": (savgol_smooth_derivative, {}, lambda s, n: (_sig(s, n)[:6 * n],)),
    "welch_psd_db": (welch_psd_db, {}, lambda s, n: (_sig(s, n),)),
    "periodogram_dominant_frequency": (periodogram_peak, {}, lambda s, n: (_sig(s, n),)),
    "convolve_gaussian_get_window": (gaussian_window_smooth, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "fftconvolve_hann_2d": (fftconvolve_smooth_2d, {}, lambda s, n: (_f(2 * n, 2 * n, seed=s),)),
    "correlate_correlation_lags": (xcorr_lag, {}, lambda s, n: (
        _f(4 * n, seed=s), np.roll(_f(4 * n, seed=s), 3) + 0.1 * _f(4 * n, seed=s + 1))),
    "hilbert_envelope_inst_freq": (hilbert_envelope, {}, lambda s, n: (
        np.sin(2 * np.pi * 10 * np.arange(8 * n) / 200.0) * (1 + 0.3 * _u(s, 8 * n)),)),
    "detrend_linear_constant": (detrend_both, {}, lambda s, n: (
        _f(3 * n, 2, seed=s) + np.arange(3 * n)[:, None] * 0.2,)),
    "resample_fourier": (resample_signal, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "medfilt_despike": (medfilt_despike, {}, lambda s, n: (
        _f(4 * n, seed=s) + 10 * (_u(s, 4 * n) > 0.9),)),
    "spectrogram_db": (spectrogram_db, {}, lambda s, n: (_sig(s, n),)),
    "decimate_fir": (decimate_signal, {}, lambda s, n: (_sig(s, n),)),
    "windowed_rfft_hann": (windowed_rfft, {}, lambda s, n: (_f(3, 4 * n, seed=s),)),
}


@pytest.mark.parametrize("name", _names(SIGNAL))
def test_scipy_signal_matches_scipy(name):
    """Butterworth filtering forward-backward, lfilter as discounting and EMAs,
    Savitzky-Golay, spectra by welch/periodogram/spectrogram, convolutions and
    correlations, Hilbert envelopes, detrend, resample, medfilt, decimate."""
    check_like_numpy(*SIGNAL[name])


# ============================================================================ scipy.ndimage


def unsharp_mask(img, sigma=1.5, amount=1.0):
    blurred = ndi.gaussian_filter(img, sigma=sigma)
    return np.clip(img + amount * (img - blurred), 0, 1)


def difference_of_gaussians(img):
    return ndi.gaussian_filter(img, 1.0) - ndi.gaussian_filter(img, 2.0, mode="nearest")


def lee_filter(img, size=3):
    img_mean = ndi.uniform_filter(img, size)
    img_sqr_mean = ndi.uniform_filter(img ** 2, size)
    img_variance = img_sqr_mean - img_mean ** 2
    overall_variance = np.var(img)
    weights = img_variance / (img_variance + overall_variance)
    return img_mean + weights * (img - img_mean)


def median_denoise(img):
    return ndi.median_filter(img, size=3), ndi.median_filter(img, footprint=np.eye(3, dtype=bool))


def laplacian_convolve(img):
    k = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float)
    return ndi.convolve(img, k, mode="reflect")


def sobel_magnitude(img):
    sx = ndi.sobel(img, axis=0, mode="constant")
    sy = ndi.sobel(img, axis=1, mode="constant")
    return np.hypot(sx, sy), np.arctan2(sy, sx)


def binary_cleanup(img, thresh=0.5):
    mask = img > thresh
    opened = ndi.binary_opening(mask, structure=np.ones((2, 2)))
    closed = ndi.binary_closing(opened, iterations=1)
    edge = mask ^ ndi.binary_erosion(mask)
    dilated = ndi.binary_dilation(mask, structure=ndi.generate_binary_structure(2, 2))
    return opened, closed, edge, dilated.sum()


def fill_holes_area(img, thresh=0.5):
    # blob masks: threshold, close, fill the holes, measure the area fraction
    mask = ndi.binary_closing(img > thresh)
    filled = ndi.binary_fill_holes(mask)
    return filled, filled.mean()


def distance_map(img):
    mask = img > 0.3
    dist = ndi.distance_transform_edt(mask)
    return dist, dist / max(dist.max(), 1e-9)


def elastic_transform(image, alpha, sigma, rng):
    # Simard et al. elastic deformation, as the widely copied gist writes it
    shape = image.shape
    dx = ndi.gaussian_filter((rng.random(shape) * 2 - 1), sigma, mode="constant", cval=0) * alpha
    dy = ndi.gaussian_filter((rng.random(shape) * 2 - 1), sigma, mode="constant", cval=0) * alpha
    x, y = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
    indices = np.reshape(x + dx, (-1, 1)), np.reshape(y + dy, (-1, 1))
    return ndi.map_coordinates(image, indices, order=1).reshape(shape)


def zoom_shift_rotate(img):
    z = ndi.zoom(img, 2, order=1)
    sh = ndi.shift(img, (1.5, -0.5), order=1, mode="nearest")
    r = ndi.rotate(img, 30, reshape=False, order=1)
    return z, sh, r


def centroid_and_moments(img):
    cy, cx = ndi.center_of_mass(img)
    yy, xx = np.indices(img.shape)
    m = img.sum()
    return cy, cx, ((yy - cy) ** 2 * img).sum() / m, ((xx - cx) ** 2 * img).sum() / m


def smooth_timeseries_1d(X, sigma=2.0):
    return ndi.gaussian_filter1d(X, sigma, axis=0), ndi.uniform_filter1d(X, 5, axis=0)


def local_maxima_mask(img, thresh=0.6):
    mx = ndi.maximum_filter(img, size=3)
    return (img == mx) & (img > thresh)


def grey_morphology_tophat(img):
    opened = ndi.grey_opening(img, size=(3, 3))
    return img - opened, ndi.white_tophat(img, size=3)


NDIMAGE = {
    "unsharp_mask_gaussian_filter": (unsharp_mask, {}, lambda s, n: (_u(s, 2 * n, 2 * n),)),
    "difference_of_gaussians": (difference_of_gaussians, {}, lambda s, n: (_u(s, 2 * n, 3 * n),)),
    "lee_filter_uniform": (lee_filter, {}, lambda s, n: (_u(s, 2 * n, 2 * n),)),
    "median_filter_size_footprint": (median_denoise, {}, lambda s, n: (_u(s, 2 * n, 2 * n),)),
    "laplacian_ndimage_convolve": (laplacian_convolve, {}, lambda s, n: (
        _f(2 * n, 2 * n, seed=s),)),
    "sobel_magnitude_angle": (sobel_magnitude, {}, lambda s, n: (_u(s, 2 * n, 2 * n),)),
    "binary_morphology_chain": (binary_cleanup, {}, lambda s, n: (
        ndi.gaussian_filter(_u(s, 3 * n, 3 * n), 1.0) * 1.6 - 0.3,)),
    "binary_fill_holes": (fill_holes_area, {}, lambda s, n: (
        ndi.gaussian_filter(_u(s, 3 * n, 3 * n), 1.0) * 1.6 - 0.3,)),
    "distance_transform_edt_python_max": (distance_map, {}, lambda s, n: (
        ndi.gaussian_filter(_u(s, 3 * n, 3 * n), 1.0),)),
    "elastic_transform_map_coordinates": (elastic_transform, {}, lambda s, n: (
        _u(s, 2 * n, 2 * n), 3.0, 1.5, np.random.default_rng(s))),
    "zoom_shift_rotate": (zoom_shift_rotate, {}, lambda s, n: (_u(s, 2 * n, 2 * n),)),
    "center_of_mass_tuple": (centroid_and_moments, {}, lambda s, n: (_u(s, 2 * n, 3 * n),)),
    "gaussian_filter1d_axis0": (smooth_timeseries_1d, {}, lambda s, n: (_f(4 * n, 3, seed=s),)),
    "maximum_filter_local_maxima": (local_maxima_mask, {}, lambda s, n: (_u(s, 3 * n, 3 * n),)),
    "grey_opening_white_tophat": (grey_morphology_tophat, {}, lambda s, n: (
        _u(s, 2 * n, 2 * n),)),
}


@pytest.mark.parametrize("name", _names(NDIMAGE))
def test_scipy_ndimage_matches_scipy(name):
    """Gaussian, uniform, median, Sobel and maximum filters, convolution, binary and grey
    morphology, distance transforms, elastic deformation by map_coordinates, zoom, shift,
    rotate and centres of mass."""
    check_like_numpy(*NDIMAGE[name])


# ========================================= scipy.interpolate, integrate, optimize and spatial

# calibration tables as modules keep them: interpolants built once from constants
_T_CAL = np.array([0.0, 10.0, 20.0, 30.0, 40.0, 50.0])
_R_CAL = np.array([100.0, 103.9, 107.8, 111.7, 115.5, 119.4])
_CAL_LINEAR = scipy.interpolate.interp1d(_R_CAL, _T_CAL, fill_value="extrapolate")
_CAL_SPLINE = scipy.interpolate.CubicSpline(_T_CAL, np.sin(_T_CAL / 15.0), bc_type="natural")
_CAL_PCHIP = scipy.interpolate.PchipInterpolator(_T_CAL, np.sqrt(_T_CAL + 1.0))


def rtd_temperature(resistance):
    return _CAL_LINEAR(resistance)


def spline_value_slope(t):
    return _CAL_SPLINE(t), _CAL_SPLINE(t, 1), _CAL_SPLINE.derivative()(t)


def pchip_monotone(t):
    return _CAL_PCHIP(t), np.all(np.diff(_CAL_PCHIP(np.sort(t))) >= 0)


def interp1d_inside_constant_grid(y_new_x, kind="nearest"):
    grid = np.linspace(0, 1, 11)
    f = scipy.interpolate.interp1d(grid, grid ** 2, kind=kind, bounds_error=False,
                                   fill_value=(0.0, 1.0))
    return f(y_new_x)


def integrals_of_samples(y, x):
    return (scipy.integrate.trapezoid(y, x), scipy.integrate.simpson(y, x=x),
            scipy.integrate.cumulative_trapezoid(y, x, initial=0))


def quad_decay_closure(k):
    # quad over a lambda that closes over a traced parameter
    val, err = scipy.integrate.quad(lambda t: np.exp(-k * t) * np.cos(t), 0, 5)
    return val


def solve_ivp_logistic(y0, r, K):
    t_eval = np.linspace(0, 10, 11)
    sol = scipy.integrate.solve_ivp(lambda t, y: r * y * (1 - y / K), (0, 10), y0,
                                    t_eval=t_eval, rtol=1e-8, atol=1e-10)
    return sol.t, sol.y


def solve_ivp_logistic_args(y0, r, K):
    def logistic(t, y, r, K):
        return r * y * (1 - y / K)
    sol = scipy.integrate.solve_ivp(logistic, (0, 10), y0, t_eval=np.linspace(0, 10, 11),
                                    args=(r, K), rtol=1e-8, atol=1e-10)
    return sol.t, sol.y


def odeint_damped_oscillator(y0, t, c, k):
    def rhs(y, t, c, k):
        x, v = y
        return [v, -c * v - k * x]
    return scipy.integrate.odeint(rhs, y0, t, args=(c, k))


def brentq_closure(a):
    return scipy.optimize.brentq(lambda x: x ** 3 + x - a, -10, 10)


def hungarian_assignment(A, B):
    cost = scipy.spatial.distance_matrix(A, B)
    row, col = scipy.optimize.linear_sum_assignment(cost)
    return row, col, cost[row, col].sum()


def nnls_unmix(E, y):
    # spectral unmixing: non-negative abundances, normalised
    x, rnorm = scipy.optimize.nnls(E, y)
    return x / x.sum(), rnorm


def knn_by_cdist(X, Q, k=3):
    D = scipy.spatial.distance.cdist(Q, X)
    idx = np.argsort(D, axis=1)[:, :k]
    return idx, np.take_along_axis(D, idx, axis=1)


def kdtree_knn(points, k=3):
    tree = scipy.spatial.cKDTree(points)
    dist, idx = tree.query(points, k=k)
    return dist, idx


def local_std_generic_filter(img):
    return ndi.generic_filter(img, np.std, size=3)


MISC = {
    "generic_filter_callable": (local_std_generic_filter, {}, lambda s, n: (
        _u(s, 2 * n, 2 * n),)),
    "ckdtree_query_k": (kdtree_knn, {}, lambda s, n: (_u(s, 5 * n, 2),)),
    "interp1d_module_extrapolate": (rtd_temperature, {}, lambda s, n: (
        _pos(s, n, lo=95, hi=125),)),
    "cubicspline_module_derivatives": (spline_value_slope, {}, lambda s, n: (
        _pos(s, n, lo=-5, hi=55),)),
    "pchip_module_monotone": (pchip_monotone, {}, lambda s, n: (_pos(s, 2 * n, lo=0, hi=50),)),
    "interp1d_constant_grid_nearest": (interp1d_inside_constant_grid, {}, lambda s, n: (
        _pos(s, n, lo=-0.2, hi=1.2),)),
    "trapezoid_simpson_cumulative": (integrals_of_samples, {}, lambda s, n: (
        _f(2 * n + 1, seed=s), np.sort(_u(s, 2 * n + 1)) * 3)),
    "solve_ivp_t_eval_args": (solve_ivp_logistic_args, {}, lambda s, n: (
        _pos(s, n, lo=0.1, hi=1), 0.5 + 0.1 * s, 10.0)),
    "odeint_args": (odeint_damped_oscillator, {}, lambda s, n: (
        np.array([1.0, 0.0]) * s, np.linspace(0, 5, 3 * n), 0.3, 2.0 + 0.1 * s)),
    "linear_sum_assignment_distance_matrix": (hungarian_assignment, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(n, 2, seed=s + 1))),
    "nnls_unmixing": (nnls_unmix, {}, lambda s, n: (
        _pos(s, 3 * n, 3),
        _pos(s, 3 * n, 3) @ np.array([0.2, 0.5, 0.3]) + 0.01 * _f(3 * n, seed=s))),
    "knn_cdist_argsort": (knn_by_cdist, {}, lambda s, n: (
        _f(3 * n, 2, seed=s), _f(n, 2, seed=s + 1))),
}


@pytest.mark.parametrize("name", _names(MISC))
def test_interpolate_integrate_optimize_spatial_match_scipy(name):
    """Interpolants built from constants evaluated at traced points, sample integrals,
    quad/solve_ivp/odeint/brentq of functions of traced parameters, the Hungarian
    assignment, NNLS and cdist neighbours."""
    check_like_numpy(*MISC[name])


# -------------------------------------------------------------- Python scalars that steer


def butter_order_positional(x, order, cutoff):
    b, a = butter(order, cutoff, btype="low")
    return filtfilt(b, a, x)


def savgol_window_positional(y, window, poly):
    return scipy.signal.savgol_filter(y, window, poly)


def welch_nperseg_positional(x, fs, nperseg):
    return scipy.signal.welch(x, fs=fs, nperseg=nperseg)


def gaussian_sigma_positional(img, sigma):
    return ndi.gaussian_filter(img, sigma)


def zoom_factor_positional(img, factor):
    return ndi.zoom(img, factor, order=1)


def binomial_pmf_n_positional(p, n):
    return binomial_pmf_table(p, n)


def spectral_k_positional(W, k):
    return spectral_embedding(W, k)


def ssa_window_positional(x, L):
    return ssa_hankel(x, L)


def quad_rate_numpy_scalar(k):
    return quad_decay_closure(k)


def brentq_target_numpy_scalar(a):
    return brentq_closure(a)


STEERED = {
    "butter_order_cutoff": (butter_order_positional, lambda s: (_sig(s, 4), 2 + s, 0.1 * s)),
    "savgol_window_polyorder": (savgol_window_positional, lambda s: (
        _sig(s, 3), 5 + 2 * s, 1 + s)),
    "welch_fs_nperseg": (welch_nperseg_positional, lambda s: (_sig(s, 4), 64.0, 16 * s)),
    "gaussian_filter_sigma": (gaussian_sigma_positional, lambda s: (_u(s, 8, 8), 0.5 * s + 0.5)),
    "ndimage_zoom_factor": (zoom_factor_positional, lambda s: (_u(s, 5, 6), 1 + s)),
    "binomial_pmf_n": (binomial_pmf_n_positional, lambda s: (_u(s, 3), 4 * s)),
    "eigh_subset_k": (spectral_k_positional, lambda s: (_u(s, 6, 6) + 0.05, s + 1)),
    "ssa_window_length": (ssa_window_positional, lambda s: (
        np.sin(np.arange(16) * 0.5) + 0.1 * _f(16, seed=s), 3 + s)),
    "quad_closure_numpy_scalar": (quad_rate_numpy_scalar, lambda s: (np.float64(0.3 * s),)),
    "brentq_closure_numpy_scalar": (brentq_target_numpy_scalar, lambda s: (np.float64(2 * s),)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_scipy_are_made_static(name):
    """Filter orders and cutoffs, Savitzky-Golay windows, Welch segment lengths, Gaussian
    sigmas, zoom factors, binomial counts, eigenpair counts, SSA windows, and the NumPy
    scalars a quad or brentq closure reads: made static, SciPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def peaks_and_heights(x):
    peaks, props = scipy.signal.find_peaks(x, height=0.5, distance=3)
    return peaks, props["peak_heights"]


def label_blob_sizes(img):
    labels, n = ndi.label(img > 0.6)
    sizes = ndi.sum(np.ones_like(img), labels, index=np.arange(1, n + 1))
    return labels, sizes


def null_space_basis(A):
    return scipy.linalg.null_space(A)


def orth_basis(A):
    return scipy.linalg.orth(A)


def kde_on_grid(x):
    kde = stats.gaussian_kde(x)
    grid = np.linspace(-3, 3, 50)
    return grid, kde(grid)


def minimize_closure(X, y):
    def loss(w):
        return np.mean((X @ w - y) ** 2) + 0.1 * np.sum(w ** 2)
    return scipy.optimize.minimize(loss, np.zeros(X.shape[1]), method="BFGS").x


def curve_fit_exponential(t, y):
    popt, pcov = scipy.optimize.curve_fit(lambda t, a, b: a * np.exp(-b * t), t, y, p0=[1, 1])
    return popt, np.sqrt(np.diag(pcov))


def root_closure(a):
    return scipy.optimize.root(lambda w: w ** 3 - a, np.ones_like(a)).x


def linprog_traced_costs(c):
    return scipy.optimize.linprog(c, A_ub=np.ones((1, c.size)), b_ub=[1.0], bounds=(0, 1)).x


def spline_from_data(x, y, x_new):
    cs = scipy.interpolate.CubicSpline(x, y)
    return cs(x_new)


def smoothing_spline(x, y):
    spl = scipy.interpolate.UnivariateSpline(x, y, s=1.0)
    return spl(x)


def welch_bandpower(data, sf=64.0, band=(2.0, 4.0)):
    # Raphael Vallat's bandpower: a boolean selection on welch's frequencies
    low, high = band
    freqs, psd = scipy.signal.welch(data, sf, nperseg=32)
    freq_res = freqs[1] - freqs[0]
    idx_band = np.logical_and(freqs >= low, freqs <= high)
    return scipy.integrate.simpson(psd[idx_band], dx=freq_res)


def solve_ivp_closure(y0, r, K):
    sol = scipy.integrate.solve_ivp(lambda t, y: r * y * (1 - y / K), (0, 10), y0,
                                    t_eval=np.linspace(0, 10, 11))
    return sol.y


def rvs_fitted_scale(x, rng, n_boot=30):
    # parametric bootstrap: SciPy's rvs checks its traced scale with `if not np.all(cond)`
    mu, sd = x.mean(), x.std(ddof=1)
    sims = stats.norm.rvs(loc=mu, scale=sd, size=(n_boot, x.size), random_state=rng)
    return sims.mean(axis=1)


def argrelmax_extrema(x):
    return scipy.signal.argrelmax(x)[0]


def rgi_traced_values(values, pts):
    grid = (np.arange(values.shape[0], dtype=float), np.arange(values.shape[1], dtype=float))
    return scipy.interpolate.RegularGridInterpolator(grid, values)(pts)


def test_a_regular_grid_interpolator_of_traced_values_runs_on_the_host():
    """RegularGridInterpolator of traced values on constant axes: refused until SciPy made
    and called it on the host."""
    check_like_numpy(rgi_traced_values, {}, lambda s, n: (
        _u(s, 5, n + 2), np.array([[1.5, 2.5], [0.2, 4.9]])))


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError
_Unsupported = tracenp.errors.UnsupportedFunctionError

REFUSED = {
    "find_peaks_height_distance": (_DataDependent, peaks_and_heights, lambda s: (_sig(s, 3),)),
    "ndimage_label_sizes": (_DataDependent, label_blob_sizes, lambda s: (_u(s, 8, 8),)),
    "linalg_null_space": (_DataDependent, null_space_basis, lambda s: (_f(2, 4, seed=s),)),
    "linalg_orth": (_DataDependent, orth_basis, lambda s: (_f(4, 2, seed=s),)),
    "minimize_closure_bfgs": (_Concretization, minimize_closure, lambda s: (
        _f(12, 2, seed=s), _f(12, seed=s + 1))),
    "curve_fit_lambda": (_Concretization, curve_fit_exponential, lambda s: (
        np.linspace(0, 2, 15), 2 * np.exp(-1.3 * np.linspace(0, 2, 15)) + 0.01 * _f(15, seed=s))),
    "optimize_root_closure": (_Concretization, root_closure, lambda s: (_pos(s, 3, lo=1, hi=5),)),
    "linprog_traced_costs": (_Concretization, linprog_traced_costs, lambda s: (_f(3, seed=s),)),
    "univariate_spline_traced": (_Concretization, smoothing_spline, lambda s: (
        np.arange(12.0), _f(12, seed=s))),
    "welch_bandpower_boolean_band": (_DataDependent, welch_bandpower, lambda s: (_sig(s, 4),)),
    "solve_ivp_lambda_closure": (_Unsupported, solve_ivp_closure, lambda s: (
        _pos(s, 3, lo=0.1, hi=1), 0.5 + 0.1 * s, 10.0)),
    "norm_rvs_traced_scale": (_Concretization, rvs_fitted_scale, lambda s: (
        _f(12, seed=s), np.random.default_rng(s))),
    "argrelmax": (_DataDependent, argrelmax_extrema, lambda s: (_sig(s, 2),)),
}


# refused until they traced (stop 38): NumPy's values now
TRACED_NOW = {
    "gaussian_kde_grid": (kde_on_grid, {}, lambda s, n: (_f(30, seed=s),)),
    "cubicspline_from_traced_data": (spline_from_data, {}, lambda s, n: (
        np.cumsum(_pos(s, 8)), _f(8, seed=s), np.array([1.5, 2.5]))),
}


@pytest.mark.parametrize("name", list(TRACED_NOW))
def test_forms_once_refused_now_trace(name):
    """Forms refused until tracenp traced them: NumPy's values now."""
    check_like_numpy(*TRACED_NOW[name])


@pytest.mark.parametrize("name", _names(REFUSED))
def test_value_dependent_scipy_is_refused(name):
    """find_peaks and argrelmax, ndimage.label, null_space/orth, gaussian_kde, optimisers of
    closures, KD-trees, splines fitted to traced data, generic_filter with a callable, a
    boolean band of Welch frequencies, solve_ivp of a closure, rvs with traced scales: the
    named error, SciPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])


# ----------------------------------------------------- Qhull of traced points, in a subprocess


def convex_hull_area(points):
    hull = scipy.spatial.ConvexHull(points)
    return hull.volume, hull.area


def delaunay_simplices(points):
    tri = scipy.spatial.Delaunay(points)
    return tri.simplices


def voronoi_vertices(points):
    return scipy.spatial.Voronoi(points).vertices


def griddata_linear(points, values):
    gx, gy = np.mgrid[0.2:0.8:4j, 0.2:0.8:4j]
    return scipy.interpolate.griddata(points, values, (gx, gy), method="linear")


QHULL = {
    "delaunay_simplices": (_DataDependent, delaunay_simplices, lambda s: (_u(s, 20, 2),)),
    "voronoi_vertices": (_DataDependent, voronoi_vertices, lambda s: (_u(s, 20, 2),)),
}

# a hull's volume and area, and a grid by griddata: one value each, SciPy's on the host
QHULL_SIZES = {
    "convex_hull_volume": (convex_hull_area, {}, lambda s, n: (_u(s, 5 * n, 2),)),
    "griddata_linear": (griddata_linear, {}, lambda s, n: (_u(s, 5 * n, 2), _f(5 * n, seed=s))),
}


@pytest.mark.parametrize("name", _names(QHULL_SIZES))
def test_qhull_sizes_of_traced_points_match_scipy(name):
    """A hull's volume and area and `griddata`'s grid have sizes the data does not decide:
    SciPy computes them on the host when the compiled function runs."""
    check_like_numpy(*QHULL_SIZES[name])

_RUN_QHULL_CASE = """
import sys
sys.path.insert(0, {tests!r})
import test_corpus_hunt_bd as m
m.check_refused(*m.QHULL[{name!r}])
"""


@pytest.mark.parametrize("name", _names(QHULL))
def test_qhull_of_traced_points_is_refused(name):
    """Delaunay's simplices and Voronoi's vertices are as many as the points' values decide:
    the named error, SciPy's values under `fallback=True`. Run in a
    subprocess, since a crash would take the test session with it."""
    env = dict(os.environ, TRACENP_FLAGS="background_compile=False")
    code = _RUN_QHULL_CASE.format(tests=os.path.dirname(os.path.abspath(__file__)), name=name)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
