"""Corpus, hunt O: computational neuroscience, population genetics, integer and bit-level code,
and colour science and graphics.

Neuroscience: leaky integrate-and-fire, Izhikevich and Hodgkin-Huxley neurons stepped in Python
loops with spike resets by masks, Poisson spike trains from a `Generator` argument, firing rates
and PSTHs by `np.histogram`/`np.bincount`/`np.add.at`, spike-triggered averages, ISI statistics,
CV and Fano factors, tuning curves and population vectors, STDP, rate networks, LFP filtering by
`np.convolve` and band power by `np.fft.rfft`. Genetics: allele and genotype frequencies from 0/1/2
int8 genotype matrices (missing as -1 or NaN), Hardy-Weinberg chi-square, LD r^2 and D',
Wright-Fisher and Moran drift with a `Generator`, Fst, genotype PCA, GRM and IBS kinship, GWAS
regressions per SNP. Integers and bits: xorshift, splitmix64, LCG, PCG, FNV-1a, MurmurHash and
CRC32 on uint32/uint64 with wrap-around, `np.packbits`/`np.unpackbits`, popcounts, Gray codes,
bit reversal, Morton codes, Bloom filters by `np.bitwise_or.at`, bitboards, and NumPy 2's
promotion of Python scalars and mixed signed/unsigned arrays (NEP 50). Colour and graphics: sRGB
transfer functions, RGB to HSV/HSL/YCbCr/XYZ/Lab and back, white balance, tone mapping, alpha
compositing, uint8 images, ray-sphere/plane/triangle intersections, barycentric coordinates,
Phong shading, projections, z-buffers and dithering.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_ops import assert_same

# ------------------------------------------------------------------- computational neuroscience


def lif_loop(I, dt=0.1, tau=10.0, v_rest=-65.0, v_th=-50.0, v_reset=-70.0, R=10.0):
    n_steps, n = I.shape
    v = np.full(n, v_rest)
    spikes = np.zeros((n_steps, n), dtype=bool)
    vs = np.zeros((n_steps, n))
    for t in range(n_steps):
        v += dt / tau * (v_rest - v + R * I[t])
        fired = v >= v_th
        spikes[t] = fired
        v[fired] = v_reset
        vs[t] = v
    return vs, spikes, spikes.sum(axis=0)


def lif_refractory(I, dt=0.5, tau=20.0, t_ref=2.0):
    n_steps, n = I.shape
    v = np.zeros(n)
    last_spike = np.full(n, -np.inf)
    count = np.zeros(n, dtype=int)
    for k in range(n_steps):
        t = k * dt
        active = (t - last_spike) > t_ref
        v = np.where(active, v + dt * (-v + I[k]) / tau, 0.0)
        s = v > 1.0
        v[s] = 0.0
        last_spike[s] = t
        count += s
    return v, count, last_spike


def lif_spike_times(I, dt=1.0, tau=10.0):
    v = 0.0
    times = np.zeros(len(I))
    for i in range(len(I)):
        v = v + dt * (-v + I[i]) / tau
        spk = v > 0.8
        times[i] = np.where(spk, i * dt, np.nan)
        v = np.where(spk, 0.0, v)
    return times, np.nanmean(times), np.sum(~np.isnan(times))


def izhikevich(I, a=0.02, b=0.2, c=-65.0, d=8.0, dt=0.5):
    n_steps, n = I.shape
    v = -65.0 * np.ones(n)
    u = b * v
    firings = np.zeros(n, dtype=np.int64)
    trace = np.empty((n_steps, n))
    for t in range(n_steps):
        fired = v >= 30
        firings += fired
        v[fired] = c
        u[fired] = u[fired] + d
        v = v + dt * (0.04 * v ** 2 + 5 * v + 140 - u + I[t])
        u = u + dt * a * (b * v - u)
        trace[t] = np.minimum(v, 30)
    return trace, firings


def izhikevich_network(rng, n_exc=8, n_inh=2, steps=30):
    re = rng.random(n_exc)
    ri = rng.random(n_inh)
    a = np.concatenate([0.02 * np.ones(n_exc), 0.02 + 0.08 * ri])
    b = np.concatenate([0.2 * np.ones(n_exc), 0.25 - 0.05 * ri])
    c = np.concatenate([-65 + 15 * re ** 2, -65 * np.ones(n_inh)])
    d = np.concatenate([8 - 6 * re ** 2, 2 * np.ones(n_inh)])
    S = np.hstack([0.5 * rng.random((n_exc + n_inh, n_exc)), -rng.random((n_exc + n_inh, n_inh))])
    v = -65 * np.ones(n_exc + n_inh)
    u = b * v
    total = np.zeros(n_exc + n_inh)
    for t in range(steps):
        I = np.concatenate([5 * rng.standard_normal(n_exc), 2 * rng.standard_normal(n_inh)])
        fired = np.where(v >= 30)[0]
        v[fired] = c[fired]
        u[fired] = u[fired] + d[fired]
        I = I + S[:, fired].sum(axis=1)
        v = v + 0.5 * (0.04 * v ** 2 + 5 * v + 140 - u + I)
        v = v + 0.5 * (0.04 * v ** 2 + 5 * v + 140 - u + I)
        u = u + a * (b * v - u)
        total[fired] += 1
    return total, v


def hh_gating(V, dt=0.01, steps=50):
    def alpha_n(v):
        return 0.01 * (v + 55) / (1 - np.exp(-(v + 55) / 10))

    def beta_n(v):
        return 0.125 * np.exp(-(v + 65) / 80)

    def alpha_m(v):
        return 0.1 * (v + 40) / (1 - np.exp(-(v + 40) / 10))

    def beta_m(v):
        return 4.0 * np.exp(-(v + 65) / 18)

    n = alpha_n(V) / (alpha_n(V) + beta_n(V))
    m = alpha_m(V) / (alpha_m(V) + beta_m(V))
    Vt = V + 10.0
    for _ in range(steps):
        n = n + dt * (alpha_n(Vt) * (1 - n) - beta_n(Vt) * n)
        m = m + dt * (alpha_m(Vt) * (1 - m) - beta_m(Vt) * m)
    return n, m


def hodgkin_huxley(I, dt=0.01):
    gNa, gK, gL = 120.0, 36.0, 0.3
    ENa, EK, EL = 50.0, -77.0, -54.387
    V = -65.0 * np.ones(I.shape[1])
    m = 0.05 * np.ones_like(V)
    h = 0.6 * np.ones_like(V)
    n = 0.32 * np.ones_like(V)
    Vs = []
    for t in range(I.shape[0]):
        am = 0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10))
        bm = 4 * np.exp(-(V + 65) / 18)
        ah = 0.07 * np.exp(-(V + 65) / 20)
        bh = 1 / (1 + np.exp(-(V + 35) / 10))
        an = 0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10))
        bn = 0.125 * np.exp(-(V + 65) / 80)
        INa = gNa * m ** 3 * h * (V - ENa)
        IK = gK * n ** 4 * (V - EK)
        IL = gL * (V - EL)
        V = V + dt * (I[t] - INa - IK - IL)
        m += dt * (am * (1 - m) - bm * m)
        h += dt * (ah * (1 - h) - bh * h)
        n += dt * (an * (1 - n) - bn * n)
        Vs.append(V.copy())
    return np.array(Vs)


def poisson_spike_train(rng, rate=20.0, T=1.0, dt=0.001, n_trials=5):
    n_bins = int(T / dt)
    spikes = rng.random((n_trials, n_bins)) < rate * dt
    return spikes, spikes.sum(axis=1) / T


def poisson_counts(rng, rates, dt=0.01, n_bins=50):
    counts = rng.poisson(rates[:, None] * dt, size=(len(rates), n_bins))
    return counts, counts.mean(axis=1) / dt


def poisson_isi_train(rng, rate=30.0, n_spikes=40):
    isi = rng.exponential(1.0 / rate, size=n_spikes)
    times = np.cumsum(isi)
    return times, np.diff(times).std() / np.diff(times).mean()


def inhomogeneous_poisson(rng, t):
    rate = 20 + 15 * np.sin(2 * np.pi * 2 * t)
    dt = t[1] - t[0]
    return (rng.uniform(size=t.shape) < rate * dt).astype(np.int8)


def firing_rate_histogram(spike_times, T=2.0, bin_size=0.1):
    bins = np.arange(0, T + bin_size, bin_size)
    counts, edges = np.histogram(spike_times, bins=bins)
    return counts / bin_size, edges[:-1] + bin_size / 2


def psth(spike_times, trial_ids, n_trials=5, n_bins=20, t_max=2.0):
    counts, edges = np.histogram(spike_times, bins=n_bins, range=(0, t_max))
    return counts / (n_trials * (edges[1] - edges[0]))


def psth_bincount(spike_times, n_trials=5, bin_size=0.05, n_bins=40):
    idx = (spike_times / bin_size).astype(int)
    idx = np.clip(idx, 0, n_bins - 1)
    counts = np.bincount(idx, minlength=n_bins)
    return counts / (n_trials * bin_size)


def binned_spike_matrix(spike_times, neuron_ids, n_neurons=4, n_bins=10, t_max=1.0):
    mat = np.zeros((n_neurons, n_bins))
    b = np.floor(spike_times / t_max * n_bins).astype(int)
    b[b == n_bins] = n_bins - 1
    np.add.at(mat, (neuron_ids, b), 1)
    return mat


def spike_triggered_average(stim, spikes, window=5):
    sta = np.zeros(window)
    n = 0
    for t in range(window, len(stim)):
        if spikes[t]:
            sta += stim[t - window:t]
            n += 1
    return sta / max(n, 1)


def sta_vectorized(stim, spikes, window=4):
    T = len(stim)
    idx = np.arange(window, T)
    segments = np.stack([stim[i - window:i] for i in range(window, T)])
    w = spikes[idx]
    return (segments * w[:, None]).sum(axis=0) / w.sum()


def isi_statistics(spike_times):
    isi = np.diff(np.sort(spike_times))
    cv = np.std(isi) / np.mean(isi)
    return isi.mean(), cv, np.median(isi)


def isi_cv_per_neuron(spike_times):
    isi = np.diff(spike_times, axis=1)
    return isi.std(axis=1, ddof=1) / isi.mean(axis=1)


def local_variation(isi):
    a, b = isi[:-1], isi[1:]
    return 3.0 / (len(isi) - 1) * np.sum(((a - b) / (a + b)) ** 2)


def fano_factor(counts):
    m = counts.mean(axis=0)
    v = counts.var(axis=0, ddof=1)
    return np.divide(v, m, out=np.full_like(m, np.nan), where=m > 0)


def fano_windows(spike_train, window=5):
    n = spike_train.shape[1] // window
    c = spike_train[:, :n * window].reshape(spike_train.shape[0], n, window).sum(axis=2)
    return c.var(axis=0) / c.mean(axis=0)


def tuning_curve(angles, counts, n_bins=8):
    edges = np.linspace(0, 2 * np.pi, n_bins + 1)
    idx = np.digitize(angles, edges) - 1
    tc = np.zeros(n_bins)
    for b in range(n_bins):
        sel = idx == b
        tc[b] = counts[sel].mean()
    return tc


def von_mises_tuning(theta, pref, kappa=2.0, r_max=30.0, r0=2.0):
    return r0 + r_max * np.exp(kappa * (np.cos(theta[:, None] - pref[None, :]) - 1))


def cosine_tuning_fit(theta, rates):
    X = np.column_stack([np.ones_like(theta), np.cos(theta), np.sin(theta)])
    coef, *_ = np.linalg.lstsq(X, rates, rcond=None)
    pd = np.arctan2(coef[2], coef[1])
    depth = np.hypot(coef[1], coef[2])
    return pd % (2 * np.pi), depth, coef[0]


def population_vector(rates, pref):
    x = np.sum(rates * np.cos(pref), axis=-1)
    y = np.sum(rates * np.sin(pref), axis=-1)
    return np.arctan2(y, x), np.sqrt(x ** 2 + y ** 2)


def population_decode_ml(counts, tuning, dt=0.1):
    loglik = counts @ np.log(tuning * dt).T - tuning.sum(axis=1) * dt
    return np.argmax(loglik, axis=1)


def stdp_update(w, pre_times, post_times, A_plus=0.01, A_minus=0.012, tau=20.0):
    dt = post_times[None, :] - pre_times[:, None]
    dw = np.where(dt > 0, A_plus * np.exp(-dt / tau), -A_minus * np.exp(dt / tau))
    w += dw.sum(axis=1)
    np.clip(w, 0, 1, out=w)
    return w


def stdp_traces(pre, post, w, a_pre=0.01, a_post=-0.0105, tau=20.0, dt=1.0):
    x_pre = np.zeros(pre.shape[1])
    x_post = np.zeros(post.shape[1])
    decay = np.exp(-dt / tau)
    for t in range(pre.shape[0]):
        x_pre = x_pre * decay + pre[t]
        x_post = x_post * decay + post[t]
        w += a_pre * np.outer(x_pre, post[t]) + a_post * np.outer(pre[t], x_post)
        w = np.clip(w, 0.0, 1.0)
    return w


def connectivity_random(rng, n=20, p=0.2, w_exc=0.5):
    C = (rng.random((n, n)) < p).astype(float)
    np.fill_diagonal(C, 0)
    W = C * w_exc
    W[:, n - n // 5:] *= -4
    return W, C.sum(axis=1), C.sum(axis=0)


def distance_dependent_connectivity(pos, sigma=0.3):
    d = np.linalg.norm(pos[:, None, :] - pos[None, :, :], axis=-1)
    p = np.exp(-d ** 2 / (2 * sigma ** 2))
    np.fill_diagonal(p, 0)
    return p / p.sum(axis=1, keepdims=True)


def rate_network(W, I, tau=10.0, dt=1.0, steps=40):
    r = np.zeros(W.shape[0])
    for _ in range(steps):
        r = r + dt / tau * (-r + np.maximum(W @ r + I, 0))
    return r


def wilson_cowan(E0, I0, steps=60, dt=0.1):
    E, I = E0.copy(), I0.copy()
    S = lambda x: 1 / (1 + np.exp(-1.2 * (x - 2.8))) - 1 / (1 + np.exp(3.36))
    out = np.zeros((steps, len(E)))
    for t in range(steps):
        dE = -E + (1 - E) * S(12 * E - 4 * I + 1.5)
        dI = -I + (1 - I) * S(13 * E - 11 * I)
        E = E + dt * dE
        I = I + dt * dI
        out[t] = E
    return out


def lfp_filter(lfp, fs=250.0):
    k = np.hanning(11)
    k = k / k.sum()
    smooth = np.convolve(lfp, k, mode="same")
    return smooth, lfp - smooth


def lfp_bandpower(lfp, fs=200.0):
    f = np.fft.rfftfreq(len(lfp), 1 / fs)
    p = np.abs(np.fft.rfft(lfp - lfp.mean())) ** 2
    theta = p[(f >= 4) & (f < 8)].sum()
    gamma = p[(f >= 30) & (f < 80)].sum()
    return theta / p.sum(), gamma / p.sum()


def gaussian_rate_estimate(spikes, sigma=3.0):
    t = np.arange(-3 * int(sigma), 3 * int(sigma) + 1)
    k = np.exp(-t ** 2 / (2 * sigma ** 2))
    k /= k.sum()
    return np.array([np.convolve(s, k, mode="same") for s in spikes])


def cross_correlogram(a, b, max_lag=5):
    lags = np.arange(-max_lag, max_lag + 1)
    cc = np.zeros(len(lags))
    for i, lag in enumerate(lags):
        if lag >= 0:
            cc[i] = np.sum(a[:len(a) - lag] * b[lag:])
        else:
            cc[i] = np.sum(a[-lag:] * b[:len(b) + lag])
    return lags, cc


def spike_count_correlation(counts):
    c = np.corrcoef(counts.T)
    iu = np.triu_indices_from(c, k=1)
    return c[iu].mean(), c


def van_rossum_distance(s1, s2, tau=5.0):
    t = np.arange(len(s1))
    k = np.exp(-t / tau)
    f1 = np.convolve(s1.astype(float), k)[:len(s1)]
    f2 = np.convolve(s2.astype(float), k)[:len(s2)]
    return np.sqrt(np.sum((f1 - f2) ** 2) / tau)


def victor_purpura_bins(a, b):
    return np.abs(a.astype(np.int64) - b.astype(np.int64)).sum()


def mutual_information_counts(stim, resp, n_s=3, n_r=4):
    joint = np.zeros((n_s, n_r))
    np.add.at(joint, (stim, resp), 1)
    p = joint / joint.sum()
    ps = p.sum(axis=1, keepdims=True)
    pr = p.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(p / (ps * pr)), 0.0)
    return terms.sum()


def burst_detection(spike_times, max_isi=0.01):
    isi = np.diff(spike_times)
    in_burst = isi < max_isi
    starts = np.sum(in_burst[1:] & ~in_burst[:-1]) + in_burst[0]
    return starts, in_burst.mean()


def oja_rule(X, w, eta=0.01):
    for x in X:
        y = w @ x
        w += eta * y * (x - y * w)
    return w, np.linalg.norm(w)


def hopfield_recall(patterns, probe, steps=5):
    n = patterns.shape[1]
    W = patterns.T @ patterns / n
    np.fill_diagonal(W, 0)
    s = probe.copy()
    for _ in range(steps):
        s = np.sign(W @ s)
        s[s == 0] = 1
    return s, (patterns @ s) / n


def synaptic_conductance(spikes, tau_s=5.0, dt=1.0, g_max=0.1):
    g = np.zeros(spikes.shape[1])
    out = np.zeros(spikes.shape)
    for t in range(spikes.shape[0]):
        g = g * np.exp(-dt / tau_s) + g_max * spikes[t]
        out[t] = g
    return out


def adaptive_threshold(I, dt=1.0):
    v = np.zeros(I.shape[1])
    th = np.ones(I.shape[1])
    n_spk = np.zeros(I.shape[1], dtype=np.int32)
    for t in range(I.shape[0]):
        v += dt * (-v / 10 + I[t])
        s = v > th
        n_spk[s] += 1
        v[s] = 0
        th = th + np.where(s, 0.5, 0.0) - dt * (th - 1) / 50
    return n_spk, th


# ----------------------------------------------------------------- population and statistical genetics


def allele_frequencies(G):
    n = G.shape[0]
    p = G.sum(axis=0) / (2 * n)
    maf = np.minimum(p, 1 - p)
    return p, maf


def allele_freq_missing(G):
    valid = G >= 0
    Gv = np.where(valid, G, 0)
    p = Gv.sum(axis=0) / (2 * valid.sum(axis=0))
    call_rate = valid.mean(axis=0)
    return p, call_rate


def allele_freq_nan(G):
    Gf = G.astype(float)
    Gf[G < 0] = np.nan
    return np.nanmean(Gf, axis=0) / 2, np.isnan(Gf).sum(axis=0)


def genotype_counts(G):
    aa = (G == 0).sum(axis=0)
    ab = (G == 1).sum(axis=0)
    bb = (G == 2).sum(axis=0)
    return np.stack([aa, ab, bb])


def genotype_counts_bincount(g):
    return np.bincount(g, minlength=3)


def hwe_chisq(G):
    n = G.shape[0]
    obs = np.stack([(G == k).sum(axis=0) for k in range(3)]).astype(float)
    p = (obs[1] + 2 * obs[2]) / (2 * n)
    q = 1 - p
    exp = np.stack([q ** 2, 2 * p * q, p ** 2]) * n
    with np.errstate(divide="ignore", invalid="ignore"):
        chi = np.nansum((obs - exp) ** 2 / exp, axis=0)
    return chi


def heterozygosity(G):
    p = G.mean(axis=0) / 2
    He = 2 * p * (1 - p)
    Ho = (G == 1).mean(axis=0)
    F = 1 - Ho / He
    return He, Ho, F


def ld_r2(G):
    X = G.astype(np.float64)
    X = X - X.mean(axis=0)
    cov = X.T @ X / (len(X) - 1)
    sd = np.sqrt(np.diag(cov))
    r = cov / np.outer(sd, sd)
    return r ** 2


def ld_r2_corrcoef(G):
    return np.corrcoef(G, rowvar=False) ** 2


def ld_dprime(h1, h2):
    pA = h1.mean()
    pB = h2.mean()
    pAB = np.mean(h1 & h2)
    D = pAB - pA * pB
    Dmax = np.where(D > 0, np.minimum(pA * (1 - pB), (1 - pA) * pB),
                    np.minimum(pA * pB, (1 - pA) * (1 - pB)))
    return D, D / Dmax, D ** 2 / (pA * (1 - pA) * pB * (1 - pB))


def ld_decay(G, pos, max_dist=5):
    n_snp = G.shape[1]
    r2 = np.corrcoef(G.T) ** 2
    d = np.abs(pos[:, None] - pos[None, :])
    out = np.zeros(max_dist)
    for k in range(1, max_dist + 1):
        m = (d == k)
        out[k - 1] = r2[m].mean()
    return out


def wright_fisher(rng, p0=0.5, N=50, generations=40, n_pops=10):
    p = np.full(n_pops, p0)
    traj = np.zeros((generations + 1, n_pops))
    traj[0] = p
    for g in range(generations):
        p = rng.binomial(2 * N, p) / (2 * N)
        traj[g + 1] = p
    return traj, (traj[-1] == 0).sum() + (traj[-1] == 1).sum()


def wright_fisher_selection(rng, p0=0.1, N=100, s=0.05, generations=30):
    p = p0
    out = np.empty(generations)
    for g in range(generations):
        w_bar = p ** 2 * (1 + s) + 2 * p * (1 - p) * (1 + s / 2) + (1 - p) ** 2
        p_sel = (p ** 2 * (1 + s) + p * (1 - p) * (1 + s / 2)) / w_bar
        p = rng.binomial(2 * N, p_sel) / (2 * N)
        out[g] = p
    return out


def wright_fisher_mutation(rng, N=40, mu=0.01, generations=25, reps=6):
    p = np.full(reps, 0.5)
    for _ in range(generations):
        p = p * (1 - mu) + (1 - p) * mu
        p = rng.binomial(2 * N, p, size=reps) / (2 * N)
    return p, np.var(p)


def wright_fisher_multinomial(rng, counts, generations=10):
    n = counts.sum()
    traj = np.zeros((generations, len(counts)), dtype=np.int64)
    for g in range(generations):
        counts = rng.multinomial(n, counts / n)
        traj[g] = counts
    return traj, (traj > 0).sum(axis=1)


def sample_without_replacement_hypergeom(rng, allele_counts, n_total=40, n_sample=10):
    return rng.hypergeometric(allele_counts, n_total - allele_counts, n_sample)


def moran_step(rng, pop, steps=50):
    n = len(pop)
    for _ in range(steps):
        birth = rng.integers(n)
        death = rng.integers(n)
        pop[death] = pop[birth]
    return pop, pop.mean()


def moran_counts(rng, i0=5, N=20, r=1.1, steps=60):
    i = i0
    hist = np.zeros(steps, dtype=np.int64)
    for t in range(steps):
        pb = r * i / (r * i + N - i)
        pd = i / N
        up = rng.random() < pb * (1 - pd)
        down = rng.random() < (1 - pb) * pd
        i = i + up - down
        hist[t] = i
    return hist


def fst_hudson(p1, p2, n1=20, n2=20):
    num = (p1 - p2) ** 2 - p1 * (1 - p1) / (n1 - 1) - p2 * (1 - p2) / (n2 - 1)
    den = p1 * (1 - p2) + p2 * (1 - p1)
    return num.sum() / den.sum(), num / den


def fst_wright(G, pops):
    p_tot = G.mean(axis=0) / 2
    Ht = 2 * p_tot * (1 - p_tot)
    Hs = np.zeros_like(Ht)
    for k in range(2):
        pk = G[pops == k].mean(axis=0) / 2
        Hs += 2 * pk * (1 - pk) / 2
    return (Ht - Hs) / Ht


def standardize_genotypes(G):
    p = G.mean(axis=0) / 2
    Z = (G - 2 * p) / np.sqrt(2 * p * (1 - p))
    return Z


def genotype_pca(G, k=2):
    X = G.astype(float)
    mu = X.mean(axis=0)
    sd = X.std(axis=0)
    sd[sd == 0] = 1
    Z = (X - mu) / sd
    U, S, Vt = np.linalg.svd(Z, full_matrices=False)
    pcs = U[:, :k] * S[:k]
    return np.abs(pcs), S[:k] ** 2 / np.sum(S ** 2)


def grm(G):
    p = G.mean(axis=0) / 2
    Z = (G - 2 * p) / np.sqrt(2 * p * (1 - p))
    return Z @ Z.T / G.shape[1]


def grm_eigen(G):
    p = G.mean(axis=0) / 2
    W = (G - 2 * p)
    K = W @ W.T / (2 * np.sum(p * (1 - p)))
    vals, vecs = np.linalg.eigh(K)
    return vals[::-1][:3], K.trace()


def ibs_similarity(G):
    n = G.shape[0]
    S = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            S[i, j] = np.mean(2 - np.abs(G[i] - G[j])) / 2
    return S


def ibs_broadcast(G):
    Gi = G.astype(np.int16)
    d = np.abs(Gi[:, None, :] - Gi[None, :, :])
    return (2 - d).sum(axis=-1) / (2 * G.shape[1])


def gwas_vectorized(G, y):
    X = G - G.mean(axis=0)
    yc = y - y.mean()
    beta = X.T @ yc / (X ** 2).sum(axis=0)
    resid = yc[:, None] - X * beta
    n = len(y)
    se = np.sqrt((resid ** 2).sum(axis=0) / (n - 2) / (X ** 2).sum(axis=0))
    return beta, beta / se


def gwas_loop(G, y):
    n, m = G.shape
    betas = np.zeros(m)
    pvals_t = np.zeros(m)
    for j in range(m):
        X = np.column_stack([np.ones(n), G[:, j]])
        b, res, rk, sv = np.linalg.lstsq(X, y, rcond=None)
        betas[j] = b[1]
        pvals_t[j] = res[0] if res.size else 0.0
    return betas, pvals_t


def gwas_with_covariates(G, y, C):
    n = len(y)
    out = np.empty(G.shape[1])
    for j in range(G.shape[1]):
        X = np.hstack([np.ones((n, 1)), C, G[:, j:j + 1]])
        XtX = X.T @ X
        b = np.linalg.solve(XtX, X.T @ y)
        out[j] = b[-1]
    return out


def allelic_chisq(G, case):
    n_case = case.sum()
    n_ctrl = (~case).sum()
    a_case = G[case].sum(axis=0)
    a_ctrl = G[~case].sum(axis=0)
    tab = np.array([[a_case, 2 * n_case - a_case], [a_ctrl, 2 * n_ctrl - a_ctrl]], dtype=float)
    row = tab.sum(axis=1, keepdims=True)
    col = tab.sum(axis=0, keepdims=True)
    exp = row * col / tab.sum(axis=(0, 1))
    return ((tab - exp) ** 2 / exp).sum(axis=(0, 1))


def odds_ratio(G, case):
    a = (G[case] > 0).sum(axis=0) + 0.5
    b = (G[case] == 0).sum(axis=0) + 0.5
    c = (G[~case] > 0).sum(axis=0) + 0.5
    d = (G[~case] == 0).sum(axis=0) + 0.5
    OR = a * d / (b * c)
    se = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return np.log(OR), se


def haplotypes_to_genotypes(H):
    return (H[0::2] + H[1::2]).astype(np.int8)


def random_genotypes(rng, p, n=10):
    return rng.binomial(2, p, size=(n, len(p))).astype(np.int8)


def sample_haplotypes(rng, p, n=8):
    H = (rng.random((2 * n, len(p))) < p).astype(np.int8)
    return H[::2] + H[1::2]


def mendelian_offspring(rng, mother, father):
    m = (rng.random(mother.shape) < mother / 2).astype(np.int8)
    f = (rng.random(father.shape) < father / 2).astype(np.int8)
    return m + f


def impute_mean(G):
    Gf = G.astype(np.float32)
    miss = G == -1
    sums = np.where(miss, 0, G).sum(axis=0)
    cnt = (~miss).sum(axis=0)
    means = sums / cnt
    Gf[miss] = np.take(means, np.nonzero(miss)[1])
    return Gf


def impute_nan_mean(X):
    col = np.nanmean(X, axis=0)
    inds = np.where(np.isnan(X))
    X = X.copy()
    X[inds] = np.take(col, inds[1])
    return X


def missing_rate_filter(G, max_missing=0.2):
    miss = (G < 0).mean(axis=0)
    keep = miss <= max_missing
    return np.where(keep[None, :], G, 0), keep.sum()


def maf_filter_mask(G, min_maf=0.05):
    p = G.mean(axis=0) / 2
    maf = np.minimum(p, 1 - p)
    return (maf >= min_maf) & (G.std(axis=0) > 0)


def tajimas_d_pieces(H):
    n = H.shape[0]
    S = np.sum((H.sum(axis=0) > 0) & (H.sum(axis=0) < n))
    a1 = np.sum(1.0 / np.arange(1, n))
    theta_w = S / a1
    p = H.mean(axis=0)
    pi = np.sum(2 * p * (1 - p)) * n / (n - 1)
    return pi, theta_w, pi - theta_w


def site_frequency_spectrum(H):
    n = H.shape[0]
    counts = H.sum(axis=0)
    return np.bincount(counts, minlength=n + 1)


def folded_sfs(H):
    n = H.shape[0]
    counts = H.sum(axis=0)
    folded = np.minimum(counts, n - counts)
    return np.bincount(folded, minlength=n // 2 + 1)


def kinship_king(G):
    het = (G == 1).astype(float)
    n = G.shape[0]
    K = np.zeros((n, n))
    for i in range(n):
        d = ((G[i] - G) ** 2).sum(axis=1)
        nhet = het[i].sum()
        K[i] = 0.5 - d / (4 * nhet + 1e-9)
    return K


def polygenic_score(G, beta):
    return G.astype(np.float64) @ beta


def polygenic_score_missing(G, beta):
    p = np.where(G >= 0, G, 0).sum(axis=0) / (2 * (G >= 0).sum(axis=0))
    Gi = np.where(G < 0, 2 * p, G)
    return Gi @ beta


def linkage_recombination(rng, h1, h2, r=0.2):
    n = len(h1)
    switches = rng.random(n - 1) < r
    phase = np.concatenate([[0], np.cumsum(switches) % 2])
    return np.where(phase == 0, h1, h2)


def eigenstrat_correction(G, y, k=1):
    X = G - G.mean(axis=0)
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    Uk = U[:, :k]
    Xc = X - Uk @ (Uk.T @ X)
    yc = y - y.mean()
    yc = yc - Uk @ (Uk.T @ yc)
    r = (Xc * yc[:, None]).sum(axis=0) / np.sqrt((Xc ** 2).sum(axis=0) * (yc ** 2).sum())
    return r ** 2 * (len(y) - k - 1)


def inbreeding_per_individual(G, p):
    hom = (G != 1).sum(axis=1)
    exp_hom = np.sum(1 - 2 * p * (1 - p))
    return (hom - exp_hom) / (G.shape[1] - exp_hom)


def genotype_int8_sum(G):
    return G.sum(axis=0), G.sum(axis=0, dtype=np.int8), np.add.reduce(G, axis=1)


# ------------------------------------------------------------------- integer and bit-level code


def xorshift32(x, n=5):
    x = x.astype(np.uint32)
    out = np.empty((n, x.size), dtype=np.uint32)
    for i in range(n):
        x ^= x << np.uint32(13)
        x ^= x >> np.uint32(17)
        x ^= x << np.uint32(5)
        out[i] = x
    return out


def xorshift32_python_ints(x, n=4):
    x = x.astype(np.uint32)
    for _ in range(n):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
    return x


def xorshift64star(x):
    x = x.astype(np.uint64)
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    return x * np.uint64(0x2545F4914F6CDD1D)


def splitmix64(seed):
    z = seed.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def splitmix64_python_shift(seed):
    z = seed.astype(np.uint64) + 0x9E3779B97F4A7C15
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB
    return z ^ (z >> 31)


def splitmix_to_unit(seed):
    z = splitmix64(seed)
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / 2 ** 53)


def lcg_uint32(seed, n=6):
    x = seed.astype(np.uint32)
    out = np.zeros((n,) + x.shape, dtype=np.uint32)
    for i in range(n):
        x = x * np.uint32(1664525) + np.uint32(1013904223)
        out[i] = x
    return out


def lcg_uint64_mod(seed, n=5):
    a, c, m = 6364136223846793005, 1442695040888963407, 2 ** 64
    x = seed.astype(np.uint64)
    for _ in range(n):
        x = x * np.uint64(a) + np.uint64(c)
    return x, (x >> np.uint64(33)).astype(np.uint32)


def lcg_park_miller(seed, n=6):
    x = seed.astype(np.int64)
    for _ in range(n):
        x = (16807 * x) % 2147483647
    return x, x / 2147483647.0


def pcg32_output(state):
    state = state.astype(np.uint64)
    xorshifted = (((state >> np.uint64(18)) ^ state) >> np.uint64(27)).astype(np.uint32)
    rot = (state >> np.uint64(59)).astype(np.uint32)
    return (xorshifted >> rot) | (xorshifted << ((-rot) & np.uint32(31)))


def fnv1a_32(data):
    h = np.full(data.shape[0], 0x811C9DC5, dtype=np.uint32)
    for j in range(data.shape[1]):
        h ^= data[:, j].astype(np.uint32)
        h *= np.uint32(0x01000193)
    return h


def fnv1a_64(data):
    h = np.full(data.shape[0], 0xCBF29CE484222325, dtype=np.uint64)
    prime = np.uint64(0x100000001B3)
    for j in range(data.shape[1]):
        h = (h ^ data[:, j].astype(np.uint64)) * prime
    return h


def murmur3_fmix32(h):
    h = h.astype(np.uint32)
    h ^= h >> 16
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> 13
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> 16
    return h


def murmur3_fmix64(k):
    k = k.astype(np.uint64)
    k ^= k >> np.uint64(33)
    k *= np.uint64(0xFF51AFD7ED558CCD)
    k ^= k >> np.uint64(33)
    k *= np.uint64(0xC4CEB9FE1A85EC53)
    k ^= k >> np.uint64(33)
    return k


def murmur3_32_blocks(keys, seed=0):
    c1, c2 = np.uint32(0xCC9E2D51), np.uint32(0x1B873593)
    h = np.full(keys.shape[0], seed, dtype=np.uint32)
    for j in range(keys.shape[1]):
        k = keys[:, j].astype(np.uint32) * c1
        k = (k << np.uint32(15)) | (k >> np.uint32(17))
        k *= c2
        h ^= k
        h = (h << np.uint32(13)) | (h >> np.uint32(19))
        h = h * np.uint32(5) + np.uint32(0xE6546B64)
    return h


def hash_combine(a, b):
    a = a.astype(np.uint64)
    b = b.astype(np.uint64)
    return a ^ (b + np.uint64(0x9E3779B9) + (a << np.uint64(6)) + (a >> np.uint64(2)))


def jenkins_one_at_a_time(data):
    h = np.zeros(data.shape[0], dtype=np.uint32)
    for j in range(data.shape[1]):
        h += data[:, j].astype(np.uint32)
        h += h << np.uint32(10)
        h ^= h >> np.uint32(6)
    h += h << np.uint32(3)
    h ^= h >> np.uint32(11)
    h += h << np.uint32(15)
    return h


def packbits_rows(bits):
    return np.packbits(bits.astype(np.uint8), axis=-1)


def packbits_little(bits):
    return np.packbits(bits, bitorder="little")


def unpackbits_bytes(b):
    return np.unpackbits(b.astype(np.uint8)).reshape(-1, 8)


def unpackbits_axis(b):
    return np.unpackbits(b, axis=1), np.unpackbits(b, axis=1, count=4, bitorder="little")


def pack_unpack_roundtrip(bits):
    p = np.packbits(bits, axis=1)
    return np.unpackbits(p, axis=1, count=bits.shape[1])


def popcount_table(x):
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)
    b = x.astype(np.uint32)
    return (table[b & 0xFF] + table[(b >> 8) & 0xFF] + table[(b >> 16) & 0xFF]
            + table[b >> 24])


def popcount_swar(x):
    x = x.astype(np.uint32)
    x = x - ((x >> 1) & np.uint32(0x55555555))
    x = (x & np.uint32(0x33333333)) + ((x >> 2) & np.uint32(0x33333333))
    x = (x + (x >> 4)) & np.uint32(0x0F0F0F0F)
    return (x * np.uint32(0x01010101)) >> 24


def popcount_swar64(x):
    x = x.astype(np.uint64)
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)


def popcount_unpack(x):
    return np.unpackbits(x.astype(np.uint8)[:, None], axis=1).sum(axis=1)


def popcount_bitwise_count(x):
    return np.bitwise_count(x.astype(np.uint16)), np.bitwise_count(x.astype(np.int32) - 5)


def popcount_loop(x):
    x = x.astype(np.int64)
    c = np.zeros_like(x)
    for i in range(16):
        c += (x >> i) & 1
    return c


def hamming_distance_packed(a, b):
    return np.unpackbits(np.bitwise_xor(a, b), axis=-1).sum(axis=-1)


def gray_code(n):
    return n ^ (n >> 1)


def gray_decode(g):
    n = g.copy()
    shift = 1
    while shift < 32:
        n ^= n >> shift
        shift <<= 1
    return n


def gray_decode_loop(g, bits=10):
    b = g.copy()
    for i in range(1, bits):
        b = b ^ (g >> i)
    return b


def bit_reverse_8(x):
    x = x.astype(np.uint8)
    x = ((x & 0xF0) >> 4) | ((x & 0x0F) << 4)
    x = ((x & 0xCC) >> 2) | ((x & 0x33) << 2)
    x = ((x & 0xAA) >> 1) | ((x & 0x55) << 1)
    return x


def bit_reverse_indices(n_bits=4):
    idx = np.arange(2 ** n_bits)
    rev = np.zeros_like(idx)
    for i in range(n_bits):
        rev |= ((idx >> i) & 1) << (n_bits - 1 - i)
    return rev


def bit_reverse_uint32(v):
    v = v.astype(np.uint32)
    v = ((v >> 1) & np.uint32(0x55555555)) | ((v & np.uint32(0x55555555)) << 1)
    v = ((v >> 2) & np.uint32(0x33333333)) | ((v & np.uint32(0x33333333)) << 2)
    v = ((v >> 4) & np.uint32(0x0F0F0F0F)) | ((v & np.uint32(0x0F0F0F0F)) << 4)
    v = ((v >> 8) & np.uint32(0x00FF00FF)) | ((v & np.uint32(0x00FF00FF)) << 8)
    return (v >> 16) | (v << 16)


def crc32_table():
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = np.uint32(i)
        for _ in range(8):
            c = np.where(c & 1, np.uint32(0xEDB88320) ^ (c >> 1), c >> 1)
        table[i] = c
    return table


def crc32_bytes(data):
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = 0xEDB88320 ^ (c >> 1) if c & 1 else c >> 1
        table[i] = c
    crc = np.full(data.shape[0], 0xFFFFFFFF, dtype=np.uint32)
    for j in range(data.shape[1]):
        crc = table[(crc ^ data[:, j]) & 0xFF] ^ (crc >> 8)
    return crc ^ np.uint32(0xFFFFFFFF)


def morton_encode_2d(x, y):
    def part1by1(n):
        n = n.astype(np.uint32) & np.uint32(0x0000FFFF)
        n = (n | (n << 8)) & np.uint32(0x00FF00FF)
        n = (n | (n << 4)) & np.uint32(0x0F0F0F0F)
        n = (n | (n << 2)) & np.uint32(0x33333333)
        n = (n | (n << 1)) & np.uint32(0x55555555)
        return n
    return part1by1(x) | (part1by1(y) << 1)


def morton_decode_2d(code):
    def compact(n):
        n = n & np.uint32(0x55555555)
        n = (n ^ (n >> 1)) & np.uint32(0x33333333)
        n = (n ^ (n >> 2)) & np.uint32(0x0F0F0F0F)
        n = (n ^ (n >> 4)) & np.uint32(0x00FF00FF)
        n = (n ^ (n >> 8)) & np.uint32(0x0000FFFF)
        return n
    code = code.astype(np.uint32)
    return compact(code), compact(code >> 1)


def morton_loop_3d(x, y, z, bits=8):
    code = np.zeros(x.shape, dtype=np.uint64)
    for i in range(bits):
        code |= ((x.astype(np.uint64) >> i) & 1) << (3 * i)
        code |= ((y.astype(np.uint64) >> i) & 1) << (3 * i + 1)
        code |= ((z.astype(np.uint64) >> i) & 1) << (3 * i + 2)
    return code


def morton_sort_points(pts):
    q = np.clip((pts * 255).astype(np.int64), 0, 255)
    code = np.zeros(len(pts), dtype=np.int64)
    for i in range(8):
        code |= ((q[:, 0] >> i) & 1) << (2 * i)
        code |= ((q[:, 1] >> i) & 1) << (2 * i + 1)
    order = np.argsort(code, kind="stable")
    return pts[order], code


def bloom_filter_add(keys, m=64, k=3):
    bits = np.zeros(m, dtype=np.uint8)
    for i in range(k):
        h = (keys.astype(np.uint64) * np.uint64(2654435761 + 2 * i) + np.uint64(i)) % np.uint64(m)
        np.bitwise_or.at(bits, h.astype(np.intp), 1)
    return bits


def bloom_filter_words(keys, n_words=4, k=2):
    words = np.zeros(n_words, dtype=np.uint32)
    for i in range(k):
        h = (keys * (31 + 2 * i) + 7 * i) % (32 * n_words)
        np.bitwise_or.at(words, h // 32, np.left_shift(np.uint32(1), (h % 32).astype(np.uint32)))
    return words


def bloom_query(bits, queries, m=64, k=3):
    present = np.ones(len(queries), dtype=bool)
    for i in range(k):
        h = (queries.astype(np.uint64) * np.uint64(2654435761 + 2 * i) + np.uint64(i)) % np.uint64(m)
        present &= bits[h.astype(np.intp)] == 1
    return present


def bitboard_moves(board):
    b = board.astype(np.uint64)
    not_a = np.uint64(0xFEFEFEFEFEFEFEFE)
    not_h = np.uint64(0x7F7F7F7F7F7F7F7F)
    north = b << np.uint64(8)
    south = b >> np.uint64(8)
    east = (b << np.uint64(1)) & not_a
    west = (b >> np.uint64(1)) & not_h
    return north | south | east | west


def bitboard_from_grid(grid):
    weights = (np.uint64(1) << np.arange(64, dtype=np.uint64)).reshape(8, 8)
    return np.bitwise_or.reduce(np.where(grid, weights, np.uint64(0)), axis=(0, 1))


def bitboard_to_grid(bb):
    shifts = np.arange(64, dtype=np.uint64)
    return ((bb[:, None] >> shifts) & np.uint64(1)).reshape(-1, 8, 8).astype(bool)


def life_step_bits(grid):
    n = sum(np.roll(np.roll(grid, i, 0), j, 1)
            for i in (-1, 0, 1) for j in (-1, 0, 1) if (i != 0 or j != 0))
    return ((n == 3) | (grid & (n == 2))).astype(np.uint8)


def bit_flags(flags):
    return (flags & 1) > 0, (flags >> 1) & 0b11, np.bitwise_and(flags, 0xF0) >> 4


def set_clear_toggle(x, bit):
    return x | (1 << bit), x & ~(1 << bit), x ^ (1 << bit)


def lowest_set_bit(x):
    x = x.astype(np.int64)
    return x & -x, x & (x - 1)


def is_power_of_two(x):
    return (x > 0) & ((x & (x - 1)) == 0)


def next_power_of_two(v):
    v = v.astype(np.uint32) - np.uint32(1)
    v |= v >> 1
    v |= v >> 2
    v |= v >> 4
    v |= v >> 8
    v |= v >> 16
    return v + np.uint32(1)


def ilog2_loop(x):
    x = x.astype(np.int64)
    r = np.zeros_like(x)
    for s in (32, 16, 8, 4, 2, 1):
        m = x >= (1 << s)
        r = np.where(m, r + s, r)
        x = np.where(m, x >> s, x)
    return r


def rotl32(x, r=7):
    x = x.astype(np.uint32)
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def uint8_overflow(a, b):
    return a + b, a - b, a * b, (a.astype(np.int16) + b) // 2


def uint8_mixed_python(a):
    return a + 200, a * 2, a - 1, a // 3, a % 7


def int8_wraparound(a):
    return a + np.int8(100), -a, np.abs(a), a * np.int8(3)


def signed_unsigned_promotion(u, i):
    return u + i, u - i, u * i, (u + i).dtype == np.int16


def uint64_int64_promotion(u, i):
    return u + i, u // np.uint64(3), i.astype(np.uint64) + u


def uint32_python_scalars(x):
    return x + 1, x * 3, x >> 2, x & 0xFFFF, (x ^ 0xDEADBEEF)


def int_shift_by_array(x, s):
    return x << s, x >> s, np.left_shift(x, s % 8), np.right_shift(x, 3)


def negative_floor_div_mod(a, b):
    return a // b, a % b, np.fmod(a, b), np.divmod(a, b)


def int_power(a):
    return a ** 2, a ** 3, np.power(a, 2), a.astype(np.int8) ** 2


def invert_unsigned(x):
    return ~x, np.invert(x.astype(np.uint16)), ~x.astype(np.int32)


def bytes_from_uint32(x):
    x = x.astype(np.uint32)
    return np.stack([(x >> (8 * i)) & 0xFF for i in range(4)], axis=-1).astype(np.uint8)


def uint32_from_bytes(b):
    b = b.astype(np.uint32)
    return b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16) | (b[:, 3] << 24)


def byteswap_manual(x):
    x = x.astype(np.uint32)
    return ((x & 0xFF) << 24) | ((x & 0xFF00) << 8) | ((x >> 8) & 0xFF00) | (x >> 24)


def checksum_adler32(data):
    a = np.ones(data.shape[0], dtype=np.uint32)
    b = np.zeros(data.shape[0], dtype=np.uint32)
    for j in range(data.shape[1]):
        a = (a + data[:, j]) % 65521
        b = (b + a) % 65521
    return (b << 16) | a


def fletcher16(data):
    s1 = np.zeros(data.shape[0], dtype=np.uint16)
    s2 = np.zeros(data.shape[0], dtype=np.uint16)
    for j in range(data.shape[1]):
        s1 = (s1 + data[:, j]) % 255
        s2 = (s2 + s1) % 255
    return (s2 << 8) | s1


def parity_fold(x):
    x = x.astype(np.uint32)
    x ^= x >> 16
    x ^= x >> 8
    x ^= x >> 4
    x &= 0xF
    return (0x6996 >> x) & 1


def hash_subsample(keys, threshold):
    h = splitmix64(keys)
    return keys[h < threshold].sum(), (h >= threshold).mean(), h > -1


def signed_unsigned_compare(h, offsets):
    return h > offsets, h <= offsets, np.where(h == offsets, 1, 0), (h < offsets).sum()


def bucket_lookup(h, table_hashes):
    hit = h[:, None] == table_hashes[None, :]
    return hit.any(axis=1), np.argmax(hit, axis=1)


def quantize_to_bits(x, bits=4):
    levels = 2 ** bits - 1
    q = np.round((x - x.min()) / (x.max() - x.min()) * levels).astype(np.uint8)
    return q, np.packbits(np.unpackbits(q[:, None], axis=1)[:, 8 - bits:], axis=1)


# ------------------------------------------------------------------- colour science and graphics


def srgb_to_linear(c):
    c = c / 255.0 if c.dtype == np.uint8 else c
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(c):
    c = np.clip(c, 0, 1)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * np.power(c, 1 / 2.4) - 0.055)


def linear_to_srgb_uint8(c):
    s = linear_to_srgb(c)
    return (s * 255 + 0.5).astype(np.uint8)


def srgb_masked(img):
    out = np.empty_like(img)
    low = img <= 0.04045
    out[low] = img[low] / 12.92
    out[~low] = ((img[~low] + 0.055) / 1.055) ** 2.4
    return out


def gamma_float32(img):
    img = img.astype(np.float32)
    return np.power(img, np.float32(1 / 2.2)), img ** 2.2


def rgb_to_gray(img):
    return img @ np.array([0.299, 0.587, 0.114])


def rgb_to_gray_uint8(img):
    g = 0.2126 * img[..., 0] + 0.7152 * img[..., 1] + 0.0722 * img[..., 2]
    return np.round(g).astype(np.uint8)


def rgb_to_hsv(rgb):
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    maxc = np.max(rgb, axis=-1)
    minc = np.min(rgb, axis=-1)
    v = maxc
    delta = maxc - minc
    s = np.where(maxc > 0, delta / np.where(maxc > 0, maxc, 1), 0)
    d = np.where(delta == 0, 1, delta)
    rc = (maxc - r) / d
    gc = (maxc - g) / d
    bc = (maxc - b) / d
    h = np.where(r == maxc, bc - gc, np.where(g == maxc, 2.0 + rc - bc, 4.0 + gc - rc))
    h = (h / 6.0) % 1.0
    h = np.where(delta == 0, 0.0, h)
    return np.stack([h, s, v], axis=-1)


def rgb_to_hsv_masks(rgb):
    out = np.zeros_like(rgb)
    arr_max = rgb.max(-1)
    ipos = arr_max > 0
    delta = rgb.ptp(-1) if hasattr(rgb, "ptp") else np.ptp(rgb, -1)
    s = np.zeros_like(delta)
    s[ipos] = delta[ipos] / arr_max[ipos]
    ipos = delta > 0
    idx = (rgb[..., 0] == arr_max) & ipos
    out[idx, 0] = (rgb[idx, 1] - rgb[idx, 2]) / delta[idx]
    idx = (rgb[..., 1] == arr_max) & ipos
    out[idx, 0] = 2. + (rgb[idx, 2] - rgb[idx, 0]) / delta[idx]
    idx = (rgb[..., 2] == arr_max) & ipos
    out[idx, 0] = 4. + (rgb[idx, 0] - rgb[idx, 1]) / delta[idx]
    out[..., 0] = (out[..., 0] / 6.0) % 1.0
    out[..., 1] = s
    out[..., 2] = arr_max
    return out


def hsv_to_rgb(hsv):
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    i = np.floor(h * 6.0).astype(int)
    f = h * 6.0 - i
    p = v * (1.0 - s)
    q = v * (1.0 - s * f)
    t = v * (1.0 - s * (1.0 - f))
    i = i % 6
    conds = [i == 0, i == 1, i == 2, i == 3, i == 4, i == 5]
    r = np.select(conds, [v, q, p, p, t, v])
    g = np.select(conds, [t, v, v, q, p, p])
    b = np.select(conds, [p, p, t, v, v, q])
    return np.stack([r, g, b], axis=-1)


def hsv_to_rgb_choose(hsv):
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    i = (h * 6).astype(np.int64) % 6
    f = h * 6 - np.floor(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    r = np.choose(i, [v, q, p, p, t, v])
    g = np.choose(i, [t, v, v, q, p, p])
    b = np.choose(i, [p, p, t, v, v, q])
    return np.stack([r, g, b], -1)


def rgb_to_hsl(rgb):
    mx = rgb.max(axis=-1)
    mn = rgb.min(axis=-1)
    l = (mx + mn) / 2
    d = mx - mn
    s = np.where(d == 0, 0, d / (1 - np.abs(2 * l - 1) + 1e-12))
    return l, s


def hsl_to_rgb(h, s, l):
    def f(n):
        k = (n + h * 12) % 12
        a = s * np.minimum(l, 1 - l)
        return l - a * np.maximum(-1, np.minimum(np.minimum(k - 3, 9 - k), 1))
    return np.stack([f(0), f(8), f(4)], axis=-1)


def rgb_to_ycbcr(img):
    img = img.astype(np.float64)
    M = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]])
    ycc = img @ M.T
    ycc[..., 1:] += 128
    return np.clip(np.round(ycc), 0, 255).astype(np.uint8)


def ycbcr_to_rgb(ycc):
    y = ycc[..., 0].astype(np.float32)
    cb = ycc[..., 1].astype(np.float32) - 128
    cr = ycc[..., 2].astype(np.float32) - 128
    r = y + 1.402 * cr
    g = y - 0.344136 * cb - 0.714136 * cr
    b = y + 1.772 * cb
    return np.clip(np.stack([r, g, b], -1), 0, 255).astype(np.uint8)


def rgb_to_xyz(rgb):
    lin = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    M = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    return np.einsum("ij,...j->...i", M, lin)


def xyz_to_lab(xyz):
    white = np.array([0.95047, 1.0, 1.08883])
    t = xyz / white
    delta = 6 / 29
    f = np.where(t > delta ** 3, np.cbrt(t), t / (3 * delta ** 2) + 4 / 29)
    L = 116 * f[..., 1] - 16
    a = 500 * (f[..., 0] - f[..., 1])
    b = 200 * (f[..., 1] - f[..., 2])
    return np.stack([L, a, b], axis=-1)


def lab_to_xyz(lab):
    L, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    fy = (L + 16) / 116
    fx = fy + a / 500
    fz = fy - b / 200
    f = np.stack([fx, fy, fz], -1)
    delta = 6 / 29
    t = np.where(f > delta, f ** 3, 3 * delta ** 2 * (f - 4 / 29))
    return t * np.array([0.95047, 1.0, 1.08883])


def delta_e_76(lab1, lab2):
    return np.sqrt(((lab1 - lab2) ** 2).sum(axis=-1))


def delta_e_94(lab1, lab2):
    L1, a1, b1 = lab1[..., 0], lab1[..., 1], lab1[..., 2]
    L2, a2, b2 = lab2[..., 0], lab2[..., 1], lab2[..., 2]
    C1 = np.hypot(a1, b1)
    C2 = np.hypot(a2, b2)
    dL = L1 - L2
    dC = C1 - C2
    dH2 = (a1 - a2) ** 2 + (b1 - b2) ** 2 - dC ** 2
    dH = np.sqrt(np.maximum(dH2, 0))
    return np.sqrt(dL ** 2 + (dC / (1 + 0.045 * C1)) ** 2 + (dH / (1 + 0.015 * C1)) ** 2)


def lab_to_lch(lab):
    C = np.hypot(lab[..., 1], lab[..., 2])
    H = np.degrees(np.arctan2(lab[..., 2], lab[..., 1])) % 360
    return np.stack([lab[..., 0], C, H], -1)


def white_balance_gray_world(img):
    means = img.reshape(-1, 3).mean(axis=0)
    gain = means.mean() / means
    return np.clip(img * gain, 0, 255).astype(np.uint8)


def white_balance_percentile(img):
    out = np.empty(img.shape, dtype=np.float64)
    for c in range(3):
        hi = np.percentile(img[..., c], 99)
        out[..., c] = np.clip(img[..., c] / hi, 0, 1)
    return out


def white_patch(img):
    return (img.astype(np.float32) / img.max(axis=(0, 1)) * 255).astype(np.uint8)


def von_kries(xyz, src_white, dst_white):
    M = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])
    lms_s = M @ src_white
    lms_d = M @ dst_white
    A = np.linalg.inv(M) @ np.diag(lms_d / lms_s) @ M
    return xyz @ A.T


def reinhard_tonemap(hdr, key=0.18):
    lum = 0.2126 * hdr[..., 0] + 0.7152 * hdr[..., 1] + 0.0722 * hdr[..., 2]
    log_avg = np.exp(np.mean(np.log(lum + 1e-6)))
    scaled = key / log_avg * lum
    mapped = scaled / (1 + scaled)
    return hdr * (mapped / (lum + 1e-6))[..., None]


def reinhard_extended(c, white=4.0):
    return c * (1 + c / white ** 2) / (1 + c)


def aces_filmic(x):
    a, b, c, d, e = 2.51, 0.03, 2.43, 0.59, 0.14
    return np.clip((x * (a * x + b)) / (x * (c * x + d) + e), 0, 1)


def exposure_uint8(hdr, ev=1.0):
    ldr = 1 - np.exp(-hdr * 2.0 ** ev)
    return (255 * ldr ** (1 / 2.2)).round().astype("uint8")


def alpha_over(fg, bg):
    a_f = fg[..., 3:4]
    a_b = bg[..., 3:4]
    a_o = a_f + a_b * (1 - a_f)
    rgb = (fg[..., :3] * a_f + bg[..., :3] * a_b * (1 - a_f)) / np.where(a_o == 0, 1, a_o)
    return np.concatenate([rgb, a_o], axis=-1)


def alpha_blend_uint8(fg, bg, alpha):
    a = alpha.astype(np.float32)[..., None] / 255
    out = fg * a + bg * (1 - a)
    return out.astype(np.uint8)


def alpha_blend_integer(fg, bg, alpha):
    out = (fg.astype(np.uint16) * alpha[..., None] + bg.astype(np.uint16) * (255 - alpha[..., None]) + 127) // 255
    return out.astype(np.uint8)


def premultiply(rgba):
    out = rgba.copy()
    out[..., :3] *= out[..., 3:]
    return out


def blend_modes(a, b):
    multiply = a * b
    screen = 1 - (1 - a) * (1 - b)
    overlay = np.where(a < 0.5, 2 * a * b, 1 - 2 * (1 - a) * (1 - b))
    soft = (1 - 2 * b) * a ** 2 + 2 * b * a
    return multiply, screen, overlay, soft


def brightness_contrast_uint8(img, alpha=1.3, beta=20):
    return np.clip(alpha * img.astype(np.int32) + beta, 0, 255).astype(np.uint8)


def uint8_add_saturate(img, delta):
    return np.clip(img.astype(np.int16) + delta, 0, 255).astype(np.uint8)


def uint8_wrap_add(img):
    return img + np.uint8(100), (img + 100).dtype


def invert_image(img):
    return 255 - img, ~img, np.invert(img)


def posterize(img, levels=4):
    step = 256 // levels
    return (img // step * step + step // 2).astype(np.uint8)


def quantize_colors(img, palette):
    d = ((img[..., None, :].astype(np.int32) - palette[None, None, :, :]) ** 2).sum(axis=-1)
    idx = d.argmin(axis=-1)
    return palette[idx], idx


def float_to_uint8_variants(x):
    return (x * 255).astype(np.uint8), np.clip(x * 255, 0, 255).astype(np.uint8), np.round(x * 255).astype(np.uint8)


def uint8_to_float_mean(img):
    return img.mean(), img.astype(np.float32).mean(axis=(0, 1)), img.sum(axis=-1).dtype


def histogram_equalize_uint8(img):
    hist = np.bincount(img.ravel(), minlength=256)
    cdf = hist.cumsum()
    cdf_min = cdf[cdf > 0].min()
    lut = np.round((cdf - cdf_min) / (cdf[-1] - cdf_min) * 255).astype(np.uint8)
    return lut[img]


def vignette(img):
    h, w = img.shape[:2]
    y, x = np.mgrid[0:h, 0:w]
    r = np.hypot((x - w / 2) / w, (y - h / 2) / h)
    return img * (1 - r[..., None]) ** 2


def chroma_key(img, key=np.array([0.0, 1.0, 0.0]), tol=0.6):
    d = np.linalg.norm(img - key, axis=-1)
    alpha = np.clip((d - tol / 2) / (tol / 2), 0, 1)
    return alpha


def ray_sphere(origins, dirs, center, radius):
    oc = origins - center
    b = np.sum(oc * dirs, axis=-1)
    c = np.sum(oc * oc, axis=-1) - radius ** 2
    disc = b * b - c
    hit = disc >= 0
    sq = np.sqrt(np.maximum(disc, 0))
    t0 = -b - sq
    t1 = -b + sq
    t = np.where(t0 > 1e-6, t0, t1)
    t = np.where(hit & (t > 1e-6), t, np.inf)
    return t


def ray_sphere_quadratic(o, d, c, r):
    a = np.einsum("ij,ij->i", d, d)
    b = 2 * np.einsum("ij,ij->i", d, o - c)
    cc = np.einsum("ij,ij->i", o - c, o - c) - r * r
    disc = b ** 2 - 4 * a * cc
    t = np.full(len(o), np.nan)
    m = disc > 0
    t[m] = (-b[m] - np.sqrt(disc[m])) / (2 * a[m])
    return t


def ray_spheres_nearest(o, d, centers, radii):
    oc = o[:, None, :] - centers[None, :, :]
    b = (oc * d[:, None, :]).sum(-1)
    c = (oc ** 2).sum(-1) - radii ** 2
    disc = b ** 2 - c
    t = -b - np.sqrt(np.where(disc > 0, disc, 0))
    t = np.where((disc > 0) & (t > 0), t, np.inf)
    idx = np.argmin(t, axis=1)
    return idx, t[np.arange(len(o)), idx]


def ray_plane(o, d, p0, n):
    denom = d @ n
    t = ((p0 - o) @ n) / np.where(np.abs(denom) < 1e-9, np.nan, denom)
    hit = o + t[:, None] * d
    return t, hit


def ray_triangle_moller(o, d, v0, v1, v2):
    e1 = v1 - v0
    e2 = v2 - v0
    p = np.cross(d, e2)
    det = p @ e1
    inv = 1.0 / det
    s = o - v0
    u = (s @ p.T).diagonal() * inv if False else np.sum(s * p, axis=1) * inv
    q = np.cross(s, e1)
    v = np.sum(d * q, axis=1) * inv
    t = (q @ e2) * inv
    hit = (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 0)
    return np.where(hit, t, -1.0)


def barycentric(p, a, b, c):
    v0, v1, v2 = b - a, c - a, p - a
    d00 = v0 @ v0
    d01 = v0 @ v1
    d11 = v1 @ v1
    d20 = v2 @ v0
    d21 = v2 @ v1
    denom = d00 * d11 - d01 * d01
    v = (d11 * d20 - d01 * d21) / denom
    w = (d00 * d21 - d01 * d20) / denom
    return np.stack([1 - v - w, v, w], axis=-1)


def barycentric_solve(tri, pts):
    T = np.vstack([tri.T, np.ones(3)])
    P = np.vstack([pts.T, np.ones(len(pts))])
    lam = np.linalg.solve(T, P).T
    inside = np.all(lam >= 0, axis=1)
    return lam, inside


def rasterize_triangle(tri, h=8, w=8):
    ys, xs = np.mgrid[0:h, 0:w] + 0.5
    (x0, y0), (x1, y1), (x2, y2) = tri
    e0 = (x1 - x0) * (ys - y0) - (y1 - y0) * (xs - x0)
    e1 = (x2 - x1) * (ys - y1) - (y2 - y1) * (xs - x1)
    e2 = (x0 - x2) * (ys - y2) - (y0 - y2) * (xs - x2)
    inside = ((e0 >= 0) & (e1 >= 0) & (e2 >= 0)) | ((e0 <= 0) & (e1 <= 0) & (e2 <= 0))
    return inside.astype(np.uint8) * 255


def phong_shading(normals, light_dir, view_dir, kd=0.7, ks=0.3, shininess=16):
    n = normals / np.linalg.norm(normals, axis=-1, keepdims=True)
    l = light_dir / np.linalg.norm(light_dir)
    v = view_dir / np.linalg.norm(view_dir)
    ndotl = np.clip(n @ l, 0, None)
    r = 2 * ndotl[..., None] * n - l
    spec = np.clip(r @ v, 0, None) ** shininess
    return 0.1 + kd * ndotl + ks * spec * (ndotl > 0)


def blinn_phong(normals, l, v, shininess=32.0):
    h = (l + v) / np.linalg.norm(l + v)
    n = normals / np.sqrt((normals ** 2).sum(-1))[:, None]
    diff = np.maximum(np.einsum("ij,j->i", n, l), 0)
    spec = np.power(np.maximum(n @ h, 0), shininess)
    return np.outer(diff, [1.0, 0.5, 0.2]) + spec[:, None]


def lambert_sphere_image(light, n=8):
    y, x = np.mgrid[-1:1:n * 1j, -1:1:n * 1j]
    r2 = x ** 2 + y ** 2
    mask = r2 <= 1
    z = np.sqrt(np.clip(1 - r2, 0, None))
    N = np.stack([x, y, z], -1)
    shade = np.clip(N @ light, 0, 1) * mask
    return (shade * 255).astype(np.uint8)


def homogeneous_project(pts, fov=60.0, near=0.1, far=100.0, aspect=1.0):
    f = 1 / np.tan(np.radians(fov) / 2)
    P = np.array([[f / aspect, 0, 0, 0], [0, f, 0, 0],
                  [0, 0, (far + near) / (near - far), 2 * far * near / (near - far)],
                  [0, 0, -1, 0]])
    h = np.hstack([pts, np.ones((len(pts), 1))])
    clip = h @ P.T
    ndc = clip[:, :3] / clip[:, 3:4]
    return ndc


def look_at_transform(pts, eye, target):
    fwd = target - eye
    fwd = fwd / np.linalg.norm(fwd)
    right = np.cross(fwd, np.array([0.0, 1.0, 0.0]))
    right /= np.linalg.norm(right)
    up = np.cross(right, fwd)
    R = np.stack([right, up, -fwd])
    return (pts - eye) @ R.T


def viewport_pixels(ndc, w=640, h=480):
    px = ((ndc[:, 0] + 1) * 0.5 * w).astype(np.int32)
    py = ((1 - ndc[:, 1]) * 0.5 * h).astype(np.int32)
    vis = (px >= 0) & (px < w) & (py >= 0) & (py < h)
    return np.clip(px, 0, w - 1), np.clip(py, 0, h - 1), vis


def rotation_matrices(angles):
    c, s = np.cos(angles), np.sin(angles)
    R = np.zeros((len(angles), 3, 3))
    R[:, 0, 0] = c
    R[:, 0, 1] = -s
    R[:, 1, 0] = s
    R[:, 1, 1] = c
    R[:, 2, 2] = 1
    return R


def transform_points_batch(R, pts):
    return np.einsum("nij,nj->ni", R, pts), np.matmul(R, pts[..., None])[..., 0]


def reflect_refract(d, n, eta=1 / 1.5):
    cosi = -np.sum(d * n, axis=-1, keepdims=True)
    refl = d + 2 * cosi * n
    k = 1 - eta ** 2 * (1 - cosi ** 2)
    refr = np.where(k >= 0, eta * d + (eta * cosi - np.sqrt(np.abs(k))) * n, 0)
    return refl, refr


def schlick_fresnel(cos_theta, n1=1.0, n2=1.5):
    r0 = ((n1 - n2) / (n1 + n2)) ** 2
    return r0 + (1 - r0) * (1 - cos_theta) ** 5


def z_buffer(px, py, depth, h=6, w=6):
    zbuf = np.full((h, w), np.inf)
    np.minimum.at(zbuf, (py, px), depth)
    return zbuf


def bilinear_sample(img, x, y):
    x0 = np.floor(x).astype(int)
    y0 = np.floor(y).astype(int)
    x1 = np.clip(x0 + 1, 0, img.shape[1] - 1)
    y1 = np.clip(y0 + 1, 0, img.shape[0] - 1)
    x0 = np.clip(x0, 0, img.shape[1] - 1)
    y0 = np.clip(y0, 0, img.shape[0] - 1)
    wa = (x1 - x) * (y1 - y)
    wb = (x1 - x) * (y - y0)
    wc = (x - x0) * (y1 - y)
    wd = (x - x0) * (y - y0)
    return wa * img[y0, x0] + wb * img[y1, x0] + wc * img[y0, x1] + wd * img[y1, x1]


def color_temperature_rgb(kelvin):
    t = kelvin / 100.0
    r = np.where(t <= 66, 255.0, 329.698727446 * (t - 60) ** -0.1332047592)
    g = np.where(t <= 66, 99.4708025861 * np.log(t) - 161.1195681661,
                 288.1221695283 * (t - 60) ** -0.0755148492)
    b = np.where(t >= 66, 255.0, np.where(t <= 19, 0.0, 138.5177312231 * np.log(t - 10) - 305.0447927307))
    return np.clip(np.stack([r, g, b], -1), 0, 255).astype(np.uint8)


def dither_ordered(img):
    bayer = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]]) / 16.0
    h, w = img.shape
    thresh = np.tile(bayer, (h // 4 + 1, w // 4 + 1))[:h, :w]
    return (img > thresh).astype(np.uint8) * 255


def floyd_steinberg(img):
    img = img.astype(float).copy()
    h, w = img.shape
    for y in range(h):
        for x in range(w):
            old = img[y, x]
            new = np.round(old)
            img[y, x] = new
            err = old - new
            if x + 1 < w:
                img[y, x + 1] += err * 7 / 16
            if y + 1 < h:
                if x > 0:
                    img[y + 1, x - 1] += err * 3 / 16
                img[y + 1, x] += err * 5 / 16
                if x + 1 < w:
                    img[y + 1, x + 1] += err * 1 / 16
    return img


def rgb565_pack(img):
    r = (img[..., 0] >> 3).astype(np.uint16)
    g = (img[..., 1] >> 2).astype(np.uint16)
    b = (img[..., 2] >> 3).astype(np.uint16)
    return (r << 11) | (g << 5) | b


def rgb565_unpack(p):
    r = ((p >> 11) & 0x1F).astype(np.uint8) << 3
    g = ((p >> 5) & 0x3F).astype(np.uint8) << 2
    b = (p & 0x1F).astype(np.uint8) << 3
    return np.stack([r, g, b], -1)


def rgba_to_uint32(img):
    img = img.astype(np.uint32)
    return (img[..., 3] << 24) | (img[..., 2] << 16) | (img[..., 1] << 8) | img[..., 0]


def _spk(s, *shape, p=0.2):
    return np.random.default_rng(s).random(shape) < p


def _G(s, n, m=6, missing=False):
    r = np.random.default_rng(s)
    G = r.binomial(2, r.uniform(0.2, 0.8, m), size=(n, m)).astype(np.int8)
    if missing:
        G[r.random((n, m)) < 0.1] = -1
    return G


def _u(s, dtype, *shape):
    info = np.iinfo(dtype)
    return np.random.default_rng(s).integers(info.min, info.max, shape, dtype=dtype, endpoint=True)


def _rgb(s, *shape):
    return np.random.default_rng(s).random(shape + (3,))


def _img8(s, *shape):
    return np.random.default_rng(s).integers(0, 256, shape, dtype=np.uint8)


def _unit(s, n):
    v = _f(n, 3, seed=s)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


NEURO = {
    "lif_loop": (lif_loop, {}, lambda s, n: (2.0 + _f(30, n, seed=s),)),
    "lif_refractory": (lif_refractory, {}, lambda s, n: (30 * _f(40, n, positive=True, seed=s),)),
    "lif_spike_times": (lif_spike_times, {}, lambda s, n: (2 * _f(6 * n, positive=True, seed=s),)),
    "izhikevich": (izhikevich, {}, lambda s, n: (10 + 3 * _f(30, n, seed=s),)),
    "hh_gating": (hh_gating, {}, lambda s, n: (np.linspace(-80, 20, n) + 0.37,)),
    "hodgkin_huxley": (hodgkin_huxley, {}, lambda s, n: (10 + _f(40, n, seed=s),)),
    "firing_rate_histogram": (firing_rate_histogram, {}, lambda s, n: (np.sort(2 * np.random.default_rng(s).random(8 * n)),)),
    "psth": (psth, {}, lambda s, n: (2 * np.random.default_rng(s).random(8 * n), _i(5, 8 * n, seed=s))),
    "psth_bincount": (psth_bincount, {}, lambda s, n: (2 * np.random.default_rng(s).random(8 * n),)),
    "binned_spike_matrix": (binned_spike_matrix, {}, lambda s, n: (np.random.default_rng(s).random(5 * n), _i(4, 5 * n, seed=s))),
    "sta_vectorized": (sta_vectorized, {}, lambda s, n: (_f(8 * n, seed=s), _spk(s, 8 * n, p=0.5).astype(float))),
    "isi_statistics": (isi_statistics, {}, lambda s, n: (np.random.default_rng(s).random(5 * n) * 3,)),
    "isi_cv_per_neuron": (isi_cv_per_neuron, {}, lambda s, n: (np.cumsum(_f(n, 12, positive=True, seed=s), axis=1),)),
    "local_variation": (local_variation, {}, lambda s, n: (_f(4 * n, positive=True, seed=s),)),
    "fano_factor": (fano_factor, {}, lambda s, n: (_i(6, 10, n, seed=s).astype(float),)),
    "fano_windows": (fano_windows, {}, lambda s, n: (_spk(s, 6, 10 * n).astype(np.int64),)),
    "tuning_curve": (tuning_curve, {}, lambda s, n: (np.linspace(0.01, 2 * np.pi - 0.01, 16 * n), _i(20, 16 * n, seed=s))),
    "von_mises_tuning": (von_mises_tuning, {}, lambda s, n: (np.linspace(0, 2 * np.pi, n), np.linspace(0, np.pi, 5))),
    "cosine_tuning_fit": (cosine_tuning_fit, {}, lambda s, n: (np.linspace(0, 2 * np.pi, 3 * n, endpoint=False), 10 + 5 * np.cos(np.linspace(0, 2 * np.pi, 3 * n, endpoint=False) - s) + _f(3 * n, seed=s))),
    "population_vector": (population_vector, {}, lambda s, n: (_f(n, 8, positive=True, seed=s), np.linspace(0, 2 * np.pi, 8, endpoint=False))),
    "population_decode_ml": (population_decode_ml, {}, lambda s, n: (_i(5, n, 6, seed=s), _f(4, 6, positive=True, seed=s) * 20)),
    "stdp_update": (stdp_update, {}, lambda s, n: (_f(n, positive=True, seed=s) / 2, 100 * np.random.default_rng(s).random(n), 100 * np.random.default_rng(s + 1).random(7))),
    "stdp_traces": (stdp_traces, {}, lambda s, n: (_spk(s, 20, n).astype(float), _spk(s + 1, 20, 3).astype(float), np.full((n, 3), 0.5))),
    "distance_dependent_connectivity": (distance_dependent_connectivity, {}, lambda s, n: (np.random.default_rng(s).random((n, 2)),)),
    "rate_network": (rate_network, {}, lambda s, n: (0.1 * _f(n, n, seed=s), _f(n, positive=True, seed=s))),
    "wilson_cowan": (wilson_cowan, {}, lambda s, n: (0.1 * _f(n, positive=True, seed=s), 0.05 * _f(n, positive=True, seed=s + 1))),
    "lfp_filter": (lfp_filter, {}, lambda s, n: (_f(20 * n, seed=s),)),
    "lfp_bandpower": (lfp_bandpower, {}, lambda s, n: (np.sin(2 * np.pi * 6 * np.arange(50 * n) / 200) + _f(50 * n, seed=s),)),
    "gaussian_rate_estimate": (gaussian_rate_estimate, {}, lambda s, n: (_spk(s, 3, 10 * n).astype(float),)),
    "cross_correlogram": (cross_correlogram, {}, lambda s, n: (_spk(s, 10 * n).astype(float), _spk(s + 1, 10 * n).astype(float))),
    "spike_count_correlation": (spike_count_correlation, {}, lambda s, n: (_i(8, 20, n, seed=s).astype(float),)),
    "van_rossum_distance": (van_rossum_distance, {}, lambda s, n: (_spk(s, 10 * n), _spk(s + 1, 10 * n))),
    "victor_purpura_bins": (victor_purpura_bins, {}, lambda s, n: (_i(3, 10 * n, seed=s).astype(np.uint8), _i(3, 10 * n, seed=s + 1).astype(np.uint8))),
    "mutual_information_counts": (mutual_information_counts, {}, lambda s, n: (_i(3, 10 * n, seed=s), _i(4, 10 * n, seed=s + 1))),
    "burst_detection": (burst_detection, {}, lambda s, n: (np.cumsum(0.02 * _f(10 * n, positive=True, seed=s)),)),
    "oja_rule": (oja_rule, {}, lambda s, n: (_f(10, n, seed=s), 0.1 * _f(n, seed=s + 1))),
    "hopfield_recall": (hopfield_recall, {}, lambda s, n: (np.sign(_f(3, 4 * n, seed=s)) + (_f(3, 4 * n, seed=s) == 0), np.sign(_f(4 * n, seed=s + 1)))),
    "synaptic_conductance": (synaptic_conductance, {}, lambda s, n: (_spk(s, 30, n),)),
    "adaptive_threshold": (adaptive_threshold, {}, lambda s, n: (0.2 * _f(40, n, positive=True, seed=s),)),
}

NEURO_RNG = [
    (izhikevich_network, lambda: ()),
    (poisson_spike_train, lambda: ()),
    (poisson_counts, lambda: (np.array([5.0, 20.0, 50.0]),)),
    (poisson_isi_train, lambda: ()),
    (inhomogeneous_poisson, lambda: (np.linspace(0, 1, 200),)),
    (connectivity_random, lambda: ()),
]

GENETICS = {
    "allele_frequencies": (allele_frequencies, {}, lambda s, n: (_G(s, 3 * n),)),
    "allele_freq_missing": (allele_freq_missing, {}, lambda s, n: (_G(s, 3 * n, missing=True),)),
    "allele_freq_nan": (allele_freq_nan, {}, lambda s, n: (_G(s, 3 * n, missing=True),)),
    "genotype_counts": (genotype_counts, {}, lambda s, n: (_G(s, 3 * n),)),
    "genotype_counts_bincount": (genotype_counts_bincount, {}, lambda s, n: (_G(s, 3 * n, 1)[:, 0].astype(np.intp),)),
    "hwe_chisq": (hwe_chisq, {}, lambda s, n: (_G(s, 5 * n),)),
    "heterozygosity": (heterozygosity, {}, lambda s, n: (_G(s, 5 * n),)),
    "ld_r2": (ld_r2, {}, lambda s, n: (_G(s, 5 * n),)),
    "ld_r2_corrcoef": (ld_r2_corrcoef, {}, lambda s, n: (_G(s, 5 * n),)),
    "ld_dprime": (ld_dprime, {}, lambda s, n: (_spk(s, 10 * n, p=0.4), _spk(s + 1, 10 * n, p=0.5))),
    "ld_decay": (ld_decay, {}, lambda s, n: (_G(s, 5 * n, 8), np.arange(8))),
    "fst_hudson": (fst_hudson, {}, lambda s, n: (np.random.default_rng(s).uniform(0.1, 0.9, n), np.random.default_rng(s + 1).uniform(0.1, 0.9, n))),
    "fst_wright": (fst_wright, {}, lambda s, n: (_G(s, 6 * n), np.arange(6 * n) % 2)),
    "standardize_genotypes": (standardize_genotypes, {}, lambda s, n: (_G(s, 5 * n),)),
    "genotype_pca": (genotype_pca, {}, lambda s, n: (_G(s, 4 * n, 5),)),
    "grm": (grm, {}, lambda s, n: (_G(s, n, 12),)),
    "grm_eigen": (grm_eigen, {}, lambda s, n: (_G(s, n, 12),)),
    "ibs_similarity": (ibs_similarity, {}, lambda s, n: (_G(s, n),)),
    "ibs_broadcast": (ibs_broadcast, {}, lambda s, n: (_G(s, n),)),
    "gwas_vectorized": (gwas_vectorized, {}, lambda s, n: (_G(s, 5 * n), _f(5 * n, seed=s))),
    "gwas_loop": (gwas_loop, {}, lambda s, n: (_G(s, 5 * n, 4), _f(5 * n, seed=s))),
    "gwas_with_covariates": (gwas_with_covariates, {}, lambda s, n: (_G(s, 5 * n, 4), _f(5 * n, seed=s), _f(5 * n, 2, seed=s + 1))),
    "allelic_chisq": (allelic_chisq, {}, lambda s, n: (_G(s, 6 * n), np.arange(6 * n) % 2 == 0)),
    "odds_ratio": (odds_ratio, {}, lambda s, n: (_G(s, 6 * n), np.arange(6 * n) % 3 == 0)),
    "haplotypes_to_genotypes": (haplotypes_to_genotypes, {}, lambda s, n: (_spk(s, 2 * n, 5, p=0.4).astype(np.int8),)),
    "impute_mean": (impute_mean, {}, lambda s, n: (_G(s, 3 * n, missing=True),)),
    "impute_nan_mean": (impute_nan_mean, {}, lambda s, n: (np.where(_spk(s, 3 * n, 4, p=0.2), np.nan, _G(s, 3 * n, 4).astype(float)),)),
    "missing_rate_filter": (missing_rate_filter, {}, lambda s, n: (_G(s, 3 * n, missing=True),)),
    "maf_filter_mask": (maf_filter_mask, {}, lambda s, n: (_G(s, 3 * n),)),
    "tajimas_d_pieces": (tajimas_d_pieces, {}, lambda s, n: (_spk(s, 2 * n, 10, p=0.3).astype(np.int8),)),
    "site_frequency_spectrum": (site_frequency_spectrum, {}, lambda s, n: (_spk(s, 2 * n, 10, p=0.3).astype(np.int64),)),
    "folded_sfs": (folded_sfs, {}, lambda s, n: (_spk(s, 2 * n, 10, p=0.3).astype(np.int64),)),
    "kinship_king": (kinship_king, {}, lambda s, n: (_G(s, n, 10),)),
    "polygenic_score": (polygenic_score, {}, lambda s, n: (_G(s, 3 * n), _f(6, seed=s))),
    "polygenic_score_missing": (polygenic_score_missing, {}, lambda s, n: (_G(s, 3 * n, missing=True), _f(6, seed=s))),
    "eigenstrat_correction": (eigenstrat_correction, {}, lambda s, n: (_G(s, 5 * n).astype(float), _f(5 * n, seed=s))),
    "inbreeding_per_individual": (inbreeding_per_individual, {}, lambda s, n: (_G(s, 3 * n), np.random.default_rng(s).uniform(0.1, 0.9, 6))),
    "genotype_int8_sum": (genotype_int8_sum, {}, lambda s, n: (_G(s, 30 * n),)),
}

GENETICS_RNG = [
    (wright_fisher, lambda: ()),
    (wright_fisher_selection, lambda: ()),
    (wright_fisher_mutation, lambda: ()),
    (wright_fisher_multinomial, lambda: (np.array([10, 5, 3, 2]),)),
    (sample_without_replacement_hypergeom, lambda: (np.array([5, 20, 35]),)),
    (moran_step, lambda: (np.arange(10) % 2,)),
    (moran_counts, lambda: ()),
    (random_genotypes, lambda: (np.array([0.1, 0.5, 0.9]),)),
    (sample_haplotypes, lambda: (np.array([0.1, 0.5, 0.9, 0.3]),)),
    (mendelian_offspring, lambda: (_G(3, 5), _G(4, 5))),
    (linkage_recombination, lambda: (np.zeros(12, dtype=np.int8), np.ones(12, dtype=np.int8))),
]

BITS = {
    "xorshift32": (xorshift32, {}, lambda s, n: (_u(s, np.uint32, n),)),
    "xorshift32_python_ints": (xorshift32_python_ints, {}, lambda s, n: (_u(s, np.uint32, n),)),
    "xorshift64star": (xorshift64star, {}, lambda s, n: (_u(s, np.uint64, n),)),
    "splitmix64": (splitmix64, {}, lambda s, n: (_u(s, np.uint64, n),)),
    "splitmix64_python_shift": (splitmix64_python_shift, {}, lambda s, n: (_u(s, np.uint64, n),)),
    "splitmix_to_unit": (splitmix_to_unit, {}, lambda s, n: (np.arange(n, dtype=np.uint64) + s,)),
    "lcg_uint32": (lcg_uint32, {}, lambda s, n: (_u(s, np.uint32, n),)),
    "lcg_uint64_mod": (lcg_uint64_mod, {}, lambda s, n: (_u(s, np.uint64, n),)),
    "lcg_park_miller": (lcg_park_miller, {}, lambda s, n: (_i(2 ** 31 - 1, n, seed=s) + 1,)),
    "pcg32_output": (pcg32_output, {}, lambda s, n: (_u(s, np.uint64, n),)),
    "fnv1a_32": (fnv1a_32, {}, lambda s, n: (_img8(s, n, 7),)),
    "fnv1a_64": (fnv1a_64, {}, lambda s, n: (_img8(s, n, 7),)),
    "murmur3_fmix32": (murmur3_fmix32, {}, lambda s, n: (_u(s, np.uint32, n),)),
    "murmur3_fmix64": (murmur3_fmix64, {}, lambda s, n: (_u(s, np.uint64, n),)),
    "murmur3_32_blocks": (murmur3_32_blocks, {}, lambda s, n: (_u(s, np.uint32, n, 3),)),
    "hash_combine": (hash_combine, {}, lambda s, n: (_u(s, np.uint64, n), _u(s + 1, np.uint32, n))),
    "jenkins_one_at_a_time": (jenkins_one_at_a_time, {}, lambda s, n: (_img8(s, n, 6),)),
    "packbits_rows": (packbits_rows, {}, lambda s, n: (_spk(s, n, 13),)),
    "packbits_little": (packbits_little, {}, lambda s, n: (_spk(s, 3 * n),)),
    "unpackbits_bytes": (unpackbits_bytes, {}, lambda s, n: (_img8(s, n),)),
    "unpackbits_axis": (unpackbits_axis, {}, lambda s, n: (_img8(s, n, 2),)),
    "pack_unpack_roundtrip": (pack_unpack_roundtrip, {}, lambda s, n: (_spk(s, n, 11).astype(np.uint8),)),
    "popcount_table": (popcount_table, {}, lambda s, n: (_u(s, np.uint32, n),)),
    "popcount_swar": (popcount_swar, {}, lambda s, n: (_u(s, np.uint32, n),)),
    "popcount_swar64": (popcount_swar64, {}, lambda s, n: (_u(s, np.uint64, n),)),
    "popcount_unpack": (popcount_unpack, {}, lambda s, n: (_img8(s, n),)),
    "popcount_bitwise_count": (popcount_bitwise_count, {}, lambda s, n: (_i(70000, n, seed=s),)),
    "popcount_loop": (popcount_loop, {}, lambda s, n: (_i(65536, n, seed=s),)),
    "hamming_distance_packed": (hamming_distance_packed, {}, lambda s, n: (_img8(s, n, 4), _img8(s + 1, n, 4))),
    "gray_code": (gray_code, {}, lambda s, n: (_i(1024, n, seed=s),)),
    "gray_decode": (gray_decode, {}, lambda s, n: (_u(s, np.uint32, n),)),
    "gray_decode_loop": (gray_decode_loop, {}, lambda s, n: (_i(1024, n, seed=s),)),
    "bit_reverse_8": (bit_reverse_8, {}, lambda s, n: (_img8(s, n),)),
    "bit_reverse_indices": (bit_reverse_indices, {}, lambda s, n: ()),
    "bit_reverse_uint32": (bit_reverse_uint32, {}, lambda s, n: (_u(s, np.uint32, n),)),
    "crc32_table": (crc32_table, {}, lambda s, n: ()),
    "crc32_bytes": (crc32_bytes, {}, lambda s, n: (_img8(s, n, 5),)),
    "morton_encode_2d": (morton_encode_2d, {}, lambda s, n: (_i(65536, n, seed=s), _i(65536, n, seed=s + 1))),
    "morton_decode_2d": (morton_decode_2d, {}, lambda s, n: (_u(s, np.uint32, n),)),
    "morton_loop_3d": (morton_loop_3d, {}, lambda s, n: (_i(256, n, seed=s), _i(256, n, seed=s + 1), _i(256, n, seed=s + 2))),
    "morton_sort_points": (morton_sort_points, {}, lambda s, n: (np.random.default_rng(s).random((n, 2)),)),
    "bloom_filter_add": (bloom_filter_add, {}, lambda s, n: (_i(10 ** 6, n, seed=s),)),
    "bloom_filter_words": (bloom_filter_words, {}, lambda s, n: (_i(10 ** 6, n, seed=s),)),
    "bloom_query": (bloom_query, {}, lambda s, n: (bloom_filter_add(_i(10 ** 6, n, seed=s)), _i(10 ** 6, 2 * n, seed=s))),
    "bitboard_moves": (bitboard_moves, {}, lambda s, n: (_u(s, np.uint64, n),)),
    "bitboard_from_grid": (bitboard_from_grid, {}, lambda s, n: (_spk(s, 8, 8, p=0.3),)),
    "bitboard_to_grid": (bitboard_to_grid, {}, lambda s, n: (_u(s, np.uint64, n),)),
    "life_step_bits": (life_step_bits, {}, lambda s, n: (_spk(s, n + 2, 6, p=0.4),)),
    "bit_flags": (bit_flags, {}, lambda s, n: (_i(256, n, seed=s).astype(np.uint16),)),
    "set_clear_toggle": (set_clear_toggle, {}, lambda s, n: (_i(256, n, seed=s), _i(8, n, seed=s + 1))),
    "lowest_set_bit": (lowest_set_bit, {}, lambda s, n: (_i(4096, n, seed=s),)),
    "is_power_of_two": (is_power_of_two, {}, lambda s, n: (np.r_[_i(20, n, seed=s), 64, 0, -4],)),
    "next_power_of_two": (next_power_of_two, {}, lambda s, n: (_i(10 ** 6, n, seed=s) + 1,)),
    "ilog2_loop": (ilog2_loop, {}, lambda s, n: (_i(10 ** 12, n, seed=s) + 1,)),
    "rotl32": (rotl32, {}, lambda s, n: (_u(s, np.uint32, n),)),
    "uint8_overflow": (uint8_overflow, {}, lambda s, n: (_img8(s, n), _img8(s + 1, n))),
    "uint8_mixed_python": (uint8_mixed_python, {}, lambda s, n: (_img8(s, n),)),
    "int8_wraparound": (int8_wraparound, {}, lambda s, n: (_u(s, np.int8, n),)),
    "signed_unsigned_promotion": (signed_unsigned_promotion, {}, lambda s, n: (_img8(s, n), _u(s, np.int8, n))),
    "uint64_int64_promotion": (uint64_int64_promotion, {}, lambda s, n: (_i(2 ** 40, n, seed=s).astype(np.uint64), _i(2 ** 40, n, seed=s + 1) - 2 ** 39)),
    "uint32_python_scalars": (uint32_python_scalars, {}, lambda s, n: (_u(s, np.uint32, n),)),
    "int_shift_by_array": (int_shift_by_array, {}, lambda s, n: (_i(1000, n, seed=s), _i(20, n, seed=s + 1))),
    "negative_floor_div_mod": (negative_floor_div_mod, {}, lambda s, n: (_i(200, n, seed=s) - 100, np.r_[_i(9, n - 1, seed=s + 1) - 4, 3] + (_i(9, n, seed=s + 1) - 4 == 0))),
    "int_power": (int_power, {}, lambda s, n: (_i(300, n, seed=s) - 150,)),
    "invert_unsigned": (invert_unsigned, {}, lambda s, n: (_img8(s, n),)),
    "bytes_from_uint32": (bytes_from_uint32, {}, lambda s, n: (_u(s, np.uint32, n),)),
    "uint32_from_bytes": (uint32_from_bytes, {}, lambda s, n: (_img8(s, n, 4),)),
    "byteswap_manual": (byteswap_manual, {}, lambda s, n: (_u(s, np.uint32, n),)),
    "checksum_adler32": (checksum_adler32, {}, lambda s, n: (_img8(s, n, 9),)),
    "fletcher16": (fletcher16, {}, lambda s, n: (_img8(s, n, 9),)),
    "parity_fold": (parity_fold, {}, lambda s, n: (_u(s, np.uint32, n),)),
    "hash_subsample": (hash_subsample, {}, lambda s, n: (np.arange(4 * n, dtype=np.uint64) * np.uint64(s), 2 ** 63)),
    "signed_unsigned_compare": (signed_unsigned_compare, {}, lambda s, n: (_u(s, np.uint64, n), _u(s, np.int64, n))),
    "bucket_lookup": (bucket_lookup, {}, lambda s, n: (_u(s, np.uint64, n) % np.uint64(7), (_i(7, 5, seed=s) - 2))),
    "quantize_to_bits": (quantize_to_bits, {}, lambda s, n: (_f(3 * n, seed=s),)),
}

COLOUR = {
    "srgb_to_linear": (srgb_to_linear, {}, lambda s, n: (_rgb(s, n, 2),)),
    "srgb_to_linear_uint8": (srgb_to_linear, {}, lambda s, n: (_img8(s, n, 3),)),
    "linear_to_srgb": (linear_to_srgb, {}, lambda s, n: (1.2 * _rgb(s, n) - 0.1,)),
    "linear_to_srgb_uint8": (linear_to_srgb_uint8, {}, lambda s, n: (_rgb(s, n, 2),)),
    "srgb_masked": (srgb_masked, {}, lambda s, n: (_rgb(s, n, 2),)),
    "gamma_float32": (gamma_float32, {}, lambda s, n: (_rgb(s, n),)),
    "rgb_to_gray": (rgb_to_gray, {}, lambda s, n: (_rgb(s, n, 2),)),
    "rgb_to_gray_uint8": (rgb_to_gray_uint8, {}, lambda s, n: (_img8(s, n, 2, 3),)),
    "rgb_to_hsv": (rgb_to_hsv, {}, lambda s, n: (np.r_[_rgb(s, n), [[0.5, 0.5, 0.5], [0, 0, 0]]],)),
    "rgb_to_hsv_masks": (rgb_to_hsv_masks, {}, lambda s, n: (np.r_[_rgb(s, n), [[0.5, 0.5, 0.5], [0, 0, 0]]],)),
    "hsv_to_rgb": (hsv_to_rgb, {}, lambda s, n: (_rgb(s, n, 2),)),
    "hsv_to_rgb_choose": (hsv_to_rgb_choose, {}, lambda s, n: (_rgb(s, n, 2),)),
    "rgb_to_hsl": (rgb_to_hsl, {}, lambda s, n: (_rgb(s, n),)),
    "hsl_to_rgb": (hsl_to_rgb, {}, lambda s, n: tuple(np.random.default_rng(s).random((3, n)))),
    "rgb_to_ycbcr": (rgb_to_ycbcr, {}, lambda s, n: (_img8(s, n, 2, 3),)),
    "ycbcr_to_rgb": (ycbcr_to_rgb, {}, lambda s, n: (_img8(s, n, 2, 3),)),
    "rgb_to_xyz": (rgb_to_xyz, {}, lambda s, n: (_rgb(s, n, 2),)),
    "xyz_to_lab": (xyz_to_lab, {}, lambda s, n: (_rgb(s, n) * np.r_[0.0001, 1, 1],)),
    "lab_to_xyz": (lab_to_xyz, {}, lambda s, n: (_rgb(s, n) * [100, 50, 50] - [0, 25, 25],)),
    "delta_e_76": (delta_e_76, {}, lambda s, n: (_rgb(s, n) * 100, _rgb(s + 1, n) * 100)),
    "delta_e_94": (delta_e_94, {}, lambda s, n: (_rgb(s, n) * 100, _rgb(s + 1, n) * 100)),
    "lab_to_lch": (lab_to_lch, {}, lambda s, n: (_rgb(s, n) * 100 - 50,)),
    "white_balance_gray_world": (white_balance_gray_world, {}, lambda s, n: (_img8(s, n, 3, 3),)),
    "white_balance_percentile": (white_balance_percentile, {}, lambda s, n: (_img8(s, n, 3, 3),)),
    "white_patch": (white_patch, {}, lambda s, n: (_img8(s, n, 3, 3),)),
    "von_kries": (von_kries, {}, lambda s, n: (_rgb(s, n), np.array([0.95, 1.0, 1.09]), np.array([1.1, 1.0, 0.35]))),
    "reinhard_tonemap": (reinhard_tonemap, {}, lambda s, n: (5 * _rgb(s, n, 2),)),
    "reinhard_extended": (reinhard_extended, {}, lambda s, n: (5 * _rgb(s, n),)),
    "aces_filmic": (aces_filmic, {}, lambda s, n: (5 * _rgb(s, n).astype(np.float32),)),
    "exposure_uint8": (exposure_uint8, {}, lambda s, n: (5 * _rgb(s, n),)),
    "alpha_over": (alpha_over, {}, lambda s, n: (np.random.default_rng(s).random((n, 4)), np.random.default_rng(s + 1).random((n, 4)) * np.r_[1, 1, 1, float(s % 2)])),
    "alpha_blend_uint8": (alpha_blend_uint8, {}, lambda s, n: (_img8(s, n, 2, 3), _img8(s + 1, n, 2, 3), _img8(s + 2, n, 2))),
    "alpha_blend_integer": (alpha_blend_integer, {}, lambda s, n: (_img8(s, n, 2, 3), _img8(s + 1, n, 2, 3), _img8(s + 2, n, 2))),
    "premultiply": (premultiply, {}, lambda s, n: (np.random.default_rng(s).random((n, 4)).astype(np.float32),)),
    "blend_modes": (blend_modes, {}, lambda s, n: (_rgb(s, n), _rgb(s + 1, n))),
    "brightness_contrast_uint8": (brightness_contrast_uint8, {}, lambda s, n: (_img8(s, n, 3),)),
    "uint8_add_saturate": (uint8_add_saturate, {}, lambda s, n: (_img8(s, n, 3), -40)),
    "uint8_wrap_add": (uint8_wrap_add, {}, lambda s, n: (_img8(s, n, 3),)),
    "invert_image": (invert_image, {}, lambda s, n: (_img8(s, n, 3),)),
    "posterize": (posterize, {}, lambda s, n: (_img8(s, n, 3),)),
    "quantize_colors": (quantize_colors, {}, lambda s, n: (_img8(s, n, 2, 3), np.array([[0, 0, 0], [255, 0, 0], [0, 255, 0], [255, 255, 255]], dtype=np.uint8))),
    "float_to_uint8_variants": (float_to_uint8_variants, {}, lambda s, n: (_rgb(s, n),)),
    "uint8_to_float_mean": (uint8_to_float_mean, {}, lambda s, n: (_img8(s, n, 2, 3),)),
    "histogram_equalize_uint8": (histogram_equalize_uint8, {}, lambda s, n: (_img8(s, n, 5),)),
    "vignette": (vignette, {}, lambda s, n: (_rgb(s, n, 5),)),
    "chroma_key": (chroma_key, {}, lambda s, n: (_rgb(s, n, 2),)),
    "ray_sphere": (ray_sphere, {}, lambda s, n: (np.zeros((n, 3)), _unit(s, n), np.array([0.0, 0.0, 3.0]), 2.5)),
    "ray_sphere_quadratic": (ray_sphere_quadratic, {}, lambda s, n: (np.zeros((n, 3)), _unit(s, n), np.array([0.0, 0.0, 3.0]), 2.5)),
    "ray_spheres_nearest": (ray_spheres_nearest, {}, lambda s, n: (np.zeros((n, 3)), _unit(s, n), 3 * _f(4, 3, seed=s), np.array([1.0, 1.5, 2.0, 0.5]))),
    "ray_plane": (ray_plane, {}, lambda s, n: (_f(n, 3, seed=s), _unit(s + 1, n), np.array([0.0, 0.0, 5.0]), np.array([0.0, 0.0, 1.0]))),
    "ray_triangle_moller": (ray_triangle_moller, {}, lambda s, n: (np.zeros((n, 3)) + [0.2, 0.2, -1], _unit(s, n) * [0.3, 0.3, 1] + [0, 0, 1], np.array([0.0, 0, 0]), np.array([1.0, 0, 0]), np.array([0.0, 1, 0]))),
    "barycentric": (barycentric, {}, lambda s, n: (np.random.default_rng(s).random((n, 2)), np.array([0.0, 0]), np.array([1.0, 0]), np.array([0.0, 1]))),
    "barycentric_solve": (barycentric_solve, {}, lambda s, n: (np.array([[0.0, 0], [1, 0], [0, 1]]), np.random.default_rng(s).random((n, 2)))),
    "rasterize_triangle": (rasterize_triangle, {}, lambda s, n: (np.array([[1.0, 1], [7, 2], [3, 6.5]]) + 0.1 * s,)),
    "phong_shading": (phong_shading, {}, lambda s, n: (_f(n, 2, 3, seed=s), np.array([1.0, 1, 1]), np.array([0.0, 0, 1]))),
    "blinn_phong": (blinn_phong, {}, lambda s, n: (_f(n, 3, seed=s), np.array([0.0, 0.6, 0.8]), np.array([0.0, 0, 1]))),
    "lambert_sphere_image": (lambert_sphere_image, {}, lambda s, n: (_unit(s, 1)[0],)),
    "homogeneous_project": (homogeneous_project, {}, lambda s, n: (_f(n, 3, seed=s) - [0, 0, 5],)),
    "look_at_transform": (look_at_transform, {}, lambda s, n: (_f(n, 3, seed=s), np.array([0.0, 1, 5]), _f(3, seed=s))),
    "viewport_pixels": (viewport_pixels, {}, lambda s, n: (1.3 * _f(n, 3, seed=s),)),
    "rotation_matrices": (rotation_matrices, {}, lambda s, n: (_f(n, seed=s),)),
    "transform_points_batch": (transform_points_batch, {}, lambda s, n: (_f(n, 3, 3, seed=s), _f(n, 3, seed=s + 1))),
    "reflect_refract": (reflect_refract, {}, lambda s, n: (_unit(s, n), _unit(s + 1, n))),
    "schlick_fresnel": (schlick_fresnel, {}, lambda s, n: (np.random.default_rng(s).random(n),)),
    "z_buffer": (z_buffer, {}, lambda s, n: (_i(6, 4 * n, seed=s), _i(6, 4 * n, seed=s + 1), _f(4 * n, positive=True, seed=s))),
    "bilinear_sample": (bilinear_sample, {}, lambda s, n: (_f(6, 7, seed=s), 5.5 * np.random.default_rng(s).random(n), 4.5 * np.random.default_rng(s + 1).random(n))),
    "color_temperature_rgb": (color_temperature_rgb, {}, lambda s, n: (np.linspace(1000, 12000, n),)),
    "dither_ordered": (dither_ordered, {}, lambda s, n: (np.random.default_rng(s).random((n, 6)),)),
    "floyd_steinberg": (floyd_steinberg, {}, lambda s, n: (np.random.default_rng(s).random((n, 4)),)),
    "rgb565_pack": (rgb565_pack, {}, lambda s, n: (_img8(s, n, 3),)),
    "rgb565_unpack": (rgb565_unpack, {}, lambda s, n: (_i(65536, n, seed=s).astype(np.uint16),)),
    "rgba_to_uint32": (rgba_to_uint32, {}, lambda s, n: (_img8(s, n, 4),)),
}


@pytest.mark.parametrize("name", list(NEURO))
def test_computational_neuroscience_matches_numpy(name):
    check_like_numpy(*NEURO[name])


@pytest.mark.parametrize("name", list(GENETICS))
def test_population_genetics_matches_numpy(name):
    check_like_numpy(*GENETICS[name])


@pytest.mark.parametrize("name", list(BITS))
def test_integer_and_bit_level_code_matches_numpy(name):
    check_like_numpy(*BITS[name])


@pytest.mark.parametrize("name", list(COLOUR))
def test_colour_science_and_graphics_match_numpy(name):
    check_like_numpy(*COLOUR[name])


RNG = NEURO_RNG + GENETICS_RNG


@pytest.mark.parametrize("fn, args", RNG, ids=[f.__name__ for f, _ in RNG])
def test_simulations_with_a_generator_argument(fn, args):
    """Poisson spike trains, Izhikevich networks, Wright-Fisher and Moran drift and genotype
    sampling draw from the generator they are given: NumPy's draws and values over three calls,
    and the generator left in NumPy's state."""
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn)
    for _ in range(3):
        want_args, got_args = copy.deepcopy(args()), copy.deepcopy(args())
        assert_same(jf(got_rng, *got_args), fn(want_rng, *want_args), rtol=1e-6)
        for g, w in zip(got_args, want_args):
            assert_same(g, w)
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


REFUSED = {
    "spike_triggered_average": (tracenp.errors.ConcretizationError, spike_triggered_average,
                                lambda s: (_f(30, seed=s), _spk(s, 30))),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_run_under_fallback(name):
    """`if spikes[t]:` over a traced spike train (a Python branch on the data)
    raises its named error, and runs eagerly under `fallback=True`."""
    check_refused(*REFUSED[name])
