"""Corpus, hunt BP: inertial sensors, IMU sensor fusion and navigation as robotics course code,
hobbyist AHRS ports (Madgwick, Mahony), phone-sensor analysis notebooks and small GitHub
libraries write them.

Quaternions (Hamilton products unpacked from `q` and written into `np.zeros(4)` as the `ahrs`
package does, batched by column unpacking of `q.T`, as a 4x4 left matrix, rotation by the
sandwich product and by a list comprehension, conjugates by a module-level sign vector,
relative angles by a clipped `arccos`, gyro integration by first-order steps and by the
Omega-matrix exponential over rows, increments by `np.sinc`, DCMs from scalars and written
entry by entry, a branchless DCM-to-quaternion with `np.copysign`, slerp with `np.where`,
Markley's average by `eigh`, log maps, body rates from finite differences, a madgwick_py-style
`Quaternion` class with operators, and scipy's `Rotation`); AHRS filters (madgwick_py's
`MadgwickAHRS` class for IMU and MARG updates, a functional updateIMU in a loop, the
MadgwickAHRS.c port with scalar auxiliaries and `math.sqrt`, Mahony with an integral term
written into the caller's array and as an object with a bias on `self`, complementary filters
over sample loops, with the `math` module, as an `lfilter` with `zi` and on the gravity vector,
tilt-compensated headings, an e-compass and TRIAD, Euler-rate integration); frames and angles
(Euler angles with `np.clip` before `arcsin` and by `np.where` clamps, round trips, ZYX DCM
stacks from `zip`, world-frame accelerations by `einsum` and batched `matmul` with gravity
removed, Android's low-pass gravity on a list, tilt, yaw wrapping and `np.unwrap`, Rodrigues
with an SVD re-orthonormalisation, Premerlani's DCM renormalisation, `scipy.linalg.expm`);
dead reckoning and steps (`cumulative_trapezoid` with `dx` and timestamps, the trapezoid by
`cumsum` and in a loop, a strapdown loop, zero-velocity updates by `np.where` and by a moving
mask, drift removal without segment indices, moving-variance and SHOE detectors, stance by
`sliding_window_view`, step detection with a refractory period kept in an `np.where`, peaks by
shifted comparisons, Weinberg step lengths and PDR, a phone log as a dict); calibration
(hard/soft iron by extremes, sphere and ellipsoid fits by `lstsq`, `eigh`, `scipy.linalg.sqrtm`,
SVD null vectors and `pinv`, six-position calibrations by fancy pairs and `lstsq` with `kron`,
raw int16 counts, gyro bias at rest, temperature `polyfit`, a dict written back, a dataclass,
Gauss-Newton on the norm); signals and noise (overlapping, cluster and log-spaced Allan
deviations, ARW fits, Butterworth `filtfilt`, `lfilter` with `fs=`, SOS band-passes, x-io's
Gait-Tracking stationary detector, moving averages, EMAs, `medfilt` and `savgol_filter`, jerk by
`np.gradient`, dominant frequencies by `rfft`, autocorrelation, Welch PSDs, detrending,
resampling by `np.interp` with int64 nanosecond clocks and `period=`, `interp1d`, windowed
activity features in a dict); Kalman filters (TKJ's Arduino filter as a class with list
covariances, a matrix filter with `inv`, Joseph form, an RTS smoother, a quaternion EKF,
loosely coupled GPS/INS with every-k-th and masked updates, error-state injection,
`cho_factor`); geodesy (haversine by `map(np.radians, ...)`, track lengths and speeds,
bearings, WGS84 ECEF/ENU/NED, Bowring's iteration, destination points, pairwise distances,
Somigliana gravity); raw data and dtypes (MPU-6050 register bytes combined by shifts and by
two's complement in `np.where`, big-endian views, float32 filters and integrators, uint32
microsecond clocks that wrap, int16 sums and shifts, quantisation, datetime64 and record-array
logs); navigation extras (Van Loan and `cont2discrete`, a steady-state gain by the DARE, Wahba
by Procrustes, SVD and `align_vectors`, `polar`, rotation means and `Slerp`, circular statistics,
`gaussian_filter1d`, `decimate`, `hilbert`, `correlation_lags`); and program structure (NaN
gaps filled through masked writes, a caller's list appended to, generators, `np.add.at`,
fancy-write axis remaps, `nonlocal` accumulators).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Sample rates that size filters, window lengths, cluster
sizes, GPS rates and iteration counts given as Python ints are made static; the forms whose
Python or shapes depend on the data raise a named error and run eagerly under `fallback=True`.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import scipy.signal
from numpy.lib.stride_tricks import sliding_window_view
from scipy.integrate import cumulative_trapezoid
from scipy.spatial.transform import Rotation
from test_corpus import _f, check_like_numpy, check_refused
from test_corpus_hunt_v import _names, _Xfail

import tracenp

GRAVITY = 9.80665
G_VEC = np.array([0.0, 0.0, GRAVITY])
RAD2DEG = 180.0 / np.pi
DEG2RAD = np.pi / 180.0
EARTH_RADIUS = 6371008.8
WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
WGS84_B = WGS84_A * (1 - WGS84_F)
WGS84_E2 = WGS84_F * (2 - WGS84_F)
ACC_LSB_PER_G = 16384.0     # MPU-6050 at +-2 g
GYRO_LSB_PER_DPS = 131.0    # MPU-6050 at +-250 deg/s
SIGN_FLIP = np.array([1.0, -1.0, -1.0, -1.0])


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _quats(seed, n):
    q = np.random.default_rng(seed).standard_normal((n, 4))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return q * np.sign(q[:, :1])


def _quat(seed):
    return _quats(seed, 1)[0]


def _gyr(seed, n, scale=0.4):
    return scale * np.random.default_rng(seed).standard_normal((n, 3))


def _acc(seed, n, noise=0.3):
    # a device held roughly level: gravity on z plus motion
    return G_VEC + noise * np.random.default_rng(seed).standard_normal((n, 3))


def _mag(seed, n):
    return np.array([0.22, 0.03, -0.41]) + 0.02 * np.random.default_rng(seed).standard_normal(
        (n, 3))


def _unit_dirs(seed, n):
    d = np.random.default_rng(seed).standard_normal((n, 3))
    return d / np.linalg.norm(d, axis=1, keepdims=True)


def _ellipsoid(seed, n, noise=1e-3):
    # magnetometer samples on a rotated, shifted ellipsoid (distinct axes)
    d = _unit_dirs(seed, n)
    c, s = np.cos(0.3 + 0.1 * seed), np.sin(0.3 + 0.1 * seed)
    rot = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])
    pts = (d * np.array([48.0, 40.0, 33.0])) @ rot.T + np.array([12.0, -7.0, 4.0 + seed])
    return pts + noise * np.random.default_rng(seed + 100).standard_normal((n, 3))


def _lat_lon(seed, n):
    r = np.random.default_rng(seed)
    lat = 47.37 + np.cumsum(r.uniform(1e-5, 4e-5, n))
    lon = 8.54 + np.cumsum(r.uniform(-3e-5, 4e-5, n))
    return lat, lon


def _times(seed, n, fs=100.0):
    # sorted timestamps with jitter
    r = np.random.default_rng(seed)
    return np.cumsum(1 / fs + r.uniform(-2e-3, 2e-3, n)) + 0.5 * seed

# ============================================================================ quaternions


def q_mult(q, r):
    # Hamilton product of two (w, x, y, z) quaternions, unpacked as the hobbyist ports write it
    w0, x0, y0, z0 = q
    w1, x1, y1, z1 = r
    return np.array([w0 * w1 - x0 * x1 - y0 * y1 - z0 * z1,
                     w0 * x1 + x0 * w1 + y0 * z1 - z0 * y1,
                     w0 * y1 - x0 * z1 + y0 * w1 + z0 * x1,
                     w0 * z1 + x0 * y1 - y0 * x1 + z0 * w1])


def q_conj(q):
    return np.array([q[0], -q[1], -q[2], -q[3]])


def q_rotate(q, v):
    # v' = q v q*, the pure quaternion made by concatenation
    qv = np.concatenate(([0.0], v))
    return q_mult(q_mult(q, qv), q_conj(q))[1:]


def q_rotate_many(q, vs):
    return np.array([q_rotate(q, v) for v in vs])


def q_prod_zeros(p, q):
    # the `ahrs` package writes the product into np.zeros(4)
    pq = np.zeros(4)
    pq[0] = p[0] * q[0] - p[1] * q[1] - p[2] * q[2] - p[3] * q[3]
    pq[1] = p[0] * q[1] + p[1] * q[0] + p[2] * q[3] - p[3] * q[2]
    pq[2] = p[0] * q[2] - p[1] * q[3] + p[2] * q[0] + p[3] * q[1]
    pq[3] = p[0] * q[3] + p[1] * q[2] - p[2] * q[1] + p[3] * q[0]
    return pq


def quat_mult_batch(p, q):
    pw, px, py, pz = p[:, 0], p[:, 1], p[:, 2], p[:, 3]
    qw, qx, qy, qz = q.T
    return np.stack([pw * qw - px * qx - py * qy - pz * qz,
                     pw * qx + px * qw + py * qz - pz * qy,
                     pw * qy - px * qz + py * qw + pz * qx,
                     pw * qz + px * qy - py * qx + pz * qw], axis=1)


def quat_left_matrix(p, q):
    # the product as a 4x4 left-multiplication matrix applied to q
    L = np.array([[p[0], -p[1], -p[2], -p[3]],
                  [p[1], p[0], -p[3], p[2]],
                  [p[2], p[3], p[0], -p[1]],
                  [p[3], -p[2], p[1], p[0]]])
    return L @ q


def quat_conj_batch_normalize(Q):
    Qn = Q / np.linalg.norm(Q, axis=1)[:, None]
    return Qn * SIGN_FLIP, np.einsum("ij,ij->i", Qn, Qn)


def quat_relative(Q1, Q2):
    # relative rotation q1* (x) q2 and its angle in degrees
    dq = quat_mult_batch(Q1 * SIGN_FLIP, Q2)
    angle = 2 * np.arccos(np.clip(np.abs(dq[:, 0]), 0.0, 1.0))
    return dq, np.degrees(angle)


def quat_integrate_euler(q0, gyr, dt):
    # first-order integration of body rates with renormalisation, history stored row by row
    n = gyr.shape[0]
    Q = np.zeros((n + 1, 4))
    Q[0] = q0
    for i in range(n):
        q = Q[i]
        qdot = 0.5 * q_mult(q, np.array([0.0, gyr[i, 0], gyr[i, 1], gyr[i, 2]]))
        q = q + qdot * dt
        Q[i + 1] = q / np.linalg.norm(q)
    return Q


def quat_integrate_omega(q, gyr, dt):
    # closed-form exponential of the Omega matrix, row by row over the gyro array
    for w in gyr:
        wx, wy, wz = w
        Omega = np.array([[0, -wx, -wy, -wz],
                          [wx, 0, wz, -wy],
                          [wy, -wz, 0, wx],
                          [wz, wy, -wx, 0]])
        nw = np.linalg.norm(w)
        A = np.cos(0.5 * nw * dt) * np.eye(4) + np.sin(0.5 * nw * dt) / nw * Omega
        q = A @ q
    return q


def quat_increments_sinc(gyr, dt):
    # rotation vectors to quaternions for all samples at once, small angles by np.sinc
    half = 0.5 * np.linalg.norm(gyr, axis=1) * dt
    return np.column_stack([np.cos(half), 0.5 * dt * np.sinc(half / np.pi)[:, None] * gyr])


def quat_compose_increments(q0, gyr, dt):
    dq = quat_increments_sinc(gyr, dt)
    q = q0
    out = []
    for k in range(len(dq)):
        q = q_prod_zeros(q, dq[k])
        out.append(q)
    return np.vstack(out)


def quat2dcm(q):
    q0, q1, q2, q3 = q / np.linalg.norm(q)
    return np.array([
        [1 - 2 * (q2 ** 2 + q3 ** 2), 2 * (q1 * q2 - q0 * q3), 2 * (q1 * q3 + q0 * q2)],
        [2 * (q1 * q2 + q0 * q3), 1 - 2 * (q1 ** 2 + q3 ** 2), 2 * (q2 * q3 - q0 * q1)],
        [2 * (q1 * q3 - q0 * q2), 2 * (q0 * q1 + q2 * q3), 1 - 2 * (q1 ** 2 + q2 ** 2)]])


def quat2dcm_batch(Q):
    w, x, y, z = Q[:, 0], Q[:, 1], Q[:, 2], Q[:, 3]
    R = np.empty((len(Q), 3, 3))
    R[:, 0, 0] = 1 - 2 * (y * y + z * z)
    R[:, 0, 1] = 2 * (x * y - w * z)
    R[:, 0, 2] = 2 * (x * z + w * y)
    R[:, 1, 0] = 2 * (x * y + w * z)
    R[:, 1, 1] = 1 - 2 * (x * x + z * z)
    R[:, 1, 2] = 2 * (y * z - w * x)
    R[:, 2, 0] = 2 * (x * z - w * y)
    R[:, 2, 1] = 2 * (y * z + w * x)
    R[:, 2, 2] = 1 - 2 * (x * x + y * y)
    return R


def dcm2quat_branchless(R):
    # trace-free form with copysign for the vector part's signs
    w = 0.5 * np.sqrt(np.maximum(0.0, 1 + R[..., 0, 0] + R[..., 1, 1] + R[..., 2, 2]))
    x = 0.5 * np.sqrt(np.maximum(0.0, 1 + R[..., 0, 0] - R[..., 1, 1] - R[..., 2, 2]))
    y = 0.5 * np.sqrt(np.maximum(0.0, 1 - R[..., 0, 0] + R[..., 1, 1] - R[..., 2, 2]))
    z = 0.5 * np.sqrt(np.maximum(0.0, 1 - R[..., 0, 0] - R[..., 1, 1] + R[..., 2, 2]))
    x = np.copysign(x, R[..., 2, 1] - R[..., 1, 2])
    y = np.copysign(y, R[..., 0, 2] - R[..., 2, 0])
    z = np.copysign(z, R[..., 1, 0] - R[..., 0, 1])
    return np.stack((w, x, y, z), axis=-1)


def dcm2quat_roundtrip(Q):
    return dcm2quat_branchless(quat2dcm_batch(Q))


def quat_slerp(q0, q1, t):
    dot = np.sum(q0 * q1, axis=-1)
    q1 = np.where(dot[:, None] < 0.0, -q1, q1)
    dot = np.clip(np.abs(dot), -1.0, 1.0)
    theta = np.arccos(dot)
    sin_theta = np.sin(theta)
    s0 = np.where(dot > 0.9995, 1.0 - t, np.sin((1.0 - t) * theta) / sin_theta)
    s1 = np.where(dot > 0.9995, t, np.sin(t * theta) / sin_theta)
    q = s0[:, None] * q0 + s1[:, None] * q1
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def quat_average_markley(Q, weights):
    # Markley's average: eigenvector of the largest eigenvalue of sum w q q^T
    M = np.einsum("i,ij,ik->jk", weights, Q, Q)
    vals, vecs = np.linalg.eigh(M)
    q = vecs[:, -1]
    return q * np.sign(q[0]), vals


def quat_to_rotvec(Q):
    Q = Q * np.sign(Q[:, :1])
    v = Q[:, 1:]
    s = np.linalg.norm(v, axis=1)
    angle = 2 * np.arctan2(s, Q[:, 0])
    scale = np.where(s > 1e-12, angle / np.maximum(s, 1e-12), 2.0)
    return v * scale[:, None]


def body_rates_from_quats(Q, dt):
    # omega = 2 q* (x) dq/dt, by finite differences of an attitude log
    dQ = np.diff(Q, axis=0) / dt
    conj = Q[:-1] * SIGN_FLIP
    return 2 * quat_mult_batch(conj, dQ)[:, 1:]


def axis_angle_to_quat(axes, angles_deg):
    axes = axes / np.linalg.norm(axes, axis=1, keepdims=True)
    half = np.deg2rad(angles_deg) / 2
    return np.hstack([np.cos(half)[:, np.newaxis], axes * np.sin(half)[:, np.newaxis]])


class Quaternion:
    """A small quaternion class in the style of madgwick_py's quaternion.py."""

    def __init__(self, w_or_q, x=None, y=None, z=None):
        if x is not None and y is not None and z is not None:
            self._q = np.array([w_or_q, x, y, z])
        elif isinstance(w_or_q, Quaternion):
            self._q = np.array(w_or_q.q)
        else:
            q = np.asarray(w_or_q)
            if len(q) != 4:
                raise ValueError("expecting a 4-element array")
            self._q = q

    def conj(self):
        return Quaternion(self._q[0], -self._q[1], -self._q[2], -self._q[3])

    def to_euler123(self):
        roll = np.arctan2(-2 * (self[2] * self[3] - self[0] * self[1]),
                          self[0] ** 2 - self[1] ** 2 - self[2] ** 2 + self[3] ** 2)
        pitch = np.arcsin(2 * (self[1] * self[3] + self[0] * self[2]))
        yaw = np.arctan2(-2 * (self[1] * self[2] - self[0] * self[3]),
                         self[0] ** 2 + self[1] ** 2 - self[2] ** 2 - self[3] ** 2)
        return roll, pitch, yaw

    def __mul__(self, other):
        if isinstance(other, Quaternion):
            w = self._q[0] * other._q[0] - self._q[1] * other._q[1] - self._q[2] * other._q[2] \
                - self._q[3] * other._q[3]
            x = self._q[0] * other._q[1] + self._q[1] * other._q[0] + self._q[2] * other._q[3] \
                - self._q[3] * other._q[2]
            y = self._q[0] * other._q[2] - self._q[1] * other._q[3] + self._q[2] * other._q[0] \
                + self._q[3] * other._q[1]
            z = self._q[0] * other._q[3] + self._q[1] * other._q[2] - self._q[2] * other._q[1] \
                + self._q[3] * other._q[0]
            return Quaternion(w, x, y, z)
        return Quaternion(self._q * other)

    def __add__(self, other):
        if isinstance(other, Quaternion):
            return Quaternion(self._q + other._q)
        return Quaternion(self._q + other)

    def __sub__(self, other):
        if isinstance(other, Quaternion):
            return Quaternion(self._q - other._q)
        return Quaternion(self._q - other)

    @property
    def q(self):
        return self._q

    def __getitem__(self, item):
        return self._q[item]

    def __array__(self, dtype=None, copy=None):
        return self._q


def quaternion_class_rotate(q, vs):
    qq = Quaternion(q)
    out = np.empty_like(vs)
    for i in range(len(vs)):
        out[i] = (qq * Quaternion(0.0, vs[i, 0], vs[i, 1], vs[i, 2]) * qq.conj()).q[1:]
    return out, np.array(qq.to_euler123())


def rotation_scipy_apply(Q, v):
    # scipy's Rotation takes scalar-last quaternions
    r = Rotation.from_quat(np.roll(Q, -1, axis=1))
    return r.apply(v), r.as_euler("xyz", degrees=True)


def rotation_scipy_compose(Q, gyr, dt):
    r = Rotation.from_quat(Q[:, [1, 2, 3, 0]])
    dr = Rotation.from_rotvec(gyr * dt)
    out = (r * dr).as_quat()
    return out * np.sign(out[:, 3:])


QUATERNIONS = {
    "rotate_vector_sandwich": (q_rotate, {}, lambda s, n: (_quat(s), _f(3, seed=s))),
    "rotate_list_comprehension": (q_rotate_many, {}, lambda s, n: (_quat(s), _f(n, 3, seed=s))),
    "prod_into_zeros": (q_prod_zeros, {}, lambda s, n: (_quat(s), _quat(s + 7))),
    "mult_batch_transpose_unpack": (quat_mult_batch, {}, lambda s, n: (
        _quats(s, n), _quats(s + 1, n))),
    "left_matrix_product": (quat_left_matrix, {}, lambda s, n: (_quat(s), _quat(s + 3))),
    "conj_normalize_einsum": (quat_conj_batch_normalize, {}, lambda s, n: (
        2 * _quats(s, n),)),
    "relative_angle_degrees": (quat_relative, {}, lambda s, n: (_quats(s, n), _quats(s + 1, n))),
    "integrate_gyro_euler_renorm": (quat_integrate_euler, {}, lambda s, n: (
        _quat(s), _gyr(s, 2 * n), 0.01)),
    "integrate_omega_exponential": (quat_integrate_omega, {}, lambda s, n: (
        _quat(s), _gyr(s, 2 * n), 0.02)),
    "increments_by_sinc": (quat_increments_sinc, {}, lambda s, n: (_gyr(s, n), 0.01)),
    "compose_increments_list": (quat_compose_increments, {}, lambda s, n: (
        _quat(s), _gyr(s, n), 0.05)),
    "dcm_from_quaternion": (quat2dcm, {}, lambda s, n: (2 * _quat(s),)),
    "dcm_batch_written_entries": (quat2dcm_batch, {}, lambda s, n: (_quats(s, n),)),
    "dcm_roundtrip_copysign": (dcm2quat_roundtrip, {}, lambda s, n: (_quats(s, n),)),
    "slerp_batch_where": (quat_slerp, {}, lambda s, n: (
        _quats(s, n), _quats(s + 1, n), _u(s, n))),
    "markley_average_eigh": (quat_average_markley, {}, lambda s, n: (
        _quats(s, 1) + 0.1 * _f(3 * n, 4, seed=s), 0.5 + _u(s, 3 * n))),
    "rotvec_log_map": (quat_to_rotvec, {}, lambda s, n: (_quats(s, n) * np.array(
        [1, 1, 1, 1.0]) * ((-1) ** np.arange(n))[:, None],)),
    "body_rates_finite_difference": (body_rates_from_quats, {}, lambda s, n: (
        quat_integrate_euler(_quat(s), _gyr(s, n + 2), 0.01), 0.01)),
    "axis_angle_hstack": (axis_angle_to_quat, {}, lambda s, n: (
        _f(n, 3, seed=s), 180 * _u(s, n))),
    "quaternion_class_operators": (quaternion_class_rotate, {}, lambda s, n: (
        _quat(s), _f(n, 3, seed=s))),
    "scipy_rotation_apply_euler": (rotation_scipy_apply, {}, lambda s, n: (
        _quats(s, n), _f(n, 3, seed=s))),
    "scipy_rotation_compose_rotvec": (rotation_scipy_compose, {}, lambda s, n: (
        _quats(s, n), _gyr(s, n), 0.1)),
}


@pytest.mark.parametrize("name", _names(QUATERNIONS))
def test_quaternion_algebra_matches_numpy(name):
    """Products, conjugates, rotations, integration of body rates, DCMs, slerp, averages and
    scipy's Rotation: NumPy's values."""
    check_like_numpy(*QUATERNIONS[name])


# ============================================================================ AHRS filters


class MadgwickAHRS:
    """madgwick_py's class: a sample period, a gain and a Quaternion attribute."""

    def __init__(self, sampleperiod=1 / 256, quaternion=None, beta=1.0):
        self.samplePeriod = sampleperiod
        self.quaternion = Quaternion(1, 0, 0, 0) if quaternion is None else quaternion
        self.beta = beta

    def update_imu(self, gyroscope, accelerometer):
        q = self.quaternion
        gyroscope = np.array(gyroscope, dtype=float).flatten()
        accelerometer = np.array(accelerometer, dtype=float).flatten()
        accelerometer /= np.linalg.norm(accelerometer)
        f = np.array([
            2 * (q[1] * q[3] - q[0] * q[2]) - accelerometer[0],
            2 * (q[0] * q[1] + q[2] * q[3]) - accelerometer[1],
            2 * (0.5 - q[1] ** 2 - q[2] ** 2) - accelerometer[2]])
        j = np.array([
            [-2 * q[2], 2 * q[3], -2 * q[0], 2 * q[1]],
            [2 * q[1], 2 * q[0], 2 * q[3], 2 * q[2]],
            [0, -4 * q[1], -4 * q[2], 0]])
        step = j.T.dot(f)
        step /= np.linalg.norm(step)
        qdot = (q * Quaternion(0, gyroscope[0], gyroscope[1], gyroscope[2])) * 0.5 \
            - self.beta * step.T
        q = q + qdot * self.samplePeriod
        self.quaternion = Quaternion(q.q / np.linalg.norm(q.q))

    def update(self, gyroscope, accelerometer, magnetometer):
        q = self.quaternion
        accelerometer = accelerometer / np.linalg.norm(accelerometer)
        magnetometer = magnetometer / np.linalg.norm(magnetometer)
        h = q * (Quaternion(0, magnetometer[0], magnetometer[1], magnetometer[2]) * q.conj())
        b = np.array([0, np.linalg.norm(h[1:3]), 0, h[3]])
        f = np.array([
            2 * (q[1] * q[3] - q[0] * q[2]) - accelerometer[0],
            2 * (q[0] * q[1] + q[2] * q[3]) - accelerometer[1],
            2 * (0.5 - q[1] ** 2 - q[2] ** 2) - accelerometer[2],
            2 * b[1] * (0.5 - q[2] ** 2 - q[3] ** 2) + 2 * b[3] * (q[1] * q[3] - q[0] * q[2])
            - magnetometer[0],
            2 * b[1] * (q[1] * q[2] - q[0] * q[3]) + 2 * b[3] * (q[0] * q[1] + q[2] * q[3])
            - magnetometer[1],
            2 * b[1] * (q[0] * q[2] + q[1] * q[3]) + 2 * b[3] * (0.5 - q[1] ** 2 - q[2] ** 2)
            - magnetometer[2]])
        j = np.array([
            [-2 * q[2], 2 * q[3], -2 * q[0], 2 * q[1]],
            [2 * q[1], 2 * q[0], 2 * q[3], 2 * q[2]],
            [0, -4 * q[1], -4 * q[2], 0],
            [-2 * b[3] * q[2], 2 * b[3] * q[3], -4 * b[1] * q[2] - 2 * b[3] * q[0],
             -4 * b[1] * q[3] + 2 * b[3] * q[1]],
            [-2 * b[1] * q[3] + 2 * b[3] * q[1], 2 * b[1] * q[2] + 2 * b[3] * q[0],
             2 * b[1] * q[1] + 2 * b[3] * q[3], -2 * b[1] * q[0] + 2 * b[3] * q[2]],
            [2 * b[1] * q[2], 2 * b[1] * q[3] - 4 * b[3] * q[1],
             2 * b[1] * q[0] - 4 * b[3] * q[2], 2 * b[1] * q[1]]])
        step = j.T.dot(f)
        step /= np.linalg.norm(step)
        qdot = (q * Quaternion(0, gyroscope[0], gyroscope[1], gyroscope[2])) * 0.5 \
            - self.beta * step.T
        q = q + qdot * self.samplePeriod
        self.quaternion = Quaternion(q.q / np.linalg.norm(q.q))


def madgwick_class_imu(gyr, acc, beta=0.1, fs=100):
    ahrs = MadgwickAHRS(sampleperiod=1 / fs, beta=beta)
    quats = np.zeros((len(gyr), 4))
    for t in range(len(gyr)):
        ahrs.update_imu(gyr[t], acc[t])
        quats[t] = ahrs.quaternion.q
    return quats


def madgwick_class_marg(gyr, acc, mag, beta=0.05, fs=50):
    ahrs = MadgwickAHRS(sampleperiod=1 / fs, beta=beta)
    quats = []
    for t in range(len(gyr)):
        ahrs.update(gyr[t], acc[t], mag[t])
        quats.append(ahrs.quaternion.q)
    return np.array(quats), np.array(ahrs.quaternion.to_euler123())


def madgwick_update_imu(q, gyr, acc, gain=0.033, dt=0.01):
    # the `ahrs` package's updateIMU without its zero-rate guard
    qDot = 0.5 * q_prod_zeros(q, [0, *gyr])
    a = acc / np.linalg.norm(acc)
    qw, qx, qy, qz = q / np.linalg.norm(q)
    f = np.array([2.0 * (qx * qz - qw * qy) - a[0],
                  2.0 * (qw * qx + qy * qz) - a[1],
                  2.0 * (0.5 - qx ** 2 - qy ** 2) - a[2]])
    J = np.array([[-2.0 * qy, 2.0 * qz, -2.0 * qw, 2.0 * qx],
                  [2.0 * qx, 2.0 * qw, 2.0 * qz, 2.0 * qy],
                  [0.0, -4.0 * qx, -4.0 * qy, 0.0]])
    gradient = J.T @ f
    gradient /= np.linalg.norm(gradient)
    qDot -= gain * gradient
    q = q + qDot * dt
    q /= np.linalg.norm(q)
    return q


def madgwick_loop_functional(gyr, acc, q0, gain=0.033, frequency=100.0):
    Q = np.tile([1., 0., 0., 0.], (len(gyr), 1))
    Q[0] = q0
    for t in range(1, len(gyr)):
        Q[t] = madgwick_update_imu(Q[t - 1], gyr[t], acc[t], gain, 1.0 / frequency)
    return Q


def madgwick_scalar_c_port(gyr, acc, beta=0.1, sample_freq=512.0):
    # MadgwickAHRS.c's updateIMU translated line by line: scalar auxiliaries, fast inverse sqrt
    # replaced by 1 / sqrt
    q0, q1, q2, q3 = 1.0, 0.0, 0.0, 0.0
    out = np.empty((len(gyr), 4))
    for i in range(len(gyr)):
        gx, gy, gz = gyr[i]
        ax, ay, az = acc[i]
        qDot1 = 0.5 * (-q1 * gx - q2 * gy - q3 * gz)
        qDot2 = 0.5 * (q0 * gx + q2 * gz - q3 * gy)
        qDot3 = 0.5 * (q0 * gy - q1 * gz + q3 * gx)
        qDot4 = 0.5 * (q0 * gz + q1 * gy - q2 * gx)
        recipNorm = 1.0 / np.sqrt(ax * ax + ay * ay + az * az)
        ax *= recipNorm
        ay *= recipNorm
        az *= recipNorm
        _2q0, _2q1, _2q2, _2q3 = 2.0 * q0, 2.0 * q1, 2.0 * q2, 2.0 * q3
        _4q0, _4q1, _4q2 = 4.0 * q0, 4.0 * q1, 4.0 * q2
        _8q1, _8q2 = 8.0 * q1, 8.0 * q2
        q0q0, q1q1, q2q2, q3q3 = q0 * q0, q1 * q1, q2 * q2, q3 * q3
        s0 = _4q0 * q2q2 + _2q2 * ax + _4q0 * q1q1 - _2q1 * ay
        s1 = _4q1 * q3q3 - _2q3 * ax + 4.0 * q0q0 * q1 - _2q0 * ay - _4q1 + _8q1 * q1q1 \
            + _8q1 * q2q2 + _4q1 * az
        s2 = 4.0 * q0q0 * q2 + _2q0 * ax + _4q2 * q3q3 - _2q3 * ay - _4q2 + _8q2 * q1q1 \
            + _8q2 * q2q2 + _4q2 * az
        s3 = 4.0 * q1q1 * q3 - _2q1 * ax + 4.0 * q2q2 * q3 - _2q2 * ay
        recipNorm = 1.0 / np.sqrt(s0 * s0 + s1 * s1 + s2 * s2 + s3 * s3)
        qDot1 -= beta * s0 * recipNorm
        qDot2 -= beta * s1 * recipNorm
        qDot3 -= beta * s2 * recipNorm
        qDot4 -= beta * s3 * recipNorm
        q0 += qDot1 * (1.0 / sample_freq)
        q1 += qDot2 * (1.0 / sample_freq)
        q2 += qDot3 * (1.0 / sample_freq)
        q3 += qDot4 * (1.0 / sample_freq)
        recipNorm = 1.0 / math.sqrt(q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3)
        q0 *= recipNorm
        q1 *= recipNorm
        q2 *= recipNorm
        q3 *= recipNorm
        out[i] = q0, q1, q2, q3
    return out


def mahony_update(q, gyr, acc, integral, dt, kp=1.0, ki=0.1):
    # integral feedback accumulated into the caller's array in place
    a = acc / np.linalg.norm(acc)
    v = np.array([2 * (q[1] * q[3] - q[0] * q[2]),
                  2 * (q[0] * q[1] + q[2] * q[3]),
                  q[0] ** 2 - q[1] ** 2 - q[2] ** 2 + q[3] ** 2])
    e = np.cross(a, v)
    integral += ki * e * dt
    g = gyr + kp * e + integral
    qdot = 0.5 * q_mult(q, np.r_[0, g])
    q = q + qdot * dt
    return q / np.linalg.norm(q)


def mahony_loop(gyr, acc, integral, dt=0.01, kp=2.0, ki=0.05):
    q = np.array([1.0, 0.0, 0.0, 0.0])
    history = np.empty((len(gyr), 4))
    for k in range(len(gyr)):
        q = mahony_update(q, gyr[k], acc[k], integral, dt, kp, ki)
        history[k] = q
    return history


class Mahony:
    """A Mahony filter object as small GitHub libraries keep one: state on self."""

    def __init__(self, kp=1.0, ki=0.3, frequency=100.0):
        self.Kp = kp
        self.Ki = ki
        self.Dt = 1.0 / frequency
        self.q = np.array([1.0, 0.0, 0.0, 0.0])
        self.b = np.zeros(3)

    def updateMARG(self, gyr, acc, mag):
        a = acc / np.linalg.norm(acc)
        m = mag / np.linalg.norm(mag)
        R = quat2dcm(self.q)
        v_a = R.T @ np.array([0.0, 0.0, 1.0])
        h = R @ m
        v_m = R.T @ np.array([0.0, np.linalg.norm(h[:2]), h[2]])
        omega_mes = np.cross(a, v_a) + np.cross(m, v_m)
        bDot = -self.Ki * omega_mes
        self.b += bDot * self.Dt
        Omega = gyr - self.b + self.Kp * omega_mes
        p = np.array([0.0, *Omega])
        qDot = 0.5 * q_prod_zeros(self.q, p)
        self.q = self.q + qDot * self.Dt
        self.q /= np.linalg.norm(self.q)
        return self.q


def mahony_marg_object(gyr, acc, mag, frequency=100.0):
    filt = Mahony(kp=1.5, ki=0.2, frequency=frequency)
    Q = np.zeros((len(gyr), 4))
    for t in range(len(gyr)):
        Q[t] = filt.updateMARG(gyr[t], acc[t], mag[t])
    return Q, filt.b


def complementary_roll_pitch(acc, gyr, dt, alpha=0.98):
    n = len(acc)
    roll = np.zeros(n)
    pitch = np.zeros(n)
    roll[0] = np.arctan2(acc[0, 1], acc[0, 2])
    pitch[0] = np.arctan2(-acc[0, 0], np.sqrt(acc[0, 1] ** 2 + acc[0, 2] ** 2))
    for i in range(1, n):
        acc_roll = np.arctan2(acc[i, 1], acc[i, 2])
        acc_pitch = np.arctan2(-acc[i, 0], np.sqrt(acc[i, 1] ** 2 + acc[i, 2] ** 2))
        roll[i] = alpha * (roll[i - 1] + gyr[i, 0] * dt) + (1 - alpha) * acc_roll
        pitch[i] = alpha * (pitch[i - 1] + gyr[i, 1] * dt) + (1 - alpha) * acc_pitch
    return np.degrees(roll), np.degrees(pitch)


def complementary_arduino_math(ax, ay, az, gx, gy, dt=0.01):
    # an Arduino sketch ported with the math module and degrees throughout
    angle_x, angle_y = 0.0, 0.0
    out = []
    for i in range(len(ax)):
        acc_x = math.atan2(ay[i], math.sqrt(ax[i] ** 2 + az[i] ** 2)) * 180 / math.pi
        acc_y = math.atan2(-ax[i], math.sqrt(ay[i] ** 2 + az[i] ** 2)) * 180 / math.pi
        angle_x = 0.96 * (angle_x + gx[i] / GYRO_LSB_PER_DPS * dt) + 0.04 * acc_x
        angle_y = 0.96 * (angle_y + gy[i] / GYRO_LSB_PER_DPS * dt) + 0.04 * acc_y
        out.append((angle_x, angle_y))
    return np.array(out)


def complementary_lfilter(acc_angle, gyro_rate, dt, alpha=0.95):
    # the same filter as an IIR: y[n] = alpha y[n-1] + alpha dt g[n] + (1 - alpha) a[n]
    u = alpha * dt * gyro_rate + (1 - alpha) * acc_angle
    zi = np.array([alpha * acc_angle[0]])
    y, _ = scipy.signal.lfilter([1.0], [1.0, -alpha], u, zi=zi)
    return y


def complementary_vector_tilt(acc, gyr, dt, alpha=0.97):
    # gravity-vector complementary filter: rotate the estimate by the gyro, blend with acc
    g_est = acc[0] / np.linalg.norm(acc[0])
    out = np.empty_like(acc)
    for k in range(len(acc)):
        g_pred = g_est - np.cross(gyr[k] * dt, g_est)
        a = acc[k] / np.linalg.norm(acc[k])
        g_est = alpha * g_pred + (1 - alpha) * a
        g_est /= np.linalg.norm(g_est)
        out[k] = g_est
    roll = np.arctan2(out[:, 1], out[:, 2])
    pitch = np.arctan2(-out[:, 0], np.hypot(out[:, 1], out[:, 2]))
    return out, np.stack([roll, pitch], axis=1)


def tilt_compensated_heading(acc, mag, declination_deg=2.5):
    roll = np.arctan2(acc[:, 1], acc[:, 2])
    pitch = np.arctan2(-acc[:, 0], acc[:, 1] * np.sin(roll) + acc[:, 2] * np.cos(roll))
    mx, my, mz = mag[:, 0], mag[:, 1], mag[:, 2]
    bfy = mz * np.sin(roll) - my * np.cos(roll)
    bfx = mx * np.cos(pitch) + my * np.sin(pitch) * np.sin(roll) \
        + mz * np.sin(pitch) * np.cos(roll)
    heading = np.degrees(np.arctan2(bfy, bfx)) + declination_deg
    return np.mod(heading, 360.0)


def ecompass_dcm(acc, mag):
    # east-north-up DCM from cross products, then a quaternion
    a = acc / np.linalg.norm(acc)
    m = mag / np.linalg.norm(mag)
    east = np.cross(m, a)
    east /= np.linalg.norm(east)
    north = np.cross(a, east)
    R = np.vstack([east, north, a])
    return R, dcm2quat_branchless(R)


def triad_attitude(v1_b, v2_b, v1_n, v2_n):
    # TRIAD with two vector observations (gravity and magnetic field)
    def frame(a, b):
        t1 = a / np.linalg.norm(a)
        t2 = np.cross(a, b)
        t2 = t2 / np.linalg.norm(t2)
        return np.column_stack((t1, t2, np.cross(t1, t2)))
    return frame(v1_n, v2_n) @ frame(v1_b, v2_b).T


def euler_rate_integration(gyr, dt, phi=0.0, theta=0.0, psi=0.0):
    # Euler angle rates from body rates, by the ZYX kinematic matrix
    angles = np.zeros((len(gyr), 3))
    for k, (p, q, r) in enumerate(gyr):
        phi_dot = p + np.tan(theta) * (q * np.sin(phi) + r * np.cos(phi))
        theta_dot = q * np.cos(phi) - r * np.sin(phi)
        psi_dot = (q * np.sin(phi) + r * np.cos(phi)) / np.cos(theta)
        phi, theta, psi = phi + phi_dot * dt, theta + theta_dot * dt, psi + psi_dot * dt
        angles[k] = [phi, theta, psi]
    return angles


AHRS = {
    "madgwick_py_class_imu": (madgwick_class_imu, {"fs": 100}, lambda s, n: (
        _gyr(s, 2 * n), _acc(s, 2 * n))),
    "madgwick_py_class_marg": (madgwick_class_marg, {}, lambda s, n: (
        _gyr(s, 2 * n), _acc(s, 2 * n), _mag(s, 2 * n))),
    "madgwick_ahrs_update_imu": (madgwick_update_imu, {}, lambda s, n: (
        _quat(s), _gyr(s, 1)[0], _acc(s, 1)[0])),
    "madgwick_loop_functional": (madgwick_loop_functional, {}, lambda s, n: (
        _gyr(s, 2 * n), _acc(s, 2 * n), _quat(s), 0.1)),
    "madgwick_c_port_scalars": (madgwick_scalar_c_port, {}, lambda s, n: (
        _gyr(s, 2 * n), _acc(s, 2 * n))),
    "mahony_integral_in_place": (mahony_loop, {}, lambda s, n: (
        _gyr(s, 2 * n), _acc(s, 2 * n), np.zeros(3))),
    "mahony_marg_object": (mahony_marg_object, {}, lambda s, n: (
        _gyr(s, 2 * n), _acc(s, 2 * n), _mag(s, 2 * n))),
    "complementary_roll_pitch": (complementary_roll_pitch, {}, lambda s, n: (
        _acc(s, 3 * n), _gyr(s, 3 * n), 0.01)),
    "complementary_arduino_math": (complementary_arduino_math, {}, lambda s, n: (
        *_acc(s, 3 * n).T, *(100 * _gyr(s, 3 * n)[:, :2].T))),
    "complementary_as_lfilter_zi": (complementary_lfilter, {}, lambda s, n: (
        0.1 * _f(5 * n, seed=s), _f(5 * n, seed=s + 1), 0.01)),
    "complementary_gravity_vector": (complementary_vector_tilt, {}, lambda s, n: (
        _acc(s, 2 * n), _gyr(s, 2 * n), 0.02)),
    "tilt_compensated_heading_mod": (tilt_compensated_heading, {}, lambda s, n: (
        _acc(s, n), _mag(s, n))),
    "ecompass_cross_products": (ecompass_dcm, {}, lambda s, n: (_acc(s, 1)[0], _mag(s, 1)[0])),
    "triad_nested_helper": (triad_attitude, {}, lambda s, n: (
        _acc(s, 1)[0], _mag(s, 1)[0], G_VEC, np.array([0.21, 0.0, -0.42]))),
    "euler_rates_enumerate_unpack": (euler_rate_integration, {}, lambda s, n: (
        _gyr(s, 2 * n), 0.01)),
}


@pytest.mark.parametrize("name", _names(AHRS))
def test_ahrs_filters_match_numpy(name):
    """Madgwick (class, functional, C port), Mahony (in-place integral, object), complementary
    filters, tilt-compensated compasses, TRIAD and Euler-rate integration: NumPy's values."""
    check_like_numpy(*AHRS[name])


# ============================================================================ frames and angles


def quat_to_euler_clip(q):
    w, x, y, z = q
    roll = np.arctan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y))
    sinp = 2 * (w * y - z * x)
    pitch = np.arcsin(np.clip(sinp, -1.0, 1.0))
    yaw = np.arctan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z))
    return roll, pitch, yaw


def quat_to_euler_batch_degrees(Q):
    w, x, y, z = Q.T
    t0 = 2.0 * (w * x + y * z)
    t1 = 1.0 - 2.0 * (x * x + y * y)
    t2 = 2.0 * (w * y - z * x)
    t2 = np.where(t2 > 1.0, 1.0, t2)
    t2 = np.where(t2 < -1.0, -1.0, t2)
    t3 = 2.0 * (w * z + x * y)
    t4 = 1.0 - 2.0 * (y * y + z * z)
    return np.degrees(np.column_stack((np.arctan2(t0, t1), np.arcsin(t2), np.arctan2(t3, t4))))


def euler_to_quat_batch(roll, pitch, yaw):
    cr, sr = np.cos(roll * 0.5), np.sin(roll * 0.5)
    cp, sp = np.cos(pitch * 0.5), np.sin(pitch * 0.5)
    cy, sy = np.cos(yaw * 0.5), np.sin(yaw * 0.5)
    q = np.zeros((roll.size, 4))
    q[:, 0] = cr * cp * cy + sr * sp * sy
    q[:, 1] = sr * cp * cy - cr * sp * sy
    q[:, 2] = cr * sp * cy + sr * cp * sy
    q[:, 3] = cr * cp * sy - sr * sp * cy
    return q


def euler_roundtrip(angles):
    q = euler_to_quat_batch(*angles.T)
    return np.stack(quat_to_euler_clip(q.T), axis=1)


def euler_zyx_dcm_stack(roll, pitch, yaw):
    Rs = []
    for phi, theta, psi in zip(roll, pitch, yaw):
        Rx = np.array([[1, 0, 0], [0, np.cos(phi), -np.sin(phi)], [0, np.sin(phi), np.cos(phi)]])
        Ry = np.array([[np.cos(theta), 0, np.sin(theta)], [0, 1, 0],
                       [-np.sin(theta), 0, np.cos(theta)]])
        Rz = np.array([[np.cos(psi), -np.sin(psi), 0], [np.sin(psi), np.cos(psi), 0],
                       [0, 0, 1]])
        Rs.append(Rz @ Ry @ Rx)
    return np.stack(Rs)


def body_to_world_remove_gravity(Q, acc):
    R = quat2dcm_batch(Q)
    acc_world = np.einsum("nij,nj->ni", R, acc)
    return acc_world - G_VEC


def world_acc_matmul(Q, acc):
    # the same rotation with a batched matmul of column vectors
    R = quat2dcm_batch(Q)
    return (R @ acc[..., None])[..., 0] - np.array([0, 0, GRAVITY])


def android_gravity_lowpass(acc, alpha=0.8):
    # the Android documentation's isolation of gravity, component by component
    gravity = [0.0, 0.0, 0.0]
    linear = np.zeros_like(acc)
    for i in range(len(acc)):
        gravity[0] = alpha * gravity[0] + (1 - alpha) * acc[i, 0]
        gravity[1] = alpha * gravity[1] + (1 - alpha) * acc[i, 1]
        gravity[2] = alpha * gravity[2] + (1 - alpha) * acc[i, 2]
        linear[i, 0] = acc[i, 0] - gravity[0]
        linear[i, 1] = acc[i, 1] - gravity[1]
        linear[i, 2] = acc[i, 2] - gravity[2]
    return linear, np.array(gravity)


def gravity_from_quaternion(Q):
    w, x, y, z = Q[:, 0], Q[:, 1], Q[:, 2], Q[:, 3]
    g = np.array([2 * (x * z - w * y), 2 * (w * x + y * z), w * w - x * x - y * y + z * z])
    return g.T * GRAVITY


def linear_acc_from_quaternion(acc, Q):
    return acc - gravity_from_quaternion(Q)


def tilt_from_accelerometer(acc):
    ax, ay, az = acc[:, 0], acc[:, 1], acc[:, 2]
    roll = np.degrees(np.arctan2(ay, az))
    pitch = np.degrees(np.arctan(-ax / np.sqrt(ay ** 2 + az ** 2)))
    inclination = np.degrees(np.arccos(np.clip(az / np.linalg.norm(acc, axis=1), -1, 1)))
    return roll, pitch, inclination


def wrap_and_unwrap_yaw(yaw_deg):
    wrapped = (yaw_deg + 180.0) % 360.0 - 180.0
    unwrapped = np.degrees(np.unwrap(np.radians(wrapped)))
    return wrapped, unwrapped, np.diff(unwrapped)


def angle_difference_arctan2(a, b):
    # shortest signed difference of two headings
    return np.arctan2(np.sin(a - b), np.cos(a - b))


def skew(w):
    return np.array([[0, -w[2], w[1]], [w[2], 0, -w[0]], [-w[1], w[0], 0]])


def dcm_rodrigues_svd(R, gyr, dt):
    # DCM propagation by Rodrigues' formula, re-orthonormalised by SVD at the end
    for w in gyr:
        theta = np.linalg.norm(w) * dt
        K = skew(w / np.linalg.norm(w))
        R = R @ (np.eye(3) + np.sin(theta) * K + (1 - np.cos(theta)) * K @ K)
    U, _, Vt = np.linalg.svd(R)
    return U @ Vt


def dcm_premerlani_renorm(R, gyr, dt):
    # Premerlani and Bizard's DCM IMU: first-order update, then error-sharing renormalisation
    for k in range(len(gyr)):
        R = R @ (np.eye(3) + skew(gyr[k] * dt))
        error = np.dot(R[0], R[1])
        x_orth = R[0] - 0.5 * error * R[1]
        y_orth = R[1] - 0.5 * error * R[0]
        z_orth = np.cross(x_orth, y_orth)
        R = np.array([0.5 * (3 - np.dot(v, v)) * v for v in (x_orth, y_orth, z_orth)])
    return R, np.abs(R @ R.T - np.eye(3)).max()


def expm_rotation_scipy(R, gyr, dt):
    # the exact exponential of the skew matrix by scipy.linalg.expm
    for w in gyr:
        R = R @ scipy.linalg.expm(skew(w * dt))
    return R


def ned_enu_swap(v_ned):
    # NED <-> ENU by a fixed permutation-and-sign matrix and by fancy indexing
    T = np.array([[0, 1, 0], [1, 0, 0], [0, 0, -1]])
    by_matrix = v_ned @ T.T
    by_index = v_ned[:, [1, 0, 2]] * np.array([1, 1, -1])
    return by_matrix, by_index


def mount_misalignment(acc, gyr, yaw_deg, pitch_deg):
    # a sensor mounted at an angle: both triads rotated into the vehicle frame
    c, s = np.cos(np.radians(yaw_deg)), np.sin(np.radians(yaw_deg))
    cp, sp = np.cos(np.radians(pitch_deg)), np.sin(np.radians(pitch_deg))
    Rz = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    Ry = np.array([[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]])
    R = Rz @ Ry
    return acc @ R.T, np.dot(R, gyr.T).T


FRAMES = {
    "euler_arcsin_clip_scalar": (quat_to_euler_clip, {}, lambda s, n: (_quat(s),)),
    "euler_where_clamp_batch": (quat_to_euler_batch_degrees, {}, lambda s, n: (
        np.vstack([_quats(s, n), [[np.sqrt(0.5), 0, np.sqrt(0.5), 0]]]),)),
    "euler_quat_roundtrip": (euler_roundtrip, {}, lambda s, n: (
        np.column_stack([_u(s, n) - 0.5, 0.8 * (_u(s + 1, n) - 0.5), 4 * _u(s + 2, n) - 2]),)),
    "euler_zyx_dcm_zip_stack": (euler_zyx_dcm_stack, {}, lambda s, n: (
        _f(n, seed=s), 0.5 * _f(n, seed=s + 1), _f(n, seed=s + 2))),
    "world_frame_einsum_gravity": (body_to_world_remove_gravity, {}, lambda s, n: (
        _quats(s, n), _acc(s, n))),
    "world_frame_batched_matmul": (world_acc_matmul, {}, lambda s, n: (
        _quats(s, n), _acc(s, n))),
    "android_gravity_list_state": (android_gravity_lowpass, {}, lambda s, n: (
        _acc(s, 3 * n),)),
    "linear_acc_from_quaternion": (linear_acc_from_quaternion, {}, lambda s, n: (
        _acc(s, n), _quats(s, n))),
    "tilt_arctan_arccos_clip": (tilt_from_accelerometer, {}, lambda s, n: (_acc(s, n),)),
    "yaw_wrap_unwrap": (wrap_and_unwrap_yaw, {}, lambda s, n: (
        np.cumsum(40 * _u(s, 4 * n) + 10),)),
    "heading_difference_arctan2": (angle_difference_arctan2, {}, lambda s, n: (
        6 * _f(n, seed=s), 6 * _f(n, seed=s + 1))),
    "dcm_rodrigues_svd_orthonormal": (dcm_rodrigues_svd, {}, lambda s, n: (
        quat2dcm(_quat(s)), _gyr(s, n), 0.05)),
    "dcm_premerlani_renorm": (dcm_premerlani_renorm, {}, lambda s, n: (
        np.eye(3), _gyr(s, 2 * n), 0.02)),
    "dcm_expm_scipy": (expm_rotation_scipy, {}, lambda s, n: (
        np.eye(3), _gyr(s, n), 0.05)),
    "ned_enu_permutation": (ned_enu_swap, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "mount_misalignment": (mount_misalignment, {}, lambda s, n: (
        _acc(s, n), _gyr(s, n), 12.0 * s, -3.0)),
}


@pytest.mark.parametrize("name", _names(FRAMES))
def test_frames_and_angles_match_numpy(name):
    """Euler angles with clipped arcsin, rotation to the world frame, gravity removal, tilt,
    heading wrap, DCM propagation and renormalisation: NumPy's values."""
    check_like_numpy(*FRAMES[name])


# ============================================================================ dead reckoning


def dead_reckon_scipy(acc_world, dt):
    vel = cumulative_trapezoid(acc_world, dx=dt, axis=0, initial=0)
    pos = cumulative_trapezoid(vel, dx=dt, axis=0, initial=0)
    return vel, pos


def dead_reckon_timestamps(t, acc_world, v0):
    vel = v0 + scipy.integrate.cumulative_trapezoid(acc_world, t, axis=0, initial=0)
    pos = scipy.integrate.cumulative_trapezoid(vel, t, axis=0, initial=0)
    return pos[-1], np.linalg.norm(pos, axis=1)


def dead_reckon_cumsum_trapezoid(acc, dt):
    # the trapezoid rule by hand
    vel = np.concatenate([np.zeros((1, acc.shape[1])),
                          np.cumsum((acc[1:] + acc[:-1]) / 2 * dt, axis=0)])
    pos = np.concatenate([np.zeros((1, acc.shape[1])),
                          np.cumsum((vel[1:] + vel[:-1]) / 2 * dt, axis=0)])
    return vel, pos


def dead_reckon_loop(acc, dt):
    n = len(acc)
    vel = np.zeros((n, 3))
    pos = np.zeros((n, 3))
    for i in range(1, n):
        vel[i] = vel[i - 1] + 0.5 * (acc[i] + acc[i - 1]) * dt
        pos[i] = pos[i - 1] + vel[i - 1] * dt + 0.25 * (acc[i] + acc[i - 1]) * dt ** 2
    return vel, pos


def strapdown_quaternion(q, gyr, acc, dt):
    # attitude, velocity and position together: one strapdown loop in the navigation frame
    v = np.zeros(3)
    p = np.zeros(3)
    traj = np.zeros((len(gyr), 3))
    for k in range(len(gyr)):
        q = q + 0.5 * dt * q_mult(q, np.hstack([0.0, gyr[k]]))
        q = q / np.linalg.norm(q)
        a_n = quat2dcm(q) @ acc[k] - G_VEC
        p = p + v * dt + 0.5 * a_n * dt ** 2
        v = v + a_n * dt
        traj[k] = p
    return traj, v, q


def zupt_where(acc, gyr, dt, acc_thr=0.4, gyr_thr=0.3):
    acc_mag = np.linalg.norm(acc, axis=1)
    stationary = np.where((np.abs(acc_mag - GRAVITY) < acc_thr)
                          & (np.linalg.norm(gyr, axis=1) < gyr_thr), 1, 0)
    vel = np.zeros_like(acc)
    for t in range(1, len(acc)):
        vel[t] = np.where(stationary[t], 0.0, vel[t - 1] + (acc[t] - G_VEC) * dt)
    pos = np.cumsum(vel * dt, axis=0)
    return vel, pos, stationary


def zupt_multiply_mask(acc_world, stationary, dt):
    # velocity zeroed by multiplying with the moving mask
    moving = (~stationary).astype(acc_world.dtype)
    vel = np.zeros_like(acc_world)
    for t in range(1, len(acc_world)):
        vel[t, :] = (vel[t - 1, :] + acc_world[t, :] * dt) * moving[t]
    return vel


def zupt_drift_removal_fixed(vel, stationary):
    # linear drift removal over the whole record, from the velocity at its last stationary
    # sample, written without the data-dependent segment starts
    n = len(vel)
    idx = np.arange(n)
    last_stat = np.max(np.where(stationary, idx, 0))
    drift_rate = vel[last_stat] / np.maximum(last_stat, 1)
    drift = np.outer(np.minimum(idx, last_stat), drift_rate)
    return vel - drift


def moving_variance_detector(acc_mag, w=5, thr=0.05):
    kernel = np.ones(w) / w
    mean = np.convolve(acc_mag, kernel, mode="same")
    var = np.convolve(acc_mag ** 2, kernel, mode="same") - mean ** 2
    return (var < thr).astype(np.int8), var


def shoe_detector(acc, gyr, W=5, sigma_a=0.05, sigma_g=0.1 * np.pi / 180, gamma=3e5):
    # Skog's SHOE test statistic over sliding windows of fixed length
    N = len(acc)
    T = np.zeros(N - W + 1)
    for k in range(N - W + 1):
        ya = acc[k:k + W]
        yg = gyr[k:k + W]
        mean_a = ya.mean(axis=0)
        u = mean_a / np.linalg.norm(mean_a)
        T[k] = np.sum(np.linalg.norm(ya - GRAVITY * u, axis=1) ** 2 / sigma_a ** 2
                      + np.linalg.norm(yg, axis=1) ** 2 / sigma_g ** 2) / W
    zupt = np.zeros(N, dtype=bool)
    zupt[:N - W + 1] = T < gamma
    return T, zupt


def stance_sliding_window(gyr, w=4, thr=0.6):
    mag = np.linalg.norm(gyr, axis=1)
    win_max = sliding_window_view(np.pad(mag, (w // 2, w - 1 - w // 2), mode="edge"),
                                  w).max(axis=1)
    return win_max < thr


def count_steps_refractory(acc, thr=10.4, min_gap=3):
    mag = np.linalg.norm(acc, axis=1)
    steps = np.zeros(len(mag), dtype=bool)
    last = -min_gap
    for i in range(1, len(mag) - 1):
        peak = (mag[i] > thr) & (mag[i] >= mag[i - 1]) & (mag[i] > mag[i + 1]) \
            & (i - last >= min_gap)
        steps[i] = peak
        last = np.where(peak, i, last)
    return steps, steps.sum()


def step_peaks_vectorized(mag, thr=10.3):
    # local maxima above a threshold, by comparing shifted copies
    is_peak = np.zeros(mag.shape, dtype=bool)
    is_peak[1:-1] = (mag[1:-1] > mag[:-2]) & (mag[1:-1] > mag[2:]) & (mag[1:-1] > thr)
    return is_peak, np.count_nonzero(is_peak)


def step_threshold_crossings(mag, thr=10.0):
    above = mag > thr
    rising = above[1:] & ~above[:-1]
    return int(0) + rising.sum(), np.diff(above.astype(np.int8))


def weinberg_pdr(acc_mag, heading, steps, w=4, K=0.45):
    # Weinberg's step length from a window's acceleration range; positions by cumsum
    padded = np.pad(acc_mag, (w // 2, w - 1 - w // 2), mode="edge")
    win = sliding_window_view(padded, w)
    L = K * (win.max(axis=1) - win.min(axis=1)) ** 0.25
    L = np.where(steps, L, 0.0)
    east = np.cumsum(L * np.sin(heading))
    north = np.cumsum(L * np.cos(heading))
    return np.column_stack([east, north]), L.sum()


def pdr_dict_log(log, step_length=0.7):
    # a phone log as a dict of arrays; the results added to a new dict
    heading = np.radians(log["heading_deg"])
    d = step_length * log["step"].astype(float)
    out = dict(log)
    out["x"] = np.cumsum(d * np.sin(heading))
    out["y"] = np.cumsum(d * np.cos(heading))
    out["distance"] = np.sum(d)
    return out


def _zupt_data(s, n):
    r = np.random.default_rng(s)
    moving = (np.arange(4 * n) // 3) % 2 == 1
    acc = G_VEC + 0.05 * r.standard_normal((4 * n, 3)) + moving[:, None] * r.uniform(
        0.8, 2.0, (4 * n, 3))
    gyr = 0.02 * r.standard_normal((4 * n, 3)) + moving[:, None] * r.uniform(0.5, 1.0, (4 * n, 3))
    return acc, gyr


def _step_mag(s, n):
    t = np.arange(6 * n)
    return GRAVITY + 1.5 * np.sin(2 * np.pi * t / 5 + 0.3 * s) + 0.1 * _f(6 * n, seed=s)


DEAD_RECKONING = {
    "cumulative_trapezoid_dx": (dead_reckon_scipy, {}, lambda s, n: (_f(3 * n, 3, seed=s), 0.01)),
    "cumulative_trapezoid_times": (dead_reckon_timestamps, {}, lambda s, n: (
        _times(s, 3 * n), _f(3 * n, 3, seed=s), _f(3, seed=s + 1))),
    "trapezoid_by_cumsum": (dead_reckon_cumsum_trapezoid, {}, lambda s, n: (
        _f(3 * n, 3, seed=s), 0.01)),
    "trapezoid_loop": (dead_reckon_loop, {}, lambda s, n: (_f(3 * n, 3, seed=s), 0.02)),
    "strapdown_loop": (strapdown_quaternion, {}, lambda s, n: (
        _quat(s), _gyr(s, 2 * n), _acc(s, 2 * n), 0.01)),
    "zupt_where_in_loop": (zupt_where, {}, lambda s, n: (*_zupt_data(s, n), 0.01)),
    "zupt_multiply_moving_mask": (zupt_multiply_mask, {}, lambda s, n: (
        _f(4 * n, 3, seed=s), (np.arange(4 * n) // 3) % 2 == s % 2, 0.01)),
    "zupt_drift_removal_fixed": (zupt_drift_removal_fixed, {}, lambda s, n: (
        np.cumsum(_f(4 * n, 3, seed=s), axis=0), _u(s, 4 * n) < 0.4)),
    "moving_variance_convolve": (moving_variance_detector, {}, lambda s, n: (
        np.linalg.norm(_zupt_data(s, n)[0], axis=1),)),
    "shoe_detector_windows": (shoe_detector, {"W": 3}, lambda s, n: _zupt_data(s, n)),
    "stance_sliding_window_max": (stance_sliding_window, {}, lambda s, n: (
        _zupt_data(s, n)[1],)),
    "steps_refractory_where": (count_steps_refractory, {}, lambda s, n: (
        G_VEC + np.outer(1.5 * np.sin(np.arange(6 * n) * 2.1 + s), [0.2, 0.3, 1.0]),)),
    "step_peaks_shifted": (step_peaks_vectorized, {}, lambda s, n: (_step_mag(s, n),)),
    "step_threshold_crossings": (step_threshold_crossings, {}, lambda s, n: (
        _step_mag(s, n),)),
    "weinberg_pdr_windows": (weinberg_pdr, {}, lambda s, n: (
        _step_mag(s, n), np.cumsum(0.1 * _f(6 * n, seed=s)),
        step_peaks_vectorized(_step_mag(s, n))[0])),
    "pdr_dict_of_arrays": (pdr_dict_log, {}, lambda s, n: ({
        "t": _times(s, 4 * n), "heading_deg": 360 * _u(s, 4 * n),
        "step": (np.arange(4 * n) % 3 == 0).astype(np.int32)},)),
}


@pytest.mark.parametrize("name", _names(DEAD_RECKONING))
def test_dead_reckoning_and_steps_match_numpy(name):
    """Cumulative trapezoids, strapdown loops, zero-velocity updates by np.where, stance
    detectors, step detection with a refractory period and PDR: NumPy's values."""
    check_like_numpy(*DEAD_RECKONING[name])


# ============================================================================ calibration


def hard_soft_iron_minmax(mag):
    offset = (mag.max(axis=0) + mag.min(axis=0)) / 2
    delta = (mag.max(axis=0) - mag.min(axis=0)) / 2
    scale = delta.mean() / delta
    return (mag - offset) * scale, offset, scale


def sphere_fit_lstsq(mag):
    A = np.column_stack([2 * mag, np.ones(len(mag))])
    b = np.sum(mag ** 2, axis=1)
    sol, residuals, rank, sv = np.linalg.lstsq(A, b, rcond=None)
    center = sol[:3]
    radius = np.sqrt(sol[3] + center @ center)
    return center, radius, rank


def ellipsoid_fit_eigh(mag, field=50.0):
    # x^T M x + 2 n^T x = 1 by least squares; the centre from M and n; the soft-iron
    # correction as the symmetric square root of the scaled M by eigh
    x, y, z = mag.T
    D = np.column_stack([x ** 2, y ** 2, z ** 2, 2 * x * y, 2 * x * z, 2 * y * z,
                         2 * x, 2 * y, 2 * z])
    v = np.linalg.lstsq(D, np.ones_like(x), rcond=None)[0]
    M = np.array([[v[0], v[3], v[4]], [v[3], v[1], v[5]], [v[4], v[5], v[2]]])
    n = v[6:9]
    b = -np.linalg.solve(M, n)
    Ms = M / (1 + b @ M @ b)
    w, V = np.linalg.eigh(Ms)
    A_inv = V @ np.diag(np.sqrt(w)) @ V.T * field
    calibrated = (mag - b) @ A_inv.T
    return b, A_inv, np.linalg.norm(calibrated, axis=1)


def ellipsoid_fit_sqrtm(mag):
    # the same correction by scipy.linalg.sqrtm and normal equations
    x, y, z = mag[:, 0], mag[:, 1], mag[:, 2]
    D = np.array([x * x, y * y, z * z, 2 * x * y, 2 * x * z, 2 * y * z, 2 * x, 2 * y, 2 * z])
    v = np.linalg.solve(D @ D.T, D @ np.ones(len(x)))
    Q = np.array([[v[0], v[3], v[4]], [v[3], v[1], v[5]], [v[4], v[5], v[2]]])
    b = -np.linalg.inv(Q) @ v[6:]
    A_inv = np.real(scipy.linalg.sqrtm(Q / (1 + b.T @ Q @ b)))
    return b, A_inv


def ellipsoid_radii_pinv(mag):
    # the 10-parameter algebraic fit with the 4x4 form translated to the centre
    x, y, z = mag.T
    D = np.column_stack([x * x, y * y, z * z, 2 * x * y, 2 * x * z, 2 * y * z,
                         2 * x, 2 * y, 2 * z, np.ones_like(x)])
    _, _, Vt = np.linalg.svd(D, full_matrices=False)
    v = Vt[-1]
    v = v / -v[9]
    A = np.array([[v[0], v[3], v[4], v[6]], [v[3], v[1], v[5], v[7]],
                  [v[4], v[5], v[2], v[8]], [v[6], v[7], v[8], v[9]]])
    center = np.linalg.pinv(-A[:3, :3]) @ v[6:9]
    T = np.eye(4)
    T[3, :3] = center
    R = T @ A @ T.T
    evals = np.linalg.eigvalsh(R[:3, :3] / -R[3, 3])
    return center, np.sqrt(1.0 / np.abs(evals))


def six_position_bias_scale(means):
    # rows: +x, -x, +y, -y, +z, -z facing up
    up = means[[0, 2, 4], [0, 1, 2]]
    down = means[[1, 3, 5], [0, 1, 2]]
    bias = (up + down) / 2
    scale = (up - down) / (2 * GRAVITY)
    return bias, scale


def six_position_lstsq(means):
    # the full affine model [a 1] X = g_ref by least squares, with cross-axis terms
    ref = np.kron(np.eye(3), np.array([[GRAVITY], [-GRAVITY]]))
    W = np.hstack([means, np.ones((6, 1))])
    X, *_ = np.linalg.lstsq(W, ref, rcond=None)
    calibrated = W @ X
    return X, np.linalg.norm(calibrated, axis=1)


def apply_accel_calibration(raw, bias, misalign):
    # raw int16 counts to m/s^2 through a misalignment-and-scale matrix
    acc_g = raw.astype(np.float64) / ACC_LSB_PER_G
    return (acc_g - bias) @ np.linalg.inv(misalign).T * GRAVITY


def gyro_bias_from_rest(gyr_raw, n_rest=8):
    # the first n_rest samples are taken at rest
    bias = gyr_raw[:n_rest].mean(axis=0)
    noise = gyr_raw[:n_rest].std(axis=0, ddof=1)
    return (gyr_raw - bias) / GYRO_LSB_PER_DPS * DEG2RAD, bias, noise


def gyro_temperature_polyfit(temp, bias, deg=2):
    coeffs = np.polyfit(temp, bias, deg)
    fitted = np.column_stack([np.polyval(coeffs[:, k], temp) for k in range(bias.shape[1])])
    return coeffs, bias - fitted


def magnetometer_dict_calibration(sensors):
    # calibration stored back into the dict it came from
    mag = sensors["mag"]
    offset = (mag.max(axis=0) + mag.min(axis=0)) / 2
    sensors["mag_offset"] = offset
    sensors["mag"] = mag - offset
    sensors["field_strength"] = np.linalg.norm(sensors["mag"], axis=1).mean()
    return sensors


@dataclasses.dataclass
class ImuCalibration:
    acc_bias: np.ndarray
    acc_scale: np.ndarray
    gyr_bias: np.ndarray

    def apply(self, acc, gyr):
        return (acc - self.acc_bias) * self.acc_scale, gyr - self.gyr_bias


def apply_dataclass_calibration(acc, gyr, acc_bias, acc_scale, gyr_bias):
    cal = ImuCalibration(acc_bias, acc_scale, gyr_bias)
    return cal.apply(acc, gyr)


def accel_norm_gauss_newton(acc, iters=4):
    # bias and scale so that every static sample has |a| = g, by Gauss-Newton steps
    theta = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    for _ in range(iters):
        b, s = theta[:3], theta[3:]
        c = (acc - b) * s
        r = np.linalg.norm(c, axis=1) - GRAVITY
        u = c / np.linalg.norm(c, axis=1, keepdims=True)
        J = np.hstack([-u * s, u * (acc - b)])
        theta = theta - np.linalg.solve(J.T @ J + 1e-9 * np.eye(6), J.T @ r)
    return theta, r


def _six_position(s):
    r = np.random.default_rng(s)
    ideal = np.kron(np.eye(3), np.array([[GRAVITY], [-GRAVITY]]))
    return ideal * (1 + 0.02 * r.standard_normal(3)) + 0.1 * r.standard_normal(3) + \
        0.02 * r.standard_normal((6, 3))


def _static_poses(s, n):
    b = np.array([0.12, -0.08, 0.2])
    sc = np.array([1.02, 0.98, 1.01])
    return GRAVITY * _unit_dirs(s, 4 * n) / sc + b + 1e-3 * _f(4 * n, 3, seed=s)


CALIBRATION = {
    "hard_soft_iron_minmax": (hard_soft_iron_minmax, {}, lambda s, n: (_ellipsoid(s, 4 * n),)),
    "sphere_fit_lstsq_rank": (sphere_fit_lstsq, {}, lambda s, n: (_ellipsoid(s, 4 * n),)),
    "ellipsoid_fit_eigh_sqrt": (ellipsoid_fit_eigh, {}, lambda s, n: (_ellipsoid(s, 4 * n),)),
    "ellipsoid_fit_scipy_sqrtm": (ellipsoid_fit_sqrtm, {}, lambda s, n: (
        _ellipsoid(s, 4 * n),)),
    "ellipsoid_svd_nullspace_pinv": (ellipsoid_radii_pinv, {}, lambda s, n: (
        _ellipsoid(s, 4 * n),)),
    "six_position_fancy_pairs": (six_position_bias_scale, {}, lambda s, n: (_six_position(s),)),
    "six_position_lstsq_kron": (six_position_lstsq, {}, lambda s, n: (_six_position(s),)),
    "apply_calibration_int16": (apply_accel_calibration, {}, lambda s, n: (
        (_acc(s, n) / GRAVITY * ACC_LSB_PER_G).astype(np.int16), 0.01 * _f(3, seed=s),
        np.eye(3) + 0.01 * _f(3, 3, seed=s + 1))),
    "gyro_bias_at_rest_int16": (gyro_bias_from_rest, {"n_rest": 6}, lambda s, n: (
        (40 * _f(3 * n, 3, seed=s) + 25).astype(np.int16),)),
    "gyro_temperature_polyfit": (gyro_temperature_polyfit, {}, lambda s, n: (
        np.linspace(20, 45, 3 * n) + _u(s, 3 * n), _f(3 * n, 3, seed=s))),
    "dict_calibration_written_back": (magnetometer_dict_calibration, {}, lambda s, n: ({
        "mag": _ellipsoid(s, 3 * n), "acc": _acc(s, 3 * n)},)),
    "dataclass_calibration": (apply_dataclass_calibration, {}, lambda s, n: (
        _acc(s, n), _gyr(s, n), 0.1 * _f(3, seed=s), 1 + 0.01 * _f(3, seed=s + 1),
        0.01 * _f(3, seed=s + 2))),
    "accel_gauss_newton_norm": (accel_norm_gauss_newton, {}, lambda s, n: (
        _static_poses(s, n),)),
}


@pytest.mark.parametrize("name", _names(CALIBRATION))
def test_sensor_calibration_matches_numpy(name):
    """Hard/soft-iron by extremes, sphere and ellipsoid fits by lstsq, eigh, sqrtm and SVD,
    six-position calibrations, raw int16 counts, temperature polynomials and Gauss-Newton:
    NumPy's values."""
    check_like_numpy(*CALIBRATION[name])


# ============================================================================ signals and noise


def allan_overlapping(omega, fs, taus_m=(1, 2, 4)):
    t0 = 1.0 / fs
    theta = np.cumsum(omega, axis=0) * t0
    out = []
    for m in taus_m:
        tau = m * t0
        d = theta[2 * m:] - 2 * theta[m:-m] + theta[:-2 * m]
        out.append(np.sum(d ** 2, axis=0) / (2 * tau ** 2 * (len(theta) - 2 * m)))
    return np.array(taus_m) / fs, np.sqrt(np.array(out))


def allan_cluster_means(omega, m_list=(1, 2, 3)):
    avars = []
    for m in m_list:
        K = len(omega) // m
        clusters = omega[:K * m].reshape(K, m).mean(axis=1)
        avars.append(0.5 * np.mean(np.diff(clusters) ** 2))
    return np.array(avars)


def allan_logspaced(omega, fs=100.0, n_taus=8):
    # cluster sizes from the record length: log-spaced, rounded down, made unique
    N = len(omega)
    m = np.unique(np.logspace(0, np.log10(N / 3), n_taus).astype(int))
    theta = np.cumsum(omega) / fs
    adev = np.zeros(len(m))
    for i, mi in enumerate(m):
        d = theta[2 * mi:] - 2 * theta[mi:N - mi] + theta[:N - 2 * mi]
        adev[i] = np.sqrt(np.sum(d ** 2) / (2 * (mi / fs) ** 2 * (N - 2 * mi)))
    return m / fs, adev


def angle_random_walk(taus, adev):
    # ARW from the -1/2 slope line at tau = 1 s, by a log-log least-squares fit
    logt, logd = np.log10(taus), np.log10(adev)
    slope, intercept = np.polyfit(logt, logd, 1)
    arw = 10 ** (intercept - 0.5 * 0.0)
    return slope, arw


def lowpass_filtfilt(acc, fs=100.0, cutoff=5.0, order=4):
    nyq = 0.5 * fs
    b, a = scipy.signal.butter(order, cutoff / nyq, btype="low")
    return scipy.signal.filtfilt(b, a, acc, axis=0)


def highpass_lfilter_gyro(gyr, fs=100.0, cutoff=0.5):
    b, a = scipy.signal.butter(2, cutoff, btype="highpass", fs=fs)
    return scipy.signal.lfilter(b, a, gyr, axis=0)


def bandpass_sos_steps(mag, fs=50.0):
    sos = scipy.signal.butter(2, [0.5, 3.0], btype="bandpass", fs=fs, output="sos")
    return scipy.signal.sosfiltfilt(sos, mag - mag.mean())


def gait_tracking_stationary(acc, sample_period=1 / 256, filt_cut_off=0.001):
    # x-io's Gait-Tracking script: high-pass, rectify, low-pass the magnitude; a threshold
    acc_mag = np.sqrt(acc[:, 0] ** 2 + acc[:, 1] ** 2 + acc[:, 2] ** 2)
    b, a = scipy.signal.butter(1, (2 * filt_cut_off) / (1 / sample_period), "high")
    acc_mag_filt = scipy.signal.filtfilt(b, a, acc_mag, padtype="odd", padlen=3 * (max(
        len(b), len(a)) - 1))
    acc_mag_filt = abs(acc_mag_filt)
    b, a = scipy.signal.butter(1, (2 * 5) / (1 / sample_period), "low")
    acc_mag_filt = scipy.signal.filtfilt(b, a, acc_mag_filt, padtype="odd",
                                         padlen=3 * (max(len(b), len(a)) - 1))
    stationary = acc_mag_filt < 0.05 * GRAVITY
    return acc_mag_filt, stationary


def moving_average_valid(x, w=5):
    return np.convolve(x, np.ones(w) / w, mode="valid")


def moving_average_cumsum(x, w=4):
    c = np.cumsum(np.insert(x, 0, 0.0))
    return (c[w:] - c[:-w]) / float(w)


def ema_axis_loop(acc, alpha=0.2):
    out = np.empty_like(acc)
    out[0] = acc[0]
    for i in range(1, len(acc)):
        out[i] = alpha * acc[i] + (1 - alpha) * out[i - 1]
    return out


def median_then_savgol(mag):
    x = scipy.signal.medfilt(mag, kernel_size=3)
    return scipy.signal.savgol_filter(x, window_length=5, polyorder=2)


def jerk_gradient(t, acc):
    return np.gradient(acc, t, axis=0), np.linalg.norm(np.gradient(acc, t, axis=0), axis=1)


def dominant_frequency_rfft(x, fs=50.0):
    x = x - np.mean(x)
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), d=1.0 / fs)
    k = np.argmax(spec[1:]) + 1
    return freqs[k], spec


def cadence_autocorrelation(mag, min_lag=3):
    x = mag - mag.mean()
    ac = np.correlate(x, x, mode="full")[len(x) - 1:]
    ac = ac / ac[0]
    lag = np.argmax(ac[min_lag:]) + min_lag
    return lag, ac


def welch_psd_noise(gyr, fs=100.0):
    f, pxx = scipy.signal.welch(gyr, fs=fs, nperseg=16, axis=0)
    return f, pxx, np.sqrt(np.mean(pxx[1:], axis=0))


def detrend_and_rms(x):
    y = scipy.signal.detrend(x, axis=0)
    return y, np.sqrt(np.mean(y ** 2, axis=0))


def resample_np_interp_axes(t_src, data, t0, fs=100.0, n_out=12):
    # a common clock: n_out samples from t0, each axis interpolated
    t_dst = t0 + np.arange(n_out) / fs
    return t_dst, np.column_stack([np.interp(t_dst, t_src, data[:, k])
                                   for k in range(data.shape[1])])


def align_acc_gyr(t_acc, acc, t_gyr, gyr):
    # gyroscope samples onto the accelerometer's timestamps; nanosecond int64 clocks
    ta = (t_acc - t_acc[0]) * 1e-9
    tg = (t_gyr - t_acc[0]) * 1e-9
    gyr_i = np.stack([np.interp(ta, tg, gyr[:, i]) for i in range(3)], axis=-1)
    return np.hstack([ta[:, None], acc, gyr_i])


def heading_interp_period(t_src, heading_deg, t_dst):
    return np.interp(t_dst, t_src, heading_deg, period=360.0)


def interp1d_linear(t_src, data, t_dst):
    import scipy.interpolate
    f = scipy.interpolate.interp1d(t_src, data, axis=0, kind="linear", bounds_error=False,
                                   fill_value="extrapolate")
    return f(t_dst)


def decimate_by_reshape_mean(acc, factor=4):
    n = len(acc) // factor * factor
    return acc[:n].reshape(-1, factor, acc.shape[1]).mean(axis=1)


def signal_vector_magnitude_features(acc, w=8):
    # windowed features of a human-activity dataset: mean, std, energy and SMA per window
    n = len(acc) // w
    win = acc[:n * w].reshape(n, w, 3)
    svm = np.sqrt((win ** 2).sum(axis=2))
    feats = {
        "mean": win.mean(axis=1),
        "std": win.std(axis=1),
        "energy": (win ** 2).sum(axis=1) / w,
        "sma": np.abs(win).sum(axis=(1, 2)) / w,
        "svm_max": svm.max(axis=1),
        "corr_xy": np.array([np.corrcoef(win[i, :, 0], win[i, :, 1])[0, 1] for i in range(n)]),
    }
    return feats


def _noise_record(s, n):
    r = np.random.default_rng(s)
    return 0.01 * r.standard_normal((12 * n, 3)) + np.cumsum(1e-4 * r.standard_normal(
        (12 * n, 3)), axis=0) + np.array([0.002, -0.001, 0.0005])


SIGNALS = {
    "allan_overlapping_taus": (allan_overlapping, {}, lambda s, n: (
        _noise_record(s, n), 100.0)),
    "allan_cluster_reshape": (allan_cluster_means, {}, lambda s, n: (
        _noise_record(s, n)[:, 0],)),
    "allan_logspace_unique": (allan_logspaced, {}, lambda s, n: (_noise_record(s, n)[:, 1],)),
    "arw_polyfit_loglog": (angle_random_walk, {}, lambda s, n: (
        np.array([0.01, 0.02, 0.04, 0.08, 0.16]), np.array(
            [0.1, 0.071, 0.05, 0.036, 0.026]) * (1 + 0.01 * _u(s, 5)))),
    "butter_filtfilt_lowpass": (lowpass_filtfilt, {}, lambda s, n: (_acc(s, 10 * n + 20),)),
    "butter_highpass_lfilter_fs": (highpass_lfilter_gyro, {}, lambda s, n: (_gyr(s, 8 * n),)),
    "butter_sos_bandpass_steps": (bandpass_sos_steps, {}, lambda s, n: (
        _step_mag(s, 4 * n),)),
    "gait_tracking_stationary": (gait_tracking_stationary, {}, lambda s, n: (
        _zupt_data(s, 3 * n)[0],)),
    "moving_average_convolve_valid": (moving_average_valid, {}, lambda s, n: (
        _f(4 * n, seed=s),)),
    "moving_average_cumsum_insert": (moving_average_cumsum, {}, lambda s, n: (
        _f(4 * n, seed=s),)),
    "ema_rows_loop": (ema_axis_loop, {}, lambda s, n: (_acc(s, 3 * n),)),
    "medfilt_savgol": (median_then_savgol, {}, lambda s, n: (_step_mag(s, 2 * n),)),
    "jerk_gradient_timestamps": (jerk_gradient, {}, lambda s, n: (
        _times(s, 3 * n), _acc(s, 3 * n))),
    "dominant_frequency_hanning": (dominant_frequency_rfft, {}, lambda s, n: (
        _step_mag(s, 3 * n),)),
    "cadence_autocorrelation": (cadence_autocorrelation, {}, lambda s, n: (
        _step_mag(s, 3 * n),)),
    "welch_gyro_psd": (welch_psd_noise, {}, lambda s, n: (_gyr(s, 10 * n),)),
    "detrend_rms": (detrend_and_rms, {}, lambda s, n: (_noise_record(s, n),)),
    "resample_common_clock": (resample_np_interp_axes, {}, lambda s, n: (
        _times(s, 3 * n), _acc(s, 3 * n), 0.5 * s + 0.012)),
    "align_int64_nanoseconds": (align_acc_gyr, {}, lambda s, n: (
        (1e9 * _times(s, 3 * n)).astype(np.int64), _acc(s, 3 * n),
        (1e9 * (_times(s + 5, 3 * n) - 0.004)).astype(np.int64), _gyr(s, 3 * n))),
    "heading_interp_period": (heading_interp_period, {}, lambda s, n: (
        _times(s, 3 * n), 360 * _u(s, 3 * n), _times(s, 3 * n)[:-1] + 0.003)),
    "scipy_interp1d_extrapolate": (interp1d_linear, {}, lambda s, n: (
            _times(s, 3 * n), _acc(s, 3 * n), _times(s, 3 * n) + 0.004)),
    "decimate_reshape_mean": (decimate_by_reshape_mean, {}, lambda s, n: (_acc(s, 4 * n + 2),)),
    "har_window_features_dict": (signal_vector_magnitude_features, {}, lambda s, n: (
        _acc(s, 8 * n + 3),)),
}


@pytest.mark.parametrize("name", _names(SIGNALS))
def test_signals_and_noise_match_numpy(name):
    """Allan variance over fixed and log-spaced clusters, Butterworth filters by filtfilt,
    lfilter and SOS, moving averages, spectra, autocorrelation, resampling by np.interp and
    windowed activity features: NumPy's values."""
    check_like_numpy(*SIGNALS[name])


# ============================================================================ Kalman filters


class KalmanAngle:
    """TKJ Electronics' Arduino Kalman filter for one angle and a gyro bias, ported."""

    def __init__(self):
        self.Q_angle = 0.001
        self.Q_bias = 0.003
        self.R_measure = 0.03
        self.angle = 0.0
        self.bias = 0.0
        self.rate = 0.0
        self.P = [[0.0, 0.0], [0.0, 0.0]]

    def setAngle(self, angle):
        self.angle = angle

    def getAngle(self, newAngle, newRate, dt):
        self.rate = newRate - self.bias
        self.angle += dt * self.rate
        self.P[0][0] += dt * (dt * self.P[1][1] - self.P[0][1] - self.P[1][0] + self.Q_angle)
        self.P[0][1] -= dt * self.P[1][1]
        self.P[1][0] -= dt * self.P[1][1]
        self.P[1][1] += self.Q_bias * dt
        S = self.P[0][0] + self.R_measure
        K = [self.P[0][0] / S, self.P[1][0] / S]
        y = newAngle - self.angle
        self.angle += K[0] * y
        self.bias += K[1] * y
        P00_temp = self.P[0][0]
        P01_temp = self.P[0][1]
        self.P[0][0] -= K[0] * P00_temp
        self.P[0][1] -= K[0] * P01_temp
        self.P[1][0] -= K[1] * P00_temp
        self.P[1][1] -= K[1] * P01_temp
        return self.angle


def kalman_roll_tkj(acc, gyr_dps, dt=0.01):
    kf = KalmanAngle()
    roll = np.arctan2(acc[:, 1], acc[:, 2]) * RAD2DEG
    kf.setAngle(roll[0])
    out = np.zeros(len(acc))
    for i in range(len(acc)):
        out[i] = kf.getAngle(roll[i], gyr_dps[i], dt)
    return out, kf.bias


def kalman_pitch_matrix(z, gyro_rate, dt, q_angle=1e-3, q_bias=3e-3, r=0.03):
    F = np.array([[1, -dt], [0, 1]])
    B = np.array([[dt], [0]])
    H = np.array([[1.0, 0.0]])
    Q = np.diag([q_angle, q_bias]) * dt
    R = np.array([[r]])
    x = np.zeros((2, 1))
    P = np.eye(2)
    est = np.zeros(len(z))
    for k in range(len(z)):
        x = F @ x + B * gyro_rate[k]
        P = F @ P @ F.T + Q
        y = z[k] - H @ x
        S = H @ P @ H.T + R
        K = P @ H.T @ np.linalg.inv(S)
        x = x + K @ y
        P = (np.eye(2) - K @ H) @ P
        est[k] = x[0, 0]
    return est, P


def kf_joseph_form(zs, dt, sigma_a=0.5, sigma_z=0.3):
    # constant-velocity tracking with the Joseph-form covariance update
    F = np.array([[1.0, dt], [0.0, 1.0]])
    G = np.array([0.5 * dt ** 2, dt])
    Q = np.outer(G, G) * sigma_a ** 2
    H = np.array([[1.0, 0.0]])
    R = np.array([[sigma_z ** 2]])
    x = np.array([zs[0], 0.0])
    P = np.diag([1.0, 10.0])
    I2 = np.eye(2)
    xs, Ps = [], []
    for z in zs:
        x = F @ x
        P = F @ P @ F.T + Q
        S = H @ P @ H.T + R
        K = P @ H.T / S[0, 0]
        x = x + (K * (z - H @ x)).ravel()
        IKH = I2 - K @ H
        P = IKH @ P @ IKH.T + K @ R @ K.T
        xs.append(x)
        Ps.append(P)
    return np.array(xs), np.array(Ps)


def rts_smoother(zs, dt, q=0.1, r=0.5):
    # forward Kalman pass stored in arrays, backward Rauch-Tung-Striebel pass
    n = len(zs)
    F = np.array([[1, dt], [0, 1]])
    Q = q * np.array([[dt ** 3 / 3, dt ** 2 / 2], [dt ** 2 / 2, dt]])
    H = np.array([[1.0, 0.0]])
    xf = np.zeros((n, 2))
    Pf = np.zeros((n, 2, 2))
    xp = np.zeros((n, 2))
    Pp = np.zeros((n, 2, 2))
    x = np.array([zs[0], 0.0])
    P = np.eye(2)
    for k in range(n):
        x = F @ x
        P = F @ P @ F.T + Q
        xp[k], Pp[k] = x, P
        S = H @ P @ H.T + r
        K = (P @ H.T) / S
        x = x + K[:, 0] * (zs[k] - x[0])
        P = P - K @ H @ P
        xf[k], Pf[k] = x, P
    xs = xf.copy()
    Ps = Pf.copy()
    for k in range(n - 2, -1, -1):
        C = Pf[k] @ F.T @ np.linalg.inv(Pp[k + 1])
        xs[k] = xf[k] + C @ (xs[k + 1] - xp[k + 1])
        Ps[k] = Pf[k] + C @ (Ps[k + 1] - Pp[k + 1]) @ C.T
    return xs, Ps


def ekf_quaternion_accel(gyr, acc, dt, q0, sigma_g=0.01, sigma_a=0.5):
    # an EKF on the quaternion: Omega propagation, gravity measurement with its Jacobian
    q = q0.copy()
    P = np.eye(4) * 0.01
    R = np.eye(3) * sigma_a ** 2
    out = np.zeros((len(gyr), 4))
    for k in range(len(gyr)):
        wx, wy, wz = gyr[k]
        Omega = np.array([[0, -wx, -wy, -wz], [wx, 0, wz, -wy],
                          [wy, -wz, 0, wx], [wz, wy, -wx, 0]])
        F = np.eye(4) + 0.5 * dt * Omega
        q = F @ q
        W = 0.5 * dt * np.array([[-q[1], -q[2], -q[3]], [q[0], -q[3], q[2]],
                                 [q[3], q[0], -q[1]], [-q[2], q[1], q[0]]])
        P = F @ P @ F.T + sigma_g ** 2 * W @ W.T
        w, x, y, z = q
        h = GRAVITY * np.array([2 * (x * z - w * y), 2 * (w * x + y * z),
                                w * w - x * x - y * y + z * z])
        H = 2 * GRAVITY * np.array([[-y, z, -w, x], [x, w, z, y], [w, -x, -y, z]])
        S = H @ P @ H.T + R
        K = np.linalg.solve(S, H @ P).T
        q = q + K @ (acc[k] - h)
        P = (np.eye(4) - K @ H) @ P
        q = q / np.linalg.norm(q)
        out[k] = q
    return out, np.trace(P)


def gps_ins_loose(acc_enu, gps_pos, dt, gps_every=4, sigma_a=0.5, sigma_gps=3.0):
    F = np.eye(6)
    F[:3, 3:] = dt * np.eye(3)
    B = np.vstack([0.5 * dt ** 2 * np.eye(3), dt * np.eye(3)])
    Q = B @ B.T * sigma_a ** 2
    H = np.hstack([np.eye(3), np.zeros((3, 3))])
    R = np.eye(3) * sigma_gps ** 2
    x = np.zeros(6)
    P = np.eye(6) * 10.0
    track = np.zeros((len(acc_enu), 6))
    for k in range(len(acc_enu)):
        x = F @ x + B @ acc_enu[k]
        P = F @ P @ F.T + Q
        if k % gps_every == 0:
            z = gps_pos[k // gps_every]
            S = H @ P @ H.T + R
            K = P @ H.T @ np.linalg.inv(S)
            x = x + K @ (z - H @ x)
            P = (np.eye(6) - K @ H) @ P
        track[k] = x
    return track, np.sqrt(np.diag(P))


def gps_ins_valid_mask(acc_enu, gps_pos, gps_valid, dt, sigma_gps=2.0):
    # the GPS update applied or skipped by a per-epoch validity flag, with np.where
    F = np.block([[np.eye(2), dt * np.eye(2)], [np.zeros((2, 2)), np.eye(2)]])
    B = np.vstack([0.5 * dt ** 2 * np.eye(2), dt * np.eye(2)])
    H = np.eye(2, 4)
    x = np.zeros(4)
    P = np.eye(4)
    for k in range(len(acc_enu)):
        x = F @ x + B @ acc_enu[k]
        P = F @ P @ F.T + 0.1 * B @ B.T
        S = H @ P @ H.T + sigma_gps ** 2 * np.eye(2)
        K = P @ H.T @ np.linalg.inv(S)
        x_upd = x + K @ (gps_pos[k] - H @ x)
        P_upd = (np.eye(4) - K @ H) @ P
        x = np.where(gps_valid[k], x_upd, x)
        P = np.where(gps_valid[k], P_upd, P)
    return x, P


def error_state_quaternion_update(q, dtheta):
    # error-state KF: the small-angle correction applied as a quaternion, batched
    dq = np.concatenate([np.ones((len(dtheta), 1)), 0.5 * dtheta], axis=1)
    q_new = quat_mult_batch(q, dq)
    return q_new / np.linalg.norm(q_new, axis=-1, keepdims=True)


def kalman_cholesky_update(x, P, z, H, R):
    # the update by scipy.linalg.cho_factor / cho_solve, as careful navigation code writes it
    S = H @ P @ H.T + R
    c, low = scipy.linalg.cho_factor(S)
    K = scipy.linalg.cho_solve((c, low), H @ P).T
    x = x + K @ (z - H @ x)
    P = P - K @ S @ K.T
    return x, 0.5 * (P + P.T)


def _spd(seed, n):
    A = _f(n, n, seed=seed)
    return A @ A.T + n * np.eye(n)


KALMAN = {
    "tkj_arduino_class_lists": (kalman_roll_tkj, {}, lambda s, n: (
        _acc(s, 3 * n), 10 * _f(3 * n, seed=s))),
    "pitch_bias_matrix_inv": (kalman_pitch_matrix, {}, lambda s, n: (
        0.1 * _f(3 * n, seed=s), _f(3 * n, seed=s + 1), 0.01)),
    "joseph_form_lists": (kf_joseph_form, {}, lambda s, n: (
        np.cumsum(_f(3 * n, seed=s)), 0.1)),
    "rts_smoother_backward": (rts_smoother, {}, lambda s, n: (
        np.cumsum(_f(2 * n, seed=s)), 0.1)),
    "ekf_quaternion_gravity": (ekf_quaternion_accel, {}, lambda s, n: (
        _gyr(s, 2 * n), _acc(s, 2 * n), 0.01, _quat(s))),
    "gps_ins_every_kth_epoch": (gps_ins_loose, {"gps_every": 3}, lambda s, n: (
        _f(3 * n, 3, seed=s), np.cumsum(_f(n, 3, seed=s + 1), axis=0), 0.1)),
    "gps_ins_valid_where": (gps_ins_valid_mask, {}, lambda s, n: (
        _f(3 * n, 2, seed=s), _f(3 * n, 2, seed=s + 1), _u(s, 3 * n) < 0.5, 0.1)),
    "error_state_injection": (error_state_quaternion_update, {}, lambda s, n: (
        _quats(s, n), 0.05 * _f(n, 3, seed=s))),
    "cholesky_update_scipy": (kalman_cholesky_update, {}, lambda s, n: (
        _f(n, seed=s), _spd(s, n), _f(2, seed=s + 1), _f(2, n, seed=s + 2), _spd(s + 3, 2))),
}


@pytest.mark.parametrize("name", _names(KALMAN))
def test_kalman_filters_match_numpy(name):
    """A ported Arduino Kalman class, matrix Kalman filters with inv, Joseph form, RTS
    smoothing, a quaternion EKF, loosely coupled GPS/INS with periodic and masked updates and
    Cholesky updates: NumPy's values."""
    check_like_numpy(*KALMAN[name])


# ============================================================================ geodesy


def haversine(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, [lat1, lon1, lat2, lon2])
    dlat = lat2 - lat1
    dlon = lon2 - lon1
    a = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def track_length_speed(lat, lon, t):
    d = haversine(lat[:-1], lon[:-1], lat[1:], lon[1:])
    speed = d / np.diff(t)
    return d.sum(), np.concatenate(([0.0], np.cumsum(d))), speed


def initial_bearing(lat1, lon1, lat2, lon2):
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    x = np.sin(dl) * np.cos(phi2)
    y = np.cos(phi1) * np.sin(phi2) - np.sin(phi1) * np.cos(phi2) * np.cos(dl)
    return (np.degrees(np.arctan2(x, y)) + 360) % 360


def geodetic_to_ecef(lat, lon, h):
    lat, lon = np.deg2rad(lat), np.deg2rad(lon)
    N = WGS84_A / np.sqrt(1 - WGS84_E2 * np.sin(lat) ** 2)
    x = (N + h) * np.cos(lat) * np.cos(lon)
    y = (N + h) * np.cos(lat) * np.sin(lon)
    z = (N * (1 - WGS84_E2) + h) * np.sin(lat)
    return np.stack([x, y, z], axis=-1)


def ecef_to_enu(xyz, lat0, lon0, h0):
    ref = geodetic_to_ecef(lat0, lon0, h0)
    lat0, lon0 = np.radians(lat0), np.radians(lon0)
    R = np.array([[-np.sin(lon0), np.cos(lon0), 0],
                  [-np.sin(lat0) * np.cos(lon0), -np.sin(lat0) * np.sin(lon0), np.cos(lat0)],
                  [np.cos(lat0) * np.cos(lon0), np.cos(lat0) * np.sin(lon0), np.sin(lat0)]])
    return (xyz - ref) @ R.T


def lla_to_enu(lat, lon, h):
    # ENU relative to the first fix of the track
    return ecef_to_enu(geodetic_to_ecef(lat, lon, h), lat[0], lon[0], h[0])


def flat_earth_ned(lat, lon, alt):
    # the local-tangent-plane approximation with meridian and prime-vertical radii
    lat0 = np.radians(lat[0])
    s2 = np.sin(lat0) ** 2
    RN = WGS84_A / np.sqrt(1 - WGS84_E2 * s2)
    RM = RN * (1 - WGS84_E2) / (1 - WGS84_E2 * s2)
    dN = np.radians(lat - lat[0]) * (RM + alt[0])
    dE = np.radians(lon - lon[0]) * (RN + alt[0]) * np.cos(lat0)
    dD = -(alt - alt[0])
    return np.c_[dN, dE, dD]


def ecef_to_geodetic_bowring(xyz, iters=3):
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    lon = np.arctan2(y, x)
    p = np.hypot(x, y)
    lat = np.arctan2(z, p * (1 - WGS84_E2))
    for _ in range(iters):
        N = WGS84_A / np.sqrt(1 - WGS84_E2 * np.sin(lat) ** 2)
        h = p / np.cos(lat) - N
        lat = np.arctan2(z, p * (1 - WGS84_E2 * N / (N + h)))
    N = WGS84_A / np.sqrt(1 - WGS84_E2 * np.sin(lat) ** 2)
    h = p / np.cos(lat) - N
    return np.degrees(lat), np.degrees(lon), h


def enu_to_lla_roundtrip(lat, lon, h):
    xyz = geodetic_to_ecef(lat, lon, h)
    la, lo, hh = ecef_to_geodetic_bowring(xyz)
    return la, lo, hh, np.abs(la - lat).max() < 1e-6


def destination_point(lat, lon, bearing_deg, dist):
    phi1, lam1 = np.radians(lat), np.radians(lon)
    theta = np.radians(bearing_deg)
    delta = dist / EARTH_RADIUS
    phi2 = np.arcsin(np.sin(phi1) * np.cos(delta) + np.cos(phi1) * np.sin(delta) * np.cos(theta))
    lam2 = lam1 + np.arctan2(np.sin(theta) * np.sin(delta) * np.cos(phi1),
                             np.cos(delta) - np.sin(phi1) * np.sin(phi2))
    return np.degrees(phi2), (np.degrees(lam2) + 540) % 360 - 180


def pairwise_haversine_matrix(lat, lon):
    lat, lon = np.radians(lat)[:, None], np.radians(lon)[:, None]
    dlat = lat.T - lat
    dlon = lon.T - lon
    a = np.sin(dlat / 2) ** 2 + np.cos(lat) * np.cos(lat.T) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS * np.arctan2(np.sqrt(a), np.sqrt(1 - a))


def gravity_normal_somigliana(lat_deg, h):
    # WGS84 normal gravity with a free-air correction, for the navigation-frame g
    s2 = np.sin(np.radians(lat_deg)) ** 2
    g0 = 9.7803253359 * (1 + 0.00193185265241 * s2) / np.sqrt(1 - WGS84_E2 * s2)
    return g0 - 3.086e-6 * h


def ned_velocity_from_gps(lat, lon, alt, t):
    ned = flat_earth_ned(lat, lon, alt)
    v = np.gradient(ned, t, axis=0)
    course = np.degrees(np.arctan2(v[:, 1], v[:, 0])) % 360
    return v, np.linalg.norm(v[:, :2], axis=1), course


def _lla(s, n):
    lat, lon = _lat_lon(s, n)
    return lat, lon, 400 + 5 * _f(n, seed=s)


GEODESY = {
    "haversine_map_radians": (haversine, {}, lambda s, n: (
        *_lat_lon(s, n), *_lat_lon(s + 1, n))),
    "track_length_speed": (track_length_speed, {}, lambda s, n: (
        *_lat_lon(s, 3 * n), _times(s, 3 * n, fs=1.0))),
    "initial_bearing_mod": (initial_bearing, {}, lambda s, n: (
        *_lat_lon(s, n), *_lat_lon(s + 1, n))),
    "geodetic_to_ecef_stack": (geodetic_to_ecef, {}, lambda s, n: _lla(s, n)),
    "lla_to_enu_first_fix": (lla_to_enu, {}, lambda s, n: _lla(s, 2 * n)),
    "flat_earth_ned_c_": (flat_earth_ned, {}, lambda s, n: _lla(s, 2 * n)),
    "ecef_geodetic_roundtrip": (enu_to_lla_roundtrip, {}, lambda s, n: _lla(s, n)),
    "destination_point_wrap": (destination_point, {}, lambda s, n: (
        *_lat_lon(s, n), 360 * _u(s, n), 1000 * _u(s + 1, n))),
    "pairwise_haversine_arctan2": (pairwise_haversine_matrix, {}, lambda s, n: _lat_lon(s, n)),
    "somigliana_gravity": (gravity_normal_somigliana, {}, lambda s, n: (
        90 * _u(s, n), 1000 * _u(s + 1, n))),
    "ned_velocity_gradient_course": (ned_velocity_from_gps, {}, lambda s, n: (
        *_lla(s, 3 * n), _times(s, 3 * n, fs=1.0))),
}


@pytest.mark.parametrize("name", _names(GEODESY))
def test_geodesy_matches_numpy(name):
    """Haversine distances and bearings, WGS84 ECEF/ENU/NED conversions, Bowring's
    iteration, destination points and normal gravity: NumPy's values."""
    check_like_numpy(*GEODESY[name])


# ============================================================================ raw data and dtypes


def mpu6050_bytes_to_si(buf):
    # 14-byte bursts (accel xyz, temperature, gyro xyz), big-endian pairs combined by shifts
    words = (buf[:, 0::2].astype(np.int16) << 8) | buf[:, 1::2]
    acc = words[:, 0:3] / ACC_LSB_PER_G * GRAVITY
    temp = words[:, 3] / 340.0 + 36.53
    gyr = np.radians(words[:, 4:7] / GYRO_LSB_PER_DPS)
    return acc, temp, gyr


def twos_complement_where(hi, lo):
    # the Raspberry Pi tutorials' read_word_2c, vectorised with np.where
    val = (hi.astype(np.int32) << 8) + lo
    return np.where(val >= 0x8000, -((65535 - val) + 1), val)


def big_endian_view(buf):
    # the same bytes reinterpreted as big-endian int16 words
    return buf.view(">i2").astype(np.float32) / np.float32(ACC_LSB_PER_G)


def raw_counts_float32(raw):
    # counts to float32 m/s^2 and rad/s, as embedded-minded code keeps float32 throughout
    acc = raw[:, :3].astype(np.float32) * np.float32(GRAVITY / ACC_LSB_PER_G)
    gyr = raw[:, 3:].astype(np.float32) * (np.pi / 180 / GYRO_LSB_PER_DPS)
    return acc, gyr, np.linalg.norm(acc, axis=1)


def uint32_micros_dt(t_us):
    # micros() timestamps from a microcontroller wrap at 2**32; uint32 differences wrap too
    dt = np.diff(t_us).astype(np.float64) * 1e-6
    return dt, np.concatenate(([0.0], np.cumsum(dt)))


def complementary_float32(acc, gyr, dt, alpha=0.98):
    roll = np.zeros(len(acc), dtype=np.float32)
    for i in range(1, len(acc)):
        acc_roll = np.arctan2(acc[i, 1], acc[i, 2])
        roll[i] = alpha * (roll[i - 1] + gyr[i, 0] * dt) + (1 - alpha) * acc_roll
    return roll


def quat_integrate_float32(q, gyr, dt):
    for k in range(len(gyr)):
        qdot = 0.5 * q_mult(q, np.array([0.0, *gyr[k]], dtype=np.float32))
        q = q + qdot * np.float32(dt)
        q = q / np.linalg.norm(q)
    return q


def madgwick_float32_loop(gyr, acc, beta=0.1, dt=0.01):
    q = np.array([1, 0, 0, 0], dtype=np.float32)
    for k in range(len(gyr)):
        q = madgwick_update_imu(q, gyr[k], acc[k], beta, dt)
    return q


def linear_acc_float32(acc, Q):
    R = quat2dcm_batch(Q.astype(np.float64)).astype(np.float32)
    return np.einsum("nij,nj->ni", R, acc) - np.float32(GRAVITY) * np.array([0, 0, 1],
                                                                            dtype=np.float32)


def dead_reckon_float32(acc, dt):
    vel = np.cumsum(acc * dt, axis=0)
    return vel, np.cumsum(vel * dt, axis=0)


def haversine_float32(lat, lon):
    # coordinates kept as float32 by a logger: distances lose precision, as NumPy's do
    lat, lon = np.radians(lat), np.radians(lon)
    a = np.sin(np.diff(lat) / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(
        np.diff(lon) / 2) ** 2
    return 2 * np.float32(EARTH_RADIUS) * np.arcsin(np.sqrt(a))


def int16_overflow_sum(raw):
    # summing int16 counts: the sum promotes, products wrap as in the sensor's own registers
    return raw.sum(axis=0), raw * 3, np.mean(raw, axis=0), (raw >> 4).astype(np.int8)


def quantize_to_int16(acc):
    counts = np.clip(np.round(acc / GRAVITY * ACC_LSB_PER_G), -32768, 32767).astype(np.int16)
    return counts, counts.astype(np.float64) * GRAVITY / ACC_LSB_PER_G - acc


def datetime64_log(t, acc):
    # a phone log with datetime64 timestamps: seconds since start, sample rate, integral
    secs = (t - t[0]) / np.timedelta64(1, "s")
    fs = 1.0 / np.median(np.diff(secs))
    return secs, fs, np.trapezoid(acc, secs, axis=0)


def structured_log_magnitude(log):
    # a record array as np.genfromtxt(names=True) gives it
    acc = np.column_stack([log["ax"], log["ay"], log["az"]])
    return log["t"] - log["t"][0], np.linalg.norm(acc, axis=1)


def _mpu_buf(s, n):
    return np.random.default_rng(s).integers(0, 256, (n, 14), dtype=np.uint8)


def _raw(s, n):
    acc = (_acc(s, n) / GRAVITY * ACC_LSB_PER_G).astype(np.int16)
    gyr = (_gyr(s, n) * 180 / np.pi * GYRO_LSB_PER_DPS).astype(np.int16)
    return np.hstack([acc, gyr])


def _micros(s, n):
    start = 2 ** 32 - 5000 * (n // 2) - 1234 * s
    return ((start + np.cumsum(np.full(n, 5000) + s)) % 2 ** 32).astype(np.uint32)


def _dt64(s, n):
    ms = np.cumsum(np.random.default_rng(s).integers(8, 12, n))
    return np.datetime64("2024-05-01T10:00:00") + ms.astype("timedelta64[ms]")


def _structured(s, n):
    log = np.zeros(n, dtype=[("t", "f8"), ("ax", "f4"), ("ay", "f4"), ("az", "f4")])
    log["t"] = _times(s, n)
    acc = _acc(s, n)
    log["ax"], log["ay"], log["az"] = acc[:, 0], acc[:, 1], acc[:, 2]
    return log


RAW_DATA = {
    "mpu6050_shift_or_bytes": (mpu6050_bytes_to_si, {}, lambda s, n: (_mpu_buf(s, n),)),
    "read_word_2c_where": (twos_complement_where, {}, lambda s, n: (
        _mpu_buf(s, n)[:, 0], _mpu_buf(s, n)[:, 1])),
    "big_endian_view_i2": _Xfail(
        "x.view('>i2') of a traced uint8 byte buffer raises UnsupportedFunctionError "
        "(reinterpretation as another item size); NumPy gives the big-endian int16 words",
        big_endian_view, {}, lambda s, n: (_mpu_buf(s, n),)),
    "raw_counts_float32": (raw_counts_float32, {}, lambda s, n: (_raw(s, n),)),
    "uint32_micros_wrap": (uint32_micros_dt, {}, lambda s, n: (_micros(s, 3 * n),)),
    "complementary_float32": (complementary_float32, {}, lambda s, n: (
        _acc(s, 3 * n).astype(np.float32), _gyr(s, 3 * n).astype(np.float32), 0.01)),
    "quat_integrate_float32": (quat_integrate_float32, {}, lambda s, n: (
        _quat(s).astype(np.float32), _gyr(s, 2 * n).astype(np.float32), 0.01)),
    "madgwick_float32": (madgwick_float32_loop, {}, lambda s, n: (
        _gyr(s, 2 * n).astype(np.float32), _acc(s, 2 * n).astype(np.float32))),
    "linear_acc_float32": (linear_acc_float32, {}, lambda s, n: (
        _acc(s, n).astype(np.float32), _quats(s, n).astype(np.float32))),
    "dead_reckon_float32": (dead_reckon_float32, {}, lambda s, n: (
        _f(3 * n, 3, seed=s).astype(np.float32), 0.01)),
    "haversine_float32": (haversine_float32, {}, lambda s, n: tuple(
        v.astype(np.float32) for v in _lat_lon(s, 3 * n))),
    "int16_sum_wrap_shift": (int16_overflow_sum, {}, lambda s, n: (_raw(s, n),)),
    "quantize_round_clip_int16": (quantize_to_int16, {}, lambda s, n: (_acc(s, n) * 3,)),
    "datetime64_timestamps": (datetime64_log, {}, lambda s, n: (_dt64(s, 3 * n),
                                                                 _acc(s, 3 * n))),
    "structured_record_log": (structured_log_magnitude, {}, lambda s, n: (
        _structured(s, 2 * n),)),
}


@pytest.mark.parametrize("name", _names(RAW_DATA))
def test_raw_sensor_data_and_dtypes_match_numpy(name):
    """Register bytes combined by shifts and two's complement, raw int16 counts, uint32
    microsecond clocks, float32 filters, datetime64 and record-array logs: NumPy's values
    and dtypes."""
    check_like_numpy(*RAW_DATA[name])


# ============================================================================ navigation extras


def van_loan_discretize(Fc, Qc, dt):
    # Van Loan's method for the discrete process noise of a continuous INS error model
    n = Fc.shape[0]
    M = np.zeros((2 * n, 2 * n))
    M[:n, :n] = -Fc
    M[:n, n:] = Qc
    M[n:, n:] = Fc.T
    E = scipy.linalg.expm(M * dt)
    Phi = E[n:, n:].T
    Qd = Phi @ E[:n, n:]
    return Phi, 0.5 * (Qd + Qd.T)


def bias_error_model_c2d(tau, sigma, dt):
    # a first-order Gauss-Markov gyro bias, discretised by scipy.signal.cont2discrete
    Fc = np.array([[0.0, 1.0], [0.0, -1.0 / tau]])
    Gc = np.array([[0.0], [np.sqrt(2 * sigma ** 2 / tau)]])
    Ad, Bd, *_ = scipy.signal.cont2discrete((Fc, Gc, np.eye(2), np.zeros((2, 1))), dt)
    return Ad, Bd


def steady_state_gain_dare(F, H, Q, R):
    P = scipy.linalg.solve_discrete_are(F.T, H.T, Q, R)
    K = P @ H.T @ np.linalg.inv(H @ P @ H.T + R)
    return P, K


def imu_to_body_procrustes(acc_imu, acc_body):
    # the mounting rotation from matched static gravity vectors (Wahba by SVD)
    R, _ = scipy.linalg.orthogonal_procrustes(acc_imu, acc_body)
    return R.T, np.linalg.det(R)


def wahba_svd(b, r, w):
    B = np.einsum("i,ij,ik->jk", w, b, r)
    U, _, Vt = np.linalg.svd(B)
    d = np.linalg.det(U) * np.linalg.det(Vt)
    return U @ np.diag([1.0, 1.0, d]) @ Vt


def align_vectors_scipy(body_vecs, ref_vecs):
    rot, rssd = Rotation.align_vectors(ref_vecs, body_vecs)
    q = rot.as_quat()
    return q * np.sign(q[3]), rssd


def dcm_polar_orthonormalize(R):
    # the drifted DCM projected back onto SO(3) by a polar decomposition
    U, P = scipy.linalg.polar(R)
    return U, P


def rotation_mean_scipy(Q):
    q = Rotation.from_quat(Q, scalar_first=True).mean().as_quat(scalar_first=True)
    return q * np.sign(q[0])


def slerp_scipy_resample(t_key, Q, t_new):
    from scipy.spatial.transform import Slerp
    slerp = Slerp(t_key, Rotation.from_quat(Q))
    out = slerp(t_new).as_quat()
    return out * np.sign(out[:, 3:])


def heading_circular_stats(heading_rad):
    import scipy.stats
    return (scipy.stats.circmean(heading_rad, high=np.pi, low=-np.pi),
            scipy.stats.circstd(heading_rad, high=np.pi, low=-np.pi))


def heading_circmean_numpy(heading_deg):
    h = np.radians(heading_deg)
    mean = np.degrees(np.arctan2(np.mean(np.sin(h)), np.mean(np.cos(h)))) % 360
    R = np.hypot(np.mean(np.sin(h)), np.mean(np.cos(h)))
    return mean, np.degrees(np.sqrt(-2 * np.log(R)))


def gaussian_smooth_ndimage(acc, sigma=1.5):
    import scipy.ndimage
    return scipy.ndimage.gaussian_filter1d(acc, sigma, axis=0, mode="nearest")


def decimate_anti_alias(acc, q=2):
    return scipy.signal.decimate(acc, q, axis=0, zero_phase=True)


def magnitude_envelope_hilbert(mag):
    return np.abs(scipy.signal.hilbert(mag - mag.mean()))


def cross_correlation_time_offset(a, b, fs=100.0):
    # the lag between two sensors' magnitudes, from scipy.signal.correlate and its lags
    c = scipy.signal.correlate(a - a.mean(), b - b.mean(), mode="full")
    lags = scipy.signal.correlation_lags(len(a), len(b), mode="full")
    return lags[np.argmax(c)] / fs, c


def gyro_bias_random_walk_fit(taus, adev):
    # noise parameters from an Allan deviation curve by lstsq on log-log samples
    A = np.column_stack([np.ones_like(taus), np.log10(taus)])
    coef, *_ = np.linalg.lstsq(A, np.log10(adev), rcond=None)
    N = 10 ** (coef[0] + coef[1] * 0.0)
    return coef, N


def _gm_F(s):
    return np.array([[0.0, 1.0, 0.0], [0.0, -0.1 * s, 1.0], [0.0, 0.0, -0.05]])


def _rot(s):
    return Rotation.from_quat(_quat(s)).as_matrix()


NAV_EXTRAS = {
    "van_loan_expm_block": (van_loan_discretize, {}, lambda s, n: (
        _gm_F(s), np.diag([0.0, 0.01, 0.001 * s]), 0.01 * n)),
    "gauss_markov_cont2discrete": (bias_error_model_c2d, {}, lambda s, n: (
        100.0 * s, 0.01, 0.01 * n)),
    "steady_state_gain_dare": (steady_state_gain_dare, {}, lambda s, n: (
        np.array([[1.0, 0.01 * n], [0.0, 1.0]]), np.array([[1.0, 0.0]]),
        np.diag([1e-4, 1e-3 * s]), np.array([[0.05]]))),
    "mounting_procrustes": (imu_to_body_procrustes, {}, lambda s, n: (
        _unit_dirs(s, 2 * n) @ _rot(s), _unit_dirs(s, 2 * n) + 0.01 * _f(2 * n, 3, seed=s))),
    "wahba_svd_det": (wahba_svd, {}, lambda s, n: (
        _unit_dirs(s, n + 2) @ _rot(s) + 0.01 * _f(n + 2, 3, seed=s), _unit_dirs(s, n + 2),
        0.5 + _u(s, n + 2))),
    "scipy_align_vectors": _Xfail(
        "Rotation.align_vectors(a, b)[1] (the rssd) comes back from jit as a 0-d ndarray; "
        "SciPy returns a np.float64 scalar (values agree)",
        align_vectors_scipy, {}, lambda s, n: (
            _unit_dirs(s, n + 2) @ _rot(s) + 0.01 * _f(n + 2, 3, seed=s), _unit_dirs(s, n + 2))),
    "dcm_polar_orthonormalize": (dcm_polar_orthonormalize, {}, lambda s, n: (_rot(s) + 0.01 * _f(3, 3, seed=s),)),
    "scipy_rotation_mean": (rotation_mean_scipy, {}, lambda s, n: (
        _quats(s, 1) + 0.1 * _f(2 * n, 4, seed=s),)),
    "scipy_slerp_resample": (slerp_scipy_resample, {}, lambda s, n: (
        np.arange(float(n)), _quats(s, n), np.linspace(0.2, n - 1.3, 2 * n))),
    "scipy_circmean_circstd": (heading_circular_stats, {}, lambda s, n: (
        0.5 * _f(3 * n, seed=s) + 3.0,)),
    "heading_circmean_numpy": (heading_circmean_numpy, {}, lambda s, n: (
        (20 * _f(3 * n, seed=s) + 350) % 360,)),
    "gaussian_filter1d_nearest": (gaussian_smooth_ndimage, {}, lambda s, n: (
        _acc(s, 3 * n),)),
    "decimate_zero_phase": (decimate_anti_alias, {}, lambda s, n: (_acc(s, 12 * n),)),
    "hilbert_envelope": (magnitude_envelope_hilbert, {}, lambda s, n: (_step_mag(s, 2 * n),)),
    "correlation_lags_offset": (cross_correlation_time_offset, {}, lambda s, n: (
        _step_mag(s, 2 * n), np.roll(_step_mag(s, 2 * n), 2) + 0.01 * _f(12 * n, seed=s))),
    "allan_noise_lstsq": (gyro_bias_random_walk_fit, {}, lambda s, n: (
        np.logspace(-2, 1, 3 * n), 0.01 * np.logspace(-2, 1, 3 * n) ** -0.5 * (
            1 + 0.05 * _u(s, 3 * n)))),
}


@pytest.mark.parametrize("name", _names(NAV_EXTRAS))
def test_navigation_extras_match_numpy(name):
    """Van Loan and cont2discrete discretisation, a steady-state gain by the DARE, Wahba by
    Procrustes, SVD and scipy's align_vectors, rotation means and Slerp, circular statistics,
    ndimage and signal smoothing, correlation lags: NumPy's values."""
    check_like_numpy(*NAV_EXTRAS[name])


# --------------------------------------------------------------------------- refused forms


def madgwick_ahrs_guarded(q, gyr, acc, gain=0.033, dt=0.01):
    # the `ahrs` package's guards: no update without rotation, no correction without gravity
    if gyr is None or not np.linalg.norm(gyr) > 0:
        return q
    qDot = 0.5 * q_prod_zeros(q, [0, *gyr])
    a_norm = np.linalg.norm(acc)
    if a_norm > 0:
        a = acc / a_norm
        qw, qx, qy, qz = q / np.linalg.norm(q)
        f = np.array([2.0 * (qx * qz - qw * qy) - a[0],
                      2.0 * (qw * qx + qy * qz) - a[1],
                      2.0 * (0.5 - qx ** 2 - qy ** 2) - a[2]])
        J = np.array([[-2.0 * qy, 2.0 * qz, -2.0 * qw, 2.0 * qx],
                      [2.0 * qx, 2.0 * qw, 2.0 * qz, 2.0 * qy],
                      [0.0, -4.0 * qx, -4.0 * qy, 0.0]])
        gradient = J.T @ f
        qDot -= gain * gradient / np.linalg.norm(gradient)
    q = q + qDot * dt
    return q / np.linalg.norm(q)


def gait_zupt_python_if(acc, stationary, sample_period=0.01):
    # x-io's Gait-Tracking: velocity integrated, then zeroed where stationary by a Python if
    vel = np.zeros(np.shape(acc))
    for t in range(1, len(vel)):
        vel[t, :] = vel[t - 1, :] + acc[t, :] * sample_period
        if stationary[t]:
            vel[t, :] = np.zeros(3)
    return vel


def stationary_segment_starts(stationary):
    # ... and its drift removal: where each non-stationary period starts and ends
    starts = np.where(np.diff(stationary.astype(int)) == -1)[0] + 1
    ends = np.where(np.diff(stationary.astype(int)) == 1)[0] + 1
    return starts, ends


def euler_wikipedia_copysign(q):
    w, x, y, z = q
    sinp = 2 * (w * y - z * x)
    if abs(sinp) >= 1:
        pitch = math.copysign(np.pi / 2, sinp)
    else:
        pitch = math.asin(sinp)
    return pitch


def step_count_python_if(mag, thr=10.3, min_gap=3):
    steps = []
    last = -min_gap
    for i in range(1, len(mag) - 1):
        if mag[i] > thr and mag[i] > mag[i - 1] and mag[i] > mag[i + 1] and i - last >= min_gap:
            steps.append(i)
            last = i
    return np.array(steps)


def step_count_find_peaks(mag, fs=50.0):
    peaks, _ = scipy.signal.find_peaks(mag, height=10.3, distance=int(0.3 * fs))
    return len(peaks), np.diff(peaks) / fs


def steps_len_where(mag, thr=10.3):
    is_peak = (mag[1:-1] > mag[:-2]) & (mag[1:-1] > mag[2:]) & (mag[1:-1] > thr)
    return len(np.where(is_peak)[0])


def resample_arange_from_data(t, acc, fs=100.0):
    # a uniform clock spanning the record: its length comes from the timestamps
    t_new = np.arange(t[0], t[-1], 1.0 / fs)
    return t_new, np.interp(t_new, t, acc)


def magnetometer_outlier_rejection(mag, k=2.0):
    norms = np.linalg.norm(mag, axis=1)
    keep = np.abs(norms - np.median(norms)) < k * np.std(norms)
    return mag[keep]


def vincenty_until_converged(lat1, lon1, lat2, lon2, tol=1e-12):
    U1 = math.atan((1 - WGS84_F) * math.tan(math.radians(lat1)))
    U2 = math.atan((1 - WGS84_F) * math.tan(math.radians(lat2)))
    L = math.radians(lon2 - lon1)
    lam = L
    while True:
        sin_sigma = math.sqrt((math.cos(U2) * math.sin(lam)) ** 2 + (
            math.cos(U1) * math.sin(U2) - math.sin(U1) * math.cos(U2) * math.cos(lam)) ** 2)
        cos_sigma = math.sin(U1) * math.sin(U2) + math.cos(U1) * math.cos(U2) * math.cos(lam)
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = math.cos(U1) * math.cos(U2) * math.sin(lam) / sin_sigma
        cos2_alpha = 1 - sin_alpha ** 2
        cos_2sm = cos_sigma - 2 * math.sin(U1) * math.sin(U2) / cos2_alpha
        C = WGS84_F / 16 * cos2_alpha * (4 + WGS84_F * (4 - 3 * cos2_alpha))
        lam_prev = lam
        lam = L + (1 - C) * WGS84_F * sin_alpha * (sigma + C * sin_sigma * (
            cos_2sm + C * cos_sigma * (-1 + 2 * cos_2sm ** 2)))
        if abs(lam - lam_prev) < tol:
            break
    return sigma


def vincenty_track_ends(lat, lon):
    return vincenty_until_converged(lat[0], lon[0], lat[-1], lon[-1])


def fill_gps_gaps(t, lat):
    # NaN gaps in a GPS column filled by interpolating over the valid fixes
    nans = np.isnan(lat)
    lat = lat.copy()
    lat[nans] = np.interp(t[nans], t[~nans], lat[~nans])
    return lat


def align_vectors_weighted(body_vecs, ref_vecs, weights):
    # scipy checks the weights for infinities with int() of a count
    rot, rssd = Rotation.align_vectors(ref_vecs, body_vecs, weights=weights)
    return rot.as_quat(), rssd


def _stat_mask(s):
    return ((np.arange(12) + s) // 3) % 2 == 0


def _gps_with_gaps(s, n):
    lat = _lat_lon(s, 3 * n)[0]
    lat[[2, 5 + s % 3]] = np.nan
    return _times(s, 3 * n, fs=1.0), lat


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "ahrs_zero_rate_guard": (_Concretization, madgwick_ahrs_guarded, lambda s: (
        _quat(s), _gyr(s, 1)[0], _acc(s, 1)[0])),
    "gait_zupt_python_if": (_Concretization, gait_zupt_python_if, lambda s: (
        _f(12, 3, seed=s), _stat_mask(s))),
    "stationary_segment_np_where": (_DataDependent, stationary_segment_starts, lambda s: (
        _stat_mask(s),)),
    "euler_abs_sinp_branch": (_Concretization, euler_wikipedia_copysign, lambda s: (
        _quat(s),)),
    "steps_python_if_append": (_Concretization, step_count_python_if, lambda s: (
        _step_mag(s, 3),)),
    "steps_scipy_find_peaks": (_DataDependent, step_count_find_peaks, lambda s: (
        _step_mag(s, 4),)),
    "steps_len_np_where": (_DataDependent, steps_len_where, lambda s: (_step_mag(s, 3),)),
    "resample_arange_from_timestamps": (_DataDependent, resample_arange_from_data, lambda s: (
        _times(s, 10), _f(10, seed=s))),
    "magnetometer_outlier_mask": (_DataDependent, magnetometer_outlier_rejection, lambda s: (
        _ellipsoid(s, 12),)),
    "vincenty_while_true": (_Concretization, vincenty_track_ends, lambda s: _lat_lon(s, 6)),
    "scipy_align_vectors_weights": (_Concretization, align_vectors_weighted, lambda s: (
        _unit_dirs(s, 5) @ _rot(s) + 0.01 * _f(5, 3, seed=s), _unit_dirs(s, 5),
        0.5 + _u(s, 5))),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Guards on the gyro and accelerometer norms, ZUPT by a Python `if`, stationary segment
    boundaries and step indices by `np.where`/`find_peaks`, Euler's `if abs(sinp) >= 1`,
    clocks by `np.arange` of timestamps, outlier masks, Vincenty's `while True`, NaN gap
    filling and scipy's weight checks: the named error, NumPy's values under
    `fallback=True`."""
    check_refused(*REFUSED[name])


# ------------------------------------------------------------ masked writes and program structure


def log_norms_into_list(history, acc):
    # a logger appending each sample's magnitude to the caller's list
    for row in acc:
        history.append(np.linalg.norm(row))
    return len(history)


def _windows(x, w):
    for i in range(0, len(x) - w + 1, w):
        yield x[i:i + w]


def window_std_generator(mag, w=4):
    return np.array([np.std(win) for win in _windows(mag, w)])


def heading_histogram_add_at(heading_deg, step_mask, n_bins=8):
    # steps counted per heading sector with np.add.at, sectors by integer division
    sector = (heading_deg // (360 // n_bins)).astype(np.intp) % n_bins
    counts = np.zeros(n_bins)
    np.add.at(counts, sector, step_mask.astype(float))
    return counts


def axis_remap_fancy(acc, gyr):
    # a sensor mounted with x and y swapped and z flipped, remapped by fancy writes
    acc = acc.copy()
    gyr = gyr.copy()
    acc[:, [0, 1]] = acc[:, [1, 0]]
    gyr[:, [0, 1]] = gyr[:, [1, 0]]
    acc[:, 2] *= -1
    gyr[:, 2] *= -1
    return acc, gyr


def running_bias_nonlocal(gyr):
    total = np.zeros(3)
    count = 0

    def accumulate(sample):
        nonlocal total, count
        total = total + sample
        count += 1

    for sample in gyr:
        accumulate(sample)
    return total / count


MASKED = {
    "gps_gap_fill_nan_mask": (fill_gps_gaps, {}, lambda s, n: _gps_with_gaps(s, n)),
    "history_list_append": (log_norms_into_list, {}, lambda s, n: (
        [1.0], _acc(s, 2 * n))),
    "window_std_generator": (window_std_generator, {}, lambda s, n: (_step_mag(s, n),)),
    "heading_sectors_add_at": (heading_histogram_add_at, {}, lambda s, n: (
        360 * _u(s, 4 * n), _u(s + 1, 4 * n) < 0.5)),
    "axis_remap_fancy_writes": (axis_remap_fancy, {}, lambda s, n: (_acc(s, n), _gyr(s, n))),
    "running_bias_nonlocal": (running_bias_nonlocal, {}, lambda s, n: (_gyr(s, 2 * n),)),
}


@pytest.mark.parametrize("name", _names(MASKED))
def test_masked_writes_and_structure_match_numpy(name):
    """NaN gaps filled through `x[mask] = np.interp(t[mask], t[~mask], x[~mask])` (selections
    of data-dependent size whose write keeps the shape), a caller's list appended to, window
    generators, `np.add.at` sectors, axis remaps by fancy writes and `nonlocal` accumulators:
    NumPy's values."""
    check_like_numpy(*MASKED[name])
