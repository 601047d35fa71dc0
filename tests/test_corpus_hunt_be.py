"""Corpus, hunt BE: game development, physics engines and procedural generation as pygame and
arcade tutorials, "physics from scratch" blog posts, Nature of Code ports and GitHub projects
write them in NumPy.

Particles (emitters with lifetimes, dead particles reset by boolean-mask writes of a tuple and
by `np.where` from a generator argument, integer frame counters, alpha fades into uint8,
firework bursts, gravity, quadratic drag, smoke with generator jitter, Nature of Code movers with
`limit`, attractors with a constrained distance, float32 particle buffers), Verlet
integration (position Verlet with a previous-position buffer, ropes and cloth relaxed in fixed
iterations by fancy indexing on edge lists and `np.add.at`, sequential Gauss-Seidel passes
over the edges, pinned points, cloth edge lists from `np.arange(...).reshape`), springs
(Hooke chains by `np.diff`, damped spring-mass lattices), collisions (circle overlaps by
broadcasting with `np.triu` and `np.fill_diagonal`, penetration resolution, AABB overlap
matrices and MTVs, elastic 2-D responses, wall bounces by masks on a column, ray-circle and
segment-circle tests, point in polygon, separating axes, spatial hashing by integer division
and `np.bincount`/`argsort`/`searchsorted`), boids (separation, alignment and cohesion by
neighbour masks, speed limits by norms, obstacles, per-boid loops, predators, seek and
arrive, wander, flow fields and path following), grids (DDA ray casting over columns, line of
sight by sampling, Dijkstra maps by shifted minima, tile lookups, minesweeper counts,
autotiling bitmasks), procedural generation
(diamond-square and midpoint displacement from a seeded generator argument, Perlin noise with a
permutation table from `np.random.seed` and from a generator, pvigier-style gradient noise,
value noise, simplex skewing, Worley noise, fBm and ridged octaves, cellular-automaton caves by
`np.roll`, padding and `scipy.signal.convolve2d`, drunkard's walks, Game of Life variants,
jittered-grid and dart-throwing sampling, island masks, biomes by `np.digitize` and tables,
thermal erosion, hillshading by `np.gradient`, Lloyd relaxation), transforms (rotation and
homogeneous matrices, batched rotations by `einsum`, cameras and viewport culling,
perspective projection with near-plane masks, look-at matrices, isometric and hex grids with
cube rounding, quaternions, screen shake), easing functions, Bezier curves (de Casteljau,
Bernstein by `scipy.special.comb`, matrix form), Catmull-Rom splines and arc-length tables,
colour (gradients by `np.interp`, HSV to RGB, palettes, alpha blending, quantisation), and
spectral heightmaps by `np.fft`, Squirrel noise and xorshift in uint32 and an LCG in uint64,
pixel-mask collisions by `np.packbits`, negative tile coordinates wrapped by `%`, `//`,
`np.divmod` and `np.fmod`, score and state tables with integer dtypes (scores by `np.add.at`,
leaderboards by `np.lexsort`, Elo updates, int16 damage, crafting checks, XP levels by
`searchsorted`, loot by `rng.choice`, tic-tac-toe and connect-four wins, piece-square tables,
Tetris line clears and 2048 merges by stable argsorts), and game state held in a dict, a
dataclass and a `World` class made inside.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Step counts, grid exponents, octave counts, sample
counts, seeds and relaxation iterations given positionally are made static; the forms whose
Python or shapes depend on array values (Bridson's active list, `np.unique` spatial hashes,
collision pairs by `np.nonzero` in Python loops, a DDA `while not hit`, a boid's `if count >
0`, compacting the live particles, a BFS flood fill, A* with a heap, a game loop that breaks
when all are dead, 2048's list slides, Tetris's `vstack` of a selection, structured particle
arrays) raise a named error and run eagerly under `fallback=True`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.signal
import scipy.special
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _rng(seed):
    return np.random.default_rng(seed)


# ============================================================================ particles


def update_particles_inplace(pos, vel, life, dt, gravity=(0.0, -9.81), drag=0.02,
                             max_life=2.0, emitter=(0.0, 0.0)):
    # the pygame tutorial: everything in place, dead particles sent back to the emitter
    vel += np.array(gravity) * dt
    vel *= 1 - drag
    pos += vel * dt
    life -= dt
    dead = life <= 0
    pos[dead] = emitter
    vel[dead] = 0.0
    life[dead] = max_life
    return dead.sum()


def respawn_particles_where(pos, vel, age, lifetime, rng, dt=1 / 60):
    # fresh positions and velocities drawn for every slot, kept only where the particle died
    age = age + dt
    alive = age < lifetime
    n = len(pos)
    new_pos = rng.uniform(-1, 1, size=(n, 2))
    new_vel = rng.normal(0, 0.5, size=(n, 2)) + np.array([0, 3.0])
    pos = np.where(alive[:, None], pos + vel * dt, new_pos)
    vel = np.where(alive[:, None], vel + np.array([0, -9.8]) * dt, new_vel)
    age = np.where(alive, age, 0.0)
    return pos, vel, age


def particle_frames_int(frames_left, pos, vel, max_frames=60):
    # lifetimes counted in int32 frames, decremented and reset in place
    frames_left -= 1
    pos += vel
    expired = frames_left <= 0
    frames_left[expired] = max_frames
    pos[expired] = 0
    return frames_left, pos


def particle_colours_fade(age, lifetime, start_rgb, end_rgb):
    # colour lerp over life, alpha fading out, packed as RGBA uint8 for a surface blit
    t = np.clip(age / lifetime, 0.0, 1.0)[:, None]
    rgb = (1 - t) * start_rgb + t * end_rgb
    alpha = 255 * (1 - t) ** 2
    rgba = np.concatenate([rgb, alpha], axis=1)
    return rgba.astype(np.uint8)


def firework_burst(center, speed, n=24, gravity=9.81, t=0.8):
    # a ring of sparks: velocities from evenly spaced angles, a ballistic arc for each
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    vel = speed * np.column_stack((np.cos(angles), np.sin(angles)))
    pos = center + vel * t + 0.5 * np.array([0, -gravity]) * t ** 2
    return pos, vel + np.array([0, -gravity]) * t


def quadratic_drag_euler(pos, vel, mass, dt=0.01, steps=50, rho=1.2, cd=0.47, area=0.01):
    # F = -1/2 rho Cd A |v| v, explicit Euler, trajectory kept as a list of copies
    g = np.array([0.0, -9.81])
    traj = [pos.copy()]
    for _ in range(steps):
        speed = np.linalg.norm(vel, axis=1, keepdims=True)
        f_drag = -0.5 * rho * cd * area * speed * vel
        acc = g + f_drag / mass[:, None]
        vel = vel + acc * dt
        pos = pos + vel * dt
        traj.append(pos.copy())
    return np.array(traj)


def limit(v, max_mag):
    mag = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.where(mag > max_mag, v / mag * max_mag, v)


def nature_of_code_movers(location, velocity, mass, forces, top_speed=4.0, steps=10):
    # Mover.applyForce / update: acc = F / m, velocity limited, acceleration cleared
    acceleration = np.zeros_like(location)
    for _ in range(steps):
        for f in forces:
            acceleration += f / mass[:, None]
        velocity = velocity + acceleration
        velocity = limit(velocity, top_speed)
        location = location + velocity
        acceleration *= 0
    return location, velocity


def attractor_force(positions, masses, attractor, att_mass, G=1.0):
    # Nature of Code's Attractor: distance constrained to [5, 25], F = G m M / d^2
    force = attractor - positions
    distance = np.linalg.norm(force, axis=1)
    distance = np.clip(distance, 5.0, 25.0)
    force = force / np.linalg.norm(force, axis=1)[:, None]
    strength = G * att_mass * masses / distance ** 2
    return force * strength[:, None]


def particles_float32(pos, vel, dt, floor_y=0.0, restitution=0.6):
    # a float32 buffer (as uploaded to a vertex buffer): Python scalars keep it float32
    vel[:, 1] -= 9.81 * dt
    pos += vel * dt
    below = pos[:, 1] < floor_y
    pos[below, 1] = floor_y
    vel[below, 1] *= -restitution
    return pos, vel


def projectile_analytic(v0, angle_deg, h0=0.0, g=9.81):
    # range, apex and flight time for a batch of launch angles
    theta = np.radians(angle_deg)
    vx, vy = v0 * np.cos(theta), v0 * np.sin(theta)
    t_flight = (vy + np.sqrt(vy ** 2 + 2 * g * h0)) / g
    return {"range": vx * t_flight, "apex": h0 + vy ** 2 / (2 * g), "time": t_flight}


def projectile_sampled(v0, angle, g=9.81, n=40):
    # the trajectory sampled until landing, clamped to the ground after it lands
    t_land = 2 * v0 * np.sin(angle) / g
    t = np.linspace(0, 1.2, n)[:, None] * t_land
    x = v0 * np.cos(angle) * t
    y = v0 * np.sin(angle) * t - 0.5 * g * t ** 2
    landed = y < 0
    y = np.maximum(y, 0)
    return x, y, landed.argmax(axis=0)


def semi_implicit_vs_explicit(x0, v0, k, dt=0.05, steps=60):
    # the symplectic Euler post: energy of explicit Euler drifts, symplectic Euler's does not
    xe, ve = x0.copy(), v0.copy()
    xs, vs = x0.copy(), v0.copy()
    energy = np.zeros((steps, 2))
    for n in range(steps):
        xe, ve = xe + ve * dt, ve - k * xe * dt
        vs = vs - k * xs * dt
        xs = xs + vs * dt
        energy[n, 0] = 0.5 * (ve @ ve + k * xe @ xe)
        energy[n, 1] = 0.5 * (vs @ vs + k * xs @ xs)
    return energy


def smoke_particles_step(pos, vel, size, alpha, rng, dt=0.05):
    # smoke: rising, spreading, turbulent jitter from the generator, growing and fading
    vel = vel * 0.98 + np.array([0.0, 0.5]) * dt + rng.normal(0, 0.05, vel.shape)
    pos = pos + vel * dt
    size = size * 1.02
    alpha = np.maximum(alpha - 0.8 * dt, 0)
    return pos, vel, size, alpha, np.count_nonzero(alpha > 0)


PARTICLES = {
    "update_inplace_mask_tuple_reset": (update_particles_inplace, {"dt": 0.1}, lambda s, n: (
        _f(3 * n, 2, seed=s), _f(3 * n, 2, seed=s + 1), _u(s, 3 * n) * 0.5)),
    "respawn_where_generator": (respawn_particles_where, {}, lambda s, n: (
        _f(3 * n, 2, seed=s), _f(3 * n, 2, seed=s + 1), _u(s, 3 * n) * 2,
        np.full(3 * n, 1.5), _rng(s))),
    "frames_int32_counters": (particle_frames_int, {}, lambda s, n: (
        (_i(5, 3 * n, seed=s) + 1).astype(np.int32), _f(3 * n, 2, seed=s),
        _f(3 * n, 2, seed=s + 1))),
    "colour_fade_uint8": (particle_colours_fade, {}, lambda s, n: (
        _u(s, 4 * n) * 3, 2.5, np.array([255.0, 200.0, 50.0]), np.array([80.0, 80.0, 80.0]))),
    "firework_burst_ring": (firework_burst, {"n": 24}, lambda s, n: (
        _f(2, seed=s) * 100, 5.0 + n)),
    "quadratic_drag_trajectory": (quadratic_drag_euler, {"steps": 15}, lambda s, n: (
        np.zeros((n, 2)), np.abs(_f(n, 2, seed=s)) * 20, _u(s, n) + 0.1)),
    "nature_of_code_movers_limit": (nature_of_code_movers, {"steps": 4}, lambda s, n: (
        _f(n, 2, seed=s) * 100, _f(n, 2, seed=s + 1), _u(s, n) * 5 + 1,
        [np.array([0.0, 0.1]), np.array([0.05 * s, 0.0])])),
    "attractor_constrained_distance": (attractor_force, {}, lambda s, n: (
        _f(n, 2, seed=s) * 30, _u(s, n) + 1, np.array([3.0, -2.0]), 20.0)),
    "float32_floor_bounce": (particles_float32, {"dt": 0.05}, lambda s, n: (
        _f(3 * n, 2, seed=s).astype(np.float32), _f(3 * n, 2, seed=s + 1).astype(np.float32))),
    "projectile_analytic_dict": (projectile_analytic, {}, lambda s, n: (
        20.0 + s, np.linspace(10, 80, n), 1.5)),
    "projectile_sampled_landing": (projectile_sampled, {}, lambda s, n: (
        15.0 + s, np.linspace(0.2, 1.3, n))),
    "semi_implicit_vs_explicit_energy": (semi_implicit_vs_explicit, {"steps": 15}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s + 1), 2.0)),
    "smoke_step_generator_noise": (smoke_particles_step, {}, lambda s, n: (
        _f(3 * n, 2, seed=s), _f(3 * n, 2, seed=s + 1) * 0.1, _u(s, 3 * n) + 1,
        _u(s + 1, 3 * n) * 0.1, _rng(s))),
}


@pytest.mark.parametrize("name", _names(PARTICLES))
def test_particle_systems_match_numpy(name):
    """Emitters with lifetimes, dead particles reset by masks and `np.where`, integer frame
    counters, colour fades into uint8, bursts, drag, wind, Nature of Code movers and
    attractors, float32 buffers, projectiles and integrator comparisons."""
    check_like_numpy(*PARTICLES[name])


# ============================================================================ verlet and springs


def verlet_integrate(pos, prev, acc, dt=1 / 60, damping=0.99):
    # position Verlet: the velocity is implicit in the previous position
    vel = (pos - prev) * damping
    new = pos + vel + acc * dt * dt
    return new, pos.copy()


def rope_relax_add_at(pos, edges, rest, anchor, iterations=5):
    # Jakobsen's relaxation, all edges at once: corrections scattered by np.add.at
    pos = pos.copy()
    i, j = edges[:, 0], edges[:, 1]
    for _ in range(iterations):
        d = pos[j] - pos[i]
        dist = np.linalg.norm(d, axis=1)
        diff = (dist - rest) / dist
        corr = 0.5 * diff[:, None] * d
        np.add.at(pos, i, corr)
        np.add.at(pos, j, -corr)
        pos[0] = anchor
    return pos


def rope_gauss_seidel(points, rest_length, anchor, iterations=4):
    # the blog post's sequential pass: one segment at a time, Python loop over the chain
    for _ in range(iterations):
        points[0] = anchor
        for k in range(len(points) - 1):
            delta = points[k + 1] - points[k]
            d = np.sqrt(delta[0] ** 2 + delta[1] ** 2)
            diff = (d - rest_length) / d
            points[k] += delta * 0.5 * diff
            points[k + 1] -= delta * 0.5 * diff
    return points


def cloth_edges(rows, cols):
    idx = np.arange(rows * cols).reshape(rows, cols)
    horiz = np.stack([idx[:, :-1].ravel(), idx[:, 1:].ravel()], axis=1)
    vert = np.stack([idx[:-1, :].ravel(), idx[1:, :].ravel()], axis=1)
    return np.concatenate([horiz, vert])


def cloth_step(pos, prev, pinned, rows=4, cols=5, spacing=1.0, dt=0.1, iterations=3):
    # a cloth sheet: Verlet with gravity, then edge constraints, pinned points restored
    edges = cloth_edges(rows, cols)
    gravity = np.array([0.0, -9.8])
    new = 2 * pos - prev + gravity * dt ** 2
    prev = pos
    pin_pos = pos[pinned]
    for _ in range(iterations):
        a, b = edges.T
        delta = new[b] - new[a]
        length = np.sqrt((delta ** 2).sum(axis=1))
        offset = ((length - spacing) / length / 2)[:, None] * delta
        np.add.at(new, a, offset)
        np.subtract.at(new, b, offset)
        new[pinned] = pin_pos
    return new, prev


def cloth_tear(pos, edges, alive, rest, tear_factor=1.6):
    # edges stretched past the tear factor are cut: alive stays a mask, counts by bincount
    d = np.linalg.norm(pos[edges[:, 1]] - pos[edges[:, 0]], axis=1)
    alive = alive & (d < tear_factor * rest)
    degree = np.bincount(edges[:, 0], weights=alive, minlength=len(pos)) + \
        np.bincount(edges[:, 1], weights=alive, minlength=len(pos))
    return alive, degree


def hooke_chain_forces(pos, vel, k=50.0, rest=1.0, c=0.5):
    # a chain of springs: np.diff for the segments, forces added to both ends by slices
    seg = np.diff(pos, axis=0)
    length = np.linalg.norm(seg, axis=1, keepdims=True)
    unit = seg / length
    rel_v = np.diff(vel, axis=0)
    f = (k * (length - rest) + c * np.sum(rel_v * unit, axis=1, keepdims=True)) * unit
    forces = np.zeros_like(pos)
    forces[:-1] += f
    forces[1:] -= f
    return forces


def spring_mass_lattice(pos, vel, springs, rest, k, mass, dt=0.01, steps=10, damping=0.98):
    # a soft body: springs as an (m, 2) index array, forces accumulated by np.add.at
    g = np.array([0.0, -9.81])
    for _ in range(steps):
        a, b = springs[:, 0], springs[:, 1]
        d = pos[b] - pos[a]
        L = np.linalg.norm(d, axis=1)
        f = (k * (L - rest) / L)[:, None] * d
        F = np.zeros_like(pos)
        np.add.at(F, a, f)
        np.add.at(F, b, -f)
        vel = (vel + (F / mass[:, None] + g) * dt) * damping
        pos = pos + vel * dt
        floor = pos[:, 1] < 0
        pos[:, 1] = np.where(floor, 0.0, pos[:, 1])
        vel[:, 1] = np.where(floor, -0.5 * vel[:, 1], vel[:, 1])
    return pos, vel


def pendulum_verlet_constraint(bob, prev, pivot, length, steps=20, dt=0.02):
    # a pendulum without angles: Verlet step, then project the bob back onto the circle
    for _ in range(steps):
        tmp = bob.copy()
        bob = bob + (bob - prev) + np.array([0.0, -9.81]) * dt * dt
        prev = tmp
        d = bob - pivot
        bob = pivot + d * (length / np.linalg.norm(d))
    return bob, prev


def soft_body_pressure(pos, mass, pressure=1.0):
    # gas pressure on a closed outline: the shoelace area and edge normals
    nxt = np.roll(pos, -1, axis=0)
    area = 0.5 * np.abs(np.sum(pos[:, 0] * nxt[:, 1] - nxt[:, 0] * pos[:, 1]))
    edge = nxt - pos
    length = np.hypot(edge[:, 0], edge[:, 1])
    normal = np.column_stack([edge[:, 1], -edge[:, 0]]) / length[:, None]
    f_edge = (pressure * length / area)[:, None] * normal
    force = 0.5 * (f_edge + np.roll(f_edge, 1, axis=0))
    return force / mass[:, None], area


VERLET = {
    "verlet_previous_position": (verlet_integrate, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(n, 2, seed=s) - 0.01 * _f(n, 2, seed=s + 1),
        np.array([0.0, -9.81]))),
    "rope_relax_add_at": (rope_relax_add_at, {"iterations": 5}, lambda s, n: (
        np.cumsum(_f(n + 2, 2, seed=s) * 0.3 + [1.0, 0.0], axis=0),
        np.stack([np.arange(n + 1), np.arange(1, n + 2)], axis=1), np.full(n + 1, 1.0),
        np.array([0.0, 0.0]))),
    "rope_gauss_seidel_inplace": (rope_gauss_seidel, {"iterations": 2}, lambda s, n: (
        np.cumsum(_f(n + 1, 2, seed=s) * 0.3 + [1.0, 0.0], axis=0), 1.0, np.array([0.0, 1.0]))),
    "cloth_step_pinned": (cloth_step, {"rows": 4, "cols": 5}, lambda s, n: (
        np.stack(np.meshgrid(np.arange(5.0), -np.arange(4.0)), -1).reshape(-1, 2)
        + 0.05 * _f(20, 2, seed=s + n),
        np.stack(np.meshgrid(np.arange(5.0), -np.arange(4.0)), -1).reshape(-1, 2),
        np.array([0, 4]) + (n == 6))),
    "cloth_tear_bincount": (cloth_tear, {}, lambda s, n: (
        _f(n * n, 2, seed=s) * 0.8, cloth_edges(n, n), _u(s, 2 * n * (n - 1)) < 0.9, 1.0)),
    "hooke_chain_diff": (hooke_chain_forces, {}, lambda s, n: (
        np.cumsum(_f(n, 2, seed=s) * 0.2 + [1.0, 0.0], axis=0), _f(n, 2, seed=s + 1))),
    "spring_lattice_add_at_floor": (spring_mass_lattice, {"steps": 4}, lambda s, n: (
        _f(n, 2, seed=s) + [0.0, 2.0], _f(n, 2, seed=s + 1) * 0.1,
        np.array([(a, b) for a in range(n) for b in range(a + 1, n)]),
        np.full(n * (n - 1) // 2, 1.0), 30.0, _u(s, n) + 0.5)),
    "pendulum_verlet_projection": (pendulum_verlet_constraint, {"steps": 15}, lambda s, n: (
        np.array([1.0, -0.5 * s]), np.array([1.0, -0.5 * s]), np.zeros(2), 1.2)),
    "soft_body_pressure_shoelace": (soft_body_pressure, {}, lambda s, n: (
        np.column_stack([np.cos(np.linspace(0, 2 * np.pi, 2 * n, endpoint=False)),
                         np.sin(np.linspace(0, 2 * np.pi, 2 * n, endpoint=False))])
        * (1 + 0.1 * _u(s, 2 * n, 1)), _u(s, 2 * n) + 1)),
}


@pytest.mark.parametrize("name", _names(VERLET))
def test_verlet_and_springs_match_numpy(name):
    """Position Verlet, ropes and cloth relaxed by fancy indexing and `np.add.at` and by
    sequential passes, cloth tearing, Hooke chains, spring-mass lattices with a floor, a
    constrained pendulum and a pressure soft body."""
    check_like_numpy(*VERLET[name])


# ============================================================================ collisions


def circle_overlaps_triu(pos, radius):
    # every overlapping pair counted once: the upper triangle of the overlap matrix
    diff = pos[:, None, :] - pos[None, :, :]
    dist = np.sqrt(np.sum(diff ** 2, axis=-1))
    overlap = dist < radius[:, None] + radius[None, :]
    pairs = np.triu(overlap, k=1)
    return pairs, pairs.sum(), pairs.any(axis=0) | pairs.any(axis=1)


def resolve_penetration(pos, radius):
    # push overlapping circles apart, half the penetration each, diagonal filled with inf
    d = pos[:, None] - pos[None]
    dist = np.linalg.norm(d, axis=2)
    np.fill_diagonal(dist, np.inf)
    pen = radius[:, None] + radius[None, :] - dist
    pen = np.where(pen > 0, pen, 0.0)
    direction = d / dist[..., None]
    return pos + 0.5 * np.sum(pen[..., None] * direction, axis=1)


def aabb_overlap_matrix(mins, maxs):
    # boxes as (min, max) corners: overlap on both axes, self-pairs removed by triu
    ox = (mins[:, None, 0] < maxs[None, :, 0]) & (maxs[:, None, 0] > mins[None, :, 0])
    oy = (mins[:, None, 1] < maxs[None, :, 1]) & (maxs[:, None, 1] > mins[None, :, 1])
    hits = np.triu(ox & oy, 1)
    return hits.astype(np.int8), np.sum(hits, axis=1)


def aabb_penetration_vector(a_center, a_half, b_center, b_half):
    # minimum translation vector between box pairs: the axis of least overlap
    d = b_center - a_center
    overlap = a_half + b_half - np.abs(d)
    colliding = np.all(overlap > 0, axis=1)
    axis = np.argmin(overlap, axis=1)
    mtv = np.zeros_like(d)
    rows = np.arange(len(d))
    mtv[rows, axis] = -np.sign(d[rows, axis]) * overlap[rows, axis]
    mtv[~colliding] = 0.0
    return mtv, colliding


def elastic_collision_2d(x1, x2, v1, v2, m1, m2):
    # the Wikipedia angle-free formula, vectorised over colliding pairs
    dx = x1 - x2
    dv = v1 - v2
    dot = np.einsum("ij,ij->i", dv, dx)
    dist2 = np.einsum("ij,ij->i", dx, dx)
    v1n = v1 - (2 * m2 / (m1 + m2) * dot / dist2)[:, None] * dx
    v2n = v2 + (2 * m1 / (m1 + m2) * dot / dist2)[:, None] * dx
    return v1n, v2n


def all_pairs_elastic(pos, vel, mass, radius):
    # every approaching overlapping pair exchanges impulse along the normal
    d = pos[:, None, :] - pos[None, :, :]
    dist = np.linalg.norm(d, axis=-1) + np.eye(len(pos))
    n = d / dist[..., None]
    rel = vel[:, None, :] - vel[None, :, :]
    vn = np.sum(rel * n, axis=-1)
    hit = (dist < radius[:, None] + radius[None, :]) & (vn < 0)
    np.fill_diagonal(hit, False)
    j = -2 * vn / (1 / mass[:, None] + 1 / mass[None, :])
    j = np.where(hit, j, 0.0)
    return vel + np.sum(j[..., None] * n, axis=1) / mass[:, None]


def wall_bounce_masks(pos, vel, radius, width=800, height=600):
    # bounce off the window edges: clamp, flip the velocity column where it crossed
    left = pos[:, 0] < radius
    right = pos[:, 0] > width - radius
    vel[left | right, 0] *= -1
    pos[left, 0] = radius[left]
    pos[right, 0] = width - radius[right]
    top = pos[:, 1] < radius
    bottom = pos[:, 1] > height - radius
    vel[top | bottom, 1] *= -1
    pos[:, 1] = np.clip(pos[:, 1], radius, height - radius)
    return pos, vel


def wall_bounce_where(pos, vel, bounds, e=0.9):
    # the same with np.where over both axes at once, restitution on the bounce
    lo, hi = bounds[0], bounds[1]
    out = (pos < lo) | (pos > hi)
    vel = np.where(out, -e * vel, vel)
    pos = np.clip(pos, lo, hi)
    return pos, vel


def ray_circle_intersection(origin, direction, centers, radii):
    # the quadratic's discriminant: nearest hit distance per circle, inf on a miss
    d = direction / np.linalg.norm(direction)
    oc = origin - centers
    b = oc @ d
    c = np.sum(oc * oc, axis=1) - radii ** 2
    disc = b * b - c
    sq = np.sqrt(np.maximum(disc, 0))
    t = -b - sq
    t = np.where(t < 0, -b + sq, t)
    return np.where((disc >= 0) & (t >= 0), t, np.inf)


def segment_circle_distance(a, b, centers, radius):
    # closest point on each wall segment to each ball, t clipped to [0, 1]
    ab = b - a
    t = np.einsum("sk,bsk->bs", ab, centers[:, None, :] - a[None]) / np.sum(ab * ab, axis=1)
    t = np.clip(t, 0.0, 1.0)
    closest = a[None] + t[..., None] * ab[None]
    dist = np.linalg.norm(centers[:, None, :] - closest, axis=-1)
    return dist, dist < radius


def point_in_polygon(points, poly):
    # the even-odd ray crossing test, a Python loop over the polygon's edges
    x, y = points[:, 0], points[:, 1]
    inside = np.zeros(len(points), dtype=bool)
    n = len(poly)
    j = n - 1
    for i in range(n):
        xi, yi = poly[i]
        xj, yj = poly[j]
        cross = ((yi > y) != (yj > y)) & (x < (xj - xi) * (y - yi) / (yj - yi + 1e-12) + xi)
        inside ^= cross
        j = i
    return inside


def sat_obb_overlap(corners_a, corners_b):
    # the separating axis theorem for two boxes: edge normals, projections, max/min
    def axes(c):
        e = np.roll(c, -1, axis=0) - c
        nrm = np.stack([-e[:, 1], e[:, 0]], axis=1)
        return nrm / np.linalg.norm(nrm, axis=1, keepdims=True)

    ax = np.concatenate([axes(corners_a), axes(corners_b)])
    pa = corners_a @ ax.T
    pb = corners_b @ ax.T
    gap = np.maximum(pb.min(0) - pa.max(0), pa.min(0) - pb.max(0))
    return np.all(gap < 0), -gap.max()


def spatial_hash_counts(pos, cell=50.0, cols=16, rows=12):
    # a uniform grid: cell ids by integer division, occupancy by bincount
    ij = (pos // cell).astype(int)
    ij[:, 0] = np.clip(ij[:, 0], 0, cols - 1)
    ij[:, 1] = np.clip(ij[:, 1], 0, rows - 1)
    key = ij[:, 1] * cols + ij[:, 0]
    counts = np.bincount(key, minlength=cols * rows)
    return key, counts.reshape(rows, cols)


def spatial_hash_sorted(pos, cell_size, n_cells_x=8, n_cells_y=8):
    # the GPU-gems layout: sort by cell, cell start/end offsets by searchsorted
    cx = np.floor(pos[:, 0] / cell_size).astype(np.int64) % n_cells_x
    cy = np.floor(pos[:, 1] / cell_size).astype(np.int64) % n_cells_y
    keys = cy * n_cells_x + cx
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    cells = np.arange(n_cells_x * n_cells_y)
    start = np.searchsorted(sorted_keys, cells, side="left")
    end = np.searchsorted(sorted_keys, cells, side="right")
    return order, start, end


def circle_rect_collision(centers, radius, rect_min, rect_max):
    # closest point on the rectangle by clipping, then the distance test
    closest = np.clip(centers, rect_min, rect_max)
    delta = centers - closest
    dist2 = np.einsum("ij,ij->i", delta, delta)
    hit = dist2 < radius ** 2
    normal = delta / np.sqrt(np.maximum(dist2, 1e-12))[:, None]
    return hit, np.where(hit[:, None], normal, 0.0)


COLLISIONS = {
    "circle_overlaps_triu": (circle_overlaps_triu, {}, lambda s, n: (
        _u(s, 2 * n, 2) * 10, _u(s + 1, 2 * n) + 1)),
    "resolve_penetration_fill_diagonal": (resolve_penetration, {}, lambda s, n: (
        _u(s, 2 * n, 2) * 6, _u(s + 1, 2 * n) + 0.5)),
    "aabb_overlap_int8": (aabb_overlap_matrix, {}, lambda s, n: (
        _u(s, 2 * n, 2) * 10, _u(s, 2 * n, 2) * 10 + _u(s + 1, 2 * n, 2) * 4)),
    "aabb_mtv_least_axis": (aabb_penetration_vector, {}, lambda s, n: (
        _f(2 * n, 2, seed=s), _u(s, 2 * n, 2) + 0.5, _f(2 * n, 2, seed=s + 1),
        _u(s + 1, 2 * n, 2) + 0.5)),
    "elastic_2d_einsum": (elastic_collision_2d, {}, lambda s, n: (
        _f(n, 2, seed=s), _f(n, 2, seed=s + 1), _f(n, 2, seed=s + 2), _f(n, 2, seed=s + 3),
        _u(s, n) + 1, _u(s + 1, n) + 1)),
    "all_pairs_elastic_impulse": (all_pairs_elastic, {}, lambda s, n: (
        _u(s, 2 * n, 2) * 5, _f(2 * n, 2, seed=s), _u(s + 1, 2 * n) + 1,
        _u(s + 2, 2 * n) * 0.5 + 0.5)),
    "wall_bounce_mask_columns": (wall_bounce_masks, {}, lambda s, n: (
        _u(s, 4 * n, 2) * [900.0, 700.0] - 50, _f(4 * n, 2, seed=s) * 5,
        _u(s + 1, 4 * n) * 10 + 5)),
    "wall_bounce_where_restitution": (wall_bounce_where, {}, lambda s, n: (
        _f(4 * n, 2, seed=s) * 2, _f(4 * n, 2, seed=s + 1), np.array([[-1.0, -1.5], [1.0, 1.5]]))),
    "ray_circle_discriminant": (ray_circle_intersection, {}, lambda s, n: (
        np.zeros(2), np.array([1.0, 0.2 * s]), _f(2 * n, 2, seed=s) * 5 + [6, 0],
        _u(s, 2 * n) + 0.5)),
    "segment_circle_closest_point": (segment_circle_distance, {}, lambda s, n: (
        _f(3, 2, seed=s) * 5, _f(3, 2, seed=s + 1) * 5, _f(n, 2, seed=s + 2) * 4, 1.0)),
    "point_in_polygon_even_odd": (point_in_polygon, {}, lambda s, n: (
        _f(5 * n, 2, seed=s) * 2, np.array([[0, 0], [2, 0.2 * s], [2.5, 2], [1, 3], [-1, 1.5]]))),
    "sat_obb_projections": (sat_obb_overlap, {}, lambda s, n: (
        np.array([[0, 0], [2, 0], [2, 1], [0, 1.0]]) + 0.3 * s,
        (np.array([[0, 0], [1, 1], [0, 2], [-1, 1.0]]) + [1.5 + 0.1 * n, 0]))),
    "spatial_hash_bincount": (spatial_hash_counts, {}, lambda s, n: (
        _u(s, 10 * n, 2) * [800.0, 600.0],)),
    "spatial_hash_sorted_searchsorted": (spatial_hash_sorted, {}, lambda s, n: (
        _u(s, 10 * n, 2) * 16, 2.0)),
    "circle_rect_clip_normal": (circle_rect_collision, {}, lambda s, n: (
        _f(3 * n, 2, seed=s) * 3, 1.0, np.array([-1.0, -0.5]), np.array([1.0, 0.5 * s]))),
}


@pytest.mark.parametrize("name", _names(COLLISIONS))
def test_collisions_match_numpy(name):
    """Circle overlaps by broadcasting and `np.triu`, penetration resolution, AABB overlap
    matrices and MTVs, elastic responses, wall bounces by masks and `np.where`, ray and
    segment tests, point in polygon, SAT, spatial hashes by bincount and searchsorted."""
    check_like_numpy(*COLLISIONS[name])


# ============================================================================ boids and steering


def boids_vectorized(pos, vel, r_sep=1.0, r_align=3.0, r_coh=3.0, w=(1.5, 1.0, 1.0),
                     max_speed=2.0):
    # separation, alignment, cohesion from one distance matrix and three neighbour masks
    diff = pos[:, None, :] - pos[None, :, :]
    dist = np.linalg.norm(diff, axis=2)
    not_self = ~np.eye(len(pos), dtype=bool)
    sep_m = (dist < r_sep) & not_self
    ali_m = (dist < r_align) & not_self
    coh_m = (dist < r_coh) & not_self
    sep = np.sum(diff * sep_m[..., None] / (dist[..., None] ** 2 + 1e-9), axis=1)
    n_ali = ali_m.sum(axis=1, keepdims=True)
    ali = np.where(n_ali > 0, (ali_m @ vel) / np.maximum(n_ali, 1) - vel, 0.0)
    n_coh = coh_m.sum(axis=1, keepdims=True)
    centre = (coh_m @ pos) / np.maximum(n_coh, 1)
    coh = np.where(n_coh > 0, centre - pos, 0.0)
    vel = vel + w[0] * sep + w[1] * ali + w[2] * coh
    speed = np.linalg.norm(vel, axis=1, keepdims=True)
    vel = np.where(speed > max_speed, vel / speed * max_speed, vel)
    return pos + vel, vel


def boids_divide_where(pos, vel, radius=2.5):
    # np.divide with out= and where= for the neighbourhood means, as the repos guard zero counts
    dx = np.subtract.outer(pos[:, 0], pos[:, 0])
    dy = np.subtract.outer(pos[:, 1], pos[:, 1])
    d = np.hypot(dx, dy)
    mask = (d > 0) & (d < radius)
    count = mask.sum(axis=1)
    mean_vel = np.zeros_like(vel)
    np.divide(mask @ vel, count[:, None], out=mean_vel, where=count[:, None] > 0)
    mean_pos = np.zeros_like(pos)
    np.divide(mask @ pos, count[:, None], out=mean_pos, where=count[:, None] > 0)
    steer = 0.05 * (mean_vel - vel) + 0.01 * (mean_pos - pos) * (count[:, None] > 0)
    return vel + steer, count


def boids_per_boid_loop(positions, velocities, perception=2.0, max_force=0.3):
    # the tutorial's Boid.update: a loop over boids, means of the neighbours by masks
    n = len(positions)
    acc = np.zeros_like(velocities)
    for i in range(n):
        d = np.linalg.norm(positions - positions[i], axis=1)
        neighbours = (d < perception) & (d > 0)
        k = np.sum(neighbours)
        avg_vel = np.sum(velocities * neighbours[:, None], axis=0) / np.maximum(k, 1)
        centre = np.sum(positions * neighbours[:, None], axis=0) / np.maximum(k, 1)
        steer = (avg_vel - velocities[i]) + (centre - positions[i])
        steer = np.where(k > 0, steer, 0.0)
        norm = np.linalg.norm(steer)
        acc[i] = np.where(norm > max_force, steer / np.maximum(norm, 1e-12) * max_force, steer)
    return acc


def boids_selection_mean(positions, velocities, radius=2.0):
    # the row selection reduced along axis 0: X[mask].mean(axis=0) per boid
    out = np.zeros_like(velocities)
    for i in range(len(positions)):
        near = np.linalg.norm(positions - positions[i], axis=1) < radius
        out[i] = velocities[near].mean(axis=0)
    return out


def boids_obstacles(pos, vel, obstacles, obs_radius, avoid_dist=1.5, strength=2.0):
    # steer away from circular obstacles, harder the closer the boid is to the surface
    rel = pos[:, None, :] - obstacles[None, :, :]
    dist = np.linalg.norm(rel, axis=-1) - obs_radius[None, :]
    w = np.clip((avoid_dist - dist) / avoid_dist, 0.0, None)
    away = rel / np.linalg.norm(rel, axis=-1, keepdims=True)
    return vel + strength * np.sum(w[..., None] * away, axis=1)


def boids_predator(prey, prey_vel, predator, flee_radius=5.0, flee_speed=3.0):
    # prey flee the predator inside a radius, the predator chases the prey centroid
    away = prey - predator
    d = np.linalg.norm(away, axis=1)
    fleeing = d < flee_radius
    prey_vel = prey_vel + np.where(fleeing[:, None], away / d[:, None] * flee_speed, 0)
    target = prey.mean(axis=0)
    chase = (target - predator) / np.linalg.norm(target - predator)
    return prey_vel, chase, fleeing.sum()


def seek_arrive(pos, vel, target, max_speed=4.0, max_force=0.1, slow_radius=10.0):
    # Reynolds' arrive: the desired speed ramps down inside the slowing radius
    desired = target - pos
    d = np.linalg.norm(desired, axis=1, keepdims=True)
    speed = np.where(d < slow_radius, max_speed * d / slow_radius, max_speed)
    desired = desired / np.maximum(d, 1e-9) * speed
    steer = desired - vel
    steer_mag = np.linalg.norm(steer, axis=1, keepdims=True)
    steer = np.where(steer_mag > max_force, steer * (max_force / steer_mag), steer)
    return vel + steer


def wander_generator(vel, theta, rng, radius=1.0, distance=2.0, change=0.3):
    # Reynolds' wander: a target circle ahead, its angle jittered by the generator
    theta = theta + rng.uniform(-change, change, size=theta.shape)
    heading = np.arctan2(vel[:, 1], vel[:, 0])
    circle = vel / np.linalg.norm(vel, axis=1, keepdims=True) * distance
    offset = radius * np.stack([np.cos(theta + heading), np.sin(theta + heading)], axis=1)
    return circle + offset, theta


def flow_field_follow(pos, field, resolution=1.0, max_speed=2.0):
    # Nature of Code's flow field: the grid cell under each vehicle gives its desired velocity
    cols, rows = field.shape[1], field.shape[0]
    c = np.clip((pos[:, 0] // resolution).astype(int), 0, cols - 1)
    r = np.clip((pos[:, 1] // resolution).astype(int), 0, rows - 1)
    angle = field[r, c]
    return max_speed * np.column_stack([np.cos(angle), np.sin(angle)])


def path_following_projection(pos, vel, a, b, path_radius=1.0, look_ahead=2.0):
    # project the predicted position onto the path segment (scalar projection)
    predict = pos + vel / np.linalg.norm(vel, axis=1, keepdims=True) * look_ahead
    ab = b - a
    ab_n = ab / np.linalg.norm(ab)
    normal_point = a + np.outer((predict - a) @ ab_n, ab_n)
    off_path = np.linalg.norm(predict - normal_point, axis=1) > path_radius
    target = normal_point + ab_n * 1.0
    return np.where(off_path[:, None], target, pos + vel), off_path


BOIDS = {
    "boids_three_masks": (boids_vectorized, {}, lambda s, n: (
        _u(s, 3 * n, 2) * 6, _f(3 * n, 2, seed=s))),
    "boids_divide_out_where": (boids_divide_where, {}, lambda s, n: (
        _u(s, 3 * n, 2) * 8, _f(3 * n, 2, seed=s))),
    "boids_per_boid_loop": (boids_per_boid_loop, {}, lambda s, n: (
        _u(s, n + 2, 2) * 5, _f(n + 2, 2, seed=s))),
    "boids_selection_mean_axis0": (boids_selection_mean, {}, lambda s, n: (
        _u(s, n + 2, 2) * 5, _f(n + 2, 2, seed=s))),
    "boids_obstacle_avoidance": (boids_obstacles, {}, lambda s, n: (
        _u(s, 3 * n, 2) * 10, _f(3 * n, 2, seed=s), _u(s + 1, 3, 2) * 10,
        np.array([1.0, 0.5, 2.0]))),
    "boids_predator_flee": (boids_predator, {}, lambda s, n: (
        _f(3 * n, 2, seed=s) * 4, _f(3 * n, 2, seed=s + 1), np.array([1.0, 0.5 * s]))),
    "seek_arrive_slowing_radius": (seek_arrive, {}, lambda s, n: (
        _f(3 * n, 2, seed=s) * 10, _f(3 * n, 2, seed=s + 1), np.array([2.0, 1.0 * s]))),
    "wander_generator_angles": (wander_generator, {}, lambda s, n: (
        _f(2 * n, 2, seed=s), _u(s, 2 * n) * 6, _rng(s))),
    "flow_field_lookup": (flow_field_follow, {}, lambda s, n: (
        _u(s, 3 * n, 2) * [8.0, 6.0], _u(s + 1, 6, 8) * 2 * np.pi)),
    "path_following_outer": (path_following_projection, {}, lambda s, n: (
        _f(3 * n, 2, seed=s) * 3, _f(3 * n, 2, seed=s + 1), np.array([-5.0, 0.0]),
        np.array([5.0, 1.0 * s]))),
}


@pytest.mark.parametrize("name", _names(BOIDS))
def test_boids_and_steering_match_numpy(name):
    """Boids by neighbour masks, `np.divide(out=, where=)`, per-boid loops and row selections;
    obstacles, wrapping, predators, Reynolds' seek/arrive, wander, flow fields and paths."""
    check_like_numpy(*BOIDS[name])


# ============================================================================ tile grids and rays


def dda_raycast_columns(grid, px, py, angle, fov=np.pi / 3, n_rays=16, max_steps=24):
    # Lode's raycaster vectorised over screen columns, a fixed number of DDA steps
    h, w = grid.shape
    ray_angle = angle + np.linspace(-fov / 2, fov / 2, n_rays)
    dx, dy = np.cos(ray_angle), np.sin(ray_angle)
    map_x = np.full(n_rays, int(px))
    map_y = np.full(n_rays, int(py))
    delta_x = np.abs(1 / np.where(dx == 0, 1e-30, dx))
    delta_y = np.abs(1 / np.where(dy == 0, 1e-30, dy))
    step_x = np.where(dx < 0, -1, 1)
    step_y = np.where(dy < 0, -1, 1)
    side_x = np.where(dx < 0, (px - map_x) * delta_x, (map_x + 1.0 - px) * delta_x)
    side_y = np.where(dy < 0, (py - map_y) * delta_y, (map_y + 1.0 - py) * delta_y)
    hit = np.zeros(n_rays, dtype=bool)
    side = np.zeros(n_rays, dtype=np.int64)
    for _ in range(max_steps):
        go_x = (side_x < side_y) & ~hit
        go_y = ~(side_x < side_y) & ~hit
        side_x = np.where(go_x, side_x + delta_x, side_x)
        map_x = np.where(go_x, map_x + step_x, map_x)
        side_y = np.where(go_y, side_y + delta_y, side_y)
        map_y = np.where(go_y, map_y + step_y, map_y)
        side = np.where(go_x, 0, np.where(go_y, 1, side))
        map_x = np.clip(map_x, 0, w - 1)
        map_y = np.clip(map_y, 0, h - 1)
        hit |= grid[map_y, map_x] > 0
    perp = np.where(side == 0, side_x - delta_x, side_y - delta_y)
    wall_h = (64 / np.maximum(perp * np.cos(ray_angle - angle), 1e-6)).astype(np.int32)
    return perp, side, wall_h


def raymarch_fixed_steps(grid, origin, angles, step=0.1, n_steps=40, tile=1.0):
    # the beginner's raycaster: march a small step, stop (freeze) at the first wall
    dirs = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    dist = np.zeros(len(angles))
    done = np.zeros(len(angles), dtype=bool)
    for _ in range(n_steps):
        p = origin + dirs * (dist + step)[:, None]
        ix = np.clip((p[:, 0] / tile).astype(int), 0, grid.shape[1] - 1)
        iy = np.clip((p[:, 1] / tile).astype(int), 0, grid.shape[0] - 1)
        wall = grid[iy, ix] == 1
        done = done | wall
        dist = np.where(done, dist, dist + step)
    return dist, done


def line_of_sight_sampled(grid, a, b, samples=32):
    # sample the segment, round to tiles, any wall blocks sight
    t = np.linspace(0.0, 1.0, samples)[:, None]
    pts = np.rint(a + t * (b - a)).astype(int)
    return ~grid[pts[:, 1], pts[:, 0]].any()


def visibility_many_targets(grid, eye, targets, samples=20):
    # one source, many targets: an (n_targets, samples) grid of tile lookups
    t = np.linspace(0, 1, samples)
    pts = eye[None, None, :] + t[None, :, None] * (targets[:, None, :] - eye[None, None, :])
    cells = np.floor(pts).astype(np.intp)
    blocked = grid[cells[..., 1], cells[..., 0]].astype(bool)
    return ~np.any(blocked, axis=1)


def dijkstra_map(walls, goals, iterations=20):
    # the roguelike "Dijkstra map": relax from the goals with shifted minima, walls stay inf
    INF = 1e9
    dist = np.where(goals, 0.0, INF)
    for _ in range(iterations):
        p = np.pad(dist, 1, constant_values=INF)
        best = np.minimum.reduce([p[:-2, 1:-1], p[2:, 1:-1], p[1:-1, :-2], p[1:-1, 2:]]) + 1
        dist = np.where(walls, INF, np.minimum(dist, best))
    return dist


def flow_to_goal(dist):
    # downhill direction on a distance map: argmin over the four neighbours
    p = np.pad(dist, 1, mode="edge")
    nb = np.stack([p[:-2, 1:-1], p[2:, 1:-1], p[1:-1, :-2], p[1:-1, 2:]])
    moves = np.array([[-1, 0], [1, 0], [0, -1], [0, 1]])
    return moves[np.argmin(nb, axis=0)]


def tile_under_points(tilemap, xs, ys, tile_size=32):
    # which tile each sprite stands on, solid tiles from a lookup of tile ids
    solid_ids = np.array([0, 1, 1, 0, 1], dtype=bool)
    col = (xs // tile_size).astype(np.int64)
    row = (ys // tile_size).astype(np.int64)
    inside = (col >= 0) & (col < tilemap.shape[1]) & (row >= 0) & (row < tilemap.shape[0])
    tid = tilemap[np.clip(row, 0, tilemap.shape[0] - 1), np.clip(col, 0, tilemap.shape[1] - 1)]
    return np.where(inside, tid, -1), inside & solid_ids[tid]


def minesweeper_counts(mines):
    # neighbour counts by summing the eight shifted slices of a padded board
    m = np.pad(mines.astype(np.int8), 1)
    counts = sum(m[1 + dy:m.shape[0] - 1 + dy, 1 + dx:m.shape[1] - 1 + dx]
                 for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0))
    return np.where(mines, -1, counts)


def autotile_bitmask(walls):
    # 4-bit autotiling: N=1, E=2, S=4, W=8 from the padded neighbours, a uint8 tile index
    p = np.pad(walls, 1, constant_values=True).astype(np.uint8)
    n = p[:-2, 1:-1]
    e = p[1:-1, 2:]
    s = p[2:, 1:-1]
    w = p[1:-1, :-2]
    mask = n | (e << 1) | (s << 2) | (w << 3)
    return np.where(walls, mask, 0).astype(np.uint8)


def fov_shadow_angles(walls_xy, eye, n_bins=16, max_r=10.0):
    # a 2-D shadow map: the nearest wall per angular bin by np.minimum.at
    d = walls_xy - eye
    ang = np.arctan2(d[:, 1], d[:, 0])
    r = np.hypot(d[:, 0], d[:, 1])
    b = ((ang + np.pi) / (2 * np.pi) * n_bins).astype(int) % n_bins
    nearest = np.full(n_bins, max_r)
    np.minimum.at(nearest, b, r)
    return nearest


GRIDS = {
    "dda_raycast_columns": (dda_raycast_columns, {"n_rays": 8, "max_steps": 10}, lambda s, n: (
        _level(s, n), 2.5, 2.5, 0.3 * s)),
    "raymarch_fixed_steps": (raymarch_fixed_steps, {"n_steps": 15}, lambda s, n: (
        _level(s, n).astype(np.int64), np.array([2.5, 2.5]), np.linspace(0, 2 * np.pi, n + 3))),
    "line_of_sight_rint": (line_of_sight_sampled, {}, lambda s, n: (
        _level(s, n).astype(bool), np.array([1.0, 1.0]), np.array([n + 2.0 - s, n + 1.0]))),
    "visibility_many_targets": (visibility_many_targets, {}, lambda s, n: (
        _level(s, n), np.array([2.5, 2.5]), _u(s, 2 * n, 2) * (n + 2) + 1)),
    "dijkstra_map_pad_minimum": (dijkstra_map, {"iterations": 12}, lambda s, n: (
        _u(s, n + 2, n + 3) < 0.2, np.eye(n + 2, n + 3, dtype=bool) & (np.arange(n + 3) == 1))),
    "flow_to_goal_argmin": (flow_to_goal, {}, lambda s, n: (
        dijkstra_map(_u(s, n + 2, n + 3) < 0.2, np.eye(n + 2, n + 3, dtype=bool)
                     & (np.arange(n + 3) == 1), 12),)),
    "tile_under_points_lookup": (tile_under_points, {}, lambda s, n: (
        _i(5, n, n + 1, seed=s), _u(s, 3 * n) * 32 * (n + 2) - 20, _u(s + 1, 3 * n) * 32 * n)),
    "minesweeper_shifted_slices": (minesweeper_counts, {}, lambda s, n: (
        _u(s, n + 1, n + 2) < 0.2,)),
    "autotile_uint8_shifts": (autotile_bitmask, {}, lambda s, n: (_u(s, n + 1, n) < 0.4,)),
    "fov_minimum_at_bins": (fov_shadow_angles, {}, lambda s, n: (
        _f(5 * n, 2, seed=s) * 4, np.array([0.1, 0.2 * s]))),
}


def _level(s, n):
    g = np.zeros((n + 4, n + 4), dtype=np.int8)
    g[0, :] = g[-1, :] = g[:, 0] = g[:, -1] = 1
    g[1:-1, 1:-1] = _u(s, n + 2, n + 2) < 0.15
    g[2, 2] = 0
    return g


@pytest.mark.parametrize("name", _names(GRIDS))
def test_tile_grids_and_rays_match_numpy(name):
    """DDA ray casting over columns, ray marching, line of sight by sampling, Dijkstra maps
    by shifted minima, tile lookups, minesweeper counts, autotiling and angular shadows."""
    check_like_numpy(*GRIDS[name])


# ============================================================================ procedural generation


def diamond_square(rng, n=3, roughness=0.5, corner_range=1.0):
    # the classic heightmap on a (2**n + 1)^2 grid, seeded by a Generator argument
    size = 2 ** n + 1
    h = np.zeros((size, size))
    h[0, 0], h[0, -1], h[-1, 0], h[-1, -1] = rng.uniform(-corner_range, corner_range, 4)
    step = size - 1
    scale = 1.0
    while step > 1:
        half = step // 2
        # diamond step: centres of squares
        for y in range(half, size, step):
            for x in range(half, size, step):
                avg = (h[y - half, x - half] + h[y - half, x + half]
                       + h[y + half, x - half] + h[y + half, x + half]) / 4.0
                h[y, x] = avg + rng.uniform(-scale, scale)
        # square step: edge midpoints
        for y in range(0, size, half):
            for x in range((y + half) % step, size, step):
                total, count = 0.0, 0
                if y - half >= 0:
                    total += h[y - half, x]
                    count += 1
                if y + half < size:
                    total += h[y + half, x]
                    count += 1
                if x - half >= 0:
                    total += h[y, x - half]
                    count += 1
                if x + half < size:
                    total += h[y, x + half]
                    count += 1
                h[y, x] = total / count + rng.uniform(-scale, scale)
        step = half
        scale *= roughness
    return h


def diamond_square_sliced(rng, n=3, roughness=0.6):
    # the vectorised diamond-square: whole lattices of centres by strided slices
    size = 2 ** n + 1
    h = np.zeros((size, size))
    h[::size - 1, ::size - 1] = rng.random((2, 2))
    step, scale = size - 1, 1.0
    while step > 1:
        half = step // 2
        c = (h[0:-1:step, 0:-1:step] + h[0:-1:step, step::step]
             + h[step::step, 0:-1:step] + h[step::step, step::step]) / 4
        h[half::step, half::step] = c + scale * (rng.random(c.shape) - 0.5)
        p = np.pad(h, half, mode="wrap")
        for oy, ox in ((0, half), (half, 0)):
            ys, xs = np.arange(oy, size, step), np.arange(ox, size, step)
            Y, X = np.meshgrid(ys + half, xs + half, indexing="ij")
            avg = (p[Y - half, X] + p[Y + half, X] + p[Y, X - half] + p[Y, X + half]) / 4
            h[np.ix_(ys, xs)] = avg + scale * (rng.random(avg.shape) - 0.5)
        step //= 2
        scale *= roughness
    return (h - h.min()) / (h.max() - h.min())


def midpoint_displacement(left, right, rng, iterations=5, displace=1.0, roughness=0.55):
    # 1-D terrain lines: insert midpoints, displace them, halve the range each pass
    heights = np.array([left, right], dtype=float)
    for _ in range(iterations):
        mids = (heights[:-1] + heights[1:]) / 2 + rng.uniform(-displace, displace,
                                                              len(heights) - 1)
        out = np.empty(2 * len(heights) - 1)
        out[0::2] = heights
        out[1::2] = mids
        heights = out
        displace *= roughness
    return heights


def fade(t):
    return 6 * t ** 5 - 15 * t ** 4 + 10 * t ** 3


def lerp(a, b, x):
    return a + x * (b - a)


def gradient(h, x, y):
    vectors = np.array([[0, 1], [0, -1], [1, 0], [-1, 0]])
    g = vectors[h % 4]
    return g[..., 0] * x + g[..., 1] * y


def perlin(x, y, seed=0):
    # the StackOverflow Perlin noise: a permutation table from np.random.seed/shuffle
    np.random.seed(seed)
    p = np.arange(256, dtype=int)
    np.random.shuffle(p)
    p = np.stack([p, p]).flatten()
    xi, yi = x.astype(int), y.astype(int)
    xf, yf = x - xi, y - yi
    u, v = fade(xf), fade(yf)
    n00 = gradient(p[p[xi] + yi], xf, yf)
    n01 = gradient(p[p[xi] + yi + 1], xf, yf - 1)
    n11 = gradient(p[p[xi + 1] + yi + 1], xf - 1, yf - 1)
    n10 = gradient(p[p[xi + 1] + yi], xf - 1, yf)
    x1 = lerp(n00, n10, u)
    x2 = lerp(n01, n11, u)
    return lerp(x1, x2, v)


def perlin_permutation_rng(x, y, rng):
    # the same noise with the table from a generator argument and hashed corner gradients
    perm = rng.permutation(256)
    perm = np.concatenate([perm, perm])
    angles = 2 * np.pi * np.arange(256) / 256
    grads = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    x0 = np.floor(x).astype(np.int64) & 255
    y0 = np.floor(y).astype(np.int64) & 255
    fx, fy = x - np.floor(x), y - np.floor(y)

    def dot(ix, iy, dx, dy):
        g = grads[perm[perm[ix] + iy]]
        return g[..., 0] * dx + g[..., 1] * dy

    u, v = fade(fx), fade(fy)
    a = lerp(dot(x0, y0, fx, fy), dot(x0 + 1, y0, fx - 1, fy), u)
    b = lerp(dot(x0, y0 + 1, fx, fy - 1), dot(x0 + 1, y0 + 1, fx - 1, fy - 1), u)
    return lerp(a, b, v)


def generate_perlin_noise_2d(rng, shape, res):
    # pvigier's perlin-numpy, with its np.random.rand drawn from a generator argument
    delta = (res[0] / shape[0], res[1] / shape[1])
    d = (shape[0] // res[0], shape[1] // res[1])
    grid = np.mgrid[0:res[0]:delta[0], 0:res[1]:delta[1]].transpose(1, 2, 0) % 1
    angles = 2 * np.pi * rng.random((res[0] + 1, res[1] + 1))
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
    t = 6 * grid ** 5 - 15 * grid ** 4 + 10 * grid ** 3
    n0 = n00 * (1 - t[:, :, 0]) + t[:, :, 0] * n10
    n1 = n01 * (1 - t[:, :, 0]) + t[:, :, 0] * n11
    return np.sqrt(2) * ((1 - t[:, :, 1]) * n0 + t[:, :, 1] * n1)


def value_noise_2d_smoothstep(x, y, lattice):
    # 2-D value noise: bilinear on a wrapped lattice with the smoothstep fade
    h, w = lattice.shape
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    tx, ty = x - x0, y - y0
    sx, sy = tx * tx * (3 - 2 * tx), ty * ty * (3 - 2 * ty)
    x0, x1 = x0 % w, (x0 + 1) % w
    y0, y1 = y0 % h, (y0 + 1) % h
    top = lattice[y0, x0] * (1 - sx) + lattice[y0, x1] * sx
    bot = lattice[y1, x0] * (1 - sx) + lattice[y1, x1] * sx
    return top * (1 - sy) + bot * sy


def fbm(x, y, lattice, octaves=5, persistence=0.5, lacunarity=2.0):
    # fractal Brownian motion: a Python loop over octaves, normalised by the amplitude sum
    total = np.zeros_like(x)
    amplitude, frequency, max_value = 1.0, 1.0, 0.0
    for _ in range(octaves):
        total += amplitude * value_noise_2d_smoothstep(x * frequency, y * frequency, lattice)
        max_value += amplitude
        amplitude *= persistence
        frequency *= lacunarity
    return total / max_value


def ridged_multifractal(x, y, rng_table, octaves=4, gain=2.0, offset=1.0):
    # Musgrave's ridged noise: 1 - |n|, squared, each octave weighted by the previous
    result = np.zeros_like(x)
    weight = np.ones_like(x)
    freq = 1.0
    for i in range(octaves):
        signal = offset - np.abs(perlin_permutation_rng(x * freq, y * freq, rng_table))
        signal = signal * signal * weight
        weight = np.clip(signal * gain, 0.0, 1.0)
        result += signal * freq ** -0.9
        freq *= 2.0
    return result


def simplex_skew_cells(x, y):
    # the simplex grid: skew into the lattice, pick the triangle, unskew the corner offsets
    F2 = 0.5 * (np.sqrt(3.0) - 1.0)
    G2 = (3.0 - np.sqrt(3.0)) / 6.0
    s = (x + y) * F2
    i = np.floor(x + s)
    j = np.floor(y + s)
    t = (i + j) * G2
    x0 = x - (i - t)
    y0 = y - (j - t)
    i1 = (x0 > y0).astype(np.int64)
    j1 = 1 - i1
    x1 = x0 - i1 + G2
    y1 = y0 - j1 + G2
    x2 = x0 - 1.0 + 2.0 * G2
    y2 = y0 - 1.0 + 2.0 * G2
    falloff = np.stack([np.maximum(0.5 - x0 ** 2 - y0 ** 2, 0) ** 4,
                        np.maximum(0.5 - x1 ** 2 - y1 ** 2, 0) ** 4,
                        np.maximum(0.5 - x2 ** 2 - y2 ** 2, 0) ** 4])
    return i.astype(np.int64), j.astype(np.int64), i1, falloff


def worley_noise(points, shape):
    # cellular noise: F1 and F2 - F1 from the sorted distances to the feature points
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]]
    d = np.sqrt((xx[..., None] - points[:, 0]) ** 2 + (yy[..., None] - points[:, 1]) ** 2)
    d.sort(axis=-1)
    f1, f2 = d[..., 0], d[..., 1]
    return f1 / f1.max(), f2 - f1


def cave_roll(grid, steps=4, birth=4, survive=3):
    # cellular-automaton caves on a torus: the 4-5 rule with np.roll neighbour counts
    for _ in range(steps):
        n = sum(np.roll(np.roll(grid, dy, 0), dx, 1)
                for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx)
        grid = np.where(grid == 1, (n > survive).astype(grid.dtype), (n > birth).astype(grid.dtype))
    return grid


def cave_padded_walls(rng, shape, fill=0.45, steps=5):
    # the RogueBasin cave: random fill, borders count as walls through a padded board
    walls = rng.random(shape) < fill
    for _ in range(steps):
        p = np.pad(walls, 1, constant_values=True).astype(np.int32)
        n = (p[:-2, :-2] + p[:-2, 1:-1] + p[:-2, 2:] + p[1:-1, :-2] + p[1:-1, 2:]
             + p[2:, :-2] + p[2:, 1:-1] + p[2:, 2:])
        walls = (n >= 5) | ((n >= 4) & walls)
    return walls, walls.mean()


def cave_convolve2d(grid, steps=3):
    # the same rule with scipy.signal.convolve2d, walls outside via fillvalue=1
    kernel = np.ones((3, 3), dtype=int)
    kernel[1, 1] = 0
    for _ in range(steps):
        n = scipy.signal.convolve2d(grid, kernel, mode="same", boundary="fill", fillvalue=1)
        grid = ((n > 4) | ((n == 4) & (grid == 1))).astype(int)
    return grid


def drunkard_walk(rng, width, height, steps=60):
    # carve floor by a random walk, clamped inside the border
    grid = np.ones((height, width), dtype=np.uint8)
    moves = np.array([[0, 1], [0, -1], [1, 0], [-1, 0]])
    pos = np.array([width // 2, height // 2])
    choices = rng.integers(0, 4, size=steps)
    for k in range(steps):
        pos = np.clip(pos + moves[choices[k]], 1, [width - 2, height - 2])
        grid[pos[1], pos[0]] = 0
    return grid


def drunkard_walk_cumsum(rng, width, height, steps=80):
    # the vectorised walk: cumsum of the moves, clipped, carved by one fancy write
    moves = np.array([[0, 1], [0, -1], [1, 0], [-1, 0]])[rng.integers(0, 4, steps)]
    path = np.clip(np.cumsum(moves, axis=0) + [width // 2, height // 2], 1,
                   [width - 2, height - 2])
    grid = np.ones((height, width), dtype=bool)
    grid[path[:, 1], path[:, 0]] = False
    return grid, (~grid).sum()


def highlife_step(board):
    # HighLife (B36/S23): neighbour counts by np.roll, births by np.isin
    n = sum(np.roll(np.roll(board, i, 0), j, 1)
            for i in (-1, 0, 1) for j in (-1, 0, 1) if (i, j) != (0, 0))
    born = ~board & np.isin(n, [3, 6])
    survive = board & ((n == 2) | (n == 3))
    return born | survive


def life_rule_table(board, birth=(3,), survive=(2, 3), steps=3):
    # a life-like rule as two lookup tables indexed by the neighbour count
    B = np.zeros(9, dtype=bool)
    S = np.zeros(9, dtype=bool)
    B[list(birth)] = True
    S[list(survive)] = True
    for _ in range(steps):
        p = np.pad(board, 1)
        n = sum(p[1 + dy:p.shape[0] - 1 + dy, 1 + dx:p.shape[1] - 1 + dx].astype(np.int64)
                for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx)
        board = np.where(board, S[n], B[n])
    return board


def life_generations_ages(board, ages, steps=4):
    # Life with cell ages for colouring: ages reset when a cell dies, int16 counters
    for _ in range(steps):
        n = sum(np.roll(board, s, a) for s in (-1, 1) for a in (0, 1)) + \
            sum(np.roll(np.roll(board, s, 0), t, 1) for s in (-1, 1) for t in (-1, 1))
        board = (n == 3) | (board & (n == 2))
        ages = np.where(board, ages + 1, 0).astype(np.int16)
    return board, ages


def life_uint8_scipy(board):
    # the board as a uint8 image, the count by scipy.signal.convolve2d with wrap
    k = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.uint8)
    n = scipy.signal.convolve2d(board, k, mode="same", boundary="wrap")
    return ((n == 3) | ((board == 1) & (n == 2))).astype(np.uint8)


def jittered_grid_samples(rng, width=10.0, height=8.0, cell=2.0, jitter=0.8):
    # Poisson-disk-like sampling: one point per cell, jittered inside it
    gx = np.arange(0, width, cell)
    gy = np.arange(0, height, cell)
    X, Y = np.meshgrid(gx, gy)
    offs = (0.5 + jitter * (rng.random((2,) + X.shape) - 0.5)) * cell
    return np.stack([X + offs[0], Y + offs[1]], axis=-1).reshape(-1, 2)


def dart_throwing_fixed(candidates, radius):
    # dart throwing with a fixed candidate list: accept if far from all accepted so far
    accepted = np.zeros(len(candidates), dtype=bool)
    for k in range(len(candidates)):
        d = np.linalg.norm(candidates - candidates[k], axis=1)
        ok = np.all((d >= radius) | ~accepted)
        accepted[k] = ok
    return accepted


def island_mask(height, falloff=2.2, sea=0.35):
    # a radial gradient subtracted so the map is an island, biomes by np.digitize
    h, w = height.shape
    y, x = np.ogrid[:h, :w]
    d = np.sqrt(((x - w / 2) / (w / 2)) ** 2 + ((y - h / 2) / (h / 2)) ** 2)
    e = height - d ** falloff * 0.8
    biome = np.digitize(e, [sea, sea + 0.05, 0.6, 0.8])
    return e, biome


BIOME_TABLE = np.array([[0, 0, 1, 1],
                        [2, 2, 3, 4],
                        [5, 6, 6, 7]], dtype=np.uint8)


def biome_lookup(elevation, moisture):
    # Red Blob Games' biome table: elevation band by moisture band, a module-level table
    e_idx = np.clip((elevation * 3).astype(int), 0, 2)
    m_idx = np.clip((moisture * 4).astype(int), 0, 3)
    return BIOME_TABLE[e_idx, m_idx]


def thermal_erosion(h, talus=0.05, rate=0.5, iterations=5):
    # material slides to lower neighbours where the slope exceeds the talus angle
    for _ in range(iterations):
        delta = np.zeros_like(h)
        for axis, shift in ((0, 1), (0, -1), (1, 1), (1, -1)):
            nb = np.roll(h, shift, axis=axis)
            diff = h - nb
            move = np.where(diff > talus, rate * (diff - talus) / 4, 0.0)
            delta -= move
            delta += np.roll(move, -shift, axis=axis)
        h = h + delta
    return h


def hillshade(elevation, azimuth=315.0, altitude=45.0, cell=1.0):
    # the GIS hillshade on a heightmap: np.gradient slopes, a sun direction
    dy, dx = np.gradient(elevation, cell)
    slope = np.pi / 2 - np.arctan(np.hypot(dx, dy))
    aspect = np.arctan2(-dx, dy)
    az, alt = np.radians(azimuth), np.radians(altitude)
    shaded = np.sin(alt) * np.sin(slope) + np.cos(alt) * np.cos(slope) * np.cos(az - aspect)
    return (255 * (shaded + 1) / 2).astype(np.uint8)


def lloyd_relaxation(points, width=8, height=6, iterations=3):
    # Lloyd's algorithm on a pixel grid: nearest-site labels, centroids by bincount
    ys, xs = np.mgrid[0:height, 0:width]
    px, py = xs.ravel() + 0.5, ys.ravel() + 0.5
    k = len(points)
    for _ in range(iterations):
        d = (px[:, None] - points[:, 0]) ** 2 + (py[:, None] - points[:, 1]) ** 2
        lab = d.argmin(axis=1)
        cnt = np.bincount(lab, minlength=k)
        cx = np.bincount(lab, weights=px, minlength=k) / np.maximum(cnt, 1)
        cy = np.bincount(lab, weights=py, minlength=k) / np.maximum(cnt, 1)
        points = np.where(cnt[:, None] > 0, np.column_stack([cx, cy]), points)
    return points


def _perlin_pts(s, n):
    return _u(s, n, 5) * 8, _u(s + 1, n, 5) * 8


PROCGEN = {
    "diamond_square_loops": (diamond_square, {"n": 2}, lambda s, n: (_rng(s + n),)),
    "diamond_square_sliced_wrap": (diamond_square_sliced, {"n": 2}, lambda s, n: (_rng(s + n),)),
    "midpoint_displacement_1d": (midpoint_displacement, {"iterations": 4}, lambda s, n: (
        0.2 * s, 0.1 * n, _rng(s))),
    "perlin_np_random_seed_shuffle": (perlin, {"seed": 7}, lambda s, n: _perlin_pts(s, n)),
    "perlin_permutation_generator": (perlin_permutation_rng, {}, lambda s, n: (
        *_perlin_pts(s, n), _rng(s))),
    "pvigier_perlin_mgrid_repeat": (generate_perlin_noise_2d,
                                    {"shape": (8, 8), "res": (2, 4)}, lambda s, n: (_rng(s + n),)),
    "value_noise_2d_smoothstep": (value_noise_2d_smoothstep, {}, lambda s, n: (
        *_perlin_pts(s, n), _u(s + 2, 6, 5))),
    "fbm_octaves": (fbm, {"octaves": 3}, lambda s, n: (*_perlin_pts(s, n), _u(s + 2, 8, 8))),
    "ridged_multifractal": (ridged_multifractal, {"octaves": 3}, lambda s, n: (
        *_perlin_pts(s, n), _rng(s))),
    "simplex_skew_unskew": (simplex_skew_cells, {}, lambda s, n: _perlin_pts(s, n)),
    "worley_sort_f1_f2": (worley_noise, {"shape": (6, 7)}, lambda s, n: (
        _u(s, n, 2) * [7.0, 6.0],)),
    "cave_roll_4_5_rule": (cave_roll, {"steps": 3}, lambda s, n: (
        (_u(s, n + 4, n + 5) < 0.45).astype(np.int64),)),
    "cave_padded_generator": (cave_padded_walls, {"shape": (10, 12), "steps": 4},
                              lambda s, n: (_rng(s + n),)),
    "cave_scipy_convolve2d": (cave_convolve2d, {"steps": 3}, lambda s, n: (
        (_u(s, n + 4, n + 5) < 0.45).astype(int),)),
    "drunkard_walk_scatter": (drunkard_walk, {"width": 12, "height": 10, "steps": 40},
                              lambda s, n: (_rng(s + n),)),
    "drunkard_walk_cumsum_clip": (drunkard_walk_cumsum, {"width": 12, "height": 10},
                                  lambda s, n: (_rng(s + n),)),
    "highlife_isin": (highlife_step, {}, lambda s, n: (_u(s, n + 4, n + 4) < 0.35,)),
    "life_rule_lookup_tables": (life_rule_table, {"birth": (3, 6), "survive": (2, 3)},
                                lambda s, n: (_u(s, n + 3, n + 4) < 0.4,)),
    "life_ages_int16": (life_generations_ages, {"steps": 3}, lambda s, n: (
        _u(s, n + 3, n + 3) < 0.4, _i(5, n + 3, n + 3, seed=s).astype(np.int16))),
    "life_uint8_convolve2d_wrap": (life_uint8_scipy, {}, lambda s, n: (
        (_u(s, n + 3, n + 4) < 0.4).astype(np.uint8),)),
    "jittered_grid_generator": (jittered_grid_samples, {}, lambda s, n: (_rng(s + n),)),
    "dart_throwing_fixed_candidates": (dart_throwing_fixed, {}, lambda s, n: (
        _u(s, 4 * n, 2) * 5, 1.2)),
    "island_radial_digitize": (island_mask, {}, lambda s, n: (_u(s, n + 4, n + 6),)),
    "biome_module_table": (biome_lookup, {}, lambda s, n: (_u(s, n, 5), _u(s + 1, n, 5))),
    "thermal_erosion_roll": (thermal_erosion, {"iterations": 4}, lambda s, n: (
        _u(s, n + 2, n + 3),)),
    "hillshade_gradient_uint8": (hillshade, {}, lambda s, n: (_u(s, n + 3, n + 4) * 5,)),
    "lloyd_relaxation_bincount": (lloyd_relaxation, {"iterations": 3}, lambda s, n: (
        _u(s, n, 2) * [8.0, 6.0],)),
}


@pytest.mark.parametrize("name", _names(PROCGEN))
def test_procedural_generation_matches_numpy(name):
    """Diamond-square and midpoint displacement from generators, Perlin, value, simplex and
    Worley noise, fBm and ridged octaves, caves by rolls, padding and convolve2d, drunkard's
    walks, Life variants, jittered and dart-throwing samples, islands and biomes, thermal
    erosion, hillshades, normals and Lloyd relaxation."""
    check_like_numpy(*PROCGEN[name])


# =================================================================== transforms and cameras


def rotate_sprite_corners(center, half_size, angle):
    # the four corners of a rotated sprite: a rotation matrix of the traced angle
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s], [s, c]])
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * half_size
    return corners @ R.T + center


def homogeneous_transform(points, tx, ty, angle_deg, sx, sy):
    # translate @ rotate @ scale as 3x3 matrices, points with a column of ones
    a = np.deg2rad(angle_deg)
    T = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], dtype=float)
    R = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    S = np.diag([sx, sy, 1.0])
    M = T @ R @ S
    hom = np.hstack([points, np.ones((len(points), 1))])
    out = (M @ hom.T).T
    return out[:, :2], np.linalg.inv(M)


def batched_sprite_rotation(local_verts, angles, positions):
    # each sprite its own angle: a stack of rotation matrices applied by einsum
    c, s = np.cos(angles), np.sin(angles)
    R = np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)
    return np.einsum("nij,vj->nvi", R, local_verts) + positions[:, None, :]


def rotate_complex(points, angle, pivot):
    # rotation as complex multiplication, the way code golf and many tutorials do it
    z = points[:, 0] + 1j * points[:, 1]
    p = pivot[0] + 1j * pivot[1]
    z = (z - p) * np.exp(1j * angle) + p
    return np.column_stack([z.real, z.imag])


def polar_orbit_complex(center, radius, omega, t):
    # moons on circular orbits as complex phasors, angle and distance by np.angle/np.abs
    z = center + radius * np.exp(1j * omega * t)
    return z, np.angle(z - center), np.abs(z)


def camera_world_to_screen(world, cam_pos, zoom, screen=(640, 480)):
    # a 2-D camera: offset, zoom, centre of the screen, integer pixels, culling mask
    sx = (world[:, 0] - cam_pos[0]) * zoom + screen[0] / 2
    sy = (world[:, 1] - cam_pos[1]) * zoom + screen[1] / 2
    pix = np.column_stack([sx, sy]).astype(np.int32)
    visible = (sx >= 0) & (sx < screen[0]) & (sy >= 0) & (sy < screen[1])
    return pix, visible, np.count_nonzero(visible)


def viewport_cull_aabb(mins, maxs, view_min, view_max):
    # sprites whose bounding boxes touch the viewport, and their draw order by depth
    vis = np.all((maxs >= view_min) & (mins <= view_max), axis=1)
    depth = np.where(vis, mins[:, 1], np.inf)
    return vis, np.argsort(depth, kind="stable")


def perspective_projection(points, fov_deg=60.0, aspect=4 / 3, near=0.1, far=100.0,
                           width=320, height=240):
    # a 4x4 projection, homogeneous divide, NDC to pixels, near/far clip mask
    f = 1.0 / np.tan(np.radians(fov_deg) / 2)
    P = np.array([[f / aspect, 0, 0, 0],
                  [0, f, 0, 0],
                  [0, 0, (far + near) / (near - far), 2 * far * near / (near - far)],
                  [0, 0, -1, 0]])
    hom = np.c_[points, np.ones(len(points))]
    clip = hom @ P.T
    w = clip[:, 3:4]
    ndc = clip[:, :3] / w
    px = (ndc[:, 0] + 1) * 0.5 * width
    py = (1 - ndc[:, 1]) * 0.5 * height
    inside = (w[:, 0] > 0) & np.all(np.abs(ndc) <= 1, axis=1)
    return np.stack([px, py], 1), inside


def look_at(eye, target, up=np.array([0.0, 1.0, 0.0])):
    # the gluLookAt view matrix from cross products
    f = target - eye
    f = f / np.linalg.norm(f)
    s = np.cross(f, up)
    s = s / np.linalg.norm(s)
    u = np.cross(s, f)
    M = np.eye(4)
    M[0, :3], M[1, :3], M[2, :3] = s, u, -f
    M[:3, 3] = -M[:3, :3] @ eye
    return M


def quaternion_rotate(q, v):
    # v' = q v q*, written with the cross-product shortcut, quaternions (w, x, y, z)
    q = q / np.linalg.norm(q, axis=-1, keepdims=True)
    w, xyz = q[..., :1], q[..., 1:]
    t = 2 * np.cross(xyz, v)
    return v + w * t + np.cross(xyz, t)


def quat_slerp(q0, q1, t):
    dot = np.sum(q0 * q1)
    q1 = np.where(dot < 0, -q1, q1)
    dot = np.abs(dot)
    theta = np.arccos(np.clip(dot, -1, 1))
    s = np.sin(theta)
    t = t[:, None]
    return (np.sin((1 - t) * theta) * q0 + np.sin(t * theta) * q1) / s


def isometric_tiles(tiles_xy, tile_w=64, tile_h=32, origin=(320, 40)):
    # map tiles to screen in an isometric projection, integer division like the tutorials
    x, y = tiles_xy[:, 0], tiles_xy[:, 1]
    sx = (x - y) * (tile_w // 2) + origin[0]
    sy = (x + y) * (tile_h // 2) + origin[1]
    order = np.argsort(x + y, kind="stable")
    return np.stack([sx, sy], axis=1)[order]


def hex_pixel_to_cube_round(px, py, size=10.0):
    # Red Blob Games: pixel to fractional axial, then cube rounding by the largest error
    q = (np.sqrt(3) / 3 * px - 1 / 3 * py) / size
    r = (2 / 3 * py) / size
    s = -q - r
    rq, rr, rs = np.round(q), np.round(r), np.round(s)
    dq, dr, ds = np.abs(rq - q), np.abs(rr - r), np.abs(rs - s)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    rq = np.where(fix_q, -rr - rs, rq)
    rr = np.where(fix_r, -rq - rs, rr)
    return rq.astype(int), rr.astype(int)


def screen_shake(t, trauma, seed_phases, max_offset=12.0, freq=25.0):
    # trauma-based shake: offsets from sines of given phases, scaled by trauma squared
    shake = np.clip(trauma, 0, 1) ** 2
    off = max_offset * shake[:, None] * np.sin(freq * t[:, None] + seed_phases[None, :])
    return off, np.maximum(trauma - 0.8 * np.gradient(t), 0)


TRANSFORMS = {
    "rotate_sprite_corners_matrix": (rotate_sprite_corners, {}, lambda s, n: (
        np.array([100.0, 50.0 * s]), np.array([16.0, 8.0 + n]), 0.3 * s)),
    "homogeneous_trs_inverse": (homogeneous_transform, {}, lambda s, n: (
        _f(n, 2, seed=s), 3.0, -1.0 * s, 30.0 * s, 2.0, 0.5)),
    "batched_rotation_einsum": (batched_sprite_rotation, {}, lambda s, n: (
        np.array([[-1.0, -1], [1, -1], [1, 1], [-1, 1]]), _u(s, n) * 6, _f(n, 2, seed=s))),
    "rotate_complex_multiply": (rotate_complex, {}, lambda s, n: (
        _f(n, 2, seed=s), 0.4 * s, np.array([1.0, -2.0]))),
    "polar_orbit_complex": (polar_orbit_complex, {}, lambda s, n: (
        1.0 + 2.0j, _u(s, n) + 1, _u(s + 1, n), 0.5 * s)),
    "camera_world_to_screen_int32": (camera_world_to_screen, {}, lambda s, n: (
        _f(5 * n, 2, seed=s) * 300, np.array([50.0 * s, 10.0]), 1.5)),
    "viewport_cull_depth_sort": (viewport_cull_aabb, {}, lambda s, n: (
        _u(s, 4 * n, 2) * 100, _u(s, 4 * n, 2) * 100 + 10, np.array([20.0, 20.0]),
        np.array([60.0, 50.0]))),
    "perspective_projection_clip": (perspective_projection, {}, lambda s, n: (
        _f(4 * n, 3, seed=s) * 5 - [0, 0, 6],)),
    "look_at_cross": (look_at, {}, lambda s, n: (
        np.array([1.0 * s, 2.0, 5.0]), np.array([0.0, 0.5, 0.1 * n]))),
    "quaternion_rotate_cross": (quaternion_rotate, {}, lambda s, n: (
        _f(n, 4, seed=s), _f(n, 3, seed=s + 1))),
    "quaternion_slerp": (quat_slerp, {}, lambda s, n: (
        _f(4, seed=s) / np.linalg.norm(_f(4, seed=s)), _f(4, seed=s + 1)
        / np.linalg.norm(_f(4, seed=s + 1)), np.linspace(0, 1, n))),
    "isometric_tiles_int": (isometric_tiles, {}, lambda s, n: (_i(10, 2 * n, 2, seed=s),)),
    "hex_cube_round": (hex_pixel_to_cube_round, {}, lambda s, n: (
        _f(5 * n, seed=s) * 60, _f(5 * n, seed=s + 1) * 60)),
    "screen_shake_trauma": (screen_shake, {}, lambda s, n: (
        np.linspace(0, 1, 3 * n), _u(s, 3 * n) * 1.3, _u(s + 1, 2) * 6)),
}


@pytest.mark.parametrize("name", _names(TRANSFORMS))
def test_transforms_and_cameras_match_numpy(name):
    """Sprite rotations by matrices, complex numbers and einsum, homogeneous transforms,
    cameras with culling, perspective projection, look-at, quaternions, isometric and hex
    grids, screen shake and parallax."""
    check_like_numpy(*TRANSFORMS[name])


# =================================================================== curves, easing, colour


def ease_in_out_cubic(t):
    return np.where(t < 0.5, 4 * t ** 3, 1 - (-2 * t + 2) ** 3 / 2)


def ease_out_elastic(t):
    c4 = 2 * np.pi / 3
    return np.where(t == 0, 0.0, np.where(t == 1, 1.0,
                    2 ** (-10 * t) * np.sin((t * 10 - 0.75) * c4) + 1))


def ease_out_bounce(t):
    n1, d1 = 7.5625, 2.75
    t = np.asarray(t, dtype=float)
    return np.select(
        [t < 1 / d1, t < 2 / d1, t < 2.5 / d1],
        [n1 * t * t, n1 * (t - 1.5 / d1) ** 2 + 0.75, n1 * (t - 2.25 / d1) ** 2 + 0.9375],
        n1 * (t - 2.625 / d1) ** 2 + 0.984375)


EASINGS = {"linear": lambda t: t, "quad": lambda t: t * t, "cubic": ease_in_out_cubic,
           "elastic": ease_out_elastic, "bounce": ease_out_bounce}


def tween(start, end, t, easing="cubic"):
    # a tween table keyed by name, applied to float32 positions
    k = EASINGS[easing](np.clip(t, 0, 1))
    return start + (end - start) * k[:, None]


def de_casteljau(control, n_samples=20):
    # repeated linear interpolation, a Python loop over the degree
    t = np.linspace(0, 1, n_samples)[:, None, None]
    pts = np.broadcast_to(control, (n_samples,) + control.shape)
    while pts.shape[1] > 1:
        pts = (1 - t) * pts[:, :-1] + t * pts[:, 1:]
    return pts[:, 0]


def bezier_bernstein(control, n_samples=16):
    # Bernstein polynomials with scipy.special.comb
    n = len(control) - 1
    t = np.linspace(0.0, 1.0, n_samples)
    k = np.arange(n + 1)
    B = scipy.special.comb(n, k) * t[:, None] ** k * (1 - t[:, None]) ** (n - k)
    return B @ control


def cubic_bezier_matrix(p0, p1, p2, p3, t):
    # the matrix form [1 t t^2 t^3] M P, with tangents from the derivative
    M = np.array([[1, 0, 0, 0], [-3, 3, 0, 0], [3, -6, 3, 0], [-1, 3, -3, 1]])
    P = np.stack([p0, p1, p2, p3])
    T = np.stack([np.ones_like(t), t, t ** 2, t ** 3], axis=1)
    dT = np.stack([np.zeros_like(t), np.ones_like(t), 2 * t, 3 * t ** 2], axis=1)
    tangent = dT @ M @ P
    return T @ M @ P, tangent / np.linalg.norm(tangent, axis=1, keepdims=True)


def catmull_rom_chain(points, samples_per_segment=6, alpha_tension=0.5):
    # uniform Catmull-Rom through all points, end points duplicated, segments concatenated
    P = np.vstack([points[:1], points, points[-1:]])
    t = np.linspace(0, 1, samples_per_segment, endpoint=False)[:, None]
    out = []
    for i in range(len(P) - 3):
        p0, p1, p2, p3 = P[i], P[i + 1], P[i + 2], P[i + 3]
        a = 2 * p1
        b = p2 - p0
        c = 2 * p0 - 5 * p1 + 4 * p2 - p3
        d = -p0 + 3 * p1 - 3 * p2 + p3
        out.append(alpha_tension * (a + b * t + c * t ** 2 + d * t ** 3))
    out.append(points[-1:])
    return np.concatenate(out)


def arc_length_resample(curve, n_out=12):
    # constant-speed motion along a polyline: cumulative lengths and np.interp per axis
    seg = np.linalg.norm(np.diff(curve, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    targets = np.linspace(0, s[-1], n_out)
    return np.column_stack([np.interp(targets, s, curve[:, k]) for k in range(curve.shape[1])])


def gradient_palette(values, stops, colours):
    # a colour ramp for a heightmap: np.interp per channel, uint8 image
    rgb = np.stack([np.interp(values, stops, colours[:, c]) for c in range(3)], axis=-1)
    return rgb.round().astype(np.uint8)


def hsv_to_rgb(h, s, v):
    # the colorsys formula vectorised: sector index and np.choose of the six cases
    i = (h * 6.0).astype(int) % 6
    f = h * 6.0 - np.floor(h * 6.0)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    r = np.choose(i, [v, q, p, p, t, v])
    g = np.choose(i, [t, v, v, q, p, p])
    b = np.choose(i, [p, p, t, v, v, q])
    return np.stack([r, g, b], axis=-1)


def height_to_terrain_colours(h, thresholds, palette):
    # water, sand, grass, rock, snow by np.digitize into a uint8 palette table
    idx = np.digitize(h, thresholds)
    return palette[idx]


def alpha_blend_uint8(src, dst, alpha):
    # blending a sprite onto the frame: uint8 in, float math, uint8 out
    a = alpha.astype(np.float32)[..., None] / 255.0
    out = src.astype(np.float32) * a + dst.astype(np.float32) * (1 - a)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def quantize_to_palette(img, palette):
    # nearest palette colour for each pixel (dithering's first step)
    d = ((img[:, :, None, :].astype(np.int32) - palette[None, None].astype(np.int32)) ** 2).sum(-1)
    idx = d.argmin(-1)
    return palette[idx], idx.astype(np.uint8)


def day_night_tint(frame, hour):
    # a tint whose strength follows the hour, applied to an RGB uint8 frame in place
    night = 0.5 * (1 + np.cos(2 * np.pi * hour / 24))
    tint = np.array([0.4, 0.5, 1.0]) * night + (1 - night)
    frame[...] = (frame * tint).astype(np.uint8)
    return night


CURVES = {
    "tween_easing_table_float32": (tween, {"easing": "cubic"}, lambda s, n: (
        _f(2, seed=s).astype(np.float32), _f(2, seed=s + 1).astype(np.float32),
        np.linspace(-0.1, 1.1, 3 * n).astype(np.float32))),
    "tween_bounce_select": (tween, {"easing": "bounce"}, lambda s, n: (
        _f(2, seed=s), _f(2, seed=s + 1), np.linspace(0, 1, 3 * n) ** (1 + 0.1 * s))),
    "de_casteljau_while_shape": (de_casteljau, {"n_samples": 10}, lambda s, n: (
        _f(n, 2, seed=s),)),
    "bezier_bernstein_comb": (bezier_bernstein, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "cubic_bezier_matrix_tangent": (cubic_bezier_matrix, {}, lambda s, n: (
        *[_f(2, seed=s + k) for k in range(4)], np.linspace(0, 1, 2 * n))),
    "catmull_rom_segments": (catmull_rom_chain, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "arc_length_interp": (arc_length_resample, {}, lambda s, n: (
        np.cumsum(np.abs(_f(2 * n, 2, seed=s)), axis=0),)),
    "gradient_palette_interp_uint8": (gradient_palette, {}, lambda s, n: (
        _u(s, n, 5), np.array([0.0, 0.3, 0.5, 0.8, 1.0]),
        np.array([[0, 0, 128], [240, 220, 130], [30, 160, 40], [120, 110, 100],
                  [255, 255, 255]], dtype=float))),
    "hsv_to_rgb_choose": (hsv_to_rgb, {}, lambda s, n: (_u(s, 3 * n), _u(s + 1, 3 * n),
                                                        _u(s + 2, 3 * n))),
    "terrain_colours_digitize_table": (height_to_terrain_colours, {}, lambda s, n: (
        _u(s, n, 6), np.array([0.3, 0.4, 0.7, 0.85]),
        np.array([[0, 0, 200], [230, 210, 140], [40, 170, 40], [128, 128, 128],
                  [255, 255, 255]], dtype=np.uint8))),
    "alpha_blend_uint8_float32": (alpha_blend_uint8, {}, lambda s, n: (
        _i(256, n, 5, 3, seed=s).astype(np.uint8), _i(256, n, 5, 3, seed=s + 1).astype(np.uint8),
        _i(256, n, 5, seed=s + 2).astype(np.uint8))),
    "quantize_to_palette_int32": (quantize_to_palette, {}, lambda s, n: (
        _i(256, n, 4, 3, seed=s).astype(np.uint8),
        np.array([[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 0, 255]], dtype=np.uint8))),
    "day_night_tint_inplace": (day_night_tint, {}, lambda s, n: (
        _i(256, n, 4, 3, seed=s).astype(np.uint8), 5.0 * s)),
}


@pytest.mark.parametrize("name", _names(CURVES))
def test_curves_easing_and_colour_match_numpy(name):
    """Easing functions by `np.where`/`np.select` from a table of names, smoothstep, Bezier
    curves by de Casteljau, Bernstein and matrices, Catmull-Rom, arc-length resampling,
    palettes by `np.interp`, `np.choose` and `np.digitize`, alpha blending and quantisation."""
    check_like_numpy(*CURVES[name])


# ======================================================= spectral terrain and integer hashes


def spectral_terrain_fft(rng, size=16, beta=2.0):
    # 1/f^beta noise: white noise filtered in the frequency domain, real part of ifft2
    white = rng.normal(size=(size, size))
    F = np.fft.fft2(white)
    kx = np.fft.fftfreq(size)
    ky = np.fft.fftfreq(size)
    k = np.sqrt(kx[None, :] ** 2 + ky[:, None] ** 2)
    k[0, 0] = 1.0
    F = F / k ** (beta / 2)
    F[0, 0] = 0
    h = np.fft.ifft2(F).real
    return (h - h.min()) / np.ptp(h)


def spectral_terrain_random_phase(amplitude_seed, phases, beta=2.2):
    # random phases, power-law amplitudes, Hermitian symmetry by irfft2
    n = phases.shape[0]
    kx = np.fft.rfftfreq(n)
    ky = np.fft.fftfreq(n)
    k = np.hypot(kx[None, :], ky[:, None])
    amp = np.where(k > 0, k ** (-beta / 2), 0.0) * amplitude_seed
    spectrum = amp * np.exp(2j * np.pi * phases)
    return np.fft.irfft2(spectrum, s=(n, n))


def fft_blur_heightmap(h, sigma=1.5):
    # a Gaussian blur by multiplying the spectrum, as in terrain smoothing posts
    fy = np.fft.fftfreq(h.shape[0])[:, None]
    fx = np.fft.fftfreq(h.shape[1])[None, :]
    g = np.exp(-2 * (np.pi * sigma) ** 2 * (fx ** 2 + fy ** 2))
    return np.real(np.fft.ifft2(np.fft.fft2(h) * g))


def squirrel_noise(position, seed):
    # Squirrel Eiserloh's integer noise (GDC 2017), uint32 arithmetic wrapping around
    BIT_NOISE1 = np.uint32(0xB5297A4D)
    BIT_NOISE2 = np.uint32(0x68E31DA4)
    BIT_NOISE3 = np.uint32(0x1B56C4E9)
    m = position.astype(np.uint32)
    m *= BIT_NOISE1
    m += seed
    m ^= m >> np.uint32(8)
    m += BIT_NOISE2
    m ^= m << np.uint32(8)
    m *= BIT_NOISE3
    m ^= m >> np.uint32(8)
    return m, m.astype(np.float64) / 4294967295.0


def xorshift32_stream(state, n=8):
    # a tiny xorshift generator kept in uint32, as in retro-game ports
    out = np.empty((n,) + state.shape, dtype=np.uint32)
    x = state.astype(np.uint32)
    for k in range(n):
        x ^= x << np.uint32(13)
        x ^= x >> np.uint32(17)
        x ^= x << np.uint32(5)
        out[k] = x
    return out


def lcg_uint64(seed, n=6):
    # Knuth's MMIX LCG in uint64, top bits as floats in [0, 1)
    a = np.uint64(6364136223846793005)
    c = np.uint64(1442695040888963407)
    x = seed.astype(np.uint64)
    vals = []
    for _ in range(n):
        x = a * x + c
        vals.append((x >> np.uint64(11)).astype(np.float64) / 2.0 ** 53)
    return np.array(vals)


def bitmask_collision(mask_a, mask_b, offset_x=2, offset_y=1):
    # pygame.mask.overlap: two boolean sprite masks, one shifted, pixel AND, packed bits
    h, w = mask_a.shape
    shifted = np.zeros_like(mask_b)
    shifted[offset_y:, offset_x:] = mask_b[:h - offset_y, :w - offset_x]
    both = mask_a & shifted
    return both.any(), np.packbits(both, axis=1), np.argwhere(both).mean(axis=0)


def wrap_negative_coords(x, y, width, height):
    # wrapping tile coordinates: Python-style % and // of negative ints, and np.fmod for floats
    tx, ty = x % width, y % height
    chunk_x, chunk_y = x // width, y // height
    q, r = np.divmod(x, width)
    return tx, ty, chunk_x, chunk_y, q, r


def wrap_negative_floats(px, size):
    return px % size, np.fmod(px, size), np.floor_divide(px, size), np.remainder(-px, size)


SPECTRAL = {
    "spectral_terrain_fft2": (spectral_terrain_fft, {"size": 8}, lambda s, n: (_rng(s + n),)),
    "spectral_random_phase_irfft2": (spectral_terrain_random_phase, {}, lambda s, n: (
        1.0 + 0.1 * s, _u(s, 2 * n, n + 1))),
    "fft_gaussian_blur": (fft_blur_heightmap, {}, lambda s, n: (_u(s, n + 2, n + 3),)),
    "squirrel_noise_uint32_wrap": (squirrel_noise, {}, lambda s, n: (
        np.arange(-n, 4 * n) * 7 + s, np.uint32(12345 + s))),
    "xorshift32_uint32": (xorshift32_stream, {"n": 6}, lambda s, n: (
        _i(2 ** 31, n, seed=s) + 1,)),
    "lcg_uint64_overflow": (lcg_uint64, {"n": 5}, lambda s, n: (_i(2 ** 40, n, seed=s),)),
    "bitmask_collision_packbits": (bitmask_collision, {}, lambda s, n: (
        _u(s, n + 2, 9) < 0.6, _u(s + 1, n + 2, 9) < 0.6)),
    "wrap_negative_int_modulo": (wrap_negative_coords, {}, lambda s, n: (
        _i(60, 3 * n, seed=s) - 30, _i(60, 3 * n, seed=s + 1) - 30, 8, 6 + s)),
    "wrap_negative_float_fmod": (wrap_negative_floats, {}, lambda s, n: (
        _f(4 * n, seed=s) * 100, 16.0 + s)),
}


@pytest.mark.parametrize("name", _names(SPECTRAL))
def test_spectral_terrain_and_integer_hashes_match_numpy(name):
    """Spectral heightmaps by `np.fft`, FFT blurs, Squirrel noise and xorshift in uint32, an
    LCG in uint64, integer hashes, bitmask collisions by `np.packbits`, wrapping of negative
    coordinates by `%`, `//`, `np.divmod` and `np.fmod`."""
    check_like_numpy(*SPECTRAL[name])


# ============================================================================ game state tables


def award_points_add_at(scores, winners, points):
    # several wins per player in one frame: np.add.at into an int32 score table
    np.add.at(scores, winners, points)
    ranking = np.argsort(-scores, kind="stable")
    return scores, ranking, scores[ranking[0]]


def leaderboard_lexsort(kills, deaths, assists):
    # sort by kills descending, then deaths ascending, K/D/A ratio with zero deaths guarded
    order = np.lexsort((deaths, -kills))
    kda = (kills + assists) / np.maximum(deaths, 1)
    return order, np.round(kda[order], 2)


def elo_updates(ratings, matches, results, k=32.0):
    # a season of matches in order: the expected score, ratings updated match by match
    ratings = ratings.astype(float)
    for m in range(len(matches)):
        a, b = matches[m]
        ea = 1.0 / (1.0 + 10 ** ((ratings[b] - ratings[a]) / 400))
        ratings[a] += k * (results[m] - ea)
        ratings[b] -= k * (results[m] - ea)
    return ratings


def apply_damage_int16(hp, damage, armor, crit, max_hp=100):
    # integer hit points: damage reduced by armour, crits doubled, clamped into int16
    dmg = np.maximum(damage - armor, 1) * np.where(crit, 2, 1)
    hp -= dmg.astype(np.int16)
    np.clip(hp, 0, max_hp, out=hp)
    return hp, hp == 0


def xp_levels(xp, thresholds):
    # level from cumulative XP thresholds, progress within the level as a fraction
    level = np.searchsorted(thresholds, xp, side="right")
    lo = thresholds[np.maximum(level - 1, 0)]
    hi = thresholds[np.minimum(level, len(thresholds) - 1)]
    frac = np.where(hi > lo, (xp - lo) / np.maximum(hi - lo, 1), 1.0)
    return level, frac


def can_craft(inventory, recipes):
    # every recipe's ingredients against every player's inventory, and how many times
    ok = np.all(inventory[:, None, :] >= recipes[None, :, :], axis=-1)
    per_item = inventory[:, None, :] // np.maximum(recipes[None], 1)
    times = np.min(np.where(recipes[None] > 0, per_item, np.iinfo(np.int64).max), axis=-1)
    return ok, times


def loot_rng_choice(rng, weights, n_rolls=10):
    items = rng.choice(len(weights), size=n_rolls, p=weights / weights.sum())
    rare = rng.random(n_rolls) < 0.05
    return np.where(rare, -1, items)


WIN_LINES = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8],
                      [0, 4, 8], [2, 4, 6]])


def tictactoe_winner(board):
    # boards as int8 (1 for X, -1 for O), line sums through a module-level index table
    sums = board.reshape(-1, 9)[:, WIN_LINES].sum(axis=-1)
    x_wins = np.any(sums == 3, axis=1)
    o_wins = np.any(sums == -3, axis=1)
    return np.where(x_wins, 1, np.where(o_wins, -1, 0)).astype(np.int8)


def connect_four_wins(board, player):
    # four in a row in every direction by ANDing shifted slices
    b = board == player
    horiz = b[:, :-3] & b[:, 1:-2] & b[:, 2:-1] & b[:, 3:]
    vert = b[:-3] & b[1:-2] & b[2:-1] & b[3:]
    diag = b[:-3, :-3] & b[1:-2, 1:-2] & b[2:-1, 2:-1] & b[3:, 3:]
    anti = b[3:, :-3] & b[2:-1, 1:-2] & b[1:-2, 2:-1] & b[:-3, 3:]
    return horiz.any() | vert.any() | diag.any() | anti.any()


def connect_four_drop(board, col, player):
    # the lowest empty row of a column, found by argmax on the reversed column
    column = board[:, col]
    empty = column == 0
    row = len(column) - 1 - np.argmax(empty[::-1])
    board[row, col] = np.where(empty.any(), player, board[row, col])
    return board, row


PST = np.array([[0, 5, 10, 5, 0, 5, 10, 5],
                [10, 20, 30, 20, 10, 20, 30, 20],
                [-5, 0, 5, 0, -5, 0, 5, 0]], dtype=np.int16)


def piece_square_eval(pieces, squares, owners):
    # a board evaluation: piece values plus piece-square table bonuses, by side
    values = np.array([100, 320, 500], dtype=np.int16)
    score = values[pieces] + PST[pieces, squares % 8]
    return np.sum(np.where(owners == 0, score, -score))


def tetris_clear_lines(board):
    # full rows removed and the rest dropped down, by a stable argsort of the full mask
    full = board.all(axis=1)
    order = np.argsort(~full, kind="stable")
    dropped = board[order]
    n_full = full.sum()
    dropped[np.arange(board.shape[0]) < n_full] = 0
    return dropped, n_full


def tetris_rotate_fits(board, piece, row, col):
    # every rotation of a piece tested against the board at a fixed position
    fits = []
    for k in range(4):
        p = np.rot90(piece, k)
        h, w = p.shape
        region = board[row:row + h, col:col + w]
        fits.append(not_colliding(region, p))
    return np.array(fits)


def not_colliding(region, p):
    return ~np.any(region.astype(bool) & p.astype(bool))


def game_2048_move_left(board):
    # 2048's move: slide tiles left by a stable sort of the empty mask, merge equal pairs
    order = np.argsort(board == 0, axis=1, kind="stable")
    b = np.take_along_axis(board, order, axis=1)
    score = 0
    for j in range(b.shape[1] - 1):
        merge = (b[:, j] == b[:, j + 1]) & (b[:, j] != 0)
        b[:, j] = np.where(merge, 2 * b[:, j], b[:, j])
        b[:, j + 1:] = np.where(merge[:, None], np.concatenate(
            [b[:, j + 2:], np.zeros((b.shape[0], 1), b.dtype)], axis=1), b[:, j + 1:])
        score = score + np.sum(np.where(merge, b[:, j], 0))
    return b, score


STATE = {
    "scores_add_at_int32": (award_points_add_at, {}, lambda s, n: (
        np.zeros(n, dtype=np.int32), _i(n, 3 * n, seed=s),
        _i(5, 3 * n, seed=s + 1).astype(np.int32))),
    "leaderboard_lexsort": (leaderboard_lexsort, {}, lambda s, n: (
        _i(10, 2 * n, seed=s), _i(5, 2 * n, seed=s + 1), _i(8, 2 * n, seed=s + 2))),
    "elo_match_loop": (elo_updates, {}, lambda s, n: (
        _i(400, n, seed=s) + 1200, np.array([[0, 1], [1, 2], [2, 0], [0, 3], [3, 1]]),
        _i(2, 5, seed=s).astype(float))),
    "damage_int16_clip_out": (apply_damage_int16, {}, lambda s, n: (
        (_i(100, 3 * n, seed=s) + 1).astype(np.int16), _i(40, 3 * n, seed=s + 1),
        _i(10, 3 * n, seed=s + 2), _u(s, 3 * n) < 0.2)),
    "xp_levels_searchsorted": (xp_levels, {}, lambda s, n: (
        _i(5000, 4 * n, seed=s), np.array([0, 100, 300, 700, 1500, 3100]))),
    "crafting_floor_divide_iinfo": (can_craft, {}, lambda s, n: (
        _i(10, n, 4, seed=s), _i(4, 3, 4, seed=s + 1))),
    "loot_rng_choice_p": (loot_rng_choice, {"n_rolls": 10}, lambda s, n: (
        _rng(s + n), np.array([50.0, 30.0, 15.0, 5.0]))),
    "tictactoe_win_lines_table": (tictactoe_winner, {}, lambda s, n: (
        (_i(3, n, 3, 3, seed=s) - 1).astype(np.int8),)),
    "connect_four_shifted_and": (connect_four_wins, {}, lambda s, n: (
        _i(3, 6, 7, seed=s + n), 1)),
    "connect_four_drop_reversed_argmax": (connect_four_drop, {}, lambda s, n: (
        np.sort(_i(3, 6, 7, seed=s + n), axis=0) * (_u(s, 6, 7) < 0.9), 3, 2)),
    "piece_square_table_int16": (piece_square_eval, {}, lambda s, n: (
        _i(3, 3 * n, seed=s), _i(64, 3 * n, seed=s + 1), _i(2, 3 * n, seed=s + 2))),
    "tetris_clear_argsort": (tetris_clear_lines, {}, lambda s, n: (
        (_u(s, n + 4, 6) < 0.8).astype(np.int8),)),
    "tetris_rotations_rot90": (tetris_rotate_fits, {}, lambda s, n: (
        (_u(s, n + 4, 6) < 0.3).astype(np.int8), np.array([[1, 1, 0], [0, 1, 1]]), 1, 2)),
    "game_2048_move_left": (game_2048_move_left, {}, lambda s, n: (
        2 ** _i(4, n, 4, seed=s) * (_u(s, n, 4) < 0.6),)),
}


@pytest.mark.parametrize("name", _names(STATE))
def test_game_state_tables_match_numpy(name):
    """Score tables by `np.add.at`, leaderboards by lexsort, Elo loops, int16 damage with
    `clip(out=)`, XP levels, crafting checks, dice and loot tables, tic-tac-toe and
    connect-four, piece-square tables, Tetris line clears and rotations, 2048's merge."""
    check_like_numpy(*STATE[name])


# =================================================================== game objects and state


def particles_dict_step(state, dt):
    # the particle system as a dict of arrays and a frame counter, updated in place
    state["vel"][:, 1] -= 9.8 * dt
    state["pos"] += state["vel"] * dt
    state["life"] -= dt
    dead = state["life"] < 0
    state["pos"][dead] = 0.0
    state["life"][dead] = 1.0
    state["frame"] += 1
    return state


@dataclasses.dataclass
class ParticleBatch:
    pos: np.ndarray
    vel: np.ndarray
    life: np.ndarray


def dataclass_particles_step(p, dt):
    # a dataclass of arrays: attributes rebound and updated in place, fields returned
    p.vel = p.vel + np.array([0.0, -9.8]) * dt
    p.pos += p.vel * dt
    p.life = np.where(p.life - dt < 0, 1.0, p.life - dt)
    return p.pos, p.vel, p.life


class World:
    def __init__(self, pos, vel, restitution=0.8):
        self.pos, self.vel = pos, vel
        self.gravity = np.array([0.0, -9.8])
        self.restitution = restitution

    def step(self, dt):
        self.vel += self.gravity * dt
        self.pos += self.vel * dt
        hit = self.pos[:, 1] < 0
        self.vel[hit, 1] *= -self.restitution
        self.pos[hit, 1] = 0
        return hit.sum()


def world_class_steps(pos, vel, dt, frames=3):
    # a World object made inside, stepped a few frames, bounce counts summed
    world = World(pos, vel)
    bounces = 0
    for _ in range(frames):
        bounces += world.step(dt)
    return world.pos, world.vel, bounces


def random_walk_choice_rows(rng, n=10):
    # a walker's steps as rows chosen from the four moves
    moves = np.array([[0, 1], [0, -1], [1, 0], [-1, 0]])
    steps = rng.choice(moves, size=n)
    return np.cumsum(steps, axis=0)


OBJECTS = {
    "particles_dict_in_place": (particles_dict_step, {}, lambda s, n: ({
        "pos": _f(n, 2, seed=s), "vel": _f(n, 2, seed=s + 1), "life": _u(s, n) - 0.3,
        "frame": 3}, 0.1)),
    "particles_dataclass": (dataclass_particles_step, {}, lambda s, n: (ParticleBatch(
        _f(n, 2, seed=s), _f(n, 2, seed=s + 1), _u(s, n)), 0.1)),
    "world_class_made_inside": (world_class_steps, {"frames": 3}, lambda s, n: (
        _f(n, 2, seed=s), _f(n, 2, seed=s + 1), 0.2)),
    "random_walk_choice_rows": (random_walk_choice_rows, {"n": 10}, lambda s, n: (_rng(s + n),)),
}


@pytest.mark.parametrize("name", _names(OBJECTS))
def test_game_objects_match_numpy(name):
    """Particle state as a dict of arrays with a frame counter, a dataclass, a `World` class
    made inside and stepped, and a walk of rows chosen by a generator."""
    check_like_numpy(*OBJECTS[name])


# -------------------------------------------------------------- Python scalars that steer


def diamond_square_exponent(n, seed):
    return diamond_square(np.random.default_rng(seed), n, 0.5)


def fbm_octaves_positional(x, y, lattice, octaves, persistence):
    return fbm(x, y, lattice, octaves, persistence)


def life_steps_positional(board, steps):
    return life_rule_table(board, (3,), (2, 3), steps)


def cave_positional(width, height, fill, steps, seed):
    rng = np.random.default_rng(seed)
    return cave_padded_walls(rng, (height, width), fill, steps)


def projectile_until(v0, angle, dt, t_max):
    # explicit Euler until t_max: the step count from Python floats
    n = int(t_max / dt)
    pos = np.zeros((n + 1, 2))
    vel = np.array([v0 * np.cos(angle), v0 * np.sin(angle)])
    for k in range(n):
        vel = vel + np.array([0.0, -9.81]) * dt
        pos[k + 1] = pos[k] + vel * dt
    return pos


def perlin_seed_positional(x, y, seed):
    return perlin(x, y, seed)


def rope_iterations_positional(pos, edges, rest, anchor, iterations):
    return rope_relax_add_at(pos, edges, rest, anchor, iterations)


def dda_player_position(grid, px, py, angle):
    # the player's Python float position: int(px) picks the starting tile
    return dda_raycast_columns(grid, px, py, angle, np.pi / 3, 8, 12)


STEERED = {
    "diamond_square_exponent_seed": (diamond_square_exponent, lambda s: (s, 10 + s)),
    "fbm_octave_count": (fbm_octaves_positional, lambda s: (
        _u(s, 4, 3) * 6, _u(s + 1, 4, 3) * 6, _u(2, 6, 6), 2 + s, 0.5)),
    "life_steps": (life_steps_positional, lambda s: (_u(s, 6, 7) < 0.4, 2 * s)),
    "cave_size_fill_steps_seed": (cave_positional, lambda s: (8 + s, 6 + s, 0.45, s + 1, s)),
    "projectile_dt_t_max": (projectile_until, lambda s: (12.0, 0.7, 0.1, 0.5 * s)),
    "perlin_seed": (perlin_seed_positional, lambda s: (_u(s, 3, 4) * 8, _u(s + 1, 3, 4) * 8, s)),
    "rope_iterations": (rope_iterations_positional, lambda s: (
        np.cumsum(_f(5, 2, seed=s) * 0.3 + [1.0, 0.0], axis=0),
        np.stack([np.arange(4), np.arange(1, 5)], axis=1), np.ones(4), np.zeros(2), 2 * s)),
    "dda_player_tile": (dda_player_position, lambda s: (_level(s, 4), 2.5 + 0.6 * s, 2.5, 0.2)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Grid exponents and seeds, octave counts, Life and cave steps, cave sizes and fill
    fractions, sample counts, projectile step counts from `int(t_max / dt)`, Perlin seeds,
    relaxation iterations, the player's tile from `int(px)`: made static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def bridson_poisson_disk(rng, width=10.0, height=10.0, r=1.5, k=10):
    # Bridson's algorithm: the active list grows and shrinks with the values
    cell = r / np.sqrt(2)
    gw, gh = int(np.ceil(width / cell)), int(np.ceil(height / cell))
    grid = -np.ones((gh, gw), dtype=int)
    first = rng.random(2) * [width, height]
    samples = [first]
    active = [0]
    grid[int(first[1] / cell), int(first[0] / cell)] = 0
    while active:
        i = active[rng.integers(len(active))]
        found = False
        for _ in range(k):
            ang = rng.random() * 2 * np.pi
            rad = r * (1 + rng.random())
            p = samples[i] + rad * np.array([np.cos(ang), np.sin(ang)])
            if not (0 <= p[0] < width and 0 <= p[1] < height):
                continue
            gx, gy = int(p[0] / cell), int(p[1] / cell)
            ok = True
            for yy in range(max(gy - 2, 0), min(gy + 3, gh)):
                for xx in range(max(gx - 2, 0), min(gx + 3, gw)):
                    j = grid[yy, xx]
                    if j >= 0 and np.linalg.norm(samples[j] - p) < r:
                        ok = False
            if ok:
                grid[gy, gx] = len(samples)
                active.append(len(samples))
                samples.append(p)
                found = True
                break
        if not found:
            active.remove(i)
    return np.array(samples)


def spatial_hash_unique(pos, cell=2.0):
    # occupied cells and their populations by np.unique on the cell keys
    keys = np.floor(pos / cell).astype(int)
    cells, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    return cells, counts[inverse.ravel()]


def collide_pairs_python_loop(pos, vel, radius):
    # the tutorial's narrow phase: loop over the overlapping pairs np.nonzero found
    d = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
    i_idx, j_idx = np.nonzero(np.triu(d < 2 * radius, 1))
    for i, j in zip(i_idx, j_idx):
        vel[i], vel[j] = vel[j].copy(), vel[i].copy()
    return vel


def collision_pairs_returned(pos, radius):
    d = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
    return np.argwhere(np.triu(d < 2 * radius, 1))


def dda_while_not_hit(grid, px, py, angle):
    # the per-ray DDA: step until the tile is a wall
    dx, dy = np.cos(angle), np.sin(angle)
    mx, my = int(px), int(py)
    ddx, ddy = abs(1 / dx), abs(1 / dy)
    sx, sy = (1, (mx + 1 - px) * ddx) if dx > 0 else (-1, (px - mx) * ddx)
    tx, ty = (1, (my + 1 - py) * ddy) if dy > 0 else (-1, (py - my) * ddy)
    side_x, side_y = sy, ty
    hit = False
    while not hit:
        if side_x < side_y:
            side_x += ddx
            mx += sx
        else:
            side_y += ddy
            my += tx
        hit = grid[my, mx] > 0
    return mx, my


def boid_if_neighbours(positions, velocities, radius=2.0):
    out = np.zeros_like(velocities)
    for i in range(len(positions)):
        near = np.linalg.norm(positions - positions[i], axis=1) < radius
        near[i] = False
        count = near.sum()
        if count > 0:
            out[i] = velocities[near].mean(axis=0) - velocities[i]
    return out


def compact_live_particles(pos, vel, life, dt):
    # the particles still alive, compacted for drawing
    life = life - dt
    alive = life > 0
    return pos[alive] + vel[alive] * dt, vel[alive], life[alive]


def bfs_flood_fill(grid, start):
    from collections import deque
    h, w = grid.shape
    seen = np.zeros_like(grid, dtype=bool)
    q = deque([start])
    seen[start] = True
    while q:
        y, x = q.popleft()
        for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            ny, nx = y + dy, x + dx
            if 0 <= ny < h and 0 <= nx < w and not seen[ny, nx] and grid[ny, nx] == 0:
                seen[ny, nx] = True
                q.append((ny, nx))
    return seen


def astar_heap(grid, start, goal):
    import heapq
    h, w = grid.shape
    g = np.full(grid.shape, np.inf)
    g[start] = 0
    heap = [(0.0, start)]
    while heap:
        _, (y, x) = heapq.heappop(heap)
        if (y, x) == goal:
            break
        for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            ny, nx = y + dy, x + dx
            if 0 <= ny < h and 0 <= nx < w and grid[ny, nx] == 0:
                ng = g[y, x] + 1
                if ng < g[ny, nx]:
                    g[ny, nx] = ng
                    heapq.heappush(heap, (ng + abs(goal[0] - ny) + abs(goal[1] - nx), (ny, nx)))
    return g


def game_loop_until_dead(hp, dmg, max_frames=100):
    frames = 0
    for _ in range(max_frames):
        hp = hp - dmg
        frames += 1
        if np.all(hp <= 0):
            break
    return frames, hp


def slide_row_2048(row):
    # the readable 2048 slide: a Python list of the non-zero tiles and pairwise merges
    tiles = [v for v in row if v != 0]
    out = []
    skip = False
    for k in range(len(tiles)):
        if skip:
            skip = False
            continue
        if k + 1 < len(tiles) and tiles[k] == tiles[k + 1]:
            out.append(2 * tiles[k])
            skip = True
        else:
            out.append(tiles[k])
    return np.array(out + [0] * (len(row) - len(out)))


def tetris_clear_vstack(board):
    # full rows dropped by a selection, empty rows stacked on top
    full = board.all(axis=1)
    kept = board[~full]
    return np.vstack([np.zeros((full.sum(), board.shape[1]), dtype=board.dtype), kept])


PARTICLE_DTYPE = np.dtype([("pos", "f4", 2), ("vel", "f4", 2), ("life", "f4")])


def structured_particles(p, dt):
    # glumpy/vispy-style particles in one structured array
    p["vel"][:, 1] -= 9.81 * dt
    p["pos"] += p["vel"] * dt
    p["life"] -= dt
    return p


def _structured(s):
    p = np.zeros(6, dtype=PARTICLE_DTYPE)
    p["pos"] = _f(6, 2, seed=s)
    p["vel"] = _f(6, 2, seed=s + 1)
    p["life"] = _u(s, 6)
    return p


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError
_Unsupported = tracenp.errors.UnsupportedFunctionError

REFUSED = {
    "bridson_active_list": (_Concretization, bridson_poisson_disk, lambda s: (_rng(s),)),
    "spatial_hash_np_unique": (_DataDependent, spatial_hash_unique, lambda s: (
        _u(s, 12, 2) * 8,)),
    "collision_pairs_python_loop": (_DataDependent, collide_pairs_python_loop, lambda s: (
        _u(s, 8, 2) * 4, _f(8, 2, seed=s), 0.6)),
    "collision_pairs_argwhere": (_DataDependent, collision_pairs_returned, lambda s: (
        _u(s, 8, 2) * 4, 0.6)),
    "dda_while_not_hit": (_Concretization, dda_while_not_hit, lambda s: (
        _level(s, 4), 2.5, 2.5, np.float64(0.3 * s))),
    "boid_if_count": (_Concretization, boid_if_neighbours, lambda s: (
        _u(s, 6, 2) * 5, _f(6, 2, seed=s))),
    "compact_live_particles": (_DataDependent, compact_live_particles, lambda s: (
        _f(8, 2, seed=s), _f(8, 2, seed=s + 1), _u(s, 8), 0.3)),
    "bfs_flood_fill_deque": (_Concretization, bfs_flood_fill, lambda s: (
        (_u(s, 6, 7) < 0.3).astype(int) * (np.arange(7) != 0), (0, 0))),
    "astar_heapq": (_Concretization, astar_heap, lambda s: (
        (_u(s, 6, 7) < 0.2).astype(int) * (np.arange(7) % 3 != 0), (0, 0), (5, 6))),
    "game_loop_break_all_dead": (_Concretization, game_loop_until_dead, lambda s: (
        _u(s, 5) * 50, _u(s + 1, 5) * 5 + 1)),
    "slide_2048_python_list": (_Concretization, slide_row_2048, lambda s: (
        2 ** _i(3, 4, seed=s) * (_u(s, 4) < 0.7),)),
    "tetris_clear_vstack_selection": (_Concretization, tetris_clear_vstack, lambda s: (
        (_u(s, 6, 4) < 0.8).astype(np.int8),)),
}


# refused until they traced (stop 38): NumPy's values now
TRACED_NOW = {
    "structured_particle_fields": (structured_particles, {}, lambda s, n: (
        _structured(s), 0.1)),
}


@pytest.mark.parametrize("name", list(TRACED_NOW))
def test_forms_once_refused_now_trace(name):
    """Forms refused until tracenp traced them: NumPy's values now."""
    check_like_numpy(*TRACED_NOW[name])


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Bridson's active list, `np.unique` spatial hashes, collision pairs by `np.nonzero` in a
    Python loop and by `np.argwhere`, the per-ray DDA `while not hit`, a boid's `if count >
    0`, compacting live particles, BFS and A* over Python containers, a game loop that breaks
    when all are dead, 2048's list slide, Tetris's `vstack` of a selection, and structured
    particle arrays: the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
