"""Corpus, science and engineering: signal and image processing, numerical methods, physics,
geometry, astronomy and geodesy, written the way public NumPy code in those fields writes them.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape, under `tracenp.jit`, and must match eager NumPy in value and dtype.
"""

from __future__ import annotations

import functools
from math import factorial

import numpy as np
import pytest

import tracenp
from numpy.lib.stride_tricks import sliding_window_view
from test_corpus import _f, _i, check_against_numpy, check_steered
from test_ops import assert_same

# ----------------------------------------------------------------------------- signals


def fir_same(x, h):
    return np.convolve(x, h, mode="same")


def moving_average_valid(x, w=4):
    return np.convolve(x, np.ones(w) / w, mode="valid")


def hann_psd(x, fs=100.0):
    win = np.hanning(len(x))
    spec = np.fft.rfft(x * win)
    psd = (np.abs(spec) ** 2) / (fs * np.sum(win ** 2))
    psd[1:-1] *= 2
    return np.fft.rfftfreq(len(x), 1 / fs), psd


def welch_segments(x, nperseg=8):
    nseg = len(x) // nperseg
    segs = x[:nseg * nperseg].reshape(nseg, nperseg)
    segs = segs - segs.mean(axis=1, keepdims=True)
    win = np.hamming(nperseg)
    p = np.abs(np.fft.rfft(segs * win, axis=1)) ** 2
    return p.mean(axis=0) / (win ** 2).sum()


def resample_interp(x, factor=3):
    n = len(x)
    t_old = np.arange(n)
    t_new = np.linspace(0, n - 1, n * factor)
    return np.interp(t_new, t_old, x)


def preemphasis(signal, coeff=0.97):
    return np.append(signal[0], signal[1:] - coeff * signal[:-1])


def odd_extension_smooth(x, k=3):
    """filtfilt's edge handling: extend by odd reflection, smooth, cut back."""
    ext = np.pad(x, k, mode="reflect", reflect_type="odd")
    sym = np.pad(x, (1, 2), mode="symmetric", reflect_type="odd")
    return np.convolve(ext, np.ones(2 * k + 1) / (2 * k + 1), mode="same")[k:-k], sym


def zero_crossing_rate(x):
    return np.mean(np.abs(np.diff(np.sign(x)))) / 2


def frame_rms(x, frame=4, hop=2):
    frames = sliding_window_view(x, frame)[::hop]
    return np.sqrt(np.mean(frames ** 2, axis=1))


def decimate_by_mean(x, k=3):
    n = x.shape[0] // k * k
    return x[:n].reshape(-1, k).mean(axis=1)


def spectrogram(x, nfft=8, hop=4):
    frames = sliding_window_view(x, nfft)[::hop] * np.hanning(nfft)
    return 20 * np.log10(np.abs(np.fft.rfft(frames, axis=-1)) + 1e-12)


def xcorr_lag(a, b):
    c = np.correlate(a - a.mean(), b - b.mean(), mode="full")
    return np.argmax(c) - (len(b) - 1), c.max() / (np.std(a) * np.std(b) * len(a))


def snr_db(signal, noise):
    return 10 * np.log10(np.sum(signal ** 2) / np.sum(noise ** 2))


def to_int16(x):
    y = x / np.max(np.abs(x))
    return (y * 32767).astype(np.int16)


def amplitude_db(x, floor=1e-10):
    return 20.0 * np.log10(np.maximum(np.abs(x), floor))


def analytic_envelope(x):
    n = x.shape[-1]
    h = np.zeros(n)
    if n % 2 == 0:
        h[0] = h[n // 2] = 1
        h[1:n // 2] = 2
    else:
        h[0] = 1
        h[1:(n + 1) // 2] = 2
    return np.abs(np.fft.ifft(np.fft.fft(x) * h))


def windowed_sinc_lowpass(x, fc=0.1, numtaps=7):
    n = np.arange(numtaps) - (numtaps - 1) / 2
    h = np.sinc(2 * fc * n) * np.blackman(numtaps)
    h /= np.sum(h)
    return np.convolve(x, h, mode="same")


def peak_mask(x):
    peaks = np.zeros(x.shape, dtype=bool)
    peaks[1:-1] = (x[1:-1] > x[:-2]) & (x[1:-1] > x[2:])
    return peaks, np.count_nonzero(peaks)


def parabolic_peak(spec, fs=100.0):
    """Sub-bin peak frequency by a parabola through the three bins around the maximum."""
    k = np.clip(np.argmax(spec), 1, len(spec) - 2)
    a, b, c = spec[[k - 1, k, k + 1]]
    p = 0.5 * (a - c) / (a - 2 * b + c)
    return (k + p) * fs / (2 * (len(spec) - 1)), b - 0.25 * (a - c) * p


def window_family(x):
    n = len(x)
    return (x * np.bartlett(n), x * np.kaiser(n, 5.0), x * np.hamming(n).astype(np.float32))


def one_pole_lowpass(x, alpha=0.2):
    y = np.empty_like(x)
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] = y[i - 1] + alpha * (x[i] - y[i - 1])
    return y


def detrend_mean_f32(x):
    x = np.asarray(x, dtype=np.float32)
    return x - x.mean(axis=-1, keepdims=True)


# ----------------------------------------------------------------------------- images


def gaussian_kernel(size=5, sigma=1.0):
    ax = np.arange(-size // 2 + 1.0, size // 2 + 1.0)
    xx, yy = np.meshgrid(ax, ax)
    kernel = np.exp(-(xx ** 2 + yy ** 2) / (2.0 * sigma ** 2))
    return kernel / np.sum(kernel)


def gaussian_blur(img, size=3, sigma=1.0):
    k = gaussian_kernel(size, sigma)
    pad = size // 2
    p = np.pad(img, pad, mode="reflect")
    out = np.zeros_like(img, dtype=np.float64)
    h, w = img.shape
    for i in range(size):
        for j in range(size):
            out += k[i, j] * p[i:i + h, j:j + w]
    return out


def binary_dilate(mask):
    out = mask.copy()
    out[1:, :] |= mask[:-1, :]
    out[:-1, :] |= mask[1:, :]
    out[:, 1:] |= mask[:, :-1]
    out[:, :-1] |= mask[:, 1:]
    return out


def grey_erode(img):
    p = np.pad(img, 1, mode="edge")
    h, w = img.shape
    shifts = [p[i:i + h, j:j + w] for i in range(3) for j in range(3)]
    return functools.reduce(np.minimum, shifts)


def morph_gradient_roll(img):
    dil = np.maximum.reduce([np.roll(img, s, axis=a) for s in (-1, 1) for a in (0, 1)] + [img])
    ero = np.minimum.reduce([np.roll(img, s, axis=a) for s in (-1, 1) for a in (0, 1)] + [img])
    return dil - ero


def equalize_hist(img):
    hist, bins = np.histogram(img.flatten(), 256, [0, 256])
    cdf = hist.cumsum()
    cdf_m = (cdf - cdf.min()) * 255 / (cdf.max() - cdf.min())
    lut = cdf_m.astype("uint8")
    return lut[img]


def otsu_threshold(img):
    hist = np.bincount(img.ravel(), minlength=256).astype(np.float64)
    p = hist / hist.sum()
    omega = np.cumsum(p)
    mu = np.cumsum(p * np.arange(256))
    mu_t = mu[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma_b = (mu_t * omega - mu) ** 2 / (omega * (1.0 - omega))
    t = np.nanargmax(sigma_b)
    return t, (img > t).astype(np.uint8) * 255


def rgb_to_hsv_sv(rgb):
    rgb = rgb.astype(np.float32) / 255.0
    maxc = rgb.max(axis=-1)
    minc = rgb.min(axis=-1)
    v = maxc
    s = np.where(maxc > 0, (maxc - minc) / np.where(maxc > 0, maxc, 1), 0)
    return s, v


def gradient_orientation(img):
    gy, gx = np.gradient(img)
    mag = np.sqrt(gx ** 2 + gy ** 2)
    ang = np.rad2deg(np.arctan2(gy, gx)) % 180
    return mag, ang


def unsharp_mask_u8(img, amount=1.5):
    f = img.astype(np.float64)
    blur = f.copy()
    blur[1:-1, 1:-1] = (f[:-2, 1:-1] + f[2:, 1:-1] + f[1:-1, :-2] + f[1:-1, 2:] + f[1:-1, 1:-1]) / 5
    sharp = f + amount * (f - blur)
    return np.clip(sharp, 0, 255).round().astype(np.uint8)


def integral_box_sum(img, r=1):
    ii = np.pad(img.cumsum(axis=0).cumsum(axis=1), ((1, 0), (1, 0)))
    k = 2 * r + 1
    return ii[k:, k:] - ii[:-k, k:] - ii[k:, :-k] + ii[:-k, :-k]


def bilinear_resize(img, out_h=5, out_w=7):
    h, w = img.shape
    ys = np.linspace(0, h - 1, out_h)
    xs = np.linspace(0, w - 1, out_w)
    y0 = np.floor(ys).astype(int)
    x0 = np.floor(xs).astype(int)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    wy = (ys - y0)[:, None]
    wx = (xs - x0)[None, :]
    a = img[y0[:, None], x0[None, :]]
    b = img[y0[:, None], x1[None, :]]
    c = img[y1[:, None], x0[None, :]]
    d = img[y1[:, None], x1[None, :]]
    return a * (1 - wy) * (1 - wx) + b * (1 - wy) * wx + c * wy * (1 - wx) + d * wy * wx


def local_binary_pattern(img):
    p = np.pad(img, 1, mode="edge")
    h, w = img.shape
    c = p[1:-1, 1:-1]
    offsets = [(0, 0), (0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (1, 0)]
    code = np.zeros((h, w), dtype=np.uint8)
    for bit, (dy, dx) in enumerate(offsets):
        code |= ((p[dy:dy + h, dx:dx + w] >= c).astype(np.uint8) << bit)
    return code


def rotate_nearest(img, angle):
    h, w = img.shape[:2]
    cy, cx = (h - 1) / 2, (w - 1) / 2
    yy, xx = np.indices((h, w))
    c, s = np.cos(angle), np.sin(angle)
    xi = np.rint(c * (xx - cx) + s * (yy - cy) + cx).astype(int)
    yi = np.rint(-s * (xx - cx) + c * (yy - cy) + cy).astype(int)
    valid = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
    out = np.zeros_like(img)
    out[valid] = img[yi[valid], xi[valid]]
    return out, img[yi[valid], xi[valid]].mean(axis=0)


def normalize_channels(img):
    img = img.astype(np.float32) / 255.0
    mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
    std = np.array([0.229, 0.224, 0.225], dtype=np.float32)
    return ((img - mean[None, None, :]) / std).transpose(2, 0, 1)


def median3x3(img):
    p = np.pad(img, 1, mode="reflect")
    return np.median(sliding_window_view(p, (3, 3)), axis=(-2, -1))


def blur_variance(img):
    lap = img[:-2, 1:-1] + img[2:, 1:-1] + img[1:-1, :-2] + img[1:-1, 2:] - 4 * img[1:-1, 1:-1]
    return lap.var()


def brighten_u8(img, gain=1.4):
    return np.uint8(np.clip(img * gain, 0, 255))


def window_level(img, lo=-20, hi=300):
    """A display window written for int16 CT data, applied to 8-bit images too."""
    w = np.clip(img, lo, hi)
    return w, (w - w.min()) / max(hi - lo, 1)


def binarize_u8(img):
    return (img > img.mean()).astype(np.uint8) * 255


def histogram_stretch(img):
    lo, hi = np.percentile(img, (2, 98))
    out = (img.astype(np.float64) - lo) / (hi - lo)
    out[out < 0] = 0
    out[out > 1] = 1
    return (out * 255).astype(np.uint8)


# ----------------------------------------------------------------------------- physics


def game_of_life(grid, steps=3):
    for _ in range(steps):
        n = sum(np.roll(np.roll(grid, i, 0), j, 1)
                for i in (-1, 0, 1) for j in (-1, 0, 1) if (i, j) != (0, 0))
        grid = ((n == 3) | (grid & (n == 2))).astype(grid.dtype)
    return grid


def ising_energy(spins, J=1.0, h=0.0):
    nb = np.roll(spins, 1, axis=0) + np.roll(spins, 1, axis=1)
    return -J * np.sum(spins * nb) - h * np.sum(spins), spins.mean()


def ising_sweep(spins, u, beta=0.4):
    s = spins.copy()
    n, m = s.shape
    checker = (np.add.outer(np.arange(n), np.arange(m)) % 2).astype(bool)
    for color in (False, True):
        nb = np.roll(s, 1, 0) + np.roll(s, -1, 0) + np.roll(s, 1, 1) + np.roll(s, -1, 1)
        dE = 2 * s * nb
        flip = (dE <= 0) | (u < np.exp(-beta * dE))
        s[flip & (checker == color)] *= -1
    return s


def jacobi_poisson(f, h=0.1, iters=15):
    u = np.zeros_like(f)
    for _ in range(iters):
        u[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:]
                                - h * h * f[1:-1, 1:-1])
    return u


def red_black_gauss_seidel(f, iters=6):
    u = np.zeros_like(f)
    ii, jj = np.meshgrid(np.arange(f.shape[0]), np.arange(f.shape[1]), indexing="ij")
    interior = np.zeros(f.shape, dtype=bool)
    interior[1:-1, 1:-1] = True
    for _ in range(iters):
        for parity in (0, 1):
            avg = 0.25 * (np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1)
                          + np.roll(u, -1, 1) - f)
            sel = interior & ((ii + jj) % 2 == parity)
            u[sel] = avg[sel]
    return u


def newton_sqrt(a, iters=8):
    x = np.where(a > 1, a, 1.0)
    for _ in range(iters):
        x = x - (x * x - a) / (2 * x)
    return x


def bisection_cubic(c, lo=-10.0, hi=10.0, iters=40):
    lo = np.full_like(c, lo)
    hi = np.full_like(c, hi)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        fm = mid ** 3 + mid - c
        lo = np.where(fm < 0, mid, lo)
        hi = np.where(fm < 0, hi, mid)
    return 0.5 * (lo + hi)


def simpson(y, dx):
    n = len(y)
    if n % 2 == 0:
        raise ValueError("need an odd number of samples")
    return dx / 3 * (y[0] + y[-1] + 4 * y[1:-1:2].sum() + 2 * y[2:-1:2].sum())


def trapezoid_xy(x, y):
    return np.trapezoid(y, x), np.trapezoid(y, dx=0.5, axis=-1)


def cumulative_trapezoid(x, y):
    return np.concatenate(([0.0], np.cumsum(0.5 * (y[1:] + y[:-1]) * np.diff(x))))


def cumulative_work(force, dx):
    """Work along a path, starting at 0 (NumPy 2's array-API scan)."""
    segments = 0.5 * (force[..., 1:] + force[..., :-1]) * dx
    return np.cumulative_sum(segments, axis=-1, include_initial=True)


def poly1d_fit(x, y, deg=2):
    p = np.poly1d(np.polyfit(x, y, deg))
    return p(x), p.deriv()(x)


def detrend_poly(t, y, deg=2):
    p = np.polyfit(t, y, deg)
    return y - np.polyval(p, t), p, np.vander(t, deg + 1)


def polynomial_module(x, c):
    return np.polynomial.polynomial.polyval(x, c), np.polynomial.chebyshev.chebval(x, c)


def polynomial_fit(x, y):
    """The fits check the rank lstsq finds (a traced value) to warn on a poor condition: no
    warning under jit, as for np.polyfit (refused until hunt N)."""
    return np.polynomial.chebyshev.chebfit(x, y, 2)


def central_difference(f, dx):
    df = np.empty_like(f)
    df[1:-1] = (f[2:] - f[:-2]) / (2 * dx)
    df[0] = (f[1] - f[0]) / dx
    df[-1] = (f[-1] - f[-2]) / dx
    return df, np.gradient(f, dx, edge_order=2)


def leapfrog_oscillators(x, v, k, dt=0.05, steps=10):
    a = -k * x
    for _ in range(steps):
        v_half = v + 0.5 * dt * a
        x = x + dt * v_half
        a = -k * x
        v = v_half + 0.5 * dt * a
    energy = 0.5 * v ** 2 + 0.5 * k * x ** 2
    return x, v, energy


def spring_chain_modes(k):
    n = k.shape[0] - 1
    K = np.diag(k[:-1] + k[1:]) - np.diag(k[1:-1], 1) - np.diag(k[1:-1], -1)
    w2 = np.linalg.eigvalsh(K)
    return np.sqrt(np.abs(w2)), K.shape[0] == n


def truncated_lstsq(A, b, rcond=0.05):
    """Least squares by a truncated pseudo-inverse, and the numerical rank it keeps."""
    return np.linalg.pinv(A, rcond=rcond) @ b, np.linalg.matrix_rank(A, tol=rcond * 10)


def peak_above_floor(img, floor=0.0):
    return np.nanmax(img, axis=0, initial=floor), np.nanmin(img, initial=floor)


def tridiagonal_solve(d, rhs):
    n = d.shape[0]
    A = np.diag(d) + np.diag(-np.ones(n - 1), 1) + np.diag(-np.ones(n - 1), -1)
    return np.linalg.solve(A, rhs)


def lorenz_trajectory(state, dt=0.01, steps=12, sigma=10.0, rho=28.0, beta=8 / 3):
    traj = np.empty((steps + 1, 3))
    traj[0] = state
    x, y, z = state
    for i in range(steps):
        dx = sigma * (y - x)
        dy = x * (rho - z) - y
        dz = x * y - beta * z
        x, y, z = x + dx * dt, y + dy * dt, z + dz * dt
        traj[i + 1] = x, y, z
    return traj


def pair_distance_histogram(pos, rmax=4.0, nbins=8):
    n = len(pos)
    d = np.sqrt(((pos[:, np.newaxis, :] - pos[np.newaxis, :, :]) ** 2).sum(-1))
    iu = np.triu_indices(n, k=1)
    hist, edges = np.histogram(d[iu], bins=nbins, range=(0, rmax))
    return hist, 0.5 * (edges[1:] + edges[:-1])


def center_of_mass(pos, m):
    com = np.average(pos, axis=0, weights=m)
    r = pos - com
    inertia = np.einsum("i,ij,ik->jk", m, r, r)
    return com, np.trace(inertia) * np.eye(3) - inertia


def upwind_advection(u, c=0.4, steps=6):
    for _ in range(steps):
        u = u - c * (u - np.roll(u, 1))
    return u


def crank_nicolson(u, r=0.5, steps=4):
    n = u.shape[0]
    I = np.eye(n)
    L = -2 * I + np.eye(n, k=1) + np.eye(n, k=-1)
    A = I - 0.5 * r * L
    B = I + 0.5 * r * L
    for _ in range(steps):
        u = np.linalg.solve(A, B @ u)
    return u


def monte_carlo_pi(x, y):
    inside = x ** 2 + y ** 2 <= 1.0
    return 4.0 * np.mean(inside), np.count_nonzero(inside)


def lennard_jones_energy(pos, eps=1.0, sigma=1.0):
    d = pos[:, None, :] - pos[None, :, :]
    r2 = np.sum(d * d, axis=-1)
    iu = np.triu_indices(pos.shape[0], 1)
    sr6 = (sigma ** 2 / r2[iu]) ** 3
    return 4 * eps * np.sum(sr6 * sr6 - sr6)


def projectile_until_ground(v0, angle, dt=0.05, g=9.81):
    vx, vy = v0 * np.cos(angle), v0 * np.sin(angle)
    x = y = 0.0
    for _ in range(1000):
        x, y = x + vx * dt, y + vy * dt
        vy = vy - g * dt
        if y < 0:
            break
    return x


def temperature_relaxation(T, k=0.1, T_env=20, steps=5):
    T = T.astype(np.float32)
    for _ in range(steps):
        T += k * (T_env - T)
    return T


# ----------------------------------------------------------------------------- geometry


def rotation_z(theta, pts):
    c, s = np.cos(theta), np.sin(theta)
    R = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    return pts @ R.T


def euler_to_matrix(roll, pitch, yaw):
    cr, sr = np.cos(roll), np.sin(roll)
    cp, sp = np.cos(pitch), np.sin(pitch)
    cy, sy = np.cos(yaw), np.sin(yaw)
    Rx = np.array([[1, 0, 0], [0, cr, -sr], [0, sr, cr]])
    Ry = np.array([[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]])
    Rz = np.array([[cy, -sy, 0], [sy, cy, 0], [0, 0, 1]])
    return Rz @ Ry @ Rx


def quaternion_to_matrix(q):
    q = q / np.linalg.norm(q, axis=-1, keepdims=True)
    w, x, y, z = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    R = np.stack([
        1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
        2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
        2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], axis=-1)
    return R.reshape(q.shape[:-1] + (3, 3))


def triple_product(a, b, c):
    n = np.cross(a, b)
    return np.einsum("ij,ij->i", n, c), np.linalg.norm(n, axis=1)


def shoelace_dot(x, y):
    return 0.5 * np.abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


def sort_ccw(pts):
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    return pts[np.argsort(ang)]


def orientation_tests(p, q, r):
    cross = (q[:, 0] - p[:, 0]) * (r[:, 1] - p[:, 1]) - (q[:, 1] - p[:, 1]) * (r[:, 0] - p[:, 0])
    return np.sign(cross).astype(int), cross > 0


def lexsort_points(pts):
    order = np.lexsort((pts[:, 1], pts[:, 0]))
    return pts[order]


def points_in_polygon(pts, poly):
    x, y = pts[:, 0], pts[:, 1]
    inside = np.zeros(len(pts), dtype=bool)
    n = len(poly)
    j = n - 1
    for i in range(n):
        xi, yi = poly[i]
        xj, yj = poly[j]
        crosses = ((yi > y) != (yj > y)) & (x < (xj - xi) * (y - yi) / (yj - yi) + xi)
        inside ^= crosses
        j = i
    return inside


def angle_between(u, v):
    cos = np.sum(u * v, axis=1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def bounding_box(pts):
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    return np.concatenate([lo, hi]), np.ptp(pts, axis=0).prod()


def kabsch(P, Q):
    Pc = P - P.mean(axis=0)
    Qc = Q - Q.mean(axis=0)
    H = Pc.T @ Qc
    U, S, Vt = np.linalg.svd(H)
    d = np.sign(np.linalg.det(Vt.T @ U.T))
    D = np.diag([1.0, 1.0, d])
    R = Vt.T @ D @ U.T
    rmsd = np.sqrt(np.mean(np.sum((Pc @ R.T - Qc) ** 2, axis=1)))
    return R, rmsd


def nearest_neighbor(X):
    d = np.sqrt(((X[:, np.newaxis] - X[np.newaxis]) ** 2).sum(axis=2))
    np.fill_diagonal(d, np.inf)
    return d.argmin(axis=1), d.min(axis=1)


def heron_area(a, b, c):
    s = (a + b + c) / 2
    return np.sqrt(np.clip(s * (s - a) * (s - b) * (s - c), 0, None))


def signed_angles_2d(v):
    ang = np.arctan2(v[1:, 1], v[1:, 0]) - np.arctan2(v[:-1, 1], v[:-1, 0])
    return (ang + np.pi) % (2 * np.pi) - np.pi


def mesh_vertex_normals(verts, faces):
    tris = verts[faces]
    fn = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    vn = np.zeros_like(verts)
    np.add.at(vn, faces[:, 0], fn)
    np.add.at(vn, faces[:, 1], fn)
    np.add.at(vn, faces[:, 2], fn)
    return vn / np.maximum(np.linalg.norm(vn, axis=1, keepdims=True), 1e-12)


def radial_profile(img):
    yy, xx = np.indices(img.shape)
    cy, cx = (np.array(img.shape) - 1) / 2.0
    r = np.hypot(yy - cy, xx - cx)
    bins = np.arange(0, r.max() + 1.5)
    sums, _ = np.histogram(r, bins=bins, weights=img)
    counts, _ = np.histogram(r, bins=bins)
    return sums / np.maximum(counts, 1)


def weighted_density(x, w):
    hist, edges = np.histogram(x, bins=np.linspace(-3, 3, 13), weights=w, density=True)
    centers = 0.5 * (edges[1:] + edges[:-1])
    return hist, np.sum(hist * np.diff(edges)), centers[np.argmax(hist)]


def polynomial_kinematics(coeffs, t):
    pos = np.polyval(coeffs, t)
    vel = np.polyval(np.polyder(coeffs), t)
    acc = np.polyval(np.polyder(coeffs, 2), t)
    area = np.polyval(np.polyint(coeffs), t[-1]) - np.polyval(np.polyint(coeffs), t[0])
    return pos, vel, acc, area


def periodic_stencil(u):
    n = len(u)
    ext = np.take(u, np.arange(-1, n + 1), mode="wrap")
    return ext[2:] - 2 * ext[1:-1] + ext[:-2]


def clamped_lookup(table, x, x0=0.0, dx=0.5):
    idx = np.floor((x - x0) / dx).astype(int)
    return np.take(table, idx, mode="clip")


def turn_directions(pts):
    edges = np.diff(pts, axis=0)
    return np.sign(np.cross(edges[:-1], edges[1:]))


# ----------------------------------------------------------------------------- astronomy, geo


def angular_separation(ra1, dec1, ra2, dec2):
    """Vincenty's formula, as astropy writes it."""
    sdlon, cdlon = np.sin(ra2 - ra1), np.cos(ra2 - ra1)
    slat1, slat2 = np.sin(dec1), np.sin(dec2)
    clat1, clat2 = np.cos(dec1), np.cos(dec2)
    num1 = clat2 * sdlon
    num2 = clat1 * slat2 - slat1 * clat2 * cdlon
    denominator = slat1 * slat2 + clat1 * clat2 * cdlon
    return np.arctan2(np.hypot(num1, num2), denominator)


def radec_to_xyz_and_back(ra_deg, dec_deg):
    ra, dec = np.deg2rad(ra_deg), np.deg2rad(dec_deg)
    xyz = np.column_stack([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)])
    ra2 = np.rad2deg(np.arctan2(xyz[:, 1], xyz[:, 0])) % 360.0
    dec2 = np.rad2deg(np.arcsin(xyz[:, 2]))
    return xyz, ra2, dec2


_EQ_TO_GAL = np.array([[-0.0548755604, -0.8734370902, -0.4838350155],
                       [0.4941094279, -0.4448296300, 0.7469822445],
                       [-0.8676661490, -0.1980763734, 0.4559837762]])


def equatorial_to_galactic(ra, dec):
    v = np.array([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)])
    g = _EQ_TO_GAL @ v
    l = np.arctan2(g[1], g[0]) % (2 * np.pi)
    b = np.arcsin(g[2])
    return l, b


def mag_flux(mag, zp=25.0):
    flux = 10 ** (-0.4 * (mag - zp))
    return flux, -2.5 * np.log10(flux) + zp


def julian_day(year, month, day):
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    return day + (153 * m + 2) // 5 + 365 * y + y // 4 - y // 100 + y // 400 - 32045


def destination_point(lat, lon, bearing, dist_km, R=6371.0):
    lat, lon, brg = np.radians(lat), np.radians(lon), np.radians(bearing)
    d = dist_km / R
    lat2 = np.arcsin(np.sin(lat) * np.cos(d) + np.cos(lat) * np.sin(d) * np.cos(brg))
    lon2 = lon + np.arctan2(np.sin(brg) * np.sin(d) * np.cos(lat),
                            np.cos(d) - np.sin(lat) * np.sin(lat2))
    return np.degrees(lat2), (np.degrees(lon2) + 540) % 360 - 180


def geodetic_to_ecef(lat, lon, h):
    a = 6378137.0
    f = 1 / 298.257223563
    e2 = f * (2 - f)
    lat, lon = np.radians(lat), np.radians(lon)
    N = a / np.sqrt(1 - e2 * np.sin(lat) ** 2)
    x = (N + h) * np.cos(lat) * np.cos(lon)
    y = (N + h) * np.cos(lat) * np.sin(lon)
    z = (N * (1 - e2) + h) * np.sin(lat)
    return np.stack((x, y, z), axis=-1)


def unit_conversions_f32(t_kelvin, p_pa):
    t_c = t_kelvin - 273.15
    t_f = t_c * 9 / 5 + 32
    return t_c, t_f, p_pa / 101325.0, p_pa * np.float32(1e-5)


def comoving_distance(z, H0=70.0, Om=0.3, n=64):
    zz = np.linspace(0, z, n)
    Ez = np.sqrt(Om * (1 + zz) ** 3 + (1 - Om))
    return 299792.458 / H0 * np.trapezoid(1 / Ez, zz, axis=0)


def airmass(zenith_deg):
    z = np.radians(zenith_deg)
    am = 1.0 / np.cos(z)
    return np.where(zenith_deg < 90, am, np.inf)


def local_sidereal_time(jd, lon_deg):
    t = (jd - 2451545.0) / 36525.0
    gmst = 280.46061837 + 360.98564736629 * (jd - 2451545.0) + 0.000387933 * t ** 2
    return np.mod(gmst + lon_deg, 360.0)


def bin_by_redshift(z, flux, edges=(0.0, 0.5, 1.0, 1.5, 2.0)):
    idx = np.searchsorted(np.asarray(edges), z, side="right") - 1
    idx = np.clip(idx, 0, len(edges) - 2)
    sums = np.zeros(len(edges) - 1)
    np.add.at(sums, idx, flux)
    counts = np.bincount(idx, minlength=len(edges) - 1)
    return sums, counts


def refraction_arcmin(altitude_deg):
    """Bennett's formula; scalars in, scalars out, as astronomy helpers write it."""
    scalar = np.isscalar(altitude_deg)
    alt = np.atleast_1d(np.asarray(altitude_deg, dtype=float))
    r = 1.0 / np.tan(np.radians(alt + 7.31 / (alt + 4.4)))
    r[alt < -1] = 0.0
    return r[0] if scalar else r


# ----------------------------------------------------------------------------- pipelines


def savitzky_golay(y, window_size=7, order=2, deriv=0, rate=1):
    order_range = range(order + 1)
    half_window = (window_size - 1) // 2
    b = np.array([[k ** i for i in order_range] for k in range(-half_window, half_window + 1)])
    m = np.linalg.pinv(b)[deriv] * rate ** deriv * factorial(deriv)
    firstvals = y[0] - np.abs(y[1:half_window + 1][::-1] - y[0])
    lastvals = y[-1] + np.abs(y[-half_window - 1:-1][::-1] - y[-1])
    y = np.concatenate((firstvals, y, lastvals))
    return np.convolve(m[::-1], y, mode='valid')


def fft_bandpass(x, fs=100.0, lo=5.0, hi=20.0):
    X = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1 / fs)
    X[(freqs < lo) | (freqs > hi)] = 0
    return np.fft.irfft(X, n=len(x))


def harris(img, k=0.05):
    Iy, Ix = np.gradient(img.astype(float))
    def box(a):
        p = np.pad(a, 1, mode='edge')
        return sum(p[i:i + a.shape[0], j:j + a.shape[1]] for i in range(3) for j in range(3)) / 9
    Sxx, Syy, Sxy = box(Ix * Ix), box(Iy * Iy), box(Ix * Iy)
    R = Sxx * Syy - Sxy ** 2 - k * (Sxx + Syy) ** 2
    return R, (R > 0.01 * R.max()).sum()


def hough_lines(edges_mask, n_theta=8):
    h, w = edges_mask.shape
    diag = int(np.ceil(np.hypot(h, w)))
    thetas = np.deg2rad(np.linspace(-90, 90, n_theta, endpoint=False))
    ys, xs = np.indices(edges_mask.shape)
    rhos = np.round(xs[..., None] * np.cos(thetas)
                    + ys[..., None] * np.sin(thetas)).astype(int) + diag
    acc = np.zeros((2 * diag + 1, n_theta), dtype=np.int64)
    t_idx = np.broadcast_to(np.arange(n_theta), rhos.shape)
    votes = edges_mask.astype(np.int64)[..., None].repeat(n_theta, -1)
    np.add.at(acc, (rhos.ravel(), t_idx.ravel()), votes.ravel())
    return acc


def pic_deposit(x, w, n=16, L=1.0):
    dx = L / n
    idx = (x / dx).astype(int) % n
    rho = np.bincount(idx, weights=w, minlength=n) / dx
    return rho - rho.mean()


def image_moments(img):
    img = img.astype(float)
    ys, xs = np.mgrid[:img.shape[0], :img.shape[1]]
    m00 = img.sum()
    cx, cy = (xs * img).sum() / m00, (ys * img).sum() / m00
    mu20 = ((xs - cx) ** 2 * img).sum() / m00
    mu02 = ((ys - cy) ** 2 * img).sum() / m00
    mu11 = ((xs - cx) * (ys - cy) * img).sum() / m00
    theta = 0.5 * np.arctan2(2 * mu11, mu20 - mu02)
    return np.array([cx, cy]), theta


def fft_conv2d(a, k):
    s = (a.shape[0] + k.shape[0] - 1, a.shape[1] + k.shape[1] - 1)
    out = np.fft.irfft2(np.fft.rfft2(a, s) * np.fft.rfft2(k, s), s)
    r, c = k.shape[0] // 2, k.shape[1] // 2
    return out[r:r + a.shape[0], c:c + a.shape[1]]


def drag_trajectory(v0, angle, k=0.1, dt=0.05, steps=30):
    pos = np.zeros(2)
    vel = v0 * np.array([np.cos(angle), np.sin(angle)])
    path = []
    for _ in range(steps):
        acc = np.array([0.0, -9.81]) - k * np.linalg.norm(vel) * vel
        vel = vel + acc * dt
        pos = pos + vel * dt
        path.append(pos.copy())
    return np.array(path)


def normal_modes(K, M):
    w2, v = np.linalg.eig(np.linalg.solve(M, K))
    idx = w2.argsort()
    return np.sqrt(w2[idx].real), np.abs(v[:, idx].real)


def kepler(M, e, iters=10):
    E = np.where(e < 0.8, M, np.pi * np.ones_like(M))
    for _ in range(iters):
        E = E - (E - e * np.sin(E) - M) / (1 - e * np.cos(E))
    nu = 2 * np.arctan2(np.sqrt(1 + e) * np.sin(E / 2), np.sqrt(1 - e) * np.cos(E / 2))
    return E, nu % (2 * np.pi)


def knn_sphere(lat, lon, k=3):
    lat, lon = np.radians(lat), np.radians(lon)
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    d = 2 * 6371.0 * np.arcsin(np.sqrt(a))
    nn = np.argsort(d, axis=1)[:, 1:k + 1]
    return nn, np.take_along_axis(d, nn, axis=1)


def stft_istft(x, n=8, hop=4):
    win = np.hanning(n)
    frames = np.array([x[i:i + n] * win for i in range(0, len(x) - n + 1, hop)])
    S = np.fft.rfft(frames, axis=1)
    out = np.zeros(len(x))
    wsum = np.zeros(len(x))
    rec = np.fft.irfft(S, n=n, axis=1)
    for j, i in enumerate(range(0, len(x) - n + 1, hop)):
        out[i:i + n] += rec[j] * win
        wsum[i:i + n] += win ** 2
    return out / np.where(wsum > 1e-8, wsum, 1.0)


def envelope_follower(x, attack=0.5, release=0.05):
    env = np.zeros_like(x)
    level = 0.0
    for i in range(len(x)):
        a = np.abs(x[i])
        coeff = np.where(a > level, attack, release)
        level = level + coeff * (a - level)
        env[i] = level
    return env


def nms_1d(score, radius=1):
    padded = np.pad(score, radius, mode='constant', constant_values=-np.inf)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * radius + 1)
    return score == windows.max(axis=1)


# ----------------------------------------------------------------------------- solvers


def gauss_pivot(A, b):
    A = A.astype(float).copy()
    b = b.astype(float).copy()
    n = len(b)
    for k in range(n - 1):
        p = np.argmax(np.abs(A[k:, k])) + k
        A[[k, p]] = A[[p, k]]
        b[[k, p]] = b[[p, k]]
        for i in range(k + 1, n):
            f = A[i, k] / A[k, k]
            A[i, k:] -= f * A[k, k:]
            b[i] -= f * b[k]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        x[i] = (b[i] - A[i, i + 1:] @ x[i + 1:]) / A[i, i]
    return x


def kalman(zs, q=1e-3, r=0.1):
    F = np.array([[1.0, 1.0], [0.0, 1.0]])
    H = np.array([[1.0, 0.0]])
    x = np.zeros(2)
    P = np.eye(2)
    out = []
    for z in zs:
        x = F @ x
        P = F @ P @ F.T + q * np.eye(2)
        S = H @ P @ H.T + r
        K = P @ H.T @ np.linalg.inv(S)
        x = x + (K @ (z - H @ x)).ravel()
        P = (np.eye(2) - K @ H) @ P
        out.append(x[0])
    return np.array(out)


def ray_sphere(o, d, c, r):
    oc = o - c
    b = np.einsum("ij,ij->i", d, oc)
    cc = np.einsum("ij,ij->i", oc, oc) - r * r
    disc = b * b - cc
    hit = disc >= 0
    t_ = np.where(hit, -b - np.sqrt(np.where(hit, disc, 0)), np.inf)
    return t_, hit.mean()


def absorbing_wave(u, up, c=0.5, steps=8):
    for _ in range(steps):
        un = np.empty_like(u)
        un[1:-1] = 2 * u[1:-1] - up[1:-1] + c ** 2 * (u[2:] - 2 * u[1:-1] + u[:-2])
        un[0] = u[1] + (c - 1) / (c + 1) * (un[1] - u[0])
        un[-1] = u[-2] + (c - 1) / (c + 1) * (un[-2] - u[-1])
        up, u = u, un
    return u


def cholesky_manual(A):
    n = A.shape[0]
    L = np.zeros_like(A)
    for j in range(n):
        L[j, j] = np.sqrt(A[j, j] - np.dot(L[j, :j], L[j, :j]))
        for i in range(j + 1, n):
            L[i, j] = (A[i, j] - np.dot(L[i, :j], L[j, :j])) / L[j, j]
    return L


def qr_gram(A):
    Q = np.zeros_like(A)
    R = np.zeros((A.shape[1], A.shape[1]))
    for j in range(A.shape[1]):
        v = A[:, j].copy()
        for i in range(j):
            R[i, j] = Q[:, i] @ A[:, j]
            v -= R[i, j] * Q[:, i]
        R[j, j] = np.linalg.norm(v)
        Q[:, j] = v / R[j, j]
    return Q, R


# ----------------------------------------------------------------------------- the table


def _u8(*shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape).astype(np.uint8)


def _spins(n, seed):
    return np.where(_i(2, n, n + 2, seed=seed) == 1, 1, -1).astype(np.int8)


def _polygon(n, seed):
    t = np.sort(np.random.default_rng(seed).uniform(0, 2 * np.pi, n + 3))
    return np.column_stack([np.cos(t), np.sin(t)]) * (1.5 + 0.3 * _f(n + 3, seed=seed))[:, None]


def _mesh(n, seed):
    faces = np.array([[0, 1, 2], [0, 2, 3], [1, 2, 3], [0, 1, 3]])
    return _f(n, 3, seed=seed), np.vstack([faces, faces[:n - 4] + 1]) if n > 4 else faces


def _deg(n, seed, lo, hi):
    return np.random.default_rng(seed).uniform(lo, hi, n)


CORPUS = {
    "fir_same": (fir_same, {}, lambda s, n: (_f(n * 3, seed=s), _f(5, seed=s + 1))),
    "moving_average_valid": (moving_average_valid, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "hann_psd": (hann_psd, {}, lambda s, n: (_f(n * 4, seed=s),)),
    "welch_segments": (welch_segments, {}, lambda s, n: (_f(n * 6 + 3, seed=s),)),
    "resample_interp": (resample_interp, {}, lambda s, n: (_f(n, seed=s),)),
    "preemphasis": (preemphasis, {}, lambda s, n: (_f(n * 2, seed=s).astype(np.float32),)),
    "odd_extension_smooth": (odd_extension_smooth, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "zero_crossing_rate": (zero_crossing_rate, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "frame_rms": (frame_rms, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "decimate_by_mean": (decimate_by_mean, {}, lambda s, n: (_f(n * 2 + 1, 2, seed=s),)),
    "spectrogram": (spectrogram, {}, lambda s, n: (_f(n * 5, seed=s),)),
    "xcorr_lag": (xcorr_lag, {}, lambda s, n: (_f(n * 3, seed=s), _f(n * 3, seed=s + 1))),
    "snr_db": (snr_db, {}, lambda s, n: (_f(n, seed=s), 0.1 * _f(n, seed=s + 1))),
    "to_int16": (to_int16, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "amplitude_db": (amplitude_db, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "analytic_envelope": (analytic_envelope, {}, lambda s, n: (_f(2, n + (n == 6), seed=s),)),
    "windowed_sinc_lowpass": (windowed_sinc_lowpass, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "peak_mask": (peak_mask, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "parabolic_peak": (parabolic_peak, {}, lambda s, n: (
        np.abs(np.fft.rfft(np.sin(0.7 * s * np.arange(n * 4)))) + 0.01,)),
    "window_family": (window_family, {}, lambda s, n: (_f(n + 2, seed=s),)),
    "one_pole_lowpass": (one_pole_lowpass, {}, lambda s, n: (_f(n + 2, seed=s),)),
    "detrend_mean_f32": (detrend_mean_f32, {}, lambda s, n: (_i(50, 2, n, seed=s),)),
    "gaussian_kernel": (gaussian_kernel, {"size": 5, "sigma": 1.5}, lambda s, n: ()),
    "gaussian_blur": (gaussian_blur, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "binary_dilate": (binary_dilate, {}, lambda s, n: (_f(n, n + 2, seed=s) > 1,)),
    "grey_erode": (grey_erode, {}, lambda s, n: (_u8(n, n + 1, seed=s),)),
    "morph_gradient_roll": (morph_gradient_roll, {}, lambda s, n: (_u8(n, n, seed=s),)),
    "equalize_hist": (equalize_hist, {}, lambda s, n: (_u8(n, n * 2, seed=s) // 2,)),
    "otsu_threshold": (otsu_threshold, {}, lambda s, n: (_u8(n * 2, n, seed=s),)),
    "rgb_to_hsv_sv": (rgb_to_hsv_sv, {}, lambda s, n: (_u8(n, 2, 3, seed=s),)),
    "gradient_orientation": (gradient_orientation, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "unsharp_mask_u8": (unsharp_mask_u8, {}, lambda s, n: (_u8(n, n + 1, seed=s),)),
    "integral_box_sum": (integral_box_sum, {}, lambda s, n: (_u8(n, n + 2, seed=s),)),
    "bilinear_resize": (bilinear_resize, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "local_binary_pattern": (local_binary_pattern, {}, lambda s, n: (_u8(n, n + 1, seed=s),)),
    "rotate_nearest": (rotate_nearest, {}, lambda s, n: (_u8(n, n + 2, seed=s), 0.4 * s)),
    "rotate_nearest_rgb": (rotate_nearest, {}, lambda s, n: (_u8(n, n + 1, 3, seed=s), 0.3 * s)),
    "normalize_channels": (normalize_channels, {}, lambda s, n: (_u8(n, n + 1, 3, seed=s),)),
    "median3x3": (median3x3, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "blur_variance": (blur_variance, {}, lambda s, n: (_u8(n, n, seed=s).astype(np.float32),)),
    "window_level_u8": (window_level, {}, lambda s, n: (_u8(n, n + 1, seed=s),)),
    "window_level_i16": (window_level, {}, lambda s, n: (_i(600, n, 3, seed=s).astype(np.int16)
                                                         - 100,)),
    "binarize_u8": (binarize_u8, {}, lambda s, n: (_u8(n, n, seed=s),)),
    "histogram_stretch": (histogram_stretch, {}, lambda s, n: (_u8(n, n + 3, seed=s),)),
    "game_of_life": (game_of_life, {}, lambda s, n: (_i(2, n + 2, n + 3, seed=s),)),
    "ising_energy": (ising_energy, {}, lambda s, n: (_spins(n, s),)),
    "ising_sweep": (ising_sweep, {}, lambda s, n: (_spins(n, s),
                                                   _f(n, n + 2, positive=True, seed=s) - 0.5)),
    "jacobi_poisson": (jacobi_poisson, {}, lambda s, n: (_f(n + 2, n + 3, seed=s),)),
    "red_black_gauss_seidel": (red_black_gauss_seidel, {},
                               lambda s, n: (_f(n + 2, n + 2, seed=s),)),
    "newton_sqrt": (newton_sqrt, {}, lambda s, n: (_f(n, 2, positive=True, seed=s) * 4,)),
    "bisection_cubic": (bisection_cubic, {}, lambda s, n: (_f(n, seed=s) * 5,)),
    "simpson": (simpson, {}, lambda s, n: (np.sin(np.linspace(0, np.pi, 2 * n + 1)) * s,
                                           np.pi / (2 * n))),
    "trapezoid_xy": (trapezoid_xy, {}, lambda s, n: (np.sort(_f(n, seed=s)), _f(3, n, seed=s + 1))),
    "cumulative_trapezoid": (cumulative_trapezoid, {},
                             lambda s, n: (np.sort(_f(n, seed=s)), _f(n, seed=s + 1))),
    "cumulative_work": (cumulative_work, {}, lambda s, n: (_f(2, n + 1, seed=s), 0.25)),
    "detrend_poly_f32": (detrend_poly, {}, lambda s, n: (np.linspace(0, 1, n * 2, dtype=np.float32),
                                                         _f(n * 2, seed=s).astype(np.float32))),
    "central_difference": (central_difference, {}, lambda s, n: (_f(n + 1, seed=s), 0.1)),
    "leapfrog_oscillators": (leapfrog_oscillators, {},
                             lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1), _f(n, positive=True))),
    "spring_chain_modes": (spring_chain_modes, {},
                           lambda s, n: (_f(n + 1, positive=True, seed=s),)),
    "truncated_lstsq": (truncated_lstsq, {}, lambda s, n: (
        _f(n + 3, 2, seed=s) @ _f(2, n, seed=s + 1) + 1e-3 * _f(n + 3, n, seed=s + 2),
        _f(n + 3, seed=s + 3))),
    "peak_above_floor": (peak_above_floor, {}, lambda s, n: (
        np.where(_f(n, 5, seed=s) > 0.8, np.nan, _f(n, 5, seed=s)),)),
    "tridiagonal_solve": (tridiagonal_solve, {},
                          lambda s, n: (_f(n, positive=True, seed=s) + 3, _f(n, seed=s + 1))),
    "lorenz_trajectory": (lorenz_trajectory, {}, lambda s, n: (_f(3, seed=s + n),)),
    "pair_distance_histogram": (pair_distance_histogram, {}, lambda s, n: (_f(n + 2, 3, seed=s),)),
    "pair_distance_histogram_f32": (pair_distance_histogram, {},
                                    lambda s, n: (_f(n + 2, 3, seed=s).astype(np.float32),)),
    "center_of_mass": (center_of_mass, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, positive=True))),
    "upwind_advection": (upwind_advection, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "crank_nicolson": (crank_nicolson, {}, lambda s, n: (_f(n, seed=s),)),
    "monte_carlo_pi": (monte_carlo_pi, {}, lambda s, n: (_f(n * 5, positive=True, seed=s) - 1,
                                                         _f(n * 5, positive=True, seed=s + 1) - 1)),
    "lennard_jones_energy": (lennard_jones_energy, {}, lambda s, n: (_f(n, 3, seed=s) * 2,)),
    "temperature_relaxation": (temperature_relaxation, {}, lambda s, n: (_f(n, seed=s) * 30,)),
    "savitzky_golay": (savitzky_golay, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "fft_bandpass": (fft_bandpass, {}, lambda s, n: (_f(n * 8, seed=s),)),
    "harris": (harris, {}, lambda s, n: (_u8(n + 2, n + 3, seed=s),)),
    "hough_lines": (hough_lines, {}, lambda s, n: (_u8(n, n + 1, seed=s) > 128,)),
    "pic_deposit": (pic_deposit, {}, lambda s, n: (_f(n * 4, positive=True, seed=s) - 0.5,
                                                   _f(n * 4, seed=s + 1))),
    "image_moments": (image_moments, {}, lambda s, n: (_u8(n, n + 2, seed=s),)),
    "fft_conv2d": (fft_conv2d, {}, lambda s, n: (_f(n, n + 1, seed=s), np.ones((3, 3)) / 9)),
    "drag_trajectory": (drag_trajectory, {}, lambda s, n: (15.0 + s, 0.6)),
    "normal_modes": (normal_modes, {}, lambda s, n: (
        2 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1), np.diag(np.arange(1.0, n + 1) + s))),
    "kepler": (kepler, {}, lambda s, n: (_f(n, positive=True, seed=s) * 3, 0.3)),
    "kepler_eccentricities": (kepler, {}, lambda s, n: (_f(n, positive=True, seed=s) * 3,
                                                        _f(n, positive=True, seed=s + 1) / 3)),
    "knn_sphere": (knn_sphere, {}, lambda s, n: (_f(n + 4, seed=s) * 30, _f(n + 4, seed=s) * 60)),
    "stft_istft": (stft_istft, {}, lambda s, n: (_f(n * 6, seed=s),)),
    "envelope_follower": (envelope_follower, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "nms_1d": (nms_1d, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "gauss_pivot": (gauss_pivot, {}, lambda s, n: (_f(n, n, seed=s), _f(n, seed=s + 1))),
    "kalman": (kalman, {}, lambda s, n: (np.cumsum(_f(n * 2, seed=s)),)),
    "ray_sphere": (ray_sphere, {}, lambda s, n: (
        np.zeros((n, 3)), _f(n, 3, seed=s) / np.linalg.norm(_f(n, 3, seed=s), axis=1)[:, None],
        np.array([0.0, 0.0, 3.0]), 1.5 + 0.5 * s)),
    "absorbing_wave": (absorbing_wave, {}, lambda s, n: (_f(n * 2, seed=s),
                                                         _f(n * 2, seed=s) * 0.9)),
    "cholesky_manual": (cholesky_manual, {}, lambda s, n: (
        _f(n, n, seed=s) @ _f(n, n, seed=s).T + n * np.eye(n),)),
    "qr_gram": (qr_gram, {}, lambda s, n: (_f(n + 1, n, seed=s),)),
    "rotation_z": (rotation_z, {}, lambda s, n: (0.4 * s, _f(n, 3, seed=s))),
    "euler_to_matrix": (euler_to_matrix, {}, lambda s, n: (0.1 * s, 0.2 * n, np.float64(0.3))),
    "quaternion_to_matrix": (quaternion_to_matrix, {}, lambda s, n: (_f(n, 2, 4, seed=s),)),
    "triple_product": (triple_product, {}, lambda s, n: tuple(_f(n, 3, seed=s + k)
                                                              for k in range(3))),
    "shoelace_dot": (shoelace_dot, {}, lambda s, n: tuple(_polygon(n, s).T)),
    "sort_ccw": (sort_ccw, {}, lambda s, n: (_f(n + 3, 2, seed=s),)),
    "orientation_tests": (orientation_tests, {}, lambda s, n: tuple(_i(5, n, 2, seed=s + k)
                                                                    for k in range(3))),
    "lexsort_points": (lexsort_points, {}, lambda s, n: (_i(3, n * 2, 2, seed=s).astype(float),)),
    "points_in_polygon": (points_in_polygon, {}, lambda s, n: (_f(n * 3, 2, seed=s),
                                                               _polygon(n, s))),
    "angle_between": (angle_between, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "bounding_box": (bounding_box, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "kabsch": (kabsch, {}, lambda s, n: (_f(n + 2, 3, seed=s), _f(n + 2, 3, seed=s + 1))),
    "nearest_neighbor": (nearest_neighbor, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "heron_area": (heron_area, {}, lambda s, n: tuple(_f(n, positive=True, seed=s + k)
                                                      for k in range(3))),
    "signed_angles_2d": (signed_angles_2d, {}, lambda s, n: (_f(n + 1, 2, seed=s),)),
    "mesh_vertex_normals": (mesh_vertex_normals, {}, lambda s, n: _mesh(n, s)),
    "radial_profile": (radial_profile, {}, lambda s, n: (_f(n + 1, n + 2, seed=s),)),
    "weighted_density": (weighted_density, {}, lambda s, n: (_f(n * 5, seed=s),
                                                             _f(n * 5, positive=True, seed=s))),
    "polynomial_kinematics": (polynomial_kinematics, {}, lambda s, n: (_f(n, seed=s),
                                                                       np.linspace(0, 2, 7))),
    "periodic_stencil": (periodic_stencil, {}, lambda s, n: (_f(n + 1, seed=s),)),
    "clamped_lookup": (clamped_lookup, {}, lambda s, n: (_f(6, seed=s), _f(n * 2, seed=s) * 3)),
    "turn_directions": (turn_directions, {}, lambda s, n: (_f(n + 2, 2, seed=s),)),
    "np_polynomial_module": (polynomial_module, {}, lambda s, n: (_f(n, seed=s), _f(3, seed=s))),
    "refraction_arcmin": (refraction_arcmin, {}, lambda s, n: (_deg(n, s, -5, 90),)),
    "angular_separation": (angular_separation, {}, lambda s, n: tuple(_f(n, seed=s + k)
                                                                      for k in range(4))),
    "radec_to_xyz_and_back": (radec_to_xyz_and_back, {},
                              lambda s, n: (_deg(n, s, 0, 360), _deg(n, s + 1, -80, 80))),
    "equatorial_to_galactic": (equatorial_to_galactic, {},
                               lambda s, n: (_deg(n, s, 0, 6), _deg(n, s + 1, -1.4, 1.4))),
    "mag_flux": (mag_flux, {}, lambda s, n: (_deg(n, s, 10, 25).astype(np.float32),)),
    "julian_day": (julian_day, {}, lambda s, n: (_i(200, n, seed=s) + 1900, _i(12, n, seed=s) + 1,
                                                 _i(28, n, seed=s + 1) + 1)),
    "destination_point": (destination_point, {}, lambda s, n: (
        _deg(n, s, -60, 60), _deg(n, s + 1, -180, 180), _deg(n, s + 2, 0, 360), 250.0)),
    "geodetic_to_ecef": (geodetic_to_ecef, {}, lambda s, n: (
        _deg(n, s, -90, 90), _deg(n, s + 1, -180, 180), _deg(n, s + 2, 0, 1000))),
    "unit_conversions_f32": (unit_conversions_f32, {}, lambda s, n: (
        _deg(n, s, 200, 350).astype(np.float32), _deg(n, s, 9e4, 1.1e5).astype(np.float32))),
    "comoving_distance": (comoving_distance, {}, lambda s, n: (_deg(n, s, 0.1, 3),)),
    "comoving_distance_f32": (comoving_distance, {},
                              lambda s, n: (_deg(n, s, 0.1, 3).astype(np.float32),)),
    "airmass": (airmass, {}, lambda s, n: (_deg(n * 2, s, 0, 100),)),
    "local_sidereal_time": (local_sidereal_time, {}, lambda s, n: (
        _deg(n, s, 2.45e6, 2.46e6), _deg(n, s + 1, -180, 180))),
    "bin_by_redshift": (bin_by_redshift, {}, lambda s, n: (_deg(n * 3, s, 0, 2.5),
                                                           _f(n * 3, seed=s))),
}


@pytest.mark.filterwarnings("ignore:Arrays of 2-dimensional vectors:DeprecationWarning")
@pytest.mark.parametrize("name", list(CORPUS))
def test_corpus_function_matches_numpy(name):
    check_against_numpy(*CORPUS[name])


# ----------------------------------------------------------------------------- beyond the table

ZERO_D = {  # 0-d arrays and NumPy scalars where the code expects arrays
    "airmass": (airmass, lambda s: (np.array(20.0 * s),)),
    "mag_flux": (mag_flux, lambda s: (np.float32(12.5 + s),)),
    "angular_separation": (angular_separation, lambda s: tuple(np.array(0.3 * s + k)
                                                               for k in range(4))),
    "geodetic_to_ecef": (geodetic_to_ecef, lambda s: (np.array(45.0), np.array(10.0 * s), 100.0)),
    "julian_day": (julian_day, lambda s: (np.int64(2000 + s), np.int64(s + 1), np.int64(15))),
    "heron_area": (heron_area, lambda s: (np.array(3.0), np.array(4.0), np.array(5.0 + s / 10))),
    "refraction_python_float": (refraction_arcmin, lambda s: (10.0 * s,)),
    "refraction_numpy_scalar": (refraction_arcmin, lambda s: (np.float64(10.0 * s),)),
    "refraction_0d_array": (refraction_arcmin, lambda s: (np.array(10.0 * s),)),
}


@pytest.mark.parametrize("name", list(ZERO_D))
def test_zero_d_inputs(name):
    fn, make_args = ZERO_D[name]
    check_against_numpy(fn, {}, lambda s, n: make_args(s))


EMPTY = {  # empty inputs: the same empty results, dtypes and shapes as NumPy
    "rotation_z": (rotation_z, (0.3, np.zeros((0, 3)))),
    "geodetic_to_ecef": (geodetic_to_ecef, (np.zeros(0), np.zeros(0), np.zeros(0))),
    "triple_product": (triple_product, (np.zeros((0, 3)),) * 3),
    "angle_between": (angle_between, (np.zeros((0, 3)), np.zeros((0, 3)))),
    "monte_carlo_pi_counts": (lambda x, y: monte_carlo_pi(x, y)[1], (np.zeros(0), np.zeros(0))),
    "amplitude_db": (amplitude_db, (np.zeros((0, 3), np.float32),)),
    "binarize_u8": (lambda img: binarize_u8(img).shape, (np.zeros((0, 4), np.uint8),)),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns on the mean of nothing
@pytest.mark.parametrize("name", list(EMPTY))
def test_empty_inputs(name):
    fn, args = EMPTY[name]
    assert_same(tracenp.jit(fn)(*args), fn(*args))


def test_empty_reduction_raises_numpys_error():
    with pytest.raises(ValueError, match="zero-size array"):
        bounding_box(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="zero-size array"):
        tracenp.jit(bounding_box)(np.zeros((0, 3)))


def test_a_scalar_type_as_a_cast_traces():
    """`np.uint8(...)` of a traced array, refused until stop 27."""
    x = _u8(4, 5, seed=5)
    assert_same(tracenp.jit(brighten_u8)(x), brighten_u8(x))


REFUSED = {  # forms tracenp cannot trace: a clear error at trace time, NumPy's value eagerly
    "poly1d_of_traced_coefficients": (poly1d_fit, (np.linspace(-1, 1, 8), _f(8, seed=2)),
                                      tracenp.UnsupportedFunctionError, "trim_zeros"),
}


REFUSED_NOW_STATIC = {
    "break_on_a_traced_value": (projectile_until_ground, (12.0, 0.8),
                                tracenp.ConcretizationError, "if y < 0"),
}


@pytest.mark.parametrize("name", list(REFUSED_NOW_STATIC))
def test_science_forms_of_python_scalars_trace(name):
    """Refused until jit made static the Python scalar arguments whose values the function's Python needs; now NumPy's values."""
    fn, args, _, _ = REFUSED_NOW_STATIC[name]
    check_steered(fn, lambda s: args)


def test_np_polynomial_fit_traces():
    args = (np.linspace(-1, 1, 8), _f(8, seed=2))
    assert_same(tracenp.jit(polynomial_fit)(*args), polynomial_fit(*args))


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_raise_clearly_and_fall_back_to_numpy(name):
    fn, args, error, where = REFUSED[name]
    with pytest.raises(error, match=where):
        tracenp.jit(fn)(*args)
    with pytest.warns(tracenp.TracingFallbackWarning):
        got = tracenp.jit(fn, fallback=True)(*args)
    assert_same(got, fn(*args))


# ----------------------------------------------------------------------------- gradients


def _finite_difference(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def test_lennard_jones_forces_are_the_gradient():
    pos = np.array([[0.0, 0.0, 0.0], [1.1, 0.1, 0.0], [0.2, 1.2, 0.1], [1.0, 1.0, 1.0]])
    got = tracenp.jit(tracenp.grad(lennard_jones_energy))(pos)
    np.testing.assert_allclose(got, _finite_difference(lennard_jones_energy, pos),
                               rtol=1e-5, atol=1e-6)


def test_spring_energy_gradient_by_hand():
    def energy(x, k):
        stretch = np.diff(x) - 1.0
        return 0.5 * np.sum(k * stretch ** 2)

    x, k = np.cumsum(1 + 0.1 * _f(6, seed=5)), _f(5, positive=True, seed=6)
    s = k * (np.diff(x) - 1.0)
    want = np.concatenate([[0.0], s]) - np.concatenate([s, [0.0]])
    np.testing.assert_allclose(tracenp.grad(energy)(x, k), want, rtol=1e-12)


def test_trapezoid_and_rotation_gradients():
    def work(y, x):
        return np.trapezoid(y ** 2, x)

    def rotated_sum(theta, pts):
        return np.sum(rotation_z(theta, pts)[:, 0])

    x, y = np.sort(_f(7, seed=7)), _f(7, seed=8)
    np.testing.assert_allclose(tracenp.grad(work)(y, x),
                               _finite_difference(lambda v: work(v, x), y), rtol=1e-6)
    pts = _f(5, 3, seed=9)
    want = np.sum(-np.sin(0.4) * pts[:, 0] - np.cos(0.4) * pts[:, 1])
    np.testing.assert_allclose(tracenp.grad(rotated_sum)(0.4, pts), want, rtol=1e-12)


# ----------------------------------------------------------------------------- forms fixed here


LISTS_OF_TRACED = {  # a list holding traced values where NumPy expects an array
    "diag": lambda x, d: np.diag([1.0, 1.0, np.sign(d)]) @ x[:3],
    "mean": lambda x, d: np.mean([x[0], x[-1], d]),
    "max_min": lambda x, d: (np.max([x.sum(), d]), np.amin([x[1], 2.0])),
    "norm": lambda x, d: np.linalg.norm([x[0] - x[1], d]),
    "dot": lambda x, d: np.dot(np.eye(3), [x[0], d, 1.0]),
    "matmul": lambda x, d: np.eye(3) @ [d, d, 1],
    "std_stack": lambda x, d: (np.std([x[0], x[1], x[2]]), np.stack([x, x + d])),
    "ufunc_call": lambda x, d: np.sqrt([x[0] ** 2, d ** 2]),
    "ufunc_reduce": lambda x, d: (np.logical_and.reduce([x > 0, x < d, x != 0.5]),
                                  np.maximum.reduce((x, -x, x * d))),
    "ufunc_accumulate_outer": lambda x, d: (np.add.accumulate([x[0], d, x[1]]),
                                            np.multiply.outer([x[0], d], x)),
    "setitem_tuple": lambda x, d: _set(np.zeros((2, 3)), 1, (x[0], d, 2 * d)),
    "setitem_list": lambda x, d: _set(np.zeros(3, np.float32), slice(None), [x[0], d, 1]),
}


def _set(out, key, value):
    out[key] = value
    return out


@pytest.mark.parametrize("name", list(LISTS_OF_TRACED))
def test_lists_holding_traced_values(name):
    fn = LISTS_OF_TRACED[name]
    check_against_numpy(fn, {}, lambda s, n: (_f(n, seed=s), 0.5 * s - 1))


BOUNDED_BINCOUNTS = {  # every value provably in [0, minlength): the length is known
    "clip": lambda x: np.bincount(np.clip((x * 3).astype(int), 0, 4), minlength=5),
    "digitize": lambda x: np.bincount(np.digitize(x, [-1.0, 0.0, 1.0]), minlength=4),
    "searchsorted": lambda x: np.bincount(np.searchsorted([-1.0, 0.0, 1.0], x), minlength=4),
    "remainder": lambda x: np.bincount((x * 10).astype(np.int64) % 7, weights=x, minlength=7),
    "max_of_sum": lambda x: np.bincount(np.maximum((x[:, None] > [0.0, 1.0]).sum(1) - 1, 0),
                                        minlength=2),
}


@pytest.mark.parametrize("name", list(BOUNDED_BINCOUNTS))
def test_bincount_of_values_bounded_by_the_ops_that_made_them(name):
    check_against_numpy(BOUNDED_BINCOUNTS[name], {}, lambda s, n: (_f(n * 3, seed=s),))


@pytest.mark.parametrize("fn", [
    lambda x: np.bincount(np.clip((x * 3).astype(int), -1, 4), minlength=6),  # may be negative
    lambda x: np.bincount(np.digitize(x, [-1.0, 0.0, 1.0]), minlength=3),  # 3 is possible
    lambda x: np.bincount(np.floor(x).astype(np.int64) % 7, minlength=6),
])
def test_bincount_whose_bound_does_not_cover_is_checked_when_it_runs(fn):
    """Values the graph cannot bound below `minlength` are checked as the function runs."""
    jf = tracenp.jit(fn)
    for seed in range(1, 6):
        x = _f(9, seed=seed)
        try:
            want = fn(x)
        except ValueError:
            with pytest.raises(ValueError, match="negative"):
                jf(x)
            continue
        traced_length = jf.graph(x).outputs[0].shape[0]
        if len(want) > traced_length:
            with pytest.raises(tracenp.errors.DataDependentShapeError, match="minlength"):
                jf(x)
        else:
            np.testing.assert_array_equal(jf(x), want)


def test_assignment_through_a_mask_known_while_tracing():
    def f(u, v):
        sel = np.zeros(u.shape, dtype=bool)
        sel[1:-1, ::2] = True
        u[sel] = v[sel]
        u[~sel] += 1.0
        return u

    check_against_numpy(f, {}, lambda s, n: (_f(n, 5, seed=s), _f(n, 5, seed=s + 1)))


def test_gradient_with_a_traced_scalar_spacing():
    def f(y, dx):
        return np.gradient(y, dx), np.gradient(y, dx, edge_order=2, axis=-1)

    check_against_numpy(f, {}, lambda s, n: (_f(2, n, seed=s), 0.1 * s))


def test_cross_of_2_vectors_warns_as_numpy_does():
    a, b = _f(4, 2, seed=1), _f(4, 2, seed=2)
    with pytest.warns(DeprecationWarning, match="2-dimensional vectors"):
        got = tracenp.jit(np.cross)(a, b)
    with pytest.warns(DeprecationWarning):
        assert_same(got, np.cross(a, b))


def test_histogram_bins_numpy_checks_or_cannot_know():
    x = _f(20, seed=3)
    with pytest.raises(ValueError, match="monotonically"):
        tracenp.jit(lambda x: np.histogram(x, bins=[1.0, 0.0, 2.0]))(x)
    with pytest.raises(tracenp.errors.DataDependentShapeError, match="auto"):
        tracenp.jit(lambda x: np.histogram(x, bins="auto"))(x)


_SELECTION_ARGS = (_f(4, 4, seed=1), np.arange(12) % 4, _f(12, seed=2) > 0, _f(12, seed=3) > 0)


@pytest.mark.parametrize("fn", [
    lambda a, i, m1, m2: a[i[m1], i[m2]].sum(),  # selections by two masks
    lambda a, i, m1, m2: a[i[m1] > 1].sum(),  # a boolean index of a selection
])
def test_indexing_by_selections_other_than_leading_integer_ones_is_refused(fn):
    with pytest.raises(tracenp.errors.DataDependentShapeError, match="img\\[i\\[m\\]"):
        tracenp.jit(fn)(*_SELECTION_ARGS)


def test_a_selection_of_integers_after_slices_indexes_that_axis():
    """`a[:, i[m]]` is a selection along axis 1, as `a[:, mask]` is (hunt O)."""
    fn = lambda a, i, m1, m2: (a[:, i[m1]].sum(), a[:, i[m2]].sum(axis=1))  # noqa: E731
    assert_same(tracenp.jit(fn)(*_SELECTION_ARGS), fn(*_SELECTION_ARGS))


@pytest.mark.parametrize("name, fn, make_args", [
    ("numpy_scalar", lambda x, a: round(x.sum(), 2), lambda s, n: (_f(n, seed=s), 0.5)),
    ("python_float", lambda x, a: round(a * 2, 1), lambda s, n: (_f(n, seed=s), 1.2345 * s)),
    ("element", lambda x, a: round(x[1] * a, 3), lambda s, n: (_f(n, seed=s), np.float64(s))),
    ("no_ndigits_half_to_even", lambda x, a: [round(v) for v in x * 2.5] + [round(a * 2)],
     lambda s, n: (np.arange(n) - 2.0, 1.25 * s)),
    ("no_ndigits_as_an_index", lambda x, a: np.zeros(8)[int(round(x[0] * a)) % 8],
     lambda s, n: (_f(n, seed=s), 3.0 * s)),
])
def test_builtin_round_of_scalars(name, fn, make_args):
    check_against_numpy(fn, {}, make_args)


def test_builtin_round_of_arrays_and_foreign_ufuncs_raise_as_clearly():
    with pytest.raises(TypeError, match="__round__"):
        tracenp.jit(lambda x: round(x, 1))(_f(3, seed=1))
    twice = np.frompyfunc(lambda v: 2 * v, 1, 1)
    with pytest.raises(tracenp.UnsupportedFunctionError, match="ufunc"):
        tracenp.jit(lambda x: twice(x))(_f(3, seed=1))


def test_isreal_and_iscomplex():
    def f(z):
        return np.isreal(z), np.iscomplex(z), np.iscomplex(z.real), np.isreal(z.real)

    check_against_numpy(f, {}, lambda s, n: (_f(n, seed=s) + 1j * (_f(n, seed=s + 1) > 0),))


def test_ufuncs_stay_ufuncs_while_tracing():
    def f(x):
        return x * isinstance(np.sin, np.ufunc), np.add.nin, {np.add: 1}.get(np.add, 0)

    check_against_numpy(f, {}, lambda s, n: (_f(n, seed=s),))


def test_dtype_queries_of_traced_values():
    def f(a, s, n):
        out = np.zeros(3, dtype=np.result_type(a, s)) + a[:3]
        wide = np.zeros(2, dtype=np.result_type(a, np.int64, n))
        return out, wide, np.can_cast(a, np.float64), np.asfortranarray(a[:4].reshape(2, 2))

    check_against_numpy(f, {}, lambda s, n: (_f(n, seed=s).astype(np.float32), 0.5 * s, 3))


def test_numpy_float64_scalar_argument_is_strong():
    f = tracenp.jit(lambda a, s: a * s)
    assert f(np.ones(2, np.float32), np.float64(2.0)).dtype == np.float64


class _Decay:
    """A simulation object whose jitted step rebinds an array attribute, as OO codes do."""

    def __init__(self, u):
        self.u = u

    @tracenp.jit
    def step(self):
        self.u = self.u * 0.5
        return self.u.sum()


def test_jitted_method_that_rebinds_an_attribute():
    sim = _Decay(np.ones(3))
    assert [sim.step() for _ in range(3)] == [1.5, 0.75, 0.375]


def test_pad_odd_reflection_wider_than_the_array_is_refused():
    with pytest.raises(tracenp.UnsupportedFunctionError, match="odd"):
        tracenp.jit(lambda x: np.pad(x, 5, mode="reflect", reflect_type="odd"))(_f(4, seed=1))
    with pytest.raises(ValueError, match="unsupported keyword"):
        tracenp.jit(lambda x: np.pad(x, 1, mode="edge", constant_values=2))(_f(4, seed=1))


def test_out_and_mean_arguments_are_used():
    def f(a, A):
        picked = np.zeros(3)
        np.take(a, [1, 3, 0], out=picked)
        chain = np.zeros((4, 4))
        np.linalg.multi_dot([A, A.T, A], out=chain)
        m = np.nanmean(A, axis=0, keepdims=True)
        return picked, chain, np.nanvar(A, axis=0, keepdims=True, mean=m), np.nanstd(A, mean=0.5)

    check_against_numpy(f, {}, lambda s, n: (_f(n, seed=s), np.where(
        _f(4, 4, seed=s) > 1, np.nan, _f(4, 4, seed=s))))


def _complex(n, seed):
    return _f(n, seed=seed) + 1j * _f(n, seed=seed + 7)


REAL_IMAG_VIEWS = {  # z.real and z.imag of a complex array are views that write through
    "zero_imag": lambda z: _zero_imag(z),
    "scale_real": lambda z: _scaled_real(z),
    "assign_attributes": lambda z: _assign_parts(z),
    "masked_real": lambda z: _masked_real(z),
    "zero_d": lambda z: (z[0].real, z[:1].reshape(()).real, z.real.sum()),
}


def _zero_imag(z):
    w = np.fft.fft(z.real)
    w.imag[:] = 0
    return np.fft.ifft(w).real


def _scaled_real(z):
    w = z.copy()
    w.real *= 2
    return w


def _assign_parts(z):
    w = z.astype(np.complex64)
    w.real = np.abs(w.real)
    w.imag = -w.imag
    return w


def _masked_real(z):
    w = z.copy()
    w.real[w.real < 0] = 0
    return w


@pytest.mark.parametrize("name", list(REAL_IMAG_VIEWS))
def test_real_and_imag_write_through(name):
    check_against_numpy(REAL_IMAG_VIEWS[name], {}, lambda s, n: (_complex(n, s),))


def split_state_step(y, dt=0.1):
    """An ODE step on a packed state: the halves are views of y, updated in place."""
    y = y.copy()
    pos, vel = np.split(y, 2)
    pos += vel * dt
    vel -= pos * dt
    row = np.atleast_2d(y[:3])
    row[0, 0] = -1.0
    flat = np.squeeze(y[None, :])
    flat[-1] = 2.0
    np.expand_dims(y, 0)[0, 1] = 3.0
    return y


def test_views_from_split_squeeze_atleast_expand_dims_write_through():
    check_against_numpy(split_state_step, {}, lambda s, n: (_f(2 * n, seed=s),))


def test_gradient_through_imaginary_parts():
    def phase_energy(v):
        z = np.fft.fft(v) * np.exp(1j * v)
        return np.sum(np.imag(z) ** 2) + np.sum(np.angle(v + 1j * v ** 2)) + np.sum(z.imag)

    v = _f(6, seed=4)
    np.testing.assert_allclose(tracenp.grad(phase_energy)(v),
                               _finite_difference(phase_energy, v), rtol=1e-5, atol=1e-6)


def test_traced_indices_below_minus_n_raise_index_error():
    for fn in (lambda a, i: a[i], lambda a, i: a[[i[0] - 20, 0]], lambda a, i: a[i[0]]):
        with pytest.raises(IndexError):
            tracenp.jit(fn)(_f(12, seed=1), np.array([-14]))


def test_gradient_through_modf_and_frexp_fractions():
    def phase_of_day(v):
        frac, whole = np.modf(v * 1.7)
        mantissa, _ = np.frexp(v * 3)
        return np.sum(np.sin(2 * np.pi * frac) + 0.1 * whole) + np.sum(mantissa ** 2)

    v = np.linspace(0.3, 7.3, 6)
    np.testing.assert_allclose(tracenp.grad(phase_of_day)(v),
                               _finite_difference(phase_of_day, v), rtol=1e-5, atol=1e-6)
