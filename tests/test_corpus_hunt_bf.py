"""Corpus, hunt BF: computational fluid dynamics and PDE solvers beyond the basics, as CFD
course notebooks (Barba's CFD Python and its sequels), lattice-Boltzmann blog posts, shallow-water
and SPH tutorials, spectral-methods companions (Kassam-Trefethen, Trefethen's "Spectral Methods
in MATLAB" ported to NumPy) and research scripts write them.

Lattice Boltzmann (Mocz's D2Q9 cylinder with drift by two `np.roll`s per direction from
`zip` over module-global velocity arrays, bounce-back by a boolean-mask selection permuted by a
column list and written back, the cylinder as an argument and made inside from `meshgrid`;
equilibria by `einsum` and `tensordot` over the velocity set, macroscopic moments by `np.dot`,
streaming by a loop of tuple-shift rolls and by a list, bounce-back by fancy writes with an
opposite-index array and by `np.where`, Zou-He velocity inlets and pressure outlets by fancy
row lists, Palabos' cylinder tutorial, a lid-driven cavity with halfway bounce-back, Guo forcing
in a channel, MRT by a transform matrix and its inverse, vorticity by `np.gradient`, a float32
lattice); shallow water (Lax-Friedrichs in 1-D and 2-D with reflective walls by slices and sign
flips, Richtmyer Lax-Wendroff on a state array, a Rusanov dam break with a CFL step, a
linearised C-grid with Coriolis by `np.roll`, HLL with `np.pad` ghosts, a bed-slope source,
conservation histories into a dict); SPH (Mocz's Gaussian-kernel star with pairwise
separations by reshapes, Monaghan's cubic spline by nested `np.where`, Muller's poly6/spiky/
viscosity kernels, Wendland C2, Tait's EOS, artificial viscosity by `einsum`, a per-particle
density loop, Shepard filtering and XSPH); incompressible flow (CFD Python's cavity flow,
channel flow with periodic columns written out and 2-D Burgers, a periodic projection step with
the pressure Poisson equation by `fft2`, Mocz's spectral vorticity solver with a dealiasing
mask, Poisson by `rfft2` with a masked divide, Jacobi and red-black SOR with a fixed sweep
count, vorticity-streamfunction cavity with Thom's walls, MAC divergence and pressure
correction, Stam's semi-Lagrangian advection by floor indices); spectral solvers
(Kassam-Trefethen ETDRK4 for Kuramoto-Sivashinsky with contour-integral coefficients from
`np.tile` and by broadcasting, RK4 and integrating-factor Burgers, split-step KdV, soliton
residuals, Chebyshev differentiation matrices and a Chebyshev Poisson solve, the exact spectral
heat solution in float32, shell-averaged energy spectra by `bincount`, Kolmogorov forcing);
multigrid (V-cycles with fixed levels by recursion, full-weighting restriction by strided
slices, bilinear prolongation by strided writes, cell-centred restriction by reshape means and
prolongation by `np.repeat` and `np.kron`, a periodic two-grid cycle, a 1-D V-cycle by
`np.interp`); finite volumes (minmod, superbee, van Leer, MC and van Albada limiters picked from
a dict by name, MUSCL with `np.concatenate` ghosts, Godunov and Engquist-Osher Burgers, the Sod
tube by Lax-Friedrichs with a CFL step, HLL, HLLC, Roe with Harten's fix and an `einsum` over
eigenvectors, MUSCL-Roe with `np.pad`, SSP-RK2 Rusanov, WENO5 with SSP-RK3, total variation,
dimensional splitting); advection-diffusion (upwinding by `np.where` and by split velocities,
Crank-Nicolson by dense `np.diag` matrices and by `solve_banded`, Peaceman-Rachford ADI by
`solve_banded` on all lines at once and by a Python Thomas solver per line, implicit upwind by
a bidiagonal band, hybrid and power-law coefficients by `np.maximum.reduce`, semi-Lagrangian
`np.interp(period=)`, Gray-Scott with a 9-point Laplacian, float32 stencils, Neumann ghosts by
`np.pad`, heated masks); and diagnostics (energy, enstrophy, palinstrophy and divergence norms
into a dict, the Q criterion, a streamfunction by `cumulative_trapezoid`, 3-D velocity-gradient
invariants, wall shear and boundary-layer thicknesses by `np.trapezoid`, Reynolds stresses, a
CFL report with `unravel_index`, LBM momentum-exchange forces by a Python `sum` over links).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Grid sizes, step counts, V-cycle levels and spectral
orders given as Python ints are made static; the forms whose Python or shapes depend on array
values (time loops `while t < t_end` with a CFL step, convergence loops on a residual or on
`np.allclose`, the obstacle's boundary nodes by `np.argwhere`, the shock position by
`np.nonzero`, adaptive step rejection by `if`, wet cells of a drying front) raise a named error
and run eagerly under `fallback=True`.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names, _Xfail

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _pos(seed, *shape, lo=1.0, hi=10.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)

# ============================================================================ lattice Boltzmann

# Mocz's D2Q9 ordering (rest, N, NE, E, SE, S, SW, W, NW), as module globals
NL = 9
IDXS = np.arange(NL)
CXS = np.array([0, 0, 1, 1, 1, 0, -1, -1, -1])
CYS = np.array([0, 1, 1, 0, -1, -1, -1, 0, 1])
WEIGHTS = np.array([4 / 9, 1 / 9, 1 / 36, 1 / 9, 1 / 36, 1 / 9, 1 / 36, 1 / 9, 1 / 36])
REFLECT = [0, 5, 6, 7, 8, 1, 2, 3, 4]

# the textbook ordering (rest, E, N, W, S, NE, NW, SW, SE) with a (9, 2) velocity set
C_D2Q9 = np.array([[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1],
                   [1, 1], [-1, 1], [-1, -1], [1, -1]])
W_D2Q9 = np.array([4 / 9] + [1 / 9] * 4 + [1 / 36] * 4)
OPP_D2Q9 = np.array([0, 3, 4, 1, 2, 7, 8, 5, 6])


def lbm_mocz_cylinder(F, cylinder, tau=0.6, Nt=6):
    # Philip Mocz's blog post: drift by two rolls per direction, bounce-back by a boolean mask
    # and a permuted column list, the equilibrium written direction by direction
    for it in range(Nt):
        for i, cx, cy in zip(IDXS, CXS, CYS):
            F[:, :, i] = np.roll(F[:, :, i], cx, axis=1)
            F[:, :, i] = np.roll(F[:, :, i], cy, axis=0)
        bndryF = F[cylinder, :]
        bndryF = bndryF[:, REFLECT]
        rho = np.sum(F, 2)
        ux = np.sum(F * CXS, 2) / rho
        uy = np.sum(F * CYS, 2) / rho
        Feq = np.zeros(F.shape)
        for i, cx, cy, w in zip(IDXS, CXS, CYS, WEIGHTS):
            Feq[:, :, i] = rho * w * (1 + 3 * (cx * ux + cy * uy) + 9 * (cx * ux + cy * uy) ** 2 / 2
                                      - 3 * (ux ** 2 + uy ** 2) / 2)
        F += -(1.0 / tau) * (F - Feq)
        F[cylinder, :] = bndryF
    ux[cylinder] = 0
    uy[cylinder] = 0
    vorticity = ((np.roll(ux, -1, axis=0) - np.roll(ux, 1, axis=0))
                 - (np.roll(uy, -1, axis=1) - np.roll(uy, 1, axis=1)))
    vorticity[cylinder] = np.nan
    return F, rho, vorticity


def lbm_mocz_cylinder_inside(F, tau=0.6, Nt=5):
    # the same with the cylinder made inside from a meshgrid of the grid's shape
    Ny, Nx = F.shape[:2]
    X, Y = np.meshgrid(range(Nx), range(Ny))
    cylinder = (X - Nx / 4) ** 2 + (Y - Ny / 2) ** 2 < (Ny / 4) ** 2
    for it in range(Nt):
        F[:, -1, [6, 7, 8]] = F[:, -2, [6, 7, 8]]
        F[:, 0, [2, 3, 4]] = F[:, 1, [2, 3, 4]]
        for i, cx, cy in zip(IDXS, CXS, CYS):
            F[:, :, i] = np.roll(F[:, :, i], cx, axis=1)
            F[:, :, i] = np.roll(F[:, :, i], cy, axis=0)
        bndryF = F[cylinder, :]
        bndryF = bndryF[:, REFLECT]
        rho = np.sum(F, 2)
        ux = np.sum(F * CXS, 2) / rho
        uy = np.sum(F * CYS, 2) / rho
        Feq = np.zeros(F.shape)
        for i, cx, cy, w in zip(IDXS, CXS, CYS, WEIGHTS):
            cu = cx * ux + cy * uy
            Feq[:, :, i] = rho * w * (1 + 3 * cu + 9 * cu ** 2 / 2 - 3 * (ux ** 2 + uy ** 2) / 2)
        F += -(1.0 / tau) * (F - Feq)
        F[cylinder, :] = bndryF
    return F, np.sqrt(ux ** 2 + uy ** 2)


def lbm_equilibrium_einsum(rho, u):
    # feq_i = w_i rho (1 + 3 c.u + 9/2 (c.u)^2 - 3/2 u.u), c.u by einsum over the velocity set
    cu = np.einsum("id,dxy->ixy", C_D2Q9, u)
    usq = np.einsum("dxy,dxy->xy", u, u)
    return W_D2Q9[:, None, None] * rho * (1 + 3 * cu + 4.5 * cu ** 2 - 1.5 * usq)


def lbm_equilibrium_tensordot(rho, ux, uy):
    u = np.stack([ux, uy], axis=-1)
    cu = 3.0 * np.tensordot(u, C_D2Q9.T, axes=1)          # (nx, ny, 9)
    usqr = 1.5 * (ux ** 2 + uy ** 2)
    return rho[..., None] * W_D2Q9 * (1.0 + cu + 0.5 * cu ** 2 - usqr[..., None])


def lbm_macroscopic_dot(f):
    # rho and momentum by dot products over the last (velocity) axis
    rho = f.sum(axis=-1)
    u = np.dot(f, C_D2Q9) / rho[..., None]
    return rho, u


def lbm_stream_loop(f):
    # streaming by np.roll of each population along both axes at once
    out = np.empty_like(f)
    for i in range(9):
        out[i] = np.roll(f[i], shift=(C_D2Q9[i, 0], C_D2Q9[i, 1]), axis=(0, 1))
    return out


def lbm_stream_list(f):
    return np.array([np.roll(np.roll(f[i], C_D2Q9[i, 0], axis=0), C_D2Q9[i, 1], axis=1)
                     for i in range(9)])


def lbm_bgk_step_bounce(fin, solid, omega=1.2, steps=4):
    # BGK collide, bounce-back at solids with the opposite index array, stream
    for _ in range(steps):
        rho = fin.sum(axis=0)
        u = np.einsum("id,ixy->dxy", C_D2Q9, fin) / rho
        feq = lbm_equilibrium_einsum(rho, u)
        fout = fin - omega * (fin - feq)
        for i in range(9):
            fout[i, solid] = fin[OPP_D2Q9[i], solid]
        fin = lbm_stream_loop(fout)
    return fin


def lbm_bounce_where(fin, solid, omega=1.0, steps=4):
    # bounce-back written as np.where of the opposite populations
    for _ in range(steps):
        rho = fin.sum(axis=0)
        u = np.einsum("id,ixy->dxy", C_D2Q9, fin) / rho
        fout = fin - omega * (fin - lbm_equilibrium_einsum(rho, u))
        fout = np.where(solid, fin[OPP_D2Q9], fout)
        fin = lbm_stream_list(fout)
    return fin, rho


def lbm_zou_he_inlet(fin, u_in):
    # Zou-He velocity inlet on the left column of the textbook ordering (x first)
    rho = (fin[[0, 2, 4], 0, :].sum(axis=0) + 2 * fin[[3, 6, 7], 0, :].sum(axis=0)) / (1 - u_in)
    fin[1, 0, :] = fin[3, 0, :] + 2 / 3 * rho * u_in
    fin[5, 0, :] = fin[7, 0, :] - 0.5 * (fin[2, 0, :] - fin[4, 0, :]) + rho * u_in / 6
    fin[8, 0, :] = fin[6, 0, :] + 0.5 * (fin[2, 0, :] - fin[4, 0, :]) + rho * u_in / 6
    return fin, rho


def lbm_zou_he_outlet_pressure(fin, rho_out=1.0):
    # pressure outlet on the right column, the velocity from the known populations
    ux = -1 + (fin[[0, 2, 4], -1, :].sum(axis=0) + 2 * fin[[1, 5, 8], -1, :].sum(axis=0)) / rho_out
    fin[3, -1, :] = fin[1, -1, :] - 2 / 3 * rho_out * ux
    fin[7, -1, :] = fin[5, -1, :] + 0.5 * (fin[2, -1, :] - fin[4, -1, :]) - rho_out * ux / 6
    fin[6, -1, :] = fin[8, -1, :] - 0.5 * (fin[2, -1, :] - fin[4, -1, :]) - rho_out * ux / 6
    return fin


# Palabos' cylinder tutorial in Python: v[i] along (x, y), columns by the sign of v[i, 0]
V_PAL = np.array([[1, 1], [1, 0], [1, -1], [0, 1], [0, 0], [0, -1], [-1, 1], [-1, 0], [-1, -1]])
T_PAL = np.array([1 / 36, 1 / 9, 1 / 36, 1 / 9, 4 / 9, 1 / 9, 1 / 36, 1 / 9, 1 / 36])
COL1 = np.array([0, 1, 2])
COL2 = np.array([3, 4, 5])
COL3 = np.array([6, 7, 8])


def pal_macroscopic(fin):
    rho = np.sum(fin, axis=0)
    u = np.zeros((2, fin.shape[1], fin.shape[2]))
    for i in range(9):
        u[0, :, :] += V_PAL[i, 0] * fin[i, :, :]
        u[1, :, :] += V_PAL[i, 1] * fin[i, :, :]
    u /= rho
    return rho, u


def pal_equilibrium(rho, u):
    usqr = 3 / 2 * (u[0] ** 2 + u[1] ** 2)
    feq = np.zeros((9, rho.shape[0], rho.shape[1]))
    for i in range(9):
        cu = 3 * (V_PAL[i, 0] * u[0, :, :] + V_PAL[i, 1] * u[1, :, :])
        feq[i, :, :] = rho * T_PAL[i] * (1 + cu + 0.5 * cu ** 2 - usqr)
    return feq


def palabos_cylinder(fin, vel, obstacle, omega=1.5, steps=3):
    # outflow by copying, inflow by the equilibrium trick, bounce-back, streaming by roll
    nx, ny = fin.shape[1:]
    for time in range(steps):
        fin[COL3, -1, :] = fin[COL3, -2, :]
        rho, u = pal_macroscopic(fin)
        u[:, 0, :] = vel[:, 0, :]
        rho[0, :] = 1 / (1 - u[0, 0, :]) * (np.sum(fin[COL2, 0, :], axis=0)
                                            + 2 * np.sum(fin[COL3, 0, :], axis=0))
        feq = pal_equilibrium(rho, u)
        fin[[0, 1, 2], 0, :] = feq[[0, 1, 2], 0, :] + fin[[8, 7, 6], 0, :] - feq[[8, 7, 6], 0, :]
        fout = fin - omega * (fin - feq)
        for i in range(9):
            fout[i, obstacle] = fin[8 - i, obstacle]
        for i in range(9):
            fin[i, :, :] = np.roll(np.roll(fout[i, :, :], V_PAL[i, 0], axis=0),
                                   V_PAL[i, 1], axis=1)
    return fin, u


def lbm_lid_driven_halfway(f, u_lid=0.1, omega=1.4, steps=4):
    # a lid-driven cavity: halfway bounce-back at three walls, a moving lid on the top row
    for _ in range(steps):
        rho = f.sum(axis=0)
        u = np.einsum("id,ixy->dxy", C_D2Q9, f) / rho
        fpost = f - omega * (f - lbm_equilibrium_einsum(rho, u))
        fs = lbm_stream_loop(fpost)
        # walls at x = 0, x = -1, y = 0 and the lid at y = -1 (textbook ordering)
        fs[1, 0, :] = fpost[3, 0, :]
        fs[5, 0, :] = fpost[7, 0, :]
        fs[8, 0, :] = fpost[6, 0, :]
        fs[3, -1, :] = fpost[1, -1, :]
        fs[7, -1, :] = fpost[5, -1, :]
        fs[6, -1, :] = fpost[8, -1, :]
        fs[2, :, 0] = fpost[4, :, 0]
        fs[5, :, 0] = fpost[7, :, 0]
        fs[6, :, 0] = fpost[8, :, 0]
        rw = rho[:, -1]
        fs[4, :, -1] = fpost[2, :, -1]
        fs[7, :, -1] = fpost[5, :, -1] - 6 * W_D2Q9[5] * rw * u_lid
        fs[8, :, -1] = fpost[6, :, -1] + 6 * W_D2Q9[6] * rw * u_lid
        f = fs
    return f


def lbm_guo_forcing_channel(f, g=1e-5, tau=0.8, steps=4):
    # a body-force-driven channel: Guo's forcing term, walls by top/bottom bounce-back
    cx = C_D2Q9[:, 0][:, None, None]
    cy = C_D2Q9[:, 1][:, None, None]
    w = W_D2Q9[:, None, None]
    for _ in range(steps):
        rho = f.sum(0)
        ux = ((f * cx).sum(0) + 0.5 * g * rho) / rho
        uy = (f * cy).sum(0) / rho
        cu = cx * ux + cy * uy
        feq = w * rho * (1 + 3 * cu + 4.5 * cu ** 2 - 1.5 * (ux ** 2 + uy ** 2))
        Fi = (1 - 0.5 / tau) * w * (3 * (cx - ux) + 9 * cu * cx) * rho * g
        f = f - (f - feq) / tau + Fi
        f = lbm_stream_loop(f)
        top = f[:, :, -1].copy()
        bot = f[:, :, 0].copy()
        f[:, :, -1] = top[OPP_D2Q9]
        f[:, :, 0] = bot[OPP_D2Q9]
    return f, ux.mean(axis=0)


def lbm_mrt_moments(f):
    # MRT: moments by the Lallemand-Luo transform matrix, relaxed, and back by inv
    M = np.array([[1, 1, 1, 1, 1, 1, 1, 1, 1],
                  [-4, -1, -1, -1, -1, 2, 2, 2, 2],
                  [4, -2, -2, -2, -2, 1, 1, 1, 1],
                  [0, 1, 0, -1, 0, 1, -1, -1, 1],
                  [0, -2, 0, 2, 0, 1, -1, -1, 1],
                  [0, 0, 1, 0, -1, 1, 1, -1, -1],
                  [0, 0, -2, 0, 2, 1, 1, -1, -1],
                  [0, 1, -1, 1, -1, 0, 0, 0, 0],
                  [0, 0, 0, 0, 0, 1, -1, 1, -1]], dtype=float)
    S = np.diag([0, 1.4, 1.4, 0, 1.2, 0, 1.2, 1.0, 1.0])
    m = np.einsum("ij,jxy->ixy", M, f)
    rho = m[0]
    jx, jy = m[3], m[5]
    meq = np.stack([rho, -2 * rho + 3 * (jx ** 2 + jy ** 2) / rho,
                    rho - 3 * (jx ** 2 + jy ** 2) / rho, jx, -jx, jy, -jy,
                    (jx ** 2 - jy ** 2) / rho, jx * jy / rho])
    m_post = m - np.einsum("ij,jxy->ixy", S, m - meq)
    return np.einsum("ij,jxy->ixy", np.linalg.inv(M), m_post)


def lbm_vorticity_gradient(ux, uy, dx=1.0):
    # vorticity by np.gradient, and the curl's L2 norm
    duy_dx = np.gradient(uy, dx, axis=0)
    dux_dy = np.gradient(ux, dx, axis=1)
    w = duy_dx - dux_dy
    return w, np.sqrt(np.mean(w ** 2))


def lbm_float32_step(f, omega=np.float32(1.2)):
    # a float32 lattice: the weights cast once, everything kept in single precision
    w = W_D2Q9.astype(np.float32)
    c = C_D2Q9.astype(np.float32)
    rho = f.sum(axis=0)
    u = np.tensordot(c.T, f, axes=(1, 0)) / rho
    cu = np.tensordot(c, u, axes=(1, 0))
    feq = w[:, None, None] * rho * (1 + 3 * cu + 4.5 * cu ** 2 - 1.5 * (u ** 2).sum(axis=0))
    return f + omega * (feq - f)
# ============================================================================ shallow water


def sw_lax_friedrichs_1d(h, hu, dx, dt, g=9.81, steps=10):
    # 1-D shallow water, Lax-Friedrichs on the interior, reflective walls by copying slices
    for _ in range(steps):
        u = hu / h
        F1 = hu
        F2 = hu * u + 0.5 * g * h ** 2
        hn = h.copy()
        hun = hu.copy()
        hn[1:-1] = 0.5 * (h[2:] + h[:-2]) - dt / (2 * dx) * (F1[2:] - F1[:-2])
        hun[1:-1] = 0.5 * (hu[2:] + hu[:-2]) - dt / (2 * dx) * (F2[2:] - F2[:-2])
        hn[0], hn[-1] = hn[1], hn[-2]
        hun[0], hun[-1] = -hun[1], -hun[-2]
        h, hu = hn, hun
    return h, hu


def sw_lax_wendroff_1d_state(U, dx, dt, g=9.81, steps=8):
    # Richtmyer two-step Lax-Wendroff on a (2, n) state, the flux as a helper returning a stack
    def flux(U):
        h, hu = U
        return np.array([hu, hu ** 2 / h + 0.5 * g * h ** 2])

    for _ in range(steps):
        F = flux(U)
        Uh = 0.5 * (U[:, 1:] + U[:, :-1]) - 0.5 * dt / dx * (F[:, 1:] - F[:, :-1])
        Fh = flux(Uh)
        U[:, 1:-1] = U[:, 1:-1] - dt / dx * (Fh[:, 1:] - Fh[:, :-1])
        U[:, 0] = U[:, 1] * np.array([1, -1])
        U[:, -1] = U[:, -2] * np.array([1, -1])
    return U


def sw_dam_break_rusanov(h, hu, dx, g=9.81, cfl=0.4, steps=10):
    # a dam break by a Rusanov (local Lax-Friedrichs) flux with a CFL time step each step
    t = 0.0
    for _ in range(steps):
        u = hu / h
        c = np.sqrt(g * h)
        dt = cfl * dx / np.max(np.abs(u) + c)
        hL, hR = h[:-1], h[1:]
        qL, qR = hu[:-1], hu[1:]
        fL = np.array([qL, qL ** 2 / hL + 0.5 * g * hL ** 2])
        fR = np.array([qR, qR ** 2 / hR + 0.5 * g * hR ** 2])
        a = np.maximum(np.abs(u[:-1]) + c[:-1], np.abs(u[1:]) + c[1:])
        Fhat = 0.5 * (fL + fR) - 0.5 * a * np.array([hR - hL, qR - qL])
        h[1:-1] -= dt / dx * (Fhat[0, 1:] - Fhat[0, :-1])
        hu[1:-1] -= dt / dx * (Fhat[1, 1:] - Fhat[1, :-1])
        t += dt
    return h, hu, t


def sw_lax_friedrichs_2d(h, u, v, dx, dt, g=9.81, steps=6):
    # 2-D shallow water on conserved variables, neighbours by slices, reflective walls
    hu, hv = h * u, h * v
    for _ in range(steps):
        U = np.stack([h, hu, hv])
        F = np.stack([hu, hu ** 2 / h + 0.5 * g * h ** 2, hu * hv / h])
        G = np.stack([hv, hu * hv / h, hv ** 2 / h + 0.5 * g * h ** 2])
        Un = U.copy()
        Un[:, 1:-1, 1:-1] = (0.25 * (U[:, 2:, 1:-1] + U[:, :-2, 1:-1] + U[:, 1:-1, 2:]
                                     + U[:, 1:-1, :-2])
                             - dt / (2 * dx) * (F[:, 2:, 1:-1] - F[:, :-2, 1:-1])
                             - dt / (2 * dx) * (G[:, 1:-1, 2:] - G[:, 1:-1, :-2]))
        Un[:, 0, :] = Un[:, 1, :]
        Un[:, -1, :] = Un[:, -2, :]
        Un[:, :, 0] = Un[:, :, 1]
        Un[:, :, -1] = Un[:, :, -2]
        Un[1, 0, :] *= -1
        Un[1, -1, :] *= -1
        Un[2, :, 0] *= -1
        Un[2, :, -1] *= -1
        h, hu, hv = Un
    return h, hu / h, hv / h


def sw_linearised_roll(eta, u, v, H, dx, dt, g=9.81, f0=1e-4, steps=10):
    # linearised shallow water with Coriolis on a periodic C-grid by np.roll (forward-backward)
    for _ in range(steps):
        u = u - dt * g * (np.roll(eta, -1, axis=1) - eta) / dx + dt * f0 * v
        v = v - dt * g * (np.roll(eta, -1, axis=0) - eta) / dx - dt * f0 * u
        div = (u - np.roll(u, 1, axis=1)) / dx + (v - np.roll(v, 1, axis=0)) / dx
        eta = eta - dt * H * div
    energy = 0.5 * np.sum(H * (u ** 2 + v ** 2) + g * eta ** 2) * dx ** 2
    return eta, u, v, energy


def sw_wave_2d_leapfrog(eta_prev, eta, c, dx, dt, steps=8):
    # the wave-equation form: leapfrog in time, the Laplacian by interior slices, fixed walls
    r2 = (c * dt / dx) ** 2
    for n in range(steps):
        eta_next = np.zeros_like(eta)
        eta_next[1:-1, 1:-1] = (2 * eta[1:-1, 1:-1] - eta_prev[1:-1, 1:-1]
                                + r2 * (eta[2:, 1:-1] + eta[:-2, 1:-1] + eta[1:-1, 2:]
                                        + eta[1:-1, :-2] - 4 * eta[1:-1, 1:-1]))
        eta_prev, eta = eta, eta_next
    return eta


def sw_hll_flux(hL, huL, hR, huR, g=9.81):
    # HLL flux for shallow water with Davis wave-speed estimates
    uL, uR = huL / hL, huR / hR
    cL, cR = np.sqrt(g * hL), np.sqrt(g * hR)
    SL = np.minimum(uL - cL, uR - cR)
    SR = np.maximum(uL + cL, uR + cR)
    FL = np.array([huL, huL * uL + 0.5 * g * hL ** 2])
    FR = np.array([huR, huR * uR + 0.5 * g * hR ** 2])
    UL = np.array([hL, huL])
    UR = np.array([hR, huR])
    Fhll = (SR * FL - SL * FR + SL * SR * (UR - UL)) / (SR - SL)
    return np.where(SL >= 0, FL, np.where(SR <= 0, FR, Fhll))


def sw_hll_fv(h, hu, dx, dt, steps=6):
    # a finite-volume solver with the HLL flux and transmissive ghost cells by np.pad
    for _ in range(steps):
        hp = np.pad(h, 1, mode="edge")
        hup = np.pad(hu, 1, mode="edge")
        F = sw_hll_flux(hp[:-1], hup[:-1], hp[1:], hup[1:])
        h = h - dt / dx * (F[0, 1:] - F[0, :-1])
        hu = hu - dt / dx * (F[1, 1:] - F[1, :-1])
    return h, hu


def sw_bathymetry_source(h, hu, b, dx, dt, g=9.81, steps=6):
    # well-balanced-ish: the bed slope as a source term by central differences of b
    dbdx = np.zeros_like(b)
    dbdx[1:-1] = (b[2:] - b[:-2]) / (2 * dx)
    for _ in range(steps):
        u = hu / h
        flux_h = hu
        flux_hu = hu * u + 0.5 * g * h ** 2
        h_new = h.copy()
        hu_new = hu.copy()
        h_new[1:-1] = 0.5 * (h[:-2] + h[2:]) - 0.5 * dt / dx * (flux_h[2:] - flux_h[:-2])
        hu_new[1:-1] = (0.5 * (hu[:-2] + hu[2:]) - 0.5 * dt / dx * (flux_hu[2:] - flux_hu[:-2])
                        - dt * g * h[1:-1] * dbdx[1:-1])
        h_new[[0, -1]] = h_new[[1, -2]]
        hu_new[[0, -1]] = -hu_new[[1, -2]]
        h, hu = h_new, hu_new
    return h + b, hu


def sw_mass_momentum_history(h, hu, dx, dt, g=9.81, steps=8):
    # the conservation diagnostics a notebook plots: total mass and momentum per step
    mass = np.zeros(steps + 1)
    mom = np.zeros(steps + 1)
    mass[0], mom[0] = h.sum() * dx, hu.sum() * dx
    for k in range(steps):
        F = np.vstack([hu, hu ** 2 / h + 0.5 * g * h ** 2])
        U = np.vstack([h, hu])
        Up = np.roll(U, -1, axis=1)
        Um = np.roll(U, 1, axis=1)
        U = 0.5 * (Up + Um) - dt / (2 * dx) * (np.roll(F, -1, axis=1) - np.roll(F, 1, axis=1))
        h, hu = U[0], U[1]
        mass[k + 1] = h.sum() * dx
        mom[k + 1] = hu.sum() * dx
    return {"h": h, "mass": mass, "momentum": mom}
# ================================================================================ SPH


def W_gauss(x, y, z, h):
    # Mocz's SPH: the 3-D Gaussian kernel and its gradient, pairwise by broadcasting
    r = np.sqrt(x ** 2 + y ** 2 + z ** 2)
    return (1.0 / (h * np.sqrt(np.pi))) ** 3 * np.exp(-r ** 2 / h ** 2)


def gradW_gauss(x, y, z, h):
    r = np.sqrt(x ** 2 + y ** 2 + z ** 2)
    n = -2 * np.exp(-r ** 2 / h ** 2) / h ** 5 / (np.pi) ** (3 / 2)
    return n * x, n * y, n * z


def getPairwiseSeparations(ri, rj):
    M = ri.shape[0]
    N = rj.shape[0]
    rix = ri[:, 0].reshape((M, 1))
    riy = ri[:, 1].reshape((M, 1))
    riz = ri[:, 2].reshape((M, 1))
    rjx = rj[:, 0].reshape((N, 1))
    rjy = rj[:, 1].reshape((N, 1))
    rjz = rj[:, 2].reshape((N, 1))
    return rix - rjx.T, riy - rjy.T, riz - rjz.T


def sph_mocz_acc(pos, vel, m, h, k, n, lmbda, nu):
    # getAcc from Mocz's "create your own SPH" star: density, polytropic pressure, gravity
    N = pos.shape[0]
    dx, dy, dz = getPairwiseSeparations(pos, pos)
    rho = np.sum(m * W_gauss(dx, dy, dz, h), 1).reshape((-1, 1))
    P = k * rho ** (1 + 1 / n)
    dWx, dWy, dWz = gradW_gauss(dx, dy, dz, h)
    ax = -np.sum(m * (P / rho ** 2 + P.T / rho.T ** 2) * dWx, 1).reshape((N, 1))
    ay = -np.sum(m * (P / rho ** 2 + P.T / rho.T ** 2) * dWy, 1).reshape((N, 1))
    az = -np.sum(m * (P / rho ** 2 + P.T / rho.T ** 2) * dWz, 1).reshape((N, 1))
    a = np.hstack((ax, ay, az))
    a -= lmbda * pos
    a -= nu * vel
    return a, rho


def sph_mocz_leapfrog(pos, vel, m, h, dt=0.04, Nt=3):
    k, n, lmbda, nu = 0.1, 1, 2.01, 1.0
    acc, _ = sph_mocz_acc(pos, vel, m, h, k, n, lmbda, nu)
    for i in range(Nt):
        vel += acc * dt / 2
        pos += vel * dt
        acc, rho = sph_mocz_acc(pos, vel, m, h, k, n, lmbda, nu)
        vel += acc * dt / 2
    return pos, vel, rho


def cubic_spline_kernel(r, h):
    # Monaghan's cubic spline in 2-D, piecewise by np.where on q = r / h
    q = r / h
    sigma = 10 / (7 * np.pi * h ** 2)
    w = np.where(q < 1, 1 - 1.5 * q ** 2 + 0.75 * q ** 3,
                 np.where(q < 2, 0.25 * (2 - q) ** 3, 0.0))
    return sigma * w


def sph_density_cubic(x, m, h):
    diff = x[:, None, :] - x[None, :, :]
    r = np.linalg.norm(diff, axis=-1)
    return (m[None, :] * cubic_spline_kernel(r, h)).sum(axis=1)


def poly6(r2, h):
    # Muller's poly6 for density, spiky gradient for pressure, the viscosity Laplacian
    return np.where(r2 < h ** 2, 315 / (64 * np.pi * h ** 9) * (h ** 2 - r2) ** 3, 0.0)


def sph_muller_forces(x, v, m, h, k=2000.0, rho0=1000.0, mu=0.1):
    rij = x[:, None, :] - x[None, :, :]
    r2 = np.sum(rij ** 2, axis=-1)
    rho = np.sum(m * poly6(r2, h), axis=1)
    p = k * (rho - rho0)
    r = np.sqrt(r2)
    mask = (r < h) & (r > 0)
    spiky = np.where(mask, -45 / (np.pi * h ** 6) * (h - r) ** 2, 0.0)
    rhat = rij / np.where(r > 0, r, 1.0)[..., None]
    f_press = -np.sum((m * (p[:, None] + p[None, :]) / (2 * rho[None, :]) * spiky)[..., None]
                      * rhat, axis=1)
    lap = np.where(mask, 45 / (np.pi * h ** 6) * (h - r), 0.0)
    f_visc = mu * np.sum((m / rho[None, :] * lap)[..., None] * (v[None, :, :] - v[:, None, :]),
                         axis=1)
    return rho, f_press + f_visc


def sph_muller_step(x, v, m, h, dt=1e-4, steps=3, box=1.0):
    # a fixed-step Euler integrator with walls reflected by np.where on the box
    g = np.array([0.0, -9.81])
    for _ in range(steps):
        rho, f = sph_muller_forces(x, v, m, h)
        a = f / rho[:, None] + g
        v = v + dt * a
        x = x + dt * v
        out_lo = x < 0
        out_hi = x > box
        v = np.where(out_lo | out_hi, -0.5 * v, v)
        x = np.clip(x, 0, box)
    return x, v


def wendland_c2_density(x, m, h):
    # Wendland C2 in 2-D with the support radius 2h, distances by scipy-free broadcasting
    d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    q = d / h
    alpha = 7 / (4 * np.pi * h ** 2)
    W = alpha * np.clip(1 - q / 2, 0, None) ** 4 * (2 * q + 1)
    return W @ m


def sph_tait_eos(rho, rho0=1000.0, c0=10.0, gamma=7):
    # weakly compressible SPH: Tait's equation of state
    B = rho0 * c0 ** 2 / gamma
    return B * ((rho / rho0) ** gamma - 1)


def sph_artificial_viscosity(x, v, rho, c, m, h, alpha=1.0, beta=2.0, eps=0.01):
    # Monaghan's artificial viscosity Pi_ij, only for approaching pairs
    xij = x[:, None, :] - x[None, :, :]
    vij = v[:, None, :] - v[None, :, :]
    vdotr = np.einsum("ijk,ijk->ij", vij, xij)
    r2 = np.einsum("ijk,ijk->ij", xij, xij)
    mu = h * vdotr / (r2 + eps * h ** 2)
    cbar = 0.5 * (c[:, None] + c[None, :])
    rhobar = 0.5 * (rho[:, None] + rho[None, :])
    Pi = np.where(vdotr < 0, (-alpha * cbar * mu + beta * mu ** 2) / rhobar, 0.0)
    return Pi, (m[None, :] * Pi).sum(axis=1)


def sph_density_loop(x, m, h):
    # the loop a first SPH code writes, particle by particle
    n = len(x)
    rho = np.zeros(n)
    for i in range(n):
        r = np.sqrt(np.sum((x - x[i]) ** 2, axis=1))
        rho[i] = np.sum(m * cubic_spline_kernel(r, h))
    return rho


def sph_shepard_filter(x, A, m, rho, h):
    # Shepard (zeroth-order) correction of a field
    r = np.linalg.norm(x[:, None] - x[None], axis=2)
    W = cubic_spline_kernel(r, h)
    Vj = m / rho
    return (W * (A * Vj)[None, :]).sum(1) / (W * Vj[None, :]).sum(1)


def sph_xsph(x, v, m, rho, h, eps=0.5):
    # XSPH velocity smoothing
    r = np.linalg.norm(x[:, None] - x[None], axis=2)
    W = cubic_spline_kernel(r, h)
    rho_bar = 0.5 * (rho[:, None] + rho[None, :])
    coef = m[None, :] * W / rho_bar
    return v + eps * np.einsum("ij,ijk->ik", coef, v[None, :, :] - v[:, None, :])
# ===================================================================== incompressible flow


def build_up_b(b, rho, dt, u, v, dx, dy):
    # CFD Python step 11 (cavity flow), as written in the notebook
    b[1:-1, 1:-1] = (rho * (1 / dt * ((u[1:-1, 2:] - u[1:-1, 0:-2]) / (2 * dx)
                                      + (v[2:, 1:-1] - v[0:-2, 1:-1]) / (2 * dy))
                            - ((u[1:-1, 2:] - u[1:-1, 0:-2]) / (2 * dx)) ** 2
                            - 2 * ((u[2:, 1:-1] - u[0:-2, 1:-1]) / (2 * dy)
                                   * (v[1:-1, 2:] - v[1:-1, 0:-2]) / (2 * dx))
                            - ((v[2:, 1:-1] - v[0:-2, 1:-1]) / (2 * dy)) ** 2))
    return b


def pressure_poisson(p, dx, dy, b, nit=20):
    pn = np.empty_like(p)
    pn = p.copy()
    for q in range(nit):
        pn = p.copy()
        p[1:-1, 1:-1] = (((pn[1:-1, 2:] + pn[1:-1, 0:-2]) * dy ** 2
                          + (pn[2:, 1:-1] + pn[0:-2, 1:-1]) * dx ** 2)
                         / (2 * (dx ** 2 + dy ** 2))
                         - dx ** 2 * dy ** 2 / (2 * (dx ** 2 + dy ** 2)) * b[1:-1, 1:-1])
        p[:, -1] = p[:, -2]  # dp/dx = 0 at x = 2
        p[0, :] = p[1, :]    # dp/dy = 0 at y = 0
        p[:, 0] = p[:, 1]    # dp/dx = 0 at x = 0
        p[-1, :] = 0         # p = 0 at y = 2
    return p


def cavity_flow(nt, u, v, dt, dx, dy, p, rho, nu):
    un = np.empty_like(u)
    vn = np.empty_like(v)
    b = np.zeros_like(u)
    for n in range(nt):
        un = u.copy()
        vn = v.copy()
        b = build_up_b(b, rho, dt, u, v, dx, dy)
        p = pressure_poisson(p, dx, dy, b, nit=10)
        u[1:-1, 1:-1] = (un[1:-1, 1:-1]
                         - un[1:-1, 1:-1] * dt / dx * (un[1:-1, 1:-1] - un[1:-1, 0:-2])
                         - vn[1:-1, 1:-1] * dt / dy * (un[1:-1, 1:-1] - un[0:-2, 1:-1])
                         - dt / (2 * rho * dx) * (p[1:-1, 2:] - p[1:-1, 0:-2])
                         + nu * (dt / dx ** 2 * (un[1:-1, 2:] - 2 * un[1:-1, 1:-1]
                                                 + un[1:-1, 0:-2])
                                 + dt / dy ** 2 * (un[2:, 1:-1] - 2 * un[1:-1, 1:-1]
                                                   + un[0:-2, 1:-1])))
        v[1:-1, 1:-1] = (vn[1:-1, 1:-1]
                         - un[1:-1, 1:-1] * dt / dx * (vn[1:-1, 1:-1] - vn[1:-1, 0:-2])
                         - vn[1:-1, 1:-1] * dt / dy * (vn[1:-1, 1:-1] - vn[0:-2, 1:-1])
                         - dt / (2 * rho * dy) * (p[2:, 1:-1] - p[0:-2, 1:-1])
                         + nu * (dt / dx ** 2 * (vn[1:-1, 2:] - 2 * vn[1:-1, 1:-1]
                                                 + vn[1:-1, 0:-2])
                                 + dt / dy ** 2 * (vn[2:, 1:-1] - 2 * vn[1:-1, 1:-1]
                                                   + vn[0:-2, 1:-1])))
        u[0, :] = 0
        u[:, 0] = 0
        u[:, -1] = 0
        u[-1, :] = 1    # set velocity on cavity lid equal to 1
        v[0, :] = 0
        v[-1, :] = 0
        v[:, 0] = 0
        v[:, -1] = 0
    return u, v, p


def channel_flow_periodic(u, v, p, dt, dx, dy, rho=1.0, nu=0.1, F=1.0, nt=4, nit=10):
    # CFD Python step 12: channel flow with a source term and periodic ends by np.roll-free
    # index juggling: the wrap-around columns written out by hand
    for _ in range(nt):
        un, vn = u.copy(), v.copy()
        b = np.zeros_like(p)
        b[1:-1, 1:-1] = rho * (1 / dt * ((u[1:-1, 2:] - u[1:-1, :-2]) / (2 * dx)
                                         + (v[2:, 1:-1] - v[:-2, 1:-1]) / (2 * dy))
                               - ((u[1:-1, 2:] - u[1:-1, :-2]) / (2 * dx)) ** 2
                               - 2 * ((u[2:, 1:-1] - u[:-2, 1:-1]) / (2 * dy)
                                      * (v[1:-1, 2:] - v[1:-1, :-2]) / (2 * dx))
                               - ((v[2:, 1:-1] - v[:-2, 1:-1]) / (2 * dy)) ** 2)
        b[1:-1, -1] = rho * (1 / dt * ((u[1:-1, 0] - u[1:-1, -2]) / (2 * dx)
                                       + (v[2:, -1] - v[:-2, -1]) / (2 * dy))
                             - ((u[1:-1, 0] - u[1:-1, -2]) / (2 * dx)) ** 2
                             - 2 * ((u[2:, -1] - u[:-2, -1]) / (2 * dy)
                                    * (v[1:-1, 0] - v[1:-1, -2]) / (2 * dx))
                             - ((v[2:, -1] - v[:-2, -1]) / (2 * dy)) ** 2)
        b[1:-1, 0] = rho * (1 / dt * ((u[1:-1, 1] - u[1:-1, -1]) / (2 * dx)
                                      + (v[2:, 0] - v[:-2, 0]) / (2 * dy))
                            - ((u[1:-1, 1] - u[1:-1, -1]) / (2 * dx)) ** 2
                            - 2 * ((u[2:, 0] - u[:-2, 0]) / (2 * dy)
                                   * (v[1:-1, 1] - v[1:-1, -1]) / (2 * dx))
                            - ((v[2:, 0] - v[:-2, 0]) / (2 * dy)) ** 2)
        for q in range(nit):
            pn = p.copy()
            p[1:-1, 1:-1] = (((pn[1:-1, 2:] + pn[1:-1, :-2]) * dy ** 2
                              + (pn[2:, 1:-1] + pn[:-2, 1:-1]) * dx ** 2)
                             / (2 * (dx ** 2 + dy ** 2))
                             - dx ** 2 * dy ** 2 / (2 * (dx ** 2 + dy ** 2)) * b[1:-1, 1:-1])
            p[1:-1, -1] = (((pn[1:-1, 0] + pn[1:-1, -2]) * dy ** 2
                            + (pn[2:, -1] + pn[:-2, -1]) * dx ** 2) / (2 * (dx ** 2 + dy ** 2))
                           - dx ** 2 * dy ** 2 / (2 * (dx ** 2 + dy ** 2)) * b[1:-1, -1])
            p[1:-1, 0] = (((pn[1:-1, 1] + pn[1:-1, -1]) * dy ** 2
                           + (pn[2:, 0] + pn[:-2, 0]) * dx ** 2) / (2 * (dx ** 2 + dy ** 2))
                          - dx ** 2 * dy ** 2 / (2 * (dx ** 2 + dy ** 2)) * b[1:-1, 0])
            p[-1, :] = p[-2, :]
            p[0, :] = p[1, :]
        u[1:-1, 1:-1] = (un[1:-1, 1:-1]
                         - un[1:-1, 1:-1] * dt / dx * (un[1:-1, 1:-1] - un[1:-1, :-2])
                         - vn[1:-1, 1:-1] * dt / dy * (un[1:-1, 1:-1] - un[:-2, 1:-1])
                         - dt / (2 * rho * dx) * (p[1:-1, 2:] - p[1:-1, :-2])
                         + nu * (dt / dx ** 2 * (un[1:-1, 2:] - 2 * un[1:-1, 1:-1]
                                                 + un[1:-1, :-2])
                                 + dt / dy ** 2 * (un[2:, 1:-1] - 2 * un[1:-1, 1:-1]
                                                   + un[:-2, 1:-1]))
                         + F * dt)
        v[1:-1, 1:-1] = (vn[1:-1, 1:-1]
                         - un[1:-1, 1:-1] * dt / dx * (vn[1:-1, 1:-1] - vn[1:-1, :-2])
                         - vn[1:-1, 1:-1] * dt / dy * (vn[1:-1, 1:-1] - vn[:-2, 1:-1])
                         - dt / (2 * rho * dy) * (p[2:, 1:-1] - p[:-2, 1:-1])
                         + nu * (dt / dx ** 2 * (vn[1:-1, 2:] - 2 * vn[1:-1, 1:-1]
                                                 + vn[1:-1, :-2])
                                 + dt / dy ** 2 * (vn[2:, 1:-1] - 2 * vn[1:-1, 1:-1]
                                                   + vn[:-2, 1:-1])))
        u[0, :] = 0
        u[-1, :] = 0
        v[0, :] = 0
        v[-1, :] = 0
    udiff = (np.sum(u) - np.sum(un)) / np.sum(u)
    return u, v, p, udiff


def burgers_2d(u, v, dt, dx, dy, nu, nt=8):
    # CFD Python step 8: 2-D Burgers with Dirichlet walls set by slices
    for n in range(nt + 1):
        un = u.copy()
        vn = v.copy()
        u[1:-1, 1:-1] = (un[1:-1, 1:-1]
                         - dt / dx * un[1:-1, 1:-1] * (un[1:-1, 1:-1] - un[1:-1, 0:-2])
                         - dt / dy * vn[1:-1, 1:-1] * (un[1:-1, 1:-1] - un[0:-2, 1:-1])
                         + nu * dt / dx ** 2 * (un[1:-1, 2:] - 2 * un[1:-1, 1:-1] + un[1:-1, 0:-2])
                         + nu * dt / dy ** 2 * (un[2:, 1:-1] - 2 * un[1:-1, 1:-1] + un[0:-2, 1:-1]))
        v[1:-1, 1:-1] = (vn[1:-1, 1:-1]
                         - dt / dx * un[1:-1, 1:-1] * (vn[1:-1, 1:-1] - vn[1:-1, 0:-2])
                         - dt / dy * vn[1:-1, 1:-1] * (vn[1:-1, 1:-1] - vn[0:-2, 1:-1])
                         + nu * dt / dx ** 2 * (vn[1:-1, 2:] - 2 * vn[1:-1, 1:-1] + vn[1:-1, 0:-2])
                         + nu * dt / dy ** 2 * (vn[2:, 1:-1] - 2 * vn[1:-1, 1:-1] + vn[0:-2, 1:-1]))
        u[0, :] = 1
        u[-1, :] = 1
        u[:, 0] = 1
        u[:, -1] = 1
        v[0, :] = 1
        v[-1, :] = 1
        v[:, 0] = 1
        v[:, -1] = 1
    return u, v


def projection_step_fft(u, v, dt, nu, L=2 * np.pi):
    # a periodic projection method: explicit advection-diffusion, then the pressure Poisson
    # equation solved by fft2 on the wavenumber grid, the k = 0 mode guarded
    n = u.shape[0]
    dx = L / n
    k = 2 * np.pi * np.fft.fftfreq(n, d=dx)
    kx, ky = np.meshgrid(k, k, indexing="ij")
    k2 = kx ** 2 + ky ** 2
    k2[0, 0] = 1.0

    def ddx(f):
        return (np.roll(f, -1, 0) - np.roll(f, 1, 0)) / (2 * dx)

    def ddy(f):
        return (np.roll(f, -1, 1) - np.roll(f, 1, 1)) / (2 * dx)

    def lap(f):
        return (np.roll(f, -1, 0) + np.roll(f, 1, 0) + np.roll(f, -1, 1) + np.roll(f, 1, 1)
                - 4 * f) / dx ** 2

    us = u + dt * (-u * ddx(u) - v * ddy(u) + nu * lap(u))
    vs = v + dt * (-u * ddx(v) - v * ddy(v) + nu * lap(v))
    div_hat = 1j * kx * np.fft.fft2(us) + 1j * ky * np.fft.fft2(vs)
    p_hat = -div_hat / k2 / dt
    p_hat[0, 0] = 0
    u_new = us - dt * np.real(np.fft.ifft2(1j * kx * p_hat))
    v_new = vs - dt * np.real(np.fft.ifft2(1j * ky * p_hat))
    return u_new, v_new, np.real(np.fft.ifft2(p_hat))


def spectral_ns_vorticity(w, nu, dt, steps=4):
    # a pseudo-spectral 2-D vorticity solver (Mocz's navier-stokes-spectral): the streamfunction
    # from the Poisson equation, the velocity by spectral derivatives, a 2/3 dealiasing mask,
    # Crank-Nicolson diffusion
    N = w.shape[0]
    L = 1.0
    klin = 2.0 * np.pi / L * np.arange(-N / 2, N / 2)
    kmax = np.max(klin)
    kx, ky = np.meshgrid(klin, klin)
    kx = np.fft.ifftshift(kx)
    ky = np.fft.ifftshift(ky)
    kSq = kx ** 2 + ky ** 2
    kSq_inv = 1.0 / kSq
    kSq_inv[kSq == 0] = 1
    dealias = (np.abs(kx) < (2. / 3.) * kmax) & (np.abs(ky) < (2. / 3.) * kmax)
    for i in range(steps):
        w_hat = np.fft.fftn(w)
        psi = np.real(np.fft.ifftn(w_hat * kSq_inv))
        vx = np.real(np.fft.ifftn(1j * ky * np.fft.fftn(psi)))
        vy = -np.real(np.fft.ifftn(1j * kx * np.fft.fftn(psi)))
        dw_dx = np.real(np.fft.ifftn(1j * kx * w_hat))
        dw_dy = np.real(np.fft.ifftn(1j * ky * w_hat))
        rhs = -(vx * dw_dx + vy * dw_dy)
        rhs = np.real(np.fft.ifftn(dealias * np.fft.fftn(rhs)))
        w = w + dt * rhs
        w_hat = np.fft.fftn(w) / (1.0 + dt * nu * kSq)
        w = np.real(np.fft.ifftn(w_hat))
    return w, vx, vy


def poisson_fft_rfft2(f, L=1.0):
    # -lap(u) = f on a periodic square by rfft2 and a half-spectrum wavenumber grid
    n, m = f.shape
    kx = 2 * np.pi * np.fft.fftfreq(n, d=L / n)
    ky = 2 * np.pi * np.fft.rfftfreq(m, d=L / m)
    KX, KY = np.meshgrid(kx, ky, indexing="ij")
    K2 = KX ** 2 + KY ** 2
    fh = np.fft.rfft2(f)
    uh = np.zeros_like(fh)
    nz = K2 > 0
    uh[nz] = fh[nz] / K2[nz]
    return np.fft.irfft2(uh, s=f.shape)


def poisson_jacobi_dirichlet(f, h, iters=30):
    # Jacobi sweeps with a fixed count, homogeneous Dirichlet boundary, residual norm returned
    u = np.zeros_like(f)
    for it in range(iters):
        u_new = u.copy()
        u_new[1:-1, 1:-1] = 0.25 * (u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2]
                                    + h ** 2 * f[1:-1, 1:-1])
        u = u_new
    r = np.zeros_like(f)
    r[1:-1, 1:-1] = f[1:-1, 1:-1] + (u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2]
                                      - 4 * u[1:-1, 1:-1]) / h ** 2
    return u, np.linalg.norm(r)


def poisson_red_black_sor(f, h, omega=1.5, sweeps=10):
    # red-black SOR with checkerboard masks made from index parity
    u = np.zeros_like(f)
    i, j = np.indices(f.shape)
    red = ((i + j) % 2 == 0)
    red[[0, -1], :] = False
    red[:, [0, -1]] = False
    black = ((i + j) % 2 == 1)
    black[[0, -1], :] = False
    black[:, [0, -1]] = False
    for _ in range(sweeps):
        for mask in (red, black):
            nb = np.zeros_like(u)
            nb[1:-1, 1:-1] = u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2]
            gs = 0.25 * (nb + h ** 2 * f)
            u[mask] = (1 - omega) * u[mask] + omega * gs[mask]
    return u


def vorticity_streamfunction_cavity(w, psi, dx, dt, nu=0.05, U=1.0, steps=4, nit=15):
    # vorticity-streamfunction: Jacobi for psi, Thom's wall vorticity, explicit transport
    for _ in range(steps):
        for _ in range(nit):
            psi[1:-1, 1:-1] = 0.25 * (psi[2:, 1:-1] + psi[:-2, 1:-1] + psi[1:-1, 2:]
                                      + psi[1:-1, :-2] + dx ** 2 * w[1:-1, 1:-1])
        w[0, :] = -2 * psi[1, :] / dx ** 2
        w[-1, :] = -2 * psi[-2, :] / dx ** 2 - 2 * U / dx
        w[:, 0] = -2 * psi[:, 1] / dx ** 2
        w[:, -1] = -2 * psi[:, -2] / dx ** 2
        u = (psi[2:, 1:-1] - psi[:-2, 1:-1]) / (2 * dx)
        v = -(psi[1:-1, 2:] - psi[1:-1, :-2]) / (2 * dx)
        wx = (w[1:-1, 2:] - w[1:-1, :-2]) / (2 * dx)
        wy = (w[2:, 1:-1] - w[:-2, 1:-1]) / (2 * dx)
        lapw = (w[2:, 1:-1] + w[:-2, 1:-1] + w[1:-1, 2:] + w[1:-1, :-2]
                - 4 * w[1:-1, 1:-1]) / dx ** 2
        w[1:-1, 1:-1] += dt * (-u * wx - v * wy + nu * lapw)
    return w, psi


def taylor_green_error(n, nu=0.01, t=0.5):
    # the Taylor-Green vortex: the exact solution on a grid, its divergence and energy decay
    x = np.linspace(0, 2 * np.pi, n, endpoint=False)
    X, Y = np.meshgrid(x, x, indexing="ij")
    F = np.exp(-2 * nu * t)
    u = np.sin(X) * np.cos(Y) * F
    v = -np.cos(X) * np.sin(Y) * F
    dx = x[1] - x[0]
    div = np.gradient(u, dx, axis=0) + np.gradient(v, dx, axis=1)
    ke = 0.5 * np.mean(u ** 2 + v ** 2)
    return u, v, np.abs(div[2:-2, 2:-2]).max(), ke


def staggered_divergence(u, v, dx, dy):
    # MAC grid: u on vertical faces (ny, nx + 1), v on horizontal faces (ny + 1, nx)
    return (u[:, 1:] - u[:, :-1]) / dx + (v[1:, :] - v[:-1, :]) / dy


def mac_pressure_correction(u, v, p, dx, dt, rho=1.0):
    # subtract the pressure gradient on interior faces of a MAC grid
    u[:, 1:-1] -= dt / rho * (p[:, 1:] - p[:, :-1]) / dx
    v[1:-1, :] -= dt / rho * (p[1:, :] - p[:-1, :]) / dx
    return u, v, staggered_divergence(u, v, dx, dx)


def semi_lagrangian_advect(q, u, v, dt, dx):
    # Stam's stable fluids: backtrace and bilinear interpolation by integer and fractional parts
    ny, nx = q.shape
    j, i = np.meshgrid(np.arange(nx), np.arange(ny))
    x = np.clip(j - dt * u / dx, 0, nx - 1.001)
    y = np.clip(i - dt * v / dx, 0, ny - 1.001)
    j0 = np.floor(x).astype(int)
    i0 = np.floor(y).astype(int)
    s1 = x - j0
    t1 = y - i0
    s0, t0 = 1 - s1, 1 - t1
    return (t0 * (s0 * q[i0, j0] + s1 * q[i0, j0 + 1])
            + t1 * (s0 * q[i0 + 1, j0] + s1 * q[i0 + 1, j0 + 1]))
# ================================================================== spectral solvers


def ks_etdrk4(u, h=0.25, steps=6, L=32 * np.pi):
    # Kassam and Trefethen's kursiv.m in NumPy: ETDRK4 coefficients by a contour integral of
    # complex exponentials over M points on the unit circle, the 2/3-free nonlinear term
    N = u.size
    v = np.fft.fft(u)
    k = np.concatenate((np.arange(0, N / 2), np.array([0]),
                        np.arange(-N / 2 + 1, 0))) * 2 * np.pi / L
    Lop = k ** 2 - k ** 4
    E = np.exp(h * Lop)
    E2 = np.exp(h * Lop / 2)
    M = 16
    r = np.exp(1j * np.pi * (np.arange(1, M + 1) - 0.5) / M)
    LR = h * np.tile(Lop, (M, 1)).T + np.tile(r, (N, 1))
    Q = h * np.real(np.mean((np.exp(LR / 2) - 1) / LR, axis=1))
    f1 = h * np.real(np.mean((-4 - LR + np.exp(LR) * (4 - 3 * LR + LR ** 2)) / LR ** 3, axis=1))
    f2 = h * np.real(np.mean((2 + LR + np.exp(LR) * (-2 + LR)) / LR ** 3, axis=1))
    f3 = h * np.real(np.mean((-4 - 3 * LR - LR ** 2 + np.exp(LR) * (4 - LR)) / LR ** 3, axis=1))
    g = -0.5j * k
    for n in range(steps):
        Nv = g * np.fft.fft(np.real(np.fft.ifft(v)) ** 2)
        a = E2 * v + Q * Nv
        Na = g * np.fft.fft(np.real(np.fft.ifft(a)) ** 2)
        b = E2 * v + Q * Na
        Nb = g * np.fft.fft(np.real(np.fft.ifft(b)) ** 2)
        c = E2 * a + Q * (2 * Nb - Nv)
        Nc = g * np.fft.fft(np.real(np.fft.ifft(c)) ** 2)
        v = E * v + Nv * f1 + 2 * (Na + Nb) * f2 + Nc * f3
    return np.real(np.fft.ifft(v))


def etdrk4_coeffs_broadcast(Lop, h, M=32):
    # the same coefficients with the contour points by broadcasting, for any linear operator
    r = np.exp(2j * np.pi * (np.arange(1, M + 1) - 0.5) / (2 * M))
    LR = h * Lop[:, None] + r[None, :]
    Q = h * ((np.exp(LR / 2) - 1) / LR).mean(axis=1).real
    f1 = h * ((-4 - LR + np.exp(LR) * (4 - 3 * LR + LR ** 2)) / LR ** 3).mean(axis=1).real
    f2 = h * ((2 + LR + np.exp(LR) * (-2 + LR)) / LR ** 3).mean(axis=1).real
    f3 = h * ((-4 - 3 * LR - LR ** 2 + np.exp(LR) * (4 - LR)) / LR ** 3).mean(axis=1).real
    return {"Q": Q, "f1": f1, "f2": f2, "f3": f3, "E": np.exp(h * Lop), "E2": np.exp(h * Lop / 2)}


def burgers_spectral_rk4(u, nu, dt, steps=6, L=2 * np.pi):
    # viscous Burgers by a Fourier pseudo-spectral RHS and classical RK4, the 2/3 rule by rfft
    N = u.shape[-1]
    k = np.fft.rfftfreq(N, d=L / N) * 2 * np.pi
    dealias = k < (2 / 3) * k.max()

    def rhs(u):
        uh = np.fft.rfft(u)
        ux = np.fft.irfft(1j * k * uh * dealias, n=N)
        uxx = np.fft.irfft(-(k ** 2) * uh, n=N)
        return -u * ux + nu * uxx

    for _ in range(steps):
        k1 = rhs(u)
        k2 = rhs(u + 0.5 * dt * k1)
        k3 = rhs(u + 0.5 * dt * k2)
        k4 = rhs(u + dt * k3)
        u = u + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return u


def burgers_ifrk_fourier(uhat, nu, dt, k, steps=5):
    # integrating-factor RK2 in Fourier space, the state kept complex
    E = np.exp(-nu * k ** 2 * dt)
    E2 = np.exp(-nu * k ** 2 * dt / 2)

    def N(vh):
        u = np.fft.ifft(vh).real
        return -0.5j * k * np.fft.fft(u ** 2)

    for _ in range(steps):
        a = E2 * (uhat + 0.5 * dt * N(uhat))
        uhat = E * uhat + dt * E2 * N(a)
    return uhat


def kdv_split_step(u, dt, steps=5, L=40.0):
    # KdV u_t + 6 u u_x + u_xxx = 0: the dispersive part exactly in Fourier space, the
    # nonlinear part by an explicit Euler step with the derivative by FFT
    N = len(u)
    k = 2 * np.pi * np.fft.fftfreq(N, d=L / N)
    lin = np.exp(1j * k ** 3 * dt)
    for _ in range(steps):
        uh = np.fft.fft(u) * lin
        u = np.real(np.fft.ifft(uh))
        ux = np.real(np.fft.ifft(1j * k * np.fft.fft(u)))
        u = u - 6 * dt * u * ux
    mass = u.sum() * L / N
    return u, mass


def kdv_soliton_residual(x, c, x0, t):
    # the one-soliton solution and the residual of its spectral derivatives
    N = len(x)
    L = x[-1] - x[0] + (x[1] - x[0])
    u = 0.5 * c / np.cosh(0.5 * np.sqrt(c) * (x - c * t - x0)) ** 2
    k = 2 * np.pi * np.fft.fftfreq(N, d=L / N)
    uh = np.fft.fft(u)
    ux = np.fft.ifft(1j * k * uh).real
    uxxx = np.fft.ifft(-1j * k ** 3 * uh).real
    ut = -c * ux
    return u, ut + 6 * u * ux + uxxx


def spectral_derivative_cheb(N):
    # Trefethen's cheb(N): the Chebyshev differentiation matrix and nodes
    x = np.cos(np.pi * np.arange(N + 1) / N)
    c = np.hstack([2, np.ones(N - 1), 2]) * (-1) ** np.arange(N + 1)
    X = np.tile(x, (N + 1, 1)).T
    dX = X - X.T
    D = np.outer(c, 1 / c) / (dX + np.eye(N + 1))
    D = D - np.diag(D.sum(axis=1))
    return D, x


def cheb_poisson_1d(f_vals):
    # u'' = f on [-1, 1], u(+-1) = 0, by the squared Chebyshev matrix with its ends stripped
    N = f_vals.shape[0] + 1
    D, x = spectral_derivative_cheb(N)
    D2 = D @ D
    D2 = D2[1:-1, 1:-1]
    u = np.linalg.solve(D2, f_vals)
    return np.concatenate(([0.0], u, [0.0])), x


def heat_spectral_exact(u0, kappa, t, L=1.0):
    # the periodic heat equation solved exactly in Fourier space, float32 in and out
    n = u0.shape[-1]
    k = 2 * np.pi * np.fft.fftfreq(n, d=L / n)
    uh = np.fft.fft(u0) * np.exp(-kappa * k ** 2 * t)
    return np.fft.ifft(uh).real.astype(u0.dtype)


def energy_spectrum_2d(u, v, nbins=8):
    # the shell-averaged kinetic energy spectrum by integer wavenumber bins and bincount
    n = u.shape[0]
    uh = np.fft.fft2(u) / n ** 2
    vh = np.fft.fft2(v) / n ** 2
    e = 0.5 * (np.abs(uh) ** 2 + np.abs(vh) ** 2)
    k = np.fft.fftfreq(n, d=1.0 / n)
    kx, ky = np.meshgrid(k, k, indexing="ij")
    kmag = np.sqrt(kx ** 2 + ky ** 2)
    shell = np.rint(kmag).astype(int)
    E = np.bincount(shell.ravel(), weights=e.ravel(), minlength=nbins)[:nbins]
    return E


def kolmogorov_forcing_rhs(w_hat, kx, ky, nu, kf=4, amp=1.0):
    # the vorticity RHS in Fourier space with Kolmogorov forcing sin(kf y), Jacobian by ifft2
    k2 = kx ** 2 + ky ** 2
    k2i = np.where(k2 == 0, 0.0, 1.0 / np.where(k2 == 0, 1.0, k2))
    psi_hat = w_hat * k2i
    u = np.fft.ifft2(1j * ky * psi_hat).real
    v = np.fft.ifft2(-1j * kx * psi_hat).real
    wx = np.fft.ifft2(1j * kx * w_hat).real
    wy = np.fft.ifft2(1j * ky * w_hat).real
    n = w_hat.shape[0]
    y = np.arange(n) * 2 * np.pi / n
    forcing = amp * kf * np.cos(kf * y)[None, :] * np.ones((n, 1))
    return -np.fft.fft2(u * wx + v * wy) - nu * k2 * w_hat + np.fft.fft2(forcing)
# ====================================================================== multigrid


def restrict_injection(r):
    return r[::2, ::2]


def restrict_full_weighting(r):
    # full weighting on the interior of a vertex-centred grid (2^k + 1 points a side)
    rc = r[::2, ::2].copy()
    rc[1:-1, 1:-1] = (4 * r[2:-1:2, 2:-1:2]
                      + 2 * (r[1:-2:2, 2:-1:2] + r[3::2, 2:-1:2] + r[2:-1:2, 1:-2:2]
                             + r[2:-1:2, 3::2])
                      + r[1:-2:2, 1:-2:2] + r[3::2, 1:-2:2] + r[1:-2:2, 3::2]
                      + r[3::2, 3::2]) / 16
    return rc


def prolong_bilinear(e):
    # bilinear interpolation to the fine vertex-centred grid by strided writes
    n = e.shape[0]
    f = np.zeros((2 * n - 1, 2 * n - 1))
    f[::2, ::2] = e
    f[1::2, ::2] = 0.5 * (e[:-1, :] + e[1:, :])
    f[::2, 1::2] = 0.5 * (e[:, :-1] + e[:, 1:])
    f[1::2, 1::2] = 0.25 * (e[:-1, :-1] + e[1:, :-1] + e[:-1, 1:] + e[1:, 1:])
    return f


def jacobi_weighted(u, f, h, nu=2, omega=2 / 3):
    for _ in range(nu):
        un = u.copy()
        un[1:-1, 1:-1] = ((1 - omega) * u[1:-1, 1:-1]
                          + omega * 0.25 * (u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:]
                                            + u[1:-1, :-2] + h * h * f[1:-1, 1:-1]))
        u = un
    return u


def residual(u, f, h):
    r = np.zeros_like(u)
    r[1:-1, 1:-1] = f[1:-1, 1:-1] + (u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2]
                                      - 4 * u[1:-1, 1:-1]) / (h * h)
    return r


def v_cycle(u, f, h, levels):
    # a recursive V-cycle with a fixed number of levels, the coarsest smoothed hard
    if levels == 1:
        return jacobi_weighted(u, f, h, nu=20)
    u = jacobi_weighted(u, f, h)
    r = residual(u, f, h)
    rc = restrict_full_weighting(r)
    ec = v_cycle(np.zeros_like(rc), rc, 2 * h, levels - 1)
    u = u + prolong_bilinear(ec)
    return jacobi_weighted(u, f, h)


def multigrid_solve(f, h, cycles=3, levels=3):
    u = np.zeros_like(f)
    norms = []
    for _ in range(cycles):
        u = v_cycle(u, f, h, levels)
        norms.append(np.linalg.norm(residual(u, f, h)))
    return u, np.array(norms)


def restrict_average_cell(r):
    # cell-centred restriction: the mean of each 2x2 block by reshape
    n, m = r.shape
    return r.reshape(n // 2, 2, m // 2, 2).mean(axis=(1, 3))


def prolong_repeat(e):
    # cell-centred piecewise-constant prolongation by np.repeat on both axes
    return np.repeat(np.repeat(e, 2, axis=0), 2, axis=1)


def prolong_kron(e):
    return np.kron(e, np.ones((2, 2)))


def two_grid_periodic(u, f, h, sweeps=3):
    # a two-grid cycle on a periodic cell-centred grid: np.roll smoothing, block averaging,
    # the coarse problem by many sweeps, prolongation by kron
    def smooth(u, f, h, n):
        for _ in range(n):
            u = 0.25 * (np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1)
                        + np.roll(u, -1, 1) - h * h * f)
        return u

    def res(u, f, h):
        return f - (np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1)
                    + np.roll(u, -1, 1) - 4 * u) / h ** 2

    u = smooth(u, f, h, sweeps)
    rc = restrict_average_cell(res(u, f, h))
    ec = smooth(np.zeros_like(rc), rc, 2 * h, 10)
    u = u + prolong_kron(ec)
    u = smooth(u, f, h, sweeps)
    return u - u.mean(), np.abs(res(u, f, h) - res(u, f, h).mean()).max()


def multigrid_1d_vcycle(u, f, h, levels=3, nu=3):
    # the 1-D V-cycle a course notebook writes first, with the matrix-free Laplacian
    def smooth(u, f, h):
        for _ in range(nu):
            u[1:-1] = u[1:-1] + 2 / 3 * (0.5 * (u[:-2] + u[2:] + h * h * f[1:-1]) - u[1:-1])
        return u

    u = smooth(u, f, h)
    if levels > 1:
        r = np.zeros_like(u)
        r[1:-1] = f[1:-1] + (u[:-2] - 2 * u[1:-1] + u[2:]) / h ** 2
        rc = np.zeros((len(u) + 1) // 2)
        rc[1:-1] = 0.25 * r[1:-2:2] + 0.5 * r[2:-1:2] + 0.25 * r[3::2]
        ec = multigrid_1d_vcycle(np.zeros_like(rc), rc, 2 * h, levels - 1, nu)
        e = np.interp(np.arange(len(u)), np.arange(0, len(u), 2), ec)
        u = u + e
    return smooth(u, f, h)
# ============================================================== finite volumes, Euler


def minmod(a, b):
    return np.where(a * b > 0, np.sign(a) * np.minimum(np.abs(a), np.abs(b)), 0.0)


def superbee(r):
    return np.maximum(0, np.maximum(np.minimum(2 * r, 1), np.minimum(r, 2)))


def van_leer(r):
    return (r + np.abs(r)) / (1 + np.abs(r))


def mc_limiter(r):
    return np.maximum(0, np.minimum(np.minimum(2 * r, 0.5 * (1 + r)), 2))


def van_albada(r):
    return (r ** 2 + r) / (r ** 2 + 1)


def limiter_ratio(u, eps=1e-12):
    # r_i = (u_i - u_{i-1}) / (u_{i+1} - u_i), guarded against division by zero
    du = np.diff(u)
    num = du[:-1]
    den = du[1:]
    return num / np.where(np.abs(den) < eps, eps, den)


def advect_tvd_periodic(u, c, limiter="superbee", steps=10):
    # flux-limited advection (a > 0) on a periodic grid, the limiter picked by name
    phi = {"superbee": superbee, "vanleer": van_leer, "mc": mc_limiter,
           "vanalbada": van_albada}[limiter]
    for _ in range(steps):
        du = np.roll(u, -1) - u
        dum = u - np.roll(u, 1)
        r = dum / np.where(du == 0, 1e-12, du)
        F = u + 0.5 * (1 - c) * phi(r) * du
        u = u - c * (F - np.roll(F, 1))
    return u


def muscl_minmod_slopes(u, c, steps=10):
    # MUSCL with minmod slopes, ghost cells by np.concatenate, transmissive ends
    for _ in range(steps):
        ug = np.concatenate(([u[0], u[0]], u, [u[-1], u[-1]]))
        s = minmod(ug[1:-1] - ug[:-2], ug[2:] - ug[1:-1])
        uL = ug[1:-1] + 0.5 * (1 - c) * s
        F = c * uL
        u = u - (F[1:-1] - F[:-2])
    return u


def burgers_godunov(u, dx, dt, steps=10):
    # Godunov's exact Riemann flux for inviscid Burgers, written with np.where cases
    for _ in range(steps):
        ul = np.concatenate((u[:1], u))
        ur = np.concatenate((u, u[-1:]))
        fl, fr = 0.5 * ul ** 2, 0.5 * ur ** 2
        s = 0.5 * (ul + ur)
        shock = np.where(s > 0, fl, fr)
        rare = np.where(ul > 0, fl, np.where(ur < 0, fr, 0.0))
        F = np.where(ul > ur, shock, rare)
        u = u - dt / dx * (F[1:] - F[:-1])
    return u


def burgers_engquist_osher(u, dx, dt, steps=10):
    F = lambda ul, ur: 0.5 * np.maximum(ul, 0) ** 2 + 0.5 * np.minimum(ur, 0) ** 2
    for _ in range(steps):
        up = np.pad(u, 1, mode="wrap")
        flux = F(up[:-1], up[1:])
        u = u - dt / dx * np.diff(flux)
    return u


def prim_to_cons(rho, u, p, gamma=1.4):
    return np.array([rho, rho * u, p / (gamma - 1) + 0.5 * rho * u ** 2])


def cons_to_prim(U, gamma=1.4):
    rho = U[0]
    u = U[1] / rho
    p = (gamma - 1) * (U[2] - 0.5 * rho * u ** 2)
    return rho, u, p


def euler_flux(U, gamma=1.4):
    rho, u, p = cons_to_prim(U, gamma)
    return np.array([rho * u, rho * u ** 2 + p, u * (U[2] + p)])


def sod_initial(n, gamma=1.4):
    x = np.linspace(0, 1, n)
    rho = np.where(x < 0.5, 1.0, 0.125)
    p = np.where(x < 0.5, 1.0, 0.1)
    return prim_to_cons(rho, np.zeros(n), p, gamma)


def sod_lax_friedrichs(U, dx, cfl=0.5, steps=10, gamma=1.4):
    # the Sod tube with Lax-Friedrichs, the time step from the CFL condition each step
    t = 0.0
    for _ in range(steps):
        rho, u, p = cons_to_prim(U, gamma)
        a = np.sqrt(gamma * p / rho)
        dt = cfl * dx / np.max(np.abs(u) + a)
        F = euler_flux(U, gamma)
        Un = U.copy()
        Un[:, 1:-1] = 0.5 * (U[:, 2:] + U[:, :-2]) - 0.5 * dt / dx * (F[:, 2:] - F[:, :-2])
        Un[:, 0], Un[:, -1] = Un[:, 1], Un[:, -2]
        U = Un
        t += dt
    return U, t


def hll_euler_flux(UL, UR, gamma=1.4):
    rL, uL, pL = cons_to_prim(UL, gamma)
    rR, uR, pR = cons_to_prim(UR, gamma)
    aL = np.sqrt(gamma * pL / rL)
    aR = np.sqrt(gamma * pR / rR)
    SL = np.minimum(uL - aL, uR - aR)
    SR = np.maximum(uL + aL, uR + aR)
    FL, FR = euler_flux(UL, gamma), euler_flux(UR, gamma)
    Fhll = (SR * FL - SL * FR + SL * SR * (UR - UL)) / (SR - SL)
    return np.where(SL >= 0, FL, np.where(SR <= 0, FR, Fhll))


def sod_hll_ghost_concat(U, dx, dt, steps=8):
    # first-order HLL with one transmissive ghost cell each side by np.concatenate
    for _ in range(steps):
        Ug = np.concatenate([U[:, :1], U, U[:, -1:]], axis=1)
        F = hll_euler_flux(Ug[:, :-1], Ug[:, 1:])
        U = U - dt / dx * (F[:, 1:] - F[:, :-1])
    return U


def hllc_flux(UL, UR, gamma=1.4):
    # Toro's HLLC, the star states built by np.array of traced rows, selected by np.where
    rL, uL, pL = cons_to_prim(UL, gamma)
    rR, uR, pR = cons_to_prim(UR, gamma)
    aL, aR = np.sqrt(gamma * pL / rL), np.sqrt(gamma * pR / rR)
    SL = np.minimum(uL - aL, uR - aR)
    SR = np.maximum(uL + aL, uR + aR)
    Sstar = (pR - pL + rL * uL * (SL - uL) - rR * uR * (SR - uR)) / (rL * (SL - uL)
                                                                     - rR * (SR - uR))
    FL, FR = euler_flux(UL, gamma), euler_flux(UR, gamma)

    def star(r, u, p, S, U):
        fac = r * (S - u) / (S - Sstar)
        return fac * np.array([np.ones_like(r), Sstar,
                               U[2] / r + (Sstar - u) * (Sstar + p / (r * (S - u)))])

    UsL, UsR = star(rL, uL, pL, SL, UL), star(rR, uR, pR, SR, UR)
    FsL = FL + SL * (UsL - UL)
    FsR = FR + SR * (UsR - UR)
    return np.where(0 <= SL, FL, np.where(0 <= Sstar, FsL, np.where(0 <= SR, FsR, FR)))


def roe_flux(UL, UR, gamma=1.4):
    # Roe's flux with Roe averages and the eigen-decomposition written out, Harten's fix
    rL, uL, pL = cons_to_prim(UL, gamma)
    rR, uR, pR = cons_to_prim(UR, gamma)
    HL = (UL[2] + pL) / rL
    HR = (UR[2] + pR) / rR
    sL, sR = np.sqrt(rL), np.sqrt(rR)
    u = (sL * uL + sR * uR) / (sL + sR)
    H = (sL * HL + sR * HR) / (sL + sR)
    a = np.sqrt((gamma - 1) * (H - 0.5 * u ** 2))
    dr, du, dp = rR - rL, uR - uL, pR - pL
    rho = sL * sR
    alpha = np.array([(dp - rho * a * du) / (2 * a ** 2), dr - dp / a ** 2,
                      (dp + rho * a * du) / (2 * a ** 2)])
    lam = np.abs(np.array([u - a, u, u + a]))
    eps = 0.1 * a
    lam = np.where(lam < eps, (lam ** 2 + eps ** 2) / (2 * eps), lam)
    one = np.ones_like(u)
    K = np.array([[one, u - a, H - u * a],
                  [one, u, 0.5 * u ** 2],
                  [one, u + a, H + u * a]])
    diss = np.einsum("kn,kn,kjn->jn", lam, alpha, K)
    return 0.5 * (euler_flux(UL, gamma) + euler_flux(UR, gamma)) - 0.5 * diss


def sod_roe_muscl(U, dx, dt, steps=6):
    # second order in space: minmod-limited primitive slopes, two ghost cells by np.pad
    for _ in range(steps):
        Ug = np.pad(U, ((0, 0), (2, 2)), mode="edge")
        dU = np.diff(Ug, axis=1)
        slope = minmod(dU[:, :-1], dU[:, 1:])
        UL = Ug[:, 1:-2] + 0.5 * slope[:, :-1]
        UR = Ug[:, 2:-1] - 0.5 * slope[:, 1:]
        F = roe_flux(UL, UR)
        U = U - dt / dx * (F[:, 1:] - F[:, :-1])
    return U


def rusanov_euler_rk2(U, dx, dt, steps=5):
    # SSP-RK2 with the Rusanov flux, the whole update a function of U
    def L(U):
        Ug = np.hstack([U[:, [0]], U, U[:, [-1]]])
        rho, u, p = cons_to_prim(Ug)
        a = np.sqrt(1.4 * p / rho)
        smax = np.maximum(np.abs(u[:-1]) + a[:-1], np.abs(u[1:]) + a[1:])
        F = euler_flux(Ug)
        Fh = 0.5 * (F[:, :-1] + F[:, 1:]) - 0.5 * smax * (Ug[:, 1:] - Ug[:, :-1])
        return -(Fh[:, 1:] - Fh[:, :-1]) / dx

    for _ in range(steps):
        U1 = U + dt * L(U)
        U = 0.5 * (U + U1 + dt * L(U1))
    return U


def euler_cfl_dt(U, dx, cfl=0.8, gamma=1.4):
    rho, u, p = cons_to_prim(U, gamma)
    c = np.sqrt(gamma * p / rho)
    return cfl * dx / (np.abs(u) + c).max(), {"mach": np.abs(u) / c, "entropy": p / rho ** gamma}


def weno5_reconstruct(v):
    # Jiang-Shu WENO5 left-biased reconstruction at i + 1/2 from five-point stencils
    vmm, vm, v0, vp, vpp = v[:-4], v[1:-3], v[2:-2], v[3:-1], v[4:]
    b0 = 13 / 12 * (vmm - 2 * vm + v0) ** 2 + 0.25 * (vmm - 4 * vm + 3 * v0) ** 2
    b1 = 13 / 12 * (vm - 2 * v0 + vp) ** 2 + 0.25 * (vm - vp) ** 2
    b2 = 13 / 12 * (v0 - 2 * vp + vpp) ** 2 + 0.25 * (3 * v0 - 4 * vp + vpp) ** 2
    eps = 1e-6
    a = np.array([0.1, 0.6, 0.3])[:, None] / (eps + np.array([b0, b1, b2])) ** 2
    w = a / a.sum(axis=0)
    q = np.array([(2 * vmm - 7 * vm + 11 * v0) / 6, (-vm + 5 * v0 + 2 * vp) / 6,
                  (2 * v0 + 5 * vp - vpp) / 6])
    return (w * q).sum(axis=0)


def weno5_advection(u, c, steps=5):
    # u_t + u_x = 0 on a periodic grid, WENO5 with three-stage SSP-RK3, ghosts by np.pad wrap
    def L(u):
        up = np.pad(u, 3, mode="wrap")
        uh = weno5_reconstruct(up[:-1])
        return -(uh[1:] - uh[:-1])

    for _ in range(steps):
        u1 = u + c * L(u)
        u2 = 0.75 * u + 0.25 * (u1 + c * L(u1))
        u = u / 3 + 2 / 3 * (u2 + c * L(u2))
    return u


def total_variation_history(u, c, steps=8):
    # the TV a limiter notebook checks each step
    tv = np.empty(steps)
    for n in range(steps):
        u = u - c * (u - np.roll(u, 1))
        tv[n] = np.abs(np.diff(u)).sum()
    return u, tv


def flux_limited_2d(q, cx, cy, steps=3):
    # dimensionally split van Leer-limited advection on a periodic 2-D grid
    for _ in range(steps):
        for axis, c in ((0, cx), (1, cy)):
            dq = np.roll(q, -1, axis) - q
            dqm = q - np.roll(q, 1, axis)
            r = dqm / (dq + 1e-12 * (dq == 0))
            F = c * (q + 0.5 * (1 - c) * van_leer(r) * dq)
            q = q - (F - np.roll(F, 1, axis))
    return q
# ============================================================ advection-diffusion, ADI


def upwind_advection_diffusion(u, a, D, dx, dt, steps=10):
    # first-order upwinding chosen by the sign of a varying velocity, central diffusion
    for _ in range(steps):
        dudx_m = (u - np.roll(u, 1)) / dx
        dudx_p = (np.roll(u, -1) - u) / dx
        adv = np.where(a > 0, a * dudx_m, a * dudx_p)
        diff = D * (np.roll(u, -1) - 2 * u + np.roll(u, 1)) / dx ** 2
        u = u + dt * (-adv + diff)
    return u


def upwind_2d_split_velocity(c, u, v, dx, dt, kappa, steps=6):
    # positive and negative parts of the velocity by np.maximum/np.minimum, Dirichlet inflow
    up, um = np.maximum(u, 0), np.minimum(u, 0)
    vp, vm = np.maximum(v, 0), np.minimum(v, 0)
    for _ in range(steps):
        cn = c.copy()
        cx_m = (cn[1:-1, 1:-1] - cn[1:-1, :-2]) / dx
        cx_p = (cn[1:-1, 2:] - cn[1:-1, 1:-1]) / dx
        cy_m = (cn[1:-1, 1:-1] - cn[:-2, 1:-1]) / dx
        cy_p = (cn[2:, 1:-1] - cn[1:-1, 1:-1]) / dx
        lap = (cn[1:-1, 2:] + cn[1:-1, :-2] + cn[2:, 1:-1] + cn[:-2, 1:-1]
               - 4 * cn[1:-1, 1:-1]) / dx ** 2
        c[1:-1, 1:-1] = cn[1:-1, 1:-1] - dt * (up[1:-1, 1:-1] * cx_m + um[1:-1, 1:-1] * cx_p
                                               + vp[1:-1, 1:-1] * cy_m + vm[1:-1, 1:-1] * cy_p
                                               - kappa * lap)
        c[:, 0] = 1.0
        c[:, -1] = c[:, -2]
    return c


def crank_nicolson_diffusion(u, D, dx, dt, steps=5):
    # Crank-Nicolson with dense matrices built by np.diag and solved each step
    n = u.size
    r = D * dt / dx ** 2
    main = np.full(n, 1 + r)
    off = np.full(n - 1, -r / 2)
    A = np.diag(main) + np.diag(off, 1) + np.diag(off, -1)
    B = np.diag(np.full(n, 1 - r)) + np.diag(-off, 1) + np.diag(-off, -1)
    A[0, :], A[-1, :] = 0, 0
    A[0, 0] = A[-1, -1] = 1
    B[0, :], B[-1, :] = 0, 0
    B[0, 0] = B[-1, -1] = 1
    for _ in range(steps):
        u = np.linalg.solve(A, B @ u)
    return u


def crank_nicolson_banded(u, D, dx, dt, steps=5):
    # the same with scipy.linalg.solve_banded and the (3, n) banded storage
    n = u.size
    r = D * dt / dx ** 2
    ab = np.zeros((3, n))
    ab[0, 1:] = -r / 2
    ab[1, :] = 1 + r
    ab[2, :-1] = -r / 2
    for _ in range(steps):
        rhs = u.copy()
        rhs[1:-1] = r / 2 * u[:-2] + (1 - r) * u[1:-1] + r / 2 * u[2:]
        u = scipy.linalg.solve_banded((1, 1), ab, rhs)
    return u


def adi_heat_2d(T, alpha, dx, dt, steps=3):
    # Peaceman-Rachford ADI: implicit in x then in y, each half step by solve_banded on all
    # columns (rows) at once, Dirichlet zero boundaries
    ny, nx = T.shape
    r = alpha * dt / (2 * dx ** 2)
    m = nx - 2
    ab = np.zeros((3, m))
    ab[0, 1:] = -r
    ab[1, :] = 1 + 2 * r
    ab[2, :-1] = -r
    for _ in range(steps):
        Ts = T.copy()
        rhs = T[1:-1, 1:-1] + r * (T[2:, 1:-1] - 2 * T[1:-1, 1:-1] + T[:-2, 1:-1])
        Ts[1:-1, 1:-1] = scipy.linalg.solve_banded((1, 1), ab, rhs.T).T
        rhs = Ts[1:-1, 1:-1] + r * (Ts[1:-1, 2:] - 2 * Ts[1:-1, 1:-1] + Ts[1:-1, :-2])
        T[1:-1, 1:-1] = scipy.linalg.solve_banded((1, 1), ab, rhs)
    return T


def thomas(a, b, c, d):
    # the Thomas algorithm as every CFD course writes it
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


def adi_thomas_rows(T, r, steps=2):
    # ADI with a Python Thomas solver per grid line
    ny, nx = T.shape
    for _ in range(steps):
        T_half = T.copy()
        for j in range(1, ny - 1):
            a = np.full(nx - 2, -r)
            b = np.full(nx - 2, 1 + 2 * r)
            c = np.full(nx - 2, -r)
            d = T[j, 1:-1] + r * (T[j + 1, 1:-1] - 2 * T[j, 1:-1] + T[j - 1, 1:-1])
            d[0] += r * T[j, 0]
            d[-1] += r * T[j, -1]
            T_half[j, 1:-1] = thomas(a, b, c, d)
        T = T_half
    return T


def implicit_upwind_banded(u, c, steps=4):
    # backward Euler, first-order upwind: a lower bidiagonal system by solve_banded((1, 0))
    n = u.size
    ab = np.zeros((2, n))
    ab[0, :] = 1 + c
    ab[1, :-1] = -c
    for _ in range(steps):
        u = scipy.linalg.solve_banded((1, 0), ab, u)
    return u


def convection_diffusion_peclet(u, dx, D, scheme="hybrid"):
    # steady 1-D convection-diffusion coefficients (Versteeg-Malalasekera), hybrid or power law
    F = u
    Dd = D / dx
    Pe = F / Dd
    if scheme == "hybrid":
        aW = np.maximum.reduce([F, Dd + F / 2, np.zeros_like(F)])
        aE = np.maximum.reduce([-F, Dd - F / 2, np.zeros_like(F)])
    else:
        aW = Dd * np.maximum(0, (1 - 0.1 * np.abs(Pe)) ** 5) + np.maximum(F, 0)
        aE = Dd * np.maximum(0, (1 - 0.1 * np.abs(Pe)) ** 5) + np.maximum(-F, 0)
    aP = aW + aE
    return aW, aE, aP, Pe


def advection_semi_lagrangian_1d(u, a, dx, dt, steps=5):
    # semi-Lagrangian advection by np.interp with period
    n = len(u)
    x = np.arange(n) * dx
    L = n * dx
    for _ in range(steps):
        u = np.interp(x - a * dt, x, u, period=L)
    return u


def fractional_step_reaction_diffusion(u, v, Du, Dv, F, k, dt, steps=6):
    # Gray-Scott with a 9-point Laplacian by np.roll, reaction then diffusion each step
    def lap9(z):
        return (-z + 0.2 * (np.roll(z, 1, 0) + np.roll(z, -1, 0) + np.roll(z, 1, 1)
                            + np.roll(z, -1, 1))
                + 0.05 * (np.roll(np.roll(z, 1, 0), 1, 1) + np.roll(np.roll(z, 1, 0), -1, 1)
                          + np.roll(np.roll(z, -1, 0), 1, 1) + np.roll(np.roll(z, -1, 0), -1, 1)))

    for _ in range(steps):
        uvv = u * v * v
        u += dt * (Du * lap9(u) - uvv + F * (1 - u))
        v += dt * (Dv * lap9(v) + uvv - (F + k) * v)
    return u, v


def heat_ftcs_float32(T, alpha, steps=10):
    # the float32 stencil an HPC tutorial writes, with np.float32 coefficients
    c = np.float32(alpha)
    for _ in range(steps):
        T[1:-1, 1:-1] += c * (T[2:, 1:-1] + T[:-2, 1:-1] + T[1:-1, 2:] + T[1:-1, :-2]
                              - np.float32(4) * T[1:-1, 1:-1])
    return T


def heat_neumann_ghost_pad(T, alpha, steps=8):
    # zero-flux walls by reflecting ghost cells with np.pad(mode="edge")
    for _ in range(steps):
        Tp = np.pad(T, 1, mode="edge")
        T = T + alpha * (Tp[2:, 1:-1] + Tp[:-2, 1:-1] + Tp[1:-1, 2:] + Tp[1:-1, :-2] - 4 * T)
    return T, T.sum()


def heat_source_mask(T, source, alpha, q, steps=8):
    # a heated region given as a bool mask, fixed-temperature walls
    for _ in range(steps):
        Tn = T.copy()
        Tn[1:-1, 1:-1] = T[1:-1, 1:-1] + alpha * (T[2:, 1:-1] + T[:-2, 1:-1] + T[1:-1, 2:]
                                                  + T[1:-1, :-2] - 4 * T[1:-1, 1:-1])
        Tn[source] += q
        Tn[0, :] = Tn[-1, :] = Tn[:, 0] = Tn[:, -1] = 0.0
        T = Tn
    return T


def explicit_stability_report(D, dx, dt, a):
    # the r and Courant numbers a notebook prints before running
    r = D * dt / dx ** 2
    C = np.abs(a) * dt / dx
    Pe = np.abs(a) * dx / D
    return {"r": r, "courant": C, "cell_peclet": Pe, "stable": (r <= 0.5) & (C <= 1)}
# ================================================================== diagnostics


def flow_diagnostics(u, v, dx, dy):
    # kinetic energy, enstrophy, divergence norms and the maximum Courant number
    dudx, dudy = np.gradient(u, dx, dy)
    dvdx, dvdy = np.gradient(v, dx, dy)
    omega = dvdx - dudy
    div = dudx + dvdy
    return {
        "ke": 0.5 * np.sum(u ** 2 + v ** 2) * dx * dy,
        "enstrophy": 0.5 * np.sum(omega ** 2) * dx * dy,
        "div_l2": np.sqrt(np.mean(div ** 2)),
        "div_inf": np.max(np.abs(div)),
        "palinstrophy": 0.5 * np.sum(np.add(*[g ** 2 for g in np.gradient(omega, dx, dy)])),
    }


def vorticity_roll(ux, uy):
    # Mocz's form, periodic central differences without the 1/2dx
    return ((np.roll(ux, -1, axis=0) - np.roll(ux, 1, axis=0))
            - (np.roll(uy, -1, axis=1) - np.roll(uy, 1, axis=1)))


def q_criterion(u, v, dx):
    # the 2-D Q criterion from the velocity gradient tensor
    ux, uy = np.gradient(u, dx, edge_order=2)
    vx, vy = np.gradient(v, dx, edge_order=2)
    S2 = ux ** 2 + vy ** 2 + 0.5 * (uy + vx) ** 2
    O2 = 0.5 * (vx - uy) ** 2
    Q = 0.5 * (O2 - S2)
    return Q, Q > 0


def streamfunction_cumtrapz(u, v, dx, dy):
    # the streamfunction by integrating u along y then -v along x with cumulative trapezoids
    import scipy.integrate
    psi_y = scipy.integrate.cumulative_trapezoid(u, dx=dy, axis=0, initial=0)
    psi_x = -scipy.integrate.cumulative_trapezoid(v[0:1, :], dx=dx, axis=1, initial=0)
    return psi_y + psi_x


def velocity_gradient_tensor(u, v, w, dx):
    # 3-D velocity gradients stacked into a (3, 3, ...) tensor, strain and rotation rates
    grads = np.array([np.gradient(c, dx) for c in (u, v, w)])
    S = 0.5 * (grads + grads.transpose(1, 0, 2, 3, 4))
    R = 0.5 * (grads - grads.transpose(1, 0, 2, 3, 4))
    dissipation = 2 * np.einsum("ij...,ij...->...", S, S)
    return dissipation.mean(), np.einsum("ij...,ij...->...", R, R).mean()


def wall_shear_and_cf(u, dy, nu, U_inf, rho=1.0):
    # wall shear stress by a one-sided second-order difference, skin friction coefficient
    dudy = (-3 * u[0] + 4 * u[1] - u[2]) / (2 * dy)
    tau_w = rho * nu * dudy
    cf = tau_w / (0.5 * rho * U_inf ** 2)
    return tau_w, cf, np.trapezoid(cf, dx=1.0)


def boundary_layer_thickness(u, y, U_inf):
    # displacement and momentum thickness by np.trapezoid along the wall-normal axis
    r = u / U_inf
    delta_star = np.trapezoid(1 - r, y, axis=0)
    theta = np.trapezoid(r * (1 - r), y, axis=0)
    return delta_star, theta, delta_star / theta


def reynolds_stresses(u_samples, v_samples):
    # time averages and Reynolds stresses from snapshots along axis 0
    U = u_samples.mean(axis=0)
    V = v_samples.mean(axis=0)
    up = u_samples - U
    vp = v_samples - V
    return {"uu": (up ** 2).mean(0), "vv": (vp ** 2).mean(0), "uv": (up * vp).mean(0),
            "tke": 0.5 * ((up ** 2).mean(0) + (vp ** 2).mean(0))}


def cfl_number_report(u, v, dx, dy, dt):
    cfl = dt * (np.abs(u) / dx + np.abs(v) / dy)
    i, j = np.unravel_index(np.argmax(cfl), cfl.shape)
    return cfl.max(), (i, j), np.count_nonzero(cfl > 0.5)


def drag_lift_momentum(F, obstacle, cx, cy):
    # LBM momentum exchange: sum of 2 f_i c_i over links into the obstacle
    inside = obstacle.astype(float)
    neighbours = [np.roll(np.roll(inside, -cx[i], axis=1), -cy[i], axis=0) for i in range(9)]
    Fx = sum(2 * cx[i] * np.sum(F[:, :, i] * (1 - inside) * neighbours[i]) for i in range(9))
    Fy = sum(2 * cy[i] * np.sum(F[:, :, i] * (1 - inside) * neighbours[i]) for i in range(9))
    return Fx, Fy
# ======================================================== more solvers people write


def roe_flux_eig_batched(UL, UR, gamma=1.4):
    # Roe's flux through the eigen-decomposition of the Roe-averaged Jacobian, one 3x3 matrix
    # per interface by np.linalg.eig, |A| = R |Lambda| R^-1
    rL, uL, pL = cons_to_prim(UL, gamma)
    rR, uR, pR = cons_to_prim(UR, gamma)
    HL, HR = (UL[2] + pL) / rL, (UR[2] + pR) / rR
    sL, sR = np.sqrt(rL), np.sqrt(rR)
    u = (sL * uL + sR * uR) / (sL + sR)
    H = (sL * HL + sR * HR) / (sL + sR)
    n = u.shape[0]
    A = np.zeros((n, 3, 3))
    A[:, 0, 1] = 1.0
    A[:, 1, 0] = 0.5 * (gamma - 3) * u ** 2
    A[:, 1, 1] = (3 - gamma) * u
    A[:, 1, 2] = gamma - 1
    A[:, 2, 0] = u * (0.5 * (gamma - 1) * u ** 2 - H)
    A[:, 2, 1] = H - (gamma - 1) * u ** 2
    A[:, 2, 2] = gamma * u
    lam, R = np.linalg.eig(A)
    absA = R @ (np.abs(lam)[:, :, None] * np.linalg.inv(R))
    diss = np.einsum("nij,jn->in", absA, UR - UL)
    return 0.5 * (euler_flux(UL, gamma) + euler_flux(UR, gamma)) - 0.5 * diss, lam


def kdv_psdiff_rk4(u, L, dt, steps=4):
    # the SciPy cookbook's KdV: spectral derivatives by scipy.fftpack.diff, here with RK4
    from scipy.fftpack import diff as psdiff

    def kdv(u):
        ux = psdiff(u, period=L)
        uxxx = psdiff(u, period=L, order=3)
        return -6 * u * ux - uxxx

    for _ in range(steps):
        k1 = kdv(u)
        k2 = kdv(u + 0.5 * dt * k1)
        k3 = kdv(u + 0.5 * dt * k2)
        k4 = kdv(u + dt * k3)
        u = u + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return u


def poisson_dst_fftpack(f, h):
    # a fast Dirichlet Poisson solver with scipy.fftpack's type-I sine transforms
    import scipy.fftpack
    n, m = f.shape
    fh = scipy.fftpack.dst(scipy.fftpack.dst(f, type=1, axis=0), type=1, axis=1)
    i = np.arange(1, n + 1)[:, None]
    j = np.arange(1, m + 1)[None, :]
    lam = (2 * np.cos(np.pi * i / (n + 1)) - 2 + 2 * np.cos(np.pi * j / (m + 1)) - 2) / h ** 2
    uh = fh / lam
    u = scipy.fftpack.idst(scipy.fftpack.idst(uh, type=1, axis=0), type=1, axis=1)
    return u / (4 * (n + 1) * (m + 1))


def poisson_dstn_scipy_fft(f, h):
    # the same with scipy.fft.dstn / idstn
    import scipy.fft
    n, m = f.shape
    fh = scipy.fft.dstn(f, type=1)
    i = np.arange(1, n + 1)[:, None]
    j = np.arange(1, m + 1)[None, :]
    lam = (2 * np.cos(np.pi * i / (n + 1)) - 2 + 2 * np.cos(np.pi * j / (m + 1)) - 2) / h ** 2
    return scipy.fft.idstn(fh / lam, type=1)


def poisson_sparse_kron(f, h):
    # the 2-D Poisson matrix by Kronecker sums of 1-D operators, solved by spsolve
    import scipy.sparse
    import scipy.sparse.linalg
    ny, nx = f.shape
    Dx = scipy.sparse.diags([1.0, -2.0, 1.0], [-1, 0, 1], shape=(nx, nx)) / h ** 2
    Dy = scipy.sparse.diags([1.0, -2.0, 1.0], [-1, 0, 1], shape=(ny, ny)) / h ** 2
    A = (scipy.sparse.kron(scipy.sparse.identity(ny), Dx)
         + scipy.sparse.kron(Dy, scipy.sparse.identity(nx)))
    u = scipy.sparse.linalg.spsolve(A.tocsc(), f.ravel())
    return u.reshape(ny, nx)


def jacobi_double_buffer(p, b, dx, nit=12):
    # two buffers swapped each sweep instead of a copy
    pn = np.empty_like(p)
    pn[:] = p
    for it in range(nit):
        pn[1:-1, 1:-1] = 0.25 * (p[2:, 1:-1] + p[:-2, 1:-1] + p[1:-1, 2:] + p[1:-1, :-2]
                                 - dx ** 2 * b[1:-1, 1:-1])
        p, pn = pn, p
    return p


def gauss_seidel_rows(p, b, dx, sweeps=3):
    # Gauss-Seidel by rows: each row uses the row just updated above it
    for _ in range(sweeps):
        for j in range(1, p.shape[0] - 1):
            p[j, 1:-1] = 0.25 * (p[j - 1, 1:-1] + p[j + 1, 1:-1] + p[j, 2:] + p[j, :-2]
                                 - dx ** 2 * b[j, 1:-1])
    return p


def sor_point_loops(p, b, dx, omega=1.5, sweeps=2):
    # point SOR with two nested Python loops, the way a first CFD course writes it
    ny, nx = p.shape
    for s in range(sweeps):
        for j in range(1, ny - 1):
            for i in range(1, nx - 1):
                gs = 0.25 * (p[j, i - 1] + p[j, i + 1] + p[j - 1, i] + p[j + 1, i]
                             - dx ** 2 * b[j, i])
                p[j, i] = (1 - omega) * p[j, i] + omega * gs
    return p


def vortex_in_cell_deposit(xp, yp, gamma, dx, nx=6, ny=5):
    # vortex-in-cell: cloud-in-cell deposition of particle circulation by np.add.at on a
    # periodic grid
    w = np.zeros((ny, nx))
    gx, gy = xp / dx, yp / dx
    i = np.floor(gx).astype(int)
    j = np.floor(gy).astype(int)
    fx, fy = gx - i, gy - j
    np.add.at(w, (j % ny, i % nx), gamma * (1 - fx) * (1 - fy))
    np.add.at(w, (j % ny, (i + 1) % nx), gamma * fx * (1 - fy))
    np.add.at(w, ((j + 1) % ny, i % nx), gamma * (1 - fx) * fy)
    np.add.at(w, ((j + 1) % ny, (i + 1) % nx), gamma * fx * fy)
    return w / dx ** 2


def limiter_piecewise_select(r):
    # van Leer by np.piecewise and the minmod by np.select, as limiter notebooks compare them
    vl = np.piecewise(r, [r <= 0, r > 0], [0.0, lambda r: 2 * r / (1 + r)])
    mm = np.select([r <= 0, r < 1], [0.0, r], default=1.0)
    return vl, mm


def stencil_sliding_window(u, dx, nu, dt, steps=5):
    # the diffusion stencil as a dot product with sliding windows
    from numpy.lib.stride_tricks import sliding_window_view
    stencil = np.array([1.0, -2.0, 1.0])
    for _ in range(steps):
        up = np.pad(u, 1, mode="wrap")
        u = u + nu * dt / dx ** 2 * (sliding_window_view(up, 3) @ stencil)
    return u


def lbm_stream_modulo_index(f):
    # streaming by gathering with modular index grids instead of np.roll
    nx, ny = f.shape[1:]
    X, Y = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    out = np.empty_like(f)
    for i in range(9):
        out[i] = f[i, (X - C_D2Q9[i, 0]) % nx, (Y - C_D2Q9[i, 1]) % ny]
    return out


def lbm_int_obstacle_bounce(fin, obstacle):
    # an obstacle map read from an image as 0/1 ints, compared to 1 for the mask
    solid = obstacle == 1
    fout = fin.copy()
    fout[:, solid] = fin[OPP_D2Q9][:, solid]
    return fout, solid.sum(), np.count_nonzero(~solid) / solid.size
# =================================================================================== tables


def _feq_textbook(rho, u):
    cu = np.einsum("id,dxy->ixy", C_D2Q9, u)
    usq = (u ** 2).sum(axis=0)
    return W_D2Q9[:, None, None] * rho * (1 + 3 * cu + 4.5 * cu ** 2 - 1.5 * usq)


def _lbm_f(seed, nx, ny, u0=0.05):
    # a perturbed equilibrium in the textbook ordering, shape (9, nx, ny)
    rng = np.random.default_rng(seed)
    rho = 1 + 0.01 * rng.standard_normal((nx, ny))
    u = np.stack([u0 + 0.01 * rng.standard_normal((nx, ny)),
                  0.01 * rng.standard_normal((nx, ny))])
    return _feq_textbook(rho, u) * (1 + 0.001 * rng.standard_normal((9, nx, ny)))


def _mocz_F(seed, ny, nx):
    # Mocz's initial condition: near-rest populations with a rightward stream, normalised
    rng = np.random.default_rng(seed)
    F = np.ones((ny, nx, NL)) + 0.01 * rng.standard_normal((ny, nx, NL))
    X, Y = np.meshgrid(range(nx), range(ny))
    F[:, :, 3] += 2 * (1 + 0.2 * np.cos(2 * np.pi * X / nx * 4))
    rho = np.sum(F, 2)
    F *= 100 / rho[:, :, None]
    return F


def _disk(ny, nx, cy, cx, r):
    Y, X = np.indices((ny, nx))
    return (X - cx) ** 2 + (Y - cy) ** 2 < r ** 2


def _pal_f(seed, nx, ny):
    rng = np.random.default_rng(seed)
    rho = 1 + 0.01 * rng.standard_normal((nx, ny))
    u = np.stack([0.04 + 0.01 * rng.standard_normal((nx, ny)),
                  0.01 * rng.standard_normal((nx, ny))])
    return pal_equilibrium(rho, u), u


LBM = {
    "mocz_cylinder_mask_argument": (lbm_mocz_cylinder, {"Nt": 4}, lambda s, n: (
        _mocz_F(s, 2 * n, 4 * n), _disk(2 * n, 4 * n, n, n + s % 2, n / 2), 0.6)),
    "mocz_cylinder_meshgrid_inside": (lbm_mocz_cylinder_inside, {"Nt": 4}, lambda s, n: (
        _mocz_F(s, 2 * n, 4 * n), 0.55 + 0.05 * s)),
    "equilibrium_einsum": (lbm_equilibrium_einsum, {}, lambda s, n: (
        1 + 0.01 * _f(n, 2 * n, seed=s), 0.05 * _f(2, n, 2 * n, seed=s + 1))),
    "equilibrium_tensordot": (lbm_equilibrium_tensordot, {}, lambda s, n: (
        1 + 0.01 * _f(n, 3, seed=s), 0.05 * _f(n, 3, seed=s + 1), 0.05 * _f(n, 3, seed=s + 2))),
    "macroscopic_np_dot": (lbm_macroscopic_dot, {}, lambda s, n: (
        np.moveaxis(_lbm_f(s, n, 5), 0, -1),)),
    "stream_loop_tuple_shift": (lbm_stream_loop, {}, lambda s, n: (_lbm_f(s, n, n + 1),)),
    "stream_list_comprehension": (lbm_stream_list, {}, lambda s, n: (_lbm_f(s, n, n + 1),)),
    "bgk_bounce_fancy_writes": (lbm_bgk_step_bounce, {"steps": 3}, lambda s, n: (
        _lbm_f(s, 2 * n, n), _disk(2 * n, n, n, n // 2, 1.6), 1.2)),
    "bgk_bounce_np_where": (lbm_bounce_where, {"steps": 3}, lambda s, n: (
        _lbm_f(s, 2 * n, n), _disk(2 * n, n, n, n // 2, 1.6), 1.1)),
    "zou_he_velocity_inlet": (lbm_zou_he_inlet, {}, lambda s, n: (
        _lbm_f(s, n, n + 2), 0.04 + 0.01 * s)),
    "zou_he_pressure_outlet": (lbm_zou_he_outlet_pressure, {}, lambda s, n: (
        _lbm_f(s, n, n + 2), 1.0 - 0.01 * s)),
    "palabos_cylinder": (palabos_cylinder, {"steps": 3}, lambda s, n: (
        *_pal_f(s, 3 * n, n + 2), _disk(3 * n, n + 2, n, (n + 2) / 2, 1.5), 1.5)),
    "lid_driven_halfway_bounce": (lbm_lid_driven_halfway, {"steps": 3}, lambda s, n: (
        _lbm_f(s, n, n, u0=0.0), 0.1 * s)),
    "guo_forcing_channel": (lbm_guo_forcing_channel, {"steps": 3}, lambda s, n: (
        _lbm_f(s, n, n + 2, u0=0.01), 1e-5 * s)),
    "mrt_transform_inv": (lbm_mrt_moments, {}, lambda s, n: (_lbm_f(s, n, 3),)),
    "vorticity_np_gradient": (lbm_vorticity_gradient, {}, lambda s, n: (
        _f(n, n + 1, seed=s), _f(n, n + 1, seed=s + 1), 0.5)),
    "float32_lattice": (lbm_float32_step, {}, lambda s, n: (
        _lbm_f(s, n, 3).astype(np.float32),)),
}


@pytest.mark.parametrize("name", _names(LBM))
def test_lattice_boltzmann_matches_numpy(name):
    """D2Q9 streaming, collision, equilibria, bounce-back, Zou-He and forcing: NumPy's values."""
    check_like_numpy(*LBM[name])


def _sw1d(seed, n):
    x = np.linspace(0, 1, n)
    h = 1 + 0.5 * np.exp(-((x - 0.3 - 0.05 * seed) / 0.1) ** 2)
    return h, 0.05 * _f(n, seed=seed)


SHALLOW = {
    "lax_friedrichs_1d_reflective": (sw_lax_friedrichs_1d, {"steps": 8}, lambda s, n: (
        *_sw1d(s, 5 * n), 0.05, 0.005)),
    "lax_wendroff_state_flux_helper": (sw_lax_wendroff_1d_state, {"steps": 6}, lambda s, n: (
        np.stack(_sw1d(s, 5 * n)), 0.05, 0.005)),
    "rusanov_dam_break_cfl": (sw_dam_break_rusanov, {"steps": 8}, lambda s, n: (
        np.where(np.arange(5 * n) < 2 * n + s, 2.0, 1.0), np.zeros(5 * n), 0.1)),
    "lax_friedrichs_2d_walls": (sw_lax_friedrichs_2d, {"steps": 5}, lambda s, n: (
        1 + 0.1 * _u(s, n + 2, n + 3), 0.01 * _f(n + 2, n + 3, seed=s),
        0.01 * _f(n + 2, n + 3, seed=s + 1), 0.1, 0.005)),
    "linearised_coriolis_roll": (sw_linearised_roll, {"steps": 8}, lambda s, n: (
        0.1 * _f(n, n + 1, seed=s), np.zeros((n, n + 1)), np.zeros((n, n + 1)), 10.0, 1e3,
        10.0)),
    "wave_2d_leapfrog": (sw_wave_2d_leapfrog, {"steps": 6}, lambda s, n: (
        _f(n + 2, n + 2, seed=s), _f(n + 2, n + 2, seed=s + 1), 1.0, 0.1, 0.05)),
    "hll_flux_np_where": (sw_hll_flux, {}, lambda s, n: (
        _pos(s, 3 * n, lo=0.5, hi=2), _f(3 * n, seed=s), _pos(s + 1, 3 * n, lo=0.5, hi=2),
        _f(3 * n, seed=s + 1))),
    "hll_finite_volume_pad": (sw_hll_fv, {"steps": 5}, lambda s, n: (
        *_sw1d(s, 5 * n), 0.05, 0.004)),
    "bathymetry_source": (sw_bathymetry_source, {"steps": 5}, lambda s, n: (
        *_sw1d(s, 5 * n), 0.1 * _u(s + 3, 5 * n), 0.05, 0.004)),
    "mass_momentum_history_dict": (sw_mass_momentum_history, {"steps": 6}, lambda s, n: (
        *_sw1d(s, 5 * n), 0.05, 0.004)),
}


@pytest.mark.parametrize("name", _names(SHALLOW))
def test_shallow_water_matches_numpy(name):
    """Lax-Friedrichs, Lax-Wendroff, Rusanov and HLL shallow-water steps: NumPy's values."""
    check_like_numpy(*SHALLOW[name])


def _particles(seed, n, d=2, spread=1.0):
    return spread * np.random.default_rng(seed).random((n, d))


SPH = {
    "mocz_star_leapfrog": (sph_mocz_leapfrog, {"Nt": 2}, lambda s, n: (
        _f(2 * n, 3, seed=s), np.zeros((2 * n, 3)), 2.0 / (2 * n), 0.1)),
    "mocz_getacc_pairwise_reshapes": (sph_mocz_acc, {}, lambda s, n: (
        _f(2 * n, 3, seed=s), _f(2 * n, 3, seed=s + 1), 0.1, 0.1, 0.1, 1, 2.01, 1.0)),
    "cubic_spline_density": (sph_density_cubic, {}, lambda s, n: (
        _particles(s, 3 * n), _pos(s, 3 * n, lo=0.5, hi=1.5), 0.3)),
    "muller_poly6_spiky_viscosity": (sph_muller_forces, {}, lambda s, n: (
        _particles(s, 3 * n, spread=0.2), _f(3 * n, 2, seed=s), np.full(3 * n, 0.02),
        0.1)),
    "muller_euler_walls": (sph_muller_step, {"steps": 2}, lambda s, n: (
        _particles(s, 3 * n, spread=0.2), _f(3 * n, 2, seed=s), np.full(3 * n, 0.02),
        0.1)),
    "wendland_c2_matmul": (wendland_c2_density, {}, lambda s, n: (
        _particles(s, 3 * n), _pos(s, 3 * n, lo=0.5, hi=1.5), 0.25)),
    "tait_eos_int_gamma": (sph_tait_eos, {}, lambda s, n: (
        1000 + 5 * _f(3 * n, seed=s),)),
    "monaghan_artificial_viscosity": (sph_artificial_viscosity, {}, lambda s, n: (
        _particles(s, 3 * n), _f(3 * n, 2, seed=s), _pos(s, 3 * n, lo=900, hi=1100),
        _pos(s + 1, 3 * n), np.full(3 * n, 0.01), 0.2)),
    "density_particle_loop": (sph_density_loop, {}, lambda s, n: (
        _particles(s, 2 * n), _pos(s, 2 * n, lo=0.5, hi=1.5), 0.3)),
    "shepard_filter": (sph_shepard_filter, {}, lambda s, n: (
        _particles(s, 3 * n), _f(3 * n, seed=s), np.full(3 * n, 0.01),
        _pos(s, 3 * n, lo=900, hi=1100), 0.3)),
    "xsph_einsum": (sph_xsph, {}, lambda s, n: (
        _particles(s, 3 * n), _f(3 * n, 2, seed=s), np.full(3 * n, 0.01),
        _pos(s, 3 * n, lo=900, hi=1100), 0.3)),
}


@pytest.mark.parametrize("name", _names(SPH))
def test_sph_matches_numpy(name):
    """SPH kernels, densities, pressures, viscosities and integrators: NumPy's values."""
    check_like_numpy(*SPH[name])


def _cavity(seed, n):
    return (0.1 * _f(n + 3, n + 3, seed=seed), 0.1 * _f(n + 3, n + 3, seed=seed + 1),
            np.zeros((n + 3, n + 3)))


def _kgrid(n, L=2 * np.pi):
    k = 2 * np.pi * np.fft.fftfreq(n, d=L / n)
    return np.meshgrid(k, k, indexing="ij")


INCOMPRESSIBLE = {
    "cavity_flow_cfd_python": (cavity_flow, {}, lambda s, n: (
        3, *_cavity(s, n)[:2], 0.001, 2 / (n + 2), 2 / (n + 2), _cavity(s, n)[2], 1.0, 0.1)),
    "pressure_poisson_jacobi": (pressure_poisson, {"nit": 15}, lambda s, n: (
        np.zeros((n + 3, n + 4)), 0.1, 0.12, _f(n + 3, n + 4, seed=s))),
    "build_up_b_in_place": (build_up_b, {}, lambda s, n: (
        np.zeros((n + 3, n + 4)), 1.0, 0.01, _f(n + 3, n + 4, seed=s),
        _f(n + 3, n + 4, seed=s + 1), 0.1, 0.1)),
    "channel_flow_periodic_columns": (channel_flow_periodic, {"nt": 2, "nit": 6}, lambda s, n: (
        *_cavity(s, n), 0.001, 0.1, 0.1)),
    "burgers_2d_cfd_python": (burgers_2d, {"nt": 6}, lambda s, n: (
        1 + _u(s, n + 3, n + 4), 1 + _u(s + 1, n + 3, n + 4), 0.002, 0.1, 0.1, 0.05)),
    "projection_fft2_pressure": (projection_step_fft, {}, lambda s, n: (
        _f(2 * n, 2 * n, seed=s), _f(2 * n, 2 * n, seed=s + 1), 0.01, 0.05)),
    "spectral_vorticity_mocz": (spectral_ns_vorticity, {"steps": 3}, lambda s, n: (
        _f(2 * n, 2 * n, seed=s), 0.001, 0.001)),
    "poisson_rfft2_masked_divide": (poisson_fft_rfft2, {}, lambda s, n: (
        _f(2 * n, n + 2, seed=s),)),
    "poisson_jacobi_residual_norm": (poisson_jacobi_dirichlet, {"iters": 25}, lambda s, n: (
        _f(n + 3, n + 3, seed=s), 0.1)),
    "red_black_sor_checkerboard": (poisson_red_black_sor, {"sweeps": 6}, lambda s, n: (
        _f(n + 3, n + 4, seed=s), 0.1, 1.4)),
    "vorticity_streamfunction_cavity": (
        vorticity_streamfunction_cavity, {"steps": 3, "nit": 10}, lambda s, n: (
            np.zeros((n + 3, n + 3)), np.zeros((n + 3, n + 3)), 1 / (n + 2), 0.001, 0.05,
            1.0 + 0.1 * s)),
    "mac_pressure_correction": (mac_pressure_correction, {}, lambda s, n: (
        _f(n, n + 1, seed=s), _f(n + 1, n, seed=s + 1), _f(n, n, seed=s + 2), 0.1, 0.01)),
    "stable_fluids_semi_lagrangian": (semi_lagrangian_advect, {}, lambda s, n: (
        _f(n + 2, n + 3, seed=s), _f(n + 2, n + 3, seed=s + 1), _f(n + 2, n + 3, seed=s + 2),
        0.5, 0.25)),
}


@pytest.mark.parametrize("name", _names(INCOMPRESSIBLE))
def test_incompressible_flow_matches_numpy(name):
    """Cavity and channel flow, projection, Poisson solvers and vorticity-streamfunction:
    NumPy's values."""
    check_like_numpy(*INCOMPRESSIBLE[name])


def _ks_u(seed, n):
    N = 16 * n
    x = 32 * np.pi * np.arange(1, N + 1) / N
    return np.cos(x / 16) * (1 + np.sin(x / 16)) + 0.01 * seed


SPECTRAL = {
    "ks_etdrk4_kassam_trefethen": (ks_etdrk4, {"steps": 4}, lambda s, n: (_ks_u(s, n), 0.25)),
    "etdrk4_coefficients_broadcast": (etdrk4_coeffs_broadcast, {"M": 16}, lambda s, n: (
        np.fft.fftfreq(4 * n, d=1 / (4 * n)) ** 2 * (-0.01 * s), 0.1)),
    "burgers_spectral_rk4_dealias": (burgers_spectral_rk4, {"steps": 4}, lambda s, n: (
        np.sin(np.linspace(0, 2 * np.pi, 8 * n, endpoint=False)) + 0.1 * s, 0.05, 0.01)),
    "burgers_integrating_factor": (burgers_ifrk_fourier, {"steps": 4}, lambda s, n: (
        np.fft.fft(np.sin(np.linspace(0, 2 * np.pi, 8 * n, endpoint=False)) * s), 0.05, 0.01,
        np.fft.fftfreq(8 * n, d=1 / (8 * n)))),
    "kdv_split_step": (kdv_split_step, {"steps": 4}, lambda s, n: (
        0.5 / np.cosh(0.5 * (np.linspace(-20, 20, 8 * n, endpoint=False) + s)) ** 2, 0.001)),
    "kdv_soliton_residual": (kdv_soliton_residual, {}, lambda s, n: (
        np.linspace(-20, 20, 8 * n, endpoint=False), 1.0 + 0.2 * s, -2.0, 0.1)),
    "cheb_poisson_solve": (cheb_poisson_1d, {}, lambda s, n: (
        np.exp(4 * np.cos(np.pi * np.arange(1, 2 * n) / (2 * n))) * s,)),
    "heat_spectral_float32": (heat_spectral_exact, {}, lambda s, n: (
        _f(4 * n, seed=s).astype(np.float32), 0.01, 0.5)),
    "energy_spectrum_bincount": (energy_spectrum_2d, {"nbins": 6}, lambda s, n: (
        _f(2 * n, 2 * n, seed=s), _f(2 * n, 2 * n, seed=s + 1))),
    "kolmogorov_forcing_rhs": (kolmogorov_forcing_rhs, {}, lambda s, n: (
        np.fft.fft2(_f(2 * n, 2 * n, seed=s)), *_kgrid(2 * n), 0.01)),
}


@pytest.mark.parametrize("name", _names(SPECTRAL))
def test_spectral_solvers_match_numpy(name):
    """ETDRK4, spectral Burgers and KdV, Chebyshev and Fourier solvers: NumPy's values."""
    check_like_numpy(*SPECTRAL[name])


def _vc(n):
    return 2 ** (n // 2 + 2) + 1


MULTIGRID = {
    "v_cycle_recursive_levels": (multigrid_solve, {"cycles": 2, "levels": 3}, lambda s, n: (
        _f(_vc(n), _vc(n), seed=s), 1 / (_vc(n) - 1))),
    "full_weighting_strided": (restrict_full_weighting, {}, lambda s, n: (
        _f(_vc(n), _vc(n), seed=s),)),
    "bilinear_prolongation_strided_writes": (prolong_bilinear, {}, lambda s, n: (
        _f(n + 1, n + 1, seed=s),)),
    "injection": (restrict_injection, {}, lambda s, n: (_f(2 * n + 1, 2 * n + 1, seed=s),)),
    "cell_restriction_reshape_mean": (restrict_average_cell, {}, lambda s, n: (
        _f(2 * n, 2 * n + 2, seed=s),)),
    "prolong_np_repeat": (prolong_repeat, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "prolong_np_kron": (prolong_kron, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "two_grid_periodic_roll": (two_grid_periodic, {"sweeps": 2}, lambda s, n: (
        np.zeros((2 * n, 2 * n)), _f(2 * n, 2 * n, seed=s) - _f(2 * n, 2 * n, seed=s).mean(),
        0.1)),
    "v_cycle_1d_interp": (multigrid_1d_vcycle, {"levels": 3}, lambda s, n: (
        np.zeros(_vc(n)), _f(_vc(n), seed=s), 1 / (_vc(n) - 1))),
}


@pytest.mark.parametrize("name", _names(MULTIGRID))
def test_multigrid_matches_numpy(name):
    """V-cycles, restrictions and prolongations: NumPy's values."""
    check_like_numpy(*MULTIGRID[name])


def _square(seed, n):
    x = np.linspace(0, 1, 6 * n, endpoint=False)
    return np.where((x > 0.2 + 0.02 * seed) & (x < 0.5), 1.0, 0.0) + 0.1 * np.sin(2 * np.pi * x)


FINITE_VOLUME = {
    "tvd_superbee_by_name": (advect_tvd_periodic, {"limiter": "superbee", "steps": 8},
                             lambda s, n: (_square(s, n), 0.4)),
    "tvd_van_leer_by_name": (advect_tvd_periodic, {"limiter": "vanleer", "steps": 8},
                             lambda s, n: (_square(s, n), 0.5)),
    "tvd_mc_by_name": (advect_tvd_periodic, {"limiter": "mc", "steps": 8},
                       lambda s, n: (_square(s, n), 0.3)),
    "tvd_van_albada_by_name": (advect_tvd_periodic, {"limiter": "vanalbada", "steps": 8},
                               lambda s, n: (_square(s, n), 0.45)),
    "limiter_ratio_guarded": (limiter_ratio, {}, lambda s, n: (_square(s, n),)),
    "muscl_minmod_concat_ghosts": (muscl_minmod_slopes, {"steps": 8}, lambda s, n: (
        _square(s, n), 0.5)),
    "burgers_godunov_where": (burgers_godunov, {"steps": 8}, lambda s, n: (
        np.sin(np.linspace(0, 2 * np.pi, 6 * n)) + 0.1 * s, 0.1, 0.04)),
    "burgers_engquist_osher_lambda": (burgers_engquist_osher, {"steps": 8}, lambda s, n: (
        np.sin(np.linspace(0, 2 * np.pi, 6 * n, endpoint=False)) + 0.1 * s, 0.1, 0.04)),
    "sod_lax_friedrichs_cfl": (sod_lax_friedrichs, {"steps": 8}, lambda s, n: (
        sod_initial(8 * n), 1 / (8 * n), 0.4 + 0.05 * s)),
    "sod_hll_concat_ghosts": (sod_hll_ghost_concat, {"steps": 6}, lambda s, n: (
        sod_initial(8 * n) * (1 + 0.01 * s), 1 / (8 * n), 0.2 / (8 * n))),
    "hllc_flux_star_states": (hllc_flux, {}, lambda s, n: (
        prim_to_cons(_pos(s, 3 * n, lo=0.1, hi=1), _f(3 * n, seed=s), _pos(s + 1, 3 * n, lo=0.1,
                                                                             hi=1)),
        prim_to_cons(_pos(s + 2, 3 * n, lo=0.1, hi=1), _f(3 * n, seed=s + 1),
                     _pos(s + 3, 3 * n, lo=0.1, hi=1)))),
    "roe_flux_harten_einsum": (roe_flux, {}, lambda s, n: (
        prim_to_cons(_pos(s, 3 * n, lo=0.1, hi=1), _f(3 * n, seed=s), _pos(s + 1, 3 * n, lo=0.1,
                                                                             hi=1)),
        prim_to_cons(_pos(s + 2, 3 * n, lo=0.1, hi=1), _f(3 * n, seed=s + 1),
                     _pos(s + 3, 3 * n, lo=0.1, hi=1)))),
    "sod_muscl_roe_pad": (sod_roe_muscl, {"steps": 5}, lambda s, n: (
        sod_initial(8 * n), 1 / (8 * n), 0.2 / (8 * n))),
    "rusanov_ssp_rk2_hstack": (rusanov_euler_rk2, {"steps": 4}, lambda s, n: (
        sod_initial(8 * n) * (1 + 0.02 * s), 1 / (8 * n), 0.2 / (8 * n))),
    "euler_cfl_dt_and_dict": (euler_cfl_dt, {}, lambda s, n: (
        prim_to_cons(_pos(s, 3 * n, lo=0.1, hi=1), _f(3 * n, seed=s), _pos(s + 1, 3 * n, lo=0.1,
                                                                             hi=1)), 0.01)),
    "weno5_ssp_rk3": (weno5_advection, {"steps": 4}, lambda s, n: (_square(s, n), 0.4)),
    "total_variation_history": (total_variation_history, {"steps": 6}, lambda s, n: (
        _square(s, n), 0.5)),
    "van_leer_split_2d": (flux_limited_2d, {"steps": 2}, lambda s, n: (
        _u(s, n + 2, n + 3), 0.3, 0.2)),
}


@pytest.mark.parametrize("name", _names(FINITE_VOLUME))
def test_finite_volume_matches_numpy(name):
    """Flux limiters, MUSCL, Godunov, HLL, HLLC, Roe, WENO5 and Sod's tube: NumPy's values."""
    check_like_numpy(*FINITE_VOLUME[name])


ADVECTION_DIFFUSION = {
    "upwind_where_varying_velocity": (upwind_advection_diffusion, {"steps": 8}, lambda s, n: (
        _square(s, n), np.sin(np.linspace(0, 2 * np.pi, 6 * n)), 0.01, 0.1, 0.02)),
    "upwind_2d_split_velocity": (upwind_2d_split_velocity, {"steps": 5}, lambda s, n: (
        np.zeros((n + 2, n + 3)), _f(n + 2, n + 3, seed=s), _f(n + 2, n + 3, seed=s + 1),
        0.1, 0.01, 0.05)),
    "crank_nicolson_dense_diag": (crank_nicolson_diffusion, {"steps": 4}, lambda s, n: (
        _square(s, n), 0.1, 0.1, 0.05)),
    "crank_nicolson_solve_banded": (crank_nicolson_banded, {"steps": 4}, lambda s, n: (
        _square(s, n), 0.1, 0.1, 0.05)),
    "adi_solve_banded_all_lines": (adi_heat_2d, {"steps": 2}, lambda s, n: (
        _u(s, n + 2, n + 2), 1.0, 0.1, 0.01)),
    "adi_python_thomas_rows": (adi_thomas_rows, {"steps": 1}, lambda s, n: (
        _u(s, n + 1, n + 2), 0.4)),
    "thomas_algorithm": (thomas, {}, lambda s, n: (
        np.r_[0, -_u(s, 3 * n - 1)], 3 + _u(s + 1, 3 * n), np.r_[-_u(s + 2, 3 * n - 1), 0],
        _f(3 * n, seed=s))),
    "implicit_upwind_lower_band": (implicit_upwind_banded, {"steps": 3}, lambda s, n: (
        _square(s, n), 0.8)),
    "hybrid_scheme_maximum_reduce": (convection_diffusion_peclet, {"scheme": "hybrid"},
                                     lambda s, n: (_f(3 * n, seed=s) * 3, 0.1, 0.05)),
    "power_law_scheme": (convection_diffusion_peclet, {"scheme": "power"}, lambda s, n: (
        _f(3 * n, seed=s) * 3, 0.1, 0.05)),
    "semi_lagrangian_interp_period": (advection_semi_lagrangian_1d, {"steps": 4}, lambda s, n: (
        _square(s, n), 0.7, 0.1, 0.03)),
    "gray_scott_nine_point": (fractional_step_reaction_diffusion, {"steps": 5}, lambda s, n: (
        1 - 0.1 * _u(s, n + 1, n + 2), 0.2 * _u(s + 1, n + 1, n + 2), 0.16, 0.08, 0.035, 0.065,
        1.0)),
    "heat_ftcs_float32_in_place": (heat_ftcs_float32, {"steps": 8}, lambda s, n: (
        _u(s, n + 2, n + 3).astype(np.float32), 0.2)),
    "heat_neumann_pad_edge": (heat_neumann_ghost_pad, {"steps": 6}, lambda s, n: (
        _u(s, n + 1, n + 2), 0.2)),
    "heat_source_bool_mask": (heat_source_mask, {"steps": 6}, lambda s, n: (
        np.zeros((n + 3, n + 3)), _disk(n + 3, n + 3, (n + 2) / 2, (n + 2) / 2, 1.5 + 0.2 * s),
        0.2, 1.0)),
    "stability_report_dict": (explicit_stability_report, {}, lambda s, n: (
        0.01 * s, 0.1, 0.01, _f(n, seed=s))),
}


@pytest.mark.parametrize("name", _names(ADVECTION_DIFFUSION))
def test_advection_diffusion_matches_numpy(name):
    """Upwinding, Crank-Nicolson, ADI, banded solves and explicit stencils: NumPy's values."""
    check_like_numpy(*ADVECTION_DIFFUSION[name])


DIAGNOSTICS = {
    "energy_enstrophy_divergence_dict": (flow_diagnostics, {}, lambda s, n: (
        _f(n + 1, n + 2, seed=s), _f(n + 1, n + 2, seed=s + 1), 0.1, 0.2)),
    "vorticity_roll": (vorticity_roll, {}, lambda s, n: (
        _f(n, n + 1, seed=s), _f(n, n + 1, seed=s + 1))),
    "q_criterion_edge_order_2": (q_criterion, {}, lambda s, n: (
        _f(n + 1, n + 2, seed=s), _f(n + 1, n + 2, seed=s + 1), 0.1)),
    "streamfunction_cumulative_trapezoid": (streamfunction_cumtrapz, {}, lambda s, n: (
        _f(n + 1, n + 2, seed=s), _f(n + 1, n + 2, seed=s + 1), 0.1, 0.2)),
    "velocity_gradient_invariants_3d": (velocity_gradient_tensor, {}, lambda s, n: (
        _f(n, 3, 4, seed=s), _f(n, 3, 4, seed=s + 1), _f(n, 3, 4, seed=s + 2), 0.1)),
    "wall_shear_skin_friction": (wall_shear_and_cf, {}, lambda s, n: (
        _u(s, 4, 2 * n), 0.01, 1e-3, 1.0)),
    "boundary_layer_thicknesses": (boundary_layer_thickness, {}, lambda s, n: (
        np.tanh(np.linspace(0, 3, 3 * n))[:, None] * (1 + 0.1 * _u(s, 1, 4)),
        np.linspace(0, 0.05, 3 * n), 1.1)),
    "reynolds_stresses_dict": (reynolds_stresses, {}, lambda s, n: (
        _f(3 * n, 3, 4, seed=s), _f(3 * n, 3, 4, seed=s + 1))),
    "cfl_report_unravel_index": (cfl_number_report, {}, lambda s, n: (
        _f(n, n + 1, seed=s), _f(n, n + 1, seed=s + 1), 0.1, 0.1, 0.03)),
    "lbm_momentum_exchange_python_sum": (drag_lift_momentum, {}, lambda s, n: (
        _mocz_F(s, 2 * n, 3 * n), _disk(2 * n, 3 * n, n, n, 1.5), CXS, CYS)),
}


@pytest.mark.parametrize("name", _names(DIAGNOSTICS))
def test_flow_diagnostics_match_numpy(name):
    """Energies, enstrophy, divergence, Q criterion, streamfunctions and wall quantities:
    NumPy's values."""
    check_like_numpy(*DIAGNOSTICS[name])


MORE = {
    "roe_flux_batched_eig": (roe_flux_eig_batched, {}, lambda s, n: (
            prim_to_cons(_pos(s, 3 * n, lo=0.5, hi=1), 0.3 * _f(3 * n, seed=s),
                         _pos(s + 1, 3 * n, lo=0.5, hi=1)),
            prim_to_cons(_pos(s + 2, 3 * n, lo=0.5, hi=1), 0.3 * _f(3 * n, seed=s + 1),
                         _pos(s + 3, 3 * n, lo=0.5, hi=1)))),
    "kdv_scipy_fftpack_diff": (kdv_psdiff_rk4, {"steps": 3}, lambda s, n: (
        0.5 / np.cosh(0.5 * (np.linspace(-20, 20, 8 * n, endpoint=False) + s)) ** 2, 40.0,
        1e-4)),
    "poisson_scipy_fftpack_dst": (poisson_dst_fftpack, {}, lambda s, n: (
        _f(n, n + 1, seed=s), 0.1)),
    "poisson_scipy_fft_dstn": (poisson_dstn_scipy_fft, {}, lambda s, n: (
        _f(n, n + 1, seed=s), 0.1)),
    "poisson_sparse_kron_spsolve": (poisson_sparse_kron, {}, lambda s, n: (
        _f(n, n + 1, seed=s), 0.1)),
    "jacobi_double_buffer_swap": (jacobi_double_buffer, {"nit": 9}, lambda s, n: (
        np.zeros((n + 2, n + 3)), _f(n + 2, n + 3, seed=s), 0.1)),
    "gauss_seidel_by_rows": (gauss_seidel_rows, {"sweeps": 3}, lambda s, n: (
        np.zeros((n + 2, n + 3)), _f(n + 2, n + 3, seed=s), 0.1)),
    "sor_point_double_loop": (sor_point_loops, {"sweeps": 2}, lambda s, n: (
        np.zeros((n, n + 1)), _f(n, n + 1, seed=s), 0.1, 1.4)),
    "vortex_in_cell_add_at": (vortex_in_cell_deposit, {"nx": 6, "ny": 5}, lambda s, n: (
        _u(s, 3 * n) * 0.6, _u(s + 1, 3 * n) * 0.5, _f(3 * n, seed=s), 0.1)),
    "limiters_piecewise_select": (limiter_piecewise_select, {}, lambda s, n: (
        3 * _f(4 * n, seed=s),)),
    "diffusion_sliding_window_view": (stencil_sliding_window, {"steps": 4}, lambda s, n: (
        _square(s, n), 0.1, 0.1, 0.004)),
    "lbm_stream_modulo_gather": (lbm_stream_modulo_index, {}, lambda s, n: (
        _lbm_f(s, n, n + 1),)),
    "lbm_int_obstacle_map": (lbm_int_obstacle_bounce, {}, lambda s, n: (
        _lbm_f(s, n, n + 1), _disk(n, n + 1, n / 2, n / 2, 1.5).astype(np.int32))),
}


@pytest.mark.parametrize("name", _names(MORE))
def test_more_solvers_match_numpy(name):
    """Roe by eig, fftpack spectral derivatives and sine transforms, sparse Poisson matrices,
    Gauss-Seidel and SOR loops, particle deposition, limiters by piecewise/select, sliding
    windows and LBM gathers: NumPy's values."""
    check_like_numpy(*MORE[name])


# ------------------------------------------------------------------------ steered scalars


def linear_convection_cfd_python(nx, nt, c):
    # CFD Python step 1: the hat function placed by int() of Python floats from nx
    dx = 2 / (nx - 1)
    dt = .025
    u = np.ones(nx)
    u[int(.5 / dx):int(1 / dx + 1)] = 2
    for n in range(nt):
        un = u.copy()
        for i in range(1, nx):
            u[i] = un[i] - c * dt / dx * (un[i] - un[i - 1])
    return u


def burgers_cfd_python(nx, nt, nu):
    # CFD Python step 4: the saw-tooth initial condition written out, periodic ends by hand
    x = np.linspace(0, 2 * np.pi, nx)
    dx = 2 * np.pi / (nx - 1)
    dt = dx * nu
    phi = np.exp(-x ** 2 / (4 * nu)) + np.exp(-(x - 2 * np.pi) ** 2 / (4 * nu))
    dphi = (-0.5 / nu * x * np.exp(-x ** 2 / (4 * nu))
            - 0.5 / nu * (x - 2 * np.pi) * np.exp(-(x - 2 * np.pi) ** 2 / (4 * nu)))
    u = -2 * nu * (dphi / phi) + 4
    for n in range(nt):
        un = u.copy()
        u[1:-1] = (un[1:-1] - un[1:-1] * dt / dx * (un[1:-1] - un[:-2])
                   + nu * dt / dx ** 2 * (un[2:] - 2 * un[1:-1] + un[:-2]))
        u[0] = un[0] - un[0] * dt / dx * (un[0] - un[-2]) + nu * dt / dx ** 2 * (
            un[1] - 2 * un[0] + un[-2])
        u[-1] = u[0]
    return u


def diffusion_2d_cfd_python(nx, ny, nt, nu):
    # CFD Python step 7: the 2-D hat by int() slices, sigma-based dt
    dx = 2 / (nx - 1)
    dy = 2 / (ny - 1)
    sigma = .25
    dt = sigma * dx * dy / nu
    u = np.ones((ny, nx))
    u[int(.5 / dy):int(1 / dy + 1), int(.5 / dx):int(1 / dx + 1)] = 2
    for n in range(nt + 1):
        un = u.copy()
        u[1:-1, 1:-1] = (un[1:-1, 1:-1]
                         + nu * dt / dx ** 2 * (un[1:-1, 2:] - 2 * un[1:-1, 1:-1] + un[1:-1, 0:-2])
                         + nu * dt / dy ** 2 * (un[2:, 1:-1] - 2 * un[1:-1, 1:-1] + un[0:-2, 1:-1]))
        u[0, :] = 1
        u[-1, :] = 1
        u[:, 0] = 1
        u[:, -1] = 1
    return u


def ks_from_grid_size(N, h, steps):
    # kursiv.m's set-up from the grid size: the initial condition made inside
    x = 32 * np.pi * np.arange(1, N + 1) / N
    u = np.cos(x / 16) * (1 + np.sin(x / 16))
    return ks_etdrk4(u, h, steps)


def sod_from_cells(n, steps, cfl):
    U = sod_initial(n)
    return sod_lax_friedrichs(U, 1.0 / n, cfl, steps)


def mocz_positional_steps(F, cylinder, tau, Nt):
    return lbm_mocz_cylinder(F, cylinder, tau, Nt)


def multigrid_positional(f, h, cycles, levels):
    return multigrid_solve(f, h, cycles, levels)


def advect_limiter_positional(u, c, limiter, steps):
    return advect_tvd_periodic(u, c, limiter, steps)


STEERED = {
    "linear_convection_nx_nt": (linear_convection_cfd_python, lambda s: (21 + 6 * s, 5, 1.0)),
    "burgers_1d_nx_nt": (burgers_cfd_python, lambda s: (31 + 10 * s, 10, 0.07)),
    "diffusion_2d_nx_ny_nt": (diffusion_2d_cfd_python, lambda s: (11 + 4 * s, 13, 5, 0.05)),
    "taylor_green_grid_size": (taylor_green_error, lambda s: (8 * s + 8, 0.01, 0.5)),
    "chebyshev_order": (spectral_derivative_cheb, lambda s: (4 + 2 * s,)),
    "ks_grid_size_steps": (ks_from_grid_size, lambda s: (32 * s, 0.25, 3)),
    "sod_cells_steps": (sod_from_cells, lambda s: (20 * s, 5, 0.5)),
    "lbm_time_steps": (mocz_positional_steps, lambda s: (
        _mocz_F(s, 6, 12), _disk(6, 12, 3, 3, 1.5), 0.6, 2 + s)),
    "multigrid_cycles_levels": (multigrid_positional, lambda s: (
        _f(17, 17, seed=s), 1 / 16, s, 1 + s)),
    "limiter_name_and_steps": (advect_limiter_positional, lambda s: (
        _square(s, 4), 0.4, ("superbee", "mc")[s % 2], 3 * s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Grid sizes, step counts, Chebyshev orders, V-cycle levels and limiter names given
    positionally: made static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def sod_until_t_end(U, dx, t_end=0.05, cfl=0.5, gamma=1.4):
    # the usual time loop: a CFL step from the state until the end time
    t = 0.0
    while t < t_end:
        rho, u, p = cons_to_prim(U, gamma)
        dt = cfl * dx / np.max(np.abs(u) + np.sqrt(gamma * p / rho))
        dt = min(dt, t_end - t)
        F = euler_flux(U, gamma)
        Un = U.copy()
        Un[:, 1:-1] = 0.5 * (U[:, 2:] + U[:, :-2]) - 0.5 * dt / dx * (F[:, 2:] - F[:, :-2])
        U = Un
        t += dt
    return U


def steps_from_cfl(u, dx, T=0.5, cfl=0.8):
    # the step count from the largest speed: int(T / dt)
    dt = cfl * dx / np.abs(u).max()
    nt = int(T / dt)
    for _ in range(nt):
        u = u - dt / dx * u * (u - np.roll(u, 1))
    return u


def poisson_until_converged(p, b, dx, tol=1e-4):
    # CFD Python's pressure Poisson with an L1-norm target
    l1norm = 1
    while l1norm > tol:
        pn = p.copy()
        p[1:-1, 1:-1] = 0.25 * (pn[2:, 1:-1] + pn[:-2, 1:-1] + pn[1:-1, 2:] + pn[1:-1, :-2]
                                - dx ** 2 * b[1:-1, 1:-1])
        l1norm = np.sum(np.abs(p) - np.abs(pn)) / (np.sum(np.abs(pn)) + 1e-30)
        l1norm = abs(l1norm)
    return p


def jacobi_allclose_break(u, f, h, max_iter=200):
    for it in range(max_iter):
        un = u.copy()
        u[1:-1] = 0.5 * (un[2:] + un[:-2] + h * h * f[1:-1])
        if np.allclose(u, un, atol=1e-8):
            break
    return u, it


def obstacle_boundary_nodes(solid):
    # fluid nodes next to the obstacle, as a list of (i, j) for the force sum
    near = solid | np.roll(solid, 1, 0) | np.roll(solid, -1, 0) | np.roll(solid, 1, 1) \
        | np.roll(solid, -1, 1)
    return np.argwhere(near & ~solid)


def shock_location(rho, x, thr=0.05):
    # cells where the density jumps, to mark the shock on a plot
    jumps = np.nonzero(np.abs(np.diff(rho)) > thr)[0]
    return x[jumps]


def minmod_np_vectorize(a, b):
    def mm(x, y):
        if x * y <= 0:
            return 0.0
        return x if abs(x) < abs(y) else y
    return np.vectorize(mm)(a, b)


def wet_cells(h, hu, eps=1e-3):
    # velocities only where the cell is wet
    wet = h > eps
    return hu[wet] / h[wet]


def rk23_adaptive(u, nu, dx, t_end=0.01, dt=1e-3, tol=1e-6):
    def L(u):
        return nu * (np.roll(u, 1) - 2 * u + np.roll(u, -1)) / dx ** 2

    t = 0.0
    while t < t_end:
        k1 = L(u)
        k2 = L(u + dt * k1)
        err = np.max(np.abs(0.5 * dt * (k2 - k1)))
        if err > tol:
            dt *= 0.5
            continue
        u = u + 0.5 * dt * (k1 + k2)
        t += dt
    return u


def probe_velocity_rgi(x, y, u, pts):
    # velocities at probe points by RegularGridInterpolator on the solver's own axes
    import scipy.interpolate
    return scipy.interpolate.RegularGridInterpolator((x, y), u)(pts)


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "sod_while_t_end_cfl": (_Concretization, sod_until_t_end, lambda s: (
        sod_initial(20 + 4 * s), 1 / (20 + 4 * s))),
    "step_count_from_cfl": (_Concretization, steps_from_cfl, lambda s: (
        1 + 0.5 * _u(s, 16), 0.1)),
    "poisson_l1norm_target": (_Concretization, poisson_until_converged, lambda s: (
        np.zeros((6, 7)), _f(6, 7, seed=s), 0.1)),
    "jacobi_allclose_break": (_Concretization, jacobi_allclose_break, lambda s: (
        np.zeros(8), _f(8, seed=s), 0.1)),
    "obstacle_boundary_argwhere": (_DataDependent, obstacle_boundary_nodes, lambda s: (
        _disk(8, 10, 4, 4 + s, 2),)),
    "shock_location_nonzero": (_DataDependent, shock_location, lambda s: (
        sod_lax_friedrichs(sod_initial(24), 1 / 24, 0.5, 4 + s)[0][0], np.linspace(0, 1, 24))),
    "minmod_np_vectorize_python_if": (_Concretization, minmod_np_vectorize, lambda s: (
        _f(8, seed=s), _f(8, seed=s + 1))),
    "wet_cells_selection": (_DataDependent, wet_cells, lambda s: (
        np.r_[np.zeros(3), _u(s, 6) + 0.1], _f(9, seed=s))),
    "rk_adaptive_step_rejection": (_Concretization, rk23_adaptive, lambda s: (
        np.sin(np.linspace(0, 2 * np.pi, 12, endpoint=False)) * s, 0.01, 0.5)),
    "rgi_traced_axes_check": (tracenp.UnsupportedFunctionError, probe_velocity_rgi, lambda s: (
        np.arange(4.0), np.arange(5.0), _f(4, 5, seed=s), _u(s, 6, 2) * 3)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """`while t < t_end` with a CFL step, step counts from the data, convergence loops by a norm
    and by `np.allclose`, boundary nodes by `np.argwhere`, shock cells by `np.nonzero`, wet
    cells, `np.vectorize` of a Python `if`, adaptive step rejection and scipy's grid checks:
    the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])
