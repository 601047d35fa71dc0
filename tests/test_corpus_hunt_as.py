"""Corpus, hunt AS: actuarial science and insurance, demography, and chemical and process
engineering as actuarial course notebooks, life-contingencies textbooks' companion code,
chainladder-style reserving scripts, thermodynamics and unit-operations course code write them.

Life contingencies (life tables from q_x by `np.cumprod` and by loops, l_x rounded into an
int array, l/d/L/T/e columns into a dict, UDD fractional ages by `np.interp`, commutation
columns D, N, C, M, S by reversed cumsums and by `np.flip`, whole-life, term and endowment
insurances and annuities by discounted survival, recursions backwards over ages, net premiums,
Fackler's reserve recursion, prospective reserves from commutation columns, select-and-
ultimate tables by a loop and by 2-D fancy indexing, Gompertz and Makeham survival, Gompertz
fits by `np.polyfit` and by `lstsq` on log hazards, multiple-decrement tables with
independent rates, joint lives, increasing annuities, policy values with expenses),
reserving (cumulative triangles with NaN lower right, link ratios by `nansum` over paired
masks, volume-weighted and simple averages by `nanmean`, observed cells by `np.fliplr(
np.triu(...))`, latest diagonals by fancy indexing and by `np.fliplr(...).diagonal()`,
completion of the square by loops and by `np.where`, Bornhuetter-Ferguson and Cape Cod,
Mack's sigma^2 with the last one extrapolated by Python `min`, and his standard errors,
incremental/cumulative conversions, the ODP Pearson residuals), risk theory (Buhlmann and
Buhlmann-Straub credibility, compound Poisson aggregate losses by FFT and by Panjer's
recursion with a lognormal severity discretised by `scipy.stats.lognorm.cdf`, negative
binomial Panjer, stop-loss premiums, VaR/TVaR from simulated losses, ruin probabilities by
simulation from a generator argument, Lundberg's adjustment coefficient by Newton steps,
experience rating bonus-malus by Markov matrix powers), demography (cohort-component
projections with migration, age pyramids by `np.histogram` and `np.digitize`, direct and
indirect standardisation, total fertility and net reproduction rates, Lee-Carter by SVD and
forecasts with a drift, dependency ratios by boolean masks, Coale-Trussell, life
expectancy at birth from m_x), chemical and process engineering (Peng-Robinson and
Soave-Redlich-Kwong Z by fixed Newton steps from vapour and liquid guesses, cubic roots by
`np.linalg.eigvals` of a companion matrix, fugacity coefficients, van der Waals isotherms,
Rachford-Rice by fixed Newton steps and by fixed bisection with `np.where`, Wilson K values,
Antoine pressures, bubble and dew points, bubble temperatures by Newton, McCabe-Thiele
stepping with a stage cap and a count, Fenske-Underwood-Gilliland, NRTL, Wilson and Margules
activity coefficients by matrices and `einsum`, psychrometrics, LMTD and NTU-effectiveness,
PFR and batch reactors by RK4 and Euler loops, CSTRs in series, Arrhenius fits by
`np.polyfit` and `lstsq`, mass balances by `np.linalg.solve`, data reconciliation by
weighted `lstsq`, element balances' null spaces by SVD, Clausius-Clapeyron and heat
capacity integrals).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Ages, terms, stage caps, simulation counts, seeds and
Newton step counts given positionally are made static; the forms whose Python or shapes
depend on array values (`np.roots` of a cubic, `scipy.optimize.brentq`, `fsolve` and
`curve_fit`, McCabe-Thiele stepping until `x <= x_B` with `break`, Newton until a tolerance,
ages selected by a mask and returned, `if` on a running surplus, a null space by numerical
rank, `np.vectorize` of a function with an `if`, `np.unique` calendar years, triangle rows as
a list of selections, a credibility branch on the VHM estimate) raise a named error and run
eagerly under `fallback=True`. Also here: np.ma triangles (`masked_invalid`, `np.ma.average`
with weights), the latest diagonal as the last element of each row's non-NaN selection,
triangles and dicts written in place, `np.divide(where=)`, XL layers by `np.piecewise`,
`np.select` commission tiers, multi-state models by `scipy.linalg.expm`, Thomas and
`solve_banded` solves, pyramids by `np.add.at` and `histogram2d`, and scipy's `factorial`
and `genpareto` (both fixed in the stop that added the hunt).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import scipy.optimize
import scipy.special
import scipy.stats
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _pos(seed, *shape, lo=1.0, hi=10.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _qx(seed, n):
    # a Gompertz-like mortality curve over 3n ages, perturbed
    ages = np.arange(3 * n)
    return np.minimum(0.002 * np.exp(0.25 * ages) * (1 + 0.05 * _u(seed, 3 * n)), 0.9)


# ============================================================================ life contingencies


def life_table_cumprod_dict(qx, radix=100000.0):
    # l_x from a shifted cumprod of p_x, the columns into a dict as the notebook prints them
    px = 1 - qx
    lx = radix * np.concatenate(([1.0], np.cumprod(px)[:-1]))
    dx = lx * qx
    Lx = lx - 0.5 * dx
    Tx = Lx[::-1].cumsum()[::-1]
    ex = Tx / lx
    return {"lx": lx, "dx": dx, "Lx": Lx, "Tx": Tx, "ex": ex}


def life_table_int_lx(qx, radix=100000):
    # the printed table: l_x rounded into an int array, d_x by differences
    n = len(qx)
    lx = np.zeros(n + 1, dtype=int)
    lx[0] = radix
    for x in range(n):
        lx[x + 1] = round(lx[x] * (1 - qx[x]))
    dx = lx[:-1] - lx[1:]
    return lx[:-1], dx, dx / lx[:-1]


def life_table_flip(qx, radix=1e5):
    # T_x by np.flip of a cumsum of np.flip, curtate e_x by sums of l_{x+k}
    lx = radix * np.cumprod(np.insert(1 - qx, 0, 1.0))[:-1]
    Lx = (lx + np.append(lx[1:], 0.0)) / 2
    Tx = np.flip(np.cumsum(np.flip(Lx)))
    ex_curtate = np.flip(np.cumsum(np.flip(lx)))[1:] / lx[:-1]
    return Tx / lx, ex_curtate


def udd_fractional_lx(lx, ages, s):
    # uniform distribution of deaths: l_{x+s} by linear interpolation
    return np.interp(ages + s, np.arange(len(lx)), lx)


def commutation_columns(qx, i=0.05, radix=100000.0):
    v = 1 / (1 + i)
    n = len(qx)
    ages = np.arange(n)
    lx = radix * np.cumprod(np.r_[1.0, 1 - qx[:-1]])
    dx = lx * qx
    Dx = v ** ages * lx
    Nx = np.cumsum(Dx[::-1])[::-1]
    Cx = v ** (ages + 1) * dx
    Mx = np.cumsum(Cx[::-1])[::-1]
    Sx = np.cumsum(Nx[::-1])[::-1]
    return Dx, Nx, Cx, Mx, Sx


def commutation_loop_backwards(lx, dx, i):
    # the spreadsheet way: N and M filled from the last age backwards
    n = len(lx)
    v = 1.0 / (1.0 + i)
    D = np.zeros(n)
    C = np.zeros(n)
    for x in range(n):
        D[x] = lx[x] * v ** x
        C[x] = dx[x] * v ** (x + 1)
    N = np.zeros(n)
    M = np.zeros(n)
    N[-1], M[-1] = D[-1], C[-1]
    for x in range(n - 2, -1, -1):
        N[x] = N[x + 1] + D[x]
        M[x] = M[x + 1] + C[x]
    return {"D": D, "N": N, "C": C, "M": M, "A": M / D, "a_due": N / D}


def net_premium_from_commutation(qx, i, x, n, sum_assured=1000.0):
    # n-year endowment net annual premium and the prospective reserve at each duration
    Dx, Nx, Cx, Mx, _ = commutation_columns(qx, i)
    A = (Mx[x] - Mx[x + n] + Dx[x + n]) / Dx[x]
    a = (Nx[x] - Nx[x + n]) / Dx[x]
    P = sum_assured * A / a
    t = np.arange(n)
    At = (Mx[x + t] - Mx[x + n] + Dx[x + n]) / Dx[x + t]
    at = (Nx[x + t] - Nx[x + n]) / Dx[x + t]
    return P, sum_assured * At - P * at


def annuity_due_backward(qx, i):
    # a_x = 1 + v p_x a_{x+1}, from the last age down
    n = len(qx)
    v = 1 / (1 + i)
    ax = np.zeros(n + 1)
    for x in range(n - 1, -1, -1):
        ax[x] = 1 + v * (1 - qx[x]) * ax[x + 1]
    return ax[:-1]


def whole_life_backward_tuple(qx, i):
    # A_x and a_x together, tuples of Python-side floats updated by recursion
    v = 1.0 / (1 + i)
    A, a = 1.0, 1.0
    As, as_ = [], []
    for q in qx[::-1]:
        A = v * (q + (1 - q) * A)
        a = 1 + v * (1 - q) * a
        As.append(A)
        as_.append(a)
    return np.array(As[::-1]), np.array(as_[::-1])


def endowment_insurance(qx, i, x, n):
    px = 1 - qx[x:x + n]
    tpx = np.cumprod(np.r_[1.0, px])
    v = (1 + i) ** -np.arange(1, n + 1)
    A_term = np.sum(v * tpx[:-1] * qx[x:x + n])
    E = v[-1] * tpx[-1]
    return A_term, E, A_term + E


def annuity_vectorized_all_ages(qx, i, n=10):
    # temporary annuities-due for every issue age at once, a (ages, n) matrix of t_p_x
    ages = np.arange(len(qx) - n)
    idx = ages[:, None] + np.arange(n)[None, :]
    p = 1 - qx[idx]
    tpx = np.cumprod(np.hstack([np.ones((len(ages), 1)), p[:, :-1]]), axis=1)
    disc = (1 + i) ** -np.arange(n)
    return tpx @ disc


def fackler_reserve(qx, i, P, S=1.0):
    n = len(qx)
    V = np.zeros(n + 1)
    for t in range(n):
        V[t + 1] = ((V[t] + P) * (1 + i) - S * qx[t]) / (1 - qx[t])
    return V


def policy_value_expenses(qx, i, G, S, init_exp=0.4, renew_exp=0.05, claim_exp=20.0):
    # gross premium policy values by recursion, initial and renewal expenses as % of G
    n = len(qx)
    V = np.zeros(n + 1)
    for t in range(n):
        e = init_exp if t == 0 else renew_exp
        V[t + 1] = ((V[t] + G * (1 - e)) * (1 + i) - qx[t] * (S + claim_exp)) / (1 - qx[t])
    return V


def select_ultimate_loop(q_sel, q_ult, x, years=8):
    sel = q_sel.shape[1]
    q = np.empty(years)
    for t in range(years):
        if t < sel:
            q[t] = q_sel[x, t]
        else:
            q[t] = q_ult[x + sel + (t - sel)]
    return np.cumprod(1 - q)


def select_ultimate_fancy(q_sel, q_ult, years=6):
    # every issue age at once: durations in the select period read from the select table
    n_ages, sel = q_sel.shape
    x = np.arange(n_ages)[:, None]
    t = np.arange(years)[None, :]
    in_sel = t < sel
    q = np.where(in_sel, q_sel[x, np.minimum(t, sel - 1)], q_ult[x + t])
    return np.cumprod(1 - q, axis=1)


def gompertz_makeham_survival(A, B, c, x, t):
    # t_p_x under Makeham's law, and the force of mortality
    mu = A + B * c ** (x + t)
    tpx = np.exp(-A * t - B / np.log(c) * c ** x * (c ** t - 1))
    return tpx, mu


def gompertz_fit_polyfit(ages, qx):
    # log(mu) linear in age: mu ~ -log(1 - q)
    mu = -np.log1p(-qx)
    slope, intercept = np.polyfit(ages, np.log(mu), 1)
    B, c = np.exp(intercept), np.exp(slope)
    return B, c, B * c ** ages


def makeham_fit_lstsq(ages, mu):
    # Makeham by differences: log(mu_{x+1} - mu_x) = log(B (c - 1)) + x log c
    d = np.diff(mu)
    X = np.column_stack([np.ones(len(d)), ages[:-1]])
    coef, *_ = np.linalg.lstsq(X, np.log(d), rcond=None)
    c = np.exp(coef[1])
    B = np.exp(coef[0]) / (c - 1)
    A = np.mean(mu - B * c ** ages)
    return A, B, c


def multiple_decrement_table(q_indep, radix=10000.0):
    # independent rates q'^(j) to dependent q^(j) under UDD in the associated single tables
    p_tau = np.prod(1 - q_indep, axis=1)
    q_tau = 1 - p_tau
    log_p = np.log(1 - q_indep)
    q_dep = q_tau[:, None] * log_p / np.log(p_tau)[:, None]
    l_tau = radix * np.concatenate([[1.0], np.cumprod(p_tau)[:-1]])
    d = l_tau[:, None] * q_dep
    return l_tau, d, d.sum(axis=0) / radix


def joint_life_annuity(qx, qy, i):
    # joint-life and last-survivor annuities-due from two tables
    tpx = np.cumprod(np.r_[1.0, 1 - qx[:-1]])
    tpy = np.cumprod(np.r_[1.0, 1 - qy[:-1]])
    v = (1 + i) ** -np.arange(len(qx), dtype=float)
    a_x, a_y = (v * tpx).sum(), (v * tpy).sum()
    a_xy = (v * tpx * tpy).sum()
    return {"a_x": a_x, "a_y": a_y, "a_xy": a_xy, "a_xy_bar": a_x + a_y - a_xy}


def increasing_annuity(qx, i):
    # (Ia)_x: payments 1, 2, 3, ... while alive
    t = np.arange(len(qx))
    tpx = np.cumprod(np.r_[1, 1 - qx])[:-1]
    return np.sum((t + 1) * tpx / (1 + i) ** t), np.sum(tpx / (1 + i) ** t)


def _sel(seed, n):
    base = 0.001 * np.exp(0.2 * np.arange(3 * n + 8))
    q_ult = np.minimum(base * (1 + 0.1 * _u(seed, 3 * n + 8)), 0.8)
    q_sel = q_ult[:3 * n, None] * np.array([0.5, 0.7, 0.85]) * (1 + 0.05 * _u(seed, 3 * n, 3))
    return q_sel, q_ult


LIFE = {
    "life_table_cumprod_dict": (life_table_cumprod_dict, {}, lambda s, n: (_qx(s, n),)),
    "life_table_int_lx_round": (life_table_int_lx, {}, lambda s, n: (_qx(s, n),)),
    "life_table_flip_cumsum": (life_table_flip, {}, lambda s, n: (_qx(s, n),)),
    "udd_fractional_interp": (udd_fractional_lx, {}, lambda s, n: (
        100000 * np.cumprod(1 - _qx(s, n)), np.arange(2 * n), 0.25 * s)),
    "commutation_columns_reversed_cumsum": (commutation_columns, {}, lambda s, n: (
        _qx(s, n), 0.03 + 0.01 * s)),
    "commutation_loop_backwards_dict": (commutation_loop_backwards, {}, lambda s, n: (
        100000 * np.cumprod(np.r_[1, 1 - _qx(s, n)[:-1]]),
        100000 * np.cumprod(np.r_[1, 1 - _qx(s, n)[:-1]]) * _qx(s, n), 0.04)),
    "net_premium_endowment_reserve": (net_premium_from_commutation, {"x": 2, "n": 5},
                                      lambda s, n: (_qx(s, n), 0.03 + 0.01 * s)),
    "annuity_due_backward_recursion": (annuity_due_backward, {}, lambda s, n: (
        _qx(s, n), 0.05)),
    "whole_life_backward_python_lists": (whole_life_backward_tuple, {}, lambda s, n: (
        _qx(s, n), 0.05)),
    "endowment_insurance_term": (endowment_insurance, {"x": 3, "n": 6}, lambda s, n: (
        _qx(s, n), 0.04)),
    "annuity_all_issue_ages_fancy": (annuity_vectorized_all_ages, {"n": 5}, lambda s, n: (
        _qx(s, n), 0.03)),
    "fackler_reserve_recursion": (fackler_reserve, {}, lambda s, n: (
        _qx(s, n) * 0.5, 0.04, 0.02 + 0.005 * s)),
    "policy_value_expenses_if_t0": (policy_value_expenses, {}, lambda s, n: (
        _qx(s, n) * 0.5, 0.04, 30.0 + s, 1000.0)),
    "select_ultimate_loop": (select_ultimate_loop, {"x": 2}, lambda s, n: _sel(s, n)),
    "select_ultimate_fancy_2d": (select_ultimate_fancy, {}, lambda s, n: _sel(s, n)),
    "gompertz_makeham_survival": (gompertz_makeham_survival, {}, lambda s, n: (
        0.0005, 0.00003 * s, 1.1, np.arange(30.0, 30.0 + 5 * n, 5), np.linspace(0, 20, n))),
    "gompertz_fit_polyfit": (gompertz_fit_polyfit, {}, lambda s, n: (
        np.arange(40.0, 40.0 + 3 * n), _qx(s, n))),
    "makeham_fit_lstsq_differences": (makeham_fit_lstsq, {}, lambda s, n: (
        np.arange(3.0 * n), 0.0007 + 0.00005 * 1.1 ** np.arange(3.0 * n) * (
            1 + 0.001 * _u(s, 3 * n)))),
    "multiple_decrement_udd": (multiple_decrement_table, {}, lambda s, n: (
        np.column_stack([_qx(s, n) * 0.5, _pos(s, 3 * n, lo=0.01, hi=0.1),
                         _pos(s + 1, 3 * n, lo=0.0, hi=0.05)]),)),
    "joint_life_last_survivor_dict": (joint_life_annuity, {}, lambda s, n: (
        _qx(s, n), _qx(s + 5, n) * 0.8, 0.04)),
    "increasing_annuity": (increasing_annuity, {}, lambda s, n: (_qx(s, n), 0.05)),
}


@pytest.mark.parametrize("name", _names(LIFE))
def test_life_contingencies_match_numpy(name):
    """Life tables by cumprod, loops, rounding into int and flips, UDD interpolation,
    commutation columns, premiums and reserves, annuity and insurance recursions,
    select-and-ultimate tables, Gompertz-Makeham laws and fits, multiple decrements, joint
    lives and increasing annuities."""
    check_like_numpy(*LIFE[name])


# ============================================================================ loss reserving


def _triangle(seed, n):
    # a cumulative paid triangle, accident years by rows, NaN below the latest diagonal
    r = np.random.default_rng(seed)
    prem = r.uniform(800, 1200, n)
    pattern = np.cumsum(np.r_[0.4, 0.25, 0.15, 0.1, 0.05, 0.03, 0.02][:n])
    tri = prem[:, None] * pattern[None, :] * r.uniform(0.9, 1.1, (n, n))
    tri = np.maximum.accumulate(tri, axis=1)
    i, j = np.indices((n, n))
    return np.where(i + j < n, tri, np.nan)


def _incremental(seed, n):
    tri = _triangle(seed, n)
    inc = np.diff(np.nan_to_num(tri), axis=1, prepend=0.0)
    i, j = np.indices((n, n))
    return np.where(i + j < n, inc, np.nan)


def chain_ladder_loops(tri):
    # link ratios column by column over the rows that have both cells, then fill
    n = tri.shape[0]
    f = np.ones(n - 1)
    for j in range(n - 1):
        mask = ~np.isnan(tri[:, j + 1])
        f[j] = tri[mask, j + 1].sum() / tri[mask, j].sum()
    full = tri.copy()
    for j in range(n - 1):
        full[:, j + 1] = np.where(np.isnan(full[:, j + 1]), full[:, j] * f[j], full[:, j + 1])
    latest = tri[np.arange(n), n - 1 - np.arange(n)]
    return f, full, full[:, -1] - latest


def chain_ladder_rows_slices(tri):
    # the textbook loop: rows 0..n-j-2 have both columns j and j+1
    n = len(tri)
    f = np.array([tri[:n - j - 1, j + 1].sum() / tri[:n - j - 1, j].sum()
                  for j in range(n - 1)])
    cdf = np.cumprod(f[::-1])[::-1]
    latest = np.array([tri[i, n - 1 - i] for i in range(n)])
    ultimate = latest * np.r_[1.0, cdf[::-1]]
    return {"ldf": f, "cdf": cdf, "ultimate": ultimate, "ibnr": ultimate - latest}


def link_ratios_nansum(tri):
    # age-to-age factors: volume-weighted by nansum over paired cells, simple by nanmean
    num = tri[:, 1:]
    den = tri[:, :-1]
    both = ~np.isnan(num) & ~np.isnan(den)
    vw = np.nansum(np.where(both, num, np.nan), axis=0) / np.nansum(
        np.where(both, den, np.nan), axis=0)
    simple = np.nanmean(num / den, axis=0)
    return vw, simple, np.nanmedian(num / den, axis=0)


def link_ratios_last_k(tri, k=2):
    # the volume-weighted average of the latest k diagonals, by a mask of calendar periods
    n = tri.shape[0]
    i, j = np.indices((n, n - 1))
    recent = (i + j >= n - 1 - k) & (i + j < n - 1)
    num = np.where(recent, tri[:, 1:], 0.0)
    den = np.where(recent, tri[:, :-1], 0.0)
    return num.sum(axis=0) / den.sum(axis=0)


def observed_mask_fliplr_triu(tri):
    # the observed cells as np.fliplr(np.triu(ones)), the future ones by negation
    n = tri.shape[0]
    obs = np.fliplr(np.triu(np.ones((n, n), dtype=bool)))
    C = np.nan_to_num(tri)
    f = (C[:, 1:] * obs[:, 1:]).sum(0) / (C[:, :-1] * obs[:, 1:]).sum(0)
    proj = C.copy()
    for j in range(1, n):
        proj[:, j] = np.where(obs[:, j], C[:, j], proj[:, j - 1] * f[j - 1])
    return proj, (~obs).sum(), proj[~obs].sum()


def latest_diagonal_fliplr(tri):
    # the latest diagonal by np.fliplr(...).diagonal(), reversed to accident-year order
    return np.fliplr(tri).diagonal()[::-1], np.diag(np.fliplr(tri))


def bornhuetter_ferguson(tri, premium, elr):
    n = tri.shape[0]
    num = np.nansum(tri[:, 1:] * ~np.isnan(tri[:, 1:]), axis=0)
    f = num / np.nansum(np.where(np.isnan(tri[:, 1:]), 0, tri[:, :-1]), axis=0)
    cdf = np.append(np.cumprod(f[::-1])[::-1], 1.0)
    latest = tri[np.arange(n), np.arange(n)[::-1]]
    cdf_latest = cdf[np.arange(n)[::-1]]
    pct_unreported = 1 - 1 / cdf_latest
    ibnr = premium * elr * pct_unreported
    cl_ult = latest * cdf_latest
    return latest + ibnr, cl_ult, ibnr


def cape_cod(tri, premium):
    # Cape Cod: the ELR from used-up premium, then BF with it
    n = tri.shape[0]
    f = np.array([np.nansum(tri[:n - j - 1, j + 1]) / np.nansum(tri[:n - j - 1, j])
                  for j in range(n - 1)])
    cdf = np.r_[np.cumprod(f[::-1])[::-1], 1.0][::-1]
    latest = np.nanmax(tri, axis=1)
    used_premium = premium / cdf
    elr = latest.sum() / used_premium.sum()
    return elr, latest + elr * premium * (1 - 1 / cdf)


def mack_sigma_python_min(tri):
    # Mack's sigma^2_j with the last one extrapolated by Python min, and the process and
    # parameter variances of the reserves
    n = tri.shape[0]
    f = np.zeros(n - 1)
    sigma2 = np.zeros(n - 1)
    for j in range(n - 1):
        rows = n - j - 1
        c0 = tri[:rows, j]
        c1 = tri[:rows, j + 1]
        f[j] = c1.sum() / c0.sum()
        if rows > 1:
            sigma2[j] = np.sum(c0 * (c1 / c0 - f[j]) ** 2) / (rows - 1)
    sigma2[-1] = min(sigma2[-2] ** 2 / sigma2[-3], sigma2[-3], sigma2[-2])
    full = np.nan_to_num(tri)
    for i in range(1, n):
        for j in range(n - i, n):
            full[i, j] = full[i, j - 1] * f[j - 1]
    mse = np.zeros(n)
    for i in range(1, n):
        s = 0.0
        for j in range(n - i - 1, n - 1):
            col_sum = tri[:n - j - 1, j].sum()
            s += sigma2[j] / f[j] ** 2 * (1 / full[i, j] + 1 / col_sum)
        mse[i] = full[i, -1] ** 2 * s
    return f, sigma2, np.sqrt(mse)


def incremental_to_cumulative(inc):
    # nancumsum across development, NaN put back where the increment is missing
    cum = np.nancumsum(inc, axis=1)
    cum[np.isnan(inc)] = np.nan
    back = np.diff(cum, axis=1, prepend=0)
    return cum, back


def odp_pearson_residuals(inc):
    # the ODP bootstrap's fitted incrementals by backing out of the chain-ladder diagonal
    n = inc.shape[0]
    C = np.nancumsum(inc, axis=1)
    obs = ~np.isnan(inc)
    f = np.ones(n - 1)
    for j in range(n - 1):
        m = obs[:, j + 1]
        f[j] = np.sum(C[:, j + 1] * m) / np.sum(C[:, j] * m)
    latest = C[np.arange(n), n - 1 - np.arange(n)]
    fitted_cum = np.zeros((n, n))
    for i in range(n):
        fitted_cum[i, n - 1 - i] = latest[i]
        for j in range(n - 2 - i, -1, -1):
            fitted_cum[i, j] = fitted_cum[i, j + 1] / f[j]
    fitted_inc = np.diff(fitted_cum, axis=1, prepend=0.0)
    resid = np.where(obs, (inc - fitted_inc) / np.sqrt(np.abs(fitted_inc)), np.nan)
    k = obs.sum()
    p = 2 * n - 1
    phi = np.nansum(resid ** 2) / (k - p)
    return resid * np.sqrt(k / (k - p)), phi


def paid_to_incurred_ratios(paid, incurred):
    # paid-to-incurred per cell and the mean per development age, NaN-aware
    ratio = paid / incurred
    return ratio, np.nanmean(ratio, axis=0), np.nanstd(ratio, axis=0)


def tail_factor_exponential_fit(tri):
    # an exponential decay fit to (f - 1) by polyfit, the tail as the product beyond
    n = tri.shape[0]
    f = np.array([np.sum(tri[:n - j - 1, j + 1]) / np.sum(tri[:n - j - 1, j])
                  for j in range(n - 1)])
    k = np.arange(1, n)
    slope, icpt = np.polyfit(k, np.log(f - 1), 1)
    future = np.arange(n, n + 20)
    tail = np.prod(1 + np.exp(icpt + slope * future))
    return f, tail


RESERVING = {
    "chain_ladder_masked_columns": (chain_ladder_loops, {}, lambda s, n: (_triangle(s, n),)),
    "chain_ladder_rows_slices_dict": (chain_ladder_rows_slices, {}, lambda s, n: (
        _triangle(s, n),)),
    "link_ratios_nansum_nanmean_nanmedian": (link_ratios_nansum, {}, lambda s, n: (
        _triangle(s, n),)),
    "link_ratios_latest_diagonals": (link_ratios_last_k, {"k": 2}, lambda s, n: (
        _triangle(s, n),)),
    "observed_fliplr_triu_projection": (observed_mask_fliplr_triu, {}, lambda s, n: (
        _triangle(s, n),)),
    "latest_diagonal_fliplr": (latest_diagonal_fliplr, {}, lambda s, n: (_triangle(s, n),)),
    "bornhuetter_ferguson": (bornhuetter_ferguson, {}, lambda s, n: (
        _triangle(s, n), _pos(s, n, lo=900, hi=1300), 0.65)),
    "cape_cod_nanmax_latest": (cape_cod, {}, lambda s, n: (
        _triangle(s, n), _pos(s, n, lo=900, hi=1300))),
    "mack_sigma_python_min": (mack_sigma_python_min, {}, lambda s, n: (_triangle(s, n),)),
    "incremental_to_cumulative_nancumsum": (incremental_to_cumulative, {}, lambda s, n: (
        _incremental(s, n),)),
    "odp_pearson_residuals": (odp_pearson_residuals, {}, lambda s, n: (_incremental(s, n),)),
    "paid_to_incurred_nanstd": (paid_to_incurred_ratios, {}, lambda s, n: (
        _triangle(s, n), _triangle(s, n) * _pos(s, n, n, lo=1.05, hi=1.3))),
    "tail_factor_exponential_polyfit": (tail_factor_exponential_fit, {}, lambda s, n: (
        _triangle(s, n),)),
}


@pytest.mark.parametrize("name", _names(RESERVING))
def test_loss_reserving_matches_numpy(name):
    """Chain-ladder on NaN triangles by masked columns, slices and nansum/nanmean/nanmedian,
    latest-diagonal averages, observed masks by fliplr(triu), latest diagonals, Bornhuetter-
    Ferguson, Cape Cod, Mack's standard errors, nancumsum conversions, ODP residuals,
    paid-to-incurred ratios and an exponential tail."""
    check_like_numpy(*RESERVING[name])


# ============================================================================ risk theory


def buhlmann_credibility(X):
    # r risks by n years: EPV, VHM (floored at 0 by Python max), Z and premiums
    r, n = X.shape
    xbar_i = X.mean(axis=1)
    xbar = X.mean()
    epv = X.var(axis=1, ddof=1).mean()
    vhm = max(xbar_i.var(ddof=1) - epv / n, 0.0)
    k = epv / vhm
    Z = n / (n + k)
    return Z, Z * xbar_i + (1 - Z) * xbar


def buhlmann_straub(X, m):
    # exposures m (r, n): the weighted estimators of Buhlmann-Straub
    r, n = X.shape
    m_i = m.sum(axis=1)
    m_tot = m_i.sum()
    xw_i = (m * X).sum(axis=1) / m_i
    xw = (m_i * xw_i).sum() / m_tot
    v_hat = (m * (X - xw_i[:, None]) ** 2).sum() / (r * (n - 1))
    a_hat = ((m_i * (xw_i - xw) ** 2).sum() - v_hat * (r - 1)) / (
        m_tot - (m_i ** 2).sum() / m_tot)
    Z = m_i / (m_i + v_hat / a_hat)
    mu_cred = (Z * xw_i).sum() / Z.sum()
    return {"Z": Z, "premium": Z * xw_i + (1 - Z) * mu_cred, "k": v_hat / a_hat}


def discretize_lognormal(h, m, mu, sigma):
    # the method of rounding: f_j = F((j + 1/2) h) - F((j - 1/2) h)
    edges = (np.arange(m + 1) - 0.5) * h
    edges[0] = 0.0
    F = scipy.stats.lognorm.cdf(edges, s=sigma, scale=np.exp(mu))
    f = np.diff(F)
    f[-1] += 1 - F[-1]
    return f


def compound_poisson_fft(lam, f, n_fft=64):
    # the aggregate pmf by FFT of the padded severity
    fpad = np.zeros(n_fft)
    fpad[:len(f)] = f
    phi = np.fft.fft(fpad)
    g = np.real(np.fft.ifft(np.exp(lam * (phi - 1))))
    return g, np.cumsum(g)


def compound_poisson_rfft(lam, f, n_fft=64):
    # the same with rfft/irfft and the mean and a quantile read off the CDF
    phi = np.fft.rfft(f, n_fft)
    g = np.fft.irfft(np.exp(lam * (phi - 1)), n_fft)
    g = np.clip(g, 0, None)
    s = np.arange(n_fft)
    cdf = np.cumsum(g)
    var_995 = np.argmax(cdf >= 0.995)
    return g @ s, var_995, g


def panjer_poisson(lam, f, s_max=30):
    # Panjer's recursion, a = 0, b = lambda, one dot of reversed slices per step
    g = np.zeros(s_max + 1)
    g[0] = np.exp(lam * (f[0] - 1))
    for s in range(1, s_max + 1):
        j = np.arange(1, min(s, len(f) - 1) + 1)
        g[s] = lam / s * np.sum(j * f[j] * g[s - j])
    return g


def panjer_negative_binomial(r, beta, f, s_max=25):
    # negative binomial counts: a = beta / (1 + beta), b = (r - 1) a
    a = beta / (1 + beta)
    b = (r - 1) * a
    fp = np.zeros(s_max + 1)
    fp[:min(len(f), s_max + 1)] = f[:s_max + 1]
    g = np.zeros(s_max + 1)
    g[0] = (1 + beta * (1 - fp[0])) ** (-r)
    for s in range(1, s_max + 1):
        j = np.arange(1, s + 1)
        g[s] = np.sum((a + b * j / s) * fp[j] * g[s - j]) / (1 - a * fp[0])
    return g


def stop_loss_premiums(g, h, d_values):
    # E[(S - d)+] on the lattice for each retention
    s = np.arange(len(g)) * h
    return np.array([np.sum(np.maximum(s - d, 0) * g) for d in d_values])


def var_tvar_simulated(losses, alpha=0.99):
    # VaR by np.quantile, TVaR by the mean above it, per line and for the total
    total = losses.sum(axis=1)
    var_lines = np.quantile(losses, alpha, axis=0)
    var_tot = np.quantile(total, alpha)
    tvar_tot = total[total >= var_tot].mean()
    diversification = var_lines.sum() - var_tot
    return var_lines, var_tot, tvar_tot, diversification


def ruin_simulation(u, c, lam, theta, rng, n_sims=200, years=10):
    # annual surplus with compound Poisson exponential claims drawn from a generator
    n_claims = rng.poisson(lam, size=(n_sims, years))
    claims = rng.gamma(np.maximum(n_claims, 1), theta) * (n_claims > 0)
    surplus = u + np.cumsum(c - claims, axis=1)
    ruined = (surplus < 0).any(axis=1)
    time_of_ruin = np.where(ruined, np.argmax(surplus < 0, axis=1), years)
    return ruined.mean(), time_of_ruin, surplus.min(axis=1)


def ruin_simulation_loop(u, premium, lam, mean_claim, rng, n_sims=100, years=8):
    # the loop version with a ruined flag kept by np.logical_or
    U = np.full(n_sims, u, dtype=float)
    ruined = np.zeros(n_sims, dtype=bool)
    for t in range(years):
        S = rng.exponential(mean_claim, size=(n_sims, 3)).sum(axis=1) * (
            rng.poisson(lam, n_sims) > 0)
        U = U + premium - S
        ruined = np.logical_or(ruined, U < 0)
    return ruined.mean(), U


def lundberg_adjustment_newton(lam, beta, c, n_iter=30):
    # exponential claims: lam (M_X(R) - 1) = c R, by a fixed number of Newton steps
    R = 0.5 * beta
    for _ in range(n_iter):
        g = lam * (beta / (beta - R) - 1) - c * R
        dg = lam * beta / (beta - R) ** 2 - c
        R = R - g / dg
    return R, R - (beta - lam / c)


def bonus_malus_stationary(P_trans, premiums, years=20):
    # a bonus-malus system: occupancy after years by matrix_power, the stationary premium
    start = np.zeros(P_trans.shape[0])
    start[0] = 1.0
    occ = start @ np.linalg.matrix_power(P_trans, years)
    w, V = np.linalg.eig(P_trans.T)
    k = np.argmin(np.abs(w - 1))
    pi = np.real(V[:, k])
    pi = pi / pi.sum()
    return occ, occ @ premiums, pi @ premiums


def _bm_matrix(seed, n):
    p = 0.1 + 0.05 * seed
    P = np.zeros((n, n))
    for i in range(n):
        P[i, max(i - 1, 0)] += 1 - p
        P[i, min(i + 2, n - 1)] += p
    return P


def poisson_mixture_claims(counts, lam_grid, weights):
    # a discrete mixing of Poisson rates: the posterior of the rate per policy
    logp = scipy.stats.poisson.logpmf(counts[:, None], lam_grid[None, :]) + np.log(weights)
    post = np.exp(logp - scipy.special.logsumexp(logp, axis=1, keepdims=True))
    return post, post @ lam_grid


def increased_limits_factors(limits, mu, sigma, basic=100.0):
    # limited expected values of a lognormal severity, ILF = LEV(L) / LEV(basic)
    def lev(L):
        z = (np.log(L) - mu - sigma ** 2) / sigma
        return (np.exp(mu + sigma ** 2 / 2) * scipy.stats.norm.cdf(z)
                + L * (1 - scipy.stats.norm.cdf((np.log(L) - mu) / sigma)))
    return lev(limits) / lev(basic)


RISK = {
    "buhlmann_python_max": (buhlmann_credibility, {}, lambda s, n: (
        _pos(s, n, 5) + _pos(s + 1, n, 1, lo=0, hi=5),)),
    "buhlmann_straub_dict": (buhlmann_straub, {}, lambda s, n: (
        _pos(s, n, 4) + _pos(s + 1, n, 1, lo=0, hi=6), _pos(s + 2, n, 4, lo=10, hi=50))),
    "discretize_lognormal_scipy": (discretize_lognormal, {}, lambda s, n: (
        0.5, 20, 0.2 * s, 0.6)),
    "compound_poisson_fft": (compound_poisson_fft, {}, lambda s, n: (
        1.5 + s, discretize_lognormal(0.5, 4 * n, 0.2, 0.6))),
    "compound_poisson_rfft_argmax": (compound_poisson_rfft, {}, lambda s, n: (
        1.0 + s, discretize_lognormal(0.5, 4 * n, 0.1 * s, 0.5))),
    "panjer_poisson_reversed_index": (panjer_poisson, {"s_max": 16}, lambda s, n: (
        1.2 + 0.3 * s, discretize_lognormal(1.0, 2 * n, 0.3, 0.5))),
    "panjer_negative_binomial": (panjer_negative_binomial, {"s_max": 12}, lambda s, n: (
        2.0, 0.5 + 0.2 * s, discretize_lognormal(1.0, 3 * n, 0.3, 0.5))),
    "stop_loss_premiums": (stop_loss_premiums, {}, lambda s, n: (
        panjer_poisson(1.5, discretize_lognormal(1.0, 2 * n, 0.3, 0.5), 6 * n), 1.0,
        [0.0, 1.5 * s, 3.0])),
    "var_tvar_quantile_selection": (var_tvar_simulated, {}, lambda s, n: (
        np.random.default_rng(s).lognormal(0, 1, (40 * n, 3)),)),
    "ruin_simulation_generator": (ruin_simulation, {"n_sims": 50, "years": 6}, lambda s, n: (
        5.0 + s, 3.3, 2.0, 1.5, np.random.default_rng(s))),
    "ruin_simulation_loop_logical_or": (ruin_simulation_loop, {"n_sims": 40, "years": 5},
                                        lambda s, n: (4.0, 2.0 + 0.2 * s, 1.0, 1.0,
                                                      np.random.default_rng(s))),
    "lundberg_newton_fixed": (lundberg_adjustment_newton, {"n_iter": 12}, lambda s, n: (
        1.0, 1.0, 1.2 + 0.1 * s)),
    "bonus_malus_matrix_power_eig": (bonus_malus_stationary, {}, lambda s, n: (
        _bm_matrix(s, n), np.linspace(60.0, 200.0, n))),
    "poisson_mixture_posterior": (poisson_mixture_claims, {}, lambda s, n: (
        _i(5, 5 * n, seed=s), np.array([0.2, 0.8, 2.0]), np.array([0.5, 0.3, 0.2]))),
    "increased_limits_lognormal": (increased_limits_factors, {}, lambda s, n: (
        np.geomspace(100.0, 5000.0, n), 5.0 + 0.1 * s, 1.5)),
}


@pytest.mark.parametrize("name", _names(RISK))
def test_risk_theory_matches_numpy(name):
    """Buhlmann and Buhlmann-Straub credibility, severity discretisation, compound Poisson
    by FFT and Panjer, negative binomial Panjer, stop-loss premiums, VaR and TVaR, ruin by
    simulation, Lundberg's coefficient, bonus-malus chains, Poisson mixtures and ILFs."""
    check_like_numpy(*RISK[name])


# ============================================================================ demography


def cohort_component_projection(pop_f, pop_m, sx_f, sx_m, fx, mig, steps=4, srb=1.05):
    # five-year cohort-component projection: survive, age, add births and net migrants
    n = len(pop_f)
    out_f = np.zeros((steps + 1, n))
    out_m = np.zeros((steps + 1, n))
    out_f[0], out_m[0] = pop_f, pop_m
    for t in range(steps):
        f, m = out_f[t], out_m[t]
        nf = np.zeros(n)
        nm = np.zeros(n)
        nf[1:] = f[:-1] * sx_f[:-1]
        nm[1:] = m[:-1] * sx_m[:-1]
        nf[-1] += f[-1] * sx_f[-1]
        nm[-1] += m[-1] * sx_m[-1]
        births = 5 * np.sum(fx * (f + nf) / 2)
        nf[0] = births / (1 + srb) * sx_f[0]
        nm[0] = births * srb / (1 + srb) * sx_m[0]
        out_f[t + 1] = nf + mig / 2
        out_m[t + 1] = nm + mig / 2
    return out_f, out_m, out_f.sum(axis=1) + out_m.sum(axis=1)


def leslie_from_rates(fx, sx, n0, years=6):
    # a Leslie matrix built with np.diag of an offset, projected by a loop of @
    L = np.diag(sx[:-1], k=-1)
    L[0, :] = fx
    pops = [n0]
    for _ in range(years):
        pops.append(L @ pops[-1])
    pops = np.array(pops)
    growth = pops[1:].sum(axis=1) / pops[:-1].sum(axis=1)
    return pops, growth, np.max(np.abs(np.linalg.eigvals(L)))


def age_pyramid_histogram(ages_m, ages_f, width=5, max_age=90):
    bins = np.arange(0, max_age + width, width)
    m, _ = np.histogram(ages_m, bins=bins)
    f, edges = np.histogram(ages_f, bins=bins)
    total = m.sum() + f.sum()
    return -100 * m / total, 100 * f / total, edges[:-1]


def age_groups_digitize(ages, weights):
    # broad groups by np.digitize and weighted counts by np.bincount
    groups = np.digitize(ages, [15, 65])
    counts = np.bincount(groups, weights=weights, minlength=3)
    dependency = (counts[0] + counts[2]) / counts[1] * 100
    return groups, counts, dependency


def dependency_ratio_masks(pop_by_age):
    # ages as an index, the young and old by boolean masks along the last axis
    ages = np.arange(pop_by_age.shape[-1]) * 5
    young = pop_by_age[..., ages < 15].sum(axis=-1)
    old = pop_by_age[..., ages >= 65].sum(axis=-1)
    working = pop_by_age[..., (ages >= 15) & (ages < 65)].sum(axis=-1)
    return young / working, old / working, (young + old) / working


def standardized_rates(deaths, pop, std_pop):
    # direct (per 100 000) and indirect standardisation against the pooled rates
    crude = deaths.sum(axis=1) / pop.sum(axis=1)
    asr = deaths / pop
    direct = (asr * std_pop).sum(axis=1) / std_pop.sum() * 1e5
    ref = deaths.sum(axis=0) / pop.sum(axis=0)
    expected = pop @ ref
    smr = deaths.sum(axis=1) / expected
    return crude * 1e5, direct, smr


def tfr_nrr(asfr, Lx_f, width=5, ffab=0.4886):
    # total fertility, gross and net reproduction rates, and the mean age of childbearing
    tfr = width * asfr.sum()
    grr = tfr * ffab
    nrr = ffab * np.sum(asfr * Lx_f) / 100000
    ages = 15 + width * np.arange(len(asfr)) + width / 2
    mac = np.sum(ages * asfr) / asfr.sum()
    return tfr, grr, nrr, mac, np.log(nrr) / mac


def lee_carter_svd(log_mx):
    # a_x as row means, b_x and k_t from the first singular triplet, normalised sum(b) = 1
    a = log_mx.mean(axis=1)
    U, S, Vt = np.linalg.svd(log_mx - a[:, None], full_matrices=False)
    b = U[:, 0] / U[:, 0].sum()
    k = S[0] * Vt[0] * U[:, 0].sum()
    explained = S[0] ** 2 / np.sum(S ** 2)
    return a, b, k, explained


def lee_carter_forecast(log_mx, horizon=10):
    # a random walk with drift for k_t and the forecast log rates
    a = np.mean(log_mx, axis=1, keepdims=True)
    U, s, Vt = np.linalg.svd(log_mx - a)
    b = U[:, :1] / np.sum(U[:, 0])
    k = s[0] * Vt[:1, :] * np.sum(U[:, 0])
    drift = (k[0, -1] - k[0, 0]) / (k.shape[1] - 1)
    h = np.arange(1, horizon + 1)
    k_fc = k[0, -1] + drift * h
    se = np.std(np.diff(k[0]), ddof=1) * np.sqrt(h)
    return a + b * k_fc[None, :], k_fc - 1.96 * se, k_fc + 1.96 * se


def life_expectancy_from_mx(mx, ax=None, width=5):
    # abridged life table from central rates m_x, a_x = width / 2, open last interval
    n = len(mx)
    if ax is None:
        ax = np.full(n, width / 2)
    qx = width * mx / (1 + (width - ax) * mx)
    qx[-1] = 1.0
    lx = np.ones(n)
    lx[1:] = np.cumprod(1 - qx[:-1])
    dx = lx * qx
    Lx = width * lx - (width - ax) * dx
    Lx[-1] = lx[-1] / mx[-1]
    Tx = np.cumsum(Lx[::-1])[::-1]
    return Tx / lx


def coale_trussell(ages, M, m, n_a, v_a):
    # marital fertility r(a) = n(a) M exp(m v(a)), and M, m back by a linear fit
    r = n_a * M * np.exp(m * v_a)
    y = np.log(r / n_a)
    slope, icpt = np.polyfit(v_a, y, 1)
    return r, np.exp(icpt), slope


def migration_matrix_projection(pop, M, years=5):
    # multiregional: a region-to-region transition matrix with row sums <= 1, float32 data
    history = np.empty((years + 1, pop.size), dtype=pop.dtype)
    history[0] = pop
    for t in range(years):
        history[t + 1] = history[t] @ M
    shares = history / history.sum(axis=1, keepdims=True)
    return history, shares


def _mx(seed, n):
    ages = np.arange(3 * n) * 5
    return 0.0005 * np.exp(0.08 * ages) * (1 + 0.1 * _u(seed, 3 * n))


def _logmx(seed, n):
    ages = np.arange(3 * n)[:, None]
    years = np.arange(2 * n)[None, :]
    return (-8 + 0.08 * 5 * ages) - 0.02 * years * (1 + 0.5 * _u(seed, 3 * n, 1)) + (
        0.02 * _f(3 * n, 2 * n, seed=seed))


DEMOGRAPHY = {
    "cohort_component_projection": (cohort_component_projection, {"steps": 3}, lambda s, n: (
        _pos(s, 3 * n, lo=1e3, hi=5e3), _pos(s + 1, 3 * n, lo=1e3, hi=5e3),
        _pos(s + 2, 3 * n, lo=0.9, hi=0.99), _pos(s + 3, 3 * n, lo=0.88, hi=0.99),
        np.where(np.arange(3 * n) % 5 > 1, 0.05, 0.0), _f(3 * n, seed=s) * 50)),
    "leslie_diag_offset_loop": (leslie_from_rates, {}, lambda s, n: (
        np.r_[0.0, _pos(s, n - 1, lo=0.2, hi=1.2)], _pos(s + 1, n, lo=0.5, hi=0.95),
        _pos(s + 2, n, lo=100, hi=1000))),
    "age_pyramid_np_histogram": (age_pyramid_histogram, {}, lambda s, n: (
        _pos(s, 30 * n, lo=0, hi=95), _pos(s + 1, 30 * n, lo=0, hi=99))),
    "age_groups_digitize_bincount": (age_groups_digitize, {}, lambda s, n: (
        _i(100, 20 * n, seed=s), _pos(s, 20 * n, lo=0.5, hi=2.0))),
    "dependency_ratio_masks_ellipsis": (dependency_ratio_masks, {}, lambda s, n: (
        _pos(s, n, 18, lo=1e3, hi=1e4),)),
    "standardized_rates_direct_indirect": (standardized_rates, {}, lambda s, n: (
        _i(50, n, 6, seed=s) + 1, _pos(s, n, 6, lo=1e3, hi=1e4), _pos(7, 6, lo=1e3, hi=1e4))),
    "tfr_nrr_mean_age": (tfr_nrr, {}, lambda s, n: (
        _pos(s, 7, lo=0.01, hi=0.15) * (1 + 0.1 * n), _pos(s, 7, lo=4.5e5, hi=4.9e5))),
    "lee_carter_svd": (lee_carter_svd, {}, lambda s, n: (_logmx(s, n),)),
    "lee_carter_forecast_drift": (lee_carter_forecast, {"horizon": 5}, lambda s, n: (
        _logmx(s, n),)),
    "life_expectancy_from_mx_none_default": (life_expectancy_from_mx, {}, lambda s, n: (
        _mx(s, n),)),
    "coale_trussell_polyfit": (coale_trussell, {}, lambda s, n: (
        np.arange(n) * 5 + 20.0, 0.9 + 0.05 * s, 0.3, _pos(s, n, lo=0.3, hi=0.5),
        -np.linspace(0, 2, n))),
    "migration_matrix_float32": (migration_matrix_projection, {"years": 4}, lambda s, n: (
        _pos(s, n, lo=1e3, hi=1e4).astype(np.float32),
        (np.eye(n) * 0.9 + 0.1 / n * _u(s, n, n)).astype(np.float32))),
}


@pytest.mark.parametrize("name", _names(DEMOGRAPHY))
def test_demography_matches_numpy(name):
    """Cohort-component and Leslie projections, age pyramids by np.histogram and digitize,
    dependency ratios, standardised rates, TFR and NRR, Lee-Carter by SVD and its forecast,
    abridged life tables from m_x, Coale-Trussell and multiregional projections."""
    check_like_numpy(*DEMOGRAPHY[name])


# ============================================================================ thermodynamics

R_GAS = 8.314462618


def peng_robinson_params(T, P, Tc, Pc, omega):
    kappa = 0.37464 + 1.54226 * omega - 0.26992 * omega ** 2
    alpha = (1 + kappa * (1 - np.sqrt(T / Tc))) ** 2
    a = 0.45724 * R_GAS ** 2 * Tc ** 2 / Pc * alpha
    b = 0.07780 * R_GAS * Tc / Pc
    A = a * P / (R_GAS * T) ** 2
    B = b * P / (R_GAS * T)
    return A, B


def pr_z_newton(T, P, Tc, Pc, omega, n_iter=30):
    # vapour root from Z = 1 and liquid root from Z = B, a fixed number of Newton steps each
    A, B = peng_robinson_params(T, P, Tc, Pc, omega)
    c2 = -(1 - B)
    c1 = A - 3 * B ** 2 - 2 * B
    c0 = -(A * B - B ** 2 - B ** 3)
    Zv = np.ones_like(A)
    Zl = B * 1.01
    for _ in range(n_iter):
        Zv = Zv - (Zv ** 3 + c2 * Zv ** 2 + c1 * Zv + c0) / (3 * Zv ** 2 + 2 * c2 * Zv + c1)
        Zl = Zl - (Zl ** 3 + c2 * Zl ** 2 + c1 * Zl + c0) / (3 * Zl ** 2 + 2 * c2 * Zl + c1)
    return Zv, Zl


def pr_fugacity_coefficient(T, P, Tc, Pc, omega, n_iter=8):
    # ln phi of the pure vapour at the Newton root
    A, B = peng_robinson_params(T, P, Tc, Pc, omega)
    Z = np.ones_like(A)
    coeffs = np.stack([np.ones_like(A), -(1 - B), A - 3 * B ** 2 - 2 * B,
                       -(A * B - B ** 2 - B ** 3)])
    for _ in range(n_iter):
        f = np.polyval(coeffs, Z)
        df = 3 * Z ** 2 + 2 * coeffs[1] * Z + coeffs[2]
        Z = Z - f / df
    s2 = np.sqrt(2)
    ln_phi = (Z - 1 - np.log(Z - B) - A / (2 * s2 * B)
              * np.log((Z + (1 + s2) * B) / (Z + (1 - s2) * B)))
    return Z, np.exp(ln_phi), P * np.exp(ln_phi)


def pr_companion_eigvals(A, B):
    # the cubic's roots as the companion matrix's eigenvalues, the largest real one kept
    c = np.array([-(1 - B), A - 3 * B ** 2 - 2 * B, -(A * B - B ** 2 - B ** 3)])
    M = np.zeros((3, 3))
    M[0, :] = -c
    M[1, 0] = 1.0
    M[2, 1] = 1.0
    r = np.linalg.eigvals(M)
    real = np.abs(r.imag) < 1e-9
    return np.max(np.where(real, r.real, -np.inf)), np.min(np.where(real & (r.real > B),
                                                                     r.real, np.inf))


def pr_mixture_fugacity(x, T, P, Tc, Pc, omega, kij, n_iter=10):
    # van der Waals mixing rules with a k_ij matrix, partial fugacity coefficients
    kappa = 0.37464 + 1.54226 * omega - 0.26992 * omega ** 2
    alpha = (1 + kappa * (1 - np.sqrt(T / Tc))) ** 2
    ai = 0.45724 * (R_GAS * Tc) ** 2 / Pc * alpha
    bi = 0.07780 * R_GAS * Tc / Pc
    aij = np.sqrt(np.outer(ai, ai)) * (1 - kij)
    am = x @ aij @ x
    bm = x @ bi
    A = am * P / (R_GAS * T) ** 2
    B = bm * P / (R_GAS * T)
    Z = 1.0
    for _ in range(n_iter):
        f = Z ** 3 - (1 - B) * Z ** 2 + (A - 3 * B ** 2 - 2 * B) * Z - (A * B - B ** 2 - B ** 3)
        df = 3 * Z ** 2 - 2 * (1 - B) * Z + (A - 3 * B ** 2 - 2 * B)
        Z -= f / df
    s2 = np.sqrt(2.0)
    term = 2 * (aij @ x) / am - bi / bm
    ln_phi = (bi / bm * (Z - 1) - np.log(Z - B)
              - A / (2 * s2 * B) * term * np.log((Z + (1 + s2) * B) / (Z + (1 - s2) * B)))
    return Z, np.exp(ln_phi)


def srk_z_vectorized_grid(T_grid, P_grid, Tc, Pc, omega, n_iter=8):
    # Soave-Redlich-Kwong over a meshgrid of T and P
    T, P = np.meshgrid(T_grid, P_grid, indexing="ij")
    m = 0.480 + 1.574 * omega - 0.176 * omega ** 2
    alpha = (1 + m * (1 - np.sqrt(T / Tc))) ** 2
    A = 0.42748 * alpha * (P / Pc) / (T / Tc) ** 2
    B = 0.08664 * (P / Pc) / (T / Tc)
    Z = np.ones_like(T)
    for _ in range(n_iter):
        f = Z ** 3 - Z ** 2 + (A - B - B ** 2) * Z - A * B
        Z -= f / (3 * Z ** 2 - 2 * Z + A - B - B ** 2)
    return Z


def van_der_waals_isotherms(V, T_r):
    # reduced vdW pressure for several reduced temperatures, and the spinodal mask
    Pr = 8 * T_r[:, None] / (3 * V[None, :] - 1) - 3 / V[None, :] ** 2
    dPdV = -24 * T_r[:, None] / (3 * V - 1) ** 2 + 6 / V ** 3
    unstable = dPdV > 0
    return Pr, unstable, unstable.any(axis=1)


def rachford_rice_newton(z, K, n_iter=8):
    V = 0.5
    for _ in range(n_iter):
        g = np.sum(z * (K - 1) / (1 + V * (K - 1)))
        dg = -np.sum(z * (K - 1) ** 2 / (1 + V * (K - 1)) ** 2)
        V = V - g / dg
        V = min(max(V, 0.0), 1.0)
    x = z / (1 + V * (K - 1))
    y = K * x
    return V, x, y


def rachford_rice_bisection(z, K, n_iter=50):
    # bisection with np.where on the sign, a fixed count of halvings
    lo, hi = 0.0, 1.0
    for _ in range(n_iter):
        mid = 0.5 * (lo + hi)
        g = np.sum(z * (K - 1) / (1 + mid * (K - 1)))
        lo = np.where(g > 0, mid, lo)
        hi = np.where(g > 0, hi, mid)
    V = 0.5 * (lo + hi)
    return V, z / (1 + V * (K - 1))


def wilson_k_flash(z, T, P, Tc, Pc, omega, n_iter=4):
    # Wilson's K correlation into Rachford-Rice, a batch of feeds as rows
    K = Pc / P * np.exp(5.373 * (1 + omega) * (1 - Tc / T))
    V = np.full(z.shape[0], 0.5)
    for _ in range(n_iter):
        d = 1 + V[:, None] * (K - 1)
        g = (z * (K - 1) / d).sum(axis=1)
        dg = -(z * (K - 1) ** 2 / d ** 2).sum(axis=1)
        V = np.clip(V - g / dg, 0.0, 1.0)
    x = z / (1 + V[:, None] * (K - 1))
    return K, V, x, K * x


def antoine_bubble_dew(x, T, A, B, C):
    # Antoine in mmHg with T in C; Raoult's bubble and dew pressures and compositions
    Psat = 10 ** (A - B / (C + T))
    P_bub = np.sum(x * Psat)
    y = x * Psat / P_bub
    P_dew = 1 / np.sum(x / Psat)
    x_dew = x * P_dew / Psat
    return Psat, P_bub, y, P_dew, x_dew


def bubble_temperature_newton(x, P, A, B, C, T0=80.0, n_iter=15):
    # sum x Psat(T) = P by Newton on T, the derivative of Antoine analytically
    T = T0
    for _ in range(n_iter):
        Psat = 10 ** (A - B / (C + T))
        f = np.dot(x, Psat) - P
        dPsat = Psat * np.log(10) * B / (C + T) ** 2
        T = T - f / np.dot(x, dPsat)
    return T, x * 10 ** (A - B / (C + T)) / P


def txy_diagram(A, B, C, P, n_pts=11):
    # T-x-y for a binary: bubble temperatures on an x grid by vectorised Newton
    x1 = np.linspace(0, 1, n_pts)
    T = np.full(n_pts, 90.0)
    for _ in range(8):
        P1 = 10 ** (A[0] - B[0] / (C[0] + T))
        P2 = 10 ** (A[1] - B[1] / (C[1] + T))
        f = x1 * P1 + (1 - x1) * P2 - P
        df = np.log(10) * (x1 * P1 * B[0] / (C[0] + T) ** 2
                           + (1 - x1) * P2 * B[1] / (C[1] + T) ** 2)
        T -= f / df
    y1 = x1 * 10 ** (A[0] - B[0] / (C[0] + T)) / P
    return x1, T, y1


def nrtl_gamma(x, tau, alpha):
    # NRTL in matrix form, as the thermo course code writes it
    G = np.exp(-alpha * tau)
    xG = x @ G
    xtG = x @ (tau * G)
    term1 = xtG / xG
    term2 = np.sum(x[None, :] * G / xG[None, :] * (tau - (xtG / xG)[None, :]), axis=1)
    return np.exp(term1 + term2)


def nrtl_loops(x, tau, alpha):
    # the same with explicit loops over components
    n = len(x)
    G = np.exp(-alpha * tau)
    ln_g = np.zeros(n)
    for i in range(n):
        num1 = sum(x[j] * tau[j, i] * G[j, i] for j in range(n))
        den1 = sum(x[k] * G[k, i] for k in range(n))
        s = 0.0
        for j in range(n):
            den_j = sum(x[k] * G[k, j] for k in range(n))
            num_j = sum(x[m] * tau[m, j] * G[m, j] for m in range(n))
            s += x[j] * G[i, j] / den_j * (tau[i, j] - num_j / den_j)
        ln_g[i] = num1 / den1 + s
    return np.exp(ln_g)


def wilson_gamma_einsum(x, Lam):
    # Wilson's equation over a batch of compositions with einsum
    S = np.einsum("ij,nj->ni", Lam, x)
    ln_g = 1 - np.log(S) - np.einsum("nk,ki,nk->ni", x, Lam, 1 / S)
    return np.exp(ln_g)


def margules_vle(x1, A12, A21, P1sat, P2sat):
    # two-parameter Margules, modified Raoult's law, the azeotrope by sign changes
    x2 = 1 - x1
    lng1 = x2 ** 2 * (A12 + 2 * (A21 - A12) * x1)
    lng2 = x1 ** 2 * (A21 + 2 * (A12 - A21) * x2)
    g1, g2 = np.exp(lng1), np.exp(lng2)
    P = x1 * g1 * P1sat + x2 * g2 * P2sat
    y1 = x1 * g1 * P1sat / P
    sign_change = np.diff(np.sign(y1 - x1)) != 0
    GE_RT = x1 * lng1 + x2 * lng2
    return P, y1, sign_change.sum(), GE_RT


def clausius_clapeyron_fit(T, Psat):
    # dH_vap from the slope of ln P against 1/T
    slope, intercept = np.polyfit(1 / T, np.log(Psat), 1)
    dH = -slope * R_GAS
    return dH, np.exp(intercept + slope / T)


def heat_capacity_integrals(T1, T2, coeffs):
    # Cp = a + bT + cT^2 + dT^3: the enthalpy and entropy changes, rows of coefficients
    a, b, c, d = coeffs.T
    dH = (a * (T2 - T1) + b / 2 * (T2 ** 2 - T1 ** 2) + c / 3 * (T2 ** 3 - T1 ** 3)
          + d / 4 * (T2 ** 4 - T1 ** 4))
    dS = (a * np.log(T2 / T1) + b * (T2 - T1) + c / 2 * (T2 ** 2 - T1 ** 2)
          + d / 3 * (T2 ** 3 - T1 ** 3))
    T = np.linspace(T1, T2, 201)
    Cp = np.polyval(coeffs[0][::-1], T)
    return dH, dS, np.trapezoid(Cp, T)


def _crit(seed, n):
    r = np.random.default_rng(seed)
    Tc = r.uniform(190, 600, n)
    Pc = r.uniform(2e6, 5e6, n)
    omega = r.uniform(0.0, 0.4, n)
    return Tc, Pc, omega


def _comp(seed, n):
    z = _pos(seed, n, lo=0.1, hi=1.0)
    return z / z.sum()


def _antoine(seed, n):
    r = np.random.default_rng(seed)
    return r.uniform(6.8, 7.2, n), r.uniform(1100, 1700, n), r.uniform(200, 235, n)


THERMO = {
    "pr_z_newton_two_roots": (pr_z_newton, {"n_iter": 6}, lambda s, n: (
        300.0 + 10 * s, np.linspace(1e5, 3e6, n), 370.0, 4.25e6, 0.152)),
    "pr_fugacity_polyval_stack": (pr_fugacity_coefficient, {}, lambda s, n: (
        np.linspace(320, 420, n), 1e6 * s, 370.0, 4.25e6, 0.152)),
    "pr_companion_eigvals": (pr_companion_eigvals, {}, lambda s, n: (
        0.05 * s + 0.02 * n, 0.01 * s)),
    "pr_mixture_kij_fugacity": (pr_mixture_fugacity, {}, lambda s, n: (
        _comp(s, n), 350.0, 2e6, *_crit(s, n), 0.02 * (1 - np.eye(n)))),
    "srk_meshgrid_newton": (srk_z_vectorized_grid, {}, lambda s, n: (
        np.linspace(300, 450, n), np.linspace(1e5, 2e6, n + 1), 425.0 + s, 3.8e6, 0.2)),
    "van_der_waals_isotherms_mask": (van_der_waals_isotherms, {}, lambda s, n: (
        np.linspace(0.6, 5.0, 10 * n), np.array([0.85, 0.9 + 0.02 * s, 1.0, 1.1]))),
    "rachford_rice_newton_python_min_max": (rachford_rice_newton, {}, lambda s, n: (
        _comp(s, n), np.geomspace(4.0 + s, 0.2, n))),
    "rachford_rice_bisection_where": (rachford_rice_bisection, {}, lambda s, n: (
        _comp(s, n), np.geomspace(3.0 + s, 0.3, n))),
    "wilson_k_batch_flash": (wilson_k_flash, {}, lambda s, n: (
        np.stack([_comp(s, n), _comp(s + 1, n)]), 300.0, 2e6, *_crit(s, n))),
    "antoine_bubble_dew": (antoine_bubble_dew, {}, lambda s, n: (
        _comp(s, n), 80.0 + s, *_antoine(s, n))),
    "bubble_temperature_newton_dot": (bubble_temperature_newton, {}, lambda s, n: (
        _comp(s, n), 760.0, *_antoine(s, n))),
    "txy_diagram_vectorised_newton": (txy_diagram, {}, lambda s, n: (
        *_antoine(s, 2), 760.0 - 10 * s)),
    "nrtl_matrix_form": (nrtl_gamma, {}, lambda s, n: (
        _comp(s, n), _f(n, n, seed=s) * (1 - np.eye(n)), 0.3)),
    "nrtl_python_sum_loops": (nrtl_loops, {}, lambda s, n: (
        _comp(s, n), _f(n, n, seed=s) * (1 - np.eye(n)), 0.3)),
    "wilson_batch_einsum": (wilson_gamma_einsum, {}, lambda s, n: (
        np.stack([_comp(s + k, n) for k in range(3)]),
        np.eye(n) + (1 - np.eye(n)) * _pos(s, n, n, lo=0.3, hi=1.5))),
    "margules_azeotrope_sign_changes": (margules_vle, {}, lambda s, n: (
        np.linspace(0.0, 1.0, 5 * n), 1.2 + 0.1 * s, 0.8, 100.0, 90.0)),
    "clausius_clapeyron_polyfit": (clausius_clapeyron_fit, {}, lambda s, n: (
        np.linspace(300, 380, n), 1e5 * np.exp(-4000 * (1 / np.linspace(300, 380, n)
                                                         - 1 / 350)) * (1 + 0.01 * _u(s, n)))),
    "heat_capacity_integrals_trapezoid": (heat_capacity_integrals, {}, lambda s, n: (
        298.15, 400.0 + 10 * s, np.column_stack([
            _pos(s, n, lo=20, hi=40), _pos(s, n, lo=1e-3, hi=5e-2),
            _pos(s, n, lo=-2e-5, hi=1e-5), _pos(s, n, lo=-1e-9, hi=1e-9)]))),
}


@pytest.mark.parametrize("name", _names(THERMO))
def test_thermodynamics_matches_numpy(name):
    """Peng-Robinson and SRK by fixed Newton steps, companion eigenvalues, fugacity
    coefficients with mixing rules, van der Waals isotherms, Rachford-Rice by Newton and
    bisection, Wilson K values, Antoine bubble and dew points, Txy diagrams, NRTL, Wilson and
    Margules activity coefficients, Clausius-Clapeyron fits and Cp integrals."""
    check_like_numpy(*THERMO[name])


# ============================================================================ unit operations


def mccabe_thiele_capped(alpha, xD, xB, zF, R, q=1.0, max_stages=12):
    # stepping off stages from the top with a stage cap; stages past x_B are frozen by where
    eq_x = lambda y: y / (alpha - (alpha - 1) * y)  # noqa: E731
    x_int = (zF * (R + 1) + xD * (q - 1)) / (R + q) if q != 1.0 else zF
    y_int = R / (R + 1) * x_int + xD / (R + 1)
    slope_s = (y_int - xB) / (x_int - xB)
    xs = np.zeros(max_stages)
    y = xD
    x = xD
    for k in range(max_stages):
        x_new = eq_x(y)
        x = np.where(x > xB, x_new, x)
        xs[k] = x
        y = np.where(x > x_int, R / (R + 1) * x + xD / (R + 1), xB + slope_s * (x - xB))
    n_stages = np.sum(xs > xB) + 1
    feed_stage = np.argmax(xs < x_int) + 1
    return xs, n_stages, feed_stage


def mccabe_thiele_lists(alpha, xD, xB, R, n_max=10):
    # the notebook version: staircase corners appended to lists, min() on x_B
    xs, ys = [xD], [xD]
    x = y = xD
    for _ in range(n_max):
        x = y / (alpha - (alpha - 1) * y)
        xs.append(x)
        ys.append(y)
        y = R / (R + 1) * x + xD / (R + 1)
        xs.append(x)
        ys.append(y)
    return np.array(xs), np.array(ys)


def fenske_underwood_gilliland(alpha, zF, xD_lk, xB_lk, q=1.0, n_iter=25):
    # N_min by Fenske, theta by bisection on Underwood's equation, Gilliland (Eduljee)
    a_lk = alpha[0]
    N_min = np.log((xD_lk / (1 - xD_lk)) * ((1 - xB_lk) / xB_lk)) / np.log(a_lk / alpha[1])
    lo, hi = alpha[1] + 1e-6, a_lk - 1e-6
    for _ in range(n_iter):
        theta = 0.5 * (lo + hi)
        f = np.sum(alpha * zF / (alpha - theta)) - (1 - q)
        lo, hi = np.where(f > 0, theta, lo), np.where(f > 0, hi, theta)
    theta = 0.5 * (lo + hi)
    xD = np.zeros_like(zF)
    xD[0], xD[1] = xD_lk, 1 - xD_lk
    R_min = np.sum(alpha * xD / (alpha - theta)) - 1
    R = 1.3 * R_min
    X = (R - R_min) / (R + 1)
    Y = 0.75 * (1 - X ** 0.5668)
    N = (Y + N_min) / (1 - Y)
    return N_min, theta, R_min, N


def psychrometrics(T_db, RH, P=101325.0):
    # Magnus saturation pressure, humidity ratio, enthalpy, dew point, specific volume
    Pws = 610.94 * np.exp(17.625 * T_db / (T_db + 243.04))
    Pw = RH / 100 * Pws
    W = 0.621945 * Pw / (P - Pw)
    h = 1.006 * T_db + W * (2501 + 1.86 * T_db)
    g = np.log(Pw / 610.94)
    T_dp = 243.04 * g / (17.625 - g)
    v = 0.287042 * (T_db + 273.15) * (1 + 1.607858 * W) / (P / 1000)
    return {"W": W, "h": h, "T_dp": T_dp, "v": v}


def wet_bulb_newton(T_db, W, P=101325.0, n_iter=6):
    # wet bulb from the psychrometric equation by Newton with a numerical derivative
    def residual(Twb):
        Pws = 610.94 * np.exp(17.625 * Twb / (Twb + 243.04))
        Ws = 0.621945 * Pws / (P - Pws)
        return ((2501 - 2.326 * Twb) * Ws - 1.006 * (T_db - Twb)) / (
            2501 + 1.86 * T_db - 4.186 * Twb) - W
    Twb = T_db - 5.0
    for _ in range(n_iter):
        f = residual(Twb)
        d = (residual(Twb + 1e-4) - f) / 1e-4
        Twb = Twb - f / d
    return Twb


def lmtd_counterflow(Th_in, Th_out, Tc_in, Tc_out):
    # LMTD with the equal-difference case by np.where, for arrays of exchangers
    dT1 = Th_in - Tc_out
    dT2 = Th_out - Tc_in
    equal = np.isclose(dT1, dT2)
    lmtd = np.where(equal, dT1, (dT1 - dT2) / np.log(dT1 / np.where(equal, 1.0, dT2)))
    return lmtd


def lmtd_f_correction(Th_in, Th_out, Tc_in, Tc_out, U, Q):
    # shell-and-tube 1-2 F factor, and the area A = Q / (U F LMTD)
    R = (Th_in - Th_out) / (Tc_out - Tc_in)
    P = (Tc_out - Tc_in) / (Th_in - Tc_in)
    S = np.sqrt(R ** 2 + 1)
    F = S / (R - 1) * np.log((1 - P) / (1 - P * R)) / np.log(
        (2 - P * (R + 1 - S)) / (2 - P * (R + 1 + S)))
    dT1, dT2 = Th_in - Tc_out, Th_out - Tc_in
    lmtd = (dT1 - dT2) / np.log(dT1 / dT2)
    return F, Q / (U * F * lmtd)


def ntu_effectiveness(UA, m_h, cp_h, m_c, cp_c, Th_in, Tc_in, flow="counter"):
    C_h, C_c = m_h * cp_h, m_c * cp_c
    C_min = np.minimum(C_h, C_c)
    C_max = np.maximum(C_h, C_c)
    Cr = C_min / C_max
    NTU = UA / C_min
    if flow == "counter":
        eps = np.where(np.isclose(Cr, 1.0), NTU / (1 + NTU),
                       (1 - np.exp(-NTU * (1 - Cr))) / (1 - Cr * np.exp(-NTU * (1 - Cr))))
    else:
        eps = (1 - np.exp(-NTU * (1 + Cr))) / (1 + Cr)
    Q = eps * C_min * (Th_in - Tc_in)
    return eps, Q, Th_in - Q / C_h, Tc_in + Q / C_c


def pfr_series_rk4(CA0, k1, k2, V_total, Q, n_steps=20):
    # A -> B -> C in a PFR, RK4 over volume, the concentrations as a preallocated array
    def rates(C):
        rA = -k1 * C[0]
        rB = k1 * C[0] - k2 * C[1]
        return np.array([rA, rB, k2 * C[1]]) / Q
    h = V_total / n_steps
    C = np.zeros((n_steps + 1, 3))
    C[0] = [CA0, 0.0, 0.0]
    for i in range(n_steps):
        c = C[i]
        a = rates(c)
        b = rates(c + h / 2 * a)
        d = rates(c + h / 2 * b)
        e = rates(c + h * d)
        C[i + 1] = c + h / 6 * (a + 2 * b + 2 * d + e)
    V = np.linspace(0, V_total, n_steps + 1)
    return V, C, V[np.argmax(C[:, 1])]


def nonisothermal_batch_euler(CA0, T0, k0, Ea, dH, rho_cp, UA_V, Tj, dt=2.0, steps=40):
    # exothermic batch with a jacket, Arrhenius rate, Euler in time
    CA, T = CA0, T0
    hist = np.empty((steps + 1, 2))
    hist[0] = CA, T
    for n in range(steps):
        k = k0 * np.exp(-Ea / (R_GAS * T))
        r = k * CA
        CA = CA - dt * r
        T = T + dt * ((-dH) * r - UA_V * (T - Tj)) / rho_cp
        hist[n + 1] = CA, T
    return hist, hist[:, 1].max(), 1 - CA / CA0


def cstrs_in_series(k, tau_total, N):
    # first order: X_N = 1 - 1 / (1 + k tau_i)^N, for an array of N
    tau_i = tau_total / N
    X = 1 - 1 / (1 + k * tau_i) ** N
    X_pfr = 1 - np.exp(-k * tau_total)
    return X, X_pfr - X


def cstr_second_order_newton(CA0, k, tau, n_iter=10):
    # CA0 - CA - k tau CA^2 = 0 by Newton, and the closed form to compare
    CA = CA0 / 2
    for _ in range(n_iter):
        f = CA0 - CA - k * tau * CA ** 2
        CA = CA + f / (1 + 2 * k * tau * CA)
    closed = (-1 + np.sqrt(1 + 4 * k * tau * CA0)) / (2 * k * tau)
    return CA, closed, 1 - CA / CA0


def arrhenius_polyfit(T, k):
    slope, intercept = np.polyfit(1.0 / T, np.log(k), 1)
    Ea = -slope * R_GAS
    A = np.exp(intercept)
    resid = np.log(k) - (intercept + slope / T)
    return Ea, A, resid.std(ddof=2)


def arrhenius_lstsq_modified(T, k):
    # modified Arrhenius k = A T^n exp(-Ea/RT) by lstsq on [1, ln T, -1/RT]
    X = np.column_stack([np.ones_like(T), np.log(T), -1 / (R_GAS * T)])
    coef, res, rank, sv = np.linalg.lstsq(X, np.log(k), rcond=None)
    return np.exp(coef[0]), coef[1], coef[2], rank


def mass_balance_solve(F_feed, split, recovery):
    # a mixer-reactor-separator-recycle flowsheet written as A x = b
    A = np.array([[1.0, 0.0, 0.0, -1.0],
                  [-1.0, 1.0, 0.0, 0.0],
                  [0.0, -recovery, 1.0, 0.0],
                  [0.0, 0.0, -split, 1.0]])
    b = np.array([F_feed, 0.0, 0.0, 0.0])
    flows = np.linalg.solve(A, b)
    return flows, flows[3] / F_feed


def mass_balance_batch_solve(A, b):
    # many operating points at once: stacked matrices and right-hand sides
    x = np.linalg.solve(A, b[..., None])[..., 0]
    return x, np.allclose(np.einsum("nij,nj->ni", A, x), b)


def data_reconciliation(measured, sigma, A):
    # weighted least squares adjustments so that A x = 0 holds exactly
    V = np.diag(sigma ** 2)
    r = A @ measured
    K = V @ A.T @ np.linalg.inv(A @ V @ A.T)
    x_hat = measured - K @ r
    chi2 = r @ np.linalg.solve(A @ V @ A.T, r)
    return x_hat, chi2, A @ x_hat


def element_balance_nullspace(E):
    # independent reactions as the null space of the element matrix, by SVD
    U, s, Vt = np.linalg.svd(E)
    rank = np.sum(s > 1e-10)
    N = Vt[rank:].T
    return rank, np.abs(E @ N).max(), N.shape


def _flowsheet(seed, n):
    A = np.array([[1.0, -1.0, -1.0, 0.0], [0.0, 1.0, -1.0, -1.0]])
    x = np.array([10.0, 6.0, 4.0, 2.0])
    return x * (1 + 0.02 * _f(4, seed=seed)), np.full(4, 0.1 * n), A


UNIT_OPS = {
    "mccabe_thiele_stage_cap_where": (mccabe_thiele_capped, {"max_stages": 10}, lambda s, n: (
        2.5 + 0.2 * s, 0.95, 0.05, 0.5, 1.5 + 0.1 * n)),
    "mccabe_thiele_python_lists": (mccabe_thiele_lists, {"n_max": 6}, lambda s, n: (
        2.0 + 0.3 * s, 0.9, 0.1, 2.0 + 0.1 * n)),
    "fenske_underwood_gilliland": (fenske_underwood_gilliland, {}, lambda s, n: (
        np.r_[2.5 + 0.1 * s, 1.0, np.linspace(0.5, 0.2, n - 2)], _comp(s, n), 0.98, 0.02)),
    "psychrometrics_dict": (psychrometrics, {}, lambda s, n: (
        np.linspace(10, 35, n) + s, np.linspace(30, 90, n))),
    "wet_bulb_newton_nested_def": (wet_bulb_newton, {}, lambda s, n: (
        np.linspace(20, 35, n) + s, np.full(n, 0.008))),
    "lmtd_equal_differences_where": (lmtd_counterflow, {}, lambda s, n: (
        np.full(n, 150.0), np.linspace(90, 110, n), np.full(n, 30.0 + s),
        np.linspace(90, 70, n) + s)),
    "lmtd_f_correction_area": (lmtd_f_correction, {}, lambda s, n: (
        150.0, 100.0 - np.arange(n), 30.0 + s, 60.0, 500.0, 1e5)),
    "ntu_effectiveness_counter": (ntu_effectiveness, {}, lambda s, n: (
        np.linspace(500, 3000, n), 1.0, 4180.0, np.r_[1.0, np.linspace(0.5, 2, n - 1)],
        4180.0, 90.0 + s, 20.0)),
    "ntu_effectiveness_parallel_flag": (ntu_effectiveness, {"flow": "parallel"},
                                        lambda s, n: (np.linspace(500, 3000, n), 1.0, 4180.0,
                                                      np.linspace(0.5, 2, n), 4180.0, 90.0,
                                                      20.0 + s)),
    "pfr_series_rk4_rates_array": (pfr_series_rk4, {"n_steps": 12}, lambda s, n: (
        2.0, 0.5 + 0.1 * s, 0.2, 10.0, 1.0)),
    "nonisothermal_batch_euler": (nonisothermal_batch_euler, {"steps": 25}, lambda s, n: (
        2.0, 300.0 + s, 4e6, 5e4, -8e4, 4e6, 2e3, 295.0)),
    "cstrs_in_series_int_array": (cstrs_in_series, {}, lambda s, n: (
        0.3 + 0.1 * s, 10.0, np.arange(1, n + 1))),
    "cstr_second_order_newton": (cstr_second_order_newton, {}, lambda s, n: (
        np.linspace(1, 3, n), 0.5 + 0.1 * s, 5.0)),
    "arrhenius_polyfit": (arrhenius_polyfit, {}, lambda s, n: (
        np.linspace(300, 400, n), 1e7 * np.exp(-6e4 / (R_GAS * np.linspace(300, 400, n)))
        * (1 + 0.05 * _f(n, seed=s)))),
    "arrhenius_modified_lstsq_rank": (arrhenius_lstsq_modified, {}, lambda s, n: (
        np.linspace(300, 500, n), 1e5 * np.linspace(300, 500, n) ** 0.5 * np.exp(
            -5e4 / (R_GAS * np.linspace(300, 500, n))) * (1 + 0.02 * _f(n, seed=s)))),
    "mass_balance_recycle_solve": (mass_balance_solve, {}, lambda s, n: (
        100.0 * s, 0.1 * n, 0.8)),
    "mass_balance_batched_solve": (mass_balance_batch_solve, {}, lambda s, n: (
        np.eye(3) * 4 + _f(n, 3, 3, seed=s), _f(n, 3, seed=s + 1))),
    "data_reconciliation_inv": (data_reconciliation, {}, lambda s, n: _flowsheet(s, n)),
}


@pytest.mark.parametrize("name", _names(UNIT_OPS))
def test_unit_operations_match_numpy(name):
    """McCabe-Thiele with a stage cap and with lists, Fenske-Underwood-Gilliland,
    psychrometrics and wet bulbs, LMTD and F factors, NTU-effectiveness with a flow flag,
    PFR by RK4, batch reactors by Euler, CSTRs, Arrhenius fits by polyfit and lstsq, mass
    balances by solve and data reconciliation."""
    check_like_numpy(*UNIT_OPS[name])


# ============================================================================ more idioms


def chain_ladder_masked_array(tri):
    # numpy.ma as the reserving tutorials use it: masked_invalid, sums over paired masks
    C = np.ma.masked_invalid(tri)
    num = C[:, 1:]
    den = np.ma.array(C[:, :-1], mask=num.mask)
    f = num.sum(axis=0) / den.sum(axis=0)
    n_obs = C.count(axis=1)
    return np.ma.filled(f, 1.0), n_obs


def ldf_ma_average_weighted(tri):
    # chainladder-style volume-weighted link ratios by np.ma.average with weights
    C = np.ma.masked_invalid(tri)
    ratios = C[:, 1:] / C[:, :-1]
    w = np.nan_to_num(tri[:, :-1])
    return np.ma.average(ratios, axis=0, weights=w).filled(1.0)


def latest_by_observed_count(tri):
    # the latest diagonal by counting observed cells per row and a gather
    k = (~np.isnan(tri)).sum(axis=1)
    latest = tri[np.arange(tri.shape[0]), k - 1]
    latest2 = np.take_along_axis(tri, (k - 1)[:, None], axis=1)[:, 0]
    return latest, latest2, np.count_nonzero(~np.isnan(tri), axis=0)


def project_triangle_in_place(tri, f):
    # the triangle completed in place, nothing returned
    n = tri.shape[0]
    for i in range(1, n):
        for j in range(n - i, n):
            tri[i, j] = tri[i, j - 1] * f[j - 1]


def commutation_into_dict_arg(table, qx, i):
    # columns added to a dict the caller passes in
    v = 1 / (1 + i)
    lx = 1e5 * np.cumprod(np.r_[1, 1 - qx[:-1]])
    table["Dx"] = lx * v ** np.arange(len(qx))
    table["Nx"] = table["Dx"][::-1].cumsum()[::-1]
    table["ax"] = table["Nx"] / table["Dx"]


def safe_rates_divide_where(deaths, exposure):
    # central death rates with zero exposures left at 0 by np.divide(where=)
    mx = np.divide(deaths, exposure, out=np.zeros_like(exposure), where=exposure > 0)
    with np.errstate(divide="ignore"):
        log_mx = np.where(mx > 0, np.log(mx), -np.inf)
    return mx, log_mx


def excess_of_loss_layers(losses, attachment, limit):
    # per-risk XL recoveries by np.piecewise and by np.clip, and the ceded share
    rec = np.piecewise(losses, [losses < attachment,
                                (losses >= attachment) & (losses < attachment + limit),
                                losses >= attachment + limit],
                       [0.0, lambda x: x - attachment, limit])
    rec2 = np.clip(losses - attachment, 0, limit)
    return rec, rec2, rec.sum() / losses.sum()


def commission_tiers_select(loss_ratio):
    # a sliding-scale commission by np.select
    return np.select([loss_ratio < 0.5, loss_ratio < 0.6, loss_ratio < 0.7],
                     [0.35, 0.35 - (loss_ratio - 0.5), 0.25 - 0.5 * (loss_ratio - 0.6)],
                     default=0.20)


def multistate_expm(Q0, t_grid):
    # a healthy-sick-dead model: generator diagonal by fill_diagonal, P(t) by expm
    Q = Q0.copy()
    np.fill_diagonal(Q, -Q.sum(axis=1))
    P = np.array([scipy.linalg.expm(Q * t) for t in t_grid])
    return P[:, 0, :], P[:, 0, 2]


def poisson_loglik_factorial(lam, counts):
    # the Poisson pmf written by hand with scipy.special.factorial of the observed counts
    p = lam ** counts * np.exp(-lam) / scipy.special.factorial(counts)
    return p, np.sum(np.log(p))


def gpd_layer_pricing(x, sigma, u, lam_u, xi=0.3):
    # peaks over threshold with the tail index fixed: exceedances above u by genpareto
    sf = scipy.stats.genpareto.sf(x - u, xi, scale=sigma)
    return lam_u * sf, scipy.stats.genpareto.cdf(x - u, xi, scale=sigma)


def tubular_reactor_thomas(Pe, Da, n=12):
    # axial dispersion: central differences, the tridiagonal system by the Thomas algorithm
    h = 1.0 / n
    a = np.full(n, 1 / (Pe * h ** 2) + 1 / (2 * h))
    b = np.full(n, -2 / (Pe * h ** 2) - Da)
    c = np.full(n, 1 / (Pe * h ** 2) - 1 / (2 * h))
    d = np.zeros(n)
    d[0] = -a[0] * 1.0
    c[-1] = c[-1] + a[-1]
    cp = np.zeros(n)
    dp = np.zeros(n)
    cp[0], dp[0] = c[0] / b[0], d[0] / b[0]
    for i in range(1, n):
        m = b[i] - a[i] * cp[i - 1]
        cp[i] = c[i] / m
        dp[i] = (d[i] - a[i] * dp[i - 1]) / m
    x = np.zeros(n)
    x[-1] = dp[-1]
    for i in range(n - 2, -1, -1):
        x[i] = dp[i] - cp[i] * x[i + 1]
    return x


def heat_conduction_solve_banded(k_vals, q, T_left, T_right):
    # steady 1-D conduction with variable conductivity, scipy.linalg.solve_banded
    n = len(q)
    kw = np.r_[k_vals[0], 0.5 * (k_vals[1:] + k_vals[:-1]), k_vals[-1]]
    ab = np.zeros((3, n))
    ab[0, 1:] = -kw[1:n]
    ab[1] = kw[:-1] + kw[1:]
    ab[2, :-1] = -kw[1:n]
    rhs = q.copy()
    rhs[0] += kw[0] * T_left
    rhs[-1] += kw[-1] * T_right
    return scipy.linalg.solve_banded((1, 1), ab, rhs)


def pyramid_add_at(ages, sexes, width=5, n_groups=20):
    # counts by age group and sex with np.add.at, the groups clipped to the open interval
    counts = np.zeros((2, n_groups), dtype=int)
    g = np.minimum(ages // width, n_groups - 1)
    np.add.at(counts, (sexes, g), 1)
    return counts, counts / counts.sum(axis=1, keepdims=True)


def pyramid_histogram2d(ages, sexes):
    H, _, _ = np.histogram2d(ages, sexes, bins=[np.arange(0, 101, 10), [0, 0.5, 1]])
    return H, H.sum(axis=0)


def mortality_hazard_gradient(lx, ages):
    # mu_x as -d ln l_x / dx by np.gradient, and the graduated rates by a moving average
    mu = -np.gradient(np.log(lx), ages)
    smooth = np.convolve(mu, np.ones(3) / 3, mode="same")
    win = np.lib.stride_tricks.sliding_window_view(mu, 3).mean(axis=-1)
    return mu, smooth, win


def annuity_certain_table(rates, terms):
    # a_n at i and the accumulated s_n, a (rates, terms) table by broadcasting
    i = rates[:, None]
    n = terms[None, :]
    v = 1 / (1 + i)
    a_n = (1 - v ** n) / i
    s_n = ((1 + i) ** n - 1) / i
    d = i / (1 + i)
    return a_n, s_n, (1 - v ** n) / d


def loan_amortization(principal, rate, n=12):
    # the schedule by a loop: interest, principal repaid, balance
    pmt = principal * rate / (1 - (1 + rate) ** -n)
    sched = np.zeros((n, 3))
    bal = principal
    for k in range(n):
        interest = bal * rate
        repaid = pmt - interest
        bal = bal - repaid
        sched[k] = interest, repaid, bal
    return pmt, sched


def ibnr_counts_float32(tri32):
    # reported counts in float32 as read from a CSV, factors by nansum, results float32
    f = np.nansum(tri32[:-1, 1:], axis=0) / np.nansum(
        np.where(np.isnan(tri32[:-1, 1:]), np.nan, tri32[:-1, :-1]), axis=0)
    cdf = np.cumprod(f[::-1])[::-1]
    return f, cdf, f.dtype


def claim_count_int_triangle(counts):
    # integer incremental counts: cumulative by cumsum, link ratios as float64
    cum = np.cumsum(counts, axis=1)
    n = counts.shape[0]
    obs = np.add.outer(np.arange(n), np.arange(n)) < n
    num = (cum[:, 1:] * obs[:, 1:]).sum(axis=0)
    den = (cum[:, :-1] * obs[:, 1:]).sum(axis=0)
    return cum * obs, num / den, num.dtype


def latest_diagonal_comprehension(tri):
    # each row's last observed value: the last element of its non-NaN selection
    return np.array([row[~np.isnan(row)][-1] for row in tri])


IDIOMS = {
    "chain_ladder_np_ma_masked_invalid": (chain_ladder_masked_array, {}, lambda s, n: (
        _triangle(s, n),)),
    "ldf_np_ma_average_weights": (ldf_ma_average_weighted, {}, lambda s, n: (
        _triangle(s, n),)),
    "latest_by_count_take_along_axis": (latest_by_observed_count, {}, lambda s, n: (
        _triangle(s, n),)),
    "project_triangle_in_place": (project_triangle_in_place, {}, lambda s, n: (
        _triangle(s, n), np.linspace(1.6, 1.05, n - 1) + 0.01 * s)),
    "commutation_into_dict_argument": (commutation_into_dict_arg, {}, lambda s, n: (
        {}, _qx(s, n), 0.04)),
    "safe_rates_divide_where_errstate": (safe_rates_divide_where, {}, lambda s, n: (
        _i(20, 3 * n, seed=s).astype(float), _pos(s, 3 * n, lo=0, hi=500) * (
            np.arange(3 * n) % 4 != 2))),
    "excess_of_loss_piecewise_clip": (excess_of_loss_layers, {}, lambda s, n: (
        np.random.default_rng(s).lognormal(1, 1, 5 * n), 2.0, 5.0 + s)),
    "commission_tiers_select": (commission_tiers_select, {}, lambda s, n: (
        np.linspace(0.3, 0.9, 4 * n) + 0.01 * s,)),
    "multistate_fill_diagonal_expm": (multistate_expm, {}, lambda s, n: (
        np.array([[0.0, 0.05 * s, 0.01], [0.3, 0.0, 0.08], [0.0, 0.0, 0.0]]),
        np.linspace(0.5, 10, n))),
    "poisson_pmf_special_factorial": (
        poisson_loglik_factorial, {}, lambda s, n: (1.5 + 0.1 * s, _i(6, 3 * n, seed=s))),
    "gpd_layer_scipy_genpareto": (
        gpd_layer_pricing, {}, lambda s, n: (
            np.linspace(10.0, 50.0, n), 5.0 + s, 10.0, 2.0)),
    "gpd_layer_traced_tail_index": (gpd_layer_pricing, {}, lambda s, n: (
        np.linspace(10.0, 50.0, n), 5.0 + s, 10.0, 2.0, 0.2 + 0.1 * s)),
    "tubular_reactor_thomas_loops": (tubular_reactor_thomas, {}, lambda s, n: (
        5.0 + s, 1.0 + 0.1 * n)),
    "heat_conduction_solve_banded": (heat_conduction_solve_banded, {}, lambda s, n: (
        _pos(s, 2 * n, lo=1, hi=5), _pos(s + 1, 2 * n, lo=0, hi=2), 100.0, 20.0 + s)),
    "pyramid_add_at_tuple_index": (pyramid_add_at, {}, lambda s, n: (
        _i(110, 25 * n, seed=s), _i(2, 25 * n, seed=s + 1))),
    "pyramid_histogram2d": (pyramid_histogram2d, {}, lambda s, n: (
        _pos(s, 25 * n, lo=0, hi=100), _i(2, 25 * n, seed=s + 1).astype(float))),
    "mortality_gradient_convolve_window": (mortality_hazard_gradient, {}, lambda s, n: (
        1e5 * np.cumprod(1 - _qx(s, n)), np.arange(3.0 * n) * 2)),
    "annuity_certain_broadcast_table": (annuity_certain_table, {}, lambda s, n: (
        np.linspace(0.01, 0.08, n) + 0.001 * s, np.arange(1, 31, 5))),
    "loan_amortization_rows": (loan_amortization, {"n": 8}, lambda s, n: (
        1000.0 * s, 0.01 * n)),
    "ibnr_counts_float32_nansum": (ibnr_counts_float32, {}, lambda s, n: (
        _triangle(s, n).astype(np.float32),)),
    "latest_diagonal_last_of_selection": (latest_diagonal_comprehension, {}, lambda s, n: (
        _triangle(s, n),)),
    "claim_count_int_triangle_outer_mask": (claim_count_int_triangle, {}, lambda s, n: (
        _i(30, n, n, seed=s) + 1,)),
}


@pytest.mark.parametrize("name", _names(IDIOMS))
def test_domain_idioms_match_numpy(name):
    """np.ma triangles, gathers of latest diagonals, triangles and dicts written in place,
    np.divide(where=) and errstate, XL layers by piecewise and clip, np.select tiers,
    multi-state models by expm, factorials and genpareto, Thomas and solve_banded solves,
    pyramids by np.add.at and histogram2d, hazards by np.gradient, annuities-certain,
    amortisation, float32 and int triangles."""
    check_like_numpy(*IDIOMS[name])


# -------------------------------------------------------------- Python scalars that steer


def endowment_positional(qx, i, x, n):
    return endowment_insurance(qx, i, x, n)


def reserve_term_positional(qx, x, n, i):
    # the term n from a policy record: premiums and reserves over n durations
    P, V = net_premium_from_commutation(qx, i, x, n)
    return P, V


def ruin_seeded_inside(u, c, lam, theta, n_sims, years, seed):
    rng = np.random.default_rng(seed)
    return ruin_simulation(u, c, lam, theta, rng, n_sims, years)


def panjer_s_max_positional(lam, f, s_max):
    return panjer_poisson(lam, f, s_max)


def mccabe_cap_positional(alpha, xD, xB, zF, R, max_stages):
    return mccabe_thiele_capped(alpha, xD, xB, zF, R, 1.0, max_stages)


def pr_newton_steps_positional(T, P, n_iter):
    return pr_z_newton(T, P, 370.0, 4.25e6, 0.152, n_iter)


def pyramid_width_positional(ages_m, ages_f, width, max_age):
    return age_pyramid_histogram(ages_m, ages_f, width, max_age)


def lee_carter_horizon_positional(log_mx, horizon):
    return lee_carter_forecast(log_mx, horizon)


def loan_term_positional(principal, rate, n):
    return loan_amortization(principal, rate, n)


def cstr_count_range(k, tau_total, N):
    # conversions after each of N tanks, by a loop over range(N)
    tau_i = tau_total / N
    C = np.ones(N + 1)
    for j in range(N):
        C[j + 1] = C[j] / (1 + k * tau_i)
    return 1 - C


def simulate_aggregate_seed(lam, mu, sigma, n_sims, seed=2024):
    # np.random.seed inside, then compound Poisson lognormal totals by a list comprehension
    np.random.seed(seed)
    counts = np.random.poisson(lam, n_sims)
    totals = np.array([np.random.lognormal(mu, sigma, 4).sum() * (c > 0) for c in counts])
    return totals.mean(), np.percentile(totals, 99)


STEERED = {
    "endowment_age_term": (endowment_positional, lambda s: (_qx(s, 4), 0.04, s, 3 + s)),
    "reserve_term_from_record": (reserve_term_positional, lambda s: (_qx(s, 4), s, 4 + s,
                                                                     0.035)),
    "ruin_sims_years_seed": (ruin_seeded_inside, lambda s: (5.0, 3.3, 2.0, 1.5, 20 * s,
                                                            3 + s, 100 + s)),
    "panjer_s_max": (panjer_s_max_positional, lambda s: (
        1.5, discretize_lognormal(1.0, 8, 0.3, 0.5), 10 * s)),
    "mccabe_thiele_stage_cap": (mccabe_cap_positional, lambda s: (
        2.5, 0.95, 0.05, 0.5, 1.8, 5 + 3 * s)),
    "pr_newton_step_count": (pr_newton_steps_positional, lambda s: (
        310.0, np.linspace(1e5, 2e6, 4), 2 * s)),
    "pyramid_width_max_age": (pyramid_width_positional, lambda s: (
        _pos(s, 80, lo=0, hi=95), _pos(s + 1, 80, lo=0, hi=99), 5 * s, 80 + 5 * s)),
    "lee_carter_horizon": (lee_carter_horizon_positional, lambda s: (_logmx(s, 4), 3 * s)),
    "loan_term": (loan_term_positional, lambda s: (1000.0, 0.01, 6 * s)),
    "cstrs_in_series_count": (cstr_count_range, lambda s: (0.4, 10.0, 2 + s)),
    "aggregate_np_random_seed_sims": (simulate_aggregate_seed, lambda s: (
        2.0, 0.5, 0.8, 10 * s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Issue ages and terms, simulation counts, years and seeds, Panjer's lattice size, stage
    caps, Newton step counts, pyramid widths, forecast horizons, loan terms and tank counts
    given positionally: made static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def pr_z_np_roots(T, P, props):
    # the cubic by np.roots, the real roots kept, vapour the largest, liquid the smallest
    Tc, Pc, omega = props
    A, B = peng_robinson_params(T, P, Tc, Pc, omega)
    roots = np.roots([1.0, -(1 - B), A - 3 * B ** 2 - 2 * B, -(A * B - B ** 2 - B ** 3)])
    real = roots[np.abs(roots.imag) < 1e-10].real
    return real.max(), real.min()


def rachford_rice_brentq(z, K):
    g = lambda V: np.sum(z * (K - 1) / (1 + V * (K - 1)))  # noqa: E731
    V = scipy.optimize.brentq(g, 0.0, 1.0)
    return V, z / (1 + V * (K - 1))


def mccabe_thiele_break(Psat, xD, xB, R, max_stages=30):
    # stepping off stages until the bottoms spec is met, with break
    alpha = Psat[0] / Psat[1]
    x = y = xD
    stages = []
    for _ in range(max_stages):
        x = y / (alpha - (alpha - 1) * y)
        stages.append((x, y))
        if x <= xB:
            break
        y = R / (R + 1) * x + xD / (R + 1)
    return np.array(stages)


def pr_z_newton_tolerance(T, P, props, tol=1e-12):
    A, B = peng_robinson_params(T, P, *props)
    Z = 1.0
    while True:
        f = Z ** 3 - (1 - B) * Z ** 2 + (A - 3 * B ** 2 - 2 * B) * Z - (A * B - B ** 2 - B ** 3)
        df = 3 * Z ** 2 - 2 * (1 - B) * Z + (A - 3 * B ** 2 - 2 * B)
        step = f / df
        Z -= step
        if abs(step) < tol:
            return Z


def ages_with_claims(ages, claims):
    # the ages that had claims, for the experience study's table
    return ages[claims > 0], claims[claims > 0]


def ruin_if_surplus(u, c, claims):
    # the first year of ruin by a Python if on the running surplus
    U = u
    for t, x in enumerate(claims):
        U = U + c - x
        if U < 0:
            return t
    return -1


def element_balance_nullspace(E):
    # independent reactions as the null space of the element matrix, rank by tolerance
    U, s, Vt = np.linalg.svd(E)
    rank = np.sum(s > 1e-10)
    N = Vt[rank:].T
    return rank, np.abs(E @ N).max(), N.shape


def gompertz_vectorize_if(ages, B, c, limit_age):
    # the law applied by np.vectorize of a Python function with an if on the age
    def q(x):
        if x >= limit_age:
            return 1.0
        return 1 - np.exp(-B / np.log(c) * c ** x * (c - 1))
    return np.vectorize(q)(ages)


def rachford_rice_fsolve(z, K):
    V = scipy.optimize.fsolve(lambda V: np.sum(z * (K - 1) / (1 + V * (K - 1))), 0.5)[0]
    return V


def arrhenius_curve_fit(T, k):
    model = lambda T, lnA, Ea: lnA - Ea / (R_GAS * T)  # noqa: E731
    popt, pcov = scipy.optimize.curve_fit(model, T, np.log(k), p0=[10.0, 5e4])
    return popt, np.sqrt(np.diag(pcov))


def unique_policy_years(years, claims):
    # claims summed per distinct calendar year
    yrs, inv = np.unique(years, return_inverse=True)
    return yrs, np.bincount(inv, weights=claims)


def triangle_rows_as_lists(tri):
    # each accident year's observed development as a list of arrays
    return [row[~np.isnan(row)] for row in tri]


def buhlmann_if_no_credibility(X):
    # the textbook's branch: no credibility when the VHM estimate is not positive
    n = X.shape[1]
    epv = X.var(axis=1, ddof=1).mean()
    vhm = X.mean(axis=1).var(ddof=1) - epv / n
    if vhm <= 0:
        return np.full(X.shape[0], X.mean())
    Z = n / (n + epv / vhm)
    return Z * X.mean(axis=1) + (1 - Z) * X.mean()


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "pr_cubic_np_roots": (_DataDependent, pr_z_np_roots, lambda s: (
        300.0 + 10 * s, 2e6, np.array([370.0, 4.25e6, 0.152]))),
    "rachford_rice_scipy_brentq": (_Concretization, rachford_rice_brentq, lambda s: (
        _comp(s, 4), np.geomspace(4.0 + s, 0.2, 4))),
    "mccabe_thiele_break_on_xB": (_Concretization, mccabe_thiele_break, lambda s: (
        np.array([1200.0 + 50 * s, 480.0]), 0.95, 0.05, 2.0)),
    "pr_newton_while_tolerance": (_Concretization, pr_z_newton_tolerance, lambda s: (
        300.0 + 10 * s, 2e6, np.array([370.0, 4.25e6, 0.152]))),
    "ages_with_claims_selection": (_DataDependent, ages_with_claims, lambda s: (
        np.arange(20, 40), _i(3, 20, seed=s) * (_u(s, 20) < 0.3))),
    "ruin_python_if_first_year": (_Concretization, ruin_if_surplus, lambda s: (
        5.0, 2.0, _pos(s, 10, lo=0, hi=5))),
    "element_balance_rank_nullspace": (_DataDependent, element_balance_nullspace, lambda s: (
        np.array([[1.0, 0, 1, 1, 0], [0, 2, 0, 2, 2], [1, 1, 2, 1, 0]]) * (1 + 0 * s),)),
    "gompertz_np_vectorize_if": (_Concretization, gompertz_vectorize_if, lambda s: (
        np.arange(90.0, 100.0), 3e-5 * s, 1.1, np.float64(98.0))),
    "rachford_rice_scipy_fsolve": (_Concretization, rachford_rice_fsolve, lambda s: (
        _comp(s, 4), np.geomspace(4.0 + s, 0.2, 4))),
    "arrhenius_scipy_curve_fit": (_Concretization, arrhenius_curve_fit, lambda s: (
        np.linspace(300, 400, 6), 1e7 * np.exp(-6e4 / (R_GAS * np.linspace(300, 400, 6)))
        * (1 + 0.05 * _f(6, seed=s)))),
    "unique_policy_years": (_DataDependent, unique_policy_years, lambda s: (
        _i(5, 30, seed=s) + 2015, _pos(s, 30))),
    "triangle_rows_as_lists": (_DataDependent, triangle_rows_as_lists, lambda s: (
        _triangle(s, 4),)),
    "buhlmann_if_vhm_not_positive": (_Concretization, buhlmann_if_no_credibility, lambda s: (
        _pos(s, 4, 5),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Latest diagonals by non-NaN selections, np.roots of a cubic, brentq, fsolve and
    curve_fit, McCabe-Thiele with break, Newton to a tolerance, ages with claims, ruin by a
    Python if, null spaces by numerical rank, np.vectorize of an if, np.unique years, rows as
    lists and a credibility branch: the named error, NumPy's values under fallback=True."""
    check_refused(*REFUSED[name])
