"""Corpus, hunt BS: survey statistics, measurement science and uncertainty propagation, as
official-statistics course code, metrology guides' (GUM) worked examples, lab data-analysis
scripts and physics teaching notebooks write them.

Survey weights (SRSWOR design weights by stratum, post-stratification by `bincount`, raking
over two margins and over a dict of margins by `np.add.at`, two- and three-way IPF with margins
by `einsum`, Horvitz-Thompson with Sen-Yates-Grundy variances from a joint-probability matrix,
Hajek, ratio and Hansen-Hurwitz estimators, GREG and exponential (Newton) calibration, Kish's
design effect into a dict, an ANOVA ICC, stratified means over dicts of strata, the copied
`weighted_quantile`, weighted medians by `searchsorted`, `np.percentile(weights=)`, reliability
weighted variances, `np.average(returned=True)`, `np.cov(aweights=, fweights=)`, weighted
cross-tabs and chi-square, domain means, weight trimming by boolean writes and by `np.where`,
weighting-class nonresponse, a linearised stratified-cluster variance, a weighted Gini, float32
weights with int32 codes); replication (delete-one jackknife by `np.delete` and by a keep mask,
JK1 and JKn replicate-weight matrices, BRR and Fay's BRR from `scipy.linalg.hadamard`, SDR,
replicate regressions by `lstsq`, bootstrap percentile, BCa with `norm.ppf`/`cdf`, bootstrap-t,
Bayesian (Dirichlet), Poisson and balanced bootstraps, `corrcoef` in a loop, float32 replicate
weights, with seeded Generators made inside or passed in); uncertainty propagation (J C J^T from
`np.outer` covariances, GUM H.1 with a budget dict and H.2 with correlated V, I, phi,
finite-difference Jacobians of models picked from a dict by name, by identity rows, complex-step
sensitivities, second-order terms by a difference Hessian, Monte Carlo with normal,
multivariate-normal, Cholesky, rectangular/triangular/arcsine and float32 draws, the shortest
coverage interval, Welch-Satterthwaite with `t.ppf` of a traced dof, batched Jacobians);
combining and fitting (weighted means with internal/external errors and the Birge ratio, PDG
scale factors, chi-square fits by `lstsq` with scaled covariances and `chi2.sf`, `polyfit` with
`cov="unscaled"`, Bevington's sums, curvature matrices by `einsum` over named bases, York and
Deming fits, BLUE by `inv` and `solve`, significant-figure rounding, unit tables as dicts,
Chauvenet by `erfc`, sigma clipping with a carried mask, pendulum g, confidence bands);
calibration and interlaboratory statistics (inverse prediction intervals, `linregress`, 1/x^2
weighting, standard additions, quadratic inversion, Allan deviations by reshape blocks, phase
second differences, `cumsum`, `convolve` (modified), Hadamard, octaves from `logspace` and
`sliding_window_view`, Youden statistics and circles with `chi2.ppf`, robust z-scores with
`np.select`, En and zeta numbers, ISO 13528 Algorithm A, Mandel's h and k, ISO 5725 precision
into a dict, Cochran and Grubbs, Huber's H15, PT reports as dicts of dicts); missing data and
the rest (NaN item nonresponse, `nanmean`/`nanstd`, `np.ma.average`, `where=` reductions,
`var(mean=)`, systematic PPS, capped inclusion probabilities, Poisson sampling indicators,
`choice(p=)`, legacy `np.random.seed`, `RandomState`, `standard_t`, scipy `rvs` with a
`random_state`, `t.interval` with `sem`, MAD/IQR/trimmed means, `digitize` brackets, weighted
histograms, `np.eye(k)[codes]` raking, `out=`/`copyto` writes into arguments, duplicate-index
`+=`, `add.reduceat`, structured records, `apply_along_axis`, `take_along_axis`, `lexsort`, GLS
by `cho_factor` and `slogdet`, `Polynomial.fit`, interpolated thermocouple tables, Kronecker and
`np.block` covariances, GUM S2 complex quantities, int64 timestamps, `np.vectorize`,
`np.piecewise`, `np.partition`, percentile methods, multi-RHS `lstsq`, float32 rounding); and
reporting (powers of ten from `math.floor(math.log10(u))`, weighted `nanpercentile`, budget rows
as tuples).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy/SciPy in value and
dtype, and in the arguments it writes in place. Iteration counts, stratum and category counts,
replicate and bootstrap counts, seeds, unit names and tau lists given as Python values are made
static; the forms whose Python or shapes depend on array values raise a named error and run
eagerly under `fallback=True`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
import scipy.special
import scipy.stats
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names, _Xfail

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _pos(seed, *shape, lo=1.0, hi=10.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _cells(seed, k, n):
    # every category present at least once, then random fill: no empty cells
    r = np.random.default_rng(seed)
    return r.permutation(np.concatenate([np.arange(k), r.integers(0, k, n - k)]))


def _distinct(seed, n, lo=0.0, hi=10.0):
    # well separated values (no ties in a sort)
    r = np.random.default_rng(seed)
    return r.permutation(np.linspace(lo, hi, n) + r.uniform(0, 0.3 * (hi - lo) / n, n))


# ============================================================================ survey weights


def design_weights_stratified(N_h, n_h, stratum):
    # SRSWOR within strata: the inverse inclusion probability of each unit's stratum
    pi = n_h / N_h
    return 1.0 / pi[stratum]


def post_stratify(w, cell, pop_totals, n_cells=4):
    # the classic post-stratification adjustment: weighted cell totals to census counts
    est = np.bincount(cell, weights=w, minlength=n_cells)
    adj = pop_totals / est
    return w * adj[cell], adj


def rake_weights(w, age, region, age_targets, region_targets, n_iter=10):
    # raking (iterative proportional fitting on the margins) with a fixed number of sweeps
    w = w.copy()
    margins = [(age, age_targets), (region, region_targets)]
    for it in range(n_iter):
        for var, target in margins:
            current = np.bincount(var, weights=w, minlength=len(target))
            w *= (target / current)[var]
    return w


def rake_dict_of_margins(w, design, targets, n_iter=8):
    # margins as a dict of variable name -> codes, targets as a dict name -> totals
    for _ in range(n_iter):
        for name in targets:
            codes = design[name]
            tot = np.zeros(len(targets[name]))
            np.add.at(tot, codes, w)
            w = w * targets[name][codes] / tot[codes]
    return w


def ipf_table(seed_table, row_targets, col_targets, n_iter=20):
    # Deming-Stephan IPF of a two-way table
    t = seed_table.astype(float)
    for _ in range(n_iter):
        t *= (row_targets / t.sum(axis=1))[:, np.newaxis]
        t *= (col_targets / t.sum(axis=0))[np.newaxis, :]
    return t, np.abs(t.sum(axis=1) - row_targets).max()


def ipf_three_way(seed_table, m_ab, m_ac, m_bc, n_iter=6):
    # three-way IPF fitting all two-way margins, margins by einsum
    t = seed_table.copy()
    for _ in range(n_iter):
        t *= (m_ab / np.einsum("abc->ab", t))[:, :, None]
        t *= (m_ac / np.einsum("abc->ac", t))[:, None, :]
        t *= (m_bc / np.einsum("abc->bc", t))[None, :, :]
    return t


def horvitz_thompson(y, pi, pi_joint):
    # HT total and the Sen-Yates-Grundy variance from the joint inclusion probabilities
    t_ht = np.sum(y / pi)
    yy = y / pi
    d = (np.outer(pi, pi) - pi_joint) * (yy[:, None] - yy[None, :]) ** 2
    v_syg = np.sum(np.triu(d, 1))
    v_ht = np.sum((1 - pi) / pi ** 2 * y ** 2) + np.sum(
        ((pi_joint - np.outer(pi, pi)) / pi_joint * np.outer(y / pi, y / pi))
        [~np.eye(len(y), dtype=bool)])
    return t_ht, v_syg, v_ht


def hajek_mean(y, pi):
    w = 1 / pi
    return (w * y).sum() / w.sum()


def ratio_estimator(y, x, w, X_total):
    # ratio estimator of the total with its linearisation variance (SRS, with replacement)
    R = np.sum(w * y) / np.sum(w * x)
    T = R * X_total
    e = y - R * x
    n = len(y)
    v = n / (n - 1) * np.sum((w * e - np.mean(w * e)) ** 2)
    return T, R, np.sqrt(v)


def greg_calibration(w, X, tx):
    # linear (chi-square distance) calibration: g-weights 1 + x' lambda
    T = X.T @ (w[:, None] * X)
    lam = np.linalg.solve(T, tx - X.T @ w)
    g = 1.0 + X @ lam
    return w * g, g


def raking_ratio_newton(d, X, tx, n_iter=6):
    # generalised raking (exponential distance), Newton steps on the calibration equations
    lam = np.zeros(X.shape[1])
    for _ in range(n_iter):
        w = d * np.exp(X @ lam)
        H = (X * w[:, None]).T @ X
        lam = lam + np.linalg.solve(H, tx - X.T @ w)
    return d * np.exp(X @ lam)


def kish_deff(w):
    n = w.size
    deff = n * np.sum(w ** 2) / np.sum(w) ** 2
    return {"deff": deff, "n_eff": n / deff, "cv_w": np.std(w) / np.mean(w)}


def cluster_deff_icc(y, m=5):
    # clusters of equal size m in consecutive rows; ANOVA estimate of the ICC
    k = y.size // m
    Y = y[:k * m].reshape(k, m)
    msb = m * np.sum((Y.mean(1) - Y.mean()) ** 2) / (k - 1)
    msw = np.sum((Y - Y.mean(1, keepdims=True)) ** 2) / (k * (m - 1))
    icc = (msb - msw) / (msb + (m - 1) * msw)
    return icc, 1 + (m - 1) * icc


def stratified_mean(samples, N_h):
    # samples: dict stratum name -> array; N_h: dict name -> population size
    N = sum(N_h.values())
    mean = 0.0
    var = 0.0
    for h, yh in samples.items():
        Wh = N_h[h] / N
        nh = len(yh)
        fh = nh / N_h[h]
        mean += Wh * yh.mean()
        var += Wh ** 2 * (1 - fh) * yh.var(ddof=1) / nh
    return mean, np.sqrt(var)


def weighted_quantile(values, quantiles, sample_weight):
    # the much-copied StackOverflow weighted_quantile
    sorter = np.argsort(values)
    values = values[sorter]
    sample_weight = sample_weight[sorter]
    weighted_quantiles = np.cumsum(sample_weight) - 0.5 * sample_weight
    weighted_quantiles /= np.sum(sample_weight)
    return np.interp(quantiles, weighted_quantiles, values)


def weighted_median_searchsorted(x, w):
    i = np.argsort(x)
    cw = np.cumsum(w[i])
    k = np.searchsorted(cw, 0.5 * cw[-1])
    return x[i][k]


def weighted_percentile_numpy2(x, w, q):
    return np.percentile(x, q, weights=w, method="inverted_cdf")


def weighted_var_reliability(x, w):
    # unbiased weighted variance with reliability weights
    V1 = w.sum()
    V2 = (w ** 2).sum()
    mu = np.average(x, weights=w)
    return mu, np.sum(w * (x - mu) ** 2) / (V1 - V2 / V1)


def average_returned(x, w):
    avg, sw = np.average(x, axis=0, weights=w, returned=True)
    return avg, sw


def weighted_cov_aweights(X, w, f):
    return np.cov(X, rowvar=False, aweights=w), np.cov(X.T, fweights=f, aweights=w, ddof=0)


def weighted_props_by_category(cat, w, k=5):
    tot = np.bincount(cat, weights=w, minlength=k)
    p = tot / w.sum()
    n_eff = w.sum() ** 2 / (w ** 2).sum()
    se = np.sqrt(p * (1 - p) / n_eff)
    return p, se


def weighted_crosstab(a, b, w, ka=3, kb=4):
    tab = np.zeros((ka, kb))
    np.add.at(tab, (a, b), w)
    row = tab / tab.sum(axis=1, keepdims=True)
    exp = np.outer(tab.sum(1), tab.sum(0)) / tab.sum()
    chi2 = ((tab - exp) ** 2 / exp).sum()
    return tab, row, chi2


def domain_mean(y, w, domain, d=1):
    # domain estimation by zeroing out-of-domain units, not by subsetting
    z = (domain == d).astype(float)
    num = np.sum(w * y * z)
    den = np.sum(w * z)
    return num / den, den


def trim_weights(w, cap=3.0, n_iter=5):
    # trim at cap times the median weight and redistribute the excess over the rest
    total = w.sum()
    for _ in range(n_iter):
        limit = cap * np.median(w)
        over = w > limit
        w = np.where(over, limit, w)
        w[~over] *= (total - w[over].sum()) / w[~over].sum()
    return w


def trim_weights_masked_sums(w, cap=3.0, n_iter=5):
    total = w.sum()
    for _ in range(n_iter):
        limit = cap * np.median(w)
        over = w > limit
        kept = np.sum(np.where(over, 0.0, w))
        w = np.where(over, limit, w * (total - limit * over.sum()) / kept)
    return w


def nonresponse_adjust(w, responded, cell, n_cells=3):
    # weighting-class adjustment: respondents carry the weight of the nonrespondents of
    # their cell
    r = responded.astype(float)
    tot = np.bincount(cell, weights=w, minlength=n_cells)
    resp = np.bincount(cell, weights=w * r, minlength=n_cells)
    f = tot / resp
    return w * r * f[cell]


def taylor_var_stratified_cluster(y, w, stratum, psu, n_strata=3, n_psu=4):
    # linearised variance of a ratio mean: PSU totals of the influence values per stratum
    ybar = np.sum(w * y) / np.sum(w)
    z = w * (y - ybar) / np.sum(w)
    tot = np.zeros((n_strata, n_psu))
    np.add.at(tot, (stratum, psu), z)
    zbar = tot.mean(axis=1, keepdims=True)
    v = (n_psu / (n_psu - 1) * ((tot - zbar) ** 2).sum(axis=1)).sum()
    return ybar, np.sqrt(v)


def hansen_hurwitz(y, p):
    # PPS with replacement
    n = len(y)
    z = y / p
    t = z.mean()
    return t, z.var(ddof=1) / n


def poisson_sampling_var(y, pi):
    return np.sum(y / pi), np.sum((1 - pi) / pi ** 2 * y ** 2)


def weighted_gini(income, w):
    order = np.argsort(income)
    x, ww = income[order], w[order]
    cw = np.cumsum(ww) / ww.sum()
    cxw = np.cumsum(x * ww) / np.sum(x * ww)
    cw = np.concatenate([[0.0], cw])
    cxw = np.concatenate([[0.0], cxw])
    return 1 - np.sum((cw[1:] - cw[:-1]) * (cxw[1:] + cxw[:-1]))


def survey_weights_float32(w, y):
    # weights stored as float32 in the microdata file, responses as int codes
    wt = w.astype(np.float32)
    tot = np.sum(wt * y)
    return tot, tot / wt.sum(), wt.mean(dtype=np.float64)


def calibrate_to_totals_loop(w, X, tx, n_iter=3):
    # linear calibration repeated (the weights converge after one pass in exact arithmetic)
    for _ in range(n_iter):
        w, _ = greg_calibration(w, X, tx)
    return w, X.T @ w


def _tri_pi(seed, n):
    # inclusion probabilities and a valid joint matrix (Poisson sampling: independent)
    pi = np.random.default_rng(seed).uniform(0.2, 0.8, n)
    pj = np.outer(pi, pi) * 0.95
    np.fill_diagonal(pj, pi)
    return pi, pj


SURVEY = {
    "design_weights_stratified": (design_weights_stratified, {}, lambda s, n: (
        np.array([100.0, 250.0, 80.0]), np.array([10.0, 20.0, 5.0 + s]), _cells(s, 3, 3 * n))),
    "post_stratify_bincount": (post_stratify, {"n_cells": 4}, lambda s, n: (
        _pos(s, 4 * n), _cells(s, 4, 4 * n), _pos(s + 1, 4, lo=50, hi=100))),
    "rake_two_margins": (rake_weights, {"n_iter": 8}, lambda s, n: (
        _pos(s, 5 * n), _cells(s, 3, 5 * n), _cells(s + 7, 4, 5 * n),
        np.array([30.0, 40.0, 30.0]) * s, np.array([20.0, 25.0, 30.0, 25.0]) * s)),
    "rake_dict_margins_add_at": (rake_dict_of_margins, {"n_iter": 6}, lambda s, n: (
        _pos(s, 5 * n), {"sex": _cells(s, 2, 5 * n), "age": _cells(s + 1, 3, 5 * n)},
        {"sex": np.array([48.0, 52.0]), "age": np.array([30.0, 45.0, 25.0])})),
    "ipf_two_way": (ipf_table, {"n_iter": 15}, lambda s, n: (
        _i(9, n, 3, seed=s) + 1, _pos(s, n, lo=10, hi=20),
        np.full(3, 15.0 * n / 3 * (1 + 0 * s)))),
    "ipf_three_way_einsum": (ipf_three_way, {"n_iter": 4}, lambda s, n: (
        _pos(s, 2, 3, n // 2, lo=1, hi=5), *_three_margins(s, n // 2))),
    "horvitz_thompson_syg": (horvitz_thompson, {}, lambda s, n: (
        _pos(s, 2 * n), *_tri_pi(s, 2 * n))),
    "hajek_mean": (hajek_mean, {}, lambda s, n: (_pos(s, 3 * n), _u(s + 1, 3 * n) + 0.1)),
    "ratio_estimator_linearised": (ratio_estimator, {}, lambda s, n: (
        _pos(s, 3 * n), _pos(s + 1, 3 * n), _pos(s + 2, 3 * n), 1000.0)),
    "greg_calibration_solve": (greg_calibration, {}, lambda s, n: (
        _pos(s, 5 * n), np.column_stack([np.ones(5 * n), _pos(s + 1, 5 * n)]),
        np.array([40.0 * n, 250.0 * n]))),
    "raking_ratio_newton_exp": (raking_ratio_newton, {"n_iter": 5}, lambda s, n: (
        _pos(s, 5 * n), np.column_stack([np.ones(5 * n), _u(s + 1, 5 * n)]),
        np.array([30.0 * n, 16.0 * n]))),
    "kish_deff_dict": (kish_deff, {}, lambda s, n: (_pos(s, 4 * n),)),
    "cluster_deff_anova_icc": (cluster_deff_icc, {"m": 4}, lambda s, n: (
        np.repeat(_f(n + 2, seed=s), 4) + 0.5 * _f(4 * (n + 2), seed=s + 1),)),
    "stratified_mean_dict": (stratified_mean, {}, lambda s, n: (
        {"north": _pos(s, n), "south": _pos(s + 1, n + 2), "east": _pos(s + 2, 3)},
        {"north": 120, "south": 300, "east": 45})),
    "weighted_quantile_interp": (weighted_quantile, {}, lambda s, n: (
        _distinct(s, 5 * n), np.array([0.1, 0.5, 0.9]), _pos(s + 1, 5 * n))),
    "weighted_median_searchsorted": (weighted_median_searchsorted, {}, lambda s, n: (
        _distinct(s, 5 * n + 1), _pos(s + 1, 5 * n + 1))),
    "weighted_percentile_inverted_cdf": (weighted_percentile_numpy2, {}, lambda s, n: (
        _distinct(s, 5 * n), _pos(s + 1, 5 * n), [10, 50, 90])),
    "weighted_var_reliability": (weighted_var_reliability, {}, lambda s, n: (
        _f(4 * n, seed=s), _pos(s + 1, 4 * n))),
    "np_average_returned": (average_returned, {}, lambda s, n: (
        _f(3 * n, 2, seed=s), _pos(s + 1, 3 * n))),
    "np_cov_aweights_fweights": (weighted_cov_aweights, {}, lambda s, n: (
        _f(4 * n, 3, seed=s), _pos(s + 1, 4 * n), _i(3, 4 * n, seed=s) + 1)),
    "weighted_props_bincount": (weighted_props_by_category, {"k": 5}, lambda s, n: (
        _cells(s, 5, 5 * n), _pos(s + 1, 5 * n))),
    "weighted_crosstab_add_at": (weighted_crosstab, {}, lambda s, n: (
        _cells(s, 3, 6 * n), _cells(s + 1, 4, 6 * n), _pos(s + 2, 6 * n))),
    "domain_mean_indicator": (domain_mean, {"d": 2}, lambda s, n: (
        _f(4 * n, seed=s), _pos(s + 1, 4 * n), _cells(s, 3, 4 * n))),
    "trim_weights_boolean_writes": (trim_weights, {"n_iter": 4}, lambda s, n: (
        np.r_[_pos(s, 4 * n, lo=1, hi=2), 12.0, 15.0 + s],)),
    "trim_weights_np_where": (trim_weights_masked_sums, {"n_iter": 4}, lambda s, n: (
        np.r_[_pos(s, 4 * n, lo=1, hi=2), 12.0, 15.0 + s],)),
    "nonresponse_weighting_class": (nonresponse_adjust, {}, lambda s, n: (
        _pos(s, 6 * n), np.r_[np.ones(3, bool), _u(s, 6 * n - 3) < 0.7],
        np.r_[np.arange(3), _cells(s + 1, 3, 6 * n - 3)])),
    "taylor_var_strata_psu_add_at": (taylor_var_stratified_cluster, {}, lambda s, n: (
        _f(6 * n, seed=s), _pos(s + 1, 6 * n), _i(3, 6 * n, seed=s + 2),
        _i(4, 6 * n, seed=s + 3))),
    "hansen_hurwitz_pps": (hansen_hurwitz, {}, lambda s, n: (
        _pos(s, 3 * n), _u(s + 1, 3 * n) * 0.1 + 0.01)),
    "poisson_sampling_variance": (poisson_sampling_var, {}, lambda s, n: (
        _pos(s, 3 * n), _u(s + 1, 3 * n) * 0.7 + 0.2)),
    "weighted_gini_lorenz": (weighted_gini, {}, lambda s, n: (
        _distinct(s, 5 * n, 1, 100), _pos(s + 1, 5 * n))),
    "float32_weights_int_codes": (survey_weights_float32, {}, lambda s, n: (
        _pos(s, 5 * n), _i(5, 5 * n, seed=s).astype(np.int32))),
    "calibration_repeated_helper": (calibrate_to_totals_loop, {"n_iter": 2}, lambda s, n: (
        _pos(s, 5 * n), np.column_stack([np.ones(5 * n), _pos(s + 1, 5 * n)]),
        np.array([40.0 * n, 250.0 * n]))),
}


def _three_margins(seed, c):
    t = _pos(seed + 10, 2, 3, c, lo=1, hi=5)
    return t.sum(2), t.sum(1), t.sum(0)


@pytest.mark.parametrize("name", _names(SURVEY))
def test_survey_weights_match_numpy(name):
    """Design weights, post-stratification, raking and IPF, HT/Hajek/ratio/GREG estimators,
    design effects, weighted quantiles and variances, trimming and nonresponse: NumPy's
    values."""
    check_like_numpy(*SURVEY[name])


# ====================================================================== replication variance


def jackknife_delete_one(x):
    n = len(x)
    theta = np.empty(n)
    for i in range(n):
        theta[i] = np.delete(x, i).mean()
    est = x.mean()
    var = (n - 1) / n * np.sum((theta - theta.mean()) ** 2)
    return est, np.sqrt(var), n * est - (n - 1) * theta.mean()


def jackknife_ratio_mask(y, x):
    n = len(y)
    reps = np.zeros(n)
    for i in range(n):
        keep = np.ones(n, dtype=bool)
        keep[i] = False
        reps[i] = y[keep].sum() / x[keep].sum()
    r = y.sum() / x.sum()
    return r, np.sqrt((n - 1) / n * ((reps - r) ** 2).sum())


def jackknife_vectorised(x):
    n = x.shape[0]
    loo = (x.sum(axis=0) - x) / (n - 1)
    return np.sqrt((n - 1) * loo.var(axis=0))


def jk1_replicate_weights(w):
    n = w.size
    W = np.repeat(w[:, None], n, axis=1)
    W[np.arange(n), np.arange(n)] = 0.0
    W *= n / (n - 1)
    return W


def replicate_variance(y, w, W, scale):
    # the generic replicate-weight variance: theta_r from each column of W
    theta = np.sum(w * y) / np.sum(w)
    reps = (W * y[:, None]).sum(axis=0) / W.sum(axis=0)
    return theta, scale * np.sum((reps - theta) ** 2)


def jk1_mean_se(y, w):
    W = jk1_replicate_weights(w)
    n = w.size
    return replicate_variance(y, w, W, (n - 1) / n)


def jkn_stratified_weights(w, stratum, psu, n_strata=3, n_psu=3):
    # JKn: drop one PSU of one stratum, inflate the rest of that stratum by n_h/(n_h-1)
    R = n_strata * n_psu
    W = np.tile(w[:, None], (1, R)).astype(float)
    r = 0
    for h in range(n_strata):
        in_h = stratum == h
        for j in range(n_psu):
            drop = in_h & (psu == j)
            W[drop, r] = 0.0
            W[in_h & ~drop, r] *= n_psu / (n_psu - 1)
            r += 1
    return W


def brr_hadamard(y, w, stratum, half, n_strata=4):
    # BRR: two PSUs per stratum, half-samples from the rows of a Hadamard matrix
    H = scipy.linalg.hadamard(n_strata)
    R = H.shape[0]
    W = np.empty((len(w), R))
    for r in range(R):
        sel = np.where(H[r, stratum] == 1, half == 0, half == 1)
        W[:, r] = w * 2 * sel
    theta = np.average(y, weights=w)
    reps = np.array([np.average(y, weights=W[:, r]) for r in range(R)])
    return theta, np.mean((reps - theta) ** 2)


def fay_brr(y, w, stratum, half, rho=0.5, n_strata=4):
    H = scipy.linalg.hadamard(n_strata)
    sign = np.where(half == 0, 1, -1)
    factors = 1 + (1 - rho) * H[:, stratum] * sign   # (R, n)
    W = w * factors
    reps = W @ y / W.sum(axis=1)
    theta = w @ y / w.sum()
    R = H.shape[0]
    return reps, np.sum((reps - theta) ** 2) / (R * (1 - rho) ** 2)


def sdr_variance(y, w, W):
    # successive difference replication (ACS): 4/80 sum of squares over replicates
    R = W.shape[1]
    est = w @ y
    reps = y @ W
    return est, 4.0 / R * np.sum((reps - est) ** 2)


def replicate_regression(X, y, w, W):
    # a weighted regression coefficient under each replicate weight
    def wls(wt):
        Xw = X * np.sqrt(wt)[:, None]
        return np.linalg.lstsq(Xw, y * np.sqrt(wt), rcond=None)[0]
    beta = wls(w)
    R = W.shape[1]
    reps = np.stack([wls(W[:, r]) for r in range(R)])
    d = reps - beta
    return beta, (R - 1) / R * d.T @ d


def bootstrap_mean_ci(x, B=200, alpha=0.05, seed=0):
    rng = np.random.default_rng(seed)
    n = len(x)
    idx = rng.integers(0, n, size=(B, n))
    boot = x[idx].mean(axis=1)
    lo, hi = np.percentile(boot, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return x.mean(), boot.std(ddof=1), lo, hi


def bootstrap_choice_median(x, rng, B=100):
    meds = np.empty(B)
    for b in range(B):
        meds[b] = np.median(rng.choice(x, size=len(x), replace=True))
    return np.quantile(meds, [0.025, 0.975]), meds.std(ddof=1)


def bootstrap_bca(x, B=300, alpha=0.05, seed=1):
    # Efron's BCa for the mean: bias from the bootstrap, acceleration from the jackknife
    rng = np.random.default_rng(seed)
    n = len(x)
    theta = np.mean(x)
    boot = x[rng.integers(0, n, (B, n))].mean(axis=1)
    z0 = scipy.stats.norm.ppf(np.mean(boot < theta))
    jack = (x.sum() - x) / (n - 1)
    d = jack.mean() - jack
    a = np.sum(d ** 3) / (6.0 * np.sum(d ** 2) ** 1.5)
    z = scipy.stats.norm.ppf([alpha / 2, 1 - alpha / 2])
    adj = scipy.stats.norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z)))
    return np.percentile(boot, 100 * adj)


def bootstrap_t_interval(x, B=150, seed=3):
    rng = np.random.default_rng(seed)
    n = len(x)
    m, se = x.mean(), x.std(ddof=1) / np.sqrt(n)
    xb = x[rng.integers(0, n, (B, n))]
    tb = (xb.mean(1) - m) / (xb.std(1, ddof=1) / np.sqrt(n))
    q = np.quantile(tb, [0.975, 0.025])
    return m - q * se


def bayesian_bootstrap(x, B=200, seed=0):
    rng = np.random.default_rng(seed)
    g = rng.dirichlet(np.ones(len(x)), size=B)
    means = g @ x
    return means.mean(), np.percentile(means, [2.5, 97.5])


def poisson_bootstrap(x, rng, B=100):
    c = rng.poisson(1.0, size=(B, x.size))
    return (c @ x) / c.sum(axis=1).clip(min=1)


def balanced_bootstrap(x, B=20, seed=2):
    rng = np.random.default_rng(seed)
    n = len(x)
    idx = rng.permutation(np.tile(np.arange(n), B)).reshape(B, n)
    boot = x[idx].mean(1)
    return boot.mean() - x.mean(), boot.var(ddof=1)


def bootstrap_corr_loop(x, y, B=30, seed=4):
    rng = np.random.default_rng(seed)
    n = len(x)
    r = np.zeros(B)
    for b in range(B):
        i = rng.integers(0, n, n)
        r[b] = np.corrcoef(x[i], y[i])[0, 1]
    z = np.arctanh(r)
    return np.tanh(np.percentile(z, [5, 95])), r.std()


def bootstrap_weights_matrix_float32(y, w, rng, B=50):
    # the replicate weights as they are published: float32 columns
    n = len(y)
    counts = rng.multinomial(n, np.full(n, 1.0 / n), size=B).astype(np.float32)
    W = (counts * w.astype(np.float32)).T
    return (W * y.astype(np.float32)[:, None]).sum(0) / W.sum(0)


def _brr_design(seed, n):
    # two PSUs per stratum (4 strata), n units per PSU
    stratum = np.repeat(np.arange(4), 2 * n)
    half = np.tile(np.repeat([0, 1], n), 4)
    return _f(8 * n, seed=seed), _pos(seed + 1, 8 * n), stratum, half


def _strat_psu(seed, n):
    s = np.repeat(np.arange(3), 3 * n)
    p = np.tile(np.repeat(np.arange(3), n), 3)
    return _pos(seed, 9 * n), s, p


REPLICATION = {
    "jackknife_np_delete_loop": (jackknife_delete_one, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "jackknife_ratio_keep_mask": (jackknife_ratio_mask, {}, lambda s, n: (
        _pos(s, 3 * n), _pos(s + 1, 3 * n))),
    "jackknife_vectorised_columns": (jackknife_vectorised, {}, lambda s, n: (
        _f(3 * n, 2, seed=s),)),
    "jk1_replicate_weight_matrix": (jk1_mean_se, {}, lambda s, n: (
        _f(3 * n, seed=s), _pos(s + 1, 3 * n))),
    "jkn_stratified_boolean_writes": (jkn_stratified_weights, {}, lambda s, n: (
        *_strat_psu(s, n),)),
    "brr_scipy_hadamard": (brr_hadamard, {}, lambda s, n: (*_brr_design(s, n),)),
    "fay_brr_broadcast": (fay_brr, {}, lambda s, n: (*_brr_design(s, n), 0.3)),
    "sdr_replicates_matmul": (sdr_variance, {}, lambda s, n: (
        _f(5 * n, seed=s), _pos(s + 1, 5 * n), _pos(s + 2, 5 * n, 8))),
    "replicate_regression_lstsq": (replicate_regression, {}, lambda s, n: (
        np.column_stack([np.ones(5 * n), _f(5 * n, seed=s)]), _f(5 * n, seed=s + 1),
        _pos(s + 2, 5 * n), _pos(s + 3, 5 * n, 6))),
    "bootstrap_integers_percentile": (bootstrap_mean_ci, {"B": 200, "seed": 7}, lambda s, n: (
        _f(5 * n, seed=s),)),
    "bootstrap_choice_generator_arg": (bootstrap_choice_median, {"B": 60}, lambda s, n: (
        _distinct(s, 5 * n + 1), np.random.default_rng(s))),
    "bootstrap_bca_norm_ppf": (bootstrap_bca, {"B": 300}, lambda s, n: (
        _pos(s, 5 * n) ** 2,)),
    "bootstrap_t_interval": (bootstrap_t_interval, {"B": 150}, lambda s, n: (
        _f(5 * n, seed=s),)),
    "bayesian_bootstrap_dirichlet": (bayesian_bootstrap, {"B": 100}, lambda s, n: (
        _f(4 * n, seed=s),)),
    "poisson_bootstrap_generator_arg": (poisson_bootstrap, {"B": 80}, lambda s, n: (
        _f(4 * n, seed=s), np.random.default_rng(s + 10))),
    "balanced_bootstrap_permutation": (balanced_bootstrap, {"B": 20}, lambda s, n: (
        _f(4 * n, seed=s),)),
    "bootstrap_corrcoef_loop": (bootstrap_corr_loop, {"B": 25}, lambda s, n: (
        _f(5 * n, seed=s), _f(5 * n, seed=s) + _f(5 * n, seed=s + 1))),
    "bootstrap_weights_float32": (bootstrap_weights_matrix_float32, {"B": 40}, lambda s, n: (
        _f(4 * n, seed=s), _pos(s + 1, 4 * n), np.random.default_rng(s))),
}


@pytest.mark.parametrize("name", _names(REPLICATION))
def test_replication_variance_matches_numpy(name):
    """Jackknife (delete-one, JK1, JKn), BRR and Fay's BRR by Hadamard rows, SDR, replicate
    regressions and bootstraps (percentile, BCa, bootstrap-t, Bayesian, Poisson,
    balanced) with seeded Generators: NumPy's values."""
    check_like_numpy(*REPLICATION[name])


# ================================================================== uncertainty propagation


def cov_from_u_and_r(u, R):
    return np.outer(u, u) * R


def propagate_linear(J, u, R):
    # GUM law of propagation in matrix form: U_y = J U_x J^T
    C = cov_from_u_and_r(u, R)
    Cy = J @ C @ J.T
    uy = np.sqrt(np.diag(Cy))
    return Cy, uy, Cy / np.outer(uy, uy)


def gum_h2_impedance(V, Ic, phi, uV, uI, uphi, r_VI, r_Vphi, r_Iphi):
    # GUM H.2: simultaneous resistance, reactance and impedance from V, Ic, phi (means of
    # five readings), with the correlations of the readings
    R = V / Ic * np.cos(phi)
    X = V / Ic * np.sin(phi)
    Z = V / Ic
    J = np.array([[np.cos(phi) / Ic, -V * np.cos(phi) / Ic ** 2, -V * np.sin(phi) / Ic],
                  [np.sin(phi) / Ic, -V * np.sin(phi) / Ic ** 2, V * np.cos(phi) / Ic],
                  [1 / Ic, -V / Ic ** 2, 0.0]])
    r = np.array([[1.0, r_VI, r_Vphi], [r_VI, 1.0, r_Iphi], [r_Vphi, r_Iphi, 1.0]])
    u = np.array([uV, uI, uphi])
    Cy = J @ (r * np.outer(u, u)) @ J.T
    return np.array([R, X, Z]), np.sqrt(np.diag(Cy))


def gum_h1_end_gauge(l_s, d, alpha_s, theta, dalpha, dtheta, u):
    # GUM H.1: l = l_s (1 + alpha_s theta) + d - l_s dalpha theta - l_s alpha_s dtheta (first
    # order), sensitivity coefficients written out, a budget dict of contributions
    length = l_s + d + l_s * (alpha_s * (-dtheta) - dalpha * theta)
    c = {"l_s": 1.0 + alpha_s * (-dtheta) - dalpha * theta,
         "d": 1.0,
         "alpha_s": -l_s * dtheta,
         "theta": -l_s * dalpha,
         "dalpha": -l_s * theta,
         "dtheta": -l_s * alpha_s}
    contrib = {k: abs(c[k]) * u[k] for k in c}
    uc = np.sqrt(sum(v ** 2 for v in contrib.values()))
    return length, uc, {k: (v / uc) ** 2 for k, v in contrib.items()}


def _model_power(x):
    # P = V^2 / R0 / (1 + alpha (T - T0))
    V, R0, alpha, T = x
    return V ** 2 / (R0 * (1 + alpha * (T - 20.0)))


def _model_flow(x):
    dp, rho, d, C = x
    return C * np.pi / 4 * d ** 2 * np.sqrt(2 * dp / rho)


MODELS = {"power": _model_power, "flow": _model_flow}


def fd_jacobian(f, x, rel=1e-6):
    # central differences, the step scaled to each input
    x = np.asarray(x, dtype=float)
    y0 = np.atleast_1d(f(x))
    J = np.zeros((y0.size, x.size))
    for i in range(x.size):
        h = rel * max(abs(x[i]), 1.0)
        xp = x.copy()
        xm = x.copy()
        xp[i] += h
        xm[i] -= h
        J[:, i] = (np.atleast_1d(f(xp)) - np.atleast_1d(f(xm))) / (2 * h)
    return J


def propagate_fd(x, u, model="power"):
    f = MODELS[model]
    J = fd_jacobian(f, x)
    uy = np.sqrt(J ** 2 @ u ** 2)
    return f(x), uy, (J * u) ** 2 / uy ** 2


def fd_jacobian_eye(f, x, h=1e-7):
    # forward differences by rows of the identity, the usual lab-script shortcut
    n = x.size
    f0 = f(x)
    E = np.eye(n) * h
    return np.array([(f(x + E[i]) - f0) / h for i in range(n)]).T


def _two_outputs(x):
    return np.array([x[0] * x[1] / x[2], np.log(x[0]) + x[1] ** 2])


def propagate_fd_eye_corr(x, C):
    J = fd_jacobian_eye(_two_outputs, x)
    return _two_outputs(x), J @ C @ J.T


def complex_step_sensitivities(x, h=1e-20):
    # complex-step derivatives of the power model: exact to round-off
    n = x.size
    c = np.empty(n)
    for i in range(n):
        xc = x.astype(complex)
        xc[i] += 1j * h
        c[i] = _model_power(xc).imag / h
    return c


def second_order_gum(x, u, model="flow", h=1e-4):
    # GUM 5.1.2 note: the second-order terms for uncorrelated inputs, Hessian by differences
    f = MODELS[model]
    n = len(x)
    c = fd_jacobian(f, x)[0]
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei = np.zeros(n)
            ej = np.zeros(n)
            ei[i] = h * x[i]
            ej[j] = h * x[j]
            H[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4 * ei[i] * ej[j])
    u2 = np.sum((c * u) ** 2) + np.sum(0.5 * H ** 2 * np.outer(u ** 2, u ** 2))
    return np.sqrt(u2)


def monte_carlo_power(mu, u, M=20000, seed=1):
    # GUM Supplement 1: draws of the inputs, the model on all of them, percentile interval
    rng = np.random.default_rng(seed)
    X = rng.normal(mu, u, size=(M, len(mu)))
    y = _model_power(X.T)
    lo, hi = np.percentile(y, [2.5, 97.5])
    return y.mean(), y.std(ddof=1), lo, hi


def monte_carlo_correlated(mu, C, M=5000, seed=2):
    rng = np.random.default_rng(seed)
    X = rng.multivariate_normal(mu, C, size=M, method="cholesky")
    y = X[:, 0] * X[:, 1] / X[:, 2]
    return np.mean(y), np.std(y, ddof=1), np.quantile(y, [0.025, 0.975])


def monte_carlo_cholesky(mu, C, rng, M=4000):
    L = np.linalg.cholesky(C)
    Z = rng.standard_normal((len(mu), M))
    X = mu[:, None] + L @ Z
    y = X[0] ** 2 / X[1]
    return y.mean(), y.std(ddof=1)


def monte_carlo_mixed_pdfs(l0, a_rect, a_tri, a_arc, M=10000, seed=3):
    # GUM S1 distributions: rectangular, triangular, arcsine (U-shaped) for a cyclic
    # temperature
    rng = np.random.default_rng(seed)
    rect = rng.uniform(-a_rect, a_rect, M)
    tri = rng.triangular(-a_tri, 0.0, a_tri, M)
    arc = a_arc * np.sin(2 * np.pi * rng.random(M))
    y = l0 * (1 + 11.5e-6 * arc) + rect + tri
    return y.mean(), y.std(ddof=1), np.percentile(y, [2.5, 97.5])


def shortest_coverage_interval(y, p=0.95):
    # GUM S1 7.7: the shortest interval containing a fraction p of the sorted draws
    ys = np.sort(y)
    M = len(ys)
    q = int(p * M)
    widths = ys[q:] - ys[:M - q]
    r = np.argmin(widths)
    return ys[r], ys[r + q]


def mc_shortest_interval(mu, u, M=4000, seed=4):
    rng = np.random.default_rng(seed)
    x = rng.normal(mu, u, (M, 2))
    y = x[:, 0] ** 2 + np.exp(x[:, 1])
    return shortest_coverage_interval(y)


def welch_satterthwaite(c, u, nu, p=0.95):
    uc = np.sqrt(np.sum((c * u) ** 2))
    nu_eff = uc ** 4 / np.sum((c * u) ** 4 / nu)
    k = scipy.stats.t.ppf((1 + p) / 2, nu_eff)
    return uc, nu_eff, k * uc


def welch_satterthwaite_floor(c, u, nu):
    # table lookup style: the effective dof truncated to an integer before t
    uc = np.sqrt(np.sum((c * u) ** 2))
    nu_eff = np.floor(uc ** 4 / np.sum((c * u) ** 4 / nu))
    return uc, scipy.stats.t.ppf(0.975, nu_eff)


BUDGET_COMPONENTS = ("repeatability", "calibration", "resolution", "temperature")


def uncertainty_budget(readings, u_cal, resolution, dT, alpha=1.1e-5):
    # a budget as a dict of components (value, divisor, sensitivity), Type A from readings
    n = readings.size
    budget = {
        "repeatability": (readings.std(ddof=1) / np.sqrt(n), 1.0, 1.0),
        "calibration": (u_cal, 2.0, 1.0),
        "resolution": (resolution / 2, np.sqrt(3), 1.0),
        "temperature": (dT, np.sqrt(3), alpha * readings.mean()),
    }
    u = {k: v / d * c for k, (v, d, c) in budget.items()}
    uc = np.sqrt(np.sum([u[k] ** 2 for k in BUDGET_COMPONENTS]))
    share = {k: 100 * u[k] ** 2 / uc ** 2 for k in BUDGET_COMPONENTS}
    return readings.mean(), uc, 2 * uc, share


def relative_quadrature(values, u):
    # product/quotient rule: relative uncertainties in quadrature
    rel = u / np.abs(values)
    q = values[0] * values[1] / values[2] ** 2
    rel_q = np.sqrt(rel[0] ** 2 + rel[1] ** 2 + (2 * rel[2]) ** 2)
    return q, q * rel_q


def corr_from_cov(C):
    d = 1.0 / np.sqrt(np.diag(C))
    return d[:, None] * C * d[None, :]


def prediction_variance(X, beta, C):
    # x_i^T C x_i for each row by einsum
    y = X @ beta
    v = np.einsum("ij,jk,ik->i", X, C, X)
    return y, np.sqrt(v)


def type_a_rows(R):
    # repeated readings in rows: mean, experimental standard deviation of the mean, dof
    n = R.shape[1]
    return R.mean(axis=1), R.std(axis=1, ddof=1) / np.sqrt(n), np.full(R.shape[0], n - 1)


def pooled_std(groups):
    num = sum((len(g) - 1) * np.var(g, ddof=1) for g in groups)
    den = sum(len(g) - 1 for g in groups)
    return np.sqrt(num / den), den


def two_input_correlated(x1, x2, u1, u2, r):
    # y = x1 / x2 with a correlation r between them
    y = x1 / x2
    c1, c2 = 1 / x2, -x1 / x2 ** 2
    uy = np.sqrt(c1 ** 2 * u1 ** 2 + c2 ** 2 * u2 ** 2 + 2 * c1 * c2 * r * u1 * u2)
    return y, uy


def propagate_batched_jacobians(X, U):
    # many measurements at once: J for each row, U_y by matmul of stacks
    a, b = X[:, 0], X[:, 1]
    J = np.stack([np.stack([b, a], -1), np.stack([1 / b, -a / b ** 2], -1)], axis=1)
    Cx = U[:, :, None] * U[:, None, :] * np.array([[1.0, 0.3], [0.3, 1.0]])
    Cy = J @ Cx @ np.swapaxes(J, -1, -2)
    return np.sqrt(np.diagonal(Cy, axis1=1, axis2=2))


def mc_float32_draws(mu, u, seed=6, M=3000):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((M, mu.size), dtype=np.float32) * u.astype(np.float32) + \
        mu.astype(np.float32)
    y = x[:, 0] / x[:, 1]
    return y.mean(), y.std(), y.dtype


def _corr(seed, k):
    A = _f(k, k + 2, seed=seed)
    C = A @ A.T + k * np.eye(k)
    d = 1 / np.sqrt(np.diag(C))
    return d[:, None] * C * d[None, :]


def _spd(seed, k, scale=1.0):
    A = _f(k, k + 2, seed=seed)
    return scale * (A @ A.T / (k + 2) + np.eye(k))


PROPAGATION = {
    "linear_outer_J_C_JT": (propagate_linear, {}, lambda s, n: (
        _f(2, n, seed=s), _pos(s, n, lo=0.1, hi=1), _corr(s, n))),
    "gum_h2_impedance": (gum_h2_impedance, {}, lambda s, n: (
        4.9990 + 0.001 * s, 19.6610e-3, 1.04446, 3.2e-3, 9.5e-6, 7.5e-4,
        -0.36, 0.86, -0.65)),
    "gum_h1_end_gauge_budget_dict": (gum_h1_end_gauge, {}, lambda s, n: (
        50.000623, 215e-6 * s, 11.5e-6, -0.1, 0.0, 0.0,
        {"l_s": 25e-6, "d": 9.7e-6, "alpha_s": 1.2e-6, "theta": 0.41, "dalpha": 0.58e-6,
         "dtheta": 0.029})),
    "fd_jacobian_model_dict_power": (propagate_fd, {"model": "power"}, lambda s, n: (
        np.array([10.0 + s, 50.0, 4e-3, 25.0]), np.array([0.01, 0.05, 1e-4, 0.5]))),
    "fd_jacobian_model_dict_flow": (propagate_fd, {"model": "flow"}, lambda s, n: (
        np.array([1.2e4 + s, 998.0, 0.05, 0.61]), np.array([50.0, 0.5, 1e-4, 0.005]))),
    "fd_jacobian_eye_rows": (propagate_fd_eye_corr, {}, lambda s, n: (
        np.array([2.0 + s, 3.0, 1.5]), _spd(s, 3, 0.01))),
    "complex_step_sensitivities": (complex_step_sensitivities, {}, lambda s, n: (
        np.array([10.0 + s, 50.0, 4e-3, 25.0]),)),
    "second_order_hessian_fd": (second_order_gum, {}, lambda s, n: (
        np.array([1.2e4 + s, 998.0, 0.05, 0.61]), np.array([500.0, 5.0, 1e-3, 0.05]))),
    "monte_carlo_percentile": (monte_carlo_power, {"M": 5000}, lambda s, n: (
        np.array([10.0 + s, 50.0, 4e-3, 25.0]), np.array([0.1, 0.5, 1e-4, 0.5]))),
    "monte_carlo_multivariate_normal": (monte_carlo_correlated, {"M": 3000}, lambda s, n: (
        np.array([2.0 + s, 3.0, 5.0]), _spd(s, 3, 0.01))),
    "monte_carlo_cholesky_generator_arg": (monte_carlo_cholesky, {"M": 2000}, lambda s, n: (
        np.array([3.0 + s, 5.0]), _spd(s, 2, 0.01), np.random.default_rng(s))),
    "monte_carlo_rect_tri_arcsine": _Xfail(
        "rng.triangular(-a, 0.0, a, M) of a traced float raises UnsupportedFunctionError "
        "('left > mode') where NumPy draws (triangular(lo, mode, hi) of three traced floats "
        "traces)", monte_carlo_mixed_pdfs, {"M": 4000}, lambda s, n: (
            50.0 + 0.001 * s, 1e-4, 2e-4, 0.5)),
    "monte_carlo_shortest_interval": (mc_shortest_interval, {"M": 3000}, lambda s, n: (
        np.array([1.0 + s, 0.5]), np.array([0.2, 0.3]))),
    "welch_satterthwaite_t_ppf": (welch_satterthwaite, {}, lambda s, n: (
        _pos(s, n, lo=0.5, hi=2), _pos(s + 1, n, lo=0.1, hi=1), 1.0 + _i(10, n, seed=s))),
    "welch_satterthwaite_floor_t": (welch_satterthwaite_floor, {}, lambda s, n: (
        _pos(s, n, lo=0.5, hi=2), _pos(s + 1, n, lo=0.1, hi=1), 2.0 + _i(10, n, seed=s))),
    "uncertainty_budget_dict": (uncertainty_budget, {}, lambda s, n: (
        100 + 0.01 * _f(2 * n, seed=s), 0.02, 0.01, 0.5)),
    "relative_quadrature": (relative_quadrature, {}, lambda s, n: (
        _pos(s, 3), _pos(s + 1, 3, lo=0.01, hi=0.1))),
    "corr_from_cov": (corr_from_cov, {}, lambda s, n: (_spd(s, n),)),
    "prediction_variance_einsum": (prediction_variance, {}, lambda s, n: (
        np.vander(np.linspace(0, 1, 3 * n), 3), _f(3, seed=s), _spd(s, 3, 0.01))),
    "type_a_readings_rows": (type_a_rows, {}, lambda s, n: (
        10 + 0.1 * _f(n, 5, seed=s),)),
    "pooled_std_list_of_groups": (pooled_std, {}, lambda s, n: (
        [_f(n, seed=s), _f(n + 2, seed=s + 1) * 2, _f(3, seed=s + 2)],)),
    "two_inputs_correlated": (two_input_correlated, {}, lambda s, n: (
        _pos(s, 2 * n), _pos(s + 1, 2 * n), _pos(s, 2 * n, lo=0.01, hi=0.1),
        _pos(s + 2, 2 * n, lo=0.01, hi=0.1), 0.4)),
    "batched_jacobians_matmul": (propagate_batched_jacobians, {}, lambda s, n: (
        _pos(s, 2 * n, 2), _pos(s + 1, 2 * n, 2, lo=0.01, hi=0.1))),
    "mc_float32_standard_normal": (mc_float32_draws, {"M": 2000}, lambda s, n: (
        np.array([5.0 + s, 2.0]), np.array([0.1, 0.05]))),
}


@pytest.mark.parametrize("name", _names(PROPAGATION))
def test_uncertainty_propagation_matches_numpy(name):
    """J C J^T with `np.outer` covariances, GUM H.1/H.2, finite-difference, complex-step and
    second-order propagation, Monte Carlo (normal, multivariate, Cholesky, rectangular,
    triangular, arcsine, shortest interval), Welch-Satterthwaite with `t.ppf` and budgets as
    dicts: NumPy's values."""
    check_like_numpy(*PROPAGATION[name])


# ===================================================== combining measurements and fitting


def weighted_mean_errors(x, sigma):
    # the physics-lab weighted mean: internal and external errors, Birge ratio
    w = 1.0 / sigma ** 2
    xbar = np.sum(w * x) / np.sum(w)
    s_int = 1.0 / np.sqrt(np.sum(w))
    chi2 = np.sum(w * (x - xbar) ** 2)
    n = len(x)
    birge = np.sqrt(chi2 / (n - 1))
    s_ext = s_int * birge
    return xbar, s_int, s_ext, birge


def pdg_scale_factor(x, sigma):
    # PDG: scale the error by S = sqrt(chi2/(N-1)) when S > 1
    w = sigma ** -2.0
    mean = np.average(x, weights=w)
    err = np.sum(w) ** -0.5
    S = np.sqrt(np.sum(((x - mean) / sigma) ** 2) / (x.size - 1))
    return mean, err * np.maximum(S, 1.0), S


def weighted_mean_columns(X, S):
    # several quantities at once: columns of measurements, rows of labs
    W = S ** -2
    m = (W * X).sum(axis=0) / W.sum(axis=0)
    pulls = (X - m) / S
    return m, W.sum(axis=0) ** -0.5, pulls


def chi2_line_fit_lstsq(x, y, sigma):
    # straight line by weighted least squares: design matrix scaled by 1/sigma
    A = np.vstack([x, np.ones_like(x)]).T
    Aw = A / sigma[:, None]
    coef, res, rank, sv = np.linalg.lstsq(Aw, y / sigma, rcond=None)
    cov = np.linalg.inv(Aw.T @ Aw)
    chi2 = np.sum(((y - A @ coef) / sigma) ** 2)
    dof = len(x) - 2
    cov_scaled = cov * chi2 / dof
    return coef, np.sqrt(np.diag(cov)), np.sqrt(np.diag(cov_scaled)), chi2 / dof, rank


def chi2_fit_pvalue(x, y, sigma, deg=2):
    A = np.vander(x, deg + 1)
    coef = np.linalg.lstsq(A / sigma[:, None], y / sigma, rcond=None)[0]
    chi2 = np.sum(((y - A @ coef) / sigma) ** 2)
    dof = len(x) - (deg + 1)
    return coef, chi2, scipy.stats.chi2.sf(chi2, dof)


def polyfit_cov_unscaled(x, y, sigma):
    p, C = np.polyfit(x, y, 1, w=1 / sigma, cov="unscaled")
    p2, C2 = np.polyfit(x, y, 1, w=1 / sigma, cov=True)
    return p, np.sqrt(np.diag(C)), np.sqrt(np.diag(C2))


def bevington_line(x, y, sigma):
    # Bevington & Robinson eq. 6.12: sums and determinant written out
    w = 1 / sigma ** 2
    S, Sx, Sy = w.sum(), (w * x).sum(), (w * y).sum()
    Sxx, Sxy = (w * x * x).sum(), (w * x * y).sum()
    delta = S * Sxx - Sx ** 2
    a = (Sxx * Sy - Sx * Sxy) / delta
    b = (S * Sxy - Sx * Sy) / delta
    return a, b, np.sqrt(Sxx / delta), np.sqrt(S / delta), -Sx / np.sqrt(S * Sxx)


def curvature_matrix_fit(x, y, sigma, basis=("one", "x", "x2")):
    # Bevington's curvature matrix alpha_kl = sum f_k f_l / sigma^2, basis by name
    funcs = {"one": np.ones_like, "x": lambda t: t, "x2": lambda t: t ** 2,
             "sin": np.sin, "exp": lambda t: np.exp(-t)}
    F = np.array([funcs[b](x) for b in basis])                  # (k, n)
    alpha = np.einsum("kn,ln,n->kl", F, F, sigma ** -2)
    beta = F @ (y / sigma ** 2)
    eps = np.linalg.inv(alpha)
    a = eps @ beta
    return a, np.sqrt(np.diag(eps))


def york_fit(x, y, sx, sy, r=0.0, n_iter=10):
    # York et al. (2004): errors in both coordinates, fixed iteration count
    b = np.polyfit(x, y, 1)[0]
    wx, wy = 1 / sx ** 2, 1 / sy ** 2
    alpha = np.sqrt(wx * wy)
    for _ in range(n_iter):
        W = wx * wy / (wx + b ** 2 * wy - 2 * b * r * alpha)
        xbar = np.sum(W * x) / np.sum(W)
        ybar = np.sum(W * y) / np.sum(W)
        U, V = x - xbar, y - ybar
        beta = W * (U / wy + b * V / wx - (b * U + V) * r / alpha)
        b = np.sum(W * beta * V) / np.sum(W * beta * U)
    a = ybar - b * xbar
    xadj = xbar + beta
    u = xadj - np.sum(W * xadj) / np.sum(W)
    sb = np.sqrt(1 / np.sum(W * u ** 2))
    sa = np.sqrt(1 / np.sum(W) + (xbar + beta.mean()) ** 2 * sb ** 2)
    return a, b, sa, sb


def deming_regression(x, y, delta=1.0):
    n = len(x)
    mx, my = x.mean(), y.mean()
    sxx = np.sum((x - mx) ** 2) / (n - 1)
    syy = np.sum((y - my) ** 2) / (n - 1)
    sxy = np.sum((x - mx) * (y - my)) / (n - 1)
    b = (syy - delta * sxx + np.sqrt((syy - delta * sxx) ** 2 + 4 * delta * sxy ** 2)) / (2 * sxy)
    return my - b * mx, b


def blue_combination(x, C):
    # best linear unbiased estimate of correlated measurements of one quantity
    Ci = np.linalg.inv(C)
    one = np.ones(len(x))
    lam = Ci @ one / (one @ Ci @ one)
    return lam @ x, np.sqrt(lam @ C @ lam), lam


def blue_solve(x, u, rho):
    # correlation matrix with one common rho, solve rather than inv
    n = len(x)
    R = np.full((n, n), rho)
    np.fill_diagonal(R, 1.0)
    C = R * np.outer(u, u)
    e = np.ones(n)
    Cie = np.linalg.solve(C, e)
    return Cie @ x / (e @ Cie), 1 / np.sqrt(e @ Cie)


def round_sigfigs_vectorised(x, u, sig=2):
    # round the uncertainty to `sig` significant figures and the value to the same decimal
    exponent = np.floor(np.log10(np.abs(u)))
    factor = 10.0 ** (exponent - sig + 1)
    return np.round(x / factor) * factor, np.round(u / factor) * factor


def round_sigfigs_scalar(x, u, sig=2):
    # the usual report helper: decimals from the uncertainty, then np.round(value, decimals)
    decimals = sig - 1 - int(np.floor(np.log10(abs(u))))
    return np.round(x, decimals), np.round(u, decimals)


def round_to_decimals_array(x, u):
    d = (1 - np.floor(np.log10(u))).astype(int)
    return np.array([np.round(xi, di) for xi, di in zip(x, d)])


UNITS = {"m": 1.0, "cm": 1e-2, "mm": 1e-3, "um": 1e-6, "in": 0.0254, "ft": 0.3048}
PRESSURE = {"Pa": 1.0, "kPa": 1e3, "bar": 1e5, "psi": 6894.757, "mmHg": 133.322,
            "atm": 101325.0}


def convert(values, u, src="in", dst="mm", table="length"):
    t = UNITS if table == "length" else PRESSURE
    f = t[src] / t[dst]
    return values * f, u * f


def convert_all(readings, units):
    # readings: dict name -> (array, unit); everything into Pa
    return {k: v * PRESSURE[units[k]] for k, v in readings.items()}


def chauvenet_mean(x):
    # Chauvenet's criterion, the rejected points dropped by weights instead of a selection
    n = len(x)
    m, s = x.mean(), x.std(ddof=1)
    prob = n * scipy.special.erfc(np.abs(x - m) / (np.sqrt(2) * s))
    keep = prob >= 0.5
    return np.sum(x * keep) / keep.sum(), keep


def sigma_clip_rounds(x, sigma, rounds=3, k=2.5):
    # iterative clipping with a fixed number of rounds, the mask carried along
    mask = np.ones(x.shape, dtype=bool)
    for _ in range(rounds):
        w = np.where(mask, 1 / sigma ** 2, 0.0)
        m = np.sum(w * x) / np.sum(w)
        mask = np.abs(x - m) < k * sigma
    return m, mask.sum()


def pendulum_g(L, T, uL, uT):
    # g = 4 pi^2 L / T^2 from the mean period of repeated timings
    Tm = T.mean(axis=-1)
    uTm = np.maximum(T.std(axis=-1, ddof=1) / np.sqrt(T.shape[-1]), uT)
    g = 4 * np.pi ** 2 * L / Tm ** 2
    ug = g * np.sqrt((uL / L) ** 2 + (2 * uTm / Tm) ** 2)
    return g, ug


def confidence_band(x, y, xg, alpha=0.05):
    # OLS line with its confidence and prediction bands at grid points, t from scipy
    X = np.column_stack([np.ones_like(x), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    n, p = X.shape
    resid = y - X @ beta
    s2 = resid @ resid / (n - p)
    C = s2 * np.linalg.inv(X.T @ X)
    G = np.column_stack([np.ones_like(xg), xg])
    se = np.sqrt(np.sum(G @ C * G, axis=1))
    t = scipy.stats.t.ppf(1 - alpha / 2, n - p)
    yg = G @ beta
    return yg - t * se, yg + t * se, yg + t * np.sqrt(se ** 2 + s2)


def normalised_residual_hist(x, sigma, bins=6):
    m = np.average(x, weights=sigma ** -2)
    r = (x - m) / sigma
    h, edges = np.histogram(r, bins=bins, range=(-3, 3))
    expected = len(x) * np.diff(scipy.stats.norm.cdf(edges))
    return h, expected


def _line(seed, n, sig=0.1):
    x = np.linspace(0, 10, n)
    s = _pos(seed, n, lo=0.5 * sig, hi=1.5 * sig)
    return x, 2.0 + 0.5 * x + s * _f(n, seed=seed + 1), s


FITS = {
    "weighted_mean_birge": (weighted_mean_errors, {}, lambda s, n: (
        10 + 0.1 * _f(2 * n, seed=s), _pos(s, 2 * n, lo=0.05, hi=0.2))),
    "pdg_scale_factor_maximum": (pdg_scale_factor, {}, lambda s, n: (
        10 + 0.3 * s * _f(2 * n, seed=s), _pos(s, 2 * n, lo=0.05, hi=0.2))),
    "weighted_mean_columns_pulls": (weighted_mean_columns, {}, lambda s, n: (
        _f(n, 3, seed=s), _pos(s, n, 3, lo=0.1, hi=1))),
    "chi2_line_lstsq_cov_scaled": (chi2_line_fit_lstsq, {}, lambda s, n: (*_line(s, 3 * n),)),
    "chi2_poly_fit_chi2_sf": (chi2_fit_pvalue, {"deg": 2}, lambda s, n: (*_line(s, 3 * n),)),
    "polyfit_w_cov_unscaled": (polyfit_cov_unscaled, {}, lambda s, n: (*_line(s, 3 * n),)),
    "bevington_line_sums": (bevington_line, {}, lambda s, n: (*_line(s, 3 * n),)),
    "curvature_matrix_basis_names": (curvature_matrix_fit, {"basis": ("one", "x", "sin")},
                                     lambda s, n: (*_line(s, 3 * n),)),
    "york_fit_fixed_iterations": (york_fit, {"n_iter": 8}, lambda s, n: (
        *_line(s, 3 * n)[:2], _pos(s, 3 * n, lo=0.05, hi=0.2), _line(s, 3 * n)[2], 0.2)),
    "deming_regression": (deming_regression, {}, lambda s, n: (*_line(s, 3 * n)[:2], 2.0)),
    "blue_correlated_inv": (blue_combination, {}, lambda s, n: (
        10 + 0.1 * _f(n, seed=s), 0.01 * _spd(s, n))),
    "blue_common_rho_solve": (blue_solve, {}, lambda s, n: (
        10 + 0.1 * _f(n, seed=s), _pos(s, n, lo=0.05, hi=0.2), 0.3)),
    "round_sigfigs_vectorised": (round_sigfigs_vectorised, {"sig": 2}, lambda s, n: (
        _pos(s, 2 * n, lo=1, hi=1000) + 0.123456, _pos(s + 1, 2 * n, lo=0.013, hi=0.087))),
    "unit_table_dict_static_names": (convert, {"src": "in", "dst": "mm"}, lambda s, n: (
        _pos(s, n), _pos(s + 1, n, lo=0.001, hi=0.01))),
    "unit_table_pressure": (convert, {"src": "psi", "dst": "kPa", "table": "p"},
                            lambda s, n: (_pos(s, n), _pos(s + 1, n, lo=0.001, hi=0.01))),
    "unit_dict_of_readings": (convert_all, {}, lambda s, n: (
        {"inlet": _pos(s, n), "outlet": _pos(s + 1, n), "ambient": np.float64(1.0 + s)},
        {"inlet": "bar", "outlet": "psi", "ambient": "atm"})),
    "chauvenet_erfc_weights": (chauvenet_mean, {}, lambda s, n: (
        np.r_[10 + 0.1 * _f(4 * n, seed=s), 12.0],)),
    "sigma_clip_fixed_rounds": (sigma_clip_rounds, {"rounds": 3}, lambda s, n: (
        np.r_[10 + 0.1 * _f(4 * n, seed=s), 11.5 + 0.1 * s],
        np.full(4 * n + 1, 0.1))),
    "pendulum_g_repeated_timings": (pendulum_g, {}, lambda s, n: (
        np.array([0.5, 0.75, 1.0]), 2 * np.pi * np.sqrt(np.array([0.5, 0.75, 1.0])
                                                     / 9.81)[:, None]
        + 0.01 * _f(3, n, seed=s), 0.001, 0.005)),
    "confidence_band_t_ppf": (confidence_band, {}, lambda s, n: (
        *_line(s, 3 * n)[:2], np.linspace(-1, 11, 5))),
    "normalised_residual_histogram": (normalised_residual_hist, {}, lambda s, n: (
        10 + 0.1 * _f(6 * n, seed=s), _pos(s, 6 * n, lo=0.05, hi=0.2))),
}


@pytest.mark.parametrize("name", _names(FITS))
def test_combining_and_fitting_match_numpy(name):
    """Weighted means with internal/external errors and the Birge ratio, PDG scale factors,
    chi-square fits by lstsq/polyfit/curvature matrices with scaled covariances, York and
    Deming fits, BLUE, significant-figure rounding, unit tables and clipping: NumPy's
    values."""
    check_like_numpy(*FITS[name])


# ============================================= calibration, Allan deviation, interlaboratory


def inverse_prediction(x, y, y0, k=3, p=0.95):
    # calibration line, then x0 from k replicate responses y0 and its interval (Miller &
    # Miller's formula, t from scipy)
    n = len(x)
    b, a = np.polyfit(x, y, 1)
    yhat = a + b * x
    s_yx = np.sqrt(np.sum((y - yhat) ** 2) / (n - 2))
    y0m = np.mean(y0)
    x0 = (y0m - a) / b
    Sxx = np.sum((x - x.mean()) ** 2)
    s_x0 = s_yx / b * np.sqrt(1 / k + 1 / n + (y0m - y.mean()) ** 2 / (b ** 2 * Sxx))
    t = scipy.stats.t.ppf((1 + p) / 2, n - 2)
    return x0, s_x0, (x0 - t * s_x0, x0 + t * s_x0)


def calibration_linregress(x, y, y_unknown):
    res = scipy.stats.linregress(x, y)
    x_unknown = (y_unknown - res.intercept) / res.slope
    return x_unknown, res.rvalue ** 2, res.stderr, res.intercept_stderr


def weighted_calibration(x, y):
    # 1/x^2 weighting for a heteroscedastic calibration, the normal equations solved
    w = 1 / x ** 2
    X = np.column_stack([np.ones_like(x), x])
    XtW = X.T * w
    beta = np.linalg.solve(XtW @ X, XtW @ y)
    r = y - X @ beta
    s2 = np.sum(w * r ** 2) / (len(x) - 2)
    return beta, np.sqrt(np.diag(s2 * np.linalg.inv(XtW @ X)))


def standard_additions(added, signal):
    # the x-intercept of the standard-additions line and its standard error
    n = len(added)
    b, a = np.polyfit(added, signal, 1)
    s_yx = np.sqrt(np.sum((signal - (a + b * added)) ** 2) / (n - 2))
    x_e = a / b
    s_xe = s_yx / b * np.sqrt(1 / n + signal.mean() ** 2 / (b ** 2 * np.sum(
        (added - added.mean()) ** 2)))
    return x_e, s_xe


def calibration_quadratic_inverse(x, y, y0):
    # quadratic calibration, inverse by the root of the quadratic in range
    c2, c1, c0 = np.polyfit(x, y, 2)
    disc = c1 ** 2 - 4 * c2 * (c0 - y0)
    return (-c1 + np.sqrt(disc)) / (2 * c2)


def allan_deviation_blocks(y, taus=(1, 2, 4)):
    # non-overlapping Allan deviation of fractional-frequency data, blocks by reshape
    out = []
    for m in taus:
        k = len(y) // m
        yb = y[:k * m].reshape(k, m).mean(axis=1)
        out.append(np.sqrt(0.5 * np.mean(np.diff(yb) ** 2)))
    return np.array(out)


def allan_overlapping_phase(x, tau0=1.0, ms=(1, 2, 3)):
    # overlapping ADEV from phase data: second differences at stride m
    N = len(x)
    adev = np.zeros(len(ms))
    for i, m in enumerate(ms):
        d = x[2 * m:] - 2 * x[m:N - m] + x[:N - 2 * m]
        adev[i] = np.sqrt(np.sum(d ** 2) / (2 * (m * tau0) ** 2 * (N - 2 * m)))
    return np.array(ms) * tau0, adev


def allan_cumsum(y, ms=(1, 2, 4, 8)):
    # phase by cumsum of frequency, then the overlapping estimator
    x = np.concatenate([[0.0], np.cumsum(y)])
    return allan_overlapping_phase(x, 1.0, ms)[1]


def modified_allan(x, tau0=1.0, ms=(1, 2, 3)):
    N = len(x)
    res = []
    for m in ms:
        d = x[2 * m:] - 2 * x[m:N - m] + x[:N - 2 * m]
        s = np.convolve(d, np.ones(m), mode="valid")
        res.append(np.sqrt(np.mean(s ** 2) / (2 * m ** 2 * (m * tau0) ** 2)))
    return np.array(res)


def hadamard_deviation(y, ms=(1, 2)):
    out = np.empty(len(ms))
    for j, m in enumerate(ms):
        k = len(y) // m
        yb = y[:k * m].reshape(k, m).mean(1)
        d3 = yb[2:] - 2 * yb[1:-1] + yb[:-2]
        out[j] = np.sqrt(np.mean(d3 ** 2) / 6)
    return out


def allan_octaves(y, n_oct=3):
    # taus 1, 2, 4, ... made from np.logspace and cast to int
    ms = np.logspace(0, n_oct - 1, n_oct, base=2).astype(int)
    return allan_deviation_blocks(y, tuple(int(m) for m in ms))


def youden_stats(a, b):
    # Youden's two-sample plot: the medians, and random/systematic components
    ma, mb = np.median(a), np.median(b)
    d = a - b
    t = a + b
    s_r = np.std(d, ddof=1) / np.sqrt(2)        # random
    s_t = np.std(t, ddof=1) / np.sqrt(2)        # total
    s_sys = np.sqrt(np.maximum(s_t ** 2 - s_r ** 2, 0.0))
    angle = np.degrees(np.arctan2(np.sum((a - ma) * (b - mb)), np.sum((a - ma) ** 2)))
    return ma, mb, s_r, s_sys, angle


def youden_circle(a, b, p=0.95):
    # the 95% circle about the medians, radius from chi2 with 2 dof
    ma, mb = np.median(a), np.median(b)
    s = np.std(a - b, ddof=1) / np.sqrt(2)
    radius = s * np.sqrt(scipy.stats.chi2.ppf(p, 2))
    dist = np.hypot(a - ma, b - mb)
    return radius, dist > radius


def robust_z_scores(x):
    xpt = np.median(x)
    mad = np.median(np.abs(x - xpt))
    sigma = 1.483 * mad
    z = (x - xpt) / sigma
    return z, np.select([np.abs(z) <= 2, np.abs(z) < 3], [0, 1], 2)


def en_numbers(x_lab, U_lab, x_ref, U_ref):
    En = (x_lab - x_ref) / np.sqrt(U_lab ** 2 + U_ref ** 2)
    return En, np.abs(En) <= 1


def zeta_scores(x, u, X, uX):
    return (x - X) / np.sqrt(u ** 2 + uX ** 2)


def algorithm_a(x, n_iter=10):
    # ISO 13528 Algorithm A: winsorise at x* +- 1.5 s*, update with the 1.134 factor
    x_star = np.median(x)
    s_star = 1.483 * np.median(np.abs(x - x_star))
    for _ in range(n_iter):
        delta = 1.5 * s_star
        xc = np.clip(x, x_star - delta, x_star + delta)
        x_star = xc.mean()
        s_star = 1.134 * xc.std(ddof=1)
    return x_star, s_star, 1.25 * s_star / np.sqrt(len(x))


def mandel_h_k(data):
    # ISO 5725-2 Mandel's h (between-lab) and k (within-lab) statistics; rows are labs
    means = data.mean(axis=1)
    sds = data.std(axis=1, ddof=1)
    h = (means - means.mean()) / means.std(ddof=1)
    k = sds / np.sqrt(np.mean(sds ** 2))
    return h, k


def iso5725_precision(data):
    # repeatability and reproducibility from a one-way ANOVA of labs x replicates
    p, n = data.shape
    s_r2 = np.mean(data.var(axis=1, ddof=1))
    s_d2 = data.mean(axis=1).var(ddof=1)
    s_L2 = max(s_d2 - s_r2 / n, 0.0)
    s_R = np.sqrt(s_L2 + s_r2)
    return {"s_r": np.sqrt(s_r2), "s_L": np.sqrt(s_L2), "s_R": s_R,
            "r": 2.8 * np.sqrt(s_r2), "R": 2.8 * s_R}


def iso5725_np_maximum(data):
    p, n = data.shape
    s_r2 = np.mean(data.var(axis=1, ddof=1))
    s_L2 = np.maximum(data.mean(axis=1).var(ddof=1) - s_r2 / n, 0.0)
    return np.sqrt(s_r2), np.sqrt(s_L2 + s_r2)


def cochran_grubbs(data):
    # Cochran's C on the lab variances, Grubbs' single statistics on the lab means
    v = data.var(axis=1, ddof=1)
    C = v.max() / v.sum()
    m = data.mean(axis=1)
    s = m.std(ddof=1)
    G_hi = (m.max() - m.mean()) / s
    G_lo = (m.mean() - m.min()) / s
    return C, G_hi, G_lo, np.argmax(np.abs(m - m.mean()))


def grubbs_critical(x, alpha=0.05):
    n = len(x)
    t = scipy.stats.t.ppf(1 - alpha / (2 * n), n - 2)
    G_crit = (n - 1) / np.sqrt(n) * np.sqrt(t ** 2 / (n - 2 + t ** 2))
    G = np.max(np.abs(x - x.mean())) / x.std(ddof=1)
    return G, G_crit, G > G_crit


def huber_location(x, k=1.5, n_iter=20):
    # Huber's M-estimator (ISO 13528 "H15"), fixed iterations with MAD scale
    mu = np.median(x)
    s = 1.4826 * np.median(np.abs(x - mu))
    for _ in range(n_iter):
        r = (x - mu) / s
        w = np.minimum(1.0, k / np.maximum(np.abs(r), 1e-12))
        mu = np.sum(w * x) / np.sum(w)
    return mu


def pt_report(results, assigned, sigma_pt):
    # a proficiency-test report: dict of lab name -> result, scores into a dict of dicts
    report = {}
    for lab, x in results.items():
        z = (x - assigned) / sigma_pt
        report[lab] = {"z": z, "flag": np.where(np.abs(z) >= 3, 2, np.where(np.abs(z) > 2,
                                                                              1, 0))}
    return report


def float32_lab_data(data):
    # lab files read as float32
    d = data.astype(np.float32)
    m = d.mean(axis=1)
    return m, d.std(axis=1, ddof=1), np.median(m)


def _labs(seed, p, n=3):
    r = np.random.default_rng(seed)
    return 10 + r.normal(0, 0.2, (p, 1)) + r.normal(0, 0.1, (p, n))


CALIBRATION = {
    "inverse_prediction_t_ppf": (inverse_prediction, {"k": 3}, lambda s, n: (
        *_line(s, 2 * n)[:2], 4.0 + 0.1 * _f(3, seed=s))),
    "calibration_scipy_linregress": (calibration_linregress, {}, lambda s, n: (
        *_line(s, 2 * n)[:2], _pos(s, 3, lo=3, hi=6))),
    "weighted_calibration_1_over_x2": (weighted_calibration, {}, lambda s, n: (
        np.linspace(1, 10, 2 * n), 0.5 + 2 * np.linspace(1, 10, 2 * n) * (
            1 + 0.02 * _f(2 * n, seed=s)))),
    "standard_additions": (standard_additions, {}, lambda s, n: (
        np.linspace(0, 10, n + 1), 3 + 0.8 * np.linspace(0, 10, n + 1)
        + 0.05 * _f(n + 1, seed=s))),
    "calibration_quadratic_inverse": (calibration_quadratic_inverse, {}, lambda s, n: (
        np.linspace(0, 5, 2 * n), 1 + 2 * np.linspace(0, 5, 2 * n) + 0.1 * np.linspace(
            0, 5, 2 * n) ** 2 + 0.01 * _f(2 * n, seed=s), _pos(s, 3, lo=3, hi=8))),
    "allan_blocks_reshape": (allan_deviation_blocks, {"taus": (1, 2, 4)}, lambda s, n: (
        _f(8 * n + 3, seed=s),)),
    "allan_overlapping_phase": (allan_overlapping_phase, {"ms": (1, 2, 3)}, lambda s, n: (
        np.cumsum(_f(8 * n, seed=s)), 0.5)),
    "allan_cumsum_frequency": (allan_cumsum, {}, lambda s, n: (_f(8 * n, seed=s),)),
    "modified_allan_convolve": (modified_allan, {"ms": (1, 2, 3)}, lambda s, n: (
        np.cumsum(_f(8 * n, seed=s)), 1.0)),
    "hadamard_deviation": (hadamard_deviation, {}, lambda s, n: (_f(8 * n, seed=s),)),
    "allan_octaves_logspace": (allan_octaves, {"n_oct": 3}, lambda s, n: (
        _f(8 * n, seed=s),)),
    "youden_stats_arctan2": (youden_stats, {}, lambda s, n: (
        *_youden(s, 3 * n),)),
    "youden_circle_chi2_ppf": (youden_circle, {}, lambda s, n: (*_youden(s, 3 * n),)),
    "robust_z_mad_select": (robust_z_scores, {}, lambda s, n: (
        np.r_[_distinct(s, 4 * n, 9, 11), 14.0, 5.0],)),
    "en_numbers": (en_numbers, {}, lambda s, n: (
        10 + 0.1 * _f(2 * n, seed=s), _pos(s, 2 * n, lo=0.05, hi=0.2), 10.0, 0.05)),
    "zeta_scores": (zeta_scores, {}, lambda s, n: (
        10 + 0.1 * _f(2 * n, seed=s), _pos(s, 2 * n, lo=0.05, hi=0.2), 10.02, 0.03)),
    "iso13528_algorithm_a": (algorithm_a, {"n_iter": 8}, lambda s, n: (
        np.r_[_distinct(s, 4 * n, 9, 11), 13.0 + s, 7.0],)),
    "mandel_h_k": (mandel_h_k, {}, lambda s, n: (_labs(s, 2 * n),)),
    "iso5725_precision_dict": (iso5725_precision, {}, lambda s, n: (_labs(s, 2 * n),)),
    "iso5725_np_maximum": (iso5725_np_maximum, {}, lambda s, n: (_labs(s, 2 * n, 4),)),
    "cochran_grubbs": (cochran_grubbs, {}, lambda s, n: (_labs(s, 2 * n),)),
    "grubbs_critical_t": (grubbs_critical, {}, lambda s, n: (
        np.r_[10 + 0.1 * _f(3 * n, seed=s), 10.5],)),
    "huber_h15_fixed_iterations": (huber_location, {"n_iter": 12}, lambda s, n: (
        np.r_[_distinct(s, 4 * n, 9, 11), 14.0],)),
    "pt_report_dict_of_dicts": (pt_report, {}, lambda s, n: (
        {"lab_a": 10.1 + 0.01 * s, "lab_b": np.float64(9.5), "lab_c": np.array(10.9 + s)},
        10.0, 0.2)),
    "float32_lab_files": (float32_lab_data, {}, lambda s, n: (_labs(s, 2 * n + 1),)),
}


def _youden(seed, p):
    r = np.random.default_rng(seed)
    sys = r.normal(0, 0.3, p)
    return 10 + sys + r.normal(0, 0.1, p), 12 + sys + r.normal(0, 0.1, p)


@pytest.mark.parametrize("name", _names(CALIBRATION))
def test_calibration_and_interlab_match_numpy(name):
    """Calibration curves with inverse prediction intervals, standard additions, Allan,
    modified Allan and Hadamard deviations, Youden statistics, robust z-scores, En and zeta
    numbers, Algorithm A, Mandel's h and k, ISO 5725 precision, Cochran and Grubbs, Huber:
    NumPy's values."""
    check_like_numpy(*CALIBRATION[name])


# ============================================================= missing data, sampling, misc


def nan_item_means(responses, w):
    # item nonresponse coded as NaN: weighted means over the respondents of each item
    ok = ~np.isnan(responses)
    r = np.where(ok, responses, 0.0)
    ww = w[:, None] * ok
    return (ww * r).sum(axis=0) / ww.sum(axis=0), ok.mean(axis=0)


def nan_lab_stats(data):
    # missing replicates as NaN in the labs x replicates table
    m = np.nanmean(data, axis=1)
    s = np.nanstd(data, axis=1, ddof=1)
    n = np.count_nonzero(~np.isnan(data), axis=1)
    return m, s, n, np.nanmedian(m)


def masked_weighted_average(x, w):
    xm = np.ma.masked_invalid(x)
    return np.ma.average(xm, weights=w, axis=0).filled(np.nan)


def mean_where_mask(x, w, valid):
    # NumPy >= 1.20: reductions with where=
    m = np.sum(w * x, where=valid) / np.sum(w, where=valid)
    return m, np.mean(x, where=valid), np.var(x, where=valid, ddof=1)


def var_with_given_mean(x, mu):
    # NumPy >= 2.0: var/std with a precomputed mean
    return np.var(x, axis=1, mean=mu, keepdims=False), np.std(x, axis=1, ddof=1, mean=mu)


def systematic_pps(size, n=4, seed=0):
    # systematic PPS selection: a random start on the cumulated sizes
    rng = np.random.default_rng(seed)
    cum = np.cumsum(size)
    interval = cum[-1] / n
    start = rng.uniform(0, interval)
    points = start + interval * np.arange(n)
    sel = np.searchsorted(cum, points, side="right")
    pi = n * size / cum[-1]
    return sel, pi[sel]


def capped_inclusion_probs(x, n=5, n_iter=4):
    # pi proportional to size, units with pi > 1 taken with certainty, the rest rescaled
    pi = n * x / x.sum()
    for _ in range(n_iter):
        certain = pi >= 1
        m = n - certain.sum()
        pi = np.where(certain, 1.0, m * x / np.sum(np.where(certain, 0.0, x)))
    return pi


def poisson_sample_indicator(pi, y, rng):
    # Poisson sampling as an indicator (fixed shape), HT estimate from the indicator
    s = rng.random(pi.size) < pi
    return np.sum(s * y / pi), s


def pps_with_replacement(size, y, rng, n=6):
    p = size / size.sum()
    draws = rng.choice(size.size, size=n, replace=True, p=p)
    return np.mean(y[draws] / p[draws])


def legacy_seed_bootstrap(x, B=50):
    # the notebook idiom: the global seed set at the top of the cell
    np.random.seed(42)
    idx = np.random.randint(0, len(x), (B, len(x)))
    return np.std(x[idx].mean(1), ddof=1)


def randomstate_mc(mu, u, M=2000):
    rs = np.random.RandomState(12345)
    x = rs.normal(mu, u, (M, len(mu)))
    y = x[:, 0] * np.exp(-x[:, 1])
    return y.mean(), y.std(ddof=1)


def mc_type_a_student_t(xbar, s, n, M=3000, seed=8):
    # GUM S1 6.4.9: a Type A input as a scaled and shifted t with n - 1 dof
    rng = np.random.default_rng(seed)
    x = xbar + s / np.sqrt(n) * rng.standard_t(n - 1, M)
    return x.mean(), x.std(ddof=1), np.percentile(x, [2.5, 97.5])


def mc_scipy_rvs(mu, u, rng, M=2000):
    a = scipy.stats.norm.rvs(loc=mu[0], scale=u[0], size=M, random_state=rng)
    b = scipy.stats.uniform.rvs(loc=mu[1] - u[1], scale=2 * u[1], size=M, random_state=rng)
    y = a / b
    return np.mean(y), np.std(y, ddof=1)


def mc_lognormal_gamma(rng, M=2000):
    k = rng.lognormal(mean=0.0, sigma=0.1, size=M)
    g = rng.gamma(shape=20.0, scale=0.05, size=M)
    return np.mean(k * g), np.quantile(k * g, [0.05, 0.95])


def t_interval_sem(x):
    m = np.mean(x)
    se = scipy.stats.sem(x)
    return scipy.stats.t.interval(0.95, len(x) - 1, loc=m, scale=se)


def norm_interval_coverage(y, uy, p=0.95):
    k = scipy.stats.norm.ppf((1 + p) / 2)
    lo, hi = scipy.stats.norm.interval(p, loc=y, scale=uy)
    return k, lo, hi


def robust_scipy_scale(x):
    return (scipy.stats.median_abs_deviation(x, scale="normal"),
            scipy.stats.iqr(x) / 1.349, scipy.stats.trim_mean(x, 0.1))


def income_brackets(income, w, cuts=(10.0, 30.0, 60.0)):
    b = np.digitize(income, cuts)
    share = np.bincount(b, weights=w, minlength=len(cuts) + 1) / w.sum()
    return b, share


def weighted_histogram_density(x, w, bins=5):
    h, e = np.histogram(x, bins=bins, range=(0, 10), weights=w, density=True)
    centres = 0.5 * (e[1:] + e[:-1])
    return h, np.sum(h * centres * np.diff(e))


def one_hot_calibration_margins(w, codes, targets, k=4, n_iter=5):
    # raking with dummy matrices from np.eye(k)[codes]
    D = np.eye(k)[codes]
    for _ in range(n_iter):
        est = w @ D
        w = w * (D @ (targets / est))
    return w


def raking_inplace_out(w, cell, pop, k=3):
    # the adjustment written into the caller's weights with out=
    est = np.bincount(cell, weights=w, minlength=k)
    np.multiply(w, (pop / est)[cell], out=w)
    w /= w.sum()
    w *= pop.sum()
    return est


def clip_weights_out(w, lo=0.5, hi=4.0):
    np.clip(w, lo, hi, out=w)
    return w.sum()


def copyto_imputation(x, donors, missing):
    # hot-deck imputation: donor values copied into the missing cells
    np.copyto(x, donors, where=missing)
    return x.mean()


def duplicate_index_add(tot, psu, z):
    # fancy += with repeated PSU indices: the buffered (last-write-wins) NumPy behaviour
    tot[psu] += z
    return tot


def reduceat_psu_totals(z, starts):
    return np.add.reduceat(z, starts)


def structured_lab_records(rec):
    # results as a structured array with fields value, unc
    w = 1 / rec["unc"] ** 2
    m = np.sum(w * rec["value"]) / np.sum(w)
    return m, (rec["value"] - m) / rec["unc"]


def apply_along_weighted_median(X, w):
    def wmed(col):
        i = np.argsort(col)
        c = np.cumsum(w[i])
        return col[i][np.searchsorted(c, 0.5 * c[-1])]
    return np.apply_along_axis(wmed, 0, X)


def take_along_sorted_weights(X, W):
    order = np.argsort(X, axis=0)
    xs = np.take_along_axis(X, order, axis=0)
    ws = np.take_along_axis(W, order, axis=0)
    cw = np.cumsum(ws, axis=0) / ws.sum(axis=0)
    return xs, cw


def lexsort_serpentine(region, size, y):
    # sort the frame by region then size before systematic selection
    order = np.lexsort((size, region))
    return y[order], np.cumsum(size[order])


def gls_cho_fit(x, y, C):
    # generalised least squares with a correlated covariance by Cholesky
    X = np.column_stack([np.ones_like(x), x])
    cf = scipy.linalg.cho_factor(C)
    CiX = scipy.linalg.cho_solve(cf, X)
    Ciy = scipy.linalg.cho_solve(cf, y)
    cov = np.linalg.inv(X.T @ CiX)
    beta = cov @ X.T @ Ciy
    r = y - X @ beta
    sign, logdet = np.linalg.slogdet(C)
    return beta, cov, r @ scipy.linalg.cho_solve(cf, r) + logdet


def polynomial_class_fit(x, y, sigma, deg=2):
    p = np.polynomial.Polynomial.fit(x, y, deg, w=1 / sigma)
    c = np.polynomial.polynomial.polyfit(x, y, deg, w=1 / sigma)
    return p.coef, p.domain, c, p(x.mean()), p.deriv()(x)


def polynomial_convert(x, y, deg=2):
    # the coefficients in the unscaled basis, for the lab report
    return np.polynomial.Polynomial.fit(x, y, deg).convert().coef


def polyval_band(p, C, x):
    # polynomial prediction and its standard uncertainty from the coefficient covariance
    V = np.vander(x, len(p))
    return np.polyval(p, x), np.sqrt(np.einsum("ij,jk,ik->i", V, C, V))


def thermocouple_table(emf, table_emf, table_T, u_emf):
    # temperature from a reference table by interpolation, sensitivity by the local slope
    T = np.interp(emf, table_emf, table_T)
    dTdE = np.interp(emf, table_emf, np.gradient(table_T, table_emf))
    return T, np.abs(dTdE) * u_emf


def kron_covariance(u_time, u_space, rho_t, rho_s):
    nt, ns = len(u_time), len(u_space)
    Rt = rho_t ** np.abs(np.subtract.outer(np.arange(nt), np.arange(nt)))
    Rs = rho_s ** np.abs(np.subtract.outer(np.arange(ns), np.arange(ns)))
    C = np.kron(np.outer(u_time, u_time) * Rt, np.outer(u_space, u_space) * Rs)
    return C, np.linalg.eigvalsh(C).min()


def joint_block_covariance(Cx, Cp, J_x, J_p):
    # inputs and fit parameters independent: a block covariance, one Jacobian
    Z = np.zeros((Cx.shape[0], Cp.shape[0]))
    C = np.block([[Cx, Z], [Z.T, Cp]])
    J = np.hstack([J_x, J_p])
    return J @ C @ J.T, scipy.linalg.block_diag(Cx, Cp) - C


def complex_impedance_gum_s2(Zr, Zi, C2):
    # GUM S2: a complex quantity as (real, imag), magnitude and phase propagated
    Z = Zr + 1j * Zi
    mag, ph = np.abs(Z), np.angle(Z)
    J = np.array([[Zr / mag, Zi / mag], [-Zi / mag ** 2, Zr / mag ** 2]])
    Cy = J @ C2 @ J.T
    return mag, ph, np.sqrt(np.diag(Cy)), np.conj(Z) * Z


def sliding_allan(y, m=3):
    w = np.lib.stride_tricks.sliding_window_view(y, m).mean(axis=1)
    d = w[m:] - w[:-m]
    return np.sqrt(0.5 * np.mean(d ** 2))


def timestamps_int64(ts_ns, v):
    # timestamps in integer nanoseconds from the logger, frequency from phase
    t = (ts_ns - ts_ns[0]) / 1e9
    dt = np.diff(t)
    return np.diff(v) / dt, t[-1]


def vectorize_arithmetic(x, u):
    def rel(a, b):
        return 100.0 * b / abs(a)
    return np.vectorize(rel)(x, u)


def piecewise_score_flags(z):
    return np.piecewise(z, [np.abs(z) <= 2, (np.abs(z) > 2) & (np.abs(z) < 3), np.abs(z) >= 3],
                        [0.0, 1.0, 2.0])


def partition_trimmed(x, k=2):
    p = np.partition(x, (k, len(x) - k - 1))
    return p[k:len(x) - k].mean(), p[k], p[len(x) - k - 1]


def cov_bias_corrcoef(X):
    return np.cov(X, bias=True), np.corrcoef(X, rowvar=False)


def percentile_methods(x):
    return (np.percentile(x, [5, 50, 95], method="median_unbiased"),
            np.quantile(x, 0.9, method="hazen"), np.nanpercentile(x, 25))


def lstsq_multi_rhs(x, Y):
    # one calibration design, several channels at once
    A = np.column_stack([np.ones_like(x), x, x ** 2])
    coef, res, rank, sv = np.linalg.lstsq(A, Y, rcond=None)
    return coef, res, sv


def rounding_float32(x):
    x32 = x.astype(np.float32)
    return np.round(x32, 2), np.around(x, 3), np.rint(x32 * 10) / 10


def _nan_table(seed, n, k=3):
    X = _f(n, k, seed=seed)
    miss = np.random.default_rng(seed).random((n, k)) < 0.3
    miss[:, :2] = False                      # two items always answered
    miss[0] = False
    X[miss] = np.nan
    return X


def _tc_table():
    T = np.linspace(0, 400, 9)
    E = 0.04 * T + 3e-5 * T ** 2
    return E, T


MISC = {
    "nan_item_means_weighted": (nan_item_means, {}, lambda s, n: (
        _nan_table(s, 3 * n), _pos(s, 3 * n))),
    "nanmean_nanstd_count_nonzero": (nan_lab_stats, {}, lambda s, n: (_nan_table(s, 2 * n),)),
    "np_ma_average_masked_invalid": (masked_weighted_average, {}, lambda s, n: (
        _nan_table(s, 3 * n), _pos(s, 3 * n))),
    "reductions_with_where": (mean_where_mask, {}, lambda s, n: (
        _f(4 * n, seed=s), _pos(s, 4 * n), np.r_[True, True, _u(s, 4 * n - 2) < 0.7])),
    "var_std_with_mean_kwarg": (var_with_given_mean, {}, lambda s, n: (
        _f(n, 5, seed=s), _f(n, 5, seed=s).mean(axis=1, keepdims=True))),
    "systematic_pps_searchsorted": (systematic_pps, {"n": 4, "seed": 3}, lambda s, n: (
        _pos(s, 5 * n),)),
    "capped_inclusion_probabilities": (capped_inclusion_probs, {"n": 5}, lambda s, n: (
        np.r_[_pos(s, 5 * n), 400.0 * s],)),
    "poisson_sampling_indicator": (poisson_sample_indicator, {}, lambda s, n: (
        _u(s, 5 * n) * 0.6 + 0.2, _pos(s, 5 * n), np.random.default_rng(s))),
    "pps_choice_with_p": (pps_with_replacement, {"n": 6}, lambda s, n: (
        _pos(s, 5 * n), _pos(s + 1, 5 * n), np.random.default_rng(s))),
    "legacy_np_random_seed": (legacy_seed_bootstrap, {"B": 40}, lambda s, n: (
        _f(4 * n, seed=s),)),
    "randomstate_normal": (randomstate_mc, {"M": 1000}, lambda s, n: (
        np.array([2.0 + s, 0.5]), np.array([0.1, 0.05]))),
    "mc_standard_t_type_a": (mc_type_a_student_t, {"M": 2000}, lambda s, n: (
        10.0 + s, 0.2, n)),
    "mc_scipy_rvs_random_state": _Xfail(
        "scipy.stats.norm.rvs(loc=mu[0], scale=u[0], ...) with a traced scale raises "
        "ConcretizationError at SciPy's argcheck `if not np.all(cond)`; NumPy draws (a Python "
        "float scale traces, and so does rng.normal(mu, u))",
        mc_scipy_rvs, {"M": 1000}, lambda s, n: (
            np.array([5.0 + s, 2.0]), np.array([0.1, 0.1]), np.random.default_rng(s))),
    "mc_lognormal_gamma": (mc_lognormal_gamma, {"M": 1000}, lambda s, n: (
        np.random.default_rng(s),)),
    "t_interval_sem": (t_interval_sem, {}, lambda s, n: (10 + _f(2 * n, seed=s),)),
    "norm_interval_arrays": (norm_interval_coverage, {}, lambda s, n: (
        _f(n, seed=s), _pos(s, n, lo=0.1, hi=1))),
    "scipy_mad_iqr_trim_mean": (robust_scipy_scale, {}, lambda s, n: (
        _distinct(s, 5 * n),)),
    "income_brackets_digitize": (income_brackets, {}, lambda s, n: (
        _distinct(s, 5 * n, 1, 99), _pos(s, 5 * n))),
    "weighted_histogram_density": (weighted_histogram_density, {}, lambda s, n: (
        _distinct(s, 5 * n, 0.1, 9.9), _pos(s, 5 * n))),
    "one_hot_eye_codes_raking": (one_hot_calibration_margins, {}, lambda s, n: (
        _pos(s, 5 * n), _cells(s, 4, 5 * n), np.array([10.0, 20.0, 30.0, 40.0]))),
    "raking_out_argument_inplace": (raking_inplace_out, {}, lambda s, n: (
        _pos(s, 4 * n), _cells(s, 3, 4 * n), np.array([100.0, 200.0, 50.0 * s]))),
    "clip_out_argument": (clip_weights_out, {}, lambda s, n: (
        _pos(s, 4 * n, lo=0.1, hi=6),)),
    "copyto_where_hot_deck": (copyto_imputation, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(3 * n, seed=s + 1), _u(s, 3 * n) < 0.3)),
    "fancy_iadd_duplicate_indices": (duplicate_index_add, {}, lambda s, n: (
        np.zeros(4), _i(4, 3 * n, seed=s), _f(3 * n, seed=s))),
    "add_reduceat_psu_totals": (reduceat_psu_totals, {}, lambda s, n: (
        _f(4 * n, seed=s), np.array([0, 2, n, 3 * n]))),
    "structured_array_fields": (structured_lab_records, {}, lambda s, n: (
        _records(s, 2 * n),)),
    "apply_along_axis_weighted_median": (apply_along_weighted_median, {}, lambda s, n: (
        np.column_stack([_distinct(s, 3 * n + 1), _distinct(s + 1, 3 * n + 1)]),
        _pos(s, 3 * n + 1))),
    "take_along_axis_sorted_weights": (take_along_sorted_weights, {}, lambda s, n: (
        np.column_stack([_distinct(s, 3 * n), _distinct(s + 1, 3 * n)]),
        _pos(s, 3 * n, 2))),
    "lexsort_frame_order": (lexsort_serpentine, {}, lambda s, n: (
        _cells(s, 3, 4 * n), _distinct(s, 4 * n), _f(4 * n, seed=s))),
    "gls_cho_factor_slogdet": (gls_cho_fit, {}, lambda s, n: (
        np.linspace(0, 1, 3 * n), _f(3 * n, seed=s), 0.01 * _spd(s, 3 * n))),
    "polynomial_class_fit_w": (polynomial_class_fit, {}, lambda s, n: (*_line(s, 3 * n),)),
    "polyval_einsum_band": (polyval_band, {}, lambda s, n: (
        _f(3, seed=s), 0.01 * _spd(s, 3), np.linspace(0, 2, 2 * n))),
    "thermocouple_interp_gradient": (thermocouple_table, {}, lambda s, n: (
        _pos(s, n, lo=1, hi=20), *_tc_table(), 0.01)),
    "kron_covariance_eigvalsh": (kron_covariance, {}, lambda s, n: (
        _pos(s, n, lo=0.1, hi=1), _pos(s + 1, 3, lo=0.1, hi=1), 0.5, 0.3)),
    "np_block_block_diag": (joint_block_covariance, {}, lambda s, n: (
        _spd(s, n), _spd(s + 1, 2), _f(2, n, seed=s), _f(2, 2, seed=s + 1))),
    "complex_gum_s2_abs_angle": (complex_impedance_gum_s2, {}, lambda s, n: (
        _pos(s, 1)[0], _pos(s + 1, 1)[0], 0.01 * _spd(s, 2))),
    "sliding_window_allan": (sliding_allan, {"m": 3}, lambda s, n: (_f(8 * n, seed=s),)),
    "int64_timestamps": (timestamps_int64, {}, lambda s, n: (
        np.cumsum(np.r_[0, 1_000_000_000 + _i(1000, 4 * n - 1, seed=s)]).astype(np.int64)
        + 1_700_000_000_000_000_000, np.cumsum(_f(4 * n, seed=s)))),
    "vectorize_pure_arithmetic": (vectorize_arithmetic, {}, lambda s, n: (
        _pos(s, 2 * n), _pos(s + 1, 2 * n, lo=0.01, hi=0.1))),
    "piecewise_z_flags": (piecewise_score_flags, {}, lambda s, n: (
        np.r_[_f(3 * n, seed=s), 2.5, -3.5],)),
    "partition_trimmed_mean": (partition_trimmed, {"k": 2}, lambda s, n: (
        _distinct(s, 3 * n),)),
    "cov_bias_corrcoef_rowvar": (cov_bias_corrcoef, {}, lambda s, n: (_f(3, 2 * n, seed=s),)),
    "percentile_methods": (percentile_methods, {}, lambda s, n: (_distinct(s, 5 * n),)),
    "lstsq_multiple_channels": (lstsq_multi_rhs, {}, lambda s, n: (
        np.linspace(0, 1, 3 * n), _f(3 * n, 4, seed=s))),
    "rounding_float32": (rounding_float32, {}, lambda s, n: (
        _distinct(s, 3 * n) + 0.0013,)),
}


def _records(seed, n):
    rec = np.zeros(n, dtype=[("lab", "i4"), ("value", "f8"), ("unc", "f8")])
    rec["lab"] = np.arange(n)
    rec["value"] = 10 + 0.1 * _f(n, seed=seed)
    rec["unc"] = _pos(seed, n, lo=0.05, hi=0.2)
    return rec


@pytest.mark.parametrize("name", _names(MISC))
def test_missing_data_sampling_and_misc_match_numpy(name):
    """NaN item nonresponse, masked averages, `where=` reductions, PPS and Poisson sampling,
    legacy and scipy random draws, t and normal intervals, robust scales, brackets and
    weighted histograms, in-place `out=`/`copyto` writes, structured records, GLS by Cholesky,
    Polynomial fits, interpolated tables, Kronecker and block covariances, complex GUM S2:
    NumPy's values."""
    check_like_numpy(*MISC[name])


# ===================================================== reporting: significant figures, Python


def round_to_uncertainty_math(value, unc, sig=2):
    # the lab-report helper: a power of ten from math.floor(math.log10(u))
    exponent = math.floor(math.log10(abs(unc))) - sig + 1
    factor = 10 ** exponent
    return round(value / factor) * factor, round(unc / factor) * factor


def report_nanpercentile_weighted(income, w):
    # income with item nonresponse as NaN: weighted median and deciles
    return np.nanpercentile(income, [10, 50, 90], weights=w, method="inverted_cdf")


def budget_table_rows(components):
    # budget rows as tuples (name, u_i, c_i, nu_i); the combined line and nu_eff
    uc2 = sum((c * u) ** 2 for _, u, c, _ in components)
    nu_eff = uc2 ** 2 / sum((c * u) ** 4 / nu for _, u, c, nu in components)
    k = scipy.stats.t.ppf(0.975, nu_eff)
    return np.sqrt(uc2), nu_eff, k


def birge_inflate_np_where(x, sigma):
    xbar, s_int, s_ext, birge = weighted_mean_errors(x, sigma)
    return xbar, np.where(birge > 1, s_ext, s_int)


REPORTING = {
    "round_to_uncertainty_math_pow": _Xfail(
        "10 ** (math.floor(math.log10(u)) - 1) of a traced Python float raises NumPy's "
        "ValueError 'Integers to negative integer powers are not allowed' when the compiled "
        "function runs; Python gives 0.001 (int ** negative int is a float)",
        round_to_uncertainty_math, {"sig": 2}, lambda s, n: (9.87654 + s, 0.0234 * s)),
    "nanpercentile_weights_inverted_cdf": _Xfail(
        "np.nanpercentile(x, q, weights=w, method='inverted_cdf') raises "
        "UnsupportedFunctionError ('with weights= is not supported'); NumPy >= 2.0 computes "
        "it (np.percentile with weights= traces)",
        report_nanpercentile_weighted, {}, lambda s, n: (
            np.r_[_distinct(s, 5 * n, 1, 99), np.nan], _pos(s, 5 * n + 1))),
    "budget_rows_tuples_nu_eff": (budget_table_rows, {}, lambda s, n: (
        [("cal", 0.02 * s, 1.0, 50.0), ("rep", 0.03, 1.0, 4.0), ("temp", 0.5, 0.01, 12.0)],)),
    "birge_np_where_inflate": (birge_inflate_np_where, {}, lambda s, n: (
        10 + 0.1 * s * _f(2 * n, seed=s), _pos(s, 2 * n, lo=0.05, hi=0.2))),
}


@pytest.mark.parametrize("name", _names(REPORTING))
def test_reporting_matches_numpy(name):
    """Significant-figure rounding by a power of ten from `math.floor`,
    weighted NaN percentiles, budget rows as tuples and a Birge inflation by `np.where`:
    NumPy's values."""
    check_like_numpy(*REPORTING[name])


# ------------------------------------------------------------------------ steered scalars


def rake_positional(w, age, region, age_t, region_t, n_iter):
    return rake_weights(w, age, region, age_t, region_t, n_iter)


def bootstrap_positional(x, B, seed):
    return bootstrap_mean_ci(x, B, 0.05, seed)


def allan_positional(y, n_oct):
    return allan_octaves(y, n_oct)


def convert_positional(v, u, src, dst):
    return convert(v, u, src, dst)


def algorithm_a_positional(x, n_iter):
    return algorithm_a(x, n_iter)


def mc_positional(mu, u, M, seed):
    return monte_carlo_power(mu, u, M, seed)


STEERED = {
    "raking_iterations": (rake_positional, lambda s: (
        _pos(s, 20), _cells(s, 3, 20), _cells(s + 7, 4, 20), np.array([30.0, 40.0, 30.0]),
        np.array([20.0, 25.0, 30.0, 25.0]), 2 + 3 * s)),
    "bootstrap_B_and_seed": (bootstrap_positional, lambda s: (_f(15, seed=s), 50 * s, s)),
    "allan_octaves": (allan_positional, lambda s: (_f(40, seed=s), 1 + s)),
    "unit_names": (convert_positional, lambda s: (
        _pos(s, 4), _pos(s, 4, lo=0.01, hi=0.1), ("in", "ft")[s % 2], ("mm", "cm")[s % 2])),
    "algorithm_a_iterations": (algorithm_a_positional, lambda s: (
        np.r_[_distinct(s, 12, 9, 11), 13.0], 2 * s)),
    "sigfig_decimals_from_uncertainty": (round_sigfigs_scalar, lambda s: (
        1.23456 + s, 0.0234 * 3 ** s, 1 + s % 2)),
    "monte_carlo_draws_seed": (mc_positional, lambda s: (
        np.array([10.0, 50.0, 4e-3, 25.0]), np.array([0.1, 0.5, 1e-4, 0.5]), 1000 * s, s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Raking sweeps, bootstrap sizes and seeds, Allan octaves, unit names, Algorithm A
    iterations, rounding decimals from a scalar uncertainty and Monte Carlo draw counts given
    positionally: made static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def rake_until_converged(w, age, age_targets, region, region_targets, tol=1e-8):
    # raking until the margins are met
    while True:
        w = w * (age_targets / np.bincount(age, weights=w, minlength=3))[age]
        w = w * (region_targets / np.bincount(region, weights=w, minlength=4))[region]
        err = np.abs(np.bincount(age, weights=w, minlength=3) - age_targets).max()
        if err < tol:
            return w


def respondents_only(y, w, responded):
    # the complete-case analysis: respondents selected by a boolean mask
    yr, wr = y[responded], w[responded]
    return yr, wr / wr.sum()


def strata_from_unique(y, stratum):
    # strata discovered from the data
    levels, inv = np.unique(stratum, return_inverse=True)
    return np.bincount(inv, weights=y) / np.bincount(inv), levels


def rao_wu_flatnonzero(y, w, stratum, B=20, seed=5):
    # Rao-Wu bootstrap with each stratum's units found by np.flatnonzero
    rng = np.random.default_rng(seed)
    W = np.zeros((len(y), B))
    for h in range(3):
        idx = np.flatnonzero(stratum == h)
        nh = len(idx)
        counts = rng.multinomial(nh - 1, np.full(nh, 1.0 / nh), size=B).T
        W[idx] = w[idx, None] * counts * nh / (nh - 1)
    return (y @ W / W.sum(0)).var(ddof=1)


def birge_if_inflate(x, sigma):
    xbar, s_int, s_ext, birge = weighted_mean_errors(x, sigma)
    if birge > 1:
        return xbar, s_ext
    return xbar, s_int


def grubbs_iterative_removal(x, G_crit=2.0):
    # remove the most extreme value while Grubbs' statistic exceeds the critical value
    x = x.copy()
    while len(x) > 3:
        i = np.argmax(np.abs(x - x.mean()))
        if np.abs(x[i] - x.mean()) / x.std(ddof=1) < G_crit:
            break
        x = np.delete(x, i)
    return x


def chauvenet_selection(x):
    n = len(x)
    m, s = x.mean(), x.std(ddof=1)
    keep = n * scipy.special.erfc(np.abs(x - m) / (np.sqrt(2) * s)) >= 0.5
    return x[keep].mean(), x[keep]


def histogram_auto_bins(r):
    return np.histogram(r, bins="auto")


def scipy_bootstrap_ci(x):
    res = scipy.stats.bootstrap((x,), np.mean, n_resamples=50,
                                random_state=np.random.default_rng(0), method="percentile")
    return res.confidence_interval.low, res.confidence_interval.high


def report_string(x):
    return f"{x.mean():.4f} +/- {x.std(ddof=1) / np.sqrt(len(x)):.4f}"


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "raking_while_converged": (_Concretization, rake_until_converged, lambda s: (
        _pos(s, 20), _cells(s, 3, 20), np.array([30.0, 40.0, 30.0]), _cells(s + 7, 4, 20),
        np.array([20.0, 25.0, 30.0, 25.0]))),
    "respondents_boolean_selection": (_DataDependent, respondents_only, lambda s: (
        _f(12, seed=s), _pos(s, 12), np.r_[True, _u(s, 11) < 0.6])),
    "strata_np_unique": (_DataDependent, strata_from_unique, lambda s: (
        _f(12, seed=s), _cells(s, 3, 12) * 10)),
    "rao_wu_flatnonzero_strata": (_DataDependent, rao_wu_flatnonzero, lambda s: (
        _f(18, seed=s), _pos(s, 18), np.repeat(np.arange(3), 6))),
    "birge_python_if": (_Concretization, birge_if_inflate, lambda s: (
        10 + 0.1 * s * _f(8, seed=s), _pos(s, 8, lo=0.05, hi=0.2))),
    "grubbs_while_delete": (_Concretization, grubbs_iterative_removal, lambda s: (
        np.r_[10 + 0.1 * _f(10, seed=s), 12.0, 7.0],)),
    "chauvenet_boolean_selection": (_DataDependent, chauvenet_selection, lambda s: (
        np.r_[10 + 0.1 * _f(12, seed=s), 12.0],)),
    "histogram_bins_auto": (_DataDependent, histogram_auto_bins, lambda s: (
        _f(30, seed=s),)),
    "scipy_stats_bootstrap": (_Concretization, scipy_bootstrap_ci, lambda s: (
        _f(15, seed=s),)),
    "polynomial_convert_trims": (tracenp.errors.UnsupportedFunctionError, polynomial_convert,
                                 lambda s: (*_line(s, 9)[:2],)),
    "fstring_report": (_Concretization, report_string, lambda s: (_f(6, seed=s),)),
    "round_decimals_per_element": (tracenp.errors.UnsupportedFunctionError,
                                   round_to_decimals_array, lambda s: (
                                       _pos(s, 4) + 0.123456, _pos(s + 1, 4, lo=0.013,
                                                                   hi=0.087))),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Raking until converged, respondent and Chauvenet selections, strata by `np.unique`,
    strata by `np.flatnonzero`, a Python `if` on the Birge ratio, Grubbs removal by
    `np.delete` in a `while`, `bins="auto"`, `scipy.stats.bootstrap`, `Polynomial.convert`
    and f-string reports: the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
