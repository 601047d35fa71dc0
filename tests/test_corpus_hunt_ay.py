"""Corpus, hunt AY: audio synthesis and music DSP, and image processing by hand, as tutorials,
creative-coding blogs and course assignments write them.

Synthesis (MIDI notes snapped to a scale by `np.divmod`; sine oscillators from a phase
accumulator written sample by sample with `%=`, a complex rotator renormalised each sample and
float32 voices; saws by `np.mod`, band-limited additive saws and squares by a loop over harmonics
with a Nyquist mask and by broadcasting, PolyBLEP by nested `np.where`; vibrato and kick drums by
`np.cumsum` phases; ADSR envelopes by `np.concatenate` of `np.linspace` segments with a traced
sustain level, by `np.piecewise` with lambdas, by `np.interp` of breakpoints and by a per-sample
gate loop; FM bells with a decaying index, sidebands by `scipy.special.jv`, wavefolding;
wavetables by `astype(int)` and `% N`, by `np.interp(period=)` and by `np.take(mode="wrap")`;
Karplus-Strong from a generator argument by a ring buffer, by `np.append` and by a `deque`;
pink noise by an `rfft` filter; step sequencers, chords and arpeggios), effects (echoes by
slicing, feedback combs per sample, a Schroeder reverb by comb slices, a ring-buffer delay with a
Python pointer, FFT convolution reverb, RBJ biquads, filtfilt-style forward and backward
one-poles, shift-register FIRs, Chamberlin state-variable filters into lists, Kaiser-windowed
sinc FIRs, envelope followers, peak meters by `np.maximum.accumulate` and Python `max`, frames by
`as_strided` and `np.add.reduceat`, constant-power panning, mid/side written into the caller's
stereo buffer, soft and hard clipping, mu-law and int16 PCM with saturation, resampling by
`np.interp` and windowed sinc taps, fades written in place, overlap-add, deconvolution by
`scipy.linalg.solve_circulant`, smoothing by `convolution_matrix`), audio analysis (chroma by
`np.bincount` weights, `np.add.at` and a pitch-class loop; float32 STFTs, spectral centroid,
rolloff and flatness; autocorrelation pitch, int16 autocorrelation that wraps; parabolic peak
interpolation, top partials by `argsort`; Goertzel DTMF, mel filterbanks built by loops over
static bins, Hilbert envelopes by `np.unwrap`, harmonic product spectra, a phase vocoder; LPC by
`scipy.linalg.toeplitz`, `solve_toeplitz` and Levinson-Durbin), colour and tone (grey by
weights, `np.average` and uint16 shifts; HSV by `np.where` and matplotlib's masks, back by
`np.choose` and `np.select`; YCbCr with `np.putmask`, XYZ by `scipy.linalg.inv`, colour
calibration by `lstsq`, AlexNet's PCA lighting by `eigh`; sRGB transfer curves, gamma LUTs;
histogram equalisation by OpenCV's masked cdf, `bincount`, a Python `float()` cdf and
`np.interp`, matching by cdfs and by `np.unique(return_inverse=...)`; a Python loop summing uint8
pixels; histograms over a traced range; Otsu by a loop over thresholds, by cumsums and
skimage's float form; `np.vectorize` with `otypes`, mutual information by `histogram2d`, chroma
keys, float16, bit planes, LSB steganography and wrapping PSNR), filters (convolution by
`rfft2`/`irfft2`, windows and a CS131 double loop; ideal and Butterworth frequency filters, phase
correlation; Gaussian blurs by `np.outer`, `apply_along_axis` and Python sums; unsharp masks;
Sobel and Prewitt with `hypot`/`arctan2`, int16 Sobel, `np.gradient` of uint8; morphology by
window min/max and a module-level structuring element; median filters by windows and by sort;
salt-and-pepper from a generator; SVD compression) and geometry, dithering and generative images
(bilinear resizes, `np.ix_` crops, rotation by inverse mapping with a mask assignment and by
clipping, swirls, Floyd-Steinberg on a copy and in place, row error diffusion, Bayer by `np.tile`
and recursive `np.block`; vignettes, alpha compositing, integral images, pixelation; Julia sets,
value-noise fBm, Life, Gray-Scott written into its arguments).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Sample rates and durations, harmonic counts, delays in
samples, bit depths, kernel sizes, Bayer orders, envelope lengths, Karplus-Strong periods and
seeds, and a frequency whose wavetable position an `if` tests, given positionally, are made
static; the forms whose Python or shapes depend on array values (silence trimming, onset
indices, a peak check by `if`, bounding-box crops, distinct colours, flood fills, a period cut at
`int(argmax)`, the `if` of a structuring element given as an array, `np.vectorize` with an `if`
and no `otypes`, and a uint8-to-uint32 view) raise a named error and run eagerly under
`fallback=True`.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import scipy.special
from numpy.lib.stride_tricks import sliding_window_view
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names

import tracenp

SR = 8000


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _u8(seed, *shape):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _sig(seed, n):
    # a few partials and a little noise, as a test tone
    t = np.arange(n) / SR
    r = np.random.default_rng(seed)
    return (0.6 * np.sin(2 * np.pi * 440 * t + seed) + 0.3 * np.sin(2 * np.pi * 1320 * t)
            + 0.05 * r.standard_normal(n))


# ============================================================================ synthesis


def sine_tone(freq, amp, sr=8000, duration=0.01):
    t = np.arange(int(sr * duration)) / sr
    return amp * np.sin(2 * np.pi * freq * t)


def phase_accumulator(freq, n_samples=64, sr=8000):
    # the oscillator as a synth plugin writes it: one sample at a time
    out = np.zeros(n_samples)
    phase = 0.0
    inc = 2 * np.pi * freq / sr
    for i in range(n_samples):
        out[i] = np.sin(phase)
        phase += inc
        phase %= 2 * np.pi
    return out


def additive_saw(t, f0, n_harmonics=12, sr=8000):
    # band-limited saw: sum the harmonics below Nyquist
    out = np.zeros_like(t)
    for k in range(1, n_harmonics + 1):
        partial = (-1) ** (k + 1) * np.sin(2 * np.pi * k * f0 * t) / k
        out += np.where(k * f0 < sr / 2, partial, 0.0)
    return 2 / np.pi * out


def additive_square_broadcast(t, f0, n_odd=8):
    k = np.arange(1, 2 * n_odd, 2)[:, None]
    return 4 / np.pi * np.sum(np.sin(2 * np.pi * k * f0 * t[None, :]) / k, axis=0)


def polyblep_saw(freq, n=64, sr=8000):
    dt = freq / sr
    t = np.mod(np.arange(n) * dt, 1.0)
    naive = 2 * t - 1
    a = t / dt
    b = (t - 1) / dt
    blep = np.where(t < dt, a + a - a * a - 1, np.where(t > 1 - dt, b * b + b + b + 1, 0.0))
    return naive - blep


def vibrato(t, f0, rate, depth, sr=8000):
    f = f0 * (1 + depth * np.sin(2 * np.pi * rate * t))
    return np.sin(2 * np.pi * np.cumsum(f) / sr)


def adsr_concatenate(sustain_level, a=6, d=8, s=20, r=10):
    attack = np.linspace(0, 1, a, endpoint=False)
    decay = np.linspace(1, sustain_level, d, endpoint=False)
    sustain = np.full(s, sustain_level)
    release = np.linspace(sustain_level, 0, r)
    return np.concatenate([attack, decay, sustain, release])


def adsr_piecewise(t, A, D, S, R, T):
    return np.piecewise(
        t,
        [t < A, (t >= A) & (t < A + D), (t >= A + D) & (t < T - R), t >= T - R],
        [lambda x: x / A, lambda x: 1 - (1 - S) * (x - A) / D, S,
         lambda x: S * (T - x) / R])


def adsr_interp(t, sustain, A=0.1, D=0.2, R=0.3):
    T = t[-1]
    return np.interp(t, [0, A, A + D, T - R, T], [0, 1, sustain, sustain, 0])


def adsr_state_loop(gate, attack_rate, decay_rate, sustain, release_rate):
    # a per-sample envelope generator following a gate signal
    env = np.zeros(len(gate))
    level = 0.0
    for i in range(len(gate)):
        up = np.minimum(level + attack_rate, 1.0)
        down = np.maximum(level - decay_rate, sustain)
        rel = np.maximum(level - release_rate, 0.0)
        level = np.where(gate[i] > 0, np.where(level < sustain, up, down), rel)
        env[i] = level
    return env


def fm_bell(t, fc, ratio, I0, tau):
    # Chowning's bell: the index decays with the amplitude
    env = np.exp(-t / tau)
    I = I0 * env
    return env * np.sin(2 * np.pi * fc * t + I * np.sin(2 * np.pi * fc * ratio * t))


def wavetable_interp(table, freq, n=64, sr=8000):
    N = len(table)
    phase = np.mod(np.arange(n) * freq / sr, 1.0)
    idx = phase * N
    i0 = idx.astype(int) % N
    i1 = (i0 + 1) % N
    frac = idx - np.floor(idx)
    return (1 - frac) * table[i0] + frac * table[i1]


def wavetable_loop_int(table, freq, n=40, sr=8000):
    # the per-sample loop: a float read position and int() of it
    N = len(table)
    out = np.zeros(n)
    pos = 0.0
    step = freq * N / sr
    for i in range(n):
        i0 = int(pos)
        frac = pos - i0
        out[i] = table[i0] + frac * (table[(i0 + 1) % N] - table[i0])
        pos += step
        if pos >= N:
            pos -= N
    return out


def karplus_strong_ring(rng, period=16, n=96, decay=0.996):
    buf = rng.uniform(-1, 1, period)
    out = np.zeros(n)
    for i in range(n):
        out[i] = buf[i % period]
        buf[i % period] = decay * 0.5 * (buf[i % period] + buf[(i + 1) % period])
    return out


def karplus_strong_append(noise, n=64, decay=0.99):
    # the blog version: pop the front, push the average onto the back
    buf = noise.copy()
    samples = []
    for _ in range(n):
        samples.append(buf[0])
        avg = decay * 0.5 * (buf[0] + buf[1])
        buf = np.append(buf[1:], avg)
    return np.array(samples)


def karplus_strong_deque(noise, n=40, decay=0.996):
    from collections import deque

    buf = deque(noise)
    out = []
    for _ in range(n):
        first = buf.popleft()
        out.append(first)
        buf.append(decay * 0.5 * (first + buf[0]))
    return np.array(out)


def pink_noise_fft(white):
    n = len(white)
    X = np.fft.rfft(white)
    f = np.fft.rfftfreq(n)
    f[0] = f[1]
    X = X / np.sqrt(f)
    y = np.fft.irfft(X, n)
    return y / np.max(np.abs(y))


def kick_drum(t, f_start=150.0, f_end=40.0, pitch_tau=0.005, amp_tau=0.02, sr=8000):
    f = f_end + (f_start - f_end) * np.exp(-t / pitch_tau)
    phase = 2 * np.pi * np.cumsum(f) / sr
    return np.sin(phase) * np.exp(-t / amp_tau)


def step_sequencer(sample, pattern, step_len=12):
    out = np.zeros(len(pattern) * step_len + len(sample))
    for i in range(len(pattern)):
        start = i * step_len
        out[start:start + len(sample)] += sample * pattern[i]
    return out[:len(pattern) * step_len]


def supersaw(t, f0, detunes=(-0.11, -0.06, -0.02, 0.0, 0.02, 0.06, 0.11)):
    out = np.zeros_like(t)
    for d in detunes:
        f = f0 * 2 ** (d / 12)
        out += 2 * np.mod(f * t, 1) - 1
    return out / len(detunes)


def chord_broadcast(notes, t):
    freqs = 440.0 * 2 ** ((notes - 69) / 12)
    tones = np.sin(2 * np.pi * freqs[:, None] * t[None, :])
    mix = tones.sum(axis=0)
    return mix / np.max(np.abs(mix))


def arpeggio(notes, n_steps=8, step_len=10, sr=8000):
    t = np.arange(step_len) / sr
    out = []
    for i in range(n_steps):
        note = notes[i % len(notes)]
        f = 440 * 2 ** ((note - 69) / 12.0)
        out.append(np.sin(2 * np.pi * f * t))
    return np.concatenate(out)


def _t(n, sr=SR):
    return np.arange(n) / sr


# ======================================================================= effects, analysis


def echo_slice(x, delay=7, gain=0.5):
    y = x.copy()
    y[delay:] += gain * x[:-delay]
    return y


def feedback_comb(x, delay=5, g=0.7):
    y = np.zeros_like(x)
    for n in range(len(x)):
        y[n] = x[n] + (g * y[n - delay] if n >= delay else 0.0)
    return y


def schroeder_reverb(x, combs=((7, 0.8), (11, 0.75), (13, 0.7)), wet=0.3):
    # parallel feedback combs, by slices of whole delay lengths
    acc = np.zeros_like(x)
    for d, g in combs:
        y = x.copy()
        for start in range(d, len(x), d):
            stop = min(start + d, len(x))
            y[start:stop] += g * y[start - d:stop - d]
        acc += y
    acc /= len(combs)
    return (1 - wet) * x + wet * acc


def convolution_reverb_fft(x, ir):
    n = len(x) + len(ir) - 1
    nfft = 1 << (n - 1).bit_length()
    y = np.fft.irfft(np.fft.rfft(x, nfft) * np.fft.rfft(ir, nfft), nfft)[:n]
    return y / np.max(np.abs(y))


def biquad_lowpass(x, f0, Q, sr=8000):
    # RBJ's cookbook, direct form I with Python state variables
    w0 = 2 * np.pi * f0 / sr
    alpha = np.sin(w0) / (2 * Q)
    cw = np.cos(w0)
    b0, b1, b2 = (1 - cw) / 2, 1 - cw, (1 - cw) / 2
    a0, a1, a2 = 1 + alpha, -2 * cw, 1 - alpha
    b0, b1, b2, a1, a2 = b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0
    y = np.zeros_like(x)
    x1 = x2 = y1 = y2 = 0.0
    for n in range(len(x)):
        y[n] = b0 * x[n] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2, x1 = x1, x[n]
        y2, y1 = y1, y[n]
    return y


def filtfilt_one_pole(x, a):
    # zero-phase smoothing: the one-pole filter forwards, then backwards over its output
    y = np.zeros_like(x)
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] = a * y[i - 1] + (1 - a) * x[i]
    z = np.zeros_like(y)
    z[-1] = y[-1]
    for i in range(len(x) - 2, -1, -1):
        z[i] = a * z[i + 1] + (1 - a) * y[i]
    return z


def fir_shift_register(x, taps):
    # the embedded-style FIR: shift the delay line, push the sample, dot with the taps
    buf = np.zeros(len(taps))
    out = np.zeros(len(x))
    for n in range(len(x)):
        buf[1:] = buf[:-1]
        buf[0] = x[n]
        out[n] = buf @ taps
    return out


def state_variable_filter(x, f, q):
    # Chamberlin's state-variable filter with Python float state, outputs in lists
    low = band = 0.0
    lows, highs, bands = [], [], []
    for v in x:
        low = low + f * band
        high = v - low - q * band
        band = f * high + band
        lows.append(low)
        highs.append(high)
        bands.append(band)
    return np.array(lows), np.array(highs), np.array(bands)


def envelope_follower(x, attack, release):
    env = np.zeros_like(x)
    prev = 0.0
    for i in range(len(x)):
        v = np.abs(x[i])
        coef = np.where(v > prev, attack, release)
        prev = coef * prev + (1 - coef) * v
        env[i] = prev
    return env


def frame_rms_reshape(x, frame=8):
    n_frames = len(x) // frame
    frames = x[:n_frames * frame].reshape(n_frames, frame)
    return np.sqrt(np.mean(frames ** 2, axis=1))


def mix_tracks_pan(tracks, gains_db, pans):
    # constant-power panning into an (n, 2) stereo buffer
    gains = 10 ** (gains_db / 20)
    theta = (pans + 1) * np.pi / 4
    left = np.sum(tracks * (gains * np.cos(theta))[:, None], axis=0)
    right = np.sum(tracks * (gains * np.sin(theta))[:, None], axis=0)
    stereo = np.stack([left, right], axis=1)
    peak = np.abs(stereo).max()
    return stereo / max(peak, 1.0), stereo.mean(axis=1)


def soft_clip(x, drive):
    hard = np.clip(x * drive, -1.0, 1.0)
    tanh = np.tanh(drive * x) / np.tanh(drive)
    y = x * drive
    cubic = np.where(np.abs(y) < 1, y - y ** 3 / 3, np.sign(y) * 2 / 3)
    return hard, tanh, cubic


def bitcrush(x, bits=4, factor=3):
    q = 2 ** (bits - 1)
    crushed = np.round(x * q) / q
    held = np.repeat(crushed[::factor], factor)[:len(x)]
    return held


def float_to_pcm16(x):
    pcm = (np.clip(x, -1, 1) * 32767).astype(np.int16)
    back = pcm.astype(np.float32) / 32768.0
    return pcm, back


def resample_interp(x, sr_in=8000, sr_out=6000):
    n_out = int(len(x) * sr_out / sr_in)
    t_in = np.arange(len(x)) / sr_in
    t_out = np.arange(n_out) / sr_out
    return np.interp(t_out, t_in, x)


def apply_fades(x, n_fade=6):
    # written into the caller's buffer, as a DAW script does
    x[:n_fade] *= np.linspace(0, 1, n_fade)
    x[-n_fade:] *= np.linspace(1, 0, n_fade)
    return x


def chroma_bincount(x, sr=8000):
    n = len(x)
    spec = np.abs(np.fft.rfft(x * np.hanning(n))) ** 2
    freqs = np.fft.rfftfreq(n, 1 / sr)
    midi = 69 + 12 * np.log2(freqs[1:] / 440.0)
    pc = np.round(midi).astype(int) % 12
    chroma = np.bincount(pc, weights=spec[1:], minlength=12)
    return chroma / chroma.max()


def chroma_add_at(x, sr=8000):
    spec = np.abs(np.fft.rfft(x))
    freqs = np.fft.rfftfreq(len(x), d=1.0 / sr)
    pitch = 12 * np.log2(freqs[1:] / 261.63)
    pc = np.mod(np.round(pitch), 12).astype(np.int64)
    chroma = np.zeros(12)
    np.add.at(chroma, pc, spec[1:])
    return chroma / np.linalg.norm(chroma)


def chroma_loop(spec, freqs):
    # one pitch class at a time, by a mask over the bins
    midi = 69 + 12 * np.log2(freqs / 440.0)
    pc = np.round(midi) % 12
    chroma = np.zeros(12)
    for k in range(12):
        chroma[k] = np.sum(spec * (pc == k))
    return chroma / (chroma.sum() + 1e-12)


def spectral_features(x, sr=8000):
    mag = np.abs(np.fft.rfft(x))
    freqs = np.fft.rfftfreq(len(x), 1 / sr)
    centroid = np.sum(freqs * mag) / np.sum(mag)
    cum = np.cumsum(mag ** 2)
    rolloff = freqs[np.argmax(cum >= 0.85 * cum[-1])]
    p = mag ** 2 + 1e-12
    flatness = np.exp(np.mean(np.log(p))) / np.mean(p)
    return centroid, rolloff, flatness


def autocorr_pitch(x, sr=8000, fmin=100, fmax=2000):
    ac = np.correlate(x, x, mode="full")[len(x) - 1:]
    lo, hi = int(sr / fmax), int(sr / fmin)
    hi = min(hi, len(ac) - 1)
    lag = lo + np.argmax(ac[lo:hi])
    return sr / lag, ac / ac[0]


def goertzel_dtmf(x, freqs=(697.0, 770.0, 852.0, 941.0, 1209.0, 1336.0), sr=8000):
    N = len(x)
    powers = []
    for f in freqs:
        k = int(0.5 + N * f / sr)
        w = 2 * np.pi * k / N
        coeff = 2 * np.cos(w)
        s1 = s2 = 0.0
        for sample in x:
            s0 = sample + coeff * s1 - s2
            s2, s1 = s1, s0
        powers.append(s1 ** 2 + s2 ** 2 - coeff * s1 * s2)
    return np.array(powers)


def dtmf_tone(t, digit_rows, digit_cols):
    low = np.array([697, 770, 852, 941])[digit_rows]
    high = np.array([1209, 1336, 1477])[digit_cols]
    return 0.5 * (np.sin(2 * np.pi * low[:, None] * t) + np.sin(2 * np.pi * high[:, None] * t))


def hz_to_mel(f):
    return 2595 * np.log10(1 + f / 700.0)


def mel_to_hz(m):
    return 700 * (10 ** (m / 2595) - 1)


def mel_filterbank_apply(power_spec, sr=8000, n_fft=32, n_mels=6):
    mel_pts = np.linspace(hz_to_mel(0), hz_to_mel(sr / 2), n_mels + 2)
    bins = np.floor((n_fft + 1) * mel_to_hz(mel_pts) / sr).astype(int)
    fbank = np.zeros((n_mels, n_fft // 2 + 1))
    for m in range(1, n_mels + 1):
        left, center, right = bins[m - 1], bins[m], bins[m + 1]
        for k in range(left, center):
            fbank[m - 1, k] = (k - bins[m - 1]) / (bins[m] - bins[m - 1])
        for k in range(center, right):
            fbank[m - 1, k] = (bins[m + 1] - k) / (bins[m + 1] - bins[m])
    energies = power_spec @ fbank.T
    energies = np.where(energies == 0, np.finfo(float).eps, energies)
    return 10 * np.log10(energies)


def overlap_add(frames, hop=4):
    n_frames, n = frames.shape
    win = np.hanning(n)
    out = np.zeros((n_frames - 1) * hop + n)
    for i in range(n_frames):
        out[i * hop:i * hop + n] += frames[i] * win
    return out


def harmonic_product_spectrum(x, n_harm=3):
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    L = len(spec) // n_harm
    hps = spec[:L].copy()
    for h in range(2, n_harm + 1):
        hps *= spec[::h][:L]
    return np.argmax(hps), hps


def delay_line_ring_buffer(x, delay=6, feedback=0.5, mix=0.4):
    buf = np.zeros(delay)
    ptr = 0
    y = np.empty_like(x)
    for i in range(len(x)):
        delayed = buf[ptr]
        buf[ptr] = x[i] + feedback * delayed
        y[i] = (1 - mix) * x[i] + mix * delayed
        ptr = (ptr + 1) % delay
    return y


def float32_synth_voice(freq, amp, n=64, sr=np.float32(8000)):
    # float32 buffers throughout, as a realtime engine keeps them
    t = np.arange(n, dtype=np.float32) / sr
    env = np.exp(-t * np.float32(30)).astype(np.float32)
    return (amp * env * np.sin(np.float32(2 * np.pi) * freq * t)).astype(np.float32)


# ================================================================================ images


def gray_weights(img):
    R, G, B = img[..., 0], img[..., 1], img[..., 2]
    gray = 0.299 * R + 0.587 * G + 0.114 * B
    return gray.astype(np.uint8)


def gray_average(img):
    return np.average(img, axis=2, weights=[0.299, 0.587, 0.114]).round().astype(np.uint8)


def gray_integer_shift(img):
    r = img[:, :, 0].astype(np.uint16)
    g = img[:, :, 1].astype(np.uint16)
    b = img[:, :, 2].astype(np.uint16)
    return ((77 * r + 150 * g + 29 * b) >> 8).astype(np.uint8)


def rgb_to_hsv_where(rgb):
    # matplotlib's rgb_to_hsv written with np.where instead of masks
    rgb = rgb.astype(float) / 255.0
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    maxc = rgb.max(axis=-1)
    minc = rgb.min(axis=-1)
    v = maxc
    delta = maxc - minc
    s = np.where(maxc > 0, delta / np.where(maxc > 0, maxc, 1), 0)
    d = np.where(delta > 0, delta, 1)
    h = np.where(maxc == r, (g - b) / d,
                 np.where(maxc == g, 2.0 + (b - r) / d, 4.0 + (r - g) / d))
    h = np.where(delta > 0, (h / 6.0) % 1.0, 0.0)
    return np.stack([h, s, v], axis=-1)


def rgb_to_hsv_masks(arr):
    # matplotlib.colors.rgb_to_hsv, masks and all
    out = np.zeros_like(arr)
    arr_max = arr.max(-1)
    ipos = arr_max > 0
    delta = np.ptp(arr, -1)
    s = np.zeros_like(delta)
    s[ipos] = delta[ipos] / arr_max[ipos]
    ipos = delta > 0
    idx = (arr[..., 0] == arr_max) & ipos
    out[idx, 0] = (arr[idx, 1] - arr[idx, 2]) / delta[idx]
    idx = (arr[..., 1] == arr_max) & ipos
    out[idx, 0] = 2. + (arr[idx, 2] - arr[idx, 0]) / delta[idx]
    idx = (arr[..., 2] == arr_max) & ipos
    out[idx, 0] = 4. + (arr[idx, 0] - arr[idx, 1]) / delta[idx]
    out[..., 0] = (out[..., 0] / 6.0) % 1.0
    out[..., 1] = s
    out[..., 2] = arr_max
    return out


def hsv_to_rgb_choose(hsv):
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    i = (h * 6.0).astype(int)
    f = h * 6.0 - i
    p = v * (1 - s)
    q = v * (1 - s * f)
    t = v * (1 - s * (1 - f))
    i = i % 6
    r = np.choose(i, [v, q, p, p, t, v])
    g = np.choose(i, [t, v, v, q, p, p])
    b = np.choose(i, [p, p, t, v, v, q])
    return np.stack([r, g, b], axis=-1)


def hsv_to_rgb_select(hsv):
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    i = np.floor(h * 6)
    f = h * 6 - i
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    i = i.astype(np.int32) % 6
    conds = [i == 0, i == 1, i == 2, i == 3, i == 4, i == 5]
    r = np.select(conds, [v, q, p, p, t, v])
    g = np.select(conds, [t, v, v, q, p, p])
    b = np.select(conds, [p, p, t, v, v, q])
    return (np.dstack([r, g, b]) * 255).astype(np.uint8)


def rgb_to_ycbcr(im):
    xform = np.array([[.299, .587, .114], [-.1687, -.3313, .5], [.5, -.4187, -.0813]])
    ycbcr = im.dot(xform.T)
    ycbcr[:, :, [1, 2]] += 128
    return np.uint8(ycbcr)


def ycbcr_to_rgb(im):
    xform = np.array([[1, 0, 1.402], [1, -0.34414, -.71414], [1, 1.772, 0]])
    rgb = im.astype(float)
    rgb[:, :, [1, 2]] -= 128
    rgb = rgb.dot(xform.T)
    np.putmask(rgb, rgb > 255, 255)
    np.putmask(rgb, rgb < 0, 0)
    return np.uint8(rgb)


def gamma_lut(img, gamma):
    inv = 1.0 / gamma
    table = np.array([((i / 255.0) ** inv) * 255 for i in np.arange(0, 256)]).astype("uint8")
    return table[img]


def hist_eq_opencv_masked(img):
    # the OpenCV tutorial's numpy equalisation with a masked cdf
    hist, bins = np.histogram(img.flatten(), 256, [0, 256])
    cdf = hist.cumsum()
    cdf_m = np.ma.masked_equal(cdf, 0)
    cdf_m = (cdf_m - cdf_m.min()) * 255 / (cdf_m.max() - cdf_m.min())
    cdf = np.ma.filled(cdf_m, 0).astype("uint8")
    return cdf[img]


def hist_eq_bincount(img):
    hist = np.bincount(img.ravel(), minlength=256)
    cdf = hist.cumsum()
    cdf_min = cdf[np.nonzero(cdf)[0][0]]
    lut = np.round((cdf - cdf_min) / (img.size - cdf_min) * 255)
    lut = np.clip(lut, 0, 255).astype(np.uint8)
    return lut[img]


def hist_eq_float_cdf(img):
    hist, _ = np.histogram(img, bins=256, range=(0, 256))
    cdf = np.cumsum(hist) / float(hist.sum())
    lut = np.floor(255 * cdf).astype("uint8")
    return lut[img], float(cdf[127])


def threshold_vectorize_otypes(img):
    binarize = np.vectorize(lambda p: 255 if p > 127 else 0, otypes=[np.uint8])
    return binarize(img), binarize(img[::-1]).mean()


def hist_eq_interp(img, nbins=256):
    hist, bins = np.histogram(img.flatten(), nbins, density=True)
    cdf = hist.cumsum()
    cdf = 255 * cdf / cdf[-1]
    out = np.interp(img.flatten(), bins[:-1], cdf)
    return out.reshape(img.shape)


def mean_brightness_python_loop(img):
    # the beginner's loop: Python ints meet uint8 pixels, and the total wraps as NumPy's does
    total = 0
    for row in img:
        for p in row:
            total += p
    return total / img.size, total


def histogram_dynamic_range(img, bins=16):
    hist, edges = np.histogram(img, bins=bins, range=(img.min(), img.max()))
    centers = (edges[:-1] + edges[1:]) / 2
    return hist, centers, np.sum(hist * centers) / hist.sum()


def otsu_loop(img, nbins=64):
    # the course version: every threshold of a binned histogram, between-class variance by
    # slices, the best kept by np.where
    hist = np.bincount(img.ravel() // (256 // nbins), minlength=nbins).astype(float)
    total = img.size
    levels = np.arange(nbins)
    best_t, best_var = 0, 0.0
    for t in range(1, nbins):
        w0 = hist[:t].sum() / total
        w1 = 1 - w0
        m0 = (levels[:t] * hist[:t]).sum() / max(hist[:t].sum(), 1)
        m1 = (levels[t:] * hist[t:]).sum() / max(hist[t:].sum(), 1)
        var = w0 * w1 * (m0 - m1) ** 2
        better = var > best_var
        best_t = np.where(better, t, best_t)
        best_var = np.where(better, var, best_var)
    thresh = best_t * (256 // nbins)
    return thresh, (img >= thresh).astype(np.uint8) * 255


def otsu_cumsum(img):
    hist = np.bincount(img.ravel(), minlength=256)
    p = hist / hist.sum()
    omega = np.cumsum(p)
    mu = np.cumsum(p * np.arange(256))
    mu_t = mu[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma_b = (mu_t * omega - mu) ** 2 / (omega * (1 - omega))
    sigma_b = np.nan_to_num(sigma_b)
    t = np.argmax(sigma_b)
    return t, img > t


def otsu_histogram_float(image, nbins=64):
    # skimage's threshold_otsu on a float image
    hist, bin_edges = np.histogram(image.ravel(), nbins)
    bin_centers = (bin_edges[:-1] + bin_edges[1:]) / 2.
    hist = hist.astype(float)
    weight1 = np.cumsum(hist)
    weight2 = np.cumsum(hist[::-1])[::-1]
    mean1 = np.cumsum(hist * bin_centers) / weight1
    mean2 = (np.cumsum((hist * bin_centers)[::-1]) / weight2[::-1])[::-1]
    variance12 = weight1[:-1] * weight2[1:] * (mean1[:-1] - mean2[1:]) ** 2
    idx = np.argmax(variance12)
    return bin_centers[idx]


def fft_convolve_circular(img, kernel):
    K = np.fft.rfft2(kernel, s=img.shape)
    return np.fft.irfft2(np.fft.rfft2(img) * K, s=img.shape)


def fft_convolve_same(img, kernel):
    kh, kw = kernel.shape
    H, W = img.shape[0] + kh - 1, img.shape[1] + kw - 1
    F = np.fft.rfft2(img, s=(H, W)) * np.fft.rfft2(kernel, s=(H, W))
    full = np.fft.irfft2(F, s=(H, W))
    top, left = kh // 2, kw // 2
    return full[top:top + img.shape[0], left:left + img.shape[1]]


def conv2d_windows_einsum(img, kernel):
    k = kernel.shape[0] // 2
    padded = np.pad(img, k, mode="reflect")
    windows = sliding_window_view(padded, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows, kernel[::-1, ::-1])


def conv2d_double_loop(image, kernel):
    # CS131's conv_nested with the padded image and a flipped kernel
    Hi, Wi = image.shape
    Hk, Wk = kernel.shape
    out = np.zeros((Hi, Wi))
    pad = np.pad(image, ((Hk // 2, Hk // 2), (Wk // 2, Wk // 2)))
    kernel = np.flip(kernel)
    for m in range(Hi):
        for n in range(Wi):
            out[m, n] = np.sum(pad[m:m + Hk, n:n + Wk] * kernel)
    return out


def gaussian_kernel_outer(size=5, sigma=1.0):
    ax = np.arange(-(size // 2), size // 2 + 1)
    g = np.exp(-ax ** 2 / (2 * sigma ** 2))
    k = np.outer(g, g)
    return k / k.sum()


def gaussian_blur_outer(img, sigma):
    ax = np.arange(-2, 3)
    g = np.exp(-0.5 * (ax / sigma) ** 2)
    g /= g.sum()
    k = np.outer(g, g)
    return conv2d_windows_einsum(img, k)


def separable_blur_apply_along_axis(img, sigma):
    ax = np.arange(-2, 3)
    g = np.exp(-ax ** 2 / (2 * sigma ** 2))
    g = g / g.sum()
    tmp = np.apply_along_axis(lambda r: np.convolve(r, g, mode="same"), 1, img)
    return np.apply_along_axis(lambda c: np.convolve(c, g, mode="same"), 0, tmp)


def separable_blur_slices(img, sigma):
    ax = np.arange(-2, 3)
    g = np.exp(-ax ** 2 / (2 * sigma ** 2))
    g = g / g.sum()
    p = np.pad(img, 2, mode="edge")
    H, W = img.shape
    rows = sum(g[k] * p[:, k:k + W] for k in range(5))
    return sum(g[k] * rows[k:k + H, :] for k in range(5))


def unsharp_mask_uint8(img, amount, sigma):
    f = img.astype(np.float64)
    blurred = gaussian_blur_outer(f, sigma)
    sharp = f + amount * (f - blurred)
    return np.clip(sharp, 0, 255).astype(np.uint8)


SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])


def sobel_windows(img):
    p = np.pad(img.astype(float), 1, mode="edge")
    win = sliding_window_view(p, (3, 3))
    gx = np.einsum("ijkl,kl->ij", win, SOBEL_X)
    gy = np.einsum("ijkl,kl->ij", win, SOBEL_X.T)
    mag = np.hypot(gx, gy)
    ang = np.degrees(np.arctan2(gy, gx)) % 180
    return mag, ang


def prewitt_slices(img):
    f = img.astype(np.float32)
    gx = (f[:-2, 2:] + f[1:-1, 2:] + f[2:, 2:]) - (f[:-2, :-2] + f[1:-1, :-2] + f[2:, :-2])
    gy = (f[2:, :-2] + f[2:, 1:-1] + f[2:, 2:]) - (f[:-2, :-2] + f[:-2, 1:-1] + f[:-2, 2:])
    mag = np.sqrt(gx ** 2 + gy ** 2)
    return (mag / mag.max() * 255).astype(np.uint8), np.arctan2(gy, gx)


def sobel_int16(img):
    # OpenCV's CV_16S habit: int16 gradients of uint8, then the absolute value
    f = img.astype(np.int16)
    gx = np.zeros_like(f)
    gy = np.zeros_like(f)
    gx[1:-1, 1:-1] = (f[:-2, 2:] + 2 * f[1:-1, 2:] + f[2:, 2:]
                      - f[:-2, :-2] - 2 * f[1:-1, :-2] - f[2:, :-2])
    gy[1:-1, 1:-1] = (f[2:, :-2] + 2 * f[2:, 1:-1] + f[2:, 2:]
                      - f[:-2, :-2] - 2 * f[:-2, 1:-1] - f[:-2, 2:])
    return np.clip(np.abs(gx) // 2 + np.abs(gy) // 2, 0, 255).astype(np.uint8)


def erode_dilate_windows(img, k=3):
    pad = k // 2
    p_min = np.pad(img, pad, mode="constant", constant_values=255)
    p_max = np.pad(img, pad, mode="constant", constant_values=0)
    eroded = sliding_window_view(p_min, (k, k)).min(axis=(2, 3))
    dilated = sliding_window_view(p_max, (k, k)).max(axis=(2, 3))
    return eroded, dilated, dilated - eroded


def opening_closing(img):
    def erode(a):
        return sliding_window_view(np.pad(a, 1, mode="edge"), (3, 3)).min(axis=(-1, -2))

    def dilate(a):
        return sliding_window_view(np.pad(a, 1, mode="edge"), (3, 3)).max(axis=(-1, -2))

    opened = dilate(erode(img))
    closed = erode(dilate(img))
    return opened, closed, img - opened


def binary_dilate_shifts(mask, se):
    H, W = mask.shape
    kh, kw = se.shape
    padded = np.pad(mask, ((kh // 2,), (kw // 2,)))
    out = np.zeros_like(mask, dtype=bool)
    for i in range(kh):
        for j in range(kw):
            if se[i, j]:
                out |= padded[i:i + H, j:j + W]
    return out


CROSS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool)


def binary_dilate_cross(mask):
    # the structuring element as a module constant: its ifs are Python's
    H, W = mask.shape
    padded = np.pad(mask, 1)
    out = np.zeros_like(mask)
    for i in range(3):
        for j in range(3):
            if CROSS[i, j]:
                out = out | padded[i:i + H, j:j + W]
    return out


def median_filter_windows(img, k=3):
    p = np.pad(img, k // 2, mode="reflect")
    return np.median(sliding_window_view(p, (k, k)), axis=(-2, -1))


def median_filter_uint8_sort(img):
    p = np.pad(img, 1, mode="edge")
    win = sliding_window_view(p, (3, 3)).reshape(img.shape[0], img.shape[1], 9)
    return np.sort(win, axis=-1)[..., 4]


def salt_pepper_denoise(img, rng, amount=0.1):
    noisy = img.copy()
    u = rng.random(img.shape)
    noisy[u < amount / 2] = 0
    noisy[u > 1 - amount / 2] = 255
    return noisy, median_filter_uint8_sort(noisy)


def bilinear_resize_rgb_uint8(img, scale=1.5):
    h, w, _ = img.shape
    nh, nw = int(h * scale), int(w * scale)
    ys = (np.arange(nh) + 0.5) / scale - 0.5
    xs = (np.arange(nw) + 0.5) / scale - 0.5
    ys = np.clip(ys, 0, h - 1)
    xs = np.clip(xs, 0, w - 1)
    y0 = ys.astype(np.int32)
    x0 = xs.astype(np.int32)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    dy = (ys - y0)[:, None, None]
    dx = (xs - x0)[None, :, None]
    f = img.astype(np.float32)
    top = f[y0[:, None], x0] * (1 - dx) + f[y0[:, None], x1] * dx
    bot = f[y1[:, None], x0] * (1 - dx) + f[y1[:, None], x1] * dx
    return np.round(top * (1 - dy) + bot * dy).astype(np.uint8)


def rotate_inverse_map(img, angle_deg):
    h, w = img.shape
    theta = np.deg2rad(angle_deg)
    cy, cx = (h - 1) / 2, (w - 1) / 2
    yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    xs = np.cos(theta) * (xx - cx) + np.sin(theta) * (yy - cy) + cx
    ys = -np.sin(theta) * (xx - cx) + np.cos(theta) * (yy - cy) + cy
    xi = np.round(xs).astype(int)
    yi = np.round(ys).astype(int)
    valid = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
    out = np.zeros_like(img)
    out[valid] = img[yi[valid], xi[valid]]
    return out


def rotate_clip_where(img, angle):
    h, w = img.shape[:2]
    c, s = np.cos(angle), np.sin(angle)
    X, Y = np.meshgrid(np.arange(w), np.arange(h))
    Xc, Yc = X - w / 2, Y - h / 2
    src_x = c * Xc + s * Yc + w / 2
    src_y = -s * Xc + c * Yc + h / 2
    inside = (src_x >= 0) & (src_x <= w - 1) & (src_y >= 0) & (src_y <= h - 1)
    sx = np.clip(src_x, 0, w - 1).astype(int)
    sy = np.clip(src_y, 0, h - 1).astype(int)
    return np.where(inside[..., None], img[sy, sx], 0).astype(img.dtype)


def floyd_steinberg(img):
    # the textbook loop on a float copy, with Python bounds checks
    a = img.astype(float)
    h, w = a.shape
    for y in range(h):
        for x in range(w):
            old = a[y, x]
            new = np.round(old / 255.0) * 255
            a[y, x] = new
            err = old - new
            if x + 1 < w:
                a[y, x + 1] += err * 7 / 16
            if y + 1 < h:
                if x > 0:
                    a[y + 1, x - 1] += err * 3 / 16
                a[y + 1, x] += err * 5 / 16
                if x + 1 < w:
                    a[y + 1, x + 1] += err * 1 / 16
    return a.astype(np.uint8)


def floyd_steinberg_levels(img, levels=4):
    # in place on the caller's float image in [0, 1], quantised to a few levels
    h, w = img.shape
    q = levels - 1
    for y in range(h):
        for x in range(w):
            old = img[y, x]
            new = np.round(old * q) / q
            img[y, x] = new
            err = old - new
            if x < w - 1:
                img[y, x + 1] += err * 0.4375
            if y < h - 1:
                if x > 0:
                    img[y + 1, x - 1] += err * 0.1875
                img[y + 1, x] += err * 0.3125
                if x < w - 1:
                    img[y + 1, x + 1] += err * 0.0625
    return img


BAYER4 = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]])


def row_error_diffusion(img):
    # one-dimensional error diffusion down the rows, a row at a time
    a = img.astype(float)
    for y in range(a.shape[0] - 1):
        q = np.round(a[y] / 255) * 255
        err = a[y] - q
        a[y] = q
        a[y + 1] += err * 0.5
    a[-1] = np.round(a[-1] / 255) * 255
    return a.astype(np.uint8)


def bayer_dither_tile(img):
    h, w = img.shape
    thresh = (BAYER4 + 0.5) / 16
    tiled = np.tile(thresh, (h // 4 + 1, w // 4 + 1))[:h, :w]
    return ((img / 255.0) > tiled).astype(np.uint8) * 255


def bayer_matrix(n):
    if n == 1:
        return np.array([[0]])
    m = bayer_matrix(n // 2)
    return np.block([[4 * m, 4 * m + 2], [4 * m + 3, 4 * m + 1]])


def bayer_dither_recursive(img, n=4):
    M = bayer_matrix(n) / (n * n)
    h, w = img.shape
    yy, xx = np.indices((h, w))
    return img > M[yy % n, xx % n]


def vignette_ogrid(img, strength):
    h, w = img.shape[:2]
    Y, X = np.ogrid[:h, :w]
    cy, cx = h / 2, w / 2
    r = np.sqrt((X - cx) ** 2 + (Y - cy) ** 2)
    mask = 1 - strength * (r / r.max()) ** 2
    return (img * mask[..., None]).astype(np.uint8)


def alpha_over(fg_rgba, bg_rgba):
    fg = fg_rgba.astype(float) / 255
    bg = bg_rgba.astype(float) / 255
    a_fg, a_bg = fg[..., 3:], bg[..., 3:]
    a_out = a_fg + a_bg * (1 - a_fg)
    rgb = (fg[..., :3] * a_fg + bg[..., :3] * a_bg * (1 - a_fg)) / np.where(a_out == 0, 1,
                                                                           a_out)
    out = np.concatenate([rgb, a_out], axis=-1)
    return (out * 255).round().astype(np.uint8)


def integral_image(img):
    ii = img.cumsum(axis=0).cumsum(axis=1)
    return ii


def integral_box_sum(img, r=1):
    ii = np.pad(img.astype(np.int64), ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    H, W = img.shape
    k = 2 * r + 1
    s = ii[k:, k:] - ii[:-k, k:] - ii[k:, :-k] + ii[:-k, :-k]
    return s / (k * k), s.shape == (H - 2 * r, W - 2 * r)


def psnr_wraparound(a, b):
    # the bug people ship: uint8 subtraction wraps around before the square
    mse = np.mean((a - b) ** 2)
    return 10 * np.log10(255 ** 2 / mse)


def sepia(img):
    M = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])
    out = img @ M.T
    return np.clip(out, 0, 255).astype(np.uint8)


def chroma_key(fg, bg, threshold):
    r, g, b = fg[..., 0].astype(int), fg[..., 1].astype(int), fg[..., 2].astype(int)
    green = (g > threshold) & (g > r + 30) & (g > b + 30)
    out = fg.copy()
    out[green] = bg[green]
    return out, green.mean()


def pixelate(img, block=2):
    h, w = img.shape[:2]
    hb, wb = h // block, w // block
    small = img[:hb * block, :wb * block].reshape(hb, block, wb, block, -1).mean(axis=(1, 3))
    big = np.repeat(np.repeat(small, block, axis=0), block, axis=1)
    return big.astype(img.dtype)


def color_matrix_scipy_linalg(img):
    # a colour transform inverted by scipy.linalg.inv, applied with einsum
    M = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                  [0.0193, 0.1192, 0.9505]])
    xyz = np.einsum("ij,hwj->hwi", M, img)
    back = np.einsum("ij,hwj->hwi", scipy.linalg.inv(M), xyz)
    return xyz, back


def srgb_linearize(img):
    c = img / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    enc = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)
    return lin, np.round(enc * 255).astype(np.uint8)


def sinc_resample(x, ratio=0.75, half_width=4):
    # windowed-sinc interpolation at fractional positions, by a sum over taps
    n_out = int(len(x) * ratio)
    pos = np.arange(n_out) / ratio
    base = np.floor(pos).astype(int)
    out = np.zeros(n_out)
    for k in range(-half_width + 1, half_width + 1):
        idx = np.clip(base + k, 0, len(x) - 1)
        d = pos - (base + k)
        w = np.sinc(d) * (0.5 + 0.5 * np.cos(np.pi * d / half_width))
        out += w * x[idx]
    return out


def bessel_fm_sidebands(index, n=6):
    # Carson's rule and the sideband amplitudes from scipy.special.jv
    k = np.arange(-n, n + 1)
    amps = scipy.special.jv(k[:, None], index[None, :])
    power = np.sum(amps ** 2, axis=0)
    return amps, power


# ======================================================================= more forms


def wavetable_interp_period(table, freq, n=48, sr=8000):
    N = len(table)
    pos = np.arange(n) * freq * N / sr
    return np.interp(pos, np.arange(N), table, period=N)


def wavetable_take_wrap(table, freq, n=48, sr=8000):
    N = len(table)
    pos = np.arange(n) * freq * N / sr
    i0 = np.floor(pos).astype(np.int64)
    frac = pos - i0
    return np.take(table, i0, mode="wrap") * (1 - frac) + np.take(table, i0 + 1, mode="wrap") * frac


def mu_law_encode_decode(x, mu=255):
    y = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    q = ((y + 1) / 2 * mu + 0.5).astype(np.int32)
    y2 = 2 * (q / mu) - 1
    x2 = np.sign(y2) * ((1 + mu) ** np.abs(y2) - 1) / mu
    return q.astype(np.uint8), x2


def snap_to_scale_divmod(notes, scale=(0, 2, 4, 5, 7, 9, 11)):
    scale = np.array(scale)
    octave, pc = np.divmod(notes, 12)
    nearest = scale[np.abs(pc[:, None] - scale[None, :]).argmin(axis=1)]
    return octave * 12 + nearest


def wavefold(x, gain):
    y = x * gain
    return np.abs(np.mod(y + 1, 4) - 2) - 1


def phasor_recursion(freq, n=48, sr=8000):
    # the complex rotator oscillator, renormalised every sample
    w = 2 * np.pi * freq / sr
    rot = np.exp(1j * w)
    z = 1.0 + 0j
    out = np.empty(n, dtype=complex)
    for i in range(n):
        out[i] = z
        z = z * rot
        z = z / np.abs(z)
    return out.real, out


def hilbert_envelope_fft(x, sr=8000):
    N = len(x)
    X = np.fft.fft(x)
    h = np.zeros(N)
    h[0] = 1
    if N % 2 == 0:
        h[N // 2] = 1
        h[1:N // 2] = 2
    else:
        h[1:(N + 1) // 2] = 2
    analytic = np.fft.ifft(X * h)
    envelope = np.abs(analytic)
    phase = np.unwrap(np.angle(analytic))
    inst_freq = np.diff(phase) / (2 * np.pi) * sr
    return envelope, inst_freq


def frame_as_strided(x, frame_length=8, hop_length=4):
    # librosa.util.frame before sliding_window_view
    n_frames = 1 + (len(x) - frame_length) // hop_length
    frames = np.lib.stride_tricks.as_strided(
        x, shape=(frame_length, n_frames), strides=(x.itemsize, hop_length * x.itemsize))
    return frames, np.sum(frames ** 2, axis=0)


def frame_energy_reduceat(x, hop=8):
    return np.add.reduceat(x ** 2, np.arange(0, len(x), hop))


def peak_hold_meter(x, release=0.9):
    peaks = np.maximum.accumulate(np.abs(x))
    env = np.abs(x).copy()
    for i in range(1, len(env)):
        env[i] = max(env[i], env[i - 1] * release)
    return peaks, env


def deblur_solve_circulant(blurred, psf, eps=1e-3):
    # circular deconvolution of a known blur, regularised on the kernel's first entry
    c = np.zeros(len(blurred))
    c[:len(psf)] = psf
    c[0] += eps
    return scipy.linalg.solve_circulant(c, blurred)


def smooth_convolution_matrix(x, h):
    # the filter as a matrix, as DSP course notes build it
    H = scipy.linalg.convolution_matrix(h, len(x), mode="same")
    return H @ x, H.sum(axis=1)


def lpc_toeplitz(x, order=4):
    r = np.correlate(x, x, mode="full")[len(x) - 1:len(x) + order]
    R = scipy.linalg.toeplitz(r[:order])
    a = np.linalg.solve(R, r[1:order + 1])
    err = r[0] - np.dot(a, r[1:order + 1])
    return np.concatenate(([1.0], -a)), err


def lpc_solve_toeplitz(x, order=4):
    r = np.array([np.dot(x[:len(x) - k], x[k:]) for k in range(order + 1)])
    a = scipy.linalg.solve_toeplitz(r[:order], r[1:])
    return a


def levinson_durbin(r, order=4):
    a = np.zeros(order + 1)
    a[0] = 1.0
    e = r[0]
    ks = []
    for i in range(1, order + 1):
        acc = r[i] + np.dot(a[1:i], r[i - 1:0:-1])
        k = -acc / e
        a_prev = a.copy()
        for j in range(1, i):
            a[j] = a_prev[j] + k * a_prev[i - j]
        a[i] = k
        e = e * (1 - k * k)
        ks.append(k)
    return a, e, np.array(ks)


def fir_lowpass_kaiser(x, cutoff, numtaps=15, beta=6.0):
    n = np.arange(numtaps) - (numtaps - 1) / 2
    h = np.sinc(2 * cutoff * n) * np.kaiser(numtaps, beta)
    h /= np.sum(h)
    return np.convolve(x, h, mode="same"), h


def stereo_ms_widen(stereo, width):
    # mid/side on the caller's (n, 2) buffer, written back column by column
    mid = (stereo[:, 0] + stereo[:, 1]) / 2
    side = (stereo[:, 0] - stereo[:, 1]) / 2 * width
    stereo[:, 0], stereo[:, 1] = mid + side, mid - side
    return stereo


def mix_int16_saturating(a, b):
    return np.clip(a.astype(np.int32) + b, -32768, 32767).astype(np.int16)


def stft_float32_complex64(x, n_fft=16, hop=4):
    win = np.hanning(n_fft).astype(np.float32)
    frames = sliding_window_view(x, n_fft)[::hop] * win
    spec = np.fft.rfft(frames, axis=-1)
    phase = np.exp(1j * np.angle(spec).astype(np.float32))
    return spec, np.abs(spec), phase


def autocorr_int16(pcm, max_lag=12):
    # int16 samples straight from a WAV file: the products wrap in int16, as NumPy's do
    ac = np.correlate(pcm, pcm, mode="full")[len(pcm) - 1:len(pcm) - 1 + max_lag]
    safe = np.correlate(pcm.astype(np.float64), pcm.astype(np.float64), mode="full")
    return ac, safe[len(pcm) - 1:len(pcm) - 1 + max_lag] / safe[len(pcm) - 1]


def fft_peak_parabolic(x, sr=8000, pad=4):
    N = len(x)
    mag = np.abs(np.fft.rfft(x * np.hanning(N), n=pad * N))
    db = 20 * np.log10(mag + 1e-12)
    k = np.argmax(db[1:-1]) + 1
    alpha, beta, gamma = db[k - 1], db[k], db[k + 1]
    p = 0.5 * (alpha - gamma) / (alpha - 2 * beta + gamma)
    return (k + p) * sr / (pad * N), beta - 0.25 * (alpha - gamma) * p


def top_k_partials(x, k=3, sr=8000):
    mag = np.abs(np.fft.rfft(x))
    freqs = np.fft.rfftfreq(len(x), 1 / sr)
    idx = np.argsort(mag)[-k:][::-1]
    return freqs[idx], mag[idx]


def phase_vocoder_stretch(frames_spec, rate=0.75, hop=4):
    # the phase-vocoder time stretch over a fixed grid of output steps
    n_frames, n_bins = frames_spec.shape
    steps = np.arange(0, n_frames - 1, rate)
    omega = 2 * np.pi * hop * np.arange(n_bins) / (2 * (n_bins - 1))
    phase = np.angle(frames_spec[0])
    out = np.zeros((len(steps), n_bins), dtype=complex)
    for t, step in enumerate(steps):
        i = int(step)
        frac = step - i
        a, b = frames_spec[i], frames_spec[i + 1]
        mag = (1 - frac) * np.abs(a) + frac * np.abs(b)
        out[t] = mag * np.exp(1j * phase)
        dphi = np.angle(b) - np.angle(a) - omega
        dphi = np.mod(dphi + np.pi, 2 * np.pi) - np.pi
        phase = phase + omega + dphi
    return out


def fft_lowpass_fftshift(img, radius):
    F = np.fft.fftshift(np.fft.fft2(img))
    h, w = img.shape
    yy, xx = np.ogrid[:h, :w]
    d = np.sqrt((yy - h // 2) ** 2 + (xx - w // 2) ** 2)
    mask = d <= radius
    out = np.fft.ifft2(np.fft.ifftshift(F * mask))
    spectrum = 20 * np.log(np.abs(F) + 1)
    return np.abs(out), spectrum


def butterworth_highpass(img, d0, order=2):
    h, w = img.shape
    u = np.fft.fftfreq(h)[:, None] * h
    v = np.fft.fftfreq(w)[None, :] * w
    D = np.sqrt(u ** 2 + v ** 2)
    H = 1 / (1 + (d0 / np.maximum(D, 1e-9)) ** (2 * order))
    return np.real(np.fft.ifft2(np.fft.fft2(img) * H))


def phase_correlation(a, b):
    Fa = np.fft.fft2(a)
    Fb = np.fft.fft2(b)
    R = Fa * np.conj(Fb)
    R /= np.abs(R) + 1e-12
    r = np.fft.ifft2(R).real
    dy, dx = np.unravel_index(np.argmax(r), r.shape)
    return dy, dx, r.max()


def mutual_information_hist2d(a, b, bins=8):
    joint, _, _ = np.histogram2d(a.ravel(), b.ravel(), bins=bins)
    pxy = joint / joint.sum()
    px = pxy.sum(axis=1)
    py = pxy.sum(axis=0)
    px_py = px[:, None] * py[None, :]
    nz = pxy > 0
    return np.sum(pxy[nz] * np.log(pxy[nz] / px_py[nz]))


def histogram_match_lut(source, template):
    s_hist = np.bincount(source.ravel(), minlength=256)
    t_hist = np.bincount(template.ravel(), minlength=256)
    s_cdf = np.cumsum(s_hist) / source.size
    t_cdf = np.cumsum(t_hist) / template.size
    lut = np.interp(s_cdf, t_cdf, np.arange(256))
    return lut[source].astype(np.uint8)


def histogram_match_unique(source, template):
    # the Stack Overflow answer everybody copies
    oldshape = source.shape
    source = source.ravel()
    template = template.ravel()
    s_values, bin_idx, s_counts = np.unique(source, return_inverse=True, return_counts=True)
    t_values, t_counts = np.unique(template, return_counts=True)
    s_quantiles = np.cumsum(s_counts).astype(np.float64)
    s_quantiles /= s_quantiles[-1]
    t_quantiles = np.cumsum(t_counts).astype(np.float64)
    t_quantiles /= t_quantiles[-1]
    interp_t_values = np.interp(s_quantiles, t_quantiles, t_values)
    return interp_t_values[bin_idx].reshape(oldshape)


def bit_planes(img):
    planes = np.unpackbits(img[..., None], axis=-1)
    msb = (img >> 7) & 1
    shifted = np.stack([(img >> k) & 1 for k in range(8)], axis=-1)
    return planes, msb, shifted


def lsb_embed(img, bits):
    flat = img.ravel().copy()
    flat[:len(bits)] = (flat[:len(bits)] & 0xFE) | bits
    stego = flat.reshape(img.shape)
    return stego, np.packbits(stego.ravel()[:len(bits)] & 1)


def float16_normalize(img):
    x = img.astype(np.float16) / np.float16(255)
    mean = x.mean(axis=(0, 1))
    return x - mean, x.dtype


def crop_ix(img, rows, cols):
    return img[np.ix_(rows, cols)]


def color_calibration_lstsq(measured, reference):
    A = np.hstack([measured, np.ones((measured.shape[0], 1))])
    M, res, rank, sv = np.linalg.lstsq(A, reference, rcond=None)
    corrected = A @ M
    return M, np.sqrt(np.mean((corrected - reference) ** 2))


def svd_compress(img, k=2):
    U, S, Vt = np.linalg.svd(img, full_matrices=False)
    approx = U[:, :k] @ np.diag(S[:k]) @ Vt[:k, :]
    ratio = k * (img.shape[0] + img.shape[1] + 1) / img.size
    return np.clip(approx, 0, 255), ratio, S[:k].sum() / S.sum()


def fancy_pca_lighting(img, alphas):
    # AlexNet's colour augmentation by the RGB covariance's eigenvectors
    flat = img.reshape(-1, 3).astype(np.float64) / 255.0
    flat = flat - flat.mean(axis=0)
    cov = np.cov(flat, rowvar=False)
    eigvals, eigvecs = np.linalg.eigh(cov)
    delta = eigvecs @ (alphas * eigvals)
    out = img / 255.0 + delta
    return np.clip(out * 255, 0, 255).astype(np.uint8)


def gradient_uint8(img):
    gy, gx = np.gradient(img)
    return gy, gx, np.hypot(gx, gy)


def julia_escape(re, im, c, iters=12):
    z = re + 1j * im
    count = np.zeros(z.shape, dtype=np.int32)
    for _ in range(iters):
        alive = np.abs(z) < 2
        z = np.where(alive, z * z + c, z)
        count += alive
    return count


def value_noise_fbm(grid, octaves=3, size=12):
    # value noise: a random grid, smoothstep-bilinear, summed over octaves
    out = np.zeros((size, size))
    amp = 1.0
    g = grid.shape[0]
    for o in range(octaves):
        freq = 2 ** o
        coords = np.linspace(0, freq, size, endpoint=False)
        i0 = np.floor(coords).astype(int) % g
        i1 = (i0 + 1) % g
        t = coords - np.floor(coords)
        t = t * t * (3 - 2 * t)
        a = grid[np.ix_(i0, i0)]
        b = grid[np.ix_(i0, i1)]
        c = grid[np.ix_(i1, i0)]
        d = grid[np.ix_(i1, i1)]
        tx = t[None, :]
        ty = t[:, None]
        layer = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty
        out += amp * layer
        amp *= 0.5
    return out / (2 - 2 ** (1 - octaves))


def game_of_life(board, steps=4):
    for _ in range(steps):
        n = sum(np.roll(np.roll(board, i, 0), j, 1)
                for i in (-1, 0, 1) for j in (-1, 0, 1) if (i, j) != (0, 0))
        board = (n == 3) | (board & (n == 2))
    return board


def gray_scott(U, V, Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=5):
    for _ in range(steps):
        Lu = np.roll(U, 1, 0) + np.roll(U, -1, 0) + np.roll(U, 1, 1) + np.roll(U, -1, 1) - 4 * U
        Lv = np.roll(V, 1, 0) + np.roll(V, -1, 0) + np.roll(V, 1, 1) + np.roll(V, -1, 1) - 4 * V
        uvv = U * V * V
        U += Du * Lu - uvv + F * (1 - U)
        V += Dv * Lv + uvv - (F + k) * V
    return U, V


def swirl(img, strength, radius):
    h, w = img.shape
    yy, xx = np.indices((h, w), dtype=float)
    cy, cx = h / 2, w / 2
    dy, dx = yy - cy, xx - cx
    r = np.hypot(dx, dy)
    theta = np.arctan2(dy, dx) + strength * np.exp(-r / radius)
    sx = np.clip(np.rint(cx + r * np.cos(theta)), 0, w - 1).astype(int)
    sy = np.clip(np.rint(cy + r * np.sin(theta)), 0, h - 1).astype(int)
    return img[sy, sx]


def _rgb(s, n):
    return _u8(s, n, n + 1, 3)


def _gray(s, n):
    return _u8(s, n + 2, n + 3)


def _fimg(s, n):
    return _u(s, n + 2, n + 3)


# =================================================================================== tables


def _TABLE(s, n):
    # a single-cycle wavetable with a little noise in it
    return np.sin(2 * np.pi * np.arange(8 * n) / (8 * n)) + 0.1 * _f(8 * n, seed=s)


SYNTH = {
    "snap_to_scale_divmod": (snap_to_scale_divmod, {}, lambda s, n: (
        _i(40, 3 * n, seed=s) + 40,)),
    "phase_accumulator_mod": (phase_accumulator, {"n_samples": 48}, lambda s, n: (
        300.0 * s + n,)),
    "phasor_complex_recursion": (phasor_recursion, {"n": 32}, lambda s, n: (300.0 * s + n,)),
    "additive_saw_nyquist_mask": (additive_saw, {"n_harmonics": 10}, lambda s, n: (
        _t(16 * n), 350.0 * s)),
    "additive_square_broadcast": (additive_square_broadcast, {}, lambda s, n: (
        _t(16 * n), 200.0 + s)),
    "polyblep_saw_nested_where": (polyblep_saw, {"n": 48}, lambda s, n: (
        400.0 * s + 50 * n,)),
    "vibrato_cumsum": (vibrato, {}, lambda s, n: (_t(16 * n), 440.0, 6.0 * s, 0.02)),
    "adsr_concatenate_linspace": (adsr_concatenate, {"a": 5, "d": 7}, lambda s, n: (
        0.4 + 0.1 * s,)),
    "adsr_np_piecewise_lambdas": (adsr_piecewise, {}, lambda s, n: (
        np.linspace(0, 1, 10 * n), 0.1, 0.2, 0.5 + 0.1 * s, 0.3, 1.0)),
    "adsr_np_interp_breakpoints": (adsr_interp, {}, lambda s, n: (
        np.linspace(0, 1, 10 * n), 0.4 + 0.1 * s)),
    "adsr_state_loop_gate": (adsr_state_loop, {}, lambda s, n: (
        (np.arange(8 * n) < 5 * n).astype(float), 0.3, 0.05 * s, 0.6, 0.1)),
    "fm_bell_decaying_index": (fm_bell, {}, lambda s, n: (
        _t(16 * n), 200.0 + s, 1.4, 10.0, 0.004 * s)),
    "fm_sidebands_scipy_jv": (bessel_fm_sidebands, {}, lambda s, n: (
        np.linspace(0.1, 5, n) * s,)),
    "wavefold_np_mod": (wavefold, {}, lambda s, n: (_sig(s, 16 * n), 2.5 + s)),
    "wavetable_linear_interp_astype": (wavetable_interp, {"n": 48}, lambda s, n: (
        _TABLE(s, n), 330.0 + 20 * s)),
    "wavetable_np_interp_period": (wavetable_interp_period, {}, lambda s, n: (
        _TABLE(s, n), 330.0 + 20 * s)),
    "wavetable_np_take_wrap": (wavetable_take_wrap, {}, lambda s, n: (
        _TABLE(s, n), 330.0 + 20 * s)),
    "karplus_strong_ring_buffer_rng": (karplus_strong_ring, {"period": 12, "n": 72},
                                       lambda s, n: (np.random.default_rng(s),)),
    "karplus_strong_np_append": (karplus_strong_append, {"n": 40}, lambda s, n: (
        _u(s, 2 * n) * 2 - 1,)),
    "karplus_strong_deque": (karplus_strong_deque, {"n": 30}, lambda s, n: (
        _u(s, 2 * n) * 2 - 1,)),
    "pink_noise_rfft_filter": (pink_noise_fft, {}, lambda s, n: (_f(16 * n, seed=s),)),
    "kick_drum_pitch_sweep": (kick_drum, {}, lambda s, n: (_t(16 * n) * s,)),
    "step_sequencer_pattern": (step_sequencer, {"step_len": 6}, lambda s, n: (
        _sig(s, 10), (np.arange(2 * n) % 3 == 0).astype(float) * (1 + 0.1 * s))),
    "chord_broadcast_normalise": (chord_broadcast, {}, lambda s, n: (
        np.array([60, 64, 67, 71])[: n - 1] + s, _t(16 * n))),
    "arpeggio_concatenate": (arpeggio, {"n_steps": 6}, lambda s, n: (
        np.array([60, 64, 67, 72, 76, 79])[:n - 1] + s,)),
    "float32_voice": (float32_synth_voice, {"n": 48}, lambda s, n: (
        np.float32(220 * s + n), np.float32(0.8))),
}


@pytest.mark.parametrize("name", _names(SYNTH))
def test_synthesis_matches_numpy(name):
    """Scale snapping, phase accumulators, a complex rotator and float32 voices, saws,
    band-limited additive and PolyBLEP waveforms, vibrato, ADSR envelopes four ways, FM bells
    and Bessel sidebands, wavefolding, wavetables three ways, Karplus-Strong three ways, pink
    noise, kicks, sequencers, chords and arpeggios."""
    check_like_numpy(*SYNTH[name])


EFFECTS = {
    "echo_slice": (echo_slice, {}, lambda s, n: (_sig(s, 16 * n), 5, 0.4 + 0.1 * s)),
    "feedback_comb_per_sample": (feedback_comb, {}, lambda s, n: (_sig(s, 8 * n),)),
    "schroeder_reverb_comb_slices": (schroeder_reverb, {}, lambda s, n: (_sig(s, 16 * n),)),
    "delay_line_ring_buffer_pointer": (delay_line_ring_buffer, {}, lambda s, n: (
        _sig(s, 8 * n),)),
    "convolution_reverb_rfft_pow2": (convolution_reverb_fft, {}, lambda s, n: (
        _sig(s, 16 * n), _f(9, seed=s) * np.exp(-np.arange(9) / 3))),
    "biquad_rbj_lowpass": (biquad_lowpass, {}, lambda s, n: (_sig(s, 8 * n), 800.0 * s, 0.707)),
    "fir_sinc_kaiser": (fir_lowpass_kaiser, {}, lambda s, n: (_sig(s, 16 * n), 0.1 * s)),
    "filtfilt_one_pole_backwards": (filtfilt_one_pole, {}, lambda s, n: (
        _sig(s, 8 * n), 0.6 + 0.1 * s)),
    "fir_shift_register_matmul": (fir_shift_register, {}, lambda s, n: (
        _sig(s, 8 * n), np.array([0.4, 0.3, 0.2, 0.1]) * s)),
    "state_variable_filter_lists": (state_variable_filter, {}, lambda s, n: (
        _sig(s, 6 * n), 0.2 + 0.05 * s, 0.7)),
    "envelope_follower_attack_release": (envelope_follower, {}, lambda s, n: (
        _sig(s, 8 * n), 0.5, 0.9 + 0.01 * s)),
    "peak_hold_accumulate_python_max": (peak_hold_meter, {}, lambda s, n: (_sig(s, 8 * n),)),
    "smooth_scipy_convolution_matrix": (smooth_convolution_matrix, {}, lambda s, n: (
        _sig(s, 16 * n), np.array([0.25, 0.5, 0.25]) * s)),
    "frame_as_strided_librosa": (frame_as_strided, {}, lambda s, n: (_sig(s, 16 * n),)),
    "frame_energy_add_reduceat": (frame_energy_reduceat, {}, lambda s, n: (
        _sig(s, 16 * n + 3),)),
    "mix_tracks_constant_power_pan": (mix_tracks_pan, {}, lambda s, n: (
        np.stack([_sig(s + k, 16 * n) for k in range(3)]), np.array([-3.0, 0.0, -6.0 * s]),
        np.array([-1.0, 0.2 * s, 0.7]))),
    "stereo_mid_side_in_place": (stereo_ms_widen, {}, lambda s, n: (
        _f(8 * n, 2, seed=s), 1.5 + 0.1 * s)),
    "soft_clip_three_ways": (soft_clip, {}, lambda s, n: (_sig(s, 16 * n), 2.0 + s)),
    "mu_law_companding_uint8": (mu_law_encode_decode, {}, lambda s, n: (_sig(s, 16 * n),)),
    "float_to_pcm16_and_back": (float_to_pcm16, {}, lambda s, n: (_sig(s, 16 * n) * 1.5,)),
    "mix_int16_saturating": (mix_int16_saturating, {}, lambda s, n: (
        (_sig(s, 16 * n) * 30000).astype(np.int16),
        (_sig(s + 1, 16 * n) * 30000).astype(np.int16))),
    "resample_np_interp": (resample_interp, {}, lambda s, n: (_sig(s, 16 * n),)),
    "sinc_resample_taps": (sinc_resample, {}, lambda s, n: (_sig(s, 16 * n),)),
    "fades_in_place": (apply_fades, {}, lambda s, n: (_sig(s, 16 * n),)),
    "overlap_add_frames": (overlap_add, {}, lambda s, n: (_f(n, 8, seed=s),)),
}


@pytest.mark.parametrize("name", _names(EFFECTS))
def test_effects_match_numpy(name):
    """Echoes, combs, ring-buffer delays and reverbs, biquads, forward-backward one-poles,
    shift-register, state-variable and windowed-sinc filters, envelope followers, peak meters
    and frame energies, panning and mid/side, clipping, mu-law and PCM, resampling, fades,
    overlap-add, circulant deconvolution and convolution matrices."""
    check_like_numpy(*EFFECTS[name])


ANALYSIS = {
    "chroma_bincount_weights": (chroma_bincount, {}, lambda s, n: (_sig(s, 16 * n),)),
    "chroma_np_add_at": (chroma_add_at, {}, lambda s, n: (_sig(s, 16 * n),)),
    "chroma_pitch_class_loop": (chroma_loop, {}, lambda s, n: (
        np.abs(np.fft.rfft(_sig(s, 16 * n)))[1:], np.fft.rfftfreq(16 * n, 1 / SR)[1:])),
    "stft_float32_complex64": (stft_float32_complex64, {}, lambda s, n: (
        _sig(s, 16 * n).astype(np.float32),)),
    "spectral_centroid_rolloff_flatness": (spectral_features, {}, lambda s, n: (
        _sig(s, 16 * n),)),
    "autocorr_pitch_correlate": (autocorr_pitch, {}, lambda s, n: (_sig(s, 16 * n),)),
    "autocorr_int16_wraps": (autocorr_int16, {}, lambda s, n: (
        (_sig(s, 16 * n) * 20000).astype(np.int16),)),
    "fft_peak_parabolic_interp": (fft_peak_parabolic, {}, lambda s, n: (_sig(s, 16 * n),)),
    "top_k_partials_argsort": (top_k_partials, {}, lambda s, n: (_sig(s, 16 * n),)),
    "goertzel_dtmf": (goertzel_dtmf, {"freqs": (697.0, 1209.0, 1336.0)}, lambda s, n: (
        dtmf_tone(_t(6 * n), np.array([0]), np.array([s - 1]))[0],)),
    "mel_filterbank_loops": (mel_filterbank_apply, {}, lambda s, n: (
        np.abs(np.fft.rfft(_sig(s, 32 * n).reshape(n, 32), axis=1)) ** 2,)),
    "hilbert_envelope_unwrap": (hilbert_envelope_fft, {}, lambda s, n: (
        _sig(s, 16 * n + n // 2),)),
    "harmonic_product_spectrum": (harmonic_product_spectrum, {}, lambda s, n: (
        _sig(s, 16 * n),)),
    "phase_vocoder_stretch": (phase_vocoder_stretch, {}, lambda s, n: (
        np.fft.rfft(_f(n, 8, seed=s), axis=1),)),
    "lpc_scipy_toeplitz_solve": (lpc_toeplitz, {}, lambda s, n: (_sig(s, 16 * n),)),
    "lpc_scipy_solve_toeplitz": (
        lpc_solve_toeplitz, {}, lambda s, n: (_sig(s, 16 * n),)),
    "deblur_scipy_solve_circulant": (deblur_solve_circulant, {}, lambda s, n: (
        _sig(s, 16 * n), np.array([0.5, 0.3, 0.2]) * s)),
    "levinson_durbin_loop": (levinson_durbin, {}, lambda s, n: (
        np.correlate(_sig(s, 16 * n), _sig(s, 16 * n), "full")[16 * n - 1:16 * n + 4],)),
}


@pytest.mark.parametrize("name", _names(ANALYSIS))
def test_audio_analysis_matches_numpy(name):
    """Chroma three ways, float32 STFTs, spectral features, pitch by float and int16
    autocorrelation, parabolic peak interpolation and top partials, Goertzel, mel filterbanks,
    Hilbert envelopes, HPS, a phase vocoder and LPC by Toeplitz solves and Levinson-Durbin."""
    check_like_numpy(*ANALYSIS[name])


COLOR = {
    "gray_weights_uint8": (gray_weights, {}, lambda s, n: (_rgb(s, n),)),
    "gray_np_average_weights": (gray_average, {}, lambda s, n: (_rgb(s, n),)),
    "gray_integer_shift_uint16": (gray_integer_shift, {}, lambda s, n: (_rgb(s, n),)),
    "rgb_to_hsv_np_where": (rgb_to_hsv_where, {}, lambda s, n: (_rgb(s, n),)),
    "rgb_to_hsv_matplotlib_masks": (rgb_to_hsv_masks, {}, lambda s, n: (
        _rgb(s, n) / 255.0,)),
    "hsv_to_rgb_np_choose": (hsv_to_rgb_choose, {}, lambda s, n: (_u(s, n, n + 1, 3),)),
    "hsv_to_rgb_np_select_uint8": (hsv_to_rgb_select, {}, lambda s, n: (
        _u(s, n, n + 1, 3) * 0.999,)),
    "rgb_to_ycbcr_dot": (rgb_to_ycbcr, {}, lambda s, n: (_rgb(s, n),)),
    "ycbcr_to_rgb_putmask": (ycbcr_to_rgb, {}, lambda s, n: (_rgb(s, n),)),
    "xyz_scipy_linalg_inv_einsum": (color_matrix_scipy_linalg, {}, lambda s, n: (
        _u(s, n, n + 1, 3),)),
    "color_calibration_lstsq": (color_calibration_lstsq, {}, lambda s, n: (
        _u(s, 4 * n, 3), _u(s + 1, 4 * n, 3))),
    "fancy_pca_lighting_eigh": (fancy_pca_lighting, {}, lambda s, n: (
        _rgb(s, n), _f(3, seed=s) * 0.1)),
    "srgb_linearize_where": (srgb_linearize, {}, lambda s, n: (_rgb(s, n),)),
    "gamma_lut_list_comprehension": (gamma_lut, {}, lambda s, n: (_gray(s, n), 1.5 + 0.5 * s)),
    "hist_eq_opencv_masked_cdf": (hist_eq_opencv_masked, {}, lambda s, n: (
        (_gray(s, n) // 4 + 60).astype(np.uint8),)),
    "hist_eq_bincount_nonzero": (hist_eq_bincount, {}, lambda s, n: (
        (_gray(s, n) // 3 + 40).astype(np.uint8),)),
    "hist_eq_python_float_cdf": (hist_eq_float_cdf, {}, lambda s, n: (_gray(s, n),)),
    "hist_eq_histogram_interp": (hist_eq_interp, {}, lambda s, n: (_gray(s, n),)),
    "histogram_match_cdf_interp": (histogram_match_lut, {}, lambda s, n: (
        _gray(s, n), _gray(s + 1, n) // 2)),
    "mean_brightness_python_loop_uint8": (mean_brightness_python_loop, {}, lambda s, n: (
        _gray(s, n),)),
    "histogram_traced_range": (histogram_dynamic_range, {}, lambda s, n: (
        _gray(s, n) // 2 + 30,)),
    "otsu_loop_all_thresholds": (otsu_loop, {}, lambda s, n: (_gray(s, n),)),
    "otsu_cumsum_nan_to_num": (otsu_cumsum, {}, lambda s, n: (_gray(s, n),)),
    "otsu_skimage_float": (otsu_histogram_float, {}, lambda s, n: (
        np.concatenate([_u(s, n, 5) * 0.4, _u(s + 1, n, 5) * 0.4 + 0.6]),)),
    "threshold_vectorize_otypes": (threshold_vectorize_otypes, {}, lambda s, n: (
        _gray(s, n),)),
    "histogram_match_np_unique_inverse": (histogram_match_unique, {}, lambda s, n: (
        _gray(s, n) // 4, _gray(s + 1, n) // 2)),
    "mutual_information_histogram2d": (mutual_information_hist2d, {}, lambda s, n: (
        _fimg(s, n), _fimg(s, n) ** 2 + 0.1 * _fimg(s + 1, n))),
    "chroma_key_mask_assign": (chroma_key, {}, lambda s, n: (
        np.where(_u(s, n, n + 1, 1) < 0.5, np.array([20, 220, 30], np.uint8), _rgb(s, n)),
        _rgb(s + 1, n), 150)),
    "float16_normalize": (float16_normalize, {}, lambda s, n: (_rgb(s, n),)),
    "bit_planes_unpackbits_shifts": (bit_planes, {}, lambda s, n: (_gray(s, n),)),
    "lsb_steganography_packbits": (lsb_embed, {}, lambda s, n: (
        _gray(s, n), _i(2, 8 * n, seed=s).astype(np.uint8))),
    "psnr_uint8_wraparound": (psnr_wraparound, {}, lambda s, n: (_gray(s, n), _gray(s + 1, n))),
}


@pytest.mark.parametrize("name", _names(COLOR))
def test_colour_and_tone_match_numpy(name):
    """Grey conversions, HSV there and back, YCbCr, XYZ, calibration and PCA lighting, sRGB,
    gamma, histogram equalisation and matching, uint8 sums in Python, Otsu, vectorized
    thresholds, mutual information, chroma keys, float16, bit planes, steganography and
    PSNR."""
    check_like_numpy(*COLOR[name])


FILTERS = {
    "fft_convolve_rfft2_circular": (fft_convolve_circular, {}, lambda s, n: (
        _fimg(s, n), gaussian_kernel_outer(3, 0.8))),
    "fft_convolve_rfft2_same": (fft_convolve_same, {}, lambda s, n: (
        _fimg(s, n), gaussian_kernel_outer(3, 0.5 + 0.2 * s))),
    "fft_ideal_lowpass_fftshift": (fft_lowpass_fftshift, {}, lambda s, n: (
        _fimg(s, n), 1.5 * s)),
    "fft_butterworth_highpass": (butterworth_highpass, {}, lambda s, n: (
        _fimg(s, n), 1.0 * s)),
    "phase_correlation_unravel": (phase_correlation, {}, lambda s, n: (
        _fimg(s, n), np.roll(_fimg(s, n), (1, s), axis=(0, 1)))),
    "conv2d_windows_einsum_flipped": (conv2d_windows_einsum, {}, lambda s, n: (
        _fimg(s, n), _f(3, 3, seed=s))),
    "conv2d_cs131_double_loop": (conv2d_double_loop, {}, lambda s, n: (
        _fimg(s, n), _f(3, 3, seed=s))),
    "separable_blur_apply_along_axis": (separable_blur_apply_along_axis, {}, lambda s, n: (
        _fimg(s, n), 1.0 * s)),
    "separable_blur_python_sum": (separable_blur_slices, {}, lambda s, n: (
        _fimg(s, n), 1.0 * s)),
    "unsharp_mask_uint8": (unsharp_mask_uint8, {}, lambda s, n: (_gray(s, n), 1.5, 1.0 * s)),
    "sobel_windows_hypot_arctan2": (sobel_windows, {}, lambda s, n: (_gray(s, n),)),
    "prewitt_slices_float32": (prewitt_slices, {}, lambda s, n: (_gray(s, n),)),
    "sobel_int16_abs": (sobel_int16, {}, lambda s, n: (_gray(s, n),)),
    "np_gradient_uint8": (gradient_uint8, {}, lambda s, n: (_gray(s, n),)),
    "erode_dilate_windows_uint8": (erode_dilate_windows, {}, lambda s, n: (_gray(s, n),)),
    "opening_closing_tophat": (opening_closing, {}, lambda s, n: (_fimg(s, n),)),
    "binary_dilate_module_cross": (binary_dilate_cross, {}, lambda s, n: (
        _u(s, n + 2, n + 3) < 0.2,)),
    "median_filter_windows_reflect": (median_filter_windows, {}, lambda s, n: (_gray(s, n),)),
    "median_filter_sort_uint8": (median_filter_uint8_sort, {}, lambda s, n: (_gray(s, n),)),
    "salt_pepper_mask_writes_rng": (salt_pepper_denoise, {}, lambda s, n: (
        _gray(s, n), np.random.default_rng(s))),
    "svd_rank_k_compression": (svd_compress, {}, lambda s, n: (
        _gray(s, n).astype(float),)),
}


@pytest.mark.parametrize("name", _names(FILTERS))
def test_filters_match_numpy(name):
    """Convolution by FFTs, windows and a double loop, frequency-domain low and high passes,
    phase correlation, separable blurs, unsharp masks, Sobel, Prewitt and np.gradient,
    morphology, median filters, salt-and-pepper denoising and SVD compression."""
    check_like_numpy(*FILTERS[name])


GEOMETRY = {
    "bilinear_resize_rgb_uint8": (bilinear_resize_rgb_uint8, {}, lambda s, n: (_rgb(s, n),)),
    "crop_np_ix": (crop_ix, {}, lambda s, n: (
        _rgb(s, n), np.array([0, 2, 1]) + s % 2, np.arange(n) % 3)),
    "rotate_inverse_map_mask_assign": (rotate_inverse_map, {}, lambda s, n: (
        _gray(s, n), 30.0 * s)),
    "rotate_clip_where_meshgrid": (rotate_clip_where, {}, lambda s, n: (_rgb(s, n), 0.3 * s)),
    "swirl_polar_remap": (swirl, {}, lambda s, n: (_gray(s, n), 1.0 * s, 3.0)),
    "floyd_steinberg_loop": (floyd_steinberg, {}, lambda s, n: (_u8(s, n, n + 1),)),
    "floyd_steinberg_in_place_levels": (floyd_steinberg_levels, {}, lambda s, n: (
        _u(s, n, n + 1),)),
    "row_error_diffusion": (row_error_diffusion, {}, lambda s, n: (_gray(s, n),)),
    "bayer_dither_np_tile": (bayer_dither_tile, {}, lambda s, n: (_gray(s, n),)),
    "bayer_dither_recursive_block": (bayer_dither_recursive, {}, lambda s, n: (
        _fimg(s, n),)),
    "vignette_ogrid": (vignette_ogrid, {}, lambda s, n: (_rgb(s, n), 0.3 * s)),
    "alpha_over_rgba": (alpha_over, {}, lambda s, n: (
        _u8(s, n, n + 1, 4), _u8(s + 1, n, n + 1, 4))),
    "integral_image_uint8_cumsum": (integral_image, {}, lambda s, n: (_gray(s, n),)),
    "integral_box_sum_padded": (integral_box_sum, {}, lambda s, n: (_gray(s, n),)),
    "pixelate_reshape_repeat": (pixelate, {}, lambda s, n: (_rgb(s, n),)),
    "julia_set_complex_where": (julia_escape, {"iters": 8}, lambda s, n: (
        np.linspace(-1.5, 1.5, n + 1)[None, :] * np.ones((n, 1)),
        np.linspace(-1, 1, n)[:, None] * np.ones((1, n + 1)), -0.8 + 0.156j * s)),
    "value_noise_fbm_octaves": (value_noise_fbm, {}, lambda s, n: (_u(s, n, n),)),
    "game_of_life_roll_sum": (game_of_life, {}, lambda s, n: (_u(s, n + 2, n + 3) < 0.4,)),
    "gray_scott_in_place": (gray_scott, {"steps": 3}, lambda s, n: (
        1 - 0.5 * _u(s, n, n), 0.25 * _u(s + 1, n, n))),
}


@pytest.mark.parametrize("name", _names(GEOMETRY))
def test_geometry_dithering_and_generative_match_numpy(name):
    """Resizes, crops and rotations by index arithmetic, polar remaps, Floyd-Steinberg, row
    and Bayer dithering, vignettes, alpha compositing, integral images, pixelation, and
    generative images: Julia sets, value noise, Life and Gray-Scott."""
    check_like_numpy(*GEOMETRY[name])


# -------------------------------------------------------------- Python scalars that steer


def tone_positional(freq, sr, duration):
    return sine_tone(freq, 0.5, sr, duration)


def additive_positional(t, f0, n_harmonics):
    return additive_saw(t, f0, n_harmonics)


def echo_positional(x, delay, gain):
    return echo_slice(x, delay, gain)


def bitcrush_positional(x, bits, factor):
    return bitcrush(x, bits, factor)


def median_positional(img, k):
    return median_filter_windows(img, k)


def bayer_positional(img, n):
    return bayer_dither_recursive(img, n)


def adsr_positional(level, a, d, s, r):
    return adsr_concatenate(level, a, d, s, r)


def karplus_seeded(period, n, seed):
    return karplus_strong_ring(np.random.default_rng(seed), period, n)


def wavetable_loop_freq(table, freq):
    # `if pos >= N` on a position computed from the Python float frequency
    return wavetable_loop_int(table, freq, 24)


STEERED = {
    "sample_rate_duration": (tone_positional, lambda s: (440.0, 4000 * s, 0.004)),
    "harmonic_count": (additive_positional, lambda s: (_t(40), 300.0, 3 * s)),
    "delay_samples": (echo_positional, lambda s: (_sig(s, 40), 3 + s, 0.5)),
    "bit_depth_hold_factor": (bitcrush_positional, lambda s: (_sig(s, 40), 2 + s, 1 + s)),
    "median_kernel_size": (median_positional, lambda s: (_gray(s, 5), 2 * s + 1)),
    "bayer_order": (bayer_positional, lambda s: (_fimg(s, 6), 2 ** s)),
    "adsr_segment_lengths": (adsr_positional, lambda s: (0.5, 3 * s, 4, 5 + s, 6)),
    "karplus_period_length_seed": (karplus_seeded, lambda s: (8 + s, 30 * s, 7 + s)),
    "wavetable_loop_wrap_if_on_frequency": (wavetable_loop_freq, lambda s: (
        _TABLE(s, 4), 430.0 + 20 * s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Sample rates and durations, harmonic counts, delays, bit depths, kernel sizes, Bayer
    orders, envelope segment lengths, Karplus-Strong periods, lengths and
    seeds, and a wavetable's wrap `if` on a position from the Python float frequency: made
    static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def trim_silence(x, threshold=0.05):
    idx = np.where(np.abs(x) > threshold)[0]
    return x[idx[0]:idx[-1] + 1]


def onset_indices(x, frame=8, ratio=2.0):
    rms = frame_rms_reshape(x, frame)
    onsets = np.nonzero(rms[1:] > ratio * rms[:-1])[0] + 1
    return onsets * frame


def normalize_if_clipping(x):
    peak = np.max(np.abs(x))
    if peak > 1.0:
        x = x / peak
    return x


def crop_bounding_box(img):
    rows = np.any(img, axis=1)
    cols = np.any(img, axis=0)
    rmin, rmax = np.where(rows)[0][[0, -1]]
    cmin, cmax = np.where(cols)[0][[0, -1]]
    return img[rmin:rmax + 1, cmin:cmax + 1]


def count_colours(img):
    return len(np.unique(img.reshape(-1, img.shape[-1]), axis=0))


def flood_fill(mask, seed_y, seed_x):
    filled = np.zeros_like(mask, dtype=bool)
    stack = [(seed_y, seed_x)]
    while stack:
        y, x = stack.pop()
        if 0 <= y < mask.shape[0] and 0 <= x < mask.shape[1] and mask[y, x] and not filled[y, x]:
            filled[y, x] = True
            stack.extend([(y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)])
    return filled


def pack_rgba_view(rgba):
    # pygame-style packed pixels by reinterpreting the bytes
    return rgba.view(np.uint32)[..., 0]


def threshold_vectorize(img, t=128):
    return np.vectorize(lambda p: 255 if p > t else 0)(img)


def one_period(x):
    ac = np.correlate(x, x, mode="full")[len(x) - 1:]
    period = int(np.argmax(ac[4:])) + 4
    return x[:period]


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "trim_silence_where_bounds": (_DataDependent, trim_silence, lambda s: (
        np.r_[np.zeros(5 + s), _sig(s, 20), np.zeros(4)],)),
    "onset_indices_nonzero": (_DataDependent, onset_indices, lambda s: (
        _sig(s, 64) * np.repeat([0.1, 1.0, 0.2, 1.0], 16),)),
    "normalize_if_clipping": (_Concretization, normalize_if_clipping, lambda s: (
        _sig(s, 32) * s,)),
    "crop_bounding_box": (_DataDependent, crop_bounding_box, lambda s: (
        np.pad(_gray(s, 3), ((s, 2), (1, s))),)),
    "count_distinct_colours": (_DataDependent, count_colours, lambda s: (
        _rgb(s, 3) // 128,)),
    "flood_fill_stack": (_Concretization, flood_fill, lambda s: (
        _u(s, 5, 5) < 0.6, 2, 2)),
    "one_period_int_argmax": (_DataDependent, one_period, lambda s: (_sig(s, 40),)),
    "binary_dilate_array_structuring_element": (_Concretization, binary_dilate_shifts, lambda s: (
        _u(s, 5, 6) < 0.3, np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool))),
    "threshold_vectorize_python_if": (_Concretization, threshold_vectorize, lambda s: (
        _gray(s, 3),)),
    "pack_rgba_view_uint32": (tracenp.errors.UnsupportedFunctionError, pack_rgba_view,
                              lambda s: (_u8(s, 3, 4, 4),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Silence trimming and onsets by selections, a peak check by `if`, bounding-box crops,
    distinct colours, flood fills, a period cut at `int(argmax)`, a structuring element's
    `if` on an array argument, a vectorized `if` without `otypes` and a uint8-to-uint32 view:
    the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
