"""Corpus, hunt BV: generative models and modern deep-learning building blocks in pure NumPy,
as llama2.c-style NumPy ports, picoGPT-like inference scripts, course notebooks (VAEs, GANs,
diffusion, flows) and blog posts write them.

VAEs (reparameterisation, analytic KLs against N(0, I) and between diagonal Gaussians, clipped
BCE and Gaussian decoders summed over `tuple(range(1, x.ndim))`, an MLP VAE with its parameters
and results in dicts, free bits, IWAE bounds by scipy's `logsumexp`, VampPrior's
`log_normal_diag`, a mixture-of-Gaussians prior, VQ-VAE quantisation with a perplexity from
`bincount` and its EMA codebook updated in place, Gumbel-softmax soft and hard by
`put_along_axis`, a linear VAE trained by hand in a dict, a float32 ELBO with the stable BCE
with logits, beta-TCVAE's minibatch-stratified estimator); GANs (BCE with logits and one-sided
smoothing, relativistic losses by `logaddexp`, WGAN clipping with `np.clip(out=)` over a dict,
WGAN-GP with the critic's input gradient by hand, spectral norm by power iteration, StyleGAN's
minibatch stddev, the generator's EMA, inception score per split, FID by `scipy.linalg.sqrtm`
and by `eigvals`, KID with `fill_diagonal`, a transposed convolution by scatters); diffusion
(linear and cosine schedules, the buffers dict of a Gaussian diffusion with `np.append`,
`extract` at per-sample timesteps, q_sample and posteriors, DDPM loops (the buffers form with
clipping, Algorithm 2 literally, noise from a Generator), DDIM with eta, classifier-free
guidance by `np.split`, L1/Huber losses, v-prediction, min-SNR weights, sinusoidal timestep
embeddings, EDM's Heun sampler with Karras sigmas, Euler-ancestral with Python `min`, a VE-SDE
Euler-Maruyama and NCSN's annealed Langevin, DPM-Solver++(2M), float32 schedules, improved
DDPM's VLB by `ndtr` and its discretized Gaussian likelihood, respacing by `i in set`);
normalizing flows (RealNVP forward and inverse over a list of dicts, Glow's sigmoid coupling,
planar flows, ActNorm's data init, 1x1 convolutions by `slogdet` and LU parameters, Glow's
initialisation by `scipy.linalg.lu`, MADE masks, MAF and its sequential inverse, logit
dequantisation of uint8 images, squeezes, rational-quadratic splines by `take_along_axis`);
transformer blocks (llama2.c's RMSNorm, float16 RMSNorm through float32, SwiGLU, GeGLU by `erf`,
RoPE by pairs and `moveaxis`, by run.c's loop in place, by `rotate_half`, by complex numbers
from pairs and by `view(np.complex64)`, ALiBi, GQA by grouped einsum, MQA with `finfo.min`, a
llama block with `repeat_kv`, llama2.c's per-token forward filling KV caches in place, caches
grown in a dict, sliding-window and padding masks, FlashAttention's online softmax, QK-norm with
soft-capping, tied embeddings, a shifted LM loss with `ignore_index` and smoothing, top-2 MoE
routing with an aux loss, Mamba's selective scan); sampling (top-k by `argpartition` and by a
sorted threshold, top-p ascending with a scatter back and descending with a shifted mask,
inverse-CDF draws, llama2.c's `sample_topp`, eta sampling, repetition penalties, bigram bans by
`np.logical_or.at`, greedy batches with finished rows, sampling loops with given uniforms and
with `rng.choice`, beam search, speculative acceptance); quantisation (absmax and per-channel
int8/int4, zero points, llama2.c's Q8_0 and its int32 matmul by loops and vectorised, 4-bit
packing with zero points and signed nibbles, NF4 by `argmin` and `searchsorted`, LLM.int8
outliers, bf16 rounding on `view(np.uint32)`, FP8 by `frexp`/`ldexp`, int8 KV caches with
float16 scales, weight sharing, GPTQ's column loop, static int8 linears, gguf-py's Q8_0/Q4_0
blocks); and score models (PixelCNN++'s mixture of logistics, an RBM's CD-k, flow matching,
rectified flows, NCSN's DSM loss, Dirichlet KLs, full-covariance posteriors by `tril_indices`,
consistency scalings).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy/SciPy in value and
dtype, and in the arguments it writes in place. Step counts, head counts, group sizes and
dimensions given positionally are made static; the forms whose Python or shapes depend on
array values (generation until EOS, `if sigmas[i + 1] > 0` on an array argument, nucleus ids
returned, accept/reject loops with `break`, outlier index lists, dead-code restarts, early
stopping, a KV cache read up to an array position) raise a named error and run eagerly under
`fallback=True`. Strict xfails: `view(np.complex64)` and `view(np.float16)` reinterpretations,
`rng.choice(replace=False)` with traced probabilities, and a Generator inside a dataclass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
import scipy.linalg
import scipy.special
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names, _Xfail

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _pos(seed, *shape, lo=0.5, hi=2.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _probs(seed, *shape):
    # distinct, well-separated probabilities along the last axis (no ties for sorts)
    r = np.random.default_rng(seed)
    logits = r.permuted(np.tile(np.linspace(-3, 3, shape[-1]), shape[:-1] + (1,)), axis=-1)
    logits = logits + 0.01 * r.random(shape)
    e = np.exp(logits)
    return e / e.sum(-1, keepdims=True)


def _logits(seed, *shape, scale=1.0):
    # distinct logits: a shuffled ramp plus a little noise, so orderings are unambiguous
    r = np.random.default_rng(seed)
    base = np.tile(np.linspace(-2, 2, shape[-1]), shape[:-1] + (1,))
    return scale * (r.permuted(base, axis=-1) + 0.003 * r.random(shape))


# ================================================================================ VAEs


LOG2PI = np.log(2 * np.pi)


def reparameterize(mu, logvar, eps):
    # z = mu + sigma * eps, sigma from the log-variance as every VAE tutorial writes it
    std = np.exp(0.5 * logvar)
    return mu + std * eps


def kl_standard_normal(mu, logvar):
    # Kingma & Welling appendix B, summed over latents, averaged over the batch
    kld = -0.5 * np.sum(1 + logvar - mu ** 2 - np.exp(logvar), axis=1)
    return np.mean(kld)


def kl_two_diag_gaussians(mu_q, logvar_q, mu_p, logvar_p):
    # KL(q || p) between two diagonal Gaussians (a learned prior, as in VRNNs)
    return 0.5 * np.sum(logvar_p - logvar_q
                        + (np.exp(logvar_q) + (mu_q - mu_p) ** 2) / np.exp(logvar_p) - 1,
                        axis=-1)


def bce_reconstruction(x, x_hat, eps=1e-7):
    x_hat = np.clip(x_hat, eps, 1 - eps)
    return -np.sum(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat), axis=1)


def gaussian_log_likelihood(x, mean, log_scale):
    # a discretisation-free Gaussian decoder: log N(x; mean, exp(log_scale)^2) per sample
    return np.sum(-0.5 * LOG2PI - log_scale - 0.5 * ((x - mean) / np.exp(log_scale)) ** 2,
                  axis=tuple(range(1, x.ndim)))


def vae_forward_dict(params, x, eps):
    # an MLP encoder/decoder with parameters in a dict, the ELBO per batch
    h = np.tanh(x @ params["W_enc"] + params["b_enc"])
    mu = h @ params["W_mu"] + params["b_mu"]
    logvar = h @ params["W_lv"] + params["b_lv"]
    z = mu + np.exp(0.5 * logvar) * eps
    hd = np.maximum(0, z @ params["W_dec"] + params["b_dec"])
    logits = hd @ params["W_out"] + params["b_out"]
    x_hat = 1 / (1 + np.exp(-logits))
    rec = -np.sum(x * np.log(x_hat + 1e-8) + (1 - x) * np.log(1 - x_hat + 1e-8), axis=1)
    kl = -0.5 * np.sum(1 + logvar - np.square(mu) - np.exp(logvar), axis=1)
    elbo = -(rec + kl)
    return {"loss": -elbo.mean(), "rec": rec.mean(), "kl": kl.mean(), "z": z}


def _vae_params(seed, d, h, k):
    r = np.random.default_rng(seed)
    return {"W_enc": 0.3 * r.standard_normal((d, h)), "b_enc": np.zeros(h),
            "W_mu": 0.3 * r.standard_normal((h, k)), "b_mu": np.zeros(k),
            "W_lv": 0.1 * r.standard_normal((h, k)), "b_lv": np.zeros(k),
            "W_dec": 0.3 * r.standard_normal((k, h)), "b_dec": np.zeros(h),
            "W_out": 0.3 * r.standard_normal((h, d)), "b_out": np.zeros(d)}


def kl_annealing_schedules(n_iter, n_cycle=4, ratio=0.5, start=0.0, stop=1.0):
    # Fu et al.'s cyclical schedule, written with the loops of the paper's repository
    L = np.ones(n_iter) * stop
    period = n_iter / n_cycle
    step = (stop - start) / (period * ratio)
    for c in range(n_cycle):
        v, i = start, 0
        while v <= stop and (int(i + c * period) < n_iter):
            L[int(i + c * period)] = v
            v += step
            i += 1
    return L


def free_bits_kl(mu, logvar, free_bits=0.5):
    # Kingma et al. 2016: each latent dimension's batch-mean KL floored at lambda
    kl = 0.5 * (mu ** 2 + np.exp(logvar) - logvar - 1)
    kl_per_dim = kl.mean(axis=0)
    return np.sum(np.maximum(kl_per_dim, free_bits)), kl_per_dim


def iwae_bound(log_p_xz, log_q_zx):
    # importance-weighted bound: logmeanexp over K samples (axis 0) by scipy's logsumexp
    log_w = log_p_xz - log_q_zx
    k = log_w.shape[0]
    return np.mean(scipy.special.logsumexp(log_w, axis=0) - np.log(k))


def log_normal_diag(x, mean, log_var, average=False, dim=None):
    # Tomczak's VampPrior code: a log density with optional averaging over a dim
    log_normal = -0.5 * (log_var + np.power(x - mean, 2) / np.exp(log_var))
    if average:
        return np.mean(log_normal, dim)
    return np.sum(log_normal, dim)


def mog_prior_log_prob(z, means, logvars, log_weights):
    # a mixture-of-Gaussians prior: logsumexp over components of the weighted densities
    diff = z[:, None, :] - means[None, :, :]
    comp = -0.5 * np.sum(LOG2PI + logvars[None] + diff ** 2 / np.exp(logvars[None]), axis=-1)
    return scipy.special.logsumexp(comp + log_weights[None, :], axis=1)


def vq_vae_quantize(z_e, codebook, beta=0.25):
    # van den Oord et al.: nearest codebook entry by expanded squared distances
    flat = z_e.reshape(-1, codebook.shape[1])
    d = (np.sum(flat ** 2, axis=1, keepdims=True) + np.sum(codebook ** 2, axis=1)
         - 2 * flat @ codebook.T)
    idx = np.argmin(d, axis=1)
    z_q = codebook[idx].reshape(z_e.shape)
    commitment = beta * np.mean((z_e - z_q) ** 2)
    codebook_loss = np.mean((z_q - z_e) ** 2)
    counts = np.bincount(idx, minlength=codebook.shape[0])
    avg_probs = counts / idx.size
    perplexity = np.exp(-np.sum(avg_probs * np.log(avg_probs + 1e-10)))
    return z_q, idx.reshape(z_e.shape[:-1]), commitment + codebook_loss, perplexity


def vq_ema_update(codebook, ema_count, ema_w, flat, idx, decay=0.99, eps=1e-5):
    # the EMA codebook update, arrays updated in place as the training loop holds them
    k = codebook.shape[0]
    onehot = np.zeros((flat.shape[0], k))
    onehot[np.arange(flat.shape[0]), idx] = 1
    ema_count *= decay
    ema_count += (1 - decay) * onehot.sum(0)
    n = ema_count.sum()
    ema_count[:] = (ema_count + eps) / (n + k * eps) * n
    ema_w *= decay
    ema_w += (1 - decay) * onehot.T @ flat
    codebook[...] = ema_w / ema_count[:, None]
    return codebook


def gumbel_softmax(logits, u, tau=0.5, hard=False):
    g = -np.log(-np.log(u + 1e-20) + 1e-20)
    y = (logits + g) / tau
    y = np.exp(y - y.max(axis=-1, keepdims=True))
    y = y / y.sum(axis=-1, keepdims=True)
    if hard:
        y_hard = np.zeros_like(y)
        np.put_along_axis(y_hard, y.argmax(-1)[..., None], 1.0, axis=-1)
        return y_hard
    return y


def vae_sgd_steps(params, x, eps, lr=0.05, steps=3):
    # a linear-Gaussian VAE trained by hand: encoder mean, fixed logvar, decoder
    for _ in range(steps):
        mu = x @ params["We"]
        z = mu + np.exp(0.5 * params["logvar"]) * eps
        x_hat = z @ params["Wd"]
        err = x_hat - x
        gWd = z.T @ err / x.shape[0]
        gz = err @ params["Wd"].T
        gmu = gz + mu
        gWe = x.T @ gmu / x.shape[0]
        params["We"] -= lr * gWe
        params["Wd"] -= lr * gWd
    return 0.5 * np.mean(np.sum(err ** 2, axis=1))


def vae_float32_elbo(x, mu, logvar, x_logits):
    # a float32 pipeline: BCE with logits in its stable form
    rec = np.sum(np.maximum(x_logits, 0) - x_logits * x + np.log1p(np.exp(-np.abs(x_logits))),
                 axis=-1)
    kl = 0.5 * np.sum(np.exp(logvar) + mu * mu - 1.0 - logvar, axis=-1)
    return (rec + kl).mean(), rec, kl


def total_correlation_mss(z, mu, logvar, dataset_size=1000):
    # beta-TCVAE's minibatch-stratified estimator of log q(z) and prod_j log q(z_j)
    b = z.shape[0]
    log_qz_i = -0.5 * (LOG2PI + logvar[None] + (z[:, None] - mu[None]) ** 2
                       / np.exp(logvar[None]))
    log_qz = scipy.special.logsumexp(log_qz_i.sum(2), axis=1) - np.log(b * dataset_size)
    log_prod = (scipy.special.logsumexp(log_qz_i, axis=1) - np.log(b * dataset_size)).sum(1)
    return np.mean(log_qz - log_prod)


VAE = {
    "reparameterize": (reparameterize, {}, lambda s, n: (
        _f(n, 3, seed=s), 0.3 * _f(n, 3, seed=s + 1), _f(n, 3, seed=s + 2))),
    "kl_standard_normal": (kl_standard_normal, {}, lambda s, n: (
        _f(n, 5, seed=s), 0.5 * _f(n, 5, seed=s + 1))),
    "kl_two_diag_gaussians": (kl_two_diag_gaussians, {}, lambda s, n: (
        _f(n, 4, seed=s), 0.3 * _f(n, 4, seed=s + 1), _f(n, 4, seed=s + 2),
        0.3 * _f(n, 4, seed=s + 3))),
    "bce_reconstruction_clip": (bce_reconstruction, {}, lambda s, n: (
        (_u(s, n, 6) > 0.5).astype(np.float64), _u(s + 1, n, 6))),
    "gaussian_loglik_tuple_axes": (gaussian_log_likelihood, {}, lambda s, n: (
        _f(n, 2, 3, seed=s), _f(n, 2, 3, seed=s + 1), 0.2 * _f(n, 2, 3, seed=s + 2))),
    "vae_forward_dict_of_results": (vae_forward_dict, {}, lambda s, n: (
        _vae_params(s, 6, 5, 2), (_u(s, n, 6) > 0.4).astype(float), _f(n, 2, seed=s + 9))),
    "free_bits_per_dim": (free_bits_kl, {}, lambda s, n: (
        _f(n, 6, seed=s), 0.4 * _f(n, 6, seed=s + 1), 0.3)),
    "iwae_scipy_logsumexp": (iwae_bound, {}, lambda s, n: (
        _f(5, n, seed=s) - 3, _f(5, n, seed=s + 1) - 2)),
    "vampprior_log_normal_dim": (log_normal_diag, {"average": True, "dim": 1}, lambda s, n: (
        _f(n, 4, seed=s), _f(n, 4, seed=s + 1), 0.3 * _f(n, 4, seed=s + 2))),
    "vampprior_log_normal_sum_all": (log_normal_diag, {}, lambda s, n: (
        _f(n, 4, seed=s), 0.0, 0.3 * _f(n, 4, seed=s + 2))),
    "mog_prior_logsumexp": (mog_prior_log_prob, {}, lambda s, n: (
        _f(n, 2, seed=s), 2 * _f(3, 2, seed=s + 1), 0.3 * _f(3, 2, seed=s + 2),
        np.log(np.array([0.2, 0.3, 0.5])))),
    "vq_vae_quantize_bincount": (vq_vae_quantize, {}, lambda s, n: (
        _f(2, n, 3, seed=s), 2 * _f(5, 3, seed=s + 1))),
    "vq_ema_update_in_place": (vq_ema_update, {}, lambda s, n: (
        _f(4, 3, seed=s), _pos(s, 4), _f(4, 3, seed=s + 1), _f(2 * n, 3, seed=s + 2),
        _i(4, 2 * n, seed=s))),
    "gumbel_softmax_soft": (gumbel_softmax, {}, lambda s, n: (
        _f(n, 5, seed=s), _pos(s + 1, n, 5, lo=0.05, hi=0.95))),
    "gumbel_softmax_hard_put_along": (gumbel_softmax, {"hard": True}, lambda s, n: (
        _logits(s, n, 5, scale=3), _pos(s + 1, n, 5, lo=0.3, hi=0.7), 1.0)),
    "linear_vae_sgd_dict_in_place": (vae_sgd_steps, {"steps": 3}, lambda s, n: (
        {"We": 0.3 * _f(4, 2, seed=s), "Wd": 0.3 * _f(2, 4, seed=s + 1),
         "logvar": np.full(2, -1.0)}, _f(n, 4, seed=s + 2), _f(n, 2, seed=s + 3))),
    "float32_elbo_stable_bce": (vae_float32_elbo, {}, lambda s, n: (
        (_u(s, n, 6) > 0.5).astype(np.float32), _f(n, 2, seed=s).astype(np.float32),
        (0.3 * _f(n, 2, seed=s + 1)).astype(np.float32),
        (2 * _f(n, 6, seed=s + 2)).astype(np.float32))),
    "beta_tcvae_mss": (total_correlation_mss, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 3, seed=s + 1), 0.3 * _f(n, 3, seed=s + 2))),
}


@pytest.mark.parametrize("name", _names(VAE))
def test_vaes_match_numpy(name):
    """Reparameterisation, KL terms, ELBOs, IWAE bounds, priors, VQ-VAE codebooks,
    Gumbel-softmax, beta-TCVAE and hand-written VAE training: NumPy's values."""
    check_like_numpy(*VAE[name])


# ================================================================================ GANs


def bce_with_logits(logits, targets):
    return np.mean(np.maximum(logits, 0) - logits * targets + np.log1p(np.exp(-np.abs(logits))))


def gan_losses_bce(d_real, d_fake, smooth=0.9):
    # one-sided label smoothing on the real labels (Salimans et al.)
    d_loss = (bce_with_logits(d_real, np.full_like(d_real, smooth))
              + bce_with_logits(d_fake, np.zeros_like(d_fake)))
    g_loss_ns = bce_with_logits(d_fake, np.ones_like(d_fake))
    g_loss_minimax = -bce_with_logits(d_fake, np.zeros_like(d_fake))
    return d_loss, g_loss_ns, g_loss_minimax


def relativistic_average_losses(c_real, c_fake):
    # RaGAN with the softplus written as logaddexp(0, .)
    r = c_real - c_fake.mean()
    f = c_fake - c_real.mean()
    d = np.mean(np.logaddexp(0, -r)) + np.mean(np.logaddexp(0, f))
    g = np.mean(np.logaddexp(0, r)) + np.mean(np.logaddexp(0, -f))
    return d, g


def wgan_clip_step(critic, grads, lr=5e-5, clip=0.01):
    # WGAN's RMSProp-free update with weight clipping, the critic's dict changed in place
    for k in critic:
        critic[k] -= lr * grads[k]
        np.clip(critic[k], -clip, clip, out=critic[k])
    return sum(np.abs(v).sum() for v in critic.values())


def wgan_gp_linear_critic(w, b, x_real, x_fake, alpha, lam=10.0):
    # gradient penalty of an MLP critic D(x) = w2 . tanh(W1 x + b), its input gradient by hand
    x_hat = alpha[:, None] * x_real + (1 - alpha[:, None]) * x_fake
    h = np.tanh(x_hat @ w["W1"] + b)
    grad = (w["w2"] * (1 - h ** 2)) @ w["W1"].T
    gnorm = np.sqrt(np.sum(grad ** 2, axis=1) + 1e-12)
    gp = lam * np.mean((gnorm - 1.0) ** 2)
    d_real = np.tanh(x_real @ w["W1"] + b) @ w["w2"]
    d_fake = np.tanh(x_fake @ w["W1"] + b) @ w["w2"]
    return d_fake.mean() - d_real.mean() + gp, gnorm


def spectral_norm_power_iteration(W, u, n_power_iterations=1, eps=1e-12):
    # Miyato et al.'s persistent u, normalised by hand
    w_mat = W.reshape(W.shape[0], -1)
    for _ in range(n_power_iterations):
        v = w_mat.T @ u
        v = v / (np.linalg.norm(v) + eps)
        u = w_mat @ v
        u = u / (np.linalg.norm(u) + eps)
    sigma = u @ w_mat @ v
    return W / sigma, u, sigma


def minibatch_stddev(x, group_size=2):
    # StyleGAN's minibatch standard deviation layer on NCHW features
    n, c, h, w = x.shape
    g = min(group_size, n)
    y = x.reshape(g, -1, c, h, w)
    y = y - y.mean(axis=0)
    y = np.sqrt((y ** 2).mean(axis=0) + 1e-8)
    y = y.mean(axis=(1, 2, 3))
    y = np.tile(y.reshape(-1, 1, 1, 1), (g, 1, h, w))
    return np.concatenate([x, y], axis=1)


def generator_ema(g_ema, g, beta=0.999):
    # the generator's moving average (Karras et al.), parameter by parameter in place
    for name, p in g.items():
        g_ema[name][...] = p + beta * (g_ema[name] - p)


def inception_score(p_yx, splits=2):
    # Salimans et al.'s score from classifier probabilities, per split
    scores = []
    n = p_yx.shape[0]
    for k in range(splits):
        part = p_yx[k * (n // splits):(k + 1) * (n // splits), :]
        py = np.expand_dims(np.mean(part, 0), 0)
        kl = part * (np.log(part) - np.log(py))
        scores.append(np.exp(np.mean(np.sum(kl, 1))))
    return np.mean(scores), np.std(scores)


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    # pytorch-fid's calculate_frechet_distance, with its complex-part handling
    diff = mu1 - mu2
    covmean = scipy.linalg.sqrtm(sigma1.dot(sigma2))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    tr_covmean = np.trace(covmean)
    return diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * tr_covmean


def fid_from_features(act1, act2):
    mu1, sigma1 = act1.mean(axis=0), np.cov(act1, rowvar=False)
    mu2, sigma2 = act2.mean(axis=0), np.cov(act2, rowvar=False)
    return frechet_distance(mu1, sigma1, mu2, sigma2)


def kernel_inception_distance(f1, f2):
    # KID's unbiased MMD^2 with the cubic polynomial kernel
    d = f1.shape[1]
    k11 = (f1 @ f1.T / d + 1) ** 3
    k22 = (f2 @ f2.T / d + 1) ** 3
    k12 = (f1 @ f2.T / d + 1) ** 3
    m = f1.shape[0]
    np.fill_diagonal(k11, 0)
    np.fill_diagonal(k22, 0)
    return k11.sum() / (m * (m - 1)) + k22.sum() / (m * (m - 1)) - 2 * k12.mean()


def dcgan_transposed_conv_1d(x, w, stride=2):
    # a strided transposed convolution by scattering each input step into the output
    n, cin, L = x.shape
    _, cout, k = w.shape
    out = np.zeros((n, cout, (L - 1) * stride + k))
    for i in range(L):
        out[:, :, i * stride:i * stride + k] += np.einsum("nc,cok->nok", x[:, :, i], w)
    return out


GAN = {
    "bce_with_logits_smoothing": (gan_losses_bce, {}, lambda s, n: (
        2 * _f(n, seed=s), 2 * _f(n, seed=s + 1))),
    "relativistic_average_logaddexp": (relativistic_average_losses, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s + 1))),
    "wgan_clip_dict_out": (wgan_clip_step, {}, lambda s, n: (
        {"W1": 0.02 * _f(3, n, seed=s), "b1": 0.02 * _f(n, seed=s + 1)},
        {"W1": 100 * _f(3, n, seed=s + 2), "b1": 100 * _f(n, seed=s + 3)})),
    "wgan_gp_input_gradient": (wgan_gp_linear_critic, {}, lambda s, n: (
        {"W1": 0.5 * _f(3, 4, seed=s), "w2": _f(4, seed=s + 1)}, _f(4, seed=s + 2),
        _f(n, 3, seed=s + 3), _f(n, 3, seed=s + 4), _u(s + 5, n))),
    "spectral_norm_conv_weight": (spectral_norm_power_iteration, {"n_power_iterations": 2},
                                  lambda s, n: (_f(n, 2, 3, seed=s), _f(n, seed=s + 1))),
    "stylegan_minibatch_stddev": (minibatch_stddev, {}, lambda s, n: (
        _f(n, 2, 3, 3, seed=s),)),
    "generator_ema_dict": (generator_ema, {}, lambda s, n: (
        {"w": _f(n, 3, seed=s), "b": _f(3, seed=s + 1)},
        {"w": _f(n, 3, seed=s + 2), "b": _f(3, seed=s + 3)})),
    "inception_score_splits": (inception_score, {"splits": 2}, lambda s, n: (
        _probs(s, 2 * n, 5),)),
    "fid_sqrtm_real_part": (fid_from_features, {}, lambda s, n: (
        _f(4 * n, 3, seed=s), 1 + _f(4 * n, 3, seed=s + 1))),
    "kid_fill_diagonal": (kernel_inception_distance, {}, lambda s, n: (
        _f(n, 4, seed=s), _f(n, 4, seed=s + 1))),
    "dcgan_transposed_conv_scatter": (dcgan_transposed_conv_1d, {}, lambda s, n: (
        _f(2, 3, n, seed=s), _f(3, 2, 4, seed=s + 1))),
}


@pytest.mark.parametrize("name", _names(GAN))
def test_gans_match_numpy(name):
    """GAN losses (BCE with smoothing, relativistic), WGAN clipping and gradient penalties,
    spectral norm, StyleGAN's minibatch stddev, EMA weights, IS/FID/KID metrics and a
    transposed convolution: NumPy's values."""
    check_like_numpy(*GAN[name])


# ================================================================================ diffusion


def linear_beta_schedule(timesteps):
    scale = 1000 / timesteps
    beta_start = scale * 0.0001
    beta_end = scale * 0.02
    return np.linspace(beta_start, beta_end, timesteps, dtype=np.float64)


def cosine_beta_schedule(timesteps, s=0.008):
    # Nichol & Dhariwal, as lucidrains' denoising-diffusion writes it
    steps = timesteps + 1
    t = np.linspace(0, timesteps, steps, dtype=np.float64) / timesteps
    alphas_cumprod = np.cos((t + s) / (1 + s) * math.pi * 0.5) ** 2
    alphas_cumprod = alphas_cumprod / alphas_cumprod[0]
    betas = 1 - (alphas_cumprod[1:] / alphas_cumprod[:-1])
    return np.clip(betas, 0, 0.999)


def cosine_buffers_scaled(k, T=1000):
    return {name: v * k for name, v in diffusion_buffers(cosine_beta_schedule(T)).items()}


def diffusion_buffers(betas):
    # the registered buffers of a Gaussian diffusion, in a dict
    alphas = 1. - betas
    alphas_cumprod = np.cumprod(alphas, axis=0)
    alphas_cumprod_prev = np.append(1., alphas_cumprod[:-1])
    posterior_variance = betas * (1. - alphas_cumprod_prev) / (1. - alphas_cumprod)
    return {
        "sqrt_alphas_cumprod": np.sqrt(alphas_cumprod),
        "sqrt_one_minus_alphas_cumprod": np.sqrt(1. - alphas_cumprod),
        "log_one_minus_alphas_cumprod": np.log(1. - alphas_cumprod),
        "sqrt_recip_alphas_cumprod": np.sqrt(1. / alphas_cumprod),
        "sqrt_recipm1_alphas_cumprod": np.sqrt(1. / alphas_cumprod - 1),
        "posterior_variance": posterior_variance,
        "posterior_log_variance_clipped": np.log(
            np.append(posterior_variance[1], posterior_variance[1:])),
        "posterior_mean_coef1": betas * np.sqrt(alphas_cumprod_prev) / (1. - alphas_cumprod),
        "posterior_mean_coef2": (1. - alphas_cumprod_prev) * np.sqrt(alphas) / (
            1. - alphas_cumprod),
    }


def extract(a, t, x_shape):
    # gather the schedule at each sample's timestep, broadcast over the image dims
    b = t.shape[0]
    out = a[t]
    return out.reshape(b, *((1,) * (len(x_shape) - 1)))


def q_sample(x_start, t, noise, betas):
    buf = diffusion_buffers(betas)
    return (extract(buf["sqrt_alphas_cumprod"], t, x_start.shape) * x_start
            + extract(buf["sqrt_one_minus_alphas_cumprod"], t, x_start.shape) * noise)


def predict_start_from_noise(x_t, t, noise, betas):
    buf = diffusion_buffers(betas)
    return (extract(buf["sqrt_recip_alphas_cumprod"], t, x_t.shape) * x_t
            - extract(buf["sqrt_recipm1_alphas_cumprod"], t, x_t.shape) * noise)


def q_posterior(x_start, x_t, t, betas):
    buf = diffusion_buffers(betas)
    mean = (extract(buf["posterior_mean_coef1"], t, x_t.shape) * x_start
            + extract(buf["posterior_mean_coef2"], t, x_t.shape) * x_t)
    var = extract(buf["posterior_variance"], t, x_t.shape)
    log_var = extract(buf["posterior_log_variance_clipped"], t, x_t.shape)
    return mean, var, log_var


def toy_eps_model(x, t, W, T):
    # a stand-in network: a linear map of x with a sinusoidal time feature
    return np.tanh(x @ W + np.sin(t / T * np.pi)[:, None])


def ddpm_sample_loop(x, W, betas, noises, clip_denoised=True):
    # Ho et al.'s Algorithm 2, the per-step noise given; x has shape (batch, dim)
    T = len(betas)
    buf = diffusion_buffers(betas)
    for i in reversed(range(0, T)):
        t = np.full((x.shape[0],), i, dtype=np.int64)
        eps = toy_eps_model(x, t, W, T)
        x0 = predict_start_from_noise(x, t, eps, betas)
        if clip_denoised:
            x0 = np.clip(x0, -1., 1.)
        mean = (extract(buf["posterior_mean_coef1"], t, x.shape) * x0
                + extract(buf["posterior_mean_coef2"], t, x.shape) * x)
        log_var = extract(buf["posterior_log_variance_clipped"], t, x.shape)
        nonzero_mask = (1 - (t == 0).astype(np.float64)).reshape(x.shape[0], 1)
        x = mean + nonzero_mask * np.exp(0.5 * log_var) * noises[i]
    return x


def ddpm_sample_algorithm2(x_T, W, betas, z):
    # the paper's Algorithm 2 literally: sigma_t^2 = beta_t
    alphas = 1 - betas
    alpha_bar = np.cumprod(alphas)
    T = len(betas)
    x = x_T
    for t in range(T - 1, -1, -1):
        eps = np.tanh(x @ W + np.sin(t / T * np.pi))
        noise = z[t] if t > 0 else np.zeros_like(x)
        x = (1 / np.sqrt(alphas[t])) * (x - (1 - alphas[t]) / np.sqrt(1 - alpha_bar[t]) * eps)
        x = x + np.sqrt(betas[t]) * noise
    return x


def ddpm_sample_rng(x, W, betas, rng):
    # the sampling loop drawing its noise from a generator, none at the last step
    alphas = 1 - betas
    alphas_bar = np.cumprod(alphas)
    for t in reversed(range(len(betas))):
        eps = np.tanh(x @ W)
        z = rng.standard_normal(x.shape) if t > 0 else np.zeros_like(x)
        x = ((x - betas[t] / np.sqrt(1 - alphas_bar[t]) * eps) / np.sqrt(alphas[t])
             + np.sqrt(betas[t]) * z)
    return x


def ddim_sample(x, W, alphas_cumprod, noises=None, eta=0.0, ddim_steps=5):
    # Song et al.: a strided timestep sequence, sigma from eta
    T = len(alphas_cumprod)
    skip = T // ddim_steps
    seq = list(range(0, T, skip))
    seq_next = [-1] + seq[:-1]
    for k, (i, j) in enumerate(zip(reversed(seq), reversed(seq_next))):
        at = alphas_cumprod[i]
        at_next = alphas_cumprod[j] if j >= 0 else 1.0
        t = np.full(x.shape[0], i)
        et = toy_eps_model(x, t, W, T)
        x0_t = (x - et * np.sqrt(1 - at)) / np.sqrt(at)
        c1 = eta * np.sqrt((1 - at / at_next) * (1 - at_next) / (1 - at))
        c2 = np.sqrt((1 - at_next) - c1 ** 2)
        x = np.sqrt(at_next) * x0_t + c2 * et
        if noises is not None:
            x = x + c1 * noises[k]
    return x


def cfg_eps(x, t, cond, W, Wc, guidance_scale=7.5, T=100):
    # classifier-free guidance: conditional and unconditional passes in one batch
    x_in = np.concatenate([x, x], axis=0)
    t_in = np.concatenate([t, t], axis=0)
    c_in = np.concatenate([np.zeros_like(cond), cond], axis=0)
    eps = np.tanh(x_in @ W + c_in @ Wc + np.sin(t_in / T)[:, None])
    eps_uncond, eps_cond = np.split(eps, 2)
    return eps_uncond + guidance_scale * (eps_cond - eps_uncond)


def p_losses(x_start, t, noise, W, betas, loss_type="l2"):
    x_noisy = q_sample(x_start, t, noise, betas)
    pred = toy_eps_model(x_noisy, t, W, len(betas))
    if loss_type == "l1":
        return np.abs(noise - pred).mean()
    if loss_type == "huber":
        d = np.abs(noise - pred)
        return np.where(d < 1.0, 0.5 * d ** 2, d - 0.5).mean()
    return ((noise - pred) ** 2).mean()


def v_prediction_targets(x0, noise, t, alphas_cumprod):
    # Salimans & Ho's v, and x0 and eps recovered from a predicted v
    a = np.sqrt(alphas_cumprod[t])[:, None]
    s = np.sqrt(1 - alphas_cumprod[t])[:, None]
    x_t = a * x0 + s * noise
    v = a * noise - s * x0
    x0_hat = a * x_t - s * v
    eps_hat = s * x_t + a * v
    return v, x0_hat, eps_hat


def min_snr_weights(t, alphas_cumprod, gamma=5.0, objective="pred_noise"):
    snr = alphas_cumprod / (1 - alphas_cumprod)
    snr_t = snr[t]
    clipped = np.minimum(snr_t, gamma)
    if objective == "pred_noise":
        return clipped / snr_t
    if objective == "pred_x0":
        return clipped
    return clipped / (snr_t + 1)


def timestep_embedding(timesteps, dim, max_period=10000):
    # the sinusoidal embedding of guided-diffusion's unet
    half = dim // 2
    freqs = np.exp(-math.log(max_period) * np.arange(0, half, dtype=np.float32) / half)
    args = timesteps[:, None].astype(np.float32) * freqs[None]
    embedding = np.concatenate([np.cos(args), np.sin(args)], axis=-1)
    if dim % 2:
        embedding = np.concatenate([embedding, np.zeros_like(embedding[:, :1])], axis=-1)
    return embedding


def karras_sigmas(n, sigma_min=0.002, sigma_max=80.0, rho=7.0):
    ramp = np.linspace(0, 1, n)
    min_inv_rho = sigma_min ** (1 / rho)
    max_inv_rho = sigma_max ** (1 / rho)
    sigmas = (max_inv_rho + ramp * (min_inv_rho - max_inv_rho)) ** rho
    return np.append(sigmas, 0.0)


def edm_denoiser(x, sigma, W, sigma_data=0.5):
    # Karras et al.'s preconditioning around a toy network
    c_skip = sigma_data ** 2 / (sigma ** 2 + sigma_data ** 2)
    c_out = sigma * sigma_data / np.sqrt(sigma ** 2 + sigma_data ** 2)
    c_in = 1 / np.sqrt(sigma_data ** 2 + sigma ** 2)
    c_noise = np.log(sigma) / 4
    F = np.tanh((c_in * x) @ W + c_noise)
    return c_skip * x + c_out * F


def edm_heun_sampler(x, W, n_steps=6):
    # Algorithm 1 of Karras et al. (deterministic Heun), the sigmas made inside
    sigmas = karras_sigmas(n_steps)
    x = x * sigmas[0]
    for i in range(n_steps):
        s, s_next = sigmas[i], sigmas[i + 1]
        d = (x - edm_denoiser(x, s, W)) / s
        x_next = x + (s_next - s) * d
        if s_next != 0:
            d2 = (x_next - edm_denoiser(x_next, s_next, W)) / s_next
            x_next = x + (s_next - s) * (0.5 * d + 0.5 * d2)
        x = x_next
    return x


def euler_ancestral(x, W, sigmas, noises, eta=1.0):
    # k-diffusion's sample_euler_ancestral with get_ancestral_step inlined
    for i in range(len(sigmas) - 1):
        denoised = edm_denoiser(x, sigmas[i], W)
        sigma_up = min(sigmas[i + 1], eta * (sigmas[i + 1] ** 2 * (sigmas[i] ** 2
                                                                   - sigmas[i + 1] ** 2)
                                             / sigmas[i] ** 2) ** 0.5)
        sigma_down = (sigmas[i + 1] ** 2 - sigma_up ** 2) ** 0.5
        d = (x - denoised) / sigmas[i]
        x = x + d * (sigma_down - sigmas[i])
        if sigmas[i + 1] > 0:
            x = x + noises[i] * sigma_up
    return x


def euler_ancestral_karras(x, W, noises, n=10):
    return euler_ancestral(x, W, karras_sigmas(n, sigma_max=10.0), noises)


def ve_sde_euler_maruyama(x, W, noises, sigma_min=0.01, sigma_max=5.0, eps=1e-3):
    # score-SDE's VE reverse diffusion, a geometric sigma schedule and a toy score
    N = noises.shape[0]
    ts = np.linspace(1, eps, N)
    dt = -(1 - eps) / N
    for i in range(N):
        t = ts[i]
        sigma = sigma_min * (sigma_max / sigma_min) ** t
        score = -x / (sigma ** 2 + 1) + 0.1 * np.tanh(x @ W)
        g = sigma * np.sqrt(2 * (np.log(sigma_max) - np.log(sigma_min)))
        x_mean = x - g ** 2 * score * dt
        x = x_mean + g * np.sqrt(-dt) * noises[i]
    return x_mean


def annealed_langevin(x, W, z, sigmas, n_steps_each=3, step_lr=2e-5):
    # Song & Ermon's NCSN sampler: each noise level's step scaled by (sigma / sigma_L)^2
    images = []
    for c, sigma in enumerate(sigmas):
        step_size = step_lr * (sigma / sigmas[-1]) ** 2
        for s in range(n_steps_each):
            grad = -x / sigma ** 2 + np.tanh(x @ W) / sigma
            x = x + step_size * grad + np.sqrt(step_size * 2) * z[c, s]
            images.append(np.clip(x, 0.0, 1.0))
    return np.stack(images)


def dpm_solver_2m(x, W, alphas_cumprod, ts):
    # DPM-Solver++(2M) on a discrete schedule: lambda = log(alpha / sigma)
    alpha = np.sqrt(alphas_cumprod[ts])
    sigma = np.sqrt(1 - alphas_cumprod[ts])
    lam = np.log(alpha) - np.log(sigma)
    old_x0 = None
    T = len(alphas_cumprod)
    for i in range(len(ts) - 1):
        eps = np.tanh(x @ W + ts[i] / T)
        x0 = (x - sigma[i] * eps) / alpha[i]
        h = lam[i + 1] - lam[i]
        if old_x0 is None:
            D = x0
        else:
            r = (lam[i] - lam[i - 1]) / h
            D = (1 + 1 / (2 * r)) * x0 - 1 / (2 * r) * old_x0
        x = sigma[i + 1] / sigma[i] * x - alpha[i + 1] * np.expm1(-h) * D
        old_x0 = x0
    return x


def float32_schedule_and_sample(x0, noise, t, T=50):
    betas = np.linspace(1e-4, 0.02, T, dtype=np.float32)
    alphas_cumprod = np.cumprod(1 - betas)
    a = alphas_cumprod[t].reshape(-1, 1, 1)
    return np.sqrt(a) * x0 + np.sqrt(1 - a) * noise, alphas_cumprod


def vlb_terms(mean_true, logvar_true, mean_pred, logvar_pred, x0, t):
    # improved-DDPM's L_vlb: a normal KL per pixel in bits, the decoder NLL at t == 0
    kl = 0.5 * (-1.0 + logvar_pred - logvar_true + np.exp(logvar_true - logvar_pred)
                + (mean_true - mean_pred) ** 2 * np.exp(-logvar_pred))
    kl = kl.mean(axis=1) / np.log(2.0)
    centered = x0 - mean_pred
    inv_stdv = np.exp(-0.5 * logvar_pred)
    plus = scipy.special.ndtr(inv_stdv * (centered + 1 / 255.))
    minus = scipy.special.ndtr(inv_stdv * (centered - 1 / 255.))
    nll = -np.log(np.maximum(plus - minus, 1e-12)).mean(axis=1) / np.log(2.0)
    return np.where(t == 0, nll, kl)


def discretized_gaussian_loglik(x, means, log_scales):
    # guided-diffusion's discretized_gaussian_log_likelihood with its tanh CDF approximation
    def approx_standard_normal_cdf(v):
        return 0.5 * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (v + 0.044715 * np.power(v, 3))))

    centered_x = x - means
    inv_stdv = np.exp(-log_scales)
    cdf_plus = approx_standard_normal_cdf(inv_stdv * (centered_x + 1.0 / 255.0))
    cdf_min = approx_standard_normal_cdf(inv_stdv * (centered_x - 1.0 / 255.0))
    log_cdf_plus = np.log(np.clip(cdf_plus, 1e-12, None))
    log_one_minus_cdf_min = np.log(np.clip(1.0 - cdf_min, 1e-12, None))
    cdf_delta = cdf_plus - cdf_min
    return np.where(x < -0.999, log_cdf_plus,
                    np.where(x > 0.999, log_one_minus_cdf_min,
                             np.log(np.clip(cdf_delta, 1e-12, None))))


def respace_betas(alphas_cumprod, use_timesteps):
    # guided-diffusion's SpacedDiffusion: new betas from the kept steps' cumulative alphas
    last = 1.0
    new_betas = []
    timestep_map = []
    for i, ac in enumerate(alphas_cumprod):
        if i in use_timesteps:
            new_betas.append(1 - ac / last)
            last = ac
            timestep_map.append(i)
    return np.array(new_betas), np.array(timestep_map)


DIFFUSION = {
    "linear_beta_schedule": (linear_beta_schedule, {"timesteps": 50}, lambda s, n: ()),
    "cosine_schedule_buffers": (cosine_buffers_scaled, {"T": 40}, lambda s, n: (0.5 * s,)),
    "buffers_dict_from_betas": (diffusion_buffers, {}, lambda s, n: (
        np.linspace(1e-4, 0.02, 10 * n) * (1 + 0.1 * s),)),
    "q_sample_extract": (q_sample, {}, lambda s, n: (
        _f(n, 2, 3, 3, seed=s), _i(20, n, seed=s), _f(n, 2, 3, 3, seed=s + 1),
        np.linspace(1e-4, 0.05, 20))),
    "q_posterior_three_outputs": (q_posterior, {}, lambda s, n: (
        _f(n, 2, 3, seed=s), _f(n, 2, 3, seed=s + 1), _i(20, n, seed=s),
        np.linspace(1e-4, 0.05, 20))),
    "ddpm_sample_loop_clip": (ddpm_sample_loop, {}, lambda s, n: (
        _f(n, 3, seed=s), 0.5 * _f(3, 3, seed=s + 1), np.linspace(1e-3, 0.1, 8),
        _f(8, n, 3, seed=s + 2))),
    "ddpm_algorithm2_literal": (ddpm_sample_algorithm2, {}, lambda s, n: (
        _f(n, 3, seed=s), 0.5 * _f(3, 3, seed=s + 1), np.linspace(1e-3, 0.1, 8),
        _f(8, n, 3, seed=s + 2))),
    "ddpm_sample_generator_draws": (ddpm_sample_rng, {}, lambda s, n: (
        _f(n, 2, seed=s), 0.5 * _f(2, 2, seed=s + 1), np.linspace(1e-3, 0.1, 8),
        np.random.default_rng(s))),
    "ddim_eta0": (ddim_sample, {"ddim_steps": 5}, lambda s, n: (
        _f(n, 3, seed=s), 0.5 * _f(3, 3, seed=s + 1),
        np.cumprod(1 - np.linspace(1e-3, 0.05, 20)))),
    "ddim_eta_noise": (ddim_sample, {"ddim_steps": 4}, lambda s, n: (
        _f(n, 3, seed=s), 0.5 * _f(3, 3, seed=s + 1),
        np.cumprod(1 - np.linspace(1e-3, 0.05, 20)), _f(4, n, 3, seed=s + 2), 0.5)),
    "classifier_free_guidance_split": (cfg_eps, {}, lambda s, n: (
        _f(n, 3, seed=s), _i(100, n, seed=s), _f(n, 2, seed=s + 1), _f(3, 3, seed=s + 2),
        _f(2, 3, seed=s + 3))),
    "p_losses_huber": (p_losses, {"loss_type": "huber"}, lambda s, n: (
        _f(n, 3, seed=s), _i(20, n, seed=s), 3 * _f(n, 3, seed=s + 1), _f(3, 3, seed=s + 2),
        np.linspace(1e-4, 0.05, 20))),
    "p_losses_l1": (p_losses, {"loss_type": "l1"}, lambda s, n: (
        _f(n, 3, seed=s), _i(20, n, seed=s), _f(n, 3, seed=s + 1), _f(3, 3, seed=s + 2),
        np.linspace(1e-4, 0.05, 20))),
    "v_prediction": (v_prediction_targets, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 3, seed=s + 1), _i(20, n, seed=s),
        np.cumprod(1 - np.linspace(1e-3, 0.05, 20)))),
    "min_snr_gamma": (min_snr_weights, {}, lambda s, n: (
        _i(20, 2 * n, seed=s), np.cumprod(1 - np.linspace(1e-3, 0.2, 20)))),
    "min_snr_pred_v": (min_snr_weights, {"objective": "pred_v"}, lambda s, n: (
        _i(20, 2 * n, seed=s), np.cumprod(1 - np.linspace(1e-3, 0.2, 20)))),
    "timestep_embedding_odd_dim": (timestep_embedding, {"dim": 7}, lambda s, n: (
        _i(1000, n, seed=s),)),
    "timestep_embedding_int32": (timestep_embedding, {"dim": 8}, lambda s, n: (
        _i(1000, n, seed=s).astype(np.int32),)),
    "edm_heun_karras": (edm_heun_sampler, {"n_steps": 5}, lambda s, n: (
        _f(n, 3, seed=s), 0.5 * _f(3, 3, seed=s + 1))),
    "euler_ancestral_karras_inside": (euler_ancestral_karras, {"n": 5}, lambda s, n: (
        _f(n, 3, seed=s) * 10, 0.5 * _f(3, 3, seed=s + 1), _f(5, n, 3, seed=s + 2))),
    "ve_sde_euler_maruyama": (ve_sde_euler_maruyama, {}, lambda s, n: (
        5 * _f(n, 2, seed=s), 0.5 * _f(2, 2, seed=s + 1), _f(6, n, 2, seed=s + 2))),
    "ncsn_annealed_langevin": (annealed_langevin, {"n_steps_each": 2}, lambda s, n: (
        _u(s, n, 3), 0.5 * _f(3, 3, seed=s + 1), 0.1 * _f(3, 2, n, 3, seed=s + 2),
        np.geomspace(1.0, 0.05, 3))),
    "dpm_solver_pp_2m": (dpm_solver_2m, {}, lambda s, n: (
        _f(n, 3, seed=s), 0.5 * _f(3, 3, seed=s + 1),
        np.cumprod(1 - np.linspace(1e-3, 0.05, 30)), np.array([29, 22, 15, 8, 1]))),
    "float32_schedule_q_sample": (float32_schedule_and_sample, {}, lambda s, n: (
        _f(n, 2, 2, seed=s).astype(np.float32), _f(n, 2, 2, seed=s + 1).astype(np.float32),
        _i(50, n, seed=s))),
    "vlb_terms_ndtr": (vlb_terms, {}, lambda s, n: (
        _f(n, 4, seed=s), 0.2 * _f(n, 4, seed=s + 1) - 3, _f(n, 4, seed=s + 2),
        0.2 * _f(n, 4, seed=s + 3) - 3, np.clip(_f(n, 4, seed=s + 4), -1, 1),
        np.arange(n) % 3)),
    "discretized_gaussian_loglik": (discretized_gaussian_loglik, {}, lambda s, n: (
        np.r_[-1.0, 1.0, np.linspace(-0.9, 0.9, 3 * n - 2)], 0.5 * _f(3 * n, seed=s),
        -2 + 0.1 * _f(3 * n, seed=s + 1))),
    "respace_in_set_loop": (respace_betas, {
        "use_timesteps": frozenset({0, 3, 6, 9, 12, 15, 19})},
                            lambda s, n: (np.cumprod(1 - np.linspace(1e-3, 0.05 * s, 20)),)),
}


@pytest.mark.parametrize("name", _names(DIFFUSION))
def test_diffusion_models_match_numpy(name):
    """Beta schedules, diffusion buffers, q_sample by `extract`, posteriors, DDPM, DDIM, EDM,
    Euler-ancestral, VE-SDE, Langevin and DPM-Solver samplers, guidance, loss weightings and
    improved-DDPM likelihood terms: NumPy's values."""
    check_like_numpy(*DIFFUSION[name])


# ================================================================================ flows


def standard_normal_logprob(z):
    return -0.5 * (z ** 2).sum(-1) - 0.5 * z.shape[-1] * np.log(2 * np.pi)


def checkerboard_mask(d, parity=0):
    return (np.arange(d) % 2 == parity).astype(np.float64)


def coupling_nets(x_masked, params):
    h = np.maximum(0, x_masked @ params["W1"] + params["b1"])
    s = np.tanh(h @ params["Ws"] + params["bs"])
    t = h @ params["Wt"] + params["bt"]
    return s, t


def realnvp_forward(x, layers):
    # RealNVP: alternating masks, the log-determinant summed over the scale outputs
    log_det = np.zeros(x.shape[0])
    z = x
    for i, params in enumerate(layers):
        mask = checkerboard_mask(x.shape[1], i % 2)
        s, t = coupling_nets(z * mask, params)
        s = s * (1 - mask)
        t = t * (1 - mask)
        z = z * mask + (1 - mask) * (z * np.exp(s) + t)
        log_det += s.sum(axis=1)
    return z, log_det, standard_normal_logprob(z) + log_det


def realnvp_inverse(z, layers):
    x = z
    for i in reversed(range(len(layers))):
        mask = checkerboard_mask(z.shape[1], i % 2)
        s, t = coupling_nets(x * mask, layers[i])
        s = s * (1 - mask)
        t = t * (1 - mask)
        x = x * mask + (1 - mask) * ((x - t) * np.exp(-s))
    return x


def _coupling_layers(seed, d, h, k):
    r = np.random.default_rng(seed)
    return [{"W1": 0.5 * r.standard_normal((d, h)), "b1": 0.1 * r.standard_normal(h),
             "Ws": 0.5 * r.standard_normal((h, d)), "bs": np.zeros(d),
             "Wt": 0.5 * r.standard_normal((h, d)), "bt": np.zeros(d)} for _ in range(k)]


def realnvp_roundtrip(x, layers):
    z, log_det, logp = realnvp_forward(x, layers)
    return realnvp_inverse(z, layers) - x, logp


def glow_affine_coupling_sigmoid(x, W, b):
    # Glow's coupling: scale = sigmoid(h + 2), the channels split by np.split
    xa, xb = np.split(x, 2, axis=-1)
    h = xa @ W + b
    shift, scale_raw = h[..., 0::2], h[..., 1::2]
    scale = 1 / (1 + np.exp(-(scale_raw + 2.0)))
    yb = (xb + shift) * scale
    logdet = np.sum(np.log(scale), axis=-1)
    return np.concatenate([xa, yb], axis=-1), logdet


def planar_flow(z, u, w, b):
    # Rezende & Mohamed's planar flow with the u-hat invertibility fix
    wu = w @ u
    m_wu = -1 + np.log1p(np.exp(wu))
    u_hat = u + (m_wu - wu) * w / np.sum(w ** 2)
    lin = z @ w + b
    f_z = z + u_hat[None, :] * np.tanh(lin)[:, None]
    psi = (1 - np.tanh(lin) ** 2)[:, None] * w[None, :]
    log_det = np.log(np.abs(1 + psi @ u_hat))
    return f_z, log_det


def planar_flow_stack(z, us, ws, bs):
    total = np.zeros(z.shape[0])
    for k in range(len(bs)):
        z, ld = planar_flow(z, us[k], ws[k], bs[k])
        total = total + ld
    return z, total


def actnorm_data_init(x, eps=1e-6):
    # Glow's ActNorm initialised from the first batch, applied, log-det per sample (NCHW)
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    std = x.std(axis=(0, 2, 3), keepdims=True)
    loc = -mean
    log_scale = np.log(1 / (std + eps))
    y = (x + loc) * np.exp(log_scale)
    h, w = x.shape[2:]
    logdet = h * w * np.sum(log_scale) * np.ones(x.shape[0])
    return y, logdet


def invconv_1x1(x, W):
    # Glow's invertible 1x1 convolution: einsum over channels, slogdet per pixel
    n, c, h, w = x.shape
    y = np.einsum("ij,njhw->nihw", W, x)
    sign, logabsdet = np.linalg.slogdet(W)
    return y, h * w * logabsdet * np.ones(n), sign


def invconv_lu(x, p, l_tri, u_tri, log_s, sign_s):
    # the LU-parameterised 1x1 conv: W = P L (U + diag(s)), logdet = sum(log|s|)
    c = l_tri.shape[0]
    l_mask = np.tril(np.ones((c, c)), -1)
    lower = l_tri * l_mask + np.eye(c)
    upper = u_tri * l_mask.T + np.diag(sign_s * np.exp(log_s))
    W = p @ lower @ upper
    y = x @ W.T
    return y, np.sum(log_s) * np.ones(x.shape[0]), W


def lu_init_from_random_rotation(A):
    # Glow's initialisation: a random rotation by QR, then scipy's LU into the parameters
    w_init = np.linalg.qr(A)[0]
    p, lower, upper = scipy.linalg.lu(w_init)
    s = np.diag(upper)
    sign_s = np.sign(s)
    log_s = np.log(np.abs(s))
    upper = np.triu(upper, k=1)
    return p, lower, upper, sign_s, log_s


def made_masks(d, hidden, degrees_hidden):
    # MADE: input degrees 1..D, hidden degrees given, masks by broadcast comparisons
    m_in = np.arange(1, d + 1)
    masks = []
    prev = m_in
    for m in degrees_hidden:
        masks.append((m[None, :] >= prev[:, None]).astype(np.float64))
        prev = m
    masks.append((m_in[None, :] > prev[:, None]).astype(np.float64))
    return masks


def maf_forward(x, W1, W2, V, degrees):
    # a masked autoregressive flow layer: u = (x - mu) exp(-alpha)
    m1, m_out = made_masks(x.shape[1], W1.shape[1], [degrees])
    h = np.tanh(x @ (W1 * m1))
    mu = h @ (W2 * m_out)
    alpha = np.tanh(h @ (V * m_out))
    u = (x - mu) * np.exp(-alpha)
    return u, -alpha.sum(axis=1)


def maf_inverse_loop(u, W1, W2, V, degrees):
    # sampling from a MAF is sequential: one dimension per pass
    m1, m_out = made_masks(u.shape[1], W1.shape[1], [degrees])
    x = np.zeros_like(u)
    for i in range(u.shape[1]):
        h = np.tanh(x @ (W1 * m1))
        mu = h @ (W2 * m_out)
        alpha = np.tanh(h @ (V * m_out))
        x[:, i] = mu[:, i] + u[:, i] * np.exp(alpha[:, i])
    return x


def logit_dequantize(x_uint8, u, alpha=0.05):
    # RealNVP's preprocessing: uniform dequantisation, then logit of a squeezed value
    x = (x_uint8.astype(np.float32) + u) / 256.0
    y = alpha + (1 - 2 * alpha) * x
    logit = np.log(y) - np.log1p(-y)
    log_det = (np.log(1 - 2 * alpha) - np.log(y) - np.log1p(-y)).reshape(x.shape[0], -1)
    return logit, log_det.sum(axis=1) - np.log(256.0) * y[0].size


def glow_squeeze(x, factor=2):
    n, c, h, w = x.shape
    x = x.reshape(n, c, h // factor, factor, w // factor, factor)
    x = x.transpose(0, 1, 3, 5, 2, 4)
    return x.reshape(n, c * factor * factor, h // factor, w // factor)


def glow_unsqueeze(x, factor=2):
    n, c, h, w = x.shape
    x = x.reshape(n, c // factor ** 2, factor, factor, h, w)
    x = x.transpose(0, 1, 4, 2, 5, 3)
    return x.reshape(n, c // factor ** 2, h * factor, w * factor)


def squeeze_roundtrip(x):
    y = glow_squeeze(x)
    return y, glow_unsqueeze(y * 2.0)


def rq_spline_forward(x, widths, heights, derivatives, tail_bound=3.0):
    # Durkan et al.'s rational-quadratic spline (forward), bins found by comparison counts
    k = widths.shape[-1]
    w = np.exp(widths - widths.max(-1, keepdims=True))
    w = w / w.sum(-1, keepdims=True)
    h = np.exp(heights - heights.max(-1, keepdims=True))
    h = h / h.sum(-1, keepdims=True)
    cumw = np.pad(np.cumsum(w, axis=-1), ((0, 0), (1, 0)))
    cumw = 2 * tail_bound * cumw - tail_bound
    cumw[..., -1] = tail_bound
    cumh = np.pad(np.cumsum(h, axis=-1), ((0, 0), (1, 0)))
    cumh = 2 * tail_bound * cumh - tail_bound
    cumh[..., -1] = tail_bound
    d = np.log1p(np.exp(derivatives))
    bin_idx = np.sum(x[..., None] >= cumw, axis=-1) - 1
    bin_idx = np.clip(bin_idx, 0, k - 1)[..., None]
    x_k = np.take_along_axis(cumw, bin_idx, -1)[..., 0]
    w_k = np.take_along_axis(np.diff(cumw, axis=-1), bin_idx, -1)[..., 0]
    y_k = np.take_along_axis(cumh, bin_idx, -1)[..., 0]
    h_k = np.take_along_axis(np.diff(cumh, axis=-1), bin_idx, -1)[..., 0]
    d_k = np.take_along_axis(d, bin_idx, -1)[..., 0]
    d_k1 = np.take_along_axis(d, bin_idx + 1, -1)[..., 0]
    s_k = h_k / w_k
    theta = (x - x_k) / w_k
    tt = theta * (1 - theta)
    num = h_k * (s_k * theta ** 2 + d_k * tt)
    den = s_k + (d_k1 + d_k - 2 * s_k) * tt
    y = y_k + num / den
    dnum = s_k ** 2 * (d_k1 * theta ** 2 + 2 * s_k * tt + d_k * (1 - theta) ** 2)
    logdet = np.log(dnum) - 2 * np.log(den)
    return y, logdet


FLOWS = {
    "realnvp_forward_logprob": (realnvp_forward, {}, lambda s, n: (
        _f(n, 4, seed=s), _coupling_layers(s, 4, 6, 3))),
    "realnvp_roundtrip_list_of_dicts": (realnvp_roundtrip, {}, lambda s, n: (
        _f(n, 4, seed=s), _coupling_layers(s + 1, 4, 5, 4))),
    "glow_coupling_sigmoid_scale": (glow_affine_coupling_sigmoid, {}, lambda s, n: (
        _f(n, 2, 6, seed=s), 0.5 * _f(3, 6, seed=s + 1), _f(6, seed=s + 2))),
    "planar_flow_stack": (planar_flow_stack, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(3, 2, seed=s + 1), _f(3, 2, seed=s + 2), _f(3, seed=s + 3))),
    "actnorm_data_init": (actnorm_data_init, {}, lambda s, n: (
        2 + 3 * _f(n, 3, 2, 2, seed=s),)),
    "invconv_1x1_slogdet": (invconv_1x1, {}, lambda s, n: (
        _f(2, 3, n, n, seed=s), np.linalg.qr(_f(3, 3, seed=s + 1))[0] + 0.1 * np.eye(3))),
    "invconv_lu_parameterised": (invconv_lu, {}, lambda s, n: (
        _f(n, 3, seed=s), np.eye(3)[[1, 0, 2]], _f(3, 3, seed=s + 1), _f(3, 3, seed=s + 2),
        0.1 * _f(3, seed=s + 3), np.array([1.0, -1.0, 1.0]))),
    "lu_init_scipy_lu": (lu_init_from_random_rotation, {}, lambda s, n: (
        _f(n, n, seed=s) + 2 * np.eye(n),)),
    "maf_forward_made_masks": (maf_forward, {}, lambda s, n: (
        _f(n, 4, seed=s), _f(4, 6, seed=s + 1), _f(6, 4, seed=s + 2), 0.3 * _f(6, 4, seed=s + 3),
        np.array([1, 2, 3, 1, 2, 3]))),
    "maf_inverse_sequential_loop": (maf_inverse_loop, {}, lambda s, n: (
        _f(n, 4, seed=s), _f(4, 6, seed=s + 1), _f(6, 4, seed=s + 2), 0.3 * _f(6, 4, seed=s + 3),
        np.array([1, 2, 3, 1, 2, 3]))),
    "logit_dequantize_uint8": (logit_dequantize, {}, lambda s, n: (
        np.random.default_rng(s).integers(0, 256, (2, n, 3), dtype=np.uint8),
        _u(s, 2, n, 3).astype(np.float32))),
    "glow_squeeze_roundtrip": (squeeze_roundtrip, {}, lambda s, n: (
        _f(2, 3, n, 2 * n, seed=s),)),
    "rq_spline_take_along_axis": (rq_spline_forward, {}, lambda s, n: (
        np.linspace(-2.9, 2.9, n) + 0.01 * s, _f(n, 5, seed=s), _f(n, 5, seed=s + 1),
        _f(n, 6, seed=s + 2))),
}


@pytest.mark.parametrize("name", _names(FLOWS))
def test_normalizing_flows_match_numpy(name):
    """Affine couplings, planar flows, ActNorm, invertible 1x1 convolutions (slogdet and LU),
    MADE/MAF, dequantisation, squeezes and rational-quadratic splines: NumPy's values."""
    check_like_numpy(*FLOWS[name])


# ======================================================================= transformer blocks


def rmsnorm(x, weight, eps=1e-5):
    # llama2.c's rmsnorm for one vector
    ss = np.sum(x ** 2) / x.shape[0]
    ss += eps
    ss = 1.0 / np.sqrt(ss)
    return weight * (ss * x)


def rmsnorm_batched_f32(x, weight, eps=1e-6):
    # the Hugging Face form: computed in float32, cast back to the input's dtype
    input_dtype = x.dtype
    h = x.astype(np.float32)
    variance = np.mean(h ** 2, axis=-1, keepdims=True)
    h = h * (1.0 / np.sqrt(variance + eps))
    return weight * h.astype(input_dtype)


def silu(x):
    return x * (1.0 / (1.0 + np.exp(-x)))


def swiglu_ffn(x, w1, w2, w3):
    # llama's FFN: w2(silu(w1 x) * w3 x), weights stored (out, in)
    return (silu(x @ w1.T) * (x @ w3.T)) @ w2.T


def geglu_ffn_erf(x, w_in, w_out):
    # GeGLU with the exact GELU by scipy's erf, the projection split in two
    h = x @ w_in
    a, gate = np.split(h, 2, axis=-1)
    gelu = 0.5 * gate * (1.0 + scipy.special.erf(gate / np.sqrt(2.0)))
    return (a * gelu) @ w_out


def precompute_freqs_cis(dim, end, theta=10000.0):
    freqs = 1.0 / (theta ** (np.arange(0, dim, 2)[: (dim // 2)].astype(np.float32) / dim))
    t = np.arange(end, dtype=np.float32)
    freqs = np.outer(t, freqs)
    return np.cos(freqs), np.sin(freqs)


def apply_rotary_emb(xq, xk, freqs_cos, freqs_sin):
    # the llama2.c model.py port: reshape into pairs, rotate, flatten back
    xq_r, xq_i = np.moveaxis(xq.reshape(xq.shape[:-1] + (-1, 2)), -1, 0)
    xk_r, xk_i = np.moveaxis(xk.reshape(xk.shape[:-1] + (-1, 2)), -1, 0)
    fc = freqs_cos[None, :, None, :]
    fs = freqs_sin[None, :, None, :]
    xq_out_r = xq_r * fc - xq_i * fs
    xq_out_i = xq_r * fs + xq_i * fc
    xk_out_r = xk_r * fc - xk_i * fs
    xk_out_i = xk_r * fs + xk_i * fc
    xq_out = np.stack([xq_out_r, xq_out_i], axis=-1).reshape(xq.shape)
    xk_out = np.stack([xk_out_r, xk_out_i], axis=-1).reshape(xk.shape)
    return xq_out.astype(xq.dtype), xk_out.astype(xk.dtype)


def rope_from_seq_len(xq, xk, head_dim=8):
    cos, sin = precompute_freqs_cis(head_dim, xq.shape[1])
    return apply_rotary_emb(xq, xk, cos, sin)


def rope_llama2c_loop(q, k, pos, head_size):
    # llama2.c's run.c RoPE translated line by line: a loop over even indices of q and k
    dim = q.shape[0]
    kv_dim = k.shape[0]
    for i in range(0, dim, 2):
        head_dim = i % head_size
        freq = 1.0 / (10000.0 ** (head_dim / head_size))
        val = pos * freq
        fcr = math.cos(val)
        fci = math.sin(val)
        rotn = 2 if i < kv_dim else 1
        for v in range(rotn):
            vec = q if v == 0 else k
            v0 = vec[i]
            v1 = vec[i + 1]
            vec[i] = v0 * fcr - v1 * fci
            vec[i + 1] = v0 * fci + v1 * fcr
    return q, k


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return np.concatenate((-x2, x1), axis=-1)


def rope_hf_rotate_half(q, k, position_ids, base=10000.0):
    # transformers' LlamaRotaryEmbedding: inv_freq, emb = cat(freqs, freqs), rotate_half
    dim = q.shape[-1]
    inv_freq = 1.0 / (base ** (np.arange(0, dim, 2, dtype=np.int64).astype(np.float32) / dim))
    freqs = position_ids[:, :, None].astype(np.float32) * inv_freq[None, None, :]
    emb = np.concatenate((freqs, freqs), axis=-1)
    cos = np.cos(emb)[:, None]
    sin = np.sin(emb)[:, None]
    return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin


def rope_view_as_complex(xq, freqs):
    # the torch.view_as_complex line ported to NumPy: pairs reinterpreted as complex64
    xq_c = xq.reshape(*xq.shape[:-1], -1, 2).view(np.complex64)[..., 0]
    freqs_cis = np.exp(1j * freqs).astype(np.complex64)
    out = xq_c * freqs_cis[None, :, None, :]
    return np.stack([out.real, out.imag], axis=-1).reshape(xq.shape)


def rope_complex_polar(xq, freqs):
    # the same with the complex numbers built from the pairs
    pairs = xq.reshape(*xq.shape[:-1], -1, 2)
    xq_c = pairs[..., 0] + 1j * pairs[..., 1]
    out = xq_c * np.exp(1j * freqs)[None, :, None, :]
    return np.stack([np.real(out), np.imag(out)], axis=-1).reshape(xq.shape).astype(xq.dtype)


def get_alibi_slopes(n_heads):
    def get_slopes_power_of_2(n):
        start = 2 ** (-2 ** -(math.log2(n) - 3))
        ratio = start
        return [start * ratio ** i for i in range(n)]

    if math.log2(n_heads).is_integer():
        return get_slopes_power_of_2(n_heads)
    closest = 2 ** math.floor(math.log2(n_heads))
    return (get_slopes_power_of_2(closest)
            + get_alibi_slopes(2 * closest)[0::2][: n_heads - closest])


def alibi_attention(q, k, v, n_heads=6):
    # Press et al.: a per-head linear bias on the key distance, causal
    T = q.shape[1]
    slopes = np.array(get_alibi_slopes(n_heads))
    rel = np.arange(T)[None, :] - np.arange(T)[:, None]
    bias = slopes[:, None, None] * rel[None]
    scores = np.einsum("hqd,hkd->hqk", q, k) / np.sqrt(q.shape[-1]) + bias
    scores = np.where(np.tril(np.ones((T, T), dtype=bool)), scores, -np.inf)
    scores = scores - scores.max(-1, keepdims=True)
    p = np.exp(scores)
    p /= p.sum(-1, keepdims=True)
    return p @ v


def grouped_query_attention(x, wq, wk, wv, wo, n_heads=4, n_kv_heads=2):
    # GQA by reshaping the query heads into groups, no repeat of the keys
    T, D = x.shape
    hd = D // n_heads
    g = n_heads // n_kv_heads
    q = (x @ wq).reshape(T, n_kv_heads, g, hd)
    k = (x @ wk).reshape(T, n_kv_heads, hd)
    v = (x @ wv).reshape(T, n_kv_heads, hd)
    scores = np.einsum("qhgd,khd->hgqk", q, k) / math.sqrt(hd)
    mask = np.triu(np.full((T, T), -np.inf), k=1)
    scores = scores + mask
    scores = np.exp(scores - scores.max(-1, keepdims=True))
    scores /= scores.sum(-1, keepdims=True)
    out = np.einsum("hgqk,khd->qhgd", scores, v).reshape(T, D)
    return out @ wo


def multi_query_attention(x, wq, wk, wv, n_heads=4):
    # MQA: one key/value head broadcast over all query heads by matmul
    B, T, D = x.shape
    hd = D // n_heads
    q = (x @ wq).reshape(B, T, n_heads, hd).transpose(0, 2, 1, 3)
    k = (x @ wk)[:, None]
    v = (x @ wv)[:, None]
    att = q @ k.swapaxes(-1, -2) * hd ** -0.5
    att = np.where(np.tri(T, dtype=bool), att, np.finfo(att.dtype).min)
    att = np.exp(att - att.max(-1, keepdims=True))
    att = att / att.sum(-1, keepdims=True)
    return (att @ v).transpose(0, 2, 1, 3).reshape(B, T, D)


def repeat_kv(x, n_rep):
    # llama's repeat_kv: expand a new axis and reshape, as model.py writes it
    bs, slen, n_kv_heads, head_dim = x.shape
    if n_rep == 1:
        return x
    return np.broadcast_to(x[:, :, :, None, :], (bs, slen, n_kv_heads, n_rep, head_dim)
                           ).reshape(bs, slen, n_kv_heads * n_rep, head_dim)


def llama_attention_block(x, p, freqs_cos, freqs_sin, n_heads=4, n_kv_heads=2):
    bsz, seqlen, dim = x.shape
    hd = dim // n_heads
    xq = (x @ p["wq"]).reshape(bsz, seqlen, n_heads, hd)
    xk = (x @ p["wk"]).reshape(bsz, seqlen, n_kv_heads, hd)
    xv = (x @ p["wv"]).reshape(bsz, seqlen, n_kv_heads, hd)
    xq, xk = apply_rotary_emb(xq, xk, freqs_cos, freqs_sin)
    xk = repeat_kv(xk, n_heads // n_kv_heads)
    xv = repeat_kv(xv, n_heads // n_kv_heads)
    xq, xk, xv = (a.transpose(0, 2, 1, 3) for a in (xq, xk, xv))
    scores = xq @ xk.transpose(0, 1, 3, 2) / math.sqrt(hd)
    scores = scores + np.triu(np.full((1, 1, seqlen, seqlen), float("-inf"), dtype=x.dtype), k=1)
    scores = scores - scores.max(axis=-1, keepdims=True)
    scores = np.exp(scores)
    scores = scores / scores.sum(axis=-1, keepdims=True)
    out = (scores @ xv).transpose(0, 2, 1, 3).reshape(bsz, seqlen, -1)
    h = x + out @ p["wo"]
    hn = rmsnorm_batched_f32(h, p["ffn_norm"])
    return h + swiglu_ffn(hn, p["w1"], p["w2"], p["w3"])


def _llama_params(seed, dim, n_heads, n_kv_heads, hidden):
    r = np.random.default_rng(seed)
    kvd = dim // n_heads * n_kv_heads
    return {"wq": 0.3 * r.standard_normal((dim, dim)), "wk": 0.3 * r.standard_normal((dim, kvd)),
            "wv": 0.3 * r.standard_normal((dim, kvd)), "wo": 0.3 * r.standard_normal((dim, dim)),
            "ffn_norm": 1 + 0.1 * r.standard_normal(dim),
            "w1": 0.3 * r.standard_normal((hidden, dim)),
            "w2": 0.3 * r.standard_normal((dim, hidden)),
            "w3": 0.3 * r.standard_normal((hidden, dim))}


def llama_block_from_seq(x, p):
    cos, sin = precompute_freqs_cis(x.shape[-1] // 4, x.shape[1])
    return llama_attention_block(x, p, cos, sin)


def llama2c_forward_token(x, pos, key_cache, value_cache, w, n_heads=2, n_kv_heads=1):
    # run.c's forward for one token at one layer: rmsnorm, qkv, rope, cache, attention
    dim = x.shape[0]
    head_size = dim // n_heads
    kv_mul = n_heads // n_kv_heads
    xb = rmsnorm(x, w["rms_att"])
    q = w["wq"] @ xb
    k = w["wk"] @ xb
    v = w["wv"] @ xb
    q, k = rope_llama2c_loop(q, k, pos, head_size)
    key_cache[pos, :] = k
    value_cache[pos, :] = v
    xb = np.zeros(dim)
    for h in range(n_heads):
        qh = q[h * head_size:(h + 1) * head_size]
        kh = key_cache[:pos + 1, (h // kv_mul) * head_size:(h // kv_mul + 1) * head_size]
        att = kh @ qh / math.sqrt(head_size)
        att = np.exp(att - np.max(att))
        att /= np.sum(att)
        vh = value_cache[:pos + 1, (h // kv_mul) * head_size:(h // kv_mul + 1) * head_size]
        xb[h * head_size:(h + 1) * head_size] = att @ vh
    x = x + w["wo"] @ xb
    xb = rmsnorm(x, w["rms_ffn"])
    hb = w["w1"] @ xb
    hb2 = w["w3"] @ xb
    hb = hb * (1.0 / (1.0 + np.exp(-hb))) * hb2
    return x + w["w2"] @ hb


def _llama2c_weights(seed, dim, kv_dim, hidden):
    r = np.random.default_rng(seed)
    return {"rms_att": 1 + 0.1 * r.standard_normal(dim),
            "rms_ffn": 1 + 0.1 * r.standard_normal(dim),
            "wq": 0.3 * r.standard_normal((dim, dim)), "wk": 0.3 * r.standard_normal((kv_dim, dim)),
            "wv": 0.3 * r.standard_normal((kv_dim, dim)), "wo": 0.3 * r.standard_normal((dim, dim)),
            "w1": 0.3 * r.standard_normal((hidden, dim)),
            "w2": 0.3 * r.standard_normal((dim, hidden)),
            "w3": 0.3 * r.standard_normal((hidden, dim))}


def llama2c_prefill(tokens, emb, key_cache, value_cache, w, wcls, n_steps=4):
    # the generation loop's prompt phase: one token at a time, the caches filled in place
    logits = []
    for pos in range(n_steps):
        x = emb[tokens[pos]].copy()
        x = llama2c_forward_token(x, pos, key_cache, value_cache, w)
        logits.append(wcls @ rmsnorm(x, w["rms_att"]))
    return np.array(logits)


def kv_cache_append_concat(cache, k_new, v_new, max_len=8):
    # a growing cache in a dict: concatenate, then keep the last max_len positions
    k = np.concatenate([cache["k"], k_new], axis=1)[:, -max_len:]
    v = np.concatenate([cache["v"], v_new], axis=1)[:, -max_len:]
    cache["k"], cache["v"] = k, v
    return k.shape[1]


def sliding_window_mask(T, window, dtype=np.float32):
    i = np.arange(T)[:, None]
    j = np.arange(T)[None, :]
    allowed = (j <= i) & (j > i - window)
    return np.where(allowed, 0.0, -np.inf).astype(dtype)


def sliding_window_attention(q, k, v, window=3):
    T = q.shape[-2]
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1]) + sliding_window_mask(T, window)
    w = np.exp(scores - scores.max(-1, keepdims=True))
    return (w / w.sum(-1, keepdims=True)) @ v


def padding_mask_attention(q, k, v, lengths):
    # a batch of left-aligned sequences: keys past each length masked by a large negative
    B, T, d = q.shape
    key_mask = np.arange(T)[None, :] < lengths[:, None]
    scores = np.matmul(q, k.transpose(0, 2, 1)) / np.sqrt(d)
    scores = np.where(key_mask[:, None, :], scores, -1e9)
    scores -= scores.max(axis=-1, keepdims=True)
    w = np.exp(scores)
    w /= w.sum(axis=-1, keepdims=True)
    return w @ v


def online_softmax_attention(q, k, v, block=2):
    # FlashAttention's recurrence over key blocks: running max, denominator and output
    T = k.shape[0]
    m = np.full(q.shape[0], -np.inf)
    denom = np.zeros(q.shape[0])
    o = np.zeros((q.shape[0], v.shape[1]))
    scale = 1.0 / np.sqrt(q.shape[1])
    for start in range(0, T, block):
        kb = k[start:start + block]
        vb = v[start:start + block]
        s = q @ kb.T * scale
        m_new = np.maximum(m, s.max(axis=1))
        p = np.exp(s - m_new[:, None])
        alpha = np.exp(m - m_new)
        denom = alpha * denom + p.sum(axis=1)
        o = alpha[:, None] * o + p @ vb
        m = m_new
    return o / denom[:, None]


def logit_softcap(x, cap=30.0):
    # Gemma 2's soft-capping of attention logits and final logits
    return cap * np.tanh(x / cap)


def qk_norm_attention(q, k, v, gq, gk, eps=1e-6):
    # QK-norm: RMSNorm of queries and keys per head before the dot product
    def rms(x, g):
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * g

    q, k = rms(q, gq), rms(k, gk)
    s = logit_softcap(q @ k.swapaxes(-1, -2) / np.sqrt(q.shape[-1]), 50.0)
    s = np.exp(s - s.max(-1, keepdims=True))
    return (s / s.sum(-1, keepdims=True)) @ v


def embed_tokens_tied(tokens, wte, wpe, ln_g, ln_b):
    # token and position embeddings, a final layer norm, logits by the tied embedding
    x = wte[tokens] + wpe[np.arange(tokens.shape[-1])]
    mu = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    x = ln_g * (x - mu) / np.sqrt(var + 1e-5) + ln_b
    return x @ wte.T


def lm_loss_ignore_index(logits, targets, ignore_index=-100, label_smoothing=0.1):
    # cross-entropy over shifted targets with ignore_index and label smoothing
    logits = logits[:, :-1]
    targets = targets[:, 1:]
    m = logits.max(-1, keepdims=True)
    logp = logits - m - np.log(np.exp(logits - m).sum(-1, keepdims=True))
    valid = targets != ignore_index
    safe = np.where(valid, targets, 0)
    nll = -np.take_along_axis(logp, safe[..., None], axis=-1)[..., 0]
    smooth = -logp.mean(-1)
    loss = (1 - label_smoothing) * nll + label_smoothing * smooth
    return (loss * valid).sum() / valid.sum(), np.exp((nll * valid).sum() / valid.sum())


def moe_top2_router(x, w_gate, experts_w, k=2):
    # a top-2 mixture of experts: gates over the chosen experts, outputs combined per token
    logits = x @ w_gate
    topk_idx = np.argsort(-logits, axis=-1)[:, :k]
    topk_logits = np.take_along_axis(logits, topk_idx, axis=-1)
    gates = np.exp(topk_logits - topk_logits.max(-1, keepdims=True))
    gates /= gates.sum(-1, keepdims=True)
    out = np.zeros_like(x)
    for e in range(w_gate.shape[1]):
        weight = (gates * (topk_idx == e)).sum(-1)
        out += weight[:, None] * np.tanh(x @ experts_w[e])
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    frac = np.bincount(topk_idx[:, 0], minlength=w_gate.shape[1]) / x.shape[0]
    aux = w_gate.shape[1] * np.sum(frac * probs.mean(0))
    return out, aux


def mamba_selective_scan(u, delta, A, B, C, D):
    # Mamba's S6 recurrence written as the reference loop: discretise, scan, read out
    L, d_in = u.shape
    n = A.shape[1]
    deltaA = np.exp(np.einsum("ld,dn->ldn", delta, A))
    deltaB_u = np.einsum("ld,ln,ld->ldn", delta, B, u)
    x = np.zeros((d_in, n))
    ys = []
    for i in range(L):
        x = deltaA[i] * x + deltaB_u[i]
        ys.append(np.einsum("dn,n->d", x, C[i]))
    y = np.stack(ys, axis=0)
    return y + u * D


def _qkv(seed, *shape):
    return tuple(_f(*shape, seed=seed + i) for i in range(3))


TRANSFORMER = {
    "rmsnorm_llama2c_vector": (rmsnorm, {}, lambda s, n: (
        _f(4 * n, seed=s), _pos(s, 4 * n))),
    "rmsnorm_float16_input": (rmsnorm_batched_f32, {}, lambda s, n: (
        _f(2, n, 8, seed=s).astype(np.float16), _pos(s, 8).astype(np.float16))),
    "swiglu_ffn": (swiglu_ffn, {}, lambda s, n: (
        _f(n, 6, seed=s), _f(10, 6, seed=s + 1), _f(6, 10, seed=s + 2), _f(10, 6, seed=s + 3))),
    "geglu_scipy_erf": (geglu_ffn_erf, {}, lambda s, n: (
        _f(n, 6, seed=s), _f(6, 12, seed=s + 1), _f(6, 6, seed=s + 2))),
    "rope_pairs_moveaxis": (rope_from_seq_len, {}, lambda s, n: (
        _f(2, n, 3, 8, seed=s).astype(np.float32), _f(2, n, 1, 8, seed=s + 1).astype(np.float32))),
    "rope_llama2c_loop_in_place": (rope_llama2c_loop, {"head_size": 4}, lambda s, n: (
        _f(8, seed=s), _f(4, seed=s + 1), 3 + s)),
    "rope_hf_rotate_half": (rope_hf_rotate_half, {}, lambda s, n: (
        _f(2, 3, n, 8, seed=s).astype(np.float32), _f(2, 3, n, 8, seed=s + 1).astype(np.float32),
        np.tile(np.arange(n), (2, 1)) + s)),
    "rope_view_as_complex64": _Xfail(
        "x.reshape(..., -1, 2).view(np.complex64) of a traced float32 array raises "
        "UnsupportedFunctionError (a reinterpretation as another item size); NumPy views the "
        "pairs as complex64", rope_view_as_complex, {}, lambda s, n: (
            _f(2, n, 3, 8, seed=s).astype(np.float32),
            np.outer(np.arange(n), 1 / 10000 ** (np.arange(0, 8, 2) / 8)))),
    "rope_complex_from_pairs": (rope_complex_polar, {}, lambda s, n: (
        _f(2, n, 3, 8, seed=s).astype(np.float32),
        np.outer(np.arange(n), 1 / 10000 ** (np.arange(0, 8, 2) / 8)))),
    "alibi_slopes_non_power_of_2": (alibi_attention, {}, lambda s, n: (
        *_qkv(s, 6, n, 4),)),
    "alibi_slopes_power_of_2": (alibi_attention, {"n_heads": 4}, lambda s, n: (
        *_qkv(s, 4, n, 4),)),
    "gqa_grouped_einsum": (grouped_query_attention, {}, lambda s, n: (
        _f(n, 8, seed=s), _f(8, 8, seed=s + 1), _f(8, 4, seed=s + 2), _f(8, 4, seed=s + 3),
        _f(8, 8, seed=s + 4))),
    "mqa_finfo_min_mask": (multi_query_attention, {}, lambda s, n: (
        _f(2, n, 8, seed=s), _f(8, 8, seed=s + 1), _f(8, 2, seed=s + 2), _f(8, 2, seed=s + 3))),
    "llama_block_repeat_kv": (llama_block_from_seq, {}, lambda s, n: (
        _f(2, n, 8, seed=s).astype(np.float32), {
            k: v.astype(np.float32) for k, v in _llama_params(s, 8, 4, 2, 12).items()})),
    "llama2c_prefill_kv_cache": (llama2c_prefill, {"n_steps": 3}, lambda s, n: (
        _i(10, 5, seed=s), _f(10, 4, seed=s), np.zeros((n, 2)), np.zeros((n, 2)),
        _llama2c_weights(s, 4, 2, 6), _f(10, 4, seed=s + 5))),
    "kv_cache_concat_dict": (kv_cache_append_concat, {"max_len": 5}, lambda s, n: (
        {"k": _f(2, n, 3, seed=s), "v": _f(2, n, 3, seed=s + 1)}, _f(2, 1, 3, seed=s + 2),
        _f(2, 1, 3, seed=s + 3))),
    "sliding_window_attention_f32_mask": (sliding_window_attention, {}, lambda s, n: (
        *_qkv(s, 2, n, 4),)),
    "padding_mask_lengths": (padding_mask_attention, {}, lambda s, n: (
        *_qkv(s, 3, n, 4), np.array([n, n - 1, 1]))),
    "online_softmax_blocks": (online_softmax_attention, {"block": 3}, lambda s, n: (
        *_qkv(s, n + 1, 4),)),
    "qk_norm_softcap": (qk_norm_attention, {}, lambda s, n: (
        *_qkv(s, 2, n, 4), _pos(s, 4), _pos(s + 1, 4))),
    "embedding_tied_logits": (embed_tokens_tied, {}, lambda s, n: (
        _i(12, 2, n, seed=s), _f(12, 6, seed=s), _f(8, 6, seed=s + 1), _pos(s, 6),
        _f(6, seed=s + 2))),
    "lm_loss_ignore_index_smoothing": (lm_loss_ignore_index, {}, lambda s, n: (
        _f(2, n, 7, seed=s), np.where(_u(s, 2, n) < 0.25, -100, _i(7, 2, n, seed=s)))),
    "moe_top2_aux_loss": (moe_top2_router, {}, lambda s, n: (
        _f(n, 4, seed=s), _logits(s, 4, 3), _f(3, 4, 4, seed=s + 1))),
    "mamba_selective_scan_loop": (mamba_selective_scan, {}, lambda s, n: (
        _f(n, 3, seed=s), _pos(s, n, 3, lo=0.01, hi=0.2), -_pos(s + 1, 3, 4),
        _f(n, 4, seed=s + 2), _f(n, 4, seed=s + 3), _f(3, seed=s + 4))),
}


@pytest.mark.parametrize("name", _names(TRANSFORMER))
def test_transformer_blocks_match_numpy(name):
    """RMSNorm variants, SwiGLU/GeGLU, RoPE (pairs, run.c's loop, rotate_half, complex),
    ALiBi, GQA/MQA, llama blocks and llama2.c's per-token forward with KV caches, sliding
    windows, padding masks, online softmax, MoE routing and Mamba's scan: NumPy's values."""
    check_like_numpy(*TRANSFORMER[name])


# ================================================================================ sampling


def softmax_temperature(logits, temperature=1.0):
    logits = logits / temperature
    logits = logits - np.max(logits, axis=-1, keepdims=True)
    probs = np.exp(logits)
    return probs / np.sum(probs, axis=-1, keepdims=True)


def top_k_logits_argpartition(logits, k=3):
    # keep the k largest per row by argpartition, everything else -inf
    idx = np.argpartition(logits, -k, axis=-1)[..., -k:]
    out = np.full_like(logits, -np.inf)
    np.put_along_axis(out, idx, np.take_along_axis(logits, idx, axis=-1), axis=-1)
    return out


def top_k_threshold_sort(logits, k=3):
    # minGPT's top_k_logits: the k-th largest value as a threshold
    v = np.sort(logits, axis=-1)[..., ::-1][..., :k]
    return np.where(logits < v[..., [-1]], -np.inf, logits)


def top_p_filter(logits, top_p=0.9, min_tokens_to_keep=1):
    # transformers' TopPLogitsWarper: ascending sort, cumulative probabilities, scatter back
    sorted_indices = np.argsort(logits, axis=-1)
    sorted_logits = np.take_along_axis(logits, sorted_indices, axis=-1)
    cumulative_probs = np.cumsum(softmax_temperature(sorted_logits), axis=-1)
    sorted_indices_to_remove = cumulative_probs <= (1 - top_p)
    sorted_indices_to_remove[..., -min_tokens_to_keep:] = False
    indices_to_remove = np.zeros_like(sorted_indices_to_remove)
    np.put_along_axis(indices_to_remove, sorted_indices, sorted_indices_to_remove, axis=-1)
    return np.where(indices_to_remove, -np.inf, logits)


def top_p_descending_shift(probs, p=0.8):
    # the common descending form: shift the mask right so the token crossing p is kept
    sorted_idx = np.argsort(-probs, axis=-1)
    sorted_probs = np.take_along_axis(probs, sorted_idx, axis=-1)
    cum = np.cumsum(sorted_probs, axis=-1)
    remove = cum > p
    remove[..., 1:] = remove[..., :-1].copy()
    remove[..., 0] = False
    sorted_probs[remove] = 0.0
    out = np.zeros_like(probs)
    rows = np.arange(probs.shape[0])[:, None]
    out[rows, sorted_idx] = sorted_probs
    return out / out.sum(-1, keepdims=True)


def sample_from_probs(probs, u):
    # inverse-CDF sampling with given uniforms, one per row, as llama2.c's sample_mult
    cdf = np.cumsum(probs, axis=-1)
    idx = (u[:, None] > cdf).sum(axis=-1)
    return np.minimum(idx, probs.shape[-1] - 1)


def llama2c_sample_topp(probabilities, topp, coin):
    # run.c's sample_topp for one distribution: cutoff, sort, truncate at topp, sample
    n = probabilities.shape[0]
    cutoff = (1.0 - topp) / (n - 1)
    cand = np.where(probabilities >= cutoff, probabilities, 0.0)
    order = np.argsort(-cand, kind="stable")
    sorted_p = cand[order]
    cumulative = np.cumsum(sorted_p)
    last_idx = np.argmax(cumulative > topp)
    last_idx = np.where(np.any(cumulative > topp), last_idx, n - 1)
    keep = np.arange(n) <= last_idx
    cumulative_prob = np.sum(np.where(keep, sorted_p, 0.0))
    r = coin * cumulative_prob
    cdf = np.cumsum(np.where(keep, sorted_p, 0.0))
    j = np.argmax(r < cdf)
    return order[j]


def repetition_penalty(logits, prev_tokens, penalty=1.3):
    # CTRL's penalty on the tokens already generated, gathered and scattered per row
    score = np.take_along_axis(logits, prev_tokens, axis=1)
    score = np.where(score < 0, score * penalty, score / penalty)
    out = logits.copy()
    np.put_along_axis(out, prev_tokens, score, axis=1)
    return out


def no_repeat_bigram_ban(logits, tokens):
    # ban any token that would repeat a bigram already in the sequence
    last = tokens[-1]
    prev, nxt = tokens[:-1], tokens[1:]
    banned = np.zeros(logits.shape[-1], dtype=bool)
    banned[nxt] = banned[nxt] | (prev == last)
    hit = np.zeros(logits.shape[-1], dtype=bool)
    np.logical_or.at(hit, nxt, prev == last)
    return np.where(hit, -np.inf, logits), banned.sum()


def generate_greedy_batch(tokens, emb, W, eos_id=0, max_new_tokens=4):
    # a batched greedy loop on a toy bigram model, finished rows padded with eos
    finished = np.zeros(tokens.shape[0], dtype=bool)
    for _ in range(max_new_tokens):
        h = emb[tokens[:, -1]]
        logits = h @ W
        nxt = np.argmax(logits, axis=-1)
        nxt = np.where(finished, eos_id, nxt)
        finished |= nxt == eos_id
        tokens = np.concatenate([tokens, nxt[:, None]], axis=1)
    return tokens, finished


def generate_sample_given_uniforms(tok0, emb, W, uniforms, temperature=0.8):
    # temperature sampling with a uniform per step, the tokens kept in a Python list
    out = [tok0]
    tok = tok0
    for u in uniforms:
        p = softmax_temperature(emb[tok] @ W, temperature)
        tok = np.searchsorted(np.cumsum(p), u)
        tok = min(tok, W.shape[1] - 1)
        out.append(tok)
    return np.array(out)


def sample_with_generator(logits, rng, temperature=1.0, top_k=3):
    # top-k sampling with rng.choice per row
    probs = softmax_temperature(top_k_threshold_sort(logits, top_k), temperature)
    return np.array([rng.choice(logits.shape[-1], p=p) for p in probs])


def beam_search_step(beam_scores, logprobs, num_beams=3):
    # one step: add, flatten, take the best 2*num_beams, beam and token by divmod
    vocab = logprobs.shape[-1]
    scores = beam_scores[:, None] + logprobs
    flat = scores.reshape(-1)
    top = np.argsort(-flat)[: 2 * num_beams]
    beam_idx, token_idx = np.divmod(top, vocab)
    return flat[top], beam_idx, token_idx


def beam_search(logp_table, start, num_beams=2, steps=3, length_penalty=1.0):
    # a full beam search over a bigram log-probability table
    seqs = np.full((num_beams, 1), start)
    scores = np.array([0.0] + [-np.inf] * (num_beams - 1))
    for t in range(steps):
        cand = scores[:, None] + logp_table[seqs[:, -1]]
        flat = cand.ravel()
        best = np.argsort(flat)[::-1][:num_beams]
        b, tok = best // logp_table.shape[1], best % logp_table.shape[1]
        seqs = np.concatenate([seqs[b], tok[:, None]], axis=1)
        scores = flat[best]
    return seqs, scores / ((5 + steps + 1) / 6) ** length_penalty


def speculative_accept(p_target, q_draft, draft_tokens, u):
    # Leviathan et al.: accept while u < p/q, the residual distribution at the first reject
    idx = np.arange(len(draft_tokens))
    p = p_target[idx, draft_tokens]
    q = q_draft[idx, draft_tokens]
    accept = u < np.minimum(1.0, p / q)
    n_accepted = np.cumprod(accept).sum()
    j = np.minimum(n_accepted, len(draft_tokens) - 1)
    residual = np.maximum(p_target[j] - q_draft[j], 0)
    residual = residual / residual.sum()
    return n_accepted, residual


def perplexity_and_entropy(logits, targets):
    logp = logits - scipy.special.logsumexp(logits, axis=-1, keepdims=True)
    nll = -logp[np.arange(len(targets)), targets]
    p = np.exp(logp)
    entropy = -(p * logp).sum(-1)
    return np.exp(nll.mean()), entropy.mean(), scipy.special.softmax(logits, axis=-1).max(-1)


def eta_sampling_filter(logits, epsilon=3e-4):
    # Hewitt et al.'s eta sampling: threshold min(eps, sqrt(eps) * exp(-H))
    probs = scipy.special.softmax(logits, axis=-1)
    entropy = -(probs * np.log(probs)).sum(-1, keepdims=True)
    eta = np.minimum(epsilon, np.sqrt(epsilon) * np.exp(-entropy))
    remove = probs < eta
    keep_top = probs == probs.max(-1, keepdims=True)
    return np.where(remove & ~keep_top, -np.inf, logits)


SAMPLING = {
    "top_k_argpartition_put_along": (top_k_logits_argpartition, {"k": 3}, lambda s, n: (
        _logits(s, n, 8),)),
    "top_k_sort_reverse_threshold": (top_k_threshold_sort, {}, lambda s, n: (
        _logits(s, 2, n, 8),)),
    "top_p_ascending_scatter_back": (top_p_filter, {}, lambda s, n: (
        _logits(s, n, 8, scale=2), 0.8)),
    "top_p_min_tokens_to_keep": (top_p_filter, {"min_tokens_to_keep": 3}, lambda s, n: (
        _logits(s, n, 8, scale=3), 0.5)),
    "top_p_descending_shift_mask": (top_p_descending_shift, {}, lambda s, n: (
        _probs(s, n, 8), 0.7)),
    "sample_from_probs_cdf": (sample_from_probs, {}, lambda s, n: (
        _probs(s, n, 6), np.linspace(0.05, 0.95, n) + 0.013 * s)),
    "llama2c_sample_topp": (llama2c_sample_topp, {}, lambda s, n: (
        _probs(s, 4 * n), 0.9, 0.1 + 0.2 * s)),
    "repetition_penalty_gather_scatter": (repetition_penalty, {}, lambda s, n: (
        _logits(s, 2, n + 4, scale=2), np.stack([np.random.default_rng(s + i).permutation(
            n + 4)[:3] for i in range(2)]))),
    "no_repeat_bigram_logical_or_at": (no_repeat_bigram_ban, {}, lambda s, n: (
        _f(6, seed=s), _i(6, 3 * n, seed=s))),
    "greedy_batch_finished_mask": (generate_greedy_batch, {"max_new_tokens": 4}, lambda s, n: (
        _i(6, n, 2, seed=s), _f(6, 3, seed=s), _logits(s + 1, 3, 6))),
    "sampling_loop_given_uniforms": (generate_sample_given_uniforms, {}, lambda s, n: (
        2, _f(6, 3, seed=s), _f(3, 6, seed=s + 1), list(np.linspace(0.1, 0.9, 4) + 0.01 * s))),
    "top_k_rng_choice_rows": (sample_with_generator, {}, lambda s, n: (
        _logits(s, n, 6), np.random.default_rng(s))),
    "beam_search_step_divmod": (beam_search_step, {}, lambda s, n: (
        np.log(_probs(s, 3)), np.log(_probs(s + 1, 3, n + 3)))),
    "beam_search_bigram_table": (beam_search, {"steps": 3}, lambda s, n: (
        np.log(_probs(s, n + 2, n + 2)), 1)),
    "speculative_acceptance": (speculative_accept, {}, lambda s, n: (
        _probs(s, n, 6), _probs(s + 1, n, 6), _i(6, n, seed=s), _u(s, n))),
    "perplexity_scipy_softmax": (perplexity_and_entropy, {}, lambda s, n: (
        _f(n, 6, seed=s), _i(6, n, seed=s))),
    "eta_sampling": (eta_sampling_filter, {}, lambda s, n: (
        _logits(s, n, 10, scale=4), 0.02)),
}


@pytest.mark.parametrize("name", _names(SAMPLING))
def test_sampling_matches_numpy(name):
    """Top-k, top-p (ascending and descending) and eta filters, inverse-CDF draws, llama2.c's
    sample_topp, repetition penalties and bigram bans, greedy and sampling loops, beam search,
    speculative acceptance and perplexities: NumPy's values."""
    check_like_numpy(*SAMPLING[name])


# ============================================================================ quantisation


def quantize_absmax_int8(w):
    # symmetric per-tensor int8
    scale = np.abs(w).max() / 127.0
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale, q.astype(np.float32) * scale


def quantize_per_channel(w, axis=0, bits=8):
    # per-output-channel scales with keepdims, the dequantised error in dB
    qmax = 2 ** (bits - 1) - 1
    red = tuple(i for i in range(w.ndim) if i != axis)
    scale = np.max(np.abs(w), axis=red, keepdims=True) / qmax
    scale = np.where(scale == 0, 1.0, scale)
    q = np.clip(np.rint(w / scale), -qmax - 1, qmax).astype(np.int8)
    deq = q * scale
    snr = 10 * np.log10(np.sum(w ** 2) / np.sum((w - deq) ** 2))
    return q, scale.squeeze(), snr


def quantize_asymmetric_uint8(x):
    # affine (zero-point) quantisation, as TFLite and PyTorch's quint8 define it
    qmin, qmax = 0, 255
    x_min = min(x.min(), 0.0)
    x_max = max(x.max(), 0.0)
    scale = (x_max - x_min) / (qmax - qmin)
    zero_point = qmin - np.round(x_min / scale)
    zero_point = np.clip(zero_point, qmin, qmax)
    q = np.clip(np.round(x / scale + zero_point), qmin, qmax).astype(np.uint8)
    return q, scale, zero_point, (q.astype(np.float32) - zero_point) * scale


def q8_0_quantize(x, GS=4):
    # llama2.c's runq.c quantize: groups of GS, scale = max|x| / 127, int8 values
    x = x.reshape(-1, GS)
    wmax = np.abs(x).max(axis=1)
    scale = wmax / 127.0
    quant = x / scale[:, None]
    q = np.round(quant).astype(np.int8)
    deq = q.astype(np.float32) * scale[:, None]
    maxerr = np.abs(deq - x).max()
    return q.reshape(-1), scale.astype(np.float32), maxerr


def q8_0_matmul(xq, xs, wq, ws, GS=4):
    # runq.c's matmul: int32 dot products per group, scaled by both groups' scales
    n = xq.shape[0]
    d = wq.shape[0]
    out = np.zeros(d, dtype=np.float32)
    for i in range(d):
        val = np.float32(0.0)
        for j in range(0, n, GS):
            ival = np.sum(xq[j:j + GS].astype(np.int32) * wq[i, j:j + GS].astype(np.int32))
            val += ival * ws[i, j // GS] * xs[j // GS]
        out[i] = val
    return out


def q8_0_matmul_vectorised(xq, xs, wq, ws, GS=4):
    d, n = wq.shape
    prod = (wq.astype(np.int32) * xq.astype(np.int32)).reshape(d, n // GS, GS).sum(-1)
    return (prod * ws * xs[None, :]).sum(-1).astype(np.float32)


def pack_int4(q):
    # two signed 4-bit values per byte, low nibble first
    u = (q + 8).astype(np.uint8)
    return u[..., 0::2] | (u[..., 1::2] << 4)


def unpack_int4(packed):
    lo = (packed & 0x0F).astype(np.int8) - 8
    hi = (packed >> 4).astype(np.int8) - 8
    return np.stack([lo, hi], axis=-1).reshape(*packed.shape[:-1], -1)


def int4_group_roundtrip(w, group_size=8):
    # 4-bit groupwise (GPTQ/AWQ-style) quantisation with a zero point, packed and unpacked
    rows, cols = w.shape
    g = w.reshape(rows, cols // group_size, group_size)
    wmin = g.min(axis=-1, keepdims=True)
    wmax = g.max(axis=-1, keepdims=True)
    scales = (wmax - wmin) / 15
    zeros = np.round(-wmin / scales)
    q = np.clip(np.round(g / scales) + zeros, 0, 15).astype(np.uint8).reshape(rows, cols)
    packed = (q[:, ::2] | (q[:, 1::2] << 4)).astype(np.uint8)
    lo = packed & 0xF
    hi = packed >> 4
    q2 = np.empty((rows, cols), dtype=np.uint8)
    q2[:, ::2] = lo
    q2[:, 1::2] = hi
    deq = (q2.reshape(rows, cols // group_size, group_size).astype(np.float32) - zeros) * scales
    return packed, deq.reshape(rows, cols)


def int4_signed_roundtrip(w):
    qmax = 7
    scale = np.abs(w).max(axis=-1, keepdims=True) / qmax
    q = np.clip(np.round(w / scale), -8, 7).astype(np.int8)
    packed = pack_int4(q)
    return packed, unpack_int4(packed).astype(np.float32) * scale


NF4_TABLE = np.array([-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
                      -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
                      0.07958029955625534, 0.16093020141124725, 0.24611230194568634,
                      0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
                      0.7229568362236023, 1.0], dtype=np.float32)


def nf4_quantize(w, blocksize=8):
    # QLoRA's NormalFloat4: absmax per block, nearest code by argmin of distances
    blocks = w.reshape(-1, blocksize)
    absmax = np.abs(blocks).max(axis=1, keepdims=True)
    normed = blocks / absmax
    codes = np.argmin(np.abs(normed[..., None] - NF4_TABLE), axis=-1).astype(np.uint8)
    deq = NF4_TABLE[codes] * absmax
    return codes, absmax.ravel(), deq.reshape(w.shape)


def nf4_quantize_searchsorted(w, blocksize=8):
    # the same by midpoints and searchsorted, as fast implementations write it
    mids = (NF4_TABLE[1:] + NF4_TABLE[:-1]) / 2
    blocks = w.reshape(-1, blocksize)
    absmax = np.abs(blocks).max(axis=1, keepdims=True)
    codes = np.searchsorted(mids, (blocks / absmax).ravel()).reshape(blocks.shape)
    return codes, (NF4_TABLE[codes] * absmax).reshape(w.shape)


def llm_int8_decomposition(x, w, threshold=3.0):
    # LLM.int8(): outlier feature columns in float, the rest by row/column-wise int8
    outlier_cols = np.abs(x).max(axis=0) > threshold
    x_out = np.where(outlier_cols[None, :], x, 0.0)
    x_reg = np.where(outlier_cols[None, :], 0.0, x)
    sx = np.abs(x_reg).max(axis=1, keepdims=True) / 127
    sx = np.where(sx == 0, 1.0, sx)
    sw = np.abs(w).max(axis=0, keepdims=True) / 127
    xq = np.round(x_reg / sx).astype(np.int8)
    wq = np.round(w / sw).astype(np.int8)
    acc = xq.astype(np.int32) @ wq.astype(np.int32)
    return acc * (sx * sw) + x_out @ w, outlier_cols.sum()


def bf16_truncate(x):
    # bfloat16 emulation: round-to-nearest-even on the upper 16 bits of a float32
    bits = x.astype(np.float32).view(np.uint32)
    rounding_bias = ((bits >> 16) & 1) + np.uint32(0x7FFF)
    bits = (bits + rounding_bias) & np.uint32(0xFFFF0000)
    return bits.view(np.float32)


def fp8_e4m3_emulate(x):
    # FP8 E4M3 by frexp: 3 mantissa bits, saturate at 448, subnormals below 2^-6
    x = np.clip(x, -448.0, 448.0)
    m, e = np.frexp(x)
    e = np.maximum(e, -5)
    step = np.ldexp(1.0, e - 4)
    return np.round(x / step) * step


def kv_cache_int8_per_head(k):
    # an int8 KV cache: per-(token, head) scales over the head dim
    scale = np.abs(k).max(axis=-1, keepdims=True) / 127.0
    q = np.round(k / scale).astype(np.int8)
    return q, scale.astype(np.float16), q.astype(np.float32) * scale.astype(np.float16)


def kmeans_weight_sharing(w, centroids, iters=4):
    # Deep Compression's weight sharing: a fixed number of Lloyd iterations on 1-D weights
    flat = w.ravel()
    for _ in range(iters):
        labels = np.argmin(np.abs(flat[:, None] - centroids[None, :]), axis=1)
        sums = np.bincount(labels, weights=flat, minlength=len(centroids))
        counts = np.bincount(labels, minlength=len(centroids))
        centroids = np.where(counts > 0, sums / np.maximum(counts, 1), centroids)
    return centroids[labels].reshape(w.shape), labels.astype(np.uint8)


def gptq_column_loop(W, H, blocksize=2, percdamp=0.01):
    # GPTQ's core: Cholesky of the damped inverse Hessian, columns quantised in order and the
    # error spread to the remaining columns
    W = W.copy()
    cols = W.shape[1]
    damp = percdamp * np.mean(np.diag(H))
    H = H + damp * np.eye(cols)
    Hinv = np.linalg.cholesky(np.linalg.inv(H)).T
    scale = np.abs(W).max(axis=1) / 7
    Q = np.zeros_like(W)
    for i1 in range(0, cols, blocksize):
        i2 = min(i1 + blocksize, cols)
        W1 = W[:, i1:i2].copy()
        Err1 = np.zeros_like(W1)
        Hinv1 = Hinv[i1:i2, i1:i2]
        for i in range(i2 - i1):
            w = W1[:, i]
            d = Hinv1[i, i]
            q = np.clip(np.round(w / scale), -8, 7) * scale
            Q[:, i1 + i] = q
            err = (w - q) / d
            W1[:, i:] -= np.outer(err, Hinv1[i, i:])
            Err1[:, i] = err
        W[:, i2:] -= Err1 @ Hinv[i1:i2, i2:]
    return Q


def quantized_linear_int8(x, w_q, w_scale, bias, act_scale):
    # a static int8 linear layer: activations quantised with a calibrated scale
    x_q = np.clip(np.round(x / act_scale), -128, 127).astype(np.int8)
    acc = np.matmul(x_q.astype(np.int32), w_q.T.astype(np.int32))
    return acc.astype(np.float32) * (act_scale * w_scale) + bias


QUANT = {
    "absmax_int8_per_tensor": (quantize_absmax_int8, {}, lambda s, n: (
        _f(n, 6, seed=s).astype(np.float32),)),
    "per_channel_snr_db": (quantize_per_channel, {}, lambda s, n: (_f(n, 3, 4, seed=s),)),
    "per_channel_axis1_4bit": (quantize_per_channel, {"axis": 1, "bits": 4}, lambda s, n: (
        _f(3, n, seed=s).astype(np.float32),)),
    "asymmetric_uint8_zero_point": (quantize_asymmetric_uint8, {}, lambda s, n: (
        0.3 + _f(n, 5, seed=s),)),
    "q8_0_groups": (q8_0_quantize, {}, lambda s, n: (_f(n, 8, seed=s).astype(np.float32),)),
    "q8_0_matmul_loops": (q8_0_matmul, {}, lambda s, n: (
        *q8_0_quantize(_f(4 * n, seed=s).astype(np.float32))[:2],
        np.random.default_rng(s).integers(-127, 128, (3, 4 * n)).astype(np.int8),
        _pos(s, 3, n).astype(np.float32))),
    "q8_0_matmul_vectorised": (q8_0_matmul_vectorised, {}, lambda s, n: (
        *q8_0_quantize(_f(4 * n, seed=s).astype(np.float32))[:2],
        np.random.default_rng(s).integers(-127, 128, (3, 4 * n)).astype(np.int8),
        _pos(s, 3, n).astype(np.float32))),
    "int4_group_zero_point_pack": (int4_group_roundtrip, {}, lambda s, n: (
        _f(n, 16, seed=s).astype(np.float32),)),
    "int4_signed_pack_unpack": (int4_signed_roundtrip, {}, lambda s, n: (
        _f(n, 8, seed=s).astype(np.float32),)),
    "nf4_argmin_table": (nf4_quantize, {}, lambda s, n: (
        _f(n, 8, seed=s).astype(np.float32),)),
    "nf4_searchsorted_midpoints": (nf4_quantize_searchsorted, {}, lambda s, n: (
        _f(n, 8, seed=s).astype(np.float32),)),
    "llm_int8_outlier_columns": (llm_int8_decomposition, {}, lambda s, n: (
        _f(n, 6, seed=s) * np.array([1, 1, 8, 1, 1, 1]), _f(6, 3, seed=s + 1))),
    "bf16_bit_rounding_view": (bf16_truncate, {}, lambda s, n: (
        _f(n, 4, seed=s).astype(np.float32),)),
    "fp8_e4m3_frexp_ldexp": (fp8_e4m3_emulate, {}, lambda s, n: (
        np.r_[_f(n, seed=s) * 50, 600.0, -1e-3, 0.3].astype(np.float32),)),
    "kv_cache_int8_float16_scales": (kv_cache_int8_per_head, {}, lambda s, n: (
        _f(n, 2, 4, seed=s).astype(np.float32),)),
    "kmeans_weight_sharing_bincount": (kmeans_weight_sharing, {}, lambda s, n: (
        _f(n, 4, seed=s), np.linspace(-1.5, 1.5, 4))),
    "gptq_column_loop": (gptq_column_loop, {}, lambda s, n: (
        _f(3, n, seed=s), (lambda X: X.T @ X)(_f(3 * n, n, seed=s + 1)))),
    "int8_linear_static_scale": (quantized_linear_int8, {}, lambda s, n: (
        _f(n, 6, seed=s).astype(np.float32),
        np.random.default_rng(s).integers(-127, 128, (4, 6)).astype(np.int8),
        _pos(s, 4).astype(np.float32) * 0.01, _f(4, seed=s).astype(np.float32),
        np.float32(0.02))),
}


@pytest.mark.parametrize("name", _names(QUANT))
def test_quantisation_matches_numpy(name):
    """Absmax, per-channel, zero-point and Q8_0 quantisation, int8 and int4 matmuls and
    packing, NF4 by argmin and searchsorted, LLM.int8 outliers, bf16 and fp8 emulation, int8 KV
    caches, weight sharing, GPTQ's column loop and static int8 linears: NumPy's values."""
    check_like_numpy(*QUANT[name])


# ================================================================ score models and decoders


def log_sum_exp_pcnn(x):
    axis = len(x.shape) - 1
    m = np.max(x, axis=axis)
    m2 = np.max(x, axis=axis, keepdims=True)
    return m + np.log(np.sum(np.exp(x - m2), axis=axis))


def log_prob_from_logits(x):
    axis = len(x.shape) - 1
    m = np.max(x, axis=axis, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


def discretized_mix_logistic_loss_1d(x, l):  # noqa: E741
    # PixelCNN++'s loss for greyscale images, its nested float conditions as written
    nr_mix = l.shape[-1] // 3
    logit_probs = l[..., :nr_mix]
    means = l[..., nr_mix:2 * nr_mix]
    log_scales = np.maximum(l[..., 2 * nr_mix:3 * nr_mix], -7.)
    x = x[..., None] + np.zeros(nr_mix)
    centered_x = x - means
    inv_stdv = np.exp(-log_scales)
    plus_in = inv_stdv * (centered_x + 1. / 255.)
    cdf_plus = 1 / (1 + np.exp(-plus_in))
    min_in = inv_stdv * (centered_x - 1. / 255.)
    cdf_min = 1 / (1 + np.exp(-min_in))
    log_cdf_plus = plus_in - np.logaddexp(0, plus_in)
    log_one_minus_cdf_min = -np.logaddexp(0, min_in)
    cdf_delta = cdf_plus - cdf_min
    mid_in = inv_stdv * centered_x
    log_pdf_mid = mid_in - log_scales - 2. * np.logaddexp(0, mid_in)
    inner_inner_cond = (cdf_delta > 1e-5).astype(np.float64)
    inner_inner_out = (inner_inner_cond * np.log(np.maximum(cdf_delta, 1e-12))
                       + (1. - inner_inner_cond) * (log_pdf_mid - np.log(127.5)))
    inner_cond = (x > 0.999).astype(np.float64)
    inner_out = inner_cond * log_one_minus_cdf_min + (1. - inner_cond) * inner_inner_out
    cond = (x < -0.999).astype(np.float64)
    log_probs = cond * log_cdf_plus + (1. - cond) * inner_out
    log_probs = log_probs + log_prob_from_logits(logit_probs)
    return -np.sum(log_sum_exp_pcnn(log_probs))


def flow_matching_loss(x0, x1, t, W, sigma_min=1e-4):
    # Lipman et al.'s OT conditional flow matching with a toy velocity network
    xt = (1 - (1 - sigma_min) * t[:, None]) * x0 + t[:, None] * x1
    ut = x1 - (1 - sigma_min) * x0
    vt = np.tanh(np.concatenate([xt, t[:, None]], 1) @ W)
    return np.mean((vt - ut) ** 2)


def rectified_flow_euler(x, W, steps=5):
    dt = 1.0 / steps
    traj = [x]
    for i in range(steps):
        t = np.full((x.shape[0], 1), i * dt)
        v = np.tanh(np.hstack([x, t]) @ W)
        x = x + dt * v
        traj.append(x)
    return np.stack(traj)


def dsm_loss_ncsn(x, noise, sigmas, labels, W):
    # NCSN's anneal_dsm_score_estimation with a toy score network
    used_sigmas = sigmas[labels].reshape(x.shape[0], *([1] * len(x.shape[1:])))
    perturbed = x + noise * used_sigmas
    target = -1 / (used_sigmas ** 2) * (perturbed - x)
    scores = np.tanh(perturbed @ W) / used_sigmas
    loss = 0.5 * ((scores - target) ** 2).sum(axis=-1) * used_sigmas.squeeze() ** 2
    return loss.mean()


def dirichlet_kl(alpha, beta):
    # a Dirichlet VAE's KL by gammaln and digamma
    a0 = alpha.sum(-1)
    b0 = beta.sum(-1)
    return (scipy.special.gammaln(a0) - scipy.special.gammaln(alpha).sum(-1)
            - scipy.special.gammaln(b0) + scipy.special.gammaln(beta).sum(-1)
            + ((alpha - beta) * (scipy.special.digamma(alpha)
                                 - scipy.special.digamma(a0)[..., None])).sum(-1))


def full_cov_posterior(params, eps, d=3):
    # a full-covariance Gaussian posterior: a Cholesky factor from a vector by tril_indices,
    # its diagonal made positive in place
    L = np.zeros((params.shape[0], d, d))
    rows, cols = np.tril_indices(d)
    L[:, rows, cols] = params
    di = np.arange(d)
    L[:, di, di] = np.exp(L[:, di, di])
    z = np.einsum("bij,bj->bi", L, eps)
    logdet = np.log(np.diagonal(L, axis1=1, axis2=2)).sum(-1)
    return z, logdet


def consistency_skip_scalings(x, sigma, W, sigma_data=0.5, sigma_min=0.002):
    # consistency models' boundary-respecting skip and output scalings
    c_skip = sigma_data ** 2 / ((sigma - sigma_min) ** 2 + sigma_data ** 2)
    c_out = (sigma - sigma_min) * sigma_data / np.sqrt(sigma ** 2 + sigma_data ** 2)
    c_in = 1 / np.sqrt(sigma ** 2 + sigma_data ** 2)
    return c_skip[:, None] * x + c_out[:, None] * np.tanh(c_in[:, None] * x @ W)


def fid_by_eigvals(mu1, sigma1, mu2, sigma2):
    # the "fast FID" trace: sqrt of the eigenvalues of sigma1 sigma2, no sqrtm
    tr_covmean = np.sqrt(np.linalg.eigvals(sigma1 @ sigma2)).sum()
    return np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2) - 2 * tr_covmean


def fid_eigvals_from_features(act1, act2):
    return fid_by_eigvals(act1.mean(0), np.cov(act1, rowvar=False), act2.mean(0),
                          np.cov(act2, rowvar=False))


def _feature_stats(seed, n):
    a = _f(4 * n, 3, seed=seed) + 0.5 * seed
    return a.mean(0), np.cov(a, rowvar=False)


def rbm_gibbs_cd(v, W, b, c, rng, k=3, lr=0.1):
    # an RBM's CD-k update with Bernoulli draws from a generator, the weights updated in place
    ph0 = 1 / (1 + np.exp(-(v @ W + c)))
    vk = v
    for _ in range(k):
        ph = 1 / (1 + np.exp(-(vk @ W + c)))
        h = (rng.random(ph.shape) < ph).astype(np.float64)
        pv = 1 / (1 + np.exp(-(h @ W.T + b)))
        vk = (rng.random(pv.shape) < pv).astype(np.float64)
    phk = 1 / (1 + np.exp(-(vk @ W + c)))
    W += lr * (v.T @ ph0 - vk.T @ phk) / v.shape[0]
    b += lr * (v - vk).mean(0)
    c += lr * (ph0 - phk).mean(0)
    return np.mean((v - vk) ** 2)


SCORE = {
    "pixelcnn_pp_mixture_logistic": (discretized_mix_logistic_loss_1d, {}, lambda s, n: (
        np.clip(0.6 * _f(2, n, 3, seed=s), -1, 1), _f(2, n, 3, 9, seed=s + 1))),
    "rbm_contrastive_divergence_rng": (rbm_gibbs_cd, {}, lambda s, n: (
        (_u(s, n, 6) > 0.5).astype(np.float64), 0.3 * _f(6, 3, seed=s), np.zeros(6), np.zeros(3),
        np.random.default_rng(s))),
    "flow_matching_ot": (flow_matching_loss, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(n, 2, seed=s + 1), _u(s, n), _f(3, 2, seed=s + 2))),
    "rectified_flow_euler_hstack": (rectified_flow_euler, {"steps": 5}, lambda s, n: (
        _f(n, 2, seed=s), _f(3, 2, seed=s + 1))),
    "ncsn_dsm_loss": (dsm_loss_ncsn, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 3, seed=s + 1), np.geomspace(1, 0.01, 5), _i(5, n, seed=s),
        _f(3, 3, seed=s + 2))),
    "dirichlet_kl_gammaln_digamma": (dirichlet_kl, {}, lambda s, n: (
        _pos(s, n, 4), np.ones((n, 4)))),
    "full_cov_tril_indices": (full_cov_posterior, {}, lambda s, n: (
        0.3 * _f(n, 6, seed=s), _f(n, 3, seed=s + 1))),
    "consistency_model_scalings": (consistency_skip_scalings, {}, lambda s, n: (
        _f(n, 3, seed=s), _pos(s, n, lo=0.01, hi=80), _f(3, 3, seed=s + 1))),
    "fid_eigvals_cov_inside": (fid_eigvals_from_features, {}, lambda s, n: (
        _f(4 * n, 3, seed=s), 1 + _f(4 * n, 3, seed=s + 1))),
    "fid_eigvals_covariance_arguments": (fid_by_eigvals, {}, lambda s, n: (
        *_feature_stats(s, n), *_feature_stats(s + 1, n))),
}


@pytest.mark.parametrize("name", _names(SCORE))
def test_score_models_and_decoders_match_numpy(name):
    """PixelCNN++'s mixture of logistics, an RBM's CD-k with generator draws, flow matching and
    rectified flows, denoising score matching, Dirichlet KLs, full-covariance posteriors,
    consistency-model scalings and FID by eigenvalues: NumPy's values."""
    check_like_numpy(*SCORE[name])


# ============================================================== forms tracenp gets wrong


def gguf_dequantize_q8_0(data):
    # gguf-py's Q8_0: 34-byte blocks, a float16 scale viewed from the first two bytes
    blocks = data.reshape(-1, 34)
    d = blocks[:, :2].view(np.float16).astype(np.float32)
    x = blocks[:, 2:].view(np.int8).astype(np.float32)
    return (d * x).reshape(-1)


def gguf_dequantize_q4_0(data):
    # gguf-py's Q4_0: 18-byte blocks, nibbles unpacked by a broadcast shift
    blocks = data.reshape(-1, 18)
    d = blocks[:, :2].view(np.float16).astype(np.float32)
    qs = blocks[:, 2:]
    qs = qs.reshape((-1, 1, 16)) >> np.array([0, 4], dtype=np.uint8).reshape((1, 2, 1))
    qs = (qs & np.uint8(0x0F)).reshape((-1, 32)).astype(np.int8) - np.int8(8)
    return (d * qs.astype(np.float32)).reshape(-1)


def _gguf_blocks(seed, n_blocks, block_bytes):
    r = np.random.default_rng(seed)
    scales = r.uniform(0.01, 0.1, n_blocks).astype(np.float16)
    return np.concatenate([np.r_[np.frombuffer(sc.tobytes(), np.uint8),
                                 r.integers(0, 256, block_bytes).astype(np.uint8)]
                           for sc in scales])


def sample_k_distinct(logits, rng, k=2, temperature=0.8):
    # several distinct candidates from the softmax, e.g. for best-of-k reranking
    p = softmax_temperature(logits, temperature)
    return rng.choice(logits.shape[-1], size=k, replace=False, p=p)


@dataclass
class SamplerConfig:
    # a sampling configuration record carrying its own generator, as CLI sampling scripts do
    rng: np.random.Generator
    temperature: float = 0.8
    top_k: int = 3


def sample_with_config(logits, cfg):
    probs = softmax_temperature(top_k_threshold_sort(logits, cfg.top_k), cfg.temperature)
    return np.array([cfg.rng.choice(logits.shape[-1], p=p) for p in probs])


WRONG = {
    "gguf_q8_0_view_float16": _Xfail(
        "blocks[:, :2].view(np.float16) of a traced uint8 array raises UnsupportedFunctionError "
        "(a reinterpretation as another item size); NumPy reads the float16 scale",
        gguf_dequantize_q8_0, {}, lambda s, n: (_gguf_blocks(s, n, 32),)),
    "gguf_q4_0_view_float16": _Xfail(
        "blocks[:, :2].view(np.float16) of a traced uint8 array raises UnsupportedFunctionError; "
        "NumPy reads the float16 scale",
        gguf_dequantize_q4_0, {}, lambda s, n: (_gguf_blocks(s, n, 16),)),
    "choice_without_replacement_traced_p": _Xfail(
        "rng.choice(n, size=k, replace=False, p=p) with traced p raises UnsupportedFunctionError "
        "though its shape is fixed; NumPy draws k distinct indices",
        sample_k_distinct, {}, lambda s, n: (_logits(s, n + 4), np.random.default_rng(s))),
    "generator_inside_dataclass_argument": _Xfail(
        "a np.random.Generator inside a dataclass (or dict/list) argument raises TypeError 'jit "
        "arguments must be arrays, ...; got Generator', though one passed directly traces; "
        "NumPy samples with it", sample_with_config, {}, lambda s, n: (
            _logits(s, n, 6), SamplerConfig(np.random.default_rng(s)))),
}


@pytest.mark.parametrize("name", _names(WRONG))
def test_forms_tracenp_gets_wrong(name):
    """Float16 scales viewed from bytes, sampling without replacement with traced
    probabilities and a Generator inside a dataclass: strict xfails until tracenp matches
    NumPy."""
    check_like_numpy(*WRONG[name])


# ------------------------------------------------------------------------ steered scalars


def ddim_steps_positional(x, W, alphas_cumprod, ddim_steps):
    return ddim_sample(x, W, alphas_cumprod, None, 0.0, ddim_steps)


def beta_schedule_by_name(name, timesteps, k):
    # the schedule picked by a config string, its length from the config
    fn = {"linear": linear_beta_schedule, "cosine": cosine_beta_schedule}[name]
    return diffusion_buffers(fn(timesteps))["posterior_variance"] * k


def llama2c_one_position(x, pos, key_cache, value_cache, w):
    return llama2c_forward_token(x, pos, key_cache, value_cache, w), key_cache


def beam_search_positional(logp_table, start, num_beams, steps):
    return beam_search(logp_table, start, num_beams, steps)


STEERED = {
    "cyclical_kl_schedule_n_iter_n_cycle": (kl_annealing_schedules, lambda s: (
        30 + 10 * s, 2 + s, 0.5)),
    "ddim_steps_given_positionally": (ddim_steps_positional, lambda s: (
        _f(3, 2, seed=s), 0.5 * _f(2, 2, seed=s + 1),
        np.cumprod(1 - np.linspace(1e-3, 0.05, 20)), 4 + s)),
    "beta_schedule_name_and_length": (beta_schedule_by_name, lambda s: (
        ("linear", "cosine")[s % 2], 20 * s, 1.5)),
    "llama2c_position_int": (llama2c_one_position, lambda s: (
        _f(4, seed=s), s + 1, _f(5, 2, seed=s + 1), _f(5, 2, seed=s + 2),
        _llama2c_weights(s, 4, 2, 6))),
    "beam_width_and_steps": (beam_search_positional, lambda s: (
        np.log(_probs(s, 5, 5)), 0, s + 1, 2 + s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Annealing lengths, DDIM step counts, schedule names, llama2.c positions and beam widths
    given positionally: made static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def generate_until_eos(tok, emb, W, eos_id=0, max_len=8):
    # the usual generation loop: stop when the sampled token is the end of sequence
    out = [tok]
    while len(out) < max_len:
        tok = np.argmax(emb[tok] @ W)
        out.append(tok)
        if tok == eos_id:
            break
    return np.array(out)


def top_p_candidate_ids(probs, p=0.9):
    # the nucleus itself, returned as token ids: its length depends on the probabilities
    order = np.argsort(-probs)
    cutoff = np.searchsorted(np.cumsum(probs[order]), p) + 1
    return order[:cutoff]


def speculative_accept_loop(p_target, q_draft, draft_tokens, u):
    # the per-token accept/reject written with `break`
    n = 0
    for i in range(len(draft_tokens)):
        if u[i] < min(1.0, p_target[i, draft_tokens[i]] / q_draft[i, draft_tokens[i]]):
            n += 1
        else:
            break
    return n


def outlier_columns_extracted(x, threshold=3.0):
    # LLM.int8's outlier features as an index list, the columns copied out
    idx = np.where(np.abs(x).max(axis=0) > threshold)[0]
    return x[:, idx], idx


def dynamic_precision(w, limit=6.0):
    # fall back to float16 when the weights have outliers
    if np.abs(w).max() > limit:
        return w.astype(np.float16)
    s = np.abs(w).max() / 127
    return np.round(w / s).astype(np.int8) * s


def dead_code_restart(codebook, counts, flat, rng):
    # VQ-VAE dead codes replaced by random encoder outputs
    dead = counts < 1
    codebook[dead] = flat[rng.choice(len(flat), dead.sum())]
    return codebook


def gan_train_early_stop(w, x, steps=20, lr=0.5):
    for i in range(steps):
        d = 1 / (1 + np.exp(-x @ w))
        loss = -np.mean(np.log(d))
        if loss < 0.3:
            break
        w = w + lr * x.T @ (1 - d) / len(x)
    return w, i


def attention_at_traced_position(q, key_cache, value_cache, k, v, pos):
    # llama2.c's attention with the position as an array: the cache read up to pos
    key_cache[pos] = k
    value_cache[pos] = v
    att = key_cache[:pos + 1] @ q / np.sqrt(q.shape[0])
    att = np.exp(att - att.max())
    att /= att.sum()
    return att @ value_cache[:pos + 1]


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "generate_until_eos_break": (_Concretization, generate_until_eos, lambda s: (
        2, _f(5, 3, seed=s), _f(3, 5, seed=s + 1))),
    "euler_ancestral_sigmas_argument": (_Concretization, euler_ancestral, lambda s: (
        10 * _f(3, 2, seed=s), 0.5 * _f(2, 2, seed=s + 1), karras_sigmas(4, sigma_max=10.0),
        _f(4, 3, 2, seed=s + 2))),
    "top_p_ids_returned": (_DataDependent, top_p_candidate_ids, lambda s: (_probs(s, 8),)),
    "speculative_accept_break": (_Concretization, speculative_accept_loop, lambda s: (
        _probs(s, 3, 4), _probs(s + 1, 3, 4), _i(4, 3, seed=s), _u(s, 3))),
    "llm_int8_outlier_index_list": (_DataDependent, outlier_columns_extracted, lambda s: (
        3 * _f(4, 5, seed=s),)),
    "dynamic_precision_if": (_Concretization, dynamic_precision, lambda s: (
        4 * _f(6, seed=s),)),
    "dead_code_restart_choice": (_Concretization, dead_code_restart, lambda s: (
        _f(4, 2, seed=s), np.array([0, 3, 0, 1]), _f(6, 2, seed=s + 1),
        np.random.default_rng(s))),
    "gan_early_stop_on_loss": (_Concretization, gan_train_early_stop, lambda s: (
        _f(3, seed=s), _f(5, 3, seed=s + 1))),
    "attention_traced_position": (_DataDependent, attention_at_traced_position, lambda s: (
        _f(4, seed=s), np.zeros((6, 4)), np.zeros((6, 4)), _f(4, seed=s + 1), _f(4, seed=s + 2),
        np.int64(s + 1))),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Generation until EOS, k-diffusion's `if sigmas[i + 1] > 0` on an array argument, nucleus
    ids, speculative accept/reject with `break`, outlier index lists, precision chosen by `if`,
    dead-code restarts, early stopping and a KV cache read up to an array position: the named
    error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
