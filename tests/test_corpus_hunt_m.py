"""Corpus, hunt M: computational chemistry, materials and statistical-physics simulations.

Quantum chemistry toys: Hartree-Fock SCF loops on small Gaussian-basis integrals given as
arrays (Fock builds by `np.einsum('pqrs,rs->pq', ...)`, `S^-1/2` by `np.linalg.eigh`,
density matrices, energies, DIIS error vectors), Hückel and tight-binding Hamiltonians built
by index assignment, band structures over k-point grids, finite-difference particle-in-a-box
and harmonic-oscillator Hamiltonians diagonalized by `eigh`, MP2 energies, Mulliken charges.
Crystallography and materials: lattice vectors and reciprocal lattices (`np.cross`,
`np.linalg.inv`), fractional/cartesian conversions, minimum-image distances, radial
distribution functions by `np.histogram`, structure factors, Ewald-like real-space sums,
coordination numbers, Lennard-Jones energies and forces, Bragg angles, strain tensors.
Spectroscopy and chemistry data: Beer-Lambert fits, peaks by neighbour comparisons, baselines,
Gaussian/Lorentzian/Voigt-like line shapes, `np.trapezoid` integrals, Savitzky-Golay by hand,
kinetics by Euler/RK4 loops, equilibrium by Newton iterations, titration curves.
Statistical physics and agent models: Ising Metropolis sweeps drawing from a `Generator`
argument (checkerboard updates, `np.roll` neighbour sums), Game of Life and elementary cellular
automata (rule tables), sandpiles, percolation, random walks, Schelling, Lotka-Volterra, and
lattice Boltzmann (D2Q9 streaming by `np.roll`, BGK collision, bounce-back by masks).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Forms that cannot be traced raise a named error and run
eagerly under `fallback=True`.
"""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_ops import assert_same

# ----------------------------------------------------------------------------- quantum chemistry


def _spd(s, n):
    a = _f(n, n, seed=s)
    return a @ a.T / n + np.eye(n)


def _overlap(s, n):
    a = 0.2 * _f(n, n, seed=s)
    m = a @ a.T / n
    d = np.sqrt(np.diag(m) + 1)
    return (m + np.eye(n)) / np.outer(d, d)


def _eri(s, n):
    c = _f(n, n, 3, seed=s) * 0.3
    g = np.einsum("pqk,rsk->pqrs", c, c)
    g = g + g.transpose(1, 0, 2, 3)
    g = g + g.transpose(0, 1, 3, 2)
    return g + g.transpose(2, 3, 0, 1)


def symmetric_orthogonalizer(S):
    s, U = np.linalg.eigh(S)
    X = U @ np.diag(s ** -0.5) @ U.T
    return X, X.T @ S @ X


def canonical_orthogonalizer(S):
    s, U = np.linalg.eigh(S)
    return U / np.sqrt(s)


def density_matrix(C, nocc):
    Cocc = C[:, :nocc]
    return 2 * Cocc @ Cocc.T


def density_einsum(C, nocc):
    return 2 * np.einsum("pi,qi->pq", C[:, :nocc], C[:, :nocc])


def fock_build(H, eri, D):
    J = np.einsum("pqrs,rs->pq", eri, D)
    K = np.einsum("prqs,rs->pq", eri, D)
    return H + J - 0.5 * K


def fock_build_loops(H, eri, D):
    n = H.shape[0]
    F = H.copy()
    for p in range(n):
        for q in range(n):
            F[p, q] += np.sum(D * (eri[p, q] - 0.5 * eri[p, :, q, :]))
    return F


def scf_energy(H, F, D, enuc=1.2):
    return 0.5 * np.sum(D * (H + F)) + enuc


def hartree_fock_scf(H, S, eri, nocc=2, n_iter=12):
    s, U = np.linalg.eigh(S)
    X = U @ np.diag(1.0 / np.sqrt(s)) @ U.T
    D = np.zeros_like(H)
    energies = []
    for it in range(n_iter):
        J = np.einsum("pqrs,rs->pq", eri, D)
        K = np.einsum("prqs,rs->pq", eri, D)
        F = H + J - 0.5 * K
        E = 0.5 * np.einsum("pq,pq->", D, H + F)
        energies.append(E)
        Fp = X.T @ F @ X
        eps, Cp = np.linalg.eigh(Fp)
        C = X @ Cp
        D_new = 2 * C[:, :nocc] @ C[:, :nocc].T
        D = 0.5 * D + 0.5 * D_new
    return np.array(energies), eps, D


def scf_with_convergence_mask(H, S, eri, nocc=1, n_iter=8, tol=1e-6):
    X = np.linalg.inv(np.linalg.cholesky(S)).T
    D = np.zeros_like(H)
    E_old = 0.0
    converged = False
    for it in range(n_iter):
        F = H + np.einsum("pqrs,rs->pq", eri, D) - 0.5 * np.einsum("prqs,rs->pq", eri, D)
        E = np.sum(D * (H + F)) / 2
        converged = np.logical_or(converged, np.abs(E - E_old) < tol)
        E_old = E
        e, Cp = np.linalg.eigh(X.T @ F @ X)
        C = X @ Cp
        D = 2 * C[:, :nocc] @ C[:, :nocc].T
    return E, converged


def diis_error(F, D, S):
    err = F @ D @ S - S @ D @ F
    return err, np.sqrt(np.mean(err ** 2)), np.max(np.abs(err))


def diis_extrapolate(focks, errors):
    n = len(focks)
    B = -np.ones((n + 1, n + 1))
    B[n, n] = 0
    for i in range(n):
        for j in range(n):
            B[i, j] = np.einsum("ij,ij->", errors[i], errors[j])
    rhs = np.zeros(n + 1)
    rhs[n] = -1
    c = np.linalg.solve(B, rhs)
    F = np.zeros_like(focks[0])
    for i in range(n):
        F += c[i] * focks[i]
    return F, c


def mulliken_charges(D, S, Z):
    PS = D @ S
    return Z - np.diag(PS), np.trace(PS)


def mulliken_by_atom(D, S, Z, basis_atom, natom=3):
    pop = np.einsum("ij,ji->i", D, S)
    q = np.zeros(natom)
    for a in range(natom):
        q[a] = Z[a] - pop[basis_atom == a].sum()
    return q


def mp2_energy(eps, eri_mo, nocc=2):
    e_occ = eps[:nocc]
    e_vir = eps[nocc:]
    o, v = slice(0, nocc), slice(nocc, None)
    g = eri_mo[o, v, o, v]
    denom = e_occ[:, None, None, None] - e_vir[None, :, None, None] + e_occ[None, None, :, None] - e_vir[None, None, None, :]
    return np.sum(g * (2 * g - g.transpose(0, 3, 2, 1)) / denom)


def ao_to_mo(eri, C):
    return np.einsum("pQRS,pP->PQRS", np.einsum("pqRS,qQ->pQRS", np.einsum("pqrS,rR->pqRS", np.einsum("pqrs,sS->pqrS", eri, C), C), C), C)


def ao_to_mo_optimize(eri, C):
    return np.einsum("pqrs,pi,qj,rk,sl->ijkl", eri, C, C, C, C, optimize=True)


def huckel_chain(n, alpha=0.0, beta=-1.0, cyclic=False):
    H = np.zeros((n, n))
    for i in range(n):
        H[i, i] = alpha
    for i in range(n - 1):
        H[i, i + 1] = beta
        H[i + 1, i] = beta
    if cyclic:
        H[0, n - 1] = H[n - 1, 0] = beta
    e, c = np.linalg.eigh(H)
    nel = n
    occ = np.zeros(n)
    occ[: nel // 2] = 2
    return e, np.sum(occ * e), np.einsum("i,ji,ki->jk", occ, c, c)


def huckel_from_adjacency(A, alpha, beta):
    H = alpha * np.eye(len(A)) + beta * A
    e, c = np.linalg.eigh(H)
    n_occ = len(A) // 2
    P = 2 * c[:, :n_occ] @ c[:, :n_occ].T
    bond_orders = P * A
    return e, P, bond_orders.sum(axis=1)


def huckel_diag_indices(onsite, hop):
    n = len(onsite)
    H = np.diag(onsite)
    idx = np.arange(n - 1)
    H[idx, idx + 1] = hop
    H[idx + 1, idx] = hop
    return np.linalg.eigvalsh(H)


def homo_lumo_gap(H, nelec=4):
    e = np.linalg.eigvalsh(H)
    homo = e[nelec // 2 - 1]
    lumo = e[nelec // 2]
    return lumo - homo, homo, lumo


def tight_binding_bands_1d(k, t=1.0, eps0=0.0):
    return eps0 - 2 * t * np.cos(k)


def tight_binding_2band(kpts, t1, t2):
    nk = len(kpts)
    bands = np.zeros((nk, 2))
    for ik, k in enumerate(kpts):
        Hk = np.array([[0, t1 + t2 * np.exp(-1j * k)], [t1 + t2 * np.exp(1j * k), 0]])
        bands[ik] = np.linalg.eigvalsh(Hk)
    return bands


def ssh_bands_vectorized(k, v, w):
    h = v + w * np.exp(1j * k)
    return np.stack([-np.abs(h), np.abs(h)], axis=1)


def graphene_bands(kx, ky, t=2.7, a=1.42):
    KX, KY = np.meshgrid(kx, ky)
    f = 1 + 4 * np.cos(1.5 * a * KX) * np.cos(np.sqrt(3) / 2 * a * KY) + 4 * np.cos(np.sqrt(3) / 2 * a * KY) ** 2
    E = t * np.sqrt(np.abs(f))
    return E, -E


def square_lattice_dos(t, nk=8, nbins=20):
    k = np.linspace(-np.pi, np.pi, nk, endpoint=False)
    kx, ky = np.meshgrid(k, k, indexing="ij")
    E = -2 * t * (np.cos(kx) + np.cos(ky))
    hist, edges = np.histogram(E.ravel(), bins=nbins, range=(-4 * t, 4 * t), density=True)
    return hist, 0.5 * (edges[1:] + edges[:-1])


def bloch_hamiltonian_kgrid(hops, R, kpts):
    phase = np.exp(1j * kpts @ R.T)
    Hk = np.einsum("kr,rij->kij", phase, hops)
    Hk = 0.5 * (Hk + np.conj(np.transpose(Hk, (0, 2, 1))))
    return np.linalg.eigvalsh(Hk)


def fermi_dirac_occupation(e, mu, kT=0.025):
    x = (e - mu) / kT
    return 1.0 / (np.exp(np.clip(x, -500, 500)) + 1.0)


def fermi_level_bisection(e, nelec, kT=0.05, n_iter=50):
    lo, hi = e.min(), e.max()
    for _ in range(n_iter):
        mu = 0.5 * (lo + hi)
        n = 2 * np.sum(1 / (np.exp((e - mu) / kT) + 1))
        too_many = n > nelec
        hi = np.where(too_many, mu, hi)
        lo = np.where(too_many, lo, mu)
    return 0.5 * (lo + hi)


def particle_in_box_fd(n, L=1.0, n_states=3):
    x = np.linspace(0, L, n + 2)[1:-1]
    dx = x[1] - x[0]
    H = (np.diag(np.full(n, 2.0)) - np.diag(np.ones(n - 1), 1) - np.diag(np.ones(n - 1), -1)) / (2 * dx ** 2)
    E, psi = np.linalg.eigh(H)
    psi = psi / np.sqrt(dx)
    psi = psi * np.sign(psi[n // 4])
    return E[:n_states], psi[:, :n_states]


def harmonic_oscillator_fd(x, omega=1.0):
    n = len(x)
    dx = x[1] - x[0]
    T = -0.5 * (np.eye(n, k=1) + np.eye(n, k=-1) - 2 * np.eye(n)) / dx ** 2
    V = np.diag(0.5 * omega ** 2 * x ** 2)
    E, psi = np.linalg.eigh(T + V)
    return E[:4], np.sum(np.abs(psi[:, 0]) ** 2 * x ** 2)


def double_well_fd(x, a=1.0, b=0.25):
    n = len(x)
    h = x[1] - x[0]
    H = np.zeros((n, n))
    i = np.arange(n)
    H[i, i] = 1 / h ** 2 + b * x ** 4 - a * x ** 2
    H[i[:-1], i[:-1] + 1] = -0.5 / h ** 2
    H[i[1:], i[1:] - 1] = -0.5 / h ** 2
    w = np.linalg.eigvalsh(H)
    return w[1] - w[0]


def numerov_shoot(E, x, V):
    h = x[1] - x[0]
    k2 = 2 * (E - V)
    psi = np.zeros_like(x)
    psi[1] = 1e-4
    f = 1 + h ** 2 * k2 / 12
    for i in range(1, len(x) - 1):
        psi[i + 1] = ((12 - 10 * f[i]) * psi[i] - f[i - 1] * psi[i - 1]) / f[i + 1]
    return psi / np.sqrt(np.trapezoid(psi ** 2, x))


def hydrogen_radial_fd(r, l=0):
    n = len(r)
    h = r[1] - r[0]
    V = -1 / r + l * (l + 1) / (2 * r ** 2)
    H = np.diag(1 / h ** 2 + V) + np.diag(np.full(n - 1, -0.5 / h ** 2), 1) + np.diag(np.full(n - 1, -0.5 / h ** 2), -1)
    return np.linalg.eigvalsh(H)[:3]


def gaussian_overlap_s(alpha, centers):
    a = alpha[:, None]
    b = alpha[None, :]
    p = a + b
    d2 = np.sum((centers[:, None, :] - centers[None, :, :]) ** 2, axis=-1)
    norm = (2 * a / np.pi) ** 0.75 * (2 * b / np.pi) ** 0.75
    return norm * (np.pi / p) ** 1.5 * np.exp(-a * b / p * d2)


def gaussian_kinetic_s(alpha, centers):
    a, b = alpha[:, None], alpha[None, :]
    p = a + b
    mu = a * b / p
    d2 = ((centers[:, None] - centers[None]) ** 2).sum(-1)
    S = (np.pi / p) ** 1.5 * np.exp(-mu * d2)
    return mu * (3 - 2 * mu * d2) * S


def boys_f0(t):
    out = np.ones_like(t)
    big = t > 1e-8
    ts = np.where(big, t, 1.0)
    out = np.where(big, 0.5 * np.sqrt(np.pi / ts) * _erf_approx(np.sqrt(ts)), 1.0 - t / 3)
    return out


def _erf_approx(x):
    t = 1 / (1 + 0.3275911 * np.abs(x))
    y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * np.exp(-x * x)
    return np.sign(x) * y


def nuclear_repulsion(Z, R):
    n = len(Z)
    E = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            E += Z[i] * Z[j] / np.linalg.norm(R[i] - R[j])
    return E


def nuclear_repulsion_vec(Z, R):
    d = np.linalg.norm(R[:, None, :] - R[None, :, :], axis=-1)
    iu = np.triu_indices(len(Z), 1)
    return np.sum(Z[iu[0]] * Z[iu[1]] / d[iu])


def sto3g_contracted(r, zeta=1.24):
    alphas = np.array([0.109818, 0.405771, 2.22766]) * zeta ** 2
    d = np.array([0.444635, 0.535328, 0.154329])
    norm = (2 * alphas / np.pi) ** 0.75
    return np.sum(d * norm * np.exp(-alphas * r[:, None] ** 2), axis=1)


def configuration_interaction_2x2(h11, h22, h12):
    H = np.array([[h11, h12], [h12, h22]])
    e, v = np.linalg.eigh(H)
    return e[0], v[:, 0] ** 2


def natural_orbitals(D, S):
    s, U = np.linalg.eigh(S)
    Shalf = U @ np.diag(np.sqrt(s)) @ U.T
    occ, vecs = np.linalg.eigh(Shalf @ D @ Shalf)
    return occ[::-1], np.sum(occ)


def dipole_moment(D, dip_ints, Z, R):
    el = -np.einsum("xpq,pq->x", dip_ints, D)
    nuc = np.einsum("a,ax->x", Z, R)
    mu = el + nuc
    return mu, np.linalg.norm(mu) * 2.541746


QCHEM = {
    "symmetric_orthogonalizer": (symmetric_orthogonalizer, {}, lambda s, n: (_overlap(s, n),)),
    "canonical_orthogonalizer": (canonical_orthogonalizer, {}, lambda s, n: (_overlap(s, n),)),
    "density_matrix": (density_matrix, {"nocc": 2}, lambda s, n: (np.linalg.qr(_f(n, n, seed=s))[0],)),
    "density_einsum": (density_einsum, {"nocc": 2}, lambda s, n: (_f(n, n, seed=s),)),
    "fock_build": (fock_build, {}, lambda s, n: (_spd(s, n), _eri(s, n), _spd(s + 1, n) / n)),
    "fock_build_loops": (fock_build_loops, {}, lambda s, n: (_spd(s, n), _eri(s, n), _spd(s + 1, n) / n)),
    "scf_energy": (scf_energy, {}, lambda s, n: (_spd(s, n), _spd(s + 1, n), _spd(s + 2, n))),
    "hartree_fock_scf": (hartree_fock_scf, {}, lambda s, n: (-_spd(s, n), _overlap(s, n), 0.1 * _eri(s, n))),
    "scf_with_convergence_mask": (scf_with_convergence_mask, {}, lambda s, n: (-_spd(s, n), _overlap(s, n), 0.1 * _eri(s, n))),
    "diis_error": (diis_error, {}, lambda s, n: (_spd(s, n), _spd(s + 1, n), _overlap(s, n))),
    "diis_extrapolate": (diis_extrapolate, {}, lambda s, n: ([_spd(s + i, n) for i in range(3)], [_f(n, n, seed=s + i) for i in range(3)])),
    "mulliken_charges": (mulliken_charges, {}, lambda s, n: (_spd(s, n), _overlap(s, n), _i(8, n, seed=s).astype(float))),
    "mulliken_by_atom": (mulliken_by_atom, {}, lambda s, n: (_spd(s, n), _overlap(s, n), np.array([8.0, 1.0, 1.0]), np.arange(n) % 3)),
    "mp2_energy": (mp2_energy, {}, lambda s, n: (np.sort(_f(n, seed=s)) + np.r_[np.zeros(2), np.full(n - 2, 2.0)], _eri(s, n))),
    "ao_to_mo": (ao_to_mo, {}, lambda s, n: (_eri(s, n), _f(n, n, seed=s))),
    "ao_to_mo_optimize": (ao_to_mo_optimize, {}, lambda s, n: (_eri(s, n), _f(n, n, seed=s))),
    "huckel_chain": (huckel_chain, {"n": 6}, lambda s, n: ()),
    "huckel_chain_cyclic": (huckel_chain, {"n": 6, "cyclic": True}, lambda s, n: ()),
    "huckel_chain_args": (lambda alpha, beta: huckel_chain(5, alpha, beta), {}, lambda s, n: (_f(1, seed=s)[0], -1.0 - s)),
    "huckel_from_adjacency": (huckel_from_adjacency, {}, lambda s, n: (np.eye(n, k=1) + np.eye(n, k=-1), -11.4, -0.8 * s)),
    "huckel_diag_indices": (huckel_diag_indices, {}, lambda s, n: (_f(n, seed=s), _f(n - 1, seed=s + 1))),
    "homo_lumo_gap": (homo_lumo_gap, {}, lambda s, n: (_spd(s, n),)),
    "tight_binding_bands_1d": (tight_binding_bands_1d, {}, lambda s, n: (np.linspace(-np.pi, np.pi, 5 * n),)),
    "tight_binding_2band": (tight_binding_2band, {}, lambda s, n: (np.linspace(-np.pi, np.pi, n), 1.0, 0.5 + 0.1 * s)),
    "ssh_bands_vectorized": (ssh_bands_vectorized, {}, lambda s, n: (np.linspace(-np.pi, np.pi, 3 * n), 1.0, 0.5 * s)),
    "graphene_bands": (graphene_bands, {}, lambda s, n: (np.linspace(-2, 2, n), np.linspace(-2, 2, n + 1))),
    "square_lattice_dos": (square_lattice_dos, {"nk": 8}, lambda s, n: (1.0 + 0.1 * s,)),
    "bloch_hamiltonian_kgrid": (bloch_hamiltonian_kgrid, {}, lambda s, n: ((_f(3, 2, 2, seed=s) + 1j * _f(3, 2, 2, seed=s + 1)), _i(2, 3, 2, seed=s).astype(float), _f(n, 2, seed=s))),
    "fermi_dirac_occupation": (fermi_dirac_occupation, {}, lambda s, n: (_f(3 * n, seed=s), 0.1 * s)),
    "fermi_level_bisection": (fermi_level_bisection, {}, lambda s, n: (np.sort(_f(2 * n, seed=s)), 2 * n)),
    "particle_in_box_fd": (particle_in_box_fd, {"n": 20}, lambda s, n: ()),
    "harmonic_oscillator_fd": (harmonic_oscillator_fd, {}, lambda s, n: (np.linspace(-5, 5, 10 * n),)),
    "double_well_fd": (double_well_fd, {}, lambda s, n: (np.linspace(-3, 3, 8 * n),)),
    "numerov_shoot": (numerov_shoot, {}, lambda s, n: (0.5 + 0.1 * s, np.linspace(-4, 4, 10 * n), 0.5 * np.linspace(-4, 4, 10 * n) ** 2)),
    "hydrogen_radial_fd": (hydrogen_radial_fd, {}, lambda s, n: (np.linspace(0.05, 20, 20 * n),)),
    "gaussian_overlap_s": (gaussian_overlap_s, {}, lambda s, n: (_f(n, positive=True, seed=s), _f(n, 3, seed=s))),
    "gaussian_kinetic_s": (gaussian_kinetic_s, {}, lambda s, n: (_f(n, positive=True, seed=s), _f(n, 3, seed=s))),
    "boys_f0": (boys_f0, {}, lambda s, n: (np.r_[0.0, _f(n, positive=True, seed=s) * 3],)),
    "nuclear_repulsion": (nuclear_repulsion, {}, lambda s, n: (_i(8, n, seed=s) + 1.0, _f(n, 3, seed=s) * 2)),
    "nuclear_repulsion_vec": (nuclear_repulsion_vec, {}, lambda s, n: (_i(8, n, seed=s) + 1, _f(n, 3, seed=s) * 2)),
    "sto3g_contracted": (sto3g_contracted, {}, lambda s, n: (np.linspace(0, 4, 5 * n),)),
    "configuration_interaction_2x2": (configuration_interaction_2x2, {}, lambda s, n: (-1.0 * s, 0.5, 0.2)),
    "natural_orbitals": (natural_orbitals, {}, lambda s, n: (_spd(s, n) / n, _overlap(s, n))),
    "dipole_moment": (dipole_moment, {}, lambda s, n: (_spd(s, n), _f(3, n, n, seed=s), _i(8, 3, seed=s) + 1.0, _f(3, 3, seed=s))),
}


@pytest.mark.parametrize("name", list(QCHEM))
def test_quantum_chemistry_matches_numpy(name):
    check_like_numpy(*QCHEM[name])


# ------------------------------------------------------------------ crystallography and materials


def _cell(s):
    return np.diag([4.0, 5.0, 6.0]) + 0.3 * _f(3, 3, seed=s)


def reciprocal_lattice_cross(a):
    a1, a2, a3 = a[0], a[1], a[2]
    vol = np.dot(a1, np.cross(a2, a3))
    b1 = 2 * np.pi * np.cross(a2, a3) / vol
    b2 = 2 * np.pi * np.cross(a3, a1) / vol
    b3 = 2 * np.pi * np.cross(a1, a2) / vol
    return np.array([b1, b2, b3]), vol


def reciprocal_lattice_inv(a):
    return 2 * np.pi * np.linalg.inv(a).T


def cell_volume_det(a):
    return abs(np.linalg.det(a)), np.abs(np.linalg.det(a))


def lattice_parameters(a):
    lengths = np.linalg.norm(a, axis=1)
    alpha = np.degrees(np.arccos(np.dot(a[1], a[2]) / (lengths[1] * lengths[2])))
    beta = np.degrees(np.arccos(np.dot(a[0], a[2]) / (lengths[0] * lengths[2])))
    gamma = np.degrees(np.arccos(np.dot(a[0], a[1]) / (lengths[0] * lengths[1])))
    return lengths, np.array([alpha, beta, gamma])


def cell_from_parameters(a, b, c, alpha, beta, gamma):
    al, be, ga = np.radians([alpha, beta, gamma])
    v1 = [a, 0, 0]
    v2 = [b * np.cos(ga), b * np.sin(ga), 0]
    cx = c * np.cos(be)
    cy = c * (np.cos(al) - np.cos(be) * np.cos(ga)) / np.sin(ga)
    v3 = [cx, cy, np.sqrt(c ** 2 - cx ** 2 - cy ** 2)]
    return np.array([v1, v2, v3])


def frac_to_cart(frac, cell):
    return frac @ cell


def cart_to_frac(cart, cell):
    return cart @ np.linalg.inv(cell)


def cart_to_frac_solve(cart, cell):
    return np.linalg.solve(cell.T, cart.T).T


def wrap_positions(frac):
    return frac % 1.0, frac - np.floor(frac)


def minimum_image_distances(pos, box):
    d = pos[:, None, :] - pos[None, :, :]
    d -= box * np.round(d / box)
    return np.sqrt((d ** 2).sum(-1))


def minimum_image_triclinic(frac, cell):
    df = frac[:, None, :] - frac[None, :, :]
    df -= np.rint(df)
    dc = np.einsum("ijk,kl->ijl", df, cell)
    return np.linalg.norm(dc, axis=-1)


def minimum_image_loop(pos, L):
    n = len(pos)
    dmin = np.full(n, np.inf)
    for i in range(n):
        for j in range(n):
            if i != j:
                d = pos[i] - pos[j]
                d = d - L * np.round(d / L)
                dmin[i] = min(dmin[i], np.sqrt(np.dot(d, d)))
    return dmin


def minimum_image_loop_np(pos, L):
    n = len(pos)
    dmin = np.full(n, np.inf)
    for i in range(n):
        for j in range(n):
            if i != j:
                d = pos[i] - pos[j]
                d = d - L * np.round(d / L)
                dmin[i] = np.minimum(dmin[i], np.sqrt(np.dot(d, d)))
    return dmin


def radial_distribution(pos, L, nbins=10, rmax=None):
    n = len(pos)
    rmax = L / 2 if rmax is None else rmax
    d = pos[:, None, :] - pos[None, :, :]
    d -= L * np.round(d / L)
    r = np.sqrt((d ** 2).sum(-1))[np.triu_indices(n, 1)]
    hist, edges = np.histogram(r, bins=nbins, range=(0, rmax))
    rc = 0.5 * (edges[1:] + edges[:-1])
    shell = 4 * np.pi * rc ** 2 * (edges[1] - edges[0])
    rho = n / L ** 3
    return rc, hist / (shell * rho * n / 2)


def radial_distribution_loop(pos, L, nbins=8):
    n = len(pos)
    dr = L / 2 / nbins
    g = np.zeros(nbins)
    for i in range(n - 1):
        d = pos[i + 1:] - pos[i]
        d = d - L * np.rint(d / L)
        r = np.linalg.norm(d, axis=1)
        k = (r / dr).astype(int)
        k = k[k < nbins]
        np.add.at(g, k, 2)
    r = (np.arange(nbins) + 0.5) * dr
    vol = 4 / 3 * np.pi * ((r + dr / 2) ** 3 - (r - dr / 2) ** 3)
    return g / (n * vol * n / L ** 3)


def coordination_numbers(pos, L, rcut=1.2):
    d = pos[:, None] - pos[None]
    d -= L * np.round(d / L)
    r = np.linalg.norm(d, axis=-1)
    np.fill_diagonal(r, np.inf)
    return (r < rcut).sum(axis=1), np.count_nonzero(r < rcut) / 2


def neighbor_list_mask(pos, L, rcut=1.5):
    d = pos[:, None] - pos[None]
    d = d - L * np.round(d / L)
    r2 = np.einsum("ijk,ijk->ij", d, d)
    mask = (r2 < rcut ** 2) & ~np.eye(len(pos), dtype=bool)
    return mask, mask.sum(1).max()


def lennard_jones_energy(pos, L, eps=1.0, sigma=1.0, rc=2.5):
    d = pos[:, None, :] - pos[None, :, :]
    d -= L * np.round(d / L)
    r2 = (d ** 2).sum(-1)
    iu = np.triu_indices(len(pos), 1)
    r2 = r2[iu]
    sr6 = (sigma ** 2 / r2) ** 3
    e = 4 * eps * (sr6 ** 2 - sr6)
    e_c = 4 * eps * ((sigma / rc) ** 12 - (sigma / rc) ** 6)
    return np.sum(np.where(r2 < rc ** 2, e - e_c, 0.0))


def lennard_jones_forces(pos, L, rc=2.5):
    d = pos[:, None, :] - pos[None, :, :]
    d -= L * np.round(d / L)
    r2 = np.sum(d * d, axis=-1)
    np.fill_diagonal(r2, np.inf)
    inv6 = 1 / r2 ** 3
    fmag = np.where(r2 < rc * rc, 24 * (2 * inv6 ** 2 - inv6) / r2, 0.0)
    F = np.sum(fmag[:, :, None] * d, axis=1)
    virial = np.sum(fmag * r2) / 2
    return F, virial


def lj_forces_loop(pos, L):
    n = len(pos)
    F = np.zeros_like(pos)
    E = 0.0
    for i in range(n - 1):
        for j in range(i + 1, n):
            rij = pos[i] - pos[j]
            rij -= L * np.round(rij / L)
            r2 = rij @ rij
            ir6 = 1.0 / r2 ** 3
            E += 4 * (ir6 * ir6 - ir6)
            f = 24 * (2 * ir6 * ir6 - ir6) / r2 * rij
            F[i] += f
            F[j] -= f
    return F, E


def velocity_verlet_lj(pos, vel, L, dt=0.002, steps=5):
    def forces(x):
        d = x[:, None] - x[None]
        d -= L * np.round(d / L)
        r2 = (d ** 2).sum(-1) + np.eye(len(x))
        ir6 = np.where(np.eye(len(x), dtype=bool), 0.0, r2 ** -3)
        return np.sum((24 * (2 * ir6 ** 2 - ir6) / r2)[..., None] * d, axis=1)

    f = forces(pos)
    for _ in range(steps):
        vel = vel + 0.5 * dt * f
        pos = (pos + dt * vel) % L
        f = forces(pos)
        vel = vel + 0.5 * dt * f
    ke = 0.5 * np.sum(vel ** 2)
    T = 2 * ke / (3 * len(pos))
    return pos, vel, T


def berendsen_thermostat(vel, T_target, tau=0.1, dt=0.01):
    T = np.sum(vel ** 2) / (3 * (len(vel) - 1))
    lam = np.sqrt(1 + dt / tau * (T_target / T - 1))
    return vel * lam, T


def structure_factor(pos, qvecs):
    phase = qvecs @ pos.T
    rho_q = np.exp(1j * phase).sum(axis=1)
    return np.abs(rho_q) ** 2 / len(pos)


def structure_factor_hkl(frac, f_atoms, hkl):
    arg = 2 * np.pi * hkl @ frac.T
    F = np.sum(f_atoms * (np.cos(arg) + 1j * np.sin(arg)), axis=1)
    return F, np.abs(F) ** 2, np.angle(F)


def structure_factor_isotropic(pos, L, nq=6):
    n = len(pos)
    q = 2 * np.pi / L * np.arange(1, nq + 1)
    d = pos[:, None] - pos[None]
    r = np.sqrt((d ** 2).sum(-1))
    qr = q[:, None, None] * r[None]
    return 1 + np.sum(np.where(r > 0, np.sinc(qr / np.pi), 0), axis=(1, 2)) / n


def bragg_angles(cell, hkl, wavelength=1.5406):
    G = hkl @ (2 * np.pi * np.linalg.inv(cell).T)
    d = 2 * np.pi / np.linalg.norm(G, axis=1)
    s = wavelength / (2 * d)
    theta = np.where(s <= 1, np.degrees(np.arcsin(np.clip(s, -1, 1))), np.nan)
    return d, 2 * theta


def cubic_d_spacing(a, hkl):
    return a / np.sqrt(np.sum(hkl ** 2, axis=1))


def systematic_absences_fcc(hkl):
    h, k, l = hkl.T
    all_even = (h % 2 == 0) & (k % 2 == 0) & (l % 2 == 0)
    all_odd = (h % 2 == 1) & (k % 2 == 1) & (l % 2 == 1)
    return all_even | all_odd


def ewald_real_space(pos, q, L, alpha=1.0, rc=None):
    rc = L / 2 if rc is None else rc
    d = pos[:, None] - pos[None]
    d -= L * np.round(d / L)
    r = np.linalg.norm(d, axis=-1)
    iu = np.triu_indices(len(q), 1)
    r = r[iu]
    qq = q[iu[0]] * q[iu[1]]
    erfc = 1 - _erf(alpha * r)
    return np.sum(np.where(r < rc, qq * erfc / r, 0.0)) - alpha / np.sqrt(np.pi) * np.sum(q ** 2)


def _erf(x):
    t = 1.0 / (1.0 + 0.5 * np.abs(x))
    y = 1 - t * np.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
    return np.where(x >= 0, y, -y)


def ewald_reciprocal(pos, q, L, alpha=1.0, kmax=2):
    n = np.arange(-kmax, kmax + 1)
    kx, ky, kz = np.meshgrid(n, n, n, indexing="ij")
    k = 2 * np.pi / L * np.stack([kx.ravel(), ky.ravel(), kz.ravel()], axis=1)
    k2 = np.sum(k ** 2, axis=1)
    k, k2 = k[k2 > 0], k2[k2 > 0]
    S = np.exp(1j * k @ pos.T) @ q
    return 2 * np.pi / L ** 3 * np.sum(np.exp(-k2 / (4 * alpha ** 2)) / k2 * np.abs(S) ** 2)


def madelung_direct_sum(nmax=3):
    total = 0.0
    for i in range(-nmax, nmax + 1):
        for j in range(-nmax, nmax + 1):
            for k in range(-nmax, nmax + 1):
                if i == j == k == 0:
                    continue
                total += (-1) ** (i + j + k) / np.sqrt(i * i + j * j + k * k)
    return total


def madelung_vectorized(nmax):
    r = np.arange(-nmax, nmax + 1)
    i, j, k = np.meshgrid(r, r, r, indexing="ij")
    d = np.sqrt(i ** 2 + j ** 2 + k ** 2)
    sign = (-1.0) ** (i + j + k)
    with np.errstate(divide="ignore"):
        terms = np.where(d > 0, sign / np.where(d > 0, d, 1), 0)
    return terms.sum()


def supercell(frac, species, n=(2, 2, 1)):
    shifts = np.array([[i, j, k] for i in range(n[0]) for j in range(n[1]) for k in range(n[2])])
    new = (frac[None, :, :] + shifts[:, None, :]) / np.array(n)
    return new.reshape(-1, 3), np.tile(species, len(shifts))


def fcc_positions(nc, a=1.5874):
    base = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    grid = np.indices((nc, nc, nc)).reshape(3, -1).T
    pos = (grid[:, None, :] + base[None]).reshape(-1, 3) * a
    return pos, nc * a


def strain_tensor(cell0, cell1):
    Fd = np.linalg.solve(cell0, cell1).T
    eps = 0.5 * (Fd.T @ Fd - np.eye(3))
    return eps, np.trace(eps), eps - np.trace(eps) / 3 * np.eye(3)


def voigt_stress(C, eps):
    e = np.array([eps[0, 0], eps[1, 1], eps[2, 2], 2 * eps[1, 2], 2 * eps[0, 2], 2 * eps[0, 1]])
    s = C @ e
    return s, 0.5 * e @ s


def bulk_modulus_birch(V, V0, B0, B0p):
    eta = (V0 / V) ** (2 / 3)
    E = 9 * V0 * B0 / 16 * ((eta - 1) ** 3 * B0p + (eta - 1) ** 2 * (6 - 4 * eta))
    return E


def eos_polyfit(V, E):
    c = np.polyfit(V, E, 2)
    V0 = -c[1] / (2 * c[0])
    B0 = 2 * c[0] * V0
    return V0, B0, np.polyval(c, V0)


def msd_unwrapped(traj):
    disp = traj - traj[0]
    return np.mean(np.sum(disp ** 2, axis=-1), axis=1)


def msd_all_origins(traj, max_lag=5):
    nt = traj.shape[0]
    msd = np.zeros(max_lag)
    for lag in range(1, max_lag + 1):
        d = traj[lag:] - traj[:-lag]
        msd[lag - 1] = np.mean(np.sum(d ** 2, axis=-1))
    slope = np.polyfit(np.arange(1, max_lag + 1), msd, 1)[0]
    return msd, slope / 6


def unwrap_trajectory(wrapped, L):
    d = np.diff(wrapped, axis=0)
    d -= L * np.round(d / L)
    return np.concatenate([wrapped[:1], wrapped[0] + np.cumsum(d, axis=0)])


def velocity_autocorrelation(v):
    nt = v.shape[0]
    vacf = np.array([np.mean(np.sum(v[: nt - t] * v[t:], axis=-1)) for t in range(nt // 2)])
    return vacf / vacf[0]


def bond_angles(pos, i, j, k):
    a = pos[i] - pos[j]
    b = pos[k] - pos[j]
    cosang = np.einsum("ij,ij->i", a, b) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return np.degrees(np.arccos(np.clip(cosang, -1, 1)))


def dihedral_angles(p0, p1, p2, p3):
    b0 = p0 - p1
    b1 = p2 - p1
    b2 = p3 - p2
    b1 = b1 / np.linalg.norm(b1, axis=-1, keepdims=True)
    v = b0 - np.sum(b0 * b1, axis=-1, keepdims=True) * b1
    w = b2 - np.sum(b2 * b1, axis=-1, keepdims=True) * b1
    x = np.sum(v * w, axis=-1)
    y = np.sum(np.cross(b1, v) * w, axis=-1)
    return np.degrees(np.arctan2(y, x))


def radius_of_gyration(pos, masses):
    com = np.average(pos, axis=0, weights=masses)
    return np.sqrt(np.sum(masses * np.sum((pos - com) ** 2, axis=1)) / masses.sum()), com


def inertia_tensor(pos, m):
    r = pos - (m[:, None] * pos).sum(0) / m.sum()
    I = np.zeros((3, 3))
    for a in range(len(m)):
        I += m[a] * (np.dot(r[a], r[a]) * np.eye(3) - np.outer(r[a], r[a]))
    return np.linalg.eigvalsh(I)


def kabsch_rmsd(P, Q):
    P = P - P.mean(axis=0)
    Q = Q - Q.mean(axis=0)
    H = P.T @ Q
    U, S, Vt = np.linalg.svd(H)
    d = np.sign(np.linalg.det(Vt.T @ U.T))
    D = np.diag([1, 1, d])
    R = Vt.T @ D @ U.T
    diff = P @ R.T - Q
    return np.sqrt((diff ** 2).sum() / len(P))


def voronoi_nearest_site(grid, sites, L):
    d = grid[:, None, :] - sites[None, :, :]
    d -= L * np.round(d / L)
    return np.argmin((d ** 2).sum(-1), axis=1)


def debye_scattering(r_pairs, q):
    qr = np.outer(q, r_pairs)
    return np.sum(np.sin(qr) / qr, axis=1)


def xrd_gaussian_pattern(two_theta, peaks, intens, fwhm=0.2):
    sigma = fwhm / (2 * np.sqrt(2 * np.log(2)))
    return np.sum(intens[:, None] * np.exp(-((two_theta[None, :] - peaks[:, None]) ** 2) / (2 * sigma ** 2)), axis=0)


def scherrer_size(fwhm_deg, two_theta_deg, wavelength=0.15406, K=0.9):
    beta = np.deg2rad(fwhm_deg)
    theta = np.deg2rad(two_theta_deg / 2)
    return K * wavelength / (beta * np.cos(theta))


def vegard_lattice(x, a_A=5.65, a_B=5.43, bowing=0.0):
    return x * a_A + (1 - x) * a_B - bowing * x * (1 - x)


def density_of_crystal(cell, Z, M):
    V = np.abs(np.linalg.det(cell)) * 1e-24
    return Z * M / (6.02214076e23 * V)


def packing_fraction(radii, cell):
    return 4 / 3 * np.pi * np.sum(radii ** 3) / np.linalg.det(cell)


def cluster_center_pbc(frac):
    theta = 2 * np.pi * frac
    c = np.cos(theta).mean(0)
    s = np.sin(theta).mean(0)
    return (np.arctan2(-s, -c) + np.pi) / (2 * np.pi)


def _box_pos(s, n, L=4.0):
    return np.random.default_rng(s).random((n, 3)) * L


def _lattice_pos(s, n, L=6.0):
    g = np.indices((2, 2, 2)).reshape(3, -1).T[:n] * (L / 2) + 0.5
    return g + 0.05 * _f(len(g), 3, seed=s)


MATERIALS = {
    "reciprocal_lattice_cross": (reciprocal_lattice_cross, {}, lambda s, n: (_cell(s),)),
    "reciprocal_lattice_inv": (reciprocal_lattice_inv, {}, lambda s, n: (_cell(s),)),
    "cell_volume_det": (cell_volume_det, {}, lambda s, n: (_cell(s),)),
    "lattice_parameters": (lattice_parameters, {}, lambda s, n: (_cell(s),)),
    "cell_from_parameters": (cell_from_parameters, {}, lambda s, n: (3.0 + s, 4.0, 5.0, 80.0 + s, 95.0, 100.0)),
    "frac_to_cart": (frac_to_cart, {}, lambda s, n: (np.random.default_rng(s).random((n, 3)), _cell(s))),
    "cart_to_frac": (cart_to_frac, {}, lambda s, n: (_f(n, 3, seed=s) * 3, _cell(s))),
    "cart_to_frac_solve": (cart_to_frac_solve, {}, lambda s, n: (_f(n, 3, seed=s) * 3, _cell(s))),
    "wrap_positions": (wrap_positions, {}, lambda s, n: (_f(n, 3, seed=s) * 2,)),
    "minimum_image_distances": (minimum_image_distances, {}, lambda s, n: (_box_pos(s, n), np.array([4.0, 4.0, 5.0]))),
    "minimum_image_triclinic": (minimum_image_triclinic, {}, lambda s, n: (np.random.default_rng(s).random((n, 3)), _cell(s))),
    "minimum_image_loop_np": (minimum_image_loop_np, {}, lambda s, n: (_box_pos(s, n), 4.0)),
    "radial_distribution": (radial_distribution, {}, lambda s, n: (_box_pos(s, 3 * n), 4.0)),
    "radial_distribution_loop": (radial_distribution_loop, {}, lambda s, n: (_box_pos(s, 3 * n), 4.0)),
    "coordination_numbers": (coordination_numbers, {}, lambda s, n: (_box_pos(s, 3 * n), 4.0)),
    "neighbor_list_mask": (neighbor_list_mask, {}, lambda s, n: (_box_pos(s, 3 * n), 4.0)),
    "lennard_jones_energy": (lennard_jones_energy, {}, lambda s, n: (_lattice_pos(s, 8) * (n / 4), 6.0 * n / 4)),
    "lennard_jones_forces": (lennard_jones_forces, {}, lambda s, n: (_lattice_pos(s, 8), 6.0)),
    "lj_forces_loop": (lj_forces_loop, {}, lambda s, n: (_lattice_pos(s, n), 6.0)),
    "velocity_verlet_lj": (velocity_verlet_lj, {}, lambda s, n: (_lattice_pos(s, n), 0.1 * _f(n, 3, seed=s), 6.0)),
    "berendsen_thermostat": (berendsen_thermostat, {}, lambda s, n: (_f(n, 3, seed=s), 1.5)),
    "structure_factor": (structure_factor, {}, lambda s, n: (_box_pos(s, n), _f(5, 3, seed=s))),
    "structure_factor_hkl": (structure_factor_hkl, {}, lambda s, n: (np.random.default_rng(s).random((n, 3)), _f(n, positive=True, seed=s), _i(4, 6, 3, seed=s))),
    "structure_factor_isotropic": (structure_factor_isotropic, {}, lambda s, n: (_box_pos(s, n), 4.0)),
    "bragg_angles": (bragg_angles, {}, lambda s, n: (_cell(s) / 2, _i(3, n, 3, seed=s) + 1)),
    "cubic_d_spacing": (cubic_d_spacing, {}, lambda s, n: (5.43, _i(3, n, 3, seed=s) + 1)),
    "systematic_absences_fcc": (systematic_absences_fcc, {}, lambda s, n: (_i(5, n, 3, seed=s),)),
    "ewald_real_space": (ewald_real_space, {}, lambda s, n: (_box_pos(s, n), np.where(np.arange(n) % 2 == 0, 1.0, -1.0), 4.0)),
    "ewald_reciprocal": (ewald_reciprocal, {}, lambda s, n: (_box_pos(s, n), np.where(np.arange(n) % 2 == 0, 1.0, -1.0), 4.0)),
    "madelung_direct_sum": (madelung_direct_sum, {"nmax": 2}, lambda s, n: ()),
    "madelung_vectorized": (madelung_vectorized, {"nmax": 3}, lambda s, n: ()),
    "supercell": (supercell, {}, lambda s, n: (np.random.default_rng(s).random((n, 3)), _i(3, n, seed=s))),
    "fcc_positions": (fcc_positions, {"nc": 2}, lambda s, n: ()),
    "strain_tensor": (strain_tensor, {}, lambda s, n: (_cell(s), _cell(s) + 0.01 * _f(3, 3, seed=s + 5))),
    "voigt_stress": (voigt_stress, {}, lambda s, n: (_spd(s, 6), 0.01 * _spd(s + 1, 3))),
    "bulk_modulus_birch": (bulk_modulus_birch, {}, lambda s, n: (np.linspace(15, 20, 3 * n), 17.0, 1.0 + 0.1 * s, 4.0)),
    "eos_polyfit": (eos_polyfit, {}, lambda s, n: (np.linspace(15, 20, 3 * n), (np.linspace(15, 20, 3 * n) - 17) ** 2 * 0.1 - 5 + 0.001 * _f(3 * n, seed=s))),
    "msd_unwrapped": (msd_unwrapped, {}, lambda s, n: (np.cumsum(_f(2 * n, 5, 3, seed=s), axis=0),)),
    "msd_all_origins": (msd_all_origins, {}, lambda s, n: (np.cumsum(_f(3 * n, 5, 3, seed=s), axis=0),)),
    "unwrap_trajectory": (unwrap_trajectory, {}, lambda s, n: (np.cumsum(_f(2 * n, 4, 3, seed=s), axis=0) % 3.0, 3.0)),
    "velocity_autocorrelation": (velocity_autocorrelation, {}, lambda s, n: (_f(3 * n, 5, 3, seed=s),)),
    "bond_angles": (bond_angles, {}, lambda s, n: (_f(n, 3, seed=s), _i(n, 5, seed=s), _i(n, 5, seed=s + 1), _i(n, 5, seed=s + 2))),
    "dihedral_angles": (dihedral_angles, {}, lambda s, n: tuple(_f(n, 3, seed=s + i) for i in range(4))),
    "radius_of_gyration": (radius_of_gyration, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, positive=True, seed=s))),
    "inertia_tensor": (inertia_tensor, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, positive=True, seed=s))),
    "kabsch_rmsd": (kabsch_rmsd, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s) @ np.linalg.qr(_f(3, 3, seed=9))[0] + 0.01 * _f(n, 3, seed=s + 1))),
    "voronoi_nearest_site": (voronoi_nearest_site, {}, lambda s, n: (_box_pos(s, 5 * n), _box_pos(s + 9, 3), 4.0)),
    "debye_scattering": (debye_scattering, {}, lambda s, n: (_f(3 * n, positive=True, seed=s) * 2, np.linspace(0.5, 10, n))),
    "xrd_gaussian_pattern": (xrd_gaussian_pattern, {}, lambda s, n: (np.linspace(20, 80, 20 * n), np.array([28.4, 47.3, 56.1]), _f(3, positive=True, seed=s))),
    "scherrer_size": (scherrer_size, {}, lambda s, n: (_f(n, positive=True, seed=s) * 0.3, np.linspace(20, 80, n))),
    "vegard_lattice": (vegard_lattice, {}, lambda s, n: (np.linspace(0, 1, n), 5.65, 5.43, 0.1 * s)),
    "density_of_crystal": (density_of_crystal, {}, lambda s, n: (_cell(s), 4, 58.44)),
    "packing_fraction": (packing_fraction, {}, lambda s, n: (_f(n, positive=True, seed=s) * 0.5, _cell(s))),
    "cluster_center_pbc": (cluster_center_pbc, {}, lambda s, n: ((0.9 + 0.05 * _f(n, 3, seed=s)) % 1.0,)),
}


@pytest.mark.parametrize("name", list(MATERIALS))
def test_crystallography_and_materials_match_numpy(name):
    check_like_numpy(*MATERIALS[name])


# ------------------------------------------------------------- spectroscopy and chemistry data


def beer_lambert_fit(conc, absorbance, path=1.0):
    A = np.vstack([conc * path, np.ones_like(conc)]).T
    (eps, b), res, rank, sv = np.linalg.lstsq(A, absorbance, rcond=None)
    pred = eps * conc * path + b
    r2 = 1 - np.sum((absorbance - pred) ** 2) / np.sum((absorbance - absorbance.mean()) ** 2)
    return eps, b, r2


def beer_lambert_multicomponent(spectra, eps_matrix):
    c, *_ = np.linalg.lstsq(eps_matrix, spectra.T, rcond=None)
    return c.T


def transmittance_to_absorbance(T_percent):
    T = np.clip(T_percent / 100.0, 1e-6, None)
    return -np.log10(T)


def peaks_neighbor_compare(y, threshold=0.5):
    is_peak = (y[1:-1] > y[:-2]) & (y[1:-1] > y[2:]) & (y[1:-1] > threshold)
    return np.concatenate([[False], is_peak, [False]]), np.count_nonzero(is_peak)


def peaks_loop(y, threshold=0.0):
    n = len(y)
    peaks = np.zeros(n, dtype=bool)
    for i in range(1, n - 1):
        peaks[i] = (y[i] > y[i - 1]) & (y[i] >= y[i + 1]) & (y[i] > threshold)
    return peaks


def peaks_loop_if(y, threshold=0.0):
    peaks = []
    for i in range(1, len(y) - 1):
        if y[i] > y[i - 1] and y[i] >= y[i + 1] and y[i] > threshold:
            peaks.append(i)
    return np.array(peaks)


def peak_indices_where(y):
    is_peak = (y[1:-1] > y[:-2]) & (y[1:-1] > y[2:])
    return np.where(is_peak)[0] + 1


def peak_heights_and_positions(x, y):
    mid = (y[1:-1] > y[:-2]) & (y[1:-1] > y[2:])
    idx = np.nonzero(mid)[0] + 1
    return np.sum(y[idx]), np.max(np.where(mid, y[1:-1], -np.inf)), x[np.argmax(y)]


def peak_parabolic_refine(x, y):
    i = np.argmax(y[1:-1]) + 1
    y0, y1, y2 = y[i - 1], y[i], y[i + 1]
    delta = 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)
    return x[i] + delta * (x[1] - x[0]), y1 - 0.25 * (y0 - y2) * delta


def fwhm_by_interpolation(x, y):
    half = y.max() / 2
    above = y >= half
    i0 = np.argmax(above)
    i1 = len(y) - 1 - np.argmax(above[::-1])
    xl = np.interp(half, [y[i0 - 1], y[i0]], [x[i0 - 1], x[i0]])
    xr = np.interp(half, [y[i1 + 1], y[i1]], [x[i1 + 1], x[i1]])
    return xr - xl


def baseline_linear_endpoints(x, y, n_edge=5):
    xe = np.concatenate([x[:n_edge], x[-n_edge:]])
    ye = np.concatenate([y[:n_edge], y[-n_edge:]])
    p = np.polyfit(xe, ye, 1)
    return y - np.polyval(p, x)


def baseline_polyfit_iterative(x, y, deg=2, n_iter=10):
    base = y.copy()
    for _ in range(n_iter):
        p = np.polyfit(x, base, deg)
        fit = np.polyval(p, x)
        base = np.minimum(base, fit)
    return y - fit, fit


def baseline_rolling_min(y, w=5):
    n = len(y)
    pad = np.pad(y, w, mode="edge")
    mins = np.array([pad[i:i + 2 * w + 1].min() for i in range(n)])
    return y - mins


def baseline_als(y, lam=100.0, p=0.01, n_iter=5):
    L = len(y)
    D = np.diff(np.eye(L), 2, axis=0)
    DtD = lam * D.T @ D
    w = np.ones(L)
    for _ in range(n_iter):
        W = np.diag(w)
        z = np.linalg.solve(W + DtD, w * y)
        w = p * (y > z) + (1 - p) * (y < z)
    return z


def gaussian_line(x, x0, sigma, amp):
    return amp * np.exp(-0.5 * ((x - x0) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))


def lorentzian_line(x, x0, gamma, amp):
    return amp * gamma / np.pi / ((x - x0) ** 2 + gamma ** 2)


def pseudo_voigt(x, x0, fwhm, eta):
    sigma = fwhm / (2 * np.sqrt(2 * np.log(2)))
    g = np.exp(-((x - x0) ** 2) / (2 * sigma ** 2)) / (sigma * np.sqrt(2 * np.pi))
    l = (fwhm / 2) / np.pi / ((x - x0) ** 2 + (fwhm / 2) ** 2)
    return eta * l + (1 - eta) * g


def spectrum_sum_of_lines(x, centers, widths, amps):
    lines = amps[:, None] * np.exp(-((x[None, :] - centers[:, None]) / widths[:, None]) ** 2)
    return lines.sum(axis=0)


def spectrum_loop(x, centers, widths, amps):
    y = np.zeros_like(x)
    for c, w, a in zip(centers, widths, amps):
        y += a * w ** 2 / ((x - c) ** 2 + w ** 2)
    return y


def integrate_peak_trapezoid(x, y, lo, hi):
    m = (x >= lo) & (x <= hi)
    return np.trapezoid(np.where(m, y, 0), x), np.trapezoid(y, x)


def integrate_cumulative(x, y):
    dx = np.diff(x)
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (y[1:] + y[:-1]) * dx)])
    return cum, cum[-1]


def simpson_integral(y, dx):
    n = len(y) - 1
    return dx / 3 * (y[0] + y[-1] + 4 * y[1:n:2].sum() + 2 * y[2:n - 1:2].sum())


def savgol_coeffs_by_hand(window=7, order=2):
    half = window // 2
    x = np.arange(-half, half + 1)
    A = np.vander(x, order + 1, increasing=True)
    return np.linalg.pinv(A)[0]


def savgol_smooth(y, window=7, order=2):
    half = window // 2
    x = np.arange(-half, half + 1)
    A = x[:, None] ** np.arange(order + 1)
    c = np.linalg.pinv(A)[0]
    ypad = np.concatenate([np.full(half, y[0]), y, np.full(half, y[-1])])
    return np.convolve(ypad, c[::-1], mode="valid")


def savgol_derivative(y, dx, window=5):
    half = window // 2
    x = np.arange(-half, half + 1, dtype=float)
    A = np.vander(x, 3, increasing=True)
    c = np.linalg.pinv(A)[1] / dx
    return np.convolve(y, c[::-1], mode="same")


def moving_average_smooth(y, w=5):
    kernel = np.ones(w) / w
    return np.convolve(y, kernel, mode="same")


def normalize_spectra(S):
    snv = (S - S.mean(axis=1, keepdims=True)) / S.std(axis=1, keepdims=True)
    vn = S / np.linalg.norm(S, axis=1)[:, None]
    mm = (S - S.min(axis=1, keepdims=True)) / np.ptp(S, axis=1, keepdims=True)
    return snv, vn, mm


def msc_correction(S):
    ref = S.mean(axis=0)
    out = np.empty_like(S)
    for i in range(S.shape[0]):
        b, a = np.polyfit(ref, S[i], 1)
        out[i] = (S[i] - a) / b
    return out


def first_derivative_spectra(x, S):
    return np.gradient(S, x, axis=1)


def wavenumber_conversions(wl_nm):
    wn = 1e7 / wl_nm
    E_eV = 1239.84193 / wl_nm
    freq = 299792458 / (wl_nm * 1e-9)
    return wn, E_eV, freq


def raman_shift(wl_laser, wl_scatter):
    return 1e7 / wl_laser - 1e7 / wl_scatter


def nmr_chemical_shift(freq_hz, ref_hz, spectrometer_mhz=400.0):
    return (freq_hz - ref_hz) / spectrometer_mhz


def fid_to_spectrum(fid, dt):
    n = len(fid)
    spec = np.fft.fftshift(np.fft.fft(fid * np.exp(-np.arange(n) * dt * 2.0)))
    freq = np.fft.fftshift(np.fft.fftfreq(n, dt))
    return freq, spec.real, np.abs(spec)


def phase_correction(spec, ph0, ph1):
    n = len(spec)
    phase = np.exp(1j * (ph0 + ph1 * np.arange(n) / n))
    return (spec * phase).real


def calibration_curve_lod(conc, signal, blank):
    slope, intercept = np.polyfit(conc, signal, 1)
    lod = 3 * np.std(blank, ddof=1) / slope
    loq = 10 * np.std(blank, ddof=1) / slope
    return slope, intercept, lod, loq


def standard_addition(added, signal):
    m, b = np.polyfit(added, signal, 1)
    return b / m


def absorbance_ratio_purity(spec, wl):
    a260 = np.interp(260, wl, spec)
    a280 = np.interp(280, wl, spec)
    return a260 / a280


# --------------------------------------------------------------------------- kinetics, equilibria


def first_order_euler(c0, k, dt, n_steps=100):
    c = np.empty(n_steps + 1)
    c[0] = c0
    for i in range(n_steps):
        c[i + 1] = c[i] - k * c[i] * dt
    return c


def consecutive_reactions_euler(k1, k2, dt=0.01, n=200):
    A, B, C = np.zeros(n), np.zeros(n), np.zeros(n)
    A[0] = 1.0
    for i in range(n - 1):
        A[i + 1] = A[i] - k1 * A[i] * dt
        B[i + 1] = B[i] + (k1 * A[i] - k2 * B[i]) * dt
        C[i + 1] = C[i] + k2 * B[i] * dt
    return A, B, C


def rate_equations_rk4(y0, k, dt=0.05, n=60):
    def f(y):
        A, B, C = y
        r1 = k[0] * A
        r2 = k[1] * B
        r3 = k[2] * B * B
        return np.array([-r1, r1 - r2 - 2 * r3, r2 + r3])

    y = y0.copy()
    out = [y]
    for _ in range(n):
        k1 = f(y)
        k2 = f(y + dt / 2 * k1)
        k3 = f(y + dt / 2 * k2)
        k4 = f(y + dt * k3)
        y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out.append(y)
    return np.array(out)


def stoichiometric_rk4(S, k, c0, dt=0.02, n=50):
    c = c0.astype(float)
    traj = np.zeros((n + 1, len(c0)))
    traj[0] = c

    def rates(c):
        return k * np.prod(np.where(S < 0, c[:, None] ** (-S), 1.0), axis=0)

    for i in range(n):
        a = S @ rates(c)
        b = S @ rates(c + 0.5 * dt * a)
        cc = S @ rates(c + 0.5 * dt * b)
        d = S @ rates(c + dt * cc)
        c = c + dt * (a + 2 * b + 2 * cc + d) / 6
        traj[i + 1] = c
    return traj


def michaelis_menten_fit(S, v):
    inv_S, inv_v = 1 / S, 1 / v
    slope, intercept = np.polyfit(inv_S, inv_v, 1)
    Vmax = 1 / intercept
    Km = slope * Vmax
    return Vmax, Km


def arrhenius_fit(T, k):
    x = 1 / T
    y = np.log(k)
    A = np.column_stack([x, np.ones_like(x)])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    Ea = -coef[0] * 8.314
    return Ea, np.exp(coef[1])


def eyring_parameters(T, k):
    kB, h, R = 1.380649e-23, 6.62607015e-34, 8.314
    y = np.log(k / T)
    m, b = np.polyfit(1 / T, y, 1)
    dH = -m * R
    dS = (b - np.log(kB / h)) * R
    return dH, dS


def half_life_integrated(t, c, order=1):
    if order == 1:
        k = -np.polyfit(t, np.log(c), 1)[0]
        return np.log(2) / k
    k = np.polyfit(t, 1 / c, 1)[0]
    return 1 / (k * c[0])


def lotka_volterra_chem(x0, y0, k1=1.0, k2=0.5, k3=0.8, dt=0.01, n=300):
    x, y = np.empty(n), np.empty(n)
    x[0], y[0] = x0, y0
    for i in range(1, n):
        x[i] = x[i - 1] + dt * (k1 * x[i - 1] - k2 * x[i - 1] * y[i - 1])
        y[i] = y[i - 1] + dt * (k2 * x[i - 1] * y[i - 1] - k3 * y[i - 1])
    return x, y


def brusselator(a, b, dt=0.01, n=200):
    X, Y = np.zeros(n), np.zeros(n)
    X[0], Y[0] = 1.0, 1.0
    for i in range(n - 1):
        X[i + 1] = X[i] + dt * (a + X[i] ** 2 * Y[i] - (b + 1) * X[i])
        Y[i + 1] = Y[i] + dt * (b * X[i] - X[i] ** 2 * Y[i])
    return X[-1], Y[-1], np.max(X)


def weak_acid_ph_newton(Ca, Ka, n_iter=30):
    Kw = 1e-14
    h = np.sqrt(Ka * Ca)
    for _ in range(n_iter):
        f = h ** 3 + Ka * h ** 2 - (Kw + Ka * Ca) * h - Ka * Kw
        df = 3 * h ** 2 + 2 * Ka * h - (Kw + Ka * Ca)
        h = h - f / df
    return -np.log10(h)


def titration_curve(Vb, Ca=0.1, Va=25.0, Cb=0.1, Ka=1.8e-5):
    Kw = 1e-14
    pH = np.zeros_like(Vb)
    for j in range(len(Vb)):
        lo, hi = 0.0, 14.0
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            h = 10 ** -mid
            na = Cb * Vb[j] / (Va + Vb[j])
            ct = Ca * Va / (Va + Vb[j])
            charge = h + na - Kw / h - ct * Ka / (Ka + h)
            lo = np.where(charge > 0, mid, lo)
            hi = np.where(charge > 0, hi, mid)
        pH[j] = 0.5 * (lo + hi)
    return pH


def henderson_hasselbalch(pKa, base, acid):
    return pKa + np.log10(base / acid)


def speciation_fractions(pH, pKas):
    h = 10.0 ** (-pH)
    Ka = 10.0 ** (-np.asarray(pKas))
    n = len(Ka)
    terms = np.zeros((n + 1, len(pH)))
    for i in range(n + 1):
        terms[i] = h ** (n - i) * np.prod(Ka[:i])
    return terms / terms.sum(axis=0)


def equilibrium_extent_newton(K, n0, nu, n_iter=40):
    xi = np.zeros_like(K)
    for _ in range(n_iter):
        n = n0[:, None] + nu[:, None] * xi[None, :]
        n = np.maximum(n, 1e-12)
        ntot = n.sum(axis=0)
        f = np.sum(nu[:, None] * np.log(n / ntot), axis=0) - np.log(K)
        df = np.sum(nu[:, None] ** 2 / n, axis=0) - nu.sum() ** 2 / ntot
        xi = xi - f / df
    return xi


def gibbs_minimization_projected(mu0, A, b, T=298.15, n_iter=50, lr=0.01):
    R = 8.314e-3
    n = np.ones(len(mu0))
    P = np.eye(len(mu0)) - A.T @ np.linalg.solve(A @ A.T, A)
    for _ in range(n_iter):
        g = mu0 + R * T * np.log(n / n.sum())
        n = np.clip(n - lr * P @ g, 1e-8, None)
    return n, A @ n - b


def ideal_gas_mixture(T, P, y, mw):
    R = 8.314
    rho = P * np.dot(y, mw) / (R * T)
    return rho, y * mw / np.dot(y, mw)


def van_der_waals_pressure(V, T, a=0.364, b=4.267e-5):
    R = 8.314
    return R * T / (V - b) - a / V ** 2


def vdw_molar_volume_newton(P, T, a=0.364, b=4.267e-5, n_iter=30):
    R = 8.314
    V = R * T / P
    for _ in range(n_iter):
        f = (P + a / V ** 2) * (V - b) - R * T
        df = P - a / V ** 2 + 2 * a * b / V ** 3
        V = V - f / df
    return V


def antoine_vapor_pressure(T, A, B, C):
    return 10 ** (A - B / (C + T))


def raoult_bubble_point(x, A, B, C, P=760.0, n_iter=40):
    T = np.full(1, 80.0)
    for _ in range(n_iter):
        Psat = 10 ** (A - B / (C + T))
        f = np.sum(x * Psat) - P
        dPsat = Psat * np.log(10) * B / (C + T) ** 2
        T = T - f / np.sum(x * dPsat)
    return T[0], x * 10 ** (A - B / (C + T)) / P


def heat_capacity_shomate(T, coeffs):
    t = T / 1000
    A, B, C, D, E = coeffs
    return A + B * t + C * t ** 2 + D * t ** 3 + E / t ** 2


def enthalpy_integral(T, cp):
    return np.concatenate([[0], np.cumsum(np.diff(T) * (cp[1:] + cp[:-1]) / 2)])


def boltzmann_populations(E_cm, T):
    kT = 0.695034800 * T
    w = np.exp(-(E_cm - E_cm.min()) / kT)
    return w / w.sum(), -kT * np.log(w.sum())


def partition_function_rotor(B_cm, T, Jmax=30):
    J = np.arange(Jmax + 1)
    E = B_cm * J * (J + 1)
    g = 2 * J + 1
    kT = 0.695034800 * T
    q = np.sum(g * np.exp(-E / kT))
    pops = g * np.exp(-E / kT) / q
    return q, J[np.argmax(pops)], np.sum(pops * E)


def vibrational_frequencies(H, masses):
    m = np.repeat(masses, 3)
    Hmw = H / np.sqrt(np.outer(m, m))
    w2 = np.linalg.eigvalsh(Hmw)
    return np.sign(w2) * np.sqrt(np.abs(w2))


def zero_point_energy(freqs_cm):
    real = freqs_cm[freqs_cm > 0]
    return 0.5 * np.sum(real) * 1.23981e-4


SPECTRA = {
    "beer_lambert_fit": (beer_lambert_fit, {}, lambda s, n: (np.linspace(0.1, 1, n), 0.8 * np.linspace(0.1, 1, n) + 0.01 * _f(n, seed=s))),
    "beer_lambert_multicomponent": (beer_lambert_multicomponent, {}, lambda s, n: (_f(3, 5 * n, positive=True, seed=s), _f(5 * n, 2, positive=True, seed=s + 1))),
    "transmittance_to_absorbance": (transmittance_to_absorbance, {}, lambda s, n: (np.r_[0.0, 100 * np.random.default_rng(s).random(n)],)),
    "peaks_neighbor_compare": (peaks_neighbor_compare, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "peaks_loop": (peaks_loop, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "peak_heights_and_positions": (peak_heights_and_positions, {}, lambda s, n: (np.linspace(0, 1, 5 * n), _f(5 * n, seed=s))),
    "peak_parabolic_refine": (peak_parabolic_refine, {}, lambda s, n: (np.linspace(0, 10, 10 * n), np.exp(-(np.linspace(0, 10, 10 * n) - 4.3 - 0.1 * s) ** 2))),
    "fwhm_by_interpolation": (fwhm_by_interpolation, {}, lambda s, n: (np.linspace(0, 10, 10 * n), np.exp(-(np.linspace(0, 10, 10 * n) - 5) ** 2 / (0.5 + 0.1 * s)))),
    "baseline_linear_endpoints": (baseline_linear_endpoints, {}, lambda s, n: (np.linspace(0, 1, 12 * n), _f(12 * n, seed=s) + np.linspace(0, 2, 12 * n))),
    "baseline_polyfit_iterative": (baseline_polyfit_iterative, {}, lambda s, n: (np.linspace(0, 1, 10 * n), np.abs(_f(10 * n, seed=s)) + np.linspace(0, 1, 10 * n) ** 2)),
    "baseline_rolling_min": (baseline_rolling_min, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "baseline_als": (baseline_als, {}, lambda s, n: (np.abs(_f(5 * n, seed=s)) + np.linspace(0, 1, 5 * n),)),
    "gaussian_line": (gaussian_line, {}, lambda s, n: (np.linspace(-5, 5, 10 * n), 0.3 * s, 1.2, 2.0)),
    "lorentzian_line": (lorentzian_line, {}, lambda s, n: (np.linspace(-5, 5, 10 * n).astype(np.float32), 0.3 * s, 1.2, 2.0)),
    "pseudo_voigt": (pseudo_voigt, {}, lambda s, n: (np.linspace(-5, 5, 10 * n), 0.1, 1.5, 0.2 * s)),
    "spectrum_sum_of_lines": (spectrum_sum_of_lines, {}, lambda s, n: (np.linspace(0, 10, 10 * n), 10 * np.random.default_rng(s).random(4), _f(4, positive=True, seed=s), _f(4, positive=True, seed=s + 1))),
    "spectrum_loop": (spectrum_loop, {}, lambda s, n: (np.linspace(0, 10, 10 * n), 10 * np.random.default_rng(s).random(n), _f(n, positive=True, seed=s), _f(n, positive=True, seed=s + 1))),
    "integrate_peak_trapezoid": (integrate_peak_trapezoid, {}, lambda s, n: (np.linspace(0, 10, 10 * n), np.exp(-(np.linspace(0, 10, 10 * n) - 5) ** 2), 4.0, 6.0 + 0.1 * s)),
    "integrate_cumulative": (integrate_cumulative, {}, lambda s, n: (np.sort(np.random.default_rng(s).random(5 * n)), _f(5 * n, seed=s))),
    "simpson_integral": (simpson_integral, {}, lambda s, n: (np.sin(np.linspace(0, np.pi, 2 * n + 1)), np.pi / (2 * n))),
    "savgol_coeffs_by_hand": (savgol_coeffs_by_hand, {}, lambda s, n: ()),
    "savgol_smooth": (savgol_smooth, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "savgol_derivative": (savgol_derivative, {}, lambda s, n: (_f(5 * n, seed=s), 0.1 * s)),
    "moving_average_smooth": (moving_average_smooth, {}, lambda s, n: (_f(5 * n, seed=s).astype(np.float32),)),
    "normalize_spectra": (normalize_spectra, {}, lambda s, n: (_f(n, 12, seed=s),)),
    "msc_correction": (msc_correction, {}, lambda s, n: (_f(n, 12, seed=s) * 0.1 + np.linspace(0, 1, 12) * (1 + 0.1 * np.arange(n))[:, None],)),
    "first_derivative_spectra": (first_derivative_spectra, {}, lambda s, n: (np.sort(np.random.default_rng(s).random(8)), _f(n, 8, seed=s))),
    "wavenumber_conversions": (wavenumber_conversions, {}, lambda s, n: (np.linspace(200, 800, 3 * n),)),
    "raman_shift": (raman_shift, {}, lambda s, n: (532.0, np.linspace(540, 700, 3 * n))),
    "nmr_chemical_shift": (nmr_chemical_shift, {}, lambda s, n: (1000 * _f(n, seed=s), 12.0)),
    "fid_to_spectrum": (fid_to_spectrum, {}, lambda s, n: (np.exp(2j * np.pi * 5 * np.arange(8 * n) * 0.01) + 0.1 * _f(8 * n, seed=s), 0.01)),
    "phase_correction": (phase_correction, {}, lambda s, n: (_f(4 * n, seed=s) + 1j * _f(4 * n, seed=s + 1), 0.3, 0.1 * s)),
    "calibration_curve_lod": (calibration_curve_lod, {}, lambda s, n: (np.linspace(0, 10, n), 2 * np.linspace(0, 10, n) + _f(n, seed=s) * 0.1, 0.01 * _f(5, seed=s))),
    "standard_addition": (standard_addition, {}, lambda s, n: (np.linspace(0, 4, n), 1.5 + 0.5 * np.linspace(0, 4, n) + 0.01 * _f(n, seed=s))),
    "absorbance_ratio_purity": (absorbance_ratio_purity, {}, lambda s, n: (_f(10 * n, positive=True, seed=s), np.linspace(220, 320, 10 * n))),
}

KINETICS = {
    "first_order_euler": (first_order_euler, {}, lambda s, n: (1.0 * s, 0.5, 0.01 * n)),
    "consecutive_reactions_euler": (consecutive_reactions_euler, {}, lambda s, n: (1.0 + 0.1 * s, 0.5 * n)),
    "rate_equations_rk4": (rate_equations_rk4, {}, lambda s, n: (_f(3, positive=True, seed=s), _f(3, positive=True, seed=s + n))),
    "stoichiometric_rk4": (stoichiometric_rk4, {}, lambda s, n: (np.array([[-1, 0], [1, -1], [0, 1]]), _f(2, positive=True, seed=s), np.array([1, 0, 0]) * n)),
    "michaelis_menten_fit": (michaelis_menten_fit, {}, lambda s, n: (np.linspace(0.5, 10, n), 2 * np.linspace(0.5, 10, n) / (1.5 + np.linspace(0.5, 10, n)) * (1 + 0.01 * _f(n, seed=s)))),
    "arrhenius_fit": (arrhenius_fit, {}, lambda s, n: (np.linspace(300, 400, n), 1e10 * np.exp(-50000 / (8.314 * np.linspace(300, 400, n))) * (1 + 0.01 * _f(n, seed=s)))),
    "eyring_parameters": (eyring_parameters, {}, lambda s, n: (np.linspace(300, 400, n), 1e3 * np.exp(-4000 / np.linspace(300, 400, n)) * (1 + 0.01 * _f(n, seed=s)))),
    "half_life_integrated": (half_life_integrated, {}, lambda s, n: (np.linspace(0, 5, n), np.exp(-0.3 * np.linspace(0, 5, n)) * (1 + 0.01 * _f(n, seed=s)))),
    "half_life_second_order": (half_life_integrated, {"order": 2}, lambda s, n: (np.linspace(0, 5, n), 1 / (1 + 0.3 * np.linspace(0, 5, n)) * (1 + 0.01 * _f(n, seed=s)))),
    "lotka_volterra_chem": (lotka_volterra_chem, {}, lambda s, n: (1.0 + 0.1 * s, 0.5 * n)),
    "brusselator": (brusselator, {}, lambda s, n: (1.0, 2.0 + 0.1 * s + n / 10)),
    "weak_acid_ph_newton": (weak_acid_ph_newton, {}, lambda s, n: (np.logspace(-4, -1, n), 1.8e-5 * s)),
    "titration_curve": (titration_curve, {}, lambda s, n: (np.linspace(0, 40, 2 * n),)),
    "henderson_hasselbalch": (henderson_hasselbalch, {}, lambda s, n: (4.76, _f(n, positive=True, seed=s), _f(n, positive=True, seed=s + 1))),
    "speciation_fractions": (speciation_fractions, {}, lambda s, n: (np.linspace(0, 14, 3 * n), [2.15, 7.2, 12.35])),
    "equilibrium_extent_newton": (equilibrium_extent_newton, {}, lambda s, n: (np.logspace(-1, 1, n), np.array([1.0, 3.0, 0.0]), np.array([-1.0, -3.0, 2.0]))),
    "gibbs_minimization_projected": (gibbs_minimization_projected, {}, lambda s, n: (_f(4, seed=s), np.array([[1.0, 0, 1, 2], [0, 1.0, 2, 1]]), np.array([2.0, 3.0]))),
    "ideal_gas_mixture": (ideal_gas_mixture, {}, lambda s, n: (300.0, 1e5, np.full(n, 1 / n), _f(n, positive=True, seed=s) * 20)),
    "van_der_waals_pressure": (van_der_waals_pressure, {}, lambda s, n: (np.linspace(1e-4, 1e-2, 3 * n), 300.0 + s)),
    "vdw_molar_volume_newton": (vdw_molar_volume_newton, {}, lambda s, n: (np.linspace(1e5, 5e6, n), 300.0 + 10 * s)),
    "antoine_vapor_pressure": (antoine_vapor_pressure, {}, lambda s, n: (np.linspace(20, 100, n), 8.07131, 1730.63, 233.426)),
    "raoult_bubble_point": (raoult_bubble_point, {}, lambda s, n: (np.array([0.4, 0.6]) if s < 3 else np.array([0.3, 0.3, 0.4]), np.array([6.9, 6.95, 7.0])[: 2 if s < 3 else 3], np.array([1211.0, 1344.8, 1300.0])[: 2 if s < 3 else 3], np.array([220.8, 219.5, 215.0])[: 2 if s < 3 else 3])),
    "heat_capacity_shomate": (heat_capacity_shomate, {}, lambda s, n: (np.linspace(300, 1000, n), np.array([30.0, 6.8, 6.8, -2.5, 0.08]) * s)),
    "enthalpy_integral": (enthalpy_integral, {}, lambda s, n: (np.linspace(300, 1000, n), 30 + _f(n, seed=s))),
    "boltzmann_populations": (boltzmann_populations, {}, lambda s, n: (np.sort(_f(n, positive=True, seed=s)) * 500, 298.15 + s)),
    "partition_function_rotor": (partition_function_rotor, {}, lambda s, n: (1.9 + 0.1 * s, 300.0)),
    "vibrational_frequencies": (vibrational_frequencies, {}, lambda s, n: (_spd(s, 3 * n), _f(n, positive=True, seed=s) * 12)),
    "zero_point_energy": (zero_point_energy, {}, lambda s, n: (_f(3 * n, seed=s) * 1000,)),
}


@pytest.mark.parametrize("name", list(SPECTRA))
def test_spectroscopy_matches_numpy(name):
    check_like_numpy(*SPECTRA[name])


@pytest.mark.parametrize("name", list(KINETICS))
def test_kinetics_and_equilibria_match_numpy(name):
    check_like_numpy(*KINETICS[name])


# ------------------------------------------------------------ statistical physics, agent models


def _spins(s, n):
    return np.where(np.random.default_rng(s).random((n, n)) < 0.5, -1, 1)


def ising_energy_roll(spins, J=1.0, h=0.0):
    nb = np.roll(spins, 1, axis=0) + np.roll(spins, 1, axis=1)
    return -J * np.sum(spins * nb) - h * np.sum(spins), spins.mean()


def ising_energy_loops(s):
    L = s.shape[0]
    E = 0
    for i in range(L):
        for j in range(L):
            E -= s[i, j] * (s[(i + 1) % L, j] + s[i, (j + 1) % L])
    return E


def ising_local_field(spins):
    return spins * (np.roll(spins, 1, 0) + np.roll(spins, -1, 0) + np.roll(spins, 1, 1) + np.roll(spins, -1, 1))


def ising_checkerboard_sweep(rng, spins, beta=0.44, n_sweeps=3):
    L = spins.shape[0]
    i, j = np.indices((L, L))
    for _ in range(n_sweeps):
        for parity in (0, 1):
            mask = (i + j) % 2 == parity
            nb = np.roll(spins, 1, 0) + np.roll(spins, -1, 0) + np.roll(spins, 1, 1) + np.roll(spins, -1, 1)
            dE = 2 * spins * nb
            accept = (rng.random((L, L)) < np.exp(-beta * dE)) & mask
            spins[accept] *= -1
    return spins.mean(), spins


def ising_checkerboard_where(rng, spins, beta=0.3, n_sweeps=4):
    L = spins.shape[0]
    checker = np.add.outer(np.arange(L), np.arange(L)) % 2
    mags = np.zeros(n_sweeps)
    for t in range(n_sweeps):
        for c in (0, 1):
            nb = sum(np.roll(spins, s, a) for s in (1, -1) for a in (0, 1))
            dE = 2 * spins * nb
            flip = (checker == c) & (np.log(rng.random(spins.shape)) < -beta * dE)
            spins = np.where(flip, -spins, spins)
        mags[t] = np.abs(spins.mean())
    return mags, spins


def ising_single_flip_metropolis(rng, spins, beta=0.5, n_steps=50):
    L = spins.shape[0]
    for _ in range(n_steps):
        i, j = rng.integers(0, L, size=2)
        nb = spins[(i + 1) % L, j] + spins[(i - 1) % L, j] + spins[i, (j + 1) % L] + spins[i, (j - 1) % L]
        dE = 2 * spins[i, j] * nb
        flip = rng.random() < np.exp(-beta * dE)
        spins[i, j] = np.where(flip, -spins[i, j], spins[i, j])
    return spins


def ising_heat_bath(rng, spins, beta=0.4, n_sweeps=2):
    L = spins.shape[0]
    even = (np.indices((L, L)).sum(0) % 2) == 0
    for _ in range(n_sweeps):
        for m in (even, ~even):
            h = np.roll(spins, 1, 0) + np.roll(spins, -1, 0) + np.roll(spins, 1, 1) + np.roll(spins, -1, 1)
            p_up = 1 / (1 + np.exp(-2 * beta * h))
            new = np.where(rng.random((L, L)) < p_up, 1, -1)
            spins = np.where(m, new, spins)
    return spins


def ising_1d_transfer_matrix(beta, J=1.0, h=0.0, N=10):
    T = np.array([[np.exp(beta * (J + h)), np.exp(-beta * J)], [np.exp(-beta * J), np.exp(beta * (J - h))]])
    lam = np.linalg.eigvalsh(T)
    Z = np.sum(lam ** N)
    return np.log(Z) / N, lam[-1]


def ising_observables(E_samples, M_samples, beta, N):
    Cv = beta ** 2 * (np.mean(E_samples ** 2) - np.mean(E_samples) ** 2) / N
    chi = beta * (np.mean(M_samples ** 2) - np.mean(np.abs(M_samples)) ** 2) / N
    binder = 1 - np.mean(M_samples ** 4) / (3 * np.mean(M_samples ** 2) ** 2)
    return Cv, chi, binder


def ising_acceptance_table(spins, beta):
    table = np.exp(-2 * beta * np.arange(-4, 5))
    nb = np.roll(spins, 1, 0) + np.roll(spins, -1, 0) + np.roll(spins, 1, 1) + np.roll(spins, -1, 1)
    k = spins * nb + 4
    return table[k]


def potts_energy(q_state, J=1.0):
    right = q_state == np.roll(q_state, -1, axis=1)
    down = q_state == np.roll(q_state, -1, axis=0)
    return -J * (right.sum() + down.sum())


def xy_model_energy(theta):
    return -np.sum(np.cos(theta - np.roll(theta, 1, 0)) + np.cos(theta - np.roll(theta, 1, 1)))


def xy_vorticity(theta):
    def wrap(a):
        return (a + np.pi) % (2 * np.pi) - np.pi

    d1 = wrap(np.roll(theta, -1, 1) - theta)
    d2 = wrap(np.roll(np.roll(theta, -1, 1), -1, 0) - np.roll(theta, -1, 1))
    d3 = wrap(np.roll(theta, -1, 0) - np.roll(np.roll(theta, -1, 1), -1, 0))
    d4 = wrap(theta - np.roll(theta, -1, 0))
    return np.rint((d1 + d2 + d3 + d4) / (2 * np.pi)).astype(int)


def spin_correlation(spins):
    L = spins.shape[0]
    c = np.zeros(L // 2)
    for r in range(L // 2):
        c[r] = np.mean(spins * np.roll(spins, r, axis=1))
    return c - spins.mean() ** 2


def spin_correlation_fft(spins):
    f = np.fft.fft2(spins - spins.mean())
    return np.fft.ifft2(f * np.conj(f)).real / spins.size


def game_of_life_roll(grid, steps=3):
    for _ in range(steps):
        n = sum(np.roll(np.roll(grid, i, 0), j, 1) for i in (-1, 0, 1) for j in (-1, 0, 1) if (i != 0 or j != 0))
        grid = ((n == 3) | ((grid == 1) & (n == 2))).astype(int)
    return grid


def game_of_life_slicing(Z):
    N = (Z[0:-2, 0:-2] + Z[0:-2, 1:-1] + Z[0:-2, 2:] + Z[1:-1, 0:-2] + Z[1:-1, 2:] + Z[2:, 0:-2] + Z[2:, 1:-1] + Z[2:, 2:])
    birth = (N == 3) & (Z[1:-1, 1:-1] == 0)
    survive = ((N == 2) | (N == 3)) & (Z[1:-1, 1:-1] == 1)
    Z[...] = 0
    Z[1:-1, 1:-1][birth | survive] = 1
    return Z


def game_of_life_pad(grid):
    p = np.pad(grid, 1)
    n = np.zeros_like(grid)
    for dy in range(3):
        for dx in range(3):
            if dy == 1 and dx == 1:
                continue
            n += p[dy:dy + grid.shape[0], dx:dx + grid.shape[1]]
    return np.where((n == 3) | ((n == 2) & (grid > 0)), 1, 0).astype(grid.dtype)


def life_rule_table(grid, steps=2):
    rule = np.zeros((2, 9), dtype=np.uint8)
    rule[0, 3] = 1
    rule[1, 2] = rule[1, 3] = 1
    for _ in range(steps):
        n = sum(np.roll(grid, (i, j), axis=(0, 1)) for i in (-1, 0, 1) for j in (-1, 0, 1)) - grid
        grid = rule[grid, n]
    return grid


def life_bool_grid(alive):
    n = np.zeros(alive.shape, dtype=np.int8)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy or dx:
                n += np.roll(alive, (dy, dx), (0, 1))
    return (n == 3) | (alive & (n == 2))


def elementary_ca(cells, rule=30, steps=8):
    table = np.array([(rule >> i) & 1 for i in range(8)], dtype=np.uint8)
    hist = np.zeros((steps + 1, len(cells)), dtype=np.uint8)
    hist[0] = cells
    for t in range(steps):
        idx = 4 * np.roll(cells, 1) + 2 * cells + np.roll(cells, -1)
        cells = table[idx]
        hist[t + 1] = cells
    return hist


def elementary_ca_binary_repr(cells, rule=110, steps=6):
    bits = np.array([int(b) for b in np.binary_repr(rule, width=8)][::-1])
    for _ in range(steps):
        left = np.concatenate([[0], cells[:-1]])
        right = np.concatenate([cells[1:], [0]])
        cells = bits[left * 4 + cells * 2 + right]
    return cells


def totalistic_ca(grid, birth=(3,), survive=(2, 3)):
    n = sum(np.roll(grid, (i, j), (0, 1)) for i in (-1, 0, 1) for j in (-1, 0, 1)) - grid
    born = np.isin(n, birth) & (grid == 0)
    stay = np.isin(n, survive) & (grid == 1)
    return (born | stay).astype(grid.dtype)


def greenberg_hastings(state, n_states=4, steps=5):
    for _ in range(steps):
        excited = state == 1
        nb = np.roll(excited, 1, 0) | np.roll(excited, -1, 0) | np.roll(excited, 1, 1) | np.roll(excited, -1, 1)
        new = np.where(state > 0, (state + 1) % n_states, 0)
        new[(state == 0) & nb] = 1
        state = new
    return state


def forest_fire(rng, grid, p=0.05, f=0.001, steps=3):
    EMPTY, TREE, FIRE = 0, 1, 2
    for _ in range(steps):
        burning_nb = np.zeros(grid.shape, dtype=bool)
        for ax in (0, 1):
            for sh in (1, -1):
                burning_nb |= np.roll(grid == FIRE, sh, ax)
        r = rng.random(grid.shape)
        new = grid.copy()
        new[grid == FIRE] = EMPTY
        new[(grid == TREE) & (burning_nb | (r < f))] = FIRE
        new[(grid == EMPTY) & (r < p)] = TREE
        grid = new
    return grid


def sandpile_fixed_topples(grid, n_topple=20):
    g = grid.copy()
    for _ in range(n_topple):
        unstable = g >= 4
        t = unstable.astype(g.dtype)
        g -= 4 * t
        g[1:, :] += t[:-1, :]
        g[:-1, :] += t[1:, :]
        g[:, 1:] += t[:, :-1]
        g[:, :-1] += t[:, 1:]
    return g, (g >= 4).sum()


def sandpile_add_grains(rng, grid, n_grains=10, n_relax=15):
    L = grid.shape[0]
    sizes = np.zeros(n_grains, dtype=int)
    for k in range(n_grains):
        i, j = rng.integers(L), rng.integers(L)
        grid[i, j] += 1
        for _ in range(n_relax):
            top = grid >= 4
            sizes[k] += top.sum()
            p = np.pad(top.astype(int), 1)
            grid = grid - 4 * top + p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:]
    return grid, sizes


def sandpile_while(grid):
    while (grid >= 4).any():
        top = grid >= 4
        grid = grid - 4 * top
        grid[1:] += top[:-1]
        grid[:-1] += top[1:]
        grid[:, 1:] += top[:, :-1]
        grid[:, :-1] += top[:, 1:]
    return grid


def percolation_sites(rng, L, p):
    return rng.random((L, L)) < p


def percolation_label_propagation(open_sites, n_iter=30):
    L = open_sites.shape[0]
    labels = np.where(open_sites, np.arange(L * L).reshape(L, L) + 1, 0)
    for _ in range(n_iter):
        m = labels.copy()
        m[1:] = np.maximum(m[1:], labels[:-1])
        m[:-1] = np.maximum(m[:-1], labels[1:])
        m[:, 1:] = np.maximum(m[:, 1:], labels[:, :-1])
        m[:, :-1] = np.maximum(m[:, :-1], labels[:, 1:])
        labels = np.where(open_sites, m, 0)
    spans = np.any((labels[0][:, None] == labels[-1][None, :]) & (labels[0][:, None] > 0))
    return labels, spans


def percolation_flood_fill(open_sites, n_iter=40):
    wet = np.zeros_like(open_sites)
    wet[0] = open_sites[0]
    for _ in range(n_iter):
        grow = wet.copy()
        grow[1:] |= wet[:-1]
        grow[:-1] |= wet[1:]
        grow[:, 1:] |= wet[:, :-1]
        grow[:, :-1] |= wet[:, 1:]
        wet = grow & open_sites
    return wet[-1].any(), wet.sum() / open_sites.sum()


def percolation_probability(rng, L=6, ps=(0.3, 0.6, 0.9), trials=5, n_iter=20):
    out = np.zeros(len(ps))
    for k, p in enumerate(ps):
        hits = 0
        for _ in range(trials):
            grid = rng.random((L, L)) < p
            wet = grid[0].copy()
            for row in range(1, L):
                wet = grid[row] & wet
                for _ in range(3):
                    wet = wet | (grid[row] & (np.roll(wet, 1) | np.roll(wet, -1)))
            hits += wet.any()
        out[k] = hits / trials
    return out


def random_walk_1d(rng, n_steps=100, n_walkers=5):
    steps = rng.choice([-1, 1], size=(n_walkers, n_steps))
    pos = np.cumsum(steps, axis=1)
    return pos, np.mean(pos[:, -1] ** 2)


def random_walk_2d_lattice(rng, n_steps=50):
    moves = np.array([[1, 0], [-1, 0], [0, 1], [0, -1]])
    idx = rng.integers(0, 4, n_steps)
    path = np.vstack([np.zeros((1, 2), int), np.cumsum(moves[idx], axis=0)])
    return path, np.abs(path).max()


def random_walk_loop(rng, n_steps=40):
    x = np.zeros(n_steps + 1)
    for i in range(n_steps):
        x[i + 1] = x[i] + np.where(rng.random() < 0.5, 1.0, -1.0)
    return x


def random_walk_gaussian_msd(rng, n_walkers=20, n_steps=30, D=0.5, dt=0.1):
    steps = rng.normal(0, np.sqrt(2 * D * dt), size=(n_walkers, n_steps, 2))
    traj = np.cumsum(steps, axis=1)
    msd = np.mean(np.sum(traj ** 2, axis=2), axis=0)
    return msd, np.polyfit(dt * np.arange(1, n_steps + 1), msd, 1)[0] / 4


def brownian_langevin(rng, x0, gamma=1.0, kT=1.0, dt=0.01, n=50):
    x = x0.copy()
    traj = np.empty((n,) + x.shape)
    for t in range(n):
        force = -x
        x += force / gamma * dt + np.sqrt(2 * kT / gamma * dt) * rng.standard_normal(x.shape)
        traj[t] = x
    return traj


def random_walk_if(rng, n_steps=40):
    x = np.zeros(n_steps + 1)
    for i in range(n_steps):
        x[i + 1] = x[i] + (1 if rng.random() < 0.5 else -1)
    return x


def dla_until_stuck(rng, grid, start):
    L = grid.shape[0]
    pos = start.copy()
    moves = np.array([[0, 1], [0, -1], [1, 0], [-1, 0]])
    while not grid[(pos[0] + 1) % L, pos[1]] and not grid[(pos[0] - 1) % L, pos[1]]:
        pos = (pos + moves[rng.integers(4)]) % L
    grid[pos[0], pos[1]] = True
    return grid


def schelling_relocate(rng, city, threshold=0.4):
    unhappy = np.argwhere(schelling_unhappy(city, threshold))
    empty = np.argwhere(city == 0)
    for (i, j) in unhappy:
        k = rng.integers(len(empty))
        city[tuple(empty[k])], city[i, j] = city[i, j], 0
        empty[k] = (i, j)
    return city


def self_avoiding_check(path):
    d = np.abs(path[:, None, :] - path[None, :, :]).sum(-1)
    iu = np.triu_indices(len(path), 1)
    return np.all(d[iu] > 0), np.sum(d[iu] == 0)


def end_to_end_distance(paths):
    return np.sqrt(np.mean(np.sum((paths[:, -1] - paths[:, 0]) ** 2, axis=-1)))


def gambler_ruin(rng, start, goal=10, p=0.5, n_games=20, n_steps=100):
    money = np.full(n_games, start)
    done = np.zeros(n_games, dtype=bool)
    for _ in range(n_steps):
        step = np.where(rng.random(n_games) < p, 1, -1)
        money = np.where(done, money, money + step)
        done |= (money <= 0) | (money >= goal)
    return np.mean(money >= goal), money


def dla_step(rng, grid, walkers, n_moves=5):
    L = grid.shape[0]
    moves = np.array([[0, 1], [0, -1], [1, 0], [-1, 0]])
    for _ in range(n_moves):
        walkers = (walkers + moves[rng.integers(0, 4, len(walkers))]) % L
        stuck = (grid[(walkers[:, 0] + 1) % L, walkers[:, 1]] | grid[(walkers[:, 0] - 1) % L, walkers[:, 1]] | grid[walkers[:, 0], (walkers[:, 1] + 1) % L] | grid[walkers[:, 0], (walkers[:, 1] - 1) % L])
        grid[walkers[stuck, 0], walkers[stuck, 1]] = True
    return grid, walkers


def schelling_unhappy(city, threshold=0.5):
    same = np.zeros(city.shape)
    occupied = np.zeros(city.shape)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy == 0 and dx == 0:
                continue
            nb = np.roll(np.roll(city, dy, 0), dx, 1)
            same += (nb == city) & (city > 0)
            occupied += nb > 0
    frac = np.divide(same, occupied, out=np.zeros_like(same), where=occupied > 0)
    return (city > 0) & (frac < threshold)


def schelling_step(rng, city, threshold=0.4):
    unhappy = schelling_unhappy(city, threshold)
    empty = city == 0
    movers = city[unhappy]
    return unhappy.sum(), empty.sum(), rng.random()


def lotka_volterra_euler(x0, y0, a=1.1, b=0.4, c=0.4, d=0.1, dt=0.01, n=500):
    xs, ys = [x0], [y0]
    x, y = x0, y0
    for _ in range(n):
        x, y = x + dt * (a * x - b * x * y), y + dt * (d * x * y - c * y)
        xs.append(x)
        ys.append(y)
    return np.array(xs), np.array(ys)


def lotka_volterra_rk4_vec(z0, params, dt=0.05, n=100):
    a, b, c, d = params

    def f(z):
        return np.array([a * z[0] - b * z[0] * z[1], d * z[0] * z[1] - c * z[1]])

    out = np.zeros((n + 1, 2))
    out[0] = z = z0
    for i in range(n):
        k1 = f(z)
        k2 = f(z + 0.5 * dt * k1)
        k3 = f(z + 0.5 * dt * k2)
        k4 = f(z + dt * k3)
        z = z + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out[i + 1] = z
    return out


def lotka_volterra_stochastic(rng, prey, pred, n_steps=30, dt=0.01):
    for _ in range(n_steps):
        births = rng.poisson(1.0 * prey * dt)
        eaten = rng.poisson(0.02 * prey * pred * dt)
        deaths = rng.poisson(0.5 * pred * dt)
        prey = np.maximum(prey + births - eaten, 0)
        pred = np.maximum(pred + eaten - deaths, 0)
    return prey, pred


def logistic_map_bifurcation(r, x0=0.5, n_transient=100, n_keep=20):
    x = np.full_like(r, x0)
    for _ in range(n_transient):
        x = r * x * (1 - x)
    out = np.empty((n_keep, len(r)))
    for i in range(n_keep):
        x = r * x * (1 - x)
        out[i] = x
    return out


def lyapunov_logistic(r, n=200):
    x = 0.4 * np.ones_like(r)
    lyap = np.zeros_like(r)
    for _ in range(n):
        x = r * x * (1 - x)
        lyap += np.log(np.abs(r - 2 * r * x))
    return lyap / n


def sir_lattice(rng, state, beta=0.3, gamma=0.1, steps=4):
    S, I, R = 0, 1, 2
    for _ in range(steps):
        inf = state == I
        n_inf = inf.astype(int)
        n_inf = np.roll(n_inf, 1, 0) + np.roll(n_inf, -1, 0) + np.roll(n_inf, 1, 1) + np.roll(n_inf, -1, 1)
        p_inf = 1 - (1 - beta) ** n_inf
        r = rng.random(state.shape)
        new = state.copy()
        new[(state == S) & (r < p_inf)] = I
        new[inf & (r < gamma)] = R
        state = new
    return np.bincount(state.ravel(), minlength=3)


# ---------------------------------------------------------------------------- lattice Boltzmann

_C = np.array([[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1], [1, 1], [-1, 1], [-1, -1], [1, -1]])
_W = np.array([4 / 9] + [1 / 9] * 4 + [1 / 36] * 4)
_OPP = np.array([0, 3, 4, 1, 2, 7, 8, 5, 6])


def lbm_equilibrium(rho, ux, uy):
    cu = 3 * (_C[:, 0, None, None] * ux + _C[:, 1, None, None] * uy)
    usq = 1.5 * (ux ** 2 + uy ** 2)
    return rho * _W[:, None, None] * (1 + cu + 0.5 * cu ** 2 - usq)


def lbm_macroscopic(f):
    rho = f.sum(axis=0)
    ux = np.einsum("i,ixy->xy", _C[:, 0], f) / rho
    uy = np.einsum("i,ixy->xy", _C[:, 1], f) / rho
    return rho, ux, uy


def lbm_stream_roll(f):
    for i in range(9):
        f[i] = np.roll(np.roll(f[i], _C[i, 0], axis=0), _C[i, 1], axis=1)
    return f


def lbm_stream_roll_tuple(f):
    return np.array([np.roll(f[i], tuple(_C[i]), axis=(0, 1)) for i in range(9)])


def lbm_bgk_step(f, tau=0.6, n_steps=3):
    for _ in range(n_steps):
        rho = np.sum(f, axis=0)
        ux = np.sum(f * _C[:, 0, None, None], axis=0) / rho
        uy = np.sum(f * _C[:, 1, None, None], axis=0) / rho
        feq = lbm_equilibrium(rho, ux, uy)
        f = f - (f - feq) / tau
        for i in range(9):
            f[i] = np.roll(f[i], _C[i], axis=(0, 1))
    return f


def lbm_bounce_back(f, obstacle, tau=0.7, n_steps=3):
    for _ in range(n_steps):
        rho, ux, uy = lbm_macroscopic(f)
        feq = lbm_equilibrium(rho, ux, uy)
        fout = f - (f - feq) / tau
        fout[:, obstacle] = f[_OPP][:, obstacle]
        for i in range(9):
            f[i] = np.roll(fout[i], (_C[i, 0], _C[i, 1]), axis=(0, 1))
    return f, np.where(obstacle, 0, ux)


def lbm_bounce_back_loop(f, obstacle):
    bnd = f[:, obstacle]
    bnd = bnd[_OPP, :]
    f[:, obstacle] = bnd
    return f


def lbm_channel_flow(f, tau=0.8, force=1e-5, n_steps=4):
    ny = f.shape[2]
    wall = np.zeros(f.shape[1:], dtype=bool)
    wall[:, 0] = wall[:, -1] = True
    for _ in range(n_steps):
        rho = f.sum(0)
        ux = (f * _C[:, 0, None, None]).sum(0) / rho + tau * force / rho
        uy = (f * _C[:, 1, None, None]).sum(0) / rho
        f += -(f - lbm_equilibrium(rho, ux, uy)) / tau
        f = np.stack([np.roll(f[i], tuple(_C[i]), axis=(0, 1)) for i in range(9)])
        f[:, wall] = f[:, wall][_OPP]
    return ux[f.shape[1] // 2], rho.sum()


def lbm_vorticity(ux, uy):
    return (np.roll(uy, -1, axis=0) - np.roll(uy, 1, axis=0)) - (np.roll(ux, -1, axis=1) - np.roll(ux, 1, axis=1))


def lbm_zou_he_inlet(f, u_in):
    rho = (f[0, 0] + f[2, 0] + f[4, 0] + 2 * (f[3, 0] + f[6, 0] + f[7, 0])) / (1 - u_in)
    f[1, 0] = f[3, 0] + 2 / 3 * rho * u_in
    f[5, 0] = f[7, 0] - 0.5 * (f[2, 0] - f[4, 0]) + rho * u_in / 6
    f[8, 0] = f[6, 0] + 0.5 * (f[2, 0] - f[4, 0]) + rho * u_in / 6
    return f, rho


# --------------------------------------------------------------------- diffusion, reaction-diffusion


def diffusion_explicit(u, D=0.2, steps=10):
    for _ in range(steps):
        u[1:-1, 1:-1] += D * (u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2] - 4 * u[1:-1, 1:-1])
    return u


def gray_scott(U, V, Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=5):
    for _ in range(steps):
        Lu = np.roll(U, 1, 0) + np.roll(U, -1, 0) + np.roll(U, 1, 1) + np.roll(U, -1, 1) - 4 * U
        Lv = np.roll(V, 1, 0) + np.roll(V, -1, 0) + np.roll(V, 1, 1) + np.roll(V, -1, 1) - 4 * V
        uvv = U * V * V
        U += Du * Lu - uvv + F * (1 - U)
        V += Dv * Lv + uvv - (F + k) * V
    return U, V


def cahn_hilliard_step(c, dt=0.01, gamma=0.5, steps=3):
    def lap(a):
        return np.roll(a, 1, 0) + np.roll(a, -1, 0) + np.roll(a, 1, 1) + np.roll(a, -1, 1) - 4 * a

    for _ in range(steps):
        mu = c ** 3 - c - gamma * lap(c)
        c = c + dt * lap(mu)
    return c, c.mean()


def crank_nicolson_1d(u, r=0.5, steps=5):
    n = len(u)
    A = np.diag(np.full(n, 1 + r)) - np.diag(np.full(n - 1, r / 2), 1) - np.diag(np.full(n - 1, r / 2), -1)
    B = np.diag(np.full(n, 1 - r)) + np.diag(np.full(n - 1, r / 2), 1) + np.diag(np.full(n - 1, r / 2), -1)
    for _ in range(steps):
        u = np.linalg.solve(A, B @ u)
    return u


def kmc_rates_selection(rng, rates, n_events=10):
    t = 0.0
    counts = np.zeros(len(rates), dtype=int)
    for _ in range(n_events):
        R = np.cumsum(rates)
        k = np.searchsorted(R, rng.random() * R[-1])
        counts[k] += 1
        t += -np.log(rng.random()) / R[-1]
    return counts, t


def gillespie_decay(rng, n0=50, k=0.3, n_events=30):
    n = n0
    t = 0.0
    ts = np.zeros(n_events)
    ns = np.zeros(n_events, dtype=int)
    for i in range(n_events):
        a = k * n
        t = t + rng.exponential(1 / np.maximum(a, 1e-12))
        n = np.maximum(n - 1, 0)
        ts[i], ns[i] = t, n
    return ts, ns


STATPHYS = {
    "ising_energy_roll": (ising_energy_roll, {}, lambda s, n: (_spins(s, n),)),
    "ising_energy_roll_int8": (ising_energy_roll, {}, lambda s, n: (_spins(s, n).astype(np.int8), 1, 0.1)),
    "ising_energy_loops": (ising_energy_loops, {}, lambda s, n: (_spins(s, n),)),
    "ising_local_field": (ising_local_field, {}, lambda s, n: (_spins(s, n).astype(np.int8),)),
    "ising_1d_transfer_matrix": (ising_1d_transfer_matrix, {}, lambda s, n: (0.2 * s, 1.0, 0.1)),
    "ising_observables": (ising_observables, {}, lambda s, n: (_f(10 * n, seed=s) - 2, _f(10 * n, seed=s + 1), 0.4, 16)),
    "ising_acceptance_table": (ising_acceptance_table, {}, lambda s, n: (_spins(s, n), 0.44)),
    "potts_energy": (potts_energy, {}, lambda s, n: (_i(3, n, n, seed=s),)),
    "xy_model_energy": (xy_model_energy, {}, lambda s, n: (2 * np.pi * np.random.default_rng(s).random((n, n)),)),
    "xy_vorticity": (xy_vorticity, {}, lambda s, n: (2 * np.pi * np.random.default_rng(s).random((n, n)),)),
    "spin_correlation": (spin_correlation, {}, lambda s, n: (_spins(s, n),)),
    "spin_correlation_fft": (spin_correlation_fft, {}, lambda s, n: (_spins(s, n),)),
    "game_of_life_roll": (game_of_life_roll, {}, lambda s, n: (_i(2, n + 2, n + 2, seed=s),)),
    "game_of_life_slicing": (game_of_life_slicing, {}, lambda s, n: (_i(2, n + 2, n + 2, seed=s),)),
    "game_of_life_pad": (game_of_life_pad, {}, lambda s, n: (_i(2, n + 2, n + 2, seed=s).astype(np.uint8),)),
    "life_rule_table": (life_rule_table, {}, lambda s, n: (_i(2, n + 2, n + 2, seed=s),)),
    "life_bool_grid": (life_bool_grid, {}, lambda s, n: (_i(2, n + 2, n + 2, seed=s).astype(bool),)),
    "elementary_ca": (elementary_ca, {}, lambda s, n: (_i(2, 4 * n, seed=s).astype(np.uint8),)),
    "elementary_ca_90": (elementary_ca, {"rule": 90}, lambda s, n: (_i(2, 4 * n, seed=s),)),
    "elementary_ca_binary_repr": (elementary_ca_binary_repr, {}, lambda s, n: (_i(2, 4 * n, seed=s),)),
    "totalistic_ca": (totalistic_ca, {}, lambda s, n: (_i(2, n + 2, n + 2, seed=s),)),
    "greenberg_hastings": (greenberg_hastings, {}, lambda s, n: (_i(4, n + 2, n + 2, seed=s),)),
    "sandpile_fixed_topples": (sandpile_fixed_topples, {}, lambda s, n: (_i(7, n + 2, n + 2, seed=s),)),
    "percolation_label_propagation": (percolation_label_propagation, {}, lambda s, n: (np.random.default_rng(s).random((n + 2, n + 2)) < 0.6,)),
    "percolation_flood_fill": (percolation_flood_fill, {}, lambda s, n: (np.random.default_rng(s).random((n + 2, n + 2)) < 0.6,)),
    "self_avoiding_check": (self_avoiding_check, {}, lambda s, n: (np.cumsum(np.array([[1, 0], [0, 1], [-1, 0], [0, -1]])[_i(4, 3 * n, seed=s)], axis=0),)),
    "end_to_end_distance": (end_to_end_distance, {}, lambda s, n: (np.cumsum(_f(5, 3 * n, 2, seed=s), axis=1),)),
    "schelling_unhappy": (schelling_unhappy, {}, lambda s, n: (_i(3, n + 2, n + 2, seed=s),)),
    "lotka_volterra_euler": (lotka_volterra_euler, {}, lambda s, n: (10.0 + s, 5.0)),
    "lotka_volterra_euler_arrays": (lotka_volterra_euler, {}, lambda s, n: (10.0 + _f(n, positive=True, seed=s), 5.0 + _f(n, positive=True, seed=s + 1))),
    "lotka_volterra_rk4_vec": (lotka_volterra_rk4_vec, {}, lambda s, n: (np.array([10.0, 5.0 + s]), (1.1, 0.4, 0.4, 0.1))),
    "logistic_map_bifurcation": (logistic_map_bifurcation, {}, lambda s, n: (np.linspace(2.5, 4.0, 5 * n),)),
    "lyapunov_logistic": (lyapunov_logistic, {}, lambda s, n: (np.linspace(2.5, 3.99, 5 * n),)),
    "lbm_equilibrium": (lbm_equilibrium, {}, lambda s, n: (1 + 0.01 * _f(n, n + 1, seed=s), 0.05 * _f(n, n + 1, seed=s + 1), 0.05 * _f(n, n + 1, seed=s + 2))),
    "lbm_macroscopic": (lbm_macroscopic, {}, lambda s, n: (_W[:, None, None] * (1 + 0.1 * _f(9, n, n + 1, seed=s)),)),
    "lbm_stream_roll": (lbm_stream_roll, {}, lambda s, n: (_f(9, n, n + 1, seed=s),)),
    "lbm_stream_roll_tuple": (lbm_stream_roll_tuple, {}, lambda s, n: (_f(9, n, n + 1, seed=s),)),
    "lbm_bgk_step": (lbm_bgk_step, {}, lambda s, n: (_W[:, None, None] * (1 + 0.1 * _f(9, n, n + 1, seed=s)),)),
    "lbm_bounce_back": (lbm_bounce_back, {}, lambda s, n: (_W[:, None, None] * (1 + 0.1 * _f(9, n, n + 1, seed=s)), np.random.default_rng(s).random((n, n + 1)) < 0.2)),
    "lbm_bounce_back_loop": (lbm_bounce_back_loop, {}, lambda s, n: (_f(9, n, n + 1, seed=s), np.random.default_rng(s).random((n, n + 1)) < 0.3)),
    "lbm_channel_flow": (lbm_channel_flow, {}, lambda s, n: (_W[:, None, None] * (1 + 0.01 * _f(9, n, n + 1, seed=s)),)),
    "lbm_vorticity": (lbm_vorticity, {}, lambda s, n: (_f(n, n + 1, seed=s), _f(n, n + 1, seed=s + 1))),
    "lbm_zou_he_inlet": (lbm_zou_he_inlet, {}, lambda s, n: (_W[:, None, None] * (1 + 0.01 * _f(9, n, n + 1, seed=s)), 0.05)),
    "diffusion_explicit": (diffusion_explicit, {}, lambda s, n: (_f(n + 2, n + 3, seed=s),)),
    "gray_scott": (gray_scott, {}, lambda s, n: (1 - 0.1 * np.random.default_rng(s).random((n, n)), 0.1 * np.random.default_rng(s + 1).random((n, n)))),
    "gray_scott_f32": (gray_scott, {}, lambda s, n: ((1 - 0.1 * np.random.default_rng(s).random((n, n))).astype(np.float32), (0.1 * np.random.default_rng(s + 1).random((n, n))).astype(np.float32))),
    "cahn_hilliard_step": (cahn_hilliard_step, {}, lambda s, n: (0.1 * _f(n, n, seed=s),)),
    "crank_nicolson_1d": (crank_nicolson_1d, {}, lambda s, n: (np.sin(np.linspace(0, np.pi, 3 * n)),)),
}


@pytest.mark.parametrize("name", list(STATPHYS))
def test_statistical_physics_and_automata_match_numpy(name):
    check_like_numpy(*STATPHYS[name])


def _spins_arg(s):
    return _spins(s, 6)


SIMULATIONS = [
    (ising_checkerboard_sweep, lambda: (_spins(3, 6),)),
    (ising_checkerboard_where, lambda: (_spins(3, 6),)),
    (ising_single_flip_metropolis, lambda: (_spins(3, 5),)),
    (ising_heat_bath, lambda: (_spins(3, 6),)),
    (forest_fire, lambda: (_i(3, 6, 6, seed=3),)),
    (sandpile_add_grains, lambda: (_i(4, 5, 5, seed=3),)),
    (percolation_sites, lambda: (5, 0.6)),
    (percolation_probability, lambda: ()),
    (random_walk_1d, lambda: ()),
    (random_walk_2d_lattice, lambda: ()),
    (random_walk_loop, lambda: ()),
    (random_walk_gaussian_msd, lambda: ()),
    (brownian_langevin, lambda: (_f(4, 2, seed=3),)),
    (gambler_ruin, lambda: (5,)),
    (dla_step, lambda: (np.eye(6, dtype=bool), _i(6, 8, 2, seed=3))),
    (schelling_step, lambda: (_i(3, 6, 6, seed=3),)),
    (lotka_volterra_stochastic, lambda: (np.array([40, 50]), np.array([9, 12]))),
    (sir_lattice, lambda: (np.where(_i(20, 6, 6, seed=3) == 0, 1, 0),)),
    (kmc_rates_selection, lambda: (_f(4, positive=True, seed=3),)),
    (gillespie_decay, lambda: ()),
]


@pytest.mark.parametrize("fn, args", SIMULATIONS, ids=[f.__name__ for f, _ in SIMULATIONS])
def test_simulations_with_a_generator_argument(fn, args):
    """Ising Metropolis and heat-bath sweeps, forest fires, sandpiles, percolation trials,
    random walks, Langevin dynamics, DLA, Schelling, stochastic Lotka-Volterra, lattice SIR,
    kinetic Monte Carlo and Gillespie draw from the generator they are given: NumPy's draws
    and values over three calls, the arguments they write, and the generator's state."""
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn)
    for _ in range(3):
        want_args, got_args = args(), args()
        assert_same(jf(got_rng, *got_args), fn(want_rng, *want_args), rtol=1e-6)
        for got, want in zip(got_args, want_args):
            if isinstance(want, np.ndarray):
                assert_same(got, want)
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


# ----------------------------------------------------------- linear algebra and grids by hand

_SX = np.array([[0, 1], [1, 0]], dtype=complex)
_SY = np.array([[0, -1j], [1j, 0]])
_SZ = np.array([[1, 0], [0, -1]], dtype=complex)


def heisenberg_chain_kron(J, n=4):
    def site_op(op, i):
        out = np.array([[1.0 + 0j]])
        for k in range(n):
            out = np.kron(out, op if k == i else np.eye(2))
        return out

    H = np.zeros((2 ** n, 2 ** n), dtype=complex)
    for i in range(n - 1):
        for s in (_SX, _SY, _SZ):
            H += J * site_op(s, i) @ site_op(s, i + 1) / 4
    E = np.linalg.eigvalsh(H)
    return E[:3], E[0] / n


def transverse_ising_exact(h, n=3):
    dim = 2 ** n
    H = np.zeros((dim, dim))
    states = (np.arange(dim)[:, None] >> np.arange(n)[::-1]) & 1
    spins = 1 - 2 * states
    H[np.arange(dim), np.arange(dim)] = -np.sum(spins[:, :-1] * spins[:, 1:], axis=1)
    for i in range(n):
        flipped = np.arange(dim) ^ (1 << (n - 1 - i))
        H[np.arange(dim), flipped] -= h
    w, v = np.linalg.eigh(H)
    return w[0], np.abs(v[:, 0]) ** 2


def time_evolution_eigh(H, psi0, times):
    E, V = np.linalg.eigh(H)
    c = V.conj().T @ psi0
    psi_t = np.array([V @ (np.exp(-1j * E * t) * c) for t in times])
    return np.abs(psi_t) ** 2


def rabi_oscillation(omega, delta, t):
    H = 0.5 * np.array([[delta, omega], [omega, -delta]])
    E, V = np.linalg.eigh(H)
    U = np.einsum("ij,tj,kj->tik", V, np.exp(-1j * np.outer(t, E)), V.conj())
    return np.abs(U[:, 1, 0]) ** 2


def density_matrix_purity(psi):
    rho = np.outer(psi, psi.conj())
    rho /= np.trace(rho)
    return np.real(np.trace(rho @ rho)), np.linalg.eigvalsh(rho)


def partial_trace_two_qubits(psi):
    rho = np.outer(psi, psi.conj()).reshape(2, 2, 2, 2)
    rho_a = np.einsum("ijkj->ik", rho)
    ev = np.linalg.eigvalsh(rho_a)
    ev = ev[ev > 1e-12]
    return rho_a, -np.sum(ev * np.log(ev))


def master_equation_steady_state(W):
    Q = W - np.diag(W.sum(axis=0))
    w, v = np.linalg.eig(Q)
    k = np.argmin(np.abs(w))
    p = np.real(v[:, k])
    return p / p.sum()


def master_equation_propagate(W, p0, t=1.0):
    Q = W - np.diag(W.sum(axis=0))
    w, V = np.linalg.eig(Q)
    return np.real(V @ np.diag(np.exp(w * t)) @ np.linalg.inv(V) @ p0)


def markov_power_stationary(P, n=30):
    return np.linalg.matrix_power(P, n)[0], np.linalg.matrix_power(P.T, 2)


def jacobi_eigenvalue(A, n_rot=20):
    A = A.copy()
    n = A.shape[0]
    V = np.eye(n)
    for _ in range(n_rot):
        off = np.abs(np.triu(A, 1))
        p, q = np.unravel_index(np.argmax(off), A.shape)
        theta = 0.5 * np.arctan2(2 * A[p, q], A[q, q] - A[p, p])
        c, s = np.cos(theta), np.sin(theta)
        J = np.eye(n)
        J[p, p] = c
        J[q, q] = c
        J[p, q] = s
        J[q, p] = -s
        A = J.T @ A @ J
        V = V @ J
    return np.sort(np.diag(A)), np.abs(np.linalg.det(V))


def jacobi_rotation_columns(A, n_rot=6):
    A = A.copy()
    for _ in range(n_rot):
        p, q = np.unravel_index(np.argmax(np.abs(np.triu(A, 1))), A.shape)
        theta = 0.5 * np.arctan2(2 * A[p, q], A[q, q] - A[p, p])
        c, s = np.cos(theta), np.sin(theta)
        ap, aq = A[:, p].copy(), A[:, q].copy()
        A[:, p] = c * ap - s * aq
        A[:, q] = s * ap + c * aq
        rp, rq = A[p, :].copy(), A[q, :].copy()
        A[p, :] = c * rp - s * rq
        A[q, :] = s * rp + c * rq
    return A


def power_iteration(A, n_iter=50):
    v = np.ones(A.shape[0])
    for _ in range(n_iter):
        v = A @ v
        v /= np.linalg.norm(v)
    return v @ A @ v, v


def inverse_iteration_shift(A, mu, n_iter=10):
    n = A.shape[0]
    v = np.ones(n) / np.sqrt(n)
    for _ in range(n_iter):
        w = np.linalg.solve(A - mu * np.eye(n), v)
        v = w / np.linalg.norm(w)
    return v @ A @ v


def lanczos_tridiagonal(A, m=4):
    n = A.shape[0]
    Q = np.zeros((n, m))
    alpha, beta = np.zeros(m), np.zeros(m - 1)
    q = np.ones(n) / np.sqrt(n)
    Q[:, 0] = q
    for j in range(m):
        w = A @ Q[:, j]
        alpha[j] = Q[:, j] @ w
        w = w - alpha[j] * Q[:, j] - (beta[j - 1] * Q[:, j - 1] if j > 0 else 0)
        w -= Q[:, : j + 1] @ (Q[:, : j + 1].T @ w)
        if j < m - 1:
            beta[j] = np.linalg.norm(w)
            Q[:, j + 1] = w / beta[j]
    T = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    return np.linalg.eigvalsh(T)


def gram_schmidt(V):
    Q = np.zeros_like(V)
    for j in range(V.shape[1]):
        v = V[:, j].copy()
        for i in range(j):
            v -= np.dot(Q[:, i], V[:, j]) * Q[:, i]
        Q[:, j] = v / np.linalg.norm(v)
    return Q


def lowdin_orthonormalize(C, S):
    M = C.T @ S @ C
    w, U = np.linalg.eigh(M)
    return C @ U @ np.diag(w ** -0.5) @ U.T


def conjugate_gradient_poisson(b, n_iter=20):
    n = int(np.sqrt(b.size))

    def A(x):
        u = x.reshape(n, n)
        p = np.pad(u, 1)
        return (4 * u - p[:-2, 1:-1] - p[2:, 1:-1] - p[1:-1, :-2] - p[1:-1, 2:]).ravel()

    x = np.zeros_like(b)
    r = b - A(x)
    p = r.copy()
    rs = r @ r
    for _ in range(n_iter):
        Ap = A(p)
        a = rs / (p @ Ap)
        x += a * p
        r -= a * Ap
        rs_new = r @ r
        p = r + rs_new / rs * p
        rs = rs_new
    return x, np.sqrt(rs)


def poisson_fft_periodic(rho, L=1.0):
    n = rho.shape[0]
    k = 2 * np.pi * np.fft.fftfreq(n, d=L / n)
    kx, ky = np.meshgrid(k, k, indexing="ij")
    k2 = kx ** 2 + ky ** 2
    k2[0, 0] = 1.0
    phi_k = np.fft.fft2(rho) / k2
    phi_k[0, 0] = 0.0
    phi = np.real(np.fft.ifft2(phi_k))
    Ex = np.real(np.fft.ifft2(-1j * kx * phi_k))
    return phi, Ex


def spectral_cahn_hilliard(c, dt=0.01, kappa=0.5, steps=3):
    n = c.shape[0]
    k = 2 * np.pi * np.fft.fftfreq(n)
    k2 = k[:, None] ** 2 + k[None, :] ** 2
    for _ in range(steps):
        c_hat = np.fft.fft2(c)
        mu_hat = np.fft.fft2(c ** 3 - c)
        c_hat = (c_hat - dt * k2 * mu_hat) / (1 + dt * kappa * k2 ** 2)
        c = np.fft.ifft2(c_hat).real
    return c


def pic_charge_deposit_ngp(pos, q, n, L):
    idx = np.floor(pos / L * n).astype(int) % n
    rho = np.zeros((n, n))
    np.add.at(rho, (idx[:, 0], idx[:, 1]), q)
    return rho


def pic_cloud_in_cell(x, n, L):
    dx = L / n
    xi = x / dx
    i = np.floor(xi).astype(int)
    w = xi - i
    rho = np.zeros(n)
    np.add.at(rho, i % n, 1 - w)
    np.add.at(rho, (i + 1) % n, w)
    return rho / dx


def pic_gather_field(E, x, L):
    n = len(E)
    xi = x / (L / n)
    i = xi.astype(np.int64)
    w = xi - i
    return (1 - w) * E[i % n] + w * E[(i + 1) % n]


def density_grid_bincount(pos, L, n):
    cell = np.floor(pos / L * n).astype(int) % n
    flat = np.ravel_multi_index(cell.T, (n, n, n))
    return np.bincount(flat, minlength=n ** 3).reshape(n, n, n)


def periodic_neighbors_ravel(n):
    i, j = np.unravel_index(np.arange(n * n), (n, n))
    right = np.ravel_multi_index((i, j + 1), (n, n), mode="wrap")
    up = np.ravel_multi_index((i - 1, j), (n, n), mode="wrap")
    return right, up


def neighbor_sum_take_wrap(spins):
    n = spins.shape[0]
    idx = np.arange(n)
    return np.take(spins, idx + 1, axis=0, mode="wrap") + np.take(spins, idx - 1, axis=0, mode="wrap") + np.take(spins, idx + 1, axis=1, mode="wrap") + np.take(spins, idx - 1, axis=1, mode="wrap")


def neighbor_sum_pad_wrap(spins):
    p = np.pad(spins, 1, mode="wrap")
    return p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:]


def neighbor_sum_sliding_window(grid):
    w = np.lib.stride_tricks.sliding_window_view(np.pad(grid, 1, mode="wrap"), (3, 3))
    return w.sum(axis=(-2, -1)) - grid


def cell_list_counts(pos, L, rc):
    nc = int(L // rc)
    cell = (pos / (L / nc)).astype(int) % nc
    cid = cell[:, 0] * nc * nc + cell[:, 1] * nc + cell[:, 2]
    counts = np.bincount(cid, minlength=nc ** 3)
    order = np.argsort(cid, kind="stable")
    return counts, order, np.cumsum(counts) - counts


def k_nearest_neighbors(pos, L, k=3):
    d = pos[:, None] - pos[None]
    d -= L * np.round(d / L)
    r = np.sqrt((d ** 2).sum(-1))
    order = np.argsort(r, axis=1)[:, 1:k + 1]
    return order, np.take_along_axis(r, order, axis=1).mean(axis=1)


def k_nearest_argpartition(pos, k=2):
    r = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
    np.fill_diagonal(r, np.inf)
    nn = np.argpartition(r, k, axis=1)[:, :k]
    return np.sort(np.take_along_axis(r, nn, axis=1), axis=1)


def species_pair_counts(species, pos, rcut=1.0):
    u, inv = np.unique(species, return_inverse=True)
    r = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
    close = (r < rcut) & ~np.eye(len(pos), dtype=bool)
    onehot = (inv[:, None] == np.arange(3)).astype(float)
    return onehot.T @ close @ onehot


def random_unit_vectors(rng, n=5):
    v = rng.normal(size=(n, 3))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def maxwell_boltzmann_velocities(rng, n, T=1.5, m=1.0):
    v = rng.normal(0.0, np.sqrt(T / m), size=(n, 3))
    v -= v.mean(axis=0)
    T_now = m * np.sum(v ** 2) / (3 * (n - 1))
    v *= np.sqrt(T / T_now)
    return v


def random_rotation_matrix(rng):
    q = rng.normal(size=4)
    q /= np.linalg.norm(q)
    a, b, c, d = q
    return np.array([[a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
                     [2 * (b * c + a * d), a * a - b * b + c * c - d * d, 2 * (c * d - a * b)],
                     [2 * (b * d - a * c), 2 * (c * d + a * b), a * a - b * b - c * c + d * d]])


def monte_carlo_particle_moves(rng, pos, L, delta=0.2, n_moves=10, beta=1.0):
    n = len(pos)
    acc = 0
    for _ in range(n_moves):
        i = rng.integers(n)
        old = pos[i].copy()
        trial = (old + delta * (rng.random(3) - 0.5)) % L

        def e_of(p):
            d = pos - p
            d -= L * np.round(d / L)
            r2 = np.sum(d * d, axis=1)
            r2[i] = np.inf
            return np.sum(4 * (r2 ** -6 - r2 ** -3))

        dE = e_of(trial) - e_of(old)
        ok = rng.random() < np.exp(-beta * dE)
        pos[i] = np.where(ok, trial, old)
        acc += ok
    return pos, acc / n_moves


def wolff_cluster_probabilities(spins, beta):
    p_add = 1 - np.exp(-2 * beta)
    same_r = spins == np.roll(spins, -1, axis=1)
    same_d = spins == np.roll(spins, -1, axis=0)
    return p_add, same_r.sum() + same_d.sum()


def bond_percolation_bonds(rng, L=5, p=0.5):
    h = rng.random((L, L)) < p
    v = rng.random((L, L)) < p
    deg = h.astype(int) + np.roll(h, 1, axis=1) + v + np.roll(v, 1, axis=0)
    return deg, np.bincount(deg.ravel(), minlength=5)


def choice_weighted_moves(rng, n=20):
    dirs = np.array([[1, 0], [-1, 0], [0, 1], [0, -1]])
    k = rng.choice(4, size=n, p=[0.4, 0.2, 0.2, 0.2])
    return np.cumsum(dirs[k], axis=0)


def shuffle_sweep_order(rng, spins, beta=0.5):
    n = spins.size
    order = rng.permutation(n)
    flat = spins.ravel().copy()
    for k in order[:6]:
        flat[k] = -flat[k]
    return flat.reshape(spins.shape), order


def periodic_interp_angle(theta_grid, values, theta):
    return np.interp(theta, theta_grid, values, period=2 * np.pi)


def unwrap_dihedral_series(phi_deg):
    rad = np.unwrap(np.deg2rad(phi_deg))
    return np.rad2deg(rad), np.angle(np.mean(np.exp(1j * np.deg2rad(phi_deg))), deg=True)


def rule_bits_shift(rule, idx):
    return (rule >> idx) & 1


def packbits_config(spins):
    bits = (spins > 0).astype(np.uint8)
    return np.packbits(bits, axis=-1), np.unpackbits(np.packbits(bits, axis=-1), axis=-1)[:, : spins.shape[1]]


def digitize_energy_histogram(E, edges):
    k = np.digitize(E, edges) - 1
    k = np.clip(k, 0, len(edges) - 2)
    return np.bincount(k, minlength=len(edges) - 1), np.histogram(E, bins=edges)[0]


def wang_landau_flatness(hist, flat=0.8):
    visited = hist > 0
    mean = hist[visited].mean()
    return np.all(hist[visited] > flat * mean), hist.min() / np.where(mean > 0, mean, 1)


def histogram2d_positions(x, y, L, n):
    H, xe, ye = np.histogram2d(x, y, bins=n, range=[[0, L], [0, L]])
    return H, xe


def allclose_check(a, b):
    return np.allclose(a, b, atol=1e-3), np.isclose(a, b, atol=1e-3)


def apply_along_axis_norm(v):
    return np.apply_along_axis(np.linalg.norm, 1, v)


def heaviside_step_potential(x, V0=2.0, a=1.0):
    return V0 * (np.heaviside(x + a, 0.5) - np.heaviside(x - a, 0.5))


def tensordot_coulomb(eri, D):
    return np.tensordot(eri, D, axes=([2, 3], [0, 1])), np.tensordot(eri, D, axes=2)


def einsum_trace_diag(A):
    return np.einsum("ii->", A), np.einsum("ii->i", A), np.einsum("ij,ji->", A, A)


def batched_inverse_det(M):
    return np.linalg.inv(M), np.linalg.det(M), np.linalg.slogdet(M)[1]


def cross_with_axes(a, b):
    return np.cross(a, b, axisa=0, axisb=0), np.cross(a.T, b.T)


def finfo_guarded_log(p):
    eps = np.finfo(p.dtype).eps
    return -np.sum(p * np.log(np.maximum(p, eps))), eps


def clip_out_inplace(v, vmax=1.0):
    np.clip(v, -vmax, vmax, out=v)
    return v


def sum_where_argument(E, mask):
    return np.sum(E, where=mask), np.mean(E, where=mask, axis=0)


def mgrid_ogrid_fields(n):
    y, x = np.mgrid[0:n, 0:n]
    yy, xx = np.ogrid[:n, :n]
    r = np.hypot(xx - n / 2, yy - n / 2)
    return x * y, r


def gradient_edge_order(f, dx):
    return np.gradient(f, dx, edge_order=2), np.diff(f, append=f[:1])


def bessel_i0_kaiser(n, beta):
    k = np.arange(n)
    return np.i0(beta * np.sqrt(1 - (2 * k / (n - 1) - 1) ** 2)) / np.i0(beta)


def rfft_structure_factor_1d(x, L, n):
    rho = np.histogram(x % L, bins=n, range=(0, L))[0].astype(float)
    S = np.abs(np.fft.rfft(rho - rho.mean())) ** 2 / len(x)
    return S, np.fft.rfftfreq(n, L / n)


LINALG = {
    "heisenberg_chain_kron": (heisenberg_chain_kron, {}, lambda s, n: (1.0 + 0.1 * s,)),
    "transverse_ising_exact": (transverse_ising_exact, {}, lambda s, n: (0.5 * s,)),
    "time_evolution_eigh": (time_evolution_eigh, {}, lambda s, n: (_spd(s, n), np.eye(n)[0].astype(complex), np.linspace(0, 2, 5))),
    "rabi_oscillation": (rabi_oscillation, {}, lambda s, n: (1.0, 0.2 * s, np.linspace(0, 10, 5 * n))),
    "density_matrix_purity": (density_matrix_purity, {}, lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1),)),
    "partial_trace_two_qubits": (partial_trace_two_qubits, {}, lambda s, n: ((lambda v: v / np.linalg.norm(v))(_f(4, seed=s) + 1j * _f(4, seed=s + n)),)),
    "master_equation_steady_state": (master_equation_steady_state, {}, lambda s, n: (_f(n, n, positive=True, seed=s) * (1 - np.eye(n)),)),
    "master_equation_propagate": (master_equation_propagate, {}, lambda s, n: (_f(n, n, positive=True, seed=s) * (1 - np.eye(n)), np.eye(n)[0])),
    "markov_power_stationary": (markov_power_stationary, {}, lambda s, n: ((lambda P: P / P.sum(1, keepdims=True))(_f(n, n, positive=True, seed=s)),)),
    "jacobi_eigenvalue": (jacobi_eigenvalue, {}, lambda s, n: (_spd(s, n),)),
    "jacobi_rotation_columns": (jacobi_rotation_columns, {}, lambda s, n: (_spd(s, n),)),
    "power_iteration": (power_iteration, {}, lambda s, n: (_spd(s, n),)),
    "inverse_iteration_shift": (inverse_iteration_shift, {}, lambda s, n: (_spd(s, n), 0.3)),
    "lanczos_tridiagonal": (lanczos_tridiagonal, {}, lambda s, n: (_spd(s, n + 2),)),
    "gram_schmidt": (gram_schmidt, {}, lambda s, n: (_f(n + 2, n, seed=s),)),
    "lowdin_orthonormalize": (lowdin_orthonormalize, {}, lambda s, n: (_f(n, n, seed=s), _overlap(s, n))),
    "conjugate_gradient_poisson": (conjugate_gradient_poisson, {}, lambda s, n: (_f(n * n, seed=s),)),
    "poisson_fft_periodic": (poisson_fft_periodic, {}, lambda s, n: (_f(n, n, seed=s),)),
    "spectral_cahn_hilliard": (spectral_cahn_hilliard, {}, lambda s, n: (0.1 * _f(n, n, seed=s),)),
    "pic_charge_deposit_ngp": (pic_charge_deposit_ngp, {}, lambda s, n: (4 * np.random.default_rng(s).random((5 * n, 2)), _f(5 * n, seed=s), n, 4.0)),
    "pic_cloud_in_cell": (pic_cloud_in_cell, {}, lambda s, n: (4 * np.random.default_rng(s).random(5 * n), n, 4.0)),
    "pic_gather_field": (pic_gather_field, {}, lambda s, n: (_f(n, seed=s), 4 * np.random.default_rng(s).random(5 * n), 4.0)),
    "density_grid_bincount": (density_grid_bincount, {}, lambda s, n: (4 * np.random.default_rng(s).random((5 * n, 3)), 4.0, 3)),
    "periodic_neighbors_ravel": (periodic_neighbors_ravel, {"n": 4}, lambda s, n: ()),
    "neighbor_sum_take_wrap": (neighbor_sum_take_wrap, {}, lambda s, n: (_spins(s, n),)),
    "neighbor_sum_pad_wrap": (neighbor_sum_pad_wrap, {}, lambda s, n: (_spins(s, n).astype(np.int8),)),
    "neighbor_sum_sliding_window": (neighbor_sum_sliding_window, {}, lambda s, n: (_i(2, n, n + 1, seed=s),)),
    "cell_list_counts": (cell_list_counts, {}, lambda s, n: (4 * np.random.default_rng(s).random((5 * n, 3)), 4.0, 1.3)),
    "k_nearest_neighbors": (k_nearest_neighbors, {}, lambda s, n: (_box_pos(s, 2 * n), 4.0)),
    "k_nearest_argpartition": (k_nearest_argpartition, {}, lambda s, n: (_f(2 * n, 3, seed=s),)),
    "species_pair_counts": (species_pair_counts, {}, lambda s, n: (np.r_[0, 1, 2, _i(3, 2 * n, seed=s)], _f(2 * n + 3, 3, seed=s))),
    "wolff_cluster_probabilities": (wolff_cluster_probabilities, {}, lambda s, n: (_spins(s, n), 0.44)),
    "periodic_interp_angle": (periodic_interp_angle, {}, lambda s, n: (np.linspace(0, 2 * np.pi, 8, endpoint=False), _f(8, seed=s), 10 * _f(3 * n, seed=s))),
    "unwrap_dihedral_series": (unwrap_dihedral_series, {}, lambda s, n: (np.cumsum(40 * _f(4 * n, seed=s)) % 360 - 180,)),
    "rule_bits_shift": (rule_bits_shift, {}, lambda s, n: (30 + s, _i(8, 3 * n, seed=s))),
    "packbits_config": (packbits_config, {}, lambda s, n: (_spins(s, n + 7),)),
    "digitize_energy_histogram": (digitize_energy_histogram, {}, lambda s, n: (_f(5 * n, seed=s), np.linspace(-2, 2, 6))),
    "wang_landau_flatness": (wang_landau_flatness, {}, lambda s, n: (_i(5, 3 * n, seed=s),)),
    "histogram2d_positions": (histogram2d_positions, {}, lambda s, n: (4 * np.random.default_rng(s).random(5 * n), 4 * np.random.default_rng(s + 1).random(5 * n), 4.0, 3)),
    "allclose_check": (allclose_check, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s) + 1e-4 * s)),
    "apply_along_axis_norm": (apply_along_axis_norm, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "heaviside_step_potential": (heaviside_step_potential, {}, lambda s, n: (np.linspace(-2, 2, 4 * n + 1),)),
    "tensordot_coulomb": (tensordot_coulomb, {}, lambda s, n: (_eri(s, n), _spd(s, n))),
    "einsum_trace_diag": (einsum_trace_diag, {}, lambda s, n: (_f(n, n, seed=s),)),
    "batched_inverse_det": (batched_inverse_det, {}, lambda s, n: (np.stack([_spd(s + i, 3) for i in range(n)]),)),
    "cross_with_axes": (cross_with_axes, {}, lambda s, n: (_f(3, n, seed=s), _f(3, n, seed=s + 1))),
    "finfo_guarded_log": (finfo_guarded_log, {}, lambda s, n: (np.r_[0.0, _f(n, positive=True, seed=s)].astype(np.float32),)),
    "clip_out_inplace": (clip_out_inplace, {}, lambda s, n: (2 * _f(n, 3, seed=s),)),
    "sum_where_argument": (sum_where_argument, {}, lambda s, n: (_f(n, 3, seed=s), _i(2, n, 3, seed=s + 1) > 0)),
    "mgrid_ogrid_fields": (mgrid_ogrid_fields, {"n": 5}, lambda s, n: ()),
    "gradient_edge_order": (gradient_edge_order, {}, lambda s, n: (_f(3 * n, seed=s), 0.1)),
    "bessel_i0_kaiser": (bessel_i0_kaiser, {}, lambda s, n: (3 * n, 4.0 + s)),
    "rfft_structure_factor_1d": (rfft_structure_factor_1d, {}, lambda s, n: (10 * _f(5 * n, seed=s), 4.0, 8)),
}


@pytest.mark.parametrize("name", list(LINALG))
def test_linear_algebra_and_grids_match_numpy(name):
    check_like_numpy(*LINALG[name])


SIMULATIONS2 = [
    (random_unit_vectors, lambda: ()),
    (maxwell_boltzmann_velocities, lambda: (6,)),
    (random_rotation_matrix, lambda: ()),
    (monte_carlo_particle_moves, lambda: (_lattice_pos(3, 8), 6.0)),
    (bond_percolation_bonds, lambda: ()),
    (choice_weighted_moves, lambda: ()),
    (shuffle_sweep_order, lambda: (_spins(3, 4),)),
]


@pytest.mark.parametrize("fn, args", SIMULATIONS2, ids=[f.__name__ for f, _ in SIMULATIONS2])
def test_more_simulations_with_a_generator_argument(fn, args):
    """Random unit vectors and rotations, Maxwell-Boltzmann velocities rescaled to a
    temperature, particle Monte Carlo moves, bond percolation, weighted and permuted moves:
    NumPy's draws, values and generator state over three calls."""
    want_rng, got_rng = np.random.default_rng(5), np.random.default_rng(5)
    jf = tracenp.jit(fn)
    for _ in range(3):
        want_args, got_args = args(), args()
        assert_same(jf(got_rng, *got_args), fn(want_rng, *want_args), rtol=1e-6)
        for got, want in zip(got_args, want_args):
            if isinstance(want, np.ndarray):
                assert_same(got, want)
        assert got_rng.bit_generator.state == want_rng.bit_generator.state


# ---------------------------------------------------------------- refused, steered, gradients


def scf_break_on_convergence(H, S, eri, nocc=1, max_iter=20, tol=1e-8):
    X = np.linalg.inv(np.linalg.cholesky(S)).T
    D = np.zeros_like(H)
    E_old = 0.0
    for it in range(max_iter):
        F = H + np.einsum("pqrs,rs->pq", eri, D) - 0.5 * np.einsum("prqs,rs->pq", eri, D)
        E = 0.5 * np.sum(D * (H + F))
        if abs(E - E_old) < tol:
            break
        E_old = E
        C = X @ np.linalg.eigh(X.T @ F @ X)[1]
        D = 2 * C[:, :nocc] @ C[:, :nocc].T
    return E, it


def metropolis_if_accept(rng, spins, beta=0.5, n_steps=20):
    L = spins.shape[0]
    for _ in range(n_steps):
        i, j = rng.integers(0, L, size=2)
        nb = spins[(i + 1) % L, j] + spins[(i - 1) % L, j] + spins[i, (j + 1) % L] + spins[i, (j - 1) % L]
        dE = 2 * spins[i, j] * nb
        if dE <= 0 or rng.random() < np.exp(-beta * dE):
            spins[i, j] *= -1
    return spins


def live_cells_coordinates(grid):
    return np.argwhere(grid == 1)


def bisection_while_tol(Ka, Ca, tol=1e-12):
    lo, hi = 0.0, 14.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        h = 10 ** -mid
        if h - 1e-14 / h - Ca * Ka / (Ka + h) > 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def first_order_positional(c0, k, dt, n_steps):
    c = np.empty(n_steps + 1)
    c[0] = c0
    for i in range(n_steps):
        c[i + 1] = c[i] * (1 - k * dt)
    return c


def particle_in_box_positional(n, L):
    dx = L / (n + 1)
    H = (2 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)) / (2 * dx ** 2)
    return np.linalg.eigvalsh(H)[:3]


def huckel_ring_positional(n, beta):
    H = np.zeros((n, n))
    for i in range(n):
        H[i, (i + 1) % n] = H[(i + 1) % n, i] = beta
    return np.linalg.eigvalsh(H)


REFUSED = {
    "scf_break_on_convergence": ("ConcretizationError", scf_break_on_convergence, lambda s: (-_spd(s, 3), _overlap(s, 3), 0.1 * _eri(s, 3))),
    "metropolis_if_accept": ("ConcretizationError", metropolis_if_accept, lambda s: (np.random.default_rng(s), _spins(s, 4))),
    "peaks_loop_if": ("ConcretizationError", peaks_loop_if, lambda s: (_f(12, seed=s),)),
    "random_walk_if": ("ConcretizationError", random_walk_if, lambda s: (np.random.default_rng(s),)),
    "sandpile_while": ("ConcretizationError", sandpile_while, lambda s: (_i(6, 5, 5, seed=s),)),
    "dla_until_stuck": ("ConcretizationError", dla_until_stuck, lambda s: (np.random.default_rng(s), np.eye(5, dtype=bool), np.array([0, 3]))),
    "peak_indices_where": ("DataDependentShapeError", peak_indices_where, lambda s: (_f(12, seed=s),)),
    "live_cells_coordinates": ("DataDependentShapeError", live_cells_coordinates, lambda s: (_i(2, 5, 5, seed=s),)),
    "schelling_relocate": ("DataDependentShapeError", schelling_relocate, lambda s: (np.random.default_rng(s), _i(3, 5, 5, seed=s))),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_run_under_fallback(name):
    """`if`/`break`/`while` on traced values (an SCF loop that breaks at convergence, a
    Metropolis accept by `if`, a peak list built by `if ... and ...`, a coin-flip step, a
    sandpile relaxed until stable, a DLA walker moved until it sticks), and the coordinates of
    peaks, live cells and unhappy agents as arrays: refused by name, NumPy's values under
    `fallback=True`."""
    error, fn, make = REFUSED[name]
    check_refused(getattr(tracenp.errors, error), fn, make)


STEERED = {
    "bisection_while_tol": (bisection_while_tol, lambda s: (1.8e-5 * s, 0.1)),
    "first_order_positional": (first_order_positional, lambda s: (1.0, 0.3, 0.1, 5 + s)),
    "particle_in_box_positional": (particle_in_box_positional, lambda s: (10 + s, 1.0)),
    "huckel_ring_positional": (huckel_ring_positional, lambda s: (4 + 2 * s, -1.0)),
    "minimum_image_loop_builtin_min": (minimum_image_loop, lambda s: (_box_pos(s, 4 + s), 4.0)),
}


@pytest.mark.parametrize("name", list(STEERED))
def test_python_scalar_arguments_are_made_static(name):
    """A bisection `while hi - lo > tol` and `if` on Python float arguments only, `range(n)`
    and `np.eye(n)` of a positional int, and the builtin `min` of traced scalars in a
    minimum-image loop: NumPy's values."""
    fn, make = STEERED[name]
    check_steered(fn, make)


def _central_difference(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = eps
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def morse_energy(pos, De=1.0, a=1.5, r0=1.1):
    i, j = np.triu_indices(len(pos), 1)
    r = np.linalg.norm(pos[i] - pos[j], axis=-1)
    return np.sum(De * (1 - np.exp(-a * (r - r0))) ** 2)


def ewald_real_pairs(pos, q, L, alpha=1.0):
    i, j = np.triu_indices(len(q), 1)
    d = pos[i] - pos[j]
    d -= L * np.round(d / L)
    r = np.sqrt(np.sum(d * d, axis=1))
    return np.sum(q[i] * q[j] * (1 - _erf(alpha * r)) / r) - alpha / np.sqrt(np.pi) * np.sum(q ** 2)


def harmonic_bonds_angles(x, bonds=np.array([[0, 1], [1, 2], [2, 3]]), k=100.0, r0=1.0):
    pos = x.reshape(-1, 3)
    d = pos[bonds[:, 0]] - pos[bonds[:, 1]]
    r = np.sqrt(np.sum(d ** 2, axis=1))
    a = pos[0] - pos[1]
    b = pos[2] - pos[1]
    cos_t = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    return 0.5 * k * np.sum((r - r0) ** 2) + 10 * (cos_t + 0.5) ** 2


_LJ_POS = _lattice_pos(4, 8, L=3.4)

GRADS = {
    "lennard_jones_energy": (lambda x: lennard_jones_energy(x.reshape(-1, 3), 3.4), _LJ_POS.ravel()),
    "morse_energy": (lambda x: morse_energy(x.reshape(-1, 3)), _f(4, 3, seed=4).ravel()),
    "harmonic_bonds_angles": (harmonic_bonds_angles, np.cumsum(np.eye(4, 3) + 0.1 * _f(4, 3, seed=5), axis=0).ravel()),
    "ewald_real_pairs": (lambda x: ewald_real_pairs(x.reshape(-1, 3), np.array([1.0, -1.0, 1.0, -1.0]), 4.0), _box_pos(6, 4).ravel()),
    "hf_energy_in_density": (lambda d: scf_energy(_spd(1, 3), fock_build(_spd(1, 3), _eri(1, 3), d.reshape(3, 3)), d.reshape(3, 3)), (_spd(2, 3) / 3).ravel()),
    "huckel_total_energy": (lambda b: huckel_from_adjacency(np.eye(4, k=1) + np.eye(4, k=-1), -1.0, b[0])[0][:2].sum() * 2, np.array([-0.8])),
}


@pytest.mark.parametrize("name", list(GRADS))
def test_gradients_of_energies_match_differences(name):
    """`tracenp.grad` of pair potentials (forces), bonded terms, a real-space Ewald sum, a
    Hartree-Fock energy in the density and a Hückel energy in the hopping: central
    differences, eagerly and under jit. Pair distances come from `np.triu_indices` first: the
    norm of an all-pairs difference has a NaN gradient on its zero diagonal (as in JAX)."""
    f, x0 = GRADS[name]
    want = _central_difference(f, x0.copy())
    np.testing.assert_allclose(tracenp.grad(f)(x0.copy()), want, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(tracenp.jit(tracenp.grad(f))(x0.copy()), want, rtol=1e-4, atol=1e-6)


def test_lennard_jones_forces_are_minus_the_gradient():
    """The analytic pair forces of `lennard_jones_forces` are `-grad` of the energy under jit,
    as MD codes check them."""
    pos, L = _lattice_pos(7, 8, L=3.4), 3.4
    F, _ = tracenp.jit(lennard_jones_forces, static_argnames=("rc",))(pos, L, rc=10.0)
    g = tracenp.jit(tracenp.grad(lambda x: lennard_jones_energy(x, L, rc=10.0) + 0.0))(pos)
    np.testing.assert_allclose(F, -g, rtol=1e-6, atol=1e-8)


# --------------------------------------------------------------- selections in analysis code


def markov_stationary_isclose(P):
    evals, evecs = np.linalg.eig(P.T)
    stat = evecs[:, np.isclose(evals, 1)][:, 0]
    return (stat / stat.sum()).real


def cluster_radius_by_species(pos, species, k=1):
    sel = pos[species == k]
    com = sel.mean(axis=0)
    r = np.linalg.norm(sel - com, axis=1)
    return r.max(), np.sqrt(np.mean(r ** 2)), np.linalg.norm(sel - com)


def diffusion_from_msd_window(traj, dt):
    msd = np.mean(np.sum((traj - traj[0]) ** 2, axis=-1), axis=1)
    t = np.arange(len(msd)) * dt
    lin = t > 0.2 * t[-1]
    slope, intercept = np.polyfit(t[lin], msd[lin], 1)
    return slope / 6, intercept


def arrhenius_valid_points(T, k):
    valid = k > 0
    slope, icpt = np.polyfit(1 / T[valid], np.log(k[valid]), 1)
    return -slope * 8.314, icpt


def calibration_without_nan(x, y):
    ok = np.isfinite(y)
    return np.polyfit(x[ok], y[ok], 2), np.corrcoef(x[ok], y[ok])[0, 1]


def band_gap_from_masks(e, ef):
    return e[e > ef].min() - e[e <= ef].max(), 2 * np.sum(e[e < ef])


def lj_energy_masked_pairs(pos, L, rc=2.0):
    d = pos[:, None] - pos[None]
    d -= L * np.round(d / L)
    r = np.linalg.norm(d, axis=-1)
    pairs = (r < rc) & (r > 0)
    return np.sum(4 * (r[pairs] ** -12 - r[pairs] ** -6)) / 2, pairs.sum() // 2


def lj_forces_masked_writes(pos, L, rc=2.0):
    d = pos[:, None] - pos[None]
    d -= L * np.round(d / L)
    r2 = (d ** 2).sum(-1)
    m = (r2 < rc ** 2) & (r2 > 0)
    inv6 = np.zeros_like(r2)
    inv6[m] = 1 / r2[m] ** 3
    F = (48 * inv6 ** 2 - 24 * inv6)[..., None] * d
    F = np.divide(F, r2[..., None], out=np.zeros_like(F), where=m[..., None])
    return F.sum(axis=1)


def lbm_solid_nodes(f, solid):
    fluid = ~solid
    f[:, solid] = f[_OPP][:, solid]
    rho = f.sum(axis=0)
    rho[solid] = 1.0
    return f, rho, f[:, fluid].sum(axis=1), f[:, fluid].mean()


def ewald_k_vectors_masked(pos, q, L, alpha=1.2, kmax=2):
    n = np.arange(-kmax, kmax + 1)
    k = 2 * np.pi / L * np.array(np.meshgrid(n, n, n, indexing="ij")).reshape(3, -1).T
    k2 = np.einsum("ij,ij->i", k, k)
    keep = (k2 > 0) & (k2 < (2 * np.pi / L * kmax) ** 2 + 1e-9)
    kk = k[keep]
    S = np.exp(1j * kk @ pos.T) @ q
    k2k = np.sum(kk ** 2, axis=1)
    return 2 * np.pi / L ** 3 * np.sum(np.exp(-k2k / (4 * alpha ** 2)) / k2k * np.abs(S) ** 2)


def diatomic_chain_dispersion(k, m1=1.0, m2=2.0, C=1.0):
    s = C * (1 / m1 + 1 / m2)
    root = C * np.sqrt((1 / m1 + 1 / m2) ** 2 - 4 * np.sin(k / 2) ** 2 / (m1 * m2))
    return np.sqrt(s - root), np.sqrt(s + root)


def dynamical_matrix_chain(k, masses, C=1.0):
    n = len(masses)
    out = np.zeros((len(k), n))
    for ik in range(len(k)):
        D = np.zeros((n, n), dtype=complex)
        for i in range(n):
            j = (i + 1) % n
            ph = np.exp(1j * k[ik]) if j == 0 else 1.0
            D[i, i] += C
            D[j, j] += C
            D[i, j] -= C * ph
            D[j, i] -= C * np.conj(ph)
        M = np.diag(1 / np.sqrt(masses))
        out[ik] = np.sqrt(np.abs(np.linalg.eigvalsh(M @ D @ M)))
    return out


def debye_heat_capacity(T, theta_D=300.0, n=200):
    out = np.zeros_like(T)
    for i, t in enumerate(T):
        x = np.linspace(1e-6, theta_D / t, n)
        integrand = x ** 4 * np.exp(x) / (np.exp(x) - 1) ** 2
        out[i] = 9 * (t / theta_D) ** 3 * np.trapezoid(integrand, x)
    return out


def einstein_solid(T, theta_E=200.0):
    x = theta_E / T
    return 3 * x ** 2 * np.exp(x) / np.expm1(x) ** 2


def wigner_seitz_nearest_images(frac, cell):
    shifts = np.array(np.meshgrid([-1, 0, 1], [-1, 0, 1], [-1, 0, 1], indexing="ij")).reshape(3, -1).T
    d = (frac[:, None, :] + shifts[None]) @ cell
    r = np.linalg.norm(d, axis=-1)
    return r.min(axis=1), shifts[np.argmin(r, axis=1)]


SELECTIONS = {
    "markov_stationary_isclose": (markov_stationary_isclose, {}, lambda s, n: ((lambda P: P / P.sum(1, keepdims=True))(_f(n, n, positive=True, seed=s)),)),
    "cluster_radius_by_species": (cluster_radius_by_species, {}, lambda s, n: (_f(3 * n, 3, seed=s), np.r_[1, _i(3, 3 * n - 1, seed=s)])),
    "diffusion_from_msd_window": (diffusion_from_msd_window, {}, lambda s, n: (np.cumsum(_f(3 * n, 5, 3, seed=s), axis=0), 0.1)),
    "arrhenius_valid_points": (arrhenius_valid_points, {}, lambda s, n: (np.linspace(300, 400, 2 * n), np.r_[0.0, 1e3 * np.exp(-5000 / np.linspace(300, 400, 2 * n))[1:] * (1 + 0.01 * _f(2 * n - 1, seed=s))])),
    "calibration_without_nan": (calibration_without_nan, {}, lambda s, n: (np.linspace(0, 1, 3 * n), np.where(_i(4, 3 * n, seed=s) == 0, np.nan, 1 + np.linspace(0, 1, 3 * n) ** 2 + 0.1 * _f(3 * n, seed=s)))),
    "band_gap_from_masks": (band_gap_from_masks, {}, lambda s, n: (np.sort(_f(3 * n, seed=s)), 0.05 * s)),
    "lj_energy_masked_pairs": (lj_energy_masked_pairs, {}, lambda s, n: (_lattice_pos(s, 8) * n / 4, 6.0 * n / 4)),
    "lj_forces_masked_writes": (lj_forces_masked_writes, {}, lambda s, n: (_lattice_pos(s, 8), 6.0)),
    "lbm_solid_nodes": (lbm_solid_nodes, {}, lambda s, n: (_W[:, None, None] * (1 + 0.1 * _f(9, n, n + 1, seed=s)), np.random.default_rng(s).random((n, n + 1)) < 0.25)),
    "ewald_k_vectors_masked": (ewald_k_vectors_masked, {}, lambda s, n: (_box_pos(s, n), np.where(np.arange(n) % 2 == 0, 1.0, -1.0), 4.0 + 0.1 * s)),
    "diatomic_chain_dispersion": (diatomic_chain_dispersion, {}, lambda s, n: (np.linspace(-np.pi, np.pi, 5 * n), 1.0, 1.5 + 0.5 * s)),
    "dynamical_matrix_chain": (dynamical_matrix_chain, {}, lambda s, n: (np.linspace(-np.pi, np.pi, n), _f(3, positive=True, seed=s))),
    "debye_heat_capacity": (debye_heat_capacity, {}, lambda s, n: (np.linspace(20, 400, n),)),
    "einstein_solid": (einstein_solid, {}, lambda s, n: (np.linspace(20, 400, 3 * n).astype(np.float32),)),
    "wigner_seitz_nearest_images": (wigner_seitz_nearest_images, {}, lambda s, n: (np.random.default_rng(s).random((n, 3)) - 0.5, _cell(s))),
}


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_selections_and_phonons_match_numpy(name):
    """Selections in analysis code: a stationary vector `evecs[:, np.isclose(evals, 1)][:, 0]`,
    a cluster radius by `np.linalg.norm` of selected rows, fits `np.polyfit(t[m], y[m], 1)`
    over valid windows (nan and -inf outside), Ewald wave vectors `k[keep] @ pos.T`, band gaps,
    masked pair energies, lattice Boltzmann solid nodes; and phonon dispersions, Debye and
    Einstein heat capacities, Wigner-Seitz images."""
    check_like_numpy(*SELECTIONS[name])


GRADS2 = {
    "ewald_k_vectors_masked": (lambda x: ewald_k_vectors_masked(x.reshape(-1, 3), np.array([1.0, -1.0, 1.0, -1.0]), 4.0), _box_pos(1, 4).ravel()),
    "cluster_radius_by_species": (lambda x: cluster_radius_by_species(x.reshape(-1, 3), np.array([1, 1, 0, 1, 1]))[1], _f(15, seed=2)),
    "msd_window_slope": (lambda y: np.polyfit(np.linspace(0, 1, 8)[y > -0.5], y[y > -0.5], 1)[0], _f(8, seed=3)),
}


@pytest.mark.parametrize("name", list(GRADS2))
def test_gradients_through_selections_match_differences(name):
    """`tracenp.grad` through selected wave vectors, the norm of selected rows and a windowed
    fit: central differences, eagerly and under jit."""
    f, x0 = GRADS2[name]
    want = _central_difference(f, x0.copy())
    np.testing.assert_allclose(tracenp.grad(f)(x0.copy()), want, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(tracenp.jit(tracenp.grad(f))(x0.copy()), want, rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------- more automata and toys


def sandpile_nonzero_add_at(g, n_iter=5):
    L = g.shape[0]
    for _ in range(n_iter):
        i, j = np.nonzero(g >= 4)
        g[i, j] -= 4
        np.add.at(g, ((i + 1) % L, j), 1)
        np.add.at(g, ((i - 1) % L, j), 1)
        np.add.at(g, (i, (j + 1) % L), 1)
        np.add.at(g, (i, (j - 1) % L), 1)
    return g


def hpp_lattice_gas(s):
    up, right, down, left = s[:, :, 0], s[:, :, 1], s[:, :, 2], s[:, :, 3]
    col = (up & down & ~left & ~right) | (left & right & ~up & ~down)
    nu = np.where(col, left, up)
    nr = np.where(col, up, right)
    nd = np.where(col, right, down)
    nl = np.where(col, down, left)
    return np.stack([np.roll(nu, -1, 0), np.roll(nr, 1, 1), np.roll(nd, 1, 0), np.roll(nl, -1, 1)], axis=-1)


def neighbor_state_counts(state, k=3):
    n = state.shape[0]
    counts = np.zeros((n, n, k), dtype=int)
    for dy, dx in ((0, 1), (1, 0), (0, -1), (-1, 0)):
        nb = np.roll(state, (dy, dx), (0, 1))
        counts[np.arange(n)[:, None], np.arange(n)[None, :], nb] += 1
    return counts


def rock_paper_scissors(state, steps=3):
    for _ in range(steps):
        beats = (state + 1) % 3
        nb = np.stack([np.roll(state, s, a) for s in (1, -1) for a in (0, 1)])
        n_pred = (nb == beats[None]).sum(0)
        state = np.where(n_pred >= 2, beats, state)
    return state


def reflecting_walls(x, v, dt, L, steps=5):
    for _ in range(steps):
        x = x + v * dt
        v = np.where((x < 0) | (x > L), -v, v)
        x = np.where(x < 0, -x, np.where(x > L, 2 * L - x, x))
    return x, v


def sto3g_overlap_math(alphas, d, R):
    import math

    S = 0.0
    for a, da in zip(alphas, d):
        for b, db in zip(alphas, d):
            p = a + b
            S += da * db * (math.pi / p) ** 1.5 * math.exp(-a * b / p * R ** 2)
    return S


def sandpile_argwhere_loop(g, n_iter=3):
    for _ in range(n_iter):
        for i, j in np.argwhere(g >= 4):
            g[i, j] -= 4
    return g


AUTOMATA = {
    "sandpile_nonzero_add_at": (sandpile_nonzero_add_at, {}, lambda s, n: (_i(8, n + 1, n + 1, seed=s),)),
    "hpp_lattice_gas": (hpp_lattice_gas, {}, lambda s, n: (np.random.default_rng(s).random((n, n + 2, 4)) < 0.3,)),
    "neighbor_state_counts": (neighbor_state_counts, {}, lambda s, n: (_i(3, n, n, seed=s),)),
    "rock_paper_scissors": (rock_paper_scissors, {}, lambda s, n: (_i(3, n + 1, n + 1, seed=s),)),
    "reflecting_walls": (reflecting_walls, {}, lambda s, n: (4 * np.random.default_rng(s).random((n, 2)), _f(n, 2, seed=s), 0.5, 4.0)),
}


@pytest.mark.parametrize("name", list(AUTOMATA))
def test_more_automata_match_numpy(name):
    """Sandpile topplings through `np.nonzero` and `np.add.at`, an HPP lattice gas on bool
    channels, neighbour counts by a 3-d fancy increment, cyclic dominance, reflecting walls."""
    check_like_numpy(*AUTOMATA[name])


def test_sandpile_iterating_a_selection_is_refused():
    """`for i, j in np.argwhere(...)` iterates a selection: refused by name, NumPy's values
    under `fallback=True` (`math.exp` of array elements, STO-3G overlaps summed in Python
    loops, traces since: `test_corpus_math_module.py`)."""
    check_refused(tracenp.errors.DataDependentShapeError, sandpile_argwhere_loop,
                  lambda s: (_i(8, 5, 5, seed=s),))


def miller_reduce_gcd(hkl):
    g = np.gcd.reduce(hkl, axis=1)
    g = np.where(g == 0, 1, g)
    return hkl // g[:, None], np.lcm(hkl[:, 0], hkl[:, 1] + 1)


def symmetry_images(frac):
    ops = np.array([np.eye(3), -np.eye(3), np.diag([1, 1, -1])])
    return (np.einsum("oij,nj->oni", ops, frac) % 1.0).reshape(-1, 3)


def lattice_shells(cell, n=2):
    i = np.arange(-n, n + 1)
    grid = np.stack(np.meshgrid(i, i, i, indexing="ij"), -1).reshape(-1, 3)
    d = np.linalg.norm(grid @ cell, axis=1)
    order = np.argsort(d, kind="stable")
    return d[order][1:7], grid[order][1:7]


def occupancy_histogramdd(pos, box):
    return np.histogramdd(pos, bins=(2, 2, 2), range=[(0, box)] * 3)[0]


def pair_virial_within_cutoff(pos, L, rc=1.8):
    i, j = np.triu_indices(len(pos), 1)
    d = pos[i] - pos[j]
    d -= L * np.round(d / L)
    near = np.einsum("ij,ij->i", d, d) < rc ** 2
    dn = d[near]
    r2 = np.einsum("ij,ij->i", dn, dn)
    f = 24 * (2 * r2 ** -6 - r2 ** -3)
    return np.sum(f), np.einsum("k,ki,kj->ij", f / r2, dn, dn)


CRYSTAL_MORE = {
    "pair_virial_within_cutoff": (pair_virial_within_cutoff, {}, lambda s, n: (_lattice_pos(s, 8) * n / 4, 6.0 * n / 4)),
    "miller_reduce_gcd": (miller_reduce_gcd, {}, lambda s, n: (_i(9, 2 * n, 3, seed=s) - 4,)),
    "symmetry_images": (symmetry_images, {}, lambda s, n: (np.random.default_rng(s).random((n, 3)),)),
    "lattice_shells": (lattice_shells, {}, lambda s, n: (np.diag([1.0, 1.2, 1.5]) + 0.05 * _f(3, 3, seed=s),)),
    "occupancy_histogramdd": (occupancy_histogramdd, {}, lambda s, n: (3 * np.random.default_rng(s).random((3 * n, 3)), 3.0)),
}


@pytest.mark.parametrize("name", list(CRYSTAL_MORE))
def test_more_crystallography_matches_numpy(name):
    """Miller indices reduced by `np.gcd.reduce`, images under symmetry operations by
    `np.einsum`, neighbour shells sorted stably, occupancy by `np.histogramdd`, a pair virial
    tensor by `np.einsum` of the pairs within a cutoff."""
    check_like_numpy(*CRYSTAL_MORE[name])


def trajectory_by_append(x0, dt, n=5):
    traj = np.array([x0])
    x = x0
    for _ in range(n):
        x = x - dt * x ** 3
        traj = np.append(traj, [x], axis=0)
    return traj


def trajectory_by_vstack(x0, dt, n=5):
    ts, xs = np.array([]), np.empty((0, x0.shape[0]))
    x = x0
    for k in range(n):
        x = x * (1 - dt)
        ts = np.append(ts, k * dt)
        xs = np.vstack([xs, x])
    return ts, xs


def vacf_by_fft(v):
    n = v.shape[0]
    F = np.fft.rfft(v, n=2 * n, axis=0)
    ac = np.fft.irfft(F * np.conj(F), axis=0)[:n]
    return (ac / np.arange(n, 0, -1)[:, None]).sum(axis=1)


def fft_lowpass(img, cutoff):
    F = np.fft.fftshift(np.fft.fft2(img))
    ny, nx = img.shape
    y, x = np.ogrid[-ny // 2:ny - ny // 2, -nx // 2:nx - nx // 2]
    F[np.hypot(x, y) > cutoff] = 0
    return np.fft.ifft2(np.fft.ifftshift(F)).real


def implicit_euler_isomerization(y0, k, t):
    y = np.zeros((len(t), 2))
    y[0] = y0
    J = np.array([[-k[0], k[1]], [k[0], -k[1]]])
    for i in range(1, len(t)):
        y[i] = np.linalg.solve(np.eye(2) - (t[i] - t[i - 1]) * J, y[i - 1])
    return y


def gauss_newton_decay(c, T, n_iter=8):
    p = np.array([1.0, 0.5])
    for _ in range(n_iter):
        e = np.exp(-p[1] * T)
        J = np.column_stack([e, -p[0] * T * e])
        p = p + np.linalg.solve(J.T @ J, J.T @ (c - p[0] * e))
    return p


INTEGRATION = {
    "trajectory_by_append": (trajectory_by_append, {}, lambda s, n: (0.5 * _f(n, seed=s), 0.1)),
    "trajectory_by_vstack": (trajectory_by_vstack, {}, lambda s, n: (_f(n, seed=s), 0.1)),
    "vacf_by_fft": (vacf_by_fft, {}, lambda s, n: (_f(4 * n, 3, seed=s),)),
    "fft_lowpass": (fft_lowpass, {}, lambda s, n: (_f(n + 2, n + 4, seed=s), 2.5)),
    "implicit_euler_isomerization": (implicit_euler_isomerization, {}, lambda s, n: (np.array([1.0, 0.0]), _f(2, positive=True, seed=s), np.linspace(0, 2, n + 3))),
    "gauss_newton_decay": (gauss_newton_decay, {}, lambda s, n: ((2.0 + 0.1 * s) * np.exp(-0.8 * np.linspace(0, 4, 3 * n)), np.linspace(0, 4, 3 * n))),
}


@pytest.mark.parametrize("name", list(INTEGRATION))
def test_trajectories_and_fits_match_numpy(name):
    """Trajectories grown by `np.append`/`np.vstack` in a loop, a VACF by zero-padded
    `np.fft.rfft`, a low-pass filter written through a mask of the shifted spectrum, implicit
    Euler by `np.linalg.solve`, Gauss-Newton fits of a decay."""
    check_like_numpy(*INTEGRATION[name])
