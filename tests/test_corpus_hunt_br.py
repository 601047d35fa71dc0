"""Corpus, hunt BR: forecast verification and weather/climate statistics, as meteorology course
notebooks, verification packages' NumPy reimplementations (properscoring, xskillscore, pysteps,
climpred, pyMannKendall, xclim, ETCCDI scripts) and climate-data scripts write them.

Probabilistic forecasts (the Brier score and its skill against climatology, Murphy's
decomposition with fixed bins by `np.digitize` and `np.bincount` and by a loop of boolean bin
masks, reliability data by `searchsorted` and by `histogram2d`, ROC curves over fixed
thresholds by a loop with `np.trapezoid` and by broadcasting, AUC from `rankdata` and from a
double argsort, the RPS by `np.eye` one-hots and `cumsum`, ignorance by `log2`, tercile
probabilities, float32 event probabilities, Ferro's adjusted Brier score, logistic
recalibration); ensembles (CRPS in the energy form by broadcasting, the fair form, the sorted
form, properscoring's member loop with `np.where`, Hersbach's alpha/beta decomposition, the
Gaussian closed form by `scipy.stats.norm` and by `erf`, the CRPSS against a climatological
ensemble, rank histograms by `bincount`, by `np.histogram` of double-argsort ranks and by
`np.add.at` with a chi-square, spread-skill, PIT of a dressed ensemble, energy and variogram
scores, pinball losses in a dict, float32 members over an int32 count); contingency tables (ETS,
POD/FAR/CSI/HSS/PSS/ORSS in a dict from boolean masks, SEDI at quantile thresholds, rows per
threshold, multi-category tables by `bincount` and by `np.add.at` of digitized categories,
kappa, Gerrity's score by loops, the fractions skill score by `uniform_filter` and by a summed-
area table); continuous scores (uncentred and centred cos(lat)-weighted anomaly correlations,
ACC per lead into a dict, day-of-year climatologies by reshape, Taylor statistics, skill and
polar coordinates, RMSE skill against persistence and climatology, Murphy's MSSS, NSE and KGE,
Willmott's d, a summary dict with Spearman, grid correlations with `t.sf`, `linregress`); bias
correction (quantile mapping by `np.quantile`/`np.percentile` and `np.interp` with constant
extrapolation, ECDF mapping by `searchsorted`, QDM, per-gridpoint transfer functions, Gaussian
parametric mapping by `norm.fit`, delta change by `np.tile` and by `bincount` ratios, linear
scaling over a dict of variables, variance scaling by month slices, local intensity scaling);
indices (SPI from a module-level `gamma.fit` of fixed data, from the fit written inside, by
Thom's MLE with `gammainc`, with zeros after `np.convolve` accumulation, per calendar month,
by the Abramowitz-Stegun approximation, SPEI by a PWM log-logistic, degree days by `np.clip`
and by the single-sine method, HDD/CDD, the NWS heat index by `np.where` regimes and written
into a mask, wind chill, humidex, apparent temperature, Stull's wet bulb); extremes (L-moments,
Hosking's GEV fit, return levels by formula and by `genextreme.ppf`, return periods by `sf`,
Gumbel by moments and by `gumbel_r.isf`, plotting positions, block and JJA maxima, mean excess,
GPD by moments, a profile likelihood loop); trends and cycles (Mann-Kendall by `triu` of signs,
by pyMannKendall's double loop and on a grid by `triu_indices`, Sen's slope, `theilslopes` and
`kendalltau`, the seasonal Kendall test, `polyfit` and `lstsq` trends with t-tests, running
means by `np.convolve` with renormalised, NaN-padded and reflected edges, by `cumsum`, by
`apply_along_axis`, `sliding_window_view` and `uniform_filter1d`, seasonal cycles by
reshaping daily data to years x 365, by `rfft` harmonics and by least-squares harmonics, DJF
by `np.roll`, monthly means by `np.add.reduceat` and by datetime64 months, `detrend`,
effective sample sizes); grids (global means by cos(lat) weights, `np.average` over a tuple of
axes, NaN-aware and masked-array means, cell areas, hemispheric bands from module-level masks,
zonal means and eddies, CF int16 unpacking, cyclic points, longitude wrapping, bilinear
regridding by `searchsorted` and `np.ix_`, station interpolation, two-pass `np.interp` with a
period, `RegularGridInterpolator` and `map_coordinates`, nearest stations, conservative 1-D
remapping, block coarsening, geostrophic wind by `np.gradient`); ETCCDI indices (frost and
summer days, TX90p with `np.take(mode="wrap")` windows, dry spells by a day loop and by
`maximum.accumulate`, Rx5day, R95p by `nanpercentile`, growing season length, DTR, WSDI);
and EOFs by SVD and `eigh`, in-place unit conversions on dicts and `out=` anomalies,
weighted histograms, percentile methods, dtype mixes of `interp`, `digitize` and `bincount`,
NaN and masked station statistics, probits, SciPy result objects, intervals and tests,
bootstraps and wind sectors.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Bin counts, year counts, window lengths and quantile
counts given as Python ints are made static; the forms whose Python or shapes depend on array
values (an `if` on the Mann-Kendall S, empty bins skipped by `if`, scikit-learn's nonzero
bins, latitude flips by `if`, `np.unique` counts, Newton loops until converged, f-string
reports, `stats.ecdf`'s NaN check) raise a named error and run eagerly under `fallback=True`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.interpolate
import scipy.ndimage
import scipy.signal
import scipy.special
import scipy.stats
from scipy import stats
from scipy.stats import norm
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_corpus_hunt_v import _names, _Xfail

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _pos(seed, *shape, lo=1.0, hi=10.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _binary(seed, p, rate=0.4):
    # outcomes drawn from the forecast probabilities (a calibrated-ish forecast)
    r = np.random.default_rng(seed + 100)
    return (r.random(p.shape) < 0.5 * p + 0.5 * rate).astype(float)


def _ens(seed, n, m, spread=1.0):
    r = np.random.default_rng(seed)
    truth = r.standard_normal(n)
    ens = truth[:, None] + spread * r.standard_normal((n, m)) + 0.3
    obs = truth + 0.5 * r.standard_normal(n)
    return obs, ens


def _temps(seed, n, base=15.0, amp=10.0):
    r = np.random.default_rng(seed)
    t = np.arange(n)
    return base + amp * np.sin(2 * np.pi * t / 365.0) + 3 * r.standard_normal(n)


def _precip(seed, *shape, dry=0.0):
    r = np.random.default_rng(seed)
    x = r.gamma(1.5, 20.0, shape) + 0.5
    if dry:
        x[r.random(shape) < dry] = 0.0
    return x


# ============================================================ probabilistic (binary) forecasts

PROB_EDGES = np.linspace(0.0, 1.0, 11)
ROC_THRESHOLDS = np.arange(0.05, 1.0, 0.1)


def brier_score(p, o):
    return np.mean((p - o) ** 2)


def brier_skill_score(p, o):
    # reference: sample climatology of the outcomes
    clim = np.mean(o)
    bs = np.mean((p - o) ** 2)
    bs_ref = np.mean((clim - o) ** 2)
    return 1.0 - bs / bs_ref


def brier_decomposition_bincount(p, o, n_bins=10):
    """Murphy (1973): BS = REL - RES + UNC with fixed bins."""
    bins = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.digitize(p, bins[1:-1])
    N = len(p)
    nk = np.bincount(idx, minlength=n_bins)
    ok = np.bincount(idx, weights=o, minlength=n_bins)
    pk = np.bincount(idx, weights=p, minlength=n_bins)
    obar = o.mean()
    ok_bar = np.where(nk > 0, ok / np.maximum(nk, 1), 0.0)
    pk_bar = np.where(nk > 0, pk / np.maximum(nk, 1), 0.0)
    rel = np.sum(nk * (pk_bar - ok_bar) ** 2) / N
    res = np.sum(nk * (ok_bar - obar) ** 2) / N
    unc = obar * (1.0 - obar)
    return {"reliability": rel, "resolution": res, "uncertainty": unc,
            "brier": rel - res + unc}


def brier_decomposition_loop(p, o):
    # a course notebook: loop over the module's fixed bins with boolean masks
    n = p.size
    obar = o.mean()
    rel = 0.0
    res = 0.0
    for k in range(len(PROB_EDGES) - 1):
        lo, hi = PROB_EDGES[k], PROB_EDGES[k + 1]
        if k == len(PROB_EDGES) - 2:
            inbin = (p >= lo) & (p <= hi)
        else:
            inbin = (p >= lo) & (p < hi)
        nk = inbin.sum()
        fk = np.sum(p * inbin) / np.maximum(nk, 1)
        ok = np.sum(o * inbin) / np.maximum(nk, 1)
        rel += nk * (fk - ok) ** 2
        res += nk * (ok - obar) ** 2
    return rel / n, res / n, obar * (1 - obar)


def reliability_diagram_data(p, o, n_bins=10):
    edges = np.linspace(0, 1, n_bins + 1)
    centres = 0.5 * (edges[:-1] + edges[1:])
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, n_bins - 1)
    counts = np.bincount(which, minlength=n_bins)
    hits = np.bincount(which, weights=o, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        obs_freq = hits / counts
    sharpness = counts / counts.sum()
    return centres, obs_freq, sharpness


def reliability_histogram2d(p, o):
    # counts of (forecast bin, outcome) pairs by np.histogram2d on fixed edges
    h, _, _ = np.histogram2d(p, o, bins=[PROB_EDGES, [-0.5, 0.5, 1.5]])
    return h[:, 1] / np.maximum(h.sum(axis=1), 1), h.sum(axis=1)


def roc_fixed_thresholds_loop(p, o):
    o = o.astype(bool)
    pod = np.empty(len(ROC_THRESHOLDS) + 2)
    pofd = np.empty(len(ROC_THRESHOLDS) + 2)
    pod[0], pofd[0] = 1.0, 1.0
    pod[-1], pofd[-1] = 0.0, 0.0
    for i, t in enumerate(ROC_THRESHOLDS):
        warn = p >= t
        hits = np.sum(warn & o)
        misses = np.sum(~warn & o)
        fa = np.sum(warn & ~o)
        cn = np.sum(~warn & ~o)
        pod[i + 1] = hits / (hits + misses)
        pofd[i + 1] = fa / (fa + cn)
    auc = -np.trapezoid(pod, pofd)
    return pod, pofd, auc


def roc_broadcast(p, o, thresholds):
    warn = p[None, :] >= thresholds[:, None]
    event = o.astype(bool)[None, :]
    hits = (warn & event).sum(axis=1)
    fa = (warn & ~event).sum(axis=1)
    pod = hits / event.sum()
    pofd = fa / (~event).sum()
    x = np.concatenate([[1.0], pofd, [0.0]])
    y = np.concatenate([[1.0], pod, [0.0]])
    return np.abs(np.trapezoid(y, x)), pod, pofd


def auc_mann_whitney(p, o):
    # area under the ROC from ranks (no ties in continuous probabilities)
    ranks = stats.rankdata(p)
    n1 = o.sum()
    n0 = len(o) - n1
    return (np.sum(ranks[o == 1]) - n1 * (n1 + 1) / 2) / (n1 * n0)


def auc_mann_whitney_where(p, o):
    ranks = np.argsort(np.argsort(p)) + 1
    n1 = np.sum(o)
    n0 = o.size - n1
    u = np.sum(np.where(o > 0.5, ranks, 0)) - n1 * (n1 + 1) / 2.0
    return u / (n1 * n0)


def ranked_probability_score(prob, obs_cat):
    # prob: (n, K) category probabilities; obs_cat: (n,) integer categories
    K = prob.shape[1]
    onehot = np.eye(K)[obs_cat]
    cum_f = np.cumsum(prob, axis=1)
    cum_o = np.cumsum(onehot, axis=1)
    rps = np.sum((cum_f - cum_o) ** 2, axis=1) / (K - 1)
    clim = np.full(K, 1.0 / K)
    rps_clim = np.sum((np.cumsum(clim) - cum_o) ** 2, axis=1) / (K - 1)
    return rps.mean(), 1 - rps.mean() / rps_clim.mean()


def ignorance_score(p, o, eps=1e-6):
    p = np.clip(p, eps, 1 - eps)
    return -np.mean(np.where(o == 1, np.log2(p), np.log2(1 - p)))


def tercile_probabilities(ens, clim_samples):
    # fraction of members below/between/above the climatological terciles
    lo, hi = np.percentile(clim_samples, [100 / 3, 200 / 3])
    below = np.mean(ens < lo, axis=1)
    above = np.mean(ens > hi, axis=1)
    return np.stack([below, 1 - below - above, above], axis=1)


def ensemble_event_probability_f32(ens, thresh):
    # fraction of members over a threshold, in float32 as packages store it
    ens = ens.astype(np.float32)
    prob = (ens > thresh).sum(axis=-1) / np.float32(ens.shape[-1])
    return prob.astype(np.float32)


def sharpness_and_resolution(p, o):
    stats_ = {}
    stats_["sharpness"] = np.var(p)
    stats_["mean_prob"] = p.mean()
    stats_["base_rate"] = o.mean()
    stats_["discrimination"] = (np.sum(p * o) / np.sum(o)
                                - np.sum(p * (1 - o)) / np.sum(1 - o))
    return stats_


def brier_score_components_murphy_ens(p, o, m=10):
    # Ferro's ensemble-size-adjusted Brier score, members counted in p*m
    bs = np.mean((p - o) ** 2)
    adj = np.mean(p * (1 - p)) / (m - 1)
    return bs, bs - adj


def logit_calibration(p, o, a=1.2, b=-0.1):
    # recalibrate probabilities by a logistic map, score before/after
    lp = np.log(p / (1 - p))
    q = scipy.special.expit(a * lp + b)
    return np.mean((p - o) ** 2), np.mean((q - o) ** 2), q


def _p(seed, n, k=40):
    return np.clip(_u(seed, k * n), 0.001, 0.999)


PROBABILISTIC = {
    "brier_score": (brier_score, {}, lambda s, n: (_p(s, n), _binary(s, _p(s, n)))),
    "brier_skill_climatology": (brier_skill_score, {}, lambda s, n: (
        _p(s, n), _binary(s, _p(s, n)))),
    "brier_decomposition_digitize_bincount": (brier_decomposition_bincount, {"n_bins": 10},
                                              lambda s, n: (_p(s, n), _binary(s, _p(s, n)))),
    "brier_decomposition_bin_loop": (brier_decomposition_loop, {}, lambda s, n: (
        _p(s, n), _binary(s, _p(s, n)))),
    "reliability_searchsorted_bincount": (reliability_diagram_data, {"n_bins": 10},
                                          lambda s, n: (_p(s, n), _binary(s, _p(s, n)))),
    "reliability_histogram2d": (reliability_histogram2d, {}, lambda s, n: (
        _p(s, n), _binary(s, _p(s, n)))),
    "roc_threshold_loop_trapezoid": (roc_fixed_thresholds_loop, {}, lambda s, n: (
        _p(s, n), _binary(s, _p(s, n)))),
    "roc_broadcast_thresholds": (roc_broadcast, {}, lambda s, n: (
        _p(s, n), _binary(s, _p(s, n)), np.linspace(0.05, 0.95, 19))),
    "auc_rankdata": (auc_mann_whitney, {}, lambda s, n: (_p(s, n), _binary(s, _p(s, n)))),
    "auc_double_argsort": (auc_mann_whitney_where, {}, lambda s, n: (
        _p(s, n), _binary(s, _p(s, n)).astype(int))),
    "rps_eye_onehot_cumsum": (ranked_probability_score, {}, lambda s, n: (
        np.random.default_rng(s).dirichlet(np.ones(3), 10 * n), _i(3, 10 * n, seed=s))),
    "ignorance_log2_where": (ignorance_score, {}, lambda s, n: (
        _p(s, n), _binary(s, _p(s, n)))),
    "tercile_probabilities": (tercile_probabilities, {}, lambda s, n: (
        _ens(s, 3 * n, 11)[1], _f(200, seed=s + 7))),
    "event_probability_float32": (ensemble_event_probability_f32, {}, lambda s, n: (
        _ens(s, 3 * n, 20)[1], 0.5)),
    "sharpness_dict": (sharpness_and_resolution, {}, lambda s, n: (
        _p(s, n), _binary(s, _p(s, n)))),
    "brier_ferro_adjusted": (brier_score_components_murphy_ens, {"m": 20}, lambda s, n: (
        _p(s, n), _binary(s, _p(s, n)))),
    "logit_recalibration_expit": (logit_calibration, {}, lambda s, n: (
        _p(s, n), _binary(s, _p(s, n)))),
}


@pytest.mark.parametrize("name", _names(PROBABILISTIC))
def test_probabilistic_scores_match_numpy(name):
    """Brier scores and decompositions, reliability, ROC and AUC, RPS and ignorance: NumPy's
    values."""
    check_like_numpy(*PROBABILISTIC[name])


# ======================================================================= ensemble forecasts


def crps_ensemble_energy(obs, ens):
    # CRPS = E|X - y| - 0.5 E|X - X'|, the kernel form by broadcasting
    t1 = np.mean(np.abs(ens - obs[:, None]), axis=1)
    t2 = np.mean(np.abs(ens[:, :, None] - ens[:, None, :]), axis=(1, 2))
    return t1 - 0.5 * t2


def crps_ensemble_fair(obs, ens):
    m = ens.shape[-1]
    t1 = np.abs(ens - obs[..., None]).mean(axis=-1)
    t2 = np.abs(ens[..., :, None] - ens[..., None, :]).sum(axis=(-1, -2)) / (2 * m * (m - 1))
    return t1 - t2


def crps_ensemble_sorted(obs, ens):
    # the O(m log m) form on sorted members
    m = ens.shape[-1]
    x = np.sort(ens, axis=-1)
    i = np.arange(1, m + 1)
    t1 = np.mean(np.abs(x - obs[..., None]), axis=-1)
    t2 = np.sum((2 * i - m - 1) * x, axis=-1) / m ** 2
    return t1 - t2


def crps_properscoring_loop(obs, ens):
    # properscoring's _crps_ensemble_gufunc written out: a loop over sorted members
    n, m = ens.shape
    fc = np.sort(ens, axis=1)
    result = np.zeros(n)
    for k in range(n):
        o = obs[k]
        obs_cdf = 0.0
        forecast_cdf = 0.0
        prev = 0.0
        integral = 0.0
        for j in range(m):
            f = fc[k, j]
            w = 1.0 / m
            after_obs = (obs_cdf == 0.0) & (o < f)
            integral += np.where(after_obs, (o - prev) * forecast_cdf ** 2
                                 + (f - o) * (forecast_cdf - 1) ** 2, 0.0)
            integral += np.where(after_obs, 0.0, (f - prev) * (forecast_cdf - obs_cdf) ** 2)
            obs_cdf = np.where(after_obs, 1.0, obs_cdf)
            forecast_cdf += w
            prev = f
        integral += np.where(obs_cdf == 0.0, o - prev, 0.0)
        result[k] = integral
    return result


def crps_hersbach(obs, ens):
    # Hersbach (2000) decomposition: alpha/beta per interval between sorted members
    n, m = ens.shape
    x = np.sort(ens, axis=1)
    alpha = np.zeros((n, m + 1))
    beta = np.zeros((n, m + 1))
    for i in range(1, m):
        lo, hi = x[:, i - 1], x[:, i]
        alpha[:, i] = np.where(obs > hi, hi - lo, np.where(obs > lo, obs - lo, 0.0))
        beta[:, i] = np.where(obs < lo, hi - lo, np.where(obs < hi, hi - obs, 0.0))
    beta[:, 0] = np.where(obs < x[:, 0], x[:, 0] - obs, 0.0)
    alpha[:, m] = np.where(obs > x[:, -1], obs - x[:, -1], 0.0)
    p = np.arange(m + 1) / m
    crps = np.sum(alpha * p ** 2 + beta * (1 - p) ** 2, axis=1)
    return crps, alpha.mean(axis=0), beta.mean(axis=0)


def crps_gaussian(x, mu, sig):
    sx = (x - mu) / sig
    pdf = norm.pdf(sx)
    cdf = norm.cdf(sx)
    pi_inv = 1.0 / np.sqrt(np.pi)
    crps = sig * (sx * (2 * cdf - 1) + 2 * pdf - pi_inv)
    return crps


def crps_gaussian_erf(x, mu, sig):
    # the same without scipy.stats: Phi by erf, phi written out
    z = (x - mu) / sig
    phi = np.exp(-0.5 * z ** 2) / np.sqrt(2 * np.pi)
    Phi = 0.5 * (1 + scipy.special.erf(z / np.sqrt(2)))
    return np.mean(sig * (z * (2 * Phi - 1) + 2 * phi - 1 / np.sqrt(np.pi)))


def crps_gaussian_from_ensemble(obs, ens):
    mu = ens.mean(axis=1)
    sig = ens.std(axis=1, ddof=1)
    return crps_gaussian(obs, mu, sig).mean()


def crps_skill_vs_climatology(obs, ens, clim):
    # CRPSS against the climatological ensemble (a fixed sample)
    c_fc = crps_ensemble_energy(obs, ens).mean()
    c_cl = crps_ensemble_energy(obs, np.broadcast_to(clim, (len(obs), len(clim)))).mean()
    return 1 - c_fc / c_cl


def rank_histogram_bincount(obs, ens):
    m = ens.shape[1]
    ranks = np.sum(ens < obs[:, None], axis=1)
    return np.bincount(ranks, minlength=m + 1)


def rank_histogram_histogram(obs, ens):
    m = ens.shape[1]
    combined = np.concatenate([obs[:, None], ens], axis=1)
    ranks = np.argsort(np.argsort(combined, axis=1), axis=1)[:, 0]
    hist, _ = np.histogram(ranks, bins=np.arange(m + 2) - 0.5)
    return hist / hist.sum()


def rank_histogram_flatness(obs, ens):
    # delta (Candille & Talagrand) and the chi-square statistic of the rank counts
    m = ens.shape[1]
    ranks = (ens < obs[:, None]).sum(axis=1)
    counts = np.zeros(m + 1)
    np.add.at(counts, ranks, 1)
    n = obs.size
    expected = n / (m + 1)
    chi2 = np.sum((counts - expected) ** 2 / expected)
    delta = np.sum((counts - expected) ** 2) / (n ** 2 * m / (m + 1))
    return chi2, delta, stats.chi2.sf(chi2, m)


def spread_skill(obs, ens):
    mean = ens.mean(axis=-1)
    spread = np.sqrt(np.mean(ens.var(axis=-1, ddof=1)))
    rmse = np.sqrt(np.mean((mean - obs) ** 2))
    m = ens.shape[-1]
    return spread, rmse, rmse / spread * np.sqrt(m / (m + 1))


def ensemble_dispersion_grid(obs, ens):
    # ens (member, time, lat, lon); scores on the grid then weighted means
    em = ens.mean(axis=0)
    err = (em - obs) ** 2
    spr = ens.var(axis=0, ddof=1)
    return {"mse": err.mean(axis=0), "spread": spr.mean(axis=0),
            "ratio": np.sqrt(spr.mean() / err.mean())}


def dressed_ensemble_pit(obs, ens, bw=0.5):
    # PIT of a kernel-dressed ensemble: mean of Gaussian cdfs centred on members
    pit = norm.cdf((obs[:, None] - ens) / bw).mean(axis=1)
    hist = np.histogram(pit, bins=10, range=(0.0, 1.0))[0]
    return pit, hist


def energy_score(obs, ens):
    # multivariate CRPS: obs (n, d), ens (n, m, d)
    d1 = np.linalg.norm(ens - obs[:, None, :], axis=-1).mean(axis=1)
    diff = ens[:, :, None, :] - ens[:, None, :, :]
    d2 = np.linalg.norm(diff, axis=-1).mean(axis=(1, 2))
    return np.mean(d1 - 0.5 * d2)


def variogram_score(obs, ens, p=0.5):
    vo = np.abs(obs[:, :, None] - obs[:, None, :]) ** p
    ve = np.mean(np.abs(ens[:, :, :, None] - ens[:, :, None, :]) ** p, axis=1)
    return np.sum((vo - ve) ** 2, axis=(1, 2))


def quantile_score_pinball(obs, ens, taus=(0.1, 0.5, 0.9)):
    out = {}
    for tau in taus:
        q = np.quantile(ens, tau, axis=1)
        u = obs - q
        out[tau] = np.mean(u * (tau - (u < 0)))
    return out


def ens_member_float32_mixed(obs, ens):
    # float32 ensemble against float64 observations, an int32 member count (float64 result)
    ens32 = ens.astype(np.float32)
    m = np.int32(ens32.shape[1])
    mean = ens32.sum(axis=1) / m
    return mean, (mean - obs.astype(np.float32)) ** 2, mean.dtype


def _crps_args(s, n, m=8):
    return _ens(s, 3 * n, m)


ENSEMBLE = {
    "crps_energy_broadcast": (crps_ensemble_energy, {}, lambda s, n: _crps_args(s, n)),
    "crps_fair_broadcast": (crps_ensemble_fair, {}, lambda s, n: _crps_args(s, n)),
    "crps_sorted_members": (crps_ensemble_sorted, {}, lambda s, n: _crps_args(s, n)),
    "crps_properscoring_loop": (crps_properscoring_loop, {}, lambda s, n: _ens(s, n, 5)),
    "crps_hersbach_alpha_beta": (crps_hersbach, {}, lambda s, n: _crps_args(s, n)),
    "crps_gaussian_norm": (crps_gaussian, {}, lambda s, n: (
        _f(5 * n, seed=s), _f(5 * n, seed=s + 1), _pos(s, 5 * n, lo=0.5, hi=2))),
    "crps_gaussian_erf": (crps_gaussian_erf, {}, lambda s, n: (
        _f(5 * n, seed=s), 0.2 * s, _pos(s, 5 * n, lo=0.5, hi=2))),
    "crps_gaussian_from_members": (crps_gaussian_from_ensemble, {}, lambda s, n: _crps_args(
        s, n)),
    "crpss_vs_climatology": (crps_skill_vs_climatology, {}, lambda s, n: (
        *_crps_args(s, n), _f(30, seed=99) * 1.5)),
    "rank_histogram_bincount": (rank_histogram_bincount, {}, lambda s, n: _crps_args(s, n)),
    "rank_histogram_argsort_histogram": (rank_histogram_histogram, {}, lambda s, n: _crps_args(
        s, n)),
    "rank_histogram_add_at_chi2": (rank_histogram_flatness, {}, lambda s, n: _crps_args(s, n)),
    "spread_skill_ratio": (spread_skill, {}, lambda s, n: _crps_args(s, n)),
    "ensemble_grid_dispersion_dict": (ensemble_dispersion_grid, {}, lambda s, n: (
        _f(3, n, 5, seed=s), _f(6, 3, n, 5, seed=s + 1))),
    "dressed_pit_histogram": (dressed_ensemble_pit, {}, lambda s, n: _crps_args(s, n)),
    "energy_score_multivariate": (energy_score, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 6, 3, seed=s + 1))),
    "variogram_score": (variogram_score, {}, lambda s, n: (
        _f(n, 4, seed=s), _f(n, 7, 4, seed=s + 1))),
    "pinball_quantile_dict": (quantile_score_pinball, {}, lambda s, n: _crps_args(s, n, 9)),
    "float32_members_int32_count": (ens_member_float32_mixed, {}, lambda s, n: (
        _crps_args(s, n)[0], np.round(64 * _crps_args(s, n)[1]) / 64)),
}


@pytest.mark.parametrize("name", _names(ENSEMBLE))
def test_ensemble_scores_match_numpy(name):
    """CRPS in its energy, fair, sorted, properscoring and Hersbach forms and for Gaussians, rank
    histograms, spread-skill, PIT, energy and variogram scores: NumPy's values."""
    check_like_numpy(*ENSEMBLE[name])


# ======================================================================= contingency tables


def contingency_counts(fc, ob, thresh):
    f = fc >= thresh
    o = ob >= thresh
    hits = np.sum(f & o)
    false_alarms = np.sum(f & ~o)
    misses = np.sum(~f & o)
    correct_negatives = np.sum(~f & ~o)
    return hits, false_alarms, misses, correct_negatives


def equitable_threat_score(fc, ob, thresh=1.0):
    a, b, c, d = contingency_counts(fc, ob, thresh)
    n = a + b + c + d
    a_random = (a + b) * (a + c) / n
    return (a - a_random) / (a + b + c - a_random)


def categorical_scores_dict(fc, ob, thresh=0.5):
    a, b, c, d = contingency_counts(fc, ob, thresh)
    n = a + b + c + d
    scores = {
        "POD": a / (a + c),
        "FAR": b / (a + b),
        "POFD": b / (b + d),
        "CSI": a / (a + b + c),
        "FBI": (a + b) / (a + c),
        "ACC": (a + d) / n,
        "HSS": 2 * (a * d - b * c) / ((a + c) * (c + d) + (a + b) * (b + d)),
        "PSS": a / (a + c) - b / (b + d),
    }
    scores["ORSS"] = (a * d - b * c) / (a * d + b * c)
    return scores


def sedi_extremal(fc, ob, q=0.8):
    # extremal dependence indices at the q-quantile thresholds of each field
    tf = np.quantile(fc, q)
    to = np.quantile(ob, q)
    f, o = fc > tf, ob > to
    H = np.sum(f & o) / np.sum(o)
    F = np.sum(f & ~o) / np.sum(~o)
    sedi = ((np.log(F) - np.log(H) - np.log(1 - F) + np.log(1 - H))
            / (np.log(F) + np.log(H) + np.log(1 - F) + np.log(1 - H)))
    return sedi, H, F


def scores_over_thresholds(fc, ob, thresholds):
    # one row of the table per threshold, stacked into a 2-D array
    rows = []
    for t in thresholds:
        f = (fc >= t).astype(np.int64)
        o = (ob >= t).astype(np.int64)
        a = np.sum(f * o)
        b = np.sum(f * (1 - o))
        c = np.sum((1 - f) * o)
        rows.append([a, b, c, a / (a + b + c)])
    return np.array(rows)


def multicategory_table(fc_cat, ob_cat, K=3):
    table = np.bincount(K * fc_cat + ob_cat, minlength=K * K).reshape(K, K)
    n = table.sum()
    pc = np.trace(table) / n
    pe = np.sum(table.sum(axis=0) * table.sum(axis=1)) / n ** 2
    return table, (pc - pe) / (1 - pe)


def multicategory_add_at(fc, ob, edges):
    fcat = np.digitize(fc, edges)
    ocat = np.digitize(ob, edges)
    K = len(edges) + 1
    table = np.zeros((K, K), dtype=np.int64)
    np.add.at(table, (fcat, ocat), 1)
    return table


def gerrity_score(fc_cat, ob_cat, K=3):
    table = np.zeros((K, K))
    for i in range(K):
        for j in range(K):
            table[i, j] = np.sum((fc_cat == i) & (ob_cat == j))
    p = table / table.sum()
    pobs = p.sum(axis=0)
    cum = np.cumsum(pobs)[:-1]
    a = (1 - cum) / cum
    s = np.zeros((K, K))
    for i in range(K):
        for j in range(i, K):
            s[i, j] = (np.sum(1 / a[:i]) - (j - i) + np.sum(a[j:])) / (K - 1)
            s[j, i] = s[i, j]
    return np.sum(p * s)


def fractions_skill_score(fc, ob, thresh, size=3):
    bf = (fc >= thresh).astype(float)
    bo = (ob >= thresh).astype(float)
    pf = scipy.ndimage.uniform_filter(bf, size=size, mode="constant")
    po = scipy.ndimage.uniform_filter(bo, size=size, mode="constant")
    mse = np.mean((pf - po) ** 2)
    ref = np.mean(pf ** 2) + np.mean(po ** 2)
    return 1 - mse / ref


def fss_cumsum_box(fc, ob, thresh, n=1):
    # neighbourhood fractions by a 2-D summed-area table with zero padding
    def fractions(x):
        b = np.pad((x >= thresh).astype(np.float64), n + 1)
        c = b.cumsum(0).cumsum(1)
        w = 2 * n + 1
        s = c[w:, w:] - c[:-w, w:] - c[w:, :-w] + c[:-w, :-w]
        return s / w ** 2

    pf, po = fractions(fc), fractions(ob)
    return 1 - np.sum((pf - po) ** 2) / (np.sum(pf ** 2) + np.sum(po ** 2))


def contingency_bool_int_mix(fc, ob, thresh):
    # booleans summed with an int32 dtype, scores in float32
    f = fc > thresh
    o = ob > thresh
    table = np.array([[np.sum(f & o, dtype=np.int32), np.sum(f & ~o, dtype=np.int32)],
                      [np.sum(~f & o, dtype=np.int32), np.sum(~f & ~o, dtype=np.int32)]])
    csi = np.float32(table[0, 0]) / np.float32(table[0, 0] + table[0, 1] + table[1, 0])
    return table, csi


CONTINGENCY = {
    "ets_boolean_masks": (equitable_threat_score, {}, lambda s, n: (
        _f(4 * n, 5, seed=s) * 2, _f(4 * n, 5, seed=s) * 2 + _f(4 * n, 5, seed=s + 9), 1.0)),
    "categorical_scores_dict": (categorical_scores_dict, {}, lambda s, n: (
        _f(10 * n, seed=s), _f(10 * n, seed=s) + _f(10 * n, seed=s + 9), 0.3)),
    "sedi_quantile_thresholds": (sedi_extremal, {}, lambda s, n: (
        _f(25 * n, seed=s), _f(25 * n, seed=s) + _f(25 * n, seed=s + 9), 0.8)),
    "threshold_rows_int64": (scores_over_thresholds, {}, lambda s, n: (
        _f(10 * n, seed=s), _f(10 * n, seed=s) + 0.5 * _f(10 * n, seed=s + 9),
        [-0.5, 0.0, 0.5])),
    "multicategory_bincount_kappa": (multicategory_table, {"K": 3}, lambda s, n: (
        _i(3, 12 * n, seed=s), _i(3, 12 * n, seed=s + 1))),
    "multicategory_digitize_add_at": (multicategory_add_at, {}, lambda s, n: (
        _f(12 * n, seed=s), _f(12 * n, seed=s + 1), np.array([-0.5, 0.5]))),
    "gerrity_score_loops": (gerrity_score, {"K": 3}, lambda s, n: (
        _i(3, 12 * n, seed=s), _i(3, 12 * n, seed=s + 1))),
    "fss_uniform_filter": (fractions_skill_score, {}, lambda s, n: (
        _f(n + 4, n + 5, seed=s), _f(n + 4, n + 5, seed=s + 1), 0.3)),
    "fss_summed_area_table": (fss_cumsum_box, {"n": 1}, lambda s, n: (
        _f(n + 4, n + 5, seed=s), _f(n + 4, n + 5, seed=s + 1), 0.3)),
    "contingency_int32_float32": (contingency_bool_int_mix, {}, lambda s, n: (
        _f(10 * n, seed=s), _f(10 * n, seed=s) + _f(10 * n, seed=s + 9), 0.2)),
}


@pytest.mark.parametrize("name", _names(CONTINGENCY))
def test_contingency_scores_match_numpy(name):
    """2x2 and multi-category tables from boolean masks, ETS, HSS, PSS, SEDI, Gerrity, kappa
    and the fractions skill score: NumPy's values."""
    check_like_numpy(*CONTINGENCY[name])


# ====================================================== continuous scores and anomaly skill

LAT = np.linspace(-87.5, 87.5, 8)
LON = np.arange(0.0, 360.0, 30.0)
COSLAT = np.cos(np.deg2rad(LAT))


def anomaly_correlation(fc, ob, clim):
    fa = fc - clim
    oa = ob - clim
    return np.sum(fa * oa) / np.sqrt(np.sum(fa ** 2) * np.sum(oa ** 2))


def acc_centred_weighted(fc, ob, clim, lat):
    # the ECMWF/WMO centred ACC with cos(lat) weights on a (lat, lon) field
    w = np.cos(np.radians(lat))[:, None] * np.ones_like(fc)
    fa = fc - clim
    oa = ob - clim
    fa = fa - np.average(fa, weights=w)
    oa = oa - np.average(oa, weights=w)
    return np.sum(w * fa * oa) / np.sqrt(np.sum(w * fa ** 2) * np.sum(w * oa ** 2))


def acc_time_series_per_lead(fc, ob, clim):
    # fc (lead, time, lat, lon); one ACC per lead from a dict of daily scores
    scores = {}
    for lead in range(fc.shape[0]):
        fa = fc[lead] - clim
        oa = ob - clim
        num = np.sum(fa * oa * COSLAT[:, None], axis=(-2, -1))
        den = np.sqrt(np.sum(fa ** 2 * COSLAT[:, None], axis=(-2, -1))
                      * np.sum(oa ** 2 * COSLAT[:, None], axis=(-2, -1)))
        scores[f"day{lead + 1}"] = np.mean(num / den)
    return scores


def climatology_removal_daily(x, nyears):
    # x (nyears*365, npoint): day-of-year climatology and anomalies by reshape
    daily = x.reshape(nyears, 365, -1)
    clim = daily.mean(axis=0)
    anom = daily - clim[None]
    return anom.reshape(x.shape), clim


def taylor_statistics(model, ref):
    sm = model.std()
    sr = ref.std()
    r = np.corrcoef(model, ref)[0, 1]
    crmsd = np.sqrt(np.mean(((model - model.mean()) - (ref - ref.mean())) ** 2))
    return {"sdev": np.array([sr, sm]), "ccoef": np.array([1.0, r]),
            "crmsd": np.array([0.0, crmsd])}


def taylor_skill(models, ref, r0=1.0):
    # Taylor (2001) eq. (4) for several models stacked on axis 0
    out = np.empty(models.shape[0])
    for k, m in enumerate(models):
        sigma = m.std() / ref.std()
        r = np.sum((m - m.mean()) * (ref - ref.mean())) / (m.size * m.std() * ref.std())
        out[k] = 4 * (1 + r) / ((sigma + 1 / sigma) ** 2 * (1 + r0))
    return out


def taylor_polar_coords(models, ref):
    std = models.std(axis=1) / ref.std()
    corr = np.array([np.corrcoef(m, ref)[0, 1] for m in models])
    theta = np.arccos(corr)
    return std * np.cos(theta), std * np.sin(theta)


def rmse_skill_scores(fc, ob, clim):
    rmse = np.sqrt(np.mean((fc - ob) ** 2, axis=0))
    rmse_pers = np.sqrt(np.mean((ob[:-1] - ob[1:]) ** 2, axis=0))
    rmse_clim = np.sqrt(np.mean((clim - ob) ** 2, axis=0))
    return 1 - rmse / rmse_pers, 1 - rmse / rmse_clim


def msss_murphy(fc, ob):
    # Murphy's MSSS decomposition: r^2 - (r - sf/so)^2 - ((mf - mo)/so)^2
    r = np.corrcoef(fc, ob)[0, 1]
    sf, so = fc.std(), ob.std()
    msss = r ** 2 - (r - sf / so) ** 2 - ((fc.mean() - ob.mean()) / so) ** 2
    direct = 1 - np.mean((fc - ob) ** 2) / np.mean((ob - ob.mean()) ** 2)
    return msss, direct


def nash_sutcliffe_kge(sim, obs):
    nse = 1 - np.sum((sim - obs) ** 2) / np.sum((obs - obs.mean()) ** 2)
    r = np.corrcoef(sim, obs)[0, 1]
    alpha = sim.std() / obs.std()
    beta = sim.mean() / obs.mean()
    kge = 1 - np.sqrt((r - 1) ** 2 + (alpha - 1) ** 2 + (beta - 1) ** 2)
    return nse, kge


def willmott_index(sim, obs):
    om = obs.mean()
    d = 1 - np.sum((obs - sim) ** 2) / np.sum((np.abs(sim - om) + np.abs(obs - om)) ** 2)
    d1 = 1 - np.sum(np.abs(obs - sim)) / np.sum(np.abs(sim - om) + np.abs(obs - om))
    return d, d1


def verification_table(fc, ob):
    # one dict of the standard continuous scores, as a package's summary writes it
    err = fc - ob
    return {"ME": err.mean(), "MAE": np.abs(err).mean(), "RMSE": np.sqrt((err ** 2).mean()),
            "bcRMSE": np.std(err), "corr": np.corrcoef(fc, ob)[0, 1],
            "spearman": stats.spearmanr(fc, ob)[0], "MedAE": np.median(np.abs(err)),
            "max": np.max(np.abs(err))}


def pearson_pvalue_grid(fc, ob):
    # correlation on every grid point along time, with a t-test
    n = fc.shape[0]
    fa = fc - fc.mean(axis=0)
    oa = ob - ob.mean(axis=0)
    r = (fa * oa).sum(axis=0) / np.sqrt((fa ** 2).sum(axis=0) * (oa ** 2).sum(axis=0))
    t = r * np.sqrt((n - 2) / (1 - r ** 2))
    p = 2 * stats.t.sf(np.abs(t), n - 2)
    return r, p


def linregress_bias(fc, ob):
    res = stats.linregress(ob, fc)
    return res.slope, res.intercept, res.rvalue


def _anoms(s, n, *shape):
    r = np.random.default_rng(s)
    truth = r.standard_normal((n,) + shape)
    return truth + 0.6 * r.standard_normal((n,) + shape), truth


CONTINUOUS = {
    "acc_uncentred": (anomaly_correlation, {}, lambda s, n: (
        *_anoms(s, n, 5), _f(5, seed=50) * 0.1)),
    "acc_centred_coslat_average": (acc_centred_weighted, {}, lambda s, n: (
        _f(n, 12, seed=s), _f(n, 12, seed=s) + _f(n, 12, seed=s + 1), _f(n, 12, seed=50) * 0.2,
        np.linspace(-60, 60, n))),
    "acc_per_lead_dict": (acc_time_series_per_lead, {}, lambda s, n: (
        _f(3, n, 8, 12, seed=s), _f(n, 8, 12, seed=s + 1), _f(8, 12, seed=50) * 0.3)),
    "climatology_reshape_years": (climatology_removal_daily, {"nyears": 3}, lambda s, n: (
        _f(3 * 365, n, seed=s),)),
    "taylor_statistics_dict": (taylor_statistics, {}, lambda s, n: _anoms(s, 10 * n)),
    "taylor_skill_loop_models": (taylor_skill, {}, lambda s, n: (
        _f(3, 10 * n, seed=s), _f(10 * n, seed=s + 1))),
    "taylor_polar_list_corrcoef": (taylor_polar_coords, {}, lambda s, n: (
        _f(3, 10 * n, seed=s) + _f(10 * n, seed=s + 1), _f(10 * n, seed=s + 1))),
    "rmse_skill_persistence_clim": (rmse_skill_scores, {}, lambda s, n: (
        *_anoms(s, 10 * n), 0.1)),
    "msss_murphy_decomposition": (msss_murphy, {}, lambda s, n: _anoms(s, 10 * n)),
    "nse_kge_hydrology": (nash_sutcliffe_kge, {}, lambda s, n: (
        _pos(s, 10 * n), _pos(s, 10 * n) + _f(10 * n, seed=s + 1))),
    "willmott_d_d1": (willmott_index, {}, lambda s, n: _anoms(s, 10 * n)),
    "verification_summary_dict": (verification_table, {}, lambda s, n: _anoms(s, 10 * n + 1)),
    "pearson_grid_t_sf": (pearson_pvalue_grid, {}, lambda s, n: _anoms(s, 10 * n, 3, 4)),
    "linregress_result": (linregress_bias, {}, lambda s, n: _anoms(s, 10 * n)),
}


@pytest.mark.parametrize("name", _names(CONTINUOUS))
def test_continuous_scores_match_numpy(name):
    """Anomaly correlations with climatology removal, Taylor statistics and skill, RMSE skill,
    MSSS, NSE/KGE, Willmott and grid correlations: NumPy's values."""
    check_like_numpy(*CONTINUOUS[name])


# ================================================================= bias correction, scaling

QUANTILES = np.linspace(0.01, 0.99, 99)


def quantile_mapping(obs_hist, mod_hist, mod_fut, n_q=50):
    q = np.linspace(0, 1, n_q + 1)
    oq = np.quantile(obs_hist, q)
    mq = np.quantile(mod_hist, q)
    return np.interp(mod_fut, mq, oq)


def quantile_mapping_extrapolate(obs_hist, mod_hist, mod_fut):
    # empirical QM with constant extrapolation of the end corrections
    oq = np.percentile(obs_hist, QUANTILES * 100)
    mq = np.percentile(mod_hist, QUANTILES * 100)
    corrected = np.interp(mod_fut, mq, oq)
    corrected = np.where(mod_fut > mq[-1], mod_fut + (oq[-1] - mq[-1]), corrected)
    corrected = np.where(mod_fut < mq[0], mod_fut + (oq[0] - mq[0]), corrected)
    return corrected


def ecdf_mapping_searchsorted(obs_hist, mod_hist, mod_fut):
    # rank each future value in the sorted model climate, read the obs quantile
    srt = np.sort(mod_hist)
    tau = (np.searchsorted(srt, mod_fut) + 0.5) / (len(srt) + 1)
    tau = np.clip(tau, 0.0, 1.0)
    return np.quantile(obs_hist, tau)


def quantile_delta_mapping(obs_hist, mod_hist, mod_fut):
    # Cannon et al. (2015) multiplicative QDM for precipitation
    n = len(mod_fut)
    tau = (stats.rankdata(mod_fut) - 0.5) / n
    delta = mod_fut / np.quantile(mod_hist, tau)
    return np.quantile(obs_hist, tau) * delta


def quantile_mapping_gridded(obs, mod, fut, n_q=20):
    # one transfer function per grid point along the time axis (axis 0)
    q = np.linspace(0, 1, n_q)
    oq = np.quantile(obs, q, axis=0)
    mq = np.quantile(mod, q, axis=0)
    out = np.empty_like(fut)
    for j in range(fut.shape[1]):
        out[:, j] = np.interp(fut[:, j], mq[:, j], oq[:, j])
    return out


def parametric_qm_gaussian(obs_hist, mod_hist, mod_fut):
    # temperature: normal fits, cdf under the model, ppf under the observations
    mo, so = norm.fit(obs_hist)
    mm, sm = norm.fit(mod_hist)
    return norm.ppf(norm.cdf(mod_fut, mm, sm), mo, so)


def delta_change_monthly(obs, hist, fut, nyears=2):
    # additive for temperature on (years*12, station) monthly series
    dh = hist.reshape(nyears, 12, -1).mean(axis=0)
    df = fut.reshape(nyears, 12, -1).mean(axis=0)
    return obs + np.tile(df - dh, (nyears, 1))


def delta_change_precip(obs, hist, fut):
    months = np.arange(obs.size) % 12
    ratio = (np.bincount(months, weights=fut, minlength=12)
             / np.bincount(months, weights=hist, minlength=12))
    return obs * ratio[months]


def linear_scaling_dict(obs, mod, fut, variables=("tas", "pr")):
    out = {}
    for v in variables:
        if v == "pr":
            out[v] = fut[v] * obs[v].mean() / mod[v].mean()
        else:
            out[v] = fut[v] + obs[v].mean() - mod[v].mean()
    return out


def variance_scaling(obs, mod, fut):
    # mean and variance matched month by month; months as a Python loop
    out = fut.copy()
    for m in range(12):
        o, h, f = obs[m::12], mod[m::12], fut[m::12]
        f1 = f + (o.mean() - h.mean())
        h1 = h + (o.mean() - h.mean())
        out[m::12] = (f1 - f1.mean()) * (o.std() / h1.std()) + f1.mean()
    return out


def wet_day_correction(obs, mod, fut, wet=1.0):
    # local intensity scaling: a model threshold matching the observed wet-day frequency
    frac_dry = np.mean(obs < wet)
    thr = np.quantile(mod, frac_dry)
    fut = np.where(fut < thr, 0.0, fut)
    scale = (np.sum(np.where(obs >= wet, obs - wet, 0)) / np.sum(obs >= wet)) / (
        np.sum(np.where(mod >= thr, mod - thr, 0)) / np.sum(mod >= thr))
    return np.where(fut > 0, wet + (fut - thr) * scale, 0.0)


def _qm_args(s, n):
    return (_f(40 * n, seed=s) * 2 + 1, _f(40 * n, seed=s + 1) * 3,
            _f(40 * n, seed=s + 2) * 3 + 0.5)


BIAS_CORRECTION = {
    "quantile_mapping_interp": (quantile_mapping, {"n_q": 50}, lambda s, n: _qm_args(s, n)),
    "quantile_mapping_percentile_extrap": (quantile_mapping_extrapolate, {}, lambda s, n: (
        _qm_args(s, n))),
    "ecdf_searchsorted_quantile": (ecdf_mapping_searchsorted, {}, lambda s, n: _qm_args(s, n)),
    "qdm_rankdata_multiplicative": (quantile_delta_mapping, {}, lambda s, n: (
        _precip(s, 30 * n), _precip(s + 1, 30 * n) * 1.3, _precip(s + 2, 30 * n) * 1.5)),
    "quantile_mapping_per_gridpoint": (quantile_mapping_gridded, {"n_q": 20}, lambda s, n: (
        _f(30, n, seed=s), _f(30, n, seed=s + 1) * 2, _f(30, n, seed=s + 2) * 2)),
    "parametric_qm_norm_fit": (parametric_qm_gaussian, {}, lambda s, n: _qm_args(s, n)),
    "delta_change_monthly_tile": (delta_change_monthly, {"nyears": 2}, lambda s, n: (
        _f(24, n, seed=s), _f(24, n, seed=s + 1), _f(24, n, seed=s + 2) + 1.5)),
    "delta_change_bincount_ratio": (delta_change_precip, {}, lambda s, n: (
        _precip(s, 12 * n), _precip(s + 1, 12 * n), _precip(s + 2, 12 * n))),
    "linear_scaling_variable_dict": (linear_scaling_dict, {}, lambda s, n: (
        {"tas": _f(10 * n, seed=s), "pr": _precip(s, 10 * n)},
        {"tas": _f(10 * n, seed=s + 1) + 2, "pr": _precip(s + 1, 10 * n)},
        {"tas": _f(10 * n, seed=s + 2) + 3, "pr": _precip(s + 2, 10 * n)})),
    "variance_scaling_month_slices": (variance_scaling, {}, lambda s, n: (
        _f(12 * n, seed=s), _f(12 * n, seed=s + 1) * 2, _f(12 * n, seed=s + 2) * 2)),
    "local_intensity_scaling": (wet_day_correction, {}, lambda s, n: (
        _precip(s, 30 * n, dry=0.4), _precip(s + 1, 30 * n, dry=0.2),
        _precip(s + 2, 30 * n, dry=0.2))),
}


@pytest.mark.parametrize("name", _names(BIAS_CORRECTION))
def test_bias_correction_matches_numpy(name):
    """Empirical and parametric quantile mapping, QDM, delta change, linear and variance
    scaling and wet-day corrections: NumPy's values."""
    check_like_numpy(*BIAS_CORRECTION[name])


# ===================================================================== climate indices

# a fixed 30-year calibration sample of monthly precipitation, as SPI scripts load it
CAL_PRECIP = np.random.default_rng(1981).gamma(2.0, 30.0, 360)
CAL_A, CAL_LOC, CAL_SCALE = stats.gamma.fit(CAL_PRECIP, floc=0)


def spi_module_fit(precip):
    cdf = stats.gamma.cdf(precip, CAL_A, loc=CAL_LOC, scale=CAL_SCALE)
    return stats.norm.ppf(cdf)


def spi_fit_inside(precip):
    # the fit of the fixed calibration sample written inside the function
    a, loc, scale = stats.gamma.fit(CAL_PRECIP, floc=0)
    return norm.ppf(stats.gamma(a, loc=loc, scale=scale).cdf(precip))


def spi_thom_mle(precip):
    # Thom's (1958) approximate MLE of the gamma shape from the data itself
    x = precip
    A = np.log(np.mean(x)) - np.mean(np.log(x))
    alpha = (1 + np.sqrt(1 + 4 * A / 3)) / (4 * A)
    beta = np.mean(x) / alpha
    G = scipy.special.gammainc(alpha, x / beta)
    return norm.ppf(G), alpha, beta


def spi_with_zeros(precip, scale=3):
    # accumulation over `scale` months by np.convolve, mixed distribution for zeros
    acc = np.convolve(precip, np.ones(scale), mode="valid")
    q = np.mean(acc == 0)
    nz = np.where(acc > 0, acc, np.nan)
    A = np.log(np.nanmean(nz)) - np.nanmean(np.log(nz))
    alpha = (1 + np.sqrt(1 + 4 * A / 3)) / (4 * A)
    beta = np.nanmean(nz) / alpha
    H = q + (1 - q) * stats.gamma.cdf(acc, alpha, scale=beta)
    return norm.ppf(H)


def spi_by_calendar_month(precip, nyears=4):
    # a gamma per calendar month (Thom), then the 2-D result flattened back
    P = precip.reshape(nyears, 12)
    A = np.log(P.mean(axis=0)) - np.log(P).mean(axis=0)
    alpha = (1 + np.sqrt(1 + 4 * A / 3)) / (4 * A)
    beta = P.mean(axis=0) / alpha
    return stats.norm.ppf(stats.gamma.cdf(P, alpha[None, :], scale=beta[None, :])).ravel()


def spi_approximation_abramowitz(precip):
    # the Abramowitz-Stegun rational approximation used in place of norm.ppf
    a, loc, scale = CAL_A, CAL_LOC, CAL_SCALE
    H = stats.gamma.cdf(precip, a, loc=loc, scale=scale)
    c0, c1, c2 = 2.515517, 0.802853, 0.010328
    d1, d2, d3 = 1.432788, 0.189269, 0.001308
    t = np.where(H <= 0.5, np.sqrt(np.log(1 / H ** 2)), np.sqrt(np.log(1 / (1 - H) ** 2)))
    z = t - (c0 + c1 * t + c2 * t ** 2) / (1 + d1 * t + d2 * t ** 2 + d3 * t ** 3)
    return np.where(H <= 0.5, -z, z)


def spei_log_logistic(wb):
    # SPEI with a log-logistic from probability-weighted moments (Vicente-Serrano 2010)
    x = np.sort(wb)
    n = len(x)
    i = np.arange(1, n + 1)
    F = (i - 0.35) / n
    w0 = np.mean(x)
    w1 = np.mean((1 - F) * x)
    w2 = np.mean((1 - F) ** 2 * x)
    beta = (2 * w1 - w0) / (6 * w1 - w0 - 6 * w2)
    g1 = scipy.special.gamma(1 + 1 / beta)
    g2 = scipy.special.gamma(1 - 1 / beta)
    alpha = (w0 - 2 * w1) * beta / (g1 * g2)
    gamma_ = w0 - alpha * g1 * g2
    cdf = 1 / (1 + (alpha / (wb - gamma_)) ** beta)
    return norm.ppf(cdf)


def degree_days(tmax, tmin, tbase=10.0, tupper=30.0):
    # the simple averaging method with both thresholds applied by np.clip
    tmax_c = np.clip(tmax, tbase, tupper)
    tmin_c = np.clip(tmin, tbase, tupper)
    gdd = (tmax_c + tmin_c) / 2.0 - tbase
    return gdd, np.cumsum(gdd)


def hdd_cdd(tmean, base=18.0):
    hdd = np.maximum(base - tmean, 0).reshape(-1, 73).sum(axis=1)
    cdd = np.clip(tmean - base, 0, None).reshape(-1, 73).sum(axis=1)
    return hdd, cdd


def single_sine_degree_days(tmax, tmin, tbase=10.0):
    # Baskerville-Emin: regimes by np.where, arcsin where the base lies in the daily range
    tavg = (tmax + tmin) / 2
    amp = (tmax - tmin) / 2
    ratio = np.clip((tbase - tavg) / amp, -1, 1)
    theta = np.arcsin(ratio)
    partial = ((tavg - tbase) * (np.pi / 2 - theta) + amp * np.cos(theta)) / np.pi
    return np.where(tmin >= tbase, tavg - tbase, np.where(tmax <= tbase, 0.0, partial))


def heat_index_nws(T, RH):
    """Rothfusz regression with the NWS adjustments, T in Fahrenheit."""
    hi = 0.5 * (T + 61.0 + (T - 68.0) * 1.2 + RH * 0.094)
    full = (-42.379 + 2.04901523 * T + 10.14333127 * RH - 0.22475541 * T * RH
            - 6.83783e-3 * T ** 2 - 5.481717e-2 * RH ** 2 + 1.22874e-3 * T ** 2 * RH
            + 8.5282e-4 * T * RH ** 2 - 1.99e-6 * T ** 2 * RH ** 2)
    adj1 = ((13 - RH) / 4) * np.sqrt((17 - np.abs(T - 95.0)) / 17)
    adj2 = ((RH - 85) / 10) * ((87 - T) / 5)
    full = np.where((RH < 13) & (T > 80) & (T < 112), full - adj1, full)
    full = np.where((RH > 85) & (T > 80) & (T < 87), full + adj2, full)
    return np.where((hi + T) / 2 >= 80, full, hi)


def heat_index_celsius_inplace(tc, rh):
    # metpy-like: convert, compute, mask the cool regime in place, convert back
    tf = tc * 9 / 5 + 32
    out = heat_index_nws(tf, rh)
    out[tf < 80] = tf[tf < 80]
    return (out - 32) * 5 / 9


def wind_chill(t, v):
    # Environment Canada formula, only where T <= 10 C and wind > 4.8 km/h
    wc = 13.12 + 0.6215 * t - 11.37 * v ** 0.16 + 0.3965 * t * v ** 0.16
    return np.where((t <= 10) & (v > 4.8), wc, t)


def humidex_dewpoint(t, rh):
    # Magnus dew point then Environment Canada's humidex
    a, b = 17.625, 243.04
    gamma = np.log(rh / 100.0) + a * t / (b + t)
    td = b * gamma / (a - gamma)
    e = 6.11 * np.exp(5417.7530 * (1 / 273.16 - 1 / (td + 273.15)))
    return td, t + 0.5555 * (e - 10.0)


def apparent_temperature(t, rh, ws):
    e = rh / 100 * 6.105 * np.exp(17.27 * t / (237.7 + t))
    return t + 0.33 * e - 0.70 * ws - 4.00


def wbgt_liljegren_simple(t, rh):
    # Stull's (2011) wet-bulb temperature, then the outdoor shade WBGT approximation
    tw = (t * np.arctan(0.151977 * np.sqrt(rh + 8.313659)) + np.arctan(t + rh)
          - np.arctan(rh - 1.676331) + 0.00391838 * rh ** 1.5 * np.arctan(0.023101 * rh)
          - 4.686035)
    return tw, 0.7 * tw + 0.3 * t


def _tf(s, n):
    return np.random.default_rng(s).uniform(60, 110, 10 * n)


def _rh(s, n):
    return np.random.default_rng(s + 1).uniform(5, 95, 10 * n)


INDICES = {
    "spi_module_gamma_fit": (spi_module_fit, {}, lambda s, n: (_precip(s, 12 * n) + 5,)),
    "spi_gamma_fit_inside": (spi_fit_inside, {}, lambda s, n: (_precip(s, 12 * n) + 5,)),
    "spi_thom_gammainc": (spi_thom_mle, {}, lambda s, n: (_precip(s, 12 * n),)),
    "spi_convolve_mixed_zeros": (spi_with_zeros, {"scale": 3}, lambda s, n: (
        np.r_[np.zeros(4), _precip(s, 12 * n, dry=0.2)],)),
    "spi_calendar_month_gamma": (spi_by_calendar_month, {"nyears": 4}, lambda s, n: (
        _precip(s, 48) * (1 + 0.1 * n),)),
    "spi_abramowitz_stegun": (spi_approximation_abramowitz, {}, lambda s, n: (
        _precip(s, 12 * n) + 5,)),
    "spei_log_logistic_pwm": (spei_log_logistic, {}, lambda s, n: (
        _f(12 * n, seed=s) * 20 + 10,)),
    "gdd_clip_cumsum": (degree_days, {}, lambda s, n: (
        _temps(s, 30 * n, 20) + 5, _temps(s, 30 * n, 20) - 5)),
    "hdd_cdd_reshape_months": (hdd_cdd, {}, lambda s, n: (_temps(s, 73 * n),)),
    "single_sine_where_regimes": (single_sine_degree_days, {}, lambda s, n: (
        _temps(s, 30 * n) + 6, _temps(s, 30 * n) - 6)),
    "heat_index_rothfusz": (heat_index_nws, {}, lambda s, n: (_tf(s, n), _rh(s, n))),
    "heat_index_celsius_mask_write": (heat_index_celsius_inplace, {}, lambda s, n: (
        (_tf(s, n) - 32) * 5 / 9, _rh(s, n))),
    "wind_chill_where": (wind_chill, {}, lambda s, n: (
        _f(10 * n, seed=s) * 10, _pos(s, 10 * n, lo=0, hi=40))),
    "humidex_magnus_dewpoint": (humidex_dewpoint, {}, lambda s, n: (
        _temps(s, 10 * n, 25), _rh(s, n))),
    "apparent_temperature": (apparent_temperature, {}, lambda s, n: (
        _temps(s, 10 * n, 25), _rh(s, n), _pos(s, 10 * n, lo=0, hi=10))),
    "wet_bulb_stull_arctan": (wbgt_liljegren_simple, {}, lambda s, n: (
        _temps(s, 10 * n, 25), _rh(s, n))),
}


@pytest.mark.parametrize("name", _names(INDICES))
def test_climate_indices_match_numpy(name):
    """SPI by gamma fits (module-level, inside, Thom's MLE, per month, with zeros), SPEI,
    degree days, heat index, wind chill, humidex and wet bulb: NumPy's values."""
    check_like_numpy(*INDICES[name])


# ====================================================== extremes: GEV, Gumbel, return levels

RETURN_PERIODS = np.array([2.0, 5.0, 10.0, 20.0, 50.0, 100.0])
EULER_GAMMA = 0.5772156649


def sample_lmoments(x):
    x = np.sort(x)
    n = len(x)
    j = np.arange(1, n + 1)
    b0 = x.mean()
    b1 = np.sum((j - 1) / (n - 1) * x) / n
    b2 = np.sum((j - 1) * (j - 2) / ((n - 1) * (n - 2)) * x) / n
    l1 = b0
    l2 = 2 * b1 - b0
    l3 = 6 * b2 - 6 * b1 + b0
    return l1, l2, l3 / l2


def gev_lmoments_fit(annual_max):
    """Hosking (1985): the shape from tau3 by the rational approximation."""
    l1, l2, t3 = sample_lmoments(annual_max)
    c = 2.0 / (3.0 + t3) - math.log(2) / math.log(3)
    k = 7.8590 * c + 2.9554 * c ** 2
    g = scipy.special.gamma(1 + k)
    alpha = l2 * k / ((1 - 2 ** (-k)) * g)
    xi = l1 + alpha * (g - 1) / k
    return xi, alpha, k


def gev_return_levels(annual_max):
    xi, alpha, k = gev_lmoments_fit(annual_max)
    y = -np.log(1 - 1 / RETURN_PERIODS)
    return xi + alpha / k * (1 - y ** k)


def gev_return_levels_scipy(annual_max):
    # the same fit handed to scipy.stats.genextreme (its c is Hosking's k)
    xi, alpha, k = gev_lmoments_fit(annual_max)
    return stats.genextreme.ppf(1 - 1 / RETURN_PERIODS, k, loc=xi, scale=alpha)


def gev_return_period_of_event(annual_max, event):
    xi, alpha, k = gev_lmoments_fit(annual_max)
    p = stats.genextreme.sf(event, k, loc=xi, scale=alpha)
    return 1.0 / p


def gumbel_moments(daily, nyears):
    am = daily.reshape(nyears, -1).max(axis=1)
    beta = np.sqrt(6) * am.std(ddof=1) / np.pi
    mu = am.mean() - EULER_GAMMA * beta
    levels = mu - beta * np.log(-np.log(1 - 1 / RETURN_PERIODS))
    return am, levels


def gumbel_lmoments_scipy(am):
    l1, l2, _ = sample_lmoments(am)
    scale = l2 / math.log(2)
    loc = l1 - EULER_GAMMA * scale
    return stats.gumbel_r.isf(1 / RETURN_PERIODS, loc=loc, scale=scale)


def plotting_positions(am):
    # empirical return periods: Weibull, Gringorten and Cunnane on the ranks
    order = np.argsort(am)[::-1]
    ranks = np.empty_like(order)
    ranks[order] = np.arange(1, len(am) + 1)
    n = len(am)
    return {"weibull": (n + 1) / ranks, "gringorten": (n + 0.12) / (ranks - 0.44),
            "cunnane": (n + 0.2) / (ranks - 0.4), "sorted": am[order]}


def block_maxima_seasonal(daily, nyears=3):
    # (years, 365) blocks, with a JJA block by column slicing
    d = daily.reshape(nyears, 365)
    jja = d[:, 151:243]
    return d.max(axis=1), jja.max(axis=1), d.argmax(axis=1)


def mean_excess_function(x, thresholds):
    # mean residual life plot values at fixed thresholds by masked sums
    exc = x[None, :] - thresholds[:, None]
    over = exc > 0
    return np.sum(np.where(over, exc, 0), axis=1) / over.sum(axis=1), over.sum(axis=1)


def gpd_moments(x, u):
    # method-of-moments GPD over a threshold with np.where instead of selection
    over = x > u
    n = over.sum()
    y = np.where(over, x - u, 0.0)
    m = y.sum() / n
    v = np.sum(np.where(over, (y - m) ** 2, 0.0)) / (n - 1)
    xi = 0.5 * (1 - m ** 2 / v)
    sigma = 0.5 * m * (m ** 2 / v + 1)
    rate = n / x.size
    T = RETURN_PERIODS * 365.25
    return u + sigma / xi * ((T * rate) ** xi - 1)


def gev_profile_grid(am, shapes):
    # profile log-likelihood of the GEV over a grid of shapes (loc/scale from L-moments)
    xi, alpha, _ = gev_lmoments_fit(am)
    out = np.empty(len(shapes))
    for i, c in enumerate(shapes):
        out[i] = np.sum(stats.genextreme.logpdf(am, c, loc=xi, scale=alpha))
    return out


def _am(s, n):
    return stats.genextreme.rvs(-0.1, loc=30, scale=5, size=10 * n,
                                random_state=np.random.default_rng(s))


EXTREMES = {
    "lmoments_sorted": (sample_lmoments, {}, lambda s, n: (_am(s, n),)),
    "gev_lmoments_hosking": (gev_lmoments_fit, {}, lambda s, n: (_am(s, n),)),
    "gev_return_levels_formula": (gev_return_levels, {}, lambda s, n: (_am(s, n),)),
    "gev_return_levels_genextreme_ppf": (gev_return_levels_scipy, {}, lambda s, n: (
        _am(s, n),)),
    "gev_return_period_sf": (gev_return_period_of_event, {}, lambda s, n: (_am(s, n), 45.0)),
    "gumbel_moments_block_max": (gumbel_moments, {"nyears": 5}, lambda s, n: (
        _precip(s, 5 * 73 * n),)),
    "gumbel_r_isf_lmoments": (gumbel_lmoments_scipy, {}, lambda s, n: (_am(s, n),)),
    "plotting_positions_dict": (plotting_positions, {}, lambda s, n: (_am(s, n),)),
    "block_maxima_jja": (block_maxima_seasonal, {"nyears": 3}, lambda s, n: (
        _temps(s, 3 * 365) * (1 + 0.1 * n),)),
    "mean_excess_thresholds": (mean_excess_function, {}, lambda s, n: (
        _precip(s, 30 * n), np.array([10.0, 20.0, 30.0, 40.0]))),
    "gpd_moments_return_levels": (gpd_moments, {}, lambda s, n: (_precip(s, 100 * n), 40.0)),
    "gev_profile_loglik_loop": (gev_profile_grid, {}, lambda s, n: (
        _am(s, n), [-0.2, -0.1, 0.0, 0.1])),
}


@pytest.mark.parametrize("name", _names(EXTREMES))
def test_extremes_match_numpy(name):
    """L-moments, GEV and Gumbel fits, return levels and periods, plotting positions, block
    maxima, mean excess and GPD: NumPy's values."""
    check_like_numpy(*EXTREMES[name])


# ============================================== trends, smoothing and the seasonal cycle


def mann_kendall_broadcast(x, alpha=0.05):
    n = len(x)
    s = np.sum(np.triu(np.sign(x[None, :] - x[:, None]), k=1))
    var_s = n * (n - 1) * (2 * n + 5) / 18.0
    z = np.where(s > 0, (s - 1) / np.sqrt(var_s), np.where(s < 0, (s + 1) / np.sqrt(var_s), 0.0))
    p = 2 * (1 - norm.cdf(np.abs(z)))
    return s, z, p, p < alpha


def mann_kendall_double_loop(x):
    # pyMannKendall's `__mk_score` as written: a double loop over Python ints
    n = len(x)
    s = 0
    for k in range(n - 1):
        for j in range(k + 1, n):
            s += np.sign(x[j] - x[k])
    return s


def mann_kendall_grid(data):
    # (time, lat, lon) in one go: pairwise signs over the time axis
    n = data.shape[0]
    i, j = np.triu_indices(n, k=1)
    s = np.sign(data[j] - data[i]).sum(axis=0)
    var_s = n * (n - 1) * (2 * n + 5) / 18
    z = (s - np.sign(s)) / np.sqrt(var_s)
    return s, z, 2 * norm.sf(np.abs(z))


def sens_slope(t, x):
    d = (x[None, :] - x[:, None]) / (t[None, :] - t[:, None])
    iu = np.triu_indices(len(x), 1)
    slope = np.median(d[iu])
    intercept = np.median(x - slope * t)
    return slope, intercept


def sens_slope_grid(data):
    n = data.shape[0]
    t = np.arange(n, dtype=float)
    i, j = np.triu_indices(n, k=1)
    slopes = (data[j] - data[i]) / (t[j] - t[i])[:, None, None]
    return np.median(slopes, axis=0)


def theil_sen_scipy(x):
    res = stats.theilslopes(x)
    return res[0], res[1], stats.kendalltau(np.arange(len(x)), x)[0]


def seasonal_kendall(monthly, nyears):
    # S summed over calendar months, months as a Python loop over a (years, 12) reshape
    m = monthly.reshape(nyears, 12)
    S = 0.0
    var = 0.0
    for month in range(12):
        col = m[:, month]
        S = S + np.sum(np.triu(np.sign(col[None, :] - col[:, None]), 1))
        var = var + nyears * (nyears - 1) * (2 * nyears + 5) / 18
    z = (S - np.sign(S)) / np.sqrt(var)
    return S, z


def linear_trend_polyfit_grid(data):
    nt = data.shape[0]
    t = np.arange(nt)
    coef = np.polyfit(t, data.reshape(nt, -1), 1)
    return coef[0].reshape(data.shape[1:]) * 10, coef[1].reshape(data.shape[1:])


def linear_trend_lstsq(t, y):
    A = np.vstack([t, np.ones_like(t)]).T
    (m, c), res, rank, sv = np.linalg.lstsq(A, y, rcond=None)
    resid = y - (m * t + c)
    se = np.sqrt(np.sum(resid ** 2) / (len(t) - 2) / np.sum((t - t.mean()) ** 2))
    return m, c, se, 2 * stats.t.sf(np.abs(m / se), len(t) - 2)


def running_mean_same_edges(x, w=5):
    # np.convolve 'same', renormalised at the edges by the convolved ones
    k = np.ones(w)
    return np.convolve(x, k, mode="same") / np.convolve(np.ones_like(x), k, mode="same")


def running_mean_valid_nan_pad(x, w=5):
    r = np.convolve(x, np.ones(w) / w, mode="valid")
    pad = np.full(w // 2, np.nan)
    return np.concatenate([pad, r, pad])


def running_mean_reflect_pad(x, w=7):
    xp = np.pad(x, w // 2, mode="reflect")
    return np.convolve(xp, np.ones(w) / w, mode="valid")


def running_mean_cumsum(x, w=4):
    c = np.cumsum(np.insert(x, 0, 0.0))
    return (c[w:] - c[:-w]) / float(w)


def running_mean_apply_along_axis(data, w=3):
    return np.apply_along_axis(lambda m: np.convolve(m, np.ones(w) / w, mode="same"), 0, data)


def running_mean_sliding_window(data, w=5):
    win = np.lib.stride_tricks.sliding_window_view(data, w, axis=0)
    return win.mean(axis=-1), np.nanmax(win, axis=-1)


def lowess_free_smoother_uniform_filter(x, w=5):
    return scipy.ndimage.uniform_filter1d(x, size=w, mode="nearest")


def seasonal_cycle_years_by_365(daily, nyears=3):
    d = daily.reshape(nyears, 365)
    clim = d.mean(axis=0)
    anom = d - clim
    return clim, anom.ravel(), d.std(axis=0, ddof=1)


def seasonal_cycle_harmonics(daily, nyears=2, nharm=3):
    # smooth climatology: keep the mean and the first harmonics of the day-of-year means
    clim = daily.reshape(nyears, 365).mean(axis=0)
    spec = np.fft.rfft(clim)
    spec[nharm + 1:] = 0
    smooth = np.fft.irfft(spec, n=365)
    return smooth, daily - np.tile(smooth, nyears)


def seasonal_cycle_lstsq_harmonics(daily):
    t = np.arange(daily.size)
    w = 2 * np.pi * t / 365.25
    X = np.column_stack([np.ones_like(w), np.cos(w), np.sin(w), np.cos(2 * w), np.sin(2 * w)])
    beta, *_ = np.linalg.lstsq(X, daily, rcond=None)
    amp = np.hypot(beta[1], beta[2])
    phase = np.arctan2(beta[2], beta[1])
    return beta, amp, np.mod(phase * 365.25 / (2 * np.pi), 365.25)


def seasonal_means_djf(monthly, nyears):
    # DJF with December from the year before: roll by one, drop the first season
    m = np.roll(monthly, 1).reshape(nyears, 4, 3).mean(axis=2)
    seasons = {"DJF": m[1:, 0], "MAM": m[:, 1], "JJA": m[:, 2], "SON": m[:, 3]}
    return seasons


MONTH_LENGTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def monthly_from_daily_noleap(daily):
    # month boundaries from the cumulative month lengths; reduceat over fixed offsets
    starts = np.concatenate([[0], np.cumsum(MONTH_LENGTH)[:-1]])
    nyears = daily.size // 365
    offs = (starts[None, :] + 365 * np.arange(nyears)[:, None]).ravel()
    sums = np.add.reduceat(daily, offs)
    return sums / np.tile(MONTH_LENGTH, nyears)


def monthly_means_datetime64(dates, values):
    # month numbers from datetime64 arithmetic, then means by bincount
    months = dates.astype("datetime64[M]").astype(int) % 12
    sums = np.bincount(months, weights=values, minlength=12)
    counts = np.bincount(months, minlength=12)
    return sums / counts


def detrend_anomalies_scipy(x):
    return scipy.signal.detrend(x, axis=0), scipy.signal.detrend(x, axis=0, type="constant")


def lag1_autocorr_effective_n(x):
    # effective sample size for trend significance (Bretherton et al. 1999)
    a = x - x.mean(axis=0)
    r1 = np.sum(a[1:] * a[:-1], axis=0) / np.sum(a ** 2, axis=0)
    n = x.shape[0]
    return r1, n * (1 - r1) / (1 + r1)


def _series(s, n, trend=0.05):
    return trend * np.arange(n) + _f(n, seed=s)


def _dates(n):
    return np.arange("2001-01-01", 365 * 3, dtype="datetime64[D]")[:n]


TRENDS = {
    "mann_kendall_triu_sign": (mann_kendall_broadcast, {}, lambda s, n: (_series(s, 5 * n),)),
    "mann_kendall_double_loop": (mann_kendall_double_loop, {}, lambda s, n: (
        _series(s, 2 * n),)),
    "mann_kendall_grid_triu_indices": (mann_kendall_grid, {}, lambda s, n: (
        _series(s, 3 * n)[:, None, None] + _f(3 * n, 2, 3, seed=s),)),
    "sens_slope_triu_median": (sens_slope, {}, lambda s, n: (
        np.arange(5 * n, dtype=float), _series(s, 5 * n))),
    "sens_slope_grid": (sens_slope_grid, {}, lambda s, n: (_f(3 * n, 2, 3, seed=s),)),
    "theilslopes_kendalltau": (theil_sen_scipy, {}, lambda s, n: (_series(s, 4 * n),)),
    "seasonal_kendall_month_loop": (seasonal_kendall, {"nyears": 5}, lambda s, n: (
        _series(s, 60) * n,)),
    "polyfit_trend_grid": (linear_trend_polyfit_grid, {}, lambda s, n: (
        _f(4 * n, 3, 2, seed=s),)),
    "lstsq_trend_t_test": (linear_trend_lstsq, {}, lambda s, n: (
        np.arange(5.0 * n), _series(s, 5 * n))),
    "running_mean_same_renormalised": (running_mean_same_edges, {"w": 5}, lambda s, n: (
        _f(5 * n, seed=s),)),
    "running_mean_valid_nan_pad": (running_mean_valid_nan_pad, {"w": 5}, lambda s, n: (
        _f(5 * n, seed=s),)),
    "running_mean_reflect_pad": (running_mean_reflect_pad, {"w": 7}, lambda s, n: (
        _f(5 * n, seed=s),)),
    "running_mean_cumsum_insert": (running_mean_cumsum, {"w": 4}, lambda s, n: (
        _f(5 * n, seed=s),)),
    "running_mean_apply_along_axis": (running_mean_apply_along_axis, {"w": 3}, lambda s, n: (
        _f(3 * n, 4, seed=s),)),
    "sliding_window_view_time_axis": (running_mean_sliding_window, {"w": 5}, lambda s, n: (
        _f(3 * n, 4, seed=s),)),
    "uniform_filter1d_nearest": (lowess_free_smoother_uniform_filter, {"w": 5}, lambda s, n: (
        _f(5 * n, seed=s),)),
    "seasonal_cycle_reshape_365": (seasonal_cycle_years_by_365, {"nyears": 3}, lambda s, n: (
        _temps(s, 3 * 365) * n,)),
    "seasonal_cycle_rfft_harmonics": (seasonal_cycle_harmonics, {"nyears": 2, "nharm": 3},
                                      lambda s, n: (_temps(s, 730) * n,)),
    "seasonal_cycle_lstsq_harmonics": (seasonal_cycle_lstsq_harmonics, {}, lambda s, n: (
        _temps(s, 100 * n),)),
    "djf_roll_reshape_dict": (seasonal_means_djf, {"nyears": 3}, lambda s, n: (
        _temps(s, 36) * n,)),
    "monthly_reduceat_noleap": (monthly_from_daily_noleap, {}, lambda s, n: (
        _temps(s, 365 * (n // 2)),)),
    "monthly_datetime64_bincount": (monthly_means_datetime64, {}, lambda s, n: (
        _dates(180 * n), _temps(s, 180 * n))),
    "detrend_scipy_signal": (detrend_anomalies_scipy, {}, lambda s, n: (
        _f(5 * n, 3, seed=s) + np.arange(5 * n)[:, None],)),
    "lag1_effective_sample_size": (lag1_autocorr_effective_n, {}, lambda s, n: (
        np.cumsum(_f(5 * n, 3, seed=s), axis=0) * 0.3 + _f(5 * n, 3, seed=s + 1),)),
}


@pytest.mark.parametrize("name", _names(TRENDS))
def test_trends_and_cycles_match_numpy(name):
    """Mann-Kendall, Sen's slope, polyfit/lstsq trends, running means with edge handling,
    seasonal cycles by reshape, harmonics and datetime64 months: NumPy's values."""
    check_like_numpy(*TRENDS[name])


# ========================================================= lat/lon grids and regridding

GRID_LAT = np.linspace(-80.0, 80.0, 9)
GRID_LON = np.arange(0.0, 360.0, 40.0)
EARTH_RADIUS = 6.371e6


def global_mean_coslat(field, lat):
    w = np.cos(np.deg2rad(lat))
    return (field * w[:, None]).sum(axis=(-2, -1)) / (w.sum() * field.shape[-1])


def global_mean_np_average(field, lat):
    # (time, lat, lon) with weights broadcast to the field, np.average(axis=tuple)
    w = np.broadcast_to(np.cos(np.radians(lat))[:, None], field.shape[-2:])
    return np.average(field, axis=(-2, -1), weights=w)


def global_mean_nan_aware(field, lat):
    # missing values (NaN over land) excluded from both the sum and the weights
    w = np.cos(np.deg2rad(lat))[:, None] * np.ones(field.shape[-1])
    valid = ~np.isnan(field)
    return np.nansum(field * w, axis=(-2, -1)) / np.sum(w * valid, axis=(-2, -1))


def global_mean_masked_array(field, lat, mask):
    fm = np.ma.masked_array(field, mask=np.broadcast_to(mask, field.shape))
    w = np.cos(np.deg2rad(lat))[:, None] * np.ones(field.shape[-1])
    return np.ma.average(fm, axis=(-2, -1), weights=np.broadcast_to(w, field.shape)).filled(
        np.nan)


def cell_area_weights(lat, lon):
    # exact cell areas from latitude bounds: R^2 dlon (sin(lat_n) - sin(lat_s))
    dlat = lat[1] - lat[0]
    bounds = np.concatenate([lat - dlat / 2, [lat[-1] + dlat / 2]])
    bounds = np.clip(bounds, -90, 90)
    dlon = np.deg2rad(lon[1] - lon[0])
    band = EARTH_RADIUS ** 2 * dlon * np.diff(np.sin(np.deg2rad(bounds)))
    area = np.repeat(band[:, None], len(lon), axis=1)
    return area, area.sum() / (4 * np.pi * EARTH_RADIUS ** 2)


def hemispheric_and_band_means(field):
    # module-level latitude masks select rows of the module grid
    w = np.cos(np.deg2rad(GRID_LAT))
    out = {}
    for name, sel in (("NH", GRID_LAT > 0), ("SH", GRID_LAT < 0),
                      ("tropics", np.abs(GRID_LAT) <= 30)):
        f = field[..., sel, :].mean(axis=-1)
        out[name] = np.sum(f * w[sel], axis=-1) / w[sel].sum()
    return out


def zonal_mean_and_eddy(field):
    zm = field.mean(axis=-1, keepdims=True)
    eddy = field - zm
    return zm[..., 0], np.sqrt((eddy ** 2).mean(axis=-1))


def unpack_netcdf_int16(packed, scale_factor, add_offset, fill=-32767):
    # CF unpacking: int16 with a float32 scale and offset, fill values to NaN
    data = packed.astype(np.float32) * scale_factor + add_offset
    data[packed == fill] = np.nan
    return data


def add_cyclic_point(field, lon):
    # cartopy's add_cyclic_point written out: repeat the first column at lon + 360
    f = np.concatenate([field, field[..., :1]], axis=-1)
    lo = np.append(lon, lon[0] + 360.0)
    return f, lo


def lon_180_to_360(field, lon):
    # roll a -180..180 grid to 0..360 by a fixed argsort of the wrapped longitudes
    lon360 = np.mod(lon, 360.0)
    order = np.argsort(lon360)
    return field[..., order], lon360[order]


def bilinear_regrid_searchsorted(field, lat, lon, new_lat, new_lon):
    i = np.clip(np.searchsorted(lat, new_lat) - 1, 0, len(lat) - 2)
    j = np.clip(np.searchsorted(lon, new_lon) - 1, 0, len(lon) - 2)
    wy = ((new_lat - lat[i]) / (lat[i + 1] - lat[i]))[:, None]
    wx = ((new_lon - lon[j]) / (lon[j + 1] - lon[j]))[None, :]
    f00 = field[np.ix_(i, j)]
    f01 = field[np.ix_(i, j + 1)]
    f10 = field[np.ix_(i + 1, j)]
    f11 = field[np.ix_(i + 1, j + 1)]
    return (f00 * (1 - wy) * (1 - wx) + f01 * (1 - wy) * wx
            + f10 * wy * (1 - wx) + f11 * wy * wx)


def bilinear_points_time(field, lat, lon, plat, plon):
    # station points from a (time, lat, lon) field, indices broadcast over time
    i = np.searchsorted(lat, plat, side="right") - 1
    j = np.searchsorted(lon, plon, side="right") - 1
    i = np.clip(i, 0, lat.size - 2)
    j = np.clip(j, 0, lon.size - 2)
    ty = (plat - lat[i]) / (lat[i + 1] - lat[i])
    tx = (plon - lon[j]) / (lon[j + 1] - lon[j])
    return ((1 - ty) * (1 - tx) * field[:, i, j] + (1 - ty) * tx * field[:, i, j + 1]
            + ty * (1 - tx) * field[:, i + 1, j] + ty * tx * field[:, i + 1, j + 1])


def regrid_two_pass_interp(field, lat, lon, new_lat, new_lon):
    # separable linear regridding: np.interp along lon for each row, then along lat
    tmp = np.empty((len(lat), len(new_lon)))
    for r in range(len(lat)):
        tmp[r] = np.interp(new_lon, lon, field[r], period=360)
    out = np.empty((len(new_lat), len(new_lon)))
    for c in range(len(new_lon)):
        out[:, c] = np.interp(new_lat, lat, tmp[:, c])
    return out


def regrid_rgi_module_axes(field, new_lat, new_lon):
    interp = scipy.interpolate.RegularGridInterpolator((GRID_LAT, GRID_LON), field,
                                                       bounds_error=False, fill_value=None)
    la, lo = np.meshgrid(new_lat, new_lon, indexing="ij")
    return interp(np.stack([la.ravel(), lo.ravel()], axis=-1)).reshape(la.shape)


def regrid_map_coordinates(field, new_lat, new_lon):
    # fractional indices on the module grid, order-1 spline (bilinear)
    fi = (new_lat - GRID_LAT[0]) / (GRID_LAT[1] - GRID_LAT[0])
    fj = (new_lon - GRID_LON[0]) / (GRID_LON[1] - GRID_LON[0])
    ii, jj = np.meshgrid(fi, fj, indexing="ij")
    return scipy.ndimage.map_coordinates(field, [ii, jj], order=1, mode="nearest")


def nearest_neighbour_stations(field, lat, lon, slat, slon):
    i = np.abs(lat[:, None] - slat[None, :]).argmin(axis=0)
    j = np.abs(lon[:, None] - slon[None, :]).argmin(axis=0)
    return field[..., i, j]


def conservative_remap_1d(values, src_edges, dst_edges):
    # overlap-weighted averages between two sets of cell edges
    lo = np.maximum(src_edges[None, :-1], dst_edges[:-1, None])
    hi = np.minimum(src_edges[None, 1:], dst_edges[1:, None])
    overlap = np.clip(hi - lo, 0, None)
    return overlap @ values / overlap.sum(axis=1)


def coarsen_block_mean(field, f=2):
    ny, nx = field.shape[-2:]
    return field.reshape(field.shape[:-2] + (ny // f, f, nx // f, f)).mean(axis=(-3, -1))


def geostrophic_wind(z, lat, lon, g=9.81):
    # u = -g/f dZ/dy, v = g/f dZ/dx on a sphere, np.gradient in radians
    phi = np.deg2rad(lat)
    f = 2 * 7.292e-5 * np.sin(phi)[:, None]
    dzdy = np.gradient(z, phi, axis=0) / EARTH_RADIUS
    dzdx = np.gradient(z, np.deg2rad(lon), axis=1) / (EARTH_RADIUS * np.cos(phi)[:, None])
    return -g / f * dzdy, g / f * dzdx


def _grid(s, nt, ny=9, nx=9):
    return _f(nt, ny, nx, seed=s) + 10 * np.cos(np.deg2rad(GRID_LAT))[:, None]


def _newlat(n):
    return np.linspace(-75.0, 75.0, n + 1)


def _newlon(n):
    return np.linspace(5.0, 315.0, n + 2)


GRIDS = {
    "global_mean_coslat": (global_mean_coslat, {}, lambda s, n: (_grid(s, n), GRID_LAT)),
    "global_mean_np_average_tuple_axis": (global_mean_np_average, {}, lambda s, n: (
        _grid(s, n), GRID_LAT)),
    "global_mean_nansum_missing": (global_mean_nan_aware, {}, lambda s, n: (
        np.where(_u(s, n, 9, 9) < 0.2, np.nan, _grid(s, n)), GRID_LAT)),
    "global_mean_np_ma_average": (global_mean_masked_array, {}, lambda s, n: (
        _grid(s, n), GRID_LAT, _u(s, 9, 9) < 0.3)),
    "cell_area_sin_bounds": (cell_area_weights, {}, lambda s, n: (
        np.linspace(-90 + 90 / n, 90 - 90 / n, n), np.arange(0.0, 360.0, 360 / (2 * n)))),
    "hemisphere_band_means_dict": (hemispheric_and_band_means, {}, lambda s, n: (
        _grid(s, n),)),
    "zonal_mean_eddy_keepdims": (zonal_mean_and_eddy, {}, lambda s, n: (_grid(s, n),)),
    "unpack_int16_scale_offset": (unpack_netcdf_int16, {}, lambda s, n: (
        np.where(_u(s, n, 5) < 0.2, -32767,
                 _i(20000, n, 5, seed=s) - 10000).astype(np.int16),
        np.float32(0.01), np.float32(273.15))),
    "add_cyclic_point": (add_cyclic_point, {}, lambda s, n: (_grid(s, n), GRID_LON)),
    "lon_wrap_argsort": (lon_180_to_360, {}, lambda s, n: (
        _f(n, 8, seed=s), np.arange(-180.0, 180.0, 45.0) + 2.5)),
    "bilinear_searchsorted_ix": (bilinear_regrid_searchsorted, {}, lambda s, n: (
        _grid(s, 1)[0], GRID_LAT, GRID_LON, _newlat(n), _newlon(n))),
    "bilinear_station_points_time": (bilinear_points_time, {}, lambda s, n: (
        _grid(s, 3), GRID_LAT, GRID_LON, _u(s, n) * 150 - 75, _u(s + 1, n) * 300 + 5)),
    "regrid_interp_period_loops": (regrid_two_pass_interp, {}, lambda s, n: (
        _grid(s, 1)[0], GRID_LAT, GRID_LON, _newlat(n), _newlon(n) + 20)),
    "regrid_rgi_module_axes": (regrid_rgi_module_axes, {}, lambda s, n: (
            _grid(s, 1)[0], _newlat(n), _newlon(n))),
    "regrid_map_coordinates": (regrid_map_coordinates, {}, lambda s, n: (
        _grid(s, 1)[0], _newlat(n), _newlon(n))),
    "nearest_station_argmin": (nearest_neighbour_stations, {}, lambda s, n: (
        _grid(s, 2), GRID_LAT, GRID_LON, _u(s, n) * 150 - 75 + 0.1, _u(s + 1, n) * 300 + 7)),
    "conservative_remap_overlap": (conservative_remap_1d, {}, lambda s, n: (
        _f(3 * n, seed=s), np.linspace(0, 1, 3 * n + 1), np.linspace(0, 1, n + 1))),
    "coarsen_reshape_block_mean": (coarsen_block_mean, {"f": 2}, lambda s, n: (
        _f(3, 2 * n, 4 * n, seed=s),)),
    "geostrophic_wind_gradient": (geostrophic_wind, {}, lambda s, n: (
        5500 + 100 * _f(2 * n, 8, seed=s), np.linspace(20, 70, 2 * n), np.arange(0., 80., 10))),
}


@pytest.mark.parametrize("name", _names(GRIDS))
def test_grids_and_regridding_match_numpy(name):
    """Area-weighted means (cos lat, np.average, NaN-aware, masked), cell areas, band means,
    netCDF unpacking, cyclic points, bilinear regridding by searchsorted, interp, RGI and
    map_coordinates, nearest stations, conservative remapping: NumPy's values."""
    check_like_numpy(*GRIDS[name])


# ================================================ ETCCDI-style indices on (years, 365) data


def frost_summer_icing_days(tmin, tmax, nyears):
    tn = tmin.reshape(nyears, 365)
    tx = tmax.reshape(nyears, 365)
    return {"FD": (tn < 0).sum(axis=1), "SU": (tx > 25).sum(axis=1),
            "ID": np.count_nonzero(tx < 0, axis=1), "TR": np.sum(tn > 20, axis=1)}


def tx90p_percentile_doy(tmax, nyears, window=5):
    # day-of-year 90th percentiles from a 5-day window (wrapping by np.take mode='wrap')
    tx = tmax.reshape(nyears, 365)
    doy = np.arange(365)
    idx = doy[:, None] + np.arange(-(window // 2), window // 2 + 1)[None, :]
    pool = np.take(tx, idx, axis=1, mode="wrap")  # (years, 365, window)
    thresh = np.percentile(pool.transpose(1, 0, 2).reshape(365, -1), 90, axis=1)
    return 100.0 * np.mean(tx > thresh[None, :], axis=1)


def consecutive_dry_days(pr, nyears, wet=1.0):
    # the running spell length carried through a loop over days
    p = pr.reshape(nyears, 365)
    run = np.zeros(nyears, dtype=np.int64)
    longest = np.zeros(nyears, dtype=np.int64)
    for d in range(365):
        dry = p[:, d] < wet
        run = np.where(dry, run + 1, 0)
        longest = np.maximum(longest, run)
    return longest


def spell_lengths_cumsum_trick(pr, wet=1.0):
    # run lengths without a loop: cumsum reset by maximum.accumulate
    dry = (pr < wet).astype(int)
    c = np.cumsum(dry)
    reset = np.maximum.accumulate(np.where(dry == 0, c, 0))
    return c - reset, np.max(c - reset)


def rx1day_rx5day_sdii(pr, nyears):
    p = pr.reshape(nyears, 365)
    rx5 = np.stack([np.convolve(row, np.ones(5), mode="valid").max() for row in p])
    wet = p >= 1.0
    sdii = np.sum(p * wet, axis=1) / np.maximum(wet.sum(axis=1), 1)
    return p.max(axis=1), rx5, sdii


def r95p_nanpercentile(pr, nyears):
    p = pr.reshape(nyears, 365)
    wetvals = np.where(p >= 1.0, p, np.nan)
    q95 = np.nanpercentile(wetvals, 95)
    return np.sum(np.where(p > q95, p, 0.0), axis=1), q95


def growing_season_length(tmean, nyears):
    # first run of 6 days > 5 C, last run of 6 days < 5 C after July, by argmax
    t = tmean.reshape(nyears, 365)
    warm = np.lib.stride_tricks.sliding_window_view(t > 5, 6, axis=1).all(axis=-1)
    cold = np.lib.stride_tricks.sliding_window_view(t < 5, 6, axis=1).all(axis=-1)
    start = np.where(warm.any(axis=1), warm.argmax(axis=1), 365)
    late = cold[:, 181:]
    end = np.where(late.any(axis=1), late.argmax(axis=1) + 181, 365)
    return end - start


def diurnal_temperature_range(tmax, tmin, nyears):
    dtr = (tmax - tmin).reshape(nyears, 365)
    return dtr.mean(axis=1), np.ptp(dtr, axis=1)


def warm_spell_duration(tmax, thresh, nyears):
    # WSDI: days in spells of at least 6 days above the day-of-year threshold
    hot = (tmax.reshape(nyears, 365) > thresh[None, :]).astype(np.int8)
    k = np.ones(6, dtype=np.int8)
    counts = np.zeros(hot.shape, dtype=bool)
    for y in range(nyears):
        full = np.convolve(hot[y], k, mode="valid") == 6
        mark = np.convolve(full.astype(np.int8), k, mode="full") > 0
        counts[y] = mark
    return counts.sum(axis=1)


def _daily(s, nyears, base=12.0, amp=12.0):
    return _temps(s, 365 * nyears, base, amp)


ETCCDI = {
    "frost_summer_icing_dict": (frost_summer_icing_days, {"nyears": 2}, lambda s, n: (
        _daily(s, 2, 8) - n, _daily(s, 2, 16) + n)),
    "tx90p_take_wrap_percentile": (tx90p_percentile_doy, {"nyears": 2, "window": 5},
                                   lambda s, n: (_daily(s, 2) * (1 + 0.05 * n),)),
    "cdd_running_spell_loop": (consecutive_dry_days, {"nyears": 2}, lambda s, n: (
        _precip(s, 730, dry=0.3 + 0.05 * n),)),
    "spell_cumsum_maximum_accumulate": (spell_lengths_cumsum_trick, {}, lambda s, n: (
        _precip(s, 30 * n, dry=0.5),)),
    "rx5day_list_of_convolves": (rx1day_rx5day_sdii, {"nyears": 2}, lambda s, n: (
        _precip(s, 730, dry=0.1 * n),)),
    "r95p_nanpercentile": (r95p_nanpercentile, {"nyears": 2}, lambda s, n: (
        _precip(s, 730, dry=0.1 * n),)),
    "growing_season_sliding_all": (growing_season_length, {"nyears": 2}, lambda s, n: (
        _daily(s, 2, 6 + n, 12),)),
    "dtr_ptp": (diurnal_temperature_range, {"nyears": 2}, lambda s, n: (
        _daily(s, 2) + 5, _daily(s + 1, 2) - n)),
    "wsdi_convolve_int8_loop": (warm_spell_duration, {"nyears": 2}, lambda s, n: (
        _daily(s, 2), _daily(99, 1) + 2 + 0.1 * n)),
}


@pytest.mark.parametrize("name", _names(ETCCDI))
def test_etccdi_indices_match_numpy(name):
    """Frost/summer days, TX90p with wrapped windows, dry spells by a loop and by cumsum,
    Rx5day, R95p, growing season length, DTR and WSDI: NumPy's values."""
    check_like_numpy(*ETCCDI[name])


# ======================================================= EOFs, in-place workflows and misc


def eof_svd_coslat(anom, lat, neofs=2):
    # sqrt(cos lat) weights, SVD of (time, space), signs fixed by the largest loading
    nt = anom.shape[0]
    w = np.sqrt(np.cos(np.deg2rad(lat)))[:, None]
    X = (anom * w).reshape(nt, -1)
    X = X - X.mean(axis=0)
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    eofs = Vt[:neofs]
    sign = np.sign(eofs[np.arange(neofs), np.abs(eofs).argmax(axis=1)])
    eofs = eofs * sign[:, None]
    pcs = U[:, :neofs] * s[:neofs] * sign
    var_frac = s ** 2 / np.sum(s ** 2)
    return eofs.reshape((neofs,) + anom.shape[1:]), pcs, var_frac[:neofs]


def eof_covariance_eigh(anom):
    X = anom.reshape(anom.shape[0], -1)
    X = X - X.mean(axis=0)
    C = np.cov(X, rowvar=False)
    vals, vecs = np.linalg.eigh(C)
    order = np.argsort(vals)[::-1]
    return vals[order] / vals.sum()


def kelvin_to_celsius_dict_inplace(ds):
    # scripts convert units on the dataset dict in place
    ds["tas"] -= 273.15
    ds["pr"] *= 86400.0
    ds["pr"][ds["pr"] < 0.1] = 0.0
    return {k: v.mean(axis=0) for k, v in ds.items()}


def anomalies_inplace_out(field, clim):
    np.subtract(field, clim, out=field)
    np.clip(field, -5.0, 5.0, out=field)
    return field.std(axis=0)


def standardise_by_month_inplace(x, nyears):
    # monthly z-scores written back through a reshaped view
    v = x.reshape(nyears, 12)
    v -= v.mean(axis=0)
    v /= v.std(axis=0, ddof=1)
    return x


def histogram_density_weighted(x, w, edges):
    h, _ = np.histogram(x, bins=edges, weights=w, density=True)
    return h, np.cumsum(h * np.diff(edges))


def percentile_methods(x):
    q = [5, 50, 95]
    return {m: np.percentile(x, q, method=m)
            for m in ("linear", "hazen", "weibull", "median_unbiased", "nearest")}


def interp_float32_left_right(x32, xp, fp):
    # np.interp of float32 inputs gives float64, left/right fill values outside
    return np.interp(x32, xp, fp, left=-999.0, right=999.0)


def digitize_right_decreasing(x):
    # decreasing edges (pressure levels), right=True
    levels = np.array([1000.0, 850.0, 700.0, 500.0, 300.0])
    return np.digitize(x, levels, right=True), np.digitize(x, levels)


def bincount_float32_weights(idx, w32):
    return np.bincount(idx, weights=w32, minlength=6)


def weighted_cov_aweights(x, w):
    return np.cov(x, aweights=w), np.average(x, axis=1, weights=w)


def nan_stats_station_table(x):
    return {"mean": np.nanmean(x, axis=0), "median": np.nanmedian(x, axis=0),
            "std": np.nanstd(x, axis=0, ddof=1), "count": np.sum(~np.isnan(x), axis=0),
            "p90": np.nanquantile(x, 0.9, axis=0)}


def masked_invalid_climatology(x):
    m = np.ma.masked_invalid(x)
    clim = m.mean(axis=0)
    anom = m - clim
    return clim.filled(np.nan), anom.filled(0.0), np.ma.count(m, axis=0)


def probit_ndtri_erfinv(p):
    return scipy.special.ndtri(p), np.sqrt(2) * scipy.special.erfinv(2 * p - 1)


def pearsonr_result_object(x, y):
    r = stats.pearsonr(x, y)
    return r.statistic, r.pvalue


def norm_interval_ci(x):
    m = x.mean()
    se = x.std(ddof=1) / np.sqrt(x.size)
    lo, hi = stats.norm.interval(0.95, loc=m, scale=se)
    lo_t, hi_t = stats.t.interval(0.95, x.size - 1, loc=m, scale=se)
    return lo, hi, lo_t, hi_t


def bootstrap_fixed_indices(fc, ob, idx):
    # resampled RMSE with resampling indices drawn once outside (idx (B, n))
    err = (fc - ob) ** 2
    samples = np.sqrt(err[idx].mean(axis=1))
    return np.percentile(samples, [2.5, 97.5]), samples.std()


def bootstrap_rng_inside(fc, ob, nboot=20):
    # a seeded Generator made inside the function, as notebooks write it
    rng = np.random.default_rng(42)
    n = len(fc)
    scores = np.empty(nboot)
    for b in range(nboot):
        idx = rng.integers(0, n, n)
        scores[b] = np.corrcoef(fc[idx], ob[idx])[0, 1]
    return np.quantile(scores, [0.05, 0.95])


def wind_speed_direction(u, v):
    # meteorological direction (where the wind blows from) in degrees, float32 fields
    ws = np.hypot(u, v)
    wd = np.mod(270.0 - np.degrees(np.arctan2(v, u)), 360.0)
    sector = (np.floor((wd + 22.5) / 45.0) % 8).astype(np.int64)
    return ws, wd, np.bincount(sector, weights=ws, minlength=8)


def _fill_nans(s, n, frac=0.2):
    x = _f(4 * n, 5, seed=s)
    x[_u(s + 3, 4 * n, 5) < frac] = np.nan
    x[0] = _f(5, seed=s + 4)
    return x


MORE = {
    "eof_svd_coslat_sign_fix": (eof_svd_coslat, {"neofs": 2}, lambda s, n: (
        _f(3 * n + 6, 4, 5, seed=s) * np.linspace(1, 3, 20).reshape(4, 5), np.linspace(
            -60, 60, 4))),
    "eof_cov_eigh_variance": (eof_covariance_eigh, {}, lambda s, n: (_f(4 * n, 3, 2, seed=s),)),
    "units_dict_inplace": (kelvin_to_celsius_dict_inplace, {}, lambda s, n: (
        {"tas": 280 + _f(n, 3, seed=s), "pr": _u(s, n, 3) * 1e-5},)),
    "subtract_out_clip_out": (anomalies_inplace_out, {}, lambda s, n: (
        _f(n, 5, seed=s) * 4, _f(5, seed=9))),
    "monthly_zscore_view_inplace": (standardise_by_month_inplace, {"nyears": 3}, lambda s, n: (
        _f(36, seed=s) * n,)),
    "histogram_density_weights": (histogram_density_weighted, {}, lambda s, n: (
        _f(20 * n, seed=s), _u(s, 20 * n) + 0.1, np.linspace(-3, 3, 9))),
    "percentile_methods_dict": (percentile_methods, {}, lambda s, n: (_f(10 * n + 1, seed=s),)),
    "interp_float32_left_right": (interp_float32_left_right, {}, lambda s, n: (
        (_f(5 * n, seed=s) * 3).astype(np.float32), np.linspace(-2, 2, 7), _f(7, seed=s))),
    "digitize_decreasing_right": (digitize_right_decreasing, {}, lambda s, n: (
        np.r_[_u(s, 5 * n) * 900 + 200, 850.0, 500.0],)),
    "bincount_float32_weights": (bincount_float32_weights, {}, lambda s, n: (
        _i(6, 5 * n, seed=s), _u(s, 5 * n).astype(np.float32))),
    "cov_aweights_average": (weighted_cov_aweights, {}, lambda s, n: (
        _f(3, 5 * n, seed=s), _u(s, 5 * n) + 0.2)),
    "nan_station_stats_dict": (nan_stats_station_table, {}, lambda s, n: (_fill_nans(s, n),)),
    "masked_invalid_climatology": (masked_invalid_climatology, {}, lambda s, n: (
        _fill_nans(s, n),)),
    "ndtri_erfinv": (probit_ndtri_erfinv, {}, lambda s, n: (
        np.clip(_u(s, 5 * n), 0.01, 0.99),)),
    "pearsonr_result": (pearsonr_result_object, {}, lambda s, n: _anoms(s, 5 * n)),
    "norm_t_interval": (norm_interval_ci, {}, lambda s, n: (
        _f(5 * n, seed=s),)),
    "bootstrap_fixed_indices": (bootstrap_fixed_indices, {}, lambda s, n: (
        *_anoms(s, 5 * n), _i(5 * n, 30, 5 * n, seed=s))),
    "bootstrap_rng_inside_loop": (bootstrap_rng_inside, {"nboot": 20}, lambda s, n: (
        _anoms(s, 5 * n))),
    "wind_direction_sectors": (wind_speed_direction, {}, lambda s, n: (
        _f(5 * n, seed=s).astype(np.float32), _f(5 * n, seed=s + 1).astype(np.float32))),
}


@pytest.mark.parametrize("name", _names(MORE))
def test_more_climate_code_matches_numpy(name):
    """EOFs by SVD and eigh, unit conversions and anomalies written in place, weighted
    histograms, percentile methods, interp/digitize/bincount dtypes, NaN and masked
    statistics, probits, SciPy result objects and intervals, bootstraps, wind sectors: NumPy's
    values."""
    check_like_numpy(*MORE[name])


# =========================================================================== refused forms


def spi_fit_traced_sample(precip):
    # the gamma fitted to the function's own data (an iterative MLE in SciPy)
    a, loc, scale = stats.gamma.fit(precip, floc=0)
    return norm.ppf(stats.gamma.cdf(precip, a, loc=loc, scale=scale))


def gev_fit_traced(am):
    c, loc, scale = stats.genextreme.fit(am)
    return stats.genextreme.ppf(1 - 1 / RETURN_PERIODS, c, loc=loc, scale=scale)


def mann_kendall_if_elif(x):
    # pyMannKendall's `__z_score`: the sign of s picks the formula in Python
    n = len(x)
    s = np.sum(np.triu(np.sign(x[None, :] - x[:, None]), 1))
    var_s = n * (n - 1) * (2 * n + 5) / 18
    if s > 0:
        z = (s - 1) / np.sqrt(var_s)
    elif s < 0:
        z = (s + 1) / np.sqrt(var_s)
    else:
        z = 0
    return z


def reliability_skip_empty_bins(p, o):
    obs_freq = []
    for k in range(len(PROB_EDGES) - 1):
        inbin = (p >= PROB_EDGES[k]) & (p < PROB_EDGES[k + 1])
        if inbin.sum() > 0:
            obs_freq.append(o[inbin].mean())
        else:
            obs_freq.append(np.nan)
    return np.array(obs_freq)


def calibration_curve_nonzero(p, o, n_bins=5):
    # scikit-learn's calibration_curve: empty bins dropped by `nonzero`
    bins = np.linspace(0.0, 1.0, n_bins + 1)
    ids = np.searchsorted(bins[1:-1], p)
    bin_true = np.bincount(ids, weights=o, minlength=len(bins))
    bin_total = np.bincount(ids, minlength=len(bins))
    nonzero = bin_total != 0
    return bin_true[nonzero] / bin_total[nonzero]


def peaks_over_threshold_selection(x, u):
    exceed = x[x > u] - u
    return exceed.mean(), exceed.var(ddof=1)


def flip_descending_latitudes(field, lat):
    # ERA5 latitudes run north to south; scripts flip them before searchsorted
    if lat[0] > lat[-1]:
        lat = lat[::-1]
        field = field[::-1]
    return np.interp(45.0, lat, field[:, 0])


def colorbar_symmetric_limits(anom):
    vmax = max(abs(anom.min()), abs(anom.max()))
    return np.linspace(-vmax, vmax, 11)


def categories_by_unique(fc_cat):
    cats, counts = np.unique(fc_cat, return_counts=True)
    return cats, counts / counts.sum()


def gumbel_newton_until_converged(am, tol=1e-8):
    # the ML scale of a Gumbel by Newton iterations until the step is small
    beta = np.sqrt(6) * am.std() / np.pi
    while True:
        e = np.exp(-am / beta)
        g = am.mean() - beta - np.sum(am * e) / np.sum(e)
        dg = -1 - (np.sum(am ** 2 * e) * np.sum(e) - np.sum(am * e) ** 2) / (
            beta ** 2 * np.sum(e) ** 2)
        step = g / dg
        beta -= step
        if abs(step) < tol:
            break
    return beta


def print_score_report(fc, ob):
    rmse = np.sqrt(np.mean((fc - ob) ** 2))
    report = f"RMSE = {rmse:.3f}"
    return report, rmse


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

def fitted_gamma_moments(precip):
    # the fitted distribution's mean, spread and 90% range, frozen as scripts freeze it
    a, loc, scale = stats.gamma.fit(precip, floc=0)
    dist = stats.gamma(a, loc, scale)
    return dist.mean(), dist.std(), dist.interval(0.9)


def ecdf_of_traced_sample(x):
    return stats.ecdf(x).cdf.evaluate(np.array([-1.0, 0.0, 1.0]))


def climate_signal_tests(hist, fut):
    # field significance of a change signal: parametric and rank tests per call
    t = stats.ttest_ind(fut, hist, equal_var=False)
    u = stats.mannwhitneyu(fut, hist)
    ks = stats.ks_2samp(fut, hist)
    return t.statistic, t.pvalue, u.pvalue, ks.statistic, ks.pvalue


def distribution_shape_summary(x):
    return (stats.skew(x), stats.kurtosis(x), stats.iqr(x, rng=(10, 90)),
            stats.percentileofscore(x, 0.3), stats.kstest(x, "norm").pvalue)


def binned_mean_by_elevation(elev, t):
    # lapse-rate check: mean temperature in fixed elevation bands
    return stats.binned_statistic(elev, t, "mean", bins=np.linspace(0, 3000, 7)).statistic


def date_parts_datetime64(dates):
    year = dates.astype("datetime64[Y]").astype(int) + 1970
    doy = (dates - dates.astype("datetime64[Y]")).astype(int) + 1
    return year, doy, (dates - dates[0]).astype("timedelta64[D]").astype(float)


def weighted_quantiles_inverted_cdf(x, w):
    return np.quantile(x, [0.1, 0.5, 0.9], weights=w, method="inverted_cdf")


FITTED = {
    "gamma_fit_frozen_mean_std": (fitted_gamma_moments, {}, lambda s, n: (_precip(s, 12 * n) + 5,)),
    "ttest_mannwhitney_ks2samp": (climate_signal_tests, {}, lambda s, n: (
        _f(10 * n, seed=s), _f(10 * n, seed=s + 1) + 0.3)),
    "skew_kurtosis_iqr_kstest": (distribution_shape_summary, {}, lambda s, n: (
        _f(10 * n, seed=s),)),
    "binned_statistic_elevation": (binned_mean_by_elevation, {}, lambda s, n: (
        _u(s, 10 * n) * 2999, 15 - 0.0065 * _u(s, 10 * n) * 2999 + _f(10 * n, seed=s))),
    "datetime64_year_doy": (date_parts_datetime64, {}, lambda s, n: (
        np.arange("2000-02-20", 40 * n, dtype="datetime64[D]"),)),
    "quantile_weights_inverted_cdf": (weighted_quantiles_inverted_cdf, {}, lambda s, n: (
        _f(10 * n, seed=s), _u(s, 10 * n) + 0.1)),
    "gamma_fit_of_traced_sample": (spi_fit_traced_sample, {}, lambda s, n: (
        _precip(s, 12 * n) + 5,)),
    "genextreme_fit_of_traced_sample": (gev_fit_traced, {}, lambda s, n: (_am(s, n),)),
    "pot_boolean_selection_mean": (peaks_over_threshold_selection, {}, lambda s, n: (
        _precip(s, 25 * n), 30.0)),
    "colorbar_builtin_max_abs": (colorbar_symmetric_limits, {}, lambda s, n: (
        _f(n, 5, seed=s),)),
}


@pytest.mark.parametrize("name", _names(FITTED))
def test_fits_and_selections_of_traced_data_match_numpy(name):
    """SciPy's `fit` of the function's own sample and its frozen moments, tests of a change
    signal, shape statistics, binned statistics, exceedances by boolean selection then reduced,
    builtin `max` of array extremes, datetime64 parts and weighted quantiles: NumPy's values."""
    check_like_numpy(*FITTED[name])


REFUSED = {
    "mann_kendall_if_elif_sign": (_Concretization, mann_kendall_if_elif, lambda s: (
        _series(s, 12),)),
    "reliability_if_bin_not_empty": (_Concretization, reliability_skip_empty_bins, lambda s: (
        _p(s, 1), _binary(s, _p(s, 1)))),
    "calibration_curve_nonzero_bins": (_DataDependent, calibration_curve_nonzero, lambda s: (
        _p(s, 1) * 0.5, _binary(s, _p(s, 1)))),
    "flip_descending_latitudes": (_Concretization, flip_descending_latitudes, lambda s: (
        _f(9, 4, seed=s), GRID_LAT[::-1].copy())),
    "categories_np_unique_counts": (_DataDependent, categories_by_unique, lambda s: (
        _i(3 + s, 20, seed=s),)),
    "gumbel_newton_while_true": (_Concretization, gumbel_newton_until_converged, lambda s: (
        _am(s, 2),)),
    "ecdf_validates_nan": (_Concretization, ecdf_of_traced_sample, lambda s: (
        _f(10, seed=s),)),
    "fstring_score_report": (_Concretization, print_score_report, lambda s: _anoms(s, 10)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """`if` on the Mann-Kendall S, `stats.ecdf`'s NaN check, skipped empty bins, nonzero
    bins, latitude flips by `if`, `np.unique` counts, Newton loops until converged and
    f-string reports: the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
