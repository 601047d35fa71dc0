"""Corpus, hunt BM: psychology, cognitive science and behavioural neuroscience as experiment
analysis scripts, course notebooks and model-fitting code write them.

Signal detection (d', c, beta and c' with Hautus' log-linear and Macmillan-Kaplan 1/(2N)
corrections by `norm.ppf`, A' by boolean-mask branches, d' per subject by a loop of masks and by
`np.bincount`, ROCs from rating counts with `np.polyfit` on z-scores and `np.trapezoid`, mAFC d'
by a quadrature table inverted with `np.interp`, 2AFC and same-different d', unequal-variance
rating likelihoods, binomial likelihoods by `gammaln`, type-2 AUROC); psychometric functions
(Weibull, logistic with a lapse, cumulative normal with `binom.logpmf`, grid posteriors with
`logsumexp` and `unravel_index`, thresholds and slopes, deviance by `np.where`, logistic fits by
Newton with a fixed iteration count, proportions by `np.add.at`, a float32 stimulus axis);
staircases with fixed trial counts (1-up/1-down and 2-down/1-up by `np.where`, parallel
observers, reversal counting with step halving, QUEST on a grid); drift diffusion and races
(Euler-Maruyama with first passage by masks from a `Generator`, cumsum paths with `argmax`
crossings, a dict of per-subject parameters, EZ-diffusion, Navarro-Fuss series, the Wiener
likelihood by mirroring, LBA simulation and density, quantile-probability tables); reaction-time
summaries (percentile trimming, cleaning per condition, MAD outliers, ex-Gaussian moments and
likelihoods by `exponnorm` and by hand, Vincentiles by reshape, delta plots, quantile methods,
int32 milliseconds, post-error slowing, conditional accuracy by `np.digitize`); reinforcement
learning (Rescorla-Wagner, Q-learning likelihoods indexed by the trial's choice, dual learning
rates by `np.where`, stickiness, many subjects by fancy writes, agents simulated by uniforms,
`int()` of draws and `rng.choice(p=)`, the two-step hybrid, Kalman bandits, TD with a complete
serial compound, actor-critic, a likelihood grid, float32 tables); Bayesian observers
(inverse-variance cue weights, grid observers, causal inference, Beta-Bernoulli and run-length
change-point learners); eye tracking (I-VT by `np.gradient`, Engbert-Kliegl velocities with
median thresholds, I-DT by `sliding_window_view`, saccade amplitudes by
`np.minimum.at`/`np.maximum.at`, `histogram2d` heatmaps, AOIs from a module table, blink
interpolation, pupil baselines, Savitzky-Golay velocities); fMRI (double-gamma HRFs by
`gamma.pdf`, designs by `np.convolve` from onsets and stick functions, OLS by `pinv`, t and F
contrasts, AR(1) prewhitening, DCT high-pass, framewise displacement, ROI means by atlas masks,
Fisher-z connectivity, parametric modulators, event-related averages, voxelwise `einsum`);
EEG/ERP (epochs by index matrices, ERPs by condition, peak latencies by `take_along_axis`,
component windows from a dict, peak-to-peak rejection by weights, jackknife latencies, Morlet
power, ITPC, SSVEP SNR by `apply_along_axis`, Welch bands, Butterworth filters); inter-subject
correlation and RSA (leave-one-out, pairwise and voxelwise ISC, phase surrogates, RDMs by `1 -
np.corrcoef`, Spearman RSA by `spearmanr` and by `rankdata`, `pdist`, crossnobis, noise
ceilings, model regressions, classical MDS by `eigh`, Procrustes); questionnaires (reverse
keying in place, subscale dicts and norms, int8 responses, alpha and alpha-if-deleted,
item-total correlations, omega, prorating, ICC, weighted kappa); effect sizes and resampling
(Cohen's d, Hedges' g, paired d's, eta and omega squared, Cliff's delta, AUC, Fisher intervals,
bootstraps by `integers`, `choice` and BCa, permutation and sign-flip tests, cluster
bootstraps); stimuli (Gabors to uint8, 1/f noise, random-dot kinematograms, search displays,
shuffled trial lists, Williams squares, int16 tones).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy/SciPy in value and
dtype, and in the arguments it writes in place. Trial, step, bin and scan counts given
positionally are made static; the forms whose Python or shapes depend on array values
(staircases by `if`, `while not done.all()`, selections returned or sized, `np.unique` and
`np.flatnonzero` of the data, `assert`/`if np.any` guards, `minimize`, `tukey_hsd` of groups
selected by masks) raise a named error and run eagerly under `fallback=True`. Strict xfails: a
SciPy distribution method bound before the trace (`Z = norm.ppf`, a dict of links, a default
argument), the documented keywords `q=`/`k=` of distribution methods, data passed by keyword to
SciPy's descriptive statistics, `spearmanr(...).correlation`, `pearsonr`'s result returned or
asked for its interval, and `false_discovery_control`.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal
import scipy.special
import scipy.stats as stats
from numpy.lib.stride_tricks import sliding_window_view
from scipy.special import expit, gammaln, logsumexp
from scipy.stats import norm
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names, _Xfail

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _pos(seed, *shape, lo=1.0, hi=10.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _rt(seed, *shape):
    # ex-Gaussian reaction times in seconds: continuous, positive, no ties
    r = np.random.default_rng(seed)
    return 0.25 + r.normal(0.15, 0.03, shape) + r.exponential(0.12, shape)


def _likert(seed, *shape, k=5):
    return np.random.default_rng(seed).integers(1, k + 1, shape)


def _rng(seed):
    return np.random.default_rng(seed)


# ============================================================================ signal detection

Z = norm.ppf


def sdt_loglinear(hits, misses, fas, crs):
    # Hautus (1995): add 0.5 to every cell before taking rates
    hit_rate = (hits + 0.5) / (hits + misses + 1)
    fa_rate = (fas + 0.5) / (fas + crs + 1)
    d = Z(hit_rate) - Z(fa_rate)
    c = -(Z(hit_rate) + Z(fa_rate)) / 2
    beta = np.exp(d * c)
    return d, c, beta


def sdt_one_over_2n(hits, n_signal, fas, n_noise):
    # Macmillan & Kaplan: rates of 0 and 1 replaced by 1/(2N) and 1 - 1/(2N)
    out = {}
    hr = hits / n_signal
    far = fas / n_noise
    hr = np.where(hr == 1, 1 - 1 / (2 * n_signal), hr)
    hr = np.where(hr == 0, 1 / (2 * n_signal), hr)
    far = np.clip(far, 1 / (2 * n_noise), 1 - 1 / (2 * n_noise))
    out["dprime"] = norm.ppf(hr) - norm.ppf(far)
    out["criterion"] = -0.5 * (norm.ppf(hr) + norm.ppf(far))
    out["ln_beta"] = (norm.ppf(far) ** 2 - norm.ppf(hr) ** 2) / 2
    out["c_prime"] = out["criterion"] / out["dprime"]
    return out


def a_prime_masked(H, F):
    # A' (Snodgrass & Corwin 1988) with the two branches written by boolean masks
    a = np.empty_like(H)
    up = H >= F
    a[up] = 0.5 + ((H[up] - F[up]) * (1 + H[up] - F[up])) / (4 * H[up] * (1 - F[up]))
    dn = ~up
    a[dn] = 0.5 - ((F[dn] - H[dn]) * (1 + F[dn] - H[dn])) / (4 * F[dn] * (1 - H[dn]))
    return a


def dprime_by_subject_loop(stim, resp, subj, n_subj):
    d = np.zeros(n_subj)
    c = np.zeros(n_subj)
    for s in range(n_subj):
        m = subj == s
        hits = np.sum((stim == 1) & (resp == 1) & m)
        n_sig = np.sum((stim == 1) & m)
        fas = np.sum((stim == 0) & (resp == 1) & m)
        n_noi = np.sum((stim == 0) & m)
        H = (hits + 0.5) / (n_sig + 1)
        F = (fas + 0.5) / (n_noi + 1)
        d[s] = norm.ppf(H) - norm.ppf(F)
        c[s] = -0.5 * (norm.ppf(H) + norm.ppf(F))
    return d, c


def dprime_by_subject_bincount(stim, resp, subj, n_subj):
    hits = np.bincount(subj, weights=stim & resp, minlength=n_subj)
    fas = np.bincount(subj, weights=(1 - stim) & resp, minlength=n_subj)
    n_sig = np.bincount(subj, weights=stim, minlength=n_subj)
    n_noi = np.bincount(subj, minlength=n_subj) - n_sig
    H = (hits + 0.5) / (n_sig + 1)
    F = (fas + 0.5) / (n_noi + 1)
    return np.stack([stats.norm.ppf(H), stats.norm.ppf(F)], axis=1)


def roc_from_ratings(signal_counts, noise_counts):
    # counts over confidence ratings 1..6 (6 = sure signal); cumulate from the top
    hr = np.cumsum(signal_counts[::-1])[:-1] / signal_counts.sum()
    far = np.cumsum(noise_counts[::-1])[:-1] / noise_counts.sum()
    zH, zF = norm.ppf(hr), norm.ppf(far)
    slope, intercept = np.polyfit(zF, zH, 1)
    auc = np.trapezoid(np.r_[0, hr, 1], np.r_[0, far, 1])
    d_a = intercept * np.sqrt(2 / (1 + slope ** 2))
    return slope, intercept, auc, d_a


def dprime_mafc(pc, m):
    # d' for m-alternative forced choice by integrating phi(x - d) Phi(x)^(m - 1) on a grid,
    # then inverting the table by interpolation
    d_grid = np.linspace(0, 5, 201)
    x = np.linspace(-8, 12, 801)
    integrand = norm.pdf(x[None, :] - d_grid[:, None]) * norm.cdf(x[None, :]) ** (m - 1)
    pc_grid = np.trapezoid(integrand, x, axis=1)
    return np.interp(pc, pc_grid, d_grid)


def dprime_2afc_and_sd(pc):
    d_2afc = np.sqrt(2) * norm.ppf(pc)
    # same-different, differencing model (Macmillan & Creelman 9.7), unbiased observer
    d_sd = 2 * norm.ppf(0.5 * (1 + np.sqrt(2 * pc - 1)))
    return d_2afc, d_sd


def uvsd_nll(params, hits_by_rating, fas_by_rating):
    # unequal-variance SDT on ratings: d, sigma_s, then k - 1 criteria
    d, log_sigma = params[0], params[1]
    crit = np.cumsum(np.r_[params[2], np.exp(params[3:])])
    sigma = np.exp(log_sigma)
    edges_s = norm.cdf(np.r_[-np.inf, crit, np.inf], loc=d, scale=sigma)
    edges_n = norm.cdf(np.r_[-np.inf, crit, np.inf])
    p_s = np.diff(edges_s)
    p_n = np.diff(edges_n)
    return -(np.sum(hits_by_rating * np.log(p_s)) + np.sum(fas_by_rating * np.log(p_n)))


def sdt_binomial_loglik(d, c, hits, n_sig, fas, n_noi):
    H = norm.cdf(d / 2 - c)
    F = norm.cdf(-d / 2 - c)
    log_binom = (gammaln(n_sig + 1) - gammaln(hits + 1) - gammaln(n_sig - hits + 1)
                 + gammaln(n_noi + 1) - gammaln(fas + 1) - gammaln(n_noi - fas + 1))
    return log_binom + hits * np.log(H) + (n_sig - hits) * np.log1p(-H) \
        + fas * np.log(F) + (n_noi - fas) * np.log1p(-F)


def type2_auroc(correct, conf, n_conf):
    # type-2 ROC: confidence separating correct from error trials (Fleming & Lau 2014)
    H2 = np.zeros(n_conf)
    FA2 = np.zeros(n_conf)
    for i in range(n_conf):
        H2[i] = np.sum((conf >= i + 1) & (correct == 1)) + 0.5
        FA2[i] = np.sum((conf >= i + 1) & (correct == 0)) + 0.5
    H2 /= np.sum(correct == 1) + 1
    FA2 /= np.sum(correct == 0) + 1
    H2 = np.r_[H2[::-1], 1.0]
    FA2 = np.r_[FA2[::-1], 1.0]
    k = np.zeros(n_conf)
    for i in range(n_conf):
        k[i] = (H2[i + 1] - FA2[i]) ** 2 - (H2[i] - FA2[i + 1]) ** 2
    return 0.5 + 0.25 * np.sum(k)


# ===================================================================== psychometric functions


def weibull(x, alpha, beta, gamma=0.5, lam=0.02):
    return gamma + (1 - gamma - lam) * (1 - np.exp(-(x / alpha) ** beta))


def weibull_nll(params, x, n_correct, n_trials):
    alpha, beta, lam = params
    p = weibull(x, alpha, beta, 0.5, lam)
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return -np.sum(n_correct * np.log(p) + (n_trials - n_correct) * np.log(1 - p))


def logistic_psy(x, mu, s, guess=0.0, lapse=0.0):
    return guess + (1 - guess - lapse) * expit((x - mu) / s)


def logistic_psy_bernoulli_nll(theta, x, resp):
    # trial-by-trial responses (0/1) and a lapse on a logit scale
    mu, log_s, logit_lapse = theta
    lapse = 0.1 * expit(logit_lapse)
    p = logistic_psy(x, mu, np.exp(log_s), 0.0, lapse)
    return -np.sum(resp * np.log(p) + (1 - resp) * np.log(1 - p))


def cumnorm_psy_nll(theta, x, k, n):
    mu, sigma, lapse = theta[0], theta[1], theta[2]
    p = lapse / 2 + (1 - lapse) * norm.cdf(x, loc=mu, scale=sigma)
    return -(stats.binom.logpmf(k, n, p)).sum()


def psy_grid_posterior(x, k, n, alphas, betas, lapse=0.02):
    # brute-force likelihood over an (alpha, beta) grid with a flat prior, psignifit style
    A = alphas[:, None, None]
    B = betas[None, :, None]
    p = 0.5 + (0.5 - lapse) * (1 - np.exp(-(x[None, None, :] / A) ** B))
    ll = (k * np.log(p) + (n - k) * np.log(1 - p)).sum(axis=-1)
    post = np.exp(ll - logsumexp(ll))
    i, j = np.unravel_index(np.argmax(ll), ll.shape)
    return post, alphas[i], betas[j], (post.sum(1) * alphas).sum(), (post.sum(0) * betas).sum()


def weibull_threshold_slope(alpha, beta, gamma=0.5, lam=0.02, target=0.75):
    frac = (target - gamma) / (1 - gamma - lam)
    thr = alpha * (-np.log(1 - frac)) ** (1 / beta)
    slope = (1 - gamma - lam) * np.exp(-(thr / alpha) ** beta) * beta / alpha \
        * (thr / alpha) ** (beta - 1)
    return thr, slope


def psy_deviance(k, n, p_model):
    y = k / n
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(k > 0, k * np.log(y / p_model), 0.0)
        t2 = np.where(k < n, (n - k) * np.log((1 - y) / (1 - p_model)), 0.0)
    return 2 * np.sum(t1 + t2)


def logistic_irls(x, resp, n_iter=8):
    # probit-free logistic psychometric fit by Newton-Raphson with a fixed iteration count
    X = np.column_stack([np.ones_like(x), x])
    w = np.zeros(2)
    for _ in range(n_iter):
        p = expit(X @ w)
        W = p * (1 - p)
        H = X.T @ (X * W[:, None])
        g = X.T @ (resp - p)
        w = w + np.linalg.solve(H, g)
    pse = -w[0] / w[1]
    jnd = np.log(3) / w[1]
    return w, pse, jnd


def psychometric_by_condition(levels, resp, cond, n_levels, n_cond):
    # proportion "right" per stimulus level and condition, as the analysis notebooks tabulate
    table = np.zeros((n_cond, n_levels))
    counts = np.zeros((n_cond, n_levels), dtype=int)
    np.add.at(table, (cond, levels), resp)
    np.add.at(counts, (cond, levels), 1)
    return table / np.maximum(counts, 1), counts


def weibull_float32_curve(x, params):
    # a float32 stimulus axis and a float64 parameter table, as when levels come from a DAQ
    out = np.empty((params.shape[0], x.shape[0]), dtype=np.float32)
    for i in range(params.shape[0]):
        out[i] = weibull(x, params[i, 0], params[i, 1], 0.5, params[i, 2])
    return out


# ======================================================================= staircase procedures


def staircase_1up1down(u, start, step, alpha, beta, n_trials):
    # simulated observer: correct when the pre-drawn uniform falls under the Weibull
    levels = np.zeros(n_trials)
    correct = np.zeros(n_trials, dtype=bool)
    level = start
    for t in range(n_trials):
        levels[t] = level
        p = weibull(level, alpha, beta)
        correct[t] = u[t] < p
        level = np.where(correct[t], level - step, level + step)
        level = np.maximum(level, 0.01)
    return levels, correct


def staircase_2down1up_parallel(u, start, step, n_trials, alpha=1.0, beta=3.0):
    # many simulated observers at once; a counter of consecutive correct responses
    n_obs = u.shape[0]
    level = np.full(n_obs, start)
    run = np.zeros(n_obs, dtype=np.int64)
    track = np.empty((n_obs, n_trials))
    for t in range(n_trials):
        track[:, t] = level
        ok = u[:, t] < weibull(level, alpha, beta)
        run = np.where(ok, run + 1, 0)
        down = run == 2
        up = ~ok
        level = level - step * down + step * up
        run[down] = 0
        level = np.clip(level, 0.05, None)
    return track


def staircase_reversals(u, start, n_trials, step0=0.4):
    # step halving at each reversal; reversal levels kept in a fixed array
    n_obs = u.shape[0]
    level = np.full(n_obs, start)
    step = np.full(n_obs, step0)
    last_dir = np.zeros(n_obs)
    n_rev = np.zeros(n_obs, dtype=int)
    rev_sum = np.zeros(n_obs)
    for t in range(n_trials):
        ok = u[:, t] < weibull(level, 1.0, 2.5)
        direction = np.where(ok, -1.0, 1.0)
        rev = (direction != last_dir) & (last_dir != 0)
        n_rev += rev
        rev_sum += np.where(rev, level, 0.0)
        step = np.where(rev, step / 2, step)
        last_dir = direction
        level = np.maximum(level + direction * step, 0.05)
    return rev_sum / np.maximum(n_rev, 1), n_rev


def quest_grid(u, grid, n_trials, prior_sd=1.0, beta=3.5, gamma=0.5, delta=0.01):
    # QUEST (Watson & Pelli 1983) on a log-intensity grid: place each trial at the posterior
    # mean, update by the Weibull likelihood of the simulated response
    true_t = -0.3
    log_post = -0.5 * (grid / prior_sd) ** 2
    placed = np.zeros(n_trials)
    for t in range(n_trials):
        post = np.exp(log_post - log_post.max())
        post /= post.sum()
        x = np.sum(post * grid)
        placed[t] = x
        p_true = delta * gamma + (1 - delta) * (
            1 - (1 - gamma) * np.exp(-10 ** (beta * (x - true_t))))
        resp = u[t] < p_true
        p = delta * gamma + (1 - delta) * (1 - (1 - gamma) * np.exp(-10 ** (beta * (x - grid))))
        log_post = log_post + np.where(resp, np.log(p), np.log(1 - p))
    return placed, log_post - log_post.max()


# ================================================================ drift-diffusion and racing


def ddm_euler_masks(v, a, z, ter, rng, n_trials=40, n_steps=50, dt=0.01, s=1.0):
    # Euler-Maruyama for all trials at once, first passage recorded by masks
    x = np.full(n_trials, z * a)
    rt = np.full(n_trials, np.nan)
    choice = np.zeros(n_trials, dtype=int)
    done = np.zeros(n_trials, dtype=bool)
    for t in range(n_steps):
        dx = v * dt + s * np.sqrt(dt) * rng.standard_normal(n_trials)
        x = np.where(done, x, x + dx)
        up = (x >= a) & ~done
        lo = (x <= 0) & ~done
        rt[up | lo] = (t + 1) * dt + ter
        choice[up] = 1
        done |= up | lo
    return rt, choice, done.mean()


def ddm_cumsum_paths(v, a, ter, rng, n_trials=30, n_steps=80, dt=0.005):
    # the whole path matrix at once; the first crossing by argmax of a boolean matrix
    noise = rng.normal(0.0, np.sqrt(dt), size=(n_trials, n_steps))
    paths = a / 2 + np.cumsum(v * dt + noise, axis=1)
    crossed = (paths >= a) | (paths <= 0)
    first = np.argmax(crossed, axis=1)
    any_cross = crossed.any(axis=1)
    rt = np.where(any_cross, (first + 1) * dt + ter, np.nan)
    upper = paths[np.arange(n_trials), first] >= a
    return rt, np.where(any_cross, upper, False)


def ddm_per_subject(params, rng, n_trials=25, n_steps=40, dt=0.01):
    # a dict of parameter arrays, one row of trials per subject
    v = params["v"][:, None]
    a = params["a"][:, None]
    n_sub = v.shape[0]
    x = 0.5 * a * np.ones((n_sub, n_trials))
    hit_t = np.full((n_sub, n_trials), n_steps)
    for t in range(n_steps):
        x = x + v * dt + np.sqrt(dt) * rng.standard_normal((n_sub, n_trials))
        newly = ((x >= a) | (x <= 0)) & (hit_t == n_steps)
        hit_t[newly] = t
        x = np.where(hit_t < n_steps, np.clip(x, 0, a), x)
    return hit_t * dt + params["ter"][:, None]


def ez_diffusion(pc, vrt, mrt, s=0.1):
    # Wagenmakers, van der Maas & Grasman (2007)
    L = np.log(pc / (1 - pc))
    x = L * (L * pc ** 2 - L * pc + pc - 0.5) / vrt
    v = np.sign(pc - 0.5) * s * x ** 0.25
    a = s ** 2 * L / v
    y = -v * a / s ** 2
    mdt = (a / (2 * v)) * (1 - np.exp(y)) / (1 + np.exp(y))
    ter = mrt - mdt
    return v, a, ter


def wiener_fpt_large_time(t, v, a, w, K=15):
    # Navarro & Fuss (2009) large-time series for the lower-boundary density
    tt = t / a ** 2
    p = np.zeros_like(t)
    for k in range(1, K + 1):
        p += k * np.exp(-k ** 2 * np.pi ** 2 * tt / 2) * np.sin(k * np.pi * w)
    p *= np.pi
    return p * np.exp(-v * a * w - v ** 2 * t / 2) / a ** 2


def wiener_nll(rt, choice, v, a, w, ter, K=12):
    # upper responses by the mirror image: v -> -v, w -> 1 - w
    t = rt - ter
    vv = np.where(choice == 1, -v, v)
    ww = np.where(choice == 1, 1 - w, w)
    dens = wiener_fpt_large_time(t, vv, a, ww, K)
    return -np.sum(np.log(np.maximum(dens, 1e-300)))


def lba_simulate(v, A, b, t0, rng, n_trials=50, s=0.3):
    # linear ballistic accumulator (Brown & Heathcote 2008): two accumulators per trial
    n_acc = v.shape[0]
    start = rng.uniform(0, A, size=(n_trials, n_acc))
    drift = rng.normal(v, s, size=(n_trials, n_acc))
    t = np.where(drift > 0, (b - start) / np.where(drift > 0, drift, 1.0), np.inf)
    winner = np.argmin(t, axis=1)
    rt = t.min(axis=1) + t0
    return rt, winner


def lba_defective_pdf(t, v, A, b, s):
    # the density and survivor of one LBA accumulator (Brown & Heathcote eq. 1-3)
    z1 = (b - A - t * v) / (t * s)
    z2 = (b - t * v) / (t * s)
    cdf = 1 + (b - A - t * v) / A * norm.cdf(z1) - (b - t * v) / A * norm.cdf(z2) \
        + t * s / A * norm.pdf(z1) - t * s / A * norm.pdf(z2)
    pdf = (-v * norm.cdf(z1) + s * norm.pdf(z1) + v * norm.cdf(z2) - s * norm.pdf(z2)) / A
    return pdf, cdf


def lba_loglik(rt, resp, v, A, b, t0, s=0.3):
    t = rt - t0
    pdf0, cdf0 = lba_defective_pdf(t, v[0], A, b, s)
    pdf1, cdf1 = lba_defective_pdf(t, v[1], A, b, s)
    like = np.where(resp == 0, pdf0 * (1 - cdf1), pdf1 * (1 - cdf0))
    return np.log(np.clip(like, 1e-10, None)).sum()


def race_quantile_probabilities(rt, choice, qs=(0.1, 0.3, 0.5, 0.7, 0.9)):
    # Ratcliff's quantile-probability summary by response
    out = np.zeros((2, len(qs) + 1))
    for r in range(2):
        m = choice == r
        out[r, :-1] = np.quantile(rt[m], qs)
        out[r, -1] = m.mean()
    return out


# ============================================================== reaction-time summaries

RT_BOUNDS = (0.2, 2.5)


def trimmed_mean_percentiles(rt, lo=2.5, hi=97.5):
    lower, upper = np.percentile(rt, [lo, hi])
    keep = (rt >= lower) & (rt <= upper)
    return rt[keep].mean(), keep.sum()


def rt_clean_by_condition(rt, correct, cond, n_cond):
    # absolute bounds, then 2.5 SD per condition, correct trials only; medians and means
    ok = (rt > RT_BOUNDS[0]) & (rt < RT_BOUNDS[1]) & (correct == 1)
    med = np.zeros(n_cond)
    mean = np.zeros(n_cond)
    n_kept = np.zeros(n_cond, dtype=int)
    for c in range(n_cond):
        sel = ok & (cond == c)
        m, sd = rt[sel].mean(), rt[sel].std(ddof=1)
        sel &= np.abs(rt - m) < 2.5 * sd
        med[c] = np.median(rt[sel])
        mean[c] = rt[sel].mean()
        n_kept[c] = sel.sum()
    return med, mean, n_kept


def mad_outliers(rt, k=3.0):
    med = np.median(rt, axis=-1, keepdims=True)
    mad = 1.4826 * np.median(np.abs(rt - med), axis=-1, keepdims=True)
    flag = np.abs(rt - med) / mad > k
    clean = np.where(flag, np.nan, rt)
    return np.nanmean(clean, axis=-1), flag.sum(axis=-1)


def exgauss_moments(rt):
    # method of moments for the ex-Gaussian (Heathcote 1996), skew from scipy
    m = rt.mean()
    s = rt.std()
    g = stats.skew(rt)
    tau = s * (np.abs(g) / 2) ** (1 / 3)
    mu = m - tau
    sigma = np.sqrt(np.maximum(s ** 2 - tau ** 2, 1e-12))
    return mu, sigma, tau


def exgauss_nll_scipy(theta, rt):
    mu, sigma, tau = theta
    return -stats.exponnorm.logpdf(rt, tau / sigma, loc=mu, scale=sigma).sum()


def exgauss_nll_by_hand(theta, rt):
    mu, sigma, tau = theta
    lp = (-np.log(tau) + (mu - rt) / tau + sigma ** 2 / (2 * tau ** 2)
          + norm.logcdf((rt - mu) / sigma - sigma / tau))
    return -np.sum(lp)


def vincentiles(rt_by_subject, n_bins=5):
    # sort each subject's RTs and average within equal-sized bins (Ratcliff 1979)
    srt = np.sort(rt_by_subject, axis=1)
    n_sub, n_tr = srt.shape
    per = n_tr // n_bins
    v = srt[:, :per * n_bins].reshape(n_sub, n_bins, per).mean(axis=2)
    return v, v.mean(axis=0)


def delta_plot(rt, cond, qs=np.linspace(0.1, 0.9, 5)):
    q_con = np.quantile(rt[cond == 0], qs)
    q_inc = np.quantile(rt[cond == 1], qs)
    return (q_con + q_inc) / 2, q_inc - q_con


def rt_quantiles_matrix(rt_by_subject):
    q = np.percentile(rt_by_subject, [10, 30, 50, 70, 90], axis=1, method="linear")
    return q.T, np.percentile(rt_by_subject, 50, axis=1, method="median_unbiased")


def rt_zscore_within_subject(rt, subj, n_subj):
    z = np.empty_like(rt)
    for s in range(n_subj):
        m = subj == s
        z[m] = (rt[m] - rt[m].mean()) / rt[m].std()
    return z


def log_rt_summary(rt_ms):
    # RTs recorded in integer milliseconds (int32) by the presentation software
    log_rt = np.log(rt_ms)
    speed = 1000.0 / rt_ms
    return log_rt.mean(), np.exp(log_rt.mean()), speed.mean(), rt_ms.mean(), rt_ms.dtype.itemsize


def sequential_effects(rt, correct):
    # post-error slowing (Dutilh et al. 2012 robust form) and repetition effects
    pre_err = (correct[1:-1] == 0) & (correct[:-2] == 1) & (correct[2:] == 1)
    pes = np.where(pre_err, rt[2:] - rt[:-2], 0.0).sum() / np.maximum(pre_err.sum(), 1)
    after_err = np.r_[False, correct[:-1] == 0]
    return pes, rt[after_err].mean() - rt[~after_err].mean()


def speed_accuracy_bins(rt, correct, n_bins=4):
    # conditional accuracy function: accuracy per RT quantile bin
    edges = np.quantile(rt, np.linspace(0, 1, n_bins + 1))
    idx = np.clip(np.digitize(rt, edges[1:-1]), 0, n_bins - 1)
    acc = np.bincount(idx, weights=correct, minlength=n_bins) / np.bincount(idx, minlength=n_bins)
    return acc


# ==================================================================== reinforcement learning


def rescorla_wagner(stim, reward, alpha=0.2, lam=1.0):
    n_trials, n_cues = stim.shape
    V = np.zeros((n_trials + 1, n_cues))
    for t in range(n_trials):
        pred = V[t] @ stim[t]
        delta = lam * reward[t] - pred
        V[t + 1] = V[t] + alpha * delta * stim[t]
    return V


def q_learning_nll(params, choices, rewards):
    alpha, beta = params
    Q = np.zeros(2)
    nll = 0.0
    for t in range(len(choices)):
        p = np.exp(beta * Q) / np.sum(np.exp(beta * Q))
        nll -= np.log(p[choices[t]])
        Q[choices[t]] += alpha * (rewards[t] - Q[choices[t]])
    return nll


def q_learning_dual_alpha(params, choices, rewards):
    # separate learning rates for positive and negative prediction errors
    a_pos, a_neg, beta = params
    Q = np.full(2, 0.5)
    ll = 0.0
    for t in range(choices.shape[0]):
        logits = beta * Q
        ll += logits[choices[t]] - logsumexp(logits)
        pe = rewards[t] - Q[choices[t]]
        Q[choices[t]] = Q[choices[t]] + np.where(pe > 0, a_pos, a_neg) * pe
    return -ll


def q_learning_sticky(alpha, beta, kappa, choices, rewards, n_arms):
    # a perseveration bonus for the previous choice; choice probabilities per trial kept
    Q = np.zeros(n_arms)
    prev = np.zeros(n_arms)
    probs = np.zeros((len(choices), n_arms))
    for t, (c, r) in enumerate(zip(choices, rewards)):
        v = beta * Q + kappa * prev
        v = v - v.max()
        probs[t] = np.exp(v) / np.exp(v).sum()
        Q[c] = Q[c] + alpha * (r - Q[c])
        prev = np.eye(n_arms)[c]
    ll = np.log(probs[np.arange(len(choices)), choices]).sum()
    return probs, ll


def q_learning_many_subjects(alpha, beta, choices, rewards):
    # choices/rewards (n_subj, n_trials); per-subject parameters as arrays
    n_subj, n_trials = choices.shape
    Q = np.zeros((n_subj, 2))
    rows = np.arange(n_subj)
    ll = np.zeros(n_subj)
    for t in range(n_trials):
        c = choices[:, t]
        logit = beta[:, None] * Q
        ll += logit[rows, c] - logsumexp(logit, axis=1)
        Q[rows, c] += alpha * (rewards[:, t] - Q[rows, c])
    return ll, Q


def q_agent_simulate(alpha, beta, p_reward, rng, n_trials=30):
    # simulate a softmax Q-learner on a two-armed bandit: choices from uniforms by comparison
    Q = np.zeros(2)
    choices = np.zeros(n_trials, dtype=np.int64)
    rewards = np.zeros(n_trials)
    for t in range(n_trials):
        p1 = 1 / (1 + np.exp(-beta * (Q[1] - Q[0])))
        c = (rng.random() < p1).astype(np.int64)
        r = (rng.random() < p_reward[c]).astype(float)
        choices[t] = c
        rewards[t] = r
        Q[c] += alpha * (r - Q[c])
    return choices, rewards, Q


def q_agent_int_choice(alpha, beta, p_reward, rng, n_trials=10):
    Q = np.zeros(2)
    for t in range(n_trials):
        p1 = 1 / (1 + np.exp(-beta * (Q[1] - Q[0])))
        c = int(rng.random() < p1)
        Q[c] += alpha * (float(rng.random() < p_reward[c]) - Q[c])
    return Q


def q_agent_rng_choice(alpha, beta, p_reward, rng, n_trials=20):
    # the same with rng.choice(2, p=...) and rng.binomial, as many tutorials write it
    Q = np.zeros(2)
    out = np.zeros((n_trials, 2))
    for t in range(n_trials):
        p = np.exp(beta * Q) / np.exp(beta * Q).sum()
        c = rng.choice(2, p=p)
        r = rng.binomial(1, p_reward[c])
        Q[c] += alpha * (r - Q[c])
        out[t] = c, r
    return out, Q


TRANSITIONS = np.array([[0.7, 0.3], [0.3, 0.7]])


def two_step_hybrid_nll(params, c1, s2, c2, reward):
    # Daw et al. (2011): model-based/model-free hybrid with an eligibility trace
    alpha, beta1, beta2, lam, w, p = params
    q_mf1 = np.zeros(2)
    q2 = np.zeros((2, 2))
    ll = 0.0
    for t in range(c1.shape[0]):
        q_mb = TRANSITIONS @ q2.max(axis=1)
        q_net = w * q_mb + (1 - w) * q_mf1
        rep = np.zeros(2)
        if t > 0:
            rep[c1[t - 1]] = 1.0
        v1 = beta1 * q_net + p * rep
        ll += v1[c1[t]] - logsumexp(v1)
        v2 = beta2 * q2[s2[t]]
        ll += v2[c2[t]] - logsumexp(v2)
        d1 = q2[s2[t], c2[t]] - q_mf1[c1[t]]
        d2 = reward[t] - q2[s2[t], c2[t]]
        q_mf1[c1[t]] += alpha * (d1 + lam * d2)
        q2[s2[t], c2[t]] += alpha * d2
    return -ll


def kalman_bandit(choices, rewards, n_arms=4, mu0=50.0, var0=100.0, var_obs=16.0,
                  var_drift=2.0):
    # restless bandit learner (Daw et al. 2006) with a Kalman gain per arm
    mu = np.full(n_arms, mu0)
    var = np.full(n_arms, var0)
    means = np.zeros((len(choices), n_arms))
    for t in range(len(choices)):
        c = choices[t]
        k = var[c] / (var[c] + var_obs)
        mu[c] = mu[c] + k * (rewards[t] - mu[c])
        var[c] = (1 - k) * var[c]
        mu = 0.9836 * mu + (1 - 0.9836) * 50.0
        var = 0.9836 ** 2 * var + var_drift
        means[t] = mu
    return means, var


def td_csc(alpha, gamma, n_trials, n_steps, cs_on, us_t):
    # TD(0) with a complete serial compound stimulus (Schultz, Dayan & Montague 1997)
    X = np.zeros((n_steps, n_steps))
    X[cs_on:, cs_on:] = np.eye(n_steps - cs_on)
    r = np.zeros(n_steps)
    r[us_t] = 1.0
    w = np.zeros(n_steps)
    deltas = np.zeros((n_trials, n_steps - 1))
    for trial in range(n_trials):
        V = X @ w
        for t in range(n_steps - 1):
            delta = r[t + 1] + gamma * V[t + 1] - V[t]
            w += alpha * delta * X[t]
            deltas[trial, t] = delta
    return w, deltas


def actor_critic_chain(states, next_states, rewards, actions, n_states, n_actions,
                       a_v=0.1, a_p=0.1, gamma=0.9):
    V = np.zeros(n_states)
    H = np.zeros((n_states, n_actions))
    for s, s1, r, a in zip(states, next_states, rewards, actions):
        delta = r + gamma * V[s1] - V[s]
        V[s] += a_v * delta
        pi = np.exp(H[s]) / np.exp(H[s]).sum()
        H[s] -= a_p * delta * pi
        H[s, a] += a_p * delta
    return V, H


def rl_grid_nll(alphas, betas, choices, rewards):
    # the log-likelihood surface on a parameter grid, all grid points updated together
    A = alphas[:, None, None]
    B = betas[None, :, None]
    Q = np.zeros((alphas.size, betas.size, 2))
    ll = np.zeros((alphas.size, betas.size))
    for t in range(choices.size):
        c = choices[t]
        logits = B * Q
        ll += logits[..., c] - logsumexp(logits, axis=-1)
        Q[..., c] += (A[..., 0] * (rewards[t] - Q[..., c]))
    best = np.unravel_index(ll.argmax(), ll.shape)
    return ll, alphas[best[0]], betas[best[1]]


def softmax_choice_table(Q, beta, temperature_floor=1e-3):
    # choice probabilities over options in float32, as loaded from a saved model table
    z = Q * np.float32(beta) / max(temperature_floor, 1.0)
    z = z - z.max(axis=-1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


# ======================================================================= Bayesian observers


def cue_weights_from_jnds(jnd):
    # jnd: (n_subj, n_cues) single-cue discrimination thresholds -> predicted weights
    inv_var = jnd.astype(np.float64) ** -2
    w = inv_var / inv_var.sum(axis=1, keepdims=True)
    jnd_pred = np.sqrt(1 / inv_var.sum(axis=1))
    return w, jnd_pred, jnd.min(axis=1) / jnd_pred


def grid_observer(m, sigma, prior_grid, s_grid):
    # a numerical observer on a stimulus grid: likelihood per measurement times a prior table
    like = norm.pdf(s_grid[None, :], loc=m[:, None], scale=sigma)
    post = like * prior_grid[None, :]
    post /= np.trapezoid(post, s_grid, axis=1)[:, None]
    pm = np.trapezoid(post * s_grid, s_grid, axis=1)
    map_est = s_grid[np.argmax(post, axis=1)]
    cdf = np.cumsum(post, axis=1) * (s_grid[1] - s_grid[0])
    med = s_grid[np.argmax(cdf >= 0.5, axis=1)]
    return pm, map_est, med


def causal_inference(xv, xa, sv, sa, sp=10.0, p_common=0.5, mu_p=0.0):
    # Kording et al. (2007): posterior probability of one cause, model averaging
    vv, va, vp = sv ** 2, sa ** 2, sp ** 2
    den1 = vv * va + vv * vp + va * vp
    like_c1 = np.exp(-0.5 * ((xv - xa) ** 2 * vp + (xv - mu_p) ** 2 * va
                             + (xa - mu_p) ** 2 * vv) / den1) / (2 * np.pi * np.sqrt(den1))
    like_c2 = np.exp(-0.5 * ((xv - mu_p) ** 2 / (vv + vp) + (xa - mu_p) ** 2 / (va + vp))) \
        / (2 * np.pi * np.sqrt((vv + vp) * (va + vp)))
    post_c1 = like_c1 * p_common / (like_c1 * p_common + like_c2 * (1 - p_common))
    s_c1 = (xv / vv + xa / va + mu_p / vp) / (1 / vv + 1 / va + 1 / vp)
    s_a_c2 = (xa / va + mu_p / vp) / (1 / va + 1 / vp)
    return post_c1, post_c1 * s_c1 + (1 - post_c1) * s_a_c2


def beta_bernoulli_learner(outcomes, a0=1.0, b0=1.0, decay=1.0):
    # a leaky Beta-Bernoulli learner: predictions, surprise and posterior variance per trial
    a = a0 + np.concatenate([[0.0], np.cumsum(outcomes)[:-1]])
    b = b0 + np.concatenate([[0.0], np.cumsum(1 - outcomes)[:-1]])
    if decay != 1.0:
        a = a0 + (a - a0) * decay
        b = b0 + (b - b0) * decay
    p = a / (a + b)
    surprise = -np.log(np.where(outcomes == 1, p, 1 - p))
    var = a * b / ((a + b) ** 2 * (a + b + 1))
    return p, surprise, var


def beta_posterior_grid(k, n, theta):
    dens = stats.beta.pdf(theta[None, :], k[:, None] + 1, n[:, None] - k[:, None] + 1)
    cdf = stats.beta.cdf(0.5, k + 1, n - k + 1)
    return dens, 1 - cdf


def bayesian_change_point_fixed_hazard(x, hazard=0.1, mu0=0.0, var0=4.0, var_x=1.0,
                                       max_run=12):
    # Adams & MacKay run-length filter with the run length truncated at max_run
    T = x.shape[0]
    log_r = np.full(max_run, -np.inf)
    log_r[0] = 0.0
    mu = np.full(max_run, mu0)
    var = np.full(max_run, var0)
    cp = np.zeros(T)
    for t in range(T):
        pred = norm.logpdf(x[t], mu, np.sqrt(var + var_x))
        growth = log_r + pred + np.log(1 - hazard)
        change = logsumexp(log_r + pred + np.log(hazard))
        new = np.empty(max_run)
        new[0] = change
        new[1:] = growth[:-1]
        new[-1] = np.logaddexp(new[-1], growth[-1])
        log_r = new - logsumexp(new)
        cp[t] = np.exp(log_r[0])
        post_var = 1 / (1 / var + 1 / var_x)
        post_mu = post_var * (mu / var + x[t] / var_x)
        mu = np.r_[mu0, post_mu[:-1]]
        var = np.r_[var0, post_var[:-1]]
    return cp, np.exp(log_r)


# ============================================================================== eye tracking

SCREEN = {"width_px": 1920, "width_cm": 53.0, "dist_cm": 60.0}


def pix2deg(px):
    cm_per_px = SCREEN["width_cm"] / SCREEN["width_px"]
    return np.degrees(np.arctan2(px * cm_per_px, SCREEN["dist_cm"]))


def ivt_velocity_labels(x, y, fs=500.0, thr=30.0):
    # velocity by np.gradient in deg/s, I-VT labels, fixation onsets counted by np.diff
    xd, yd = pix2deg(x), pix2deg(y)
    vx = np.gradient(xd, 1 / fs)
    vy = np.gradient(yd, 1 / fs)
    vel = np.hypot(vx, vy)
    is_fix = vel < thr
    labels = np.where(is_fix, 1, 2).astype(np.int8)
    onsets = np.sum(np.diff(is_fix.astype(int)) == 1) + int(is_fix[0])
    return vel, labels, onsets, is_fix.mean()


def engbert_kliegl_velocity(x, fs=500.0):
    # 5-sample moving window velocity (Engbert & Kliegl 2003)
    v = np.zeros_like(x)
    v[2:-2] = fs / 6 * (x[4:] + x[3:-1] - x[1:-3] - x[:-4])
    v[1] = fs / 2 * (x[2] - x[0])
    v[-2] = fs / 2 * (x[-1] - x[-3])
    return v


def microsaccade_candidates(xy, fs=500.0, lam=6.0):
    vx = engbert_kliegl_velocity(xy[:, 0], fs)
    vy = engbert_kliegl_velocity(xy[:, 1], fs)
    msdx = np.sqrt(np.median(vx ** 2) - np.median(vx) ** 2)
    msdy = np.sqrt(np.median(vy ** 2) - np.median(vy) ** 2)
    radx, rady = lam * msdx, lam * msdy
    test = (vx / radx) ** 2 + (vy / rady) ** 2
    return test > 1, radx, rady


def idt_dispersion(x, y, window=6, max_disp=1.0):
    # I-DT on sliding windows: dispersion = (max - min) in x plus in y
    wx = sliding_window_view(x, window)
    wy = sliding_window_view(y, window)
    disp = (wx.max(axis=1) - wx.min(axis=1)) + (wy.max(axis=1) - wy.min(axis=1))
    fix_window = disp <= max_disp
    covered = np.zeros(x.shape[0], dtype=bool)
    for k in range(window):
        covered[k:k + fix_window.size] |= fix_window
    return disp, covered


def saccade_amplitudes_by_labels(x, y, is_sacc, max_events):
    # events numbered by a cumsum of onsets; amplitudes from per-event first and last samples
    onset = np.r_[is_sacc[0], is_sacc[1:] & ~is_sacc[:-1]]
    ev = np.cumsum(onset) * is_sacc
    idx = np.arange(x.size)
    first = np.full(max_events + 1, x.size)
    last = np.full(max_events + 1, -1)
    np.minimum.at(first, ev, idx)
    np.maximum.at(last, ev, idx)
    first, last = first[1:], last[1:]
    valid = last >= 0
    f = np.where(valid, first, 0)
    la = np.where(valid, last, 0)
    amp = np.where(valid, np.hypot(x[la] - x[f], y[la] - y[f]), 0.0)
    return amp, valid.sum()


def fixation_heatmap(x, y, dur, bins=(8, 6), extent=((0, 1920), (0, 1080))):
    H, xe, ye = np.histogram2d(x, y, bins=bins, range=extent, weights=dur)
    return H.T / H.sum(), xe, ye


AOIS = np.array([[100, 100, 500, 400], [800, 200, 1200, 700], [1300, 600, 1800, 1000]])


def aoi_dwell(x, y, dur):
    # rectangles (x0, y0, x1, y1) from a module table; dwell time and first hit per AOI
    inside = ((x[:, None] >= AOIS[:, 0]) & (x[:, None] <= AOIS[:, 2])
              & (y[:, None] >= AOIS[:, 1]) & (y[:, None] <= AOIS[:, 3]))
    dwell = dur @ inside
    ever = inside.any(axis=0)
    first = np.where(ever, inside.argmax(axis=0), -1)
    return dwell, first, inside.sum(axis=0)


def pupil_blink_interpolation(pupil, t):
    # blinks (zeros from the tracker) set to NaN and linearly interpolated over
    p = pupil.astype(float).copy()
    p[p <= 0] = np.nan
    nans = np.isnan(p)
    p[nans] = np.interp(t[nans], t[~nans], p[~nans])
    return p


def pupil_baseline(epochs, n_base, how="subtractive"):
    base = np.nanmedian(epochs[:, :n_base], axis=1, keepdims=True)
    if how == "subtractive":
        return epochs - base
    return (epochs - base) / base * 100


def gaze_savgol_velocity(x, y, fs=250.0):
    vx = scipy.signal.savgol_filter(x, 7, 2, deriv=1, delta=1 / fs)
    vy = scipy.signal.savgol_filter(y, 7, 2, deriv=1, delta=1 / fs)
    speed = np.sqrt(vx ** 2 + vy ** 2)
    acc = np.abs(np.gradient(speed, 1 / fs))
    return speed, acc, np.max(speed)


# ================================================================================= fMRI GLM


def spm_hrf(tr, length=32.0, peak=6.0, under=16.0, ratio=1 / 6.0):
    t = np.arange(0, length, tr)
    h = stats.gamma.pdf(t, peak) - ratio * stats.gamma.pdf(t, under)
    return h / h.sum()


def hrf_with_derivative(tr, length=24.0):
    t = np.arange(0, length + tr, tr)
    h = stats.gamma.pdf(t, 6, scale=1.0) - stats.gamma.pdf(t, 16, scale=1.0) / 6
    dh = np.gradient(h, tr)
    return np.column_stack([h / h.max(), dh / np.abs(dh).max()])


def design_from_onsets(onsets, durations, n_scans, tr=2.0):
    # boxcar per condition by slice writes in a Python loop, convolved with the HRF
    hrf = spm_hrf(tr)
    n_cond = len(onsets)
    X = np.ones((n_scans, n_cond + 1))
    for j in range(n_cond):
        box = np.zeros(n_scans)
        for o, d in zip(onsets[j], durations[j]):
            box[int(o / tr):int((o + d) / tr)] = 1.0
        X[:, j] = np.convolve(box, hrf)[:n_scans]
    return X


def design_from_index_array(events, n_scans, tr=2.0):
    # events: (n_cond, n_scans) 0/1 stick functions; convolution per column
    hrf = spm_hrf(tr)
    X = np.column_stack([np.convolve(events[j], hrf, mode="full")[:n_scans]
                         for j in range(events.shape[0])])
    drift = np.linspace(-1, 1, n_scans)
    return np.column_stack([X, drift, drift ** 2, np.ones(n_scans)])


def glm_ols_pinv(X, Y, c):
    # betas by pinv, residual variance, a t-contrast and two-sided p-values
    betas = np.linalg.pinv(X) @ Y
    res = Y - X @ betas
    dof = X.shape[0] - np.linalg.matrix_rank(X)
    sigma2 = np.sum(res ** 2, axis=0) / dof
    cvar = c @ np.linalg.inv(X.T @ X) @ c
    t = c @ betas / np.sqrt(sigma2 * cvar)
    p = 2 * stats.t.sf(np.abs(t), dof)
    return betas, t, p


def glm_f_contrast(X, Y, C):
    # F for a contrast matrix by the extra-sum-of-squares of the reduced model
    n, k = X.shape
    b = np.linalg.lstsq(X, Y, rcond=None)[0]
    rss = ((Y - X @ b) ** 2).sum(0)
    X0 = X - X @ np.linalg.pinv(C) @ C
    b0 = np.linalg.pinv(X0) @ Y
    rss0 = ((Y - X0 @ b0) ** 2).sum(0)
    q = np.linalg.matrix_rank(C)
    F = ((rss0 - rss) / q) / (rss / (n - k))
    return F, stats.f.sf(F, q, n - k)


def glm_ar1_prewhiten(X, y):
    # Cochrane-Orcutt: AR(1) from OLS residuals, whitened refit
    b = np.linalg.solve(X.T @ X, X.T @ y)
    r = y - X @ b
    rho = np.sum(r[1:] * r[:-1]) / np.sum(r ** 2)
    yw = y[1:] - rho * y[:-1]
    Xw = X[1:] - rho * X[:-1]
    bw = np.linalg.solve(Xw.T @ Xw, Xw.T @ yw)
    return rho, bw


def dct_highpass(Y, tr, cutoff=128.0):
    # SPM's discrete cosine set up to the cutoff period, projected out of the data
    n = Y.shape[0]
    k = int(np.floor(2 * n * tr / cutoff + 1))
    t = np.arange(n)
    C = np.sqrt(2.0 / n) * np.cos(np.pi * (2 * t[:, None] + 1) * np.arange(1, k)[None, :]
                                  / (2 * n))
    return Y - C @ (C.T @ Y)


def framewise_displacement(motion, radius=50.0, thr=0.5):
    # Power et al. (2012): three translations (mm), three rotations (rad) on a 50 mm sphere
    d = np.abs(np.diff(motion, axis=0))
    d[:, 3:] *= radius
    fd = np.concatenate([[0.0], d.sum(axis=1)])
    bad = fd > thr
    censor = bad | np.r_[bad[1:], False] | np.r_[False, bad[:-1]]
    return fd, (~censor).astype(np.float32)


def roi_timeseries(data, labels, n_rois):
    # data (x, y, z, t), integer atlas (x, y, z); mean time series per label by masks
    ts = np.zeros((n_rois, data.shape[-1]))
    for r in range(n_rois):
        mask = labels == r + 1
        ts[r] = data[mask].mean(axis=0)
    return ts


def connectivity_fisher_z(ts):
    r = np.corrcoef(ts)
    np.fill_diagonal(r, 0)
    z = np.arctanh(r)
    iu = np.triu_indices_from(z, k=1)
    return z, z[iu].mean()


def parametric_modulator(onsets_idx, values, n_scans, tr=2.0):
    # the modulator mean-centred and orthogonalised against the main regressor
    hrf = spm_hrf(tr)
    main = np.zeros(n_scans)
    mod = np.zeros(n_scans)
    main[onsets_idx] = 1
    mod[onsets_idx] = values - values.mean()
    main = np.convolve(main, hrf)[:n_scans]
    mod = np.convolve(mod, hrf)[:n_scans]
    mod = mod - main * (main @ mod) / (main @ main)
    return np.column_stack([main, mod])


def event_related_average(y, onsets, pre, post):
    # peri-stimulus epochs by an index matrix, baseline by the pre-stimulus mean
    idx = onsets[:, None] + np.arange(-pre, post)[None, :]
    ep = y[idx]
    ep = ep - ep[:, :pre].mean(axis=1, keepdims=True)
    return ep.mean(axis=0), ep.std(axis=0, ddof=1) / np.sqrt(len(onsets))


def group_t_map_fdr(con_maps, q=0.05):
    # one-sample t over subjects per voxel, two-sided p, Benjamini-Hochberg by SciPy
    res = stats.ttest_1samp(con_maps, 0.0, axis=0)
    p_fdr = stats.false_discovery_control(res.pvalue)
    return res.statistic, p_fdr, p_fdr < q


def voxelwise_glm_einsum(X, data4d):
    # betas for every voxel of a (x, y, z, t) volume by einsum with the pseudo-inverse
    pinv = np.linalg.pinv(X)
    betas = np.einsum("kt,xyzt->xyzk", pinv, data4d)
    fitted = np.einsum("tk,xyzk->xyzt", X, betas)
    ss_tot = ((data4d - data4d.mean(-1, keepdims=True)) ** 2).sum(-1)
    r2 = 1 - ((data4d - fitted) ** 2).sum(-1) / ss_tot
    return betas, r2


# ================================================================================ EEG and ERP

SFREQ = 250.0


def epoch_and_baseline(raw, events, tmin=-0.2, tmax=0.6):
    # raw (n_channels, n_times), events: sample indices; epochs (n_ep, n_ch, n_t)
    start = int(round(tmin * SFREQ))
    stop = int(round(tmax * SFREQ))
    idx = events[:, None] + np.arange(start, stop)
    epochs = raw[:, idx].transpose(1, 0, 2)
    base = epochs[:, :, :-start].mean(axis=-1, keepdims=True)
    return epochs - base


def erp_by_condition(epochs, cond, n_cond):
    erps = np.stack([epochs[cond == c].mean(axis=0) for c in range(n_cond)])
    return erps, erps[1] - erps[0]


def peak_latency(erp, times, t0, t1, polarity=1):
    win = (times >= t0) & (times <= t1)
    x = np.where(win, polarity * erp, -np.inf)
    idx = np.argmax(x, axis=-1)
    return times[idx], np.take_along_axis(erp, idx[..., None], axis=-1)[..., 0]


ERP_WINDOWS = {"N1": (0.08, 0.12), "P2": (0.15, 0.25), "P3": (0.3, 0.5)}
BANDS = {"theta": (4, 8), "alpha": (8, 13), "beta": (13, 30)}


def mean_amplitude(epochs, times, windows=ERP_WINDOWS):
    # component windows from a module dict of names
    out = {}
    for name, (a, b) in windows.items():
        m = (times >= a) & (times < b)
        out[name] = epochs[..., m].mean(axis=-1)
    return out


def ptp_rejection_average(epochs, thr=150e-6):
    # peak-to-peak rejection; averages over kept trials by weights
    ptp = np.ptp(epochs, axis=-1).max(axis=-1)
    keep = ptp < thr
    erp = np.average(epochs, axis=0, weights=keep.astype(float))
    return erp, keep.sum()


def jackknife_latency(epochs, times, frac=0.5):
    # leave-one-out averages; 50%-peak latency per subaverage (Miller et al. 1998)
    n = epochs.shape[0]
    total = epochs.sum(axis=0)
    loo = (total[None] - epochs) / (n - 1)
    peak = loo.max(axis=-1, keepdims=True)
    onset = np.argmax(loo >= frac * peak, axis=-1)
    lat = times[onset]
    se = np.sqrt((n - 1) / n * np.sum((lat - lat.mean()) ** 2))
    return lat, se


def morlet_tfr(x, freqs, n_cycles=5):
    # complex Morlet convolution per frequency; power in dB against a pre-stimulus baseline
    t = np.arange(-0.5, 0.5 + 1 / SFREQ, 1 / SFREQ)
    power = np.zeros((len(freqs), x.shape[-1]))
    for i, f in enumerate(freqs):
        s = n_cycles / (2 * np.pi * f)
        wav = np.exp(2j * np.pi * f * t) * np.exp(-t ** 2 / (2 * s ** 2))
        wav /= np.sqrt(np.sum(np.abs(wav) ** 2))
        conv = np.convolve(x, wav, mode="same")
        power[i] = np.abs(conv) ** 2
    base = power[:, :25].mean(axis=1, keepdims=True)
    return 10 * np.log10(power / base)


def itpc_fft(epochs, n_fft=None):
    X = np.fft.rfft(epochs, n=n_fft, axis=-1)
    itpc = np.abs(np.mean(X / np.abs(X), axis=0))
    power = np.mean(np.abs(X) ** 2, axis=0)
    freqs = np.fft.rfftfreq(n_fft or epochs.shape[-1], 1 / SFREQ)
    return freqs, itpc, power


def ssvep_snr(x, n_neighbors=5):
    amp = np.abs(np.fft.rfft(x, axis=-1)) / x.shape[-1]
    k = np.ones(2 * n_neighbors + 3)
    k[n_neighbors:n_neighbors + 3] = 0
    k /= k.sum()
    noise = np.apply_along_axis(lambda a: np.convolve(a, k, mode="same"), -1, amp)
    return amp / noise


def band_power_welch(x, bands=BANDS):
    f, pxx = scipy.signal.welch(x, fs=SFREQ, nperseg=64, axis=-1)
    df = f[1] - f[0]
    return np.stack([pxx[..., (f >= lo) & (f < hi)].sum(axis=-1) * df
                     for lo, hi in bands.values()], axis=-1)


B_ERP, A_ERP = scipy.signal.butter(4, 30.0, btype="low", fs=SFREQ)


def butter_erp(x, lo=1.0, hi=30.0, order=4):
    # a band-pass designed inside in second-order sections, a low-pass designed at import
    sos = scipy.signal.butter(order, [lo, hi], btype="band", fs=SFREQ, output="sos")
    return scipy.signal.sosfiltfilt(sos, x, axis=-1), scipy.signal.filtfilt(B_ERP, A_ERP, x)


# ============================================================== inter-subject correlation


def isc_leave_one_out(data):
    # data (n_subj, n_time): each subject against the mean of the others
    n = data.shape[0]
    iscs = np.zeros(n)
    for s in range(n):
        others = np.delete(data, s, axis=0).mean(axis=0)
        iscs[s] = np.corrcoef(data[s], others)[0, 1]
    return iscs, np.tanh(np.arctanh(iscs).mean())


def isc_pairwise_zscore(data):
    z = (data - data.mean(axis=1, keepdims=True)) / data.std(axis=1, keepdims=True)
    r = z @ z.T / data.shape[1]
    iu = np.triu_indices(data.shape[0], k=1)
    return r[iu], np.median(r[iu])


def isc_voxelwise(data):
    # data (n_subj, n_time, n_vox): leave-one-out ISC per voxel with einsum correlations
    n = data.shape[0]
    zs = (data - data.mean(1, keepdims=True)) / data.std(1, keepdims=True)
    total = zs.sum(axis=0)
    out = np.empty((n, data.shape[2]))
    for s in range(n):
        o = (total - zs[s]) / (n - 1)
        o = (o - o.mean(0)) / o.std(0)
        out[s] = np.einsum("tv,tv->v", zs[s], o) / data.shape[1]
    return out


def isc_phase_randomized(data, rng):
    # a surrogate by phase randomisation of each subject's time series
    n, T = data.shape
    F = np.fft.rfft(data, axis=1)
    phases = rng.uniform(0, 2 * np.pi, size=F.shape)
    phases[:, 0] = 0
    if T % 2 == 0:
        phases[:, -1] = 0
    surr = np.fft.irfft(np.abs(F) * np.exp(1j * phases), n=T, axis=1)
    return isc_pairwise_zscore(surr)[0]


# ========================================================= representational similarity


def rsa_spearman_upper(patterns, model_rdm):
    rdm = 1 - np.corrcoef(patterns)
    iu = np.triu_indices(rdm.shape[0], k=1)
    rho, p = stats.spearmanr(rdm[iu], model_rdm[iu])
    return rho, p


def rsa_rank_corr_by_hand(patterns, model_rdm):
    rdm = 1 - np.corrcoef(patterns)
    iu = np.triu_indices_from(rdm, 1)
    a = stats.rankdata(rdm[iu])
    b = stats.rankdata(model_rdm[iu])
    return np.corrcoef(a, b)[0, 1]


def rdm_pdist_squareform(patterns):
    from scipy.spatial.distance import pdist, squareform
    d = pdist(patterns, metric="correlation")
    e = pdist(patterns, metric="euclidean")
    return squareform(d), squareform(e) / e.max()


def crossnobis(b_run1, b_run2, noise_cov):
    # cross-validated Mahalanobis distances between conditions across two runs
    W = np.linalg.inv(noise_cov)
    n = b_run1.shape[0]
    i, j = np.triu_indices(n, k=1)
    d1 = b_run1[i] - b_run1[j]
    d2 = b_run2[i] - b_run2[j]
    dist = np.einsum("pv,vw,pw->p", d1, W, d2) / b_run1.shape[1]
    D = np.zeros((n, n))
    D[i, j] = dist
    D[j, i] = dist
    return D


def rdm_noise_ceiling(rdms):
    # rdms (n_subj, n_cond, n_cond): upper bound vs group mean, lower bound leave-one-out
    n = rdms.shape[0]
    iu = np.triu_indices(rdms.shape[1], 1)
    vecs = rdms[:, iu[0], iu[1]]
    ranks = np.argsort(np.argsort(vecs, axis=1), axis=1).astype(float)
    mean_all = ranks.mean(0)
    upper = np.array([np.corrcoef(ranks[s], mean_all)[0, 1] for s in range(n)])
    lower = np.array([np.corrcoef(ranks[s], np.delete(ranks, s, 0).mean(0))[0, 1]
                      for s in range(n)])
    return upper.mean(), lower.mean()


def rsa_model_regression(data_rdm, model_rdms):
    # data RDM on several model RDMs by least squares over the upper triangle
    iu = np.triu_indices(data_rdm.shape[0], 1)
    y = data_rdm[iu]
    X = np.column_stack([m[iu] for m in model_rdms] + [np.ones(y.size)])
    X[:, :-1] = (X[:, :-1] - X[:, :-1].mean(0)) / X[:, :-1].std(0)
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    return coef


def classical_mds(D, k=2):
    # Torgerson: double centring of squared distances, top eigenvectors of B
    n = D.shape[0]
    J = np.eye(n) - np.ones((n, n)) / n
    B = -0.5 * J @ (D ** 2) @ J
    evals, evecs = np.linalg.eigh(B)
    order = np.argsort(evals)[::-1]
    evals, evecs = evals[order], evecs[:, order]
    L = np.sqrt(np.maximum(evals[:k], 0))
    coords = evecs[:, :k] * L
    stress = np.sqrt(np.sum((D - np.sqrt(((coords[:, None] - coords[None]) ** 2).sum(-1)))
                            ** 2) / np.sum(D ** 2))
    return np.abs(coords), evals, stress


def procrustes_align(X, Y):
    # rotate configuration Y onto X (orthogonal Procrustes by SVD), centred and scaled
    Xc = X - X.mean(0)
    Yc = Y - Y.mean(0)
    Xc /= np.linalg.norm(Xc)
    Yc /= np.linalg.norm(Yc)
    U, s, Vt = np.linalg.svd(Yc.T @ Xc)
    R = U @ Vt
    return Yc @ R * s.sum(), 1 - s.sum() ** 2


# ====================================================================== questionnaire scoring

# a 20-item Big-Five-like inventory: subscales by item index, reverse-keyed items
SUBSCALES = {
    "extraversion": [0, 5, 10, 15],
    "agreeableness": [1, 6, 11, 16],
    "conscientiousness": [2, 7, 12, 17],
    "neuroticism": [3, 8, 13, 18],
    "openness": [4, 9, 14, 19],
}
REVERSED = [5, 6, 12, 13, 14, 15, 19]
LIKERT_MIN, LIKERT_MAX = 1, 5
NORMS = {"extraversion": (12.1, 3.4), "agreeableness": (14.0, 2.9),
         "conscientiousness": (13.2, 3.1), "neuroticism": (10.5, 3.6), "openness": (13.8, 3.0)}


def score_inventory(responses):
    # reverse-key in place, then subscale sums and T-scores from a norms table
    responses[:, REVERSED] = LIKERT_MAX + LIKERT_MIN - responses[:, REVERSED]
    scores = {}
    for name, items in SUBSCALES.items():
        raw = responses[:, items].sum(axis=1)
        mu, sd = NORMS[name]
        scores[name] = raw
        scores[name + "_T"] = 50 + 10 * (raw - mu) / sd
    return scores


def score_inventory_int8(responses):
    # int8 storage, as some export scripts save item responses
    rev = responses.copy()
    rev[:, REVERSED] = 6 - rev[:, REVERSED]
    return np.stack([rev[:, items].sum(axis=1) for items in SUBSCALES.values()], axis=1), \
        rev.mean(axis=1), rev


def cronbach_alpha_ddof(items):
    k = items.shape[1]
    item_vars = items.var(axis=0, ddof=1)
    total_var = items.sum(axis=1).var(ddof=1)
    return k / (k - 1) * (1 - item_vars.sum() / total_var)


def alpha_per_subscale(responses):
    return {name: cronbach_alpha_ddof(responses[:, items])
            for name, items in SUBSCALES.items()}


def alpha_if_item_deleted(items):
    k = items.shape[1]
    out = np.empty(k)
    for j in range(k):
        sub = np.delete(items, j, axis=1)
        out[j] = cronbach_alpha_ddof(sub)
    return out


def corrected_item_total(items):
    total = items.sum(axis=1)
    r = np.zeros(items.shape[1])
    for j in range(items.shape[1]):
        rest = total - items[:, j]
        r[j] = np.corrcoef(items[:, j], rest)[0, 1]
    return r


def mcdonald_omega_pc(items):
    # omega from first-principal-component loadings of the correlation matrix
    R = np.corrcoef(items, rowvar=False)
    evals, evecs = np.linalg.eigh(R)
    lam = evecs[:, -1] * np.sqrt(evals[-1])
    uniq = 1 - lam ** 2
    return lam.sum() ** 2 / (lam.sum() ** 2 + uniq.sum()), evals[-1] / evals.sum()


def prorated_scores(responses, max_missing=1):
    n_items = responses.shape[1]
    n_missing = np.isnan(responses).sum(axis=1)
    prorated = np.nanmean(responses, axis=1) * n_items
    return np.where(n_missing <= max_missing, prorated, np.nan), n_missing


def icc_2_1(ratings):
    # Shrout & Fleiss ICC(2,1) from the two-way ANOVA mean squares
    n, k = ratings.shape
    grand = ratings.mean()
    ms_r = k * ((ratings.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    ms_c = n * ((ratings.mean(axis=0) - grand) ** 2).sum() / (k - 1)
    resid = ratings - ratings.mean(1, keepdims=True) - ratings.mean(0, keepdims=True) + grand
    ms_e = (resid ** 2).sum() / ((n - 1) * (k - 1))
    return (ms_r - ms_e) / (ms_r + (k - 1) * ms_e + k * (ms_c - ms_e) / n)


def cohen_kappa_weighted(r1, r2, n_cat, weights="quadratic"):
    obs = np.zeros((n_cat, n_cat))
    np.add.at(obs, (r1, r2), 1)
    E = np.outer(obs.sum(1), obs.sum(0)) / obs.sum()
    i, j = np.indices((n_cat, n_cat))
    W = (i - j) ** 2 if weights == "quadratic" else np.abs(i - j)
    return 1 - (W * obs).sum() / (W * E).sum()


# ============================================================ effect sizes and bootstraps


def cohens_d_pooled(x, y):
    nx, ny = len(x), len(y)
    s = np.sqrt(((nx - 1) * np.var(x, ddof=1) + (ny - 1) * np.var(y, ddof=1)) / (nx + ny - 2))
    return (np.mean(x) - np.mean(y)) / s


def hedges_g_exact(x, y):
    d = cohens_d_pooled(x, y)
    df = len(x) + len(y) - 2
    J = np.exp(gammaln(df / 2) - np.log(np.sqrt(df / 2)) - gammaln((df - 1) / 2))
    J_approx = 1 - 3 / (4 * df - 1)
    return d * J, d * J_approx


def paired_effect_sizes(pre, post):
    diff = post - pre
    d_z = diff.mean() / diff.std(ddof=1)
    d_av = diff.mean() / ((pre.std(ddof=1) + post.std(ddof=1)) / 2)
    r = np.corrcoef(pre, post)[0, 1]
    d_rm = d_z * np.sqrt(2 * (1 - r))
    return d_z, d_av, d_rm


def one_way_eta_squared(y, group, k):
    grand = y.mean()
    ss_b = 0.0
    for g in range(k):
        m = group == g
        ss_b += np.sum(m) * (y[m].mean() - grand) ** 2
    ss_t = ((y - grand) ** 2).sum()
    ss_w = ss_t - ss_b
    df_b, df_w = k - 1, y.size - k
    F = (ss_b / df_b) / (ss_w / df_w)
    omega2 = (ss_b - df_b * ss_w / df_w) / (ss_t + ss_w / df_w)
    return ss_b / ss_t, omega2, F, stats.f.sf(F, df_b, df_w)


def partial_eta_2x2(y):
    # y (n_per_cell, 2, 2) balanced between-subjects design
    n = y.shape[0]
    cell = y.mean(0)
    grand = y.mean()
    a = cell.mean(1) - grand
    b = cell.mean(0) - grand
    ab = cell - a[:, None] - b[None, :] - grand
    ss_a = 2 * n * (a ** 2).sum()
    ss_b = 2 * n * (b ** 2).sum()
    ss_ab = n * (ab ** 2).sum()
    ss_e = ((y - cell) ** 2).sum()
    return {k: v / (v + ss_e) for k, v in (("A", ss_a), ("B", ss_b), ("AxB", ss_ab))}


def cliffs_delta_and_cles(x, y):
    diff = np.sign(x[:, None] - y[None, :])
    delta = diff.mean()
    cles = (diff > 0).mean() + 0.5 * (diff == 0).mean()
    return delta, cles


def auc_mann_whitney_ranks(x, y):
    r = stats.rankdata(np.concatenate([x, y]))
    u = r[:len(x)].sum() - len(x) * (len(x) + 1) / 2
    return u / (len(x) * len(y))


def r_fisher_ci(x, y, alpha=0.05):
    r = np.corrcoef(x, y)[0, 1]
    z = np.arctanh(r)
    se = 1 / np.sqrt(len(x) - 3)
    zc = norm.ppf(1 - alpha / 2)
    lo, hi = np.tanh([z - zc * se, z + zc * se])
    d = 2 * r / np.sqrt(1 - r ** 2)
    return r, lo, hi, d


def bootstrap_mean_ci(x, rng, n_boot=500):
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    boot = x[idx].mean(axis=1)
    return np.percentile(boot, [2.5, 97.5]), boot.std(ddof=1)


def bootstrap_d_loop(x, y, rng, n_boot=40):
    ds = np.empty(n_boot)
    for b in range(n_boot):
        xb = rng.choice(x, size=x.size, replace=True)
        yb = rng.choice(y, size=y.size, replace=True)
        ds[b] = cohens_d_pooled(xb, yb)
    return np.quantile(ds, [0.025, 0.975])


def bca_interval(x, rng, n_boot=300, alpha=0.05):
    # bias-corrected and accelerated percentile interval of the mean (Efron 1987)
    n = x.size
    theta = x.mean()
    boot = x[rng.integers(0, n, (n_boot, n))].mean(1)
    z0 = norm.ppf((boot < theta).mean())
    jack = (x.sum() - x) / (n - 1)
    jm = jack.mean()
    acc = ((jm - jack) ** 3).sum() / (6 * ((jm - jack) ** 2).sum() ** 1.5)
    zs = norm.ppf([alpha / 2, 1 - alpha / 2])
    adj = norm.cdf(z0 + (z0 + zs) / (1 - acc * (z0 + zs)))
    return np.percentile(boot, 100 * adj)


def permutation_test_means(x, y, rng, n_perm=200):
    obs = x.mean() - y.mean()
    pooled = np.concatenate([x, y])
    null = np.empty(n_perm)
    for i in range(n_perm):
        perm = rng.permutation(pooled)
        null[i] = perm[:x.size].mean() - perm[x.size:].mean()
    return obs, (np.sum(np.abs(null) >= np.abs(obs)) + 1) / (n_perm + 1)


def sign_flip_test(diffs, rng, n_perm=300):
    # one-sample permutation test by random sign flips, as for group-level contrasts
    signs = rng.choice([-1, 1], size=(n_perm, diffs.size))
    null = (signs * diffs).mean(axis=1)
    obs = diffs.mean()
    return (np.abs(null) >= abs(obs)).mean()


def subject_bootstrap_by_cluster(data, rng, n_boot=100):
    # resample subjects (rows) with replacement, average over trials then subjects
    n_subj = data.shape[0]
    subj_means = data.mean(axis=1)
    picks = rng.integers(0, n_subj, (n_boot, n_subj))
    boot = subj_means[picks].mean(axis=1)
    return boot.mean(), np.std(boot, ddof=1), np.quantile(boot, [0.05, 0.95], method="nearest")


# ======================================================================= stimuli and designs


def gabor_patch(sf, theta, phase, sigma, size=16, contrast=1.0, gamma=2.2):
    # PsychoPy-style Gabor in a float32 texture, gamma-corrected to uint8 grey levels
    half = size // 2
    y, x = np.mgrid[-half:half, -half:half].astype(np.float32) / size
    xr = x * np.cos(theta) + y * np.sin(theta)
    grating = np.cos(2 * np.pi * sf * xr + phase)
    env = np.exp(-(x ** 2 + y ** 2) / (2 * sigma ** 2))
    lum = (0.5 + 0.5 * contrast * grating * env).astype(np.float32)
    img = np.round(255 * lum ** (1 / gamma)).astype(np.uint8)
    return lum, img


def pink_noise_mask(rng, size=32, alpha=1.0, rms=0.2):
    # 1/f^alpha noise by shaping white noise in the Fourier domain
    white = rng.standard_normal((size, size))
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.fftfreq(size)[None, :]
    f = np.sqrt(fx ** 2 + fy ** 2)
    f[0, 0] = 1.0
    spec = np.fft.fft2(white) / f ** alpha
    spec[0, 0] = 0
    img = np.fft.ifft2(spec).real
    img = img / img.std() * rms
    return np.clip(0.5 + img, 0, 1)


def random_dot_step(pos, life, rng, coherence=0.5, speed=2.0, direction=0.0, field=100.0,
                    max_life=5, n_frames=4):
    # random-dot kinematogram: coherent dots move together, others randomly, wrap at the
    # field's edge; dots past their lifetime are replotted
    n = pos.shape[0]
    for _ in range(n_frames):
        coh = rng.random(n) < coherence
        ang = np.where(coh, direction, rng.uniform(0, 2 * np.pi, n))
        pos = pos + speed * np.column_stack([np.cos(ang), np.sin(ang)])
        pos %= field
        life += 1
        dead = life >= max_life
        pos = np.where(dead[:, None], rng.uniform(0, field, (n, 2)), pos)
        life[dead] = 0
    return pos, life


def search_display(rng, n_items, rows=6, cols=8, cell_px=80, jitter=10):
    cells = rng.choice(rows * cols, size=n_items, replace=False)
    r, c = np.unravel_index(cells, (rows, cols))
    xy = np.column_stack([c, r]) * cell_px + cell_px / 2
    xy = xy + rng.integers(-jitter, jitter + 1, size=xy.shape)
    target = np.zeros(n_items, dtype=bool)
    target[0] = True
    return xy, target


def trial_sequence(rng, conds, n_rep):
    seq = np.repeat(conds, n_rep)
    rng.shuffle(seq)
    reps = np.r_[False, seq[1:] == seq[:-1]]
    return seq, reps.sum()


def balanced_latin_square(labels):
    # Williams design for an even number of conditions: 0, 1, n-1, 2, n-2, ... shifted by row
    n = labels.shape[0]
    first = np.zeros(n, dtype=int)
    first[1::2] = np.arange(1, n // 2 + 1)
    first[2::2] = n - np.arange(1, (n - 1) // 2 + 1)
    square = (first[None, :] + np.arange(n)[:, None]) % n
    return labels[square]


def tone_with_ramps(freq, dur_samples, itd_samples, fs=44100, ramp=0.005):
    # a pure tone with raised-cosine ramps, an interaural delay, int16 stereo samples
    t = np.arange(dur_samples) / fs
    tone = np.sin(2 * np.pi * freq * t)
    n_ramp = int(ramp * fs)
    env = np.ones(dur_samples)
    win = np.hanning(2 * n_ramp)
    env[:n_ramp] = win[:n_ramp]
    env[-n_ramp:] = win[n_ramp:]
    left = tone * env
    right = np.roll(left, itd_samples)
    right[:itd_samples] = 0
    stereo = np.column_stack([left, right])
    return (stereo * 0.9 * np.iinfo(np.int16).max).astype(np.int16)


# ==================================================================== more library idioms

LINKS = {"probit": norm.cdf, "logit": expit, "cloglog": lambda z: 1 - np.exp(-np.exp(z))}


def psy_by_link(x, k, n, mu, sigma, link="probit"):
    # psignifit-style sigmoid chosen by name from a module dict of link functions
    p = 0.02 + 0.96 * LINKS[link]((x - mu) / sigma)
    return -(k * np.log(p) + (n - k) * np.log(1 - p)).sum()


def dprime_ppf_default(hr, far, ppf=norm.ppf):
    return ppf(hr) - ppf(far)


def rsa_spearman_correlation_attr(rdm_a, rdm_b):
    # the older result attribute, still in SciPy: spearmanr(...).correlation
    iu = np.triu_indices(rdm_a.shape[0], 1)
    return stats.spearmanr(rdm_a[iu], rdm_b[iu]).correlation


def pearson_with_ci(x, y):
    res = stats.pearsonr(x, y)
    ci = res.confidence_interval(confidence_level=0.95)
    return res.statistic, ci.low, ci.high


def dprime_q_keyword(H, F):
    # the quantile passed by its keyword, as SciPy's signature names it
    return stats.norm.ppf(q=H) - stats.norm.ppf(q=F)


def welch_mean_difference_ci(x, y, alpha=0.05):
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    df = (vx + vy) ** 2 / (vx ** 2 / (x.size - 1) + vy ** 2 / (y.size - 1))
    half = stats.t.ppf(q=1 - alpha / 2, df=df) * np.sqrt(vx + vy)
    diff = x.mean() - y.mean()
    return diff - half, diff + half, df


def psy_binom_keywords(x, k, n, mu, sigma):
    p = 0.02 + 0.96 * norm.cdf(x, loc=mu, scale=sigma)
    return -stats.binom.logpmf(k=k, n=n, p=p).sum()


def rt_shape_keywords(rt):
    # the data passed by keyword to SciPy's descriptive statistics
    return stats.skew(a=rt), stats.kurtosis(a=rt), stats.variation(a=rt)


def brain_behaviour_pearsonr(isc, score):
    # the test result returned as it is, for the caller to unpack or print
    return stats.pearsonr(np.arctanh(isc), score)


# ===================================================================================== tables


def _rates(seed, *shape, lo=0.05, hi=0.95):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _sdt_trials(s, n):
    t = 12 * n
    stim = np.arange(t) // 3 % 2
    resp = (_u(s, t) < np.where(stim == 1, 0.75, 0.3)).astype(np.int64)
    return stim, resp, np.arange(t) % 3


def _counts_extreme(s, n):
    n_sig = np.full(n, 40)
    hits = _i(41, n, seed=s)
    hits[0], hits[1] = 40, 0
    fas = _i(41, n, seed=s + 1)
    fas[2] = 0
    return hits, n_sig, fas, np.full(n, 40)


def _levels(s, n):
    return np.sort(_pos(s, n, lo=0.3, hi=2.0))


def _binary(s, x, fn):
    return (_u(s, x.size) < fn(x)).astype(np.int64)


SDT = {
    "loglinear_module_alias_z": (sdt_loglinear, {}, lambda s, n: (
            _i(50, n, seed=s), _i(50, n, seed=s + 1), _i(50, n, seed=s + 2),
            _i(50, n, seed=s + 3))),
    "one_over_2n_dict": (sdt_one_over_2n, {}, lambda s, n: _counts_extreme(s, n)),
    "a_prime_masked_branches": (a_prime_masked, {}, lambda s, n: (
        _rates(s, 3 * n), _rates(s + 1, 3 * n))),
    "dprime_subject_loop": (dprime_by_subject_loop, {"n_subj": 3}, lambda s, n: _sdt_trials(s, n)),
    "dprime_subject_bincount": (dprime_by_subject_bincount, {"n_subj": 3},
                                lambda s, n: _sdt_trials(s, n)),
    "roc_ratings_polyfit_trapezoid": (roc_from_ratings, {}, lambda s, n: (
        np.sort(_i(30, 6, seed=s) + 5) + n, _i(30, 6, seed=s + 1)[::-1] + 5)),
    "dprime_mafc_interp": (dprime_mafc, {"m": 4}, lambda s, n: (_rates(s, n, lo=0.3, hi=0.95),)),
    "dprime_2afc_same_different": (dprime_2afc_and_sd, {}, lambda s, n: (
        _rates(s, n, lo=0.55, hi=0.95),)),
    "uvsd_ratings_nll": (uvsd_nll, {}, lambda s, n: (
        np.r_[1.2, 0.2, -1.0, np.log(_pos(s, 4, lo=0.2, hi=0.6))], _i(30, 6, seed=s) + n,
        _i(30, 6, seed=s + 1) + 1)),
    "sdt_binomial_loglik_gammaln": (sdt_binomial_loglik, {}, lambda s, n: (
        _pos(s, n, lo=0.5, hi=2.5), _f(n, seed=s) * 0.3, _i(30, n, seed=s) + 5, np.full(n, 40),
        _i(30, n, seed=s + 1) + 2, np.full(n, 40))),
    "dprime_ppf_q_keyword": (dprime_q_keyword, {}, lambda s, n: (_rates(s, n, lo=0.5, hi=0.95),
                                            _rates(s + 1, n, lo=0.05, hi=0.5))),
    "type2_auroc_loops": (type2_auroc, {"n_conf": 4}, lambda s, n: (
        (_u(s, 20 * n) < 0.7).astype(int), _i(4, 20 * n, seed=s + 1) + 1)),
}


@pytest.mark.parametrize("name", _names(SDT))
def test_signal_detection_matches_numpy(name):
    """d', c, beta, A', ROCs from ratings, mAFC tables, UVSD likelihoods: NumPy's values."""
    check_like_numpy(*SDT[name])


PSYCHOMETRIC = {
    "weibull_nll_unpacked_params": (weibull_nll, {}, lambda s, n: (
        np.array([1.0 + 0.1 * s, 3.0, 0.02]), _levels(s, n), _i(20, n, seed=s) + 10,
        np.full(n, 30))),
    "logistic_bernoulli_lapse_nll": (logistic_psy_bernoulli_nll, {}, lambda s, n: (
        np.array([0.1 * s, -0.5, -1.0]), _f(10 * n, seed=s),
        (_u(s + 1, 10 * n) < 0.6).astype(float))),
    "cumnorm_binom_logpmf": (cumnorm_psy_nll, {}, lambda s, n: (
        np.array([0.2, 1.0 + 0.1 * s, 0.04]), np.linspace(-2, 2, n), _i(15, n, seed=s) + 2,
        np.full(n, 20))),
    "binom_logpmf_keywords": (psy_binom_keywords, {}, lambda s, n: (
            np.linspace(-2, 2, n), _i(15, n, seed=s) + 2, np.full(n, 20), 0.1 * s, 0.8)),
    "grid_posterior_unravel": (psy_grid_posterior, {}, lambda s, n: (
        _levels(s, n), _i(20, n, seed=s) + 10, np.full(n, 30), np.linspace(0.5, 2.0, 9),
        np.linspace(1.0, 5.0, 7))),
    "threshold_and_slope": (weibull_threshold_slope, {}, lambda s, n: (
        _pos(s, n, lo=0.5, hi=2.0), _pos(s + 1, n, lo=1.5, hi=4.0))),
    "deviance_where_log": (psy_deviance, {}, lambda s, n: (
        np.r_[0, 20, _i(21, n, seed=s)], np.full(n + 2, 20), _rates(s + 1, n + 2))),
    "logistic_irls_fixed_iters": (logistic_irls, {"n_iter": 8}, lambda s, n: (
        _f(20 * n, seed=s), _binary(s + 1, _f(20 * n, seed=s), lambda x: expit(2 * x + 0.3)))),
    "proportions_add_at": (psychometric_by_condition, {"n_levels": 5, "n_cond": 2},
                           lambda s, n: (_i(5, 10 * n, seed=s), _i(2, 10 * n, seed=s + 1),
                                         _i(2, 10 * n, seed=s + 2))),
    "weibull_float32_rows": (weibull_float32_curve, {}, lambda s, n: (
        _levels(s, n).astype(np.float32), np.column_stack([
            _pos(s, 3, lo=0.5, hi=1.5), _pos(s + 1, 3, lo=2, hi=4), np.full(3, 0.02)]))),
}


@pytest.mark.parametrize("name", _names(PSYCHOMETRIC))
def test_psychometric_functions_match_numpy(name):
    """Weibull, logistic and cumulative normal functions, likelihoods, grids, thresholds,
    deviance and Newton fits: NumPy's values."""
    check_like_numpy(*PSYCHOMETRIC[name])


STAIRCASE = {
    "one_up_one_down_where": (staircase_1up1down, {"n_trials": 20}, lambda s, n: (
        _u(s, 20), 1.0 + 0.1 * n, 0.1, 0.8, 3.0)),
    "two_down_one_up_parallel": (staircase_2down1up_parallel, {"n_trials": 25}, lambda s, n: (
        _u(s, n, 25), 1.0, 0.1)),
    "reversal_step_halving": (staircase_reversals, {"n_trials": 30}, lambda s, n: (
        _u(s, n, 30), 1.2)),
    "quest_grid_posterior_mean": (quest_grid, {"n_trials": 15}, lambda s, n: (
        _u(s, 15), np.linspace(-2, 2, 10 * n + 1))),
}


@pytest.mark.parametrize("name", _names(STAIRCASE))
def test_staircases_match_numpy(name):
    """Fixed-length staircases with simulated observers from pre-drawn uniforms: NumPy's
    values."""
    check_like_numpy(*STAIRCASE[name])


DIFFUSION = {
    "ddm_euler_masks_generator": (ddm_euler_masks, {"n_trials": 40, "n_steps": 50}, lambda s, n: (
        1.0 + 0.1 * n, 1.0, 0.5, 0.3, _rng(s))),
    "ddm_cumsum_argmax": (ddm_cumsum_paths, {}, lambda s, n: (0.8 + 0.1 * n, 0.6, 0.25, _rng(s))),
    "ddm_dict_per_subject": (ddm_per_subject, {}, lambda s, n: (
        {"v": _f(n, seed=s), "a": _pos(s, n, lo=0.6, hi=1.0), "ter": _pos(s, n, lo=0.2, hi=0.4)},
        _rng(s))),
    "ez_diffusion": (ez_diffusion, {}, lambda s, n: (
        _rates(s, n, lo=0.6, hi=0.95), _pos(s, n, lo=0.01, hi=0.08),
        _pos(s + 1, n, lo=0.45, hi=0.8))),
    "wiener_large_time_series": (wiener_fpt_large_time, {"K": 15}, lambda s, n: (
        _pos(s, 3 * n, lo=0.2, hi=1.5), 0.8, 1.2, 0.45)),
    "wiener_nll_mirror": (wiener_nll, {}, lambda s, n: (
        _rt(s, 5 * n), _i(2, 5 * n, seed=s), 1.0, 1.5, 0.5, 0.2)),
    "lba_simulate_generator": (lba_simulate, {}, lambda s, n: (
        np.array([1.0, 0.6 + 0.1 * n]), 0.5, 1.0, 0.2, _rng(s))),
    "lba_loglik": (lba_loglik, {}, lambda s, n: (
        _rt(s, 5 * n), _i(2, 5 * n, seed=s), np.array([1.1, 0.8]), 0.5, 1.0, 0.15)),
    "quantile_probability": (race_quantile_probabilities, {}, lambda s, n: (
        _rt(s, 10 * n), np.arange(10 * n) % 2)),
}


@pytest.mark.parametrize("name", _names(DIFFUSION))
def test_diffusion_and_race_models_match_numpy(name):
    """DDM simulation by Euler-Maruyama and cumsum paths from a Generator, EZ-diffusion, the
    Wiener density series, LBA simulation and likelihood: NumPy's values."""
    check_like_numpy(*DIFFUSION[name])


def _rt_design(s, n, n_cond=3):
    t = 15 * n
    return _rt(s, t), (_u(s + 1, t) < 0.85).astype(int), np.arange(t) % n_cond


RT = {
    "trimmed_mean_percentiles": (trimmed_mean_percentiles, {}, lambda s, n: (_rt(s, 10 * n),)),
    "clean_by_condition_loop": (rt_clean_by_condition, {"n_cond": 3},
                                lambda s, n: _rt_design(s, n)),
    "mad_outliers_nanmean": (mad_outliers, {}, lambda s, n: (_rt(s, n, 30),)),
    "exgauss_moments_skew": (exgauss_moments, {}, lambda s, n: (_rt(s, 20 * n),)),
    "shape_stats_keyword_data": (rt_shape_keywords, {}, lambda s, n: (_rt(s, 10 * n),)),
    "exgauss_nll_exponnorm": (exgauss_nll_scipy, {}, lambda s, n: (
        np.array([0.4, 0.04, 0.1 + 0.01 * s]), _rt(s, 10 * n))),
    "exgauss_nll_by_hand": (exgauss_nll_by_hand, {}, lambda s, n: (
        np.array([0.4, 0.04, 0.1 + 0.01 * s]), _rt(s, 10 * n))),
    "vincentiles_reshape": (vincentiles, {"n_bins": 5}, lambda s, n: (_rt(s, n, 23),)),
    "delta_plot_quantiles": (delta_plot, {}, lambda s, n: (
        _rt(s, 10 * n), np.arange(10 * n) % 2)),
    "quantiles_matrix_methods": (rt_quantiles_matrix, {}, lambda s, n: (_rt(s, n, 20),)),
    "zscore_within_subject": (rt_zscore_within_subject, {"n_subj": 3},
                              lambda s, n: (_rt(s, 9 * n), np.arange(9 * n) % 3)),
    "log_rt_int32_ms": (log_rt_summary, {}, lambda s, n: (
        (1000 * _rt(s, 10 * n)).astype(np.int32),)),
    "post_error_slowing": (sequential_effects, {}, lambda s, n: (
        _rt(s, 15 * n), (_u(s + 1, 15 * n) < 0.75).astype(int))),
    "conditional_accuracy_digitize": (speed_accuracy_bins, {}, lambda s, n: (
        _rt(s, 12 * n), (_u(s + 1, 12 * n) < 0.8).astype(int))),
}


@pytest.mark.parametrize("name", _names(RT))
def test_reaction_time_summaries_match_numpy(name):
    """Trimmed means, cleaning per condition, MAD outliers, ex-Gaussian fits, Vincentiles,
    delta plots, quantiles, sequential effects: NumPy's values."""
    check_like_numpy(*RT[name])


def _bandit(s, n, n_arms=2):
    t = 8 * n
    c = _i(n_arms, t, seed=s)
    return c, (_u(s + 1, t) < 0.4 + 0.3 * (c == 1)).astype(float)


def _two_step(s, n):
    t = 4 * n
    c1 = _i(2, t, seed=s)
    s2 = np.where(_u(s + 1, t) < 0.7, c1, 1 - c1)
    return c1, s2, _i(2, t, seed=s + 2), (_u(s + 3, t) < 0.5).astype(float)


RL = {
    "rescorla_wagner_cues": (rescorla_wagner, {}, lambda s, n: (
        (_u(s, 6 * n, 3) < 0.5).astype(float), (_u(s + 1, 6 * n) < 0.6).astype(float))),
    "q_learning_nll_index_by_choice": (q_learning_nll, {}, lambda s, n: (
        np.array([0.3, 2.0 + s]), *_bandit(s, n))),
    "q_learning_dual_alpha_where": (q_learning_dual_alpha, {}, lambda s, n: (
        np.array([0.4, 0.1, 3.0]), *_bandit(s, n))),
    "q_learning_sticky_zip": (q_learning_sticky, {"n_arms": 3}, lambda s, n: (
        0.3, 2.5, 0.5, *_bandit(s, n, 3))),
    "q_learning_many_subjects": (q_learning_many_subjects, {}, lambda s, n: (
        _rates(s, n, lo=0.1, hi=0.6), _pos(s, n, lo=1, hi=5), _i(2, n, 12, seed=s),
        (_u(s + 1, n, 12) < 0.5).astype(float))),
    "q_agent_simulate_uniforms": (q_agent_simulate, {"n_trials": 30}, lambda s, n: (
        0.3, 3.0, np.array([0.3, 0.8]), _rng(s))),
    "q_agent_int_of_draw": (q_agent_int_choice, {"n_trials": 10}, lambda s, n: (
        0.3, 3.0, np.array([0.3, 0.8]), _rng(s))),
    "q_agent_rng_choice_p": (q_agent_rng_choice, {"n_trials": 20}, lambda s, n: (
        0.3, 3.0, np.array([0.3, 0.8]), _rng(s))),
    "two_step_hybrid": (two_step_hybrid_nll, {}, lambda s, n: (
        np.array([0.4, 3.0, 2.0, 0.6, 0.5, 0.2]), *_two_step(s, n))),
    "kalman_bandit": (kalman_bandit, {}, lambda s, n: (
        _i(4, 6 * n, seed=s), 50 + 10 * _f(6 * n, seed=s))),
    "td_complete_serial_compound": (td_csc, {"n_trials": 4, "n_steps": 10, "cs_on": 2,
                                             "us_t": 7}, lambda s, n: (0.1 * s, 0.9)),
    "actor_critic_zip": (actor_critic_chain, {"n_states": 4, "n_actions": 2}, lambda s, n: (
        _i(4, 5 * n, seed=s), _i(4, 5 * n, seed=s + 1), _u(s, 5 * n), _i(2, 5 * n, seed=s + 2))),
    "rl_grid_all_points": (rl_grid_nll, {}, lambda s, n: (
        np.linspace(0.05, 0.95, 7), np.linspace(0.5, 8, 5), *_bandit(s, n))),
    "softmax_float32_table": (softmax_choice_table, {}, lambda s, n: (
        _f(n, 4, seed=s).astype(np.float32), 2.5)),
}


@pytest.mark.parametrize("name", _names(RL))
def test_reinforcement_learning_matches_numpy(name):
    """Rescorla-Wagner, Q-learning likelihoods and simulations, the two-step hybrid, Kalman
    learners, TD with a serial compound, actor-critic, grids: NumPy's values."""
    check_like_numpy(*RL[name])


BAYES = {
    "cue_weights_float32_jnds": (cue_weights_from_jnds, {}, lambda s, n: (
        _pos(s, n, 3, lo=0.5, hi=2).astype(np.float32),)),
    "grid_observer_trapezoid": (grid_observer, {}, lambda s, n: (
        _f(n, seed=s), 0.7, np.exp(-np.abs(np.linspace(-4, 4, 81))),
        np.linspace(-4, 4, 81))),
    "causal_inference": (causal_inference, {}, lambda s, n: (
        5 * _f(n, seed=s), 5 * _f(n, seed=s + 1), 2.0, 4.0)),
    "beta_bernoulli_cumsum": (beta_bernoulli_learner, {}, lambda s, n: (
        (_u(s, 8 * n) < 0.6).astype(float),)),
    "beta_bernoulli_decay_static": (beta_bernoulli_learner, {"decay": 0.9}, lambda s, n: (
        (_u(s, 8 * n) < 0.6).astype(float),)),
    "beta_posterior_grid": (beta_posterior_grid, {}, lambda s, n: (
        _i(10, n, seed=s), _i(10, n, seed=s + 1) + 10, np.linspace(0.01, 0.99, 30))),
    "change_point_run_length": (bayesian_change_point_fixed_hazard, {"max_run": 8},
                                lambda s, n: (np.r_[_f(2 * n, seed=s), 3 + _f(2 * n, seed=s)],)),
}


@pytest.mark.parametrize("name", _names(BAYES))
def test_bayesian_observers_match_numpy(name):
    """Cue weights, grid observers, causal inference, Beta-Bernoulli and change-point
    learners: NumPy's values."""
    check_like_numpy(*BAYES[name])


def _gaze(s, n):
    # fixations with small jitter joined by fast saccades, in pixels at 500 Hz
    r = np.random.default_rng(s)
    t = 20 * n
    targets = r.uniform(200, 1700, (n, 2))
    xy = np.repeat(targets, 20, axis=0) + r.normal(0, 2.0, (t, 2))
    return xy[:, 0], xy[:, 1]


def _sacc_mask(s, n):
    m = np.zeros(20 * n, dtype=bool)
    for k in range(n - 1):
        m[20 * k + 17 + s % 2:20 * k + 20 + s % 2] = True
    return m


def _pupil(s, n):
    p = 3000 + 200 * np.sin(np.linspace(0, 3, 20 * n)) + _f(20 * n, seed=s)
    p[5:9] = 0
    p[20 * n - 12:20 * n - 7] = 0
    return p


EYE = {
    "ivt_gradient_labels_int8": (ivt_velocity_labels, {}, lambda s, n: _gaze(s, n)),
    "engbert_kliegl_median_radius": (microsaccade_candidates, {}, lambda s, n: (
        np.column_stack(_gaze(s, n)) / 40,)),
    "idt_sliding_windows": (idt_dispersion, {"window": 6, "max_disp": 8.0}, lambda s, n: (
        _gaze(s, n))),
    "saccade_amplitudes_min_max_at": (saccade_amplitudes_by_labels, {"max_events": 8},
                                      lambda s, n: (*_gaze(s, n), _sacc_mask(s, n))),
    "fixation_heatmap_histogram2d": (fixation_heatmap, {}, lambda s, n: (
        _pos(s, 10 * n, lo=0, hi=1920), _pos(s + 1, 10 * n, lo=0, hi=1080),
        _pos(s + 2, 10 * n, lo=0.1, hi=0.6))),
    "aoi_dwell_module_table": (aoi_dwell, {}, lambda s, n: (
        _pos(s, 10 * n, lo=0, hi=1920), _pos(s + 1, 10 * n, lo=0, hi=1080),
        _pos(s + 2, 10 * n, lo=100, hi=600))),
    "pupil_blink_interp": (pupil_blink_interpolation, {}, lambda s, n: (
        _pupil(s, n), np.arange(20 * n) / 500.0)),
    "pupil_baseline_subtractive": (pupil_baseline, {"n_base": 5}, lambda s, n: (
        _pos(s, n, 30, lo=3, hi=5),)),
    "pupil_baseline_divisive": (pupil_baseline, {"n_base": 5, "how": "divisive"},
                                lambda s, n: (_pos(s, n, 30, lo=3, hi=5),)),
    "savgol_velocity": (gaze_savgol_velocity, {}, lambda s, n: _gaze(s, n)),
}


@pytest.mark.parametrize("name", _names(EYE))
def test_eye_tracking_matches_numpy(name):
    """Velocities by np.gradient and by 5-sample windows, I-VT and I-DT labels, saccade
    amplitudes, heatmaps, AOIs, pupil blinks and baselines: NumPy's values."""
    check_like_numpy(*EYE[name])


def _design(s, n, k=3):
    T = 8 * n
    t = np.linspace(0, 1, T)
    X = np.column_stack([np.sin(2 * np.pi * (j + 1) * t + j) for j in range(k - 1)]
                        + [np.ones(T)])
    return X + 0.1 * _f(T, k, seed=s)


def _events(s, n):
    ev = np.zeros((2, 10 * n))
    ev[0, 2::7] = 1
    ev[1, 5 + s % 2::9] = 1
    return ev


def _atlas(s, n):
    lab = np.arange(4 * n * 3).reshape(4, n, 3) % 4
    return np.random.default_rng(s).permutation(lab.ravel()).reshape(lab.shape)


FMRI = {
    "design_index_array_convolve": (design_from_index_array, {"n_scans": 40}, lambda s, n: (
        _events(s, 4),)),
    "design_int_onsets_slices": (design_from_onsets, {"n_scans": 40}, lambda s, n: (
        [np.array([4.0, 30.0, 52.0]) + s, np.array([12.0, 40.0 + n])],
        [np.array([6.0, 6.0, 8.0]), np.array([4.0, 4.0])])),
    "glm_pinv_t_contrast": (glm_ols_pinv, {}, lambda s, n: (
        _design(s, n), _f(8 * n, 5, seed=s + 1), np.array([1.0, -1.0, 0.0]))),
    "glm_f_contrast_lstsq": (glm_f_contrast, {}, lambda s, n: (
        _design(s, n, 4), _f(8 * n, 3, seed=s + 1), np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 0]]))),
    "glm_ar1_cochrane_orcutt": (glm_ar1_prewhiten, {}, lambda s, n: (
        _design(s, n), _f(8 * n, seed=s + 1))),
    "dct_highpass": (dct_highpass, {"tr": 2.0, "cutoff": 40.0}, lambda s, n: (
        _f(10 * n, 3, seed=s),)),
    "framewise_displacement": (framewise_displacement, {}, lambda s, n: (
        np.cumsum(0.05 * _f(8 * n, 6, seed=s), axis=0) * np.r_[[3.0] * 3, [0.01] * 3],)),
    "roi_timeseries_atlas_masks": (roi_timeseries, {"n_rois": 3}, lambda s, n: (
        _f(4, n, 3, 12, seed=s), _atlas(s, n))),
    "connectivity_fisher_z": (connectivity_fisher_z, {}, lambda s, n: (_f(n, 30, seed=s),)),
    "parametric_modulator_orth": (parametric_modulator, {"n_scans": 60}, lambda s, n: (
        np.arange(3, 50, 6), _pos(s, 8, lo=1, hi=5))),
    "event_related_average": (event_related_average, {"pre": 2, "post": 6}, lambda s, n: (
        _f(20 * n, seed=s), np.arange(4, 20 * n - 8, 9))),
    "group_t_map_false_discovery_control": (group_t_map_fdr, {}, lambda s, n: (
            _f(2 * n, 12, seed=s) + np.linspace(0, 1.5, 12),)),
    "voxelwise_einsum_r2": (voxelwise_glm_einsum, {}, lambda s, n: (
        _design(s, n), _f(2, 3, n, 8 * n, seed=s + 1))),
}


@pytest.mark.parametrize("name", _names(FMRI))
def test_fmri_glm_matches_numpy(name):
    """HRFs by gamma.pdf, design matrices by np.convolve, OLS by pinv and lstsq, t and F
    contrasts, AR(1) prewhitening, DCT high-pass, motion, ROI means, connectivity: NumPy's
    values."""
    check_like_numpy(*FMRI[name])


def _epochs(s, n, n_ch=3, T=50):
    t = np.arange(T) / SFREQ - 0.04
    erp = 5e-6 * np.exp(-((t - 0.1) / 0.03) ** 2) * np.arange(1, n_ch + 1)[:, None]
    return erp[None] + 2e-6 * _f(2 * n, n_ch, T, seed=s), t


EEG = {
    "epoch_fancy_baseline": (epoch_and_baseline, {}, lambda s, n: (
        _f(4, 100 * n, seed=s), np.arange(60, 100 * n - 160, 37 + s))),
    "erp_by_condition_selection": (erp_by_condition, {"n_cond": 2}, lambda s, n: (
        _epochs(s, n)[0], np.arange(2 * n) % 2)),
    "peak_latency_take_along": (peak_latency, {}, lambda s, n: (
        _epochs(s, n)[0].mean(0), _epochs(s, n)[1], 0.05, 0.15)),
    "peak_latency_negative": (peak_latency, {"polarity": -1}, lambda s, n: (
        -_epochs(s, n)[0].mean(0), _epochs(s, n)[1], 0.05, 0.15)),
    "mean_amplitude_dict_windows": (mean_amplitude, {}, lambda s, n: (
        _f(n, 3, 200, seed=s), np.arange(200) / SFREQ - 0.1)),
    "ptp_rejection_weights": (ptp_rejection_average, {}, lambda s, n: (
        np.concatenate([_epochs(s, n)[0], 1e-4 * _f(2, 3, 50, seed=s)]),)),
    "jackknife_50pct_latency": (jackknife_latency, {}, lambda s, n: (
        _epochs(s, n)[0][:, 0] + 1e-5, _epochs(s, n)[1])),
    "morlet_tfr_db": (morlet_tfr, {"freqs": (6.0, 10.0, 20.0)}, lambda s, n: (
        np.sin(2 * np.pi * 10 * np.arange(80 * n) / SFREQ) + _f(80 * n, seed=s),)),
    "itpc_rfft": (itpc_fft, {}, lambda s, n: (_f(3 * n, 64, seed=s),)),
    "ssvep_snr_apply_along_axis": (ssvep_snr, {}, lambda s, n: (_f(n, 128, seed=s),)),
    "welch_band_power_dict": (band_power_welch, {}, lambda s, n: (_f(n, 256, seed=s),)),
    "butter_filtfilt_designed_inside": (butter_erp, {}, lambda s, n: (_f(n, 200, seed=s),)),
}


@pytest.mark.parametrize("name", _names(EEG))
def test_eeg_erp_matches_numpy(name):
    """Epoching by index matrices, baselines, ERPs by condition, peak latencies, component
    windows, rejection, jackknife, Morlet power, ITPC, SSVEP SNR, Welch bands and Butterworth
    filtering: NumPy's values."""
    check_like_numpy(*EEG[name])


def _points(s, k, d=3):
    return _f(k, d, seed=s) * np.arange(1, d + 1)


def _dist(s, k):
    p = _points(s, k)
    return np.sqrt(((p[:, None] - p[None]) ** 2).sum(-1))


def _rdm(s, k):
    return _dist(s, k)


def _spd(s, v):
    A = _f(v, v, seed=s)
    return A @ A.T + v * np.eye(v)


SIMILARITY = {
    "isc_leave_one_out_delete": (isc_leave_one_out, {}, lambda s, n: (_f(n, 40, seed=s),)),
    "isc_pairwise_triu": (isc_pairwise_zscore, {}, lambda s, n: (_f(n, 40, seed=s),)),
    "isc_voxelwise_einsum": (isc_voxelwise, {}, lambda s, n: (_f(n, 30, 5, seed=s),)),
    "isc_phase_randomized_surrogate": (isc_phase_randomized, {}, lambda s, n: (
        _f(n, 32, seed=s), _rng(s))),
    "rsa_spearmanr_upper": (rsa_spearman_upper, {}, lambda s, n: (
        _f(n + 2, 20, seed=s), _rdm(s + 1, n + 2))),
    "rsa_rankdata_corrcoef": (rsa_rank_corr_by_hand, {}, lambda s, n: (
        _f(n + 2, 20, seed=s), _rdm(s + 1, n + 2))),
    "rdm_pdist_squareform": (rdm_pdist_squareform, {}, lambda s, n: (_f(n + 2, 12, seed=s),)),
    "crossnobis_einsum": (crossnobis, {}, lambda s, n: (
        _f(n, 5, seed=s), _f(n, 5, seed=s + 1), _spd(s, 5))),
    "noise_ceiling_argsort_ranks": (rdm_noise_ceiling, {}, lambda s, n: (
        np.stack([_rdm(s + k, 6) for k in range(n)]),)),
    "model_rdm_regression_list": (rsa_model_regression, {}, lambda s, n: (
        _rdm(s, n + 3), [_rdm(s + 1, n + 3), _rdm(s + 2, n + 3)])),
    "classical_mds_eigh": (classical_mds, {"k": 2}, lambda s, n: (_dist(s, n + 2),)),
    "procrustes_svd": (procrustes_align, {}, lambda s, n: (
        _points(s, n + 2, 2), _points(s + 1, n + 2, 2))),
}


@pytest.mark.parametrize("name", _names(SIMILARITY))
def test_isc_rsa_mds_match_numpy(name):
    """Inter-subject correlation (leave-one-out, pairwise, voxelwise, surrogates), RDMs,
    Spearman RSA, crossnobis, noise ceilings, MDS and Procrustes: NumPy's values."""
    check_like_numpy(*SIMILARITY[name])


def _nan_items(s, n):
    r = _likert(s, 5 * n, 8).astype(float)
    r[1, 2] = np.nan
    r[3, [0, 4]] = np.nan
    r[-1, 7] = np.nan
    return r


QUESTIONNAIRE = {
    "score_inventory_in_place": (score_inventory, {}, lambda s, n: (_likert(s, 5 * n, 20),)),
    "score_inventory_int8": (score_inventory_int8, {}, lambda s, n: (
        _likert(s, 5 * n, 20).astype(np.int8),)),
    "alpha_per_subscale_dict": (alpha_per_subscale, {}, lambda s, n: (_likert(s, 5 * n, 20),)),
    "alpha_if_item_deleted": (alpha_if_item_deleted, {}, lambda s, n: (
        _likert(s, 5 * n, 6) + _likert(s + 1, 5 * n, 1),)),
    "corrected_item_total": (corrected_item_total, {}, lambda s, n: (
        _likert(s, 5 * n, 6) + _likert(s + 1, 5 * n, 1),)),
    "omega_first_pc": (mcdonald_omega_pc, {}, lambda s, n: (
        (_likert(s, 5 * n, 6) + 2 * _likert(s + 1, 5 * n, 1)).astype(float),)),
    "prorated_nanmean": (prorated_scores, {}, lambda s, n: (_nan_items(s, n),)),
    "icc_2_1": (icc_2_1, {}, lambda s, n: (
        _f(3 * n, 1, seed=s) * 2 + _f(3 * n, 4, seed=s + 1) + np.arange(4) * 0.3,)),
    "kappa_quadratic_add_at": (cohen_kappa_weighted, {"n_cat": 5}, lambda s, n: (
        _i(5, 10 * n, seed=s), np.clip(_i(5, 10 * n, seed=s) + _i(3, 10 * n, seed=s + 1) - 1,
                                       0, 4))),
    "kappa_linear_add_at": (cohen_kappa_weighted, {"n_cat": 5, "weights": "linear"},
                            lambda s, n: (_i(5, 10 * n, seed=s), _i(5, 10 * n, seed=s + 1))),
}


@pytest.mark.parametrize("name", _names(QUESTIONNAIRE))
def test_questionnaire_scoring_matches_numpy(name):
    """Reverse keying in place, subscale dicts and norms, Cronbach's alpha and its if-deleted
    table, item-total correlations, omega, prorating, ICC and weighted kappa: NumPy's
    values."""
    check_like_numpy(*QUESTIONNAIRE[name])


def _groups(s, n):
    return _f(3 * n, seed=s) + 0.5, _f(2 * n + 1, seed=s + 1)


EFFECT = {
    "cohens_d_pooled": (cohens_d_pooled, {}, lambda s, n: _groups(s, n)),
    "hedges_g_gammaln": (hedges_g_exact, {}, lambda s, n: _groups(s, n)),
    "paired_dz_dav_drm": (paired_effect_sizes, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(3 * n, seed=s) * 0.8 + _f(3 * n, seed=s + 1) + 0.3)),
    "eta_omega_squared_loop": (one_way_eta_squared, {"k": 3}, lambda s, n: (
        _f(6 * n, seed=s) + np.arange(6 * n) % 3 * 0.5, np.arange(6 * n) % 3)),
    "partial_eta_2x2_dict": (partial_eta_2x2, {}, lambda s, n: (_f(n, 2, 2, seed=s),)),
    "cliffs_delta_likert_ties": (cliffs_delta_and_cles, {}, lambda s, n: (
        _likert(s, 3 * n), _likert(s + 1, 2 * n))),
    "auc_rankdata": (auc_mann_whitney_ranks, {}, lambda s, n: (
        _f(3 * n, seed=s) + 0.4, _f(2 * n, seed=s + 1))),
    "r_fisher_ci_tanh_list": (r_fisher_ci, {}, lambda s, n: (
        _f(4 * n, seed=s), _f(4 * n, seed=s) + _f(4 * n, seed=s + 1))),
    "welch_ci_t_ppf_keywords": (welch_mean_difference_ci, {},
        lambda s, n: _groups(s, n)),
    "bootstrap_mean_integers": (bootstrap_mean_ci, {}, lambda s, n: (_f(5 * n, seed=s), _rng(s))),
    "bootstrap_d_rng_choice_loop": (bootstrap_d_loop, {}, lambda s, n: (
        *_groups(s, n), _rng(s))),
    "bca_interval_traced_q": (bca_interval, {}, lambda s, n: (
        _pos(s, 5 * n, lo=0, hi=3) ** 2, _rng(s))),
    "permutation_test_loop": (permutation_test_means, {"n_perm": 60}, lambda s, n: (
        *_groups(s, n), _rng(s))),
    "sign_flip_choice_list": (sign_flip_test, {}, lambda s, n: (
        _f(3 * n, seed=s) + 0.3, _rng(s))),
    "cluster_bootstrap_nearest": (subject_bootstrap_by_cluster, {}, lambda s, n: (
        _f(n + 3, 10, seed=s), _rng(s))),
}


@pytest.mark.parametrize("name", _names(EFFECT))
def test_effect_sizes_and_bootstrap_match_numpy(name):
    """Cohen's d, Hedges' g, paired d's, eta and omega squared, Cliff's delta, AUC, Fisher
    intervals, bootstraps (percentile, loop, BCa, clustered) and permutation tests from a
    Generator: NumPy's values."""
    check_like_numpy(*EFFECT[name])


STIMULI = {
    "gabor_float32_uint8": (gabor_patch, {"size": 16}, lambda s, n: (
        3.0 + s, 0.3 * n, 0.5, 0.15)),
    "pink_noise_fft2": (pink_noise_mask, {"size": 16}, lambda s, n: (_rng(s),)),
    "random_dot_kinematogram": (random_dot_step, {}, lambda s, n: (
        _pos(s, 10 * n, 2, lo=0, hi=100), _i(5, 10 * n, seed=s), _rng(s))),
    "search_display_choice": (search_display, {"n_items": 6}, lambda s, n: (_rng(s),)),
    "trial_sequence_shuffle": (trial_sequence, {"n_rep": 5}, lambda s, n: (
        _rng(s), np.arange(n))),
    "williams_latin_square": (balanced_latin_square, {}, lambda s, n: (
        np.arange(n) * 10 + s,)),
    "tone_ramps_itd_int16": (tone_with_ramps, {"dur_samples": 2000, "itd_samples": 20},
                             lambda s, n: (440.0 * n,)),
}


@pytest.mark.parametrize("name", _names(STIMULI))
def test_stimuli_and_designs_match_numpy(name):
    """Gabors to uint8, 1/f noise, random-dot kinematograms, search displays,
    shuffled trial sequences, Williams squares and int16 tones: NumPy's values."""
    check_like_numpy(*STIMULI[name])


MORE = {
    "links_dict_probit": (psy_by_link, {}, lambda s, n: (
            np.linspace(-2, 2, n), _i(15, n, seed=s) + 2, np.full(n, 20), 0.1 * s, 0.8)),
    "links_dict_logit": (psy_by_link, {"link": "logit"}, lambda s, n: (
        np.linspace(-2, 2, n), _i(15, n, seed=s) + 2, np.full(n, 20), 0.1 * s, 0.8)),
    "links_dict_cloglog_lambda": (psy_by_link, {"link": "cloglog"}, lambda s, n: (
        np.linspace(-2, 2, n), _i(15, n, seed=s) + 2, np.full(n, 20), 0.1 * s, 0.8)),
    "ppf_default_argument": (dprime_ppf_default, {}, lambda s, n: (
            _rates(s, n, lo=0.5, hi=0.95), _rates(s + 1, n, lo=0.05, hi=0.5))),
    "spearmanr_correlation_attribute": (rsa_spearman_correlation_attr, {}, lambda s, n: (
            _rdm(s, n + 2), _rdm(s + 1, n + 2))),
    "pearsonr_result_returned": (brain_behaviour_pearsonr, {}, lambda s, n: (
            0.8 * _u(s, 4 * n), _f(4 * n, seed=s) + 2 * _u(s, 4 * n))),
    "pearsonr_confidence_interval": (pearson_with_ci, {}, lambda s, n: (
            _f(5 * n, seed=s), _f(5 * n, seed=s) + _f(5 * n, seed=s + 1))),
}


@pytest.mark.parametrize("name", _names(MORE))
def test_more_library_idioms_match_numpy(name):
    """Link functions from a module dict, a ppf as a default argument, result attributes and
    methods of scipy.stats tests: NumPy's and SciPy's values."""
    check_like_numpy(*MORE[name])


# ------------------------------------------------------------------------ steered scalars


def staircase_positional(u, start, n_trials):
    return staircase_1up1down(u, start, 0.1, 0.8, 3.0, n_trials)


def design_positional(events, n_scans, tr):
    return design_from_index_array(events, n_scans, tr)


def bootstrap_positional(x, rng, n_boot):
    return bootstrap_mean_ci(x, rng, n_boot)


def beta_learner_positional(outcomes, a0, b0, decay):
    return beta_bernoulli_learner(outcomes, a0, b0, decay)


STEERED = {
    "staircase_n_trials": (staircase_positional, lambda s: (_u(s, 30), 1.0, 10 + 5 * s)),
    "design_n_scans_tr": (design_positional, lambda s: (_events(s, 4), 30 + 5 * s, 1.5 + s)),
    "bootstrap_n_boot": (bootstrap_positional, lambda s: (_f(12, seed=s), _rng(s), 50 * s)),
    "beta_learner_decay_branch": (beta_learner_positional, lambda s: (
        (_u(s, 20) < 0.6).astype(float), 1.0, 1.0, (1.0, 0.8)[s % 2])),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Trial counts, scan counts and TRs, bootstrap sizes and a decay compared in an `if`,
    given positionally: made static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def staircase_python_if(u, start=1.0, step=0.1):
    level = start
    levels = []
    for t in range(u.shape[0]):
        levels.append(level)
        if u[t] < weibull(level, 0.8, 3.0):
            level -= step
        else:
            level += step
    return np.array(levels)


def eta_squared_selection_size(y, group, k=3):
    grand = y.mean()
    ss_b = 0.0
    for g in range(k):
        yg = y[group == g]
        ss_b += yg.size * (yg.mean() - grand) ** 2
    return ss_b / ((y - grand) ** 2).sum()


def trimmed_rts(rt, k=2.5):
    keep = np.abs(rt - rt.mean()) < k * rt.std()
    return rt[keep]


def ddm_until_all_done(v, a, rng, n_trials=20, dt=0.01):
    x = np.full(n_trials, a / 2)
    rt = np.zeros(n_trials)
    done = np.zeros(n_trials, dtype=bool)
    t = 0
    while not done.all():
        t += 1
        x = np.where(done, x, x + v * dt + np.sqrt(dt) * rng.standard_normal(n_trials))
        hit = ((x >= a) | (x <= 0)) & ~done
        rt[hit] = t * dt
        done |= hit
    return rt


def fixation_onsets(x, y, thr=30.0):
    vel = ivt_velocity_labels(x, y, thr=thr)[0]
    return np.flatnonzero(np.diff((vel < thr).astype(int)) == 1) + 1


def dprime_per_unique_subject(stim, resp, subj):
    out = []
    for s in np.unique(subj):
        m = subj == s
        H = (np.sum(resp[m & (stim == 1)]) + 0.5) / (np.sum(m & (stim == 1)) + 1)
        F = (np.sum(resp[m & (stim == 0)]) + 0.5) / (np.sum(m & (stim == 0)) + 1)
        out.append(norm.ppf(H) - norm.ppf(F))
    return np.array(out)


def dprime_with_asserts(H, F):
    assert np.all((H > 0) & (H < 1)), "hit rates must be in (0, 1)"
    return norm.ppf(H) - norm.ppf(F)


def dprime_if_any_extreme(hits, n_sig, fas, n_noi):
    hr = hits / n_sig
    far = fas / n_noi
    if np.any(hr == 1):
        hr[hr == 1] = 1 - 1 / (2 * n_sig[hr == 1])
    return norm.ppf(hr) - norm.ppf(far)


def fit_weibull_minimize(x, k, n):
    import scipy.optimize
    res = scipy.optimize.minimize(weibull_nll, np.array([1.0, 3.0, 0.02]), args=(x, k, n),
                                  method="Nelder-Mead", options={"maxiter": 50})
    return res.x


def posthoc_tukey(y, group, k=3):
    res = stats.tukey_hsd(*[y[group == g] for g in range(k)])
    return res.pvalue


def reject_epochs(epochs, thr=150e-6):
    keep = np.ptp(epochs, axis=-1).max(axis=-1) < thr
    return epochs[keep]


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "staircase_python_if": (_Concretization, staircase_python_if, lambda s: (_u(s, 12),)),
    "eta_squared_selection_size": (_DataDependent, eta_squared_selection_size, lambda s: (
        _f(18, seed=s), np.arange(18) % 3)),
    "trimmed_rts_returned": (_DataDependent, trimmed_rts, lambda s: (
        np.r_[_rt(s, 15), 3.0],)),
    "ddm_while_not_all_done": (_Concretization, ddm_until_all_done, lambda s: (
        1.0, 0.5, _rng(s))),
    "fixation_onsets_flatnonzero": (_DataDependent, fixation_onsets, lambda s: _gaze(s, 4)),
    "dprime_np_unique_subjects": (_DataDependent, dprime_per_unique_subject, lambda s: (
        *_sdt_trials(s, 4)[:2], _sdt_trials(s, 4)[2])),
    "dprime_assert_range": (_Concretization, dprime_with_asserts, lambda s: (
        _rates(s, 5), _rates(s + 1, 5))),
    "dprime_if_any_extreme": (_Concretization, dprime_if_any_extreme, lambda s: (
        *_counts_extreme(s, 5)[:2], *_counts_extreme(s, 5)[2:])),
    "weibull_fit_minimize": (_Concretization, fit_weibull_minimize, lambda s: (
        _levels(s, 5), _i(20, 5, seed=s) + 10, np.full(5, 30))),
    "tukey_hsd_of_masked_groups": (_DataDependent, posthoc_tukey, lambda s: (
        _f(18, seed=s) + np.arange(18) % 3, np.arange(18) % 3)),
    "reject_epochs_returned": (_DataDependent, reject_epochs, lambda s: (
        np.concatenate([_epochs(s, 3)[0], 1e-4 * _f(2, 3, 50, seed=s)]),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Staircases by `if`, selection sizes, trimmed RTs and rejected epochs returned,
    `while not done.all()`, onsets by `np.flatnonzero`, subjects by `np.unique`,
    `assert`/`if np.any` guards, `minimize` and `tukey_hsd` of masked groups: the named
    error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
