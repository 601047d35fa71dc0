"""Corpus, hunt AH: financial mathematics, solar-energy engineering and hydrology/civil
engineering scripts, written the way their public sources write them.

Finance follows numpy-financial (`fv`, `pv`, `pmt`, `nper`, `ipmt`, `ppmt` over
`np.broadcast_arrays` of their arguments with `np.where(rate == 0, ...)` and, in its newer
releases, masked writes `out[zero] = ...` / `out[~zero] = ...`; `npv` by powers of
`np.arange` and by its nested loop; `mirr` with its early `np.nan`; `rate` by a fixed number of
Newton steps of `_g_div_gp`, and `irr` by `np.roots` of the reversed cash flows with a real
positive root picked), amortization schedules written row by row, bond price, yield, Macaulay
and modified duration and convexity, zero curves bootstrapped in loops, forward rates and
Nelson-Siegel curves, Black-Scholes with an `erf` normal CDF and its Greeks, implied volatility
by Newton steps, CRR binomial and trinomial trees by backward induction over `range(n)`,
Monte Carlo paths from given normals (European, Asian, barrier, Heston), and portfolio code
(covariances, minimum-variance and tangency weights by `np.linalg.solve`, efficient-frontier
loops, drawdowns by `np.maximum.accumulate`, rolling Sharpe ratios and volatilities by cumsum
differences, EWMA and GARCH recursions, VaR/CVaR, RSI/MACD/Bollinger indicators). Solar follows
pvlib (Spencer and Cooper declination, equation of time, hour angle, zenith and azimuth by
`np.arccos`/`np.arctan2`, Kasten-Young and other airmass formulas with `np.nan` below the
horizon, Haurwitz and Ineichen-Perez clear skies, Erbs decomposition, isotropic, Klucher,
Reindl and Hay-Davies transposition, angle of incidence with `np.clip`, ASHRAE and Fresnel
IAM, single-axis tracker angles, the single-diode equation by a fixed number of Newton steps
and Bishop's explicit form, SAPM/PVsyst/Faiman cell temperatures, PVWatts DC and inverter
models), with wind power curves and battery state-of-charge loops. Hydrology and civil /
mechanical engineering follow textbook scripts: unit hydrographs by `np.convolve`, SCS curve
number runoff, Muskingum and linear-reservoir routing loops, level-pool (modified Puls) routing
by `np.interp`, Lyne-Hollick baseflow filters, Green-Ampt infiltration, Thornthwaite and
Hargreaves evapotranspiration, flow duration curves, Manning's equation and normal depth by
Newton steps, Swamee-Jain and Colebrook friction factors, Hardy-Cross loop corrections with a
fixed number of sweeps, beam deflection by superposition of point loads, truss stiffness
assembly with `np.ix_`, spring-mass modes and Newmark-beta integration, psychrometrics,
heat-exchanger effectiveness-NTU tables read by `np.interp`, LMTD and fins, explicit 1-D heat
conduction, Mohr's circle and von Mises stresses.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Python integers that drive `range(n)` (payment counts,
tree steps) are steered static. The forms whose Python control flow reads array values
(numpy-financial's `mirr` guard, `rate`'s `while not np.all(close)`, `irr` by `np.roots`,
Hardy-Cross and Colebrook iterated to a tolerance) raise a named error and run eagerly under
`fallback=True`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, assert_same, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _Xfail, _names
from test_grad_hunt_r import check_grads


def _u(seed, *shape, lo=0.0, hi=1.0):
    """Uniform draws in [lo, hi)."""
    return np.random.default_rng(seed).uniform(lo, hi, shape)


# ----------------------------------------------------------------- numpy-financial


_WHEN = {"end": 0, "begin": 1, "e": 0, "b": 1, 0: 0, 1: 1, "beginning": 1, "start": 1,
         "finish": 0}


def _convert_when(when):
    """numpy-financial's mapping of `when` strings to 0 (end) and 1 (begin)."""
    if isinstance(when, np.ndarray):
        return when
    try:
        return _WHEN[when]
    except (KeyError, TypeError):
        return [_WHEN[x] for x in when]


def npf_fv(rate, nper, pmt, pv, when="end"):
    """numpy-financial's newer `fv`: masked writes for zero and nonzero rates."""
    when = _convert_when(when)
    rate, nper, pmt, pv, when = np.broadcast_arrays(rate, nper, pmt, pv, when)
    fv_array = np.empty_like(rate)
    zero = rate == 0
    nonzero = ~zero
    fv_array[zero] = -(pv[zero] + pmt[zero] * nper[zero])
    rate_nonzero = rate[nonzero]
    temp = (1 + rate_nonzero) ** nper[nonzero]
    fv_array[nonzero] = (-pv[nonzero] * temp
                         - pmt[nonzero] * (1 + rate_nonzero * when[nonzero]) / rate_nonzero
                         * (temp - 1))
    if np.ndim(fv_array) == 0:
        return fv_array.item(0)
    return fv_array


def npf_fv_where(rate, nper, pmt, pv, when="end"):
    """numpy-financial's older `fv` by `np.where(rate == 0, ...)` of asarrays."""
    when = _convert_when(when)
    (rate, nper, pmt, pv, when) = map(np.asarray, [rate, nper, pmt, pv, when])
    temp = (1 + rate) ** nper
    fact = np.where(rate == 0, nper, (1 + rate * when) * (temp - 1) / rate)
    return -(pv * temp + pmt * fact)


def npf_pv(rate, nper, pmt, fv=0, when="end"):
    """numpy-financial's `pv`."""
    when = _convert_when(when)
    (rate, nper, pmt, fv, when) = map(np.asarray, [rate, nper, pmt, fv, when])
    temp = (1 + rate) ** nper
    fact = np.where(rate == 0, nper, (1 + rate * when) * (temp - 1) / rate)
    return -(fv + pmt * fact) / temp


def npf_pmt(rate, nper, pv, fv=0, when="end"):
    """numpy-financial's `pmt` with a masked rate to keep the division finite."""
    when = _convert_when(when)
    (rate, nper, pv, fv, when) = map(np.array, [rate, nper, pv, fv, when])
    temp = (1 + rate) ** nper
    mask = rate == 0
    masked_rate = np.where(mask, 1, rate)
    fact = np.where(mask != 0, nper, (1 + masked_rate * when) * (temp - 1) / masked_rate)
    return -(fv + pv * temp) / fact


def npf_nper(rate, pmt, pv, fv=0, when="end"):
    """numpy-financial's `nper`: an float output filled through two masks."""
    when = _convert_when(when)
    rate, pmt, pv, fv, when = np.broadcast_arrays(rate, pmt, pv, fv, when)
    nper_array = np.empty_like(rate, dtype=np.float64)
    zero = rate == 0
    nonzero = ~zero
    with np.errstate(divide="ignore"):
        nper_array[zero] = -(fv[zero] + pv[zero]) / pmt[zero]
    nonzero_rate = rate[nonzero]
    z = pmt[nonzero] * (1 + nonzero_rate * when[nonzero]) / nonzero_rate
    nper_array[nonzero] = (np.log((-fv[nonzero] + z) / (pv[nonzero] + z))
                           / np.log(1 + nonzero_rate))
    return nper_array


def _rbl(rate, per, pmt, pv, when):
    """Remaining balance at the start of period `per`, as numpy-financial writes it."""
    return npf_fv(rate, (per - 1), pmt, pv, when)


def npf_ipmt(rate, per, nper, pv, fv=0, when="end"):
    """numpy-financial's newer `ipmt`: masked writes for `per < 1` and payments at the start."""
    when = _convert_when(when)
    rate, per, nper, pv, fv, when = np.broadcast_arrays(rate, per, nper, pv, fv, when)
    total_pmt = npf_pmt(rate, nper, pv, fv, when)
    ipmt_array = np.array(_rbl(rate, per, total_pmt, pv, when) * rate)
    ipmt_array[per < 1] = np.nan
    per1_and_begin = (when == 1) & (per == 1)
    ipmt_array[per1_and_begin] = 0
    per_gt_1_and_begin = (when == 1) & (per > 1)
    ipmt_array[per_gt_1_and_begin] = (ipmt_array[per_gt_1_and_begin]
                                      / (1 + rate[per_gt_1_and_begin]))
    return ipmt_array


def npf_ipmt_where(rate, per, nper, pv, fv=0, when="end"):
    """numpy's old `np.ipmt`: `np.where` on `when` and the first period."""
    when = _convert_when(when)
    rate, per, nper, pv, fv, when = np.broadcast_arrays(rate, per, nper, pv, fv, when)
    total_pmt = npf_pmt(rate, nper, pv, fv, when)
    ipmt = npf_fv_where(rate, per - 1, total_pmt, pv, when) * rate
    ipmt = np.where(when == 1, ipmt / (1 + rate), ipmt)
    ipmt = np.where(np.logical_and(when == 1, per == 1), 0, ipmt)
    return ipmt


def npf_ppmt(rate, per, nper, pv, fv=0, when="end"):
    """numpy-financial's `ppmt`: the payment less its interest part."""
    total = npf_pmt(rate, nper, pv, fv, when)
    return total - npf_ipmt(rate, per, nper, pv, fv, when)


def npf_npv(rate, values):
    """numpy-financial's vectorized `npv` over rows of cash flows."""
    values = np.atleast_2d(values)
    timestep_array = np.arange(0, values.shape[1])
    npv = (values / (1 + rate) ** timestep_array).sum(axis=1)
    return npv


def npf_npv_loops(rates, values):
    """numpy-financial's `_npv_native` kernel written as plain loops into `out`."""
    rates = np.atleast_1d(rates)
    values = np.atleast_2d(values)
    out = np.empty((rates.shape[0], values.shape[0]))
    for i in range(rates.shape[0]):
        for j in range(values.shape[0]):
            acc = 0.0
            for t in range(values.shape[1]):
                acc += values[j, t] / ((1.0 + rates[i]) ** t)
            out[i, j] = acc
    return out


def npf_npv_old(rate, values):
    """numpy's old `np.npv`: a sum over axis 0 of the discounted flows."""
    values = np.asarray(values)
    return (values / (1 + rate) ** np.arange(0, len(values))).sum(axis=0)


def npf_mirr(values, finance_rate, reinvest_rate):
    """numpy-financial's `mirr`, returning `np.nan` when all flows share a sign."""
    values = np.asarray(values)
    n = values.size
    pos = values > 0
    neg = values < 0
    if not (pos.any() and neg.any()):
        return np.nan
    numer = np.abs(npf_npv_old(reinvest_rate, values * pos))
    denom = np.abs(npf_npv_old(finance_rate, values * neg))
    return (numer / denom) ** (1 / (n - 1)) * (1 + reinvest_rate) - 1


def mirr_rows(values, finance_rate, reinvest_rate):
    """`mirr` for many projects at once: the guard becomes a `np.where`."""
    n = values.shape[1]
    pos = values > 0
    neg = values < 0
    t = np.arange(n)
    numer = np.abs((values * pos / (1 + reinvest_rate) ** t).sum(axis=1))
    denom = np.abs((values * neg / (1 + finance_rate) ** t).sum(axis=1))
    out = (numer / denom) ** (1 / (n - 1)) * (1 + reinvest_rate) - 1
    return np.where(pos.any(axis=1) & neg.any(axis=1), out, np.nan)


def _g_div_gp(r, n, p, x, y, w):
    """numpy-financial's Newton step for `rate`: g(r) / g'(r)."""
    t1 = (r + 1) ** n
    t2 = (r + 1) ** (n - 1)
    g = y + t1 * x + p * (t1 - 1) * (r * w + 1) / r
    gp = (n * t2 * x - p * (t1 - 1) * (r * w + 1) / (r ** 2) + n * p * t2 * (r * w + 1) / r
          + p * (t1 - 1) * w / r)
    return g / gp


def npf_rate_fixed(nper, pmt, pv, fv, when="end", guess=0.1, maxiter=30):
    """numpy-financial's `rate` with a fixed number of Newton steps and a NaN where the last
    step still moved."""
    when = _convert_when(when)
    (nper, pmt, pv, fv, when) = map(np.asarray, [nper, pmt, pv, fv, when])
    rn = guess
    for _ in range(maxiter):
        rnp1 = rn - _g_div_gp(rn, nper, pmt, pv, fv, when)
        diff = abs(rnp1 - rn)
        close = diff < 1e-6
        rn = rnp1
    return np.where(close, rn, np.nan)


def npf_rate_while(nper, pmt, pv, fv, when="end", guess=0.1, tol=1e-6, maxiter=100):
    """numpy-financial's `rate` as released: Newton until every element is close."""
    when = _convert_when(when)
    (nper, pmt, pv, fv, when) = map(np.asarray, [nper, pmt, pv, fv, when])
    rn = guess
    iterator = 0
    close = False
    while (iterator < maxiter) and not np.all(close):
        rnp1 = rn - _g_div_gp(rn, nper, pmt, pv, fv, when)
        diff = abs(rnp1 - rn)
        close = diff < tol
        iterator += 1
        rn = rnp1
    return rn


def npf_irr_roots(values):
    """numpy's old `np.irr`: roots of the cash-flow polynomial, the real positive one kept."""
    res = np.roots(values[::-1])
    mask = (res.imag == 0) & (res.real > 0)
    if not mask.any():
        return np.nan
    res = res[mask].real
    rate = 1 / res - 1
    rate = rate.item(np.argmin(np.abs(rate)))
    return rate


def irr_companion(values):
    """IRR from the eigenvalues of the companion matrix of the reversed flows (the way
    `np.roots` computes them), the real positive root nearest 1 picked by `np.where`."""
    c = values[::-1]
    n = c.shape[0] - 1
    A = np.diag(np.ones(n - 1), -1)
    A[0, :] = -c[1:] / c[0]
    res = np.linalg.eigvals(A)
    ok = (np.abs(res.imag) < 1e-9) & (res.real > 0)
    rates = np.where(ok, 1 / np.where(ok, res.real, 1.0) - 1, np.inf)
    return rates[np.argmin(np.abs(rates))]


def irr_newton_rows(values, iters=40):
    """IRR of each row by Newton steps on the NPV polynomial, started from 10%."""
    t = np.arange(values.shape[1])
    r = np.full(values.shape[0], 0.1)
    for _ in range(iters):
        disc = (1 + r[:, None]) ** -t
        f = (values * disc).sum(axis=1)
        fp = (-t * values * disc / (1 + r[:, None])).sum(axis=1)
        r = r - f / fp
    return r


def _annuity_args(s, n):
    rate = np.round(_u(s, n, lo=0.0, hi=0.08), 3)
    rate[::3] = 0.0
    return rate, np.arange(1, n + 1) * 12.0, -_u(s + 1, n, lo=50, hi=500), _u(s + 2, n,
                                                                                 lo=1e3, hi=1e4)


def _nper_args(s, n):
    rate = np.round(_u(s, n, lo=0.0, hi=0.02), 3)
    rate[::2] = 0.0
    return rate, -_u(s + 1, n, lo=100, hi=200), _u(s + 2, n, lo=1e3, hi=5e3)


def _flows(s, n, m=6):
    """Rows of cash flows: an outlay then mostly positive returns."""
    v = _u(s, n, m, lo=-20, hi=60)
    v[:, 0] = -_u(s + 1, n, lo=80, hi=150)
    return v


def _ipmt_args(s, n):
    per = np.arange(n) - 1.0
    return 0.01 * (1 + s), per, 2.0 * n, 1e4


NPF = {
    "npf_fv_masked": (npf_fv, {}, lambda s, n: _annuity_args(s, n)),
    "npf_fv_masked_begin": (npf_fv, {"when": "begin"}, lambda s, n: _annuity_args(s, n)),
    "npf_fv_scalar_rate": (npf_fv, {}, lambda s, n: (0.05, np.arange(1.0, n + 1), -100.0,
                                                      _u(s, n, lo=0, hi=1e3))),
    "npf_fv_where": (npf_fv_where, {}, lambda s, n: _annuity_args(s, n)),
    "npf_fv_when_array": (npf_fv_where, {}, lambda s, n: _annuity_args(s, n)
                          + (_i(2, n, seed=s),)),
    "npf_pv": (npf_pv, {}, lambda s, n: _annuity_args(s, n)[:3]),
    "npf_pv_begin_fv": (npf_pv, {"when": "begin"},
                        lambda s, n: _annuity_args(s, n)[:3] + (_u(s, n, lo=0, hi=100),)),
    "npf_pmt": (npf_pmt, {}, lambda s, n: (_annuity_args(s, n)[0], _annuity_args(s, n)[1],
                                           _annuity_args(s, n)[3])),
    "npf_pmt_grid": (npf_pmt, {"when": "begin"},
                     lambda s, n: (np.linspace(0, 0.1, n)[:, None], np.array([12., 24, 36]),
                                   2e4, 100.0)),
    "npf_nper": (npf_nper, {}, lambda s, n: _nper_args(s, n)),
    "npf_nper_begin": (npf_nper, {"when": "begin"}, lambda s, n: _nper_args(s, n)),
    "npf_ipmt_masked": (npf_ipmt, {}, lambda s, n: _ipmt_args(s, n)),
    "npf_ipmt_masked_begin": (npf_ipmt, {"when": "begin"}, lambda s, n: _ipmt_args(s, n)),
    "npf_ipmt_where_begin": (npf_ipmt_where, {"when": 1},
                             lambda s, n: (0.01 * s, np.arange(1.0, n + 1), 2.0 * n, 1e4)),
    "npf_ppmt": (npf_ppmt, {}, lambda s, n: (0.004 * s, np.arange(1.0, n + 1), 1.0 * n, 5e3)),
    "npf_ppmt_begin": (npf_ppmt, {"when": "begin"},
                       lambda s, n: (_u(s, n, lo=0.001, hi=0.01), np.arange(1.0, n + 1),
                                     12.0, 5e3)),
    "npf_npv_rows": (npf_npv, {}, lambda s, n: (0.05 + 0.01 * s, _flows(s, n))),
    "npf_npv_rate_column": (npf_npv, {}, lambda s, n: (_u(s, n, 1, lo=0, hi=0.1),
                                                       _flows(s, n))),
    "npf_npv_loops": (npf_npv_loops, {}, lambda s, n: (np.linspace(0.01, 0.1, 3),
                                                       _flows(s, 2, n))),
    "npf_npv_old": (npf_npv_old, {}, lambda s, n: (0.08, _flows(s, 1, n + 2)[0])),
    "mirr_rows": (mirr_rows, {}, lambda s, n: (_flows(s, n, 5), 0.1, 0.12)),
    "npf_rate_fixed": (npf_rate_fixed, {}, lambda s, n: (np.full(n, 10.0), -_u(s, n, lo=80,
                                                                                hi=120),
                                                         np.full(n, 800.0), 0.0)),
    "npf_rate_fixed_begin": (npf_rate_fixed, {"when": "begin"},
                             lambda s, n: (np.arange(5.0, 5 + n), -100.0, 600.0, 50.0)),
    "irr_companion": (irr_companion, {}, lambda s, n: (_flows(s, 1, n + 1)[0],)),
    "irr_newton_rows": (irr_newton_rows, {}, lambda s, n: (_flows(s, n, 5),)),
}


@pytest.mark.parametrize("name", _names(NPF))
def test_numpy_financial(name):
    check_like_numpy(*NPF[name])


# ------------------------------------------------------- schedules, bonds, yield curves


def amortization_table(principal, rate, nper):
    """A loan schedule written row by row: payment, interest, principal, balance."""
    payment = principal * rate / (1 - (1 + rate) ** -nper)
    table = np.zeros((nper, 4))
    balance = principal
    for k in range(nper):
        interest = balance * rate
        princ = payment - interest
        balance = balance - princ
        table[k, 0] = payment
        table[k, 1] = interest
        table[k, 2] = princ
        table[k, 3] = balance
    return table


def amortization_extra(principal, rate, payment, extra):
    """A schedule with extra principal each period, the balance floored at zero and the
    payment cut to what is left."""
    n = extra.shape[0]
    balance = np.empty(n + 1)
    paid = np.zeros(n)
    balance[0] = principal
    for k in range(n):
        interest = balance[k] * rate
        due = np.minimum(payment + extra[k], balance[k] + interest)
        paid[k] = due
        balance[k + 1] = np.maximum(balance[k] + interest - due, 0.0)
    return balance, paid, paid.sum() - principal


def amortization_vectorized(principal, rate, n):
    """The schedule from numpy-financial's `ipmt`/`ppmt` over `per = np.arange(1, n + 1)`."""
    per = np.arange(1, n + 1)
    interest = npf_ipmt_where(rate, per, n, principal)
    principal_part = npf_pmt(rate, n, principal) - interest
    balance = principal + np.cumsum(principal_part)
    return np.column_stack([per, interest, principal_part, balance])


def bond_price(face, coupon_rate, ytm, n, freq=2):
    """Price of a fixed-coupon bond from its discounted coupons and face."""
    c = face * coupon_rate / freq
    t = np.arange(1, n + 1)
    disc = (1 + ytm / freq) ** -t
    return c * disc.sum() + face * disc[-1]


def bond_price_grid(face, coupon_rate, yields, n):
    """Prices over a vector of yields by broadcasting periods against yields."""
    t = np.arange(1, n + 1)
    cf = np.full(n, face * coupon_rate)
    cf[-1] += face
    disc = 1.0 / (1.0 + yields[:, np.newaxis]) ** t[np.newaxis, :]
    return disc @ cf


def bond_duration_convexity(face, coupon_rate, ytm, n):
    """Macaulay and modified duration and convexity of an annual bond."""
    t = np.arange(1, n + 1, dtype=float)
    cf = face * coupon_rate * np.ones(n)
    cf[-1] = cf[-1] + face
    pv = cf / (1 + ytm) ** t
    price = pv.sum()
    macaulay = (t * pv).sum() / price
    modified = macaulay / (1 + ytm)
    convexity = (cf * t * (t + 1) / (1 + ytm) ** (t + 2)).sum() / price
    return price, macaulay, modified, convexity


def bond_ytm_newton(price, face, coupon, n, iters=20):
    """Yield to maturity by Newton steps on the price-yield function."""
    t = np.arange(1, n + 1)
    y = coupon / face
    for _ in range(iters):
        df = (1 + y) ** -t
        f = coupon * df.sum() + face * df[-1] - price
        fp = -(coupon * (t * df / (1 + y)).sum() + n * face * df[-1] / (1 + y))
        y = y - f / fp
    return y


def bootstrap_par_curve(par_rates):
    """Zero rates from annual par yields, each discount factor from the earlier ones."""
    n = len(par_rates)
    df = np.zeros(n)
    zeros = np.zeros(n)
    for i in range(n):
        c = par_rates[i]
        df[i] = (1 - c * df[:i].sum()) / (1 + c)
        zeros[i] = df[i] ** (-1.0 / (i + 1)) - 1
    return df, zeros


def bootstrap_coupon_bonds(prices, coupons, maturities, face=100.0):
    """Discount factors from coupon bond prices, one maturity per year, in a loop that
    subtracts the already-priced coupons."""
    n = prices.shape[0]
    dfs = np.empty(n)
    for i in range(n):
        known = coupons[i] * dfs[:i].sum() if i > 0 else 0.0
        dfs[i] = (prices[i] - known) / (coupons[i] + face)
    spot = -np.log(dfs) / maturities
    return dfs, spot


def forward_rates(zero_rates, times):
    """Continuous forward rates between consecutive zero rates."""
    rt = zero_rates * times
    fwd = np.empty_like(zero_rates)
    fwd[0] = zero_rates[0]
    fwd[1:] = np.diff(rt) / np.diff(times)
    return fwd


def nelson_siegel(tau, beta0, beta1, beta2, lam):
    """Nelson-Siegel yields on a maturity grid."""
    x = tau / lam
    factor = (1 - np.exp(-x)) / x
    return beta0 + beta1 * factor + beta2 * (factor - np.exp(-x))


def curve_interp_discount(t_query, t_nodes, zero_nodes):
    """Linear interpolation of zero rates, flat beyond the nodes, then discount factors."""
    z = np.interp(t_query, t_nodes, zero_nodes)
    return np.exp(-z * t_query), z


def par_swap_rate(dfs, tenor_years):
    """Par swap rates of every tenor from annual discount factors, by cumulative annuities."""
    annuity = np.cumsum(dfs)
    swap = (1 - dfs) / annuity
    return swap[np.asarray(tenor_years) - 1]


SCHEDULES = {
    "amortization_extra": (amortization_extra, {}, lambda s, n: (1e4, 0.01, 900.0,
                                                                 _u(s, n, lo=0, hi=200))),
    "amortization_vectorized": (amortization_vectorized, {"n": 12},
                                lambda s, n: (1e3 * n, 0.005 * s)),
    "bond_price": (bond_price, {"n": 10}, lambda s, n: (100.0, 0.05, 0.03 + 0.01 * s)),
    "bond_price_grid": (bond_price_grid, {"n": 8},
                        lambda s, n: (100.0, 0.04, np.linspace(0.01, 0.1, n))),
    "bond_duration_convexity": (bond_duration_convexity, {"n": 7},
                                lambda s, n: (1000.0, 0.06, 0.02 * s)),
    "bond_ytm_newton": (bond_ytm_newton, {"n": 10}, lambda s, n: (90.0 + s, 100.0, 5.0)),
    "bootstrap_par_curve": (bootstrap_par_curve, {},
                            lambda s, n: (np.sort(_u(s, n, lo=0.01, hi=0.05)),)),
    "bootstrap_coupon_bonds": (bootstrap_coupon_bonds, {},
                               lambda s, n: (100 - np.arange(n) * 1.5 - s, np.full(n, 4.0),
                                             np.arange(1.0, n + 1))),
    "forward_rates": (forward_rates, {},
                      lambda s, n: (np.sort(_u(s, n, lo=0.01, hi=0.05)),
                                    np.arange(1.0, n + 1) * 0.5)),
    "nelson_siegel": (nelson_siegel, {}, lambda s, n: (np.linspace(0.25, 30, n * 3), 0.04,
                                                        -0.02, 0.01 * s, 2.0)),
    "curve_interp_discount": (curve_interp_discount, {},
                              lambda s, n: (_u(s, n * 2, lo=0, hi=35),
                                            np.array([0.5, 1, 2, 5, 10, 30.0]),
                                            np.array([0.01, 0.012, 0.015, 0.02, 0.025, 0.03])
                                            + 0.001 * s)),
    "par_swap_rate": (par_swap_rate, {"tenor_years": (1, 2, 5)},
                      lambda s, n: (np.exp(-0.03 * np.arange(1.0, n + 2)) - 0.001 * s,)),
}


@pytest.mark.parametrize("name", _names(SCHEDULES))
def test_schedules_bonds_curves(name):
    check_like_numpy(*SCHEDULES[name])


# ---------------------------------------------------------------------- options


def norm_cdf(x):
    """The normal CDF by `math.erf`, vectorized as many scripts do."""
    return 0.5 * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def norm_cdf_scipy(x):
    """The normal CDF by `scipy.special.erf`."""
    from scipy.special import erf
    return 0.5 * (1 + erf(x / np.sqrt(2)))


def bs_price(S, K, T, r, sigma, option="call"):
    """Black-Scholes price with an erf normal CDF; `option` picks call or put."""
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    if option == "call":
        return S * norm_cdf_scipy(d1) - K * np.exp(-r * T) * norm_cdf_scipy(d2)
    return K * np.exp(-r * T) * norm_cdf_scipy(-d2) - S * norm_cdf_scipy(-d1)


def bs_math_erf(S, K, T, r, sigma):
    """Black-Scholes call with the `np.vectorize(math.erf)` CDF."""
    d1 = (np.log(S / K) + (r + sigma ** 2 / 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    return S * norm_cdf(d1) - K * np.exp(-r * T) * norm_cdf(d2)


def bs_greeks(S, K, T, r, sigma):
    """Call Greeks as a dict: delta, gamma, vega, theta, rho."""
    from scipy.special import erf
    sqrtT = np.sqrt(T)
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * sqrtT)
    d2 = d1 - sigma * sqrtT
    Nd1 = 0.5 * (1 + erf(d1 / np.sqrt(2)))
    Nd2 = 0.5 * (1 + erf(d2 / np.sqrt(2)))
    pdf = np.exp(-0.5 * d1 ** 2) / np.sqrt(2 * np.pi)
    return {
        "delta": Nd1,
        "gamma": pdf / (S * sigma * sqrtT),
        "vega": S * pdf * sqrtT / 100,
        "theta": (-S * pdf * sigma / (2 * sqrtT) - r * K * np.exp(-r * T) * Nd2) / 365,
        "rho": K * T * np.exp(-r * T) * Nd2 / 100,
    }


def bs_put_call_parity(S, K, T, r, sigma):
    """The put from the call by parity, and the parity residual against the direct put."""
    call = bs_price(S, K, T, r, sigma, "call")
    put = bs_price(S, K, T, r, sigma, "put")
    return put, call - put - (S - K * np.exp(-r * T))


def implied_vol_newton(price, S, K, T, r, iters=25):
    """Implied volatility by Newton steps on vega from a starting 20%."""
    sigma = np.full_like(price, 0.2)
    for _ in range(iters):
        d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
        model = bs_price(S, K, T, r, sigma)
        vega = S * np.exp(-0.5 * d1 ** 2) / np.sqrt(2 * np.pi) * np.sqrt(T)
        sigma = sigma - (model - price) / vega
        sigma = np.clip(sigma, 1e-4, 5.0)
    return sigma


def binomial_crr(S0, K, T, r, sigma, n, american=False):
    """Cox-Ross-Rubinstein tree: terminal payoffs then backward induction over `range(n)`,
    early exercise by `np.maximum` for American puts."""
    dt = T / n
    u = np.exp(sigma * np.sqrt(dt))
    d = 1 / u
    p = (np.exp(r * dt) - d) / (u - d)
    disc = np.exp(-r * dt)
    j = np.arange(n + 1)
    ST = S0 * u ** j * d ** (n - j)
    V = np.maximum(K - ST, 0.0)
    for i in range(n - 1, -1, -1):
        V = disc * (p * V[1:i + 2] + (1 - p) * V[0:i + 1])
        if american:
            Si = S0 * u ** np.arange(i + 1) * d ** (i - np.arange(i + 1))
            V = np.maximum(V, K - Si)
    return V[0]


def binomial_tree_matrix(S0, K, T, r, sigma, n):
    """A binomial tree stored as an (n+1, n+1) matrix, filled column by column."""
    dt = T / n
    u = np.exp(sigma * np.sqrt(dt))
    d = np.exp(-sigma * np.sqrt(dt))
    p = (np.exp(r * dt) - d) / (u - d)
    S = np.zeros((n + 1, n + 1))
    S[0, 0] = S0
    for t in range(1, n + 1):
        S[:t, t] = S[:t, t - 1] * u
        S[t, t] = S[t - 1, t - 1] * d
    V = np.zeros_like(S)
    V[:, n] = np.maximum(S[:, n] - K, 0)
    for t in range(n - 1, -1, -1):
        V[:t + 1, t] = np.exp(-r * dt) * (p * V[:t + 1, t + 1] + (1 - p) * V[1:t + 2, t + 1])
    return V[0, 0], S


def trinomial_american(S0, K, T, r, sigma, n):
    """Boyle's trinomial tree for an American put by backward induction."""
    dt = T / n
    u = np.exp(sigma * np.sqrt(2 * dt))
    a = np.exp(r * dt / 2)
    b = np.exp(sigma * np.sqrt(dt / 2))
    pu = ((a - 1 / b) / (b - 1 / b)) ** 2
    pd = ((b - a) / (b - 1 / b)) ** 2
    pm = 1 - pu - pd
    k = np.arange(-n, n + 1)
    V = np.maximum(K - S0 * u ** k, 0)
    for i in range(n - 1, -1, -1):
        V = np.exp(-r * dt) * (pu * V[2:] + pm * V[1:-1] + pd * V[:-2])
        k = np.arange(-i, i + 1)
        V = np.maximum(V, K - S0 * u ** k)
    return V[0]


def mc_gbm_paths(S0, r, sigma, T, Z):
    """GBM paths from given normals by a cumulative sum of log increments."""
    n_paths, n_steps = Z.shape
    dt = T / n_steps
    increments = (r - 0.5 * sigma ** 2) * dt + sigma * np.sqrt(dt) * Z
    log_paths = np.cumsum(increments, axis=1)
    paths = S0 * np.exp(np.hstack([np.zeros((n_paths, 1)), log_paths]))
    return paths


def mc_european_loop(S0, K, r, sigma, T, Z):
    """A path matrix filled step by step, then the discounted mean payoff and its error."""
    n_paths, n_steps = Z.shape
    dt = T / n_steps
    S = np.zeros((n_paths, n_steps + 1))
    S[:, 0] = S0
    for t in range(1, n_steps + 1):
        S[:, t] = S[:, t - 1] * np.exp((r - 0.5 * sigma ** 2) * dt
                                       + sigma * np.sqrt(dt) * Z[:, t - 1])
    payoff = np.maximum(S[:, -1] - K, 0)
    price = np.exp(-r * T) * payoff.mean()
    stderr = np.exp(-r * T) * payoff.std(ddof=1) / np.sqrt(n_paths)
    return price, stderr


def mc_asian_antithetic(S0, K, r, sigma, T, Z):
    """An arithmetic Asian call with antithetic normals stacked under the draws."""
    Z = np.concatenate([Z, -Z], axis=0)
    dt = T / Z.shape[1]
    paths = S0 * np.exp(np.cumsum((r - sigma ** 2 / 2) * dt + sigma * np.sqrt(dt) * Z, axis=1))
    avg = paths.mean(axis=1)
    return np.exp(-r * T) * np.mean(np.maximum(avg - K, 0))


def mc_barrier_up_out(S0, K, B, r, sigma, T, Z):
    """An up-and-out call: paths that touch the barrier pay nothing."""
    dt = T / Z.shape[1]
    paths = S0 * np.exp(np.cumsum((r - 0.5 * sigma ** 2) * dt + sigma * np.sqrt(dt) * Z, axis=1))
    knocked = (paths >= B).any(axis=1)
    payoff = np.where(knocked, 0.0, np.maximum(paths[:, -1] - K, 0.0))
    return np.exp(-r * T) * payoff.mean(), knocked.mean()


def mc_heston_euler(S0, v0, kappa, theta, xi, rho, r, T, Z1, Z2):
    """Heston paths by full-truncation Euler with correlated given normals."""
    n_paths, n_steps = Z1.shape
    dt = T / n_steps
    S = np.full(n_paths, S0)
    v = np.full(n_paths, v0)
    for t in range(n_steps):
        zv = rho * Z1[:, t] + np.sqrt(1 - rho ** 2) * Z2[:, t]
        vp = np.maximum(v, 0)
        S = S * np.exp((r - 0.5 * vp) * dt + np.sqrt(vp * dt) * Z1[:, t])
        v = v + kappa * (theta - vp) * dt + xi * np.sqrt(vp * dt) * zv
    return S, v


def mc_lsm_regression_step(S, V_next, K, disc):
    """One Longstaff-Schwartz step: regress discounted values on in-the-money prices by
    `np.polyfit` with weights zero out of the money, exercise where it pays more."""
    itm = K - S > 0
    coef = np.polyfit(S, V_next * disc, 2, w=itm.astype(float))
    cont = np.polyval(coef, S)
    exercise = np.maximum(K - S, 0)
    return np.where(itm & (exercise > cont), exercise, V_next * disc)


def _opt(s, n):
    return (_u(s, n, lo=80, hi=120), 100.0, _u(s + 1, n, lo=0.2, hi=2.0), 0.03,
            _u(s + 2, n, lo=0.1, hi=0.5))


OPTIONS = {
    "bs_call": (bs_price, {}, _opt),
    "bs_put": (bs_price, {"option": "put"}, _opt),
    "bs_math_erf": (bs_math_erf, {}, _opt),
    "bs_greeks": (bs_greeks, {}, _opt),
    "bs_put_call_parity": (bs_put_call_parity, {}, _opt),
    "implied_vol_newton": (implied_vol_newton, {},
                           lambda s, n: (bs_price(*_opt(s, n)),) + _opt(s, n)[:4]),
    "binomial_crr_put": (binomial_crr, {"n": 30}, lambda s, n: (90.0 + s, 100.0, 1.0, 0.05,
                                                                 0.2 + 0.01 * n)),
    "binomial_crr_american": (binomial_crr, {"n": 25, "american": True},
                              lambda s, n: (95.0 + s, 100.0, 0.5, 0.04, 0.25)),
    "binomial_tree_matrix": (binomial_tree_matrix, {"n": 12},
                             lambda s, n: (100.0, 95.0 + s, 1.0, 0.05, 0.3)),
    "trinomial_american": (trinomial_american, {"n": 20},
                           lambda s, n: (100.0, 100.0 + s, 1.0, 0.05, 0.25)),
    "mc_gbm_paths": (mc_gbm_paths, {}, lambda s, n: (100.0, 0.05, 0.2, 1.0, _f(n, 10, seed=s))),
    "mc_european_loop": (mc_european_loop, {},
                         lambda s, n: (100.0, 105.0, 0.05, 0.2, 1.0, _f(50, n, seed=s))),
    "mc_asian_antithetic": (mc_asian_antithetic, {},
                            lambda s, n: (100.0, 100.0, 0.03, 0.25, 1.0, _f(40, n, seed=s))),
    "mc_barrier_up_out": (mc_barrier_up_out, {},
                          lambda s, n: (100.0, 100.0, 130.0, 0.03, 0.3, 1.0,
                                        _f(60, n * 2, seed=s))),
    "mc_heston_euler": (mc_heston_euler, {},
                        lambda s, n: (100.0, 0.04, 1.5, 0.04, 0.5, -0.7, 0.02, 1.0,
                                      _f(n * 5, 12, seed=s), _f(n * 5, 12, seed=s + 9))),
    "mc_lsm_regression_step": (mc_lsm_regression_step, {},
                               lambda s, n: (_u(s, n * 5, lo=80, hi=120),
                                             _u(s + 1, n * 5, lo=0, hi=15), 100.0, 0.99)),
}


@pytest.mark.parametrize("name", _names(OPTIONS))
def test_option_pricing(name):
    check_like_numpy(*OPTIONS[name])


# --------------------------------------------------------------------- portfolios


def portfolio_stats(returns, weights, periods=252):
    """Annualized mean, volatility and Sharpe ratio of a weighted portfolio."""
    mu = returns.mean(axis=0) * periods
    cov = np.cov(returns, rowvar=False) * periods
    port_ret = weights @ mu
    port_vol = np.sqrt(weights.T @ cov @ weights)
    return port_ret, port_vol, port_ret / port_vol


def min_variance_weights(returns):
    """Global minimum-variance weights: solve `cov w = 1`, then normalize."""
    cov = np.cov(returns.T)
    ones = np.ones(cov.shape[0])
    w = np.linalg.solve(cov, ones)
    return w / w.sum()


def tangency_weights(mu, cov, rf):
    """Maximum-Sharpe weights from the excess returns."""
    excess = mu - rf
    w = np.linalg.solve(cov, excess)
    return w / np.sum(w)


def efficient_frontier(mu, cov, targets):
    """Markowitz frontier: for each target return, solve the bordered KKT system."""
    n = mu.shape[0]
    A = np.zeros((n + 2, n + 2))
    A[:n, :n] = 2 * cov
    A[:n, n] = mu
    A[:n, n + 1] = 1.0
    A[n, :n] = mu
    A[n + 1, :n] = 1.0
    vols = np.zeros(len(targets))
    weights = np.zeros((len(targets), n))
    for i, target in enumerate(targets):
        b = np.zeros(n + 2)
        b[n] = target
        b[n + 1] = 1.0
        x = np.linalg.solve(A, b)
        weights[i] = x[:n]
        vols[i] = np.sqrt(x[:n] @ cov @ x[:n])
    return vols, weights


def frontier_closed_form(mu, cov, targets):
    """The frontier by Merton's A, B, C constants of the inverse covariance."""
    inv = np.linalg.inv(cov)
    ones = np.ones_like(mu)
    A = ones @ inv @ ones
    B = ones @ inv @ mu
    C = mu @ inv @ mu
    D = A * C - B ** 2
    var = (A * targets ** 2 - 2 * B * targets + C) / D
    return np.sqrt(var)


def random_portfolios(returns, raw_weights, rf=0.0):
    """Monte Carlo portfolios from given uniforms normalized to weights, with the best
    Sharpe ratio picked by `argmax`."""
    mu = returns.mean(axis=0) * 252
    cov = np.cov(returns, rowvar=False) * 252
    w = raw_weights / raw_weights.sum(axis=1, keepdims=True)
    rets = w @ mu
    vols = np.sqrt(np.einsum("ij,jk,ik->i", w, cov, w))
    sharpe = (rets - rf) / vols
    best = np.argmax(sharpe)
    return rets, vols, w[best]


def drawdowns(prices):
    """Drawdown series and maximum drawdown from the running peak."""
    running_max = np.maximum.accumulate(prices)
    dd = (prices - running_max) / running_max
    return dd, dd.min(), np.argmin(dd)


def drawdown_from_returns(returns):
    """Wealth index from returns, drawdowns per column, and the peak before the trough."""
    wealth = np.cumprod(1 + returns, axis=0)
    peaks = np.maximum.accumulate(wealth, axis=0)
    dd = wealth / peaks - 1
    trough = np.argmin(dd, axis=0)
    max_dd = dd[trough, np.arange(returns.shape[1])]
    return dd, max_dd


def rolling_sharpe_cumsum(returns, window):
    """Rolling Sharpe ratio by cumulative-sum differences of returns and squares."""
    c1 = np.cumsum(np.insert(returns, 0, 0.0))
    c2 = np.cumsum(np.insert(returns ** 2, 0, 0.0))
    s1 = c1[window:] - c1[:-window]
    s2 = c2[window:] - c2[:-window]
    mean = s1 / window
    var = (s2 - window * mean ** 2) / (window - 1)
    return np.sqrt(252) * mean / np.sqrt(var)


def rolling_vol_sliding(returns, window):
    """Rolling standard deviation by `sliding_window_view`."""
    windows = np.lib.stride_tricks.sliding_window_view(returns, window)
    return windows.std(axis=-1, ddof=1) * np.sqrt(252)


def moving_average_cumsum(x, w):
    """The classic `np.cumsum` moving average with a leading zero."""
    ret = np.cumsum(x, dtype=float)
    ret[w:] = ret[w:] - ret[:-w]
    return ret[w - 1:] / w


def ewma_volatility(returns, lam=0.94):
    """RiskMetrics EWMA variance recursion seeded with the first squared return."""
    var = np.zeros_like(returns)
    var[0] = returns[0] ** 2
    for t in range(1, len(returns)):
        var[t] = lam * var[t - 1] + (1 - lam) * returns[t - 1] ** 2
    return np.sqrt(var)


def garch_filter(returns, omega, alpha, beta):
    """GARCH(1,1) conditional variances and the Gaussian log-likelihood."""
    n = returns.shape[0]
    sigma2 = np.empty(n)
    sigma2[0] = returns.var()
    for t in range(1, n):
        sigma2[t] = omega + alpha * returns[t - 1] ** 2 + beta * sigma2[t - 1]
    llf = -0.5 * np.sum(np.log(2 * np.pi) + np.log(sigma2) + returns ** 2 / sigma2)
    return sigma2, llf


def var_cvar_historical(returns, alpha=0.05):
    """Historical VaR by `np.percentile` and CVaR as the mean beyond it."""
    var = np.percentile(returns, 100 * alpha)
    cvar = returns[returns <= var].mean()
    return -var, -cvar


def var_cvar_sorted(returns, alpha=0.05):
    """VaR and CVaR per column from sorted returns and a fixed tail count."""
    srt = np.sort(returns, axis=0)
    k = int(np.ceil(alpha * returns.shape[0]))
    return -srt[k - 1], -srt[:k].mean(axis=0)


def sortino_calmar(returns, target=0.0):
    """Sortino ratio from the downside deviation and Calmar from the max drawdown."""
    downside = np.minimum(returns - target, 0)
    dd_dev = np.sqrt(np.mean(downside ** 2))
    sortino = (returns.mean() - target) / dd_dev * np.sqrt(252)
    wealth = np.cumprod(1 + returns)
    mdd = np.max(1 - wealth / np.maximum.accumulate(wealth))
    cagr = wealth[-1] ** (252 / len(returns)) - 1
    return sortino, cagr / mdd


def capm_beta(asset, market):
    """Beta and alpha from `np.cov` and means."""
    cov = np.cov(asset, market)
    beta = cov[0, 1] / cov[1, 1]
    alpha = asset.mean() - beta * market.mean()
    return beta, alpha


def rsi_wilder(prices, period=14):
    """Wilder's RSI: seeded averages then a smoothing loop."""
    deltas = np.diff(prices)
    seed = deltas[:period]
    up = seed[seed >= 0].sum() / period
    down = -seed[seed < 0].sum() / period
    rsi = np.zeros_like(prices)
    rs = up / down
    rsi[:period] = 100.0 - 100.0 / (1.0 + rs)
    for i in range(period, len(prices)):
        delta = deltas[i - 1]
        upval = np.maximum(delta, 0.0)
        downval = np.maximum(-delta, 0.0)
        up = (up * (period - 1) + upval) / period
        down = (down * (period - 1) + downval) / period
        rs = up / down
        rsi[i] = 100.0 - 100.0 / (1.0 + rs)
    return rsi


def ema(x, span):
    """Exponential moving average with `alpha = 2 / (span + 1)`, seeded with x[0]."""
    alpha = 2.0 / (span + 1)
    out = np.empty_like(x)
    out[0] = x[0]
    for t in range(1, x.shape[0]):
        out[t] = alpha * x[t] + (1 - alpha) * out[t - 1]
    return out


def macd(prices):
    """MACD line, signal line and histogram from EMAs of 12, 26 and 9."""
    line = ema(prices, 12) - ema(prices, 26)
    signal = ema(line, 9)
    return line, signal, line - signal


def bollinger(prices, window=5, k=2.0):
    """Bollinger bands from a rolling mean and std of `sliding_window_view`."""
    win = np.lib.stride_tricks.sliding_window_view(prices, window)
    mid = win.mean(axis=1)
    sd = win.std(axis=1)
    return mid - k * sd, mid, mid + k * sd


def risk_parity_iterations(cov, iters=50):
    """Equal risk contributions by the damped fixed point `w ∝ sqrt(w / (cov w))`."""
    n = cov.shape[0]
    w = np.ones(n) / n
    for _ in range(iters):
        marginal = cov @ w
        w = np.sqrt(w / marginal)
        w /= w.sum()
    rc = w * (cov @ w)
    return w, rc / rc.sum()


def rebalance_backtest(returns, target):
    """A monthly rebalanced portfolio: holdings drift with returns and are reset to the
    target every 5th period."""
    n_periods = returns.shape[0]
    holdings = target.copy()
    value = np.empty(n_periods)
    for t in range(n_periods):
        holdings = holdings * (1 + returns[t])
        value[t] = holdings.sum()
        if t % 5 == 4:
            holdings = value[t] * target
    return value


def _rets(s, n, k=4):
    return _f(n * 10, k, seed=s) * 0.01 + 0.0005


def _spd(s, k):
    a = _f(k, k, seed=s) * 0.1
    return a @ a.T + 0.02 * np.eye(k)


PORTFOLIO = {
    "portfolio_stats": (portfolio_stats, {}, lambda s, n: (_rets(s, n), np.full(4, 0.25))),
    "min_variance_weights": (min_variance_weights, {}, lambda s, n: (_rets(s, 3, n),)),
    "tangency_weights": (tangency_weights, {}, lambda s, n: (_u(s, n, lo=0.03, hi=0.12),
                                                             _spd(s, n), 0.01)),
    "efficient_frontier": (efficient_frontier, {},
                           lambda s, n: (_u(s, 4, lo=0.03, hi=0.12), _spd(s, 4),
                                         np.linspace(0.04, 0.1, n))),
    "frontier_closed_form": (frontier_closed_form, {},
                             lambda s, n: (_u(s, n, lo=0.03, hi=0.12), _spd(s, n),
                                           np.linspace(0.02, 0.15, 7))),
    "random_portfolios": (random_portfolios, {}, lambda s, n: (_rets(s, 5), _u(s, n * 10, 4))),
    "drawdowns": (drawdowns, {}, lambda s, n: (100 * np.cumprod(1 + _rets(s, n, 1)[:, 0]),)),
    "drawdown_from_returns": (drawdown_from_returns, {}, lambda s, n: (_rets(s, n, 3),)),
    "rolling_sharpe_cumsum": (rolling_sharpe_cumsum, {"window": 10},
                              lambda s, n: (_rets(s, n, 1)[:, 0],)),
    "rolling_vol_sliding": (rolling_vol_sliding, {"window": 7},
                            lambda s, n: (_rets(s, n, 1)[:, 0],)),
    "moving_average_cumsum": (moving_average_cumsum, {"w": 5}, lambda s, n: (_f(n * 3, seed=s),)),
    "ewma_volatility": (ewma_volatility, {}, lambda s, n: (_rets(s, n, 1)[:, 0],)),
    "garch_filter": (garch_filter, {}, lambda s, n: (_rets(s, n, 1)[:, 0], 1e-6, 0.08, 0.9)),
    "var_cvar_sorted": (var_cvar_sorted, {}, lambda s, n: (_rets(s, n, 3),)),
    "var_cvar_historical": (var_cvar_historical, {}, lambda s, n: (_rets(s, n, 1)[:, 0],)),
    "sortino_calmar": (sortino_calmar, {}, lambda s, n: (_rets(s, n, 1)[:, 0],)),
    "capm_beta": (capm_beta, {}, lambda s, n: (_rets(s, n, 1)[:, 0], _rets(s + 1, n, 1)[:, 0])),
    "rsi_wilder": (rsi_wilder, {"period": 5}, lambda s, n: (100 + np.cumsum(_f(n * 4, seed=s)),)),
    "macd": (macd, {}, lambda s, n: (100 + np.cumsum(_f(n * 10, seed=s)),)),
    "bollinger": (bollinger, {}, lambda s, n: (100 + np.cumsum(_f(n * 3, seed=s)),)),
    "risk_parity_iterations": (risk_parity_iterations, {},
                               lambda s, n: (np.abs(_spd(s, n)),)),
    "rebalance_backtest": (rebalance_backtest, {},
                           lambda s, n: (_rets(s, n, 3), np.array([0.5, 0.3, 0.2]))),
}


@pytest.mark.parametrize("name", _names(PORTFOLIO))
def test_portfolio(name):
    check_like_numpy(*PORTFOLIO[name])


# ------------------------------------------------------------------ solar (pvlib)


def declination_spencer71(dayofyear):
    """Spencer's (1971) Fourier series for the solar declination, in radians."""
    day_angle = 2.0 * np.pi / 365 * (dayofyear - 1)
    return (0.006918 - 0.399912 * np.cos(day_angle) + 0.070257 * np.sin(day_angle)
            - 0.006758 * np.cos(2.0 * day_angle) + 0.000907 * np.sin(2.0 * day_angle)
            - 0.002697 * np.cos(3.0 * day_angle) + 0.00148 * np.sin(3.0 * day_angle))


def declination_cooper69(dayofyear):
    """Cooper's declination, in radians."""
    day_angle = 2.0 * np.pi / 365 * (dayofyear - 1)
    return np.deg2rad(23.45 * np.sin(day_angle + (2.0 * np.pi / 365.0) * 285.0))


def equation_of_time_spencer71(dayofyear):
    """Spencer's equation of time in minutes."""
    day_angle = 2.0 * np.pi / 365 * (dayofyear - 1)
    eot = (1440.0 / 2 / np.pi) * (0.0000075 + 0.001868 * np.cos(day_angle)
                                   - 0.032077 * np.sin(day_angle)
                                   - 0.014615 * np.cos(2.0 * day_angle)
                                   - 0.040849 * np.sin(2.0 * day_angle))
    return eot


def equation_of_time_pvcdrom(dayofyear):
    """PVCDROM's equation of time, in minutes."""
    bday = 2.0 * np.pi / 365 * (dayofyear - 1) - (2.0 * np.pi / 365) * 80
    return 9.87 * np.sin(2.0 * bday) - 7.53 * np.cos(bday) - 1.5 * np.sin(bday)


def hour_angle(hours_utc, longitude, equation_of_time):
    """Hour angle in degrees from UTC hours, longitude and the equation of time."""
    return 15.0 * (hours_utc - 12.0) + longitude + equation_of_time / 4.0


def solar_zenith_analytical(latitude, hourangle, declination):
    """Zenith from the spherical-trig cosine, clipped before `np.arccos` (radians)."""
    cos_zenith = (np.cos(declination) * np.cos(latitude) * np.cos(hourangle)
                  + np.sin(declination) * np.sin(latitude))
    return np.arccos(np.clip(cos_zenith, -1, 1))


def solar_azimuth_analytical(latitude, hourangle, declination, zenith):
    """pvlib's analytical azimuth: `np.arccos` of the cosine, mirrored by the hour angle's
    sign, with the 0/0 points at the pole set to zero."""
    numer = (np.cos(zenith) * np.sin(latitude) - np.sin(declination))
    denom = (np.sin(zenith) * np.cos(latitude))
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_azi = numer / denom
    cos_azi = np.where(np.isclose(denom, 0.0, rtol=0.0, atol=1e-8), 1.0, cos_azi)
    cos_azi = np.where(np.isclose(cos_azi, 1.0, rtol=0.0, atol=1e-8), 1.0, cos_azi)
    cos_azi = np.where(np.isclose(cos_azi, -1.0, rtol=0.0, atol=1e-8), -1.0, cos_azi)
    with np.errstate(invalid="ignore"):
        sign_ha = np.sign(hourangle)
    return sign_ha * np.arccos(cos_azi) + np.pi


def solar_position_simple(dayofyear, hours, latitude, longitude):
    """Zenith, elevation and azimuth in degrees for a grid of days and hours, the azimuth by
    `np.arctan2` measured from north."""
    decl = declination_spencer71(dayofyear)[:, None]
    eot = equation_of_time_spencer71(dayofyear)[:, None]
    ha = np.radians(hour_angle(hours[None, :], longitude, eot))
    lat = np.radians(latitude)
    sin_el = np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(ha)
    elevation = np.degrees(np.arcsin(sin_el))
    az = np.arctan2(-np.sin(ha) * np.cos(decl),
                    np.cos(lat) * np.sin(decl) - np.sin(lat) * np.cos(decl) * np.cos(ha))
    azimuth = np.degrees(az) % 360
    return 90.0 - elevation, elevation, azimuth


def sunrise_sunset_hours(dayofyear, latitude):
    """Sunrise and sunset hour angles, day length, clipped for polar day and night."""
    decl = declination_cooper69(dayofyear)
    lat = np.radians(latitude)
    cos_ws = -np.tan(lat) * np.tan(decl)
    ws = np.degrees(np.arccos(np.clip(cos_ws, -1.0, 1.0)))
    return 12 - ws / 15, 12 + ws / 15, 2 * ws / 15


def airmass_kastenyoung1989(zenith):
    """Kasten-Young relative airmass with NaN above 90 degrees, pvlib style."""
    zenith_rad = np.radians(zenith)
    am = 1.0 / (np.cos(zenith_rad) + 0.50572 * ((6.07995 + (90 - zenith)) ** -1.6364))
    return np.where(zenith > 90, np.nan, am)


def airmass_models(zenith):
    """Several relative airmass formulas side by side, each NaN above the horizon."""
    zenith = np.where(zenith > 90, np.nan, zenith)
    zenith_rad = np.radians(zenith)
    cos_z = np.cos(zenith_rad)
    simple = 1.0 / cos_z
    kasten1966 = 1.0 / (cos_z + 0.15 * (93.885 - zenith) ** -1.253)
    kastenyoung = 1.0 / (cos_z + 0.50572 * ((6.07995 + (90 - zenith)) ** -1.6364))
    gueymard = 1.0 / (cos_z + 0.00176759 * zenith * ((94.37515 - zenith) ** -1.21563))
    young1994 = ((1.002432 * cos_z ** 2 + 0.148386 * cos_z + 0.0096467)
                 / (cos_z ** 3 + 0.149864 * cos_z ** 2 + 0.0102963 * cos_z + 0.000303978))
    return simple, kasten1966, kastenyoung, gueymard, young1994


def absolute_airmass(airmass_relative, altitude):
    """Pressure-corrected airmass with pvlib's altitude-to-pressure formula."""
    pressure = 100 * ((44331.514 - altitude) / 11880.516) ** (1 / 0.1902632)
    return airmass_relative * pressure / 101325.0


def get_extra_radiation(dayofyear, solar_constant=1366.1):
    """Spencer's extraterrestrial radiation."""
    b = 2.0 * np.pi / 365 * (dayofyear - 1)
    rover_r0_sqrd = (1.00011 + 0.034221 * np.cos(b) + 0.00128 * np.sin(b)
                     + 0.000719 * np.cos(2 * b) + 7.7e-05 * np.sin(2 * b))
    return solar_constant * rover_r0_sqrd


def clearsky_haurwitz(apparent_zenith):
    """Haurwitz GHI: zero where the sun is below the horizon."""
    cos_zenith = np.cos(np.radians(apparent_zenith))
    clearsky_ghi = np.zeros_like(apparent_zenith)
    cos_zen_gte_0 = cos_zenith > 0
    clearsky_ghi[cos_zen_gte_0] = (1098.0 * cos_zenith[cos_zen_gte_0]
                                   * np.exp(-0.059 / cos_zenith[cos_zen_gte_0]))
    return clearsky_ghi


def clearsky_ineichen(apparent_zenith, airmass_absolute, linke_turbidity, altitude,
                      dni_extra):
    """Ineichen-Perez clear sky with `np.fmax` floors and the Perez DNI enhancement."""
    tl = linke_turbidity
    fh1 = np.exp(-altitude / 8000.)
    fh2 = np.exp(-altitude / 1250.)
    cg1 = 5.09e-05 * altitude + 0.868
    cg2 = 3.92e-05 * altitude + 0.0387
    ghi = np.exp(-cg2 * airmass_absolute * (fh1 + fh2 * (tl - 1)))
    cos_zenith = np.maximum(np.cos(np.radians(apparent_zenith)), 0)
    ghi = cg1 * dni_extra * cos_zenith * tl / tl * np.fmax(ghi, 0)
    b = 0.664 + 0.163 / fh1
    bnci = b * np.exp(-0.09 * airmass_absolute * (tl - 1))
    bnci = dni_extra * np.fmax(bnci, 0)
    bnci_2 = ((1 - (0.1 - 0.2 * np.exp(-tl)) / (0.1 + 0.882 / fh1)) / cos_zenith)
    bnci_2 = ghi * np.fmin(np.fmax(bnci_2, 0), 1e20)
    dni = np.minimum(bnci, bnci_2)
    dhi = ghi - dni * cos_zenith
    irrads = {"ghi": ghi, "dni": dni, "dhi": dhi}
    return {k: np.where(np.isnan(airmass_absolute), 0.0, v) for k, v in irrads.items()}


def erbs(ghi, zenith, dni_extra, min_cos_zenith=0.065, max_zenith=87):
    """Erbs decomposition: a piecewise diffuse fraction of the clearness index."""
    cos_zenith = np.cos(np.radians(zenith))
    kt = ghi / (dni_extra * np.maximum(cos_zenith, min_cos_zenith))
    kt = np.clip(kt, 0, 1.0)
    df = 1 - 0.09 * kt
    df = np.where((kt > 0.22) & (kt <= 0.8),
                  0.9511 - 0.1604 * kt + 4.388 * kt ** 2 - 16.638 * kt ** 3 + 12.336 * kt ** 4,
                  df)
    df = np.where(kt > 0.8, 0.165, df)
    dhi = df * ghi
    dni = (ghi - dhi) / np.cos(np.radians(zenith))
    bad_values = (zenith > max_zenith) | (ghi < 0) | (dni < 0)
    dni = np.where(bad_values, 0, dni)
    dhi = np.where(bad_values, ghi, dhi)
    return dni, dhi, kt


def aoi_projection(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth):
    """Cosine of the angle of incidence, clipped to [-1, 1] like pvlib."""
    projection = (np.cos(np.radians(surface_tilt)) * np.cos(np.radians(solar_zenith))
                  + np.sin(np.radians(surface_tilt)) * np.sin(np.radians(solar_zenith))
                  * np.cos(np.radians(solar_azimuth - surface_azimuth)))
    return np.clip(projection, -1, 1)


def aoi(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth):
    """Angle of incidence in degrees."""
    projection = aoi_projection(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth)
    return np.rad2deg(np.arccos(projection))


def poa_isotropic(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth, dni, ghi, dhi,
                  albedo=0.25):
    """Plane-of-array irradiance: beam on the plane, isotropic sky and ground diffuse."""
    cos_aoi = aoi_projection(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth)
    beam = np.maximum(dni * cos_aoi, 0)
    sky = dhi * (1 + np.cos(np.radians(surface_tilt))) * 0.5
    ground = ghi * albedo * (1 - np.cos(np.radians(surface_tilt))) * 0.5
    total = beam + sky + ground
    return {"poa_global": total, "poa_direct": beam, "poa_diffuse": sky + ground,
            "poa_sky_diffuse": sky, "poa_ground_diffuse": ground}


def haydavies(surface_tilt, surface_azimuth, dhi, dni, dni_extra, solar_zenith,
              solar_azimuth):
    """Hay-Davies sky diffuse: anisotropy index and the beam ratio `Rb` floored at zero."""
    cos_tt = aoi_projection(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth)
    cos_tt = np.maximum(cos_tt, 0)
    cos_solar_zenith = np.cos(np.radians(solar_zenith))
    Rb = cos_tt / np.maximum(cos_solar_zenith, 0.01745)
    AI = dni / dni_extra
    term1 = 1 - AI
    term2 = 0.5 * (1 + np.cos(np.radians(surface_tilt)))
    poa_isotropic = np.maximum(dhi * term1 * term2, 0)
    poa_circumsolar = np.maximum(dhi * (AI * Rb), 0)
    return poa_isotropic + poa_circumsolar, poa_isotropic, poa_circumsolar


def klucher(surface_tilt, surface_azimuth, dhi, ghi, solar_zenith, solar_azimuth):
    """Klucher sky diffuse with its modulating function F, F set to 0 where GHI is 0."""
    cos_tt = aoi_projection(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth)
    with np.errstate(invalid="ignore", divide="ignore"):
        F = 1 - ((dhi / ghi) ** 2)
    F = np.where(np.isnan(F) | np.isinf(F), 0, F)
    term1 = 0.5 * (1 + np.cos(np.radians(surface_tilt)))
    term2 = 1 + F * (np.sin(0.5 * np.radians(surface_tilt)) ** 3)
    term3 = 1 + F * (cos_tt ** 2) * (np.sin(np.radians(solar_zenith)) ** 3)
    return np.maximum(dhi * term1 * term2 * term3, 0)


def reindl(surface_tilt, surface_azimuth, dhi, dni, ghi, dni_extra, solar_zenith,
           solar_azimuth):
    """Reindl sky diffuse with the horizon-brightening term; NaN GHI gives 0 via `np.where`."""
    cos_tt = np.maximum(aoi_projection(surface_tilt, surface_azimuth, solar_zenith,
                                       solar_azimuth), 0)
    cos_solar_zenith = np.cos(np.radians(solar_zenith))
    Rb = cos_tt / np.maximum(cos_solar_zenith, 0.01745)
    AI = dni / dni_extra
    with np.errstate(invalid="ignore", divide="ignore"):
        HB = dni * cos_solar_zenith
        HB = np.maximum(HB, 0)
        term1 = 1 - AI
        term2 = 0.5 * (1 + np.cos(np.radians(surface_tilt)))
        term3 = 1 + np.sqrt(HB / ghi) * (np.sin(np.radians(0.5 * surface_tilt)) ** 3)
        sky_diffuse = dhi * (AI * Rb + term1 * term2 * term3)
    sky_diffuse = np.where(np.isnan(sky_diffuse), 0, sky_diffuse)
    return np.maximum(sky_diffuse, 0)


def iam_ashrae(aoi, b=0.05):
    """ASHRAE incidence-angle modifier, zero at and beyond 90 degrees."""
    aoi_gte_90 = np.abs(aoi) >= 90
    with np.errstate(divide="ignore"):
        iam = 1 - b * (1 / np.cos(np.radians(aoi)) - 1)
    iam = np.where(aoi_gte_90, 0, iam)
    iam = np.maximum(0, iam)
    return iam


def iam_physical(aoi, n=1.526, K=4.0, L=0.002):
    """Fresnel-and-absorption IAM of a glass cover, normalized by its normal-incidence
    value, with `np.where` for beyond-horizon angles."""
    zeroang = 1e-06
    aoi = np.where(aoi == 0, zeroang, aoi)
    thetar_deg = np.degrees(np.arcsin(np.sin(np.radians(aoi)) / n))
    rd = np.radians(aoi)
    rt = np.radians(thetar_deg)
    tau = (np.exp(-1.0 * (K * L / np.cos(rt)))
           * (1 - 0.5 * ((np.sin(rt - rd) ** 2) / (np.sin(rt + rd) ** 2)
                         + (np.tan(rt - rd) ** 2) / (np.tan(rt + rd) ** 2))))
    zeroang_rt = np.arcsin(np.sin(np.radians(zeroang)) / n)
    zeroang_rd = np.radians(zeroang)
    tau0 = (np.exp(-1.0 * (K * L / np.cos(zeroang_rt)))
            * (1 - 0.5 * ((np.sin(zeroang_rt - zeroang_rd) ** 2)
                          / (np.sin(zeroang_rt + zeroang_rd) ** 2)
                          + (np.tan(zeroang_rt - zeroang_rd) ** 2)
                          / (np.tan(zeroang_rt + zeroang_rd) ** 2))))
    iam = tau / tau0
    iam = np.where(np.abs(aoi) >= 90, 0, iam)
    return np.clip(iam, 0, None)


def singleaxis_tracker(apparent_zenith, apparent_azimuth, axis_azimuth=180.0, max_angle=60.0,
                       backtrack=True, gcr=0.4):
    """A horizontal single-axis tracker: the ideal rotation from the sun vector in the
    tracker frame, backtracking by `np.arccos` of the shading ratio, clipped to the limits and
    NaN when the sun is down."""
    az = np.radians(apparent_azimuth - axis_azimuth)
    zen = np.radians(apparent_zenith)
    x = np.sin(zen) * np.sin(az)
    z = np.cos(zen)
    wid = np.degrees(np.arctan2(x, z))
    if backtrack:
        temp = np.clip(np.abs(np.cos(np.radians(wid))) / gcr, -1, 1)
        with np.errstate(invalid="ignore"):
            wc = np.degrees(-np.sign(wid) * np.arccos(temp))
        tracker_theta = np.where(temp < 1, wid + wc, wid)
    else:
        tracker_theta = wid
    tracker_theta = np.clip(tracker_theta, -max_angle, max_angle)
    tracker_theta = np.where(apparent_zenith > 90, np.nan, tracker_theta)
    surface_tilt = np.abs(tracker_theta)
    surface_azimuth = np.where(tracker_theta < 0, axis_azimuth - 90, axis_azimuth + 90)
    return tracker_theta, surface_tilt, surface_azimuth


def singlediode_newton(photocurrent, saturation_current, resistance_series,
                       resistance_shunt, nNsVth, voltage, steps=20):
    """Current at given voltages from the single-diode equation by a fixed number of Newton
    steps on `f(I) = IL - I0 (exp((V + I Rs) / nNsVth) - 1) - (V + I Rs) / Rsh - I`."""
    I = np.full_like(voltage, photocurrent)
    for _ in range(steps):
        vd = voltage + I * resistance_series
        ex = np.exp(vd / nNsVth)
        f = photocurrent - saturation_current * (ex - 1) - vd / resistance_shunt - I
        fp = (-saturation_current * ex * resistance_series / nNsVth
              - resistance_series / resistance_shunt - 1)
        I = I - f / fp
    return I, voltage * I


def bishop88(diode_voltage, photocurrent, saturation_current, resistance_series,
             resistance_shunt, nNsVth):
    """Bishop's explicit single-diode form: current, voltage and power from the diode
    voltage, and the maximum power point by `argmax`."""
    i_d = saturation_current * np.expm1(diode_voltage / nNsVth)
    i_sh = diode_voltage / resistance_shunt
    i = photocurrent - i_d - i_sh
    v = diode_voltage - i * resistance_series
    p = i * v
    k = np.argmax(p, axis=-1)
    return i, v, np.take_along_axis(p, k[..., None], axis=-1)[..., 0]


def calcparams_desoto(effective_irradiance, temp_cell, alpha_sc, a_ref, I_L_ref, I_o_ref,
                      R_sh_ref, R_s, EgRef=1.121, dEgdT=-0.0002677):
    """De Soto's five parameters at operating conditions."""
    k = 8.617332478e-05
    Tref_K = 25 + 273.15
    Tcell_K = temp_cell + 273.15
    E = effective_irradiance / 1000.0
    a = a_ref * (Tcell_K / Tref_K)
    IL = E * (I_L_ref + alpha_sc * (Tcell_K - Tref_K))
    EgRef = EgRef
    Eg = EgRef * (1 + dEgdT * (Tcell_K - Tref_K))
    I0 = (I_o_ref * ((Tcell_K / Tref_K) ** 3) * (np.exp(EgRef / (k * Tref_K)
                                                         - (Eg / (k * Tcell_K)))))
    with np.errstate(divide="ignore"):
        Rsh = R_sh_ref * (1000.0 / effective_irradiance)
    return IL, I0, R_s, Rsh, a


def sapm_cell_temperature(poa_global, temp_air, wind_speed, a=-3.56, b=-0.075, deltaT=3.0,
                          irrad_ref=1000.0):
    """SAPM module and cell temperatures."""
    module_temperature = poa_global * np.exp(a + b * wind_speed) + temp_air
    return module_temperature + (poa_global / irrad_ref) * deltaT


def pvsyst_cell(poa_global, temp_air, wind_speed=1.0, u_c=29.0, u_v=0.0,
                module_efficiency=0.1, alpha_absorption=0.9):
    """PVsyst cell temperature."""
    total_loss_factor = u_c + u_v * wind_speed
    heat_input = poa_global * alpha_absorption * (1 - module_efficiency)
    temp_difference = heat_input / total_loss_factor
    return temp_air + temp_difference


def faiman(poa_global, temp_air, wind_speed=1.0, u0=25.0, u1=6.84):
    """Faiman module temperature."""
    total_loss_factor = u0 + u1 * wind_speed
    heat_input = poa_global
    return temp_air + heat_input / total_loss_factor


def pvwatts_dc(g_poa_effective, temp_cell, pdc0, gamma_pdc, temp_ref=25.0):
    """PVWatts DC power."""
    return g_poa_effective * 0.001 * pdc0 * (1 + gamma_pdc * (temp_cell - temp_ref))


def pvwatts_inverter(pdc, pdc0, eta_inv_nom=0.96, eta_inv_ref=0.9637):
    """PVWatts inverter: a part-load efficiency curve, zero below zero DC, clipped at the
    AC rating."""
    pac0 = eta_inv_nom * pdc0
    pdc0 = pac0 / eta_inv_nom
    zeta = pdc / pdc0
    eta = np.zeros_like(pdc, dtype=float)
    pdc_neq_0 = ~np.equal(pdc, 0)
    eta = eta_inv_nom / eta_inv_ref * (-0.0162 * zeta - np.divide(0.0059, zeta, out=eta,
                                                                   where=pdc_neq_0) + 0.9858)
    power_ac = eta * pdc
    power_ac = np.minimum(pac0, power_ac)
    power_ac = np.maximum(0, power_ac)
    return power_ac


def pvwatts_losses(soiling=2, shading=3, snow=0, mismatch=2, wiring=2, connections=0.5,
                   lid=1.5, nameplate_rating=1, age=0, availability=3):
    """PVWatts total losses in percent from the product of the complements."""
    params = [soiling, shading, snow, mismatch, wiring, connections, lid, nameplate_rating,
              age, availability]
    perf = 1
    for param in params:
        perf *= 1 - param / 100
    return (1 - perf) * 100.0


def daily_energy(power, hours):
    """Daily energy by the trapezoid rule, nighttime NaNs zeroed first, and the daily
    peak by `np.nanmax`."""
    power = np.where(np.isnan(power), 0.0, power)
    return np.trapezoid(power, hours, axis=-1) / 1000.0


def night_mask_stats(ghi, zenith):
    """GHI masked to NaN at night, then `np.nanmean`, `np.nansum` and counts per day."""
    g = ghi.copy()
    g[zenith >= 90] = np.nan
    return np.nanmean(g, axis=1), np.nansum(g, axis=1), np.sum(~np.isnan(g), axis=1)


def clearness_index_filled(ghi, ghi_extra):
    """Clearness index with NaN for tiny extraterrestrial values and `np.nan_to_num`."""
    with np.errstate(divide="ignore", invalid="ignore"):
        kt = ghi / ghi_extra
    kt = np.where(ghi_extra < 1, np.nan, kt)
    return np.clip(np.nan_to_num(kt, nan=0.0), 0, 2.0)


def wind_power_curve(v_hub, v_curve, p_curve, v_ref_height, z_hub, z_ref, alpha=1 / 7):
    """Hub-height wind by the power law, power from the turbine curve by `np.interp`,
    zero outside cut-in/cut-out."""
    v = v_hub * (z_hub / z_ref) ** alpha
    p = np.interp(v, v_curve, p_curve, left=0.0, right=0.0)
    return v, p, p.sum() * v_ref_height


def battery_dispatch(pv, load, capacity, p_max, eta=0.95):
    """State-of-charge loop: surplus PV charges, deficit discharges, both rate- and
    capacity-limited with `np.clip`."""
    n = pv.shape[0]
    soc = np.zeros(n + 1)
    soc[0] = 0.5 * capacity
    grid = np.zeros(n)
    for t in range(n):
        net = pv[t] - load[t]
        flow = np.clip(net, -p_max, p_max)
        charge = np.where(flow > 0, np.minimum(flow * eta, capacity - soc[t]),
                          -np.minimum(-flow / eta, soc[t]))
        soc[t + 1] = soc[t] + charge
        grid[t] = net - np.where(charge > 0, charge / eta, charge * eta)
    return soc, grid


def _sun(s, n):
    """Zenith and azimuth angles for a day, some below the horizon."""
    return _u(s, n * 3, lo=0, hi=100), _u(s + 1, n * 3, lo=60, hi=300)


SOLAR = {
    "declination_spencer71": (declination_spencer71, {},
                              lambda s, n: (np.arange(1, 366, 30 // n + s),)),
    "declination_cooper69": (declination_cooper69, {},
                             lambda s, n: (np.arange(1.0, 366.0, 7.0 * n),)),
    "equation_of_time_spencer71": (equation_of_time_spencer71, {},
                                   lambda s, n: (_i(365, n * 3, seed=s) + 1,)),
    "equation_of_time_pvcdrom": (equation_of_time_pvcdrom, {},
                                 lambda s, n: (_i(365, n * 3, seed=s) + 1,)),
    "solar_zenith_azimuth": (
        lambda lat, ha, dec: solar_azimuth_analytical(lat, ha, dec,
                                                      solar_zenith_analytical(lat, ha, dec)),
        {}, lambda s, n: (np.radians(40.0), np.radians(np.linspace(-90, 90, n * 2 + 1)),
                          np.radians(_u(s, n * 2 + 1, lo=-23, hi=23)))),
    "solar_zenith_analytical": (solar_zenith_analytical, {},
                                lambda s, n: (np.radians(_u(s, n, lo=-60, hi=60)),
                                              np.radians(_u(s + 1, n, lo=-180, hi=180)),
                                              declination_spencer71(_i(365, n, seed=s)))),
    "solar_position_simple": (solar_position_simple, {},
                              lambda s, n: (np.arange(1, 365, 90.0), np.linspace(0, 23, n * 2),
                                            35.0 + s, -100.0)),
    "sunrise_sunset_hours": (sunrise_sunset_hours, {},
                             lambda s, n: (np.arange(1, 366, 15.0), np.linspace(-80, 80, n)
                                           [:, None])),
    "airmass_kastenyoung1989": (airmass_kastenyoung1989, {}, lambda s, n: _sun(s, n)[:1]),
    "airmass_models": (airmass_models, {}, lambda s, n: _sun(s, n)[:1]),
    "absolute_airmass": (absolute_airmass, {},
                         lambda s, n: (airmass_kastenyoung1989(_sun(s, n)[0]), 1500.0)),
    "get_extra_radiation": (get_extra_radiation, {},
                            lambda s, n: (np.arange(1.0, 366.0, 10 * n),)),
    "clearsky_haurwitz": (clearsky_haurwitz, {}, lambda s, n: _sun(s, n)[:1]),
    "clearsky_ineichen": (clearsky_ineichen, {},
                          lambda s, n: (_sun(s, n)[0],
                                        absolute_airmass(airmass_kastenyoung1989(_sun(s, n)[0]),
                                                         300.0),
                                        _u(s, n * 3, lo=2, hi=5), 300.0, 1360.0)),
    "erbs": (erbs, {}, lambda s, n: (_u(s + 2, n * 3, lo=-10, hi=1000), _sun(s, n)[0],
                                      1367.0)),
    "aoi": (aoi, {}, lambda s, n: (30.0, 180.0) + _sun(s, n)),
    "poa_isotropic": (poa_isotropic, {},
                      lambda s, n: (25.0, 180.0) + _sun(s, n)
                      + (_u(s, n * 3, lo=0, hi=900), _u(s + 1, n * 3, lo=0, hi=1000),
                         _u(s + 2, n * 3, lo=0, hi=300))),
    "haydavies": (haydavies, {},
                  lambda s, n: (np.full(n * 3, 20.0), 170.0, _u(s + 2, n * 3, lo=0, hi=300),
                                _u(s, n * 3, lo=0, hi=900), 1367.0) + _sun(s, n)),
    "klucher": (klucher, {},
                lambda s, n: (35.0, 180.0, _u(s + 2, n * 3, lo=0, hi=300),
                              np.where(_u(s, n * 3) < 0.2, 0.0, _u(s + 1, n * 3, lo=300,
                                                                    hi=1000))) + _sun(s, n)),
    "reindl": (reindl, {},
               lambda s, n: (35.0, 180.0, _u(s + 2, n * 3, lo=0, hi=300),
                             _u(s, n * 3, lo=0, hi=900),
                             np.where(_u(s, n * 3) < 0.2, 0.0, _u(s + 1, n * 3, lo=300,
                                                                  hi=1000)), 1367.0)
               + _sun(s, n)),
    "iam_ashrae": (iam_ashrae, {}, lambda s, n: (_u(s, n * 4, lo=-100, hi=100),)),
    "iam_physical": (iam_physical, {}, lambda s, n: (np.concatenate([[0.0, 90.0],
                                                                     _u(s, n, lo=0, hi=95)]),)),
    "singleaxis_tracker": (singleaxis_tracker, {}, _sun),
    "singleaxis_tracker_no_backtrack": (singleaxis_tracker, {"backtrack": False,
                                                             "max_angle": 45.0}, _sun),
    "singlediode_newton": (singlediode_newton, {},
                           lambda s, n: (6.0 + 0.1 * s, 1e-9, 0.3, 300.0, 1.5,
                                         np.linspace(0, 30, n * 4))),
    "bishop88": (bishop88, {},
                 lambda s, n: (np.linspace(0, 32, 50)[None, :] * np.ones((n, 1)),
                               _u(s, n, 1, lo=2, hi=8), 1e-9, 0.3, 300.0, 1.5)),
    "calcparams_desoto": (calcparams_desoto, {},
                          lambda s, n: (np.concatenate([[0.0], _u(s, n, lo=100, hi=1100)]),
                                        np.concatenate([[25.0], _u(s + 1, n, lo=10, hi=60)]),
                                        0.003, 1.6, 6.0, 1e-10, 400.0, 0.3)),
    "sapm_cell_temperature": (sapm_cell_temperature, {},
                              lambda s, n: (_u(s, n, lo=0, hi=1000), _u(s + 1, n, lo=0, hi=35),
                                            _u(s + 2, n, lo=0, hi=10))),
    "pvsyst_cell": (pvsyst_cell, {}, lambda s, n: (_u(s, n, lo=0, hi=1000),
                                                   _u(s + 1, n, lo=0, hi=35),
                                                   _u(s + 2, n, lo=0, hi=10), 25.0, 1.2)),
    "faiman": (faiman, {}, lambda s, n: (_u(s, n, lo=0, hi=1000), 20.0 + s,
                                         _u(s + 2, n, lo=0, hi=10))),
    "pvwatts_dc_inverter": (lambda g, t: pvwatts_inverter(pvwatts_dc(g, t, 5000.0, -0.004),
                                                          4500.0), {},
                            lambda s, n: (np.concatenate([[0.0], _u(s, n, lo=0, hi=1200)]),
                                          np.concatenate([[25.0], _u(s, n, lo=0, hi=60)]))),
    "pvwatts_losses": (lambda soiling, age: pvwatts_losses(soiling=soiling, age=age), {},
                       lambda s, n: (_u(s, n, lo=0, hi=5), 0.5 * s)),
    "daily_energy": (daily_energy, {},
                     lambda s, n: (np.where(_u(s, n, 24) < 0.1, np.nan,
                                            _u(s + 1, n, 24, lo=0, hi=5000)),
                                   np.arange(24.0))),
    "night_mask_stats": (night_mask_stats, {},
                         lambda s, n: (_u(s, n, 24, lo=0, hi=900),
                                       _u(s + 1, n, 24, lo=0, hi=120))),
    "clearness_index_filled": (clearness_index_filled, {},
                               lambda s, n: (_u(s, n * 3, lo=0, hi=900),
                                             _u(s + 1, n * 3, lo=-5, hi=1400))),
    "wind_power_curve": (wind_power_curve, {},
                         lambda s, n: (_u(s, n * 5, lo=0, hi=20),
                                       np.array([3.0, 5, 7, 9, 11, 13, 25, 25.01]),
                                       np.array([0.0, 150, 500, 1100, 1800, 2000, 2000, 0.0]),
                                       1.0, 100.0, 10.0)),
    "battery_dispatch": (battery_dispatch, {},
                         lambda s, n: (_u(s, n * 4, lo=0, hi=5), _u(s + 1, n * 4, lo=0, hi=4),
                                       10.0, 3.0)),
}


@pytest.mark.parametrize("name", _names(SOLAR))
def test_solar_energy(name):
    check_like_numpy(*SOLAR[name])


# ------------------------------------------------------------------------ hydrology


def unit_hydrograph_runoff(excess, uh):
    """Direct runoff as the convolution of rainfall excess with a unit hydrograph, cut to
    the record plus the hydrograph's tail."""
    q = np.convolve(excess, uh)
    return q[:len(excess) + len(uh) - 1], q.max(), np.argmax(q)


def uh_convolution_matrix(excess, uh):
    """The same convolution as a Toeplitz-like matrix filled in a loop, then `@`."""
    n, m = len(excess), len(uh)
    P = np.zeros((n + m - 1, m))
    for j in range(m):
        P[j:j + n, j] = excess
    return P @ uh


def scs_curve_number(P, CN, lambda_ia=0.2):
    """SCS-CN runoff depth (mm) with zero runoff below the initial abstraction."""
    S = 25400.0 / CN - 254.0
    Ia = lambda_ia * S
    Q = np.where(P > Ia, (P - Ia) ** 2 / (P - Ia + S), 0.0)
    return Q


def scs_cumulative_excess(rain, CN):
    """Incremental excess from cumulative rainfall through the SCS-CN relation and `np.diff`
    with a prepended zero."""
    cum = np.cumsum(rain)
    S = 1000.0 / CN - 10.0
    Ia = 0.2 * S
    cum_q = np.where(cum > Ia, (cum - Ia) ** 2 / (cum - Ia + S), 0.0)
    return np.diff(cum_q, prepend=0.0)


def scs_triangular_uh(area_km2, tc_hr, dt_hr, t):
    """SCS triangular unit hydrograph sampled at `t` by `np.interp`."""
    tp = dt_hr / 2 + 0.6 * tc_hr
    tb = 2.67 * tp
    qp = 2.08 * area_km2 / tp
    return np.interp(t, [0.0, tp, tb], [0.0, qp, 0.0], right=0.0)


def muskingum_routing(inflow, K, X, dt):
    """Muskingum channel routing by its three coefficients, step by step."""
    denom = 2 * K * (1 - X) + dt
    C0 = (dt - 2 * K * X) / denom
    C1 = (dt + 2 * K * X) / denom
    C2 = (2 * K * (1 - X) - dt) / denom
    outflow = np.zeros_like(inflow)
    outflow[0] = inflow[0]
    for t in range(1, len(inflow)):
        outflow[t] = C0 * inflow[t] + C1 * inflow[t - 1] + C2 * outflow[t - 1]
    return outflow, (C0, C1, C2)


def muskingum_reaches(inflow, X, dt, Ks=(8.0, 12.0)):
    """Routing through reaches in series: each reach's outflow feeds the next."""
    flows = np.zeros((len(Ks) + 1, inflow.shape[0]))
    flows[0] = inflow
    for r, K in enumerate(Ks):
        flows[r + 1] = muskingum_routing(flows[r], K, X, dt)[0]
    return flows


def linear_reservoir(rain, k, dt=1.0, S0=0.0):
    """A linear reservoir `Q = S / k` stepped explicitly."""
    S = S0
    Q = np.zeros_like(rain)
    for t in range(rain.shape[0]):
        S = S + rain[t] * dt
        Q[t] = S / k
        S = S - Q[t] * dt
    return Q


def nash_cascade_uh(n, k, t):
    """Nash's instantaneous unit hydrograph with `math.gamma` of a float shape."""
    return (t / k) ** (n - 1) * np.exp(-t / k) / (k * math.gamma(n))


def level_pool_routing(inflow, storage, outflow_table, dt):
    """Modified Puls routing: the storage-indication curve read with `np.interp`."""
    indication = 2 * storage / dt + outflow_table
    out = np.zeros_like(inflow)
    out[0] = np.interp(0.0, indication, outflow_table)
    for t in range(1, len(inflow)):
        si_prev = np.interp(out[t - 1], outflow_table, indication) - 2 * out[t - 1]
        si = inflow[t - 1] + inflow[t] + si_prev
        out[t] = np.interp(si, indication, outflow_table)
    return out


def lyne_hollick(Q, alpha=0.925, passes=3):
    """Lyne-Hollick baseflow separation: forward, backward, forward filter passes with the
    quickflow floored at zero and baseflow capped at the flow."""
    Q = np.asarray(Q, dtype=float)
    bf = Q.copy()
    for p in range(passes):
        src = bf.copy() if p > 0 else Q
        qf = np.zeros_like(Q)
        order = range(1, len(Q)) if p % 2 == 0 else range(len(Q) - 2, -1, -1)
        prev = 0 if p % 2 == 0 else len(Q) - 1
        qf[prev] = src[prev] * 0.5
        for i in order:
            j = i - 1 if p % 2 == 0 else i + 1
            qf[i] = alpha * qf[j] + (1 + alpha) / 2 * (src[i] - src[j])
            qf[i] = np.maximum(qf[i], 0.0)
        bf = np.minimum(src - qf, src)
    return bf, Q - bf


def green_ampt_newton(t, K, psi, dtheta, iters=25):
    """Green-Ampt cumulative infiltration at times `t` by Newton steps on
    `F - psi dtheta ln(1 + F / (psi dtheta)) - K t = 0`."""
    pd = psi * dtheta
    F = K * t + 1e-3
    for _ in range(iters):
        g = F - pd * np.log1p(F / pd) - K * t
        gp = 1 - pd / (pd + F)
        F = F - g / gp
    f = K * (1 + pd / F)
    return F, f


def horton_infiltration(t, f0, fc, k):
    """Horton capacity and cumulative infiltration."""
    f = fc + (f0 - fc) * np.exp(-k * t)
    F = fc * t + (f0 - fc) / k * (1 - np.exp(-k * t))
    return f, F


def thornthwaite_pet(T_monthly, daylength, days):
    """Thornthwaite PET: heat index of positive temperatures and the cubic exponent."""
    T = np.maximum(T_monthly, 0.0)
    I = np.sum((T / 5.0) ** 1.514)
    a = 6.75e-7 * I ** 3 - 7.71e-5 * I ** 2 + 1.792e-2 * I + 0.49239
    return 16 * (daylength / 12) * (days / 30) * (10 * T / I) ** a


def hargreaves_pet(tmin, tmax, ra):
    """Hargreaves-Samani PET (mm/day), with `np.sqrt` of a clipped range."""
    tmean = (tmin + tmax) / 2
    return 0.0023 * 0.408 * ra * (tmean + 17.8) * np.sqrt(np.clip(tmax - tmin, 0, None))


def flow_duration_curve(Q):
    """Flows sorted descending against Weibull exceedance probabilities, with `np.interp`
    for the Q10/Q50/Q90 indices."""
    q_sorted = np.sort(Q)[::-1]
    n = len(q_sorted)
    exceed = np.arange(1, n + 1) / (n + 1) * 100
    q10, q50, q90 = np.interp([10, 50, 90], exceed, q_sorted)
    return exceed, q_sorted, q90 / q50, q10


def rational_method(C, i, A):
    """Rational method peak flow in m^3/s with area-weighted runoff coefficient."""
    C_comp = np.sum(C * A) / np.sum(A)
    return 0.278 * C_comp * i * A.sum() / 1e6


def idf_curve(durations, a, b, c):
    """Intensity-duration-frequency intensities `a / (d + b) ** c` for several return
    periods, as an outer broadcast."""
    return np.asarray(a)[:, None] / (durations[None, :] + np.asarray(b)[:, None]) ** c


def manning_discharge(n, b, y, S, z=0.0):
    """Manning's discharge of a trapezoidal channel (rectangular when `z = 0`)."""
    A = (b + z * y) * y
    P = b + 2 * y * np.sqrt(1 + z ** 2)
    R = A / P
    return (1.0 / n) * A * R ** (2.0 / 3.0) * np.sqrt(S)


def normal_depth_newton(Q, n, b, S, z=1.5, iters=30):
    """Normal depth by Newton steps on Manning's equation with a numerical derivative."""
    y = np.ones_like(Q)
    h = 1e-6
    for _ in range(iters):
        f = manning_discharge(n, b, y, S, z) - Q
        fp = (manning_discharge(n, b, y + h, S, z) - manning_discharge(n, b, y - h, S, z)) / (
            2 * h)
        y = y - f / fp
        y = np.maximum(y, 1e-6)
    return y


def critical_depth_froude(Q, b, y):
    """Froude numbers and regime labels of a rectangular channel."""
    g = 9.81
    A = b * y
    V = Q / A
    Fr = V / np.sqrt(g * y)
    yc = (Q ** 2 / (g * b ** 2)) ** (1 / 3)
    regime = np.select([Fr < 0.99, Fr > 1.01], [0, 2], default=1)
    return Fr, yc, regime


def swamee_jain(Re, eps_D):
    """Swamee-Jain friction factor, laminar `64 / Re` below 2000."""
    f_turb = 0.25 / np.log10(eps_D / 3.7 + 5.74 / Re ** 0.9) ** 2
    return np.where(Re < 2000, 64.0 / Re, f_turb)


def colebrook_fixed(Re, eps_D, iters=10):
    """Colebrook friction factor by a fixed number of fixed-point iterations on 1/sqrt(f),
    started from Swamee-Jain."""
    x = 1.0 / np.sqrt(swamee_jain(Re, eps_D))
    for _ in range(iters):
        x = -2.0 * np.log10(eps_D / 3.7 + 2.51 * x / Re)
    return 1.0 / x ** 2


def darcy_head_loss(Q, D, L, eps, nu=1.0e-6):
    """Darcy-Weisbach head loss in each pipe from Swamee-Jain."""
    A = np.pi * D ** 2 / 4
    V = Q / A
    Re = np.abs(V) * D / nu
    f = swamee_jain(Re, eps / D)
    return f * L / D * V * np.abs(V) / (2 * 9.81)


def hazen_williams(Q, C, D, L):
    """Hazen-Williams head loss (SI) and the resistance coefficient `r` of `h = r Q^1.852`."""
    r = 10.67 * L / (C ** 1.852 * D ** 4.8704)
    return r * np.sign(Q) * np.abs(Q) ** 1.852, r


def hardy_cross(Q0, r, loops, sweeps=20, n_exp=2.0):
    """Hardy-Cross loop corrections with a fixed number of sweeps. `loops` is a
    (loops x pipes) matrix of +1/-1/0 directions; each loop's correction is applied to its
    pipes before the next loop is balanced."""
    Q = Q0.astype(float).copy()
    for _ in range(sweeps):
        for k in range(loops.shape[0]):
            s = loops[k]
            h = s * r * Q * np.abs(Q) ** (n_exp - 1)
            dh = n_exp * r * np.abs(Q) ** (n_exp - 1) * np.abs(s)
            dQ = -h.sum() / dh.sum()
            Q += s * dQ
    return Q, loops @ (r * Q * np.abs(Q) ** (n_exp - 1))


def hardy_cross_jacobi(Q0, r, loops, sweeps=20):
    """Hardy-Cross with all loop corrections computed together and applied by `@`."""
    Q = Q0.copy()
    for _ in range(sweeps):
        h = loops @ (r * Q * np.abs(Q))
        dh = np.abs(loops) @ (2 * r * np.abs(Q))
        Q = Q - loops.T @ (h / dh)
    return Q


def hardy_cross_tol(Q0, r, loops, tol=1e-8, max_sweeps=100):
    """Hardy-Cross until the largest correction is below `tol`."""
    Q = Q0.copy()
    for _ in range(max_sweeps):
        h = loops @ (r * Q * np.abs(Q))
        dh = np.abs(loops) @ (2 * r * np.abs(Q))
        dQ = h / dh
        Q = Q - loops.T @ dQ
        if np.max(np.abs(dQ)) < tol:
            break
    return Q


def colebrook_while(Re, eps_D, tol=1e-10):
    """Colebrook by fixed-point iteration until the change is below `tol`."""
    x = 8.0
    while True:
        x_new = -2.0 * np.log10(eps_D / 3.7 + 2.51 * x / Re)
        if abs(x_new - x) < tol:
            break
        x = x_new
    return 1.0 / x_new ** 2


# Two loops sharing pipe 2 (of five): +1 clockwise, -1 counter-clockwise.
NETWORK_LOOPS = np.array([[1.0, 1.0, -1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0, -1.0]])
NETWORK_Q0 = np.array([0.06, 0.04, 0.02, 0.02, 0.03])

HYDROLOGY = {
    "unit_hydrograph_runoff": (unit_hydrograph_runoff, {},
                               lambda s, n: (_u(s, n, lo=0, hi=20),
                                             np.array([0.0, 0.1, 0.35, 0.3, 0.15, 0.1]))),
    "uh_convolution_matrix": (uh_convolution_matrix, {},
                              lambda s, n: (_u(s, n, lo=0, hi=20), _u(s + 1, 5))),
    "scs_curve_number": (scs_curve_number, {}, lambda s, n: (_u(s, n * 3, lo=0, hi=150),
                                                             _u(s + 1, n * 3, lo=40, hi=98))),
    "scs_cumulative_excess": (scs_cumulative_excess, {},
                              lambda s, n: (_u(s, n * 3, lo=0, hi=0.8), 70.0 + s)),
    "scs_triangular_uh": (scs_triangular_uh, {},
                          lambda s, n: (50.0 + s, 3.0, 1.0, np.linspace(0, 12, n * 4))),
    "muskingum_routing": (muskingum_routing, {},
                          lambda s, n: (10 + 50 * np.sin(np.linspace(0, np.pi, n * 5)) ** 2,
                                        12.0, 0.2, 6.0)),
    "muskingum_reaches": (muskingum_reaches, {"Ks": (8.0, 12.0, 5.0)},
                          lambda s, n: (10 + _u(s, n * 4, lo=0, hi=80), 0.25, 4.0)),
    "linear_reservoir": (linear_reservoir, {}, lambda s, n: (_u(s, n * 4, lo=0, hi=10),
                                                             5.0 + s)),
    "nash_cascade_uh": (nash_cascade_uh, {}, lambda s, n: (2.5, 3.0 + s,
                                                           np.linspace(0.1, 30, n * 4))),
    "level_pool_routing": (level_pool_routing, {},
                           lambda s, n: (5 + 40 * np.sin(np.linspace(0, np.pi, n * 4)) ** 2,
                                         np.linspace(0, 9e4, 10) * (1 + 0.1 * s),
                                         np.linspace(0, 60, 10) ** 1.2, 3600.0)),
    "lyne_hollick": (lyne_hollick, {}, lambda s, n: (5 + _u(s, n * 4, lo=0, hi=20),)),
    "green_ampt_newton": (green_ampt_newton, {},
                          lambda s, n: (np.linspace(0.1, 5, n * 2), 1.0 + s, 11.0, 0.3)),
    "horton_infiltration": (horton_infiltration, {},
                            lambda s, n: (np.linspace(0, 5, n * 3), 80.0, 10.0 + s, 2.0)),
    "thornthwaite_pet": (thornthwaite_pet, {},
                         lambda s, n: (_u(s, 12, lo=-5, hi=30), _u(s + 1, 12, lo=9, hi=15),
                                       np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                                                 31]))),
    "hargreaves_pet": (hargreaves_pet, {}, lambda s, n: (_u(s, n, lo=0, hi=15),
                                                         _u(s + 1, n, lo=10, hi=35),
                                                         _u(s + 2, n, lo=15, hi=40))),
    "flow_duration_curve": (flow_duration_curve, {}, lambda s, n: (_u(s, n * 10, lo=1, hi=50),)),
    "rational_method": (rational_method, {}, lambda s, n: (_u(s, n, lo=0.2, hi=0.9), 50.0,
                                                           _u(s + 1, n, lo=1e3, hi=1e4))),
    "idf_curve": (idf_curve, {}, lambda s, n: (np.linspace(5, 120, n * 2),
                                               [900.0, 1100.0, 1400.0], [8.0, 9.0, 10.0], 0.8)),
    "manning_rectangular": (manning_discharge, {}, lambda s, n: (0.013, 3.0, _u(s, n, lo=0.1,
                                                                                 hi=2), 0.001)),
    "manning_trapezoidal": (manning_discharge, {}, lambda s, n: (0.03, _u(s, n, lo=1, hi=5),
                                                                 1.2, 0.0005, 2.0)),
    "normal_depth_newton": (normal_depth_newton, {},
                            lambda s, n: (_u(s, n, lo=1, hi=40), 0.025, 4.0, 0.001)),
    "critical_depth_froude": (critical_depth_froude, {},
                              lambda s, n: (_u(s, n * 2, lo=1, hi=30), 3.0,
                                            _u(s + 1, n * 2, lo=0.2, hi=3))),
    "swamee_jain": (swamee_jain, {}, lambda s, n: (10 ** _u(s, n * 3, lo=2.5, hi=7),
                                                   1e-4 * (1 + s))),
    "colebrook_fixed": (colebrook_fixed, {}, lambda s, n: (10 ** _u(s, n * 3, lo=3.5, hi=7),
                                                           _u(s + 1, n * 3, lo=0, hi=0.01))),
    "darcy_head_loss": (darcy_head_loss, {},
                        lambda s, n: (_f(n, seed=s) * 0.05, _u(s, n, lo=0.1, hi=0.5), 100.0,
                                      1.5e-4)),
    "hazen_williams": (hazen_williams, {}, lambda s, n: (_f(n, seed=s) * 0.1, 130.0,
                                                         _u(s, n, lo=0.1, hi=0.5),
                                                         _u(s + 1, n, lo=50, hi=500))),
    "hardy_cross": (hardy_cross, {"sweeps": 15},
                    lambda s, n: (NETWORK_Q0, _u(s, 5, lo=100, hi=1000), NETWORK_LOOPS)),
    "hardy_cross_hw": (hardy_cross, {"sweeps": 10, "n_exp": 1.852},
                       lambda s, n: (NETWORK_Q0, _u(s, 5, lo=100, hi=1000), NETWORK_LOOPS)),
    "hardy_cross_jacobi": (hardy_cross_jacobi, {},
                           lambda s, n: (np.tile(NETWORK_Q0, n // 2 - 1),
                                         _u(s, 5 * (n // 2 - 1), lo=100, hi=1000),
                                         np.kron(np.eye(n // 2 - 1), NETWORK_LOOPS))),
}


@pytest.mark.parametrize("name", _names(HYDROLOGY))
def test_hydrology(name):
    check_like_numpy(*HYDROLOGY[name])


# ------------------------------------------------------ structural and mechanical


def beam_point_loads(x, L, EI, a, P):
    """Deflection of a simply supported beam under point loads by superposition: each load
    `P[k]` at `a[k]`, the two branches of the closed form chosen by `np.where`."""
    X = x[:, None]
    b = L - a[None, :]
    A = a[None, :]
    left = P * b * X * (L ** 2 - b ** 2 - X ** 2) / (6 * L * EI)
    right = P * b * (L / b * (X - A) ** 3 + (L ** 2 - b ** 2) * X - X ** 3) / (6 * L * EI)
    return np.where(X <= A, left, right).sum(axis=1)


def beam_shear_moment(x, L, a, P, w):
    """Support reactions, shear and moment diagrams of a simply supported beam with point
    loads and a uniform load, the point loads summed with a mask matrix."""
    RB = (P * a).sum() / L + w * L / 2
    RA = P.sum() + w * L - RB
    past = (x[:, None] >= a[None, :])
    V = RA - w * x - (P * past).sum(axis=1)
    M = RA * x - w * x ** 2 / 2 - (P * (x[:, None] - a) * past).sum(axis=1)
    return V, M, x[np.argmax(np.abs(M))]


def cantilever_deflection_loop(x, L, EI, a, P):
    """Cantilever deflection accumulated one load at a time into `y`."""
    y = np.zeros_like(x)
    for k in range(len(P)):
        inside = x <= a[k]
        y[inside] += P[k] * x[inside] ** 2 * (3 * a[k] - x[inside]) / (6 * EI)
        y[~inside] += P[k] * a[k] ** 2 * (3 * x[~inside] - a[k]) / (6 * EI)
    return y


def beam_deflection_integration(x, M, EI):
    """Deflection by double trapezoid integration of the curvature, with boundary
    conditions y(0) = y(L) = 0 fixed by a linear correction."""
    kappa = M / EI
    dx = np.diff(x)
    theta = np.concatenate([[0.0], np.cumsum(0.5 * (kappa[1:] + kappa[:-1]) * dx)])
    y = np.concatenate([[0.0], np.cumsum(0.5 * (theta[1:] + theta[:-1]) * dx)])
    return y - y[-1] * x / x[-1]


def truss_stiffness(nodes, E, A, elements=((0, 1), (1, 2), (0, 2))):
    """2-D truss global stiffness assembled element by element with `np.ix_`."""
    n_dof = 2 * nodes.shape[0]
    K = np.zeros((n_dof, n_dof))
    for e, (i, j) in enumerate(elements):
        d = nodes[j] - nodes[i]
        L = np.sqrt(d @ d)
        c, s = d / L
        k = E * A[e] / L * np.array([[c * c, c * s, -c * c, -c * s],
                                     [c * s, s * s, -c * s, -s * s],
                                     [-c * c, -c * s, c * c, c * s],
                                     [-c * s, -s * s, c * s, s * s]])
        dofs = [2 * i, 2 * i + 1, 2 * j, 2 * j + 1]
        K[np.ix_(dofs, dofs)] += k
    return K


def truss_solve(nodes, E, A, loads, elements=((0, 1), (1, 2), (0, 2), (2, 3), (1, 3)),
                fixed=(0, 1, 7)):
    """Assemble, solve the free dofs by `np.ix_` and `np.linalg.solve`, then member forces
    and the reactions."""
    K = truss_stiffness(nodes, E, A, elements)
    n_dof = K.shape[0]
    free = np.setdiff1d(np.arange(n_dof), fixed)
    u = np.zeros(n_dof)
    u[free] = np.linalg.solve(K[np.ix_(free, free)], loads[free])
    forces = np.zeros(len(elements))
    for e, (i, j) in enumerate(elements):
        d = nodes[j] - nodes[i]
        L = np.linalg.norm(d)
        cs = d / L
        forces[e] = E * A[e] / L * cs @ (u[2 * j:2 * j + 2] - u[2 * i:2 * i + 2])
    reactions = K @ u - loads
    return u, forces, reactions[list(fixed)]


def spring_chain_modes(k, m):
    """Natural frequencies and modes of a fixed-free spring-mass chain: tridiagonal K by
    `np.diag`, then the symmetric generalized problem through M^(-1/2)."""
    n = len(m)
    k_next = np.append(k[1:], 0.0)
    K = np.diag(k + k_next) - np.diag(k[1:], 1) - np.diag(k[1:], -1)
    Minv_sqrt = np.diag(1 / np.sqrt(m))
    lam, phi = np.linalg.eigh(Minv_sqrt @ K @ Minv_sqrt)
    modes = Minv_sqrt @ phi
    modes = modes / np.abs(modes).max(axis=0) * np.sign(modes[-1])
    return np.sqrt(lam) / (2 * np.pi), modes, n


def newmark_beta(M, C, K, F, dt, beta=0.25, gamma=0.5):
    """Newmark-beta integration of M a + C v + K u = F(t), the effective stiffness solved
    each step."""
    n_steps, n = F.shape
    u = np.zeros((n_steps, n))
    v = np.zeros((n_steps, n))
    a = np.zeros((n_steps, n))
    a[0] = np.linalg.solve(M, F[0] - C @ v[0] - K @ u[0])
    Keff = K + gamma / (beta * dt) * C + M / (beta * dt ** 2)
    for i in range(n_steps - 1):
        rhs = (F[i + 1]
               + M @ (u[i] / (beta * dt ** 2) + v[i] / (beta * dt) + (1 / (2 * beta) - 1) * a[i])
               + C @ (gamma / (beta * dt) * u[i] + (gamma / beta - 1) * v[i]
                      + dt * (gamma / (2 * beta) - 1) * a[i]))
        u[i + 1] = np.linalg.solve(Keff, rhs)
        a[i + 1] = ((u[i + 1] - u[i]) / (beta * dt ** 2) - v[i] / (beta * dt)
                    - (1 / (2 * beta) - 1) * a[i])
        v[i + 1] = v[i] + dt * ((1 - gamma) * a[i] + gamma * a[i + 1])
    return u, v, a


def euler_buckling(E, I, L, K_factor, A, Fy):
    """Euler critical load with the Johnson parabola for short columns."""
    r = np.sqrt(I / A)
    slender = K_factor * L / r
    Cc = np.sqrt(2 * np.pi ** 2 * E / Fy)
    euler = np.pi ** 2 * E * I / (K_factor * L) ** 2
    johnson = A * (Fy - Fy ** 2 / (4 * np.pi ** 2 * E) * slender ** 2)
    return np.where(slender > Cc, euler, johnson), slender


def mohr_circle(sx, sy, txy):
    """Principal stresses, maximum shear and principal angle (degrees)."""
    center = (sx + sy) / 2
    radius = np.sqrt(((sx - sy) / 2) ** 2 + txy ** 2)
    theta_p = 0.5 * np.degrees(np.arctan2(2 * txy, sx - sy))
    return center + radius, center - radius, radius, theta_p


def stress_rotation(sigma, angles):
    """A 3x3 stress tensor rotated about z by each angle: `R @ S @ R.T` by einsum."""
    c, s = np.cos(angles), np.sin(angles)
    R = np.zeros((len(angles), 3, 3))
    R[:, 0, 0] = c
    R[:, 0, 1] = -s
    R[:, 1, 0] = s
    R[:, 1, 1] = c
    R[:, 2, 2] = 1.0
    return np.einsum("nij,jk,nlk->nil", R, sigma, R)


def von_mises_principal(stress):
    """Von Mises stress of a batch of 3x3 tensors and their principal values by `eigvalsh`."""
    dev = stress - np.trace(stress, axis1=-2, axis2=-1)[..., None, None] / 3 * np.eye(3)
    vm = np.sqrt(1.5 * np.sum(dev * dev, axis=(-2, -1)))
    principal = np.linalg.eigvalsh(stress)[..., ::-1]
    return vm, principal


def goodman_fatigue(s_max, s_min, Su, Se):
    """Goodman safety factors of alternating and mean stresses."""
    sa = (s_max - s_min) / 2
    sm = (s_max + s_min) / 2
    n = 1.0 / (sa / Se + np.maximum(sm, 0) / Su)
    return sa, sm, n


# -------------------------------------------------------- thermal and psychrometrics


def saturation_vapor_pressure(T):
    """Magnus-Tetens saturation pressure (kPa) over water and over ice below freezing."""
    water = 0.61094 * np.exp(17.625 * T / (T + 243.04))
    ice = 0.61115 * np.exp(22.452 * T / (T + 272.55))
    return np.where(T >= 0, water, ice)


def psychrometrics(T, RH, P=101.325):
    """Humidity ratio, dew point, enthalpy, specific volume and Stull's wet-bulb."""
    pws = 0.61094 * np.exp(17.625 * T / (T + 243.04))
    pw = RH / 100 * pws
    W = 0.621945 * pw / (P - pw)
    gamma = np.log(RH / 100) + 17.625 * T / (243.04 + T)
    Td = 243.04 * gamma / (17.625 - gamma)
    h = 1.006 * T + W * (2501 + 1.86 * T)
    v = 0.287042 * (T + 273.15) * (1 + 1.607858 * W) / P
    Tw = (T * np.arctan(0.151977 * np.sqrt(RH + 8.313659)) + np.arctan(T + RH)
          - np.arctan(RH - 1.676331) + 0.00391838 * RH ** 1.5 * np.arctan(0.023101 * RH)
          - 4.686035)
    return {"W": W, "Td": Td, "h": h, "v": v, "Tw": Tw}


def heat_index(T_f, RH):
    """NWS heat index: Rothfusz regression with Steadman's simple form below 80 F and the
    two adjustments applied through masks."""
    simple = 0.5 * (T_f + 61.0 + (T_f - 68.0) * 1.2 + RH * 0.094)
    hi = (-42.379 + 2.04901523 * T_f + 10.14333127 * RH - 0.22475541 * T_f * RH
          - 6.83783e-3 * T_f ** 2 - 5.481717e-2 * RH ** 2 + 1.22874e-3 * T_f ** 2 * RH
          + 8.5282e-4 * T_f * RH ** 2 - 1.99e-6 * T_f ** 2 * RH ** 2)
    adj1 = (RH < 13) & (T_f >= 80) & (T_f <= 112)
    hi[adj1] -= ((13 - RH[adj1]) / 4) * np.sqrt((17 - np.abs(T_f[adj1] - 95.0)) / 17)
    adj2 = (RH > 85) & (T_f >= 80) & (T_f <= 87)
    hi[adj2] += ((RH[adj2] - 85) / 10) * ((87 - T_f[adj2]) / 5)
    return np.where((simple + T_f) / 2 < 80, simple, hi)


def ntu_effectiveness(NTU, Cr, kind="counterflow"):
    """Effectiveness-NTU relations of common exchangers, with the `Cr = 1` limit of
    counterflow by `np.where`."""
    if kind == "counterflow":
        e = np.where(np.isclose(Cr, 1.0), NTU / (1 + NTU),
                     (1 - np.exp(-NTU * (1 - Cr))) / (1 - Cr * np.exp(-NTU * (1 - Cr))))
    elif kind == "parallel":
        e = (1 - np.exp(-NTU * (1 + Cr))) / (1 + Cr)
    else:
        e = 1 - np.exp(NTU ** 0.22 / Cr * (np.exp(-Cr * NTU ** 0.78) - 1))
    return e


def ntu_from_table(eff_target, Cr):
    """NTU from a tabulated counterflow effectiveness curve read backwards by `np.interp`."""
    ntu_grid = np.linspace(0.01, 6.0, 200)
    eff_grid = ntu_effectiveness(ntu_grid, Cr)
    return np.interp(eff_target, eff_grid, ntu_grid)


def exchanger_rating(m_h, cp_h, Th_in, m_c, cp_c, Tc_in, UA):
    """Outlet temperatures and duty by the effectiveness-NTU method, `np.minimum` and
    `np.maximum` of the capacity rates."""
    Ch = m_h * cp_h
    Cc = m_c * cp_c
    Cmin = np.minimum(Ch, Cc)
    Cmax = np.maximum(Ch, Cc)
    Cr = Cmin / Cmax
    eff = ntu_effectiveness(UA / Cmin, Cr)
    q = eff * Cmin * (Th_in - Tc_in)
    return q, Th_in - q / Ch, Tc_in + q / Cc


def lmtd(Th_in, Th_out, Tc_in, Tc_out, counterflow=True):
    """Log-mean temperature difference with the equal-difference limit."""
    if counterflow:
        dT1, dT2 = Th_in - Tc_out, Th_out - Tc_in
    else:
        dT1, dT2 = Th_in - Tc_in, Th_out - Tc_out
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (dT1 - dT2) / np.log(dT1 / dT2)
    return np.where(np.isclose(dT1, dT2), dT1, out)


def fin_efficiency(h, k, t, L, w):
    """Straight rectangular fin with a corrected length: efficiency `tanh(mL) / mL` and
    the heat rate per degree."""
    P = 2 * (w + t)
    Ac = w * t
    m = np.sqrt(h * P / (k * Ac))
    Lc = L + t / 2
    eta = np.tanh(m * Lc) / (m * Lc)
    return eta, eta * h * P * Lc


def heat_conduction_explicit(T0, alpha, dx, dt, T_left, T_right, steps=10):
    """FTCS heat equation with Dirichlet ends, a fixed number of steps."""
    T = T0.copy()
    r = alpha * dt / dx ** 2
    for _ in range(steps):
        T[1:-1] = T[1:-1] + r * (T[2:] - 2 * T[1:-1] + T[:-2])
        T[0] = T_left
        T[-1] = T_right
    return T


def wall_resistances(k, thickness, h_in, h_out, T_in, T_out):
    """A composite wall as series resistances: heat flux and the interface temperatures by
    `np.cumsum` of the resistances."""
    R = np.concatenate([[1 / h_in], thickness / k, [1 / h_out]])
    q = (T_in - T_out) / R.sum()
    T = T_in - q * np.cumsum(R)
    return q, np.concatenate([[T_in], T])


def _truss_nodes(s, n):
    nodes = np.array([[0.0, 0.0], [4.0, 0.0], [2.0, 3.0], [6.0, 3.0]])
    return nodes + 0.05 * s


def _truss_loads(s):
    loads = np.zeros(8)
    loads[5] = -1e4 * (1 + 0.1 * s)
    loads[6] = 2e3
    return loads


STRUCTURES = {
    "beam_point_loads": (beam_point_loads, {},
                         lambda s, n: (np.linspace(0, 10, n * 5), 10.0, 2e7,
                                       _u(s, 3, lo=1, hi=9), _u(s + 1, 3, lo=1e3, hi=5e3))),
    "beam_shear_moment": (beam_shear_moment, {},
                          lambda s, n: (np.linspace(0, 8, n * 5), 8.0, _u(s, 3, lo=1, hi=7),
                                        _u(s + 1, 3, lo=1, hi=5), 2.0)),
    "cantilever_deflection_loop": (cantilever_deflection_loop, {},
                                   lambda s, n: (np.linspace(0, 3, n * 4), 3.0, 5e6,
                                                 _u(s, 3, lo=0.5, hi=3), _u(s + 1, 3, lo=1e3,
                                                                            hi=2e3))),
    "beam_deflection_integration": (
        beam_deflection_integration, {},
        lambda s, n: (np.linspace(0, 6, n * 5),
                      beam_shear_moment(np.linspace(0, 6, n * 5), 6.0, np.array([2.0, 4.0]),
                                        _u(s, 2, lo=1, hi=5), 1.0)[1], 1e4)),
    "truss_stiffness": (truss_stiffness, {"elements": ((0, 1), (1, 2), (0, 2), (2, 3),
                                                       (1, 3))},
                        lambda s, n: (_truss_nodes(s, n), 2e11, _u(s, 5, lo=1e-4, hi=5e-4))),
    "truss_solve": (truss_solve, {},
                    lambda s, n: (_truss_nodes(s, n), 2e11, _u(s, 5, lo=1e-4, hi=5e-4),
                                  _truss_loads(s))),
    "spring_chain_modes": (spring_chain_modes, {},
                           lambda s, n: (_u(s, n, lo=100, hi=500), _u(s + 1, n, lo=1, hi=3))),
    "newmark_beta": (newmark_beta, {},
                     lambda s, n: (np.diag([2.0, 1.0]), np.array([[0.4, -0.1], [-0.1, 0.2]]),
                                   np.array([[600.0, -200.0], [-200.0, 200.0]]),
                                   _f(n * 5, 2, seed=s) * 10, 0.02)),
    "euler_buckling": (euler_buckling, {},
                       lambda s, n: (2e5, 8e6, _u(s, n * 2, lo=500, hi=8000), 1.0, 5e3, 250.0)),
    "mohr_circle": (mohr_circle, {}, lambda s, n: (_f(n, seed=s) * 100, _f(n, seed=s + 1) * 50,
                                                   _f(n, seed=s + 2) * 30)),
    "stress_rotation": (stress_rotation, {},
                        lambda s, n: ((lambda a: a + a.T)(_f(3, 3, seed=s)),
                                      np.linspace(0, np.pi, n))),
    "von_mises_principal": (von_mises_principal, {},
                            lambda s, n: ((lambda a: a + a.swapaxes(-1, -2))(_f(n, 3, 3,
                                                                                 seed=s)),)),
    "goodman_fatigue": (goodman_fatigue, {},
                        lambda s, n: (_u(s, n, lo=100, hi=300), _u(s + 1, n, lo=-200, hi=100),
                                      600.0, 250.0)),
    "saturation_vapor_pressure": (saturation_vapor_pressure, {},
                                  lambda s, n: (_u(s, n * 3, lo=-30, hi=40),)),
    "psychrometrics": (psychrometrics, {}, lambda s, n: (_u(s, n * 3, lo=0, hi=40),
                                                         _u(s + 1, n * 3, lo=10, hi=100))),
    "heat_index": (heat_index, {}, lambda s, n: (_u(s, n * 5, lo=70, hi=115),
                                                 _u(s + 1, n * 5, lo=5, hi=100))),
    "ntu_counterflow": (ntu_effectiveness, {},
                        lambda s, n: (np.linspace(0.1, 5, n), np.array([[0.0], [0.5], [1.0]]))),
    "ntu_parallel": (ntu_effectiveness, {"kind": "parallel"},
                     lambda s, n: (np.linspace(0.1, 5, n), _u(s, n))),
    "ntu_crossflow": (ntu_effectiveness, {"kind": "crossflow"},
                      lambda s, n: (np.linspace(0.1, 5, n), _u(s, n, lo=0.1, hi=1))),
    "ntu_from_table": (ntu_from_table, {}, lambda s, n: (_u(s, n, lo=0.1, hi=0.8), 0.5)),
    "exchanger_rating": (exchanger_rating, {},
                         lambda s, n: (_u(s, n, lo=0.5, hi=2), 4180.0, 90.0,
                                       _u(s + 1, n, lo=0.5, hi=2), 4180.0, 20.0, 5000.0)),
    "lmtd_counterflow": (lmtd, {}, lambda s, n: (np.full(n, 90.0), _u(s, n, lo=50, hi=70),
                                                 np.full(n, 20.0), np.array([40.0] * (n - 1)
                                                                            + [60.0]))),
    "lmtd_parallel": (lmtd, {"counterflow": False},
                      lambda s, n: (np.full(n, 90.0), _u(s, n, lo=50, hi=70),
                                    np.full(n, 20.0), _u(s + 1, n, lo=25, hi=45))),
    "fin_efficiency": (fin_efficiency, {}, lambda s, n: (_u(s, n, lo=10, hi=200), 200.0, 0.002,
                                                         np.linspace(0.01, 0.1, n), 0.05)),
    "heat_conduction_explicit": (heat_conduction_explicit, {"steps": 40},
                                 lambda s, n: (np.full(n * 3, 20.0), 1e-4, 0.01, 0.2,
                                               100.0 + s, 0.0)),
    "wall_resistances": (wall_resistances, {},
                         lambda s, n: (_u(s, n, lo=0.04, hi=1.5), _u(s + 1, n, lo=0.01,
                                                                      hi=0.2), 8.0, 25.0,
                                       20.0, -5.0 + s)),
}


@pytest.mark.parametrize("name", _names(STRUCTURES))
def test_structures_thermal(name):
    check_like_numpy(*STRUCTURES[name])


# --------------------------------------------------------- more of the same sources


PEREZ_EDGES = np.array([1.0, 1.065, 1.23, 1.5, 1.95, 2.8, 4.5, 6.2])
PEREZ_F1 = np.array([[-0.008, 0.588, -0.062], [0.130, 0.683, -0.151], [0.330, 0.487, -0.221],
                     [0.568, 0.187, -0.295], [0.873, -0.392, -0.362], [1.132, -1.237, -0.412],
                     [1.060, -1.600, -0.359], [0.678, -0.327, -0.250]])
PEREZ_F2 = np.array([[-0.060, 0.072, -0.022], [-0.019, 0.066, -0.029], [0.055, -0.064, -0.026],
                     [0.109, -0.152, -0.014], [0.226, -0.462, 0.001], [0.288, -0.823, 0.056],
                     [0.264, -1.127, 0.131], [0.156, -1.377, 0.251]])


def perez(surface_tilt, surface_azimuth, dhi, dni, dni_extra, solar_zenith, solar_azimuth,
          airmass):
    """Perez sky diffuse: the sky clearness binned by `np.digitize`, the F1/F2 coefficient
    rows picked by fancy indexing, NaN bins for missing clearness."""
    kappa = 1.041
    z = np.radians(solar_zenith)
    with np.errstate(invalid="ignore", divide="ignore"):
        eps = ((dhi + dni) / dhi + kappa * (z ** 3)) / (1 + kappa * (z ** 3))
    ebin = np.digitize(eps, PEREZ_EDGES, right=True)
    ebin = np.where(np.isnan(eps), 0, ebin)
    ebin = np.clip(ebin, 1, 8) - 1
    delta = dhi * airmass / dni_extra
    F1 = PEREZ_F1[ebin, 0] + PEREZ_F1[ebin, 1] * delta + PEREZ_F1[ebin, 2] * z
    F1 = np.maximum(F1, 0)
    F2 = PEREZ_F2[ebin, 0] + PEREZ_F2[ebin, 1] * delta + PEREZ_F2[ebin, 2] * z
    A = np.maximum(aoi_projection(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth),
                   0)
    B = np.maximum(np.cos(z), np.cos(np.radians(85)))
    term1 = 0.5 * (1 - F1) * (1 + np.cos(np.radians(surface_tilt)))
    term2 = F1 * A / B
    term3 = F2 * np.sin(np.radians(surface_tilt))
    sky_diffuse = np.maximum(dhi * (term1 + term2 + term3), 0)
    return np.where(np.isnan(eps) | (dhi == 0), 0.0, sky_diffuse), ebin


# A few terms of SPA's L0 table: amplitude, phase, frequency
SPA_L0 = np.array([[175347046.0, 0.0, 0.0], [3341656.0, 4.6692568, 6283.07585],
                   [34894.0, 4.6261, 12566.1517], [3497.0, 2.7441, 5753.3849],
                   [3418.0, 2.8289, 3.5231], [3136.0, 3.6277, 77713.7715]])
SPA_L1 = np.array([[628331966747.0, 0.0, 0.0], [206059.0, 2.678235, 6283.07585],
                   [4303.0, 2.6351, 12566.1517]])


def heliocentric_longitude(jme):
    """SPA-style heliocentric longitude: periodic-term tables summed against the Julian
    ephemeris millennium by broadcasting."""
    jme = np.asarray(jme)[..., None]
    l0 = np.sum(SPA_L0[:, 0] * np.cos(SPA_L0[:, 1] + SPA_L0[:, 2] * jme), axis=-1)
    l1 = np.sum(SPA_L1[:, 0] * np.cos(SPA_L1[:, 1] + SPA_L1[:, 2] * jme), axis=-1)
    l_rad = (l0 + l1 * jme[..., 0]) / 10 ** 8
    l_deg = np.rad2deg(l_rad)
    return l_deg % 360


def sapm_effective_irradiance(poa_direct, poa_diffuse, airmass_absolute, aoi, A, B, fd=1.0):
    """SAPM spectral and angular modifiers by `np.polyval` of the module coefficients,
    clipped at zero."""
    f1 = np.maximum(np.polyval(A, airmass_absolute), 0)
    f1 = np.where(np.isnan(airmass_absolute), 0, f1)
    f2 = np.maximum(np.polyval(B, aoi), 0)
    f2 = np.where(np.isnan(aoi), 0, f2)
    return f1 * (poa_direct * f2 + fd * poa_diffuse)


def golden_section_fixed(lower, upper, params, iterations=40):
    """pvlib's golden-section search for the maximum power voltage, written with a fixed
    number of iterations and `np.where` updates of the brackets."""
    phim1 = (np.sqrt(5) - 1) / 2
    IL, I0, Rs, Rsh, nVth = params
    def power(vd):
        i = IL - I0 * np.expm1(vd / nVth) - vd / Rsh
        return i * (vd - i * Rs)
    VL, VH = lower, upper
    for _ in range(iterations):
        phi = phim1 * (VH - VL)
        V1 = VL + phi
        V2 = VH - phi
        f1, f2 = power(V1), power(V2)
        mask = f1 > f2
        VL = np.where(mask, V2, VL)
        VH = np.where(mask, VH, V1)
    vmp = (VL + VH) / 2
    return vmp, power(vmp)


def orgill_hollands(ghi, zenith, dni_extra):
    """Orgill-Hollands diffuse fraction by `np.select` over three clearness ranges."""
    cos_zenith = np.maximum(np.cos(np.radians(zenith)), 0.065)
    kt = np.clip(ghi / (dni_extra * cos_zenith), 0, 1)
    df = np.select([kt < 0.35, kt <= 0.75], [1.0 - 0.249 * kt, 1.557 - 1.84 * kt],
                   default=0.177)
    return df * ghi, kt


def dayofyear_datetime64(times):
    """Day of year and fractional UTC hour from `datetime64[s]` stamps."""
    years = times.astype("datetime64[Y]")
    doy = (times.astype("datetime64[D]") - years).astype(int) + 1
    hours = (times - times.astype("datetime64[D]")).astype("timedelta64[s]").astype(float) / 3600
    return doy, hours


def xnpv_days(rate, values, days):
    """XNPV over day offsets with an Actual/365 year fraction."""
    return np.sum(values / (1.0 + rate) ** ((days - days[0]) / 365.0))


def xirr_newton(values, days, guess=0.1, iters=30):
    """XIRR by Newton steps on XNPV."""
    t = (days - days[0]) / 365.0
    r = guess
    for _ in range(iters):
        f = np.sum(values / (1 + r) ** t)
        fp = np.sum(-t * values / (1 + r) ** (t + 1))
        r = r - f / fp
    return r


def amortization_rounded(principal, rate, payment, n_max=24):
    """A schedule rounded to cents, as spreadsheet-minded scripts write it."""
    rows = np.zeros((n_max, 3))
    balance = principal
    for k in range(n_max):
        interest = np.round(balance * rate, 2)
        princ = np.round(np.minimum(payment - interest, balance), 2)
        balance = np.round(balance - princ, 2)
        rows[k] = interest, princ, balance
    return rows


def correlated_paths(S0, mu, sigma, corr, T, Z):
    """Correlated GBM paths of several assets from given normals through a Cholesky factor
    of the correlation matrix."""
    L = np.linalg.cholesky(corr)
    n_paths, n_steps, n_assets = Z.shape
    dt = T / n_steps
    Zc = Z @ L.T
    drift = (mu - 0.5 * sigma ** 2) * dt
    log_ret = drift + sigma * np.sqrt(dt) * Zc
    return S0 * np.exp(np.cumsum(log_ret, axis=1))


def lookback_option(S0, r, sigma, T, Z):
    """Floating-strike lookback call from the running minimum of each path."""
    dt = T / Z.shape[1]
    S = S0 * np.exp(np.cumsum((r - sigma ** 2 / 2) * dt + sigma * np.sqrt(dt) * Z, axis=1))
    running_min = np.minimum.accumulate(np.minimum(S, S0), axis=1)
    payoff = S[:, -1] - running_min[:, -1]
    return np.exp(-r * T) * payoff.mean(), running_min


def implied_vol_bisection(price, S, K, T, r, iters=60):
    """Implied volatility by bisection with `np.where` on the sign of the pricing error."""
    lo = np.full_like(price, 1e-4)
    hi = np.full_like(price, 3.0)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        too_high = bs_price(S, K, T, r, mid) > price
        hi = np.where(too_high, mid, hi)
        lo = np.where(too_high, lo, mid)
    return 0.5 * (lo + hi)


def bs_surface(S, K_grid, T_grid, r, sigma):
    """A call price surface over strikes and maturities by `np.meshgrid`."""
    K, T = np.meshgrid(K_grid, T_grid, indexing="ij")
    return bs_price(S, K, T, r, sigma)


def gumbel_flood_frequency(annual_max, return_periods):
    """Gumbel (EV1) flood quantiles by the method of moments."""
    mean = annual_max.mean()
    std = annual_max.std(ddof=1)
    yT = -np.log(-np.log(1 - 1 / np.asarray(return_periods, dtype=float)))
    yn, sn = 0.5772, 1.2825
    return mean + (yT - yn) / sn * std


def log_pearson3(annual_max, return_periods):
    """Log-Pearson III quantiles with the Wilson-Hilferty frequency factor from a rational
    approximation of the normal quantile."""
    logq = np.log10(annual_max)
    n = logq.size
    m, s = logq.mean(), logq.std(ddof=1)
    g = n * np.sum((logq - m) ** 3) / ((n - 1) * (n - 2) * s ** 3)
    p = 1 / np.asarray(return_periods, dtype=float)
    t = np.sqrt(np.log(1 / p ** 2))
    z = t - (2.515517 + 0.802853 * t + 0.010328 * t ** 2) / (1 + 1.432788 * t
                                                             + 0.189269 * t ** 2
                                                             + 0.001308 * t ** 3)
    k = g / 6
    K = 2 / g * ((1 + k * z - k ** 2) ** 3 - 1)
    return 10 ** (m + K * s), g


def weibull_plotting(annual_max):
    """Weibull plotting positions of ranked annual maxima, with `np.argsort` ranks."""
    order = np.argsort(-annual_max)
    ranks = np.empty_like(order)
    ranks[order] = np.arange(1, len(annual_max) + 1)
    p = ranks / (len(annual_max) + 1)
    return ranks, 1 / p


def rating_curve_piecewise(h, h0, a, b, h_break, a2, b2):
    """A two-segment stage-discharge rating by `np.piecewise`."""
    return np.piecewise(h, [h < h0, (h >= h0) & (h < h_break), h >= h_break],
                        [0.0, lambda x: a * (x - h0) ** b, lambda x: a2 * (x - h0) ** b2])


def bar_assembly_add_at(lengths, EA, load):
    """1-D bar elements assembled by `np.add.at` over (row, col) index arrays, fixed at the
    left end, solved for nodal displacements."""
    n_el = lengths.shape[0]
    k = EA / lengths
    rows = np.stack([np.arange(n_el), np.arange(n_el), np.arange(n_el) + 1,
                     np.arange(n_el) + 1], axis=1)
    cols = np.stack([np.arange(n_el), np.arange(n_el) + 1, np.arange(n_el),
                     np.arange(n_el) + 1], axis=1)
    vals = k[:, None] * np.array([1.0, -1.0, -1.0, 1.0])
    K = np.zeros((n_el + 1, n_el + 1))
    np.add.at(K, (rows.ravel(), cols.ravel()), vals.ravel())
    F = np.zeros(n_el + 1)
    F[-1] = load
    u = np.zeros(n_el + 1)
    u[1:] = np.linalg.solve(K[1:, 1:], F[1:])
    return u, K


def frame_element_global(x1, y1, x2, y2, E, A, I):
    """A 2-D frame element's global stiffness `T.T @ k_local @ T`."""
    L = np.hypot(x2 - x1, y2 - y1)
    c, s = (x2 - x1) / L, (y2 - y1) / L
    EA, EI = E * A / L, E * I / L ** 3
    k = np.array([[EA, 0, 0, -EA, 0, 0],
                  [0, 12 * EI, 6 * EI * L, 0, -12 * EI, 6 * EI * L],
                  [0, 6 * EI * L, 4 * EI * L ** 2, 0, -6 * EI * L, 2 * EI * L ** 2],
                  [-EA, 0, 0, EA, 0, 0],
                  [0, -12 * EI, -6 * EI * L, 0, 12 * EI, -6 * EI * L],
                  [0, 6 * EI * L, 2 * EI * L ** 2, 0, -6 * EI * L, 4 * EI * L ** 2]])
    T = np.zeros((6, 6))
    R = np.array([[c, s, 0], [-s, c, 0], [0, 0, 1]])
    T[:3, :3] = R
    T[3:, 3:] = R
    return T.T @ k @ T


def portfolio_cholesky_var(weights, cov, z_alpha=1.645, horizon=10):
    """Parametric VaR of several portfolios with a square-root-of-time horizon."""
    port_var = np.einsum("pi,ij,pj->p", weights, cov, weights)
    return z_alpha * np.sqrt(port_var * horizon)


def black_litterman(cov, w_mkt, P, Q, delta=2.5, tau=0.05):
    """Black-Litterman posterior returns with `np.linalg.inv` and `np.diag` of the view
    uncertainty."""
    pi = delta * cov @ w_mkt
    omega = np.diag(np.diag(P @ (tau * cov) @ P.T))
    inv_tc = np.linalg.inv(tau * cov)
    M = np.linalg.inv(inv_tc + P.T @ np.linalg.inv(omega) @ P)
    return M @ (inv_tc @ pi + P.T @ np.linalg.inv(omega) @ Q), pi


MORE = {
    "perez": (perez, {},
              lambda s, n: (30.0, 180.0,
                            np.concatenate([[0.0], _u(s, n * 3, lo=10, hi=300)]),
                            np.concatenate([[0.0], _u(s + 1, n * 3, lo=0, hi=900)]), 1367.0,
                            _u(s + 2, n * 3 + 1, lo=0, hi=88),
                            _u(s + 3, n * 3 + 1, lo=90, hi=270),
                            _u(s + 4, n * 3 + 1, lo=1, hi=5))),
    "heliocentric_longitude": (heliocentric_longitude, {},
                               lambda s, n: (_u(s, n * 2, lo=0.0, hi=0.03),)),
    "sapm_effective_irradiance": (sapm_effective_irradiance, {},
                                  lambda s, n: (_u(s, n, lo=0, hi=900),
                                                _u(s + 1, n, lo=0, hi=300),
                                                np.where(_u(s + 2, n) < 0.2, np.nan,
                                                         _u(s + 3, n, lo=1, hi=6)),
                                                _u(s + 4, n, lo=0, hi=89),
                                                np.array([-0.0001, 0.001, -0.01, 0.06, 0.93]),
                                                np.array([-1e-9, 2e-7, -1e-5, 2e-4, -2e-3,
                                                          1.0]))),
    "golden_section_fixed": (golden_section_fixed, {},
                             lambda s, n: (np.zeros(n), np.full(n, 35.0),
                                           (_u(s, n, lo=4, hi=8), 1e-9, 0.3, 300.0, 1.5))),
    "orgill_hollands": (orgill_hollands, {}, lambda s, n: (_u(s, n * 3, lo=0, hi=1000),
                                                           _u(s + 1, n * 3, lo=0, hi=89),
                                                           1367.0)),
    "dayofyear_datetime64": (dayofyear_datetime64, {},
                             lambda s, n: (np.datetime64("2023-01-01T00:00:00")
                                           + (_i(365 * 86400, n * 2, seed=s)
                                              .astype("timedelta64[s]")),)),
    "xnpv_days": (xnpv_days, {}, lambda s, n: (0.09, _flows(s, 1, n)[0],
                                               np.cumsum(_i(200, n, seed=s) + 1))),
    "xirr_newton": (xirr_newton, {}, lambda s, n: (_flows(s, 1, n)[0],
                                                   np.cumsum(_i(200, n, seed=s) + 30.0))),
    "amortization_rounded": (amortization_rounded, {},
                             lambda s, n: (1000.0 * n, 0.0125, 300.0 + 10 * s)),
    "correlated_paths": (correlated_paths, {},
                         lambda s, n: (np.array([100.0, 50.0]), np.array([0.05, 0.03]),
                                       np.array([0.2, 0.3]),
                                       np.array([[1.0, 0.6], [0.6, 1.0]]), 1.0,
                                       _f(n * 3, 8, 2, seed=s))),
    "lookback_option": (lookback_option, {}, lambda s, n: (100.0, 0.03, 0.3, 1.0,
                                                           _f(20, n * 3, seed=s))),
    "implied_vol_bisection": (implied_vol_bisection, {},
                              lambda s, n: (bs_price(*_opt(s, n)),) + _opt(s, n)[:4]),
    "bs_surface": (bs_surface, {}, lambda s, n: (100.0, np.linspace(80, 120, n),
                                                 np.array([0.25, 0.5, 1.0]), 0.02, 0.25)),
    "gumbel_flood_frequency": (gumbel_flood_frequency, {},
                               lambda s, n: (_u(s, n * 5, lo=100, hi=900),
                                             [2, 5, 10, 25, 50, 100])),
    "log_pearson3": (log_pearson3, {}, lambda s, n: (_u(s, n * 5, lo=100, hi=900),
                                                     [2.0, 10.0, 100.0])),
    "weibull_plotting": (weibull_plotting, {}, lambda s, n: (_u(s, n * 3, lo=100, hi=900),)),
    "rating_curve_piecewise": (rating_curve_piecewise, {},
                               lambda s, n: (_u(s, n * 3, lo=0, hi=5), 0.5, 10.0, 1.6, 3.0,
                                             14.0, 1.5)),
    "bar_assembly_add_at": (bar_assembly_add_at, {},
                            lambda s, n: (_u(s, n, lo=0.5, hi=2), 2e8, 1e3)),
    "frame_element_global": (frame_element_global, {},
                             lambda s, n: (0.0, 0.0, 3.0 + s, 4.0, 2e11, 0.01, 1e-4)),
    "portfolio_cholesky_var": (portfolio_cholesky_var, {},
                               lambda s, n: (_u(s, n, 4), _spd(s, 4))),
    "black_litterman": (black_litterman, {},
                        lambda s, n: (_spd(s, n), np.full(n, 1.0 / n),
                                      np.eye(2, n) - np.eye(2, n, 1), np.array([0.02, 0.01]))),
}


@pytest.mark.parametrize("name", _names(MORE))
def test_more_sources(name):
    check_like_numpy(*MORE[name])


# ------------------------------------------------------------- steered and refused


def npv_python_list(rate, cashflows):
    """Cash flows as a Python list discounted in a comprehension and summed."""
    return sum(cf / (1 + rate) ** t for t, cf in enumerate(cashflows))


def binomial_crr_steps(S0, K, T, r, sigma, n):
    """The CRR put with the step count as an ordinary argument."""
    return binomial_crr(S0, K, T, r, sigma, n, american=True)


def bond_price_years(face, coupon_rate, ytm, years, freq):
    """A bond priced with `years * freq` periods computed from Python ints."""
    n = years * freq
    return bond_price(face, coupon_rate, ytm, n, freq)


STEERED = {
    "amortization_table": lambda s: (1e4 * s, 0.01, 6 + 3 * s),
    "binomial_crr_steps": lambda s: (100.0, 100.0, 1.0, 0.05, 0.2, 10 * s),
    "bond_price_years": lambda s: (100.0, 0.05, 0.04, 5 + s, 2),
    "heat_conduction_steps": lambda s: (np.full(12, 20.0), 1e-4, 0.01, 0.2, 100.0, 0.0,
                                        5 * s),
    "hardy_cross_sweeps": lambda s: (NETWORK_Q0, _u(s, 5, lo=100, hi=1000), NETWORK_LOOPS,
                                     4 * s),
    "colebrook_while": lambda s: (1e5 * s, 1e-4 * s),
}
STEERED_FNS = {
    "amortization_table": amortization_table,
    "binomial_crr_steps": binomial_crr_steps,
    "bond_price_years": bond_price_years,
    "heat_conduction_steps": heat_conduction_explicit,
    "hardy_cross_sweeps": hardy_cross,
    "colebrook_while": colebrook_while,
}


@pytest.mark.parametrize("name", list(STEERED))
def test_steered(name):
    check_steered(STEERED_FNS[name], STEERED[name])


def test_npv_python_list():
    """A list of Python floats stays a list: every element is a traced scalar."""
    check_like_numpy(npv_python_list, {}, lambda s, n: (0.05 * s, list(_flows(s, 1, n)[0])))


REFUSED = {
    "npf_mirr_guard": (tracenp.ConcretizationError, npf_mirr,
                       lambda s: (_flows(s, 1, 6)[0], 0.1, 0.12)),
    "npf_rate_while": (tracenp.ConcretizationError, npf_rate_while,
                       lambda s: (np.full(3, 10.0), -_u(s, 3, lo=80, hi=120), 800.0, 0.0)),
    "npf_irr_roots": (tracenp.errors.DataDependentShapeError, npf_irr_roots,
                      lambda s: (_flows(s, 1, 6)[0],)),
    "hardy_cross_tol": (tracenp.ConcretizationError, hardy_cross_tol,
                        lambda s: (NETWORK_Q0, _u(s, 5, lo=100, hi=1000), NETWORK_LOOPS)),
}


# ----------------------------------------------- generators, in-place trees, solvers


def mc_call_generator(S0, K, r, sigma, T, rng, n_paths=64, n_steps=12):
    """Monte Carlo call with normals drawn from a Generator argument."""
    dt = T / n_steps
    Z = rng.standard_normal((n_paths, n_steps))
    S = S0 * np.exp(np.cumsum((r - 0.5 * sigma ** 2) * dt + sigma * np.sqrt(dt) * Z, axis=1))
    return np.exp(-r * T) * np.maximum(S[:, -1] - K, 0).mean()


def bootstrap_sharpe(r, rng, n_boot=50):
    """Bootstrap standard error of the Sharpe ratio by `rng.choice` resampling."""
    idx = rng.choice(len(r), size=(n_boot, len(r)), replace=True)
    sample = r[idx]
    sharpe = sample.mean(axis=1) / sample.std(axis=1, ddof=1) * np.sqrt(252)
    return sharpe.std(ddof=1), np.percentile(sharpe, [2.5, 97.5])


def dirichlet_portfolios(mu, cov, rng, n=100):
    """Random long-only portfolios from `rng.dirichlet`."""
    w = rng.dirichlet(np.ones(len(mu)), size=n)
    return w @ mu, np.sqrt(np.einsum("ij,jk,ik->i", w, cov, w))


def weather_generator(p_wet, mean_depth, rng, n_days=60):
    """A Markov-free daily rainfall generator: wet days by a uniform draw, depths from an
    exponential, and the Weibull wind of the same days."""
    wet = rng.random(n_days) < p_wet
    depth = rng.exponential(mean_depth, size=n_days)
    wind = 6.0 * rng.weibull(2.0, size=n_days)
    return np.where(wet, depth, 0.0), wind


def crr_inplace(S0, K, T, r, sigma, N=40):
    """The CRR American put written in place: `V[:i+1]` overwritten from `V[1:i+2]` and
    `V[:i+1]`, early exercise by `np.maximum(..., out=V[:i+1])`."""
    dt = T / N
    u = np.exp(sigma * np.sqrt(dt))
    d = 1 / u
    p = (np.exp(r * dt) - d) / (u - d)
    q = 1 - p
    disc = np.exp(-r * dt)
    S = S0 * d ** np.arange(N, -1, -1) * u ** np.arange(0, N + 1)
    V = np.maximum(K - S, 0)
    for i in range(N - 1, -1, -1):
        V[:i + 1] = disc * (p * V[1:i + 2] + q * V[:i + 1])
        S = S0 * d ** np.arange(i, -1, -1) * u ** np.arange(0, i + 1)
        np.maximum(V[:i + 1], K - S, out=V[:i + 1])
    return V[0]


def tdma(a, b, c, d):
    """Thomas algorithm for a tridiagonal system, forward sweep then back substitution."""
    n = len(d)
    cp = np.zeros(n)
    dp = np.zeros(n)
    cp[0] = c[0] / b[0]
    dp[0] = d[0] / b[0]
    for i in range(1, n):
        m = b[i] - a[i] * cp[i - 1]
        cp[i] = c[i] / m
        dp[i] = (d[i] - a[i] * dp[i - 1]) / m
    x = np.zeros(n)
    x[-1] = dp[-1]
    for i in range(n - 2, -1, -1):
        x[i] = dp[i] - cp[i] * x[i + 1]
    return x


def crank_nicolson_heat(T0, r, steps=15):
    """Crank-Nicolson for the heat equation with banded matrices from `np.diag`."""
    n = len(T0)
    A = (np.diag(np.full(n, 1 + r)) + np.diag(np.full(n - 1, -r / 2), 1)
         + np.diag(np.full(n - 1, -r / 2), -1))
    B = (np.diag(np.full(n, 1 - r)) + np.diag(np.full(n - 1, r / 2), 1)
         + np.diag(np.full(n - 1, r / 2), -1))
    T = T0.copy()
    for _ in range(steps):
        T = np.linalg.solve(A, B @ T)
    return T


def gauss_seidel_plate(T, sweeps=25):
    """Steady plate temperatures by point Gauss-Seidel, written in place into `T`."""
    for _ in range(sweeps):
        for i in range(1, T.shape[0] - 1):
            for j in range(1, T.shape[1] - 1):
                T[i, j] = 0.25 * (T[i + 1, j] + T[i - 1, j] + T[i, j + 1] + T[i, j - 1])
    return T


def jacobi_plate(T, sweeps=40):
    """The same plate by vectorized Jacobi sweeps over interior slices."""
    for _ in range(sweeps):
        T[1:-1, 1:-1] = 0.25 * (T[2:, 1:-1] + T[:-2, 1:-1] + T[1:-1, 2:] + T[1:-1, :-2])
    return T


def markov_credit(P, v0, years=5):
    """Rating distributions over the years by repeated `@` with a migration matrix, and the
    cumulative default probabilities from `np.linalg.matrix_power`."""
    out = np.zeros((years + 1, len(v0)))
    out[0] = v0
    for t in range(years):
        out[t + 1] = out[t] @ P
    cum_default = np.array([np.linalg.matrix_power(P, t)[:, -1] for t in range(1, years + 1)])
    return out, cum_default


def tiered_tariff(kwh, tiers, prices):
    """Electricity bills under tiered prices: usage per tier by `np.clip` of the usage past
    each tier's start."""
    edges = np.concatenate([[0.0], np.cumsum(tiers)])
    used = np.clip(kwh[:, None] - edges[None, :-1], 0, tiers[None, :])
    return used @ prices


def wind_rose(direction, speed):
    """A wind rose as frequencies by `np.histogram2d` over sectors and speed classes."""
    h, _, _ = np.histogram2d(direction % 360, speed, bins=[np.arange(0, 361, 45),
                                                           np.array([0, 2, 5, 10, 30])])
    return h / h.sum()


def factor_regression(excess, factors):
    """Fama-French-style loadings by `np.linalg.lstsq` with an intercept column."""
    X = np.column_stack([np.ones(len(factors)), factors])
    coef, res, rank, sv = np.linalg.lstsq(X, excess, rcond=None)
    resid = excess - X @ coef
    return coef, resid.std(axis=0, ddof=X.shape[1]), rank


def amortization_min_round(principal, rate, payment, n=12):
    """A schedule with Python's `min` and `round` on each period's scalars."""
    bal = principal
    out = []
    for _ in range(n):
        interest = bal * rate
        princ = min(payment - interest, bal)
        bal = bal - princ
        out.append(round(bal, 2))
    return np.array(out)


def npv_enumerate(rate, values):
    """NPV by `sum` of a generator over `enumerate` of an array."""
    return sum(v / (1 + rate) ** (i + 1) for i, v in enumerate(values))


EXTRA = {
    "mc_call_generator": (mc_call_generator, {},
                          lambda s, n: (100.0, 95.0 + n, 0.05, 0.2, 1.0,
                                        np.random.default_rng(s))),
    "bootstrap_sharpe": (bootstrap_sharpe, {},
                         lambda s, n: (_rets(s, n, 1)[:, 0], np.random.default_rng(s))),
    "dirichlet_portfolios": (dirichlet_portfolios, {},
                             lambda s, n: (_u(s, n, lo=0.03, hi=0.12), _spd(s, n),
                                           np.random.default_rng(s))),
    "weather_generator": (weather_generator, {},
                          lambda s, n: (0.1 * n, 8.0, np.random.default_rng(s))),
    "crr_inplace": (crr_inplace, {}, lambda s, n: (90.0 + s, 100.0, 1.0, 0.05, 0.2 + 0.01 * n)),
    "tdma": (tdma, {}, lambda s, n: (np.full(n * 2, -1.0), np.full(n * 2, 2.5),
                                     np.full(n * 2, -1.0), _f(n * 2, seed=s))),
    "crank_nicolson_heat": (crank_nicolson_heat, {},
                            lambda s, n: (np.sin(np.linspace(0, np.pi, n * 2)), 0.5 * s)),
    "gauss_seidel_plate": (gauss_seidel_plate, {},
                           lambda s, n: (np.pad(np.zeros((n, 4)), 1,
                                                constant_values=((100.0 * s, 0), (0, 0))),)),
    "jacobi_plate": (jacobi_plate, {},
                     lambda s, n: (np.pad(np.zeros((n, 5)), 1,
                                          constant_values=((100.0 * s, 0), (20.0, 0))),)),
    "markov_credit": (markov_credit, {},
                      lambda s, n: (np.array([[0.9, 0.08, 0.02], [0.05, 0.9, 0.05],
                                              [0.0, 0.0, 1.0]]) ** (1 + 0.01 * s),
                                    np.eye(3)[0] * n)),
    "tiered_tariff": (tiered_tariff, {}, lambda s, n: (_u(s, n, lo=0, hi=1500),
                                                       np.array([300.0, 500.0, 1e9]),
                                                       np.array([0.1, 0.15, 0.2]))),
    "wind_rose": (wind_rose, {}, lambda s, n: (_u(s, n * 10, lo=-30, hi=400),
                                               _u(s + 1, n * 10, lo=0, hi=20))),
    "factor_regression": (factor_regression, {}, lambda s, n: (_rets(s, n, 2),
                                                               _rets(s + 1, n, 3))),
    "amortization_min_round": (amortization_min_round, {},
                               lambda s, n: (100.0 * n, 0.01, 90.0 + s)),
    "npv_enumerate": (npv_enumerate, {}, lambda s, n: (0.05 * s, _flows(s, 1, n)[0])),
}


@pytest.mark.parametrize("name", _names(EXTRA))
def test_generators_and_solvers(name):
    check_like_numpy(*EXTRA[name])


# numpy-financial's README calls these with Python scalars: every array is 0-d, so the masked
# writes `fv_array[zero] = ...` read 0-d selections (NumPy's `x[np.newaxis][mask[np.newaxis]]`)
SCALAR_CALLS = {
    "npf_fv_scalars": (npf_fv, {}, lambda s, n: (0.05 / 12 * s, 10.0 * n, -100.0, -100.0)),
    "npf_fv_scalar_zero_rate": (npf_fv, {}, lambda s, n: (0.0, 10.0 * n, -100.0 * s, -100.0)),
    "npf_nper_scalars": (npf_nper, {}, lambda s, n: (0.07 / 12, -150.0 * s, 8000.0 + n)),
    "npf_ipmt_scalars": (npf_ipmt, {}, lambda s, n: (0.1 / 12, 1.0 * s, 24.0, 2000.0 + n)),
    "npf_ppmt_scalars": (npf_ppmt, {}, lambda s, n: (0.1 / 12, 1.0 * s, 60.0, 55000.0 + n)),
    "clearsky_haurwitz_0d": (clearsky_haurwitz, {}, lambda s, n: (np.array(10.0 * s + n),)),
    "npf_pv_scalars": (npf_pv, {}, lambda s, n: (0.05 * s, 10.0 * n, -100.0)),
    "npf_pmt_scalars": (npf_pmt, {}, lambda s, n: (0.075 / 12 * s, 12.0 * n, 200000.0)),
    "bs_scalars": (bs_price, {}, lambda s, n: (100.0 + s, 95.0, 0.25 * n, 0.05, 0.2)),
    "iam_ashrae_scalar": (iam_ashrae, {}, lambda s, n: (20.0 * s + n,)),
}


@pytest.mark.parametrize("name", _names(SCALAR_CALLS))
def test_scalar_calls(name):
    check_like_numpy(*SCALAR_CALLS[name])


def erbs_fraction_scalar(kt):
    """Erbs' diffuse fraction of one clearness index, with Python branches."""
    if kt <= 0.22:
        return 1 - 0.09 * kt
    elif kt <= 0.8:
        return 0.9511 - 0.1604 * kt + 4.388 * kt ** 2 - 16.638 * kt ** 3 + 12.336 * kt ** 4
    return 0.165


def erbs_vectorize(kt):
    """The scalar Erbs fraction over an array by `np.vectorize`."""
    return np.vectorize(erbs_fraction_scalar)(kt)


def lambertw_current(V, IL, I0, Rs, Rsh, nVth):
    """pvlib's explicit single-diode current from `scipy.special.lambertw`."""
    from scipy.special import lambertw
    Gsh = 1.0 / Rsh
    argW = (Rs * I0 / (nVth * (Rs * Gsh + 1.0))
            * np.exp((Rs * (IL + I0) + V) / (nVth * (Rs * Gsh + 1.0))))
    lambertwterm = lambertw(argW).real
    return (IL + I0 - V * Gsh) / (Rs * Gsh + 1.0) - (nVth / Rs) * lambertwterm


def business_days(start, end):
    """Business days between settlement dates."""
    return np.busday_count(start, end)


REFUSED.update({
    "erbs_vectorize_branches": (tracenp.ConcretizationError, erbs_vectorize,
                                lambda s: (_u(s, 6),)),
    "business_days": (tracenp.UnsupportedFunctionError, business_days,
                      lambda s: (np.array(["2023-01-02", "2023-02-01"], dtype="datetime64[D]"),
                                 np.array(["2023-03-01", "2023-04-0%d" % s],
                                          dtype="datetime64[D]"))),
})


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused(name):
    check_refused(*REFUSED[name])


@pytest.mark.parametrize("il", [5.0, 6.0])
def test_lambertw_runs_as_scipy_on_the_host(il):
    """`scipy.special.lambertw` has no composition: its call is a host step (Op.HOST),
    complex result and `.real` included, with SciPy's values."""
    args = (np.linspace(0, 30, 8), il, 1e-9, 0.3, 300.0, 1.5)
    assert_same(tracenp.jit(lambertw_current)(*args), lambertw_current(*args))


# ------------------------------------------------------------------------ gradients


def bs_call_total(S, sigma, K, T, r):
    """Total call value of a book: its gradients are the deltas and vegas."""
    return bs_price(S, K, T, r, sigma).sum()


def fv_total(pv, pmt, rate, nper):
    """Total future value of accounts, some at a zero rate, differentiated in the balances."""
    return npf_fv(rate, nper, pmt, pv).sum()


def pmt_total(pv, rate, nper):
    """Total payment of loans, some at a zero rate, by `np.where` on a masked rate."""
    return npf_pmt(rate, nper, pv).sum()


def tree_price(S0, K):
    """A CRR American put as a function of spot and strike."""
    return binomial_crr(S0, K, 1.0, 0.05, 0.2, 20, american=True)


def routed_peak_volume(inflow, K):
    """Total routed volume weighted towards the peak, in the inflow and the storage constant."""
    out = muskingum_routing(inflow, K, 0.2, 6.0)[0]
    return (out ** 2).sum()


def diode_power(IL, Rs):
    """Power at a few voltages from the Newton single-diode solution."""
    return singlediode_newton(IL, 1e-9, Rs, 300.0, 1.5, np.linspace(0, 28, 6))[1].sum()


def haurwitz_energy(zenith):
    """Clear-sky energy of a day from Haurwitz's masked formula."""
    return clearsky_haurwitz(zenith).sum()


GRADS = {
    "bs_call_total": (bs_call_total, lambda: (_u(1, 4, lo=80, hi=120), _u(2, 4, lo=0.1, hi=0.5),
                                              100.0, _u(3, 4, lo=0.2, hi=2), 0.03), (0, 1)),
    "fv_total_masked": (fv_total, lambda: (np.array([1e3, 2e3, 3e3]), np.array([-100.0, -50.0, 0.0]),
                                       np.array([0.0, 0.02, 0.05]), 10.0), (0, 1)),
    "fv_total_nonzero_rates": (fv_total, lambda: (np.array([1e3, 2e3]), np.array([-100.0, -50.0]),
                                                  np.array([0.01, 0.02]), 10.0), (0, 1)),
    "pmt_total_where": (pmt_total, lambda: (np.array([1e4, 2e4, 5e3]),
                                            np.array([0.0, 0.004, 0.01]), 36.0), 0),
    "tree_price": (tree_price, lambda: (95.0, 100.0), (0, 1)),
    "routed_peak_volume": (routed_peak_volume, lambda: (10 + _u(1, 8, lo=0, hi=50), 12.0),
                           (0, 1)),
    "diode_power": (diode_power, lambda: (6.0, 0.3), (0, 1)),
    "haurwitz_energy": (haurwitz_energy, lambda: (np.array([10.0, 45.0, 80.0, 95.0]),), 0),
}


@pytest.mark.parametrize("name", _names(GRADS))
def test_gradients(name):
    fn, make_args, argnums = GRADS[name]
    check_grads(fn, make_args(), argnums)
