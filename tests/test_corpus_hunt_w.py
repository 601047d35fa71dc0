"""Corpus, hunt W: NumPy as economics and scientific-Python lecture notes write it.

QuantEcon lectures: finite Markov chains (sample paths from given uniforms by `np.searchsorted`
on `np.cumsum` rows, many chains at once, marginals by `matrix_power` and by iterating
`psi @ P`, time averages, conditional expectations, irreducibility by `(I + P)^(n-1) > 0`, the
Grassmann-Taksar-Heyman solver's triple loop, Tauchen's `math.erfc` loop and Rouwenhorst's
recursion, Shorrocks mobility), McCall job search (value function and reservation-wage
iterations, separations, comparative statics, stopping times, models as namedtuples), cake
eating and optimal growth (closed forms, grid-search VFI with `np.interp`, `-inf` rewards
written through masks, `np.meshgrid` state spaces, the endogenous grid method, DiscreteDP's
state-action pairs by `np.maximum.reduceat`), the Aiyagari household by `argmax` over asset
choices, Howard policy iteration, the income fluctuation problem, career choice, the lake,
Solow, Kesten, cobweb and Samuelson models, wealth dynamics with QuantEcon's looped Lorenz
curve and Gini coefficient, (s, S) inventories, linear state space models (simulation,
moments, the Lyapunov doubling algorithm, impulse responses, geometric sums), LQ control by
Riccati iteration, QuantEcon's `Kalman` class and its bivariate densities, present values and
consumption smoothing by matrices and loops, geometric series, finite-state asset pricing,
Harrison-Kreps prices, AR(1) moments, the LLN and CLT, heavy tails (Pareto draws from
uniforms, Hill estimators, rank-size fits, `qe.ECDF`), likelihood-ratio processes, Bayesian
learning, Neumann series, circulant matrices, power iteration, Leontief inverses, conditional
multivariate normals, Poisson regression by Newton-Raphson, a COVID SIR model and Schelling's
happiness counts. The Scientific Python Lectures' NumPy exercises (Mandelbrot with overflow,
the Markov chain, populations statistics, crude integrals on `np.ogrid`, framing a face, stride
tricks, fancy indexing, polynomials, FFT image denoising), Jake VanderPlas's handbook and blog
(reciprocals, ufunc `out=`/`reduce`/`accumulate`/`outer`, broadcasting, counting with masks,
fancy indexing and `np.add.at`, partitions, builtin versus NumPy aggregates, Gaussian basis
features, KDEs, Bayesian blocks, pure-Python pairwise distances, Lomb-Scargle, the recursive
and vectorized FFT, photon-flux posteriors, extirpolation), Think Stats (percentiles by sorting
in place and by `method=`, CDF lookups, effect sizes, Spearman ranks, least squares, skewness,
normal probability plots, Kaplan-Meier hazards, resampling and permutation tests) and Think DSP
(square, triangle, sawtooth and parabolic signals normalised by builtin `max`, spectra and
filters, apodizing, chirps, spectrograms, autocorrelation, Brownian and pink noise, DCT and DFT
synthesis and analysis, derivatives in the frequency domain, int16 waves), and Johansson's
Numerical Python (dense and Kronecker Poisson problems, multivariate Newton, `np.fromfunction`,
`np.piecewise`, `np.vectorize` of a Python Heaviside, windowed FFT filters, Vandermonde,
`Polynomial.fit` and Chebyshev interpolation, Euler steps). Gradients of a few of these are
checked against the lectures' own formulas.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Draws come in as arguments, or from a generator argument
whose state must end as NumPy's. Forms that cannot be traced (the lectures' `while error >
tol` loops over arrays, `if` on array values) raise a named error and run eagerly under
`fallback=True`.
"""

from __future__ import annotations

import math
from collections import namedtuple
from dataclasses import dataclass

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_c import check_with_generator
from test_ops import assert_same

as_strided = np.lib.stride_tricks.as_strided


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _P(seed, n, zeros=0.0):
    """A stochastic matrix; with `zeros`, that fraction of its off-diagonal entries is zero."""
    r = np.random.default_rng(seed + 50)
    P = r.random((n, n)) + 0.1
    if zeros:
        P[(r.random((n, n)) < zeros) & ~np.eye(n, dtype=bool)] = 0.0
    return P / P.sum(axis=1, keepdims=True)


def _psi(seed, n):
    p = _u(seed + 70, n) + 0.1
    return p / p.sum()


def _stable(seed, n, rho=0.8):
    """A matrix of spectral radius `rho`."""
    A = _f(n, n, seed=seed)
    return rho * A / np.max(np.abs(np.linalg.eigvals(A)))


# ------------------------------------------------------------------ QuantEcon: Markov chains


def mc_sample_path(P, ψ_0, u):
    """QuantEcon's `mc_sample_path`, `qe.random.draw(cdf)` taking its uniform from `u`."""
    P = np.asarray(P)
    ts_length = len(u)
    X = np.empty(ts_length, dtype=int)
    P_dist = np.cumsum(P, axis=1)
    X_0 = np.searchsorted(np.cumsum(ψ_0), u[0], side="right")
    X[0] = X_0
    for t in range(ts_length - 1):
        X[t + 1] = np.searchsorted(P_dist[X[t], :], u[t + 1], side="right")
    return X


def mc_iterate_marginals(ψ, P, ts_length=20):
    n = len(P)
    ψ_t = np.empty((ts_length, n))
    for t in range(ts_length):
        ψ_t[t] = ψ
        ψ = ψ @ P
    return ψ_t


def mc_marginals_matrix_power(P, ψ_0, ts=(1, 2, 5, 10, 25)):
    return np.array([ψ_0 @ np.linalg.matrix_power(P, t) for t in ts])


def mc_time_averages(X, ψ_star):
    ts_length = len(X)
    n = len(ψ_star)
    X_bar = np.empty((n, ts_length))
    for x in range(n):
        X_bar[x] = (X == x).cumsum() / (1 + np.arange(ts_length, dtype=float))
    return X_bar, np.abs(X_bar[:, -1] - ψ_star)


def hamilton_expectations(P, h, ψ, β=0.96, k=5):
    Pk_h = np.linalg.matrix_power(P, k) @ h
    v = np.linalg.inv(np.identity(len(P)) - β * P) @ h
    return Pk_h, v, ψ @ Pk_h, ψ @ v


def is_irreducible(P):
    n = len(P)
    Q = np.linalg.matrix_power(np.identity(n) + P, n - 1)
    return np.all(Q > 0), (Q > 0).sum(axis=1)


def gth_solve(A):
    """QuantEcon's GTH algorithm for an irreducible chain (the reducible branch dropped)."""
    A1 = np.array(A, dtype=float, copy=True, order="C")
    n = A1.shape[0]
    x = np.zeros(n)
    for k in range(n - 1):
        scale = np.sum(A1[k, k + 1:n])
        for i in range(k + 1, n):
            A1[i, k] /= scale
            for j in range(k + 1, n):
                A1[i, j] += A1[i, k] * A1[k, j]
    x[n - 1] = 1
    for k in range(n - 2, -1, -1):
        for i in range(k + 1, n):
            x[k] += x[i] * A1[i, k]
    x /= np.sum(x)
    return x


def stationary_by_ones(P):
    n = P.shape[0]
    A = np.identity(n) - P + np.ones((n, n))
    ψ_star = np.linalg.solve(A.T, np.ones(n))
    return ψ_star, np.allclose(ψ_star @ P, ψ_star)


def mobility_and_return_times(P):
    m = len(P)
    shorrocks = (m - np.trace(P)) / (m - 1)
    ψ_star = gth_solve(P)
    return shorrocks, 1 / ψ_star


MARKOV = {
    "mc_sample_path": (mc_sample_path, {}, lambda s, n: (_P(s, 3), _psi(s, 3), _u(s, 5 * n))),
    "mc_iterate_marginals": (mc_iterate_marginals, {}, lambda s, n: (_psi(s, n), _P(s, n))),
    "mc_marginals_matrix_power": (mc_marginals_matrix_power, {}, lambda s, n: (
        _P(s, n), _psi(s, n))),
    "mc_time_averages": (mc_time_averages, {}, lambda s, n: (_i(3, 5 * n, seed=s), _psi(s, 3))),
    "hamilton_expectations": (hamilton_expectations, {}, lambda s, n: (
        _P(s, n), _f(n, seed=s), _psi(s, n))),
    "is_irreducible": (is_irreducible, {}, lambda s, n: (_P(s, n, zeros=0.8),)),
    "gth_solve": (gth_solve, {}, lambda s, n: (_P(s, n),)),
    "stationary_by_ones": (stationary_by_ones, {}, lambda s, n: (_P(s, n),)),
    "mobility_and_return_times": (mobility_and_return_times, {}, lambda s, n: (_P(s, n),)),
}


@pytest.mark.parametrize("name", list(MARKOV))
def test_quantecon_markov_chains_match_numpy(name):
    check_like_numpy(*MARKOV[name])


# -------------------------------------------------------------------- QuantEcon: job search


def mccall_vfi(w, q, c=25.0, β=0.99, n_iter=60):
    v = w / (1 - β)
    for i in range(n_iter):
        stop_val = w / (1 - β)
        cont_val = c + β * np.sum(v * q)
        v_next = np.maximum(stop_val, cont_val)
        v = v_next
    return v, (1 - β) * (c + β * np.sum(v * q))


def reservation_wage_h(w, q, c=25.0, β=0.99, n_iter=60):
    h = np.sum(w * q) / (1 - β)
    for i in range(n_iter):
        s = np.maximum(w / (1 - β), h)
        h_next = c + β * (s @ q)
        h = h_next
    return (1 - β) * h


def reservation_wage_grid(w, q, c_vals, β_vals):
    R = np.empty((len(c_vals), len(β_vals)))
    for i, c in enumerate(c_vals):
        for j, β in enumerate(β_vals):
            R[i, j] = reservation_wage_h(w, q, c, β, n_iter=30)
    return R


def mccall_separation(w, q, α=0.2, β=0.98, c=6.0, n_iter=80):
    u = np.log
    v = np.ones_like(w)
    d = 1
    for _ in range(n_iter):
        v_new = u(w) + β * ((1 - α) * v + α * d)
        d_new = np.sum(np.maximum(v, u(c) + β * d) * q)
        v, d = v_new, d_new
    h = u(c) + β * d
    i = np.searchsorted(v, h, side="right")
    return v, d, w[i]


def stopping_times(w_bar, draws):
    accept = draws >= w_bar
    t = np.argmax(accept, axis=1) + 1
    return t, t.mean(), accept.any(axis=1)


def _wages(s, n):
    w = np.linspace(10, 60, n + 2) + s
    q = _psi(s, n + 2)
    return w, q


JOB_SEARCH = {
    "mccall_vfi": (mccall_vfi, {}, lambda s, n: _wages(s, n)),
    "reservation_wage_h": (reservation_wage_h, {}, lambda s, n: _wages(s, n)),
    "reservation_wage_grid": (reservation_wage_grid, {}, lambda s, n: (
        *_wages(s, n), np.array([20.0, 30.0 + s]), np.array([0.9, 0.95, 0.99]))),
    "mccall_separation": (mccall_separation, {}, lambda s, n: _wages(s, n)),
    "stopping_times": (stopping_times, {}, lambda s, n: (
        40.0 + s, 10 + 50 * _u(s, n, 3 * n))),
}


@pytest.mark.parametrize("name", list(JOB_SEARCH))
def test_quantecon_job_search_matches_numpy(name):
    check_like_numpy(*JOB_SEARCH[name])


# ----------------------------------------------------- QuantEcon: cake eating, growth, Aiyagari


def cake_eating_closed_form(x0, β=0.96, γ=1.5, T=20):
    def c_star(x):
        return (1 - β ** (1 / γ)) * x

    def v_star(x):
        return (1 - β ** (1 / γ)) ** (-γ) * (x ** (1 - γ) / (1 - γ))

    x = np.zeros((T + 1,) + np.shape(x0))
    c = np.zeros((T,) + np.shape(x0))
    x[0] = x0
    for t in range(T):
        c[t] = c_star(x[t])
        x[t + 1] = x[t] - c[t]
    return x, c, v_star(x0)


def cake_eating_vfi(x_grid, β=0.96, γ=1.5, n_c=12, n_iter=6):
    def u(c):
        return c ** (1 - γ) / (1 - γ)

    v = u(x_grid)
    for _ in range(n_iter):
        v_new = np.empty_like(v)
        for i, x in enumerate(x_grid):
            c = np.linspace(1e-10 + x / 100, x, n_c)
            vals = u(c) + β * np.interp(x - c, x_grid, v)
            v_new[i] = np.max(vals)
        v = v_new
    return v


def growth_vfi_discrete(k_grid, A=1.0, α=0.4, β=0.96, n_iter=40):
    n = len(k_grid)
    y = A * k_grid ** α
    C = y[:, None] - k_grid[None, :]
    R = np.full((n, n), -np.inf)
    R[C > 0] = np.log(C[C > 0])
    v = np.zeros(n)
    for _ in range(n_iter):
        v = np.max(R + β * v[None, :], axis=1)
    σ = np.argmax(R + β * v[None, :], axis=1)
    return v, σ, k_grid[σ]


def growth_bellman_interp(v, grid, shocks, β=0.96, α=0.4, n_c=10):
    def v_func(x):
        return np.interp(x, grid, v)

    v_new = np.empty_like(v)
    σ = np.empty_like(v)
    for i in range(len(grid)):
        y = grid[i]
        c = np.linspace(1e-5, y - 1e-5, n_c)
        vals = np.log(c) + β * np.mean(v_func((y - c)[:, None] ** α * shocks[None, :]), axis=1)
        j = np.argmax(vals)
        v_new[i] = vals[j]
        σ[i] = c[j]
    return v_new, σ


def egm_coleman(grid, shocks, β=0.96, α=0.4, γ=1.5, n_iter=8):
    def u_prime(c):
        return c ** (-γ)

    def u_prime_inv(c):
        return c ** (-1 / γ)

    def f(k):
        return k ** α

    def f_prime(k):
        return α * k ** (α - 1)

    def K(σ_array):
        y = grid + σ_array

        def σ(x):
            return np.interp(x, y, σ_array)

        c = np.empty_like(grid)
        for i, k in enumerate(grid):
            vals = u_prime(σ(f(k) * shocks)) * f_prime(k) * shocks
            c[i] = u_prime_inv(β * np.mean(vals))
        return c

    σ = np.copy(grid)
    for _ in range(n_iter):
        σ = K(σ)
    return σ


def aiyagari_household(a_vals, z_vals, Π, r=0.01, w=1.0, β=0.96, n_iter=60, n_dist=60):
    a_size, z_size = len(a_vals), len(z_vals)
    n = a_size * z_size
    c = w * z_vals[None, :, None] + (1 + r) * a_vals[:, None, None] - a_vals[None, None, :]
    R = np.full(c.shape, -np.inf)
    np.log(c, out=R, where=c > 0)
    R = R.reshape(n, a_size)
    Q = np.zeros((n, a_size, n))
    for s_i in range(n):
        z_i = s_i % z_size
        for a_i in range(a_size):
            for next_z_i in range(z_size):
                Q[s_i, a_i, a_i * z_size + next_z_i] = Π[z_i, next_z_i]
    v = np.zeros(n)
    for _ in range(n_iter):
        vals = R + β * Q @ v
        v = vals.max(axis=1)
    σ = vals.argmax(axis=1)
    P_σ = Q[np.arange(n), σ]
    ψ = np.ones(n) / n
    for _ in range(n_dist):
        ψ = ψ @ P_σ
    asset_probs = ψ.reshape(a_size, z_size).sum(axis=1)
    return v, σ, np.sum(asset_probs * a_vals)


def howard_policy_iteration(R, Q, β=0.95, n_iter=5):
    n = R.shape[0]
    σ = np.zeros(n, dtype=int)
    for _ in range(n_iter):
        r_σ = R[np.arange(n), σ]
        Q_σ = Q[np.arange(n), σ]
        v = np.linalg.solve(np.identity(n) - β * Q_σ, r_σ)
        σ = np.argmax(R + β * Q @ v, axis=1)
    return v, σ


def _ddp(s, n, m=3):
    r = np.random.default_rng(s + 90)
    Q = r.random((n, m, n))
    Q /= Q.sum(axis=-1, keepdims=True)
    return r.standard_normal((n, m)), Q


GROWTH = {
    "cake_eating_closed_form": (cake_eating_closed_form, {}, lambda s, n: (
        1.0 + _u(s, n),)),
    "cake_eating_vfi": (cake_eating_vfi, {}, lambda s, n: (
        np.linspace(0.1, 2.0 + 0.1 * s, n + 1),)),
    "growth_vfi_discrete": (growth_vfi_discrete, {}, lambda s, n: (
        np.linspace(0.05, 0.6 + 0.05 * s, 2 * n),)),
    "growth_bellman_interp": (growth_bellman_interp, {}, lambda s, n: (
        np.log(np.linspace(0.1, 4, n + 1)), np.linspace(0.1, 4, n + 1),
        np.exp(0.1 * _f(5, seed=s)))),
    "egm_coleman": (egm_coleman, {}, lambda s, n: (
        np.linspace(1e-2, 4.0, n + 1), np.exp(0.1 * _f(6, seed=s)))),
    "aiyagari_household": (aiyagari_household, {}, lambda s, n: (
        np.linspace(0.0, 4.0 + s, n), np.array([0.1, 1.0]), _P(s, 2))),
    "howard_policy_iteration": (howard_policy_iteration, {}, lambda s, n: _ddp(s, n)),
}


@pytest.mark.parametrize("name", list(GROWTH))
def test_quantecon_dynamic_programs_match_numpy(name):
    check_like_numpy(*GROWTH[name])


# ------------------------------------------------------------ QuantEcon: macro dynamics, wealth


def lake_model_paths(x0, λ=0.283, α=0.013, b=0.0124, d=0.00822, T=30):
    g = b - d
    A = np.array([[(1 - d) * (1 - λ) + b, (1 - d) * α + b],
                  [(1 - d) * λ, (1 - d) * (1 - α)]])
    A_hat = A / (1 + g)
    X_path = np.zeros((2, T))
    X = np.atleast_1d(x0)
    for t in range(T):
        X_path[:, t] = X
        X = A @ X
    x_path = np.zeros((2, T))
    x = X_path[:, 0] / X_path[:, 0].sum()
    for t in range(T):
        x_path[:, t] = x
        x = A_hat @ x
    return X_path, x_path


def lake_model_steady_fixed(x, λ=0.283, α=0.013, b=0.0124, d=0.00822, n_iter=200):
    g = b - d
    A_hat = np.array([[(1 - d) * (1 - λ) + b, (1 - d) * α + b],
                      [(1 - d) * λ, (1 - d) * (1 - α)]]) / (1 + g)
    for _ in range(n_iter):
        x = A_hat @ x
    return x, x[0] / x.sum()


def solow_paths(k0, s=0.3, A=2.0, α=0.3, δ=0.4, ts_length=30):
    def g(k):
        return A * s * k ** α + (1 - δ) * k

    k = np.empty((ts_length,) + k0.shape)
    k[0] = k0
    for t in range(ts_length - 1):
        k[t + 1] = g(k[t])
    k_star = (s * A / δ) ** (1 / (1 - α))
    return k, k_star, np.abs(k[-1] - k_star)


def solow_shocks(k0, Z, s=0.2, α=0.4, δ=0.1, μ=-0.5, σ=0.3):
    T = Z.shape[0]
    k = np.empty((T + 1, len(k0)))
    k[0] = k0
    for t in range(T):
        A = np.exp(μ + σ * Z[t])
        k[t + 1] = s * A * k[t] ** α + (1 - δ) * k[t]
    return k, k[T // 2:].mean(axis=0)


def kesten_basic(x0, a_draws, η_draws):
    T, M = a_draws.shape
    X = np.empty((T + 1, M))
    X[0] = x0
    for t in range(T):
        X[t + 1] = a_draws[t] * X[t] + η_draws[t]
    return X, np.mean(X[-1]), np.var(X[-1])


def kesten_firms_where(Z, μ_a=-0.5, σ_a=0.1, μ_b=0.0, σ_b=0.5, μ_e=0.0, σ_e=0.5, s_bar=1.0,
                       s_init=1.0):
    _, T, M = Z.shape
    s = np.full(M, s_init)
    for t in range(T):
        e = np.exp(μ_e + σ_e * Z[0, t])
        a = np.exp(μ_a + σ_a * Z[1, t])
        b = np.exp(μ_b + σ_b * Z[2, t])
        s = np.where(s < s_bar, e, a * s + b)
    return s


def wealth_update(w, z, ζ, ξ, η, w_hat=1.0, s_0=0.75, c_y=1.0, μ_y=1.0, σ_y=0.2, c_r=0.05,
                  μ_r=0.1, σ_r=0.5, a=0.5, b=0.0, σ_z=0.1):
    T = ζ.shape[0]
    for t in range(T):
        zp = a * z + b + σ_z * ζ[t]
        y = c_y * np.exp(zp) + np.exp(μ_y + σ_y * ξ[t])
        R = c_r * np.exp(zp) + np.exp(μ_r + σ_r * η[t])
        w = np.where(w >= w_hat, R * s_0 * w + y, y)
        z = zp
    return w, z


def qe_lorenz_curve(y):
    n = len(y)
    y = np.sort(y)
    s = np.zeros(n + 1)
    s[1:] = np.cumsum(y)
    cum_people = np.zeros(n + 1)
    cum_income = s / s[n]
    for i in range(1, n + 1):
        cum_people[i] = i / n
    return cum_people, cum_income


def qe_gini_coefficient(y):
    n = len(y)
    i_sum = np.zeros(n)
    for i in range(n):
        for j in range(n):
            i_sum[i] += abs(y[i] - y[j])
    return np.sum(i_sum) / (2 * n * np.sum(y))


def wealth_lorenz_gini(w0, z0, ζ, ξ, η):
    w, _ = wealth_update(w0, z0, ζ, ξ, η)
    f, l = qe_lorenz_curve(w)
    return f, l, qe_gini_coefficient(w)


def inventory_where(x0, D, s=10.0, S=100.0):
    T = D.shape[0]
    X = np.empty((T + 1, len(x0)))
    X[0] = x0
    restocks = np.zeros(len(x0), dtype=int)
    for t in range(T):
        restock = X[t] <= s
        restocks += restock
        X[t + 1] = np.where(restock, np.maximum(S - D[t], 0), np.maximum(X[t] - D[t], 0))
    return X, np.mean(restocks > 1)


def cobweb_naive(p0, a=10.0, b=0.5, c=6.0, d=0.6, λ=2.0, T=25):
    def S(p):
        return np.tanh(λ * (p - c)) + d

    def g(p):
        return (a - S(p)) / b

    p = np.empty(T)
    p[0] = p0
    for t in range(T - 1):
        p[t + 1] = g(p[t])
    return p


def cobweb_adaptive(p0, e0, α=0.5, a=10.0, b=0.5, c=6.0, d=0.6, λ=2.0, T=25):
    def S(p):
        return np.tanh(λ * (p - c)) + d

    p = np.empty(T)
    p_e = np.empty(T)
    p[0], p_e[0] = p0, e0
    for t in range(T - 1):
        p_e[t + 1] = α * p[t] + (1 - α) * p_e[t]
        p[t + 1] = (a - S(p_e[t + 1])) / b
    return p, p_e


def samuelson_sim(y_0, y_1, α=0.92, β=0.5, γ=10.0, g=10.0, σ=0.0, ε=None):
    ρ1 = α + β
    ρ2 = -β
    n = len(ε)
    y_t = np.zeros(n)
    y_t[0] = y_0
    y_t[1] = y_1
    for t in range(n - 2):
        y_t[t + 2] = ρ1 * y_t[t + 1] + ρ2 * y_t[t] + γ + g + σ * ε[t]
    return y_t


def samuelson_roots(α, β, y):
    ρ1 = α + β
    ρ2 = -β
    roots = np.roots([1, -ρ1, -ρ2])
    return roots, np.abs(roots), y * np.max(np.abs(roots))


DYNAMICS = {
    "lake_model_paths": (lake_model_paths, {}, lambda s, n: (
        np.array([10.0, 140.0]) * s,)),
    "lake_model_steady_fixed": (lake_model_steady_fixed, {}, lambda s, n: (_psi(s, 2),)),
    "solow_paths": (solow_paths, {}, lambda s, n: (0.5 + 5 * _u(s, n),)),
    "solow_shocks": (solow_shocks, {}, lambda s, n: (1 + _u(s, n), _f(3 * n, n, seed=s))),
    "kesten_basic": (kesten_basic, {}, lambda s, n: (
        np.ones(n), np.exp(-0.3 + 0.5 * _f(12, n, seed=s)), 1 + _u(s, 12, n))),
    "kesten_firms_where": (kesten_firms_where, {}, lambda s, n: (_f(3, 10, 2 * n, seed=s),)),
    "wealth_update": (wealth_update, {}, lambda s, n: (
        np.ones(2 * n), np.zeros(2 * n), _f(8, 2 * n, seed=s), _f(8, 2 * n, seed=s + 1),
        _f(8, 2 * n, seed=s + 2))),
    "qe_lorenz_curve": (qe_lorenz_curve, {}, lambda s, n: (np.exp(_f(3 * n, seed=s)),)),
    "qe_gini_coefficient": (qe_gini_coefficient, {}, lambda s, n: (np.exp(_f(2 * n, seed=s)),)),
    "wealth_lorenz_gini": (wealth_lorenz_gini, {}, lambda s, n: (
        np.ones(2 * n), np.zeros(2 * n), _f(5, 2 * n, seed=s), _f(5, 2 * n, seed=s + 1),
        _f(5, 2 * n, seed=s + 2))),
    "inventory_where": (inventory_where, {}, lambda s, n: (
        np.full(2 * n, 50.0), np.exp(3.0 + 0.5 * _f(15, 2 * n, seed=s)))),
    "cobweb_naive": (cobweb_naive, {}, lambda s, n: (5.0 + 0.5 * s,)),
    "cobweb_adaptive": (cobweb_adaptive, {}, lambda s, n: (5.0 + 0.5 * s, 5.5)),
    "samuelson_sim": (samuelson_sim, {}, lambda s, n: (
        100.0, 80.0 + s, 0.9, 0.4 + 0.1 * s, 10.0, 10.0, 1.0, _f(5 * n, seed=s))),
}


@pytest.mark.parametrize("name", list(DYNAMICS))
def test_quantecon_macro_dynamics_match_numpy(name):
    check_like_numpy(*DYNAMICS[name])


@pytest.mark.parametrize("α", [0.92, 0.3])
def test_samuelson_roots_of_python_scalars_are_steered(α):
    """`np.roots([1, -ρ1, -ρ2])` of the multiplier-accelerator: NumPy returns complex roots
    for a weak accelerator and float64 ones for a strong one, so the result's dtype depends on
    the values; of Python float arguments (it recursed without end), jit makes them static."""
    check_steered(samuelson_roots,
                  lambda s: (α + 0.01 * s, 0.5 if α > 0.5 else 0.05, _f(3, seed=s)))


def test_roots_of_traced_array_values_are_refused():
    """`np.roots` of a list holding values from an array argument: refused by name."""
    check_refused(tracenp.errors.DataDependentShapeError,
                  lambda c: np.roots([1.0, c[0], c[1]]), lambda s: (_f(2, seed=s),))


# --------------------------------------------------- QuantEcon: state space, LQ and Kalman


def lss_simulate(A, C, G, x0, w):
    T = len(w)
    n = A.shape[0]
    x = np.empty((n, T))
    x[:, 0] = x0
    for t in range(1, T):
        x[:, t] = A @ x[:, t - 1] + C @ w[t]
    y = G @ x
    return x, y


def lss_moments(A, C, G, μ_0, Σ_0, T=15):
    μ_x, Σ_x = μ_0, Σ_0
    μ_ys, Σ_ys = [], []
    for t in range(T):
        μ_y = G @ μ_x
        Σ_y = G @ Σ_x @ G.T
        μ_ys.append(μ_y)
        Σ_ys.append(Σ_y)
        μ_x = A @ μ_x
        Σ_x = A @ Σ_x @ A.T + C @ C.T
    return np.array(μ_ys), np.array(Σ_ys), Σ_x


def lyapunov_doubling(A, B, n_iter=12):
    α0 = A
    γ0 = B
    for _ in range(n_iter):
        α1 = α0.dot(α0)
        γ1 = γ0 + np.dot(α0.dot(γ0), α0.conjugate().T)
        α0 = α1
        γ0 = γ1
    return γ0


def lss_stationary(A, C, G):
    Σ_x = lyapunov_doubling(A, C @ C.T)
    Σ_y = G @ Σ_x @ G.T
    return Σ_x, Σ_y, np.allclose(Σ_x, A @ Σ_x @ A.T + C @ C.T)


def lss_impulse_response(A, C, G, j=8):
    xcoef = [C]
    ycoef = [G @ C]
    for i in range(j):
        xcoef.append(A @ xcoef[i])
        ycoef.append(G @ A @ xcoef[i])
    return np.array(xcoef), np.array(ycoef)


def lss_geometric_sums(A, G, β, x_t):
    I = np.identity(A.shape[0])
    S_x = np.linalg.solve(I - β * A, x_t)
    S_y = G @ S_x
    return S_x, S_y


def lq_stationary(Q, R, A, B, N, β=0.95, n_iter=150):
    n = A.shape[0]
    P = np.zeros((n, n))
    for i in range(n_iter):
        F = np.linalg.solve(Q + β * B.T @ P @ B, β * B.T @ P @ A + N)
        P = R - (β * B.T @ P @ A + N).T @ F + β * A.T @ P @ A
    F = np.linalg.solve(Q + β * B.T @ P @ B, β * B.T @ P @ A + N)
    return P, F


def lq_finite_horizon(Q, R, A, B, C, Rf, x0, w, β=0.95):
    T = len(w)
    P, d = Rf, 0.0
    F = np.empty((T, B.shape[1], A.shape[0]))
    for t in range(T - 1, -1, -1):
        S1 = Q + β * np.dot(B.T, np.dot(P, B))
        S2 = β * np.dot(B.T, np.dot(P, A))
        S3 = β * np.dot(A.T, np.dot(P, A))
        F[t] = np.linalg.solve(S1, S2)
        d = β * (d + np.trace(np.dot(P, np.dot(C, C.T))))
        P = R - np.dot(S2.T, F[t]) + S3
    x_path = np.empty((A.shape[0], T + 1))
    u_path = np.empty((B.shape[1], T))
    x_path[:, 0] = x0
    for t in range(T):
        u_path[:, t] = -F[t] @ x_path[:, t]
        x_path[:, t + 1] = A @ x_path[:, t] + B @ u_path[:, t] + C @ w[t]
    return x_path, u_path, P, d


class Kalman:
    """QuantEcon's `Kalman`, its `x_hat.shape = n, 1` written as a reshape."""

    def __init__(self, A, C, G, H, x_hat, Sigma):
        self.A, self.C, self.G, self.H = A, C, G, H
        self.k, self.n = G.shape
        self.x_hat = np.atleast_2d(x_hat).reshape(self.n, 1)
        self.Sigma = Sigma

    def prior_to_filtered(self, y):
        G, H = self.G, self.H
        R = np.dot(H, H.T)
        y = np.atleast_2d(y).reshape(self.k, 1)
        E = np.dot(self.Sigma, G.T)
        F = np.dot(np.dot(G, self.Sigma), G.T) + R
        M = np.dot(E, np.linalg.inv(F))
        self.x_hat = self.x_hat + np.dot(M, (y - np.dot(G, self.x_hat)))
        self.Sigma = self.Sigma - np.dot(M, np.dot(G, self.Sigma))

    def filtered_to_forecast(self):
        A, C = self.A, self.C
        Q = np.dot(C, C.T)
        self.x_hat = np.dot(A, self.x_hat)
        self.Sigma = np.dot(A, np.dot(self.Sigma, A.T)) + Q

    def update(self, y):
        self.prior_to_filtered(y)
        self.filtered_to_forecast()

    def stationary_values(self, n_iter=60):
        A, C, G, H = self.A, self.C, self.G, self.H
        Q, R = np.dot(C, C.T), np.dot(H, H.T)
        Sigma = Q
        for _ in range(n_iter):
            K = A @ Sigma @ G.T @ np.linalg.inv(G @ Sigma @ G.T + R)
            Sigma = A @ Sigma @ A.T - K @ G @ Sigma @ A.T + Q
        K = A @ Sigma @ G.T @ np.linalg.inv(G @ Sigma @ G.T + R)
        return Sigma, K


def kalman_class_filter(A, C, G, H, x0, Sigma0, ys):
    kf = Kalman(A, C, G, H, x0, Sigma0)
    x_hats = []
    for y in ys:
        kf.update(y)
        x_hats.append(kf.x_hat.flatten())
    Sigma_inf, K_inf = kf.stationary_values()
    return np.array(x_hats), kf.Sigma, Sigma_inf, K_inf


def kalman_first_look(y, θ_prior=8.0, σ_prior=1.0):
    """The lecture's exercise: a constant θ seen with unit noise, the prior N(8, 1)."""
    A, C, G, H = np.ones((1, 1)), np.zeros((1, 1)), np.ones((1, 1)), np.ones((1, 1))
    kalman = Kalman(A, C, G, H, θ_prior, σ_prior * np.ones((1, 1)))
    T = len(y)
    x_hat = np.empty(T)
    sigma = np.empty(T)
    for t in range(T):
        m, v = kalman.x_hat.item(), kalman.Sigma.item()
        x_hat[t], sigma[t] = m, v
        kalman.update(y[t])
    return x_hat, sigma


def _lss(s, n, k=2, m=2):
    A = _stable(s, n)
    return A, 0.3 * _f(n, m, seed=s + 1), _f(k, n, seed=s + 2)


def _lq(s, n, k=2):
    Q = np.eye(k) * (1 + 0.1 * s)
    R = np.eye(n)
    A, B = _stable(s, n, 0.95), _f(n, k, seed=s + 3)
    return Q, R, A, B


STATE_SPACE = {
    "lss_simulate": (lss_simulate, {}, lambda s, n: (*_lss(s, n), _f(n, seed=s),
                                                     _f(3 * n, 2, seed=s + 4))),
    "lss_moments": (lss_moments, {}, lambda s, n: (*_lss(s, n), _f(n, seed=s), np.eye(n))),
    "lss_stationary": (lss_stationary, {}, lambda s, n: _lss(s, n)),
    "lss_impulse_response": (lss_impulse_response, {}, lambda s, n: _lss(s, n)),
    "lss_geometric_sums": (lss_geometric_sums, {}, lambda s, n: (
        _stable(s, n), _f(2, n, seed=s), 0.95, _f(n, seed=s + 1))),
    "lq_stationary": (lq_stationary, {}, lambda s, n: (*_lq(s, n), 0.1 * _f(2, n, seed=s))),
    "lq_finite_horizon": (lq_finite_horizon, {}, lambda s, n: (
        *_lq(s, n), 0.1 * _f(n, 2, seed=s), 2 * np.eye(n), _f(n, seed=s), _f(8, 2, seed=s))),
    "kalman_class_filter": (kalman_class_filter, {}, lambda s, n: (
        *_lss(s, n), 0.5 * np.eye(2), np.zeros(n), np.eye(n), _f(2 * n, 2, seed=s + 5))),
    "kalman_first_look": (kalman_first_look, {}, lambda s, n: (10 + _f(3 * n, seed=s),)),
}


@pytest.mark.parametrize("name", list(STATE_SPACE))
def test_quantecon_state_space_lq_and_kalman_match_numpy(name):
    check_like_numpy(*STATE_SPACE[name])


# ------------------------------------------- QuantEcon: present values, smoothing, asset prices


def present_value_loops(d, δ=0.99, p_star=10.0):
    T = len(d) - 1
    A = np.zeros((T + 1, T + 1))
    for i in range(T + 1):
        for j in range(T + 1):
            if i == j:
                A[i, j] = 1
                if j < T:
                    A[i, j + 1] = -δ
    b = np.zeros(T + 1)
    b[-1] = δ * p_star
    p = np.linalg.solve(A, d + b)
    check = np.array([np.sum(δ ** np.arange(T + 1 - t) * d[t:]) + δ ** (T + 1 - t) * p_star
                      for t in range(T + 1)])
    return p, np.linalg.inv(A), check


def create_d(d0, g, T):
    d = np.zeros(T + 1)
    d[0] = d0
    for t in range(T):
        d[t + 1] = g * d[t]
    return d


def present_value_growing(y, δ=0.95, g=1.02, p_star=5.0):
    d = create_d(y[0], g, len(y) - 1) + y
    p = np.zeros_like(d)
    p[-1] = d[-1] + δ * p_star
    for t in range(len(d) - 2, -1, -1):
        p[t] = d[t] + δ * p[t + 1]
    return p


def consumption_smoothing(y_seq, a0, R=1.05, g1=1.0, g2=1 / 2):
    T = len(y_seq) - 1
    β_seq = np.array([R ** (-i) for i in range(T + 1)])
    h0 = β_seq @ y_seq
    c0 = (1 - 1 / R) / (1 - (1 / R) ** (T + 1)) * (a0 + h0)
    c_seq = c0 * np.ones(T + 1)
    a_seq = np.empty(T + 2)
    a_seq[0] = a0
    for t in range(T + 1):
        a_seq[t + 1] = R * a_seq[t] + y_seq[t] - c_seq[t]
    welfare = np.sum(β_seq * (g1 * c_seq - g2 / 2 * c_seq ** 2))
    return c_seq, a_seq, h0, welfare


def consumption_smoothing_matrix(y_seq, c_seq, a0, R=1.05):
    T = len(y_seq) - 1
    A = np.diag(-R * np.ones(T), k=-1) + np.eye(T + 1)
    b = y_seq - c_seq
    b[0] = b[0] + R * a0
    a_seq = np.linalg.inv(A) @ b
    a_seq = np.concatenate([[a0], a_seq])
    return a_seq


def consumption_variation(y_seq, a0, ξ1, ϕ, R=1.05, g1=1.0, g2=1 / 2):
    T = len(y_seq) - 1
    c_seq, _, _, _ = consumption_smoothing(y_seq, a0, R)
    ξ0 = ξ1 * ((1 - 1 / R) / (1 - (1 / R) ** (T + 1))) * (
        (1 - (ϕ / R) ** (T + 1)) / (1 - ϕ / R))
    v_seq = np.array([(ξ1 * ϕ ** t - ξ0) for t in range(T + 1)])
    cvar_seq = c_seq + v_seq
    β_seq = R ** (-np.arange(T + 1))
    welfare = β_seq @ (g1 * cvar_seq - g2 / 2 * cvar_seq ** 2)
    return cvar_seq, welfare, np.sum(v_seq * β_seq)


def calculate_y(i, b, g, y_init):
    T = len(g) - 1
    y = np.zeros(T + 1)
    y[0] = i + b * y_init + g[0]
    for t in range(1, T + 1):
        y[t] = b * y[t - 1] + i + g[t]
    return y


def finite_lease_pv(T, g=0.02, r=0.03, x_0=1.0):
    G = 1 + g
    R = 1 + r
    true = (x_0 * (1 - G ** (T + 1) * R ** (-T - 1))) / (1 - G * R ** (-1))
    approx_1 = x_0 * (T + 1) * (1 + T * g - T * r)    # first approximation, as the lecture has it
    approx_2 = x_0 * (T + 1) * (1 + T * g - T * r) / (1 + g - r)
    infinite = x_0 / (r - g)
    return true, approx_1, approx_2, infinite


def money_multiplier(D0, r=0.2, T=12):
    deposits = np.zeros((T, len(D0)))
    reserves = np.zeros((T, len(D0)))
    loans = np.zeros((T, len(D0)))
    deposits[0] = D0
    reserves[0] = r * D0
    loans[0] = (1 - r) * D0
    for i in range(1, T):
        deposits[i] = loans[i - 1]
        reserves[i] = r * deposits[i]
        loans[i] = (1 - r) * deposits[i]
    return deposits.sum(axis=0), deposits.sum(axis=0) / D0, reserves.cumsum(axis=0)


def lucas_tree_price(P, y, β=0.96, γ=2.0):
    n = len(y)
    J = P * np.exp(y) ** (1 - γ)
    I = np.identity(n)
    Ones = np.ones(n)
    v = np.linalg.solve(I - β * J, β * J @ Ones)
    return v, np.max(np.abs(np.linalg.eigvals(β * J)))


def consol_price(P, y, ζ, β=0.96, γ=2.0):
    n = len(y)
    M = P * np.exp(y) ** (-γ)
    I = np.identity(n)
    Ones = np.ones(n)
    return np.linalg.solve(I - β * M, β * ζ * M @ Ones)


def call_option_fixed(P, y, ζ, p_s, β=0.96, γ=2.0, n_iter=100):
    M = P * np.exp(y) ** (-γ)
    p = consol_price(P, y, ζ, β, γ)
    w = np.zeros(len(y))
    for i in range(n_iter):
        w = np.maximum(β * M @ w, p - p_s)
    return w


def hk_price_single_beliefs(transition, dividend_payoff, β=0.75):
    imbq = np.eye(transition.shape[0]) - β * transition
    prices = β * np.linalg.inv(imbq) @ transition @ dividend_payoff
    return prices


def hk_price_optimistic_fixed(qa, qb, dividend_payoff, β=0.75, max_iter=80):
    transitions = [qa, qb]
    p_new = np.array([[0], [0]])
    p_old = np.array([[10.], [10.]])
    for i in range(max_iter):
        p_old = p_new
        p_new = β * np.max([q @ p_old + q @ dividend_payoff for q in transitions], axis=0)
    ptwiddle = β * np.min([q @ p_old + q @ dividend_payoff for q in transitions], axis=0)
    phat_a = np.array([p_new[0], ptwiddle[1]])
    phat_b = np.array([ptwiddle[0], p_new[1]])
    return p_new, phat_a, phat_b


def _hk(s):
    qa = np.array([[1 / 2, 1 / 2], [2 / 3, 1 / 3]])
    qb = np.array([[2 / 3, 1 / 3], [1 / 4, 3 / 4]])
    return qa * (1 - 0.01 * s) + 0.005 * s, qb, np.array([[0.0], [1.0 + 0.1 * s]])


PRICES = {
    "present_value_loops": (present_value_loops, {}, lambda s, n: (
        1 + 0.05 * np.arange(n + 2) + 0.1 * _f(n + 2, seed=s),)),
    "present_value_growing": (present_value_growing, {}, lambda s, n: (0.1 * _f(2 * n, seed=s),)),
    "consumption_smoothing": (consumption_smoothing, {}, lambda s, n: (
        np.concatenate([np.ones(n), np.zeros(3)]) + 0.1 * _f(n + 3, seed=s), 2.0 + s)),
    "consumption_smoothing_matrix": (consumption_smoothing_matrix, {}, lambda s, n: (
        1 + 0.1 * _f(2 * n, seed=s), np.full(2 * n, 1.1), 1.0 + s)),
    "consumption_variation": (consumption_variation, {}, lambda s, n: (
        1 + 0.1 * _f(2 * n, seed=s), 1.0 + s, 0.01 * s, 1.01)),
    "calculate_y": (calculate_y, {}, lambda s, n: (0.3, 0.9 - 0.1 * s, _u(s, 4 * n), 100.0)),
    "finite_lease_pv": (finite_lease_pv, {}, lambda s, n: (np.arange(0, 10 * n, 2) + s,)),
    "money_multiplier": (money_multiplier, {}, lambda s, n: (100 * (1 + _u(s, n)),)),
    "lucas_tree_price": (lucas_tree_price, {}, lambda s, n: (_P(s, n), 0.1 * _f(n, seed=s))),
    "consol_price": (consol_price, {}, lambda s, n: (_P(s, n), 0.1 * _f(n, seed=s), 1.0 + s)),
    "call_option_fixed": (call_option_fixed, {}, lambda s, n: (
        _P(s, n), 0.1 * _f(n, seed=s), 1.0, 40.0 + s)),
    "hk_price_single_beliefs": (hk_price_single_beliefs, {}, lambda s, n: _hk(s)[::2]),
    "hk_price_optimistic_fixed": (hk_price_optimistic_fixed, {}, lambda s, n: _hk(s)),
}


@pytest.mark.parametrize("name", list(PRICES))
def test_quantecon_present_values_and_asset_prices_match_numpy(name):
    check_like_numpy(*PRICES[name])


# --------------------------------------------- QuantEcon: AR(1), LLN and CLT, heavy tails, SIR


def ar1_moments_densities(x_grid, μ_0=-3.0, v_0=0.6, a=0.9, b=0.1, c=0.5, T=10):
    def ψ(x, μ, v):
        return np.exp(-(x - μ) ** 2 / (2 * v)) / np.sqrt(2 * np.pi * v)

    μ, v = μ_0, v_0
    densities = np.empty((T, len(x_grid)))
    for t in range(T):
        densities[t] = ψ(x_grid, μ, v)
        μ = a * μ + b
        v = a ** 2 * v + c ** 2
    μ_star, v_star = b / (1 - a), c ** 2 / (1 - a ** 2)
    return densities, μ, v, μ_star, v_star


def ar1_ensemble(x0, W, a=0.9, b=0.1, c=0.5):
    T = W.shape[0]
    X = np.empty((T + 1,) + x0.shape)
    X[0] = x0
    for t in range(T):
        X[t + 1] = a * X[t] + b + c * W[t]
    return X, X[-1].mean(), X[-1].var(), np.mean(X[1:] ** 2, axis=0)


def rouwenhorst(template, ρ=0.9, σ=0.1, μ=0.0):
    n = len(template)
    y_sd = np.sqrt(σ ** 2 / (1 - ρ ** 2))
    p = (1 + ρ) / 2
    q = p
    ψ = y_sd * np.sqrt(n - 1)
    state_values = np.linspace(-ψ, ψ, n)

    def row_build_mat(n, p, q):
        if n == 2:
            theta = np.array([[p, 1 - p], [1 - q, q]])
        elif n > 2:
            p1 = np.zeros((n, n))
            p2 = np.zeros((n, n))
            p3 = np.zeros((n, n))
            p4 = np.zeros((n, n))
            new_mat = row_build_mat(n - 1, p, q)
            p1[:n - 1, :n - 1] = p * new_mat
            p2[:n - 1, 1:] = (1 - p) * new_mat
            p3[1:, :-1] = (1 - q) * new_mat
            p4[1:, 1:] = q * new_mat
            theta = p1 + p2 + p3 + p4
            theta[1:n - 1, :] = theta[1:n - 1, :] / 2
        return theta

    theta = row_build_mat(n, p, q)
    state_values += μ / (1 - ρ)
    return state_values, theta


def lln_running_means(X):
    n = X.shape[1]
    return np.cumsum(X, axis=1) / np.arange(1, n + 1)


def clt_standardized(U, a=0.0, b=1.0):
    """Uniform draws on (a, b): √n (x̄ - μ) / σ, and a histogram of it on a fixed grid."""
    μ, s = (a + b) / 2, np.sqrt((b - a) ** 2 / 12)
    n = U.shape[1]
    X = a + (b - a) * U
    Y = np.sqrt(n) * (X.mean(axis=1) - μ) / s
    counts, edges = np.histogram(Y, bins=8, range=(-3, 3), density=True)
    return Y, counts, edges


def pareto_ccdf(u, x_grid, x_m=1.0, α=1.5):
    draws = x_m * u ** (-1 / α)
    ccdf = np.mean(draws[None, :] > x_grid[:, None], axis=1)
    return draws, ccdf, (x_m / x_grid) ** α


def hill_estimator(x, k=4):
    s = np.sort(x)[::-1]
    return 1 / np.mean(np.log(s[:k]) - np.log(s[k]))


def rank_size_fit(data, c=0.5):
    w = -np.sort(-data)
    w = w[:int(len(w) * c)]
    rank_data = np.arange(len(w)) + 1
    slope, intercept = np.polyfit(np.log(rank_data), np.log(w), 1)
    return np.log(rank_data), np.log(w), slope, intercept


def cauchy_sample_means(u):
    x = np.tan(np.pi * (u - 0.5))
    n = len(x)
    return np.cumsum(x) / np.arange(1, n + 1), np.median(x)


def covid_sir_euler(x_0, dt=0.5, T=40, γ=1 / 18, σ=1 / 5.2, r0=3.0, η=1 / 20, r_bar=1.6):
    def R0_mitigating(t):
        return r0 * np.exp(-η * t) + (1 - np.exp(-η * t)) * r_bar

    def F(x, t):
        s, e, i = x
        β = R0_mitigating(t) * γ
        ne = β * s * i
        ds = -ne
        de = ne - σ * e
        di = σ * e - γ * i
        return np.array([ds, de, di])

    path = np.empty((T + 1, 3) + x_0.shape[1:])
    path[0] = x_0
    x = x_0
    for k in range(T):
        x = x + dt * F(x, k * dt)
        path[k + 1] = x
    c_path = 1 - path[:, 0]
    return path, c_path


def _sir0(s, n):
    i_0 = 1e-3 * (1 + _u(s, n))
    e_0 = 4 * i_0
    return np.stack([1 - i_0 - e_0, e_0, i_0])


PROCESSES = {
    "ar1_moments_densities": (ar1_moments_densities, {}, lambda s, n: (
        np.linspace(-5, 7, 3 * n),)),
    "ar1_ensemble": (ar1_ensemble, {}, lambda s, n: (_f(n, seed=s), _f(10, n, seed=s + 1))),
    "rouwenhorst": (rouwenhorst, {}, lambda s, n: (np.zeros(n), 0.8 + 0.05 * s, 0.2, 0.1 * s)),
    "lln_running_means": (lln_running_means, {}, lambda s, n: (_u(s, 3, 4 * n),)),
    "clt_standardized": (clt_standardized, {}, lambda s, n: (_u(s, 5 * n, 10),)),
    "pareto_ccdf": (pareto_ccdf, {}, lambda s, n: (_u(s, 10 * n), np.geomspace(1, 50, n))),
    "hill_estimator": (hill_estimator, {}, lambda s, n: (_u(s, 4 * n) ** (-1 / 1.5),)),
    "rank_size_fit": (rank_size_fit, {}, lambda s, n: (_u(s, 4 * n) ** (-1 / 1.2),)),
    "cauchy_sample_means": (cauchy_sample_means, {}, lambda s, n: (_u(s, 5 * n),)),
    "covid_sir_euler": (covid_sir_euler, {}, lambda s, n: (_sir0(s, n),)),
}


@pytest.mark.parametrize("name", list(PROCESSES))
def test_quantecon_processes_and_tails_match_numpy(name):
    check_like_numpy(*PROCESSES[name])


# --------------------------------------------------------------- QuantEcon: Schelling in NumPy


def schelling_count_happy(locations, types, num_neighbors=4, require_same_type=2):
    def get_distances(loc, locations):
        return np.linalg.norm(loc - locations, axis=1)

    def get_neighbors(i, locations):
        loc = locations[i, :]
        distances = get_distances(loc, locations)
        distances[i] = np.inf
        indices = np.argsort(distances)
        neighbors = indices[:num_neighbors]
        return neighbors

    def is_happy(i, locations):
        neighbors = get_neighbors(i, locations)
        num_same_type = np.sum(types[neighbors] == types[i])
        return num_same_type >= require_same_type

    happy_sum = 0
    for i in range(len(locations)):
        happy_sum += is_happy(i, locations)
    return happy_sum


def test_schelling_count_happy_matches_numpy():
    check_like_numpy(schelling_count_happy, {}, lambda s, n: (
        _u(s, 2 * n, 2), _i(2, 2 * n, seed=s)))


# ------------------------------------------------------------ Scientific Python Lectures: NumPy


def sl_compute_mandelbrot(x, y, N_max=50, some_threshold=50):
    c = x[:, np.newaxis] + 1j * y[np.newaxis, :]
    z = c
    for j in range(N_max):
        z = z ** 2 + c
    mandelbrot_set = (abs(z) < some_threshold)
    return mandelbrot_set


def sl_markov_exercise(P, p, n_steps=50):
    P = P / P.sum(axis=1)[:, np.newaxis]
    p = p / p.sum()
    for k in range(n_steps):
        p = P.T.dot(p)
    p_50 = p
    w, v = np.linalg.eig(P.T)
    j_stationary = np.argmin(abs(w - 1.0))
    p_stationary = v[:, j_stationary].real
    p_stationary /= p_stationary.sum()
    return p_50, p_stationary, np.allclose(p_50, p_stationary)


def sl_populations_answers(data):
    year, hares, lynxes, carrots = data.T
    populations = data[:, 1:]
    lowest_two = np.argsort(populations, axis=0)[:2]
    above = np.any(populations > 50000, axis=1)
    dhares = np.gradient(hares, 1.0)
    return (year[lowest_two], np.where(above, year, 0), np.corrcoef(dhares, lynxes)[0, 1],
            populations.std(axis=0), np.argmax(populations, axis=1))


def _populations(s, n):
    year = np.arange(1900, 1900 + 3 * n, dtype=float)
    pops = np.round(1000 * (30 + 30 * _u(s, 3 * n, 3)))
    return np.column_stack([year, pops])


def sl_crude_integral(p):
    a, b, c = np.ogrid[0:1:20j, 0:1:20j, 0:1:20j]
    samples = (a ** (b * p[:, None, None, None]) - c)
    integral = samples.mean(axis=(1, 2, 3))
    return integral, integral - (np.log(2) - 0.5)


def sl_frame_face(face, centerx, centery, radius):
    sy, sx = face.shape
    y, x = np.ogrid[0:sy, 0:sx]
    mask = ((y - centery) ** 2 + (x - centerx) ** 2) > radius ** 2
    face[mask] = 0
    return face.sum(), mask.sum()


def sl_stride_tricks(x):
    n = x.shape[0]
    rep = as_strided(x, shape=(3, n), strides=(0, x.itemsize))
    A = x[:n * n].reshape(n, n) if x.size >= n * n else np.outer(x, x)
    diag = as_strided(A, shape=(A.shape[0],), strides=((A.shape[1] + 1) * A.itemsize,))
    return rep * 2, diag.copy(), np.allclose(diag, np.diag(A))


def sl_superdiagonal_of_a_row(A):
    """The superdiagonal as a strided view of the row `A[0, 1:]`, reaching past its end."""
    return as_strided(A[0, 1:], shape=(A.shape[0] - 1,), strides=((A.shape[1] + 1) * A.itemsize,))


def sl_superdiagonal_of_columns(A):
    """The same from the non-contiguous view `A[:, 1:]`."""
    return as_strided(A[:, 1:], shape=(A.shape[0] - 1,), strides=((A.shape[1] + 1) * A.itemsize,))


def sl_fancy_indexing(a, b):
    c = a[(0, 1, 2, 3), (1, 2, 3, 4)]
    d = a[3:, [0, 2, 4]]
    mask = np.array([1, 0, 1, 0, 0, 1], dtype=bool)
    e = a[mask, 2]
    b[[2, 3, 2, 4, 2]] = -100
    b[[9, 7]] = b[[1, 0]]
    return c, d, e, b[[2, 3, 2, 4, 2]]


def sl_array_creation(x):
    a = np.ones((4, 4), dtype=int)
    a[3, 1] = 6
    a[2, 3] = 2
    b = np.zeros((6, 5))
    b[1:] = np.diag(np.arange(2, 7))[:, :5]
    t = np.tile(np.array([[4, 3], [2, 1]]), (2, 3))
    return a * x[0], b + x[:, None].sum(), t * x.max()


def sl_polyfit(x, y):
    p = np.polyfit(x, y, 3)
    t = np.linspace(x.min(), x.max(), 7)
    return p, np.polyval(p, t), np.polyder(p), np.polyint(p)


def sl_fft_denoise(im, keep_fraction=0.1):
    im_fft = np.fft.fft2(im)
    im_fft2 = im_fft.copy()
    r, c = im_fft2.shape
    im_fft2[int(r * keep_fraction):int(r * (1 - keep_fraction))] = 0
    im_fft2[:, int(c * keep_fraction):int(c * (1 - keep_fraction))] = 0
    im_new = np.fft.ifft2(im_fft2).real
    return im_new, np.abs(im_fft2).sum()


def sl_sorting(a):
    b = np.sort(a, axis=1)
    a.sort(axis=1)
    j = np.argsort(a[:, 0])
    j_max = np.argmax(a, axis=1)
    return b, a[j], j_max, a[np.arange(len(a)), j_max]


SCIPY_LECTURES = {
    "sl_compute_mandelbrot": (sl_compute_mandelbrot, {}, lambda s, n: (
        np.linspace(-2, 1, 2 * n) + 0.01 * s, np.linspace(-1.5, 1.5, n + 1))),
    "sl_markov_exercise": (sl_markov_exercise, {}, lambda s, n: (_u(s, n, n), _u(s + 1, n))),
    "sl_populations_answers": (sl_populations_answers, {}, lambda s, n: (_populations(s, n),)),
    "sl_crude_integral": (sl_crude_integral, {}, lambda s, n: (0.5 + _u(s, n),)),
    "sl_frame_face": (sl_frame_face, {}, lambda s, n: (
        _i(256, 3 * n, 4 * n, seed=s), 2.0 * n + s, 1.5 * n, 1.2 * n)),
    "sl_stride_tricks": (sl_stride_tricks, {}, lambda s, n: (_f(n * n, seed=s),)),
    "sl_fancy_indexing": (sl_fancy_indexing, {}, lambda s, n: (
        _f(6, n + 2, seed=s), np.arange(10 + n) * 10 * s)),
    "sl_array_creation": (sl_array_creation, {}, lambda s, n: (_i(9, n, seed=s),)),
    "sl_polyfit": (sl_polyfit, {}, lambda s, n: (np.linspace(0, 1, 2 * n), _f(2 * n, seed=s))),
    "sl_fft_denoise": (sl_fft_denoise, {}, lambda s, n: (_u(s, 2 * n, 3 * n),)),
    "sl_sorting": (sl_sorting, {}, lambda s, n: (_f(n, 3, seed=s),)),
}


@pytest.mark.parametrize("name", list(SCIPY_LECTURES))
def test_scientific_python_lectures_match_numpy(name):
    check_like_numpy(*SCIPY_LECTURES[name])


# ---------------------------------------------------------- VanderPlas: handbook and blog posts


def compute_reciprocals(values):
    output = np.empty(len(values))
    for i in range(len(values)):
        output[i] = 1.0 / values[i]
    return output


def ufunc_features(x):
    y = np.empty(len(x))
    np.multiply(x, 10, out=y)
    z = np.zeros(2 * len(x))
    np.power(2, x, out=z[::2])
    return (y, z, np.add.reduce(x), np.multiply.reduce(x), np.add.accumulate(x),
            np.multiply.accumulate(x), np.multiply.outer(x, x))


def broadcast_centering_surface(X, x, y):
    Xmean = X.mean(0)
    X_centered = X - Xmean
    z = np.sin(x) ** 10 + np.cos(10 + y[:, np.newaxis] * x) * np.cos(x)
    return X_centered.mean(0), z


def counting_with_masks(x):
    return (np.count_nonzero(x < 6), np.sum(x < 6, axis=1), np.any(x > 8), np.any(x < 0),
            np.all(x < 10), np.all(x == 6, axis=1), np.sum((x > 3) & (x < 7)),
            np.sum(~((x <= 3) | (x >= 7))), x[x < 5].sum())


def fancy_indexing_pdsh(X, x):
    row = np.array([0, 1, 2])
    col = np.array([2, 1, 3])
    mask = np.array([1, 0, 1, 0], dtype=bool)
    a = X[row[:, np.newaxis], col]
    b = X[2, [2, 0, 1]]
    c = X[1:, [2, 0, 1]]
    d = X[row[:, np.newaxis], mask]
    i = np.array([2, 1, 8, 4])
    x[i] = 99
    x[i] -= 10
    x[[0, 0]] = [4, 6]
    j = [2, 3, 3, 4, 4, 4]
    x[j] += 1
    counts = np.zeros(len(x))
    np.add.at(counts, j, 1)
    return a, b, c, d, x, counts


def partitions(x, X):
    return np.partition(x, 3)[:3], np.sort(np.partition(X, 2, axis=1)[:, :2], axis=1)


def builtin_vs_numpy(L, M):
    return sum(L), np.sum(L), min(L), max(L), np.min(M), M.max(axis=0), M.min(axis=1)


def gaussian_features_regression(x, y, N=6, width_factor=2.0):
    def _gauss_basis(x, y, width, axis=None):
        arg = (x - y) / width
        return np.exp(-0.5 * np.sum(arg ** 2, axis))

    X = x[:, np.newaxis]
    centers_ = np.linspace(X.min(), X.max(), N)
    width_ = width_factor * (centers_[1] - centers_[0])
    F = _gauss_basis(X[:, :, np.newaxis], centers_, width_, axis=1)
    F1 = np.hstack([np.ones((len(x), 1)), F])
    coef, *_ = np.linalg.lstsq(F1, y, rcond=None)
    return F, F1 @ coef


def kde_gaussian(x, x_d, bandwidth=0.5):
    density = sum(np.exp(-0.5 * ((x_d - xi) / bandwidth) ** 2) for xi in x)
    density /= len(x) * bandwidth * np.sqrt(2 * np.pi)
    hist, edges = np.histogram(x, bins=5, density=True)
    return density, hist, edges


def bayesian_blocks_fitness(t):
    t = np.sort(t)
    N = t.size
    edges = np.concatenate([t[:1], 0.5 * (t[1:] + t[:-1]), t[-1:]])
    block_length = t[-1] - edges
    nn_vec = np.ones(N)
    best = np.zeros(N, dtype=float)
    last = np.zeros(N, dtype=int)
    for K in range(N):
        width = block_length[:K + 1] - block_length[K + 1]
        count_vec = np.cumsum(nn_vec[:K + 1][::-1])[::-1]
        fit_vec = count_vec * (np.log(count_vec) - np.log(width))
        fit_vec -= 4
        fit_vec[1:] += best[:K]
        i_max = np.argmax(fit_vec)
        last[K] = i_max
        best[K] = fit_vec[i_max]
    return best, last, edges


def pairwise_python(X):
    M = X.shape[0]
    N = X.shape[1]
    D = np.empty((M, M), dtype=float)
    for i in range(M):
        for j in range(M):
            d = 0.0
            for k in range(N):
                tmp = X[i, k] - X[j, k]
                d += tmp * tmp
            D[i, j] = np.sqrt(d)
    return D


def lomb_scargle_naive(t, y, dy, freq):
    w = 1.0 / dy ** 2
    W = w.sum()
    Y = np.dot(w, y) / W
    y = y - Y
    omega = 2 * np.pi * freq[:, None]
    tau = np.arctan2(np.sum(w * np.sin(2 * omega * t), 1),
                     np.sum(w * np.cos(2 * omega * t), 1)) / (2 * omega[:, 0])
    wt = omega * (t - tau[:, None])
    YC = np.sum(w * y * np.cos(wt), 1)
    YS = np.sum(w * y * np.sin(wt), 1)
    CC = np.sum(w * np.cos(wt) ** 2, 1)
    SS = np.sum(w * np.sin(wt) ** 2, 1)
    YY = np.dot(w, y ** 2)
    return (YC ** 2 / CC + YS ** 2 / SS) / YY


def DFT_slow(x):
    x = np.asarray(x, dtype=float)
    N = x.shape[0]
    n = np.arange(N)
    k = n.reshape((N, 1))
    M = np.exp(-2j * np.pi * k * n / N)
    return np.dot(M, x)


def FFT(x):
    x = np.asarray(x, dtype=float)
    N = x.shape[0]
    if N % 2 > 0:
        raise ValueError("size of x must be a power of 2")
    elif N <= 8:
        return DFT_slow(x)
    else:
        X_even = FFT(x[::2])
        X_odd = FFT(x[1::2])
        factor = np.exp(-2j * np.pi * np.arange(N) / N)
        return np.concatenate([X_even + factor[:N // 2] * X_odd,
                               X_even + factor[N // 2:] * X_odd])


def FFT_vectorized(x):
    x = np.asarray(x, dtype=float)
    N = x.shape[0]
    if np.log2(N) % 1 > 0:
        raise ValueError("size of x must be a power of 2")
    N_min = min(N, 8)
    n = np.arange(N_min)
    k = n[:, None]
    M = np.exp(-2j * np.pi * n * k / N_min)
    X = np.dot(M, x.reshape((N_min, -1)))
    while X.shape[0] < N:
        X_even = X[:, :X.shape[1] // 2]
        X_odd = X[:, X.shape[1] // 2:]
        factor = np.exp(-1j * np.pi * np.arange(X.shape[0]) / X.shape[0])[:, None]
        X = np.vstack([X_even + factor * X_odd, X_even - factor * X_odd])
    return X.ravel()


def fft_three_ways(x):
    return DFT_slow(x), FFT(x), FFT_vectorized(x), np.allclose(FFT(x), np.fft.fft(x))


def photon_flux_bayes(F, e, theta):
    w = 1. / e ** 2
    F_hat = np.sum(w * F) / np.sum(w)
    sigma_F = w.sum() ** -0.5

    def log_prior(theta):
        return 1

    def log_likelihood(theta, F, e):
        return -0.5 * np.sum(np.log(2 * np.pi * e ** 2) + (F - theta[0]) ** 2 / e ** 2)

    def log_posterior(theta, F, e):
        return log_prior(theta) + log_likelihood(theta, F, e)

    lp = np.array([log_posterior(th, F, e) for th in theta])
    return F_hat, sigma_F, lp, theta[np.argmax(lp)]


VANDERPLAS = {
    "compute_reciprocals": (compute_reciprocals, {}, lambda s, n: (1 + _i(9, 2 * n, seed=s),)),
    "ufunc_features": (ufunc_features, {}, lambda s, n: (1 + _i(5, n, seed=s),)),
    "ufunc_features_float": (ufunc_features, {}, lambda s, n: (_f(n, seed=s),)),
    "broadcast_centering_surface": (broadcast_centering_surface, {}, lambda s, n: (
        _u(s, 2 * n, 3), np.linspace(0, 5, 2 * n), np.linspace(0, 5, n + 1) + 0.1 * s)),
    "counting_with_masks": (counting_with_masks, {}, lambda s, n: (_i(10, n, 4, seed=s),)),
    "fancy_indexing_pdsh": (fancy_indexing_pdsh, {}, lambda s, n: (
        np.arange(12).reshape(3, 4) * s, np.arange(2 * n + 2) * 1.0)),
    "partitions": (partitions, {}, lambda s, n: (_i(20, 2 * n, seed=s), _f(n, 6, seed=s))),
    "builtin_vs_numpy": (builtin_vs_numpy, {}, lambda s, n: (_u(s, 3 * n), _f(n, 3, seed=s))),
    "gaussian_features_regression": (gaussian_features_regression, {}, lambda s, n: (
        10 * _u(s, 4 * n), np.sin(10 * _u(s, 4 * n)) + 0.1 * _f(4 * n, seed=s))),
    "kde_gaussian": (kde_gaussian, {}, lambda s, n: (_f(2 * n, seed=s), np.linspace(-4, 8, 10))),
    "bayesian_blocks_fitness": (bayesian_blocks_fitness, {}, lambda s, n: (
        np.cumsum(_u(s, 2 * n) + 0.05),)),
    "pairwise_python": (pairwise_python, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "lomb_scargle_naive": (lomb_scargle_naive, {}, lambda s, n: (
        np.sort(10 * _u(s, 4 * n)), np.sin(10 * _u(s, 4 * n)), 0.1 + _u(s + 1, 4 * n),
        np.linspace(0.1, 2, 6))),
    "fft_three_ways": (fft_three_ways, {}, lambda s, n: (_f(2 ** (n // 2 + 3), seed=s),)),
    "photon_flux_bayes": (photon_flux_bayes, {}, lambda s, n: (
        1000 + 30 * _f(5 * n, seed=s), np.sqrt(1000 + 30 * _u(s, 5 * n)),
        np.linspace(980, 1020, 9)[:, None])),
}


@pytest.mark.parametrize("name", list(VANDERPLAS))
def test_vanderplas_handbook_and_blog_match_numpy(name):
    check_like_numpy(*VANDERPLAS[name])


# ----------------------------------------------------------------------------- Think Stats


def percentile_by_sort(scores, percentile_rank=50):
    scores.sort()
    index = percentile_rank * (len(scores) - 1) // 100
    return scores[index]


def cdf_value_prob(sample, p, x):
    xs = np.sort(sample)
    n = len(xs)
    ps = np.arange(1, n + 1) / n
    index = np.searchsorted(ps, p, side="left")
    value = xs[index]
    j = np.searchsorted(xs, x, side="right")
    prob = np.where(j > 0, ps[j - 1], 0.0)
    return value, prob, np.mean(sample[:, None] <= x, axis=0)


def cohen_effect_size(group1, group2):
    diff = group1.mean() - group2.mean()
    var1 = group1.var()
    var2 = group2.var()
    n1, n2 = len(group1), len(group2)
    pooled_var = (n1 * var1 + n2 * var2) / (n1 + n2)
    d = diff / np.sqrt(pooled_var)
    return d


def think_stats_correlations(xs, ys):
    def Cov(xs, ys, meanx=None, meany=None):
        xs = np.asarray(xs)
        ys = np.asarray(ys)
        if meanx is None:
            meanx = np.mean(xs)
        if meany is None:
            meany = np.mean(ys)
        cov = np.dot(xs - meanx, ys - meany) / len(xs)
        return cov

    def Corr(xs, ys):
        xs = np.asarray(xs)
        ys = np.asarray(ys)
        meanx, varx = xs.mean(), xs.var()
        meany, vary = ys.mean(), ys.var()
        corr = Cov(xs, ys, meanx, meany) / np.sqrt(varx * vary)
        return corr

    def ranks(v):
        return np.argsort(np.argsort(v)) + 1

    return Cov(xs, ys), Corr(xs, ys), Corr(ranks(xs), ranks(ys)), np.corrcoef(xs, ys)[0, 1]


def least_squares_residuals(xs, ys):
    meanx, varx = np.mean(xs), np.var(xs)
    meany = np.mean(ys)
    slope = np.dot(xs - meanx, ys - meany) / len(xs) / varx
    inter = meany - slope * meanx
    res = ys - (inter + slope * xs)
    r2 = 1 - np.var(res) / np.var(ys)
    fit_xs = np.sort(xs)
    return inter, slope, res, r2, inter + slope * fit_xs


def skewness_stats(xs):
    def RawMoment(xs, k):
        return sum(x ** k for x in xs) / len(xs)

    def CentralMoment(xs, k):
        mean = RawMoment(xs, 1)
        return sum((x - mean) ** k for x in xs) / len(xs)

    def StandardizedMoment(xs, k):
        var = CentralMoment(xs, 2)
        std = np.sqrt(var)
        return CentralMoment(xs, k) / std ** k

    def PearsonMedianSkewness(xs):
        median = np.median(xs)
        mean = RawMoment(xs, 1)
        var = CentralMoment(xs, 2)
        std = np.sqrt(var)
        gp = 3 * (mean - median) / std
        return gp

    return StandardizedMoment(xs, 3), PearsonMedianSkewness(xs), RawMoment(xs, 2)


def normal_probability_plot(sample, normal_draws):
    n = len(sample)
    xs = normal_draws[:n].copy()
    xs.sort()
    ys = np.sort(sample)
    mean, std = np.mean(sample), np.std(sample)
    fit_ys = mean + std * xs
    return xs, ys, fit_ys


def kaplan_meier(durations, complete, max_t=12):
    ended = np.bincount(durations[complete], minlength=max_t + 1)
    censored = np.bincount(durations[~complete], minlength=max_t + 1)
    at_risk = len(durations) - np.concatenate([[0], np.cumsum(ended + censored)[:-1]])
    hazard = np.where(at_risk > 0, ended / np.maximum(at_risk, 1), 0.0)
    survival = np.cumprod(1 - hazard)
    return hazard, survival


def sampling_distribution(sample, idx):
    means = sample[idx].mean(axis=1)
    stderr = np.sqrt(np.mean((means - sample.mean()) ** 2))
    ci = np.percentile(means, [5, 95])
    return means, stderr, ci


THINK_STATS = {
    "percentile_by_sort": (percentile_by_sort, {}, lambda s, n: (_f(2 * n + 1, seed=s), 50)),
    "cdf_value_prob": (cdf_value_prob, {}, lambda s, n: (
        _f(3 * n, seed=s), 0.5 + 0.1 * s, np.array([-1.0, 0.0, 0.3, 5.0]))),
    "cohen_effect_size": (cohen_effect_size, {}, lambda s, n: (
        _f(3 * n, seed=s) + 0.5, _f(2 * n, seed=s + 1))),
    "think_stats_correlations": (think_stats_correlations, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(3 * n, seed=s) + _f(3 * n, seed=s + 1))),
    "least_squares_residuals": (least_squares_residuals, {}, lambda s, n: (
        _f(3 * n, seed=s), 2 * _f(3 * n, seed=s) + _f(3 * n, seed=s + 1))),
    "skewness_stats": (skewness_stats, {}, lambda s, n: (np.exp(_f(2 * n, seed=s)),)),
    "normal_probability_plot": (normal_probability_plot, {}, lambda s, n: (
        np.exp(_f(2 * n, seed=s)), _f(3 * n, seed=s + 1))),
    "kaplan_meier": (kaplan_meier, {}, lambda s, n: (
        _i(13, 4 * n, seed=s), _u(s, 4 * n) < 0.7)),
    "sampling_distribution": (sampling_distribution, {}, lambda s, n: (
        _f(3 * n, seed=s), _i(3 * n, 10, 3 * n, seed=s + 1))),
}


@pytest.mark.parametrize("name", list(THINK_STATS))
def test_think_stats_matches_numpy(name):
    check_like_numpy(*THINK_STATS[name])


# ------------------------------------------------------------------------------- Think DSP

PI2 = 2 * np.pi


def _unbias(ys):
    return ys - ys.mean()


def _normalize(ys, amp=1.0):
    high, low = abs(max(ys)), abs(min(ys))
    return amp * ys / max(high, low)


def dsp_signals(ts, freq=440.0, amp=1.0, offset=0.0):
    cycles = freq * ts + offset / PI2
    frac, _ = np.modf(cycles)
    square = amp * np.sign(_unbias(frac))
    triangle = _normalize(_unbias(np.abs(frac - 0.5)), amp)
    sawtooth = _normalize(_unbias(frac), amp)
    parabolic = _normalize(_unbias((frac - 0.5) ** 2), amp)
    sinusoid = amp * np.cos(PI2 * freq * ts + offset)
    return square, triangle, sawtooth, parabolic, sinusoid


def dsp_spectrum_filters(ys, framerate=400, cutoff=50.0, factor=0.0):
    n = len(ys)
    hs = np.fft.rfft(ys)
    fs = np.fft.rfftfreq(n, 1 / framerate)
    low = hs.copy()
    low[np.abs(fs) > cutoff] *= factor
    high = hs.copy()
    high[np.abs(fs) < cutoff] *= factor
    band = hs.copy()
    band[(fs > cutoff / 2) & (fs < cutoff)] *= factor
    peak = fs[np.argmax(np.abs(hs))]
    return np.fft.irfft(low, n), np.fft.irfft(high, n), np.fft.irfft(band, n), peak


def dsp_apodize(ys, framerate=100, denom=20, duration=0.1):
    ys = ys.copy()
    n = len(ys)
    k1 = n // denom if n // denom > 0 else 1
    k2 = int(duration * framerate)
    k = min(k1, k2)
    w1 = np.linspace(0, 1, k)
    w2 = np.ones(n - 2 * k)
    w3 = np.linspace(1, 0, k)
    window = np.concatenate((w1, w2, w3))
    ys *= window
    return ys


def dsp_chirps(ts, start=220.0, end=880.0, amp=1.0):
    freqs = np.linspace(start, end, len(ts) - 1)
    dts = np.diff(ts)
    dphis = PI2 * freqs * dts
    phases = np.cumsum(dphis)
    phases = np.insert(phases, 0, 0)
    linear = amp * np.cos(phases)
    start, end = np.log10(start), np.log10(end)
    efreqs = np.logspace(start, end, len(ts) - 1)
    ephases = np.insert(np.cumsum(PI2 * efreqs * dts), 0, 0)
    return linear, amp * np.cos(ephases)


def dsp_spectrogram(ys, seg_length=8):
    window = np.hamming(seg_length)
    i, j = 0, seg_length
    step = seg_length // 2
    spec_map = []
    while j < len(ys):
        segment = ys[i:j] * window
        spec_map.append(np.abs(np.fft.rfft(segment)))
        i += step
        j += step
    return np.array(spec_map)


def dsp_autocorr(ys):
    def serial_corr(ys, lag=1):
        N = len(ys)
        y1 = ys[lag:]
        y2 = ys[:N - lag]
        corr = np.corrcoef(y1, y2)[0, 1]
        return corr

    lags = range(len(ys) // 2)
    corrs = [serial_corr(ys, lag) for lag in lags]
    N = len(ys)
    corrs2 = np.correlate(ys, ys, mode="same")
    lengths = range(N, N // 2, -1)
    half = corrs2[N // 2:].copy()
    half /= lengths
    half /= half[0]
    return np.array(corrs), half


def dsp_noise(uniform, beta=1.0):
    white = 2 * uniform - 1
    brown = _normalize(_unbias(np.cumsum(white)))
    hs = np.fft.rfft(white)
    fs = np.fft.rfftfreq(len(white))
    denom = fs ** (beta / 2.0)
    denom[0] = 1
    hs /= denom
    pink = _normalize(_unbias(np.fft.irfft(hs, len(white))))
    return white, brown, pink


def dsp_dct(amps, ts):
    def synthesize2(amps, fs, ts):
        args = np.outer(ts, fs)
        M = np.cos(PI2 * args)
        ys = np.dot(M, amps)
        return ys

    def analyze1(ys, fs, ts):
        args = np.outer(ts, fs)
        M = np.cos(PI2 * args)
        amps = np.linalg.solve(M, ys)
        return amps

    def dct_iv(ys):
        N = len(ys)
        ts = (0.5 + np.arange(N)) / N
        fs = (0.5 + np.arange(N)) / 2
        args = np.outer(ts, fs)
        M = np.cos(PI2 * args)
        amps = np.dot(M, ys) / 2
        return amps

    fs = np.arange(len(amps)) * 100.0 + 100.0
    ys = synthesize2(amps, fs, ts)
    return ys, analyze1(ys, fs, ts), dct_iv(ys)


def dsp_dft(ys):
    def synthesis_matrix(N):
        ts = np.arange(N) / N
        freqs = np.arange(N)
        args = np.outer(ts, freqs)
        M = np.exp(1j * PI2 * args)
        return M

    def dft(ys):
        N = len(ys)
        M = synthesis_matrix(N)
        amps = M.conj().transpose().dot(ys)
        return amps

    def idft(amps):
        N = len(amps)
        M = synthesis_matrix(N)
        ys = M.dot(amps) / N
        return ys

    amps = dft(ys)
    return amps, idft(amps), np.allclose(amps, np.fft.fft(ys))


def dsp_derivative(ys, framerate=100):
    n = len(ys)
    hs = np.fft.rfft(ys)
    fs = np.fft.rfftfreq(n, 1 / framerate)
    deriv = np.fft.irfft(hs * PI2 * 1j * fs, n)
    integ = hs.copy()
    integ[1:] = hs[1:] / (PI2 * 1j * fs[1:])
    integ[0] = 0
    diff = np.diff(ys) * framerate
    smooth = np.convolve(ys, np.ones(5) / 5, mode="valid")
    return deriv, np.fft.irfft(integ, n), diff, smooth


THINK_DSP = {
    "dsp_signals": (dsp_signals, {}, lambda s, n: (np.arange(10 * n) / 4000 + 0.0001 * s,)),
    "dsp_spectrum_filters": (dsp_spectrum_filters, {}, lambda s, n: (
        np.sin(PI2 * 30 * np.arange(8 * n) / 400) + 0.5 * _f(8 * n, seed=s),)),
    "dsp_apodize": (dsp_apodize, {}, lambda s, n: (_f(30 * n, seed=s),)),
    "dsp_chirps": (dsp_chirps, {}, lambda s, n: (np.arange(10 * n) / 2000 + 0.0001 * s,)),
    "dsp_spectrogram": (dsp_spectrogram, {}, lambda s, n: (_f(6 * n, seed=s),)),
    "dsp_autocorr": (dsp_autocorr, {}, lambda s, n: (np.cumsum(_f(3 * n, seed=s)),)),
    "dsp_noise": (dsp_noise, {}, lambda s, n: (_u(s, 8 * n),)),
    "dsp_dct": (dsp_dct, {}, lambda s, n: (_f(n, seed=s), np.arange(n) / 1000 + 0.0002 * s)),
    "dsp_dft": (dsp_dft, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "dsp_derivative": (dsp_derivative, {}, lambda s, n: (
        np.sin(PI2 * np.arange(8 * n) / (8 * n)) + 0.1 * _f(8 * n, seed=s),)),
}


@pytest.mark.parametrize("name", list(THINK_DSP))
def test_think_dsp_matches_numpy(name):
    check_like_numpy(*THINK_DSP[name])


# ------------------------------------------------------------- Johansson, Numerical Python


def poisson_1d_dense(x_inner, u0=1.0, u1=2.0):
    N = len(x_inner)
    dx = x_inner[1] - x_inner[0]
    A = (np.eye(N, k=-1) - 2 * np.eye(N) + np.eye(N, k=1)) / dx ** 2
    b = -5 * np.ones(N)
    b[0] -= u0 / dx ** 2
    b[N - 1] -= u1 / dx ** 2
    u = np.linalg.solve(A, b)
    U = np.hstack([[u0], u, [u1]])
    return U


def poisson_2d_kron(f):
    N = f.shape[0]
    h = 1.0 / (N + 1)
    A_1d = (np.eye(N, k=-1) - 2 * np.eye(N) + np.eye(N, k=1)) / h ** 2
    I = np.eye(N)
    A = np.kron(A_1d, I) + np.kron(I, A_1d)
    u = np.linalg.solve(A, f.reshape(N * N))
    return u.reshape(N, N)


def newton_multivariate(x0, n_iter=8):
    def f(X):
        x_1, x_2 = X
        return (x_1 - 1) ** 4 + 5 * (x_2 - 1) ** 2 - 2 * x_1 * x_2

    def f_grad(X):
        x_1, x_2 = X
        return np.array([-2 * x_2 + 4 * (x_1 - 1) ** 3, -2 * x_1 + 10 * x_2 - 10])

    def f_hess(X):
        x_1, x_2 = X
        return np.array([[12 * (x_1 - 1) ** 2, -2], [-2, 10]])

    x = x0
    path = [x]
    for _ in range(n_iter):
        x = x - np.linalg.solve(f_hess(x), f_grad(x))
        path.append(x)
    return np.array(path), f(x)


def fromfunction_indexing(B):
    f = lambda m, n: n + 10 * m  # noqa: E731
    A = np.fromfunction(f, (6, 6), dtype=int)
    C = A[1::2, ::3] + B[:3, :2]
    mask = A % 7 == 0
    return C, np.where(mask, A, B[:6, :6]), A[np.array([0, 2, 4]), 1] * B[0, 0]


def heaviside_pulse(x, position=-0.5, height=1.0, width=1.0):
    def heaviside(x):
        return 1 if x > 0 else 0

    heaviside = np.vectorize(heaviside)

    def pulse(x, position, height, width):
        return height * (heaviside(x - position) - heaviside(x - (position + width)))

    return pulse(x, position, height, width)


def fft_lowpass_windowed(y, dt=0.01, f_cut=5.0):
    N = len(y)
    F = np.fft.fft(y)
    f = np.fft.fftfreq(N, dt)
    F_filtered = F * (abs(f) < f_cut)
    y_filtered = np.fft.ifft(F_filtered).real
    windows = np.blackman(N), np.hanning(N), np.hamming(N), np.bartlett(N), np.kaiser(N, 7)
    spectra = [np.abs(np.fft.rfft(y * w)) for w in windows]
    return y_filtered, np.array(spectra)


def vander_interpolation(x, y, x_new):
    deg = len(x) - 1
    A = np.vander(x, deg + 1)
    c = np.linalg.solve(A, y)
    c_inc = np.linalg.solve(np.vander(x, increasing=True), y)
    return np.polyval(c, x_new), c, c_inc


def euler_damped_oscillator(y0, dt=0.05, n=60, γ=0.2, ω0=2.0):
    t = np.arange(n + 1) * dt
    y = np.zeros((n + 1, 2) + y0.shape[1:])
    y[0] = y0
    for i in range(n):
        x, v = y[i]
        y[i + 1] = y[i] + dt * np.array([v, -2 * γ * v - ω0 ** 2 * x])
    return t, y


NUMERICAL_PYTHON = {
    "poisson_1d_dense": (poisson_1d_dense, {}, lambda s, n: (
        np.linspace(0, 1, 2 * n + 2)[1:-1], 1.0 + s, 2.0)),
    "poisson_2d_kron": (poisson_2d_kron, {}, lambda s, n: (_f(n, n, seed=s),)),
    "newton_multivariate": (newton_multivariate, {}, lambda s, n: (
        np.array([0.0, 0.0]) + 0.1 * s,)),
    "fromfunction_indexing": (fromfunction_indexing, {}, lambda s, n: (_i(9, 6, n + 2, seed=s),)),
    "fft_lowpass_windowed": (fft_lowpass_windowed, {}, lambda s, n: (
        np.sin(PI2 * 2 * np.arange(8 * n) * 0.01) + 0.5 * _f(8 * n, seed=s),)),
    "vander_interpolation": (vander_interpolation, {}, lambda s, n: (
        np.linspace(0, 1, n) + 0.01 * s, _f(n, seed=s), np.linspace(0, 1, 9))),
    "euler_damped_oscillator": (euler_damped_oscillator, {}, lambda s, n: (_f(2, n, seed=s),)),
}


@pytest.mark.parametrize("name", list(NUMERICAL_PYTHON))
def test_numerical_python_matches_numpy(name):
    check_like_numpy(*NUMERICAL_PYTHON[name])


def lake_model_eig(α, λ, d=0.00822, b=0.0124):
    A = np.array([[(1 - d) * (1 - λ) + b, α * (1 - d) + b],
                  [(1 - d) * λ, (1 - α) * (1 - d)]])
    eigvals, eigvecs = np.linalg.eig(A)
    i = np.argmax(eigvals)
    x_bar = eigvecs[:, i] / eigvecs[:, i].sum()
    return eigvals, x_bar


def test_lake_model_steady_state_by_eig():
    """eig of a positive 2x2 matrix: real, as NumPy's (it was complex until stop 38)."""
    check_like_numpy(lake_model_eig, {}, lambda s, n: (0.012 + 0.001 * s, 0.2486))


# ------------------------------------------ more lectures: approximations, learning, linear algebra


def std_norm_cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2))


def tauchen(template, rho=0.9, sigma=0.1, n_std=3):
    """QuantEcon's `tauchen` and its `_fill_tauchen` loop, `math.erfc` of each entry."""
    n = len(template)
    a_bar = n_std * np.sqrt(sigma ** 2 / (1 - rho ** 2))
    x = np.linspace(-a_bar, a_bar, n)
    step = x[1] - x[0]
    half_step = 0.5 * step
    P = np.empty((n, n))
    for i in range(n):
        P[i, 0] = std_norm_cdf((x[0] - rho * x[i] + half_step) / sigma)
        P[i, n - 1] = 1 - std_norm_cdf((x[n - 1] - rho * x[i] - half_step) / sigma)
        for j in range(1, n - 1):
            z = x[j] - rho * x[i]
            P[i, j] = (std_norm_cdf((z + half_step) / sigma)
                       - std_norm_cdf((z - half_step) / sigma))
    return x, P


def mc_simulate_many(P, X0, U):
    """`qe.MarkovChain.simulate` for many chains at once: the next state is the number of
    cdf entries below each chain's uniform."""
    cdfs = np.cumsum(P, axis=-1)
    num_reps, ts_length = U.shape
    X = np.empty((num_reps, ts_length + 1), dtype=int)
    X[:, 0] = X0
    for t in range(ts_length):
        X[:, t + 1] = (U[:, t, None] > cdfs[X[:, t]]).sum(axis=1)
    return X, np.bincount(X[:, -1], minlength=len(P)) / num_reps


def ddp_growth_reduceat(probs, α=0.5, β=0.9, M=5, n_iter=40):
    """QuantEcon's DiscreteDP growth example as state-action pairs; `s_wise_max` by
    `np.maximum.reduceat` over the pairs of each state."""
    B = len(probs) - 1
    n = B + M + 1

    def u(c):
        return c ** α

    s_indices, a_indices, Q, R = [], [], [], []
    for s in range(n):
        for a in range(min(M, s) + 1):
            s_indices.append(s)
            a_indices.append(a)
            q = np.zeros(n)
            q[a:(a + B + 1)] = probs
            Q.append(q)
            R.append(u(s - a))
    s_indices, a_indices = np.array(s_indices), np.array(a_indices)
    Q, R = np.array(Q), np.array(R)
    a_indptr = np.searchsorted(s_indices, np.arange(n + 1))
    v = np.zeros(n)
    for _ in range(n_iter):
        vals = R + β * Q @ v
        v = np.maximum.reduceat(vals, a_indptr[:-1])
    σ = np.array([np.argmax(vals[a_indptr[s]:a_indptr[s + 1]]) for s in range(n)])
    return v, σ


def ifp_egm(s_grid, Π, y=(0.5, 1.5), R=1.01, β=0.96, γ=1.5, n_iter=4):
    """The income fluctuation problem's Coleman-Reffett operator by the endogenous grid
    method: loops over savings, states and next states, `np.interp` of each column."""
    n = len(Π)
    y = np.asarray(y)

    def u_prime(c):
        return c ** (-γ)

    def u_prime_inv(c):
        return c ** (-1 / γ)

    a_in = np.tile(s_grid[:, None], (1, n)) + 1.0
    σ_in = a_in.copy()
    for _ in range(n_iter):
        def σ(a, z):
            return np.interp(a, a_in[:, z], σ_in[:, z])

        σ_out = np.empty_like(σ_in)
        for i, s in enumerate(s_grid):
            for z in range(n):
                expect = 0.0
                for z_hat in range(n):
                    expect += u_prime(σ(R * s + y[z_hat], z_hat)) * Π[z, z_hat]
                σ_out[i, z] = u_prime_inv(β * R * expect)
        a_in = σ_out + s_grid[:, None]
        σ_in = σ_out
    return a_in, σ_in


def career_choice(θ, ϵ, F_probs, G_probs, β=0.95, n_iter=3):
    F_mean = F_probs @ θ
    G_mean = G_probs @ ϵ
    N = len(θ)
    v = np.full((N, N), 100.0)
    for _ in range(n_iter):
        v_new = np.empty_like(v)
        for i in range(N):
            for j in range(N):
                v1 = θ[i] + ϵ[j] + β * v[i, j]
                v2 = θ[i] + G_mean + β * v[i, :] @ G_probs
                v3 = G_mean + F_mean + β * F_probs @ v @ G_probs
                v_new[i, j] = max(v1, v2, v3)
        v = v_new
    stay = θ[:, None] + ϵ[None, :] + β * v
    new_job = (θ + G_mean + β * v @ G_probs)[:, None] * np.ones(N)
    new_life = (G_mean + F_mean + β * F_probs @ v @ G_probs) * np.ones((N, N))
    return v, np.argmax(np.stack([new_life, new_job, stay]), axis=0) + 1


def likelihood_ratio_process(W, F_a=1, F_b=1, G_a=3, G_b=1.2):
    def p(x, a, b):
        r = math.gamma(a + b) / (math.gamma(a) * math.gamma(b))
        return r * x ** (a - 1) * (1 - x) ** (b - 1)

    def f(x):
        return p(x, F_a, F_b)

    def g(x):
        return p(x, G_a, G_b)

    N, T = W.shape
    l_arr = np.empty((N, T))
    for i in range(N):
        for j in range(T):
            w = W[i, j]
            l_arr[i, j] = f(w) / g(w)
    l_seq = np.cumprod(l_arr, axis=1)
    return l_seq, np.mean(l_seq, axis=0), np.log(l_seq[:, -1])


def bayesian_learning(W, π_0=0.5, F_a=1, F_b=1, G_a=3, G_b=1.2):
    def p(x, a, b):
        r = math.gamma(a + b) / (math.gamma(a) * math.gamma(b))
        return r * x ** (a - 1) * (1 - x) ** (b - 1)

    π = np.empty(W.shape[-1] + 1)
    π[0] = π_0
    for t, w in enumerate(W.T):
        lr = p(w, F_a, F_b) / p(w, G_a, G_b)
        π[t + 1] = π[t] * lr / (π[t] * lr + 1 - π[t])
    return π


def neumann_series(A, n_terms=40):
    A_sum = np.zeros((2, 2))
    A_power = np.identity(2)
    for i in range(n_terms):
        A_sum += A_power
        A_power = A_power @ A
    L = np.linalg.inv(np.identity(2) - A)
    return A_sum, L, np.max(np.abs(A_sum - L))


def circulant_fft(c):
    N = len(c)
    C = np.zeros((N, N))
    for i in range(N):
        C[i, :] = np.roll(c, i)
    ω = np.exp(-2 * np.pi * 1j / N)
    F = np.ones((N, N), dtype=complex)
    for i in range(1, N):
        F[i, 1:] = ω ** (i * np.arange(1, N))
    λ = np.fft.fft(c)
    Q = F / np.sqrt(N)
    return C, np.allclose(C @ F[:, 1], λ[1] * F[:, 1]), Q @ np.diag(λ) @ np.conj(Q).T


def power_iteration(A, num_iterations=30):
    b_k = np.ones(A.shape[1])
    for _ in range(num_iterations):
        b_k1 = A @ b_k
        b_k = b_k1 / np.linalg.norm(b_k1)
    λ = b_k @ A @ b_k / (b_k @ b_k)
    return b_k, λ


def leontief(A, d):
    n = len(A)
    L = np.linalg.inv(np.identity(n) - A)
    x = L @ d
    L_approx = np.identity(n)
    A_power = np.identity(n)
    for _ in range(25):
        A_power = A_power @ A
        L_approx = L_approx + A_power
    return x, L, np.linalg.norm(L - L_approx), L.sum(axis=0)


def extirpolate(x, y, N, M=4):
    x, y = map(np.ravel, np.broadcast_arrays(x, y))
    result = np.zeros(N, dtype=y.dtype)
    integers = (x % 1 == 0)
    np.add.at(result, x[integers].astype(int), y[integers])
    x, y = x[~integers], y[~integers]
    ilo = np.clip((x - M // 2).astype(int), 0, N - M)
    numerator = y * np.prod(x - ilo - np.arange(M)[:, np.newaxis], 0)
    denominator = math.factorial(M - 1)
    for j in range(M):
        if j > 0:
            denominator *= j / (j - M)
        ind = ilo + (M - 1 - j)
        np.add.at(result, ind, numerator / (denominator * (x - ind)))
    return result


def dsp_quantize_and_shift(ys, bound=1.0, dtype=np.int16, shift=3):
    zs = (ys / bound * (np.iinfo(dtype).max)).astype(dtype)
    rolled = np.roll(ys, shift)
    padded = np.zeros(2 * len(ys))
    padded[:len(ys)] = ys
    truncated = ys[:len(ys) // 2]
    return zs, rolled, padded, truncated


def dsp_full_spectrum(ys, framerate=100):
    n = len(ys)
    hs = np.fft.fft(ys)
    fs = np.fft.fftfreq(n, 1 / framerate)
    hs_shifted = np.fft.fftshift(hs)
    fs_shifted = np.fft.fftshift(fs)
    amps = np.absolute(hs_shifted)
    angles = np.angle(hs_shifted)
    return fs_shifted, amps, angles, np.fft.ifft(np.fft.ifftshift(hs_shifted)).real


def dsp_integrated_spectrum_slope(ys):
    hs = np.fft.rfft(ys)
    fs = np.fft.rfftfreq(len(ys))
    power = np.absolute(hs) ** 2
    cs = np.cumsum(power)
    cs /= cs[-1]
    x = np.log(fs[1:])
    y = np.log(power[1:])
    slope, inter = np.polyfit(x, y, 1)
    return cs, slope, inter


def johansson_polynomial_fits(x, y, deg=3):
    p = np.polynomial.Polynomial.fit(x, y, deg)
    c = np.polynomial.Chebyshev.fit(x, y, deg)
    cc = np.polynomial.chebyshev.chebfit(x, y, deg)
    xx = np.linspace(x.min(), x.max(), 9)
    return p(xx), c(xx), np.polynomial.chebyshev.chebval(xx, cc)


def lognormal_expectation_quadrature(σ, ys, n=9):
    """E[u(y ξ)] for lognormal ξ by Gauss-Hermite nodes, beside the Monte Carlo mean."""
    x, w = np.polynomial.hermite.hermgauss(n)
    ξ = np.exp(σ * np.sqrt(2) * x)
    quad = (w[None, :] * np.log(ys[:, None] * ξ[None, :])).sum(axis=1) / np.sqrt(np.pi)
    return quad, np.log(ys)


def think_stats_percentiles(x):
    return (np.percentile(x, [10, 50, 90], method="lower"),
            np.quantile(x, 0.3, method="inverted_cdf"),
            np.percentile(x, 25, method="nearest"), np.percentile(x, [25, 75]),
            np.median(x))


def gini_by_outer(y):
    return np.abs(np.subtract.outer(y, y)).mean() / (2 * y.mean())


def markov_backward_and_periodic(P, x, xp, fp):
    Pinv3 = np.linalg.matrix_power(P + np.eye(len(P)), -3)
    return Pinv3, np.interp(x, xp, fp, period=1.0), np.interp(x, xp, fp, left=-1, right=99)


def stochastic_growth_meshgrid(k, z, Π, α=0.3, β=0.95, n_iter=20):
    K, Z, Kp = np.meshgrid(k, z, k, indexing="ij")
    c = Z * K ** α - Kp
    R = np.where(c > 0, np.log(np.where(c > 0, c, 1.0)), -np.inf)
    v = np.zeros((len(k), len(z)))
    for _ in range(n_iter):
        EV = v @ Π.T
        v = np.max(R + β * EV.T[None, :, :], axis=2)
    σ = np.argmax(R + β * (v @ Π.T).T[None, :, :], axis=2)
    k_next = np.take_along_axis(np.broadcast_to(k, (len(k), len(z), len(k))), σ[..., None], axis=2)
    return v, k_next[..., 0]


def quintile_shares(y):
    q = np.quantile(y, [0.2, 0.4, 0.6, 0.8])
    b = np.digitize(y, q, right=True)
    shares = np.array([y[b == i].sum() for i in range(5)]) / y.sum()
    joint, _, _ = np.histogram2d(y, np.roll(y, 1), bins=3)
    return b, shares, joint


def matrix_norms_neumann(A):
    ρ = np.max(np.abs(np.linalg.eigvals(A)))
    return (np.linalg.norm(A, ord=np.inf), np.linalg.norm(A, 1), np.linalg.norm(A[0], np.inf),
            np.linalg.norm(A, "fro"), np.linalg.norm(A, 2), ρ,
            np.linalg.norm(np.linalg.matrix_power(A, 10), 2) ** (1 / 10))


def gradient_on_a_grid(a):
    xs, step = np.linspace(0, 1, len(a), endpoint=False, retstep=True)
    return xs * a, step, np.gradient(a, xs), np.diff(a, n=2), np.unwrap(np.cumsum(a) * 3)


def ndindex_ndenumerate(v):
    out = np.empty_like(v)
    for i, j in np.ndindex(v.shape):
        out[i, j] = v[i, j] * (i + j)
    s = 0.0
    for (i, j), val in np.ndenumerate(v):
        s += val * i
    return out, s


def johansson_piecewise(x):
    return (np.piecewise(x, [x < 0, x >= 0], [lambda x: -x, lambda x: x ** 2]),
            np.select([x < -1, x < 1], [-1.0, x], 1.0))


def think_dsp_int16_wave(ys):
    return (ys / 32768, ys * 2, np.abs(ys), ys.mean(), ys.sum(), np.fft.rfft(ys),
            np.diff(ys), np.cumsum(ys), (ys >> 4).astype(np.int8), ys.std(), np.square(ys))


def sl_uint8_face(face):
    f = face.copy()
    f[f > 200] = 255
    brighter = np.clip(face.astype(int) + 50, 0, 255).astype(np.uint8)
    return (f, face - 50, face.mean(), face // 2 * 2, brighter, np.add.reduce(face, axis=0),
            face.sum(axis=1, dtype=np.uint8), np.bincount(face.ravel(), minlength=256)[::64])


def ar1_float32(x, w, ρ=0.9):
    for t in range(len(w)):
        x = np.float32(ρ) * x + w[t] * np.float32(0.1)
    return x, x.mean(), x.var(), np.add.accumulate(w, axis=0), w.sum(axis=0, dtype=np.float64)


_GX, _GY = np.meshgrid(np.linspace(-3, 3, 7), np.linspace(-2, 2, 5))


def bivariate_normal(x, y, σ_x=1.0, σ_y=1.0, μ_x=0.0, μ_y=0.0, σ_xy=0.0):
    x_μ = x - μ_x
    y_μ = y - μ_y
    ρ = σ_xy / (σ_x * σ_y)
    z = x_μ ** 2 / σ_x ** 2 + y_μ ** 2 / σ_y ** 2 - 2 * ρ * x_μ * y_μ / (σ_x * σ_y)
    denom = 2 * np.pi * σ_x * σ_y * np.sqrt(1 - ρ ** 2)
    return np.exp(-z / (2 * (1 - ρ ** 2))) / denom


def kalman_bivariate_density(x_hat, Σ, G, R, y, A, Q):
    """The first-look Kalman lecture's contour values: prior, filtered and predictive densities
    on a module-level `np.meshgrid`, the update written out as the lecture does."""
    def gen_gaussian_plot_vals(μ, C):
        m_x, m_y = μ[0], μ[1]
        s_x, s_y = np.sqrt(C[0, 0]), np.sqrt(C[1, 1])
        s_xy = C[0, 1]
        return bivariate_normal(_GX, _GY, s_x, s_y, m_x, m_y, s_xy)

    Z_prior = gen_gaussian_plot_vals(x_hat, Σ)
    M = Σ @ G.T @ np.linalg.inv(G @ Σ @ G.T + R)
    x_hat_F = x_hat + M @ (y - G @ x_hat)
    Σ_F = Σ - M @ G @ Σ
    Z_F = gen_gaussian_plot_vals(x_hat_F, Σ_F)
    new_x_hat = A @ x_hat_F
    new_Σ = A @ Σ_F @ A.T + Q
    return Z_prior, Z_F, gen_gaussian_plot_vals(new_x_hat, new_Σ)


def multivariate_normal_conditional(μ, Σ, z2, k=1):
    μ1, μ2 = μ[:k], μ[k:]
    Σ11, Σ12 = Σ[:k, :k], Σ[:k, k:]
    Σ21, Σ22 = Σ[k:, :k], Σ[k:, k:]
    β = Σ12 @ np.linalg.inv(Σ22)
    μ1_hat = μ1 + β @ (z2 - μ2)
    Σ11_hat = Σ11 - β @ Σ21
    L = np.linalg.cholesky(Σ)
    return μ1_hat, Σ11_hat, L, np.allclose(L @ L.T, Σ)


def univariate_ts_matrix(y_init, u, α0=10.0, α1=1.53, α2=-0.9):
    T = len(u)
    A = np.identity(T)
    for i in range(T):
        if i - 1 >= 0:
            A[i, i - 1] = -α1
        if i - 2 >= 0:
            A[i, i - 2] = -α2
    b = np.full(T, α0) + u
    b[0] = α0 + α1 * y_init[1] + α2 * y_init[0] + u[0]
    b[1] = α0 + α2 * y_init[1] + u[1]
    A_inv = np.linalg.inv(A)
    y = A_inv @ b
    return y, A_inv @ A_inv.T


class PoissonRegression:
    def __init__(self, y, X, β):
        self.X = X
        self.n, self.k = X.shape
        self.y = y.reshape(self.n, 1)
        self.β = β.reshape(self.k, 1)

    def μ(self):
        return np.exp(self.X @ self.β)

    def G(self):
        y, μ = self.y, self.μ()
        return self.X.T @ (y - μ)

    def H(self):
        X, μ = self.X, self.μ()
        return -(X.T @ (μ * X))


def poisson_regression_newton(y, X, β0, n_iter=8):
    model = PoissonRegression(y, X, β0)
    path = []
    for i in range(n_iter):
        H, G = model.H(), model.G()
        β_new = model.β - (np.linalg.inv(H) @ G)
        model.β = β_new
        path.append(β_new.flatten())
    return np.array(path), model.μ().ravel()


MORE_LECTURES = {
    "tauchen": (tauchen, {}, lambda s, n: (np.zeros(n), 0.8 + 0.05 * s, 0.1)),
    "mc_simulate_many": (mc_simulate_many, {}, lambda s, n: (
        _P(s, 3), _i(3, 2 * n, seed=s), _u(s, 2 * n, 8))),
    "ddp_growth_reduceat": (ddp_growth_reduceat, {}, lambda s, n: (_psi(s, n + 2), 0.5, 0.9)),
    "ifp_egm": (ifp_egm, {}, lambda s, n: (np.linspace(0, 4, n) + 0.01 * s, _P(s, 2))),
    "career_choice": (career_choice, {}, lambda s, n: (
        np.linspace(0, 5, n), np.linspace(0, 5, n) + 0.1 * s, _psi(s, n), _psi(s + 1, n))),
    "likelihood_ratio_process": (likelihood_ratio_process, {}, lambda s, n: (
        0.05 + 0.9 * _u(s, 3, 2 * n),)),
    "bayesian_learning": (bayesian_learning, {}, lambda s, n: (0.05 + 0.9 * _u(s, 3 * n),)),
    "neumann_series": (neumann_series, {}, lambda s, n: (
        np.array([[0.4, 0.1], [0.7, 0.2]]) * (1 + 0.1 * s),)),
    "circulant_fft": (circulant_fft, {}, lambda s, n: (_f(n, seed=s),)),
    "power_iteration": (power_iteration, {}, lambda s, n: (_u(s, n, n),)),
    "leontief": (leontief, {}, lambda s, n: (0.5 * _P(s, n) * (0.8 + 0.1 * s), 1 + _u(s, n))),
    "dsp_quantize_and_shift": (dsp_quantize_and_shift, {}, lambda s, n: (
        np.clip(_f(4 * n, seed=s) * 0.4, -1, 1),)),
    "dsp_full_spectrum": (dsp_full_spectrum, {}, lambda s, n: (_f(4 * n + 1, seed=s),)),
    "dsp_integrated_spectrum_slope": (dsp_integrated_spectrum_slope, {}, lambda s, n: (
        np.cumsum(_f(8 * n, seed=s)),)),
    "johansson_polynomial_fits": (johansson_polynomial_fits, {}, lambda s, n: (
        np.linspace(-1, 1, 2 * n),
        np.sin(3 * np.linspace(-1, 1, 2 * n)) + 0.1 * _f(2 * n, seed=s))),
    "lognormal_expectation_quadrature": (lognormal_expectation_quadrature, {}, lambda s, n: (
        0.1 * s, 1 + _u(s, n))),
    "think_stats_percentiles": (think_stats_percentiles, {}, lambda s, n: (_f(2 * n + 1, seed=s),)),
    "gini_by_outer": (gini_by_outer, {}, lambda s, n: (np.exp(_f(2 * n, seed=s)),)),
    "markov_backward_and_periodic": (markov_backward_and_periodic, {}, lambda s, n: (
        _P(s, n), 3 * _u(s, 2 * n) - 1, np.sort(_u(s + 1, n)), _f(n, seed=s))),
    "stochastic_growth_meshgrid": (stochastic_growth_meshgrid, {}, lambda s, n: (
        np.linspace(0.1, 2, n + 1), np.array([0.9, 1.0, 1.1]) + 0.01 * s, _P(s, 3))),
    "quintile_shares": (quintile_shares, {}, lambda s, n: (np.exp(_f(5 * n, seed=s)),)),
    "matrix_norms_neumann": (matrix_norms_neumann, {}, lambda s, n: (_f(n, n, seed=s),)),
    "gradient_on_a_grid": (gradient_on_a_grid, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "ndindex_ndenumerate": (ndindex_ndenumerate, {}, lambda s, n: (_f(2, n, seed=s),)),
    "johansson_piecewise": (johansson_piecewise, {}, lambda s, n: (2 * _f(3 * n, seed=s),)),
    "think_dsp_int16_wave": (think_dsp_int16_wave, {}, lambda s, n: (
        _i(65536, 4 * n, seed=s).astype(np.int16),)),
    "sl_uint8_face": (sl_uint8_face, {}, lambda s, n: (
        _i(256, n, n + 1, seed=s).astype(np.uint8),)),
    "ar1_float32": (ar1_float32, {}, lambda s, n: (
        _u(s, n).astype(np.float32), _f(6, n, seed=s).astype(np.float32))),
    "kalman_bivariate_density": (kalman_bivariate_density, {}, lambda s, n: (
        np.array([0.2, -0.2]) * s, np.array([[0.4, 0.3], [0.3, 0.45]]), np.eye(2),
        0.5 * np.array([[1.0, 0.1], [0.1, 1.0]]), np.array([2.3, -1.9]) + 0.1 * s,
        np.array([[1.2, 0.0], [0.0, -0.2]]), 0.3 * np.eye(2))),
    "multivariate_normal_conditional": (multivariate_normal_conditional, {}, lambda s, n: (
        _f(n, seed=s), (lambda B: B @ B.T + np.eye(n))(_f(n, n, seed=s + 1)), _f(n - 1, seed=s))),
    "univariate_ts_matrix": (univariate_ts_matrix, {}, lambda s, n: (
        np.array([28.0, 24.0]) + s, _f(3 * n, seed=s))),
    "poisson_regression_newton": (poisson_regression_newton, {}, lambda s, n: (
        np.array([1.0, 0, 1, 1, 0, 2, 3, 1] * (n // 2))[:2 * n] + (np.arange(2 * n) % 3 == s),
        np.column_stack([np.ones(2 * n), 0.3 * _f(2 * n, seed=s)]), np.array([0.1, 0.1]))),
}


@pytest.mark.parametrize("name", list(MORE_LECTURES))
def test_more_lecture_code_matches_numpy(name):
    check_like_numpy(*MORE_LECTURES[name])



class ECDF:
    """QuantEcon's `qe.ECDF`: a scalar by `f(x)`, an array by `np.vectorize(f)(x)`."""

    def __init__(self, observations):
        self.observations = np.asarray(observations)

    def __call__(self, x):
        def f(a):
            return np.mean(self.observations <= a)

        if np.isscalar(x):
            return f(x)
        return np.vectorize(f)(x)


def qe_ecdf(obs, x, xs):
    F = ECDF(obs)
    return F(x), F(xs)


@pytest.mark.parametrize("k", [3, 0])
def test_quantecon_ecdf_by_np_vectorize(k):
    """`np.vectorize(lambda a: np.mean(obs <= a))`: not elementwise over `obs`, so it is called
    on each element, as NumPy's loop does (it was applied to the whole array: wrong values)."""
    check_like_numpy(qe_ecdf, {}, lambda s, n: (_u(s, 2 * n), 0.5, _u(s + 1, k or 2 * n)))


# ------------------------------------------------------------------ draws from a generator


def mc_sample_path_rng(P, rng, ts_length=12):
    P_dist = np.cumsum(P, axis=1)
    X = np.empty(ts_length, dtype=int)
    X[0] = 0
    for t in range(ts_length - 1):
        X[t + 1] = np.searchsorted(P_dist[X[t], :], rng.uniform(), side="right")
    return X


def random_points_rng(X, rng, k=3):
    indices = rng.choice(X.shape[0], k, replace=False)
    selection = X[indices]
    return selection, indices


def resample_rng(sample, rng, iters=6):
    n = len(sample)
    means = np.array([rng.choice(sample, n, replace=True).mean() for _ in range(iters)])
    return means, means.std()


def permutation_test_rng(group1, group2, rng, iters=8):
    def test_stat(data):
        g1, g2 = data
        return abs(g1.mean() - g2.mean())

    n = len(group1)
    pool = np.hstack((group1, group2))
    actual = test_stat((group1, group2))
    stats = []
    for _ in range(iters):
        rng.shuffle(pool)
        stats.append(test_stat((pool[:n], pool[n:])))
    return np.mean(np.array(stats) >= actual), actual


def jitter_rng(values, rng, jitter=0.5):
    n = len(values)
    return values + rng.normal(0, jitter, n), values + rng.uniform(-jitter, jitter, n)


def mccall_draw_wages_rng(w, q, rng, n_agents=5):
    cdf = np.cumsum(q)
    idx = np.searchsorted(cdf, rng.uniform(size=(n_agents, 20)), side="right")
    draws = w[np.minimum(idx, len(w) - 1)]
    w_bar = reservation_wage_h(w, q, n_iter=30)
    return stopping_times(w_bar, draws)


def heavy_tail_draws_rng(template, rng, α=1.5, μ=0.0, σ=1.0):
    n = len(template)
    pareto = rng.pareto(α, n) + 1
    cauchy = rng.standard_cauchy(n)
    lognormal = rng.lognormal(μ, σ, n)
    exponential = rng.exponential(2.0, n)
    return (pareto, np.cumsum(cauchy) / np.arange(1, n + 1), lognormal.max() / lognormal.sum(),
            exponential.mean())


def kesten_lognormal_rng(x0, rng, T=8, μ_a=-0.5, σ_a=0.3):
    X = x0.copy()
    for t in range(T):
        a = rng.lognormal(μ_a, σ_a, size=X.shape)
        η = rng.exponential(1.0, size=X.shape)
        X = a * X + η
    return X


def mccall_choice_rng(w, q, rng, T=10):
    draws = rng.choice(w, size=(4, T), p=q)
    return draws, stopping_times(reservation_wage_h(w, q, n_iter=20), draws)


def cdf_sample_rng(sample, rng, n=6):
    xs = np.sort(sample)
    ps = np.arange(1, len(xs) + 1) / len(xs)
    u = rng.random(n)
    return xs[np.searchsorted(ps, u, side="left")]


def mvn_draws_rng(μ, rng, n=6):
    Σ = np.array([[1.0, 0.5], [0.5, 2.0]])
    draws = rng.multivariate_normal(μ, Σ, size=n)
    return draws, np.cov(draws, rowvar=False), draws.mean(axis=0)


DRAWS = {
    "mvn_draws_rng": (mvn_draws_rng, {}, lambda s, n: (_f(2, seed=s),)),
    "heavy_tail_draws_rng": (heavy_tail_draws_rng, {}, lambda s, n: (np.zeros(5 * n),)),
    "kesten_lognormal_rng": (kesten_lognormal_rng, {}, lambda s, n: (np.ones(2 * n),)),
    "mccall_choice_rng": (mccall_choice_rng, {}, lambda s, n: _wages(s, n)),
    "cdf_sample_rng": (cdf_sample_rng, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "mc_sample_path_rng": (mc_sample_path_rng, {}, lambda s, n: (_P(s, n),)),
    "random_points_rng": (random_points_rng, {}, lambda s, n: (_f(2 * n, 2, seed=s),)),
    "resample_rng": (resample_rng, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "permutation_test_rng": (permutation_test_rng, {}, lambda s, n: (
        _f(n, seed=s) + 0.5, _f(n + 2, seed=s + 1))),
    "jitter_rng": (jitter_rng, {}, lambda s, n: (_i(5, 3 * n, seed=s) * 1.0,)),
    "mccall_draw_wages_rng": (mccall_draw_wages_rng, {}, lambda s, n: _wages(s, n)),
}


@pytest.mark.parametrize("name", list(DRAWS))
def test_lectures_drawing_from_a_generator_argument(name):
    check_with_generator(*DRAWS[name])


def qe_sample_path_global(P, ts_length=10):
    def draw(cdf):
        rs = np.random.uniform()
        return np.searchsorted(cdf, rs, side="right")

    P_dist = np.cumsum(P, axis=1)
    X = np.empty(ts_length, dtype=int)
    X[0] = 0
    for t in range(ts_length - 1):
        X[t + 1] = draw(P_dist[X[t], :])
    return X


def test_sample_path_from_the_global_random_state():
    """`qe.random.draw`'s `np.random.uniform()` per step: NumPy's draws from the global state,
    which is left where NumPy leaves it."""
    jf = tracenp.jit(qe_sample_path_global)
    for seed, n in ((1, 3), (2, 3), (3, 5)):
        P = _P(seed, n)
        np.random.seed(seed)
        want = qe_sample_path_global(P)
        want_state = np.random.get_state()[1].copy()
        np.random.seed(seed)
        assert_same(jf(P), want)
        assert (np.random.get_state()[1] == want_state).all()
    assert jf.cache_info().misses <= 2


# ------------------------------------------------------------------------------ refused forms


def mccall_while(w, q, c=25.0, β=0.99, max_iter=500, tol=1e-6):
    v = w / (1 - β)
    v_next = np.empty_like(v)
    i = 0
    error = tol + 1
    while i < max_iter and error > tol:
        for j, w_j in enumerate(w):
            stop_val = w_j / (1 - β)
            cont_val = c + β * np.sum(v * q)
            v_next[j] = max(stop_val, cont_val)
        error = np.max(np.abs(v_next - v))
        i += 1
        v[:] = v_next
    return (1 - β) * (c + β * np.sum(v * q))


def gth_solve_full(A):
    A1 = np.array(A, dtype=float, copy=True, order="C")
    n = A1.shape[0]
    x = np.zeros(n)
    for k in range(n - 1):
        scale = np.sum(A1[k, k + 1:n])
        if scale <= 0:
            n = k + 1
            break
        for i in range(k + 1, n):
            A1[i, k] /= scale
            for j in range(k + 1, n):
                A1[i, j] += A1[i, k] * A1[k, j]
    x[n - 1] = 1
    for k in range(n - 2, -1, -1):
        for i in range(k + 1, n):
            x[k] += x[i] * A1[i, k]
    x /= np.sum(x)
    return x


def compute_stopping_time(w_bar, draws):
    t = 1
    for w in draws:
        if w >= w_bar:
            return t
        t += 1
    return t


def aiyagari_populate_R(a_vals, z_vals, r=0.01, w=1.0):
    a_size, z_size = len(a_vals), len(z_vals)
    n = a_size * z_size
    R = np.full((n, a_size), -np.inf)
    for s_i in range(n):
        a_i = s_i // z_size
        z_i = s_i % z_size
        a = a_vals[a_i]
        z = z_vals[z_i]
        for new_a_i in range(a_size):
            a_new = a_vals[new_a_i]
            c = w * z + (1 + r) * a - a_new
            if c > 0:
                R[s_i, new_a_i] = np.log(c)
    return R


def sim_inventory_path(x_init, D, s=10, S=100):
    def update(x, d):
        if x <= s:
            return max(S - d, 0)
        else:
            return max(x - d, 0)

    X = np.empty(len(D) + 1)
    X[0] = x_init
    for t in range(len(D)):
        X[t + 1] = update(X[t], D[t])
    return X


def kesten_firms_loop(Z, μ_a=-0.5, σ_a=0.1, μ_b=0.0, σ_b=0.5, μ_e=0.0, σ_e=0.5, s_bar=1.0):
    _, T, M = Z.shape
    draws = np.empty(M)
    for m in range(M):
        s = 1.0
        for t in range(T):
            if s < s_bar:
                new_s = np.exp(μ_e + σ_e * Z[0, t, m])
            else:
                a = np.exp(μ_a + σ_a * Z[1, t, m])
                b = np.exp(μ_b + σ_b * Z[2, t, m])
                new_s = a * s + b
            s = new_s
        draws[m] = s
    return draws


def lake_rate_steady_state(x, λ=0.283, α=0.013, b=0.0124, d=0.00822, tol=1e-6):
    A_hat = np.array([[(1 - d) * (1 - λ) + b, (1 - d) * α + b],
                      [(1 - d) * λ, (1 - d) * (1 - α)]]) / (1 + b - d)
    error = tol + 1
    while error > tol:
        new_x = A_hat @ x
        error = np.max(np.abs(new_x - x))
        x = new_x
    return x


def lyapunov_while(A, B, max_it=50):
    alpha0 = A
    gamma0 = B
    diff = 5
    n_its = 1
    while diff > 1e-15:
        alpha1 = alpha0.dot(alpha0)
        gamma1 = gamma0 + np.dot(alpha0.dot(gamma0), alpha0.conjugate().T)
        diff = np.max(np.abs(gamma1 - gamma0))
        alpha0 = alpha1
        gamma0 = gamma1
        n_its += 1
        if n_its > max_it:
            raise ValueError("Exceeded maximum iterations, check input matrices")
    return gamma1


def hk_price_optimistic(qa, qb, dividend_payoff, β=0.75, max_iter=50000, tol=1e-16):
    transitions = [qa, qb]
    p_new = np.array([[0], [0]])
    p_old = np.array([[10.], [10.]])
    for i in range(max_iter):
        p_old = p_new
        p_new = β * np.max([q @ p_old + q @ dividend_payoff for q in transitions], axis=0)
        if np.max(np.sqrt((p_new - p_old) ** 2)) < tol:
            break
    return p_new


def schelling_update_while(locations, types, proposals, num_neighbors=3, require_same_type=1):
    def is_happy(i):
        distances = np.linalg.norm(locations[i] - locations, axis=1)
        distances[i] = np.inf
        neighbors = np.argsort(distances)[:num_neighbors]
        return np.sum(types[neighbors] == types[i]) >= require_same_type

    k = 0
    for i in range(len(locations)):
        while not is_happy(i):
            locations[i, :] = proposals[k % len(proposals)]
            k += 1
    return locations


def bogosort(x, rng):
    while np.any(x[:-1] > x[1:]):
        rng.shuffle(x)
    return x


def eval_cdf_loop(sample, x):
    count = 0.0
    for value in sample:
        if value <= x:
            count += 1
    prob = count / len(sample)
    return prob


def percentile_rank_loop(scores, your_score):
    count = 0
    for score in scores:
        if score <= your_score:
            count += 1
    percentile_rank = 100.0 * count / len(scores)
    return percentile_rank


def populations_species_names(data):
    populations = data[:, 1:]
    species = np.array(["H", "L", "C"])
    return species[np.argmax(populations, axis=1)]


def bayesian_blocks(t):
    best, last, edges = bayesian_blocks_fitness(t)
    N = len(best)
    change_points = np.zeros(N, dtype=int)
    i_cp = N
    ind = N
    while True:
        i_cp -= 1
        change_points[i_cp] = ind
        if ind == 0:
            break
        ind = last[ind - 1]
    change_points = change_points[i_cp:]
    return edges[change_points]


def newton_while_array(x, tol=1e-8):
    def f(x):
        return np.exp(x) - 2

    def fprime(x):
        return np.exp(x)

    while np.max(np.abs(f(x))) > tol:
        x = x - f(x) / fprime(x)
    return x


def kalman_prior_to_filtered_shape(Sigma, G, H, x_hat, y):
    """QuantEcon's `prior_to_filtered` as written: `y.shape = k, 1` on `np.atleast_2d(y)`."""
    R = np.dot(H, H.T)
    y = np.atleast_2d(y)
    y.shape = G.shape[0], 1
    E = np.dot(Sigma, G.T)
    F = np.dot(np.dot(G, Sigma), G.T) + R
    M = np.dot(E, np.linalg.inv(F))
    return x_hat + np.dot(M, (y - np.dot(G, x_hat)))


def dsp_spectrum_peaks(ys):
    hs = np.fft.rfft(ys)
    fs = np.fft.rfftfreq(len(ys))
    amps = np.absolute(hs)
    t = list(zip(amps, fs))
    t.sort(reverse=True)
    return t[:3]


def sl_nditer_double(a):
    a = a.copy()
    for x in np.nditer(a, op_flags=["readwrite"]):
        x[...] = 2 * x
    return a


def sorted_incomes(y):
    return np.array(sorted(y))


def newton_raphson_while(y, X, β0, tol=1e-3, max_iter=1000):
    model = PoissonRegression(y, X, β0)
    i = 0
    error = 100
    while np.any(error > tol) and i < max_iter:
        H, G = model.H(), model.G()
        β_new = model.β - (np.linalg.inv(H) @ G)
        error = np.abs(β_new - model.β)
        model.β = β_new
        i += 1
    return model.β.flatten()


REFUSED = {
    "newton_raphson_while": (tracenp.ConcretizationError, newton_raphson_while, lambda s: (
        np.array([1.0, 0, 1, 1, 0, 2, 3, 1]),
        np.column_stack([np.ones(8), 0.3 * _f(8, seed=s)]), np.array([0.1, 0.1]))),
    "sl_nditer_double": (tracenp.UnsupportedFunctionError, sl_nditer_double, lambda s: (
        _f(2, 3, seed=s),)),
    "sorted_incomes": (tracenp.ConcretizationError, sorted_incomes, lambda s: (_f(5, seed=s),)),
    "dsp_spectrum_peaks": (tracenp.ConcretizationError, dsp_spectrum_peaks, lambda s: (
        _f(16, seed=s),)),
    "mccall_while": (tracenp.ConcretizationError, mccall_while, lambda s: _wages(s, 4)),
    "gth_solve_full": (tracenp.ConcretizationError, gth_solve_full, lambda s: (_P(s, 4),)),
    "compute_stopping_time": (tracenp.ConcretizationError, compute_stopping_time, lambda s: (
        40.0, 10 + 50 * _u(s, 12))),
    "aiyagari_populate_R": (tracenp.ConcretizationError, aiyagari_populate_R, lambda s: (
        np.linspace(0, 4, 4), np.array([0.1, 1.0 + s]))),
    "sim_inventory_path": (tracenp.ConcretizationError, sim_inventory_path, lambda s: (
        50.0, np.exp(3.0 + 0.5 * _f(10, seed=s)))),
    "kesten_firms_loop": (tracenp.ConcretizationError, kesten_firms_loop, lambda s: (
        _f(3, 5, 3, seed=s),)),
    "lake_rate_steady_state": (tracenp.ConcretizationError, lake_rate_steady_state, lambda s: (
        _psi(s, 2),)),
    "lyapunov_while": (tracenp.ConcretizationError, lyapunov_while, lambda s: (
        _stable(s, 3, 0.5), np.eye(3))),
    "hk_price_optimistic": (tracenp.ConcretizationError, hk_price_optimistic, lambda s: _hk(s)),
    "schelling_update_while": (tracenp.ConcretizationError, schelling_update_while, lambda s: (
        _u(s, 6, 2), np.random.default_rng(s).permutation([0, 0, 0, 0, 1, 1]), _u(s + 1, 40, 2))),
    "bogosort": (tracenp.ConcretizationError, bogosort, lambda s: (
        _i(9, 4, seed=s), np.random.default_rng(s))),
    "eval_cdf_loop": (tracenp.ConcretizationError, eval_cdf_loop, lambda s: (_f(8, seed=s), 0.3)),
    "percentile_rank_loop": (tracenp.ConcretizationError, percentile_rank_loop, lambda s: (
        _i(100, 8, seed=s), 60)),
    "populations_species_names": (tracenp.ConcretizationError, populations_species_names,
                                  lambda s: (_populations(s, 3),)),
    "bayesian_blocks": (tracenp.ConcretizationError, bayesian_blocks, lambda s: (
        np.cumsum(_u(s, 8) + 0.05),)),
    "newton_while_array": (tracenp.ConcretizationError, newton_while_array, lambda s: (
        np.array([2.2, 1.0 + s]),)),
    "heaviside_pulse": (tracenp.ConcretizationError, heaviside_pulse, lambda s: (
        np.linspace(-2, 2, 9) + 0.01 * s,)),
    "kalman_prior_to_filtered_shape": (tracenp.UnsupportedFunctionError,
                                       kalman_prior_to_filtered_shape, lambda s: (
                                           np.eye(2), _f(2, 2, seed=s), np.eye(2),
                                           np.zeros((2, 1)), _f(3, 2, seed=s)[1])),
    "sl_superdiagonal_of_a_row": (tracenp.UnsupportedFunctionError, sl_superdiagonal_of_a_row,
                                  lambda s: (_f(4, 4, seed=s),)),
    "sl_superdiagonal_of_columns": (tracenp.UnsupportedFunctionError,
                                    sl_superdiagonal_of_columns, lambda s: (_f(4, 4, seed=s),)),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_lecture_loops_branching_on_array_values_are_refused(name):
    """The lectures' `while error > tol` and `while not is_happy(i)` loops over arrays, `if` on
    array values (GTH's reducible branch, a stopping time's `return t`, Aiyagari's `if c > 0`,
    the inventory's `update`, Kesten firms, Harrison-Kreps' `break`, bogosort, Think Stats'
    counting loops, Think DSP's peaks by sorting `(amp, freq)` tuples, Bayesian blocks'
    backtracking, Johansson's Heaviside under `np.vectorize`), a string array indexed by traced
    indices, the builtin `sorted` of an array: `ConcretizationError`. `np.nditer` over a traced
    array, QuantEcon's `y.shape = k, 1` on a view and `as_strided` reaching outside a view or
    over a non-contiguous one: `UnsupportedFunctionError`. NumPy's values under
    `fallback=True`."""
    check_refused(*REFUSED[name])


def years_above(data, threshold=50000):
    year = data[:, 0]
    populations = data[:, 1:]
    return year[np.any(populations > threshold, axis=1)]


def johansson_boolean_selection(A):
    return A[A > 0.5]


def think_stats_pmf(t):
    values, counts = np.unique(t, return_counts=True)
    return values, counts / counts.sum()


def pareto_tail_sample(data, x_m=2.0):
    tail = data[data > x_m]
    return np.sort(tail), len(tail)


def visited_states(X):
    return np.unique(X)


DATA_DEPENDENT = {
    "years_above": (years_above, lambda s: (_populations(s, 3),)),
    "johansson_boolean_selection": (johansson_boolean_selection, lambda s: (_u(s, 11),)),
    "think_stats_pmf": (think_stats_pmf, lambda s: (_i(5, 12, seed=s),)),
    "pareto_tail_sample": (pareto_tail_sample, lambda s: (_u(s, 12) ** (-1 / 1.5),)),
    "visited_states": (visited_states, lambda s: (_i(4, 10, seed=s),)),
    "extirpolate": (extirpolate, lambda s: (np.sort(1.5 + 10 * _u(s, 8)), _f(8, seed=s), 16)),
}


@pytest.mark.parametrize("name", list(DATA_DEPENDENT))
def test_results_sized_by_the_data_are_refused(name):
    """The years any population passed 50000, Johansson's `A[A > 0.5]`, Think Stats' Pmf by
    `np.unique(..., return_counts=True)`, a Pareto tail sample with its `len`, the states a
    chain visited, and VanderPlas' `extirpolate` (the non-integer abscissae `x[~integers]`
    broadcast against `np.arange(M)[:, np.newaxis]`): their length is a count of the data
    (`DataDependentShapeError`), and NumPy's values under `fallback=True`."""
    check_refused(tracenp.errors.DataDependentShapeError, *DATA_DEPENDENT[name])


# ---------------------------------------------------- tolerance loops on Python scalar arguments


def johansson_bisection(a, b, tol=0.1):
    f = lambda x: np.exp(x) - 2  # noqa: E731
    fa, fb = f(a), f(b)
    while b - a > tol:
        m = a + (b - a) / 2
        fm = f(m)
        if np.sign(fa) == np.sign(fm):
            a, fa = m, fm
        else:
            b, fb = m, fm
    return a, b


def johansson_newton(x, tol=0.01):
    f = lambda x: np.exp(x) - 2  # noqa: E731
    fprime = lambda x: np.exp(x)  # noqa: E731
    xs = [x]
    while abs(f(x)) > tol:
        x = x - f(x) / fprime(x)
        xs.append(x)
    return np.array(xs)


def solow_to_tolerance(k, s=0.3, A=2.0, α=0.3, δ=0.4, tol=1e-4):
    k_star = (s * A / δ) ** (1 / (1 - α))
    path = [k]
    while abs(k - k_star) > tol:
        k = A * s * k ** α + (1 - δ) * k
        path.append(k)
    return np.array(path)


def geometric_series_to_tolerance(c, b, tol=1e-6):
    total, term, n = 0.0, c, 0
    while abs(term) > tol:
        total += term
        term *= b
        n += 1
    return total, n, c / (1 - b)


STEERED = {
    "johansson_bisection": (johansson_bisection, lambda s: (-2.0, 2.0 + 0.5 * s)),
    "johansson_newton": (johansson_newton, lambda s: (2.2 + 0.1 * s,)),
    "solow_to_tolerance": (solow_to_tolerance, lambda s: (0.25 * s,)),
    "geometric_series_to_tolerance": (geometric_series_to_tolerance, lambda s: (1.0 + s, 0.5)),
}


@pytest.mark.parametrize("name", list(STEERED))
def test_tolerance_loops_on_python_scalars_are_steered(name):
    """Johansson's bisection and Newton iterations, a Solow path run to its steady state and a
    geometric series summed to a tolerance, all on Python floats: `jit` makes the arguments
    static and gives NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------- a first import inside a trace


_LAZY_SCIPY = """
import numpy as np, tracenp

def lazy_import(x):
    import scipy.stats  # noqa: F401  (its first import, as a lecture's helper might do it)
    return x + 1

print(tracenp.jit(lazy_import)(np.zeros(3)).tolist())
"""


def test_a_first_import_of_scipy_stats_inside_the_function():
    """A helper that imports `scipy.stats` itself (a lecture's `from scipy.stats import norm`
    inside the function) traces as without the import: the import runs once, in the trace.
    A subprocess, so that the import really is the first one."""
    import subprocess
    import sys

    pytest.importorskip("scipy")
    r = subprocess.run([sys.executable, "-c", _LAZY_SCIPY], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "[1.0, 1.0, 1.0]"


# ------------------------------------------------------------- models as namedtuples, dataclasses

McCallModel = namedtuple("McCallModel", ("c", "β", "w", "q"))


def compute_reservation_wage_model(model, max_iter=60):
    c, β, w, q = model
    h = np.sum(w * q) / (1 - β)
    for i in range(max_iter):
        s = np.maximum(w / (1 - β), h)
        h = c + β * (s @ q)
    return (1 - β) * h


@dataclass
class Household:
    r: float = 0.01
    w: float = 1.0
    β: float = 0.96
    a_vals: np.ndarray = None
    z_vals: np.ndarray = None

    def budget(self):
        return self.w * self.z_vals[None, :] + (1 + self.r) * self.a_vals[:, None]


def household_budget(hh):
    c = hh.budget()[:, :, None] - hh.a_vals[None, None, :]
    return c, np.where(c > 0, hh.β * c, -np.inf).max(axis=2)


MODELS = {
    "mccall_namedtuple": (compute_reservation_wage_model, {}, lambda s, n: (
        McCallModel(20.0 + s, 0.98, *_wages(s, n)),)),
    "household_dataclass": (household_budget, {}, lambda s, n: (
        Household(r=0.01 * s, a_vals=np.linspace(0, 3, n), z_vals=np.array([0.1, 1.0])),)),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_models_passed_as_namedtuples_and_dataclasses(name):
    check_like_numpy(*MODELS[name])


# ---------------------------------------------------- gradients against the lectures' formulas


def poisson_loglik(β, y, X):
    μ = np.exp(X @ β)
    return np.sum(y * np.log(μ) - μ - np.vectorize(math.lgamma)(y + 1))


def cake_v_star(x, β=0.96, γ=1.5):
    return np.sum((1 - β ** (1 / γ)) ** (-γ) * (x ** (1 - γ) / (1 - γ)))


def consumption_welfare(c_seq, R=1.05, g1=1.0, g2=0.5):
    β_seq = R ** (-np.arange(len(c_seq)))
    return β_seq @ (g1 * c_seq - g2 / 2 * c_seq ** 2)


def pv_total(d, δ=0.95, p_star=2.0):
    T = len(d) - 1
    A = np.eye(T + 1) - δ * np.eye(T + 1, k=1)
    b = np.zeros(T + 1)
    b[-1] = δ * p_star
    return np.sum(np.linalg.solve(A, d + b))


def test_gradients_match_the_lectures_formulas():
    """`tracenp.grad` of the Poisson regression log-likelihood is the lecture's score
    `X.T @ (y - μ)`; of the cake-eating value `v*` it is `u'(σ*(x))` (the envelope condition);
    of the consumption-smoothing welfare it is `β^t (g1 - g2 c_t)`; of a present value solved
    by `np.linalg.solve` it is `solve(A.T, 1)`."""
    for s, n in ((1, 4), (2, 6)):
        X = np.column_stack([np.ones(2 * n), 0.3 * _f(2 * n, seed=s)])
        y = _i(4, 2 * n, seed=s).astype(float)
        β = np.array([0.1, 0.2 * s])
        np.testing.assert_allclose(tracenp.grad(poisson_loglik)(β, y, X),
                                   X.T @ (y - np.exp(X @ β)), rtol=1e-10)
        x = 1 + _u(s, n)
        c_star = (1 - 0.96 ** (1 / 1.5)) * x
        np.testing.assert_allclose(tracenp.grad(cake_v_star)(x), c_star ** -1.5, rtol=1e-10)
        c = 1 + 0.1 * _f(n, seed=s)
        np.testing.assert_allclose(tracenp.grad(consumption_welfare)(c),
                                   1.05 ** -np.arange(n) * (1.0 - 0.5 * c), rtol=1e-10)
        A = np.eye(n) - 0.95 * np.eye(n, k=1)
        np.testing.assert_allclose(tracenp.grad(pv_total)(_f(n, seed=s)),
                                   np.linalg.solve(A.T, np.ones(n)), rtol=1e-10)
