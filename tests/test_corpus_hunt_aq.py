"""Corpus, hunt AQ: electrical and power engineering, optics and acoustics as course
notebooks, textbooks' companion code (Glover/Saadat/Grainger power systems, Hecht and
Saleh-Teich optics, Kinsler and Kuttruff acoustics), MATPOWER/pandapower-style
reimplementations and blog posts write them.

Power systems (bus admittance matrices by a loop of scalar fancy writes, by `np.add.at`, by
the incidence matrix and MATPOWER's tap/shift `Cf`/`Ct` form; DC power flow with the slack
removed by `np.ix_`, PTDFs; Gauss-Seidel with fixed sweeps, an acceleration factor and a PV
bus, also writing the caller's voltage array; Newton-Raphson by MATPOWER's dS/dV matrices and
by the textbook's element-by-element Jacobian; lambda-iteration dispatch by `np.where`
bisection and by mismatch steps, with Kron's losses; fault currents from the Zbus and from
sequence networks; long-line ABCD parameters by complex `cosh`/`sinh`, flows and losses into a
dict, Kron reduction, the swing equation with fault clearing by `np.where`, load duration
curves, THD from `rfft`, induction motors, IEC relay curves, WLS state estimation, bundle
GMD/GMR, storage arbitrage, wind power by `np.piecewise`), circuits (modified nodal analysis
by stamps with ground dropped, by `np.block`, per frequency and batched complex solves; RLC
transients by complex roots, `scipy.linalg.expm` and Euler lists; phasors through nested
helpers, wye loads and Millman's neutral; Clarke and Park transforms written out, per sample
and by `einsum`; symmetrical components; Bode plots with `np.polyval`, `np.unwrap` (also
`period=360`) and margins into a dict; 1RC and 2RC battery models with `np.interp` and
`np.polyval` OCVs; sine-triangle, three-phase and space-vector PWM; single-diode solar curves
by Newton and by `lambertw`; rectifiers with Python `max`, RMS and power quantities, RC
ladders by stacked ABCD products, an averaged buck converter), optics (ABCD systems by nested
helpers and `functools.reduce`, Gaussian beams by q parameters and on meshgrids; Fresnel
coefficients with a complex index; thin films by loops, by `einsum` stacks, by Byrnes' tmm
and Bragg mirrors by `matrix_power`; Jones and Mueller calculus; Fraunhofer, angular-spectrum
and Voelz's Fresnel propagation by `fft2`/`fftshift`; Zernike modes by `math.factorial` and
`scipy.special.factorial` on a masked pupil, PSFs by zero-padded `fft2(s=...)`, MTFs, radial
profiles by `bincount`, pupils by `np.ma` and nan-reductions; the Airy pattern by `j1`,
gratings, Sellmeier with `np.gradient`, Gerchberg-Saxton, Planck spectra, Kolmogorov phase
screens, phase-shifting interferometry, ray-sphere refraction; knife-edge diffraction by
`fresnel` and by complex `erf`) and acoustics (image-source room impulse responses by a
triple loop with `np.add.at`, by meshgrids, by `h[idx] +=` with coinciding samples, by
`int(round(...))` and by windowed-sinc fractional delays; Sabine and Eyring RT60s, a dict of
surfaces; A/B/C weightings; octave and third-octave bands, band levels by mask loops, a
membership matrix and `np.sum(where=...)`, Butterworth `sosfilt` banks; energetic dB
averages, Leq and percentile levels into a dict, float32 SPLs; Schroeder integration by
reversed cumsums and `np.flip`, T30 by `argmax`, T20 by weighted fits, by `np.polyfit` of a
selection and by `np.where(...)[0][0]`; room modes, ISO 9613 air absorption, point sources,
the mass law with `searchsorted`, impedance tubes, Delany-Bazley absorbers, piston
directivity by masked writes of `j1`, piston radiation by `struve`, rigid-sphere scattering
by spherical Bessel series, ambisonics by `sph_harm_y`, ground effect by complex `erfc` and by
`wofz`, line arrays, delay-and-sum, MUSIC, MVDR and GCC-PHAT).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Iteration counts, image-source orders, Bragg pair
counts, Zernike indices, an `np.mgrid` complex step count, a netlist of Python tuples, the
damping regime of Python float components, the fundamental's bin, the band fraction, the fault
bus and the time step are made static; the forms whose Python or shapes depend on array values
(tolerance loops, bisection by `if`, Saadat's bus scan, a bus count read from the data,
`fsolve` and `scipy.sparse` on traced arrays, `np.emath.sqrt`, `np.roots`, `bincount` about the
brightest pixel, `linregress` of a selection, frequencies above a threshold, PWM edges, `cmath`
on elements, `sorted(key=...)`, perturb-and-observe) raise a named error and run eagerly under
`fallback=True`.
"""

from __future__ import annotations

import cmath
import functools
import math

import numpy as np
import pytest
import scipy.linalg
import scipy.signal
import scipy.special
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


# ========================================================================== power systems


def _grid(s, n):
    # a ring of n buses with one chord: from/to buses, series r, x and line charging b
    f = np.r_[np.arange(n), 0]
    t = np.r_[(np.arange(n) + 1) % n, n // 2]
    r = 0.01 + 0.02 * _u(s, n + 1)
    x = 0.05 + 0.1 * _u(s + 1, n + 1)
    b = 0.02 * _u(s + 2, n + 1)
    return f, t, r, x, b


def ybus_loop(nbus, f, t, r, x, b):
    # Saadat's ybus.m, in Python: loop over the lines, off-diagonals then diagonals
    z = r + 1j * x
    y = 1 / z
    Ybus = np.zeros((nbus, nbus), dtype=complex)
    for k in range(len(f)):
        Ybus[f[k], t[k]] -= y[k]
        Ybus[t[k], f[k]] = Ybus[f[k], t[k]]
    for k in range(len(f)):
        Ybus[f[k], f[k]] += y[k] + 1j * b[k] / 2
        Ybus[t[k], t[k]] += y[k] + 1j * b[k] / 2
    return Ybus


def ybus_add_at(nbus, f, t, r, x, b):
    # the vectorised build: np.add.at on (row, col) pairs, so repeated buses accumulate
    y = 1.0 / (r + 1j * x)
    ysh = 1j * b / 2
    Y = np.zeros((nbus, nbus), dtype=np.complex128)
    np.add.at(Y, (f, t), -y)
    np.add.at(Y, (t, f), -y)
    np.add.at(Y, (f, f), y + ysh)
    np.add.at(Y, (t, t), y + ysh)
    return Y


def ybus_incidence(nbus, f, t, r, x, b):
    # Y = A^T diag(y) A from the branch-bus incidence matrix, shunts on the diagonal
    nl = len(f)
    A = np.zeros((nl, nbus))
    A[np.arange(nl), f] = 1
    A[np.arange(nl), t] = -1
    y = 1 / (r + 1j * x)
    Y = A.T @ np.diag(y) @ A
    shunt = np.abs(A).T @ (0.5j * b)
    Y[np.diag_indices(nbus)] += shunt
    return Y


def make_ybus_taps(nbus, f, t, r, x, b, tap, shift_deg):
    # MATPOWER's makeYbus: the pi model with an off-nominal tap and phase shift, Cf and Ct
    nl = len(f)
    Ys = 1 / (r + 1j * x)
    Bc = b
    tap = tap * np.exp(1j * np.pi / 180 * shift_deg)
    Ytt = Ys + 1j * Bc / 2
    Yff = Ytt / (tap * np.conj(tap))
    Yft = -Ys / np.conj(tap)
    Ytf = -Ys / tap
    Cf = np.zeros((nl, nbus))
    Ct = np.zeros((nl, nbus))
    Cf[np.arange(nl), f] = 1.0
    Ct[np.arange(nl), t] = 1.0
    Yf = np.diag(Yff) @ Cf + np.diag(Yft) @ Ct
    Yt = np.diag(Ytf) @ Cf + np.diag(Ytt) @ Ct
    Ybus = Cf.T @ Yf + Ct.T @ Yt
    return Ybus, Yf, Yt


def dc_power_flow(nbus, f, t, x, Pinj, slack=0):
    # DC load flow: B' from the reactances, the slack's row and column deleted
    B = np.zeros((nbus, nbus))
    for k in range(len(f)):
        i, j = f[k], t[k]
        B[i, i] += 1 / x[k]
        B[j, j] += 1 / x[k]
        B[i, j] -= 1 / x[k]
        B[j, i] -= 1 / x[k]
    keep = [i for i in range(nbus) if i != slack]
    theta = np.zeros(nbus)
    theta[keep] = np.linalg.solve(B[np.ix_(keep, keep)], Pinj[keep])
    flows = (theta[f] - theta[t]) / x
    return theta, flows


def dc_ptdf(nbus, f, t, x):
    # the PTDF matrix: Bf Bbus^-1 with the slack bus (0) removed
    nl = len(f)
    Cft = np.zeros((nl, nbus))
    Cft[np.arange(nl), f] = 1
    Cft[np.arange(nl), t] = -1
    Bf = np.diag(1 / x) @ Cft
    Bbus = Cft.T @ Bf
    ptdf = np.zeros((nl, nbus))
    ptdf[:, 1:] = Bf[:, 1:] @ np.linalg.inv(Bbus[1:, 1:])
    lodf_den = 1 - np.sum(ptdf * Cft, axis=1)
    return ptdf, lodf_den


def _pf_case(s, n):
    f, t, r, x, b = _grid(s, n)
    Y = ybus_add_at(n, f, t, r, x, b)
    P = -0.3 - 0.2 * _u(s + 3, n)
    Q = -0.1 - 0.1 * _u(s + 4, n)
    P[1] = 0.4
    V0 = np.ones(n, dtype=complex)
    V0[1] = 1.02
    return Y, P, Q, V0


def gauss_seidel_pf(Y, P, Q, V0, iters=20):
    # Gauss-Seidel over the PQ buses (bus 0 slack), a fixed number of sweeps
    V = V0.copy()
    S = P + 1j * Q
    n = len(V)
    for it in range(iters):
        for i in range(1, n):
            sigma = Y[i, :] @ V - Y[i, i] * V[i]
            V[i] = (np.conj(S[i]) / np.conj(V[i]) - sigma) / Y[i, i]
    Sslack = V[0] * np.conj(Y[0, :] @ V)
    return V, Sslack


def gauss_seidel_accel(Y, P, Q, V0, iters=15, alpha=1.6):
    # with an acceleration factor and the PV bus's Q recomputed each sweep
    V = V0.copy()
    Vmag1 = np.abs(V0[1])
    n = len(V)
    Qcalc = Q.copy()
    for _ in range(iters):
        for i in range(1, n):
            if i == 1:
                Qcalc[i] = -np.imag(np.conj(V[i]) * (Y[i] @ V))
            Si = P[i] + 1j * Qcalc[i]
            Vnew = (np.conj(Si / V[i]) - (Y[i] @ V - Y[i, i] * V[i])) / Y[i, i]
            if i == 1:
                Vnew = Vmag1 * Vnew / abs(Vnew)
                V[i] = Vnew
            else:
                V[i] = V[i] + alpha * (Vnew - V[i])
    return V, Qcalc


def newton_raphson_pf(Y, P, Q, V0, pv, pq, iters=6):
    # MATPOWER's newtonpf: dS/dVm and dS/dVa by diagonal matrices, the Jacobian by blocks
    V = V0.copy()
    Va = np.angle(V)
    Vm = np.abs(V)
    Sbus = P + 1j * Q
    pvpq = np.r_[pv, pq]
    npv, npq = len(pv), len(pq)
    for _ in range(iters):
        Ibus = Y @ V
        diagV = np.diag(V)
        diagIbus = np.diag(Ibus)
        diagVnorm = np.diag(V / np.abs(V))
        dS_dVm = diagV @ np.conj(Y @ diagVnorm) + np.conj(diagIbus) @ diagVnorm
        dS_dVa = 1j * diagV @ np.conj(diagIbus - Y @ diagV)
        J11 = dS_dVa[np.ix_(pvpq, pvpq)].real
        J12 = dS_dVm[np.ix_(pvpq, pq)].real
        J21 = dS_dVa[np.ix_(pq, pvpq)].imag
        J22 = dS_dVm[np.ix_(pq, pq)].imag
        J = np.vstack([np.hstack([J11, J12]), np.hstack([J21, J22])])
        mis = V * np.conj(Ibus) - Sbus
        F = np.r_[mis[pvpq].real, mis[pq].imag]
        dx = -np.linalg.solve(J, F)
        Va[pvpq] += dx[:npv + npq]
        Vm[pq] += dx[npv + npq:]
        V = Vm * np.exp(1j * Va)
    return V, np.linalg.norm(F, np.inf)


def newton_raphson_textbook(G, B, P, Q, Vm0, iters=5):
    # the textbook's element-by-element Jacobian (bus 0 slack, all others PQ)
    n = len(Vm0)
    Vm = Vm0.copy()
    th = np.zeros(n)
    for _ in range(iters):
        Pc = np.zeros(n)
        Qc = np.zeros(n)
        for i in range(n):
            for k in range(n):
                Pc[i] += Vm[i] * Vm[k] * (G[i, k] * np.cos(th[i] - th[k])
                                          + B[i, k] * np.sin(th[i] - th[k]))
                Qc[i] += Vm[i] * Vm[k] * (G[i, k] * np.sin(th[i] - th[k])
                                          - B[i, k] * np.cos(th[i] - th[k]))
        m = n - 1
        J = np.zeros((2 * m, 2 * m))
        for a in range(m):
            i = a + 1
            for c in range(m):
                k = c + 1
                if i == k:
                    J[a, c] = -Qc[i] - B[i, i] * Vm[i] ** 2
                    J[a, c + m] = Pc[i] / Vm[i] + G[i, i] * Vm[i]
                    J[a + m, c] = Pc[i] - G[i, i] * Vm[i] ** 2
                    J[a + m, c + m] = Qc[i] / Vm[i] - B[i, i] * Vm[i]
                else:
                    d = th[i] - th[k]
                    J[a, c] = Vm[i] * Vm[k] * (G[i, k] * np.sin(d) - B[i, k] * np.cos(d))
                    J[a, c + m] = Vm[i] * (G[i, k] * np.cos(d) + B[i, k] * np.sin(d))
                    J[a + m, c] = -Vm[i] * Vm[k] * (G[i, k] * np.cos(d) + B[i, k] * np.sin(d))
                    J[a + m, c + m] = Vm[i] * (G[i, k] * np.sin(d) - B[i, k] * np.cos(d))
        mismatch = np.concatenate([P[1:] - Pc[1:], Q[1:] - Qc[1:]])
        dx = np.linalg.solve(J, mismatch)
        th[1:] += dx[:m]
        Vm[1:] += dx[m:]
    return Vm, np.rad2deg(th)

def lambda_iteration_bisection(a, b, c, Pmin, Pmax, demand, iters=40):
    # economic dispatch: bisection on the incremental cost with np.where in place of `if`
    lam_lo = np.min(b)
    lam_hi = np.max(b + 2 * c * Pmax)
    for _ in range(iters):
        lam = 0.5 * (lam_lo + lam_hi)
        P = np.clip((lam - b) / (2 * c), Pmin, Pmax)
        over = P.sum() > demand
        lam_hi = np.where(over, lam, lam_hi)
        lam_lo = np.where(over, lam_lo, lam)
    cost = np.sum(a + b * P + c * P ** 2)
    return lam, P, cost


def lambda_iteration_gradient(b, c, Pmin, Pmax, demand, iters=25):
    # Wood and Wollenberg's lambda iteration: the mismatch over the sum of 1/(2c)
    lam = np.mean(b)
    history = []
    for k in range(iters):
        P = (lam - b) / (2 * c)
        P = np.minimum(np.maximum(P, Pmin), Pmax)
        mismatch = demand - np.sum(P)
        lam = lam + mismatch / np.sum(1 / (2 * c))
        history.append(mismatch)
    return P, lam, np.abs(np.array(history))

def ed_with_losses(b, c, Bmat, demand, iters=15):
    # Kron's loss formula: penalty factors by fixed-point iteration
    n = len(b)
    P = np.full(n, demand / n)
    lam = 0.0
    for _ in range(iters):
        PL = P @ Bmat @ P
        dPL = 2 * Bmat @ P
        L = 1 / (1 - dPL)
        lam = (demand + PL + np.sum(b * L / (2 * c * L))) / np.sum(1 / (2 * c))
        P = (lam * (1 - dPL) - b) / (2 * c)
    return P, lam, P @ Bmat @ P


def three_phase_fault(Ybus, Vpre, k, Zf=0.0):
    # symmetrical fault at bus k through Z_f from the Zbus
    Zbus = np.linalg.inv(Ybus)
    If = Vpre[k] / (Zbus[k, k] + Zf)
    Vf = Vpre - Zbus[:, k] * If
    return np.abs(If), np.abs(Vf)


def slg_fault_sequence(Z1, Z2, Z0, Zf, Vf=1.0):
    # single line-to-ground fault: the sequence currents, back to phases by A
    a = np.exp(2j * np.pi / 3)
    A = np.array([[1, 1, 1], [1, a ** 2, a], [1, a, a ** 2]])
    I0 = Vf / (Z1 + Z2 + Z0 + 3 * Zf)
    I012 = np.stack([I0, I0, I0])
    Iabc = A @ I012
    V012 = np.stack([-Z0 * I0, Vf - Z1 * I0, -Z2 * I0])
    Vabc = A @ V012
    return np.abs(Iabc), np.abs(Vabc), np.angle(Vabc, deg=True)

def long_line_abcd(z, y, length):
    # the long transmission line: gamma and Zc complex, cosh and sinh of gamma * l
    gamma = np.sqrt(z * y)
    Zc = np.sqrt(z / y)
    A = np.cosh(gamma * length)
    B = Zc * np.sinh(gamma * length)
    C = np.sinh(gamma * length) / Zc
    D = A
    return np.array([[A, B], [C, D]]), gamma, Zc


def line_receiving_to_sending(abcd, Vr, Ir):
    # the sending end from the receiving end; regulation and efficiency
    Vs = abcd[0, 0] * Vr + abcd[0, 1] * Ir
    Is = abcd[1, 0] * Vr + abcd[1, 1] * Ir
    Ss = Vs * np.conj(Is)
    Sr = Vr * np.conj(Ir)
    Vr_nl = np.abs(Vs) / np.abs(abcd[0, 0])
    reg = (Vr_nl - np.abs(Vr)) / np.abs(Vr) * 100
    eff = Sr.real / Ss.real * 100
    return reg, eff


def branch_flows_losses(Y, V, f, t, r, x, b):
    # line flows both ends and the losses, into a dict
    y = 1 / (r + 1j * x)
    If = (V[f] - V[t]) * y + V[f] * 1j * b / 2
    It = (V[t] - V[f]) * y + V[t] * 1j * b / 2
    Sf = V[f] * np.conj(If)
    St = V[t] * np.conj(It)
    Sinj = V * np.conj(Y @ V)
    return {"Sf": Sf, "St": St, "loss": Sf + St, "total_loss": np.sum(Sf + St).real,
            "Sinj": Sinj}


def kron_reduction(Y, n_keep):
    # eliminate the internal buses: Y_red = Yaa - Yab Ybb^-1 Yba
    Yaa = Y[:n_keep, :n_keep]
    Yab = Y[:n_keep, n_keep:]
    Yba = Y[n_keep:, :n_keep]
    Ybb = Y[n_keep:, n_keep:]
    return Yaa - Yab @ np.linalg.solve(Ybb, Yba)


def swing_equation(H, Pm, E, V, X_pre, X_fault, X_post, t_clear, f0=60.0, dt=0.01, T=1.0):
    # transient stability: Euler on the swing equation, the network switched by np.where
    n = int(T / dt)
    delta = np.arcsin(Pm * X_pre / (E * V))
    omega = 0.0
    out = np.zeros((n, 2))
    for k in range(n):
        t = k * dt
        X = np.where(t < t_clear, X_fault, X_post)
        Pe = E * V / X * np.sin(delta)
        domega = np.pi * f0 / H * (Pm - Pe)
        omega = omega + dt * domega
        delta = delta + dt * omega
        out[k] = delta, omega
    return out

def load_duration_curve(load_mw, dt_h=1.0):
    # sorted descending, energy, load factor and the hours above 80% of the peak
    ldc = np.sort(load_mw)[::-1]
    energy = np.sum(load_mw) * dt_h
    peak = ldc[0]
    lf = energy / (peak * len(load_mw) * dt_h)
    hours_above = np.count_nonzero(load_mw > 0.8 * peak) * dt_h
    return ldc, energy, lf, hours_above

def harmonic_thd(v, fs, f0):
    # THD from the rfft: the fundamental's bin and its multiples
    N = len(v)
    spec = np.abs(np.fft.rfft(v)) * 2 / N
    k0 = int(round(f0 * N / fs))
    fund = spec[k0]
    harm = spec[2 * k0::k0]
    thd = np.sqrt(np.sum(harm ** 2)) / fund
    return thd * 100, fund / np.sqrt(2)


def _lines(s, n):
    f, t, r, x, b = _grid(s, n)
    return (n, f, t, r, x, b)


def _wave(s, n, harmonics=(3, 5, 7)):
    fs, f0 = 3200.0, 50.0
    t = np.arange(64 * n) / fs
    v = 325 * np.sin(2 * np.pi * f0 * t)
    for h, amp in zip(harmonics, 0.1 * _u(s, len(harmonics)) + 0.02):
        v = v + 325 * amp * np.sin(2 * np.pi * h * f0 * t + s)
    return v, fs, f0


def _gen(s, n):
    b = 7.0 + 3 * _u(s, n)
    c = 0.002 + 0.006 * _u(s + 1, n)
    return b, c, np.full(n, 50.0), np.full(n, 400.0)


POWER = {
    "ybus_loop_fancy_scalar_writes": (ybus_loop, {}, lambda s, n: _lines(s, n)),
    "ybus_np_add_at": (ybus_add_at, {}, lambda s, n: _lines(s, n)),
    "ybus_incidence_diag": (ybus_incidence, {}, lambda s, n: _lines(s, n)),
    "make_ybus_taps_cf_ct": (make_ybus_taps, {}, lambda s, n: (
        *_lines(s, n), 1 + 0.05 * (np.arange(n + 1) == 1), 2.0 * (np.arange(n + 1) == 2))),
    "dc_power_flow_ix_keep": (dc_power_flow, {}, lambda s, n: (
        n, _grid(s, n)[0], _grid(s, n)[1], _grid(s, n)[3], np.r_[0.0, _f(n - 1, seed=s)])),
    "dc_ptdf": (dc_ptdf, {}, lambda s, n: (n, _grid(s, n)[0], _grid(s, n)[1], _grid(s, n)[3])),
    "gauss_seidel_fixed_sweeps": (gauss_seidel_pf, {"iters": 12}, lambda s, n: _pf_case(s, n)),
    "gauss_seidel_accel_pv_bus": (gauss_seidel_accel, {"iters": 10},
                                  lambda s, n: _pf_case(s, n)),
    "newton_raphson_matpower": (newton_raphson_pf, {}, lambda s, n: (
        *_pf_case(s, n), np.array([1]), np.arange(2, n))),
    "newton_raphson_element_jacobian": (newton_raphson_textbook, {"iters": 4}, lambda s, n: (
        _pf_case(s, n)[0].real, _pf_case(s, n)[0].imag, _pf_case(s, n)[1],
        _pf_case(s, n)[2], np.ones(n))),
    "lambda_bisection_where": (lambda_iteration_bisection, {}, lambda s, n: (
        np.full(n, 200.0), *_gen(s, n), 150.0 * n + 10 * s)),
    "lambda_iteration_history": (lambda_iteration_gradient, {"iters": 20}, lambda s, n: (
        *_gen(s, n), 150.0 * n + 10 * s)),
    "ed_with_losses_penalty": (ed_with_losses, {}, lambda s, n: (
        *_gen(s, n)[:2], 1e-5 * (np.eye(n) + 0.1 * _u(s, n, n) @ _u(s, n, n).T), 500.0)),
    "three_phase_fault_zbus": (three_phase_fault, {}, lambda s, n: (
        ybus_add_at(*_lines(s, n)) + np.diag(np.full(n, -5j)), np.ones(n, complex), 2, 0.01)),
    "slg_fault_symmetrical": (slg_fault_sequence, {}, lambda s, n: (
        0.01 + 0.2j + 0.01j * _f(n, seed=s), 0.01 + 0.2j + 0.01j * _f(n, seed=s + 1),
        0.02 + 0.5j, 0.05 * s)),
    "long_line_cosh_sinh": (long_line_abcd, {}, lambda s, n: (
        0.03 + 0.35j + 0.01 * _u(s, n), 4.4e-6j + 1e-9 * _u(s, n), 300.0)),
    "line_regulation_efficiency": (line_receiving_to_sending, {}, lambda s, n: (
        long_line_abcd(0.03 + 0.35j, 4.4e-6j, 200.0 + 10 * s)[0],
        np.full(n, 220e3 / np.sqrt(3)) + 0j, 200 * np.exp(-1j * _u(s, n)))),
    "branch_flows_losses_dict": (branch_flows_losses, {}, lambda s, n: (
        ybus_add_at(*_lines(s, n)), 1 + 0.02 * _f(n, seed=s) + 0.05j * _f(n, seed=s + 1),
        *_grid(s, n))),
    "kron_reduction": (kron_reduction, {"n_keep": 2}, lambda s, n: (
        ybus_add_at(*_lines(s, n)) + np.diag(np.full(n, 0.1 - 1j)),)),
    "swing_equation_fault_clearing": (swing_equation, {}, lambda s, n: (
        5.0, 0.8, 1.17, 1.0, 0.65, 1.8 + 0.1 * s, 0.8, 0.1 + 0.02 * s)),
    "load_duration_curve": (load_duration_curve, {}, lambda s, n: (
        300 + 100 * np.sin(np.arange(6 * n) / 3) + 20 * _f(6 * n, seed=s),)),
    "harmonic_thd_rfft": (harmonic_thd, {}, lambda s, n: _wave(s, n)),
}


@pytest.mark.parametrize("name", _names(POWER))
def test_power_systems_match_numpy(name):
    """Bus admittance matrices by loops, np.add.at, incidence matrices and MATPOWER's taps;
    DC power flow and PTDFs; Gauss-Seidel and Newton-Raphson with fixed iteration counts;
    economic dispatch; faults by Zbus and symmetrical components; line ABCD parameters, flows
    and losses; Kron reduction; the swing equation; load duration curves and THD."""
    check_like_numpy(*POWER[name])


# ================================================================================ circuits


def mna_resistor_stamps(n_nodes, n1, n2, R, I_src_node, I_src):
    # stamp every resistor into the (n + 1)-node matrix with ground as node 0, then drop it
    G = np.zeros((n_nodes + 1, n_nodes + 1))
    for k in range(len(R)):
        g = 1.0 / R[k]
        a, b = n1[k], n2[k]
        G[a, a] += g
        G[b, b] += g
        G[a, b] -= g
        G[b, a] -= g
    I = np.zeros(n_nodes + 1)
    np.add.at(I, I_src_node, I_src)
    v = np.linalg.solve(G[1:, 1:], I[1:])
    return np.concatenate(([0.0], v))


def mna_with_voltage_source(G, B, Vs, Is):
    # the MNA system [[G, B], [B^T, 0]] [v; i] = [Is; Vs] assembled with np.block
    m = B.shape[1]
    A = np.block([[G, B], [B.T, np.zeros((m, m))]])
    z = np.concatenate([Is, Vs])
    x = np.linalg.solve(A, z)
    n = G.shape[0]
    return x[:n], x[n:]


def ac_mna_sweep(freqs, R, L, C, n_nodes=3):
    # an RLC ladder solved at each frequency: complex admittances jwC and 1/(jwL)
    out = np.zeros((len(freqs), n_nodes), dtype=complex)
    for i, f in enumerate(freqs):
        w = 2 * np.pi * f
        Y = np.zeros((n_nodes, n_nodes), dtype=complex)
        yR = 1 / R
        yL = 1 / (1j * w * L)
        yC = 1j * w * C
        Y[0, 0] = yR + yL
        Y[0, 1] = Y[1, 0] = -yL
        Y[1, 1] = yL + yC + yL
        Y[1, 2] = Y[2, 1] = -yL
        Y[2, 2] = yL + yC + yR
        Iin = np.zeros(n_nodes, dtype=complex)
        Iin[0] = 1.0 / R
        out[i] = np.linalg.solve(Y, Iin)
    return out


def ac_mna_batched(freqs, R, L, C):
    # the same ladder batched: a (nf, 3, 3) stack of matrices and one np.linalg.solve
    w = 2 * np.pi * freqs
    yL = 1 / (1j * w * L)
    yC = 1j * w * C
    Y = np.zeros((len(freqs), 3, 3), dtype=complex)
    Y[:, 0, 0] = 1 / R + yL
    Y[:, 0, 1] = Y[:, 1, 0] = -yL
    Y[:, 1, 1] = 2 * yL + yC
    Y[:, 1, 2] = Y[:, 2, 1] = -yL
    Y[:, 2, 2] = yL + yC + 1 / R
    b = np.zeros((len(freqs), 3), dtype=complex)
    b[:, 0] = 1 / R
    V = np.linalg.solve(Y, b[..., None])[..., 0]
    return 20 * np.log10(np.abs(V[:, 2])), np.angle(V[:, 2], deg=True)

def rlc_all_damping(t, R, L, C):
    # the three regimes by np.where, with the complex square root doing the work
    alpha = R / (2 * L)
    w0 = 1 / np.sqrt(L * C)
    s = np.sqrt(alpha ** 2 - w0 ** 2 + 0j)
    s1, s2 = -alpha + s, -alpha - s
    crit = np.isclose(alpha, w0)
    safe = np.where(crit, 1.0, s1 - s2)
    vc = 1 - (s2 * np.exp(s1 * t) - s1 * np.exp(s2 * t)) / safe
    vc_crit = 1 - (1 + alpha * t) * np.exp(-alpha * t)
    return np.where(crit, vc_crit, vc.real)


def rlc_state_space_expm(R, L, C, dt=1e-4, n=60):
    # x' = A x + B u discretised by scipy.linalg.expm, stepped in a loop
    A = np.array([[0.0, 1 / C], [-1 / L, -R / L]])
    B = np.array([0.0, 1 / L])
    Ad = scipy.linalg.expm(A * dt)
    Bd = np.linalg.solve(A, (Ad - np.eye(2)) @ B)
    x = np.zeros(2)
    xs = np.empty((n, 2))
    for k in range(n):
        x = Ad @ x + Bd * 1.0
        xs[k] = x
    return xs


def rlc_euler_loop(R, L, C, V, dt=2e-5, n=80):
    # forward Euler on i and v_C, appending to Python lists
    i, vc = 0.0, 0.0
    I, VC = [], []
    for _ in range(n):
        di = (V - R * i - vc) / L
        dv = i / C
        i += di * dt
        vc += dv * dt
        I.append(i)
        VC.append(vc)
    return np.array(I), np.array(VC)

def phasor_polar_helpers(mags, angles):
    # the course notebook's pol2cart / cart2pol helpers
    def pol2cart(r, deg):
        return r * (np.cos(np.radians(deg)) + 1j * np.sin(np.radians(deg)))

    def cart2pol(z):
        return np.abs(z), np.degrees(np.arctan2(z.imag, z.real))

    z = pol2cart(mags, angles)
    total = z.sum()
    return cart2pol(total), cart2pol(z * np.conj(z[0]))


def three_phase_quantities(Vph, Z_load):
    # a balanced wye source into a wye load: line voltages, currents and three-phase power
    a = np.exp(-2j * np.pi / 3)
    Van = Vph + 0j
    Vabc = Van * np.array([1, a, a ** 2])
    Vll = Vabc - np.roll(Vabc, -1)
    Iabc = Vabc / Z_load
    S3 = np.sum(Vabc * np.conj(Iabc))
    return np.abs(Vll), np.angle(Vll, deg=True), S3, np.abs(Iabc.sum())


def unbalanced_wye_neutral(Vabc, Zabc, Zn):
    # a floating-neutral unbalanced wye load: the neutral shift by Millman's theorem
    Y = 1 / Zabc
    Vn = np.sum(Vabc * Y, axis=-1, keepdims=True) / (np.sum(Y, axis=-1, keepdims=True)
                                                     + 1 / Zn)
    I = (Vabc - Vn) * Y
    return Vn[..., 0], I

def clarke_park_explicit(ia, ib, ic, theta):
    # written out component by component, as in motor-control notes
    alpha = (2 * ia - ib - ic) / 3
    beta = (ib - ic) / np.sqrt(3)
    d = alpha * np.cos(theta) + beta * np.sin(theta)
    q = -alpha * np.sin(theta) + beta * np.cos(theta)
    return d, q


def park_transform_loop(abc, theta):
    # a rotation matrix per sample, the dq0 rows written in a loop
    n = abc.shape[1]
    dq0 = np.zeros((3, n))
    for k in range(n):
        th = theta[k]
        P = 2 / 3 * np.array([
            [np.cos(th), np.cos(th - 2 * np.pi / 3), np.cos(th + 2 * np.pi / 3)],
            [-np.sin(th), -np.sin(th - 2 * np.pi / 3), -np.sin(th + 2 * np.pi / 3)],
            [0.5, 0.5, 0.5]])
        dq0[:, k] = P @ abc[:, k]
    return dq0


def inverse_park_einsum(dq0, theta):
    # a stack of inverse Park matrices applied with einsum
    c = np.cos(theta)
    s = np.sin(theta)
    c1, s1 = np.cos(theta - 2 * np.pi / 3), np.sin(theta - 2 * np.pi / 3)
    c2, s2 = np.cos(theta + 2 * np.pi / 3), np.sin(theta + 2 * np.pi / 3)
    one = np.ones_like(theta)
    Tinv = np.stack([np.stack([c, -s, one], -1), np.stack([c1, -s1, one], -1),
                     np.stack([c2, -s2, one], -1)], 1)
    return np.einsum("nij,jn->in", Tinv, dq0)


def symmetrical_components(Iabc):
    # Fortescue: I012 = A^-1 Iabc, phases along axis 0
    a = np.exp(2j * np.pi / 3)
    A = np.array([[1, 1, 1], [1, a ** 2, a], [1, a, a ** 2]], dtype=complex)
    I012 = np.linalg.inv(A) @ Iabc
    unbalance = np.abs(I012[2]) / np.abs(I012[1]) * 100
    return I012, unbalance

def bode_polyval(num, den, w):
    # H(jw) from polynomial coefficients with np.polyval, the phase unwrapped
    s = 1j * w
    H = np.polyval(num, s) / np.polyval(den, s)
    mag = 20 * np.log10(np.abs(H))
    phase = np.unwrap(np.angle(H)) * 180 / np.pi
    return mag, phase


def bode_cascade_unwrap_deg(w, wn, zeta, tau):
    # a second-order plant with a delay: the phase unwrapped in degrees (period=360)
    s = 1j * w
    H = wn ** 2 / (s ** 2 + 2 * zeta * wn * s + wn ** 2) * np.exp(-s * tau)
    ph = np.unwrap(np.angle(H, deg=True), period=360)
    i_c = np.argmin(np.abs(np.abs(H) - 1))
    pm = 180 + ph[i_c]
    return 20 * np.log10(np.abs(H)), ph, pm


def bode_gain_phase_margin(w, K, p1, p2):
    # loop gain K / (s (s/p1 + 1)(s/p2 + 1)): crossover by argmin, margins
    s = 1j * w
    L = K / (s * (s / p1 + 1) * (s / p2 + 1))
    mag = np.abs(L)
    phase = np.rad2deg(np.unwrap(np.angle(L)))
    wc = np.argmin(np.abs(mag - 1))
    w180 = np.argmin(np.abs(phase + 180))
    return {"pm": 180 + phase[wc], "gm_db": -20 * np.log10(mag[w180]), "wc": w[wc]}


def battery_thevenin_1rc(current, dt, Q_ah, R0, R1, C1, soc_tab, ocv_tab, soc0=1.0):
    # a first-order RC battery model: coulomb counting, OCV by np.interp, exact RC update
    n = len(current)
    soc = np.zeros(n)
    v1 = np.zeros(n)
    vt = np.zeros(n)
    s, v = soc0, 0.0
    a = np.exp(-dt / (R1 * C1))
    for k in range(n):
        s = s - current[k] * dt / (3600 * Q_ah)
        v = a * v + R1 * (1 - a) * current[k]
        soc[k] = s
        v1[k] = v
        vt[k] = np.interp(s, soc_tab, ocv_tab) - current[k] * R0 - v
    return vt, soc, v1


def battery_2rc_vectorised_ocv(current, dt, Q_ah, R0, R, C, ocv_poly):
    # two RC pairs as a vector, the OCV a polynomial of SOC by np.polyval
    tau = R * C
    a = np.exp(-dt / tau)
    soc = 1.0 - np.cumsum(current) * dt / (3600 * Q_ah)
    vrc = np.zeros(2)
    out = []
    for k in range(len(current)):
        vrc = a * vrc + R * (1 - a) * current[k]
        out.append(np.polyval(ocv_poly, soc[k]) - R0 * current[k] - vrc.sum())
    return np.array(out), soc


def pwm_sine_triangle(t, f_ref, f_carrier, m, Vdc):
    # sine-triangle PWM: a triangular carrier from the fractional part, the gate by compare
    ref = m * np.sin(2 * np.pi * f_ref * t)
    carrier = 2 * np.abs(2 * ((t * f_carrier) % 1) - 1) - 1
    gate = (ref > carrier).astype(int)
    v_out = Vdc / 2 * (2 * gate - 1)
    duty = gate.reshape(-1, 8).mean(axis=1)
    return gate, v_out, duty


def pwm_three_phase_line(t, f_ref, f_carrier, m, Vdc):
    # three legs against one carrier, line-to-line voltages, the fundamental by FFT
    phases = np.array([0, -2 * np.pi / 3, 2 * np.pi / 3])
    ref = m * np.sin(2 * np.pi * f_ref * t[None, :] + phases[:, None])
    tri = 2 / np.pi * np.arcsin(np.sin(2 * np.pi * f_carrier * t))
    legs = np.where(ref >= tri, Vdc, 0.0)
    vll = legs - np.roll(legs, -1, axis=0)
    spec = np.abs(np.fft.rfft(vll, axis=1)) / len(t) * 2
    return vll, spec.max(axis=1)


def svpwm_sectors(v_alpha, v_beta, Vdc, Ts):
    # space-vector PWM: the sector number from the angle and the dwell times
    angle = np.arctan2(v_beta, v_alpha) % (2 * np.pi)
    sector = (angle // (np.pi / 3)).astype(int) + 1
    theta = angle - (sector - 1) * np.pi / 3
    Vref = np.hypot(v_alpha, v_beta)
    T1 = np.sqrt(3) * Ts * Vref / Vdc * np.sin(np.pi / 3 - theta)
    T2 = np.sqrt(3) * Ts * Vref / Vdc * np.sin(theta)
    T0 = Ts - T1 - T2
    return sector, T1, T2, T0


def single_diode_newton(V, Iph, I0, Rs, Rsh, n=1.3, Ns=36, T=298.15, iters=30):
    # I(V) of the single-diode model by Newton on I, vectorised over the voltages
    k, q = 1.380649e-23, 1.602176634e-19
    nVt = n * Ns * k * T / q
    I = np.full_like(V, Iph)
    for _ in range(iters):
        e = np.exp((V + I * Rs) / nVt)
        f = Iph - I0 * (e - 1) - (V + I * Rs) / Rsh - I
        df = -I0 * Rs / nVt * e - Rs / Rsh - 1
        I = I - f / df
    P = V * I
    imp = np.argmax(P)
    return I, {"Pmp": P[imp], "Vmp": V[imp], "Imp": I[imp],
               "FF": P[imp] / (V[-1] * Iph)}


def single_diode_lambertw(V, Iph, I0, Rs, Rsh, nVt):
    # the explicit solution with the Lambert W function (Jain and Kapoor)
    arg = (Rs * I0 * Rsh / (nVt * (Rs + Rsh))
           * np.exp(Rsh * (Rs * Iph + Rs * I0 + V) / (nVt * (Rs + Rsh))))
    I = (Rsh * (Iph + I0) - V) / (Rs + Rsh) - nVt / Rs * scipy.special.lambertw(arg).real
    return I


def solar_ideal_curve(V, Isc, Voc, nVt):
    # the Rs = 0, Rsh = inf curve; the fill factor from the maximum power point
    I0 = Isc / (np.exp(Voc / nVt) - 1)
    I = Isc - I0 * (np.exp(V / nVt) - 1)
    I = np.clip(I, 0, None)
    P = V * I
    ff = P.max() / (Voc * Isc)
    return I, P, ff

def rectifier_ripple(t, Vm, f, R, C):
    # a full-wave rectifier with a smoothing capacitor, the discharge written in a loop
    vin = np.abs(Vm * np.sin(2 * np.pi * f * t))
    dt = t[1] - t[0]
    vc = np.zeros_like(t)
    for k in range(1, len(t)):
        decayed = vc[k - 1] * np.exp(-dt / (R * C))
        vc[k] = max(vin[k], decayed)
    return vc, vc[len(t) // 2:].max() - vc[len(t) // 2:].min()


def rms_crest_form(v):
    # per-row RMS, crest factor and form factor
    rms = np.sqrt(np.mean(v ** 2, axis=-1))
    peak = np.max(np.abs(v), axis=-1)
    avg = np.mean(np.abs(v), axis=-1)
    return rms, peak / rms, rms / avg


def power_quantities(v, i):
    # real, apparent, reactive (Budeanu-free) and power factor from samples
    P = np.mean(v * i)
    Vrms = np.sqrt(np.mean(v ** 2))
    Irms = np.sqrt(np.mean(i ** 2))
    S = Vrms * Irms
    Q = np.sqrt(max(S ** 2 - P ** 2, 0.0))
    return P, S, Q, P / S


def rc_ladder_abcd(freqs, R, C, n_stages=3):
    # a cascade of RC sections by 2x2 ABCD matrices, (nf, 2, 2) multiplied in a loop
    w = 2 * np.pi * freqs
    T = np.broadcast_to(np.eye(2, dtype=complex), (len(freqs), 2, 2)).copy()
    for _ in range(n_stages):
        series = np.zeros((len(freqs), 2, 2), dtype=complex)
        series[:, 0, 0] = series[:, 1, 1] = 1
        series[:, 0, 1] = R
        shunt = np.zeros_like(series)
        shunt[:, 0, 0] = shunt[:, 1, 1] = 1
        shunt[:, 1, 0] = 1j * w * C
        T = T @ series @ shunt
    H = 1 / T[:, 0, 0]
    return np.abs(H), np.angle(H)


def buck_converter_averaged(Vin, D, L, C, R, dt=1e-6, n=100):
    # the averaged buck model: inductor current and capacitor voltage by Euler
    iL = 0.0
    vC = 0.0
    trace = np.zeros((n, 2))
    for k in range(n):
        diL = (D * Vin - vC) / L
        dvC = (iL - vC / R) / C
        iL = iL + dt * diL
        vC = vC + dt * dvC
        trace[k, 0] = iL
        trace[k, 1] = vC
    return trace

def _mna_net(s, n):
    # a resistor ladder of n nodes: node k to k+1 and each node to ground
    n1 = np.r_[np.arange(1, n + 1), np.arange(1, n)]
    n2 = np.r_[np.zeros(n, int), np.arange(2, n + 1)]
    R = 100 + 900 * _u(s, 2 * n - 1)
    return n, n1, n2, R, np.array([1, n]), np.array([1e-3, -2e-4 * s])


def _gb(s, n):
    G = np.diag(np.full(n, 0.02)) + 0.01 * np.eye(n, k=1) * -1 + 0.01 * np.eye(n, k=-1) * -1
    G[np.diag_indices(n)] += 0.001 * _u(s, n)
    B = np.zeros((n, 2))
    B[0, 0] = 1
    B[n - 1, 1] = -1
    return G, B, np.array([5.0, 1.0 + s]), np.zeros(n)


_OCV = (np.linspace(0, 1, 11), np.array([3.0, 3.3, 3.45, 3.55, 3.6, 3.65, 3.7, 3.8, 3.9,
                                         4.0, 4.2]))


CIRCUITS = {
    "mna_resistor_stamps_ground": (mna_resistor_stamps, {}, lambda s, n: _mna_net(s, n)),
    "mna_np_block_voltage_source": (mna_with_voltage_source, {}, lambda s, n: _gb(s, n)),
    "ac_mna_frequency_loop": (ac_mna_sweep, {}, lambda s, n: (
        np.geomspace(10, 1e5, n), 50.0 + s, 1e-3, 1e-6)),
    "ac_mna_batched_solve": (ac_mna_batched, {}, lambda s, n: (
        np.geomspace(10, 1e5, 2 * n), 50.0 + s, 1e-3, 1e-6)),
    "rlc_three_regimes_complex_sqrt": (rlc_all_damping, {}, lambda s, n: (
        np.linspace(0, 2e-3, 4 * n)[:, None], np.array([10.0, 200.0, 400.0 * s]), 10e-3,
        1e-6)),
    "rlc_state_space_scipy_expm": (rlc_state_space_expm, {"n": 30}, lambda s, n: (
        1.0 * n, 1e-3, 1e-5 * s)),
    "rlc_euler_python_lists": (rlc_euler_loop, {"n": 40}, lambda s, n: (
        5.0 + s, 1e-3, 1e-6 * n, 12.0)),
    "phasor_pol2cart_nested_helpers": (phasor_polar_helpers, {}, lambda s, n: (
        _u(s, n) * 10, _f(n, seed=s) * 90)),
    "three_phase_wye_load": (three_phase_quantities, {}, lambda s, n: (
        230.0 + s, 10 + 5j + _f(3, seed=s))),
    "unbalanced_wye_millman": (unbalanced_wye_neutral, {}, lambda s, n: (
        230 * np.exp(-2j * np.pi / 3 * np.arange(3)) * np.ones((n, 1)),
        10 + 5j * _u(s, n, 3) + _u(s + 1, n, 3), 1e3 + 0j)),
    "clarke_park_explicit": (clarke_park_explicit, {}, lambda s, n: (
        *_f(3, 5 * n, seed=s), np.linspace(0, 4 * np.pi, 5 * n))),
    "park_transform_per_sample_loop": (park_transform_loop, {}, lambda s, n: (
        _f(3, 3 * n, seed=s), np.linspace(0, 2 * np.pi, 3 * n))),
    "inverse_park_einsum_stack": (inverse_park_einsum, {}, lambda s, n: (
        _f(3, 4 * n, seed=s), np.linspace(0, 2 * np.pi, 4 * n))),
    "symmetrical_components_inv": (symmetrical_components, {}, lambda s, n: (
        _f(3, n, seed=s) + 1j * _f(3, n, seed=s + 1),)),
    "bode_polyval_unwrap": (bode_polyval, {}, lambda s, n: (
        np.array([1.0, 2.0 * s]), np.array([1.0, 3.0, 3.0, 1.0 + s]),
        np.geomspace(0.01, 100, 10 * n))),
    "bode_delay_unwrap_period_360": (bode_cascade_unwrap_deg, {}, lambda s, n: (
        np.geomspace(0.1, 100, 10 * n), 5.0, 0.2 * s, 0.05)),
    "bode_margins_dict": (bode_gain_phase_margin, {}, lambda s, n: (
        np.geomspace(0.01, 1000, 20 * n), 10.0 * s, 2.0, 30.0)),
    "battery_1rc_interp_ocv": (battery_thevenin_1rc, {}, lambda s, n: (
        np.where(np.arange(8 * n) % 10 < 6, 2.0 * s, 0.0), 1.0, 2.5, 0.05, 0.02, 2000.0,
        *_OCV)),
    "battery_2rc_polyval_ocv": (battery_2rc_vectorised_ocv, {}, lambda s, n: (
        2.0 + _f(6 * n, seed=s), 1.0, 2.5, 0.05, np.array([0.015, 0.03]),
        np.array([2000.0, 20000.0]), np.array([0.5, -0.8, 1.0, 3.3]))),
    "pwm_sine_triangle": (pwm_sine_triangle, {}, lambda s, n: (
        np.arange(64 * n) / 64e3, 50.0, 2e3, 0.8 + 0.05 * s, 400.0)),
    "pwm_three_phase_arcsin_carrier": (pwm_three_phase_line, {}, lambda s, n: (
        np.arange(32 * n) / 32e3, 50.0, 1e3, 0.9, 300.0 + s)),
    "svpwm_sector_floor_divide": (svpwm_sectors, {}, lambda s, n: (
        0.5 * s * np.cos(np.linspace(0.1, 6.2, 6 * n)),
        0.5 * s * np.sin(np.linspace(0.1, 6.2, 6 * n)), 1.0, 1e-4)),
    "single_diode_newton_dict": (single_diode_newton, {"iters": 20}, lambda s, n: (
        np.linspace(0, 21.0, 6 * n), 5.0 + 0.1 * s, 1e-9, 0.2, 300.0)),
    "single_diode_lambertw": (single_diode_lambertw, {}, lambda s, n: (
        np.linspace(0, 0.6, 6 * n), 5.0 + 0.1 * s, 1e-10, 0.01, 100.0, 0.0334)),
    "solar_ideal_fill_factor": (solar_ideal_curve, {}, lambda s, n: (
        np.linspace(0, 0.65, 6 * n), 8.0 + s, 0.62, 0.0334)),
    "rectifier_ripple_python_max": (rectifier_ripple, {}, lambda s, n: (
        np.linspace(0, 0.04, 10 * n), 10.0, 50.0, 100.0 * s, 1e-4)),
    "rms_crest_form_factor": (rms_crest_form, {}, lambda s, n: (_wave(s, n)[0].reshape(n, -1),)),
    "power_quantities_python_max": (power_quantities, {}, lambda s, n: (
        _wave(s, n)[0], np.roll(_wave(s + 1, n)[0], 3) / 30)),
    "rc_ladder_abcd_stack": (rc_ladder_abcd, {}, lambda s, n: (
        np.geomspace(10, 1e5, 3 * n), 1e3 * s, 100e-9)),
    "buck_converter_averaged": (buck_converter_averaged, {"n": 60}, lambda s, n: (
        12.0, 0.4 + 0.05 * s, 22e-6, 100e-6, 5.0)),
}


@pytest.mark.parametrize("name", _names(CIRCUITS))
def test_circuits_match_numpy(name):
    """Modified nodal analysis by stamps, np.block and batched solves; RLC transients in
    closed form, by expm and by Euler; impedances and phasors; three-phase quantities, Clarke,
    Park and symmetrical components; Bode plots with np.unwrap; battery models; PWM and SVPWM;
    single-diode solar curves; rectifiers, RMS and power; ABCD ladders and a buck converter."""
    check_like_numpy(*CIRCUITS[name])


# ================================================================================== optics


def abcd_system(rays, d1, f, d2):
    # free space, thin lens, free space: the system matrix applied to (2, n) rays
    def prop(d):
        return np.array([[1.0, d], [0.0, 1.0]])

    def lens(focal):
        return np.array([[1.0, 0.0], [-1.0 / focal, 1.0]])

    M = prop(d2) @ lens(f) @ prop(d1)
    out = M @ rays
    return M, out, -1 / M[1, 0]


def abcd_element_list(elements, y0, theta0):
    # a Python list of ("d", value) / ("f", value) elements reduced with functools.reduce
    mats = []
    for kind, val in elements:
        if kind == "d":
            mats.append(np.array([[1, val], [0, 1]]))
        else:
            mats.append(np.array([[1, 0], [-1 / val, 1]]))
    M = functools.reduce(np.dot, mats[::-1])
    ray = M @ np.stack([y0, theta0])
    efl = -1 / M[1, 0]
    bfl = -M[0, 0] / M[1, 0]
    return ray, efl, bfl, np.linalg.det(M)

def gaussian_beam_q(w0, wavelength, z, f_lens, d_after):
    # the q parameter through a lens, 1/q's imaginary part giving the width
    zR = np.pi * w0 ** 2 / wavelength
    q = z + 1j * zR
    A, B, C, D = 1.0, 0.0, -1 / f_lens, 1.0
    q1 = (A * q + B) / (C * q + D)
    q2 = q1 + d_after
    inv_q = 1 / q2
    w = np.sqrt(-wavelength / (np.pi * inv_q.imag))
    R = 1 / inv_q.real
    return w, R

def gaussian_beam_field(x, y, z, w0, wavelength):
    # the complex field on a meshgrid, intensity and the power fraction in a radius
    k = 2 * np.pi / wavelength
    zR = np.pi * w0 ** 2 / wavelength
    X, Y = np.meshgrid(x, y)
    r2 = X ** 2 + Y ** 2
    wz = w0 * np.sqrt(1 + (z / zR) ** 2)
    Rz = z * (1 + (zR / z) ** 2)
    psi = np.arctan(z / zR)
    E = w0 / wz * np.exp(-r2 / wz ** 2) * np.exp(-1j * (k * z + k * r2 / (2 * Rz) - psi))
    I = np.abs(E) ** 2
    frac = I[r2 <= wz ** 2].sum() / I.sum()
    return E, frac


def fresnel_complex_index(theta_i, n1, n2):
    # s and p amplitude coefficients with a complex index, cos(theta_t) by complex sqrt
    cos_i = np.cos(theta_i)
    sin_t = n1 / n2 * np.sin(theta_i)
    cos_t = np.sqrt(1 - sin_t ** 2)
    rs = (n1 * cos_i - n2 * cos_t) / (n1 * cos_i + n2 * cos_t)
    rp = (n2 * cos_i - n1 * cos_t) / (n2 * cos_i + n1 * cos_t)
    ts = 2 * n1 * cos_i / (n1 * cos_i + n2 * cos_t)
    return np.abs(rs) ** 2, np.abs(rp) ** 2, ts

def thin_film_tmm(wavelengths, n_layers, d_layers, n_in, n_sub):
    # characteristic matrices at normal incidence, one 2x2 product per layer and wavelength
    R = np.zeros(len(wavelengths))
    for i, lam in enumerate(wavelengths):
        M = np.eye(2, dtype=complex)
        for n, d in zip(n_layers, d_layers):
            delta = 2 * np.pi * n * d / lam
            layer = np.array([[np.cos(delta), 1j * np.sin(delta) / n],
                              [1j * n * np.sin(delta), np.cos(delta)]])
            M = M @ layer
        B, C = M @ np.array([1, n_sub])
        r = (n_in * B - C) / (n_in * B + C)
        R[i] = np.abs(r) ** 2
    return R


def thin_film_tmm_vectorised(wavelengths, n_layers, d_layers, n_in, n_sub):
    # the same over all wavelengths at once with einsum on (nw, 2, 2) stacks
    M = np.broadcast_to(np.eye(2, dtype=complex), (len(wavelengths), 2, 2))
    for n, d in zip(n_layers, d_layers):
        delta = 2 * np.pi * n * d / wavelengths
        L = np.empty((len(wavelengths), 2, 2), dtype=complex)
        L[:, 0, 0] = np.cos(delta)
        L[:, 0, 1] = 1j * np.sin(delta) / n
        L[:, 1, 0] = 1j * n * np.sin(delta)
        L[:, 1, 1] = np.cos(delta)
        M = np.einsum("wij,wjk->wik", M, L)
    BC = M @ np.array([1.0, n_sub])
    r = (n_in * BC[:, 0] - BC[:, 1]) / (n_in * BC[:, 0] + BC[:, 1])
    t = 2 * n_in / (n_in * BC[:, 0] + BC[:, 1])
    return np.abs(r) ** 2, (n_sub.real / n_in) * np.abs(t) ** 2


def tmm_oblique_byrnes(pol, n_list, d_list, th0, lam):
    # Byrnes' tmm.coh_tmm shape: interface and propagation matrices, angles by Snell
    num_layers = len(n_list)
    th_list = np.arcsin(n_list[0] * np.sin(th0) / n_list + 0j)
    kz_list = 2 * np.pi * n_list * np.cos(th_list) / lam
    delta = kz_list * d_list
    t_list = np.zeros((num_layers, num_layers), dtype=complex)
    r_list = np.zeros((num_layers, num_layers), dtype=complex)
    for i in range(num_layers - 1):
        ni, nf = n_list[i], n_list[i + 1]
        ci, cf = np.cos(th_list[i]), np.cos(th_list[i + 1])
        if pol == "s":
            r_list[i, i + 1] = (ni * ci - nf * cf) / (ni * ci + nf * cf)
            t_list[i, i + 1] = 2 * ni * ci / (ni * ci + nf * cf)
        else:
            r_list[i, i + 1] = (nf * ci - ni * cf) / (nf * ci + ni * cf)
            t_list[i, i + 1] = 2 * ni * ci / (nf * ci + ni * cf)
    M_list = np.zeros((num_layers, 2, 2), dtype=complex)
    for i in range(1, num_layers - 1):
        M_list[i] = (1 / t_list[i, i + 1]) * np.dot(
            np.array([[np.exp(-1j * delta[i]), 0], [0, np.exp(1j * delta[i])]]),
            np.array([[1, r_list[i, i + 1]], [r_list[i, i + 1], 1]]))
    Mtilde = np.array([[1, 0], [0, 1]], dtype=complex)
    for i in range(1, num_layers - 1):
        Mtilde = np.dot(Mtilde, M_list[i])
    Mtilde = np.dot(np.array([[1, r_list[0, 1]], [r_list[0, 1], 1]]) / t_list[0, 1], Mtilde)
    r = Mtilde[1, 0] / Mtilde[0, 0]
    return {"r": r, "R": abs(r) ** 2, "th_list": th_list}

def bragg_mirror(wavelengths, nH, nL, lam0, pairs=6):
    # (HL)^N quarter-wave stack by np.linalg.matrix_power of the period's matrix
    def layer(n, lam):
        d = lam0 / (4 * n)
        delta = 2 * np.pi * n * d / lam
        return np.array([[np.cos(delta), 1j / n * np.sin(delta)],
                         [1j * n * np.sin(delta), np.cos(delta)]])

    R = []
    for lam in wavelengths:
        P = layer(nH, lam) @ layer(nL, lam)
        M = np.linalg.matrix_power(P, pairs)
        B, C = M @ np.array([1.0, 1.52])
        r = (B - C) / (B + C)
        R.append(abs(r) ** 2)
    return np.array(R)


def jones_polarizer_chain(E_in, angles):
    # linear polarisers at the given angles: Malus's law by matrix products
    def polarizer(theta):
        c, s = np.cos(theta), np.sin(theta)
        return np.array([[c * c, c * s], [c * s, s * s]])

    E = E_in.astype(complex)
    intensities = []
    for th in angles:
        E = polarizer(th) @ E
        intensities.append(np.sum(np.abs(E) ** 2))
    return E, np.array(intensities)


def jones_waveplate_rotation(E_in, theta, retardance):
    # a retarder rotated by R(-theta) M R(theta); phases as exp(-i phi/2)
    def rot(t):
        return np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]])

    M0 = np.array([[np.exp(-1j * retardance / 2), 0], [0, np.exp(1j * retardance / 2)]])
    M = rot(-theta) @ M0 @ rot(theta)
    E = M @ E_in
    ellipticity = np.arctan2(np.abs(E[1]), np.abs(E[0]))
    phase_diff = np.angle(E[1]) - np.angle(E[0])
    return E, ellipticity, phase_diff

def mueller_chain(S_in, theta_pol, theta_ret, delta):
    # Mueller matrices of a polariser and a retarder, applied to a batch of Stokes vectors
    def polarizer(t):
        c, s = np.cos(2 * t), np.sin(2 * t)
        return 0.5 * np.array([[1, c, s, 0], [c, c * c, c * s, 0],
                               [s, c * s, s * s, 0], [0, 0, 0, 0]])

    def retarder(t, d):
        c, s = np.cos(2 * t), np.sin(2 * t)
        return np.array([[1, 0, 0, 0],
                         [0, c * c + s * s * np.cos(d), c * s * (1 - np.cos(d)), -s * np.sin(d)],
                         [0, c * s * (1 - np.cos(d)), s * s + c * c * np.cos(d), c * np.sin(d)],
                         [0, s * np.sin(d), -c * np.sin(d), np.cos(d)]])

    M = polarizer(theta_pol) @ retarder(theta_ret, delta)
    S_out = S_in @ M.T
    dop = np.linalg.norm(S_out[:, 1:], axis=1) / S_out[:, 0]
    return S_out, dop


def fraunhofer_circular(N, radius, dx, wavelength, z):
    # the far field of a circular aperture: fft2 between fftshifts, the intensity scaled
    x = (np.arange(N) - N / 2) * dx
    X, Y = np.meshgrid(x, x)
    aperture = (X ** 2 + Y ** 2 <= radius ** 2).astype(float)
    U = np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(aperture))) * dx ** 2
    I = np.abs(U) ** 2 / (wavelength * z) ** 2
    fx = np.fft.fftshift(np.fft.fftfreq(N, dx))
    return I / I.max(), fx * wavelength * z

def angular_spectrum(u0, wavelength, dx, z):
    # the angular-spectrum method, evanescent components cut by np.where
    ny, nx = u0.shape
    fx = np.fft.fftfreq(nx, d=dx)
    fy = np.fft.fftfreq(ny, d=dx)
    FX, FY = np.meshgrid(fx, fy)
    arg = 1 - (wavelength * FX) ** 2 - (wavelength * FY) ** 2
    kz = 2 * np.pi / wavelength * np.sqrt(np.maximum(arg, 0))
    H = np.where(arg >= 0, np.exp(1j * kz * z), 0)
    return np.fft.ifft2(np.fft.fft2(u0) * H)


def fresnel_transfer_function(u1, L, wavelength, z):
    # Voelz's propTF: the Fresnel transfer function on a shifted frequency grid
    M, N = u1.shape
    dx = L / M
    k = 2 * np.pi / wavelength
    fx = np.arange(-1 / (2 * dx), 1 / (2 * dx), 1 / L)
    FX, FY = np.meshgrid(fx, fx)
    H = np.exp(-1j * np.pi * wavelength * z * (FX ** 2 + FY ** 2))
    H = np.fft.fftshift(H)
    U1 = np.fft.fft2(np.fft.fftshift(u1))
    u2 = np.fft.ifftshift(np.fft.ifft2(H * U1))
    return u2 * np.exp(1j * k * z)


def fresnel_impulse_response(u1, L, wavelength, z):
    # Voelz's propIR: the impulse response transformed, scaled by dx^2
    M, N = u1.shape
    dx = L / M
    k = 2 * np.pi / wavelength
    x = np.arange(-L / 2, L / 2, dx)
    X, Y = np.meshgrid(x, x)
    h = 1 / (1j * wavelength * z) * np.exp(1j * k / (2 * z) * (X ** 2 + Y ** 2))
    H = np.fft.fft2(np.fft.fftshift(h)) * dx ** 2
    U1 = np.fft.fft2(np.fft.fftshift(u1))
    return np.fft.ifftshift(np.fft.ifft2(H * U1))


def zernike_radial(n, m, rho):
    # the factorial sum over k, a Python loop with math.factorial
    R = np.zeros_like(rho)
    for k in range((n - abs(m)) // 2 + 1):
        c = ((-1) ** k * math.factorial(n - k)
             / (math.factorial(k) * math.factorial((n + abs(m)) // 2 - k)
                * math.factorial((n - abs(m)) // 2 - k)))
        R += c * rho ** (n - 2 * k)
    return R


def zernike_masked_pupil(N, coeffs):
    # a wavefront from Zernike terms on the unit disk, zero outside, RMS over the pupil
    x = np.linspace(-1, 1, N)
    X, Y = np.meshgrid(x, x)
    rho = np.sqrt(X ** 2 + Y ** 2)
    phi = np.arctan2(Y, X)
    mask = rho <= 1
    nm = [(2, 0), (2, 2), (3, 1), (4, 0)]
    W = np.zeros((N, N))
    for c, (n, m) in zip(coeffs, nm):
        W += c * zernike_radial(n, m, rho) * np.cos(m * phi)
    W[~mask] = 0
    rms = np.sqrt(np.mean(W[mask] ** 2) - np.mean(W[mask]) ** 2)
    return W, rms


def zernike_noll_scipy_factorial(rho, theta, n_list, m_list):
    # normalised Zernikes with scipy.special.factorial, stacked into a basis
    modes = []
    for n, m in zip(n_list, m_list):
        R = np.zeros_like(rho)
        for k in range((n - abs(m)) // 2 + 1):
            R += ((-1) ** k * scipy.special.factorial(n - k)
                  / (scipy.special.factorial(k)
                     * scipy.special.factorial((n + abs(m)) // 2 - k)
                     * scipy.special.factorial((n - abs(m)) // 2 - k)) * rho ** (n - 2 * k))
        norm = np.sqrt(2 * (n + 1)) if m != 0 else np.sqrt(n + 1)
        ang = np.cos(m * theta) if m >= 0 else np.sin(-m * theta)
        modes.append(norm * R * ang * (rho <= 1))
    return np.stack(modes)


def psf_from_pupil(N, pad, W_waves):
    # the PSF of an aberrated circular pupil, zero-padded fft2 (s=...), Strehl ratio
    x = np.linspace(-1, 1, N)
    X, Y = np.meshgrid(x, x)
    mask = (X ** 2 + Y ** 2) <= 1
    P = mask * np.exp(1j * 2 * np.pi * W_waves)
    psf = np.abs(np.fft.fftshift(np.fft.fft2(P, s=(pad * N, pad * N)))) ** 2
    psf0 = np.abs(np.fft.fft2(mask.astype(complex), s=(pad * N, pad * N))) ** 2
    return psf / psf0.max(), psf.max() / psf0.max()


def mtf_from_psf(psf):
    # the OTF as the FFT of the PSF, MTF normalised at zero frequency, a radial cut
    otf = np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(psf)))
    mtf = np.abs(otf)
    c = psf.shape[0] // 2
    mtf = mtf / mtf[c, c]
    return mtf, mtf[c, c:]


def airy_pattern(r, wavelength, D, f):
    # 2 J1(x) / x with the removable singularity by np.where
    x = np.pi * D * r / (wavelength * f)
    safe = np.where(x == 0, 1.0, x)
    I = np.where(x == 0, 1.0, (2 * scipy.special.j1(safe) / safe) ** 2)
    first_zero = 1.22 * wavelength * f / D
    return I, first_zero

def n_slit_grating(theta, N, a, d, wavelength):
    # sin(N phi/2) / sin(phi/2), principal maxima by the limit N
    phi = 2 * np.pi * d * np.sin(theta) / wavelength
    beta = np.pi * a * np.sin(theta) / wavelength
    num = np.sin(N * phi / 2)
    den = np.sin(phi / 2)
    array_factor = np.where(np.abs(den) < 1e-12, N, num / np.where(den == 0, 1, den))
    env = np.where(beta == 0, 1.0, np.sin(beta) / np.where(beta == 0, 1, beta))
    return (env * array_factor / N) ** 2


def sellmeier_bk7(lam_um):
    # BK7 by the Sellmeier equation, group index from np.gradient
    B = np.array([1.03961212, 0.231792344, 1.01046945])
    C = np.array([0.00600069867, 0.0200179144, 103.560653])
    l2 = lam_um[:, None] ** 2
    n = np.sqrt(1 + np.sum(B * l2 / (l2 - C), axis=1))
    dn = np.gradient(n, lam_um)
    ng = n - lam_um * dn
    nd, nF, nC = np.interp([0.5876, 0.4861, 0.6563], lam_um, n)
    abbe = (nd - 1) / (nF - nC)
    return n, ng, abbe

def gerchberg_saxton(target_amp, source_amp, iters=10, seed=0):
    # a phase-retrieval loop with a seeded random start and a fixed iteration count
    rng = np.random.default_rng(seed)
    phase = rng.uniform(-np.pi, np.pi, target_amp.shape)
    field = source_amp * np.exp(1j * phase)
    for _ in range(iters):
        far = np.fft.fft2(field)
        far = target_amp * np.exp(1j * np.angle(far))
        field = np.fft.ifft2(far)
        field = source_amp * np.exp(1j * np.angle(field))
    err = np.linalg.norm(np.abs(np.fft.fft2(field)) - target_amp) / np.linalg.norm(target_amp)
    return np.angle(field), err

def _rays(s, n):
    return np.vstack([_f(n, seed=s) * 0.01, _f(n, seed=s + 1) * 0.001])


def _stack(s, n):
    nl = 2 + n // 2
    return (np.linspace(400e-9, 800e-9, 3 * n),
            np.where(np.arange(nl) % 2 == 0, 2.3, 1.38) + 0.01 * s,
            np.full(nl, 100e-9), 1.0, 1.52 + 0.0j)


OPTICS = {
    "abcd_lens_system_nested_helpers": (abcd_system, {}, lambda s, n: (
        _rays(s, n), 0.1, 0.05 + 0.01 * s, 0.2)),
    "abcd_element_list_reduce": (abcd_element_list, {}, lambda s, n: (
        [("d", 0.1), ("f", 0.05 * s), ("d", 0.03), ("f", -0.1), ("d", 0.2)],
        _f(n, seed=s), _f(n, seed=s + 1) * 0.01)),
    "gaussian_beam_q_lens": (gaussian_beam_q, {}, lambda s, n: (
        1e-3, 633e-9, np.linspace(-0.5, 0.5, n), 0.1 * s, np.linspace(0.05, 0.2, n))),
    "gaussian_beam_field_mask_sum": (gaussian_beam_field, {}, lambda s, n: (
        np.linspace(-2e-3, 2e-3, 4 * n), np.linspace(-2e-3, 2e-3, 4 * n + 1), 0.5 * s, 0.5e-3,
        633e-9)),
    "fresnel_complex_index_metal": (fresnel_complex_index, {}, lambda s, n: (
        np.linspace(0, np.pi / 2 - 0.01, 5 * n), 1.0, 0.2 + 3.5j * s)),
    "thin_film_tmm_loops": (thin_film_tmm, {}, lambda s, n: _stack(s, n)),
    "thin_film_tmm_einsum": (thin_film_tmm_vectorised, {}, lambda s, n: _stack(s, n)),
    "tmm_byrnes_s_pol": (tmm_oblique_byrnes, {}, lambda s, n: (
        "s", np.r_[1.0, np.where(np.arange(n) % 2 == 0, 2.3, 1.38 + 0.01j), 1.52],
        np.r_[np.inf, np.full(n, 90e-9 + 10e-9 * s), np.inf], 0.3, 550e-9)),
    "tmm_byrnes_p_pol": (tmm_oblique_byrnes, {}, lambda s, n: (
        "p", np.r_[1.0, np.where(np.arange(n) % 2 == 0, 2.3, 1.38 + 0.01j), 1.52],
        np.r_[np.inf, np.full(n, 90e-9 + 10e-9 * s), np.inf], 0.3, 550e-9)),
    "bragg_mirror_matrix_power": (bragg_mirror, {}, lambda s, n: (
        np.linspace(450e-9, 700e-9, 2 * n), 2.3 + 0.01 * s, 1.38, 550e-9)),
    "jones_polarizer_chain_malus": (jones_polarizer_chain, {}, lambda s, n: (
        np.array([1.0, 0.2 * s]), np.linspace(0, np.pi / 2, n))),
    "jones_waveplate_rotation": (jones_waveplate_rotation, {}, lambda s, n: (
        np.vstack([np.ones(n), 1j * _f(n, seed=s)]), 0.1 * s, np.pi / 2)),
    "mueller_polarizer_retarder": (mueller_chain, {}, lambda s, n: (
        np.column_stack([np.ones(n), _u(s, n, 3) * 0.5]), 0.2 * s, 0.3, np.pi / 2)),
    "fraunhofer_circular_fft2": (fraunhofer_circular, {}, lambda s, n: (
        4 * n, 0.5e-3 * s, 1e-4, 633e-9, 1.0)),
    "angular_spectrum_evanescent": (angular_spectrum, {}, lambda s, n: (
        np.exp(-((np.arange(4 * n) - 2 * n) ** 2)[:, None] / 20.0
               - ((np.arange(4 * n) - 2 * n) ** 2)[None, :] / 20.0) + 0j * s,
        633e-9, 0.4e-6, 5e-6 * s)),
    "fresnel_propagation_tf": (fresnel_transfer_function, {}, lambda s, n: (
        (np.hypot(*np.meshgrid(np.arange(4 * n) - 2 * n, np.arange(4 * n) - 2 * n)) < n)
        .astype(complex), 0.5e-3 * n, 0.5e-6, 2e-3 * s)),
    "fresnel_propagation_ir": (fresnel_impulse_response, {}, lambda s, n: (
        (np.hypot(*np.meshgrid(np.arange(4 * n) - 2 * n, np.arange(4 * n) - 2 * n)) < n)
        .astype(complex), 0.5e-3 * n, 0.5e-6, 2e-3 * s)),
    "zernike_masked_pupil_factorial": (zernike_masked_pupil, {}, lambda s, n: (
        4 * n, _f(4, seed=s) * 0.1)),
    "zernike_scipy_factorial_basis": (zernike_noll_scipy_factorial, {}, lambda s, n: (
        np.hypot(*np.meshgrid(np.linspace(-1, 1, 2 * n), np.linspace(-1, 1, 2 * n))),
        np.arctan2(*np.meshgrid(np.linspace(-1, 1, 2 * n), np.linspace(-1, 1, 2 * n))),
        [0, 1, 1, 2, 2, 2], [0, -1, 1, -2, 0, 2])),
    "psf_zero_padded_fft2_strehl": (psf_from_pupil, {}, lambda s, n: (
        2 * n, 2, 0.05 * s * zernike_masked_pupil(2 * n, [1.0, 0.0, 0.5, 0.2])[0])),
    "mtf_from_psf_radial": (mtf_from_psf, {}, lambda s, n: (
        psf_from_pupil(2 * n, 2, 0.05 * s * zernike_masked_pupil(2 * n, [1.0, 0, 0, 0])[0])[0],
    )),
    "airy_pattern_j1": (airy_pattern, {}, lambda s, n: (
        np.linspace(0, 20e-6, 5 * n), 550e-9, 0.01 * s, 0.1)),
    "n_slit_grating_limits": (n_slit_grating, {}, lambda s, n: (
        np.linspace(-0.05, 0.05, 10 * n + 1), 5 + s, 10e-6, 40e-6, 633e-9)),
    "sellmeier_bk7_gradient": (sellmeier_bk7, {}, lambda s, n: (
        np.linspace(0.4, 1.0 + 0.1 * s, 5 * n),)),
    "gerchberg_saxton_seeded": (gerchberg_saxton, {"iters": 6}, lambda s, n: (
        _u(s, 2 * n, 2 * n), np.ones((2 * n, 2 * n)))),
}


@pytest.mark.parametrize("name", _names(OPTICS))
def test_optics_match_numpy(name):
    """Ray transfer matrices, Gaussian beams and q parameters, Fresnel coefficients with
    complex indices and emath, thin-film transfer matrices by loops, einsum, Byrnes' tmm and
    matrix_power; Jones and Mueller calculus; Fraunhofer, angular-spectrum and Fresnel
    propagation by FFTs; Zernike polynomials on a masked pupil, PSF, MTF and the Airy
    pattern; gratings, Sellmeier and Gerchberg-Saxton."""
    check_like_numpy(*OPTICS[name])


# =============================================================================== acoustics


def image_source_rir(room, src, mic, fs, order=2, c=343.0, beta=0.8, n_samples=512):
    # Allen and Berkley's image method for a shoebox, every image in a triple loop,
    # each arrival accumulated at its rounded sample by np.add.at
    h = np.zeros(n_samples)
    Lx, Ly, Lz = room
    for i in range(-order, order + 1):
        for j in range(-order, order + 1):
            for k in range(-order, order + 1):
                x = i * Lx + (-1) ** i * src[0]
                y = j * Ly + (-1) ** j * src[1]
                z = k * Lz + (-1) ** k * src[2]
                d = np.sqrt((x - mic[0]) ** 2 + (y - mic[1]) ** 2 + (z - mic[2]) ** 2)
                n_refl = abs(i) + abs(j) + abs(k)
                idx = np.round(d / c * fs).astype(int)
                np.add.at(h, np.minimum(idx, n_samples - 1), beta ** n_refl / (4 * np.pi * d))
    return h


def image_source_vectorised(room, src, mics, fs, order=1, c=343.0, beta=0.7, n_samples=256):
    # the images on a meshgrid of indices, several microphones, one scatter per microphone
    r = np.arange(-order, order + 1)
    I, J, K = np.meshgrid(r, r, r, indexing="ij")
    I, J, K = I.ravel(), J.ravel(), K.ravel()
    img = np.stack([I * room[0] + (-1.0) ** I * src[0],
                    J * room[1] + (-1.0) ** J * src[1],
                    K * room[2] + (-1.0) ** K * src[2]], axis=1)
    amp_refl = beta ** (np.abs(I) + np.abs(J) + np.abs(K))
    rirs = np.zeros((len(mics), n_samples))
    for m in range(len(mics)):
        d = np.linalg.norm(img - mics[m], axis=1)
        delay = np.clip((d / c * fs).astype(int), 0, n_samples - 1)
        np.add.at(rirs[m], delay, amp_refl / d)
    return rirs


def sabine_eyring(V, S, alpha):
    # RT60 per octave band by Sabine and by Eyring; surfaces along axis 0
    A = np.sum(S[:, None] * alpha, axis=0)
    S_tot = S.sum()
    alpha_mean = A / S_tot
    rt_sabine = 0.161 * V / A
    rt_eyring = 0.161 * V / (-S_tot * np.log(1 - alpha_mean))
    return rt_sabine, rt_eyring, alpha_mean


def sabine_with_air(V, surfaces, m_air):
    # a dict of surfaces (area, per-band absorption), air absorption 4 m V
    A = sum(area * np.asarray(a) for area, a in surfaces.values())
    return 0.161 * V / (A + 4 * m_air * V)

def a_weighting_db(f):
    # IEC 61672 A-weighting in dB (with the +2.00 dB normalisation)
    f2 = f ** 2
    ra = (12194.0 ** 2 * f2 ** 2) / ((f2 + 20.6 ** 2)
                                    * np.sqrt((f2 + 107.7 ** 2) * (f2 + 737.9 ** 2))
                                    * (f2 + 12194.0 ** 2))
    return 20 * np.log10(ra) + 2.00


def abc_weightings(f):
    # A, B and C weightings together, as a dict, with the 1 kHz normalisation computed
    def ra(f):
        return 12194 ** 2 * f ** 4 / ((f ** 2 + 20.6 ** 2) * np.sqrt(
            (f ** 2 + 107.7 ** 2) * (f ** 2 + 737.9 ** 2)) * (f ** 2 + 12194 ** 2))

    def rb(f):
        return 12194 ** 2 * f ** 3 / ((f ** 2 + 20.6 ** 2) * np.sqrt(f ** 2 + 158.5 ** 2)
                                      * (f ** 2 + 12194 ** 2))

    def rc(f):
        return 12194 ** 2 * f ** 2 / ((f ** 2 + 20.6 ** 2) * (f ** 2 + 12194 ** 2))

    out = {}
    for name, r in (("A", ra), ("B", rb), ("C", rc)):
        out[name] = 20 * np.log10(r(f)) - 20 * np.log10(r(1000.0))
    return out


def octave_band_centres(fraction=3):
    # nominal-base-10 band centres and edges, 1/1 or 1/3 octave
    G = 10 ** (3 / 10)
    if fraction == 1:
        x = np.arange(-6, 5)
        fm = 1000 * G ** x
    else:
        x = np.arange(-20, 14)
        fm = 1000 * G ** (x / fraction)
    f_lo = fm * G ** (-1 / (2 * fraction))
    f_hi = fm * G ** (1 / (2 * fraction))
    return fm, f_lo, f_hi


def band_levels_loop(x, fs, f_lo, f_hi):
    # band levels from the power spectrum, a Python loop over bands with boolean masks
    N = len(x)
    X = np.fft.rfft(x * np.hanning(N))
    P = np.abs(X) ** 2 / (fs * np.sum(np.hanning(N) ** 2))
    P[1:-1] *= 2
    f = np.fft.rfftfreq(N, 1 / fs)
    levels = np.zeros(len(f_lo))
    for b in range(len(f_lo)):
        sel = (f >= f_lo[b]) & (f < f_hi[b])
        levels[b] = 10 * np.log10(P[sel].sum() * fs / N / (20e-6) ** 2 + 1e-20)
    return levels


def band_levels_matrix(P, f, f_lo, f_hi):
    # the same with a band-membership matrix and a matrix product
    member = (f[None, :] >= f_lo[:, None]) & (f[None, :] < f_hi[:, None])
    band_power = member.astype(float) @ P
    return 10 * np.log10(np.maximum(band_power, 1e-30) / (2e-5) ** 2)


def band_levels_where_sum(P, f, f_lo, f_hi):
    # np.sum with where= per band, and the overall level
    L = np.array([10 * np.log10(np.sum(P, where=(f >= lo) & (f < hi)) / 4e-10)
                  for lo, hi in zip(f_lo, f_hi)])
    total = 10 * np.log10(np.sum(10 ** (L / 10)))
    return L, total

def spl_average_db(levels, axis=0):
    # energetic average along an axis vs the arithmetic average
    energetic = 10 * np.log10(np.mean(np.power(10, levels / 10), axis=axis))
    arithmetic = np.mean(levels, axis=axis)
    return energetic, arithmetic, energetic - arithmetic


def leq_statistics(p, fs, block=0.125):
    # Leq per block (fast time weighting-free), L10, L50, L90 by percentiles, Lmax
    n = int(block * fs)
    nb = len(p) // n
    blocks = p[:nb * n].reshape(nb, n)
    Lb = 10 * np.log10(np.mean(blocks ** 2, axis=1) / (20e-6) ** 2)
    Leq = 10 * np.log10(np.mean(10 ** (Lb / 10)))
    L10, L50, L90 = np.percentile(Lb, [90, 50, 10])
    return {"Leq": Leq, "L10": L10, "L50": L50, "L90": L90, "Lmax": Lb.max()}


def spl_from_pressure(p, p_ref=20e-6):
    # the RMS pressure along the last axis, the level and the peak level
    p_rms = np.sqrt(np.mean(np.square(p), axis=-1))
    return 20 * np.log10(p_rms / p_ref), 20 * np.log10(np.max(np.abs(p), axis=-1) / p_ref)

def helmholtz_impedance_curve(f, V, r, L, rho=1.21, c=343.0, R=0.05):
    # the acoustic impedance of the neck and cavity, |Z| minimum near f0
    w = 2 * np.pi * f
    A = np.pi * r ** 2
    M = rho * (L + 1.7 * r) / A
    C = V / (rho * c ** 2)
    Z = R * rho * c / A + 1j * (w * M - 1 / (w * C))
    return np.abs(Z), f[np.argmin(np.abs(Z))]


def schroeder_edc(h, fs):
    # Schroeder backward integration by a reversed cumsum, in dB
    energy = h ** 2
    edc = np.cumsum(energy[::-1])[::-1]
    edc_db = 10 * np.log10(edc / edc[0])
    t = np.arange(len(h)) / fs
    return t, edc_db


def schroeder_t30_argmax(h, fs):
    # T30 from the first samples under -5 and -35 dB (argmax of a boolean), np.flip
    edc = np.flip(np.cumsum(np.flip(h ** 2)))
    edc_db = 10 * np.log10(edc / np.max(edc))
    i5 = np.argmax(edc_db <= -5)
    i35 = np.argmax(edc_db <= -35)
    t30 = 2 * (i35 - i5) / fs
    edt_idx = np.argmax(edc_db <= -10)
    return t30, 6 * edt_idx / fs


def schroeder_t20_fit_where(h, fs):
    # T20 by a least-squares line through the -5 to -25 dB part, weights by np.where
    edc = np.cumsum(h[::-1] ** 2)[::-1]
    L = 10 * np.log10(edc / edc[0])
    t = np.arange(len(h)) / fs
    w = np.where((L <= -5) & (L >= -25), 1.0, 0.0)
    tm = np.sum(w * t) / np.sum(w)
    Lm = np.sum(w * L) / np.sum(w)
    slope = np.sum(w * (t - tm) * (L - Lm)) / np.sum(w * (t - tm) ** 2)
    return -60 / slope

def room_modes(Lx, Ly, Lz, c=343.0, n_max=3):
    # axial, tangential and oblique modes from a meshgrid of mode numbers, the lowest ten
    nx, ny, nz = np.meshgrid(np.arange(n_max + 1), np.arange(n_max + 1), np.arange(n_max + 1),
                             indexing="ij")
    f = c / 2 * np.sqrt((nx / Lx) ** 2 + (ny / Ly) ** 2 + (nz / Lz) ** 2)
    f = f.ravel()[1:]
    kind = ((nx > 0).astype(int) + (ny > 0) + (nz > 0)).ravel()[1:]
    order = np.argsort(f, kind="stable")
    return f[order][:10], kind[order][:10]

def air_absorption_iso9613(f, T=293.15, hr=50.0, pa=101.325):
    # ISO 9613-1 atmospheric absorption in dB/m
    pr = 101.325
    T0 = 293.15
    T01 = 273.16
    C = -6.8346 * (T01 / T) ** 1.261 + 4.6151
    h = hr * 10 ** C * pr / pa
    frO = pa / pr * (24 + 4.04e4 * h * (0.02 + h) / (0.391 + h))
    frN = pa / pr * (T / T0) ** -0.5 * (9 + 280 * h * np.exp(-4.170 * ((T / T0) ** (-1 / 3) - 1)))
    alpha = 8.686 * f ** 2 * (1.84e-11 * (pa / pr) ** -1 * (T / T0) ** 0.5 + (T / T0) ** -2.5 * (
        0.01275 * np.exp(-2239.1 / T) / (frO + f ** 2 / frO)
        + 0.1068 * np.exp(-3352.0 / T) / (frN + f ** 2 / frN)))
    return alpha


def point_sources_at_receivers(Lw, src, rec, Q=2.0):
    # free-field levels of several sources at a grid of receivers, summed incoherently
    r = np.sqrt(((rec[:, None, :] - src[None, :, :]) ** 2).sum(axis=-1))
    Lp = Lw[None, :] + 10 * np.log10(Q / (4 * np.pi * r ** 2))
    total = 10 * np.log10(np.sum(10 ** (0.1 * Lp), axis=1))
    loudest = np.argmax(Lp, axis=1)
    return total, loudest


def mass_law_tl(f, m, f_c):
    # field-incidence mass law, limited below the coincidence frequency
    TL = 20 * np.log10(m * f) - 47
    TL = np.where(f < 0.5 * f_c, TL, TL[np.searchsorted(f, 0.5 * f_c) - 1])
    return TL


def two_microphone_absorption(H12, f, s, x1, c=343.0):
    # ISO 10534-2: reflection factor from the transfer function between two microphones
    k = 2 * np.pi * f / c
    R = (H12 - np.exp(-1j * k * s)) / (np.exp(1j * k * s) - H12) * np.exp(2j * k * x1)
    alpha = 1 - np.abs(R) ** 2
    Z = (1 + R) / (1 - R)
    return alpha, Z


def delany_bazley(f, sigma, d, rho0=1.21, c0=343.0):
    # a rigidly backed porous layer: Zc and kc from Delany-Bazley, Zs = -j Zc cot(kc d)
    X = rho0 * f / sigma
    Zc = rho0 * c0 * (1 + 0.0571 * X ** -0.754 - 1j * 0.087 * X ** -0.732)
    kc = 2 * np.pi * f / c0 * (1 + 0.0978 * X ** -0.700 - 1j * 0.189 * X ** -0.595)
    Zs = -1j * Zc / np.tan(kc * d)
    R = (Zs - rho0 * c0) / (Zs + rho0 * c0)
    return 1 - np.abs(R) ** 2


def piston_directivity(theta, ka):
    # 2 J1(ka sin t) / (ka sin t) in dB, on-axis as the limit
    x = ka * np.sin(theta)
    D = np.ones_like(x)
    nz = np.abs(x) > 1e-8
    D[nz] = 2 * scipy.special.j1(x[nz]) / x[nz]
    return 20 * np.log10(np.abs(D) + 1e-12)


def line_array_pattern(theta, n_el, d, f, steer=0.0, c=343.0):
    # the array factor of a uniform line array, steered, normalised in dB
    k = 2 * np.pi * f / c
    n = np.arange(n_el)
    phase = k * d * n[:, None] * (np.sin(theta)[None, :] - np.sin(steer))
    AF = np.abs(np.exp(1j * phase).sum(axis=0)) / n_el
    return 20 * np.log10(np.maximum(AF, 1e-6))


def delay_and_sum_power(X, mic_pos, angles, f, c=343.0):
    # frequency-domain beamforming: steering vectors and output power per angle
    k = 2 * np.pi * f / c
    A = np.exp(-1j * k * np.outer(mic_pos, np.sin(angles)))
    w = A / len(mic_pos)
    Y = np.conj(w).T @ X
    P = np.mean(np.abs(Y) ** 2, axis=1)
    return 10 * np.log10(P / P.max()), angles[np.argmax(P)]

def fractional_octave_smoothing(f, mag_db, frac=3):
    # smooth a response over 1/frac-octave windows, a loop over bins with mask means
    out = np.empty_like(mag_db)
    p = 10 ** (mag_db / 10)
    for i in range(len(f)):
        lo = f[i] * 2 ** (-1 / (2 * frac))
        hi = f[i] * 2 ** (1 / (2 * frac))
        sel = (f >= lo) & (f <= hi)
        out[i] = 10 * np.log10(np.mean(p[sel]))
    return out

def a_weighted_level_from_bands(band_levels, centres):
    # a dBA total from unweighted band levels by adding the A-weighting per band
    LA = band_levels + a_weighting_db(centres)
    return 10 * np.log10(np.sum(10 ** (LA / 10), axis=-1))

def _rir(s, n):
    rng = np.random.default_rng(s)
    fs = 8000.0
    t = np.arange(100 * n) / fs
    return rng.standard_normal(100 * n) * np.exp(-6.9 * t / (0.04 + 0.01 * s)), fs


def _spectrum(s, n):
    f = np.linspace(0, 4000, 40 * n)
    P = 1e-6 * (1 + _u(s, 40 * n)) / (1 + f / 500)
    fm, lo, hi = octave_band_centres(1)
    return P, f, lo[3:9], hi[3:9]


ACOUSTICS = {
    "image_source_triple_loop_add_at": (image_source_rir, {"order": 1, "n_samples": 256},
                                        lambda s, n: (
        np.array([4.0 + 0.1 * n, 3.0, 2.5]), np.array([1.0, 1.2, 1.1 + 0.1 * s]),
        np.array([2.5, 1.6, 1.3]), 8000.0)),
    "image_source_meshgrid_mics": (image_source_vectorised, {}, lambda s, n: (
        np.array([4.0, 3.0 + 0.1 * s, 2.5]), np.array([1.0, 1.2, 1.1]),
        np.column_stack([np.linspace(2, 3, n), np.full(n, 1.5), np.full(n, 1.2)]), 8000.0)),
    "sabine_eyring_bands": (sabine_eyring, {}, lambda s, n: (
        200.0 + s, 20 + 30 * _u(s, n), 0.05 + 0.5 * _u(s + 1, n, 6))),
    "sabine_dict_of_surfaces": (sabine_with_air, {}, lambda s, n: (
        150.0, {"floor": (50.0, 0.02 + 0.1 * _u(s, n)), "ceiling": (50.0, 0.6 * _u(s + 1, n)),
                "walls": (110.0, np.full(n, 0.05))}, 0.003 * s)),
    "abc_weightings_dict": (abc_weightings, {}, lambda s, n: (
        np.geomspace(20, 20000, 10 * n) * (1 + 0.01 * s),)),
    "octave_centres_third": (octave_band_centres, {"fraction": 3}, lambda s, n: ()),
    "band_levels_mask_loop_rfft": (band_levels_loop, {}, lambda s, n: (
        _f(128 * n, seed=s), 8000.0, *octave_band_centres(1)[1:])),
    "band_levels_membership_matmul": (band_levels_matrix, {}, lambda s, n: _spectrum(s, n)),
    "band_levels_sum_where": (band_levels_where_sum, {}, lambda s, n: _spectrum(s, n)),
    "spl_energetic_average": (spl_average_db, {"axis": 1}, lambda s, n: (
        60 + 20 * _u(s, 3, n),)),
    "leq_percentiles_dict": (leq_statistics, {}, lambda s, n: (
        0.2 * _f(400 * n, seed=s) * (1 + np.sin(np.arange(400 * n) / 50)), 800.0)),
    "spl_from_pressure_float32": (spl_from_pressure, {}, lambda s, n: (
        (0.1 * _f(3, 50 * n, seed=s)).astype(np.float32),)),
    "helmholtz_impedance_argmin": (helmholtz_impedance_curve, {}, lambda s, n: (
        np.linspace(20, 500, 20 * n), 2e-3 * s, 0.01, 0.03)),
    "schroeder_reversed_cumsum": (schroeder_edc, {}, lambda s, n: _rir(s, n)),
    "schroeder_t30_argmax_flip": (schroeder_t30_argmax, {}, lambda s, n: _rir(s, n)),
    "schroeder_t20_weighted_fit": (schroeder_t20_fit_where, {}, lambda s, n: _rir(s, n)),
    "room_modes_meshgrid_argsort": (room_modes, {}, lambda s, n: (
        5.0 + 0.1 * n, 4.0, 2.7 + 0.1 * s)),
    "air_absorption_iso9613": (air_absorption_iso9613, {}, lambda s, n: (
        np.geomspace(50, 10000, 5 * n), 283.15 + 5 * s, 40.0 + 10 * s)),
    "point_sources_receivers": (point_sources_at_receivers, {}, lambda s, n: (
        80 + 10 * _u(s, 3), _f(3, 3, seed=s) * 10, _f(n, 3, seed=s + 1) * 10 + 20)),
    "mass_law_searchsorted": (mass_law_tl, {}, lambda s, n: (
        np.geomspace(50, 5000, 5 * n), 10.0 * s, 2500.0)),
    "two_microphone_impedance_tube": (two_microphone_absorption, {}, lambda s, n: (
        np.exp(1j * _f(5 * n, seed=s)) * (0.8 + 0.1 * _u(s, 5 * n)),
        np.linspace(100, 1500, 5 * n), 0.05, 0.1 + 0.01 * s)),
    "delany_bazley_porous": (delany_bazley, {}, lambda s, n: (
        np.geomspace(100, 4000, 5 * n), 10000.0 * s, 0.05)),
    "piston_directivity_j1_mask_write": (piston_directivity, {}, lambda s, n: (
        np.linspace(-np.pi / 2, np.pi / 2, 5 * n + 1), 3.0 * s)),
    "line_array_steered": (line_array_pattern, {}, lambda s, n: (
        np.linspace(-np.pi / 2, np.pi / 2, 10 * n), 8, 0.1, 1000.0 * s, 0.3)),
    "delay_and_sum_beamformer": (delay_and_sum_power, {}, lambda s, n: (
        _f(6, 4 * n, seed=s) + 1j * _f(6, 4 * n, seed=s + 1), np.arange(6) * 0.05,
        np.linspace(-np.pi / 2, np.pi / 2, 3 * n), 1000.0)),
    "fractional_octave_smoothing_loop": (fractional_octave_smoothing, {}, lambda s, n: (
        np.geomspace(50, 5000, 6 * n), _f(6 * n, seed=s) * 3)),
    "dba_from_band_levels": (a_weighted_level_from_bands, {}, lambda s, n: (
        70 + 10 * _u(s, 2, 11), octave_band_centres(1)[0])),
}


@pytest.mark.parametrize("name", _names(ACOUSTICS))
def test_acoustics_match_numpy(name):
    """Image-source room impulse responses by loops and meshgrids with np.add.at; Sabine,
    Eyring RT60s; A/B/C weightings; octave and third-octave bands and band levels by masks,
    matrices and where=; dB averages, Leq and percentile levels; a Helmholtz resonator's
    impedance; Schroeder integration, T20/T30; room modes, air absorption, sources and
    receivers, mass law, impedance tubes, porous absorbers, directivity, arrays, beamformers
    and fractional-octave smoothing."""
    check_like_numpy(*ACOUSTICS[name])


# ================================================================ machines, arrays, beams, waves


def induction_motor_torque(slip, V1, R1, X1, R2, X2, Xm, ns_rpm, poles=4):
    # the per-phase equivalent circuit by its Thevenin equivalent, torque-speed curve
    ws = 2 * np.pi * ns_rpm / 60
    Zth = (1j * Xm * (R1 + 1j * X1)) / (R1 + 1j * (X1 + Xm))
    Vth = V1 * Xm / np.sqrt(R1 ** 2 + (X1 + Xm) ** 2)
    Rth, Xth = Zth.real, Zth.imag
    T = 3 * Vth ** 2 * R2 / slip / (ws * ((Rth + R2 / slip) ** 2 + (Xth + X2) ** 2))
    s_max = R2 / np.sqrt(Rth ** 2 + (Xth + X2) ** 2)
    speed = (1 - slip) * ns_rpm
    return T, s_max, speed[np.argmax(T)]


def overcurrent_relay(I, Is, TMS, curve="SI"):
    # IEC 60255 inverse-time curves from a dict of constants, infinite below pickup
    k, a = {"SI": (0.14, 0.02), "VI": (13.5, 1.0), "EI": (80.0, 2.0)}[curve]
    M = I / Is
    with np.errstate(divide="ignore", invalid="ignore"):
        t = TMS * k / (M ** a - 1)
    return np.where(M > 1, t, np.inf)


def wls_state_estimation(H, z, sigma, iters=3):
    # DC state estimation by weighted least squares, the residuals and J(x)
    W = np.diag(1 / sigma ** 2)
    x = np.zeros(H.shape[1])
    for _ in range(iters):
        r = z - H @ x
        G = H.T @ W @ H
        x = x + np.linalg.solve(G, H.T @ W @ r)
    r = z - H @ x
    J = r @ W @ r
    Omega = np.diag(np.linalg.inv(W)) - np.einsum("ij,jk,ik->i", H, np.linalg.inv(G), H)
    return x, J, r / np.sqrt(np.abs(Omega))


def bundle_gmd_gmr(xy, r, n_sub, spacing):
    # three-phase line inductance and capacitance per km from conductor positions
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    iu = np.triu_indices(3, k=1)
    gmd = np.prod(d[iu]) ** (1 / 3)
    r_gmr = 0.7788 * r
    gmr_L = (r_gmr * spacing ** (n_sub - 1)) ** (1 / n_sub)
    gmr_C = (r * spacing ** (n_sub - 1)) ** (1 / n_sub)
    L = 2e-7 * np.log(gmd / gmr_L) * 1e3
    C = 2 * np.pi * 8.854e-12 / np.log(gmd / gmr_C) * 1e3
    return L, C, 1 / np.sqrt(L * C)


def battery_arbitrage(price, p_cmd, cap, eta_c=0.95, eta_d=0.95, soc0=0.5):
    # a storage dispatch: SOC limits by np.clip in a loop, energy with efficiencies
    soc = soc0 * cap
    socs = np.empty_like(price)
    revenue = 0.0
    for t in range(len(price)):
        delta = np.where(p_cmd[t] > 0, p_cmd[t] * eta_c, p_cmd[t] / eta_d)
        new = np.clip(soc + delta, 0.0, cap)
        actual = new - soc
        grid = np.where(actual > 0, actual / eta_c, actual * eta_d)
        revenue = revenue - grid * price[t]
        soc = new
        socs[t] = soc
    return socs, revenue


def wind_turbine_power(v, rated, v_in=3.0, v_rated=12.0, v_out=25.0):
    # the power curve by np.piecewise with a cubic section
    return np.piecewise(v, [v < v_in, (v >= v_in) & (v < v_rated),
                            (v >= v_rated) & (v < v_out), v >= v_out],
                        [0.0, lambda v: rated * (v ** 3 - v_in ** 3) / (v_rated ** 3 - v_in ** 3),
                         rated, 0.0])

def gcc_phat(sig, refsig, fs=1, max_tau=None, interp=16):
    # the widely copied GCC-PHAT time-delay estimator
    n = sig.shape[0] + refsig.shape[0]
    SIG = np.fft.rfft(sig, n=n)
    REFSIG = np.fft.rfft(refsig, n=n)
    R = SIG * np.conj(REFSIG)
    cc = np.fft.irfft(R / np.abs(R), n=(interp * n))
    max_shift = int(interp * n / 2)
    if max_tau:
        max_shift = np.minimum(int(interp * fs * max_tau), max_shift)
    cc = np.concatenate((cc[-max_shift:], cc[:max_shift + 1]))
    shift = np.argmax(np.abs(cc)) - max_shift
    tau = shift / float(interp * fs)
    return tau, cc


def music_doa(X, angles, n_src=1, d=0.5):
    # MUSIC: the noise subspace from eigh of the sample covariance
    R = X @ X.conj().T / X.shape[1]
    w, V = np.linalg.eigh(R)
    En = V[:, :-n_src]
    A = np.exp(-2j * np.pi * d * np.outer(np.arange(X.shape[0]), np.sin(angles)))
    P = 1 / np.sum(np.abs(En.conj().T @ A) ** 2, axis=0)
    return 10 * np.log10(P / P.max())


def mvdr_beamformer(X, angles, look, d=0.5, loading=1e-2):
    # MVDR weights with diagonal loading, the spatial spectrum by Capon
    M = X.shape[0]
    R = X @ X.conj().T / X.shape[1] + loading * np.eye(M)
    Rinv = np.linalg.inv(R)
    a = np.exp(-2j * np.pi * d * np.arange(M) * np.sin(look))
    w = Rinv @ a / (a.conj() @ Rinv @ a)
    A = np.exp(-2j * np.pi * d * np.arange(M)[:, None] * np.sin(angles)[None, :])
    capon = 1 / np.real(np.einsum("ma,mn,na->a", A.conj(), Rinv, A))
    return w, 10 * np.log10(capon / capon.max())


def ground_effect_erfc(r1, r2, k, Z_ground, theta):
    # outdoor propagation over an impedance ground: spherical-wave reflection factor with the
    # boundary loss factor F(w) = 1 + i sqrt(pi) w exp(-w^2) erfc(-i w)
    beta = 1 / Z_ground
    Rp = (np.cos(theta) - beta) / (np.cos(theta) + beta)
    w = np.sqrt(0.5j * k * r2) * (np.cos(theta) + beta)
    F = 1 + 1j * np.sqrt(np.pi) * w * np.exp(-w ** 2) * scipy.special.erfc(-1j * w)
    Q = Rp + (1 - Rp) * F
    p = np.exp(1j * k * r1) / r1 + Q * np.exp(1j * k * r2) / r2
    return 20 * np.log10(np.abs(p) * r1)


def ground_effect_wofz(r1, r2, k, Z_ground, theta):
    # the same with the Faddeeva function scipy.special.wofz
    beta = 1 / Z_ground
    Rp = (np.cos(theta) - beta) / (np.cos(theta) + beta)
    w = np.sqrt(0.5j * k * r2) * (np.cos(theta) + beta)
    F = 1 + 1j * np.sqrt(np.pi) * w * scipy.special.wofz(w)
    Q = Rp + (1 - Rp) * F
    p = np.exp(1j * k * r1) / r1 + Q * np.exp(1j * k * r2) / r2
    return 20 * np.log10(np.abs(p) * r1)


def knife_edge_complex_erf(v):
    # Fresnel integrals through the complex error function, C + iS, and the diffraction loss
    z = np.sqrt(np.pi) * (1 - 1j) * v / 2
    CS = (1 + 1j) / 2 * scipy.special.erf(z)
    F = 0.5 * (1 + 1j) - CS
    return -20 * np.log10(np.abs(F) / np.abs(1 + 1j))


def knife_edge_fresnel(v):
    # the same loss with scipy.special.fresnel's tuple
    S, C = scipy.special.fresnel(v)
    return -20 * np.log10(np.sqrt((0.5 - C) ** 2 + (0.5 - S) ** 2) / np.sqrt(2))

def planck_spectrum(lam, T):
    # black-body spectral radiance with expm1, Wien's peak by argmax, the total by trapezoid
    h, c, kB = 6.62607015e-34, 2.99792458e8, 1.380649e-23
    B = 2 * h * c ** 2 / lam ** 5 / np.expm1(h * c / (lam * kB * T))
    return B, lam[np.argmax(B)], np.trapezoid(B, lam)


def kolmogorov_phase_screen(N, dx, r0, rng):
    # an FFT phase screen: the von Karman-free Kolmogorov PSD, complex noise from a generator
    df = 1 / (N * dx)
    fx = np.fft.fftfreq(N, dx)
    FX, FY = np.meshgrid(fx, fx)
    f = np.sqrt(FX ** 2 + FY ** 2)
    f[0, 0] = 1.0
    PSD = 0.023 * r0 ** (-5 / 3) * f ** (-11 / 3)
    PSD[0, 0] = 0
    cn = (rng.standard_normal((N, N)) + 1j * rng.standard_normal((N, N))) * np.sqrt(PSD) * df
    return np.real(np.fft.ifft2(cn)) * N * N


def phase_shifting_unwrap(I1, I2, I3, I4):
    # four-step phase-shifting interferometry, unwrapped along rows then columns
    phi = np.arctan2(I4 - I2, I1 - I3)
    modulation = 0.5 * np.sqrt((I4 - I2) ** 2 + (I1 - I3) ** 2)
    return np.unwrap(np.unwrap(phi, axis=0), axis=1), modulation


def sphere_refraction(origins, dirs, R, n1, n2):
    # rays against a spherical surface: the quadratic for the hit, vector Snell's law
    c = np.array([0.0, 0.0, R])
    oc = origins - c
    b = np.sum(oc * dirs, axis=1)
    cc = np.sum(oc ** 2, axis=1) - R ** 2
    disc = b ** 2 - cc
    t = -b - np.sqrt(np.where(disc >= 0, disc, np.nan))
    p = origins + t[:, None] * dirs
    nrm = (p - c) / R
    eta = n1 / n2
    cosi = -np.sum(nrm * dirs, axis=1)
    k = 1 - eta ** 2 * (1 - cosi ** 2)
    tdir = eta * dirs + (eta * cosi - np.sqrt(k))[:, None] * nrm
    return p, tdir / np.linalg.norm(tdir, axis=1, keepdims=True)


def radial_profile_centre(img):
    # the azimuthal average about the array centre: np.bincount on integer radii
    y, x = np.indices(img.shape)
    c = np.array(img.shape) // 2
    r = np.hypot(x - c[1], y - c[0]).astype(int)
    tbin = np.bincount(r.ravel(), img.ravel())
    nr = np.bincount(r.ravel())
    prof = tbin / nr
    return prof, np.cumsum(tbin) / tbin.sum()


def pupil_masked_array(W):
    # the wavefront statistics on a circular pupil through np.ma
    N = W.shape[0]
    y, x = np.indices((N, N)) - (N - 1) / 2
    Wm = np.ma.masked_where(np.hypot(x, y) > N / 2, W)
    return Wm.std(), Wm.mean(), Wm.max() - Wm.min()


def pupil_nan_stats(W):
    # the same with NaN outside the pupil and nan-reductions
    N = W.shape[0]
    y, x = np.indices((N, N)) - (N - 1) / 2
    W = W.copy()
    W[np.hypot(x, y) > N / 2] = np.nan
    return np.nanstd(W), np.nanmax(W) - np.nanmin(W), np.nan_to_num(W)


def piston_radiation_impedance(ka):
    # a baffled piston's normalised radiation impedance with Bessel and Struve functions
    Z = 1 - scipy.special.j1(2 * ka) / ka + 1j * scipy.special.struve(1, 2 * ka) / ka
    return Z.real, Z.imag


def rigid_sphere_scattering(ka, theta, nmax=6):
    # the pressure on a rigid sphere by the modal series of spherical Bessel functions
    p = np.zeros((len(ka), len(theta)), dtype=complex)
    for n in range(nmax):
        jn_d = scipy.special.spherical_jn(n, ka, derivative=True)
        hn_d = jn_d + 1j * scipy.special.spherical_yn(n, ka, derivative=True)
        jn = scipy.special.spherical_jn(n, ka)
        hn = jn + 1j * scipy.special.spherical_yn(n, ka)
        bn = jn - jn_d / hn_d * hn
        p += ((2 * n + 1) * 1j ** n * bn)[:, None] * scipy.special.eval_legendre(
            n, np.cos(theta))[None, :]
    return 20 * np.log10(np.abs(p))


def ambisonics_encode(azimuth, colatitude, signals, order=1):
    # higher-order ambisonics: spherical harmonics of the source directions times signals
    Y = []
    for n in range(order + 1):
        for m in range(-n, n + 1):
            Y.append(scipy.special.sph_harm_y(n, m, colatitude, azimuth))
    Y = np.array(Y)
    return Y @ signals


def rir_fancy_iadd(dists, amps, fs, n_samples=64, c=343.0):
    # the vectorised image sum written with +=: coinciding samples keep one arrival, as NumPy
    h = np.zeros(n_samples)
    idx = np.round(dists / c * fs).astype(int)
    h[idx] += amps / dists
    return h


def rir_int_round_loop(dists, amps, fs, n_samples=64, c=343.0):
    # the loop form: int(round(...)) of each arrival's delay as the sample index
    h = np.zeros(n_samples)
    for k in range(len(dists)):
        h[int(round(dists[k] / c * fs))] += amps[k] / dists[k]
    return h


def rir_fractional_delay(dists, amps, fs, n=64, taps=9, c=343.0):
    # pyroomacoustics-style windowed-sinc fractional delays, a slice from int(np.floor(...))
    h = np.zeros(n)
    t = np.arange(-(taps // 2), taps // 2 + 1)
    win = np.hanning(taps)
    for k in range(len(dists)):
        delay = dists[k] / c * fs
        i0 = int(np.floor(delay))
        frac = delay - i0
        h[i0 - taps // 2:i0 + taps // 2 + 1] += amps[k] / dists[k] * np.sinc(t - frac) * win
    return h


def octave_filterbank_sos(x, fs, centres, order=3):
    # Butterworth band-passes designed per band (constant coefficients), sosfilt, levels
    out = []
    for fc in centres:
        sos = scipy.signal.butter(order, [fc / np.sqrt(2), fc * np.sqrt(2)], btype="band",
                                  fs=fs, output="sos")
        y = scipy.signal.sosfilt(sos, x)
        out.append(10 * np.log10(np.mean(y ** 2)))
    return np.array(out)


def gauss_seidel_in_place(Y, V, S, iters=6):
    # the sweep writes straight into the caller's voltage array
    for _ in range(iters):
        for i in range(1, len(V)):
            V[i] = (np.conj(S[i] / V[i]) - Y[i] @ V + Y[i, i] * V[i]) / Y[i, i]
    return V


def _array_data(s, n):
    rng = np.random.default_rng(s)
    M, T = 6, 8 * n
    a = np.exp(-2j * np.pi * 0.5 * np.arange(M) * np.sin(0.3))
    sig = rng.standard_normal(T) + 1j * rng.standard_normal(T)
    noise = 0.3 * (rng.standard_normal((M, T)) + 1j * rng.standard_normal((M, T)))
    return a[:, None] * sig[None, :] + noise, np.linspace(-1.2, 1.2, 4 * n + 1)


def _dists(s, n):
    base = np.linspace(2.0, 2.4, n)
    return np.r_[base, base[:2] + 1e-4 * s], np.r_[np.ones(n), 2.0, 3.0] * (1 + 0.1 * s)


MORE = {
    "induction_motor_thevenin": (induction_motor_torque, {}, lambda s, n: (
        np.linspace(0.01, 1, 10 * n), 230.0, 0.3, 0.8, 0.2 + 0.05 * s, 0.8, 30.0, 1500.0)),
    "overcurrent_relay_dict_curve": (overcurrent_relay, {"curve": "VI"}, lambda s, n: (
        np.linspace(50, 2000, 5 * n), 150.0 + 25 * s, 0.1)),
    "wls_state_estimation": (wls_state_estimation, {}, lambda s, n: (
        _f(3 * n, n, seed=s), _f(3 * n, seed=s + 1), 0.01 + 0.02 * _u(s, 3 * n))),
    "line_gmd_gmr_bundle": (bundle_gmd_gmr, {}, lambda s, n: (
        np.array([[0.0, 20.0], [8.0 + s, 20.0], [16.0, 20.0]]), 0.015, n // 2, 0.4)),
    "battery_arbitrage_clip_loop": (battery_arbitrage, {}, lambda s, n: (
        30 + 10 * _f(4 * n, seed=s), 2 * _f(4 * n, seed=s + 1), 5.0)),
    "wind_turbine_piecewise_lambda": (wind_turbine_power, {}, lambda s, n: (
        np.linspace(0, 30, 6 * n + 1), 2000.0 * s)),
    "gcc_phat_max_tau": (gcc_phat, {}, lambda s, n: (
        _f(16 * n, seed=s), np.roll(_f(16 * n, seed=s), 2), 16000, 0.0002)),
    "gcc_phat_defaults": (gcc_phat, {}, lambda s, n: (
        _f(8 * n, seed=s), np.roll(_f(8 * n, seed=s), 1 + s))),
    "music_doa_eigh_complex": (music_doa, {}, lambda s, n: _array_data(s, n)),
    "mvdr_capon_einsum": (mvdr_beamformer, {}, lambda s, n: (*_array_data(s, n), 0.3)),
    "ground_effect_complex_erfc": (
        ground_effect_erfc, {}, lambda s, n: (
            np.linspace(5, 50, 4 * n), np.linspace(5.2, 50.2, 4 * n), 2 * np.pi * 500 / 343,
            10 - 12j * s, np.full(4 * n, 1.4))),
    "ground_effect_wofz": (ground_effect_wofz, {}, lambda s, n: (
        np.linspace(5, 50, 4 * n), np.linspace(5.2, 50.2, 4 * n), 2 * np.pi * 500 / 343,
        10 - 12j * s, np.full(4 * n, 1.4))),
    "knife_edge_complex_erf": (
        knife_edge_complex_erf, {}, lambda s, n: (np.linspace(-2, 3, 5 * n) + 0.01 * s,)),
    "knife_edge_fresnel_tuple": (knife_edge_fresnel, {}, lambda s, n: (
        np.linspace(-2, 3, 5 * n) + 0.01 * s,)),
    "planck_expm1_trapezoid": (planck_spectrum, {}, lambda s, n: (
        np.linspace(100e-9, 3e-6, 20 * n), 3000.0 * s)),
    "kolmogorov_phase_screen_rng": (kolmogorov_phase_screen, {}, lambda s, n: (
        2 * n, 0.01, 0.1, np.random.default_rng(s))),
    "phase_shifting_unwrap_2d": (phase_shifting_unwrap, {}, lambda s, n: tuple(
        1 + np.cos(np.add.outer(np.arange(n), np.arange(n + 1)) * 0.9 * s + k * np.pi / 2)
        for k in range(4))),
    "sphere_refraction_vector_snell": (sphere_refraction, {}, lambda s, n: (
        np.column_stack([np.linspace(-0.5, 0.5, n), np.zeros(n), np.full(n, -1.0)]),
        np.tile([0.0, 0.0, 1.0], (n, 1)), 1.0 + s, 1.0, 1.5)),
    "radial_profile_bincount": (radial_profile_centre, {}, lambda s, n: (_u(s, 2 * n, 2 * n),)),
    "pupil_np_ma_stats": (pupil_masked_array, {}, lambda s, n: (_f(2 * n, 2 * n, seed=s),)),
    "pupil_nan_reductions": (pupil_nan_stats, {}, lambda s, n: (_f(2 * n, 2 * n, seed=s),)),
    "piston_radiation_struve": (piston_radiation_impedance, {}, lambda s, n: (
        np.linspace(0.1, 5, 5 * n) * s,)),
    "rigid_sphere_spherical_bessel": (rigid_sphere_scattering, {}, lambda s, n: (
        np.linspace(0.2, 3, n) * s, np.linspace(0, np.pi, 7))),
    "ambisonics_sph_harm_y": (
        ambisonics_encode, {}, lambda s, n: (
            np.linspace(0, 2 * np.pi, n), np.linspace(0.2, 2.9, n), _f(n, 5, seed=s))),
    "rir_fancy_iadd_coinciding": (rir_fancy_iadd, {}, lambda s, n: (*_dists(s, n), 8000.0)),
    "rir_int_round_index": (
        rir_int_round_loop, {}, lambda s, n: (*_dists(s, n), 8000.0)),
    "rir_fractional_delay_traced_slice": (rir_fractional_delay, {}, lambda s, n: (
        *_dists(s, n), 8000.0)),
    "octave_filterbank_butter_sosfilt": (octave_filterbank_sos, {}, lambda s, n: (
        _f(64 * n, seed=s), 8000.0, [250.0, 500.0, 1000.0])),
    "gauss_seidel_writes_argument": (gauss_seidel_in_place, {}, lambda s, n: (
        _pf_case(s, n)[0], _pf_case(s, n)[3], _pf_case(s, n)[1] + 1j * _pf_case(s, n)[2])),
}


@pytest.mark.parametrize("name", _names(MORE))
def test_machines_arrays_beams_and_waves_match_numpy(name):
    """Induction motors, relays, state estimation, line parameters, storage and wind power;
    GCC-PHAT, MUSIC and MVDR; ground effect and knife-edge diffraction by complex erf/erfc,
    wofz and fresnel; Planck spectra, phase screens, interferometry, ray-sphere refraction,
    radial profiles, masked pupils; Struve, spherical-Bessel and spherical-harmonic series;
    image-source sums by +=, int(round()) and fractional delays; filter banks and an in-place
    Gauss-Seidel."""
    check_like_numpy(*MORE[name])


def t_from_selected_fit(h, fs):
    # T20 by np.polyfit through the EDC samples selected between -5 and -25 dB
    edc = np.cumsum(h[::-1] ** 2)[::-1]
    L = 10 * np.log10(edc / edc[0])
    t = np.arange(len(h)) / fs
    sel = (L <= -5) & (L >= -25)
    slope, intercept = np.polyfit(t[sel], L[sel], 1)
    return -60 / slope, intercept


def t_from_first_crossing(h, fs):
    # the time the EDC first reaches -20 dB, from np.where(...)[0][0], times three
    edc = np.cumsum(h[::-1] ** 2)[::-1]
    L = 10 * np.log10(edc / edc[0])
    return 3 * np.where(L <= -20)[0][0] / fs


MORE["t20_polyfit_of_selection"] = (t_from_selected_fit, {}, lambda s, n: _rir(s, n))
MORE["t60_first_crossing_where_0_0"] = (t_from_first_crossing, {}, lambda s, n: _rir(s, n))


# -------------------------------------------------------------- Python scalars that steer


def gauss_seidel_iters_positional(Y, P, Q, V0, iters):
    return gauss_seidel_pf(Y, P, Q, V0, iters)


def image_source_order_positional(room, src, mic, fs, order):
    return image_source_rir(room, src, mic, fs, order, n_samples=256)


def bragg_pairs_positional(wavelengths, nH, nL, lam0, pairs):
    return bragg_mirror(wavelengths, nH, nL, lam0, pairs)


def zernike_mode_positional(rho, phi, n, m):
    # a single Zernike mode from Python int indices, sine or cosine by the sign of m
    R = zernike_radial(n, m, rho)
    return np.where(rho <= 1, R * (np.cos(m * phi) if m >= 0 else np.sin(-m * phi)), 0.0)


def pupil_mgrid_complex_step(N, coeff):
    # the pupil grid by np.mgrid with a complex step (N points), defocus on the disk
    y, x = np.mgrid[-1:1:N * 1j, -1:1:N * 1j]
    rho2 = x ** 2 + y ** 2
    W = coeff * (2 * rho2 - 1)
    return np.where(rho2 <= 1, W, 0.0)


def mna_netlist_tuples(netlist, n_nodes, I_inj):
    # a netlist of (node, node, ohms) Python tuples, ground 0 skipped by Python ifs
    G = np.zeros((n_nodes, n_nodes))
    for n1, n2, R in netlist:
        g = 1 / R
        if n1 != 0:
            G[n1 - 1, n1 - 1] += g
        if n2 != 0:
            G[n2 - 1, n2 - 1] += g
        if n1 != 0 and n2 != 0:
            G[n1 - 1, n2 - 1] -= g
            G[n2 - 1, n1 - 1] -= g
    return np.linalg.solve(G, I_inj)


def rlc_response_by_regime(R, L, C, t):
    # the textbook branches on the damping ratio of Python float components
    zeta = R / 2 * math.sqrt(C / L)
    wn = 1 / math.sqrt(L * C)
    if zeta < 1:
        wd = wn * math.sqrt(1 - zeta ** 2)
        return 1 - np.exp(-zeta * wn * t) * (np.cos(wd * t)
                                             + zeta / math.sqrt(1 - zeta ** 2) * np.sin(wd * t))
    elif zeta == 1:
        return 1 - (1 + wn * t) * np.exp(-wn * t)
    s1 = -wn * (zeta - math.sqrt(zeta ** 2 - 1))
    s2 = -wn * (zeta + math.sqrt(zeta ** 2 - 1))
    return 1 + (s2 * np.exp(s1 * t) - s1 * np.exp(s2 * t)) / (s1 - s2)


def thd_positional(v, fs, f0):
    return harmonic_thd(v, fs, f0)


def octave_fraction_positional(fraction):
    return octave_band_centres(fraction)


def fault_bus_positional(Ybus, Vpre, k):
    return three_phase_fault(Ybus, Vpre, k)


def swing_duration_positional(t_clear, dt, T):
    return swing_equation(5.0, 0.8, 1.17, 1.0, 0.65, 1.8, 0.8, t_clear, 60.0, dt, T)


STEERED = {
    "gauss_seidel_iterations": (gauss_seidel_iters_positional, lambda s: (
        *_pf_case(s, 4), 3 * s)),
    "image_source_order": (image_source_order_positional, lambda s: (
        np.array([4.0, 3.0, 2.5]), np.array([1.0, 1.2, 1.1]), np.array([2.5, 1.6, 1.3]),
        8000.0, s)),
    "bragg_pair_count": (bragg_pairs_positional, lambda s: (
        np.linspace(450e-9, 700e-9, 6), 2.3, 1.38, 550e-9, 3 * s)),
    "zernike_python_int_indices": (zernike_mode_positional, lambda s: (
        *(lambda X, Y: (np.hypot(X, Y), np.arctan2(Y, X)))(
            *np.meshgrid(np.linspace(-1, 1, 9), np.linspace(-1, 1, 9))), 2 * s, (-1) ** s * s)),
    "pupil_mgrid_complex_step": (
        pupil_mgrid_complex_step, lambda s: (6 + 2 * s, 0.1 * s)),
    "mna_netlist_python_tuples": (mna_netlist_tuples, lambda s: (
        [(1, 0, 100.0 * s), (1, 2, 220.0), (2, 0, 330.0), (2, 3, 470.0), (3, 0, 1000.0)],
        3, np.array([1e-3, 0.0, -2e-4 * s]))),
    "rlc_if_on_damping_ratio": (rlc_response_by_regime, lambda s: (
        [10.0, 200.0, 400.0][s], 10e-3, 1e-6, np.linspace(0, 2e-3, 9))),
    "thd_fs_f0_round": (thd_positional, lambda s: (
        _wave(s, 4)[0], 3200.0, 50.0 * s)),
    "octave_fraction": (octave_fraction_positional, lambda s: (2 * s - 1,)),
    "fault_bus_index": (fault_bus_positional, lambda s: (
        ybus_add_at(*_lines(s, 5)) + np.diag(np.full(5, -5j)), np.ones(5, complex), s)),
    "swing_duration_and_step": (swing_duration_positional, lambda s: (
        0.1, 0.02 * s, 0.4 * s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Iteration counts, image-source orders, Bragg pair counts, Zernike indices, an mgrid's
    complex step count, a netlist of Python tuples, the damping regime of Python float
    components, the fundamental's bin, the band fraction, the fault bus and the time step:
    made static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def newton_raphson_tolerance(Y, P, Q, V0, pv, pq, tol=1e-8):
    # the usual loop: iterate until the mismatch norm is under the tolerance
    V = V0.copy()
    Sbus = P + 1j * Q
    pvpq = np.r_[pv, pq]
    for it in range(20):
        mis = V * np.conj(Y @ V) - Sbus
        F = np.r_[mis[pvpq].real, mis[pq].imag]
        if np.linalg.norm(F, np.inf) < tol:
            break
        Ibus = Y @ V
        dS_dVm = np.diag(V) @ np.conj(Y @ np.diag(V / abs(V))) + np.conj(
            np.diag(Ibus)) @ np.diag(V / abs(V))
        dS_dVa = 1j * np.diag(V) @ np.conj(np.diag(Ibus) - Y @ np.diag(V))
        J = np.block([[dS_dVa[np.ix_(pvpq, pvpq)].real, dS_dVm[np.ix_(pvpq, pq)].real],
                      [dS_dVa[np.ix_(pq, pvpq)].imag, dS_dVm[np.ix_(pq, pq)].imag]])
        dx = np.linalg.solve(J, -F)
        Va = np.angle(V)
        Vm = np.abs(V)
        Va[pvpq] += dx[:len(pvpq)]
        Vm[pq] += dx[len(pvpq):]
        V = Vm * np.exp(1j * Va)
    return V, it


def lambda_iteration_if(b, c, Pmin, Pmax, demand, iters=40):
    # the bisection with a Python if on the total generation
    lo, hi = 0.0, 100.0
    for _ in range(iters):
        lam = (lo + hi) / 2
        P = np.clip((lam - b) / (2 * c), Pmin, Pmax)
        if P.sum() > demand:
            hi = lam
        else:
            lo = lam
    return lam, P


def ybus_saadat_if(linedata, nbus):
    # Saadat's ybus.m: the diagonal by scanning every line for the bus with Python ifs
    nl = linedata[:, 0].astype(int) - 1
    nr = linedata[:, 1].astype(int) - 1
    y = 1 / (linedata[:, 2] + 1j * linedata[:, 3])
    Ybus = np.zeros((nbus, nbus), dtype=complex)
    for k in range(len(nl)):
        Ybus[nl[k], nr[k]] -= y[k]
        Ybus[nr[k], nl[k]] = Ybus[nl[k], nr[k]]
    for n in range(nbus):
        for k in range(len(nl)):
            if nl[k] == n:
                Ybus[n, n] += y[k]
            elif nr[k] == n:
                Ybus[n, n] += y[k]
    return Ybus


def ybus_size_from_data(linedata):
    # the bus count read from the line data
    nbus = int(max(linedata[:, 0].max(), linedata[:, 1].max()))
    Y = np.zeros((nbus, nbus), dtype=complex)
    y = 1 / (linedata[:, 2] + 1j * linedata[:, 3])
    np.add.at(Y, (linedata[:, 0].astype(int) - 1, linedata[:, 1].astype(int) - 1), -y)
    return Y


def dc_flow_fsolve(P, B):
    # the nonlinear real-power balance solved by scipy.optimize.fsolve
    import scipy.optimize

    def mismatch(theta):
        th = np.r_[0.0, theta]
        return (B * np.sin(th[:, None] - th[None, :])).sum(axis=1)[1:] - P[1:]

    return scipy.optimize.fsolve(mismatch, np.zeros(len(P) - 1))


def ybus_scipy_sparse(nbus, f, t, r, x):
    # PYPOWER's makeYbus with scipy.sparse incidence matrices
    import scipy.sparse

    nl = len(f)
    Ys = 1 / (r + 1j * x)
    Cf = scipy.sparse.csr_matrix((np.ones(nl), (np.arange(nl), f)), (nl, nbus))
    Ct = scipy.sparse.csr_matrix((np.ones(nl), (np.arange(nl), t)), (nl, nbus))
    Yf = scipy.sparse.diags(Ys) @ (Cf - Ct)
    return (Cf.T @ Yf - Ct.T @ Yf).toarray()


def fresnel_emath_sqrt(theta_deg, n1, n2):
    # total internal reflection through np.emath.sqrt, whose dtype follows the values
    th = np.deg2rad(theta_deg)
    cos_t = np.emath.sqrt(1 - (n1 * np.sin(th) / n2) ** 2)
    rs = (n1 * np.cos(th) - n2 * cos_t) / (n1 * np.cos(th) + n2 * cos_t)
    return np.abs(rs) ** 2


def transfer_function_poles(den):
    # the poles by np.roots, the damping of each
    p = np.roots(den)
    return p, -p.real / np.abs(p)


def radial_profile_about_peak(img):
    # the azimuthal average about the brightest pixel: bincount without minlength
    y, x = np.indices(img.shape)
    cy, cx = np.unravel_index(np.argmax(img), img.shape)
    r = np.hypot(x - cx, y - cy).astype(int)
    return np.bincount(r.ravel(), img.ravel()) / np.bincount(r.ravel())


def rt_linregress_selection(h, fs):
    # scipy.stats.linregress through the selected part of the decay
    import scipy.stats

    edc = np.cumsum(h[::-1] ** 2)[::-1]
    L = 10 * np.log10(edc / edc[0])
    t = np.arange(len(h)) / fs
    sel = (L <= -5) & (L >= -25)
    return -60 / scipy.stats.linregress(t[sel], L[sel]).slope


def resonance_frequencies(f, mag_db, threshold):
    # the frequencies where the response exceeds a threshold
    return f[mag_db > threshold]


def switching_instants(gate, fs):
    # PWM edges: where the gate signal changes
    return np.nonzero(np.diff(gate))[0] / fs


def phasors_cmath_rect(mags, angles_deg):
    # each phasor by cmath.rect on array elements
    return np.array([cmath.rect(m, math.radians(a)) for m, a in zip(mags, angles_deg)])


def dominant_mode_sorted(A):
    # the least damped mode: eigenvalues sorted by their real part with sorted(key=...)
    modes = sorted(np.linalg.eigvals(A), key=lambda z: z.real)
    return modes[-1]


def mppt_perturb_observe(V_meas, I_meas, dV=0.5):
    # perturb and observe over measured samples: the step direction flips on a power drop
    v_ref = V_meas[0]
    p_prev = 0.0
    direction = 1.0
    refs = []
    for v, i in zip(V_meas, I_meas):
        p = v * i
        if p < p_prev:
            direction = -direction
        v_ref = v_ref + direction * dV
        p_prev = p
        refs.append(v_ref)
    return np.array(refs)


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "newton_raphson_tolerance_break": (_Concretization, newton_raphson_tolerance, lambda s: (
        *_pf_case(s, 4), np.array([1]), np.array([2, 3]))),
    "lambda_iteration_python_if": (_Concretization, lambda_iteration_if, lambda s: (
        *_gen(s, 4), 600.0)),
    "ybus_saadat_if_on_bus_numbers": (_Concretization, ybus_saadat_if, lambda s: (
        np.array([[1, 2, 0.02, 0.06], [1, 3, 0.08, 0.24], [2, 3, 0.06 + 0.01 * s, 0.25]]), 3)),
    "ybus_size_from_line_data": (_Concretization, ybus_size_from_data, lambda s: (
        np.array([[1, 2, 0.02, 0.06], [1, 3, 0.08, 0.24], [2, 3, 0.06 + 0.01 * s, 0.25]]),)),
    "dc_flow_scipy_fsolve": (_Concretization, dc_flow_fsolve, lambda s: (
        np.array([0.0, 0.3 * s, -0.5]), 10 * np.ones((3, 3)) - 10 * np.eye(3))),
    "fresnel_np_emath_sqrt": (_DataDependent, fresnel_emath_sqrt, lambda s: (
        np.linspace(0, 89, 10), 1.5, 1.0 + 0.1 * s)),
    "poles_np_roots": (_DataDependent, transfer_function_poles, lambda s: (
        np.array([1.0, 2.0 + s, 3.0, 1.0]),)),
    "radial_profile_about_peak": (_DataDependent, radial_profile_about_peak, lambda s: (
        _u(s, 8, 8),)),
    "resonances_above_threshold": (_DataDependent, resonance_frequencies, lambda s: (
        np.arange(20.0), 10 * np.sin(np.arange(20.0) / (1 + s)), 5.0)),
    "pwm_switching_instants": (_DataDependent, switching_instants, lambda s: (
        (np.sin(np.arange(20.0) * (0.5 + 0.1 * s)) > 0).astype(int), 1e4)),
    "phasors_cmath_rect": (_Concretization, phasors_cmath_rect, lambda s: (
        _u(s, 4) * 10, _f(4, seed=s) * 90)),
    "eigvals_sorted_key": (_Concretization, dominant_mode_sorted, lambda s: (_f(4, 4, seed=s),)),
    "mppt_perturb_observe_if": (_Concretization, mppt_perturb_observe, lambda s: (
        np.linspace(10, 20, 12), 5 - 0.2 * np.linspace(0, 10, 12) ** (1 + 0.1 * s))),
}


# refused until they traced (stop 38): NumPy's values now
TRACED_NOW = {
    "ybus_scipy_sparse": (ybus_scipy_sparse, {}, lambda s, n: (
        4, *_grid(s, 4)[:4])),
    "rt_linregress_of_selection": (rt_linregress_selection, {}, lambda s, n: _rir(s, 4)),
}


@pytest.mark.parametrize("name", list(TRACED_NOW))
def test_forms_once_refused_now_trace(name):
    """Forms refused until tracenp traced them: NumPy's values now."""
    check_like_numpy(*TRACED_NOW[name])


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Tolerance loops, bisection by `if`, Saadat's bus scan, a bus count from the data,
    fsolve and scipy.sparse on traced arrays, np.emath.sqrt, np.roots, bincount about a
    data-dependent centre, linregress of a selection, frequencies above a threshold, PWM
    edges, cmath on elements, sorted(key=...) and perturb-and-observe: the named error,
    NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
