"""Corpus, hunt Z: NumPy code people write in order to make it fast, written the way those
sources write it: the Pythran benchmark set (serge-sans-paille/numpy-benchmarks: arc distances,
all-pairs distances by `einsum` and by loops, `create_grid`, Cronbach's alpha, diffusion and
`evolve` stencils, FDTD, a recursive radix-2 FFT, Gray-Scott, Harris corners, Hyantes, Julia
and Mandelbrot sets, `l2norm`, `laplacien`, `local_maxima` over `np.ndindex` with wrap and
clamp modes, log-likelihood, least squares, `multiple_sum`, `normalize_complex_arr`,
`pairwise`, periodic distances with masked writes, `repeating`, reverse cumsums, Rosenbrock,
`slowparts`, exponential smoothing in place, `specialconvolve`, sieves, vibrational energies,
wave steps and weighted distances); Nicolas Rougier's "From Python to NumPy" (random walks by
`np.cumsum`, the Game of Life by slicing sums and masked writes through a view, Mandelbrot with
`np.less` masks, Gray-Scott in place, vectorized Boids with `np.subtract.outer`, masks and
`np.divide(..., out=, where=)`, stable-fluid diffusion and advection, `np.add.reduceat`,
weighted Voronoi centroids by `np.bincount`, maze value iteration); the plain-NumPy baselines
of the Numba and Cython tutorials (`go_fast`, Monte Carlo pi, `sum2d`, `filter2d`, the
`pairwise` triple loop, Cython's `compute` on `np.intc` arrays, checkerboard Ising steps,
moving averages by loops and `np.convolve`, branchless bubble sorts, `math.hypot` loops); and
vectorization posts (`einsum` against `@`, `sliding_window_view` windows, `np.bincount` group
sums, `np.searchsorted` binning, the `np.cumsum` moving average, drawdowns by
`np.maximum.accumulate`, `np.lexsort`, `np.argpartition` top-k and `np.take_along_axis`).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Draws come in as arrays, from a generator argument,
or from a module-level generator or NumPy's legacy global state, whose state must end as
NumPy's. The scalar loops whose Python branches on array values (the benchmarks' `growcut`,
`check_mask`, escape-time `while` loops, Ising updates by `if`, bubble sort by `if`) raise a
named error and run eagerly under `fallback=True`.
"""

from __future__ import annotations

import cmath
import math

import numpy as np
import pytest
from numpy.lib.array_utils import byte_bounds
from numpy.lib.stride_tricks import sliding_window_view

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_exercises import mandelbrot_numpy  # Rougier's, in the exercises too
from test_corpus_hunt_i import life_step_padded as life_iterate_2
from test_corpus_hunt_q import rosenbrock_grad as rosen_der  # SciPy's rosen_der
from test_corpus_hunt_v import _names, _Xfail
from test_corpus_hunt_w import pairwise_python as pairwise_loops  # VanderPlas's, for Numba
from test_ops import assert_same


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


# ---------------------------------------------------------------- numpy-benchmarks (Pythran)

def arc_distance(theta_1, phi_1, theta_2, phi_2):
    """Great-circle distances, pairwise elementwise."""
    temp = (np.sin((theta_2 - theta_1) / 2) ** 2
            + np.cos(theta_1) * np.cos(theta_2) * np.sin((phi_2 - phi_1) / 2) ** 2)
    distance_matrix = 2 * (np.arctan2(np.sqrt(temp), np.sqrt(1 - temp)))
    return distance_matrix


def allpairs_distances(A, B):
    A2 = np.einsum('ij,ij->i', A, A)
    B2 = np.einsum('ij,ij->i', B, B)
    return A2[:, None] + B2[None, :] - 2 * np.dot(A, B.T)


def allpairs_distances_loops(X, Y):
    result = np.zeros((X.shape[0], Y.shape[0]), X.dtype)
    for i in range(X.shape[0]):
        for j in range(Y.shape[0]):
            result[i, j] = np.sum((X[i, :] - Y[j, :]) ** 2)
    return result


def check_mask_vectorized(db, mask):
    """`check_mask` without the row loop: rows whose bits cover the mask and whose target is 1."""
    covered = (mask == np.bitwise_and(mask, db[:, 1:])).all(axis=1)
    return covered & (db[:, 0] == 1)


def create_grid(x):
    N = x.shape[0]
    z = np.zeros((N, N, 3))
    z[:, :, 0] = x.reshape(-1, 1)
    z[:, :, 1] = x
    fast_grid = z.reshape(N * N, 3)
    return fast_grid


def cronbach(itemscores):
    itemvars = itemscores.var(axis=1, ddof=1)
    tscores = itemscores.sum(axis=0)
    nitems = len(itemscores)
    return nitems / (nitems - 1.) * (1 - itemvars.sum() / tscores.var(ddof=1))


def diffusion(u, tempU, iterNum):
    mu = 0.1
    for n in range(iterNum):
        tempU[1:-1, 1:-1] = u[1:-1, 1:-1] + mu * (
            u[2:, 1:-1] - 2 * u[1:-1, 1:-1] + u[0:-2, 1:-1]
            + u[1:-1, 2:] - 2 * u[1:-1, 1:-1] + u[1:-1, 0:-2])
        u[:, :] = tempU[:, :]
        tempU[:, :] = 0.0


def diffusion_loops(u, tempU, iterNum):
    """The element loop form of `diffusion`, as the loop benchmarks write it."""
    mu = 0.1
    row, col = u.shape
    for n in range(iterNum):
        for i in range(1, row - 1):
            for j in range(1, col - 1):
                tempU[i, j] = u[i, j] + mu * (u[i + 1, j] - 2 * u[i, j] + u[i - 1, j]
                                              + u[i, j + 1] - 2 * u[i, j] + u[i, j - 1])
        for i in range(1, row - 1):
            for j in range(1, col - 1):
                u[i, j] = tempU[i, j]
                tempU[i, j] = 0.0


def _laplacian_roll(grid):
    return (np.roll(grid, +1, 0) + np.roll(grid, -1, 0)
            + np.roll(grid, +1, 1) + np.roll(grid, -1, 1) - 4 * grid)


def evolve(grid, dt, D=1.0):
    return grid + dt * D * _laplacian_roll(grid)


def fdtd(input_grid, steps):
    grid = input_grid.copy()
    old_grid = np.zeros_like(input_grid)
    previous_grid = np.zeros_like(input_grid)
    l_x = grid.shape[0]
    l_y = grid.shape[1]
    for i in range(steps):
        np.copyto(previous_grid, old_grid)
        np.copyto(old_grid, grid)
        for x in range(l_x):
            for y in range(l_y):
                grid[x, y] = 0.0
                if 0 < x + 1 < l_x:
                    grid[x, y] += old_grid[x + 1, y]
                if 0 < x - 1 < l_x:
                    grid[x, y] += old_grid[x - 1, y]
                if 0 < y + 1 < l_y:
                    grid[x, y] += old_grid[x, y + 1]
                if 0 < y - 1 < l_y:
                    grid[x, y] += old_grid[x, y - 1]
                grid[x, y] /= 2.0
                grid[x, y] -= previous_grid[x, y]
    return grid


def fft(x):
    """Recursive radix-2 Cooley-Tukey on a power-of-two length."""
    N = x.shape[0]
    if N <= 1:
        return x
    even = fft(x[0::2])
    odd = fft(x[1::2])
    factor = np.exp(-2j * np.pi * np.arange(N // 2) / N)
    return np.concatenate([even + factor * odd, even - factor * odd])


def grayscott(counts, Du, Dv, F, k):
    n = 32
    U = np.zeros((n + 2, n + 2), dtype=np.float32)
    V = np.zeros((n + 2, n + 2), dtype=np.float32)
    u, v = U[1:-1, 1:-1], V[1:-1, 1:-1]
    r = 4
    u[:] = 1.0
    U[n // 2 - r:n // 2 + r, n // 2 - r:n // 2 + r] = 0.50
    V[n // 2 - r:n // 2 + r, n // 2 - r:n // 2 + r] = 0.25
    u += 0.15 * np.linspace(0.0, 1.0, n * n, dtype=np.float32).reshape(n, n)
    v += 0.15 * np.linspace(1.0, 0.0, n * n, dtype=np.float32).reshape(n, n)
    for i in range(counts):
        Lu = (U[0:-2, 1:-1] + U[1:-1, 0:-2] - 4 * U[1:-1, 1:-1] + U[1:-1, 2:] + U[2:, 1:-1])
        Lv = (V[0:-2, 1:-1] + V[1:-1, 0:-2] - 4 * V[1:-1, 1:-1] + V[1:-1, 2:] + V[2:, 1:-1])
        uvv = u * v * v
        u += Du * Lu - uvv + F * (1 - u)
        v += Dv * Lv + uvv - (F + k) * v
    return V


def grayscott_arrays(U, V, counts, Du=0.16, Dv=0.08, F=0.035, k=0.065):
    """Rougier's Gray-Scott: the interior views of `U` and `V` updated in place."""
    u, v = U[1:-1, 1:-1], V[1:-1, 1:-1]
    for i in range(counts):
        Lu = (U[0:-2, 1:-1] + U[1:-1, 0:-2] - 4 * U[1:-1, 1:-1] + U[1:-1, 2:] + U[2:, 1:-1])
        Lv = (V[0:-2, 1:-1] + V[1:-1, 0:-2] - 4 * V[1:-1, 1:-1] + V[1:-1, 2:] + V[2:, 1:-1])
        uvv = u * v * v
        u += (Du * Lu - uvv + F * (1 - u))
        v += (Dv * Lv + uvv - (F + k) * v)
    return V[1:-1, 1:-1]


def growcut_vectorized(image, state, window_radius):
    """One growcut sweep over shifted neighbours: a neighbour whose attack beats the defence
    takes the pixel (`np.where`), as the vectorized ports write it."""
    height, width = image.shape[:2]
    label = state[..., 0].copy()
    strength = state[..., 1].copy()
    pad_img = np.pad(image, ((window_radius, window_radius), (window_radius, window_radius),
                             (0, 0)), mode='edge')
    pad_state = np.pad(state, ((window_radius, window_radius), (window_radius, window_radius),
                               (0, 0)), mode='edge')
    for dj in range(-window_radius, window_radius + 1):
        for di in range(-window_radius, window_radius + 1):
            if dj == 0 and di == 0:
                continue
            nb_img = pad_img[window_radius + dj:window_radius + dj + height,
                             window_radius + di:window_radius + di + width]
            nb_state = pad_state[window_radius + dj:window_radius + dj + height,
                                 window_radius + di:window_radius + di + width]
            s = np.sum((image - nb_img) ** 2, axis=-1)
            gval = 1.0 - np.sqrt(s) / np.sqrt(3)
            attack = gval * nb_state[..., 1]
            win = attack > strength
            strength = np.where(win, attack, strength)
            label = np.where(win, nb_state[..., 0], label)
    return np.stack([label, strength], axis=-1)


def harris(I):
    m, n = I.shape
    dx = (I[1:, :] - I[:m - 1, :])[:, 1:]
    dy = (I[:, 1:] - I[:, :n - 1])[1:, :]
    A = dx * dx
    B = dy * dy
    C = dx * dy
    tr = A + B
    det = A * B - C * C
    k = 0.05
    return det - k * tr * tr


def hasting(x0, steps, uniforms):
    """Metropolis-Hastings on a standard normal target with given proposal steps and uniforms,
    many chains at once."""
    x = x0.copy()
    samples = np.empty((steps.shape[0],) + x0.shape)
    for i in range(steps.shape[0]):
        proposal = x + steps[i]
        ratio = np.exp(-0.5 * proposal ** 2) / np.exp(-0.5 * x ** 2)
        accept = uniforms[i] < ratio
        x = np.where(accept, proposal, x)
        samples[i] = x
    return samples


def hyantes(xmin, ymin, step, range_, range_x, range_y, t):
    """Hyantes' smoothing of town weights, vectorized over the grid with the range test as a
    mask (the loop form branches on `tmp < range_`)."""
    xi = xmin + step * np.arange(range_x)
    yj = ymin + step * np.arange(range_y)
    pt = np.zeros((range_x, range_y))
    for k in t:
        tmp = 6368. * np.arccos(np.cos(xi)[:, None] * np.cos(k[0]) * np.cos(yj[None, :] - k[1])
                                + np.sin(xi)[:, None] * np.sin(k[0]))
        pt += np.where(tmp < range_, k[2] / (1 + tmp), 0.0)
    return pt


def julia_vectorized(cr, ci, N, bound=1.5, lim=1000.):
    """The benchmark's Julia set counts with a fixed number of masked iterations."""
    x = np.linspace(-bound, bound, N)
    X, Y = np.meshgrid(x, x)
    z = X + 1j * Y
    c = cr + 1j * ci
    counts = np.zeros((N, N), dtype=np.int64)
    for it in range(20):
        alive = np.abs(z) < lim
        z = np.where(alive, z * z + c, z)
        counts += alive
    return counts


def l2norm(x):
    return np.sqrt(np.einsum('ij,ij->i', x, x))


def laplacien(image):
    out_image = np.abs(4 * image[1:-1, 1:-1] - image[0:-2, 1:-1] - image[2:, 1:-1]
                       - image[1:-1, 0:-2] - image[1:-1, 2:])
    valmax = np.max(out_image)
    valmax = max(1., valmax) + 1.E-9
    out_image /= valmax
    return out_image


def _laplacien_maximum(image):
    """`laplacien` with `np.maximum` where the benchmark calls Python's `max`."""
    out_image = np.abs(4 * image[1:-1, 1:-1] - image[0:-2, 1:-1] - image[2:, 1:-1]
                       - image[1:-1, 0:-2] - image[1:-1, 2:])
    valmax = np.maximum(1., np.max(out_image)) + 1.E-9
    out_image /= valmax
    return out_image


def _wrap(pos, offset, bound):
    return (pos + offset) % bound


def _clamp(pos, offset, bound):
    return min(bound - 1, max(0, pos + offset))


def local_maxima(data, mode=_wrap):
    wsize = data.shape
    result = np.ones(data.shape, bool)
    for pos in np.ndindex(data.shape):
        myval = data[pos]
        for offset in np.ndindex(wsize):
            neighbor_idx = tuple(mode(p, o - w // 2, w) for (p, o, w) in zip(pos, offset, wsize))
            result[pos] &= (data[neighbor_idx] <= myval)
    return result


def local_maxima_clamp(data):
    return local_maxima(data, mode=_clamp)


def local_maxima_shifts(data):
    """The same 3x3 wrapped maxima, vectorized over `np.roll` shifts."""
    result = np.ones(data.shape, bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            result &= np.roll(np.roll(data, di, axis=0), dj, axis=1) <= data
    return result


def log_likelihood(data, mean, sigma):
    s = (data - mean) ** 2 / (2 * (sigma ** 2))
    pdfs = np.exp(- s)
    pdfs /= np.sqrt(2 * np.pi) * sigma
    return np.log(pdfs).sum()


def lstsqr(x, y):
    x_avg = np.average(x)
    y_avg = np.average(y)
    dx = x - x_avg
    dy = y - y_avg
    var_x = np.sum(dx ** 2)
    cov_xy = np.sum(dx * dy)
    slope = cov_xy / var_x
    y_interc = y_avg - slope * x_avg
    return (slope, y_interc)


def multiple_sum(array):
    rows = array.shape[0]
    cols = array.shape[1]
    out = np.zeros((rows, cols))
    for row in range(0, rows):
        out[row, :] = np.sum(array - array[row, :], 0)
    return out


def normalize_complex_arr(a):
    a_oo = a - a.real.min() - 1j * a.imag.min()
    return a_oo / np.abs(a_oo).max()


def pairwise_broadcast(X):
    return np.sqrt(((X[:, None, :] - X) ** 2).sum(-1))


def periodic_dist(x, y, z, L, periodicX, periodicY, periodicZ):
    N = len(x)
    xtemp = np.tile(x, (N, 1))
    dx = xtemp - xtemp.T
    ytemp = np.tile(y, (N, 1))
    dy = ytemp - ytemp.T
    ztemp = np.tile(z, (N, 1))
    dz = ztemp - ztemp.T
    if periodicX:
        dx[dx > L / 2] = dx[dx > L / 2] - L
        dx[dx < -L / 2] = dx[dx < -L / 2] + L
    if periodicY:
        dy[dy > L / 2] = dy[dy > L / 2] - L
        dy[dy < -L / 2] = dy[dy < -L / 2] + L
    if periodicZ:
        dz[dz > L / 2] = dz[dz > L / 2] - L
        dz[dz < -L / 2] = dz[dz < -L / 2] + L
    d = np.sqrt(dx ** 2 + dy ** 2 + dz ** 2)
    d[d == 0] = -1
    return d, dx, dy, dz


def repeating(x, nvar_y):
    nvar_x = x.shape[0]
    y = np.empty(nvar_x * (1 + nvar_y))
    y[0:nvar_x] = x[0:nvar_x]
    y[nvar_x:] = np.repeat(x, nvar_y)
    return y


def reverse_cumsum(x):
    return np.cumsum(x[::-1])[::-1]


def rosen(x):
    t0 = 100 * (x[1:] - x[:-1] ** 2) ** 2
    t1 = (1 - x[:-1]) ** 2
    return np.sum(t0 + t1)


def slowparts(d, re, preDz, preWz, SRW, RSW, yxV):
    def fprime(x):
        return 1 - np.power(np.tanh(x), 2)
    partialDU = np.zeros((d + 1, re, 2 * d, d))
    for k in range(2 * d):
        for i in range(d):
            partialDU[:, :, k, i] = (fprime(preDz[k]) * fprime(preWz[i])
                                     * (SRW[i, k] + RSW[i, k]) * yxV[:, :, i])
    return partialDU


def smoothing(x, alpha):
    for i in range(1, len(x)):
        x[i] = (1 - alpha) * x[i - 1] + alpha * x[i]
    return x


def specialconvolve(a):
    rowconvol = a[1:-1, :] + a[:-2, :] + a[2:, :]
    colconvol = rowconvol[:, 1:-1] + rowconvol[:, :-2] + rowconvol[:, 2:] - 9 * a[1:-1, 1:-1]
    return colconvol


def sieve_sum(n):
    """Sum of primes below `n`: every multiple of every `i` crossed out, no test of `i`."""
    is_prime = np.ones(n, dtype=bool)
    is_prime[:2] = False
    for i in range(2, int(n ** 0.5) + 1):
        is_prime[i * i::i] = False
    return np.sum(np.arange(n) * is_prime), np.count_nonzero(is_prime)


def vibr_energy(harmonic, anharmonic, i):
    return np.exp(-harmonic * i - anharmonic * (i ** 2))


def wave(u, u_prev, c, steps):
    """1-D wave equation by leapfrog, fixed ends, the new row written into a fresh array."""
    for t in range(steps):
        u_next = np.zeros_like(u)
        u_next[1:-1] = 2 * u[1:-1] - u_prev[1:-1] + c ** 2 * (u[2:] - 2 * u[1:-1] + u[:-2])
        u_prev, u = u, u_next
    return u


def wave2d(u, u_prev, c2, steps):
    """2-D wave steps with the five-point stencil, updating three buffers in rotation."""
    u_next = np.empty_like(u)
    for t in range(steps):
        u_next[1:-1, 1:-1] = (2 * u[1:-1, 1:-1] - u_prev[1:-1, 1:-1]
                              + c2 * (u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2]
                                      - 4 * u[1:-1, 1:-1]))
        u_next[0, :] = u_next[-1, :] = u_next[:, 0] = u_next[:, -1] = 0.0
        u_prev, u, u_next = u, u_next, u_prev
    return u


def wdist(A, B, W):
    k, m = A.shape
    _, n = B.shape
    D = np.zeros((m, n))
    for ii in range(m):
        for jj in range(n):
            wdiff = (A[:, ii] - B[:, jj]) / W[:, ii]
            D[ii, jj] = np.sqrt((wdiff ** 2).sum())
    return D


def extrema(x):
    """Index pairs of the smallest and largest values, as the `extrema` benchmarks return."""
    return np.min(x), np.argmin(x), np.max(x), np.argmax(x)


def mulmod(a, b, c):
    return (a * b) % c, np.mod(a + c, b + 1)


def norm_rows(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def zero_grid(n, m):
    return [[0.0] * m for _ in range(n)], np.zeros((n, m))


BENCHMARKS = {
    "arc_distance": (arc_distance, {}, lambda s, n: tuple(_f(n * 5, seed=s + j) for j in range(4))),
    "allpairs_distances": (allpairs_distances, {}, lambda s, n: (_f(n, 3, seed=s),
                                                                 _f(n + 2, 3, seed=s + 1))),
    "allpairs_distances_loops": (allpairs_distances_loops, {},
                                 lambda s, n: (_f(n, 3, seed=s), _f(3, 3, seed=s + 1))),
    "allpairs_distances_f32": (allpairs_distances, {}, lambda s, n: (
        _f(n, 3, seed=s).astype(np.float32), _f(n + 1, 3, seed=s + 1).astype(np.float32))),
    "check_mask_vectorized": (check_mask_vectorized, {}, lambda s, n: (
        np.column_stack([_i(2, n * 2, seed=s), _i(16, n * 2, 4, seed=s + 1)]),
        _i(4, 4, seed=s + 2))),
    "create_grid": (create_grid, {}, lambda s, n: (_f(n, seed=s),)),
    "cronbach": (cronbach, {}, lambda s, n: (_f(n, 7, seed=s),)),
    "diffusion": (diffusion, {}, lambda s, n: (_f(n + 2, 6, seed=s), np.zeros((n + 2, 6)), 3)),
    "diffusion_loops": (diffusion_loops, {}, lambda s, n: (_f(n, 4, seed=s), np.zeros((n, 4)), 2)),
    "evolve": (evolve, {}, lambda s, n: (_f(n, 5, seed=s), 0.1)),
    "evolve_D": (evolve, {"D": 0.5}, lambda s, n: (_f(n, n, seed=s), 0.05)),
    "fdtd": (fdtd, {}, lambda s, n: (_f(n, 3, seed=s), 2)),
    "fft_recursive": (fft, {}, lambda s, n: (_f(2 ** (n // 2 + 1), seed=s).astype(complex),)),
    "fft_recursive_real_in": (fft, {}, lambda s, n: (_f(2 ** (n // 2), seed=s),)),
    "grayscott": (grayscott, {}, lambda s, n: (n // 2, 0.16, 0.08, 0.035 + 0.001 * s, 0.065)),
    "grayscott_arrays": (grayscott_arrays, {}, lambda s, n: (
        _u(s, n + 2, 6).astype(np.float32), (_u(s + 1, n + 2, 6) * 0.3).astype(np.float32), 3)),
    "growcut_vectorized": (growcut_vectorized, {}, lambda s, n: (
        _u(s, n, 5, 3), np.stack([_i(3, n, 5, seed=s).astype(float), _u(s + 1, n, 5)], -1), 1)),
    "harris": (harris, {}, lambda s, n: (_f(n + 2, 7, seed=s),)),
    "harris_int": (harris, {}, lambda s, n: (_i(255, n + 2, 5, seed=s),)),
    "hasting": (hasting, {}, lambda s, n: (_f(3, seed=s), _f(n, 3, seed=s + 1) * 0.5,
                                           _u(s + 2, n, 3))),
    "hyantes": (hyantes, {}, lambda s, n: (0.0, 0.1, 0.01, 600.0, n, 5,
                                           np.column_stack([_u(s, 7) * 0.2, _u(s + 1, 7) * 0.2,
                                                            _u(s + 2, 7) * 10]))),
    "julia_vectorized": (julia_vectorized, {}, lambda s, n: (-0.835, -0.2321 + 0.01 * s, n)),
    "l2norm": (l2norm, {}, lambda s, n: (_f(n, 6, seed=s),)),
    "laplacien": (laplacien, {}, lambda s, n: (_f(n + 2, 6, seed=s),)),
    "laplacien_small_values": (laplacien, {}, lambda s, n: (_f(n + 2, 6, seed=s) * 0.05,)),
    "laplacien_np_maximum": (_laplacien_maximum, {}, lambda s, n: (_f(n + 2, 6, seed=s),)),
    "local_maxima_wrap": (local_maxima, {}, lambda s, n: (_f(n // 2 + 1, 3, seed=s),)),
    "local_maxima_clamp": (local_maxima_clamp, {}, lambda s, n: (_f(3, n // 2 + 1, seed=s),)),
    "local_maxima_shifts": (local_maxima_shifts, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "log_likelihood": (log_likelihood, {}, lambda s, n: (_f(n * 3, seed=s), 0.3, 1.7)),
    "lstsqr": (lstsqr, {}, lambda s, n: (_f(n * 2, seed=s), _f(n * 2, seed=s + 1))),
    "multiple_sum": (multiple_sum, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "normalize_complex_arr": (normalize_complex_arr, {}, lambda s, n: (
        _f(n, seed=s) + 1j * _f(n, seed=s + 1),)),
    "normalize_complex64": (normalize_complex_arr, {}, lambda s, n: (
        (_f(n, seed=s) + 1j * _f(n, seed=s + 1)).astype(np.complex64),)),
    "pairwise_loops": (pairwise_loops, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "pairwise_broadcast": (pairwise_broadcast, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "periodic_dist": (periodic_dist, {}, lambda s, n: (
        _u(s, n) * 10, _u(s + 1, n) * 10, _u(s + 2, n) * 10, 10.0, True, True, False)),
    "periodic_dist_dupes": (periodic_dist, {}, lambda s, n: (
        np.repeat(_u(s, n // 2) * 4, 2), _u(s + 1, n) * 4, np.zeros(n), 4.0, True, False, True)),
    "repeating": (repeating, {}, lambda s, n: (_f(n, seed=s), 3)),
    "reverse_cumsum": (reverse_cumsum, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "reverse_cumsum_int": (reverse_cumsum, {}, lambda s, n: (_i(9, n * 2, seed=s),)),
    "rosen": (rosen, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "rosen_der": (rosen_der, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "slowparts": (slowparts, {}, lambda s, n: (
        2, n, _f(4, seed=s), _f(2, seed=s + 1), _f(2, 4, seed=s + 2), _f(2, 4, seed=s + 3),
        _f(3, n, 2, seed=s + 4))),
    "smoothing": (smoothing, {}, lambda s, n: (_f(n * 2, seed=s), 0.3)),
    "specialconvolve": (specialconvolve, {}, lambda s, n: (_f(n + 1, 6, seed=s),)),
    "specialconvolve_int": (specialconvolve, {}, lambda s, n: (_i(9, n + 1, 5, seed=s),)),
    "sieve_sum": (sieve_sum, {}, lambda s, n: (n * 10 + 1,)),
    "vibr_energy": (vibr_energy, {}, lambda s, n: (_u(s, n), _u(s + 1, n) * 0.01,
                                                   np.arange(n, dtype=float))),
    "vibr_energy_int_i": (vibr_energy, {}, lambda s, n: (_u(s, n, 1), _u(s + 1, n, 1) * 0.01,
                                                         np.arange(4))),
    "wave": (wave, {}, lambda s, n: (np.sin(np.linspace(0, np.pi, n * 2)), _f(n * 2, seed=s) * 0.01,
                                     0.5, 4)),
    "wave2d": (wave2d, {}, lambda s, n: (_f(n, 5, seed=s), _f(n, 5, seed=s + 1), 0.2, 3)),
    "wdist": (wdist, {}, lambda s, n: (_f(3, n, seed=s), _f(3, 4, seed=s + 1),
                                       _f(3, n, seed=s + 2, positive=True))),
    "extrema": (extrema, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "mulmod": (mulmod, {}, lambda s, n: (_i(50, n, seed=s), _i(50, n, seed=s + 1) + 1, 7)),
    "norm_rows": (norm_rows, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "zero_grid": (zero_grid, {}, lambda s, n: (n, 3)),
}


@pytest.mark.parametrize("name", _names(BENCHMARKS))
def test_numpy_benchmarks(name):
    check_like_numpy(*BENCHMARKS[name])


# ---------------------------------------------------------------- Rougier, From Python to NumPy

def random_walk_fastest(draws):
    """Steps of +-1 from given 0/1 draws, positions by `np.cumsum`."""
    steps = 2 * draws - 1
    return np.cumsum(steps)


def random_walk_rng(rng, n):
    steps = 2 * rng.integers(0, 2, size=n) - 1
    return np.cumsum(steps)


def random_walk_choice(rng, n):
    steps = rng.choice([-1, +1], n)
    walk = np.cumsum(steps)
    return walk, walk.max(), walk.min()


def random_walk_2d(angles):
    """A 2-D walk of unit steps at given angles, with the farthest distance reached."""
    steps = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    path = np.cumsum(steps, axis=0)
    return path, np.sqrt((path ** 2).sum(axis=1)).max()


def life_update(Z):
    N = np.zeros(Z.shape, dtype=int)
    N[1:-1, 1:-1] += (Z[:-2, :-2] + Z[:-2, 1:-1] + Z[:-2, 2:]
                      + Z[1:-1, :-2] + Z[1:-1, 2:]
                      + Z[2:, :-2] + Z[2:, 1:-1] + Z[2:, 2:])
    birth = (N == 3)[1:-1, 1:-1] & (Z[1:-1, 1:-1] == 0)
    survive = ((N == 2) | (N == 3))[1:-1, 1:-1] & (Z[1:-1, 1:-1] == 1)
    Z[...] = 0
    Z[1:-1, 1:-1][birth | survive] = 1
    return Z


def life_iterate(Z, steps):
    for i in range(steps):
        life_update(Z)
    return Z


def life_argwhere(Z):
    """The book's first Life: `np.argwhere` of the four rule masks on raveled views, each list of
    positions written back through `Z_[R] = ...`."""
    N = np.zeros(Z.shape, int)
    N[1:-1, 1:-1] += (Z[0:-2, 0:-2] + Z[0:-2, 1:-1] + Z[0:-2, 2:] + Z[1:-1, 0:-2] + Z[1:-1, 2:]
                      + Z[2:, 0:-2] + Z[2:, 1:-1] + Z[2:, 2:])
    N_ = N.ravel()
    Z_ = Z.ravel()
    R1 = np.argwhere((Z_ == 1) & (N_ < 2))
    R2 = np.argwhere((Z_ == 1) & (N_ > 3))
    R3 = np.argwhere((Z_ == 1) & ((N_ == 2) | (N_ == 3)))
    R4 = np.argwhere((Z_ == 0) & (N_ == 3))
    Z_[R1] = 0
    Z_[R2] = 0
    Z_[R3] = Z_[R3]
    Z_[R4] = 1
    Z[0, :] = Z[-1, :] = Z[:, 0] = Z[:, -1] = 0
    return Z


def life_wrap(Z):
    """Toroidal Life by `np.roll` sums, as the `np.roll` variant writes it."""
    N = sum(np.roll(np.roll(Z, i, 0), j, 1)
            for i in (-1, 0, 1) for j in (-1, 0, 1) if (i != 0 or j != 0))
    return ((N == 3) | (Z & (N == 2))).astype(np.uint8)


def mandelbrot_numpy_f64(xmin, xmax, ymin, ymax, xn, yn, maxiter, horizon=2.0):
    """The same with float64 coordinates and a `np.where` update instead of masked writes."""
    X = np.linspace(xmin, xmax, xn)
    Y = np.linspace(ymin, ymax, yn)
    C = X + Y[:, None] * 1j
    N = np.zeros(C.shape, dtype=int)
    Z = np.zeros(C.shape, complex)
    for n in range(maxiter):
        I = np.less(abs(Z), horizon)
        N = np.where(I, n, N)
        Z = np.where(I, Z ** 2 + C, Z)
    N[N == maxiter - 1] = 0
    return N


def mandelbrot_smooth(xmin, xmax, ymin, ymax, xn, yn, maxiter, horizon=2.0):
    """Rougier's smooth colouring: counts and the log-log correction of the escaped modulus."""
    X = np.linspace(xmin, xmax, xn)
    Y = np.linspace(ymin, ymax, yn)
    C = X + Y[:, None] * 1j
    N = np.zeros(C.shape, dtype=int)
    Z = np.zeros(C.shape, complex)
    for n in range(maxiter):
        I = abs(Z) < horizon
        N[I] = n
        Z[I] = Z[I] ** 2 + C[I]
    N[N == maxiter - 1] = 0
    log_horizon = np.log(np.log(horizon)) / np.log(2)
    with np.errstate(invalid="ignore", divide="ignore"):
        M = np.nan_to_num(N + 1 - np.log(np.log(abs(Z))) / np.log(2) + log_horizon)
    return M


def boids_step(P, V, max_velocity=2.0, max_acceleration=0.03):
    """Rougier's vectorized flock: distances by `np.subtract.outer` and `np.hypot`, masks
    multiplied in place, averages by `@`, norms divided with `out=`/`where=`."""
    n = len(P)
    dx = np.subtract.outer(P[:, 0], P[:, 0])
    dy = np.subtract.outer(P[:, 1], P[:, 1])
    distance = np.hypot(dx, dy)

    mask_0 = (distance > 0)
    mask_1 = (distance < 25)
    mask_2 = (distance < 50)
    mask_1 *= mask_0
    mask_2 *= mask_0
    mask_3 = mask_2

    mask_1_count = np.maximum(mask_1.sum(axis=1), 1)
    mask_2_count = np.maximum(mask_2.sum(axis=1), 1)
    mask_3_count = mask_2_count

    # alignment
    target = np.dot(mask_2, V) / mask_2_count.reshape(n, 1)
    norm = np.sqrt((target * target).sum(axis=1)).reshape(n, 1)
    target *= np.divide(max_velocity, norm, out=norm, where=norm != 0)
    alignment = target - V
    norm = np.sqrt((alignment * alignment).sum(axis=1)).reshape(n, 1)
    alignment *= np.divide(max_acceleration, norm, out=norm, where=norm > max_acceleration)

    # cohesion
    center = np.dot(mask_3, P) / mask_3_count.reshape(n, 1)
    target = center - P
    norm = np.sqrt((target * target).sum(axis=1)).reshape(n, 1)
    target *= np.divide(max_velocity, norm, out=norm, where=norm != 0)
    cohesion = target - V
    norm = np.sqrt((cohesion * cohesion).sum(axis=1)).reshape(n, 1)
    cohesion *= np.divide(max_acceleration, norm, out=norm, where=norm > max_acceleration)

    # separation
    repulsion = np.dstack((dx, dy))
    repulsion = np.divide(repulsion, distance.reshape(n, n, 1) ** 2, out=repulsion,
                          where=distance.reshape(n, n, 1) != 0)
    target = (repulsion * mask_1.reshape(n, n, 1)).sum(axis=1) / mask_1_count.reshape(n, 1)
    norm = np.sqrt((target * target).sum(axis=1)).reshape(n, 1)
    target *= np.divide(max_velocity, norm, out=norm, where=norm != 0)
    separation = target - V
    norm = np.sqrt((separation * separation).sum(axis=1)).reshape(n, 1)
    separation *= np.divide(max_acceleration, norm, out=norm, where=norm > max_acceleration)

    acceleration = 1.5 * separation + alignment + cohesion
    V += acceleration
    norm = np.sqrt((V * V).sum(axis=1)).reshape(n, 1)
    V *= np.divide(max_velocity, norm, out=np.ones_like(norm), where=norm > max_velocity)
    P += V
    P %= (640, 360)
    return P, V


def fluid_diffuse(x0, diff, dt, iters):
    """Stable fluids' implicit diffusion by Jacobi sweeps on the interior, edges copied."""
    a = dt * diff * (x0.shape[0] - 2) * (x0.shape[1] - 2)
    x = x0.copy()
    for k in range(iters):
        x[1:-1, 1:-1] = (x0[1:-1, 1:-1] + a * (x[:-2, 1:-1] + x[2:, 1:-1]
                                                + x[1:-1, :-2] + x[1:-1, 2:])) / (1 + 4 * a)
        x[0, :], x[-1, :] = x[1, :], x[-2, :]
        x[:, 0], x[:, -1] = x[:, 1], x[:, -2]
    return x


def fluid_advect(d0, u, v, dt):
    """Semi-Lagrangian advection: back-traced positions clipped, bilinear weights, and the
    four corner reads by integer fancy indexing."""
    ny, nx = d0.shape
    J, I = np.meshgrid(np.arange(nx), np.arange(ny))
    x = np.clip(I - dt * u, 0.5, ny - 1.5)
    y = np.clip(J - dt * v, 0.5, nx - 1.5)
    i0 = x.astype(int)
    j0 = y.astype(int)
    i1 = i0 + 1
    j1 = j0 + 1
    s1 = x - i0
    s0 = 1 - s1
    t1 = y - j0
    t0 = 1 - t1
    return (s0 * (t0 * d0[i0, j0] + t1 * d0[i0, j1])
            + s1 * (t0 * d0[i1, j0] + t1 * d0[i1, j1]))


def fluid_project(u, v, iters):
    """Pressure projection: divergence, Jacobi pressure, gradient subtracted in place."""
    h = 1.0 / u.shape[0]
    div = np.zeros_like(u)
    p = np.zeros_like(u)
    div[1:-1, 1:-1] = -0.5 * h * (u[2:, 1:-1] - u[:-2, 1:-1] + v[1:-1, 2:] - v[1:-1, :-2])
    for k in range(iters):
        p[1:-1, 1:-1] = (div[1:-1, 1:-1] + p[:-2, 1:-1] + p[2:, 1:-1]
                         + p[1:-1, :-2] + p[1:-1, 2:]) / 4
    u[1:-1, 1:-1] -= 0.5 * (p[2:, 1:-1] - p[:-2, 1:-1]) / h
    v[1:-1, 1:-1] -= 0.5 * (p[1:-1, 2:] - p[1:-1, :-2]) / h
    return u, v


def smoke_step(density, u, v, dt):
    """Buoyancy, vorticity-free advection and a decay, as smoke demos chain them."""
    v = v + dt * 0.5 * density
    density = fluid_advect(density, u, v, dt)
    density *= 0.99
    return density, v


def reduceat_sums(Z):
    return np.add.reduceat(Z, np.arange(0, len(Z), 3))


def reduceat_given(Z, idx):
    """`np.add.reduceat` with given, sorted starts (equal starts give the element)."""
    return np.add.reduceat(Z, idx), np.maximum.reduceat(Z, idx)


def reduceat_2d(Z):
    return np.add.reduceat(np.add.reduceat(Z, [0, 2], axis=0), [0, 1, 3], axis=1)


def voronoi_centroids(density, labels, n_regions):
    """Weighted centroids of labelled pixels (stippling's Lloyd step) by `np.bincount`."""
    rows, cols = np.indices(density.shape)
    w = density.ravel()
    lab = labels.ravel()
    total = np.bincount(lab, weights=w, minlength=n_regions)
    cy = np.bincount(lab, weights=w * rows.ravel(), minlength=n_regions)
    cx = np.bincount(lab, weights=w * cols.ravel(), minlength=n_regions)
    with np.errstate(invalid="ignore", divide="ignore"):
        centroids = np.stack([cx / total, cy / total], axis=1)
    return np.nan_to_num(centroids)


def voronoi_labels(points, shape):
    """Nearest-seed labels of every pixel by a broadcast distance and `argmin`."""
    Y, X = np.mgrid[0:shape[0], 0:shape[1]]
    P = np.stack([X.ravel(), Y.ravel()], axis=1)
    D = ((P[:, None, :] - points[None, :, :]) ** 2).sum(-1)
    return D.argmin(axis=1).reshape(shape)


def maze_value_iteration(Z, goal, iters, gamma=0.99):
    """Rougier's maze solver: a value diffused from the goal, walls as zeros in `Z`."""
    G = np.zeros(Z.shape)
    G[goal] = 1
    for i in range(iters):
        G_ = np.maximum.reduce([G[1:-1, 1:-1] * 1, gamma * G[0:-2, 1:-1], gamma * G[2:, 1:-1],
                                gamma * G[1:-1, 0:-2], gamma * G[1:-1, 2:]])
        G[1:-1, 1:-1] = G_ * Z[1:-1, 1:-1]
    return G


def maze_bfs_fixed(Z, start, iters):
    """Breadth-first reachable set by repeated dilation within free cells, with distances."""
    reached = np.zeros(Z.shape, dtype=bool)
    reached[start] = True
    dist = np.full(Z.shape, -1)
    dist[start] = 0
    for step in range(1, iters + 1):
        grown = reached.copy()
        grown[1:, :] |= reached[:-1, :]
        grown[:-1, :] |= reached[1:, :]
        grown[:, 1:] |= reached[:, :-1]
        grown[:, :-1] |= reached[:, 1:]
        grown &= Z.astype(bool)
        dist[grown & ~reached] = step
        reached = grown
    return reached, dist


def strided_windows(Z, n):
    """The book's `as_strided` view of overlapping windows, then reduced."""
    stride = Z.strides[0]
    windows = np.lib.stride_tricks.as_strided(Z, shape=(len(Z) - n + 1, n),
                                              strides=(stride, stride))
    return windows.sum(axis=1)


def compute_index_unravel(Z, flat):
    """Indices of flat positions in a 2-D array, and the values read back."""
    i, j = np.unravel_index(flat, Z.shape)
    return i, j, Z[i, j], np.ravel_multi_index((i, j), Z.shape)


def view_offsets(Z):
    """Rougier's view examples: a step-2 view written through, a `[::-1]` view, and `.base`
    telling a view of a copy from the copy itself."""
    V = Z[::2]
    V *= 2
    W = Z[::-1]
    C = Z.copy()
    return W + 0, C.base is None, C[1:3].base is C, C[[1, 2]].base is None


ROUGIER = {
    "random_walk_fastest": (random_walk_fastest, {}, lambda s, n: (_i(2, n * 5, seed=s),)),
    "random_walk_2d": (random_walk_2d, {}, lambda s, n: (_u(s, n * 3) * 2 * np.pi,)),
    "life_update": (life_update, {}, lambda s, n: (_i(2, n + 2, 6, seed=s),)),
    "life_iterate": (life_iterate, {}, lambda s, n: (_i(2, n + 3, 6, seed=s), 3)),
    "life_iterate_2": (life_iterate_2, {}, lambda s, n: (_i(2, n + 2, 7, seed=s),)),
    "life_argwhere": (life_argwhere, {}, lambda s, n: (_i(2, n + 2, 6, seed=s),)),
    "life_wrap": (life_wrap, {}, lambda s, n: (_i(2, n, 6, seed=s).astype(np.uint8),)),
    "life_wrap_bool": (life_wrap, {}, lambda s, n: (_i(2, n, 5, seed=s).astype(bool),)),
    "mandelbrot_numpy": (mandelbrot_numpy, {}, lambda s, n: (-2.0, 0.5, -1.25, 1.25, n * 2, n, 8)),
    "mandelbrot_numpy_f64": (mandelbrot_numpy_f64, {}, lambda s, n: (
        -2.0, 0.5 + 0.1 * s, -1.25, 1.25, n * 2, n, 10)),
    "mandelbrot_smooth": (mandelbrot_smooth, {}, lambda s, n: (
        -2.0, 0.5, -1.25 + 0.1 * s, 1.25, n * 2, n, 12, 2.0 ** 10)),
    "boids_step": (boids_step, {}, lambda s, n: (_u(s, n * 2, 2) * 60, _f(n * 2, 2, seed=s + 1))),
    "fluid_diffuse": (fluid_diffuse, {}, lambda s, n: (_u(s, n + 2, 6), 0.01, 0.1, 4)),
    "fluid_advect": (fluid_advect, {}, lambda s, n: (_u(s, n + 2, 6), _f(n + 2, 6, seed=s + 1),
                                                     _f(n + 2, 6, seed=s + 2), 0.5)),
    "fluid_project": (fluid_project, {},
                      lambda s, n: (_f(n + 2, 6, seed=s), _f(n + 2, 6, seed=s + 1), 5)),
    "smoke_step": (smoke_step, {}, lambda s, n: (_u(s, n + 2, 5), _f(n + 2, 5, seed=s + 1),
                                                 _f(n + 2, 5, seed=s + 2), 0.3)),
    "reduceat_sums": (reduceat_sums, {}, lambda s, n: (_f(n * 2 + 1, seed=s),)),
    "reduceat_given": (reduceat_given, {},
                       lambda s, n: (_f(n * 2, seed=s), np.array([0, 2, 2, n]))),
    "reduceat_2d": (reduceat_2d, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "voronoi_centroids": (voronoi_centroids, {},
                          lambda s, n: (_u(s, n, 6), _i(5, n, 6, seed=s), 6)),
    "voronoi_labels": (voronoi_labels, {}, lambda s, n: (_u(s, 4, 2) * 5, (n, 5))),
    "maze_value_iteration": (maze_value_iteration, {}, lambda s, n: (
        _i(4, n + 3, 7, seed=s).astype(bool).astype(float), (2, 3), 6)),
    "maze_bfs_fixed": (maze_bfs_fixed, {}, lambda s, n: (_i(3, n + 2, 6, seed=s) > 0, (1, 1), 5)),
    "strided_windows": (strided_windows, {}, lambda s, n: (_f(n * 2, seed=s), 3)),
    "compute_index_unravel": (compute_index_unravel, {}, lambda s, n: (
        _f(n, 5, seed=s), _i(n * 5, 7, seed=s + 1))),
    "view_offsets": (view_offsets, {}, lambda s, n: (_f(n * 2, seed=s),)),
}


@pytest.mark.parametrize("name", _names(ROUGIER))
def test_rougier(name):
    check_like_numpy(*ROUGIER[name])


def shuffled_walk(rng, steps, n):
    """Given steps of a walk visited in a random order of `rng.permutation(n)`."""
    order = rng.permutation(n)
    return np.cumsum(steps[order]), order


ROUGIER_DRAWS = {
    "random_walk_rng": (random_walk_rng, lambda s, n: (np.random.default_rng(s), n * 4)),
    "random_walk_choice": (random_walk_choice, lambda s, n: (np.random.default_rng(s), n * 4)),
    "shuffled_walk": (shuffled_walk, lambda s, n: (np.random.default_rng(s),
                                                   _i(2, n * 2, seed=s) * 2 - 1, n * 2)),
}


@pytest.mark.parametrize("name", _names(ROUGIER_DRAWS))
def test_rougier_draws(name):
    """Generator arguments: NumPy's draws, and the generator left in NumPy's state."""
    fn, make = ROUGIER_DRAWS[name]
    jf = tracenp.jit(fn)
    for seed, size in ((1, 4), (2, 4), (3, 6)):
        want_args, got_args = make(seed, size), make(seed, size)
        assert_same(jf(*got_args), fn(*want_args))
        assert got_args[0].bit_generator.state == want_args[0].bit_generator.state


# ---------------------------------------------------------------- Numba / Cython baselines

def go_fast(a):
    trace = 0.0
    for i in range(a.shape[0]):
        trace += np.tanh(a[i, i])
    return a + trace


def monte_carlo_pi_vectorized(x, y):
    nsamples = len(x)
    acc = np.sum(x ** 2 + y ** 2 < 1.0)
    return 4.0 * acc / nsamples


def monte_carlo_pi_loop_count(x, y):
    """The Numba loop with the `if` folded into the sum of a comparison."""
    acc = 0
    for i in range(len(x)):
        acc += (x[i] ** 2 + y[i] ** 2) < 1.0
    return 4.0 * acc / len(x)


def monte_carlo_pi_rng(rng, nsamples):
    x = rng.random(nsamples)
    y = rng.random(nsamples)
    return 4.0 * np.count_nonzero(x * x + y * y < 1.0) / nsamples


def sum2d(arr):
    M, N = arr.shape
    result = 0.0
    for i in range(M):
        for j in range(N):
            result += arr[i, j]
    return result


def filter2d(image, filt):
    M, N = image.shape
    Mf, Nf = filt.shape
    Mf2 = Mf // 2
    Nf2 = Nf // 2
    result = np.zeros_like(image)
    for i in range(Mf2, M - Mf2):
        for j in range(Nf2, N - Nf2):
            num = 0.0
            for ii in range(Mf):
                for jj in range(Nf):
                    num += (filt[Mf - 1 - ii, Nf - 1 - jj] * image[i - Mf2 + ii, j - Nf2 + jj])
            result[i, j] = num
    return result


def filter2d_slices(image, filt):
    """The same convolution as a sum of shifted slices, the vectorized answer."""
    M, N = image.shape
    Mf, Nf = filt.shape
    result = np.zeros_like(image)
    for ii in range(Mf):
        for jj in range(Nf):
            result[Mf // 2:M - Mf // 2, Nf // 2:N - Nf // 2] += (
                filt[Mf - 1 - ii, Nf - 1 - jj] * image[ii:M - Mf + 1 + ii, jj:N - Nf + 1 + jj])
    return result


def compute(array_1, array_2, a, b, c):
    """The Cython tutorial's `compute`: `clip(array_1, 2, 10) * a + array_2 * b + c`."""
    return np.clip(array_1, 2, 10) * a + array_2 * b + c


def compute_loops(array_1, array_2, a, b, c):
    """The tutorial's loop form: a result of `array_1`'s dtype filled element by element."""
    x_max = array_1.shape[0]
    y_max = array_1.shape[1]
    result = np.zeros((x_max, y_max), dtype=array_1.dtype)
    for x in range(x_max):
        for y in range(y_max):
            tmp = np.clip(array_1[x, y], 2, 10)
            tmp = tmp * a + array_2[x, y] * b
            result[x, y] = tmp + c
    return result


def ising_checkerboard(spins, beta, rand):
    """A Metropolis sweep over the two checkerboard colours with periodic neighbours, the
    acceptance test as a mask."""
    n, m = spins.shape
    parity = np.add.outer(np.arange(n), np.arange(m)) % 2
    s = spins.copy()
    for colour in (0, 1):
        nb = (np.roll(s, 1, 0) + np.roll(s, -1, 0) + np.roll(s, 1, 1) + np.roll(s, -1, 1))
        dE = 2 * s * nb
        flip = (dE <= 0) | (rand[colour] < np.exp(-beta * dE))
        s = np.where((parity == colour) & flip, -s, s)
    return s, s.sum(), -np.sum(s * (np.roll(s, 1, 0) + np.roll(s, 1, 1)))


def ising_energy_loops(field):
    N, M = field.shape
    energy = 0
    for n in range(N):
        for m in range(M):
            energy -= field[n, m] * (field[(n + 1) % N, m] + field[n, (m + 1) % M])
    return energy


def euclidean_broadcast(X, Y):
    return np.sqrt(((X[:, np.newaxis, :] - Y[np.newaxis, :, :]) ** 2).sum(axis=2))


def euclidean_loops(X, Y):
    out = np.empty((X.shape[0], Y.shape[0]))
    for i in range(X.shape[0]):
        for j in range(Y.shape[0]):
            d = 0.0
            for k in range(X.shape[1]):
                d += (X[i, k] - Y[j, k]) ** 2
            out[i, j] = math.sqrt(d)
    return out


def euclidean_expanded(X, Y):
    XX = (X * X).sum(axis=1)[:, np.newaxis]
    YY = (Y * Y).sum(axis=1)[np.newaxis, :]
    D = XX - 2 * X @ Y.T + YY
    np.maximum(D, 0, out=D)
    return np.sqrt(D)


def smooth_loops(x, w):
    n = len(x)
    out = np.empty(n - w + 1)
    for i in range(n - w + 1):
        out[i] = x[i:i + w].mean()
    return out


def smooth_convolve(x, w):
    return np.convolve(x, np.ones(w) / w, mode='valid')


def smooth_convolve_same(x, w):
    return np.convolve(x, np.ones(w, dtype=float) / w, mode='same')


def smooth_window_loop(x, w):
    """A centred average whose window is cut at the ends, a running sum per element."""
    n = len(x)
    out = np.zeros_like(x)
    for i in range(n):
        lo = max(0, i - w)
        hi = min(n, i + w + 1)
        total = 0.0
        for j in range(lo, hi):
            total += x[j]
        out[i] = total / (hi - lo)
    return out


def bubble_sort_branchless(a):
    """Bubble sort with fixed loops: each compare-and-swap by `min`/`max` writes."""
    a = a.copy()
    n = len(a)
    for i in range(n):
        for j in range(n - i - 1):
            lo = np.minimum(a[j], a[j + 1])
            hi = np.maximum(a[j], a[j + 1])
            a[j] = lo
            a[j + 1] = hi
    return a


def bubble_sort_where_swap(a):
    """The swap as a tuple assignment chosen by `np.where`, in place."""
    n = len(a)
    for i in range(n):
        for j in range(n - i - 1):
            swap = a[j] > a[j + 1]
            a[j], a[j + 1] = np.where(swap, a[j + 1], a[j]), np.where(swap, a[j], a[j + 1])
    return a


def swap_rows_views(M):
    """The tuple swap of two rows: in NumPy the right side holds views, so both rows end up
    equal. Traced code must give the same (surprising) answer."""
    M[0], M[1] = M[1], M[0]
    return M


def swap_rows_fancy(M):
    M[[0, 1]] = M[[1, 0]]
    return M


def swap_elements_tuple(a):
    """Scalars are copies: the 1-D tuple swap works."""
    a[0], a[-1] = a[-1], a[0]
    return a


def hypot_loop(x, y):
    out = np.empty_like(x)
    for i in range(len(x)):
        out[i] = math.sqrt(x[i] ** 2 + y[i] ** 2)
    return out


def hypot_math(x, y):
    out = np.empty(len(x))
    for i in range(len(x)):
        out[i] = math.hypot(x[i], y[i])
    return out


def mandelbrot_escape_fixed(c_re, c_im, maxiter):
    """The element loop's escape time with the `break` made branchless: a counter that keeps
    counting while the orbit stays bounded."""
    z_re = np.zeros_like(c_re)
    z_im = np.zeros_like(c_im)
    count = np.zeros(c_re.shape, dtype=np.int32)
    for i in range(maxiter):
        bounded = z_re * z_re + z_im * z_im <= 4.0
        z_re, z_im = (np.where(bounded, z_re * z_re - z_im * z_im + c_re, z_re),
                      np.where(bounded, 2 * z_re * z_im + c_im, z_im))
        count += bounded
    return count


def mandel_complex_loop(xs, ys, max_iters):
    """Numba's `mandel` per pixel with `complex(x, y)` of array elements and the escape test
    counted instead of returned."""
    image = np.zeros((len(ys), len(xs)), dtype=np.uint8)
    for i in range(len(xs)):
        for j in range(len(ys)):
            c = complex(xs[i], ys[j])
            z = 0.0j
            count = 0
            for k in range(max_iters):
                z = z * z + c
                count += (z.real * z.real + z.imag * z.imag) < 4
            image[j, i] = count
    return image


def phases_cmath(theta):
    return np.array([cmath.exp(1j * t) for t in theta])


def cumulative_max_loop(x):
    out = np.empty_like(x)
    out[0] = x[0]
    for i in range(1, len(x)):
        out[i] = np.maximum(out[i - 1], x[i])
    return out


NUMBA_CYTHON = {
    "go_fast": (go_fast, {}, lambda s, n: (_f(n, n, seed=s),)),
    "go_fast_rect": (go_fast, {}, lambda s, n: (_f(n, n + 2, seed=s),)),
    "go_fast_int": (go_fast, {}, lambda s, n: (np.arange(n * n).reshape(n, n) % 3,)),
    "monte_carlo_pi_vectorized": (monte_carlo_pi_vectorized, {},
                                  lambda s, n: (_u(s, n * 10), _u(s + 1, n * 10))),
    "monte_carlo_pi_loop_count": (monte_carlo_pi_loop_count, {},
                                  lambda s, n: (_u(s, n * 2), _u(s + 1, n * 2))),
    "sum2d": (sum2d, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "sum2d_int": (sum2d, {}, lambda s, n: (_i(10, n, 3, seed=s),)),
    "filter2d": (filter2d, {}, lambda s, n: (_f(n, 5, seed=s), _f(3, 3, seed=s + 1))),
    "filter2d_slices": (filter2d_slices, {},
                        lambda s, n: (_f(n + 2, 7, seed=s), _f(3, 3, seed=s + 1))),
    "filter2d_slices_5x3": (filter2d_slices, {}, lambda s, n: (_f(n + 4, 6, seed=s),
                                                               _f(5, 3, seed=s + 1))),
    "compute_intc": (compute, {}, lambda s, n: (
        (_u(s, n, 5) * 1000).astype(np.intc), (_u(s + 1, n, 5) * 1000).astype(np.intc), 4, 3, 9)),
    "compute_int64": (compute, {}, lambda s, n: (_i(1000, n, 5, seed=s), _i(1000, n, 5, seed=s + 1),
                                                 4, 3, 9)),
    "compute_loops": (compute_loops, {}, lambda s, n: (
        (_u(s, n, 3) * 20).astype(np.intc), (_u(s + 1, n, 3) * 20).astype(np.intc), 4, 3, 9)),
    "ising_checkerboard": (ising_checkerboard, {}, lambda s, n: (
        np.where(_u(s, n, 6) < 0.5, -1, 1), 0.4, _u(s + 1, 2, n, 6))),
    "ising_checkerboard_int8": (ising_checkerboard, {}, lambda s, n: (
        np.where(_u(s, n, 4) < 0.5, -1, 1).astype(np.int8), 0.6, _u(s + 1, 2, n, 4))),
    "ising_energy_loops": (ising_energy_loops, {}, lambda s, n: (
        np.where(_u(s, n, 4) < 0.5, -1, 1),)),
    "euclidean_broadcast": (euclidean_broadcast, {},
                            lambda s, n: (_f(n, 3, seed=s), _f(5, 3, seed=s + 1))),
    "euclidean_loops": (euclidean_loops, {}, lambda s, n: (_f(n, 2, seed=s), _f(3, 2, seed=s + 1))),
    "euclidean_expanded": (euclidean_expanded, {},
                           lambda s, n: (_f(n, 3, seed=s), _f(4, 3, seed=s + 1))),
    "euclidean_expanded_self": (euclidean_expanded, {}, lambda s, n: (_f(n, 3, seed=s),) * 2),
    "smooth_loops": (smooth_loops, {}, lambda s, n: (_f(n * 2, seed=s), 3)),
    "smooth_convolve": (smooth_convolve, {}, lambda s, n: (_f(n * 3, seed=s), 4)),
    "smooth_convolve_same": (smooth_convolve_same, {}, lambda s, n: (_f(n * 3, seed=s), 5)),
    "smooth_window_loop": (smooth_window_loop, {}, lambda s, n: (_f(n, seed=s), 2)),
    "bubble_sort_branchless": (bubble_sort_branchless, {}, lambda s, n: (_f(n, seed=s),)),
    "bubble_sort_branchless_int": (bubble_sort_branchless, {}, lambda s, n: (_i(9, n, seed=s),)),
    "bubble_sort_where_swap": (bubble_sort_where_swap, {}, lambda s, n: (_f(n, seed=s),)),
    "swap_rows_views": (swap_rows_views, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "swap_rows_fancy": (swap_rows_fancy, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "swap_elements_tuple": (swap_elements_tuple, {}, lambda s, n: (_f(n, seed=s),)),
    "hypot_loop": (hypot_loop, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "hypot_loop_f32": (hypot_loop, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),
                                                     _f(n, seed=s + 1).astype(np.float32))),
    "hypot_math": (hypot_math, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "mandelbrot_escape_fixed": (mandelbrot_escape_fixed, {}, lambda s, n: (
        np.linspace(-2, 0.5, n * 3)[None, :] + 0 * _u(s, n, 1), _u(s, n, 1) * 2 - 1, 12)),
    "cumulative_max_loop": (cumulative_max_loop, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "mandel_complex_loop": (mandel_complex_loop, {}, lambda s, n: (np.linspace(-2, 0.5, n),
                                                                   _u(s, 3) * 2 - 1, 5)),
    "phases_cmath": _Xfail(
        "cmath.exp of a traced scalar raises ConcretizationError (math.exp traces)",
        phases_cmath, {}, lambda s, n: (_f(n, seed=s),)),
}


@pytest.mark.parametrize("name", _names(NUMBA_CYTHON))
def test_numba_cython_baselines(name):
    check_like_numpy(*NUMBA_CYTHON[name])


# ---------------------------------------------------------------- vectorization posts

def einsum_matmul(A, B):
    return np.einsum('ij,jk->ik', A, B), A @ B


def einsum_batched(A, B):
    return np.einsum('bij,bjk->bik', A, B), np.matmul(A, B)


def einsum_diag_trace(A):
    return np.einsum('ii->i', A), np.einsum('ii', A), np.trace(A)


def einsum_rowdot(A, B):
    return np.einsum('ij,ij->i', A, B), (A * B).sum(axis=1)


def einsum_outer(a, b):
    return np.einsum('i,j->ij', a, b), np.outer(a, b), a[:, None] * b[None, :]


def einsum_quadratic_form(X, M):
    """Mahalanobis-style `x_i^T M x_i` per row, by `einsum` and by `@` then a row sum."""
    return np.einsum('ij,jk,ik->i', X, M, X), ((X @ M) * X).sum(-1)


def einsum_bilinear_batch(x, W, y):
    return np.einsum('ni,kij,nj->nk', x, W, y)


def einsum_transpose_sum(T):
    return np.einsum('ijk->kj', T), np.einsum('ijk->', T)


def rolling_mean_swv(x, w):
    return sliding_window_view(x, w).mean(axis=-1)


def rolling_stats_swv(x, w):
    win = sliding_window_view(x, window_shape=w)
    return win.max(axis=1), win.min(axis=1), win.std(axis=1, ddof=1)


def max_filter_swv(img):
    return sliding_window_view(np.pad(img, 1, mode='edge'), (3, 3)).max(axis=(-2, -1))


def conv_swv(img, k):
    windows = sliding_window_view(img, k.shape)
    return np.einsum('ijkl,kl->ij', windows, k)


def rolling_axis_swv(X, w):
    return sliding_window_view(X, w, axis=0).sum(axis=-1)


def group_sums_bincount(groups, values, k):
    sums = np.bincount(groups, weights=values, minlength=k)
    counts = np.bincount(groups, minlength=k)
    means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    return sums, counts, means


def group_sums_add_at(groups, values, k):
    out = np.zeros(k)
    np.add.at(out, groups, values)
    return out


def bin_searchsorted(x, edges):
    idx = np.searchsorted(edges, x, side='right') - 1
    idx = np.clip(idx, 0, len(edges) - 2)
    return idx, np.bincount(idx, minlength=len(edges) - 1)


def bin_digitize(x, edges):
    return np.digitize(x, edges), np.histogram(x, bins=edges)[0]


def interp_searchsorted(xp, fp, x):
    """Linear interpolation written out with `np.searchsorted`, against `np.interp`."""
    i = np.clip(np.searchsorted(xp, x) - 1, 0, len(xp) - 2)
    t = (x - xp[i]) / (xp[i + 1] - xp[i])
    return fp[i] + t * (fp[i + 1] - fp[i]), np.interp(x, xp, fp)


def moving_average_cumsum(a, n=3):
    ret = np.cumsum(a, dtype=float)
    ret[n:] = ret[n:] - ret[:-n]
    return ret[n - 1:] / n


def moving_average_cumsum_pad(a, n):
    c = np.cumsum(np.insert(a, 0, 0))
    return (c[n:] - c[:-n]) / float(n)


def drawdown(prices):
    peak = np.maximum.accumulate(prices)
    dd = (prices - peak) / peak
    i = np.argmax(peak - prices)
    j = np.argmax(np.where(np.arange(len(prices)) <= i, prices, -np.inf))
    return dd.min(), i, j, dd


def drawdown_2d(prices):
    peak = np.maximum.accumulate(prices, axis=0)
    return (prices / peak - 1).min(axis=0)


def lexsort_pairs(a, b):
    order = np.lexsort((b, a))
    return a[order], b[order], order


def lexsort_rows(X):
    """Rows sorted lexicographically by their columns, first column most significant."""
    return X[np.lexsort(X.T[::-1])]


def topk_argpartition(x, k):
    idx = np.argpartition(x, -k)[-k:]
    idx = idx[np.argsort(x[idx])][::-1]
    return idx, x[idx]


def topk_rows_argpartition(X, k):
    """The k smallest per row: partition, then sort the kept columns."""
    part = np.argpartition(X, k, axis=1)[:, :k]
    vals = np.take_along_axis(X, part, axis=1)
    order = np.argsort(vals, axis=1)
    return np.take_along_axis(part, order, axis=1), np.sort(vals, axis=1)


def take_along_sorted(X):
    idx = np.argsort(X, axis=1)
    return np.take_along_axis(X, idx, axis=1), idx


def take_along_argmax(X):
    i = np.argmax(X, axis=1)
    return np.take_along_axis(X, i[:, None], axis=1).squeeze(1), np.take_along_axis(
        X, np.expand_dims(i, axis=-1), axis=-1)


def put_along_zero_max(X):
    X = X.copy()
    np.put_along_axis(X, np.argmax(X, axis=0)[None, :], 0.0, axis=0)
    return X


def ranks_argsort(x):
    """Ranks by a double `argsort`, and by scattering `np.arange` through the order."""
    ranks = np.empty_like(x, dtype=int)
    order = x.argsort()
    ranks[order] = np.arange(len(x))
    return ranks, x.argsort().argsort()


def cdist_chunked_min(X, Y, chunk):
    """Nearest neighbours by chunks of rows, the memory-saving loop of performance answers."""
    out = np.empty(X.shape[0], dtype=np.intp)
    dist = np.empty(X.shape[0])
    for start in range(0, X.shape[0], chunk):
        d = ((X[start:start + chunk, None, :] - Y[None]) ** 2).sum(-1)
        out[start:start + chunk] = d.argmin(1)
        dist[start:start + chunk] = d.min(1)
    return out, np.sqrt(dist)


def float32_exponents(x):
    """The exponent field of float32 values read through an int32 view, the bit trick of fast
    log2 approximations."""
    bits = x.astype(np.float32).view(np.int32)
    return ((bits >> 23) & 0xFF) - 127


def cumprod_returns(r):
    wealth = np.cumprod(1 + r)
    return wealth, np.log1p(r).cumsum()


VECTORIZATION = {
    "einsum_matmul": (einsum_matmul, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, 5, seed=s + 1))),
    "einsum_matmul_int": (einsum_matmul, {},
                          lambda s, n: (_i(5, n, 3, seed=s), _i(5, 3, 2, seed=s + 1))),
    "einsum_batched": (einsum_batched, {},
                       lambda s, n: (_f(n, 2, 3, seed=s), _f(n, 3, 4, seed=s + 1))),
    "einsum_diag_trace": (einsum_diag_trace, {}, lambda s, n: (_f(n, n, seed=s),)),
    "einsum_rowdot": (einsum_rowdot, {}, lambda s, n: (_f(n, 4, seed=s), _f(n, 4, seed=s + 1))),
    "einsum_outer": (einsum_outer, {}, lambda s, n: (_f(n, seed=s), _f(3, seed=s + 1))),
    "einsum_quadratic_form": (einsum_quadratic_form, {}, lambda s, n: (_f(n, 3, seed=s),
                                                                       _f(3, 3, seed=s + 1))),
    "einsum_bilinear_batch": (einsum_bilinear_batch, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(2, 3, 4, seed=s + 1), _f(n, 4, seed=s + 2))),
    "einsum_transpose_sum": (einsum_transpose_sum, {}, lambda s, n: (_f(n, 2, 3, seed=s),)),
    "rolling_mean_swv": (rolling_mean_swv, {}, lambda s, n: (_f(n * 2, seed=s), 3)),
    "rolling_stats_swv": (rolling_stats_swv, {}, lambda s, n: (_f(n * 2, seed=s), 4)),
    "max_filter_swv": (max_filter_swv, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "conv_swv": (conv_swv, {}, lambda s, n: (_f(n + 2, 6, seed=s), _f(3, 3, seed=s + 1))),
    "rolling_axis_swv": (rolling_axis_swv, {}, lambda s, n: (_f(n + 1, 3, seed=s), 2)),
    "group_sums_bincount": (group_sums_bincount, {}, lambda s, n: (_i(5, n * 3, seed=s),
                                                                   _f(n * 3, seed=s + 1), 6)),
    "group_sums_add_at": (group_sums_add_at, {}, lambda s, n: (_i(5, n * 3, seed=s),
                                                               _f(n * 3, seed=s + 1), 5)),
    "bin_searchsorted": (bin_searchsorted, {}, lambda s, n: (_u(s, n * 3), np.linspace(0, 1, 6))),
    "bin_digitize": (bin_digitize, {},
                     lambda s, n: (_u(s, n * 3), np.array([0.0, 0.2, 0.5, 0.9, 1.0]))),
    "interp_searchsorted": (interp_searchsorted, {}, lambda s, n: (
        np.sort(_u(s, 6)) * 10 + np.arange(6), _f(6, seed=s + 1), _u(s + 2, n * 2) * 12)),
    "moving_average_cumsum": (moving_average_cumsum, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "moving_average_cumsum_int": (moving_average_cumsum, {"n": 4},
                                  lambda s, n: (_i(9, n * 2, seed=s),)),
    "moving_average_cumsum_pad": (moving_average_cumsum_pad, {},
                                  lambda s, n: (_f(n * 2, seed=s), 3)),
    "drawdown": (drawdown, {}, lambda s, n: (100 + np.cumsum(_f(n * 3, seed=s)),)),
    "drawdown_2d": (drawdown_2d, {}, lambda s, n: (100 + np.cumsum(_f(n * 2, 3, seed=s), axis=0),)),
    "lexsort_pairs": (lexsort_pairs, {},
                      lambda s, n: (_i(3, n * 2, seed=s), _i(4, n * 2, seed=s + 1))),
    "lexsort_rows": (lexsort_rows, {}, lambda s, n: (_i(3, n * 2, 3, seed=s),)),
    "topk_argpartition": (topk_argpartition, {}, lambda s, n: (_f(n * 3, seed=s), 3)),
    "topk_rows_argpartition": (topk_rows_argpartition, {}, lambda s, n: (_f(n, 7, seed=s), 3)),
    "take_along_sorted": (take_along_sorted, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "take_along_argmax": (take_along_argmax, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "put_along_zero_max": (put_along_zero_max, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "ranks_argsort": (ranks_argsort, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "cdist_chunked_min": (cdist_chunked_min, {},
                          lambda s, n: (_f(n * 2, 3, seed=s), _f(5, 3, seed=s + 1), 3)),
    "cumprod_returns": (cumprod_returns, {}, lambda s, n: (_f(n * 3, seed=s) * 0.01,)),
    "float32_exponents": (float32_exponents, {}, lambda s, n: (_f(n * 2, seed=s) * 100,)),
}


@pytest.mark.parametrize("name", _names(VECTORIZATION))
def test_vectorization_posts(name):
    check_like_numpy(*VECTORIZATION[name])


# ---------------------------------------------------------------- the same code on other dtypes

def _bools(s, *shape):
    return _i(2, *shape, seed=s).astype(bool)


DTYPES = {
    "life_update_bool": (life_update, {}, lambda s, n: (_bools(s, n + 2, 6),)),
    "life_iterate_2_bool": (life_iterate_2, {}, lambda s, n: (_bools(s, n + 2, 5),)),
    "harris_uint8": (harris, {}, lambda s, n: (_i(255, n + 2, 5, seed=s).astype(np.uint8),)),
    "specialconvolve_uint8": (specialconvolve, {}, lambda s, n: (
        _i(255, n + 1, 5, seed=s).astype(np.uint8),)),
    "random_walk_uint8_draws": (random_walk_fastest, {}, lambda s, n: (
        _i(2, n * 3, seed=s).astype(np.uint8),)),
    "random_walk_bool_draws": (random_walk_fastest, {}, lambda s, n: (_bools(s, n * 3),)),
    "reduceat_int8": (reduceat_given, {}, lambda s, n: (
        _i(100, n * 2, seed=s).astype(np.int8), np.array([0, 2, 2, n]))),
    "einsum_matmul_int8": (einsum_matmul, {}, lambda s, n: (
        _i(100, n, 4, seed=s).astype(np.int8), _i(100, 4, 2, seed=s + 1).astype(np.int8))),
    "smoothing_int_truncates": (smoothing, {}, lambda s, n: (_i(100, n * 2, seed=s), 0.3)),
    "sum2d_f32": (sum2d, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "diffusion_loops_int": (diffusion_loops, {}, lambda s, n: (
        _i(100, n, 4, seed=s), np.zeros((n, 4), int), 2)),
    "boids_step_f32": (boids_step, {}, lambda s, n: (
        (_u(s, n * 2, 2) * 60).astype(np.float32), _f(n * 2, 2, seed=s + 1).astype(np.float32))),
    "fft_recursive_complex64": (fft, {}, lambda s, n: (
        (_f(2 ** (n // 2), seed=s) + 1j * _f(2 ** (n // 2), seed=s + 1)).astype(np.complex64),)),
    "mandelbrot_escape_f32": (mandelbrot_escape_fixed, {}, lambda s, n: (
        np.linspace(-2, 0.5, n * 2, dtype=np.float32)[None, :] + np.zeros((3, 1), np.float32),
        (_u(s, 3, 1) * 2 - 1).astype(np.float32) + np.zeros((1, n * 2), np.float32), 10)),
}


@pytest.mark.parametrize("name", _names(DTYPES))
def test_other_dtypes(name):
    check_like_numpy(*DTYPES[name])


# ---------------------------------------------------------------- module-level draws

rng = np.random.default_rng(0)


def random_walk_global(n):
    steps = 2 * rng.integers(0, 2, size=n) - 1
    return np.cumsum(steps)


def monte_carlo_pi_global(n):
    x = rng.random(n)
    y = rng.random(n)
    return 4 * np.mean(x * x + y * y < 1)


def ising_init_global(n):
    return rng.choice([-1, 1], size=(n, n))


def boids_init_global(n):
    P = rng.uniform(0, 640, (n, 2))
    angle = rng.uniform(0, 2 * np.pi, n)
    V = np.stack([np.cos(angle), np.sin(angle)], axis=1) * rng.normal(1, 0.1, (n, 1))
    return P, V


def random_walk_legacy(n):
    steps = 2 * np.random.randint(0, 2, size=n) - 1
    return np.cumsum(steps)


def boids_init_legacy(n):
    P = np.random.uniform(0, 640, (n, 2))
    V = np.random.normal(0, 1, (n, 2))
    return P, V


def boids_order_legacy(n):
    """A random update order of the flock, `np.random.permutation` of the count."""
    order = np.random.permutation(n)
    return order, np.argsort(order)


def life_init_legacy(n):
    return np.random.randint(0, 2, (n, n)) * (np.random.random((n, n)) < 0.8)


GLOBAL_DRAWS = {
    "random_walk_global": random_walk_global,
    "monte_carlo_pi_global": monte_carlo_pi_global,
    "ising_init_global": ising_init_global,
    "boids_init_global": boids_init_global,
}

LEGACY_DRAWS = {
    "random_walk_legacy": random_walk_legacy,
    "boids_init_legacy": boids_init_legacy,
    "life_init_legacy": life_init_legacy,
    "boids_order_legacy": (boids_order_legacy),
}


@pytest.mark.parametrize("name", list(GLOBAL_DRAWS))
def test_module_generator_draws(name):
    """A script's module-level `rng`: NumPy's draws from its current state, which moves on."""
    fn = GLOBAL_DRAWS[name]
    jf = tracenp.jit(fn)
    for n in (4, 4, 6):
        state = rng.bit_generator.state
        want = fn(n)
        want_state = rng.bit_generator.state
        rng.bit_generator.state = state
        assert_same(jf(n), want)
        assert rng.bit_generator.state == want_state


@pytest.mark.parametrize("name", _names(LEGACY_DRAWS))
def test_legacy_global_draws(name):
    """`np.random.seed` then the legacy functions, as the book's scripts draw."""
    fn = LEGACY_DRAWS[name]
    fn = fn[0] if isinstance(fn, _Xfail) else fn
    jf = tracenp.jit(fn)
    for seed, n in ((1, 4), (2, 4), (3, 6)):
        np.random.seed(seed)
        want = fn(n)
        want_state = np.random.get_state()[1].copy()
        np.random.seed(seed)
        assert_same(jf(n), want)
        np.testing.assert_array_equal(np.random.get_state()[1], want_state)


# ---------------------------------------------------------------- refused forms

def check_mask(db, mask):
    out = np.zeros(db.shape[0], dtype=bool)
    for idx, line in enumerate(db):
        target, vector = line[0], line[1:]
        if (mask == np.bitwise_and(mask, vector)).all():
            if target == 1:
                out[idx] = 1
    return out


def growcut_loops(image, state, state_next, window_radius):
    changes = 0
    sqrt_3 = np.sqrt(3.0)
    height = image.shape[0]
    width = image.shape[1]
    for j in range(width):
        for i in range(height):
            winning_colony = state[i, j, 0]
            defense_strength = state[i, j, 1]
            for jj in range(max(j - window_radius, 0), min(j + window_radius + 1, width)):
                for ii in range(max(i - window_radius, 0), min(i + window_radius + 1, height)):
                    if ii == i and jj == j:
                        continue
                    s = np.sum((image[i, j] - image[ii, jj]) ** 2)
                    gval = 1.0 - np.sqrt(s) / sqrt_3
                    attack_strength = gval * state[ii, jj, 1]
                    if attack_strength > defense_strength:
                        defense_strength = attack_strength
                        winning_colony = state[ii, jj, 0]
                        changes += 1
            state_next[i, j, 0] = winning_colony
            state_next[i, j, 1] = defense_strength
    return changes


def julia_loops(cr, ci, N, bound=1.5, lim=1000., cutoff=1e6):
    julia = np.empty((N, N), np.uint32)
    grid_x = np.linspace(-bound, bound, N)
    c = cr + 1j * ci
    for i, x in enumerate(grid_x):
        for j, y in enumerate(grid_x):
            it = 0
            z = x + 1j * y
            while abs(z) < lim and it < cutoff:
                z = z ** 2 + c
                it += 1
            julia[i, j] = it
    return julia


def grouping(values):
    diff = np.concatenate(([1], np.diff(values)))
    idx = np.concatenate((np.where(diff)[0], [len(values)]))
    return values[idx[:-1]], np.diff(idx)


def bubble_sort_if(a):
    a = a.copy()
    n = len(a)
    for i in range(n):
        for j in range(n - i - 1):
            if a[j] > a[j + 1]:
                a[j], a[j + 1] = a[j + 1], a[j]
    return a


def monte_carlo_pi_if(x, y):
    acc = 0
    for i in range(len(x)):
        if (x[i] ** 2 + y[i] ** 2) < 1.0:
            acc += 1
    return 4.0 * acc / len(x)


def sieve_flags_if(is_prime):
    """The sieve over given flags, testing each flag before crossing out its multiples."""
    for i in range(2, int(len(is_prime) ** 0.5) + 1):
        if is_prime[i]:
            is_prime[i * i::i] = False
    return is_prime


def primes_nonzero(flags):
    return np.nonzero(flags)[0] + 2


def ising_update_if(field, beta, rand):
    N, M = field.shape
    field = field.copy()
    for n in range(N):
        for m in range(M):
            total = (field[(n + 1) % N, m] + field[n - 1, m]
                     + field[n, (m + 1) % M] + field[n, m - 1])
            dE = 2 * field[n, m] * total
            if dE <= 0:
                field[n, m] *= -1
            elif np.exp(-dE * beta) > rand[n, m]:
                field[n, m] *= -1
    return field


def view_base_of_argument(Z):
    return Z[::2].base is Z


def find_index(base, view):
    """Rougier's `find_index`: start, stop and step of a view from the byte bounds of both."""
    itemsize = view.itemsize
    offset_start = (byte_bounds(view)[0] - byte_bounds(base)[0]) // itemsize
    offset_stop = (byte_bounds(view)[-1] - byte_bounds(base)[-1] - 1) // itemsize
    index_start = np.unravel_index(offset_start, base.shape)
    index_stop = np.unravel_index(base.size + offset_stop, base.shape)
    index_step = np.array(view.strides) // np.array(base.strides)
    return index_start, index_stop, index_step


def find_index_of_slice(Z):
    return find_index(Z, Z[1:-1:2, ::3])


def vectorize_branchy(x):
    """`np.vectorize` of a scalar function with an `if`, a classic first try at speed."""
    def shrink(v):
        if v > 0:
            return v * 2
        return -v
    return np.vectorize(shrink)(x)


def nditer_double(x):
    with np.nditer(x, op_flags=['readwrite']) as it:
        for v in it:
            v[...] = 2 * v
    return x


REFUSED = {
    "check_mask_loops": (tracenp.ConcretizationError, check_mask, lambda s: (
        np.column_stack([_i(2, 5, seed=s), _i(16, 5, 3, seed=s + 1)]), _i(4, 3, seed=s + 2))),
    "growcut_loops": (tracenp.ConcretizationError, growcut_loops, lambda s: (
        _u(s, 3, 3, 3), np.stack([_i(2, 3, 3, seed=s).astype(float), _u(s + 1, 3, 3)], -1),
        np.zeros((3, 3, 2)), 1)),
    "grouping": (tracenp.errors.DataDependentShapeError, grouping,
                 lambda s: (np.sort(_i(4, 9, seed=s)),)),
    "bubble_sort_if": (tracenp.ConcretizationError, bubble_sort_if, lambda s: (_f(5, seed=s),)),
    "monte_carlo_pi_if": (tracenp.ConcretizationError, monte_carlo_pi_if,
                          lambda s: (_u(s, 6), _u(s + 1, 6))),
    "sieve_flags_if": (tracenp.ConcretizationError, sieve_flags_if,
                       lambda s: (_i(2, 30, seed=s).astype(bool),)),
    "primes_nonzero": (tracenp.errors.DataDependentShapeError, primes_nonzero,
                       lambda s: (_i(2, 12, seed=s).astype(bool),)),
    "ising_update_if": (tracenp.ConcretizationError, ising_update_if, lambda s: (
        np.where(_u(s, 3, 3) < 0.5, -1, 1), 0.4, _u(s + 1, 3, 3))),
    "view_base_of_argument": (tracenp.UnsupportedFunctionError, view_base_of_argument,
                              lambda s: (_f(6, seed=s),)),
    "find_index_byte_bounds": _Xfail(
        "byte_bounds of a tracer raises a bare AttributeError (no __array_interface__), also "
        "under fallback=True", tracenp.UnsupportedFunctionError, find_index_of_slice,
        lambda s: (_f(5, 9, seed=s),)),
    "vectorize_branchy": (tracenp.ConcretizationError, vectorize_branchy,
                          lambda s: (_f(5, seed=s),)),
    "nditer_readwrite": (tracenp.UnsupportedFunctionError, nditer_double,
                         lambda s: (_f(2, 3, seed=s),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_refused(name):
    check_refused(*REFUSED[name])


# ---------------------------------------------------------------- steered scalars

def _sieve_primes(n):
    """The classic sieve of a Python `n`: every test and `np.nonzero` is of made arrays."""
    is_prime = np.ones(n + 1, dtype=bool)
    is_prime[:2] = False
    for i in range(2, int(n ** 0.5) + 1):
        if is_prime[i]:
            is_prime[i * i::i] = False
    return np.nonzero(is_prime)[0], np.nonzero(is_prime)[0].sum()


STEERED = {
    "grayscott_counts": (grayscott, lambda s: (s + 1, 0.16, 0.08, 0.035, 0.065)),
    "mandelbrot_numpy_sizes": (mandelbrot_numpy, lambda s: (-2.0, 0.5, -1.25, 1.25, 4 + s, 3 + s,
                                                            5 + s)),
    "julia_sizes": (julia_vectorized, lambda s: (-0.8, 0.156, 3 + 2 * s)),
    "sieve_sum_n": (sieve_sum, lambda s: (20 + 7 * s,)),
    "hyantes_grid": (hyantes, lambda s: (0.0, 0.1, 0.01, 500.0, 2 + s, 3,
                                         np.column_stack([_u(s, 4), _u(s + 1, 4), _u(s + 2, 4)]))),
    "diffusion_iters": (diffusion, lambda s: (_f(5, 5, seed=s), np.zeros((5, 5)), s + 1)),
    "diffusion_np_int64_iters": (diffusion, lambda s: (_f(5, 5, seed=s), np.zeros((5, 5)),
                                                       np.arange(1, 4)[s])),
    "smooth_loops_window": (smooth_loops, lambda s: (_f(9, seed=s), s + 1)),
    "topk_k": (topk_argpartition, lambda s: (_f(10, seed=s), s + 1)),
    "julia_loops_scalars": (julia_loops, lambda s: (-0.8, 0.156 + s * 0.01, 3, 1.5, 1000., 50)),
    "sieve_primes_n": (lambda n: _sieve_primes(n), lambda s: (20 + 7 * s,)),
    "maze_iters": (maze_value_iteration, lambda s: (np.ones((6, 6)), (s, s + 1), 2 * s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_steered(name):
    check_steered(*STEERED[name])
