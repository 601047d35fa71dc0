"""Gradient hunt AK: scientific-ML and probabilistic code in plain NumPy as autograd's and JAX's
examples and papers' companion code write it, differentiated with tracenp. Gaussian-process
negative log marginal likelihoods w.r.t. kernel hyperparameters (RBF, ARD, Matern 3/2 and 5/2,
periodic, sums, ICM `np.kron`, sparse Titsias bounds; `np.linalg.cholesky` (also `upper=True`
and batched), `solve`, `slogdet`, `eigh`, the log-determinant as `np.sum(np.log(np.diag(L)))`;
hyperparameters as a log-vector, a dict, Python floats or a list of them; the noise added
through `fill_diagonal`, `K.flat[::n + 1]`, `K.ravel()` and `np.einsum("ii->i")` views and
`out=`), Bayesian linear regression evidence, Laplace evidence with the Hessian by
`jacobian(grad(...))` inside, ELBOs with the reparameterization noise as an argument or drawn
from a `Generator`/`RandomState` argument (mean-field over a packed vector, full-rank through
`np.tril` or `np.tril_indices`, IWAE), normalizing flows by hand (planar with `u_hat`, radial,
RealNVP coupling with masks, MADE/MAF degree masks, Glow's LU 1x1 map, log-dets by `slogdet`,
`det` of `jacobian`), mixture density networks and GMMs, physics-informed residuals by
finite differences (`np.diff`, `np.gradient` with spacings, coordinates and `edge_order`,
`np.roll`, `np.pad`, `np.convolve`, `rfft`/`fft` spectral derivatives, `np.trapezoid`), neural
ODEs unrolled as RK4/Euler loops (lists and preallocated rows), Hamiltonian energies, leapfrog,
HMC and SGLD with `tracenp.grad` inside, Poisson/negative-binomial/Student-t/beta-binomial
likelihoods with `gammaln` by Stirling's series, `math.lgamma` of Python scalars,
`np.vectorize(math.lgamma)` and `scipy.special`, survival (Cox by reversed `np.cumsum`,
`np.logaddexp.accumulate`, `np.searchsorted`; Weibull; discrete-time hazards by `np.cumprod`),
ordinal regression, CRF log-partitions by the forward algorithm, matrix factorization over
dicts with `np.add.at`, and t-SNE's KL (against tsne.py's hand gradient). Training: SGD,
momentum and Adam over dicts driven by tracenp's gradients (plain, jitted, made each step, the
whole loop in `jit`) against hand-written gradients, `scipy.optimize.minimize` with
`jac=tracenp.grad`, autograd's black-box SVI drawing from its `RandomState`, jitted steps
writing moments and parameters in place (`check_like_numpy`), float32 arguments. Each table
case goes through `check_grads` of `tests/test_grad_hunt_r.py`; the scipy.special cases
(betaln, log_ndtr, gamma, rel_entr, xlog1py, i0e, ndtri, loggamma) go through compositions.
Marked xfail: `scipy.special.multigammaln` (SciPy's own Python domain check), a Python `if`
on a differentiated float and `np.unique` of non-differentiated data under `value_and_grad`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special
from scipy.linalg import cho_solve
from scipy.spatial.distance import pdist, squareform

import tracenp
from tracenp import pytree
from test_corpus import check_like_numpy, check_refused
from test_grad_hunt_r import assert_grads_close, check_grads
from test_corpus_hunt_v import _names, _Xfail

rng = np.random.default_rng(1717)


def normal(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def uniform(lo, hi, *shape):
    return rng.uniform(lo, hi, shape)


CASES: dict[str, tuple] = {}


def case(name, fn, *args, argnums=0, xfail=None):
    """Add `name -> (fn, args, argnums)`; `xfail` is the reason tracenp gets it wrong."""
    assert name not in CASES, name
    CASES[name] = _Xfail(xfail, fn, args, argnums) if xfail else (fn, args, argnums)


def logsumexp(a, axis=None, keepdims=False):
    """autograd's `scipy.special.logsumexp` as its examples write it by hand."""
    m = np.max(a, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def sigmoid(x):
    return 0.5 * (np.tanh(x / 2.0) + 1.0)


def softplus(x):
    return np.logaddexp(0.0, x)


# ----------------------------------------------------------------------------- Gaussian processes


def sq_dist(X1, X2):
    return (np.sum(X1 ** 2, 1).reshape(-1, 1) + np.sum(X2 ** 2, 1)
            - 2 * np.dot(X1, X2.T))


def rbf_kernel(X1, X2, l=1.0, sigma_f=1.0):
    """Krasser's GP notes: `sigma_f**2 * np.exp(-0.5 / l**2 * sqdist)`."""
    return sigma_f ** 2 * np.exp(-0.5 / l ** 2 * sq_dist(X1, X2))


def ard_kernel(X1, X2, lengthscales, variance):
    d = (X1[:, None, :] - X2[None, :, :]) / lengthscales
    return variance * np.exp(-0.5 * np.sum(d ** 2, axis=-1))


def euclid(X1, X2):
    """Distances of the data alone (no hyperparameter): the diagonal's zero never meets a
    derivative of `sqrt`."""
    return np.sqrt(np.maximum(sq_dist(X1, X2), 0.0))


def matern32(r, ell, var):
    s = np.sqrt(3.0) * r / ell
    return var * (1.0 + s) * np.exp(-s)


def matern52(r, ell, var):
    s = np.sqrt(5.0) * r / ell
    return var * (1.0 + s + s ** 2 / 3.0) * np.exp(-s)


def periodic(X1, X2, ell, period, var):
    d = np.abs(X1[:, None, 0] - X2[None, :, 0])
    return var * np.exp(-2.0 * np.sin(np.pi * d / period) ** 2 / ell ** 2)


def nll_chol(K, y):
    """Rasmussen & Williams, algorithm 2.1."""
    n = len(y)
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return (0.5 * np.dot(y, alpha) + np.sum(np.log(np.diag(L)))
            + 0.5 * n * np.log(2 * np.pi))


def gp_nll_log_params(theta, X, y):
    """autograd's gaussian_process example: `unpack_kernel_params` of a log-vector."""
    mean, log_noise, log_ell, log_var = theta[0], theta[1], theta[2], theta[3]
    K = rbf_kernel(X, X, np.exp(log_ell), np.exp(0.5 * log_var))
    K = K + (np.exp(log_noise) + 1e-6) * np.eye(len(y))
    return nll_chol(K, y - mean)


def gp_nll_dict(params, X, y, kernel="m32"):
    r = euclid(X, X)
    ell, var = np.exp(params["log_ell"]), np.exp(params["log_var"])
    K = matern32(r, ell, var) if kernel == "m32" else matern52(r, ell, var)
    K += np.exp(params["log_noise"]) * np.eye(X.shape[0])
    return nll_chol(K, y)


def gp_nll_floats(l, sigma_f, noise, X, y):
    """Krasser's `nll_fn` with `naive=False`: the hyperparameters as Python floats."""
    K = rbf_kernel(X, X, l=l, sigma_f=sigma_f) + noise ** 2 * np.eye(len(X))
    L = np.linalg.cholesky(K)
    S1 = np.linalg.solve(L, y)
    S2 = np.linalg.solve(L.T, S1)
    return np.sum(np.log(np.diagonal(L))) + 0.5 * y.dot(S2) + 0.5 * len(X) * np.log(2 * np.pi)


def gp_nll_naive(theta, X, y):
    """Krasser's `naive=True`: `np.linalg.det` and `np.linalg.inv`."""
    K = rbf_kernel(X, X, l=theta[0], sigma_f=theta[1]) + theta[2] ** 2 * np.eye(len(X))
    return (0.5 * np.log(np.linalg.det(K)) + 0.5 * y.dot(np.linalg.inv(K).dot(y))
            + 0.5 * len(X) * np.log(2 * np.pi))


def gp_nll_slogdet(theta, X, y):
    K = ard_kernel(X, X, np.exp(theta[:-2]), np.exp(theta[-2]))
    K[np.diag_indices_from(K)] += np.exp(theta[-1])
    sign, logdet = np.linalg.slogdet(K)
    return 0.5 * (logdet + y @ np.linalg.solve(K, y) + len(y) * np.log(2 * np.pi))


def gp_nll_periodic(theta, X, y):
    ell, period, var, noise = np.exp(theta)
    K = periodic(X, X, ell, period, var) + noise * np.eye(len(y))
    return nll_chol(K, y)


def gp_nll_sum_kernel(p, X, y):
    """A periodic times RBF plus Matern 5/2 kernel, hyperparameters softplus-transformed."""
    k1 = periodic(X, X, softplus(p[0]), 1.0 + softplus(p[1]), 1.0) * rbf_kernel(
        X, X, softplus(p[2]), 1.0)
    k2 = matern52(euclid(X, X), softplus(p[3]), softplus(p[4]))
    K = k1 + k2 + (softplus(p[5]) + 1e-4) * np.identity(len(y))
    return nll_chol(K, y)


def gp_nll_fill_diagonal(log_noise, log_ell, X, y):
    K = rbf_kernel(X, X, np.exp(log_ell))
    np.fill_diagonal(K, K.diagonal() + np.exp(log_noise))
    return nll_chol(K, y)


def gp_nll_multi_output(theta, X, Y):
    """Independent outputs sharing a kernel: columns of `Y` solved at once, `np.trace` of the
    data fit."""
    K = rbf_kernel(X, X, np.exp(theta[0]), np.exp(theta[1])) + np.exp(theta[2]) * np.eye(len(X))
    L = np.linalg.cholesky(K)
    A = np.linalg.solve(L, Y)
    return 0.5 * np.trace(A.T @ A) + Y.shape[1] * np.sum(np.log(np.diag(L)))


def gp_predict_mean_var(x_star, theta, X, y):
    """The posterior at a test point, as Bayesian optimization differentiates it."""
    K = rbf_kernel(X, X, theta[0], theta[1]) + theta[2] * np.eye(len(X))
    k_s = rbf_kernel(X, x_star, theta[0], theta[1])
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    v = np.linalg.solve(L, k_s)
    mu = k_s.T @ alpha
    var = theta[1] ** 2 - np.sum(v ** 2, axis=0)
    return np.sum(mu) + np.sum(np.log(var))


def expected_improvement(x_star, X, y, y_best, xi=0.01):
    """Krasser's EI with `scipy.special.ndtr` and the normal pdf written out."""
    K = rbf_kernel(X, X) + 1e-2 * np.eye(len(X))
    k_s = rbf_kernel(X, x_star)
    K_inv = np.linalg.inv(K)
    mu = k_s.T.dot(K_inv).dot(y)
    sigma = np.sqrt(1.0 - np.sum(k_s * K_inv.dot(k_s), axis=0))
    imp = mu - y_best - xi
    Z = imp / sigma
    pdf = np.exp(-0.5 * Z ** 2) / np.sqrt(2 * np.pi)
    return np.sum(imp * special.ndtr(Z) + sigma * pdf)


def sparse_gp_titsias(Z, log_ell, log_noise, X, y):
    """Titsias' collapsed bound with inducing inputs `Z` (DTC plus the trace term)."""
    ell, s2 = np.exp(log_ell), np.exp(log_noise)
    Kmm = rbf_kernel(Z, Z, ell) + 1e-6 * np.eye(len(Z))
    Kmn = rbf_kernel(Z, X, ell)
    Lm = np.linalg.cholesky(Kmm)
    A = np.linalg.solve(Lm, Kmn) / np.sqrt(s2)
    B = np.eye(len(Z)) + A @ A.T
    LB = np.linalg.cholesky(B)
    c = np.linalg.solve(LB, A @ y) / np.sqrt(s2)
    n = len(y)
    bound = -0.5 * n * np.log(2 * np.pi) - np.sum(np.log(np.diag(LB))) - 0.5 * n * np.log(s2)
    bound -= 0.5 * y @ y / s2 - 0.5 * c @ c
    bound -= 0.5 * (n * 1.0 / s2 - np.sum(A ** 2))
    return -bound


GX = np.sort(uniform(-3, 3, 9)).reshape(-1, 1)
GY = np.sin(GX[:, 0]) + 0.1 * normal(9)
GX2 = uniform(-2, 2, 8, 2)
GY2 = np.cos(GX2[:, 0]) * GX2[:, 1] + 0.1 * normal(8)
GZ = np.linspace(-2.5, 2.5, 4).reshape(-1, 1)

case("gp_rbf_log_params_autograd_example", gp_nll_log_params,
     np.array([0.1, np.log(0.1), 0.0, 0.2]), GX, GY)
case("gp_rbf_log_params_2d_inputs", gp_nll_log_params, np.array([0.0, -1.5, 0.3, 0.1]), GX2,
     GY2)
case("gp_rbf_wrt_inputs_X", gp_nll_log_params, np.array([0.0, -1.0, 0.2, 0.0]), GX2, GY2,
     argnums=1)
case("gp_rbf_wrt_targets_y", gp_nll_log_params, np.array([0.0, -1.0, 0.2, 0.0]), GX, GY,
     argnums=2)
case("gp_matern32_dict_params", gp_nll_dict,
     {"log_ell": 0.2, "log_var": 0.1, "log_noise": -2.0}, GX, GY)
case("gp_matern52_dict_params", gp_nll_dict,
     {"log_ell": np.array(0.4), "log_var": np.array(-0.1), "log_noise": np.array(-1.5)}, GX2,
     GY2, "m52")
case("gp_krasser_python_float_hyperparams", gp_nll_floats, 1.1, 0.9, 0.3, GX, GY,
     argnums=(0, 1, 2))
case("gp_krasser_naive_det_inv", gp_nll_naive, np.array([1.2, 1.0, 0.4]), GX, GY)
case("gp_ard_slogdet_diag_indices_add", gp_nll_slogdet, np.array([0.1, -0.2, 0.3, -1.0]),
     GX2, GY2)
case("gp_periodic_kernel", gp_nll_periodic, np.log(np.array([0.8, 2.5, 1.1, 0.1])), GX, GY)
case("gp_sum_product_kernel_softplus", gp_nll_sum_kernel,
     np.array([0.3, 1.0, 1.5, 0.2, -0.5, -1.0]), GX, GY)
case("gp_fill_diagonal_noise_two_scalars", gp_nll_fill_diagonal, -1.0, 0.1, GX, GY,
     argnums=(0, 1))
case("gp_multi_output_trace", gp_nll_multi_output, np.array([0.2, 0.1, -1.2]), GX2,
     np.stack([GY2, np.sin(GY2)], 1))
case("gp_posterior_wrt_test_point", gp_predict_mean_var, np.array([[0.3], [1.7]]),
     np.array([1.0, 1.2, 0.05]), GX, GY)
case("gp_posterior_wrt_hyperparams", gp_predict_mean_var, np.array([[0.3], [1.7]]),
     np.array([1.0, 1.2, 0.05]), GX, GY, argnums=1)
case("bayesopt_expected_improvement_ndtr", expected_improvement,
     np.array([[0.4], [-1.1], [2.2]]), GX, GY, float(GY.max()))
case("sparse_gp_titsias_wrt_inducing", sparse_gp_titsias, GZ, 0.2, -1.5, GX, GY)
case("sparse_gp_titsias_wrt_hyperparams", sparse_gp_titsias, GZ, 0.2, -1.5, GX, GY,
     argnums=(1, 2))


# ----------------------------------------------------------------------------- Bayesian regression


def blr_log_evidence(log_alpha, log_beta, Phi, t):
    """Bishop (3.86): the log marginal likelihood of Bayesian linear regression."""
    alpha, beta = np.exp(log_alpha), np.exp(log_beta)
    N, M = Phi.shape
    A = alpha * np.eye(M) + beta * Phi.T @ Phi
    m_N = beta * np.linalg.solve(A, Phi.T @ t)
    E = beta / 2 * np.sum((t - Phi @ m_N) ** 2) + alpha / 2 * m_N @ m_N
    return -(M / 2 * np.log(alpha) + N / 2 * np.log(beta) - E
             - 0.5 * np.linalg.slogdet(A)[1] - N / 2 * np.log(2 * np.pi))


def blr_evidence_cholesky_features(params, x, t, degree=3):
    """Polynomial features by `np.vander`, evidence through the Cholesky of the marginal
    covariance `I / beta + Phi Phi^T / alpha`."""
    Phi = np.vander(x, degree + 1, increasing=True)
    C = np.eye(len(t)) / np.exp(params["log_beta"]) + Phi @ Phi.T / np.exp(params["log_alpha"])
    return nll_chol(C, t)


def blr_evidence_of_feature_scale(scale, x, t, alpha=0.5, beta=20.0):
    """Gaussian basis functions with a width to learn: centres fixed, `scale` differentiated."""
    centres = np.linspace(-1, 1, 5)
    Phi = np.exp(-0.5 * ((x[:, None] - centres[None, :]) / scale) ** 2)
    return blr_log_evidence(np.log(alpha), np.log(beta), Phi, t)


BX = uniform(-1, 1, 12)
BT = np.sin(np.pi * BX) + 0.1 * normal(12)
BPHI = np.vander(BX, 4, increasing=True)

case("blr_bishop_evidence_two_scalars", blr_log_evidence, 0.3, 3.0, BPHI, BT, argnums=(0, 1))
case("blr_bishop_evidence_wrt_design", blr_log_evidence, 0.3, 3.0, BPHI, BT, argnums=2)
case("blr_evidence_cholesky_vander_dict", blr_evidence_cholesky_features,
     {"log_alpha": -0.5, "log_beta": 2.5}, BX, BT)
case("blr_evidence_gaussian_basis_width", blr_evidence_of_feature_scale, 0.4, BX, BT)


# ----------------------------------------------------------------------------- variational ELBOs


def log_joint_logreg(w, X, y, prior_var=4.0):
    """Bayesian logistic regression's log joint for a batch of weight samples `w` (S, D)."""
    logits = w @ X.T
    ll = np.sum(y * logits - np.logaddexp(0, logits), axis=1)
    return ll - 0.5 * np.sum(w ** 2, axis=1) / prior_var


def banana_logprob(z):
    """autograd's black_box_svi example target."""
    mu, log_sigma = z[:, 0], z[:, 1]
    sigma_density = -0.5 * log_sigma ** 2 / 1.35 ** 2
    mu_density = -0.5 * mu ** 2 * np.exp(-2 * log_sigma) - log_sigma
    return sigma_density + mu_density


def gaussian_entropy(log_std):
    D = log_std.shape[0]
    return 0.5 * D * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)


def black_box_elbo(params, eps, logprob=banana_logprob):
    """autograd's `black_box_variational_inference`: mean and log-std packed in one vector."""
    D = eps.shape[1]
    mean, log_std = params[:D], params[D:]
    samples = eps * np.exp(log_std) + mean
    return -(gaussian_entropy(log_std) + np.mean(logprob(samples)))


def mean_field_elbo_dict(q, eps, X, y):
    """Mean-field Gaussian on logistic regression weights, softplus scale, KL in closed form."""
    sigma = softplus(q["rho"])
    w = q["mu"] + sigma * eps
    kl = 0.5 * np.sum(sigma ** 2 / 4.0 + q["mu"] ** 2 / 4.0 - 1 - 2 * np.log(sigma) + np.log(4.0))
    ll = np.sum(y * (w @ X.T) - np.logaddexp(0, w @ X.T), axis=1)
    return -(np.mean(ll) - kl)


def full_rank_elbo(params, eps, X, y):
    """Full-rank Gaussian: `L = np.tril(L_raw, -1) + np.diag(np.exp(np.diag(L_raw)))`, the
    entropy's log-determinant as the sum of the log-diagonal."""
    D = X.shape[1]
    mu, L_raw = params["mu"], params["L"]
    L = np.tril(L_raw, -1) + np.diag(np.exp(np.diag(L_raw)))
    w = mu + eps @ L.T
    entropy = 0.5 * D * (1 + np.log(2 * np.pi)) + np.sum(np.diag(L_raw))
    return -(np.mean(log_joint_logreg(w, X, y)) + entropy)


def full_rank_elbo_tril_indices(theta, eps, X, y):
    """The factor's entries packed in a vector and scattered by `np.tril_indices`."""
    D = X.shape[1]
    mu = theta[:D]
    L = np.zeros((D, D))
    L[np.tril_indices(D)] = theta[D:]
    L[np.diag_indices(D)] = np.exp(L[np.diag_indices(D)])
    z = mu[None, :] + np.einsum("ij,sj->si", L, eps)
    logq = (-0.5 * np.sum(eps ** 2, 1) - np.sum(np.log(np.diag(L)))
            - 0.5 * D * np.log(2 * np.pi))
    return np.mean(logq - log_joint_logreg(z, X, y))


def elbo_score_of_kl_divergence_gaussians(params, eps):
    """KL(q || p) by Monte Carlo against a correlated Gaussian target written through
    `np.linalg.inv` and `slogdet`."""
    D = eps.shape[1]
    mu, log_s = params[:D], params[D:]
    z = mu + np.exp(log_s) * eps
    Sigma = np.array([[2.0, 0.6, 0.1], [0.6, 1.0, 0.3], [0.1, 0.3, 0.5]])[:D, :D]
    P = np.linalg.inv(Sigma)
    logp = -0.5 * np.einsum("si,ij,sj->s", z - 1.0, P, z - 1.0) - 0.5 * np.linalg.slogdet(Sigma)[1]
    logq = -0.5 * np.sum(eps ** 2, 1) - np.sum(log_s)
    return np.mean(logq - logp)


def iwae_bound_logreg(params, eps, X, y):
    """The importance-weighted bound with `K` samples along axis 0."""
    D = X.shape[1]
    mu, log_s = params[:D], params[D:]
    z = mu + np.exp(log_s) * eps
    logq = -0.5 * np.sum(eps ** 2 + 2 * log_s + np.log(2 * np.pi), axis=1)
    logw = log_joint_logreg(z, X, y) - logq
    return -(logsumexp(logw) - np.log(len(logw)))


VX = normal(10, 3)
VY = (VX @ np.array([1.0, -2.0, 0.5]) + 0.3 * normal(10) > 0).astype(float)
VEPS = normal(6, 3)

case("svi_banana_black_box_packed_vector", black_box_elbo, np.array([0.3, -0.2, -0.5, 0.1]),
     normal(8, 2))
case("svi_banana_wrt_noise", lambda eps, p: black_box_elbo(p, eps), normal(8, 2),
     np.array([0.3, -0.2, -0.5, 0.1]))
case("svi_mean_field_softplus_dict", mean_field_elbo_dict,
     {"mu": normal(3), "rho": normal(3, scale=0.3) - 1.0}, VEPS, VX, VY)
case("svi_full_rank_tril_exp_diag", full_rank_elbo,
     {"mu": normal(3), "L": normal(3, 3, scale=0.3)}, VEPS, VX, VY)
case("svi_full_rank_tril_indices_scatter", full_rank_elbo_tril_indices,
     np.concatenate([normal(3), normal(6, scale=0.3)]), VEPS, VX, VY)
case("svi_kl_correlated_gaussian_inv_slogdet", elbo_score_of_kl_divergence_gaussians,
     np.array([0.5, -0.3, 0.2, -0.4, 0.1, -0.6]), VEPS)
case("svi_iwae_logreg", iwae_bound_logreg, np.concatenate([normal(3), -np.ones(3)]), VEPS, VX,
     VY)


# ----------------------------------------------------------------------------- normalizing flows


def planar_flow(z, u, w, b):
    """Rezende & Mohamed: `u_hat = u + (m(w.u) - w.u) w / |w|^2`, `m(x) = -1 + softplus(x)`."""
    wu = np.dot(w, u)
    u_hat = u + (-1 + np.log1p(np.exp(wu)) - wu) * w / np.sum(w ** 2)
    a = z @ w + b
    f = z + np.outer(np.tanh(a), u_hat)
    psi = (1 - np.tanh(a) ** 2)[:, None] * w
    logdet = np.log(np.abs(1 + psi @ u_hat))
    return f, logdet


def planar_flow_nll(params, z0, K=3):
    """K planar layers from a list of dicts, target a 2-d ring density, base density
    standard normal, free energy = E[log q0 - sum logdet - log p]."""
    z, sum_logdet = z0, 0.0
    for layer in params[:K]:
        z, ld = planar_flow(z, layer["u"], layer["w"], layer["b"])
        sum_logdet = sum_logdet + ld
    r = np.sqrt(np.sum(z ** 2, axis=1))
    logp = -0.5 * ((r - 2.0) / 0.4) ** 2
    logq0 = -0.5 * np.sum(z0 ** 2, axis=1) - np.log(2 * np.pi)
    return np.mean(logq0 - sum_logdet - logp)


def radial_flow(z, z0, log_alpha, beta_raw):
    alpha = np.exp(log_alpha)
    beta = -alpha + softplus(beta_raw)
    diff = z - z0
    r = np.linalg.norm(diff, axis=-1, keepdims=True)
    h = 1.0 / (alpha + r)
    d = z.shape[-1]
    f = z + beta * h * diff
    h_prime = -h ** 2
    logdet = (d - 1) * np.log1p(beta * h[:, 0]) + np.log1p(beta * h[:, 0] + beta * h_prime[:, 0]
                                                          * r[:, 0])
    return f, logdet


def radial_flow_loss(p, z):
    f, logdet = radial_flow(z, p["z0"], p["log_alpha"], p["beta"])
    return np.mean(0.5 * np.sum(f ** 2, 1) - logdet)


def mlp_st(x, p):
    h = np.tanh(x @ p["W1"] + p["b1"])
    out = h @ p["W2"] + p["b2"]
    D = x.shape[1]
    return np.tanh(out[:, :D]), out[:, D:]


def realnvp_forward(x, layers, masks):
    """Dinh et al.'s affine coupling: `y = b*x + (1-b)*(x*exp(s(b*x)) + t(b*x))`."""
    log_det = np.zeros(x.shape[0])
    for p, b in zip(layers, masks):
        x_masked = x * b
        s, t = mlp_st(x_masked, p)
        s, t = s * (1 - b), t * (1 - b)
        x = x_masked + (1 - b) * (x * np.exp(s) + t)
        log_det += np.sum(s, axis=1)
    return x, log_det


def realnvp_nll(layers, x, masks):
    z, log_det = realnvp_forward(x, layers, masks)
    log_pz = -0.5 * np.sum(z ** 2, axis=1) - 0.5 * z.shape[1] * np.log(2 * np.pi)
    return -np.mean(log_pz + log_det)


def coupling_split_halves(params, x):
    """The split form: `x1, x2 = x[:, :d], x[:, d:]`, concatenated back, the layers alternating
    by `[:, ::-1]`."""
    d = x.shape[1] // 2
    total = 0.0
    for p in params:
        x1, x2 = x[:, :d], x[:, d:]
        h = np.maximum(x1 @ p["W"] + p["b"], 0.0) + 0.01 * (x1 @ p["W"] + p["b"])
        s = np.tanh(h @ p["Ws"])
        t = h @ p["Wt"]
        y2 = x2 * np.exp(s) + t
        x = np.concatenate([x1, y2], axis=1)[:, ::-1]
        total = total + s.sum(axis=1)
    return -np.mean(-0.5 * np.sum(x ** 2, 1) + total)


def affine_flow_logdet(W, b, x):
    """A dense invertible layer `z = x @ W + b` with its Jacobian by `slogdet`, then
    elementwise `tanh` with its log-derivative."""
    z = x @ W + b
    ld = np.linalg.slogdet(W)[1] * np.ones(len(x))
    y = np.tanh(z)
    ld = ld + np.sum(np.log(1 - y ** 2 + 1e-12), axis=1)
    return -np.mean(-0.5 * np.sum(np.arctanh(np.clip(y, -0.999, 0.999)) ** 2, 1) + ld)


def _coupling(D, H):
    return {"W1": normal(D, H, scale=0.5), "b1": normal(H, scale=0.1),
            "W2": normal(H, 2 * D, scale=0.3), "b2": normal(2 * D, scale=0.1)}


FZ = normal(7, 2)
PLANAR = [{"u": normal(2, scale=0.5), "w": normal(2), "b": float(normal(1)[0])}
          for _ in range(3)]
MASKS = [np.array([1.0, 0.0, 1.0, 0.0]), np.array([0.0, 1.0, 0.0, 1.0]),
         np.array([1.0, 1.0, 0.0, 0.0])]
NVP = [_coupling(4, 5) for _ in range(3)]
NVP_X = normal(6, 4)

case("flow_planar_three_layers_list_of_dicts", planar_flow_nll, PLANAR, FZ)
case("flow_planar_wrt_base_samples", lambda z, p: planar_flow_nll(p, z), FZ, PLANAR)
case("flow_planar_one_layer_static_K", planar_flow_nll, PLANAR, FZ, 1)
case("flow_radial", radial_flow_loss, {"z0": normal(2), "log_alpha": 0.1, "beta": 0.5}, FZ)
case("flow_realnvp_checkerboard_masks", realnvp_nll, NVP, NVP_X, MASKS)
case("flow_realnvp_wrt_data", lambda x, p, m: realnvp_nll(p, x, m), NVP_X, NVP, MASKS)
case("flow_coupling_split_concat_reverse", coupling_split_halves,
     [{"W": normal(2, 5, scale=0.5), "b": normal(5, scale=0.1), "Ws": normal(5, 2, scale=0.3),
       "Wt": normal(5, 2, scale=0.3)} for _ in range(2)], normal(6, 4))
case("flow_dense_slogdet_tanh", affine_flow_logdet, np.eye(3) + normal(3, 3, scale=0.2),
     normal(3, scale=0.1), normal(5, 3, scale=0.5), argnums=(0, 1))


# ----------------------------------------------------------------------------- mixture density nets


def init_mdn(rs, D_in, H, K, scale=0.4):
    return [(rs.standard_normal((D_in, H)) * scale, rs.standard_normal(H) * scale),
            (rs.standard_normal((H, 3 * K)) * scale, rs.standard_normal(3 * K) * scale)]


def mdn_forward(params, inputs):
    for W, b in params[:-1]:
        inputs = np.tanh(np.dot(inputs, W) + b)
    W, b = params[-1]
    return np.dot(inputs, W) + b


def unpack_gmm_params(outputs, K):
    """autograd's mixture_density_network example: log-weights normalized by logsumexp."""
    log_weights, means, log_sigmas = outputs[:, :K], outputs[:, K:2 * K], outputs[:, 2 * K:]
    log_weights = log_weights - logsumexp(log_weights, axis=1, keepdims=True)
    return log_weights, means, log_sigmas


def mdn_nll(params, inputs, targets, K=3):
    log_weights, means, log_sigmas = unpack_gmm_params(mdn_forward(params, inputs), K)
    cluster_lls = (log_weights - 0.5 * np.log(2 * np.pi) - log_sigmas
                   - 0.5 * ((targets - means) / np.exp(log_sigmas)) ** 2)
    return -np.sum(logsumexp(cluster_lls, axis=1))


def mdn_bishop_softmax(params, x, t, K=3):
    """Bishop's form: softmax mixing coefficients, `exp` widths, density summed before the log
    (no logsumexp), the loss averaged."""
    out = mdn_forward(params, x)
    pi = np.exp(out[:, :K] - out[:, :K].max(1, keepdims=True))
    pi /= pi.sum(1, keepdims=True)
    sigma = np.exp(out[:, 2 * K:])
    mu = out[:, K:2 * K]
    dens = pi * np.exp(-0.5 * ((t - mu) / sigma) ** 2) / (np.sqrt(2 * np.pi) * sigma)
    return -np.mean(np.log(np.sum(dens, axis=1) + 1e-12))


def mdn_2d_diagonal(params, x, t, K=2):
    """Two-dimensional targets, mixture over axis 1 of a (N, K, 2) array by reshape."""
    out = mdn_forward(params, x)
    logits = out[:, :K]
    mu = out[:, K:3 * K].reshape(-1, K, 2)
    log_s = out[:, 3 * K:5 * K].reshape(-1, K, 2)
    logpi = logits - logsumexp(logits, axis=1, keepdims=True)
    z = (t[:, None, :] - mu) / np.exp(log_s)
    comp = -0.5 * np.sum(z ** 2, -1) - np.sum(log_s, -1) - np.log(2 * np.pi)
    return -np.mean(logsumexp(logpi + comp, axis=1))


MDN_X = np.linspace(-1, 1, 8).reshape(-1, 1)
MDN_T = (np.sin(3 * MDN_X) + 0.2 * normal(8, 1))
MDN_P = init_mdn(rng, 1, 5, 3)
MDN_P2 = [(normal(1, 5, scale=0.4), normal(5, scale=0.4)),
          (normal(5, 10, scale=0.3), normal(10, scale=0.3))]

case("mdn_autograd_example_list_of_tuples", mdn_nll, MDN_P, MDN_X, MDN_T)
case("mdn_wrt_targets", lambda t, p, x: mdn_nll(p, x, t), MDN_T, MDN_P, MDN_X)
case("mdn_bishop_softmax_inplace_divide", mdn_bishop_softmax, MDN_P, MDN_X, MDN_T)
case("mdn_2d_reshape_components", mdn_2d_diagonal, MDN_P2, MDN_X, normal(8, 2))



# ----------------------------------------------------------------------------- physics-informed


def poisson_1d_residual(u, f, h):
    """Finite-difference Poisson residual `-u'' = f` on the interior, Dirichlet penalty."""
    lap = (u[2:] - 2 * u[1:-1] + u[:-2]) / h ** 2
    res = -lap - f[1:-1]
    return np.mean(res ** 2) + 10.0 * (u[0] ** 2 + u[-1] ** 2)


def poisson_1d_np_diff(u, f, h):
    d2 = np.diff(u, n=2) / h ** 2
    return np.sum((d2 + f[1:-1]) ** 2) * h + (u[0] - 0.0) ** 2 + (u[-1] - 1.0) ** 2


def heat_np_gradient(u, dx, dt, kappa=0.1):
    """u[t, x]: the heat equation's residual with `np.gradient` in both axes."""
    u_t = np.gradient(u, dt, axis=0)
    u_x = np.gradient(u, dx, axis=1)
    u_xx = np.gradient(u_x, dx, axis=1)
    return np.mean((u_t - kappa * u_xx) ** 2)


def laplace_2d_roll(phi, rho, h=0.2):
    """Periodic 5-point Laplacian by `np.roll`: `lap(phi) + rho = 0` in least squares."""
    lap = (np.roll(phi, 1, 0) + np.roll(phi, -1, 0) + np.roll(phi, 1, 1) + np.roll(phi, -1, 1)
           - 4 * phi) / h ** 2
    return 0.5 * np.sum((lap + rho) ** 2) * h ** 2 + 1e-2 * np.sum(phi) ** 2


def laplace_2d_padded(phi, rho, h=0.25):
    """Dirichlet zero boundary by `np.pad`, the stencil by slices of the padded grid."""
    P = np.pad(phi, 1)
    lap = (P[2:, 1:-1] + P[:-2, 1:-1] + P[1:-1, 2:] + P[1:-1, :-2] - 4 * P[1:-1, 1:-1]) / h ** 2
    return np.mean((lap + rho) ** 2)


def burgers_residual(u, dx, dt, nu=0.05):
    """Viscous Burgers `u_t + u u_x = nu u_xx`, central in space, forward in time."""
    u_t = (u[1:, 1:-1] - u[:-1, 1:-1]) / dt
    u_x = (u[:-1, 2:] - u[:-1, :-2]) / (2 * dx)
    u_xx = (u[:-1, 2:] - 2 * u[:-1, 1:-1] + u[:-1, :-2]) / dx ** 2
    r = u_t + u[:-1, 1:-1] * u_x - nu * u_xx
    ic = u[0] - np.sin(np.pi * np.linspace(-1, 1, u.shape[1]))
    return np.mean(r ** 2) + np.mean(ic ** 2) + np.mean(u[:, 0] ** 2 + u[:, -1] ** 2)


def pinn_mlp(params, x):
    h = x[:, None]
    for W, b in params[:-1]:
        h = np.tanh(h @ W + b)
    W, b = params[-1]
    return (h @ W + b)[:, 0]


def pinn_fd_loss(params, x, h=0.05):
    """A PINN for `u'' + pi^2 sin(pi x) = 0` with the network's derivatives by central
    differences of the network itself (three evaluations), boundary terms at -1 and 1."""
    u = pinn_mlp(params, x)
    up, um = pinn_mlp(params, x + h), pinn_mlp(params, x - h)
    u_xx = (up - 2 * u + um) / h ** 2
    res = u_xx + np.pi ** 2 * np.sin(np.pi * x)
    bc = pinn_mlp(params, np.array([-1.0, 1.0]))
    return np.mean(res ** 2) * 1e-2 + np.sum(bc ** 2)


def pinn_grad_inside(params, x):
    """The derivative of the network w.r.t. its input by `tracenp.grad` inside the loss (the
    JAX PINN idiom, `grad(u)(x)` summed over the batch), then the loss differentiated."""
    def u_sum(xx):
        return np.sum(pinn_mlp(params, xx))
    u_x = tracenp.grad(u_sum)(x)
    return np.mean((u_x - np.cos(x)) ** 2) + pinn_mlp(params, np.zeros(1))[0] ** 2


def wave_energy(u, v, c=1.0, dx=0.1):
    """Discrete energy of the wave equation: kinetic + c^2 |u_x|^2 / 2."""
    ux = np.diff(u) / dx
    return 0.5 * np.sum(v ** 2) * dx + 0.5 * c ** 2 * np.sum(ux ** 2) * dx


def allen_cahn_free_energy(phi, eps=0.1, dx=0.1):
    grad_x = (np.roll(phi, -1, axis=1) - phi) / dx
    grad_y = (np.roll(phi, -1, axis=0) - phi) / dx
    return np.sum(0.25 * (phi ** 2 - 1) ** 2 + 0.5 * eps ** 2 * (grad_x ** 2 + grad_y ** 2))


PG = np.linspace(0, 1, 12)
PINN_P = [(normal(1, 6, scale=0.8), normal(6, scale=0.2)), (normal(6, 6, scale=0.5),
                                                             normal(6, scale=0.2)),
          (normal(6, 1, scale=0.5), normal(1, scale=0.1))]

case("pinn_poisson_1d_slices", poisson_1d_residual, normal(12, scale=0.3),
     np.pi ** 2 * np.sin(np.pi * PG), PG[1] - PG[0])
case("pinn_poisson_1d_np_diff_n2", poisson_1d_np_diff, normal(12, scale=0.3),
     np.sin(np.pi * PG), 1.0 / 11)
case("pinn_heat_np_gradient_two_axes", heat_np_gradient, normal(5, 7, scale=0.5), 0.1, 0.05)
case("pinn_laplace_2d_np_roll", laplace_2d_roll, normal(5, 6, scale=0.3), normal(5, 6))
case("pinn_laplace_2d_np_pad_stencil", laplace_2d_padded, normal(4, 5, scale=0.3), normal(4, 5))
case("pinn_burgers_residual", burgers_residual, normal(4, 7, scale=0.4), 2.0 / 6, 0.05)
case("pinn_mlp_fd_second_derivative", pinn_fd_loss, PINN_P, np.linspace(-0.9, 0.9, 6))
case("pinn_grad_of_network_inside_loss", pinn_grad_inside, PINN_P, np.linspace(-1, 1, 5))
case("wave_energy_two_fields", wave_energy, normal(8), normal(8), argnums=(0, 1))
case("allen_cahn_free_energy_roll", allen_cahn_free_energy, normal(4, 5, scale=0.5))


# ----------------------------------------------------------------------------- neural ODEs


def ode_mlp(params, y, t):
    h = np.tanh(np.dot(np.concatenate([y, np.array([t])]), params["W1"]) + params["b1"])
    return np.dot(h, params["W2"]) + params["b2"]


def rk4_step(f, y, t, dt, params):
    k1 = f(params, y, t)
    k2 = f(params, y + dt * k1 / 2, t + dt / 2)
    k3 = f(params, y + dt * k2 / 2, t + dt / 2)
    k4 = f(params, y + dt * k3, t + dt)
    return y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


def neural_ode_rk4_loss(params, y0, target, t0=0.0, t1=1.0, steps=5):
    dt = (t1 - t0) / steps
    y, t = y0, t0
    for _ in range(steps):
        y = rk4_step(ode_mlp, y, t, dt, params)
        t += dt
    return np.sum((y - target) ** 2)


def neural_ode_trajectory_preallocated(params, y0, obs, dt=0.1):
    """The trajectory in `np.zeros((T, D))` written row by row, the loss over all rows."""
    T = obs.shape[0]
    ys = np.zeros((T, y0.shape[0]))
    ys[0] = y0
    for i in range(T - 1):
        ys[i + 1] = rk4_step(ode_mlp, ys[i], i * dt, dt, params)
    return np.mean((ys - obs) ** 2)


def neural_ode_batched_euler_list(params, y0, obs, dt=0.1):
    """A batch of initial states, Euler steps appended to a list and stacked."""
    traj = [y0]
    y = y0
    for _ in range(obs.shape[0] - 1):
        y = y + dt * (np.tanh(y @ params["A"]) @ params["B"])
        traj.append(y)
    return np.mean((np.stack(traj) - obs) ** 2)


def lotka_volterra_fit(theta, y0, obs, dt=0.05, substeps=3):
    """Fit `alpha, beta, gamma, delta` of Lotka-Volterra by RK4 with substeps."""
    a, b, c, d = np.exp(theta)

    def f(_, y, t):
        return np.array([a * y[0] - b * y[0] * y[1], -c * y[1] + d * y[0] * y[1]])

    y, loss = y0, 0.0
    for k in range(obs.shape[0]):
        for _ in range(substeps):
            y = rk4_step(f, y, 0.0, dt / substeps, None)
        loss = loss + np.sum((np.log(y) - np.log(obs[k])) ** 2)
    return loss


def damped_oscillator_adjoint_free(params, x0, v0, T=20, dt=0.05):
    """Semi-implicit Euler of `x'' = -k x - c x'` with `(k, c)` a dict, loss on the final
    energy plus a path integral."""
    x, v, path = x0, v0, 0.0
    for _ in range(T):
        v = v + dt * (-params["k"] * x - params["c"] * v)
        x = x + dt * v
        path += dt * x ** 2
    return 0.5 * v ** 2 + 0.5 * params["k"] * x ** 2 + path


ODE_P = {"W1": normal(3, 6, scale=0.5), "b1": normal(6, scale=0.1), "W2": normal(6, 2, scale=0.5),
         "b2": normal(2, scale=0.1)}
Y0 = np.array([0.5, -0.3])
LV_OBS = np.array([[1.05, 0.92], [1.08, 0.86], [1.12, 0.80], [1.16, 0.75]])

case("node_rk4_five_steps_dict_params", neural_ode_rk4_loss, ODE_P, Y0, np.array([0.2, 0.1]))
case("node_rk4_wrt_initial_state", lambda y0, p, tgt: neural_ode_rk4_loss(p, y0, tgt), Y0,
     ODE_P, np.array([0.2, 0.1]))
case("node_rk4_python_float_times", neural_ode_rk4_loss, ODE_P, Y0, np.array([0.2, 0.1]), 0.5,
     1.3, 4)
case("node_rk4_preallocated_rows", neural_ode_trajectory_preallocated, ODE_P, Y0,
     normal(6, 2, scale=0.3))
case("node_euler_batched_list_stack", neural_ode_batched_euler_list,
     {"A": normal(2, 4, scale=0.5), "B": normal(4, 2, scale=0.5)}, normal(3, 2),
     normal(7, 3, 2, scale=0.3))
case("node_lotka_volterra_log_params", lotka_volterra_fit, np.log([1.0, 0.6, 0.8, 0.5]),
     np.array([1.0, 1.0]), LV_OBS)
case("node_damped_oscillator_python_floats", damped_oscillator_adjoint_free,
     {"k": 2.0, "c": 0.3}, 1.0, 0.0)
case("node_damped_oscillator_wrt_state", lambda x0, v0, p: damped_oscillator_adjoint_free(
    p, x0, v0), 1.0, -0.5, {"k": 2.0, "c": 0.3}, argnums=(0, 1))


# ----------------------------------------------------------------------------- Hamiltonian dynamics


def pendulum_H(q, p, m=1.0, l=1.0, g=9.81):
    return p ** 2 / (2 * m * l ** 2) + m * g * l * (1 - np.cos(q))


def nbody_potential(x, masses, G=1.0, soft=0.1):
    """Gravitational potential energy over pairs `i < j` by `np.triu_indices`."""
    i, j = np.triu_indices(len(masses), 1)
    r = np.sqrt(np.sum((x[i] - x[j]) ** 2, axis=1) + soft ** 2)
    return -G * np.sum(masses[i] * masses[j] / r)


def nbody_hamiltonian(q, p, masses):
    return np.sum(np.sum(p ** 2, axis=1) / (2 * masses)) + nbody_potential(q, masses)


def leapfrog(q, p, masses, dt=0.01, steps=5):
    """Kick-drift-kick with the force `-dV/dq` from `tracenp.grad` of the potential."""
    dV = tracenp.grad(nbody_potential)
    p = p - 0.5 * dt * dV(q, masses)
    for i in range(steps):
        q = q + dt * p / masses[:, None]
        if i < steps - 1:
            p = p - dt * dV(q, masses)
    p = p - 0.5 * dt * dV(q, masses)
    return q, p


def energy_drift(q, p, masses):
    q1, p1 = leapfrog(q, p, masses)
    return nbody_hamiltonian(q1, p1, masses) - nbody_hamiltonian(q, p, masses) + np.sum(q1 ** 2)


def hnn_loss(params, x, dxdt):
    """Greydanus' Hamiltonian neural network: the vector field `(dH/dp, -dH/dq)` from the
    gradient of the network's scalar output w.r.t. its input, by `tracenp.grad` inside."""
    def H(z):
        h = np.tanh(z @ params["W1"] + params["b1"])
        return np.sum(h @ params["w2"])
    dH = tracenp.grad(H)(x)
    field = np.concatenate([dH[:, 1:], -dH[:, :1]], axis=1)
    return np.mean((field - dxdt) ** 2)


def hmc_potential_logistic(w, X, y):
    """HMC's `U(w)` for logistic regression and its kinetic term on a momentum argument."""
    z = X @ w
    return -np.sum(y * z - np.logaddexp(0, z)) + 0.5 * w @ w


def hmc_leapfrog_energy(w, r, X, y, eps=0.05, L=4):
    """Neal's leapfrog with `grad_U` from tracenp: the Hamiltonian at the end."""
    grad_U = tracenp.grad(hmc_potential_logistic)
    r = r - eps * grad_U(w, X, y) / 2
    for i in range(L):
        w = w + eps * r
        if i != L - 1:
            r = r - eps * grad_U(w, X, y)
    r = r - eps * grad_U(w, X, y) / 2
    return hmc_potential_logistic(w, X, y) + 0.5 * np.sum(r ** 2)


def spring_chain_H(q, p, k=2.0, m=1.0):
    return np.sum(p ** 2) / (2 * m) + 0.5 * k * np.sum(np.diff(q) ** 2) + 0.5 * k * q[0] ** 2


MASSES = np.array([1.0, 0.5, 0.8])
NB_Q = np.array([[0.0, 0.0], [1.0, 0.2], [-0.4, 0.9]])
NB_P = normal(3, 2, scale=0.3)
HNN_P = {"W1": normal(2, 8, scale=0.5), "b1": normal(8, scale=0.1), "w2": normal(8, scale=0.5)}
HNN_X = normal(6, 2)

case("hamiltonian_pendulum_python_floats", pendulum_H, 0.7, 1.3, argnums=(0, 1))
case("hamiltonian_pendulum_arrays", lambda q, p: np.sum(pendulum_H(q, p, 2.0, 0.5)),
     normal(5), normal(5), argnums=(0, 1))
case("hamiltonian_nbody_triu_indices", nbody_hamiltonian, NB_Q, NB_P, MASSES, argnums=(0, 1))
case("hamiltonian_nbody_wrt_masses", nbody_hamiltonian, NB_Q, NB_P, MASSES, argnums=2)
case("hamiltonian_leapfrog_energy_drift_grad_inside", energy_drift, NB_Q, NB_P, MASSES,
     argnums=(0, 1))
case("hamiltonian_neural_network_grad_inside", hnn_loss, HNN_P, HNN_X, normal(6, 2))
case("hmc_leapfrog_final_energy", hmc_leapfrog_energy, normal(3, scale=0.3), normal(3), VX, VY,
     argnums=(0, 1))
case("hamiltonian_spring_chain_diff", spring_chain_H, normal(6), normal(6), argnums=(0, 1))


# ----------------------------------------------------------------------------- count likelihoods


def gammaln_stirling(x):
    """`log Gamma` by shifting to `x + 6` and Stirling's series, as self-contained autograd
    examples write it when they avoid SciPy."""
    shift = np.log(x * (x + 1) * (x + 2) * (x + 3) * (x + 4) * (x + 5))
    z = x + 6.0
    series = 1.0 / (12 * z) - 1.0 / (360 * z ** 3) + 1.0 / (1260 * z ** 5)
    return (z - 0.5) * np.log(z) - z + 0.5 * np.log(2 * np.pi) + series - shift


LOG_FACT = np.array([math.lgamma(k + 1.0) for k in range(40)])


def poisson_glm_nll(w, X, y):
    """Poisson regression with the log-factorials from a table of `math.lgamma`."""
    eta = X @ w
    return -np.sum(y * eta - np.exp(eta) - LOG_FACT[y])


def poisson_nll_stirling(log_rate, y):
    rate = np.exp(log_rate)
    return -np.sum(y * log_rate - rate - gammaln_stirling(y + 1.0))


def negbin_nll(log_mu, log_r, y):
    """NB2 log-likelihood with the dispersion differentiated through hand-written gammaln."""
    mu, r = np.exp(log_mu), np.exp(log_r)
    ll = (gammaln_stirling(y + r) - gammaln_stirling(r) - gammaln_stirling(y + 1.0)
          + r * np.log(r / (r + mu)) + y * np.log(mu / (r + mu)))
    return -np.sum(ll)


def negbin_scipy_gammaln(params, X, y):
    mu = np.exp(X @ params["beta"])
    alpha = np.exp(params["log_alpha"])
    r = 1.0 / alpha
    ll = (special.gammaln(y + r) - special.gammaln(r) - special.gammaln(y + 1)
          + r * np.log(r) - r * np.log(r + mu) + y * np.log(mu) - y * np.log(r + mu))
    return -ll.sum()


def student_t_nll_math_lgamma(nu, mu, sigma, x):
    """Student-t with `nu` a Python float: the normalizer by `math.lgamma` of Python scalars."""
    n = len(x)
    const = math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2) - 0.5 * math.log(nu * math.pi)
    z = (x - mu) / sigma
    return -(n * const - n * np.log(sigma) - (nu + 1) / 2 * np.sum(np.log1p(z ** 2 / nu)))


def student_t_regression(w, X, y, nu=4.0, scale=0.5):
    """Robust regression: the normalizer is a constant of Python floats."""
    r = (y - X @ w) / scale
    c = math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2) - 0.5 * math.log(nu * math.pi * scale ** 2)
    return -np.sum(c - (nu + 1) / 2 * np.log1p(r ** 2 / nu))


def student_t_nu_scipy(log_nu, r):
    nu = np.exp(log_nu)
    return -np.sum(special.gammaln((nu + 1) / 2) - special.gammaln(nu / 2)
                   - 0.5 * np.log(nu * np.pi) - (nu + 1) / 2 * np.log1p(r ** 2 / nu))


def zero_inflated_poisson(params, y):
    """ZIP: `log(pi + (1 - pi) exp(-lam))` at zeros, `np.where` on the count."""
    pi, lam = sigmoid(params[0]), np.exp(params[1])
    ll_zero = np.log(pi + (1 - pi) * np.exp(-lam))
    ll_pos = np.log(1 - pi) - lam + y * np.log(lam) - gammaln_stirling(y + 1.0)
    return -np.sum(np.where(y == 0, ll_zero, ll_pos))


def dirichlet_multinomial(log_alpha, counts):
    alpha = np.exp(log_alpha)
    A, N = alpha.sum(), counts.sum(axis=1)
    ll = (gammaln_stirling(A) - gammaln_stirling(N + A)
          + np.sum(gammaln_stirling(counts + alpha) - gammaln_stirling(alpha), axis=1))
    return -np.sum(ll)


def beta_binomial_math_lgamma(a, b, k, n):
    """Python-float `a`, `b` through `math.lgamma` of tracers-derived scalars (`a + b`)."""
    lbeta_ab = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    return -sum(math.lgamma(ki + a) + math.lgamma(ni - ki + b) - math.lgamma(ni + a + b)
                - lbeta_ab for ki, ni in zip(k, n))


PX = np.column_stack([np.ones(10), normal(10, 2, scale=0.4)])
PY = rng.poisson(np.exp(PX @ np.array([0.8, 0.3, -0.2])))
TX = normal(12) * 1.5 + 0.3

case("poisson_glm_math_lgamma_table", poisson_glm_nll, np.array([0.7, 0.2, -0.1]), PX, PY)
case("poisson_rate_stirling_gammaln", poisson_nll_stirling, normal(10, scale=0.3) + 1,
     PY.astype(float))
case("negbin_stirling_both_params", negbin_nll, normal(10, scale=0.3) + 1, 0.5,
     PY.astype(float), argnums=(0, 1))
case("negbin_scipy_gammaln_dict", negbin_scipy_gammaln,
     {"beta": np.array([0.7, 0.2, -0.1]), "log_alpha": -0.7}, PX, PY.astype(float))
case("student_t_nu_python_float_math_lgamma", student_t_nll_math_lgamma, 5.0, 0.2, 1.1, TX,
     argnums=(0, 1, 2))
case("student_t_regression_constant_lgamma", student_t_regression, np.array([0.7, 0.2, -0.1]),
     PX, PX @ np.array([0.8, 0.3, -0.2]) + 0.3 * normal(10))
case("student_t_log_nu_scipy_gammaln", student_t_nu_scipy, 1.2, normal(10))
case("zero_inflated_poisson_where", zero_inflated_poisson, np.array([-0.5, 0.9]),
     np.array([0.0, 0, 1, 3, 0, 2, 5, 0, 1, 4]))
case("dirichlet_multinomial_stirling", dirichlet_multinomial, np.array([0.2, -0.3, 0.5]),
     np.array([[3.0, 1, 4], [0, 2, 5], [6, 1, 1]]))
case("beta_binomial_math_lgamma_python_floats", beta_binomial_math_lgamma, 2.5, 1.5,
     [3, 1, 4, 0], [5, 4, 6, 3], argnums=(0, 1))



# ----------------------------------------------------------------------------- survival


def cox_partial_likelihood(beta, X, time, event):
    """Breslow's partial likelihood: sort by descending time, risk sets by `np.cumsum`."""
    order = np.argsort(-time)
    X, event = X[order], event[order]
    eta = X @ beta
    log_risk = np.log(np.cumsum(np.exp(eta)))
    return -np.sum((eta - log_risk) * event)


def cox_reversed_cumsum(beta, X, time, event):
    """Ascending sort, the risk set `sum_{j: t_j >= t_i}` by `np.cumsum(x[::-1])[::-1]`, a
    max shift for stability."""
    idx = np.argsort(time)
    eta = X[idx] @ beta
    m = eta.max()
    risk = np.cumsum(np.exp(eta - m)[::-1])[::-1]
    return -np.sum(event[idx] * (eta - m - np.log(risk))) / np.sum(event)


def cox_logaddexp_accumulate(beta, X, time, event):
    idx = np.argsort(-time)
    eta = X[idx] @ beta
    return -np.sum(event[idx] * (eta - np.logaddexp.accumulate(eta)))


def cox_efron_ties_loop(beta, X, time, event):
    """Efron's correction over tied event times by a Python loop over unique times."""
    eta = X @ beta
    w = np.exp(eta)
    ll = 0.0
    for t in np.unique(time[event == 1]):
        at = (time == t) & (event == 1)
        risk = np.sum(w[time >= t])
        tied = np.sum(w[at])
        d = int(at.sum())
        ll = ll + np.sum(eta[at])
        for l in range(d):
            ll = ll - np.log(risk - l / d * tied)
    return -ll


def weibull_censored_nll(params, X, t, event):
    """Weibull AFT: log-density for events, log-survival for censored rows."""
    k = np.exp(params["log_k"])
    lam = np.exp(X @ params["beta"])
    z = (t / lam) ** k
    log_f = np.log(k) - np.log(lam) + (k - 1) * (np.log(t) - np.log(lam)) - z
    log_S = -z
    return -np.sum(event * log_f + (1 - event) * log_S)


def weibull_python_floats(k, lam, t, event):
    z = (t / lam) ** k
    return -np.sum(event * (math.log(k) - math.log(lam) + (k - 1) * np.log(t / lam)) - z)


def discrete_time_hazard(w, X, durations, events, T=5):
    """Discrete-time survival: hazards by a logistic per interval, survival by `np.cumprod`,
    the likelihood read by fancy indexing on the duration."""
    h = sigmoid(X @ w)
    S = np.cumprod(1 - h, axis=1)
    S_prev = np.concatenate([np.ones((len(X), 1)), S[:, :-1]], axis=1)
    rows = np.arange(len(X))
    ll = events * np.log(h[rows, durations] * S_prev[rows, durations] + 1e-12)
    ll += (1 - events) * np.log(S[rows, durations] + 1e-12)
    return -np.sum(ll)


SV_X = normal(9, 3, scale=0.5)
SV_T = uniform(0.5, 5.0, 9)
SV_E = np.array([1.0, 0, 1, 1, 0, 1, 1, 0, 1])
TIES_T = np.array([1.0, 2, 2, 3, 3, 3, 4, 5, 5])

case("cox_breslow_descending_cumsum", cox_partial_likelihood, normal(3, scale=0.3), SV_X, SV_T,
     SV_E)
case("cox_reversed_cumsum_max_shift", cox_reversed_cumsum, normal(3, scale=0.3), SV_X, SV_T,
     SV_E)
case("cox_logaddexp_accumulate", cox_logaddexp_accumulate, normal(3, scale=0.3), SV_X, SV_T,
     SV_E)
case("cox_wrt_covariates", lambda X, b, t, e: cox_partial_likelihood(b, X, t, e), SV_X,
     normal(3, scale=0.3), SV_T, SV_E)
case("cox_efron_ties_python_loop", cox_efron_ties_loop, normal(3, scale=0.3), SV_X, TIES_T,
     SV_E, xfail="value_and_grad traces the non-differentiated data arguments (autograd passes "
     "them as concrete arrays): `np.unique(time[event == 1])` raises DataDependentShapeError "
     "(tracenp/numpy_api/masked.py:80), though the times and events are never differentiated")
case("weibull_censored_dict", weibull_censored_nll, {"log_k": 0.3, "beta": np.array(
    [0.5, 0.1, -0.2])}, SV_X, SV_T, SV_E)
case("weibull_python_float_shape_scale_math_log", weibull_python_floats, 1.4, 2.0, SV_T, SV_E,
     argnums=(0, 1))
case("survival_discrete_time_cumprod", discrete_time_hazard, normal(3, 5, scale=0.4), SV_X,
     rng.integers(0, 5, 9), SV_E)


# ----------------------------------------------------------------------------- ordinal regression


def ordinal_logit_nll(params, X, y):
    """Cumulative-link logit: ordered cutpoints `c0 + cumsum(exp(deltas))`, the class
    probability as a difference of sigmoids, padded with -inf/inf."""
    cut = np.concatenate([[params["c0"]], params["c0"] + np.cumsum(np.exp(params["deltas"]))])
    eta = X @ params["w"]
    cdf = sigmoid(cut[None, :] - eta[:, None])
    cdf = np.concatenate([np.zeros((len(y), 1)), cdf, np.ones((len(y), 1))], axis=1)
    p = cdf[np.arange(len(y)), y + 1] - cdf[np.arange(len(y)), y]
    return -np.sum(np.log(p))


def ordinal_probit_ndtr(w, cut_raw, X, y):
    cut = np.sort(cut_raw)
    c = np.hstack([-np.inf, cut, np.inf])
    eta = X @ w
    p = special.ndtr(c[y + 1] - eta) - special.ndtr(c[y] - eta)
    return -np.sum(np.log(p))


def ordinal_all_threshold(w, theta, X, y):
    """Rennie & Srebro's all-threshold loss: `np.where(l < y, ...)` over every threshold."""
    eta = X @ w
    l = np.arange(len(theta))
    s = np.where(l[None, :] < y[:, None], -1.0, 1.0)
    return np.sum(softplus(s * (theta[None, :] - eta[:, None])))


OX = normal(10, 2)
OY = np.array([0, 1, 2, 3, 1, 2, 0, 3, 2, 1])

case("ordinal_cumulative_logit_cumsum_cutpoints", ordinal_logit_nll,
     {"c0": -1.0, "deltas": np.array([-0.2, 0.1]), "w": np.array([0.5, -0.3])}, OX, OY)
case("ordinal_probit_ndtr_hstack_inf", ordinal_probit_ndtr, np.array([0.5, -0.3]),
     np.array([-0.8, 1.1, 0.2]), OX, OY, argnums=(0, 1))
case("ordinal_all_threshold_where", ordinal_all_threshold, np.array([0.5, -0.3]),
     np.array([-0.8, 0.2, 1.1]), OX, OY, argnums=(0, 1))


# ----------------------------------------------------------------------------- linear-chain CRF


def crf_log_partition(emissions, transitions):
    """The forward algorithm in log space with `logsumexp` over the previous tag."""
    alpha = emissions[0]
    for t in range(1, emissions.shape[0]):
        alpha = logsumexp(alpha[:, None] + transitions, axis=0) + emissions[t]
    return logsumexp(alpha)


def crf_nll(params, emissions, tags):
    trans, start, end = params["trans"], params["start"], params["end"]
    score = start[tags[0]] + np.sum(emissions[np.arange(len(tags)), tags])
    score = score + np.sum(trans[tags[:-1], tags[1:]]) + end[tags[-1]]
    alpha = start + emissions[0]
    for t in range(1, len(tags)):
        alpha = special.logsumexp(alpha[:, None] + trans + emissions[t][None, :], axis=0)
    log_Z = special.logsumexp(alpha + end)
    return log_Z - score


def crf_nll_handwritten_lse(params, emissions, tags):
    """The same with the hand-written `logsumexp` and the gold score by a Python loop."""
    trans = params["trans"]
    score = params["start"][tags[0]] + emissions[0, tags[0]]
    for t in range(1, len(tags)):
        score = score + trans[tags[t - 1], tags[t]] + emissions[t, tags[t]]
    score = score + params["end"][tags[-1]]
    alpha = params["start"] + emissions[0]
    for t in range(1, len(tags)):
        alpha = logsumexp(alpha[:, None] + trans + emissions[t][None, :], axis=0)
    return logsumexp(alpha + params["end"]) - score


def crf_batched_masked(trans, emissions, mask):
    """A batch of padded sequences: the update kept where `mask[:, t]`, by `np.where`."""
    alpha = emissions[:, 0]
    for t in range(1, emissions.shape[1]):
        nxt = logsumexp(alpha[:, :, None] + trans[None], axis=1) + emissions[:, t]
        alpha = np.where(mask[:, t][:, None], nxt, alpha)
    return np.sum(logsumexp(alpha, axis=1))


def crf_matrix_forward_scaled(trans, emissions):
    """The forward algorithm in probability space with per-step scaling (Rabiner)."""
    M = np.exp(trans)
    alpha = np.exp(emissions[0])
    log_Z = 0.0
    for t in range(1, emissions.shape[0]):
        alpha = (alpha @ M) * np.exp(emissions[t])
        c = alpha.sum()
        log_Z = log_Z + np.log(c)
        alpha = alpha / c
    return log_Z + np.log(alpha.sum())


CRF_E = normal(6, 4)
CRF_P = {"trans": normal(4, 4, scale=0.5), "start": normal(4, scale=0.3),
         "end": normal(4, scale=0.3)}
CRF_TAGS = np.array([0, 2, 2, 1, 3, 0])

case("crf_log_partition_forward_wrt_transitions", lambda tr, em: crf_log_partition(em, tr),
     CRF_P["trans"], CRF_E)
case("crf_log_partition_wrt_emissions", crf_log_partition, CRF_E, CRF_P["trans"])
case("crf_nll_scipy_logsumexp_fancy_gold", crf_nll, CRF_P, CRF_E, CRF_TAGS)
case("crf_nll_handwritten_loop_gold", crf_nll_handwritten_lse, CRF_P, CRF_E, CRF_TAGS)
case("crf_batched_mask_where", crf_batched_masked, CRF_P["trans"], normal(3, 5, 4),
     np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 0, 0, 0]], dtype=bool))
case("crf_scaled_forward_probability_space", crf_matrix_forward_scaled, CRF_P["trans"], CRF_E)


# ----------------------------------------------------------------------------- factorization


def mf_loss(params, rows, cols, vals, lam=0.1):
    """Biased matrix factorization on observed triples, L2 over a dict of parameters."""
    pred = (np.sum(params["U"][rows] * params["V"][cols], axis=1) + params["bu"][rows]
            + params["bi"][cols] + params["mu"])
    reg = sum(np.sum(params[k] ** 2) for k in ("U", "V", "bu", "bi"))
    return np.sum((vals - pred) ** 2) + lam * reg


def mf_masked_dense(U, V, R, mask, lam=0.05):
    E = mask * (R - U @ V.T)
    return 0.5 * np.sum(E ** 2) + 0.5 * lam * (np.linalg.norm(U, "fro") ** 2
                                               + np.linalg.norm(V, "fro") ** 2)


def mf_loop_over_ratings(params, ratings, lam=0.02):
    """Funk SVD's loss as a Python loop over `(u, i, r)` tuples."""
    err = 0.0
    for u, i, r in ratings:
        e = r - params["P"][u] @ params["Q"][i]
        err = err + e ** 2
    return err + lam * (np.sum(params["P"] ** 2) + np.sum(params["Q"] ** 2))


def nmf_kl_softplus(W_raw, H_raw, V):
    """KL-NMF with nonnegativity by softplus."""
    WH = softplus(W_raw) @ softplus(H_raw) + 1e-9
    return np.sum(V * np.log(V / WH) - V + WH)


def poisson_mf_einsum(theta, beta, Y):
    rate = np.exp(np.einsum("uk,ik->ui", theta, beta))
    return np.sum(rate - Y * np.log(rate)) + 0.5 * np.sum(theta ** 2) + 0.5 * np.sum(beta ** 2)


MF_P = {"U": normal(5, 2, scale=0.5), "V": normal(4, 2, scale=0.5), "bu": normal(5, scale=0.1),
        "bi": normal(4, scale=0.1), "mu": 3.2}
MF_R = rng.integers(0, 5, 12)
MF_C = rng.integers(0, 4, 12)
MF_V = rng.integers(1, 6, 12).astype(float)
RATINGS = [(int(u), int(i), float(r)) for u, i, r in zip(MF_R, MF_C, MF_V)]
DENSE_R = normal(5, 4)
DENSE_M = (rng.uniform(size=(5, 4)) > 0.3).astype(float)

case("mf_biased_dict_fancy_rows_repeated", mf_loss, MF_P, MF_R, MF_C, MF_V)
case("mf_masked_dense_fro_norms", mf_masked_dense, normal(5, 2), normal(4, 2), DENSE_R, DENSE_M,
     argnums=(0, 1))
case("mf_funk_loop_over_rating_tuples", mf_loop_over_ratings,
     {"P": normal(5, 2, scale=0.5), "Q": normal(4, 2, scale=0.5)}, RATINGS)
case("nmf_kl_softplus", nmf_kl_softplus, normal(4, 2), normal(2, 3), uniform(0.5, 2, 4, 3),
     argnums=(0, 1))
case("poisson_mf_einsum", poisson_mf_einsum, normal(4, 2, scale=0.3), normal(3, 2, scale=0.3),
     rng.poisson(1.5, (4, 3)).astype(float), argnums=(0, 1))


# ----------------------------------------------------------------------------- t-SNE


def tsne_kl(Y, P):
    """van der Maaten's tsne.py: Student-t affinities with the diagonal zeroed in place."""
    n = Y.shape[0]
    sum_Y = np.sum(np.square(Y), 1)
    num = -2. * np.dot(Y, Y.T)
    num = 1. / (1. + np.add(np.add(num, sum_Y).T, sum_Y))
    num[range(n), range(n)] = 0.
    Q = num / np.sum(num)
    Q = np.maximum(Q, 1e-12)
    return np.sum(P * np.log(P / Q))


def tsne_kl_grad_hand(Y, P):
    """tsne.py's gradient `dY[i] = sum((PQ[:, i] * num[:, i])[:, None] * (Y[i] - Y), 0)`."""
    n = Y.shape[0]
    sum_Y = np.sum(np.square(Y), 1)
    num = -2. * np.dot(Y, Y.T)
    num = 1. / (1. + np.add(np.add(num, sum_Y).T, sum_Y))
    num[range(n), range(n)] = 0.
    Q = np.maximum(num / np.sum(num), 1e-12)
    PQ = P - Q
    dY = np.zeros_like(Y)
    for i in range(n):
        dY[i, :] = np.sum(np.tile(PQ[:, i] * num[:, i], (Y.shape[1], 1)).T * (Y[i, :] - Y), 0)
    return 4 * dY


def tsne_kl_fill_diagonal(Y, P, dof=1.0):
    """sklearn's form with degrees of freedom: `pdist`-like squared distances by broadcasting,
    `np.fill_diagonal`, `np.dot(P, np.log(...))` over the upper triangle."""
    d2 = np.sum((Y[:, None, :] - Y[None, :, :]) ** 2, axis=-1)
    q = (1.0 + d2 / dof) ** (-(dof + 1.0) / 2.0)
    np.fill_diagonal(q, 0.0)
    Q = q / np.sum(q)
    iu = np.triu_indices(len(Y), 1)
    return 2.0 * np.dot(P[iu], np.log(np.maximum(P[iu], 1e-12) / np.maximum(Q[iu], 1e-12)))


def sne_symmetric_gaussian(Y, P):
    d2 = sq_dist(Y, Y)
    logits = -d2 - 1e9 * np.eye(len(Y))
    logQ = logits - logsumexp(logits.ravel())
    off = ~np.eye(len(Y), dtype=bool)
    return np.sum(P[off] * (np.log(P[off]) - logQ[off]))


def umap_cross_entropy(Y, P, a=1.58, b=0.9):
    iu = np.triu_indices(len(Y), 1)
    d2 = np.sum((Y[iu[0]] - Y[iu[1]]) ** 2, 1)
    q = 1.0 / (1.0 + a * d2 ** b)
    p = P[iu]
    return -np.sum(p * np.log(q) + (1 - p) * np.log(1 - q + 1e-9))


def _tsne_P(n, seed):
    r = np.random.default_rng(seed)
    A = r.uniform(0.1, 1.0, (n, n))
    A = A + A.T
    np.fill_diagonal(A, 0.0)
    P = A / A.sum()
    P[np.diag_indices(n)] = 1e-12
    return P


TSNE_P = _tsne_P(7, 3)
TSNE_Y = normal(7, 2)

case("tsne_kl_vdmaaten_range_range_zero", tsne_kl, TSNE_Y, TSNE_P)
case("tsne_kl_fill_diagonal_dof_triu", tsne_kl_fill_diagonal, TSNE_Y, TSNE_P)
case("tsne_kl_dof_python_float", tsne_kl_fill_diagonal, TSNE_Y, TSNE_P, 1.7, argnums=(0, 2))
case("sne_symmetric_gaussian_bool_mask", sne_symmetric_gaussian, TSNE_Y, TSNE_P)
case("umap_cross_entropy_pairs", umap_cross_entropy, TSNE_Y, np.clip(TSNE_P * 10, 0.01, 0.99))




# ----------------------------------------------------------------------------- more idioms


def gp_flat_diagonal_jitter(theta, X, y):
    """`K.flat[::n + 1] += noise`, the strided-diagonal idiom."""
    n = len(y)
    K = rbf_kernel(X, X, np.exp(theta[0]), np.exp(theta[1]))
    K.flat[::n + 1] += np.exp(theta[2])
    return nll_chol(K, y)


def gp_batched_cholesky(log_ell, Xb, Yb, noise=0.1):
    """Several datasets at once: a (B, n, n) Cholesky, `np.diagonal(axis1=1, axis2=2)`, the
    solves batched with a trailing axis."""
    d2 = np.sum((Xb[:, :, None, :] - Xb[:, None, :, :]) ** 2, -1)
    K = np.exp(-0.5 * d2 / np.exp(2 * log_ell)) + noise * np.eye(Xb.shape[1])
    L = np.linalg.cholesky(K)
    a = np.linalg.solve(L, Yb[..., None])[..., 0]
    return np.sum(0.5 * np.sum(a ** 2, -1) + np.sum(np.log(np.diagonal(L, axis1=1, axis2=2)), -1))


def gp_icm_kron(params, X, Y):
    """A multi-task GP with the intrinsic coregionalization kernel `np.kron(B, Kx)`,
    `B = W W^T + diag(kappa)`, targets stacked task by task with `ravel(order="F")`."""
    B = params["W"] @ params["W"].T + np.diag(np.exp(params["log_kappa"]))
    Kx = rbf_kernel(X, X, np.exp(params["log_ell"]))
    K = np.kron(B, Kx) + 0.05 * np.eye(B.shape[0] * len(X))
    return nll_chol(K, Y.ravel(order="F"))


def gp_eigh_logdet(log_ell, X, y, noise=0.1):
    """Log-determinant and solve by `np.linalg.eigh`."""
    K = rbf_kernel(X, X, np.exp(log_ell)) + noise * np.eye(len(y))
    w, Q = np.linalg.eigh(K)
    b = Q.T @ y
    return 0.5 * np.sum(b ** 2 / w) + 0.5 * np.sum(np.log(w))


def gp_einsum_trace_quadform(theta, X, y):
    K = rbf_kernel(X, X, theta[0], theta[1]) + theta[2] * np.eye(len(y))
    K_inv = np.linalg.inv(K)
    return 0.5 * np.einsum("i,ij,j->", y, K_inv, y) + 0.5 * np.linalg.slogdet(K)[1] \
        + 1e-2 * np.einsum("ii->", K)


def glow_lu_flow(params, x):
    """Glow's invertible 1x1 map with the LU parameterization: `W = P L (U + diag(s))`,
    `L = np.tril(L_raw, -1) + I`, log-det `sum(log|s|)`."""
    P = np.eye(3)[[2, 0, 1]]
    L = np.tril(params["L"], -1) + np.eye(3)
    U = np.triu(params["U"], 1)
    s = params["s"]
    W = P @ L @ (U + np.diag(s))
    z = x @ W.T
    return -np.mean(-0.5 * np.sum(z ** 2, 1) + np.sum(np.log(np.abs(s))))


def made_masks(d_in, hidden):
    deg_in = np.arange(1, d_in + 1)
    deg_h = np.arange(hidden) % (d_in - 1) + 1
    M1 = (deg_h[None, :] >= deg_in[:, None]).astype(float)
    M2 = (deg_in[None, :] > deg_h[:, None]).astype(float)
    return M1, M2


def maf_nll(params, x, masks):
    """A masked autoregressive flow layer (MADE): masks from degree comparisons, the means and
    log-scales from masked weights."""
    M1, M2 = masks
    h = np.tanh(x @ (params["W1"] * M1) + params["b1"])
    mu = h @ (params["Wm"] * M2) + params["bm"]
    alpha = np.tanh(h @ (params["Wa"] * M2) + params["ba"])
    u = (x - mu) * np.exp(-alpha)
    return -np.mean(-0.5 * np.sum(u ** 2, 1) - 0.5 * x.shape[1] * np.log(2 * np.pi)
                    - np.sum(alpha, axis=1))


def planar_einsum_logdet_det(params, z):
    """Planar layers with `np.einsum` and the Jacobian's determinant by `np.linalg.det` of the
    batch of full Jacobians (the brute-force check of the matrix determinant lemma)."""
    total = np.zeros(len(z))
    for p in params:
        a = np.einsum("nd,d->n", z, p["w"]) + p["b"]
        h = np.tanh(a)
        J = np.eye(z.shape[1])[None] + np.einsum("i,n,j->nij", p["u"], 1 - h ** 2, p["w"])
        total = total + np.log(np.abs(np.linalg.det(J)))
        z = z + h[:, None] * p["u"]
    return np.mean(0.5 * np.sum(z ** 2, 1) - total)


def gmm_full_cov_loop(params, X):
    """A Gaussian mixture with a Cholesky factor per component in a list, log-densities by
    `np.linalg.solve` of each factor, logsumexp over components."""
    logw = params["logits"] - logsumexp(params["logits"])
    comps = []
    for k in range(len(params["means"])):
        L = np.tril(params["chols"][k])
        diff = X - params["means"][k]
        z = np.linalg.solve(L, diff.T)
        comps.append(logw[k] - 0.5 * np.sum(z ** 2, 0) - np.sum(np.log(np.abs(np.diag(L))))
                     - np.log(2 * np.pi))
    return -np.sum(logsumexp(np.stack(comps, axis=1), axis=1))


def mdn_scipy_log_softmax(params, x, t, K=3):
    out = mdn_forward(params, x)
    logpi = special.log_softmax(out[:, :K], axis=1)
    mu, log_s = out[:, K:2 * K], out[:, 2 * K:]
    comp = -0.5 * ((t - mu) / np.exp(log_s)) ** 2 - log_s - 0.5 * np.log(2 * np.pi)
    return -np.sum(special.logsumexp(logpi + comp, axis=1))


def ordinal_np_diff_probs(params, X, y):
    cut = np.cumsum(np.concatenate([params["c"][:1], np.exp(params["c"][1:])]))
    cdf = special.expit(cut[None, :] - (X @ params["w"])[:, None])
    cdf = np.hstack([np.zeros((len(X), 1)), cdf, np.ones((len(X), 1))])
    p = np.diff(cdf, axis=1)
    return -np.sum(np.log(p[np.arange(len(y)), y]))


def negbin_vectorize_math_lgamma(log_r, mu, y):
    """The log-Gamma terms by `np.vectorize(math.lgamma)` over the differentiated `y + r`."""
    lgam = np.vectorize(math.lgamma)
    r = np.exp(log_r)
    ll = lgam(y + r) - lgam(r) - lgam(y + 1) + r * np.log(r / (r + mu)) + y * np.log(mu / (r + mu))
    return -np.sum(ll)


def poisson_xlogy(log_rate, y):
    rate = np.exp(log_rate)
    return -np.sum(special.xlogy(y, rate) - rate - special.gammaln(y + 1))


def spectral_derivative_residual(u, L=2 * np.pi):
    """A periodic PDE residual with the derivatives by FFT: `u_xx + u - f`, by `rfft`/`irfft`
    with the wavenumbers of `np.fft.rfftfreq`."""
    n = len(u)
    k = 2 * np.pi * np.fft.rfftfreq(n, d=L / n)
    u_xx = np.fft.irfft(-(k ** 2) * np.fft.rfft(u), n)
    f = np.cos(3 * np.linspace(0, L, n, endpoint=False))
    return np.mean((u_xx + u - f) ** 2)


def spectral_complex_fft(u, L=2 * np.pi):
    n = len(u)
    k = 2 * np.pi * np.fft.fftfreq(n, d=L / n)
    u_x = np.real(np.fft.ifft(1j * k * np.fft.fft(u)))
    return np.sum(u_x ** 2) / n + np.sum(u ** 4) / n


def convolve_stencil_loss(u, f, h):
    """The second difference by `np.convolve(u, [1, -2, 1], "valid")`."""
    lap = np.convolve(u, np.array([1.0, -2.0, 1.0]), mode="valid") / h ** 2
    return np.sum((lap + f[1:-1]) ** 2) * h + u[0] ** 2 + u[-1] ** 2


def nonuniform_gradient_trapezoid(u, x):
    """`np.gradient(u, x)` on a non-uniform grid, the energy integral by `np.trapezoid`."""
    du = np.gradient(u, x)
    return np.trapezoid(0.5 * du ** 2 + 0.25 * (u ** 2 - 1) ** 2, x)


def gradient_edge_order2(u, h=0.1):
    du = np.gradient(u, h, edge_order=2)
    return np.sum(du ** 2) * h + np.sum(u ** 2) * h


def kepler_energy(q, p):
    """The Kepler problem's Hamiltonian and the angular momentum vector by `np.cross`."""
    H = 0.5 * np.sum(p ** 2, axis=1) - 1.0 / np.linalg.norm(q, axis=1)
    L = np.cross(q, p)
    return np.sum(H) + 0.1 * np.sum(L ** 2)


def hmc_metropolis_where(w, r, u, X, y, eps=0.05, L=3):
    """A full HMC transition: leapfrog by `tracenp.grad` inside, the accept step by
    `np.where(np.log(u) < H0 - H1, ...)`, the loss on the kept sample."""
    grad_U = tracenp.grad(hmc_potential_logistic)
    H0 = hmc_potential_logistic(w, X, y) + 0.5 * r @ r
    w1, r1 = w, r - eps * grad_U(w, X, y) / 2
    for i in range(L):
        w1 = w1 + eps * r1
        if i != L - 1:
            r1 = r1 - eps * grad_U(w1, X, y)
    r1 = r1 - eps * grad_U(w1, X, y) / 2
    H1 = hmc_potential_logistic(w1, X, y) + 0.5 * r1 @ r1
    w_new = np.where(np.log(u) < H0 - H1, w1, w)
    return np.sum(w_new ** 2)


def sgld_steps(w, noise, X, y, lr=0.01):
    """Stochastic gradient Langevin steps with the noise as an argument (one row a step)."""
    g = tracenp.grad(hmc_potential_logistic)
    for z in noise:
        w = w - 0.5 * lr * g(w, X, y) + np.sqrt(lr) * z
    return hmc_potential_logistic(w, X, y)


def cox_searchsorted_risk(beta, X, time, event):
    """Risk sets by `np.searchsorted` of the sorted times: the suffix sums read at each
    event's first position."""
    idx = np.argsort(time)
    t, e, eta = time[idx], event[idx], X[idx] @ beta
    suffix = np.cumsum(np.exp(eta)[::-1])[::-1]
    first = np.searchsorted(t, t, side="left")
    return -np.sum(e * (eta - np.log(suffix[first])))


def crf_forward_preallocated(trans, emissions):
    """The forward table in `np.zeros((T, K))` written row by row."""
    T, K = emissions.shape
    alpha = np.zeros((T, K))
    alpha[0] = emissions[0]
    for t in range(1, T):
        alpha[t] = emissions[t] + logsumexp(alpha[t - 1][:, None] + trans, axis=0)
    return logsumexp(alpha[-1])


def crf_forward_backward_marginals(trans, emissions, w):
    """Node marginals from forward and backward tables (lists), weighted and summed."""
    T = emissions.shape[0]
    fw = [emissions[0]]
    for t in range(1, T):
        fw.append(emissions[t] + logsumexp(fw[-1][:, None] + trans, axis=0))
    bw = [np.zeros(emissions.shape[1])]
    for t in range(T - 2, -1, -1):
        bw.insert(0, logsumexp(trans + (emissions[t + 1] + bw[0])[None, :], axis=1))
    logZ = logsumexp(fw[-1])
    marg = np.exp(np.stack(fw) + np.stack(bw) - logZ)
    return np.sum(marg * w)


def mf_add_at_loss(params, rows, cols, vals, lam=0.1):
    """Per-user regularization weighted by counts from `np.bincount`, errors scattered by
    `np.add.at` into a per-user table."""
    pred = np.sum(params["U"][rows] * params["V"][cols], axis=1)
    per_user = np.zeros(params["U"].shape[0])
    np.add.at(per_user, rows, (vals - pred) ** 2)
    counts = np.bincount(rows, minlength=params["U"].shape[0])
    return np.sum(per_user) + lam * np.sum(counts[:, None] * params["U"] ** 2) \
        + lam * np.sum(params["V"] ** 2)


def bpr_loss(params, users, pos, neg, lam=0.01):
    """Bayesian personalized ranking over sampled triples."""
    U, V = params["U"], params["V"]
    x = np.sum(U[users] * (V[pos] - V[neg]), axis=1)
    return -np.sum(np.log(sigmoid(x))) + lam * (np.sum(U ** 2) + np.sum(V ** 2))


def tsne_dof_heavy_tail_student(Y, P, dof):
    """Kobak's heavy-tailed t-SNE kernel `(1 + d^2 / a)^(-a)` with `a` differentiated."""
    d2 = sq_dist(Y, Y)
    w = (1 + d2 / dof) ** (-dof)
    w = w * (1 - np.eye(len(Y)))
    Q = w / w.sum()
    mask = ~np.eye(len(Y), dtype=bool)
    return np.sum(P[mask] * np.log(P[mask] / Q[mask]))


def weibull_time_varying_prod(params, t, event):
    """A piecewise-constant hazard: exposures per interval by `np.clip`, the interval by
    `np.searchsorted`, survival as the `np.prod` of the intervals' survivals."""
    edges = np.array([0.0, 1.0, 2.5, 10.0])
    lam = np.exp(params)
    exposure = np.clip(t[:, None] - edges[None, :-1], 0.0, np.diff(edges)[None, :])
    which = np.searchsorted(edges, t, side="right") - 1
    S = np.prod(np.exp(-exposure * lam[None, :]), axis=1)
    return -np.sum(event * np.log(lam[which]) + np.log(S))


case("gp_flat_strided_diagonal_add", gp_flat_diagonal_jitter, np.array([0.1, 0.2, -1.5]), GX,
     GY)
case("gp_batched_cholesky_diagonal_axes", gp_batched_cholesky, 0.2, normal(3, 5, 1),
     normal(3, 5))
case("gp_icm_kron_ravel_F", gp_icm_kron,
     {"W": normal(2, 1, scale=0.7), "log_kappa": np.array([-1.0, -0.5]), "log_ell": 0.3},
     normal(4, 1), normal(4, 2))
case("gp_eigh_logdet", gp_eigh_logdet, 0.1, GX, GY)
case("gp_einsum_quadform_and_trace", gp_einsum_trace_quadform, np.array([1.1, 0.9, 0.2]), GX,
     GY)
case("flow_glow_lu_tril_triu", glow_lu_flow,
     {"L": normal(3, 3, scale=0.3), "U": normal(3, 3, scale=0.3), "s": np.array([1.2, -0.8, 0.9])},
     normal(5, 3))
case("flow_maf_made_degree_masks", maf_nll,
     {"W1": normal(3, 6, scale=0.5), "b1": normal(6, scale=0.1), "Wm": normal(6, 3, scale=0.4),
      "bm": normal(3, scale=0.1), "Wa": normal(6, 3, scale=0.4), "ba": normal(3, scale=0.1)},
     normal(5, 3), made_masks(3, 6))
case("flow_planar_einsum_batched_det", planar_einsum_logdet_det,
     [{"u": normal(2, scale=0.4), "w": normal(2), "b": 0.1}, {"u": normal(2, scale=0.4),
                                                              "w": normal(2), "b": -0.2}], FZ)
case("gmm_full_cov_cholesky_list_loop", gmm_full_cov_loop,
     {"logits": normal(2), "means": [normal(2), normal(2)],
      "chols": [np.eye(2) + np.tril(normal(2, 2, scale=0.2)), np.eye(2) * 1.3]}, normal(6, 2))
case("mdn_scipy_log_softmax_logsumexp", mdn_scipy_log_softmax, MDN_P, MDN_X, MDN_T)
case("ordinal_np_diff_expit_probs", ordinal_np_diff_probs,
     {"c": np.array([-1.0, 0.2, 0.1]), "w": np.array([0.5, -0.3])}, OX, OY)
case("negbin_np_vectorize_math_lgamma", negbin_vectorize_math_lgamma, 0.4,
     uniform(1, 3, 10), PY.astype(float))
case("poisson_scipy_xlogy_gammaln", poisson_xlogy, normal(10, scale=0.3),
     np.array([0.0, 1, 2, 0, 3, 5, 1, 0, 2, 1]))
case("pinn_spectral_rfft_second_derivative", spectral_derivative_residual, normal(16, scale=0.5))
case("pinn_spectral_complex_fft_first_derivative", spectral_complex_fft, normal(12, scale=0.5))
case("pinn_np_convolve_stencil", convolve_stencil_loss, normal(10, scale=0.3),
     np.sin(np.linspace(0, np.pi, 10)), np.pi / 9)
case("pinn_nonuniform_np_gradient_trapezoid", nonuniform_gradient_trapezoid,
     normal(9, scale=0.5), np.sort(uniform(0, 2, 9)) + np.arange(9) * 0.05)
case("pinn_np_gradient_edge_order_2", gradient_edge_order2, normal(9))
case("hamiltonian_kepler_cross_norm", kepler_energy,
     np.array([[1.0, 0.2, 0.1], [0.3, -1.1, 0.4], [-0.8, 0.5, -0.2]]), normal(3, 3, scale=0.5),
     argnums=(0, 1))
case("hmc_metropolis_np_where_accept", hmc_metropolis_where, normal(3, scale=0.3), normal(3),
     np.array(0.3), VX, VY, argnums=(0, 1))
case("sgld_noise_rows_loop", sgld_steps, normal(3, scale=0.3), normal(4, 3), VX, VY)
case("cox_searchsorted_risk_sets", cox_searchsorted_risk, normal(3, scale=0.3), SV_X, TIES_T,
     SV_E)
case("crf_forward_preallocated_rows", crf_forward_preallocated, CRF_P["trans"], CRF_E)
case("crf_forward_backward_insert_marginals", crf_forward_backward_marginals, CRF_P["trans"],
     CRF_E, normal(6, 4), argnums=(0, 1))
case("mf_np_add_at_bincount", mf_add_at_loss, {"U": MF_P["U"], "V": MF_P["V"]}, MF_R, MF_C,
     MF_V)
case("mf_bpr_triples", bpr_loss, {"U": MF_P["U"], "V": MF_P["V"]}, MF_R[:8],
     MF_C[:8], (MF_C[:8] + 1) % 4)
case("tsne_heavy_tail_dof_differentiated", tsne_dof_heavy_tail_student, TSNE_Y, TSNE_P, 0.8,
     argnums=(0, 2))
case("survival_piecewise_hazard_clip_prod", weibull_time_varying_prod,
     np.array([-1.0, -0.5, -0.2]), SV_T, SV_E)



# ----------------------------------------------------------------------------- scipy.special


def beta_binomial_betaln(log_ab, k, n):
    """The beta-binomial log-likelihood by `special.betaln`, as PyMC-free fits write it."""
    a, b = np.exp(log_ab)
    return -np.sum(special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
                   + special.betaln(k + a, n - k + b) - special.betaln(a, b))


def probit_log_ndtr(w, X, y):
    """Probit regression's log-likelihood by `special.log_ndtr` (stable in the tails)."""
    z = (2 * y - 1) * (X @ w)
    return -np.sum(special.log_ndtr(z))


def wishart_log_df(log_df, S, Psi):
    """A Wishart log-density in its degrees of freedom, `special.multigammaln(df / 2, p)`."""
    p = S.shape[0]
    df = p - 1 + np.exp(log_df)
    _, logdet_S = np.linalg.slogdet(S)
    _, logdet_Psi = np.linalg.slogdet(Psi)
    return -((df - p - 1) / 2 * logdet_S - np.trace(np.linalg.solve(Psi, S)) / 2
             - df * p / 2 * np.log(2) - df / 2 * logdet_Psi - special.multigammaln(df / 2, p))


def weibull_mean_gamma(log_k, log_lam, t_obs):
    """Moment matching of a Weibull: the mean `lam * gamma(1 + 1/k)` by `special.gamma`."""
    k, lam = np.exp(log_k), np.exp(log_lam)
    mean = lam * special.gamma(1 + 1 / k)
    var = lam ** 2 * (special.gamma(1 + 2 / k) - special.gamma(1 + 1 / k) ** 2)
    return (mean - np.mean(t_obs)) ** 2 + (var - np.var(t_obs)) ** 2


def discrete_kl_rel_entr(logits, p):
    q = np.exp(logits - logsumexp(logits))
    return np.sum(special.rel_entr(p, q))


def binomial_xlog1py(logit_p, k, n):
    """scipy.stats.binom's logpmf written out: `xlogy(k, p) + xlog1py(n - k, -p)`."""
    p = special.expit(logit_p)
    return -np.sum(special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
                   + special.xlogy(k, p) + special.xlog1py(n - k, -p))


def von_mises_i0e(params, theta):
    """A von Mises likelihood with the normalizer by the scaled Bessel `special.i0e`."""
    mu, kappa = params["mu"], np.exp(params["log_kappa"])
    return -np.sum(kappa * np.cos(theta - mu) - np.log(2 * np.pi * special.i0e(kappa)) - kappa)


def inverse_cdf_reparam_ndtri(params, u, X, y):
    """Reparameterization by the inverse CDF: `z = mu + s * ndtri(u)` with uniform noise `u`."""
    w = params["mu"] + np.exp(params["log_s"]) * special.ndtri(u)
    return -np.mean(log_joint_logreg(w, X, y)) - np.sum(params["log_s"])


def log_gamma_complex_loggamma(log_a, x):
    """A gamma likelihood's normalizer by `special.loggamma` (the principal branch)."""
    a = np.exp(log_a)
    return -np.sum((a - 1) * np.log(x) - x - np.real(special.loggamma(a)))


case("special_betaln_beta_binomial", beta_binomial_betaln, np.array([0.5, 0.2]),
     np.array([3.0, 1, 4, 0, 6]), np.array([5.0, 4, 6, 3, 8]))
case("special_log_ndtr_probit", probit_log_ndtr, np.array([0.3, -0.5, 0.2]), VX, VY)
case("special_multigammaln_wishart_df", wishart_log_df, 0.7,
     np.array([[2.0, 0.3], [0.3, 1.0]]), np.array([[1.0, 0.1], [0.1, 1.5]]),
     xfail="scipy.special.multigammaln of a traced `df` runs SciPy's Python, whose domain "
     "check `if np.any(a <= 0.5 * (d - 1))` raises ConcretizationError under value_and_grad")
case("special_gamma_weibull_moments", weibull_mean_gamma, 0.4, 0.3, SV_T, argnums=(0, 1))
case("special_rel_entr_discrete_kl", discrete_kl_rel_entr, normal(5),
     np.array([0.1, 0.2, 0.3, 0.15, 0.25]))
case("special_xlog1py_binomial", binomial_xlog1py, normal(5, scale=0.5),
     np.array([3.0, 1, 4, 0, 6]), np.array([5.0, 4, 6, 3, 8]))
case("special_i0e_von_mises", von_mises_i0e, {"mu": 0.3, "log_kappa": 0.5}, uniform(-1, 2, 8))
case("special_ndtri_inverse_cdf_noise", inverse_cdf_reparam_ndtri,
     {"mu": normal(3), "log_s": -np.ones(3)}, uniform(0.05, 0.95, 6, 3), VX, VY)
case("special_loggamma_gamma_likelihood", log_gamma_complex_loggamma, 0.6, uniform(0.5, 3, 8))




# ----------------------------------------------------------------------------- nested and misc


def tsne_scipy_pdist(Y, P):
    """The common script form: `squareform(pdist(Y, "sqeuclidean"))` for the distances."""
    D = squareform(pdist(Y, "sqeuclidean"))
    num = 1.0 / (1.0 + D)
    np.fill_diagonal(num, 0.0)
    Q = num / num.sum()
    m = ~np.eye(len(Y), dtype=bool)
    return np.sum(P[m] * np.log(P[m] / Q[m]))


def crf_logaddexp_reduce(trans, emissions):
    """The forward recursion by `np.logaddexp.reduce(..., axis=0)`."""
    alpha = emissions[0]
    for t in range(1, len(emissions)):
        alpha = np.logaddexp.reduce(alpha[:, None] + trans, axis=0) + emissions[t]
    return np.logaddexp.reduce(alpha)


def ginzburg_landau_np_gradient_list(phi, dx=0.1):
    """`gx, gy = np.gradient(phi, dx)`: both axes at once, unpacked."""
    gx, gy = np.gradient(phi, dx)
    return np.sum(0.5 * (gx ** 2 + gy ** 2) + 0.25 * (phi ** 2 - 1) ** 2) * dx ** 2


def gp_nll_list_of_floats(theta, X, y):
    """The hyperparameters as a list of Python floats unpacked at the top."""
    ell, var, noise = theta
    K = var * np.exp(-0.5 * sq_dist(X, X) / ell ** 2) + noise * np.eye(len(X))
    return 0.5 * y @ np.linalg.solve(K, y) + 0.5 * np.linalg.slogdet(K)[1]


def laplace_evidence(log_alpha, w_map, X, y):
    """MacKay's evidence by the Laplace approximation: the Hessian of the negative log
    posterior by `tracenp.jacobian(tracenp.grad(...))` inside the differentiated function."""
    alpha = np.exp(log_alpha)

    def neg_log_post(w):
        z = X @ w
        return -np.sum(y * z - np.logaddexp(0, z)) + 0.5 * alpha * w @ w

    H = tracenp.jacobian(tracenp.grad(neg_log_post))(w_map)
    return neg_log_post(w_map) + 0.5 * np.linalg.slogdet(H)[1] - 0.5 * len(w_map) * log_alpha


def ordinal_take_along_axis(w, X, y):
    logits = np.stack([np.zeros(len(X)), X @ w, 2 * X @ w - 1.0], axis=1)
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return -np.sum(np.take_along_axis(logp, y[:, None], axis=1))


def flow_logdet_by_jacobian(W, z):
    """A residual flow's log-determinant by the brute-force `tracenp.jacobian` inside."""
    def f(x):
        return np.tanh(x @ W) + x
    J = tracenp.jacobian(f)(z)
    return -np.log(np.abs(np.linalg.det(J))) + 0.5 * np.sum(f(z) ** 2)


def scale_written_into_params(p, x):
    """The constrained parameter cached into the differentiated dict, as notebooks do."""
    p["scale"] = np.exp(p["log_scale"])
    return np.sum((x / p["scale"]) ** 2) + x.shape[0] * np.sum(p["log_scale"])


def gp_fancy_diagonal_add(theta, X, y):
    K = np.exp(-0.5 * sq_dist(X, X) / theta[0] ** 2)
    K[np.arange(len(X)), np.arange(len(X))] += theta[1]
    return nll_chol(K, y)


def matern_sqrt_jitter(log_ell, X, y):
    """Distances by `np.sqrt(d2 + 1e-12)` so the diagonal's derivative stays finite."""
    r = np.sqrt(np.sum((X[:, None] - X[None]) ** 2, -1) + 1e-12)
    K = matern32(r, np.exp(log_ell), 1.0) + 0.1 * np.eye(len(X))
    return 0.5 * y @ np.linalg.solve(K, y) + 0.5 * np.linalg.slogdet(K)[1]


def lattice_phi4_kron(phi, m2=0.5, lam=0.25):
    """A lattice phi^4 action with the Laplacian as a Kronecker sum."""
    n = phi.shape[0]
    D = np.eye(n, k=1) + np.eye(n, k=-1) - 2 * np.eye(n)
    Lap = np.kron(D, np.eye(n)) + np.kron(np.eye(n), D)
    v = phi.ravel()
    return 0.5 * v @ (-Lap + m2 * np.eye(n * n)) @ v + lam * np.sum(v ** 4)


def gp_cholesky_upper(theta, X, y):
    """NumPy 2's `np.linalg.cholesky(K, upper=True)`, log-det from the upper factor."""
    K = rbf_kernel(X, X, theta[0]) + theta[1] * np.eye(len(X))
    U = np.linalg.cholesky(K, upper=True)
    a = np.linalg.solve(U.T, y)
    return 0.5 * a @ a + np.sum(np.log(np.diag(U)))


def interp_initial_condition(f, xq):
    """A PDE's initial condition given on a coarse grid and read by `np.interp`."""
    return np.sum(np.interp(xq, np.linspace(0, 1, len(f)), f) ** 2) + np.sum(np.diff(f) ** 2)


def gp_nll_scipy_cho_solve(log_ell, X, y):
    K = rbf_kernel(X, X, np.exp(log_ell)) + 0.1 * np.eye(len(X))
    L = np.linalg.cholesky(K)
    return 0.5 * y @ cho_solve((L, True), y) + np.sum(np.log(np.diag(L)))


case("gp_scipy_linalg_cho_solve", gp_nll_scipy_cho_solve, 0.1, GX, GY)
case("tsne_scipy_spatial_pdist_squareform", tsne_scipy_pdist, TSNE_Y, TSNE_P)
case("crf_logaddexp_reduce_axis", crf_logaddexp_reduce, CRF_P["trans"], CRF_E, argnums=(0, 1))
case("ginzburg_landau_np_gradient_unpacked", ginzburg_landau_np_gradient_list,
     normal(4, 5, scale=0.5))
case("gp_list_of_python_floats", gp_nll_list_of_floats, [0.8, 1.1, 0.2], GX, GY)
case("gp_np_float64_leaves", lambda p, X, y: gp_nll_list_of_floats(
    [p["ell"], p["var"], p["noise"]], X, y),
    {"ell": np.float64(0.8), "var": np.float64(1.1), "noise": np.float64(0.2)}, GX, GY)
case("laplace_evidence_hessian_by_jacobian_of_grad", laplace_evidence, 0.3, normal(3, scale=0.3),
     VX, VY)
case("ordinal_take_along_axis", ordinal_take_along_axis, normal(3), VX, rng.integers(0, 3, 10))
case("flow_residual_logdet_by_jacobian_inside", flow_logdet_by_jacobian, normal(3, 3, scale=0.3),
     normal(3))
case("flow_scale_written_into_differentiated_dict", scale_written_into_params,
     {"log_scale": np.array([0.1, 0.2])}, normal(4, 2))
case("gp_fancy_arange_diagonal_add", gp_fancy_diagonal_add, np.array([0.9, 0.3]), GX, GY)
case("gp_matern_sqrt_jitter_distances", matern_sqrt_jitter, 0.2, GX2, GY2)
case("lattice_phi4_kron_laplacian", lattice_phi4_kron, normal(3, 3))
case("gp_cholesky_upper_true", gp_cholesky_upper, np.array([0.9, 0.3]), GX, GY)
case("pinn_interp_initial_condition", interp_initial_condition, normal(6),
     np.array([0.13, 0.5, 0.77]))



# ----------------------------------------------------------------------------- views and out=


def gp_ravel_view_diagonal(theta, X, y):
    """`K.ravel()[::n + 1] += noise`: a write through a view of the kernel matrix."""
    K = rbf_kernel(X, X, theta[0], theta[1])
    K.ravel()[::len(y) + 1] += theta[2]
    return nll_chol(K, y)


def gp_einsum_diagonal_view(theta, X, y):
    """`np.einsum("ii->i", K)` is a writeable view of the diagonal."""
    K = rbf_kernel(X, X, theta[0], theta[1])
    np.einsum("ii->i", K)[:] += theta[2]
    return nll_chol(K, y)


def gp_add_out_alias(theta, X, y):
    """`np.add(K, noise * I, out=K)` after `Kn = K` aliased it."""
    K = rbf_kernel(X, X, theta[0], theta[1])
    Kn = K
    np.add(Kn, theta[2] * np.eye(len(y)), out=Kn)
    return nll_chol(K, y)


def gp_exp_out_inplace(theta, X, y):
    """The kernel exponentiated in place: `np.exp(K, out=K)`, then `K *= var`."""
    K = -0.5 * sq_dist(X, X) / theta[0] ** 2
    np.exp(K, out=K)
    K *= theta[1] ** 2
    K += theta[2] * np.eye(len(y))
    return nll_chol(K, y)


def gp_row_views_in_loop(theta, X, y):
    K = rbf_kernel(X, X, theta[0], theta[1])
    for i in range(len(y)):
        row = K[i]
        row[i] += theta[2]
    return nll_chol(K, y)


def centre_log_scales_inplace(p, x):
    """The differentiated dict's array centred in place through a name bound to it."""
    ls = p["log_s"]
    ls -= ls.mean()
    return np.sum((x * np.exp(ls)) ** 2)


def flow_mask_imul(u):
    """A leaky map applied in place by a boolean mask, and its log-derivative."""
    v = u.copy()
    v[v < 0] *= 0.1
    logdet = np.sum(np.where(u < 0, np.log(0.1), 0.0))
    return np.sum(0.5 * v ** 2) - logdet


GP_THETA = np.array([1.1, 0.9, 0.2])
case("gp_ravel_view_strided_diagonal", gp_ravel_view_diagonal, GP_THETA, GX, GY)
case("gp_einsum_ii_writeable_view", gp_einsum_diagonal_view, GP_THETA, GX, GY)
case("gp_np_add_out_aliased", gp_add_out_alias, GP_THETA, GX, GY)
case("gp_np_exp_out_then_imul", gp_exp_out_inplace, GP_THETA, GX, GY)
case("gp_row_views_written_in_loop", gp_row_views_in_loop, GP_THETA, GX, GY)
case("vi_centre_differentiated_array_inplace", centre_log_scales_inplace,
     {"log_s": np.array([0.8, 0.2, 0.5])}, np.arange(3.0))
case("flow_leaky_boolean_mask_imul", flow_mask_imul, np.array([0.5, -0.3, 1.2, -2.0]))



# ----------------------------------------------------------------------------- flat vectors


def flatten_params(params):
    """The hand-written `flatten` of scipy.optimize drivers: ravel and concatenate, keeping
    the shapes for `unflatten`."""
    shapes = [np.shape(p) for p in params]
    return np.concatenate([np.ravel(p) for p in params]), shapes


def unflatten(flat, shapes):
    sizes = [int(np.prod(s)) for s in shapes]
    parts = np.split(flat, np.cumsum(sizes)[:-1])
    return [part.reshape(shape) for part, shape in zip(parts, shapes)]


MDN_FLAT, MDN_SHAPES = flatten_params([p for layer in MDN_P for p in layer])


def mdn_nll_flat(flat, inputs, targets, shapes=tuple(MDN_SHAPES)):
    W1, b1, W2, b2 = unflatten(flat, shapes)
    return mdn_nll([(W1, b1), (W2, b2)], inputs, targets)


def realnvp_flat_offsets(flat, x):
    """Parameters read from a flat vector by running offsets in a Python loop."""
    layers, off = [], 0
    for _ in range(2):
        p = {}
        for k, shape in (("W1", (4, 5)), ("b1", (5,)), ("W2", (5, 8)), ("b2", (8,))):
            n = int(np.prod(shape))
            p[k] = flat[off:off + n].reshape(shape)
            off += n
        layers.append(p)
    return realnvp_nll(layers, x, MASKS[:2])


case("mdn_flat_vector_np_split_unflatten", mdn_nll_flat, MDN_FLAT, MDN_X, MDN_T)
case("flow_realnvp_flat_vector_running_offsets", realnvp_flat_offsets,
     normal(2 * (20 + 5 + 40 + 8), scale=0.3), NVP_X)



# ----------------------------------------------------------------------------- generator noise


def elbo_generator_argument(params, rng, X, y, S=6):
    """The reparameterization noise drawn inside from a `Generator` passed in."""
    D = X.shape[1]
    mu, log_s = params[:D], params[D:]
    eps = rng.standard_normal((S, D))
    w = mu + np.exp(log_s) * eps
    return -(np.sum(log_s) + np.mean(log_joint_logreg(w, X, y)))


def elbo_random_state_argument(params, rs, S=6):
    """autograd's examples' `rs.randn(num_samples, D)` from a `RandomState` passed in."""
    D = len(params) // 2
    samples = rs.randn(S, D) * np.exp(params[D:]) + params[:D]
    return -(gaussian_entropy(params[D:]) + np.mean(banana_logprob(samples)))


def elbo_seed_argument(params, seed, X, y):
    rng = np.random.default_rng(seed)
    return elbo_generator_argument(params, rng, X, y)


case("svi_noise_from_default_rng_of_seed", elbo_seed_argument,
     np.concatenate([normal(3), -np.ones(3)]), 11, VX, VY)


# ----------------------------------------------------------------------------- guards


def gp_nll_noise_floor_if(ell, noise, X, y):
    """A floor on the noise by a Python `if` on the differentiated float (GPy-style)."""
    if noise < 1e-6:
        noise = 1e-6
    K = rbf_kernel(X, X, ell) + noise * np.eye(len(X))
    return nll_chol(K, y)


case("gp_noise_floor_python_if_on_differentiated_float", gp_nll_noise_floor_if, 0.9, 0.1, GX, GY,
     argnums=(0, 1), xfail="`if noise < 1e-6:` on a differentiated Python float: "
     "value_and_grad raises ConcretizationError ('The truth value of a traced array ...'), "
     "where autograd and JAX's un-jitted grad take the branch on the concrete value; jit alone "
     "runs it (the float made static)")


# ----------------------------------------------------------------------------- hand gradients


def gp_nll_grad_rasmussen(theta, X, y):
    """Rasmussen & Williams (5.9): `-0.5 tr((alpha alpha^T - K^-1) dK/dtheta)` per
    hyperparameter of `gp_nll_log_params`, and `-sum(alpha)` for the constant mean."""
    mean, noise, ell, var = theta[0], np.exp(theta[1]), np.exp(theta[2]), np.exp(theta[3])
    d2 = sq_dist(X, X)
    Kf = var * np.exp(-0.5 * d2 / ell ** 2)
    K = Kf + (noise + 1e-6) * np.eye(len(y))
    K_inv = np.linalg.inv(K)
    alpha = K_inv @ (y - mean)
    W = np.outer(alpha, alpha) - K_inv
    dKs = [noise * np.eye(len(y)), Kf * d2 / ell ** 2, Kf]
    return np.array([-np.sum(alpha)] + [-0.5 * np.sum(W * dK) for dK in dKs])


def logreg_mean_field_loss(params, eps, X, y):
    D = X.shape[1]
    mu, log_std = params["q"][:D], params["q"][D:]
    w = mu + np.exp(log_std) * eps
    return -(gaussian_entropy(log_std) + np.mean(log_joint_logreg(w, X, y)))


def logreg_mean_field_hand(params, eps, X, y, prior_var=4.0):
    D = X.shape[1]
    mu, log_std = params["q"][:D], params["q"][D:]
    w = mu + np.exp(log_std) * eps
    g = (y - 1.0 / (1.0 + np.exp(-(w @ X.T)))) @ X - w / prior_var
    g_mu = -np.mean(g, axis=0)
    g_ls = -(1.0 + np.mean(g * eps, axis=0) * np.exp(log_std))
    return {"q": np.concatenate([g_mu, g_ls])}


def mf_dense_loss(params, R, mask, lam=0.05):
    return mf_masked_dense(params["U"], params["V"], R, mask, lam)


def mf_dense_hand(params, R, mask, lam=0.05):
    U, V = params["U"], params["V"]
    E = mask * (R - U @ V.T)
    return {"U": -E @ V + lam * U, "V": -E.T @ U + lam * V}


def poisson_loss(params, X, y):
    eta = X @ params["w"]
    return np.sum(np.exp(eta) - y * eta)


def poisson_hand(params, X, y):
    return {"w": X.T @ (np.exp(X @ params["w"]) - y)}


def tsne_loss(params, P):
    return tsne_kl(params["Y"], P)


def tsne_hand(params, P):
    return {"Y": tsne_kl_grad_hand(params["Y"], P)}


def gp_loss(params, X, y):
    return gp_nll_log_params(params["theta"], X, y)


def gp_hand(params, X, y):
    return {"theta": gp_nll_grad_rasmussen(params["theta"], X, y)}


def sgd(grad_fn, params, data, num_iters=4, lr=0.05):
    params = dict(params)
    for it in range(num_iters):
        grads = grad_fn(params, *data)
        for k in params:
            params[k] = params[k] - lr * grads[k]
    return params


def momentum(grad_fn, params, data, num_iters=4, lr=0.05, mu=0.8):
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    params = {k: v.copy() for k, v in params.items()}
    for _ in range(num_iters):
        grads = grad_fn(params, *data)
        for k in params:
            velocity[k] = mu * velocity[k] - lr * grads[k]
            params[k] += velocity[k]
    return params


def adam(grad_fn, params, data, num_iters=5, lr=0.05, b1=0.9, b2=0.999, eps=1e-8):
    """autograd's `misc.optimizers.adam` over a dict: `m`, `v` and the bias corrections with
    the step counter `i + 1`."""
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(x) for k, x in params.items()}
    params = {k: x.copy() for k, x in params.items()}
    for i in range(num_iters):
        g = grad_fn(params, *data)
        for k in params:
            m[k] = (1 - b1) * g[k] + b1 * m[k]
            v[k] = (1 - b2) * (g[k] ** 2) + b2 * v[k]
            mhat = m[k] / (1 - b1 ** (i + 1))
            vhat = v[k] / (1 - b2 ** (i + 1))
            params[k] = params[k] - lr * mhat / (np.sqrt(vhat) + eps)
    return params


TRAIN_X = np.column_stack([np.ones(10), normal(10, 2, scale=0.4)])
PROBLEMS = {
    "gp_hyperparameters": (gp_loss, gp_hand, {"theta": np.array([0.1, -1.5, 0.2, 0.1])},
                           (GX, GY), 0.02),
    "mean_field_svi": (logreg_mean_field_loss, logreg_mean_field_hand,
                       {"q": np.concatenate([normal(3), -np.ones(3)])}, (VEPS, VX, VY), 0.05),
    "matrix_factorization": (mf_dense_loss, mf_dense_hand,
                             {"U": normal(5, 2, scale=0.5), "V": normal(4, 2, scale=0.5)},
                             (DENSE_R, DENSE_M), 0.05),
    "poisson_regression": (poisson_loss, poisson_hand, {"w": np.array([0.5, 0.1, 0.0])},
                           (TRAIN_X, rng.poisson(2.0, 10).astype(float)), 0.005),
    "tsne_embedding": (tsne_loss, tsne_hand, {"Y": TSNE_Y}, (TSNE_P,), 2.0),
}
OPTIMIZERS = {"sgd": sgd, "momentum": momentum, "adam": adam}



# ----------------------------------------------------------------------------- jitted steps


def tsne_iteration(Y, P, iY, gains, it, eta=50.0, min_gain=0.01):
    """One iteration of tsne.py's loop: the hand-written `dY`, the gains update, momentum by
    the iteration number, `iY` and `gains` written in place, `Y` recentred in place."""
    n = Y.shape[0]
    dY = tsne_kl_grad_hand(Y, P)
    momentum = 0.5 if it < 20 else 0.8
    gains[:] = (gains + 0.2) * ((dY > 0.) != (iY > 0.)) + (gains * 0.8) * ((dY > 0.) == (iY > 0.))
    gains[gains < min_gain] = min_gain
    iY *= momentum
    iY -= eta * (gains * dY)
    Y += iY
    Y -= np.tile(np.mean(Y, 0), (n, 1))
    return tsne_kl(Y, P)


def tsne_iteration_tracenp_grad(Y, P, iY, gains, it, eta=50.0):
    dY = tracenp.grad(tsne_kl)(Y, P)
    momentum = 0.5 if it < 20 else 0.8
    gains[:] = np.where((dY > 0.) != (iY > 0.), gains + 0.2, gains * 0.8)
    np.maximum(gains, 0.01, out=gains)
    iY[:] = momentum * iY - eta * gains * dY
    Y += iY
    Y -= Y.mean(axis=0)
    return Y


def gp_adam_step_hand(theta, m, v, t, X, y, lr=0.05, b1=0.9, b2=0.999):
    """An Adam step on the GP hyperparameters with Rasmussen's gradient, the moments and the
    parameters written into the arguments."""
    g = gp_nll_grad_rasmussen(theta, X, y)
    m[:] = b1 * m + (1 - b1) * g
    v[:] = b2 * v + (1 - b2) * g ** 2
    theta -= lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + 1e-8)
    return gp_nll_log_params(theta, X, y)


def gp_adam_step_tracenp(theta, m, v, t, X, y, lr=0.05, b1=0.9, b2=0.999):
    nll, g = tracenp.value_and_grad(gp_nll_log_params)(theta, X, y)
    m[:] = b1 * m + (1 - b1) * g
    v[:] = b2 * v + (1 - b2) * g ** 2
    theta -= lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + 1e-8)
    return nll


def funk_svd_epoch(P, Q, rows, cols, vals, lr=0.01, lam=0.02):
    """Funk SVD's SGD over the ratings, user and item rows updated in place."""
    for u, i, r in zip(rows, cols, vals):
        err = r - np.dot(P[u], Q[i])
        pu = P[u].copy()
        P[u] += lr * (err * Q[i] - lam * P[u])
        Q[i] += lr * (err * pu - lam * Q[i])
    return np.sqrt(np.mean((vals - np.sum(P[rows] * Q[cols], axis=1)) ** 2))


def svi_step_dict_inplace(q, eps, X, y, lr=0.05):
    """A variational step with `value_and_grad`, each entry of the dict updated in place."""
    loss, g = tracenp.value_and_grad(mean_field_elbo_dict)(q, eps, X, y)
    for k in q:
        q[k] -= lr * g[k]
    return loss


def mf_step_add_at_hand(U, V, rows, cols, vals, lr=0.05, lam=0.1):
    """The factorization gradient by hand with `np.add.at` over repeated rows."""
    err = vals - np.sum(U[rows] * V[cols], axis=1)
    gU = lam * U
    gV = lam * V
    np.add.at(gU, rows, -err[:, None] * V[cols])
    np.add.at(gV, cols, -err[:, None] * U[rows])
    U -= lr * gU
    V -= lr * gV
    return np.sum(err ** 2)


def node_sgd_steps(params, y0, target, n_steps=3, lr=0.1):
    """A neural ODE trained a few steps inside one jitted call."""
    g = tracenp.grad(neural_ode_rk4_loss)
    for _ in range(n_steps):
        grads = g(params, y0, target)
        params = {k: params[k] - lr * grads[k] for k in params}
    return neural_ode_rk4_loss(params, y0, target), params


def cox_newton_step(beta, X, time, event):
    """Newton-Raphson on the Cox partial likelihood: the gradient by tracenp, the Hessian by
    `tracenp.jacobian` of it, `np.linalg.solve`."""
    g = tracenp.grad(cox_reversed_cumsum)(beta, X, time, event)
    H = tracenp.jacobian(tracenp.grad(cox_reversed_cumsum))(beta, X, time, event)
    return beta - np.linalg.solve(H, g)


def poisson_irls_step(w, X, y):
    """Iteratively reweighted least squares for the Poisson GLM, by hand."""
    mu = np.exp(X @ w)
    z = X @ w + (y - mu) / mu
    W = np.diag(mu)
    return np.linalg.solve(X.T @ W @ X, X.T @ W @ z)


def hmc_chain(w, momenta, uniforms, X, y, eps=0.05, L=3):
    """A short HMC chain: momenta and acceptance uniforms as arguments, the accept by
    `np.where`, the samples written into a preallocated array."""
    grad_U = tracenp.grad(hmc_potential_logistic)
    samples = np.zeros((len(momenta), len(w)))
    for s in range(len(momenta)):
        r = momenta[s]
        H0 = hmc_potential_logistic(w, X, y) + 0.5 * r @ r
        w1, r1 = w.copy(), r - eps * grad_U(w, X, y) / 2
        for i in range(L):
            w1 = w1 + eps * r1
            if i != L - 1:
                r1 = r1 - eps * grad_U(w1, X, y)
        r1 = r1 - eps * grad_U(w1, X, y) / 2
        H1 = hmc_potential_logistic(w1, X, y) + 0.5 * r1 @ r1
        w = np.where(np.log(uniforms[s]) < H0 - H1, w1, w)
        samples[s] = w
    return samples


def leapfrog_trajectory_inplace(q, p, masses, n_steps=4, dt=0.01):
    """`q` and `p` updated in place by the force from `tracenp.grad`, energies recorded."""
    dV = tracenp.grad(nbody_potential)
    energies = []
    for _ in range(n_steps):
        p -= 0.5 * dt * dV(q, masses)
        q += dt * p / masses[:, None]
        p -= 0.5 * dt * dV(q, masses)
        energies.append(nbody_hamiltonian(q, p, masses))
    return np.array(energies)


def pinn_adam_epochs(u, f, m, v, h, epochs=3, lr=0.01):
    """Adam on a grid of unknowns with the residual's gradient from tracenp, moments written
    into the arguments, the step counter from `range`."""
    for t in range(1, epochs + 1):
        g = tracenp.grad(poisson_1d_residual)(u, f, h)
        m *= 0.9
        m += 0.1 * g
        v *= 0.999
        v += 0.001 * g * g
        u -= lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    return poisson_1d_residual(u, f, h)


def _r(seed):
    return np.random.default_rng(seed)


def _tsne_args(seed, size, it=5):
    r = _r(seed)
    return (r.standard_normal((size + 2, 2)), _tsne_P(size + 2, seed),
            r.standard_normal((size + 2, 2)) * 0.1, np.ones((size + 2, 2)), it)


def _gp_step_args(seed, size):
    r = _r(seed)
    X = np.sort(r.uniform(-3, 3, size + 3)).reshape(-1, 1)
    return (np.array([0.1, -1.5, 0.2, 0.1]), np.zeros(4), np.zeros(4), 1, X,
            np.sin(X[:, 0]) + 0.1 * r.standard_normal(size + 3))


def _mf_args(seed, size):
    r = _r(seed)
    n = 2 * size
    return (r.standard_normal((size, 2)) * 0.5, r.standard_normal((3, 2)) * 0.5,
            r.integers(0, size, n), r.integers(0, 3, n), r.uniform(1, 5, n))


def _svi_args(seed, size):
    r = _r(seed)
    X = r.standard_normal((size + 4, 3))
    return ({"mu": r.standard_normal(3), "rho": r.standard_normal(3) * 0.3 - 1.0},
            r.standard_normal((size, 3)), X, (X[:, 0] > 0).astype(float))


def _cox_args(seed, size):
    r = _r(seed)
    return (r.standard_normal(2) * 0.3, r.standard_normal((size + 4, 2)),
            r.uniform(0.5, 5, size + 4), (r.uniform(size=size + 4) > 0.3).astype(float))


def _poisson_args(seed, size):
    r = _r(seed)
    X = np.column_stack([np.ones(size + 4), r.standard_normal((size + 4, 2)) * 0.4])
    return (np.zeros(3), X, r.poisson(2.0, size + 4).astype(float))


def _hmc_args(seed, size):
    r = _r(seed)
    X = r.standard_normal((8, 3))
    return (r.standard_normal(3) * 0.3, r.standard_normal((size, 3)), r.uniform(size=size), X,
            (X[:, 1] > 0).astype(float))


def _nbody_args(seed, size):
    r = _r(seed)
    return (r.standard_normal((size, 2)), r.standard_normal((size, 2)) * 0.3,
            r.uniform(0.5, 1.5, size))


def _pinn_args(seed, size):
    r = _r(seed)
    x = np.linspace(0, 1, 2 * size)
    return (r.standard_normal(2 * size) * 0.3, np.pi ** 2 * np.sin(np.pi * x),
            np.zeros(2 * size), np.zeros(2 * size), x[1] - x[0])


def _node_args(seed, size):
    r = _r(seed)
    p = {"W1": r.standard_normal((3, size)) * 0.5, "b1": np.zeros(size),
         "W2": r.standard_normal((size, 2)) * 0.5, "b2": np.zeros(2)}
    return p, np.array([0.5, -0.3]), np.array([0.2, 0.1])


STEPS = {
    "tsne_py_iteration_gains_inplace": (tsne_iteration, {}, _tsne_args),
    "tsne_py_iteration_late_momentum": (tsne_iteration, {},
                                        lambda seed, size: _tsne_args(seed, size, it=40)),
    "tsne_iteration_tracenp_grad_out_maximum": (tsne_iteration_tracenp_grad, {}, _tsne_args),
    "gp_adam_step_rasmussen_hand_gradient": (gp_adam_step_hand, {}, _gp_step_args),
    "gp_adam_step_value_and_grad_inside_jit": (gp_adam_step_tracenp, {}, _gp_step_args),
    "funk_svd_epoch_row_updates": (funk_svd_epoch, {}, _mf_args),
    "mf_step_np_add_at_hand": (mf_step_add_at_hand, {}, _mf_args),
    "svi_step_dict_inplace_value_and_grad": (svi_step_dict_inplace, {}, _svi_args),
    "neural_ode_sgd_steps_inside_jit": (node_sgd_steps, {"n_steps": 2}, _node_args),
    "cox_newton_step_jacobian_of_grad": (cox_newton_step, {}, _cox_args),
    "poisson_irls_step": (poisson_irls_step, {}, _poisson_args),
    "hmc_chain_preallocated_samples": (hmc_chain, {}, _hmc_args),
    "leapfrog_inplace_energies": (leapfrog_trajectory_inplace, {}, _nbody_args),
    "pinn_adam_epochs_inplace_moments": (pinn_adam_epochs, {}, _pinn_args),
}


# ----------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", _names(CASES))
def test_value_and_gradient_match_numpy_and_finite_differences(name):
    fn, args, argnums = CASES[name]
    with np.errstate(all="ignore"):
        check_grads(fn, args, argnums)



def _grad_fns(loss):
    return {
        "grad": tracenp.grad(loss),
        "jit_value_and_grad": lambda p, *d: tracenp.jit(tracenp.value_and_grad(loss))(p, *d)[1],
        "grad_made_each_step": lambda p, *d: tracenp.grad(loss)(p, *d),
    }


@pytest.mark.parametrize("how", ["grad", "jit_value_and_grad", "grad_made_each_step"])
@pytest.mark.parametrize("opt", list(OPTIMIZERS))
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_training_loop_matches_hand_written_gradients(problem, opt, how):
    """A few optimizer steps over a dict of parameters driven by tracenp's gradient end where
    the same loop driven by the hand-written NumPy gradient ends."""
    loss, hand, params, data, lr = PROBLEMS[problem]
    train = OPTIMIZERS[opt]
    want = train(hand, params, data, lr=lr)
    got = train(_grad_fns(loss)[how], params, data, lr=lr)
    assert list(got) == list(want)
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("opt", list(OPTIMIZERS))
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_whole_training_loop_under_jit(problem, opt):
    """The optimizer loop jitted, `tracenp.grad` called on tracers inside it, `num_iters` a
    Python int made static: the hand-driven loop's parameters for two iteration counts."""
    loss, hand, params, data, lr = PROBLEMS[problem]
    train = OPTIMIZERS[opt]

    def run(params, data, num_iters):
        return train(tracenp.grad(loss), params, data, num_iters=num_iters, lr=lr)

    jitted = tracenp.jit(run)
    for n in (3, 6):
        want = train(hand, params, data, num_iters=n, lr=lr)
        got = jitted(params, data, n)
        for k in want:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-7, atol=1e-9)


def test_hand_written_gradients_agree():
    """tsne.py's `dY`, Rasmussen's hyperparameter gradient, the reparameterized ELBO's, the
    factorization's and the Poisson GLM's: tracenp's `grad`, plain and jitted, equals them."""
    for loss, hand, params, data, _ in PROBLEMS.values():
        want = hand(params, *data)
        for g in (tracenp.grad(loss), tracenp.jit(tracenp.grad(loss))):
            got = g(params, *data)
            for k in want:
                assert_grads_close(got[k], want[k], rtol=1e-7)



@pytest.mark.parametrize("name", _names(STEPS))
def test_jitted_training_steps_like_numpy(name):
    """Training steps jitted whole (hand-written gradients, or tracenp's called inside):
    NumPy's values and dtypes, and the arguments written in place as NumPy writes them."""
    fn, static, make_args = STEPS[name]
    check_like_numpy(fn, static, make_args)



def jitchol(A, maxtries=5):
    """GPy's `jitchol`: retry the Cholesky with growing jitter on `LinAlgError`."""
    try:
        return np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        jitter = np.diag(A).mean() * 1e-6
        for _ in range(maxtries):
            try:
                return np.linalg.cholesky(A + np.eye(A.shape[0]) * jitter)
            except np.linalg.LinAlgError:
                jitter *= 10
        raise


def gp_nll_jitchol(log_ell, X, y):
    L = jitchol(rbf_kernel(X, X, np.exp(log_ell)))
    a = np.linalg.solve(L, y)
    return 0.5 * a @ a + np.sum(np.log(np.diag(L)))


def gp_nll_positive_guard(theta, X, y):
    """scipy.optimize-style objective returning a large value outside the domain."""
    if np.any(theta <= 0):
        return 1e10
    K = rbf_kernel(X, X, theta[0], theta[1]) + theta[2] * np.eye(len(X))
    return nll_chol(K, y)


def _dup_inputs(seed):
    r = np.random.default_rng(seed)
    X = np.repeat(r.uniform(-2, 2, 3), 2).reshape(-1, 1)
    return 0.2, X, r.standard_normal(6)


REFUSED = {
    "gpy_jitchol_try_except_linalgerror": (tracenp.ConcretizationError, gp_nll_jitchol,
                                           _dup_inputs),
    "objective_guard_any_theta_nonpositive": (
        tracenp.ConcretizationError, gp_nll_positive_guard,
        lambda seed: (np.array([1.0, 1.2, 0.1]), GX, GY + 0.01 * seed)),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_name_the_construct_and_run_under_fallback(name):
    """GPy's jitter retries around `np.linalg.cholesky` (duplicated inputs: NumPy takes the
    `except` branch), a domain guard on the parameters: the named error under `jit` and under
    `grad`, NumPy's values under `fallback=True`."""
    error, fn, make_args = REFUSED[name]
    check_refused(error, fn, make_args)
    with pytest.raises(error):
        tracenp.grad(fn)(*make_args(1))


def test_autograd_black_box_svi_draws_from_its_random_state():
    """autograd's black_box_svi example: the objective draws `rs.randn` from a RandomState in
    its closure at each call, `grad` of it drives autograd's `adam(grad, x, num_iters=...)`;
    the parameters equal those of the same loop on the hand-written reparameterized gradient
    fed the same draws."""
    D, S = 2, 10

    def make_objective():
        rs = np.random.RandomState(0)

        def variational_objective(params, t):
            mean, log_std = params[:D], params[D:]
            samples = rs.randn(S, D) * np.exp(log_std) + mean
            return -(gaussian_entropy(log_std) + np.mean(banana_logprob(samples)))
        return variational_objective

    def hand_gradient():
        rs = np.random.RandomState(0)

        def gradient(params, t):
            mean, log_std = params[:D], params[D:]
            eps = rs.randn(S, D)
            z = eps * np.exp(log_std) + mean
            mu, ls = z[:, 0], z[:, 1]
            d = np.stack([-mu * np.exp(-2 * ls),
                          -ls / 1.35 ** 2 + mu ** 2 * np.exp(-2 * ls) - 1], axis=1)
            return np.concatenate([-d.mean(0), -(1 + np.mean(d * eps, 0) * np.exp(log_std))])
        return gradient

    def adam(grad, x, num_iters=12, step_size=0.1, b1=0.9, b2=0.999, eps=1e-8):
        m, v = np.zeros(len(x)), np.zeros(len(x))
        for i in range(num_iters):
            g = grad(x, i)
            m = (1 - b1) * g + b1 * m
            v = (1 - b2) * (g ** 2) + b2 * v
            mhat = m / (1 - b1 ** (i + 1))
            vhat = v / (1 - b2 ** (i + 1))
            x = x - step_size * mhat / (np.sqrt(vhat) + eps)
        return x

    init = np.array([-1.0, -1.0, -5.0, -5.0])
    want = adam(hand_gradient(), init)
    np.testing.assert_allclose(adam(tracenp.grad(make_objective()), init), want, rtol=1e-9)



FLOAT32 = ["gp_rbf_log_params_autograd_example", "crf_nll_handwritten_loop_gold",
           "tsne_kl_vdmaaten_range_range_zero", "cox_reversed_cumsum_max_shift",
           "pinn_laplace_2d_np_roll", "flow_realnvp_checkerboard_masks",
           "svi_full_rank_tril_exp_diag", "node_rk4_five_steps_dict_params"]


def _float32(tree):
    leaves, structure = pytree.flatten(tree)
    return pytree.unflatten(structure, [x.astype(np.float32) if isinstance(x, np.ndarray)
                                        and x.dtype == np.float64 else x for x in leaves])


@pytest.mark.parametrize("name", FLOAT32)
def test_float32_arguments(name):
    """The same losses on float32 arrays: the value has NumPy's dtype and value (rtol 2e-5),
    each gradient leaf is float32 and close to the float64 gradient."""
    fn, args, argnums = CASES[name]
    a32 = _float32(args)
    want = fn(*_float32(a32))
    g64 = pytree.flatten(tracenp.grad(fn, argnums)(*args))[0]
    for vg in (tracenp.value_and_grad(fn, argnums),
               tracenp.jit(tracenp.value_and_grad(fn, argnums))):
        value, g = vg(*_float32(a32))
        assert np.asarray(value).dtype == np.asarray(want).dtype
        np.testing.assert_allclose(value, want, rtol=2e-5)
        for got, ref in zip(pytree.flatten(g)[0], g64):
            assert got.dtype == np.float32
            np.testing.assert_allclose(got, ref, rtol=3e-3, atol=3e-3 * max(1, np.abs(ref).max()))



def test_scipy_minimize_with_tracenp_jac_matches_hand_jac():
    """GP hyperparameters by `scipy.optimize.minimize(..., jac=tracenp.grad(nll))` and by
    `jac=True` with `value_and_grad` (jitted) end where L-BFGS-B with Rasmussen's
    hand-written gradient ends, after the same number of iterations."""
    from scipy.optimize import minimize

    x0 = np.array([0.1, -1.5, 0.2, 0.1])
    want = minimize(gp_nll_log_params, x0, args=(GX, GY), jac=gp_nll_grad_rasmussen,
                    method="L-BFGS-B", options={"maxiter": 15})
    runs = [minimize(gp_nll_log_params, x0, args=(GX, GY), jac=tracenp.grad(gp_nll_log_params),
                     method="L-BFGS-B", options={"maxiter": 15}),
            minimize(tracenp.jit(tracenp.value_and_grad(gp_nll_log_params)), x0, args=(GX, GY),
                     jac=True, method="L-BFGS-B", options={"maxiter": 15})]
    for got in runs:
        assert got.nit == want.nit
        np.testing.assert_allclose(got.x, want.x, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(got.fun, want.fun, rtol=1e-9)


def test_jitted_adam_step_called_in_a_python_loop():
    """The jitted GP Adam step called with the step counter `t = 1, 2, ...` and the moments
    written in place each call: the NumPy loop's parameters, moments and losses, one trace."""
    for step in (gp_adam_step_hand, gp_adam_step_tracenp):
        jstep = tracenp.jit(step)
        want_args = list(_gp_step_args(4, 5))
        got_args = [a.copy() if isinstance(a, np.ndarray) else a for a in want_args]
        for t in range(1, 7):
            want_args[3] = got_args[3] = t
            want = step(*want_args)
            got = jstep(*got_args)
            np.testing.assert_allclose(got, want, rtol=1e-9)
            for a, b in zip(got_args[:3], want_args[:3]):
                np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
        assert jstep.cache_info().misses == 1



GENERATOR_CASES = {
    "generator_argument": (elbo_generator_argument,
                           lambda: (np.concatenate([VEPS[0], -np.ones(3)]),
                                    np.random.default_rng(7), VX, VY)),
    "random_state_argument": (elbo_random_state_argument,
                              lambda: (np.array([0.3, -0.2, -0.5, 0.1]),
                                       np.random.RandomState(3))),
}


@pytest.mark.parametrize("name", list(GENERATOR_CASES))
def test_noise_drawn_from_a_generator_argument(name):
    """The ELBO draws its noise from a `Generator` or `RandomState` argument: the value and
    the gradient of `value_and_grad`, its `jit` and `grad` against NumPy's value and central
    differences with the same draws, and the generator afterwards where NumPy's call leaves
    it (its next draw)."""
    from test_grad_hunt_j import numeric_grads

    fn, make = GENERATOR_CASES[name]
    args = make()
    want = fn(*args)
    next_draw = args[1].standard_normal(3)
    numeric = numeric_grads(fn, make(), (0,))[0][0]
    for transform in (tracenp.value_and_grad(fn), tracenp.jit(tracenp.value_and_grad(fn)),
                      lambda *a: (want, tracenp.grad(fn)(*a))):
        got_args = make()
        value, g = transform(*got_args)
        np.testing.assert_allclose(value, want, rtol=1e-9)
        assert_grads_close(g, numeric)
        np.testing.assert_array_equal(got_args[1].standard_normal(3), next_draw)
