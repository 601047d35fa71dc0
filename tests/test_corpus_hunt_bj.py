"""Corpus, hunt BJ: structural and mechanical engineering, as course notebooks, textbook
companions (Chopra, Shigley, Roark, Jones, Logan) and small finite-element codes write it.

Trusses and frames (a jittered Warren truss from an int connectivity array, element matrices
from direction cosines assembled by `np.ix_` in loops over the element rows, supports removed by
`np.delete` and by `np.setdiff1d`, by penalty diagonals, settlements by partitioning, member
forces, `np.add.at` of all element matrices at once, a module-level space truss, float32 K,
Euler utilisation by `np.where`, portal frames with `T.T @ k @ T` and end forces, fixed-end
forces in a dict, Guyan condensation, 12x12 space-frame elements by `np.kron` and
`np.cross`); beams (tapered cantilevers by slices, Timoshenko against Euler-Bernoulli with
`np.insert`, consistent masses and `scipy.linalg.eigh(K, M)`, Hermite shapes by `einsum`,
geometric stiffness buckling, Roark's formulas by `np.where` and `np.piecewise`, Macaulay
brackets with module load dicts, shear and moment by `cumulative_trapezoid`, double integration,
Clapeyron's three moments, influence lines by `np.subtract.outer`, a truck envelope, a
pentadiagonal FD beam, Hetenyi); dynamics (participation factors, Rayleigh damping, Chopra's
incremental Newmark, linear acceleration with one inverse, central differences into a list,
response spectra by a loop over periods and vectorised over periods, Duhamel by `np.convolve`,
complex FRFs by a solve per frequency, modal superposition, `expm` zero-order hold, CQC by
`einsum` with an ellipsis, Rayleigh-Stodola, an elastoplastic SDOF by `np.clip`); stresses
(Mohr's circle from and into dicts, batched `eigh`, invariants and the trigonometric cubic by
`det`, Voigt float32 von Mises, rosettes, orthotropic compliance by `inv`, the isotropic
fourth-order tensor by `einsum` and `tensordot`, plane stress and strain D matrices, Lode and
triaxiality, material dicts by `.items()`, Cauchy tractions, Kirsch, stepped-shaft torsion);
laminates (Qbar by Reuter's matrix in a ply loop and by Jones' terms vectorised, ABD by
`einsum`, ply stresses, Tsai-Wu/Hill/max stress by `np.maximum.reduce`, hybrid plies by a table
index); fatigue (Basquin and a log-log `np.interp` S-N table, Goodman/Gerber/Soderberg/ASME,
Marin factors from a dict by a static name, Miner sums, Paris-law blocks, Coffin-Manson by a
fixed Newton count); plates and machine elements (biharmonic by `np.kron` and by
`scipy.sparse`, Navier series, moments by `np.gradient`, Hertz line contact, Lewis form factors
by `np.interp`, AGMA with int teeth, shaft critical speeds, bearing lives); columns and
sections (AISC and Eurocode curves, H1 interaction, shoelace properties by `np.roll` and
`np.append`, built-up sections from dicts, shear flow, plate buckling minima, catalogue
selection by `searchsorted`); FE idioms (COO assembly to CSC and `spsolve`, CSR slicing,
penalty `sp.diags`, scaled matrices, LIL item writes, tridiagonal `sp.diags`, dofs by
`np.arange` of node numbers, chained fancy
writes that land in copies, `K[I, J] += V` with duplicates, bar-element classes, CST and batched
Q4 elements, Gauss-Legendre loads, real and complex `eig` modes, `odeint`/`solve_ivp` with
`args=`, `sosfiltfilt`, Arias intensity, `brentq` roots, fragility curves, PCHIP tables, rank and
conditioning checks, f-string keys, `fill_diagonal`, `unravel_index`); and the same functions
with float32 and int inputs and other static sizes.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Element counts, panel counts, series terms, iteration
counts and static names are static keyword arguments; the forms whose Python or shapes depend on
array values (rainflow counting with a Python stack, turning points by a mask, Newton-Raphson
and design loops until a tolerance, zero-shear points by `np.nonzero`, failed members by a
selection, an `if` on yielding, `fsolve` and `find_peaks`, `np.roots`, an f-string of a traced
maximum) raise a named error and run eagerly under `fallback=True`.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_corpus_hunt_v import _names, _Xfail

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _pos(seed, *shape, lo=1.0, hi=10.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _warren(s, n, jitter=0.1):
    """A Warren truss of n panels (bottom nodes 0..n, top nodes n+1..2n), jittered nodes and an
    int connectivity array: chords, then diagonals."""
    rng = np.random.default_rng(s)
    xb = np.arange(n + 1) * 3.0
    xt = (np.arange(n) + 0.5) * 3.0
    nodes = np.vstack([np.column_stack([xb, np.zeros(n + 1)]),
                       np.column_stack([xt, np.full(n, 2.5)])])
    nodes += jitter * rng.uniform(-1, 1, nodes.shape)
    elems = [(i, i + 1) for i in range(n)]
    elems += [(n + 1 + i, n + 2 + i) for i in range(n - 1)]
    for i in range(n):
        elems += [(i, n + 1 + i), (n + 1 + i, i + 1)]
    return nodes, np.array(elems)


def _warren_loads(s, n):
    """Downward panel loads at the top chord, a small horizontal load at the first top node."""
    F = np.zeros(2 * (2 * n + 1))
    F[2 * (n + 1) + 1::2] = -_pos(s, n, lo=5.0, hi=15.0)
    F[2 * (n + 1)] = 2.0
    return F


# ==================================================================== trusses and frames

def warren_supports(n):
    # a Warren truss is pinned at its first node and on a roller at its last bottom node
    return [0, 1, 2 * n + 1]


def truss_assemble_delete(nodes, elems, E, A, F, n_panels=4):
    # the course notebook: for each element, direction cosines, the 4x4 matrix, np.ix_
    # assembly; supports removed by np.delete on rows and columns
    ndof = 2 * len(nodes)
    K = np.zeros((ndof, ndof))
    for e, (n1, n2) in enumerate(elems):
        x1, y1 = nodes[n1]
        x2, y2 = nodes[n2]
        L = np.sqrt((x2 - x1) ** 2 + (y2 - y1) ** 2)
        c = (x2 - x1) / L
        s = (y2 - y1) / L
        k = E * A[e] / L * np.array([[c * c, c * s, -c * c, -c * s],
                                     [c * s, s * s, -c * s, -s * s],
                                     [-c * c, -c * s, c * c, c * s],
                                     [-c * s, -s * s, c * s, s * s]])
        dof = [2 * n1, 2 * n1 + 1, 2 * n2, 2 * n2 + 1]
        K[np.ix_(dof, dof)] += k
    fixed = warren_supports(n_panels)
    Kr = np.delete(np.delete(K, fixed, axis=0), fixed, axis=1)
    Fr = np.delete(F, fixed)
    ur = np.linalg.solve(Kr, Fr)
    u = np.zeros(ndof)
    free = np.delete(np.arange(ndof), fixed)
    u[free] = ur
    R = K @ u - F
    return u, R[fixed]


def truss_member_forces(nodes, elems, E, A, F, n_panels=4):
    # member axial forces from the end displacements: N = EA/L [-c -s c s] . u_e
    u, R = truss_assemble_delete(nodes, elems, E, A, F, n_panels)
    N = np.zeros(len(elems))
    for e in range(len(elems)):
        i, j = elems[e]
        dx, dy = nodes[j] - nodes[i]
        L = np.hypot(dx, dy)
        c, s = dx / L, dy / L
        ue = np.array([u[2 * i], u[2 * i + 1], u[2 * j], u[2 * j + 1]])
        N[e] = E * A[e] / L * np.dot([-c, -s, c, s], ue)
    stress = N / A
    return N, stress, R


def truss_penalty(nodes, elems, EA, F, fixed=(0, 1, 9)):
    # boundary conditions by the penalty method: a big number on the fixed diagonals
    ndof = nodes.size
    K = np.zeros((ndof, ndof))
    for e in range(elems.shape[0]):
        a, b = elems[e, 0], elems[e, 1]
        d = nodes[b] - nodes[a]
        L = np.linalg.norm(d)
        cs = d / L
        kl = EA / L * np.outer(cs, cs)
        idx = np.r_[2 * a:2 * a + 2, 2 * b:2 * b + 2]
        K[np.ix_(idx, idx)] += np.block([[kl, -kl], [-kl, kl]])
    C = np.max(np.abs(K)) * 1e6
    Kp = K.copy()
    for d in fixed:
        Kp[d, d] += C
    u = np.linalg.solve(Kp, F)
    reactions = -C * u[list(fixed)]
    return u, reactions


def truss_vectorized_add_at(nodes, elems, EA, F, fixed=(0, 1, 9)):
    # the vectorised version: all element matrices at once, scattered by np.add.at
    d = nodes[elems[:, 1]] - nodes[elems[:, 0]]
    L = np.linalg.norm(d, axis=1)
    cs = d / L[:, None]
    kk = EA[:, None, None] / L[:, None, None] * np.einsum("ei,ej->eij", cs, cs)
    ke = np.concatenate([np.concatenate([kk, -kk], axis=2),
                         np.concatenate([-kk, kk], axis=2)], axis=1)
    dofs = np.column_stack([2 * elems[:, 0], 2 * elems[:, 0] + 1,
                            2 * elems[:, 1], 2 * elems[:, 1] + 1])
    ndof = 2 * nodes.shape[0]
    K = np.zeros((ndof, ndof))
    np.add.at(K, (dofs[:, :, None], dofs[:, None, :]), ke)
    free = np.setdiff1d(np.arange(ndof), fixed)
    u = np.zeros(ndof)
    u[free] = np.linalg.solve(K[free][:, free], F[free])
    strain = np.einsum("ei,ei->e", cs, u[dofs[:, 2:]] - u[dofs[:, :2]]) / L
    return u, strain


# a space truss: four pinned base nodes and a two-node top, as a module-level table
SPACE_ELEMENTS = [(0, 4), (1, 4), (2, 4), (3, 4), (0, 5), (1, 5), (2, 5), (3, 5), (4, 5),
                  (1, 5), (2, 4)]
SPACE_FIXED = list(range(12))


def space_truss(nodes, E, A, P):
    # 3-D truss: 6x6 element matrices from the direction cosines, np.ix_ on three dofs a node
    ndof = 3 * len(nodes)
    K = np.zeros((ndof, ndof))
    for k, (i, j) in enumerate(SPACE_ELEMENTS):
        v = nodes[j] - nodes[i]
        L = np.sqrt(np.sum(v ** 2))
        dc = v / L
        k3 = np.outer(dc, dc) * E * A[k] / L
        ke = np.vstack((np.hstack((k3, -k3)), np.hstack((-k3, k3))))
        dof = [3 * i, 3 * i + 1, 3 * i + 2, 3 * j, 3 * j + 1, 3 * j + 2]
        K[np.ix_(dof, dof)] = K[np.ix_(dof, dof)] + ke
    free = [d for d in range(ndof) if d not in SPACE_FIXED]
    u = np.zeros(ndof)
    u[free] = np.linalg.solve(K[np.ix_(free, free)], P[free])
    return u.reshape(-1, 3), (K @ u)[SPACE_FIXED].reshape(-1, 3)


def _space_nodes(s, n):
    base = np.array([[0, 0, 0], [4, 0, 0], [4, 4, 0], [0, 4, 0.0]])
    top = np.array([[1.5, 2.0, 3.0], [2.5, 2.0, 3.2]])
    return np.vstack([base, top]) + 0.05 * _f(6, 3, seed=s) * (n / 4)


def truss_settlement(nodes, elems, EA, F, settle, n_panels=4):
    # a support settlement by partitioning: K_ff u_f = F_f - K_fs u_s
    ndof = 2 * len(nodes)
    K = np.zeros((ndof, ndof))
    for n1, n2 in elems:
        d = nodes[n2] - nodes[n1]
        L = np.linalg.norm(d)
        c, s = d / L
        T = np.array([[c, s, 0, 0], [0, 0, c, s]])
        kl = EA / L * np.array([[1, -1], [-1, 1]])
        dof = [2 * n1, 2 * n1 + 1, 2 * n2, 2 * n2 + 1]
        K[np.ix_(dof, dof)] += T.T @ kl @ T
    s_dofs = np.array(warren_supports(n_panels))
    f_dofs = np.setdiff1d(np.arange(ndof), s_dofs)
    us = np.array([0.0, 0.0, settle])
    uf = np.linalg.solve(K[np.ix_(f_dofs, f_dofs)],
                         F[f_dofs] - K[np.ix_(f_dofs, s_dofs)] @ us)
    u = np.empty(ndof)
    u[f_dofs] = uf
    u[s_dofs] = us
    return {"u": u, "reactions": K[s_dofs] @ u - F[s_dofs],
            "energy": 0.5 * u @ K @ u}


def truss_float32(nodes, elems, EA, F, n_panels=4):
    # float32 throughout: K made with the nodes' dtype
    ndof = 2 * nodes.shape[0]
    K = np.zeros((ndof, ndof), dtype=nodes.dtype)
    for e in range(len(elems)):
        i, j = elems[e]
        d = nodes[j] - nodes[i]
        L = np.sqrt(d[0] ** 2 + d[1] ** 2)
        c, s = d[0] / L, d[1] / L
        kk = np.array([[c * c, c * s], [c * s, s * s]], dtype=np.float32) * EA[e] / L
        K[2 * i:2 * i + 2, 2 * i:2 * i + 2] += kk
        K[2 * j:2 * j + 2, 2 * j:2 * j + 2] += kk
        K[2 * i:2 * i + 2, 2 * j:2 * j + 2] -= kk
        K[2 * j:2 * j + 2, 2 * i:2 * i + 2] -= kk
    fixed = warren_supports(n_panels)
    free = np.array([d for d in range(ndof) if d not in fixed])
    u = np.zeros(ndof, dtype=np.float32)
    u[free] = np.linalg.solve(K[np.ix_(free, free)], F[free])
    return u, K.dtype.name


def truss_utilisation(N, A, L, E, fy, r):
    # member checks: tension against yield, compression against Euler buckling
    sigma = N / A
    sigma_cr = np.pi ** 2 * E / (L / r) ** 2
    allow_c = np.minimum(fy, sigma_cr) / 1.67
    allow_t = 0.6 * fy
    util = np.where(N >= 0, sigma / allow_t, -sigma / allow_c)
    return util, np.argmax(util), np.all(util < 1.0)


def _frame_nodes(s, n):
    # a portal frame of n storeys, one bay: nodes bottom to top, left then right
    h = 3.0 + 0.1 * _u(s, n)
    y = np.concatenate([[0.0], np.cumsum(h)])
    nodes = np.zeros((2 * (n + 1), 2))
    nodes[0::2, 1] = y
    nodes[1::2, 1] = y
    nodes[1::2, 0] = 6.0
    return nodes


def _frame_elems(n):
    cols = [(2 * k, 2 * k + 2) for k in range(n)] + [(2 * k + 1, 2 * k + 3) for k in range(n)]
    beams = [(2 * k, 2 * k + 1) for k in range(1, n + 1)]
    return np.array(cols + beams)


def frame_local_k(E, A, Iz, L):
    k = np.zeros((6, 6))
    k[0, 0] = k[3, 3] = E * A / L
    k[0, 3] = k[3, 0] = -E * A / L
    k[1, 1] = k[4, 4] = 12 * E * Iz / L ** 3
    k[1, 4] = k[4, 1] = -12 * E * Iz / L ** 3
    k[1, 2] = k[2, 1] = k[1, 5] = k[5, 1] = 6 * E * Iz / L ** 2
    k[2, 4] = k[4, 2] = k[4, 5] = k[5, 4] = -6 * E * Iz / L ** 2
    k[2, 2] = k[5, 5] = 4 * E * Iz / L
    k[2, 5] = k[5, 2] = 2 * E * Iz / L
    return k


def frame_rotation(c, s):
    T = np.zeros((6, 6))
    T[0, 0] = T[1, 1] = T[3, 3] = T[4, 4] = c
    T[0, 1] = T[3, 4] = s
    T[1, 0] = T[4, 3] = -s
    T[2, 2] = T[5, 5] = 1.0
    return T


def portal_frame(nodes, elems, E, A, Iz, H):
    # 2-D frame: local stiffness by index writes, T^T k T, assembly, fixed bases by np.delete,
    # lateral loads H at the left column's floors, member end forces k T u_e
    ndof = 3 * len(nodes)
    K = np.zeros((ndof, ndof))
    Ts, ks, dofs = [], [], []
    for e, (i, j) in enumerate(elems):
        dx, dy = nodes[j] - nodes[i]
        L = np.hypot(dx, dy)
        T = frame_rotation(dx / L, dy / L)
        k = frame_local_k(E, A[e], Iz[e], L)
        dof = np.array([3 * i, 3 * i + 1, 3 * i + 2, 3 * j, 3 * j + 1, 3 * j + 2])
        K[np.ix_(dof, dof)] += T.T @ k @ T
        Ts.append(T)
        ks.append(k)
        dofs.append(dof)
    F = np.zeros(ndof)
    F[3 * np.arange(2, len(nodes), 2)] = H
    fixed = [0, 1, 2, 3, 4, 5]
    u = np.zeros(ndof)
    u[6:] = np.linalg.solve(np.delete(np.delete(K, fixed, 0), fixed, 1), np.delete(F, fixed))
    end_forces = np.array([k @ T @ u[d] for k, T, d in zip(ks, Ts, dofs)])
    return u, end_forces


def frame_udl_fixed_end(nodes, elems, E, A, Iz, w):
    # beams with a uniform load: fixed-end forces in local axes, rotated to global, then the
    # member forces are the stiffness part plus the fixed-end part
    ndof = 3 * nodes.shape[0]
    K = np.zeros((ndof, ndof))
    F = np.zeros(ndof)
    fef = {}
    for e in range(elems.shape[0]):
        i, j = elems[e]
        dx = nodes[j, 0] - nodes[i, 0]
        dy = nodes[j, 1] - nodes[i, 1]
        L = np.sqrt(dx * dx + dy * dy)
        T = frame_rotation(dx / L, dy / L)
        dof = np.r_[3 * i:3 * i + 3, 3 * j:3 * j + 3]
        K[np.ix_(dof, dof)] += T.T @ frame_local_k(E, A, Iz, L) @ T
        q = w * (np.abs(dy) < 1e-9)
        f_loc = np.array([0, q * L / 2, q * L ** 2 / 12, 0, q * L / 2, -q * L ** 2 / 12])
        fef[e] = f_loc
        F[dof] += T.T @ f_loc
    free = np.arange(6, ndof)
    u = np.zeros(ndof)
    u[free] = scipy.linalg.solve(K[np.ix_(free, free)], F[free], assume_a="sym")
    return u, np.stack([fef[e] for e in sorted(fef)])


def shear_building_K(k):
    # storey stiffnesses to the tridiagonal lateral stiffness by np.diag
    k_above = np.append(k[1:], 0.0)
    return np.diag(k + k_above) - np.diag(k[1:], 1) - np.diag(k[1:], -1)


def static_condensation(K, F, n_master=2):
    # Guyan: keep the translational masters, condense the rotations out
    m = slice(0, n_master)
    s = slice(n_master, None)
    Kss_inv_Ksm = np.linalg.solve(K[s, s], K[s, m])
    Kc = K[m, m] - K[m, s] @ Kss_inv_Ksm
    Fc = F[m] - K[m, s] @ np.linalg.solve(K[s, s], F[s])
    um = np.linalg.solve(Kc, Fc)
    us = np.linalg.solve(K[s, s], F[s] - K[s, m] @ um)
    return Kc, np.concatenate([um, us])


def _spd(s, n, shift=None):
    a = _f(n, n, seed=s)
    return a @ a.T + (n if shift is None else shift) * np.eye(n)


def frame3d_element(E, G, A, Iy, Iz, J, xyz1, xyz2):
    # 12x12 space frame element: local stiffness by index writes, direction cosines with the
    # reference vector along global z, T = kron(I4, lambda)
    L = np.linalg.norm(xyz2 - xyz1)
    k = np.zeros((12, 12))
    k[0, 0] = k[6, 6] = E * A / L
    k[0, 6] = k[6, 0] = -E * A / L
    k[3, 3] = k[9, 9] = G * J / L
    k[3, 9] = k[9, 3] = -G * J / L
    for (v, th, I, sgn) in ((1, 5, Iz, 1), (2, 4, Iy, -1)):
        k[v, v] = k[v + 6, v + 6] = 12 * E * I / L ** 3
        k[v, v + 6] = k[v + 6, v] = -12 * E * I / L ** 3
        k[v, th] = k[th, v] = k[v, th + 6] = k[th + 6, v] = sgn * 6 * E * I / L ** 2
        k[v + 6, th] = k[th, v + 6] = k[v + 6, th + 6] = k[th + 6, v + 6] = (
            -sgn * 6 * E * I / L ** 2)
        k[th, th] = k[th + 6, th + 6] = 4 * E * I / L
        k[th, th + 6] = k[th + 6, th] = 2 * E * I / L
    ex = (xyz2 - xyz1) / L
    ey = np.cross([0.0, 0.0, 1.0], ex)
    ey = ey / np.linalg.norm(ey)
    ez = np.cross(ex, ey)
    lam = np.vstack([ex, ey, ez])
    T = np.kron(np.eye(4), lam)
    return T.T @ k @ T


def space_frame_stiffnesses(E, G, A, Iy, Iz, J, X1, X2):
    return np.stack([frame3d_element(E, G, A, Iy, Iz, J, X1[e], X2[e]) for e in range(len(X1))])


def _floor_pts(s, n):
    p1 = _f(n, 3, seed=s)
    p2 = p1 + np.column_stack([2 + _u(s, n), 1 + _u(s + 1, n), 0.5 * _f(n, seed=s + 2)])
    return p1, p2


TRUSS = {
    "warren_ix_delete_solve": (truss_assemble_delete, {"n_panels": 4}, lambda s, n: (
        *_warren(s, 4), 200.0, _pos(s, 15, lo=1.0, hi=3.0), _warren_loads(s, 4))),
    "warren_member_forces_stress": (truss_member_forces, {"n_panels": 4}, lambda s, n: (
        *_warren(s, 4), 200.0, _pos(s, 15, lo=1.0, hi=3.0), _warren_loads(s, 4))),
    "penalty_bcs_big_number": (truss_penalty, {}, lambda s, n: (
            _warren(s, 4)[0], _warren(s, 4)[1], 300.0, _warren_loads(s, 4))),
    "vectorised_add_at_setdiff1d": (truss_vectorized_add_at, {}, lambda s, n: (
        _warren(s, 4)[0], _warren(s, 4)[1], _pos(s, 15, lo=200, hi=400),
        _warren_loads(s, 4))),
    "space_truss_module_table": (space_truss, {}, lambda s, n: (
        _space_nodes(s, n), 210.0, _pos(s, 11, lo=1.0, hi=2.0),
        np.r_[np.zeros(12), _f(6, seed=s)])),
    "settlement_partitioned_dict": (truss_settlement, {"n_panels": 4}, lambda s, n: (
        *_warren(s, 4), 250.0, _warren_loads(s, 4), -0.01 * s)),
    "float32_truss_slices": (truss_float32, {"n_panels": 4}, lambda s, n: (
        _warren(s, 4)[0].astype(np.float32), _warren(s, 4)[1],
        _pos(s, 15, lo=100, hi=200).astype(np.float32),
        _warren_loads(s, 4).astype(np.float32))),
    "member_utilisation_where": (truss_utilisation, {}, lambda s, n: (
        50 * _f(3 * n, seed=s), _pos(s, 3 * n, lo=2, hi=4), _pos(s + 1, 3 * n, lo=2, hi=5),
        200e3, 355.0, _pos(s + 2, 3 * n, lo=0.02, hi=0.05))),
    "portal_frame_storeys": (portal_frame, {}, lambda s, n: (
        _frame_nodes(s, n // 2), _frame_elems(n // 2), 200e6,
        _pos(s, 3 * (n // 2), lo=0.01, hi=0.02),
        _pos(s + 1, 3 * (n // 2), lo=1e-4, hi=3e-4), _pos(s, n // 2, lo=5, hi=20))),
    "frame_udl_fixed_end_dict": (frame_udl_fixed_end, {}, lambda s, n: (
            _frame_nodes(s, n // 2), _frame_elems(n // 2), 200e6, 0.012, 2e-4, -10.0 - s)),
    "guyan_condensation": (static_condensation, {"n_master": 2}, lambda s, n: (
        _spd(s, n + 2), _f(n + 2, seed=s))),
    "space_frame_12x12_cross": (space_frame_stiffnesses, {}, lambda s, n: (
        210e3, 81e3, 0.01, 2e-5, 3e-5, 1e-5, *_floor_pts(s, n))),
}


@pytest.mark.parametrize("name", _names(TRUSS))
def test_trusses_and_frames_match_numpy(name):
    check_like_numpy(*TRUSS[name])


# ============================================================ beam elements and formulas


def eb_beam_k(EI, L):
    return EI / L ** 3 * np.array([[12, 6 * L, -12, 6 * L],
                                   [6 * L, 4 * L ** 2, -6 * L, 2 * L ** 2],
                                   [-12, -6 * L, 12, -6 * L],
                                   [6 * L, 2 * L ** 2, -6 * L, 4 * L ** 2]])


def eb_beam_m(rhoA, L):
    return rhoA * L / 420 * np.array([[156, 22 * L, 54, -13 * L],
                                      [22 * L, 4 * L ** 2, 13 * L, -3 * L ** 2],
                                      [54, 13 * L, 156, -22 * L],
                                      [-13 * L, -3 * L ** 2, -22 * L, 4 * L ** 2]])


def tapered_cantilever(EI, L, P, n_el=6):
    # a cantilever of n_el Euler-Bernoulli elements with a stiffness per element, tip load P;
    # the clamped dofs sliced off, the tip compared with PL^3/3EI of the mean stiffness
    le = L / n_el
    ndof = 2 * (n_el + 1)
    K = np.zeros((ndof, ndof))
    for e in range(n_el):
        K[2 * e:2 * e + 4, 2 * e:2 * e + 4] += eb_beam_k(EI[e], le)
    F = np.zeros(ndof)
    F[-2] = P
    u = np.zeros(ndof)
    u[2:] = np.linalg.solve(K[2:, 2:], F[2:])
    w, theta = u[0::2], u[1::2]
    return w, theta, w[-1] / (P * L ** 3 / (3 * EI.mean()))


def timoshenko_element(EI, kGA, L):
    phi = 12 * EI / (kGA * L ** 2)
    return EI / ((1 + phi) * L ** 3) * np.array(
        [[12, 6 * L, -12, 6 * L],
         [6 * L, (4 + phi) * L ** 2, -6 * L, (2 - phi) * L ** 2],
         [-12, -6 * L, 12, -6 * L],
         [6 * L, (2 - phi) * L ** 2, -6 * L, (4 + phi) * L ** 2]])


def timoshenko_vs_euler(EI, kGA, L, q, n_el=8):
    # a simply supported beam under a UDL by both elements: the consistent load vector,
    # supports by np.delete, midspan deflections and their ratio
    le = L / n_el
    ndof = 2 * n_el + 2
    out = {}
    for name, kfun in (("euler", lambda: eb_beam_k(EI, le)),
                       ("timoshenko", lambda: timoshenko_element(EI, kGA, le))):
        K = np.zeros((ndof, ndof))
        F = np.zeros(ndof)
        fe = q * le * np.array([0.5, le / 12, 0.5, -le / 12])
        for e in range(n_el):
            idx = np.arange(2 * e, 2 * e + 4)
            K[np.ix_(idx, idx)] += kfun()
            F[idx] += fe
        bc = [0, ndof - 2]
        u = np.insert(np.linalg.solve(np.delete(np.delete(K, bc, 0), bc, 1), np.delete(F, bc)),
                      [0, ndof - 3], 0.0)
        out[name] = u[n_el]
    out["ratio"] = out["timoshenko"] / out["euler"]
    return out


def cantilever_modes(EI, rhoA, L, n_el=6, n_modes=3):
    # consistent mass and stiffness, clamped end sliced off, scipy.linalg.eigh(K, M);
    # compared with the Euler-Bernoulli betas (1.875, 4.694, 7.855)
    le = L / n_el
    ndof = 2 * (n_el + 1)
    K = np.zeros((ndof, ndof))
    M = np.zeros((ndof, ndof))
    for e in range(n_el):
        dofs = slice(2 * e, 2 * e + 4)
        K[dofs, dofs] += eb_beam_k(EI, le)
        M[dofs, dofs] += eb_beam_m(rhoA, le)
    lam, phi = scipy.linalg.eigh(K[2:, 2:], M[2:, 2:])
    omega = np.sqrt(lam[:n_modes])
    beta = np.array([1.8751, 4.6941, 7.8548])[:n_modes]
    exact = beta ** 2 * np.sqrt(EI / (rhoA * L ** 4))
    shapes = phi[0::2, :n_modes] / phi[-2, :n_modes]
    return omega, omega / exact, shapes


def hermite_interpolation(u_nodes, L, n_el=4, n_pts=9):
    # deflections inside each element from the Hermite cubics, evaluated at n_pts xi values
    le = L / n_el
    xi = np.linspace(0, 1, n_pts)
    N = np.stack([1 - 3 * xi ** 2 + 2 * xi ** 3,
                  le * (xi - 2 * xi ** 2 + xi ** 3),
                  3 * xi ** 2 - 2 * xi ** 3,
                  le * (-xi ** 2 + xi ** 3)], axis=1)
    conn = np.array([[2 * e, 2 * e + 1, 2 * e + 2, 2 * e + 3] for e in range(n_el)])
    ue = u_nodes[conn]
    w = np.einsum("pk,ek->ep", N, ue)
    x = (np.arange(n_el)[:, None] + xi[None, :]) * le
    return x.ravel(), w.ravel()


def buckling_geometric_stiffness(EI, L, n_el=6):
    # linear buckling of a cantilever column: K phi = lambda KG phi with the consistent
    # geometric stiffness for P = 1, the first load against pi^2 EI / (4 L^2)
    le = L / n_el
    ndof = 2 * n_el + 2
    K = np.zeros((ndof, ndof))
    KG = np.zeros((ndof, ndof))
    kg = 1 / (30 * le) * np.array([[36, 3 * le, -36, 3 * le],
                                   [3 * le, 4 * le ** 2, -3 * le, -le ** 2],
                                   [-36, -3 * le, 36, -3 * le],
                                   [3 * le, -le ** 2, -3 * le, 4 * le ** 2]])
    for e in range(n_el):
        K[2 * e:2 * e + 4, 2 * e:2 * e + 4] += eb_beam_k(EI, le)
        KG[2 * e:2 * e + 4, 2 * e:2 * e + 4] += kg
    P_cr = scipy.linalg.eigh(K[2:, 2:], KG[2:, 2:], eigvals_only=True)
    return P_cr[:2], P_cr[0] / (np.pi ** 2 * EI / (4 * L ** 2))


def ss_point_load_deflection(x, L, a, P, EI):
    # simply supported, point load P at a (Roark): two branches by np.where
    b = L - a
    left = P * b * x / (6 * L * EI) * (L ** 2 - b ** 2 - x ** 2)
    right = P * a * (L - x) / (6 * L * EI) * (2 * L * x - x ** 2 - a ** 2)
    return -np.where(x <= a, left, right)


def overhang_piecewise(x, L, c, w, EI):
    # a beam with an overhang c under a UDL on the overhang only, by np.piecewise
    return np.piecewise(
        x, [x <= L, x > L],
        [lambda x: w * c ** 2 * x / (12 * EI * L) * (L ** 2 - x ** 2),
         lambda x: -w * (x - L) / (24 * EI) * (4 * c ** 2 * L + 6 * c ** 2 * (x - L)
                                               - 4 * c * (x - L) ** 2 + (x - L) ** 3)])


def macaulay(x, a, n):
    # <x - a>^n, the singularity function
    return np.where(x > a, (x - a) ** n, 0.0)


LOADS = [{"P": 10.0, "a": 1.0}, {"P": 15.0, "a": 2.5}, {"P": 5.0, "a": 4.0}]


def macaulay_beam(x, L, EI, w):
    # a simply supported beam with module-level point loads and a UDL w from 0 to L/2:
    # reactions by statics, M(x) and EI y(x) by Macaulay brackets, C1 from y(L) = 0
    RB = (sum(ld["P"] * ld["a"] for ld in LOADS) + w * (L / 2) * (L / 4)) / L
    RA = sum(ld["P"] for ld in LOADS) + w * L / 2 - RB
    M = RA * x - w * x ** 2 / 2 + w * macaulay(x, L / 2, 2) / 2
    EIy = RA * x ** 3 / 6 - w * x ** 4 / 24 + w * macaulay(x, L / 2, 4) / 24
    for ld in LOADS:
        M = M - ld["P"] * macaulay(x, ld["a"], 1)
        EIy = EIy - ld["P"] * macaulay(x, ld["a"], 3) / 6
    EIyL = (RA * L ** 3 / 6 - w * L ** 4 / 24 + w * (L / 2) ** 4 / 24
            - sum(ld["P"] * (L - ld["a"]) ** 3 / 6 for ld in LOADS))
    C1 = -EIyL / L
    y = (EIy + C1 * x) / EI
    return M, y, RA, RB


def sfd_bmd_cumulative(x, w, RA):
    # the shear and moment diagrams from a distributed load by cumulative integration
    V = RA - scipy.integrate.cumulative_trapezoid(w, x, initial=0)
    M = scipy.integrate.cumulative_trapezoid(V, x, initial=0)
    return V, M, x[np.argmax(np.abs(M))], M.max()


def double_integration(x, M, EI):
    # slope and deflection by integrating M/EI twice; the simple supports fix the constants
    kappa = M / EI
    theta = np.zeros_like(x)
    y = np.zeros_like(x)
    dx = np.diff(x)
    theta[1:] = np.cumsum(0.5 * (kappa[1:] + kappa[:-1]) * dx)
    y[1:] = np.cumsum(0.5 * (theta[1:] + theta[:-1]) * dx)
    C1 = -y[-1] / (x[-1] - x[0])
    y += C1 * (x - x[0])
    theta += C1
    return theta, y


def three_moment_equation(spans, w, EI):
    # Clapeyron: interior support moments of a continuous beam with UDLs, the tridiagonal
    # system built by a loop, simply supported ends
    n = len(spans) - 1
    A = np.zeros((n, n))
    b = np.zeros(n)
    for i in range(n):
        L1, L2 = spans[i], spans[i + 1]
        A[i, i] = 2 * (L1 + L2)
        if i > 0:
            A[i, i - 1] = L1
        if i < n - 1:
            A[i, i + 1] = L2
        b[i] = -(w[i] * L1 ** 3 + w[i + 1] * L2 ** 3) / 4
    Mint = np.linalg.solve(A, b)
    M = np.concatenate([[0.0], Mint, [0.0]])
    R = np.zeros(len(spans) + 1)
    for i, Lk in enumerate(spans):
        R[i] += w[i] * Lk / 2 + (M[i + 1] - M[i]) / Lk
        R[i + 1] += w[i] * Lk / 2 - (M[i + 1] - M[i]) / Lk
    return M, R


def influence_lines(x, L):
    # influence lines of a simply supported beam for the reactions and for M at each section:
    # a (section, load position) matrix by np.subtract.outer and np.where
    xi = x[:, None]
    a = x[None, :]
    RA = 1 - x / L
    M = np.where(a <= xi, a * (L - xi) / L, xi * (L - a) / L)
    V = np.where(a < xi, -a / L, 1 - a / L)
    return RA, M, V, np.subtract.outer(x, x)


AXLES = np.array([0.0, 4.3, 8.6])
AXLE_LOADS = np.array([35.0, 145.0, 145.0])


def moving_truck_envelope(x, L):
    # the HS20 truck rolled across: moment at every section for each front-axle position,
    # the axles off the span dropped by a mask, then the envelope
    fronts = np.linspace(0, L + AXLES[-1], 4 * len(x))
    pos = fronts[:, None] - AXLES[None, :]
    on = (pos >= 0) & (pos <= L)
    P = AXLE_LOADS * on
    RA = np.sum(P * (L - pos), axis=1) / L
    M = RA[:, None] * x[None, :] - np.sum(
        P[:, :, None] * np.maximum(x[None, None, :] - pos[:, :, None], 0), axis=1)
    return M.max(axis=0), np.argmax(M.max(axis=1))


def beam_fd_fourth_order(q, EI, L, n=12):
    # EI w'''' = q by the 5-point central difference, simply supported (w = w'' = 0 with
    # mirrored ghosts), the pentadiagonal matrix from np.diag offsets
    h = L / (n + 1)
    A = (np.diag(6 * np.ones(n)) + np.diag(-4 * np.ones(n - 1), 1)
         + np.diag(-4 * np.ones(n - 1), -1) + np.diag(np.ones(n - 2), 2)
         + np.diag(np.ones(n - 2), -2))
    A[0, 0] = A[-1, -1] = 5
    w = np.linalg.solve(A * EI / h ** 4, q)
    return np.pad(w, 1)


def hetenyi_infinite_beam(x, P, k, EI):
    # a point load on an infinite beam on an elastic foundation
    lam = (k / (4 * EI)) ** 0.25
    ax = lam * np.abs(x)
    w = P * lam / (2 * k) * np.exp(-ax) * (np.cos(ax) + np.sin(ax))
    M = P / (4 * lam) * np.exp(-ax) * (np.cos(ax) - np.sin(ax))
    V = -np.sign(x) * P / 2 * np.exp(-ax) * np.cos(ax)
    return w, M, V


def superposed_point_loads(x, a, P, L, EI):
    # many point loads at once: (section, load) grids, both branches of the formula, summed
    X = x[:, None]
    A = a[None, :]
    B = L - A
    y = np.where(X <= A, P * B * X * (L ** 2 - B ** 2 - X ** 2),
                 P * A * (L - X) * (2 * L * X - X ** 2 - A ** 2)) / (6 * L * EI)
    return -y.sum(axis=1)


def bending_stress_field(M, b, h, ny=9):
    # sigma = M y / I over the depth of each section, and tau by the parabola for V = dM/dx
    Ix = b * h ** 3 / 12
    y = np.linspace(-h / 2, h / 2, ny)
    sigma = -np.outer(M, y) / Ix
    V = np.gradient(M, 0.1)
    tau = 1.5 * V[:, None] / (b * h) * (1 - (2 * y[None, :] / h) ** 2)
    return sigma, tau, np.abs(sigma).max(axis=1)


def _span_x(s, n, L=6.0):
    return np.linspace(0, L, 4 * n + 1)


BEAMS = {
    "tapered_cantilever_slices": (tapered_cantilever, {"n_el": 6}, lambda s, n: (
        _pos(s, 6, lo=1e3, hi=2e3), 3.0, -10.0 * s)),
    "timoshenko_vs_euler_insert": (timoshenko_vs_euler, {"n_el": 8}, lambda s, n: (
        2.0e3 * s, 4.0e4, 2.0 + 0.5 * n, -5.0)),
    "cantilever_modes_scipy_eigh": (cantilever_modes, {"n_el": 6, "n_modes": 3}, lambda s, n: (
        1.0e3 + 100 * s, 2.0, 1.5 + 0.1 * n)),
    "hermite_shape_einsum": (hermite_interpolation, {"n_el": 4, "n_pts": 9}, lambda s, n: (
        _f(10, seed=s) * 1e-3, 4.0 + n)),
    "geometric_stiffness_buckling": (buckling_geometric_stiffness, {"n_el": 6},
                                     lambda s, n: (2.0e3 * s, 3.0 + 0.1 * n)),
    "ss_point_load_where": (ss_point_load_deflection, {}, lambda s, n: (
        _span_x(s, n), 6.0, 1.7 + 0.3 * s, 12.0, 2.0e3)),
    "overhang_np_piecewise": (overhang_piecewise, {}, lambda s, n: (
        np.linspace(0, 7.5, 6 * n + 1), 6.0, 1.5, 3.0 + s, 2.0e3)),
    "macaulay_module_loads": (macaulay_beam, {}, lambda s, n: (
        np.linspace(0, 5.0, 8 * n + 1), 5.0, 1.5e3, 2.0 * s)),
    "sfd_bmd_cumulative_trapezoid": (sfd_bmd_cumulative, {}, lambda s, n: (
        np.linspace(0, 6, 10 * n + 1), 5 + np.linspace(0, 6, 10 * n + 1) ** 2 * s / 6,
        20.0)),
    "double_integration_constants": (double_integration, {}, lambda s, n: (
        np.linspace(0, 5, 5 * n + 1), np.sin(np.linspace(0, np.pi, 5 * n + 1)) * 10 * s,
        1.2e3)),
    "three_moment_equation_loop": (three_moment_equation, {}, lambda s, n: (
        _pos(s, n, lo=3, hi=6), _pos(s + 1, n, lo=5, hi=15), 1e3)),
    "influence_lines_subtract_outer": (influence_lines, {}, lambda s, n: (
        _span_x(s, n, 8.0), 8.0)),
    "moving_truck_envelope": (moving_truck_envelope, {}, lambda s, n: (
        np.linspace(0, 20 + s, 3 * n + 1), 20.0 + s)),
    "beam_fd_pentadiagonal": (beam_fd_fourth_order, {"n": 12}, lambda s, n: (
        _pos(s, 12, lo=5, hi=10), 1.5e3, 5.0 + 0.1 * n)),
    "hetenyi_infinite_beam": (hetenyi_infinite_beam, {}, lambda s, n: (
        np.linspace(-4, 4, 4 * n) + 0.01, 100.0, 2.0e4 * s, 5.0e3)),
    "superposed_loads_broadcast": (superposed_point_loads, {}, lambda s, n: (
        _span_x(s, n, 10.0), np.sort(_pos(s, n, lo=0.5, hi=9.5)), _pos(s + 1, n), 10.0,
        2e3)),
    "bending_stress_outer_gradient": (bending_stress_field, {"ny": 9}, lambda s, n: (
        10 * _f(3 * n, seed=s), 0.1, 0.3)),
}


@pytest.mark.parametrize("name", _names(BEAMS))
def test_beam_elements_and_formulas_match_numpy(name):
    check_like_numpy(*BEAMS[name])


# =========================================================== structural dynamics

def shear_building_modes(m, k):
    # modal analysis of a shear building: scipy.linalg.eigh(K, M), mass-normalised modes,
    # participation factors and effective modal masses for a uniform influence vector
    M = np.diag(m)
    K = shear_building_K(k)
    w2, Phi = scipy.linalg.eigh(K, M)
    omega = np.sqrt(w2)
    T = 2 * np.pi / omega
    r = np.ones(len(m))
    L = Phi.T @ M @ r
    Mn = np.diag(Phi.T @ M @ Phi)
    Gamma = L / Mn
    M_eff = L ** 2 / Mn
    return T, Gamma * np.sign(Phi[-1]), M_eff / M_eff.sum() * (M_eff.sum() / m.sum())


def rayleigh_damping(M, K, zeta=0.05, modes=(0, 2)):
    # a0, a1 from two modes' target damping, then C and each mode's resulting ratio
    w = np.sqrt(scipy.linalg.eigh(K, M, eigvals_only=True))
    wi, wj = w[modes[0]], w[modes[1]]
    a0, a1 = np.linalg.solve(np.array([[1 / (2 * wi), wi / 2], [1 / (2 * wj), wj / 2]]),
                             np.array([zeta, zeta]))
    C = a0 * M + a1 * K
    zetas = a0 / (2 * w) + a1 * w / 2
    return C, zetas, (a0, a1)


def newmark_sdof_incremental(ag, dt, m, k, zeta, gamma=0.5, beta=0.25):
    # Chopra's Table 5.4.2: the incremental Newmark with k-hat, a ground motion record
    c = 2 * zeta * np.sqrt(k * m)
    n = len(ag)
    p = -m * ag
    u = np.zeros(n)
    v = np.zeros(n)
    a = np.zeros(n)
    a[0] = (p[0] - c * v[0] - k * u[0]) / m
    kh = k + gamma / (beta * dt) * c + m / (beta * dt ** 2)
    A1 = m / (beta * dt) + gamma / beta * c
    B1 = m / (2 * beta) + dt * (gamma / (2 * beta) - 1) * c
    for i in range(n - 1):
        dp = p[i + 1] - p[i] + A1 * v[i] + B1 * a[i]
        du = dp / kh
        dv = gamma / (beta * dt) * du - gamma / beta * v[i] + dt * (1 - gamma / (2 * beta)) * a[i]
        da = du / (beta * dt ** 2) - v[i] / (beta * dt) - a[i] / (2 * beta)
        u[i + 1] = u[i] + du
        v[i + 1] = v[i] + dv
        a[i + 1] = a[i] + da
    return u, v, a + ag


def newmark_linear_accel_inv(M, C, K, F, dt):
    # linear acceleration (beta = 1/6) with the effective stiffness inverted once
    gamma, beta = 0.5, 1 / 6
    nt = F.shape[1]
    ndof = M.shape[0]
    U = np.zeros((ndof, nt))
    V = np.zeros((ndof, nt))
    A = np.zeros((ndof, nt))
    A[:, 0] = np.linalg.solve(M, F[:, 0])
    Kinv = np.linalg.inv(K + gamma / (beta * dt) * C + 1 / (beta * dt ** 2) * M)
    for i in range(nt - 1):
        P = (F[:, i + 1]
             + M @ (U[:, i] / (beta * dt ** 2) + V[:, i] / (beta * dt)
                    + (0.5 / beta - 1) * A[:, i])
             + C @ (gamma / (beta * dt) * U[:, i] + (gamma / beta - 1) * V[:, i]
                    + dt / 2 * (gamma / beta - 2) * A[:, i]))
        U[:, i + 1] = Kinv @ P
        A[:, i + 1] = ((U[:, i + 1] - U[:, i]) / (beta * dt ** 2) - V[:, i] / (beta * dt)
                       - (0.5 / beta - 1) * A[:, i])
        V[:, i + 1] = V[:, i] + dt * ((1 - gamma) * A[:, i] + gamma * A[:, i + 1])
    return U, V, A


def central_difference_mdof(M, C, K, F, u0, v0, dt):
    # Chopra Table 15.2.1: u_{-1} from the initial conditions, k-hat, a and b
    a0 = np.linalg.solve(M, F[0] - C @ v0 - K @ u0)
    u_prev = u0 - dt * v0 + dt ** 2 / 2 * a0
    kh = M / dt ** 2 + C / (2 * dt)
    a = M / dt ** 2 - C / (2 * dt)
    b = K - 2 * M / dt ** 2
    u = [u0]
    ui = u0
    for i in range(F.shape[0] - 1):
        ph = F[i] - a @ u_prev - b @ ui
        u_next = np.linalg.solve(kh, ph)
        u_prev, ui = ui, u_next
        u.append(ui)
    return np.array(u)


def response_spectrum_loop(ag, dt, periods, zeta=0.05):
    # the SDOF spectrum: for each period a Newmark average-acceleration loop, peaks kept
    Sd = np.zeros(len(periods))
    Sa = np.zeros(len(periods))
    for j, T in enumerate(periods):
        wn = 2 * np.pi / T
        k, c = wn ** 2, 2 * zeta * wn
        kh = k + 2 * c / dt + 4 / dt ** 2
        u = v = 0.0
        acc = -ag[0]
        umax = 0.0
        for i in range(len(ag) - 1):
            dp = -(ag[i + 1] - ag[i]) + (4 / dt + 2 * c) * v + 2 * acc
            du = dp / kh
            dv = 2 * du / dt - 2 * v
            u, v = u + du, v + dv
            acc = -ag[i + 1] - c * v - k * u
            umax = np.maximum(umax, np.abs(u))
        Sd[j] = umax
        Sa[j] = wn ** 2 * umax
    return Sd, Sa, Sa / 9.81


def response_spectrum_vectorised(ag, dt, periods, zeta=0.05):
    # the same over all periods at once: arrays of SDOF states, one loop over time
    wn = 2 * np.pi / periods
    k, c = wn ** 2, 2 * zeta * wn
    kh = k + 2 * c / dt + 4 / dt ** 2
    u = np.zeros_like(periods)
    v = np.zeros_like(periods)
    acc = -ag[0] * np.ones_like(periods)
    peak = np.zeros_like(periods)
    for i in range(len(ag) - 1):
        du = (-(ag[i + 1] - ag[i]) + (4 / dt + 2 * c) * v + 2 * acc) / kh
        dv = 2 * du / dt - 2 * v
        u += du
        v += dv
        acc = -ag[i + 1] - c * v - k * u
        peak = np.maximum(peak, np.abs(u))
    return {"Sd": peak, "PSv": wn * peak, "PSa": wn ** 2 * peak}


def duhamel_convolve(p, dt, m, wn, zeta):
    # Duhamel's integral as a discrete convolution with the unit impulse response
    t = np.arange(len(p)) * dt
    wd = wn * np.sqrt(1 - zeta ** 2)
    h = np.exp(-zeta * wn * t) * np.sin(wd * t) / (m * wd)
    u = np.convolve(p, h)[:len(p)] * dt
    return u, np.max(np.abs(u)) * m * wn ** 2


def frf_complex_solve(M, C, K, omegas, f):
    # the receptance H(w) f = (K - w^2 M + i w C)^-1 f at each frequency
    X = np.zeros((len(omegas), M.shape[0]), dtype=complex)
    for i, w in enumerate(omegas):
        Z = K - w ** 2 * M + 1j * w * C
        X[i] = np.linalg.solve(Z, f)
    return np.abs(X), np.angle(X[:, 0])


def modal_superposition_harmonic(M, K, zeta, p0, Omega, t):
    # steady-state harmonic response by modal superposition: each mode as an SDOF
    w2, Phi = scipy.linalg.eigh(K, M)
    wn = np.sqrt(w2)
    Pn = Phi.T @ p0
    r = Omega / wn
    Dn = 1 / ((1 - r ** 2) + 2j * zeta * r)
    qn = (Pn / w2 * Dn)[:, None] * np.exp(1j * Omega * t)[None, :]
    return np.real(Phi @ qn)


def state_space_expm(M, C, K, F, dt):
    # zero-order-hold discretisation: Ad = expm(A dt), Bd = A^-1 (Ad - I) B
    n = M.shape[0]
    Minv = np.linalg.inv(M)
    A = np.block([[np.zeros((n, n)), np.eye(n)], [-Minv @ K, -Minv @ C]])
    B = np.vstack([np.zeros((n, n)), Minv])
    Ad = scipy.linalg.expm(A * dt)
    Bd = np.linalg.solve(A, (Ad - np.eye(2 * n)) @ B)
    x = np.zeros(2 * n)
    out = []
    for k in range(F.shape[0]):
        out.append(x[:n].copy())
        x = Ad @ x + Bd @ F[k]
    return np.array(out)


def cqc_srss(peaks, omega, zeta=0.05):
    # modal combination: SRSS and CQC with Der Kiureghian's correlation coefficients
    b = omega[None, :] / omega[:, None]
    rho = (8 * zeta ** 2 * (1 + b) * b ** 1.5
           / ((1 - b ** 2) ** 2 + 4 * zeta ** 2 * b * (1 + b) ** 2))
    srss = np.sqrt(np.sum(peaks ** 2, axis=-1))
    cqc = np.sqrt(np.einsum("...i,ij,...j->...", peaks, rho, peaks))
    return srss, cqc


def rayleigh_quotient_shape(M, K, n_iter=6):
    # Rayleigh's method from the static deflected shape, then Stodola's iteration
    u = np.linalg.solve(K, M @ np.ones(M.shape[0]))
    w_rayleigh = np.sqrt((u @ K @ u) / (u @ M @ u))
    D = np.linalg.solve(K, M)
    x = np.ones(M.shape[0])
    for _ in range(n_iter):
        x = D @ x
        x = x / x[-1]
    w_stodola = np.sqrt(x @ K @ x / (x @ M @ x))
    return w_rayleigh, w_stodola, x


def bilinear_sdof_clip(ag, dt, m, k, fy, zeta=0.02):
    # an elastoplastic SDOF by explicit central differences, the spring force clipped to the
    # yield force (the return map written with np.clip)
    c = 2 * zeta * np.sqrt(k * m)
    n = ag.size
    u = np.zeros(n)
    fs = 0.0
    up = 0.0
    for i in range(1, n - 1):
        fs = np.clip(fs + k * (u[i] - u[i - 1]), -fy, fy)
        rhs = (-m * ag[i] - fs + 2 * m * u[i] / dt ** 2 - (m / dt ** 2 - c / (2 * dt)) * up)
        up = u[i]
        u[i + 1] = rhs / (m / dt ** 2 + c / (2 * dt))
    return u, np.max(np.abs(u)) / (fy / k)


def _ground_motion(s, n):
    t = np.arange(24 + 5 * n) * 0.02
    return (0.3 * 9.81 * np.sin(2 * np.pi * 1.5 * t) * np.exp(-0.5 * t)
            + 0.5 * _f(t.size, seed=s))


def _mck(s, n):
    m = _pos(s, n, lo=1.0, hi=2.0)
    k = _pos(s + 1, n, lo=800, hi=1200)
    M = np.diag(m)
    K = shear_building_K(k)
    return M, 0.002 * K + 0.1 * M, K


DYNAMICS = {
    "shear_building_participation": (shear_building_modes, {}, lambda s, n: (
        _pos(s, n, lo=1, hi=2), _pos(s + 1, n, lo=500, hi=1500))),
    "rayleigh_damping_two_modes": (rayleigh_damping, {}, lambda s, n: (
        np.diag(_pos(s, n, lo=1, hi=2)), shear_building_K(_pos(s + 1, n, lo=500, hi=900)))),
    "newmark_sdof_incremental": (newmark_sdof_incremental, {}, lambda s, n: (
        _ground_motion(s, n), 0.02, 2.0, 300.0, 0.05)),
    "newmark_linear_accel_inv_once": (newmark_linear_accel_inv, {}, lambda s, n: (
        *_mck(s, n), _f(n, 30, seed=s), 0.01)),
    "central_difference_list_stack": (central_difference_mdof, {}, lambda s, n: (
        *_mck(s, n), _f(30, n, seed=s), 0.01 * _f(n, seed=s + 1), np.zeros(n), 0.005)),
    "response_spectrum_period_loop": (response_spectrum_loop, {}, lambda s, n: (
        _ground_motion(s, 1)[:30], 0.02, np.linspace(0.2, 2.0, 4))),
    "response_spectrum_vectorised": (response_spectrum_vectorised, {}, lambda s, n: (
        _ground_motion(s, n), 0.02, np.linspace(0.1, 3.0, 5 * n))),
    "duhamel_np_convolve": (duhamel_convolve, {}, lambda s, n: (
        _f(20 * n, seed=s), 0.01, 2.0, 12.0, 0.05)),
    "frf_complex_solve_loop": (frf_complex_solve, {}, lambda s, n: (
        *_mck(s, n), np.linspace(1, 60, 3 * n), np.r_[np.zeros(n - 1), 1.0])),
    "modal_superposition_complex": (modal_superposition_harmonic, {}, lambda s, n: (
        np.diag(_pos(s, n, lo=1, hi=2)), shear_building_K(_pos(s + 1, n, lo=500, hi=900)),
        0.05, _f(n, seed=s), 7.0, np.linspace(0, 2, 5 * n))),
    "state_space_expm_zoh": (state_space_expm, {}, lambda s, n: (
        *_mck(s, n), _f(15, n, seed=s), 0.01)),
    "cqc_srss_einsum_ellipsis": (cqc_srss, {}, lambda s, n: (
        _f(3, n, seed=s), np.sort(_pos(s, n, lo=5, hi=60)))),
    "rayleigh_stodola_iteration": (rayleigh_quotient_shape, {"n_iter": 6}, lambda s, n: (
        np.diag(_pos(s, n, lo=1, hi=2)), shear_building_K(_pos(s + 1, n, lo=500, hi=900)))),
    "elastoplastic_sdof_clip": (bilinear_sdof_clip, {}, lambda s, n: (
        _ground_motion(s, n), 0.01, 1.0, 400.0, 1.5 + 0.1 * s)),
}


@pytest.mark.parametrize("name", _names(DYNAMICS))
def test_structural_dynamics_match_numpy(name):
    check_like_numpy(*DYNAMICS[name])


# ============================================================ stress and strain

def stress_transform_2d(sx, sy, txy, n_theta=37):
    # plane stress on planes at theta: the Mohr's circle points, and the extremes
    theta = np.radians(np.linspace(0, 180, n_theta))
    c2, s2 = np.cos(2 * theta), np.sin(2 * theta)
    sn = (sx + sy) / 2 + (sx - sy) / 2 * c2 + txy * s2
    tn = -(sx - sy) / 2 * s2 + txy * c2
    return sn, tn, np.degrees(theta[np.argmax(sn)]), np.ptp(sn) / 2


def mohr_circle_dict(state):
    # a dict of plane-stress components in, the circle's numbers out
    sx, sy, txy = state["sx"], state["sy"], state["txy"]
    C = (sx + sy) / 2
    R = np.hypot((sx - sy) / 2, txy)
    thp = 0.5 * np.arctan2(2 * txy, sx - sy)
    ths = thp - np.pi / 4
    return {"center": C, "radius": R, "s1": C + R, "s2": C - R,
            "theta_p_deg": np.rad2deg(thp), "theta_s_deg": np.rad2deg(ths)}


def principal_batched_eigh(S):
    # principal stresses and directions of a field of tensors, sorted descending,
    # maximum shear and the Tresca and von Mises equivalents
    w, v = np.linalg.eigh(S)
    s = w[..., ::-1]
    dirs = np.abs(v[..., ::-1])
    tau_max = (s[..., 0] - s[..., 2]) / 2
    tresca = np.max(np.abs(np.stack([s[..., 0] - s[..., 1], s[..., 1] - s[..., 2],
                                     s[..., 0] - s[..., 2]])), axis=0)
    vm = np.sqrt(0.5 * ((s[..., 0] - s[..., 1]) ** 2 + (s[..., 1] - s[..., 2]) ** 2
                        + (s[..., 2] - s[..., 0]) ** 2))
    return s, dirs[..., 0], tau_max, tresca, vm


def invariants_trig_principal(S):
    # I1, I2, I3 by trace and det, then the principal stresses by the trigonometric cubic
    # solution; checked against eigvalsh
    I1 = np.trace(S, axis1=-2, axis2=-1)
    I2 = 0.5 * (I1 ** 2 - np.einsum("...ij,...ji->...", S, S))
    I3 = np.linalg.det(S)
    p = I1 / 3
    dev = S - p[..., None, None] * np.eye(3)
    J2 = 0.5 * np.einsum("...ij,...ij->...", dev, dev)
    J3 = np.linalg.det(dev)
    r = np.clip(1.5 * np.sqrt(3) * J3 / J2 ** 1.5, -1, 1)
    lode = np.arccos(r) / 3
    q = 2 * np.sqrt(J2 / 3)
    s1 = p + q * np.cos(lode)
    s2 = p + q * np.cos(lode - 2 * np.pi / 3)
    s3 = p + q * np.cos(lode + 2 * np.pi / 3)
    return I1, I2, I3, np.stack([s1, s2, s3], -1), np.linalg.eigvalsh(S)[..., ::-1]


def principal_np_roots(sig):
    # the characteristic cubic solved by np.roots for one stress state in Voigt order
    sx, sy, sz, txy, tyz, tzx = sig
    I1 = sx + sy + sz
    I2 = sx * sy + sy * sz + sz * sx - txy ** 2 - tyz ** 2 - tzx ** 2
    I3 = (sx * sy * sz + 2 * txy * tyz * tzx - sx * tyz ** 2 - sy * tzx ** 2
          - sz * txy ** 2)
    roots = np.roots([1.0, -I1, I2, -I3])
    return np.sort(roots.real)[::-1]


def von_mises_components_f32(sig):
    # Voigt columns (sx, sy, sz, txy, tyz, txz) in float32 from an FE code's output
    sx, sy, sz, txy, tyz, txz = sig.T
    vm = np.sqrt(0.5 * ((sx - sy) ** 2 + (sy - sz) ** 2 + (sz - sx) ** 2)
                 + 3.0 * (txy ** 2 + tyz ** 2 + txz ** 2))
    return vm, vm.dtype, np.float32(355.0) / vm


def strain_rosettes(e_a, e_b, e_c, E=200e3, nu=0.3):
    # rectangular (0/45/90) and delta (0/60/120) rosettes to principal strains and stresses
    ex, ey = e_a, e_c
    gxy = 2 * e_b - e_a - e_c
    c = (ex + ey) / 2
    r = np.sqrt(((ex - ey) / 2) ** 2 + (gxy / 2) ** 2)
    e1, e2 = c + r, c - r
    s1 = E / (1 - nu ** 2) * (e1 + nu * e2)
    s2 = E / (1 - nu ** 2) * (e2 + nu * e1)
    ex_d = e_a
    ey_d = (2 * e_b + 2 * e_c - e_a) / 3
    gxy_d = 2 / np.sqrt(3) * (e_b - e_c)
    return np.column_stack([e1, e2, s1, s2]), np.column_stack([ex_d, ey_d, gxy_d])


def orthotropic_compliance(E, nu, G, eps):
    # the 6x6 compliance of an orthotropic solid by index writes, inverted, applied to a
    # batch of Voigt strains by einsum
    S = np.zeros((6, 6))
    S[0, 0], S[1, 1], S[2, 2] = 1 / E[0], 1 / E[1], 1 / E[2]
    S[0, 1] = S[1, 0] = -nu[0] / E[0]
    S[0, 2] = S[2, 0] = -nu[1] / E[0]
    S[1, 2] = S[2, 1] = -nu[2] / E[1]
    S[3, 3], S[4, 4], S[5, 5] = 1 / G[2], 1 / G[1], 1 / G[0]
    C = np.linalg.inv(S)
    sig = np.einsum("ij,nj->ni", C, eps)
    energy = 0.5 * np.sum(sig * eps, axis=1)
    return C, sig, energy


def isotropic_tensor_einsum(E, nu, eps):
    # C_ijkl = lam d_ij d_kl + mu (d_ik d_jl + d_il d_jk) and sigma = C : eps
    lam = E * nu / ((1 + nu) * (1 - 2 * nu))
    mu = E / (2 * (1 + nu))
    d = np.eye(3)
    C = (lam * np.einsum("ij,kl->ijkl", d, d)
         + mu * (np.einsum("ik,jl->ijkl", d, d) + np.einsum("il,jk->ijkl", d, d)))
    sig = np.einsum("ijkl,nkl->nij", C, eps)
    sig_direct = lam * np.trace(eps, axis1=1, axis2=2)[:, None, None] * d + 2 * mu * eps
    return sig, sig_direct, np.tensordot(C, np.eye(3), axes=([2, 3], [0, 1]))


def plane_stress_strain_D(E, nu, eps, dT, alpha):
    # the 3x3 D matrices for plane stress and plane strain, thermal strain removed
    Dps = E / (1 - nu ** 2) * np.array([[1, nu, 0], [nu, 1, 0], [0, 0, (1 - nu) / 2]])
    Dpe = E / ((1 + nu) * (1 - 2 * nu)) * np.array([[1 - nu, nu, 0], [nu, 1 - nu, 0],
                                                    [0, 0, (1 - 2 * nu) / 2]])
    eps_th = alpha * dT[:, None] * np.array([1.0, 1.0, 0.0])
    return (eps - eps_th) @ Dps.T, (eps - (1 + nu) * eps_th) @ Dpe.T


def deviatoric_measures(S):
    # hydrostatic and deviatoric parts, octahedral stresses, triaxiality and Lode parameter
    sm = np.trace(S, axis1=1, axis2=2) / 3
    dev = S - sm[:, None, None] * np.identity(3)
    J2 = 0.5 * np.sum(dev ** 2, axis=(1, 2))
    sig_oct = sm
    tau_oct = np.sqrt(2 * J2 / 3)
    vm = np.sqrt(3 * J2)
    s = np.sort(np.linalg.eigvalsh(S), axis=1)
    lode = (2 * s[:, 1] - s[:, 2] - s[:, 0]) / (s[:, 2] - s[:, 0])
    return sig_oct, tau_oct, sm / vm, lode


MATERIALS = {
    "S355": {"E": 210e3, "fy": 355.0, "fu": 510.0},
    "6061-T6": {"E": 69e3, "fy": 276.0, "fu": 310.0},
    "Ti-6Al-4V": {"E": 114e3, "fy": 880.0, "fu": 950.0},
}


def material_safety_factors(vm, strain):
    # safety factors and stresses for each material of a module dict, by .items()
    out = {}
    for name, mat in MATERIALS.items():
        sigma_el = mat["E"] * strain
        out[name] = {"FS_yield": mat["fy"] / vm, "FS_ult": mat["fu"] / vm,
                     "sigma": np.minimum(sigma_el, mat["fy"]),
                     "ok": (vm < mat["fy"] / 1.5).sum()}
    return out


def traction_on_planes(S, normals):
    # Cauchy's formula t = S n for each plane, its normal and shear parts
    n = normals / np.linalg.norm(normals, axis=1, keepdims=True)
    t = np.einsum("ij,nj->ni", S, n)
    sn = np.einsum("ni,ni->n", t, n)
    tau = np.sqrt(np.maximum(np.sum(t * t, axis=1) - sn ** 2, 0.0))
    return t, sn, tau


def kirsch_hole(r, theta, a, S):
    # a circular hole in a plate under uniaxial tension S: the Kirsch solution on a polar grid
    R, T = np.meshgrid(r, theta, indexing="ij")
    q = (a / R) ** 2
    srr = S / 2 * (1 - q) + S / 2 * (1 - 4 * q + 3 * q ** 2) * np.cos(2 * T)
    stt = S / 2 * (1 + q) - S / 2 * (1 + 3 * q ** 2) * np.cos(2 * T)
    srt = -S / 2 * (1 + 2 * q - 3 * q ** 2) * np.sin(2 * T)
    return srr, stt, srt, stt.max() / S


def stepped_shaft_twist(T, L, d, G):
    # torsion of a stepped (hollow for the last segment) shaft: J per segment, summed twist
    J = np.pi * d ** 4 / 32
    J[-1] -= np.pi * (0.5 * d[-1]) ** 4 / 32
    tau = T * d / 2 / J
    phi = np.cumsum(T * L / (G * J))
    return tau, np.degrees(phi), np.sum(T * L / (G * J))


def _sym(s, *batch, scale=100.0):
    a = _f(*batch, 3, 3, seed=s) * scale
    return (a + np.swapaxes(a, -1, -2)) / 2


STRESS = {
    "transform_2d_mohr_points": (stress_transform_2d, {"n_theta": 37}, lambda s, n: (
        80.0 + s, -20.0, 35.0 * s)),
    "mohr_circle_dict_in_out": (mohr_circle_dict, {}, lambda s, n: (
        {"sx": 100 * _f(n, seed=s), "sy": 100 * _f(n, seed=s + 1),
         "txy": 50 * _f(n, seed=s + 2)},)),
    "principal_eigh_batched_grid": (principal_batched_eigh, {}, lambda s, n: (
        _sym(s, 2, n),)),
    "invariants_trig_cubic_det": (invariants_trig_principal, {}, lambda s, n: (
        _sym(s, n),)),
    "von_mises_voigt_float32": (von_mises_components_f32, {}, lambda s, n: (
        (100 * _f(3 * n, 6, seed=s)).astype(np.float32),)),
    "strain_rosettes_column_stack": (strain_rosettes, {}, lambda s, n: (
        1e-4 * _f(n, seed=s), 1e-4 * _f(n, seed=s + 1), 1e-4 * _f(n, seed=s + 2))),
    "orthotropic_compliance_inv": (orthotropic_compliance, {}, lambda s, n: (
        np.array([140e3, 10e3, 10e3]) * (1 + 0.01 * s), np.array([0.3, 0.3, 0.45]),
        np.array([5e3, 5e3, 3.4e3]), 1e-3 * _f(n, 6, seed=s))),
    "isotropic_fourth_order_einsum": (isotropic_tensor_einsum, {}, lambda s, n: (
        200e3, 0.29, _sym(s, n, scale=1e-3))),
    "plane_stress_strain_thermal": (plane_stress_strain_D, {}, lambda s, n: (
        70e3, 0.33, 1e-3 * _f(n, 3, seed=s), 50 * _f(n, seed=s + 1), 23e-6)),
    "deviatoric_lode_triaxiality": (deviatoric_measures, {}, lambda s, n: (
        _sym(s, 2 * n),)),
    "material_dict_safety_factors": (material_safety_factors, {}, lambda s, n: (
        _pos(s, n, lo=50, hi=400), 1e-3 * _pos(s + 1, n, lo=0.5, hi=3))),
    "cauchy_traction_planes": (traction_on_planes, {}, lambda s, n: (
        _sym(s), _f(3 * n, 3, seed=s + 1))),
    "kirsch_hole_meshgrid": (kirsch_hole, {}, lambda s, n: (
        np.linspace(10, 40, n), np.linspace(0, np.pi, 2 * n + 1), 10.0, 100.0 * s)),
    "stepped_shaft_twist_cumsum": (stepped_shaft_twist, {}, lambda s, n: (
        1e6 * s, _pos(s, n, lo=100, hi=300), _pos(s + 1, n, lo=30, hi=50), 80e3)),
}


@pytest.mark.parametrize("name", _names(STRESS))
def test_stress_and_strain_match_numpy(name):
    check_like_numpy(*STRESS[name])


# ============================================================ composites and fatigue

def reduced_stiffness(E1, E2, nu12, G12):
    nu21 = nu12 * E2 / E1
    d = 1 - nu12 * nu21
    return np.array([[E1 / d, nu12 * E2 / d, 0],
                     [nu12 * E2 / d, E2 / d, 0],
                     [0, 0, G12]])


def qbar_reuter(Q, theta_deg):
    # Qbar = T^-1 Q R T R^-1 with Reuter's matrix
    t = np.radians(theta_deg)
    c, s = np.cos(t), np.sin(t)
    T = np.array([[c ** 2, s ** 2, 2 * s * c],
                  [s ** 2, c ** 2, -2 * s * c],
                  [-s * c, s * c, c ** 2 - s ** 2]])
    R = np.diag([1.0, 1.0, 2.0])
    return np.linalg.inv(T) @ Q @ R @ T @ np.linalg.inv(R)


def abd_loop(angles, t_ply, E1, E2, nu12, G12):
    # the ABD matrix by sums over plies, z from the mid-plane
    Q = reduced_stiffness(E1, E2, nu12, G12)
    n = len(angles)
    h = n * t_ply
    z = np.linspace(-h / 2, h / 2, n + 1)
    A = np.zeros((3, 3))
    B = np.zeros((3, 3))
    D = np.zeros((3, 3))
    for k in range(n):
        Qb = qbar_reuter(Q, angles[k])
        A += Qb * (z[k + 1] - z[k])
        B += 0.5 * Qb * (z[k + 1] ** 2 - z[k] ** 2)
        D += Qb * (z[k + 1] ** 3 - z[k] ** 3) / 3
    ABD = np.block([[A, B], [B, D]])
    return ABD, np.allclose(B, 0, atol=1e-6 * np.abs(A).max())


def qbar_jones_vectorised(Q, theta):
    # Jones' explicit Qbar terms for all plies at once, ABD by einsum with thickness powers
    c, s = np.cos(theta), np.sin(theta)
    Q11, Q12, Q22, Q66 = Q[0, 0], Q[0, 1], Q[1, 1], Q[2, 2]
    Qb = np.empty(theta.shape + (3, 3))
    Qb[:, 0, 0] = Q11 * c ** 4 + 2 * (Q12 + 2 * Q66) * s ** 2 * c ** 2 + Q22 * s ** 4
    Qb[:, 0, 1] = Qb[:, 1, 0] = (Q11 + Q22 - 4 * Q66) * s ** 2 * c ** 2 + Q12 * (s ** 4 + c ** 4)
    Qb[:, 1, 1] = Q11 * s ** 4 + 2 * (Q12 + 2 * Q66) * s ** 2 * c ** 2 + Q22 * c ** 4
    Qb[:, 0, 2] = Qb[:, 2, 0] = ((Q11 - Q12 - 2 * Q66) * s * c ** 3
                                 + (Q12 - Q22 + 2 * Q66) * s ** 3 * c)
    Qb[:, 1, 2] = Qb[:, 2, 1] = ((Q11 - Q12 - 2 * Q66) * s ** 3 * c
                                 + (Q12 - Q22 + 2 * Q66) * s * c ** 3)
    Qb[:, 2, 2] = ((Q11 + Q22 - 2 * Q12 - 2 * Q66) * s ** 2 * c ** 2
                   + Q66 * (s ** 4 + c ** 4))
    return Qb


def abd_einsum(theta_deg, thickness, Q):
    z = np.concatenate([[0.0], np.cumsum(thickness)]) - thickness.sum() / 2
    Qb = qbar_jones_vectorised(Q, np.deg2rad(theta_deg))
    dz = np.diff(z)
    dz2 = np.diff(z ** 2) / 2
    dz3 = np.diff(z ** 3) / 3
    A = np.einsum("kij,k->ij", Qb, dz)
    B = np.einsum("kij,k->ij", Qb, dz2)
    D = np.einsum("kij,k->ij", Qb, dz3)
    return A, B, D


def laminate_ply_stresses(theta_deg, t_ply, Q, NM):
    # mid-plane strains and curvatures from [A B; B D]^-1 [N; M], strains at each ply's
    # mid-surface, stresses in laminate and in material axes
    n = len(theta_deg)
    thk = np.full(n, t_ply)
    A, B, D = abd_einsum(theta_deg, thk, Q)
    ABD = np.vstack([np.hstack([A, B]), np.hstack([B, D])])
    ek = np.linalg.solve(ABD, NM)
    eps0, kap = ek[:3], ek[3:]
    z = (np.arange(n) + 0.5) * t_ply - n * t_ply / 2
    eps = eps0[None, :] + z[:, None] * kap[None, :]
    Qb = qbar_jones_vectorised(Q, np.deg2rad(theta_deg))
    sig = np.einsum("kij,kj->ki", Qb, eps)
    t = np.deg2rad(theta_deg)
    c, s = np.cos(t), np.sin(t)
    s1 = c ** 2 * sig[:, 0] + s ** 2 * sig[:, 1] + 2 * s * c * sig[:, 2]
    s2 = s ** 2 * sig[:, 0] + c ** 2 * sig[:, 1] - 2 * s * c * sig[:, 2]
    t12 = -s * c * sig[:, 0] + s * c * sig[:, 1] + (c ** 2 - s ** 2) * sig[:, 2]
    return ek, np.column_stack([s1, s2, t12])


STRENGTHS = dict(Xt=1500.0, Xc=1200.0, Yt=50.0, Yc=250.0, S=70.0)


def failure_indices(s12):
    # Tsai-Wu, Tsai-Hill (tension/compression strengths by np.where) and maximum stress
    s1, s2, t12 = s12[:, 0], s12[:, 1], s12[:, 2]
    Xt, Xc, Yt, Yc, S = (STRENGTHS[k] for k in ("Xt", "Xc", "Yt", "Yc", "S"))
    F1, F2 = 1 / Xt - 1 / Xc, 1 / Yt - 1 / Yc
    F11, F22, F66 = 1 / (Xt * Xc), 1 / (Yt * Yc), 1 / S ** 2
    F12 = -0.5 * np.sqrt(F11 * F22)
    tw = F1 * s1 + F2 * s2 + F11 * s1 ** 2 + F22 * s2 ** 2 + F66 * t12 ** 2 + 2 * F12 * s1 * s2
    X = np.where(s1 >= 0, Xt, Xc)
    Y = np.where(s2 >= 0, Yt, Yc)
    th = (s1 / X) ** 2 - s1 * s2 / X ** 2 + (s2 / Y) ** 2 + (t12 / S) ** 2
    ms = np.maximum.reduce([np.abs(s1) / X, np.abs(s2) / Y, np.abs(t12) / S])
    return tw, th, ms, np.argmax(ms)


PLY_MATERIALS = np.array([[140e3, 10e3, 0.3, 5e3],    # carbon/epoxy
                          [39e3, 8.6e3, 0.28, 3.8e3],  # glass/epoxy
                          [76e3, 5.5e3, 0.34, 2.3e3]])  # Kevlar/epoxy


def hybrid_laminate(mat_id, theta_deg, thk):
    # each ply's material by an int index into a module table, Q stacked by a list
    # comprehension, A by a loop over plies
    props = PLY_MATERIALS[mat_id]
    Qs = np.stack([reduced_stiffness(*p) for p in props])
    z = np.r_[0.0, np.cumsum(thk)] - thk.sum() / 2
    A = np.zeros((3, 3))
    D = np.zeros((3, 3))
    for k in range(len(thk)):
        Qb = qbar_reuter(Qs[k], theta_deg[k])
        A = A + Qb * thk[k]
        D = D + Qb * (z[k + 1] ** 3 - z[k] ** 3) / 3
    return A, D, props[:, 0].astype(np.float32)


# a tabulated S-N curve (stress amplitude, cycles), interpolated in log-log
SN_S = np.array([600.0, 450.0, 350.0, 280.0, 240.0, 220.0])
SN_N = np.array([1e3, 1e4, 1e5, 1e6, 1e7, 1e8])


def sn_curves(Sa, Sut=800.0, Se=300.0):
    # Basquin fitted through 0.9 Sut at 1e3 and Se at 1e6 (Shigley), and the table
    # interpolated by np.interp in log10 space
    f = 0.9
    a = (f * Sut) ** 2 / Se
    b = -1 / 3 * np.log10(f * Sut / Se)
    N_basquin = (Sa / a) ** (1 / b)
    logN = np.interp(np.log10(Sa), np.log10(SN_S[::-1]), np.log10(SN_N[::-1]))
    return np.where(Sa < Se, np.inf, N_basquin), 10 ** logN


def mean_stress_criteria(sa, sm, Se, Sut, Sy):
    # Goodman, Gerber, Soderberg and ASME-elliptic safety factors (Shigley 6-7)
    n_goodman = 1 / (sa / Se + sm / Sut)
    n_soderberg = 1 / (sa / Se + sm / Sy)
    r = sa / sm
    n_gerber = 0.5 * (Sut / sm) ** 2 * sa / Se * (-1 + np.sqrt(1 + (2 * sm * Se / (Sut * sa)) ** 2))
    n_asme = np.sqrt(1 / ((sa / Se) ** 2 + (sm / Sy) ** 2))
    n_yield = Sy / (sa + sm)
    return np.stack([n_goodman, n_soderberg, n_gerber, n_asme, n_yield]), r


SURFACE = {"ground": (1.58, -0.085), "machined": (4.51, -0.265), "hot-rolled": (57.7, -0.718),
           "forged": (272.0, -0.995)}


def marin_endurance(Sut, d, finish="machined", reliability=0.99):
    # Se = ka kb kc kd ke Se' with ka from a dict by a static name and kb by np.where on d
    a, b = SURFACE[finish]
    ka = a * Sut ** b
    kb = np.where(d <= 51, 1.24 * d ** -0.107, 1.51 * d ** -0.157)
    ke = {0.5: 1.0, 0.9: 0.897, 0.99: 0.814, 0.999: 0.753}[reliability]
    Se_prime = np.where(Sut <= 1400, 0.5 * Sut, 700.0)
    return ka * kb * ke * Se_prime


def miner_damage(S_bins, counts, A=1e12, m=3.0, Sth=40.0):
    # Miner's sum over a stress-range histogram with a cut-off, the equivalent stress range
    N = A * S_bins ** -m
    N = np.where(S_bins < Sth, np.inf, N)
    D = np.sum(counts / N, axis=-1)
    Seq = (np.sum(counts * S_bins ** m, axis=-1) / np.sum(counts, axis=-1)) ** (1 / m)
    return D, 1 / D, Seq


def paris_crack_growth(a0, dS, C=3e-13, m=3.0, Y=1.12, n_steps=40, dN=2000.0):
    # crack growth da/dN = C (Y dS sqrt(pi a))^m by forward Euler over cycle blocks
    a = np.array(a0, dtype=float)
    hist = [a.copy()]
    for _ in range(n_steps):
        dK = Y * dS * np.sqrt(np.pi * a)
        a = a + C * dK ** m * dN
        hist.append(a)
    Nf_closed = 2 / ((m - 2) * C * (Y * dS * np.sqrt(np.pi)) ** m) * (a0 ** (1 - m / 2))
    return np.array(hist), Nf_closed


def coffin_manson_newton(eps_a, E=200e3, sf=900.0, b=-0.09, ef=0.6, c=-0.6, n_iter=30):
    # life from the strain-life curve, 2Nf by Newton on log(2Nf) with a fixed iteration count
    x = np.full_like(eps_a, 4.0)
    for _ in range(n_iter):
        N2 = 10 ** x
        f = sf / E * N2 ** b + ef * N2 ** c - eps_a
        df = np.log(10) * (b * sf / E * N2 ** b + c * ef * N2 ** c)
        x = x - f / df
    return 10 ** x / 2


def _plies(s, n):
    base = np.array([0.0, 45.0, -45.0, 90.0, 90.0, -45.0, 45.0, 0.0])
    return np.concatenate([base[:n], base[:n][::-1]]) + 0.5 * _f(2 * n, seed=s)


Q_CFRP = reduced_stiffness(140e3, 10e3, 0.3, 5e3)

COMPOSITES = {
    "abd_loop_reuter_inv": (abd_loop, {}, lambda s, n: (
        _plies(s, n), 0.125, 140e3, 10e3, 0.3, 5e3)),
    "abd_einsum_jones_qbar": (abd_einsum, {}, lambda s, n: (
        _plies(s, n), _pos(s, 2 * n, lo=0.1, hi=0.2), Q_CFRP)),
    "laminate_ply_stresses": (laminate_ply_stresses, {}, lambda s, n: (
        _plies(s, n), 0.125, Q_CFRP, np.array([100.0, 20.0, 5.0 * s, 1.0, 0.5, 0.0]))),
    "tsai_wu_hill_max_stress": (failure_indices, {}, lambda s, n: (
        np.column_stack([800 * _f(3 * n, seed=s), 40 * _f(3 * n, seed=s + 1),
                         30 * _f(3 * n, seed=s + 2)]),)),
    "hybrid_laminate_table_index": (hybrid_laminate, {}, lambda s, n: (
        _i(3, 2 * n, seed=s), _plies(s, n), _pos(s, 2 * n, lo=0.1, hi=0.3))),
    "sn_basquin_loglog_interp": (sn_curves, {}, lambda s, n: (
        _pos(s, 4 * n, lo=230, hi=580),)),
    "goodman_gerber_soderberg": (mean_stress_criteria, {}, lambda s, n: (
        _pos(s, 3 * n, lo=50, hi=150), _pos(s + 1, 3 * n, lo=20, hi=200), 250.0, 700.0,
        500.0)),
    "marin_factors_static_finish": (marin_endurance, {"finish": "hot-rolled"}, lambda s, n: (
        _pos(s, 3 * n, lo=400, hi=1600), _pos(s + 1, 3 * n, lo=10, hi=100))),
    "marin_factors_default": (marin_endurance, {}, lambda s, n: (
        _pos(s, 3 * n, lo=400, hi=1600), _pos(s + 1, 3 * n, lo=10, hi=100))),
    "miner_histogram_cutoff": (miner_damage, {}, lambda s, n: (
        np.linspace(20, 200, 10), _i(1000, n, 10, seed=s).astype(float) + 1)),
    "paris_law_euler_blocks": (paris_crack_growth, {"n_steps": 40}, lambda s, n: (
        _pos(s, n, lo=1e-3, hi=3e-3), 100.0 + 10 * s)),
    "coffin_manson_newton_fixed": (coffin_manson_newton, {}, lambda s, n: (
        _pos(s, 3 * n, lo=2e-3, hi=1e-2),)),
}


@pytest.mark.parametrize("name", _names(COMPOSITES))
def test_composites_and_fatigue_match_numpy(name):
    check_like_numpy(*COMPOSITES[name])


# ============================================================ plates and contact

def plate_fd_kron(q, a, b, D, nx=6, ny=5):
    # a simply supported plate: the biharmonic as the square of the Dirichlet Laplacian,
    # built by np.kron of 1-D second differences, solved for the interior deflections
    hx, hy = a / (nx + 1), b / (ny + 1)
    Dx = (np.diag(-2 * np.ones(nx)) + np.diag(np.ones(nx - 1), 1)
          + np.diag(np.ones(nx - 1), -1)) / hx ** 2
    Dy = (np.diag(-2 * np.ones(ny)) + np.diag(np.ones(ny - 1), 1)
          + np.diag(np.ones(ny - 1), -1)) / hy ** 2
    Lap = np.kron(np.eye(ny), Dx) + np.kron(Dy, np.eye(nx))
    w = np.linalg.solve(D * Lap @ Lap, q.ravel())
    W = w.reshape(ny, nx)
    return np.pad(W, 1), W.max()


def plate_fd_sparse(q, a, D, n=7):
    # the same with scipy.sparse: diags, kron, spsolve of M = w's Laplacian, twice
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla
    h = a / (n + 1)
    T = sp.diags([1.0, -2.0, 1.0], [-1, 0, 1], shape=(n, n)) / h ** 2
    Id = sp.identity(n)
    L = (sp.kron(Id, T) + sp.kron(T, Id)).tocsc()
    m = spla.spsolve(L, q.ravel())
    w = spla.spsolve(L, m / D)
    return w.reshape(n, n)


def navier_plate(x, y, a, b, q0, D, terms=9):
    # Navier's double series for a uniformly loaded simply supported plate, odd m and n
    X, Y = np.meshgrid(x, y)
    w = np.zeros_like(X)
    for m in range(1, terms + 1, 2):
        for n in range(1, terms + 1, 2):
            qmn = 16 * q0 / (np.pi ** 2 * m * n)
            w += (qmn / (np.pi ** 4 * D * ((m / a) ** 2 + (n / b) ** 2) ** 2)
                  * np.sin(m * np.pi * X / a) * np.sin(n * np.pi * Y / b))
    return w, w.max() * D / (q0 * a ** 4)


def plate_moments_gradient(w, h, D, nu):
    # bending and twisting moments from a deflection field by np.gradient twice
    wy, wx = np.gradient(w, h)
    wyy, wyx = np.gradient(wy, h)
    wxy, wxx = np.gradient(wx, h)
    Mx = -D * (wxx + nu * wyy)
    My = -D * (wyy + nu * wxx)
    Mxy = -D * (1 - nu) * 0.5 * (wxy + wyx)
    M1 = (Mx + My) / 2 + np.sqrt(((Mx - My) / 2) ** 2 + Mxy ** 2)
    return Mx, My, Mxy, M1


def hertz_line_subsurface(z, F_per_L, R1, R2, E, nu):
    # two cylinders: half-width b, p_max, and the subsurface principal stresses on the axis
    R = R1 * R2 / (R1 + R2)
    Es = E / (2 * (1 - nu ** 2))
    b = np.sqrt(4 * F_per_L * R / (np.pi * Es))
    pmax = 2 * F_per_L / (np.pi * b)
    zb = z[:, None] / b
    sx = -2 * nu * pmax * (np.sqrt(1 + zb ** 2) - zb)
    sy = -pmax * ((1 + 2 * zb ** 2) / np.sqrt(1 + zb ** 2) - 2 * zb)
    sz = -pmax / np.sqrt(1 + zb ** 2)
    tau = (sy - sz) / 2
    return sx, sy, sz, np.max(np.abs(tau), axis=0)


# Lewis form factors for 20 degree full-depth teeth (Shigley table 14-2)
LEWIS_N = np.array([12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 24, 26, 28, 30, 34, 38,
                    43, 50, 60, 75, 100, 150, 300, 400])
LEWIS_Y = np.array([0.245, 0.261, 0.277, 0.290, 0.296, 0.303, 0.309, 0.314, 0.322, 0.328,
                    0.331, 0.337, 0.346, 0.353, 0.359, 0.371, 0.384, 0.397, 0.409, 0.422,
                    0.435, 0.447, 0.460, 0.472, 0.480])


def lewis_gear_stress(teeth, P_d, F, W_t, V_ftmin):
    # Lewis bending stress with the form factor by np.interp and Barth's velocity factor
    Y = np.interp(teeth, LEWIS_N, LEWIS_Y)
    Kv = (1200 + V_ftmin) / 1200
    sigma = Kv * W_t * P_d / (F * Y)
    return sigma, Y


def agma_contact_and_geometry(N1, N2, m, F, Wt, Cp=191.0, phi_deg=20.0):
    # pinion and gear of integer teeth: pitch diameters, contact ratio, AGMA contact stress
    phi = np.deg2rad(phi_deg)
    d1, d2 = m * N1, m * N2
    rb1, rb2 = d1 / 2 * np.cos(phi), d2 / 2 * np.cos(phi)
    ra1, ra2 = d1 / 2 + m, d2 / 2 + m
    C = (d1 + d2) / 2
    pb = np.pi * m * np.cos(phi)
    mc = (np.sqrt(ra1 ** 2 - rb1 ** 2) + np.sqrt(ra2 ** 2 - rb2 ** 2) - C * np.sin(phi)) / pb
    mG = N2 / N1
    Ig = np.cos(phi) * np.sin(phi) / 2 * mG / (mG + 1)
    sigma_c = Cp * np.sqrt(Wt / (F * d1 * Ig))
    return d1, d2, mc, sigma_c, (N1 + N2) // 2


def shaft_critical_speed(x_m, masses, L, EI, g=9.81):
    # Rayleigh's critical speed of a simply supported shaft with discs: influence
    # coefficients by np.where on the (i, j) grid, static deflections under the weights
    xi = x_m[:, None]
    xj = x_m[None, :]
    a = np.minimum(xi, xj)
    b = L - np.maximum(xi, xj)
    delta = a * b * (L ** 2 - a ** 2 - b ** 2) / (6 * EI * L)
    y = delta @ (masses * g)
    w_rayleigh = np.sqrt(g * np.sum(masses * y) / np.sum(masses * y ** 2))
    w_dunkerley = 1 / np.sqrt(np.sum(masses * np.diag(delta)))
    return w_rayleigh * 60 / (2 * np.pi), w_dunkerley * 60 / (2 * np.pi)


def bearing_life(Fr, Fa, C0, C, e_tab=(0.19, 0.22, 0.26, 0.28, 0.30, 0.34, 0.38, 0.42, 0.44),
                 ratio_tab=(0.014, 0.028, 0.056, 0.084, 0.110, 0.17, 0.28, 0.42, 0.56)):
    # deep-groove ball bearing: e by interpolation in Fa/C0, X and Y by np.where, L10
    e = np.interp(Fa / C0, ratio_tab, e_tab)
    Y = np.interp(Fa / C0, ratio_tab, [2.30, 1.99, 1.71, 1.55, 1.45, 1.31, 1.15, 1.04, 1.00])
    heavy = Fa / Fr > e
    P = np.where(heavy, 0.56 * Fr + Y * Fa, Fr)
    L10 = (C / P) ** 3
    return P, L10, heavy


def _wgrid(s, n):
    x = np.linspace(0, 1, n + 3)
    X, Y = np.meshgrid(x, x)
    return (np.sin(np.pi * X) * np.sin(np.pi * Y) * (1 + 0.1 * s)
            + 0.01 * X ** 3 * Y * s)


PLATES = {
    "plate_biharmonic_kron": (plate_fd_kron, {"nx": 6, "ny": 5}, lambda s, n: (
        _pos(s, 5, 6, lo=1, hi=2), 2.0, 1.5, 1e3 + 10 * n)),
    "plate_scipy_sparse_spsolve": (plate_fd_sparse, {"n": 7}, lambda s, n: (
        _pos(s, 7, 7, lo=1, hi=2), 1.0, 500.0 + n)),
    "navier_double_series": (navier_plate, {"terms": 9}, lambda s, n: (
        np.linspace(0, 2, n + 1), np.linspace(0, 1.5, n + 2), 2.0, 1.5, 10.0 * s, 1e3)),
    "plate_moments_gradient": (plate_moments_gradient, {}, lambda s, n: (
        _wgrid(s, n), 0.1, 1e3, 0.3)),
    "hertz_line_subsurface_axes": (hertz_line_subsurface, {}, lambda s, n: (
        np.linspace(0, 1.0, 5 * n), _pos(s, n, lo=100, hi=300), 20.0, 30.0, 210e3, 0.3)),
    "lewis_form_factor_interp": (lewis_gear_stress, {}, lambda s, n: (
        _i(80, 3 * n, seed=s) + 12, 8.0, 1.5, 380.0 * s, 1200.0)),
    "agma_integer_teeth": (agma_contact_and_geometry, {}, lambda s, n: (
        _i(20, 2 * n, seed=s) + 17, _i(60, 2 * n, seed=s + 1) + 40, 3.0, 30.0, 2500.0)),
    "shaft_critical_speed_influence": (shaft_critical_speed, {}, lambda s, n: (
        np.sort(_pos(s, n, lo=0.1, hi=0.9)), _pos(s + 1, n, lo=5, hi=20), 1.0, 2e4)),
    "bearing_life_interp_where": (bearing_life, {}, lambda s, n: (
        _pos(s, 3 * n, lo=1e3, hi=5e3), _pos(s + 1, 3 * n, lo=1e2, hi=3e3), 12e3, 20e3)),
}


@pytest.mark.parametrize("name", _names(PLATES))
def test_plates_contact_and_machine_elements_match_numpy(name):
    check_like_numpy(*PLATES[name])


# ============================================================ columns and sections

def aisc_column_curve(KL_r, Fy, E=200e3, phi_c=0.9):
    # AISC 360 E3: inelastic and elastic branches by the Fy/Fe ratio
    Fe = np.pi ** 2 * E / KL_r ** 2
    Fcr = np.where(Fy / Fe <= 2.25, 0.658 ** (Fy / Fe) * Fy, 0.877 * Fe)
    return phi_c * Fcr, Fcr / Fy


EC3_ALPHA = {"a0": 0.13, "a": 0.21, "b": 0.34, "c": 0.49, "d": 0.76}


def ec3_buckling_curves(lam_bar, curve="b"):
    # Eurocode 3 chi for one curve given by name, and for all curves by a dict comprehension
    def chi(lb, alpha):
        Phi = 0.5 * (1 + alpha * (lb - 0.2) + lb ** 2)
        return np.minimum(1.0, 1 / (Phi + np.sqrt(Phi ** 2 - lb ** 2)))

    all_curves = {k: chi(lam_bar, a) for k, a in EC3_ALPHA.items()}
    return chi(lam_bar, EC3_ALPHA[curve]), all_curves


def beam_column_interaction(Pr, Pc, Mrx, Mcx, Mry, Mcy):
    # AISC H1-1a and H1-1b picked by Pr/Pc >= 0.2
    ratio = Pr / Pc
    h1a = ratio + 8 / 9 * (Mrx / Mcx + Mry / Mcy)
    h1b = ratio / 2 + (Mrx / Mcx + Mry / Mcy)
    return np.where(ratio >= 0.2, h1a, h1b)


def shoelace_properties(xy):
    # area, centroid and second moments of a polygon by the shoelace sums with np.roll
    x, y = xy[:, 0], xy[:, 1]
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    cross = x * yn - xn * y
    A = cross.sum() / 2
    cx = np.sum((x + xn) * cross) / (6 * A)
    cy = np.sum((y + yn) * cross) / (6 * A)
    Ixx = np.sum((y ** 2 + y * yn + yn ** 2) * cross) / 12
    Iyy = np.sum((x ** 2 + x * xn + xn ** 2) * cross) / 12
    Ixy = np.sum((x * yn + 2 * x * y + 2 * xn * yn + xn * y) * cross) / 24
    Ixc = Ixx - A * cy ** 2
    Iyc = Iyy - A * cx ** 2
    Ixyc = Ixy - A * cx * cy
    theta = 0.5 * np.arctan2(-2 * Ixyc, Ixc - Iyc)
    I1 = (Ixc + Iyc) / 2 + np.hypot((Ixc - Iyc) / 2, Ixyc)
    I2 = (Ixc + Iyc) / 2 - np.hypot((Ixc - Iyc) / 2, Ixyc)
    return A, (cx, cy), (Ixc, Iyc, Ixyc), (I1, I2, np.degrees(theta))


def polygon_with_hole(outer, hole):
    # a hollow section: the hole traversed clockwise, areas and first moments combined
    def area_moments(p):
        x, y = p[:, 0], p[:, 1]
        x1, y1 = np.append(x[1:], x[0]), np.append(y[1:], y[0])
        c = x * y1 - x1 * y
        return c.sum() / 2, np.sum((x + x1) * c) / 6, np.sum((y + y1) * c) / 6

    A_o, Sy_o, Sx_o = area_moments(outer)
    A_h, Sy_h, Sx_h = area_moments(hole[::-1])
    A = A_o + A_h
    return A, (Sy_o + Sy_h) / A, (Sx_o + Sx_h) / A


def built_up_section(parts):
    # a built-up section from a dict of rectangles (b, h, x_c, y_c): parallel axis theorem
    b, h, yc = parts["b"], parts["h"], parts["y"]
    A = b * h
    y_bar = np.sum(A * yc) / np.sum(A)
    Ix = np.sum(b * h ** 3 / 12 + A * (yc - y_bar) ** 2)
    c = np.max(yc + h / 2) - y_bar
    return {"A": A.sum(), "y_bar": y_bar, "Ix": Ix, "S_top": Ix / c,
            "S_bot": Ix / (y_bar - np.min(yc - h / 2))}


def i_beam_shear_flow(y, V, d, bf, tf, tw):
    # tau(y) = V Q(y) / (Ix t(y)) on an I-section, flange and web by np.where
    hw = d - 2 * tf
    Ix = (bf * d ** 3 - (bf - tw) * hw ** 3) / 12
    ya = np.abs(y)
    in_flange = ya > hw / 2
    Q_flange = bf / 2 * ((d / 2) ** 2 - ya ** 2)
    Q_web = bf * tf * (d - tf) / 2 + tw / 2 * ((hw / 2) ** 2 - ya ** 2)
    Q = np.where(in_flange, Q_flange, Q_web)
    t = np.where(in_flange, bf, tw)
    return V * Q / (Ix * t)


def plate_buckling_k(aspect, m_max=6):
    # a simply supported plate in uniaxial compression: k = min over half-waves m
    ks = np.stack([(m / aspect + aspect / m) ** 2 for m in range(1, m_max + 1)])
    return ks.min(axis=0), ks.argmin(axis=0) + 1


def section_select(Z_req, Z_table, w_table):
    # the lightest catalogue section with enough modulus: sort by weight, searchsorted on
    # a cumulative maximum
    order = np.argsort(w_table)
    Zs = np.maximum.accumulate(Z_table[order])
    k = np.searchsorted(Zs, Z_req)
    k = np.minimum(k, len(Zs) - 1)
    return order[k], w_table[order[k]]


SECTIONS = {
    "aisc_e3_column_curve": (aisc_column_curve, {}, lambda s, n: (
        np.linspace(10, 200, 5 * n) + 0.3, 345.0 + s)),
    "ec3_named_curve_dict_comp": (ec3_buckling_curves, {"curve": "c"}, lambda s, n: (
        np.linspace(0.05, 2.5, 5 * n) * (1 + 0.01 * s),)),
    "h1_interaction_where": (beam_column_interaction, {}, lambda s, n: (
        _pos(s, 3 * n, lo=100, hi=900), 1000.0, _pos(s + 1, 3 * n, lo=10, hi=200), 300.0,
        _pos(s + 2, 3 * n, lo=5, hi=50), 120.0)),
    "shoelace_roll_principal": (shoelace_properties, {}, lambda s, n: (
        np.column_stack([np.cos(np.linspace(0, 2 * np.pi, n + 3, endpoint=False)) * 3,
                         np.sin(np.linspace(0, 2 * np.pi, n + 3, endpoint=False)) * 2])
        + 0.2 * _f(n + 3, 2, seed=s),)),
    "polygon_hole_append": (polygon_with_hole, {}, lambda s, n: (
        np.array([[0, 0], [10, 0], [10, 6], [0, 6.0]]) + 0.1 * _f(4, 2, seed=s),
        np.array([[2, 2], [6, 2], [6, 4], [2, 4.0]]) + 0.1 * _f(4, 2, seed=s + 1))),
    "built_up_parallel_axis_dict": (built_up_section, {}, lambda s, n: (
        {"b": _pos(s, n, lo=10, hi=200), "h": _pos(s + 1, n, lo=10, hi=30),
         "y": np.cumsum(_pos(s + 2, n, lo=20, hi=40))},)),
    "i_beam_shear_flow_where": (i_beam_shear_flow, {}, lambda s, n: (
        np.linspace(-200, 200, 8 * n + 1), 1e5 * s, 400.0, 200.0, 15.0, 9.0)),
    "plate_buckling_min_over_m": (plate_buckling_k, {"m_max": 6}, lambda s, n: (
        np.linspace(0.3, 5.0, 7 * n) + 0.01 * s,)),
    "section_select_searchsorted": (section_select, {}, lambda s, n: (
        _pos(s, 3 * n, lo=100, hi=2000), np.sort(_pos(s + 1, 12, lo=80, hi=2500)),
        np.linspace(10, 120, 12) + _u(s, 12))),
}


@pytest.mark.parametrize("name", _names(SECTIONS))
def test_columns_and_sections_match_numpy(name):
    check_like_numpy(*SECTIONS[name])


# ==================================================== FE idioms, sparse assembly and SciPy

def bar_triplets(EA, L, n_el):
    # 1-D bar triplets by Python lists: constant rows and columns, traced values
    rows, cols, vals = [], [], []
    for e in range(n_el):
        k = EA[e] / L[e]
        for a, i in enumerate((e, e + 1)):
            for b, j in enumerate((e, e + 1)):
                rows.append(i)
                cols.append(j)
                vals.append(k if a == b else -k)
    return rows, cols, vals


def sparse_bar_tocsc_spsolve(EA, L, F, n_el=6):
    # COO assembly, CSC conversion and spsolve with the clamped end as a penalty row
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla
    rows, cols, vals = bar_triplets(EA, L, n_el)
    rows.append(0)
    cols.append(0)
    vals.append(1e6 * EA.max())
    K = sp.coo_matrix((vals, (rows, cols)), shape=(n_el + 1, n_el + 1)).tocsc()
    return spla.spsolve(K, F), (K @ F)


def sparse_bar_tocsr_slice(EA, L, F, n_el=6):
    # the usual: COO to CSR, the supported dof sliced off, spsolve
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla
    rows, cols, vals = bar_triplets(EA, L, n_el)
    K = sp.coo_matrix((vals, (rows, cols)), shape=(n_el + 1, n_el + 1)).tocsr()
    u = np.zeros(n_el + 1)
    u[1:] = spla.spsolve(K[1:, 1:], F[1:])
    return u


def sparse_bar_penalty_diags(EA, L, F, n_el=6):
    # penalty supports added as a sparse diagonal to the COO matrix
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla
    rows, cols, vals = bar_triplets(EA, L, n_el)
    K = sp.coo_matrix((vals, (rows, cols)), shape=(n_el + 1, n_el + 1))
    pen = np.zeros(n_el + 1)
    pen[0] = 1e6
    return spla.spsolve((K + sp.diags(pen)).tocsc(), F)


def sparse_scaled_assembly(L, F, E=200.0, A=2.0, n_el=6):
    # unit element matrices assembled, scaled by EA/L afterwards
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla
    rows, cols, vals = bar_triplets(np.ones(n_el), L, n_el)
    K = sp.coo_matrix((vals, (rows, cols)), shape=(n_el + 1, n_el + 1)).tocsc() * (E * A)
    K0 = K[:, 0].toarray()
    return spla.spsolve(K[1:, 1:], F[1:]), K0


def sparse_lil_assembly(EA, L, F, n_el=6):
    # the textbook's sparse assembly: item updates of a lil_matrix, then CSR and spsolve
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla
    K = sp.lil_matrix((n_el + 1, n_el + 1))
    for e in range(n_el):
        k = EA[e] / L[e]
        K[e, e] += k
        K[e + 1, e + 1] += k
        K[e, e + 1] -= k
        K[e + 1, e] -= k
    K[0, 0] += 1e6 * EA.max()
    return spla.spsolve(K.tocsr(), F)


def sparse_vectorised_coo_truss(nodes, elems, EA, F, fixed=(0, 1, 9)):
    # the vectorised truss through scipy.sparse.coo_matrix (duplicates summed), toarray
    import scipy.sparse as sp
    d = nodes[elems[:, 1]] - nodes[elems[:, 0]]
    L = np.linalg.norm(d, axis=1)
    c, s = d[:, 0] / L, d[:, 1] / L
    k = EA / L
    blk = np.stack([c * c, c * s, c * s, s * s], axis=1).reshape(-1, 2, 2) * k[:, None, None]
    ke = np.block([[blk, -blk], [-blk, blk]])
    dofs = np.stack([2 * elems[:, 0], 2 * elems[:, 0] + 1, 2 * elems[:, 1],
                     2 * elems[:, 1] + 1], axis=1)
    rows = np.repeat(dofs, 4, axis=1).ravel()
    cols = np.tile(dofs, (1, 4)).ravel()
    ndof = 2 * len(nodes)
    K = sp.coo_matrix((ke.ravel(), (rows, cols)), shape=(ndof, ndof)).toarray()
    free = np.setdiff1d(np.arange(ndof), fixed)
    u = np.zeros(ndof)
    u[free] = np.linalg.solve(K[np.ix_(free, free)], F[free])
    return u


def chained_index_noop(K, k, i=0, j=2):
    # a bug real notebooks have: the chained fancy write lands in a copy, only the np.ix_
    # write reaches K
    K[[i, j]][:, [i, j]] += k
    K[np.ix_([i, j], [i, j])] += 2 * k
    return K


def duplicate_fancy_add(V, rows, cols, n=5):
    # K[rows, cols] += V with repeated pairs: the buffered write keeps the last, unlike add.at
    K = np.zeros((n, n))
    K[rows, cols] += V
    K2 = np.zeros((n, n))
    np.add.at(K2, (rows, cols), V)
    return K, K2


class BarElement:
    """A 2-D bar as an object-oriented FE code writes it."""

    def __init__(self, n1, n2, E, A):
        self.nodes = (n1, n2)
        self.E, self.A = E, A

    @property
    def dofs(self):
        i, j = self.nodes
        return [2 * i, 2 * i + 1, 2 * j, 2 * j + 1]

    def geometry(self, X):
        d = X[self.nodes[1]] - X[self.nodes[0]]
        L = np.linalg.norm(d)
        return L, d / L

    def stiffness(self, X):
        L, (c, s) = self.geometry(X)
        return self.E * self.A / L * np.array([[c * c, c * s, -c * c, -c * s],
                                               [c * s, s * s, -c * s, -s * s],
                                               [-c * c, -c * s, c * c, c * s],
                                               [-c * s, -s * s, c * s, s * s]])

    def axial_force(self, X, u):
        L, (c, s) = self.geometry(X)
        return self.E * self.A / L * np.array([-c, -s, c, s]) @ u[self.dofs]


OO_CONNECTIVITY = [(0, 1), (1, 2), (0, 2), (2, 3), (1, 3)]


def object_oriented_truss(X, A, F):
    elements = [BarElement(i, j, 200.0, A[e]) for e, (i, j) in enumerate(OO_CONNECTIVITY)]
    K = np.zeros((8, 8))
    for el in elements:
        K[np.ix_(el.dofs, el.dofs)] += el.stiffness(X)
    free = [2, 3, 4, 5, 6]
    u = np.zeros(8)
    u[free] = np.linalg.solve(K[np.ix_(free, free)], F[free])
    return u, [el.axial_force(X, u) for el in elements]


def cst_plane_stress(X, tris, t, E, nu, F):
    # constant-strain triangles from a list of node triples, assembly, fixed left edge
    D = E / (1 - nu ** 2) * np.array([[1, nu, 0], [nu, 1, 0], [0, 0, (1 - nu) / 2]])
    ndof = 2 * len(X)
    K = np.zeros((ndof, ndof))
    Bs = []
    for (i, j, k) in tris:
        (x1, y1), (x2, y2), (x3, y3) = X[i], X[j], X[k]
        A = 0.5 * np.linalg.det(np.array([[1, x1, y1], [1, x2, y2], [1, x3, y3]]))
        b = np.array([y2 - y3, y3 - y1, y1 - y2])
        c = np.array([x3 - x2, x1 - x3, x2 - x1])
        B = np.zeros((3, 6))
        B[0, 0::2] = b
        B[1, 1::2] = c
        B[2, 0::2] = c
        B[2, 1::2] = b
        B /= 2 * A
        dof = np.array([2 * i, 2 * i + 1, 2 * j, 2 * j + 1, 2 * k, 2 * k + 1])
        K[np.ix_(dof, dof)] += t * A * B.T @ D @ B
        Bs.append((B, dof))
    fixed = [0, 1, 6, 7]
    free = np.setdiff1d(np.arange(ndof), fixed)
    u = np.zeros(ndof)
    u[free] = np.linalg.solve(K[np.ix_(free, free)], F[free])
    stress = np.array([D @ B @ u[dof] for B, dof in Bs])
    return u, stress


CST_TRIS = [(0, 1, 2), (0, 2, 3), (1, 4, 5), (1, 5, 2)]
CST_X = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [2, 0], [2, 1.0]])


def q4_gauss_batched(X, E, nu, t):
    # Q4 stiffness of many elements at once: 2x2 Gauss points, batched Jacobians, inv, det
    D = E / (1 - nu ** 2) * np.array([[1, nu, 0], [nu, 1, 0], [0, 0, (1 - nu) / 2]])
    g = 1 / np.sqrt(3)
    xi = np.array([-g, g, g, -g])
    eta = np.array([-g, -g, g, g])
    dN = 0.25 * np.array([[-(1 - eta), (1 - eta), (1 + eta), -(1 + eta)],
                          [-(1 - xi), -(1 + xi), (1 + xi), (1 - xi)]])
    J = np.einsum("anp,enb->epab", dN, X)
    detJ = np.linalg.det(J)
    dNdx = np.einsum("epab,bnp->epan", np.linalg.inv(J), dN)
    ne = X.shape[0]
    B = np.zeros((ne, 4, 3, 8))
    B[:, :, 0, 0::2] = dNdx[:, :, 0]
    B[:, :, 1, 1::2] = dNdx[:, :, 1]
    B[:, :, 2, 0::2] = dNdx[:, :, 1]
    B[:, :, 2, 1::2] = dNdx[:, :, 0]
    Ke = t * np.einsum("epki,kl,eplj,ep->eij", B, D, B, detJ)
    return Ke, detJ


def leggauss_bar_loads(q_coef, L, ngp=3, n_el=4):
    # consistent nodal loads of a polynomial distributed load by Gauss-Legendre points
    xi, w = np.polynomial.legendre.leggauss(ngp)
    le = L / n_el
    F = np.zeros(n_el + 1)
    for e in range(n_el):
        x = e * le + (xi + 1) * le / 2
        q = np.polyval(q_coef, x)
        N = np.vstack([(1 - xi) / 2, (1 + xi) / 2])
        F[e:e + 2] += N @ (w * q) * le / 2
    return F


def eig_of_inv_m_k(M, K):
    # the textbook's modes: eig of M^-1 K (real eigenvalues of a symmetric pair), sorted
    lam, V = np.linalg.eig(np.linalg.solve(M, K))
    idx = np.argsort(lam)
    lam, V = lam[idx], V[:, idx]
    return np.sqrt(lam) / (2 * np.pi), V / V[-1]


def damped_modes_state_space(M, C, K):
    # complex modes of a non-proportionally damped system from the 2n state matrix
    n = M.shape[0]
    Minv = np.linalg.inv(M)
    A = np.block([[np.zeros((n, n)), np.eye(n)], [-Minv @ K, -Minv @ C]])
    lam, V = np.linalg.eig(A)
    idx = np.argsort(np.abs(lam.imag) + 1e-9 * lam.imag)
    lam = lam[idx]
    wn = np.abs(lam)
    zeta = -lam.real / wn
    return wn[1::2], zeta[1::2]


def damped_modes_generalized(M, C, K):
    # the same by the generalized problem scipy.linalg.eig(A, B) of the symmetric form
    n = M.shape[0]
    A = np.block([[C, M], [M, np.zeros((n, n))]])
    B = np.block([[K, np.zeros((n, n))], [np.zeros((n, n)), -M]])
    lam = scipy.linalg.eigvals(-B, A)
    lam = lam[np.argsort(lam.imag)][n:]
    return np.abs(lam), -lam.real / np.abs(lam)


def cumulative_simpson_diagrams(w, x, RA):
    # shear and moment by cumulative Simpson integration
    V = RA - scipy.integrate.cumulative_simpson(w, x=x, initial=0)
    M = scipy.integrate.cumulative_simpson(V, x=x, initial=0)
    return V, M, scipy.integrate.simpson(w, x=x)


def duffing_odeint_args(y0, t, k, c, k3):
    # a hardening SDOF by odeint with its parameters passed in args=
    def rhs(y, t, k, c, k3):
        return [y[1], -c * y[1] - k * y[0] - k3 * y[0] ** 3]

    return scipy.integrate.odeint(rhs, y0, t, args=(k, c, k3))


def sdof_solve_ivp_t_eval(y0, k, c, m=1.0):
    def rhs(t, y, k, c):
        return [y[1], -(c * y[1] + k * y[0]) / m]

    sol = scipy.integrate.solve_ivp(rhs, (0, 2), y0, t_eval=np.linspace(0, 2, 9), args=(k, c),
                                    rtol=1e-10, atol=1e-12)
    return sol.y


def ground_motion_sos_filter(ag, fs=100.0, order=4):
    # processing a record: baseline by detrend, Butterworth band-pass in sos form
    import scipy.signal
    sos = scipy.signal.butter(order, [0.5, 25.0], btype="bandpass", fs=fs, output="sos")
    ag = scipy.signal.detrend(ag)
    return scipy.signal.sosfiltfilt(sos, ag)


def arias_and_duration(ag, dt, g=9.81):
    # Arias intensity and the 5-95% significant duration by np.interp on the Husid plot
    Ia = np.pi / (2 * g) * np.cumsum(ag ** 2) * dt
    t = np.arange(ag.size) * dt
    t5, t95 = np.interp([0.05, 0.95], Ia / Ia[-1], t)
    return Ia[-1], t95 - t5


def beam_frequencies_brentq(EI, m, L):
    # cantilever roots of cos(bL) cosh(bL) = -1 by brentq on constant brackets
    import scipy.optimize
    roots = [scipy.optimize.brentq(lambda bl: np.cos(bl) * np.cosh(bl) + 1, lo, hi)
             for lo, hi in ((1.0, 3.0), (4.0, 6.0), (7.0, 9.0))]
    bl = np.array(roots)
    return bl[:, None] ** 2 * np.sqrt(EI / (m * L ** 4))[None, :]


def fragility_curves(im, theta, beta):
    # lognormal fragilities for damage states: (intensity, state) by broadcasting
    import scipy.stats
    P = scipy.stats.norm.cdf(np.log(im[:, None] / theta[None, :]) / beta[None, :])
    return P, -np.diff(np.hstack([np.ones((len(im), 1)), P, np.zeros((len(im), 1))]), axis=1)


STEEL_STRAIN = np.array([0.0, 0.0017, 0.015, 0.05, 0.12])
STEEL_STRESS = np.array([0.0, 355.0, 370.0, 450.0, 510.0])


def stress_strain_tables(eps):
    # a tabulated stress-strain curve by interp1d and by a monotone PCHIP, secant moduli
    import scipy.interpolate
    lin = scipy.interpolate.interp1d(STEEL_STRAIN, STEEL_STRESS, fill_value="extrapolate")
    pch = scipy.interpolate.PchipInterpolator(STEEL_STRAIN, STEEL_STRESS)
    s = lin(eps)
    return s, pch(eps), pch(eps, 1), s / eps


def stiffness_checks(K):
    # the sanity prints of an FE notebook: symmetry, rank, conditioning, determinant
    sym = np.allclose(K, K.T)
    return sym, np.linalg.matrix_rank(K), np.linalg.cond(K), np.linalg.slogdet(K)


def node_report(u):
    # results by f-string keys, in mm
    return {f"node_{i}": (1000 * u[2 * i], 1000 * u[2 * i + 1]) for i in range(len(u) // 2)}


def penalty_fill_diagonal(K, F, kp=1e6):
    # supports by adding a spring to each diagonal term of the first node, fill_diagonal
    Kp = K.copy()
    d = Kp.diagonal().copy()
    d[:2] += kp * np.abs(K).max()
    np.fill_diagonal(Kp, d)
    return np.linalg.solve(Kp, F)


def peak_location_unravel(field):
    k = np.argmax(np.abs(field))
    i, j = np.unravel_index(k, field.shape)
    return i, j, field[i, j]


def beam_arange_dofs(x_nodes, elems, EI, P):
    # a continuous beam from a node table and an element table: each element's dofs by
    # np.arange over its nodes, simple supports at every node but the loaded one
    ndof = 2 * len(x_nodes)
    K = np.zeros((ndof, ndof))
    for i, j in elems:
        dof = np.concatenate([np.arange(2 * i, 2 * i + 2), np.arange(2 * j, 2 * j + 2)])
        K[np.ix_(dof, dof)] += eb_beam_k(EI, x_nodes[j] - x_nodes[i])
    free = np.r_[1:ndof:2, 2]
    u = np.zeros(ndof)
    u[free] = np.linalg.solve(K[np.ix_(free, free)], P * (free == 2))
    return u


def shear_building_sparse(k, m, F):
    # the storey stiffnesses as a tridiagonal scipy.sparse.diags, static solve and modes
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla
    k_above = np.append(k[1:], 0.0)
    K = sp.diags([-k[1:], k + k_above, -k[1:]], [-1, 0, 1], format="csc")
    u = spla.spsolve(K, F)
    w2 = scipy.linalg.eigh(K.toarray(), np.diag(m), eigvals_only=True)
    return u, np.sqrt(w2)


def _bar_data(s, n):
    return _pos(s, 6, lo=100, hi=200), _pos(s + 1, 6, lo=0.5, hi=1.5), _f(7, seed=s)


def _q4_mesh(s, n):
    X = np.array([[0, 0], [2, 0], [2, 1], [0, 1.0]])
    return X + 0.1 * _f(n, 4, 2, seed=s)


FE_IDIOMS = {
    "sparse_coo_tocsc_spsolve": (sparse_bar_tocsc_spsolve, {"n_el": 6}, lambda s, n: (
        *_bar_data(s, n),)),
    "sparse_coo_tocsr_slice_bcs": (sparse_bar_tocsr_slice, {"n_el": 6}, lambda s, n: (
            *_bar_data(s, n),)),
    "sparse_coo_plus_diags_penalty": (sparse_bar_penalty_diags,
        {"n_el": 6}, lambda s, n: (*_bar_data(s, n),)),
    "sparse_tocsc_times_scalar": (sparse_scaled_assembly, {"n_el": 6}, lambda s, n: (
            _pos(s, 6, lo=0.5, hi=1.5), _f(7, seed=s))),
    "beam_dofs_by_arange": (beam_arange_dofs, {}, lambda s, n: (
            np.cumsum(np.r_[0.0, _pos(s, n, lo=2, hi=4)]),
            np.column_stack([np.arange(n), np.arange(1, n + 1)]), 1e3, -10.0)),
    "shear_building_sparse_diags": (shear_building_sparse, {}, lambda s, n: (
            _pos(s, n, lo=500, hi=900), _pos(s + 1, n, lo=1, hi=2), _f(n, seed=s))),
    "sparse_lil_item_assembly": (sparse_lil_assembly, {"n_el": 6}, lambda s, n: (*_bar_data(s, n),)),
    "sparse_vectorised_coo_truss": (sparse_vectorised_coo_truss, {}, lambda s, n: (
        _warren(s, 4)[0], _warren(s, 4)[1], _pos(s, 15, lo=200, hi=400),
        _warren_loads(s, 4))),
    "chained_fancy_write_noop": (chained_index_noop, {}, lambda s, n: (
        np.zeros((n, n)), np.ones((2, 2)) * s)),
    "duplicate_pairs_fancy_add": (duplicate_fancy_add, {"n": 5}, lambda s, n: (
        np.arange(6.0) + s, np.array([0, 1, 1, 2, 0, 1]), np.array([0, 1, 1, 2, 0, 3]))),
    "object_oriented_bar_elements": (object_oriented_truss, {}, lambda s, n: (
        np.array([[0, 0], [2, 1.5], [4, 0], [6, 1.5]]) + 0.05 * _f(4, 2, seed=s),
        _pos(s, 5, lo=1, hi=2), _f(8, seed=s + 1))),
    "cst_triangles_tuple_unpack": (cst_plane_stress, {}, lambda s, n: (
        CST_X + 0.05 * _f(6, 2, seed=s), CST_TRIS, 0.1, 200e3, 0.3, 10 * _f(12, seed=s))),
    "q4_batched_jacobian_einsum": (q4_gauss_batched, {}, lambda s, n: (
        _q4_mesh(s, n), 70e3, 0.33, 0.01)),
    "leggauss_consistent_loads": (leggauss_bar_loads, {"ngp": 3, "n_el": 4}, lambda s, n: (
        np.array([0.5, -1.0, 2.0 + s]), 4.0)),
    "eig_of_minv_k_real_pair": (eig_of_inv_m_k, {}, lambda s, n: (
            np.diag(_pos(s, n, lo=1, hi=2)), shear_building_K(_pos(s + 1, n, lo=500, hi=900)))),
    "damped_modes_state_space_eig": (damped_modes_state_space, {}, lambda s, n: (
        *_mck(s, n)[:1], _mck(s, n)[1] + 0.3 * np.diag(_pos(s, n, lo=0, hi=1)),
        _mck(s, n)[2])),
    "damped_modes_generalized_eigvals": (damped_modes_generalized, {}, lambda s, n: (*_mck(s, n),)),
    "cumulative_simpson_diagrams": _Xfail(
        "scipy.integrate.cumulative_simpson(y, x=x) of traced x raises ConcretizationError "
        "(SciPy's `if xp.any(dx <= 0)` check); SciPy integrates", cumulative_simpson_diagrams,
        {}, lambda s, n: (_pos(s, 4 * n + 1, lo=2, hi=4), np.linspace(0, 6, 4 * n + 1), 9.0)),
    "duffing_odeint_args": (duffing_odeint_args, {}, lambda s, n: (
        np.array([0.1 * s, 0.0]), np.linspace(0, 2, 5 * n), 10.0, 0.2, 5.0)),
    "sdof_solve_ivp_t_eval_args": (sdof_solve_ivp_t_eval, {}, lambda s, n: (
        np.array([0.1 * s, 0.0]), 10.0 + n, 0.2)),
    "ground_motion_sosfiltfilt": (ground_motion_sos_filter, {"order": 4}, lambda s, n: (
        _f(64 * n, seed=s),)),
    "arias_intensity_husid_interp": (arias_and_duration, {}, lambda s, n: (
        _f(20 * n, seed=s), 0.01)),
    "cantilever_roots_brentq": (beam_frequencies_brentq, {}, lambda s, n: (
        _pos(s, n, lo=1e3, hi=2e3), 2.0, 3.0)),
    "fragility_lognormal_states": (fragility_curves, {}, lambda s, n: (
        np.linspace(0.05, 2, 5 * n), np.array([0.2, 0.5, 0.9, 1.4]) * (1 + 0.01 * s),
        np.array([0.4, 0.45, 0.5, 0.55]))),
    "stress_strain_interp1d_pchip": (stress_strain_tables, {}, lambda s, n: (
        np.linspace(0.001, 0.1, 5 * n) * (1 - 0.01 * s),)),
    "stiffness_rank_cond_slogdet": (stiffness_checks, {}, lambda s, n: (_spd(s, n),)),
    "node_report_fstring_keys": (node_report, {}, lambda s, n: (1e-3 * _f(8, seed=s),)),
    "penalty_fill_diagonal": (penalty_fill_diagonal, {}, lambda s, n: (
        _spd(s, n), _f(n, seed=s))),
    "peak_unravel_index": (peak_location_unravel, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
}


@pytest.mark.parametrize("name", _names(FE_IDIOMS))
def test_fe_idioms_and_scipy_match_numpy(name):
    check_like_numpy(*FE_IDIOMS[name])


def _f32(*arrays):
    return tuple(a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in arrays)


# the same functions with float32 records, int inputs and other static sizes, as the arrays
# come out of files and tables
VARIANTS = {
    "ec3_curves_float32_slenderness": (ec3_buckling_curves, {"curve": "a0"}, lambda s, n: (
        np.linspace(0.05, 2.5, 5 * n, dtype=np.float32) * np.float32(1 + 0.01 * s),)),
    "aisc_curve_int_slenderness": (aisc_column_curve, {}, lambda s, n: (
        np.arange(20, 20 + 30 * n, 7) + s, 345)),
    "shoelace_float32_polygon": (shoelace_properties, {}, lambda s, n: _f32(
        np.array([[0, 0], [6, 0], [6, 1], [3.5, 1], [3.5, 5], [2.5, 5], [2.5, 1], [0, 1.0]])
        + 0.05 * _f(8, 2, seed=s))),
    "shoelace_int_polygon": (shoelace_properties, {}, lambda s, n: (
        np.array([[0, 0], [6, 0], [6, 1], [4, 1], [4, 5], [2, 5], [2, 1], [0, 1]]) * (s + 1),)),
    "principal_eigh_float32": (principal_batched_eigh, {}, lambda s, n: _f32(_sym(s, n))),
    "von_mises_voigt_float64": (von_mises_components_f32, {}, lambda s, n: (
        100 * _f(3 * n, 6, seed=s),)),
    "mohr_points_int_stresses": (stress_transform_2d, {"n_theta": 19}, lambda s, n: (
        80 + s, -20, 35 * s)),
    "sn_curves_int_amplitudes": (sn_curves, {"Sut": 900.0}, lambda s, n: (
        _i(280, 4 * n, seed=s) + 300,)),
    "macaulay_float32_x": (macaulay_beam, {}, lambda s, n: (
        np.linspace(0, 5.0, 8 * n + 1, dtype=np.float32), 5.0, 1.5e3, 2.0 * s)),
    "mohr_dict_float32": (mohr_circle_dict, {}, lambda s, n: (
        {k: (50 * _f(n, seed=s + i)).astype(np.float32)
         for i, k in enumerate(("sx", "sy", "txy"))},)),
    "hetenyi_float32": (hetenyi_infinite_beam, {}, lambda s, n: (
        np.linspace(-4, 4, 4 * n, dtype=np.float32) + np.float32(0.01), 100.0, 2.0e4 * s,
        5.0e3)),
    "influence_lines_int_sections": (influence_lines, {}, lambda s, n: (
        np.arange(0, 4 * n + 1), 4 * n)),
    "agma_int32_teeth": (agma_contact_and_geometry, {"phi_deg": 25.0}, lambda s, n: (
        (_i(20, 2 * n, seed=s) + 17).astype(np.int32),
        (_i(60, 2 * n, seed=s + 1) + 40).astype(np.int32), 2.5, 30.0, 2500.0)),
    "lewis_float32_load": (lewis_gear_stress, {}, lambda s, n: (
        _i(80, 3 * n, seed=s) + 12, 8.0, 1.5, np.float32(380.0 * s),
        _pos(s, 3 * n, lo=500, hi=2000).astype(np.float32))),
    "bearing_life_float32": (bearing_life, {}, lambda s, n: _f32(
        _pos(s, 3 * n, lo=1e3, hi=5e3), _pos(s + 1, 3 * n, lo=1e2, hi=3e3), 12e3, 20e3)),
    "tapered_cantilever_10_elements": (tapered_cantilever, {"n_el": 10}, lambda s, n: (
        _pos(s, 10, lo=1e3, hi=2e3), 3.0, -10.0 * s)),
    "cantilever_modes_fine_mesh": (cantilever_modes, {"n_el": 10, "n_modes": 2},
                                   lambda s, n: (1.0e3 + 100 * s, 2.0, 1.5 + 0.1 * n)),
    "three_moment_float32_spans": (three_moment_equation, {}, lambda s, n: _f32(
        _pos(s, n, lo=3, hi=6), _pos(s + 1, n, lo=5, hi=15), 1e3)),
    "miner_int_counts": (miner_damage, {"m": 5.0}, lambda s, n: (
        np.linspace(20, 200, 10), _i(1000, n, 10, seed=s) + 1)),
    "duhamel_float32_load": (duhamel_convolve, {}, lambda s, n: (
        _f(20 * n, seed=s).astype(np.float32), 0.01, 2.0, 12.0, 0.05)),
    "spectrum_float32_record": (response_spectrum_vectorised, {"zeta": 0.02}, lambda s, n: (
        _ground_motion(s, n).astype(np.float32), 0.02, np.linspace(0.1, 3.0, 5 * n))),
    "newmark_float32_record": (newmark_sdof_incremental, {"gamma": 0.5, "beta": 1 / 6},
                               lambda s, n: (_ground_motion(s, n).astype(np.float32), 0.02,
                                             2.0, 300.0, 0.05)),
    "kirsch_float32_grid": (kirsch_hole, {}, lambda s, n: (
        np.linspace(10, 40, n, dtype=np.float32), np.linspace(0, np.pi, 2 * n + 1), 10.0,
        100.0 * s)),
    "tsai_wu_float32_plies": (failure_indices, {}, lambda s, n: (
        np.column_stack([800 * _f(3 * n, seed=s), 40 * _f(3 * n, seed=s + 1),
                         30 * _f(3 * n, seed=s + 2)]).astype(np.float32),)),
    "shear_flow_int_ordinates": (i_beam_shear_flow, {}, lambda s, n: (
        np.arange(-200, 201, 25), 1e5 * s, 400, 200, 15, 9)),
    "rosettes_float32_gauges": (strain_rosettes, {"E": 70e3, "nu": 0.33}, lambda s, n: _f32(
        1e-4 * _f(n, seed=s), 1e-4 * _f(n, seed=s + 1), 1e-4 * _f(n, seed=s + 2))),
}


@pytest.mark.parametrize("name", _names(VARIANTS))
def test_dtype_and_size_variants_match_numpy(name):
    check_like_numpy(*VARIANTS[name])


# ============================================================ refused forms


def reversals(x):
    # turning points of a load history (the first step of rainflow counting)
    d = np.diff(x)
    turn = np.r_[True, d[1:] * d[:-1] < 0, True]
    return x[turn]


def rainflow_astm(x):
    # ASTM E1049 three-point rainflow with a Python stack: every comparison is on the data
    cycles = []
    stack = []
    for point in reversals(x):
        stack.append(point)
        while len(stack) >= 3:
            X = abs(stack[-1] - stack[-2])
            Y = abs(stack[-2] - stack[-3])
            if X < Y:
                break
            if len(stack) == 3:
                cycles.append((Y, 0.5))
                stack.pop(0)
            else:
                cycles.append((Y, 1.0))
                last = stack.pop()
                stack.pop()
                stack.pop()
                stack.append(last)
    for a, b in zip(stack[:-1], stack[1:]):
        cycles.append((abs(b - a), 0.5))
    return np.array(cycles)


def nonlinear_spring_newton(P, k, k3, tol=1e-10):
    # a hardening spring chain by Newton-Raphson until the residual is small
    u = np.zeros_like(P)
    R = P.copy()
    while np.linalg.norm(R) > tol:
        Kt = np.diag(k + 3 * k3 * u ** 2)
        u = u + np.linalg.solve(Kt, R)
        R = P - (k * u + k3 * u ** 3)
    return u


def zero_shear_location(x, V):
    # where the shear changes sign, to read off the maximum moment
    idx = np.nonzero(np.diff(np.sign(V)))[0]
    return x[idx]


def failed_members(elems, N, A, fy):
    # the members whose stress exceeds yield, listed for the report
    return elems[np.abs(N / A) > fy]


def resize_until_ok(N, A, L, E=200e3, fy=355.0):
    # the design loop: grow the failing areas until every member passes
    while True:
        util = np.abs(N / A) / np.minimum(fy, np.pi ** 2 * E * A / (12 * L ** 2) / A)
        if util.max() <= 1.0:
            return A
        A = np.where(util > 1.0, 1.2 * A, A)


def elastoplastic_if(ag, dt, m=1.0, k=400.0, fy=1.5):
    # the elastoplastic SDOF the way notebooks write it: an `if` on the yield state
    u = np.zeros(ag.size)
    fs = 0.0
    for i in range(1, ag.size - 1):
        trial = fs + k * (u[i] - u[i - 1])
        if abs(trial) > fy:
            fs = np.sign(trial) * fy
        else:
            fs = trial
        u[i + 1] = 2 * u[i] - u[i - 1] + dt ** 2 * (-ag[i] - fs / m)
    return u


def nonlinear_spring_fsolve(P, k):
    import scipy.optimize
    return scipy.optimize.fsolve(lambda u: k * u + 0.1 * k * u ** 3 - P, P / k)


def log_decrement_find_peaks(x):
    import scipy.signal
    pk, _ = scipy.signal.find_peaks(x)
    return np.log(x[pk[:-1]] / x[pk[1:]]).mean() / (2 * np.pi)


def print_max_deflection(w):
    print(f"Max deflection = {np.abs(w).max() * 1000:.2f} mm")
    return w


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError


def _history(s):
    return np.cumsum(_f(40, seed=s))


REFUSED = {
    "rainflow_python_stack": (_DataDependent, rainflow_astm, lambda s: (_history(s),)),
    "turning_points_mask": (_DataDependent, reversals, lambda s: (_history(s),)),
    "newton_raphson_while_residual": (_Concretization, nonlinear_spring_newton, lambda s: (
        _f(5, seed=s), _pos(s, 5, lo=10, hi=20), 1.0)),
    "zero_shear_nonzero": (_DataDependent, zero_shear_location, lambda s: (
        np.linspace(0, 6, 25), 9.0 - 3.0 * np.linspace(0, 6, 25) + 0.1 * s)),
    "failed_members_selection": (_DataDependent, failed_members, lambda s: (
        _warren(s, 4)[1], 300 * _f(15, seed=s), np.ones(15), 355.0)),
    "resize_while_util_max": (_Concretization, resize_until_ok, lambda s: (
        300 * _f(6, seed=s), _pos(s, 6, lo=0.5, hi=1.0), _pos(s + 1, 6, lo=500, hi=900))),
    "elastoplastic_python_if": (_Concretization, elastoplastic_if, lambda s: (
        _ground_motion(s, 1), 0.01)),
    "fsolve_closure": (_Concretization, nonlinear_spring_fsolve, lambda s: (
        _pos(s, 4, lo=1, hi=2), 100.0)),
    "find_peaks_log_decrement": (_DataDependent, log_decrement_find_peaks, lambda s: (
        np.exp(-0.1 * np.linspace(0, 20, 200)) * np.cos(np.linspace(0, 20, 200) * (2 + .1 * s)),
    )),
    "np_roots_principal_cubic": (_DataDependent, principal_np_roots, lambda s: (
        np.array([120.0 * s, -30.0, 15.0, 40.0, -10.0, 5.0]),)),
    "fstring_print_of_traced_max": (_Concretization, print_max_deflection, lambda s: (
        _f(8, seed=s),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    check_refused(*REFUSED[name])
