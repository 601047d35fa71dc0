"""Corpus, hunt AR: aerospace, vehicles and transport as orbital-mechanics course notebooks,
Curtis' and Vallado's companion code, poliastro-style helpers, flight-mechanics homework,
PythonRobotics-style vehicle models and traffic-flow teaching code write them.

Orbital mechanics (Kepler's equation by Newton and Halley with a fixed iteration count,
vectorised over anomalies and over a grid of eccentricities, hyperbolic Kepler, orbital
elements from state vectors with `np.cross`, `np.linalg.norm`, `np.arccos` and quadrant fixes
by `np.where`, one state and batches by `axis=1` and `einsum`, state vectors from elements
through `np.array` rotation matrices of traced angles and by batched `np.stack`, two-body and
J2 propagation by RK4 into preallocated rows, a satellite batch by keepdims norms, secular J2
rates, Hohmann and bi-elliptic transfers into dicts, plane changes, patched-conic departures,
ground tracks with `np.arctan2` and `np.mod` wrapping, ECI/ECEF rotations, geodetic/ECEF/ENU
conversions with a fixed-count Bowring iteration, look angles, Lambert by universal variables
with a fixed bisection count and Stumpff functions by `np.where`, universal Kepler with f and g
functions, Clohessy-Wiltshire matrices, eclipse masks, drag decay, Julian dates by integer
division and GMST), flight mechanics (the ISA atmosphere by `np.where`, `np.piecewise`,
`np.select`, a layer table by `searchsorted` and a loop of mask writes, airspeed conversions,
Sutherland viscosity, drag polars with the best L/D by argmax, power-required curves for
several weights, lift curves with stall, rocket equation staging by reversed cumsums and a
loop, gravity-turn ascent, quaternion kinematics with an `np.array` of traced rates and
renormalisation, batched quaternion algebra and DCMs, trim by Newton with finite-difference
Jacobians, longitudinal modes by `eigvals`, principal axes of inertia by `eig`, turns, wind
triangles, great circles), vehicles (kinematic and dynamic bicycle models by loops over rows, a
state object, half-car modes by `eigvals`, Pacejka's magic formula with load-dependent
coefficients and a friction ellipse, dead reckoning by cumsum and by a list loop, wheel
odometry from integer ticks, path curvature by `np.gradient` with and without spacing and by
Menger's formula, pure pursuit and Stanley by argmin, arc-length resampling by `np.interp`,
speed profiles by forward/backward passes with Python `min`, road-load energy by
`np.trapezoid`, gear selection by `searchsorted`, occupancy grids by `np.add.at`, LiDAR scans
with NaN masks) and traffic and transport (Nagel-Schreckenberg with a generator argument and
`np.roll` gaps, written functionally and with in-place mask writes, the intelligent driver
model on a ring and in a platoon, the optimal velocity model, Gipps, LWR by Godunov with
demand/supply, by an exact Riemann flux and by Lax-Friedrichs with `np.roll`, the cell
transmission model, Floyd-Warshall by broadcasting, `np.minimum.outer`, `np.add.outer`, with
predecessors and by a triple loop, Bellman-Ford and dense Dijkstra with traced indices, gravity
models with Furness and balancing-factor iterations, logit and nested-logit mode choice, BPR
and MSA assignment, emission factors by `np.interp` and COPERT rationals, Webster's signal
timing, fundamental diagrams by `np.polyfit`, reliability percentiles, N-curves by
`searchsorted`, OD matrices by `np.add.at` and `np.bincount`, headways and trip-length
histograms).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Iteration counts, step counts, point counts, seeds of
generators made inside, Python-int graph sizes and flags given positionally are made static;
the forms whose Python or shapes depend on array values (tolerance loops, `if` quadrant fixes
on a state, `while` angle normalisation, lookahead searches, occupied cells by `np.where`,
ground-track splits at the date line, path reconstruction, Dijkstra relaxation by `if`, burns
until the propellant is gone, shadow intervals, scipy's adaptive solver and input checks) raise
a named error and run eagerly under `fallback=True`.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.integrate
import scipy.interpolate
import scipy.linalg
import scipy.optimize
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names, _Xfail

import tracenp

MU_EARTH = 398600.4418  # km^3 / s^2
R_EARTH = 6378.137  # km
J2 = 1.08262668e-3
OMEGA_EARTH = 7.2921159e-5  # rad / s
G0 = 9.80665


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _pos(seed, *shape, lo=1.0, hi=10.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


# ============================================================================ orbital mechanics


def kepler_newton(M, e, n_iter=10):
    # the textbook solver: E0 = M, Newton with a fixed iteration count, all anomalies at once
    E = M.copy()
    for _ in range(n_iter):
        E = E - (E - e * np.sin(E) - M) / (1 - e * np.cos(E))
    return E


def kepler_newton_inplace(M, e, n_iter=8):
    # the starting guess switched to pi for high eccentricities, the update in place
    E = np.where(e > 0.8, np.pi * np.ones_like(M), M)
    for _ in range(n_iter):
        f = E - e * np.sin(E) - M
        fp = 1.0 - e * np.cos(E)
        E -= f / fp
    return np.mod(E, 2 * np.pi)


def true_anomaly_from_mean(M, e, n_iter=12):
    E = M + e * np.sin(M)
    for i in range(n_iter):
        dE = (M - E + e * np.sin(E)) / (1 - e * np.cos(E))
        E = E + dE
    nu = 2 * np.arctan2(np.sqrt(1 + e) * np.sin(E / 2), np.sqrt(1 - e) * np.cos(E / 2))
    return nu, 1 - e * np.cos(E)


def kepler_halley(M, ecc, iters=5):
    # Halley's cubic step, Danby's starting value
    E = M + ecc * np.sin(M) * (1.0 + ecc * np.cos(M))
    for _ in range(iters):
        f0 = E - ecc * np.sin(E) - M
        f1 = 1 - ecc * np.cos(E)
        f2 = ecc * np.sin(E)
        E = E - 2 * f0 * f1 / (2 * f1 ** 2 - f0 * f2)
    return E


def kepler_grid(M, ecc, n_iter=10):
    # a table of E over mean anomalies (rows) and eccentricities (columns)
    M2, e2 = M[:, np.newaxis], ecc[np.newaxis, :]
    E = M2 + 0.0 * e2
    for _ in range(n_iter):
        E -= (E - e2 * np.sin(E) - M2) / (1 - e2 * np.cos(E))
    return E, np.abs(E - e2 * np.sin(E) - M2).max(axis=0)


def kepler_hyperbolic(M, e, n_iter=25):
    F = np.arcsinh(M / e)
    for _ in range(n_iter):
        F = F - (e * np.sinh(F) - F - M) / (e * np.cosh(F) - 1)
    nu = 2 * np.arctan(np.sqrt((e + 1) / (e - 1)) * np.tanh(F / 2))
    return F, nu


def coe_from_rv(r, v, mu=MU_EARTH):
    # Curtis' Algorithm 4.2, with the quadrant checks written with np.where
    R = np.linalg.norm(r)
    V = np.linalg.norm(v)
    vr = np.dot(r, v) / R
    H = np.cross(r, v)
    h = np.linalg.norm(H)
    incl = np.arccos(H[2] / h)
    N = np.cross([0, 0, 1], H)
    n = np.linalg.norm(N)
    RA = np.where(N[1] >= 0, np.arccos(N[0] / n), 2 * np.pi - np.arccos(N[0] / n))
    E = 1 / mu * ((V ** 2 - mu / R) * r - R * vr * v)
    e = np.linalg.norm(E)
    w = np.arccos(np.dot(N, E) / n / e)
    w = np.where(E[2] < 0, 2 * np.pi - w, w)
    TA = np.arccos(np.dot(E, r) / e / R)
    TA = np.where(vr < 0, 2 * np.pi - TA, TA)
    a = h ** 2 / mu / (1 - e ** 2)
    return np.array([h, e, RA, incl, w, TA, a])


def coe_from_rv_batch(r, v, mu=MU_EARTH):
    # many satellites at once: rows of states, norms along axis 1, a dict of element arrays
    rn = np.linalg.norm(r, axis=1)
    vn = np.linalg.norm(v, axis=1)
    h = np.cross(r, v)
    hn = np.linalg.norm(h, axis=1)
    k = np.array([0.0, 0.0, 1.0])
    n = np.cross(k, h)
    nn = np.linalg.norm(n, axis=1)
    rdotv = np.einsum("ij,ij->i", r, v)
    e_vec = ((vn ** 2 - mu / rn)[:, None] * r - rdotv[:, None] * v) / mu
    ecc = np.linalg.norm(e_vec, axis=1)
    energy = vn ** 2 / 2 - mu / rn
    a = -mu / (2 * energy)
    inc = np.arccos(h[:, 2] / hn)
    raan = np.arccos(np.clip(n[:, 0] / nn, -1, 1))
    raan[n[:, 1] < 0] = 2 * np.pi - raan[n[:, 1] < 0]
    argp = np.arccos(np.clip(np.sum(n * e_vec, axis=1) / (nn * ecc), -1, 1))
    argp = np.where(e_vec[:, 2] < 0, 2 * np.pi - argp, argp)
    nu = np.arccos(np.clip(np.sum(e_vec * r, axis=1) / (ecc * rn), -1, 1))
    nu = np.where(rdotv < 0, 2 * np.pi - nu, nu)
    return {"a": a, "ecc": ecc, "inc": np.degrees(inc), "raan": np.degrees(raan),
            "argp": np.degrees(argp), "nu": np.degrees(nu)}


def rv_from_coe(h, e, RA, incl, w, TA, mu=MU_EARTH):
    # Curtis' Algorithm 4.5: perifocal vectors rotated by R3(w) R1(i) R3(RA)
    rp = (h ** 2 / mu) * (1 / (1 + e * np.cos(TA))) * (
        np.cos(TA) * np.array([1, 0, 0]) + np.sin(TA) * np.array([0, 1, 0]))
    vp = (mu / h) * (-np.sin(TA) * np.array([1, 0, 0]) + (e + np.cos(TA)) * np.array([0, 1, 0]))
    R3_W = np.array([[np.cos(RA), np.sin(RA), 0], [-np.sin(RA), np.cos(RA), 0], [0, 0, 1]])
    R1_i = np.array([[1, 0, 0], [0, np.cos(incl), np.sin(incl)],
                     [0, -np.sin(incl), np.cos(incl)]])
    R3_w = np.array([[np.cos(w), np.sin(w), 0], [-np.sin(w), np.cos(w), 0], [0, 0, 1]])
    Q_pX = (R3_w @ R1_i @ R3_W).T
    return Q_pX @ rp, Q_pX @ vp


def rv_from_coe_batch(a, ecc, inc, raan, argp, nu, mu=MU_EARTH):
    # poliastro-style: perifocal rows, rotation matrices stacked to (n, 3, 3), einsum
    p = a * (1 - ecc ** 2)
    r_pqw = np.stack([np.cos(nu), np.sin(nu), np.zeros_like(nu)], axis=-1) * (
        p / (1 + ecc * np.cos(nu)))[:, None]
    v_pqw = np.stack([-np.sin(nu), ecc + np.cos(nu), np.zeros_like(nu)], axis=-1) * np.sqrt(
        mu / p)[:, None]
    cO, sO, ci, si, cw, sw = (np.cos(raan), np.sin(raan), np.cos(inc), np.sin(inc),
                              np.cos(argp), np.sin(argp))
    R = np.stack([
        np.stack([cO * cw - sO * sw * ci, -cO * sw - sO * cw * ci, sO * si], axis=-1),
        np.stack([sO * cw + cO * sw * ci, -sO * sw + cO * cw * ci, -cO * si], axis=-1),
        np.stack([sw * si, cw * si, ci], axis=-1)], axis=1)
    return np.einsum("nij,nj->ni", R, r_pqw), np.einsum("nij,nj->ni", R, v_pqw)


def _two_body(y, mu):
    r = y[:3]
    return np.concatenate([y[3:], -mu * r / np.linalg.norm(r) ** 3])


def two_body_rk4(r0, v0, dt=60.0, steps=30, mu=MU_EARTH):
    # RK4 into a preallocated (steps + 1, 6) array, specific energy kept per step
    y = np.concatenate([r0, v0])
    out = np.zeros((steps + 1, 6))
    out[0] = y
    for k in range(steps):
        k1 = _two_body(y, mu)
        k2 = _two_body(y + 0.5 * dt * k1, mu)
        k3 = _two_body(y + 0.5 * dt * k2, mu)
        k4 = _two_body(y + dt * k3, mu)
        y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out[k + 1] = y
    energy = 0.5 * np.sum(out[:, 3:] ** 2, axis=1) - mu / np.linalg.norm(out[:, :3], axis=1)
    return out, energy


def j2_accel(r, mu=MU_EARTH):
    x, y, z = r
    rn = np.linalg.norm(r)
    f = 1.5 * J2 * mu * R_EARTH ** 2 / rn ** 5
    zz = 5 * z ** 2 / rn ** 2
    return np.array([f * x * (zz - 1), f * y * (zz - 1), f * z * (zz - 3)])


def j2_propagate_rk4(state, dt=30.0, steps=20, mu=MU_EARTH):
    def deriv(s):
        r, v = s[:3], s[3:]
        a = -mu * r / np.linalg.norm(r) ** 3 + j2_accel(r, mu)
        return np.hstack((v, a))

    traj = np.empty((steps + 1, 6))
    traj[0] = state
    for i in range(steps):
        s = traj[i]
        k1 = deriv(s)
        k2 = deriv(s + dt / 2 * k1)
        k3 = deriv(s + dt / 2 * k2)
        k4 = deriv(s + dt * k3)
        traj[i + 1] = s + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return traj


def constellation_leapfrog(r, v, dt=20.0, steps=25, mu=MU_EARTH):
    # a whole constellation: (n, 3) rows, kick-drift-kick with keepdims norms
    def acc(r):
        return -mu * r / np.linalg.norm(r, axis=1, keepdims=True) ** 3

    a = acc(r)
    for _ in range(steps):
        v = v + 0.5 * dt * a
        r = r + dt * v
        a = acc(r)
        v = v + 0.5 * dt * a
    return r, v


def j2_secular_rates(a, ecc, inc_deg, mu=MU_EARTH):
    # nodal regression and apsidal rotation in degrees per day
    n = np.sqrt(mu / a ** 3)
    p = a * (1 - ecc ** 2)
    inc = np.radians(inc_deg)
    raan_dot = -1.5 * n * J2 * (R_EARTH / p) ** 2 * np.cos(inc)
    argp_dot = 0.75 * n * J2 * (R_EARTH / p) ** 2 * (5 * np.cos(inc) ** 2 - 1)
    return np.degrees(raan_dot) * 86400, np.degrees(argp_dot) * 86400


def sun_synchronous_inclination(alt_km, mu=MU_EARTH):
    a = R_EARTH + alt_km
    rate = 2 * np.pi / (365.2422 * 86400)
    cos_i = -rate * 2 * a ** 3.5 / (3 * J2 * R_EARTH ** 2 * np.sqrt(mu))
    return np.degrees(np.arccos(cos_i))


def hohmann(r1, r2, mu=MU_EARTH):
    a_t = (r1 + r2) / 2
    v1 = np.sqrt(mu / r1)
    v2 = np.sqrt(mu / r2)
    vp = np.sqrt(mu * (2 / r1 - 1 / a_t))
    va = np.sqrt(mu * (2 / r2 - 1 / a_t))
    dv1 = vp - v1
    dv2 = v2 - va
    tof = np.pi * np.sqrt(a_t ** 3 / mu)
    return {"dv1": dv1, "dv2": dv2, "dv_total": abs(dv1) + abs(dv2), "tof_h": tof / 3600}


def bielliptic_vs_hohmann(r1, r2, rb, mu=MU_EARTH):
    # the three burns of the bi-elliptic transfer, and which of the two transfers wins
    a1, a2 = (r1 + rb) / 2, (r2 + rb) / 2
    dv1 = np.sqrt(2 * mu / r1 - mu / a1) - np.sqrt(mu / r1)
    dv2 = np.sqrt(2 * mu / rb - mu / a2) - np.sqrt(2 * mu / rb - mu / a1)
    dv3 = np.sqrt(2 * mu / r2 - mu / a2) - np.sqrt(mu / r2)
    dv_be = np.abs(dv1) + np.abs(dv2) + np.abs(dv3)
    dv_h = hohmann(r1, r2, mu)["dv_total"]
    tof_be = np.pi * (np.sqrt(a1 ** 3 / mu) + np.sqrt(a2 ** 3 / mu))
    better = dv_be < dv_h
    return dv_be, dv_h, better, np.where(better, tof_be, np.nan), r2 / r1


def plane_change_dv(v1, v2, di_deg):
    # a combined burn against a pure plane change followed by a Hohmann-like burn
    di = np.deg2rad(di_deg)
    combined = np.sqrt(v1 ** 2 + v2 ** 2 - 2 * v1 * v2 * np.cos(di))
    separate = 2 * v1 * np.sin(di / 2) + np.abs(v2 - v1)
    return combined, separate, (separate - combined) / separate


def patched_conic_departure(v_inf, rp, mu=MU_EARTH, m_planet=5.972e24, m_sun=1.989e30,
                            a_planet=1.496e8):
    v_p = np.sqrt(v_inf ** 2 + 2 * mu / rp)
    dv = v_p - np.sqrt(mu / rp)
    e_hyp = 1 + rp * v_inf ** 2 / mu
    beta = np.degrees(np.arccos(1 / e_hyp))
    r_soi = a_planet * (m_planet / m_sun) ** 0.4
    return dv, e_hyp, beta, r_soi


def ground_track(r_eci, t, theta_g0=0.0):
    x, y, z = r_eci[:, 0], r_eci[:, 1], r_eci[:, 2]
    theta = theta_g0 + OMEGA_EARTH * t
    lon = np.arctan2(y, x) - theta
    lon = np.mod(lon + np.pi, 2 * np.pi) - np.pi
    lat = np.arcsin(z / np.linalg.norm(r_eci, axis=1))
    return np.degrees(lat), np.degrees(lon)


def eci_to_ecef_batch(r_eci, t, gmst0=0.0):
    # one rotation matrix per epoch: (n, 3, 3) by np.stack, applied by einsum; lon in [0, 360)
    th = gmst0 + OMEGA_EARTH * t
    c, s = np.cos(th), np.sin(th)
    zero, one = np.zeros_like(th), np.ones_like(th)
    Rz = np.stack([np.stack([c, s, zero], -1), np.stack([-s, c, zero], -1),
                   np.stack([zero, zero, one], -1)], axis=1)
    r_ecef = np.einsum("nij,nj->ni", Rz, r_eci)
    lon = np.rad2deg(np.arctan2(r_ecef[:, 1], r_ecef[:, 0])) % 360
    return r_ecef, lon


def ground_track_float32(r_eci, t):
    # the same track from float32 ephemerides, wrapped with (x + 180) % 360 - 180
    lon = np.degrees(np.arctan2(r_eci[:, 1], r_eci[:, 0]) - np.float32(OMEGA_EARTH) * t)
    lon = (lon + 180) % 360 - 180
    lat = np.degrees(np.arctan2(r_eci[:, 2], np.hypot(r_eci[:, 0], r_eci[:, 1])))
    return lat, lon


def geodetic_to_ecef(lat_deg, lon_deg, h):
    a = 6378137.0
    f = 1 / 298.257223563
    e2 = f * (2 - f)
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    N = a / np.sqrt(1 - e2 * np.sin(lat) ** 2)
    x = (N + h) * np.cos(lat) * np.cos(lon)
    y = (N + h) * np.cos(lat) * np.sin(lon)
    z = (N * (1 - e2) + h) * np.sin(lat)
    return np.column_stack((x, y, z))


def ecef_to_geodetic(xyz, n_iter=5):
    # Bowring-style fixed-point iteration on latitude
    a = 6378137.0
    f = 1 / 298.257223563
    e2 = f * (2 - f)
    x, y, z = xyz.T
    lon = np.arctan2(y, x)
    p = np.hypot(x, y)
    lat = np.arctan2(z, p * (1 - e2))
    h = np.zeros_like(p)
    for _ in range(n_iter):
        N = a / np.sqrt(1 - e2 * np.sin(lat) ** 2)
        h = p / np.cos(lat) - N
        lat = np.arctan2(z, p * (1 - e2 * N / (N + h)))
    return np.degrees(lat), np.degrees(lon), h


def look_angles(sat_ecef, lat_deg, lon_deg, site_ecef):
    # ECEF -> ENU at the ground station, then azimuth, elevation and range
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    R = np.array([[-np.sin(lon), np.cos(lon), 0],
                  [-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)],
                  [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]])
    enu = (sat_ecef - site_ecef) @ R.T
    e, n, u = enu[:, 0], enu[:, 1], enu[:, 2]
    rng = np.linalg.norm(enu, axis=1)
    az = np.mod(np.degrees(np.arctan2(e, n)), 360.0)
    el = np.degrees(np.arcsin(u / rng))
    visible = el > 10.0
    return az, el, rng, visible.sum()


def stumpff(z):
    sz = np.sqrt(np.abs(z))
    S = np.where(z > 1e-6, (sz - np.sin(sz)) / sz ** 3,
                 np.where(z < -1e-6, (np.sinh(sz) - sz) / sz ** 3, 1 / 6))
    C = np.where(z > 1e-6, (1 - np.cos(sz)) / z,
                 np.where(z < -1e-6, (np.cosh(sz) - 1) / -z, 0.5))
    return S, C


def lambert_universal(R1, R2, tof, mu=MU_EARTH, n_iter=40):
    # Vallado's universal-variable Lambert solver, bisection on psi with a fixed count
    r1, r2 = np.linalg.norm(R1), np.linalg.norm(R2)
    cos_dnu = np.dot(R1, R2) / (r1 * r2)
    A = np.sqrt(r1 * r2 * (1 + cos_dnu))
    psi, psi_lo, psi_up = 0.0, -4 * np.pi, 4 * np.pi ** 2
    for _ in range(n_iter):
        c3, c2 = stumpff(psi)
        y = r1 + r2 + A * (psi * c3 - 1) / np.sqrt(c2)
        chi = np.sqrt(y / c2)
        dt = (chi ** 3 * c3 + A * np.sqrt(y)) / np.sqrt(mu)
        psi_lo = np.where(dt <= tof, psi, psi_lo)
        psi_up = np.where(dt <= tof, psi_up, psi)
        psi = (psi_up + psi_lo) / 2
    c3, c2 = stumpff(psi)
    y = r1 + r2 + A * (psi * c3 - 1) / np.sqrt(c2)
    f = 1 - y / r1
    g = A * np.sqrt(y / mu)
    gdot = 1 - y / r2
    return (R2 - f * R1) / g, (gdot * R2 - R1) / g


def universal_kepler_fg(R0, V0, dt, mu=MU_EARTH, n_iter=12):
    # Curtis' Algorithms 3.3 and 3.4: chi by Newton, then f, g, fdot, gdot
    r0 = np.linalg.norm(R0)
    vr0 = np.dot(R0, V0) / r0
    alpha = 2 / r0 - np.dot(V0, V0) / mu
    x = np.sqrt(mu) * np.abs(alpha) * dt
    for _ in range(n_iter):
        z = alpha * x ** 2
        S, C = stumpff(z)
        F = (r0 * vr0 / np.sqrt(mu) * x ** 2 * C + (1 - alpha * r0) * x ** 3 * S + r0 * x
             - np.sqrt(mu) * dt)
        dFdx = (r0 * vr0 / np.sqrt(mu) * x * (1 - alpha * x ** 2 * S)
                + (1 - alpha * r0) * x ** 2 * C + r0)
        x = x - F / dFdx
    z = alpha * x ** 2
    S, C = stumpff(z)
    f = 1 - x ** 2 / r0 * C
    g = dt - x ** 3 / np.sqrt(mu) * S
    R = f * R0 + g * V0
    r = np.linalg.norm(R)
    fdot = np.sqrt(mu) / (r * r0) * (alpha * x ** 3 * S - x)
    gdot = 1 - x ** 2 / r * C
    return R, fdot * R0 + gdot * V0


def cw_stm(n, t):
    s, c = np.sin(n * t), np.cos(n * t)
    return np.array([
        [4 - 3 * c, 0, 0, s / n, 2 * (1 - c) / n, 0],
        [6 * (s - n * t), 1, 0, -2 * (1 - c) / n, (4 * s - 3 * n * t) / n, 0],
        [0, 0, c, 0, 0, s / n],
        [3 * n * s, 0, 0, c, 2 * s, 0],
        [-6 * n * (1 - c), 0, 0, -2 * s, 4 * c - 3, 0],
        [0, 0, -n * s, 0, 0, c]])


def clohessy_wiltshire(x0, a, dt=60.0, steps=12, mu=MU_EARTH):
    # relative motion: the state transition matrix rebuilt at each time, applied to x0
    n = np.sqrt(mu / a ** 3)
    out = np.zeros((steps, 6))
    for k in range(steps):
        out[k] = cw_stm(n, (k + 1) * dt) @ x0
    return out


def eclipse_cylindrical(r, sun_dir):
    s = sun_dir / np.linalg.norm(sun_dir)
    proj = r @ s
    perp = np.linalg.norm(r - np.outer(proj, s), axis=1)
    shadow = (proj < 0) & (perp < R_EARTH)
    return shadow, shadow.mean(), np.count_nonzero(shadow)


def drag_decay(a0, bc, dt=86400.0, days=30, rho0=3.6e-10, h0=300.0, H=50.0, mu=MU_EARTH):
    # circular-orbit decay with an exponential atmosphere, one step a day, in a list
    a = a0
    history = [a]
    for _ in range(days):
        rho = rho0 * np.exp(-(a - R_EARTH - h0) / H)
        da_dt = -np.sqrt(mu * a) * rho * 1e9 / bc
        a = a + da_dt * dt
        history.append(a)
    return np.array(history) - R_EARTH


def julian_date(year, month, day, hour):
    # the Fliegel-Van Flandern integer formula on integer arrays, then the fraction of day
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    jdn = day + (153 * m + 2) // 5 + 365 * y + y // 4 - y // 100 + y // 400 - 32045
    return jdn, jdn + (hour - 12) / 24.0


def gmst_deg(jd_ut1):
    T = (jd_ut1 - 2451545.0) / 36525.0
    gmst = (67310.54841 + (876600.0 * 3600 + 8640184.812866) * T + 0.093104 * T ** 2
            - 6.2e-6 * T ** 3)
    return np.mod(gmst, 86400.0) / 240.0


def orbit_summary(a, ecc, mu=MU_EARTH):
    # the usual table of an orbit's numbers, as a dict of arrays
    period = 2 * np.pi * np.sqrt(a ** 3 / mu)
    rp, ra = a * (1 - ecc), a * (1 + ecc)
    return {"period_min": period / 60, "energy": -mu / (2 * a),
            "hp": rp - R_EARTH, "ha": ra - R_EARTH,
            "vp": np.sqrt(mu * (2 / rp - 1 / a)), "va": np.sqrt(mu * (2 / ra - 1 / a)),
            "h": np.sqrt(mu * a * (1 - ecc ** 2))}


def tle_mean_motion(n_rev_day, ecc, mu=MU_EARTH):
    n = n_rev_day * 2 * np.pi / 86400
    a = (mu / n ** 2) ** (1 / 3)
    a_cbrt = np.cbrt(mu / n ** 2)
    return a, a_cbrt, a * (1 - ecc) - R_EARTH, a * (1 + ecc) - R_EARTH


def orbit_polar_points(p, ecc, num=50):
    # the conic r(nu) sampled for a plot, in perifocal x, y
    nu = np.linspace(0, 2 * np.pi, num)
    r = p[:, None] / (1 + ecc[:, None] * np.cos(nu))
    return r * np.cos(nu), r * np.sin(nu)


def nbody_accelerations(pos, mass, G=6.674e-11, soft=1e3):
    d = pos[np.newaxis, :, :] - pos[:, np.newaxis, :]
    r2 = np.sum(d ** 2, axis=-1) + soft ** 2
    inv3 = r2 ** -1.5
    np.fill_diagonal(inv3, 0.0)
    return G * np.einsum("ij,ijk,j->ik", inv3, d, mass)


def mean_to_eccentric_time(E, ecc, a, mu=MU_EARTH):
    # time since periapsis from eccentric anomaly, and the time of flight between points
    M = E - ecc * np.sin(E)
    n = np.sqrt(mu / a ** 3)
    t = M / n
    return t, np.diff(t), np.cumsum(np.diff(t))


def _elements(s, n):
    rng = np.random.default_rng(s)
    a = rng.uniform(7000, 20000, n)
    ecc = rng.uniform(0.01, 0.5, n)
    inc = rng.uniform(0.3, 1.4, n)
    raan = rng.uniform(0.2, 6.0, n)
    argp = rng.uniform(0.2, 6.0, n)
    nu = rng.uniform(0.2, 6.0, n)
    return a, ecc, inc, raan, argp, nu


def _states(s, n):
    return rv_from_coe_batch(*_elements(s, n))


def _one_state(s):
    r, v = _states(s, 1)
    return r[0], v[0]


ORBITAL = {
    "kepler_newton_fixed": (kepler_newton, {"n_iter": 8}, lambda s, n: (
        np.linspace(0.1, 6.0, 3 * n), 0.1 * s + 0.2)),
    "kepler_newton_pi_start_inplace": (kepler_newton_inplace, {"n_iter": 10}, lambda s, n: (
        np.linspace(0.05, 6.2, 3 * n), np.linspace(0.1, 0.95, 3 * n) - 0.01 * s)),
    "true_anomaly_arctan2_halves": (true_anomaly_from_mean, {}, lambda s, n: (
        _pos(s, 2 * n, lo=0, hi=2 * np.pi), 0.2 + 0.05 * s)),
    "kepler_halley_danby": (kepler_halley, {"iters": 4}, lambda s, n: (
        _pos(s, 2 * n, lo=0.1, hi=6), _pos(s + 1, 2 * n, lo=0.0, hi=0.7))),
    "kepler_grid_broadcast": (kepler_grid, {"n_iter": 8}, lambda s, n: (
        np.linspace(0, 2 * np.pi, 2 * n), np.linspace(0.0, 0.6, n) + 0.01 * s)),
    "kepler_hyperbolic_arcsinh": (kepler_hyperbolic, {"n_iter": 15}, lambda s, n: (
        _pos(s, n, lo=0.5, hi=8), _pos(s + 1, n, lo=1.2, hi=3))),
    "coe_from_rv_curtis": (coe_from_rv, {}, lambda s, n: _one_state(s)),
    "coe_from_rv_batch_dict": (coe_from_rv_batch, {}, lambda s, n: _states(s, n)),
    "rv_from_coe_np_array_rotations": (rv_from_coe, {}, lambda s, n: (
        52000.0 + 1000 * s, 0.3, 0.7, 1.1 + 0.1 * s, 0.5, 2.0)),
    "rv_from_coe_batch_stack_einsum": (rv_from_coe_batch, {}, lambda s, n: _elements(s, n)),
    "two_body_rk4_preallocated": (two_body_rk4, {"steps": 10}, lambda s, n: _one_state(s)),
    "j2_rk4_hstack_rows": (j2_propagate_rk4, {"steps": 8}, lambda s, n: (
        np.concatenate(_one_state(s)),)),
    "constellation_leapfrog_keepdims": (constellation_leapfrog, {"steps": 10}, lambda s, n:
                                        _states(s, n)),
    "j2_secular_rates": (j2_secular_rates, {}, lambda s, n: (
        _pos(s, n, lo=6800, hi=8000), _pos(s + 1, n, lo=0, hi=0.1),
        _pos(s + 2, n, lo=0, hi=180))),
    "sun_synchronous_inclination": (sun_synchronous_inclination, {}, lambda s, n: (
        np.linspace(400, 1200, 2 * n) + s,)),
    "hohmann_dict_abs": (hohmann, {}, lambda s, n: (
        _pos(s, n, lo=6700, hi=7500), _pos(s + 1, n, lo=20000, hi=42164))),
    "bielliptic_vs_hohmann": (bielliptic_vs_hohmann, {}, lambda s, n: (
        7000.0, 7000.0 * np.linspace(5, 20, 2 * n), 7000.0 * (20 + s))),
    "plane_change_dv": (plane_change_dv, {}, lambda s, n: (
        7.5, np.linspace(3.0, 7.5, n), _pos(s, n, lo=1, hi=60))),
    "patched_conic_departure": (patched_conic_departure, {}, lambda s, n: (
        _pos(s, n, lo=2, hi=5), 6678.0 + 100 * s)),
    "ground_track_mod_wrap": (ground_track, {}, lambda s, n: (
        _states(s, 3 * n)[0], np.linspace(0, 5400, 3 * n), 0.1 * s)),
    "eci_to_ecef_stacked_rotations": (eci_to_ecef_batch, {}, lambda s, n: (
        _states(s, 2 * n)[0], np.linspace(0, 7200, 2 * n), 0.3 * s)),
    "ground_track_float32": (ground_track_float32, {}, lambda s, n: (
        _states(s, 2 * n)[0].astype(np.float32), np.linspace(0, 3600, 2 * n,
                                                             dtype=np.float32))),
    "geodetic_to_ecef_wgs84": (geodetic_to_ecef, {}, lambda s, n: (
        _pos(s, n, lo=-80, hi=80), _pos(s + 1, n, lo=-180, hi=180), _pos(s + 2, n, lo=0,
                                                                          hi=9000))),
    "ecef_to_geodetic_bowring": (ecef_to_geodetic, {"n_iter": 4}, lambda s, n: (
        geodetic_to_ecef(_pos(s, n, lo=-80, hi=80), _pos(s + 1, n, lo=-180, hi=180),
                         _pos(s + 2, n, lo=0, hi=9000)),)),
    "look_angles_enu": (look_angles, {}, lambda s, n: (
        _states(s, 2 * n)[0] * 1000, 40.0 + s, -105.0,
        geodetic_to_ecef(np.array([40.0 + s]), np.array([-105.0]), np.array([1600.0]))[0])),
    "lambert_universal_bisection": (lambert_universal, {"n_iter": 30}, lambda s, n: (
        np.array([7000.0, 0.0, 0.0]),
        np.array([7500 * np.cos(1.2 + 0.1 * s), 7500 * np.sin(1.2 + 0.1 * s), 300.0]),
        1500.0 + 100 * s)),
    "universal_kepler_f_g": (universal_kepler_fg, {"n_iter": 10}, lambda s, n: (
        *_one_state(s), 1200.0 * s)),
    "clohessy_wiltshire_stm": (clohessy_wiltshire, {"steps": 8}, lambda s, n: (
        np.array([0.1 * s, 0.2, -0.05, 0.0, -0.0002, 0.0001]), 6778.0 + 10 * s)),
    "eclipse_cylindrical_shadow": (eclipse_cylindrical, {}, lambda s, n: (
        _states(s, 4 * n)[0], np.array([1.0, 0.3 * s, 0.1]))),
    "drag_decay_list": (drag_decay, {"days": 10}, lambda s, n: (R_EARTH + 350.0 + 10 * s,
                                                                 50.0 + s)),
    "julian_date_integer_division": (julian_date, {}, lambda s, n: (
        _i(50, n, seed=s) + 1990, _i(12, n, seed=s + 1) + 1, _i(28, n, seed=s + 2) + 1,
        _pos(s, n, lo=0, hi=24))),
    "gmst_mod_86400": (gmst_deg, {}, lambda s, n: (2459000.5 + _pos(s, n, lo=0, hi=3000),)),
    "orbit_summary_dict": (orbit_summary, {}, lambda s, n: (
        _pos(s, n, lo=7000, hi=30000), _pos(s + 1, n, lo=0, hi=0.7))),
    "tle_mean_motion_cbrt": (tle_mean_motion, {}, lambda s, n: (
        _pos(s, n, lo=1, hi=16), _pos(s + 1, n, lo=0, hi=0.1))),
    "orbit_polar_points": (orbit_polar_points, {"num": 40}, lambda s, n: (
        _pos(s, n, lo=7000, hi=9000), _pos(s + 1, n, lo=0, hi=0.8))),
    "nbody_fill_diagonal_einsum": (nbody_accelerations, {}, lambda s, n: (
        _f(n, 3, seed=s) * 1e7, _pos(s, n, lo=1e22, hi=1e24))),
    "time_of_flight_diff_cumsum": (mean_to_eccentric_time, {}, lambda s, n: (
        np.linspace(0, 2 * np.pi, 3 * n), 0.1 * s, 8000.0)),
}


@pytest.mark.parametrize("name", _names(ORBITAL))
def test_orbital_mechanics_matches_numpy(name):
    """Kepler solvers, elements to and from state vectors, two-body, J2 and constellation
    propagation, transfers, ground tracks and frame rotations, Lambert, universal Kepler,
    relative motion, eclipses, decay, Julian dates and orbit summaries."""
    check_like_numpy(*ORBITAL[name])


# ============================================================================ flight mechanics

T0_ISA, P0_ISA, RHO0_ISA, R_AIR, GAMMA_AIR = 288.15, 101325.0, 1.225, 287.05287, 1.4

# the 1976 US standard atmosphere to 47 km: base altitudes, base temperatures, lapse rates
H_BASE = np.array([0.0, 11000.0, 20000.0, 32000.0, 47000.0])
LAPSE = np.array([-0.0065, 0.0, 0.001, 0.0028])
T_BASE = np.array([288.15, 216.65, 216.65, 228.65])
P_BASE = np.array([101325.0, 22632.06, 5474.889, 868.0187])


def isa_where(h):
    # troposphere and lower stratosphere by np.where, the usual homework version
    L, g0 = 0.0065, G0
    T11 = T0_ISA - L * 11000
    p11 = P0_ISA * (T11 / T0_ISA) ** (g0 / (L * R_AIR))
    T = np.where(h < 11000, T0_ISA - L * h, T11)
    p = np.where(h < 11000, P0_ISA * (T / T0_ISA) ** (g0 / (L * R_AIR)),
                 p11 * np.exp(-g0 * (h - 11000) / (R_AIR * T11)))
    rho = p / (R_AIR * T)
    a = np.sqrt(GAMMA_AIR * R_AIR * T)
    return T, p, rho, a


def isa_piecewise_temperature(h):
    T11 = 216.65
    return np.piecewise(h, [h < 11000, (h >= 11000) & (h < 20000), h >= 20000],
                        [lambda h: T0_ISA - 0.0065 * h, T11,
                         lambda h: T11 + 0.001 * (h - 20000)])


def isa_select_layers(h_m):
    # three layers by np.select, density ratio and pressure ratio for a performance table
    conds = [h_m <= 11000, h_m <= 20000, h_m <= 32000]
    T = np.select(conds, [288.15 - 0.0065 * h_m, 216.65 + 0.0 * h_m,
                          216.65 + 0.001 * (h_m - 20000)], default=np.nan)
    delta = np.select(conds, [
        (T / 288.15) ** 5.255877,
        0.223361 * np.exp(-(h_m - 11000) / 6341.62),
        0.054033 * (T / 216.65) ** -34.1632], default=np.nan)
    sigma = delta / (T / 288.15)
    return T, delta, sigma


def isa_layer_table(h):
    # the table-driven atmosphere: the layer of each altitude by searchsorted, then gathers
    i = np.searchsorted(H_BASE, h, side="right") - 1
    i = np.clip(i, 0, len(LAPSE) - 1)
    Lb, Tb, Pb, Hb = LAPSE[i], T_BASE[i], P_BASE[i], H_BASE[i]
    T = Tb + Lb * (h - Hb)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_grad = Pb * (Tb / T) ** (G0 / (Lb * R_AIR))
    p_iso = Pb * np.exp(-G0 * (h - Hb) / (R_AIR * Tb))
    p = np.where(Lb == 0, p_iso, p_grad)
    return T, p, p / (R_AIR * T)


def isa_layer_loop(h):
    # a loop over layers writing each layer's altitudes through a boolean mask
    T = np.empty_like(h)
    p = np.empty_like(h)
    for k in range(len(LAPSE)):
        m = (h >= H_BASE[k]) & (h < H_BASE[k + 1])
        dh = h[m] - H_BASE[k]
        T[m] = T_BASE[k] + LAPSE[k] * dh
        if LAPSE[k] == 0:
            p[m] = P_BASE[k] * np.exp(-G0 * dh / (R_AIR * T_BASE[k]))
        else:
            p[m] = P_BASE[k] * (T[m] / T_BASE[k]) ** (-G0 / (LAPSE[k] * R_AIR))
    return T, p


def airspeeds(cas, h):
    # CAS -> Mach -> TAS through the compressible pitot relations, at ISA altitudes
    T, p, rho, a = isa_where(h)
    a0 = np.sqrt(GAMMA_AIR * R_AIR * T0_ISA)
    qc = P0_ISA * ((1 + 0.2 * (cas / a0) ** 2) ** 3.5 - 1)
    mach = np.sqrt(5 * ((qc / p + 1) ** (2 / 7) - 1))
    tas = mach * a
    eas = tas * np.sqrt(rho / RHO0_ISA)
    return mach, tas, eas


def reynolds_sutherland(V, L, h):
    T, p, rho, a = isa_where(h)
    mu = 1.716e-5 * (T / 273.15) ** 1.5 * (273.15 + 110.4) / (T + 110.4)
    return rho * V * L / mu, V / a


def drag_polar(CL, CD0, AR, e):
    k = 1 / (np.pi * AR * e)
    CD = CD0 + k * CL ** 2
    LD = CL / CD
    i = np.argmax(LD)
    return CD, LD, CL[i], LD[i], np.sqrt(CD0 / k), 0.5 / np.sqrt(CD0 * k)


def power_required(W, S, CD0, k, rho, V):
    # power-required curves for several weights (rows) over a speed grid (columns)
    q = 0.5 * rho * V[None, :] ** 2
    CL = W[:, None] / (q * S)
    D = q * S * (CD0 + k * CL ** 2)
    P = D * V[None, :]
    i_min = np.argmin(P, axis=1)
    V_mp = V[i_min]
    P_min = np.take_along_axis(P, i_min[:, None], axis=1)[:, 0]
    return P / 1000, V_mp, P_min, D.min(axis=1)


def lift_curve_stall(alpha_deg, CLa=0.1, alpha_stall=14.0, CLmax=1.5):
    CL = np.where(alpha_deg < alpha_stall, CLa * alpha_deg,
                  CLmax - 0.05 * (alpha_deg - alpha_stall))
    CL = np.clip(CL, -CLmax, CLmax)
    newton = 2 * np.sin(np.radians(alpha_deg)) ** 2 * np.cos(np.radians(alpha_deg))
    return CL, newton


def multistage_dv(m_prop, m_dry, isp, m_payload):
    # stages fire bottom to top; the mass above each stage by a reversed cumsum
    m_stage = m_prop + m_dry
    m_above = np.cumsum(m_stage[::-1])[::-1] - m_stage + m_payload
    m0 = m_above + m_stage
    mf = m0 - m_prop
    dv = isp * G0 * np.log(m0 / mf)
    return dv, dv.sum(), m0[0], m_payload / m0[0]


def staging_loop(stages, payload):
    # a list of (propellant, dry, Isp) rows walked from the top stage down, Python floats
    dv_total = 0.0
    mass = payload
    dvs = []
    for prop, dry, isp in stages[::-1]:
        m0 = mass + prop + dry
        mf = mass + dry
        dv = isp * G0 * np.log(m0 / mf)
        dvs.append(dv)
        dv_total += dv
        mass = m0
    return np.array(dvs[::-1]), dv_total, mass


def rocket_equation_float32(isp, mass_ratio):
    ve = isp * np.float32(G0)
    dv = ve * np.log(mass_ratio)
    prop_fraction = 1 - 1 / mass_ratio
    return dv, prop_fraction


def gravity_turn(v0, gamma0, m0, mdot, thrust, dt=1.0, steps=40, Cd_A=0.5):
    # a point-mass ascent by Euler into preallocated columns, an exponential atmosphere
    v = np.zeros(steps + 1)
    gam = np.zeros(steps + 1)
    h = np.zeros(steps + 1)
    x = np.zeros(steps + 1)
    v[0], gam[0] = v0, gamma0
    for k in range(steps):
        m = m0 - mdot * k * dt
        rho = 1.225 * np.exp(-h[k] / 8500.0)
        D = 0.5 * rho * v[k] ** 2 * Cd_A
        g = G0 * (6371e3 / (6371e3 + h[k])) ** 2
        v[k + 1] = v[k] + dt * (thrust / m - D / m - g * np.sin(gam[k]))
        gam[k + 1] = gam[k] - dt * (g / v[k] - v[k] / (6371e3 + h[k])) * np.cos(gam[k])
        h[k + 1] = h[k] + dt * v[k] * np.sin(gam[k])
        x[k + 1] = x[k] + dt * v[k] * np.cos(gam[k])
    return np.vstack([v, np.degrees(gam), h, x])


def ballistic_drag(v0, angle_deg, k, dt=0.05, steps=60):
    # a projectile with quadratic drag, the textbook Euler loop into (steps, 4)
    th = np.radians(angle_deg)
    state = np.array([0.0, 0.0, v0 * np.cos(th), v0 * np.sin(th)])
    out = np.empty((steps, 4))
    for i in range(steps):
        x, y, vx, vy = state
        v = np.sqrt(vx ** 2 + vy ** 2)
        state = state + dt * np.array([vx, vy, -k * v * vx, -G0 - k * v * vy])
        out[i] = state
    return out, out[:, 1].max(), out[np.argmax(out[:, 1]), 0]


def quat_derivative(q, w):
    p, qq, r = w
    Omega = np.array([[0, -p, -qq, -r],
                      [p, 0, r, -qq],
                      [qq, -r, 0, p],
                      [r, qq, -p, 0]])
    return 0.5 * Omega @ q


def rigid_body_attitude(q, w, I, torque, dt=0.01, steps=25):
    # Euler's equations and quaternion kinematics, renormalised every step
    Iinv = np.linalg.inv(I)
    qs = np.zeros((steps + 1, 4))
    ws = np.zeros((steps + 1, 3))
    qs[0], ws[0] = q, w
    for k in range(steps):
        wdot = Iinv @ (torque - np.cross(w, I @ w))
        q = q + dt * quat_derivative(q, w)
        q = q / np.linalg.norm(q)
        w = w + dt * wdot
        qs[k + 1], ws[k + 1] = q, w
    return qs, ws


def sixdof_rk4(state, I, forces, moments, m, dt=0.02, steps=10):
    # a 13-state rigid body: position, velocity (body), quaternion, rates, solve for wdot
    def f(s):
        u = s[3:6]
        q0, q1, q2, q3 = s[6:10]
        w = s[10:13]
        C = np.array([
            [q0 ** 2 + q1 ** 2 - q2 ** 2 - q3 ** 2, 2 * (q1 * q2 - q0 * q3),
             2 * (q1 * q3 + q0 * q2)],
            [2 * (q1 * q2 + q0 * q3), q0 ** 2 - q1 ** 2 + q2 ** 2 - q3 ** 2,
             2 * (q2 * q3 - q0 * q1)],
            [2 * (q1 * q3 - q0 * q2), 2 * (q2 * q3 + q0 * q1),
             q0 ** 2 - q1 ** 2 - q2 ** 2 + q3 ** 2]])
        dpos = C @ u
        du = forces / m - np.cross(w, u)
        dq = quat_derivative(s[6:10], w)
        dw = np.linalg.solve(I, moments - np.cross(w, I @ w))
        return np.concatenate([dpos, du, dq, dw])

    s = state.copy()
    for _ in range(steps):
        k1 = f(s)
        k2 = f(s + dt / 2 * k1)
        k3 = f(s + dt / 2 * k2)
        k4 = f(s + dt * k3)
        s = s + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        s[6:10] /= np.linalg.norm(s[6:10])
    return s


def quat_multiply(q1, q2):
    w1, x1, y1, z1 = q1.T
    w2, x2, y2, z2 = q2.T
    return np.stack([w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
                     w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
                     w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
                     w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2], axis=-1)


def quat_to_dcm_to_euler(q):
    # batched: normalise, fill (n, 3, 3) entry by entry, back to roll/pitch/yaw
    q = q / np.linalg.norm(q, axis=1, keepdims=True)
    w, x, y, z = q[:, 0], q[:, 1], q[:, 2], q[:, 3]
    R = np.empty((len(q), 3, 3))
    R[:, 0, 0] = 1 - 2 * (y * y + z * z)
    R[:, 0, 1] = 2 * (x * y + w * z)
    R[:, 0, 2] = 2 * (x * z - w * y)
    R[:, 1, 0] = 2 * (x * y - w * z)
    R[:, 1, 1] = 1 - 2 * (x * x + z * z)
    R[:, 1, 2] = 2 * (y * z + w * x)
    R[:, 2, 0] = 2 * (x * z + w * y)
    R[:, 2, 1] = 2 * (y * z - w * x)
    R[:, 2, 2] = 1 - 2 * (x * x + y * y)
    roll = np.arctan2(R[:, 1, 2], R[:, 2, 2])
    pitch = -np.arcsin(np.clip(R[:, 0, 2], -1.0, 1.0))
    yaw = np.arctan2(R[:, 0, 1], R[:, 0, 0])
    return R, np.degrees(np.column_stack([roll, pitch, yaw]))


def euler_to_quat(roll, pitch, yaw):
    cr, sr = np.cos(roll / 2), np.sin(roll / 2)
    cp, sp = np.cos(pitch / 2), np.sin(pitch / 2)
    cy, sy = np.cos(yaw / 2), np.sin(yaw / 2)
    q = np.array([cr * cp * cy + sr * sp * sy,
                  sr * cp * cy - cr * sp * sy,
                  cr * sp * cy + sr * cp * sy,
                  cr * cp * sy - sr * sp * cy]).T
    q *= np.sign(q[:, :1])
    return q


def rotate_by_quat(q, v):
    # v' = v + 2 w (u x v) + 2 u x (u x v), with np.cross on rows
    w, u = q[:, :1], q[:, 1:]
    t = 2 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


def _trim_residual(x, V, p):
    alpha, de, thrust = x
    CL = p["CL0"] + p["CLa"] * alpha + p["CLde"] * de
    CD = p["CD0"] + p["k"] * CL ** 2
    Cm = p["Cm0"] + p["Cma"] * alpha + p["Cmde"] * de
    q = 0.5 * 1.225 * V ** 2 * p["S"]
    return np.array([thrust * np.cos(alpha) - q * CD,
                     q * CL + thrust * np.sin(alpha) - p["W"],
                     Cm])


def trim_newton_fd(x0, V, params, n_iter=6, h=1e-6):
    # level-flight trim by Newton with a forward-difference Jacobian, column by column
    x = np.asarray(x0, dtype=float)
    for _ in range(n_iter):
        f0 = _trim_residual(x, V, params)
        J = np.zeros((3, 3))
        for j in range(3):
            dx = np.zeros(3)
            dx[j] = h
            J[:, j] = (_trim_residual(x + dx, V, params) - f0) / h
        x = x - np.linalg.solve(J, f0)
    return x, _trim_residual(x, V, params)


def trim_newton_central(x0, V, params, n_iter=5, h=1e-5):
    # the same trim with central differences and the columns stacked
    x = x0.copy()
    for _ in range(n_iter):
        cols = [(_trim_residual(x + h * e, V, params) - _trim_residual(x - h * e, V, params))
                / (2 * h) for e in np.eye(3)]
        J = np.column_stack(cols)
        x -= scipy.linalg.solve(J, _trim_residual(x, V, params))
    return x


def longitudinal_modes(A):
    # short period and phugoid: natural frequency and damping of each eigenvalue
    ev = np.linalg.eigvals(A)
    wn = np.abs(ev)
    zeta = -np.real(ev) / wn
    order = np.argsort(wn)
    return wn[order], zeta[order], 2 * np.pi / wn[order]


def short_period_2x2(Za, Zq, Ma, Mq, U0):
    A = np.array([[Za / U0, 1 + Zq / U0], [Ma, Mq]])
    ev = np.linalg.eigvals(A)
    wn = np.sqrt(np.linalg.det(A))
    zeta = -np.trace(A) / (2 * wn)
    return wn, zeta, np.abs(ev[0]), -ev[0].real / np.abs(ev[0])


def principal_axes_inertia(m, r):
    # the inertia tensor of point masses from its six scalars, principal moments by eig
    x, y, z = r.T
    Ixx, Iyy, Izz = np.sum(m * (y ** 2 + z ** 2)), np.sum(m * (x ** 2 + z ** 2)), np.sum(
        m * (x ** 2 + y ** 2))
    Ixy, Ixz, Iyz = np.sum(m * x * y), np.sum(m * x * z), np.sum(m * y * z)
    I = np.array([[Ixx, -Ixy, -Ixz], [-Ixy, Iyy, -Iyz], [-Ixz, -Iyz, Izz]])
    w, V = np.linalg.eig(I)
    order = np.argsort(w)
    return w[order], np.abs(V[:, order])


def inertia_tensor_matmul(m, r):
    # the same tensor as I = sum(m r.r) E - sum(m r r^T), its principal moments
    I = np.eye(3) * np.sum(m * (r ** 2).sum(axis=1)) - (r.T * m) @ r
    return np.sort(np.linalg.eigvals(I))


def turn_performance(V, bank_deg, Vs1g):
    phi = np.radians(bank_deg)
    n = 1 / np.cos(phi)
    radius = V ** 2 / (G0 * np.tan(phi))
    rate = np.degrees(G0 * np.tan(phi) / V)
    return n, radius, rate, Vs1g * np.sqrt(n)


def wind_triangle(tas, course_deg, wind_speed, wind_dir_deg):
    # E6B: wind correction angle, heading and ground speed, angles wrapped into [0, 360)
    tc, wd = np.radians(course_deg), np.radians(wind_dir_deg)
    wca = np.arcsin(wind_speed * np.sin(wd - tc) / tas)
    heading = np.mod(np.degrees(tc + wca), 360)
    gs = tas * np.cos(wca) - wind_speed * np.cos(wd - tc)
    return heading, gs, np.degrees(wca)


def great_circle(lat1, lon1, lat2, lon2, R=6371.0):
    # haversine distance, the initial bearing, and the points along the route
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    c = 2 * np.arctan2(np.sqrt(a), np.sqrt(1 - a))
    brg = np.degrees(np.arctan2(np.sin(dlmb) * np.cos(p2),
                                np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dlmb)))
    return R * c, (brg + 360) % 360


def propeller_table(V, n_rps, D, J_tab, CT_tab, CP_tab, rho=1.225):
    J = V / (n_rps * D)
    CT = np.interp(J, J_tab, CT_tab)
    CP = np.interp(J, J_tab, CP_tab)
    T = CT * rho * n_rps ** 2 * D ** 4
    P = CP * rho * n_rps ** 3 * D ** 5
    eta = np.where(P > 0, T * V / P, 0.0)
    return T, P, eta


def glide_polar_fit(V, sink):
    # a quadratic sink polar by polyfit, best L/D speed and min-sink speed from it
    a, b, c = np.polyfit(V, sink, 2)
    V_md = np.sqrt(c / a)
    V_ms = -b / (2 * a)
    return V_md, V_ms, V_md / np.polyval([a, b, c], V_md)


def _trim_params(s):
    return {"CL0": 0.2, "CLa": 5.5, "CLde": 0.4, "CD0": 0.025 + 0.001 * s, "k": 0.045,
            "Cm0": 0.05, "Cma": -1.2, "Cmde": -1.5, "S": 16.2, "W": 10000.0}


def _long_A(s):
    return np.array([[-0.02, 0.04, 0.0, -9.81],
                     [-0.3, -1.2 - 0.1 * s, 50.0, 0.0],
                     [0.001, -0.05, -1.5, 0.0],
                     [0.0, 0.0, 1.0, 0.0]])


def _quats(s, n):
    q = _f(n, 4, seed=s)
    return q / np.linalg.norm(q, axis=1, keepdims=True)


FLIGHT = {
    "isa_np_where": (isa_where, {}, lambda s, n: (np.linspace(0, 20000, 3 * n) + 100 * s,)),
    "isa_np_piecewise_lambdas": (isa_piecewise_temperature, {}, lambda s, n: (
        _pos(s, 3 * n, lo=0, hi=30000),)),
    "isa_np_select_ratios": (isa_select_layers, {}, lambda s, n: (
        _pos(s, 3 * n, lo=0, hi=34000),)),
    "isa_layer_table_searchsorted": (isa_layer_table, {}, lambda s, n: (
        _pos(s, 3 * n, lo=0, hi=46000),)),
    "isa_layer_loop_mask_writes": (isa_layer_loop, {}, lambda s, n: (
        _pos(s, 3 * n, lo=0, hi=46000),)),
    "cas_mach_tas": (airspeeds, {}, lambda s, n: (
        _pos(s, n, lo=50, hi=200), _pos(s + 1, n, lo=0, hi=15000))),
    "reynolds_sutherland": (reynolds_sutherland, {}, lambda s, n: (
        _pos(s, n, lo=30, hi=250), 1.5 + 0.1 * s, _pos(s + 1, n, lo=0, hi=12000))),
    "drag_polar_best_ld_argmax": (drag_polar, {}, lambda s, n: (
        np.linspace(0.0, 1.6, 5 * n), 0.02 + 0.002 * s, 8.0, 0.8)),
    "power_required_take_along_axis": (power_required, {}, lambda s, n: (
        _pos(s, n, lo=8000, hi=12000), 16.2, 0.027, 0.054, 1.1, np.linspace(20, 80, 4 * n))),
    "lift_curve_stall_clip": (lift_curve_stall, {}, lambda s, n: (
        np.linspace(-5, 25, 4 * n) + s,)),
    "multistage_reversed_cumsum": (multistage_dv, {}, lambda s, n: (
        _pos(s, n // 2, lo=1e4, hi=4e5), _pos(s + 1, n // 2, lo=1e3, hi=2e4),
        _pos(s + 2, n // 2, lo=280, hi=450), 5000.0)),
    "staging_loop_list_rows": (staging_loop, {}, lambda s, n: (
        [(2e5 / (k + 1), 1.5e4 / (k + 1), 300.0 + 20 * k + s) for k in range(n // 2)],
        4000.0)),
    "rocket_equation_float32": (rocket_equation_float32, {}, lambda s, n: (
        _pos(s, n, lo=250, hi=450).astype(np.float32),
        _pos(s + 1, n, lo=2, hi=12).astype(np.float32))),
    "gravity_turn_euler_vstack": (gravity_turn, {"steps": 15}, lambda s, n: (
        100.0, np.radians(85.0 - s), 5e5, 1500.0, 8e6)),
    "ballistic_drag_unpack_state": (ballistic_drag, {"steps": 20}, lambda s, n: (
        100.0 + 10 * s, 45.0, 0.002)),
    "rigid_body_quaternion_renorm": (rigid_body_attitude, {"steps": 10}, lambda s, n: (
        np.array([1.0, 0.0, 0.0, 0.0]), np.array([0.1 * s, 0.5, -0.2]),
        np.diag([2.0, 3.0, 4.0 + s]), np.array([0.0, 0.01, 0.0]))),
    "sixdof_rk4_solve_quaternion": (sixdof_rk4, {"steps": 4}, lambda s, n: (
        np.r_[0, 0, 0, 50.0, 0, 1, 1, 0, 0, 0, 0.1 * s, 0.05, 0.0],
        np.array([[1.0, 0, -0.1], [0, 2.0, 0], [-0.1, 0, 2.5]]),
        np.array([0.0, 0.1, -1.0]), np.array([0.01, 0.0, 0.02 * s]), 10.0)),
    "quat_multiply_stack": (quat_multiply, {}, lambda s, n: (_quats(s, n), _quats(s + 1, n))),
    "quat_dcm_euler_writes": (quat_to_dcm_to_euler, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "euler_to_quat_sign_fix": (euler_to_quat, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s + 1) * 0.5, _f(n, seed=s + 2))),
    "rotate_by_quat_cross": (rotate_by_quat, {}, lambda s, n: (_quats(s, n), _f(n, 3, seed=s))),
    "trim_newton_forward_difference": (trim_newton_fd, {"n_iter": 5}, lambda s, n: (
        [0.05, 0.0, 1000.0], 50.0 + s, _trim_params(s))),
    "trim_newton_central_scipy_solve": (trim_newton_central, {"n_iter": 4}, lambda s, n: (
        np.array([0.05, 0.0, 1000.0]), 55.0 + s, _trim_params(s))),
    "longitudinal_modes_eigvals_argsort": (longitudinal_modes, {}, lambda s, n: (_long_A(s),)),
    "short_period_2x2_ev0": (short_period_2x2, {}, lambda s, n: (
        -1.2, 0.0, -8.0 - s, -2.0, 60.0)),
    "principal_axes_inertia_np_array_eig": (
        principal_axes_inertia, {}, lambda s, n: (_pos(s, n, lo=1, hi=5), _f(n, 3, seed=s))),
    "inertia_tensor_matmul_eigvals": (
        inertia_tensor_matmul, {}, lambda s, n: (_pos(s, n, lo=1, hi=5), _f(n, 3, seed=s))),
    "turn_performance": (turn_performance, {}, lambda s, n: (
        60.0 + s, np.linspace(10, 70, 2 * n), 30.0)),
    "wind_triangle_e6b": (wind_triangle, {}, lambda s, n: (
        120.0, _pos(s, n, lo=0, hi=360), 20.0 + s, _pos(s + 1, n, lo=0, hi=360))),
    "great_circle_haversine_bearing": (great_circle, {}, lambda s, n: (
        _pos(s, n, lo=-60, hi=60), _pos(s + 1, n, lo=-180, hi=180),
        _pos(s + 2, n, lo=-60, hi=60), _pos(s + 3, n, lo=-180, hi=180))),
    "propeller_table_interp": (propeller_table, {}, lambda s, n: (
        np.linspace(0, 60, 3 * n), 40.0 + s, 1.8, np.linspace(0, 1.0, 11),
        np.linspace(0.12, -0.02, 11), np.linspace(0.06, 0.01, 11))),
    "glide_polar_polyfit": (glide_polar_fit, {}, lambda s, n: (
        np.linspace(20, 50, 3 * n), 0.002 * (np.linspace(20, 50, 3 * n) - 28) ** 2 + 0.6
        + 0.01 * _f(3 * n, seed=s))),
}


@pytest.mark.parametrize("name", _names(FLIGHT))
def test_flight_mechanics_matches_numpy(name):
    """The ISA atmosphere by np.where, piecewise, select, a layer table and mask writes,
    airspeed conversions, drag polars and power curves, staging, ascent and ballistic loops,
    quaternion kinematics and 6-DOF RK4, trim by Newton with finite differences, modes by
    eigvals, principal axes of inertia, turns, wind triangles, great circles and propeller
    tables."""
    check_like_numpy(*FLIGHT[name])


# ==================================================================================== vehicles


def bicycle_kinematic(x0, y0, yaw0, v0, accel, steer, dt=0.1, L=2.9):
    # the PythonRobotics update, one row per step into preallocated arrays
    n = len(accel)
    x, y, yaw, v = np.zeros(n + 1), np.zeros(n + 1), np.zeros(n + 1), np.zeros(n + 1)
    x[0], y[0], yaw[0], v[0] = x0, y0, yaw0, v0
    for i in range(n):
        x[i + 1] = x[i] + v[i] * np.cos(yaw[i]) * dt
        y[i + 1] = y[i] + v[i] * np.sin(yaw[i]) * dt
        yaw[i + 1] = yaw[i] + v[i] / L * np.tan(steer[i]) * dt
        v[i + 1] = v[i] + accel[i] * dt
    return x, y, yaw, v


def bicycle_fleet(state, accel, steer, dt=0.1, steps=15, lr=1.4, lf=1.5):
    # a fleet of vehicles at once, the centre-of-gravity slip angle model, (n, 4) state
    traj = np.empty((steps, *state.shape))
    for k in range(steps):
        x, y, psi, v = state.T
        beta = np.arctan(lr / (lf + lr) * np.tan(steer))
        dstate = np.column_stack([v * np.cos(psi + beta), v * np.sin(psi + beta),
                                  v / lr * np.sin(beta), accel])
        state = state + dt * dstate
        traj[k] = state
    return traj


class VehicleState:
    def __init__(self, x, y, yaw, v):
        self.x, self.y, self.yaw, self.v = x, y, yaw, v


def update_state(state, a, delta, dt=0.1, WB=2.9, max_steer=0.6):
    # the class-based PythonRobotics update, steering clipped, the object changed in place
    delta = np.clip(delta, -max_steer, max_steer)
    state.x = state.x + state.v * np.cos(state.yaw) * dt
    state.y = state.y + state.v * np.sin(state.yaw) * dt
    state.yaw = state.yaw + state.v / WB * np.tan(delta) * dt
    state.v = state.v + a * dt
    return np.array([state.x, state.y, state.yaw, state.v])


def dynamic_bicycle(vx, vy0, r0, delta, m=1500.0, Iz=2500.0, lf=1.2, lr=1.6,
                    Cf=8e4, Cr=9e4, dt=0.01, steps=30):
    # linear tyres, slip angles by arctan2, lateral dynamics at constant forward speed
    vy, r = vy0, r0
    hist = np.zeros((steps, 4))
    for k in range(steps):
        alpha_f = np.arctan2(vy + lf * r, vx) - delta[k]
        alpha_r = np.arctan2(vy - lr * r, vx)
        Fyf, Fyr = -Cf * alpha_f, -Cr * alpha_r
        vy_dot = (Fyf * np.cos(delta[k]) + Fyr) / m - vx * r
        r_dot = (lf * Fyf * np.cos(delta[k]) - lr * Fyr) / Iz
        vy, r = vy + dt * vy_dot, r + dt * r_dot
        hist[k] = vy, r, alpha_f, alpha_r
    return hist


def magic_formula(slip, Fz, B=10.0, C=1.9, D=1.0, E=0.97):
    # Pacejka's simplified formula on a grid of slips (rows) and loads (columns)
    x = slip[:, None]
    return Fz[None, :] * D * np.sin(C * np.arctan(B * x - E * (B * x - np.arctan(B * x))))


def pacejka94_lateral(alpha_deg, Fz_kN, a=(1.3, -22.1, 1011.0, 1078.0, 1.82, 0.208, 0.0,
                                          -0.354, 0.707)):
    # load-dependent coefficients from the a-vector, as the Pacejka '94 tutorials write it
    a0, a1, a2, a3, a4, a5, a6, a7, a8 = a
    C = a0
    D = a1 * Fz_kN ** 2 + a2 * Fz_kN
    BCD = a3 * np.sin(2 * np.arctan(Fz_kN / a4)) * (1 - a5 * 0.0)
    B = BCD / (C * D)
    E = a6 * Fz_kN ** 2 + a7 * Fz_kN + a8
    phi = (1 - E) * alpha_deg + E / B * np.arctan(B * alpha_deg)
    return D * np.sin(C * np.arctan(B * phi))


def friction_ellipse(Fx0, Fy0, mu, Fz):
    # combined slip: the longitudinal force limited by the lateral one used
    Fy = np.clip(Fy0, -mu * Fz, mu * Fz)
    Fx = Fx0 * np.sqrt(np.maximum(1 - (Fy / (mu * Fz)) ** 2, 0.0))
    return Fx, Fy, np.hypot(Fx, Fy) / (mu * Fz)


def slip_ratio(omega, R, V, eps=0.1):
    kappa = (omega * R - V) / np.maximum(np.abs(V), eps)
    braking = kappa < 0
    return kappa, braking, np.where(braking, -kappa, 0.0).max()


def half_car_modes(m, Iy, kf, kr, a, b):
    # bounce and pitch frequencies of a half-car: eigenvalues of M^-1 K
    M = np.diag([m, Iy])
    K = np.array([[kf + kr, -kf * a + kr * b], [-kf * a + kr * b, kf * a ** 2 + kr * b ** 2]])
    w2 = np.linalg.eigvals(np.linalg.solve(M, K))
    return np.sort(np.sqrt(w2) / (2 * np.pi))


def dead_reckoning_cumsum(v, yaw_rate, dt, x0=0.0, y0=0.0, psi0=0.0):
    psi = psi0 + np.concatenate(([0.0], np.cumsum(yaw_rate[:-1] * dt)))
    x = x0 + np.cumsum(v * np.cos(psi) * dt)
    y = y0 + np.cumsum(v * np.sin(psi) * dt)
    return np.column_stack((x, y, psi))


def dead_reckoning_loop(v, yaw_rate, dt=0.1):
    # the same integration as a list of tuples, midpoint heading
    x = y = psi = 0.0
    traj = [(x, y, psi)]
    for k in range(len(v)):
        psi_mid = psi + 0.5 * yaw_rate[k] * dt
        x += v[k] * np.cos(psi_mid) * dt
        y += v[k] * np.sin(psi_mid) * dt
        psi += yaw_rate[k] * dt
        traj.append((x, y, psi))
    return np.array(traj)


def wheel_odometry(ticks_left, ticks_right, ticks_per_rev=4096, r=0.033, b=0.16):
    # integer encoder counts to distances, differential drive, heading wrapped by arctan2
    dl = np.diff(ticks_left) * 2 * np.pi * r / ticks_per_rev
    dr = np.diff(ticks_right) * 2 * np.pi * r / ticks_per_rev
    ds = (dl + dr) / 2
    dth = (dr - dl) / b
    th = np.cumsum(dth)
    th_mid = th - dth / 2
    x = np.cumsum(ds * np.cos(th_mid))
    y = np.cumsum(ds * np.sin(th_mid))
    return x, y, np.arctan2(np.sin(th), np.cos(th))


def curvature_gradient(x, y):
    dx, dy = np.gradient(x), np.gradient(y)
    ddx, ddy = np.gradient(dx), np.gradient(dy)
    return (dx * ddy - dy * ddx) / (dx ** 2 + dy ** 2) ** 1.5


def curvature_arclength(x, y):
    # derivatives with respect to arc length, non-uniform spacing given as an array
    s = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))))
    dx, dy = np.gradient(x, s), np.gradient(y, s)
    ddx, ddy = np.gradient(dx, s), np.gradient(dy, s)
    k = (dx * ddy - dy * ddx) / np.power(dx * dx + dy * dy, 1.5)
    return s, k


def curvature_edge_order2(path, dt):
    vel = np.gradient(path, dt, axis=0, edge_order=2)
    acc = np.gradient(vel, dt, axis=0, edge_order=2)
    cross = vel[:, 0] * acc[:, 1] - vel[:, 1] * acc[:, 0]
    speed = np.linalg.norm(vel, axis=1)
    return cross / speed ** 3, speed


def curvature_menger(x, y):
    # three-point circumcircle curvature on interior points, signed by the cross product
    ax, ay = x[:-2], y[:-2]
    bx, by = x[1:-1], y[1:-1]
    cx, cy = x[2:], y[2:]
    cross = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    ab = np.hypot(bx - ax, by - ay)
    bc = np.hypot(cx - bx, cy - by)
    ca = np.hypot(ax - cx, ay - cy)
    k = 2 * cross / (ab * bc * ca)
    return np.pad(k, 1, mode="edge")


def heading_unwrap(x, y):
    yaw = np.arctan2(np.diff(y), np.diff(x))
    yaw = np.append(yaw, yaw[-1])
    return np.unwrap(yaw), np.ptp(np.degrees(np.unwrap(yaw)))


def pure_pursuit(x, y, yaw, v, cx, cy, Lfc=2.0, k=0.1, WB=2.9):
    # nearest point and the point closest to the lookahead distance, both by argmin
    d = np.hypot(cx - x, cy - y)
    ind = np.argmin(d)
    Lf = k * v + Lfc
    target = np.argmin(np.abs(d - Lf))
    tx, ty = cx[target], cy[target]
    alpha = np.arctan2(ty - y, tx - x) - yaw
    delta = np.arctan2(2.0 * WB * np.sin(alpha) / Lf, 1.0)
    return ind, target, delta


def pure_pursuit_sim(cx, cy, v=5.0, dt=0.1, steps=15, Lf=3.0, WB=2.9):
    # a closed loop over a fixed horizon: target by argmin each step, a traced index
    x, y, yaw = cx[0], cy[0] - 1.0, 0.0
    out = np.zeros((steps, 3))
    for k in range(steps):
        d = np.hypot(cx - x, cy - y)
        i = np.argmin(np.abs(d - Lf))
        alpha = np.arctan2(cy[i] - y, cx[i] - x) - yaw
        delta = np.arctan(2.0 * WB * np.sin(alpha) / Lf)
        x = x + v * np.cos(yaw) * dt
        y = y + v * np.sin(yaw) * dt
        yaw = yaw + v / WB * np.tan(delta) * dt
        out[k] = [x, y, yaw]
    return out


def stanley_control(x, y, yaw, v, cx, cy, cyaw, k=0.5, L=2.9):
    fx, fy = x + L * np.cos(yaw), y + L * np.sin(yaw)
    d = np.hypot(fx - cx, fy - cy)
    ind = np.argmin(d)
    front_axle_vec = [-np.cos(yaw + np.pi / 2), -np.sin(yaw + np.pi / 2)]
    e = np.dot([fx - cx[ind], fy - cy[ind]], front_axle_vec)
    theta_e = (cyaw[ind] - yaw + np.pi) % (2 * np.pi) - np.pi
    theta_d = np.arctan2(k * e, v)
    return theta_e + theta_d, ind, e


def resample_path(x, y, ds=0.5, n_out=20):
    # arc-length reparameterisation by np.interp onto a uniform grid
    seg = np.hypot(np.diff(x), np.diff(y))
    s = np.r_[0, np.cumsum(seg)]
    s_new = np.linspace(0, s[-1], n_out)
    return s_new, np.interp(s_new, s, x), np.interp(s_new, s, y)


def spline_path(x, y, n_out=25):
    s = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))))
    cs_x = scipy.interpolate.CubicSpline(s, x)
    cs_y = scipy.interpolate.CubicSpline(s, y)
    t = np.linspace(0, s[-1], n_out)
    dx, dy = cs_x(t, 1), cs_y(t, 1)
    ddx, ddy = cs_x(t, 2), cs_y(t, 2)
    return cs_x(t), cs_y(t), (dx * ddy - dy * ddx) / (dx ** 2 + dy ** 2) ** 1.5


def speed_profile(kappa, ds, v_max=30.0, a_lat=3.0, a_lon=2.0):
    # curvature limit, then forward (acceleration) and backward (braking) passes
    v = np.minimum(v_max, np.sqrt(a_lat / np.maximum(np.abs(kappa), 1e-6)))
    for i in range(1, len(v)):
        v[i] = min(v[i], np.sqrt(v[i - 1] ** 2 + 2 * a_lon * ds[i - 1]))
    for i in range(len(v) - 2, -1, -1):
        v[i] = min(v[i], np.sqrt(v[i + 1] ** 2 + 2 * a_lon * ds[i]))
    return v


def road_load_energy(t, v, grade, m=1600.0, CdA=0.65, Crr=0.01, eta_regen=0.6):
    a = np.gradient(v, t)
    F = m * a + 0.5 * 1.2 * CdA * v ** 2 + m * G0 * Crr * np.cos(grade) + m * G0 * np.sin(grade)
    P = F * v
    e_trac = np.trapezoid(np.maximum(P, 0), t) / 3.6e6
    e_regen = np.trapezoid(np.minimum(P, 0), t) * eta_regen / 3.6e6
    dist = np.trapezoid(v, t) / 1000
    return e_trac, e_regen, (e_trac + e_regen) / dist * 100


def gear_selection(v, shift_up, ratios, final_drive=3.9, r_wheel=0.31):
    gear = np.searchsorted(shift_up, v)
    rpm = v / (2 * np.pi * r_wheel) * ratios[gear] * final_drive * 60
    return gear + 1, rpm, np.digitize(v, shift_up)


def fuel_map_interp(rpm, torque, rpm_grid, torque_grid, bsfc):
    # a brake-specific fuel consumption map, as scipy's RegularGridInterpolator reads it
    interp = scipy.interpolate.RegularGridInterpolator((rpm_grid, torque_grid), bsfc)
    b = interp(np.column_stack([rpm, torque]))
    power_kw = torque * rpm * 2 * np.pi / 60 / 1000
    return b, b * power_kw / 1000


def ackermann(R, L=2.7, w=1.6):
    delta_i = np.arctan(L / (R - w / 2))
    delta_o = np.arctan(L / (R + w / 2))
    return np.degrees(delta_i), np.degrees(delta_o), np.degrees(np.arctan(L / R))


def occupancy_grid_add_at(px, py, grid_shape=(10, 10), res=1.0, l_occ=0.85):
    grid = np.zeros(grid_shape)
    ix = np.clip((px / res).astype(int), 0, grid_shape[1] - 1)
    iy = np.clip((py / res).astype(int), 0, grid_shape[0] - 1)
    np.add.at(grid, (iy, ix), l_occ)
    prob = 1 - 1 / (1 + np.exp(grid))
    return grid, prob


def occupancy_bincount(px, py, nx=8, ny=8, res=0.5):
    ix = np.floor(px / res).astype(np.int64)
    iy = np.floor(py / res).astype(np.int64)
    inside = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
    flat = np.where(inside, iy * nx + ix, 0)
    counts = np.bincount(flat, weights=inside.astype(float), minlength=nx * ny)
    return counts.reshape(ny, nx) > 0


def lidar_scan(ranges, angle_min, angle_inc, pose, max_range=10.0):
    angles = angle_min + angle_inc * np.arange(len(ranges)) + pose[2]
    valid = (ranges > 0.05) & (ranges < max_range)
    r = np.where(valid, ranges, np.nan)
    pts = np.column_stack((pose[0] + r * np.cos(angles), pose[1] + r * np.sin(angles)))
    return pts, np.nanmean(pts, axis=0), np.nanmin(r)


def collision_check(centers, radius):
    # pairwise distances between vehicles' bounding circles, the upper triangle only
    d = np.linalg.norm(centers[:, None, :] - centers[None, :, :], axis=-1)
    iu = np.triu(np.ones_like(d, dtype=bool), k=1)
    hits = (d < 2 * radius) & iu
    return hits.any(axis=1), hits.sum(), np.where(iu, d, np.inf).min()


def frenet_projection(px, py, cx, cy):
    # project points onto a polyline: the nearest vertex by argmin over a distance matrix
    D = np.hypot(px[:, None] - cx[None, :], py[:, None] - cy[None, :])
    idx = np.argmin(D, axis=1)
    idx = np.minimum(idx, len(cx) - 2)
    tx, ty = cx[idx + 1] - cx[idx], cy[idx + 1] - cy[idx]
    tl = np.hypot(tx, ty)
    dxp, dyp = px - cx[idx], py - cy[idx]
    s_seg = (dxp * tx + dyp * ty) / tl
    d = (tx * dyp - ty * dxp) / tl
    s0 = np.r_[0.0, np.cumsum(np.hypot(np.diff(cx), np.diff(cy)))]
    return s0[idx] + s_seg, d


def _path(s, n):
    t = np.linspace(0, 2 * np.pi, 6 * n)
    return 20 * np.cos(t) + 0.2 * s * t, 12 * np.sin(t) + t


def _scurve(s, n):
    x = np.linspace(0, 30, 5 * n)
    return x, 3 * np.sin(x / (5 + s))


VEHICLES = {
    "bicycle_kinematic_rows": (bicycle_kinematic, {}, lambda s, n: (
        0.0, 0.0, 0.1 * s, 5.0, _f(3 * n, seed=s) * 0.5, _f(3 * n, seed=s + 1) * 0.1)),
    "bicycle_fleet_column_stack": (bicycle_fleet, {"steps": 8}, lambda s, n: (
        np.column_stack([_f(n, seed=s), _f(n, seed=s + 1), _f(n, seed=s + 2),
                         _pos(s, n, lo=2, hi=10)]), _f(n, seed=s + 3), _f(n, seed=s + 4) * 0.2)),
    "vehicle_state_object": (update_state, {}, lambda s, n: (
        VehicleState(_f(n, seed=s), _f(n, seed=s + 1), _f(n, seed=s + 2),
                     _pos(s, n, lo=1, hi=5)), 0.5, _f(n, seed=s + 3))),
    "dynamic_bicycle_linear_tyres": (dynamic_bicycle, {"steps": 15}, lambda s, n: (
        20.0 + s, 0.0, 0.0, 0.05 * np.sin(np.linspace(0, 3, 25)))),
    "half_car_modes_eigvals_solve": (half_car_modes, {}, lambda s, n: (1200.0 + 100 * s, 2000.0, 3.5e4, 3.8e4, 1.2, 1.5)),
    "magic_formula_grid": (magic_formula, {}, lambda s, n: (
        np.linspace(-0.3, 0.3, 3 * n), _pos(s, n, lo=2000, hi=6000))),
    "pacejka94_load_dependent": (pacejka94_lateral, {}, lambda s, n: (
        np.linspace(-12, 12, 4 * n)[:, None], _pos(s, n, lo=2, hi=8)[None, :])),
    "friction_ellipse": (friction_ellipse, {}, lambda s, n: (
        _f(n, seed=s) * 3000, _f(n, seed=s + 1) * 5000, 0.9, 4000.0 + 100 * s)),
    "slip_ratio_braking": (slip_ratio, {}, lambda s, n: (
        _pos(s, 2 * n, lo=20, hi=80), 0.31, _pos(s + 1, 2 * n, lo=0, hi=25))),
    "dead_reckoning_cumsum": (dead_reckoning_cumsum, {}, lambda s, n: (
        _pos(s, 5 * n, lo=0, hi=10), _f(5 * n, seed=s) * 0.1, 0.1)),
    "dead_reckoning_list_tuples": (dead_reckoning_loop, {}, lambda s, n: (
        _pos(s, 3 * n, lo=0, hi=10), _f(3 * n, seed=s) * 0.2)),
    "wheel_odometry_int_ticks": (wheel_odometry, {}, lambda s, n: (
        np.cumsum(_i(200, 5 * n, seed=s)), np.cumsum(_i(220, 5 * n, seed=s + 1)))),
    "curvature_np_gradient": (curvature_gradient, {}, lambda s, n: _path(s, n)),
    "curvature_gradient_arclength": (curvature_arclength, {}, lambda s, n: _path(s, n)),
    "curvature_gradient_edge_order2": (curvature_edge_order2, {}, lambda s, n: (
        np.column_stack(_path(s, n)), 0.1)),
    "curvature_menger_pad_edge": (curvature_menger, {}, lambda s, n: _path(s, n)),
    "heading_unwrap_ptp": (heading_unwrap, {}, lambda s, n: _path(s, n)),
    "pure_pursuit_argmin": (pure_pursuit, {}, lambda s, n: (
        0.5, -0.5, 0.1 * s, 5.0, *_scurve(s, n))),
    "pure_pursuit_closed_loop": (pure_pursuit_sim, {"steps": 8}, lambda s, n: _scurve(s, n)),
    "stanley_dot_of_lists": (stanley_control, {}, lambda s, n: (
        1.0, 0.5, 0.05 * s, 4.0, *_scurve(s, n), np.arctan(np.gradient(_scurve(s, n)[1],
                                                                     _scurve(s, n)[0])))),
    "resample_path_interp": (resample_path, {}, lambda s, n: _path(s, n)),
    "speed_profile_two_passes": (speed_profile, {}, lambda s, n: (
        curvature_gradient(*_path(s, n)), np.hypot(*np.gradient(np.array(_path(s, n)),
                                                               axis=1)))),
    "road_load_energy_trapezoid": (road_load_energy, {}, lambda s, n: (
        np.linspace(0, 60, 10 * n), 15 + 10 * np.sin(np.linspace(0, 3 + s, 10 * n)),
        0.02 * np.sin(np.linspace(0, 6, 10 * n)))),
    "gear_searchsorted_digitize": (gear_selection, {}, lambda s, n: (
        _pos(s, 3 * n, lo=0, hi=40), np.array([5.0, 10.0, 16.0, 24.0, 32.0]),
        np.array([3.6, 2.1, 1.4, 1.0, 0.8, 0.65]))),
    "ackermann_geometry": (ackermann, {}, lambda s, n: (_pos(s, n, lo=5, hi=50),)),
    "occupancy_grid_add_at": (occupancy_grid_add_at, {}, lambda s, n: (
        _pos(s, 5 * n, lo=0, hi=10), _pos(s + 1, 5 * n, lo=0, hi=10))),
    "occupancy_bincount_minlength": (occupancy_bincount, {}, lambda s, n: (
        _pos(s, 5 * n, lo=-1, hi=5), _pos(s + 1, 5 * n, lo=-1, hi=5))),
    "lidar_scan_nan_mask": (lidar_scan, {}, lambda s, n: (
        np.where(_u(s, 8 * n) < 0.2, 0.0, _pos(s, 8 * n, lo=0.5, hi=12)), -np.pi / 2,
        np.pi / (8 * n), np.array([1.0, 2.0, 0.1 * s]))),
    "collision_check_triu": (collision_check, {}, lambda s, n: (
        _pos(s, n, 2, lo=0, hi=10), 1.0 + 0.2 * s)),
    "frenet_projection_argmin_axis": (frenet_projection, {}, lambda s, n: (
        _pos(s, n, lo=0, hi=30), _pos(s + 1, n, lo=-3, hi=3), *_scurve(s, n))),
}


@pytest.mark.parametrize("name", _names(VEHICLES))
def test_vehicles_match_numpy(name):
    """Kinematic and dynamic bicycle models, a state object, tyre models, dead reckoning and
    odometry, path curvature and resampling, pure pursuit and Stanley, speed profiles,
    road-load energy, gears and fuel maps, occupancy grids, LiDAR scans and collisions."""
    check_like_numpy(*VEHICLES[name])


# ====================================================================== traffic and transport


def nasch_positions(pos, vel, rng, L=100, vmax=5, p=0.3, steps=20):
    # Nagel-Schreckenberg on a ring, cars as sorted positions, the gap to the car ahead by roll
    hist = np.zeros((steps, len(pos)), dtype=int)
    for t in range(steps):
        gap = (np.roll(pos, -1) - pos - 1) % L
        vel = np.minimum(vel + 1, vmax)
        vel = np.minimum(vel, gap)
        slow = rng.random(len(pos)) < p
        vel = np.where(slow, np.maximum(vel - 1, 0), vel)
        pos = (pos + vel) % L
        hist[t] = pos
    return hist, vel, vel.mean()


def nasch_inplace(x, v, rng, L=80, vmax=5, p=0.25, steps=15):
    # the same rules with in-place mask writes on the arguments, flow at a detector
    flow = 0
    for _ in range(steps):
        gaps = (np.roll(x, -1) - x - 1) % L
        v[v < vmax] += 1
        v[:] = np.minimum(v, gaps)
        v[rng.random(len(x)) < p] -= 1
        np.maximum(v, 0, out=v)
        old = x.copy()
        x += v
        x %= L
        flow += np.sum(x < old)
    return flow / steps, v.mean()


def nasch_density_sweep(densities, rng, L=60, vmax=5, p=0.2, steps=12):
    # one ring per density in a Python list comprehension of the initial lattices
    flows = []
    for rho in densities:
        n = int(rho * L)
        x = np.arange(n) * (L // n)
        v = np.zeros(n, dtype=np.int64)
        for _ in range(steps):
            gap = (np.roll(x, -1) - x - 1) % L
            v = np.minimum(np.minimum(v + 1, vmax), gap)
            v = np.where(rng.random(n) < p, np.maximum(v - 1, 0), v)
            x = (x + v) % L
        flows.append(v.sum() / L)
    return np.array(flows)


def idm_accel(v, dv, s, v0=30.0, T=1.5, a=1.0, b=1.5, s0=2.0, delta=4):
    s_star = s0 + np.maximum(0, v * T + v * dv / (2 * np.sqrt(a * b)))
    return a * (1 - (v / v0) ** delta - (s_star / s) ** 2)


def idm_ring(x, v, L, steps=30, dt=0.5, length=5.0):
    # the intelligent driver model on a ring road, positions kept unwrapped
    X = np.empty((steps + 1, len(x)))
    X[0] = x
    for k in range(steps):
        lead = np.roll(x, -1)
        lead[-1] += L
        s = lead - x - length
        dv = v - np.roll(v, -1)
        acc = idm_accel(v, dv, s)
        v = np.maximum(v + acc * dt, 0)
        x = x + v * dt
        X[k + 1] = x
    return X, v


def idm_platoon(x_lead, v_lead, x0, v0, dt=0.2, length=4.5, params=None):
    # followers behind a given leader trajectory, the gap to the car in front by slicing
    p = {"v0": 33.3, "T": 1.2, "a": 1.5, "b": 2.0, "s0": 2.0} if params is None else params
    x, v = x0.copy(), v0.copy()
    steps = len(x_lead)
    xs = np.zeros((steps, len(x)))
    for k in range(steps):
        front_x = np.concatenate(([x_lead[k]], x[:-1]))
        front_v = np.concatenate(([v_lead[k]], v[:-1]))
        s = front_x - x - length
        s_star = p["s0"] + v * p["T"] + v * (v - front_v) / (2 * np.sqrt(p["a"] * p["b"]))
        acc = p["a"] * (1 - (v / p["v0"]) ** 4 - (s_star / s) ** 2)
        v = np.clip(v + acc * dt, 0, None)
        x = x + v * dt
        xs[k] = x
    return xs, np.diff(xs, axis=1).min()


def optimal_velocity(x, v, L, steps=30, dt=0.1, alpha=1.0, vmax=2.0, hc=2.0):
    # Bando's model: relax towards V(headway) = vmax/2 (tanh(h - hc) + tanh(hc))
    for _ in range(steps):
        h = (np.roll(x, -1) - x) % L
        V = vmax / 2 * (np.tanh(h - hc) + np.tanh(hc))
        v = v + alpha * (V - v) * dt
        x = x + v * dt
    return x % L, v, np.std(v)


def gipps_step(x, v, x_lead, v_lead, tau=0.7, a=1.7, b=-3.0, b_hat=-3.5, V=30.0, s=6.5):
    v_acc = v + 2.5 * a * tau * (1 - v / V) * np.sqrt(0.025 + v / V)
    disc = b ** 2 * tau ** 2 - b * (2 * (x_lead - s - x) - v * tau - v_lead ** 2 / b_hat)
    v_dec = b * tau + np.sqrt(np.maximum(disc, 0.0))
    return np.minimum(v_acc, v_dec)


def greenshields_flux(rho, vf, rho_max):
    return vf * rho * (1 - rho / rho_max)


def lwr_godunov(rho, vf, rho_max, dx, dt, steps=20):
    # demand and supply, the interface flux their minimum, the argument updated in place
    rho_c = rho_max / 2
    qmax = greenshields_flux(rho_c, vf, rho_max)
    for _ in range(steps):
        q = greenshields_flux(rho, vf, rho_max)
        demand = np.where(rho <= rho_c, q, qmax)
        supply = np.where(rho <= rho_c, qmax, q)
        F = np.minimum(demand[:-1], supply[1:])
        rho[1:-1] -= dt / dx * (F[1:] - F[:-1])
    return rho


def lwr_godunov_riemann(rho, vf, rho_max, dx, dt, steps=20):
    # the exact Riemann flux by cases, periodic through np.roll
    rc = rho_max / 2

    def f(r):
        return vf * r * (1 - r / rho_max)

    for _ in range(steps):
        rl, rr = rho, np.roll(rho, -1)
        F = np.where(rl <= rr, np.minimum(f(rl), f(rr)),
                     np.where((rl > rc) & (rc > rr), f(rc), np.maximum(f(rl), f(rr))))
        rho = rho - dt / dx * (F - np.roll(F, 1))
    return rho, rho.sum() * dx


def lwr_lax_friedrichs(rho, u_max, rho_max, dx, dt, steps=25):
    rho = rho.copy()
    for _ in range(steps):
        f = u_max * rho * (1 - rho / rho_max)
        rho = 0.5 * (np.roll(rho, 1) + np.roll(rho, -1)) - dt / (2 * dx) * (
            np.roll(f, -1) - np.roll(f, 1))
    return rho


def lwr_padded_upwind(rho, vf, rho_max, dx, dt, inflow, steps=15):
    # ghost cells by np.pad edge, an inflow density at the upstream boundary
    for _ in range(steps):
        r = np.pad(rho, 1, mode="edge")
        r[0] = inflow
        q = vf * r * (1 - r / rho_max)
        rho = rho - dt / dx * (q[1:-1] - q[:-2])
        rho = np.clip(rho, 0, rho_max)
    return rho


def cell_transmission(n0, demand_in, Q, N, w_over_v=0.5, steps=20):
    # Daganzo's CTM: sending and receiving functions, inflows into the first cell
    n = n0.astype(float)
    out = np.zeros((steps, len(n)))
    exits = 0.0
    for t in range(steps):
        send = np.minimum(n, Q)
        recv = np.minimum(Q, w_over_v * (N - n))
        y = np.minimum(send[:-1], recv[1:])
        y_in = min(demand_in[t], recv[0])
        y_out = send[-1]
        n[0] += y_in - y[0]
        n[1:-1] += y[:-1] - y[1:]
        n[-1] += y[-1] - y_out
        exits += y_out
        out[t] = n
    return out, exits


def floyd_warshall_broadcast(W):
    D = W.copy()
    n = D.shape[0]
    for k in range(n):
        D = np.minimum(D, D[:, k, None] + D[None, k, :])
    return D


def floyd_warshall_outer(W):
    D = np.array(W, dtype=float)
    for k in range(len(D)):
        D = np.minimum(D, np.add.outer(D[:, k], D[k, :]))
    return D


def floyd_warshall_minimum_outer(W):
    # the same recurrence with np.minimum.outer of the row and column through k
    D = W.copy()
    for k in range(len(D)):
        via = np.add.outer(D[:, k], D[k])
        D = np.minimum.reduce([D, via])
    return D


def floyd_warshall_predecessors(W):
    n = len(W)
    D = W.copy()
    P = np.where(np.isfinite(W), np.arange(n)[:, None], -1)
    np.fill_diagonal(P, -1)
    for k in range(n):
        alt = D[:, [k]] + D[[k], :]
        better = alt < D
        D = np.where(better, alt, D)
        P = np.where(better, P[k][None, :], P)
    return D, P


def floyd_warshall_loops(W):
    n = len(W)
    dist = W.copy()
    for k in range(n):
        for i in range(n):
            for j in range(n):
                dist[i, j] = min(dist[i, j], dist[i, k] + dist[k, j])
    return dist


def bellman_ford_fixed(W, src=0):
    n = len(W)
    d = np.full(n, np.inf)
    d[src] = 0.0
    for _ in range(n - 1):
        d = np.minimum(d, np.min(d[:, None] + W, axis=0))
    return d


def dijkstra_dense(W, src=0):
    # n rounds: the closest unvisited node by argmin, a traced index into W and visited
    n = W.shape[0]
    dist = np.full(n, np.inf)
    dist[src] = 0
    visited = np.zeros(n, dtype=bool)
    for _ in range(n):
        u = np.argmin(np.where(visited, np.inf, dist))
        visited[u] = True
        dist = np.minimum(dist, dist[u] + W[u])
    return dist


def furness(O, D, C, beta, n_iter=20):
    # a doubly constrained gravity model: exponential deterrence, row and column balancing
    F = np.exp(-beta * C)
    T = np.outer(O, D) * F
    for _ in range(n_iter):
        T *= (O / T.sum(axis=1))[:, None]
        T *= D / T.sum(axis=0)
    return T, np.abs(T.sum(axis=1) - O).max()


def gravity_balancing_factors(O, D, C, beta, n_iter=15):
    # the same model written with A_i and B_j, as the textbooks give it
    f = np.exp(-beta * C)
    B = np.ones_like(D)
    for _ in range(n_iter):
        A = 1.0 / (f @ (B * D))
        B = 1.0 / (f.T @ (A * O))
    T = (A * O)[:, None] * (B * D)[None, :] * f
    mean_cost = (T * C).sum() / T.sum()
    return T, mean_cost


def gravity_singly_constrained(O, attractiveness, C, gamma=2.0):
    C = C.copy()
    np.fill_diagonal(C, 0.5 * C.max())
    f = C ** -gamma
    w = attractiveness[None, :] * f
    return O[:, None] * w / w.sum(axis=1, keepdims=True)


def calibrate_beta_hyman(O, D, C, target_cost, n_outer=4, n_inner=10):
    # Hyman's method: secant updates of beta to match the observed mean trip cost
    beta0 = 1.0 / target_cost
    beta1 = 1.5 * beta0
    c0 = gravity_balancing_factors(O, D, C, beta0, n_inner)[1]
    for _ in range(n_outer):
        c1 = gravity_balancing_factors(O, D, C, beta1, n_inner)[1]
        beta0, beta1 = beta1, (beta1 * (target_cost - c0) - beta0 * (target_cost - c1)) / (
            c1 - c0)
        c0 = c1
    return beta1


def logit_mode_choice(time, cost, asc, b_time=-0.05, b_cost=-0.3):
    U = asc[None, :] + b_time * time + b_cost * cost
    expU = np.exp(U - U.max(axis=1, keepdims=True))
    P = expU / expU.sum(axis=1, keepdims=True)
    logsum = np.log(np.sum(np.exp(U), axis=1))
    return P, P.mean(axis=0), logsum


def nested_logit(U, nests, mu):
    # two-level nested logit: inclusive values per nest by masks of a nest-id array
    n_nests = len(mu)
    P = np.zeros_like(U)
    iv = np.zeros((U.shape[0], n_nests))
    for m in range(n_nests):
        in_nest = nests == m
        e = np.exp(U / mu[m]) * in_nest
        iv[:, m] = mu[m] * np.log(e.sum(axis=1))
        P += e / e.sum(axis=1, keepdims=True)
    Pn = np.exp(iv) / np.exp(iv).sum(axis=1, keepdims=True)
    return P * Pn[:, nests], Pn


def bpr(v, t0, cap, alpha=0.15, beta=4):
    return t0 * (1 + alpha * (v / cap) ** beta)


def msa_all_or_nothing(demand, t0, cap, n_iter=5):
    # method of successive averages on parallel routes, all-or-nothing by argmin
    x = np.zeros_like(t0)
    for k in range(1, n_iter + 1):
        t = bpr(x, t0, cap)
        y = np.zeros_like(t0)
        y[np.argmin(t)] = demand
        x = x + (y - x) / k
    return x, bpr(x, t0, cap)


def msa_logit_sue(demand, t0, cap, theta=0.5, n_iter=25):
    # stochastic user equilibrium: logit loading averaged by MSA
    x = demand * np.ones_like(t0) / len(t0)
    for k in range(1, n_iter + 1):
        t = bpr(x, t0, cap)
        p = np.exp(-theta * t)
        y = demand * p / p.sum()
        x += (y - x) / k
    t = bpr(x, t0, cap)
    return x, t, np.sum(x * t)


def emission_factors_interp(speed_kmh, length_km, speed_tab, ef_tab):
    ef = np.interp(speed_kmh, speed_tab, ef_tab)
    return ef * length_km, np.sum(ef * length_km)


def copert_rational(v, coef):
    # COPERT-style EF(v) = (a + c v + e v^2) / (1 + b v + d v^2) per vehicle class (rows)
    a, b, c, d, e = coef.T[:, :, None]
    return (a + c * v + e * v ** 2) / (1 + b * v + d * v ** 2)


def fuel_polyval(speed, accel, coeffs):
    base = np.polyval(coeffs, speed)
    return np.where(accel > 0, base * (1 + 0.1 * accel), base)


def webster_timing(q, s, lost_time=12.0):
    # critical flow ratios per phase (rows) by max, cycle length and green splits
    y = q / s
    Y = y.max(axis=1).sum()
    C0 = (1.5 * lost_time + 5) / (1 - Y)
    g = (C0 - lost_time) * y.max(axis=1) / Y
    lam = g / C0
    x = y.max(axis=1) / lam
    qc = q.max(axis=1)
    d = C0 * (1 - lam) ** 2 / (2 * (1 - lam * x)) + x ** 2 / (2 * qc * (1 - x))
    return C0, g, d


def greenshields_fit(k, v):
    slope, vf = np.polyfit(k, v, 1)
    kj = -vf / slope
    return vf, kj, vf * kj / 4


def travel_time_reliability(tt):
    p50, p95 = np.percentile(tt, [50, 95], axis=0)
    mean = tt.mean(axis=0)
    return {"buffer_index": (p95 - mean) / mean, "planning_time_index": p95 / tt.min(axis=0),
            "median": p50}


def n_curves(arrivals, departures, grid):
    A = np.searchsorted(np.sort(arrivals), grid, side="right")
    Dp = np.searchsorted(np.sort(departures), grid, side="right")
    queue = A - Dp
    return queue, np.trapezoid(queue, grid), queue.max()


def od_matrix_add_at(orig, dest, n_zones=5):
    od = np.zeros((n_zones, n_zones), dtype=np.int64)
    np.add.at(od, (orig, dest), 1)
    return od, od.sum(axis=1), od.sum(axis=0)


def od_matrix_bincount(orig, dest, weights, n_zones=5):
    flat = orig * n_zones + dest
    od = np.bincount(flat, weights=weights, minlength=n_zones * n_zones)
    return od.reshape(n_zones, n_zones)


def headway_stats(t_pass):
    h = np.diff(np.sort(t_pass))
    return h.mean(), h.std(ddof=1) / h.mean(), 3600 / h.mean(), np.mean(h < 2.0)


def trip_length_histogram(lengths, weights):
    counts, edges = np.histogram(lengths, bins=np.arange(0, 55, 5), weights=weights)
    centers = 0.5 * (edges[1:] + edges[:-1])
    return counts / counts.sum(), (counts * centers).sum() / counts.sum()


def _ring(s, n, L=100):
    x = np.sort(np.random.default_rng(s).choice(L, 3 * n, replace=False))
    return x, np.random.default_rng(s + 1).integers(0, 3, 3 * n)


def _graph(s, n):
    W = _pos(s, n, n, lo=1, hi=10)
    W[_u(s + 1, n, n) < 0.4] = np.inf
    np.fill_diagonal(W, 0.0)
    return W


def _ring_float(s, n, L=200.0):
    return np.linspace(0, L, 3 * n, endpoint=False) + _u(s, 3 * n), np.full(3 * n, 10.0 + s)


TRAFFIC = {
    "nasch_generator_roll_gaps": (nasch_positions, {"steps": 10}, lambda s, n: (
        *_ring(s, n), np.random.default_rng(s))),
    "nasch_inplace_mask_writes": (nasch_inplace, {"steps": 8}, lambda s, n: (
        *_ring(s, n, 80), np.random.default_rng(s))),
    "nasch_density_sweep": (nasch_density_sweep, {"steps": 8}, lambda s, n: (
        [0.1, 0.2, 0.05 * n], np.random.default_rng(s))),
    "idm_ring_unwrapped": (idm_ring, {"steps": 12}, lambda s, n: (*_ring_float(s, n), 200.0)),
    "idm_platoon_param_dict": (idm_platoon, {}, lambda s, n: (
        100 + np.cumsum(np.full(3 * n, 2.0 + 0.1 * s)), np.full(3 * n, 20.0),
        -np.arange(n) * 30.0, np.full(n, 20.0))),
    "optimal_velocity_bando": (optimal_velocity, {"steps": 12}, lambda s, n: (
        np.arange(3 * n) * 2.0 + 0.1 * _u(s, 3 * n), np.full(3 * n, 1.0), 6.0 * n)),
    "gipps_step": (gipps_step, {}, lambda s, n: (
        np.zeros(n), _pos(s, n, lo=5, hi=25), _pos(s + 1, n, lo=20, hi=60),
        _pos(s + 2, n, lo=0, hi=25))),
    "lwr_godunov_demand_supply_inplace": (lwr_godunov, {"steps": 8}, lambda s, n: (
        np.where(np.arange(8 * n) < 4 * n, 0.8, 0.2) * 120 + s, 100.0, 150.0, 0.1, 0.0005)),
    "lwr_godunov_riemann_roll": (lwr_godunov_riemann, {"steps": 8}, lambda s, n: (
        60 + 40 * np.sin(np.linspace(0, 2 * np.pi, 8 * n, endpoint=False)) + s, 100.0, 150.0,
        0.1, 0.0005)),
    "lwr_lax_friedrichs_roll": (lwr_lax_friedrichs, {"steps": 10}, lambda s, n: (
        np.exp(-((np.linspace(0, 1, 8 * n) - 0.3) ** 2) / 0.01) * 100 + 10 * s, 1.0, 150.0,
        1 / (8 * n), 0.5 / (8 * n))),
    "lwr_pad_edge_inflow": (lwr_padded_upwind, {"steps": 12}, lambda s, n: (
        np.full(6 * n, 20.0), 100.0, 150.0, 0.1, 0.0008, 40.0 + s)),
    "cell_transmission_python_min": (cell_transmission, {"steps": 10}, lambda s, n: (
        _i(10, 2 * n, seed=s), _pos(s, 15, lo=0, hi=6), 5.0, 20.0)),
    "floyd_warshall_broadcast": (floyd_warshall_broadcast, {}, lambda s, n: (_graph(s, n),)),
    "floyd_warshall_add_outer": (floyd_warshall_outer, {}, lambda s, n: (_graph(s, n),)),
    "floyd_warshall_minimum_reduce": (floyd_warshall_minimum_outer, {}, lambda s, n: (
        _graph(s, n),)),
    "floyd_warshall_predecessors": (floyd_warshall_predecessors, {}, lambda s, n: (_graph(s, n),)),
    "floyd_warshall_triple_loop": (floyd_warshall_loops, {}, lambda s, n: (_graph(s, n),)),
    "bellman_ford_fixed_rounds": (bellman_ford_fixed, {}, lambda s, n: (_graph(s, n),)),
    "dijkstra_dense_traced_index": (dijkstra_dense, {}, lambda s, n: (_graph(s, n), 1)),
    "furness_row_column_balancing": (furness, {"n_iter": 12}, lambda s, n: (
        _pos(s, n, lo=100, hi=1000), _pos(s + 1, n, lo=100, hi=1000) * 1.0,
        _pos(s + 2, n, n, lo=1, hi=30), 0.1)),
    "gravity_balancing_factors": (gravity_balancing_factors, {"n_iter": 10}, lambda s, n: (
        _pos(s, n, lo=100, hi=1000), _pos(s + 1, n, lo=100, hi=1000),
        _pos(s + 2, n, n, lo=1, hi=30), 0.08)),
    "gravity_singly_fill_diagonal": (gravity_singly_constrained, {}, lambda s, n: (
        _pos(s, n, lo=100, hi=1000), _pos(s + 1, n, lo=1, hi=5), _pos(s + 2, n, n, lo=1,
                                                                        hi=30))),
    "calibrate_beta_hyman_secant": (calibrate_beta_hyman, {"n_outer": 3, "n_inner": 6},
                                    lambda s, n: (
        _pos(s, n, lo=100, hi=1000), _pos(s + 1, n, lo=100, hi=1000),
        _pos(s + 2, n, n, lo=1, hi=30), 10.0 + s)),
    "logit_mode_choice_logsum": (logit_mode_choice, {}, lambda s, n: (
        _pos(s, n, 3, lo=10, hi=60), _pos(s + 1, n, 3, lo=0, hi=10), np.array([0.0, -0.5, 0.3]))),
    "nested_logit_masks": (nested_logit, {}, lambda s, n: (
        _f(n, 4, seed=s), np.array([0, 0, 1, 1]), np.array([0.6, 0.8]))),
    "msa_all_or_nothing_argmin_write": (msa_all_or_nothing, {"n_iter": 5}, lambda s, n: (
        1000.0 + 100 * s, _pos(s, n, lo=10, hi=20), _pos(s + 1, n, lo=300, hi=800))),
    "msa_logit_sue": (msa_logit_sue, {"n_iter": 12}, lambda s, n: (
        1000.0 + 100 * s, _pos(s, n, lo=10, hi=20), _pos(s + 1, n, lo=300, hi=800))),
    "emission_factor_interp": (emission_factors_interp, {}, lambda s, n: (
        _pos(s, 3 * n, lo=5, hi=130), _pos(s + 1, 3 * n, lo=0.1, hi=3),
        np.array([5.0, 20, 40, 60, 80, 100, 130]),
        np.array([400.0, 210, 160, 140, 135, 150, 190]) + s)),
    "copert_rational_broadcast": (copert_rational, {}, lambda s, n: (
        np.linspace(10, 120, 3 * n), np.abs(_f(n // 2, 5, seed=s)) * [1, 0.01, 0.1, 1e-4,
                                                                     1e-3])),
    "fuel_polyval_where": (fuel_polyval, {}, lambda s, n: (
        _pos(s, 3 * n, lo=0, hi=30), _f(3 * n, seed=s), np.array([0.002, -0.05, 1.2]))),
    "webster_signal_timing": (webster_timing, {}, lambda s, n: (
        _pos(s, n // 2, 2, lo=100, hi=300), np.full((n // 2, 2), 1800.0))),
    "greenshields_polyfit": (greenshields_fit, {}, lambda s, n: (
        np.linspace(5, 100, 5 * n), 100 - 0.8 * np.linspace(5, 100, 5 * n) + _f(5 * n,
                                                                                seed=s))),
    "travel_time_percentiles_dict": (travel_time_reliability, {}, lambda s, n: (
        _pos(s, 20, n, lo=10, hi=30),)),
    "n_curves_searchsorted_queue": (n_curves, {}, lambda s, n: (
        np.cumsum(_pos(s, 5 * n, lo=1, hi=4)), np.cumsum(_pos(s, 5 * n, lo=1, hi=4)) + 5
        + _pos(s + 1, 5 * n, lo=0, hi=2), np.linspace(0, 60, 30))),
    "od_matrix_add_at_int": (od_matrix_add_at, {}, lambda s, n: (
        _i(5, 6 * n, seed=s), _i(5, 6 * n, seed=s + 1))),
    "od_matrix_bincount_weights": (od_matrix_bincount, {}, lambda s, n: (
        _i(5, 6 * n, seed=s), _i(5, 6 * n, seed=s + 1), _pos(s, 6 * n))),
    "headway_stats": (headway_stats, {}, lambda s, n: (_pos(s, 6 * n, lo=0, hi=60),)),
    "trip_length_histogram_weights": (trip_length_histogram, {}, lambda s, n: (
        _pos(s, 10 * n, lo=0, hi=49), _pos(s + 1, 10 * n, lo=0.5, hi=2))),
}


@pytest.mark.parametrize("name", _names(TRAFFIC))
def test_traffic_and_transport_match_numpy(name):
    """Nagel-Schreckenberg, IDM, optimal-velocity and Gipps car following, LWR by Godunov,
    Lax-Friedrichs and upwinding, the cell transmission model, shortest paths, gravity
    models and their calibration, mode choice, assignment, emissions, signal timing,
    fundamental diagrams, reliability, N-curves, OD matrices, headways and trip lengths."""
    check_like_numpy(*TRAFFIC[name])


# -------------------------------------------------------------- Python scalars that steer


def kepler_iters_positional(M, e, n_iter):
    return kepler_newton(M, e, n_iter)


def two_body_steps_positional(r0, v0, dt, steps):
    return two_body_rk4(r0, v0, dt, steps)


def kepler_brentq(M, e):
    # one anomaly at a time, scipy's bracketing solver on Python floats
    return scipy.optimize.brentq(lambda E: E - e * np.sin(E) - M, 0.0, 2 * np.pi, xtol=1e-14)


def nasch_seeded(n_cars, L, steps, seed):
    # the notebook version: everything from a seed, cars placed by rng.choice
    rng = np.random.default_rng(seed)
    pos = np.sort(rng.choice(L, n_cars, replace=False))
    vel = np.zeros(n_cars, dtype=int)
    return nasch_positions(pos, vel, rng, L, 5, 0.3, steps)[0]


def ground_track_points(a, inc_deg, n_points, n_orbits):
    # a circular orbit sampled with a Python point count over a number of revolutions
    T = 2 * np.pi * np.sqrt(a ** 3 / MU_EARTH)
    t = np.linspace(0, n_orbits * T, n_points)
    u = 2 * np.pi * t / T
    inc = np.radians(inc_deg)
    r = a * np.column_stack([np.cos(u), np.sin(u) * np.cos(inc), np.sin(u) * np.sin(inc)])
    return ground_track(r, t)


def furness_positional(O, D, C, beta, n_iter):
    return furness(O, D, C, beta, n_iter)


def lambert_direction(R1, R2, tof, prograde, n_iter):
    # Curtis' prograde/retrograde switch on a Python bool, the transfer angle by np.where
    r1, r2 = np.linalg.norm(R1), np.linalg.norm(R2)
    c12 = np.cross(R1, R2)
    theta = np.arccos(np.dot(R1, R2) / (r1 * r2))
    if prograde:
        theta = np.where(c12[2] <= 0, 2 * np.pi - theta, theta)
    else:
        theta = np.where(c12[2] >= 0, 2 * np.pi - theta, theta)
    v1, v2 = lambert_universal(R1, R2, tof, MU_EARTH, n_iter)
    return theta, v1, v2


def shortest_paths_edges(edges, n):
    # an edge list of Python (u, v, w) tuples and a Python node count
    D = np.full((n, n), np.inf)
    np.fill_diagonal(D, 0.0)
    for u, v, w in edges:
        D[u, v] = w
        D[v, u] = w
    return floyd_warshall_broadcast(D)


STEERED = {
    "kepler_iterations": (kepler_iters_positional, lambda s: (
        np.linspace(0.1, 6, 10), 0.3, 4 + s)),
    "two_body_dt_steps": (two_body_steps_positional, lambda s: (*_one_state(s), 30.0 * s,
                                                                 5 * s)),
    "kepler_scipy_brentq_floats": (kepler_brentq, lambda s: (0.5 + s, 0.2 * s)),
    "nasch_seeded_inside": (nasch_seeded, lambda s: (10 + s, 50, 5 * s, 100 + s)),
    "ground_track_point_count": (ground_track_points, lambda s: (7000.0 + 100 * s, 51.6,
                                                                  20 * s, s)),
    "furness_iterations": (furness_positional, lambda s: (
        _pos(s, 4, lo=100, hi=1000), _pos(s + 1, 4, lo=100, hi=1000),
        _pos(s + 2, 4, 4, lo=1, hi=30), 0.1, 3 * s)),
    "lambert_prograde_flag": (lambert_direction, lambda s: (
        np.array([7000.0, 0.0, 0.0]), np.array([3000.0, 6500.0, 500.0]), 1800.0, s == 1,
        20 + s)),
    "shortest_paths_edge_list": (shortest_paths_edges, lambda s: (
        [(0, 1, 2.0), (1, 2, 1.5 * s), (2, 3, 1.0), (0, 3, 7.0), (3, 4 + s, 2.0)], 5 + s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Iteration and step counts, a step size, a bracketing solver on Python floats, the car
    count, length, steps and seed of a simulation seeded inside, point and orbit counts,
    a prograde flag and an edge list with a node count: made static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def kepler_tolerance(M, e, tol=1e-12):
    E = M.copy()
    while True:
        dE = (E - e * np.sin(E) - M) / (1 - e * np.cos(E))
        E -= dE
        if np.max(np.abs(dE)) < tol:
            return E


def raan_if_quadrant(r, v):
    # the Python `if` of most course code, on a component of the node vector
    H = np.cross(r, v)
    N = np.cross([0, 0, 1], H)
    n = np.linalg.norm(N)
    RA = np.arccos(N[0] / n)
    if N[1] < 0:
        RA = 2 * np.pi - RA
    return RA


def normalize_angle_while(angle):
    # PythonRobotics' angle normalisation
    while angle > np.pi:
        angle -= 2.0 * np.pi
    while angle < -np.pi:
        angle += 2.0 * np.pi
    return angle


def pure_pursuit_search(x, y, v, cx, cy, k=0.1, Lfc=2.0):
    d = np.hypot(cx - x, cy - y)
    ind = np.argmin(d)
    Lf = k * v + Lfc
    L = 0.0
    while Lf > L and (ind + 1) < len(cx):
        L += np.hypot(cx[ind + 1] - cx[ind], cy[ind + 1] - cy[ind])
        ind += 1
    return ind


def nasch_cells(road, vmax=5):
    # a lattice of cells holding velocities (-1 empty): the occupied cells by np.where
    cars = np.where(road >= 0)[0]
    gaps = (np.roll(cars, -1) - cars - 1) % len(road)
    v = np.minimum(np.minimum(road[cars] + 1, vmax), gaps)
    new = np.full_like(road, -1)
    new[(cars + v) % len(road)] = v
    return new


def ground_track_segments(lon, lat):
    # split the track where it crosses the date line, one line per segment for plotting
    breaks = np.where(np.abs(np.diff(lon)) > 180)[0] + 1
    return np.split(lon, breaks), np.split(lat, breaks)


def floyd_path(P, i, j):
    path = [j]
    while P[i, j] != -1:
        j = P[i, j]
        path.append(j)
    return np.array(path[::-1])


def dijkstra_if(W, src=0):
    n = len(W)
    dist = np.full(n, np.inf)
    dist[src] = 0.0
    visited = np.zeros(n, dtype=bool)
    for _ in range(n):
        u = np.argmin(np.where(visited, np.inf, dist))
        visited[u] = True
        for v in range(n):
            if dist[u] + W[u, v] < dist[v]:
                dist[v] = dist[u] + W[u, v]
    return dist


def burn_until_empty(m0, m_dry, mdot, thrust, dt=1.0):
    v, m = 0.0, m0
    while m > m_dry:
        v += (thrust / m - G0) * dt
        m -= mdot * dt
    return v


def eclipse_entry_times(t, r, sun_dir):
    shadow, _, _ = eclipse_cylindrical(r, sun_dir)
    entries = np.flatnonzero(np.diff(shadow.astype(int)) == 1) + 1
    return t[entries]


def two_body_solve_ivp(y0, t_end):
    sol = scipy.integrate.solve_ivp(lambda t, y: _two_body(y, MU_EARTH), (0, t_end), y0,
                                    rtol=1e-10, atol=1e-10, t_eval=np.linspace(0, t_end, 5))
    return sol.y.T


def spline_path(x, y, n_out=25):
    s = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))))
    cs_x = scipy.interpolate.CubicSpline(s, x)
    cs_y = scipy.interpolate.CubicSpline(s, y)
    t = np.linspace(0, s[-1], n_out)
    dx, dy = cs_x(t, 1), cs_y(t, 1)
    ddx, ddy = cs_x(t, 2), cs_y(t, 2)
    return cs_x(t), cs_y(t), (dx * ddy - dy * ddx) / (dx ** 2 + dy ** 2) ** 1.5


def fuel_map_interp(rpm, torque, rpm_grid, torque_grid, bsfc):
    # a brake-specific fuel consumption map, as scipy's RegularGridInterpolator reads it
    interp = scipy.interpolate.RegularGridInterpolator((rpm_grid, torque_grid), bsfc)
    b = interp(np.column_stack([rpm, torque]))
    return b, b * torque * rpm * 2 * np.pi / 60 / 1e6


def lqr_lane_keeping(v, Q, R):
    # a lateral error model and its LQR gain by the continuous Riccati equation
    A = np.array([[0.0, 1.0, 0.0, 0.0], [0.0, -2.0, 2.0 * v, 0.0],
                  [0.0, 0.0, 0.0, 1.0], [0.0, -0.1, 0.1 * v, -3.0]])
    B = np.array([[0.0], [1.5], [0.0], [2.0]])
    P = scipy.linalg.solve_continuous_are(A, B, Q, R)
    return np.linalg.solve(R, B.T @ P)


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "kepler_tolerance_while": (_Concretization, kepler_tolerance, lambda s: (
        np.linspace(0.1, 6, 8), 0.1 * s)),
    "raan_python_if_quadrant": (_Concretization, raan_if_quadrant, lambda s: _one_state(s)),
    "normalize_angle_while": (_Concretization, normalize_angle_while, lambda s: (
        np.array(7.0 * s - 9.0),)),
    "pure_pursuit_while_search": (_Concretization, pure_pursuit_search, lambda s: (
        0.5, -0.5, 5.0, *_scurve(s, 4))),
    "nasch_occupied_cells_where": (_DataDependent, nasch_cells, lambda s: (
        np.where(_u(s, 30) < 0.3, _i(5, 30, seed=s), -1),)),
    "ground_track_dateline_split": (_DataDependent, ground_track_segments, lambda s: (
        *ground_track(_states(s, 40)[0], np.linspace(0, 20000, 40))[::-1],)),
    "floyd_path_while_predecessor": (_Concretization, floyd_path, lambda s: (
        floyd_warshall_predecessors(_graph(s, 5))[1], 0, 3)),
    "dijkstra_python_if_relax": (_Concretization, dijkstra_if, lambda s: (_graph(s, 5),)),
    "burn_until_propellant_gone": (_Concretization, burn_until_empty, lambda s: (
        np.array(1000.0), 300.0 + s, 10.0, 30000.0)),
    "eclipse_entry_times": (_DataDependent, eclipse_entry_times, lambda s: (
        np.linspace(0, 6000, 60), _states(s, 60)[0], np.array([1.0, 0.2 * s, 0.0]))),
}


# refused until they traced (stop 38): NumPy's values now
TRACED_NOW = {
    "two_body_scipy_solve_ivp": (two_body_solve_ivp, {}, lambda s, n: (
        np.concatenate(_one_state(s)), 600.0)),
    "spline_path_cubicspline_checks": (spline_path, {}, lambda s, n: _scurve(s, 4)),
    "fuel_map_grid_interpolator_checks": (fuel_map_interp, {}, lambda s, n: (
        _pos(s, 4, lo=1000, hi=5000), _pos(s + 1, 4, lo=20, hi=200),
        np.linspace(800, 6000, 6), np.linspace(0, 250, 5), 240 + 30 * _u(s, 6, 5))),
    "lqr_continuous_riccati_checks": (lqr_lane_keeping, {}, lambda s, n: (
        10.0 + s, np.diag([1.0, 0.1, 1.0, 0.1]), np.eye(1))),
}


@pytest.mark.parametrize("name", list(TRACED_NOW))
def test_forms_once_refused_now_trace(name):
    """Forms refused until tracenp traced them: NumPy's values now."""
    check_like_numpy(*TRACED_NOW[name])


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Tolerance loops, `if` quadrant fixes on a state, `while` angle normalisation and
    lookahead searches, occupied cells, date-line splits, path reconstruction, Dijkstra by
    `if`, burns until empty, shadow entries, and scipy's adaptive solver and input checks
    (solve_ivp, CubicSpline, RegularGridInterpolator, the CARE):
    the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
