"""Corpus, hunt AI: NumPy internals of EEG/MEG processing, hidden Markov models, MCMC samplers
and Kalman filters, written the way MNE-Python, hmmlearn, emcee and pykalman/filterpy write them.

EEG/MEG (MNE-Python's average reference by `data.mean(axis=0, keepdims=True)` and
`_apply_reference`'s in-place subtraction of picked channels, epoching by index arrays
`data[:, onsets[:, None] + np.arange(n)]`, `rescale`'s baseline modes over an index slice and
over a window found by `np.where(times >= bmin)[0][0]`, evoked averages with `nave`, global
field power and its peak, peak-to-peak rejection masks, band power by `np.fft.rfft` with
frequency masks and Welch segments, overlap-add FIR filtering, the Hilbert envelope by an FFT
step filter, phase-locking values and inter-trial coherence of complex phases, Morlet wavelets
convolved by FFT, linear detrending by `np.linalg.lstsq`, CSP by `np.linalg.eigh` of the
whitened composite covariance and its log-variance features, sklearn's FastICA with its
`_logcosh` written into `np.tanh(x, x)`, `_sym_decorrelation` by `eigh` and PCA whitening with
`u *= np.sign(u[0])`, signal-space projectors by SVD, shrunk covariances through
`.flat[::n + 1]`, Ledoit-Wolf, whitening by eigendecomposition, minimum-norm inverse kernels by
SVD, `_reg_pinv` of a complex cross-spectral density, DICS and LCMV beamformers, and
mne-features' Higuchi dimension and Hjorth parameters over `sliding_window_view` windows);
hmmlearn's HMMs (forward and backward in log space with `logsumexp` written by hand, element
loops into `work_buffer` and vectorized steps, the scaled forward, Viterbi with argmax
back-pointers filled in integer arrays and traced-index backtracking, posteriors, xi sums by
einsum, sufficient statistics accumulated into a dict in place, the M-step, Gaussian emission
log-likelihoods for spherical, diag, tied and full covariances by `np.linalg.cholesky` and
`solve`, posterior decoding, sampling from CDFs with given uniforms, `normalize` setting
`a_sum.shape`, transition counts by `np.add.at`, and sklearn's full covariances through `.flat`
of a row and precision Cholesky factors); MCMC (emcee's stretch move with given `z` uniforms
and partner indices, masked state updates, its Gaussian move by fancy `+=` and walk move by
`np.cov(rowvar=0)`, random-walk Metropolis over chains with `np.where` accepts, HMC leapfrog,
Gibbs sweeps for conjugate normal models, mixtures and an Ising checkerboard, parallel
tempering swaps, emcee's `function_1d` autocorrelation by zero-padded FFT and its automatic
window, Gelman-Rubin and split R-hat, ESS by Geyer pairs with `np.minimum.accumulate`,
batch-means MCSE, importance weights, filterpy's systematic and stratified resampling by
`np.searchsorted` and a bootstrap particle filter); Kalman filters as functions (pykalman's
`_filter_predict`/`_filter_correct` with `np.ma.getmask` and `pinv`, `_filter` and `_smooth`
loops into preallocated `(T, n)` and `(T, n, n)` arrays with `_last_dims` for time-varying
matrices, `_smooth_pair` and its EM updates, filterpy's `predict`/`update` with the Joseph form
and `reshape_z`, `batch_filter`, `rts_smoother` writing `x[k] +=`, Merwe and Julier sigma
points by Cholesky, the unscented transform and UKF steps, pykalman's `_moments2points`, the
information filter, the square-root filter by `np.linalg.qr` and a rank-one `cholupdate`
writing both its arguments, EKF range-bearing updates, `Q_discrete_white_noise`, alpha-beta
filters, Riccati iterations, the discrete Bayes step, `runge_kutta4`, `mahalanobis` by
`float()`, the ensemble Kalman update and IMM mixing over lists of filters).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Random draws come in as arrays. Results that depend on
the sign of an eigenvector or of a QR factor are returned as sign-free products, as the
libraries use them. Python scalars that steer loops, slices or sample counts are made static,
and the forms whose Python depends on array values (FastICA's `if lim < tol: break`, emcee's
`auto_window`, filterpy's resampling `while`, MH with a Python `if`, selections by labels,
hmmlearn's Cholesky retry inside try/except) raise a named error and run eagerly under
`fallback=True`.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_ac import systematic_resample as systematic_resample_loop
from test_corpus_hunt_v import _names, _Xfail


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _spd(n, seed=0, jitter=1.0):
    """A well-conditioned symmetric positive definite matrix."""
    a = _f(n, n, seed=seed)
    return a @ a.T / n + jitter * np.eye(n)


def _stochastic(k, seed=0, axis=-1):
    """Rows (or a vector) of positive probabilities summing to one."""
    p = _f(*k, seed=seed, positive=True) if isinstance(k, tuple) else _f(k, seed=seed,
                                                                        positive=True)
    return p / p.sum(axis=axis, keepdims=True)


# ================================================================== EEG / MEG (MNE-Python)


def set_average_reference(data):
    # mne: the average reference, channels on axis 0
    return data - data.mean(axis=0, keepdims=True)


def apply_reference(data, ref_from):
    # mne/_fiff/reference.py _apply_reference: subtract the mean of the picked channels in place
    ref_data = data[ref_from].mean(axis=0)
    data -= ref_data[np.newaxis, :]
    return ref_data


def rereference_bipolar(data, anode, cathode):
    # mne.set_bipolar_reference: one row per anode/cathode pair
    bipolar = np.empty((len(anode), data.shape[1]))
    for k, (a, c) in enumerate(zip(anode, cathode)):
        bipolar[k] = data[a] - data[c]
    return bipolar


def epochs_from_onsets(data, onsets, n_times):
    # events to epochs by one fancy index: (n_channels, n_epochs, n_times) -> epochs first
    idx = onsets[:, None] + np.arange(n_times)
    return data[:, idx].transpose(1, 0, 2)


def epochs_from_onsets_loop(data, onsets, n_times):
    # the loop MNE's _get_epoch_from_raw amounts to
    n_epochs = len(onsets)
    epochs = np.zeros((n_epochs, data.shape[0], n_times))
    for ii in range(n_epochs):
        start = onsets[ii]
        epochs[ii] = data[:, start:start + n_times]
    return epochs


def rescale(data, imin, imax, mode="mean", copy=True):
    # mne/baseline.py rescale: the baseline as sample indices, in-place modes on a copy
    if copy:
        data = data.copy()
    if mode == "mean":
        def fun(d, m, s):
            d -= m
    elif mode == "ratio":
        def fun(d, m, s):
            d /= m
    elif mode == "logratio":
        def fun(d, m, s):
            d /= m
            np.log10(d, out=d)
    elif mode == "percent":
        def fun(d, m, s):
            d -= m
            d /= m
    elif mode == "zscore":
        def fun(d, m, s):
            d -= m
            d /= s
    elif mode == "zlogratio":
        def fun(d, m, s):
            d /= m
            np.log10(d, out=d)
            d /= s
    mean = np.mean(data[..., imin:imax], axis=-1, keepdims=True)
    std = np.std(data[..., imin:imax], axis=-1, keepdims=True)
    fun(data, mean, std)
    return data


def rescale_times(data, times, baseline):
    # mne rescale: the baseline from times by `np.where(times >= bmin)[0]`, a window of
    # traced bounds
    bmin, bmax = baseline
    imin = int(np.where(times >= bmin)[0][0])
    imax = int(np.where(times <= bmax)[0][-1]) + 1
    return data - np.mean(data[..., imin:imax], axis=-1, keepdims=True)


def rescale_inplace(data, imin, imax):
    # mne rescale(copy=False): `data -= mean` into the caller's array
    mean = np.mean(data[..., imin:imax], axis=-1)
    data -= mean[..., None]
    return data


def evoked_from_epochs(epochs, picks):
    # Epochs.average: mean over epochs of picked channels, nave alongside
    data = epochs[:, picks]
    nave = data.shape[0]
    evoked = np.sum(data, axis=0) / nave
    stderr = np.std(data, axis=0, ddof=1) / np.sqrt(nave)
    return evoked, stderr, nave


def global_field_power(evoked):
    # GFP of average-referenced data and the latency of its peak
    gfp = np.sqrt(np.sum(evoked ** 2, axis=0) / len(evoked))
    peak = np.argmax(gfp)
    return gfp, peak, evoked[:, peak]


def gfp_std(evoked):
    # GFP as the spatial standard deviation, mne's plot_evoked_topo gfp
    return evoked.std(axis=0), np.sqrt((evoked ** 2).mean(axis=0))


def reject_ptp(epochs, thresh):
    # drop_bad: peak-to-peak per channel against per-type thresholds, a good-epoch mask
    ptp = np.ptp(epochs, axis=-1)
    bad = np.any(ptp > thresh[np.newaxis, :], axis=1)
    return ~bad, ptp.max(axis=1)


def band_power_fft(data, sfreq, bands):
    # band power from a Hann-windowed periodogram, one frequency mask per band
    n_times = data.shape[-1]
    freqs = np.fft.rfftfreq(n_times, 1.0 / sfreq)
    win = np.hanning(n_times)
    psd = np.abs(np.fft.rfft(data * win, axis=-1)) ** 2 / (sfreq * (win ** 2).sum())
    psd[..., 1:] *= 2
    out = np.empty(data.shape[:-1] + (len(bands),))
    for ii, (fmin, fmax) in enumerate(bands):
        mask = (freqs >= fmin) & (freqs < fmax)
        out[..., ii] = psd[..., mask].mean(axis=-1)
    return out, out / out.sum(axis=-1, keepdims=True)


def band_power_masked_sum(data, sfreq, fmin, fmax):
    # the same by a multiplied mask, as in the relative power helpers of mne-features
    freqs = np.fft.rfftfreq(data.shape[-1], d=1.0 / sfreq)
    psd = np.abs(np.fft.rfft(data, axis=-1)) ** 2
    mask = np.logical_and(freqs >= fmin, freqs <= fmax)
    return np.sum(psd * mask, axis=-1) / np.sum(psd, axis=-1)


def psd_welch(data, sfreq, n_per_seg, n_overlap):
    # Welch's average of Hann-windowed segments picked by an index array
    step = n_per_seg - n_overlap
    n_segs = (data.shape[-1] - n_overlap) // step
    starts = np.arange(n_segs) * step
    segs = data[:, starts[:, None] + np.arange(n_per_seg)]
    segs = segs - segs.mean(axis=-1, keepdims=True)
    win = np.hanning(n_per_seg)
    spec = np.fft.rfft(segs * win, axis=-1)
    psd = (spec.real ** 2 + spec.imag ** 2) / (sfreq * (win * win).sum())
    psd[..., 1:-1] *= 2
    return np.fft.rfftfreq(n_per_seg, 1.0 / sfreq), psd.mean(axis=1)


def hilbert_envelope(x):
    # scipy.signal.hilbert by hand: zero negative frequencies, double positive ones
    n = x.shape[-1]
    xf = np.fft.fft(x, n, axis=-1)
    h = np.zeros(n)
    if n % 2 == 0:
        h[0] = h[n // 2] = 1
        h[1:n // 2] = 2
    else:
        h[0] = 1
        h[1:(n + 1) // 2] = 2
    analytic = np.fft.ifft(xf * h, axis=-1)
    return np.abs(analytic), np.unwrap(np.angle(analytic), axis=-1)


def phase_locking_value(x, y):
    # PLV between two channel sets, phases of the analytic signals
    n = x.shape[-1]
    h = np.zeros(n)
    h[0] = 1
    h[1:(n + 1) // 2] = 2
    if n % 2 == 0:
        h[n // 2] = 1
    phase_x = np.angle(np.fft.ifft(np.fft.fft(x, axis=-1) * h, axis=-1))
    phase_y = np.angle(np.fft.ifft(np.fft.fft(y, axis=-1) * h, axis=-1))
    return np.abs(np.mean(np.exp(1j * (phase_x - phase_y)), axis=-1))


def inter_trial_coherence(tfr):
    # mne tfr: itc = |mean(tfr / |tfr|)| over epochs, power as the mean squared modulus
    power = (tfr * tfr.conj()).real.mean(axis=0)
    itc = np.abs(np.mean(tfr / np.abs(tfr), axis=0))
    return power, itc


def morlet(sfreq, freqs, n_cycles=7.0, sigma=None):
    # mne.time_frequency.morlet, normalized by the wavelet's norm
    Ws = list()
    n_cycles = np.array(n_cycles, float).ravel()
    for k, f in enumerate(freqs):
        this_n_cycles = n_cycles[0] if len(n_cycles) == 1 else n_cycles[k]
        sigma_t = this_n_cycles / (2.0 * np.pi * f) if sigma is None else this_n_cycles / (
            2.0 * np.pi * sigma)
        t = np.arange(0.0, 5.0 * sigma_t, 1.0 / sfreq)
        t = np.r_[-t[::-1], t[1:]]
        oscillation = np.exp(2.0 * 1j * np.pi * f * t)
        gaussian_envelope = np.exp(-t ** 2 / (2.0 * sigma_t ** 2))
        W = oscillation * gaussian_envelope
        W /= np.sqrt(0.5) * np.linalg.norm(W.ravel())
        Ws.append(W)
    return Ws


def cwt_fft(x, sfreq, freqs, n_cycles=3.0):
    # mne _cwt_gen by FFT: zero-pad to the next fast length, multiply, crop the middle
    Ws = morlet(sfreq, freqs, n_cycles)
    n_times = x.shape[-1]
    max_size = max(W.size for W in Ws)
    nfft = n_times + max_size - 1
    nfft = 2 ** int(np.ceil(np.log2(nfft)))
    fft_Ws = np.empty((len(Ws), nfft), dtype=np.complex128)
    for i, W in enumerate(Ws):
        fft_Ws[i] = np.fft.fft(W, nfft)
    fft_x = np.fft.fft(x, nfft, axis=-1)
    tfr = np.zeros((x.shape[0], len(Ws), n_times), dtype=np.complex128)
    for ii, W in enumerate(Ws):
        ret = np.fft.ifft(fft_x * fft_Ws[ii], axis=-1)[:, :n_times + W.size - 1]
        start = (W.size - 1) // 2
        tfr[:, ii] = ret[:, start:start + n_times]
    return np.abs(tfr) ** 2


def detrend_linear(data):
    # linear detrend by least squares on a two-column Vandermonde
    n_times = data.shape[-1]
    A = np.vander(np.linspace(0.0, 1.0, n_times), 2)
    coef, _, _, _ = np.linalg.lstsq(A, data.T, rcond=None)
    return data - (A @ coef).T


def csp_log_variance(X1, X2, n_components):
    # mne.decoding.CSP: eigh of the whitened class covariance, components sorted by
    # distance from 0.5, features the log of the normalized variance of the filtered epochs
    def _cov(X):
        x = np.transpose(X, [1, 0, 2]).reshape(X.shape[1], -1)
        x = x - x.mean(axis=1, keepdims=True)
        return x @ x.T / x.shape[1]

    cov_a, cov_b = _cov(X1), _cov(X2)
    evals, evecs = np.linalg.eigh(cov_a + cov_b)
    P = (evecs / np.sqrt(evals)).T
    ev, U = np.linalg.eigh(P @ cov_a @ P.T)
    ix = np.argsort(np.abs(ev - 0.5))[::-1]
    filters = U[:, ix].T @ P
    pick = filters[:n_components]
    X = np.concatenate([X1, X2])
    Z = np.asarray([pick @ epoch for epoch in X])
    var = (Z ** 2).mean(axis=2)
    return ev[ix], np.log(var / var.sum(axis=1, keepdims=True))


def csp_projection(cov_a, cov_b):
    # the generalized problem through the inverse square root of the composite
    evals, evecs = np.linalg.eigh(cov_a + cov_b)
    isqrt = evecs @ np.diag(1.0 / np.sqrt(evals)) @ evecs.T
    ev, U = np.linalg.eigh(isqrt @ cov_a @ isqrt)
    W = isqrt @ U
    return ev, W @ np.diag(ev) @ W.T


def _logcosh(x, fun_args=None):
    # sklearn _fastica._logcosh: tanh written into x, derivative means row by row
    alpha = 1.0
    x *= alpha
    gx = np.tanh(x, x)
    g_x = np.empty(x.shape[0], dtype=x.dtype)
    for i, gx_i in enumerate(gx):
        g_x[i] = (alpha * (1 - gx_i ** 2)).mean()
    return gx, g_x


def _sym_decorrelation(W):
    # sklearn _fastica._sym_decorrelation: (W W^T)^{-1/2} W
    s, u = np.linalg.eigh(np.dot(W, W.T))
    s = np.clip(s, a_min=np.finfo(W.dtype).tiny, a_max=None)
    return np.linalg.multi_dot([u * (1.0 / np.sqrt(s)), u.T, W])


def ica_par_fixed(X, w_init, max_iter):
    # sklearn _ica_par for a fixed number of steps, the limit tracked but not tested
    W = _sym_decorrelation(w_init)
    p_ = float(X.shape[1])
    lims = np.zeros(max_iter)
    for ii in range(max_iter):
        gwtx, g_wtx = _logcosh(np.dot(W, X))
        W1 = _sym_decorrelation(np.dot(gwtx, X.T) / p_ - g_wtx[:, np.newaxis] * W)
        lims[ii] = max(abs(abs(np.diag(np.dot(W1, W.T))) - 1))
        W = W1
    return W, lims


def ica_cube_deflation(X, w_init, n_steps):
    # sklearn _ica_def with the cube contrast: one unit at a time, Gram-Schmidt against the rest
    n_components = w_init.shape[0]
    W = np.zeros((n_components, n_components), dtype=X.dtype)
    for j in range(n_components):
        w = w_init[j, :].copy()
        w /= np.sqrt((w ** 2).sum())
        for i in range(n_steps):
            wtx = np.dot(w.T, X)
            gwtx, g_wtx = wtx ** 3, (3 * wtx ** 2).mean()
            w1 = (X * gwtx).mean(axis=1) - g_wtx * w
            w1 -= np.linalg.multi_dot([w1, W[:j].T, W[:j]])
            w1 /= np.sqrt((w1 ** 2).sum())
            w = w1
        W[j, :] = w
    return np.abs(W @ W.T)


def ica_whiten(X, n_components):
    # sklearn FastICA whitening by eigh of X X^T, signs fixed by the first row
    X_mean = X.mean(axis=-1)
    X = X - X_mean[:, np.newaxis]
    d, u = np.linalg.eigh(X.dot(X.T))
    sort_indices = np.argsort(d)[::-1]
    eps = np.finfo(d.dtype).eps
    d[d < eps] = eps
    d, u = d[sort_indices], u[:, sort_indices]
    u *= np.sign(u[0])
    K = (u / np.sqrt(d)).T[:n_components]
    X1 = np.dot(K, X)
    X1 *= np.sqrt(X.shape[1])
    return K, X1


def ssp_projector(data, n_vectors):
    # mne _make_projector / compute_proj_raw: I - U U^T of the leading left singular vectors
    U, s, Vh = np.linalg.svd(data, full_matrices=False)
    u = U[:, :n_vectors]
    proj = np.eye(data.shape[0]) - np.dot(u, u.T)
    return proj, np.dot(proj, data), s[:n_vectors] / s.sum()


def shrunk_covariance(emp_cov, shrinkage=0.1):
    # sklearn.covariance.shrunk_covariance: mu added to the diagonal through .flat
    n_features = emp_cov.shape[0]
    mu = np.trace(emp_cov) / n_features
    shrunk_cov = (1.0 - shrinkage) * emp_cov
    shrunk_cov.flat[:: n_features + 1] += shrinkage * mu
    return shrunk_cov


def ledoit_wolf(X):
    # sklearn ledoit_wolf_shrinkage, `min(beta, delta)` written with np.minimum
    n_samples, n_features = X.shape
    X = X - X.mean(0)
    X2 = X ** 2
    emp_cov_trace = np.sum(X2, axis=0) / n_samples
    mu = np.sum(emp_cov_trace) / n_features
    beta_ = np.sum(np.dot(X2.T, X2))
    delta_ = np.sum(np.dot(X.T, X) ** 2) / n_samples ** 2
    beta = 1.0 / (n_features * n_samples) * (beta_ / n_samples - delta_)
    delta = delta_ - 2.0 * mu * emp_cov_trace.sum() + n_features * mu ** 2
    delta /= n_features
    beta = np.minimum(beta, delta)
    shrinkage = beta / delta
    emp_cov = np.dot(X.T, X) / n_samples
    return shrunk_covariance(emp_cov, shrinkage), shrinkage


def oas(X):
    # sklearn.covariance.oas
    n_samples, n_features = X.shape
    emp_cov = np.cov(X.T, bias=True)
    alpha = np.mean(emp_cov ** 2)
    mu = np.trace(emp_cov) / n_features
    mu_squared = mu ** 2
    num = alpha + mu_squared
    den = (n_samples + 1) * (alpha - mu_squared / n_features)
    shrinkage = 1.0 if den == 0 else min(num / den, 1.0)
    shrunk_cov = (1.0 - shrinkage) * emp_cov
    shrunk_cov.flat[:: n_features + 1] += shrinkage * mu
    return shrunk_cov, shrinkage


def regularize_cov(cov, reg=0.1):
    # mne _regularized_covariance 'diagonal_fixed': reg times the mean variance
    cov = cov.copy()
    cov.flat[:: cov.shape[0] + 1] += reg * np.mean(np.diag(cov))
    return cov


def compute_whitener(cov, rank):
    # mne compute_whitener: eigh, the top `rank` eigenvalues inverted, symmetric form
    eig, eigvec = np.linalg.eigh(cov)
    eig = eig[::-1]
    eigvec = eigvec[:, ::-1]
    nzero = np.ones(len(eig), bool)
    nzero[rank:] = False
    inv_eig = np.zeros_like(eig)
    inv_eig[nzero] = 1.0 / np.sqrt(eig[nzero])
    W = (eigvec * inv_eig) @ eigvec.T
    return W, np.dot(W, np.dot(cov, W.T))


def minimum_norm_kernel(gain, noise_cov, lambda2):
    # mne inverse: whitened gain, SVD, regularized singular values, kernel V diag(r) U^T W
    s, u = np.linalg.eigh(noise_cov)
    whitener = (u / np.sqrt(s)) @ u.T
    G = whitener @ gain
    eigen_fields, sing, eigen_leads = np.linalg.svd(G, full_matrices=False)
    reginv = sing / (sing ** 2 + lambda2)
    trans = eigen_fields.T * reginv[:, None]
    K = eigen_leads.T @ trans @ whitener
    return K, np.sum(K ** 2, axis=1)


def mne_inverse_solve(gain, noise_cov, data, lambda2):
    # the kernel form R G^T (G R G^T + lambda2 C)^-1 by solve
    R = np.eye(gain.shape[1])
    GRGt = gain @ R @ gain.T
    kernel = R @ gain.T @ np.linalg.solve(GRGt + lambda2 * noise_cov, np.eye(len(noise_cov)))
    stc = kernel @ data
    return stc, np.linalg.norm(stc, axis=0)


def reg_pinv(x, reg=0.05):
    # mne.utils._reg_pinv: eigh of a Hermitian (complex CSD) matrix, loaded eigenvalues
    s, u = np.linalg.eigh(x)
    s = s[::-1]
    u = u[:, ::-1]
    loading = reg * s.mean()
    s_inv = 1.0 / (s + loading)
    return (u * s_inv) @ u.conj().T, loading


def dics_source_power(csd, leadfield):
    # a DICS beamformer on a complex cross-spectral density: pinv, solve, a Hermitian einsum
    Cinv = np.linalg.pinv(csd)
    denom = leadfield.conj().T @ Cinv @ leadfield
    W = np.linalg.solve(denom, (Cinv @ leadfield).conj().T)
    return np.einsum("ij,jk,ik->i", W, csd, W.conj()).real


def lcmv_filters(Cm, G, reg=0.05):
    # mne _compute_beamformer, unit-gain LCMV: regularized pinv, numerator and denominator
    Cm_inv = np.linalg.pinv(Cm + reg * np.trace(Cm) / len(Cm) * np.eye(len(Cm)))
    bf_numer = np.dot(G.T, Cm_inv)
    bf_denom = np.dot(bf_numer, G)
    W = np.dot(np.linalg.pinv(bf_denom), bf_numer)
    return W, np.sum(W ** 2, axis=1)


def higuchi_fd(x, kmax):
    # mne-features compute_higuchi_fd: curve lengths by strided differences, a slope by polyfit
    N = x.size
    lk = np.empty(kmax)
    x_reg = np.empty(kmax)
    y_reg = np.empty(kmax)
    for k in range(1, kmax + 1):
        lm = np.empty((k,))
        for m in range(k):
            ll = 0
            n_max = int(np.floor((N - m - 1) / k))
            for j in range(1, n_max):
                ll += abs(x[m + j * k] - x[m + (j - 1) * k])
            ll /= k
            ll *= (N - 1) / (k * n_max)
            lm[m] = ll
        lk[k - 1] = np.mean(lm)
        x_reg[k - 1] = np.log(1.0 / k)
        y_reg[k - 1] = np.log(lk[k - 1])
    slope, _ = np.polyfit(x_reg, y_reg, 1)
    return slope


def hjorth_windows(x, win):
    # Hjorth mobility and complexity over sliding windows (sliding_window_view, stride 2)
    w = np.lib.stride_tricks.sliding_window_view(x, win, axis=-1)[..., ::2, :]
    dx = np.diff(w, axis=-1)
    ddx = np.diff(dx, axis=-1)
    mobility = np.sqrt(dx.var(-1) / w.var(-1))
    return mobility, np.sqrt(ddx.var(-1) / dx.var(-1)) / mobility


def overlap_add_filter(x, h, n_fft):
    # mne.filter._overlap_add_filter for one channel: segments by FFT, added into the output
    n_h = len(h)
    n_seg = n_fft - n_h + 1
    h_fft = np.fft.rfft(np.concatenate([h, np.zeros(n_fft - n_h)]))
    n_x = len(x)
    n_segments = int(np.ceil(n_x / float(n_seg)))
    x_ext = np.concatenate([x, np.zeros(n_segments * n_seg - n_x)])
    out = np.zeros(n_segments * n_seg + n_h - 1)
    for seg_idx in range(n_segments):
        start = seg_idx * n_seg
        prod = np.fft.irfft(np.fft.rfft(x_ext[start:start + n_seg], n_fft) * h_fft, n_fft)
        stop = min(start + n_fft, len(out))
        out[start:stop] += prod[: stop - start]
    return out[(n_h - 1) // 2: (n_h - 1) // 2 + n_x]


def _csd(s, n):
    a = _f(n, 2 * n, seed=s) + 1j * _f(n, 2 * n, seed=s + 1)
    return a @ a.conj().T / (2 * n) + np.eye(n)


def _epochs(s, n, n_ch=4):
    return _f(2 + n // 2, n_ch, 3 * n, seed=s)


EEG = {
    "mne_average_reference": (set_average_reference, {}, lambda s, n: (_f(5, 3 * n, seed=s),)),
    "mne_apply_reference_inplace": (apply_reference, {}, lambda s, n: (
        _f(5, 2 * n, seed=s), np.array([0, 3]))),
    "mne_apply_reference_list": (apply_reference, {}, lambda s, n: (_f(n, 7, seed=s), [1, 2])),
    "mne_bipolar_reference": (rereference_bipolar, {}, lambda s, n: (
        _f(n, 6, seed=s), [0, 1, 2], [1, 2, 3])),
    "mne_epochs_fancy_index": (epochs_from_onsets, {"n_times": 5}, lambda s, n: (
        _f(3, 10 * n, seed=s), np.sort(_i(9 * n, n, seed=s)))),
    "mne_epochs_loop": (epochs_from_onsets_loop, {"n_times": 5}, lambda s, n: (
        _f(3, 10 * n, seed=s), np.sort(_i(9 * n, n, seed=s)))),
    "mne_rescale_mean": (rescale, {"imin": 0, "imax": 3}, lambda s, n: (_epochs(s, n),)),
    "mne_rescale_ratio": (rescale, {"imin": 1, "imax": 4, "mode": "ratio"}, lambda s, n: (
        _f(n, 3, 12, seed=s, positive=True),)),
    "mne_rescale_logratio": (rescale, {"imin": 0, "imax": 4, "mode": "logratio"}, lambda s, n: (
        _f(n, 3, 12, seed=s, positive=True),)),
    "mne_rescale_percent": (rescale, {"imin": 2, "imax": 5, "mode": "percent"}, lambda s, n: (
        _f(3, n, 9, seed=s, positive=True),)),
    "mne_rescale_zscore": (rescale, {"imin": 0, "imax": 5, "mode": "zscore"}, lambda s, n: (
        _epochs(s, n),)),
    "mne_rescale_zlogratio": (rescale, {"imin": 0, "imax": 5, "mode": "zlogratio"},
                              lambda s, n: (_f(n, 2, 10, seed=s, positive=True),)),
    "mne_rescale_no_copy": (rescale, {"imin": 1, "imax": 6, "copy": False}, lambda s, n: (
        _epochs(s, n),)),
    "mne_rescale_times_where": (rescale_times, {}, lambda s, n: (
        _f(2, 3 * n, seed=s), np.linspace(-0.2, 0.7, 3 * n), (-0.2 + 0.01 * s, 0.1 * s))),
    "mne_rescale_inplace": (rescale_inplace, {"imin": 0, "imax": 3}, lambda s, n: (
        _epochs(s, n),)),
    "mne_evoked_average": (evoked_from_epochs, {}, lambda s, n: (
        _epochs(s, n), np.array([0, 2, 3]))),
    "mne_gfp_and_peak": (global_field_power, {}, lambda s, n: (
        set_average_reference(_f(6, 3 * n, seed=s)),)),
    "mne_gfp_std": (gfp_std, {}, lambda s, n: (_f(6, 3 * n, seed=s),)),
    "mne_reject_ptp": (reject_ptp, {}, lambda s, n: (
        _epochs(s, n), np.array([4.0, 4.5, 5.0, 5.5]))),
    "band_power_fft_masks": (band_power_fft, {"sfreq": 64.0, "bands": (
        (1, 4), (4, 8), (8, 13), (13, 30))}, lambda s, n: (_f(3, 16 * n, seed=s),)),
    "band_power_fft_3d": (band_power_fft, {"sfreq": 100.0, "bands": ((0.5, 10), (10, 40))},
                          lambda s, n: (_f(2, 3, 10 * n, seed=s),)),
    "band_power_mask_product": (band_power_masked_sum, {"sfreq": 50.0, "fmin": 4.0,
                                                        "fmax": 12.0},
                                lambda s, n: (_f(4, 8 * n, seed=s),)),
    "psd_welch_index_segments": (psd_welch, {"sfreq": 32.0, "n_per_seg": 8, "n_overlap": 4},
                                 lambda s, n: (_f(3, 6 * n, seed=s),)),
    "hilbert_envelope_even": (hilbert_envelope, {}, lambda s, n: (_f(3, 4 * n, seed=s),)),
    "hilbert_envelope_odd": (hilbert_envelope, {}, lambda s, n: (_f(2, 4 * n + 1, seed=s),)),
    "phase_locking_value": (phase_locking_value, {}, lambda s, n: (
        _f(3, 4 * n, seed=s), _f(3, 4 * n, seed=s + 7))),
    "inter_trial_coherence": (inter_trial_coherence, {}, lambda s, n: (
        _f(n, 2, 3, 5, seed=s) + 1j * _f(n, 2, 3, 5, seed=s + 1),)),
    "mne_cwt_morlet_fft": (cwt_fft, {"sfreq": 100.0, "freqs": (10.0, 20.0)}, lambda s, n: (
        _f(2, 8 * n, seed=s),)),
    "detrend_lstsq": (detrend_linear, {}, lambda s, n: (
        _f(3, 5 * n, seed=s) + np.arange(5 * n) * 0.3,)),
    "csp_log_variance": (csp_log_variance, {"n_components": 2}, lambda s, n: (
        _f(n, 4, 20, seed=s) * np.array([[1.0], [2.0], [0.5], [1.0]]),
        _f(n + 1, 4, 20, seed=s + 9) * np.array([[1.5], [0.5], [1.0], [2.0]]))),
    "csp_inverse_sqrt_projection": (csp_projection, {}, lambda s, n: (
        _spd(n, s), _spd(n, s + 5))),
    "fastica_logcosh_par": (ica_par_fixed, {"max_iter": 4}, lambda s, n: (
        ica_whiten(_f(3, 10 * n, seed=s) ** 3, 3)[1], _f(3, 3, seed=s + 1))),
    "fastica_cube_deflation": (ica_cube_deflation, {"n_steps": 3}, lambda s, n: (
        ica_whiten(_u(s, 3, 10 * n) - 0.5, 3)[1], _f(3, 3, seed=s + 2))),
    "fastica_whiten_sign_flip": (ica_whiten, {"n_components": 2}, lambda s, n: (
        _f(3, 6 * n, seed=s) * np.array([[3.0], [1.0], [0.3]]),)),
    "fastica_sym_decorrelation": (_sym_decorrelation, {}, lambda s, n: (_f(n, n, seed=s),)),
    "mne_ssp_projector": (ssp_projector, {"n_vectors": 2}, lambda s, n: (
        _f(n, 5 * n, seed=s) * np.arange(1, n + 1)[:, None],)),
    "shrunk_covariance_flat": (shrunk_covariance, {}, lambda s, n: (_spd(n, s),)),
    "ledoit_wolf_minimum": (ledoit_wolf, {}, lambda s, n: (_f(3 * n, n, seed=s),)),
    "mne_regularize_cov": (regularize_cov, {}, lambda s, n: (_spd(n, s),)),
    "mne_compute_whitener_rank": (compute_whitener, {"rank": 3}, lambda s, n: (
        _spd(n, s, jitter=0.3),)),
    "mne_minimum_norm_kernel": (minimum_norm_kernel, {}, lambda s, n: (
        _f(4, 2 * n, seed=s), _spd(4, s), 1.0 / 9.0)),
    "mne_reg_pinv_complex_csd": (reg_pinv, {}, lambda s, n: (_csd(s, n),)),
    "dics_source_power_complex": (dics_source_power, {}, lambda s, n: (
        _csd(s, n), _f(n, 2, seed=s + 2))),
    "mne_lcmv_unit_gain": (lcmv_filters, {}, lambda s, n: (
        _spd(n, s), _f(n, 3, seed=s + 1))),
    "mne_features_higuchi_fd": (higuchi_fd, {"kmax": 4}, lambda s, n: (
        np.cumsum(_f(8 * n, seed=s)),)),
    "hjorth_sliding_window_view": (hjorth_windows, {"win": 6}, lambda s, n: (
        _f(3, 5 * n, seed=s),)),
    "mne_overlap_add_filter": (overlap_add_filter, {"n_fft": 16}, lambda s, n: (
        _f(7 * n, seed=s), np.hanning(5) / 2)),
    "mne_inverse_by_solve": (mne_inverse_solve, {}, lambda s, n: (
        _f(4, 3 * n, seed=s), _spd(4, s + 1), _f(4, n, seed=s + 2), 0.1)),
}


@pytest.mark.parametrize("name", _names(EEG))
def test_eeg_meg_processing_matches_numpy(name):
    """MNE-Python's references, epochs, baselines, evoked averages, spectra, time-frequency
    transforms, CSP, FastICA, projectors, shrunk covariances, whiteners and inverse kernels."""
    check_like_numpy(*EEG[name])


# ======================================================================== HMMs (hmmlearn)


def logsumexp(a, axis=None):
    # the hand-written logsumexp of HMM code: max, then log(sum(exp(a - max)))
    a_max = np.max(a, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(a - a_max), axis=axis, keepdims=True)) + a_max
    if axis is None:
        return out.reshape(())[()]
    return np.squeeze(out, axis=axis)


def _logsumexp_1d(X):
    # hmmlearn's old _hmmc.pyx _logsumexp over a work buffer, with its -inf guard
    X_max = np.max(X)
    acc = 0.0
    for i in range(X.shape[0]):
        acc += np.exp(X[i] - X_max)
    return np.log(acc) + X_max


def forward_log_loops(log_startprob, log_transmat, framelogprob):
    # hmmlearn _hmmc _forward: element loops filling a work buffer
    n_samples, n_components = framelogprob.shape
    fwdlattice = np.zeros((n_samples, n_components))
    work_buffer = np.zeros(n_components)
    for i in range(n_components):
        fwdlattice[0, i] = log_startprob[i] + framelogprob[0, i]
    for t in range(1, n_samples):
        for j in range(n_components):
            for i in range(n_components):
                work_buffer[i] = fwdlattice[t - 1, i] + log_transmat[i, j]
            fwdlattice[t, j] = _logsumexp_1d(work_buffer) + framelogprob[t, j]
    return _logsumexp_1d(fwdlattice[-1]), fwdlattice


def backward_log_loops(log_startprob, log_transmat, framelogprob):
    # hmmlearn _hmmc _backward
    n_samples, n_components = framelogprob.shape
    bwdlattice = np.zeros((n_samples, n_components))
    work_buffer = np.zeros(n_components)
    for t in range(n_samples - 2, -1, -1):
        for i in range(n_components):
            for j in range(n_components):
                work_buffer[j] = (log_transmat[i, j] + framelogprob[t + 1, j]
                                  + bwdlattice[t + 1, j])
            bwdlattice[t, i] = _logsumexp_1d(work_buffer)
    return bwdlattice


def forward_log(log_startprob, log_transmat, framelogprob):
    # a vectorized step per frame
    T, K = framelogprob.shape
    alpha = np.empty((T, K))
    alpha[0] = log_startprob + framelogprob[0]
    for t in range(1, T):
        alpha[t] = logsumexp(alpha[t - 1][:, np.newaxis] + log_transmat, axis=0) \
            + framelogprob[t]
    return logsumexp(alpha[-1]), alpha


def backward_log(log_transmat, framelogprob):
    T, K = framelogprob.shape
    beta = np.zeros((T, K))
    for t in range(T - 2, -1, -1):
        beta[t] = logsumexp(log_transmat + (framelogprob[t + 1] + beta[t + 1])[np.newaxis, :],
                            axis=1)
    return beta


def log_posteriors(log_startprob, log_transmat, framelogprob):
    # hmmlearn _compute_posteriors_log: gamma normalized in log space, xi summed over time
    logprob, fwd = forward_log(log_startprob, log_transmat, framelogprob)
    bwd = backward_log(log_transmat, framelogprob)
    log_gamma = fwd + bwd
    log_gamma -= logsumexp(log_gamma, axis=1)[:, np.newaxis]
    log_xi = (fwd[:-1, :, None] + log_transmat[None, :, :]
              + (framelogprob[1:] + bwd[1:])[:, None, :]) - logprob
    xi_sum = np.exp(logsumexp(log_xi, axis=0))
    return logprob, np.exp(log_gamma), xi_sum


def forward_scaling(startprob, transmat, frameprob):
    # hmmlearn _forward_scaling: normalize each row, log probability from the scalings
    ns, nc = frameprob.shape
    fwdlattice = np.zeros((ns, nc))
    scaling = np.zeros(ns)
    fwdlattice[0] = startprob * frameprob[0]
    scaling[0] = 1 / fwdlattice[0].sum()
    fwdlattice[0] *= scaling[0]
    for t in range(1, ns):
        fwdlattice[t] = np.dot(fwdlattice[t - 1], transmat) * frameprob[t]
        scaling[t] = 1 / fwdlattice[t].sum()
        fwdlattice[t] *= scaling[t]
    log_prob = -np.log(scaling).sum()
    return log_prob, fwdlattice, scaling


def backward_scaling(transmat, frameprob, scaling):
    # hmmlearn _backward_scaling
    ns, nc = frameprob.shape
    bwdlattice = np.zeros((ns, nc))
    bwdlattice[-1] = scaling[-1]
    for t in range(ns - 2, -1, -1):
        bwdlattice[t] = np.dot(transmat, frameprob[t + 1] * bwdlattice[t + 1]) * scaling[t]
    return bwdlattice


def xi_sum_scaling(transmat, frameprob, fwd, bwd):
    # hmmlearn _compute_scaling_xi_sum by einsum over frames
    xi = np.einsum("ti,ij,tj->tij", fwd[:-1], transmat, frameprob[1:] * bwd[1:])
    return xi.sum(axis=0)


def posteriors_scaling(startprob, transmat, frameprob):
    log_prob, fwd, scaling = forward_scaling(startprob, transmat, frameprob)
    bwd = backward_scaling(transmat, frameprob, scaling)
    posteriors = fwd * bwd
    posteriors /= posteriors.sum(axis=1, keepdims=True)
    return log_prob, posteriors, xi_sum_scaling(transmat, frameprob, fwd, bwd)


def viterbi_loops(log_startprob, log_transmat, framelogprob):
    # hmmlearn _hmmc _viterbi: element loops, backtracking through an argmax at traced states
    n_samples, n_components = framelogprob.shape
    state_sequence = np.empty(n_samples, dtype=np.int32)
    viterbi_lattice = np.zeros((n_samples, n_components))
    work_buffer = np.empty(n_components)
    for i in range(n_components):
        viterbi_lattice[0, i] = log_startprob[i] + framelogprob[0, i]
    for t in range(1, n_samples):
        for i in range(n_components):
            for j in range(n_components):
                work_buffer[j] = log_transmat[j, i] + viterbi_lattice[t - 1, j]
            viterbi_lattice[t, i] = np.max(work_buffer) + framelogprob[t, i]
    state_sequence[n_samples - 1] = where_from = np.argmax(viterbi_lattice[n_samples - 1])
    logprob = viterbi_lattice[n_samples - 1, where_from]
    for t in range(n_samples - 2, -1, -1):
        for i in range(n_components):
            work_buffer[i] = viterbi_lattice[t, i] + log_transmat[i, where_from]
        state_sequence[t] = where_from = np.argmax(work_buffer)
    return logprob, state_sequence


def viterbi_backpointers(log_startprob, log_transmat, framelogprob):
    # the textbook vectorized Viterbi with an integer back-pointer table
    T, K = framelogprob.shape
    delta = np.zeros((T, K))
    psi = np.zeros((T, K), dtype=np.int64)
    delta[0] = log_startprob + framelogprob[0]
    for t in range(1, T):
        scores = delta[t - 1][:, np.newaxis] + log_transmat
        psi[t] = np.argmax(scores, axis=0)
        delta[t] = np.max(scores, axis=0) + framelogprob[t]
    path = np.zeros(T, dtype=int)
    path[-1] = np.argmax(delta[-1])
    for t in range(T - 2, -1, -1):
        path[t] = psi[t + 1, path[t + 1]]
    return delta[-1].max(), path, psi


def viterbi_take_along(log_startprob, log_transmat, framelogprob):
    # back-pointers read by np.take_along_axis, the path by a reversed loop over rows
    T, K = framelogprob.shape
    delta = log_startprob + framelogprob[0]
    back = np.empty((T - 1, K), dtype=np.intp)
    for t in range(1, T):
        scores = delta[:, None] + log_transmat
        back[t - 1] = scores.argmax(axis=0)
        delta = np.take_along_axis(scores, back[t - 1][None, :], axis=0)[0] + framelogprob[t]
    best = delta.argmax()
    path = np.empty(T, dtype=np.intp)
    path[T - 1] = best
    for t in range(T - 2, -1, -1):
        path[t] = back[t][path[t + 1]]
    return path, delta[best]


def log_mvn_spherical(X, means, covars):
    # sklearn/hmmlearn _log_multivariate_normal_density_spherical
    cv = covars.copy()
    if covars.ndim == 1:
        cv = cv[:, np.newaxis]
    if cv.shape[1] == 1:
        cv = np.tile(cv, (1, X.shape[-1]))
    return log_mvn_diag(X, means, cv)


def log_mvn_diag(X, means, covars):
    # hmmlearn _log_multivariate_normal_density_diag
    n_samples, n_dim = X.shape
    lpr = -0.5 * (n_dim * np.log(2 * np.pi) + np.sum(np.log(covars), 1)
                  + np.sum((means ** 2) / covars, 1)
                  - 2 * np.dot(X, (means / covars).T)
                  + np.dot(X ** 2, (1.0 / covars).T))
    return lpr


def log_mvn_tied(X, means, covars):
    # hmmlearn: tied covariance broadcast to every component
    cv = np.tile(covars, (means.shape[0], 1, 1))
    return log_mvn_full(X, means, cv)


def log_mvn_full(X, means, covars, min_covar=1.0e-7):
    # hmmlearn _log_multivariate_normal_density_full, Cholesky (of a jittered covariance,
    # without the try/except retry) and a triangular solve
    n_samples, n_dim = X.shape
    nmix = len(means)
    log_prob = np.empty((n_samples, nmix))
    for c, (mu, cv) in enumerate(zip(means, covars)):
        cv_chol = np.linalg.cholesky(cv + min_covar * np.eye(n_dim))
        cv_log_det = 2 * np.sum(np.log(np.diagonal(cv_chol)))
        cv_sol = np.linalg.solve(cv_chol, (X - mu).T).T
        log_prob[:, c] = -0.5 * (np.sum(cv_sol ** 2, axis=1)
                                 + n_dim * np.log(2 * np.pi) + cv_log_det)
    return log_prob


def log_mvn_full_batched(X, means, covars):
    # the same over all components at once: batched cholesky, slogdet-free
    L = np.linalg.cholesky(covars)
    diff = X[np.newaxis, :, :] - means[:, np.newaxis, :]
    sol = np.linalg.solve(L, np.swapaxes(diff, 1, 2))
    maha = np.sum(sol ** 2, axis=1)
    logdet = 2 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
    return (-0.5 * (maha + logdet[:, None] + X.shape[1] * np.log(2 * np.pi))).T


def gaussian_hmm_em_step(X, startprob, transmat, means, covars):
    # one Baum-Welch iteration of a diag GaussianHMM: E-step in log space, M-step in closed form
    framelogprob = log_mvn_diag(X, means, covars)
    logprob, post, xi_sum = log_posteriors(np.log(startprob), np.log(transmat), framelogprob)
    new_start = post[0] / post[0].sum()
    new_trans = xi_sum / xi_sum.sum(axis=1)[:, np.newaxis]
    denom = post.sum(axis=0)[:, np.newaxis]
    obs = np.dot(post.T, X)
    obs2 = np.dot(post.T, X ** 2)
    new_means = obs / denom
    new_covars = (obs2 - 2 * new_means * obs + new_means ** 2 * denom) / denom + 1e-3
    return logprob, new_start, new_trans, new_means, new_covars


def init_sufficient_statistics(n_components, n_features):
    return {"nobs": 0, "start": np.zeros(n_components),
            "trans": np.zeros((n_components, n_components)),
            "post": np.zeros(n_components), "obs": np.zeros((n_components, n_features)),
            "obs**2": np.zeros((n_components, n_features)),
            "obs*obs.T": np.zeros((n_components, n_features, n_features))}


def accumulate_sufficient_statistics(stats, X, framelogprob, posteriors, fwdlattice,
                                     bwdlattice, log_transmat):
    # hmmlearn _accumulate_sufficient_statistics writing into the stats dict
    stats["nobs"] += 1
    stats["start"] += posteriors[0]
    n_samples, n_components = framelogprob.shape
    log_xi = (fwdlattice[:-1, :, None] + log_transmat
              + (framelogprob[1:] + bwdlattice[1:])[:, None, :])
    log_xi -= logsumexp(fwdlattice[-1])
    stats["trans"] += np.exp(logsumexp(log_xi, axis=0))
    stats["post"] += posteriors.sum(axis=0)
    stats["obs"] += np.dot(posteriors.T, X)
    stats["obs**2"] += np.dot(posteriors.T, X ** 2)
    stats["obs*obs.T"] += np.einsum("ij,ik,il->jkl", posteriors, X, X)
    return stats["nobs"]


def accumulate_over_sequences(stats, X, lengths, log_startprob, log_transmat, means, covars):
    # hmmlearn fit: sequences split at `lengths`, statistics summed into the dict
    start = 0
    for length in lengths:
        Xi = X[start:start + length]
        framelogprob = log_mvn_diag(Xi, means, covars)
        _, fwd = forward_log(log_startprob, log_transmat, framelogprob)
        bwd = backward_log(log_transmat, framelogprob)
        log_gamma = fwd + bwd
        post = np.exp(log_gamma - logsumexp(log_gamma, axis=1)[:, None])
        accumulate_sufficient_statistics(stats, Xi, framelogprob, post, fwd, bwd, log_transmat)
        start += length
    return stats


def do_mstep_full(stats, means_prior=0.0, means_weight=0.0, covars_prior=1e-2,
                  covars_weight=1.0):
    # hmmlearn GaussianHMM._do_mstep for full covariances with its priors
    startprob = np.maximum(stats["start"], 1e-12)
    startprob /= startprob.sum()
    transmat = np.maximum(stats["trans"], 1e-12)
    transmat /= transmat.sum(axis=1)[:, np.newaxis]
    denom = stats["post"][:, np.newaxis]
    means = (means_weight * means_prior + stats["obs"]) / (means_weight + denom)
    n_features = means.shape[1]
    meandiff = means - means_prior
    cv_num = (means_weight * np.einsum("ij,ik->ijk", meandiff, meandiff)
              + stats["obs*obs.T"]
              - np.einsum("ij,ik->ijk", stats["obs"], means)
              - np.einsum("ij,ik->ijk", means, stats["obs"])
              + np.einsum("ij,ik->ijk", means, means) * denom[:, :, None])
    cv_num += covars_prior * np.eye(n_features)
    cv_den = max(covars_weight - n_features, 0) + stats["post"][:, None, None]
    return startprob, transmat, means, cv_num / cv_den


def map_decode(log_startprob, log_transmat, framelogprob):
    # hmmlearn _decode_map: argmax of posteriors, the score the sum of the best log posteriors
    logprob, post, _ = log_posteriors(log_startprob, log_transmat, framelogprob)
    state_sequence = np.argmax(post, axis=1)
    log_prob = np.max(post, axis=1).sum()
    return log_prob, state_sequence


def hmm_sample(startprob, transmat, means, covars, u, z):
    # hmmlearn sample: states by `(cdf > rand).argmax()`, emissions from given normals
    startprob_cdf = np.cumsum(startprob)
    transmat_cdf = np.cumsum(transmat, axis=1)
    n_samples = len(u)
    states = np.empty(n_samples, dtype=int)
    X = np.empty((n_samples, means.shape[1]))
    currstate = (startprob_cdf > u[0]).argmax()
    for t in range(n_samples):
        if t > 0:
            currstate = (transmat_cdf[currstate] > u[t]).argmax()
        states[t] = currstate
        X[t] = means[currstate] + np.sqrt(covars[currstate]) * z[t]
    return X, states


def hmm_sample_searchsorted(startprob, transmat, u):
    # states by inverse CDF with np.searchsorted
    cdf = np.cumsum(transmat, axis=1)
    states = np.zeros(len(u), dtype=np.int64)
    states[0] = np.searchsorted(np.cumsum(startprob), u[0])
    for t in range(1, len(u)):
        states[t] = np.searchsorted(cdf[states[t - 1]], u[t])
    return np.minimum(states, len(startprob) - 1)


def multinomial_hmm_framelogprob(X, emissionprob):
    # CategoricalHMM _compute_log_likelihood: columns of the log emission table
    return np.log(emissionprob)[:, np.concatenate(X)].T


def gmm_e_step(X, weights, means, covars):
    # sklearn GaussianMixture _estimate_log_prob_resp with diag covariances
    weighted = log_mvn_diag(X, means, covars) + np.log(weights)
    log_prob_norm = logsumexp(weighted, axis=1)
    with np.errstate(under="ignore"):
        log_resp = weighted - log_prob_norm[:, np.newaxis]
    return np.mean(log_prob_norm), np.exp(log_resp)


def normalize(a, axis=None):
    # hmmlearn _utils.normalize: zero sums set to one, the sum's shape set by attribute
    a_sum = a.sum(axis)
    if axis and a.ndim > 1:
        a_sum[a_sum == 0] = 1
        shape = list(a.shape)
        shape[axis] = 1
        a_sum.shape = shape
    a /= a_sum


def gmm_covariances_full(resp, X, nk, means, reg_covar=1e-6):
    # sklearn _estimate_gaussian_covariances_full: reg_covar added through `.flat` of a row
    n_components, n_features = means.shape
    covariances = np.empty((n_components, n_features, n_features))
    for k in range(n_components):
        diff = X - means[k]
        covariances[k] = np.dot(resp[:, k] * diff.T, diff) / nk[k]
        covariances[k].flat[:: n_features + 1] += reg_covar
    return covariances


def gmm_precisions_cholesky(covariances):
    # sklearn _compute_precision_cholesky and _compute_log_det_cholesky for 'full'
    n_components, n_features, _ = covariances.shape
    precisions_chol = np.empty((n_components, n_features, n_features))
    for k, covariance in enumerate(covariances):
        cov_chol = np.linalg.cholesky(covariance)
        precisions_chol[k] = np.linalg.solve(cov_chol, np.eye(n_features)).T
    log_det = np.sum(np.log(precisions_chol.reshape(n_components, -1)[:, :: n_features + 1]),
                     1)
    return precisions_chol, log_det


def empirical_transitions(states, K):
    # counts of consecutive state pairs by np.add.at and by np.bincount of pair codes
    counts = np.zeros((K, K))
    np.add.at(counts, (states[:-1], states[1:]), 1)
    pairs = np.bincount(states[:-1] * K + states[1:], minlength=K * K).reshape(K, K)
    return counts / counts.sum(axis=1, keepdims=True).clip(1), pairs


def categorical_stats(stats, X, posteriors):
    # hmmlearn MultinomialHMM statistics: one column per observed symbol, written in a loop
    for t, symbol in enumerate(np.concatenate(X)):
        stats["obs"][:, symbol] += posteriors[t]
    return stats


def _hmm_args(s, n, k=3, d=2):
    X = _f(2 * n, d, seed=s)
    return (np.log(_stochastic(k, seed=s)), np.log(_stochastic((k, k), seed=s + 1)),
            log_mvn_diag(X, _f(k, d, seed=s + 2), _f(k, d, seed=s + 3, positive=True)))


def _hmm_probs(s, n, k=3):
    return (_stochastic(k, seed=s), _stochastic((k, k), seed=s + 1),
            _f(2 * n, k, seed=s + 2, positive=True))


def _stats_args(s, n, k=3, d=2):
    X = _f(3 * n, d, seed=s)
    return (init_sufficient_statistics(k, d), X, [n, 2 * n], np.log(_stochastic(k, seed=s)),
            np.log(_stochastic((k, k), seed=s + 1)), _f(k, d, seed=s + 2),
            _f(k, d, seed=s + 3, positive=True))


def _filled_stats(s, n):
    stats, *rest = _stats_args(s, n)
    return accumulate_over_sequences(stats, *rest)


HMM = {
    "hmm_logsumexp_axis": (logsumexp, {"axis": 1}, lambda s, n: (_f(n, 4, seed=s) * 30,)),
    "hmm_logsumexp_all": (logsumexp, {}, lambda s, n: (_f(n, 4, seed=s) * 30,)),
    "hmm_forward_loops": (forward_log_loops, {}, lambda s, n: _hmm_args(s, n)),
    "hmm_backward_loops": (backward_log_loops, {}, lambda s, n: _hmm_args(s, n)),
    "hmm_forward_vectorized": (forward_log, {}, lambda s, n: _hmm_args(s, n)),
    "hmm_backward_vectorized": (backward_log, {}, lambda s, n: _hmm_args(s, n)[1:]),
    "hmm_log_posteriors_xi": (log_posteriors, {}, lambda s, n: _hmm_args(s, n, k=4)),
    "hmm_forward_scaling": (forward_scaling, {}, lambda s, n: _hmm_probs(s, n)),
    "hmm_posteriors_scaling_einsum": (posteriors_scaling, {}, lambda s, n: _hmm_probs(s, n)),
    "hmm_viterbi_loops": (viterbi_loops, {}, lambda s, n: _hmm_args(s, n)),
    "hmm_viterbi_backpointers": (viterbi_backpointers, {}, lambda s, n: _hmm_args(s, n, k=4)),
    "hmm_viterbi_take_along_axis": (viterbi_take_along, {}, lambda s, n: _hmm_args(s, n)),
    "hmm_log_mvn_spherical": (log_mvn_spherical, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(2, 3, seed=s + 1), _f(2, seed=s + 2, positive=True))),
    "hmm_log_mvn_diag": (log_mvn_diag, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(4, 3, seed=s + 1), _f(4, 3, seed=s + 2, positive=True))),
    "hmm_log_mvn_tied": (log_mvn_tied, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(2, 3, seed=s + 1), _spd(3, s + 2))),
    "hmm_log_mvn_full_cholesky": (log_mvn_full, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(3, 3, seed=s + 1),
        np.stack([_spd(3, s + k) for k in range(3)]))),
    "hmm_log_mvn_full_batched": (log_mvn_full_batched, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(3, 2, seed=s + 1),
        np.stack([_spd(2, s + k) for k in range(3)]))),
    "hmm_gaussian_em_step": (gaussian_hmm_em_step, {}, lambda s, n: (
        _f(2 * n, 2, seed=s), _stochastic(3, seed=s), _stochastic((3, 3), seed=s + 1),
        _f(3, 2, seed=s + 2), _f(3, 2, seed=s + 3, positive=True))),
    "hmm_sufficient_stats_dict": (accumulate_over_sequences, {}, _stats_args),
    "hmm_mstep_full_priors": (do_mstep_full, {}, lambda s, n: (_filled_stats(s, n),)),
    "hmm_map_decode": (map_decode, {}, lambda s, n: _hmm_args(s, n)),
    "hmm_sample_cdf_argmax": (hmm_sample, {}, lambda s, n: (
        _stochastic(3, seed=s), _stochastic((3, 3), seed=s + 1), _f(3, 2, seed=s + 2),
        _f(3, 2, seed=s + 3, positive=True), _u(s, 2 * n), _f(2 * n, 2, seed=s + 4))),
    "hmm_sample_searchsorted": (hmm_sample_searchsorted, {}, lambda s, n: (
        _stochastic(3, seed=s), _stochastic((3, 3), seed=s + 1), _u(s, 2 * n))),
    "hmm_categorical_framelogprob": (multinomial_hmm_framelogprob, {}, lambda s, n: (
        _i(5, 2 * n, 1, seed=s), _stochastic((3, 5), seed=s))),
    "hmmlearn_normalize_rows": (normalize, {"axis": 1}, lambda s, n: (
        np.vstack([_f(n, 3, seed=s, positive=True), np.zeros((1, 3))]),)),
    "hmmlearn_normalize_all": (normalize, {}, lambda s, n: (_f(n, seed=s, positive=True),)),
    "sklearn_covariances_full_flat_row": (gmm_covariances_full, {}, lambda s, n: (
        _stochastic((3 * n, 3), seed=s), _f(3 * n, 2, seed=s + 1),
        _stochastic((3 * n, 3), seed=s).sum(0), _f(3, 2, seed=s + 2))),
    "sklearn_precisions_cholesky": (gmm_precisions_cholesky, {}, lambda s, n: (
        np.stack([_spd(n, s + k) for k in range(3)]),)),
    "hmm_empirical_transitions": (empirical_transitions, {"K": 3}, lambda s, n: (
        _i(3, 5 * n, seed=s),)),
    "hmm_categorical_stats_loop": (categorical_stats, {}, lambda s, n: (
        {"obs": np.zeros((3, 5))}, _i(5, 2 * n, 1, seed=s), _stochastic((2 * n, 3), seed=s))),
    "gmm_e_step_diag": (gmm_e_step, {}, lambda s, n: (
        _f(3 * n, 2, seed=s), _stochastic(3, seed=s), _f(3, 2, seed=s + 1),
        _f(3, 2, seed=s + 2, positive=True))),
}


@pytest.mark.parametrize("name", _names(HMM))
def test_hidden_markov_models_match_numpy(name):
    """hmmlearn's forward/backward in log space and with scalings, Viterbi with back-pointers,
    posteriors and xi sums, Gaussian emission densities by Cholesky, EM statistics in a dict,
    the M-step, MAP decoding and sampling from given uniforms."""
    check_like_numpy(*HMM[name])


# ========================================================== MCMC (emcee and hand-written)


def log_prob_gaussian(x, mu, icov):
    # emcee's quickstart target: a correlated Gaussian, one row per walker
    diff = x - mu
    return -0.5 * np.einsum("...i,ij,...j->...", diff, icov, diff)


def stretch_move(coords, log_probs, mu, icov, u, rint, log_u, a=2.0):
    # emcee StretchMove over the two halves of the ensemble (RedBlueMove with nsplits=2)
    nwalkers, ndim = coords.shape
    half = nwalkers // 2
    coords = coords.copy()
    log_probs = log_probs.copy()
    accepted = np.zeros(nwalkers, dtype=bool)
    for split in range(2):
        S1 = slice(0, half) if split == 0 else slice(half, nwalkers)
        S2 = slice(half, nwalkers) if split == 0 else slice(0, half)
        s = coords[S1]
        c = coords[S2]
        Ns = len(s)
        zz = ((a - 1.0) * u[split, :Ns] + 1) ** 2.0 / a
        factors = (ndim - 1.0) * np.log(zz)
        q = c[rint[split, :Ns]] - (c[rint[split, :Ns]] - s) * zz[:, None]
        new_log_probs = log_prob_gaussian(q, mu, icov)
        lnpdiff = factors + new_log_probs - log_probs[S1]
        acc = lnpdiff > log_u[split, :Ns]
        coords[S1] = np.where(acc[:, None], q, s)
        log_probs[S1] = np.where(acc, new_log_probs, log_probs[S1])
        accepted[S1] = acc
    return coords, log_probs, accepted


def emcee_update_state(coords, log_prob, new_coords, new_log_prob, accepted):
    # emcee Move.update: masked writes of the accepted walkers into the current state
    coords[accepted] = new_coords[accepted]
    log_prob[accepted] = new_log_prob[accepted]
    return coords, log_prob


def emcee_sample_chain(p0, mu, icov, u, rint, log_u):
    # EnsembleSampler.sample: store each step in a preallocated (nsteps, nwalkers, ndim) chain
    nsteps = u.shape[0]
    nwalkers, ndim = p0.shape
    chain = np.empty((nsteps, nwalkers, ndim))
    lnp = np.empty((nsteps, nwalkers))
    naccepted = np.zeros(nwalkers)
    coords = p0
    log_probs = log_prob_gaussian(p0, mu, icov)
    for i in range(nsteps):
        coords, log_probs, acc = stretch_move(coords, log_probs, mu, icov, u[i], rint[i],
                                              log_u[i])
        naccepted += acc
        chain[i] = coords
        lnp[i] = log_probs
    return chain, lnp, naccepted / nsteps


def de_move_proposal(coords, pairs, gamma, noise):
    # emcee DEMove: differences of two other walkers scaled by gamma plus small noise
    diffs = coords[pairs[:, 0]] - coords[pairs[:, 1]]
    return coords + gamma[:, None] * diffs + noise


def rw_metropolis(x0, mu, icov, steps, log_u, scale):
    # random-walk Metropolis over a (T, d) chain with np.where accepts
    n_steps, d = steps.shape
    chain = np.empty((n_steps + 1, d))
    chain[0] = x0
    lp = log_prob_gaussian(x0, mu, icov)
    n_accept = 0
    for t in range(n_steps):
        prop = chain[t] + scale * steps[t]
        lp_prop = log_prob_gaussian(prop, mu, icov)
        accept = log_u[t] < lp_prop - lp
        chain[t + 1] = np.where(accept, prop, chain[t])
        lp = np.where(accept, lp_prop, lp)
        n_accept += accept
    return chain, n_accept / n_steps


def rw_metropolis_chains(x0, log_target_scale, steps, log_u):
    # many chains at once: accept masks over the chain axis, an acceptance-rate vector
    n_steps, n_chains, d = steps.shape
    samples = np.zeros((n_steps, n_chains, d))
    current = x0.copy()
    current_lp = -0.5 * np.sum(current ** 2 / log_target_scale, axis=1)
    accepts = np.zeros(n_chains, dtype=np.int64)
    for t in range(n_steps):
        proposal = current + steps[t]
        proposal_lp = -0.5 * np.sum(proposal ** 2 / log_target_scale, axis=1)
        log_ratio = proposal_lp - current_lp
        accept = log_u[t] < log_ratio
        current = np.where(accept[:, np.newaxis], proposal, current)
        current_lp = np.where(accept, proposal_lp, current_lp)
        accepts += accept.astype(np.int64)
        samples[t] = current
    return samples, accepts


def mh_independence_beta_binomial(theta0, k, n_trials, proposals, log_u):
    # an independence sampler for a binomial likelihood with uniform proposals
    def log_post(th):
        return k * np.log(th) + (n_trials - k) * np.log1p(-th)

    out = np.empty(len(proposals))
    theta = theta0
    for i in range(len(proposals)):
        ratio = log_post(proposals[i]) - log_post(theta)
        theta = np.where(log_u[i] < ratio, proposals[i], theta)
        out[i] = theta
    return out


def hmc_leapfrog(q0, p0, step_size, n_leapfrog, prec):
    # leapfrog for U(q) = q^T P q / 2: half step, full steps, half step
    grad = lambda q: q @ prec  # noqa: E731
    q = q0.copy()
    p = p0 - 0.5 * step_size * grad(q)
    for i in range(n_leapfrog):
        q = q + step_size * p
        if i != n_leapfrog - 1:
            p = p - step_size * grad(q)
    p = p - 0.5 * step_size * grad(q)
    return q, -p


def hmc_chain(q0, momenta, log_u, prec, step_size=0.2, n_leapfrog=5):
    # HMC with given momenta and uniforms, Hamiltonians compared through np.where
    n_samples, d = momenta.shape
    samples = np.zeros((n_samples, d))
    q = q0
    for i in range(n_samples):
        q_new, p_new = hmc_leapfrog(q, momenta[i], step_size, n_leapfrog, prec)
        current_H = 0.5 * q @ prec @ q + 0.5 * momenta[i] @ momenta[i]
        proposed_H = 0.5 * q_new @ prec @ q_new + 0.5 * p_new @ p_new
        q = np.where(log_u[i] < current_H - proposed_H, q_new, q)
        samples[i] = q
    return samples


def gibbs_bivariate_normal(rho, z, x0=0.0, y0=0.0):
    # the textbook Gibbs sampler for a standard bivariate normal with correlation rho
    n = z.shape[0]
    samples = np.zeros((n, 2))
    x, y = x0, y0
    sd = np.sqrt(1 - rho ** 2)
    for i in range(n):
        x = rho * y + sd * z[i, 0]
        y = rho * x + sd * z[i, 1]
        samples[i, 0] = x
        samples[i, 1] = y
    return samples


def gibbs_normal_gamma(y, z, g, mu0=0.0, kappa0=1.0, a0=1.0, b0=1.0):
    # Gibbs for (mu, tau) of normal data: mu | tau normal from z, tau | mu gamma from standard
    # gamma draws g (shape a0 + n/2) divided by the rate
    n = len(y)
    n_iter = len(z)
    ybar = y.mean()
    trace = np.zeros((n_iter, 2))
    tau = 1.0
    for it in range(n_iter):
        prec = kappa0 * tau + n * tau
        mean = (kappa0 * tau * mu0 + tau * n * ybar) / prec
        mu = mean + z[it] / np.sqrt(prec)
        rate = b0 + 0.5 * (np.sum((y - mu) ** 2) + kappa0 * (mu - mu0) ** 2)
        tau = g[it] / rate
        trace[it] = mu, tau
    return trace


def gibbs_mixture_sweep(x, means, weights, u, z, sigma=1.0, tau0=3.0):
    # one sweep of a Gaussian mixture with known variance: labels by inverse CDF of the
    # responsibilities from uniforms, means from their conjugate normal posterior
    K = len(means)
    log_r = np.log(weights) - 0.5 * (x[:, None] - means[None, :]) ** 2 / sigma ** 2
    r = np.exp(log_r - log_r.max(axis=1, keepdims=True))
    r /= r.sum(axis=1, keepdims=True)
    labels = (np.cumsum(r, axis=1) > u[:, None]).argmax(axis=1)
    one_hot = labels[:, None] == np.arange(K)
    counts = one_hot.sum(axis=0)
    sums = (one_hot * x[:, None]).sum(axis=0)
    post_prec = 1.0 / tau0 ** 2 + counts / sigma ** 2
    post_mean = (sums / sigma ** 2) / post_prec
    new_means = post_mean + z / np.sqrt(post_prec)
    return labels, counts, new_means


def gibbs_mixture_bincount(x, means, u, z, K):
    # the same counts through np.bincount(minlength=) and sums through weights=
    d2 = (x[:, None] - means[None, :]) ** 2
    p = np.exp(-0.5 * (d2 - d2.min(axis=1, keepdims=True)))
    p /= p.sum(1)[:, None]
    labels = np.sum(np.cumsum(p, axis=1) < u[:, None], axis=1)
    counts = np.bincount(labels, minlength=K)
    sums = np.bincount(labels, weights=x, minlength=K)
    prec = 1.0 + counts
    return labels, sums / prec + z / np.sqrt(prec)


def ising_checkerboard(spins, beta, u):
    # Metropolis/heat-bath on a periodic lattice, even then odd sites, neighbours by np.roll
    L = spins.shape[0]
    ii, jj = np.indices((L, L))
    spins = spins.copy()
    for parity, uu in zip((0, 1), u):
        mask = (ii + jj) % 2 == parity
        nb = (np.roll(spins, 1, 0) + np.roll(spins, -1, 0) + np.roll(spins, 1, 1)
              + np.roll(spins, -1, 1))
        p_up = 1.0 / (1.0 + np.exp(-2.0 * beta * nb))
        new = np.where(uu < p_up, 1, -1)
        spins[mask] = new[mask]
    return spins, spins.mean(), -np.sum(spins * (np.roll(spins, 1, 0) + np.roll(spins, 1, 1)))


def ising_metropolis_sweep(spins, beta, order, u):
    # single-site Metropolis at given sites, dE from the four neighbours, a traced flip
    L = spins.shape[0]
    for k in range(len(order)):
        i, j = order[k] // L, order[k] % L
        s = spins[i, j]
        nb = (spins[(i + 1) % L, j] + spins[i, (j + 1) % L] + spins[(i - 1) % L, j]
              + spins[i, (j - 1) % L])
        cost = 2 * s * nb
        spins[i, j] = np.where(u[k] < np.exp(-cost * beta), -s, s)
    return spins


def parallel_tempering_swap(states, log_likes, betas, log_u):
    # replica exchange between neighbouring temperatures, pairs even then odd
    states = states.copy()
    log_likes = log_likes.copy()
    n_temps = len(betas)
    for start, lu in zip((0, 1), log_u):
        i = np.arange(start, n_temps - 1, 2)
        j = i + 1
        log_alpha = (betas[i] - betas[j]) * (log_likes[j] - log_likes[i])
        swap = lu[: len(i)] < log_alpha
        si, sj = states[i].copy(), states[j].copy()
        states[i] = np.where(swap[:, None], sj, si)
        states[j] = np.where(swap[:, None], si, sj)
        li, lj = log_likes[i].copy(), log_likes[j].copy()
        log_likes[i] = np.where(swap, lj, li)
        log_likes[j] = np.where(swap, li, lj)
    return states, log_likes


def next_pow_two(n):
    # emcee autocorr.next_pow_two
    i = 1
    while i < n:
        i = i << 1
    return i


def function_1d(x):
    # emcee autocorr.function_1d: the normalized autocorrelation by a zero-padded FFT
    x = np.atleast_1d(x)
    n = next_pow_two(len(x))
    f = np.fft.fft(x - np.mean(x), n=2 * n)
    acf = np.fft.ifft(f * np.conjugate(f))[: len(x)].real
    acf /= acf[0]
    return acf


def integrated_time_masked(x, c=5):
    # emcee integrated_time with auto_window's `if np.any(m)` written as np.where, the window
    # read at a traced index; the walkers' autocorrelations averaged
    n_t, n_w, n_d = x.shape
    tau_est = np.empty(n_d)
    windows = np.empty(n_d, dtype=int)
    for d in range(n_d):
        f = np.zeros(n_t)
        for k in range(n_w):
            f += function_1d(x[:, k, d])
        f /= n_w
        taus = 2.0 * np.cumsum(f) - 1.0
        m = np.arange(len(taus)) < c * taus
        window = np.where(np.any(m), np.argmin(m), len(taus) - 1)
        tau_est[d] = taus[window]
        windows[d] = window
    return tau_est, windows


def autocorr_fft_2d(chains):
    # autocovariance of many chains at once along the last axis, rfft of twice the length
    n = chains.shape[-1]
    centred = chains - chains.mean(axis=-1, keepdims=True)
    f = np.fft.rfft(centred, n=2 * n, axis=-1)
    acov = np.fft.irfft(f * np.conj(f), n=2 * n, axis=-1)[..., :n] / n
    return acov, acov / acov[..., :1]


def gelman_rubin(chains):
    # the classic potential scale reduction factor over (m chains, n draws)
    m, n = chains.shape
    chain_means = chains.mean(axis=1)
    B = n * chain_means.var(ddof=1)
    W = chains.var(axis=1, ddof=1).mean()
    var_hat = (n - 1) / n * W + B / n
    return np.sqrt(var_hat / W)


def split_rhat(chains):
    # arviz-style split R-hat for (chains, draws, params)
    n = chains.shape[1] // 2
    split = np.concatenate([chains[:, :n], chains[:, -n:]], axis=0)
    m = split.shape[0]
    chain_mean = split.mean(axis=1)
    chain_var = split.var(axis=1, ddof=1)
    between = n * np.var(chain_mean, axis=0, ddof=1)
    within = np.mean(chain_var, axis=0)
    return np.sqrt((between / within + n - 1) / n), m


def ess_geyer(chains):
    # ESS by Geyer's initial positive sequence: pair sums, a cumulative-product mask for the
    # first negative pair and np.minimum.accumulate for the monotone sequence
    m, n = chains.shape
    centred = chains - chains.mean(axis=1, keepdims=True)
    nfft = 2 * next_pow_two(n)
    f = np.fft.fft(centred, n=nfft, axis=1)
    acov = np.fft.ifft(f * np.conjugate(f), axis=1)[:, :n].real / n
    mean_var = np.mean(acov[:, 0]) * n / (n - 1.0)
    var_plus = mean_var * (n - 1.0) / n
    if m > 1:
        var_plus += np.var(chains.mean(axis=1), ddof=1)
    rho = 1.0 - (mean_var - np.mean(acov, axis=0)) / var_plus
    rho[0] = 1.0
    n_pairs = n // 2
    pairs = rho[: 2 * n_pairs].reshape(n_pairs, 2).sum(axis=1)
    keep = np.cumprod(pairs > 0).astype(bool)
    pairs = np.where(keep, pairs, 0.0)
    pairs = np.minimum.accumulate(np.where(keep, pairs, np.inf))
    pairs = np.where(keep, pairs, 0.0)
    tau = -1.0 + 2.0 * np.sum(pairs)
    return m * n / tau, tau


def mcse_batch_means(x, n_batches):
    # Monte Carlo standard error by non-overlapping batch means
    b = len(x) // n_batches
    batch_means = x[: n_batches * b].reshape(n_batches, b).mean(axis=1)
    return np.sqrt(b * np.var(batch_means, ddof=1) / len(x)), batch_means


def chain_summary(chain, burn, thin):
    # posterior summary after burn-in and thinning: mean, sd, central interval
    kept = chain[burn::thin]
    q = np.percentile(kept, [2.5, 50, 97.5], axis=0)
    return kept.mean(axis=0), kept.std(axis=0, ddof=1), q


def importance_weights(log_target, log_proposal):
    # self-normalized importance weights by a hand-written logsumexp, and their ESS
    log_w = log_target - log_proposal
    m = np.max(log_w)
    w = np.exp(log_w - m)
    log_z = m + np.log(np.sum(w)) - np.log(len(log_w))
    w /= w.sum()
    return w, 1.0 / np.sum(w ** 2), log_z


def systematic_resample(weights, u):
    # filterpy.monte_carlo.systematic_resample by np.searchsorted of the positions
    N = len(weights)
    positions = (u + np.arange(N)) / N
    cumulative_sum = np.cumsum(weights)
    cumulative_sum[-1] = 1.0
    return np.searchsorted(cumulative_sum, positions)


def stratified_resample(weights, u):
    # filterpy stratified_resample: one uniform per stratum
    N = len(weights)
    positions = (u + range(N)) / N
    cumulative_sum = np.cumsum(weights)
    cumulative_sum[-1] = 1.0
    return np.searchsorted(cumulative_sum, positions, side="right")


def multinomial_resample(weights, u):
    # filterpy multinomial_resample with sorted given uniforms
    cumulative_sum = np.cumsum(weights)
    cumulative_sum[-1] = 1.0
    return np.searchsorted(cumulative_sum, u)


def resample_from_index(particles, weights, indexes):
    # filterpy resample_from_index: particles[:] = particles[indexes], weights reset in place
    particles[:] = particles[indexes]
    weights.fill(1.0 / len(weights))
    return np.mean(particles, axis=0)


def bootstrap_particle_filter(z, x0, proc_noise, u, q=1.0, r=0.5):
    # a bootstrap filter for a random walk: predict by given noise, weight, resample by
    # searchsorted, estimates stored per step
    T, N = proc_noise.shape
    particles = x0.copy()
    means = np.zeros(T)
    loglik = 0.0
    for t in range(T):
        particles = particles + np.sqrt(q) * proc_noise[t]
        logw = -0.5 * (z[t] - particles) ** 2 / r
        mx = logw.max()
        w = np.exp(logw - mx)
        loglik += mx + np.log(w.mean())
        w /= w.sum()
        means[t] = np.sum(w * particles)
        idx = systematic_resample(w, u[t])
        particles = particles[idx]
    return means, loglik


def gaussian_move_random(x0, inds, z, scale):
    # emcee GaussianMove(mode='random'): one coordinate per walker moved by fancy `+=`
    nw, ndim = x0.shape
    new_x = np.array(x0)
    new_x[np.arange(nw), inds] += scale * z
    return new_x, np.zeros(nw)


def walk_move(s, c, inds, z):
    # emcee WalkMove: the covariance of a subset of the complementary walkers (rowvar=0)
    cov = np.atleast_2d(np.cov(c[inds], rowvar=0))
    L = np.linalg.cholesky(cov + 1e-9 * np.eye(len(cov)))
    q = np.empty_like(s)
    for i in range(len(s)):
        q[i] = s[i] + L @ z[i]
    return q


class _FunctionWrapper:
    """emcee's `_FunctionWrapper`: the user's log-probability with its `args` and `kwargs`."""

    def __init__(self, f, args, kwargs):
        self.f = f
        self.args = [] if args is None else args
        self.kwargs = {} if kwargs is None else kwargs

    def __call__(self, x):
        return self.f(x, *self.args, **self.kwargs)


def log_prob_diag(x, mu, ivar):
    return -0.5 * np.sum(ivar * (x - mu) ** 2, axis=-1)


def mh_with_wrapped_log_prob(coords, log_prob_fn, steps, log_u):
    # an ensemble of independent MH walkers calling a wrapped log-probability
    lp = log_prob_fn(coords)
    for t in range(len(steps)):
        prop = coords + steps[t]
        lp_p = log_prob_fn(prop)
        acc = log_u[t] < lp_p - lp
        coords = np.where(acc[:, None], prop, coords)
        lp = np.where(acc, lp_p, lp)
    return coords, lp


def mh_scaled_steps(x0, steps, log_u, scale):
    # a sampler that validates its step size with `assert type(scale) == float`
    assert type(scale) == float, "scale must be a float"
    x = x0
    out = np.empty((len(steps),) + x0.shape)
    for t in range(len(steps)):
        prop = x + scale * steps[t]
        x = np.where(log_u[t] < 0.5 * (x ** 2 - prop ** 2), prop, x)
        out[t] = x
    return out


def _walkers(s, n, d=3):
    return _f(2 * n, d, seed=s)


def _stretch_args(s, n, d=3):
    half = n
    return (_walkers(s, n, d), log_prob_gaussian(_walkers(s, n, d), np.zeros(d), np.eye(d)),
            np.zeros(d), np.linalg.inv(_spd(d, s)), _u(s, 2, half), _i(half, 2, half, seed=s),
            np.log(_u(s + 1, 2, half)))


MCMC = {
    "emcee_stretch_move": (stretch_move, {}, _stretch_args),
    "emcee_update_state_masked": (emcee_update_state, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, seed=s + 1), _f(n, 3, seed=s + 2), _f(n, seed=s + 3),
        _u(s, n) < 0.5)),
    "emcee_sample_chain": (emcee_sample_chain, {}, lambda s, n: (
        _walkers(s, n, 2), np.zeros(2), np.linalg.inv(_spd(2, s)), _u(s, 4, 2, n),
        _i(n, 4, 2, n, seed=s), np.log(_u(s + 1, 4, 2, n)))),
    "emcee_gaussian_move_random": (gaussian_move_random, {}, lambda s, n: (
        _f(n, 3, seed=s), _i(3, n, seed=s), _f(n, seed=s + 1), 0.3)),
    "emcee_walk_move_cov": (walk_move, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(2 * n, 2, seed=s + 1), np.arange(0, 2 * n, 2),
        _f(n, 2, seed=s + 2))),
    "emcee_de_move": (de_move_proposal, {}, lambda s, n: (
        _f(n, 3, seed=s), _i(n, n, 2, seed=s), _u(s, n) * 1.7, 1e-5 * _f(n, 3, seed=s + 1))),
    "rw_metropolis_where": (rw_metropolis, {}, lambda s, n: (
        np.zeros(2), np.ones(2), np.linalg.inv(_spd(2, s)), _f(3 * n, 2, seed=s),
        np.log(_u(s, 3 * n)), 0.8)),
    "emcee_function_wrapper_args": (mh_with_wrapped_log_prob, {}, lambda s, n: (
        _f(n, 2, seed=s), _FunctionWrapper(log_prob_diag, (np.zeros(2),),
                                           {"ivar": _f(2, seed=s, positive=True)}),
        _f(3, n, 2, seed=s + 1), np.log(_u(s, 3, n)))),
    "mh_assert_type_scale_float": (mh_scaled_steps, {}, lambda s, n: (
            _f(n, seed=s), _f(4, n, seed=s + 1), np.log(_u(s, 4, n)), 0.5 * s)),
    "rw_metropolis_chains": (rw_metropolis_chains, {}, lambda s, n: (
        _f(n, 2, seed=s), np.array([1.0, 4.0]), _f(8, n, 2, seed=s + 1),
        np.log(_u(s, 8, n)))),
    "mh_independence_binomial": (mh_independence_beta_binomial, {}, lambda s, n: (
        0.5, 7, 20, 0.01 + 0.98 * _u(s, 3 * n), np.log(_u(s + 1, 3 * n)))),
    "hmc_leapfrog_steps": (hmc_leapfrog, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s + 1), 0.1, 6, _spd(n, s))),
    "hmc_chain_given_momenta": (hmc_chain, {}, lambda s, n: (
        _f(2, seed=s), _f(2 * n, 2, seed=s + 1), np.log(_u(s, 2 * n)), _spd(2, s))),
    "gibbs_bivariate_normal": (gibbs_bivariate_normal, {}, lambda s, n: (
        0.8, _f(3 * n, 2, seed=s))),
    "gibbs_normal_gamma": (gibbs_normal_gamma, {}, lambda s, n: (
        1.5 + _f(n + 3, seed=s), _f(2 * n, seed=s + 1),
        np.random.default_rng(s).standard_gamma(1.0 + (n + 3) / 2, 2 * n))),
    "gibbs_mixture_cdf_labels": (gibbs_mixture_sweep, {}, lambda s, n: (
        np.r_[_f(n, seed=s) - 3, _f(n, seed=s + 1) + 3], np.array([-1.0, 0.5, 2.0]),
        _stochastic(3, seed=s), _u(s, 2 * n), _f(3, seed=s + 2))),
    "gibbs_mixture_bincount": (gibbs_mixture_bincount, {"K": 3}, lambda s, n: (
        np.r_[_f(n, seed=s) - 3, _f(n, seed=s + 1) + 3], np.array([-2.0, 0.0, 2.0]),
        _u(s, 2 * n), _f(3, seed=s + 2))),
    "ising_checkerboard_heat_bath": (ising_checkerboard, {}, lambda s, n: (
        np.where(_u(s, n, n) < 0.5, -1, 1), 0.4, _u(s + 1, 2, n, n))),
    "ising_single_site_metropolis": (ising_metropolis_sweep, {}, lambda s, n: (
        np.where(_u(s, n, n) < 0.5, -1, 1), 0.44, _i(n * n, 2 * n, seed=s),
        _u(s + 1, 2 * n))),
    "parallel_tempering_swaps": (parallel_tempering_swap, {}, lambda s, n: (
        _f(n, 2, seed=s), -_f(n, seed=s, positive=True) * 5, 0.5 ** np.arange(n),
        np.log(_u(s, 2, n)))),
    "emcee_function_1d_acf": (function_1d, {}, lambda s, n: (
        np.cumsum(_f(5 * n, seed=s)) * 0.3 + _f(5 * n, seed=s + 1),)),
    "emcee_integrated_time_where": (integrated_time_masked, {}, lambda s, n: (
        np.cumsum(_f(8 * n, 3, 2, seed=s), axis=0) * 0.2 + _f(8 * n, 3, 2, seed=s + 1),)),
    "autocorr_rfft_many_chains": (autocorr_fft_2d, {}, lambda s, n: (_f(3, 5 * n, seed=s),)),
    "gelman_rubin_rhat": (gelman_rubin, {}, lambda s, n: (
        _f(4, 5 * n, seed=s) + np.arange(4)[:, None] * 0.3,)),
    "split_rhat_params": (split_rhat, {}, lambda s, n: (_f(3, 4 * n, 2, seed=s),)),
    "ess_geyer_monotone": (ess_geyer, {}, lambda s, n: (
        np.cumsum(_f(3, 10 * n, seed=s), axis=1) * 0.1 + _f(3, 10 * n, seed=s + 1),)),
    "ess_geyer_one_chain": (ess_geyer, {}, lambda s, n: (_f(1, 10 * n, seed=s),)),
    "mcse_batch_means": (mcse_batch_means, {"n_batches": 4}, lambda s, n: (
        _f(6 * n + 1, seed=s),)),
    "chain_summary_burn_thin": (chain_summary, {"burn": 3, "thin": 2}, lambda s, n: (
        _f(6 * n, 2, seed=s),)),
    "importance_weights_ess": (importance_weights, {}, lambda s, n: (
        -0.5 * _f(4 * n, seed=s) ** 2, -0.25 * _f(4 * n, seed=s) ** 2 - 0.3)),
    "filterpy_systematic_resample": (systematic_resample, {}, lambda s, n: (
        _stochastic(2 * n, seed=s), float(_u(s, 1)[0]))),
    "filterpy_stratified_resample": (stratified_resample, {}, lambda s, n: (
        _stochastic(2 * n, seed=s), _u(s, 2 * n))),
    "filterpy_multinomial_resample": (multinomial_resample, {}, lambda s, n: (
        _stochastic(2 * n, seed=s), np.sort(_u(s, 2 * n)))),
    "filterpy_resample_from_index": (resample_from_index, {}, lambda s, n: (
        _f(2 * n, 2, seed=s), _stochastic(2 * n, seed=s), _i(2 * n, 2 * n, seed=s))),
    "bootstrap_particle_filter": (bootstrap_particle_filter, {}, lambda s, n: (
        np.cumsum(_f(n, seed=s)), _f(8, seed=s + 1), _f(n, 8, seed=s + 2), _u(s, n))),
}


@pytest.mark.parametrize("name", _names(MCMC))
def test_mcmc_samplers_and_diagnostics_match_numpy(name):
    """emcee's stretch and DE moves and chain storage, Metropolis, HMC and Gibbs steps from
    given draws, tempering swaps, FFT autocorrelations, R-hat, ESS, MCSE, importance weights and
    filterpy's resampling by `np.searchsorted`."""
    check_like_numpy(*MCMC[name])


# ================================================== Kalman filters (pykalman and filterpy)


def _last_dims(X, t, ndims=2):
    # pykalman.standard._last_dims: a time-varying parameter's slice, or the constant one
    X = np.asarray(X)
    if len(X.shape) == ndims + 1:
        return X[t]
    elif len(X.shape) == ndims:
        return X
    else:
        raise ValueError("X only has %d dimensions when %d or more are required"
                         % (len(X.shape), ndims))


def _filter_predict(transition_matrix, transition_covariance, transition_offset,
                    current_state_mean, current_state_covariance):
    # pykalman.standard._filter_predict
    predicted_state_mean = np.dot(transition_matrix, current_state_mean) + transition_offset
    predicted_state_covariance = np.dot(
        transition_matrix, np.dot(current_state_covariance, transition_matrix.T)
    ) + transition_covariance
    return (predicted_state_mean, predicted_state_covariance)


def _filter_correct(observation_matrix, observation_covariance, observation_offset,
                    predicted_state_mean, predicted_state_covariance, observation):
    # pykalman.standard._filter_correct, its masked-observation check included
    if not np.any(np.ma.getmask(observation)):
        predicted_observation_mean = np.dot(observation_matrix, predicted_state_mean) \
            + observation_offset
        predicted_observation_covariance = np.dot(
            observation_matrix, np.dot(predicted_state_covariance, observation_matrix.T)
        ) + observation_covariance
        kalman_gain = np.dot(predicted_state_covariance, np.dot(
            observation_matrix.T, np.linalg.pinv(predicted_observation_covariance)))
        corrected_state_mean = predicted_state_mean + np.dot(
            kalman_gain, observation - predicted_observation_mean)
        corrected_state_covariance = predicted_state_covariance - np.dot(
            kalman_gain, np.dot(observation_matrix, predicted_state_covariance))
    else:
        n_dim_state = predicted_state_covariance.shape[0]
        n_dim_obs = observation_matrix.shape[0]
        kalman_gain = np.zeros((n_dim_state, n_dim_obs))
        corrected_state_mean = predicted_state_mean
        corrected_state_covariance = predicted_state_covariance
    return (kalman_gain, corrected_state_mean, corrected_state_covariance)


def kalman_filter(transition_matrices, observation_matrices, transition_covariance,
                  observation_covariance, transition_offsets, observation_offsets,
                  initial_state_mean, initial_state_covariance, observations):
    # pykalman.standard._filter: preallocated (T, n) and (T, n, n) arrays, one step per t
    n_timesteps = observations.shape[0]
    n_dim_state = len(initial_state_mean)
    n_dim_obs = observations.shape[1]
    predicted_state_means = np.zeros((n_timesteps, n_dim_state))
    predicted_state_covariances = np.zeros((n_timesteps, n_dim_state, n_dim_state))
    kalman_gains = np.zeros((n_timesteps, n_dim_state, n_dim_obs))
    filtered_state_means = np.zeros((n_timesteps, n_dim_state))
    filtered_state_covariances = np.zeros((n_timesteps, n_dim_state, n_dim_state))
    for t in range(n_timesteps):
        if t == 0:
            predicted_state_means[t] = initial_state_mean
            predicted_state_covariances[t] = initial_state_covariance
        else:
            transition_matrix = _last_dims(transition_matrices, t - 1)
            transition_offset = _last_dims(transition_offsets, t - 1, ndims=1)
            predicted_state_means[t], predicted_state_covariances[t] = _filter_predict(
                transition_matrix, transition_covariance, transition_offset,
                filtered_state_means[t - 1], filtered_state_covariances[t - 1])
        observation_matrix = _last_dims(observation_matrices, t)
        observation_offset = _last_dims(observation_offsets, t, ndims=1)
        (kalman_gains[t], filtered_state_means[t], filtered_state_covariances[t]) = \
            _filter_correct(observation_matrix, observation_covariance, observation_offset,
                            predicted_state_means[t], predicted_state_covariances[t],
                            observations[t])
    return (predicted_state_means, predicted_state_covariances, kalman_gains,
            filtered_state_means, filtered_state_covariances)


def _smooth_update(transition_matrix, filtered_state_mean, filtered_state_covariance,
                   predicted_state_mean, predicted_state_covariance, next_smoothed_state_mean,
                   next_smoothed_state_covariance):
    # pykalman.standard._smooth_update
    kalman_smoothing_gain = np.dot(filtered_state_covariance, np.dot(
        transition_matrix.T, np.linalg.pinv(predicted_state_covariance)))
    smoothed_state_mean = filtered_state_mean + np.dot(
        kalman_smoothing_gain, next_smoothed_state_mean - predicted_state_mean)
    smoothed_state_covariance = filtered_state_covariance + np.dot(
        kalman_smoothing_gain, np.dot(next_smoothed_state_covariance - predicted_state_covariance,
                                      kalman_smoothing_gain.T))
    return (smoothed_state_mean, smoothed_state_covariance, kalman_smoothing_gain)


def kalman_smooth(transition_matrices, filtered_state_means, filtered_state_covariances,
                  predicted_state_means, predicted_state_covariances):
    # pykalman.standard._smooth: the reversed loop over t
    n_timesteps, n_dim_state = filtered_state_means.shape
    smoothed_state_means = np.zeros((n_timesteps, n_dim_state))
    smoothed_state_covariances = np.zeros((n_timesteps, n_dim_state, n_dim_state))
    kalman_smoothing_gains = np.zeros((n_timesteps - 1, n_dim_state, n_dim_state))
    smoothed_state_means[-1] = filtered_state_means[-1]
    smoothed_state_covariances[-1] = filtered_state_covariances[-1]
    for t in reversed(range(n_timesteps - 1)):
        transition_matrix = _last_dims(transition_matrices, t)
        (smoothed_state_means[t], smoothed_state_covariances[t],
         kalman_smoothing_gains[t]) = _smooth_update(
            transition_matrix, filtered_state_means[t], filtered_state_covariances[t],
            predicted_state_means[t + 1], predicted_state_covariances[t + 1],
            smoothed_state_means[t + 1], smoothed_state_covariances[t + 1])
    return (smoothed_state_means, smoothed_state_covariances, kalman_smoothing_gains)


def _smooth_pair(smoothed_state_covariances, kalman_smoothing_gain):
    # pykalman.standard._smooth_pair
    n_timesteps, n_dim_state, _ = smoothed_state_covariances.shape
    pairwise_covariances = np.zeros((n_timesteps, n_dim_state, n_dim_state))
    for t in range(1, n_timesteps):
        pairwise_covariances[t] = np.dot(smoothed_state_covariances[t],
                                         kalman_smoothing_gain[t - 1].T)
    return pairwise_covariances


def _em_transition_matrix(transition_offsets, smoothed_state_means,
                          smoothed_state_covariances, pairwise_covariances):
    # pykalman.standard._em_transition_matrix
    n_timesteps, n_dim_state, _ = smoothed_state_covariances.shape
    res1 = np.zeros((n_dim_state, n_dim_state))
    res2 = np.zeros((n_dim_state, n_dim_state))
    for t in range(1, n_timesteps):
        transition_offset = _last_dims(transition_offsets, t - 1, ndims=1)
        res1 += (pairwise_covariances[t]
                 + np.outer(smoothed_state_means[t], smoothed_state_means[t - 1])
                 - np.outer(transition_offset, smoothed_state_means[t - 1]))
        res2 += (smoothed_state_covariances[t - 1]
                 + np.outer(smoothed_state_means[t - 1], smoothed_state_means[t - 1]))
    return np.dot(res1, np.linalg.pinv(res2))


def _em_transition_covariance(transition_matrices, transition_offsets, smoothed_state_means,
                              smoothed_state_covariances, pairwise_covariances):
    # pykalman.standard._em_transition_covariance
    n_timesteps, n_dim_state, _ = smoothed_state_covariances.shape
    res = np.zeros((n_dim_state, n_dim_state))
    for t in range(n_timesteps - 1):
        transition_matrix = _last_dims(transition_matrices, t)
        transition_offset = _last_dims(transition_offsets, t, ndims=1)
        err = (smoothed_state_means[t + 1] - np.dot(transition_matrix, smoothed_state_means[t])
               - transition_offset)
        Vt1t_A = np.dot(pairwise_covariances[t + 1], transition_matrix.T)
        res += (np.outer(err, err)
                + np.dot(transition_matrix, np.dot(smoothed_state_covariances[t],
                                                   transition_matrix.T))
                + smoothed_state_covariances[t + 1] - Vt1t_A - Vt1t_A.T)
    return (1.0 / (n_timesteps - 1)) * res


def _em_observation_matrix(observations, observation_offsets, smoothed_state_means,
                           smoothed_state_covariances):
    # pykalman.standard._em_observation_matrix
    _, n_dim_state = smoothed_state_means.shape
    n_timesteps, n_dim_obs = observations.shape
    res1 = np.zeros((n_dim_obs, n_dim_state))
    res2 = np.zeros((n_dim_state, n_dim_state))
    for t in range(n_timesteps):
        if not np.any(np.ma.getmask(observations[t])):
            observation_offset = _last_dims(observation_offsets, t, ndims=1)
            res1 += np.outer(observations[t] - observation_offset, smoothed_state_means[t])
            res2 += (smoothed_state_covariances[t]
                     + np.outer(smoothed_state_means[t], smoothed_state_means[t]))
    return np.dot(res1, np.linalg.pinv(res2))


def _em_initial(smoothed_state_means, smoothed_state_covariances):
    # pykalman _em_initial_state_mean and _em_initial_state_covariance
    x0 = smoothed_state_means[0]
    x0_x0 = smoothed_state_covariances[0] + np.outer(x0, x0)
    mu = smoothed_state_means[0]
    return mu, x0_x0 - np.outer(mu, x0) - np.outer(x0, mu) + np.outer(mu, mu)


def kalman_em_step(F, H, Q, R, b, d, x0, P0, Z):
    # one EM iteration: filter, smooth, pairwise covariances, new F, Q, H
    pm, pc, _, fm, fc = kalman_filter(F, H, Q, R, b, d, x0, P0, Z)
    sm, sc, gains = kalman_smooth(F, fm, fc, pm, pc)
    pair = _smooth_pair(sc, gains)
    F_new = _em_transition_matrix(b, sm, sc, pair)
    Q_new = _em_transition_covariance(F_new, b, sm, sc, pair)
    H_new = _em_observation_matrix(Z, d, sm, sc)
    return F_new, Q_new, H_new, _em_initial(sm, sc)


def kalman_loglikelihood(F, H, Q, R, x0, P0, Z):
    # the innovations form of the log-likelihood, slogdet and solve per step
    n = len(x0)
    x, P = x0, P0
    ll = 0.0
    for t in range(Z.shape[0]):
        if t > 0:
            x = F @ x
            P = F @ P @ F.T + Q
        y = Z[t] - H @ x
        S = H @ P @ H.T + R
        sign, logdet = np.linalg.slogdet(S)
        ll += -0.5 * (logdet + y @ np.linalg.solve(S, y) + len(y) * np.log(2 * np.pi))
        K = np.linalg.solve(S, H @ P).T
        x = x + K @ y
        P = (np.eye(n) - K @ H) @ P
    return ll


def filterpy_predict(x, P, F=1, Q=0, u=0, B=1, alpha=1.0):
    # filterpy.kalman.predict
    if np.isscalar(F):
        F = np.array(F)
    x = np.dot(F, x) + np.dot(B, u)
    P = (alpha * alpha) * np.dot(np.dot(F, P), F.T) + Q
    return x, P


def reshape_z(z, dim_z, ndim):
    # filterpy.common.reshape_z
    z = np.atleast_2d(z)
    if z.shape[1] == dim_z:
        z = z.T
    if z.shape != (dim_z, 1):
        raise ValueError("z must be convertible to shape ({}, 1)".format(dim_z))
    if ndim == 1:
        z = z[:, 0]
    if ndim == 0:
        z = z[0, 0]
    return z


def filterpy_update(x, P, z, R, H=None):
    # filterpy.kalman.update with the Joseph-form covariance
    if H is None:
        H = np.array([1])
    if np.isscalar(H):
        H = np.array([H])
    Hx = np.atleast_1d(np.dot(H, x))
    z = reshape_z(z, Hx.shape[0], x.ndim)
    y = z - Hx
    S = np.dot(np.dot(H, P), H.T) + R
    K = np.dot(np.dot(P, H.T), np.linalg.inv(S))
    x = x + np.dot(K, y)
    KH = np.dot(K, H)
    try:
        I_KH = np.eye(KH.shape[0]) - KH
    except Exception:
        I_KH = np.array(1 - KH)
    P = np.dot(np.dot(I_KH, P), I_KH.T) + np.dot(np.dot(K, R), K.T)
    return x, P


def filterpy_update_steady_state(x, z, K, H):
    # filterpy.kalman.update_steady_state
    y = z - np.dot(H, x)
    return x + np.dot(K, y)


def batch_filter(x, P, zs, Fs, Qs, Hs, Rs):
    # filterpy KalmanFilter.batch_filter as a function: per-step matrices, saved arrays
    n = np.size(zs, 0)
    means = np.zeros((n, x.shape[0]))
    means_p = np.zeros((n, x.shape[0]))
    covariances = np.zeros((n, x.shape[0], x.shape[0]))
    covariances_p = np.zeros((n, x.shape[0], x.shape[0]))
    for i, (z, F, Q, H, R) in enumerate(zip(zs, Fs, Qs, Hs, Rs)):
        x, P = filterpy_predict(x, P, F=F, Q=Q)
        means_p[i, :] = x
        covariances_p[i, :, :] = P
        x, P = filterpy_update(x, P, z, R=R, H=H)
        means[i, :] = x
        covariances[i, :, :] = P
    return (means, covariances, means_p, covariances_p)


def rts_smoother(Xs, Ps, Fs, Qs):
    # filterpy KalmanFilter.rts_smoother: copies updated in place with `x[k] +=`
    n, dim_x = Xs.shape
    K = np.zeros((n, dim_x, dim_x))
    x, P, Pp = Xs.copy(), Ps.copy(), Ps.copy()
    for k in range(n - 2, -1, -1):
        Pp[k] = np.dot(np.dot(Fs[k + 1], P[k]), Fs[k + 1].T) + Qs[k + 1]
        K[k] = np.dot(np.dot(P[k], Fs[k + 1].T), np.linalg.inv(Pp[k]))
        x[k] += np.dot(K[k], x[k + 1] - np.dot(Fs[k + 1], x[k]))
        P[k] += np.dot(np.dot(K[k], P[k + 1] - Pp[k]), K[k].T)
    return (x, P, K, Pp)


def Q_discrete_white_noise(dim, dt=1.0, var=1.0, block_size=1):
    # filterpy.common.Q_discrete_white_noise for dim 2 and 3, blocks by np.kron
    if dim == 2:
        Q = [[.25 * dt ** 4, .5 * dt ** 3],
             [.5 * dt ** 3, dt ** 2]]
    else:
        Q = [[.25 * dt ** 4, .5 * dt ** 3, .5 * dt ** 2],
             [.5 * dt ** 3, dt ** 2, dt],
             [.5 * dt ** 2, dt, 1]]
    return np.kron(np.eye(block_size), np.array(Q) * var)


def cv_model_filter(zs, dt, q_var, r_var):
    # a constant-velocity track: F built from a Python float dt, Q from the helper above
    F = np.array([[1.0, dt], [0.0, 1.0]])
    H = np.array([[1.0, 0.0]])
    Q = Q_discrete_white_noise(2, dt=dt, var=q_var)
    R = np.array([[r_var]])
    x = np.array([zs[0], 0.0])
    P = np.eye(2) * 500.0
    xs = np.zeros((len(zs), 2))
    for i, z in enumerate(zs):
        x, P = filterpy_predict(x, P, F, Q)
        x, P = filterpy_update(x, P, z, R, H)
        xs[i] = x
    return xs, P


def merwe_sigma_points(x, P, alpha=0.1, beta=2.0, kappa=1.0):
    # filterpy MerweScaledSigmaPoints.sigma_points and _compute_weights, rows of the upper
    # Cholesky factor (numpy's lower factor transposed)
    n = x.shape[0]
    if np.isscalar(P):
        P = np.eye(n) * P
    else:
        P = np.atleast_2d(P)
    lambda_ = alpha ** 2 * (n + kappa) - n
    U = np.linalg.cholesky((lambda_ + n) * P).T
    sigmas = np.zeros((2 * n + 1, n))
    sigmas[0] = x
    for k in range(n):
        sigmas[k + 1] = np.subtract(x, -U[k])
        sigmas[n + k + 1] = np.subtract(x, U[k])
    c = .5 / (n + lambda_)
    Wc = np.full(2 * n + 1, c)
    Wm = np.full(2 * n + 1, c)
    Wc[0] = lambda_ / (n + lambda_) + (1 - alpha ** 2 + beta)
    Wm[0] = lambda_ / (n + lambda_)
    return sigmas, Wm, Wc


def julier_sigma_points(x, P, kappa=0.0):
    # filterpy JulierSigmaPoints: weights 1/(2(n+kappa)), centre kappa/(n+kappa)
    n = np.size(x)
    x = np.asarray(x)
    P = np.atleast_2d(P)
    sigmas = np.zeros((2 * n + 1, n))
    U = np.linalg.cholesky((n + kappa) * P).T
    sigmas[0] = x
    for k in range(n):
        sigmas[k + 1] = x + U[k]
        sigmas[n + k + 1] = x - U[k]
    Wm = np.full(2 * n + 1, .5 / (n + kappa))
    Wm[0] = kappa / (n + kappa)
    return sigmas, Wm


def unscented_transform(sigmas, Wm, Wc, noise_cov=None):
    # filterpy.kalman.unscented_transform
    kmax, n = sigmas.shape
    x = np.dot(Wm, sigmas)
    y = sigmas - x[np.newaxis, :]
    P = np.dot(y.T, np.dot(np.diag(Wc), y))
    if noise_cov is not None:
        P += noise_cov
    return (x, P)


def unscented_transform_einsum(sigmas, Wm, Wc, noise_cov):
    # the same covariance by an outer product per sigma point through einsum
    x = Wm @ sigmas
    y = sigmas - x
    return x, np.einsum("k,ki,kj->ij", Wc, y, y) + noise_cov


def _fx_pendulum(x, dt):
    return np.array([x[0] + dt * x[1], x[1] - dt * 9.81 * np.sin(x[0])])


def _hx_polar(x):
    return np.array([np.sqrt(x[0] ** 2 + x[1] ** 2 + 1.0), np.arctan2(x[1], x[0] + 2.0)])


def ukf_step(x, P, z, Q, R, dt=0.05):
    # filterpy UnscentedKalmanFilter.predict/update as one function: sigma points through
    # fx row by row, the cross covariance by a loop of outer products
    sigmas, Wm, Wc = merwe_sigma_points(x, P)
    sigmas_f = np.zeros_like(sigmas)
    for i, s in enumerate(sigmas):
        sigmas_f[i] = _fx_pendulum(s, dt)
    x_p, P_p = unscented_transform(sigmas_f, Wm, Wc, Q)
    sigmas_h = np.atleast_2d([_hx_polar(s) for s in sigmas_f])
    zp, S = unscented_transform(sigmas_h, Wm, Wc, R)
    SI = np.linalg.inv(S)
    Pxz = np.zeros((sigmas_f.shape[1], sigmas_h.shape[1]))
    for i in range(sigmas_f.shape[0]):
        dx = np.subtract(sigmas_f[i], x_p)
        dz = np.subtract(sigmas_h[i], zp)
        Pxz += Wc[i] * np.outer(dx, dz)
    K = np.dot(Pxz, SI)
    y = np.subtract(z, zp)
    x_new = x_p + np.dot(K, y)
    P_new = P_p - np.dot(K, np.dot(S, K.T))
    return x_new, P_new, y


def ekf_range_bearing_update(x, P, z, landmark, R):
    # an EKF update against one landmark: Jacobian filled by hand, the bearing residual wrapped
    px, py = landmark[0], landmark[1]
    dist = (px - x[0]) ** 2 + (py - x[1]) ** 2
    dist_sqrt = np.sqrt(dist)
    hx = np.array([dist_sqrt, np.arctan2(py - x[1], px - x[0]) - x[2]])
    H = np.array([[-(px - x[0]) / dist_sqrt, -(py - x[1]) / dist_sqrt, 0],
                  [(py - x[1]) / dist, -(px - x[0]) / dist, -1]])
    y = z - hx
    y[1] = y[1] % (2 * np.pi)
    y[1] = np.where(y[1] > np.pi, y[1] - 2 * np.pi, y[1])
    S = H @ P @ H.T + R
    K = P @ H.T @ np.linalg.inv(S)
    x = x + K @ y
    P = (np.eye(3) - K @ H) @ P
    return x, P


def information_filter(zs, F, Q, H, R_inv, x0, P0_inv):
    # filterpy InformationFilter: update in information form, predict through inverses
    n = len(x0)
    P_inv = P0_inv.copy()
    x = x0.copy()
    xs = np.zeros((len(zs), n))
    for t, z in enumerate(zs):
        H_T = H.T
        P_inv = P_inv + np.dot(H_T, R_inv).dot(H)
        P = np.linalg.inv(P_inv)
        K = np.dot(P, H_T).dot(R_inv)
        x = x + np.dot(K, z - np.dot(H, x))
        xs[t] = x
        A = np.dot(F, P).dot(F.T) + Q
        P_inv = np.linalg.inv(A)
        x = np.dot(F, x)
    return xs, P_inv


def information_form_fuse(y_info, Y, zs, H, R_inv):
    # information vector and matrix summed over sensors, then the state by solve
    for z in zs:
        y_info = y_info + H.T @ R_inv @ z
        Y = Y + H.T @ R_inv @ H
    return np.linalg.solve(Y, y_info), Y


def sqrt_kf_update(x, P1_2, z, H, R1_2):
    # filterpy SquareRootKalmanFilter.update: QR of the stacked factors, gain and the new
    # square root read from blocks of R; returned as x and P1_2 P1_2^T
    dim_z, dim_x = H.shape
    M = np.zeros((dim_z + dim_x, dim_z + dim_x))
    M[0:dim_z, 0:dim_z] = R1_2.T
    M[dim_z:, 0:dim_z] = np.dot(H, P1_2).T
    M[dim_z:, dim_z:] = P1_2.T
    _, S = np.linalg.qr(M)
    K = S[0:dim_z, dim_z:].T
    N = S[0:dim_z, 0:dim_z].T
    y = z - np.dot(H, x)
    x = x + np.dot(K, np.linalg.pinv(N)).dot(y)
    P1_2 = S[dim_z:, dim_z:].T
    return x, np.dot(P1_2, P1_2.T)


def sqrt_kf_predict(x, P1_2, F, Q1_2):
    # filterpy SquareRootKalmanFilter.predict: a QR of [F P^1/2, Q^1/2]^T
    dim_x = len(x)
    x = np.dot(F, x)
    T = np.zeros((dim_x, 2 * dim_x))
    T[:, 0:dim_x] = np.dot(F, P1_2)
    T[:, dim_x:] = Q1_2
    _, P1_2 = np.linalg.qr(T.T)
    P1_2 = P1_2[:dim_x, :dim_x].T
    return x, np.dot(P1_2, P1_2.T)


def sqrt_kf_reduced_r(P1_2, F, Q1_2):
    # mode='r' of np.linalg.qr, the factor squared
    R = np.linalg.qr(np.hstack([F @ P1_2, Q1_2]).T, mode="r")
    return R.T @ R


def alpha_beta_filter(zs, x0, dx, dt, g, h):
    # filterpy GHFilter.batch_filter as a loop: predictions and residual gains
    n = len(zs)
    results = np.zeros((n + 1, 2))
    results[0, 0] = x0
    results[0, 1] = dx
    x = x0
    for i, z in enumerate(zs):
        x_est = x + dx * dt
        residual = z - x_est
        dx = dx + h * (residual / dt)
        x = x_est + g * residual
        results[i + 1, 0] = x
        results[i + 1, 1] = dx
    return results


def riccati_steady_state(F, H, Q, R, n_iter):
    # the steady-state gain by iterating the discrete Riccati recursion a fixed number of times
    P = Q.copy()
    for _ in range(n_iter):
        S = H @ P @ H.T + R
        K = P @ H.T @ np.linalg.inv(S)
        P = F @ (P - K @ H @ P) @ F.T + Q
    return P, K


def batched_kalman_step(x, P, z, F, H, Q, R):
    # many independent tracks at once: matmul over a leading axis, batched inverse
    x_p = np.einsum("ij,bj->bi", F, x)
    P_p = F @ P @ F.T + Q
    S = H @ P_p @ H.T + R
    K = P_p @ H.T @ np.linalg.inv(S)
    y = z - x_p @ H.T
    x_new = x_p + np.squeeze(K @ y[..., None], -1)
    P_new = (np.eye(F.shape[0]) - K @ H) @ P_p
    return x_new, P_new


def cholupdate(L, x):
    # the rank-one Cholesky update of square-root UKFs, L and x both written in place
    n = x.size
    for k in range(n):
        r = np.sqrt(L[k, k] ** 2 + x[k] ** 2)
        c = r / L[k, k]
        s = x[k] / L[k, k]
        L[k, k] = r
        L[k + 1:n, k] = (L[k + 1:n, k] + s * x[k + 1:n]) / c
        x[k + 1:n] = c * x[k + 1:n] - s * L[k + 1:n, k]
    return L


def moments2points(mu, sigma, alpha=1.0, beta=0.0, kappa=0.0):
    # pykalman.unscented._moments2points and _unscented_moments: columns of np.tile of mu
    n_dim = len(mu)
    mu = mu.reshape(-1, 1)
    lamda = alpha * alpha * (n_dim + kappa) - n_dim
    c = n_dim + lamda
    sigma2 = np.tile(mu, (1, 2 * n_dim + 1))
    covariance2 = np.linalg.cholesky(sigma).T
    sigma2[:, 1:(n_dim + 1)] += np.sqrt(c) * covariance2
    sigma2[:, (n_dim + 1):] -= np.sqrt(c) * covariance2
    wm = np.ones(2 * n_dim + 1) * 0.5 / c
    wm[0] = lamda / c
    wc = np.copy(wm)
    wc[0] = lamda / c + (1 - alpha * alpha + beta)
    points = sigma2.T
    mu2 = points.T.dot(wm)
    points_diff = points.T - mu2[:, np.newaxis]
    return points, mu2, points_diff.dot(np.diag(wc)).dot(points_diff.T)


def discrete_bayes_step(pdf, likelihood, kernel, offset):
    # filterpy.discrete_bayes predict (np.roll, a wrapped convolution loop) and update
    pdf = np.roll(pdf, offset)
    n = len(pdf)
    width = len(kernel)
    k_off = width // 2
    prior = np.zeros(n)
    for i in range(n):
        for k in range(width):
            index = (i + (width - k) - k_off) % n
            prior[i] += pdf[index] * kernel[k]
    posterior = prior * likelihood
    posterior /= sum(np.asarray(posterior, dtype=float))
    return posterior


def runge_kutta4(y, x, dx, f):
    # filterpy.common.runge_kutta4
    k1 = dx * f(y, x)
    k2 = dx * f(y + 0.5 * k1, x + 0.5 * dx)
    k3 = dx * f(y + 0.5 * k2, x + 0.5 * dx)
    k4 = dx * f(y + k3, x + dx)
    return y + (k1 + 2 * k2 + 2 * k3 + k4) / 6.0


def integrate_damped_pendulum(y0, dt, zs):
    # an EKF-style propagation by RK4 steps, one stored row per measurement time
    ys = np.zeros((len(zs), 2))
    y, t = y0, 0.0
    for i in range(len(zs)):
        y = runge_kutta4(y, t, dt, lambda s, _: np.array([s[1], -np.sin(s[0]) - 0.1 * s[1]]))
        t += dt
        ys[i] = y
    return ys, ys[:, 0] - zs


def mahalanobis(x, mean, cov):
    # filterpy.stats.mahalanobis: float() of the quadratic form, math-free sqrt
    x = np.atleast_1d(np.asarray(x).squeeze())
    mean = np.atleast_1d(np.asarray(mean).squeeze())
    y = x - mean
    S = np.atleast_2d(cov)
    dist = float(np.dot(np.dot(y.T, np.linalg.inv(S)), y))
    return np.sqrt(dist)


def enkf_update(sigmas, z, R, H, e_r):
    # filterpy EnsembleKalmanFilter.update: P_zz from a Python 0 accumulated by outer products,
    # members corrected row by row in place with given perturbations
    N = sigmas.shape[0]
    sigmas_h = sigmas @ H.T
    z_mean = np.mean(sigmas_h, axis=0)
    P_zz = 0
    for sigma in sigmas_h:
        s = sigma - z_mean
        P_zz += np.outer(s, s)
    P_zz = P_zz / (N - 1) + R
    P_xz = 0
    x = np.mean(sigmas, axis=0)
    for i in range(N):
        P_xz += np.outer(sigmas[i] - x, sigmas_h[i] - z_mean)
    P_xz /= N - 1
    K = np.dot(P_xz, np.linalg.inv(P_zz))
    for i in range(N):
        sigmas[i] += np.dot(K, z + e_r[i] - sigmas_h[i])
    return np.mean(sigmas, axis=0)


def imm_mixing(xs, Ps, mu, M):
    # filterpy IMMEstimator._compute_mixing_probabilities and the mixed initial conditions
    cbar = np.dot(mu, M)
    omega = np.zeros((len(mu), len(mu)))
    for i in range(len(mu)):
        for j in range(len(mu)):
            omega[i, j] = (M[i, j] * mu[i]) / cbar[j]
    x_mixed = []
    for w in omega.T:
        x = np.zeros(xs[0].shape)
        for kf_x, wj in zip(xs, w):
            x += kf_x * wj
        x_mixed.append(x)
    P_mixed = []
    for w, xm in zip(omega.T, x_mixed):
        P = np.zeros(Ps[0].shape)
        for x, Pk, wj in zip(xs, Ps, w):
            y = x - xm
            P += wj * (np.outer(y, y) + Pk)
        P_mixed.append(P)
    return x_mixed, P_mixed, cbar


def fading_memory_predict(x, P, F, Q, alpha=1.02):
    # a fading-memory predict whose process noise may be a float: `type(Q) is float` builds
    # the diagonal, an array is used as given
    if type(Q) is float:
        Q = np.eye(len(x)) * Q
    x = F @ x
    P = alpha ** 2 * (F @ P @ F.T) + Q
    return x, P


def update_r_array_or_scalar(x, P, z, H, R):
    # a measurement update taking R as a matrix or as a variance: `type(R) is np.ndarray`
    if type(R) is np.ndarray:
        S = H @ P @ H.T + R
    else:
        S = H @ P @ H.T + np.eye(len(z)) * R
    K = P @ H.T @ np.linalg.inv(S)
    return x + K @ (z - H @ x), (np.eye(len(x)) - K @ H) @ P


def _lds(s, n, ds=3, do=2):
    """A stable linear-Gaussian system and observations: F, H, Q, R, b, d, x0, P0, Z."""
    F = 0.9 * np.linalg.qr(_f(ds, ds, seed=s))[0]
    return (F, _f(do, ds, seed=s + 1), _spd(ds, s + 2, 0.2), _spd(do, s + 3, 0.5),
            0.1 * _f(ds, seed=s + 4), 0.1 * _f(do, seed=s + 5), _f(ds, seed=s + 6), np.eye(ds),
            _f(2 * n, do, seed=s + 7))


def _filtered(s, n):
    F, H, Q, R, b, d, x0, P0, Z = _lds(s, n)
    pm, pc, _, fm, fc = kalman_filter(F, H, Q, R, b, d, x0, P0, Z)
    return F, fm, fc, pm, pc


def _smoothed(s, n):
    F, fm, fc, pm, pc = _filtered(s, n)
    sm, sc, gains = kalman_smooth(F, fm, fc, pm, pc)
    return sm, sc, gains


def _time_varying(s, n):
    F, H, Q, R, b, d, x0, P0, Z = _lds(s, n)
    T = Z.shape[0]
    Fs = F * (1 + 0.05 * np.arange(T))[:, None, None] / (1 + 0.05 * T)
    Hs = np.stack([H] * T) + 0.1 * _f(T, *H.shape, seed=s)
    return Fs, Hs, Q, R, np.tile(b, (T, 1)), d, x0, P0, Z


def _chol(n, s, jitter=1.0):
    return np.linalg.cholesky(_spd(n, s, jitter))


KALMAN = {
    "pykalman_filter_predict": (_filter_predict, {}, lambda s, n: (
        _f(n, n, seed=s), _spd(n, s), _f(n, seed=s + 1), _f(n, seed=s + 2), _spd(n, s + 3))),
    "pykalman_filter_correct_ma_getmask": (_filter_correct, {}, lambda s, n: (
        _f(2, n, seed=s), _spd(2, s), _f(2, seed=s + 1), _f(n, seed=s + 2), _spd(n, s + 3),
        _f(2, seed=s + 4))),
    "pykalman_filter_loop": (kalman_filter, {}, _lds),
    "pykalman_filter_time_varying": (kalman_filter, {}, _time_varying),
    "pykalman_smooth_loop": (kalman_smooth, {}, _filtered),
    "pykalman_smooth_pair": (_smooth_pair, {}, lambda s, n: _smoothed(s, n)[1:]),
    "pykalman_em_transition_matrix": (_em_transition_matrix, {}, lambda s, n: (
        0.1 * _f(3, seed=s), *_smoothed(s, n)[:2],
        _smooth_pair(*_smoothed(s, n)[1:]))),
    "pykalman_em_step": (kalman_em_step, {}, _lds),
    "kalman_loglikelihood_slogdet": (kalman_loglikelihood, {}, lambda s, n: (
        *_lds(s, n)[:4], *_lds(s, n)[6:])),
    "filterpy_predict": (filterpy_predict, {}, lambda s, n: (
        _f(n, seed=s), _spd(n, s), _f(n, n, seed=s + 1), _spd(n, s + 2))),
    "filterpy_predict_control": (filterpy_predict, {}, lambda s, n: (
        _f(n, seed=s), _spd(n, s), _f(n, n, seed=s + 1), _spd(n, s + 2), _f(2, seed=s),
        _f(n, 2, seed=s + 3), 1.02)),
    "filterpy_update_joseph": (filterpy_update, {}, lambda s, n: (
        _f(n, seed=s), _spd(n, s), _f(2, seed=s + 1), _spd(2, s + 2), _f(2, n, seed=s + 3))),
    "filterpy_update_column_z": (filterpy_update, {}, lambda s, n: (
        _f(n, seed=s), _spd(n, s), _f(2, 1, seed=s + 1), _spd(2, s + 2),
        _f(2, n, seed=s + 3))),
    "filterpy_update_steady_state": (filterpy_update_steady_state, {}, lambda s, n: (
        _f(n, seed=s), _f(2, seed=s + 1), 0.3 * _f(n, 2, seed=s + 2), _f(2, n, seed=s + 3))),
    "filterpy_batch_filter": (batch_filter, {}, lambda s, n: (
        _f(3, seed=s), np.eye(3), _f(2 * n, 2, seed=s + 1),
        [0.9 * np.eye(3) + 0.05 * _f(3, 3, seed=s + k) for k in range(2 * n)],
        [_spd(3, s + 2, 0.1)] * (2 * n), [_f(2, 3, seed=s + 3)] * (2 * n),
        [_spd(2, s + 4)] * (2 * n))),
    "filterpy_rts_smoother": (rts_smoother, {}, lambda s, n: (
        _f(2 * n, 3, seed=s), np.stack([_spd(3, s + k) for k in range(2 * n)]),
        np.stack([0.9 * np.eye(3) + 0.05 * _f(3, 3, seed=s + k) for k in range(2 * n)]),
        np.stack([_spd(3, s + 1, 0.1)] * (2 * n)))),
    "filterpy_q_discrete_white_noise": (Q_discrete_white_noise, {}, lambda s, n: (
        3, 0.1 * s, 0.5, n // 2)),
    "filterpy_cv_track_float_dt": (cv_model_filter, {}, lambda s, n: (
        np.cumsum(_f(3 * n, seed=s)) + 0.5 * np.arange(3 * n), 0.1 * s, 0.01, 2.0)),
    "filterpy_merwe_sigma_points": (merwe_sigma_points, {}, lambda s, n: (
        _f(n, seed=s), _spd(n, s))),
    "filterpy_merwe_scalar_P": (merwe_sigma_points, {}, lambda s, n: (
        _f(n, seed=s), 2.0 + s)),
    "filterpy_julier_sigma_points": (julier_sigma_points, {"kappa": 1.0}, lambda s, n: (
        _f(n, seed=s), _spd(n, s))),
    "filterpy_unscented_transform": (unscented_transform, {}, lambda s, n: (
        *merwe_sigma_points(_f(n, seed=s), _spd(n, s)), _spd(n, s + 1))),
    "unscented_transform_einsum": (unscented_transform_einsum, {}, lambda s, n: (
        *merwe_sigma_points(_f(n, seed=s), _spd(n, s)), _spd(n, s + 1))),
    "filterpy_ukf_pendulum_polar": (ukf_step, {}, lambda s, n: (
        np.array([0.3 * s, 0.1 * n]), _spd(2, s, 0.5) * 0.1, np.array([2.5, 0.2 * s]),
        _spd(2, s + 1, 0.1) * 0.01, np.diag([0.1, 0.01]))),
    "ekf_range_bearing": (ekf_range_bearing_update, {}, lambda s, n: (
        np.array([1.0 * s, 2.0, 0.3]), _spd(3, s) * 0.2, np.array([3.0, 0.5 * n]),
        np.array([5.0, 5.0 + n]), np.diag([0.1, 0.05]))),
    "filterpy_information_filter": (information_filter, {}, lambda s, n: (
        _f(2 * n, 2, seed=s), _lds(s, n)[0], _spd(3, s, 0.2), _f(2, 3, seed=s + 1),
        np.linalg.inv(_spd(2, s + 2)), _f(3, seed=s + 3), 0.1 * np.eye(3))),
    "information_form_fusion": (information_form_fuse, {}, lambda s, n: (
        _f(n, seed=s), _spd(n, s), list(_f(3, 2, seed=s + 1)), _f(2, n, seed=s + 2),
        np.linalg.inv(_spd(2, s + 3)))),
    "filterpy_sqrt_update_qr": (sqrt_kf_update, {}, lambda s, n: (
        _f(n, seed=s), _chol(n, s), _f(2, seed=s + 1), _f(2, n, seed=s + 2), _chol(2, s + 3))),
    "filterpy_sqrt_predict_qr": (sqrt_kf_predict, {}, lambda s, n: (
        _f(n, seed=s), _chol(n, s), _f(n, n, seed=s + 1), _chol(n, s + 2, 0.1))),
    "sqrt_predict_qr_mode_r": (sqrt_kf_reduced_r, {}, lambda s, n: (
        _chol(n, s), _f(n, n, seed=s + 1), _chol(n, s + 2, 0.1))),
    "filterpy_alpha_beta": (alpha_beta_filter, {}, lambda s, n: (
        np.cumsum(_f(3 * n, seed=s)) + np.arange(3 * n), 0.0, 1.0, 1.0, 0.2, 0.02)),
    "riccati_fixed_iterations": (riccati_steady_state, {"n_iter": 6}, lambda s, n: (
        *_lds(s, n)[:4],)),
    "sqrt_ukf_cholupdate_in_place": (cholupdate, {}, lambda s, n: (
        np.linalg.cholesky(_spd(n, s)), _f(n, seed=s + 1))),
    "pykalman_moments2points": (moments2points, {"alpha": 0.5, "kappa": 1.0}, lambda s, n: (
        _f(n, seed=s), _spd(n, s))),
    "filterpy_discrete_bayes": (discrete_bayes_step, {}, lambda s, n: (
        _stochastic(2 * n, seed=s), _f(2 * n, seed=s + 1, positive=True),
        np.array([0.1, 0.8, 0.1]), 1)),
    "filterpy_runge_kutta4": (integrate_damped_pendulum, {}, lambda s, n: (
        np.array([1.0, 0.1 * s]), 0.05, _f(3 * n, seed=s))),
    "filterpy_mahalanobis_float": (mahalanobis, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s + 1), _spd(n, s))),
    "filterpy_enkf_update_rows": (enkf_update, {}, lambda s, n: (
        _f(2 * n, 3, seed=s), _f(2, seed=s + 1), np.eye(2) * 0.5, _f(2, 3, seed=s + 2),
        0.3 * _f(2 * n, 2, seed=s + 3))),
    "filterpy_imm_mixing_lists": (imm_mixing, {}, lambda s, n: (
        [_f(n, seed=s + k) for k in range(3)], [_spd(n, s + k) for k in range(3)],
        _stochastic(3, seed=s), _stochastic((3, 3), seed=s + 1))),
    "fading_memory_type_is_float": (fading_memory_predict, {}, lambda s, n: (
            _f(n, seed=s), _spd(n, s), _f(n, n, seed=s + 1), 0.01 * s)),
    "update_type_is_ndarray": (update_r_array_or_scalar, {}, lambda s, n: (
            _f(n, seed=s), _spd(n, s), _f(2, seed=s + 1), _f(2, n, seed=s + 2),
            _spd(2, s + 3))),
    "batched_tracks_kalman_step": (batched_kalman_step, {}, lambda s, n: (
        _f(n, 4, seed=s), np.stack([_spd(4, s + k) for k in range(n)]), _f(n, 2, seed=s + 1),
        np.eye(4) + np.diag([0.1, 0.1], 2), np.eye(2, 4), _spd(4, s, 0.1), _spd(2, s + 1))),
}


@pytest.mark.parametrize("name", _names(KALMAN))
def test_kalman_filters_match_numpy(name):
    """pykalman's filter, smoother and EM updates over preallocated arrays with time-varying
    parameters, filterpy's predict/update, batch filter, RTS smoother, sigma points, unscented
    transform, UKF/EKF steps, information and square-root filters and alpha-beta filters."""
    check_like_numpy(*KALMAN[name])


# --------------------------------------------------------------- steered by Python scalars


def epochs_from_times(raw, events, tmin, tmax, sfreq):
    # mne Epochs: sample offsets from float times by int(round(t * sfreq))
    start = int(round(tmin * sfreq))
    stop = int(round(tmax * sfreq)) + 1
    idx = events[:, None] + np.arange(start, stop)
    epochs = raw[:, idx].transpose(1, 0, 2)
    return epochs - epochs[..., : -start].mean(axis=-1, keepdims=True)


def band_power_positional(data, sfreq, bands):
    # band_power_fft called with its sampling rate and band list positionally
    return band_power_fft(data, sfreq, bands)


def cwt_positional(x, sfreq, freqs, n_cycles):
    # Morlet lengths from np.arange(0, 5 * sigma_t, 1 / sfreq) of Python scalars
    return cwt_fft(x, sfreq, freqs, n_cycles)


def hilbert_n(x, N):
    # scipy.signal.hilbert's N= padding
    xf = np.fft.fft(x, N, axis=-1)
    h = np.zeros(N)
    h[0] = 1
    h[1:(N + 1) // 2] = 2
    if N % 2 == 0:
        h[N // 2] = 1
    return np.abs(np.fft.ifft(xf * h, axis=-1))


def get_chain(chain, discard, thin, flat):
    # emcee Backend.get_value: discard and thin as slice start and step, flat by np.prod
    v = chain[discard + thin - 1::thin]
    if flat:
        s = list(v.shape[1:])
        s[0] = np.prod(v.shape[:2])
        return v.reshape(s)
    return v


def thinned(chain, burn, thin):
    # the plain `chain[burn::thin]` of hand-written samplers
    return chain[burn::thin].mean(axis=0)


def filterpy_update_1d(x, P, z, R, H=None):
    # filterpy.kalman.update for a scalar state: linalg.inv of the 0-d S raises, and the
    # `except` divides, as filterpy's comment says ("can't invert a 1D array, annoyingly")
    if H is None:
        H = np.array([1])
    if np.isscalar(H):
        H = np.array([H])
    Hx = np.atleast_1d(np.dot(H, x))
    z = reshape_z(z, Hx.shape[0], np.ndim(x))
    y = z - Hx
    S = np.dot(np.dot(H, P), H.T) + R
    try:
        K = np.dot(np.dot(P, H.T), np.linalg.inv(S))
    except Exception:
        K = np.dot(np.dot(P, H.T), 1.0 / S)
    x = x + np.dot(K, y)
    KH = np.dot(K, H)
    try:
        I_KH = np.eye(KH.shape[0]) - KH
    except Exception:
        I_KH = np.array(1 - KH)
    P = np.dot(np.dot(I_KH, P), I_KH.T) + np.dot(np.dot(K, R), K.T)
    return x, P


def decimate_epochs(data, offset, decim):
    # mne Epochs.decimate: `data[..., slice(offset, None, decim)]` of the stored slice
    decim_slice = slice(offset, None, decim)
    return data[..., decim_slice]


class EnsembleState:
    """emcee.State: coordinates and log probabilities held in `__slots__`."""

    __slots__ = ("coords", "log_prob", "blobs", "random_state")

    def __init__(self, coords, log_prob=None, blobs=None, random_state=None):
        self.coords = np.atleast_2d(coords)
        self.log_prob = log_prob
        self.blobs = blobs
        self.random_state = random_state


def update_state_object(old_state, new_state, accepted):
    # emcee Move.update on State objects, written in place
    old_state.coords[accepted] = new_state.coords[accepted]
    old_state.log_prob[accepted] = new_state.log_prob[accepted]
    return old_state.coords.mean(axis=0), old_state.log_prob.sum()


def rescale_slice(data, baseline_slice):
    # a baseline passed as a slice object, `data[..., sl]`
    return data - data[..., baseline_slice].mean(axis=-1, keepdims=True)


STEERED = {
    "mne_epochs_tmin_tmax_sfreq": (epochs_from_times, lambda s: (
        _f(3, 80, seed=s), np.array([10, 25, 40]) + s, -0.05, 0.1 * s, 100.0)),
    "band_power_sfreq_bands_positional": (band_power_positional, lambda s: (
        _f(3, 32, seed=s), 64.0 * s, [(1, 9), (9, 24)])),
    "cwt_sfreq_freqs_positional": (cwt_positional, lambda s: (_f(2, 24, seed=s), 100.0 * s, [10.0, 15.0], 2.0 + s)),
    "hilbert_padding_n": (hilbert_n, lambda s: (_f(2, 10, seed=s), 12 + s)),
    "fastica_max_iter_positional": (ica_par_fixed, lambda s: (
        ica_whiten(_f(3, 40, seed=s) ** 3, 3)[1], _f(3, 3, seed=s + 1), 2 + s)),
    "riccati_n_iter_positional": (riccati_steady_state, lambda s: (*_lds(s, 3)[:4], 3 * s)),
    "mcse_n_batches_positional": (mcse_batch_means, lambda s: (_f(31, seed=s), 3 + s)),
    "emcee_get_chain_discard_thin": (get_chain, lambda s: (_f(12, 4, 2, seed=s), s, 1 + s, True)),
    "thinned_burn_thin": (thinned, lambda s: (_f(12, 2, seed=s), 2 * s, 1 + s)),
    "mne_decimate_offset_slice": (decimate_epochs, lambda s: (_f(2, 3, 20, seed=s), s - 1, 2 + s)),
    "mne_baseline_slice_argument": (rescale_slice, lambda s: (_f(2, 3, 12, seed=s), slice(s, 3 + 2 * s))),
    "emcee_log_prob_partial": (mh_with_wrapped_log_prob, lambda s: (
            _f(4, 2, seed=s), functools.partial(log_prob_diag, mu=np.zeros(2),
                                                ivar=_f(2, seed=s, positive=True)),
            _f(3, 4, 2, seed=s + 1), np.log(_u(s, 3, 4)))),
    "emcee_state_slots_object": (update_state_object, lambda s: (
            EnsembleState(_f(4, 2, seed=s), _f(4, seed=s)),
            EnsembleState(_f(4, 2, seed=s + 1), _f(4, seed=s + 1)), _u(s, 4) < 0.5)),
    "filterpy_update_scalar_state": (filterpy_update_1d, lambda s: (10.0 * s, 2.0, 11.0, 0.5 * s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """MNE's epoch offsets by `int(round(tmin * sfreq))`, sampling rates and band lists that
    make frequency masks and wavelet lengths, scipy's Hilbert `N`, fixed iteration counts, and
    emcee's `discard`/`thin` slice bounds: jit makes the Python scalars static and gives NumPy's
    values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def ica_par_tol(X, tol, w_init, max_iter=200):
    # sklearn _ica_par as written: `if lim < tol: break`
    W = _sym_decorrelation(w_init)
    p_ = float(X.shape[1])
    for ii in range(max_iter):
        gwtx, g_wtx = _logcosh(np.dot(W, X))
        W1 = _sym_decorrelation(np.dot(gwtx, X.T) / p_ - g_wtx[:, np.newaxis] * W)
        lim = max(abs(abs(np.diag(np.dot(W1, W.T))) - 1))
        W = W1
        if lim < tol:
            break
    return W, ii + 1


def auto_window(taus, c):
    # emcee autocorr.auto_window
    m = np.arange(len(taus)) < c * taus
    if np.any(m):
        return np.argmin(m)
    return len(taus) - 1


def integrated_time(x, c=5, tol=50):
    # emcee autocorr.integrated_time with its AutocorrError check
    x = np.atleast_1d(x)
    if len(x.shape) == 1:
        x = x[:, np.newaxis, np.newaxis]
    n_t, n_w, n_d = x.shape
    tau_est = np.empty(n_d)
    for d in range(n_d):
        f = np.zeros(n_t)
        for k in range(n_w):
            f += function_1d(x[:, k, d])
        f /= n_w
        taus = 2.0 * np.cumsum(f) - 1.0
        tau_est[d] = taus[auto_window(taus, c)]
    flag = tol * tau_est > n_t
    if np.any(flag):
        raise ValueError("The chain is shorter than %d times the integrated autocorrelation "
                         "time" % tol)
    return tau_est


def residual_resample(weights, u):
    # filterpy residual_resample: copies by the floor of N w, a loop over each count
    N = len(weights)
    indexes = np.zeros(N, "i")
    num_copies = np.floor(N * np.asarray(weights)).astype(int)
    k = 0
    for i in range(N):
        for _ in range(num_copies[i]):
            indexes[k] = i
            k += 1
    residual = weights - num_copies
    residual /= sum(residual)
    cumulative_sum = np.cumsum(residual)
    cumulative_sum[-1] = 1.0
    indexes[k:N] = np.searchsorted(cumulative_sum, u[: N - k])
    return indexes


def metropolis_if(x0, steps, log_u):
    # MH with a Python `if` on the acceptance test
    x = x0
    chain = []
    for t in range(len(steps)):
        prop = x + steps[t]
        if log_u[t] < 0.5 * (x @ x - prop @ prop):
            x = prop
        chain.append(x)
    return np.array(chain)


def csp_by_labels(X, y):
    # mne CSP._compute_covariance_matrices: `X[y == this_class]` per class
    covs = []
    for this_class in (0, 1):
        x_class = X[y == this_class]
        x_class = np.transpose(x_class, [1, 0, 2]).reshape(X.shape[1], -1)
        covs.append(x_class @ x_class.T / x_class.shape[1])
    return np.linalg.eigvalsh(covs[0] + covs[1])


def red_blue_given_inds(coords, inds, u, rint, a=2.0):
    # emcee RedBlueMove.propose with the split drawn beforehand: `coords[inds == j]` sets
    nwalkers, ndim = coords.shape
    out = coords.copy()
    for split in range(2):
        S1 = inds == split
        sets = [coords[inds == j] for j in range(2)]
        s = sets[split]
        c = np.concatenate(sets[:split] + sets[split + 1:], axis=0)
        zz = ((a - 1.0) * u[: len(s)] + 1) ** 2.0 / a
        q = c[rint[: len(s)] % len(c)] - (c[rint[: len(s)] % len(c)] - s) * zz[:, None]
        out[S1] = q
    return out


def ledoit_wolf_shrinkage(X):
    # sklearn ledoit_wolf_shrinkage as written: `min(beta, delta)` and `0 if beta == 0`
    n_samples, n_features = X.shape
    X2 = X ** 2
    emp_cov_trace = np.sum(X2, axis=0) / n_samples
    mu = np.sum(emp_cov_trace) / n_features
    beta_ = np.sum(np.dot(X2.T, X2))
    delta_ = np.sum(np.dot(X.T, X) ** 2) / n_samples ** 2
    beta = 1.0 / (n_features * n_samples) * (beta_ / n_samples - delta_)
    delta = delta_ - 2.0 * mu * emp_cov_trace.sum() + n_features * mu ** 2
    delta /= n_features
    beta = min(beta, delta)
    shrinkage = 0 if beta == 0 else beta / delta
    return shrinkage


def make_projector(vecs, data):
    # mne _make_projector: the rank from the singular values decides the columns kept
    U, S, _ = np.linalg.svd(vecs, full_matrices=False)
    nproj = np.sum((S / S[0]) > 1e-2)
    U = U[:, :nproj]
    return (np.eye(vecs.shape[0]) - U @ U.T) @ data


def drop_bad_epochs(epochs, thresh):
    # mne Epochs.drop_bad: the good epochs kept by a boolean selection
    good = np.all(np.ptp(epochs, axis=-1) < thresh, axis=1)
    return epochs[good]


def log_mvn_full_try(X, means, covars, min_covar=1.0e-7):
    # hmmlearn's density with its try/except Cholesky retry
    n_samples, n_dim = X.shape
    log_prob = np.empty((n_samples, len(means)))
    for c, (mu, cv) in enumerate(zip(means, covars)):
        try:
            cv_chol = np.linalg.cholesky(cv)
        except np.linalg.LinAlgError:
            cv_chol = np.linalg.cholesky(cv + min_covar * np.eye(n_dim))
        cv_log_det = 2 * np.sum(np.log(np.diagonal(cv_chol)))
        cv_sol = np.linalg.solve(cv_chol, (X - mu).T).T
        log_prob[:, c] = -0.5 * (np.sum(cv_sol ** 2, axis=1) + n_dim * np.log(2 * np.pi)
                                 + cv_log_det)
    return log_prob


def validate_covars(covars):
    # hmmlearn _utils._validate_covars for 'full'
    for n, cv in enumerate(covars):
        if not np.allclose(cv, cv.T) or np.any(np.linalg.eigvalsh(cv) <= 0):
            raise ValueError("component %d of 'full' covars must be symmetric, "
                             "positive-definite" % n)
    return covars.sum()


def residual_angle(a, b):
    # filterpy book's residual for a bearing: `if y[1] > np.pi`
    y = a - b
    y[1] = y[1] % (2 * np.pi)
    if y[1] > np.pi:
        y[1] -= 2 * np.pi
    return y


def compute_log_prob(coords, mu):
    # emcee EnsembleSampler.compute_log_prob's NaN check
    log_prob = -0.5 * np.sum((coords - mu) ** 2, axis=1)
    if np.any(np.isnan(log_prob)):
        raise ValueError("Probability function returned NaN")
    return log_prob


def kalman_masked_observations(Z, F, H, Q, R):
    # pykalman: missing observations as a masked array, skipped by `np.ma.getmask`
    Z = np.ma.asarray(Z)
    b, d = np.zeros(len(F)), np.zeros(len(H))
    return kalman_filter(F, H, Q, R, b, d, np.zeros(len(F)), np.eye(len(F)), Z)[3]


def _masked_obs(s):
    F, H, Q, R, *_, Z = _lds(s, 3)
    Z = np.ma.array(Z, mask=np.zeros_like(Z, bool))
    Z[2] = np.ma.masked
    return Z, F, H, Q, R


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError
_Unsupported = tracenp.UnsupportedFunctionError

REFUSED = {
    "fastica_tol_break": (_Concretization, ica_par_tol, lambda s: (
        ica_whiten(_f(3, 40, seed=s) ** 3, 3)[1], 1e-4, _f(3, 3, seed=s + 1))),
    "emcee_auto_window": (_Concretization, auto_window, lambda s: (
        2.0 * np.cumsum(function_1d(_f(30, seed=s))) - 1.0, 5)),
    "emcee_integrated_time_check": (_Concretization, integrated_time, lambda s: (
        _f(200, seed=s), 5, 2)),
    "filterpy_systematic_resample_while": (_Concretization, systematic_resample_loop,
                                           lambda s: (_stochastic(6, seed=s), 0.3)),
    "filterpy_residual_resample": (_Concretization, residual_resample, lambda s: (
        _stochastic(6, seed=s), _u(s, 6))),
    "metropolis_python_if": (_Concretization, metropolis_if, lambda s: (
        np.zeros(2), _f(5, 2, seed=s), np.log(_u(s, 5)))),
    "mne_csp_by_label_selection": (_DataDependent, csp_by_labels, lambda s: (
        _f(6, 3, 10, seed=s), np.array([0, 1, 0, 1, 1, 0]))),
    "emcee_red_blue_given_inds": (_DataDependent, red_blue_given_inds, lambda s: (
        _f(6, 2, seed=s), np.array([0, 1, 1, 0, 1, 0]), _u(s, 6), _i(3, 6, seed=s))),
    "sklearn_ledoit_wolf_min": (_Concretization, ledoit_wolf_shrinkage, lambda s: (
        _f(12, 3, seed=s),)),
    "sklearn_oas_if": (_Concretization, oas, lambda s: (_f(12, 3, seed=s),)),
    "mne_make_projector_rank": (_DataDependent, make_projector, lambda s: (
        _f(4, 2, seed=s), _f(4, 6, seed=s + 1))),
    "mne_drop_bad_epochs": (_DataDependent, drop_bad_epochs, lambda s: (
        _f(5, 2, 8, seed=s), 4.5)),
    "hmmlearn_cholesky_try_except": (_Concretization, log_mvn_full_try, lambda s: (
        _f(5, 2, seed=s), _f(2, 2, seed=s + 1), np.stack([_spd(2, s), _spd(2, s + 1)]))),
    "hmmlearn_validate_covars": (_Concretization, validate_covars, lambda s: (
        np.stack([_spd(2, s), _spd(2, s + 1)]),)),
    "filterpy_residual_bearing_if": (_Concretization, residual_angle, lambda s: (
        np.array([1.0, 2.5 + s]), np.array([0.5, -3.0]))),
    "emcee_log_prob_nan_check": (_Concretization, compute_log_prob, lambda s: (
        _f(4, 2, seed=s), np.zeros(2))),
    "pykalman_masked_observations": (_Unsupported, kalman_masked_observations, _masked_obs),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """FastICA's `if lim < tol: break`, emcee's `auto_window`, `integrated_time` check, NaN
    check and RedBlueMove sets by `coords[inds == j]`, filterpy's resampling loops and bearing
    residual, MH with a Python `if`, CSP's `X[y == c]`, sklearn's `min(beta, delta)` and OAS
    `if`, MNE's baseline from `np.where(times >= bmin)`, projector rank and dropped epochs,
    hmmlearn's Cholesky retry in try/except and covariance validation, and pykalman's masked
    observations: the named error, and NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
