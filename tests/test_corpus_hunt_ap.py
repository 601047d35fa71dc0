"""Corpus, hunt AP: epidemiology, ecology, pharmacology and biostatistics as course notebooks,
textbooks' companion code, epidemic-modelling blog posts and lifelines/statsmodels-free
reimplementations write them.

Epidemiology and ecology (SIR, SEIR and SIRD models by Euler loops over Python floats unpacked
from an array, with lists of arrays and `np.array(history)`, three Python lists, RK4 with a
derivative helper taking a dict of parameters into preallocated rows, scenario batches with
peaks by argmax, a lockdown by `np.where` on the day, vaccination capped by Python `min`, and
`scipy.integrate.odeint`; age-structured SEIR with a contact matrix; metapopulations with a
mobility matrix; chain-binomial SIR from a generator argument, seeded inside with Python
scalars and with arrays, Reed-Frost; Gillespie steps with a fixed step count and `np.where`
updates; R0 as the spectral radius of a next-generation matrix by `np.linalg.eigvals`, by
`max(abs(...))`, `np.max(np.abs(...))` and Python `max(..., key=abs)`; final size by a
fixed-point loop; renewal-equation simulations with reversed slices, a serial interval by
`gammainc` differences and Cori's Rt by `np.convolve`; moving averages, growth rates and
doubling times by `np.diff`, `np.polyfit` and `scipy.stats.linregress`; daily and weekly
counts from cumulative series; exact Poisson rate intervals by `chi2.ppf`, SMRs with Byar's
interval, direct standardisation, life tables by reversed cumsums; Leslie matrices built by
fancy writes, projected in loops and by `matrix_power`, stable age distributions and
reproductive values by `np.linalg.eig`; Lotka-Volterra by Euler and RK4, competitive
Lotka-Volterra, Ricker growth with generator noise; Shannon, Simpson, Pielou and Hill
diversities, rarefaction by `scipy.special.comb`; Lincoln-Petersen and Chapman estimators;
occupancy and N-mixture likelihoods with `gammaln` and `logsumexp`), survival analysis
(Kaplan-Meier on a fixed grid by broadcasting, by `searchsorted`/`bincount`/`cumprod`, on
sorted data with Greenwood's interval and by a loop over the grid; Nelson-Aalen; log-rank on
a grid with `chdtrc`; the Cox partial log-likelihood, gradient and Newton steps with risk sets
by reversed cumsums; censored Weibull likelihoods and a Weibull Newton fit), pharmacology (the
Bateman function, a two-compartment closed form from a dict of micro-constants, multiple
dosing by superposition loops, NCA by `np.trapezoid` and `np.polyfit` into a dict, AUC
linear-up/log-down, a two-compartment Euler loop, an Emax Gauss-Newton fit, probit and logit
IRLS with `scipy.special.ndtr` and LD50s) and biostatistics (ROC curves by sorting and cumsum
with AUC by `np.trapezoid`, Mann-Whitney AUC by ranks and by pairwise masks, sensitivity/
specificity tables over thresholds with Youden's J, 2x2 diagnostics into a dict, Clopper-
Pearson intervals by `beta.ppf`, bootstrap CIs from a generator by index matrices, by
`rng.choice` loops and seeded inside, permutation tests with a fixed count by boolean sums,
index matrices and `rng.shuffle`, fixed- and random-effects meta-analysis with
DerSimonian-Laird tau^2 by Python `max`, forest-plot numbers with the Haldane correction,
Mantel-Haenszel odds ratios, chi-square tests by hand and by `scipy.stats.chi2_contingency`,
exact hypergeometric probabilities by `gammaln` on a fixed support, Cochran-Armitage, Cohen's
kappa by `np.add.at`, risk ratios into a dict of tuples, `scipy.stats.sem` and `ttest_ind`).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Day counts, step sizes, seeds and simulation counts
of generators made inside, dose counts, bootstrap sizes and the Python int cells of Fisher's
test given positionally are made static; the forms whose Python or shapes depend on array
values (Kaplan-Meier and log-rank over `np.unique` times, Gillespie's `if` on a draw and
`while t < t_max`, permutation counts by `if`, tolerance loops, simulation until extinction,
days above a threshold, the tail after `int(argmax)`, Fisher's support from array margins,
`np.real_if_close`, `np.poly1d`'s trimmed coefficients, a generator expression with `if`)
raise a named error and run eagerly under `fallback=True`.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.integrate
import scipy.special
import scipy.stats
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


# ============================================================================ epidemiology


def sir_euler_history(y0, beta, gamma, dt=0.5, steps=40):
    # the blog post: unpack, update Python-style, append a fresh array every step
    S, I, R = y0
    N = S + I + R
    history = [np.array([S, I, R])]
    for _ in range(steps):
        new_inf = beta * S * I / N
        new_rec = gamma * I
        S = S - dt * new_inf
        I = I + dt * (new_inf - new_rec)
        R = R + dt * new_rec
        history.append(np.array([S, I, R]))
    return np.array(history)


def sir_euler_lists(S0, I0, R0, beta, gamma, days=60):
    # three Python lists, one per compartment, and np.array of each at the end
    N = S0 + I0 + R0
    S, I, R = [S0], [I0], [R0]
    for t in range(days):
        dS = -beta * S[-1] * I[-1] / N
        dI = beta * S[-1] * I[-1] / N - gamma * I[-1]
        dR = gamma * I[-1]
        S.append(S[-1] + dS)
        I.append(I[-1] + dI)
        R.append(R[-1] + dR)
    return np.array(S), np.array(I), np.array(R)


def seir_deriv(y, t, params):
    S, E, I, R = y
    N = y.sum()
    beta, sigma, gamma = params["beta"], params["sigma"], params["gamma"]
    dS = -beta * S * I / N
    dE = beta * S * I / N - sigma * E
    dI = sigma * E - gamma * I
    dR = gamma * I
    return np.array([dS, dE, dI, dR])


def seir_rk4(y0, params, t_max=30.0, dt=0.25):
    # RK4 into a preallocated (steps + 1, 4) array, the derivative taking a dict of parameters
    n_steps = int(t_max / dt)
    t = np.linspace(0, t_max, n_steps + 1)
    y = np.zeros((n_steps + 1, len(y0)))
    y[0] = y0
    for i in range(n_steps):
        k1 = seir_deriv(y[i], t[i], params)
        k2 = seir_deriv(y[i] + dt / 2 * k1, t[i] + dt / 2, params)
        k3 = seir_deriv(y[i] + dt / 2 * k2, t[i] + dt / 2, params)
        k4 = seir_deriv(y[i] + dt * k3, t[i] + dt, params)
        y[i + 1] = y[i] + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return t, y


def sird_column_stack(y0, beta, gamma, mu, days=50):
    # SIRD with deaths, the columns written by index and stacked
    S = np.zeros(days)
    I = np.zeros(days)
    R = np.zeros(days)
    D = np.zeros(days)
    S[0], I[0], R[0], D[0] = y0[0], y0[1], y0[2], 0.0
    N = y0.sum()
    for t in range(1, days):
        inf = beta * S[t - 1] * I[t - 1] / N
        S[t] = S[t - 1] - inf
        I[t] = I[t - 1] + inf - gamma * I[t - 1] - mu * I[t - 1]
        R[t] = R[t - 1] + gamma * I[t - 1]
        D[t] = D[t - 1] + mu * I[t - 1]
    cfr = D[-1] / (D[-1] + R[-1])
    return np.column_stack((S, I, R, D)), cfr


def sir_batch_scenarios(S0, I0, betas, gamma, days=40):
    # many beta scenarios at once: vectors through the loop, the peak by argmax
    N = S0 + I0
    S = np.full_like(betas, S0, dtype=float)
    I = np.full_like(betas, I0, dtype=float)
    Is = np.empty((days, len(betas)))
    for d in range(days):
        new = betas * S * I / N
        S -= new
        I += new - gamma * I
        Is[d] = I
    peak_day = Is.argmax(axis=0)
    peak = Is.max(axis=0)
    return peak_day, peak, 1 - S / N


def sir_lockdown(y0, t_lock, beta0, beta1, gamma, days=80, dt=1.0):
    # a time-varying transmission rate by np.where on the day, cumulative cases tracked
    S, I, R = y0.astype(float)
    N = S + I + R
    out = np.empty((days, 4))
    cum = I
    for d in range(days):
        beta = np.where(d < t_lock, beta0, beta1)
        inf = dt * beta * S * I / N
        rec = dt * gamma * I
        S, I, R = S - inf, I + inf - rec, R + rec
        cum = cum + inf
        out[d] = S, I, R, cum
    return out


def sirv_vaccination(y0, beta, gamma, nu, efficacy=0.9, days=60):
    # vaccination of susceptibles at a daily rate, capped by the susceptibles left
    S, I, R, V = y0
    N = S + I + R + V
    traj = []
    for _ in range(days):
        vac = min(nu * N, S) * efficacy
        inf = beta * S * I / N
        S, I, R, V = S - inf - vac, I + inf - gamma * I, R + gamma * I, V + vac
        traj.append([S, I, R, V])
    return np.array(traj)


def age_structured_seir(S, E, I, R, C, beta, sigma, gamma, days=30, dt=0.5):
    # an age-structured SEIR: force of infection from the contact matrix, per group
    N = S + E + I + R
    steps = int(days / dt)
    incidence = np.zeros((steps, len(S)))
    for k in range(steps):
        lam = beta * C.dot(I / N)
        new_e = lam * S * dt
        new_i = sigma * E * dt
        new_r = gamma * I * dt
        S = S - new_e
        E = E + new_e - new_i
        I = I + new_i - new_r
        R = R + new_r
        incidence[k, :] = new_i
    attack = R / N
    return incidence, attack


def r0_next_generation(beta, sigma, gamma, mu, C, pop):
    # SEIR NGM: F and V blocks, K = F V^-1, R0 the spectral radius by eigvals
    n = len(pop)
    F = np.zeros((2 * n, 2 * n))
    F[:n, n:] = beta * C * (pop / pop.sum())[:, None]
    V = np.zeros((2 * n, 2 * n))
    V[:n, :n] = np.diag(np.full(n, sigma + mu))
    V[n:, :n] = -sigma * np.eye(n)
    V[n:, n:] = (gamma + mu) * np.eye(n)
    K = F @ np.linalg.inv(V)
    return max(abs(np.linalg.eigvals(K)))


def r0_age_structured(C, susceptibility, beta, gamma):
    # the simple age-structured NGM and the scaling to a target R0
    K = beta / gamma * susceptibility[:, None] * C
    ev = np.linalg.eigvals(K)
    R0 = np.max(np.abs(ev))
    beta_for_r0_25 = beta * 2.5 / R0
    return R0, beta_for_r0_25


def metapopulation_sir(S, I, R, M, beta, gamma, days=25):
    # patches coupled by a row-stochastic mobility matrix: effective prevalence seen by each
    N = S + I + R
    M = M / M.sum(axis=1, keepdims=True)
    hist = []
    for _ in range(days):
        N_eff = M.T @ N
        I_eff = M.T @ I
        lam = beta * M @ (I_eff / N_eff)
        new_inf = lam * S
        new_rec = gamma * I
        S, I, R = S - new_inf, I + new_inf - new_rec, R + new_rec
        hist.append(I.copy())
    return np.array(hist)


def stochastic_sir_binomial(S0, I0, beta, gamma, rng, days=30):
    # the chain-binomial SIR with a generator argument: integer compartments
    N = S0 + I0
    S, I, R = S0, I0, 0
    out = np.zeros((days + 1, 3), dtype=int)
    out[0] = S, I, R
    for t in range(days):
        p_inf = 1.0 - np.exp(-beta * I / N)
        p_rec = 1.0 - np.exp(-gamma)
        new_inf = rng.binomial(S, p_inf)
        new_rec = rng.binomial(I, p_rec)
        S = S - new_inf
        I = I + new_inf - new_rec
        R = R + new_rec
        out[t + 1] = [S, I, R]
    return out


def stochastic_sir_seeded(S0, I0, beta, gamma, n_sims=20, days=25, seed=2024):
    # replicate epidemics as vectors, the generator seeded inside; final sizes and extinction
    rng = np.random.default_rng(seed)
    N = S0 + I0
    S = np.full(n_sims, S0)
    I = np.full(n_sims, I0)
    for _ in range(days):
        inf = rng.binomial(S, 1 - np.exp(-beta * I / N))
        rec = rng.binomial(I, 1 - np.exp(-gamma))
        S -= inf
        I += inf - rec
    final = N - S
    return final, np.mean(final < 0.1 * N)


def stochastic_sir_seeded_patches(S0, I0, beta, gamma, days=20, seed=7):
    # the same chain binomial over patches given as arrays, the generator seeded inside
    rng = np.random.default_rng(seed)
    N = S0 + I0
    S, I = S0.copy(), I0.copy()
    for _ in range(days):
        inf = rng.binomial(S, 1 - np.exp(-beta * I / N))
        rec = rng.binomial(I, 1 - np.exp(-gamma))
        S = S - inf
        I = I + inf - rec
    return N - S


def reed_frost(S0, I0, p, rng, generations=12):
    # Reed-Frost chain binomial: each susceptible escapes every infective with prob 1 - p
    S = np.asarray(S0)
    I = np.asarray(I0)
    cases = [I]
    for g in range(generations):
        I = rng.binomial(S, 1 - (1 - p) ** I)
        S = S - I
        cases.append(I)
    return np.stack(cases)


def gillespie_fixed_steps(S0, I0, beta, gamma, rng, n_steps=200):
    # Gillespie with a fixed event count: np.where picks the event, absorbing when I == 0
    N = S0 + I0
    S, I = float(S0), float(I0)
    t = 0.0
    times = np.zeros(n_steps + 1)
    infected = np.zeros(n_steps + 1)
    infected[0] = I
    for k in range(n_steps):
        a1 = beta * S * I / N
        a2 = gamma * I
        a0 = a1 + a2
        u1, u2 = rng.random(2)
        alive = a0 > 0
        tau = np.where(alive, -np.log(u1) / np.where(alive, a0, 1.0), 0.0)
        is_inf = u2 * a0 < a1
        S = np.where(alive & is_inf, S - 1, S)
        I = np.where(alive, np.where(is_inf, I + 1, I - 1), I)
        t = t + tau
        times[k + 1] = t
        infected[k + 1] = I
    return times, infected


def final_size_fixed_point(R0s, iters=200):
    # z = 1 - exp(-R0 z) iterated from 0.5 for a vector of R0s
    z = np.full_like(R0s, 0.5)
    for _ in range(iters):
        z = 1 - np.exp(-R0s * z)
    return z


def renewal_simulation(R_t, w, I0):
    # the renewal equation I_t = R_t * sum_s I_{t-s} w_s, written with reversed slices
    T = len(R_t)
    S = len(w)
    I = np.zeros(T)
    I[0] = I0
    for t in range(1, T):
        past = I[max(0, t - S):t][::-1]
        I[t] = R_t[t] * np.sum(past * w[:len(past)])
    return I


def cori_rt(incidence, w, window=7, a=1.0, b=5.0):
    # EpiEstim's posterior mean of R_t: total infectiousness by np.convolve, window sums
    lam = np.convolve(incidence, np.r_[0.0, w])[:len(incidence)]
    T = len(incidence)
    rt = np.full(T, np.nan)
    for t in range(window, T):
        shape = a + incidence[t - window + 1:t + 1].sum()
        scale = 1.0 / (1.0 / b + lam[t - window + 1:t + 1].sum())
        rt[t] = shape * scale
    return rt


def discretized_gamma_si(mean=4.7, sd=2.9, n=15):
    # a serial-interval distribution discretised by differences of the gamma CDF
    shape = (mean / sd) ** 2
    scale = sd ** 2 / mean
    edges = np.arange(n + 1) + 0.5
    cdf = scipy.special.gammainc(shape, edges / scale)
    w = np.diff(cdf)
    return w / w.sum()


def moving_average_cases(cases, window=7):
    # the 7-day rolling mean, trailing ('valid') and centred ('same')
    kernel = np.ones(window) / window
    trailing = np.convolve(cases, kernel, mode="valid")
    centred = np.convolve(cases, kernel, mode="same")
    return trailing, centred


def growth_rate_doubling(cases, window=7):
    # smoothed log growth rate and doubling time
    smooth = np.convolve(cases, np.ones(window), "valid") / window
    r = np.diff(np.log(smooth))
    doubling = np.log(2) / r
    doubling[r <= 0] = np.inf
    return r, doubling


def incidence_from_cumulative(cumulative):
    # daily new cases from a cumulative series, negatives from corrections clipped to zero
    daily = np.diff(cumulative, prepend=0)
    daily = np.clip(daily, 0, None)
    weekly = daily[: len(daily) // 7 * 7].reshape(-1, 7).sum(axis=1)
    return daily, weekly


def log_linear_growth(cases):
    # a straight line fitted to log counts by np.polyfit: growth rate and doubling time
    t = np.arange(len(cases))
    slope, intercept = np.polyfit(t, np.log(cases + 1), 1)
    return slope, np.log(2) / slope, np.exp(intercept)


def smr(observed, pop_study, rates_std):
    # indirect standardisation: expected deaths from reference age-specific rates, Byar's CI
    expected = np.sum(pop_study * rates_std, axis=-1)
    ratio = observed / expected
    O = observed
    lo = O * (1 - 1 / (9 * O) - 1.96 / (3 * np.sqrt(O))) ** 3 / expected
    hi = (O + 1) * (1 - 1 / (9 * (O + 1)) + 1.96 / (3 * np.sqrt(O + 1))) ** 3 / expected
    return ratio, lo, hi


def direct_standardisation(deaths, pop, std_pop):
    # age-adjusted rate: age-specific rates weighted by a standard population
    rates = deaths / pop
    weights = std_pop / std_pop.sum()
    adj = (rates * weights).sum(axis=-1)
    var = (weights ** 2 * deaths / pop ** 2).sum(axis=-1)
    return adj * 1e5, np.sqrt(var) * 1e5


def life_table(qx, radix=100000):
    # period life table: l_x, d_x, L_x, T_x by a reversed cumsum, e_x
    n = len(qx)
    lx = np.empty(n)
    lx[0] = radix
    for i in range(1, n):
        lx[i] = lx[i - 1] * (1 - qx[i - 1])
    dx = lx * qx
    Lx = np.empty(n)
    Lx[:-1] = (lx[:-1] + lx[1:]) / 2
    Lx[-1] = lx[-1] / 0.2
    Tx = np.cumsum(Lx[::-1])[::-1]
    ex = Tx / lx
    return np.vstack([lx, dx, Lx, Tx, ex]).T


def sir_deriv(y, t, N, beta, gamma):
    S, I, R = y
    dSdt = -beta * S * I / N
    dIdt = beta * S * I / N - gamma * I
    dRdt = gamma * I
    return dSdt, dIdt, dRdt


def sir_odeint(y0, beta, gamma, days=40):
    # the most copied SIR post: scipy.integrate.odeint over a day grid, unpacked with .T
    N = y0.sum()
    t = np.linspace(0, days, days + 1)
    ret = scipy.integrate.odeint(sir_deriv, y0, t, args=(N, beta, gamma))
    S, I, R = ret.T
    return S, I, R


def r0_max_key_abs(beta, gamma, C, pop):
    # the dominant eigenvalue picked by Python's max with key=abs, then its real part
    K = beta / gamma * C * (pop / pop.sum())[:, None]
    return max(np.linalg.eigvals(K), key=abs).real


def growth_rate_linregress(cases, window=7):
    # the exponential-phase growth rate by scipy.stats.linregress on log counts
    t = np.arange(window)
    fit = scipy.stats.linregress(t, np.log(cases[-window:]))
    return fit.slope, np.log(2) / fit.slope, fit.stderr


def incidence_rate_exact_ci(cases, person_years, per=100000):
    # rates per 100,000 with the exact Poisson interval from chi-square quantiles
    rate = cases / person_years * per
    lo = scipy.stats.chi2.ppf(0.025, 2 * cases) / 2 / person_years * per
    hi = scipy.stats.chi2.ppf(0.975, 2 * (cases + 1)) / 2 / person_years * per
    return rate, lo, hi


def _pos(seed, *shape, lo=1.0, hi=10.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _cases(seed, n):
    t = np.arange(n)
    return np.random.default_rng(seed).poisson(20 * np.exp(0.08 * t)).astype(float) + 1


def _contacts(seed, n):
    return 0.5 + 2 * _u(seed, n, n)


# ================================================================================= ecology


def leslie_matrix(fecundity, survival):
    # the Leslie matrix built by a first-row write and a sub-diagonal fancy write
    n = len(fecundity)
    L = np.zeros((n, n))
    L[0, :] = fecundity
    L[np.arange(1, n), np.arange(0, n - 1)] = survival
    return L


def leslie_projection(fecundity, survival, n0, years=20):
    L = leslie_matrix(fecundity, survival)
    pops = [n0]
    n = n0
    for _ in range(years):
        n = L @ n
        pops.append(n)
    pops = np.array(pops)
    totals = pops.sum(axis=1)
    growth = totals[1:] / totals[:-1]
    return pops, growth


def leslie_matrix_power(fecundity, survival, n0, t=10):
    L = np.diag(survival, k=-1)
    L[0] = fecundity
    return np.linalg.matrix_power(L, t) @ n0


def stable_age_distribution(fecundity, survival):
    # the dominant eigenvalue and its eigenvector, normalised to sum to one
    L = leslie_matrix(fecundity, survival)
    w, v = np.linalg.eig(L)
    i = np.argmax(np.abs(w))
    lam = np.real(w[i])
    stable = np.real(v[:, i])
    stable = stable / stable.sum()
    # reproductive values from the left eigenvector
    wl, vl = np.linalg.eig(L.T)
    j = np.argmax(np.abs(wl))
    rv = np.real(vl[:, j])
    rv = rv / rv[0]
    return lam, stable, rv


def lotka_volterra_euler(x0, y0, alpha, beta, delta, gamma, dt=0.01, steps=500):
    x = np.empty(steps + 1)
    y = np.empty(steps + 1)
    x[0], y[0] = x0, y0
    for i in range(steps):
        x[i + 1] = x[i] + dt * (alpha * x[i] - beta * x[i] * y[i])
        y[i + 1] = y[i] + dt * (delta * x[i] * y[i] - gamma * y[i])
    return x, y


def lv_rhs(z, p):
    x, y = z
    return np.array([p[0] * x - p[1] * x * y, p[2] * x * y - p[3] * y])


def lotka_volterra_rk4(z0, p, dt=0.05, steps=200):
    z = z0.copy()
    traj = np.zeros((steps, 2))
    for i in range(steps):
        k1 = lv_rhs(z, p)
        k2 = lv_rhs(z + 0.5 * dt * k1, p)
        k3 = lv_rhs(z + 0.5 * dt * k2, p)
        k4 = lv_rhs(z + dt * k3, p)
        z = z + dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6
        traj[i] = z
    return traj


def competitive_lv(N0, r, K, A, dt=0.1, steps=300):
    # n-species competitive Lotka-Volterra with an interaction matrix
    N = N0.copy()
    for _ in range(steps):
        N += dt * r * N * (1 - A @ N / K)
        N = np.maximum(N, 0)
    return N


def ricker_stochastic(N0, r, K, sigma, rng, years=40):
    # the Ricker model with log-normal environmental noise from a generator argument
    N = np.zeros(years)
    N[0] = N0
    eps = rng.normal(0, sigma, size=years)
    for t in range(1, years):
        N[t] = N[t - 1] * np.exp(r * (1 - N[t - 1] / K) + eps[t])
    return N


def shannon_simpson(counts):
    # per-site indices from a sites x species table, zeros handled by np.where
    p = counts / counts.sum(axis=1, keepdims=True)
    H = -np.sum(np.where(p > 0, p * np.log(p), 0.0), axis=1)
    D = 1 - np.sum(p ** 2, axis=1)
    inv_simpson = 1 / np.sum(p ** 2, axis=1)
    S = (counts > 0).sum(axis=1)
    J = H / np.log(S)
    return H, D, inv_simpson, J


def hill_numbers(counts, qs=(0, 1, 2, 3)):
    # the diversity profile: species with zero counts dropped first, q == 1 as the limit
    p = counts / counts.sum()
    p = p[p > 0]
    out = []
    for q in qs:
        if q == 1:
            out.append(np.exp(-np.sum(p * np.log(p))))
        else:
            out.append(np.sum(p ** q) ** (1 / (1 - q)))
    return np.array(out)


def rarefaction_comb(counts, depths):
    # Hurlbert's expected richness by binomial coefficients
    N = counts.sum()
    out = np.zeros(len(depths))
    for k, n in enumerate(depths):
        out[k] = np.sum(1 - scipy.special.comb(N - counts, n) / scipy.special.comb(N, n))
    return out


def mark_recapture(M, C, R):
    # Lincoln-Petersen, Chapman's bias correction and its variance
    N_lp = M * C / R
    N_ch = (M + 1) * (C + 1) / (R + 1) - 1
    var = (M + 1) * (C + 1) * (M - R) * (C - R) / ((R + 1) ** 2 * (R + 2))
    return N_lp, N_ch, np.sqrt(var)


def occupancy_nll(params, y):
    # single-season occupancy: logit psi and p, detection histories sites x visits
    psi = 1 / (1 + np.exp(-params[0]))
    p = 1 / (1 + np.exp(-params[1]))
    det = y.sum(axis=1)
    K = y.shape[1]
    lik_occ = psi * p ** det * (1 - p) ** (K - det)
    lik = lik_occ + (1 - psi) * (det == 0)
    return -np.sum(np.log(lik))


def nmixture_nll(params, y, K=40):
    # Royle's N-mixture likelihood summed over N = 0..K: Poisson abundance, binomial counts
    lam = np.exp(params[0])
    p = scipy.special.expit(params[1])
    Ns = np.arange(K + 1)
    log_prior = Ns * np.log(lam) - lam - scipy.special.gammaln(Ns + 1)
    ll = 0.0
    for i in range(y.shape[0]):
        yi = y[i][:, None]
        logbin = (scipy.special.gammaln(Ns + 1) - scipy.special.gammaln(yi + 1)
                  - scipy.special.gammaln(np.maximum(Ns - yi, 0) + 1)
                  + yi * np.log(p) + (Ns - yi) * np.log(1 - p))
        logbin = np.where(Ns >= yi, logbin, -np.inf)
        ll += scipy.special.logsumexp(log_prior + logbin.sum(axis=0))
    return -ll


def _leslie(seed, n):
    r = np.random.default_rng(seed)
    fec = np.r_[0.0, r.uniform(0.5, 2.0, n - 1)]
    surv = r.uniform(0.3, 0.9, n - 1)
    return fec, surv


# ======================================================================= survival analysis


def km_grid_broadcast(time, event, grid):
    # Kaplan-Meier on a fixed grid of times: at-risk and event counts by broadcasting
    at_risk = (time[None, :] >= grid[:, None]).sum(axis=1)
    deaths = ((time[None, :] == grid[:, None]) & (event[None, :] == 1)).sum(axis=1)
    hazard = np.where(at_risk > 0, deaths / np.maximum(at_risk, 1), 0.0)
    surv = np.cumprod(1.0 - hazard)
    return surv, at_risk, deaths


def km_searchsorted(time, event, grid):
    # at risk from searchsorted on the sorted times, deaths by bincount of grid positions
    order = np.argsort(time, kind="stable")
    t_sorted = time[order]
    e_sorted = event[order]
    n = len(time)
    n_at_risk = n - np.searchsorted(t_sorted, grid, side="left")
    pos = np.searchsorted(grid, t_sorted)
    d = np.bincount(pos, weights=e_sorted, minlength=len(grid) + 1)[: len(grid)]
    hit = grid[np.minimum(pos, len(grid) - 1)] == t_sorted
    d_exact = np.bincount(pos, weights=e_sorted * hit, minlength=len(grid) + 1)[: len(grid)]
    S = np.cumprod(1 - d_exact / np.maximum(n_at_risk, 1))
    return S, n_at_risk, d


def km_sorted_no_ties(time, event):
    # the textbook form for distinct times: at risk n, n-1, ..., 1 after sorting
    idx = np.argsort(time)
    t = time[idx]
    e = event[idx]
    n = len(t)
    at_risk = np.arange(n, 0, -1)
    S = np.cumprod(1.0 - e / at_risk)
    greenwood = S ** 2 * np.cumsum(e / (at_risk * (at_risk - e + 1e-12)))
    se = np.sqrt(greenwood)
    lo = np.clip(S - 1.96 * se, 0, 1)
    hi = np.clip(S + 1.96 * se, 0, 1)
    return t, S, lo, hi


def km_loop_over_grid(time, event, grid):
    # the loop a course notebook writes before it learns broadcasting
    S = 1.0
    surv = np.zeros(len(grid))
    var_sum = 0.0
    var = np.zeros(len(grid))
    for k, t in enumerate(grid):
        n_t = np.sum(time >= t)
        d_t = np.sum((time == t) & (event == 1))
        S = S * (1 - d_t / n_t)
        var_sum = var_sum + d_t / (n_t * (n_t - d_t))
        surv[k] = S
        var[k] = S ** 2 * var_sum
    return surv, var


def nelson_aalen_grid(time, event, grid):
    at_risk = (time >= grid[:, None]).sum(1)
    d = ((time == grid[:, None]) * event).sum(1)
    H = np.cumsum(d / at_risk)
    var = np.cumsum(d / at_risk ** 2)
    return H, np.exp(-H), np.sqrt(var)


def logrank_grid(time, event, group, grid):
    # log-rank test at the grid times: observed minus expected in group 1, hypergeometric var
    at1 = (time[None, :] >= grid[:, None]) & (group == 1)
    at = time[None, :] >= grid[:, None]
    dd = (time[None, :] == grid[:, None]) & (event == 1)
    n1 = at1.sum(1).astype(float)
    n = at.sum(1).astype(float)
    d = dd.sum(1).astype(float)
    d1 = (dd & (group == 1)).sum(1)
    E1 = d * n1 / n
    V = d * (n1 / n) * (1 - n1 / n) * (n - d) / np.maximum(n - 1, 1)
    Z = (d1 - E1).sum() / np.sqrt(V.sum())
    chi2 = Z ** 2
    p = scipy.special.chdtrc(1, chi2)
    return chi2, p


def cox_partial_loglik_grad(beta, X, time, event):
    # Breslow, no ties: sort by descending time so risk sets are prefix sums
    order = np.argsort(-time)
    X = X[order]
    event = event[order]
    eta = X @ beta
    r = np.exp(eta)
    risk = np.cumsum(r)
    risk_x = np.cumsum(r[:, None] * X, axis=0)
    ll = np.sum(event * (eta - np.log(risk)))
    grad = np.sum(event[:, None] * (X - risk_x / risk[:, None]), axis=0)
    return ll, grad


def cox_newton(X, time, event, n_iter=8):
    # Newton-Raphson for the Cox model with the information matrix from cumsums of outer
    order = np.argsort(time)[::-1]
    X, event = X[order], event[order]
    n, p = X.shape
    beta = np.zeros(p)
    for it in range(n_iter):
        r = np.exp(X @ beta)
        s0 = np.cumsum(r)
        s1 = np.cumsum(r[:, None] * X, axis=0)
        s2 = np.cumsum(r[:, None, None] * X[:, :, None] * X[:, None, :], axis=0)
        xbar = s1 / s0[:, None]
        grad = (event[:, None] * (X - xbar)).sum(0)
        info = (event[:, None, None] * (s2 / s0[:, None, None]
                                        - xbar[:, :, None] * xbar[:, None, :])).sum(0)
        beta = beta + np.linalg.solve(info, grad)
    se = np.sqrt(np.diag(np.linalg.inv(info)))
    return beta, se, np.exp(beta)


def weibull_loglik(params, t, d):
    # censored Weibull: log shape and log scale, events contribute the density
    k = np.exp(params[0])
    lam = np.exp(params[1])
    z = t / lam
    log_h = np.log(k) - np.log(lam) + (k - 1) * np.log(z)
    return np.sum(d * log_h - z ** k)


def weibull_shape_newton(t, d, iters=30):
    # the profile score for the shape solved by Newton steps; the scale in closed form
    k = 1.0
    logt = np.log(t)
    r = d.sum()
    for _ in range(iters):
        tk = t ** k
        A = np.sum(tk * logt)
        B = np.sum(tk)
        C = np.sum(tk * logt ** 2)
        g = A / B - 1 / k - np.sum(d * logt) / r
        dg = (C * B - A ** 2) / B ** 2 + 1 / k ** 2
        k = k - g / dg
    lam = (np.sum(t ** k) / r) ** (1 / k)
    return k, lam


def _surv(seed, n, p=2):
    r = np.random.default_rng(seed)
    t = np.round(r.exponential(5.0, 6 * n), 1) + 0.1
    e = (r.random(6 * n) < 0.7).astype(int)
    return t, e


def _surv_distinct(seed, n):
    r = np.random.default_rng(seed)
    t = r.permutation(np.arange(1, 6 * n + 1)) * 0.5 + r.random(6 * n) * 0.1
    e = (r.random(6 * n) < 0.7).astype(float)
    return t, e


# ============================================================================ pharmacology


def bateman(t, dose, F, ka, ke, V):
    # the oral one-compartment (Bateman) function
    return F * dose * ka / (V * (ka - ke)) * (np.exp(-ke * t) - np.exp(-ka * t))


def two_compartment_iv(t, dose, p):
    # micro-constants to the hybrid rate constants alpha, beta and the biexponential
    k10, k12, k21, V1 = p["k10"], p["k12"], p["k21"], p["V1"]
    s = k10 + k12 + k21
    root = np.sqrt(s ** 2 - 4 * k10 * k21)
    alpha = (s + root) / 2
    beta = (s - root) / 2
    A = dose / V1 * (alpha - k21) / (alpha - beta)
    B = dose / V1 * (k21 - beta) / (alpha - beta)
    return A * np.exp(-alpha * t) + B * np.exp(-beta * t)


def multiple_dosing_superposition(t, dose, tau, ka, ke, V, n_doses=3, F=1.0):
    # superposition: a loop over doses adding shifted single-dose curves
    C = np.zeros_like(t)
    for i in range(n_doses):
        t_after = t - i * tau
        C += np.where(t_after >= 0, bateman(np.maximum(t_after, 0), dose, F, ka, ke, V), 0.0)
    return C


def nca_summary(t, C, n_terminal=3):
    # non-compartmental analysis: Cmax, Tmax, AUC by np.trapezoid, lambda_z by polyfit
    imax = np.argmax(C)
    cmax = C[imax]
    tmax = t[imax]
    auc = np.trapezoid(C, t)
    slope, intercept = np.polyfit(t[-n_terminal:], np.log(C[-n_terminal:]), 1)
    lambda_z = -slope
    auc_inf = auc + C[-1] / lambda_z
    aumc = np.trapezoid(C * t, t)
    mrt = aumc / auc
    return {"cmax": cmax, "tmax": tmax, "auc": auc, "auc_inf": auc_inf,
            "t_half": np.log(2) / lambda_z, "mrt": mrt}


def auc_linear_up_log_down(t, C):
    # linear trapezoids while rising, log trapezoids while falling
    dt = t[1:] - t[:-1]
    c1, c2 = C[:-1], C[1:]
    lin = (c1 + c2) / 2 * dt
    falling = (c2 < c1) & (c2 > 0)
    log = np.where(falling, (c1 - c2) * dt / np.log(np.where(falling, c1 / c2, 2.0)), 0.0)
    return np.sum(np.where(falling, log, lin))


def two_compartment_oral_euler(dose, ka, k10, k12, k21, V1, dt=0.05, t_end=24.0):
    # gut, central and peripheral amounts by Euler steps
    n = int(round(t_end / dt))
    A = np.array([dose, 0.0, 0.0])
    conc = np.zeros(n + 1)
    for i in range(n):
        gut, cen, per = A
        dA = np.array([-ka * gut,
                       ka * gut - (k10 + k12) * cen + k21 * per,
                       k12 * cen - k21 * per])
        A = A + dt * dA
        conc[i + 1] = A[1] / V1
    return conc


def emax_model(conc, E0, Emax, EC50, hill=1.0):
    return E0 + Emax * conc ** hill / (EC50 ** hill + conc ** hill)


def emax_gauss_newton(conc, y, theta0, n_iter=15):
    # E0, Emax, EC50 fitted by Gauss-Newton with the Jacobian written by hand
    theta = np.array(theta0, dtype=float)
    for _ in range(n_iter):
        E0, Emax, EC50 = theta
        denom = EC50 + conc
        f = E0 + Emax * conc / denom
        J = np.column_stack([np.ones_like(conc), conc / denom, -Emax * conc / denom ** 2])
        r = y - f
        step = np.linalg.solve(J.T @ J + 1e-9 * np.eye(3), J.T @ r)
        theta = theta + step
    rss = np.sum((y - (theta[0] + theta[1] * conc / (theta[2] + conc))) ** 2)
    return theta, rss


def probit_irls(dose, n, r, n_iter=20):
    # Finney's probit analysis by iteratively reweighted least squares on log10 dose
    x = np.log10(dose)
    X = np.column_stack([np.ones_like(x), x])
    beta = np.array([0.0, 1.0])
    for _ in range(n_iter):
        eta = X @ beta
        mu = scipy.special.ndtr(eta)
        phi = np.exp(-0.5 * eta ** 2) / np.sqrt(2 * np.pi)
        w = n * phi ** 2 / (mu * (1 - mu))
        z = eta + (r / n - mu) / phi
        W = np.diag(w)
        beta = np.linalg.solve(X.T @ W @ X, X.T @ W @ z)
    ld50 = 10 ** (-beta[0] / beta[1])
    return beta, ld50


def logit_irls(dose, n, r, n_iter=25):
    # grouped logistic regression by Newton steps, standard errors and LD50 with a delta CI
    X = np.c_[np.ones(len(dose)), np.log(dose)]
    b = np.zeros(2)
    for _ in range(n_iter):
        p = 1 / (1 + np.exp(-X @ b))
        W = n * p * (1 - p)
        H = X.T @ (X * W[:, None])
        g = X.T @ (r - n * p)
        b += np.linalg.solve(H, g)
    cov = np.linalg.inv(H)
    se = np.sqrt(np.diag(cov))
    log_ld50 = -b[0] / b[1]
    grad = np.array([-1 / b[1], b[0] / b[1] ** 2])
    se_ld = np.sqrt(grad @ cov @ grad)
    return b, se, np.exp(log_ld50), np.exp(log_ld50 + np.array([-1.96, 1.96]) * se_ld)


def _pk_times(seed, n):
    r = np.random.default_rng(seed)
    return np.sort(np.r_[0.0, r.uniform(0.1, 24, 3 * n)])


def _dose_resp(seed, n):
    r = np.random.default_rng(seed)
    dose = np.geomspace(0.5, 50, n + 2)
    m = np.full(n + 2, 40.0)
    p = scipy.special.ndtr(-2.0 + 1.8 * np.log10(dose) * 1.5)
    resp = r.binomial(40, np.clip(p, 0.05, 0.95)).astype(float)
    return dose, m, resp


# ========================================================================= biostatistics


def roc_curve_cumsum(y_true, scores):
    # sklearn-free ROC: sort descending, cumulative TP and FP counts, AUC by np.trapezoid
    desc = np.argsort(scores, kind="mergesort")[::-1]
    y = y_true[desc]
    tps = np.cumsum(y)
    fps = np.cumsum(1 - y)
    tpr = np.r_[0, tps / tps[-1]]
    fpr = np.r_[0, fps / fps[-1]]
    return fpr, tpr, np.trapezoid(tpr, fpr)


def auc_mann_whitney_ranks(y_true, scores):
    # AUC from the rank sum of the positives (no ties in the scores)
    ranks = np.empty(len(scores))
    ranks[np.argsort(scores)] = np.arange(1, len(scores) + 1)
    n1 = y_true.sum()
    n0 = len(y_true) - n1
    U = ranks[y_true == 1].sum() - n1 * (n1 + 1) / 2
    return U / (n1 * n0)


def auc_pairwise(y, s):
    # every positive-negative pair by broadcasting, ties counted as a half
    pos = y.astype(bool)
    gt = (s[:, None] > s[None, :]) & pos[:, None] & ~pos[None, :]
    eq = (s[:, None] == s[None, :]) & pos[:, None] & ~pos[None, :]
    return (gt.sum() + 0.5 * eq.sum()) / (pos.sum() * (~pos).sum())


def sens_spec_table(y, scores, thresholds):
    # the diagnostic table over thresholds; Youden's J picks the cut-off
    pred = scores[None, :] >= thresholds[:, None]
    tp = np.sum(pred & (y == 1), axis=1)
    fp = np.sum(pred & (y == 0), axis=1)
    fn = np.sum(~pred & (y == 1), axis=1)
    tn = np.sum(~pred & (y == 0), axis=1)
    sens = tp / (tp + fn)
    spec = tn / (tn + fp)
    J = sens + spec - 1
    best = thresholds[np.argmax(J)]
    return np.stack([sens, spec, J]), best


def diagnostic_2x2(table):
    # sensitivity, specificity, predictive values, likelihood ratios, DOR with a log CI
    (tp, fn), (fp, tn) = table
    sens = tp / (tp + fn)
    spec = tn / (tn + fp)
    ppv = tp / (tp + fp)
    npv = tn / (tn + fn)
    lr_pos = sens / (1 - spec)
    lr_neg = (1 - sens) / spec
    dor = (tp * tn) / (fp * fn)
    se = np.sqrt(1 / tp + 1 / fn + 1 / fp + 1 / tn)
    ci = np.exp(np.log(dor) + np.array([-1.96, 1.96]) * se)
    return dict(sens=sens, spec=spec, ppv=ppv, npv=npv, lr_pos=lr_pos, lr_neg=lr_neg,
                dor=dor, ci=ci)


def bootstrap_ci_index_matrix(x, rng, n_boot=500, alpha=0.05):
    # resample indices all at once, percentile interval of the mean
    n = len(x)
    idx = rng.integers(0, n, size=(n_boot, n))
    means = x[idx].mean(axis=1)
    lo, hi = np.percentile(means, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return x.mean(), lo, hi, means.std(ddof=1)


def bootstrap_median_loop(x, rng, n_boot=200):
    # the loop form with rng.choice, medians into a preallocated array
    stats = np.empty(n_boot)
    for b in range(n_boot):
        sample = rng.choice(x, size=len(x), replace=True)
        stats[b] = np.median(sample)
    return np.quantile(stats, [0.025, 0.975])


def bootstrap_ratio_seeded(cases, controls, n_boot=300, seed=12345):
    # a risk ratio's percentile CI, the generator seeded inside
    rng = np.random.default_rng(seed)
    rr = np.zeros(n_boot)
    for i in range(n_boot):
        a = rng.choice(cases, len(cases))
        b = rng.choice(controls, len(controls))
        rr[i] = a.mean() / b.mean()
    return np.percentile(rr, [2.5, 50, 97.5])


def permutation_test_fixed(x, y, rng, n_perm=500):
    # difference in means, a fixed number of label shuffles, the count by a boolean sum
    obs = x.mean() - y.mean()
    pooled = np.concatenate([x, y])
    nx = len(x)
    count = 0
    for _ in range(n_perm):
        perm = rng.permutation(pooled)
        diff = perm[:nx].mean() - perm[nx:].mean()
        count += abs(diff) >= abs(obs)
    return obs, (count + 1) / (n_perm + 1)


def permutation_test_vectorized(x, y, rng, n_perm=400):
    pooled = np.concatenate([x, y])
    n = len(x)
    perms = np.array([rng.permutation(len(pooled)) for _ in range(n_perm)])
    shuffled = pooled[perms]
    diffs = shuffled[:, :n].mean(1) - shuffled[:, n:].mean(1)
    obs = x.mean() - y.mean()
    return np.mean(np.abs(diffs) >= np.abs(obs))


def meta_fixed_effect(effects, se):
    w = 1 / se ** 2
    pooled = np.sum(w * effects) / np.sum(w)
    pooled_se = np.sqrt(1 / np.sum(w))
    z = pooled / pooled_se
    p = 2 * (1 - scipy.special.ndtr(abs(z)))
    return pooled, pooled_se, pooled - 1.96 * pooled_se, pooled + 1.96 * pooled_se, p


def meta_dersimonian_laird(effects, variances):
    # random effects: Cochran's Q, tau^2 truncated at zero with Python max, I^2
    k = len(effects)
    w = 1.0 / variances
    mu_fe = np.sum(w * effects) / np.sum(w)
    Q = np.sum(w * (effects - mu_fe) ** 2)
    df = k - 1
    C = np.sum(w) - np.sum(w ** 2) / np.sum(w)
    tau2 = max(0.0, (Q - df) / C)
    w_re = 1.0 / (variances + tau2)
    mu_re = np.sum(w_re * effects) / np.sum(w_re)
    se_re = np.sqrt(1.0 / np.sum(w_re))
    I2 = max(0.0, (Q - df) / Q) * 100
    p_Q = scipy.special.chdtrc(df, Q)
    return mu_re, se_re, tau2, I2, p_Q


def forest_plot_numbers(a, b, c, d):
    # per-study log odds ratios with the Haldane correction where a cell is zero
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    a, b, c, d = (x + 0.5 * zero for x in (a, b, c, d))
    log_or = np.log(a * d / (b * c))
    se = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    w = 1 / se ** 2
    weight_pct = 100 * w / w.sum()
    rows = np.column_stack([np.exp(log_or), np.exp(log_or - 1.96 * se),
                            np.exp(log_or + 1.96 * se), weight_pct])
    return np.round(rows, 2)


def mantel_haenszel_or(tables):
    # strata x 2 x 2: the MH odds ratio and the Robins-Breslow-Greenland variance
    a = tables[:, 0, 0]
    b = tables[:, 0, 1]
    c = tables[:, 1, 0]
    d = tables[:, 1, 1]
    n = tables.sum(axis=(1, 2))
    R = a * d / n
    S = b * c / n
    or_mh = R.sum() / S.sum()
    P = (a + d) / n
    Qv = (b + c) / n
    var = (np.sum(P * R) / (2 * R.sum() ** 2) + np.sum(P * S + Qv * R) / (2 * R.sum() * S.sum())
           + np.sum(Qv * S) / (2 * S.sum() ** 2))
    return or_mh, np.exp(np.log(or_mh) + np.array([-1.96, 1.96]) * np.sqrt(var))


def chi2_contingency(table):
    # Pearson's chi-square test of independence with expected counts from the margins
    table = np.asarray(table, dtype=float)
    row = table.sum(axis=1)
    col = table.sum(axis=0)
    expected = np.outer(row, col) / table.sum()
    chi2 = ((table - expected) ** 2 / expected).sum()
    dof = (table.shape[0] - 1) * (table.shape[1] - 1)
    p = scipy.special.chdtrc(dof, chi2)
    cramers_v = np.sqrt(chi2 / (table.sum() * (min(table.shape) - 1)))
    return chi2, p, dof, expected, cramers_v


def hypergeom_logpmf(a, b, c, d):
    # the probability of one 2x2 table given its margins, by log-gamma
    lg = scipy.special.gammaln
    n = a + b + c + d
    return (lg(a + b + 1) + lg(c + d + 1) + lg(a + c + 1) + lg(b + d + 1)
            - lg(n + 1) - lg(a + 1) - lg(b + 1) - lg(c + 1) - lg(d + 1))


def fisher_exact_fixed_support(a, b, c, d, max_a=30):
    # the two-sided p over a fixed support 0..max_a masked to the valid tables
    r1, c1, n = a + b, a + c, a + b + c + d
    x = np.arange(max_a + 1)
    valid = (x <= r1) & (x <= c1) & (r1 - x <= n - c1)
    logp = hypergeom_logpmf(x, r1 - x, c1 - x, n - r1 - c1 + x)
    probs = np.where(valid, np.exp(np.where(valid, logp, 0.0)), 0.0)
    p_obs = np.exp(hypergeom_logpmf(a, b, c, d))
    return p_obs, probs[probs <= p_obs * (1 + 1e-7)].sum()


def cochran_armitage(cases, totals, scores=None):
    # test for trend in proportions across ordered groups
    if scores is None:
        scores = np.arange(len(cases), dtype=float)
    N = totals.sum()
    p = cases.sum() / N
    T = np.sum(scores * (cases - totals * p))
    var = p * (1 - p) * (np.sum(totals * scores ** 2) - np.sum(totals * scores) ** 2 / N)
    z = T / np.sqrt(var)
    return z, 2 * scipy.special.ndtr(-np.abs(z))


def cohens_kappa(r1, r2, k):
    # agreement of two raters from a k x k confusion matrix built by np.add.at
    M = np.zeros((k, k))
    np.add.at(M, (r1, r2), 1)
    n = M.sum()
    po = np.trace(M) / n
    pe = np.sum(M.sum(0) * M.sum(1)) / n ** 2
    return (po - pe) / (1 - pe)


def risk_ratio_ci(a, n1, c, n0):
    # cohort 2x2: risk ratio, risk difference, NNT
    r1, r0 = a / n1, c / n0
    rr = r1 / r0
    se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    rd = r1 - r0
    se_rd = np.sqrt(r1 * (1 - r1) / n1 + r0 * (1 - r0) / n0)
    return {"rr": rr, "rr_ci": (rr * np.exp(-1.96 * se), rr * np.exp(1.96 * se)),
            "rd": rd, "rd_ci": (rd - 1.96 * se_rd, rd + 1.96 * se_rd), "nnt": 1 / abs(rd)}


def clopper_pearson_sens_spec(tp, fn, tn, fp, alpha=0.05):
    # exact binomial intervals of sensitivity and specificity by beta quantiles
    def cp(x, n):
        lo = scipy.stats.beta.ppf(alpha / 2, x, n - x + 1)
        hi = scipy.stats.beta.ppf(1 - alpha / 2, x + 1, n - x)
        return x / n, np.nan_to_num(lo), np.where(x == n, 1.0, hi)
    return cp(tp, tp + fn), cp(tn, tn + fp)


def permutation_test_shuffle(x, y, rng, n_perm=50):
    # rng.shuffle in place on the pooled array, the count by adding booleans
    pooled = np.concatenate([x, y])
    obs = abs(np.mean(x) - np.mean(y))
    count = 0
    for _ in range(n_perm):
        rng.shuffle(pooled)
        count += abs(np.mean(pooled[:len(x)]) - np.mean(pooled[len(x):])) >= obs
    return count / n_perm


def mean_ci_sem(x, confidence=0.95):
    # the StackOverflow mean_confidence_interval: scipy.stats.sem and t.ppf
    n = len(x)
    m, se = np.mean(x), scipy.stats.sem(x)
    h = se * scipy.stats.t.ppf((1 + confidence) / 2.0, n - 1)
    return m, m - h, m + h


def chi2_scipy_table(table):
    # scipy.stats.chi2_contingency on an r x c table
    chi2, p, dof, expected = scipy.stats.chi2_contingency(table)
    return chi2, p, expected


def welch_ttest(a, b):
    t, p = scipy.stats.ttest_ind(a, b, equal_var=False)
    return t, p


def _labels_scores(seed, n):
    r = np.random.default_rng(seed)
    y = (np.arange(6 * n) % 3 == 0).astype(int)
    s = r.normal(size=6 * n) + 1.2 * y
    return y, s


def _table22(seed, n):
    return ((_i(40, 2, 2, seed=seed) + 3).astype(float),)


# =================================================================================== tables


def _sir_y0(s, n):
    return np.array([1000.0 * n - 5 * s, 5.0 * s, 0.0])


EPI = {
    "sir_euler_history": (sir_euler_history, {"steps": 30}, lambda s, n: (
        np.stack([_pos(s, n, lo=500, hi=900), _pos(s + 1, n, lo=1, hi=9), np.zeros(n)]),
        0.3 + 0.01 * s, 0.1)),
    "sir_euler_python_lists": (sir_euler_lists, {"days": 40}, lambda s, n: (
        990.0 * n, 10.0 * s, 0.0, 0.25 + 0.05 * s, 0.1)),
    "seir_rk4_param_dict": (seir_rk4, {"t_max": 10.0, "dt": 0.5}, lambda s, n: (
        np.array([1000.0 * n, 5.0, 2.0 * s, 0.0]),
        {"beta": 0.5 + 0.1 * s, "sigma": 1 / 5.2, "gamma": 1 / 7})),
    "sird_column_stack_cfr": (sird_column_stack, {"days": 40}, lambda s, n: (
        _sir_y0(s, n), 0.35, 0.1, 0.01 * s)),
    "sir_batch_beta_scenarios": (sir_batch_scenarios, {"days": 40}, lambda s, n: (
        1000.0, 3.0, np.linspace(0.15, 0.5, n) + 0.01 * s, 0.1)),
    "sir_lockdown_np_where": (sir_lockdown, {"days": 50}, lambda s, n: (
        _sir_y0(s, n).astype(int), 10 + s, 0.4, 0.12, 0.1)),
    "sirv_vaccination_python_min": (sirv_vaccination, {"days": 40}, lambda s, n: (
        np.array([900.0 * n, 10.0, 0.0, 0.0]), 0.3 + 0.02 * s, 0.1, 0.01)),
    "age_structured_seir": (age_structured_seir, {"days": 10}, lambda s, n: (
        _pos(s, n, lo=500, hi=2000), np.zeros(n), _pos(s + 1, n), np.zeros(n),
        _contacts(s, n), 0.05, 0.2, 0.14)),
    "r0_next_generation_eigvals": (r0_next_generation, {}, lambda s, n: (
        0.08, 0.2, 0.14, 0.001, _contacts(s, n), _pos(s + 1, n, lo=1e4, hi=1e5))),
    "r0_age_structured_scaling": (r0_age_structured, {}, lambda s, n: (
        _contacts(s, n), _pos(s + 1, n, lo=0.3, hi=1.0), 0.05, 0.2)),
    "metapopulation_mobility": (metapopulation_sir, {"days": 20}, lambda s, n: (
        _pos(s, n, lo=1e3, hi=1e4), np.r_[10.0, np.zeros(n - 1)], np.zeros(n),
        np.eye(n) * 5 + _u(s + 1, n, n), 0.3, 0.1)),
    "stochastic_sir_generator_arg": (stochastic_sir_binomial, {"days": 25}, lambda s, n: (
        200 * n, 5, 0.4, 0.15, np.random.default_rng(s))),
    "stochastic_sir_seeded_inside_arrays": (
        stochastic_sir_seeded_patches, {"days": 15}, lambda s, n: (
            _i(300, n, seed=s) + 100, _i(4, n, seed=s + 1) + 1, 0.35, 0.12)),
    "reed_frost_chain_binomial": (reed_frost, {"generations": 8}, lambda s, n: (
        np.full(n, 50 * s), np.ones(n, dtype=np.int64), 0.03, np.random.default_rng(s))),
    "gillespie_fixed_steps_np_where": (gillespie_fixed_steps, {"n_steps": 60}, lambda s, n: (
        50 * n, 3, 0.5, 0.2, np.random.default_rng(s))),
    "final_size_fixed_point": (final_size_fixed_point, {"iters": 60}, lambda s, n: (
        np.linspace(1.2, 4.0, n) + 0.1 * s,)),
    "renewal_equation_slices": (renewal_simulation, {}, lambda s, n: (
        np.linspace(2.0, 0.8, 8 * n) + 0.05 * s, np.array([0.1, 0.3, 0.35, 0.2, 0.05]),
        10.0)),
    "cori_rt_convolve": (cori_rt, {"window": 5}, lambda s, n: (
        _cases(s, 6 * n), discretized_gamma_si(n=8))),
    "serial_interval_gammainc": (discretized_gamma_si, {"n": 12}, lambda s, n: ()),
    "moving_average_valid_same": (moving_average_cases, {}, lambda s, n: (_cases(s, 6 * n),)),
    "growth_rate_doubling_time": (growth_rate_doubling, {}, lambda s, n: (_cases(s, 6 * n),)),
    "incidence_from_cumulative": (incidence_from_cumulative, {}, lambda s, n: (
        np.cumsum(_i(30, 7 * n, seed=s)) - (np.arange(7 * n) == 9) * 3,)),
    "log_linear_growth_polyfit": (log_linear_growth, {}, lambda s, n: (_cases(s, 5 * n),)),
    "smr_byar_ci": (smr, {}, lambda s, n: (
        _i(40, 3, seed=s) + 5, _pos(s, 3, n, lo=1e3, hi=1e4), _pos(s + 1, n, lo=1e-4,
                                                                   hi=1e-3))),
    "direct_standardisation": (direct_standardisation, {}, lambda s, n: (
        _i(40, 2, n, seed=s) + 1, _pos(s, 2, n, lo=1e3, hi=1e4), _pos(7, n, lo=1e3, hi=1e4))),
    "sir_scipy_odeint": (
        sir_odeint, {"days": 30}, lambda s, n: (_sir_y0(s, n), 0.3, 0.1)),
    "r0_python_max_key_abs": (r0_max_key_abs, {}, lambda s, n: (
        0.05, 0.2, _contacts(s, n), _pos(s + 1, n))),
    "growth_rate_scipy_linregress": (
        growth_rate_linregress, {}, lambda s, n: (_cases(s, 5 * n),)),
    "incidence_rate_exact_poisson": (incidence_rate_exact_ci, {}, lambda s, n: (
        _i(50, n, seed=s) + 1, _pos(s, n, lo=1e4, hi=1e5))),
    "life_table_reversed_cumsum": (life_table, {}, lambda s, n: (
        np.r_[np.linspace(0.005, 0.3, 3 * n - 1) * (1 + 0.1 * s), 1.0],)),
}


@pytest.mark.parametrize("name", _names(EPI))
def test_epidemiology_matches_numpy(name):
    """SIR, SEIR and SIRD models by Euler and RK4 loops with Python lists and preallocated
    rows, scenario batches, lockdowns and vaccination, odeint, age-structured and
    metapopulation models, chain-binomial and Gillespie simulations, R0 by next-generation
    eigenvalues, final sizes, renewal equations and Cori's Rt, case-count smoothing and growth
    rates, exact rate intervals, SMRs, standardisation and life tables."""
    check_like_numpy(*EPI[name])


ECO = {
    "leslie_projection_list": (leslie_projection, {"years": 15}, lambda s, n: (
        *_leslie(s, n), _pos(s, n, lo=10, hi=100))),
    "leslie_matrix_power": (leslie_matrix_power, {"t": 8}, lambda s, n: (
        *_leslie(s, n), _pos(s, n, lo=10, hi=100))),
    "stable_age_distribution_eig": (stable_age_distribution, {}, lambda s, n: _leslie(s, n)),
    "lotka_volterra_euler": (lotka_volterra_euler, {"steps": 100}, lambda s, n: (
        10.0 + s, 5.0, 1.1, 0.4, 0.1, 0.4)),
    "lotka_volterra_rk4_helper": (lotka_volterra_rk4, {"steps": 40}, lambda s, n: (
        np.array([10.0, 5.0 + s]), np.array([1.1, 0.4, 0.1, 0.4]))),
    "competitive_lv_interaction_matrix": (competitive_lv, {"steps": 60}, lambda s, n: (
        _pos(s, n), _pos(s + 1, n, lo=0.5, hi=1.5), _pos(s + 2, n, lo=50, hi=100),
        np.eye(n) + 0.3 * _u(s + 3, n, n))),
    "ricker_generator_noise": (ricker_stochastic, {"years": 30}, lambda s, n: (
        20.0, 1.5 + 0.1 * s, 100.0, 0.1, np.random.default_rng(s))),
    "shannon_simpson_pielou": (shannon_simpson, {}, lambda s, n: (_i(8, n, 10, seed=s) + (
        np.arange(10) == 0),)),
    "hill_numbers_nonzero_selection": (hill_numbers, {}, lambda s, n: (
        _i(6, 3 * n, seed=s) * (np.arange(3 * n) % 4 != 1) + (np.arange(3 * n) == 0),)),
    "rarefaction_special_comb": (rarefaction_comb, {"depths": (1, 5, 10)}, lambda s, n: (
        _i(9, 2 * n, seed=s) + 1,)),
    "mark_recapture_chapman": (mark_recapture, {}, lambda s, n: (
        _i(40, n, seed=s) + 60, _i(40, n, seed=s + 1) + 50, _i(20, n, seed=s + 2) + 5)),
    "occupancy_likelihood": (occupancy_nll, {}, lambda s, n: (
        np.array([0.3 * s, -0.2]), (_u(s, 5 * n, 4) < 0.3).astype(int))),
    "nmixture_gammaln_logsumexp": (nmixture_nll, {"K": 25}, lambda s, n: (
        np.array([1.5, 0.2 * s]), _i(6, n, 3, seed=s))),
}


@pytest.mark.parametrize("name", _names(ECO))
def test_ecology_matches_numpy(name):
    """Leslie matrices projected by loops and matrix powers, stable age distributions by
    eigenvectors, Lotka-Volterra by Euler and RK4, Ricker growth, diversity
    indices, rarefaction, mark-recapture, occupancy and N-mixture likelihoods."""
    check_like_numpy(*ECO[name])


SURVIVAL = {
    "km_grid_broadcast": (km_grid_broadcast, {}, lambda s, n: (
        *_surv(s, n), np.arange(0.1, 8.0, 0.5))),
    "km_searchsorted_bincount": (km_searchsorted, {}, lambda s, n: (
        *_surv(s, n), np.unique(_surv(s, n)[0])[: 2 * n])),
    "km_sorted_greenwood": (km_sorted_no_ties, {}, lambda s, n: _surv_distinct(s, n)),
    "km_loop_over_grid": (km_loop_over_grid, {}, lambda s, n: (
        *_surv(s, n), np.sort(_surv(s, n)[0])[: 3 * n])),
    "nelson_aalen_grid": (nelson_aalen_grid, {}, lambda s, n: (
        *_surv(s, n), np.sort(_surv(s, n)[0])[: 3 * n])),
    "logrank_grid_chdtrc": (logrank_grid, {}, lambda s, n: (
        *_surv(s, n), np.arange(6 * n) % 2, np.sort(_surv(s, n)[0])[: 4 * n])),
    "cox_partial_loglik_gradient": (cox_partial_loglik_grad, {}, lambda s, n: (
        _f(3, seed=s) * 0.3, _f(6 * n, 3, seed=s + 1), *_surv_distinct(s, n))),
    "cox_newton_information": (cox_newton, {"n_iter": 5}, lambda s, n: (
        _f(6 * n, 2, seed=s + 1), *_surv_distinct(s, n))),
    "weibull_censored_loglik": (weibull_loglik, {}, lambda s, n: (
        np.array([0.2, 1.0 + 0.1 * s]), *_surv(s, n))),
    "weibull_shape_newton": (weibull_shape_newton, {"iters": 15}, lambda s, n: _surv(s, n)),
}


@pytest.mark.parametrize("name", _names(SURVIVAL))
def test_survival_analysis_matches_numpy(name):
    """Kaplan-Meier by broadcasting, searchsorted, sorting and a loop over a grid, Greenwood's
    variance, Nelson-Aalen, log-rank, the Cox partial likelihood, gradient and Newton steps
    by reversed cumsums, a censored Weibull likelihood and a Weibull fit."""
    check_like_numpy(*SURVIVAL[name])


PHARMA = {
    "bateman_oral": (bateman, {}, lambda s, n: (_pk_times(s, n), 500.0, 0.8, 1.2, 0.15, 30.0)),
    "two_compartment_param_dict": (two_compartment_iv, {}, lambda s, n: (
        _pk_times(s, n), 100.0, {"k10": 0.2, "k12": 0.5 + 0.1 * s, "k21": 0.3, "V1": 10.0})),
    "multiple_dosing_superposition": (multiple_dosing_superposition, {"n_doses": 5},
                                      lambda s, n: (np.linspace(0, 72, 10 * n), 250.0,
                                                    12.0 + s, 1.0, 0.1, 40.0)),
    "nca_trapezoid_polyfit_dict": (nca_summary, {}, lambda s, n: (
        _pk_times(s, n)[1:], bateman(_pk_times(s, n)[1:], 500.0, 0.8, 1.2, 0.15 + 0.01 * s,
                                     30.0))),
    "auc_linear_up_log_down": (auc_linear_up_log_down, {}, lambda s, n: (
        _pk_times(s, n), bateman(_pk_times(s, n), 500.0, 0.8, 1.2, 0.15, 30.0) + 0.01)),
    "two_compartment_oral_euler": (two_compartment_oral_euler, {"dt": 0.5, "t_end": 12.0},
                                   lambda s, n: (500.0, 1.0 + 0.1 * s, 0.2, 0.3, 0.2, 25.0)),
    "emax_gauss_newton_fit": (emax_gauss_newton, {"n_iter": 8}, lambda s, n: (
        np.geomspace(0.1, 100, 4 * n),
        emax_model(np.geomspace(0.1, 100, 4 * n), 2.0, 50.0, 3.0) + 0.5 * _f(4 * n, seed=s),
        [1.0, 40.0, 5.0])),
    "probit_irls_ndtr": (probit_irls, {"n_iter": 8}, lambda s, n: _dose_resp(s, n)),
    "logit_irls_ld50": (logit_irls, {"n_iter": 10}, lambda s, n: _dose_resp(s, n)),
}


@pytest.mark.parametrize("name", _names(PHARMA))
def test_pharmacology_matches_numpy(name):
    """The Bateman function, a two-compartment closed form, multiple dosing by superposition,
    NCA by np.trapezoid and polyfit, AUC linear-up/log-down, an Euler two-compartment model,
    an Emax fit, probit and logit IRLS."""
    check_like_numpy(*PHARMA[name])


BIOSTAT = {
    "roc_curve_cumsum_trapezoid": (roc_curve_cumsum, {}, lambda s, n: _labels_scores(s, n)),
    "auc_mann_whitney_ranks": (auc_mann_whitney_ranks, {}, lambda s, n: _labels_scores(s, n)),
    "auc_pairwise_broadcast": (auc_pairwise, {}, lambda s, n: (
        _labels_scores(s, n)[0], np.round(_labels_scores(s, n)[1], 1))),
    "sens_spec_youden": (sens_spec_table, {}, lambda s, n: (
        *_labels_scores(s, n), np.linspace(-1, 2, 2 * n))),
    "diagnostic_2x2_dict": (diagnostic_2x2, {}, _table22),
    "bootstrap_index_matrix": (bootstrap_ci_index_matrix, {"n_boot": 200}, lambda s, n: (
        _f(5 * n, seed=s), np.random.default_rng(s))),
    "bootstrap_median_loop_choice": (bootstrap_median_loop, {"n_boot": 40}, lambda s, n: (
        _f(5 * n, seed=s), np.random.default_rng(s))),
    "bootstrap_risk_ratio_seeded": (bootstrap_ratio_seeded, {"n_boot": 50}, lambda s, n: (
        (_u(s, 10 * n) < 0.3).astype(float), (_u(s + 1, 12 * n) < 0.2).astype(float))),
    "permutation_test_fixed_count": (permutation_test_fixed, {"n_perm": 60}, lambda s, n: (
        _f(3 * n, seed=s) + 0.5, _f(3 * n + 1, seed=s + 1), np.random.default_rng(s))),
    "permutation_test_index_matrix": (permutation_test_vectorized, {"n_perm": 50}, lambda s, n:
                                      (_f(3 * n, seed=s) + 0.3, _f(3 * n, seed=s + 1),
                                       np.random.default_rng(s))),
    "meta_fixed_effect": (meta_fixed_effect, {}, lambda s, n: (
        _f(n, seed=s) * 0.3, _pos(s, n, lo=0.1, hi=0.5))),
    "meta_dersimonian_laird": (meta_dersimonian_laird, {}, lambda s, n: (
        _f(n, seed=s) * 0.5 * s, _pos(s, n, lo=0.01, hi=0.1))),
    "forest_plot_haldane": (forest_plot_numbers, {}, lambda s, n: tuple(
        _i(20, n, seed=s + k) * (np.arange(n) != k) for k in range(4))),
    "mantel_haenszel_or": (mantel_haenszel_or, {}, lambda s, n: (
        _i(30, n, 2, 2, seed=s) + 2,)),
    "chi2_contingency_chdtrc": (chi2_contingency, {}, lambda s, n: (
        _i(50, n // 2 + 1, 3, seed=s) + 5,)),
    "fisher_exact_fixed_support": (fisher_exact_fixed_support, {}, lambda s, n: (
        *[float(v) for v in _i(8, 4, seed=s) + 1],)),
    "cochran_armitage_trend": (cochran_armitage, {}, lambda s, n: (
        _i(10, n, seed=s) + 2, _i(10, n, seed=s) + 20)),
    "clopper_pearson_beta_ppf": (clopper_pearson_sens_spec, {}, lambda s, n: (
        _i(20, n, seed=s) + np.arange(n), _i(9, n, seed=s + 1) * (np.arange(n) != 1),
        _i(30, n, seed=s + 2) + 1, _i(6, n, seed=s + 3))),
    "permutation_test_rng_shuffle": (permutation_test_shuffle, {"n_perm": 40}, lambda s, n: (
        _f(3 * n, seed=s) + 0.4, _f(3 * n + 2, seed=s + 1), np.random.default_rng(s))),
    "mean_ci_scipy_sem": (mean_ci_sem, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "chi2_contingency_scipy": (
        chi2_scipy_table, {}, lambda s, n: (_i(50, n // 2 + 1, 3, seed=s) + 5,)),
    "welch_ttest_scipy": (
        welch_ttest, {}, lambda s, n: (_f(4 * n, seed=s), _f(3 * n, seed=s + 1) + 0.5)),
    "cohens_kappa_add_at": (cohens_kappa, {"k": 3}, lambda s, n: (
        _i(3, 8 * n, seed=s), np.where(_u(s, 8 * n) < 0.7, _i(3, 8 * n, seed=s),
                                       _i(3, 8 * n, seed=s + 1)))),
    "risk_ratio_dict_tuples": (risk_ratio_ci, {}, lambda s, n: (
        _i(20, n, seed=s) + 10, 100.0, _i(20, n, seed=s + 1) + 5, 120.0)),
}


@pytest.mark.parametrize("name", _names(BIOSTAT))
def test_biostatistics_matches_numpy(name):
    """ROC curves and AUCs, sensitivity/specificity tables, 2x2 diagnostics and exact
    intervals, bootstrap and permutation tests from generators, fixed- and random-effects
    meta-analysis, forest-plot numbers, Mantel-Haenszel, chi-square, exact and trend tests,
    kappa, risk ratios, and scipy.stats' sem, chi2_contingency and ttest_ind."""
    check_like_numpy(*BIOSTAT[name])


# -------------------------------------------------------------- Python scalars that steer


def sir_days_positional(y0, beta, gamma, days):
    return sir_euler_history(y0, beta, gamma, 1.0, days)


def stochastic_sir_scalars(S0, I0, beta, gamma, n_sims, seed):
    return stochastic_sir_seeded(S0, I0, beta, gamma, n_sims, 15, seed)


def bootstrap_positional(x, n_boot, seed):
    rng = np.random.default_rng(seed)
    return bootstrap_ci_index_matrix(x, rng, n_boot)


def dosing_positional(t, dose, tau, n_doses):
    return multiple_dosing_superposition(t, dose, tau, 1.0, 0.1, 40.0, n_doses)


def nca_positional(t, C, n_terminal):
    return nca_summary(t, C, n_terminal)


def leslie_years_positional(fec, surv, n0, years):
    return leslie_projection(fec, surv, n0, years)


def fisher_exact_python_ints(a, b, c, d):
    # the textbook loop over the support, whose bounds come from Python int margins
    r1, c1, n = a + b, a + c, a + b + c + d
    p_obs = np.exp(hypergeom_logpmf(a, b, c, d))
    p = 0.0
    for x in range(max(0, r1 + c1 - n), min(r1, c1) + 1):
        px = np.exp(hypergeom_logpmf(x, r1 - x, c1 - x, n - r1 - c1 + x))
        p += np.where(px <= p_obs * (1 + 1e-7), px, 0.0)
    return p


def seir_tmax_dt_positional(y0, params, t_max, dt):
    return seir_rk4(y0, params, t_max, dt)


STEERED = {
    "sir_days": (sir_days_positional, lambda s: (np.array([990.0, 10.0, 0.0]), 0.3, 0.1,
                                                 10 * s)),
    "stochastic_sir_seeded_python_scalars": (stochastic_sir_scalars, lambda s: (
        300, 2 + s, 0.3 + 0.05 * s, 0.12, 4 * s, 100 + s)),
    "bootstrap_size_seed": (bootstrap_positional, lambda s: (_f(20, seed=s), 50 * s, s)),
    "dose_count": (dosing_positional, lambda s: (np.linspace(0, 48, 30), 250.0, 12.0, 2 + s)),
    "nca_terminal_points": (nca_positional, lambda s: (
        _pk_times(s, 4)[1:], bateman(_pk_times(s, 4)[1:], 500.0, 0.8, 1.2, 0.15, 30.0),
        2 + s)),
    "leslie_years": (leslie_years_positional, lambda s: (*_leslie(s, 4), _pos(s, 4), 5 * s)),
    "fisher_exact_python_int_cells": (fisher_exact_python_ints, lambda s: (
        3 + s, 7, 9 - s, 4 + 2 * s)),
    "seir_tmax_dt": (seir_tmax_dt_positional, lambda s: (
        np.array([1000.0, 5.0, 2.0, 0.0]), {"beta": 0.5, "sigma": 0.2, "gamma": 0.14},
        5.0 * s, 0.5)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Day counts, step sizes, simulation counts and seeds of generators made inside,
    bootstrap sizes, dose counts, terminal-phase point counts, projection years and the Python
    int cells whose margins bound Fisher's support: made static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def km_unique_times(time, event):
    # the lifelines-style estimator over the distinct event times
    times = np.unique(time[event == 1])
    n_at_risk = np.array([np.sum(time >= t) for t in times])
    d = np.array([np.sum((time == t) & (event == 1)) for t in times])
    return times, np.cumprod(1 - d / n_at_risk)


def km_unique_return_counts(time, event):
    t_uniq, counts = np.unique(time, return_counts=True)
    deaths = np.bincount(np.searchsorted(t_uniq, time), weights=event)
    at_risk = len(time) - np.concatenate(([0], np.cumsum(counts)[:-1]))
    return t_uniq, np.cumprod(1 - deaths / at_risk)


def logrank_unique(time, event, group):
    times = np.unique(time[event == 1])
    O1 = E1 = V = 0.0
    for t in times:
        n = np.sum(time >= t)
        n1 = np.sum((time >= t) & (group == 1))
        d = np.sum((time == t) & (event == 1))
        d1 = np.sum((time == t) & (event == 1) & (group == 1))
        O1 += d1
        E1 += d * n1 / n
        V += d * (n1 / n) * (1 - n1 / n) * (n - d) / max(n - 1, 1)
    return (O1 - E1) ** 2 / V


def gillespie_if(S0, I0, beta, gamma, rng, n_steps=50):
    # the usual Gillespie: a Python if on the draw picks the reaction
    S, I, t = S0, I0, 0.0
    out = []
    for _ in range(n_steps):
        a1 = beta * S * I / (S0 + I0)
        a2 = gamma * I
        a0 = a1 + a2
        if a0 == 0:
            break
        t += rng.exponential(1 / a0)
        if rng.random() < a1 / a0:
            S, I = S - 1, I + 1
        else:
            I = I - 1
        out.append((t, S, I))
    return np.array(out)


def gillespie_while(S0, I0, beta, gamma, t_max, seed):
    rng = np.random.default_rng(seed)
    S, I, t = S0, I0, 0.0
    ts, Is = [t], [I]
    while t < t_max and I > 0:
        a1, a2 = beta * S * I / (S0 + I0), gamma * I
        t += rng.exponential(1 / (a1 + a2))
        if rng.uniform() * (a1 + a2) < a1:
            S -= 1
            I += 1
        else:
            I -= 1
        ts.append(t)
        Is.append(I)
    return np.array(ts), np.array(Is)


def permutation_test_if(x, y, rng, n_perm=100):
    obs = abs(x.mean() - y.mean())
    pooled = np.concatenate([x, y])
    count = 0
    for _ in range(n_perm):
        rng.shuffle(pooled)
        if abs(pooled[:len(x)].mean() - pooled[len(x):].mean()) >= obs:
            count += 1
    return count / n_perm


def final_size_tolerance(R0, tol=1e-10):
    z = 0.5
    while True:
        z_new = 1 - np.exp(-R0 * z)
        if abs(z_new - z) < tol:
            return z_new
        z = z_new


def epidemic_days_above(cases, threshold):
    # the days over a threshold, and the counts on those days
    days = np.where(cases > threshold)[0]
    return days, cases[days]


def sir_until_extinction(S0, I0, beta, gamma, rng):
    # chain binomial run until the infection dies out
    N = S0 + I0
    S, I = S0, I0
    sizes = [I]
    while I > 0:
        inf = rng.binomial(S, 1 - np.exp(-beta * I / N))
        rec = rng.binomial(I, 1 - np.exp(-gamma))
        S, I = S - inf, I + inf - rec
        sizes.append(I)
    return np.array(sizes)


def after_peak(I):
    # the declining phase from the peak on
    peak = int(np.argmax(I))
    return I[peak:]


def fisher_exact_table(table):
    # the same support loop with the cells read from an array
    (a, b), (c, d) = table
    r1, c1, n = a + b, a + c, a + b + c + d
    p_obs = np.exp(hypergeom_logpmf(a, b, c, d))
    p = 0.0
    for x in range(max(0, r1 + c1 - n), min(r1, c1) + 1):
        px = np.exp(hypergeom_logpmf(x, r1 - x, c1 - x, n - r1 - c1 + x))
        if px <= p_obs * (1 + 1e-7):
            p += px
    return p


def emax_fit_converged(conc, y, theta0, tol=1e-8):
    theta = np.array(theta0, dtype=float)
    for _ in range(100):
        E0, Emax, EC50 = theta
        denom = EC50 + conc
        J = np.column_stack([np.ones_like(conc), conc / denom, -Emax * conc / denom ** 2])
        step = np.linalg.lstsq(J, y - (E0 + Emax * conc / denom), rcond=None)[0]
        theta = theta + step
        if np.linalg.norm(step) < tol:
            break
    return theta


def species_present(counts, names_idx):
    # the observed species' indices, as a list for a plot legend
    return names_idx[counts > 0]


def r0_real_if_close(K):
    # the dominant eigenvalue, real if its imaginary part is negligible
    ev = np.linalg.eigvals(K)
    return np.real_if_close(ev[np.argmax(np.abs(ev))])


def growth_curve_poly1d(t, cases):
    # a quadratic trend in log counts through np.poly1d
    p = np.poly1d(np.polyfit(t, np.log(cases), 2))
    return p(t)


def shannon_generator_if(counts):
    # Shannon's H as a Python sum over a generator skipping absent species
    N = counts.sum()
    return -sum((n / N) * np.log(n / N) for n in counts if n > 0)


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "km_np_unique_event_times": (_DataDependent, km_unique_times, lambda s: _surv(s, 4)),
    "km_unique_return_counts": (_DataDependent, km_unique_return_counts, lambda s: _surv(s, 4)),
    "logrank_unique_loop": (_DataDependent, logrank_unique, lambda s: (
        *_surv(s, 4), np.arange(24) % 2)),
    "gillespie_python_if": (_Concretization, gillespie_if, lambda s: (
        np.int64(50), np.int64(3), 0.5, 0.2, np.random.default_rng(s))),
    "gillespie_while_t_max": (_Concretization, gillespie_while, lambda s: (
        np.array(50), np.array(3), 0.5, 0.2, 10.0, s)),
    "permutation_test_if_count": (_Concretization, permutation_test_if, lambda s: (
        _f(8, seed=s), _f(9, seed=s + 1), np.random.default_rng(s))),
    "final_size_tolerance_loop": (_Concretization, final_size_tolerance, lambda s: (
        np.array(1.5 + s),)),
    "epidemic_days_above_threshold": (_DataDependent, epidemic_days_above, lambda s: (
        _cases(s, 30), 40.0)),
    "sir_until_extinction": (_Concretization, sir_until_extinction, lambda s: (
        np.int64(100), np.int64(3), 0.3, 0.2, np.random.default_rng(s))),
    "after_peak_int_argmax": (_DataDependent, after_peak, lambda s: (
        sir_euler_lists(990.0, 10.0, 0.0, 0.3, 0.1, 20 + s)[1],)),
    "fisher_exact_array_cells": (_Concretization, fisher_exact_table, lambda s: (
        _i(8, 2, 2, seed=s) + 1,)),
    "emax_fit_tolerance_break": (_Concretization, emax_fit_converged, lambda s: (
        np.geomspace(0.1, 100, 12), emax_model(np.geomspace(0.1, 100, 12), 2.0, 50.0, 3.0)
        + 0.5 * _f(12, seed=s), [1.0, 40.0, 5.0])),
    "species_present_selection": (_DataDependent, species_present, lambda s: (
        _i(3, 10, seed=s), np.arange(10))),
    "r0_real_if_close": (tracenp.errors.UnsupportedFunctionError, r0_real_if_close, lambda s: (
        _contacts(s, 4),)),
    "growth_curve_poly1d_trim": (_DataDependent, growth_curve_poly1d, lambda s: (
        np.arange(20.0), _cases(s, 20))),
    "shannon_generator_if": (_Concretization, shannon_generator_if, lambda s: (
        _i(5, 10, seed=s),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Kaplan-Meier and log-rank over `np.unique` times, Gillespie's `if` on a draw and
    `while t < t_max`, permutation counts by `if`, tolerance loops, days above a threshold,
    simulation until extinction, the tail after `int(argmax)`, Fisher's support from array
    margins, the species present, `np.real_if_close`, `np.poly1d` and a generator expression
    with `if`: the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
