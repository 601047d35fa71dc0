"""Corpus, domains: reinforcement learning and control, audio and speech DSP, computer graphics
and geometry, optimizers and training loops, bioinformatics and text retrieval, time series and
econometrics, written the way public NumPy code in those fields writes them (Python loops over
time steps and frames, in-place updates of arrays and of dicts and lists of parameters, `out=`,
fancy-index assignment, seeded generators made inside the function, float32, int16 and integer
inputs, Python scalars).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype;
arguments it writes in place (arrays, and arrays inside dicts and lists) must hold NumPy's values
afterwards. Forms that cannot be traced raise a named error and run eagerly under
`fallback=True`; gradients of such losses are checked against hand-written ones and finite
differences.
"""

from __future__ import annotations


import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_grad_losses import check_loss
from test_ops import assert_same

# ------------------------------------------- reinforcement learning and control


# ---------------- RL / control


def value_iteration_grid(R, gamma=0.9, iters=20):
    H, W = R.shape
    V = np.zeros((H, W))
    for _ in range(iters):
        padded = np.pad(V, 1, mode="edge")
        up = padded[:-2, 1:-1]
        down = padded[2:, 1:-1]
        left = padded[1:-1, :-2]
        right = padded[1:-1, 2:]
        Q = np.stack([up, down, left, right])
        V = R + gamma * Q.max(axis=0)
    policy = np.argmax(np.stack([np.pad(V, 1, mode="edge")[:-2, 1:-1],
                                 np.pad(V, 1, mode="edge")[2:, 1:-1]]), axis=0)
    return V, policy


def policy_evaluation_matrix(P, R, gamma=0.95):
    n = P.shape[0]
    P = P / P.sum(axis=1, keepdims=True)
    return np.linalg.solve(np.eye(n) - gamma * P, R)


def policy_evaluation_iterative(P, R, policy, gamma=0.9, iters=30):
    nS, nA, _ = P.shape
    P = P / P.sum(axis=2, keepdims=True)
    V = np.zeros(nS)
    for _ in range(iters):
        V_new = np.zeros(nS)
        for s in range(nS):
            a = policy[s]
            V_new[s] = R[s, a] + gamma * P[s, a] @ V
        V = V_new
    return V


def q_learning_updates(Q, states, actions, rewards, next_states, alpha=0.1, gamma=0.99):
    for t in range(len(states)):
        s, a, r, s2 = states[t], actions[t], rewards[t], next_states[t]
        td = r + gamma * np.max(Q[s2]) - Q[s, a]
        Q[s, a] += alpha * td
    return Q


def q_batch_fancy(Q, s, a, r, s2, done, alpha=0.5, gamma=0.9):
    target = r + gamma * Q[s2].max(axis=1) * (1 - done)
    Q[s, a] = Q[s, a] + alpha * (target - Q[s, a])
    return Q


def discounted_returns_loop(rewards, gamma=0.99):
    G = np.zeros_like(rewards)
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        G[t] = running
    return G


def discounted_returns_dones(rewards, dones, gamma=0.9):
    out = np.zeros(len(rewards), dtype=np.float32)
    running = 0
    for t in range(len(rewards) - 1, -1, -1):
        running = rewards[t] + gamma * running * (1.0 - dones[t])
        out[t] = running
    return out


def discounted_cumsum_matrix(x, gamma=0.95):
    n = len(x)
    powers = gamma ** np.arange(n)
    M = np.triu(powers[None, :] / powers[:, None])
    return M @ x


def discount_with_cumsum_trick(r, gamma=0.9):
    n = r.shape[0]
    g = gamma ** np.arange(n)
    return np.cumsum((r * g)[::-1])[::-1] / g


def gae_advantages(rewards, values, dones, gamma=0.99, lam=0.95):
    T = len(rewards)
    adv = np.zeros(T)
    lastgaelam = 0
    for t in reversed(range(T)):
        nextnonterminal = 1.0 - dones[t]
        delta = rewards[t] + gamma * values[t + 1] * nextnonterminal - values[t]
        adv[t] = lastgaelam = delta + gamma * lam * nextnonterminal * lastgaelam
    returns = adv + values[:-1]
    return adv, returns, (adv - adv.mean()) / (adv.std() + 1e-8)


def epsilon_greedy_actions(Q, eps=0.2):
    rng = np.random.default_rng(0)
    n, k = Q.shape
    greedy = np.argmax(Q, axis=1)
    explore = rng.random(n) < eps
    random_a = rng.integers(0, k, size=n)
    return np.where(explore, random_a, greedy)


def softmax_policy_sample(logits, temperature=0.5):
    rng = np.random.default_rng(42)
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    u = rng.random((logits.shape[0], 1))
    return (p.cumsum(axis=1) < u).sum(axis=1), p


def lqr_riccati(A, B, Q, R, iters=30):
    P = Q.copy()
    for _ in range(iters):
        BtP = B.T @ P
        K = np.linalg.solve(R + BtP @ B, BtP @ A)
        P = Q + A.T @ P @ A - A.T @ P @ B @ K
    return K, P


def lqr_rollout(A, B, K, x0, steps=10):
    xs = np.zeros((steps + 1, x0.shape[0]))
    us = np.zeros((steps, K.shape[0]))
    xs[0] = x0
    for t in range(steps):
        us[t] = -K @ xs[t]
        xs[t + 1] = A @ xs[t] + B @ us[t]
    cost = np.sum(xs ** 2) + 0.1 * np.sum(us ** 2)
    return xs, us, cost


def pid_loop(setpoints, kp=1.2, ki=0.3, kd=0.05, dt=0.1):
    y = 0.0
    integral = 0.0
    prev_err = 0.0
    ys = np.empty_like(setpoints)
    for i, sp in enumerate(setpoints):
        err = sp - y
        integral += err * dt
        deriv = (err - prev_err) / dt
        u = kp * err + ki * integral + kd * deriv
        u = np.clip(u, -5.0, 5.0)
        y = y + dt * (-y + u)
        prev_err = err
        ys[i] = y
    return ys


def td_lambda_traces(features, rewards, w, alpha=0.05, gamma=0.9, lam=0.8):
    z = np.zeros_like(w)
    for t in range(features.shape[0] - 1):
        x, x2 = features[t], features[t + 1]
        delta = rewards[t] + gamma * w @ x2 - w @ x
        z = gamma * lam * z + x
        w = w + alpha * delta * z
    return w


def bellman_q_tabular(P, R, gamma=0.9, iters=25):
    nS, nA = R.shape
    P = P / P.sum(axis=-1, keepdims=True)
    Q = np.zeros((nS, nA))
    for _ in range(iters):
        V = Q.max(axis=1)
        Q = R + gamma * np.einsum("sat,t->sa", P, V)
    return Q, Q.argmax(axis=1)


def ucb_scores(counts, values, t):
    bonus = np.sqrt(2 * np.log(t) / np.maximum(counts, 1))
    scores = values + bonus
    scores[counts == 0] = np.inf
    return np.argmax(scores), scores


def cartpole_step(state, force, dt=0.02):
    x, x_dot, theta, theta_dot = state
    g, mc, mp, l = 9.8, 1.0, 0.1, 0.5
    total = mc + mp
    costh, sinth = np.cos(theta), np.sin(theta)
    temp = (force + mp * l * theta_dot ** 2 * sinth) / total
    thetaacc = (g * sinth - costh * temp) / (l * (4.0 / 3.0 - mp * costh ** 2 / total))
    xacc = temp - mp * l * thetaacc * costh / total
    return np.array([x + dt * x_dot, x_dot + dt * xacc, theta + dt * theta_dot,
                     theta_dot + dt * thetaacc])


def n_step_returns(rewards, values, n=3, gamma=0.9):
    T = len(rewards)
    out = np.zeros(T)
    for t in range(T):
        G = 0.0
        for k in range(n):
            if t + k < T:
                G += gamma ** k * rewards[t + k]
        if t + n < T:
            G += gamma ** n * values[t + n]
        out[t] = G
    return out


def replay_sample_batch(obs, actions, rewards, batch=4):
    rng = np.random.default_rng(7)
    idx = rng.integers(0, len(obs), size=batch)
    return obs[idx], actions[idx], rewards[idx]


def kalman_1d_track(z, q=1e-3, r=0.1):
    x, p = 0.0, 1.0
    est = np.zeros(len(z))
    for k in range(len(z)):
        p = p + q
        K = p / (p + r)
        x = x + K * (z[k] - x)
        p = (1 - K) * p
        est[k] = x
    return est


def q_learning_random_mdp(P, R, episodes=3, steps=4, alpha=0.5, gamma=0.9, eps=0.3):
    rng = np.random.default_rng(0)
    nS, nA = R.shape
    Q = np.zeros((nS, nA))
    returns = np.zeros(episodes)
    for ep in range(episodes):
        s = 0
        for t in range(steps):
            if rng.random() < eps:
                a = rng.integers(nA)
            else:
                a = np.argmax(Q[s])
            p = P[s, a] / P[s, a].sum()
            s2 = rng.choice(nS, p=p)
            r = R[s, a]
            Q[s, a] += alpha * (r + gamma * Q[s2].max() - Q[s, a])
            returns[ep] += gamma ** t * r
            s = s2
    return Q, returns


def sarsa_lambda_traces(Q, states, actions, rewards, alpha=0.1, gamma=0.9, lam=0.8):
    E = np.zeros_like(Q)
    for t in range(len(rewards) - 1):
        s, a, s2, a2 = states[t], actions[t], states[t + 1], actions[t + 1]
        delta = rewards[t] + gamma * Q[s2, a2] - Q[s, a]
        E[s, a] += 1
        Q += alpha * delta * E
        E *= gamma * lam
    return Q


# ------------------------------------------------------------- audio and speech


def frame_signal_stride_indices(signal, frame_len=8, frame_step=4):
    signal_length = len(signal)
    num_frames = int(np.ceil(float(np.abs(signal_length - frame_len)) / frame_step))
    pad_signal_length = num_frames * frame_step + frame_len
    z = np.zeros((pad_signal_length - signal_length))
    pad_signal = np.append(signal, z)
    indices = np.tile(np.arange(0, frame_len), (num_frames, 1)) + \
        np.tile(np.arange(0, num_frames * frame_step, frame_step), (frame_len, 1)).T
    frames = pad_signal[indices.astype(np.int32, copy=False)]
    frames *= np.hamming(frame_len)
    return frames


def hz_to_mel(hz):
    return 2595 * np.log10(1 + hz / 700.0)


def mel_filterbank_power(frames, sample_rate=8000, nfft=16, nfilt=5):
    mag = np.absolute(np.fft.rfft(frames, nfft))
    pow_frames = (1.0 / nfft) * (mag ** 2)
    low_mel = 0
    high_mel = hz_to_mel(sample_rate / 2)
    mel_points = np.linspace(low_mel, high_mel, nfilt + 2)
    hz_points = 700 * (10 ** (mel_points / 2595) - 1)
    bins = np.floor((nfft + 1) * hz_points / sample_rate)
    fbank = np.zeros((nfilt, int(np.floor(nfft / 2 + 1))))
    for m in range(1, nfilt + 1):
        f_m_minus = int(bins[m - 1])
        f_m = int(bins[m])
        f_m_plus = int(bins[m + 1])
        for k in range(f_m_minus, f_m):
            fbank[m - 1, k] = (k - bins[m - 1]) / (bins[m] - bins[m - 1])
        for k in range(f_m, f_m_plus):
            fbank[m - 1, k] = (bins[m + 1] - k) / (bins[m + 1] - bins[m])
    filter_banks = np.dot(pow_frames, fbank.T)
    filter_banks = np.where(filter_banks == 0, np.finfo(float).eps, filter_banks)
    return 20 * np.log10(filter_banks)


def dct_matrix_mfcc(log_mel, n_mfcc=4):
    n = log_mel.shape[-1]
    k = np.arange(n_mfcc)[:, None]
    i = np.arange(n)[None, :]
    D = np.cos(np.pi / n * (i + 0.5) * k)
    D[0] *= 1 / np.sqrt(2)
    D *= np.sqrt(2.0 / n)
    mfcc = log_mel @ D.T
    mfcc -= np.mean(mfcc, axis=0) + 1e-8
    return mfcc


def lifter_ceps(cep, L=6):
    nframes, ncoeff = cep.shape
    n = np.arange(ncoeff)
    lift = 1 + (L / 2) * np.sin(np.pi * n / L)
    return cep * lift


def delta_features(feat, N=2):
    num_frames = len(feat)
    denominator = 2 * sum([i ** 2 for i in range(1, N + 1)])
    delta_feat = np.empty_like(feat)
    padded = np.pad(feat, ((N, N), (0, 0)), mode="edge")
    for t in range(num_frames):
        delta_feat[t] = np.dot(np.arange(-N, N + 1), padded[t: t + 2 * N + 1]) / denominator
    return delta_feat


def int16_to_float_rms_db(pcm):
    x = pcm.astype(np.float32) / 32768.0
    frames = sliding_window_view(x, 4)[::2]
    rms = np.sqrt(np.mean(frames ** 2, axis=-1))
    return 20 * np.log10(np.maximum(rms, 1e-5)), x.dtype


def stft_librosa_style(y, n_fft=8, hop_length=2):
    window = np.hanning(n_fft + 1)[:-1]
    y = np.pad(y, int(n_fft // 2), mode="reflect")
    n_frames = 1 + (len(y) - n_fft) // hop_length
    frames = np.stack([y[i * hop_length: i * hop_length + n_fft] for i in range(n_frames)], axis=1)
    return np.fft.rfft(window[:, None] * frames, axis=0)


def istft_overlap_add(S, n_fft=8, hop=2):
    window = np.hanning(n_fft)
    n_frames = S.shape[1]
    length = n_fft + hop * (n_frames - 1)
    y = np.zeros(length)
    wsum = np.zeros(length)
    for t in range(n_frames):
        frame = np.fft.irfft(S[:, t], n=n_fft)
        y[t * hop: t * hop + n_fft] += frame * window
        wsum[t * hop: t * hop + n_fft] += window ** 2
    nz = wsum > 1e-10
    y[nz] /= wsum[nz]
    return y


def spectral_features(x, sr=16000, n_fft=8):
    frames = sliding_window_view(x, n_fft)[::n_fft // 2] * np.blackman(n_fft)
    S = np.abs(np.fft.rfft(frames, axis=1))
    freqs = np.fft.rfftfreq(n_fft, d=1.0 / sr)
    centroid = np.sum(freqs * S, axis=1) / (np.sum(S, axis=1) + 1e-10)
    flatness = np.exp(np.mean(np.log(S + 1e-10), axis=1)) / (np.mean(S, axis=1) + 1e-10)
    cumulative = np.cumsum(S, axis=1)
    rolloff_idx = np.argmax(cumulative >= 0.85 * cumulative[:, -1:], axis=1)
    return centroid, flatness, freqs[rolloff_idx]


def kaiser_fir_design(x, numtaps=9, cutoff=0.25, beta=6.0):
    n = np.arange(numtaps) - (numtaps - 1) / 2.0
    h = cutoff * np.sinc(cutoff * n)
    h *= np.kaiser(numtaps, beta)
    h /= h.sum()
    return np.convolve(x, h, mode="full")[:len(x)]


def fir_direct_loop(x, b):
    y = np.zeros_like(x)
    for n in range(len(x)):
        for k in range(len(b)):
            if n - k >= 0:
                y[n] += b[k] * x[n - k]
    return y


def biquad_df1(x, b0=0.2, b1=0.4, b2=0.2, a1=-0.3, a2=0.1):
    y = np.zeros(len(x))
    x1 = x2 = y1 = y2 = 0.0
    for n in range(len(x)):
        y[n] = b0 * x[n] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2, x1 = x1, x[n]
        y2, y1 = y1, y[n]
    return y


def zcr_frames(x, frame=4, hop=2):
    frames = sliding_window_view(x, frame)[::hop]
    signs = np.sign(frames)
    signs[signs == 0] = -1
    return np.mean(np.abs(np.diff(signs, axis=1)), axis=1) / 2


def zcr_signbit(x):
    return np.count_nonzero(np.diff(np.signbit(x).astype(np.int8))) / len(x)


def mu_law_encode(x, mu=255):
    x = np.clip(x, -1.0, 1.0)
    y = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    return ((y + 1) / 2 * mu + 0.5).astype(np.int32)


def mu_law_decode(q, mu=255):
    y = 2 * (q.astype(np.float32) / mu) - 1
    return np.sign(y) * (1.0 / mu) * ((1 + mu) ** np.abs(y) - 1)


def resample_linear(x, sr_in=8, sr_out=12):
    duration = len(x) / sr_in
    t_in = np.arange(len(x)) / sr_in
    n_out = int(np.round(duration * sr_out))
    t_out = np.arange(n_out) / sr_out
    return np.interp(t_out, t_in, x).astype(x.dtype)


def echo_effect(x, delay=3, decay=0.5):
    y = x.copy()
    y[delay:] += decay * x[:-delay]
    return y / np.max(np.abs(y))


def compressor(x, threshold_db=-6.0, ratio=4.0):
    db = 20 * np.log10(np.abs(x) + 1e-9)
    over = db - threshold_db
    gain_db = np.where(over > 0, -over * (1 - 1 / ratio), 0.0)
    return x * 10 ** (gain_db / 20)


def goertzel_power(x, k=2):
    N = len(x)
    w = 2 * np.pi * k / N
    coeff = 2 * np.cos(w)
    s_prev = 0.0
    s_prev2 = 0.0
    for n in range(N):
        s = x[n] + coeff * s_prev - s_prev2
        s_prev2 = s_prev
        s_prev = s
    return s_prev2 ** 2 + s_prev ** 2 - coeff * s_prev * s_prev2


def autocorr_pitch(x, sr=100, fmin=5, fmax=40):
    x = x - np.mean(x)
    corr = np.correlate(x, x, mode="full")[len(x) - 1:]
    lo, hi = sr // fmax, sr // fmin
    lag = lo + np.argmax(corr[lo:hi])
    return sr / lag, corr[lag] / corr[0]


def preemphasis_inplace(signal, coeff=0.97):
    emphasized = np.empty_like(signal)
    emphasized[0] = signal[0]
    emphasized[1:] = signal[1:] - coeff * signal[:-1]
    return emphasized


def deemphasis_loop(y, coeff=0.97):
    x = np.zeros_like(y)
    x[0] = y[0]
    for n in range(1, len(y)):
        x[n] = y[n] + coeff * x[n - 1]
    return x


def tpdf_dither_quantize(x, bits=8):
    rng = np.random.default_rng(1)
    q = 2.0 ** (1 - bits)
    noise = (rng.random(x.shape) - rng.random(x.shape)) * q
    return np.round((x + noise) / q) * q


def log_power_spectrogram_float32(x, n_fft=8):
    x = x.astype(np.float32)
    win = np.hamming(n_fft).astype(np.float32)
    frames = sliding_window_view(x, n_fft)[:: n_fft // 2]
    spec = np.fft.rfft(frames * win, axis=-1)
    power = np.abs(spec) ** 2
    return 10.0 * np.log10(np.maximum(power, 1e-10)), power.dtype


def energy_vad(x, frame=4, threshold_db=-20.0):
    n = len(x) // frame
    frames = x[: n * frame].reshape(n, frame)
    energy = 10 * np.log10(np.sum(frames ** 2, axis=1) / frame + 1e-12)
    active = energy > (energy.max() + threshold_db)
    return np.repeat(active, frame), active.mean()


def chroma_fold(S, n_chroma=4):
    n_bins = S.shape[0]
    chroma = np.zeros((n_chroma, S.shape[1]))
    for b in range(1, n_bins):
        chroma[b % n_chroma] += S[b]
    chroma /= np.maximum(chroma.max(axis=0, keepdims=True), 1e-10)
    return chroma


def overlap_save_fir(x, h, block=8):
    M = len(h)
    L = block - M + 1
    H = np.fft.rfft(h, block)
    xp = np.concatenate([np.zeros(M - 1), x, np.zeros(L)])
    nblocks = (len(x) + L - 1) // L
    y = np.zeros(nblocks * L)
    for b in range(nblocks):
        seg = xp[b * L: b * L + block]
        yb = np.fft.irfft(np.fft.rfft(seg) * H, block)
        y[b * L:(b + 1) * L] = yb[M - 1:]
    return y[:len(x)]


def phase_vocoder_stretch(S, rate=1.5, hop=2, n_fft=8):
    omega = 2 * np.pi * hop * np.arange(S.shape[0]) / n_fft
    phase = np.angle(S[:, 0])
    out = np.zeros((S.shape[0], S.shape[1] - 1), dtype=S.dtype)
    t = 0.0
    for i in range(S.shape[1] - 1):
        k = int(t)
        frac = t - k
        mag = (1 - frac) * np.abs(S[:, k]) + frac * np.abs(S[:, k + 1])
        out[:, i] = mag * np.exp(1j * phase)
        dphi = np.angle(S[:, k + 1]) - np.angle(S[:, k]) - omega
        dphi -= 2 * np.pi * np.round(dphi / (2 * np.pi))
        phase += omega + dphi
        t = min(t + rate, S.shape[1] - 2)
    return out


def parallel_filters_response(b1, a1, b2, a2, n=8):
    """Two IIR sections in parallel: H = B1/A1 + B2/A2, evaluated on the unit circle."""
    b = np.polyadd(np.convolve(b1, a2), np.convolve(b2, a1))
    a = np.convolve(a1, a2)
    z = np.exp(1j * np.linspace(0, np.pi, n))
    h = np.polyval(b, z) / np.polyval(a, z)
    return b, np.polysub(a, b), 20 * np.log10(np.abs(h) + 1e-12)


# -------------------------------------------------------- graphics and geometry


def ray_sphere_batch(origins, dirs, center, radius):
    d = dirs / np.linalg.norm(dirs, axis=-1, keepdims=True)
    oc = origins - center
    b = np.einsum("ij,ij->i", oc, d)
    c = np.einsum("ij,ij->i", oc, oc) - radius * radius
    disc = b * b - c
    hit = disc >= 0
    sq = np.sqrt(np.maximum(disc, 0))
    t0 = -b - sq
    t1 = -b + sq
    t = np.where(t0 > 1e-6, t0, t1)
    t = np.where(hit & (t > 1e-6), t, np.inf)
    points = origins + t[:, None] * d
    return t, hit, np.where(np.isfinite(t)[:, None], points, 0.0)


def moller_trumbore(orig, dirs, v0, v1, v2, eps=1e-9):
    e1 = v1 - v0
    e2 = v2 - v0
    pvec = np.cross(dirs, e2)
    det = pvec @ e1
    inv_det = 1.0 / np.where(np.abs(det) < eps, np.nan, det)
    tvec = orig - v0
    u = np.sum(tvec * pvec, axis=1) * inv_det
    qvec = np.cross(tvec, e1)
    v = np.sum(dirs * qvec, axis=1) * inv_det
    t = qvec @ e2 * inv_det
    mask = (u >= 0) & (v >= 0) & (u + v <= 1) & (t > eps)
    return np.where(mask, t, -1.0), mask


def barycentric_coords(p, a, b, c):
    v0 = b - a
    v1 = c - a
    v2 = p - a
    d00 = np.dot(v0, v0)
    d01 = np.dot(v0, v1)
    d11 = np.dot(v1, v1)
    d20 = v2 @ v0
    d21 = v2 @ v1
    denom = d00 * d11 - d01 * d01
    v = (d11 * d20 - d01 * d21) / denom
    w = (d00 * d21 - d01 * d20) / denom
    u = 1.0 - v - w
    return np.stack([u, v, w], axis=-1)


def quat_multiply(q1, q2):
    w1, x1, y1, z1 = q1[..., 0], q1[..., 1], q1[..., 2], q1[..., 3]
    w2, x2, y2, z2 = np.moveaxis(q2, -1, 0)
    return np.stack([
        w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
        w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
        w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
        w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2], axis=-1)


def quat_rotate_vectors(q, v):
    q = q / np.linalg.norm(q)
    w, xyz = q[0], q[1:]
    t = 2.0 * np.cross(xyz, v)
    return v + w * t + np.cross(xyz, t)


def quat_to_matrix(q):
    q = q / np.sqrt(np.sum(q ** 2))
    w, x, y, z = q
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def quat_slerp(q0, q1, ts):
    q0 = q0 / np.linalg.norm(q0)
    q1 = q1 / np.linalg.norm(q1)
    dot = np.dot(q0, q1)
    q1 = np.where(dot < 0.0, -q1, q1)
    dot = np.abs(dot)
    dot = np.clip(dot, -1.0, 1.0)
    theta_0 = np.arccos(dot)
    theta = theta_0 * ts
    sin_theta_0 = np.sin(theta_0)
    s0 = np.cos(theta) - dot * np.sin(theta) / sin_theta_0
    s1 = np.sin(theta) / sin_theta_0
    return s0[:, None] * q0[None, :] + s1[:, None] * q1[None, :]


def look_at(eye, target, up):
    f = target - eye
    f = f / np.linalg.norm(f)
    s = np.cross(f, up)
    s /= np.linalg.norm(s)
    u = np.cross(s, f)
    M = np.eye(4, dtype=eye.dtype)
    M[0, :3] = s
    M[1, :3] = u
    M[2, :3] = -f
    M[:3, 3] = -M[:3, :3] @ eye
    return M


def perspective_project(points, fovy=60.0, aspect=1.5, near=0.1, far=100.0):
    f = 1.0 / np.tan(np.radians(fovy) / 2)
    P = np.zeros((4, 4), dtype=np.float32)
    P[0, 0] = f / aspect
    P[1, 1] = f
    P[2, 2] = (far + near) / (near - far)
    P[2, 3] = 2 * far * near / (near - far)
    P[3, 2] = -1.0
    hom = np.hstack([points, np.ones((points.shape[0], 1), dtype=points.dtype)])
    clip = hom @ P.T
    ndc = clip[:, :3] / clip[:, 3:4]
    return ndc, P


def viewport_transform(ndc, width=64, height=48):
    x = (ndc[:, 0] + 1) * 0.5 * width
    y = (1 - ndc[:, 1]) * 0.5 * height
    px = np.floor(x).astype(np.int32)
    py = np.floor(y).astype(np.int32)
    inside = (px >= 0) & (px < width) & (py >= 0) & (py < height)
    return np.clip(px, 0, width - 1), np.clip(py, 0, height - 1), inside


def lambert_phong_shading(normals, light_dir, view_dir, albedo, shininess=16):
    n = normals / np.linalg.norm(normals, axis=-1, keepdims=True)
    l = light_dir / np.linalg.norm(light_dir)
    v = view_dir / np.linalg.norm(view_dir)
    ndotl = np.einsum("...k,k->...", n, l)
    diffuse = np.clip(ndotl, 0, None)[..., None] * albedo
    r = 2 * ndotl[..., None] * n - l
    spec = np.clip(np.einsum("...k,k->...", r, v), 0, 1) ** shininess
    color = diffuse + spec[..., None]
    return np.clip(color * 255, 0, 255).astype(np.uint8)


def triangle_normals_areas(vertices, faces):
    tris = vertices[faces]
    n = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    area = 0.5 * np.linalg.norm(n, axis=1)
    vn = np.zeros(vertices.shape, dtype=vertices.dtype)
    for k in range(3):
        np.add.at(vn, faces[:, k], n)
    vn /= np.linalg.norm(vn, axis=1, keepdims=True) + 1e-12
    return area, vn


def point_cloud_normals_knn(points, k=4):
    d2 = np.sum((points[:, None, :] - points[None, :, :]) ** 2, axis=-1)
    nbr = np.argsort(d2, axis=1, kind="stable")[:, :k]
    neigh = points[nbr]
    centered = neigh - neigh.mean(axis=1, keepdims=True)
    cov = np.einsum("nki,nkj->nij", centered, centered) / k
    w, v = np.linalg.eigh(cov)
    normals = v[:, :, 0]
    sign = np.sign(np.sum(normals * points, axis=1, keepdims=True))
    return np.abs(w[:, 0]), normals * np.where(sign == 0, 1, sign)


def aabb_of_points(points):
    lo = points.min(axis=0)
    hi = points.max(axis=0)
    center = (lo + hi) / 2
    extent = hi - lo
    return lo, hi, center, np.prod(extent)


def box_iou_matrix(boxes1, boxes2):
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    lt = np.maximum(boxes1[:, None, :2], boxes2[:, :2])
    rb = np.minimum(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = (rb - lt).clip(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    return inter / (area1[:, None] + area2 - inter)


def nms_fixed_mask(boxes, scores, iou_thr=0.3):
    order = np.argsort(-scores, kind="stable")
    boxes = boxes[order]
    x1, y1, x2, y2 = boxes.T
    areas = (x2 - x1) * (y2 - y1)
    n = len(scores)
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        xx1 = np.maximum(x1[i], x1)
        yy1 = np.maximum(y1[i], y1)
        xx2 = np.minimum(x2[i], x2)
        yy2 = np.minimum(y2[i], y2)
        inter = np.maximum(0.0, xx2 - xx1) * np.maximum(0.0, yy2 - yy1)
        iou = inter / (areas[i] + areas - inter)
        suppress = (iou > iou_thr) & (np.arange(n) > i) & keep[i]
        keep = keep & ~suppress
    out = np.zeros(n, dtype=bool)
    out[order] = keep
    return out


def boxes_xywh_to_xyxy_clip(b, width=32, height=24):
    out = np.empty_like(b)
    out[:, 0] = b[:, 0] - b[:, 2] / 2
    out[:, 1] = b[:, 1] - b[:, 3] / 2
    out[:, 2] = b[:, 0] + b[:, 2] / 2
    out[:, 3] = b[:, 1] + b[:, 3] / 2
    np.clip(out[:, 0::2], 0, width, out=out[:, 0::2])
    np.clip(out[:, 1::2], 0, height, out=out[:, 1::2])
    return out


def rodrigues_matrix(axis, angle):
    k = axis / np.linalg.norm(axis)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K


def transform_points_homogeneous(T, pts):
    ph = np.concatenate([pts, np.ones_like(pts[:, :1])], axis=1)
    out = (T @ ph.T).T
    return out[:, :3] / out[:, 3, np.newaxis]


def euler_to_matrix_zyx(yaw, pitch, roll):
    cy, sy = np.cos(yaw), np.sin(yaw)
    cp, sp = np.cos(pitch), np.sin(pitch)
    cr, sr = np.cos(roll), np.sin(roll)
    Rz = np.array([[cy, -sy, 0], [sy, cy, 0], [0, 0, 1]])
    Ry = np.array([[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]])
    Rx = np.array([[1, 0, 0], [0, cr, -sr], [0, sr, cr]])
    return Rz @ Ry @ Rx


def reflect_refract(d, n, eta=1.0 / 1.5):
    d = d / np.linalg.norm(d, axis=1)[:, np.newaxis]
    n = n / np.linalg.norm(n, axis=1)[:, np.newaxis]
    cosi = -np.sum(d * n, axis=1, keepdims=True)
    reflected = d + 2 * cosi * n
    k = 1 - eta ** 2 * (1 - cosi ** 2)
    refracted = eta * d + (eta * cosi - np.sqrt(np.maximum(k, 0))) * n
    return reflected, np.where(k < 0, 0.0, refracted)


def edge_function_raster(v0, v1, v2, width=8, height=6):
    ys, xs = np.mgrid[0:height, 0:width]
    px = xs + 0.5
    py = ys + 0.5
    def edge(a, b):
        return (b[0] - a[0]) * (py - a[1]) - (b[1] - a[1]) * (px - a[0])
    w0 = edge(v1, v2)
    w1 = edge(v2, v0)
    w2 = edge(v0, v1)
    area = (v1[0] - v0[0]) * (v2[1] - v0[1]) - (v1[1] - v0[1]) * (v2[0] - v0[0])
    inside = ((w0 >= 0) & (w1 >= 0) & (w2 >= 0)) | ((w0 <= 0) & (w1 <= 0) & (w2 <= 0))
    return inside, np.where(inside, w0 / area, 0.0)


def chamfer_distance(a, b):
    d = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=-1)
    return d.min(axis=1).mean() + d.min(axis=0).mean()


def fibonacci_sphere_dirs(v):
    n = v.shape[0]
    i = np.arange(n, dtype=float) + 0.5
    phi = np.arccos(1 - 2 * i / n)
    theta = np.pi * (1 + 5 ** 0.5) * i
    dirs = np.stack([np.cos(theta) * np.sin(phi), np.sin(theta) * np.sin(phi), np.cos(phi)], 1)
    return np.sum(dirs * v, axis=1), dirs.T @ v


def bezier_de_casteljau(ctrl, ts):
    pts = np.repeat(ctrl[None], len(ts), axis=0)
    n = ctrl.shape[0]
    for r in range(1, n):
        t = ts[:, None, None]
        pts[:, : n - r] = (1 - t) * pts[:, : n - r] + t * pts[:, 1: n - r + 1]
    return pts[:, 0]


def polygon_area_shoelace(xy):
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * np.abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


# ------------------------------------------------ optimizers and training loops


def sgd_momentum_nesterov(params, grads, velocity, lr=0.01, mu=0.9, weight_decay=1e-4):
    for k in params:
        g = grads[k] + weight_decay * params[k]
        v_prev = velocity[k].copy()
        velocity[k] *= mu
        velocity[k] -= lr * g
        params[k] += -mu * v_prev + (1 + mu) * velocity[k]
    return params


def adam_step_list(params, grads, ms, vs, t, lr=1e-2, b1=0.9, b2=0.999, eps=1e-8):
    out = []
    for p, g, m, v in zip(params, grads, ms, vs):
        m[:] = b1 * m + (1 - b1) * g
        v[:] = b2 * v + (1 - b2) * g * g
        mhat = m / (1 - b1 ** t)
        vhat = v / (1 - b2 ** t)
        out.append(p - lr * mhat / (np.sqrt(vhat) + eps))
    return out


def adamw_float32(w, g, m, v, step, lr=1e-3, wd=0.01):
    b1, b2, eps = 0.9, 0.999, 1e-8
    w *= 1 - lr * wd
    m[...] = b1 * m + (1 - b1) * g
    v[...] = b2 * v + (1 - b2) * np.square(g)
    bias1 = 1 - b1 ** step
    bias2 = 1 - b2 ** step
    step_size = lr * np.sqrt(bias2) / bias1
    w -= step_size * m / (np.sqrt(v) + eps)
    return w


def rmsprop_cache(w, dw, cache, lr=1e-2, decay=0.99, eps=1e-8):
    cache = decay * cache + (1 - decay) * dw ** 2
    next_w = w - lr * dw / (np.sqrt(cache) + eps)
    return next_w, {"cache": cache}


def adagrad_inplace(params, grads, hist, lr=0.1):
    for name in ("W", "b"):
        hist[name] += grads[name] ** 2
        params[name] -= lr * grads[name] / (np.sqrt(hist[name]) + 1e-7)
    return params["W"].sum() + params["b"].sum()


def clip_grads_by_global_norm(grads, max_norm=1.0):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    scale = np.minimum(1.0, max_norm / (total + 1e-6))
    return {k: g * scale for k, g in grads.items()}, total


def clip_grad_value_inplace(grads, clip=0.5):
    for g in grads:
        np.clip(g, -clip, clip, out=g)
    return grads


def lr_schedules(step, base_lr=0.1, warmup=5, total=50):
    warm = base_lr * (step + 1) / warmup
    cosine = 0.5 * base_lr * (1 + np.cos(np.pi * (step - warmup) / (total - warmup)))
    lr = np.where(step < warmup, warm, cosine)
    step_decay = base_lr * 0.5 ** np.floor(step / 10)
    exp_decay = base_lr * np.exp(-0.05 * step)
    return lr, step_decay, exp_decay


def sgd_training_loop_linear(X, y, epochs=15, lr=0.05):
    w = np.zeros(X.shape[1])
    b = 0.0
    losses = []
    for epoch in range(epochs):
        pred = X @ w + b
        err = pred - y
        losses.append(np.mean(err ** 2))
        w -= lr * 2 * X.T @ err / len(y)
        b -= lr * 2 * err.mean()
    return w, b, np.array(losses)


def logistic_regression_gd(X, y, iters=20, lr=0.5, l2=0.01):
    w = np.zeros(X.shape[1], dtype=X.dtype)
    for _ in range(iters):
        z = X @ w
        p = 1 / (1 + np.exp(-z))
        grad = X.T @ (p - y) / X.shape[0] + l2 * w
        w -= lr * grad
    return w, p


def minibatch_sgd_seeded(X, y, epochs=3, batch=2, lr=0.1):
    rng = np.random.default_rng(0)
    n = X.shape[0]
    w = np.zeros(X.shape[1])
    for _ in range(epochs):
        perm = rng.permutation(n)
        for start in range(0, n, batch):
            idx = perm[start:start + batch]
            xb, yb = X[idx], y[idx]
            w -= lr * xb.T @ (xb @ w - yb) / len(idx)
    return w


def batchnorm_forward_backward(x, gamma, beta, dout, eps=1e-5):
    N = x.shape[0]
    mu = x.mean(axis=0)
    xmu = x - mu
    var = np.mean(xmu ** 2, axis=0)
    sqrtvar = np.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    xhat = xmu * ivar
    out = gamma * xhat + beta
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    divar = np.sum(dxhat * xmu, axis=0)
    dxmu1 = dxhat * ivar
    dsqrtvar = -1.0 / (sqrtvar ** 2) * divar
    dvar = 0.5 * 1.0 / np.sqrt(var + eps) * dsqrtvar
    dsq = 1.0 / N * np.ones(x.shape) * dvar
    dxmu2 = 2 * xmu * dsq
    dx1 = dxmu1 + dxmu2
    dmu = -1 * np.sum(dx1, axis=0)
    dx2 = 1.0 / N * np.ones(x.shape) * dmu
    return out, dx1 + dx2, dgamma, dbeta


def batchnorm_running_stats(x, gamma, beta, running_mean, running_var, momentum=0.9):
    sample_mean = x.mean(axis=0)
    sample_var = x.var(axis=0)
    running_mean[:] = momentum * running_mean + (1 - momentum) * sample_mean
    running_var *= momentum
    running_var += (1 - momentum) * sample_var
    return gamma * (x - sample_mean) / np.sqrt(sample_var + 1e-5) + beta


def layernorm_backward(dout, x, gamma, eps=1e-5):
    D = x.shape[-1]
    mu = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    inv = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dx = inv / D * (D * dxhat - dxhat.sum(-1, keepdims=True)
                    - xhat * (dxhat * xhat).sum(-1, keepdims=True))
    return dx, dgamma


def dropout_forward_seeded(x, p=0.3, train=True):
    rng = np.random.default_rng(123)
    if train:
        mask = (rng.random(x.shape) < (1 - p)) / (1 - p)
        return x * mask, mask
    return x, None


def dropout_randomstate_float32(x, keep=0.75):
    rs = np.random.RandomState(5)
    mask = rs.binomial(1, keep, size=x.shape).astype(np.float32)
    return x * mask / keep


def weight_decay_l2_dict(params, lam=1e-3):
    penalty = 0.0
    for name, w in params.items():
        if name.startswith("W"):
            penalty += 0.5 * lam * np.sum(w * w)
    return penalty


def ema_of_params(ema, params, decay=0.99):
    for k, v in params.items():
        ema[k] *= decay
        ema[k] += (1.0 - decay) * v
    return ema


def softmax_xent_backward(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1, keepdims=True)
    n = logits.shape[0]
    loss = -np.log(probs[np.arange(n), labels] + 1e-12).mean()
    dlogits = probs.copy()
    dlogits[np.arange(n), labels] -= 1
    dlogits /= n
    return loss, dlogits


def two_layer_train_step(params, X, y, lr=0.1):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h = np.maximum(0, X @ W1 + b1)
    scores = h @ W2 + b2
    scores -= scores.max(axis=1, keepdims=True)
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    n = X.shape[0]
    loss = -np.mean(np.log(p[range(n), y]))
    d = p
    d[range(n), y] -= 1
    d /= n
    dW2 = h.T @ d
    db2 = d.sum(0)
    dh = d @ W2.T
    dh[h <= 0] = 0
    dW1 = X.T @ dh
    db1 = dh.sum(0)
    for name, g in (("W1", dW1), ("b1", db1), ("W2", dW2), ("b2", db2)):
        params[name] -= lr * g
    return loss


def gradient_check_numeric(w, X, y, h=1e-5):
    def f(w):
        return 0.5 * np.sum((X @ w - y) ** 2)
    grad = np.zeros_like(w)
    for i in range(w.size):
        old = w[i]
        w[i] = old + h
        fp = f(w)
        w[i] = old - h
        fm = f(w)
        w[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad, X.T @ (X @ w - y)


# ------------------------------------------------------ bioinformatics and text


def one_hot_dna(seq, n_letters=4):
    out = np.zeros((len(seq), n_letters), dtype=np.float32)
    out[np.arange(len(seq)), seq] = 1
    return out


def one_hot_eye_index(seq):
    return np.eye(4, dtype=np.int8)[seq]


def reverse_complement_onehot(onehot):
    return onehot[::-1, ::-1]


def reverse_complement_codes(seq):
    return (3 - seq)[::-1]


def gc_content_windows(seq, w=4):
    gc = ((seq == 1) | (seq == 2)).astype(float)
    c = np.cumsum(np.insert(gc, 0, 0))
    return (c[w:] - c[:-w]) / w


def needleman_wunsch(a, b, match=1, mismatch=-1, gap=-2):
    n, m = len(a), len(b)
    F = np.zeros((n + 1, m + 1))
    F[:, 0] = gap * np.arange(n + 1)
    F[0, :] = gap * np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            s = np.where(a[i - 1] == b[j - 1], match, mismatch)
            F[i, j] = np.max([F[i - 1, j - 1] + s, F[i - 1, j] + gap, F[i, j - 1] + gap])
    return F[n, m], F


def edit_distance_int(a, b):
    n, m = len(a), len(b)
    d = np.zeros((n + 1, m + 1), dtype=int)
    d[:, 0] = np.arange(n + 1)
    d[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = (a[i - 1] != b[j - 1])
            d[i, j] = np.minimum(np.minimum(d[i - 1, j] + 1, d[i, j - 1] + 1),
                                 d[i - 1, j - 1] + cost)
    return d[n, m]


def edit_distance_rowwise(a, b):
    prev = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = np.empty_like(prev)
        cur[0] = i
        sub = prev[:-1] + (a[i - 1] != b)
        cur[1:] = np.minimum(prev[1:] + 1, sub)
        for j in range(1, len(b) + 1):
            cur[j] = np.minimum(cur[j], cur[j - 1] + 1)
        prev = cur
    return prev[-1]


def smith_waterman_score(a, b, match=2, mismatch=-1, gap=-1):
    H = np.zeros((len(a) + 1, len(b) + 1))
    for i in range(1, len(a) + 1):
        diag = H[i - 1, :-1] + np.where(a[i - 1] == b, match, mismatch)
        up = H[i - 1, 1:] + gap
        H[i, 1:] = np.maximum(0, np.maximum(diag, up))
        for j in range(1, len(b) + 1):
            H[i, j] = np.maximum(H[i, j], H[i, j - 1] + gap)
    return H.max(), np.unravel_index(np.argmax(H), H.shape)


def pwm_scores(seq, pwm):
    L = pwm.shape[0]
    n = len(seq) - L + 1
    scores = np.zeros(n)
    for i in range(n):
        scores[i] = pwm[np.arange(L), seq[i:i + L]].sum()
    return scores, np.argmax(scores)


def pwm_log_odds(counts, pseudo=0.5, bg=None):
    if bg is None:
        bg = np.full(4, 0.25)
    freqs = (counts + pseudo) / (counts.sum(axis=1, keepdims=True) + 4 * pseudo)
    pwm = np.log2(freqs / bg)
    ic = 2 + np.sum(freqs * np.log2(freqs), axis=1)
    return pwm, ic


def hamming_distance_matrix(seqs):
    return (seqs[:, None, :] != seqs[None, :, :]).sum(axis=-1)


def codon_translate_index(seq, table):
    n = len(seq) // 3 * 3
    codons = seq[:n].reshape(-1, 3)
    idx = codons[:, 0] * 16 + codons[:, 1] * 4 + codons[:, 2]
    return table[idx]


def tfidf_counts(counts):
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    df = np.count_nonzero(counts, axis=0)
    n_docs = counts.shape[0]
    idf = np.log((1 + n_docs) / (1 + df)) + 1
    tfidf = tf * idf
    norms = np.linalg.norm(tfidf, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return tfidf / norms


def cosine_similarity_matrix(X, eps=1e-8):
    Xn = X / (np.linalg.norm(X, axis=1)[:, None] + eps)
    S = Xn @ Xn.T
    np.fill_diagonal(S, 0)
    return S, S.argmax(axis=1)


def bm25_scores(tf, query_mask, k1=1.5, b=0.75):
    N = tf.shape[0]
    doc_len = tf.sum(axis=1)
    avgdl = doc_len.mean()
    df = (tf > 0).sum(axis=0)
    idf = np.log((N - df + 0.5) / (df + 0.5) + 1)
    denom = tf + k1 * (1 - b + b * doc_len[:, None] / avgdl)
    score = idf * tf * (k1 + 1) / denom
    return (score * query_mask).sum(axis=1)


def bag_of_words_from_ids(ids, vocab=8):
    counts = np.zeros((ids.shape[0], vocab), dtype=np.int32)
    for d in range(ids.shape[0]):
        np.add.at(counts[d], ids[d], 1)
    return counts


def ngram_hash_features(ids, dim=16):
    h = (ids[:-1] * 31 + ids[1:] * 17) % dim
    feats = np.zeros(dim)
    np.add.at(feats, h, 1.0)
    return feats / np.sqrt((feats ** 2).sum())


def jaccard_binary(A):
    A = A.astype(bool)
    inter = A.astype(int) @ A.T.astype(int)
    sizes = A.sum(axis=1)
    union = sizes[:, None] + sizes[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 0.0)


def ppmi_matrix(C):
    total = C.sum()
    row = C.sum(axis=1, keepdims=True)
    col = C.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore"):
        pmi = np.log(C * total / (row * col))
    pmi[~np.isfinite(pmi)] = 0.0
    return np.maximum(pmi, 0)


def word_embedding_mean_pool(emb, ids, mask):
    vecs = emb[ids]
    summed = (vecs * mask[..., None]).sum(axis=1)
    return summed / np.clip(mask.sum(axis=1, keepdims=True), 1, None)


def sequence_entropy_per_column(msa, q=4):
    counts = np.stack([(msa == a).sum(axis=0) for a in range(q)])
    p = counts / msa.shape[0]
    plogp = np.where(p > 0, p * np.log2(np.where(p > 0, p, 1)), 0.0)
    return -plogp.sum(axis=0)


def kmer_counts_add_at(seq, k=2):
    n = len(seq)
    codes = np.zeros(n - k + 1, dtype=np.intp)
    for j in range(k):
        codes = codes * 4 + seq[j: n - k + 1 + j]
    counts = np.zeros(4 ** k, dtype=np.int64)
    np.add.at(counts, codes, 1)
    return counts


# ------------------------------------------------- time series and econometrics


def ewma_loop(x, alpha=0.3):
    s = np.empty_like(x)
    s[0] = x[0]
    for t in range(1, len(x)):
        s[t] = alpha * x[t] + (1 - alpha) * s[t - 1]
    return s


def ewma_convolve(x, span=5):
    alpha = 2 / (span + 1)
    w = (1 - alpha) ** np.arange(len(x))
    w_norm = np.cumsum(w)
    return np.convolve(x, w)[: len(x)] / w_norm


def ewma_vectorized_powers(data, alpha=0.2):
    n = data.shape[0]
    scale = (1 - alpha) ** -np.arange(n)
    pows = (1 - alpha) ** np.arange(n)
    cumsums = np.cumsum(data * alpha * scale)
    offset = data[0] * pows
    return offset + cumsums * pows - alpha * data[0] * pows


def rolling_mean_cumsum(a, n=3):
    ret = np.cumsum(a, dtype=float)
    ret[n:] = ret[n:] - ret[:-n]
    return ret[n - 1:] / n


def rolling_std_cumsum(x, w=4):
    c1 = np.cumsum(np.insert(x, 0, 0.0))
    c2 = np.cumsum(np.insert(x ** 2, 0, 0.0))
    s1 = c1[w:] - c1[:-w]
    s2 = c2[w:] - c2[:-w]
    return np.sqrt(np.maximum(s2 / w - (s1 / w) ** 2, 0))


def rolling_zscore_windows(x, w=3):
    win = sliding_window_view(x, w)
    mu = win.mean(axis=-1)
    sd = win.std(axis=-1, ddof=1)
    z = np.full(x.shape, np.nan)
    z[w - 1:] = (x[w - 1:] - mu) / sd
    return z


def autocorr_fft(x, max_lag=4):
    n = len(x)
    x = x - x.mean()
    f = np.fft.rfft(x, n=2 * n)
    acf = np.fft.irfft(f * np.conjugate(f))[:n]
    acf /= acf[0]
    return acf[: max_lag + 1]


def autocorr_direct(x, nlags=3):
    x = np.asarray(x, dtype=float)
    xm = x - x.mean()
    denom = np.sum(xm ** 2)
    return np.array([1.0] + [np.sum(xm[k:] * xm[:-k]) / denom for k in range(1, nlags + 1)])


def ar_fit_lstsq(x, p=2):
    n = len(x)
    X = np.column_stack([x[p - k - 1: n - k - 1] for k in range(p)])
    X = np.column_stack([np.ones(n - p), X])
    y = x[p:]
    coef, res, rank, sv = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    return coef, resid.var(), rank


def ar_forecast_loop(coef, history, steps=5):
    p = len(coef) - 1
    buf = list(history[-p:])
    out = []
    for _ in range(steps):
        yhat = coef[0] + sum(coef[k + 1] * buf[-k - 1] for k in range(p))
        out.append(yhat)
        buf.append(yhat)
    return np.array(out)


def yule_walker(x, order=2):
    x = x - x.mean()
    n = len(x)
    r = np.array([np.dot(x[: n - k], x[k:]) / n for k in range(order + 1)])
    R = np.array([[r[abs(i - j)] for j in range(order)] for i in range(order)])
    phi = np.linalg.solve(R, r[1:])
    sigma2 = r[0] - phi @ r[1:]
    return phi, sigma2


def holt_linear(y, alpha=0.5, beta=0.3, h=3):
    level, trend = y[0], y[1] - y[0]
    fitted = np.zeros(len(y))
    for t in range(len(y)):
        fitted[t] = level + trend
        prev_level = level
        level = alpha * y[t] + (1 - alpha) * (level + trend)
        trend = beta * (level - prev_level) + (1 - beta) * trend
    forecast = level + trend * np.arange(1, h + 1)
    return fitted, forecast


def holt_winters_additive(y, m=4, alpha=0.3, beta=0.1, gamma=0.2):
    level = y[:m].mean()
    trend = (y[m:2 * m].mean() - y[:m].mean()) / m
    season = list(y[:m] - level)
    result = []
    for t in range(len(y)):
        s = season[t % m]
        result.append(level + trend + s)
        last_level = level
        level = alpha * (y[t] - s) + (1 - alpha) * (level + trend)
        trend = beta * (level - last_level) + (1 - beta) * trend
        season[t % m] = gamma * (y[t] - level) + (1 - gamma) * s
    return np.array(result)


def max_drawdown_accumulate(prices):
    running_max = np.maximum.accumulate(prices)
    dd = prices / running_max - 1.0
    end = np.argmax(-dd)
    start = np.argmax(np.where(np.arange(len(prices)) <= end, prices, -np.inf))
    return dd.min(), start, end


def underwater_duration(equity):
    peak = np.fmax.accumulate(equity)
    under = equity < peak
    dur = np.zeros(len(equity), dtype=np.int64)
    for i in range(1, len(equity)):
        dur[i] = (dur[i - 1] + 1) * under[i]
    return dur


def rank_transform_argsort(x):
    ranks = x.argsort().argsort()
    return ranks, ranks / (len(x) - 1)


def percentile_rank_columns(X):
    r = np.argsort(np.argsort(X, axis=0), axis=0)
    return (r + 1) / X.shape[0] * 100


def gaussian_rank_transform(x):
    ranks = np.empty_like(x)
    ranks[np.argsort(x)] = np.arange(len(x))
    u = (ranks + 0.5) / len(x)
    return np.log(u / (1 - u))


def log_returns_vol(prices, periods=252):
    r = np.diff(np.log(prices))
    vol = r.std(ddof=1) * np.sqrt(periods)
    sharpe = r.mean() / r.std(ddof=1) * np.sqrt(periods)
    return r, vol, sharpe


def rolling_beta(ra, rb, w=4):
    A = sliding_window_view(ra, w)
    B = sliding_window_view(rb, w)
    Ac = A - A.mean(1, keepdims=True)
    Bc = B - B.mean(1, keepdims=True)
    return (Ac * Bc).sum(1) / (Bc ** 2).sum(1)


def seasonal_decompose_additive(y, period=4):
    trend = np.convolve(y, np.ones(period) / period, mode="same")
    detr = y - trend
    n = len(y) // period * period
    seasonal_means = detr[:n].reshape(-1, period).mean(axis=0)
    seasonal_means -= seasonal_means.mean()
    seasonal = np.tile(seasonal_means, len(y) // period + 1)[: len(y)]
    return trend, seasonal, y - trend - seasonal


def differencing_and_undo(x, d=1, lag=2):
    dx = x[lag:] - x[:-lag]
    rec = np.concatenate([x[:lag], np.zeros(len(dx))])
    for t in range(lag, len(x)):
        rec[t] = rec[t - lag] + dx[t - lag]
    return dx, rec


def cusum_detector(x, target=0.0, k=0.5, h=2.0):
    sp = np.zeros(len(x))
    sn = np.zeros(len(x))
    for t in range(1, len(x)):
        sp[t] = np.maximum(0.0, sp[t - 1] + x[t] - target - k)
        sn[t] = np.maximum(0.0, sn[t - 1] - x[t] + target - k)
    return (sp > h) | (sn > h), sp, sn


def garch_variance(returns, omega=1e-5, alpha=0.1, beta=0.85):
    T = len(returns)
    sigma2 = np.empty(T)
    sigma2[0] = returns.var()
    for t in range(1, T):
        sigma2[t] = omega + alpha * returns[t - 1] ** 2 + beta * sigma2[t - 1]
    ll = -0.5 * np.sum(np.log(2 * np.pi * sigma2) + returns ** 2 / sigma2)
    return sigma2, ll


def lagged_matrix_ols(y, X, lags=2):
    n = len(y)
    Z = np.hstack([X[lags:]] + [y[lags - k: n - k, None] for k in range(1, lags + 1)])
    beta = np.linalg.inv(Z.T @ Z) @ Z.T @ y[lags:]
    return beta


def ols_newey_west_se(X, y, L=2):
    beta = np.linalg.solve(X.T @ X, X.T @ y)
    u = y - X @ beta
    Xu = X * u[:, None]
    S = Xu.T @ Xu
    for l in range(1, L + 1):
        w = 1 - l / (L + 1)
        G = Xu[l:].T @ Xu[:-l]
        S += w * (G + G.T)
    XtX_inv = np.linalg.inv(X.T @ X)
    cov = XtX_inv @ S @ XtX_inv
    return beta, np.sqrt(np.diag(cov))


def bollinger_bands(p, w=4, k=2.0):
    win = sliding_window_view(p, w)
    mid = win.mean(-1)
    sd = win.std(-1)
    upper = np.full_like(p, np.nan)
    lower = np.full_like(p, np.nan)
    upper[w - 1:] = mid + k * sd
    lower[w - 1:] = mid - k * sd
    return upper, lower


def rsi_wilder(close, n=3):
    delta = np.diff(close)
    gain = np.where(delta > 0, delta, 0.0)
    loss = np.where(delta < 0, -delta, 0.0)
    avg_gain = np.zeros_like(close)
    avg_loss = np.zeros_like(close)
    avg_gain[n] = gain[:n].mean()
    avg_loss[n] = loss[:n].mean()
    for i in range(n + 1, len(close)):
        avg_gain[i] = (avg_gain[i - 1] * (n - 1) + gain[i - 1]) / n
        avg_loss[i] = (avg_loss[i - 1] * (n - 1) + loss[i - 1]) / n
    rs = avg_gain / np.where(avg_loss == 0, 1e-10, avg_loss)
    rsi = 100 - 100 / (1 + rs)
    rsi[:n] = np.nan
    return rsi


def cross_correlation_lags(x, y, maxlag=3):
    x = (x - x.mean()) / x.std()
    y = (y - y.mean()) / y.std()
    out = np.empty(2 * maxlag + 1)
    for i, lag in enumerate(range(-maxlag, maxlag + 1)):
        if lag < 0:
            out[i] = np.mean(x[:lag] * y[-lag:])
        elif lag > 0:
            out[i] = np.mean(x[lag:] * y[:-lag])
        else:
            out[i] = np.mean(x * y)
    return out


def forward_fill_nans(arr):
    mask = np.isnan(arr)
    idx = np.where(~mask, np.arange(mask.shape[0]), 0)
    np.maximum.accumulate(idx, out=idx)
    return arr[idx]


def backward_fill_nans(arr):
    mask = np.isnan(arr)
    idx = np.where(~mask, np.arange(len(arr)), len(arr) - 1)
    idx = np.minimum.accumulate(idx[::-1])[::-1]
    return arr[idx]


def interpolate_nans(y):
    nans = np.isnan(y)
    i = np.arange(len(y))
    y = y.copy()
    y[nans] = np.interp(i[nans], i[~nans], y[~nans])
    return y


def shift_series(arr, n=2, fill=np.nan):
    res = np.empty_like(arr)
    if n > 0:
        res[:n] = fill
        res[n:] = arr[:-n]
    else:
        res[n:] = fill
        res[:n] = arr[-n:]
    return res, np.nanmean(arr - res)


def pct_change_winsorized(p, q=10):
    out = np.full_like(p, np.nan)
    out[1:] = p[1:] / p[:-1] - 1
    lo, hi = np.nanpercentile(out, [q, 100 - q])
    return np.clip(out, lo, hi)


def autocorr_fromiter(x, nlags=3):
    xm = x - x.mean()
    denom = np.dot(xm, xm)
    acf = np.fromiter((np.dot(xm[k:], xm[:len(xm) - k]) / denom for k in range(nlags + 1)),
                      dtype=np.float64, count=nlags + 1)
    return acf, np.fromiter(range(nlags + 1), dtype=float) * acf


def standardize_array_api(x):
    """Array-API style, as libraries that accept several array types write it."""
    xp = x.__array_namespace__()
    mu = xp.mean(x, axis=0)
    sd = xp.std(x, axis=0)
    z = xp.astype((x - mu) / sd, xp.float32)
    return z, xp.concat([mu, sd]), xp.linalg.vector_norm(z, axis=0)


# ----------------------------------------------------------------------------- data


def _positive(s, *shape):
    return _f(*shape, positive=True, seed=s)


def _boxes(n, s):
    xy = _f(n, 2, positive=True, seed=s) * 5
    wh = _f(n, 2, positive=True, seed=s + 1) * 3
    return np.hstack([xy, xy + wh])


def _mlp_params(s, n):
    return {"W1": _f(3, n, seed=s), "b1": _f(n, seed=s + 1), "W2": _f(n, 2, seed=s + 2),
            "b2": _f(2, seed=s + 3)}


def _with_nans(n, s):
    x = _f(n, seed=s)
    x[[1, 2, n - 3]] = np.nan
    return x


def _prices(n, s):
    return 100 * np.exp(np.cumsum(0.05 * _f(n, seed=s)))


# name: (function, static keyword arguments, args for (seed, size) -> tuple)
def kmer_counts_bincount(seq, k=3):
    n = len(seq)
    codes = np.zeros(n - k + 1, dtype=np.int64)
    for j in range(k):
        codes = codes * 4 + seq[j: n - k + 1 + j]
    return np.bincount(codes, minlength=4 ** k)


def kmer_counts_windows(seq, k=2):
    codes = sliding_window_view(seq, k) @ (4 ** np.arange(k)[::-1])
    return np.bincount(codes, minlength=4 ** k)


CORPUS = {
    "kmer_counts_windows": (kmer_counts_windows, {}, lambda s, n: (_i(4, 3 * n, seed=s),)),
    "kmer_counts_bincount": (kmer_counts_bincount, {}, lambda s, n: (_i(4, 3 * n, seed=s),)),
    "value_iteration_grid": (value_iteration_grid, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "policy_evaluation_matrix": (policy_evaluation_matrix, {}, lambda s, n: (_positive(s, n, n),
        _f(n, seed=s))),
    "policy_evaluation_iterative": (policy_evaluation_iterative, {}, lambda s, n: (_positive(s, n,
        2, n), _f(n, 2, seed=s), _i(2, n, seed=s))),
    "q_learning_updates": (q_learning_updates, {}, lambda s, n: (_f(n, 3, seed=s), _i(n, 6,
        seed=s), _i(3, 6, seed=s+1), _f(6, seed=s+2), _i(n, 6, seed=s+3))),
    "q_batch_fancy": (q_batch_fancy, {}, lambda s, n: (_f(n, 3, seed=s), _i(n, 5, seed=s), _i(3, 5,
        seed=s+1), _f(5, seed=s+2), _i(n, 5, seed=s+3), _i(2, 5, seed=s+4).astype(np.float32))),
    "discounted_returns_loop": (discounted_returns_loop, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "discounted_returns_dones": (discounted_returns_dones, {}, lambda s, n: (_f(n * 2,
        seed=s).astype(np.float32), _i(2, n * 2, seed=s).astype(bool))),
    "discounted_cumsum_matrix": (discounted_cumsum_matrix, {}, lambda s, n: (_f(n, seed=s),)),
    "discount_with_cumsum_trick": (discount_with_cumsum_trick, {}, lambda s, n: (_f(n, seed=s),)),
    "gae_advantages": (gae_advantages, {}, lambda s, n: (_f(n, seed=s), _f(n + 1, seed=s+1), _i(2,
        n, seed=s))),
    "epsilon_greedy_actions": (epsilon_greedy_actions, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "softmax_policy_sample": (softmax_policy_sample, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "lqr_riccati": (lqr_riccati, {}, lambda s, n: (np.eye(n) + 0.1 * _f(n, n, seed=s), _f(n, 2,
        seed=s), np.eye(n), np.eye(2))),
    "lqr_rollout": (lqr_rollout, {}, lambda s, n: (np.eye(n) * 0.9, _f(n, 2, seed=s), 0.1 * _f(2,
        n, seed=s), _f(n, seed=s))),
    "pid_loop": (pid_loop, {}, lambda s, n: (np.repeat(_f(n, seed=s), 3),)),
    "td_lambda_traces": (td_lambda_traces, {}, lambda s, n: (_f(n + 2, 3, seed=s), _f(n + 2,
        seed=s), _f(3, seed=s))),
    "bellman_q_tabular": (bellman_q_tabular, {}, lambda s, n: (_positive(s, n, 2, n), _f(n, 2,
        seed=s))),
    "ucb_scores": (ucb_scores, {}, lambda s, n: (_i(3, n, seed=s), _f(n, seed=s), 10)),
    "cartpole_step": (cartpole_step, {}, lambda s, n: (_f(4, seed=s), float(n))),
    "n_step_returns": (n_step_returns, {}, lambda s, n: (_f(n + 2, seed=s), _f(n + 2, seed=s+1))),
    "replay_sample_batch": (replay_sample_batch, {}, lambda s, n: (_f(n * 2, 3, seed=s), _i(3,
        n * 2, seed=s), _f(n * 2, seed=s))),
    "kalman_1d_track": (kalman_1d_track, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "frame_signal_stride_indices": (frame_signal_stride_indices, {}, lambda s, n: (_f(n * 5,
        seed=s),)),
    "mel_filterbank_power": (mel_filterbank_power, {}, lambda s, n: (_f(n, 12, seed=s),)),
    "dct_matrix_mfcc": (dct_matrix_mfcc, {}, lambda s, n: (_f(n, 6, seed=s),)),
    "lifter_ceps": (lifter_ceps, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "delta_features": (delta_features, {}, lambda s, n: (_f(n + 1, 3, seed=s),)),
    "int16_to_float_rms_db": (int16_to_float_rms_db, {}, lambda s, n: ((_f(n * 3,
        seed=s) * 8000).astype(np.int16),)),
    "stft_librosa_style": (stft_librosa_style, {}, lambda s, n: (_f(n * 4, seed=s),)),
    "istft_overlap_add": (istft_overlap_add, {}, lambda s, n: (np.fft.rfft(_f(8, n, seed=s),
        axis=0),)),
    "spectral_features": (spectral_features, {}, lambda s, n: (_f(n * 4, seed=s),)),
    "kaiser_fir_design": (kaiser_fir_design, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "fir_direct_loop": (fir_direct_loop, {}, lambda s, n: (_f(n + 2, seed=s), _f(3, seed=s + 1))),
    "biquad_df1": (biquad_df1, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "zcr_frames": (zcr_frames, {}, lambda s, n: (np.round(_f(n * 3, seed=s)),)),
    "zcr_signbit": (zcr_signbit, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "mu_law_encode": (mu_law_encode, {}, lambda s, n: (_f(n * 2, seed=s) * 0.7,)),
    "mu_law_decode": (mu_law_decode, {}, lambda s, n: (_i(256, n * 2, seed=s).astype(np.uint8),)),
    "resample_linear": (resample_linear, {}, lambda s, n: (_f(n * 2, seed=s).astype(np.float32),)),
    "echo_effect": (echo_effect, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "compressor": (compressor, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "goertzel_power": (goertzel_power, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "autocorr_pitch": (autocorr_pitch, {}, lambda s,
        n: (np.sin(np.arange(n * 10) * 2 * np.pi * (s + 7) / 100) + 0.1 * _f(n * 10, seed=s),)),
    "preemphasis_inplace": (preemphasis_inplace, {}, lambda s, n: (_f(n * 2,
        seed=s).astype(np.float32),)),
    "deemphasis_loop": (deemphasis_loop, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "tpdf_dither_quantize": (tpdf_dither_quantize, {}, lambda s, n: (_f(n * 2, seed=s) * 0.5,)),
    "log_power_spectrogram_float32": (log_power_spectrogram_float32, {}, lambda s, n: ((_f(n * 4,
        seed=s) * 1000).astype(np.int16),)),
    "energy_vad": (energy_vad, {}, lambda s, n: (_f(n * 4, seed=s) * np.repeat(_f(n, positive=True,
        seed=s), 4),)),
    "chroma_fold": (chroma_fold, {}, lambda s, n: (np.abs(_f(9, n, seed=s)),)),
    "overlap_save_fir": (overlap_save_fir, {}, lambda s, n: (_f(n * 3, seed=s), _f(3,
        seed=s + 1))),
    "ray_sphere_batch": (ray_sphere_batch, {}, lambda s, n: (_f(n, 3, seed=s) * 3, _f(n, 3,
        seed=s + 1), _f(3, seed=s + 2) * 0.1, 1.5)),
    "moller_trumbore": (moller_trumbore, {}, lambda s, n: (_f(n, 3, seed=s) + np.array([0, 0, -3]),
        np.tile([0.0, 0.0, 1.0], (n, 1)) + 0.1 * _f(n, 3, seed=s), np.array([-1.0, -1, 0]),
        np.array([1.0, -1, 0]), np.array([0.0, 1, 0]))),
    "barycentric_coords": (barycentric_coords, {}, lambda s, n: (_f(n, 2, seed=s), np.array([0.0,
        0]), np.array([1.0, 0]), np.array([0.0, 1]))),
    "quat_multiply": (quat_multiply, {}, lambda s, n: (_f(n, 4, seed=s), _f(n, 4, seed=s + 1))),
    "quat_rotate_vectors": (quat_rotate_vectors, {}, lambda s, n: (_f(4, seed=s), _f(n, 3,
        seed=s + 1))),
    "quat_to_matrix": (quat_to_matrix, {}, lambda s, n: (_f(4, seed=s + n),)),
    "quat_slerp": (quat_slerp, {}, lambda s, n: (_f(4, seed=s), _f(4, seed=s + 1), np.linspace(0,
        1, n))),
    "look_at": (look_at, {}, lambda s, n: (_f(3, seed=s + n).astype(np.float32), _f(3,
        seed=s + 1).astype(np.float32), np.array([0, 1, 0], dtype=np.float32))),
    "perspective_project": (perspective_project, {}, lambda s, n: (_f(n, 3, seed=s) + np.array([0,
        0, -5.0]),)),
    "viewport_transform": (viewport_transform, {}, lambda s, n: (_f(n, 3, seed=s) * 0.8,)),
    "lambert_phong_shading": (lambert_phong_shading, {}, lambda s, n: (_f(n, 3, 3, seed=s),
        np.array([0.3, 0.5, 1.0]), np.array([0.0, 0.0, 1.0]), np.array([0.9, 0.5, 0.2]))),
    "triangle_normals_areas": (triangle_normals_areas, {}, lambda s, n: (_f(n + 2, 3, seed=s),
        np.stack([_i(n + 2, n, seed=s), _i(n + 2, n, seed=s + 1), _i(n + 2, n, seed=s + 2)], 1))),
    "point_cloud_normals_knn": (point_cloud_normals_knn, {}, lambda s, n: (_f(n + 2, 3, seed=s),)),
    "aabb_of_points": (aabb_of_points, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "box_iou_matrix": (box_iou_matrix, {}, lambda s, n: (_boxes(n, s), _boxes(3, s + 5))),
    "nms_fixed_mask": (nms_fixed_mask, {}, lambda s, n: (_boxes(n + 2, s), _f(n + 2, seed=s))),
    "boxes_xywh_to_xyxy_clip": (boxes_xywh_to_xyxy_clip, {}, lambda s, n: (_boxes(n, s) * 3,)),
    "rodrigues_matrix": (rodrigues_matrix, {}, lambda s, n: (_f(3, seed=s), float(n) / 3)),
    "transform_points_homogeneous": (transform_points_homogeneous, {}, lambda s,
        n: (np.eye(4) + 0.1 * _f(4, 4, seed=s), _f(n, 3, seed=s))),
    "euler_to_matrix_zyx": (euler_to_matrix_zyx, {}, lambda s, n: (_f(seed=s), np.float64(0.3 * n),
        0.2)),
    "reflect_refract": (reflect_refract, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3,
        seed=s + 1))),
    "edge_function_raster": (edge_function_raster, {}, lambda s, n: (_f(2, seed=s) * 3 + 4, _f(2,
        seed=s + 1) * 3 + 4, _f(2, seed=s + n) * 3 + 4)),
    "chamfer_distance": (chamfer_distance, {}, lambda s, n: (_f(n, 3, seed=s), _f(n + 1, 3,
        seed=s + 1))),
    "fibonacci_sphere_dirs": (fibonacci_sphere_dirs, {}, lambda s, n: (_f(n * 2, 3, seed=s),)),
    "bezier_de_casteljau": (bezier_de_casteljau, {}, lambda s, n: (_f(4, 2, seed=s), np.linspace(0,
        1, n))),
    "polygon_area_shoelace": (polygon_area_shoelace, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "sgd_momentum_nesterov": (sgd_momentum_nesterov, {}, lambda s, n: (_mlp_params(s, n),
        _mlp_params(s + 10, n), _mlp_params(s + 20, n))),
    "adam_step_list": (adam_step_list, {}, lambda s, n: ([_f(n, seed=s), _f(n, 2, seed=s)], [_f(n,
        seed=s + 1), _f(n, 2, seed=s + 1)], [_f(n, seed=s + 2), _f(n, 2, seed=s + 2)],
        [np.abs(_f(n, seed=s + 3)), np.abs(_f(n, 2, seed=s + 3))], 3)),
    "adamw_float32": (adamw_float32, {}, lambda s, n: tuple(a.astype(np.float32) for a in (_f(n, 3,
        seed=s), _f(n, 3, seed=s + 1), _f(n, 3, seed=s + 2), np.abs(_f(n, 3,
        seed=s + 3)))) + (np.int64(s),)),
    "rmsprop_cache": (rmsprop_cache, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1),
        np.abs(_f(n, 3, seed=s + 2)))),
    "adagrad_inplace": (adagrad_inplace, {}, lambda s, n: ({"W": _f(n, 2, seed=s), "b": _f(2,
        seed=s)}, {"W": _f(n, 2, seed=s + 1), "b": _f(2, seed=s + 1)}, {"W": np.abs(_f(n, 2,
        seed=s + 2)), "b": np.abs(_f(2, seed=s + 2))})),
    "clip_grads_by_global_norm": (clip_grads_by_global_norm, {}, lambda s, n: ({"a": _f(n, seed=s),
        "b": _f(n, 2, seed=s) * 0.1 * s},)),
    "clip_grad_value_inplace": (clip_grad_value_inplace, {}, lambda s, n: ([_f(n, seed=s), _f(n, 2,
        seed=s + 1).astype(np.float32)],)),
    "lr_schedules": (lr_schedules, {}, lambda s, n: (np.arange(n * 5),)),
    "sgd_training_loop_linear": (sgd_training_loop_linear, {}, lambda s, n: (_f(n * 2, 3, seed=s),
        _f(n * 2, seed=s))),
    "logistic_regression_gd": (logistic_regression_gd, {}, lambda s, n: (_f(n * 2, 3,
        seed=s).astype(np.float32), _i(2, n * 2, seed=s))),
    "minibatch_sgd_seeded": (minibatch_sgd_seeded, {}, lambda s, n: (_f(n * 2, 3, seed=s),
        _f(n * 2, seed=s))),
    "batchnorm_forward_backward": (batchnorm_forward_backward, {}, lambda s, n: (_f(n, 3, seed=s),
        _f(3, seed=s), _f(3, seed=s + 1), _f(n, 3, seed=s + 2))),
    "batchnorm_running_stats": (batchnorm_running_stats, {}, lambda s, n: (_f(n, 3, seed=s), _f(3,
        seed=s), _f(3, seed=s + 1), _f(3, seed=s + 2), np.abs(_f(3, seed=s + 3)))),
    "layernorm_backward": (layernorm_backward, {}, lambda s, n: (_f(n, 5, seed=s), _f(n, 5,
        seed=s + 1), _f(5, seed=s + 2))),
    "dropout_forward_seeded": (dropout_forward_seeded, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "dropout_randomstate_float32": (dropout_randomstate_float32, {}, lambda s, n: (_f(n, 3,
        seed=s).astype(np.float32),)),
    "weight_decay_l2_dict": (weight_decay_l2_dict, {}, lambda s, n: (_mlp_params(s, n),)),
    "ema_of_params": (ema_of_params, {}, lambda s, n: (_mlp_params(s, n), _mlp_params(s + 5, n))),
    "softmax_xent_backward": (softmax_xent_backward, {}, lambda s, n: (_f(n, 3, seed=s), _i(3, n,
        seed=s))),
    "two_layer_train_step": (two_layer_train_step, {}, lambda s, n: (_mlp_params(s, n), _f(5, 3,
        seed=s), _i(2, 5, seed=s))),
    "gradient_check_numeric": (gradient_check_numeric, {}, lambda s, n: (_f(3, seed=s), _f(n, 3,
        seed=s + 1), _f(n, seed=s + 2))),
    "one_hot_dna": (one_hot_dna, {}, lambda s, n: (_i(4, n * 2, seed=s),)),
    "one_hot_eye_index": (one_hot_eye_index, {}, lambda s, n: (_i(4, n, 3, seed=s),)),
    "reverse_complement_onehot": (reverse_complement_onehot, {}, lambda s, n: (np.eye(4)[_i(4, n,
        seed=s)],)),
    "reverse_complement_codes": (reverse_complement_codes, {}, lambda s, n: (_i(4, n,
        seed=s).astype(np.uint8),)),
    "gc_content_windows": (gc_content_windows, {}, lambda s, n: (_i(4, n * 3, seed=s),)),
    "needleman_wunsch": (needleman_wunsch, {}, lambda s, n: (_i(4, n, seed=s), _i(4, n + 1,
        seed=s + 1))),
    "edit_distance_int": (edit_distance_int, {}, lambda s, n: (_i(4, n, seed=s), _i(4, n - 1,
        seed=s + 1))),
    "edit_distance_rowwise": (edit_distance_rowwise, {}, lambda s, n: (_i(4, n, seed=s), _i(4,
        n + 1, seed=s + 1))),
    "smith_waterman_score": (smith_waterman_score, {}, lambda s, n: (_i(4, n, seed=s), _i(4, n + 1,
        seed=s + 1))),
    "pwm_scores": (pwm_scores, {}, lambda s, n: (_i(4, n * 2, seed=s), _f(3, 4, seed=s))),
    "pwm_log_odds": (pwm_log_odds, {}, lambda s, n: (_i(10, n, 4, seed=s),)),
    "hamming_distance_matrix": (hamming_distance_matrix, {}, lambda s, n: (_i(4, n, 6,
        seed=s).astype(np.int8),)),
    "codon_translate_index": (codon_translate_index, {}, lambda s, n: (_i(4, n * 3 + 1, seed=s),
        np.arange(64) % 21)),
    "tfidf_counts": (tfidf_counts, {}, lambda s, n: (_i(3, n, 6, seed=s),)),
    "cosine_similarity_matrix": (cosine_similarity_matrix, {}, lambda s, n: (_f(n, 5,
        seed=s).astype(np.float32),)),
    "bm25_scores": (bm25_scores, {}, lambda s, n: (_i(4, n, 6, seed=s), _i(2, 6, seed=s + 1))),
    "bag_of_words_from_ids": (bag_of_words_from_ids, {}, lambda s, n: (_i(8, 3, n, seed=s),)),
    "ngram_hash_features": (ngram_hash_features, {}, lambda s, n: (_i(50, n * 2, seed=s),)),
    "jaccard_binary": (jaccard_binary, {}, lambda s, n: (_i(2, n, 5, seed=s),)),
    "ppmi_matrix": (ppmi_matrix, {}, lambda s, n: (_i(4, n, n, seed=s).astype(float),)),
    "word_embedding_mean_pool": (word_embedding_mean_pool, {}, lambda s, n: (_f(10, 3, seed=s),
        _i(10, n, 5, seed=s), _i(2, n, 5, seed=s + 1).astype(np.float32))),
    "sequence_entropy_per_column": (sequence_entropy_per_column, {}, lambda s, n: (_i(4, n + 3, n,
        seed=s),)),
    "ewma_loop": (ewma_loop, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "ewma_convolve": (ewma_convolve, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "ewma_vectorized_powers": (ewma_vectorized_powers, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "rolling_mean_cumsum": (rolling_mean_cumsum, {}, lambda s, n: (_i(10, n * 2, seed=s),)),
    "rolling_std_cumsum": (rolling_std_cumsum, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "rolling_zscore_windows": (rolling_zscore_windows, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "autocorr_fft": (autocorr_fft, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "autocorr_direct": (autocorr_direct, {}, lambda s, n: (_i(9, n * 2, seed=s),)),
    "ar_fit_lstsq": (ar_fit_lstsq, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "ar_forecast_loop": (ar_forecast_loop, {}, lambda s, n: (_f(3, seed=s) * 0.3, _f(n, seed=s))),
    "yule_walker": (yule_walker, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "holt_linear": (holt_linear, {}, lambda s, n: (_prices(n * 2, s),)),
    "holt_winters_additive": (holt_winters_additive, {}, lambda s, n: (_prices(n * 3,
        s) + np.tile([1.0, -1, 2, 0], n * 3 // 4 + 1)[: n * 3],)),
    "max_drawdown_accumulate": (max_drawdown_accumulate, {}, lambda s, n: (_prices(n * 2, s),)),
    "underwater_duration": (underwater_duration, {}, lambda s, n: (_prices(n * 2, s),)),
    "rank_transform_argsort": (rank_transform_argsort, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "percentile_rank_columns": (percentile_rank_columns, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "gaussian_rank_transform": (gaussian_rank_transform, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "log_returns_vol": (log_returns_vol, {}, lambda s, n: (_prices(n * 2, s),)),
    "rolling_beta": (rolling_beta, {}, lambda s, n: (_f(n * 2, seed=s), _f(n * 2, seed=s + 1))),
    "seasonal_decompose_additive": (seasonal_decompose_additive, {}, lambda s, n: (_f(n * 3,
        seed=s),)),
    "differencing_and_undo": (differencing_and_undo, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "cusum_detector": (cusum_detector, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "garch_variance": (garch_variance, {}, lambda s, n: (0.02 * _f(n * 2, seed=s),)),
    "lagged_matrix_ols": (lagged_matrix_ols, {}, lambda s, n: (_f(n * 2, seed=s), _f(n * 2, 2,
        seed=s + 1))),
    "ols_newey_west_se": (ols_newey_west_se, {}, lambda s, n: (np.column_stack([np.ones(n * 3),
        _f(n * 3, 2, seed=s)]), _f(n * 3, seed=s + 1))),
    "bollinger_bands": (bollinger_bands, {}, lambda s, n: (_prices(n * 2, s),)),
    "rsi_wilder": (rsi_wilder, {}, lambda s, n: (_prices(n * 2, s),)),
    "cross_correlation_lags": (cross_correlation_lags, {}, lambda s, n: (_f(n * 2, seed=s),
        _f(n * 2, seed=s + 1))),
    "q_learning_random_mdp": (q_learning_random_mdp, {}, lambda s, n: (
        _f(n, 2, n, positive=True, seed=s), _f(n, 2, seed=s))),
    "sarsa_lambda_traces": (sarsa_lambda_traces, {}, lambda s, n: (
        _f(n, 2, seed=s), _i(n, 6, seed=s), _i(2, 6, seed=s + 1), _f(6, seed=s))),
    "kmer_counts_add_at": (kmer_counts_add_at, {}, lambda s, n: (_i(4, n * 3, seed=s),)),
    "parallel_filters_response": (parallel_filters_response, {}, lambda s, n: (
        _f(n - 1, seed=s), np.array([1.0, -0.5]), _f(2, seed=s + 1), np.array([1.0, 0.3, 0.1]))),
    "standardize_array_api": (standardize_array_api, {}, lambda s, n: (_f(n + 2, 3, seed=s),)),
    "autocorr_fromiter": (autocorr_fromiter, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "forward_fill_nans": (forward_fill_nans, {}, lambda s, n: (_with_nans(n * 2, s),)),
    "backward_fill_nans": (backward_fill_nans, {}, lambda s, n: (_with_nans(n * 2, s),)),
    "interpolate_nans": (interpolate_nans, {}, lambda s, n: (_with_nans(n * 2, s),)),
    "shift_series": (shift_series, {}, lambda s, n: (_with_nans(n * 2, s),)),
    "shift_series_back": (shift_series, {"n": -3, "fill": 0.0}, lambda s, n: (_f(n * 2, seed=s),)),
    "pct_change_winsorized": (pct_change_winsorized, {}, lambda s, n: (_prices(n * 2, s),)),
    "phase_vocoder_stretch": (phase_vocoder_stretch, {}, lambda s, n: (
        np.fft.rfft(_f(8, n, seed=s), axis=0),)),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_domain_function_matches_numpy(name):
    """NumPy\'s values, dtypes and in-place writes (`test_corpus.check_like_numpy`)."""
    check_like_numpy(*CORPUS[name])


# ----------------------------------------------------------------------------- refused forms


def envelope_follower(x, attack=0.3, release=0.05):
    env = np.zeros_like(x)
    level = 0.0
    for i in range(len(x)):
        v = abs(x[i])
        coeff = attack if v > level else release
        level = level + coeff * (v - level)
        env[i] = level
    return env


def needleman_wunsch_builtin_max(a, b, gap=-2):
    n, m = len(a), len(b)
    F = np.zeros((n + 1, m + 1))
    F[:, 0] = gap * np.arange(n + 1)
    F[0, :] = gap * np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            s = 1 if a[i - 1] == b[j - 1] else -1
            F[i, j] = max(F[i - 1, j - 1] + s, F[i - 1, j] + gap, F[i, j - 1] + gap)
    return F[n, m]


def nms_keep_indices(boxes, scores, thr=0.3):
    order = scores.argsort()[::-1]
    x1, y1, x2, y2 = boxes.T
    areas = (x2 - x1) * (y2 - y1)
    keep = []
    while order.size > 0:
        i = order[0]
        keep.append(i)
        xx1 = np.maximum(x1[i], x1[order[1:]])
        yy1 = np.maximum(y1[i], y1[order[1:]])
        xx2 = np.minimum(x2[i], x2[order[1:]])
        yy2 = np.minimum(y2[i], y2[order[1:]])
        inter = np.maximum(0.0, xx2 - xx1) * np.maximum(0.0, yy2 - yy1)
        iou = inter / (areas[i] + areas[order[1:]] - inter)
        order = order[np.where(iou <= thr)[0] + 1]
    return np.array(keep)


def sample_without_replacement_by_policy(logits, k=2):
    rng = np.random.default_rng(0)
    p = np.exp(logits - logits.max())
    return rng.choice(len(logits), size=k, replace=False, p=p / p.sum())


def returns_into_buffer_of_length_n(rewards, n, gamma=0.9):
    out = np.zeros(n)
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        out[t % n] += running
    return out


def dropout_with_learned_keep_probability(x, logit):
    rng = np.random.default_rng(0)
    keep = 1 / (1 + np.exp(-logit))
    return x * rng.binomial(1, keep, size=x.shape) / keep


def ragged_episodes_as_objects(returns):
    episodes = np.array([returns[:2], returns[2:]], dtype=object)
    return np.array([episode.sum() for episode in episodes])


def pcm_bytes_as_int16(x):
    return np.frombuffer(x, dtype=np.int16).astype(np.float32) / 32768


def write_into_broadcast_arrays(a, b):
    x, y = np.broadcast_arrays(a, b)
    x[0] = 0.0
    return a + y.sum()


REFUSED = {
    "envelope_follower": (tracenp.errors.ConcretizationError, envelope_follower,
                          lambda s: (_f(8, seed=s),)),
    "needleman_wunsch_builtin_max": (tracenp.errors.ConcretizationError,
                                     needleman_wunsch_builtin_max,
                                     lambda s: (_i(4, 4, seed=s), _i(4, 5, seed=s + 1))),
    "nms_keep_indices": (tracenp.errors.DataDependentShapeError, nms_keep_indices,
                         lambda s: (_boxes(6, s), _f(6, seed=s))),
    "sample_without_replacement_by_policy": (tracenp.errors.UnsupportedFunctionError,
                                             sample_without_replacement_by_policy,
                                             lambda s: (_f(5, seed=s),)),
    "ragged_episodes_as_objects": (tracenp.errors.UnsupportedFunctionError,
                                   ragged_episodes_as_objects, lambda s: (_f(5, seed=s),)),
    "pcm_bytes_as_int16": (tracenp.errors.UnsupportedFunctionError, pcm_bytes_as_int16,
                           lambda s: (_i(200, 8, seed=s).astype(np.uint8),)),
    "write_into_broadcast_arrays": (tracenp.errors.UnsupportedFunctionError,
                                    write_into_broadcast_arrays,
                                    lambda s: (_f(4, seed=s), _f(3, 1, seed=s))),
}


# refused until they traced (stop 38): NumPy's values now
TRACED_NOW = {
    "dropout_with_learned_keep_probability": (dropout_with_learned_keep_probability, {},
                                              lambda s, n: (_f(5, seed=s), _f(seed=s))),
}


@pytest.mark.parametrize("name", list(TRACED_NOW))
def test_forms_once_refused_now_trace(name):
    """Forms refused until tracenp traced them: NumPy's values now."""
    check_like_numpy(*TRACED_NOW[name])


def test_a_python_int_that_sizes_a_buffer_is_static():
    """`np.zeros(n)` of a Python int argument: refused until jit made the Python scalars its
    Python needs the values of static (one trace per value of `n`)."""
    check_like_numpy(returns_into_buffer_of_length_n, {},
                     lambda s, size: (_f(size + 2, seed=s), 3 if size == 4 else 2))


@pytest.mark.filterwarnings("ignore:future versions will not create a writeable:FutureWarning")
@pytest.mark.filterwarnings("ignore:Numpy has detected that you:DeprecationWarning")
@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_raise_by_name_and_fall_back_to_numpy(name):
    """The named error, and NumPy's values under `fallback=True` (`test_corpus.check_refused`)."""
    check_refused(*REFUSED[name])


# ----------------------------------------------------------------------------- writes NumPy refuses


@pytest.mark.parametrize("fn", [
    lambda a: a.diagonal().__setitem__(0, 1.0),
    lambda a: np.diagonal(a)[1:].__imul__(2.0),
    lambda a: np.broadcast_to(a[0], (3, 4)).__setitem__((0, 0), 1.0),
    lambda a: np.broadcast_to(a, a.shape).__iadd__(1.0),
    lambda a: sliding_window_view(a[0], 2).__setitem__((0, 0), 1.0),
    lambda a: np.multiply(sliding_window_view(a, (2, 2)), 2, out=sliding_window_view(a, (2, 2))),
    lambda a: a.imag.__setitem__(0, 1.0),
    lambda a: np.imag(a).fill(1.0),
], ids=["diagonal", "diagonal_view", "broadcast_to", "broadcast_to_same_shape", "windows",
        "windows_out", "imag_of_real", "np_imag_of_real"])
def test_writes_into_read_only_views_raise_as_in_numpy(fn):
    """NumPy hands these back read-only and raises ValueError on a write; tracenp wrote into a
    copy and went on with the argument unchanged."""
    a = _f(3, 4, seed=1)
    with pytest.raises(ValueError):
        fn(a.copy())
    got = a.copy()
    with pytest.raises(ValueError, match="read-only"):
        tracenp.jit(fn)(got)
    assert_same(got, a)


def test_results_of_writable_routines_stay_writable():
    """`np.interp` with one sample point, `np.meshgrid` and `np.average(returned=True)` give
    writable arrays in NumPy: tracenp builds them by broadcasting and must not refuse writes."""
    def fn(x):
        y = np.interp(x, [0.0], [2.0])
        y[0] = 3.0
        gx, gy = np.meshgrid(x[:3], x[:2])
        gx[0, 0] = 9.0
        avg, scl = np.average(x.reshape(2, 3), axis=0, weights=np.ones(2), returned=True)
        scl[0] = 5.0
        return y, gx, gy, scl
    x = _f(6, seed=1)
    assert_same(tracenp.jit(fn)(x), fn(x))


@pytest.mark.parametrize("fn, error", [
    (lambda a: a.fill(np.nan), ValueError),
    (lambda a: a.fill(np.inf), OverflowError),
    (lambda a: a.__setitem__(0, np.nan), ValueError),
    (lambda a: a.__setitem__(slice(1, 3), np.nan), ValueError),
    (lambda a: a.__setitem__([0, 2], [1.0, np.nan]), ValueError),
    (lambda a: a.astype(np.int8).__setitem__(0, 300), OverflowError),
    (lambda a: a.astype(np.uint8).__setitem__(0, -1), OverflowError),
    (lambda a: np.zeros(3, dtype=int).__setitem__(0, np.nan), ValueError),
    (lambda a: np.put(a, [0, 1], np.nan), ValueError),
    (lambda a: np.put(a.astype(np.int8), 0, [300]), OverflowError),
    (lambda a: np.place(a, a > 2, np.nan), ValueError),
    (lambda a: np.putmask(a, a > 2, np.nan), ValueError),
    (lambda a: np.fill_diagonal(a.reshape(2, 2), np.nan), ValueError),
    (lambda a: np.put_along_axis(a, np.array([0]), np.nan, axis=0), ValueError),
], ids=["fill_nan", "fill_inf", "set_nan", "set_nan_slice", "set_list_nan", "set_300_int8",
        "set_minus_1_uint8", "set_nan_zeros_int", "put", "put_list_int8", "place", "putmask",
        "fill_diagonal", "put_along_axis"])
def test_scalars_integer_arrays_cannot_hold_raise_as_in_numpy(fn, error):
    """`labels[i] = np.nan` into an integer array: NumPy raises, tracenp stored 1 (the cast of
    NaN) or wrapped an out-of-range Python int."""
    a = _i(9, 4, seed=1)
    with pytest.raises(error):
        fn(a.copy())
    with pytest.raises(error):
        tracenp.jit(fn)(a.copy())


def test_scalars_integer_arrays_can_hold_are_written():
    def fn(a):
        a[0] = 2.7
        a[1:3] = np.float32(-1.5)
        b = a.astype(np.uint8)
        b[0] = 255
        np.put(b, [1, 2], np.int64(300))  # np.put casts NumPy scalars
        np.putmask(a, a > 2, np.float64(7.9))
        c = a.copy()
        c.fill(True)
        return a, b, c
    a = _i(9, 4, seed=1)
    assert_same(tracenp.jit(fn)(a.copy()), fn(a.copy()))


# ----------------------------------------------------------------------------- seeded draws


def policy_rollout_actions(logits, steps=3, temperature=1.0):
    rng = np.random.default_rng(1)
    z = logits / temperature
    probs = np.exp(z - z.max())
    probs /= probs.sum()
    actions = [rng.choice(len(probs), p=probs) for _ in range(steps)]
    return np.array(actions), probs


def categorical_batch(values, p):
    rng = np.random.RandomState(3)
    idx = rng.choice(len(p), size=(2, 3), p=p / p.sum())
    return idx, rng.choice(values, 4, True, p / p.sum())


def generator_choice_of_array(values, w):
    rng = np.random.default_rng(2)
    return rng.choice(values, p=w / w.sum()), rng.choice(values.shape[0], 5, p=w / w.sum())


@pytest.mark.parametrize("fn, make_args", [
    (policy_rollout_actions, lambda s: (_f(4, seed=s),)),
    (categorical_batch, lambda s: (_f(5, seed=s), _positive(s, 5))),
    (generator_choice_of_array, lambda s: (_f(5, seed=s), _positive(s, 5).astype(np.float32))),
], ids=["rollout", "random_state", "generator_array"])
def test_choice_with_traced_probabilities_draws_numpys_numbers(fn, make_args):
    """`rng.choice(k, p=probs)` of a generator seeded in the function, with probabilities the
    function computes (a policy's action draw): NumPy's draws, its scalar types (a Python int
    for `choice(k, p=p)`), on every call."""
    jf = tracenp.jit(fn)
    for s in (1, 2):
        assert_same(jf(*make_args(s)), fn(*make_args(s)))


# ----------------------------------------------------------------------------- gradients


def batchnorm_loss(params, x, dout):
    gamma, beta = params
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + 1e-5)
    return np.sum((gamma * xhat + beta) * dout)


def layernorm_loss(gamma, x, dout):
    mu = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    return np.sum(dout * gamma * (x - mu) / np.sqrt(var + 1e-5))


def softmax_xent(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -logp[np.arange(logits.shape[0]), labels].mean()


def test_grad_matches_the_hand_written_backward_passes():
    """`tracenp.grad` of batch norm (tuple parameters), layer norm and softmax cross-entropy
    against the CS231n-style backward passes above."""
    x, dout, gamma, beta = _f(6, 4, seed=1), _f(6, 4, seed=2), _f(4, seed=3), _f(4, seed=4)
    _, dx, dgamma, dbeta = batchnorm_forward_backward(x, gamma, beta, dout)
    g = tracenp.grad(batchnorm_loss)((gamma, beta), x, dout)
    assert isinstance(g, tuple)
    assert_same(g[0], dgamma, rtol=1e-9)
    assert_same(g[1], dbeta, rtol=1e-9)
    assert_same(tracenp.grad(batchnorm_loss, argnums=1)((gamma, beta), x, dout), dx, rtol=1e-7)
    dx_ln, dgamma_ln = layernorm_backward(dout, x, gamma)
    assert_same(tracenp.grad(layernorm_loss)(gamma, x, dout), dgamma_ln, rtol=1e-9)
    assert_same(tracenp.jit(tracenp.grad(layernorm_loss, argnums=1))(gamma, x, dout), dx_ln,
                rtol=1e-7)
    logits, labels = _f(6, 3, seed=5), _i(3, 6, seed=6)
    loss, dlogits = softmax_xent_backward(logits, labels)
    value, g = tracenp.value_and_grad(softmax_xent)(logits, labels)
    assert_same(g, dlogits, rtol=1e-9)
    np.testing.assert_allclose(value, loss, rtol=1e-10)


def mlp_l2_loss(params, X, y):
    h = np.tanh(X @ params["W1"] + params["b1"])
    out = h @ params["W2"] + params["b2"]
    l2 = sum(np.sum(w ** 2) for k, w in params.items() if k.startswith("W"))
    return 0.5 * np.mean((out[:, 0] - y) ** 2) + 1e-3 * l2


def policy_gradient_loss(theta, states, actions, returns):
    logits = states @ theta
    logits = logits - logits.max(axis=1, keepdims=True)
    logp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(actions)), actions] * returns)


def lqr_cost(K, A, B, x0, steps=6):
    x = x0
    J = 0.0
    for _ in range(steps):
        u = -K @ x
        J = J + x @ x + 0.1 * u @ u
        x = A @ x + B @ u
    return J


def huber_td_loss(q_params, s, a, target, delta=1.0):
    W, b = q_params
    q = (s @ W + b)[np.arange(len(a)), a]
    err = q - target
    quad = np.minimum(np.abs(err), delta)
    return np.mean(0.5 * quad ** 2 + delta * (np.abs(err) - quad))


def ar_sse(phi, x):
    p = len(phi)
    X = np.stack([x[p - k - 1: len(x) - k - 1] for k in range(p)], axis=1)
    return np.sum((x[p:] - X @ phi) ** 2)


def quat_align_loss(q, v, target):
    q = q / np.linalg.norm(q)
    w, xyz = q[0], q[1:]
    t = 2.0 * np.cross(xyz, v)
    return np.sum((v + w * t + np.cross(xyz, t) - target) ** 2)


def embedding_cosine_loss(emb, ids_a, ids_b, sim):
    a, b = emb[ids_a], emb[ids_b]
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return np.mean((cos - sim) ** 2)


def leaky_mlp_list_loss(ws, X, y):
    h = X
    for W in ws[:-1]:
        h = np.maximum(h @ W, 0.1 * h @ W)
    return np.mean((h @ ws[-1] - y) ** 2)


def relu_in_place_loss(W, X, y):
    h = X @ W
    h[h < 0] = 0
    return np.sum((h.sum(1) - y) ** 2)


def rnn_loop_loss(w, X, y):
    h = np.zeros(X.shape[0])
    for t in range(1, X.shape[0]):
        h[t] = np.tanh(X[t] @ w + 0.5 * h[t - 1])
    return np.sum((h - y) ** 2)


def kernel_ridge_diagonal_loss(W, X, y):
    K = X.T @ X * W
    np.einsum("ii->i", K)[:] += 1.0
    return np.sum(np.linalg.solve(K, X.T @ y) ** 2)


GRAD_CASES = {
    "mlp_l2_dict": (mlp_l2_loss, lambda: (
        {"W1": _f(3, 4, seed=1) * 0.5, "b1": _f(4, seed=2), "W2": _f(4, 1, seed=3),
         "b2": np.zeros(1)}, _f(8, 3, seed=4), _f(8, seed=5))),
    "policy_gradient": (policy_gradient_loss, lambda: (
        _f(3, 2, seed=1), _f(7, 3, seed=2), _i(2, 7, seed=3), _f(7, seed=4))),
    "lqr_cost": (lqr_cost, lambda: (
        0.1 * _f(1, 2, seed=1), np.array([[1.0, 0.1], [0.0, 1.0]]), np.array([[0.0], [0.1]]),
        _f(2, seed=2))),
    "huber_td_tuple": (huber_td_loss, lambda: (
        (_f(3, 2, seed=1), _f(2, seed=2)), _f(9, 3, seed=3), _i(2, 9, seed=4),
        _f(9, seed=5) * 3)),
    "ar_sse": (ar_sse, lambda: (np.array([0.3, -0.2]), _f(12, seed=1))),
    "quat_align": (quat_align_loss, lambda: (_f(4, seed=1), _f(5, 3, seed=2), _f(5, 3, seed=3))),
    "embedding_cosine": (embedding_cosine_loss, lambda: (
        _f(6, 3, seed=1), _i(6, 5, seed=2), _i(6, 5, seed=3), _f(5, seed=4) * 0.5)),
    "relu_in_place": (relu_in_place_loss, lambda: (_f(3, 4, seed=1), _f(6, 3, seed=2),
                                                   _f(6, seed=3))),
    "rnn_loop": (rnn_loop_loss, lambda: (_f(3, seed=1), _f(6, 3, seed=2), _f(6, seed=3))),
    "kernel_ridge_diagonal": (kernel_ridge_diagonal_loss, lambda: (
        _positive(1, 3, 3) + 1, _f(6, 3, seed=2), _f(6, seed=3))),
    "leaky_mlp_list": (leaky_mlp_list_loss, lambda: (
        [_f(3, 4, seed=1), _f(4, 4, seed=2), _f(4, seed=3)], _f(6, 3, seed=4), _f(6, seed=5))),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_grad_of_domain_loss_matches_finite_differences(name):
    """`value_and_grad`, eager and jitted, of losses with dict, tuple, list and array parameters
    (some writing temporaries in place, through masks and `np.einsum` views):
    NumPy's value, the finite-difference gradient, the parameters' structure and dtypes."""
    loss, make = GRAD_CASES[name]
    check_loss(loss, *make())


# ----------------------------------------------------------------------------- views and shapes


def frames_by_shape_assignment(x, frame=4):
    n = len(x) // frame * frame
    frames = x[:n] * np.hamming(n)
    frames.shape = (-1, frame)
    return frames.sum(axis=1)


def normalize_in_place_no_copy(x):
    y = x.astype(np.float64, copy=False)
    y -= y.mean()
    return y.std()


def unstack_rows_in_place(P):
    for row in np.unstack(P):
        row /= row.sum()
    return P


def nan_to_num_copy_false_and_copies(x, labels):
    np.nan_to_num(x, copy=False, posinf=1e3)
    y = np.nan_to_num(labels)
    y[0] = 99
    return x.sum(), y


@pytest.mark.parametrize("fn, make_args", [
    (frames_by_shape_assignment, lambda s: (_f(10, seed=s),)),
    (normalize_in_place_no_copy, lambda s: (_f(6, seed=s),)),
    (unstack_rows_in_place, lambda s: (_positive(s, 3, 4),)),
    (nan_to_num_copy_false_and_copies, lambda s: (np.r_[np.nan, np.inf, _f(3, seed=s)],
                                                  _i(5, 4, seed=s))),
], ids=["shape_assignment", "astype_copy_false", "unstack_views", "nan_to_num_copy"])
def test_views_and_shapes_as_numpy_makes_them(fn, make_args):
    """`x.shape = ...` of an array made in the function; `astype(same dtype, copy=False)` and
    `np.unstack` hand back the array itself and views, so writes reach the argument (they
    wrote into copies); `np.nan_to_num(x, copy=False)` writes into `x` (the write was lost),
    and `np.nan_to_num` of integers is a copy (it was `x`, so writes reached it)."""
    for s in (1, 2):
        want_args, got_args = make_args(s), make_args(s)
        assert_same(tracenp.jit(fn)(*got_args), fn(*want_args))
        assert_same(got_args, want_args)


def assign_argument_shape(x):
    x.shape = (2, -1)
    return x.sum(axis=0)


def view_used_after_shape_assignment(x):
    y = x * 2
    head = y[:2]
    y.shape = (2, -1)
    return head.sum()


@pytest.mark.parametrize("fn", [assign_argument_shape, view_used_after_shape_assignment])
def test_shape_assignment_tracenp_cannot_follow_is_refused(fn):
    """The caller's array would change shape, or a view made before would have to follow the
    new shape: refused by name, and `fallback=True` runs NumPy."""
    with pytest.raises(tracenp.errors.UnsupportedFunctionError, match="shape"):
        tracenp.jit(fn)(_f(6, seed=1))
    with pytest.warns(tracenp.TracingFallbackWarning):
        assert_same(tracenp.jit(fn, fallback=True)(_f(6, seed=1)), fn(_f(6, seed=1)))


def ridge_kernel_diagonal(K, alpha=0.5):
    np.einsum("ii->i", K)[:] += alpha
    return np.linalg.solve(K, np.ones(K.shape[0]))


def zero_diagonal_then_transpose(D):
    T = np.einsum("ij->ji", D)
    np.einsum("ii->i", D)[...] = 0.0
    return T.sum(axis=1), np.einsum("...ii->...i", D[None])


@pytest.mark.parametrize("fn, make_args", [
    (ridge_kernel_diagonal, lambda s: ((lambda a: a @ a.T)(_f(4, 4, seed=s)),)),
    (zero_diagonal_then_transpose, lambda s: (_f(3, 3, seed=s),)),
], ids=["ridge_diagonal", "zero_diagonal"])
def test_einsum_of_one_operand_without_sums_is_a_view(fn, make_args):
    """`np.einsum("ii->i", K)` and `np.einsum("ij->ji", D)` are views in NumPy: writes through
    them reach the argument, and they see later writes to it (they were copies)."""
    for s in (1, 2):
        want_args, got_args = make_args(s), make_args(s)
        assert_same(tracenp.jit(fn)(*got_args), fn(*want_args))
        assert_same(got_args, want_args)
    g = tracenp.grad(lambda K: np.sum(np.einsum("ii->i", K) ** 2))(_f(3, 3, seed=1))
    assert_same(g, np.diag(2 * np.diag(_f(3, 3, seed=1))))


def frames_follow_the_signal(x):
    frames = sliding_window_view(x, 3)[::2]
    x *= 2.0
    return frames.sum(axis=1)


def diagonal_and_broadcast_follow_the_matrix(A):
    d = np.diagonal(A)
    row = np.broadcast_to(A[0], (2, A.shape[1]))
    A[...] = A @ A.T
    return d.copy(), row.sum(axis=0)


@pytest.mark.parametrize("fn, make_args", [
    (frames_follow_the_signal, lambda s: (_f(9, seed=s),)),
    (diagonal_and_broadcast_follow_the_matrix, lambda s: (_f(3, 3, seed=s),)),
], ids=["windows", "diagonal_broadcast"])
def test_read_only_views_follow_later_writes_to_their_base(fn, make_args):
    for s in (1, 2):
        want_args, got_args = make_args(s), make_args(s)
        assert_same(tracenp.jit(fn)(*got_args), fn(*want_args))
        assert_same(got_args, want_args)
