"""Corpus, hunt G: audio/speech DSP and quantitative finance as public code writes them.

DSP: framing by `sliding_window_view`, index arrays and list comprehensions, STFT/ISTFT and
overlap-add loops, window functions, `np.convolve`/`np.correlate` in every mode, FIR and IIR
filters as Python loops over samples (biquads, one-pole, DC blockers, pre-/de-emphasis), mel
filterbanks built in loops with `np.floor`ed bins, DCT-II by a cosine matrix, MFCCs and
deltas, zero-crossing rate, RMS, autocorrelation pitch, spectral centroid, bandwidth,
rolloff, flux and flatness, `np.fft` helpers, Welch PSD, Hilbert envelopes, resampling by
`np.interp`, dB conversions, int16 PCM and float32 audio.

Finance: simple/log/cumulative returns, drawdowns by `np.maximum.accumulate`, rolling
statistics by `np.cumsum` differences and `sliding_window_view`, EWMA as loops and weights,
GARCH filters, technical indicators, Sharpe/Sortino/Calmar, beta by `np.cov`, VaR/CVaR by
`np.percentile`/`np.quantile` and sorting, Black-Scholes with `np.vectorize(math.erf)` or an
erf approximation, Greeks, binomial and trinomial trees, Monte Carlo paths from a Generator
argument, portfolio weights by `np.linalg.solve`/`inv`, bonds, amortization, IRR/YTM by
fixed-iteration Newton, NaN-bearing series and integer-day indices.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Forms that cannot be traced raise a named error and run
eagerly under `fallback=True`.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_ops import assert_same


# ------------------------------------------------------------------------------------- framing


def frame_signal_strided(x, frame_len=8, hop=4):
    n_frames = 1 + (len(x) - frame_len) // hop
    return np.lib.stride_tricks.as_strided(
        x, shape=(n_frames, frame_len), strides=(x.strides[0] * hop, x.strides[0]), writeable=False)


def frame_signal_as_strided(a, frame_len=8, hop=4):
    num_frames = 1 + (len(a) - frame_len) // hop
    shape = (num_frames, frame_len)
    strides = (a.itemsize * hop, a.itemsize)
    return np.lib.stride_tricks.as_strided(a, shape=shape, strides=strides)


def frame_signal_swv(x, frame_len=8, hop=4):
    return np.lib.stride_tricks.sliding_window_view(x, frame_len)[::hop]


def frame_signal_index(signal, frame_len=8, frame_step=4):
    signal_length = len(signal)
    num_frames = int(np.ceil(float(np.abs(signal_length - frame_len)) / frame_step))
    pad_signal_length = num_frames * frame_step + frame_len
    z = np.zeros((pad_signal_length - signal_length))
    pad_signal = np.append(signal, z)
    indices = np.tile(np.arange(0, frame_len), (num_frames, 1)) + np.tile(
        np.arange(0, num_frames * frame_step, frame_step), (frame_len, 1)).T
    return pad_signal[indices.astype(np.int32, copy=False)]


def frame_broadcast_index(x, n=8, hop=2):
    m = (len(x) - n) // hop + 1
    idx = np.arange(n)[None, :] + hop * np.arange(m)[:, None]
    return x[idx]


def frames_list_comp(x, frame_len=8, hop=4):
    return np.array([x[i:i + frame_len] for i in range(0, len(x) - frame_len + 1, hop)])


def pad_reflect_frames(x, n_fft=8, hop=2):
    x = np.pad(x, n_fft // 2, mode="reflect")
    n_frames = 1 + (len(x) - n_fft) // hop
    frames = np.stack([x[i * hop:i * hop + n_fft] for i in range(n_frames)])
    return frames


# -------------------------------------------------------------------------------- STFT / ISTFT


def stft(x, n_fft=16, hop=4, window="hann"):
    win = np.hanning(n_fft) if window == "hann" else np.hamming(n_fft)
    x = np.pad(x, (n_fft // 2, n_fft // 2), mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop]
    return np.fft.rfft(frames * win, axis=-1).T


def stft_loop(x, n_fft=16, hop=8):
    window = np.hanning(n_fft + 1)[:-1]
    n_frames = (len(x) - n_fft) // hop + 1
    out = np.empty((n_frames, n_fft // 2 + 1), dtype=np.complex128)
    for t in range(n_frames):
        out[t] = np.fft.rfft(window * x[t * hop:t * hop + n_fft])
    return out


def istft(S, n_fft=16, hop=4):
    window = np.hanning(n_fft)
    frames = np.fft.irfft(S, n=n_fft, axis=0).T
    n = n_fft + hop * (frames.shape[0] - 1)
    y = np.zeros(n)
    wsum = np.zeros(n)
    for i, fr in enumerate(frames):
        y[i * hop:i * hop + n_fft] += fr * window
        wsum[i * hop:i * hop + n_fft] += window ** 2
    nz = wsum > 1e-10
    y[nz] /= wsum[nz]
    return y


def overlap_add(frames, hop):
    n_frames, frame_len = frames.shape
    out = np.zeros((n_frames - 1) * hop + frame_len, dtype=frames.dtype)
    for i in range(n_frames):
        out[i * hop:i * hop + frame_len] += frames[i]
    return out


def power_spectrum(frames, NFFT=16):
    mag_frames = np.absolute(np.fft.rfft(frames, NFFT))
    return (1.0 / NFFT) * (mag_frames ** 2)


def spectrogram_db(x, n_fft=16, hop=4, eps=1e-10):
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop] * np.hamming(n_fft)
    S = np.abs(np.fft.rfft(frames)) ** 2
    return 10 * np.log10(np.maximum(S, eps))


def amplitude_to_db(S, ref=1.0, amin=1e-5, top_db=80.0):
    magnitude = np.abs(S)
    power = np.square(magnitude, out=magnitude)
    log_spec = 10.0 * np.log10(np.maximum(amin, power))
    log_spec -= 10.0 * np.log10(np.maximum(amin, ref))
    log_spec = np.maximum(log_spec, log_spec.max() - top_db)
    return log_spec


def db_to_amplitude(S_db, ref=1.0):
    return ref * np.power(10.0, 0.05 * S_db)


# ------------------------------------------------------------------------------------- windows


def windows_table(n):
    return np.stack([np.hanning(n), np.hamming(n), np.blackman(n), np.bartlett(n),
                     np.kaiser(n, 8.6)])


def hann_manual(N, sym=True):
    if not sym:
        N = N + 1
    n = np.arange(N)
    w = 0.5 - 0.5 * np.cos(2 * np.pi * n / (N - 1))
    return w if sym else w[:-1]


def windowed_frames(frames):
    return frames * np.hanning(frames.shape[1])[np.newaxis, :]


def kaiser_window_fir(x, numtaps=9, cutoff=0.3, beta=5.0):
    n = np.arange(numtaps) - (numtaps - 1) / 2
    h = cutoff * np.sinc(cutoff * n) * np.kaiser(numtaps, beta)
    h /= h.sum()
    return np.convolve(x, h, mode="same")


# ----------------------------------------------------------------------- convolution / filters


def convolve_modes(x, h):
    return np.convolve(x, h), np.convolve(x, h, "same"), np.convolve(x, h, mode="valid")


def correlate_modes(x, y):
    return np.correlate(x, y, "full"), np.correlate(x, y, mode="same"), np.correlate(x, y)


def fir_filter_loop(x, b):
    y = np.zeros_like(x)
    for n in range(len(x)):
        for k in range(len(b)):
            if n - k >= 0:
                y[n] += b[k] * x[n - k]
    return y


def fir_filter_conv(x, b):
    return np.convolve(x, b)[:len(x)]


def moving_average_filter(x, w=5):
    return np.convolve(x, np.ones(w) / w, mode="valid")


def lfilter_direct(b, a, x):
    y = np.zeros(len(x))
    for n in range(len(x)):
        acc = 0.0
        for k in range(len(b)):
            if n - k >= 0:
                acc += b[k] * x[n - k]
        for k in range(1, len(a)):
            if n - k >= 0:
                acc -= a[k] * y[n - k]
        y[n] = acc / a[0]
    return y


def biquad(x, b0, b1, b2, a1, a2):
    y = np.zeros_like(x)
    x1 = x2 = y1 = y2 = 0.0
    for n in range(len(x)):
        y[n] = b0 * x[n] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2, x1 = x1, x[n]
        y2, y1 = y1, y[n]
    return y


def biquad_lowpass_coeffs(fc, fs, Q=0.7071):
    w0 = 2 * np.pi * fc / fs
    alpha = np.sin(w0) / (2 * Q)
    cosw = np.cos(w0)
    b = np.array([(1 - cosw) / 2, 1 - cosw, (1 - cosw) / 2])
    a = np.array([1 + alpha, -2 * cosw, 1 - alpha])
    return b / a[0], a / a[0]


def biquad_apply_coeffs(x, fc=1000.0, fs=16000.0):
    b, a = biquad_lowpass_coeffs(fc, fs)
    y = np.zeros_like(x)
    for n in range(len(x)):
        y[n] = b[0] * x[n]
        if n >= 1:
            y[n] += b[1] * x[n - 1] - a[1] * y[n - 1]
        if n >= 2:
            y[n] += b[2] * x[n - 2] - a[2] * y[n - 2]
    return y


def one_pole_lowpass(x, alpha=0.1):
    y = np.empty_like(x)
    y[0] = alpha * x[0]
    for i in range(1, len(x)):
        y[i] = alpha * x[i] + (1 - alpha) * y[i - 1]
    return y


def dc_blocker(x, R=0.995):
    y = np.zeros(len(x))
    prev_x = 0.0
    prev_y = 0.0
    for i in range(len(x)):
        y[i] = x[i] - prev_x + R * prev_y
        prev_x = x[i]
        prev_y = y[i]
    return y


def pre_emphasis(signal, coeff=0.97):
    return np.append(signal[0], signal[1:] - coeff * signal[:-1])


def pre_emphasis_concat(x, coef=0.97):
    return np.concatenate([x[:1], x[1:] - coef * x[:-1]])


def de_emphasis(x, coeff=0.97):
    y = np.copy(x)
    for n in range(1, len(x)):
        y[n] = x[n] + coeff * y[n - 1]
    return y


def comb_filter(x, delay=3, g=0.5):
    y = np.copy(x)
    for n in range(delay, len(x)):
        y[n] += g * y[n - delay]
    return y


def envelope_follower(x, attack=0.3, release=0.05):
    env = np.zeros_like(x)
    level = 0.0
    for i, s in enumerate(np.abs(x)):
        coef = np.where(s > level, attack, release)
        level = level + coef * (s - level)
        env[i] = level
    return env


# ---------------------------------------------------------------------------------- mel / MFCC


def hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + f / 700.0)


def mel_to_hz(m):
    return 700.0 * (10 ** (m / 2595.0) - 1)


def mel_filterbank(nfilt=6, NFFT=32, sample_rate=16000):
    low_freq_mel = 0
    high_freq_mel = 2595 * np.log10(1 + (sample_rate / 2) / 700)
    mel_points = np.linspace(low_freq_mel, high_freq_mel, nfilt + 2)
    hz_points = 700 * (10 ** (mel_points / 2595) - 1)
    bin = np.floor((NFFT + 1) * hz_points / sample_rate)
    fbank = np.zeros((nfilt, int(np.floor(NFFT / 2 + 1))))
    for m in range(1, nfilt + 1):
        f_m_minus = int(bin[m - 1])
        f_m = int(bin[m])
        f_m_plus = int(bin[m + 1])
        for k in range(f_m_minus, f_m):
            fbank[m - 1, k] = (k - bin[m - 1]) / (bin[m] - bin[m - 1])
        for k in range(f_m, f_m_plus):
            fbank[m - 1, k] = (bin[m + 1] - k) / (bin[m + 1] - bin[m])
    return fbank


def apply_filterbank(pow_frames, nfilt=6):
    NFFT = 2 * (pow_frames.shape[1] - 1)
    fbank = mel_filterbank(nfilt, NFFT)
    filter_banks = np.dot(pow_frames, fbank.T)
    filter_banks = np.where(filter_banks == 0, np.finfo(float).eps, filter_banks)
    return 20 * np.log10(filter_banks)


def mel_filters_vectorized(sr=16000, n_fft=32, n_mels=5):
    fftfreqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sr / 2), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels])
    weights *= enorm[:, np.newaxis]
    return weights


def dct_matrix(n_filters, n_input):
    basis = np.empty((n_filters, n_input))
    basis[0, :] = 1.0 / np.sqrt(n_input)
    samples = np.arange(1, 2 * n_input, 2) * np.pi / (2.0 * n_input)
    for i in range(1, n_filters):
        basis[i, :] = np.cos(i * samples) * np.sqrt(2.0 / n_input)
    return basis


def dct2_ortho(x):
    N = x.shape[-1]
    n = np.arange(N)
    k = n.reshape(-1, 1)
    C = np.cos(np.pi * k * (2 * n + 1) / (2 * N))
    C[0] *= 1 / np.sqrt(2)
    return np.sqrt(2 / N) * x @ C.T


def mfcc(frames, n_mfcc=4, nfilt=6):
    pow_frames = power_spectrum(frames, 16)
    fb = apply_filterbank(pow_frames, nfilt)
    mf = fb @ dct_matrix(nfilt, nfilt).T
    mf = mf[:, 1:n_mfcc + 1]
    mf -= np.mean(mf, axis=0) + 1e-8
    return mf


def lifter(cepstra, L=22):
    nframes, ncoeff = np.shape(cepstra)
    n = np.arange(ncoeff)
    lift = 1 + (L / 2.) * np.sin(np.pi * n / L)
    return lift * cepstra


def delta(feat, N=2):
    num_frames = len(feat)
    denominator = 2 * sum([i ** 2 for i in range(1, N + 1)])
    delta_feat = np.empty_like(feat)
    padded = np.pad(feat, ((N, N), (0, 0)), mode="edge")
    for t in range(num_frames):
        delta_feat[t] = np.dot(np.arange(-N, N + 1), padded[t: t + 2 * N + 1]) / denominator
    return delta_feat


def cmvn(feats, eps=1e-10):
    return (feats - feats.mean(axis=0)) / (feats.std(axis=0) + eps)


# ------------------------------------------------------------------------------ frame features


def zero_crossing_rate(frames):
    return np.mean(np.abs(np.diff(np.sign(frames), axis=1)), axis=1) / 2


def zcr_signbit(x, frame_len=8, hop=4):
    frames = np.lib.stride_tricks.sliding_window_view(x, frame_len)[::hop]
    crossings = np.signbit(frames[:, 1:]) != np.signbit(frames[:, :-1])
    return crossings.sum(axis=1) / frame_len


def rms_frames(x, frame_length=8, hop_length=4):
    frames = np.lib.stride_tricks.sliding_window_view(x, frame_length)[::hop_length]
    return np.sqrt(np.mean(np.abs(frames) ** 2, axis=-1, keepdims=True)).T


def rms_loop(x, frame=8, hop=4):
    out = []
    for i in range(0, len(x) - frame + 1, hop):
        out.append(np.sqrt(np.mean(x[i:i + frame] ** 2)))
    return np.array(out)


def short_time_energy(frames):
    return np.sum(frames ** 2, axis=1)


def autocorr_pitch(frame, sr=8000, fmin=500, fmax=2000):
    corr = np.correlate(frame, frame, mode="full")[len(frame) - 1:]
    lag_min = int(sr / fmax)
    lag_max = int(sr / fmin)
    lag = np.argmax(corr[lag_min:lag_max]) + lag_min
    return sr / lag


def autocorrelation_fft(x):
    n = len(x)
    f = np.fft.fft(x - x.mean(), n=2 * n)
    acf = np.fft.ifft(f * np.conjugate(f))[:n].real
    return acf / acf[0]


def autocorr_normalized(x, max_lag=5):
    x = x - np.mean(x)
    r = np.array([np.sum(x[:len(x) - k] * x[k:]) for k in range(max_lag + 1)])
    return r / r[0]


def spectral_centroid(S, sr=16000):
    n_fft = 2 * (S.shape[0] - 1)
    freqs = np.fft.rfftfreq(n_fft, d=1.0 / sr)
    return np.sum(freqs[:, None] * S, axis=0) / (np.sum(S, axis=0) + 1e-10)


def spectral_bandwidth(S, sr=16000, p=2):
    freqs = np.linspace(0, sr / 2, S.shape[0])
    S_norm = S / np.sum(S, axis=0, keepdims=True)
    centroid = np.sum(freqs[:, None] * S_norm, axis=0)
    return np.sum(S_norm * np.abs(freqs[:, None] - centroid) ** p, axis=0) ** (1.0 / p)


def spectral_rolloff(S, sr=16000, roll_percent=0.85):
    freqs = np.fft.rfftfreq(2 * (S.shape[0] - 1), 1.0 / sr)
    total = np.cumsum(S, axis=0)
    threshold = roll_percent * total[-1]
    ind = np.where(total < threshold, np.nan, 1)
    return np.nanmin(ind * freqs[:, None], axis=0)


def spectral_rolloff_argmax(S, roll_percent=0.85):
    cumsum = np.cumsum(S, axis=0)
    idx = np.argmax(cumsum >= roll_percent * cumsum[-1:, :], axis=0)
    return idx


def spectral_flux(S):
    diff = np.diff(S, axis=1)
    return np.sqrt(np.sum(np.maximum(diff, 0) ** 2, axis=0))


def spectral_flatness(S, amin=1e-10):
    S = np.maximum(amin, S)
    gmean = np.exp(np.mean(np.log(S), axis=0))
    amean = np.mean(S, axis=0)
    return gmean / amean


def spectral_contrast_simple(S, n_bands=3):
    edges = np.linspace(0, S.shape[0], n_bands + 1).astype(int)
    out = np.zeros((n_bands, S.shape[1]))
    for b in range(n_bands):
        band = S[edges[b]:edges[b + 1]]
        out[b] = np.log(band.max(axis=0) + 1e-10) - np.log(band.min(axis=0) + 1e-10)
    return out


def chroma_simple(S, sr=16000):
    freqs = np.fft.rfftfreq(2 * (S.shape[0] - 1), 1 / sr)[1:]
    pitch = np.round(12 * np.log2(freqs / 440.0)).astype(int) % 12
    chroma = np.zeros((12, S.shape[1]))
    for i, p in enumerate(pitch):
        chroma[p] += S[i + 1]
    return chroma / (chroma.max(axis=0, keepdims=True) + 1e-10)


# ------------------------------------------------------------------------------- FFT utilities


def fft_magnitude_phase(x, fs=100.0):
    X = np.fft.fft(x)
    freqs = np.fft.fftfreq(len(x), d=1 / fs)
    return np.fft.fftshift(freqs), np.fft.fftshift(np.abs(X)), np.angle(X)


def rfft_peak_freq(x, fs=1000.0):
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), 1 / fs)
    return freqs[np.argmax(spectrum)]


def fft_lowpass(x, cutoff=0.2):
    X = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x))
    X[f > cutoff] = 0
    return np.fft.irfft(X, n=len(x))


def fft_convolve(x, h):
    n = len(x) + len(h) - 1
    nfft = 1 << (n - 1).bit_length()
    y = np.fft.irfft(np.fft.rfft(x, nfft) * np.fft.rfft(h, nfft), nfft)
    return y[:n]


def welch_psd(x, fs=1.0, nperseg=8):
    step = nperseg // 2
    win = np.hanning(nperseg)
    scale = 1.0 / (fs * (win ** 2).sum())
    segs = np.lib.stride_tricks.sliding_window_view(x, nperseg)[::step]
    segs = segs - segs.mean(axis=1, keepdims=True)
    P = np.abs(np.fft.rfft(segs * win, axis=1)) ** 2 * scale
    P[:, 1:-1] *= 2
    return np.fft.rfftfreq(nperseg, 1 / fs), P.mean(axis=0)


def periodogram(x, fs=1.0):
    n = len(x)
    X = np.fft.rfft(x)
    Pxx = (np.abs(X) ** 2) / (fs * n)
    if n % 2 == 0:
        Pxx[1:-1] *= 2
    else:
        Pxx[1:] *= 2
    return np.fft.rfftfreq(n, 1 / fs), Pxx


def hilbert(x):
    N = len(x)
    Xf = np.fft.fft(x, N)
    h = np.zeros(N)
    if N % 2 == 0:
        h[0] = h[N // 2] = 1
        h[1:N // 2] = 2
    else:
        h[0] = 1
        h[1:(N + 1) // 2] = 2
    return np.fft.ifft(Xf * h)


def envelope_and_phase(x, fs=100.0):
    analytic = hilbert(x)
    amp = np.abs(analytic)
    phase = np.unwrap(np.angle(analytic))
    inst_freq = np.diff(phase) / (2.0 * np.pi) * fs
    return amp, inst_freq


def cepstrum(x):
    spectrum = np.fft.fft(x)
    return np.fft.ifft(np.log(np.abs(spectrum) + 1e-12)).real


def resample_interp(x, orig_sr=16000, target_sr=8000):
    n_out = int(round(len(x) * target_sr / orig_sr))
    t_old = np.arange(len(x)) / orig_sr
    t_new = np.arange(n_out) / target_sr
    return np.interp(t_new, t_old, x)


def resample_linspace(x, n_out):
    return np.interp(np.linspace(0, len(x) - 1, n_out), np.arange(len(x)), x)


def fft_resample(x, num):
    X = np.fft.rfft(x)
    N = len(x)
    Y = np.zeros(num // 2 + 1, dtype=complex)
    m = min(len(X), len(Y))
    Y[:m] = X[:m]
    return np.fft.irfft(Y, num) * (num / N)


def spectral_subtraction(X_mag, noise_frames=2, alpha=2.0, beta=0.01):
    noise = X_mag[:, :noise_frames].mean(axis=1, keepdims=True)
    clean = X_mag ** 2 - alpha * noise ** 2
    return np.sqrt(np.maximum(clean, beta * X_mag ** 2))


def griffin_lim_step(mag, angles, n_fft=14, hop=4):
    S = mag * angles
    y = istft(S, n_fft=n_fft, hop=hop)
    rebuilt = stft(y, n_fft=n_fft, hop=hop)
    m = min(rebuilt.shape[1], mag.shape[1])
    return np.exp(1j * np.angle(rebuilt[:, :m]))


# ----------------------------------------------------------------------------------------- PCM


def pcm16_to_float(pcm):
    return pcm.astype(np.float32) / 32768.0


def float_to_pcm16(x):
    x = np.clip(x, -1.0, 1.0)
    return (x * 32767).astype(np.int16)


def float_to_pcm16_round(x):
    return np.round(np.clip(x * 32768.0, -32768, 32767)).astype("<i2")


def int16_iinfo_scale(pcm):
    info = np.iinfo(pcm.dtype)
    abs_max = 2 ** (info.bits - 1)
    offset = info.min + abs_max
    return (pcm.astype("float32") - offset) / abs_max


def normalize_peak(x, target_db=-3.0):
    peak = np.max(np.abs(x))
    gain = 10 ** (target_db / 20) / (peak + 1e-12)
    return x * gain


def mix_stereo_to_mono(x):
    return x.mean(axis=1).astype(x.dtype)


def stereo_pan(x, pan=0.3):
    left = x * np.cos((pan + 1) * np.pi / 4)
    right = x * np.sin((pan + 1) * np.pi / 4)
    return np.stack([left, right], axis=-1)


def mu_law_encode(x, mu=255):
    mu = float(mu)
    x = np.clip(x, -1, 1)
    y = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    return ((y + 1) / 2 * mu + 0.5).astype(np.int64)


def mu_law_decode(q, mu=255):
    y = 2 * (q.astype(np.float32) / mu) - 1
    return np.sign(y) * (1.0 / mu) * ((1 + mu) ** np.abs(y) - 1)


def add_noise_snr(x, noise, snr_db=10.0):
    p_sig = np.mean(x ** 2)
    p_noise = np.mean(noise ** 2)
    scale = np.sqrt(p_sig / (p_noise * 10 ** (snr_db / 10)))
    return x + scale * noise


def snr_db(clean, noisy):
    noise = noisy - clean
    return 10 * np.log10(np.sum(clean ** 2) / np.sum(noise ** 2))


def si_sdr(ref, est, eps=1e-8):
    ref = ref - ref.mean()
    est = est - est.mean()
    alpha = np.dot(est, ref) / (np.dot(ref, ref) + eps)
    target = alpha * ref
    noise = est - target
    return 10 * np.log10((np.sum(target ** 2) + eps) / (np.sum(noise ** 2) + eps))


def fade_in_out(x, fade=4):
    y = x.copy()
    ramp = np.linspace(0.0, 1.0, fade)
    y[:fade] *= ramp
    y[-fade:] *= ramp[::-1]
    return y


def sine_tone(freq, duration_n, sr=8000.0, amp=0.5):
    t = np.arange(duration_n) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def chirp_linear(t, f0=1.0, f1=10.0, t1=1.0):
    k = (f1 - f0) / t1
    return np.cos(2 * np.pi * (f0 * t + 0.5 * k * t * t))


def goertzel(x, k):
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


def dft_matrix_naive(x):
    N = len(x)
    n = np.arange(N)
    k = n.reshape((N, 1))
    M = np.exp(-2j * np.pi * k * n / N)
    return np.dot(M, x)


def fft_recursive(x):
    N = x.shape[0]
    if N <= 2:
        return dft_matrix_naive(x)
    X_even = fft_recursive(x[::2])
    X_odd = fft_recursive(x[1::2])
    factor = np.exp(-2j * np.pi * np.arange(N) / N)
    return np.concatenate([X_even + factor[:N // 2] * X_odd, X_even + factor[N // 2:] * X_odd])


def median_smooth(x, k=3):
    pad = k // 2
    xp = np.pad(x, pad, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(xp, k)
    return np.median(windows, axis=1)


def energy_vad(frames, threshold_db=-30.0):
    energy = 10 * np.log10(np.sum(frames ** 2, axis=1) + 1e-12)
    return energy > energy.max() + threshold_db


def decimate_simple(x, q=2):
    h = np.ones(q) / q
    return np.convolve(x, h, mode="full")[q - 1::q][:len(x) // q]


def upsample_zero_stuff(x, L=2):
    y = np.zeros(len(x) * L, dtype=x.dtype)
    y[::L] = x
    return y


def frame_normalize_float32(frames):
    frames = frames.astype(np.float32)
    mx = np.abs(frames).max(axis=1, keepdims=True)
    return np.divide(frames, mx, out=np.zeros_like(frames), where=mx > 0)


def log_mel_float32(S, fb):
    with np.errstate(divide="ignore"):
        mel = fb @ S
        return np.log(mel + np.float32(1e-6))


def pcm_roundtrip(pcm):
    x = pcm / 32768.0
    x = x * 0.5
    return np.clip(x * 32768, -32768, 32767).astype(np.int16)


def peak_normalize_int16(pcm):
    x = pcm.astype(np.float64)
    x /= np.abs(x).max() + 1
    return (x * np.iinfo(np.int16).max).astype(np.int16)


def _sig(s, n, m=8):
    return _f(m * n, seed=s)


def _S(s, n):
    return np.abs(_f(9, n, seed=s)) + 0.01


DSP = {
    "frame_signal_strided": (frame_signal_strided, {}, lambda s, n: (_sig(s, n),)),
    "frame_signal_strided_f32": (frame_signal_strided, {},
                                 lambda s, n: (_sig(s, n).astype(np.float32), 8, 2)),
    "frame_signal_as_strided": (frame_signal_as_strided, {}, lambda s, n: (_sig(s, n),)),
    "frame_signal_swv": (frame_signal_swv, {}, lambda s, n: (_sig(s, n),)),
    "frame_signal_index": (frame_signal_index, {}, lambda s, n: (_sig(s, n) ,)),
    "frame_broadcast_index": (frame_broadcast_index, {}, lambda s, n: (_sig(s, n),)),
    "frames_list_comp": (frames_list_comp, {}, lambda s, n: (_sig(s, n),)),
    "pad_reflect_frames": (pad_reflect_frames, {}, lambda s, n: (_sig(s, n),)),
    "stft": (stft, {}, lambda s, n: (_sig(s, n),)),
    "stft_hamming": (stft, {"window": "hamming"}, lambda s, n: (_sig(s, n),)),
    "stft_loop": (stft_loop, {}, lambda s, n: (_sig(s, n),)),
    "istft": (istft, {}, lambda s, n: (np.fft.rfft(_f(16, n, seed=s), axis=0),)),
    "overlap_add": (overlap_add, {}, lambda s, n: (_f(n, 8, seed=s), 4)),
    "overlap_add_f32": (overlap_add, {}, lambda s, n: (_f(n, 8, seed=s).astype(np.float32), 2)),
    "power_spectrum": (power_spectrum, {}, lambda s, n: (_f(n, 12, seed=s),)),
    "spectrogram_db": (spectrogram_db, {}, lambda s, n: (_sig(s, n),)),
    "amplitude_to_db": (amplitude_to_db, {}, lambda s, n: (_f(5, n, seed=s),)),
    "amplitude_to_db_complex": (amplitude_to_db, {},
        lambda s, n: (np.fft.rfft(_f(8, n, seed=s), axis=0),)),
    "db_to_amplitude": (db_to_amplitude, {}, lambda s, n: (_f(5, n, seed=s) * 20,)),
    "windows_table": (windows_table, {}, lambda s, n: (n + 1,)),
    "hann_manual": (hann_manual, {}, lambda s, n: (n,)),
    "hann_manual_periodic": (hann_manual, {"sym": False}, lambda s, n: (n,)),
    "windowed_frames": (windowed_frames, {}, lambda s, n: (_f(3, n, seed=s),)),
    "kaiser_window_fir": (kaiser_window_fir, {}, lambda s, n: (_sig(s, n),)),
    "convolve_modes": (convolve_modes, {}, lambda s, n: (_sig(s, n), _f(n - 1, seed=s + 1))),
    "convolve_modes_short_first": (convolve_modes, {},
        lambda s, n: (_f(3, seed=s), _f(n, seed=s + 1))),
    "convolve_modes_int": (convolve_modes, {},
        lambda s, n: (_i(9, 3 * n, seed=s), _i(5, 3, seed=s))),
    "correlate_modes": (correlate_modes, {}, lambda s, n: (_sig(s, n), _f(n - 1, seed=s + 1))),
    "correlate_modes_complex": (correlate_modes, {},
        lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 3), _f(3, seed=s + 1) - 2j)),
    "correlate_short_first": (correlate_modes, {},
        lambda s, n: (_f(3, seed=s), _f(n + 2, seed=s + 1))),
    "fir_filter_loop": (fir_filter_loop, {}, lambda s, n: (_f(2 * n, seed=s), _f(3, seed=s + 1))),
    "fir_filter_conv": (fir_filter_conv, {}, lambda s, n: (_f(3 * n, seed=s), _f(4, seed=s + 1))),
    "moving_average_filter": (moving_average_filter, {}, lambda s, n: (_sig(s, n),)),
    "lfilter_direct": (lfilter_direct, {},
        lambda s, n: (np.array([0.2, 0.3, 0.1]), np.array([1.0, -0.5, 0.2]), _f(3 * n, seed=s))),
    "biquad": (biquad, {}, lambda s, n: (_f(3 * n, seed=s), 0.2, 0.4, 0.2, -0.3, 0.1)),
    "biquad_f32": (biquad, {},
        lambda s, n: (_f(3 * n, seed=s).astype(np.float32), 0.2, 0.4, 0.2, -0.3, 0.1)),
    "biquad_apply_coeffs": (biquad_apply_coeffs, {},
        lambda s, n: (_f(3 * n, seed=s), 900.0 + 100 * s)),
    "one_pole_lowpass": (one_pole_lowpass, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "one_pole_lowpass_f32": (one_pole_lowpass, {},
        lambda s, n: (_f(3 * n, seed=s).astype(np.float32), 0.25)),
    "dc_blocker": (dc_blocker, {}, lambda s, n: (_f(3 * n, seed=s) + 1.0,)),
    "dc_blocker_int16": (dc_blocker, {},
        lambda s, n: ((_f(3 * n, seed=s) * 1000).astype(np.int16),)),
    "pre_emphasis": (pre_emphasis, {}, lambda s, n: (_sig(s, n),)),
    "pre_emphasis_f32": (pre_emphasis, {}, lambda s, n: (_sig(s, n).astype(np.float32),)),
    "pre_emphasis_int16": (pre_emphasis, {}, lambda s, n: ((_sig(s, n) * 1000).astype(np.int16),)),
    "pre_emphasis_concat": (pre_emphasis_concat, {}, lambda s, n: (_sig(s, n).astype(np.float32),)),
    "de_emphasis": (de_emphasis, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "comb_filter": (comb_filter, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "envelope_follower": (envelope_follower, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "mel_filterbank": (mel_filterbank, {}, lambda s, n: (n, 32, 16000)),
    "apply_filterbank": (apply_filterbank, {}, lambda s, n: (np.abs(_f(n, 17, seed=s)) ** 2,)),
    "mel_filters_vectorized": (mel_filters_vectorized, {}, lambda s, n: (16000, 32, n)),
    "dct_matrix": (dct_matrix, {}, lambda s, n: (n, 2 * n)),
    "dct2_ortho": (dct2_ortho, {}, lambda s, n: (_f(3, n, seed=s),)),
    "mfcc": (mfcc, {}, lambda s, n: (_f(n, 16, seed=s),)),
    "lifter": (lifter, {}, lambda s, n: (_f(n, 13, seed=s),)),
    "delta": (delta, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "cmvn": (cmvn, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "zero_crossing_rate": (zero_crossing_rate, {}, lambda s, n: (_f(n, 8, seed=s),)),
    "zcr_signbit": (zcr_signbit, {}, lambda s, n: (_sig(s, n),)),
    "rms_frames": (rms_frames, {}, lambda s, n: (_sig(s, n),)),
    "rms_frames_f32": (rms_frames, {}, lambda s, n: (_sig(s, n).astype(np.float32),)),
    "rms_loop": (rms_loop, {}, lambda s, n: (_sig(s, n),)),
    "short_time_energy": (short_time_energy, {}, lambda s, n: (_f(n, 8, seed=s),)),
    "autocorr_pitch": (autocorr_pitch, {},
        lambda s, n: (np.sin(2 * np.pi * 1000 * (1 + 0.1 * s) * np.arange(8 * n) / 8000),)),
    "autocorrelation_fft": (autocorrelation_fft, {}, lambda s, n: (_sig(s, n),)),
    "autocorr_normalized": (autocorr_normalized, {}, lambda s, n: (_sig(s, n),)),
    "spectral_centroid": (spectral_centroid, {}, lambda s, n: (_S(s, n),)),
    "spectral_bandwidth": (spectral_bandwidth, {}, lambda s, n: (_S(s, n),)),
    "spectral_rolloff": (spectral_rolloff, {}, lambda s, n: (_S(s, n),)),
    "spectral_rolloff_argmax": (spectral_rolloff_argmax, {}, lambda s, n: (_S(s, n),)),
    "spectral_flux": (spectral_flux, {}, lambda s, n: (_S(s, n),)),
    "spectral_flatness": (spectral_flatness, {}, lambda s, n: (_S(s, n),)),
    "spectral_contrast_simple": (spectral_contrast_simple, {}, lambda s, n: (_S(s, n),)),
    "chroma_simple": (chroma_simple, {}, lambda s, n: (_S(s, n),)),
    "fft_magnitude_phase": (fft_magnitude_phase, {}, lambda s, n: (_sig(s, n),)),
    "rfft_peak_freq": (rfft_peak_freq, {}, lambda s, n: (_sig(s, n),)),
    "fft_lowpass": (fft_lowpass, {}, lambda s, n: (_sig(s, n),)),
    "fft_lowpass_odd": (fft_lowpass, {}, lambda s, n: (_f(2 * n + 1, seed=s),)),
    "fft_convolve": (fft_convolve, {}, lambda s, n: (_sig(s, n), _f(5, seed=s))),
    "welch_psd": (welch_psd, {}, lambda s, n: (_sig(s, n), 100.0)),
    "periodogram": (periodogram, {}, lambda s, n: (_f(2 * n + 1, seed=s), 10.0)),
    "hilbert": (hilbert, {}, lambda s, n: (_f(2 * n - 1, seed=s),)),
    "envelope_and_phase": (envelope_and_phase, {},
        lambda s, n: (np.sin(np.linspace(0, 6 * s, 8 * n)) * (1 + 0.1 * _f(8 * n, seed=s)),)),
    "cepstrum": (cepstrum, {}, lambda s, n: (_sig(s, n),)),
    "resample_interp": (resample_interp, {}, lambda s, n: (_sig(s, n),)),
    "resample_interp_f32": (resample_interp, {},
        lambda s, n: (_sig(s, n).astype(np.float32), 16000, 12000)),
    "resample_linspace": (resample_linspace, {}, lambda s, n: (_sig(s, n), 3 * n)),
    "fft_resample": (fft_resample, {}, lambda s, n: (_sig(s, n), 5 * n)),
    "spectral_subtraction": (spectral_subtraction, {}, lambda s, n: (_S(s, n),)),
    "griffin_lim_step": (griffin_lim_step, {},
        lambda s, n: (_S(s, 4)[:8], np.exp(1j * _f(8, 4, seed=s)))),
    "pcm16_to_float": (pcm16_to_float, {}, lambda s, n: ((_sig(s, n) * 8000).astype(np.int16),)),
    "float_to_pcm16": (float_to_pcm16, {}, lambda s, n: (_sig(s, n),)),
    "float_to_pcm16_f32": (float_to_pcm16, {}, lambda s, n: (_sig(s, n).astype(np.float32),)),
    "float_to_pcm16_round": (float_to_pcm16_round, {},
        lambda s, n: (_sig(s, n).astype(np.float32),)),
    "int16_iinfo_scale": (int16_iinfo_scale, {},
        lambda s, n: ((_sig(s, n) * 8000).astype(np.int16),)),
    "normalize_peak": (normalize_peak, {}, lambda s, n: (_sig(s, n).astype(np.float32),)),
    "mix_stereo_to_mono": (mix_stereo_to_mono, {},
        lambda s, n: (_f(n, 2, seed=s).astype(np.float32),)),
    "mix_stereo_to_mono_int16": (mix_stereo_to_mono, {},
        lambda s, n: ((_f(n, 2, seed=s) * 900).astype(np.int16),)),
    "stereo_pan": (stereo_pan, {}, lambda s, n: (_sig(s, n).astype(np.float32), -0.2 * s)),
    "mu_law_encode": (mu_law_encode, {}, lambda s, n: (_sig(s, n) * 0.5,)),
    "mu_law_decode": (mu_law_decode, {}, lambda s, n: (_i(256, 4 * n, seed=s),)),
    "add_noise_snr": (add_noise_snr, {}, lambda s, n: (_sig(s, n), _f(8 * n, seed=s + 9), 5.0 * s)),
    "snr_db": (snr_db, {}, lambda s, n: (_sig(s, n), _sig(s, n) + 0.1 * _f(8 * n, seed=s + 2))),
    "si_sdr": (si_sdr, {}, lambda s, n: (_sig(s, n), _sig(s, n) + 0.1 * _f(8 * n, seed=s + 2))),
    "fade_in_out": (fade_in_out, {}, lambda s, n: (_sig(s, n).astype(np.float32),)),
    "sine_tone": (sine_tone, {}, lambda s, n: (440.0 * s, 8 * n)),
    "sine_tone_kw": (sine_tone, {"duration_n": 12}, lambda s, n: (440.0 * s,)),
    "chirp_linear": (chirp_linear, {}, lambda s, n: (np.linspace(0, 1, 8 * n), 1.0 + s)),
    "goertzel": (goertzel, {}, lambda s, n: (_sig(s, n), 3)),
    "dft_matrix_naive": (dft_matrix_naive, {}, lambda s, n: (_f(n, seed=s),)),
    "fft_recursive": (fft_recursive, {},
        lambda s, n: (_f(2 * n, seed=s) if n == 4 else _f(16, seed=s),)),
    "median_smooth": (median_smooth, {}, lambda s, n: (_sig(s, n),)),
    "energy_vad": (energy_vad, {}, lambda s, n: (_f(n, 8, seed=s) * np.arange(1, n + 1)[:, None],)),
    "decimate_simple": (decimate_simple, {}, lambda s, n: (_sig(s, n),)),
    "upsample_zero_stuff": (upsample_zero_stuff, {},
        lambda s, n: (_sig(s, n).astype(np.float32), 3)),
    "frame_normalize_float32": (frame_normalize_float32, {},
        lambda s, n: (np.vstack([_f(n, 8, seed=s), np.zeros((1, 8))]),)),
    "log_mel_float32": (log_mel_float32, {},
        lambda s, n: (_S(s, n).astype(np.float32), np.abs(_f(4, 9, seed=s)).astype(np.float32))),
    "pcm_roundtrip": (pcm_roundtrip, {}, lambda s, n: ((_sig(s, n) * 8000).astype(np.int16),)),
    "peak_normalize_int16": (peak_normalize_int16, {},
        lambda s, n: ((_sig(s, n) * 8000).astype(np.int16),)),
}


@pytest.mark.parametrize("name", list(DSP))
def test_audio_dsp_matches_numpy(name):
    check_like_numpy(*DSP[name])


# ------------------------------------------------------------------------------------- returns


def simple_returns(prices):
    return prices[1:] / prices[:-1] - 1


def log_returns(prices):
    return np.diff(np.log(prices), axis=0)


def pct_change(prices, periods=1):
    out = np.full(prices.shape, np.nan)
    out[periods:] = prices[periods:] / prices[:-periods] - 1.0
    return out


def cumulative_returns(returns):
    return np.cumprod(1 + returns, axis=0) - 1


def cum_log_returns(r):
    return np.exp(np.cumsum(np.log1p(r))) - 1


def total_return(prices):
    return prices[-1] / prices[0] - 1.0


def annualized_return(returns, periods_per_year=252):
    compounded = np.prod(1 + returns)
    n = returns.shape[0]
    return compounded ** (periods_per_year / n) - 1


def annualized_volatility(returns, periods=252):
    return np.std(returns, ddof=1) * np.sqrt(periods)


def drawdown(prices):
    running_max = np.maximum.accumulate(prices)
    dd = (prices - running_max) / running_max
    return dd, dd.min()


def max_drawdown_loop(returns):
    wealth = np.cumprod(1 + returns)
    peak = wealth[0]
    mdd = 0.0
    for w in wealth:
        peak = np.maximum(peak, w)
        mdd = np.minimum(mdd, w / peak - 1)
    return mdd


def drawdown_duration(prices):
    peak = np.maximum.accumulate(prices)
    underwater = prices < peak
    dur = np.zeros(len(prices), dtype=int)
    for i in range(1, len(prices)):
        dur[i] = np.where(underwater[i], dur[i - 1] + 1, 0)
    return dur


def max_drawdown_2d(prices):
    peaks = np.maximum.accumulate(prices, axis=0)
    return np.min(prices / peaks - 1.0, axis=0)


def rolling_mean_cumsum(x, window=5):
    c = np.cumsum(np.insert(x, 0, 0.0))
    return (c[window:] - c[:-window]) / window


def rolling_mean_cumsum_float(x, w=4):
    ret = np.cumsum(x, dtype=float)
    ret[w:] = ret[w:] - ret[:-w]
    return ret[w - 1:] / w


def rolling_std_swv(x, window=5):
    return np.lib.stride_tricks.sliding_window_view(x, window).std(axis=-1, ddof=1)


def rolling_std_cumsum(x, w=5):
    c1 = np.cumsum(np.concatenate([[0.0], x]))
    c2 = np.cumsum(np.concatenate([[0.0], x ** 2]))
    s1 = c1[w:] - c1[:-w]
    s2 = c2[w:] - c2[:-w]
    var = (s2 - s1 ** 2 / w) / (w - 1)
    return np.sqrt(np.maximum(var, 0))


def rolling_apply_loop(x, window=4):
    out = np.full(len(x), np.nan)
    for i in range(window - 1, len(x)):
        out[i] = x[i - window + 1:i + 1].mean()
    return out


def rolling_zscore(x, window=5):
    w = np.lib.stride_tricks.sliding_window_view(x, window)
    mu = w.mean(axis=1)
    sd = w.std(axis=1)
    return (x[window - 1:] - mu) / sd


def rolling_max_min(x, window=3):
    w = np.lib.stride_tricks.sliding_window_view(x, window, axis=0)
    return w.max(axis=-1), w.min(axis=-1)


def bollinger_bands(prices, window=5, k=2.0):
    w = np.lib.stride_tricks.sliding_window_view(prices, window)
    mid = w.mean(axis=-1)
    sd = w.std(axis=-1)
    return mid - k * sd, mid, mid + k * sd


def ewma_loop(x, alpha=0.3):
    out = np.empty_like(x)
    out[0] = x[0]
    for t in range(1, len(x)):
        out[t] = alpha * x[t] + (1 - alpha) * out[t - 1]
    return out


def ewma_span(x, span=5):
    alpha = 2.0 / (span + 1)
    s = np.zeros_like(x)
    s[0] = x[0]
    for i in range(1, x.shape[0]):
        s[i] = alpha * x[i] + (1 - alpha) * s[i - 1]
    return s


def ewma_weights(x, halflife=3.0):
    n = len(x)
    alpha = 1 - np.exp(np.log(0.5) / halflife)
    w = (1 - alpha) ** np.arange(n)[::-1]
    return np.sum(w * x) / np.sum(w)


def ewma_vectorized(data, alpha=0.2, dtype=np.float64):
    n = data.shape[0]
    scaling_factors = np.power(1. - alpha, np.arange(n + 1, dtype=dtype), dtype=dtype)
    out = np.multiply(data, (alpha * scaling_factors[-2]) / scaling_factors[:-1], dtype=dtype)
    np.cumsum(out, dtype=dtype, out=out)
    out /= scaling_factors[-2::-1]
    out += data[0] * scaling_factors[1:]
    return out


def ewma_vol(returns, lam=0.94):
    var = np.empty(len(returns))
    var[0] = returns[0] ** 2
    for t in range(1, len(returns)):
        var[t] = lam * var[t - 1] + (1 - lam) * returns[t - 1] ** 2
    return np.sqrt(var)


def garch11_filter(r, omega=1e-6, alpha=0.08, beta=0.9):
    T = len(r)
    sigma2 = np.zeros(T)
    sigma2[0] = np.var(r)
    for t in range(1, T):
        sigma2[t] = omega + alpha * r[t - 1] ** 2 + beta * sigma2[t - 1]
    ll = -0.5 * np.sum(np.log(2 * np.pi) + np.log(sigma2) + r ** 2 / sigma2)
    return sigma2, ll


def macd(prices, fast=3, slow=6, signal=2):
    def ema(x, span):
        a = 2 / (span + 1)
        out = np.zeros_like(x)
        out[0] = x[0]
        for i in range(1, len(x)):
            out[i] = a * x[i] + (1 - a) * out[i - 1]
        return out
    line = ema(prices, fast) - ema(prices, slow)
    sig = ema(line, signal)
    return line, sig, line - sig


def rsi(prices, period=5):
    deltas = np.diff(prices)
    seed = deltas[:period + 1]
    up = seed[seed >= 0].sum() / period
    down = -seed[seed < 0].sum() / period
    rs = up / down
    out = np.zeros_like(prices)
    out[:period] = 100. - 100. / (1. + rs)
    for i in range(period, len(prices)):
        delta = deltas[i - 1]
        upval = np.maximum(delta, 0.)
        downval = np.maximum(-delta, 0.)
        up = (up * (period - 1) + upval) / period
        down = (down * (period - 1) + downval) / period
        rs = up / down
        out[i] = 100. - 100. / (1. + rs)
    return out


def rsi_vectorized(prices, n=5):
    d = np.diff(prices)
    gains = np.where(d > 0, d, 0.0)
    losses = np.where(d < 0, -d, 0.0)
    k = np.ones(n) / n
    avg_g = np.convolve(gains, k, mode="valid")
    avg_l = np.convolve(losses, k, mode="valid")
    rs = np.divide(avg_g, avg_l, out=np.full_like(avg_g, np.inf), where=avg_l != 0)
    return 100 - 100 / (1 + rs)


def sma_crossover_signal(prices, short=3, long=6):
    s = np.convolve(prices, np.ones(short) / short, mode="valid")[long - short:]
    l = np.convolve(prices, np.ones(long) / long, mode="valid")
    signal = np.where(s > l, 1, -1)
    position_change = np.diff(signal, prepend=signal[0])
    return signal, position_change


def momentum(prices, lookback=3):
    return prices[lookback:] / prices[:-lookback] - 1


def vwap(price, volume):
    return np.cumsum(price * volume) / np.cumsum(volume)


def atr(high, low, close, n=3):
    prev_close = np.roll(close, 1)
    prev_close[0] = close[0]
    tr = np.maximum.reduce([high - low, np.abs(high - prev_close), np.abs(low - prev_close)])
    atr = np.zeros_like(tr)
    atr[n - 1] = tr[:n].mean()
    for i in range(n, len(tr)):
        atr[i] = (atr[i - 1] * (n - 1) + tr[i]) / n
    return atr


# --------------------------------------------------------------------------------- risk ratios


def sharpe_ratio(returns, rf=0.0, periods=252):
    excess = returns - rf / periods
    return np.sqrt(periods) * excess.mean() / excess.std(ddof=1)


def sortino_ratio(returns, target=0.0, periods=252):
    downside = np.minimum(returns - target, 0)
    dd = np.sqrt(np.mean(downside ** 2))
    return np.mean(returns - target) / dd * np.sqrt(periods)


def sortino_masked(returns, rf=0.0):
    neg = returns[returns < rf]
    return (returns.mean() - rf) / neg.std() * np.sqrt(252)


def calmar_ratio(returns, periods=252):
    wealth = np.cumprod(1 + returns)
    peak = np.maximum.accumulate(wealth)
    mdd = np.max(1 - wealth / peak)
    ann = wealth[-1] ** (periods / len(returns)) - 1
    return ann / mdd


def information_ratio(returns, benchmark):
    active = returns - benchmark
    return active.mean() / active.std(ddof=1)


def omega_ratio(returns, threshold=0.0):
    excess = returns - threshold
    gains = excess[excess > 0].sum()
    losses = -excess[excess < 0].sum()
    return gains / losses


def beta_cov(asset, market):
    cov = np.cov(asset, market)
    return cov[0, 1] / cov[1, 1]


def alpha_beta_polyfit(asset, market):
    beta, alpha = np.polyfit(market, asset, 1)
    return alpha, beta


def beta_lstsq(asset, market):
    X = np.column_stack([np.ones_like(market), market])
    coef, *_ = np.linalg.lstsq(X, asset, rcond=None)
    return coef


def correlation_matrix(returns):
    return np.corrcoef(returns, rowvar=False)


def rolling_beta(asset, market, window=5):
    a = np.lib.stride_tricks.sliding_window_view(asset, window)
    m = np.lib.stride_tricks.sliding_window_view(market, window)
    am = a - a.mean(axis=1, keepdims=True)
    mm = m - m.mean(axis=1, keepdims=True)
    return (am * mm).sum(axis=1) / (mm ** 2).sum(axis=1)


def tracking_error(r, b, periods=252):
    return np.std(r - b, ddof=1) * np.sqrt(periods)


def downside_deviation(r, mar=0.0):
    d = np.clip(r - mar, None, 0)
    return np.sqrt((d ** 2).sum() / len(r))


# ----------------------------------------------------------------------------------------- VaR


def var_historical(returns, alpha=0.05):
    return -np.percentile(returns, 100 * alpha)


def var_quantile(returns, level=0.95):
    return -np.quantile(returns, 1 - level)


def cvar_historical(returns, alpha=0.05):
    var = np.percentile(returns, alpha * 100)
    return -returns[returns <= var].mean()


def cvar_sorted(returns, alpha=0.05):
    sorted_r = np.sort(returns)
    k = int(np.ceil(alpha * len(sorted_r)))
    return -sorted_r[:k].mean(), -sorted_r[k - 1]


def var_parametric(returns, z=1.645, value=1e6):
    mu = np.mean(returns)
    sigma = np.std(returns)
    return value * (z * sigma - mu)


def var_portfolio_matrix(returns, weights, alpha=5.0):
    port = returns @ weights
    return -np.percentile(port, alpha, method="lower"), -np.percentile(port, alpha, axis=0)


def var_multi_quantile(returns):
    return np.quantile(returns, [0.01, 0.05, 0.1], axis=0)


def expected_shortfall_nan(returns, q=0.05):
    r = returns[~np.isnan(returns)]
    cutoff = np.nanquantile(returns, q)
    return -np.mean(r[r <= cutoff])


# ------------------------------------------------------------------------------- Black-Scholes


def norm_cdf_erf(x):
    return 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def norm_cdf_approx(x):
    a1, a2, a3, a4, a5 = 0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429
    p = 0.3275911
    sign = np.sign(x)
    z = np.abs(x) / np.sqrt(2.0)
    t = 1.0 / (1.0 + p * z)
    y = 1.0 - (((((a5 * t + a4) * t) + a3) * t + a2) * t + a1) * t * np.exp(-z * z)
    return 0.5 * (1.0 + sign * y)


def norm_pdf(x):
    return np.exp(-0.5 * x ** 2) / np.sqrt(2 * np.pi)


def black_scholes_call(S, K, T, r, sigma):
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    return S * norm_cdf_erf(d1) - K * np.exp(-r * T) * norm_cdf_erf(d2)


def black_scholes(S, K, T, r, sigma, option="call"):
    d1 = (np.log(S / K) + (r + sigma ** 2 / 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    if option == "call":
        return S * norm_cdf_approx(d1) - K * np.exp(-r * T) * norm_cdf_approx(d2)
    return K * np.exp(-r * T) * norm_cdf_approx(-d2) - S * norm_cdf_approx(-d1)


def bs_greeks(S, K, T, r, sigma):
    sqrtT = np.sqrt(T)
    d1 = (np.log(S / K) + (r + 0.5 * sigma * sigma) * T) / (sigma * sqrtT)
    d2 = d1 - sigma * sqrtT
    pdf = norm_pdf(d1)
    return {
        "delta": norm_cdf_approx(d1),
        "gamma": pdf / (S * sigma * sqrtT),
        "vega": S * pdf * sqrtT / 100,
        "theta": (-S * pdf * sigma / (2 * sqrtT)
                  - r * K * np.exp(-r * T) * norm_cdf_approx(d2)) / 365,
        "rho": K * T * np.exp(-r * T) * norm_cdf_approx(d2) / 100,
    }


def put_call_parity(call, S, K, T, r):
    return call - S + K * np.exp(-r * T)


def implied_vol_newton(price, S, K, T, r, n_iter=20):
    sigma = np.full_like(price, 0.3)
    for _ in range(n_iter):
        d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
        d2 = d1 - sigma * np.sqrt(T)
        model = S * norm_cdf_approx(d1) - K * np.exp(-r * T) * norm_cdf_approx(d2)
        vega = S * norm_pdf(d1) * np.sqrt(T)
        sigma = sigma - (model - price) / vega
        sigma = np.clip(sigma, 1e-4, 5.0)
    return sigma


def bachelier_call(F, K, T, sigma_n):
    s = sigma_n * np.sqrt(T)
    d = (F - K) / s
    return (F - K) * norm_cdf_approx(d) + s * norm_pdf(d)


# --------------------------------------------------------------------------------------- trees


def binomial_tree_european(S, K, T, r, sigma, N=20, call=True):
    dt = T / N
    u = np.exp(sigma * np.sqrt(dt))
    d = 1 / u
    p = (np.exp(r * dt) - d) / (u - d)
    disc = np.exp(-r * dt)
    ST = S * u ** np.arange(N, -1, -1) * d ** np.arange(0, N + 1)
    V = np.maximum(ST - K, 0) if call else np.maximum(K - ST, 0)
    for i in range(N - 1, -1, -1):
        V = disc * (p * V[:-1] + (1 - p) * V[1:])
    return V[0]


def binomial_tree_american_put(S, K, T, r, sigma, N=15):
    dt = T / N
    u = np.exp(sigma * np.sqrt(dt))
    d = 1.0 / u
    q = (np.exp(r * dt) - d) / (u - d)
    disc = np.exp(-r * dt)
    j = np.arange(N + 1)
    prices = S * d ** (N - j) * u ** j
    values = np.maximum(K - prices, 0.0)
    for i in range(N - 1, -1, -1):
        j = np.arange(i + 1)
        prices = S * d ** (i - j) * u ** j
        values = disc * (q * values[1:i + 2] + (1 - q) * values[0:i + 1])
        values = np.maximum(values, K - prices)
    return values[0]


def binomial_tree_matrix(S0, K, T, r, sigma, N=8):
    dt = T / N
    u = np.exp(sigma * np.sqrt(dt)); d = 1 / u
    p = (np.exp(r * dt) - d) / (u - d)
    stock = np.zeros((N + 1, N + 1))
    for i in range(N + 1):
        for j in range(i + 1):
            stock[j, i] = S0 * u ** (i - j) * d ** j
    option = np.zeros_like(stock)
    option[:, N] = np.maximum(stock[:, N] - K, 0)
    for i in range(N - 1, -1, -1):
        for j in range(i + 1):
            option[j, i] = np.exp(-r * dt) * (p * option[j, i + 1] + (1 - p) * option[j + 1, i + 1])
    return option[0, 0], stock


def trinomial_tree(S, K, T, r, sigma, N=10):
    dt = T / N
    u = np.exp(sigma * np.sqrt(2 * dt))
    pu = ((np.exp(r * dt / 2) - np.exp(-sigma * np.sqrt(dt / 2))) /
          (np.exp(sigma * np.sqrt(dt / 2)) - np.exp(-sigma * np.sqrt(dt / 2)))) ** 2
    pd = ((np.exp(sigma * np.sqrt(dt / 2)) - np.exp(r * dt / 2)) /
          (np.exp(sigma * np.sqrt(dt / 2)) - np.exp(-sigma * np.sqrt(dt / 2)))) ** 2
    pm = 1 - pu - pd
    ST = S * u ** np.arange(-N, N + 1)
    V = np.maximum(ST - K, 0)
    for _ in range(N):
        V = np.exp(-r * dt) * (pu * V[2:] + pm * V[1:-1] + pd * V[:-2])
    return V[0]


# --------------------------------------------------------------------------------- Monte Carlo


def gbm_paths(rng, S0=100.0, mu=0.05, sigma=0.2, T=1.0, n_steps=10, n_paths=6):
    dt = T / n_steps
    Z = rng.standard_normal((n_paths, n_steps))
    increments = (mu - 0.5 * sigma ** 2) * dt + sigma * np.sqrt(dt) * Z
    log_paths = np.cumsum(increments, axis=1)
    paths = S0 * np.exp(np.hstack([np.zeros((n_paths, 1)), log_paths]))
    return paths


def gbm_loop(rng, S0=100.0, r=0.03, sigma=0.25, T=1.0, steps=8, n=5):
    dt = T / steps
    S = np.zeros((steps + 1, n))
    S[0] = S0
    for t in range(1, steps + 1):
        z = rng.normal(size=n)
        S[t] = S[t - 1] * np.exp((r - 0.5 * sigma ** 2) * dt + sigma * np.sqrt(dt) * z)
    return S


def mc_european_call(rng, S0=100.0, K=100.0, r=0.05, sigma=0.2, T=1.0, n=1000):
    z = rng.standard_normal(n)
    ST = S0 * np.exp((r - 0.5 * sigma ** 2) * T + sigma * np.sqrt(T) * z)
    payoff = np.maximum(ST - K, 0)
    price = np.exp(-r * T) * payoff.mean()
    stderr = np.exp(-r * T) * payoff.std(ddof=1) / np.sqrt(n)
    return price, stderr


def mc_asian_antithetic(rng, S0=100.0, K=95.0, r=0.02, sigma=0.3, T=1.0, m=12, n=200):
    dt = T / m
    z = rng.standard_normal((n, m))
    z = np.concatenate([z, -z])
    paths = S0 * np.exp(np.cumsum((r - 0.5 * sigma ** 2) * dt + sigma * np.sqrt(dt) * z, axis=1))
    avg = paths.mean(axis=1)
    return np.exp(-r * T) * np.maximum(avg - K, 0).mean()


def mc_correlated_assets(rng, S0, cov, T=1.0, steps=5, n=4):
    L = np.linalg.cholesky(cov)
    dt = T / steps
    paths = np.empty((steps + 1, n, len(S0)))
    paths[0] = S0
    for t in range(steps):
        z = rng.standard_normal((n, len(S0))) @ L.T
        paths[t + 1] = paths[t] * np.exp(-0.5 * np.diag(cov) * dt + np.sqrt(dt) * z)
    return paths


def heston_euler(rng, S0=100.0, v0=0.04, kappa=2.0, theta=0.04, xi=0.3, rho=-0.7, T=1.0,
                 steps=10, n=8):
    dt = T / steps
    S = np.full(n, S0)
    v = np.full(n, v0)
    for _ in range(steps):
        z1 = rng.standard_normal(n)
        z2 = rho * z1 + np.sqrt(1 - rho ** 2) * rng.standard_normal(n)
        vp = np.maximum(v, 0)
        S = S * np.exp(-0.5 * vp * dt + np.sqrt(vp * dt) * z1)
        v = v + kappa * (theta - vp) * dt + xi * np.sqrt(vp * dt) * z2
    return S, v


def bootstrap_sharpe(rng, returns, n_boot=50):
    idx = rng.integers(0, len(returns), size=(n_boot, len(returns)))
    samples = returns[idx]
    sr = samples.mean(axis=1) / samples.std(axis=1, ddof=1)
    return np.percentile(sr, [2.5, 97.5])


def random_portfolios(rng, mu, cov, n=20):
    w = rng.random((n, len(mu)))
    w /= w.sum(axis=1, keepdims=True)
    rets = w @ mu
    vols = np.sqrt(np.einsum("ij,jk,ik->i", w, cov, w))
    return rets, vols, rets / vols


# ----------------------------------------------------------------------------------- portfolio


def portfolio_variance(w, cov):
    return w @ cov @ w


def portfolio_stats(weights, mean_returns, cov_matrix, periods=252):
    ret = np.sum(mean_returns * weights) * periods
    std = np.sqrt(np.dot(weights.T, np.dot(cov_matrix, weights))) * np.sqrt(periods)
    return ret, std


def min_variance_weights(cov):
    ones = np.ones(cov.shape[0])
    inv = np.linalg.inv(cov)
    w = inv @ ones
    return w / (ones @ inv @ ones)


def min_variance_solve(cov):
    n = len(cov)
    w = np.linalg.solve(cov, np.ones(n))
    return w / w.sum()


def tangency_weights(mu, cov, rf=0.01):
    excess = mu - rf
    w = np.linalg.solve(cov, excess)
    return w / np.sum(w)


def markowitz_kkt(mu, cov, target=0.1):
    n = len(mu)
    A = np.zeros((n + 2, n + 2))
    A[:n, :n] = 2 * cov
    A[:n, n] = mu
    A[:n, n + 1] = 1
    A[n, :n] = mu
    A[n + 1, :n] = 1
    b = np.zeros(n + 2)
    b[n] = target
    b[n + 1] = 1
    return np.linalg.solve(A, b)[:n]


def efficient_frontier(mu, cov, targets):
    inv = np.linalg.inv(cov)
    ones = np.ones(len(mu))
    a = ones @ inv @ ones
    b = ones @ inv @ mu
    c = mu @ inv @ mu
    d = a * c - b ** 2
    return np.sqrt((a * targets ** 2 - 2 * b * targets + c) / d)


def risk_contributions(w, cov):
    port_var = w @ cov @ w
    mrc = cov @ w
    return w * mrc / port_var


def risk_parity_iter(cov, n_iter=50):
    n = cov.shape[0]
    w = np.ones(n) / n
    for _ in range(n_iter):
        mrc = cov @ w
        rc = w * mrc
        w = w * (rc.mean() / rc) ** 0.5
        w /= w.sum()
    return w


def inverse_vol_weights(returns):
    vol = returns.std(axis=0, ddof=1)
    iv = 1.0 / vol
    return iv / iv.sum()


def rebalance(holdings, prices, target_w):
    value = holdings * prices
    total = value.sum()
    target_value = total * target_w
    trades = (target_value - value) / prices
    return np.round(trades, 2), np.floor(target_value / prices).astype(np.int64)


def shrinkage_cov(returns, delta=0.2):
    S = np.cov(returns, rowvar=False)
    F = np.diag(np.diag(S))
    mu = np.trace(S) / S.shape[0]
    target = mu * np.eye(S.shape[0])
    return delta * target + (1 - delta) * S, F


def ewma_cov(returns, lam=0.94):
    T, n = returns.shape
    S = np.cov(returns[:3].T)
    for t in range(3, T):
        r = returns[t][:, None]
        S = lam * S + (1 - lam) * (r @ r.T)
    return S


def portfolio_backtest(returns, weights):
    port = returns @ weights
    equity = np.cumprod(1 + port)
    return {"equity": equity, "total": equity[-1] - 1, "vol": port.std() * np.sqrt(252)}


def turnover(weights_t):
    return np.abs(np.diff(weights_t, axis=0)).sum(axis=1) / 2


# -------------------------------------------------------------------------------- fixed income


def bond_price(face, coupon_rate, ytm, n_periods, freq=2):
    c = face * coupon_rate / freq
    t = np.arange(1, n_periods + 1)
    df = (1 + ytm / freq) ** -t
    return c * df.sum() + face * df[-1]


def bond_price_loop(face, c_rate, y, n):
    price = 0.0
    for t in range(1, n + 1):
        price += face * c_rate / (1 + y) ** t
    price += face / (1 + y) ** n
    return price


def macaulay_duration(cashflows, times, y):
    df = np.exp(-y * times)
    pv = cashflows * df
    return np.sum(times * pv) / np.sum(pv)


def duration_convexity(face, coupon, ytm, years, freq=2):
    n = int(years * freq)
    t = np.arange(1, n + 1) / freq
    cf = np.full(n, face * coupon / freq)
    cf[-1] += face
    disc = (1 + ytm / freq) ** (-t * freq)
    pv = cf * disc
    price = pv.sum()
    dur = (t * pv).sum() / price
    mod = dur / (1 + ytm / freq)
    conv = (pv * t * (t + 1 / freq)).sum() / (price * (1 + ytm / freq) ** 2)
    return price, dur, mod, conv


def ytm_newton(price, face, coupon, n, n_iter=30):
    y = 0.05
    c = face * coupon
    t = np.arange(1, n + 1)
    for _ in range(n_iter):
        df = (1 + y) ** -t
        f = c * df.sum() + face * df[-1] - price
        fp = -(c * (t * df / (1 + y)).sum() + n * face * df[-1] / (1 + y))
        y = y - f / fp
    return y


def irr_newton(cashflows, guess=0.1, iters=50):
    r = guess
    t = np.arange(len(cashflows))
    for _ in range(iters):
        npv = np.sum(cashflows / (1 + r) ** t)
        d_npv = np.sum(-t * cashflows / (1 + r) ** (t + 1))
        r = r - npv / d_npv
    return r


def npv(rate, cashflows):
    return (cashflows / (1 + rate) ** np.arange(0, len(cashflows))).sum(axis=0)


def npv_powers(rate, values):
    values = np.atleast_2d(values)
    timestep_array = np.arange(0, values.shape[1])
    npv = (values / (1 + rate) ** timestep_array).sum(axis=1)
    return npv[0]


def amortization_schedule(principal, annual_rate, years, per_year=12):
    n = years * per_year
    r = annual_rate / per_year
    payment = principal * r / (1 - (1 + r) ** -n)
    balance = np.empty(n + 1)
    interest = np.empty(n)
    balance[0] = principal
    for k in range(n):
        interest[k] = balance[k] * r
        balance[k + 1] = balance[k] - (payment - interest[k])
    return payment, interest, balance


def amortization_vectorized(P, rate, n=12):
    k = np.arange(1, n + 1)
    pmt = P * rate / (1 - (1 + rate) ** (-n))
    bal = P * (1 + rate) ** k - pmt * ((1 + rate) ** k - 1) / rate
    return pmt, bal


def pmt(rate, nper, pv, fv=0.0, when=0):
    temp = (1 + rate) ** nper
    fact = np.where(rate == 0, nper, (1 + rate * when) * (temp - 1) / np.where(rate == 0, 1, rate))
    return -(fv + pv * temp) / fact


def fv_annuity(rate, nper, pmt_, pv=0.0):
    temp = (1 + rate) ** nper
    return -pv * temp - pmt_ * (temp - 1) / rate


def zero_curve_bootstrap(prices, coupons, face=100.0):
    n = len(prices)
    dfs = np.zeros(n)
    for i in range(n):
        c = coupons[i] * face
        dfs[i] = (prices[i] - c * dfs[:i].sum()) / (c + face)
    zeros = dfs ** (-1.0 / np.arange(1, n + 1)) - 1
    return dfs, zeros


def forward_rates(zero_rates, times):
    return (zero_rates[1:] * times[1:] - zero_rates[:-1] * times[:-1]) / np.diff(times)


def nelson_siegel(t, beta0, beta1, beta2, tau):
    x = t / tau
    f = (1 - np.exp(-x)) / x
    return beta0 + beta1 * f + beta2 * (f - np.exp(-x))


def vasicek_paths(rng, r0=0.03, a=0.5, b=0.04, sigma=0.01, T=1.0, steps=12, n=5):
    dt = T / steps
    r = np.empty((n, steps + 1))
    r[:, 0] = r0
    for t in range(steps):
        dW = np.sqrt(dt) * rng.standard_normal(n)
        r[:, t + 1] = r[:, t] + a * (b - r[:, t]) * dt + sigma * dW
    return r


# -------------------------------------------------------------------------- NaN-bearing series


def nan_returns(prices):
    r = prices[1:] / prices[:-1] - 1
    return np.nanmean(r), np.nanstd(r, ddof=1)


def ffill(arr):
    mask = np.isnan(arr)
    idx = np.where(~mask, np.arange(mask.shape[1]), 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    return arr[np.arange(idx.shape[0])[:, None], idx]


def ffill_where_loop(x):
    out = x.copy()
    for i in range(1, len(out)):
        out[i] = np.where(np.isnan(out[i]), out[i - 1], out[i])
    return out


def fill_nan_mean(X):
    col_mean = np.nanmean(X, axis=0)
    inds = np.where(np.isnan(X))
    X = X.copy()
    X[inds] = np.take(col_mean, inds[1])
    return X


def nan_sharpe(returns):
    mu = np.nanmean(returns, axis=0)
    sd = np.nanstd(returns, axis=0, ddof=1)
    count = np.sum(~np.isnan(returns), axis=0)
    return mu / sd * np.sqrt(252), count


def nan_cov_pairwise(x, y):
    m = ~(np.isnan(x) | np.isnan(y))
    xm = x[m] - x[m].mean()
    ym = y[m] - y[m].mean()
    return (xm * ym).sum() / (m.sum() - 1)


def nan_to_num_returns(prices):
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.diff(prices) / prices[:-1]
    return np.nan_to_num(r, nan=0.0, posinf=0.0, neginf=0.0)


def interpolate_nans(y):
    nans = np.isnan(y)
    x = np.arange(len(y))
    y = y.copy()
    y[nans] = np.interp(x[nans], x[~nans], y[~nans])
    return y


def nan_rolling_mean(x, w=3):
    win = np.lib.stride_tricks.sliding_window_view(x, w)
    return np.nanmean(win, axis=1)


def nan_max_drawdown(prices):
    p = np.where(np.isnan(prices), -np.inf, prices)
    peak = np.maximum.accumulate(p)
    dd = np.where(np.isnan(prices), np.nan, prices / peak - 1)
    return np.nanmin(dd)


# ------------------------------------------------------------------------- integer-day indices


def resample_weekly_last(prices, days_per_week=5):
    n_weeks = len(prices) // days_per_week
    idx = np.arange(1, n_weeks + 1) * days_per_week - 1
    return prices[idx]


def monthly_returns(prices, month_ends):
    p = prices[month_ends]
    return p[1:] / p[:-1] - 1


def days_between(day_idx):
    return np.diff(day_idx).astype(np.float64) / 365.0


def day_of_week_means(returns, dow):
    out = np.zeros(5)
    for d in range(5):
        m = dow == d
        out[d] = np.where(m, returns, 0).sum() / np.maximum(m.sum(), 1)
    return out


def day_count_accrual(start_days, end_days, rate, basis=360):
    return rate * (end_days - start_days) / basis


def bincount_volume_by_day(day, volume, n_days=7):
    return np.bincount(day, weights=volume, minlength=n_days)


def lagged_features(x, lags=(1, 2, 3)):
    n = len(x)
    L = max(lags)
    X = np.column_stack([x[L - l:n - l] for l in lags])
    y = x[L:]
    return X, y


def ar1_ols(x):
    X = np.vstack([np.ones(len(x) - 1), x[:-1]]).T
    beta = np.linalg.solve(X.T @ X, X.T @ x[1:])
    resid = x[1:] - X @ beta
    return beta, resid.std(ddof=2)


def kelly_fraction(returns, rf=0.0):
    mu = returns.mean() - rf
    var = returns.var()
    return mu / var


def hurst_rs(x, lags=(2, 3, 4)):
    tau = [np.std(np.subtract(x[lag:], x[:-lag])) for lag in lags]
    poly = np.polyfit(np.log(lags), np.log(tau), 1)
    return poly[0] * 2.0


def float32_returns(prices):
    r = np.diff(prices) / prices[:-1]
    return r, r.mean(), r.std(), np.float32(252) ** 0.5 * r.mean() / r.std()


def stats_dict(returns):
    return dict(mean=returns.mean(), std=returns.std(),
                skew=((returns - returns.mean()) ** 3).mean() / returns.std() ** 3,
                kurt=((returns - returns.mean()) ** 4).mean() / returns.var() ** 2 - 3,
                n=len(returns))


def out_param_returns(prices, out):
    np.divide(prices[1:], prices[:-1], out=out)
    out -= 1
    return out


def clip_weights_inplace(w, lo=0.0, hi=0.4):
    np.clip(w, lo, hi, out=w)
    w /= w.sum()
    return w


def _p(s, n, m=6):
    return 100 * np.exp(np.cumsum(0.01 * _f(m * n, seed=s)))


def _r(s, n, m=6):
    return 0.01 * _f(m * n, seed=s)


def _spd(s, n):
    a = _f(n, n, seed=s)
    return a @ a.T / n + 0.1 * np.eye(n)


def _nanp(s, n):
    p = _p(s, n)
    p[[2, 5, 6]] = np.nan
    return p


FIN = {
    "simple_returns": (simple_returns, {}, lambda s, n: (_p(s, n),)),
    "simple_returns_2d": (simple_returns, {}, lambda s, n: (np.exp(_f(n, 3, seed=s)),)),
    "log_returns": (log_returns, {}, lambda s, n: (_p(s, n),)),
    "log_returns_f32": (log_returns, {}, lambda s, n: (_p(s, n).astype(np.float32),)),
    "pct_change": (pct_change, {}, lambda s, n: (_p(s, n),)),
    "pct_change_2": (pct_change, {"periods": 2}, lambda s, n: (_p(s, n),)),
    "cumulative_returns": (cumulative_returns, {}, lambda s, n: (_r(s, n),)),
    "cum_log_returns": (cum_log_returns, {}, lambda s, n: (_r(s, n),)),
    "total_return": (total_return, {}, lambda s, n: (_p(s, n),)),
    "annualized_return": (annualized_return, {}, lambda s, n: (_r(s, n),)),
    "annualized_volatility": (annualized_volatility, {}, lambda s, n: (_r(s, n),)),
    "drawdown": (drawdown, {}, lambda s, n: (_p(s, n),)),
    "max_drawdown_loop": (max_drawdown_loop, {}, lambda s, n: (_r(s, n) * 5,)),
    "drawdown_duration": (drawdown_duration, {}, lambda s, n: (_p(s, n),)),
    "max_drawdown_2d": (max_drawdown_2d, {},
        lambda s, n: (np.exp(np.cumsum(0.05 * _f(3 * n, 3, seed=s), axis=0)),)),
    "rolling_mean_cumsum": (rolling_mean_cumsum, {}, lambda s, n: (_p(s, n),)),
    "rolling_mean_cumsum_float": (rolling_mean_cumsum_float, {},
        lambda s, n: (_i(50, 6 * n, seed=s),)),
    "rolling_std_swv": (rolling_std_swv, {}, lambda s, n: (_r(s, n),)),
    "rolling_std_cumsum": (rolling_std_cumsum, {}, lambda s, n: (_r(s, n),)),
    "rolling_apply_loop": (rolling_apply_loop, {}, lambda s, n: (_p(s, n),)),
    "rolling_zscore": (rolling_zscore, {}, lambda s, n: (_p(s, n),)),
    "rolling_max_min": (rolling_max_min, {}, lambda s, n: (_f(3 * n, 2, seed=s),)),
    "bollinger_bands": (bollinger_bands, {}, lambda s, n: (_p(s, n),)),
    "bollinger_bands_f32": (bollinger_bands, {},
        lambda s, n: (_p(s, n).astype(np.float32), 4, 1.5)),
    "ewma_loop": (ewma_loop, {}, lambda s, n: (_p(s, n),)),
    "ewma_loop_f32": (ewma_loop, {}, lambda s, n: (_p(s, n).astype(np.float32), 0.1)),
    "ewma_span": (ewma_span, {}, lambda s, n: (_p(s, n),)),
    "ewma_weights": (ewma_weights, {}, lambda s, n: (_p(s, n),)),
    "ewma_vectorized": (ewma_vectorized, {}, lambda s, n: (_p(s, n),)),
    "ewma_vol": (ewma_vol, {}, lambda s, n: (_r(s, n),)),
    "garch11_filter": (garch11_filter, {}, lambda s, n: (_r(s, n),)),
    "macd": (macd, {}, lambda s, n: (_p(s, n),)),
    "rsi": (rsi, {}, lambda s, n: (_p(s, n),)),
    "rsi_vectorized": (rsi_vectorized, {}, lambda s, n: (_p(s, n),)),
    "sma_crossover_signal": (sma_crossover_signal, {}, lambda s, n: (_p(s, n),)),
    "momentum": (momentum, {}, lambda s, n: (_p(s, n),)),
    "vwap": (vwap, {}, lambda s, n: (_p(s, n), _i(1000, 6 * n, seed=s) + 1)),
    "atr": (atr, {}, lambda s, n: (_p(s, n) + 1, _p(s, n) - 1, _p(s, n))),
    "sharpe_ratio": (sharpe_ratio, {}, lambda s, n: (_r(s, n) + 0.001,)),
    "sharpe_ratio_kw": (sharpe_ratio, {"periods": 12}, lambda s, n: (_r(s, n) + 0.001, 0.02)),
    "sortino_ratio": (sortino_ratio, {}, lambda s, n: (_r(s, n),)),
    "sortino_masked": (sortino_masked, {}, lambda s, n: (_r(s, n),)),
    "calmar_ratio": (calmar_ratio, {}, lambda s, n: (_r(s, n),)),
    "information_ratio": (information_ratio, {}, lambda s, n: (_r(s, n), _r(s + 7, n))),
    "omega_ratio": (omega_ratio, {}, lambda s, n: (_r(s, n),)),
    "beta_cov": (beta_cov, {}, lambda s, n: (_r(s, n), _r(s + 3, n))),
    "alpha_beta_polyfit": (alpha_beta_polyfit, {}, lambda s, n: (_r(s, n), _r(s + 3, n))),
    "beta_lstsq": (beta_lstsq, {}, lambda s, n: (_r(s, n), _r(s + 3, n))),
    "correlation_matrix": (correlation_matrix, {}, lambda s, n: (_f(5 * n, 3, seed=s),)),
    "rolling_beta": (rolling_beta, {}, lambda s, n: (_r(s, n), _r(s + 3, n))),
    "tracking_error": (tracking_error, {}, lambda s, n: (_r(s, n), _r(s + 3, n))),
    "downside_deviation": (downside_deviation, {}, lambda s, n: (_r(s, n),)),
    "var_historical": (var_historical, {}, lambda s, n: (_r(s, n),)),
    "var_quantile": (var_quantile, {}, lambda s, n: (_r(s, n),)),
    "cvar_historical": (cvar_historical, {}, lambda s, n: (_r(s, n, 10),)),
    "cvar_sorted": (cvar_sorted, {}, lambda s, n: (_r(s, n, 10),)),
    "var_parametric": (var_parametric, {}, lambda s, n: (_r(s, n),)),
    "var_portfolio_matrix": (var_portfolio_matrix, {},
        lambda s, n: (_f(6 * n, 3, seed=s) * 0.01, np.array([0.5, 0.3, 0.2]))),
    "var_multi_quantile": (var_multi_quantile, {}, lambda s, n: (_f(6 * n, 2, seed=s),)),
    "expected_shortfall_nan": (expected_shortfall_nan, {},
        lambda s, n: (np.where(np.arange(6 * n) % 5 == 0, np.nan, _r(s, n)),)),
    "norm_cdf_erf": (norm_cdf_erf, {}, lambda s, n: (_f(n, seed=s),)),
    "black_scholes_call": (black_scholes_call, {},
        lambda s, n: (100.0 + _f(n, seed=s), 100.0, 1.0, 0.05, 0.2)),
    "black_scholes": (black_scholes, {},
        lambda s, n: (100.0 + 5 * _f(n, seed=s), 95.0 + s, 0.5, 0.01, 0.3)),
    "black_scholes_put": (black_scholes, {"option": "put"},
        lambda s, n: (100.0 + 5 * _f(n, seed=s), np.full(n, 100.0), 0.5, 0.01, 0.3)),
    "black_scholes_f32": (black_scholes, {},
        lambda s, n: ((100.0 + 5 * _f(n, seed=s)).astype(np.float32), 100.0, 0.5, 0.01, 0.3)),
    "bs_greeks": (bs_greeks, {},
        lambda s, n: (100.0 + 5 * _f(n, seed=s), 100.0, 0.25 * s, 0.03, 0.25)),
    "put_call_parity": (put_call_parity, {},
        lambda s, n: (_f(n, positive=True, seed=s), 100.0, 100.0, 1.0, 0.02)),
    "implied_vol_newton": (
        implied_vol_newton,
        {},
        lambda s, n: (black_scholes(100.0, 100.0 + np.arange(n), 1.0, 0.02, 0.2 + 0.05 * s),
                      100.0, 100.0 + np.arange(n), 1.0, 0.02),
    ),
    "bachelier_call": (bachelier_call, {}, lambda s, n: (100.0, 100.0 + _f(n, seed=s), 0.5, 10.0)),
    "binomial_tree_european": (binomial_tree_european, {},
        lambda s, n: (100.0, 95.0 + s, 1.0, 0.05, 0.2)),
    "binomial_tree_european_put": (binomial_tree_european, {"call": False, "N": 12},
        lambda s, n: (100.0, 95.0 + s, 1.0, 0.05, 0.2)),
    "binomial_tree_american_put": (binomial_tree_american_put, {},
        lambda s, n: (100.0, 100.0 + s, 1.0, 0.05, 0.3)),
    "binomial_tree_matrix": (binomial_tree_matrix, {},
        lambda s, n: (100.0, 100.0 + s, 1.0, 0.05, 0.3)),
    "trinomial_tree": (trinomial_tree, {}, lambda s, n: (100.0, 100.0 + s, 1.0, 0.05, 0.3)),
    "portfolio_variance": (portfolio_variance, {}, lambda s, n: (np.full(n, 1 / n), _spd(s, n))),
    "portfolio_stats": (portfolio_stats, {},
        lambda s, n: (np.full(n, 1 / n), _f(n, seed=s) * 0.001, _spd(s, n))),
    "min_variance_weights": (min_variance_weights, {}, lambda s, n: (_spd(s, n),)),
    "min_variance_solve": (min_variance_solve, {}, lambda s, n: (_spd(s, n),)),
    "tangency_weights": (tangency_weights, {}, lambda s, n: (_f(n, seed=s) * 0.1, _spd(s, n))),
    "markowitz_kkt": (markowitz_kkt, {}, lambda s, n: (_f(n, seed=s) * 0.1, _spd(s, n))),
    "efficient_frontier": (efficient_frontier, {},
        lambda s, n: (_f(n, seed=s) * 0.1, _spd(s, n), np.linspace(0.01, 0.2, 5))),
    "risk_contributions": (risk_contributions, {}, lambda s, n: (np.full(n, 1 / n), _spd(s, n))),
    "risk_parity_iter": (risk_parity_iter, {}, lambda s, n: (_spd(s, n) + np.eye(n),)),
    "inverse_vol_weights": (inverse_vol_weights, {}, lambda s, n: (_f(10, n, seed=s),)),
    "rebalance": (rebalance, {},
        lambda s, n: (_i(100, n, seed=s).astype(float), _p(s, n)[:n], np.full(n, 1 / n))),
    "shrinkage_cov": (shrinkage_cov, {}, lambda s, n: (_f(10, n, seed=s),)),
    "ewma_cov": (ewma_cov, {}, lambda s, n: (_f(2 * n, 3, seed=s),)),
    "portfolio_backtest": (portfolio_backtest, {},
        lambda s, n: (_f(3 * n, 3, seed=s) * 0.01, np.array([0.2, 0.3, 0.5]))),
    "turnover": (turnover, {}, lambda s, n: (_f(n, 3, positive=True, seed=s),)),
    "bond_price": (bond_price, {}, lambda s, n: (1000.0, 0.05, 0.04 + 0.01 * s, 10)),
    "bond_price_loop": (bond_price_loop, {}, lambda s, n: (1000.0, 0.05, 0.04 + 0.01 * s, 10)),
    "macaulay_duration": (macaulay_duration, {},
        lambda s, n: (np.r_[np.full(n - 1, 5.0), 105.0], np.arange(1.0, n + 1), 0.03 + 0.01 * s)),
    "duration_convexity": (duration_convexity, {}, lambda s, n: (100.0, 0.06, 0.05 + 0.005 * s, 5)),
    "ytm_newton": (ytm_newton, {}, lambda s, n: (950.0 + 10 * s, 1000.0, 0.05, 10)),
    "irr_newton": (irr_newton, {}, lambda s, n: (np.r_[-100.0 - s, np.full(n, 30.0)],)),
    "npv": (npv, {}, lambda s, n: (0.05 + 0.01 * s, np.r_[-100.0, np.full(n, 30.0)])),
    "npv_powers": (npv_powers, {}, lambda s, n: (0.05 + 0.01 * s, np.r_[-100.0, np.full(n, 30.0)])),
    "amortization_schedule": (amortization_schedule, {}, lambda s, n: (10000.0 * s, 0.06, 2)),
    "amortization_vectorized": (amortization_vectorized, {}, lambda s, n: (1e5, 0.004 + 0.001 * s)),
    "pmt": (pmt, {}, lambda s, n: (0.05 / 12, 360, 2e5 * s)),
    "pmt_array": (pmt, {}, lambda s, n: (np.array([0.0, 0.01, 0.02]), 12, 1000.0)),
    "fv_annuity": (fv_annuity, {}, lambda s, n: (0.05, 10, -100.0 * s)),
    "zero_curve_bootstrap": (zero_curve_bootstrap, {},
        lambda s, n: (np.linspace(99, 90, n) - s, np.full(n, 0.02))),
    "forward_rates": (forward_rates, {},
        lambda s, n: (0.02 + 0.001 * np.arange(n) * s, np.arange(1.0, n + 1))),
    "nelson_siegel": (nelson_siegel, {},
        lambda s, n: (np.linspace(0.25, 30, n), 0.03, -0.02, 0.01 * s, 2.0)),
    "nan_returns": (nan_returns, {}, lambda s, n: (_nanp(s, n),)),
    "ffill": (ffill, {},
        lambda s, n: (np.where(_f(3, 2 * n, seed=s) > 0.5, np.nan, _f(3, 2 * n, seed=s + 1)),)),
    "ffill_where_loop": (ffill_where_loop, {}, lambda s, n: (_nanp(s, n),)),
    "fill_nan_mean": (fill_nan_mean, {},
        lambda s, n: (np.where(_f(n, 3, seed=s) > 0.8, np.nan, _f(n, 3, seed=s + 1)),)),
    "nan_sharpe": (nan_sharpe, {},
        lambda s, n: (np.where(_f(2 * n, 3, seed=s) > 1.0, np.nan, _f(2 * n, 3, seed=s + 1)),)),
    "nan_cov_pairwise": (nan_cov_pairwise, {},
        lambda s, n: (_nanp(s, n), _nanp(s + 1, n)[::-1].copy())),
    "nan_to_num_returns": (nan_to_num_returns, {}, lambda s, n: (np.r_[0.0, _p(s, n)[1:], 0.0],)),
    "interpolate_nans": (interpolate_nans, {}, lambda s, n: (_nanp(s, n),)),
    "nan_rolling_mean": (nan_rolling_mean, {}, lambda s, n: (_nanp(s, n),)),
    "nan_max_drawdown": (nan_max_drawdown, {}, lambda s, n: (_nanp(s, n),)),
    "resample_weekly_last": (resample_weekly_last, {}, lambda s, n: (_p(s, n),)),
    "monthly_returns": (monthly_returns, {}, lambda s, n: (_p(s, n), np.arange(n) * 5 + 4)),
    "days_between": (days_between, {}, lambda s, n: (np.cumsum(_i(30, n, seed=s) + 1),)),
    "day_of_week_means": (day_of_week_means, {}, lambda s, n: (_r(s, n), np.arange(6 * n) % 5)),
    "day_count_accrual": (day_count_accrual, {},
        lambda s, n: (_i(100, n, seed=s), _i(100, n, seed=s) + 30, 0.05)),
    "day_count_accrual_365": (day_count_accrual, {"basis": 365},
        lambda s, n: (_i(100, n, seed=s), 200, 0.05)),
    "bincount_volume_by_day": (bincount_volume_by_day, {},
        lambda s, n: (_i(7, 5 * n, seed=s), _f(5 * n, positive=True, seed=s))),
    "lagged_features": (lagged_features, {}, lambda s, n: (_r(s, n),)),
    "ar1_ols": (ar1_ols, {}, lambda s, n: (_r(s, n),)),
    "kelly_fraction": (kelly_fraction, {}, lambda s, n: (_r(s, n) + 0.002,)),
    "hurst_rs": (hurst_rs, {}, lambda s, n: (np.cumsum(_r(s, n)),)),
    "float32_returns": (float32_returns, {}, lambda s, n: (_p(s, n).astype(np.float32),)),
    "stats_dict": (stats_dict, {}, lambda s, n: (_r(s, n),)),
    "out_param_returns": (out_param_returns, {}, lambda s, n: (_p(s, n), np.empty(6 * n - 1))),
    "clip_weights_inplace": (clip_weights_inplace, {},
        lambda s, n: (_f(n, positive=True, seed=s) / n,)),
}


@pytest.mark.parametrize("name", list(FIN))
def test_finance_matches_numpy(name):
    check_like_numpy(*FIN[name])


GEN = [
    (gbm_paths, ()),
    (gbm_loop, ()),
    (mc_european_call, ()),
    (mc_asian_antithetic, ()),
    (mc_correlated_assets, (np.array([100.0, 50.0]), np.array([[0.04, 0.01], [0.01, 0.09]]))),
    (heston_euler, ()),
    (bootstrap_sharpe, (_r(1, 5),)),
    (random_portfolios, (np.array([0.05, 0.08, 0.1]), np.diag([0.02, 0.04, 0.09]))),
    (vasicek_paths, ()),
]


@pytest.mark.parametrize("fn, args", GEN, ids=[f.__name__ for f, _ in GEN])
def test_monte_carlo_with_a_generator_argument(fn, args):
    """GBM, Heston and Vasicek paths, Monte Carlo option prices, bootstrap and random
    portfolios: NumPy's draws and values over three calls, and the generator left in NumPy's
    state."""
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(got_rng, *args), fn(want_rng, *args))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


# ------------------------------------------------ effects, analysis and more PCM/float32 forms


def frame_sums_reduceat(x, hop=4):
    return np.add.reduceat(x, np.arange(0, len(x), hop))


def frame_energy_reduceat_int16(pcm, hop=4):
    x = pcm.astype(np.int64)
    return np.add.reduceat(x * x, np.arange(0, len(x), hop))


def fft_ortho(x):
    X = np.fft.rfft(x, norm="ortho")
    return X, np.fft.irfft(X, n=len(x), norm="ortho")


def fft_forward_norm(x):
    return np.fft.fft(x, norm="forward"), np.fft.ifft(x, norm="forward")


def spectrum_2d(frames):
    F = np.fft.fft2(frames)
    return np.fft.fftshift(np.abs(F)), np.fft.ifftshift(F.real)


def phase_deg(x):
    X = np.fft.rfft(x)
    return np.angle(X, deg=True), np.unwrap(np.angle(X), period=2 * np.pi)


def unwrap_phase_discont(p):
    return np.unwrap(p, discont=np.pi / 2)


def int16_clip_inplace(x, gain=2.0):
    y = x * gain
    np.clip(y, -32768, 32767, out=y)
    return y.astype(np.int16)


def int16_gain_wrap(pcm):
    return (pcm * 3).astype(np.int16), pcm * np.int16(3)


def int16_abs_min(pcm):
    return np.abs(pcm), np.abs(pcm.astype(np.int32))


def int16_mean_dtype(pcm):
    return pcm.mean(), pcm.sum(), pcm.sum(dtype=np.int16), np.mean(pcm, dtype=np.float32)


def int16_divide(pcm):
    return pcm / 32768, pcm // 256, pcm >> 8, pcm % 7


def int16_to_bytes_range(pcm):
    u8 = ((pcm.astype(np.int32) + 32768) >> 8).astype(np.uint8)
    return u8, u8.astype(np.float32) / 255.0


def float32_accumulate(x):
    return np.cumsum(x), np.cumsum(x, dtype=np.float64), np.cumprod(1 + 0.01 * x)


def float32_mixed(x, y):
    return x * y, x + np.float64(1), x * 1.5, x / 3, np.sqrt(x * x), x.astype(np.float64) @ y


def float32_log_db(x):
    return 20 * np.log10(np.abs(x) + 1e-9), np.log1p(np.abs(x)), np.expm1(x)


def digitize_levels(x, n_levels=8):
    edges = np.linspace(-1, 1, n_levels + 1)[1:-1]
    q = np.digitize(x, edges)
    return q, edges[np.clip(q - 1, 0, n_levels - 2)]


def searchsorted_rolloff(S, pct=0.85):
    c = np.cumsum(S)
    return np.searchsorted(c, pct * c[-1])


def ptp_norm(x):
    return (x - x.min()) / np.ptp(x)


def minimum_accumulate_2d(x):
    return np.minimum.accumulate(x, axis=1), np.maximum.accumulate(x.astype(np.int64), axis=0)


def round_half_even(x):
    return np.round(x * 2) / 2, np.rint(x), np.around(x, 2), np.round(x, -1)


def floor_divide_negative(days, period=7):
    return days // period, days % period, np.floor_divide(days, period), np.divmod(days, period)


def percentile_methods(x):
    return (np.percentile(x, 5, method="lower"), np.percentile(x, 5, method="higher"),
            np.percentile(x, 5, method="nearest"), np.percentile(x, 5, method="midpoint"),
            np.quantile(x, 0.05, method="inverted_cdf"),
            np.quantile(x, [0.1, 0.9], method="median_unbiased"))


def nanpercentile_var(x):
    return -np.nanpercentile(x, 5), np.nanquantile(x, [0.01, 0.05]), np.nanmedian(x)


def nan_stats_axis(X):
    return (np.nanmean(X, axis=0), np.nanstd(X, axis=1), np.nanmax(X, axis=0),
            np.nanargmin(X, axis=0), np.nansum(X))


def nancumsum_returns(r):
    return np.nancumsum(r), np.nancumprod(1 + r)


def isnan_mask_fill(prices):
    p = prices.copy()
    mask = np.isnan(p)
    p[mask] = np.nanmean(p)
    return p, mask.sum(), np.count_nonzero(~mask)


def errstate_log_returns(prices):
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.log(prices[1:] / prices[:-1])
    r[~np.isfinite(r)] = 0.0
    return r


def errstate_db(x):
    with np.errstate(divide="ignore"):
        db = 20 * np.log10(np.abs(x))
    return np.where(np.isneginf(db), -120.0, db)


def out_param_chain(x, buf):
    np.multiply(x, 2.0, out=buf)
    np.add(buf, 1.0, out=buf)
    np.sqrt(np.abs(buf), out=buf)
    return buf


def ufunc_out_where(x):
    out = np.full_like(x, -1.0)
    np.log(x, out=out, where=x > 0)
    return out


def preallocated_frames_inplace(x, out):
    n = out.shape[1]
    for i in range(out.shape[0]):
        out[i, :] = x[i * 2:i * 2 + n] * np.hanning(n)
    return out.sum()


def inplace_normalize_rows(S):
    S /= S.sum(axis=0, keepdims=True)
    S *= 100
    return None


def list_of_frames_results(x, n=8, hop=4):
    feats = []
    for i in range(0, len(x) - n + 1, hop):
        fr = x[i:i + n]
        feats.append([fr.mean(), fr.std(), np.abs(np.diff(np.sign(fr))).sum() / 2])
    return np.asarray(feats)


def dict_comprehension_stats(returns, names=("a", "b", "c")):
    return {k: (returns[:, j].mean(), returns[:, j].std()) for j, k in enumerate(names)}


def enumerate_assets(prices):
    out = np.empty(prices.shape[1])
    for j, col in enumerate(prices.T):
        out[j] = col[-1] / col[0] - 1
    return out


def zip_weights(returns, weights):
    total = np.zeros(returns.shape[0])
    for r, w in zip(returns.T, weights):
        total += w * r
    return total


def while_fixed_count(x, n=5):
    i = 0
    y = x.copy()
    while i < n:
        y = 0.5 * (y + x / np.maximum(y, 1e-12))
        i += 1
    return y


def np_trapz_energy(x, dt=0.01):
    return np.trapezoid(x ** 2, dx=dt), np.trapezoid(np.abs(x), np.arange(len(x)) * dt)


def sinc_interp(x, s, u):
    sincM = np.tile(u, (len(s), 1)) - np.tile(s[:, np.newaxis], (1, len(u)))
    return np.dot(x, np.sinc(sincM / (s[1] - s[0])))


def lpc_autocorr(x, order=3):
    r = np.correlate(x, x, mode="full")[len(x) - 1:len(x) + order]
    R = np.array([[r[abs(i - j)] for j in range(order)] for i in range(order)])
    return np.linalg.solve(R, r[1:order + 1])


def lpc_toeplitz_idx(x, order=3):
    r = np.array([np.dot(x[:len(x) - k], x[k:]) for k in range(order + 1)])
    idx = np.abs(np.arange(order)[:, None] - np.arange(order)[None, :])
    a = np.linalg.solve(r[idx], -r[1:])
    return np.concatenate([[1.0], a])


def levinson_durbin(r, order=3):
    a = np.zeros(order + 1)
    a[0] = 1.0
    e = r[0]
    for i in range(1, order + 1):
        acc = r[i]
        for j in range(1, i):
            acc += a[j] * r[i - j]
        k = -acc / e
        a_new = a.copy()
        for j in range(1, i):
            a_new[j] = a[j] + k * a[i - j]
        a_new[i] = k
        a = a_new
        e *= 1 - k * k
    return a, e


def pitch_amdf(frame, min_lag=2, max_lag=10):
    d = np.array([np.mean(np.abs(frame[lag:] - frame[:-lag])) for lag in range(min_lag, max_lag)])
    return np.argmin(d) + min_lag, d


def yin_difference(x, tau_max=8):
    d = np.zeros(tau_max)
    for tau in range(1, tau_max):
        d[tau] = np.sum((x[:-tau] - x[tau:]) ** 2)
    cmnd = np.ones(tau_max)
    cmnd[1:] = d[1:] * np.arange(1, tau_max) / np.cumsum(d[1:])
    return cmnd


def harmonic_product_spectrum(x, n_harm=3):
    X = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    hps = X.copy()
    for h in range(2, n_harm + 1):
        dec = X[::h]
        hps[:len(dec)] *= dec
    return np.argmax(hps[:len(X) // n_harm])


def onset_strength(S, lag=1):
    S_db = 10 * np.log10(np.maximum(S, 1e-10))
    diff = S_db[:, lag:] - S_db[:, :-lag]
    onset = np.maximum(0.0, diff).mean(axis=0)
    return np.pad(onset, (lag, 0))


def peak_pick(x, thresh=0.5):
    peaks = (x[1:-1] > x[:-2]) & (x[1:-1] > x[2:]) & (x[1:-1] > thresh)
    return np.flatnonzero(peaks).sum(), peaks.sum()


def tempo_autocorr(onset, lag_min=2, lag_max=8):
    ac = np.correlate(onset, onset, mode="full")[len(onset) - 1:]
    lags = np.arange(lag_min, lag_max)
    best = lags[np.argmax(ac[lag_min:lag_max])]
    return 60.0 * 100 / best


def a_weighting(f):
    f2 = f ** 2
    num = 12194.0 ** 2 * f2 ** 2
    den = (f2 + 20.6 ** 2) * np.sqrt((f2 + 107.7 ** 2) * (f2 + 737.9 ** 2)) * (f2 + 12194.0 ** 2)
    with np.errstate(divide="ignore"):
        return 20 * np.log10(num / den) + 2.0


def loudness_lufs_like(x, block=8):
    n = len(x) // block
    blocks = x[:n * block].reshape(n, block)
    ms = np.mean(blocks ** 2, axis=1)
    gated = ms[ms > 10 ** ((-70 + 0.691) / 10)]
    return -0.691 + 10 * np.log10(np.mean(gated))


def noise_gate(x, threshold=0.1, frame=4):
    frames = x.reshape(-1, frame)
    rms = np.sqrt((frames ** 2).mean(axis=1))
    gain = (rms > threshold).astype(x.dtype)
    return (frames * gain[:, None]).ravel()


def compressor(x, threshold_db=-6.0, ratio=4.0):
    level_db = 20 * np.log10(np.abs(x) + 1e-9)
    over = np.maximum(level_db - threshold_db, 0)
    gain_db = -over * (1 - 1 / ratio)
    return x * 10 ** (gain_db / 20)


def soft_clip(x, drive=2.0):
    return np.tanh(drive * x) / np.tanh(drive)


def bitcrush(x, bits=4):
    levels = 2 ** bits
    return np.round(x * (levels / 2)) / (levels / 2)


def ring_mod(x, fc=100.0, fs=8000.0):
    t = np.arange(x.shape[-1]) / fs
    return x * np.sin(2 * np.pi * fc * t)


def delay_effect(x, delay=3, feedback=0.4, mix=0.5):
    y = np.zeros(len(x) + delay)
    y[:len(x)] = x
    for n in range(delay, len(y)):
        y[n] += feedback * y[n - delay]
    return (1 - mix) * np.pad(x, (0, delay)) + mix * y


def allpass_filter(x, g=0.5, d=2):
    y = np.zeros_like(x)
    for n in range(len(x)):
        xd = x[n - d] if n >= d else 0.0
        yd = y[n - d] if n >= d else 0.0
        y[n] = -g * x[n] + xd + g * yd
    return y


def state_variable_filter(x, f=0.2, q=0.5):
    low = band = 0.0
    lp = np.zeros_like(x); bp = np.zeros_like(x); hp = np.zeros_like(x)
    for i in range(len(x)):
        high = x[i] - low - q * band
        band = f * high + band
        low = f * band + low
        lp[i], bp[i], hp[i] = low, band, high
    return lp, bp, hp


def karplus_strong(noise, n_samples=20, decay=0.996):
    buf = noise.copy()
    out = np.zeros(n_samples)
    N = len(buf)
    for i in range(n_samples):
        out[i] = buf[i % N]
        buf[i % N] = decay * 0.5 * (buf[i % N] + buf[(i + 1) % N])
    return out


def adsr_envelope(n, a=3, d=2, s=0.6, r=3):
    env = np.ones(n) * s
    env[:a] = np.linspace(0, 1, a, endpoint=False)
    env[a:a + d] = np.linspace(1, s, d, endpoint=False)
    env[n - r:] = np.linspace(s, 0, r)
    return env


def additive_synth(freqs, amps, n=32, sr=8000):
    t = np.arange(n) / sr
    return np.sum(amps[:, None] * np.sin(2 * np.pi * freqs[:, None] * t[None, :]), axis=0)


def fm_synth(t, fc=440.0, fm=110.0, index=2.0):
    return np.sin(2 * np.pi * fc * t + index * np.sin(2 * np.pi * fm * t))


def square_saw(t, f=2.0):
    phase = (t * f) % 1.0
    return np.sign(np.sin(2 * np.pi * f * t)), 2 * phase - 1, 2 * np.abs(2 * phase - 1) - 1


# ------------------------------------------------------------------------- finance: more forms


def log_return_matrix_stats(prices):
    R = np.log(prices[1:] / prices[:-1])
    mu = R.mean(axis=0) * 252
    cov = np.cov(R, rowvar=False) * 252
    vol = np.sqrt(np.diag(cov))
    corr = cov / np.outer(vol, vol)
    return mu, cov, corr


def cov_bias_ddof(x, y):
    return (np.cov(x, y, bias=True), np.cov(np.vstack([x, y]), ddof=0),
            np.cov(x, aweights=np.abs(y) + 0.1))


def sortino_with_where(r, target=0.0):
    downside = np.where(r < target, r - target, 0.0)
    return (r.mean() - target) / np.sqrt((downside ** 2).mean())


def ulcer_index(prices):
    peak = np.maximum.accumulate(prices)
    dd = 100 * (prices - peak) / peak
    return np.sqrt(np.mean(dd ** 2))


def underwater_periods(prices):
    peak = np.maximum.accumulate(prices)
    under = (prices < peak).astype(int)
    starts = np.diff(np.concatenate([[0], under])) == 1
    return starts.sum()


def recovery_factor(returns):
    eq = np.cumprod(1 + returns)
    mdd = (eq / np.maximum.accumulate(eq) - 1).min()
    return (eq[-1] - 1) / abs(mdd)


def win_rate_profit_factor(trades):
    wins = trades[trades > 0]
    losses = trades[trades < 0]
    return (trades > 0).mean(), wins.sum() / -losses.sum(), wins.mean(), losses.mean()


def position_sizing(equity, price, risk=0.01, stop=0.02):
    shares = np.floor(equity * risk / (price * stop))
    return shares.astype(np.int64), shares * price


def strategy_returns(prices, signal):
    r = np.diff(prices) / prices[:-1]
    pos = np.roll(signal, 1)[1:]
    return np.cumprod(1 + pos * r)


def transaction_costs(weights, cost=0.001):
    w_prev = np.vstack([np.zeros((1, weights.shape[1])), weights[:-1]])
    return cost * np.abs(weights - w_prev).sum(axis=1)


def cagr(equity, days):
    years = (days[-1] - days[0]) / 365.25
    return (equity[-1] / equity[0]) ** (1 / years) - 1


def skew_kurt(r):
    m = r.mean()
    s = r.std()
    z = (r - m) / s
    return np.mean(z ** 3), np.mean(z ** 4) - 3


def jarque_bera(r):
    n = len(r)
    s, k = skew_kurt(r)
    return n / 6 * (s ** 2 + k ** 2 / 4)


def autocorr_returns(r, lags=3):
    r = r - r.mean()
    denom = np.dot(r, r)
    return np.array([np.dot(r[:-k], r[k:]) / denom for k in range(1, lags + 1)])


def ljung_box(r, h=3):
    n = len(r)
    ac = autocorr_returns(r, h)
    return n * (n + 2) * np.sum(ac ** 2 / (n - np.arange(1, h + 1)))


def half_life_ou(spread):
    lag = spread[:-1]
    delta = np.diff(spread)
    beta = np.polyfit(lag, delta, 1)[0]
    return -np.log(2) / beta


def pairs_zscore(a, b, window=5):
    hedge = np.polyfit(b, a, 1)[0]
    spread = a - hedge * b
    w = np.lib.stride_tricks.sliding_window_view(spread, window)
    z = (spread[window - 1:] - w.mean(-1)) / w.std(-1)
    return np.where(z > 1, -1, np.where(z < -1, 1, 0))


def kalman_beta(y, x, delta=1e-4, ve=1e-3):
    n = len(y)
    beta = np.zeros(n)
    P = 1.0
    b = 0.0
    for t in range(n):
        P = P + delta
        yhat = b * x[t]
        e = y[t] - yhat
        Q = x[t] * P * x[t] + ve
        K = P * x[t] / Q
        b = b + K * e
        P = P - K * x[t] * P
        beta[t] = b
    return beta


def ou_mle(x, dt=1.0):
    n = len(x) - 1
    Sx = x[:-1].sum(); Sy = x[1:].sum()
    Sxx = (x[:-1] ** 2).sum(); Sxy = (x[:-1] * x[1:]).sum()
    mu = (Sy * Sxx - Sx * Sxy) / (n * (Sxx - Sxy) - (Sx ** 2 - Sx * Sy))
    num = Sxy - mu * Sx - mu * Sy + n * mu ** 2
    theta = -np.log(num / (Sxx - 2 * mu * Sx + n * mu ** 2)) / dt
    return mu, theta


def cds_survival(hazard, times):
    surv = np.exp(-np.cumsum(hazard * np.diff(np.concatenate([[0.0], times]))))
    return surv, 1 - surv


def swap_rate(dfs, tau=0.5):
    return (1 - dfs[-1]) / (tau * dfs.sum())


def discount_factors(zero_rates, t, compounding="continuous"):
    if compounding == "continuous":
        return np.exp(-zero_rates * t)
    return (1 + zero_rates) ** (-t)


def black76(F, K, T, df, sigma, call=True):
    d1 = (np.log(F / K) + 0.5 * sigma ** 2 * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    N = np.vectorize(math.erf)
    Nd1 = 0.5 * (1 + N(d1 / np.sqrt(2)))
    Nd2 = 0.5 * (1 + N(d2 / np.sqrt(2)))
    if call:
        return df * (F * Nd1 - K * Nd2)
    return df * (K * (1 - Nd2) - F * (1 - Nd1))


def digital_option(S, K, T, r, sigma):
    d2 = (np.log(S / K) + (r - 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    return np.exp(-r * T) * 0.5 * np.vectorize(math.erfc)(-d2 / np.sqrt(2))


def barrier_mc(rng, S0=100.0, K=100.0, B=120.0, r=0.01, sigma=0.2, T=1.0, steps=8, n=100):
    dt = T / steps
    z = rng.standard_normal((n, steps))
    paths = S0 * np.exp(np.cumsum((r - 0.5 * sigma ** 2) * dt + sigma * np.sqrt(dt) * z, axis=1))
    knocked = (paths >= B).any(axis=1)
    payoff = np.where(knocked, 0.0, np.maximum(paths[:, -1] - K, 0))
    return np.exp(-r * T) * payoff.mean()


def lsm_american_put(rng, S0=36.0, K=40.0, r=0.06, sigma=0.2, T=1.0, steps=5, n=200):
    dt = T / steps
    z = rng.standard_normal((n, steps))
    S = S0 * np.exp(np.cumsum((r - 0.5 * sigma ** 2) * dt + sigma * np.sqrt(dt) * z, axis=1))
    cf = np.maximum(K - S[:, -1], 0)
    for t in range(steps - 2, -1, -1):
        cf = cf * np.exp(-r * dt)
        itm = K - S[:, t] > 0
        X = S[:, t]
        A = np.vstack([np.ones(n), X, X ** 2]).T
        w = itm.astype(float)
        coef = np.linalg.lstsq(A * w[:, None], cf * w, rcond=None)[0]
        cont = A @ coef
        exercise = itm & (K - X > cont)
        cf = np.where(exercise, K - X, cf)
    return np.exp(-r * dt) * cf.mean()


def poisson_jumps(rng, S0=100.0, lam=0.5, mu_j=-0.1, sig_j=0.15, T=1.0, steps=6, n=10):
    dt = T / steps
    nj = rng.poisson(lam * dt, size=(n, steps))
    jumps = nj * mu_j + np.sqrt(nj) * sig_j * rng.standard_normal((n, steps))
    return S0 * np.exp(np.cumsum(jumps, axis=1))


def _pcm(s, n):
    return (_sig(s, n) * 12000).astype(np.int16)


B3 = {
    "frame_sums_reduceat": (frame_sums_reduceat, {}, lambda s, n: (_sig(s, n),)),
    "frame_energy_reduceat_int16": (frame_energy_reduceat_int16, {}, lambda s, n: (_pcm(s, n),)),
    "fft_ortho": (fft_ortho, {}, lambda s, n: (_sig(s, n),)),
    "fft_ortho_odd": (fft_ortho, {}, lambda s, n: (_f(2 * n + 1, seed=s),)),
    "fft_forward_norm": (fft_forward_norm, {}, lambda s, n: (_sig(s, n).astype(np.float32),)),
    "spectrum_2d": (spectrum_2d, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "phase_deg": (phase_deg, {}, lambda s, n: (_sig(s, n),)),
    "unwrap_phase_discont": (unwrap_phase_discont, {}, lambda s, n: (np.cumsum(_sig(s, n)),)),
    "int16_clip_inplace": (int16_clip_inplace, {}, lambda s, n: (_pcm(s, n), 3.0)),
    "int16_gain_wrap": (int16_gain_wrap, {}, lambda s, n: (_pcm(s, n),)),
    "int16_abs_min": (int16_abs_min, {}, lambda s, n: (np.r_[np.int16(-32768), _pcm(s, n)],)),
    "int16_mean_dtype": (int16_mean_dtype, {}, lambda s, n: (_pcm(s, n),)),
    "int16_divide": (int16_divide, {}, lambda s, n: (_pcm(s, n),)),
    "int16_to_bytes_range": (int16_to_bytes_range, {}, lambda s, n: (_pcm(s, n),)),
    "float32_accumulate": (float32_accumulate, {}, lambda s, n: (_sig(s, n).astype(np.float32),)),
    "float32_mixed": (float32_mixed, {},
        lambda s, n: (_sig(s, n).astype(np.float32), _sig(s + 1, n).astype(np.float32))),
    "float32_log_db": (float32_log_db, {}, lambda s, n: (_sig(s, n).astype(np.float32),)),
    "digitize_levels": (digitize_levels, {}, lambda s, n: (np.tanh(_sig(s, n)),)),
    "searchsorted_rolloff": (searchsorted_rolloff, {}, lambda s, n: (np.abs(_sig(s, n)),)),
    "ptp_norm": (ptp_norm, {}, lambda s, n: (_sig(s, n),)),
    "minimum_accumulate_2d": (minimum_accumulate_2d, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "round_half_even": (round_half_even, {},
        lambda s, n: (np.r_[0.5, 1.5, 2.5, -0.5, 12.345, _sig(s, n) * 30],)),
    "floor_divide_negative": (floor_divide_negative, {},
        lambda s, n: (_i(40, 3 * n, seed=s) - 20,)),
    "percentile_methods": (percentile_methods, {}, lambda s, n: (_r(s, n, 7),)),
    "nanpercentile_var": (nanpercentile_var, {},
        lambda s, n: (np.where(np.arange(7 * n) % 4 == 1, np.nan, _r(s, n, 7)),)),
    "nan_stats_axis": (nan_stats_axis, {},
        lambda s, n: (np.where(_f(n, 4, seed=s + 9) > 1.2, np.nan, _f(n, 4, seed=s)),)),
    "nancumsum_returns": (nancumsum_returns, {},
        lambda s, n: (np.where(np.arange(6 * n) % 5 == 2, np.nan, _r(s, n)),)),
    "isnan_mask_fill": (isnan_mask_fill, {},
        lambda s, n: (np.where(np.arange(6 * n) % 5 == 2, np.nan, _p(s, n)),)),
    "errstate_log_returns": (errstate_log_returns, {}, lambda s, n: (np.r_[0.0, _p(s, n), 0.0],)),
    "errstate_db": (errstate_db, {}, lambda s, n: (np.r_[0.0, _sig(s, n)],)),
    "out_param_chain": (out_param_chain, {}, lambda s, n: (_sig(s, n), np.empty(8 * n))),
    "ufunc_out_where": (ufunc_out_where, {}, lambda s, n: (_sig(s, n),)),
    "preallocated_frames_inplace": (preallocated_frames_inplace, {},
        lambda s, n: (_sig(s, n), np.zeros((3 * n - 3, 8)))),
    "inplace_normalize_rows": (inplace_normalize_rows, {},
        lambda s, n: (np.abs(_f(5, n, seed=s)) + 0.1,)),
    "list_of_frames_results": (list_of_frames_results, {}, lambda s, n: (_sig(s, n),)),
    "dict_comprehension_stats": (dict_comprehension_stats, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "enumerate_assets": (enumerate_assets, {}, lambda s, n: (np.exp(_f(n, 3, seed=s)),)),
    "zip_weights": (zip_weights, {}, lambda s, n: (_f(n, 3, seed=s), [0.2, 0.3, 0.5])),
    "zip_weights_array": (zip_weights, {},
        lambda s, n: (_f(n, 3, seed=s), np.array([0.2, 0.3, 0.5]))),
    "while_fixed_count": (while_fixed_count, {}, lambda s, n: (_f(n, positive=True, seed=s),)),
    "np_trapz_energy": (np_trapz_energy, {}, lambda s, n: (_sig(s, n),)),
    "sinc_interp": (sinc_interp, {},
        lambda s, n: (_f(n, seed=s), np.arange(n) * 0.5, np.linspace(0, n * 0.5, 7))),
    "lpc_autocorr": (lpc_autocorr, {}, lambda s, n: (_sig(s, n),)),
    "lpc_toeplitz_idx": (lpc_toeplitz_idx, {}, lambda s, n: (_sig(s, n),)),
    "levinson_durbin": (levinson_durbin, {},
        lambda s, n: (np.array([1.0, 0.5, 0.2, 0.05]) * (1 + 0.1 * s),)),
    "pitch_amdf": (pitch_amdf, {}, lambda s, n: (np.sin(np.arange(8 * n) * 0.9 * s),)),
    "yin_difference": (yin_difference, {}, lambda s, n: (_sig(s, n),)),
    "harmonic_product_spectrum": (harmonic_product_spectrum, {},
        lambda s, n: (np.sin(np.arange(8 * n) * 0.3 * s) + 0.1 * _sig(s, n),)),
    "onset_strength": (onset_strength, {}, lambda s, n: (np.abs(_f(6, n, seed=s)),)),
    "peak_pick": (peak_pick, {}, lambda s, n: (_sig(s, n),)),
    "tempo_autocorr": (tempo_autocorr, {}, lambda s, n: (np.abs(_sig(s, n)),)),
    "a_weighting": (a_weighting, {}, lambda s, n: (np.linspace(0, 8000, n + 1),)),
    "loudness_lufs_like": (loudness_lufs_like, {}, lambda s, n: (_sig(s, n) * 0.1,)),
    "noise_gate": (noise_gate, {}, lambda s, n: (_sig(s, n).astype(np.float32) * 0.2,)),
    "compressor": (compressor, {}, lambda s, n: (_sig(s, n),)),
    "soft_clip": (soft_clip, {}, lambda s, n: (_sig(s, n),)),
    "bitcrush": (bitcrush, {}, lambda s, n: (_sig(s, n),)),
    "ring_mod": (ring_mod, {}, lambda s, n: (_f(2, 4 * n, seed=s),)),
    "delay_effect": (delay_effect, {}, lambda s, n: (_sig(s, n),)),
    "allpass_filter": (allpass_filter, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "state_variable_filter": (state_variable_filter, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "karplus_strong": (karplus_strong, {}, lambda s, n: (_f(n, seed=s),)),
    "adsr_envelope": (adsr_envelope, {}, lambda s, n: (3 * n,)),
    "additive_synth": (additive_synth, {},
        lambda s, n: (np.array([220.0, 440.0, 660.0]) * s, 1 / np.arange(1, 4))),
    "fm_synth": (fm_synth, {}, lambda s, n: (np.arange(8 * n) / 8000, 440.0 * s)),
    "square_saw": (square_saw, {}, lambda s, n: (np.linspace(0.01, 1.03, 8 * n),)),
    "log_return_matrix_stats": (log_return_matrix_stats, {},
        lambda s, n: (np.exp(np.cumsum(0.01 * _f(5 * n, 3, seed=s), axis=0)),)),
    "cov_bias_ddof": (cov_bias_ddof, {}, lambda s, n: (_r(s, n), _r(s + 1, n))),
    "sortino_with_where": (sortino_with_where, {}, lambda s, n: (_r(s, n),)),
    "ulcer_index": (ulcer_index, {}, lambda s, n: (_p(s, n),)),
    "underwater_periods": (underwater_periods, {}, lambda s, n: (_p(s, n),)),
    "recovery_factor": (recovery_factor, {}, lambda s, n: (_r(s, n) + 0.003,)),
    "win_rate_profit_factor": (win_rate_profit_factor, {}, lambda s, n: (_r(s, n),)),
    "position_sizing": (position_sizing, {}, lambda s, n: (1e5, _p(s, n))),
    "strategy_returns": (strategy_returns, {},
        lambda s, n: (_p(s, n), np.sign(_f(6 * n, seed=s + 3)))),
    "transaction_costs": (transaction_costs, {}, lambda s, n: (_f(n, 3, positive=True, seed=s),)),
    "cagr": (cagr, {}, lambda s, n: (_p(s, n), np.cumsum(_i(3, 6 * n, seed=s) + 1))),
    "skew_kurt": (skew_kurt, {}, lambda s, n: (_r(s, n),)),
    "jarque_bera": (jarque_bera, {}, lambda s, n: (_r(s, n),)),
    "autocorr_returns": (autocorr_returns, {}, lambda s, n: (_r(s, n),)),
    "ljung_box": (ljung_box, {}, lambda s, n: (_r(s, n),)),
    "half_life_ou": (half_life_ou, {},
        lambda s, n: (np.cumsum(_r(s, n)) * -1 + 0.3 * np.sin(np.arange(6 * n)),)),
    "pairs_zscore": (pairs_zscore, {}, lambda s, n: (_p(s, n), _p(s + 1, n))),
    "kalman_beta": (kalman_beta, {}, lambda s, n: (_r(s, n), _r(s + 1, n))),
    "ou_mle": (ou_mle, {}, lambda s, n: (np.sin(np.arange(6 * n) * 0.7 * s) + _r(s, n),)),
    "cds_survival": (cds_survival, {}, lambda s, n: (np.full(n, 0.02 * s), np.arange(1.0, n + 1))),
    "swap_rate": (swap_rate, {}, lambda s, n: (np.exp(-0.03 * s * np.arange(1, n + 1) * 0.5),)),
    "discount_factors": (discount_factors, {},
        lambda s, n: (np.full(n, 0.03), np.arange(1.0, n + 1))),
    "discount_factors_annual": (discount_factors, {"compounding": "annual"},
        lambda s, n: (np.full(n, 0.03), np.arange(1.0, n + 1))),
    "black76": (black76, {}, lambda s, n: (100.0 + _f(n, seed=s), 100.0, 1.0, 0.97, 0.2)),
    "black76_put": (black76, {"call": False},
        lambda s, n: (100.0 + _f(n, seed=s), 100.0, 1.0, 0.97, 0.2)),
    "digital_option": (digital_option, {},
        lambda s, n: (100.0 + 5 * _f(n, seed=s), 100.0, 0.5, 0.01, 0.3)),
}


@pytest.mark.parametrize("name", list(B3))
def test_effects_analysis_and_more_finance_match_numpy(name):
    check_like_numpy(*B3[name])


GEN3 = [(barrier_mc, ()), (lsm_american_put, ()), (poisson_jumps, ())]


@pytest.mark.parametrize("fn, args", GEN3, ids=[f.__name__ for f, _ in GEN3])
def test_path_dependent_monte_carlo_with_a_generator_argument(fn, args):
    """A knock-out barrier, Longstaff-Schwartz regression by `lstsq` and Poisson jumps: NumPy's
    draws and values, and the generator left in NumPy's state."""
    want_rng, got_rng = np.random.default_rng(7), np.random.default_rng(7)
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(got_rng, *args), fn(want_rng, *args))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


# -------------------------------------- filtering, cross-sections, multichannel and more draws


def rfft_truncate(frames, n_fft=6):
    return np.abs(np.fft.rfft(frames, n=n_fft, axis=1)) ** 2


def irfft_odd(X, n=9):
    return np.fft.irfft(X, n)


def fftfreq_f32(x, fs=100.0):
    f = np.fft.fftfreq(len(x), d=1 / fs)
    X = np.fft.fft(x)
    return f[np.argmax(np.abs(X[:len(x) // 2]))], np.fft.fftshift(f)


def window_f32(frames):
    w = np.hanning(frames.shape[-1]).astype(np.float32)
    return frames * w


def multichannel_frames(x, frame_length=4, hop=2):
    return np.lib.stride_tricks.sliding_window_view(x, frame_length, axis=-1)[..., ::hop, :]


def pad_modes(x, n=4):
    return (np.pad(x, (n // 2, n // 2), mode="constant"), np.pad(x, n, mode="edge"),
            np.pad(x, (1, n), mode="wrap"), np.pad(x, (n, 0), mode="symmetric"),
            np.pad(x, 2, mode="linear_ramp", end_values=(0, 0)))


def lfilter_with_state(b, a, x, zi):
    y = np.zeros_like(x)
    z = zi.copy()
    for n in range(len(x)):
        y[n] = b[0] * x[n] + z[0]
        z[0] = b[1] * x[n] - a[1] * y[n] + z[1]
        z[1] = b[2] * x[n] - a[2] * y[n]
    return y, z


def filtfilt_onepole(x, alpha=0.3):
    def run(v):
        y = np.zeros_like(v)
        acc = v[0]
        for i in range(len(v)):
            acc = alpha * v[i] + (1 - alpha) * acc
            y[i] = acc
        return y
    return run(run(x)[::-1])[::-1]


def detrend_linear(x):
    t = np.arange(len(x))
    p = np.polyfit(t, x, 1)
    return x - np.polyval(p, t)


def detrend_lstsq(x):
    A = np.vstack([np.arange(len(x)), np.ones(len(x))]).T
    coef = np.linalg.lstsq(A, x, rcond=None)[0]
    return x - A @ coef


def cross_sectional_rank(returns):
    ranks = returns.argsort(axis=1).argsort(axis=1)
    return ranks / (returns.shape[1] - 1) - 0.5


def zscore_cross_section(X):
    return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)


def top_k_long_short(scores, k=2):
    order = np.argsort(scores, axis=1)
    w = np.zeros_like(scores)
    rows = np.arange(scores.shape[0])[:, None]
    w[rows, order[:, -k:]] = 1.0 / k
    w[rows, order[:, :k]] = -1.0 / k
    return w


def int16_inplace_ops(pcm):
    p = pcm.copy()
    p //= 2
    p >>= 1
    p[p > 1000] = 1000
    p[p < -1000] = -1000
    return p


def int16_max_accumulate(pcm):
    return np.maximum.accumulate(np.abs(pcm)), np.add.accumulate(pcm.astype(np.int32))


def iinfo_finfo(x):
    eps = np.finfo(np.float32).eps
    peak = np.iinfo(np.int16).max
    y = np.clip(np.rint(x * peak), -peak - 1, peak).astype(np.int16)
    return y, np.float32(eps) * x


def interp_kwargs(x, xp, fp):
    return (np.interp(x, xp, fp, left=0.0, right=-1.0), np.interp(x, xp, fp, period=4.0))


def per_frame_dot(frames, w):
    return np.einsum("ij,ij->i", frames, frames), np.einsum("ij,j->i", frames, w)


def spectrogram_smooth_2d(S, k=3):
    Sp = np.pad(S, k // 2, mode="edge")
    win = np.lib.stride_tricks.sliding_window_view(Sp, (k, k))
    return win.mean(axis=(-1, -2))


def noise_floor(S):
    floor = np.median(S, axis=1, keepdims=True)
    p10 = np.percentile(S, 10, axis=1, keepdims=True)
    return np.maximum(S - floor, 0), p10


def pca_returns(R, k=2):
    C = np.cov(R, rowvar=False)
    vals, vecs = np.linalg.eigh(C)
    order = np.argsort(vals)[::-1]
    vals = vals[order]
    return vals[:k] / vals.sum(), np.abs(vecs[:, order[:k]])


def cholesky_sim(cov, z):
    L = np.linalg.cholesky(cov)
    return z @ L.T


def mono_or_stereo(x):
    if x.ndim > 1:
        x = x.mean(axis=1)
    return x / (np.abs(x).max() + 1e-9)


def int_array_stats(volume):
    return volume.sum(), volume.mean(), np.median(volume), volume.max() - volume.min(), len(volume)


def isclose_checks(a, b):
    return np.isclose(a, b, rtol=1e-3), np.allclose(a, a), np.array_equal(a, b)


def ewm_matrix_weights(x, alpha=0.3):
    n = len(x)
    i = np.arange(n)
    W = np.tril((1 - alpha) ** (i[:, None] - i[None, :]))
    W /= W.sum(axis=1, keepdims=True)
    return W @ x


def rolling_corr(a, b, window=5):
    A = np.lib.stride_tricks.sliding_window_view(a, window)
    B = np.lib.stride_tricks.sliding_window_view(b, window)
    A = A - A.mean(axis=1, keepdims=True)
    B = B - B.mean(axis=1, keepdims=True)
    return (A * B).sum(1) / np.sqrt((A ** 2).sum(1) * (B ** 2).sum(1))


def rolling_ols_loop(y, x, window=5):
    n = len(y)
    betas = np.full((n, 2), np.nan)
    for t in range(window, n + 1):
        X = np.column_stack([np.ones(window), x[t - window:t]])
        betas[t - 1] = np.linalg.solve(X.T @ X, X.T @ y[t - window:t])
    return betas


def drawdown_table(equity):
    peak = np.maximum.accumulate(equity)
    dd = equity / peak - 1
    trough = np.argmin(dd)
    peak_idx = np.argmax(np.where(np.arange(len(equity)) <= trough, equity, -np.inf))
    return {"max_dd": dd[trough], "trough": trough, "peak": peak_idx}


def brownian_bridge_fill(rng, a=0.0, b=1.0, n=8):
    t = np.linspace(0, 1, n)
    W = np.concatenate([[0.0], np.cumsum(rng.standard_normal(n - 1) * np.sqrt(np.diff(t)))])
    return a + W - t * (W[-1] - (b - a))


def bootstrap_var(rng, returns, n_boot=30, alpha=5.0):
    idx = rng.choice(len(returns), size=(n_boot, len(returns)), replace=True)
    return np.percentile(np.percentile(returns[idx], alpha, axis=1), [5, 95])


def mvn_portfolio_sim(rng, mu, cov, w, n=50):
    R = rng.multivariate_normal(mu, cov, size=n)
    return (R @ w).mean(), np.percentile(R @ w, 5)


def permutation_test_sharpe(rng, r, n=20):
    stats = np.empty(n)
    for i in range(n):
        s = rng.permutation(r) * rng.choice([-1.0, 1.0], size=len(r))
        stats[i] = s.mean() / s.std()
    return (stats >= r.mean() / r.std()).mean()


def noise_dither(rng, x, bits=8):
    q = 2.0 ** (1 - bits)
    d = (rng.random(len(x)) - rng.random(len(x))) * q
    return np.round((x + d) / q) * q


B4 = {
    "rfft_truncate": (rfft_truncate, {}, lambda s, n: (_f(n, 8, seed=s),)),
    "irfft_odd": (irfft_odd, {}, lambda s, n: (np.fft.rfft(_f(n + 3, seed=s)),)),
    "fftfreq_f32": (fftfreq_f32, {}, lambda s, n: (_sig(s, n).astype(np.float32),)),
    "window_f32": (window_f32, {}, lambda s, n: (_f(n, 8, seed=s).astype(np.float32),)),
    "multichannel_frames": (multichannel_frames, {}, lambda s, n: (_f(2, 3 * n, seed=s),)),
    "pad_modes": (pad_modes, {}, lambda s, n: (_sig(s, n),)),
    "lfilter_with_state": (
        lfilter_with_state,
        {},
        lambda s, n: (np.array([0.2, 0.4, 0.2]), np.array([1.0, -0.3, 0.1]), _f(3 * n, seed=s),
                      np.zeros(2)),
    ),
    "filtfilt_onepole": (filtfilt_onepole, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "detrend_linear": (detrend_linear, {}, lambda s, n: (_sig(s, n) + np.arange(8 * n) * 0.1,)),
    "detrend_lstsq": (detrend_lstsq, {}, lambda s, n: (_sig(s, n) + np.arange(8 * n) * 0.1,)),
    "cross_sectional_rank": (cross_sectional_rank, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "zscore_cross_section": (zscore_cross_section, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "top_k_long_short": (top_k_long_short, {}, lambda s, n: (_f(n, 6, seed=s),)),
    "int16_inplace_ops": (int16_inplace_ops, {},
        lambda s, n: ((_sig(s, n) * 9000).astype(np.int16),)),
    "int16_max_accumulate": (int16_max_accumulate, {},
        lambda s, n: ((_sig(s, n) * 9000).astype(np.int16),)),
    "iinfo_finfo": (iinfo_finfo, {}, lambda s, n: (np.tanh(_sig(s, n)).astype(np.float32),)),
    "interp_kwargs": (interp_kwargs, {},
        lambda s, n: (np.linspace(-1, 6, 3 * n), np.arange(4.0), _f(4, seed=s))),
    "per_frame_dot": (per_frame_dot, {}, lambda s, n: (_f(n, 6, seed=s), _f(6, seed=s + 1))),
    "spectrogram_smooth_2d": (spectrogram_smooth_2d, {}, lambda s, n: (np.abs(_f(5, n, seed=s)),)),
    "noise_floor": (noise_floor, {}, lambda s, n: (np.abs(_f(5, n, seed=s)),)),
    "pca_returns": (pca_returns, {}, lambda s, n: (_f(5 * n, 4, seed=s),)),
    "cholesky_sim": (cholesky_sim, {},
        lambda s, n: (np.array([[1.0, 0.3], [0.3, 2.0]]) * s, _f(n, 2, seed=s))),
    "mono_or_stereo": (mono_or_stereo, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "mono_or_stereo_1d": (mono_or_stereo, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "int_array_stats": (int_array_stats, {}, lambda s, n: (_i(1000, 5 * n, seed=s),)),
    "isclose_checks": (isclose_checks, {}, lambda s, n: (_r(s, n), _r(s, n) * (1 + 1e-4 * s))),
    "ewm_matrix_weights": (ewm_matrix_weights, {}, lambda s, n: (_p(s, n),)),
    "rolling_corr": (rolling_corr, {}, lambda s, n: (_r(s, n), _r(s + 1, n))),
    "rolling_ols_loop": (rolling_ols_loop, {}, lambda s, n: (_r(s, n), _r(s + 1, n))),
    "drawdown_table": (drawdown_table, {}, lambda s, n: (_p(s, n),)),
}


@pytest.mark.parametrize("name", list(B4))
def test_filters_cross_sections_and_factors_match_numpy(name):
    check_like_numpy(*B4[name])


GEN4 = [
    (brownian_bridge_fill, ()),
    (bootstrap_var, (_r(2, 4),)),
    (mvn_portfolio_sim,
     (np.array([0.01, 0.02]), np.array([[0.04, 0.01], [0.01, 0.09]]), np.array([0.5, 0.5]))),
    (permutation_test_sharpe, (_r(3, 3),)),
    (noise_dither, (np.tanh(_sig(1, 3)),)),
]


@pytest.mark.parametrize("fn, args", GEN4, ids=[f.__name__ for f, _ in GEN4])
def test_bootstrap_permutation_and_dither_draws(fn, args):
    """A Brownian bridge, bootstrap VaR by `rng.choice`, `multivariate_normal` portfolio
    returns, a permutation test and TPDF dither: NumPy's draws and values, and the
    generator left in NumPy's state."""
    want_rng, got_rng = np.random.default_rng(11), np.random.default_rng(11)
    jf = tracenp.jit(fn)
    for _ in range(3):
        assert_same(jf(got_rng, *args), fn(want_rng, *args))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


# --------------------------------------------------- indicators, filter design and phase tools


def obv(close, volume):
    return np.concatenate([[0], np.cumsum(np.sign(np.diff(close)) * volume[1:])])


def stochastic_k(high, low, close, n=5):
    hh = np.lib.stride_tricks.sliding_window_view(high, n).max(axis=1)
    ll = np.lib.stride_tricks.sliding_window_view(low, n).min(axis=1)
    return 100 * (close[n - 1:] - ll) / (hh - ll)


def heikin_ashi(o, h, l, c):
    ha_close = (o + h + l + c) / 4
    ha_open = np.empty_like(o)
    ha_open[0] = (o[0] + c[0]) / 2
    for i in range(1, len(o)):
        ha_open[i] = (ha_open[i - 1] + ha_close[i - 1]) / 2
    ha_high = np.max(np.vstack([h, ha_open, ha_close]), axis=0)
    ha_low = np.min(np.vstack([l, ha_open, ha_close]), axis=0)
    return ha_open, ha_high, ha_low, ha_close


def keltner(high, low, close, n=4, mult=2.0):
    tr = np.maximum(high[1:] - low[1:],
                    np.maximum(np.abs(high[1:] - close[:-1]), np.abs(low[1:] - close[:-1])))
    atr = np.convolve(tr, np.ones(n) / n, mode="valid")
    mid = np.convolve(close[1:], np.ones(n) / n, mode="valid")
    return mid - mult * atr, mid + mult * atr


def chaikin_money_flow(high, low, close, volume, n=5):
    mfm = ((close - low) - (high - close)) / (high - low)
    mfv = mfm * volume
    k = np.ones(n)
    return np.convolve(mfv, k, "valid") / np.convolve(volume, k, "valid")


def frac_diff_weights(d=0.4, size=6):
    w = [1.0]
    for k in range(1, size):
        w.append(-w[-1] * (d - k + 1) / k)
    return np.array(w[::-1]).reshape(-1, 1)


def frac_diff(series, d=0.4, size=6):
    w = frac_diff_weights(d, size)
    out = np.full(len(series), np.nan)
    for i in range(size - 1, len(series)):
        out[i] = np.dot(w.T, series[i - size + 1:i + 1])[0]
    return out


def percent_b(prices, n=5, k=2.0):
    w = np.lib.stride_tricks.sliding_window_view(prices, n)
    m, s = w.mean(1), w.std(1)
    return (prices[n - 1:] - (m - k * s)) / (2 * k * s)


def ichimoku(high, low, t=3, k=5):
    def mid(n):
        hh = np.lib.stride_tricks.sliding_window_view(high, n).max(-1)
        ll = np.lib.stride_tricks.sliding_window_view(low, n).min(-1)
        return (hh + ll) / 2
    tenkan = mid(t)[k - t:]
    kijun = mid(k)
    return tenkan, kijun, (tenkan + kijun) / 2


def acklam_norm_ppf(p):
    a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
         1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
         6.680131188771972e+01, -1.328068155288572e+01]
    c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
         -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    plow = 0.02425
    q = np.sqrt(-2 * np.log(np.minimum(p, 1 - p)))
    tail = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / \
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    r = (p - 0.5) ** 2
    central = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * (p - 0.5) / \
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    return np.where(p < plow, tail, np.where(p > 1 - plow, -tail, central))


def parametric_var_ppf(returns, alpha=0.01):
    return -(returns.mean() + acklam_norm_ppf(np.array(alpha)) * returns.std())


def vectorized_erf_2d_f32(x):
    return 0.5 * (1 + np.vectorize(math.erf)(x / np.sqrt(2)))


def fft_int16(pcm):
    return np.abs(np.fft.rfft(pcm)), np.fft.rfft(pcm.astype(np.float32)).dtype == np.complex64


def frames_to_time(frames, sr=22050, hop_length=512):
    return np.asanyarray(frames) * hop_length / float(sr)


def time_to_frames(times, sr=22050, hop_length=512):
    return np.floor(np.asanyarray(times) * sr / hop_length).astype(int)


def phase_vocoder(D, rate=0.8, hop=4, n_fft=14):
    time_steps = np.arange(0, D.shape[1], rate, dtype=np.float64)
    d_stretch = np.zeros((D.shape[0], len(time_steps)), D.dtype)
    phi_advance = np.linspace(0, np.pi * hop, D.shape[0])
    phase_acc = np.angle(D[:, 0])
    D = np.pad(D, [(0, 0), (0, 2)], mode="constant")
    for t, step in enumerate(time_steps):
        columns = D[:, int(step):int(step + 2)]
        alpha = np.mod(step, 1.0)
        mag = (1.0 - alpha) * np.abs(columns[:, 0]) + alpha * np.abs(columns[:, 1])
        d_stretch[:, t] = mag * np.exp(1j * phase_acc)
        dphase = np.angle(columns[:, 1]) - np.angle(columns[:, 0]) - phi_advance
        dphase = dphase - 2.0 * np.pi * np.round(dphase / (2.0 * np.pi))
        phase_acc += phi_advance + dphase
    return d_stretch


def window_sumsquare(n_frames, hop=4, n_fft=8):
    n = n_fft + hop * (n_frames - 1)
    x = np.zeros(n, dtype=np.float32)
    win_sq = np.hanning(n_fft) ** 2
    for i in range(n_frames):
        sample = i * hop
        x[sample:min(n, sample + n_fft)] += win_sq[:max(0, min(n_fft, n - sample))]
    return x


def random_phase_reconstruct(mag, phase):
    return np.fft.irfft(mag * np.exp(1j * phase), axis=0)


def xcorr_delay(x, y):
    c = np.correlate(x, y, mode="full")
    lag = np.argmax(c) - (len(y) - 1)
    return lag, c.max() / np.sqrt(np.sum(x ** 2) * np.sum(y ** 2))


def gcc_phat(sig, refsig, fs=1, max_shift=4):
    n = sig.shape[0] + refsig.shape[0]
    SIG = np.fft.rfft(sig, n=n)
    REFSIG = np.fft.rfft(refsig, n=n)
    R = SIG * np.conj(REFSIG)
    cc = np.fft.irfft(R / (np.abs(R) + 1e-15), n=n)
    cc = np.concatenate((cc[-max_shift:], cc[:max_shift + 1]))
    shift = np.argmax(np.abs(cc)) - max_shift
    return shift / float(fs), cc


def even_kernel_same(x):
    return (np.convolve(x, [0.25, 0.25, 0.25, 0.25], mode="same"),
            np.convolve(x, np.array([1, -1]), "same"))


def spectral_gate(S, n_std=1.5):
    mean = S.mean(axis=1, keepdims=True)
    std = S.std(axis=1, keepdims=True)
    mask = S > mean + n_std * std
    return S * mask, mask.mean()


def pitch_shift_resample(x, semitones=2):
    factor = 2 ** (semitones / 12)
    idx = np.arange(0, len(x), factor)
    return np.interp(idx[idx < len(x) - 1], np.arange(len(x)), x)


def crest_factor_db(frames):
    peak = np.max(np.abs(frames), axis=1)
    rms = np.sqrt(np.mean(frames ** 2, axis=1))
    return 20 * np.log10(peak / rms)


def stereo_width(lr):
    mid = (lr[:, 0] + lr[:, 1]) / 2
    side = (lr[:, 0] - lr[:, 1]) / 2
    return np.sum(side ** 2) / (np.sum(mid ** 2) + 1e-12), np.corrcoef(lr.T)[0, 1]


def biquad_peaking_coeffs(f0, fs, gain_db, q):
    A = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * f0 / fs
    alpha = math.sin(w0) / (2 * q)
    b = np.array([1 + alpha * A, -2 * math.cos(w0), 1 - alpha * A])
    a = np.array([1 + alpha / A, -2 * math.cos(w0), 1 - alpha / A])
    return b / a[0], a / a[0]


def freq_response(b, a, n=16):
    w = np.linspace(0, np.pi, n)
    z = np.exp(-1j * w)
    H = np.polyval(b[::-1], z) / np.polyval(a[::-1], z)
    return w, 20 * np.log10(np.abs(H)), np.unwrap(np.angle(H))


def group_delay_fd(b, a, n=16):
    w, _, phase = freq_response(b, a, n)
    return -np.gradient(phase, w)


def sos_cascade(x, sos):
    y = x.copy()
    for section in sos:
        b0, b1, b2, a0, a1, a2 = section
        out = np.zeros_like(y)
        for n in range(len(y)):
            acc = b0 * y[n]
            if n > 0:
                acc += b1 * y[n - 1] - a1 * out[n - 1]
            if n > 1:
                acc += b2 * y[n - 2] - a2 * out[n - 2]
            out[n] = acc / a0
        y = out
    return y


def _ohlc(s, n):
    c = _p(s, n)
    h = c * (1 + 0.01 * np.abs(_f(6 * n, seed=s + 1)))
    l = c * (1 - 0.01 * np.abs(_f(6 * n, seed=s + 2)))
    o = (h + l) / 2
    return o, h, l, c


B5 = {
    "obv": (obv, {}, lambda s, n: (_p(s, n), _i(1000, 6 * n, seed=s))),
    "stochastic_k": (stochastic_k, {}, lambda s, n: _ohlc(s, n)[1:]),
    "heikin_ashi": (heikin_ashi, {}, lambda s, n: _ohlc(s, n)),
    "keltner": (keltner, {}, lambda s, n: _ohlc(s, n)[1:]),
    "chaikin_money_flow": (chaikin_money_flow, {},
        lambda s, n: (*_ohlc(s, n)[1:], _i(1000, 6 * n, seed=s) + 1.0)),
    "frac_diff": (frac_diff, {}, lambda s, n: (np.log(_p(s, n)),)),
    "percent_b": (percent_b, {}, lambda s, n: (_p(s, n),)),
    "ichimoku": (ichimoku, {}, lambda s, n: _ohlc(s, n)[1:3]),
    "acklam_norm_ppf": (acklam_norm_ppf, {}, lambda s, n: (np.linspace(0.001, 0.999, 5 * n),)),
    "parametric_var_ppf": (parametric_var_ppf, {}, lambda s, n: (0.01 * _f(6 * n, seed=s),)),
    "vectorized_erf_2d_f32": (vectorized_erf_2d_f32, {},
        lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "fft_int16": (fft_int16, {}, lambda s, n: ((_sig(s, n) * 1000).astype(np.int16),)),
    "frames_to_time": (frames_to_time, {}, lambda s, n: (np.arange(n),)),
    "time_to_frames": (time_to_frames, {}, lambda s, n: (np.linspace(0, 1, n),)),
    "phase_vocoder": (phase_vocoder, {}, lambda s, n: (np.fft.rfft(_f(14, n, seed=s), axis=0),)),
    "window_sumsquare": (window_sumsquare, {}, lambda s, n: (n,)),
    "random_phase_reconstruct": (random_phase_reconstruct, {},
        lambda s, n: (np.abs(_f(5, n, seed=s)), _f(5, n, seed=s + 1))),
    "xcorr_delay": (xcorr_delay, {}, lambda s, n: (_sig(s, n), np.roll(_sig(s, n), s))),
    "gcc_phat": (gcc_phat, {}, lambda s, n: (_sig(s, n), np.roll(_sig(s, n), s))),
    "even_kernel_same": (even_kernel_same, {}, lambda s, n: (_sig(s, n),)),
    "spectral_gate": (spectral_gate, {}, lambda s, n: (np.abs(_f(5, n, seed=s)),)),
    "pitch_shift_resample": (pitch_shift_resample, {}, lambda s, n: (_sig(s, n),)),
    "crest_factor_db": (crest_factor_db, {}, lambda s, n: (_f(n, 8, seed=s),)),
    "stereo_width": (stereo_width, {}, lambda s, n: (_f(4 * n, 2, seed=s),)),
    "biquad_peaking_coeffs": (biquad_peaking_coeffs, {},
        lambda s, n: (1000.0, 16000.0, 3.0 * s, 0.7)),
    "freq_response": (freq_response, {},
        lambda s, n: (np.array([0.2, 0.4, 0.2]), np.array([1.0, -0.3 * s / 3, 0.1]))),
    "group_delay_fd": (group_delay_fd, {},
        lambda s, n: (np.array([0.2, 0.4, 0.2]), np.array([1.0, -0.3 * s / 3, 0.1]))),
    "sos_cascade": (
        sos_cascade,
        {},
        lambda s, n: (_f(3 * n, seed=s), np.array([[0.2, 0.4, 0.2, 1.0, -0.3, 0.1],
                                                   [1.0, -1.0, 0.0, 1.0, -0.5, 0.0]])),
    ),
}


@pytest.mark.parametrize("name", list(B5))
def test_indicators_filter_design_and_phase_tools_match_numpy(name):
    check_like_numpy(*B5[name])


# ----------------------------------------- statistics of PCM, float32 spectra and trade series


def int16_stats(pcm):
    return (np.median(pcm), np.percentile(pcm, 95), np.quantile(pcm, [0.1, 0.5]), np.std(pcm),
            np.var(pcm, ddof=1), np.ptp(pcm), np.mean(np.abs(pcm.astype(np.int32))))


def float32_stats(x):
    return (np.median(x), np.percentile(x, 95), np.std(x), np.var(x), np.mean(x), x.sum(),
            np.linalg.norm(x), np.quantile(x, 0.5, method="nearest"))


def hist_audio(x, bins=8):
    counts, edges = np.histogram(x, bins=bins, range=(-1.0, 1.0))
    return counts, edges, np.histogram(x, bins=edges, density=True)[0]


def digitize_right(x):
    bins = np.array([-0.5, 0.0, 0.5])
    return np.digitize(x, bins, right=True), np.searchsorted(bins, x, side="right")


def interp_f32(x):
    xp = np.linspace(0, 1, 5, dtype=np.float32)
    fp = (xp ** 2).astype(np.float32)
    return np.interp(x, xp, fp)


def rfftfreq_int_sr(x, sr=16000):
    peak = np.argmax(np.abs(np.fft.rfft(x)))
    return np.fft.rfftfreq(len(x), d=1 / sr), np.fft.rfftfreq(len(x), 1.0 / sr)[peak]


def spectral_entropy(S):
    p = S / S.sum(axis=0, keepdims=True)
    return -np.sum(p * np.log2(p + 1e-12), axis=0)


def zcr_int16(pcm, frame=8):
    frames = pcm[:len(pcm) // frame * frame].reshape(-1, frame)
    signs = np.sign(frames)
    return (np.diff(signs, axis=1) != 0).sum(axis=1)


def energy_int16_overflow_safe(pcm):
    return np.sum(pcm.astype(np.int64) ** 2), np.sum(pcm.astype(np.float64) ** 2), np.dot(pcm, pcm)


def clipped_fraction(pcm):
    return np.mean(np.abs(pcm) >= 32767), np.count_nonzero(pcm == np.iinfo(np.int16).min)


def dither_quantize(x, noise):
    y = np.round(x * 32767 + noise)
    return np.clip(y, -32768, 32767).astype(np.int16)


def log_spec_f32(x):
    frames = np.lib.stride_tricks.sliding_window_view(x, 8)[::4]
    win = np.hanning(8).astype(x.dtype)
    S = np.abs(np.fft.rfft(frames * win)) ** 2
    return np.log(S + np.finfo(x.dtype).eps)


def returns_int_prices(prices_cents):
    p = prices_cents / 100
    return np.diff(p) / p[:-1], np.diff(prices_cents)


def cumulative_volume_pct(volume):
    c = np.cumsum(volume)
    return c / c[-1], np.searchsorted(c, c[-1] / 2)


def weighted_percentile(values, weights, q=50.0):
    idx = np.argsort(values)
    v, w = values[idx], weights[idx]
    cw = np.cumsum(w) - 0.5 * w
    cw /= w.sum()
    return np.interp(q / 100, cw, v)


def sample_entropy_like(x, m=2, r=0.2):
    n = len(x)
    tpl = np.lib.stride_tricks.sliding_window_view(x, m)
    d = np.max(np.abs(tpl[:, None, :] - tpl[None, :, :]), axis=2)
    B = (np.sum(d <= r) - len(tpl))
    tpl1 = np.lib.stride_tricks.sliding_window_view(x, m + 1)
    d1 = np.max(np.abs(tpl1[:, None, :] - tpl1[None, :, :]), axis=2)
    A = (np.sum(d1 <= r) - len(tpl1))
    return -np.log(A / B)


def max_consecutive_losses(returns):
    losing = (returns < 0).astype(int)
    run = np.zeros_like(losing)
    for i in range(len(losing)):
        run[i] = (run[i - 1] + 1) * losing[i] if i > 0 else losing[i]
    return run.max()


def drawdown_np_where_loop(equity):
    out = np.zeros_like(equity)
    peak = equity[0]
    for i in range(len(equity)):
        peak = np.where(equity[i] > peak, equity[i], peak)
        out[i] = (equity[i] - peak) / peak
    return out


B6 = {
    "int16_stats": (int16_stats, {}, lambda s, n: ((_sig(s, n) * 5000).astype(np.int16),)),
    "float32_stats": (float32_stats, {}, lambda s, n: (_sig(s, n).astype(np.float32),)),
    "hist_audio": (hist_audio, {}, lambda s, n: (np.tanh(_sig(s, n)).astype(np.float32),)),
    "digitize_right": (digitize_right, {}, lambda s, n: (np.round(_sig(s, n), 1),)),
    "interp_f32": (interp_f32, {},
        lambda s, n: (np.linspace(-0.1, 1.1, 4 * n).astype(np.float32),)),
    "rfftfreq_int_sr": (rfftfreq_int_sr, {}, lambda s, n: (_sig(s, n),)),
    "spectral_entropy": (spectral_entropy, {}, lambda s, n: (np.abs(_f(9, n, seed=s)),)),
    "zcr_int16": (zcr_int16, {}, lambda s, n: ((_sig(s, n) * 5000).astype(np.int16),)),
    "energy_int16_overflow_safe": (energy_int16_overflow_safe, {},
        lambda s, n: ((_sig(s, n) * 50).astype(np.int16),)),
    "clipped_fraction": (clipped_fraction, {},
        lambda s, n: (np.clip(_sig(s, n) * 40000, -32768, 32767).astype(np.int16),)),
    "dither_quantize": (dither_quantize, {},
        lambda s, n: (np.tanh(_sig(s, n)), _f(8 * n, seed=s + 1) * 0.5)),
    "log_spec_f32": (log_spec_f32, {}, lambda s, n: (_sig(s, n).astype(np.float32),)),
    "log_spec_f64": (log_spec_f32, {}, lambda s, n: (_sig(s, n),)),
    "returns_int_prices": (returns_int_prices, {}, lambda s, n: (10000 + _i(100, 6 * n, seed=s),)),
    "cumulative_volume_pct": (cumulative_volume_pct, {},
        lambda s, n: (_i(100, 6 * n, seed=s) + 1,)),
    "weighted_percentile": (weighted_percentile, {},
        lambda s, n: (_sig(s, n), np.abs(_sig(s + 1, n)))),
    "sample_entropy_like": (sample_entropy_like, {},
        lambda s, n: (np.sin(np.arange(4 * n) * 0.5) + 0.1 * _f(4 * n, seed=s),)),
    "max_consecutive_losses": (max_consecutive_losses, {}, lambda s, n: (_sig(s, n),)),
    "drawdown_np_where_loop": (drawdown_np_where_loop, {},
        lambda s, n: (100 * np.exp(np.cumsum(0.02 * _sig(s, n))),)),
}


@pytest.mark.parametrize("name", list(B6))
def test_pcm_statistics_and_trade_series_match_numpy(name):
    check_like_numpy(*B6[name])


# -------------------------------------------------------- complex spectra and single precision


def complex64_ops(x):
    X = np.fft.fft(x)
    return X, np.abs(X), np.angle(X), np.conj(X) * X, X.real.dtype == np.float32


def phase_float32(phase):
    z = np.exp(1j * phase)
    return z, z.dtype, np.exp(np.complex64(1j) * phase)


def analytic_f32(x):
    X = np.fft.fft(x)
    h = np.zeros(len(x), dtype=x.dtype)
    h[0] = 1
    h[1:len(x) // 2] = 2
    h[len(x) // 2] = 1
    return np.abs(np.fft.ifft(X * h))


def cross_spectrum(x, y):
    X, Y = np.fft.rfft(x), np.fft.rfft(y)
    Sxy = X * np.conj(Y)
    coh = np.abs(Sxy) ** 2 / (np.abs(X) ** 2 * np.abs(Y) ** 2 + 1e-12)
    return np.angle(Sxy), coh


def complex_biquad(x, p):
    y = np.zeros(len(x), dtype=complex)
    for n in range(1, len(x)):
        y[n] = x[n] + p * y[n - 1]
    return y


def iq_demod(x, fc=0.1):
    n = np.arange(len(x))
    bb = x * np.exp(-2j * np.pi * fc * n)
    return np.convolve(bb, np.ones(4) / 4, mode="same")


B7 = {
    "complex64_ops": (complex64_ops, {}, lambda s, n: (_f(8 * n, seed=s).astype(np.float32),)),
    "phase_float32": (phase_float32, {}, lambda s, n: (_f(4 * n, seed=s).astype(np.float32),)),
    "analytic_f32": (analytic_f32, {}, lambda s, n: (_f(8 * n, seed=s).astype(np.float32),)),
    "cross_spectrum": (cross_spectrum, {}, lambda s, n: (_f(8 * n, seed=s), _f(8 * n, seed=s + 1))),
    "complex_biquad": (complex_biquad, {}, lambda s, n: (_f(3 * n, seed=s), 0.5 + 0.3j)),
    "iq_demod": (iq_demod, {}, lambda s, n: (_f(8 * n, seed=s),)),
}


@pytest.mark.parametrize("name", list(B7))
def test_complex_spectra_match_numpy(name):
    check_like_numpy(*B7[name])


# ------------------------------------------------------------------- stateful block processors


class OnePole:
    def __init__(self, a):
        self.a = a
        self.y = 0.0

    def process(self, x):
        out = np.empty_like(x)
        y = self.y
        for i in range(len(x)):
            y = self.a * x[i] + (1 - self.a) * y
            out[i] = y
        self.y = y
        return out


class BiquadDF2T:
    def __init__(self, b, a):
        self.b = np.asarray(b, dtype=float)
        self.a = np.asarray(a, dtype=float)
        self.z = np.zeros(2)

    def process(self, x):
        y = np.zeros_like(x)
        for n in range(len(x)):
            y[n] = self.b[0] * x[n] + self.z[0]
            self.z[0] = self.b[1] * x[n] - self.a[1] * y[n] + self.z[1]
            self.z[1] = self.b[2] * x[n] - self.a[2] * y[n]
        return y


class RunningStats:
    def __init__(self):
        self.n = 0
        self.mean = 0.0
        self.m2 = 0.0

    def process(self, r):
        for v in r:
            self.n += 1
            d = v - self.mean
            self.mean += d / self.n
            self.m2 += d * (v - self.mean)
        return self.mean, np.sqrt(self.m2 / (self.n - 1))


PROCESSORS = [(OnePole, (0.3,)), (BiquadDF2T, ([0.2, 0.4, 0.2], [1.0, -0.3, 0.1])),
              (RunningStats, ())]


@pytest.mark.parametrize("cls, args", PROCESSORS, ids=[c.__name__ for c, _ in PROCESSORS])
def test_stateful_block_processors_as_jitted_methods(cls, args):
    """A filter or running statistic that keeps its state on `self` between blocks (a
    one-pole's last output, a biquad's delay line written in place, Welford's counters):
    NumPy's outputs and state after each of four blocks."""
    jitted = type("Jitted" + cls.__name__, (cls,), {"process": tracenp.jit(cls.process)})
    want, got = cls(*args), jitted(*args)
    for seed in range(4):
        x = _f(6, seed=seed)
        assert_same(got.process(x.copy()), want.process(x.copy()))
        for name, value in vars(want).items():
            assert_same(getattr(got, name), value)


# ----------------------------------------------------------------------------- refused forms


def frames_of_a_transpose(X, n=3):
    cols = X.T
    s0, s1 = cols.strides
    return np.lib.stride_tricks.as_strided(cols, shape=(cols.shape[0] - n + 1, n, cols.shape[1]),
                                           strides=(s0, s0, s1))


def window_in_place(x, n=8, hop=4):
    frames = np.lib.stride_tricks.as_strided(
        x, shape=((len(x) - n) // hop + 1, n), strides=(x.strides[0] * hop, x.strides[0]))
    frames *= np.hanning(n)
    return x


def ffill_loop(x):
    out = x.copy()
    for i in range(1, len(out)):
        if np.isnan(out[i]):
            out[i] = out[i - 1]
    return out


def spectrum_report(x, fs=8000.0):
    X = np.abs(np.fft.rfft(x))
    f = np.fft.rfftfreq(len(x), 1 / fs)
    return {"peak_hz": f[X.argmax()], "energy": float(np.sum(x ** 2)), "spectrum": (f, X)}


def bs_lambda_erf(S, K, T, r, sigma):
    N = np.vectorize(lambda v: 0.5 * (1.0 + math.erf(v / math.sqrt(2.0))))
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    return S * N(d1) - K * np.exp(-r * T) * N(d1 - sigma * np.sqrt(T))


def pitch_int_lag(frame, sr=8000, min_lag=4):
    r = np.correlate(frame, frame, mode="full")[len(frame) - 1:]
    lag = int(np.argmax(r[min_lag:])) + min_lag
    return sr / lag


def coherence_real_if_close(x, y):
    X, Y = np.fft.rfft(x), np.fft.rfft(y)
    return np.real_if_close(X * np.conj(X)) / np.real_if_close(Y * np.conj(Y))


def trailing_stop(prices, pct=0.05):
    peak = prices[0]
    for i, p in enumerate(prices):
        peak = max(peak, p)
        if p < peak * (1 - pct):
            return i
    return -1


def zero_crossing_indices(x):
    return np.where(np.diff(np.sign(x)))[0]


def trim_silence(x, thresh=0.5):
    return x[np.abs(x) > thresh]


def var_backtest_hits(returns, var):
    hits = returns < -var
    return hits.sum(), hits.mean(), np.flatnonzero(hits).size


def irr_until_converged(cashflows, tol=1e-10):
    r = 0.1
    t = np.arange(len(cashflows))
    step = 1.0
    while abs(step) > tol:
        npv = np.sum(cashflows / (1 + r) ** t)
        d = np.sum(-t * cashflows / (1 + r) ** (t + 1))
        step = npv / d
        r -= step
    return r


REFUSED = {
    "frames_of_a_transpose": ("UnsupportedFunctionError", frames_of_a_transpose,
                              lambda s: (_f(4, 6, seed=s),)),
    "window_in_place": ("UnsupportedFunctionError", window_in_place, lambda s: (_f(24, seed=s),)),
    "ffill_loop": ("ConcretizationError", ffill_loop,
                   lambda s: (np.where(np.arange(9) % 3 == 1, np.nan, _f(9, seed=s)),)),
    "coherence_real_if_close": ("UnsupportedFunctionError", coherence_real_if_close,
                                lambda s: (_f(16, seed=s), _f(16, seed=s + 1))),
    "trailing_stop": ("ConcretizationError", trailing_stop,
                      lambda s: (100 * np.exp(np.cumsum(0.03 * _f(20, seed=s))),)),
    "zero_crossing_indices": ("DataDependentShapeError", zero_crossing_indices,
                              lambda s: (_f(16, seed=s),)),
    "trim_silence": ("DataDependentShapeError", trim_silence, lambda s: (_f(16, seed=s),)),
    "var_backtest_hits": ("DataDependentShapeError", var_backtest_hits,
                          lambda s: (0.01 * _f(30, seed=s), 0.01)),
    "irr_until_converged": ("ConcretizationError", irr_until_converged,
                            lambda s: (np.r_[-100.0 - s, np.full(5, 30.0)],)),
}


PYTHON_NUMBERS = {
    "spectrum_report": (spectrum_report, {}, lambda s, n: (_f(16, seed=s),)),
    "pitch_int_lag": (pitch_int_lag, {}, lambda s, n: (np.sin(np.arange(32) * (0.5 + 0.2 * s)),)),
}


@pytest.mark.parametrize("name", list(PYTHON_NUMBERS))
def test_python_numbers_of_traced_values_match_numpy(name):
    """Python numbers of traced values (`float()`, `int()`, `.item()`, `.tolist()`), refused
    before, match NumPy: weak traced scalars the function returns as NumPy's Python numbers."""
    check_like_numpy(*PYTHON_NUMBERS[name])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_run_under_fallback(name):
    """`as_strided` of a transposed view (NumPy's memory is not C-order) and a write through
    `as_strided` windows (they share elements), `np.real_if_close` (its dtype follows the
    values), a Python `if` on a traced value, `np.vectorize` of a lambda
    calling `math.erf` (it converts each element with float()), an early `return` on a price,
    zero-crossing indices, a trimmed signal and the `.size` of a selection (shapes the data
    decide), and IRR until a tolerance: each is refused by name and runs NumPy's code under
    `fallback=True`."""
    error, fn, make = REFUSED[name]
    check_refused(getattr(tracenp.errors, error), fn, make)


def bs_vectorize_erf_scalar_args(S, K, T, r, sigma):
    N = np.vectorize(lambda v: 0.5 * (1.0 + math.erf(v / math.sqrt(2.0))))
    d1 = (math.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * math.sqrt(T))
    d2 = d1 - sigma * math.sqrt(T)
    return S * N(d1) - K * math.exp(-r * T) * N(d2)


def tone(freq, n_samples, sr=8000.0):
    t = np.arange(n_samples) / sr
    return np.sin(2 * np.pi * freq * t)


def var_of_level(returns, alpha):
    return -np.percentile(returns, 100 * alpha), -np.quantile(returns, alpha)


STEERED = {
    "bs_vectorize_erf_scalar_args": (bs_vectorize_erf_scalar_args,
                                     lambda s: (100.0 + s, 100.0, 1.0, 0.05, 0.2)),
    "tone": (tone, lambda s: (440.0, 8 * s)),
    "var_of_level": (var_of_level, lambda s: (0.01 * _f(40, seed=s), 0.01 * s)),
}


@pytest.mark.parametrize("name", list(STEERED))
def test_python_scalars_that_steer_are_made_static(name):
    """Black-Scholes on Python floats through `math.log` and `np.vectorize` of a lambda, a
    tone of `n_samples` by `np.arange`, VaR at a level passed as an argument: the scalars
    become static, and the values are NumPy's."""
    fn, make = STEERED[name]
    check_steered(fn, make)


# ----------------------------------------------------------------------------- regressions


SIZES = {
    "arange": lambda x, k: np.arange(k) * x[0],
    "arange_float_step": lambda x, k: np.arange(0, k, 0.5),
    "eye": lambda x, k: np.eye(k) * x[0],
    "eye_diagonal": lambda x, k: np.eye(4, k=k),
    "identity": lambda x, k: np.identity(k),
    "tri": lambda x, k: np.tri(k),
    "indices": lambda x, k: np.indices((k, 2)),
    "tile": lambda x, k: np.tile(x, k),
    "repeat": lambda x, k: np.repeat(x, k),
    "split": lambda x, k: np.split(x, k),
    "array_split": lambda x, k: np.array_split(x, k),
    "resize": lambda x, k: np.resize(x, k),
    "partition": lambda x, k: np.partition(x, k),
    "bincount_minlength": lambda x, k: np.bincount(np.arange(5), minlength=k),
    "round_decimals": lambda x, k: np.round(x, k),
    "histogram_bins": lambda x, k: np.histogram(x, bins=k)[0],
    "sliding_window_view": lambda x, k: np.lib.stride_tricks.sliding_window_view(x, k),
    "sliding_window_view_axis": lambda x, k: np.lib.stride_tricks.sliding_window_view(
        x.reshape(4, 6), k, axis=1),
}


@pytest.mark.parametrize("name", list(SIZES))
def test_a_python_int_that_sizes_a_result_is_made_static(name):
    """A Python int argument used as a count, size, `kth` or `decimals` (a percentile is
    traced since stop 37, promoted weakly)
    (`np.eye(n)`, `np.tile(x, k)`, `sliding_window_view(prices, window)`) is made static as
    `np.zeros(n)`'s is. `np.arange(n)`, `np.eye(n)` and the others raised
    `DataDependentShapeError` or `UnsupportedFunctionError` without noting the argument
    they came from, so `jit` could not steer by it; `np.split`, `np.resize` and
    `sliding_window_view` raised a bare `TypeError` ("iteration over a 0-d array") and
    `np.bincount(minlength=k)` a `RecursionError`."""
    fn = SIZES[name]
    x = np.arange(24.0) ** 1.3
    jf = tracenp.jit(fn)
    for k in (2, 3, 2):
        assert_same(jf(x.copy(), k), fn(x.copy(), k))
    assert any("made static" in r for r in jf.cache_info().retraces)
    assert jf.cache_info().misses == 2


def test_a_count_computed_from_an_array_stays_refused():
    """Only Python scalar arguments are made static: a count computed from an array is still
    refused by name."""
    with pytest.raises(tracenp.errors.UnsupportedFunctionError):
        tracenp.jit(lambda x, k: np.tile(x, k + x.argmax()))(np.arange(4.0), 2)
    with pytest.raises(tracenp.errors.UnsupportedFunctionError):
        tracenp.jit(lambda x: np.eye(x.argmax()))(np.arange(4.0))


@pytest.mark.parametrize("fn", [math.erf, math.erfc], ids=["erf", "erfc"])
def test_vectorize_of_math_erf(fn):
    """`np.vectorize(math.erf)` (Black-Scholes without SciPy) converted each traced element
    with float() and was refused; it is now Cephes' erf/erfc on whole arrays: `math`'s
    values to a few ulps over the whole line, infinities and NaN included, float64 results
    as NumPy's loop makes them, compiled or not."""
    x = np.concatenate([np.linspace(-9, 9, 3001), np.logspace(-20, 1.5, 200),
                        [0.0, -0.0, 27.0, -40.0, np.inf, -np.inf, np.nan]])
    want = np.vectorize(fn)(x)
    jf = tracenp.jit(lambda v: np.vectorize(fn)(v))
    for _ in range(2):
        got = jf(x)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=0, equal_nan=True)
        tracenp.wait_compiled()
    assert_same(tracenp.jit(lambda v: np.vectorize(fn)(v))(np.arange(3)), np.vectorize(fn)(
        np.arange(3)))
    with pytest.raises(TypeError):
        tracenp.jit(lambda v: np.vectorize(fn)(v))(np.arange(3) + 1j)


def test_gradient_through_vectorized_erf():
    """The normal CDF by `np.vectorize(math.erf)` differentiates to the normal density."""
    x = np.array([-2.0, 0.3, 1.5])
    g = tracenp.grad(lambda v: (0.5 * (1 + np.vectorize(math.erf)(v / np.sqrt(2)))).sum())(x)
    np.testing.assert_allclose(g, np.exp(-x ** 2 / 2) / np.sqrt(2 * np.pi), rtol=1e-12)


SIGNAL = np.random.default_rng(3).standard_normal(12)


def test_a_filter_of_a_fixed_signal_differentiates_in_its_coefficients():
    """`y = np.zeros_like(x)` of a signal that is a constant of the trace (a closure, as when
    fitting a filter's coefficients) was NumPy's own array, so `y[n] = b0 * x[n] + ...` of a
    traced `b0` raised NumPy's bare `ValueError` ("setting an array element with a
    sequence"); `zeros_like`, `ones_like`, `empty_like` and `full_like` of such arrays are
    graph constants now, as `np.zeros(n)` is."""
    def loss(b0):
        return biquad(SIGNAL, b0, 0.4, 0.2, -0.3, 0.1).sum()

    eps = 1e-6
    want = (loss(0.2 + eps) - loss(0.2 - eps)) / (2 * eps)
    np.testing.assert_allclose(tracenp.grad(loss)(0.2), want, rtol=1e-7)
    jf = tracenp.jit(lambda a1: one_pole_lowpass(SIGNAL, a1) + np.ones_like(SIGNAL)
                     + np.full_like(SIGNAL, a1) + 0 * np.empty_like(SIGNAL))
    for a in (0.1, 0.3):
        assert_same(jf(a), one_pole_lowpass(SIGNAL, a) + 1 + a)
    assert jf.cache_info().misses == 1


def test_a_write_of_a_traced_value_into_a_copy_of_a_global_array():
    """A traced array element written into an array NumPy made (`x.copy()` of a module-level
    signal) raised NumPy's `ValueError`; the retried trace makes the signal a constant, whose
    copy takes the write."""
    def seed_first(b):
        y = SIGNAL.copy()
        y[0] = b[0]
        return y

    check_like_numpy(seed_first, {}, lambda s, n: (_f(n, seed=s),))


def rolling_features(prices, params):
    w = params["window"]
    windows = np.lib.stride_tricks.sliding_window_view(prices, w)
    return windows.mean(-1) * params["scale"], windows.std(-1)


@dataclasses.dataclass
class StftConfig:
    n_fft: int = 8
    hop_length: int = 4
    center: bool = True


def stft_of_config(x, cfg):
    if cfg.center:
        x = np.pad(x, cfg.n_fft // 2, mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(x, cfg.n_fft)[::cfg.hop_length]
    return np.abs(np.fft.rfft(frames * np.hanning(cfg.n_fft), axis=-1))


def multi_horizon_momentum(prices, lookbacks=(2, 5)):
    return np.stack([prices[max(lookbacks):] / prices[max(lookbacks) - k:-k] - 1
                     for k in lookbacks])


def bump_window(prices, params):
    params["window"] += 1
    return np.lib.stride_tricks.sliding_window_view(prices, params["window"]).mean(-1)


CONFIGS = {
    "rolling_features": (rolling_features, lambda s: (_f(20, seed=s), {"window": 2 + s,
                                                                       "scale": 2.0})),
    "stft_of_config": (stft_of_config, lambda s: (_f(24, seed=s), StftConfig(hop_length=s))),
    "stft_of_config_uncentered": (stft_of_config,
                                  lambda s: (_f(24, seed=s), StftConfig(8, 2, center=False))),
    "multi_horizon_momentum": (multi_horizon_momentum,
                               lambda s: (np.exp(_f(20, seed=s)), (1, 2 + s))),
    "multi_horizon_momentum_list": (multi_horizon_momentum,
                                    lambda s: (np.exp(_f(20, seed=s)), [3, 4])),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_a_config_of_python_scalars_that_steers_is_made_static(name):
    """A window, FFT size or hop inside a config (a dict, a dataclass of settings, a tuple or
    list of lookbacks) steers the function's Python as a bare int argument does; such a
    config was traced leaf by leaf, so `sliding_window_view(prices, params["window"])` was
    refused. A config made of Python scalars only is now made static whole, keyed by its
    values."""
    fn, make = CONFIGS[name]
    check_steered(fn, make)


def test_a_steering_config_the_function_changes_is_refused():
    """A config made static keeps its values in the compiled function, so a function that
    changes it (`params["window"] += 1`) is refused by name; under `fallback=True` the
    caller's dict is changed once, as NumPy's run changes it."""
    prices = _f(20, seed=1)
    with pytest.raises(tracenp.errors.TracingError):
        tracenp.jit(bump_window)(prices, {"window": 3})
    got_params, want_params = {"window": 3}, {"window": 3}
    with pytest.warns(tracenp.TracingFallbackWarning):
        got = tracenp.jit(bump_window, fallback=True)(prices, got_params)
    assert_same(got, bump_window(prices, want_params))
    assert got_params == want_params == {"window": 4}


def test_a_config_holding_an_array_is_not_made_static():
    """Only configs of Python scalars are made static: one that also holds an array keeps
    it an input, so a window inside it is refused by name."""
    with pytest.raises(tracenp.errors.ConcretizationError):
        tracenp.jit(rolling_features)(_f(20, seed=1), {"window": 3, "scale": np.ones(1)})


def test_float64_to_float16_casts_compile_and_round_once():
    """Casting float64 (or an integer, through float64) to float16 in a compiled kernel
    crashed the process: LLVM lowers a double-to-half `fptrunc` to `__truncdfhf2`, which the
    JIT cannot resolve. It rounds through a float rounded to odd now, which gives NumPy's
    once-rounded half, ties and overflow to inf included."""
    rng = np.random.default_rng(0)
    halves = rng.integers(0, 0x7C00, 4000).astype(np.uint16).view(np.float16)
    lo = halves.astype(np.float64)
    ties = (lo + np.nextafter(halves, np.float16(np.inf)).astype(np.float64)) / 2
    x = np.concatenate([lo, ties, np.nextafter(ties, np.inf), np.nextafter(ties, -np.inf),
                        -ties, [0.0, -0.0, np.inf, -np.inf, np.nan, 65519.99, 65520.0, 1e300,
                                2.0 ** -25, 3e-8, 1e-300]])
    with np.errstate(over="ignore"):
        want = x.astype(np.float16)
    jf = tracenp.jit(lambda a: a.astype(np.float16))
    for _ in range(2):
        got = jf(x)
        assert got.dtype == np.float16
        np.testing.assert_array_equal(got.view(np.uint16), want.view(np.uint16))
        tracenp.wait_compiled()
    ints = rng.integers(-60000, 60000, 1000)
    assert_same(tracenp.jit(lambda a: (a // 2).astype(np.float16))(ints),
                (ints // 2).astype(np.float16))
    audio = np.array([[-0.0, -2.0], [1.0, -7.0], [np.nan, 2.0]], dtype=np.float16)
    jv = tracenp.jit(lambda a: np.nanvar(a, axis=0))
    for _ in range(2):
        assert_same(jv(audio), np.nanvar(audio, axis=0))
        tracenp.wait_compiled()


@pytest.mark.parametrize("fn", [np.arcsinh, np.sinh, np.log1p, np.expm1, np.cbrt],
                         ids=lambda f: f.__name__)


def test_float16_functions_computed_in_double_compile(fn):
    """A float16 ufunc that the kernel computes in double (`np.arcsinh` of half audio)
    rounds to float, then to half, as NumPy does; LLVM folded the two roundings into one
    call to `__truncdfhf2`, which the JIT cannot resolve, and the process aborted. An
    arithmetic fence keeps them apart."""
    x = np.linspace(-3, 3, 41).astype(np.float16)
    if fn is np.log1p:
        x = np.abs(x)
    jf = tracenp.jit(lambda a: fn(a) * np.float16(2))
    for _ in range(2):
        assert_same(jf(x), fn(x) * np.float16(2))
        tracenp.wait_compiled()


def rolling_window(a, window, step=1):
    shape = a.shape[:-1] + (a.shape[-1] - window + 1, window)
    strides = a.strides + (a.strides[-1],)
    return np.lib.stride_tricks.as_strided(a, shape=shape, strides=strides)[::step]


def test_as_strided_framing_of_a_traced_array():
    """`as_strided` framing (python_speech_features' `rolling_window`, librosa's old
    `util.frame`) was refused: a traced array had no `strides`. It is read as C-contiguous
    now, so `x.strides` are C's and each window element is gathered from `x.ravel()`; it
    differentiates, and offsets outside the array are refused by name."""
    check_like_numpy(rolling_window, {}, lambda s, n: (_f(4 * n, seed=s), 4, 2))
    check_like_numpy(rolling_window, {}, lambda s, n: (_f(3, 4 * n, seed=s), 4))
    x = _f(16, seed=1)
    g = tracenp.grad(lambda v: (rolling_window(v, 4, 2) ** 2).sum())(x)
    want = np.zeros_like(x)
    for start in range(0, 13, 2):
        want[start:start + 4] += 2 * x[start:start + 4]
    np.testing.assert_allclose(g, want, rtol=1e-12)
    with pytest.raises(tracenp.errors.UnsupportedFunctionError):
        tracenp.jit(lambda v: np.lib.stride_tricks.as_strided(v, shape=(40,)))(x)


_ERF = np.vectorize(math.erf)


@np.vectorize


def _call_payoff(s, k):
    return s - k if s > k else 0.0


@np.vectorize


def _linear_payoff(s, k, w=0.5):
    return w * (s - k)


def norm_cdf_module_vectorize(x):
    return 0.5 * (1 + _ERF(x / np.sqrt(2)))


def black_scholes_module_erf(S, K, T, r, sigma):
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    return S * norm_cdf_module_vectorize(d1) - K * np.exp(-r * T) * norm_cdf_module_vectorize(d2)


def test_a_module_level_vectorize_is_traced():
    """`N = np.vectorize(math.erf)` made at import (Black-Scholes helpers) was NumPy's own
    vectorize, which converted the traced argument and was refused; a module global bound
    to an `np.vectorize` is replaced by the traced one while the function is traced, and
    put back after. One whose function branches on its element is refused by name."""
    check_like_numpy(black_scholes_module_erf, {},
                     lambda s, n: (100.0 + 5 * _f(n, seed=s), 100.0, 0.5, 0.01, 0.2 + 0.1 * s))
    check_like_numpy(lambda S: _linear_payoff(S, 100.0), {}, lambda s, n: (100 + _f(n, seed=s),))
    assert type(_ERF) is np.vectorize
    check_refused(tracenp.errors.ConcretizationError, lambda S: _call_payoff(S, 100.0),
                  lambda s: (100 + _f(4, seed=s),))
