"""Corpus, hunt D: robotics and 3-D geometry (rotation matrices from Euler angles built as
nested lists of traced values, quaternion products, normalization and conversions, Rodrigues'
formula by `np.cross` and `np.outer`, homogeneous transforms written into `np.eye(4)`,
Denavit-Hartenberg forward kinematics, Jacobians and IK steps, particle filters with systematic
and multinomial resampling, Kalman and extended Kalman filters, occupancy grids, point clouds:
nearest neighbours by broadcasting, Kabsch and ICP by SVD), physics simulation (Ising
Metropolis with checkerboard masks and `np.roll` neighbours, lattice Boltzmann streaming and
bounce-back, N-body with softening, springs, heat and wave equations with boundary rows,
projectiles with drag, SPH kernels, oscillator energies, `np.gradient`, `np.trapezoid`, Poisson
and diffusion by FFT), bioinformatics (one-hot DNA, GC content and skew, k-mer codes,
Needleman-Wunsch and Smith-Waterman loops, Hamming and Jukes-Cantor distances, PWM scoring on
sliding windows, Hardy-Weinberg, LD, GRMs, neighbour joining, expression normalization) and
signal and audio processing (framing by `sliding_window_view` and hop slicing, the windows,
STFT and overlap-add, mel filterbanks filled in loops, MFCCs and deltas, pre-emphasis, zero
crossings, RMS and dB floors, `np.convolve`/`np.correlate` in every mode, FIR, IIR and biquad
recurrences with scalar writes, autocorrelation and LPC, resampling by `np.interp` and FFT,
envelopes, int16 PCM with clipping), written the way public code in those fields writes them;
and the writes such code makes through views of its arguments, its integer and bool grids,
its module-level lookup tables and `from numpy import array, zeros` imports.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Forms that cannot be traced raise a named error and run
eagerly under `fallback=True`; calls NumPy rejects raise NumPy's exception type under `jit`.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from numpy import array, cos, empty, eye, sin, zeros  # as physics scripts import them
from numpy.lib.stride_tricks import sliding_window_view

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_ops import assert_same

# ----------------------------------------------------------------------------- robotics and 3-D geometry


def euler_to_matrix(roll, pitch, yaw):
    cr, sr = np.cos(roll), np.sin(roll)
    cp, sp = np.cos(pitch), np.sin(pitch)
    cy, sy = np.cos(yaw), np.sin(yaw)
    Rx = np.array([[1, 0, 0], [0, cr, -sr], [0, sr, cr]])
    Ry = np.array([[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]])
    Rz = np.array([[cy, -sy, 0], [sy, cy, 0], [0, 0, 1]])
    return Rz @ Ry @ Rx


def euler_from_array(angles):
    r, p, y = angles
    R = np.array([
        [np.cos(y) * np.cos(p), np.cos(y) * np.sin(p) * np.sin(r) - np.sin(y) * np.cos(r),
         np.cos(y) * np.sin(p) * np.cos(r) + np.sin(y) * np.sin(r)],
        [np.sin(y) * np.cos(p), np.sin(y) * np.sin(p) * np.sin(r) + np.cos(y) * np.cos(r),
         np.sin(y) * np.sin(p) * np.cos(r) - np.cos(y) * np.sin(r)],
        [-np.sin(p), np.cos(p) * np.sin(r), np.cos(p) * np.cos(r)]])
    return R


def matrix_to_euler(R):
    sy = np.sqrt(R[0, 0] ** 2 + R[1, 0] ** 2)
    singular = sy < 1e-6
    if not singular:
        x = np.arctan2(R[2, 1], R[2, 2])
        y = np.arctan2(-R[2, 0], sy)
        z = np.arctan2(R[1, 0], R[0, 0])
    else:
        x = np.arctan2(-R[1, 2], R[1, 1])
        y = np.arctan2(-R[2, 0], sy)
        z = 0
    return np.array([x, y, z])


def rot2d(theta):
    c, s = np.cos(theta), np.sin(theta)
    return np.array(((c, -s), (s, c)))


def rotate_points_2d(pts, theta):
    c, s = np.cos(theta), np.sin(theta)
    R = np.array([[c, -s], [s, c]])
    return pts @ R.T


def quat_multiply(q1, q2):
    w1, x1, y1, z1 = q1
    w2, x2, y2, z2 = q2
    return np.array([
        w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
        w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
        w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
        w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2,
    ])


def quat_multiply_batch(q, r):
    w0, x0, y0, z0 = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    w1, x1, y1, z1 = r[..., 0], r[..., 1], r[..., 2], r[..., 3]
    return np.stack([w0 * w1 - x0 * x1 - y0 * y1 - z0 * z1,
                     w0 * x1 + x0 * w1 + y0 * z1 - z0 * y1,
                     w0 * y1 - x0 * z1 + y0 * w1 + z0 * x1,
                     w0 * z1 + x0 * y1 - y0 * x1 + z0 * w1], axis=-1)


def quat_normalize(q):
    n = np.linalg.norm(q, axis=-1, keepdims=True)
    q = q / n
    q[q[:, 0] < 0] *= -1
    return q


def quat_to_matrix(q):
    q = q / np.linalg.norm(q)
    w, x, y, z = q
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def quat_conjugate_rotate(q, v):
    qv = np.concatenate([[0.0], v])
    qc = q * np.array([1, -1, -1, -1])
    return quat_multiply(quat_multiply(q, qv), qc)[1:]


def quat_slerp(q0, q1, t):
    q0 = q0 / np.linalg.norm(q0)
    q1 = q1 / np.linalg.norm(q1)
    dot = np.dot(q0, q1)
    if dot < 0.0:
        q1 = -q1
        dot = -dot
    dot = np.clip(dot, -1.0, 1.0)
    theta_0 = np.arccos(dot)
    sin_theta_0 = np.sin(theta_0)
    theta = theta_0 * t
    s0 = np.cos(theta) - dot * np.sin(theta) / sin_theta_0
    s1 = np.sin(theta) / sin_theta_0
    return s0[:, None] * q0 + s1[:, None] * q1


def skew(v):
    return np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])


def rodrigues(axis, angle):
    axis = axis / np.linalg.norm(axis)
    K = skew(axis)
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K


def rodrigues_rotate(k, theta, v):
    k = k / np.linalg.norm(k)
    return (v * np.cos(theta) + np.cross(k, v) * np.sin(theta)
            + k * np.dot(k, v) * (1 - np.cos(theta)))


def axis_angle_matrix(k, theta):
    k = k / np.linalg.norm(k)
    c, s = np.cos(theta), np.sin(theta)
    return c * np.eye(3) + s * np.cross(np.eye(3), k) + (1 - c) * np.outer(k, k)


def matrix_to_axis_angle(R):
    angle = np.arccos(np.clip((np.trace(R) - 1) / 2, -1, 1))
    axis = np.array([R[2, 1] - R[1, 2], R[0, 2] - R[2, 0], R[1, 0] - R[0, 1]])
    axis = axis / (2 * np.sin(angle))
    return axis, angle


def homogeneous(R, t):
    T = np.eye(4)
    T[:3, :3] = R
    T[:3, 3] = t
    return T


def invert_transform(T):
    R = T[:3, :3]
    t = T[:3, 3]
    Tinv = np.identity(4)
    Tinv[:3, :3] = R.T
    Tinv[:3, 3] = -R.T @ t
    return Tinv


def transform_points(T, pts):
    ph = np.hstack([pts, np.ones((pts.shape[0], 1))])
    out = (T @ ph.T).T
    return out[:, :3] / out[:, 3:]


def dh_matrix(theta, d, a, alpha):
    ct, st = np.cos(theta), np.sin(theta)
    ca, sa = np.cos(alpha), np.sin(alpha)
    return np.array([[ct, -st * ca, st * sa, a * ct],
                     [st, ct * ca, -ct * sa, a * st],
                     [0, sa, ca, d],
                     [0, 0, 0, 1]])


def forward_kinematics_dh(q, d, a, alpha):
    T = np.eye(4)
    frames = []
    for i in range(len(q)):
        T = T @ dh_matrix(q[i], d[i], a[i], alpha[i])
        frames.append(T[:3, 3].copy())
    return T, np.array(frames)


def planar_arm_fk(q, lengths):
    x, y, phi = 0.0, 0.0, 0.0
    pts = [(x, y)]
    for qi, li in zip(q, lengths):
        phi = phi + qi
        x = x + li * np.cos(phi)
        y = y + li * np.sin(phi)
        pts.append((x, y))
    return np.array(pts)


def planar_arm_jacobian(q, lengths):
    n = len(q)
    J = np.zeros((2, n))
    cum = np.cumsum(q)
    for i in range(n):
        J[0, i] = -np.sum(lengths[i:] * np.sin(cum[i:]))
        J[1, i] = np.sum(lengths[i:] * np.cos(cum[i:]))
    return J


def ik_step(q, lengths, target, alpha=0.5):
    cum = np.cumsum(q)
    ee = np.array([np.sum(lengths * np.cos(cum)), np.sum(lengths * np.sin(cum))])
    J = planar_arm_jacobian(q, lengths)
    err = target - ee
    dq = np.linalg.pinv(J) @ err
    return q + alpha * dq, np.linalg.norm(err)


def damped_least_squares(J, err, lam=0.1):
    JJt = J @ J.T
    return J.T @ np.linalg.solve(JJt + lam ** 2 * np.eye(JJt.shape[0]), err)


def normalize_weights(w):
    w = w + 1.e-300
    w /= np.sum(w)
    return w


def systematic_resample(weights, u0):
    N = len(weights)
    positions = (u0 + np.arange(N)) / N
    indexes = np.zeros(N, 'i')
    cumulative_sum = np.cumsum(weights)
    i, j = 0, 0
    while i < N:
        if positions[i] < cumulative_sum[j]:
            indexes[i] = j
            i += 1
        else:
            j += 1
    return indexes


def systematic_resample_vec(particles, weights, rng):
    N = len(weights)
    positions = (rng.random() + np.arange(N)) / N
    cs = np.cumsum(weights)
    cs[-1] = 1.0
    idx = np.searchsorted(cs, positions)
    return particles[idx], np.full(N, 1.0 / N)


def pf_update(particles, weights, z, landmarks, R):
    for i, lm in enumerate(landmarks):
        dist = np.linalg.norm(particles[:, 0:2] - lm, axis=1)
        weights *= np.exp(-(dist - z[i]) ** 2 / (2 * R ** 2)) / np.sqrt(2 * np.pi * R ** 2)
    weights += 1.e-300
    weights /= sum(weights)
    return weights


def neff(weights):
    return 1. / np.sum(np.square(weights))


def pf_estimate(particles, weights):
    pos = particles[:, 0:2]
    mean = np.average(pos, weights=weights, axis=0)
    var = np.average((pos - mean) ** 2, weights=weights, axis=0)
    return mean, var


def pf_predict(particles, u, std, noise, dt=1.):
    particles[:, 2] += u[0] + noise[:, 0] * std[0]
    particles[:, 2] %= 2 * np.pi
    dist = (u[1] * dt) + noise[:, 1] * std[1]
    particles[:, 0] += np.cos(particles[:, 2]) * dist
    particles[:, 1] += np.sin(particles[:, 2]) * dist
    return particles


def kf_predict(x, P, F, Q):
    x = F @ x
    P = F @ P @ F.T + Q
    return x, P


def kf_update(x, P, z, H, R):
    y = z - H @ x
    S = H @ P @ H.T + R
    K = P @ H.T @ np.linalg.inv(S)
    x = x + K @ y
    I = np.eye(P.shape[0])
    P = (I - K @ H) @ P
    return x, P


def kf_update_joseph(x, P, z, H, R):
    y = z - np.dot(H, x)
    PHT = np.dot(P, H.T)
    S = np.dot(H, PHT) + R
    K = np.linalg.solve(S.T, PHT.T).T
    x = x + np.dot(K, y)
    I_KH = np.eye(len(x)) - np.dot(K, H)
    P = np.dot(np.dot(I_KH, P), I_KH.T) + np.dot(np.dot(K, R), K.T)
    log_like = -0.5 * (np.log(np.linalg.det(2 * np.pi * S)) + y @ np.linalg.solve(S, y))
    return x, P, log_like


def ekf_range_bearing(x, P, z, lm, R):
    dx = lm[0] - x[0]
    dy = lm[1] - x[1]
    q = dx ** 2 + dy ** 2
    r = np.sqrt(q)
    zhat = np.array([r, np.arctan2(dy, dx) - x[2]])
    H = np.array([[-dx / r, -dy / r, 0], [dy / q, -dx / q, -1]])
    y = z - zhat
    y[1] = (y[1] + np.pi) % (2 * np.pi) - np.pi
    S = H @ P @ H.T + R
    K = P @ H.T @ np.linalg.inv(S)
    return x + K @ y, (np.eye(3) - K @ H) @ P


def ekf_motion(x, P, u, dt, Q):
    theta = x[2]
    v, w = u
    x_new = x + np.array([v * np.cos(theta) * dt, v * np.sin(theta) * dt, w * dt])
    G = np.eye(3)
    G[0, 2] = -v * np.sin(theta) * dt
    G[1, 2] = v * np.cos(theta) * dt
    return x_new, G @ P @ G.T + Q


def occupancy_update(grid, xs, ys, l_occ=0.85, l_free=-0.4):
    ix = np.clip(np.floor(xs).astype(int), 0, grid.shape[1] - 1)
    iy = np.clip(np.floor(ys).astype(int), 0, grid.shape[0] - 1)
    grid[iy, ix] += l_occ
    grid += l_free * 0.01
    np.clip(grid, -5, 5, out=grid)
    return grid


def log_odds_to_prob(grid):
    return 1 - 1 / (1 + np.exp(grid))


def bresenham_cells(x0, y0, x1, y1):
    dx, dy = abs(x1 - x0), abs(y1 - y0)
    n = max(dx, dy) + 1
    xs = np.round(np.linspace(x0, x1, n)).astype(int)
    ys = np.round(np.linspace(y0, y1, n)).astype(int)
    return xs, ys


def world_to_grid(pts, origin, res, shape):
    cells = np.floor((pts - origin) / res).astype(np.int64)
    valid = np.all((cells >= 0) & (cells < np.array(shape)), axis=1)
    cells = np.where(valid[:, None], cells, 0)
    grid = np.zeros(shape, dtype=np.int32)
    np.add.at(grid, (cells[:, 0], cells[:, 1]), valid.astype(np.int32))
    return grid


def centroid_center(P):
    c = P.mean(axis=0)
    return P - c, c


def nearest_neighbors(src, dst):
    d = np.linalg.norm(src[:, None, :] - dst[None, :, :], axis=2)
    idx = np.argmin(d, axis=1)
    return idx, d[np.arange(len(src)), idx]


def best_fit_transform(A, B):
    m = A.shape[1]
    centroid_A = np.mean(A, axis=0)
    centroid_B = np.mean(B, axis=0)
    AA = A - centroid_A
    BB = B - centroid_B
    H = np.dot(AA.T, BB)
    U, S, Vt = np.linalg.svd(H)
    R = np.dot(Vt.T, U.T)
    if np.linalg.det(R) < 0:
        Vt[m - 1, :] *= -1
        R = np.dot(Vt.T, U.T)
    t = centroid_B.T - np.dot(R, centroid_A.T)
    T = np.identity(m + 1)
    T[:m, :m] = R
    T[:m, m] = t
    return T, R, t


def kabsch(P, Q):
    H = (P - P.mean(0)).T @ (Q - Q.mean(0))
    U, S, Vt = np.linalg.svd(H)
    d = np.sign(np.linalg.det(Vt.T @ U.T))
    D = np.diag([1.0, 1.0, d])
    return Vt.T @ D @ U.T


def icp_step(src, dst):
    idx, dists = nearest_neighbors(src, dst)
    T, R, t = best_fit_transform(src, dst[idx])
    moved = (R @ src.T).T + t
    return moved, np.mean(dists)


def rmsd(P, Q):
    diff = P - Q
    return np.sqrt((diff * diff).sum() / P.shape[0])


def voxel_downsample_keys(pts, voxel):
    keys = np.floor(pts / voxel).astype(np.int64)
    keys -= keys.min(axis=0)
    dims = keys.max(axis=0) + 1
    return keys[:, 0] * dims[1] * dims[2] + keys[:, 1] * dims[2] + keys[:, 2]


def pca_normal(pts):
    c = pts - pts.mean(axis=0)
    cov = c.T @ c / len(pts)
    w, v = np.linalg.eigh(cov)
    n = v[:, 0]
    return n * np.sign(n[2] + 1e-12), w[0] / w.sum()


def bounding_box(pts):
    mn, mx = pts.min(axis=0), pts.max(axis=0)
    return np.vstack([mn, mx]), np.prod(mx - mn)


def angle_wrap(a):
    return np.arctan2(np.sin(a), np.cos(a))


def diff_drive(pose, v, w, dt, steps):
    traj = np.zeros((steps + 1, 3))
    traj[0] = pose
    for k in range(steps):
        x, y, th = traj[k]
        traj[k + 1] = [x + v * np.cos(th) * dt, y + v * np.sin(th) * dt, th + w * dt]
    return traj


def pure_pursuit(pose, path, lookahead):
    d = np.hypot(path[:, 0] - pose[0], path[:, 1] - pose[1])
    i = np.argmin(np.abs(d - lookahead))
    tx, ty = path[i]
    alpha = np.arctan2(ty - pose[1], tx - pose[0]) - pose[2]
    return 2 * np.sin(alpha) / lookahead


def cross_product_matrix_batch(v):
    z = np.zeros_like(v[:, 0])
    return np.stack([np.stack([z, -v[:, 2], v[:, 1]], -1),
                     np.stack([v[:, 2], z, -v[:, 0]], -1),
                     np.stack([-v[:, 1], v[:, 0], z], -1)], 1)


def triangle_normals(V, F):
    a, b, c = V[F[:, 0]], V[F[:, 1]], V[F[:, 2]]
    n = np.cross(b - a, c - a)
    area = 0.5 * np.linalg.norm(n, axis=1)
    return n / np.linalg.norm(n, axis=1)[:, np.newaxis], area


def vertex_normals(V, F):
    fn = np.cross(V[F[:, 1]] - V[F[:, 0]], V[F[:, 2]] - V[F[:, 0]])
    vn = np.zeros_like(V)
    for k in range(3):
        np.add.at(vn, F[:, k], fn)
    return vn / np.linalg.norm(vn, axis=1, keepdims=True)


def angle_between(u, v):
    cosang = np.dot(u, v)
    sinang = np.linalg.norm(np.cross(u, v))
    return np.arctan2(sinang, cosang)


def look_at(eye, target, up):
    f = target - eye
    f = f / np.linalg.norm(f)
    s = np.cross(f, up)
    s /= np.linalg.norm(s)
    u = np.cross(s, f)
    M = np.eye(4)
    M[0, :3], M[1, :3], M[2, :3] = s, u, -f
    M[:3, 3] = -M[:3, :3] @ eye
    return M


def project_pinhole(K, pts):
    uvw = (K @ pts.T).T
    return uvw[:, :2] / uvw[:, 2:3]


def so3_exp_batch(w):
    theta = np.linalg.norm(w, axis=-1, keepdims=True)
    k = w / np.maximum(theta, 1e-12)
    K = cross_product_matrix_batch(k)
    th = theta[..., None]
    return np.eye(3) + np.sin(th) * K + (1 - np.cos(th)) * (K @ K)



def _ang(s):
    return float(np.random.default_rng(s).uniform(-1, 1))


def _quats(s, n):
    q = _f(n, 4, seed=s)
    return q


def _rot(s):
    return rodrigues(_f(3, seed=s), 0.3 + 0.1 * s)


def _F(s):
    return np.eye(4) + 0.1 * np.eye(4, k=2)


ROBOTICS = {
    "euler_to_matrix": (euler_to_matrix, {}, lambda s, n: (_ang(s), _ang(s + 1), _ang(s + n))),
    "euler_to_matrix_0d": (euler_to_matrix, {}, lambda s, n: tuple(_f(3, seed=s + n))),
    "euler_from_array": (euler_from_array, {}, lambda s, n: (_f(3, seed=s + n),)),
    "rot2d": (rot2d, {}, lambda s, n: (_ang(s + n),)),
    "rot2d_0d_array": (rot2d, {}, lambda s, n: (np.float64(_ang(s + n)),)),
    "rotate_points_2d": (rotate_points_2d, {}, lambda s, n: (_f(n, 2, seed=s), _ang(s))),
    "quat_multiply": (quat_multiply, {}, lambda s, n: (_f(4, seed=s + n), _f(4, seed=s + 7))),
    "quat_multiply_batch": (quat_multiply_batch, {}, lambda s, n: (_quats(s, n), _quats(s + 1, n))),
    "quat_normalize": (quat_normalize, {}, lambda s, n: (_quats(s, n),)),
    "quat_to_matrix": (quat_to_matrix, {}, lambda s, n: (_f(4, seed=s + n),)),
    "quat_conjugate_rotate": (quat_conjugate_rotate, {},
                              lambda s, n: (_f(4, seed=s + n), _f(3, seed=s))),
    "rodrigues": (rodrigues, {}, lambda s, n: (_f(3, seed=s + n), _ang(s))),
    "rodrigues_rotate": (rodrigues_rotate, {},
                         lambda s, n: (_f(3, seed=s + n), _ang(s), _f(3, seed=s))),
    "axis_angle_matrix": (axis_angle_matrix, {}, lambda s, n: (_f(3, seed=s + n), _ang(s))),
    "matrix_to_axis_angle": (matrix_to_axis_angle, {}, lambda s, n: (_rot(s + n),)),
    "homogeneous": (homogeneous, {}, lambda s, n: (_rot(s + n), _f(3, seed=s))),
    "invert_transform": (invert_transform, {},
                         lambda s, n: (homogeneous(_rot(s + n), _f(3, seed=s)),)),
    "transform_points": (transform_points, {},
                         lambda s, n: (homogeneous(_rot(s), _f(3, seed=s)), _f(n, 3, seed=s))),
    "forward_kinematics_dh": (forward_kinematics_dh, {},
                              lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1), _f(n, seed=s + 2),
                                            _f(n, seed=3))),
    "planar_arm_fk": (planar_arm_fk, {},
                      lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1, positive=True))),
    "planar_arm_jacobian": (planar_arm_jacobian, {},
                            lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1, positive=True))),
    "ik_step": (ik_step, {},
                lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1, positive=True), _f(2, seed=s + 2))),
    "damped_least_squares": (damped_least_squares, {},
                             lambda s, n: (_f(3, n, seed=s), _f(3, seed=s + 1))),
    "normalize_weights": (normalize_weights, {}, lambda s, n: (_f(n, seed=s, positive=True),)),
    "pf_update": (pf_update, {},
                  lambda s, n: (_f(n, 3, seed=s), np.ones(n) / n, _f(2, seed=s, positive=True),
                                _f(2, 2, seed=5), 0.5)),
    "neff": (neff, {}, lambda s, n: (normalize_weights(_f(n, seed=s, positive=True)),)),
    "pf_estimate": (pf_estimate, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, seed=s, positive=True))),
    "pf_predict": (pf_predict, {},
                   lambda s, n: (_f(n, 3, seed=s), _f(2, seed=s), (0.1, 0.2),
                                 _f(n, 2, seed=s + 1))),
    "kf_predict": (kf_predict, {},
                   lambda s, n: (_f(4, seed=s + n), np.eye(4), _F(s), 0.01 * np.eye(4))),
    "kf_update": (kf_update, {},
                  lambda s, n: (_f(4, seed=s + n), np.eye(4) * 2, _f(2, seed=s), np.eye(2, 4),
                                0.1 * np.eye(2))),
    "kf_update_joseph": (kf_update_joseph, {},
                         lambda s, n: (_f(4, seed=s + n), np.eye(4) * 2, _f(2, seed=s),
                                       np.eye(2, 4), 0.1 * np.eye(2))),
    "ekf_range_bearing": (ekf_range_bearing, {},
                          lambda s, n: (_f(3, seed=s + n), np.eye(3), _f(2, seed=s),
                                        np.array([3.0, 4.0]), np.diag([0.1, 0.01]))),
    "ekf_motion": (ekf_motion, {},
                   lambda s, n: (_f(3, seed=s + n), np.eye(3), _f(2, seed=s), 0.1,
                                 0.01 * np.eye(3))),
    "occupancy_update": (occupancy_update, {},
                         lambda s, n: (np.zeros((5, 6)), _f(n, seed=s) * 4 + 3,
                                       _f(n, seed=s + 1) * 3 + 2)),
    "log_odds_to_prob": (log_odds_to_prob, {}, lambda s, n: (_f(n, n, seed=s) * 3,)),
    "world_to_grid": (world_to_grid, {"shape": (5, 4)},
                      lambda s, n: (_f(3 * n, 2, seed=s) * 3 + 2, np.zeros(2), 0.9)),
    "centroid_center": (centroid_center, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "nearest_neighbors": (nearest_neighbors, {},
                          lambda s, n: (_f(n, 3, seed=s), _f(n + 2, 3, seed=s + 1))),
    "kabsch": (kabsch, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "rmsd": (rmsd, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "voxel_downsample_keys": (voxel_downsample_keys, {}, lambda s, n: (_f(n, 3, seed=s), 0.5)),
    "pca_normal": (pca_normal, {}, lambda s, n: (_f(n, 3, seed=s) * [1, 1, 0.1],)),
    "bounding_box": (bounding_box, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "angle_wrap": (angle_wrap, {}, lambda s, n: (_f(n, seed=s) * 10,)),
    "diff_drive": (diff_drive, {"steps": 5}, lambda s, n: (_f(3, seed=s + n), 1.0, 0.3, 0.1)),
    "pure_pursuit": (pure_pursuit, {}, lambda s, n: (_f(3, seed=s), _f(n, 2, seed=s + 1), 1.0)),
    "cross_product_matrix_batch": (cross_product_matrix_batch, {},
                                   lambda s, n: (_f(n, 3, seed=s),)),
    "triangle_normals": (triangle_normals, {},
                         lambda s, n: (_f(n + 3, 3, seed=s), _i(n + 3, n, 3, seed=s))),
    "vertex_normals": (vertex_normals, {},
                       lambda s, n: (_f(n, 3, seed=s),
                                     np.array([[0, 1, 2], [1, 2, 3], [0, 3, 1]]))),
    "angle_between": (angle_between, {}, lambda s, n: (_f(3, seed=s + n), _f(3, seed=s))),
    "look_at": (look_at, {},
                lambda s, n: (_f(3, seed=s + n), _f(3, seed=s), np.array([0., 0., 1.]))),
    "project_pinhole": (project_pinhole, {},
                        lambda s, n: (np.array([[500., 0, 320], [0, 500, 240], [0, 0, 1]]),
                                      _f(n, 3, seed=s, positive=True))),
    "so3_exp_batch": (so3_exp_batch, {}, lambda s, n: (_f(n, 3, seed=s),)),
}


@pytest.mark.parametrize("name", list(ROBOTICS))
def test_robotics_matches_numpy(name):
    check_like_numpy(*ROBOTICS[name])



# ----------------------------------------------------------------------------- physics simulation


def spins(s, n):
    return np.where(_i(2, n, n, seed=s) == 1, 1, -1)


def ising_energy(lattice, J=1.0):
    nb = np.roll(lattice, 1, axis=0) + np.roll(lattice, -1, axis=0) \
        + np.roll(lattice, 1, axis=1) + np.roll(lattice, -1, axis=1)
    return -J * np.sum(lattice * nb) / 2


def ising_magnetization(lattice):
    return np.abs(np.sum(lattice)) / lattice.size


def ising_checkerboard_sweep(lattice, beta, u):
    L = lattice.shape[0]
    ii, jj = np.indices((L, L))
    for parity in (0, 1):
        mask = (ii + jj) % 2 == parity
        nb = (np.roll(lattice, 1, 0) + np.roll(lattice, -1, 0)
              + np.roll(lattice, 1, 1) + np.roll(lattice, -1, 1))
        dE = 2 * lattice * nb
        flip = mask & ((dE <= 0) | (u < np.exp(-beta * dE)))
        lattice[flip] *= -1
    return lattice


def ising_metropolis_loop(config, beta, rs, ii, jj):
    N = config.shape[0]
    for k in range(len(ii)):
        a, b = ii[k], jj[k]
        s = config[a, b]
        nb = config[(a + 1) % N, b] + config[a, (b + 1) % N] + config[(a - 1) % N,
                                                                      b] + config[a, (b - 1) % N]
        cost = 2 * s * nb
        config[a, b] = np.where((cost < 0) | (rs[k] < np.exp(-cost * beta)), -s, s)
    return config


def ising_checkerboard_slices(spins, beta, u):
    black = np.zeros(spins.shape, dtype=bool)
    black[::2, ::2] = True
    black[1::2, 1::2] = True
    for m in (black, ~black):
        h = sum(np.roll(spins, shift, ax) for shift in (-1, 1) for ax in (0, 1))
        p = np.exp(-2 * beta * spins * h)
        spins = np.where(m & (u < p), -spins, spins)
    return spins


W9 = np.array([4 / 9] + [1 / 9] * 4 + [1 / 36] * 4)
CX = np.array([0, 1, 0, -1, 0, 1, -1, -1, 1])
CY = np.array([0, 0, 1, 0, -1, 1, 1, -1, -1])


def lbm_equilibrium(rho, ux, uy):
    feq = np.zeros((9,) + rho.shape)
    for i, cx, cy, w in zip(range(9), CX, CY, W9):
        cu = 3 * (cx * ux + cy * uy)
        feq[i] = rho * w * (1 + cu + 0.5 * cu ** 2 - 1.5 * (ux ** 2 + uy ** 2))
    return feq


def lbm_step(F, tau):
    for i, cx, cy in zip(range(9), CX, CY):
        F[:, :, i] = np.roll(F[:, :, i], cx, axis=1)
        F[:, :, i] = np.roll(F[:, :, i], cy, axis=0)
    rho = np.sum(F, 2)
    ux = np.sum(F * CX, 2) / rho
    uy = np.sum(F * CY, 2) / rho
    Feq = np.zeros(F.shape)
    for i, cx, cy, w in zip(range(9), CX, CY, W9):
        cu = cx * ux + cy * uy
        Feq[:, :, i] = rho * w * (1 + 3 * cu + 9 * cu ** 2 / 2 - 3 * (ux ** 2 + uy ** 2) / 2)
    F += -(1.0 / tau) * (F - Feq)
    return F, rho


def lbm_bounce_back(F, obstacle):
    bndry = F[obstacle, :]
    bndry = bndry[:, [0, 3, 4, 1, 2, 7, 8, 5, 6]]
    F[obstacle, :] = bndry
    return F


def nbody_accel(pos, mass, G=1.0, softening=0.1):
    x, y, z = pos[:, 0:1], pos[:, 1:2], pos[:, 2:3]
    dx = x.T - x
    dy = y.T - y
    dz = z.T - z
    inv_r3 = (dx ** 2 + dy ** 2 + dz ** 2 + softening ** 2)
    inv_r3[inv_r3 > 0] = inv_r3[inv_r3 > 0] ** (-1.5)
    ax = G * (dx * inv_r3) @ mass
    ay = G * (dy * inv_r3) @ mass
    az = G * (dz * inv_r3) @ mass
    return np.hstack((ax, ay, az))


def nbody_energy(pos, vel, mass, G=1.0, soft=0.1):
    KE = 0.5 * np.sum(np.sum(mass * vel ** 2))
    dr = pos[:, None, :] - pos[None, :, :]
    inv_r = np.sqrt(np.sum(dr ** 2, axis=-1) + soft ** 2)
    inv_r = 1.0 / inv_r
    PE = G * np.sum(np.sum(np.triu(-(mass * mass.T) * inv_r, 1)))
    return KE, PE


def leapfrog_nbody(pos, vel, mass, dt, steps):
    acc = nbody_accel(pos, mass)
    for _ in range(steps):
        vel += acc * dt / 2.0
        pos += vel * dt
        acc = nbody_accel(pos, mass)
        vel += acc * dt / 2.0
    return pos, vel


def spring_chain_forces(x, k, rest):
    ext = np.diff(x) - rest
    f = np.zeros_like(x)
    f[:-1] += k * ext
    f[1:] -= k * ext
    return f


def spring_mass_sim(x, v, k, m, dt, steps, damping=0.1):
    xs = np.empty((steps, len(x)))
    for t in range(steps):
        f = spring_chain_forces(x, k, 1.0) - damping * v
        v = v + f / m * dt
        x = x + v * dt
        x[0] = 0.0
        v[0] = 0.0
        xs[t] = x
    return xs


def cloth_springs(P, edges, rest, k):
    d = P[edges[:, 1]] - P[edges[:, 0]]
    L = np.linalg.norm(d, axis=1)
    f = (k * (L - rest) / L)[:, None] * d
    F = np.zeros_like(P)
    np.add.at(F, edges[:, 0], f)
    np.subtract.at(F, edges[:, 1], f)
    return F


def heat_1d_dirichlet(u, alpha, dt, dx, steps):
    u = u.copy()
    r = alpha * dt / dx ** 2
    for _ in range(steps):
        u[1:-1] = u[1:-1] + r * (u[2:] - 2 * u[1:-1] + u[:-2])
        u[0] = 0.0
        u[-1] = 1.0
    return u


def heat_2d_neumann(T, alpha, steps):
    for _ in range(steps):
        Tn = T.copy()
        T[1:-1, 1:-1] = Tn[1:-1, 1:-1] + alpha * (
            Tn[2:, 1:-1] + Tn[:-2, 1:-1] + Tn[1:-1, 2:] + Tn[1:-1, :-2] - 4 * Tn[1:-1, 1:-1])
        T[0, :] = T[1, :]
        T[-1, :] = T[-2, :]
        T[:, 0] = T[:, 1]
        T[:, -1] = T[:, -2]
    return T


def wave_1d(u, u_prev, c, steps):
    for _ in range(steps):
        u_next = np.zeros_like(u)
        u_next[1:-1] = 2 * u[1:-1] - u_prev[1:-1] + c ** 2 * (u[2:] - 2 * u[1:-1] + u[:-2])
        u_prev, u = u, u_next
    return u


def projectile_drag(v0, angle, k, dt=0.01, steps=50):
    vx, vy = v0 * np.cos(np.radians(angle)), v0 * np.sin(np.radians(angle))
    x, y = 0.0, 0.0
    xs, ys = [x], [y]
    for _ in range(steps):
        v = np.sqrt(vx ** 2 + vy ** 2)
        ax = -k * v * vx
        ay = -9.81 - k * v * vy
        vx += ax * dt
        vy += ay * dt
        x += vx * dt
        y += vy * dt
        xs.append(x)
        ys.append(y)
    return np.array(xs), np.array(ys)


def projectile_state(state, k, dt, steps):
    traj = np.zeros((steps, 4))
    for i in range(steps):
        x, y, vx, vy = state
        speed = np.hypot(vx, vy)
        state = state + dt * np.array([vx, vy, -k * speed * vx, -9.81 - k * speed * vy])
        traj[i] = state
    return traj


def sph_cubic_kernel(r, h):
    q = r / h
    sigma = 10 / (7 * np.pi * h ** 2)
    w = np.where(q <= 1, 1 - 1.5 * q ** 2 + 0.75 * q ** 3,
                 np.where(q <= 2, 0.25 * (2 - q) ** 3, 0.0))
    return sigma * w


def sph_poly6_density(pos, mass, h):
    r2 = np.sum((pos[:, None, :] - pos[None, :, :]) ** 2, axis=-1)
    W = 315.0 / (64.0 * np.pi * h ** 9) * np.maximum(h ** 2 - r2, 0) ** 3
    return mass * W.sum(axis=1)


def sph_gaussian_grad(x, y, z, h):
    r = np.sqrt(x ** 2 + y ** 2 + z ** 2)
    n = -2 * np.exp(-r ** 2 / h ** 2) / h ** 5 / (np.pi) ** (3 / 2)
    return n * x, n * y, n * z


def sph_pressure(rho, k, n):
    return k * rho ** (1 + 1 / n)


def harmonic_energies(x, v, m, k):
    KE = 0.5 * m * v ** 2
    PE = 0.5 * k * x ** 2
    return KE, PE, KE + PE, np.ptp(KE + PE)


def sho_exact(t, x0, v0, omega):
    return x0 * np.cos(omega * t) + v0 / omega * np.sin(omega * t)


def quantum_harmonic_levels(n, hbar=1.0, omega=1.0):
    return hbar * omega * (np.arange(n) + 0.5)


def pendulum_rk4(theta, omega, g_over_l, dt, steps):
    def f(y):
        return np.array([y[1], -g_over_l * np.sin(y[0])])
    y = np.array([theta, omega])
    out = np.empty((steps, 2))
    for i in range(steps):
        k1 = f(y)
        k2 = f(y + dt / 2 * k1)
        k3 = f(y + dt / 2 * k2)
        k4 = f(y + dt * k3)
        y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out[i] = y
    return out


def gradient_field(phi, dx):
    gy, gx = np.gradient(phi, dx)
    return -gx, -gy


def gradient_edge2(f, x):
    return np.gradient(f, x, edge_order=2)


def gradient_axis(f):
    return np.gradient(f, 0.5, axis=1), np.gradient(f, axis=-1, edge_order=2)


def work_integral(F, x):
    return np.trapezoid(F, x), np.trapezoid(F, dx=x[1] - x[0])


def trapz_2d(f, x, y):
    return np.trapezoid(np.trapezoid(f, y, axis=1), x)


def cumulative_work(F, x):
    W = np.concatenate([[0.0], np.cumsum(0.5 * (F[1:] + F[:-1]) * np.diff(x))])
    return W


def poisson_fft(rho, L=1.0):
    n = rho.shape[0]
    k = 2 * np.pi * np.fft.fftfreq(n, d=L / n)
    kx, ky = np.meshgrid(k, k, indexing="ij")
    k2 = kx ** 2 + ky ** 2
    k2[0, 0] = 1.0
    phi_k = -np.fft.fft2(rho) / k2
    phi_k[0, 0] = 0.0
    return np.real(np.fft.ifft2(phi_k))


def poisson_rfft(rho):
    n = rho.shape[-1]
    kx = np.fft.fftfreq(n) * 2 * np.pi
    ky = np.fft.rfftfreq(n) * 2 * np.pi
    K2 = kx[:, None] ** 2 + ky[None, :] ** 2
    K2[0, 0] = np.inf
    return np.fft.irfft2(np.fft.rfft2(rho) / -K2, s=rho.shape)


def spectral_derivative(u, L):
    n = u.size
    k = np.fft.fftfreq(n, d=L / (2 * np.pi * n))
    return np.fft.ifft(1j * k * np.fft.fft(u)).real


def diffusion_fft(u, D, t, L):
    k = 2 * np.pi * np.fft.rfftfreq(len(u), L / len(u))
    return np.fft.irfft(np.fft.rfft(u) * np.exp(-D * k ** 2 * t), n=len(u))


def random_walk_msd(steps):
    pos = np.cumsum(steps, axis=1)
    return np.mean(pos ** 2, axis=0)


def velocity_autocorr(v):
    n = len(v)
    out = np.array([np.mean(v[:n - lag] * v[lag:]) for lag in range(n // 2)])
    return out / out[0]


def maxwell_boltzmann(v, m, kT):
    return 4 * np.pi * (m / (2 * np.pi * kT)) ** 1.5 * v ** 2 * np.exp(-m * v ** 2 / (2 * kT))


def center_of_mass(pos, m):
    return (m[:, None] * pos).sum(0) / m.sum()


def moment_of_inertia(pos, m):
    r2 = np.sum(pos ** 2, axis=1)
    I = np.sum(m * r2) * np.eye(3) - np.einsum('i,ij,ik->jk', m, pos, pos)
    return I


def gravity_potential_grid(xs, ys, masses, px, py):
    X, Y = np.meshgrid(xs, ys)
    phi = np.zeros_like(X)
    for m, x0, y0 in zip(masses, px, py):
        phi -= m / np.sqrt((X - x0) ** 2 + (Y - y0) ** 2 + 0.01)
    return phi


def elastic_collision_1d(m1, m2, u1, u2):
    v1 = (m1 - m2) / (m1 + m2) * u1 + 2 * m2 / (m1 + m2) * u2
    v2 = 2 * m1 / (m1 + m2) * u1 + (m2 - m1) / (m1 + m2) * u2
    return v1, v2


def wall_reflect(pos, vel, lo, hi):
    over = pos > hi
    under = pos < lo
    pos[over] = 2 * hi - pos[over]
    pos[under] = 2 * lo - pos[under]
    vel[over | under] *= -1
    return pos, vel


def advection_upwind(u, c, steps):
    for _ in range(steps):
        u = u - c * (u - np.roll(u, 1))
    return u


def game_energy_spectrum(u):
    uk = np.fft.rfft(u)
    E = np.abs(uk) ** 2 / len(u)
    return E


def two_body_orbit(r, v, mu, dt, steps):
    out = np.zeros((steps, 2))
    for i in range(steps):
        a = -mu * r / np.linalg.norm(r) ** 3
        v = v + a * dt
        r = r + v * dt
        out[i, :] = r
    return out


def radiation_blackbody(lam, T):
    h, c, k = 6.626e-34, 3.0e8, 1.38e-23
    return 2 * h * c ** 2 / lam ** 5 / (np.expm1(h * c / (lam * k * T)))


PHYSICS = {
    "ising_energy": (ising_energy, {}, lambda s, n: (spins(s, n),)),
    "ising_magnetization": (ising_magnetization, {}, lambda s, n: (spins(s, n),)),
    "ising_checkerboard_sweep": (ising_checkerboard_sweep, {},
                                 lambda s, n: (spins(s, n), 0.4,
                                               _f(n, n, seed=s, positive=True) / 2)),
    "ising_metropolis_loop": (ising_metropolis_loop, {},
                              lambda s, n: (spins(s, n), 0.5, _f(8, seed=s, positive=True) / 2,
                                            _i(n, 8, seed=s), _i(n, 8, seed=s + 1))),
    "ising_checkerboard_slices": (ising_checkerboard_slices, {},
                                  lambda s, n: (spins(s, n), 0.4,
                                                _f(n, n, seed=s, positive=True) / 2)),
    "lbm_equilibrium": (lbm_equilibrium, {},
                        lambda s, n: (_f(n, 5, seed=s, positive=True), _f(n, 5, seed=s) * 0.1,
                                      _f(n, 5, seed=s + 1) * 0.1)),
    "lbm_step": (lbm_step, {}, lambda s, n: (_f(n, 5, 9, seed=s, positive=True), 0.6)),
    "lbm_bounce_back": (lbm_bounce_back, {},
                        lambda s, n: (_f(n, 5, 9, seed=s), _i(2, n, 5, seed=s).astype(bool))),
    "nbody_accel": (nbody_accel, {},
                    lambda s, n: (_f(n, 3, seed=s), _f(n, 1, seed=s, positive=True))),
    "nbody_energy": (nbody_energy, {},
                     lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1),
                                   _f(n, 1, seed=s, positive=True))),
    "leapfrog_nbody": (leapfrog_nbody, {"steps": 3},
                       lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1),
                                     _f(n, 1, seed=s, positive=True), 0.01)),
    "spring_chain_forces": (spring_chain_forces, {},
                            lambda s, n: (np.cumsum(_f(n, seed=s, positive=True)), 2.0, 1.0)),
    "spring_mass_sim": (spring_mass_sim, {"steps": 4},
                        lambda s, n: (np.cumsum(_f(n, seed=s, positive=True)), _f(n, seed=s), 3.0,
                                      1.5, 0.05)),
    "cloth_springs": (cloth_springs, {},
                      lambda s, n: (_f(n, 3, seed=s),
                                    np.stack([np.arange(n - 1), np.arange(1, n)], 1), 0.5, 10.0)),
    "heat_1d_dirichlet": (heat_1d_dirichlet, {"steps": 5},
                          lambda s, n: (_f(n + 3, seed=s), 0.1, 0.1, 1.0)),
    "heat_2d_neumann": (heat_2d_neumann, {"steps": 3}, lambda s, n: (_f(n, n + 1, seed=s), 0.2)),
    "wave_1d": (wave_1d, {"steps": 4},
                lambda s, n: (_f(n + 2, seed=s), _f(n + 2, seed=s + 1), 0.5)),
    "projectile_drag": (projectile_drag, {"steps": 10}, lambda s, n: (20.0 + s, 30.0 + n, 0.01)),
    "projectile_state": (projectile_state, {"steps": 5},
                         lambda s, n: (np.array([0, 0, 10.0 + s, 10.0 + n]), 0.02, 0.05)),
    "sph_cubic_kernel": (sph_cubic_kernel, {},
                         lambda s, n: (_f(n, seed=s, positive=True) * 1.5, 1.0)),
    "sph_poly6_density": (sph_poly6_density, {}, lambda s, n: (_f(n, 2, seed=s), 0.1, 1.5)),
    "sph_gaussian_grad": (sph_gaussian_grad, {},
                          lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1), _f(n, seed=s + 2), 1.0)),
    "sph_pressure": (sph_pressure, {}, lambda s, n: (_f(n, seed=s, positive=True), 0.1, 1.0)),
    "harmonic_energies": (harmonic_energies, {},
                          lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1), 1.0, 4.0)),
    "sho_exact": (sho_exact, {}, lambda s, n: (np.linspace(0, 10, n), 1.0, 0.5, 2.0)),
    "quantum_harmonic_levels": (quantum_harmonic_levels, {"n": 5}, lambda s, n: ()),
    "pendulum_rk4": (pendulum_rk4, {"steps": 5}, lambda s, n: (0.5 + 0.1 * s, 0.0, 9.81, 0.01 * n)),
    "gradient_field": (gradient_field, {}, lambda s, n: (_f(n, n + 1, seed=s), 0.1)),
    "gradient_edge2": (gradient_edge2, {},
                       lambda s, n: (_f(n, seed=s), np.cumsum(_f(n, seed=s, positive=True)))),
    "gradient_axis": (gradient_axis, {}, lambda s, n: (_f(3, n, seed=s),)),
    "work_integral": (work_integral, {}, lambda s, n: (_f(n, seed=s), np.linspace(0, 1, n))),
    "trapz_2d": (trapz_2d, {},
                 lambda s, n: (_f(n, 5, seed=s), np.linspace(0, 1, n), np.linspace(0, 2, 5))),
    "cumulative_work": (cumulative_work, {},
                        lambda s, n: (_f(n, seed=s), np.cumsum(_f(n, seed=s + 1, positive=True)))),
    "poisson_fft": (poisson_fft, {}, lambda s, n: (_f(n, n, seed=s),)),
    "poisson_rfft": (poisson_rfft, {}, lambda s, n: (_f(n, n, seed=s),)),
    "spectral_derivative": (spectral_derivative, {},
                            lambda s, n: (np.sin(np.linspace(0, 2 * np.pi, 2 * n,
                                                             endpoint=False) * s), 2 * np.pi)),
    "diffusion_fft": (diffusion_fft, {}, lambda s, n: (_f(2 * n + 1, seed=s), 0.1, 0.5, 1.0)),
    "random_walk_msd": (random_walk_msd, {},
                        lambda s, n: (np.where(_i(2, 5, n, seed=s) == 1, 1, -1),)),
    "velocity_autocorr": (velocity_autocorr, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "maxwell_boltzmann": (maxwell_boltzmann, {}, lambda s, n: (np.linspace(0, 3, n), 1.0, 1.0)),
    "center_of_mass": (center_of_mass, {},
                       lambda s, n: (_f(n, 3, seed=s), _f(n, seed=s, positive=True))),
    "moment_of_inertia": (moment_of_inertia, {},
                          lambda s, n: (_f(n, 3, seed=s), _f(n, seed=s, positive=True))),
    "gravity_potential_grid": (gravity_potential_grid, {},
                               lambda s, n: (np.linspace(-1, 1, n), np.linspace(-1, 1, 5),
                                             _f(3, seed=s,
                                                positive=True), _f(3, seed=s), _f(3, seed=s + 1))),
    "elastic_collision_1d": (elastic_collision_1d, {},
                             lambda s, n: (_f(n, seed=s, positive=True), 2.0, _f(n, seed=s), -1.0)),
    "wall_reflect": (wall_reflect, {},
                     lambda s, n: (_f(n, 2, seed=s) * 2, _f(n, 2, seed=s + 1), -1.0, 1.0)),
    "advection_upwind": (advection_upwind, {"steps": 3}, lambda s, n: (_f(n, seed=s), 0.5)),
    "game_energy_spectrum": (game_energy_spectrum, {}, lambda s, n: (_f(n, seed=s),)),
    "two_body_orbit": (two_body_orbit, {"steps": 4},
                       lambda s, n: (np.array([1.0, 0.1 * s]), np.array([0.0, 1.0 + 0.01 * n]),
                                     1.0, 0.01)),
    "radiation_blackbody": (radiation_blackbody, {},
                            lambda s, n: (np.linspace(1e-7, 3e-6, n), 3000.0 + s)),
}


@pytest.mark.parametrize("name", list(PHYSICS))
def test_physics_matches_numpy(name):
    check_like_numpy(*PHYSICS[name])



# ----------------------------------------------------------------------------- bioinformatics


def seq(s, n):
    return _i(4, 3 * n, seed=s)


def one_hot_dna(seq):
    return np.eye(4, dtype=np.float32)[seq]


def one_hot_dna_zeros(seq):
    out = np.zeros((len(seq), 4), dtype=np.uint8)
    out[np.arange(len(seq)), seq] = 1
    return out


def one_hot_dna_compare(seq):
    return (seq[:, None] == np.arange(4)).astype(np.int8)


def one_hot_with_n(seq):
    oh = np.zeros((seq.shape[0], 4))
    valid = seq < 4
    oh[np.arange(len(seq))[valid], seq[valid]] = 1.0
    oh[~valid] = 0.25
    return oh


def gc_content(seq):
    return np.mean((seq == 1) | (seq == 2))


def gc_content_windows(seq, w):
    gc = np.isin(seq, [1, 2]).astype(float)
    c = np.convolve(gc, np.ones(w) / w, mode="valid")
    return c


def gc_skew(seq):
    g = np.cumsum(seq == 2)
    c = np.cumsum(seq == 1)
    return (g - c) / np.maximum(g + c, 1)


def reverse_complement(seq):
    return (3 - seq)[::-1]


def reverse_complement_lut(seq):
    comp = np.array([3, 2, 1, 0])
    return comp[seq[::-1]]


def base_counts(seq):
    return np.bincount(seq, minlength=4)


def base_freqs(seq):
    c = np.bincount(seq, minlength=4).astype(float)
    return c / c.sum()


def kmer_codes(seq, k):
    codes = np.zeros(len(seq) - k + 1, dtype=np.int64)
    for i in range(k):
        codes = codes * 4 + seq[i:len(seq) - k + 1 + i]
    return codes


def kmer_counts(seq, k):
    powers = 4 ** np.arange(k - 1, -1, -1)
    windows = np.lib.stride_tricks.sliding_window_view(seq, k)
    codes = windows @ powers
    return np.bincount(codes, minlength=4 ** k)


def kmer_spectrum_distance(a, b, k):
    ca = kmer_counts(a, k).astype(float)
    cb = kmer_counts(b, k).astype(float)
    ca /= ca.sum()
    cb /= cb.sum()
    return np.sqrt(np.sum((ca - cb) ** 2))


def codon_indices(seq):
    n = len(seq) // 3 * 3
    c = seq[:n].reshape(-1, 3)
    return c[:, 0] * 16 + c[:, 1] * 4 + c[:, 2]


def translate_lut(seq, table):
    return table[codon_indices(seq)]


def needleman_wunsch(a, b, match=1, mismatch=-1, gap=-2):
    n, m = len(a), len(b)
    F = np.zeros((n + 1, m + 1))
    F[:, 0] = np.arange(n + 1) * gap
    F[0, :] = np.arange(m + 1) * gap
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            diag = F[i - 1, j - 1] + np.where(a[i - 1] == b[j - 1], match, mismatch)
            up = F[i - 1, j] + gap
            left = F[i, j - 1] + gap
            F[i, j] = np.max([diag, up, left])
    return F


def smith_waterman(a, b, S, gap=2):
    n, m = len(a), len(b)
    H = np.zeros((n + 1, m + 1), dtype=np.int64)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            H[i, j] = max(0, H[i - 1, j - 1] + S[a[i - 1], b[j - 1]],
                          H[i - 1, j] - gap, H[i, j - 1] - gap)
    return H, H.max(), np.unravel_index(np.argmax(H), H.shape)


def nw_rowwise(a, b, S, gap=-1.0):
    n, m = len(a), len(b)
    prev = np.arange(m + 1) * gap
    for i in range(1, n + 1):
        cur = np.empty(m + 1)
        cur[0] = i * gap
        sub = S[a[i - 1], b]
        for j in range(1, m + 1):
            cur[j] = np.amax(np.array([prev[j - 1] + sub[j - 1], prev[j] + gap, cur[j - 1] + gap]))
        prev = cur
    return prev[-1]


def edit_distance(a, b):
    n, m = len(a), len(b)
    D = np.zeros((n + 1, m + 1), dtype=int)
    D[:, 0] = np.arange(n + 1)
    D[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = a[i - 1] != b[j - 1]
            D[i, j] = min(D[i - 1, j] + 1, D[i, j - 1] + 1, D[i - 1, j - 1] + cost)
    return D[n, m]


def hamming_pairwise(X):
    return (X[:, None, :] != X[None, :, :]).sum(-1)


def hamming_pairwise_frac(X):
    return np.mean(X[:, None, :] != X[None, :, :], axis=2)


def p_distance_jc(X):
    p = (X[:, None, :] != X[None, :, :]).mean(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = -0.75 * np.log(1 - 4.0 / 3.0 * p)
    return d


def kimura_2p(a, b):
    purine = (a < 2)
    diff = a != b
    transitions = diff & (purine == (b < 2))
    P = transitions.mean()
    Q = (diff & ~transitions).mean()
    return -0.5 * np.log((1 - 2 * P - Q) * np.sqrt(1 - 2 * Q))


def pwm_from_counts(counts, pseudocount=0.5, bg=None):
    if bg is None:
        bg = np.full(4, 0.25)
    freqs = (counts + pseudocount) / (counts.sum(axis=1, keepdims=True) + 4 * pseudocount)
    return np.log2(freqs / bg)


def pwm_score_windows(onehot, pwm):
    w = pwm.shape[0]
    win = np.lib.stride_tricks.sliding_window_view(onehot, (w, 4))[:, 0]
    return np.einsum("nwk,wk->n", win, pwm)


def pwm_score_loop(seq, pwm):
    w = pwm.shape[0]
    scores = np.zeros(len(seq) - w + 1)
    for i in range(len(scores)):
        scores[i] = pwm[np.arange(w), seq[i:i + w]].sum()
    return scores


def pwm_best_hit(seq, pwm):
    s = pwm_score_loop(seq, pwm)
    rc = pwm_score_loop(3 - seq[::-1], pwm)[::-1]
    both = np.maximum(s, rc)
    return np.argmax(both), both.max(), np.where(rc > s, -1, 1)


def information_content(pwm_probs):
    ic = 2 + np.sum(pwm_probs * np.log2(pwm_probs), axis=1)
    return ic, ic.sum()


def log_odds_markov(seq, T_plus, T_minus):
    return np.sum(np.log2(T_plus[seq[:-1], seq[1:]] / T_minus[seq[:-1], seq[1:]]))


def transition_counts(seq):
    T = np.zeros((4, 4))
    np.add.at(T, (seq[:-1], seq[1:]), 1)
    return T / T.sum(axis=1, keepdims=True)


def hardy_weinberg(genotypes):
    n_AA = np.sum(genotypes == 0)
    n_Aa = np.sum(genotypes == 1)
    n_aa = np.sum(genotypes == 2)
    n = n_AA + n_Aa + n_aa
    p = (2 * n_AA + n_Aa) / (2 * n)
    q = 1 - p
    expected = np.array([p ** 2, 2 * p * q, q ** 2]) * n
    observed = np.array([n_AA, n_Aa, n_aa])
    chi2 = np.sum((observed - expected) ** 2 / expected)
    return p, expected, chi2


def allele_freqs(G):
    return G.sum(axis=0) / (2 * G.shape[0])


def ld_r2(G):
    p = G.mean(0) / 2
    Gc = G - 2 * p
    cov = Gc.T @ Gc / G.shape[0]
    sd = np.sqrt(np.diag(cov))
    return (cov / np.outer(sd, sd)) ** 2


def grm(G):
    p = G.mean(axis=0) / 2
    Z = (G - 2 * p) / np.sqrt(2 * p * (1 - p))
    return Z @ Z.T / G.shape[1]


def fst_hudson(p1, p2, n1, n2):
    num = (p1 - p2) ** 2 - p1 * (1 - p1) / (n1 - 1) - p2 * (1 - p2) / (n2 - 1)
    den = p1 * (1 - p2) + p2 * (1 - p1)
    return np.sum(num) / np.sum(den)


def upgma_step(D):
    n = D.shape[0]
    Dm = D + np.diag(np.full(n, np.inf))
    i, j = np.unravel_index(np.argmin(Dm), Dm.shape)
    return i, j, Dm[i, j]


def neighbor_joining_q(D):
    n = D.shape[0]
    r = D.sum(axis=1)
    Q = (n - 2) * D - r[:, None] - r[None, :]
    np.fill_diagonal(Q, 0)
    return Q


def distance_matrix_loop(X):
    n = X.shape[0]
    D = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            D[i, j] = D[j, i] = np.count_nonzero(X[i] != X[j]) / X.shape[1]
    return D


def shannon_entropy_columns(msa):
    ent = np.zeros(msa.shape[1])
    for b in range(4):
        p = (msa == b).mean(axis=0)
        ent -= np.where(p > 0, p * np.log2(np.where(p > 0, p, 1)), 0)
    return ent


def consensus(msa):
    counts = np.stack([(msa == b).sum(0) for b in range(4)])
    return counts.argmax(0), counts.max(0) / msa.shape[0]


def phred_to_prob(q):
    return 10 ** (-q / 10)


def mean_quality(q):
    p = np.power(10.0, -q.astype(float) / 10)
    return -10 * np.log10(p.mean())


def trim_quality_mask(q, thr):
    good = q >= thr
    return np.cumprod(good[::-1])[::-1].astype(bool), np.logical_and.accumulate(good)


def coverage_from_reads(starts, lengths, genome_len):
    cov = np.zeros(genome_len + 1, dtype=np.int64)
    np.add.at(cov, starts, 1)
    np.add.at(cov, np.minimum(starts + lengths, genome_len), -1)
    return np.cumsum(cov)[:-1]


def expression_normalize(counts):
    cpm = counts / counts.sum(axis=0) * 1e6
    logcpm = np.log2(cpm + 1)
    return logcpm - logcpm.mean(axis=1, keepdims=True)


def tpm(counts, lengths):
    rpk = counts / (lengths[:, None] / 1e3)
    return rpk / rpk.sum(axis=0) * 1e6


def size_factors_deseq(counts):
    logc = np.log(counts)
    logmean = logc.mean(axis=1)
    ok = np.isfinite(logmean)
    return np.exp(np.nanmedian(np.where(ok[:, None], logc - logmean[:, None], np.nan), axis=0))


def quantile_normalize(X):
    ranks = X.argsort(axis=0).argsort(axis=0)
    mean_sorted = np.sort(X, axis=0).mean(axis=1)
    return mean_sorted[ranks]


def melting_temp(seq):
    gc = np.sum((seq == 1) | (seq == 2))
    at = len(seq) - gc
    return np.where(len(seq) < 14, 2 * at + 4 * gc, 64.9 + 41 * (gc - 16.4) / len(seq))


def dinucleotide_freq(seq):
    d = seq[:-1] * 4 + seq[1:]
    c = np.bincount(d, minlength=16).reshape(4, 4)
    return c / c.sum()


def cpg_obs_exp(seq):
    c = np.sum(seq == 1)
    g = np.sum(seq == 2)
    cg = np.sum((seq[:-1] == 1) & (seq[1:] == 2))
    return cg * len(seq) / (c * g + 1e-9)


def orf_stop_positions(seq):
    codons = codon_indices(seq)
    stops = np.isin(codons, [48, 50, 56])
    return stops, np.argmax(stops), stops.any()


def dot_plot(a, b, w):
    M = (a[:, None] == b[None, :]).astype(int)
    K = np.zeros_like(M)
    for k in range(w):
        K[:M.shape[0] - k, :M.shape[1] - k] += M[k:, k:]
    return K >= w


S4 = np.array([[2, -1, -1, -1], [-1, 2, -1, -1], [-1, -1, 2, -1], [-1, -1, -1, 2]])
TABLE = np.arange(64) % 21


BIO = {
    # np.bincount(..., minlength=k): that the codes are below k is checked when it runs
    "base_counts": (base_counts, {}, lambda s, n: (seq(s, n),)),
    "base_freqs": (base_freqs, {}, lambda s, n: (seq(s, n),)),
    "kmer_counts": (kmer_counts, {"k": 2}, lambda s, n: (seq(s, n),)),
    "kmer_spectrum_distance": (kmer_spectrum_distance, {"k": 2},
                               lambda s, n: (seq(s, n), seq(s + 5, n))),
    "dinucleotide_freq": (dinucleotide_freq, {}, lambda s, n: (seq(s, n),)),
    "one_hot_dna": (one_hot_dna, {}, lambda s, n: (seq(s, n),)),
    "one_hot_dna_zeros": (one_hot_dna_zeros, {}, lambda s, n: (seq(s, n),)),
    "one_hot_dna_compare": (one_hot_dna_compare, {}, lambda s, n: (seq(s, n),)),
    "one_hot_with_n": (one_hot_with_n, {}, lambda s, n: (_i(5, 3 * n, seed=s),)),
    "gc_content": (gc_content, {}, lambda s, n: (seq(s, n),)),
    "gc_content_windows": (gc_content_windows, {"w": 3}, lambda s, n: (seq(s, n),)),
    "gc_skew": (gc_skew, {}, lambda s, n: (seq(s, n),)),
    "reverse_complement": (reverse_complement, {}, lambda s, n: (seq(s, n),)),
    "reverse_complement_lut": (reverse_complement_lut, {}, lambda s, n: (seq(s, n),)),
    "kmer_codes": (kmer_codes, {"k": 3}, lambda s, n: (seq(s, n),)),
    "codon_indices": (codon_indices, {}, lambda s, n: (_i(4, 3 * n + 1, seed=s),)),
    "translate_lut": (translate_lut, {}, lambda s, n: (seq(s, n), TABLE)),
    "needleman_wunsch": (needleman_wunsch, {},
                         lambda s, n: (_i(4, n, seed=s), _i(4, 5, seed=s + 1))),
    "nw_rowwise": (nw_rowwise, {},
                   lambda s, n: (_i(4, n, seed=s), _i(4, 5, seed=s + 1), S4.astype(float))),
    "hamming_pairwise": (hamming_pairwise, {}, lambda s, n: (_i(4, n, 10, seed=s),)),
    "hamming_pairwise_frac": (hamming_pairwise_frac, {}, lambda s, n: (_i(4, n, 10, seed=s),)),
    "p_distance_jc": (p_distance_jc, {}, lambda s, n: (_i(4, n, 10, seed=s),)),
    "kimura_2p": (kimura_2p, {},
                  lambda s, n: (seq(s, n),
                                np.where(_i(5, 3 * n, seed=s + 1) == 0, (seq(s, n) + 1) % 4,
                                         seq(s, n)))),
    "pwm_from_counts": (pwm_from_counts, {}, lambda s, n: (_i(10, n, 4, seed=s),)),
    "pwm_score_windows": (pwm_score_windows, {},
                          lambda s, n: (one_hot_dna(seq(s, n)), _f(3, 4, seed=s))),
    "pwm_score_loop": (pwm_score_loop, {}, lambda s, n: (seq(s, n), _f(3, 4, seed=s))),
    "pwm_best_hit": (pwm_best_hit, {}, lambda s, n: (seq(s, n), _f(3, 4, seed=s))),
    "information_content": (information_content, {}, lambda s, n: (base_freqs_rows(s, n),)),
    "log_odds_markov": (log_odds_markov, {},
                        lambda s, n: (seq(s, n), base_freqs_rows(s, 4), base_freqs_rows(s + 1, 4))),
    "transition_counts": (transition_counts, {}, lambda s, n: (_i(4, 10 * n, seed=s),)),
    "hardy_weinberg": (hardy_weinberg, {}, lambda s, n: (_i(3, 5 * n, seed=s),)),
    "allele_freqs": (allele_freqs, {}, lambda s, n: (_i(3, n, 6, seed=s),)),
    "ld_r2": (ld_r2, {}, lambda s, n: (_i(3, 3 * n, 4, seed=s),)),
    "grm": (grm, {}, lambda s, n: (_i(3, n, 8, seed=s) | np.eye(n, 8, dtype=np.int64),)),
    "fst_hudson": (fst_hudson, {},
                   lambda s, n: (_f(n, seed=s, positive=True) / 2,
                                 _f(n, seed=s + 1, positive=True) / 2, 20, 30)),
    "upgma_step": (upgma_step, {}, lambda s, n: (hamming_pairwise_frac(_i(4, n, 10, seed=s)),)),
    "neighbor_joining_q": (neighbor_joining_q, {},
                           lambda s, n: (hamming_pairwise_frac(_i(4, n, 10, seed=s)),)),
    "distance_matrix_loop": (distance_matrix_loop, {}, lambda s, n: (_i(4, n, 10, seed=s),)),
    "shannon_entropy_columns": (shannon_entropy_columns, {}, lambda s, n: (_i(4, n, 7, seed=s),)),
    "consensus": (consensus, {}, lambda s, n: (_i(4, n, 7, seed=s),)),
    "phred_to_prob": (phred_to_prob, {}, lambda s, n: (_i(41, n, seed=s),)),
    "mean_quality": (mean_quality, {}, lambda s, n: (_i(41, n, seed=s).astype(np.uint8),)),
    "trim_quality_mask": (trim_quality_mask, {}, lambda s, n: (_i(41, 3 * n, seed=s), 20)),
    "coverage_from_reads": (coverage_from_reads, {"genome_len": 30},
                            lambda s, n: (_i(30, n, seed=s), _i(10, n, seed=s + 1) + 1)),
    "expression_normalize": (expression_normalize, {}, lambda s, n: (_i(100, n, 3, seed=s) + 1,)),
    "tpm": (tpm, {}, lambda s, n: (_i(100, n, 3, seed=s), _i(1000, n, seed=s) + 100)),
    "size_factors_deseq": (size_factors_deseq, {},
                           lambda s, n: (_i(50, n, 3, seed=s).astype(float),)),
    "quantile_normalize": (quantile_normalize, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "melting_temp": (melting_temp, {}, lambda s, n: (seq(s, n),)),
    "cpg_obs_exp": (cpg_obs_exp, {}, lambda s, n: (seq(s, n),)),
    "orf_stop_positions": (orf_stop_positions, {}, lambda s, n: (_i(4, 6 * n, seed=s),)),
    "dot_plot": (dot_plot, {"w": 2}, lambda s, n: (_i(4, n, seed=s), _i(4, 6, seed=s + 1))),
}


def base_freqs_rows(s, n):
    p = _f(n, 4, seed=s, positive=True)
    return p / p.sum(1, keepdims=True)


@pytest.mark.parametrize("name", list(BIO))
def test_bio_matches_numpy(name):
    check_like_numpy(*BIO[name])



# ----------------------------------------------------------------------------- signal and audio processing


def sig(s, n):
    return _f(16 * n, seed=s)


def tone(f, n, sr=8000):
    return np.sin(2 * np.pi * f * np.arange(n) / sr)


def frame_signal(x, frame_len, hop):
    n_frames = 1 + (len(x) - frame_len) // hop
    idx = np.arange(frame_len)[None, :] + hop * np.arange(n_frames)[:, None]
    return x[idx]


def frame_swv(x, frame_len, hop):
    return sliding_window_view(x, frame_len)[::hop]


def frame_swv_window(x, frame_len, hop):
    frames = sliding_window_view(x, window_shape=frame_len)[::hop] * np.hanning(frame_len)
    return frames


def frame_pad(x, frame_len, hop):
    pad = (-(len(x) - frame_len)) % hop
    x = np.pad(x, (0, pad))
    n = 1 + (len(x) - frame_len) // hop
    return np.stack([x[i * hop:i * hop + frame_len] for i in range(n)])


def frame_as_strided(x, frame_len, hop):
    n = 1 + (len(x) - frame_len) // hop
    step = x.strides[0]
    return np.lib.stride_tricks.as_strided(x, shape=(n, frame_len), strides=(step * hop, step))


def windows(n):
    return np.hanning(n), np.hamming(n), np.blackman(n), np.kaiser(n, 8.6), np.bartlett(n)


def window_apply(x):
    n = len(x)
    w = np.hamming(n)
    return x * w, np.sum(w ** 2)


def periodic_hann(n):
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)


def stft(x, n_fft, hop):
    win = np.hanning(n_fft + 1)[:-1]
    frames = sliding_window_view(x, n_fft)[::hop] * win
    return np.fft.rfft(frames, axis=-1)


def stft_centered(x, n_fft, hop):
    x = np.pad(x, n_fft // 2, mode="reflect")
    frames = frame_signal(x, n_fft, hop)
    spec = np.fft.rfft(frames * np.hanning(n_fft), n=n_fft, axis=1).T
    return np.abs(spec) ** 2


def istft_ola(S, n_fft, hop):
    frames = np.fft.irfft(S, n=n_fft, axis=0).T
    win = np.hanning(n_fft)
    out = np.zeros(n_fft + hop * (frames.shape[0] - 1))
    norm = np.zeros_like(out)
    for i, f in enumerate(frames):
        out[i * hop:i * hop + n_fft] += f * win
        norm[i * hop:i * hop + n_fft] += win ** 2
    return out / np.maximum(norm, 1e-8)


def power_spectrum(frames, NFFT):
    mag = np.absolute(np.fft.rfft(frames, NFFT))
    return (1.0 / NFFT) * (mag ** 2)


def hz_to_mel(f):
    return 2595 * np.log10(1 + f / 700.0)


def mel_to_hz(m):
    return 700 * (10 ** (m / 2595.0) - 1)


def mel_filterbank(nfilt, NFFT, sample_rate):
    low_freq_mel = 0
    high_freq_mel = (2595 * np.log10(1 + (sample_rate / 2) / 700))
    mel_points = np.linspace(low_freq_mel, high_freq_mel, nfilt + 2)
    hz_points = (700 * (10 ** (mel_points / 2595) - 1))
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


def mel_spectrogram(frames, fbank, NFFT):
    pow_frames = power_spectrum(frames, NFFT)
    filter_banks = np.dot(pow_frames, fbank.T)
    filter_banks = np.where(filter_banks == 0, np.finfo(float).eps, filter_banks)
    return 20 * np.log10(filter_banks)


def mel_filterbank_vec(n_mels, n_fft, sr):
    fftfreqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mels = np.linspace(hz_to_mel(0.0), hz_to_mel(sr / 2), n_mels + 2)
    hz = mel_to_hz(mels)
    fdiff = np.diff(hz)
    ramps = np.subtract.outer(hz, fftfreqs)
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (hz[2:n_mels + 2] - hz[:n_mels])
    return weights * enorm[:, np.newaxis]


def dct_matrix(n_in, n_out):
    n = np.arange(n_in)
    k = np.arange(n_out)[:, None]
    D = np.cos(np.pi / n_in * (n + 0.5) * k) * np.sqrt(2.0 / n_in)
    D[0] /= np.sqrt(2)
    return D


def mfcc(logmel, n_ceps):
    D = dct_matrix(logmel.shape[1], n_ceps)
    c = logmel @ D.T
    (nframes, ncoeff) = c.shape
    n = np.arange(ncoeff)
    lift = 1 + (22 / 2) * np.sin(np.pi * n / 22)
    c *= lift
    c -= (np.mean(c, axis=0) + 1e-8)
    return c


def delta(feat, N=2):
    num_frames = len(feat)
    denominator = 2 * sum([i ** 2 for i in range(1, N + 1)])
    delta_feat = np.empty_like(feat)
    padded = np.pad(feat, ((N, N), (0, 0)), mode='edge')
    for t in range(num_frames):
        delta_feat[t] = np.dot(np.arange(-N, N + 1), padded[t: t + 2 * N + 1]) / denominator
    return delta_feat


def pre_emphasis(x, a=0.97):
    return np.append(x[0], x[1:] - a * x[:-1])


def pre_emphasis_concat(x, a=0.97):
    return np.concatenate(([x[0]], x[1:] - a * x[:-1]))


def pre_emphasis_inplace(x, a=0.97):
    y = x.copy()
    y[1:] -= a * x[:-1]
    return y


def de_emphasis(y, a=0.97):
    x = np.zeros_like(y)
    x[0] = y[0]
    for n in range(1, len(y)):
        x[n] = y[n] + a * x[n - 1]
    return x


def zero_crossing_rate(x):
    return np.mean(np.abs(np.diff(np.sign(x)))) / 2


def zcr_frames(frames):
    return (np.diff(np.signbit(frames), axis=1) != 0).sum(axis=1) / frames.shape[1]


def zcr_count(x):
    return np.sum(x[:-1] * x[1:] < 0), np.count_nonzero(np.diff(x > 0))


def rms_energy(frames):
    return np.sqrt(np.mean(frames ** 2, axis=1))


def rms_db(x, ref=1.0, amin=1e-10):
    rms = np.sqrt(np.mean(np.square(x)))
    return 20 * np.log10(np.maximum(amin, rms) / ref)


def power_to_db(S, ref=1.0, amin=1e-10, top_db=80.0):
    log_spec = 10.0 * np.log10(np.maximum(amin, S))
    log_spec -= 10.0 * np.log10(np.maximum(amin, ref))
    log_spec = np.maximum(log_spec, log_spec.max() - top_db)
    return log_spec


def amplitude_to_db(S):
    mag = np.abs(S)
    ref = np.max(mag)
    return 20 * np.log10(np.clip(mag, 1e-5, None) / ref)


def db_to_amplitude(db):
    return np.power(10.0, db / 20.0)


def convolve_modes(x, h):
    return np.convolve(x, h), np.convolve(x, h, "same"), np.convolve(x, h, mode="valid")


def correlate_modes(x, y):
    return np.correlate(x, y, "full"), np.correlate(x, y, "same"), np.correlate(x, y)


def correlate_complex(x, y):
    return np.correlate(x + 1j * y, y - 0.5j * x, "full")


def convolve_int(x, h):
    return np.convolve(x, h)


def moving_average(x, w):
    return np.convolve(x, np.ones(w), 'valid') / w


def moving_average_cumsum(x, w):
    c = np.cumsum(np.insert(x, 0, 0))
    return (c[w:] - c[:-w]) / float(w)


def fir_loop(b, x):
    y = np.zeros_like(x)
    for n in range(len(x)):
        for k in range(len(b)):
            if n - k >= 0:
                y[n] += b[k] * x[n - k]
    return y


def lfilter(b, a, x):
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


def one_pole_lowpass(x, alpha):
    y = np.empty_like(x)
    y[0] = alpha * x[0]
    for i in range(1, len(x)):
        y[i] = alpha * x[i] + (1 - alpha) * y[i - 1]
    return y


def biquad_df2t(x, b0, b1, b2, a1, a2):
    z1 = z2 = 0.0
    y = np.zeros_like(x)
    for n, xn in enumerate(x):
        yn = b0 * xn + z1
        z1 = b1 * xn - a1 * yn + z2
        z2 = b2 * xn - a2 * yn
        y[n] = yn
    return y


def dc_blocker(x, R=0.995):
    y = np.zeros_like(x)
    xm1 = 0.0
    ym1 = 0.0
    for i in range(len(x)):
        y[i] = x[i] - xm1 + R * ym1
        xm1 = x[i]
        ym1 = y[i]
    return y


def windowed_sinc_lowpass(fc, N):
    n = np.arange(N)
    h = np.sinc(2 * fc * (n - (N - 1) / 2))
    h *= np.blackman(N)
    return h / np.sum(h)


def highpass_spectral_inversion(fc, N):
    h = windowed_sinc_lowpass(fc, N)
    h = -h
    h[(N - 1) // 2] += 1
    return h


def autocorr_full(x):
    x = x - np.mean(x)
    r = np.correlate(x, x, mode="full")[len(x) - 1:]
    return r / r[0]


def autocorr_fft(x):
    n = len(x)
    f = np.fft.rfft(x - x.mean(), n=2 * n)
    acf = np.fft.irfft(f * np.conjugate(f))[:n]
    return acf / acf[0]


def pitch_autocorr(frame, sr, fmin, fmax):
    r = np.correlate(frame, frame, "full")[len(frame) - 1:]
    lo, hi = int(sr / fmax), int(sr / fmin)
    lag = lo + np.argmax(r[lo:hi])
    return sr / lag


def resample_interp(x, factor):
    n = len(x)
    t_old = np.arange(n)
    t_new = np.linspace(0, n - 1, int(n * factor))
    return np.interp(t_new, t_old, x)


def resample_fft(x, num):
    X = np.fft.rfft(x)
    Y = np.zeros(num // 2 + 1, dtype=complex)
    m = min(len(X), len(Y))
    Y[:m] = X[:m]
    return np.fft.irfft(Y, n=num) * num / len(x)


def envelope_hilbert(x):
    n = len(x)
    X = np.fft.fft(x)
    h = np.zeros(n)
    if n % 2 == 0:
        h[0] = h[n // 2] = 1
        h[1:n // 2] = 2
    else:
        h[0] = 1
        h[1:(n + 1) // 2] = 2
    return np.abs(np.fft.ifft(X * h))


def envelope_follower(x, attack, release):
    env = np.zeros_like(x)
    e = 0.0
    for i, v in enumerate(np.abs(x)):
        coeff = np.where(v > e, attack, release)
        e = coeff * e + (1 - coeff) * v
        env[i] = e
    return env


def envelope_max_filter(x, w):
    return sliding_window_view(np.abs(x), w).max(axis=-1)


def float_to_pcm16(x):
    x = np.clip(x, -1.0, 1.0)
    return (x * 32767).astype(np.int16)


def float_to_pcm16_round(x):
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)


def pcm16_to_float(x):
    return x.astype(np.float32) / 32768.0


def pcm16_gain(x, g):
    y = x.astype(np.int32) * g
    return np.clip(y, np.iinfo(np.int16).min, np.iinfo(np.int16).max).astype(np.int16)


def pcm_mix(a, b):
    return ((a.astype(np.int32) + b) // 2).astype(np.int16)


def uint8_pcm(x):
    return ((x + 1.0) * 127.5).astype(np.uint8)


def mu_law_encode(x, mu=255):
    y = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    return ((y + 1) / 2 * mu + 0.5).astype(np.int64)


def mu_law_decode(q, mu=255):
    y = 2 * (q.astype(np.float64) / mu) - 1
    return np.sign(y) * (1.0 / mu) * ((1.0 + mu) ** np.abs(y) - 1.0)


def normalize_peak(x, peak=0.99):
    return x / np.max(np.abs(x)) * peak


def spectral_centroid(S, freqs):
    return np.sum(freqs[:, None] * S, axis=0) / np.sum(S, axis=0)


def spectral_rolloff(S, freqs, roll=0.85):
    cs = np.cumsum(S, axis=0)
    thr = roll * cs[-1]
    idx = np.argmax(cs >= thr[None, :], axis=0)
    return freqs[idx]


def spectral_flux(S):
    d = np.diff(S, axis=1)
    return np.sum(np.maximum(d, 0) ** 2, axis=0)


def spectral_flatness(S):
    S = np.maximum(S, 1e-10)
    return np.exp(np.mean(np.log(S), axis=0)) / np.mean(S, axis=0)


def chirp(t, f0, f1, T):
    k = (f1 - f0) / T
    return np.sin(2 * np.pi * (f0 * t + 0.5 * k * t ** 2))


def sine_tone(freq, sr, dur):
    t = np.arange(int(sr * dur)) / sr
    return 0.5 * np.sin(2 * np.pi * freq * t)


def add_noise_snr(x, noise, snr_db):
    px = np.mean(x ** 2)
    pn = np.mean(noise ** 2)
    scale = np.sqrt(px / (pn * 10 ** (snr_db / 10)))
    return x + scale * noise


def snr(clean, noisy):
    return 10 * np.log10(np.sum(clean ** 2) / np.sum((clean - noisy) ** 2))


def fft_peak_freq(x, sr):
    X = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), d=1 / sr)
    return freqs[np.argmax(X)], X


def fftshift_spectrum(x):
    X = np.fft.fftshift(np.fft.fft(x))
    f = np.fft.fftshift(np.fft.fftfreq(len(x)))
    return f, 20 * np.log10(np.abs(X) + 1e-12), np.angle(X)


def phase_unwrap(x):
    X = np.fft.rfft(x)
    return np.unwrap(np.angle(X))


def overlap_add_conv(x, h, L):
    M = len(h)
    N = L + M - 1
    H = np.fft.rfft(h, N)
    y = np.zeros(len(x) + M - 1)
    for i in range(0, len(x), L):
        seg = x[i:i + L]
        yseg = np.fft.irfft(np.fft.rfft(seg, N) * H, N)
        end = min(i + N, len(y))
        y[i:end] += yseg[:end - i]
    return y


def goertzel(x, k):
    w = 2 * np.pi * k / len(x)
    coeff = 2 * np.cos(w)
    s1 = s2 = 0.0
    for v in x:
        s0 = v + coeff * s1 - s2
        s2 = s1
        s1 = s0
    return s2 ** 2 + s1 ** 2 - coeff * s1 * s2


def noise_gate(x, thr_db):
    thr = 10 ** (thr_db / 20)
    g = (np.abs(x) > thr).astype(x.dtype)
    return x * g


def compressor_static(x_db, thresh, ratio, knee):
    y = np.where(2 * (x_db - thresh) < -knee, x_db, 0.0)
    mid = 2 * np.abs(x_db - thresh) <= knee
    y = np.where(mid, x_db + (1 / ratio - 1) * (x_db - thresh + knee / 2) ** 2 / (2 * knee), y)
    y = np.where(2 * (x_db - thresh) > knee, thresh + (x_db - thresh) / ratio, y)
    return y


def stereo_to_mono(x):
    return x.mean(axis=1).astype(x.dtype)


def downmix_int16(x):
    return (x.astype(np.int32).sum(axis=1) // 2).astype(np.int16)


def fade_in_out(x, n):
    y = x.copy()
    ramp = np.linspace(0, 1, n)
    y[:n] *= ramp
    y[-n:] *= ramp[::-1]
    return y


def decimate_simple(x, h, q):
    return np.convolve(x, h, mode="same")[::q]


def cepstrum(x):
    spectrum = np.fft.fft(x * np.hamming(len(x)))
    return np.fft.ifft(np.log(np.abs(spectrum) + 1e-10)).real


def lpc_autocorr(x, order):
    r = np.correlate(x, x, "full")[len(x) - 1:len(x) + order]
    R = np.array([[r[abs(i - j)] for j in range(order)] for i in range(order)])
    a = np.linalg.solve(R, r[1:order + 1])
    return np.concatenate(([1.0], -a))


def levinson_durbin(r, order):
    a = np.zeros(order + 1)
    a[0] = 1.0
    e = r[0]
    for i in range(1, order + 1):
        acc = r[i] + np.dot(a[1:i], r[i - 1:0:-1])
        k = -acc / e
        a[1:i + 1] = a[1:i + 1] + k * np.concatenate((a[i - 1:0:-1], [1.0]))
        e *= 1 - k * k
    return a, e


AUDIO = {
    "frame_signal": (frame_signal, {"frame_len": 8, "hop": 4}, lambda s, n: (sig(s, n),)),
    "frame_swv": (frame_swv, {"frame_len": 8, "hop": 3}, lambda s, n: (sig(s, n),)),
    "frame_swv_window": (frame_swv_window, {"frame_len": 8, "hop": 4}, lambda s, n: (sig(s, n),)),
    "frame_pad": (frame_pad, {"frame_len": 8, "hop": 3}, lambda s, n: (sig(s, n),)),
    "windows": (windows, {"n": 7}, lambda s, n: ()),
    "window_apply": (window_apply, {}, lambda s, n: (sig(s, n),)),
    "periodic_hann": (periodic_hann, {"n": 8}, lambda s, n: ()),
    "stft": (stft, {"n_fft": 16, "hop": 4}, lambda s, n: (sig(s, n),)),
    "stft_centered": (stft_centered, {"n_fft": 16, "hop": 4}, lambda s, n: (sig(s, n),)),
    "istft_ola": (istft_ola, {"n_fft": 16, "hop": 4},
                  lambda s, n: (np.fft.rfft(_f(16, n, seed=s), axis=0),)),
    "power_spectrum": (power_spectrum, {"NFFT": 32}, lambda s, n: (_f(n, 20, seed=s),)),
    "mel_filterbank": (mel_filterbank, {"nfilt": 6, "NFFT": 64, "sample_rate": 8000},
                       lambda s, n: ()),
    "mel_spectrogram": (mel_spectrogram, {"NFFT": 64},
                        lambda s, n: (_f(n, 40, seed=s), mel_filterbank(6, 64, 8000))),
    "mel_filterbank_vec": (mel_filterbank_vec, {"n_mels": 6, "n_fft": 64, "sr": 8000},
                           lambda s, n: ()),
    "mfcc": (mfcc, {"n_ceps": 4}, lambda s, n: (_f(n, 10, seed=s),)),
    "delta": (delta, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "pre_emphasis": (pre_emphasis, {}, lambda s, n: (sig(s, n),)),
    "pre_emphasis_concat": (pre_emphasis_concat, {}, lambda s, n: (sig(s, n),)),
    "pre_emphasis_inplace": (pre_emphasis_inplace, {}, lambda s, n: (sig(s, n),)),
    "de_emphasis": (de_emphasis, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "zero_crossing_rate": (zero_crossing_rate, {}, lambda s, n: (sig(s, n),)),
    "zcr_frames": (zcr_frames, {}, lambda s, n: (_f(n, 12, seed=s),)),
    "zcr_count": (zcr_count, {}, lambda s, n: (sig(s, n),)),
    "rms_energy": (rms_energy, {}, lambda s, n: (_f(n, 12, seed=s),)),
    "rms_db": (rms_db, {}, lambda s, n: (sig(s, n),)),
    "power_to_db": (power_to_db, {}, lambda s, n: (_f(n, 5, seed=s, positive=True) ** 8,)),
    "amplitude_to_db": (amplitude_to_db, {}, lambda s, n: (np.fft.rfft(_f(n, 8, seed=s)),)),
    "db_to_amplitude": (db_to_amplitude, {}, lambda s, n: (_f(n, seed=s) * 20,)),
    "convolve_modes": (convolve_modes, {}, lambda s, n: (_f(3 * n, seed=s), _f(5, seed=s + 1))),
    "convolve_modes_short_first": (convolve_modes, {},
                                   lambda s, n: (_f(3, seed=s), _f(n + 2, seed=s + 1))),
    "correlate_modes": (correlate_modes, {}, lambda s, n: (_f(3 * n, seed=s), _f(4, seed=s + 1))),
    "correlate_modes_short_first": (correlate_modes, {},
                                    lambda s, n: (_f(3, seed=s), _f(n + 1, seed=s + 1))),
    "correlate_complex": (correlate_complex, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "convolve_int": (convolve_int, {},
                     lambda s, n: (_i(10, n, seed=s).astype(np.int16),
                                   np.array([1, 2, 1], dtype=np.int16))),
    "moving_average": (moving_average, {"w": 3}, lambda s, n: (sig(s, n),)),
    "moving_average_cumsum": (moving_average_cumsum, {"w": 3}, lambda s, n: (sig(s, n),)),
    "fir_loop": (fir_loop, {}, lambda s, n: (_f(3, seed=s), _f(2 * n, seed=s + 1))),
    "lfilter": (lfilter, {},
                lambda s, n: (np.array([0.2, 0.3]), np.array([1.0, -0.5, 0.1]), _f(2 * n, seed=s))),
    "one_pole_lowpass": (one_pole_lowpass, {}, lambda s, n: (_f(2 * n, seed=s), 0.3)),
    "biquad_df2t": (biquad_df2t, {}, lambda s, n: (_f(2 * n, seed=s), 0.2, 0.4, 0.2, -0.3, 0.1)),
    "dc_blocker": (dc_blocker, {}, lambda s, n: (_f(2 * n, seed=s) + 1,)),
    "windowed_sinc_lowpass": (windowed_sinc_lowpass, {"N": 11}, lambda s, n: (0.1 * s,)),
    "highpass_spectral_inversion": (highpass_spectral_inversion, {"N": 11},
                                    lambda s, n: (0.1 * s,)),
    "autocorr_full": (autocorr_full, {}, lambda s, n: (sig(s, n),)),
    "autocorr_fft": (autocorr_fft, {}, lambda s, n: (sig(s, n),)),
    "pitch_autocorr": (pitch_autocorr, {"sr": 8000, "fmin": 100, "fmax": 1000},
                       lambda s, n: (tone(200 + 10 * s, 100 * n),)),
    "resample_interp": (resample_interp, {"factor": 1.5}, lambda s, n: (sig(s, n),)),
    "resample_fft": (resample_fft, {"num": 24}, lambda s, n: (sig(s, n),)),
    "envelope_hilbert": (envelope_hilbert, {}, lambda s, n: (_f(2 * n + 1, seed=s),)),
    "envelope_follower": (envelope_follower, {}, lambda s, n: (_f(2 * n, seed=s), 0.5, 0.9)),
    "envelope_max_filter": (envelope_max_filter, {"w": 3}, lambda s, n: (sig(s, n),)),
    "float_to_pcm16": (float_to_pcm16, {}, lambda s, n: (sig(s, n) * 0.8,)),
    "float_to_pcm16_round": (float_to_pcm16_round, {}, lambda s, n: (sig(s, n) * 0.8,)),
    "pcm16_to_float": (pcm16_to_float, {}, lambda s, n: ((sig(s, n) * 10000).astype(np.int16),)),
    "pcm16_gain": (pcm16_gain, {}, lambda s, n: ((sig(s, n) * 10000).astype(np.int16), 3)),
    "pcm16_gain_float": (pcm16_gain, {}, lambda s, n: ((sig(s, n) * 10000).astype(np.int16), 2.5)),
    "pcm_mix": (pcm_mix, {},
                lambda s, n: ((sig(s, n) * 10000).astype(np.int16),
                              (sig(s + 1, n) * 10000).astype(np.int16))),
    "uint8_pcm": (uint8_pcm, {}, lambda s, n: (np.clip(sig(s, n), -1, 1),)),
    "mu_law_encode": (mu_law_encode, {}, lambda s, n: (np.clip(sig(s, n), -1, 1),)),
    "mu_law_decode": (mu_law_decode, {}, lambda s, n: (_i(256, 3 * n, seed=s).astype(np.uint8),)),
    "normalize_peak": (normalize_peak, {}, lambda s, n: (sig(s, n).astype(np.float32),)),
    "spectral_centroid": (spectral_centroid, {},
                          lambda s, n: (_f(9, n, seed=s, positive=True),
                                        np.fft.rfftfreq(16, 1 / 8000))),
    "spectral_rolloff": (spectral_rolloff, {},
                         lambda s, n: (_f(9, n, seed=s, positive=True),
                                       np.fft.rfftfreq(16, 1 / 8000))),
    "spectral_flux": (spectral_flux, {}, lambda s, n: (_f(9, n, seed=s, positive=True),)),
    "spectral_flatness": (spectral_flatness, {}, lambda s, n: (_f(9, n, seed=s, positive=True),)),
    "chirp": (chirp, {}, lambda s, n: (np.linspace(0, 1, 10 * n), 5.0, 50.0, 1.0)),
    "sine_tone": (sine_tone, {"sr": 1000, "dur": 0.05}, lambda s, n: (100.0 * s,)),
    "add_noise_snr": (add_noise_snr, {}, lambda s, n: (sig(s, n), sig(s + 1, n), 10.0)),
    "snr": (snr, {}, lambda s, n: (sig(s, n), sig(s, n) + 0.1 * sig(s + 1, n))),
    "fft_peak_freq": (fft_peak_freq, {"sr": 8000},
                      lambda s, n: (tone(1000, 16 * n) + 0.1 * sig(s, n),)),
    "fftshift_spectrum": (fftshift_spectrum, {}, lambda s, n: (_f(2 * n + 1, seed=s),)),
    "phase_unwrap": (phase_unwrap, {}, lambda s, n: (sig(s, n),)),
    "overlap_add_conv": (overlap_add_conv, {"L": 8},
                         lambda s, n: (_f(4 * n + 3, seed=s), _f(5, seed=s + 1))),
    "goertzel": (goertzel, {"k": 2}, lambda s, n: (_f(2 * n, seed=s),)),
    "noise_gate": (noise_gate, {}, lambda s, n: (sig(s, n).astype(np.float32), -6.0)),
    "compressor_static": (compressor_static, {},
                          lambda s, n: (np.linspace(-60, 0, 10 * n), -20.0, 4.0, 6.0)),
    "stereo_to_mono": (stereo_to_mono, {},
                       lambda s, n: ((_f(4 * n, 2, seed=s) * 1000).astype(np.int16),)),
    "downmix_int16": (downmix_int16, {},
                      lambda s, n: ((_f(4 * n, 2, seed=s) * 20000).astype(np.int16),)),
    "fade_in_out": (fade_in_out, {"n": 5}, lambda s, n: (sig(s, n),)),
    "decimate_simple": (decimate_simple, {"q": 3}, lambda s, n: (sig(s, n), np.ones(5) / 5)),
    "cepstrum": (cepstrum, {}, lambda s, n: (sig(s, n),)),
    "lpc_autocorr": (lpc_autocorr, {"order": 3}, lambda s, n: (sig(s, n),)),
    "levinson_durbin": (levinson_durbin, {"order": 3},
                        lambda s, n: (autocorr_full(sig(s, n))[:4] * 10,)),
}


@pytest.mark.parametrize("name", list(AUDIO))
def test_audio_matches_numpy(name):
    check_like_numpy(*AUDIO[name])



# ----------------------------------------------------------------------------- the NumPy forms these fields lean on


def cross_2d(a, b):
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def cross_axes(a, b):
    return np.cross(a, b, axisa=0, axisb=0), np.cross(a.T, b.T, axisc=0), np.cross(a, b, axis=0)


def cross_broadcast(a, b):
    return np.cross(a, b[0])


def norm_orders(x):
    return (np.linalg.norm(x, ord=1), np.linalg.norm(x, ord=np.inf), np.linalg.norm(x, ord=-np.inf),
            np.linalg.norm(x, 3), np.linalg.norm(x, 0))


def matrix_norms(A):
    return (np.linalg.norm(A, "fro"), np.linalg.norm(A, 1), np.linalg.norm(A, np.inf),
            np.linalg.norm(A, -1),
            np.linalg.norm(A, 2), np.linalg.norm(A, "nuc"), np.linalg.norm(A, axis=0, ord=1))


def det_batch(R):
    return np.linalg.det(R), np.linalg.slogdet(R)


def svd_thin(A):
    U, S, Vt = np.linalg.svd(A, full_matrices=False)
    return np.abs(U @ np.diag(S) @ Vt - A).max() < 1e-10, S


def svd_values(A):
    return np.linalg.svd(A, compute_uv=False)


def eigh_lower_upper(A):
    S = A + A.T
    return np.linalg.eigvalsh(S), np.linalg.eigvalsh(S, UPLO="U")


def roll_tuple(x):
    return np.roll(x, (1, -2), axis=(0, 1)), np.roll(x, 3), np.roll(x, -1, axis=-1)


def clip_arrays(x, lo, hi):
    return np.clip(x, lo, hi), x.clip(min=lo), np.clip(x, None, hi)


def astype_int16_overflow(x):
    return (x * 40000).astype(np.int16)


def astype_uint8_wrap(x):
    return (x * 300).astype(np.int64).astype(np.uint8)


def round_decimals(x):
    return np.round(x, 2), np.round(x * 1000, -2), np.around(x, 1), np.rint(x * 2.5)


def sinc_i0(x):
    return np.sinc(x), np.i0(x)


def kaiser_traced(beta):
    return np.kaiser(8, beta)


def windows_small():
    return np.hanning(1), np.hamming(0), np.blackman(2), np.bartlett(1), np.kaiser(1, 5.0)


def digitize_bins(x, bins):
    return (np.digitize(x, bins), np.digitize(x, bins, right=True),
            np.searchsorted(bins, x, side="right"))


def histogram_fixed(x):
    h, e = np.histogram(x, bins=5, range=(-3, 3))
    hd, _ = np.histogram(x, bins=5, range=(-3, 3), density=True)
    return h, e, hd


def histogram_weights(x, w):
    return np.histogram(x, bins=[-2, -1, 0, 1, 2], weights=w)


def histogram2d_grid(x, y):
    H, xe, ye = np.histogram2d(x, y, bins=4, range=[[-2, 2], [-2, 2]])
    return H, xe, ye


def bincount_weights(idx, w):
    return np.bincount(idx % 5, weights=w, minlength=5)


def pad_modes(x):
    return (np.pad(x, 2, mode="reflect"), np.pad(x, (1, 3), mode="symmetric"),
            np.pad(x, 2, mode="wrap"), np.pad(x, (2, 1), mode="edge"),
            np.pad(x, 2, constant_values=(-1, 9)), np.pad(x, 1, mode="linear_ramp"),
            np.pad(x, 2, mode="maximum"), np.pad(x, 2, mode="mean"))


def pad_2d(x):
    return np.pad(x, ((1, 1), (0, 2)), mode="constant"), np.pad(x, ((1, 0), (2, 2)), "reflect")


def diff_prepend(x):
    return (np.diff(x, prepend=x[0]), np.diff(x, append=0), np.diff(x, n=2),
            np.ediff1d(x, to_begin=0, to_end=[1, 2]))


def diff_bool(x):
    b = x > 0
    return np.diff(b), np.diff(b.astype(np.int8)), np.diff(x.astype(np.uint8))


def cumsum_dtypes(x):
    b = x > 0
    return (np.cumsum(b), np.cumsum(x.astype(np.int8)),
            np.cumsum(x.astype(np.int16), dtype=np.int16), np.cumprod(b))


def sign_complex(z):
    return np.sign(z), np.angle(z, deg=True), np.abs(z)


def unwrap_opts(p):
    return (np.unwrap(p), np.unwrap(p, discont=np.pi / 2), np.unwrap(p * 180 / np.pi, period=360),
            np.unwrap(p.reshape(2, -1), axis=0))


def interp_opts(x, xp, fp):
    return (np.interp(x, xp, fp), np.interp(x, xp, fp, left=0.0, right=-1.0),
            np.interp(x, xp, fp, period=2.0))


def interp_complex(x, xp, fp):
    return np.interp(x, xp, fp + 1j * fp[::-1])


def hypot_int(a, b):
    return np.hypot(a, b), np.arctan2(a, b), np.deg2rad(a)


def mod_negative(a, b):
    return a % b, np.mod(a, -b), a // b, np.fmod(a, b), np.remainder(-a, b), divmod(a, b)


def mod_float(x):
    return x % 1.0, np.mod(x, -2.5), np.fmod(x, 1.5), x // 0.5, np.floor_divide(x, -0.3)


def trunc_to_int(x):
    return (x.astype(int), np.trunc(x), np.fix(x), np.ceil(x).astype(np.int32),
            np.floor(x).astype(np.int8))


def log_zero(x):
    y = np.maximum(x, 0)
    return np.log10(y), np.log(y), np.log2(y + 0), 10 * np.log10(y + np.finfo(float).eps)


def nan_ops(x):
    y = np.where(x > 1, np.nan, x)
    return (np.maximum(y, 0), np.fmax(y, 0), np.nanmax(y), np.nanmean(y), np.nanargmin(y),
            np.nan_to_num(y, nan=-1))


def fft_norms(x):
    return (np.fft.fft(x, norm="ortho"), np.fft.rfft(x, norm="forward"),
            np.fft.irfft(np.fft.rfft(x), norm="backward"),
            np.fft.ifft(x, norm="forward"), np.fft.fft(x, n=5), np.fft.rfft(x, n=3 * len(x)))


def fft_2d_axes(x):
    return (np.fft.fft2(x, axes=(0, 1)), np.fft.rfftn(x),
            np.fft.irfftn(np.fft.rfftn(x), s=x.shape, axes=(0, 1)), np.fft.fftn(x, axes=(1,)))


def fft_int_input(x):
    return np.fft.fft(x), np.fft.rfft(x), np.fft.fft(x.astype(np.float32))


def fft_freqs_traced_d(d):
    return np.fft.fftfreq(8, d), np.fft.rfftfreq(9, d=d)


def fftshift_axes(x):
    return np.fft.fftshift(x, axes=0), np.fft.ifftshift(x), np.fft.fftshift(x, axes=(-1,))


def hfft_ihfft(x):
    return np.fft.ihfft(x), np.fft.hfft(np.fft.ihfft(x), n=len(x))


def gradient_varargs(f, x, y):
    return np.gradient(f, x, y), np.gradient(f, 1.0, y), np.gradient(f, axis=(0, 1))


def gradient_int(f):
    return np.gradient(f), np.gradient(f.astype(np.float32))


def gradient_uneven_edge(f, x):
    return np.gradient(f, x, edge_order=1), np.gradient(f, x, edge_order=2)


def trapezoid_forms(y, x):
    return (np.trapezoid(y), np.trapezoid(y, x, axis=0), np.trapezoid(y, dx=0.5, axis=-1),
            np.trapezoid(y.astype(np.int64)), np.trapezoid(y > 0))


def trapezoid_2d_x(y, x):
    return np.trapezoid(y, x[None, :].repeat(y.shape[0], 0), axis=1)


def searchsorted_forms(a, v):
    s = np.sort(a)
    return (np.searchsorted(s, v), np.searchsorted(s, v, side="right"),
            np.searchsorted(a, v, sorter=np.argsort(a)),
            s.searchsorted(v[0]))


def cumsum_searchsorted_sampling(w, u):
    c = np.cumsum(w)
    c /= c[-1]
    return np.searchsorted(c, u), np.minimum(np.searchsorted(c, u), len(w) - 1)


def isin_forms(x):
    return np.isin(x, [1, 2]), np.isin(x, np.array([0, 3]), invert=True), np.isin(x, 7)


def einsum_quat(q):
    return np.einsum("ij,ij->i", q, q), np.einsum("ni,nj->nij", q, q), np.einsum("...i,...i", q, q)


def outer_forms(a, b):
    return (np.outer(a, b), np.multiply.outer(a, b), np.subtract.outer(a, b),
            np.outer(a.reshape(2, -1), b))


def linspace_traced(lo, hi):
    return (np.linspace(lo, hi, 5), np.linspace(lo, hi, 4, endpoint=False),
            np.linspace(lo, hi, 3, retstep=True), np.geomspace(1.0, hi + 5,
                                                               4), np.logspace(0, lo, 3))


def linspace_vec(a, b):
    return np.linspace(a, b, 4), np.linspace(a, b, 3, axis=1)


def arange_float(dt):
    return np.arange(0, 1, 0.1), np.arange(5) * dt, np.arange(0.5, 3.0)


def meshgrid_forms(x, y):
    X, Y = np.meshgrid(x, y)
    Xi, Yi = np.meshgrid(x, y, indexing="ij")
    Xs, Ys = np.meshgrid(x, y, sparse=True)
    return X + Y, Xi * Yi, Xs + Ys


def indices_mgrid(n):
    return np.mgrid[0:3, 0:n], np.ogrid[0:3, 0:2], np.indices((2, n)), np.mgrid[0:1:5j]


def stacking(a, b):
    return (np.column_stack([a, b]), np.vstack([a, b]), np.dstack([a, b]), np.c_[a, b],
            np.r_[a, 0, b], np.hstack((a[:, None], b[:, None])))


def tile_repeat(x):
    return np.tile(x, (2, 1)), np.repeat(x, 2), np.repeat(x[None], 3, axis=0), np.tile(x, 2)


def argsort_stable(x):
    return (np.argsort(x, kind="stable"), np.argsort(-x), np.sort(x)[::-1],
            np.argpartition(x, 2)[:2].size)


def percentile_forms(x):
    return (np.percentile(x, [5, 50, 95]), np.median(x), np.quantile(x, 0.25, method="nearest"),
            np.percentile(x, 90, axis=0))


def where_scalar_dtypes(x):
    return (np.where(x > 0, 1, 0), np.where(x > 0, 1.0, 0), np.where(x > 0, x, 0),
            np.where(x > 0, np.int16(1), np.int8(0)))


def allclose_isclose(a, b):
    return (np.isclose(a, b), np.isclose(a, b, atol=0.5), np.allclose(a, a + 1e-12),
            np.array_equal(a, b))


def complex_exp(t, f):
    z = np.exp(2j * np.pi * f * t)
    return z, z.real, z.imag, np.conj(z), np.real(z * z.conj())


def int_audio_ops(x):
    return x >> 2, x << 1, x & 0xFF, np.abs(x), -x, x // 3, x * 2


def uint8_image_ops(x):
    return (x + 10, x - 10, x * 2, x // 2, x.astype(np.int16) - 10,
            np.clip(x.astype(int) + 100, 0, 255).astype(np.uint8))


def float16_audio(x):
    h = x.astype(np.float16)
    return h * 2, h.sum(), h.mean(), np.sqrt(np.abs(h)), (h * 32767).astype(np.int16)


def angle_normalize_forms(a):
    wrapped = (a + np.pi) % (2 * np.pi) - np.pi
    return wrapped, np.remainder(a, 2 * np.pi), np.arctan2(np.sin(a), np.cos(a)), np.mod(a, 360.0)


FORMS = {
    "cross_2d": (cross_2d, {}, lambda s, n: (_f(n, 2, seed=s), _f(n, 2, seed=s + 1))),
    "cross_axes": (cross_axes, {}, lambda s, n: (_f(3, n, seed=s), _f(3, n, seed=s + 1))),
    "cross_broadcast": (cross_broadcast, {}, lambda s, n: (_f(n, 3, seed=s), _f(2, 3, seed=s + 1))),
    "norm_orders": (norm_orders, {}, lambda s, n: (_f(n, seed=s),)),
    "matrix_norms": (matrix_norms, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "det_batch": (det_batch, {}, lambda s, n: (_f(n, 3, 3, seed=s),)),
    "svd_thin": (svd_thin, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "svd_values": (svd_values, {}, lambda s, n: (_f(2, n, 3, seed=s),)),
    "eigh_lower_upper": (eigh_lower_upper, {}, lambda s, n: (np.triu(_f(n, n, seed=s)),)),
    "roll_tuple": (roll_tuple, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "clip_arrays": (clip_arrays, {},
                    lambda s, n: (_f(n, 3, seed=s), _f(3, seed=s + 1) - 1,
                                  _f(n, 1, seed=s + 2) + 1)),
    "astype_int16_overflow": (astype_int16_overflow, {}, lambda s, n: (_f(n, seed=s) * 0.5,)),
    "astype_uint8_wrap": (astype_uint8_wrap, {}, lambda s, n: (_f(n, seed=s),)),
    "round_decimals": (round_decimals, {}, lambda s, n: (_f(n, seed=s) * 10,)),
    "sinc_i0": (sinc_i0, {}, lambda s, n: (np.append(_f(n, seed=s), 0.0),)),
    "kaiser_traced": (kaiser_traced, {}, lambda s, n: (float(s + n),)),
    "windows_small": (windows_small, {}, lambda s, n: ()),
    "digitize_bins": (digitize_bins, {},
                      lambda s, n: (np.append(_f(n, seed=s), [0.0, 1.0]),
                                    np.array([-1.0, 0.0, 1.0, 2.0]))),
    "digitize_decreasing": (lambda x, b: np.digitize(x, b), {},
                            lambda s, n: (np.append(_f(n, seed=s), [0.0, 1.0]),
                                          np.array([2.0, 1.0, 0.0, -1.0]))),
    "histogram_fixed": (histogram_fixed, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "histogram_weights": (histogram_weights, {},
                          lambda s, n: (_f(5 * n, seed=s), _f(5 * n, seed=s + 1, positive=True))),
    "histogram2d_grid": (histogram2d_grid, {},
                         lambda s, n: (_f(5 * n, seed=s), _f(5 * n, seed=s + 1))),
    "bincount_weights": (bincount_weights, {},
                         lambda s, n: (_i(9, 3 * n, seed=s), _f(3 * n, seed=s))),
    "pad_modes": (pad_modes, {}, lambda s, n: (_f(n, seed=s),)),
    "pad_2d": (pad_2d, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "diff_prepend": (diff_prepend, {}, lambda s, n: (_f(n, seed=s),)),
    "diff_bool": (diff_bool, {}, lambda s, n: (_f(n, seed=s) * 100,)),
    "cumsum_dtypes": (cumsum_dtypes, {}, lambda s, n: (_f(3 * n, seed=s) * 100,)),
    "sign_complex": (sign_complex, {}, lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1),)),
    "unwrap_opts": (unwrap_opts, {}, lambda s, n: (np.cumsum(_f(2 * n, seed=s) * 2),)),
    "interp_opts": (interp_opts, {},
                    lambda s, n: (_f(n, seed=s) * 2, np.array([-1.0, 0.0, 0.5, 1.5]),
                                  _f(4, seed=s + 1))),
    "interp_complex": (interp_complex, {},
                       lambda s, n: (_f(n, seed=s) * 2, np.array([-1.0, 0.0, 0.5, 1.5]),
                                     _f(4, seed=s + 1))),
    "hypot_int": (hypot_int, {}, lambda s, n: (_i(10, n, seed=s), _i(10, n, seed=s + 1))),
    "mod_negative": (mod_negative, {},
                     lambda s, n: (_i(20, n, seed=s) - 10, _i(5, n, seed=s + 1) + 1)),
    "mod_float": (mod_float, {}, lambda s, n: (_f(n, seed=s) * 5,)),
    "trunc_to_int": (trunc_to_int, {}, lambda s, n: (_f(n, seed=s) * 5,)),
    "log_zero": (log_zero, {}, lambda s, n: (_f(n, seed=s),)),
    "nan_ops": (nan_ops, {}, lambda s, n: (_f(n, seed=s),)),
    "fft_norms": (fft_norms, {}, lambda s, n: (_f(n, seed=s),)),
    "fft_2d_axes": (fft_2d_axes, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "fft_int_input": (fft_int_input, {}, lambda s, n: (_i(10, n, seed=s),)),
    "fft_freqs_traced_d": (fft_freqs_traced_d, {}, lambda s, n: (0.1 * s,)),
    "fftshift_axes": (fftshift_axes, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "hfft_ihfft": (hfft_ihfft, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "gradient_varargs": (gradient_varargs, {},
                         lambda s, n: (_f(n, 5, seed=s), np.cumsum(_f(n, seed=s, positive=True)),
                                       np.cumsum(_f(5, seed=s + 1, positive=True)))),
    "gradient_int": (gradient_int, {}, lambda s, n: (_i(10, n, 3, seed=s),)),
    "gradient_uneven_edge": (gradient_uneven_edge, {},
                             lambda s, n: (_f(n, seed=s), np.cumsum(_f(n, seed=s, positive=True)))),
    "trapezoid_forms": (trapezoid_forms, {},
                        lambda s, n: (_f(n, 3, seed=s), np.cumsum(_f(n, seed=s, positive=True)))),
    "trapezoid_2d_x": (trapezoid_2d_x, {},
                       lambda s, n: (_f(3, n, seed=s), np.cumsum(_f(n, seed=s, positive=True)))),
    "searchsorted_forms": (searchsorted_forms, {}, lambda s, n: (_f(n, seed=s), _f(5, seed=s + 1))),
    "cumsum_searchsorted_sampling": (cumsum_searchsorted_sampling, {},
                                     lambda s, n: (_f(n, seed=s, positive=True),
                                                   _f(7, seed=s, positive=True) / 2)),
    "isin_forms": (isin_forms, {}, lambda s, n: (_i(4, 2 * n, seed=s),)),
    "einsum_quat": (einsum_quat, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "outer_forms": (outer_forms, {}, lambda s, n: (_f(2 * n, seed=s), _f(3, seed=s + 1))),
    "linspace_traced": (linspace_traced, {}, lambda s, n: (float(s), float(s + n))),
    "linspace_vec": (linspace_vec, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "arange_float": (arange_float, {}, lambda s, n: (0.1 * s,)),
    "meshgrid_forms": (meshgrid_forms, {}, lambda s, n: (_f(n, seed=s), _f(3, seed=s + 1))),
    "indices_mgrid": (indices_mgrid, {"n": 4}, lambda s, n: ()),
    "stacking": (stacking, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "tile_repeat": (tile_repeat, {}, lambda s, n: (_f(n, seed=s),)),
    "argsort_stable": (argsort_stable, {}, lambda s, n: (_f(n, seed=s),)),
    "percentile_forms": (percentile_forms, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "where_scalar_dtypes": (where_scalar_dtypes, {},
                            lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "allclose_isclose": (allclose_isclose, {},
                         lambda s, n: (_f(n, seed=s), _f(n, seed=s) + 0.3 * _f(n, seed=s + 1))),
    "complex_exp": (complex_exp, {}, lambda s, n: (np.linspace(0, 1, n), 2.0 + s)),
    "int_audio_ops": (int_audio_ops, {}, lambda s, n: ((_f(n, seed=s) * 10000).astype(np.int16),)),
    "uint8_image_ops": (uint8_image_ops, {}, lambda s, n: (_i(256, n, seed=s).astype(np.uint8),)),
    "float16_audio": (float16_audio, {}, lambda s, n: (_f(n, seed=s) * 0.5,)),
    "angle_normalize_forms": (angle_normalize_forms, {}, lambda s, n: (_f(n, seed=s) * 10,)),
}


@pytest.mark.parametrize("name", list(FORMS))
def test_forms_matches_numpy(name):
    check_like_numpy(*FORMS[name])



# ----------------------------------------------------------------------------- more of each field


def pose_matrix(pose):
    x, y, th = pose[0], pose[1], pose[2]
    return np.array([[np.cos(th), -np.sin(th), x], [np.sin(th), np.cos(th), y], [0, 0, 1]])


def pose_matrix_f32(pose):
    c, s = np.cos(pose[2]), np.sin(pose[2])
    return np.array([[c, -s, pose[0]], [s, c, pose[1]], [0, 0, 1]], dtype=np.float32)


def stack_points_list(p1, p2, p3):
    return np.array([p1, p2, p3]), np.asarray((p1, p2)).T


def eye_f32_assign(R, t):
    T = np.eye(4, dtype=np.float32)
    T[:3, :3] = R
    T[:3, 3] = t
    return T


def compose_se2(poses):
    T = np.eye(3)
    out = []
    for p in poses:
        T = T @ pose_matrix(p)
        out.append(T[:2, 2])
    return np.array(out), np.arctan2(T[1, 0], T[0, 0])


def lstsq_fit(A, b):
    x, res, rank, sv = np.linalg.lstsq(A, b, rcond=None)
    return x, res, rank, sv


def matrix_rank_cond(A):
    return np.linalg.matrix_rank(A), np.linalg.cond(A)


def eig_rotation(R):
    w, v = np.linalg.eig(R)
    return np.sort_complex(w)


def polyfit_traj(t, x):
    p = np.polyfit(t, x, 2)
    return p, np.polyval(p, t), np.poly1d(p)(t[0])


def multinomial_resample(particles, weights, rng):
    idx = rng.choice(len(weights), size=len(weights), p=weights)
    return particles[idx]


def global_state_noise(x):
    np.random.seed(3)
    return x + np.random.randn(*x.shape) * 0.1, np.random.uniform(size=3)


def ising_random_site(config, beta):
    rng = np.random.default_rng(7)
    N = config.shape[0]
    for _ in range(6):
        a = rng.integers(0, N)
        b = rng.integers(0, N)
        s = config[a, b]
        nb = config[(a + 1) % N, b] + config[a, (b + 1) % N] + config[(a - 1) % N,
                                                                      b] + config[a, (b - 1) % N]
        cost = 2 * s * nb
        config[a, b] = np.where((cost < 0) | (rng.random() < np.exp(-cost * beta)), -s, s)
    return config


def tridiagonal_hamiltonian(V, dx):
    n = len(V)
    main = 1 / dx ** 2 + V
    off = -0.5 / dx ** 2 * np.ones(n - 1)
    H = np.diag(main) + np.diag(off, k=1) + np.diag(off, k=-1)
    E, psi = np.linalg.eigh(H)
    return E[:3], np.abs(psi[:, 0])


def traceback_argmax(F, gap, s, i, j):
    opts = [F[i - 1, j - 1] + s, F[i - 1, j] + gap, F[i, j - 1] + gap]
    return np.argmax(opts), np.max([0, *opts]), np.amax(np.array(opts))


def nw_with_traceback(a, b, S, gap=-2):
    n, m = len(a), len(b)
    F = np.zeros((n + 1, m + 1))
    P = np.zeros((n + 1, m + 1), dtype=np.int8)
    F[:, 0] = gap * np.arange(n + 1)
    F[0, :] = gap * np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            opts = np.array([F[i - 1, j - 1] + S[a[i - 1], b[j - 1]], F[i - 1, j] + gap,
                             F[i, j - 1] + gap])
            P[i, j] = np.argmax(opts)
            F[i, j] = opts[P[i, j]]
    return F[n, m], P


def gc_from_string(s):
    arr = np.array(list(s))
    return np.mean((arr == "G") | (arr == "C"))


def encode_string(s):
    lut = np.zeros(256, dtype=np.int8)
    lut[[ord(c) for c in "ACGT"]] = np.arange(4)
    return lut[np.frombuffer(s.encode(), dtype=np.uint8)]


def pcm_endian(x):
    return np.round(x * 32767).astype("<i2"), (x * 100).astype(">i4"), x.astype(">f8") * 2


def iinfo_scale(x):
    return x / np.iinfo(x.dtype).max, x.astype(np.float32) / np.iinfo(np.int16).max


def swv_2d(img):
    w = sliding_window_view(img, (3, 3))
    return w.mean(axis=(-1, -2)), sliding_window_view(img, 2, axis=1).sum(-1)


def ravel_cells(ix, iy, shape):
    flat = np.ravel_multi_index((iy, ix), shape, mode="clip")
    return flat, np.unravel_index(flat, shape)


def grid_argmax(grid):
    return (np.unravel_index(np.argmax(grid), grid.shape),
            np.array(np.unravel_index(np.argmin(grid), grid.shape)))


def bincount_clipped(x, n):
    idx = np.clip(np.floor(x).astype(int), 0, n - 1)
    return np.bincount(idx, minlength=n)


def bincount_mod(seq):
    return np.bincount(seq % 4, minlength=4)


def resample_counts(weights, u):
    c = np.cumsum(weights)
    idx = np.searchsorted(c, (u + np.arange(len(weights))) / len(weights))
    idx = np.minimum(idx, len(weights) - 1)
    return np.bincount(idx, minlength=len(weights))


def digitize_hist(x, bins):
    d = np.digitize(x, bins)
    return np.bincount(d, minlength=len(bins) + 1)


def kmer_counts_onehot(seq, k):
    powers = 4 ** np.arange(k - 1, -1, -1)
    codes = sliding_window_view(seq, k) @ powers
    return (codes[:, None] == np.arange(4 ** k)).sum(0)


def pairwise_distances_sq(P):
    sq = np.sum(P ** 2, axis=1)
    D = sq[:, None] + sq[None, :] - 2 * P @ P.T
    np.fill_diagonal(D, np.inf)
    return np.sqrt(np.maximum(D, 0)), D.argmin(axis=1)


def knn_indices(P, Q, k):
    d = np.linalg.norm(P[:, None] - Q[None], axis=-1)
    idx = np.argsort(d, axis=1)[:, :k]
    return idx, np.take_along_axis(d, idx, axis=1)


def knn_partition(P, Q, k):
    d = ((P[:, None] - Q[None]) ** 2).sum(-1)
    idx = np.argpartition(d, k, axis=1)[:, :k]
    return np.sort(np.take_along_axis(d, idx, 1), axis=1)


def normals_cross_mean(P):
    c = P.mean(0)
    n = np.cross(P[1] - P[0], P[2] - P[0])
    return n / np.linalg.norm(n), np.dot(n, c)


def plane_fit_svd(P):
    c = P.mean(axis=0)
    _, _, vt = np.linalg.svd(P - c)
    n = vt[-1]
    return np.abs(n), np.abs(np.dot(P - c, n)).max()


def ransac_score(P, n, d, thr):
    dist = np.abs(P @ n + d)
    inliers = dist < thr
    return inliers.sum(), np.mean(dist[inliers]), np.where(inliers, dist, 0).sum()


def quaternion_from_matrix(R):
    w = np.sqrt(np.maximum(0.0, 1.0 + np.trace(R))) / 2.0
    x = (R[2, 1] - R[1, 2]) / (4 * w)
    y = (R[0, 2] - R[2, 0]) / (4 * w)
    z = (R[1, 0] - R[0, 1]) / (4 * w)
    return np.array([w, x, y, z])


def quat_integrate(q, omega, dt, steps):
    for _ in range(steps):
        wx, wy, wz = omega
        Omega = np.array([[0, -wx, -wy, -wz], [wx, 0, wz, -wy], [wy, -wz, 0, wx], [wz, wy, -wx, 0]])
        q = q + 0.5 * dt * Omega @ q
        q /= np.linalg.norm(q)
    return q


def lbm_streaming_slices(f):
    out = f.copy()
    out[1, :, 1:] = f[1, :, :-1]
    out[2, 1:, :] = f[2, :-1, :]
    out[3, :, :-1] = f[3, :, 1:]
    out[4, :-1, :] = f[4, 1:, :]
    return out


def heat_implicit(u, r, steps):
    n = len(u)
    A = np.diag((1 + 2 * r) * np.ones(n)) - r * np.eye(n, k=1) - r * np.eye(n, k=-1)
    for _ in range(steps):
        u = np.linalg.solve(A, u)
    return u


def poisson_jacobi(f, h, iters):
    u = np.zeros_like(f)
    for _ in range(iters):
        u[1:-1,
          1:-1] = 0.25 * (u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1,
                                                                       :-2] - h * h * f[1:-1, 1:-1])
    return u


def energy_conservation(x, v, k, m, dt, steps):
    E = np.empty(steps)
    for i in range(steps):
        a = -k / m * x
        x = x + v * dt + 0.5 * a * dt ** 2
        a2 = -k / m * x
        v = v + 0.5 * (a + a2) * dt
        E[i] = 0.5 * m * v ** 2 + 0.5 * k * x ** 2
    return E, np.std(E) / np.mean(E)


def ising_sum_neighbors_slicing(s):
    nb = np.zeros_like(s)
    nb[1:, :] += s[:-1, :]
    nb[:-1, :] += s[1:, :]
    nb[:, 1:] += s[:, :-1]
    nb[:, :-1] += s[:, 1:]
    return -np.sum(s * nb) / 2


def pad_wrap_laplacian(u):
    p = np.pad(u, 1, mode="wrap")
    return p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4 * u


def spectrogram_db_int16(x, n_fft, hop):
    xf = x.astype(np.float32) / 32768.0
    frames = sliding_window_view(xf, n_fft)[::hop]
    S = np.abs(np.fft.rfft(frames * np.hanning(n_fft).astype(np.float32), axis=1)) ** 2
    return 10 * np.log10(np.maximum(S, 1e-10))


def mfcc_float32(frames, fb):
    P = np.abs(np.fft.rfft(frames, 32)) ** 2 / 32
    E = np.log(P @ fb.T + np.finfo(np.float32).eps)
    return E


def hz_to_midi(f):
    return 69 + 12 * np.log2(f / 440.0), np.round(69 + 12 * np.log2(f / 440.0)).astype(int)


def a_weighting(f):
    f2 = f ** 2
    ra = (12194 ** 2 * f2 ** 2) / ((f2 + 20.6 ** 2) * np.sqrt((f2 + 107.7 ** 2) * (f2 + 737.9 ** 2))
                                   * (f2 + 12194 ** 2))
    return 20 * np.log10(ra) + 2.0


def vad_energy(frames, thr_db):
    e = 10 * np.log10(np.sum(frames ** 2, axis=1) + 1e-12)
    voiced = e > (e.max() + thr_db)
    return voiced, voiced.sum()


def onset_peaks(env):
    d = np.diff(env)
    peaks = (d[:-1] > 0) & (d[1:] <= 0)
    return np.r_[False, peaks, False]


def clip_count(x):
    return np.count_nonzero(np.abs(x) >= 0.99), np.mean(np.abs(x) >= 0.99)


def stereo_interleave(l, r):
    out = np.empty(2 * len(l), dtype=l.dtype)
    out[0::2] = l
    out[1::2] = r
    return out, np.stack([l, r], axis=-1).reshape(-1), out.reshape(-1, 2)[:, 1]


def stereo_pan(x, pan):
    theta = (pan + 1) * np.pi / 4
    return np.column_stack((x * np.cos(theta), x * np.sin(theta)))


def dither_quantize(x, noise, bits):
    q = 2.0 ** (bits - 1)
    return np.floor(x * q + noise).clip(-q, q - 1).astype(np.int16)


def crossfade(a, b, n):
    t = np.linspace(0, 1, n)
    return np.concatenate([a[:-n], a[-n:] * (1 - t) + b[:n] * t, b[n:]])


def sawtooth_square(t, f):
    saw = 2 * (t * f - np.floor(0.5 + t * f))
    sq = np.sign(np.sin(2 * np.pi * f * t))
    tri = 2 * np.abs(saw) - 1
    return saw, sq, tri


def adsr(level, n_a, n_d, n_s, n_r):
    return np.concatenate([np.linspace(0, 1, n_a, endpoint=False),
                           np.linspace(1, level, n_d, endpoint=False),
                           np.full(n_s, level), np.linspace(level, 0, n_r)])


def freq_bins(fmin, n_fft, sr):
    f = np.fft.rfftfreq(n_fft, 1 / sr)
    return f, np.geomspace(fmin, sr / 2, 6), np.searchsorted(f, np.geomspace(fmin, sr / 2, 6))


def cqt_freqs(fmin, n_bins, bins_per_octave=12):
    return fmin * 2.0 ** (np.arange(n_bins) / bins_per_octave)


def kaiser_design(x, beta):
    h = np.sinc(np.linspace(-2, 2, 9)) * np.kaiser(9, beta)
    return np.convolve(x, h / h.sum(), mode="same")


def bessel_window_norm(beta):
    return np.i0(beta * np.sqrt(1 - np.linspace(-1, 1, 7) ** 2)) / np.i0(beta)



MORE = {
    "pose_matrix": (pose_matrix, {}, lambda s, n: (_f(3, seed=s + n),)),
    "pose_matrix_f32": (pose_matrix_f32, {}, lambda s, n: (_f(3, seed=s + n),)),
    "stack_points_list": (stack_points_list, {},
                          lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1), _f(n, seed=s + 2))),
    "eye_f32_assign": (eye_f32_assign, {}, lambda s, n: (_f(3, 3, seed=s + n), _f(3, seed=s))),
    "compose_se2": (compose_se2, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "lstsq_fit": (lstsq_fit, {}, lambda s, n: (_f(n + 3, 3, seed=s), _f(n + 3, seed=s + 1))),
    "matrix_rank_cond": (matrix_rank_cond, {}, lambda s, n: (_f(n, n, seed=s),)),
    "eig_rotation": (eig_rotation, {}, lambda s, n: (np.eye(3) + 0 * _f(3, 3, seed=s),)),
    "global_state_noise": (global_state_noise, {}, lambda s, n: (_f(n, seed=s),)),
    "ising_random_site": (ising_random_site, {},
                          lambda s, n: (np.where(_i(2, n, n, seed=s) == 1, 1, -1), 0.4)),
    "tridiagonal_hamiltonian": (tridiagonal_hamiltonian, {},
                                lambda s, n: (_f(n + 2, seed=s) ** 2, 0.5)),
    "traceback_argmax": (traceback_argmax, {"i": 2, "j": 1},
                         lambda s, n: (_f(n, n, seed=s), -1.0, 0.5)),
    "nw_with_traceback": (nw_with_traceback, {},
                          lambda s, n: (_i(4, n, seed=s), _i(4, 4, seed=s + 1), np.eye(4) * 3 - 1)),
    "gc_from_string": (gc_from_string, {"s": "ACGGTCAG"}, lambda s, n: ()),
    "encode_string": (encode_string, {"s": "ACGGTCAG"}, lambda s, n: ()),
    "pcm_endian": (pcm_endian, {}, lambda s, n: (_f(n, seed=s) * 0.5,)),
    "iinfo_scale": (iinfo_scale, {}, lambda s, n: ((_f(n, seed=s) * 1000).astype(np.int16),)),
    "swv_2d": (swv_2d, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "ravel_cells": (ravel_cells, {"shape": (4, 5)},
                    lambda s, n: (_i(7, n, seed=s), _i(6, n, seed=s + 1))),
    "grid_argmax": (grid_argmax, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "bincount_clipped": (bincount_clipped, {"n": 5}, lambda s, n: (_f(3 * n, seed=s) * 4,)),
    "bincount_mod": (bincount_mod, {}, lambda s, n: (_i(9, 3 * n, seed=s),)),
    "resample_counts": (resample_counts, {}, lambda s, n: (np.ones(n) / n, 0.4)),
    "digitize_hist": (digitize_hist, {},
                      lambda s, n: (_f(3 * n, seed=s), np.array([-1.0, 0.0, 1.0]))),
    "kmer_counts_onehot": (kmer_counts_onehot, {"k": 2}, lambda s, n: (_i(4, 3 * n, seed=s),)),
    "pairwise_distances_sq": (pairwise_distances_sq, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "knn_indices": (knn_indices, {"k": 2}, lambda s, n: (_f(n, 3, seed=s), _f(5, 3, seed=s + 1))),
    "knn_partition": (knn_partition, {"k": 2},
                      lambda s, n: (_f(n, 3, seed=s), _f(5, 3, seed=s + 1))),
    "normals_cross_mean": (normals_cross_mean, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "plane_fit_svd": (plane_fit_svd, {}, lambda s, n: (_f(n, 3, seed=s) * [1, 1, 0.05],)),
    "ransac_score": (ransac_score, {},
                     lambda s, n: (_f(n, 3, seed=s), np.array([0, 0, 1.0]), 0.1, 0.5)),
    "quaternion_from_matrix": (quaternion_from_matrix, {}, lambda s, n: (_rot(s + n),)),
    "quat_integrate": (quat_integrate, {"steps": 4},
                       lambda s, n: (np.array([1.0, 0, 0, 0]), _f(3, seed=s + n), 0.05)),
    "lbm_streaming_slices": (lbm_streaming_slices, {}, lambda s, n: (_f(5, n, 4, seed=s),)),
    "heat_implicit": (heat_implicit, {"steps": 3}, lambda s, n: (_f(n, seed=s), 0.4)),
    "poisson_jacobi": (poisson_jacobi, {"iters": 4}, lambda s, n: (_f(n, n, seed=s), 0.1)),
    "energy_conservation": (energy_conservation, {"steps": 5},
                            lambda s, n: (1.0 + s, 0.1 * n, 2.0, 1.0, 0.01)),
    "ising_sum_neighbors_slicing": (ising_sum_neighbors_slicing, {},
                                    lambda s, n: (np.where(_i(2, n, n, seed=s) == 1, 1, -1),)),
    "pad_wrap_laplacian": (pad_wrap_laplacian, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "spectrogram_db_int16": (spectrogram_db_int16, {"n_fft": 8, "hop": 4},
                             lambda s, n: ((_f(16 * n, seed=s) * 8000).astype(np.int16),)),
    "mfcc_float32": (mfcc_float32, {},
                     lambda s, n: (_f(n, 20, seed=s).astype(np.float32),
                                   _f(4, 17, seed=s, positive=True).astype(np.float32))),
    "hz_to_midi": (hz_to_midi, {}, lambda s, n: (_f(n, seed=s, positive=True) * 400,)),
    "a_weighting": (a_weighting, {}, lambda s, n: (np.geomspace(20, 20000, n),)),
    "vad_energy": (vad_energy, {},
                   lambda s, n: (_f(n, 8, seed=s) * np.arange(1, n + 1)[:, None], -10.0)),
    "onset_peaks": (onset_peaks, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "clip_count": (clip_count, {}, lambda s, n: (np.clip(_f(3 * n, seed=s), -1, 1),)),
    "stereo_interleave": (stereo_interleave, {},
                          lambda s, n: ((_f(n, seed=s) * 1000).astype(np.int16),
                                        (_f(n, seed=s + 1) * 1000).astype(np.int16))),
    "stereo_pan": (stereo_pan, {}, lambda s, n: (_f(n, seed=s), 0.3)),
    "dither_quantize": (dither_quantize, {"bits": 8},
                        lambda s, n: (_f(n, seed=s) * 0.5, _f(n, seed=s + 1) * 0.5)),
    "crossfade": (crossfade, {"n": 3}, lambda s, n: (_f(n + 3, seed=s), _f(n + 3, seed=s + 1))),
    "sawtooth_square": (sawtooth_square, {}, lambda s, n: (np.linspace(0, 1, 8 * n), 3.0)),
    "adsr": (adsr, {"n_a": 3, "n_d": 2, "n_s": 4, "n_r": 3}, lambda s, n: (0.1 * n,)),
    "freq_bins": (freq_bins, {"n_fft": 32, "sr": 8000}, lambda s, n: (50.0 * s,)),
    "cqt_freqs": (cqt_freqs, {"n_bins": 7}, lambda s, n: (32.7 * s,)),
    "kaiser_design": (kaiser_design, {}, lambda s, n: (_f(3 * n, seed=s), 2.0 + s)),
    "bessel_window_norm": (bessel_window_norm, {}, lambda s, n: (float(2 * s + n),)),
}


@pytest.mark.parametrize("name", list(MORE))
def test_more_matches_numpy(name):
    check_like_numpy(*MORE[name])


# ----------------------------------------------------------------------------- a second pass


def block_transform(R, t):
    return np.block([[R, t[:, None]], [np.zeros((1, 3)), np.ones((1, 1))]])


def vstack_transform(R, t):
    return np.vstack([np.hstack([R, t.reshape(3, 1)]), [0, 0, 0, 1]])


def r_c_transform(R, t):
    return np.r_[np.c_[R, t], [[0, 0, 0, 1]]]


def append_row_transform(R, t):
    return np.append(np.concatenate([R, t[:, None]], axis=1), [[0.0, 0.0, 0.0, 1.0]], axis=0)


def insert_homogeneous(p):
    return np.insert(p, 3, 1.0, axis=1), np.insert(p, 0, 0.0, axis=1)


def batch_rotate(R, p):
    return (np.einsum("nij,nj->ni", R, p), (R @ p[..., None]).squeeze(-1),
            np.matmul(R, p[:, :, None])[..., 0])


def multi_dot_chain(A, B, C):
    return np.linalg.multi_dot([A, B, C]), np.linalg.multi_dot([A, B])


def pinv_rcond(J):
    return np.linalg.pinv(J, rcond=1e-3), np.linalg.pinv(J, rtol=1e-3)


def ukf_sigma_points(x, P, alpha=1e-3, beta=2.0, kappa=0.0):
    n = x.shape[0]
    lam = alpha ** 2 * (n + kappa) - n
    U = np.linalg.cholesky((n + lam) * P)
    sigmas = np.zeros((2 * n + 1, n))
    sigmas[0] = x
    for k in range(n):
        sigmas[k + 1] = x + U[:, k]
        sigmas[n + k + 1] = x - U[:, k]
    Wc = np.full(2 * n + 1, 0.5 / (n + lam))
    Wm = np.full(2 * n + 1, 0.5 / (n + lam))
    Wc[0] = lam / (n + lam) + (1 - alpha ** 2 + beta)
    Wm[0] = lam / (n + lam)
    return sigmas, Wm, Wc


def unscented_transform(sigmas, Wm, Wc, Q):
    x = np.dot(Wm, sigmas)
    y = sigmas - x[np.newaxis, :]
    P = np.dot(y.T, np.dot(np.diag(Wc), y)) + Q
    return x, P


def mahalanobis_gate(y, S, thr):
    d2 = y @ np.linalg.inv(S) @ y
    return d2, d2 < thr, np.sqrt(d2)


def rotation_checks(R):
    return np.isclose(np.linalg.det(R), 1.0), np.allclose(R.T @ R, np.eye(3), atol=1e-8)


def degrees_unwrap(angles):
    return np.degrees(np.unwrap(angles)), np.rad2deg(np.arctan2(np.sin(angles), np.cos(angles)))


def ising_init(n, seed):
    rng = np.random.default_rng(seed)
    s = rng.choice([-1, 1], size=(n, n))
    return s, s.sum()


def triu_pairs_forces(pos, eps=1.0, sigma=1.0):
    n = len(pos)
    i, j = np.triu_indices(n, k=1)
    d = pos[i] - pos[j]
    r2 = np.sum(d ** 2, axis=1)
    sr6 = (sigma ** 2 / r2) ** 3
    fmag = 24 * eps * (2 * sr6 ** 2 - sr6) / r2
    f = fmag[:, None] * d
    F = np.zeros_like(pos)
    np.add.at(F, i, f)
    np.add.at(F, j, -f)
    E = np.sum(4 * eps * (sr6 ** 2 - sr6))
    return F, E, np.bincount(i, weights=fmag, minlength=n)


def cutoff_forces(pos, rc):
    d = pos[:, None, :] - pos[None, :, :]
    r = np.sqrt((d ** 2).sum(-1)) + np.eye(len(pos))
    f = np.where((r < rc) & (r > 0), 1.0 / r ** 2, 0.0)
    np.fill_diagonal(f, 0.0)
    return (f[..., None] * d / r[..., None]).sum(1)


def gaussian_wavepacket(x, x0, k0, sigma):
    psi = np.exp(-(x - x0) ** 2 / (4 * sigma ** 2)) * np.exp(1j * k0 * x)
    psi /= np.sqrt(np.trapezoid(np.abs(psi) ** 2, x))
    return psi, np.trapezoid(x * np.abs(psi) ** 2, x)


def split_step(psi, V, dx, dt, steps):
    n = len(psi)
    k = 2 * np.pi * np.fft.fftfreq(n, d=dx)
    for _ in range(steps):
        psi = psi * np.exp(-0.5j * V * dt)
        psi = np.fft.ifft(np.exp(-0.5j * k ** 2 * dt) * np.fft.fft(psi))
        psi = psi * np.exp(-0.5j * V * dt)
    return psi, np.sum(np.abs(psi) ** 2) * dx


HMM = (np.full(2, 0.5), np.array([[0.9, 0.1], [0.2, 0.8]]),
       np.array([[0.3, 0.2, 0.2, 0.3], [0.1, 0.4, 0.4, 0.1]]))  # CpG island: pi, A, B


def packet(s, n):
    return gaussian_wavepacket(np.linspace(-5, 5, 8 * n), 0.1 * s, 2.0, 1.0)[0]


def viterbi(obs, log_pi, log_A, log_B):
    T = len(obs)
    S = log_A.shape[0]
    V = np.zeros((T, S))
    ptr = np.zeros((T, S), dtype=np.int64)
    V[0] = log_pi + log_B[:, obs[0]]
    for t in range(1, T):
        scores = V[t - 1][:, None] + log_A
        ptr[t] = np.argmax(scores, axis=0)
        V[t] = np.max(scores, axis=0) + log_B[:, obs[t]]
    path = np.zeros(T, dtype=np.int64)
    path[-1] = np.argmax(V[-1])
    for t in range(T - 2, -1, -1):
        path[t] = ptr[t + 1, path[t + 1]]
    return path, V[-1].max()


def hmm_forward_scaled(obs, pi, A, B):
    T = len(obs)
    alpha = np.zeros((T, len(pi)))
    c = np.zeros(T)
    alpha[0] = pi * B[:, obs[0]]
    c[0] = 1.0 / alpha[0].sum()
    alpha[0] *= c[0]
    for t in range(1, T):
        alpha[t] = (alpha[t - 1] @ A) * B[:, obs[t]]
        c[t] = 1.0 / alpha[t].sum()
        alpha[t] *= c[t]
    return alpha, -np.sum(np.log(c))


def hmm_forward_log(obs, log_pi, log_A, log_B):
    la = log_pi + log_B[:, obs[0]]
    for t in range(1, len(obs)):
        la = np.logaddexp.reduce(la[:, None] + log_A, axis=0) + log_B[:, obs[t]]
    return np.logaddexp.reduce(la)


def nussinov(seq, min_loop=1):
    n = len(seq)
    N = np.zeros((n, n), dtype=np.int64)
    pair = ((seq[:, None] + seq[None, :]) == 3).astype(np.int64)
    for span in range(min_loop + 1, n):
        for i in range(n - span):
            j = i + span
            best = np.max([N[i + 1, j], N[i, j - 1], N[i + 1, j - 1] + pair[i, j]])
            for k in range(i + 1, j):
                best = np.maximum(best, N[i, k] + N[k + 1, j])
            N[i, j] = best
    return N[0, n - 1]


def upgma_merge(D):
    n = D.shape[0]
    Dm = D + np.diag(np.full(n, np.inf))
    i, j = np.unravel_index(np.argmin(Dm), Dm.shape)
    new = (D[i] + D[j]) / 2
    D2 = np.delete(np.delete(D, j, axis=0), j, axis=1)
    return D2, new


def identity_and_codons(a, b):
    ident = np.mean(a == b)
    n = len(a) // 3 * 3
    cod = a[:n].reshape(-1, 3) @ np.array([16, 4, 1])
    usage = np.zeros(64)
    np.add.at(usage, cod, 1)
    return ident, usage / usage.sum()


def pssm(msa, pseudo=1.0):
    counts = np.stack([(msa == b).sum(axis=0) for b in range(4)], axis=1).astype(float)
    freqs = (counts + pseudo) / (msa.shape[0] + 4 * pseudo)
    return np.log2(freqs / 0.25)


def logaddexp_posterior(ll):
    return np.exp(ll - np.logaddexp.reduce(ll)), np.logaddexp.accumulate(ll)


def reduceat_frame_energy(x, hop):
    return (np.add.reduceat(x ** 2, np.arange(0, len(x), hop)),
            np.maximum.reduceat(np.abs(x), np.arange(0, len(x), hop)))


def split_frames(x, n):
    parts = np.split(x, n)
    return [p.mean() for p in parts], np.array_split(x, 3)


def pad_to_frames(x, frame, hop):
    n_frames = int(np.ceil((len(x) - frame) / hop)) + 1
    pad = (n_frames - 1) * hop + frame - len(x)
    xp = np.pad(x, (0, pad))
    return sliding_window_view(xp, frame)[::hop]


def normalize_int_audio(x):
    if np.issubdtype(x.dtype, np.integer):
        x = x / np.iinfo(x.dtype).max
    return x.astype(np.float32)


def clip_inplace(x):
    np.clip(x, -0.5, 0.5, out=x)
    np.multiply(x, 2, out=x)
    return x


def window_out(frames, w):
    out = np.empty_like(frames)
    np.multiply(frames, w, out=out)
    return out


def flip_reverse(x):
    return x[::-1].copy(), np.flip(x), np.flipud(x[:, None])[:, 0]


def zero_crossings_sign(x):
    s = np.sign(x)
    s[s == 0] = 1
    return np.sum(np.abs(np.diff(s)) > 0)


def fft_out(x, buf):
    np.fft.fft(x, out=buf)
    return buf


def rfft_axis0(X):
    return (np.fft.rfft(X, axis=0), np.fft.fft(X, n=3, axis=1),
            np.fft.irfft(np.fft.rfft(X, axis=0), n=X.shape[0], axis=0))


def convolve_dtypes(a, b):
    a8 = a.astype(np.int8)
    return (np.convolve(a8, b.astype(np.int8)), np.convolve(a > 0, b > 0), np.convolve(a, b * 1j),
            np.correlate(a8, b.astype(np.int8), "same"))


def interp_ints(x, xp, fp):
    return np.interp(x, xp, fp), np.interp(x.astype(np.float32), xp, fp.astype(np.float32))


def unwrap_ints(p):
    return np.unwrap(p, period=10), np.unwrap(p.astype(float), period=10)


def swv_axis(frames):
    return (sliding_window_view(frames, 3, axis=0).mean(-1),
            sliding_window_view(frames, (2, 2)).sum((-1, -2)))


def spectral_subtraction(noisy, noise_frames, n_fft):
    N = np.abs(np.fft.rfft(noise_frames, n_fft)).mean(axis=0)
    X = np.fft.rfft(noisy, n_fft)
    mag = np.maximum(np.abs(X) - N, 0.05 * np.abs(X))
    return np.fft.irfft(mag * np.exp(1j * np.angle(X)), n_fft)


def griffin_lim_step(mag, angles, n_fft):
    frames = np.fft.irfft(mag * angles, n=n_fft, axis=-1)
    S = np.fft.rfft(frames, axis=-1)
    return np.exp(1j * np.angle(S)), np.linalg.norm(np.abs(S) - mag)


def wiener_gain(S, N):
    snr = np.maximum(S / np.maximum(N, 1e-12) - 1, 0)
    return snr / (1 + snr)


def bpm_from_onsets(env, sr_env, lo, hi):
    ac = np.correlate(env - env.mean(), env - env.mean(), "full")[len(env) - 1:]
    lag = lo + np.argmax(ac[lo:hi])
    return 60.0 * sr_env / lag


SECOND = {
    "block_transform": (block_transform, {}, lambda s, n: (_f(3, 3, seed=s + n), _f(3, seed=s))),
    "vstack_transform": (vstack_transform, {}, lambda s, n: (_f(3, 3, seed=s + n), _f(3, seed=s))),
    "r_c_transform": (r_c_transform, {}, lambda s, n: (_f(3, 3, seed=s + n), _f(3, seed=s))),
    "append_row_transform": (append_row_transform, {},
                             lambda s, n: (_f(3, 3, seed=s + n), _f(3, seed=s))),
    "insert_homogeneous": (insert_homogeneous, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "batch_rotate": (batch_rotate, {}, lambda s, n: (_f(n, 3, 3, seed=s), _f(n, 3, seed=s + 1))),
    "multi_dot_chain": (multi_dot_chain, {},
                        lambda s, n: (_f(2, n, seed=s), _f(n, 3, seed=s + 1),
                                      _f(3, 2, seed=s + 2))),
    "pinv_rcond": (pinv_rcond, {}, lambda s, n: (_f(2, n, seed=s),)),
    "ukf_sigma_points": (ukf_sigma_points, {}, lambda s, n: (_f(n, seed=s), np.eye(n) * 2 + 0.1)),
    "unscented_transform": (unscented_transform, {},
                            lambda s, n: (_f(2 * n + 1, n, seed=s), _f(2 * n + 1, seed=s + 1),
                                          _f(2 * n + 1, seed=s + 2), np.eye(n))),
    "mahalanobis_gate": (mahalanobis_gate, {},
                         lambda s, n: (_f(2, seed=s + n), np.eye(2) * 2, 5.99)),
    "rotation_checks": (rotation_checks, {}, lambda s, n: (np.eye(3) + 1e-9 * _f(3, 3, seed=s),)),
    "degrees_unwrap": (degrees_unwrap, {}, lambda s, n: (np.cumsum(_f(3 * n, seed=s)),)),
    "ising_init": (ising_init, {"n": 4, "seed": 3}, lambda s, n: ()),
    "triu_pairs_forces": (triu_pairs_forces, {}, lambda s, n: (_f(n, 3, seed=s) * 2,)),
    "cutoff_forces": (cutoff_forces, {}, lambda s, n: (_f(n, 2, seed=s), 1.5)),
    "gaussian_wavepacket": (gaussian_wavepacket, {},
                            lambda s, n: (np.linspace(-5, 5, 10 * n), 0.5, 2.0, 1.0)),
    "split_step": (split_step, {"steps": 3},
                   lambda s, n: (packet(s, n), np.linspace(-5, 5, 8 * n) ** 2 / 10, 10 / (8 * n),
                                 0.01)),
    "viterbi": (viterbi, {}, lambda s, n: (_i(4, 3 * n, seed=s),) + tuple(np.log(h) for h in HMM)),
    "hmm_forward_scaled": (hmm_forward_scaled, {}, lambda s, n: (_i(4, 3 * n, seed=s),) + HMM),
    "hmm_forward_log": (hmm_forward_log, {},
                        lambda s, n: (_i(4, 3 * n, seed=s),) + tuple(np.log(h) for h in HMM)),
    "nussinov": (nussinov, {}, lambda s, n: (_i(4, n + 2, seed=s),)),
    "upgma_merge": (upgma_merge, {}, lambda s, n: (np.abs(_f(n, n, seed=s) + _f(n, n, seed=s).T),)),
    "identity_and_codons": (identity_and_codons, {},
                            lambda s, n: (_i(4, 3 * n, seed=s), _i(4, 3 * n, seed=s + 1))),
    "pssm": (pssm, {}, lambda s, n: (_i(4, n, 6, seed=s),)),
    "logaddexp_posterior": (logaddexp_posterior, {}, lambda s, n: (_f(n, seed=s) * 10,)),
    "reduceat_frame_energy": (reduceat_frame_energy, {"hop": 4},
                              lambda s, n: (_f(4 * n + 2, seed=s),)),
    "split_frames": (split_frames, {"n": 2}, lambda s, n: (_f(4 * n, seed=s),)),
    "pad_to_frames": (pad_to_frames, {"frame": 8, "hop": 3}, lambda s, n: (_f(4 * n + 3, seed=s),)),
    "normalize_int_audio": (normalize_int_audio, {},
                            lambda s, n: ((_f(n, seed=s) * 1000).astype(np.int16),)),
    "normalize_float_audio": (normalize_int_audio, {}, lambda s, n: (_f(n, seed=s),)),
    "clip_inplace": (clip_inplace, {}, lambda s, n: (_f(n, seed=s),)),
    "window_out": (window_out, {}, lambda s, n: (_f(n, 8, seed=s), np.hanning(8))),
    "flip_reverse": (flip_reverse, {}, lambda s, n: (_f(n, seed=s),)),
    "zero_crossings_sign": (zero_crossings_sign, {}, lambda s, n: (np.round(_f(4 * n, seed=s)),)),
    "rfft_axis0": (rfft_axis0, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "convolve_dtypes": (convolve_dtypes, {},
                        lambda s, n: (_i(100, 2 * n, seed=s) - 50, _i(100, 3, seed=s + 1) - 50)),
    "interp_ints": (interp_ints, {},
                    lambda s, n: (_i(10, n, seed=s), np.array([0, 3, 6, 9]),
                                  _i(10, 4, seed=s + 1))),
    "unwrap_ints": (unwrap_ints, {}, lambda s, n: (np.cumsum(_i(9, 3 * n, seed=s)),)),
    "swv_axis": (swv_axis, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "spectral_subtraction": (spectral_subtraction, {"n_fft": 16},
                             lambda s, n: (_f(n, 16, seed=s), _f(3, 16, seed=s + 1) * 0.1)),
    "griffin_lim_step": (griffin_lim_step, {"n_fft": 8},
                         lambda s, n: (np.abs(_f(n, 5, seed=s)),
                                       np.exp(1j * _f(n, 5, seed=s + 1)))),
    "wiener_gain": (wiener_gain, {},
                    lambda s, n: (_f(n, 5, seed=s, positive=True),
                                  _f(n, 5, seed=s + 1, positive=True))),
    "bpm_from_onsets": (bpm_from_onsets, {"sr_env": 50, "lo": 10, "hi": 30},
                        lambda s, n: (np.abs(_f(40 * n, seed=s)),)),
}


@pytest.mark.parametrize("name", list(SECOND))
def test_second_matches_numpy(name):
    check_like_numpy(*SECOND[name])


# ----------------------------------------------------------------------------- writes, views, dtypes, methods


def frames_view_scale(x, hop):
    frames = x.reshape(-1, hop)
    frames *= np.hanning(hop)
    return x


def stride_negate(x):
    x[::2] *= -1
    return x


def transpose_view_write(M, v):
    M.T[0] = v
    return M


def flat_diag(D):
    D.flat[::D.shape[1] + 1] = 0.0
    return D


def flat_index_write(G, idx):
    G.flat[idx] = 1.0
    return G


def ravel_view_write(G, idx):
    G.ravel()[idx] = -1.0
    G.reshape(-1)[0] = 5.0
    return G


def copyto_where(dst, src):
    np.copyto(dst, src, where=src > 0)
    return dst


def put_place_putmask(G, idx):
    np.put(G, idx, 2.0)
    np.putmask(G, G < -1, -1.0)
    np.place(G, G > 1.5, [9.0, 8.0])
    return G


def diag_indices_set(D):
    D[np.diag_indices_from(D)] = 0.0
    return D


def triu_from_vector(d, n):
    D = np.zeros((n, n))
    D[np.triu_indices(n, 1)] = d
    return D + D.T


def swap_columns_rows(R):
    R[:, [0, 1]] = R[:, [1, 0]]
    R[[0, 2]] = R[[2, 0]]
    return R


def quat_conj_inplace(q):
    q[..., 1:] *= -1
    return q


def negative_out_view(q):
    np.negative(q[1:], out=q[1:])
    return q


def add_reversed_inplace(x):
    x += x[::-1]
    return x


def overlapping_shift_add(x):
    x[1:] += x[:-1]
    return x


def shift_right(x):
    x[1:] = x[:-1]
    x[0] = 0
    return x


def cumsum_out_self(x):
    np.cumsum(x, out=x)
    return x


def add_out_overlap(x):
    np.add(x[:-1], x[1:], out=x[1:])
    return x


def grid_max_update(grid, iy, ix, v):
    grid[iy, ix] = np.maximum(grid[iy, ix], v)
    return grid


def swv_write_readonly(x):
    w = sliding_window_view(x, 3)
    w[0, 0] = 1.0
    return w


def broadcast_write_readonly(x):
    b = np.broadcast_to(x, (3, len(x)))
    b[0, 0] = 1.0
    return b


def int_grid_inplace(grid, iy, ix):
    grid[iy, ix] += 1
    grid -= 1
    np.clip(grid, 0, 3, out=grid)
    return grid


def bool_grid_or(grid, iy, ix):
    hit = np.zeros_like(grid)
    hit[iy, ix] = True
    grid |= hit
    return grid, grid.sum()


def int8_logodds(grid, iy, ix):
    grid[iy, ix] += 40
    return grid


def uint8_saturating_add(img, v):
    out = img.astype(np.int16) + v
    return np.clip(out, 0, 255).astype(np.uint8), img + np.uint8(v)


def float32_inplace_python_float(x):
    x *= 0.1
    x += 1e-3
    return x, x.dtype


def float32_inplace_float64(x, y):
    x += y
    return x


def complex_inplace(z, w):
    z *= np.exp(1j * w)
    return z


def diag_einsum(A):
    return np.einsum("ii->i", A).copy(), np.einsum("ii", A), np.diagonal(A).copy()


def lbm_roll_tuple(F):
    out = np.empty_like(F)
    for i, (cx, cy) in enumerate([(0, 0), (1, 0), (0, 1), (-1, 0), (0, -1)]):
        out[i] = np.roll(F[i], (cy, cx), axis=(0, 1))
    return out


def ising_pad_wrap_energy(s):
    p = np.pad(s, 1, mode="wrap")
    nb = p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:]
    return -(s * nb).sum() / 2, (s * nb).dtype


def conv_all(a, b):
    out = []
    for mode in ("full", "same", "valid"):
        out += [np.convolve(a, b, mode), np.correlate(a, b, mode), np.correlate(b, a, mode)]
    return tuple(out)


def pad_large(x):
    return (np.pad(x, 5, mode="reflect"), np.pad(x, (7, 4), mode="symmetric"),
            np.pad(x, 8, mode="wrap"), np.pad(x, 3, mode="linear_ramp", end_values=(5, -5)),
            np.pad(x, 2, mode="maximum", stat_length=2),
            np.pad(x, 2, mode="mean", stat_length=(1, 2)), np.pad(x, 2, mode="median"),
            np.pad(x, 2, mode="minimum"), np.pad(x, (1, 2), mode="reflect", reflect_type="odd"),
            np.pad(x, 2, mode="symmetric", reflect_type="odd"))


def pad_odd_wide(x):
    return np.pad(x, (2, 3), mode="reflect", reflect_type="odd")


def signed_zeros(x):
    z = x * 0.0
    return (np.signbit(np.sign(z)), np.angle(-np.abs(z)), np.arctan2(z, -1.0),
            np.signbit(np.round(z - 0.2)))


def int_div_zero(a, b):
    return a // b, a % b, np.floor_divide(a, b), np.fmod(a, b), np.divmod(a, b)


def float_to_uint8_wrap(x):
    return (x * 300).astype(np.uint8), (x * 1e10).astype(np.int32), (x * 300).astype(np.int8)


def int16_reductions(x):
    return (np.mean(x), np.sum(x), np.cumsum(x), x.sum(dtype=np.int16), np.prod(x[:3]), x.max(),
            np.var(x),
            np.std(x, ddof=1), np.median(x), np.ptp(x))


def int16_linalg(a, b):
    return (np.dot(a, b), np.einsum("i,i->", a, b), a @ b, np.outer(a, b), np.cross(a[:3], b[:3]),
            np.linalg.norm(a))


def bool_matmul(a, b):
    A, B = a > 0, b > 0
    return A @ B.T, np.outer(A[0], B[0]), np.dot(A[0], B[0]), A.sum(), np.cumsum(A, axis=1)


def int_linalg(A, b):
    return (np.linalg.det(A), np.linalg.solve(A + 10 * np.eye(len(A), dtype=int), b),
            np.linalg.inv(A + 10 * np.eye(len(A), dtype=int)), np.linalg.norm(A))


def complex_stats(z):
    return np.var(z), np.std(z), np.mean(z), np.linalg.norm(z), np.abs(z).max(), np.sort(z)


def std_small(x):
    return np.std(x[:1], ddof=1), np.var(x[:0]), np.mean(x[:0])


def median_nan(x):
    y = x.copy()
    y[1] = np.nan
    return (np.median(y), np.median(x[:4]), np.nanmedian(y), np.percentile(y, 50),
            np.nanpercentile(y, [10, 90]))


def percentile_traced_q(x, q):
    return (np.percentile(x, q), np.quantile(x, q / 100, method="lower"),
            np.quantile(x, q / 100, method="midpoint"))


def norm_dtypes(a):
    return (np.linalg.norm(a.astype(np.float32)), np.linalg.norm(a.astype(np.int64)),
            np.linalg.norm(a + 1j), np.linalg.norm(a.astype(np.float16)))


def cross_int_float(a, b):
    return (np.cross(a, b), np.cross(a, b.astype(float)),
            np.cross(a.astype(np.int8), b.astype(np.int8)))


def fft_odd(x):
    return (np.fft.rfft(x), np.fft.irfft(np.fft.rfft(x), n=len(x)), np.fft.irfft(np.fft.rfft(x)),
            np.fft.hfft(x[:3], n=5), np.fft.fft(x, n=len(x) + 2))


def interp_nan_period(x, xp, fp):
    fp2 = fp.copy()
    fp2[1] = np.nan
    return (np.interp(x, xp, fp2), np.interp(-x, xp, fp, period=1.5),
            np.interp(np.append(x, np.nan), xp, fp))


def unwrap_discont(p):
    return np.unwrap(p, discont=1.0), np.unwrap(p, discont=5.0), np.unwrap(p, period=np.pi)


def angle_real_negative(x):
    return np.angle(x), np.angle(x.astype(np.float32)), np.angle(x.astype(int))


def swv_tuple_axes(x):
    return (sliding_window_view(x, (2, 3), axis=(0, 1)).shape,
            sliding_window_view(x, (2, 3),
                                axis=(0,
                                      1)).sum((-1,
                                               -2)), sliding_window_view(x, 2,
                                                                         axis=-1)[:, ::2].max(-1))


def hist_auto(x):
    return np.histogram(x, bins="auto")


def histogram_int_range(x):
    return np.histogram(x, bins=4), np.histogram(x.astype(float), bins=np.array([0, 2.5, 5, 10]))


def digitize_int(x):
    return (np.digitize(x, [1, 3, 5]),
            np.digitize(x.astype(np.int8), np.array([0.5, 2.5]), right=True))


def gradient_spacing_2d(f, dx, dy):
    gy, gx = np.gradient(f, dy, dx)
    return gy, gx, np.gradient(f, dx, axis=1, edge_order=2)


def trapezoid_int(y):
    return np.trapezoid(y), np.trapezoid(y, dx=2), np.trapezoid(y.astype(np.float32), dx=0.5)


def builtin_ops(x):
    s = x[0]
    return (round(s, 2), abs(s), pow(s, 2), divmod(s, 0.5), sum(x), max(x.shape),
            list(reversed(x))[0])


def methods_misc(x):
    return (x.clip(0), x.round(2), x.conj(), x.cumsum(0), x.argsort()[::-1], x.any(axis=0),
            x.trace(),
            x.diagonal(), x.prod(), x.var(ddof=1), x.std(axis=0,
                                                         keepdims=True), x.max(initial=10.0),
            x.repeat(2), x.flatten(), x.squeeze(), x.swapaxes(0, 1), x.mT, x.nbytes, x.itemsize)


def fill_inplace(x):
    y = x.copy()
    x.fill(0.5)
    return y, x


def sort_inplace(x):
    x.sort()
    return x


def sort_axis_inplace(x):
    x.sort(axis=0)
    return x


def partition_inplace(x):
    x.partition(2)
    return x[2]


def put_method(x, idx):
    x.put(idx, -1.0)
    return x


def real_imag_setters(z):
    z.real = 0.0
    w = z.copy()
    w.imag = w.imag * 2
    return z, w


def real_view_write(z):
    z.real[:] = 1.0
    z.imag[0] = 5.0
    return z


def searchsorted_method(a, v):
    return (np.sort(a).searchsorted(v),
            a.compress([True, False, True],
                       axis=0) if a.ndim > 1 else a.compress([True, False, True]))


def choose_method(idx, a, b):
    return idx.choose([a, b]), np.choose(idx, (a, b))


def dot_method(x, y):
    return x.dot(y), x.T.dot(x), x.dot(y[:, None])


def resize_copy(x):
    return np.resize(x, (2, 5)), np.resize(x, 3)


THIRD = {
    "frames_view_scale": (frames_view_scale, {"hop": 4}, lambda s, n: (_f(4 * n, seed=s),)),
    "stride_negate": (stride_negate, {}, lambda s, n: (_f(n, seed=s),)),
    "transpose_view_write": (transpose_view_write, {},
                             lambda s, n: (_f(n, 3, seed=s), _f(n, seed=s + 1))),
    "flat_diag": (flat_diag, {}, lambda s, n: (_f(n, n, seed=s),)),
    "flat_index_write": (flat_index_write, {},
                         lambda s, n: (_f(n, 3, seed=s), _i(3 * n, 4, seed=s))),
    "ravel_view_write": (ravel_view_write, {},
                         lambda s, n: (_f(n, 3, seed=s), _i(3 * n, 4, seed=s))),
    "copyto_where": (copyto_where, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "put_place_putmask": (put_place_putmask, {},
                          lambda s, n: (_f(n, 3, seed=s) * 2, _i(3 * n, 2, seed=s))),
    "diag_indices_set": (diag_indices_set, {}, lambda s, n: (_f(n, n, seed=s),)),
    "triu_from_vector": (triu_from_vector, {"n": 4}, lambda s, n: (_f(6, seed=s + n),)),
    "swap_columns_rows": (swap_columns_rows, {}, lambda s, n: (_f(3, n, seed=s),)),
    "quat_conj_inplace": (quat_conj_inplace, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "negative_out_view": (negative_out_view, {}, lambda s, n: (_f(n, seed=s),)),
    "add_reversed_inplace": (add_reversed_inplace, {}, lambda s, n: (_f(n, seed=s),)),
    "overlapping_shift_add": (overlapping_shift_add, {}, lambda s, n: (_f(n, seed=s),)),
    "shift_right": (shift_right, {}, lambda s, n: (_f(n, seed=s),)),
    "cumsum_out_self": (cumsum_out_self, {}, lambda s, n: (_f(n, seed=s),)),
    "add_out_overlap": (add_out_overlap, {}, lambda s, n: (_f(n, seed=s),)),
    "grid_max_update": (grid_max_update, {},
                        lambda s, n: (np.zeros((3, 3)), _i(3, n, seed=s), _i(3, n, seed=s + 1),
                                      _f(n, seed=s))),
    "int_grid_inplace": (int_grid_inplace, {},
                         lambda s, n: (_i(3, 3, 3, seed=s), _i(3, n, seed=s),
                                       _i(3, n, seed=s + 1))),
    "bool_grid_or": (bool_grid_or, {},
                     lambda s, n: (_i(2, 3, 3, seed=s) == 1, _i(3, n, seed=s),
                                   _i(3, n, seed=s + 1))),
    "int8_logodds": (int8_logodds, {},
                     lambda s, n: ((_i(200, 3, 3, seed=s) - 100).astype(np.int8), _i(3, n, seed=s),
                                   _i(3, n, seed=s + 1))),
    "float32_inplace_python_float": (float32_inplace_python_float, {},
                                     lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "complex_inplace": (complex_inplace, {},
                        lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1), _f(n, seed=s + 2))),
    "diag_einsum": (diag_einsum, {}, lambda s, n: (_f(n, n, seed=s),)),
    "lbm_roll_tuple": (lbm_roll_tuple, {}, lambda s, n: (_f(5, n, 4, seed=s),)),
    "ising_pad_wrap_energy": (ising_pad_wrap_energy, {},
                              lambda s, n: (np.where(_i(2, n, n, seed=s) == 1, 1,
                                                     -1).astype(np.int8),)),
    "conv_all_3_5": (conv_all, {}, lambda s, n: (_f(3, seed=s), _f(n + 1, seed=s + 1))),
    "conv_all_even": (conv_all, {}, lambda s, n: (_f(2 * n, seed=s), _f(4, seed=s + 1))),
    "conv_all_one": (conv_all, {}, lambda s, n: (_f(n, seed=s), _f(1, seed=s + 1))),
    "conv_all_complex": (conv_all, {},
                         lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 2),
                                       _f(2, seed=s + 1) - 0.5j)),
    "conv_all_int": (conv_all, {}, lambda s, n: (_i(9, n, seed=s), _i(9, 3, seed=s + 1))),
    "pad_large": (pad_large, {}, lambda s, n: (_f(3, seed=s + n),)),
    "signed_zeros": (signed_zeros, {}, lambda s, n: (_f(n, seed=s),)),
    "int_div_zero": (int_div_zero, {},
                     lambda s, n: (_i(20, n, seed=s) - 10, _i(3, n, seed=s + 1) - 1)),
    "float_to_uint8_wrap": (float_to_uint8_wrap, {}, lambda s, n: (_f(n, seed=s),)),
    "int16_reductions": (int16_reductions, {},
                         lambda s, n: ((_f(3 * n, seed=s) * 20000).astype(np.int16),)),
    "int16_linalg": (int16_linalg, {},
                     lambda s, n: ((_f(n, seed=s) * 300).astype(np.int16),
                                   (_f(n, seed=s + 1) * 300).astype(np.int16))),
    "bool_matmul": (bool_matmul, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "int_linalg": (int_linalg, {}, lambda s, n: (_i(5, n, n, seed=s), _i(5, n, seed=s + 1))),
    "complex_stats": (complex_stats, {}, lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1),)),
    "std_small": (std_small, {}, lambda s, n: (_f(n, seed=s),)),
    "median_nan": (median_nan, {}, lambda s, n: (_f(n, seed=s),)),
    "norm_dtypes": (norm_dtypes, {}, lambda s, n: (_i(5, n, seed=s) - 2,)),
    "cross_int_float": (cross_int_float, {},
                        lambda s, n: (_i(9, n, 3, seed=s) - 4, _i(9, n, 3, seed=s + 1) - 4)),
    "fft_odd": (fft_odd, {}, lambda s, n: (_f(2 * n + 1, seed=s),)),
    "interp_nan_period": (interp_nan_period, {},
                          lambda s, n: (_f(n, seed=s), np.array([-1.0, 0.0, 0.5, 1.5]),
                                        _f(4, seed=s + 1))),
    "unwrap_discont": (unwrap_discont, {}, lambda s, n: (np.cumsum(_f(3 * n, seed=s) * 2),)),
    "angle_real_negative": (angle_real_negative, {}, lambda s, n: (_f(n, seed=s),)),
    "swv_tuple_axes": (swv_tuple_axes, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "histogram_int_range": (histogram_int_range, {}, lambda s, n: (_i(10, 3 * n, seed=s),)),
    "digitize_int": (digitize_int, {}, lambda s, n: (_i(7, 3 * n, seed=s),)),
    "gradient_spacing_2d": (gradient_spacing_2d, {}, lambda s, n: (_f(n, 5, seed=s), 0.5, 0.25)),
    "trapezoid_int": (trapezoid_int, {}, lambda s, n: (_i(9, n, seed=s),)),
    "builtin_ops": (builtin_ops, {}, lambda s, n: (_f(n, seed=s),)),
    "methods_misc": (methods_misc, {}, lambda s, n: (_f(n, n, seed=s),)),
    "fill_inplace": (fill_inplace, {}, lambda s, n: (_f(n, seed=s),)),
    "sort_inplace": (sort_inplace, {}, lambda s, n: (_f(n, seed=s),)),
    "sort_axis_inplace": (sort_axis_inplace, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "partition_inplace": (partition_inplace, {}, lambda s, n: (_f(n, seed=s),)),
    "put_method": (put_method, {}, lambda s, n: (_f(n, 2, seed=s), _i(2 * n, 3, seed=s))),
    "real_imag_setters": (real_imag_setters, {},
                          lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1),)),
    "real_view_write": (real_view_write, {},
                        lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1),)),
    "searchsorted_method": (searchsorted_method, {},
                            lambda s, n: (_f(3, seed=s + n), _f(4, seed=s))),
    "choose_method": (choose_method, {},
                      lambda s, n: (_i(2, n, seed=s), _f(n, seed=s), _f(n, seed=s + 1))),
    "dot_method": (dot_method, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, seed=s + 1))),
    "resize_copy": (resize_copy, {}, lambda s, n: (_f(n, seed=s),)),
}


@pytest.mark.filterwarnings("ignore:Degrees of freedom:RuntimeWarning",
                            "ignore:Mean of empty slice:RuntimeWarning")
@pytest.mark.parametrize("name", list(THIRD))
def test_third_matches_numpy(name):
    """Writes through views of arguments (`x.reshape(-1, hop) *= w`, `D.flat[::n + 1] = 0`,
    `x.T[0] = v`, `z.real = 0`), overlapping in-place updates (`x += x[::-1]`, `x[1:] += x[:-1]`),
    integer and bool grids, `np.convolve`/`np.correlate` in every mode and length, wide pads,
    signed zeros, integer division by zero, int16 reductions and products, array methods."""
    check_like_numpy(*THIRD[name])


# ----------------------------------------------------------------------------- planning, dynamics, sequences, effects


def dijkstra_dense(W, src):
    n = W.shape[0]
    dist = np.full(n, np.inf)
    dist[src] = 0.0
    visited = np.zeros(n, dtype=bool)
    for _ in range(n):
        u = np.argmin(np.where(visited, np.inf, dist))
        visited[u] = True
        dist = np.minimum(dist, dist[u] + W[u])
    return dist


def potential_field(q, goal, obstacles, k_att=1.0, k_rep=0.5, d0=1.0):
    F_att = -k_att * (q - goal)
    diff = q - obstacles
    d = np.linalg.norm(diff, axis=1)
    mag = np.where(d < d0, k_rep * (1 / d - 1 / d0) / d ** 2, 0.0)
    F_rep = (mag[:, None] * diff / d[:, None]).sum(axis=0)
    return F_att + F_rep


def value_iteration(R, P, gamma, iters):
    V = np.zeros(R.shape[0])
    for _ in range(iters):
        Q = R + gamma * P @ V
        V = Q.max(axis=1)
    return V, Q.argmax(axis=1)


def gridworld_values(grid_reward, gamma, iters):
    V = np.zeros_like(grid_reward)
    for _ in range(iters):
        up = np.vstack([V[:1], V[:-1]])
        down = np.vstack([V[1:], V[-1:]])
        left = np.hstack([V[:, :1], V[:, :-1]])
        right = np.hstack([V[:, 1:], V[:, -1:]])
        V = grid_reward + gamma * np.max(np.stack([up, down, left, right]), axis=0)
    return V


def noisy_odometry(pose, u, rng, steps):
    out = []
    for _ in range(steps):
        v = u[0] + rng.normal(0, 0.1)
        w = u[1] + rng.normal(0, 0.05)
        pose = pose + np.array([v * np.cos(pose[2]), v * np.sin(pose[2]), w]) * 0.1
        out.append(pose)
    return np.array(out)


def kepler_newton(M, e, iters=8):
    E = M.copy()
    for _ in range(iters):
        E = E - (E - e * np.sin(E) - M) / (1 - e * np.cos(E))
    nu = 2 * np.arctan2(np.sqrt(1 + e) * np.sin(E / 2), np.sqrt(1 - e) * np.cos(E / 2))
    return E, nu


def double_pendulum_rhs(state, m1, m2, l1, l2, g=9.81):
    th1, w1, th2, w2 = state
    d = th2 - th1
    den1 = (m1 + m2) * l1 - m2 * l1 * np.cos(d) ** 2
    dw1 = (m2 * l1 * w1 ** 2 * np.sin(d) * np.cos(d) + m2 * g * np.sin(th2) * np.cos(d)
           + m2 * l2 * w2 ** 2 * np.sin(d) - (m1 + m2) * g * np.sin(th1)) / den1
    den2 = (l2 / l1) * den1
    dw2 = (-m2 * l2 * w2 ** 2 * np.sin(d) * np.cos(d) + (m1 + m2) * g * np.sin(th1) * np.cos(d)
           - (m1 + m2) * l1 * w1 ** 2 * np.sin(d) - (m1 + m2) * g * np.sin(th2)) / den2
    return np.array([w1, dw1, w2, dw2])


def lorenz(xyz, s=10, r=28, b=2.667, dt=0.01, steps=10):
    xs = np.empty((steps + 1, 3))
    xs[0] = xyz
    for i in range(steps):
        x, y, z = xs[i]
        xs[i + 1] = xs[i] + dt * np.array([s * (y - x), r * x - y - x * z, x * y - b * z])
    return xs


def wave_2d_roll(u, u_prev, c2, steps):
    for _ in range(steps):
        lap = np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1) + np.roll(u, -1, 1) - 4 * u
        u, u_prev = 2 * u - u_prev + c2 * lap, u
    return u


def fourier_square(x, N):
    return 4 / np.pi * sum(np.sin((2 * k + 1) * x) / (2 * k + 1) for k in range(N))


def lotka_volterra(x, y, a, b, c, d, dt, steps):
    traj = np.zeros((steps, 2))
    for i in range(steps):
        x, y = x + dt * (a * x - b * x * y), y + dt * (c * x * y - d * y)
        traj[i] = x, y
    return traj


def lineweaver_burk(S, v):
    A = np.vstack([1 / S, np.ones_like(S)]).T
    slope, intercept = np.linalg.lstsq(A, 1 / v, rcond=None)[0]
    Vmax = 1 / intercept
    return Vmax, slope * Vmax


def michaelis_menten(s, n):
    S = np.linspace(0.5, 5, n)
    return S, 2 * S / (1 + S) + 0.01 * _f(n, seed=s)


def logo_heights(freqs):
    ic = 2 + np.sum(np.where(freqs > 0, freqs * np.log2(np.where(freqs > 0, freqs, 1)), 0), axis=1)
    return freqs * ic[:, None]


def score_matrix_broadcast(a, b, S):
    return S[a[:, None], b[None, :]], S[np.ix_(a, b)]


def first_stop_codon(seq):
    codons = seq[: len(seq) // 3 * 3].reshape(-1, 3) @ np.array([16, 4, 1])
    is_stop = np.isin(codons, [48, 50, 56])
    has = is_stop.any()
    return np.where(has, np.argmax(is_stop), -1), has


def jc_matrix_safe(X):
    p = (X[:, None, :] != X[None, :, :]).mean(-1)
    ok = p < 0.75
    return np.where(ok, -0.75 * np.log(np.where(ok, 1 - 4 / 3 * p, 1.0)), np.inf)


def packed_hamming(a, b):
    x = np.bitwise_xor(a, b)
    return np.unpackbits(x.astype(np.uint8)).sum(), np.bitwise_count(x).sum(), np.bitwise_count(x)


def band_energy(S, freqs, lo, hi):
    band = (freqs >= lo) & (freqs < hi)
    return S[band].sum(axis=0), np.sum(S, axis=0, where=band[:, None])


def spectral_bandwidth(S, f):
    c = np.sum(f[:, None] * S, axis=0) / np.sum(S, axis=0)
    return np.sqrt(np.sum(((f[:, None] - c) ** 2) * S, axis=0) / np.sum(S, axis=0))


def chroma(S, f):
    valid = f > 0
    pc = np.zeros(len(f), dtype=int)
    pc[valid] = np.round(12 * np.log2(f[valid] / 440.0)).astype(int) % 12
    C = np.zeros((12, S.shape[1]))
    np.add.at(C, pc[valid], S[valid])
    return C / np.maximum(C.max(axis=0), 1e-12)


def harmonic_product_spectrum(S, H):
    hps = S.copy()
    for h in range(2, H + 1):
        dec = S[::h]
        hps[:len(dec)] *= dec
    return np.argmax(hps[: len(S) // H]), hps


def comb_filter(x, g, D):
    y = np.zeros_like(x)
    for n in range(len(x)):
        y[n] = x[n] + (g * y[n - D] if n >= D else 0.0)
    return y


def karplus_strong(noise, n, decay=0.996):
    buf = noise.copy()
    N = len(buf)
    out = np.zeros(n)
    for i in range(n):
        out[i] = buf[i % N]
        buf[i % N] = decay * 0.5 * (buf[i % N] + buf[(i + 1) % N])
    return out


def vibrato(x, rate, depth, sr):
    t = np.arange(len(x))
    mod = depth * sr * np.sin(2 * np.pi * rate * t / sr)
    return np.interp(t - mod, t, x)


def bitcrush_softclip(x, gain, bits):
    levels = 2 ** bits
    return np.round(x * levels) / levels, np.tanh(gain * x) / np.tanh(gain)


def sliding_rms(x, w):
    p = np.pad(x ** 2, (w // 2, w - 1 - w // 2), mode="constant")
    return np.sqrt(np.convolve(p, np.ones(w) / w, mode="valid"))


def top_peaks(S, k):
    idx = np.argsort(S)[-k:][::-1]
    return idx, S[idx]


def time_stretch_interp(x, rate):
    n_out = int(len(x) / rate)
    return np.interp(np.arange(n_out) * rate, np.arange(len(x)), x)


def loudness_normalize(x, target_db):
    rms = np.sqrt(np.mean(x ** 2))
    gain = 10 ** ((target_db - 20 * np.log10(rms + 1e-12)) / 20)
    return np.clip(x * gain, -1.0, 1.0), gain


def einsum_ellipsis(R, v):
    return (np.einsum("...ij,...j->...i", R, v), np.tensordot(R, v, axes=([2], [1])).shape,
            np.einsum("nij,nkj->nik", R, R))


def tensordot_forms(A, B):
    return (np.tensordot(A, B, axes=1), np.tensordot(A, B, axes=([0], [1])),
            np.tensordot(A, A, axes=2))


def apply_along(X):
    return (np.apply_along_axis(lambda r: r / np.linalg.norm(r), 1, X),
            np.apply_along_axis(np.diff, 0, X))


def vectorized_kernel(r, h):
    def w(q):
        if q <= 1:
            return 1 - 1.5 * q ** 2 + 0.75 * q ** 3
        return 0.25 * (2 - q) ** 3 if q <= 2 else 0.0
    return np.vectorize(w)(r / h)


def piecewise_kernel(r, h):
    q = r / h
    return (np.piecewise(q, [q <= 1, (q > 1) & (q <= 2)],
                         [lambda q: 1 - 1.5 * q ** 2 + 0.75 * q ** 3,
                          lambda q: 0.25 * (2 - q) ** 3, 0.0]))


def select_kernel(r, h):
    q = r / h
    return np.select([q <= 1, q <= 2], [1 - 1.5 * q ** 2 + 0.75 * q ** 3, 0.25 * (2 - q) ** 3], 0.0)


def polynomial_module(x, y):
    c = np.polynomial.polynomial.polyfit(x, y, 2)
    return c, np.polynomial.polynomial.polyval(x, c), np.polynomial.chebyshev.chebval(x, c)


def polynomial_class(x, y):
    p = np.polynomial.Polynomial.fit(x, y, 2)
    return p(x), p.deriv()(x)


def convolve_long_kernel(x, h):
    return np.convolve(x, h, "same"), np.convolve(h, x, "same"), np.correlate(x, h, "same")


def swv_not_writeable(x):
    return np.lib.stride_tricks.sliding_window_view(x, 3, writeable=False).sum(1)


FOURTH = {
    "percentile_traced_q": (percentile_traced_q, {},
                            lambda s, n: (_f(3 * n, seed=s), np.array([5.0, 50.0, 95.0]) + s)),
    "polynomial_class_fit": (polynomial_class, {},
                             lambda s, n: (np.linspace(-1, 1, n + 3), _f(n + 3, seed=s))),
"einsum_ellipsis": (einsum_ellipsis, {}, lambda s, n: (_f(n, 3, 3, seed=s), _f(n, 3, seed=s + 1))),
    "tensordot_forms": (tensordot_forms, {}, lambda s, n: (_f(n, n, seed=s), _f(n, n, seed=s + 1))),
    "apply_along": (apply_along, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "piecewise_kernel": (piecewise_kernel, {},
                         lambda s, n: (_f(n, seed=s, positive=True) * 1.5, 1.0)),
    "select_kernel": (select_kernel, {}, lambda s, n: (_f(n, seed=s, positive=True) * 1.5, 1.0)),
    "convolve_long_kernel": (convolve_long_kernel, {},
                             lambda s, n: (_f(3, seed=s), _f(n + 3, seed=s + 1))),
    "swv_not_writeable": (swv_not_writeable, {}, lambda s, n: (_f(n + 2, seed=s),)),
    "dijkstra_dense": (dijkstra_dense, {},
                       lambda s, n: (np.abs(_f(n, n, seed=s)) + np.where(_i(3, n, n, seed=s) == 0,
                                                                         np.inf, 0), s % n)),
    "potential_field": (potential_field, {},
                        lambda s, n: (_f(2, seed=s), np.array([3.0, 3.0]), _f(n, 2, seed=s + 1))),
    "value_iteration": (value_iteration, {"iters": 6},
                        lambda s, n: (_f(n, 2, seed=s),
                                      _f(n, 2, n, seed=s, positive=True) / (2 * n), 0.9)),
    "gridworld_values": (gridworld_values, {"iters": 5}, lambda s, n: (_f(n, 5, seed=s), 0.9)),
    "kepler_newton": (kepler_newton, {},
                      lambda s, n: (np.linspace(0, 2 * np.pi, n), 0.1 * s + 0.05)),
    "double_pendulum_rhs": (double_pendulum_rhs, {},
                            lambda s, n: (_f(4, seed=s + n), 1.0, 2.0, 1.0, 1.5)),
    "lorenz": (lorenz, {}, lambda s, n: (_f(3, seed=s + n),)),
    "wave_2d_roll": (wave_2d_roll, {"steps": 3},
                     lambda s, n: (_f(n, n, seed=s), _f(n, n, seed=s + 1), 0.1)),
    "fourier_square": (fourier_square, {"N": 5}, lambda s, n: (np.linspace(-np.pi, np.pi, 4 * n),)),
    "lotka_volterra": (lotka_volterra, {"steps": 6},
                       lambda s, n: (10.0 + s, 5.0 + n, 1.1, 0.4, 0.1, 0.4, 0.01)),
    "lineweaver_burk": (lineweaver_burk, {}, lambda s, n: michaelis_menten(s, n)),
    "logo_heights": (logo_heights, {}, lambda s, n: (np.eye(4)[_i(4, n, seed=s)] * 0.7 + 0.075,)),
    "score_matrix_broadcast": (score_matrix_broadcast, {},
                               lambda s, n: (_i(4, n, seed=s), _i(4, 5, seed=s + 1),
                                             np.eye(4) * 3 - 1)),
    "first_stop_codon": (first_stop_codon, {}, lambda s, n: (_i(4, 9 * n, seed=s),)),
    "jc_matrix_safe": (jc_matrix_safe, {}, lambda s, n: (_i(4, n, 8, seed=s),)),
    "packed_hamming": (packed_hamming, {},
                       lambda s, n: (_i(256, n, seed=s).astype(np.uint8),
                                     _i(256, n, seed=s + 1).astype(np.uint8))),
    "band_energy": (band_energy, {},
                    lambda s, n: (_f(9, n, seed=s, positive=True), np.fft.rfftfreq(16, 1 / 8000),
                                  500.0 * s, 3000.0)),
    "spectral_bandwidth": (spectral_bandwidth, {},
                           lambda s, n: (_f(9, n, seed=s, positive=True),
                                         np.fft.rfftfreq(16, 1 / 8000))),
    "chroma": (chroma, {},
               lambda s, n: (_f(33, n, seed=s, positive=True), np.fft.rfftfreq(64, 1 / 8000))),
    "harmonic_product_spectrum": (harmonic_product_spectrum, {"H": 3},
                                  lambda s, n: (_f(6 * n, seed=s, positive=True),)),
    "comb_filter": (comb_filter, {"D": 3}, lambda s, n: (_f(3 * n, seed=s), 0.6)),
    "karplus_strong": (karplus_strong, {"n": 20}, lambda s, n: (_f(n, seed=s),)),
    "vibrato": (vibrato, {"sr": 100}, lambda s, n: (_f(8 * n, seed=s), 5.0, 0.01 * s)),
    "bitcrush_softclip": (bitcrush_softclip, {"bits": 3},
                          lambda s, n: (_f(4 * n, seed=s) * 0.5, 2.0)),
    "sliding_rms": (sliding_rms, {"w": 4}, lambda s, n: (_f(4 * n, seed=s),)),
    "top_peaks": (top_peaks, {"k": 3}, lambda s, n: (_f(2 * n, seed=s),)),
    "time_stretch_interp": (time_stretch_interp, {"rate": 1.5}, lambda s, n: (_f(4 * n, seed=s),)),
    "loudness_normalize": (loudness_normalize, {}, lambda s, n: (_f(4 * n, seed=s) * 0.1, -20.0)),
}


@pytest.mark.parametrize("name", list(FOURTH))
def test_fourth_matches_numpy(name):
    """Dense Dijkstra with a traced argmin per step, potential fields, value iteration,
    Kepler by Newton, Lorenz, 2-D waves, Lotka-Volterra, sequence logos, packed Hamming
    distances (`np.bitwise_count`), band energies of masked rows, chroma by `np.add.at`,
    harmonic product spectra, comb filters and Karplus-Strong with modular scalar writes."""
    check_like_numpy(*FOURTH[name])


def test_noisy_odometry_from_a_generator_argument():
    """Motion noise drawn from the generator passed in, per step: NumPy's draws and state."""
    want_rng, got_rng = np.random.default_rng(1), np.random.default_rng(1)
    jf = tracenp.jit(noisy_odometry, static_argnames=("steps",))
    for k in range(3):
        pose, u = np.array([0.1 * k, 0.0, 0.3]), np.array([1.0, 0.2])
        assert_same(jf(pose, u, got_rng, steps=4), noisy_odometry(pose, u, want_rng, steps=4))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state
    assert jf.cache_info().misses == 1


# ----------------------------------------------------------------------------- refused forms

BUILTIN_MIN_MAX = {  # `max(0, H[i-1, j-1] + S[a[i], b[j]], ...)` of traced scalars: a fold
    # by `np.where`, as Python compares them (refused until stop 18)
    "smith_waterman": (smith_waterman,
                       lambda s, n: (_i(4, n, seed=s), _i(4, 5, seed=s + 1), S4)),
    "edit_distance": (edit_distance,
                      lambda s, n: (_i(4, n, seed=s), _i(4, 5, seed=s + 1))),
}


@pytest.mark.parametrize("name", list(BUILTIN_MIN_MAX))
def test_builtin_min_and_max_of_traced_scalars_match_numpy(name):
    fn, make = BUILTIN_MIN_MAX[name]
    check_like_numpy(fn, {}, make)


REFUSED = {
    "matrix_to_euler": ("ConcretizationError", matrix_to_euler, {},
                        lambda s, n: (euler_from_array(_f(3, seed=s + n)),)),
    "quat_slerp": ("ConcretizationError", quat_slerp, {},
                   lambda s, n: (_f(4, seed=s), _f(4, seed=s + 1), np.linspace(0, 1, n))),
    "systematic_resample": ("ConcretizationError", systematic_resample, {},
                            lambda s, n: (normalize_weights(_f(n, seed=s, positive=True)), 0.3)),
    "best_fit_transform": ("ConcretizationError", best_fit_transform, {},
                           lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "icp_step": ("ConcretizationError", icp_step, {},
                 lambda s, n: (_f(n, 3, seed=s), _f(n + 1, 3, seed=s + 1))),
    "fft_out": ("UnsupportedFunctionError", fft_out, {},
                lambda s, n: (_f(n, seed=s), np.zeros(n, dtype=complex))),
    "ising_init_traced_seed": ("RandomInTraceError", lambda seed: ising_init(4, seed), {},
                               lambda s, n: (np.int64(s),)),
    "pad_odd_wide": ("UnsupportedFunctionError", pad_odd_wide, {}, lambda s, n: (_f(3, seed=s),)),
    "vectorized_kernel": ("ConcretizationError", vectorized_kernel, {},
                          lambda s, n: (_f(n, seed=s, positive=True) * 1.5, 1.0)),
    "polyfit_traj": ("DataDependentShapeError", polyfit_traj, {},
                     lambda s, n: (np.linspace(0, 1, n + 3), _f(n + 3, seed=s))),
}


def test_framing_by_as_strided_traces():
    """Refused until `as_strided` of a traced array read it as C-contiguous."""
    check_like_numpy(frame_as_strided, {"frame_len": 8, "hop": 4}, lambda s, n: (sig(s, n),))


def test_a_python_int_made_a_numpy_scalar_is_static():
    """`np.uint8(v)` of a Python int argument needs its value: refused until jit made such
    arguments static."""
    check_like_numpy(uint8_saturating_add, {},
                     lambda s, n: (_i(256, n, seed=s).astype(np.uint8), 100))


def test_polynomial_module_fit_traces():
    """`np.polynomial.polynomial.polyfit` was refused (its RankWarning tests the traced rank)
    until hunt N: NumPy's values, without the warning."""
    check_like_numpy(polynomial_module, {},
                     lambda s, n: (np.linspace(-1, 1, n + 3), _f(n + 3, seed=s)))


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_run_under_fallback(name):
    """Branches on traced values (`if np.linalg.det(R) < 0` in ICP, the slerp sign flip, a
    resampling `while` loop), `np.poly1d` (it trims leading zeros),
    `np.vectorize` of a function branching on its element: each is refused by name and runs
    NumPy's code under `fallback=True`."""
    error, fn, static, make = REFUSED[name]
    check_refused(getattr(tracenp.errors, error), functools.partial(fn, **static),
                  lambda s: make(s, 4))


def test_round_without_ndigits_is_a_python_int():
    """`round(x[0])`: refused until the tracer's `__round__` gave Python's int."""
    check_like_numpy(lambda x: round(x[0]), {}, lambda s, n: (_f(n, seed=s) * 10,))


# ----------------------------------------------------------------------------- generators


@pytest.mark.parametrize("fn", [systematic_resample_vec, multinomial_resample])
def test_resampling_with_a_generator_argument(fn):
    """A particle filter's resampling draws from the generator it is given: the same draws as
    NumPy's from the same state, and the generator left in NumPy's state, over three calls."""
    want_rng, got_rng = np.random.default_rng(3), np.random.default_rng(3)
    jf = tracenp.jit(fn)
    for seed, n in ((1, 4), (2, 4), (3, 6)):
        w = _f(n, seed=seed, positive=True)
        args = (_f(n, 2, seed=seed), w / w.sum())
        assert_same(jf(*args, got_rng), fn(*args, want_rng))
        assert got_rng.bit_generator.state == want_rng.bit_generator.state
    assert jf.cache_info().misses <= 2


# ----------------------------------------------------------------------------- what was fixed


def test_i0_matches_numpy():
    """`np.i0` (it was refused): NumPy's Chebyshev expansions on both sides of 8, of floats,
    ints, float32 and 0-d values, and `np.kaiser` of a traced `beta` through it."""
    for x in (np.array([0.0, 1.0, 2.0, 7.9, 8.0, 8.5, 30.0, -3.0]), np.array([1, 2, 9]),
              np.array([0.5, 10.0], dtype=np.float32), np.array(3.0)):
        assert_same(tracenp.jit(np.i0)(x), np.i0(x), rtol=1e-14)
    jf = tracenp.jit(lambda b: (np.kaiser(8, b), np.kaiser(1, b), np.kaiser(0, b)))
    for beta in (3.0, np.float32(2.5), 4, np.array(14.0)):
        assert_same(jf(beta), (np.kaiser(8, beta), np.kaiser(1, beta), np.kaiser(0, beta)),
                    rtol=1e-13)


GEOMSPACE = [
    lambda a, b: np.geomspace(a, b, 5),
    lambda a, b: np.geomspace(a, b, 4, endpoint=False),
    lambda a, b: np.geomspace(a, b, 1),
    lambda a, b: np.geomspace(a, b, 0),
    lambda a, b: np.geomspace(-a, -b, 3),
    lambda a, b: np.geomspace(a, b, 3, dtype=np.float32),
    lambda a, b: np.geomspace(a, b, 3, dtype=int),
    lambda a, b: np.geomspace(a * 1j, b * 1j, 3),
    lambda a, b: np.geomspace(a, 1000.0, 4),
    lambda a, b: np.geomspace(np.stack([a, a * 2]), b, 3, axis=-1),
]


@pytest.mark.parametrize("fn", GEOMSPACE)
@pytest.mark.parametrize("ends", [(20.0, 8000.0), (np.float32(2.0), np.float32(50.0)), (2, 64),
                                  (np.array([1.0, 2.0]), np.array([10.0, 100.0]))],
                         ids=["floats", "float32", "ints", "arrays"])
def test_geomspace_of_traced_endpoints(fn, ends):
    """`np.geomspace(fmin, sr / 2, n)` of traced endpoints (it was refused): NumPy's dtypes,
    values, and the endpoints exactly."""
    assert_same(tracenp.jit(fn)(*ends), fn(*ends), rtol=1e-13)


def test_selection_indexed_by_an_index_array():
    """`x[mask][:, perm]` (lattice Boltzmann bounce-back: `F[obstacle, :][:, opposite]` written
    back to `F[obstacle, :]`) is the selection of `x[..., perm]` (it was refused)."""
    def fn(F, m, perm):
        b = F[m, :]
        F[m, :] = b[:, perm]
        return F, F[m][:, perm].sum(), F[m][:, [[0, 1], [2, 2]]].sum(axis=0)

    check_like_numpy(fn, {}, lambda s, n: (_f(n, 5, 3, seed=s), _i(2, n, 5, seed=s) == 1,
                                           np.array([2, 0, 1])))


def one_hot_masked_rows(seq):
    oh = np.zeros((len(seq), 4))
    valid = seq < 4
    oh[np.arange(len(seq))[valid], seq[valid]] = 1.0
    return oh


def one_hot_mask_and_selection(seq):
    oh = np.zeros((len(seq), 4), dtype=np.int8)
    valid = seq < 4
    oh[valid, seq[valid]] = 1
    return oh


def one_hot_nonzero_rows(seq, w):
    oh = np.zeros((len(seq), 4))
    idx = np.nonzero(seq < 4)[0]
    oh[idx, seq[idx]] = w[idx]
    return oh


def last_write_wins(cells, v):
    grid = np.zeros(5)
    ok = cells >= 0
    grid[cells[ok]] = v[ok]
    return grid


def count_once_per_cell(cells, v):
    grid = np.zeros((5, 5))
    ok = cells < 4
    grid[cells[ok], cells[ok] - 1] += v[ok]
    return grid


def rows_through_selection(cells):
    x = np.ones((5, 3))
    ok = cells < 4
    x[cells[ok]] = -3
    x[cells[ok], ...] *= 2
    return x


@pytest.mark.parametrize("fn, make", [
    (one_hot_masked_rows, lambda s, n: (_i(5, 3 * n, seed=s),)),
    (one_hot_mask_and_selection, lambda s, n: (_i(5, 3 * n, seed=s),)),
    (one_hot_nonzero_rows, lambda s, n: (_i(5, 3 * n, seed=s), _f(3 * n, seed=s))),
    (last_write_wins, lambda s, n: (_i(7, 3 * n, seed=s) - 2, _f(3 * n, seed=s))),
    (count_once_per_cell, lambda s, n: (_i(6, 3 * n, seed=s) - 1, _f(3 * n, seed=s))),
    (rows_through_selection, lambda s, n: (_i(6, 3 * n, seed=s) - 1,)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_assignment_through_indices_selected_by_a_mask(fn, make):
    """`oh[idx[valid], seq[valid]] = 1` (one-hot DNA skipping N bases), also with the mask
    itself or `np.nonzero(valid)[0]` as the row index (they were refused): each element takes
    the value of the last selected index naming it, as in NumPy; `+=` adds once per element."""
    check_like_numpy(fn, {}, make)


def test_traced_index_array_beside_an_ellipsis():
    """`x[i, ...]`, `x[1:, i, ...]`, `x[i, ..., 0]` with a traced `i` (they raised NumPy's
    ValueError for an array's truth value: the key's Ellipsis was found by `==`)."""
    def fn(x, i):
        return x[i, ...], x[1:, i, ...], x[..., i - 1], x[i, ..., 0], x[i, ..., None]

    check_like_numpy(fn, {}, lambda s, n: (_f(n, 3, 2, seed=s), np.array([1, 2, 0])))


CONCATENATORS = [
    lambda R, t: np.r_[np.c_[R, t], [[0, 0, 0, 1]]],
    lambda R, t: np.r_[t, [7, 8], 9],
    lambda R, t: np.r_[t, (7, 8)],
    lambda R, t: np.c_[R, [1, 2, 3]],
    lambda R, t: np.r_[[t[0], 1.0], t],
    lambda R, t: np.r_[t.astype(np.int8), [1, 2]],
    lambda R, t: np.r_[np.float32(1), t.astype(np.float16)],
]


@pytest.mark.parametrize("fn", CONCATENATORS)
def test_r_and_c_with_list_items(fn):
    """`np.r_[np.c_[R, t], [[0, 0, 0, 1]]]` (a homogeneous transform): a list item is an array
    of NumPy's dtype (it raised AttributeError: 'list' object has no attribute 'dtype')."""
    check_like_numpy(fn, {}, lambda s, n: (_f(3, 3, seed=s), _f(3, seed=s + n)))


def test_r_of_a_python_int_out_of_range():
    """A Python int that does not fit the items' integer dtype: NumPy's OverflowError (it
    wrapped)."""
    def fn(t):
        return np.r_[t.astype(np.int8), 1000]

    with pytest.raises(OverflowError):
        fn(_f(3))
    with pytest.raises(OverflowError):
        tracenp.jit(fn)(_f(3))


def test_delete_at_one_traced_position():
    """`np.delete(D, j, axis=0)` of a traced `j` (UPGMA's merged cluster; it was refused): the
    length is known, the gather skips `j`, negative `j` counting from the end."""
    def fn(D, j):
        return (np.delete(D, j, axis=0), np.delete(D, j, axis=1), np.delete(D, j),
                np.delete(D[0].astype(np.int8), j))

    for j in (0, 2, 3, -1, -4, np.int32(1)):
        check_like_numpy(fn, {}, lambda s, n: (_f(4, n, seed=s), j))
    check_refused(tracenp.errors.UnsupportedFunctionError, lambda D, j: np.delete(D, j, axis=0),
                  lambda s: (_f(4, 3, seed=s), np.array([1, 2])))


def _delete_first_drawn(X, idx):
    return np.delete(X, idx[:1], axis=0), np.delete(X[:, 0], idx[-1:]), np.delete(X, idx[1])


def test_delete_at_a_one_element_array_and_outside_the_axis():
    """`np.delete(X, idx[:1], axis=0)` of a traced index array of one element was refused (it
    is one position, the length known); a traced position outside the axis gave a result one
    element short where NumPy raises IndexError, which is raised now when the function runs."""
    check_like_numpy(_delete_first_drawn, {},
                     lambda s, n: (_f(n, 2, seed=s), np.array([n - 1 - s, -s, 0])))
    with pytest.raises(IndexError, match="out of bounds"):
        tracenp.jit(_delete_first_drawn)(_f(4, 2), np.array([4, 0, 0]))
    with pytest.raises(IndexError, match="out of bounds"):
        tracenp.jit(lambda D, j: np.delete(D, j))(_f(4), np.int64(-5))


def heat_dirichlet_by_pad(u, t_left, t_right, r, steps):
    for _ in range(steps):
        p = np.pad(u, 1, constant_values=(t_left, t_right))
        u = u + r * (p[2:] - 2 * u + p[:-2])
    return u


def plate_boundary_by_pad(T, top, rest):
    return np.pad(T, ((1, 0), (1, 1)), constant_values=((top, rest), (rest, rest))), \
        np.pad(T.astype(np.int16), 1, constant_values=top), np.pad(T, 2, constant_values=top)


@pytest.mark.parametrize("fn, static, make", [
    (heat_dirichlet_by_pad, {"steps": 4},
     lambda s, n: (_f(n, seed=s), 1.0 + s, -0.5, 0.25)),
    (plate_boundary_by_pad, {}, lambda s, n: (_f(n, 3, seed=s), 100.0 + s, np.float32(-2.5))),
], ids=["heat_dirichlet_by_pad", "plate_boundary_by_pad"])
def test_pad_with_traced_constant_values(fn, static, make):
    """`np.pad(u, 1, constant_values=(t_left, t_right))`, boundary values from the arguments
    (it raised ConcretizationError): NumPy's values, cast to the array's dtype, corners from the
    later axis."""
    check_like_numpy(fn, static, make)


def align_by_xcorr(x, y):
    c = np.correlate(x, y, "full")
    lag = np.argmax(c) - (len(y) - 1)
    frames = np.stack([x, y])
    return (np.roll(y, lag), np.roll(x, -lag, axis=0), np.roll(frames, lag, axis=1),
            np.roll(frames, lag), np.roll(x, lag.astype(np.int8)), np.roll(x, lag * 0.9))


def test_roll_by_a_traced_lag():
    """`np.roll(y, lag)` with the lag found by cross-correlation (it raised
    ConcretizationError): a gather; a float shift truncates, as NumPy's `int()` of it."""
    check_like_numpy(align_by_xcorr, {},
                     lambda s, n: (_f(2 * n + 1, seed=s), np.roll(_f(2 * n + 1, seed=s), s + n)))


def rotation_by_imported_names(theta, t):
    c, s = cos(theta), sin(theta)
    R = array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    T = eye(4)
    T[:3, :3] = R
    T[:3, 3] = t
    return T


def fill_by_imported_names(x):
    out = zeros(len(x))
    ramp = empty(3)
    for i in range(len(x)):
        out[i] = x[i] ** 2
    ramp[:] = x[:3]
    return out, ramp


@pytest.mark.parametrize("fn, make", [
    (rotation_by_imported_names, lambda s, n: (0.1 * s + n, _f(3, seed=s))),
    (fill_by_imported_names, lambda s, n: (_f(n, seed=s),)),
], ids=["rotation_by_imported_names", "fill_by_imported_names"])
def test_numpy_functions_imported_by_name(fn, make):
    """`from numpy import array, zeros, eye`: the names a module binds to NumPy's functions are
    replaced while a function of it is traced, as `np.array` is (a list of traced values in
    `array(...)`, or one written into `zeros(n)`, raised ConcretizationError or NumPy's bare
    ValueError), and restored afterwards."""
    check_like_numpy(fn, {}, make)
    assert zeros is np.zeros and array is np.array and eye is np.eye


def resample_with_fill(t_new, t, x, fill):
    return np.interp(t_new, t, x, left=fill, right=-fill), np.interp(t_new, t, x + 1j, left=fill)


def test_interp_with_traced_fill_values():
    """`np.interp(t_new, t, x, left=fill, right=-fill)` with the fill from the arguments (it
    raised ConcretizationError)."""
    check_like_numpy(resample_with_fill, {},
                     lambda s, n: (np.linspace(-1, 2, 3 * n), np.linspace(0, 1, n),
                                   _f(n, seed=s), 0.5 * s))


COMPLEMENT = np.array([3, 2, 1, 0])  # module-level lookup tables, as bioinformatics code keeps
SUBSTITUTION = np.array([[4, -1, -2, -2], [-1, 5, 0, -2], [-2, 0, 6, 1], [-2, -2, 1, 6]])


def take_from_global_tables(a, b):
    return np.take(COMPLEMENT, a[::-1]), np.take(SUBSTITUTION, a, axis=0)[:, 0], \
        np.sum(COMPLEMENT, where=b[:4] > 1)


def test_take_from_a_global_table():
    """`np.take(COMPLEMENT, seq[::-1])` of a module-level table: NumPy's dispatcher looks at the
    table only, so the traced indices reached NumPy's own `take` (ConcretizationError); so did
    `np.sum(TABLE, where=traced_mask)`. Such a call now goes to tracenp's function."""
    check_like_numpy(take_from_global_tables, {},
                     lambda s, n: (_i(4, 3 * n, seed=s), _i(4, 3 * n, seed=s + 1)))


def index_global_table(a, b):
    return COMPLEMENT[a[::-1]], SUBSTITUTION[a, b].sum()


def test_indexing_a_global_table_traces():
    """`COMPLEMENT[seq]` of a module-level NumPy array runs NumPy's own indexing, which asks
    for the traced indices' values: the trace is retried with the table a constant."""
    check_like_numpy(index_global_table, {},
                     lambda s, n: (_i(4, 3 * n, seed=s), _i(4, 3 * n, seed=s + 1)))


def test_selection_indices_with_an_integer_write_numpys_values():
    """`x[i[m], j[m], 1] = v[m]` (an integer after the selections) writes NumPy's values (it
    was refused); with a slice between the selections (`x[i[m], :, j[m]] = 1`) it stays
    refused, by name."""
    def fn(seq, v):
        oh = np.zeros((len(seq), 4, 2))
        valid = seq < 4
        oh[np.flatnonzero(valid), seq[valid], 1] = v[valid]
        return oh

    def sliced(seq):
        oh = np.zeros((len(seq), 4, 2))
        valid = seq < 4
        oh[np.flatnonzero(valid), :, seq[valid] % 2] = 1.0
        return oh

    check_like_numpy(fn, {}, lambda s, n: (_i(5, 3 * n, seed=s), _f(3 * n, seed=s)))
    check_refused(tracenp.errors.DataDependentShapeError, sliced, lambda s: (_i(5, 12, seed=s),))


# ----------------------------------------------------------------------------- NumPy's errors

x6, v3, m34, s33 = _f(6, seed=1), _f(3, seed=2), _f(3, 4, seed=3), _f(3, 3, seed=4)


def _set_block(R):
    T = np.eye(4)
    T[:3, :3] = R
    return T


def _set_translation(t):
    T = np.eye(4)
    T[:3, 3] = t
    return T


ERRORS = [
    ("cross_of_4_vectors", lambda a, b: np.cross(a, b), (_f(4), _f(4))),
    ("stack_mismatch", lambda a, b: np.stack([a, b]), (x6, v3)),
    ("convolve_empty", lambda a, b: np.convolve(a, b[:0]), (x6, v3)),
    ("correlate_empty", lambda a, b: np.correlate(a, b[:0]), (x6, v3)),
    ("inv_nonsquare", np.linalg.inv, (m34,)),
    ("solve_mismatch", np.linalg.solve, (s33, x6)),
    ("det_nonsquare", np.linalg.det, (m34,)),
    ("irfft_n0", lambda a: np.fft.irfft(a, n=0), (x6,)),
    ("rfft_complex", lambda a: np.fft.rfft(a + 1j), (x6,)),
    ("window_too_long", lambda a: sliding_window_view(a, 10), (x6,)),
    ("hop_zero", lambda a: sliding_window_view(a, 3)[::0], (x6,)),
    ("reshape_frames", lambda a: a.reshape(-1, 4), (x6,)),
    ("rotation_block_4x4", _set_block, (_f(4, 4),)),
    ("translation_too_long", _set_translation, (_f(4),)),
    ("gradient_one_point", lambda a: np.gradient(a[:1]), (x6,)),
    ("gradient_edge2_two_points", lambda a: np.gradient(a[:2], edge_order=2), (x6,)),
    ("gradient_spacing_length", np.gradient, (x6, v3)),
    ("trapezoid_mismatch", np.trapezoid, (x6, v3)),
    ("roll_axis", lambda a: np.roll(a, 1, axis=2), (m34,)),
    ("norm_fro_vector", lambda a: np.linalg.norm(a, "fro"), (x6,)),
    ("norm_bad_matrix_ord", lambda a: np.linalg.norm(a, 3), (m34,)),
    ("pad_negative", lambda a: np.pad(a, -1), (x6,)),
    ("pad_reflect_empty", lambda a: np.pad(a[:0], 2, mode="reflect"), (x6,)),
    ("i0_complex", lambda a: np.i0(a + 1j), (x6,)),
    ("kaiser_complex_beta", lambda b: np.kaiser(5, b * 1j), (2.0,)),
    ("geomspace_zero_start", lambda b: np.geomspace(0, b, 4), (5.0,)),
    ("geomspace_zero_stop", lambda b: np.geomspace(b, 0.0, 4), (5.0,)),
    ("geomspace_negative_num", lambda b: np.geomspace(1.0, b, -1), (5.0,)),
    ("linspace_negative_num", lambda a: np.linspace(0, a, -2), (1.0,)),
    ("linspace_float_num", lambda a: np.linspace(0, a, 2.5), (1.0,)),
    ("quat_unpack_3", lambda q: quat_to_matrix(q), (_f(3),)),
    ("transform_mismatch", lambda T, p: T @ p.T, (np.eye(4), _f(5, 3))),
    ("unwrap_axis", lambda a: np.unwrap(a, axis=1), (x6,)),
    ("diff_n_negative", lambda a: np.diff(a, n=-1), (x6,)),
    ("histogram_range_reversed", lambda a: np.histogram(a, bins=4, range=(2, 1)), (x6,)),
    ("bincount_of_floats", np.bincount, (x6,)),
    ("bincount_of_2d", np.bincount, (_i(4, 2, 3),)),
    ("bincount_of_0d", lambda a: np.bincount(a[0]), (_i(4, 3),)),
    ("bincount_negative_minlength", lambda a: np.bincount(a, minlength=-1), (_i(4, 3),)),
    ("bincount_weights_length", lambda a, w: np.bincount(a, w), (_i(4, 3), v3[:2])),
    ("bincount_complex_weights", lambda a, w: np.bincount(a, w * 1j), (_i(4, 3), v3)),
    ("searchsorted_side", lambda a, b: np.searchsorted(a, b, side="middle"), (x6, v3)),
    ("sliding_window_write", swv_write_readonly, (_f(6),)),
    ("broadcast_to_write", broadcast_write_readonly, (_f(6),)),
    ("complex_into_float", complex_inplace, (_f(4), _f(4))),
    ("ptp_method_removed", lambda x: x.ptp(), (_f(4),)),
    ("itemset_removed", lambda x: x.itemset(0, 1.0), (_f(4),)),
    ("newbyteorder_removed", lambda x: x.newbyteorder(), (_f(4),)),
    ("sort_bad_axis", lambda x: x.sort(axis=2), (_f(4),)),
    ("fill_complex_into_float", lambda x: x.fill(1j), (_f(4),)),
    ("real_set_wrong_shape", lambda z: setattr(z, "real", np.ones(3)), (_f(4) + 1j,)),
    ("round_builtin_array", lambda x: round(x, 2), (_f(4),)),
    ("int_of_array", int, (_f(4),)),
    ("len_of_scalar", lambda x: len(x[0]), (_f(4),)),
    ("iter_of_scalar", lambda x: list(x[0]), (_f(4),)),
    ("svd_1d", np.linalg.svd, (x6,)),
    ("eigh_nonsquare", np.linalg.eigh, (m34,)),
]


@pytest.mark.parametrize("fn, args", [(f, a) for _, f, a in ERRORS], ids=[n for n, _, _ in ERRORS])
def test_numpy_errors_are_numpys(fn, args):
    """Calls NumPy rejects raise NumPy's exception type under `jit`: `np.bincount` of floats,
    of 2-d or 0-d values, with a negative `minlength` or mismatched weights raised
    `DataDependentShapeError`; `np.linspace` of a traced endpoint with a negative or float
    `num`, and `np.geomspace` of a constant zero endpoint, computed; `x.ptp()` (gone from
    NumPy 2's arrays) computed."""
    with pytest.raises(Exception) as want:
        fn(*args)
    with pytest.raises(type(want.value)):
        tracenp.jit(fn)(*args)
