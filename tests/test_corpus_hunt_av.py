"""Corpus, hunt AV: computational physics as university course code, textbook companions
(Newman's "Computational Physics", Landau/Paez, Gould-Tobochnik) and popular GitHub and blog
simulations write it.

Mechanics (projectile motion with quadratic drag by Euler and RK4 loops over a fixed step
count into preallocated arrays, with Python lists and with a state vector; the range by
masks and by linear interpolation at the landing; simple, damped-driven and double pendulums
by Euler, Euler-Cromer, leapfrog and RK4 with derivative functions returning `np.array([...])`
and with tuples, Poincare sections by masks, energies; coupled oscillators and normal modes
by `np.linalg.eigh` of stiffness matrices, generalised by a Cholesky factor and by
`scipy.linalg.eigh(K, M)`, mode superposition; Kepler orbits by velocity Verlet with the
energy and angular momentum; the Lorenz attractor by RK4 and Euler, the logistic map
bifurcation and Lyapunov exponents by iterating an array of r values, the Henon map and the
standard map; radioactive decay chains by Euler, by the Bateman solution and by
`scipy.linalg.expm`), partial differential equations (1-D heat by slices, by `np.roll` and
by a sparse-free matrix, Crank-Nicolson with `np.linalg.solve` and with a Thomas algorithm
loop, `scipy.linalg.solve_banded`; 1-D wave by leapfrog slices with fixed ends and with
`np.roll`, a plucked string's energy; 2-D heat; Laplace and Poisson by Jacobi with a fixed
iteration count, Gauss-Seidel loops and red-black masks, SOR; advection by upwind and
Lax-Wendroff; diffusion by FFT; Burgers' equation), quantum mechanics (split-step Fourier
propagation with `np.fft.fft`/`ifft`, `fftfreq` and complex exponentials, norms and
expectation values; finite-difference eigenstates by `eigh` with `np.diag` and
`scipy.linalg.eigh_tridiagonal`; Hermite polynomials by recursion, `scipy.special.
eval_hermite`, `hermite` and `np.polynomial.hermite.hermval`, harmonic-oscillator
wavefunctions with `factorial`; particle in a box, a Gaussian wavepacket, the shooting method
by Numerov with a fixed energy grid; transmission through a barrier), fields and N-body
(point charges on a `np.meshgrid` grid with softening, by loops over charges and by
broadcasting, the potential by `np.gradient`, a dipole, N-body accelerations by
`r[:, None] - r[None, :]` with `np.fill_diagonal` and with `np.einsum`, leapfrog and
velocity Verlet, energy and momentum, the virial ratio, a Plummer-ish radius profile by
`np.histogram`), statistical physics (2-D Ising Metropolis with a generator argument:
checkerboard masks, `np.roll` neighbours, a single-spin loop, magnetisation, energy, heat
capacity; random walks from `rng.integers` and `rng.choice`, MSD by cumsum, 2-D lattice walks,
end-to-end distances; diffusion; Monte Carlo pi and integrals, importance sampling; the
Buffon needle; radioactive decay by Monte Carlo; a Maxwell-Boltzmann speed histogram), and
signals (Fourier series partial sums of square, sawtooth and triangle waves and the Gibbs
overshoot; spectra by `np.fft.rfft`/`rfftfreq` and windows, dominant frequencies by argmax,
power spectra, a beat, a damped oscillator's spectrum and FFT derivatives).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Step counts, grid sizes, iteration counts and seeds
given positionally are made static; the forms whose Python or shapes depend on array values
(`while y >= 0` flight loops, `if` on a Metropolis draw, tolerance loops of Jacobi and the
shooting method, the landing index by `np.where(...)[0]`, Poincare points by a boolean
selection, bisection of eigenvalues by `if`, a random walk until it leaves a box) raise a
named error and run eagerly under `fallback=True`.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import scipy.ndimage
import scipy.sparse
import scipy.sparse.linalg
import scipy.special
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _pos(seed, *shape, lo=1.0, hi=10.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


g = 9.81


# ================================================================================ mechanics


def projectile_drag_euler(v0, angle_deg, b_over_m=0.01, dt=0.05, n_steps=50):
    # Euler with quadratic drag into preallocated arrays
    theta = np.radians(angle_deg)
    x = np.zeros(n_steps)
    y = np.zeros(n_steps)
    vx = np.zeros(n_steps)
    vy = np.zeros(n_steps)
    vx[0] = v0 * np.cos(theta)
    vy[0] = v0 * np.sin(theta)
    for i in range(n_steps - 1):
        v = np.sqrt(vx[i] ** 2 + vy[i] ** 2)
        ax = -b_over_m * v * vx[i]
        ay = -g - b_over_m * v * vy[i]
        x[i + 1] = x[i] + vx[i] * dt
        y[i + 1] = y[i] + vy[i] * dt
        vx[i + 1] = vx[i] + ax * dt
        vy[i + 1] = vy[i] + ay * dt
    return x, y, vx, vy


def projectile_range_mask(v0, angle_deg, k=0.02, dt=0.05, n_steps=60):
    # the batch of launch speeds at once, the range where y last stays above ground
    th = np.deg2rad(angle_deg)
    pos = np.zeros((n_steps, 2, len(v0)))
    vel = np.array([v0 * np.cos(th), v0 * np.sin(th)])
    for i in range(1, n_steps):
        speed = np.linalg.norm(vel, axis=0)
        acc = -k * speed * vel
        acc[1] -= g
        vel = vel + acc * dt
        pos[i] = pos[i - 1] + vel * dt
    above = pos[:, 1, :] >= 0
    x_range = np.max(np.where(above, pos[:, 0, :], 0.0), axis=0)
    t_flight = above.sum(axis=0) * dt
    return x_range, t_flight


def projectile_lists(v0, theta, c=0.1, m=1.0, dt=0.02, steps=40):
    # the "physics for beginners" style: Python lists, math-like updates on floats
    x, y = 0.0, 0.0
    vx, vy = v0 * np.cos(theta), v0 * np.sin(theta)
    xs, ys = [x], [y]
    for _ in range(steps):
        v = np.hypot(vx, vy)
        vx = vx - c / m * v * vx * dt
        vy = vy - (g + c / m * v * vy) * dt
        x += vx * dt
        y += vy * dt
        xs.append(x)
        ys.append(y)
    return np.array(xs), np.array(ys)


def projectile_deriv(state, b):
    x, y, vx, vy = state
    v = np.sqrt(vx * vx + vy * vy)
    return np.array([vx, vy, -b * v * vx, -g - b * v * vy])


def projectile_rk4(state0, b, dt=0.05, n=40):
    # RK4 with a state vector and a derivative returning np.array([...])
    traj = np.empty((n + 1, 4))
    traj[0] = state0
    s = state0.copy()
    for i in range(n):
        k1 = projectile_deriv(s, b)
        k2 = projectile_deriv(s + 0.5 * dt * k1, b)
        k3 = projectile_deriv(s + 0.5 * dt * k2, b)
        k4 = projectile_deriv(s + dt * k3, b)
        s = s + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        traj[i + 1] = s
    return traj


def projectile_landing_interp(v0, angle, b=0.005, dt=0.05, n=80):
    # the landing point by linear interpolation between the last two points above ground
    x = np.zeros(n)
    y = np.zeros(n)
    vx, vy = v0 * np.cos(angle), v0 * np.sin(angle)
    for i in range(1, n):
        v = np.sqrt(vx ** 2 + vy ** 2)
        vx = vx - b * v * vx * dt
        vy = vy - (g + b * v * vy) * dt
        x[i] = x[i - 1] + vx * dt
        y[i] = y[i - 1] + vy * dt
    above = y >= 0
    k = np.argmin(above) - 1      # the last index still above ground
    r = -y[k] / (y[k + 1] - y[k])
    return x[k] + r * (x[k + 1] - x[k])


def projectile_best_angle(v0, b, angles_deg, dt=0.05, n=60):
    # range against angle on a grid of angles, the best angle by argmax
    th = np.radians(angles_deg)
    x = np.zeros_like(th)
    y = np.zeros_like(th)
    vx, vy = v0 * np.cos(th), v0 * np.sin(th)
    landed = np.zeros(th.shape, dtype=bool)
    xr = np.zeros_like(th)
    for _ in range(n):
        v = np.sqrt(vx ** 2 + vy ** 2)
        vx, vy = vx - b * v * vx * dt, vy - (g + b * v * vy) * dt
        x = x + vx * dt
        y = y + vy * dt
        just = (y < 0) & ~landed
        xr[just] = x[just]
        landed |= y < 0
    xr = np.where(landed, xr, x)
    return angles_deg[np.argmax(xr)], xr


def pendulum_euler_cromer(theta0, omega0, L=1.0, dt=0.02, steps=50):
    theta = np.zeros(steps + 1)
    omega = np.zeros(steps + 1)
    theta[0], omega[0] = theta0, omega0
    for n in range(steps):
        omega[n + 1] = omega[n] - (g / L) * np.sin(theta[n]) * dt
        theta[n + 1] = theta[n] + omega[n + 1] * dt
    E = 0.5 * L ** 2 * omega ** 2 + g * L * (1 - np.cos(theta))
    return theta, omega, E


def pendulum_euler_vs_cromer(theta0, dt=0.05, steps=40):
    # the textbook comparison: Euler's energy grows, Euler-Cromer's stays bounded
    th_e, om_e = theta0.copy(), np.zeros_like(theta0)
    th_c, om_c = theta0.copy(), np.zeros_like(theta0)
    for _ in range(steps):
        th_e, om_e = th_e + om_e * dt, om_e - g * np.sin(th_e) * dt
        om_c = om_c - g * np.sin(th_c) * dt
        th_c = th_c + om_c * dt
    energy = lambda th, om: 0.5 * om ** 2 + g * (1 - np.cos(th))
    return energy(th_e, om_e) / energy(theta0, 0 * theta0), energy(th_c, om_c)


def damped_driven_deriv(t, y, q, F, wd):
    theta, omega = y
    return np.array([omega, -g * np.sin(theta) - q * omega + F * np.sin(wd * t)])


def damped_driven_rk4(y0, q=0.5, F=1.2, wd=2.0 / 3.0, dt=0.1, steps=60):
    # Landau/Paez's chaotic pendulum: RK4 with t passed, theta wrapped to [-pi, pi)
    t = 0.0
    y = np.array(y0, dtype=float)
    out = np.zeros((steps, 3))
    for i in range(steps):
        k1 = damped_driven_deriv(t, y, q, F, wd)
        k2 = damped_driven_deriv(t + dt / 2, y + dt / 2 * k1, q, F, wd)
        k3 = damped_driven_deriv(t + dt / 2, y + dt / 2 * k2, q, F, wd)
        k4 = damped_driven_deriv(t + dt, y + dt * k3, q, F, wd)
        y = y + dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6
        t += dt
        y[0] = (y[0] + np.pi) % (2 * np.pi) - np.pi
        out[i] = t, y[0], y[1]
    return out


def driven_pendulum_poincare(theta0, omega0, q=0.5, F=1.15, wd=2 / 3, n_per=8, periods=6):
    # Euler-Cromer for an ensemble, a strobe at each drive period, wrap by np.mod
    T = 2 * np.pi / wd
    dt = T / n_per
    th, om = theta0.copy(), omega0.copy()
    pts_th = np.empty((periods, th.size))
    pts_om = np.empty((periods, th.size))
    t = 0.0
    for p in range(periods):
        for _ in range(n_per):
            om = om + (-np.sin(th) - q * om + F * np.cos(wd * t)) * dt
            th = th + om * dt
            t += dt
        pts_th[p] = np.mod(th + np.pi, 2 * np.pi) - np.pi
        pts_om[p] = om
    return pts_th, pts_om


def poincare_mask_section(t, theta, omega, wd=2 / 3, dt=0.05):
    # the Poincare section by a mask of the times close to a multiple of the drive period
    phase = np.mod(wd * t, 2 * np.pi)
    mask = (phase < wd * dt) | (2 * np.pi - phase < 1e-9)
    th_sec = np.where(mask, theta, np.nan)
    om_sec = np.where(mask, omega, np.nan)
    return th_sec, om_sec, mask.sum()


def double_pendulum_derivs(state, m1, m2, L1, L2):
    # the matplotlib gallery's double pendulum
    dydx = np.zeros_like(state)
    dydx[0] = state[1]
    delta = state[2] - state[0]
    den1 = (m1 + m2) * L1 - m2 * L1 * np.cos(delta) * np.cos(delta)
    dydx[1] = ((m2 * L1 * state[1] * state[1] * np.sin(delta) * np.cos(delta)
                + m2 * g * np.sin(state[2]) * np.cos(delta)
                + m2 * L2 * state[3] * state[3] * np.sin(delta)
                - (m1 + m2) * g * np.sin(state[0])) / den1)
    dydx[2] = state[3]
    den2 = (L2 / L1) * den1
    dydx[3] = ((- m2 * L2 * state[3] * state[3] * np.sin(delta) * np.cos(delta)
                + (m1 + m2) * g * np.sin(state[0]) * np.cos(delta)
                - (m1 + m2) * L1 * state[1] * state[1] * np.sin(delta)
                - (m1 + m2) * g * np.sin(state[2])) / den2)
    return dydx


def double_pendulum_rk4(state0, m1=1.0, m2=1.0, L1=1.0, L2=1.0, dt=0.02, steps=40):
    y = np.empty((steps, 4))
    y[0] = state0
    for i in range(1, steps):
        s = y[i - 1]
        k1 = double_pendulum_derivs(s, m1, m2, L1, L2)
        k2 = double_pendulum_derivs(s + dt / 2 * k1, m1, m2, L1, L2)
        k3 = double_pendulum_derivs(s + dt / 2 * k2, m1, m2, L1, L2)
        k4 = double_pendulum_derivs(s + dt * k3, m1, m2, L1, L2)
        y[i] = s + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    x1 = L1 * np.sin(y[:, 0])
    y1 = -L1 * np.cos(y[:, 0])
    x2 = L2 * np.sin(y[:, 2]) + x1
    y2 = -L2 * np.cos(y[:, 2]) + y1
    return np.column_stack([x1, y1, x2, y2])


def double_pendulum_energy(th1, w1, th2, w2, m1=1.0, m2=1.0, l1=1.0, l2=1.0):
    # total energy over a batch of states, for the drift plot
    V = -(m1 + m2) * l1 * g * np.cos(th1) - m2 * l2 * g * np.cos(th2)
    T = 0.5 * m1 * (l1 * w1) ** 2 + 0.5 * m2 * ((l1 * w1) ** 2 + (l2 * w2) ** 2
                                               + 2 * l1 * l2 * w1 * w2 * np.cos(th1 - th2))
    return T + V


def sho_leapfrog(x0, v0, omega, dt=0.1, steps=50):
    # leapfrog with a half-step kick, energies at integer steps
    x = x0
    v = v0 - 0.5 * dt * omega ** 2 * x0
    xs = np.empty((steps,) + np.shape(x0))
    for n in range(steps):
        x = x + dt * v
        v = v - dt * omega ** 2 * x
        xs[n] = x
    v_sync = v + 0.5 * dt * omega ** 2 * x
    E = 0.5 * v_sync ** 2 + 0.5 * omega ** 2 * x ** 2
    return xs, E


def sho_tuple_derivs(x, v, k, m, gamma):
    return v, -k / m * x - gamma * v


def damped_sho_rk2(x0, v0, k, m, gamma, dt=0.05, steps=60):
    # midpoint method with a derivative returning a tuple
    t = np.arange(steps) * dt
    x = np.empty(steps)
    v = np.empty(steps)
    x[0], v[0] = x0, v0
    for i in range(steps - 1):
        dx1, dv1 = sho_tuple_derivs(x[i], v[i], k, m, gamma)
        dx2, dv2 = sho_tuple_derivs(x[i] + 0.5 * dt * dx1, v[i] + 0.5 * dt * dv1, k, m, gamma)
        x[i + 1] = x[i] + dt * dx2
        v[i + 1] = v[i] + dt * dv2
    w0 = np.sqrt(k / m)
    wd = np.sqrt(w0 ** 2 - (gamma / 2) ** 2)
    exact = np.exp(-gamma * t / 2) * (x0 * np.cos(wd * t) + (v0 + gamma / 2 * x0) / wd
                                      * np.sin(wd * t))
    return x, v, np.max(np.abs(x - exact))


def coupled_chain_modes(masses, k):
    # a chain of springs fixed at both ends: K tridiagonal, M^-1/2 K M^-1/2 by eigh
    n = len(masses)
    K = 2 * k * np.eye(n) - k * np.eye(n, k=1) - k * np.eye(n, k=-1)
    Minv_sqrt = np.diag(1 / np.sqrt(masses))
    A = Minv_sqrt @ K @ Minv_sqrt
    w2, vecs = np.linalg.eigh(A)
    modes = Minv_sqrt @ vecs
    modes = modes / np.abs(modes).max(axis=0)
    return np.sqrt(w2), np.abs(modes)


def normal_modes_cholesky(M, K):
    # the generalised problem K v = w^2 M v through a Cholesky factor of M
    L = np.linalg.cholesky(M)
    Linv = np.linalg.inv(L)
    A = Linv @ K @ Linv.T
    w2, y = np.linalg.eigh(A)
    v = Linv.T @ y
    # M-orthonormal: v^T M v = I
    return np.sqrt(w2), np.abs(v.T @ M @ v)


def normal_modes_scipy(M, K):
    w2, v = scipy.linalg.eigh(K, M)
    return np.sqrt(np.abs(w2)), np.abs(v[:, 0])


def mode_superposition(k_spring, m, x0, t):
    # free vibration from an initial displacement as a sum of normal modes
    n = len(x0)
    K = np.diag(np.full(n, 2.0 * k_spring)) + np.diag(np.full(n - 1, -k_spring), 1) \
        + np.diag(np.full(n - 1, -k_spring), -1)
    w2, V = np.linalg.eigh(K / m)
    w = np.sqrt(w2)
    a = V.T @ x0
    x_t = V @ (a[:, None] * np.cos(np.outer(w, t)))
    return x_t


def two_mass_beats(x1_0, k, kc, m=1.0, t_max=20.0, n=80):
    # two coupled oscillators: the in-phase and out-of-phase modes and the beat
    t = np.linspace(0, t_max, n)
    w1 = np.sqrt(k / m)
    w2 = np.sqrt((k + 2 * kc) / m)
    x1 = 0.5 * x1_0 * (np.cos(w1 * t) + np.cos(w2 * t))
    x2 = 0.5 * x1_0 * (np.cos(w1 * t) - np.cos(w2 * t))
    E1 = 0.5 * m * np.gradient(x1, t) ** 2 + 0.5 * k * x1 ** 2
    return x1, x2, E1, 2 * np.pi / (w2 - w1)


def kepler_verlet(r0, v0, GM=4 * np.pi ** 2, dt=0.01, steps=60):
    # an orbit by velocity Verlet: energy and angular momentum per step
    r = np.array(r0, dtype=float)
    v = np.array(v0, dtype=float)
    a = -GM * r / np.linalg.norm(r) ** 3
    E = np.zeros(steps)
    Lz = np.zeros(steps)
    path = np.zeros((steps, 2))
    for i in range(steps):
        r = r + v * dt + 0.5 * a * dt ** 2
        a_new = -GM * r / np.linalg.norm(r) ** 3
        v = v + 0.5 * (a + a_new) * dt
        a = a_new
        path[i] = r
        E[i] = 0.5 * np.dot(v, v) - GM / np.linalg.norm(r)
        Lz[i] = r[0] * v[1] - r[1] * v[0]
    return path, E, Lz


def kepler_euler_cromer(x, y, vx, vy, dt=0.002, steps=50):
    # Gould-Tobochnik's planet: Euler-Cromer on scalars, r^3 by ** 1.5
    GM = 4 * np.pi ** 2
    out = []
    for _ in range(steps):
        r3 = (x * x + y * y) ** 1.5
        vx -= GM * x / r3 * dt
        vy -= GM * y / r3 * dt
        x += vx * dt
        y += vy * dt
        out.append((x, y))
    return np.array(out)


def lorenz(xyz, s=10, r=28, b=2.667):
    x, y, z = xyz
    return np.array([s * (y - x), r * x - y - x * z, x * y - b * z])


def lorenz_euler(xyz0, dt=0.01, num_steps=60):
    # the matplotlib gallery's Lorenz attractor
    xyzs = np.empty((num_steps + 1, 3))
    xyzs[0] = xyz0
    for i in range(num_steps):
        xyzs[i + 1] = xyzs[i] + lorenz(xyzs[i]) * dt
    return xyzs


def lorenz_rk4_ensemble(X0, sigma=10.0, rho=28.0, beta=8 / 3, dt=0.01, steps=40):
    # an ensemble of initial conditions (n, 3) integrated together, the separation growth
    def f(X):
        x, y, z = X[:, 0], X[:, 1], X[:, 2]
        return np.stack([sigma * (y - x), x * (rho - z) - y, x * y - beta * z], axis=1)
    X = X0.copy()
    spread = np.zeros(steps)
    for i in range(steps):
        k1 = f(X)
        k2 = f(X + 0.5 * dt * k1)
        k3 = f(X + 0.5 * dt * k2)
        k4 = f(X + dt * k3)
        X += dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6
        spread[i] = np.linalg.norm(X - X.mean(axis=0), axis=1).mean()
    return X, np.log(spread)


def logistic_bifurcation(r, x0=0.5, n_transient=40, n_keep=20):
    # an array of r values iterated together; the attractor's points kept
    x = x0 * np.ones_like(r)
    for _ in range(n_transient):
        x = r * x * (1 - x)
    pts = np.empty((n_keep, len(r)))
    for i in range(n_keep):
        x = r * x * (1 - x)
        pts[i] = x
    return pts


def logistic_lyapunov(r, n=60):
    x = 1e-5 * np.ones(len(r)) + 0.1
    lyap = np.zeros(len(r))
    for _ in range(n):
        x = r * x * (1 - x)
        lyap += np.log(abs(r - 2 * r * x))
    return lyap / n


def henon_map(a, b, x0, y0, n=50):
    x = np.empty(n)
    y = np.empty(n)
    x[0], y[0] = x0, y0
    for i in range(n - 1):
        x[i + 1] = 1 - a * x[i] ** 2 + y[i]
        y[i + 1] = b * x[i]
    return x, y


def standard_map(theta, p, K, n=30):
    # Chirikov's standard map for many initial conditions, mod 2 pi
    out = np.empty((n,) + theta.shape)
    for i in range(n):
        p = (p + K * np.sin(theta)) % (2 * np.pi)
        theta = (theta + p) % (2 * np.pi)
        out[i] = theta
    return out, p


def decay_chain_euler(N0, tau_a, tau_b, dt=0.1, steps=50):
    # A -> B -> C by Euler
    NA = np.zeros(steps)
    NB = np.zeros(steps)
    NC = np.zeros(steps)
    NA[0] = N0
    for i in range(steps - 1):
        NA[i + 1] = NA[i] - NA[i] / tau_a * dt
        NB[i + 1] = NB[i] + (NA[i] / tau_a - NB[i] / tau_b) * dt
        NC[i + 1] = NC[i] + NB[i] / tau_b * dt
    return NA, NB, NC


def decay_chain_bateman(t, N0, lam1, lam2):
    N1 = N0 * np.exp(-lam1 * t)
    N2 = N0 * lam1 / (lam2 - lam1) * (np.exp(-lam1 * t) - np.exp(-lam2 * t))
    N3 = N0 - N1 - N2
    t_max = np.log(lam2 / lam1) / (lam2 - lam1)
    return np.vstack((N1, N2, N3)), t_max


def decay_chain_expm(lams, N0, t):
    # a linear chain as dN/dt = A N, solved by the matrix exponential at each time
    A = np.diag(-lams) + np.diag(lams[:-1], -1)
    return np.array([scipy.linalg.expm(A * ti) @ N0 for ti in t])


def pendulum_period_ellipk(theta0, L=1.0):
    # the exact period by the complete elliptic integral, against the small-angle period
    T0 = 2 * np.pi * np.sqrt(L / g)
    T = 4 * np.sqrt(L / g) * scipy.special.ellipk(np.sin(theta0 / 2) ** 2)
    return T, T / T0


def pendulum_solve_ivp(theta0, omega0, t_end=2.0):
    # an ensemble of pendulums through scipy.integrate.solve_ivp with a vectorised rhs
    n = len(theta0)

    def rhs(t, y):
        th, om = y[:n], y[n:]
        return np.concatenate([om, -g * np.sin(th)])
    t_eval = np.linspace(0, t_end, 11)
    sol = scipy.integrate.solve_ivp(rhs, (0, t_end), np.concatenate([theta0, omega0]),
                                    t_eval=t_eval, rtol=1e-8, atol=1e-10)
    return sol.t, sol.y[:n]


def _angles(s, n):
    return np.linspace(15.0, 75.0, n) + s


MECH = {
    "projectile_drag_euler_prealloc": (projectile_drag_euler, {"n_steps": 20}, lambda s, n: (
        20.0 + s * n, 40.0 + s)),
    "projectile_range_mask_batch": (projectile_range_mask, {"n_steps": 20, "dt": 0.15}, lambda s, n: (
        np.linspace(10, 30, n) + s, 45.0)),
    "projectile_python_lists": (projectile_lists, {"steps": 20}, lambda s, n: (
        15.0 + s, 0.3 * n)),
    "projectile_rk4_state_vector": (projectile_rk4, {"n": 12}, lambda s, n: (
        np.array([0.0, 0.0, 10.0 + s, 10.0 + n]), 0.01)),
    "projectile_landing_interp": (projectile_landing_interp, {"n": 30, "dt": 0.15}, lambda s, n: (
        18.0 + s + n, 0.7)),
    "projectile_best_angle_batch": (projectile_best_angle, {"n": 15, "dt": 0.15}, lambda s, n: (
        20.0 + s, 0.01, _angles(s, 2 * n))),
    "pendulum_euler_cromer_energy": (pendulum_euler_cromer, {"steps": 20}, lambda s, n: (
        0.1 * s * n, 0.0)),
    "pendulum_euler_vs_cromer": (pendulum_euler_vs_cromer, {"steps": 15}, lambda s, n: (
        np.linspace(0.1, 2.0, n) + 0.01 * s,)),
    "damped_driven_rk4_wrapped": (damped_driven_rk4, {"steps": 8}, lambda s, n: (
        [0.2 * s, 0.0], 0.5, 1.2 + 0.01 * n)),
    "driven_pendulum_poincare_strobe": (driven_pendulum_poincare, {"n_per": 5, "periods": 3},
                                        lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "poincare_mask_section": (poincare_mask_section, {}, lambda s, n: (
        np.arange(20 * n) * 0.05, _f(20 * n, seed=s), _f(20 * n, seed=s + 1))),
    "double_pendulum_gallery_rk4": (double_pendulum_rk4, {"steps": 10}, lambda s, n: (
        np.radians([120.0 + s, 0.0, -10.0 + n, 0.0]),)),
    "double_pendulum_energy": (double_pendulum_energy, {}, lambda s, n: tuple(
        _f(n, seed=s + k) for k in range(4))),
    "sho_leapfrog_half_kick": (sho_leapfrog, {"steps": 40}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s + 1), 2.0)),
    "damped_sho_midpoint_tuple": (damped_sho_rk2, {"steps": 20}, lambda s, n: (
        1.0, 0.1 * s, 4.0 + n, 1.0, 0.3)),
    "coupled_chain_modes_eigh": (coupled_chain_modes, {}, lambda s, n: (
        _pos(s, n, lo=1, hi=3), 10.0)),
    "normal_modes_cholesky": (normal_modes_cholesky, {}, lambda s, n: (
        np.diag(_pos(s, n, lo=1, hi=3)), 2 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1))),
    "normal_modes_scipy_generalised": (normal_modes_scipy, {}, lambda s, n: (
        np.diag(_pos(s, n, lo=1, hi=3)),
        3 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1) + 0.1 * s * np.eye(n))),
    "mode_superposition_cos_outer": (mode_superposition, {}, lambda s, n: (
        5.0, 1.0 + 0.1 * s, _f(n, seed=s), np.linspace(0, 3, 12))),
    "two_mass_beats_gradient": (two_mass_beats, {"n": 60}, lambda s, n: (
        0.5 + 0.1 * s, 4.0 + n, 0.2)),
    "kepler_velocity_verlet": (kepler_verlet, {"steps": 20}, lambda s, n: (
        [1.0, 0.0], [0.0, 2 * np.pi * (1 + 0.02 * s + 0.01 * n)])),
    "kepler_euler_cromer_scalars": (kepler_euler_cromer, {"steps": 20}, lambda s, n: (
        1.0, 0.0, 0.0, 2 * np.pi + 0.1 * s + 0.01 * n)),
    "lorenz_gallery_euler": (lorenz_euler, {"num_steps": 50}, lambda s, n: (
        (0.0, 1.0 + 0.1 * s, 1.05 * n),)),
    "lorenz_rk4_ensemble": (lorenz_rk4_ensemble, {"steps": 8}, lambda s, n: (
        np.array([1.0, 1.0, 20.0]) + 0.01 * _f(n, 3, seed=s),)),
    "logistic_bifurcation_r_array": (logistic_bifurcation, {}, lambda s, n: (
        np.linspace(2.5, 4.0, 10 * n) - 0.01 * s,)),
    "logistic_lyapunov": (logistic_lyapunov, {"n": 15}, lambda s, n: (
        np.linspace(2.8, 3.99, 8 * n) + 0.001 * s,)),
    "henon_map_prealloc": (henon_map, {"n": 40}, lambda s, n: (1.4, 0.3, 0.01 * s, 0.01 * n)),
    "standard_map_ensemble_mod": (standard_map, {"n": 12}, lambda s, n: (
        2 * np.pi * _u(s, n, 3), 2 * np.pi * _u(s + 1, n, 3), 0.9)),
    "pendulum_period_ellipk": (pendulum_period_ellipk, {}, lambda s, n: (
        np.linspace(0.1, 2.5, n) + 0.01 * s,)),
    "pendulum_ensemble_solve_ivp": (pendulum_solve_ivp, {}, lambda s, n: (
        np.linspace(0.1, 1.5, n) * s, np.zeros(n))),
    "decay_chain_euler": (decay_chain_euler, {"steps": 25}, lambda s, n: (
        1000.0 * n, 1.0 + 0.1 * s, 2.5)),
    "decay_chain_bateman_vstack": (decay_chain_bateman, {}, lambda s, n: (
        np.linspace(0, 10, 8 * n), 1e4, 0.3 + 0.05 * s, 0.9)),
    "decay_chain_scipy_expm": (decay_chain_expm, {}, lambda s, n: (
        _pos(s, n, lo=0.1, hi=1.0), np.r_[100.0, np.zeros(n - 1)], np.linspace(0, 5, 6))),
}


@pytest.mark.parametrize("name", _names(MECH))
def test_mechanics_matches_numpy(name):
    """Projectiles with drag by Euler and RK4, pendulums by Euler-Cromer, leapfrog and RK4,
    Poincare sections, double pendulums, normal modes by eigh, Kepler orbits, the Lorenz
    attractor, the logistic, Henon and standard maps, and radioactive decay chains."""
    check_like_numpy(*MECH[name])


# ================================================================================ PDEs


def heat_ftcs_slices(u0, r, nt=40):
    # the 1-D heat equation, fixed ends, explicit FTCS with slices
    u = u0.copy()
    for n in range(nt):
        u[1:-1] = u[1:-1] + r * (u[2:] - 2 * u[1:-1] + u[:-2])
    return u


def heat_ftcs_history(u0, alpha, dx, dt, nt=30):
    # the same with a new array each step and a (nt + 1, nx) history
    r = alpha * dt / dx ** 2
    U = np.zeros((nt + 1, len(u0)))
    U[0] = u0
    for n in range(nt):
        un = U[n]
        U[n + 1, 1:-1] = un[1:-1] + r * (un[2:] - 2 * un[1:-1] + un[:-2])
        U[n + 1, 0] = U[n + 1, -1] = 0.0
    return U


def heat_periodic_roll(u, D, dx, dt, steps=40):
    # periodic boundaries by np.roll
    for _ in range(steps):
        u = u + D * dt / dx ** 2 * (np.roll(u, 1) - 2 * u + np.roll(u, -1))
    return u, u.sum() * dx


def heat_neumann_copy(u0, r, nt=30):
    # insulated ends: ghost values copied from the neighbours each step
    u = u0.astype(float)
    for _ in range(nt):
        un = u.copy()
        u[1:-1] = un[1:-1] + r * (un[2:] - 2 * un[1:-1] + un[:-2])
        u[0] = u[1]
        u[-1] = u[-2]
    return u


def heat_matrix_explicit(u0, r, nt=25):
    # the explicit scheme as a matrix power applied in a loop
    n = len(u0)
    A = (1 - 2 * r) * np.eye(n) + r * np.eye(n, k=1) + r * np.eye(n, k=-1)
    u = u0.copy()
    for _ in range(nt):
        u = A @ u
    return u, np.linalg.matrix_power(A, nt) @ u0


def crank_nicolson_solve(u0, r, nt=20):
    # Crank-Nicolson with dense matrices and np.linalg.solve each step
    n = len(u0)
    I = np.eye(n)
    L = -2 * I + np.eye(n, k=1) + np.eye(n, k=-1)
    A = I - r / 2 * L
    B = I + r / 2 * L
    u = u0.copy()
    for _ in range(nt):
        u = np.linalg.solve(A, B @ u)
    return u


def thomas(a, b, c, d):
    # the tridiagonal (Thomas) algorithm: sub-, main and super-diagonal, right-hand side
    n = len(d)
    cp = np.zeros(n)
    dp = np.zeros(n)
    cp[0] = c[0] / b[0]
    dp[0] = d[0] / b[0]
    for i in range(1, n):
        m = b[i] - a[i] * cp[i - 1]
        cp[i] = c[i] / m
        dp[i] = (d[i] - a[i] * dp[i - 1]) / m
    x = np.zeros(n)
    x[-1] = dp[-1]
    for i in range(n - 2, -1, -1):
        x[i] = dp[i] - cp[i] * x[i + 1]
    return x


def crank_nicolson_thomas(u0, r, nt=6):
    n = len(u0)
    a = np.full(n, -r / 2)
    b = np.full(n, 1 + r)
    c = np.full(n, -r / 2)
    a[0] = c[-1] = 0.0
    u = u0.copy()
    for _ in range(nt):
        d = (1 - r) * u
        d[1:] += r / 2 * u[:-1]
        d[:-1] += r / 2 * u[1:]
        u = thomas(a, b, c, d)
    return u


def crank_nicolson_banded(u0, r, nt=15):
    # scipy.linalg.solve_banded with the (3, n) banded form
    n = len(u0)
    ab = np.zeros((3, n))
    ab[0, 1:] = -r / 2
    ab[1, :] = 1 + r
    ab[2, :-1] = -r / 2
    u = u0.copy()
    for _ in range(nt):
        rhs = (1 - r) * u
        rhs[1:] += r / 2 * u[:-1]
        rhs[:-1] += r / 2 * u[1:]
        u = scipy.linalg.solve_banded((1, 1), ab, rhs)
    return u


def crank_nicolson_sparse(u0, r, nt=10):
    # the usual CN with scipy.sparse.diags and spsolve
    n = len(u0)
    A = scipy.sparse.diags([-r / 2, 1 + r, -r / 2], [-1, 0, 1], shape=(n, n), format="csc")
    B = scipy.sparse.diags([r / 2, 1 - r, r / 2], [-1, 0, 1], shape=(n, n), format="csc")
    u = u0.copy()
    for _ in range(nt):
        u = scipy.sparse.linalg.spsolve(A, B @ u)
    return u


def heat_sparse_laplacian(u, r, nt=20):
    # the explicit step as a sparse matrix-vector product
    n = len(u)
    L = scipy.sparse.diags([1.0, -2.0, 1.0], [-1, 0, 1], shape=(n, n))
    for _ in range(nt):
        u = u + r * (L @ u)
    return u


def wave_leapfrog_fixed(u0, c, dx, dt, nt=40):
    # the string with fixed ends: u_prev from a Taylor first step
    C2 = (c * dt / dx) ** 2
    u_prev = u0.copy()
    u = u0.copy()
    u[1:-1] = u0[1:-1] + 0.5 * C2 * (u0[2:] - 2 * u0[1:-1] + u0[:-2])
    for _ in range(nt):
        u_next = np.zeros_like(u)
        u_next[1:-1] = 2 * u[1:-1] - u_prev[1:-1] + C2 * (u[2:] - 2 * u[1:-1] + u[:-2])
        u_prev, u = u, u_next
    return u


def wave_roll_periodic(u, v, c, dx, dt, steps=40):
    # velocity form with np.roll, and the energy of the string
    for _ in range(steps):
        lap = (np.roll(u, -1) - 2 * u + np.roll(u, 1)) / dx ** 2
        v = v + dt * c ** 2 * lap
        u = u + dt * v
    ux = (np.roll(u, -1) - u) / dx
    E = 0.5 * np.sum(v ** 2 + c ** 2 * ux ** 2) * dx
    return u, E


def plucked_string(pluck_at, n=41, nt=30, C=0.9):
    # a triangular initial shape from np.where, three time levels in a 2-row buffer
    x = np.linspace(0, 1, n)
    u0 = np.where(x < pluck_at, x / pluck_at, (1 - x) / (1 - pluck_at))
    u = np.zeros((3, n))
    u[0] = u0
    u[1, 1:-1] = u0[1:-1] + 0.5 * C ** 2 * (u0[2:] - 2 * u0[1:-1] + u0[:-2])
    for _ in range(nt):
        u[2, 1:-1] = 2 * u[1, 1:-1] - u[0, 1:-1] + C ** 2 * (u[1, 2:] - 2 * u[1, 1:-1]
                                                              + u[1, :-2])
        u[0] = u[1]
        u[1] = u[2]
    return u[1]


def heat_2d_ftcs(T, alpha, dt, dx, steps=25):
    T = T.copy()
    for _ in range(steps):
        T[1:-1, 1:-1] = T[1:-1, 1:-1] + alpha * dt / dx ** 2 * (
            T[2:, 1:-1] + T[:-2, 1:-1] + T[1:-1, 2:] + T[1:-1, :-2] - 4 * T[1:-1, 1:-1])
    return T


def laplace_jacobi(phi, n_iter=40):
    # Newman's laplace.py with a fixed number of sweeps, boundaries kept
    for _ in range(n_iter):
        phiprime = phi.copy()
        phiprime[1:-1, 1:-1] = 0.25 * (phi[2:, 1:-1] + phi[:-2, 1:-1]
                                       + phi[1:-1, 2:] + phi[1:-1, :-2])
        delta = np.max(np.abs(phi - phiprime))
        phi = phiprime
    return phi, delta


def poisson_jacobi_source(rho, h, n_iter=40):
    # Poisson's equation with a source term, zero boundaries
    V = np.zeros_like(rho)
    for _ in range(n_iter):
        V[1:-1, 1:-1] = 0.25 * (V[2:, 1:-1] + V[:-2, 1:-1] + V[1:-1, 2:] + V[1:-1, :-2]
                                + h * h * rho[1:-1, 1:-1])
    return V


def laplace_gauss_seidel_loops(V, n_iter=3):
    # Gauss-Seidel with explicit double loops, in place
    M, N = V.shape
    for _ in range(n_iter):
        for i in range(1, M - 1):
            for j in range(1, N - 1):
                V[i, j] = 0.25 * (V[i + 1, j] + V[i - 1, j] + V[i, j + 1] + V[i, j - 1])
    return V


def laplace_red_black(phi, omega=1.5, n_iter=20):
    # red-black SOR by checkerboard masks
    ny, nx = phi.shape
    ii, jj = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
    interior = np.zeros_like(phi, dtype=bool)
    interior[1:-1, 1:-1] = True
    red = interior & ((ii + jj) % 2 == 0)
    black = interior & ((ii + jj) % 2 == 1)
    for _ in range(n_iter):
        for mask in (red, black):
            avg = 0.25 * (np.roll(phi, 1, 0) + np.roll(phi, -1, 0) + np.roll(phi, 1, 1)
                          + np.roll(phi, -1, 1))
            phi = np.where(mask, (1 - omega) * phi + omega * avg, phi)
    return phi


def capacitor_fixed_plates(V0, n=20, n_iter=30):
    # Newman's parallel-plate capacitor: plates re-imposed every sweep
    phi = np.zeros((n, n))
    a, b = n // 4, 3 * n // 4
    for _ in range(n_iter):
        phi[a:b, a] = V0
        phi[a:b, b] = -V0
        phi[1:-1, 1:-1] = 0.25 * (phi[2:, 1:-1] + phi[:-2, 1:-1] + phi[1:-1, 2:]
                                  + phi[1:-1, :-2])
    phi[a:b, a] = V0
    phi[a:b, b] = -V0
    Ey, Ex = np.gradient(-phi)
    return phi, np.hypot(Ex, Ey)


def advection_upwind(u, c, dx, dt, steps=40):
    nu = c * dt / dx
    for _ in range(steps):
        u = u - nu * (u - np.roll(u, 1))
    return u


def advection_lax_wendroff(u, c, dx, dt, steps=30):
    nu = c * dt / dx
    for _ in range(steps):
        up, um = np.roll(u, -1), np.roll(u, 1)
        u = u - 0.5 * nu * (up - um) + 0.5 * nu ** 2 * (up - 2 * u + um)
    return u


def burgers_upwind(u0, nu, dx, dt, nt=30):
    # Lorena Barba's 12 steps: nonlinear convection plus diffusion, periodic
    u = u0.copy()
    for _ in range(nt):
        un = u.copy()
        u[1:-1] = (un[1:-1] - un[1:-1] * dt / dx * (un[1:-1] - un[:-2])
                   + nu * dt / dx ** 2 * (un[2:] - 2 * un[1:-1] + un[:-2]))
        u[0] = (un[0] - un[0] * dt / dx * (un[0] - un[-2])
                + nu * dt / dx ** 2 * (un[1] - 2 * un[0] + un[-2]))
        u[-1] = u[0]
    return u


def diffusion_fft_exact(u0, D, L, t):
    # the spectral solution: each Fourier mode decays by exp(-D k^2 t)
    n = len(u0)
    k = 2 * np.pi * np.fft.fftfreq(n, d=L / n)
    u_hat = np.fft.fft(u0)
    return np.real(np.fft.ifft(u_hat * np.exp(-D * k ** 2 * t)))


def spectral_derivative(f, L):
    n = f.shape[-1]
    k = np.fft.rfftfreq(n, d=L / n) * 2 * np.pi
    df = np.fft.irfft(1j * k * np.fft.rfft(f), n=n)
    d2f = np.fft.irfft(-(k ** 2) * np.fft.rfft(f), n=n)
    return df, d2f


def poisson_fft_periodic(rho, L):
    # nabla^2 phi = -rho on a periodic square by 2-D FFT, the k = 0 mode set to zero
    n = rho.shape[0]
    k = 2 * np.pi * np.fft.fftfreq(n, d=L / n)
    kx, ky = np.meshgrid(k, k, indexing="ij")
    k2 = kx ** 2 + ky ** 2
    k2[0, 0] = 1.0
    phi_hat = np.fft.fft2(rho) / k2
    phi_hat[0, 0] = 0.0
    return np.fft.ifft2(phi_hat).real


def _bump(s, n, width=0.1):
    x = np.linspace(0, 1, n)
    return np.exp(-((x - 0.3 - 0.05 * s) / width) ** 2)


def _plate(s, n):
    T = np.zeros((n + 2, n + 3))
    T[0, :] = 100.0 + s
    T[:, 0] = 50.0
    return T


PDE = {
    "heat_ftcs_slices_inplace": (heat_ftcs_slices, {"nt": 30}, lambda s, n: (
        _bump(s, 5 * n), 0.4)),
    "heat_ftcs_history_rows": (heat_ftcs_history, {"nt": 20}, lambda s, n: (
        _bump(s, 5 * n), 1.0, 0.1, 0.004)),
    "heat_periodic_np_roll": (heat_periodic_roll, {"steps": 25}, lambda s, n: (
        _bump(s, 6 * n), 0.5, 0.1, 0.005)),
    "heat_neumann_ghost_copy": (heat_neumann_copy, {"nt": 20}, lambda s, n: (
        _i(100, 5 * n, seed=s), 0.3)),
    "heat_matrix_power": (heat_matrix_explicit, {"nt": 25}, lambda s, n: (
        _bump(s, 3 * n), 0.3)),
    "crank_nicolson_linalg_solve": (crank_nicolson_solve, {"nt": 10}, lambda s, n: (
        _bump(s, 3 * n), 1.5)),
    "crank_nicolson_thomas_loop": (crank_nicolson_thomas, {"nt": 5}, lambda s, n: (
        _bump(s, 2 * n), 1.0)),
    "crank_nicolson_solve_banded": (crank_nicolson_banded, {"nt": 10}, lambda s, n: (
        _bump(s, 4 * n), 2.0)),
    "heat_sparse_diags_matvec": (
        heat_sparse_laplacian, {"nt": 20}, lambda s, n: (_bump(s, 4 * n), 0.4)),
    "wave_leapfrog_fixed_ends": (wave_leapfrog_fixed, {"nt": 25}, lambda s, n: (
        _bump(s, 6 * n), 1.0, 1 / (6 * n), 0.5 / (6 * n))),
    "wave_velocity_roll_energy": (wave_roll_periodic, {"steps": 25}, lambda s, n: (
        _bump(s, 6 * n), np.zeros(6 * n), 1.0, 0.1, 0.05)),
    "plucked_string_three_levels": (plucked_string, {"n": 21, "nt": 20}, lambda s, n: (
        0.2 + 0.05 * s + 0.01 * n,)),
    "heat_2d_ftcs": (heat_2d_ftcs, {"steps": 15}, lambda s, n: (_plate(s, n), 1.0, 0.2, 1.0)),
    "laplace_jacobi_newman": (laplace_jacobi, {"n_iter": 25}, lambda s, n: (_plate(s, n),)),
    "poisson_jacobi_source": (poisson_jacobi_source, {"n_iter": 25}, lambda s, n: (
        _f(n + 3, n + 3, seed=s), 0.1)),
    "laplace_gauss_seidel_double_loop": (laplace_gauss_seidel_loops, {"n_iter": 3},
                                         lambda s, n: (_plate(s, n),)),
    "laplace_red_black_masks": (laplace_red_black, {"n_iter": 15}, lambda s, n: (
        _plate(s, n), 1.5)),
    "capacitor_plates_reimposed": (capacitor_fixed_plates, {"n": 12, "n_iter": 30},
                                   lambda s, n: (float(s * n),)),
    "advection_upwind_roll": (advection_upwind, {"steps": 25}, lambda s, n: (
        _bump(s, 8 * n), 1.0, 0.1, 0.05)),
    "advection_lax_wendroff": (advection_lax_wendroff, {"steps": 20}, lambda s, n: (
        _bump(s, 8 * n), 1.0, 0.1, 0.08)),
    "burgers_barba_periodic": (burgers_upwind, {"nt": 20}, lambda s, n: (
        1 + _bump(s, 8 * n), 0.07, 2 * np.pi / (8 * n - 1), 0.01)),
    "diffusion_fft_exact": (diffusion_fft_exact, {}, lambda s, n: (
        _bump(s, 8 * n), 0.1, 1.0, 0.2 * s)),
    "spectral_derivative_rfft": (spectral_derivative, {}, lambda s, n: (
        np.sin(np.linspace(0, 2 * np.pi, 8 * n, endpoint=False) * (s + 1)) + 0.1 * _f(8 * n),
        2 * np.pi)),
    "poisson_fft_periodic": (poisson_fft_periodic, {}, lambda s, n: (
        _f(2 * n, 2 * n, seed=s), 1.0)),
}


@pytest.mark.parametrize("name", _names(PDE))
def test_pdes_match_numpy(name):
    """1-D heat by slices, np.roll, matrices, Crank-Nicolson by solve, Thomas and
    solve_banded; waves by leapfrog, 2-D heat, Laplace and Poisson by Jacobi, Gauss-Seidel
    and red-black SOR, a capacitor, advection, Burgers, and FFT diffusion and Poisson."""
    check_like_numpy(*PDE[name])


# ========================================================================== quantum mechanics


def split_step_fourier(psi0, x, V, dt=0.01, steps=30, m=1.0, hbar=1.0):
    # the split-operator method: half potential kick, full kinetic step in k-space
    dx = x[1] - x[0]
    k = 2 * np.pi * np.fft.fftfreq(len(x), d=dx)
    half_V = np.exp(-0.5j * V * dt / hbar)
    kin = np.exp(-0.5j * hbar * k ** 2 * dt / m)
    psi = psi0.astype(complex)
    for _ in range(steps):
        psi = half_V * psi
        psi = np.fft.ifft(kin * np.fft.fft(psi))
        psi = half_V * psi
    prob = np.abs(psi) ** 2
    norm = np.sum(prob) * dx
    x_mean = np.sum(x * prob) * dx / norm
    return prob, norm, x_mean


def gaussian_wavepacket(x, x0, sigma, k0):
    psi = np.exp(-(x - x0) ** 2 / (4 * sigma ** 2)) * np.exp(1j * k0 * x)
    psi /= np.sqrt(np.trapezoid(np.abs(psi) ** 2, x))
    return psi


def wavepacket_free_spread(x, x0, sigma, k0, t_values):
    # free evolution of a wavepacket by FFT at a list of times, <x> and width
    psi0 = gaussian_wavepacket(x, x0, sigma, k0)
    dx = x[1] - x[0]
    k = np.fft.fftfreq(x.size, dx) * 2 * np.pi
    phi0 = np.fft.fft(psi0)
    widths = []
    means = []
    for t in t_values:
        psi_t = np.fft.ifft(phi0 * np.exp(-1j * k ** 2 * t / 2))
        p = np.abs(psi_t) ** 2 * dx
        mu = np.sum(x * p)
        means.append(mu)
        widths.append(np.sqrt(np.sum((x - mu) ** 2 * p)))
    return np.array(means), np.array(widths)


def split_step_momentum(psi0, V, dx, dt, steps=20):
    # fftshift'ed momentum grid, the momentum expectation by FFT of the final state
    n = psi0.size
    p = np.fft.fftshift(np.fft.fftfreq(n, dx)) * 2 * np.pi
    psi = psi0
    for _ in range(steps):
        psi = psi * np.exp(-1j * V * dt / 2)
        phi = np.fft.fftshift(np.fft.fft(psi))
        phi = phi * np.exp(-1j * p ** 2 * dt / 2)
        psi = np.fft.ifft(np.fft.ifftshift(phi))
        psi = psi * np.exp(-1j * V * dt / 2)
    phi = np.fft.fftshift(np.fft.fft(psi))
    prob_p = np.abs(phi) ** 2
    return np.sum(p * prob_p) / np.sum(prob_p), np.abs(psi) ** 2


def fd_eigenstates_diag(V, dx, n_states=3):
    # -1/2 psi'' + V psi = E psi on a grid with hard walls: the tridiagonal H by np.diag
    N = len(V)
    main = 1.0 / dx ** 2 + V
    off = -0.5 / dx ** 2 * np.ones(N - 1)
    H = np.diag(main) + np.diag(off, 1) + np.diag(off, -1)
    E, psi = np.linalg.eigh(H)
    psi = psi[:, :n_states] / np.sqrt(dx)
    psi = psi * np.sign(psi[np.argmax(np.abs(psi), axis=0), np.arange(n_states)])
    return E[:n_states], psi


def fd_eigenstates_second_diff(x, omega):
    # the harmonic oscillator: a second-difference matrix built from np.eye
    N = len(x)
    dx = x[1] - x[0]
    D2 = (np.eye(N, k=1) - 2 * np.eye(N) + np.eye(N, k=-1)) / dx ** 2
    H = -0.5 * D2 + np.diag(0.5 * omega ** 2 * x ** 2)
    E = np.linalg.eigvalsh(H)
    return E[:4], E[:4] / omega - np.arange(4) - 0.5


def fd_eigenstates_scipy_tridiagonal(V, dx, k=3):
    d = 1 / dx ** 2 + V
    e = -0.5 / dx ** 2 * np.ones(len(V) - 1)
    E, vecs = scipy.linalg.eigh_tridiagonal(d, e, select="i", select_range=(0, k - 1))
    return E, np.abs(vecs)


def hermite_recursion(x, n_max):
    # physicists' Hermite polynomials by H_{n+1} = 2x H_n - 2n H_{n-1}
    H = np.zeros((n_max + 1, len(x)))
    H[0] = 1.0
    if n_max > 0:
        H[1] = 2 * x
    for n in range(1, n_max):
        H[n + 1] = 2 * x * H[n] - 2 * n * H[n - 1]
    return H


def ho_wavefunction_recursion(x, n_max=5):
    # normalised oscillator eigenfunctions from the recursion, with math-free factorials
    H = hermite_recursion(x, n_max)
    psi = np.empty_like(H)
    for n in range(n_max + 1):
        norm = 1.0 / np.sqrt(2.0 ** n * scipy.special.factorial(n)) * np.pi ** -0.25
        psi[n] = norm * H[n] * np.exp(-x ** 2 / 2)
    return psi


def ho_wavefunction_eval_hermite(n, x, m=1.0, omega=1.0, hbar=1.0):
    xi = np.sqrt(m * omega / hbar) * x
    prefactor = 1.0 / np.sqrt(2.0 ** n * scipy.special.factorial(n)) \
        * (m * omega / (np.pi * hbar)) ** 0.25
    return prefactor * scipy.special.eval_hermite(n, xi) * np.exp(-xi ** 2 / 2)


def ho_states_array_n(x, ns):
    # eval_hermite broadcast over an array of n and an array of x
    n = ns[:, None]
    norm = 1 / np.sqrt(2.0 ** n * scipy.special.factorial(n) * np.sqrt(np.pi))
    psi = norm * scipy.special.eval_hermite(n, x[None, :]) * np.exp(-x ** 2 / 2)
    dx = x[1] - x[0]
    overlaps = psi @ psi.T * dx
    return psi, overlaps


def ho_hermval(x, n):
    # numpy.polynomial.hermite.hermval with a one-hot coefficient vector
    c = np.zeros(n + 1)
    c[n] = 1
    norm = 1 / np.sqrt(2.0 ** n * scipy.special.factorial(n, exact=True))
    return norm * np.pi ** -0.25 * np.exp(-x ** 2 / 2) * np.polynomial.hermite.hermval(x, c)


def ho_scipy_hermite_poly1d(x, n):
    # scipy.special.hermite(n) is a poly1d: called on the grid
    Hn = scipy.special.hermite(n)
    return Hn(x) * np.exp(-x ** 2 / 2)


def particle_in_box(x, L, n_states=4):
    n = np.arange(1, n_states + 1)[:, None]
    psi = np.sqrt(2 / L) * np.sin(n * np.pi * x / L)
    E = (n.ravel() * np.pi) ** 2 / (2 * L ** 2)
    return psi, E


def box_superposition(x, t, c, L=1.0):
    # a superposition's probability density over time: psi(x, t) on a (t, x) grid
    n = np.arange(1, len(c) + 1)
    E = (n * np.pi / L) ** 2 / 2
    phi = np.sqrt(2 / L) * np.sin(np.outer(n, x) * np.pi / L)
    c = c / np.linalg.norm(c)
    psi = np.einsum("n,nt,nx->tx", c, np.exp(-1j * np.outer(E, t)), phi)
    return np.abs(psi) ** 2


def numerov_shoot_grid(E_grid, x, V):
    # the shooting method on a fixed energy grid: psi at the far wall for each energy
    h = x[1] - x[0]
    psi = np.zeros((len(E_grid), len(x)))
    psi[:, 1] = 1e-4
    k2 = 2 * (E_grid[:, None] - V[None, :])
    for i in range(1, len(x) - 1):
        psi[:, i + 1] = (2 * (1 - 5 * h ** 2 * k2[:, i] / 12) * psi[:, i]
                         - (1 + h ** 2 * k2[:, i - 1] / 12) * psi[:, i - 1]) \
            / (1 + h ** 2 * k2[:, i + 1] / 12)
    end = psi[:, -1]
    sign_change = np.sign(end[:-1]) != np.sign(end[1:])
    return end, sign_change


def rk4_shoot_schrodinger(E, V0, a, n=16):
    # Newman's square well by RK4 in (psi, phi), the wavefunction at the far wall
    h = 2 * a / n

    def f(r, x, E):
        psi, phi = r
        V = np.where(np.abs(x) < a / 2, 0.0, V0)
        return np.array([phi, 2 * (V - E) * psi])

    r = np.array([0.0, 1.0])
    x = -a
    for _ in range(n):
        k1 = h * f(r, x, E)
        k2 = h * f(r + 0.5 * k1, x + 0.5 * h, E)
        k3 = h * f(r + 0.5 * k2, x + 0.5 * h, E)
        k4 = h * f(r + k3, x + h, E)
        r = r + (k1 + 2 * k2 + 2 * k3 + k4) / 6
        x += h
    return r[0]


def barrier_transmission(E, V0, a):
    # the rectangular barrier's transmission, above and below the top, via complex sqrt
    k = np.sqrt(2 * E)
    q = np.sqrt(2 * (E - V0) + 0j)
    T = 1 / (1 + (k ** 2 - q ** 2) ** 2 / (4 * k ** 2 * q ** 2) * np.sin(q * a) ** 2)
    return T.real


def tunnelling_below_barrier(E, V0, a):
    kappa = np.sqrt(2 * (V0 - E))
    return 1 / (1 + V0 ** 2 * np.sinh(kappa * a) ** 2 / (4 * E * (V0 - E)))


def expectation_values(x, psi):
    # <x>, <x^2>, <p> and <p^2> of a complex wavefunction by np.gradient
    dx = x[1] - x[0]
    rho = np.abs(psi) ** 2
    norm = np.trapezoid(rho, x)
    dpsi = np.gradient(psi, dx)
    d2psi = np.gradient(dpsi, dx)
    ex = np.trapezoid(x * rho, x) / norm
    ex2 = np.trapezoid(x ** 2 * rho, x) / norm
    ep = np.trapezoid(np.conj(psi) * (-1j) * dpsi, x).real / norm
    ep2 = np.trapezoid(np.conj(psi) * -d2psi, x).real / norm
    return ex, np.sqrt(ex2 - ex ** 2), ep, np.sqrt(ep2 - ep ** 2)


def hydrogen_radial_1s_2s(r):
    R10 = 2 * np.exp(-r)
    R20 = (1 / np.sqrt(2)) * (1 - r / 2) * np.exp(-r / 2)
    P = r ** 2 * np.vstack([R10, R20]) ** 2
    r_mean = np.trapezoid(r * P, r, axis=1)
    return P, r_mean


def heisenberg_chain_kron(J, h, n_sites=3):
    # exact diagonalisation of a small spin chain: Pauli matrices by np.kron
    sx = np.array([[0, 1], [1, 0]]) / 2
    sy = np.array([[0, -1j], [1j, 0]]) / 2
    sz = np.array([[1, 0], [0, -1]]) / 2
    I2 = np.eye(2)

    def site_op(op, i):
        out = np.array([[1.0]])
        for k in range(n_sites):
            out = np.kron(out, op if k == i else I2)
        return out
    H = np.zeros((2 ** n_sites, 2 ** n_sites), dtype=complex)
    for i in range(n_sites - 1):
        for s in (sx, sy, sz):
            H += J * site_op(s, i) @ site_op(s, i + 1)
    for i in range(n_sites):
        H += h * site_op(sz, i)
    E = np.linalg.eigvalsh(H)
    return E, E[1] - E[0]


def two_level_expm(eps, Delta, t_values):
    # Rabi oscillations by the matrix exponential of -iHt
    H = np.array([[eps / 2, Delta / 2], [Delta / 2, -eps / 2]])
    psi0 = np.array([1.0, 0.0], dtype=complex)
    P = []
    for t in t_values:
        psi = scipy.linalg.expm(-1j * H * t) @ psi0
        P.append(np.abs(psi[1]) ** 2)
    rabi = Delta ** 2 / (Delta ** 2 + eps ** 2) * np.sin(
        np.sqrt(Delta ** 2 + eps ** 2) * np.asarray(t_values) / 2) ** 2
    return np.array(P), rabi


def _grid(s, n, L=10.0):
    return np.linspace(-L / 2, L / 2, 8 * n)


QUANTUM = {
    "split_step_fourier_expectation": (split_step_fourier, {"steps": 25}, lambda s, n: (
        gaussian_wavepacket(_grid(s, n), -1.0, 0.5, 2.0 + s), _grid(s, n),
        0.5 * _grid(s, n) ** 2)),
    "wavepacket_free_spread_list": (wavepacket_free_spread, {}, lambda s, n: (
        _grid(s, n), -1.0 + 0.1 * s, 0.5, 1.5, [0.0, 0.2, 0.4, 0.8])),
    "split_step_fftshift_momentum": (split_step_momentum, {"steps": 20}, lambda s, n: (
        gaussian_wavepacket(_grid(s, n), 0.5, 0.7, 1.0 * s), np.where(
            np.abs(_grid(s, n)) < 0.5, 2.0, 0.0), _grid(s, n)[1] - _grid(s, n)[0], 0.02)),
    "fd_eigenstates_np_diag": (fd_eigenstates_diag, {"n_states": 3}, lambda s, n: (
        0.5 * (1 + 0.1 * s) * _grid(s, n) ** 2, 10.0 / (8 * n - 1))),
    "fd_eigenstates_second_diff_eye": (fd_eigenstates_second_diff, {}, lambda s, n: (
        np.linspace(-6, 6, 10 * n), 1.0 + 0.1 * s)),
    "fd_eigenstates_eigh_tridiagonal": (
        fd_eigenstates_scipy_tridiagonal, {}, lambda s, n: (
            0.5 * _grid(s, n) ** 2 + 0.1 * s * _grid(s, n), 10.0 / (8 * n - 1))),
    "hermite_recursion_table": (hermite_recursion, {"n_max": 6}, lambda s, n: (
        np.linspace(-3, 3, 5 * n) + 0.1 * s,)),
    "ho_wavefunction_recursion_factorial": (ho_wavefunction_recursion, {"n_max": 5},
                                            lambda s, n: (np.linspace(-4, 4, 6 * n) * s,)),
    "ho_wavefunction_eval_hermite": (ho_wavefunction_eval_hermite, {}, lambda s, n: (
        s + 1, np.linspace(-4, 4, 6 * n))),
    "ho_eval_hermite_array_n_overlaps": (ho_states_array_n, {}, lambda s, n: (
        np.linspace(-6, 6, 30 * n) + 0.01 * s, np.arange(n))),
    "ho_polynomial_hermval": (ho_hermval, {"n": 4}, lambda s, n: (
        np.linspace(-4, 4, 6 * n) + 0.1 * s,)),
    "ho_scipy_hermite_poly1d": (ho_scipy_hermite_poly1d, {"n": 3}, lambda s, n: (
        np.linspace(-3, 3, 5 * n) * s,)),
    "heisenberg_chain_kron_eigvalsh": (heisenberg_chain_kron, {"n_sites": 3}, lambda s, n: (
        1.0 + 0.1 * s * n, 0.2)),
    "two_level_rabi_expm": (two_level_expm, {}, lambda s, n: (
        0.5 * s, 1.0, list(np.linspace(0, 5, n)))),
    "particle_in_box_broadcast": (particle_in_box, {"n_states": 4}, lambda s, n: (
        np.linspace(0, 1.0 + s, 6 * n), 1.0 + s)),
    "box_superposition_einsum": (box_superposition, {}, lambda s, n: (
        np.linspace(0, 1, 6 * n), np.linspace(0, 1, 5), _pos(s, 3))),
    "numerov_energy_grid": (numerov_shoot_grid, {}, lambda s, n: (
        np.linspace(0.2, 3.0, 3 * n) + 0.01 * s, np.linspace(-5, 5, 25),
        0.5 * np.linspace(-5, 5, 25) ** 2)),
    "square_well_rk4_shooting": (rk4_shoot_schrodinger, {"n": 24}, lambda s, n: (
        0.5 + 0.1 * s * n, 20.0, 1.0)),
    "barrier_transmission_complex_sqrt": (barrier_transmission, {}, lambda s, n: (
        np.linspace(0.1, 5.0, 7 * n) + 0.013 * s, 2.0, 1.5)),
    "tunnelling_below_barrier_sinh": (tunnelling_below_barrier, {}, lambda s, n: (
        np.linspace(0.1, 1.9, 5 * n), 2.0 + 0.1 * s, 1.0)),
    "expectation_values_gradient": (expectation_values, {}, lambda s, n: (
        _grid(s, n), gaussian_wavepacket(_grid(s, n), 0.3 * s, 0.6, 1.5))),
    "hydrogen_radial_trapezoid": (hydrogen_radial_1s_2s, {}, lambda s, n: (
        np.linspace(0, 20 + s, 40 * n),)),
}


@pytest.mark.parametrize("name", _names(QUANTUM))
def test_quantum_mechanics_matches_numpy(name):
    """Split-step Fourier propagation, wavepackets, finite-difference eigenstates by eigh and
    eigh_tridiagonal, Hermite polynomials and oscillator states by recursion, eval_hermite,
    hermval and scipy.special.hermite, particles in boxes, Numerov and RK4 shooting, barrier
    transmission and expectation values."""
    check_like_numpy(*QUANTUM[name])


# ============================================================================ fields, N-body


def point_charges_loop(charges, positions, X, Y, k=8.99e9, soft=1e-3):
    # the field of point charges summed by a Python loop over the charges
    Ex = np.zeros_like(X)
    Ey = np.zeros_like(X)
    V = np.zeros_like(X)
    for q, (x0, y0) in zip(charges, positions):
        dx = X - x0
        dy = Y - y0
        r2 = dx ** 2 + dy ** 2 + soft ** 2
        r3 = r2 ** 1.5
        Ex += k * q * dx / r3
        Ey += k * q * dy / r3
        V += k * q / np.sqrt(r2)
    return Ex, Ey, V


def point_charges_broadcast(q, pos, x, y, soft=0.05):
    # all charges at once on an (n_charges, ny, nx) stack
    X, Y = np.meshgrid(x, y)
    dx = X[None] - pos[:, 0, None, None]
    dy = Y[None] - pos[:, 1, None, None]
    r = np.sqrt(dx ** 2 + dy ** 2 + soft ** 2)
    Ex = np.sum(q[:, None, None] * dx / r ** 3, axis=0)
    Ey = np.sum(q[:, None, None] * dy / r ** 3, axis=0)
    E = np.hypot(Ex, Ey)
    return Ex / E, Ey / E, np.log(E)


def potential_gradient_field(q, pos, n=20, L=2.0):
    # the potential on a grid, the field as minus its gradient
    x = np.linspace(-L, L, n)
    y = np.linspace(-L, L, n)
    X, Y = np.meshgrid(x, y, indexing="xy")
    V = np.zeros((n, n))
    for i in range(len(q)):
        r = np.sqrt((X - pos[i, 0]) ** 2 + (Y - pos[i, 1]) ** 2)
        V += q[i] / np.maximum(r, 1e-2)
    Ey, Ex = np.gradient(-V, y, x)
    return V, Ex, Ey


def dipole_far_field(p, X, Y, d=0.1):
    # +q and -q separated by d along y, against the dipole approximation
    def V_point(q, x0, y0):
        return q / np.sqrt((X - x0) ** 2 + (Y - y0) ** 2)
    q = p / d
    V_exact = V_point(q, 0, d / 2) + V_point(-q, 0, -d / 2)
    R = np.sqrt(X ** 2 + Y ** 2)
    V_dip = p * Y / R ** 3
    return V_exact, np.abs(V_exact - V_dip) / np.abs(V_dip)


def ring_charge_axis(z, R, Q, n_seg=24):
    # a ring discretised into segments, the field on the axis against the closed form
    phi = np.linspace(0, 2 * np.pi, n_seg, endpoint=False)
    src = np.stack([R * np.cos(phi), R * np.sin(phi), np.zeros_like(phi)], axis=1)
    obs = np.stack([np.zeros_like(z), np.zeros_like(z), z], axis=1)
    d = obs[:, None, :] - src[None, :, :]
    r3 = np.linalg.norm(d, axis=2) ** 3
    E = (Q / n_seg) * np.sum(d / r3[..., None], axis=1)
    exact = Q * z / (z ** 2 + R ** 2) ** 1.5
    return E, exact


def nbody_acc_fill_diagonal(pos, mass, G=1.0, soft=0.05):
    # pairwise separations, 1/r^3 with the diagonal zeroed by np.fill_diagonal
    dr = pos[None, :, :] - pos[:, None, :]
    r2 = np.sum(dr ** 2, axis=-1) + soft ** 2
    inv_r3 = r2 ** -1.5
    np.fill_diagonal(inv_r3, 0.0)
    return G * np.sum(dr * (inv_r3 * mass[None, :])[:, :, None], axis=1)


def nbody_acc_pmocz(pos, mass, G=1.0, softening=0.1):
    # Philip Mocz's nbody.py: column vectors and x.T - x
    x = pos[:, 0:1]
    y = pos[:, 1:2]
    z = pos[:, 2:3]
    dx = x.T - x
    dy = y.T - y
    dz = z.T - z
    inv_r3 = (dx ** 2 + dy ** 2 + dz ** 2 + softening ** 2)
    inv_r3[inv_r3 > 0] = inv_r3[inv_r3 > 0] ** (-1.5)
    ax = G * (dx * inv_r3) @ mass
    ay = G * (dy * inv_r3) @ mass
    az = G * (dz * inv_r3) @ mass
    return np.hstack((ax, ay, az))


def nbody_energy_pmocz(pos, vel, mass, G=1.0):
    KE = 0.5 * np.sum(np.sum(mass * vel ** 2))
    x = pos[:, 0:1]
    y = pos[:, 1:2]
    z = pos[:, 2:3]
    dx = x.T - x
    dy = y.T - y
    dz = z.T - z
    inv_r = np.sqrt(dx ** 2 + dy ** 2 + dz ** 2)
    inv_r[inv_r > 0] = 1.0 / inv_r[inv_r > 0]
    PE = G * np.sum(np.sum(np.triu(-(mass * mass.T) * inv_r, 1)))
    return KE, PE


def nbody_leapfrog_pmocz(pos, vel, mass, dt=0.01, steps=20):
    # kick-drift-kick with the energies each step
    acc = nbody_acc_pmocz(pos, mass)
    KE_save = np.zeros(steps + 1)
    PE_save = np.zeros(steps + 1)
    KE_save[0], PE_save[0] = nbody_energy_pmocz(pos, vel, mass)
    for i in range(steps):
        vel += acc * dt / 2.0
        pos += vel * dt
        acc = nbody_acc_pmocz(pos, mass)
        vel += acc * dt / 2.0
        KE_save[i + 1], PE_save[i + 1] = nbody_energy_pmocz(pos, vel, mass)
    return pos, vel, KE_save + PE_save


def nbody_velocity_verlet(r, v, m, dt=0.005, steps=20, eps=0.05):
    # velocity Verlet with an einsum force sum, momentum and centre of mass diagnostics
    def accel(r):
        d = r[:, None, :] - r[None, :, :]
        dist2 = np.einsum("ijk,ijk->ij", d, d) + eps ** 2
        inv3 = dist2 ** -1.5
        np.fill_diagonal(inv3, 0)
        return -np.einsum("ij,ijk,j->ik", inv3, d, m)
    a = accel(r)
    P = np.zeros((steps, r.shape[1]))
    for s in range(steps):
        r = r + v * dt + 0.5 * a * dt ** 2
        a_new = accel(r)
        v = v + 0.5 * (a + a_new) * dt
        a = a_new
        P[s] = (m[:, None] * v).sum(axis=0)
    com = (m[:, None] * r).sum(axis=0) / m.sum()
    return r, v, P, com


def nbody_potential_energy_triu(pos, m, G=1.0, soft=0.01):
    # the pair sum over the upper triangle by np.triu_indices
    i, j = np.triu_indices(len(m), k=1)
    rij = np.linalg.norm(pos[i] - pos[j], axis=1)
    U = -G * np.sum(m[i] * m[j] / np.sqrt(rij ** 2 + soft ** 2))
    K = 0.5 * np.sum(m * np.sum(pos ** 2, axis=1))
    return U, 2 * K / abs(U)


def two_body_reduced(r1, r2, v1, v2, m1, m2):
    # centre of mass frame and the reduced mass; eccentricity vector of the relative orbit
    M = m1 + m2
    R = (m1 * r1 + m2 * r2) / M
    r = r1 - r2
    v = v1 - v2
    mu = m1 * m2 / M
    h = np.cross(r, v)
    e_vec = np.cross(v, h) / M - r / np.linalg.norm(r)
    return R, mu, np.linalg.norm(e_vec)


def radial_profile_histogram(pos, m, n_bins=6, r_max=3.0):
    # a cluster's mass profile by np.histogram of the radii with weights
    r = np.linalg.norm(pos - np.average(pos, axis=0, weights=m), axis=1)
    mass_in_bin, edges = np.histogram(r, bins=n_bins, range=(0, r_max), weights=m)
    shell_vol = 4 / 3 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    return mass_in_bin / shell_vol, np.cumsum(mass_in_bin)


def charged_particle_boris(x, v, q_m, E, B, dt=0.05, steps=30):
    # the Boris pusher in uniform E and B
    traj = np.zeros((steps, 3))
    for i in range(steps):
        v_minus = v + 0.5 * q_m * E * dt
        t = 0.5 * q_m * B * dt
        s = 2 * t / (1 + np.dot(t, t))
        v_prime = v_minus + np.cross(v_minus, t)
        v_plus = v_minus + np.cross(v_prime, s)
        v = v_plus + 0.5 * q_m * E * dt
        x = x + v * dt
        traj[i] = x
    return traj, v


def _charges(s, n):
    return np.where(np.arange(n) % 2 == 0, 1.0, -1.0) * (1 + 0.1 * s)


def _cluster(s, n):
    return _f(n, 3, seed=s), 0.3 * _f(n, 3, seed=s + 1), _pos(s + 2, n, lo=0.5, hi=1.5)


FIELDS = {
    "point_charges_loop_zip": (point_charges_loop, {}, lambda s, n: (
        _charges(s, n) * 1e-9, _f(n, 2, seed=s),
        *np.meshgrid(np.linspace(-2, 2, 9), np.linspace(-2, 2, 7)))),
    "point_charges_broadcast_stack": (point_charges_broadcast, {}, lambda s, n: (
        _charges(s, n), _f(n, 2, seed=s), np.linspace(-2, 2, 10), np.linspace(-1, 1, 8))),
    "potential_np_gradient": (potential_gradient_field, {"n": 16}, lambda s, n: (
        _charges(s, n), _f(n, 2, seed=s))),
    "dipole_far_field": (dipole_far_field, {}, lambda s, n: (
        1.0 + 0.1 * s, *np.meshgrid(np.linspace(1, 5, n), np.linspace(1.5, 4, 5)))),
    "ring_charge_axis": (ring_charge_axis, {}, lambda s, n: (
        np.linspace(-2, 2, 2 * n) + 0.05, 1.0 + 0.1 * s, 2.0)),
    "nbody_acc_fill_diagonal": (nbody_acc_fill_diagonal, {}, lambda s, n: (
        _f(n, 3, seed=s), _pos(s, n, lo=0.5, hi=1.5))),
    "nbody_acc_pmocz_masked_power": (nbody_acc_pmocz, {}, lambda s, n: (
        _f(n, 3, seed=s), _pos(s, n, 1, lo=0.5, hi=1.5))),
    "nbody_energy_pmocz_triu": (nbody_energy_pmocz, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(n, 3, seed=s + 1), _pos(s, n, 1, lo=0.5, hi=1.5))),
    "nbody_leapfrog_pmocz_inplace": (nbody_leapfrog_pmocz, {"steps": 8}, lambda s, n: (
        _f(n, 3, seed=s), 0.3 * _f(n, 3, seed=s + 1), _pos(s, n, 1, lo=0.5, hi=1.5))),
    "nbody_velocity_verlet_einsum": (nbody_velocity_verlet, {"steps": 10}, lambda s, n: (
        _cluster(s, n))),
    "nbody_potential_triu_indices": (nbody_potential_energy_triu, {}, lambda s, n: (
        _f(n, 3, seed=s), _pos(s, n, lo=0.5, hi=1.5))),
    "two_body_reduced_cross": (two_body_reduced, {}, lambda s, n: (
        _f(3, seed=s), _f(3, seed=s + 1), _f(3, seed=s + 2), _f(3, seed=s + 3), 1.0, 0.1 * n)),
    "radial_profile_weighted_histogram": (radial_profile_histogram, {}, lambda s, n: (
        _f(5 * n, 3, seed=s), _pos(s, 5 * n))),
    "boris_pusher_cross": (charged_particle_boris, {"steps": 25}, lambda s, n: (
        np.zeros(3), np.array([1.0, 0.0, 0.1 * s]), -1.0, np.array([0.0, 0.1, 0.0]),
        np.array([0.0, 0.0, 1.0 + 0.1 * n]))),
}


@pytest.mark.parametrize("name", _names(FIELDS))
def test_fields_and_nbody_match_numpy(name):
    """Point charges on meshgrids by loops and broadcasting, the field by np.gradient, a
    dipole and a ring; N-body accelerations by fill_diagonal, masked powers and einsum,
    leapfrog and Verlet with energies, pair sums by triu_indices, two-body reductions, radial
    profiles by weighted histograms and the Boris pusher."""
    check_like_numpy(*FIELDS[name])


# ======================================================================= statistical physics


def ising_checkerboard_roll(spins, beta, rng, sweeps=10, J=1.0):
    # Metropolis by checkerboard sublattices, neighbours by np.roll, a generator argument
    L = spins.shape[0]
    ii, jj = np.indices((L, L))
    masks = [(ii + jj) % 2 == 0, (ii + jj) % 2 == 1]
    mags = np.empty(sweeps)
    for s in range(sweeps):
        for mask in masks:
            nb = (np.roll(spins, 1, 0) + np.roll(spins, -1, 0)
                  + np.roll(spins, 1, 1) + np.roll(spins, -1, 1))
            dE = 2 * J * spins * nb
            accept = (rng.random((L, L)) < np.exp(-beta * dE)) & mask
            spins = np.where(accept, -spins, spins)
        mags[s] = spins.mean()
    return spins, mags


def ising_energy(spins, J=1.0, h=0.0):
    E = -J * np.sum(spins * (np.roll(spins, 1, axis=0) + np.roll(spins, 1, axis=1)))
    return E - h * spins.sum()


def ising_checkerboard_inplace(spins, T, rng, n_sweeps=8):
    # writes by mask into the argument, energy and |m| per spin each sweep
    N = spins.size
    black = (np.add.outer(np.arange(spins.shape[0]), np.arange(spins.shape[1])) % 2).astype(bool)
    E_hist = np.zeros(n_sweeps)
    M_hist = np.zeros(n_sweeps)
    for k in range(n_sweeps):
        for sub in (black, ~black):
            h = (np.roll(spins, 1, 0) + np.roll(spins, -1, 0) + np.roll(spins, 1, 1)
                 + np.roll(spins, -1, 1))
            dE = 2.0 * spins * h
            flip = sub & ((dE <= 0) | (rng.random(spins.shape) < np.exp(-dE / T)))
            spins[flip] *= -1
        E_hist[k] = ising_energy(spins) / N
        M_hist[k] = abs(spins.sum()) / N
    return E_hist, M_hist


def ising_single_spin_where(spins, beta, rng, n_flips=40):
    # the single-spin Metropolis loop with random sites from rng.integers and np.where
    L = spins.shape[0]
    for _ in range(n_flips):
        i = rng.integers(0, L)
        j = rng.integers(0, L)
        s = spins[i, j]
        nb = spins[(i + 1) % L, j] + spins[i, (j + 1) % L] + spins[(i - 1) % L, j] \
            + spins[i, (j - 1) % L]
        dE = 2 * s * nb
        spins[i, j] = np.where(rng.random() < np.exp(-beta * dE), -s, s)
    return spins


def ising_observables(E_samples, M_samples, T, N):
    # heat capacity and susceptibility from fluctuations, Binder cumulant
    beta = 1.0 / T
    C = beta ** 2 * (np.mean(E_samples ** 2) - np.mean(E_samples) ** 2) / N
    chi = beta * (np.mean(M_samples ** 2) - np.mean(np.abs(M_samples)) ** 2) / N
    U4 = 1 - np.mean(M_samples ** 4) / (3 * np.mean(M_samples ** 2) ** 2)
    return C, chi, U4


def ising_temperature_scan(temps, rng, L=6, sweeps=6):
    # many temperatures at once: a stack of lattices, one per T
    spins = np.ones((len(temps), L, L))
    beta = (1.0 / temps)[:, None, None]
    parity = (np.indices((L, L)).sum(axis=0) % 2)[None]
    m = np.zeros((sweeps, len(temps)))
    for s in range(sweeps):
        for p in (0, 1):
            nb = (np.roll(spins, 1, 1) + np.roll(spins, -1, 1) + np.roll(spins, 1, 2)
                  + np.roll(spins, -1, 2))
            prob = np.exp(-2 * beta * spins * nb)
            flip = (rng.random(spins.shape) < prob) & (parity == p)
            spins[flip] = -spins[flip]
        m[s] = np.abs(spins.mean(axis=(1, 2)))
    return m


def random_walk_msd(rng, n_walkers=100, n_steps=50):
    # +/-1 steps, positions by cumsum, the mean squared displacement against time
    steps = rng.choice([-1, 1], size=(n_walkers, n_steps))
    x = np.cumsum(steps, axis=1)
    msd = np.mean(x ** 2, axis=0)
    D = np.polyfit(np.arange(1, n_steps + 1), msd, 1)[0] / 2
    return msd, D


def lattice_walk_2d(rng, n_walkers=30, n_steps=40):
    # a 2-D lattice walk: direction indices from rng.integers into a table of moves
    moves = np.array([[1, 0], [-1, 0], [0, 1], [0, -1]])
    d = rng.integers(0, 4, size=(n_walkers, n_steps))
    path = np.cumsum(moves[d], axis=1)
    R2 = np.sum(path ** 2, axis=2)
    return R2.mean(axis=0), np.sqrt(R2[:, -1]).mean()


def random_walk_gaussian_steps(x0, rng, sigma=1.0, n_steps=50):
    # continuous steps, the walk as an (n_steps + 1, n) array, first-passage fraction by mask
    steps = rng.normal(0.0, sigma, size=(n_steps, x0.size))
    x = np.vstack([x0, x0 + np.cumsum(steps, axis=0)])
    crossed = np.any(x > 3 * sigma, axis=0)
    return x, crossed.mean(), np.var(x[-1] - x0)


def diffusion_particles_reflecting(x, D, dt, L, rng, steps=30):
    # Brownian particles in a box [0, L] with reflecting walls by np.where
    for _ in range(steps):
        x = x + np.sqrt(2 * D * dt) * rng.standard_normal(x.shape)
        x = np.where(x < 0, -x, x)
        x = np.where(x > L, 2 * L - x, x)
    hist, _ = np.histogram(x, bins=5, range=(0, L))
    return x, hist


def self_avoiding_attempts(rng, n_walks=40, n_steps=12):
    # a walk counts as self-avoiding if no site repeats: pairwise comparison of positions
    moves = np.array([[1, 0], [-1, 0], [0, 1], [0, -1]])
    pos = np.cumsum(moves[rng.integers(0, 4, (n_walks, n_steps))], axis=1)
    pos = np.concatenate([np.zeros((n_walks, 1, 2), dtype=pos.dtype), pos], axis=1)
    same = np.all(pos[:, :, None, :] == pos[:, None, :, :], axis=-1)
    n_same = same.sum(axis=(1, 2)) - (n_steps + 1)
    ok = n_same == 0
    return ok.mean(), np.where(ok, np.sum(pos[:, -1] ** 2, axis=1), 0).sum() / max(ok.sum(), 1)


def monte_carlo_pi(rng, n=2000):
    xy = rng.random((n, 2))
    inside = np.sum(xy ** 2, axis=1) <= 1.0
    pi_est = 4 * inside.mean()
    return pi_est, 4 * np.sqrt(inside.mean() * (1 - inside.mean()) / n)


def monte_carlo_pi_running(rng, n=500):
    x = rng.uniform(-1, 1, n)
    y = rng.uniform(-1, 1, n)
    hits = (x ** 2 + y ** 2 < 1).astype(float)
    running = 4 * np.cumsum(hits) / np.arange(1, n + 1)
    return running, np.abs(running - np.pi)


def mc_integral_mean_value(f_pow, a, b, rng, n=1000):
    # the mean-value method with its standard error, against the exact integral of x^p
    x = rng.uniform(a, b, n)
    fx = x ** f_pow
    I = (b - a) * fx.mean()
    err = (b - a) * fx.std(ddof=1) / np.sqrt(n)
    exact = (b ** (f_pow + 1) - a ** (f_pow + 1)) / (f_pow + 1)
    return I, err, exact


def mc_hit_or_miss_newman(rng, N=1000):
    # Newman's hit-or-miss integral of sin^2(1/(x(2-x)))
    x = 2 * rng.random(N)
    y = rng.random(N)
    fx = np.sin(1 / (x * (2 - x))) ** 2
    count = np.sum(y < fx)
    return 2 * count / N


def mc_importance_sampling(rng, N=1000):
    # Newman's x^-1/2 / (e^x + 1) with w(x) = 1/(2 sqrt x): x = z^2
    z = rng.random(N)
    x = z ** 2
    g = 1 / (np.exp(x) + 1)
    return 2 * np.mean(g), 2 * np.std(g) / np.sqrt(N)


def mc_volume_hypersphere(rng, dim=4, n=1000):
    pts = rng.uniform(-1, 1, size=(n, dim))
    frac = np.mean(np.linalg.norm(pts, axis=1) <= 1)
    exact = np.pi ** (dim / 2) / scipy.special.gamma(dim / 2 + 1)
    return 2 ** dim * frac, exact


def buffon_needle(rng, n=1000, l=1.0, t=2.0):
    x = rng.uniform(0, t / 2, n)
    theta = rng.uniform(0, np.pi / 2, n)
    hits = x <= (l / 2) * np.sin(theta)
    return 2 * l * n / (t * max(hits.sum(), 1))


def radioactive_decay_mc(n_atoms, p_decay, rng, steps=40):
    # each surviving atom decays with probability p per step: a boolean array of atoms
    alive = np.ones(n_atoms, dtype=bool)
    N = np.zeros(steps, dtype=int)
    for t in range(steps):
        decay = rng.random(n_atoms) < p_decay
        alive &= ~decay
        N[t] = alive.sum()
    return N


def radioactive_decay_binomial(N0, tau, dt, rng, steps=40):
    # Newman's Tl-208 -> Pb-208 with binomial counts per step
    p = 1 - 2 ** (-dt / tau)
    Tl = np.empty(steps, dtype=np.int64)
    n = N0
    for i in range(steps):
        n = n - rng.binomial(n, p)
        Tl[i] = n
    return Tl, N0 - Tl


def decay_times_inverse_transform(rng, N=500, tau=3.053 * 60):
    # decay times by the inverse CDF, sorted, and the surviving count on a time grid
    mu = np.log(2) / tau
    t_dec = np.sort(-np.log(1 - rng.random(N)) / mu)
    grid = np.linspace(0, 1000, 21)
    survivors = N - np.searchsorted(t_dec, grid)
    return survivors


def maxwell_boltzmann_hist(v, T, m=1.0, kB=1.0):
    # the speed histogram of 3-D velocities against the Maxwell-Boltzmann density
    speed = np.linalg.norm(v, axis=1)
    hist, edges = np.histogram(speed, bins=8, range=(0, 4), density=True)
    c = 0.5 * (edges[1:] + edges[:-1])
    a = m / (2 * np.pi * kB * T)
    f = 4 * np.pi * c ** 2 * a ** 1.5 * np.exp(-m * c ** 2 / (2 * kB * T))
    return hist, f, np.mean(0.5 * m * speed ** 2) / (1.5 * kB * T)


def metropolis_1d_harmonic(x0, beta, rng, n=200, step=0.5):
    # Metropolis sampling of exp(-beta x^2 / 2) with np.where on the acceptance
    xs = np.empty((n,) + np.shape(x0))
    x = x0
    for i in range(n):
        trial = x + step * rng.uniform(-1, 1, np.shape(x0))
        dE = 0.5 * (trial ** 2 - x ** 2)
        x = np.where(rng.random(np.shape(x0)) < np.exp(-beta * dE), trial, x)
        xs[i] = x
    return xs[n // 2:].mean(axis=0), (xs[n // 2:] ** 2).mean(axis=0)


def percolation_occupied_stats(p, rng, L=8, trials=20):
    # site percolation without cluster labels: occupation fraction and spanning rows/columns
    grid = rng.random((trials, L, L)) < p
    frac = grid.mean(axis=(1, 2))
    full_cols = np.all(grid, axis=1).any(axis=1)
    empty_rows = ~np.any(grid, axis=2)
    return frac.mean(), full_cols.mean(), empty_rows.sum(axis=1).mean()


def ising_energy_ndimage(spins, J=1.0):
    # neighbour sums by scipy.ndimage.convolve with periodic wrap
    kernel = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    nb = scipy.ndimage.convolve(spins, kernel, mode="wrap")
    return -J * np.sum(spins * nb) / 2, np.abs(spins.mean())


def gaussxw(N):
    # Newman's gaussxw.py: Legendre roots by Newton with a while loop on constants
    a = np.linspace(3, 4 * N - 1, N) / (4 * N + 2)
    x = np.cos(np.pi * a + 1 / (8 * N * N * np.tan(a)))
    epsilon = 1e-15
    delta = 1.0
    while delta > epsilon:
        p0 = np.ones(N, float)
        p1 = np.copy(x)
        for k in range(1, N):
            p0, p1 = p1, ((2 * k + 1) * x * p1 - k * p0) / (k + 1)
        dp = (N + 1) * (p0 - x * p1) / (1 - x * x)
        dx = p1 / dp
        x -= dx
        delta = max(abs(dx))
    w = 2 * (N + 1) * (N + 1) / (N * N * (1 - x * x) * dp * dp)
    return x, w


def debye_heat_capacity_gauss(T, V=1e-3, rho=6.022e28, theta_D=428.0, N=20):
    # Newman's exercise 5.9: Gaussian quadrature over an array of temperatures
    kB = 1.380649e-23
    x, w = gaussxw(N)
    b = theta_D / T[:, None]
    xp = 0.5 * b * x + 0.5 * b
    wp = 0.5 * b * w
    f = xp ** 4 * np.exp(xp) / (np.exp(xp) - 1) ** 2
    return 9 * V * rho * kB * (T / theta_D) ** 3 * np.sum(wp * f, axis=1)


def _spins(s, n):
    return np.where(_u(s, n, n) < 0.5, -1, 1)


STATMECH = {
    "ising_checkerboard_roll_where": (ising_checkerboard_roll, {"sweeps": 8}, lambda s, n: (
        _spins(s, n), 0.4 + 0.05 * s, np.random.default_rng(s))),
    "ising_checkerboard_inplace_argument": (ising_checkerboard_inplace, {"n_sweeps": 6},
                                            lambda s, n: (_spins(s, n), 2.0 + 0.2 * s,
                                                          np.random.default_rng(s))),
    "ising_single_spin_integers": (ising_single_spin_where, {"n_flips": 16}, lambda s, n: (
        _spins(s, n), 0.44, np.random.default_rng(s))),
    "ising_energy_roll": (ising_energy, {}, lambda s, n: (_spins(s, n), 1.0, 0.1 * s)),
    "ising_observables_fluctuations": (ising_observables, {}, lambda s, n: (
        -2 + _f(10 * n, seed=s) * 0.1, _f(10 * n, seed=s + 1) * 5, 2.3, n * n)),
    "ising_temperature_scan_stack": (ising_temperature_scan, {"L": 6, "sweeps": 5},
                                     lambda s, n: (np.linspace(1.5, 3.5, n),
                                                   np.random.default_rng(s))),
    "ising_energy_ndimage_wrap": (ising_energy_ndimage, {}, lambda s, n: (_spins(s, n),)),
    "debye_gaussxw_newman": (debye_heat_capacity_gauss, {}, lambda s, n: (
        np.linspace(5, 500, n) + s,)),
    "random_walk_choice_msd": (random_walk_msd, {"n_walkers": 40, "n_steps": 30},
                               lambda s, n: (np.random.default_rng(s),)),
    "lattice_walk_2d_integers": (lattice_walk_2d, {"n_walkers": 30, "n_steps": 30},
                                 lambda s, n: (np.random.default_rng(s),)),
    "random_walk_gaussian_vstack": (random_walk_gaussian_steps, {"n_steps": 40}, lambda s, n: (
        _f(n, seed=s), np.random.default_rng(s))),
    "diffusion_reflecting_walls": (diffusion_particles_reflecting, {"steps": 25}, lambda s, n: (
        _u(s, 10 * n) * 5, 0.5, 0.1, 5.0, np.random.default_rng(s))),
    "self_avoiding_pairwise": (self_avoiding_attempts, {"n_walks": 30, "n_steps": 8},
                               lambda s, n: (np.random.default_rng(s),)),
    "monte_carlo_pi": (monte_carlo_pi, {"n": 2000}, lambda s, n: (np.random.default_rng(s),)),
    "monte_carlo_pi_running_cumsum": (monte_carlo_pi_running, {"n": 400}, lambda s, n: (
        np.random.default_rng(s),)),
    "mc_mean_value_integral": (mc_integral_mean_value, {"n": 800}, lambda s, n: (
        2.0 + 0.5 * s, 0.0, 1.0 + 0.1 * n, np.random.default_rng(s))),
    "mc_hit_or_miss_newman": (mc_hit_or_miss_newman, {"N": 1000}, lambda s, n: (
        np.random.default_rng(s),)),
    "mc_importance_sampling_newman": (mc_importance_sampling, {"N": 1000}, lambda s, n: (
        np.random.default_rng(s),)),
    "mc_hypersphere_gamma": (mc_volume_hypersphere, {"dim": 4, "n": 1000}, lambda s, n: (
        np.random.default_rng(s),)),
    "buffon_needle_python_max": (buffon_needle, {"n": 1000}, lambda s, n: (
        np.random.default_rng(s),)),
    "radioactive_decay_bool_atoms": (radioactive_decay_mc, {"steps": 30}, lambda s, n: (
        50 * n, 0.05, np.random.default_rng(s))),
    "radioactive_decay_binomial_newman": (radioactive_decay_binomial, {"steps": 30},
                                          lambda s, n: (1000 * n, 3.053, 0.5,
                                                        np.random.default_rng(s))),
    "decay_times_inverse_cdf_searchsorted": (decay_times_inverse_transform, {"N": 300},
                                             lambda s, n: (np.random.default_rng(s),)),
    "maxwell_boltzmann_density_hist": (maxwell_boltzmann_hist, {}, lambda s, n: (
        _f(20 * n, 3, seed=s), 1.0)),
    "metropolis_harmonic_where": (metropolis_1d_harmonic, {"n": 30}, lambda s, n: (
        np.zeros(n), 1.0 + 0.1 * s, np.random.default_rng(s))),
    "percolation_occupation_stats": (percolation_occupied_stats, {"L": 8, "trials": 20},
                                     lambda s, n: (0.5 + 0.05 * s * n,
                                                   np.random.default_rng(s))),
}


@pytest.mark.parametrize("name", _names(STATMECH))
def test_statistical_physics_matches_numpy(name):
    """Ising Metropolis by checkerboards, np.roll and single spins with generator arguments,
    observables and temperature scans; random walks, MSD, lattice and self-avoiding walks,
    diffusion; Monte Carlo pi, integrals, importance sampling, Buffon's needle, decay by
    Monte Carlo, Maxwell-Boltzmann histograms, Metropolis sampling, percolation statistics."""
    check_like_numpy(*STATMECH[name])


# ================================================================================= signals


def square_wave_partial_sums(x, n_terms_list=(1, 5, 21)):
    # Fourier partial sums of a square wave, the Gibbs overshoot of each
    out = []
    for N in n_terms_list:
        k = np.arange(1, 2 * N, 2)
        s = 4 / np.pi * np.sum(np.sin(np.outer(k, x)) / k[:, None], axis=0)
        out.append(s)
    S = np.array(out)
    return S, S.max(axis=1) - 1


def sawtooth_series_loop(t, T, n_terms=15):
    # a loop accumulating terms, as the lecture notes write it
    f = np.zeros_like(t)
    w = 2 * np.pi / T
    for n in range(1, n_terms + 1):
        f += (-1) ** (n + 1) * 2 / (n * np.pi) * np.sin(n * w * t)
    return f


def triangle_series_coeffs_trapz(f_samples, x, n_max=6):
    # Fourier coefficients by numerical integration over one period
    L = x[-1] - x[0]
    a0 = np.trapezoid(f_samples, x) * 2 / L
    n = np.arange(1, n_max + 1)[:, None]
    an = 2 / L * np.trapezoid(f_samples * np.cos(2 * np.pi * n * x / L), x, axis=1)
    bn = 2 / L * np.trapezoid(f_samples * np.sin(2 * np.pi * n * x / L), x, axis=1)
    recon = a0 / 2 + np.sum(an[:, None] * np.cos(2 * np.pi * n * x / L)
                            + bn[:, None] * np.sin(2 * np.pi * n * x / L), axis=0)
    return a0, an, bn, recon


def gibbs_overshoot_vs_terms(N_values, n_points=400):
    # the overshoot near the jump as the number of terms grows
    x = np.linspace(1e-3, np.pi / 2, n_points)
    peaks = np.zeros(len(N_values))
    for i, N in enumerate(N_values):
        k = np.arange(1, N + 1)
        s = 4 / np.pi * (np.sin(np.outer(x, 2 * k - 1)) / (2 * k - 1)).sum(axis=1)
        peaks[i] = s.max()
    return peaks, (peaks - 1) / 2


def rfft_spectrum_peak(signal, fs):
    # amplitude spectrum by rfft/rfftfreq, the dominant frequency by argmax
    N = len(signal)
    spec = np.abs(np.fft.rfft(signal)) * 2 / N
    freqs = np.fft.rfftfreq(N, d=1 / fs)
    peak = freqs[np.argmax(spec[1:]) + 1]
    return freqs, spec, peak


def windowed_power_spectrum_db(x, fs):
    # a Hann window, the one-sided power spectral density in dB
    N = x.size
    w = np.hanning(N)
    X = np.fft.rfft(x * w)
    psd = (np.abs(X) ** 2) / (fs * np.sum(w ** 2))
    psd[1:-1] *= 2
    return np.fft.rfftfreq(N, 1 / fs), 10 * np.log10(psd + 1e-20)


def fft_full_shifted(x, dt):
    # the two-sided spectrum centred by fftshift
    X = np.fft.fftshift(np.fft.fft(x))
    f = np.fft.fftshift(np.fft.fftfreq(len(x), dt))
    return f, np.abs(X) / len(x), np.angle(X)


def damped_oscillator_spectrum(t, omega0, gamma):
    # a damped oscillation's spectrum, the half-maximum width as a count of bins
    x = np.exp(-gamma * t) * np.cos(omega0 * t)
    dt = t[1] - t[0]
    P = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(len(t), dt)
    above = P >= 0.5 * P.max()
    return f[np.argmax(P)] * 2 * np.pi, above.sum() * (f[1] - f[0])


def beats_envelope(t, f1, f2):
    x = np.sin(2 * np.pi * f1 * t) + np.sin(2 * np.pi * f2 * t)
    envelope = np.abs(2 * np.cos(np.pi * (f1 - f2) * t))
    X = np.abs(np.fft.rfft(x))
    top2 = np.sort(np.argsort(X)[-2:])
    return x, envelope, top2


def fft_lowpass_filter(x, dt, f_cut):
    # zeroing the high frequencies of the rfft and inverting
    X = np.fft.rfft(x)
    f = np.fft.rfftfreq(x.size, dt)
    X[f > f_cut] = 0
    return np.fft.irfft(X, n=x.size)


def parseval_check(x):
    X = np.fft.fft(x)
    return np.sum(np.abs(x) ** 2), np.sum(np.abs(X) ** 2) / len(x)


def autocorrelation_fft(x):
    # the autocorrelation by zero-padded FFT, normalised at lag zero
    n = len(x)
    x = x - x.mean()
    F = np.fft.fft(x, n=2 * n)
    acf = np.fft.ifft(F * np.conj(F))[:n].real
    return acf / acf[0]


def dft_by_matrix(x):
    # the DFT as a matrix product, as in the lecture on the FFT, against np.fft.fft
    N = len(x)
    n = np.arange(N)
    k = n.reshape((N, 1))
    M = np.exp(-2j * np.pi * k * n / N)
    X = M @ x
    return X, np.max(np.abs(X - np.fft.fft(x)))


def period_zero_crossings(t, x):
    # the period from the upward zero crossings found by np.nonzero
    idx = np.nonzero((x[:-1] < 0) & (x[1:] >= 0))[0]
    return np.mean(np.diff(t[idx]))


def _signal(s, n, fs=100.0):
    t = np.arange(16 * n) / fs
    return np.sin(2 * np.pi * (5 + s) * t) + 0.5 * np.sin(2 * np.pi * 20 * t) \
        + 0.1 * _f(16 * n, seed=s)


SIGNALS = {
    "square_wave_partial_sums_gibbs": (square_wave_partial_sums, {}, lambda s, n: (
        np.linspace(-np.pi, np.pi, 20 * n) + 0.01 * s,)),
    "sawtooth_series_loop": (sawtooth_series_loop, {"n_terms": 15}, lambda s, n: (
        np.linspace(0, 4, 20 * n), 2.0 + 0.1 * s)),
    "fourier_coeffs_trapezoid": (triangle_series_coeffs_trapz, {"n_max": 5}, lambda s, n: (
        1 - np.abs(np.linspace(-1, 1, 20 * n)) * (1 + 0.1 * s), np.linspace(-1, 1, 20 * n))),
    "rfft_spectrum_peak_argmax": (rfft_spectrum_peak, {}, lambda s, n: (_signal(s, n), 100.0)),
    "windowed_psd_hanning_db": (windowed_power_spectrum_db, {}, lambda s, n: (
        _signal(s, n), 100.0)),
    "fft_fftshift_amplitude_phase": (fft_full_shifted, {}, lambda s, n: (
        _signal(s, n), 0.01)),
    "damped_oscillator_spectrum_width": (damped_oscillator_spectrum, {}, lambda s, n: (
        np.linspace(0, 40, 32 * n), 3.0 + 0.1 * s, 0.2)),
    "beats_envelope_top_two_bins": (beats_envelope, {}, lambda s, n: (
        np.arange(64 * n) / 64, 10.0 + s, 12.0)),
    "fft_lowpass_mask_write": (fft_lowpass_filter, {}, lambda s, n: (_signal(s, n), 0.01,
                                                                     10.0)),
    "parseval_check": (parseval_check, {}, lambda s, n: (_signal(s, n),)),
    "autocorrelation_zero_padded_fft": (autocorrelation_fft, {}, lambda s, n: (
        _signal(s, n),)),
    "dft_matrix_vs_fft": (dft_by_matrix, {}, lambda s, n: (_signal(s, n),)),
    "period_zero_crossings_nonzero_mean": (period_zero_crossings, {}, lambda s, n: (
        np.linspace(0, 20, 100 * n), np.sin((1.0 + 0.1 * s) * np.linspace(0, 20, 100 * n)))),
}


@pytest.mark.parametrize("name", _names(SIGNALS))
def test_signals_match_numpy(name):
    """Fourier partial sums and the Gibbs overshoot, coefficients by np.trapezoid, spectra by
    rfft/rfftfreq with windows and fftshift, peak frequencies, beats, low-pass filters,
    Parseval, autocorrelation by FFT and the DFT as a matrix."""
    check_like_numpy(*SIGNALS[name])


# -------------------------------------------------------------- Python scalars that steer


def projectile_steps_positional(v0, angle_deg, b, dt, n_steps):
    return projectile_drag_euler(v0, angle_deg, b, dt, n_steps)


def projectile_t_max(v0, angle, b, t_max, dt):
    # the step count from the flight time and the step: int(t_max / dt)
    n = int(t_max / dt)
    return projectile_landing_interp(v0, angle, b, dt, n)


def heat_nt_positional(u0, r, nt):
    return heat_ftcs_slices(u0, r, nt)


def laplace_iterations_positional(phi, n_iter):
    return laplace_jacobi(phi, n_iter)


def ising_seeded_inside(L, beta, sweeps, seed):
    # a fresh lattice and generator from a seed, as a script's main() does
    rng = np.random.default_rng(seed)
    spins = rng.choice([-1, 1], size=(L, L))
    return ising_checkerboard_roll(spins, beta, rng, sweeps)


def mc_pi_seed(n, seed):
    return monte_carlo_pi(np.random.default_rng(seed), n)


def random_walk_counts(n_walkers, n_steps, seed=0):
    np.random.seed(seed)
    steps = 2 * np.random.randint(0, 2, size=(n_walkers, n_steps)) - 1
    x = steps.cumsum(axis=1)
    return (x ** 2).mean(axis=0)


def hermite_n_positional(x, n):
    return ho_wavefunction_eval_hermite(n, x) * hermite_recursion(x, n)[n]


def box_states_positional(x, L, n_states):
    return particle_in_box(x, L, n_states)


def split_step_t_max(psi0, x, V, t_max, dt):
    return split_step_fourier(psi0, x, V, dt, int(round(t_max / dt)))


def bifurcation_counts(r, n_transient, n_keep):
    return logistic_bifurcation(r, 0.5, n_transient, n_keep)


def string_grid_positional(pluck_at, n, nt):
    return plucked_string(pluck_at, n, nt)


def linspace_grid_heat(L, nx, alpha, t_end, dt):
    # grid from Python scalars: dx = L / (nx - 1), steps = int(t_end / dt)
    x = np.linspace(0, L, nx)
    u = np.sin(np.pi * x / L)
    dx = x[1] - x[0]
    r = alpha * dt / dx ** 2
    for _ in range(int(t_end / dt)):
        u[1:-1] = u[1:-1] + r * (u[2:] - 2 * u[1:-1] + u[:-2])
    exact = np.exp(-alpha * (np.pi / L) ** 2 * t_end) * np.sin(np.pi * x / L)
    return u, np.max(np.abs(u - exact))


def projectile_flight_python_floats(v0, angle, b, dt):
    # the `while y >= 0` flight of Python floats: every value is known while tracing
    return projectile_while_above_ground(v0, angle, b, dt)


STEERED = {
    # SciPy builds the sparse matrices from `r`: a Python float that is made static
    "crank_nicolson_sparse_spsolve": (crank_nicolson_sparse, lambda s: (
        _bump(s, 16), 1.0 + 0.1 * s)),
    "projectile_n_steps": (projectile_steps_positional, lambda s: (
        20.0, 45.0, 0.01, 0.05, 8 * s)),
    "projectile_int_t_max_over_dt": (projectile_t_max, lambda s: (
        20.0, 0.8, 0.005, 1.0 + s, 0.1)),
    "heat_nt": (heat_nt_positional, lambda s: (_bump(s, 20), 0.4, 8 * s)),
    "laplace_iterations": (laplace_iterations_positional, lambda s: (_plate(s, 5), 8 * s)),
    "ising_lattice_size_sweeps_seed": (ising_seeded_inside, lambda s: (
        4 + 2 * s, 0.44, 2 * s, 10 + s)),
    "mc_pi_sample_count_seed": (mc_pi_seed, lambda s: (500 * s, s)),
    "random_walk_legacy_seed": (random_walk_counts, lambda s: (10 * s, 20, s)),
    "hermite_order": (hermite_n_positional, lambda s: (np.linspace(-3, 3, 15), 2 + s)),
    "box_state_count": (box_states_positional, lambda s: (np.linspace(0, 2, 11), 2.0, 2 * s)),
    "split_step_t_max": (split_step_t_max, lambda s: (
        gaussian_wavepacket(_grid(0, 4), -1.0, 0.5, 2.0), _grid(0, 4),
        0.5 * _grid(0, 4) ** 2, 0.06 * s, 0.01)),
    "bifurcation_transient_keep": (bifurcation_counts, lambda s: (
        np.linspace(2.8, 4.0, 12), 6 * s, 4 * s)),
    "plucked_string_grid": (string_grid_positional, lambda s: (0.3, 11 + 10 * s, 8 * s)),
    "heat_grid_from_scalars": (linspace_grid_heat, lambda s: (1.0, 11 + 5 * s, 0.1, 0.2, 0.01)),
    "gibbs_overshoot_list_of_terms": (gibbs_overshoot_vs_terms, lambda s: (
        [1, 3, 10 + s, 20 + 2 * s],)),
    "projectile_while_python_float_v0": (projectile_flight_python_floats, lambda s: (
        10.0 + s, 0.7, 0.01, 0.05)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Step counts, iteration counts, `int(t_max / dt)`, lattice sizes and seeds of generators
    made inside, Hermite orders, state counts, grid sizes and lists of term counts: made
    static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def projectile_while_above_ground(v0, angle, b=0.01, dt=0.01):
    # the usual flight loop: until the projectile hits the ground
    x, y = 0.0, 0.0
    vx, vy = v0 * np.cos(angle), v0 * np.sin(angle)
    xs, ys = [x], [y]
    while y >= 0:
        v = np.sqrt(vx ** 2 + vy ** 2)
        vx -= b * v * vx * dt
        vy -= (g + b * v * vy) * dt
        x += vx * dt
        y += vy * dt
        xs.append(x)
        ys.append(y)
    return np.array(xs), np.array(ys)


def landing_index_where(x, y):
    # the first index below ground by np.where(...)[0][0], then the trajectory up to it
    idx = np.where(y < 0)[0][0]
    return x[:idx], y[:idx]


def poincare_selection(theta, omega, t, period):
    # the strobe points by a boolean selection: as many as the mask picks
    mask = np.abs(np.mod(t, period)) < 1e-2
    return theta[mask], omega[mask]


def ising_metropolis_if(spins, beta, rng, n_flips=50):
    # the textbook single-spin flip with a Python if on the draw
    L = spins.shape[0]
    for _ in range(n_flips):
        i, j = rng.integers(0, L, 2)
        nb = spins[(i + 1) % L, j] + spins[i, (j + 1) % L] + spins[i - 1, j] + spins[i, j - 1]
        dE = 2 * spins[i, j] * nb
        if dE <= 0 or rng.random() < np.exp(-beta * dE):
            spins[i, j] *= -1
    return spins


def jacobi_tolerance(phi, tol=1e-4):
    # Newman's while delta > target
    delta = 1.0
    while delta > tol:
        new = phi.copy()
        new[1:-1, 1:-1] = 0.25 * (phi[2:, 1:-1] + phi[:-2, 1:-1] + phi[1:-1, 2:]
                                  + phi[1:-1, :-2])
        delta = np.max(np.abs(new - phi))
        phi = new
    return phi


def shooting_secant(V0, a, E1=0.0, E2=5.0, tol=1e-6):
    # Newman's secant search for the ground state energy
    psi2 = rk4_shoot_schrodinger(E1, V0, a)
    psi3 = rk4_shoot_schrodinger(E2, V0, a)
    while abs(E1 - E2) > tol:
        psi1, psi2 = psi2, psi3
        E1, E2 = E2, E2 - psi2 * (E2 - E1) / (psi2 - psi1)
        psi3 = rk4_shoot_schrodinger(E2, V0, a)
    return E2


def random_walk_until_exit(L, rng):
    # a walker until it leaves [-L, L]: the number of steps
    x = 0
    n = 0
    while abs(x) < L:
        x += rng.choice([-1, 1])
        n += 1
    return n


def attractor_points_unique(r, n_transient=100, n_keep=50):
    # the distinct points of the attractor, for the bifurcation plot's period count
    x = 0.5
    for _ in range(n_transient):
        x = r * x * (1 - x)
    pts = []
    for _ in range(n_keep):
        x = r * x * (1 - x)
        pts.append(x)
    return np.unique(np.round(pts, 6))


def mc_pi_python_loop(rng, n=200):
    # the first-week loop: one point at a time with an if
    count = 0
    for _ in range(n):
        x, y = rng.random(), rng.random()
        if x * x + y * y <= 1:
            count += 1
    return 4 * count / n


def adaptive_rk_step(y, h, tol=1e-6):
    # step doubling: accept or halve the step by an if on the error estimate
    f = lambda y: np.array([y[1], -np.sin(y[0])])

    def rk4(y, h):
        k1 = f(y)
        k2 = f(y + h / 2 * k1)
        k3 = f(y + h / 2 * k2)
        k4 = f(y + h * k3)
        return y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    big = rk4(y, 2 * h)
    small = rk4(rk4(y, h), h)
    err = np.linalg.norm(small - big) / 30
    if err < tol:
        return small, 2 * h
    return y, h / 2


def decay_until_half(N0, p, rng):
    # Monte Carlo decay until half the atoms are gone: the half-life in steps
    N = N0
    steps = 0
    while N > N0 / 2:
        N -= rng.binomial(N, p)
        steps += 1
    return steps


def energy_levels_bisection(V, dx, E_lo, E_hi, n_bisect=30):
    # the number of nodes by a Python if decides the bracket
    for _ in range(n_bisect):
        E = 0.5 * (E_lo + E_hi)
        psi = np.zeros(len(V))
        psi[1] = 1e-3
        for i in range(1, len(V) - 1):
            psi[i + 1] = 2 * psi[i] - psi[i - 1] + 2 * dx ** 2 * (V[i] - E) * psi[i]
        if psi[-1] > 0:
            E_lo = E
        else:
            E_hi = E
    return E


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "projectile_while_y_above_ground": (_Concretization, projectile_while_above_ground,
                                        lambda s: (np.array(15.0 + s), 0.7)),
    "landing_index_where_0_0": (_DataDependent, landing_index_where, lambda s: (
        *projectile_lists(15.0 + s, 0.7, 0.1, 1.0, 0.05, 80),)),
    "poincare_boolean_selection": (_DataDependent, poincare_selection, lambda s: (
        _f(200, seed=s), _f(200, seed=s + 1), np.arange(200) * 0.05 * s, 3 * np.pi)),
    "ising_metropolis_python_if": (_Concretization, ising_metropolis_if, lambda s: (
        _spins(s, 6), 0.44, np.random.default_rng(s))),
    "jacobi_while_delta_tolerance": (_Concretization, jacobi_tolerance, lambda s: (
        _plate(s, 5),)),
    "shooting_secant_while": (_Concretization, shooting_secant, lambda s: (
        np.array(20.0 + s), 1.0)),
    "random_walk_until_exit": (_Concretization, random_walk_until_exit, lambda s: (
        5, np.random.default_rng(s))),
    "attractor_points_np_unique": (_DataDependent, attractor_points_unique, lambda s: (
        np.float64(3.2 + 0.2 * s),)),
    "mc_pi_python_loop_if": (_Concretization, mc_pi_python_loop, lambda s: (
        np.random.default_rng(s),)),
    "adaptive_step_doubling_if": (_Concretization, adaptive_rk_step, lambda s: (
        np.array([0.5 * s, 0.0]), 0.1)),
    "decay_until_half_while": (_Concretization, decay_until_half, lambda s: (
        np.int64(100), 0.05 * s, np.random.default_rng(s))),
    "energy_bisection_node_if": (_Concretization, energy_levels_bisection, lambda s: (
        0.5 * np.linspace(-4, 4, 30) ** 2, 8 / 29, 0.0, 1.0 + s)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Flight loops `while y >= 0`, the landing index by `np.where(...)[0][0]`, Poincare points
    by a boolean selection, Metropolis `if` on a draw, tolerance loops of Jacobi and the
    secant shooting method, walks until they exit, the attractor's `np.unique` points, zero
    a point-by-point pi loop, adaptive steps, decay until half
    and eigenvalue bisection by `if`: the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
