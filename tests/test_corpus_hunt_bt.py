"""Corpus, hunt BT: differential privacy, fairness and model auditing, as privacy and
responsible-ML course notebooks (Dwork & Roth's textbook exercises, Near & Abuah's "Programming
Differential Privacy"), the papers' companion code (Abadi et al.'s DP-SGD, Mironov's RDP,
Balle & Wang's analytic Gaussian, Hardt et al.'s equal opportunity, Kamiran & Calders'
reweighing) and small GitHub libraries (diffprivlib-, Opacus-, TF-privacy-, fairlearn-,
AIF360-, DiCE- and SHAP-like helpers) write them in NumPy.

Mechanisms (Laplace of a scalar and of a vector from a `Generator` argument, the classic and
L2-clipped Gaussian, private counts, clipped sums, centred means and a diffprivlib-style mean
with a split budget and a builtin `max`, variances, histograms by `np.histogram` and by
`bincount` with post-processing, the two-sided geometric mechanism on int counts, Warner's,
the coin-flip and the generalized randomized response with debiasing, optimized unary encoding
in int8, RAPPOR's Bloom filter by hash tables written by fancy indexing, the exponential
mechanism by `choice(p=)`, by Gumbel-max and by `scipy.special.softmax`, a private median over
a candidate grid, Smith's quantile, the smooth sensitivity of the median by Python loops,
per-user contribution bounds by `bincount` and a within-user rank by a stable `argsort`);
accounting (basic and advanced composition, the best of both over a grid of k, RDP of the
Gaussian and Laplace mechanisms over a module grid of orders, Balle et al.'s conversion, the
subsampled Gaussian's integer orders by a loop of `logaddexp` with `scipy.special.binom`,
zCDP and its conversion over alphas, amplification by subsampling, the analytic Gaussian by a
fixed bisection of `norm.cdf`, Gaussian DP's CLT, a randomized-response privacy-loss
distribution composed by `rfft` powers, privacy odometers by `cumsum` and `searchsorted`);
DP-SGD (logistic steps with per-example clipping by row norms, epochs over a seeded
permutation, Poisson subsampling writing the weights in place, an MLP's per-example gradients
by `einsum` in a dict of parameters written in place, microbatches, adaptive quantile
clipping, automatic clipping, DP-Adam, ghost norms, the binary tree mechanism by bit loops,
sufficient-statistics regression with a symmetric noise matrix, output perturbation with a
`gamma` norm, private PCA by `eigh`, float32 steps); selection (AboveThreshold and the sparse
vector with c answers by `cumsum` and `np.where`, the resampled-threshold SVT by a Python loop,
numeric sparse, report noisy max with Laplace and exponential noise, noisy top-k by `argsort`
and by Gumbel, the mode by `bincount`, vectorized permute-and-flip, MWEM over range queries);
fairness (selection rates by group masks, demographic parity, disparate impact and the 80%
rule, equal opportunity, equalized odds, average odds, predictive parity, group confusion
matrices by one `bincount`, calibration within groups over fixed bins by `digitize`, ECE with
`np.divide(where=)`, reweighing by counts and by mask writes, per-group thresholds over a
grid, Hardt's randomized thresholds, the generalized entropy and Theil indices, kNN
consistency, group AUCs and xAUC by pairwise masks, Zafar's covariance-constrained training,
group DRO weights, worst-group accuracy, intersectional ids by `ravel_multi_index`, WEAT
effect sizes, Lipschitz violations, counterfactual flips of a sensitive column); and auditing
(permutation importance from a seeded generator by `shuffle` and by `permutation`, partial
dependence and ICE over fixed grids and percentile grids, 2-D partial dependence, ALE,
counterfactual MAD-weighted distances, Wachter's gradient search, nearest unlike neighbours,
linear recourse, DiCE's determinant diversity, exact Shapley values over `itertools`
subsets, KernelSHAP by weighted least squares, LIME, integrated gradients and SmoothGrad,
membership inference (Yeom's threshold, LiRA by `norm.logpdf`), DP auditing by Clopper-Pearson
`beta.ppf` bounds, calibration by Platt's Newton steps and a temperature grid, Brier
decomposition, bootstrap intervals, KNN-Shapley, influence functions, model-card summary tables
as dicts of arrays); and more forms (optimized local hashing with int64 hashes, Hadamard
response by `np.bitwise_count`, Apple's count-mean sketch by `np.add.at`, GRR debiasing by
`inv` and `solve`, a simplex projection by `np.nonzero(...)[0][-1]`, hierarchical counts made
consistent by `lstsq` over `np.kron` blocks, a matrix mechanism by `pinv`, DPLloyd k-means,
private naive Bayes by `einsum`, synthetic data from a noisy marginal, subsampling without
replacement, the binomial mechanism, a legacy `RandomState` argument, a generator seeded
inside from a static `random_state`, `np.random.seed` inside, rounding to a lattice,
amplification by shuffling, quantiles, medians and percentiles of group selections,
`chi2_contingency` of a `histogram2d`, `rankdata` AUCs, `rel_entr` and `entropy`, weighted
averages and `corrcoef`, boolean and uint8 confusion codes, partial dependence by `np.repeat`
with a 3-D write, Friedman's H by fancy column writes, sampled Shapley values, `permuted`
importance, Mahalanobis `cdist` with norm orders, growing spheres, masked-array ECE, `nanmean`
tables, a dict dataset written in place; top-k and audit samples by `choice(replace=False,
p=)`, a permutation null by `permuted(out=)`, clipping by `apply_along_axis` and a list
comprehension, spectral-norm clipping, `np.convolve` privacy losses, `logaddexp.reduce`,
monotone CDFs by `maximum.accumulate`, uint64 multiply-shift hashing, `shuffle` of a column
view, one generator passed as two arguments).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype
(random draws from the generator argument bit for bit), and in the arguments it writes in
place. Group counts, bin counts, steps and grid sizes given as Python ints are made static; the
forms whose Python or shapes depend on array values (permute-and-flip's rejection loop, an SVT
that `break`s, groups from `np.unique`, a budget check by `if`, a bisection `while` on a
tolerance, released bins by a noisy mask, flagged individuals by `np.nonzero`, `len` of a
selection, an outer comparison of two selections, SciPy's two-sample statistics of selections,
`scipy.optimize.minimize` and `brentq` of traced data, `binomtest(int(tp))`, `sorted` by a
noisy key, an f-string model card) raise a named error and run eagerly under `fallback=True`.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.linalg
import scipy.optimize
import scipy.spatial.distance
import scipy.special
import scipy.stats
from scipy.stats import norm
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_corpus_hunt_v import _names, _Xfail

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _rng(seed):
    return np.random.default_rng(seed + 1000)


def _cells(seed, n, n_groups=2):
    """(group, y_true, y_pred): every combination present n + 1 times, shuffled."""
    c = np.random.default_rng(seed).permutation(np.tile(np.arange(4 * n_groups), n + 1))
    return c // 4, (c // 2) % 2, c % 2


def _scores(seed, y):
    r = np.random.default_rng(seed + 7)
    return np.clip(0.35 * y + 0.6 * r.random(y.shape) + 0.02, 0.01, 0.99)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ============================================================================ mechanisms

HIST_EDGES = np.linspace(-3.0, 3.0, 13)
MEDIAN_CANDIDATES = np.linspace(-3.0, 3.0, 61)
N_CATEGORIES = 6
RAPPOR_A = np.array([3, 7, 11])
RAPPOR_B = np.array([1, 4, 9])
M_BITS = 16


def laplace_mechanism(true_answer, sensitivity, epsilon, rng):
    # the textbook mechanism: noise of scale sensitivity / epsilon, one draw per coordinate
    scale = sensitivity / epsilon
    return true_answer + rng.laplace(loc=0.0, scale=scale, size=np.shape(true_answer))


def laplace_vector_query(data, epsilon, rng):
    # a vector-valued query (column means of [0, 1] data) with L1 sensitivity d / n
    n, d = data.shape
    answer = np.clip(data, 0, 1).mean(axis=0)
    return answer + rng.laplace(0, d / (n * epsilon), d)


def gaussian_mechanism_classic(true_answer, sensitivity, epsilon, delta, rng):
    sigma = np.sqrt(2 * np.log(1.25 / delta)) * sensitivity / epsilon
    return true_answer + rng.normal(0, sigma, true_answer.shape), sigma


def gaussian_sum_l2_clipped(X, clip, epsilon, delta, rng):
    # the sum of rows clipped to L2 norm `clip` has L2 sensitivity `clip`
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    Xc = X * np.minimum(1.0, clip / norms)
    sigma = clip * np.sqrt(2 * np.log(1.25 / delta)) / epsilon
    return Xc.sum(axis=0) + sigma * rng.standard_normal(X.shape[1])


def private_count(ages, epsilon, rng):
    # Near & Abuah: "how many individuals are over 40?"
    count = len(ages[ages > 40])
    return count + rng.laplace(loc=0, scale=1 / epsilon)


def private_count_nonzero(ages, epsilon, rng):
    return np.count_nonzero(ages > 40) + rng.laplace(loc=0, scale=1 / epsilon)


def private_sum_clipped(x, lower, upper, epsilon, rng):
    clipped = np.clip(x, lower, upper)
    sensitivity = max(abs(lower), abs(upper))
    return clipped.sum() + rng.laplace(scale=sensitivity / epsilon)


def private_mean_split_budget(x, lower, upper, epsilon, rng):
    # half of the budget on the sum, half on the count, a builtin `max` against tiny counts
    eps_sum = eps_count = epsilon / 2
    clipped = np.clip(x, lower, upper)
    noisy_sum = clipped.sum() + rng.laplace(0, max(abs(lower), abs(upper)) / eps_sum)
    noisy_count = len(x) + rng.laplace(0, 1 / eps_count)
    return noisy_sum / max(noisy_count, 1.0)


def private_mean_centered(x, lower, upper, epsilon, rng):
    mid = (lower + upper) / 2
    half = (upper - lower) / 2
    centered = np.clip(x, lower, upper) - mid
    noisy = centered.sum() + rng.laplace(scale=half / epsilon)
    return mid + noisy / x.shape[0]


def private_variance(x, lower, upper, epsilon, rng):
    # diffprivlib-like: a noisy mean and a noisy mean of squares, a third of the budget each
    n = x.shape[0]
    xc = np.clip(x, lower, upper)
    eps3 = epsilon / 3
    mean = xc.mean() + rng.laplace(scale=(upper - lower) / (n * eps3))
    sq = (xc ** 2).mean() + rng.laplace(scale=max(lower ** 2, upper ** 2) / (n * eps3))
    return np.maximum(sq - mean ** 2, 0.0), mean


def private_histogram(x, epsilon, rng):
    counts, _ = np.histogram(x, bins=HIST_EDGES)
    noisy = counts + rng.laplace(scale=1.0 / epsilon, size=counts.shape)
    noisy = np.maximum(noisy, 0)  # post-processing keeps the guarantee
    return noisy, noisy / noisy.sum()


def private_category_counts(categories, epsilon, delta, rng):
    counts = np.bincount(categories, minlength=N_CATEGORIES)
    sigma = np.sqrt(2 * np.log(1.25 / delta)) / epsilon
    noisy = counts + rng.normal(scale=sigma, size=N_CATEGORIES)
    return np.rint(np.clip(noisy, 0, None)).astype(np.int64)


def geometric_mechanism(counts, epsilon, rng):
    # two-sided geometric (discrete Laplace) noise keeps integer counts integers
    p = 1 - np.exp(-epsilon)
    noise = rng.geometric(p, size=counts.shape) - rng.geometric(p, size=counts.shape)
    return counts + noise


def warner_randomized_response(answers, p, rng):
    truthful = rng.random(answers.shape) < p
    reported = np.where(truthful, answers, 1 - answers)
    lam = reported.mean()
    pi_hat = (lam + p - 1) / (2 * p - 1)
    var_hat = lam * (1 - lam) / (answers.size * (2 * p - 1) ** 2)
    return reported, pi_hat, var_hat


def coin_flip_response(answers, rng):
    # Dwork & Roth: heads, answer truthfully; tails, answer by a second coin
    first = rng.integers(0, 2, size=answers.shape)
    second = rng.integers(0, 2, size=answers.shape)
    responses = np.where(first == 1, answers, second)
    return responses, 2 * (responses.mean() - 0.25)


def generalized_randomized_response(values, epsilon, rng, k):
    n = values.shape[0]
    p = np.exp(epsilon) / (np.exp(epsilon) + k - 1)
    q = 1.0 / (np.exp(epsilon) + k - 1)
    keep = rng.random(n) < p
    other = (values + rng.integers(1, k, size=n)) % k
    reports = np.where(keep, values, other)
    counts = np.bincount(reports, minlength=k)
    return reports, (counts / n - q) / (p - q)


def optimized_unary_encoding(values, epsilon, rng, k):
    n = len(values)
    onehot = np.zeros((n, k), dtype=np.int8)
    onehot[np.arange(n), values] = 1
    p, q = 0.5, 1.0 / (np.exp(epsilon) + 1)
    u = rng.random((n, k))
    perturbed = np.where(onehot == 1, u < p, u < q).astype(np.int8)
    support = perturbed.sum(axis=0)
    return support, (support / n - q) / (p - q)


def rappor_reports(values, f, p, q, rng):
    n = values.shape[0]
    bloom = np.zeros((n, M_BITS), dtype=bool)
    for a, b in zip(RAPPOR_A, RAPPOR_B):
        bloom[np.arange(n), (a * values + b) % M_BITS] = True
    u = rng.random((n, M_BITS))
    prr = np.where(u < f / 2, True, np.where(u < f, False, bloom))
    v = rng.random((n, M_BITS))
    irr = np.where(prr, v < q, v < p)
    c = irr.sum(axis=0)
    t = (c - (p + 0.5 * f * q - 0.5 * f * p) * n) / ((1 - f) * (q - p))
    return c, t


def exponential_mechanism_choice(utilities, sensitivity, epsilon, rng):
    weights = np.exp(epsilon * (utilities - utilities.max()) / (2 * sensitivity))
    probs = weights / weights.sum()
    return rng.choice(len(utilities), p=probs), probs


def exponential_mechanism_gumbel(utilities, sensitivity, epsilon, rng):
    noisy = epsilon * utilities / (2 * sensitivity) + rng.gumbel(size=utilities.shape)
    return int(np.argmax(noisy))


def private_median_grid(x, epsilon, rng):
    n = x.shape[0]
    below = (x[None, :] < MEDIAN_CANDIDATES[:, None]).sum(axis=1)
    utility = -np.abs(below - n / 2)
    probs = scipy.special.softmax(epsilon * utility / 2)
    return MEDIAN_CANDIDATES[rng.choice(MEDIAN_CANDIDATES.size, p=probs)]


def private_quantile_smith(x, q, lower, upper, epsilon, rng):
    n = x.shape[0]
    xs = np.sort(np.clip(x, lower, upper))
    xs = np.concatenate(([lower], xs, [upper]))
    widths = np.diff(xs)
    utility = -np.abs(np.arange(n + 1) - q * n)
    log_w = np.log(widths) + epsilon * utility / 2
    i = np.argmax(log_w + rng.gumbel(size=n + 1))
    return rng.uniform(xs[i], xs[i + 1])


def smooth_sensitivity_median(x, lower, upper, beta):
    n = x.shape[0]
    xs = np.sort(np.clip(x, lower, upper))
    m = (n - 1) // 2

    def at(i):
        if i < 0:
            return lower
        if i >= n:
            return upper
        return xs[i]

    best = 0.0
    for k in range(n + 1):
        local = np.max([at(m + t) - at(m + t - k - 1) for t in range(k + 2)])
        best = np.maximum(best, np.exp(-k * beta) * local)
    return best


def bound_user_contributions(user_ids, values, bound, n_users):
    # scale each user's rows so that the user's total |contribution| is at most `bound`
    totals = np.bincount(user_ids, weights=np.abs(values), minlength=n_users)
    factor = np.minimum(1.0, bound / np.maximum(totals, 1e-12))
    scaled = values * factor[user_ids]
    return scaled, np.bincount(user_ids, weights=scaled, minlength=n_users)


def cap_rows_per_user(user_ids, values, max_rows, n_users):
    # keep each user's first `max_rows` rows: the rank within a user by a stable argsort
    order = np.argsort(user_ids, kind="stable")
    sorted_ids = user_ids[order]
    first = np.searchsorted(sorted_ids, np.arange(n_users))
    rank_sorted = np.arange(len(user_ids)) - first[sorted_ids]
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    keep = rank < max_rows
    return np.where(keep, values, 0.0), keep.sum()


def truncated_laplace_release(counts, epsilon, bound, rng):
    noisy = counts + rng.laplace(0, 1 / epsilon, counts.shape)
    out = noisy.copy()
    out[out < 0] = 0
    out[out > bound] = bound
    return out


def _users(seed, n, n_users):
    r = np.random.default_rng(seed)
    return r.permutation(np.tile(np.arange(n_users), n)), r.uniform(-2, 2, n * n_users)


MECHANISMS = {
    "laplace_scalar": (laplace_mechanism, {}, lambda s, n: (
        float(n * s), 1.0, 0.5, _rng(s))),
    "laplace_vector_array_scale": (laplace_mechanism, {}, lambda s, n: (
        _f(n, seed=s), 2.0, 0.1 * s, _rng(s))),
    "laplace_vector_query": (laplace_vector_query, {}, lambda s, n: (
        _u(s, 5 * n, 3), 1.0, _rng(s))),
    "gaussian_classic": (gaussian_mechanism_classic, {}, lambda s, n: (
        _f(n, 2, seed=s), 1.0, 0.5, 1e-5, _rng(s))),
    "gaussian_sum_l2_clipped": (gaussian_sum_l2_clipped, {}, lambda s, n: (
        _f(3 * n, 4, seed=s), 1.0, 1.0, 1e-5, _rng(s))),
    "gaussian_sum_float32": (gaussian_sum_l2_clipped, {}, lambda s, n: (
        _f(3 * n, 4, seed=s).astype(np.float32), 0.5, 2.0, 1e-6, _rng(s))),
    "private_count_count_nonzero": (private_count_nonzero, {}, lambda s, n: (
        _i(90, 10 * n, seed=s), 0.5, _rng(s))),
    "private_count_int32_ages": (private_count_nonzero, {}, lambda s, n: (
        _i(90, 10 * n, seed=s).astype(np.int32), 1.0, _rng(s))),
    "private_sum_clipped": (private_sum_clipped, {}, lambda s, n: (
        3 * _f(5 * n, seed=s), -2.0, 3.0, 1.0, _rng(s))),
    "private_mean_split_budget_builtin_max": (private_mean_split_budget, {}, lambda s, n: (
        3 * _f(5 * n, seed=s), -2.0, 2.0, 1.0, _rng(s))),
    "private_mean_centered": (private_mean_centered, {}, lambda s, n: (
        _u(s, 5 * n) * 100, 0.0, 80.0, 0.5, _rng(s))),
    "private_variance": (private_variance, {}, lambda s, n: (
        _f(8 * n, seed=s), -3.0, 3.0, 2.0, _rng(s))),
    "private_histogram_np_histogram": (private_histogram, {}, lambda s, n: (
        _f(20 * n, seed=s), 1.0, _rng(s))),
    "private_category_counts_rint": (private_category_counts, {}, lambda s, n: (
        _i(N_CATEGORIES, 10 * n, seed=s), 1.0, 1e-5, _rng(s))),
    "geometric_int_counts": (geometric_mechanism, {}, lambda s, n: (
        _i(50, n, 3, seed=s), 0.7, _rng(s))),
    "warner_rr_debias": (warner_randomized_response, {}, lambda s, n: (
        _i(2, 10 * n, seed=s), 0.75, _rng(s))),
    "coin_flip_response": (coin_flip_response, {}, lambda s, n: (
        _i(2, 10 * n, seed=s), _rng(s))),
    "generalized_rr_k5": (generalized_randomized_response, {"k": 5}, lambda s, n: (
        _i(5, 10 * n, seed=s), 1.5, _rng(s))),
    "optimized_unary_encoding_int8": (optimized_unary_encoding, {"k": 4}, lambda s, n: (
        _i(4, 10 * n, seed=s), 1.0, _rng(s))),
    "rappor_bloom_filter": (rappor_reports, {}, lambda s, n: (
        _i(20, 6 * n, seed=s), 0.5, 0.25, 0.75, _rng(s))),
    "exponential_mechanism_choice": (exponential_mechanism_choice, {}, lambda s, n: (
        _f(n + 3, seed=s) * 5, 1.0, 1.0, _rng(s))),
    "exponential_mechanism_gumbel_int": (exponential_mechanism_gumbel, {}, lambda s, n: (
        _f(n + 3, seed=s) * 5, 1.0, 2.0, _rng(s))),
    "private_median_candidate_grid": (private_median_grid, {}, lambda s, n: (
        _f(10 * n, seed=s), 1.0, _rng(s))),
    "private_quantile_smith": (private_quantile_smith, {}, lambda s, n: (
        _f(5 * n, seed=s), 0.75, -4.0, 4.0, 1.0, _rng(s))),
    "smooth_sensitivity_median": (smooth_sensitivity_median, {}, lambda s, n: (
        _f(2 * n + 1, seed=s), -3.0, 3.0, 0.2)),
    "bound_user_contributions": (bound_user_contributions, {"n_users": 5}, lambda s, n: (
        *_users(s, n, 5), 3.0)),
    "cap_rows_per_user_stable_argsort": (cap_rows_per_user, {"max_rows": 2, "n_users": 4},
                                         lambda s, n: _users(s, n, 4)),
    "truncated_laplace_mask_writes": (truncated_laplace_release, {}, lambda s, n: (
        _i(20, 2 * n, seed=s).astype(float), 0.5, 18.0, _rng(s))),
}


@pytest.mark.parametrize("name", _names(MECHANISMS))
def test_mechanisms_match_numpy(name):
    """Laplace, Gaussian, geometric and exponential mechanisms, randomized response, local DP
    encodings, private quantiles and contribution bounds: NumPy's values and draws."""
    check_like_numpy(*MECHANISMS[name])


# ============================================================================ accounting

ORDERS = np.array([1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 8.0, 10.0,
                   12.0, 14.0, 16.0, 20.0, 24.0, 28.0, 32.0, 48.0, 64.0])
INT_ORDERS = (2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 32)
K_GRID = np.arange(1, 201)
ZCDP_ALPHAS = np.linspace(1.01, 100, 400)


def basic_composition(epsilons, deltas):
    return np.sum(epsilons), np.sum(deltas)


def advanced_composition(epsilon, delta, delta_prime, k):
    eps_total = (np.sqrt(2 * k * np.log(1 / delta_prime)) * epsilon
                 + k * epsilon * np.expm1(epsilon))
    return eps_total, k * delta + delta_prime


def best_composition_over_k(epsilon, delta_prime):
    basic = K_GRID * epsilon
    advanced = np.sqrt(2 * K_GRID * np.log(1 / delta_prime)) * epsilon \
        + K_GRID * epsilon * (np.exp(epsilon) - 1)
    best = np.minimum(basic, advanced)
    crossover = K_GRID[np.argmax(advanced < basic)]
    return best, crossover


def rdp_gaussian_to_dp(sigma, delta, steps):
    rdp = steps * ORDERS / (2 * sigma ** 2)
    eps = rdp + np.log(1 / delta) / (ORDERS - 1)
    idx = np.argmin(eps)
    return eps[idx], ORDERS[idx]


def rdp_to_dp_balle(rdp, delta):
    # Balle et al. (2020), Theorem 21, as TF privacy's compute_epsilon
    eps = rdp + np.log1p(-1 / ORDERS) - (np.log(delta) + np.log(ORDERS)) / (ORDERS - 1)
    eps = np.where(rdp < 0, np.inf, eps)
    idx = np.nanargmin(eps)
    return np.maximum(0.0, eps[idx]), ORDERS[idx]


def rdp_laplace(b):
    # Mironov (2017), Table II, for alpha > 1
    a = ORDERS
    return np.log(a / (2 * a - 1) * np.exp((a - 1) / b)
                  + (a - 1) / (2 * a - 1) * np.exp(-a / b)) / (a - 1)


def _log_a_int(q, sigma, alpha):
    # TF privacy's _compute_log_a_int with the log-sum kept by np.logaddexp
    log_a = -np.inf
    for i in range(alpha + 1):
        log_coef_i = (math.log(scipy.special.binom(alpha, i)) + i * np.log(q)
                      + (alpha - i) * np.log(1 - q))
        s = log_coef_i + (i * i - i) / (2 * (sigma ** 2))
        log_a = np.logaddexp(log_a, s)
    return log_a


def rdp_subsampled_gaussian(q, noise_multiplier, delta, steps):
    rdp = np.array([_log_a_int(q, noise_multiplier, a) / (a - 1) for a in INT_ORDERS]) * steps
    orders = np.array(INT_ORDERS, dtype=float)
    eps = rdp - np.log(delta) / (orders - 1)
    return eps.min(), orders[eps.argmin()], rdp


def zcdp_accounting(sensitivities, sigmas, delta):
    rho = np.sum(sensitivities ** 2 / (2 * sigmas ** 2))
    eps_simple = rho + 2 * np.sqrt(rho * np.log(1 / delta))
    a = ZCDP_ALPHAS
    eps_cks = np.min(a * rho + (np.log(1 / (a * delta)) + (a - 1) * np.log(1 - 1 / a)) / (a - 1))
    return rho, eps_simple, eps_cks


def amplification_by_subsampling(epsilons, q, delta_prime, steps):
    eps_q = np.log1p(q * np.expm1(epsilons))
    total = np.sqrt(2 * steps * np.log(1 / delta_prime)) * eps_q + steps * eps_q * np.expm1(eps_q)
    return eps_q, total


def calibrate_analytic_gaussian(epsilon, delta, sensitivity=1.0, iters=60):
    # Balle & Wang (2018): the smallest sigma with delta(sigma) <= delta, by fixed bisection
    def delta_of(sigma):
        a = sensitivity / (2 * sigma)
        b = epsilon * sigma / sensitivity
        return norm.cdf(a - b) - np.exp(epsilon) * norm.cdf(-a - b)

    lo = np.full_like(epsilon, 1e-2)
    hi = np.full_like(epsilon, 100.0)
    for _ in range(iters):
        mid = (lo + hi) / 2
        too_small = delta_of(mid) > delta
        lo = np.where(too_small, mid, lo)
        hi = np.where(too_small, hi, mid)
    return hi, delta_of(hi)


def gdp_clt_dpsgd(q, noise_multiplier, epsilons, steps):
    # Bu et al.: mu-GDP by the central limit theorem, then delta(eps)
    mu = q * np.sqrt(steps * np.expm1(1 / noise_multiplier ** 2))
    return mu, (norm.cdf(-epsilons / mu + mu / 2)
                - np.exp(epsilons) * norm.cdf(-epsilons / mu - mu / 2))


def rr_pld_composition(epsilon, targets, k):
    # the privacy loss of randomized response is +-eps; k-fold composition by rfft powers
    p = np.exp(epsilon) / (1 + np.exp(epsilon))
    pmf = np.zeros(3)
    pmf[0], pmf[2] = 1 - p, p
    size = 4 * k + 4
    comp = np.fft.irfft(np.fft.rfft(pmf, size) ** k, size)[:2 * k + 1]
    comp = np.clip(comp, 0, None)
    losses = epsilon * (np.arange(2 * k + 1) - k)
    return np.array([np.sum(np.where(losses > t, comp * (1 - np.exp(t - losses)), 0.0))
                     for t in targets])


def privacy_odometer(query_epsilons, budget):
    spent = np.cumsum(query_epsilons)
    answered = spent <= budget
    n_answered = np.searchsorted(spent, budget, side="right")
    return answered, n_answered, budget - spent[np.maximum(n_answered - 1, 0)]


def rdp_varying_noise(sigmas, delta):
    rdp = np.sum(ORDERS[None, :] / (2 * sigmas[:, None] ** 2), axis=0)
    eps = rdp + np.log(1 / delta) / (ORDERS - 1)
    return rdp, eps.min()


def budget_split_proportional(weights, total_epsilon):
    shares = np.asarray(weights, dtype=float)
    shares = shares / shares.sum()
    return {"epsilon": total_epsilon * shares, "scale": 1.0 / (total_epsilon * shares)}


ACCOUNTING = {
    "basic_composition": (basic_composition, {}, lambda s, n: (
        0.1 * _u(s, n) + 0.01, 1e-6 * _u(s + 1, n))),
    "advanced_composition_grid": (advanced_composition, {"k": 50}, lambda s, n: (
        np.linspace(0.01, 0.5, n), 1e-6, 1e-5)),
    "best_composition_over_k": (best_composition_over_k, {}, lambda s, n: (
        0.05 * s, 1e-5)),
    "rdp_gaussian_to_dp": (rdp_gaussian_to_dp, {"steps": 1000}, lambda s, n: (
        0.8 + 0.3 * s, 1e-5)),
    "rdp_to_dp_balle": (rdp_to_dp_balle, {}, lambda s, n: (
        ORDERS * (0.01 * s + 0.001 * n), 1e-5)),
    "rdp_laplace_mechanism": (rdp_laplace, {}, lambda s, n: (0.5 + s,)),
    "rdp_subsampled_gaussian_int_orders": (rdp_subsampled_gaussian, {"steps": 100}, lambda s, n: (
        0.01 * s, 1.0 + 0.1 * n, 1e-5)),
    "zcdp_accounting": (zcdp_accounting, {}, lambda s, n: (
        1 + _u(s, n), 5 + _u(s + 1, n) * 5, 1e-6)),
    "amplification_by_subsampling": (amplification_by_subsampling, {"steps": 100},
                                     lambda s, n: (np.linspace(0.1, 2, n), 0.01 * s, 1e-5)),
    "analytic_gaussian_bisection": (calibrate_analytic_gaussian, {"iters": 40}, lambda s, n: (
        np.linspace(0.2, 3.0, n), 1e-5 * s)),
    "gdp_clt_dpsgd": (gdp_clt_dpsgd, {"steps": 500}, lambda s, n: (
        0.01, 0.8 + 0.2 * s, np.linspace(0.5, 4, n))),
    "rr_pld_rfft_composition": (rr_pld_composition, {"k": 10}, lambda s, n: (
        0.1 * s, np.linspace(0.0, 2.0, n))),
    "privacy_odometer_searchsorted": (privacy_odometer, {}, lambda s, n: (
        0.1 + 0.2 * _u(s, 2 * n), 1.0)),
    "rdp_varying_noise_outer": (rdp_varying_noise, {}, lambda s, n: (
        1.0 + _u(s, 10 * n), 1e-5)),
    "budget_split_list_weights": (budget_split_proportional, {}, lambda s, n: (
        [1, 2, 3, s], 2.0)),
}


@pytest.mark.parametrize("name", _names(ACCOUNTING))
def test_privacy_accounting_matches_numpy(name):
    """Composition theorems, RDP over a fixed grid of orders, zCDP, amplification, the
    analytic Gaussian, GDP and a privacy-loss distribution: NumPy's values."""
    check_like_numpy(*ACCOUNTING[name])


# ============================================================================ DP-SGD


def dpsgd_logistic_step(w, X, y, clip_norm, noise_multiplier, lr, rng):
    # Abadi et al.: per-example gradients, clipped by their row norms, summed, noised
    p = _sigmoid(X @ w)
    grads = (p - y)[:, None] * X
    norms = np.linalg.norm(grads, axis=1)
    grads = grads / np.maximum(1.0, norms / clip_norm)[:, None]
    noise = rng.normal(0, noise_multiplier * clip_norm, size=w.shape)
    g = (grads.sum(axis=0) + noise) / X.shape[0]
    return w - lr * g


def dpsgd_logistic_epochs(w, X, y, rng, batch_size=4, epochs=2, clip=1.0, sigma=1.1, lr=0.5):
    n = X.shape[0]
    for epoch in range(epochs):
        perm = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            idx = perm[start:start + batch_size]
            Xb, yb = X[idx], y[idx]
            grads = (_sigmoid(Xb @ w) - yb)[:, None] * Xb
            norms = np.sqrt(np.sum(grads ** 2, axis=1))
            grads *= np.minimum(1, clip / (norms + 1e-12))[:, None]
            w = w - lr * (grads.sum(0) + sigma * clip * rng.standard_normal(w.shape)) / batch_size
    return w


def dpsgd_poisson_inplace(w, X, y, q, rng, steps=3, clip=1.0, sigma=1.0, lr=0.3):
    n = X.shape[0]
    for t in range(steps):
        mask = rng.random(n) < q
        residual = X @ w - y
        grads = residual[:, None] * X
        factors = np.minimum(1.0, clip / np.linalg.norm(grads, axis=1))
        clipped = grads * factors[:, None] * mask[:, None]
        noisy = clipped.sum(axis=0) + rng.normal(scale=sigma * clip, size=w.shape)
        w -= lr * noisy / (q * n)
    return w


def dpsgd_mlp_dict(params, X, y, rng, clip=1.0, sigma=0.8, lr=0.1):
    n = X.shape[0]
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    logits = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    delta2 = p.copy()
    delta2[np.arange(n), y] -= 1
    delta1 = (delta2 @ W2.T) * (1 - h ** 2)
    per_example = {"W1": np.einsum("ni,nj->nij", X, delta1), "b1": delta1,
                   "W2": np.einsum("ni,nj->nij", h, delta2), "b2": delta2}
    sq = sum(np.sum(g.reshape(n, -1) ** 2, axis=1) for g in per_example.values())
    factor = np.minimum(1.0, clip / np.sqrt(sq + 1e-12))
    for name, g in per_example.items():
        clipped = (g * factor.reshape((-1,) + (1,) * (g.ndim - 1))).sum(axis=0)
        noisy = clipped + sigma * clip * rng.standard_normal(clipped.shape)
        params[name] -= lr * noisy / n
    return params


def dpsgd_microbatches(w, X, y, clip, sigma, rng, n_micro):
    # TF privacy's microbatches: average within a microbatch, clip the averages
    n, d = X.shape
    grads = (X @ w - y)[:, None] * X
    micro = grads.reshape(n_micro, n // n_micro, d).mean(axis=1)
    norms = np.linalg.norm(micro, axis=1, keepdims=True)
    micro = micro * np.minimum(1, clip / norms)
    return (micro.sum(axis=0) + rng.normal(0, sigma * clip, d)) / n_micro


def adaptive_clipping(w, X, y, rng, steps=4, clip=0.5, target_q=0.5, eta=0.2, sigma=1.0,
                      sigma_b=2.0, lr=0.2):
    # Andrew et al.: geometric update of the clip norm toward a target quantile of norms
    n = X.shape[0]
    clips = []
    for t in range(steps):
        grads = (_sigmoid(X @ w) - y)[:, None] * X
        norms = np.linalg.norm(grads, axis=1)
        b = (np.sum(norms <= clip) + rng.normal(0, sigma_b)) / n
        g = (grads * np.minimum(1.0, clip / norms)[:, None]).sum(0)
        w = w - lr * (g + rng.normal(0, sigma * clip, w.shape)) / n
        clip = clip * np.exp(-eta * (b - target_q))
        clips.append(clip)
    return w, np.array(clips)


def automatic_clipping(w, X, y, rng, gamma=0.01, sigma=1.0, lr=0.5):
    # Bu et al.'s AUTO-S: normalize every per-example gradient
    grads = (_sigmoid(X @ w) - y)[:, None] * X
    grads = grads / (np.linalg.norm(grads, axis=-1, keepdims=True) + gamma)
    return w - lr * (grads.sum(0) + sigma * rng.standard_normal(w.size)) / len(y)


def dp_adam(w, X, y, rng, steps=3, lr=0.05, b1=0.9, b2=0.999, clip=1.0, sigma=1.0):
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, steps + 1):
        grads = (X @ w - y)[:, None] * X
        grads /= np.maximum(1, np.linalg.norm(grads, axis=1) / clip)[:, None]
        g = (grads.sum(0) + rng.normal(0, sigma * clip, w.shape)) / len(y)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        w = w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + 1e-8)
    return w


def ghost_norms_linear(activations, backprops):
    # the per-example gradient of a linear layer is an outer product: its norm factorises
    return np.linalg.norm(activations, axis=1) * np.linalg.norm(backprops, axis=1), \
        np.sqrt(np.einsum("ni,nj,ni,nj->n", activations, backprops, activations, backprops))


def binary_mechanism_prefix_sums(stream, epsilon, rng):
    # Chan et al.'s tree mechanism: every prefix sum is a sum of dyadic p-sums with noise
    T = stream.shape[0]
    levels = math.ceil(math.log2(T + 1))
    noise = rng.laplace(scale=levels / epsilon, size=(levels, T))
    csum = np.concatenate(([0.0], np.cumsum(stream)))
    out = np.zeros(T)
    for t in range(1, T + 1):
        total = 0.0
        end = t
        for lvl in range(levels):
            if t >> lvl & 1:
                start = end - (1 << lvl)
                total = total + (csum[end] - csum[start]) + noise[lvl, start >> lvl]
                end = start
        out[t - 1] = total
    return out


def dp_linear_regression_ssp(X, y, epsilon, rng):
    # sufficient statistics perturbation with a symmetric Laplace noise matrix
    n, d = X.shape
    XtX = X.T @ X
    Xty = X.T @ y
    E = rng.laplace(scale=2.0 / epsilon, size=(d, d))
    E = np.triu(E) + np.triu(E, 1).T
    return np.linalg.solve(XtX + E + 5.0 * np.eye(d), Xty + rng.laplace(scale=2 / epsilon, size=d))


def output_perturbation_logreg(X, y, lam, epsilon, rng, iters=30, lr=0.5):
    # Chaudhuri et al.: a norm from Gamma(d, 2 / (n lam eps)), a uniform direction
    n, d = X.shape
    w = np.zeros(d)
    for _ in range(iters):
        grad = X.T @ (_sigmoid(X @ w) - y) / n + lam * w
        w -= lr * grad
    direction = rng.normal(size=d)
    direction /= np.linalg.norm(direction)
    radius = rng.gamma(shape=d, scale=2.0 / (n * lam * epsilon))
    return w + radius * direction


def private_pca_projector(X, epsilon, delta, rng, k):
    # Analyze Gauss: a symmetric Gaussian noise on the covariance, then eigh
    d = X.shape[1]
    Xn = X / np.maximum(1.0, np.linalg.norm(X, axis=1, keepdims=True))
    sigma = np.sqrt(2 * np.log(1.25 / delta)) / epsilon
    E = rng.normal(0, sigma, (d, d))
    E = np.triu(E) + np.triu(E, 1).T
    vals, vecs = np.linalg.eigh(Xn.T @ Xn + E)
    top = vecs[:, np.argsort(vals)[::-1][:k]]
    return top @ top.T, np.sort(vals)[::-1]


def dpsgd_float32(w, X, y, rng, clip=1.0, sigma=1.0, lr=0.1):
    grads = (X @ w - y)[:, None] * X
    norms = np.linalg.norm(grads, axis=1, keepdims=True)
    grads = grads * np.minimum(np.float32(1), clip / norms)
    noise = rng.standard_normal(w.shape, dtype=np.float32) * np.float32(sigma * clip)
    return w - np.float32(lr) * (grads.sum(0) + noise) / np.float32(len(y))


def _logreg_data(seed, n, d=3):
    X = _f(n, d, seed=seed)
    return X, (X @ np.array([1.0, -2.0, 0.5][:d]) + 0.3 * _f(n, seed=seed + 5) > 0).astype(float)


def _mlp_params(seed, d=3, h=4, c=3):
    return {"W1": 0.5 * _f(d, h, seed=seed), "b1": np.zeros(h),
            "W2": 0.5 * _f(h, c, seed=seed + 1), "b2": np.zeros(c)}


DPSGD = {
    "logistic_step_row_norms": (dpsgd_logistic_step, {}, lambda s, n: (
        _f(3, seed=s), *_logreg_data(s, 4 * n), 1.0, 1.1, 0.5, _rng(s))),
    "logistic_epochs_permutation": (dpsgd_logistic_epochs, {"batch_size": 4, "epochs": 2},
                                    lambda s, n: (np.zeros(3), *_logreg_data(s, 4 * n), _rng(s))),
    "poisson_sampling_w_inplace": (dpsgd_poisson_inplace, {"steps": 3}, lambda s, n: (
        np.zeros(3), _f(6 * n, 3, seed=s), _f(6 * n, seed=s + 1), 0.3, _rng(s))),
    "mlp_dict_params_inplace": (dpsgd_mlp_dict, {}, lambda s, n: (
        _mlp_params(s), _f(3 * n, 3, seed=s), _i(3, 3 * n, seed=s), _rng(s))),
    "microbatches_reshape": (dpsgd_microbatches, {"n_micro": 4}, lambda s, n: (
        _f(3, seed=s), _f(4 * n, 3, seed=s), _f(4 * n, seed=s + 1), 1.0, 1.0, _rng(s))),
    "adaptive_quantile_clipping": (adaptive_clipping, {"steps": 4}, lambda s, n: (
        np.zeros(3), *_logreg_data(s, 5 * n), _rng(s))),
    "automatic_clipping": (automatic_clipping, {}, lambda s, n: (
        _f(3, seed=s), *_logreg_data(s, 5 * n), _rng(s))),
    "dp_adam": (dp_adam, {"steps": 3}, lambda s, n: (
        np.zeros(3), _f(4 * n, 3, seed=s), _f(4 * n, seed=s + 1), _rng(s))),
    "ghost_norms_einsum": (ghost_norms_linear, {}, lambda s, n: (
        _f(n, 5, seed=s), _f(n, 3, seed=s + 1))),
    "binary_tree_mechanism": (binary_mechanism_prefix_sums, {}, lambda s, n: (
        _i(2, 3 * n, seed=s).astype(float), 1.0, _rng(s))),
    "linear_regression_ssp": (dp_linear_regression_ssp, {}, lambda s, n: (
        _f(10 * n, 3, seed=s), _f(10 * n, seed=s + 1), 5.0, _rng(s))),
    "output_perturbation_gamma": (output_perturbation_logreg, {"iters": 20}, lambda s, n: (
        *_logreg_data(s, 6 * n), 0.1, 1.0, _rng(s))),
    "private_pca_eigh_projector": (private_pca_projector, {"k": 2}, lambda s, n: (
        _f(20 * n, 4, seed=s) * np.array([3.0, 2.0, 1.0, 0.5]), 5.0, 1e-5, _rng(s))),
    "dpsgd_float32": (dpsgd_float32, {}, lambda s, n: (
        _f(3, seed=s).astype(np.float32), _f(4 * n, 3, seed=s).astype(np.float32),
        _f(4 * n, seed=s + 1).astype(np.float32), _rng(s))),
}


@pytest.mark.parametrize("name", _names(DPSGD))
def test_dpsgd_matches_numpy(name):
    """Per-example clipping by row norms with Gaussian noise (logistic, Poisson sampling, an
    MLP in a dict, microbatches, adaptive and automatic clipping, Adam), tree aggregation,
    sufficient statistics, output perturbation and private PCA: NumPy's values."""
    check_like_numpy(*DPSGD[name])


# ============================================================================ selection


def above_threshold(queries, threshold, epsilon, rng):
    noisy_t = threshold + rng.laplace(scale=2 / epsilon)
    noisy_q = queries + rng.laplace(scale=4 / epsilon, size=queries.shape)
    above = noisy_q >= noisy_t
    return np.where(above.any(), np.argmax(above), -1)


def sparse_vector_c(queries, threshold, epsilon, rng, c):
    # c answers: queries after the c-th "above" are not answered (-1)
    eps1 = epsilon / 2
    eps2 = epsilon - eps1
    rho = rng.laplace(scale=c / eps1)
    nu = rng.laplace(scale=2 * c / eps2, size=queries.shape)
    above = queries + nu >= threshold + rho
    n_before = np.cumsum(above) - above
    return np.where(n_before < c, np.where(above, 1, 0), -1)


def sparse_resampled_threshold(queries, threshold, epsilon, rng, c):
    # Dwork & Roth's Sparse: a fresh noisy threshold after every "above", by a Python loop
    n = queries.shape[0]
    scale_t = 2 * c / epsilon
    rho = rng.laplace(scale=scale_t)
    fresh = rng.laplace(scale=scale_t, size=n)
    nu = rng.laplace(scale=2 * scale_t, size=n)
    out = np.zeros(n, dtype=np.int64)
    count = 0
    for i in range(n):
        hit = (queries[i] + nu[i] >= threshold + rho) & (count < c)
        out[i] = np.where(hit, 1, np.where(count < c, 0, -1))
        rho = np.where(hit, fresh[i], rho)
        count = count + hit
    return out


def numeric_sparse(queries, threshold, epsilon, rng, c):
    eps1, eps2, eps3 = 4 * epsilon / 9, 4 * epsilon / 9, epsilon / 9
    rho = rng.laplace(scale=1 / eps1)
    nu = rng.laplace(scale=2 * c / eps2, size=queries.shape)
    answers = queries + rng.laplace(scale=c / eps3, size=queries.shape)
    above = queries + nu >= threshold + rho
    ok = above & (np.cumsum(above) <= c)
    return np.where(ok, answers, np.nan)


def report_noisy_max(counts, epsilon, rng):
    noisy = counts + rng.laplace(scale=2 / epsilon, size=counts.shape)
    return np.argmax(noisy), noisy


def report_noisy_max_exponential(scores, sensitivity, epsilon, rng):
    noisy = scores + rng.exponential(scale=2 * sensitivity / epsilon, size=len(scores))
    return noisy.argmax()


def noisy_top_k(counts, epsilon, rng, k):
    noisy = counts + rng.laplace(scale=2 * k / epsilon, size=counts.shape)
    return np.argsort(-noisy)[:k]


def gumbel_top_k(scores, epsilon, rng, k):
    keys = epsilon * scores / 2 + rng.gumbel(size=scores.shape)
    return np.argsort(keys)[::-1][:k]


def private_mode(categories, epsilon, rng):
    counts = np.bincount(categories, minlength=N_CATEGORIES)
    return np.argmax(counts + rng.laplace(scale=1 / epsilon, size=N_CATEGORIES))


def permute_and_flip_vectorized(quality, sensitivity, epsilon, rng):
    # McKenna & Sheldon: walk a random permutation, accept with exp(eps (q - q*) / (2 D))
    n = quality.shape[0]
    perm = rng.permutation(n)
    probs = np.exp(epsilon * (quality[perm] - quality.max()) / (2 * sensitivity))
    accept = rng.random(n) <= probs
    return perm[np.argmax(accept)]


def mwem(hist, queries, epsilon, rng, T=4):
    n = hist.sum()
    A = np.full(hist.shape, n / hist.size)
    answers = queries @ hist
    eps_t = epsilon / (2 * T)
    for t in range(T):
        err = np.abs(answers - queries @ A)
        w = np.exp(eps_t * (err - err.max()) / 2)
        qi = rng.choice(len(queries), p=w / w.sum())
        m = answers[qi] + rng.laplace(scale=1 / eps_t)
        A = A * np.exp(queries[qi] * (m - queries[qi] @ A) / (2 * n))
        A *= n / A.sum()
    return A


def _range_queries(d):
    return np.array([[1.0 if lo <= j < hi else 0.0 for j in range(d)]
                     for lo in range(d) for hi in range(lo + 1, d + 1)])


SELECTION = {
    "above_threshold": (above_threshold, {}, lambda s, n: (
        _f(4 * n, seed=s) * 3, 2.0, 1.0, _rng(s))),
    "sparse_vector_c_cumsum": (sparse_vector_c, {"c": 2}, lambda s, n: (
        _f(4 * n, seed=s) * 3, 1.0, 2.0, _rng(s))),
    "sparse_resampled_threshold_loop": (sparse_resampled_threshold, {"c": 2}, lambda s, n: (
        _f(3 * n, seed=s) * 3, 1.0, 4.0, _rng(s))),
    "numeric_sparse": (numeric_sparse, {"c": 2}, lambda s, n: (
        _f(4 * n, seed=s) * 3, 1.0, 2.0, _rng(s))),
    "report_noisy_max_laplace": (report_noisy_max, {}, lambda s, n: (
        _i(30, 2 * n, seed=s), 1.0, _rng(s))),
    "report_noisy_max_exponential": (report_noisy_max_exponential, {}, lambda s, n: (
        _f(2 * n, seed=s), 1.0, 1.0, _rng(s))),
    "noisy_top_k_argsort": (noisy_top_k, {"k": 3}, lambda s, n: (
        _i(30, 2 * n, seed=s), 2.0, _rng(s))),
    "gumbel_top_k_reversed": (gumbel_top_k, {"k": 2}, lambda s, n: (
        _f(2 * n, seed=s), 1.0, _rng(s))),
    "private_mode_bincount": (private_mode, {}, lambda s, n: (
        _i(N_CATEGORIES, 10 * n, seed=s), 1.0, _rng(s))),
    "permute_and_flip_vectorized": (permute_and_flip_vectorized, {}, lambda s, n: (
        _f(2 * n, seed=s) * 3, 1.0, 1.0, _rng(s))),
    "mwem_range_queries": (mwem, {"T": 4}, lambda s, n: (
        _i(20, n, seed=s) + 1, _range_queries(n), 2.0, _rng(s))),
}


@pytest.mark.parametrize("name", _names(SELECTION))
def test_private_selection_matches_numpy(name):
    """The sparse vector technique in four forms, report-noisy-max, noisy top-k, private mode,
    permute-and-flip and MWEM: NumPy's values and draws."""
    check_like_numpy(*SELECTION[name])


# ============================================================================ fairness

THRESHOLD_GRID = np.linspace(0.05, 0.95, 19)
N_BINS = 10
GROUP_NAMES = ("group_a", "group_b")


def selection_rates(y_pred, sensitive, n_groups=2):
    return np.array([y_pred[sensitive == g].mean() for g in range(n_groups)])


def demographic_parity(y_pred, sensitive, n_groups):
    rates = selection_rates(y_pred, sensitive, n_groups)
    return {"selection_rate": rates, "difference": rates.max() - rates.min(),
            "ratio": rates.min() / rates.max()}


def disparate_impact_80_rule(y_pred, sensitive, privileged=1):
    priv = y_pred[sensitive == privileged].mean()
    unpriv = y_pred[sensitive != privileged].mean()
    ratio = unpriv / priv
    return ratio, ratio >= 0.8, unpriv - priv


def equal_opportunity_difference(y_true, y_pred, sensitive):
    tpr = []
    for g in (0, 1):
        m = (sensitive == g) & (y_true == 1)
        tpr.append(y_pred[m].sum() / m.sum())
    return tpr[1] - tpr[0]


def equalized_odds(y_true, y_pred, sensitive, n_groups):
    tpr = np.zeros(n_groups)
    fpr = np.zeros(n_groups)
    for g in range(n_groups):
        in_g = sensitive == g
        tpr[g] = np.mean(y_pred[in_g & (y_true == 1)])
        fpr[g] = np.mean(y_pred[in_g & (y_true == 0)])
    return max(tpr.max() - tpr.min(), fpr.max() - fpr.min()), tpr, fpr


def average_odds_difference(y_true, y_pred, sensitive):
    # AIF360: the mean of the FPR and TPR differences, unprivileged minus privileged
    def rates(m):
        tp = np.sum((y_pred == 1) & (y_true == 1) & m)
        fp = np.sum((y_pred == 1) & (y_true == 0) & m)
        p = np.sum((y_true == 1) & m)
        neg = np.sum((y_true == 0) & m)
        return tp / p, fp / neg

    tpr_u, fpr_u = rates(sensitive == 0)
    tpr_p, fpr_p = rates(sensitive == 1)
    return 0.5 * ((fpr_u - fpr_p) + (tpr_u - tpr_p))


def predictive_parity(y_true, y_pred, sensitive):
    ppv = {}
    for g, name in enumerate(GROUP_NAMES):
        predicted_pos = (y_pred == 1) & (sensitive == g)
        ppv[name] = np.sum(y_true[predicted_pos]) / np.sum(predicted_pos)
    return ppv, abs(ppv["group_a"] - ppv["group_b"])


def group_confusion_bincount(y_true, y_pred, group, n_groups):
    idx = group * 4 + y_true * 2 + y_pred
    cm = np.bincount(idx, minlength=4 * n_groups).reshape(n_groups, 2, 2)
    tn, fp, fn, tp = cm[:, 0, 0], cm[:, 0, 1], cm[:, 1, 0], cm[:, 1, 1]
    return {"cm": cm, "tpr": tp / (tp + fn), "fpr": fp / (fp + tn), "ppv": tp / (tp + fp),
            "npv": tn / (tn + fn), "treatment_equality": fn / fp}


def calibration_within_groups(scores, y_true, group, n_groups):
    edges = np.linspace(0.0, 1.0, N_BINS + 1)
    bins = np.digitize(scores, edges[1:-1])
    mean_score = np.zeros((n_groups, N_BINS))
    frac_pos = np.zeros((n_groups, N_BINS))
    counts = np.zeros((n_groups, N_BINS), dtype=np.int64)
    for g in range(n_groups):
        m = group == g
        cnt = np.bincount(bins[m], minlength=N_BINS)
        s = np.bincount(bins[m], weights=scores[m], minlength=N_BINS)
        pos = np.bincount(bins[m], weights=y_true[m], minlength=N_BINS)
        counts[g] = cnt
        mean_score[g] = np.divide(s, cnt, out=np.zeros(N_BINS), where=cnt > 0)
        frac_pos[g] = np.divide(pos, cnt, out=np.zeros(N_BINS), where=cnt > 0)
    return mean_score, frac_pos, counts


def expected_calibration_error(probs, labels, n_bins=15):
    conf = probs.max(axis=1)
    pred = probs.argmax(axis=1)
    acc = (pred == labels).astype(float)
    bin_ids = np.minimum((conf * n_bins).astype(int), n_bins - 1)
    cnt = np.bincount(bin_ids, minlength=n_bins)
    conf_sum = np.bincount(bin_ids, weights=conf, minlength=n_bins)
    acc_sum = np.bincount(bin_ids, weights=acc, minlength=n_bins)
    gap = np.abs(acc_sum - conf_sum)
    mce = np.max(np.divide(gap, cnt, out=np.zeros(n_bins), where=cnt > 0))
    return gap.sum() / len(labels), mce


def group_ece(scores, y_true, group, n_groups, n_bins=5):
    out = np.empty(n_groups)
    edges = np.linspace(0, 1, n_bins + 1)
    for g in range(n_groups):
        s, y = scores[group == g], y_true[group == g]
        ece = 0.0
        for lo, hi in zip(edges[:-1], edges[1:]):
            in_bin = (s > lo) & (s <= hi)
            frac = in_bin.mean()
            ece += np.where(frac > 0, np.abs(np.sum(s * in_bin) - np.sum(y * in_bin)) / len(s), 0)
        out[g] = ece
    return out


def reweighing_bincount(group, label, n_groups):
    # Kamiran & Calders: w(g, y) = P(g) P(y) / P(g, y)
    n = len(label)
    joint = np.bincount(group * 2 + label, minlength=2 * n_groups).reshape(n_groups, 2)
    p_g = np.bincount(group, minlength=n_groups) / n
    p_y = np.bincount(label, minlength=2) / n
    W = np.outer(p_g, p_y) * n / joint
    return W[group, label], W


def reweighing_mask_writes(group, label):
    # AIF360's Reweighing.fit as a loop over the four (group, label) cells
    n = len(label)
    w = np.ones(n, dtype=np.float64)
    for g in (0, 1):
        for y in (0, 1):
            cell = (group == g) & (label == y)
            w[cell] = (np.sum(group == g) * np.sum(label == y)) / (n * np.sum(cell))
    return w


def group_thresholds_accuracy(scores, y_true, group, n_groups):
    preds = scores[:, None] >= THRESHOLD_GRID[None, :]
    correct = preds == y_true[:, None].astype(bool)
    best = np.empty(n_groups)
    for g in range(n_groups):
        acc = correct[group == g].mean(axis=0)
        best[g] = THRESHOLD_GRID[np.argmax(acc)]
    return best, (scores >= best[group]).astype(int)


def equal_opportunity_thresholds(scores, y_true, group, n_groups, target_tpr=0.8123):
    thresholds = np.zeros(n_groups)
    for g in range(n_groups):
        pos = scores[(group == g) & (y_true == 1)]
        tpr = (pos[:, None] >= THRESHOLD_GRID).mean(axis=0)
        thresholds[g] = THRESHOLD_GRID[np.argmin(np.abs(tpr - target_tpr))]
    return thresholds, scores >= thresholds[group]


def hardt_randomized_thresholds(scores, group, lo, hi, mix, rng):
    # Hardt et al.: each group mixes two thresholds with a group probability
    use_hi = rng.random(scores.shape[0]) < mix[group]
    t = np.where(use_hi, hi[group], lo[group])
    return (scores >= t).astype(np.int8)


def generalized_entropy_index(y_true, y_pred, alpha=2):
    b = y_pred - y_true + 1
    mu = np.mean(b)
    if alpha == 1:
        return np.mean(np.log((b / mu) ** b) / mu)
    elif alpha == 0:
        return -np.mean(np.log(b / mu) / mu)
    return np.mean((b / mu) ** alpha - 1) / (alpha * (alpha - 1))


def consistency_knn(X, y_pred, n_neighbors=3):
    # AIF360's consistency: 1 - mean |y_hat - mean of the neighbours' y_hat|
    d = np.sum((X[:, None, :] - X[None, :, :]) ** 2, axis=-1)
    nbrs = np.argsort(d, axis=1)[:, 1:n_neighbors + 1]
    return 1 - np.mean(np.abs(y_pred - y_pred[nbrs].mean(axis=1)))


def group_auc_pairwise(scores, y_true, group, n_groups):
    aucs = np.zeros(n_groups)
    for g in range(n_groups):
        pos = (group == g) & (y_true == 1)
        neg = (group == g) & (y_true == 0)
        wins = (scores[:, None] > scores[None, :]) & pos[:, None] & neg[None, :]
        aucs[g] = wins.sum() / (pos.sum() * neg.sum())
    return aucs


def xauc(scores, y_true, group):
    # Kallus & Zhou: positives of one group ranked above negatives of the other
    s_pos_a = scores[(group == 0) & (y_true == 1)]
    s_neg_b = scores[(group == 1) & (y_true == 0)]
    s_pos_b = scores[(group == 1) & (y_true == 1)]
    s_neg_a = scores[(group == 0) & (y_true == 0)]
    ab = np.mean(s_pos_a[:, None] > s_neg_b[None, :])
    ba = np.mean(s_pos_b[:, None] > s_neg_a[None, :])
    return ab, ba, ab - ba


def zafar_covariance_constrained(X, y, z, c, iters=40, lr=0.5, mu=5.0):
    # Zafar et al.: logistic loss plus a penalty on |cov(z, theta . x)| above c
    n, d = X.shape
    theta = np.zeros(d)
    zc = z - z.mean()
    for _ in range(iters):
        p = _sigmoid(X @ theta)
        grad = X.T @ (p - y) / n
        cov = np.dot(zc, X @ theta) / n
        excess = np.abs(cov) - c
        grad += mu * np.where(excess > 0, np.sign(cov), 0.0) * (X.T @ zc) / n
        theta -= lr * grad
    return theta, np.dot(zc, X @ theta) / n


def group_dro_weights(losses, group, n_groups, eta=0.5, steps=5):
    q = np.ones(n_groups) / n_groups
    history = []
    for _ in range(steps):
        group_loss = np.bincount(group, weights=losses, minlength=n_groups) \
            / np.bincount(group, minlength=n_groups)
        q = q * np.exp(eta * group_loss)
        q /= q.sum()
        history.append(q @ group_loss)
        losses = losses * 0.9
    return q, np.array(history)


def worst_group_accuracy(y_true, y_pred, group, n_groups):
    correct = (y_true == y_pred)
    accs = np.array([correct[group == g].mean() for g in range(n_groups)])
    return accs.min(), accs.argmin(), np.mean(accs)


def intersectional_rates(y_pred, race, sex):
    ids = np.ravel_multi_index((race, sex), (3, 2))
    counts = np.bincount(ids, minlength=6)
    pos = np.bincount(ids, weights=y_pred, minlength=6)
    rates = (pos / counts).reshape(3, 2)
    return rates, rates.max() - rates.min(), np.unravel_index(np.argmax(rates), rates.shape)


def weat_effect_size(X, Y, A, B):
    def cos(u, V):
        return (V @ u) / (np.linalg.norm(V, axis=1) * np.linalg.norm(u))

    def s(w):
        return cos(w, A).mean() - cos(w, B).mean()

    sx = np.array([s(x) for x in X])
    sy = np.array([s(y) for y in Y])
    return (sx.mean() - sy.mean()) / np.std(np.concatenate([sx, sy]), ddof=1), sx.sum() - sy.sum()


def lipschitz_violations(X, scores, L=0.5):
    d = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    diff = np.abs(scores[:, None] - scores[None, :])
    iu = np.triu_indices(len(scores), k=1)
    viol = diff[iu] > L * d[iu]
    return viol.mean(), np.max(diff[iu] / d[iu])


def counterfactual_flip_rate(X, coef, intercept, sensitive_col):
    X_cf = X.copy()
    X_cf[:, sensitive_col] = 1 - X_cf[:, sensitive_col]
    p = _sigmoid(X @ coef + intercept)
    p_cf = _sigmoid(X_cf @ coef + intercept)
    return np.mean((p >= 0.5) != (p_cf >= 0.5)), np.abs(p - p_cf).max()


def conditional_demographic_parity(y_pred, sensitive, strata, n_strata):
    gaps = np.zeros(n_strata)
    weights = np.zeros(n_strata)
    for k in range(n_strata):
        in_k = strata == k
        gaps[k] = (y_pred[in_k & (sensitive == 1)].mean()
                   - y_pred[in_k & (sensitive == 0)].mean())
        weights[k] = in_k.mean()
    return gaps, np.average(gaps, weights=weights)


def balance_for_classes(scores, y_true, group):
    # Kleinberg et al.: mean score of the positives (negatives) per group
    out = {}
    for label, name in ((1, "positive"), (0, "negative")):
        m = [scores[(group == g) & (y_true == label)].mean() for g in (0, 1)]
        out[name] = np.array(m)
    out["gap"] = np.abs(np.diff(out["positive"])) + np.abs(np.diff(out["negative"]))
    return out


def statistical_parity_curve(scores, group):
    above = scores[:, None] >= THRESHOLD_GRID
    rate0 = above[group == 0].mean(axis=0)
    rate1 = above[group == 1].mean(axis=0)
    return rate1 - rate0, THRESHOLD_GRID[np.argmin(np.abs(rate1 - rate0))]


def fairness_metric_frame(y_true, y_pred, group, n_groups):
    # a fairlearn MetricFrame by hand: a dict of per-group arrays and overall values
    metrics = {"accuracy": [], "selection_rate": [], "count": []}
    for g in range(n_groups):
        m = group == g
        metrics["accuracy"].append(np.mean(y_true[m] == y_pred[m]))
        metrics["selection_rate"].append(np.mean(y_pred[m]))
        metrics["count"].append(np.sum(m))
    frame = {k: np.array(v) for k, v in metrics.items()}
    frame["overall_accuracy"] = np.mean(y_true == y_pred)
    frame["difference"] = {k: frame[k].max() - frame[k].min()
                           for k in ("accuracy", "selection_rate")}
    return frame


def _fair(seed, n, n_groups=2):
    g, y, yh = _cells(seed, n, n_groups)
    return y, yh, g


def _fair_scores(seed, n, n_groups=2):
    g, y, _ = _cells(seed, n, n_groups)
    return _scores(seed, y), y, g


def _probs(seed, n, k=3):
    logits = 2 * _f(n, k, seed=seed)
    p = np.exp(logits)
    return p / p.sum(1, keepdims=True), _i(k, n, seed=seed + 1)


def _intersectional(seed, n):
    c = np.random.default_rng(seed).permutation(np.tile(np.arange(12), n))
    return c % 2, c // 4, (c // 2) % 2


FAIRNESS = {
    "demographic_parity_dict": (demographic_parity, {"n_groups": 3}, lambda s, n: (
        _fair(s, n, 3)[1], _fair(s, n, 3)[2])),
    "demographic_parity_bool_pred": (demographic_parity, {"n_groups": 2}, lambda s, n: (
        _fair(s, n)[1].astype(bool), _fair(s, n)[2])),
    "disparate_impact_80_rule": (disparate_impact_80_rule, {}, lambda s, n: _fair(s, n)[1:]),
    "equal_opportunity_difference": (equal_opportunity_difference, {}, lambda s, n: _fair(s, n)),
    "equalized_odds_builtin_max": (equalized_odds, {"n_groups": 3}, lambda s, n: _fair(s, n, 3)),
    "average_odds_difference": (average_odds_difference, {}, lambda s, n: _fair(s, n)),
    "predictive_parity_dict": (predictive_parity, {}, lambda s, n: _fair(s, n)),
    "group_confusion_bincount": (group_confusion_bincount, {"n_groups": 3},
                                 lambda s, n: _fair(s, n, 3)),
    "group_confusion_int32": (group_confusion_bincount, {"n_groups": 2}, lambda s, n: tuple(
        a.astype(np.int32) for a in _fair(s, n))),
    "calibration_within_groups": (calibration_within_groups, {"n_groups": 2}, lambda s, n: (
        *_fair_scores(s, 2 * n)[:1], *_fair_scores(s, 2 * n)[1:])),
    "expected_calibration_error": (expected_calibration_error, {"n_bins": 15}, lambda s, n: (
        _probs(s, 10 * n))),
    "reweighing_bincount": (reweighing_bincount, {"n_groups": 3}, lambda s, n: (
        _fair(s, n, 3)[2], _fair(s, n, 3)[0])),
    "reweighing_mask_writes": (reweighing_mask_writes, {}, lambda s, n: (
        _fair(s, n)[2], _fair(s, n)[0])),
    "group_thresholds_accuracy": (group_thresholds_accuracy, {"n_groups": 2},
                                  lambda s, n: _fair_scores(s, 2 * n)),
    "equal_opportunity_thresholds": (equal_opportunity_thresholds, {"n_groups": 3},
                                     lambda s, n: _fair_scores(s, 2 * n, 3)),
    "hardt_randomized_thresholds": (hardt_randomized_thresholds, {}, lambda s, n: (
        _fair_scores(s, n)[0], _fair_scores(s, n)[2], np.array([0.4, 0.5]),
        np.array([0.6, 0.7]), np.array([0.3, 0.8]), _rng(s))),
    "generalized_entropy_alpha2": (generalized_entropy_index, {}, lambda s, n: _fair(s, n)[:2]),
    "theil_index_alpha1": (generalized_entropy_index, {"alpha": 1},
                           lambda s, n: _fair(s, n)[:2]),
    "generalized_entropy_alpha0": (generalized_entropy_index, {"alpha": 0}, lambda s, n: (
        _fair(s, n)[0] * 0, _fair(s, n)[1])),
    "consistency_knn": (consistency_knn, {"n_neighbors": 3}, lambda s, n: (
        _f(3 * n, 2, seed=s), _fair(s, n)[1][:3 * n].astype(float))),
    "group_auc_pairwise": (group_auc_pairwise, {"n_groups": 3},
                           lambda s, n: _fair_scores(s, n, 3)),
    "zafar_covariance_constraint": (zafar_covariance_constrained, {"iters": 30}, lambda s, n: (
        *_logreg_data(s, 8 * n), _i(2, 8 * n, seed=s + 3).astype(float), 0.01)),
    "group_dro_weights": (group_dro_weights, {"n_groups": 3, "steps": 5}, lambda s, n: (
        _u(s, 6 * n) * 2, np.arange(6 * n) % 3)),
    "worst_group_accuracy": (worst_group_accuracy, {"n_groups": 3},
                             lambda s, n: _fair(s, n, 3)),
    "intersectional_ravel_multi_index": (intersectional_rates, {},
                                         lambda s, n: _intersectional(s, n)),
    "weat_effect_size": (weat_effect_size, {}, lambda s, n: (
        _f(n, 5, seed=s), _f(n, 5, seed=s + 1), _f(4, 5, seed=s + 2) + 1,
        _f(4, 5, seed=s + 3) - 1)),
    "lipschitz_violations_triu": (lipschitz_violations, {}, lambda s, n: (
        _f(2 * n, 3, seed=s), _u(s, 2 * n))),
    "counterfactual_flip_rate": (counterfactual_flip_rate, {"sensitive_col": 0}, lambda s, n: (
        np.column_stack([_i(2, 5 * n, seed=s), _f(5 * n, 2, seed=s)]),
        np.array([1.5, 1.0, -1.0]), -0.5)),
    "conditional_demographic_parity": (conditional_demographic_parity, {"n_strata": 2},
                                       lambda s, n: _intersectional(s, n)),
    "balance_for_classes_dict": (balance_for_classes, {}, lambda s, n: _fair_scores(s, n)),
    "statistical_parity_curve": (statistical_parity_curve, {}, lambda s, n: (
        _fair_scores(s, 2 * n)[0] + 1e-4 * _u(s, 8 * (2 * n + 1)), _fair_scores(s, 2 * n)[2])),
    "metric_frame_nested_dict": (fairness_metric_frame, {"n_groups": 3},
                                 lambda s, n: _fair(s, n, 3)),
}


@pytest.mark.parametrize("name", _names(FAIRNESS))
def test_fairness_metrics_match_numpy(name):
    """Group metrics by masks and bincounts, calibration over fixed bins, reweighing, group
    thresholds over a grid, inequality indices, consistency, AUCs, constrained training and
    embedding bias tests: NumPy's values."""
    check_like_numpy(*FAIRNESS[name])


# ============================================================================ auditing

PD_GRID = np.linspace(-2.0, 2.0, 9)
PERCENTILES = (5, 95)
IG_ALPHAS = np.linspace(0.0, 1.0, 21)


def predict_proba(X, coef, intercept):
    return _sigmoid(X @ coef + intercept)


def mlp_predict(X, W1, W2):
    return np.tanh(X @ W1) @ W2


def permutation_importance_shuffle(X, y, coef, intercept, rng, n_repeats=3):
    # scikit-learn's _calculate_permutation_scores: shuffle an index array, gather a column
    base = np.mean((predict_proba(X, coef, intercept) >= 0.5) == y)
    n, d = X.shape
    importances = np.zeros((d, n_repeats))
    shuffling_idx = np.arange(n)
    for j in range(d):
        for r in range(n_repeats):
            rng.shuffle(shuffling_idx)
            X_perm = X.copy()
            X_perm[:, j] = X_perm[shuffling_idx, j]
            acc = np.mean((predict_proba(X_perm, coef, intercept) >= 0.5) == y)
            importances[j, r] = base - acc
    return {"importances_mean": importances.mean(axis=1),
            "importances_std": importances.std(axis=1), "importances": importances}


def permutation_importance_r2(X, y, W1, W2, rng, n_repeats=2):
    def r2(pred):
        return 1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2)

    base = r2(mlp_predict(X, W1, W2))
    drops = []
    for j in range(X.shape[1]):
        scores = []
        for _ in range(n_repeats):
            Xp = X.copy()
            Xp[:, j] = rng.permutation(Xp[:, j])
            scores.append(base - r2(mlp_predict(Xp, W1, W2)))
        drops.append(scores)
    return np.array(drops)


def partial_dependence_grid(X, coef, intercept, feature):
    pd = []
    for v in PD_GRID:
        X_grid = X.copy()
        X_grid[:, feature] = v
        pd.append(predict_proba(X_grid, coef, intercept).mean())
    return np.array(pd)


def partial_dependence_percentile_grid(X, W1, W2, feature, grid_resolution=7):
    lo, hi = np.percentile(X[:, feature], PERCENTILES)
    grid = np.linspace(lo, hi, grid_resolution)
    ice = np.empty((X.shape[0], grid_resolution))
    for k, v in enumerate(grid):
        X_eval = X.copy()
        X_eval[:, feature] = v
        ice[:, k] = mlp_predict(X_eval, W1, W2)[:, 0]
    centered = ice - ice[:, :1]
    return grid, ice.mean(axis=0), centered


def partial_dependence_2d(X, coef, intercept, features=(0, 1), n_grid=5):
    f0, f1 = features
    g0 = np.linspace(X[:, f0].min(), X[:, f0].max(), n_grid)
    g1 = np.linspace(X[:, f1].min(), X[:, f1].max(), n_grid)
    G0, G1 = np.meshgrid(g0, g1, indexing="ij")
    pd = np.zeros_like(G0)
    for i, j in np.ndindex(G0.shape):
        Xe = X.copy()
        Xe[:, f0] = G0[i, j]
        Xe[:, f1] = G1[i, j]
        pd[i, j] = predict_proba(Xe, coef, intercept).mean()
    return pd


def ale_first_order(X, W1, W2, feature, n_bins=4):
    # Apley & Zhu: quantile bins, local differences averaged per bin, accumulated, centred
    x = X[:, feature]
    edges = np.quantile(x, np.linspace(0, 1, n_bins + 1))
    idx = np.clip(np.digitize(x, edges[1:-1], right=True), 0, n_bins - 1)
    lo, hi = X.copy(), X.copy()
    lo[:, feature] = edges[idx]
    hi[:, feature] = edges[idx + 1]
    diff = mlp_predict(hi, W1, W2)[:, 0] - mlp_predict(lo, W1, W2)[:, 0]
    counts = np.bincount(idx, minlength=n_bins)
    effect = np.bincount(idx, weights=diff, minlength=n_bins) / np.maximum(counts, 1)
    ale = np.concatenate([[0.0], np.cumsum(effect)])
    centers = (ale[1:] + ale[:-1]) / 2
    return edges, ale - np.sum(centers * counts) / counts.sum()


def counterfactual_mad_distance(x, counterfactuals, X_train):
    mad = np.median(np.abs(X_train - np.median(X_train, axis=0)), axis=0)
    return np.sum(np.abs(counterfactuals - x) / mad, axis=1)


def wachter_counterfactual(x, coef, intercept, target, mad, lam=10.0, lr=0.05, iters=50):
    x_cf = x.copy()
    for _ in range(iters):
        p = predict_proba(x_cf, coef, intercept)
        grad_pred = 2 * lam * (p - target) * p * (1 - p) * coef
        grad_dist = np.sign(x_cf - x) / mad
        x_cf = x_cf - lr * (grad_pred + grad_dist)
    return x_cf, predict_proba(x_cf, coef, intercept)


def nearest_unlike_neighbour(x, X_train, coef, intercept):
    preds = predict_proba(X_train, coef, intercept) >= 0.5
    own = predict_proba(x, coef, intercept) >= 0.5
    d = np.linalg.norm(X_train - x, axis=1)
    d = np.where(preds == own, np.inf, d)
    j = np.argmin(d)
    return X_train[j], d[j]


def linear_recourse(X, coef, intercept, margin=0.1):
    # the smallest L2 move of each rejected row onto the positive side of the hyperplane
    score = X @ coef + intercept
    step = (margin - score) / np.dot(coef, coef)
    rejected = score < 0
    X_cf = np.where(rejected[:, None], X + step[:, None] * coef, X)
    cost = np.linalg.norm(X_cf - X, axis=1)
    return X_cf, cost, cost[rejected].mean()


def dice_diversity(counterfactuals):
    d = np.abs(counterfactuals[:, None, :] - counterfactuals[None, :, :]).sum(-1)
    K = 1.0 / (1.0 + d)
    K = K + 1e-4 * np.eye(len(counterfactuals))
    return np.linalg.det(K), np.linalg.slogdet(K)[1]


def counterfactual_sparsity_proximity(x, counterfactuals, tol=1e-3):
    changed = ~np.isclose(counterfactuals, x, atol=tol)
    return changed.sum(axis=1), np.abs(counterfactuals - x).sum(axis=1) / changed.sum(axis=1)


def exact_shapley(x, background, coef, intercept):
    M = x.shape[0]
    base_row = background.mean(axis=0)

    def value(subset):
        z = base_row.copy()
        for j in subset:
            z[j] = x[j]
        return predict_proba(z, coef, intercept)

    phi = np.zeros(M)
    for i in range(M):
        others = [j for j in range(M) if j != i]
        for size in range(M):
            for S in itertools.combinations(others, size):
                w = math.factorial(size) * math.factorial(M - size - 1) / math.factorial(M)
                phi[i] += w * (value(S + (i,)) - value(S))
    return phi


def kernel_shap(x, background, W1, W2):
    M = x.shape[0]
    base = background.mean(axis=0)
    Z = np.array([z for z in itertools.product((0, 1), repeat=M) if 0 < sum(z) < M], dtype=float)
    sizes = Z.sum(axis=1)
    weights = (M - 1) / (scipy.special.comb(M, sizes) * sizes * (M - sizes))
    X_masked = Z * x + (1 - Z) * base
    f0 = mlp_predict(base[None, :], W1, W2)[0, 0]
    fx = mlp_predict(x[None, :], W1, W2)[0, 0]
    y = mlp_predict(X_masked, W1, W2)[:, 0] - f0
    # eliminate the last feature by the efficiency constraint
    y = y - Z[:, -1] * (fx - f0)
    A = Z[:, :-1] - Z[:, -1:]
    WA = A * weights[:, None]
    phi = np.linalg.solve(A.T @ WA, WA.T @ y)
    return np.append(phi, fx - f0 - phi.sum())


def lime_explanation(x, coef, intercept, rng, n_samples=50, kernel_width=0.75, alpha=1.0):
    d = x.shape[0]
    samples = x + rng.normal(size=(n_samples, d))
    samples[0] = x
    y = predict_proba(samples, coef, intercept)
    dist = np.sqrt(((samples - x) ** 2).sum(axis=1))
    w = np.sqrt(np.exp(-(dist ** 2) / kernel_width ** 2))
    Xd = np.hstack([np.ones((n_samples, 1)), samples])
    Xw = Xd * w[:, None]
    beta = np.linalg.solve(Xw.T @ Xw + alpha * np.eye(d + 1), Xw.T @ (y * w))
    return beta[1:], beta[0]


def integrated_gradients(x, baseline, W1, w2):
    # f(x) = w2 . tanh(W1^T x): the gradient along the straight path, trapezoid rule
    path = baseline + IG_ALPHAS[:, None] * (x - baseline)
    h = np.tanh(path @ W1)
    grads = ((1 - h ** 2) * w2) @ W1.T
    avg = (grads[:-1] + grads[1:]).mean(axis=0) / 2
    attributions = (x - baseline) * avg
    delta = w2 @ np.tanh(x @ W1) - w2 @ np.tanh(baseline @ W1)
    return attributions, delta - attributions.sum()


def smoothgrad(x, W1, w2, rng, n=16, noise_level=0.15):
    sigma = noise_level * (x.max() - x.min())
    noisy = x + rng.normal(0, sigma, size=(n,) + x.shape)
    h = np.tanh(noisy @ W1)
    grads = ((1 - h ** 2) * w2) @ W1.T
    return grads.mean(axis=0), (grads ** 2).mean(axis=0)


def yeom_membership_inference(train_losses, test_losses):
    threshold = train_losses.mean()
    tpr = np.mean(train_losses < threshold)
    fpr = np.mean(test_losses < threshold)
    return tpr - fpr, threshold


def lira_offline(target_conf, shadow_conf, in_mask):
    # Carlini et al.'s LiRA: Gaussian fits of the logit-scaled confidences in and out
    phi = np.log(shadow_conf) - np.log1p(-shadow_conf)
    target = np.log(target_conf) - np.log1p(-target_conf)
    n_in = in_mask.sum(axis=0)
    n_out = (~in_mask).sum(axis=0)
    mu_in = np.sum(phi * in_mask, axis=0) / n_in
    mu_out = np.sum(phi * ~in_mask, axis=0) / n_out
    var_in = np.sum((phi - mu_in) ** 2 * in_mask, axis=0) / n_in
    var_out = np.sum((phi - mu_out) ** 2 * ~in_mask, axis=0) / n_out
    score = (norm.logpdf(target, mu_in, np.sqrt(var_in) + 1e-3)
             - norm.logpdf(target, mu_out, np.sqrt(var_out) + 1e-3))
    return score


def attack_roc_fixed_thresholds(member_scores, nonmember_scores, n_thresholds=50):
    t = np.linspace(1, 0, n_thresholds)
    tpr = (member_scores[None, :] >= t[:, None]).mean(axis=1)
    fpr = (nonmember_scores[None, :] >= t[:, None]).mean(axis=1)
    auc = np.trapezoid(tpr, fpr)
    return tpr, fpr, auc, np.max(tpr - fpr)


def dp_audit_clopper_pearson(tp, fn, fp, tn, alpha=0.05):
    # an epsilon lower bound from an attack's confusion counts (Jagielski et al.)
    tpr_lo = scipy.stats.beta.ppf(alpha / 2, tp, fn + 1)
    fpr_hi = scipy.stats.beta.ppf(1 - alpha / 2, fp + 1, tn)
    return np.log(tpr_lo / fpr_hi), tpr_lo, fpr_hi


def platt_scaling_newton(scores, y, iters=8):
    A, B = 0.0, 0.0
    for _ in range(iters):
        p = _sigmoid(A * scores + B)
        g = np.array([np.sum((p - y) * scores), np.sum(p - y)])
        w = p * (1 - p)
        H = np.array([[np.sum(w * scores ** 2), np.sum(w * scores)],
                      [np.sum(w * scores), np.sum(w) + 1e-9]])
        step = np.linalg.solve(H, g)
        A, B = A - step[0], B - step[1]
    return A, B


def temperature_grid_search(logits, labels):
    temps = np.linspace(0.25, 4.0, 16)
    nll = np.zeros(len(temps))
    for k, T in enumerate(temps):
        z = logits / T
        logp = z - scipy.special.logsumexp(z, axis=1, keepdims=True)
        nll[k] = -np.mean(logp[np.arange(len(labels)), labels])
    return temps[np.argmin(nll)], nll


def brier_decomposition(probs, y, n_bins=5):
    # Murphy's decomposition over fixed bins: reliability - resolution + uncertainty
    bins = np.minimum((probs * n_bins).astype(np.int64), n_bins - 1)
    n_k = np.bincount(bins, minlength=n_bins)
    p_k = np.bincount(bins, weights=probs, minlength=n_bins)
    o_k = np.bincount(bins, weights=y, minlength=n_bins)
    nz = n_k > 0
    pbar = np.where(nz, p_k / np.where(nz, n_k, 1), 0)
    obar = np.where(nz, o_k / np.where(nz, n_k, 1), 0)
    base = y.mean()
    n = len(y)
    rel = np.sum(n_k * (pbar - obar) ** 2) / n
    res = np.sum(n_k * (obar - base) ** 2) / n
    return rel, res, base * (1 - base), np.mean((probs - y) ** 2)


def bootstrap_parity_gap(y_pred, group, rng, n_boot=50):
    n = len(y_pred)
    idx = rng.integers(0, n, size=(n_boot, n))
    yp, gr = y_pred[idx], group[idx]
    r1 = (yp * (gr == 1)).sum(1) / (gr == 1).sum(1)
    r0 = (yp * (gr == 0)).sum(1) / (gr == 0).sum(1)
    gaps = r1 - r0
    return np.percentile(gaps, [2.5, 50, 97.5]), gaps.std(ddof=1)


def knn_shapley(X_train, y_train, x_test, y_test, K=3):
    # Jia et al.: exact KNN-Shapley by the recursion over neighbours sorted by distance
    N = X_train.shape[0]
    order = np.argsort(np.linalg.norm(X_train - x_test, axis=1))
    match = (y_train[order] == y_test).astype(float)
    s = np.zeros(N)
    s[order[N - 1]] = match[N - 1] / N
    for i in range(N - 2, -1, -1):
        s[order[i]] = s[order[i + 1]] + (match[i] - match[i + 1]) / K * min(K, i + 1) / (i + 1)
    return s


def influence_logreg(X, y, x_test, y_test, lam=0.1, iters=25, lr=1.0):
    n, d = X.shape
    w = np.zeros(d)
    for _ in range(iters):
        w -= lr * (X.T @ (_sigmoid(X @ w) - y) / n + lam * w)
    p = _sigmoid(X @ w)
    H = (X.T * (p * (1 - p))) @ X / n + lam * np.eye(d)
    grad_test = (_sigmoid(x_test @ w) - y_test) * x_test
    grads_train = (p - y)[:, None] * X
    return -grads_train @ np.linalg.solve(H, grad_test)


def model_card_summary(y_true, scores, group, n_groups):
    pred = (scores >= 0.5).astype(int)
    card = {"n": np.bincount(group, minlength=n_groups),
            "base_rate": np.bincount(group, weights=y_true, minlength=n_groups)
            / np.bincount(group, minlength=n_groups)}
    acc, brier, mean_score = [], [], []
    for g in range(n_groups):
        m = group == g
        acc.append(np.mean(pred[m] == y_true[m]))
        brier.append(np.mean((scores[m] - y_true[m]) ** 2))
        mean_score.append(scores[m].mean())
    card["accuracy"] = np.array(acc)
    card["brier"] = np.array(brier)
    card["calibration_gap"] = np.array(mean_score) - card["base_rate"]
    card["summary"] = np.stack([card["accuracy"], card["brier"], card["calibration_gap"]], 1)
    return card


def _model(seed, d=3):
    return _f(d, seed=seed + 50), 0.1 * seed


def _mlp(seed, d=3, h=5, out=1):
    return 0.7 * _f(d, h, seed=seed + 60), 0.7 * _f(h, out, seed=seed + 61)


def _membership(seed, n):
    r = np.random.default_rng(seed)
    in_mask = np.zeros((8, n), dtype=bool)
    for j in range(n):
        in_mask[r.permutation(8)[:4], j] = True
    return r.uniform(0.05, 0.95, n), r.uniform(0.05, 0.95, (8, n)), in_mask


AUDITING = {
    "permutation_importance_shuffle_idx": (permutation_importance_shuffle, {"n_repeats": 3},
                                           lambda s, n: (_f(5 * n, 3, seed=s),
                                                         _i(2, 5 * n, seed=s), *_model(s),
                                                         _rng(s))),
    "permutation_importance_r2_mlp": (permutation_importance_r2, {"n_repeats": 2}, lambda s, n: (
        _f(5 * n, 3, seed=s), _f(5 * n, seed=s + 1), *_mlp(s)[:1], _mlp(s)[1][:, 0], _rng(s))),
    "partial_dependence_fixed_grid": (partial_dependence_grid, {"feature": 1}, lambda s, n: (
        _f(5 * n, 3, seed=s), *_model(s))),
    "partial_dependence_percentiles_ice": (partial_dependence_percentile_grid, {"feature": 0},
                                           lambda s, n: (_f(5 * n, 3, seed=s), *_mlp(s))),
    "partial_dependence_2d_ndindex": (partial_dependence_2d, {}, lambda s, n: (
        _f(5 * n, 3, seed=s), *_model(s))),
    "ale_quantile_bins": (ale_first_order, {"feature": 2}, lambda s, n: (
        _f(8 * n, 3, seed=s), *_mlp(s))),
    "counterfactual_mad_distance": (counterfactual_mad_distance, {}, lambda s, n: (
        _f(3, seed=s), _f(n, 3, seed=s + 1), _f(9 * n, 3, seed=s + 2))),
    "wachter_counterfactual": (wachter_counterfactual, {"iters": 40}, lambda s, n: (
        _f(3, seed=s + n), *_model(s), 0.9, np.array([1.0, 0.5, 2.0]))),
    "nearest_unlike_neighbour": (nearest_unlike_neighbour, {}, lambda s, n: (
        _f(3, seed=s), _f(6 * n, 3, seed=s + 1), *_model(s))),
    "linear_recourse": (linear_recourse, {}, lambda s, n: (_f(4 * n, 3, seed=s), *_model(s))),
    "dice_determinant_diversity": (dice_diversity, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "counterfactual_sparsity": (counterfactual_sparsity_proximity, {}, lambda s, n: (
        np.zeros(4), np.where(_u(s, n, 4) < 0.5, 0.0, 1 + _u(s + 1, n, 4)) + (np.arange(4) == 0))),
    "exact_shapley_itertools": (exact_shapley, {}, lambda s, n: (
        _f(3, seed=s), _f(4 * n, 3, seed=s + 1), *_model(s))),
    "kernel_shap_weighted_lstsq": (kernel_shap, {}, lambda s, n: (
        _f(4, seed=s), _f(3 * n, 4, seed=s + 1), *_mlp(s, d=4))),
    "lime_weighted_ridge": (lime_explanation, {"n_samples": 40}, lambda s, n: (
        _f(3, seed=s + n), *_model(s), _rng(s))),
    "integrated_gradients": (integrated_gradients, {}, lambda s, n: (
        _f(n, seed=s), np.zeros(n), _mlp(s, d=n)[0], _mlp(s, d=n)[1][:, 0])),
    "smoothgrad": (smoothgrad, {"n": 16}, lambda s, n: (
        _f(n, seed=s), _mlp(s, d=n)[0], _mlp(s, d=n)[1][:, 0], _rng(s))),
    "yeom_membership": (yeom_membership_inference, {}, lambda s, n: (
        _u(s, 10 * n), _u(s + 1, 10 * n) + 0.2)),
    "lira_offline_norm_logpdf": (lira_offline, {}, lambda s, n: _membership(s, 3 * n)),
    "attack_roc_trapezoid": (attack_roc_fixed_thresholds, {}, lambda s, n: (
        _u(s, 10 * n) ** 0.7, _u(s + 1, 10 * n))),
    "dp_audit_clopper_pearson": (dp_audit_clopper_pearson, {}, lambda s, n: (
        80 + n + s, 20, 10 + s, 90)),
    "dp_audit_clopper_pearson_arrays": (dp_audit_clopper_pearson, {}, lambda s, n: (
        _i(50, n, seed=s) + 40, _i(20, n, seed=s + 1) + 5, _i(20, n, seed=s + 2) + 5, 90)),
    "platt_scaling_newton": (platt_scaling_newton, {"iters": 8}, lambda s, n: (
        _f(10 * n, seed=s) + _fair(s, 5 * n // 4)[0][:10 * n], _fair(s, 5 * n // 4)[0][:10 * n])),
    "temperature_grid_logsumexp": (temperature_grid_search, {}, lambda s, n: (
        3 * _f(10 * n, 4, seed=s), _i(4, 10 * n, seed=s + 1))),
    "brier_decomposition": (brier_decomposition, {}, lambda s, n: (
        _u(s, 10 * n), _i(2, 10 * n, seed=s + 1).astype(float))),
    "bootstrap_parity_gap": (bootstrap_parity_gap, {"n_boot": 40}, lambda s, n: (
        _fair(s, n)[1], _fair(s, n)[2], _rng(s))),
    "knn_shapley_recursion": (knn_shapley, {"K": 3}, lambda s, n: (
        _f(3 * n, 2, seed=s), _i(2, 3 * n, seed=s + 1), _f(2, seed=s + 2), 1)),
    "influence_logreg": (influence_logreg, {}, lambda s, n: (
        *_logreg_data(s, 8 * n), _f(3, seed=s + 9), 1.0)),
    "model_card_dict_table": (model_card_summary, {"n_groups": 3}, lambda s, n: (
        _fair_scores(s, n, 3)[1], _fair_scores(s, n, 3)[0], _fair_scores(s, n, 3)[2])),
}


@pytest.mark.parametrize("name", _names(AUDITING))
def test_model_auditing_matches_numpy(name):
    """Permutation importance, partial dependence, ALE, counterfactuals, Shapley values,
    LIME, gradient attributions, membership inference, DP auditing, calibration, bootstraps,
    data valuation, influence and model cards: NumPy's values."""
    check_like_numpy(*AUDITING[name])


# ============================================================================ more forms

OLH_PRIME = 2 ** 31 - 1
HIER_LEVELS = 3
CMS_HASH_A = np.array([17, 31, 47, 59])
CMS_HASH_B = np.array([5, 11, 23, 3])


def olh_reports(values, seeds_a, seeds_b, epsilon, rng, g):
    # optimized local hashing: each user hashes into g buckets with their own (a, b)
    n = values.shape[0]
    h = ((seeds_a * values + seeds_b) % OLH_PRIME) % g
    p = np.exp(epsilon) / (np.exp(epsilon) + g - 1)
    keep = rng.random(n) < p
    shift = rng.integers(1, g, size=n)
    reports = np.where(keep, h, (h + shift) % g)
    support = np.zeros(8)
    for v in range(8):
        hv = ((seeds_a * v + seeds_b) % OLH_PRIME) % g
        support[v] = np.sum(hv == reports)
    return (support - n / g) / (p - 1 / g)


def hadamard_response(values, epsilon, rng, d):
    # Hadamard response: the parity of popcount(j & x) is the (x, j) entry's sign
    n = values.shape[0]
    j = rng.integers(0, d, size=n)
    bit = np.bitwise_count(values & j) % 2
    p = np.exp(epsilon) / (np.exp(epsilon) + 1)
    flip = rng.random(n) >= p
    reported = np.where(flip, 1 - bit, bit)
    signs = 1 - 2 * reported.astype(np.int64)
    H = scipy.linalg.hadamard(d)
    est = H[:, j] @ signs * (np.exp(epsilon) + 1) / (np.exp(epsilon) - 1) / n
    return est


def count_mean_sketch(values, epsilon, rng, m=16):
    # Apple's CMS: a hash row per user, a +-1 vector with coordinates flipped
    n = values.shape[0]
    k = len(CMS_HASH_A)
    rows = rng.integers(0, k, size=n)
    cols = (CMS_HASH_A[rows] * values + CMS_HASH_B[rows]) % m
    v = -np.ones((n, m))
    v[np.arange(n), cols] = 1
    c = np.exp(epsilon / 2) / (np.exp(epsilon / 2) + 1)
    b = rng.random((n, m)) < 1 - c
    v_tilde = np.where(b, -v, v)
    c_eps = (np.exp(epsilon / 2) + 1) / (np.exp(epsilon / 2) - 1)
    x = k * c_eps / 2 * v_tilde + 0.5
    M = np.zeros((k, m))
    np.add.at(M, rows, x)
    freq = np.zeros(8)
    for d in range(8):
        freq[d] = (m / (m - 1)) * (M[np.arange(k), (CMS_HASH_A * d + CMS_HASH_B) % m].sum() / k
                                   - n / m)
    return freq, c_eps


def grr_inverse_debias(reports, epsilon, k):
    # the perturbation matrix P = (p - q) I + q 1 1^T, inverted on the observed frequencies
    p = np.exp(epsilon) / (np.exp(epsilon) + k - 1)
    q = (1 - p) / (k - 1)
    P = (p - q) * np.eye(k) + q * np.ones((k, k))
    observed = np.bincount(reports, minlength=k) / reports.size
    return np.linalg.inv(P) @ observed, np.linalg.solve(P, observed)


def project_to_simplex(v):
    # Duchi et al.: the Euclidean projection of noisy frequencies onto the simplex
    n = v.shape[0]
    u = np.sort(v)[::-1]
    css = np.cumsum(u)
    rho = np.nonzero(u * np.arange(1, n + 1) > (css - 1))[0][-1]
    theta = (css[rho] - 1) / (rho + 1.0)
    return np.maximum(v - theta, 0)


def hierarchical_consistent_counts(leaf_counts, epsilon, rng):
    # a binary tree of counts noised at every level, made consistent by least squares
    n = leaf_counts.shape[0]
    blocks = [np.kron(np.eye(n >> lvl), np.ones((1, 1 << lvl))) for lvl in range(HIER_LEVELS)]
    A = np.vstack(blocks)
    noisy = A @ leaf_counts + rng.laplace(scale=HIER_LEVELS / epsilon, size=A.shape[0])
    x_hat, *_ = np.linalg.lstsq(A, noisy, rcond=None)
    return x_hat, A @ x_hat


def matrix_mechanism_prefix(x, epsilon, rng):
    # workload of all prefix sums, answered through an identity-plus-total strategy and pinv
    n = x.shape[0]
    W = np.tril(np.ones((n, n)))
    A = np.vstack([np.eye(n), np.ones((1, n))])
    sens = np.abs(A).sum(axis=0).max()
    y = A @ x + rng.laplace(scale=sens / epsilon, size=A.shape[0])
    return W @ np.linalg.pinv(A) @ y


def dp_kmeans_lloyd(X, centers, epsilon, rng, iters=3):
    # DPLloyd: noisy counts and noisy sums per cluster, half the per-round budget each
    k, d = centers.shape
    eps_round = epsilon / iters
    for _ in range(iters):
        d2 = ((X[:, None, :] - centers[None]) ** 2).sum(-1)
        labels = d2.argmin(axis=1)
        counts = np.bincount(labels, minlength=k) + rng.laplace(scale=2 / eps_round, size=k)
        sums = np.zeros((k, d))
        np.add.at(sums, labels, np.clip(X, -1, 1))
        sums += rng.laplace(scale=2 * d / eps_round, size=(k, d))
        centers = np.clip(sums / np.maximum(counts, 1)[:, None], -1, 1)
    return centers, labels


def private_naive_bayes(X_bin, y, epsilon, rng, n_classes=2):
    onehot = np.eye(n_classes)[y]
    class_counts = onehot.sum(0) + rng.laplace(scale=1 / epsilon, size=n_classes)
    feat_counts = np.einsum("nc,nf->cf", onehot, X_bin) \
        + rng.laplace(scale=X_bin.shape[1] / epsilon, size=(n_classes, X_bin.shape[1]))
    class_counts = np.maximum(class_counts, 1)
    theta = np.clip((feat_counts + 1) / (class_counts[:, None] + 2), 1e-3, 1 - 1e-3)
    log_prior = np.log(class_counts / class_counts.sum())
    ll = X_bin @ np.log(theta).T + (1 - X_bin) @ np.log1p(-theta).T
    return np.argmax(ll + log_prior, axis=1), theta


def synthetic_from_noisy_marginal(categories, epsilon, rng, n_synth):
    counts = np.bincount(categories, minlength=N_CATEGORIES).astype(float)
    noisy = np.clip(counts + rng.laplace(scale=1 / epsilon, size=N_CATEGORIES), 0, None)
    probs = noisy / noisy.sum()
    return rng.choice(N_CATEGORIES, size=n_synth, p=probs), probs


def subsample_without_replacement(X, clip, epsilon, rng, m):
    idx = rng.choice(X.shape[0], size=m, replace=False)
    sample = np.clip(X[idx], -clip, clip)
    q = m / X.shape[0]
    eps_amp = np.log1p(q * np.expm1(epsilon))
    return sample.mean(0) + rng.laplace(scale=2 * clip / (m * epsilon), size=X.shape[1]), eps_amp


def binomial_mechanism(counts, n_trials, p, rng):
    noise = rng.binomial(n_trials, p, size=counts.shape) - n_trials * p
    return counts + noise


def legacy_randomstate_laplace(x, epsilon, random_state):
    # older code with sklearn's check_random_state: a RandomState argument
    noise = random_state.laplace(0.0, 1.0 / epsilon, size=x.shape)
    return np.clip(x, 0, 1).sum(axis=0) + noise.sum(axis=0)


def seeded_inside_mechanism(x, epsilon, random_state=0):
    rng = np.random.default_rng(random_state)
    return x + rng.laplace(scale=1 / epsilon, size=x.shape)


def global_seed_gaussian(x, sigma):
    np.random.seed(42)
    return x + np.random.normal(0, sigma, x.shape)


def staircase_like_noise(x, epsilon, rng):
    # the Laplace noise rounded to a lattice, as a discretised release
    gamma = 1.0 / (1.0 + np.exp(epsilon / 2))
    noise = rng.laplace(scale=1 / epsilon, size=x.shape)
    return np.round(x + noise, 2), np.floor((x + noise) / gamma) * gamma


def privacy_amplification_by_shuffling(eps0, n, delta):
    # Feldman et al.'s closed form for the shuffled eps0-LDP protocol
    a = np.exp(eps0)
    return np.log1p(8 * (a - 1) / (a + 1) * (np.sqrt(a * np.log(4 / delta) / n) + a / n))


def quantile_gap_between_groups(scores, group, n_levels=21):
    levels = np.linspace(0, 1, n_levels)
    q0 = np.quantile(scores[group == 0], levels)
    q1 = np.quantile(scores[group == 1], levels)
    return np.mean(np.abs(q0 - q1)), np.max(np.abs(q0 - q1))


def wasserstein_between_groups(scores, group):
    return scipy.stats.wasserstein_distance(scores[group == 0], scores[group == 1])


def ks_between_groups(scores, group):
    return scipy.stats.ks_2samp(scores[group == 0], scores[group == 1]).statistic


def median_score_gap(scores, group):
    return np.median(scores[group == 1]) - np.median(scores[group == 0]), \
        np.percentile(scores[group == 1], 90) - np.percentile(scores[group == 0], 90)


def group_topk_thresholds(scores, group, n_groups, top_frac=0.25):
    # select the top 25% of each group: a per-group quantile, written into an array
    thr = np.empty(n_groups)
    for g in range(n_groups):
        thr[g] = np.quantile(scores[group == g], 1 - top_frac, method="higher")
    return thr, scores >= thr[group]


def chi2_independence(y_pred, group):
    table = np.histogram2d(group, y_pred, bins=[2, 2])[0]
    chi2, p, dof, expected = scipy.stats.chi2_contingency(table, correction=False)
    return chi2, p, expected


def mann_whitney_auc(scores, y_true):
    ranks = scipy.stats.rankdata(scores)
    n_pos = y_true.sum()
    n_neg = len(y_true) - n_pos
    return (ranks[y_true == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def group_kl_divergence(y_pred_probs, group, n_groups, n_bins=8):
    edges = np.linspace(0, 1, n_bins + 1)
    hists = np.stack([np.histogram(y_pred_probs[group == g], bins=edges)[0] + 1.0
                      for g in range(n_groups)])
    hists /= hists.sum(axis=1, keepdims=True)
    overall = hists.mean(axis=0)
    return scipy.special.rel_entr(hists, overall).sum(axis=1), scipy.stats.entropy(hists.T)


def weighted_metrics_after_reweighing(y_true, y_pred, group, n_groups):
    w, _ = reweighing_bincount(group, y_true, n_groups)
    acc = np.average(y_true == y_pred, weights=w)
    rates = np.array([np.average(y_pred[group == g], weights=w[group == g])
                      for g in range(n_groups)])
    return acc, rates, np.corrcoef(group, y_pred)[0, 1]


def sensitive_correlation_cov(X, z):
    C = np.cov(np.column_stack([X, z]), rowvar=False)
    return C[-1, :-1], np.corrcoef(X.T, z)[-1, :-1]


def bool_confusion_logic(y_true, y_pred):
    t = y_true.astype(bool)
    p = y_pred.astype(bool)
    return {"tp": np.sum(t & p), "fp": np.sum(~t & p), "fn": np.sum(t & ~p),
            "tn": np.sum(~(t | p)), "disagree": np.logical_xor(t, p).mean(),
            "either": (t + p).sum(dtype=np.int32)}


def uint8_label_confusion(y_true, y_pred, group):
    code = group * 4 + y_true * 2 + y_pred
    return np.bincount(code, minlength=8).reshape(2, 2, 2), code.dtype


def pdp_vectorized_repeat(X, coef, intercept, feature):
    G = PD_GRID.shape[0]
    X_rep = np.repeat(X[None, :, :], G, axis=0)
    X_rep[:, :, feature] = PD_GRID[:, None]
    return predict_proba(X_rep, coef, intercept).mean(axis=1)


def friedman_h_statistic(X, coef, intercept, j, k):
    # Friedman & Popescu's H^2 for a pair, partial dependences at the data points
    n = X.shape[0]
    pd_jk = np.zeros(n)
    pd_j = np.zeros(n)
    pd_k = np.zeros(n)
    for i in range(n):
        Xe = X.copy()
        Xe[:, [j, k]] = X[i, [j, k]]
        pd_jk[i] = predict_proba(Xe, coef, intercept).mean()
        Xe = X.copy()
        Xe[:, j] = X[i, j]
        pd_j[i] = predict_proba(Xe, coef, intercept).mean()
        Xe = X.copy()
        Xe[:, k] = X[i, k]
        pd_k[i] = predict_proba(Xe, coef, intercept).mean()
    pd_jk -= pd_jk.mean()
    pd_j -= pd_j.mean()
    pd_k -= pd_k.mean()
    return np.sum((pd_jk - pd_j - pd_k) ** 2) / np.sum(pd_jk ** 2)


def shapley_sampling_permutations(x, background, coef, intercept, rng, n_perm=6):
    # Strumbelj & Kononenko: marginal contributions along random feature orders
    d = x.shape[0]
    phi = np.zeros(d)
    for _ in range(n_perm):
        order = rng.permutation(d)
        z = background[rng.integers(background.shape[0])].copy()
        prev = predict_proba(z, coef, intercept)
        for j in order:
            z[j] = x[j]
            cur = predict_proba(z, coef, intercept)
            phi[j] += cur - prev
            prev = cur
    return phi / n_perm


def permuted_columns_importance(X, y, coef, intercept, rng, n_repeats=4):
    base = np.mean((predict_proba(X, coef, intercept) > 0.5) == y)
    X_stack = np.repeat(X[None], n_repeats, axis=0)
    shuffled = rng.permuted(X_stack, axis=1)
    drops = np.zeros((X.shape[1], n_repeats))
    for j in range(X.shape[1]):
        Xp = X_stack.copy()
        Xp[:, :, j] = shuffled[:, :, j]
        drops[j] = base - np.mean((predict_proba(Xp, coef, intercept) > 0.5) == y, axis=1)
    return drops


def mahalanobis_counterfactual_cost(x, counterfactuals, X_train):
    VI = np.linalg.inv(np.cov(X_train, rowvar=False))
    d_mahal = scipy.spatial.distance.cdist(counterfactuals, x[None, :], "mahalanobis", VI=VI)
    d_l1 = np.linalg.norm(counterfactuals - x, ord=1, axis=1)
    d_inf = np.linalg.norm(counterfactuals - x, ord=np.inf, axis=1)
    return d_mahal[:, 0], d_l1, d_inf


def growing_spheres(x, coef, intercept, rng, n_layers=5, n_samples=30, step=0.5):
    # Laugel et al.: sample shells of growing radius, keep the closest flipped point
    d = x.shape[0]
    own = predict_proba(x, coef, intercept) >= 0.5
    best, best_d = x.copy(), np.inf
    for layer in range(n_layers):
        lo, hi = layer * step, (layer + 1) * step
        z = rng.normal(size=(n_samples, d))
        z /= np.linalg.norm(z, axis=1, keepdims=True)
        r = rng.uniform(lo, hi, size=(n_samples, 1))
        cand = x + r * z
        flipped = (predict_proba(cand, coef, intercept) >= 0.5) != own
        dist = np.where(flipped, np.linalg.norm(cand - x, axis=1), np.inf)
        j = np.argmin(dist)
        better = dist[j] < best_d
        best = np.where(better, cand[j], best)
        best_d = np.where(better, dist[j], best_d)
    return best, best_d


def cdf_gap_on_grid(scores, group):
    grid = np.linspace(0, 1, 41)
    below = scores[:, None] <= grid[None, :]
    m0, m1 = group == 0, group == 1
    cdf0 = (below & m0[:, None]).sum(0) / m0.sum()
    cdf1 = (below & m1[:, None]).sum(0) / m1.sum()
    return np.max(np.abs(cdf0 - cdf1)), grid[np.argmax(np.abs(cdf0 - cdf1))]


def ece_masked_array(confidences, correct, n_bins=10):
    bins = np.minimum((confidences * n_bins).astype(int), n_bins - 1)
    cnt = np.bincount(bins, minlength=n_bins)
    acc = np.ma.masked_array(np.bincount(bins, weights=correct, minlength=n_bins), cnt == 0) / cnt
    conf = np.ma.masked_array(np.bincount(bins, weights=confidences, minlength=n_bins),
                              cnt == 0) / cnt
    return np.ma.sum(np.abs(acc - conf) * cnt) / cnt.sum()


def nanmean_group_bins(scores, y_true, group, n_groups, n_bins=6):
    bins = np.minimum((scores * n_bins).astype(int), n_bins - 1)
    table = np.full((n_groups, n_bins), np.nan)
    for g in range(n_groups):
        for b in range(n_bins):
            m = (group == g) & (bins == b)
            table[g, b] = np.where(m.any(), np.sum(y_true * m) / np.maximum(m.sum(), 1), np.nan)
    return np.nanmean(table, axis=1), np.nan_to_num(table, nan=-1.0)


def dict_dataset_card(data, n_groups):
    # a dataset given as a dict of columns, summaries written back into it
    g = data["group"]
    data["weight"] *= np.bincount(g, minlength=n_groups)[g] / len(g)
    summary = {"positive_rate": np.bincount(g, weights=data["label"], minlength=n_groups)
               / np.bincount(g, minlength=n_groups)}
    summary["weighted_mean_score"] = np.array([
        np.sum(data["score"] * data["weight"] * (g == k)) / np.sum(data["weight"] * (g == k))
        for k in range(n_groups)])
    return summary


def _olh(seed, n):
    r = np.random.default_rng(seed)
    return (r.integers(0, 8, n), r.integers(1, OLH_PRIME, n), r.integers(0, OLH_PRIME, n))


def _dataset(seed, n):
    y, yh, g = _fair(seed, n, 3)
    return {"group": g, "label": y.astype(float), "score": _scores(seed, y),
            "weight": np.ones(len(y))}


MORE = {
    "olh_int64_hashes": (olh_reports, {"g": 4}, lambda s, n: (*_olh(s, 10 * n), 1.0, _rng(s))),
    "hadamard_response_bitwise_count": (hadamard_response, {"d": 8}, lambda s, n: (
        _i(8, 10 * n, seed=s), 1.0, _rng(s))),
    "count_mean_sketch_add_at": (count_mean_sketch, {"m": 16}, lambda s, n: (
        _i(8, 10 * n, seed=s), 2.0, _rng(s))),
    "grr_inverse_debias": (grr_inverse_debias, {"k": 5}, lambda s, n: (
        _i(5, 10 * n, seed=s), 1.0 + 0.1 * s)),
    "project_to_simplex_nonzero_last": (project_to_simplex, {}, lambda s, n: (
        _f(2 * n, seed=s) * 0.3 + 1 / (2 * n),)),
    "hierarchical_counts_lstsq": (hierarchical_consistent_counts, {}, lambda s, n: (
        _i(20, 8, seed=s + n).astype(float), 1.0, _rng(s))),
    "matrix_mechanism_pinv": (matrix_mechanism_prefix, {}, lambda s, n: (
        _i(20, n, seed=s).astype(float), 1.0, _rng(s))),
    "dp_kmeans_lloyd_add_at": (dp_kmeans_lloyd, {"iters": 3}, lambda s, n: (
        np.clip(0.4 * _f(10 * n, 2, seed=s) + np.repeat([[0.5, 0.5], [-0.5, -0.5]], 5 * n, 0),
                -1, 1), np.array([[0.3, 0.2], [-0.2, -0.4]]), 5.0, _rng(s))),
    "private_naive_bayes_einsum": (private_naive_bayes, {"n_classes": 2}, lambda s, n: (
        _i(2, 10 * n, 4, seed=s).astype(float), _i(2, 10 * n, seed=s + 1), 2.0, _rng(s))),
    "synthetic_from_noisy_marginal": (synthetic_from_noisy_marginal, {"n_synth": 12},
                                      lambda s, n: (_i(N_CATEGORIES, 10 * n, seed=s), 1.0,
                                                    _rng(s))),
    "subsample_without_replacement": (subsample_without_replacement, {"m": 5}, lambda s, n: (
        _f(3 * n, 2, seed=s), 1.0, 1.0, _rng(s))),
    "binomial_mechanism": (binomial_mechanism, {}, lambda s, n: (
        _i(20, n, seed=s), 40, 0.5, _rng(s))),
    "legacy_randomstate_argument": (legacy_randomstate_laplace, {}, lambda s, n: (
        _u(s, n, 3), 1.0, np.random.RandomState(s))),
    "seeded_inside_random_state": (seeded_inside_mechanism, {"random_state": 7}, lambda s, n: (
        _f(n, seed=s), 0.5)),
    "global_np_random_seed": (global_seed_gaussian, {}, lambda s, n: (_f(n, seed=s), 0.5)),
    "staircase_round_floor": (staircase_like_noise, {}, lambda s, n: (
        _f(n, seed=s) * 5, 1.0, _rng(s))),
    "amplification_by_shuffling": (privacy_amplification_by_shuffling, {}, lambda s, n: (
        np.linspace(0.5, 3.0, n), 1000 * s, 1e-6)),
    "quantile_gap_of_selections": (quantile_gap_between_groups, {}, lambda s, n: (
        _fair_scores(s, n)[0] + 1e-4 * _u(s, 8 * (n + 1)), _fair_scores(s, n)[2])),
    "median_percentile_of_selection": (median_score_gap, {}, lambda s, n: (
        _fair_scores(s, n)[0] + 1e-4 * _u(s, 8 * (n + 1)), _fair_scores(s, n)[2])),
    "group_topk_quantile_higher": (group_topk_thresholds, {"n_groups": 3}, lambda s, n: (
        _fair_scores(s, n, 3)[0] + 1e-4 * _u(s, 12 * (n + 1)), _fair_scores(s, n, 3)[2])),
    "chi2_contingency_histogram2d": (chi2_independence, {}, lambda s, n: _fair(s, n)[1:]),
    "mann_whitney_rankdata": (mann_whitney_auc, {}, lambda s, n: (
        _fair_scores(s, n)[0] + 1e-4 * _u(s, 8 * (n + 1)), _fair_scores(s, n)[1])),
    "group_kl_rel_entr_entropy": (group_kl_divergence, {"n_groups": 2}, lambda s, n: (
        _fair_scores(s, n)[0], _fair_scores(s, n)[2])),
    "weighted_metrics_average_corrcoef": (weighted_metrics_after_reweighing, {"n_groups": 2},
                                          lambda s, n: _fair(s, n)),
    "sensitive_cov_corrcoef": (sensitive_correlation_cov, {}, lambda s, n: (
        _f(5 * n, 3, seed=s), _i(2, 5 * n, seed=s + 1))),
    "bool_confusion_logic": (bool_confusion_logic, {}, lambda s, n: _fair(s, n)[:2]),
    "uint8_label_codes": (uint8_label_confusion, {}, lambda s, n: tuple(
        a.astype(np.uint8) for a in _fair(s, n))),
    "pdp_vectorized_repeat_3d_write": (pdp_vectorized_repeat, {"feature": 2}, lambda s, n: (
        _f(4 * n, 3, seed=s), *_model(s))),
    "friedman_h_statistic_fancy_cols": (friedman_h_statistic, {"j": 0, "k": 2}, lambda s, n: (
        _f(2 * n, 3, seed=s), *_model(s))),
    "shapley_sampling_permutations": (shapley_sampling_permutations, {"n_perm": 5},
                                      lambda s, n: (_f(3, seed=s), _f(2 * n, 3, seed=s + 1),
                                                    *_model(s), _rng(s))),
    "permuted_axis1_importance": (permuted_columns_importance, {"n_repeats": 3}, lambda s, n: (
        _f(5 * n, 3, seed=s), _i(2, 5 * n, seed=s), *_model(s), _rng(s))),
    "mahalanobis_cdist_norm_ords": (mahalanobis_counterfactual_cost, {}, lambda s, n: (
        _f(3, seed=s), _f(n, 3, seed=s + 1), _f(10 * n, 3, seed=s + 2))),
    "growing_spheres": (growing_spheres, {"n_layers": 4, "n_samples": 20}, lambda s, n: (
        _f(3, seed=s + n), *_model(s), _rng(s))),
    "cdf_gap_on_grid": (cdf_gap_on_grid, {}, lambda s, n: (
        _fair_scores(s, n)[0] + 1e-4 * _u(s, 8 * (n + 1)), _fair_scores(s, n)[2])),
    "ece_masked_array": (ece_masked_array, {}, lambda s, n: (
        0.5 + 0.5 * _u(s, 10 * n), _i(2, 10 * n, seed=s + 1).astype(float))),
    "nanmean_group_bins": (nanmean_group_bins, {"n_groups": 2}, lambda s, n: (
        *_fair_scores(s, n)[:1], *_fair_scores(s, n)[1:])),
    "dict_dataset_inplace_card": (dict_dataset_card, {"n_groups": 3}, lambda s, n: (
        _dataset(s, n),)),
}


@pytest.mark.parametrize("name", _names(MORE))
def test_more_privacy_and_fairness_forms_match_numpy(name):
    """Local hashing, Hadamard response, count-mean sketches, consistency by projections and
    least squares, matrix mechanisms, DP k-means and naive Bayes, legacy and seeded generators,
    distribution gaps between groups through SciPy, dtype mixes, vectorised partial
    dependence, sampled Shapley values and counterfactual searches: NumPy's values."""
    check_like_numpy(*MORE[name])


def dp_topk_without_replacement(scores, epsilon, rng, k=3):
    # one-shot top-k by the exponential mechanism, sampled without replacement
    w = np.exp(epsilon * (scores - scores.max()) / (2 * k))
    return rng.choice(len(scores), size=k, replace=False, p=w / w.sum())


def audit_sample_fixed_design(scores, rng, m=3):
    # cases pulled for a manual audit with fixed design probabilities, no repeats
    design = np.array([0.05, 0.1, 0.15, 0.2, 0.2, 0.3])
    picked = rng.choice(len(design), size=m, replace=False, p=design)
    return scores[picked], picked


def parity_gap_permutation_null(y_pred, group, rng, n_perm=20):
    # a permutation test of the parity gap: every replicate's labels shuffled in place
    G = np.tile(group, (n_perm, 1))
    rng.permuted(G, axis=1, out=G)
    r1 = (y_pred * (G == 1)).sum(1) / (G == 1).sum(1)
    r0 = (y_pred * (G == 0)).sum(1) / (G == 0).sum(1)
    observed = y_pred[group == 1].mean() - y_pred[group == 0].mean()
    return np.mean(np.abs(r1 - r0) >= np.abs(observed)), observed


def _clip_row(g, C=1.0):
    return g / max(1.0, np.linalg.norm(g) / C)


def clip_apply_along_axis(grads, rng, sigma=1.0):
    clipped = np.apply_along_axis(_clip_row, 1, grads)
    return clipped.sum(0) + rng.normal(0, sigma, grads.shape[1])


def clip_list_comprehension(grads, rng, C=0.5, sigma=1.0):
    # the tutorial form: one Python row at a time, a builtin max against the norm ratio
    clipped = [g / max(1.0, np.linalg.norm(g) / C) for g in grads]
    return (sum(clipped) + rng.normal(0, sigma * C, grads.shape[1])) / len(clipped)


def layerwise_spectral_clip(weights_grads, C=1.0):
    # a per-layer clip by the spectral norm of each layer's gradient matrix
    out = {}
    for name, g in weights_grads.items():
        s = np.linalg.norm(g, 2)
        out[name] = g * min(1.0, C / s)
    return out


def pld_direct_convolution(epsilon, k):
    # the randomized-response privacy loss composed by repeated np.convolve
    p = np.exp(epsilon) / (1 + np.exp(epsilon))
    base = np.array([1 - p, 0.0, p])
    pmf = base
    for _ in range(k - 1):
        pmf = np.convolve(pmf, base)
    losses = epsilon * (np.arange(pmf.size) - (pmf.size - 1) / 2)
    return pmf, np.sum(np.where(losses > 1.0, pmf * (1 - np.exp(1.0 - losses)), 0.0))


def rdp_log_terms_reduce(q, sigma, alpha=8):
    i = np.arange(alpha + 1)
    log_terms = (scipy.special.gammaln(alpha + 1) - scipy.special.gammaln(i + 1)
                 - scipy.special.gammaln(alpha - i + 1) + i * np.log(q)
                 + (alpha - i) * np.log1p(-q) + (i * i - i) / (2 * sigma ** 2))
    return np.logaddexp.reduce(log_terms) / (alpha - 1), np.logaddexp.accumulate(log_terms)


def monotone_noisy_cdf(counts, epsilon, rng):
    # post-processing of a noisy CDF: cumulative, made monotone, clipped to [0, 1]
    noisy = counts + rng.laplace(scale=1 / epsilon, size=counts.shape)
    cdf = np.cumsum(noisy) / counts.sum()
    cdf = np.maximum.accumulate(cdf)
    return np.clip(cdf, 0, 1), np.minimum.accumulate(cdf[::-1])[::-1]


def multiply_shift_hash_counts(values, a, b, epsilon, rng, bits=3):
    # a 64-bit multiply-shift hash into 2**bits buckets (uint64 arithmetic wraps)
    h = (a * values.astype(np.uint64) + b) >> np.uint64(64 - bits)
    counts = np.bincount(h.astype(np.int64), minlength=2 ** bits)
    return counts + rng.laplace(scale=1 / epsilon, size=2 ** bits)


def shuffle_column_view_importance(X, y, coef, intercept, rng):
    base = np.mean((predict_proba(X, coef, intercept) > 0.5) == y)
    drops = np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        Xp = X.copy()
        rng.shuffle(Xp[:, j])
        drops[j] = base - np.mean((predict_proba(Xp, coef, intercept) > 0.5) == y)
    return drops


def shared_generator_twice(x, noise_rng, sample_rng):
    idx = sample_rng.permutation(x.shape[0])[:3]
    return x[idx] + noise_rng.laplace(scale=0.5, size=3)


MORE_FORMS = {
    "topk_choice_without_replacement_p": _Xfail(
        "rng.choice(n, size=k, replace=False, p=traced) raises UnsupportedFunctionError; "
        "NumPy draws k distinct indices", dp_topk_without_replacement, {"k": 3},
        lambda s, n: (_f(2 * n, seed=s), 1.0, _rng(s))),
    "audit_choice_without_replacement_const_p": _Xfail(
        "rng.choice(replace=False, p=np.array([...])) of a literal made in the function is "
        "refused as 'traced probabilities' (UnsupportedFunctionError); NumPy samples",
        audit_sample_fixed_design, {"m": 3},
        lambda s, n: (_f(6, seed=s + n), _rng(s))),
    "permutation_null_permuted_out": _Xfail(
        "rng.permuted(G, axis=1, out=G) raises UnsupportedFunctionError; NumPy shuffles each "
        "row in place", parity_gap_permutation_null, {"n_perm": 20},
        lambda s, n: (_fair(s, n)[1], _fair(s, n)[2], _rng(s))),
    "clip_apply_along_axis_builtin_max": (clip_apply_along_axis, {}, lambda s, n: (
        _f(3 * n, 4, seed=s), _rng(s))),
    "clip_list_comprehension_sum": (clip_list_comprehension, {}, lambda s, n: (
        _f(3 * n, 4, seed=s), _rng(s))),
    "layerwise_spectral_norm_clip": (layerwise_spectral_clip, {}, lambda s, n: (
        {"W1": _f(n, 3, seed=s), "W2": _f(3, 2, seed=s + 1)},)),
    "pld_np_convolve_loop": (pld_direct_convolution, {"k": 6}, lambda s, n: (0.1 * s + 0.05 * n,)),
    "rdp_gammaln_logaddexp_reduce": (rdp_log_terms_reduce, {"alpha": 8}, lambda s, n: (
        0.01 * s, 0.8 + 0.1 * n)),
    "monotone_noisy_cdf_accumulate": (monotone_noisy_cdf, {}, lambda s, n: (
        _i(20, 3 * n, seed=s).astype(float) + 1, 1.0, _rng(s))),
    "multiply_shift_hash_uint64": (multiply_shift_hash_counts, {"bits": 3}, lambda s, n: (
        _i(1000, 10 * n, seed=s), np.uint64(0x9E3779B97F4A7C15),
        np.uint64(0xBF58476D1CE4E5B9 + s), 1.0, _rng(s))),
    "shuffle_column_view_importance": (shuffle_column_view_importance, {}, lambda s, n: (
        _f(5 * n, 3, seed=s), _i(2, 5 * n, seed=s), *_model(s), _rng(s))),
    "same_generator_in_two_arguments": (shared_generator_twice, {}, lambda s, n: (
        _f(2 * n, seed=s), *(lambda g: (g, g))(_rng(s)))),
}


@pytest.mark.parametrize("name", _names(MORE_FORMS))
def test_generator_and_post_processing_forms_match_numpy(name):
    """Sampling without replacement from probabilities, in-place permutations, clipping by
    `apply_along_axis` and by list comprehensions, spectral norms, convolved privacy losses,
    ufunc reductions and accumulations, 64-bit hashing and shared generators: NumPy's values."""
    check_like_numpy(*MORE_FORMS[name])


# ============================================================================ refused


def permute_and_flip_loop(quality, epsilon, rng):
    # McKenna & Sheldon's Algorithm 1 as written: a rejection loop on the draws
    q_star = quality.max()
    while True:
        r = rng.integers(len(quality))
        if rng.random() <= np.exp(epsilon * (quality[r] - q_star) / 2):
            return r


def sparse_vector_break(queries, threshold, epsilon, rng):
    noisy_t = threshold + rng.laplace(scale=2 / epsilon)
    out = []
    for q in queries:
        if q + rng.laplace(scale=4 / epsilon) >= noisy_t:
            out.append(True)
            break
        out.append(False)
    return np.array(out)


def parity_over_unique_groups(y_pred, sensitive):
    groups = np.unique(sensitive)
    rates = np.array([y_pred[sensitive == g].mean() for g in groups])
    return rates.max() - rates.min()


def budget_guard(epsilons, budget):
    spent = 0.0
    for e in epsilons:
        if spent + e > budget:
            raise ValueError("privacy budget exhausted")
        spent += e
    return spent


def sigma_bisection_while(contributions, epsilon, delta, tol=1e-6):
    # the sensitivity measured from the data, then a bisection until the bracket is small
    sens = np.max(np.abs(contributions))
    lo, hi = 1e-3, 100.0
    while hi - lo > tol * sens:
        mid = (lo + hi) / 2
        a, b = sens / (2 * mid), epsilon * mid / sens
        d = norm.cdf(a - b) - np.exp(epsilon) * norm.cdf(-a - b)
        if d > delta:
            lo = mid
        else:
            hi = mid
    return hi


def released_bins(counts, tau, epsilon, rng):
    # a stability histogram: only the bins whose noisy count passes the threshold
    noisy = counts + rng.laplace(scale=1 / epsilon, size=counts.shape)
    keys = np.arange(len(counts))
    return keys[noisy > tau], noisy[noisy > tau]


def flagged_individuals(scores, group, threshold):
    return np.nonzero((scores > threshold) & (group == 1))[0]


def counterfactuals_of_rejected(X, coef, intercept):
    rejected = X[X @ coef + intercept < 0]
    return rejected - ((rejected @ coef + intercept) / (coef @ coef))[:, None] * coef


def counts_above_zero_mean(noisy_counts):
    positive = noisy_counts[noisy_counts > 0]
    if len(positive) == 0:
        return 0.0
    return positive.mean()


def objective_perturbation_minimize(X, y, epsilon, rng, lam=0.1):
    # Chaudhuri et al.: a random linear term in the objective, solved by L-BFGS
    n, d = X.shape
    b = rng.normal(size=d)
    b *= rng.gamma(d, 2 / epsilon) / np.linalg.norm(b)

    def objective(w):
        return np.mean(np.log1p(np.exp(-y * (X @ w)))) + 0.5 * lam * w @ w + b @ w / n

    return scipy.optimize.minimize(objective, np.zeros(d), method="L-BFGS-B").x


def sigma_brentq_from_data(contributions, epsilon, delta):
    sens = np.abs(contributions).max()

    def excess(sigma):
        a, b = sens / (2 * sigma), epsilon * sigma / sens
        return norm.cdf(a - b) - np.exp(epsilon) * norm.cdf(-a - b) - delta

    return scipy.optimize.brentq(excess, 1e-3, 1e3)


def attack_clopper_pearson_binomtest(member_pred, nonmember_pred):
    tp = int(member_pred.sum())
    lo = scipy.stats.binomtest(tp, len(member_pred)).proportion_ci(method="exact").low
    return lo, nonmember_pred.mean()


def top_k_sorted_key(counts, epsilon, rng, k=3):
    noisy = counts + rng.laplace(scale=2 * k / epsilon, size=len(counts))
    return sorted(range(len(noisy)), key=lambda i: noisy[i], reverse=True)[:k]


def model_card_text(y_true, y_pred, group):
    gap = y_pred[group == 1].mean() - y_pred[group == 0].mean()
    acc = np.mean(y_true == y_pred)
    return f"accuracy {acc:.3f}, demographic parity gap {gap:+.3f}"


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "permute_and_flip_while_true": (_Concretization, permute_and_flip_loop, lambda s: (
        _f(6, seed=s), 1.0, _rng(s))),
    "sparse_vector_python_break": (_Concretization, sparse_vector_break, lambda s: (
        _f(8, seed=s), 0.5, 1.0, _rng(s))),
    "parity_over_np_unique": (_DataDependent, parity_over_unique_groups, lambda s: (
        _fair(s, 3)[1], _fair(s, 3)[2])),
    "budget_guard_if_raise": (_Concretization, budget_guard, lambda s: (
        0.1 * _u(s, 5), 10.0)),
    "sigma_bisection_while_tol": (_Concretization, sigma_bisection_while, lambda s: (
        _f(8, seed=s), 0.5 * s, 1e-5)),
    "released_bins_noisy_mask": (_DataDependent, released_bins, lambda s: (
        _i(30, 10, seed=s).astype(float), 10.0, 1.0, _rng(s))),
    "flagged_individuals_nonzero": (_DataDependent, flagged_individuals, lambda s: (
        _u(s, 12), _i(2, 12, seed=s), 0.5)),
    "counterfactuals_of_rejected_rows": (_DataDependent, counterfactuals_of_rejected, lambda s: (
        _f(10, 3, seed=s), *_model(s))),
    "positive_noisy_counts_len_check": (_DataDependent, counts_above_zero_mean, lambda s: (
        _f(10, seed=s),)),
    "private_count_len_of_selection": (_DataDependent, private_count, lambda s: (
        _i(90, 30, seed=s), 0.5, _rng(s))),
    "group_ece_len_of_selection": (_DataDependent, group_ece, lambda s: (
        *_fair_scores(s, 4), 2)),
    "objective_perturbation_scipy_minimize": (_Concretization, objective_perturbation_minimize,
                                              lambda s: (*_logreg_data(s, 20), 1.0, _rng(s))),
    "sigma_brentq_of_measured_sensitivity": (_Concretization, sigma_brentq_from_data,
                                             lambda s: (_f(8, seed=s), 1.0, 1e-5)),
    "binomtest_int_of_count": (_Concretization, attack_clopper_pearson_binomtest, lambda s: (
        _i(2, 30, seed=s), _i(2, 30, seed=s + 1))),
    "top_k_sorted_by_noisy_key": (_Concretization, top_k_sorted_key, lambda s: (
        _i(30, 10, seed=s), 1.0, _rng(s))),
    "model_card_f_string": (_Concretization, model_card_text, lambda s: _fair(s, 3)),
    "xauc_outer_of_two_selections": (_DataDependent, xauc, lambda s: _fair_scores(s, 4)),
    "wasserstein_distance_of_selections": (_DataDependent, wasserstein_between_groups,
                                           lambda s: _fair_scores(s, 4)[::2]),
    "ks_2samp_of_selections": (_DataDependent, ks_between_groups,
                               lambda s: _fair_scores(s, 4)[::2]),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Permute-and-flip's rejection loop, an SVT with `break`, groups by `np.unique`, a budget
    guard by `if`, a bisection `while` on a tolerance, released bins and flagged rows by
    masks and `np.nonzero`, and `len` of a selection: the named error, NumPy's values under
    `fallback=True`."""
    check_refused(*REFUSED[name])
