"""Corpus, hunt U: simulations, games, generative art and puzzles, as GitHub projects, blog
posts, Rosetta Code, Project Euler and Advent of Code solutions write them in NumPy: cellular
automata (Conway's life by `np.roll` sums, interior slices, windows, `as_strided`, FFT
convolution and in 3-D, on int, bool and uint8 boards; life-like rules by lookup tables,
elementary rules by bit shifts and `np.packbits`, Brian's brain, Wireworld, cyclic automata,
forest fires and sandpiles from given random fields, Langton's ant at traced positions, seating
rounds, trench maps with a flipping background, flashing octopuses), fractals (Mandelbrot and
Julia escape times by masked writes and by ufuncs with `out=`/`where=`, complex64, smooth
colouring, the burning ship, Newton basins, a Buddhabrot by `np.add.at`, Sierpinski grids by
bitwise and, Barnsley's fern and chaos games from given draws, Koch curves, logistic orbits),
physics (n-body leapfrog with softening, boids by pairwise distance masks, particles bouncing
off walls and wrapping by `%`, spatial hashing, pairwise ball collisions, spring chains, cloth
and ropes, heat and wave equations, Gray-Scott in float64 and float32, Stam's stable fluids,
lattice-Boltzmann D2Q9, checkerboard Ising, Schelling and SIR grids, starfields, fireworks),
graphics (ray-sphere images with Phong shading, sphere tracing, Perlin and value noise from
permutation tables, diamond-square, Floyd-Steinberg and Bayer dithering, palette quantisation,
histogram equalisation, seam carving, rotations by index arithmetic, alpha compositing, sRGB,
circle and line masks by `np.ogrid`, `np.mgrid` centroids, XOR textures, plasma, domain
colouring, sprite blits at traced positions, DDA raycasting, flow fields) and puzzles and games
(Project Euler sums, sieves, Collatz lengths, magic squares, sudoku candidates, 2048 moves,
tic-tac-toe, connect-four by windows and by bitboards, minesweeper, Tetris, snake, pong, nim,
n-queens, knight distances, Kaprekar and happy numbers, bingo by `np.isin`, poker hands,
Yahtzee by `np.apply_along_axis`, blackjack dealers, Zobrist hashes, leaderboards by
`np.lexsort`, random walks, Monte Carlo pi, Buffon's needle, birthday and Monty Hall
simulations).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Draws come in as arguments, or from a generator argument
whose state must end as NumPy's. Forms that cannot be traced raise a named error and run
eagerly under `fallback=True`.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_corpus_hunt_o import floyd_steinberg  # hunt O wrote the same dithering loop
from test_corpus_hunt_c import check_with_generator

swv = np.lib.stride_tricks.sliding_window_view


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _board(seed, *shape, p=0.35, dtype=np.int64):
    return (_u(seed + 100, *shape) < p).astype(dtype)


# ------------------------------------------------------------------------ cellular automata


def life_roll(Z):
    N = sum(np.roll(np.roll(Z, i, 0), j, 1)
            for i in (-1, 0, 1) for j in (-1, 0, 1) if (i != 0 or j != 0))
    return ((N == 3) | ((Z == 1) & (N == 2))).astype(int)


def life_roll_uint8(Z, steps=3):
    for _ in range(steps):
        N = sum(np.roll(Z, (i, j), axis=(0, 1)) for i in (-1, 0, 1) for j in (-1, 0, 1)) - Z
        Z = ((N == 3) | (Z & (N == 2))).astype(Z.dtype)
    return Z


def life_rougier(Z, steps=2):
    Z = Z.copy()
    for _ in range(steps):
        N = np.zeros(Z.shape, dtype=int)
        N[1:-1, 1:-1] += (Z[:-2, :-2] + Z[:-2, 1:-1] + Z[:-2, 2:] + Z[1:-1, :-2]
                          + Z[1:-1, 2:] + Z[2:, :-2] + Z[2:, 1:-1] + Z[2:, 2:])
        birth = (N == 3) & (Z == 0)
        survive = ((N == 2) | (N == 3)) & (Z == 1)
        Z[...] = 0
        Z[birth | survive] = 1
    return Z


def life_interior_inplace(Z):
    N = (Z[0:-2, 0:-2] + Z[0:-2, 1:-1] + Z[0:-2, 2:] + Z[1:-1, 0:-2]
         + Z[1:-1, 2:] + Z[2:, 0:-2] + Z[2:, 1:-1] + Z[2:, 2:])
    birth = (N == 3) & (Z[1:-1, 1:-1] == 0)
    survive = ((N == 2) | (N == 3)) & (Z[1:-1, 1:-1] == 1)
    Z[...] = 0
    Z[1:-1, 1:-1][birth | survive] = 1
    return Z


def life_bool_windows(Z, steps=2):
    for _ in range(steps):
        P = np.pad(Z, 1, mode="wrap").astype(np.uint8)
        N = swv(P, (3, 3)).sum(axis=(2, 3)) - Z
        Z = (N == 3) | (Z & (N == 2))
    return Z, Z.sum()


def life_like_rule(Z, birth=(3, 6), survive=(2, 3), steps=3):
    B = np.zeros(9, dtype=bool)
    B[list(birth)] = True
    S = np.zeros(9, dtype=bool)
    S[list(survive)] = True
    for _ in range(steps):
        N = sum(np.roll(Z, (i, j), (0, 1)) for i in (-1, 0, 1) for j in (-1, 0, 1) if i or j)
        Z = np.where(Z == 1, S[N], B[N]).astype(np.int8)
    return Z


def rule_ca_bits(cells, rule=30, steps=8):
    hist = np.zeros((steps + 1, cells.size), dtype=np.uint8)
    hist[0] = cells
    for t in range(steps):
        l, c, r = np.roll(cells, 1), cells, np.roll(cells, -1)
        cells = (rule >> (4 * l + 2 * c + r)) & 1
        hist[t + 1] = cells
    return hist


def rule_ca_table(cells, rule=110, steps=6):
    table = np.unpackbits(np.array([rule], dtype=np.uint8))[::-1]
    rows = [cells]
    for _ in range(steps):
        p = np.pad(rows[-1], 1)
        idx = (p[:-2] << 2) | (p[1:-1] << 1) | p[2:]
        rows.append(table[idx])
    return np.array(rows)


def brians_brain(S, steps=3):
    for _ in range(steps):
        on = (S == 1).astype(np.int8)
        N = sum(np.roll(on, (i, j), (0, 1)) for i in (-1, 0, 1) for j in (-1, 0, 1) if i or j)
        new = np.zeros_like(S)
        new[(S == 0) & (N == 2)] = 1
        new[S == 1] = 2
        S = new
    return S


def wireworld(S, steps=4):
    for _ in range(steps):
        heads = (S == 1).astype(np.int32)
        n = np.zeros_like(heads)
        for i in (-1, 0, 1):
            for j in (-1, 0, 1):
                n += np.roll(heads, (i, j), (0, 1))
        S = np.select([S == 1, S == 2, (S == 3) & ((n == 1) | (n == 2))], [2, 3, 1], default=S)
    return S


def cyclic_ca(S, k=4, threshold=1, steps=3):
    for _ in range(steps):
        nxt = (S + 1) % k
        count = sum((np.roll(S, s, a) == nxt).astype(int) for s in (1, -1) for a in (0, 1))
        S = np.where(count >= threshold, nxt, S)
    return S


def forest_fire(F, R, p=0.3, f=0.05):
    EMPTY, TREE, FIRE = 0, 1, 2
    for t in range(R.shape[0]):
        burning = F == FIRE
        nb = np.zeros(F.shape, dtype=bool)
        nb[1:, :] |= burning[:-1, :]
        nb[:-1, :] |= burning[1:, :]
        nb[:, 1:] |= burning[:, :-1]
        nb[:, :-1] |= burning[:, 1:]
        new = F.copy()
        new[burning] = EMPTY
        new[(F == TREE) & (nb | (R[t] < f))] = FIRE
        new[(F == EMPTY) & (R[t] < p)] = TREE
        F = new
    return F


def sandpile_topple(h, steps=6):
    h = h.copy()
    for _ in range(steps):
        t = (h >= 4).astype(h.dtype)
        h -= 4 * t
        h[1:, :] += t[:-1, :]
        h[:-1, :] += t[1:, :]
        h[:, 1:] += t[:, :-1]
        h[:, :-1] += t[:, 1:]
    return h


def sandpile_where(h, steps=6):
    for _ in range(steps):
        topple = h > 3
        h = np.where(topple, h - 4, h)
        t = np.pad(topple.astype(h.dtype), 1)
        h = h + t[:-2, 1:-1] + t[2:, 1:-1] + t[1:-1, :-2] + t[1:-1, 2:]
    return h


def langtons_ant(grid, steps=20):
    grid = grid.copy()
    H, W = grid.shape
    y, x, d = H // 2, W // 2, 0
    dy = np.array([-1, 0, 1, 0])
    dx = np.array([0, 1, 0, -1])
    for _ in range(steps):
        c = grid[y, x]
        d = (d + np.where(c == 0, 1, 3)) % 4
        grid[y, x] = 1 - c
        y = (y + dy[d]) % H
        x = (x + dx[d]) % W
    return grid, y, x


def majority_anneal(Z, steps=3):
    for _ in range(steps):
        N9 = sum(np.roll(Z, (i, j), (0, 1)) for i in (-1, 0, 1) for j in (-1, 0, 1))
        Z = ((N9 > 5) | (N9 == 4)).astype(Z.dtype)
    return Z



def life_fft(Z, steps=2):
    h, w = Z.shape
    K = np.zeros((h, w))
    for dy, dx in itertools.product((-1, 0, 1), repeat=2):
        K[dy, dx] = 1
    K[0, 0] = 0
    Kf = np.fft.rfft2(K)
    for _ in range(steps):
        N = np.rint(np.fft.irfft2(np.fft.rfft2(Z) * Kf, s=Z.shape)).astype(int)
        Z = ((N == 3) | ((Z == 1) & (N == 2))).astype(int)
    return Z


def life_as_strided(Z):
    P = np.pad(Z, 1)
    h, w = Z.shape
    win = np.lib.stride_tricks.as_strided(P, shape=(h, w, 3, 3), strides=P.strides * 2)
    N = win.sum(axis=(2, 3)) - Z
    return ((N == 3) | ((Z == 1) & (N == 2))).astype(Z.dtype)


def conway_cubes(grid, cycles=2):
    active = grid[None].astype(np.uint8)
    for _ in range(cycles):
        active = np.pad(active, 1)
        N = sum(np.roll(active, d, axis=(0, 1, 2))
                for d in itertools.product((-1, 0, 1), repeat=3) if d != (0, 0, 0))
        active = ((N == 3) | (active.astype(bool) & (N == 2))).astype(np.uint8)
    return active.sum(), active


def seating_rounds(floor, rounds=5):
    seat = ~floor
    occ = np.zeros(seat.shape, dtype=bool)
    for _ in range(rounds):
        P = np.pad(occ, 1).astype(np.int8)
        N = swv(P, (3, 3)).sum((2, 3)) - occ
        occ = seat & np.where(occ, N < 4, N == 0)
    return occ.sum(), occ


def trench_map(algo, img, steps=2):
    bg = 0
    weights = 2 ** np.arange(8, -1, -1)
    for _ in range(steps):
        P = np.pad(img, 2, constant_values=bg)
        idx = (swv(P, (3, 3)).reshape(P.shape[0] - 2, P.shape[1] - 2, 9) * weights).sum(-1)
        img = algo[idx]
        bg = algo[bg * 511]
    return img, img.sum()


def dumbo_octopus(E, steps=5, cascade=8):
    E = E.copy()
    total = 0
    for _ in range(steps):
        E += 1
        flashed = np.zeros(E.shape, dtype=bool)
        for _ in range(cascade):
            new = (E > 9) & ~flashed
            flashed |= new
            P = np.pad(new, 1).astype(E.dtype)
            E += swv(P, (3, 3)).sum(axis=(2, 3)) - new
        E[flashed] = 0
        total += flashed.sum()
    return E, total


def rule_ca_packbits(cells, rule=90, steps=5):
    table = np.unpackbits(np.array([rule], dtype=np.uint8), bitorder="little")
    for _ in range(steps):
        nb = np.stack([np.roll(cells, -1), cells, np.roll(cells, 1)], axis=-1)
        cells = table[np.packbits(nb, axis=-1, bitorder="little")[..., 0]]
    return cells


# ---------------------------------------------------------------------------------- fractals


def mandelbrot_divtime(c_re, c_im, maxit=12, r=2.0):
    c = c_re[None, :] + 1j * c_im[:, None]
    z = np.zeros_like(c)
    divtime = maxit + np.zeros(z.shape, dtype=int)
    for i in range(maxit):
        z = z ** 2 + c
        diverge = z * np.conj(z) > r ** 2
        div_now = diverge & (divtime == maxit)
        divtime[div_now] = i
        z[diverge] = r
    return divtime


def mandelbrot_masked(c, iters=15):
    z = np.zeros_like(c)
    counts = np.zeros(c.shape, dtype=np.int32)
    for _ in range(iters):
        mask = np.abs(z) < 2
        z[mask] = z[mask] ** 2 + c[mask]
        counts[mask] += 1
    return counts, np.abs(z)


def mandelbrot_rgb(c, palette, maxit=16):
    z = np.zeros_like(c)
    n = np.full(c.shape, maxit)
    for i in range(maxit):
        z = np.where(n == maxit, z * z + c, z)
        n[(np.abs(z) > 2) & (n == maxit)] = i
    idx = np.where(n == maxit, 0, n % (len(palette) - 1) + 1)
    return palette[idx]


def julia_smooth(z, c=-0.8 + 0.156j, iters=20, bailout=4.0):
    n = np.zeros(z.shape)
    for _ in range(iters):
        alive = np.abs(z) <= bailout
        z = np.where(alive, z * z + c, z)
        n += alive
    smooth = n + 1 - np.log(np.log(np.abs(z))) / np.log(2)
    return np.where(n < iters, smooth, 0.0)


def burning_ship(cx, cy, iters=10):
    c = cx + 1j * cy
    z = np.zeros_like(c)
    out = np.full(c.shape, iters)
    for i in range(iters):
        z = (np.abs(z.real) + 1j * np.abs(z.imag)) ** 2 + c
        escaped = (np.abs(z) > 2) & (out == iters)
        out[escaped] = i
        z[np.abs(z) > 2] = 2
    return out


def newton_fractal(z, iters=12):
    roots = np.array([1, np.exp(2j * np.pi / 3), np.exp(-2j * np.pi / 3)])
    for _ in range(iters):
        z = z - (z ** 3 - 1) / (3 * z ** 2)
    return np.argmin(np.abs(z[..., None] - roots), axis=-1)


def sierpinski_bitand(img):
    h, w = img.shape
    y, x = np.ogrid[:h, :w]
    return np.where((x & y) == 0, img, 0)


def sierpinski_carpet(img, levels=3):
    h, w = img.shape
    y, x = np.indices((h, w))
    hole = np.zeros((h, w), dtype=bool)
    for k in range(levels):
        hole |= ((x // 3 ** k) % 3 == 1) & ((y // 3 ** k) % 3 == 1)
    return img * ~hole


def barnsley_fern(r):
    A = np.array([[[0, 0], [0, 0.16]], [[0.85, 0.04], [-0.04, 0.85]],
                  [[0.2, -0.26], [0.23, 0.22]], [[-0.15, 0.28], [0.26, 0.24]]])
    b = np.array([[0, 0], [0, 1.6], [0, 1.6], [0, 0.44]])
    cum = np.cumsum([0.01, 0.85, 0.07, 0.07])
    pts = np.zeros((len(r), 2))
    p = np.zeros(2)
    for i in range(len(r)):
        k = np.searchsorted(cum[:-1], r[i])
        p = A[k] @ p + b[k]
        pts[i] = p
    return pts


def chaos_game(idx, start):
    V = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])
    pts = np.empty((len(idx), 2))
    p = start
    for i, k in enumerate(idx):
        p = (p + V[k]) / 2
        pts[i] = p
    return pts


def chaos_game_vectorized(P, choices):
    V = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])
    for k in choices:
        P = 0.5 * (P + V[k])
    return P


def koch_curve(pts, depth=2):
    for _ in range(depth):
        a, b = pts[:-1], pts[1:]
        d = (b - a) / 3
        new = np.empty(4 * len(a) + 1, dtype=complex)
        new[0:-1:4] = a
        new[1::4] = a + d
        new[2::4] = a + d + d * np.exp(-1j * np.pi / 3)
        new[3::4] = a + 2 * d
        new[-1] = pts[-1]
        pts = new
    return pts


def logistic_orbits(r, x0=0.5, burn=30, keep=8):
    x = np.full_like(r, x0)
    for _ in range(burn):
        x = r * x * (1 - x)
    out = np.empty((keep, r.size))
    lyap = np.zeros_like(r)
    for k in range(keep):
        x = r * x * (1 - x)
        out[k] = x
        lyap += np.log(np.abs(r * (1 - 2 * x)))
    return out, lyap / keep



def mandelbrot_ufunc_out(C, maxiter=15):
    Z = np.zeros_like(C)
    N = np.zeros(C.shape, dtype=int)
    for n in range(maxiter):
        I = np.less(np.abs(Z), 2.0)
        N[I] = n
        np.multiply(Z, Z, out=Z, where=I)
        np.add(Z, C, out=Z, where=I)
    N[N == maxiter - 1] = 0
    return Z, N


def buddhabrot(c, iters=10, bins=8):
    z = np.zeros_like(c)
    img = np.zeros((bins, bins))
    escaped = np.zeros(c.shape, dtype=bool)
    orbit = []
    for _ in range(iters):
        z = np.where(escaped, z, z * z + c)
        escaped |= np.abs(z) > 2
        orbit.append(z)
    for z in orbit:
        ix = ((z.real + 2) / 3 * bins).astype(int)
        iy = ((z.imag + 1.5) / 3 * bins).astype(int)
        ok = escaped & (ix >= 0) & (ix < bins) & (iy >= 0) & (iy < bins)
        np.add.at(img, (iy[ok], ix[ok]), 1)
    return img


# ----------------------------------------------------------------------------------- physics


def nbody_leapfrog(pos, vel, mass, dt=0.01, steps=5, G=1.0, soft=0.1):
    def accel(pos):
        x, y, z = pos[:, 0:1], pos[:, 1:2], pos[:, 2:3]
        dx, dy, dz = x.T - x, y.T - y, z.T - z
        inv_r3 = (dx ** 2 + dy ** 2 + dz ** 2 + soft ** 2) ** (-1.5)
        return np.hstack((G * (dx * inv_r3) @ mass, G * (dy * inv_r3) @ mass,
                          G * (dz * inv_r3) @ mass))

    acc = accel(pos)
    for _ in range(steps):
        vel = vel + acc * dt / 2
        pos = pos + vel * dt
        acc = accel(pos)
        vel = vel + acc * dt / 2
    KE = 0.5 * np.sum(mass * vel ** 2)
    return pos, vel, KE


def nbody_energy(pos, vel, mass, G=1.0, soft=0.1):
    KE = 0.5 * np.sum(mass[:, None] * vel ** 2)
    d = pos[:, None] - pos[None]
    inv_r = 1.0 / np.sqrt((d ** 2).sum(-1) + soft ** 2)
    i, j = np.triu_indices(len(pos), 1)
    PE = -G * np.sum(mass[i] * mass[j] * inv_r[i, j])
    return KE, PE, KE + PE


def boids_step(pos, vel, r_sep=0.5, r_vis=1.5, max_speed=1.0, dt=0.1):
    diff = pos[None, :, :] - pos[:, None, :]
    dist = np.linalg.norm(diff, axis=-1)
    np.fill_diagonal(dist, np.inf)
    near = dist < r_vis
    close = dist < r_sep
    cnt = near.sum(1, keepdims=True)
    coh = np.where(cnt > 0, (near[:, :, None] * pos[None]).sum(1) / np.maximum(cnt, 1) - pos, 0)
    ali = np.where(cnt > 0, np.einsum("ij,jk->ik", near, vel) / np.maximum(cnt, 1) - vel, 0)
    sep = -np.einsum("ij,ijk->ik", close.astype(float), diff)
    vel = vel + 0.05 * coh + 0.1 * ali + 0.2 * sep
    speed = np.linalg.norm(vel, axis=1, keepdims=True)
    vel = np.where(speed > max_speed, vel / speed * max_speed, vel)
    return pos + vel * dt, vel


def boids_rougier(P, V, max_velocity=2.0, max_acceleration=0.03):
    n = len(P)
    dx = np.subtract.outer(P[:, 0], P[:, 0])
    dy = np.subtract.outer(P[:, 1], P[:, 1])
    D = np.hypot(dx, dy)
    mask_0 = D > 0
    mask_1 = D < 1.0
    mask_2 = D < 2.0
    mask_1 *= mask_0
    mask_2 *= mask_0
    mask_1_count = np.maximum(mask_1.sum(axis=1), 1)
    mask_2_count = np.maximum(mask_2.sum(axis=1), 1)

    target = np.dot(mask_2, V) / mask_2_count.reshape(n, 1)
    norm = np.sqrt((target * target).sum(axis=1)).reshape(n, 1)
    target *= np.divide(max_velocity, norm, out=np.zeros_like(norm), where=norm != 0)
    alignment = target - V

    center = np.dot(mask_2, P) / mask_2_count.reshape(n, 1)
    cohesion = center - P

    repulsion = np.dstack((dx, dy))
    factor = np.divide(1.0, D ** 2, out=np.zeros_like(D), where=mask_1)
    repulsion = (repulsion * factor[:, :, None]).sum(axis=1) / mask_1_count.reshape(n, 1)

    accel = alignment + 0.5 * cohesion + 1.5 * repulsion
    norm = np.sqrt((accel * accel).sum(axis=1)).reshape(n, 1)
    accel *= np.minimum(1.0, max_acceleration / np.maximum(norm, 1e-12))
    V = V + accel
    return P + V, V


def particles_bounce(x, v, box=1.0, dt=0.1, steps=5):
    x = x.copy()
    v = v.copy()
    for _ in range(steps):
        x += v * dt
        v[x < 0] *= -1
        v[x > box] *= -1
        x = np.clip(x, 0, box)
    return x, v


def particles_reflect(x, v, lo, hi, dt=0.2, steps=4):
    for _ in range(steps):
        x = x + v * dt
        below, above = x < lo, x > hi
        x = np.where(below, 2 * lo - x, x)
        x = np.where(above, 2 * hi - x, x)
        v = np.where(below | above, -v, v)
    return x, v


def spring_chain(x, v, k=10.0, rest=1.0, m=1.0, dt=0.01, steps=10, damping=0.1):
    x = x.copy()
    v = v.copy()
    for _ in range(steps):
        stretch = np.diff(x) - rest
        F = np.zeros_like(x)
        F[:-1] += k * stretch
        F[1:] -= k * stretch
        F -= damping * v
        v += F / m * dt
        v[0] = 0
        x += v * dt
    return x, v


def cloth_step(P, V, k=50.0, rest=0.5, g=-9.8, dt=0.005, steps=3):
    for _ in range(steps):
        F = np.zeros_like(P)
        F[..., 2] += g
        for axis in (0, 1):
            d = np.diff(P, axis=axis)
            L = np.linalg.norm(d, axis=-1, keepdims=True)
            f = k * (L - rest) * d / L
            if axis == 0:
                F[:-1] += f
                F[1:] -= f
            else:
                F[:, :-1] += f
                F[:, 1:] -= f
        V = (V + F * dt) * 0.99
        V[0] = 0.0
        P = P + V * dt
    return P, V


def rope_constraints(p, anchor, rest=0.3, iters=5):
    p = p.copy()
    for _ in range(iters):
        d = p[1:] - p[:-1]
        dist = np.linalg.norm(d, axis=1, keepdims=True)
        corr = 0.5 * (dist - rest) / dist * d
        p[:-1] += corr
        p[1:] -= corr
        p[0] = anchor
    return p


def heat_1d_periodic(u, r=0.25, steps=10):
    for _ in range(steps):
        u = u + r * (np.roll(u, 1) - 2 * u + np.roll(u, -1))
    return u


def wave_2d(u, u_prev, c=0.5, steps=5):
    for _ in range(steps):
        lap = np.zeros_like(u)
        lap[1:-1, 1:-1] = (u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2]
                           - 4 * u[1:-1, 1:-1])
        u, u_prev = 2 * u - u_prev + c ** 2 * lap, u
    return u, u_prev


def gray_scott_views(U, V, Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=5):
    U = U.copy()
    V = V.copy()
    u, v = U[1:-1, 1:-1], V[1:-1, 1:-1]
    for _ in range(steps):
        Lu = U[:-2, 1:-1] + U[2:, 1:-1] + U[1:-1, :-2] + U[1:-1, 2:] - 4 * u
        Lv = V[:-2, 1:-1] + V[2:, 1:-1] + V[1:-1, :-2] + V[1:-1, 2:] - 4 * v
        uvv = u * v * v
        u += Du * Lu - uvv + F * (1 - u)
        v += Dv * Lv + uvv - (F + k) * v
    return U, V


def gray_scott_sims(A, B, Da=1.0, Db=0.5, f=0.055, k=0.062, dt=1.0, steps=4):
    def lap(X):
        return (-X + 0.2 * (np.roll(X, 1, 0) + np.roll(X, -1, 0) + np.roll(X, 1, 1)
                            + np.roll(X, -1, 1))
                + 0.05 * (np.roll(X, (1, 1), (0, 1)) + np.roll(X, (1, -1), (0, 1))
                          + np.roll(X, (-1, 1), (0, 1)) + np.roll(X, (-1, -1), (0, 1))))

    for _ in range(steps):
        ABB = A * B * B
        A, B = (A + (Da * lap(A) - ABB + f * (1 - A)) * dt,
                B + (Db * lap(B) + ABB - (k + f) * B) * dt)
    return np.clip(A, 0, 1), np.clip(B, 0, 1)


def _set_bnd(b, x):
    x[0, 1:-1] = -x[1, 1:-1] if b == 1 else x[1, 1:-1]
    x[-1, 1:-1] = -x[-2, 1:-1] if b == 1 else x[-2, 1:-1]
    x[1:-1, 0] = -x[1:-1, 1] if b == 2 else x[1:-1, 1]
    x[1:-1, -1] = -x[1:-1, -2] if b == 2 else x[1:-1, -2]
    x[0, 0] = 0.5 * (x[1, 0] + x[0, 1])
    x[0, -1] = 0.5 * (x[1, -1] + x[0, -2])
    x[-1, 0] = 0.5 * (x[-2, 0] + x[-1, 1])
    x[-1, -1] = 0.5 * (x[-2, -1] + x[-1, -2])
    return x


def _lin_solve(b, x, x0, a, c, iters=8):
    for _ in range(iters):
        x[1:-1, 1:-1] = (x0[1:-1, 1:-1] + a * (x[:-2, 1:-1] + x[2:, 1:-1] + x[1:-1, :-2]
                                               + x[1:-1, 2:])) / c
        _set_bnd(b, x)
    return x


def _diffuse(b, x, x0, diff, dt):
    N = x.shape[0] - 2
    a = dt * diff * N * N
    return _lin_solve(b, x, x0, a, 1 + 4 * a)


def _advect(b, d, d0, u, v, dt):
    N = d.shape[0] - 2
    i, j = np.meshgrid(np.arange(1, N + 1), np.arange(1, N + 1), indexing="ij")
    x = np.clip(i - dt * N * u[1:-1, 1:-1], 0.5, N + 0.5)
    y = np.clip(j - dt * N * v[1:-1, 1:-1], 0.5, N + 0.5)
    i0 = np.floor(x).astype(int)
    i1 = i0 + 1
    j0 = np.floor(y).astype(int)
    j1 = j0 + 1
    s1 = x - i0
    s0 = 1 - s1
    t1 = y - j0
    t0 = 1 - t1
    d[1:-1, 1:-1] = (s0 * (t0 * d0[i0, j0] + t1 * d0[i0, j1])
                     + s1 * (t0 * d0[i1, j0] + t1 * d0[i1, j1]))
    return _set_bnd(b, d)


def _project(u, v, p, div):
    N = u.shape[0] - 2
    h = 1.0 / N
    div[1:-1, 1:-1] = -0.5 * h * (u[2:, 1:-1] - u[:-2, 1:-1] + v[1:-1, 2:] - v[1:-1, :-2])
    p[:] = 0
    _set_bnd(0, div)
    _set_bnd(0, p)
    _lin_solve(0, p, div, 1, 4)
    u[1:-1, 1:-1] -= 0.5 * (p[2:, 1:-1] - p[:-2, 1:-1]) / h
    v[1:-1, 1:-1] -= 0.5 * (p[1:-1, 2:] - p[1:-1, :-2]) / h
    _set_bnd(1, u)
    _set_bnd(2, v)


def stam_dens_step(x, x0, u, v, diff=0.001, dt=0.1):
    x += dt * x0
    x0, x = x, x0
    _diffuse(0, x, x0, diff, dt)
    x0, x = x, x0
    _advect(0, x, x0, u, v, dt)
    return x


def stam_vel_step(u, v, u0, v0, visc=0.001, dt=0.1):
    u += dt * u0
    v += dt * v0
    u0, u = u, u0
    _diffuse(1, u, u0, visc, dt)
    v0, v = v, v0
    _diffuse(2, v, v0, visc, dt)
    _project(u, v, u0, v0)
    u0, u = u, u0
    v0, v = v, v0
    _advect(1, u, u0, u0, v0, dt)
    _advect(2, v, v0, u0, v0, dt)
    _project(u, v, u0, v0)
    return u, v


_CX = np.array([0, 0, 1, 1, 1, 0, -1, -1, -1])
_CY = np.array([0, 1, 1, 0, -1, -1, -1, 0, 1])
_W9 = np.array([4 / 9, 1 / 9, 1 / 36, 1 / 9, 1 / 36, 1 / 9, 1 / 36, 1 / 9, 1 / 36])


def lbm_cylinder(F, tau=0.6, steps=3):
    Ny, Nx = F.shape[:2]
    X, Y = np.meshgrid(range(Nx), range(Ny))
    cylinder = (X - Nx / 4) ** 2 + (Y - Ny / 2) ** 2 < (Ny / 4) ** 2
    for _ in range(steps):
        for i, cx, cy in zip(range(9), _CX, _CY):
            F[:, :, i] = np.roll(F[:, :, i], cx, axis=1)
            F[:, :, i] = np.roll(F[:, :, i], cy, axis=0)
        bndryF = F[cylinder, :]
        bndryF = bndryF[:, [0, 5, 6, 7, 8, 1, 2, 3, 4]]
        rho = np.sum(F, 2)
        ux = np.sum(F * _CX, 2) / rho
        uy = np.sum(F * _CY, 2) / rho
        Feq = np.zeros(F.shape)
        for i, cx, cy, w in zip(range(9), _CX, _CY, _W9):
            cu = cx * ux + cy * uy
            Feq[:, :, i] = rho * w * (1 + 3 * cu + 9 * cu ** 2 / 2 - 3 * (ux ** 2 + uy ** 2) / 2)
        F += -(1.0 / tau) * (F - Feq)
        F[cylinder, :] = bndryF
    return F, rho, ux, uy


def lbm_obstacle_arg(F, obstacle, tau=0.7):
    for i in range(9):
        F[:, :, i] = np.roll(F[:, :, i], (_CY[i], _CX[i]), axis=(0, 1))
    bndryF = F[obstacle, :]
    bndryF = bndryF[:, [0, 5, 6, 7, 8, 1, 2, 3, 4]]
    rho = F.sum(-1)
    ux = (F * _CX).sum(-1) / rho
    uy = (F * _CY).sum(-1) / rho
    cu = ux[..., None] * _CX + uy[..., None] * _CY
    Feq = rho[..., None] * _W9 * (1 + 3 * cu + 4.5 * cu ** 2 - 1.5 * (ux ** 2 + uy ** 2)[..., None])
    F -= (F - Feq) / tau
    F[obstacle, :] = bndryF
    ux[obstacle] = 0
    uy[obstacle] = 0
    return F, np.hypot(ux, uy)


def ising_checkerboard(S, U, beta=0.4, J=1.0):
    S = S.copy()
    H, W = S.shape
    ii, jj = np.indices((H, W))
    for t in range(U.shape[0]):
        for parity in (0, 1):
            nb = np.roll(S, 1, 0) + np.roll(S, -1, 0) + np.roll(S, 1, 1) + np.roll(S, -1, 1)
            dE = 2 * J * S * nb
            flip = ((ii + jj) % 2 == parity) & ((dE <= 0) | (U[t, parity] < np.exp(-beta * dE)))
            S[flip] *= -1
    E = -J * np.sum(S * (np.roll(S, 1, 0) + np.roll(S, 1, 1)))
    return S, S.mean(), E


def schelling_step(G, R, threshold=0.5):
    same = np.zeros(G.shape)
    total = np.zeros(G.shape)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di == 0 and dj == 0:
                continue
            nb = np.roll(G, (di, dj), axis=(0, 1))
            same += (nb == G) & (nb > 0)
            total += nb > 0
    frac = np.divide(same, total, out=np.ones_like(same), where=total > 0)
    unhappy = (G > 0) & (frac < threshold)
    G = np.where(unhappy, 0, G)
    fill = (G == 0) & (R < 0.3)
    G[fill] = np.where(R[fill] < 0.15, 1, 2)
    return G, unhappy.sum()


def sir_grid(state, R, beta=0.3, gamma=0.1):
    for t in range(R.shape[0]):
        inf = (state == 1).astype(int)
        n = np.roll(inf, 1, 0) + np.roll(inf, -1, 0) + np.roll(inf, 1, 1) + np.roll(inf, -1, 1)
        p_inf = 1 - (1 - beta) ** n
        new_inf = (state == 0) & (R[t, 0] < p_inf)
        recover = (state == 1) & (R[t, 1] < gamma)
        state[new_inf] = 1
        state[recover] = 2
    return state, np.bincount(state.ravel(), minlength=3)


def lorenz_euler(xyz0, dt=0.01, steps=50, s=10.0, r=28.0, b=2.667):
    xyz = np.empty((steps + 1, 3))
    xyz[0] = xyz0
    for i in range(steps):
        x, y, z = xyz[i]
        xyz[i + 1] = xyz[i] + dt * np.array([s * (y - x), r * x - y - x * z, x * y - b * z])
    return xyz


def projectile_drag(v0, angle, k=0.1, g=9.81, dt=0.05, steps=40):
    vx, vy = v0 * np.cos(angle), v0 * np.sin(angle)
    x = np.zeros_like(v0)
    y = np.zeros_like(v0)
    traj = np.zeros((steps,) + v0.shape + (2,))
    for t in range(steps):
        speed = np.hypot(vx, vy)
        vx = vx - k * speed * vx * dt
        vy = vy - (g + k * speed * vy) * dt
        x = x + vx * dt
        y = np.maximum(y + vy * dt, 0)
        traj[t, ..., 0] = x
        traj[t, ..., 1] = y
    return traj, traj[..., 1].max(axis=0)



def heat_convolve(u, r=0.2, steps=8):
    for _ in range(steps):
        u = u + r * np.convolve(u, [1, -2, 1], mode="same")
        u[0] = u[-1] = 0.0
    return u


def wave_gradient(u, v, c=1.0, dx=0.1, dt=0.02, steps=6):
    for _ in range(steps):
        a = c ** 2 * np.gradient(np.gradient(u, dx), dx)
        v = v + a * dt
        u = u + v * dt
    return u, v


def particle_density(x, y, bins=(6, 8)):
    H, xe, ye = np.histogram2d(x, y, bins=bins, range=[[0, 1], [0, 1]])
    return H / H.sum(), xe, ye


def trail_buffer(buf, new):
    buf[:-1] = buf[1:]
    buf[-1] = new
    return buf.mean(axis=0)


def spatial_hash_counts(pos, h=0.25, nx=4):
    cell = np.clip((pos // h).astype(int), 0, nx - 1)
    idx = cell[:, 0] * nx + cell[:, 1]
    buffered = np.zeros(nx * nx, dtype=int)
    buffered[idx] += 1
    counts = np.zeros(nx * nx, dtype=int)
    np.add.at(counts, idx, 1)
    return buffered, counts


def particles_periodic(x, v, L=1.0, dt=0.1, steps=3):
    for _ in range(steps):
        x = (x + v * dt) % L
    d = x[:, None, :] - x[None, :, :]
    d -= L * np.round(d / L)
    return x, np.sqrt((d ** 2).sum(-1))


def diffuse_numpy_scalar(u, steps=5):
    k = np.sqrt(2) / 8
    for _ in range(steps):
        u = u + k * (np.roll(u, 1) - 2 * u + np.roll(u, -1))
    return u


def balls_collide_pairs(x, v, r=0.3):
    x, v = x.copy(), v.copy()
    n = len(x)
    for i in range(n):
        for j in range(i + 1, n):
            d = x[j] - x[i]
            dist = np.linalg.norm(d)
            nrm = d / np.maximum(dist, 1e-12)
            rel = np.dot(v[i] - v[j], nrm)
            hit = (dist < 2 * r) & (rel > 0)
            v[i] = np.where(hit, v[i] - rel * nrm, v[i])
            v[j] = np.where(hit, v[j] + rel * nrm, v[j])
    return v


def starfield(stars, speed=0.5, depth=8.0, f=20.0, cx=16, cy=12):
    stars[:, 2] -= speed
    stars[stars[:, 2] < 1, 2] = depth
    sx = stars[:, 0] / stars[:, 2] * f + cx
    sy = stars[:, 1] / stars[:, 2] * f + cy
    visible = (sx >= 0) & (sx < 2 * cx) & (sy >= 0) & (sy < 2 * cy)
    return np.stack([sx, sy], 1), visible, 255 * (1 - stars[:, 2] / depth)


def fireworks(pos, vel, age, g=-0.5, dt=0.1, steps=6):
    alpha = np.ones(len(pos))
    for _ in range(steps):
        vel[:, 1] += g * dt
        pos += vel * dt
        age += 1
        alpha = np.clip(0.95 ** age, 0, 1) * (pos[:, 1] > 0)
    return pos, alpha


# ---------------------------------------------------------------------------------- graphics


def ray_sphere_render(img, center, radius, light):
    h, w = img.shape[:2]
    X, Y = np.meshgrid(np.linspace(-1, 1, w), np.linspace(1, -1, h) * h / w)
    D = np.stack([X, Y, np.ones_like(X)], axis=-1)
    D /= np.linalg.norm(D, axis=-1, keepdims=True)
    O = np.array([0.0, 0.0, -1.0])
    oc = O - center
    b = 2 * (D @ oc)
    c = oc @ oc - radius ** 2
    disc = b * b - 4 * c
    sq = np.sqrt(np.maximum(disc, 0))
    t = np.where(disc > 0, (-b - sq) / 2, np.inf)
    hit = np.isfinite(t) & (t > 0)
    P = O + D * np.where(hit, t, 0)[..., None]
    N = (P - center) / radius
    L = light - P
    L /= np.linalg.norm(L, axis=-1, keepdims=True)
    diffuse = np.clip(np.einsum("ijk,ijk->ij", N, L), 0, 1)
    Hv = L - D
    Hv /= np.linalg.norm(Hv, axis=-1, keepdims=True)
    spec = np.clip(np.sum(N * Hv, -1), 0, 1) ** 50
    shade = 0.05 + diffuse[..., None] * np.array([1.0, 0.2, 0.2]) + spec[..., None]
    img[hit] = np.clip(shade[hit], 0, 1)
    return img


def ray_spheres_nearest(O, D, centers, radii):
    oc = O - centers
    b = 2 * D @ oc.T
    c = (oc ** 2).sum(1) - radii ** 2
    disc = b ** 2 - 4 * c
    t = np.where(disc >= 0, (-b - np.sqrt(np.abs(disc))) / 2, np.inf)
    t = np.where(t > 1e-6, t, np.inf)
    k = np.argmin(t, axis=1)
    tmin = np.take_along_axis(t, k[:, None], 1)[:, 0]
    hit = np.isfinite(tmin)
    return np.where(hit, k, -1), np.where(hit, tmin, 0.0)


def phong_heightmap(z, light=(1.0, 1.0, 2.0), shininess=16):
    dzdy, dzdx = np.gradient(z)
    n = np.dstack((-dzdx, -dzdy, np.ones_like(z)))
    n /= np.linalg.norm(n, axis=2, keepdims=True)
    l = np.array(light) / np.linalg.norm(light)
    ndotl = n @ l
    r = 2 * ndotl[..., None] * n - l
    spec = np.clip(r[..., 2], 0, None) ** shininess
    return np.clip(0.1 + 0.7 * np.clip(ndotl, 0, None) + 0.2 * spec, 0, 1)


def _fade(t):
    return 6 * t ** 5 - 15 * t ** 4 + 10 * t ** 3


def _lerp(a, b, t):
    return a + t * (b - a)


def _grad(h, x, y):
    vectors = np.array([[0, 1], [0, -1], [1, 0], [-1, 0]])
    g = vectors[h % 4]
    return g[..., 0] * x + g[..., 1] * y


def perlin_perm(x, y, perm):
    xi = np.floor(x).astype(int) & 255
    yi = np.floor(y).astype(int) & 255
    xf = x - np.floor(x)
    yf = y - np.floor(y)
    u, v = _fade(xf), _fade(yf)
    n00 = _grad(perm[perm[xi] + yi], xf, yf)
    n01 = _grad(perm[perm[xi] + yi + 1], xf, yf - 1)
    n11 = _grad(perm[perm[xi + 1] + yi + 1], xf - 1, yf - 1)
    n10 = _grad(perm[perm[xi + 1] + yi], xf - 1, yf)
    return _lerp(_lerp(n00, n10, u), _lerp(n01, n11, u), v)


def perlin_gradient_grid(angles):
    res = (angles.shape[0] - 1, angles.shape[1] - 1)
    shape = (4 * res[0], 4 * res[1])
    delta = (res[0] / shape[0], res[1] / shape[1])
    d = (shape[0] // res[0], shape[1] // res[1])
    grid = np.mgrid[0:res[0]:delta[0], 0:res[1]:delta[1]].transpose(1, 2, 0) % 1
    gradients = np.dstack((np.cos(angles), np.sin(angles)))
    gradients = gradients.repeat(d[0], 0).repeat(d[1], 1)
    g00 = gradients[:-d[0], :-d[1]]
    g10 = gradients[d[0]:, :-d[1]]
    g01 = gradients[:-d[0], d[1]:]
    g11 = gradients[d[0]:, d[1]:]
    n00 = np.sum(np.dstack((grid[:, :, 0], grid[:, :, 1])) * g00, 2)
    n10 = np.sum(np.dstack((grid[:, :, 0] - 1, grid[:, :, 1])) * g10, 2)
    n01 = np.sum(np.dstack((grid[:, :, 0], grid[:, :, 1] - 1)) * g01, 2)
    n11 = np.sum(np.dstack((grid[:, :, 0] - 1, grid[:, :, 1] - 1)) * g11, 2)
    t = _fade(grid)
    n0 = n00 * (1 - t[:, :, 0]) + t[:, :, 0] * n10
    n1 = n01 * (1 - t[:, :, 0]) + t[:, :, 0] * n11
    return np.sqrt(2) * ((1 - t[:, :, 1]) * n0 + t[:, :, 1] * n1)


def value_noise_fbm(L, x, y, octaves=4, persistence=0.5):
    m = L.shape[0]
    X, Y = x[None, :], y[:, None]
    total = np.zeros((y.size, x.size))
    amp, freq, norm = 1.0, 1.0, 0.0
    for _ in range(octaves):
        fx, fy = X * freq, Y * freq
        x0, y0 = np.floor(fx).astype(int), np.floor(fy).astype(int)
        sx, sy = fx - x0, fy - y0
        sx, sy = sx * sx * (3 - 2 * sx), sy * sy * (3 - 2 * sy)
        x0, y0, x1, y1 = x0 % m, y0 % m, (x0 + 1) % m, (y0 + 1) % m
        top = _lerp(L[y0, x0], L[y0, x1], sx)
        bottom = _lerp(L[y1, x0], L[y1, x1], sx)
        total += amp * _lerp(top, bottom, sy)
        norm += amp
        amp *= persistence
        freq *= 2
    return total / norm


def diamond_square(corners, noise, roughness=0.5):
    levels = noise.shape[0]
    size = 2 ** levels + 1
    H = np.zeros((size, size))
    H[0, 0], H[0, -1], H[-1, 0], H[-1, -1] = corners
    step, scale = size - 1, 1.0
    for lev in range(levels):
        half = step // 2
        H[half::step, half::step] = (H[:-1:step, :-1:step] + H[:-1:step, step::step]
                                     + H[step::step, :-1:step] + H[step::step, step::step]) / 4 \
            + scale * noise[lev, half::step, half::step]
        for r0, c0 in ((0, half), (half, 0)):
            ii, jj = np.meshgrid(np.arange(r0, size, step), np.arange(c0, size, step),
                                 indexing="ij")
            tot = np.zeros(ii.shape)
            cnt = np.zeros(ii.shape)
            for di, dj in ((-half, 0), (half, 0), (0, -half), (0, half)):
                ni, nj = ii + di, jj + dj
                ok = (ni >= 0) & (ni < size) & (nj >= 0) & (nj < size)
                tot += np.where(ok, H[np.clip(ni, 0, size - 1), np.clip(nj, 0, size - 1)], 0)
                cnt += ok
            H[r0::step, c0::step] = tot / cnt + scale * noise[lev, r0::step, c0::step]
        step, scale = half, scale * roughness
    return H


def _bayer(levels):
    M = np.array([[0, 2], [3, 1]])
    for _ in range(levels - 1):
        M = np.block([[4 * M, 4 * M + 2], [4 * M + 3, 4 * M + 1]])
    return M


def bayer_dither(gray, levels=2):
    M = _bayer(levels)
    n = M.shape[0]
    h, w = gray.shape
    T = (np.tile(M, (h // n + 1, w // n + 1))[:h, :w] + 0.5) / n ** 2
    return (gray > T).astype(np.uint8) * 255


def quantize_palette(img, palette):
    d = np.sum((img[:, :, None, :].astype(float) - palette[None, None]) ** 2, axis=-1)
    idx = np.argmin(d, axis=-1)
    return palette[idx].astype(np.uint8), idx


def equalize_hist_lut(img):
    hist, _ = np.histogram(img.flatten(), 256, [0, 256])
    cdf = hist.cumsum()
    cdf_min = cdf[cdf > 0].min()
    lut = np.clip(np.round((cdf - cdf_min) * 255 / (cdf[-1] - cdf_min)), 0, 255).astype(np.uint8)
    return lut[img]


def _seam_energy(gray):
    dy, dx = np.gradient(gray)
    return np.abs(dx) + np.abs(dy)


def seam_cumulative(gray):
    M = _seam_energy(gray)
    for i in range(1, M.shape[0]):
        left = np.concatenate(([np.inf], M[i - 1, :-1]))
        up = M[i - 1]
        right = np.concatenate((M[i - 1, 1:], [np.inf]))
        M[i] += np.minimum(np.minimum(left, up), right)
    return M


def seam_backtrack(gray):
    M = seam_cumulative(gray)
    h = M.shape[0]
    seam = np.zeros(h, dtype=int)
    j = np.argmin(M[-1])
    seam[-1] = j
    for i in range(h - 2, -1, -1):
        lo = max(j - 1, 0)
        j = lo + np.argmin(M[i, lo:j + 2])
        seam[i] = j
    return seam


def seam_backtrack_padded(gray):
    M = seam_cumulative(gray)
    Mp = np.pad(M, ((0, 0), (1, 1)), constant_values=np.inf)
    h = M.shape[0]
    seam = np.zeros(h, dtype=np.intp)
    j = np.argmin(M[-1])
    seam[-1] = j
    for i in range(h - 2, -1, -1):
        j = j - 1 + np.argmin(Mp[i, j:j + 3])
        seam[i] = j
    return seam


def seam_remove(img, seam):
    h, w = img.shape
    cols = np.arange(w - 1)[None, :]
    idx = cols + (cols >= seam[:, None])
    return np.take_along_axis(img, idx, axis=1)


def rotate_nearest(img, theta):
    h, w = img.shape
    cy, cx = (h - 1) / 2, (w - 1) / 2
    yy, xx = np.indices((h, w))
    c, s = np.cos(theta), np.sin(theta)
    sx = c * (xx - cx) + s * (yy - cy) + cx
    sy = -s * (xx - cx) + c * (yy - cy) + cy
    sxi = np.rint(sx).astype(int)
    syi = np.rint(sy).astype(int)
    valid = (sxi >= 0) & (sxi < w) & (syi >= 0) & (syi < h)
    out = np.zeros_like(img)
    out[valid] = img[syi[valid], sxi[valid]]
    return out


def rotate90_scatter(img):
    h, w = img.shape[:2]
    out = np.empty((w, h) + img.shape[2:], dtype=img.dtype)
    ii, jj = np.indices((h, w))
    out[jj, h - 1 - ii] = img
    return out


def alpha_over(fg, bg):
    a_f, a_b = fg[..., 3:4], bg[..., 3:4]
    a_o = a_f + a_b * (1 - a_f)
    rgb = (fg[..., :3] * a_f + bg[..., :3] * a_b * (1 - a_f)) / np.where(a_o == 0, 1, a_o)
    return np.concatenate([rgb, a_o], axis=-1)


def alpha_blend_uint8(fg, bg, alpha):
    a = alpha.astype(np.uint16)[..., None]
    out = (fg.astype(np.uint16) * a + bg.astype(np.uint16) * (255 - a) + 127) // 255
    return out.astype(np.uint8)


def linear_downscale_srgb(img):
    c = img / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    h, w = lin.shape[0] // 2 * 2, lin.shape[1] // 2 * 2
    small = lin[:h, :w].reshape(h // 2, 2, w // 2, 2, -1).mean(axis=(1, 3))
    s = np.where(small <= 0.0031308, 12.92 * small, 1.055 * np.power(small, 1 / 2.4) - 0.055)
    return np.clip(np.round(s * 255), 0, 255).astype(np.uint8)


def draw_circle(img, cx, cy, r, value=1.0):
    h, w = img.shape[:2]
    Y, X = np.ogrid[:h, :w]
    mask = (X - cx) ** 2 + (Y - cy) ** 2 <= r ** 2
    img[mask] = value
    return img


def draw_disc_antialiased(img, center, r, color):
    h, w = img.shape[:2]
    Y, X = np.ogrid[:h, :w]
    dist = np.sqrt((X - center[0]) ** 2 + (Y - center[1]) ** 2)
    alpha = np.clip(r + 0.5 - dist, 0, 1)[..., None]
    return img * (1 - alpha) + color * alpha


def draw_line(img, x0, y0, x1, y1):
    n = 2 * max(img.shape)
    t = np.linspace(0, 1, n)
    xs = np.round(x0 + t * (x1 - x0)).astype(int)
    ys = np.round(y0 + t * (y1 - y0)).astype(int)
    img[ys, xs] = 1
    return img


def ascii_art(gray):
    chars = np.array(list(" .:-=+*#%@"))
    idx = (gray * (len(chars) - 1)).astype(int)
    return chars[idx]



def sphere_trace(O, D, center, radius, steps=16):
    t = np.zeros(D.shape[0])
    for _ in range(steps):
        p = O + t[:, None] * D
        d = np.linalg.norm(p - center, axis=1) - radius
        t = t + np.where(d > 1e-4, d, 0)
    hit = np.linalg.norm(O + t[:, None] * D - center, axis=1) - radius < 1e-3
    return np.where(hit, t, np.inf), hit


def sprite_centroid(sprite):
    h, w = sprite.shape
    yy, xx = np.mgrid[0:h, 0:w]
    mask = sprite > 0.5
    Y, X = np.ogrid[:h, :w]
    return (yy[mask].mean(), xx[mask].mean(), (X * sprite).sum() / sprite.sum(),
            Y[:, 0][mask.any(1)].max())


def scroll_background(img, offset):
    return np.roll(img, offset, axis=1), np.roll(img, -offset)


def xor_texture(img, t):
    h, w = img.shape
    y, x = np.ogrid[:h, :w]
    tex = ((x ^ y) & 255).astype(np.uint8)
    munch = (x ^ y) < t
    return tex, munch, img ^ tex


def plasma(img, t, palette):
    h, w = img.shape
    y, x = np.mgrid[0:h, 0:w].astype(float)
    v = (np.sin(x / 4 + t) + np.sin(y / 2) + np.sin((x + y) / 4)
         + np.sin(np.sqrt(x * x + y * y) / 2 - t))
    idx = ((v + 4) * 31.875).astype(np.uint8)
    return palette[idx]


def domain_colouring(z):
    f = (z ** 2 - 1) / (z ** 2 + 1)
    h = (np.angle(f) / (2 * np.pi)) % 1.0
    v = 1 - 1 / (1 + np.abs(f) ** 0.3)
    s = np.full(h.shape, 0.9)
    i = (h * 6).astype(int) % 6
    fr = h * 6 - np.floor(h * 6)
    p, q, t = v * (1 - s), v * (1 - s * fr), v * (1 - s * (1 - fr))
    r = np.choose(i, [v, q, p, p, t, v])
    g = np.choose(i, [t, v, v, q, p, p])
    b = np.choose(i, [p, p, t, v, v, q])
    return np.stack([r, g, b], axis=-1)


def brightness_uint8(img, delta):
    wrapped = img + delta
    scaled = img * 1.2
    clipped = np.clip(img.astype(np.int16) + delta, 0, 255).astype(np.uint8)
    return wrapped, scaled, clipped, img + 100


def blit_sprite(canvas, sprite, alpha, pos):
    y, x = pos
    h, w = sprite.shape[:2]
    region = canvas[y:y + h, x:x + w]
    canvas[y:y + h, x:x + w] = np.where(alpha[..., None], sprite, region)
    return canvas


def raycast_dda(grid, px, py, angles, steps=24, dt=0.25):
    dx, dy = np.cos(angles), np.sin(angles)
    H, W = grid.shape
    dist = np.full(angles.shape, np.inf)
    found = np.zeros(angles.shape, dtype=bool)
    for k in range(1, steps + 1):
        t = k * dt
        mx = np.clip((px + t * dx).astype(int), 0, W - 1)
        my = np.clip((py + t * dy).astype(int), 0, H - 1)
        hit = grid[my, mx] > 0
        dist = np.where(~found & hit, t, dist)
        found |= hit
    return dist, np.where(found, 1.0 / np.maximum(dist, 1e-9), 0.0)


def flow_field(walls, goal, iters=12):
    big = 10 ** 6
    d = np.where(goal, 0, big)
    for _ in range(iters):
        P = np.pad(d, 1, constant_values=big)
        best = np.minimum(np.minimum(P[:-2, 1:-1], P[2:, 1:-1]),
                          np.minimum(P[1:-1, :-2], P[1:-1, 2:])) + 1
        d = np.where(walls, big, np.minimum(d, best))
    P = np.pad(d, 1, constant_values=big)
    step = np.argmin(np.stack([P[:-2, 1:-1], P[2:, 1:-1], P[1:-1, :-2], P[1:-1, 2:]]), axis=0)
    return d, step


# ----------------------------------------------------------------------------------- puzzles


def euler_small(a):
    e1 = a[(a % 3 == 0) | (a % 5 == 0)].sum()
    e6 = a.sum() ** 2 - (a ** 2).sum()
    return e1, e6


def euler2_even_fib(limit, terms=34):
    fib = np.zeros(terms, dtype=np.int64)
    fib[:2] = 1, 2
    for i in range(2, terms):
        fib[i] = fib[i - 1] + fib[i - 2]
    return fib[(fib % 2 == 0) & (fib <= limit)].sum()


def _reverse_digits(x, ndigits):
    r = np.zeros_like(x)
    y = x.copy()
    for _ in range(ndigits):
        r = r * 10 + y % 10
        y //= 10
    return r


def euler4_palindromes(a):
    p = np.outer(a, a)
    pal = p == _reverse_digits(p, 4)
    return p[pal].max(), np.count_nonzero(np.triu(pal))


def sieve_static(limit=100):
    is_prime = np.ones(limit + 1, dtype=bool)
    is_prime[:2] = False
    for i in range(2, int(limit ** 0.5) + 1):
        is_prime[i * i::i] = False
    return np.flatnonzero(is_prime)


def sieve_with_if(limit=100):
    is_prime = np.ones(limit + 1, dtype=bool)
    is_prime[:2] = False
    for i in range(2, int(limit ** 0.5) + 1):
        if is_prime[i]:
            is_prime[i * i::i] = False
    return np.nonzero(is_prime)[0].sum()


def prime_lookup(values, limit=200):
    sieve = np.ones(limit, dtype=bool)
    sieve[:2] = False
    for i in range(2, int(np.sqrt(limit)) + 1):
        sieve[i * i::i] = False
    return sieve[values], values[sieve[values]].sum()


def totient_sieve(x, limit=60):
    phi = np.arange(limit + 1)
    for p in range(2, limit + 1):
        is_p = phi[p] == p
        phi[p::p] -= np.where(is_p, phi[p::p] // p, 0)
    return phi[x]


def collatz_steps(a, steps=40):
    a = a.copy()
    n = np.zeros_like(a)
    for _ in range(steps):
        active = a != 1
        a = np.where(active, np.where(a % 2 == 0, a // 2, 3 * a + 1), a)
        n += active
    return n, a, n.argmax() + 1


def magic_check(M):
    n = M.shape[-1]
    s = n * (n * n + 1) // 2
    rows = (M.sum(axis=-1) == s).all(-1)
    cols = (M.sum(axis=-2) == s).all(-1)
    d1 = np.trace(M, axis1=-2, axis2=-1) == s
    d2 = np.diagonal(np.flip(M, axis=-1), axis1=-2, axis2=-1).sum(-1) == s
    perm = (np.sort(M.reshape(M.shape[0], -1), axis=1) == np.arange(1, n * n + 1)).all(1)
    return rows & cols & d1 & d2 & perm


def magic_array_equal(M):
    n = M.shape[0]
    return np.array_equal(np.sort(M.ravel()), np.arange(1, n * n + 1)) & np.all(
        M.sum(0) == M.sum(1))


def sudoku_candidates(grid):
    onehot = grid[..., None] == np.arange(1, 10)
    row_used = onehot.any(axis=1)
    col_used = onehot.any(axis=0)
    box_used = onehot.reshape(3, 3, 3, 3, 9).any(axis=(1, 3))
    cand = ~(row_used[:, None, :] | col_used[None, :, :] | box_used.repeat(3, 0).repeat(3, 1))
    cand &= (grid == 0)[..., None]
    return cand, cand.sum(-1)


def sudoku_naked_singles(grid, rounds=3):
    for _ in range(rounds):
        cand, count = sudoku_candidates(grid)
        grid = np.where(count == 1, cand.argmax(-1) + 1, grid)
    return grid


def sudoku_valid(grid):
    rows = np.sort(grid, axis=1)
    cols = np.sort(grid, axis=0).T
    boxes = np.sort(grid.reshape(3, 3, 3, 3).swapaxes(1, 2).reshape(9, 9), axis=1)
    target = np.arange(1, 10)
    return (rows == target).all() & (cols == target).all() & (boxes == target).all()


def move_left_2048(board):
    order = np.argsort(board == 0, axis=1, kind="stable")
    b = np.take_along_axis(board, order, axis=1)
    score = 0
    for j in range(b.shape[1] - 1):
        eq = (b[:, j] == b[:, j + 1]) & (b[:, j] != 0)
        b[:, j] = np.where(eq, 2 * b[:, j], b[:, j])
        b[:, j + 1] = np.where(eq, 0, b[:, j + 1])
        score = score + np.sum(np.where(eq, b[:, j], 0))
    order = np.argsort(b == 0, axis=1, kind="stable")
    return np.take_along_axis(b, order, axis=1), score


def move_2048(board, direction=1):
    moved, score = move_left_2048(np.rot90(board, direction))
    return np.rot90(moved, -direction), score, (moved != np.rot90(board, direction)).any()


def ttt_winner(boards):
    lines = np.concatenate([boards.sum(axis=1), boards.sum(axis=2),
                            np.trace(boards, axis1=1, axis2=2)[:, None],
                            np.trace(np.flip(boards, axis=2), axis1=1, axis2=2)[:, None]],
                           axis=1)
    return np.where((lines == 3).any(1), 1, np.where((lines == -3).any(1), -1, 0))


def connect4_wins(board, player=1):
    b = board == player
    h = swv(b, 4, axis=1).all(-1).any()
    v = swv(b, 4, axis=0).all(-1).any()
    w = swv(b, (4, 4))
    d1 = np.diagonal(w, axis1=-2, axis2=-1).all(-1).any()
    d2 = np.diagonal(w[..., ::-1], axis1=-2, axis2=-1).all(-1).any()
    return h | v | d1 | d2


def minesweeper_counts(mines):
    m = np.pad(mines.astype(np.int8), 1)
    H, W = m.shape
    counts = sum(m[1 + di:H - 1 + di, 1 + dj:W - 1 + dj]
                 for di in (-1, 0, 1) for dj in (-1, 0, 1)) - mines
    return np.where(mines, -1, counts)


def minesweeper_reveal(mines, start, steps=6):
    counts = minesweeper_counts(mines)
    revealed = start & ~mines
    for _ in range(steps):
        spread = revealed & (counts == 0)
        grow = spread.copy()
        grow[1:] |= spread[:-1]
        grow[:-1] |= spread[1:]
        grow[:, 1:] |= spread[:, :-1]
        grow[:, :-1] |= spread[:, 1:]
        revealed |= grow & ~mines
    return revealed


def tetris_clear_lines(board):
    full = board.all(axis=1)
    order = np.argsort(~full, kind="stable")
    out = board[order]
    out[:full.sum()] = 0
    return out, full.sum()


def nim_winning(heaps):
    return np.bitwise_xor.reduce(heaps, axis=1) != 0


def queens_conflicts(perms):
    n = perms.shape[1]
    r = np.arange(n)
    dr = np.abs(r[:, None] - r[None, :])
    dc = np.abs(perms[:, :, None] - perms[:, None, :])
    clash = ((dc == dr) | (dc == 0)) & (dr > 0)
    return np.triu(clash, 1).sum(axis=(1, 2))


def knight_distances(start, steps=3):
    H, W = start.shape
    moves = [(1, 2), (2, 1), (-1, 2), (-2, 1), (1, -2), (2, -1), (-1, -2), (-2, -1)]
    reach = start.copy()
    dist = np.where(start, 0, -1)
    for k in range(1, steps + 1):
        new = np.zeros_like(reach)
        for dy, dx in moves:
            new[max(dy, 0):H + min(dy, 0), max(dx, 0):W + min(dx, 0)] |= \
                reach[max(-dy, 0):H + min(-dy, 0), max(-dx, 0):W + min(-dx, 0)]
        dist = np.where(new & (dist < 0), k, dist)
        reach = new | reach
    return dist


def kaprekar(x, steps=7):
    for _ in range(steps):
        d = np.sort((x[:, None] // 10 ** np.arange(4)) % 10, axis=1)
        small = d @ 10 ** np.arange(3, -1, -1)
        big = d @ 10 ** np.arange(4)
        x = big - small
    return x


def happy_numbers(x, steps=12):
    for _ in range(steps):
        d = x[:, None] // 10 ** np.arange(4) % 10
        x = (d ** 2).sum(1)
    return x == 1


def factorial_digits(digits, k=12):
    for m in range(2, k + 1):
        digits = digits * m
        for _ in range(4):
            carry = digits // 10
            digits = digits % 10
            digits[1:] += carry[:-1]
    return digits, digits.sum()


def random_walk_stats(steps):
    pos = np.cumsum(steps, axis=1)
    crossed = np.abs(pos) >= 3
    first = np.where(crossed.any(1), crossed.argmax(1), -1)
    return pos[:, -1], np.abs(pos).max(1), first, (pos ** 2).mean(0)


def lattice_walk_2d(dirs):
    moves = np.array([[1, 0], [-1, 0], [0, 1], [0, -1]])
    path = np.vstack([[0, 0], np.cumsum(moves[dirs], axis=0)])
    return path, np.sqrt((path ** 2).sum(1)).max(), np.abs(path).sum(1)[-1]


def mc_pi(xy):
    inside = (xy ** 2).sum(axis=1) <= 1
    running = 4 * np.cumsum(inside) / np.arange(1, len(inside) + 1)
    return 4 * inside.mean(), running


def buffon_needle(y, theta, L=0.8, d=1.0):
    tip = y + L / 2 * np.sin(theta)
    tail = y - L / 2 * np.sin(theta)
    hits = (np.floor(tip / d) != np.floor(tail / d))
    p = hits.mean()
    return p, np.where(p > 0, 2 * L / (np.maximum(p, 1e-12) * d), np.inf)


def birthday_sim(days):
    s = np.sort(days, axis=1)
    shared = (np.diff(s, axis=1) == 0).any(axis=1)
    exact = 1 - np.prod((365 - np.arange(days.shape[1])) / 365)
    return shared.mean(), exact


def monty_hall(car, pick, host_r):
    doors = np.arange(3)
    can_open = (doors != car[:, None]) & (doors != pick[:, None])
    first_allowed = can_open.argmax(1)
    last_allowed = 2 - can_open[:, ::-1].argmax(1)
    two = can_open.sum(1) == 2
    opened = np.where(two & (host_r < 0.5), last_allowed, first_allowed)
    switch = 3 - pick - opened
    return (pick == car).mean(), (switch == car).mean()


def dice_sums(rolls):
    totals = rolls.sum(1)
    counts = np.bincount(totals, minlength=6 * rolls.shape[1] + 1)
    return counts / len(totals), (rolls == 6).any(1).mean()



def collatz_bits(a, steps=40):
    n = np.zeros_like(a)
    for _ in range(steps):
        n += a > 1
        a = np.where(a > 1, np.where(a & 1, 3 * a + 1, a >> 1), a)
    return n


def lanternfish(fish, days=40):
    counts = np.bincount(fish, minlength=9)
    for _ in range(days):
        counts = np.roll(counts, -1)
        counts[6] += counts[8]
    return counts.sum(), counts


def low_point_risk(H):
    P = np.pad(H, 1, constant_values=10)
    c = P[1:-1, 1:-1]
    low = (c < P[:-2, 1:-1]) & (c < P[2:, 1:-1]) & (c < P[1:-1, :-2]) & (c < P[1:-1, 2:])
    return (H[low] + 1).sum(), low


def crab_median(pos):
    m = np.median(pos)
    fuel1 = np.abs(pos - m).sum()
    mean = np.floor(pos.mean())
    d = np.abs(pos - mean)
    return fuel1, (d * (d + 1) / 2).sum()


def bingo_first_win(boards, draws):
    eq = boards[..., None] == draws
    marked_at = np.where(eq.any(-1), eq.argmax(-1), len(draws))
    win_turn = np.minimum(marked_at.max(axis=1).min(axis=1), marked_at.max(axis=2).min(axis=1))
    first = np.argmin(win_turn)
    t = win_turn[first]
    unmarked = np.where(marked_at[first] > t, boards[first], 0).sum()
    return first, unmarked * draws[t]


def bingo_isin(boards, draws, turns=20):
    marked = np.isin(boards, draws[:turns])
    won = marked.all(1).any(1) | marked.all(2).any(1)
    return won, np.where(marked, 0, boards).sum(axis=(1, 2))


def poker_rank(hands):
    ranks = np.sort(hands % 13, axis=1)
    suits = hands // 13
    flush = (suits == suits[:, :1]).all(1)
    straight = (np.diff(ranks, axis=1) == 1).all(1) | (ranks == [0, 1, 2, 3, 12]).all(1)
    counts = (ranks[:, :, None] == np.arange(13)).sum(1)
    c = np.sort(counts, axis=1)[:, ::-1]
    cat = np.select([straight & flush, c[:, 0] == 4, (c[:, 0] == 3) & (c[:, 1] == 2), flush,
                     straight, c[:, 0] == 3, (c[:, 0] == 2) & (c[:, 1] == 2), c[:, 0] == 2],
                    [8, 7, 6, 5, 4, 3, 2, 1], default=0)
    return cat, np.bincount(cat, minlength=9)


def yahtzee_scores(rolls):
    counts = np.apply_along_axis(np.bincount, 1, rolls, minlength=7)[:, 1:]
    yahtzee = (counts == 5).any(1) * 50
    full_house = ((counts == 3).any(1) & (counts == 2).any(1)) * 25
    present = counts > 0
    small = swv(present, 4, axis=1).all(-1).any(-1) * 30
    large = swv(present, 5, axis=1).all(-1).any(-1) * 40
    return np.stack([yahtzee, full_house, small, large, rolls.sum(1)], axis=1)


def blackjack_dealer(cards):
    total = cards[:, 0] + cards[:, 1]
    aces = (cards[:, 0] == 1).astype(int) + (cards[:, 1] == 1)
    for k in range(2, cards.shape[1]):
        soft = np.where((aces > 0) & (total + 10 <= 21), total + 10, total)
        draw = soft < 17
        total = total + np.where(draw, cards[:, k], 0)
        aces = aces + (draw & (cards[:, k] == 1))
    final = np.where((aces > 0) & (total + 10 <= 21), total + 10, total)
    return final, (final > 21).mean()


def zobrist_hash(boards, table):
    idx = boards.reshape(len(boards), -1)
    keys = table[np.arange(idx.shape[1]), idx]
    return np.bitwise_xor.reduce(keys, axis=1)


def connect4_bitboard(pos):
    won = np.zeros(pos.shape, dtype=bool)
    for shift in (1, 7, 6, 8):
        m = pos & (pos >> shift)
        won |= (m & (m >> (2 * shift))) != 0
    return won, np.bitwise_count(pos)


def leaderboard(scores, times, ids):
    order = np.lexsort((times, -scores))
    ranks = np.empty_like(order)
    ranks[order] = np.arange(len(order))
    return ids[order][:3], ranks


def tetris_place(board, piece, pos, k=1):
    y, x = pos
    p = np.rot90(piece, k)
    h, w = p.shape
    collides = (board[y:y + h, x:x + w] & p).any()
    placed = board.copy()
    placed[y:y + h, x:x + w] |= p
    return np.where(collides, board, placed), collides


def snake_step(body, direction, food):
    head = body[0] + direction
    ate = np.array_equal(head, food)
    body = np.roll(body, 1, axis=0)
    body[0] = head
    hit_self = (body[1:] == head).all(1).any()
    return body, ate, hit_self


def pong_step(ball, vel, paddles, h=10.0, w=16.0, dt=0.5, steps=6):
    for _ in range(steps):
        ball = ball + vel * dt
        vel = np.where((ball < 0) | (ball > [w, h]), -vel, vel)
        ball = np.clip(ball, 0, [w, h])
        at_left = (ball[0] <= 1) & (np.abs(ball[1] - paddles[0]) < 2)
        at_right = (ball[0] >= w - 1) & (np.abs(ball[1] - paddles[1]) < 2)
        vel = np.where(at_left | at_right, vel * [-1.1, 1], vel)
        paddles = np.clip(paddles + np.sign(ball[1] - paddles) * 0.4, 1, h - 1)
    return ball, vel, paddles


# ------------------------------------------------------------------------------------ tables


def _complex_grid(s, n):
    re = np.linspace(-2.0, 0.6, n + 3) + 0.01 * s
    im = np.linspace(-1.2, 1.2, n + 1) - 0.01 * s
    return re[None, :] + 1j * im[:, None]


def _magic(m):
    i, j = np.indices((m, m))
    return m * ((i + j + 1 + m // 2) % m) + ((i + 2 * j - 2) % m) + 1


def _magic_batch(s, n):
    m = n + 1 if n % 2 == 0 else n + 3
    M = np.rot90(_magic(m), s)
    bad = M.copy()
    bad[0, 0], bad[0, 1] = bad[0, 1], bad[0, 0]
    return np.stack([M, bad, M.T])


def _sudoku(s, blanks=0.5):
    r, c = np.indices((9, 9))
    solved = (3 * (r % 3) + r // 3 + c) % 9 + 1
    digits = np.random.default_rng(s).permutation(9) + 1
    return np.where(_u(s, 9, 9) < blanks, 0, digits[solved - 1])


def _tiles(s, *shape):
    return np.where(_u(s, *shape) < 0.35, 0, 2 ** _i(4, *shape, seed=s + 1) * 2)


def _tetris(s, n):
    b = _u(s, n + 4, 6) < 0.7
    b[[1, n + 2]] = True
    return b


def _perm512(s):
    p = np.random.default_rng(s).permutation(256)
    return np.concatenate([p, p])



def _trench_algo(s):
    a = _board(s, 512, p=0.5)
    a[0], a[511] = (1, 0) if s % 2 else (0, 1)
    return a


def _bingo(s, n):
    rng = np.random.default_rng(s)
    boards = np.array([rng.permutation(50)[:25].reshape(5, 5) for _ in range(n)])
    return boards, rng.permutation(50)


def _hands(s, k):
    rng = np.random.default_rng(s)
    return np.array([rng.permutation(52)[:5] for _ in range(k)])


AUTOMATA = {
    "life_roll": (life_roll, {}, lambda s, n: (_board(s, n + 2, n + 3),)),
    "life_roll_uint8": (life_roll_uint8, {}, lambda s, n: (
        _board(s, n + 2, n + 1, dtype=np.uint8),)),
    "life_rougier": (life_rougier, {}, lambda s, n: (_board(s, n + 2, n + 3),)),
    "life_interior_inplace": (life_interior_inplace, {}, lambda s, n: (_board(s, n + 2, n + 3),)),
    "life_bool_windows": (life_bool_windows, {}, lambda s, n: (
        _board(s, n + 1, n + 2, dtype=bool),)),
    "life_like_highlife": (life_like_rule, {"birth": (3, 6), "survive": (2, 3)}, lambda s, n: (
        _board(s, n + 2, n + 2, dtype=np.int8),)),
    "rule30_bits": (rule_ca_bits, {}, lambda s, n: (_board(s, 3 * n, p=0.5),)),
    "rule110_table": (rule_ca_table, {}, lambda s, n: (_board(s, 3 * n, p=0.5, dtype=np.uint8),)),
    "brians_brain": (brians_brain, {}, lambda s, n: (_i(3, n + 2, n + 3, seed=s),)),
    "wireworld": (wireworld, {}, lambda s, n: (_i(4, n + 2, n + 2, seed=s),)),
    "cyclic_ca": (cyclic_ca, {}, lambda s, n: (_i(4, n + 1, n + 3, seed=s),)),
    "forest_fire": (forest_fire, {}, lambda s, n: (
        _i(3, n + 2, n + 2, seed=s), _u(s, 4, n + 2, n + 2))),
    "sandpile_topple": (sandpile_topple, {}, lambda s, n: (_i(8, n + 1, n + 2, seed=s),)),
    "sandpile_where": (sandpile_where, {}, lambda s, n: (_i(8, n + 1, n + 2, seed=s),)),
    "langtons_ant": (langtons_ant, {}, lambda s, n: (_board(s, n + 3, n + 3),)),
    "majority_anneal": (majority_anneal, {}, lambda s, n: (_board(s, n + 2, n + 2, p=0.5),)),
    "life_fft": (life_fft, {}, lambda s, n: (_board(s, n + 2, n + 3),)),
    "life_as_strided": (life_as_strided, {}, lambda s, n: (_board(s, n + 2, n + 1),)),
    "conway_cubes": (conway_cubes, {}, lambda s, n: (_board(s, n, n, p=0.4, dtype=bool),)),
    "seating_rounds": (seating_rounds, {}, lambda s, n: (_u(s, n + 2, n + 3) < 0.2,)),
    "trench_map": (trench_map, {}, lambda s, n: (_trench_algo(s), _board(s, n, n + 1, p=0.5))),
    "dumbo_octopus": (dumbo_octopus, {}, lambda s, n: (_i(10, n + 1, n + 2, seed=s),)),
    "rule90_packbits": (rule_ca_packbits, {}, lambda s, n: (_board(s, 3 * n, dtype=np.uint8),)),
}

FRACTALS = {
    "mandelbrot_divtime": (mandelbrot_divtime, {}, lambda s, n: (
        np.linspace(-2.1, 0.6, 2 * n) + 0.01 * s, np.linspace(-1.2, 1.2, n + 1))),
    "mandelbrot_masked": (mandelbrot_masked, {}, lambda s, n: (_complex_grid(s, n),)),
    "mandelbrot_rgb": (mandelbrot_rgb, {}, lambda s, n: (
        _complex_grid(s, n), _i(256, 5, 3, seed=s).astype(np.uint8))),
    "julia_smooth": (julia_smooth, {}, lambda s, n: (_complex_grid(s, n) * 0.8 + 0.6,)),
    "burning_ship": (burning_ship, {}, lambda s, n: tuple(
        np.meshgrid(np.linspace(-2.0, 1.0, n + 2) + 0.01 * s, np.linspace(-2.0, 0.5, n)))),
    "newton_fractal": (newton_fractal, {}, lambda s, n: (_complex_grid(s, n) + 0.37,)),
    "sierpinski_bitand": (sierpinski_bitand, {}, lambda s, n: (_f(2 * n, 2 * n + 1, seed=s),)),
    "sierpinski_carpet": (sierpinski_carpet, {}, lambda s, n: (_f(3 * n, 3 * n, seed=s),)),
    "barnsley_fern": (barnsley_fern, {}, lambda s, n: (_u(s, 5 * n),)),
    "chaos_game": (chaos_game, {}, lambda s, n: (_i(3, 4 * n, seed=s), _u(s, 2))),
    "chaos_game_vectorized": (chaos_game_vectorized, {}, lambda s, n: (
        _u(s, n, 2), _i(3, 8, n, seed=s))),
    "koch_curve": (koch_curve, {}, lambda s, n: (
        np.exp(2j * np.pi * np.arange(n) / (n - 1)) * (1 + 0.1 * s),)),
    "logistic_orbits": (logistic_orbits, {}, lambda s, n: (2.6 + 0.8 * _u(s, 3 * n),)),
    "mandelbrot_ufunc_out": (mandelbrot_ufunc_out, {}, lambda s, n: (_complex_grid(s, n),)),
    "mandelbrot_masked_complex64": (mandelbrot_masked, {}, lambda s, n: (
        _complex_grid(s, n).astype(np.complex64),)),
    "buddhabrot": (buddhabrot, {}, lambda s, n: (_complex_grid(s, n) * 1.1,)),
}

PHYSICS = {
    "nbody_leapfrog": (nbody_leapfrog, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 3, seed=s + 1) * 0.1, _u(s, n, 1) + 0.5)),
    "nbody_energy": (nbody_energy, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 3, seed=s + 1), _u(s, n) + 0.5)),
    "boids_step": (boids_step, {}, lambda s, n: (_f(2 * n, 2, seed=s), _f(2 * n, 2, seed=s + 1))),
    "boids_rougier": (boids_rougier, {}, lambda s, n: (
        _f(2 * n, 2, seed=s), _f(2 * n, 2, seed=s + 1))),
    "particles_bounce": (particles_bounce, {}, lambda s, n: (_u(s, n, 2), _f(n, 2, seed=s) * 2)),
    "particles_reflect": (particles_reflect, {}, lambda s, n: (
        _u(s, n, 2), _f(n, 2, seed=s) * 2, np.zeros(2), np.array([1.0, 2.0]))),
    "spring_chain": (spring_chain, {}, lambda s, n: (
        np.arange(n, dtype=float) * 1.1 + 0.1 * _f(n, seed=s), np.zeros(n))),
    "cloth_step": (cloth_step, {}, lambda s, n: (
        np.dstack([*np.meshgrid(np.arange(n) * 0.5, np.arange(n + 1) * 0.5), np.zeros((n + 1, n))])
        + 0.01 * _f(n + 1, n, 3, seed=s), np.zeros((n + 1, n, 3)))),
    "rope_constraints": (rope_constraints, {}, lambda s, n: (
        np.cumsum(_f(n, 2, seed=s) * 0.3, axis=0), np.zeros(2))),
    "heat_1d_periodic": (heat_1d_periodic, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "wave_2d": (wave_2d, {}, lambda s, n: (_f(n + 2, n + 3, seed=s), _f(n + 2, n + 3, seed=s + 1))),
    "gray_scott_views": (gray_scott_views, {}, lambda s, n: (
        1 - 0.2 * _u(s, n + 2, n + 2), 0.25 * _u(s + 1, n + 2, n + 2))),
    "gray_scott_sims": (gray_scott_sims, {}, lambda s, n: (
        1 - 0.2 * _u(s, n + 2, n + 1), 0.25 * _u(s + 1, n + 2, n + 1))),
    "stam_dens_step": (stam_dens_step, {}, lambda s, n: (
        _u(s, n + 2, n + 2), _u(s + 1, n + 2, n + 2), _f(n + 2, n + 2, seed=s),
        _f(n + 2, n + 2, seed=s + 1))),
    "stam_vel_step": (stam_vel_step, {}, lambda s, n: (
        _f(n + 2, n + 2, seed=s), _f(n + 2, n + 2, seed=s + 1), _f(n + 2, n + 2, seed=s + 2),
        _f(n + 2, n + 2, seed=s + 3))),
    "lbm_cylinder": (lbm_cylinder, {}, lambda s, n: (1 + 0.01 * _u(s, n + 2, 2 * n, 9),)),
    "lbm_obstacle_arg": (lbm_obstacle_arg, {}, lambda s, n: (
        1 + 0.01 * _u(s, n + 2, 2 * n, 9), _u(s + 1, n + 2, 2 * n) < 0.2)),
    "ising_checkerboard": (ising_checkerboard, {}, lambda s, n: (
        2 * _board(s, n, n + 2, p=0.5) - 1, _u(s, 3, 2, n, n + 2))),
    "schelling_step": (schelling_step, {}, lambda s, n: (
        _i(3, n + 2, n + 2, seed=s), _u(s, n + 2, n + 2))),
    "sir_grid": (sir_grid, {}, lambda s, n: (
        _i(2, n + 2, n + 1, seed=s) * (_u(s, n + 2, n + 1) < 0.2), _u(s, 4, 2, n + 2, n + 1))),
    "lorenz_euler": (lorenz_euler, {}, lambda s, n: (
        np.array([1.0, 1.0, 1.0]) + 0.1 * _f(3, seed=s),)),
    "projectile_drag": (projectile_drag, {}, lambda s, n: (10 + _u(s, n), 0.3 + _u(s + 1, n))),
    "heat_convolve": (heat_convolve, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "wave_gradient": (wave_gradient, {}, lambda s, n: (_f(3 * n, seed=s), np.zeros(3 * n))),
    "particle_density": (particle_density, {}, lambda s, n: (_u(s, 10 * n), _u(s + 1, 10 * n))),
    "trail_buffer": (trail_buffer, {}, lambda s, n: (_f(n, 2, seed=s), _f(2, seed=s + 1))),
    "spatial_hash_counts": (spatial_hash_counts, {}, lambda s, n: (_u(s, 5 * n, 2),)),
    "particles_periodic": (particles_periodic, {}, lambda s, n: (
        np.r_[-1e-17, -0.0, 1.0, _u(s, n - 3)][:, None] * [1, 1],
        np.r_[0.0, 0.0, 0.0, _f(n - 3, seed=s)][:, None] * [1, -1])),
    "diffuse_numpy_scalar_f32": (diffuse_numpy_scalar, {}, lambda s, n: (
        _f(4 * n, seed=s).astype(np.float32),)),
    "gray_scott_views_f32": (gray_scott_views, {}, lambda s, n: (
        (1 - 0.2 * _u(s, n + 2, n + 2)).astype(np.float32),
        (0.25 * _u(s + 1, n + 2, n + 2)).astype(np.float32))),
    "balls_collide_pairs": (balls_collide_pairs, {}, lambda s, n: (
        2 * _u(s, min(n, 8), 2), _f(min(n, 8), 2, seed=s))),
    "starfield": (starfield, {}, lambda s, n: (
        np.c_[_f(5 * n, 2, seed=s), 1 + 7 * _u(s, 5 * n)],)),
    "fireworks": (fireworks, {}, lambda s, n: (
        np.ones((3 * n, 2)), _f(3 * n, 2, seed=s), _i(5, 3 * n, seed=s))),
}

GRAPHICS = {
    "ray_sphere_render": (ray_sphere_render, {}, lambda s, n: (
        np.zeros((n + 2, n + 4, 3)), np.array([0.0, 0.0, 2.0]) + 0.1 * _f(3, seed=s),
        0.8 + 0.1 * s, np.array([2.0, 3.0, -2.0]))),
    "ray_spheres_nearest": (ray_spheres_nearest, {}, lambda s, n: (
        np.zeros(3), (lambda D: D / np.linalg.norm(D, axis=1, keepdims=True))(
            np.c_[0.4 * _f(4 * n, 2, seed=s), np.ones(4 * n)]),
        np.array([[0.0, 0.0, 3.0], [0.5, 0.2, 4.0], [-0.5, -0.3, 5.0]]) + 0.1 * _f(3, 3, seed=s),
        np.array([0.6, 0.8, 1.0]))),
    "phong_heightmap": (phong_heightmap, {}, lambda s, n: (_f(n + 1, n + 2, seed=s),)),
    "perlin_perm": (perlin_perm, {}, lambda s, n: tuple(
        np.meshgrid(np.linspace(0, 5, n + 3), np.linspace(0, 4, n + 1))) + (_perm512(s),)),
    "perlin_gradient_grid": (perlin_gradient_grid, {}, lambda s, n: (
        2 * np.pi * _u(s, n // 2 + 1, 3),)),
    "value_noise_fbm": (value_noise_fbm, {}, lambda s, n: (
        _u(s, 8, 8), np.linspace(0, 3, n + 2), np.linspace(0, 2, n))),
    "diamond_square": (diamond_square, {}, lambda s, n: (
        _f(4, seed=s), _f(min(n // 2, 5), 2 ** min(n // 2, 5) + 1, 2 ** min(n // 2, 5) + 1,
                          seed=s + 1))),
    "floyd_steinberg": (floyd_steinberg, {}, lambda s, n: (_u(s, n, 4),)),
    "bayer_dither": (bayer_dither, {}, lambda s, n: (_u(s, n + 1, n + 3),)),
    "quantize_palette": (quantize_palette, {}, lambda s, n: (
        _i(256, n, n + 1, 3, seed=s).astype(np.uint8), _i(256, 5, 3, seed=s + 1).astype(np.uint8))),
    "equalize_hist_lut": (equalize_hist_lut, {}, lambda s, n: (
        (_i(120, n + 2, n + 3, seed=s) + 40).astype(np.uint8),)),
    "seam_cumulative": (seam_cumulative, {}, lambda s, n: (_u(s, n + 1, n + 3),)),
    "seam_backtrack": (seam_backtrack, {}, lambda s, n: (_u(s, n + 1, n + 3),)),
    "seam_backtrack_padded": (seam_backtrack_padded, {}, lambda s, n: (_u(s, n + 1, n + 3),)),
    "seam_remove": (seam_remove, {}, lambda s, n: (_u(s, n + 1, n + 3), _i(n + 3, n + 1, seed=s))),
    "rotate_nearest": (rotate_nearest, {}, lambda s, n: (_u(s, n + 1, n + 3), 0.3 * s + 0.1)),
    "rotate90_scatter": (rotate90_scatter, {}, lambda s, n: (_u(s, n + 1, n + 3, 3),)),
    "alpha_over": (alpha_over, {}, lambda s, n: (_u(s, n, n + 1, 4), _u(s + 1, n, n + 1, 4))),
    "alpha_blend_uint8": (alpha_blend_uint8, {}, lambda s, n: (
        _i(256, n, n + 1, 3, seed=s).astype(np.uint8),
        _i(256, n, n + 1, 3, seed=s + 1).astype(np.uint8),
        _i(256, n, n + 1, seed=s + 2).astype(np.uint8))),
    "linear_downscale_srgb": (linear_downscale_srgb, {}, lambda s, n: (
        _i(256, n + 1, n + 2, 3, seed=s).astype(np.uint8),)),
    "draw_circle": (draw_circle, {}, lambda s, n: (
        np.zeros((n + 2, n + 3)), 1.5 + _u(s, 1)[0] * n, 1.2 + _u(s + 1, 1)[0] * n, 0.4 * n)),
    "draw_disc_antialiased": (draw_disc_antialiased, {}, lambda s, n: (
        _u(s, n + 2, n + 3, 3), n * _u(s + 1, 2), 0.3 * n + 0.5, np.array([1.0, 0.5, 0.0]))),
    "draw_line": (draw_line, {}, lambda s, n: (
        np.zeros((n + 1, n + 2)), *(_u(s, 4) * [n + 1, n, n + 1, n]))),
    "sphere_trace": (sphere_trace, {}, lambda s, n: (
        np.zeros(3), (lambda D: D / np.linalg.norm(D, axis=1, keepdims=True))(
            np.c_[0.5 * _f(4 * n, 2, seed=s), np.ones(4 * n)]),
        np.array([0.1, 0.0, 3.0]) * s, 1.0)),
    "sprite_centroid": (sprite_centroid, {}, lambda s, n: (_u(s, n + 1, n + 2),)),
    "scroll_background": (scroll_background, {}, lambda s, n: (_f(n, n + 2, seed=s), s + 1)),
    "xor_texture": (xor_texture, {}, lambda s, n: (
        _i(256, 4 * n, 4 * n + 1, seed=s).astype(np.uint8), 5 * n + s)),
    "plasma": (plasma, {}, lambda s, n: (
        np.zeros((n + 1, n + 3)), 0.3 * s, _i(256, 256, 3, seed=s).astype(np.uint8))),
    "domain_colouring": (domain_colouring, {}, lambda s, n: (_complex_grid(s, n) * 1.3 + 0.07,)),
    "brightness_uint8": (brightness_uint8, {}, lambda s, n: (
        _i(256, n, n + 1, seed=s).astype(np.uint8), 100 + s)),
    "blit_sprite": (blit_sprite, {}, lambda s, n: (
        _u(s, n + 4, n + 5, 3), _u(s + 1, 3, 2, 3), _u(s + 2, 3, 2) < 0.6, np.array([s, n - s]))),
    "raycast_dda": (raycast_dda, {}, lambda s, n: (
        np.pad(_u(s, n, n + 1) < 0.15, 1, constant_values=True).astype(int), n / 2 + 0.3,
        n / 2 - 0.1 * s, np.linspace(0, 2 * np.pi, 3 * n, endpoint=False))),
    "flow_field": (flow_field, {}, lambda s, n: (
        _u(s, n + 2, n + 3) < 0.2, np.arange((n + 2) * (n + 3)).reshape(n + 2, n + 3) == 3 * s)),
}

PUZZLES = {
    "euler_small": (euler_small, {}, lambda s, n: (np.arange(s, 10 * n + s),)),
    "euler2_even_fib": (euler2_even_fib, {}, lambda s, n: (4_000_000 * s + n,)),
    "euler4_palindromes": (euler4_palindromes, {}, lambda s, n: (
        np.arange(max(10, 100 - 12 * n), 100) - (s % 2),)),
    "sieve_static": (sieve_static, {"limit": 100}, lambda s, n: ()),
    "sieve_with_if": (sieve_with_if, {"limit": 120}, lambda s, n: ()),
    "prime_lookup": (prime_lookup, {}, lambda s, n: (_i(200, 5 * n, seed=s),)),
    "totient_sieve": (totient_sieve, {}, lambda s, n: (_i(61, 3 * n, seed=s),)),
    "collatz_steps": (collatz_steps, {}, lambda s, n: (np.arange(1, 30 * n + 1) + s,)),
    "magic_check": (magic_check, {}, lambda s, n: (_magic_batch(s, n),)),
    "magic_array_equal": (magic_array_equal, {}, lambda s, n: (_magic_batch(s, n)[s % 2],)),
    "sudoku_candidates": (sudoku_candidates, {}, lambda s, n: (_sudoku(s, 0.1 * n),)),
    "sudoku_naked_singles": (sudoku_naked_singles, {}, lambda s, n: (_sudoku(s, 0.1 * n),)),
    "sudoku_valid": (sudoku_valid, {}, lambda s, n: (_sudoku(s, 0.0 if s != 2 else 0.05),)),
    "move_left_2048": (move_left_2048, {}, lambda s, n: (_tiles(s, n, 4),)),
    "move_2048_up": (move_2048, {"direction": 1}, lambda s, n: (_tiles(s, 4, n),)),
    "ttt_winner": (ttt_winner, {}, lambda s, n: (_i(3, 3 * n, 3, 3, seed=s) - 1,)),
    "connect4_wins": (connect4_wins, {}, lambda s, n: (_i(3, n + 2, n + 3, seed=s),)),
    "minesweeper_counts": (minesweeper_counts, {}, lambda s, n: (_u(s, n + 1, n + 2) < 0.2,)),
    "minesweeper_reveal": (minesweeper_reveal, {}, lambda s, n: (
        _u(s, n + 1, n + 2) < 0.1, _u(s + 1, n + 1, n + 2) < 0.05)),
    "tetris_clear_lines": (tetris_clear_lines, {}, lambda s, n: (_tetris(s, n),)),
    "nim_winning": (nim_winning, {}, lambda s, n: (_i(8, 2 * n, 3, seed=s),)),
    "queens_conflicts": (queens_conflicts, {}, lambda s, n: (
        np.array([np.random.default_rng(s + k).permutation(n + 2) for k in range(5)]),)),
    "knight_distances": (knight_distances, {}, lambda s, n: (
        np.arange((n + 2) * (n + 3)).reshape(n + 2, n + 3) == s,)),
    "kaprekar": (kaprekar, {}, lambda s, n: (
        np.array([x for x in range(1000 + 37 * s, 9999, 97) if len(set(str(x))) > 1][:5 * n]),)),
    "happy_numbers": (happy_numbers, {}, lambda s, n: (np.arange(1, 10 * n + 1) + 3 * s,)),
    "factorial_digits": (factorial_digits, {}, lambda s, n: (
        np.r_[s, np.zeros(8 + n, dtype=int)],)),
    "random_walk_stats": (random_walk_stats, {}, lambda s, n: (2 * _i(2, n, 12, seed=s) - 1,)),
    "lattice_walk_2d": (lattice_walk_2d, {}, lambda s, n: (_i(4, 5 * n, seed=s),)),
    "mc_pi": (mc_pi, {}, lambda s, n: (_u(s, 10 * n, 2),)),
    "buffon_needle": (buffon_needle, {}, lambda s, n: (
        5 * _u(s, 10 * n), np.pi * _u(s + 1, 10 * n))),
    "birthday_sim": (birthday_sim, {}, lambda s, n: (_i(365, 10 * n, 23, seed=s),)),
    "monty_hall": (monty_hall, {}, lambda s, n: (
        _i(3, 10 * n, seed=s), _i(3, 10 * n, seed=s + 1), _u(s, 10 * n))),
    "dice_sums": (dice_sums, {}, lambda s, n: (_i(6, 10 * n, 3, seed=s) + 1,)),
    "collatz_bits": (collatz_bits, {}, lambda s, n: (np.arange(1, 30 * n + 1) + s,)),
    "lanternfish": (lanternfish, {}, lambda s, n: (_i(5, 5 * n, seed=s) + 1,)),
    "low_point_risk": (low_point_risk, {}, lambda s, n: (_i(10, n + 2, n + 3, seed=s),)),
    "crab_median": (crab_median, {}, lambda s, n: (_i(30, 5 * n, seed=s),)),
    "bingo_first_win": (bingo_first_win, {}, lambda s, n: _bingo(s, n)),
    "bingo_isin": (bingo_isin, {}, lambda s, n: _bingo(s, n)),
    "poker_rank": (poker_rank, {}, lambda s, n: (_hands(s, 10 * n),)),
    "yahtzee_scores": (yahtzee_scores, {}, lambda s, n: (_i(6, 10 * n, 5, seed=s) + 1,)),
    "blackjack_dealer": (blackjack_dealer, {}, lambda s, n: (
        np.minimum(_i(13, 10 * n, 6, seed=s) + 1, 10),)),
    "zobrist_hash": (zobrist_hash, {}, lambda s, n: (
        _i(3, 2 * n, 3, 3, seed=s), _i(2 ** 62, 9, 3, seed=7).astype(np.uint64))),
    "connect4_bitboard": (connect4_bitboard, {}, lambda s, n: (
        _i(2 ** 62, 5 * n, seed=s).astype(np.uint64)
        & _i(2 ** 62, 5 * n, seed=s + 1).astype(np.uint64),)),
    "leaderboard": (leaderboard, {}, lambda s, n: (
        _i(5, 3 * n, seed=s), _f(3 * n, seed=s), np.arange(3 * n) + 100)),
    "tetris_place": (tetris_place, {}, lambda s, n: (
        _u(s, n + 4, 8) < 0.15, np.array([[1, 1, 1], [0, 1, 0]], dtype=bool),
        np.array([s, (n - s) % 5]))),
    "snake_step": (snake_step, {}, lambda s, n: (
        np.c_[np.arange(n, 0, -1), np.full(n, 3)], np.array([1, 0]) * (2 * (s % 2) - 1) + [0, 0],
        np.array([n + 1, 3]))),
    "pong_step": (pong_step, {}, lambda s, n: (
        np.array([8.0, 5.0]) + _f(2, seed=s), np.array([3.0, 1.5]) * (s - 1.5), _u(s, 2) * 8 + 1)),
}


@pytest.mark.parametrize("name", list(AUTOMATA))
def test_cellular_automata_match_numpy(name):
    check_like_numpy(*AUTOMATA[name])


@pytest.mark.parametrize("name", list(FRACTALS))
def test_fractals_match_numpy(name):
    check_like_numpy(*FRACTALS[name])


@pytest.mark.parametrize("name", list(PHYSICS))
def test_physics_toys_match_numpy(name):
    check_like_numpy(*PHYSICS[name])


@pytest.mark.parametrize("name", list(GRAPHICS))
def test_graphics_match_numpy(name):
    check_like_numpy(*GRAPHICS[name])


@pytest.mark.parametrize("name", list(PUZZLES))
def test_puzzles_match_numpy(name):
    check_like_numpy(*PUZZLES[name])


# ------------------------------------------------------------------ draws from a generator


def forest_fire_rng(F, rng, p=0.3, f=0.05, steps=3):
    for _ in range(steps):
        R = rng.random(F.shape)
        F = forest_fire(F, R[None], p, f)
    return F


def ising_sweeps_rng(S, rng, beta=0.44, sweeps=2):
    return ising_checkerboard(S, rng.random((sweeps, 2) + S.shape), beta)


def random_walkers_rng(x0, rng, T=20):
    steps = rng.choice([-1, 1], size=(len(x0), T))
    return x0[:, None] + np.cumsum(steps, axis=1)


def birthday_rng(template, rng, people=23):
    days = rng.integers(0, 365, size=(len(template), people))
    return birthday_sim(days)


def chaos_game_rng(P, rng, steps=6):
    V = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])
    for _ in range(steps):
        P = 0.5 * (P + V[rng.integers(0, 3, size=len(P))])
    return P


def mc_pi_rng(template, rng):
    xy = rng.uniform(-1, 1, size=(len(template), 2))
    return 4 * np.mean(np.hypot(xy[:, 0], xy[:, 1]) <= 1)


def fern_choice_rng(template, rng):
    ks = rng.choice(4, size=len(template), p=[0.01, 0.85, 0.07, 0.07])
    A = np.array([[[0, 0], [0, 0.16]], [[0.85, 0.04], [-0.04, 0.85]],
                  [[0.2, -0.26], [0.23, 0.22]], [[-0.15, 0.28], [0.26, 0.24]]])
    b = np.array([[0, 0], [0, 1.6], [0, 1.6], [0, 0.44]])
    p = np.zeros(2)
    pts = np.zeros((len(ks), 2))
    for i, k in enumerate(ks):
        p = A[k] @ p + b[k]
        pts[i] = p
    return pts


def perlin_rng(x, y, rng):
    p = rng.permutation(256)
    return perlin_perm(x, y, np.concatenate([p, p]))


def deal_poker_rng(template, rng):
    deck = np.arange(52)
    rng.shuffle(deck)
    hands = deck[:5 * (len(template) // 5)].reshape(-1, 5)
    per_row = rng.permuted(np.tile(np.arange(52), (len(template), 1)), axis=1)[:, :5]
    return poker_rank(hands), poker_rank(per_row)


def mc_pi_float32_rng(template, rng):
    xy = rng.random((len(template), 2), dtype=np.float32)
    inside = np.sum(xy * xy, axis=1) <= 1
    return 4 * inside.mean(), xy


def sandpile_drop_rng(h, rng, grains=6, steps=4):
    h = h.copy()
    ys = rng.integers(0, h.shape[0], grains)
    xs = rng.integers(0, h.shape[1], grains)
    np.add.at(h, (ys, xs), 1)
    return sandpile_where(h, steps)


DRAWS = {
    "forest_fire_rng": (forest_fire_rng, {}, lambda s, n: (_i(3, n + 2, n + 2, seed=s),)),
    "ising_sweeps_rng": (ising_sweeps_rng, {}, lambda s, n: (2 * _board(s, n, n, p=0.5) - 1,)),
    "random_walkers_rng": (random_walkers_rng, {}, lambda s, n: (_i(5, n, seed=s),)),
    "birthday_rng": (birthday_rng, {}, lambda s, n: (np.zeros(10 * n),)),
    "chaos_game_rng": (chaos_game_rng, {}, lambda s, n: (_u(s, n, 2),)),
    "mc_pi_rng": (mc_pi_rng, {}, lambda s, n: (np.zeros(10 * n),)),
    "fern_choice_rng": (fern_choice_rng, {}, lambda s, n: (np.zeros(5 * n),)),
    "perlin_rng": (perlin_rng, {}, lambda s, n: tuple(
        np.meshgrid(np.linspace(0, 5, n + 3), np.linspace(0, 4, n + 1)))),
    "deal_poker_rng": (deal_poker_rng, {}, lambda s, n: (np.zeros(5 * n),)),
    "mc_pi_float32_rng": (mc_pi_float32_rng, {}, lambda s, n: (np.zeros(10 * n),)),
    "sandpile_drop_rng": (sandpile_drop_rng, {}, lambda s, n: (_i(4, n + 1, n + 2, seed=s),)),
}


@pytest.mark.parametrize("name", list(DRAWS))
def test_simulations_drawing_from_a_generator_argument(name):
    check_with_generator(*DRAWS[name])


# ------------------------------------------------------------------------------ refused forms


def mandelbrot_pixel_while(c, maxiter=20):
    h, w = c.shape
    out = np.zeros((h, w), dtype=int)
    for i in range(h):
        for j in range(w):
            z, k = 0j, 0
            while abs(z) <= 2 and k < maxiter:
                z = z * z + c[i, j]
                k += 1
            out[i, j] = k
    return out


def collatz_while(a):
    out = np.zeros_like(a)
    for idx in range(len(a)):
        x, k = a[idx], 0
        while x != 1:
            x = x // 2 if x % 2 == 0 else 3 * x + 1
            k += 1
        out[idx] = k
    return out


def ttt_first_winner(boards):
    for b in boards:
        if (np.abs(b.sum(0)) == 3).any() or (np.abs(b.sum(1)) == 3).any():
            return b
    return None


def boids_limit_loop(vel, max_speed=1.0):
    vel = vel.copy()
    for i in range(len(vel)):
        s = np.linalg.norm(vel[i])
        if s > max_speed:
            vel[i] = vel[i] / s * max_speed
    return vel


def bucket_fill(img, seed_y=0, seed_x=0, new=9):
    img = img.copy()
    old = img[seed_y, seed_x]
    stack = [(seed_y, seed_x)]
    while stack:
        y, x = stack.pop()
        if 0 <= y < img.shape[0] and 0 <= x < img.shape[1] and img[y, x] == old:
            img[y, x] = new
            stack += [(y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)]
    return img


def equalize_hist_ma(img):
    hist, _ = np.histogram(img.flatten(), 256, [0, 256])
    cdf = hist.cumsum()
    cdf_m = np.ma.masked_equal(cdf, 0)
    cdf_m = (cdf_m - cdf_m.min()) * 255 / (cdf_m.max() - cdf_m.min())
    cdf = np.ma.filled(cdf_m, 0).astype("uint8")
    return cdf[img]


def move_left_nonzero(board):
    out = np.zeros_like(board)
    for i in range(board.shape[0]):
        tiles = board[i][np.nonzero(board[i])]
        out[i, :len(tiles)] = tiles
    return out


def seam_remove_mask(img, seam):
    h, w = img.shape
    mask = np.ones((h, w), dtype=bool)
    mask[np.arange(h), seam] = False
    return img[mask].reshape(h, w - 1)


def primes_among(values):
    sieve = np.ones(200, dtype=bool)
    sieve[:2] = False
    for i in range(2, 15):
        sieve[i * i::i] = False
    return values[sieve[values]]


def live_cells(Z):
    return np.argwhere(Z == 1)


def tile_values(board):
    return np.unique(board[board > 0])


def mandelbrot_shrinking(C, maxiter=10, horizon=2.0):
    h, w = C.shape
    Xi, Yi = np.mgrid[0:h, 0:w]
    N_ = np.zeros(C.shape, dtype=np.uint32)
    Z_ = np.zeros(C.shape, dtype=np.complex128)
    Xi, Yi, C = Xi.ravel(), Yi.ravel(), C.ravel()
    Z = np.zeros(C.shape, np.complex128)
    for i in range(maxiter):
        if not len(Z):
            break
        np.multiply(Z, Z, Z)
        np.add(Z, C, Z)
        I = np.abs(Z) > horizon
        N_[Xi[I], Yi[I]] = i + 1
        Z_[Xi[I], Yi[I]] = Z[I]
        np.logical_not(I, I)
        Z = Z[I]
        Xi, Yi = Xi[I], Yi[I]
        C = C[I]
    return Z_, N_


def sudoku_backtrack(grid):
    grid = grid.copy()

    def ok(r, c, d):
        br, bc = 3 * (r // 3), 3 * (c // 3)
        return not ((grid[r] == d).any() or (grid[:, c] == d).any()
                    or (grid[br:br + 3, bc:bc + 3] == d).any())

    def solve():
        for r in range(9):
            for c in range(9):
                if grid[r, c] == 0:
                    for d in range(1, 10):
                        if ok(r, c, d):
                            grid[r, c] = d
                            if solve():
                                return True
                            grid[r, c] = 0
                    return False
        return True

    solve()
    return grid


def blackjack_dealer_while(cards):
    out = np.zeros(len(cards), dtype=int)
    for i, hand in enumerate(cards):
        total, k = hand[0] + hand[1], 2
        while total < 17:
            total += hand[k]
            k += 1
        out[i] = total
    return out


def crab_bruteforce(pos):
    targets = np.arange(pos.max() + 1)
    return np.abs(pos[:, None] - targets).sum(0).min()


def spawn_tile_rng(board, rng):
    board = board.copy()
    empty = np.argwhere(board == 0)
    y, x = empty[rng.integers(len(empty))]
    board[y, x] = 2 if rng.random() < 0.9 else 4
    return board


REFUSED = {
    "mandelbrot_pixel_while": (tracenp.ConcretizationError, mandelbrot_pixel_while,
                               lambda s: (_complex_grid(s, 2),)),
    "collatz_while": (tracenp.ConcretizationError, collatz_while,
                      lambda s: (np.arange(1, 8) + s,)),
    "ttt_first_winner": (tracenp.ConcretizationError, ttt_first_winner,
                         lambda s: (_i(3, 4, 3, 3, seed=s) - 1,)),
    "boids_limit_loop": (tracenp.ConcretizationError, boids_limit_loop,
                         lambda s: (_f(5, 2, seed=s),)),
    "bucket_fill": (tracenp.ConcretizationError, bucket_fill,
                    lambda s: (_i(2, 4, 5, seed=s),)),
    "sudoku_backtrack": (tracenp.ConcretizationError, sudoku_backtrack,
                         lambda s: (_sudoku(s, 0.3),)),
    "blackjack_dealer_while": (tracenp.ConcretizationError, blackjack_dealer_while,
                               lambda s: (np.minimum(_i(13, 4, 8, seed=s) + 1, 10),)),
    "ascii_art": (tracenp.ConcretizationError, ascii_art, lambda s: (_u(s, 3, 4),)),
}

DATA_DEPENDENT = {
    "move_left_nonzero": (move_left_nonzero, lambda s: (_tiles(s, 4, 4),)),
    "seam_remove_mask": (seam_remove_mask, lambda s: (_u(s, 4, 6), _i(6, 4, seed=s))),
    "primes_among": (primes_among, lambda s: (_i(200, 20, seed=s),)),
    "live_cells": (live_cells, lambda s: (_board(s, 5, 6),)),
    "tile_values": (tile_values, lambda s: (_tiles(s, 4, 4),)),
    "mandelbrot_shrinking": (mandelbrot_shrinking, lambda s: (_complex_grid(s, 2),)),
    "crab_bruteforce": (crab_bruteforce, lambda s: (_i(30, 12, seed=s),)),
    "spawn_tile_rng": (spawn_tile_rng, lambda s: (_tiles(s, 4, 4), np.random.default_rng(s))),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_python_branches_on_cell_values_are_refused(name):
    """A pixel's escape `while abs(z) <= 2`, Collatz `while x != 1`, returning the first won
    board by `if`, boids' speed limit by `if s > max_speed`, a flood fill's stack, a
    backtracking sudoku solver and a blackjack
    dealer's `while total < 17`, and a string array made in the function indexed by traced
    indices (`chars[idx]`: a string array stays NumPy's, whose indexing cannot take a traced
    value; passed as an argument it traces): `ConcretizationError`, and NumPy's values under
    `fallback=True`."""
    check_refused(*REFUSED[name])


@pytest.mark.parametrize("name", list(DATA_DEPENDENT))
def test_results_sized_by_the_board_are_refused(name):
    """A 2048 row compressed by `np.nonzero`, a seam removed by a boolean mask and reshaped,
    the primes among values, live cells by `np.argwhere`, the distinct tiles by `np.unique`,
    a Mandelbrot set that drops escaped points (`Z = Z[I]` on an `np.mgrid` grid, then
    `len(Z)`), crab fuel over `np.arange(pos.max() + 1)` and a 2048 tile spawned at
    `rng.integers(len(empty))`: their length is a count of the data
    (`DataDependentShapeError`), and NumPy's values under `fallback=True`."""
    check_refused(tracenp.errors.DataDependentShapeError, *DATA_DEPENDENT[name])
