"""Gradient hunt AN: quantitative finance and physics/engineering code in plain NumPy as
textbooks, quant blogs and simulation notebooks write it, differentiated with tracenp. Finance:
Black-Scholes prices through `scipy.stats.norm.cdf` (also frozen `norm(0, 1)`, `sf`, `pdf`),
`scipy.special.ndtr`, `0.5 * (1 + erf(x / sqrt(2)))` and `math.sqrt` of Python floats, with
delta, vega, rho, theta and gamma (`grad` of `grad`) against the closed forms; Black-76,
digitals, strike grids; Monte Carlo pathwise Greeks with a `np.random.default_rng(0)` (and the
legacy `np.random.seed`) made inside the function, GBM paths by `np.cumsum` of log increments,
antithetic draws, Asian averages, sigmoid-smoothed barriers, Heston full-truncation Euler loops
with `np.maximum(v, 0)`, CRR binomial trees (European and American by `np.maximum`) and
Merton jump series; implied-vol calibration losses over strike grids, Newton implied vols;
softmax mean-variance portfolios, Sharpe ratios, risk parity, log-sum-exp CVaR and
Rockafellar-Uryasev; bond price, duration and convexity against yields (discrete and
continuous), Nelson-Siegel curves, Vasicek bonds, GARCH(1,1) likelihoods written into
`np.empty` rows, SABR/Hagan implied vols. Physics and engineering: Lennard-Jones, Morse and
Coulomb energies by broadcasting with `np.triu_indices`, `np.where(i == j, 0, ...)` or
`np.eye * big` on the diagonal, forces as `-grad` against hand-written forces; harmonic and
FPU chains with `np.diff`/`np.roll`, spring networks by edge lists, pendulum Hamiltonians,
leapfrog/velocity-Verlet loops and shooting (final position against initial velocity),
projectiles with drag, heat equations by `np.roll` and by in-place slices (against the initial
field and a diffusion coefficient), beam energies by `np.diff(w, 2)`, 1-D Poisson solves by
`np.linalg.solve` of `np.diag` tridiagonals (against the source and a conductivity),
truss compliance with `np.ix_` assembly, Snell's law and Fermat paths, ABCD lens systems by
`functools.reduce(np.matmul, ...)`, Kepler's equation by Newton, orbital energies, Ising
mean-field free energies with `np.log(np.cosh)`, Planck's law with `np.expm1`, and
Schrödinger ground states by `eigh`. Parameters arrive as arrays, dicts, tuples, lists and
Python floats (some held constant); `argnums` tuples, float32 arguments, `vjp` with a
cotangent of vector outputs (forces, prices over strikes) and `jit(grad(...))`. Also:
Longstaff-Schwartz by `np.polyfit`/`polyval` and `lstsq`, Heston by the Gil-Pelaez integral
(complex intermediates, `np.trapezoid`), `norm.ppf`/`logcdf`/`cdf(loc=, scale=)`, `np.interp`
curves, `np.percentile` VaR, pure-Python trees with builtin `max` and the `math` module,
`np.vectorize` of a closure, `eigvalsh` normal modes, `np.cross`, `np.tensordot`.
Marked xfail: an `if r < rc:` cutoff on a traced distance, and NaN gradients where the
zero-distance diagonal of `sqrt`/`norm` is overwritten in place (`r[np.diag_indices(n)] =
np.inf`, `np.fill_diagonal`), which finite differences never see.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from scipy import special
from scipy.stats import norm

import tracenp
from tracenp import pytree
from test_grad_hunt_r import assert_grads_close, check_grads
from test_corpus_hunt_v import _names, _Xfail

rng = np.random.default_rng(4242)


def normal(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def uniform(lo, hi, *shape):
    return rng.uniform(lo, hi, shape)


CASES: dict[str, tuple] = {}


def case(name, fn, *args, argnums=0, xfail=None):
    """Add `name -> (fn, args, argnums)`; `xfail` is the reason tracenp gets it wrong."""
    assert name not in CASES, name
    CASES[name] = _Xfail(xfail, fn, args, argnums) if xfail else (fn, args, argnums)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def logsumexp(a, axis=None):
    m = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m, axis=axis)


# ----------------------------------------------------------------------------- Black-Scholes


def bs_call(S, K, T, r, sigma):
    """The textbook formula, `scipy.stats.norm.cdf` as most quant blogs write it."""
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    return S * norm.cdf(d1) - K * np.exp(-r * T) * norm.cdf(d2)


def bs_put(S, K, T, r, sigma):
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    return K * np.exp(-r * T) * norm.cdf(-d2) - S * norm.cdf(-d1)


def bs_call_ndtr(S, K, T, r, sigma):
    sq = np.sqrt(T)
    d1 = (np.log(S / K) + (r + sigma * sigma / 2.0) * T) / (sigma * sq)
    return S * special.ndtr(d1) - K * np.exp(-r * T) * special.ndtr(d1 - sigma * sq)


def ncdf_erf(x):
    return 0.5 * (1.0 + special.erf(x / np.sqrt(2.0)))


def bs_call_erf(S, K, T, r, sigma):
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    return S * ncdf_erf(d1) - K * np.exp(-r * T) * ncdf_erf(d2)


def bs_call_erfc(S, K, T, r, sigma):
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * math.sqrt(T))
    d2 = d1 - sigma * math.sqrt(T)
    N = lambda x: 0.5 * special.erfc(-x / math.sqrt(2))  # noqa: E731
    return S * N(d1) - K * math.exp(-r * T) * N(d2)


def bs_call_frozen(S, K, T, r, sigma):
    std = norm(0, 1)
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    return S * std.cdf(d1) - K * np.exp(-r * T) * std.cdf(d1 - sigma * np.sqrt(T))


def bs_put_sf(S, K, T, r, sigma):
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    return K * np.exp(-r * T) * norm.sf(d2) - S * norm.sf(d1)


def bs_dividend(S, K, T, r, q, sigma):
    d1 = (np.log(S / K) + (r - q + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    return S * np.exp(-q * T) * norm.cdf(d1) - K * np.exp(-r * T) * norm.cdf(d2)


def black76(F, K, T, r, sigma, call=True):
    d1 = (np.log(F / K) + 0.5 * sigma ** 2 * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    if call:
        return np.exp(-r * T) * (F * norm.cdf(d1) - K * norm.cdf(d2))
    return np.exp(-r * T) * (K * norm.cdf(-d2) - F * norm.cdf(-d1))


def digital_call(S, K, T, r, sigma):
    d2 = (np.log(S / K) + (r - 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    return np.exp(-r * T) * norm.cdf(d2)


def bs_params_dict(p, K, T):
    return bs_call(p["S"], K, T, p["r"], p["sigma"])


def bs_strike_grid_sum(sigma, S, K, T, r):
    """Prices over a grid of strikes (a vol per strike), summed: a book's value."""
    return np.sum(bs_call(S, K, T, r, sigma))


def bs_book_positions(sigma, S, K, T, r, qty):
    calls = bs_call(S, K, T, r, sigma)
    puts = calls - S + K * np.exp(-r * T)  # put-call parity
    return qty[:, 0] @ calls + qty[:, 1] @ puts


def bs_gamma_by_nested_grad(S, K, T, r, sigma):
    return tracenp.grad(bs_call)(S, K, T, r, sigma)


def bs_vanna_by_nested_grad(sigma, S, K, T, r):
    return tracenp.grad(bs_call)(S, K, T, r, sigma)


def straddle(S, K, T, r, sigma):
    return bs_call(S, K, T, r, sigma) + bs_put(S, K, T, r, sigma)


def bs_tuple_params(params, K):
    S, T, r, sigma = params
    return bs_call_ndtr(S, K, T, r, sigma)


def bs_vector_sigma_loop(sigmas, S, K, T, r):
    """A Python loop over a list of strikes, accumulating into a float."""
    total = 0.0
    for i in range(len(K)):
        total += bs_call(S, K[i], T, r, sigmas[i]) * (i + 1)
    return total


def bs_log_moneyness(x, T, sigma):
    """Prices in forward log-moneyness `x = log(K/F)`, normalized by the forward."""
    v = sigma * np.sqrt(T)
    return norm.cdf(-x / v + v / 2) - np.exp(x) * norm.cdf(-x / v - v / 2)


S0, KS, TT, RR, SIG = 100.0, 95.0, 0.75, 0.03, 0.25
KGRID = np.linspace(80.0, 120.0, 7)
SIGGRID = 0.2 + 0.05 * ((KGRID - 100.0) / 20.0) ** 2

case("bs_delta_norm_cdf", bs_call, S0, KS, TT, RR, SIG)
case("bs_vega_norm_cdf", bs_call, S0, KS, TT, RR, SIG, argnums=4)
case("bs_rho_norm_cdf", bs_call, S0, KS, TT, RR, SIG, argnums=3)
case("bs_theta_norm_cdf", bs_call, S0, KS, TT, RR, SIG, argnums=2)
case("bs_all_greeks_argnums", bs_call, S0, KS, TT, RR, SIG, argnums=(0, 1, 2, 3, 4))
case("bs_put_delta_vega", bs_put, S0, 105.0, TT, RR, SIG, argnums=(0, 4))
case("bs_ndtr_delta_vega", bs_call_ndtr, S0, KS, TT, RR, SIG, argnums=(0, 4))
case("bs_ndtr_theta_rho", bs_call_ndtr, S0, KS, TT, RR, SIG, argnums=(2, 3))
case("bs_erf_delta_vega", bs_call_erf, S0, KS, TT, RR, SIG, argnums=(0, 4))
case("bs_erf_strike", bs_call_erf, S0, KS, TT, RR, SIG, argnums=1)
case("bs_erfc_math_sqrt", bs_call_erfc, S0, KS, TT, RR, SIG, argnums=(0, 4))
case("bs_frozen_norm", bs_call_frozen, S0, KS, TT, RR, SIG, argnums=(0, 3, 4))
case("bs_put_norm_sf", bs_put_sf, S0, 110.0, TT, RR, SIG, argnums=(0, 2, 4))
case("bs_dividend_yield", bs_dividend, S0, KS, TT, RR, 0.02, SIG, argnums=(0, 4, 3))
case("black76_call", black76, 101.0, 100.0, 0.5, 0.02, 0.3, argnums=(0, 4))
case("black76_put", lambda F, s: black76(F, 98.0, 0.5, 0.02, s, call=False), 101.0, 0.3,
     argnums=(0, 1))
case("digital_call_delta_vega", digital_call, S0, KS, TT, RR, SIG, argnums=(0, 4))
case("bs_dict_params", bs_params_dict, {"S": S0, "r": RR, "sigma": SIG}, KS, TT)
case("bs_dict_array_params", bs_params_dict,
     {"S": np.array(S0), "r": np.array(RR), "sigma": np.array(SIG)}, KS, TT)
case("bs_strike_grid_vols", bs_strike_grid_sum, SIGGRID, S0, KGRID, TT, RR)
case("bs_strike_grid_strikes", bs_strike_grid_sum, SIGGRID, S0, KGRID, TT, RR, argnums=(0, 2))
case("bs_book_positions", bs_book_positions, SIGGRID, S0, KGRID, TT, RR,
     np.stack([np.arange(7.0), -np.arange(7.0)[::-1]], 1), argnums=(0, 1, 4))
case("bs_gamma_nested_grad", bs_gamma_by_nested_grad, S0, KS, TT, RR, SIG)
case("bs_vanna_nested_grad", bs_vanna_by_nested_grad, SIG, S0, KS, TT, RR)
case("bs_straddle", straddle, S0, 100.0, TT, RR, SIG, argnums=(0, 4))
case("bs_tuple_params", bs_tuple_params, (S0, TT, RR, SIG), KS)
case("bs_tuple_array_params", bs_tuple_params,
     (np.array(S0), np.array(TT), np.array(RR), np.array(SIG)), KS)
case("bs_python_loop_over_strikes", bs_vector_sigma_loop, SIGGRID, S0, KGRID, TT, RR)
case("bs_log_moneyness", lambda x, T, s: np.sum(bs_log_moneyness(x, T, s)),
     np.linspace(-0.3, 0.3, 5), 0.5, 0.2, argnums=(0, 2))
case("bs_array_spots", lambda S: np.sum(bs_call(S, KS, TT, RR, SIG) ** 2),
     np.array([80.0, 95.0, 100.0, 120.0]))


# ----------------------------------------------------------------------------- Monte Carlo


def mc_european_call(S0, sigma, K=100.0, T=1.0, r=0.05, n_paths=4000):
    """Pathwise Greeks: the seed is fixed inside, so the draws are the same each call."""
    rng = np.random.default_rng(0)
    z = rng.standard_normal(n_paths)
    ST = S0 * np.exp((r - 0.5 * sigma ** 2) * T + sigma * np.sqrt(T) * z)
    return np.exp(-r * T) * np.mean(np.maximum(ST - K, 0.0))


def mc_european_antithetic(S0, sigma, K=100.0, T=1.0, r=0.05):
    rng = np.random.default_rng(0)
    z = rng.normal(size=2000)
    z = np.concatenate([z, -z])
    ST = S0 * np.exp((r - 0.5 * sigma ** 2) * T + sigma * np.sqrt(T) * z)
    payoff = np.where(ST > K, ST - K, 0.0)
    return np.exp(-r * T) * payoff.mean()


def gbm_paths(S0, mu, sigma, T, n_steps, n_paths, rng):
    dt = T / n_steps
    z = rng.standard_normal((n_paths, n_steps))
    increments = (mu - 0.5 * sigma ** 2) * dt + sigma * np.sqrt(dt) * z
    log_paths = np.log(S0) + np.cumsum(increments, axis=1)
    return np.exp(log_paths)


def mc_asian_call(S0, sigma, K=100.0, T=1.0, r=0.03):
    rng = np.random.default_rng(0)
    S = gbm_paths(S0, r, sigma, T, 12, 2000, rng)
    avg = S.mean(axis=1)
    return np.exp(-r * T) * np.maximum(avg - K, 0).mean()


def mc_asian_geometric(params, K=100.0, T=1.0):
    rng = np.random.default_rng(0)
    S = gbm_paths(params["S0"], params["r"], params["sigma"], T, 10, 1500, rng)
    geo = np.exp(np.mean(np.log(S), axis=1))
    return np.exp(-params["r"] * T) * np.mean(np.maximum(geo - K, 0.0))


def mc_barrier_smoothed(S0, sigma, K=100.0, B=125.0, T=1.0, r=0.02, eps=2.0):
    """Up-and-out call with the knock-out indicator smoothed by a sigmoid of the running max."""
    rng = np.random.default_rng(0)
    S = gbm_paths(S0, r, sigma, T, 16, 2000, rng)
    smax = logsumexp(S / eps, axis=1) * eps  # smooth running maximum
    alive = sigmoid((B - smax) / eps)
    return np.exp(-r * T) * np.mean(np.maximum(S[:, -1] - K, 0.0) * alive)


def mc_barrier_product_of_sigmoids(S0, sigma, B=80.0, T=1.0, r=0.02):
    """Down-and-in digital: survival as the product over steps of sigmoids."""
    rng = np.random.default_rng(0)
    S = gbm_paths(S0, r, sigma, T, 10, 1500, rng)
    survive = np.prod(sigmoid((S - B) / 1.5), axis=1)
    return np.exp(-r * T) * np.mean(1.0 - survive)


def mc_legacy_seed(S0, sigma):
    np.random.seed(0)
    z = np.random.randn(3000)
    ST = S0 * np.exp(-0.5 * sigma ** 2 + sigma * z)
    return np.mean(np.maximum(ST - 100.0, 0.0))


def mc_euler_loop(S0, sigma, K=100.0, T=1.0, r=0.03, n_steps=20):
    """Euler on the SDE itself in a Python loop over steps, one draw per step."""
    rng = np.random.default_rng(0)
    dt = T / n_steps
    S = np.full(1500, S0)
    for _ in range(n_steps):
        dW = rng.normal(0.0, np.sqrt(dt), size=S.shape)
        S = S + r * S * dt + sigma * S * dW
    return np.exp(-r * T) * np.mean(np.maximum(S - K, 0.0))


def mc_basket(S0, vols, corr, w, K=100.0, T=1.0, r=0.01):
    rng = np.random.default_rng(0)
    L = np.linalg.cholesky(corr)
    z = rng.standard_normal((2000, len(S0))) @ L.T
    ST = S0 * np.exp((r - 0.5 * vols ** 2) * T + vols * np.sqrt(T) * z)
    return np.exp(-r * T) * np.mean(np.maximum(ST @ w - K, 0.0))


def mc_heston(p, S0=100.0, K=100.0, T=1.0, r=0.02, n_steps=20, n_paths=1500):
    """Heston by full-truncation Euler: `v_plus = np.maximum(v, 0)` in drift and diffusion."""
    rng = np.random.default_rng(0)
    dt = T / n_steps
    kappa, theta, xi, rho, v0 = p["kappa"], p["theta"], p["xi"], p["rho"], p["v0"]
    logS = np.full(n_paths, np.log(S0))
    v = np.full(n_paths, v0)
    for _ in range(n_steps):
        z1 = rng.standard_normal(n_paths)
        z2 = rho * z1 + np.sqrt(1 - rho ** 2) * rng.standard_normal(n_paths)
        vp = np.maximum(v, 0.0)
        logS = logS + (r - 0.5 * vp) * dt + np.sqrt(vp * dt) * z1
        v = v + kappa * (theta - vp) * dt + xi * np.sqrt(vp * dt) * z2
    return np.exp(-r * T) * np.mean(np.maximum(np.exp(logS) - K, 0.0))


def mc_heston_preallocated(theta_vec, S0=100.0, T=1.0, r=0.02, n_steps=15, n_paths=1200):
    """The same written into preallocated `(n_steps + 1, n_paths)` arrays, row by row."""
    kappa, theta, xi, rho, v0 = theta_vec
    rng = np.random.default_rng(0)
    dt = T / n_steps
    S = np.zeros((n_steps + 1, n_paths))
    v = np.zeros((n_steps + 1, n_paths))
    S[0], v[0] = S0, v0
    Z = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]], size=(n_steps, n_paths))
    for t in range(n_steps):
        z1 = Z[t, :, 0]
        z2 = rho * z1 + np.sqrt(1 - rho ** 2) * Z[t, :, 1]
        vp = np.maximum(v[t], 0)
        S[t + 1] = S[t] * np.exp((r - 0.5 * vp) * dt + np.sqrt(vp * dt) * z1)
        v[t + 1] = v[t] + kappa * (theta - vp) * dt + xi * np.sqrt(vp * dt) * z2
    return np.exp(-r * T) * np.maximum(S[-1] - 100.0, 0).mean()


def mc_lookback_floating(S0, sigma, T=1.0, r=0.02):
    rng = np.random.default_rng(0)
    S = gbm_paths(S0, r, sigma, T, 12, 1500, rng)
    return np.exp(-r * T) * np.mean(S[:, -1] - np.min(S, axis=1))


def mc_var_of_pnl(w, T=1.0 / 52):
    """Parametric check by simulation: expected squared P&L of a weighted book."""
    rng = np.random.default_rng(0)
    R = rng.multivariate_normal(MU * T, COV * T, size=3000)
    pnl = R @ w
    return np.mean(pnl ** 2) - np.mean(pnl) ** 2


case("mc_call_delta", mc_european_call, 100.0, 0.2)
case("mc_call_vega_delta", mc_european_call, 100.0, 0.2, argnums=(0, 1))
case("mc_call_array_args", mc_european_call, np.array(100.0), np.array(0.2), argnums=(0, 1))
case("mc_antithetic_where_payoff", mc_european_antithetic, 100.0, 0.25, argnums=(0, 1))
case("mc_asian_cumsum_paths", mc_asian_call, 100.0, 0.2, argnums=(0, 1))
case("mc_asian_geometric_dict", mc_asian_geometric, {"S0": 100.0, "r": 0.03, "sigma": 0.25})
case("mc_barrier_sigmoid_lse_max", mc_barrier_smoothed, 100.0, 0.2, argnums=(0, 1))
case("mc_barrier_prod_sigmoid", mc_barrier_product_of_sigmoids, 100.0, 0.25, argnums=(0, 1))
case("mc_legacy_np_random_seed", mc_legacy_seed, 100.0, 0.2, argnums=(0, 1))
case("mc_euler_loop_rng_normal", mc_euler_loop, 100.0, 0.2, argnums=(0, 1))
case("mc_basket_cholesky", mc_basket, np.array([100.0, 95.0, 105.0]), np.array([0.2, 0.3, 0.25]),
     np.array([[1.0, 0.5, 0.2], [0.5, 1.0, 0.3], [0.2, 0.3, 1.0]]), np.array([0.4, 0.3, 0.3]),
     argnums=(0, 1, 3))
# (Feller's condition holds: a path truncated at 0 puts the price on a kink of `np.maximum`,
# where central differences straddle it)
HESTON = {"kappa": 2.0, "theta": 0.09, "xi": 0.3, "rho": -0.7, "v0": 0.09}
case("mc_heston_full_truncation_dict", mc_heston, HESTON)
case("mc_heston_preallocated_rows", mc_heston_preallocated,
     np.array([2.0, 0.09, 0.3, -0.7, 0.09]))
case("mc_lookback_floating_min", mc_lookback_floating, 100.0, 0.3, argnums=(0, 1))


# ----------------------------------------------------------------------------- calibration


MARKET_K = np.linspace(85.0, 115.0, 7)
MARKET_SIG = 0.22 + 0.4 * ((MARKET_K - 100.0) / 100.0) ** 2
MARKET_PX = bs_call(100.0, MARKET_K, 0.5, 0.01, MARKET_SIG)


def calib_flat_vol(sigma, S, K, T, r, market):
    model = bs_call(S, K, T, r, sigma)
    return np.sum((model - market) ** 2)


def calib_smile_quadratic(coef, S, K, T, r, market):
    """A quadratic smile in moneyness, weights by vega-like `1 / (1 + |m|)`."""
    m = np.log(K / S)
    sig = coef[0] + coef[1] * m + coef[2] * m ** 2
    w = 1.0 / (1.0 + np.abs(m))
    return np.sum(w * (bs_call(S, K, T, r, sig) - market) ** 2) / len(K)


def calib_per_strike_vols(sigmas, S, K, T, r, market, lam=0.1):
    fit = np.sum((bs_call(S, K, T, r, sigmas) - market) ** 2)
    smooth = lam * np.sum(np.diff(sigmas, 2) ** 2)
    return fit + smooth


def calib_loop_list(params, quotes):
    """Quotes as a list of `(K, T, price)` tuples, looped over as most notebooks do."""
    loss = 0.0
    for K, T, price in quotes:
        model = bs_call(params["S"], K, T, params["r"], params["vol"])
        loss = loss + (model - price) ** 2
    return loss


def newton_implied_vol(price, S, K, T, r, sigma0=0.3, n_iter=8):
    """Newton's method with the analytic vega; its derivative in the price is `1 / vega`."""
    sigma = sigma0
    for _ in range(n_iter):
        d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
        vega = S * norm.pdf(d1) * np.sqrt(T)
        sigma = sigma - (bs_call(S, K, T, r, sigma) - price) / vega
    return sigma


def implied_vol_surface_loss(prices, S, K, T, r, target):
    ivs = newton_implied_vol(prices, S, K, T, r)
    return np.sum((ivs - target) ** 2)


QUOTES = [(90.0, 0.5, 13.0), (100.0, 0.5, 6.3), (110.0, 1.0, 4.9), (105.0, 0.25, 2.1)]
case("calib_flat_vol_float", calib_flat_vol, 0.25, 100.0, MARKET_K, 0.5, 0.01, MARKET_PX)
case("calib_flat_vol_0d", calib_flat_vol, np.array(0.25), 100.0, MARKET_K, 0.5, 0.01, MARKET_PX)
case("calib_smile_quadratic_abs", calib_smile_quadratic, np.array([0.25, -0.05, 0.3]),
     100.0, MARKET_K, 0.5, 0.01, MARKET_PX)
case("calib_per_strike_diff_penalty", calib_per_strike_vols, MARKET_SIG + 0.02,
     100.0, MARKET_K, 0.5, 0.01, MARKET_PX)
case("calib_list_of_quote_tuples", calib_loop_list, {"S": 100.0, "r": 0.02, "vol": 0.22}, QUOTES)
case("implied_vol_newton_of_price", newton_implied_vol, 9.0, 100.0, 100.0, 0.5, 0.01)
case("implied_vol_newton_surface", implied_vol_surface_loss, MARKET_PX, 100.0, MARKET_K,
     0.5, 0.01, MARKET_SIG * 1.05)
case("implied_vol_newton_spot_and_price", newton_implied_vol, 9.0, 100.0, 100.0, 0.5, 0.01,
     argnums=(0, 1))


# ----------------------------------------------------------------------------- trees, jumps


def crr_tree(S0, sigma, K=100.0, T=1.0, r=0.03, N=40, american=False, put=True):
    """Cox-Ross-Rubinstein by backward induction over slices of the value vector."""
    dt = T / N
    u = np.exp(sigma * np.sqrt(dt))
    d = 1.0 / u
    p = (np.exp(r * dt) - d) / (u - d)
    disc = np.exp(-r * dt)
    j = np.arange(N + 1)
    ST = S0 * u ** j * d ** (N - j)
    V = np.maximum(K - ST, 0.0) if put else np.maximum(ST - K, 0.0)
    for i in range(N - 1, -1, -1):
        V = disc * (p * V[1:i + 2] + (1 - p) * V[0:i + 1])
        if american:
            S = S0 * u ** np.arange(i + 1) * d ** (i - np.arange(i + 1))
            V = np.maximum(V, K - S)
    return V[0]


def crr_tree_2d_table(S0, sigma, K=100.0, T=1.0, r=0.03, N=25):
    """The two-dimensional table version: `V[j, i]` written in a double loop."""
    dt = T / N
    u = np.exp(sigma * np.sqrt(dt))
    d = 1 / u
    p = (np.exp(r * dt) - d) / (u - d)
    V = np.zeros((N + 1, N + 1))
    ST = S0 * u ** (N - np.arange(N + 1)) * d ** np.arange(N + 1)
    V[:, N] = np.maximum(ST - K, 0)
    for i in range(N - 1, -1, -1):
        for j in range(i + 1):
            V[j, i] = np.exp(-r * dt) * (p * V[j, i + 1] + (1 - p) * V[j + 1, i + 1])
    return V[0, 0]


def merton_jump(S, sigma, lam, K=100.0, T=1.0, r=0.02, mj=-0.1, sj=0.15, n_terms=25):
    """Merton's series: Poisson-weighted Black-Scholes prices with `math.factorial`."""
    k = np.exp(mj + 0.5 * sj ** 2) - 1
    lam_p = lam * (1 + k)
    price = 0.0
    for n in range(n_terms):
        sig_n = np.sqrt(sigma ** 2 + n * sj ** 2 / T)
        r_n = r - lam * k + n * (mj + 0.5 * sj ** 2) / T
        w = np.exp(-lam_p * T) * (lam_p * T) ** n / math.factorial(n)
        price = price + w * bs_call(S, K, T, r_n, sig_n)
    return price


# (a spot off the strike: with an even `N` the middle node of an at-the-money tree sits on
# the payoff's kink)
case("crr_european_put", crr_tree, 101.3, 0.25, argnums=(0, 1))
case("crr_american_put_maximum", lambda S, s: crr_tree(S, s, american=True), 101.3, 0.25,
     argnums=(0, 1))
case("crr_european_call", lambda S, s, r: crr_tree(S, s, r=r, put=False), 98.7, 0.3, 0.04,
     argnums=(0, 1, 2))
case("crr_table_double_loop", crr_tree_2d_table, 100.0, 0.2, argnums=(0, 1))
case("merton_jump_series", merton_jump, 100.0, 0.2, 0.5, argnums=(0, 1, 2))


# ----------------------------------------------------------------------------- portfolios


MU = np.array([0.08, 0.05, 0.11, 0.03, 0.07])
_A = normal(5, 5, scale=0.1)
COV = _A @ _A.T + 0.01 * np.eye(5)
RETS = rng.multivariate_normal(MU / 12, COV / 12, size=60)


def mean_variance_softmax(logits, mu, cov, lam=2.0):
    w = softmax(logits)
    return -(w @ mu - lam * w @ cov @ w)


def mean_variance_dot(logits, mu, cov, lam):
    w = np.exp(logits) / np.sum(np.exp(logits))
    return -(np.dot(w, mu) - lam * np.dot(w, np.dot(cov, w)))


def neg_sharpe(w, mu, cov, rf=0.01):
    w = w / np.sum(w)
    ret = w.dot(mu)
    vol = np.sqrt(w.T.dot(cov).dot(w))
    return -(ret - rf) / vol


def risk_parity(w, cov):
    """Squared deviations of the risk contributions `w * (cov @ w) / sigma` from equal."""
    sigma = np.sqrt(w @ cov @ w)
    rc = w * (cov @ w) / sigma
    return np.sum((rc - sigma / len(w)) ** 2)


def risk_parity_pairs(w, cov):
    rc = w * np.dot(cov, w)
    return np.sum((rc[:, None] - rc[None, :]) ** 2)


def tracking_error(w, R, bench):
    active = R @ w - bench
    return np.std(active, ddof=1) * np.sqrt(12)


def cvar_lse(w, R, alpha=0.1, t=0.05):
    """CVaR with the top losses picked by a temperature-`t` log-sum-exp soft maximum."""
    losses = -R @ w
    return t * logsumexp(losses / t) - t * np.log(len(losses) * alpha)


def cvar_rockafellar_uryasev(params, R, alpha=0.05):
    w, var = softmax(params["logits"]), params["var"]
    losses = -R @ w
    return var + np.mean(np.maximum(losses - var, 0.0)) / alpha


def cvar_softplus(z, R, alpha=0.05, beta=50.0):
    w, var = softmax(z[:-1]), z[-1]
    losses = -np.dot(R, w)
    return var + np.mean(np.logaddexp(0.0, beta * (losses - var)) / beta) / alpha


def log_utility(w, R):
    """Kelly: expected log growth of a levered book."""
    return -np.mean(np.log1p(R @ w))


def max_drawdown_smooth(w, R, t=0.01):
    wealth = np.cumprod(1 + R @ w)
    peak = np.maximum.accumulate(wealth)
    return np.max(1 - wealth / peak)


def turnover_cost(w_new, w_old, mu, cov, tc=0.002):
    return -(w_new @ mu) + 3.0 * w_new @ cov @ w_new + tc * np.sum(
        np.sqrt((w_new - w_old) ** 2 + 1e-8))


W0 = np.array([0.3, 0.1, 0.25, 0.15, 0.2])
case("portfolio_mv_softmax", mean_variance_softmax, normal(5), MU, COV)
case("portfolio_mv_softmax_lam_float", mean_variance_dot, normal(5), MU, COV, 3.0,
     argnums=(0, 3))
case("portfolio_mv_wrt_mu_cov", mean_variance_softmax, normal(5), MU, COV, argnums=(1, 2))
case("portfolio_neg_sharpe", neg_sharpe, W0, MU, COV)
case("portfolio_risk_parity", risk_parity, W0, COV)
case("portfolio_risk_parity_pairs", risk_parity_pairs, W0, COV)
case("portfolio_tracking_error_std", tracking_error, W0, RETS, RETS.mean(1) * 0.9)
case("portfolio_cvar_logsumexp", cvar_lse, W0, RETS)
case("portfolio_cvar_ru_dict", cvar_rockafellar_uryasev,
     {"logits": normal(5), "var": np.array(0.0123)}, RETS)
case("portfolio_cvar_softplus_packed", cvar_softplus, np.append(normal(5), 0.02), RETS)
case("portfolio_kelly_log1p", log_utility, W0, RETS)
case("portfolio_max_drawdown_accumulate", max_drawdown_smooth, W0, RETS)
case("portfolio_turnover_sqrt", turnover_cost, W0, W0[::-1].copy(), MU, COV)
case("portfolio_mc_variance_multivariate_normal", mc_var_of_pnl, W0)


# ----------------------------------------------------------------------------- fixed income


def bond_price(y, coupon=0.05, face=100.0, n=10, freq=2):
    """Discrete compounding: `sum(c / (1 + y/f)**t) + F / (1 + y/f)**n`."""
    t = np.arange(1, n * freq + 1)
    c = coupon * face / freq
    return np.sum(c / (1 + y / freq) ** t) + face / (1 + y / freq) ** (n * freq)


def modified_duration(y):
    return -tracenp.grad(bond_price)(y) / bond_price(y)


def bond_price_continuous(y, times, cfs):
    return np.sum(cfs * np.exp(-y * times))


def bond_zero_curve(zeros, times, cfs):
    """Zero rates per cash-flow date: key-rate durations are the gradient."""
    return cfs @ np.exp(-zeros * times)


def nelson_siegel(params, t):
    b0, b1, b2, tau = params
    x = t / tau
    f = (1 - np.exp(-x)) / x
    return b0 + b1 * f + b2 * (f - np.exp(-x))


def ns_bond_portfolio(params, times, cfs, prices):
    z = nelson_siegel(params, times)
    model = np.sum(cfs * np.exp(-z * times), axis=1)
    return np.sum((model - prices) ** 2)


def svensson_yield(p, t):
    x1, x2 = t / p["tau1"], t / p["tau2"]
    f1 = (1 - np.exp(-x1)) / x1
    f2 = (1 - np.exp(-x2)) / x2
    return (p["b0"] + p["b1"] * f1 + p["b2"] * (f1 - np.exp(-x1))
            + p["b3"] * (f2 - np.exp(-x2)))


def vasicek_zcb(r0, a, b, sigma, T):
    B = (1 - np.exp(-a * T)) / a
    A = np.exp((b - sigma ** 2 / (2 * a ** 2)) * (B - T) - sigma ** 2 * B ** 2 / (4 * a))
    return A * np.exp(-B * r0)


def cir_zcb(r0, kappa, theta, sigma, T):
    g = np.sqrt(kappa ** 2 + 2 * sigma ** 2)
    den = (g + kappa) * (np.exp(g * T) - 1) + 2 * g
    A = (2 * g * np.exp((kappa + g) * T / 2) / den) ** (2 * kappa * theta / sigma ** 2)
    B = 2 * (np.exp(g * T) - 1) / den
    return A * np.exp(-B * r0)


def ytm_newton(price, coupon=0.05, n=10, iters=10):
    """Yield to maturity by Newton with `tracenp.grad` of the price inside."""
    y = 0.05
    for _ in range(iters):
        y = y - (bond_price(y, coupon, 100.0, n) - price) / tracenp.grad(bond_price)(
            y, coupon, 100.0, n)
    return y


TIMES = np.arange(1, 11) * 0.5
CFS = np.full(10, 2.5)
CFS[-1] += 100.0
case("bond_price_dP_dy", bond_price, 0.04)
case("bond_price_coupon_and_yield", bond_price, 0.04, 0.06, argnums=(0, 1))
case("bond_price_0d_yield", bond_price, np.array(0.045))
case("bond_convexity_via_nested_grad", lambda y: tracenp.grad(bond_price)(y), 0.04)
case("bond_modified_duration_nested", modified_duration, 0.04)
case("bond_continuous_yield", bond_price_continuous, 0.035, TIMES, CFS, argnums=(0, 2))
case("bond_key_rate_durations", bond_zero_curve, np.linspace(0.02, 0.04, 10), TIMES, CFS)
NS_CFS = np.stack([np.where(np.arange(10) < k, 3.0, 0.0) + 100.0 * (np.arange(10) == k - 1)
                   for k in (2, 4, 6, 8, 10)])
NS_PRICES = np.array([101.0, 102.5, 103.0, 102.0, 101.5])
case("bond_nelson_siegel_fit_tuple", ns_bond_portfolio, (0.04, -0.02, 0.01, 1.5),
     TIMES, NS_CFS, NS_PRICES)
case("bond_nelson_siegel_fit_array", ns_bond_portfolio, np.array([0.04, -0.02, 0.01, 1.5]),
     TIMES, NS_CFS, NS_PRICES)
case("bond_svensson_dict", lambda p, t: np.sum(svensson_yield(p, t) ** 2),
     {"b0": 0.04, "b1": -0.01, "b2": 0.02, "b3": -0.01, "tau1": 1.2, "tau2": 4.0}, TIMES)
case("bond_vasicek_all_params", vasicek_zcb, 0.03, 0.5, 0.04, 0.01, 5.0,
     argnums=(0, 1, 2, 3, 4))
case("bond_cir_all_params", cir_zcb, 0.03, 0.8, 0.05, 0.1, 3.0, argnums=(0, 1, 2, 3))
case("bond_vasicek_curve_array_T", lambda r0, T: np.sum(vasicek_zcb(r0, 0.5, 0.04, 0.01, T)),
     0.03, TIMES, argnums=(0, 1))
case("bond_ytm_newton_with_inner_grad", ytm_newton, 98.0)


# ----------------------------------------------------------------------------- volatility models


def garch_nll(params, r):
    """GARCH(1,1): the variance recursion written into an `np.empty` array, row by row."""
    omega, alpha, beta = params
    T = len(r)
    sigma2 = np.empty(T)
    sigma2[0] = np.var(r)
    for t in range(1, T):
        sigma2[t] = omega + alpha * r[t - 1] ** 2 + beta * sigma2[t - 1]
    return 0.5 * np.sum(np.log(2 * np.pi) + np.log(sigma2) + r ** 2 / sigma2)


def garch_nll_list(params, r):
    omega, alpha, beta = np.exp(params["log_omega"]), sigmoid(params["a"]), sigmoid(params["b"])
    s2 = [np.mean(r ** 2)]
    for t in range(1, len(r)):
        s2.append(omega + alpha * r[t - 1] ** 2 + beta * s2[-1])
    s2 = np.array(s2)
    return np.sum(np.log(s2) + r ** 2 / s2) / 2


def ewma_vol_loss(lam, r, realized):
    v = r[0] ** 2
    out = []
    for x in r[1:]:
        v = lam * v + (1 - lam) * x ** 2
        out.append(v)
    return np.mean((np.sqrt(np.array(out)) - realized) ** 2)


def sabr_hagan(F, K, T, alpha, beta, rho, nu):
    """Hagan et al. (2002), lognormal implied vol, K != F."""
    logFK = np.log(F / K)
    FK = (F * K) ** ((1 - beta) / 2)
    z = nu / alpha * FK * logFK
    x = np.log((np.sqrt(1 - 2 * rho * z + z ** 2) + z - rho) / (1 - rho))
    den = FK * (1 + (1 - beta) ** 2 / 24 * logFK ** 2 + (1 - beta) ** 4 / 1920 * logFK ** 4)
    corr = 1 + ((1 - beta) ** 2 / 24 * alpha ** 2 / FK ** 2 + rho * beta * nu * alpha / (4 * FK)
                + (2 - 3 * rho ** 2) / 24 * nu ** 2) * T
    return alpha / den * (z / x) * corr


def sabr_calibration(p, F, K, T, beta, market_vols):
    vols = sabr_hagan(F, K, T, p[0], beta, p[1], p[2])
    return np.sum((vols - market_vols) ** 2)


def sabr_price(alpha, rho, nu, F=0.03, K=0.035, T=2.0, beta=0.5):
    vol = sabr_hagan(F, K, T, alpha, beta, rho, nu)
    return black76(F, K, T, 0.0, vol)


R_DAILY = normal(40)  # (percent returns: omega of order 0.1)
SABR_K = np.array([0.02, 0.025, 0.028, 0.033, 0.04, 0.05])
SABR_MKT = sabr_hagan(0.03, SABR_K, 2.0, 0.035, 0.5, -0.3, 0.4) * 1.02
case("garch_np_empty_rows_tuple", garch_nll, (0.1, 0.08, 0.85), R_DAILY)
case("garch_np_empty_rows_array", garch_nll, np.array([0.1, 0.08, 0.85]), R_DAILY)
case("garch_list_append_dict", garch_nll_list,
     {"log_omega": np.log(0.2), "a": -2.0, "b": 1.5}, R_DAILY)
case("ewma_vol_lambda", ewma_vol_loss, 0.94, R_DAILY, 0.9)
case("sabr_hagan_alpha_rho_nu", sabr_hagan, 0.03, 0.035, 2.0, 0.035, 0.5, -0.3, 0.4,
     argnums=(3, 5, 6))
case("sabr_hagan_forward_strike", sabr_hagan, 0.03, 0.035, 2.0, 0.035, 0.5, -0.3, 0.4,
     argnums=(0, 1))
case("sabr_calibration_smile", sabr_calibration, np.array([0.03, -0.2, 0.5]), 0.03, SABR_K,
     2.0, 0.5, SABR_MKT)
case("sabr_black76_price", sabr_price, 0.035, -0.3, 0.4, argnums=(0, 1, 2))


# ----------------------------------------------------------------------------- pair potentials


def lj_energy_triu(pos, eps=1.0, sigma=1.0):
    n = len(pos)
    i, j = np.triu_indices(n, k=1)
    r = np.linalg.norm(pos[i] - pos[j], axis=1)
    sr6 = (sigma / r) ** 6
    return np.sum(4 * eps * (sr6 ** 2 - sr6))


def lj_energy_where_mask(pos, eps=1.0, sigma=1.0):
    """All pairs by broadcasting; the diagonal's distance replaced before the division."""
    n = pos.shape[0]
    diff = pos[:, None, :] - pos[None, :, :]
    r2 = np.sum(diff ** 2, axis=-1)
    i, j = np.indices((n, n))
    r2 = np.where(i == j, 1.0, r2)
    inv6 = (sigma ** 2 / r2) ** 3
    e = np.where(i == j, 0.0, 4 * eps * (inv6 ** 2 - inv6))
    return 0.5 * np.sum(e)


def lj_energy_eye_big(pos):
    """The diagonal pushed away by `np.eye(n) * 1e10` (its pair energy underflows to 0)."""
    n = len(pos)
    d = np.sqrt(np.sum((pos[:, np.newaxis] - pos[np.newaxis]) ** 2, axis=2) + np.eye(n) * 1e10)
    return 2.0 * np.sum(d ** -12 - d ** -6)


LOOPS_CUTOFF = ("`if r < rc:` on a traced pair distance in the double loop: ConcretizationError "
                "under `grad` (tracenp/tracer.py:341)")


def lj_energy_loops(pos, eps=1.0, sigma=1.0, rc=2.5):
    """The double Python loop over pairs with a cutoff."""
    E = 0.0
    n = len(pos)
    for a in range(n):
        for b in range(a + 1, n):
            r = np.sqrt(np.sum((pos[a] - pos[b]) ** 2))
            if r < rc:
                E += 4 * eps * ((sigma / r) ** 12 - (sigma / r) ** 6)
    return E


def lj_periodic(pos, L):
    """Minimum image convention in a periodic box."""
    d = pos[:, None, :] - pos[None, :, :]
    d = d - L * np.round(d / L)
    r2 = (d ** 2).sum(-1) + np.eye(len(pos))
    inv6 = 1.0 / r2 ** 3
    return np.sum(np.triu(4 * (inv6 ** 2 - inv6), 1))


def lj_params_dict(params, pos):
    i, j = np.triu_indices(len(pos), 1)
    r = np.sqrt(((pos[i] - pos[j]) ** 2).sum(1))
    sr6 = (params["sigma"] / r) ** 6
    return np.sum(4 * params["eps"] * (sr6 ** 2 - sr6))


def morse_energy(pos, D=1.0, a=1.5, r0=1.1):
    i, j = np.triu_indices(len(pos), 1)
    r = np.linalg.norm(pos[i] - pos[j], axis=-1)
    return np.sum(D * (1 - np.exp(-a * (r - r0))) ** 2)


def morse_params(params, pos):
    D, a, r0 = params
    dist = np.sqrt(np.sum((pos[:, None] - pos[None]) ** 2, -1) + np.eye(len(pos)))
    E = D * (np.exp(-2 * a * (dist - r0)) - 2 * np.exp(-a * (dist - r0)))
    return 0.5 * np.sum(E * (1 - np.eye(len(pos))))


def coulomb_energy(pos, q, k=1.0):
    n = len(q)
    r = np.sqrt(((pos[:, None, :] - pos[None, :, :]) ** 2).sum(-1))
    r[np.diag_indices(n)] = np.inf
    return 0.5 * k * np.sum(np.outer(q, q) / r)


def coulomb_fill_diagonal(pos, q):
    r = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
    np.fill_diagonal(r, 1.0)
    qq = q[:, None] * q[None, :]
    np.fill_diagonal(qq, 0.0)
    return 0.5 * np.sum(qq / r)


def gravity_nbody_energy(x, v, m, G=1.0, soft=0.05):
    KE = 0.5 * np.sum(m[:, None] * v ** 2)
    dx = x[None, :, :] - x[:, None, :]
    inv_r = 1.0 / np.sqrt(np.sum(dx ** 2, -1) + soft ** 2)
    PE = -G * np.sum(np.triu(m[:, None] * m[None, :] * inv_r, 1))
    return KE + PE


def lj_forces_hand(pos, eps=1.0, sigma=1.0):
    """The hand-written force `-dE/dx` as MD codes write it."""
    F = np.zeros_like(pos)
    n = len(pos)
    for a in range(n):
        for b in range(a + 1, n):
            d = pos[a] - pos[b]
            r2 = d @ d
            sr6 = (sigma ** 2 / r2) ** 3
            f = 24 * eps * (2 * sr6 ** 2 - sr6) / r2 * d
            F[a] += f
            F[b] -= f
    return F


def lattice(n_side, spacing, jitter, seed):
    g = np.stack(np.meshgrid(*[np.arange(n_side)] * 3, indexing="ij"), -1).reshape(-1, 3)
    return spacing * g + np.random.default_rng(seed).normal(0, jitter, g.shape)


POS8 = lattice(2, 1.12, 0.05, 1)
POS_M = lattice(2, 1.2, 0.08, 2)
Q8 = np.array([1.0, -1.0, 0.5, -0.5, 1.0, -1.0, 0.8, -0.8])
case("lj_triu_indices_norm", lj_energy_triu, POS8)
case("lj_where_i_eq_j_mask", lj_energy_where_mask, POS8)
case("lj_eye_times_big", lj_energy_eye_big, POS8)
case("lj_double_loop_cutoff", lj_energy_loops, POS8, xfail=LOOPS_CUTOFF)
case("lj_eps_sigma_floats", lj_energy_triu, POS8, 1.2, 0.95, argnums=(0, 1, 2))
case("lj_periodic_min_image", lj_periodic, POS8, 3.0)
case("lj_params_dict", lj_params_dict, {"eps": 0.8, "sigma": 1.05}, POS8)
case("lj_params_dict_and_pos", lj_params_dict, {"eps": 0.8, "sigma": 1.05}, POS8,
     argnums=(0, 1))
case("morse_triu", morse_energy, POS_M)
case("morse_params_tuple_eye", morse_params, (1.0, 1.5, 1.1), POS_M, argnums=(0, 1))
DIAG_NAN = ("the diagonal of `sqrt(sum(d ** 2))`/`norm` (zero distances) is overwritten in place "
            "(`r[np.diag_indices(n)] = np.inf`, `np.fill_diagonal(r, 1.0)`), so NumPy's value "
            "and finite differences never see it, but its zero cotangent times sqrt's infinite "
            "derivative at 0 makes every position gradient NaN (the convention docs/autodiff.md "
            "states for `where`, as in JAX)")
case("coulomb_diag_indices_inf", coulomb_energy, POS_M, Q8, argnums=(0, 1), xfail=DIAG_NAN)
case("coulomb_fill_diagonal", coulomb_fill_diagonal, POS_M, Q8, argnums=(0, 1), xfail=DIAG_NAN)
case("coulomb_charges_only_diag_inf", coulomb_energy, POS_M, Q8, argnums=1)
case("gravity_nbody_x_v_m", gravity_nbody_energy, normal(5, 3), normal(5, 3),
     uniform(0.5, 2, 5), argnums=(0, 1, 2))


# ----------------------------------------------------------------------------- chains, springs


def harmonic_chain(x, k=1.0, a=1.0):
    return 0.5 * k * np.sum((np.diff(x) - a) ** 2)


def harmonic_ring_roll(x, k=2.0):
    return 0.5 * k * np.sum((np.roll(x, -1) - x) ** 2)


def fpu_beta_chain(q, p, beta=0.3):
    dq = np.diff(np.concatenate([[0.0], q, [0.0]]))
    return 0.5 * np.sum(p ** 2) + np.sum(0.5 * dq ** 2 + beta / 4 * dq ** 4)


def spring_network(x, edges, rest, k):
    """Cloth/mass-spring: edge list `(i, j)` into positions, `np.linalg.norm` of each edge."""
    d = x[edges[:, 0]] - x[edges[:, 1]]
    L = np.linalg.norm(d, axis=1)
    return 0.5 * np.sum(k * (L - rest) ** 2)


def spring_mass_gravity(x, masses, anchors, k=10.0, g=9.81):
    elastic = 0.5 * k * np.sum((np.linalg.norm(x - anchors, axis=1) - 1.0) ** 2)
    return elastic + g * np.sum(masses * x[:, 1])


def spring_list_of_tuples(x, springs):
    E = 0.0
    for i, j, L0, k in springs:
        E = E + 0.5 * k * (np.hypot(*(x[i] - x[j])) - L0) ** 2
    return E


def pendulum_H(theta, p, m=1.0, l=1.0, g=9.81):
    return p ** 2 / (2 * m * l ** 2) + m * g * l * (1 - np.cos(theta))


def double_pendulum_lagrangian(q, qd, m1=1.0, m2=1.0, l1=1.0, l2=1.0, g=9.81):
    t1, t2 = q
    w1, w2 = qd
    T = (0.5 * (m1 + m2) * l1 ** 2 * w1 ** 2 + 0.5 * m2 * l2 ** 2 * w2 ** 2
         + m2 * l1 * l2 * w1 * w2 * np.cos(t1 - t2))
    V = -(m1 + m2) * g * l1 * np.cos(t1) - m2 * g * l2 * np.cos(t2)
    return T - V


def rod_bending(x, kb=1.0):
    """Discrete elastic rod in 2-D: turning angles by `np.arctan2` of consecutive edges."""
    e = np.diff(x, axis=0)
    cross = e[:-1, 0] * e[1:, 1] - e[:-1, 1] * e[1:, 0]
    dot = np.sum(e[:-1] * e[1:], axis=1)
    ang = np.arctan2(cross, dot)
    return kb * np.sum(ang ** 2)


EDGES = np.array([[0, 1], [1, 2], [2, 3], [3, 0], [0, 2], [1, 3]])
SQUARE = np.array([[0.0, 0.0], [1.1, 0.05], [1.0, 0.95], [-0.05, 1.05]])
case("chain_np_diff", harmonic_chain, np.cumsum(uniform(0.8, 1.2, 8)))
case("chain_k_and_a_python_floats", harmonic_chain, np.cumsum(uniform(0.8, 1.2, 8)), 3.0, 0.9,
     argnums=(0, 1, 2))
case("chain_ring_np_roll", harmonic_ring_roll, normal(9))
case("chain_fpu_beta_q_p", fpu_beta_chain, normal(6, scale=0.5), normal(6), argnums=(0, 1))
case("springs_edge_list_norm", spring_network, SQUARE, EDGES,
     np.array([1.0, 1.0, 1.0, 1.0, 1.414, 1.414]), np.array([1.0, 2.0, 1.0, 2.0, 0.5, 0.5]),
     argnums=(0, 3))
case("springs_gravity_anchors", spring_mass_gravity, normal(4, 2) + 2, uniform(1, 2, 4),
     normal(4, 2))
case("springs_list_tuples_hypot", spring_list_of_tuples, SQUARE,
     [(0, 1, 1.0, 3.0), (1, 2, 1.0, 3.0), (2, 3, 1.0, 3.0), (3, 0, 1.0, 3.0), (0, 2, 1.4, 1.0)])
case("pendulum_H_python_floats", pendulum_H, 0.7, 1.3, argnums=(0, 1))
case("pendulum_H_arrays_mass_length", lambda th, p, m, l: np.sum(pendulum_H(th, p, m, l)),
     np.linspace(-1, 1, 5), np.ones(5), 1.5, 0.8, argnums=(0, 2, 3))
case("double_pendulum_lagrangian_tuple", double_pendulum_lagrangian, (0.3, -0.4), (1.0, 0.5),
     argnums=(0, 1))
case("rod_bending_arctan2", rod_bending,
     np.cumsum(np.column_stack([np.ones(6), normal(6, scale=0.3)]), axis=0))


# ----------------------------------------------------------------------------- integrators


def leapfrog_final_position(v0, x0=0.0, k=1.0, dt=0.05, n_steps=60):
    """Shooting: the final position of a leapfrog oscillator against the initial velocity."""
    x, v = x0, v0
    v = v - 0.5 * dt * k * x
    for _ in range(n_steps):
        x = x + dt * v
        v = v - dt * k * x
    return x


def pendulum_verlet(state, dt=0.02, n_steps=80, g=9.81, L=1.0):
    theta, omega = state[0], state[1]
    acc = -g / L * np.sin(theta)
    for _ in range(n_steps):
        theta = theta + omega * dt + 0.5 * acc * dt ** 2
        new_acc = -g / L * np.sin(theta)
        omega = omega + 0.5 * (acc + new_acc) * dt
        acc = new_acc
    return theta


def projectile_shooting(v0, angle, target=8.0, c=0.1, dt=0.01, n=150):
    """Euler with quadratic drag; the squared miss distance at a fixed time."""
    pos = np.zeros(2)
    vel = v0 * np.array([np.cos(angle), np.sin(angle)])
    g = np.array([0.0, -9.81])
    for _ in range(n):
        speed = np.sqrt(vel @ vel)
        vel = vel + dt * (g - c * speed * vel)
        pos = pos + dt * vel
    return (pos[0] - target) ** 2 + pos[1] ** 2


def kepler_orbit_verlet(v0, x0=np.array([1.0, 0.0]), dt=0.01, n_steps=120, GM=1.0):
    x, v = x0.copy(), v0.copy()
    a = -GM * x / np.linalg.norm(x) ** 3
    traj = np.zeros((n_steps, 2))
    for i in range(n_steps):
        x = x + v * dt + 0.5 * a * dt ** 2
        a_new = -GM * x / np.linalg.norm(x) ** 3
        v = v + 0.5 * (a + a_new) * dt
        a = a_new
        traj[i] = x
    return np.sum((traj[-1] - np.array([0.0, 1.0])) ** 2)


def nbody_leapfrog(x0, v0, m, dt=0.01, n_steps=30, soft=0.1):
    x, v = x0.copy(), v0.copy()

    def accel(x):
        d = x[None, :, :] - x[:, None, :]
        inv3 = (np.sum(d ** 2, -1) + soft ** 2) ** -1.5
        return np.einsum("ij,ijk->ik", m[None, :] * inv3, d)

    for _ in range(n_steps):
        v += 0.5 * dt * accel(x)
        x += dt * v
        v += 0.5 * dt * accel(x)
    return np.sum(x[0] ** 2)


def damped_oscillator_rk4(params, y0, dt=0.05, n=40):
    """RK4 over a state vector, the parameters as a dict; loss on the whole trajectory."""
    def f(y):
        return np.array([y[1], -params["k"] * y[0] - params["c"] * y[1]])

    y, out = y0, []
    for _ in range(n):
        k1 = f(y)
        k2 = f(y + 0.5 * dt * k1)
        k3 = f(y + 0.5 * dt * k2)
        k4 = f(y + dt * k3)
        y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out.append(y[0])
    return np.sum(np.array(out) ** 2)


def wave_leapfrog(u0, c=1.0, dx=0.1, dt=0.05, n=25):
    u_prev, u = u0.copy(), u0.copy()
    r2 = (c * dt / dx) ** 2
    for _ in range(n):
        lap = np.roll(u, 1) - 2 * u + np.roll(u, -1)
        u_prev, u = u, 2 * u - u_prev + r2 * lap
    return np.sum(u ** 2)


case("shoot_leapfrog_v0_float", leapfrog_final_position, 0.8)
case("shoot_leapfrog_v0_x0_k", leapfrog_final_position, 0.8, 0.2, 1.3, argnums=(0, 1, 2))
case("shoot_pendulum_verlet_state", pendulum_verlet, np.array([0.4, 1.0]))
case("shoot_projectile_drag_angle", projectile_shooting, 12.0, 0.7, argnums=(0, 1))
case("shoot_kepler_verlet_traj_rows", kepler_orbit_verlet, np.array([0.0, 1.1]))
case("shoot_nbody_leapfrog_inplace", nbody_leapfrog, normal(4, 2), normal(4, 2, scale=0.3),
     uniform(0.5, 1.0, 4), argnums=(0, 1, 2))
case("shoot_damped_rk4_dict", damped_oscillator_rk4, {"k": 2.0, "c": 0.3}, np.array([1.0, 0.0]),
     argnums=(0, 1))
case("wave_leapfrog_np_roll", wave_leapfrog, np.exp(-((np.linspace(0, 1, 12) - 0.5) / 0.1) ** 2))


# ----------------------------------------------------------------------------- PDEs, structures


def heat_roll(u0, D=0.1, dx=0.1, dt=0.02, n_steps=40, target=None):
    u = u0
    for _ in range(n_steps):
        u = u + D * dt / dx ** 2 * (np.roll(u, 1) - 2 * u + np.roll(u, -1))
    return np.sum((u - target) ** 2) if target is not None else np.sum(u ** 2)


def heat_slices_inplace(u0, D, dx=0.1, dt=0.02, n_steps=40):
    """Dirichlet ends, the interior updated in place through slices of a copy."""
    u = u0.copy()
    alpha = D * dt / dx ** 2
    for _ in range(n_steps):
        u[1:-1] = u[1:-1] + alpha * (u[2:] - 2 * u[1:-1] + u[:-2])
    return np.sum(u[4:8])


def heat_2d(u0, D=0.2, n_steps=15):
    u = u0.copy()
    for _ in range(n_steps):
        lap = (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:] - 4 * u[1:-1, 1:-1])
        u[1:-1, 1:-1] += D * lap
    return np.mean(u ** 2)


def heat_coefficient_field(kappa, u0, n_steps=30, dt=0.1):
    """Variable diffusivity at cell faces: flux `k * diff(u)` and its `diff`."""
    u = u0
    for _ in range(n_steps):
        flux = kappa * np.diff(u)
        u = u + dt * np.concatenate([[0.0], np.diff(flux), [0.0]])
    return np.sum(u * np.linspace(0, 1, len(u)))


def beam_energy(w, EI=1.0, q=0.5, h=0.1):
    curvature = np.diff(w, 2) / h ** 2
    return 0.5 * EI * np.sum(curvature ** 2) * h - q * np.sum(w) * h


def beam_energy_pinned(w_inner, EI, q, h=0.1):
    w = np.concatenate([[0.0], w_inner, [0.0]])
    return 0.5 * EI * h * np.sum((np.diff(w, n=2) / h ** 2) ** 2) - h * q @ w_inner


def poisson_tridiag(f, n=9, L=1.0):
    h = L / (n + 1)
    A = (np.diag(2.0 * np.ones(n)) - np.diag(np.ones(n - 1), 1) - np.diag(np.ones(n - 1), -1))
    u = np.linalg.solve(A / h ** 2, f)
    return np.sum(u ** 2) * h


def poisson_conductivity(k, f):
    """`-(k u')' = f` with `k` at the n + 1 faces: the stiffness built from `np.diag`."""
    n = len(f)
    h = 1.0 / (n + 1)
    A = np.diag(k[:-1] + k[1:]) - np.diag(k[1:-1], 1) - np.diag(k[1:-1], -1)
    u = np.linalg.solve(A / h ** 2, f)
    return f @ u * h  # compliance


def poisson_inv_target(f, target):
    n = len(f)
    A = 2 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)
    u = np.linalg.inv(A) @ f
    return 0.5 * np.sum((u - target) ** 2)


def truss_compliance(areas, E=1.0, load=-1.0):
    """A 1-D bar chain of elements; `K[np.ix_(dofs, dofs)] += ke` assembly, first node fixed."""
    n = len(areas)
    K = np.zeros((n + 1, n + 1))
    for e in range(n):
        ke = E * areas[e] * np.array([[1.0, -1.0], [-1.0, 1.0]])
        dofs = [e, e + 1]
        K[np.ix_(dofs, dofs)] += ke
    F = np.zeros(n + 1)
    F[-1] = load
    u = np.linalg.solve(K[1:, 1:], F[1:])
    return F[1:] @ u


def simp_compliance(x, penal=3.0):
    """SIMP's `x ** penal` stiffness scaling of 2-D spring elements assembled by `np.add.at`."""
    n = len(x)
    K = np.zeros((n + 1, n + 1))
    idx = np.arange(n)
    k = 1e-3 + x ** penal
    np.add.at(K, (idx, idx), k)
    np.add.at(K, (idx + 1, idx + 1), k)
    np.add.at(K, (idx, idx + 1), -k)
    np.add.at(K, (idx + 1, idx), -k)
    K[0, 0] += 1.0
    f = np.linspace(0.1, 1.0, n + 1)
    u = np.linalg.solve(K, f)
    return f @ u


XS = np.linspace(0, 1, 12)
case("heat_np_roll_initial", heat_roll, np.sin(np.pi * XS) + 0.1 * normal(12))
case("heat_np_roll_D_and_u0", lambda u0, D: heat_roll(u0, D, target=np.cos(np.pi * XS)),
     np.sin(np.pi * XS), 0.1, argnums=(0, 1))
case("heat_slices_inplace_D", heat_slices_inplace, np.sin(np.pi * XS), 0.08, argnums=(0, 1))
case("heat_2d_inplace_interior", heat_2d, normal(6, 6))
case("heat_face_kappa_diff_concat", heat_coefficient_field, uniform(0.1, 0.3, 9),
     np.exp(-((np.linspace(0, 1, 10) - 0.3) / 0.2) ** 2), argnums=(0, 1))
case("beam_np_diff_2", beam_energy, normal(10, scale=0.1))
case("beam_pinned_EI_q", beam_energy_pinned, normal(8, scale=0.1), 2.0, uniform(0.5, 1, 8),
     argnums=(0, 1, 2))
case("poisson_np_diag_solve_source", poisson_tridiag, normal(9))
case("poisson_conductivity_faces", poisson_conductivity, uniform(0.5, 1.5, 8), normal(7),
     argnums=(0, 1))
case("poisson_eye_k_inv", poisson_inv_target, normal(6), normal(6), argnums=(0, 1))
case("truss_np_ix_assembly", truss_compliance, uniform(0.5, 1.5, 5))
case("truss_simp_add_at", simp_compliance, uniform(0.3, 0.9, 6))


# ----------------------------------------------------------------------------- optics


def snell_angles(theta_i, n):
    """Successive refraction through layers: `arcsin(n1 / n2 * sin(theta))`."""
    theta = theta_i
    for a, b in zip(n[:-1], n[1:]):
        theta = np.arcsin(a / b * np.sin(theta))
    return theta


def fermat_path_time(xs, n, ys, x0=0.0, x1=3.0):
    """Optical path through interfaces at heights `ys`, crossing points `xs` free."""
    px = np.concatenate([[x0], xs, [x1]])
    return np.sum(n * np.sqrt(np.diff(px) ** 2 + np.diff(ys) ** 2))


def thin_lens_system(params, d_image=10.0):
    """ABCD: lenses and gaps multiplied by `functools.reduce(np.matmul, ...)`."""
    f1, f2, d = params
    lens = lambda f: np.array([[1.0, 0.0], [-1.0 / f, 1.0]])  # noqa: E731
    gap = lambda t: np.array([[1.0, t], [0.0, 1.0]])  # noqa: E731
    M = functools.reduce(np.matmul, [gap(d_image), lens(f2), gap(d), lens(f1)])
    return M[0, 1] ** 2 + (M[0, 0] - 0.5) ** 2  # imaging condition and magnification


def effective_focal_length(fs, ds):
    mats = []
    for i, f in enumerate(fs):
        mats.append(np.array([[1.0, 0.0], [-1.0 / f, 1.0]]))
        if i < len(ds):
            mats.append(np.array([[1.0, ds[i]], [0.0, 1.0]]))
    M = functools.reduce(lambda A, B: B @ A, mats)
    return -1.0 / M[1, 0]


def fresnel_reflectance(theta, n1=1.0, n2=1.5):
    ct = np.cos(theta)
    st2 = (n1 / n2 * np.sin(theta)) ** 2
    ctt = np.sqrt(1 - st2)
    rs = (n1 * ct - n2 * ctt) / (n1 * ct + n2 * ctt)
    rp = (n2 * ct - n1 * ctt) / (n2 * ct + n1 * ctt)
    return 0.5 * (rs ** 2 + rp ** 2)


def thin_film_reflectance(d, n_film=1.38, n_sub=1.52, wl=np.linspace(400, 700, 7)):
    """Characteristic-matrix method over wavelengths with complex phases."""
    delta = 2 * np.pi * n_film * d / wl
    r01 = (1 - n_film) / (1 + n_film)
    r12 = (n_film - n_sub) / (n_film + n_sub)
    r = (r01 + r12 * np.exp(-2j * delta)) / (1 + r01 * r12 * np.exp(-2j * delta))
    return np.mean(np.abs(r) ** 2)


case("optics_snell_layers_list", snell_angles, 0.5, [1.0, 1.33, 1.5, 1.2])
case("optics_snell_layers_array", snell_angles, 0.5, np.array([1.0, 1.33, 1.5, 1.2]),
     argnums=(0, 1))
case("optics_fermat_crossings", fermat_path_time, np.array([0.8, 1.7, 2.4]),
     np.array([1.0, 1.4, 1.2, 1.0]), np.array([0.0, 1.0, 1.5, 2.5, 3.0]), argnums=(0, 1))
case("optics_abcd_reduce_matmul_tuple", thin_lens_system, (4.0, 6.0, 3.0))
case("optics_abcd_reduce_matmul_array", thin_lens_system, np.array([4.0, 6.0, 3.0]))
case("optics_efl_reduce_lambda", effective_focal_length, np.array([5.0, -8.0, 6.0]),
     np.array([1.0, 2.0]), argnums=(0, 1))
case("optics_fresnel_angle_index", fresnel_reflectance, 0.6, 1.0, 1.5, argnums=(0, 2))
case("optics_thin_film_complex_exp", thin_film_reflectance, 100.0, 1.38, argnums=(0, 1))


# ----------------------------------------------------------------------------- orbits, stat mech


def kepler_E(M, e, iters=12):
    """Newton on `E - e sin E = M`, started at `M` (fixed iteration count)."""
    E = M
    for _ in range(iters):
        E = E - (E - e * np.sin(E) - M) / (1 - e * np.cos(E))
    return E


def orbit_position(elements, t, GM=1.0):
    a, e = elements["a"], elements["e"]
    n = np.sqrt(GM / a ** 3)
    E = kepler_E(n * t, e)
    x = a * (np.cos(E) - e)
    y = a * np.sqrt(1 - e ** 2) * np.sin(E)
    return np.sum(x ** 2 - y)


def orbital_energy(r, v, GM=398600.4418):
    return 0.5 * np.dot(v, v) - GM / np.linalg.norm(r)


def hohmann_dv(r1, r2, mu=398600.4418):
    a = (r1 + r2) / 2
    dv1 = np.sqrt(mu / r1) * (np.sqrt(r2 / a) - 1)
    dv2 = np.sqrt(mu / r2) * (1 - np.sqrt(r1 / a))
    return abs(dv1) + abs(dv2)


def ising_mf_free_energy(m, beta, J=1.0, z=4, h=0.1):
    """Mean-field free energy per spin: `J z m^2 / 2 - log(2 cosh(beta (J z m + h))) / beta`."""
    return 0.5 * J * z * m ** 2 - np.log(2 * np.cosh(beta * (J * z * m + h))) / beta


def ising_mf_inhomogeneous(m, J, h, beta=0.5):
    """Site magnetizations with a coupling matrix: Bethe-free-energy-style naive mean field."""
    field = J @ m + h
    ent = -(0.5 * (1 + m) * np.log(0.5 * (1 + m)) + 0.5 * (1 - m) * np.log(0.5 * (1 - m)))
    return -0.5 * m @ J @ m - h @ m - np.sum(ent) / beta


def ising_self_consistent(h, beta=0.8, J=1.0, z=4, n_iter=30):
    m = 0.5
    for _ in range(n_iter):
        m = np.tanh(beta * (J * z * m + h))
    return m


def ising_log_cosh_sum(m, J, beta):
    return -np.sum(np.log(np.cosh(beta * J @ m))) / beta + 0.5 * m @ J @ m


def planck(T, wl):
    h, c, kB = 6.626e-34, 2.998e8, 1.381e-23
    return 2 * h * c ** 2 / wl ** 5 / np.expm1(h * c / (wl * kB * T))


def planck_fit(T, wl, observed):
    model = planck(T, wl) * 1e-13
    return np.sum((model - observed) ** 2)


def schrodinger_ground(V, dx=0.2):
    """Lowest eigenvalue of `-1/2 d2/dx2 + V` by `np.linalg.eigh` of the FD Hamiltonian."""
    n = len(V)
    T = (np.diag(np.full(n, 1.0)) - 0.5 * np.diag(np.ones(n - 1), 1)
         - 0.5 * np.diag(np.ones(n - 1), -1)) / dx ** 2
    w, _ = np.linalg.eigh(T + np.diag(V))
    return w[0]


def rayleigh_quotient(psi, V, dx=0.2):
    lap = (np.roll(psi, 1) - 2 * psi + np.roll(psi, -1)) / dx ** 2
    return (psi @ (-0.5 * lap + V * psi)) / (psi @ psi)


def van_der_waals_free_energy(V, T, a=0.364, b=4.27e-5, n=1.0, R=8.314):
    return -n * R * T * np.log(V - n * b) - a * n ** 2 / V


def partition_function_levels(energies, beta):
    Z = np.sum(np.exp(-beta * energies))
    return -np.log(Z) / beta


case("kepler_newton_eccentricity", kepler_E, 1.2, 0.3, argnums=(0, 1))
case("kepler_newton_array_M", lambda M, e: np.sum(kepler_E(M, e) ** 2), np.linspace(0.1, 3, 6),
     0.4, argnums=(0, 1))
case("orbit_position_dict", orbit_position, {"a": 1.3, "e": 0.2}, 2.0, argnums=(0, 1))
case("orbital_energy_r_v", orbital_energy, np.array([7000.0, 100.0, 50.0]),
     np.array([0.1, 7.5, 0.3]), argnums=(0, 1))
case("hohmann_builtin_abs", hohmann_dv, 7000.0, 42164.0, argnums=(0, 1))
case("ising_mf_log_2cosh", ising_mf_free_energy, 0.3, 0.7, argnums=(0, 1))
case("ising_mf_h_python_float", ising_mf_free_energy, 0.3, 0.7, 1.0, 4, 0.2, argnums=(0, 4))
_J = normal(6, 6, scale=0.3)
_J = 0.5 * (_J + _J.T)
np.fill_diagonal(_J, 0.0)
case("ising_mf_inhomogeneous_entropy", ising_mf_inhomogeneous, uniform(-0.6, 0.6, 6), _J,
     normal(6, scale=0.2), argnums=(0, 1, 2))
case("ising_self_consistent_tanh_loop", ising_self_consistent, 0.1)
case("ising_log_cosh_sum", ising_log_cosh_sum, normal(6, scale=0.5), _J, 0.9, argnums=(0, 2))
WL = np.linspace(400e-9, 2000e-9, 8)
case("planck_expm1_temperature", planck_fit, 5000.0, WL, planck(5200.0, WL) * 1e-13)
case("schrodinger_eigh_ground_state", schrodinger_ground, 0.5 * np.linspace(-2, 2, 9) ** 2)
case("schrodinger_rayleigh_roll", rayleigh_quotient, np.exp(-np.linspace(-2, 2, 9) ** 2),
     0.5 * np.linspace(-2, 2, 9) ** 2, argnums=(0, 1))
case("vdw_free_energy_V_T", van_der_waals_free_energy, 0.02, 300.0, argnums=(0, 1))
case("partition_function_levels", partition_function_levels, np.array([0.0, 0.5, 1.2, 2.0]),
     1.3, argnums=(0, 1))


# ----------------------------------------------------------------------------- more idioms


def parametric_var_es(params, alpha=0.99):
    """Gaussian VaR and expected shortfall with `norm.ppf` and `norm.pdf`."""
    mu, sigma = params
    z = norm.ppf(alpha)
    return (-mu + sigma * z) + (-mu + sigma * norm.pdf(z) / (1 - alpha))


def var_quantile_level(alpha, mu=0.001, sigma=0.02):
    return -mu + sigma * norm.ppf(alpha)


def bs_call_loc_scale(S, K, T, r, sigma):
    """`norm.cdf(x, loc, scale)`: the log-price's distribution written with loc and scale."""
    m = np.log(S) + (r - 0.5 * sigma ** 2) * T
    s = sigma * np.sqrt(T)
    p1 = norm.cdf(np.log(K), loc=m + s ** 2, scale=s)
    p2 = norm.cdf(np.log(K), loc=m, scale=s)
    return S * (1 - p1) - K * np.exp(-r * T) * (1 - p2)


def probit_nll(beta, X, y):
    eta = X @ beta
    return -np.sum(y * norm.logcdf(eta) + (1 - y) * norm.logcdf(-eta))


def interp_zero_curve(zeros, pillars, times, cfs):
    """Zero rates at the cash-flow dates by `np.interp` between pillar rates."""
    z = np.interp(times, pillars, zeros)
    return np.sum(cfs * np.exp(-z * times))


def forward_rates_cumprod(fwd, dt, cfs):
    disc = np.cumprod(1.0 / (1.0 + fwd * dt))
    return disc @ cfs


def forward_rates_inplace(fwd, dt=0.5):
    df = np.ones(len(fwd) + 1)
    for i in range(len(fwd)):
        df[i + 1] = df[i] / (1 + fwd[i] * dt)
    swap_rate = (df[0] - df[-1]) / (dt * df[1:].sum())
    return swap_rate


def longstaff_schwartz(S0, sigma, K=100.0, T=1.0, r=0.05, n_steps=8, n_paths=2000):
    """LSM American put: `np.polyfit` of discounted continuation values on in-the-money paths
    (the exercise decision by `np.where`)."""
    rng = np.random.default_rng(0)
    dt = T / n_steps
    S = gbm_paths(S0, r, sigma, T, n_steps, n_paths, rng)
    cash = np.maximum(K - S[:, -1], 0.0)
    for t in range(n_steps - 2, -1, -1):
        cash = cash * np.exp(-r * dt)
        X = S[:, t]
        coef = np.polyfit(X, cash, 2)
        cont = np.polyval(coef, X)
        ex = np.maximum(K - X, 0.0)
        cash = np.where((ex > cont) & (ex > 0), ex, cash)
    return np.exp(-r * dt) * np.mean(cash)


def lsm_lstsq(S0, sigma, K=100.0, T=1.0, r=0.05, n_steps=6, n_paths=1500):
    rng = np.random.default_rng(0)
    dt = T / n_steps
    S = gbm_paths(S0, r, sigma, T, n_steps, n_paths, rng)
    V = np.maximum(K - S[:, -1], 0)
    for t in range(n_steps - 2, -1, -1):
        V = V * np.exp(-r * dt)
        x = S[:, t] / K
        A = np.column_stack([np.ones_like(x), x, x ** 2])
        beta = np.linalg.lstsq(A, V, rcond=None)[0]
        ex = np.maximum(K - S[:, t], 0)
        V = np.where(ex > A @ beta, ex, V)
    return np.exp(-r * dt) * V.mean()


def historical_var_percentile(w, R, q=5):
    pnl = R @ w
    return -np.percentile(pnl, q)


def historical_es_sort(w, R, k=6):
    pnl = np.sort(R @ w)
    return -np.mean(pnl[:k])


def heston_cf_price(params, S0=100.0, K=100.0, T=1.0, r=0.02, n=200, umax=100.0):
    """Heston by the Gil-Pelaez integral of the characteristic function (complex arithmetic,
    `np.trapezoid` over a grid); the Greeks w.r.t. the real model parameters."""
    kappa, theta, xi, rho, v0 = params
    u = np.linspace(1e-6, umax, n)

    def cf(u):
        d = np.sqrt((rho * xi * 1j * u - kappa) ** 2 + xi ** 2 * (1j * u + u ** 2))
        g = (kappa - rho * xi * 1j * u - d) / (kappa - rho * xi * 1j * u + d)
        C = (kappa * theta / xi ** 2) * ((kappa - rho * xi * 1j * u - d) * T
                                         - 2 * np.log((1 - g * np.exp(-d * T)) / (1 - g)))
        D = (kappa - rho * xi * 1j * u - d) / xi ** 2 * (1 - np.exp(-d * T)) / (
            1 - g * np.exp(-d * T))
        return np.exp(C + D * v0 + 1j * u * (np.log(S0) + r * T))

    k = np.log(K)
    f1 = np.real(np.exp(-1j * u * k) * cf(u - 1j) / (1j * u * cf(-1j)))
    f2 = np.real(np.exp(-1j * u * k) * cf(u) / (1j * u))
    P1 = 0.5 + np.trapezoid(f1, u) / np.pi
    P2 = 0.5 + np.trapezoid(f2, u) / np.pi
    return S0 * P1 - K * np.exp(-r * T) * P2


def gbm_inplace_multiply(S0, sigma, n_steps=10, r=0.01):
    rng = np.random.default_rng(1)
    S = np.full(800, S0)
    dt = 1.0 / n_steps
    for _ in range(n_steps):
        S *= np.exp((r - 0.5 * sigma ** 2) * dt + sigma * np.sqrt(dt) * rng.standard_normal(800))
    return np.mean(np.maximum(S - 100.0, 0))


def mc_seed_argument(S0, sigma, seed):
    rng = np.random.default_rng(seed)
    ST = S0 * np.exp(-0.5 * sigma ** 2 + sigma * rng.standard_normal(2000))
    return np.mean(np.maximum(ST - 100.0, 0.0))


def mc_float32_draws(sigma, S0):
    rng = np.random.default_rng(0)
    z = rng.standard_normal(2000, dtype=np.float32)
    ST = S0 * np.exp(-0.5 * sigma ** 2 + sigma * z)
    return np.mean(np.maximum(ST - 100.0, 0.0))


def exp_out_argument(x, k):
    buf = np.empty_like(x)
    np.exp(-k * x, out=buf)
    return np.sum(buf * x)


case("risk_var_es_ppf_pdf", parametric_var_es, (0.001, 0.02))
case("risk_var_ppf_of_level", var_quantile_level, 0.975)
case("bs_norm_cdf_loc_scale", bs_call_loc_scale, S0, KS, TT, RR, SIG, argnums=(0, 4))
_PX = normal(20, 2)
case("probit_norm_logcdf", probit_nll, normal(2), _PX,
     (_PX @ np.array([0.5, -1.0]) + normal(20) > 0).astype(float))
case("curve_np_interp_pillars", interp_zero_curve, np.array([0.02, 0.025, 0.03, 0.032]),
     np.array([0.5, 1.5, 3.0, 5.0]), TIMES, CFS)
case("curve_cumprod_discounts", forward_rates_cumprod, np.linspace(0.02, 0.035, 10), 0.5, CFS)
case("curve_swap_rate_inplace_df", forward_rates_inplace, np.linspace(0.02, 0.035, 10))
case("lsm_polyfit_polyval", longstaff_schwartz, 100.0, 0.2, argnums=(0, 1))
case("lsm_lstsq_column_stack", lsm_lstsq, 100.0, 0.2, argnums=(0, 1))
case("risk_historical_var_percentile", historical_var_percentile, W0, RETS)
case("risk_historical_es_sort", historical_es_sort, W0, RETS)
case("heston_cf_gil_pelaez_complex", heston_cf_price, np.array([2.0, 0.04, 0.3, -0.7, 0.04]))
case("mc_gbm_inplace_multiply", gbm_inplace_multiply, 100.0, 0.2, argnums=(0, 1))
case("mc_seed_as_argument", mc_seed_argument, 100.0, 0.2, 3, argnums=(0, 1))
case("mc_float32_draws", mc_float32_draws, 0.2, 100.0, argnums=(0, 1))
case("exp_out_argument", exp_out_argument, uniform(0, 1, 6), 1.5, argnums=(0, 1))


def bs_call_math_module(S, K, T, r, sigma):
    """The `math` module on Python floats, `scipy.special.ndtr` for the CDF."""
    d1 = (math.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * math.sqrt(T))
    d2 = d1 - sigma * math.sqrt(T)
    return S * special.ndtr(d1) - K * math.exp(-r * T) * special.ndtr(d2)


def chain_normal_modes(k, m):
    """Squared frequencies of a fixed-fixed chain: `eigvalsh` of `M^-1/2 K M^-1/2`."""
    n = len(m)
    K = np.diag(k[:-1] + k[1:]) - np.diag(k[1:-1], 1) - np.diag(k[1:-1], -1)
    Minv = np.diag(1 / np.sqrt(m))
    w2 = np.linalg.eigvalsh(Minv @ K @ Minv)
    return np.sum(np.sqrt(w2))


def angular_momentum(x, v, m):
    L = np.sum(m[:, None] * np.cross(x, v), axis=0)
    return L @ L


def bond_angle_energy(x, theta0=1.9, k=5.0):
    a, b = x[:-2] - x[1:-1], x[2:] - x[1:-1]
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    theta = np.arccos(np.clip(cos, -1.0, 1.0))
    return 0.5 * k * np.sum((theta - theta0) ** 2)


def kinetic_sum_generator(vs, ms):
    return sum(0.5 * m * v @ v for m, v in zip(ms, vs))


def masked_potential(pos, box=2.0):
    inside = np.all(np.abs(pos) < box, axis=1)
    return np.sum(np.sum(pos ** 2, axis=1), where=inside) + np.sum(
        np.where(inside, 0.0, 10 * np.sum(pos ** 2, axis=1)))


def tensordot_strain_energy(eps, C):
    """Linear elasticity: `0.5 * eps : C : eps` by `np.tensordot` over two axes."""
    sigma = np.tensordot(C, eps, axes=([2, 3], [0, 1]))
    return 0.5 * np.tensordot(sigma, eps, axes=2)


def _iso_C(lam=1.0, mu=0.5):
    d = np.eye(3)
    return (lam * np.einsum("ij,kl->ijkl", d, d)
            + mu * (np.einsum("ik,jl->ijkl", d, d) + np.einsum("il,jk->ijkl", d, d)))


_EPS = normal(3, 3, scale=0.1)
case("bs_math_module_floats", bs_call_math_module, S0, KS, TT, RR, SIG, argnums=(0, 2, 3, 4))
case("chain_normal_modes_eigvalsh", chain_normal_modes, uniform(1, 2, 6), uniform(1, 2, 5),
     argnums=(0, 1))
case("angular_momentum_cross", angular_momentum, normal(4, 3), normal(4, 3), uniform(1, 2, 4),
     argnums=(0, 1))
case("bond_angle_arccos_clip", bond_angle_energy,
     np.cumsum(normal(5, 3, scale=0.3) + np.array([1.0, 0.0, 0.0]), axis=0))
case("kinetic_builtin_sum_generator", kinetic_sum_generator, [normal(3), normal(3)],
     [1.0, 2.0], argnums=(0, 1))
case("potential_sum_where_mask", masked_potential, normal(6, 2, scale=1.5))
case("strain_energy_tensordot", tensordot_strain_energy, 0.5 * (_EPS + _EPS.T), _iso_C(),
     argnums=(0, 1))


def crr_scalar_lists(S0, sigma, K=100.0, N=9, r=0.02):
    """The pure-Python tree: `math` on floats, builtin `max` of the payoff, list comprehensions."""
    dt = 1.0 / N
    u = math.exp(sigma * math.sqrt(dt))
    d = 1 / u
    p = (math.exp(r * dt) - d) / (u - d)
    vals = [max(S0 * u ** j * d ** (N - j) - K, 0.0) for j in range(N + 1)]
    for i in range(N, 0, -1):
        vals = [math.exp(-r * dt) * (p * vals[j + 1] + (1 - p) * vals[j]) for j in range(i)]
    return vals[0]


def vectorized_discount(y, times):
    disc = np.vectorize(lambda t: math.exp(-y * t))
    return np.sum(disc(times) * CFS)


def math_special_functions(x):
    return (math.erf(x) + math.gamma(x) + math.lgamma(x) + math.log1p(x) + math.atan2(x, 2.0)
            + math.hypot(x, 3.0) + math.fabs(x) + math.fsum([x, 2 * x]))


case("crr_pure_python_builtin_max", crr_scalar_lists, 101.3, 0.2, argnums=(0, 1))
case("bond_np_vectorize_math_exp", vectorized_discount, 0.03, TIMES)
case("math_module_special_functions", math_special_functions, 0.7)


# ----------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", _names(CASES))
def test_value_and_gradient_match_numpy_and_finite_differences(name):
    fn, args, argnums = CASES[name]
    with np.errstate(all="ignore"):
        check_grads(fn, args, argnums)


def bs_greeks_closed_form(S, K, T, r, sigma):
    """Hull's Greeks of a call: delta, dC/dT (minus theta), rho, vega, gamma."""
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    pdf = np.exp(-0.5 * d1 ** 2) / np.sqrt(2 * np.pi)
    return {"delta": norm.cdf(d1),
            "dT": S * pdf * sigma / (2 * np.sqrt(T)) + r * K * np.exp(-r * T) * norm.cdf(d2),
            "rho": K * T * np.exp(-r * T) * norm.cdf(d2),
            "vega": S * pdf * np.sqrt(T),
            "gamma": pdf / (S * sigma * np.sqrt(T))}


PRICERS = {"norm_cdf": bs_call, "ndtr": bs_call_ndtr, "erf": bs_call_erf, "erfc": bs_call_erfc,
           "frozen": bs_call_frozen}


@pytest.mark.parametrize("how", ["grad", "jit_grad", "value_and_grad"])
@pytest.mark.parametrize("pricer", list(PRICERS))
def test_black_scholes_greeks_match_closed_forms(pricer, how):
    """Delta, dC/dT, rho and vega by `grad(price, argnums=(0, 2, 3, 4))` (plain, jitted and
    as `value_and_grad`) and gamma by `grad(grad(price))`, against the closed forms at
    several spots (a new Python float each call: one trace under `jit`)."""
    price = PRICERS[pricer]
    g = tracenp.grad(price, argnums=(0, 2, 3, 4))
    transform = {"grad": g, "jit_grad": tracenp.jit(g),
                 "value_and_grad": lambda *a: tracenp.value_and_grad(price, (0, 2, 3, 4))(*a)[1]}
    gamma = tracenp.grad(tracenp.grad(price))
    for S in (80.0, 97.5, 100.0, 130.0):
        want = bs_greeks_closed_form(S, KS, TT, RR, SIG)
        got = transform[how](S, KS, TT, RR, SIG)
        for k, key in enumerate(["delta", "dT", "rho", "vega"]):
            assert type(got[k]) is float
            np.testing.assert_allclose(got[k], want[key], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(gamma(S, KS, TT, RR, SIG), want["gamma"], rtol=1e-9)


def test_black_scholes_greeks_over_a_strike_array_by_vjp():
    """Prices over a strike array pulled back with a cotangent of positions: the book's
    delta and per-strike vegas are `qty @ N(d1)` and `qty * vega`."""
    qty = np.array([1.0, -2.0, 3.0, 0.5, -1.0, 2.0, 1.5])
    value, pull = tracenp.vjp(lambda S, sig: bs_call(S, KGRID, TT, RR, sig), 100.0, SIGGRID)
    np.testing.assert_allclose(value, bs_call(100.0, KGRID, TT, RR, SIGGRID), rtol=1e-12)
    dS, dsig = pull(qty)
    want = bs_greeks_closed_form(100.0, KGRID, TT, RR, SIGGRID)
    np.testing.assert_allclose(dS, qty @ want["delta"], rtol=1e-10)
    np.testing.assert_allclose(dsig, qty * want["vega"], rtol=1e-10)


FORCES = {"triu": lj_energy_triu, "where_mask": lj_energy_where_mask, "eye_big": lj_energy_eye_big,
          "loops": lj_energy_loops}


@pytest.mark.parametrize("jit", [False, True])
@pytest.mark.parametrize("energy", [pytest.param(k, marks=pytest.mark.xfail(
    strict=True, reason=LOOPS_CUTOFF)) if k == "loops" else k for k in FORCES])
def test_lennard_jones_forces_are_minus_the_gradient(energy, jit):
    """`-grad(E)` of each way of writing the LJ energy equals the hand-written pair forces,
    at two configurations (one trace under `jit`)."""
    force = tracenp.grad(FORCES[energy])
    force = tracenp.jit(force) if jit else force
    for pos in (POS8, lattice(2, 1.15, 0.07, 9)):
        got = -force(pos)
        assert got.shape == pos.shape and got.dtype == np.float64
        np.testing.assert_allclose(got, lj_forces_hand(pos), rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(got.sum(0), 0.0, atol=1e-10)  # Newton's third law


def _jacobian_fd(fn, x, eps=1e-6):
    cols = []
    for j in np.ndindex(np.shape(x)):
        xp, xm = np.array(x, float), np.array(x, float)
        xp[j] += eps
        xm[j] -= eps
        cols.append((np.asarray(fn(xp)) - np.asarray(fn(xm))).ravel() / (2 * eps))
    return np.stack(cols, -1)


VJP_CASES = {
    "heat_final_field": (lambda u0: _heat_field(u0), np.sin(np.pi * XS)),
    "lj_forces_hvp": (tracenp.grad(lj_energy_triu), POS8),
    "leapfrog_trajectory": (lambda v0: _leapfrog_traj(v0), np.array([0.5, 1.0, -0.3])),
    "poisson_solution": (lambda f: _poisson_u(f), normal(7)),
    "bs_prices_over_vols": (lambda s: bs_call(100.0, KGRID, TT, RR, s), SIGGRID),
    "mc_paths_mean": (lambda p: _mc_path_means(p), np.array([100.0, 0.2])),
}


def _heat_field(u0, D=0.1, n_steps=20):
    u = u0
    for _ in range(n_steps):
        u = u + D * 2.0 * (np.roll(u, 1) - 2 * u + np.roll(u, -1))
    return u


def _leapfrog_traj(v0, dt=0.1, n=10):
    x, v, out = np.zeros(3), v0, []
    for _ in range(n):
        v = v - 0.5 * dt * np.sin(x)
        x = x + dt * v
        v = v - 0.5 * dt * np.sin(x)
        out.append(x)
    return np.stack(out)


def _poisson_u(f):
    n = len(f)
    A = np.diag(np.full(n, 2.0)) + np.diag(np.full(n - 1, -1.0), 1) + np.diag(
        np.full(n - 1, -1.0), -1)
    return np.linalg.solve(A, f)


def _mc_path_means(p):
    S = gbm_paths(p[0], 0.02, p[1], 1.0, 6, 500, np.random.default_rng(0))
    return S.mean(axis=0)


@pytest.mark.parametrize("jit", [False, True])
@pytest.mark.parametrize("name", list(VJP_CASES))
def test_vjp_with_a_cotangent_of_vector_outputs(name, jit):
    """`vjp` of array-valued simulations (a heat field, a trajectory, forces, a Poisson
    solution, prices, Monte Carlo path means) pulled back with a random cotangent equals the
    finite-difference Jacobian's transpose times it."""
    fn, x = VJP_CASES[name]
    ct = np.random.default_rng(5).standard_normal(np.shape(fn(x)))

    def pulled(x, ct):
        value, pull = tracenp.vjp(fn, x)
        return value, pull(ct)[0]

    value, got = (tracenp.jit(pulled) if jit else pulled)(x, ct)
    np.testing.assert_allclose(value, fn(x), rtol=1e-10, atol=1e-12)
    want = (ct.ravel() @ _jacobian_fd(fn, x)).reshape(np.shape(x))
    assert_grads_close(got, want, rtol=1e-5)


FLOAT32 = ["bs_strike_grid_vols", "mc_basket_cholesky", "portfolio_mv_softmax",
           "lj_triu_indices_norm", "heat_np_roll_initial", "poisson_np_diag_solve_source",
           "chain_ring_np_roll", "springs_edge_list_norm", "sabr_calibration_smile",
           "schrodinger_rayleigh_roll", "mc_heston_preallocated_rows"]


def _float32(tree):
    leaves, structure = pytree.flatten(tree)
    return pytree.unflatten(structure, [x.astype(np.float32) if isinstance(x, np.ndarray)
                                        and x.dtype == np.float64 else x for x in leaves])


@pytest.mark.parametrize("name", FLOAT32)
def test_float32_arguments(name):
    """The same functions on float32 arrays: NumPy's value and dtype, float32 gradient
    leaves close to the float64 gradient."""
    fn, args, argnums = CASES[name]
    a32 = _float32(args)
    with np.errstate(all="ignore"):
        want = fn(*a32)
        g64 = pytree.flatten(tracenp.grad(fn, argnums)(*args))[0]
        for vg in (tracenp.value_and_grad(fn, argnums),
                   tracenp.jit(tracenp.value_and_grad(fn, argnums))):
            value, g = vg(*_float32(args))
            assert np.asarray(value).dtype == np.asarray(want).dtype
            np.testing.assert_allclose(value, want, rtol=2e-5, atol=1e-6)
            leaves = pytree.flatten(g)[0]
            for got, ref in zip(leaves, g64):
                assert got.dtype == np.float32
                np.testing.assert_allclose(got, ref, rtol=3e-3,
                                           atol=3e-3 * max(1, np.abs(ref).max()))


def test_jitted_pathwise_greeks_over_spots_and_vols():
    """`jit(grad(mc_call, argnums=(0, 1)))` called over a grid of Python-float spots and vols:
    the central differences of the NumPy pricer at each point, one trace."""
    from test_grad_hunt_j import numeric_grads

    g = tracenp.jit(tracenp.grad(mc_european_call, argnums=(0, 1)))
    for S in (90.0, 100.0, 110.0):
        for sig in (0.15, 0.3):
            got = g(S, sig)
            num = numeric_grads(mc_european_call, (S, sig), (0, 1))
            assert_grads_close(got[0], num[0][0])
            assert_grads_close(got[1], num[1][0])
    assert g.cache_info().misses == 1


def test_calibration_by_gradient_descent_recovers_the_vol():
    """Plain gradient descent on the flat-vol calibration loss with `jit(value_and_grad)` ends
    where the same loop on the closed-form vega gradient ends."""
    market = bs_call(100.0, MARKET_K, 0.5, 0.01, 0.27)

    def hand(sigma):
        d1 = (np.log(100.0 / MARKET_K) + (0.01 + 0.5 * sigma ** 2) * 0.5) / (sigma * np.sqrt(0.5))
        vega = 100.0 * norm.pdf(d1) * np.sqrt(0.5)
        return 2 * np.sum((bs_call(100.0, MARKET_K, 0.5, 0.01, sigma) - market) * vega)

    vg = tracenp.jit(tracenp.value_and_grad(calib_flat_vol))
    s_hand = s_tn = 0.2
    for _ in range(30):
        s_hand = s_hand - 5e-5 * hand(s_hand)
        _, g = vg(s_tn, 100.0, MARKET_K, 0.5, 0.01, market)
        s_tn = s_tn - 5e-5 * g
    np.testing.assert_allclose(s_tn, s_hand, rtol=1e-10)
    assert abs(s_tn - 0.27) < 1e-3


def test_heston_truncated_paths_have_the_gradient_of_finite_differences():
    """Without Feller's condition many Euler paths go below zero: `np.maximum(v, 0)` sends
    `sqrt(vp * dt)`'s infinite derivative at 0 nowhere, so the gradient is finite and equals
    central differences small enough (1e-8) not to move any path across the kink."""
    from test_grad_hunt_j import numeric_grads

    p = {"kappa": 1.5, "theta": 0.04, "xi": 0.9, "rho": -0.7, "v0": 0.04}
    for transform in (tracenp.grad(mc_heston), tracenp.jit(tracenp.grad(mc_heston))):
        got = transform(p)
        want = numeric_grads(mc_heston, (p,), (0,), eps=1e-8)[0]
        for k, key in enumerate(p):
            assert np.isfinite(got[key])
            assert_grads_close(got[key], want[k], rtol=1e-4)
