"""Corpus, hunt AZ: numerical linear algebra as teaching code writes it (Trefethen and Bau,
Golub and Van Loan, Demmel, university course notebooks).

Orthogonalisation (classical Gram-Schmidt by two loops and by blocks, modified Gram-Schmidt by
loops and by rank-one updates, Gram-Schmidt over a list of rows with Python `sum`, Trefethen's
lecture 9 experiment, Householder QR with reflectors applied in place, with explicit
reflection matrices, with the vectors kept in a list to solve least squares and form Q, Golub
and Van Loan's `house` with `np.where` for its branches and LAPACK-style compact storage,
Givens QR by fancy-indexed row pairs and by full rotation matrices, a Givens QR step of an
upper Hessenberg matrix, complex Householder and Givens, complex modified Gram-Schmidt by
`np.vdot`), triangular systems (back and forward substitution by rows, by double loops, column
oriented, in place, for several right-hand sides, of integer and float32 matrices, inverses by
columns, `scipy.linalg.solve_triangular`), factorizations (Doolittle and outer-product LU,
partial pivoting by `A[[k, p]] = A[[p, k]]` and by copies with a permutation vector, LU solves,
determinants with the swap sign by `np.where`, Gauss-Jordan by an augmented matrix and by a
mask of the other rows, `scipy.linalg.lu`/`lu_factor`, Cholesky by Banachiewicz loops, by
Python lists and `math.sqrt`, by Trefethen's outer products, Hermitian Cholesky, `cho_factor`,
LDL^T by hand, the Thomas algorithm by preallocated arrays, by the widely copied `TDMAsolver`
gist over lists, in place and by `solve_banded`, Durbin's Yule-Walker recursion), iterations
with fixed sweeps (Jacobi by matrix splitting and by elements, Gauss-Seidel by elements, by
`solve_triangular` and with a residual history, SOR, spectral radii and the optimal SOR
parameter, a 2-D Poisson Jacobi sweep and red-black Gauss-Seidel, Richardson, steepest descent,
conjugate gradients as Wikipedia writes it and into a dict with its residual history, Jacobi
and SSOR preconditioned CG, CGLS), Krylov methods (Arnoldi with modified and twice-classical
Gram-Schmidt, Lanczos with `eigvalsh` and `eigh_tridiagonal`, GMRES by `lstsq` and by Givens
rotations, Krylov matrices by `matrix_power`), eigenvalues (power iteration normalized by the
2-norm and by the largest entry, Rayleigh-quotient histories, inverse iteration by `solve` and
by `lu_factor`, Rayleigh quotient iteration, unshifted and Wilkinson-shifted QR, Hessenberg
reduction, cyclic Jacobi with rotation matrices and with row/column updates, classical Jacobi
at the largest off-diagonal entry by `unravel_index`, deflation, subspace iteration, SVD by
`eigh` of A^T A, companion-matrix roots, Gershgorin discs, graph Laplacian spectra of integer
adjacency), least squares and conditioning (pseudo-inverses by SVD with `np.finfo` cut-offs,
least squares four ways into a dict, polynomial fits by Vandermonde, `np.linalg.cond` and
`np.linalg.norm` of every order, norms by hand, float32 solves against float64 and iterative
refinement, Hilbert matrices, float32 Kahan sums, a stable quadratic formula), matrix
functions (Taylor and Pade exponentials with scaling and squaring, by `eigh`, `scipy.linalg.
expm`), Kronecker and Khatri-Rao products (mixed products, the vec trick, a Sylvester equation
and a 2-D Poisson matrix by `np.kron`, Khatri-Rao by a loop, `einsum` and broadcasting, a CP-ALS
update), low-rank approximation (truncated SVD with the Eckart-Young errors, sums of outer
products, randomized SVD from a generator argument and seeded inside) and DFT and circulant
matrices with `np.fft`.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Iteration counts, Krylov dimensions, matrix orders,
scaling exponents, ranks, oversampling and seeds given positionally are made static; the forms
whose Python or shapes depend on array values (Golub and Van Loan's `if sigma == 0`, a pivot
swap under `if p != k`, tolerance breaks in CG, GMRES and power iteration, a scaling exponent
from the norm, numerical ranks and energy cut-offs used as slice bounds, null spaces selected by
a mask, Jacobi rotations skipped by `if`, QR deflation by `while`, a Cholesky attempt under
`try`/`except LinAlgError`) raise a named error and run eagerly under `fallback=True`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names

import tracenp


def _spd(s, n):
    a = _f(n, n, seed=s)
    return a @ a.T + n * np.eye(n)


def _dd(s, n):
    # strictly diagonally dominant, as the Jacobi and Gauss-Seidel notebooks build them
    a = _f(n, n, seed=s)
    return a + np.diag(np.abs(a).sum(axis=1) + 1.0)


def _c(s, *shape):
    return _f(*shape, seed=s) + 1j * _f(*shape, seed=s + 100)


def _orth(s, n):
    return np.linalg.qr(_f(n, n, seed=s))[0]


def _tri(s, n):
    # the three diagonals of a diagonally dominant tridiagonal system, and its right-hand side
    return (_f(n - 1, seed=s), 4.0 + _f(n, seed=s + 1, positive=True), _f(n - 1, seed=s + 2),
            _f(n, seed=s + 3))


def _upper(s, n):
    return np.triu(_f(n, n, seed=s)) + 3 * np.eye(n)


def _lower(s, n):
    return np.tril(_f(n, n, seed=s)) + 3 * np.eye(n)


# ====================================================================== orthogonalisation


def cgs_loops(A):
    # Trefethen & Bau, algorithm 7.1: classical Gram-Schmidt, two loops
    m, n = A.shape
    Q = np.zeros((m, n))
    R = np.zeros((n, n))
    for j in range(n):
        v = A[:, j].copy()
        for i in range(j):
            R[i, j] = np.dot(Q[:, i], A[:, j])
            v = v - R[i, j] * Q[:, i]
        R[j, j] = np.linalg.norm(v)
        Q[:, j] = v / R[j, j]
    return Q, R


def cgs_blocked(A):
    # the same, the projections onto all previous columns as one product
    m, n = A.shape
    Q = np.zeros_like(A)
    R = np.zeros((n, n), dtype=A.dtype)
    for j in range(n):
        R[:j, j] = Q[:, :j].T @ A[:, j]
        v = A[:, j] - Q[:, :j] @ R[:j, j]
        R[j, j] = np.linalg.norm(v)
        Q[:, j] = v / R[j, j]
    return Q, R


def mgs(A):
    # Trefethen & Bau, algorithm 8.1
    m, n = A.shape
    V = A.copy()
    Q = np.zeros((m, n))
    R = np.zeros((n, n))
    for i in range(n):
        R[i, i] = np.linalg.norm(V[:, i])
        Q[:, i] = V[:, i] / R[i, i]
        for j in range(i + 1, n):
            R[i, j] = Q[:, i] @ V[:, j]
            V[:, j] -= R[i, j] * Q[:, i]
    return Q, R


def mgs_rank_one(A):
    # modified Gram-Schmidt with the trailing columns updated by one outer product
    m, n = A.shape
    V = A.astype(np.float64)
    Q = np.empty((m, n))
    R = np.zeros((n, n))
    for k in range(n):
        R[k, k] = np.sqrt(np.sum(V[:, k] ** 2))
        Q[:, k] = V[:, k] / R[k, k]
        R[k, k + 1:] = Q[:, k] @ V[:, k + 1:]
        V[:, k + 1:] -= np.outer(Q[:, k], R[k, k + 1:])
    return Q, R


def gram_schmidt_rows(vectors):
    # the course notebook's version: a list of basis vectors and a Python sum of projections
    basis = []
    for v in vectors:
        w = v - sum(np.dot(v, b) * b for b in basis)
        basis.append(w / np.linalg.norm(w))
    return np.array(basis)


def trefethen_lecture9(U, V):
    # A = U S V with singular values 2^-1 ... 2^-n: the diagonal of R from CGS and from MGS
    n = U.shape[1]
    S = np.diag(2.0 ** -np.arange(1, n + 1))
    A = U @ S @ V
    _, Rc = cgs_loops(A)
    _, Rm = mgs(A)
    return np.diag(Rc), np.diag(Rm), np.abs(np.diag(np.linalg.qr(A)[1]))




def householder_qr(A):
    # reflectors applied to the trailing block, Q accumulated from the right
    m, n = A.shape
    Q = np.eye(m)
    R = A.copy()
    for k in range(n):
        x = R[k:, k]
        e1 = np.zeros_like(x)
        e1[0] = 1.0
        v = np.sign(x[0]) * np.linalg.norm(x) * e1 + x
        v = v / np.linalg.norm(v)
        R[k:, k:] -= 2.0 * np.outer(v, v @ R[k:, k:])
        Q[:, k:] -= 2.0 * np.outer(Q[:, k:] @ v, v)
    return Q, np.triu(R)


def householder_matrices(A):
    # the lecture's explicit H = I - 2 u u^T / u^T u, multiplied in full
    m, n = A.shape
    Q = np.identity(m)
    R = A.astype(float)
    for j in range(min(m - 1, n)):
        x = R[j:, j]
        alpha = -np.copysign(np.linalg.norm(x), x[0])
        u = x.copy()
        u[0] -= alpha
        H = np.identity(m)
        H[j:, j:] -= 2.0 * np.outer(u, u) / np.dot(u, u)
        R = H @ R
        Q = Q @ H.T
    return Q, R


def house_vectors(A):
    # Trefethen & Bau algorithm 10.1, the reflectors kept in a list
    m, n = A.shape
    R = A.copy()
    vs = []
    for k in range(n):
        x = R[k:, k]
        v = x.copy()
        v[0] += np.sign(x[0]) * np.linalg.norm(x)
        v /= np.linalg.norm(v)
        R[k:, k:] = R[k:, k:] - 2 * np.outer(v, v @ R[k:, k:])
        vs.append(v)
    return vs, R


def house_least_squares(A, b):
    # algorithm 10.2 (Q* b from the reflectors) and back substitution
    vs, R = house_vectors(A)
    n = A.shape[1]
    b = b.copy()
    for k, v in enumerate(vs):
        b[k:] -= 2 * v * (v @ b[k:])
    x = np.zeros(n)
    for i in reversed(range(n)):
        x[i] = (b[i] - R[i, i + 1:n] @ x[i + 1:]) / R[i, i]
    return x, np.linalg.norm(b[n:])


def house_form_q(A):
    # algorithm 10.3 applied to the columns of I, backwards
    vs, R = house_vectors(A)
    m = A.shape[0]
    Q = np.eye(m)
    for k in reversed(range(len(vs))):
        v = vs[k]
        Q[k:, :] -= 2 * np.outer(v, v @ Q[k:, :])
    return Q, np.triu(R)


def house_gvl(x):
    # Golub & Van Loan algorithm 5.1.1, its branches written with np.where
    sigma = x[1:] @ x[1:]
    v = x.copy()
    v[0] = 1.0
    mu = np.sqrt(x[0] ** 2 + sigma)
    v0 = np.where(x[0] <= 0, x[0] - mu, -sigma / (x[0] + mu))
    beta = np.where(sigma == 0, 0.0, 2 * v0 ** 2 / (sigma + v0 ** 2))
    v[1:] = x[1:] / np.where(sigma == 0, 1.0, v0)
    return v, beta


def householder_qr_compact(A):
    # LAPACK-style storage: R on and above the diagonal, the essential parts of v below it
    A = A.copy()
    m, n = A.shape
    betas = np.zeros(n)
    for j in range(n):
        v, beta = house_gvl(A[j:, j])
        A[j:, j:] -= beta * np.outer(v, v @ A[j:, j:])
        if j < m - 1:
            A[j + 1:, j] = v[1:]
        betas[j] = beta
    return A, betas


def q_from_compact(A):
    # backward accumulation of Q from the compact factorization
    QR, betas = householder_qr_compact(A)
    m, n = QR.shape
    Q = np.eye(m)
    for j in range(n - 1, -1, -1):
        v = np.concatenate(([1.0], QR[j + 1:, j]))
        Q[j:, j:] -= betas[j] * np.outer(v, v @ Q[j:, j:])
    return Q, np.triu(QR)[:n]


def givens_qr(A):
    # rotations on row pairs selected by fancy indexing, bottom up in each column
    m, n = A.shape
    Q = np.eye(m)
    R = A.copy()
    for j in range(n):
        for i in range(m - 1, j, -1):
            a, b = R[i - 1, j], R[i, j]
            r = np.hypot(a, b)
            c, s = a / r, b / r
            G = np.array([[c, s], [-s, c]])
            R[[i - 1, i], j:] = G @ R[[i - 1, i], j:]
            Q[:, [i - 1, i]] = Q[:, [i - 1, i]] @ G.T
    return Q, R


def givens_full_matrices(A):
    # each rotation as a full m x m matrix, as the first lecture on Givens writes it
    m, n = A.shape
    R = A.copy()
    Q = np.eye(m)
    for j in range(n):
        for i in range(j + 1, m):
            G = np.eye(m)
            denom = np.sqrt(R[j, j] ** 2 + R[i, j] ** 2)
            c = R[j, j] / denom
            s = R[i, j] / denom
            G[j, j] = c
            G[i, i] = c
            G[j, i] = s
            G[i, j] = -s
            R = G @ R
            Q = Q @ G.T
    return Q, R


def hessenberg_qr_step(H, mu):
    # one shifted QR step of an upper Hessenberg matrix by n - 1 Givens rotations
    n = H.shape[0]
    H = H - mu * np.eye(n)
    cs = np.zeros(n - 1)
    sn = np.zeros(n - 1)
    for k in range(n - 1):
        a, b = H[k, k], H[k + 1, k]
        r = np.hypot(a, b)
        cs[k], sn[k] = a / r, b / r
        G = np.array([[cs[k], sn[k]], [-sn[k], cs[k]]])
        H[k:k + 2, k:] = G @ H[k:k + 2, k:]
    for k in range(n - 1):
        G = np.array([[cs[k], sn[k]], [-sn[k], cs[k]]])
        H[:k + 2, k:k + 2] = H[:k + 2, k:k + 2] @ G.T
    return H + mu * np.eye(n)


def complex_householder_qr(A):
    # the complex reflector: alpha = -e^{i arg x_0} ||x||
    m, n = A.shape
    R = A.astype(complex)
    Q = np.eye(m, dtype=complex)
    for k in range(n):
        x = R[k:, k]
        alpha = -np.exp(1j * np.angle(x[0])) * np.linalg.norm(x)
        v = x.copy()
        v[0] -= alpha
        v /= np.linalg.norm(v)
        R[k:, :] -= 2 * np.outer(v, v.conj() @ R[k:, :])
        Q[:, k:] -= 2 * np.outer(Q[:, k:] @ v, v.conj())
    return Q, R


def complex_givens_zero(z):
    # complex rotations chasing the entries of z into its first one
    n = len(z)
    x = z.copy()
    Q = np.eye(n, dtype=complex)
    for k in range(n - 1, 0, -1):
        a, b = x[k - 1], x[k]
        r = np.sqrt(abs(a) ** 2 + abs(b) ** 2)
        c = abs(a) / r
        s = (a / abs(a)) * np.conj(b) / r
        G = np.array([[c, s], [-np.conj(s), c]])
        x[[k - 1, k]] = G @ x[[k - 1, k]]
        Q[[k - 1, k], :] = G @ Q[[k - 1, k], :]
    return x, Q


def complex_mgs_vdot(A):
    # modified Gram-Schmidt of complex columns; vdot conjugates its first argument
    n = A.shape[1]
    Q = A.copy()
    R = np.zeros((n, n), dtype=A.dtype)
    for j in range(n):
        for i in range(j):
            R[i, j] = np.vdot(Q[:, i], Q[:, j])
            Q[:, j] -= R[i, j] * Q[:, i]
        R[j, j] = np.linalg.norm(Q[:, j])
        Q[:, j] /= R[j, j]
    return Q, R, np.allclose(Q.conj().T @ Q, np.eye(n))


def _tall(s, n):
    return (_f(n + 2, n, seed=s),)


ORTHO = {
    "cgs_two_loops": (cgs_loops, {}, _tall),
    "cgs_blocked_projections": (cgs_blocked, {}, _tall),
    "cgs_blocked_float32": (cgs_blocked, {}, lambda s, n: (
        _f(n + 2, n, seed=s).astype(np.float32),)),
    "mgs_loops": (mgs, {}, _tall),
    "mgs_rank_one_updates": (mgs_rank_one, {}, _tall),
    "mgs_rank_one_int_matrix": (mgs_rank_one, {}, lambda s, n: (
        _i(7, n + 1, n, seed=s) - 3 + 5 * np.eye(n + 1, n, dtype=int),)),
    "gram_schmidt_rows_python_sum": (gram_schmidt_rows, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "trefethen_lecture9_diag_r": (trefethen_lecture9, {}, lambda s, n: (
        _orth(s, n), _orth(s + 10, n))),
    "householder_qr_in_place": (householder_qr, {}, _tall),
    "householder_explicit_matrices": (householder_matrices, {}, _tall),
    "householder_list_least_squares": (house_least_squares, {}, lambda s, n: (
        _f(n + 3, n, seed=s), _f(n + 3, seed=s + 1))),
    "householder_list_form_q": (house_form_q, {}, _tall),
    "householder_gvl_compact_storage": (householder_qr_compact, {}, _tall),
    "householder_gvl_q_backward": (q_from_compact, {}, _tall),
    "givens_qr_fancy_row_pairs": (givens_qr, {}, _tall),
    "givens_full_rotation_matrices": (givens_full_matrices, {}, lambda s, n: (
        _f(n, n - 1, seed=s),)),
    "givens_hessenberg_qr_step": (hessenberg_qr_step, {}, lambda s, n: (
        np.triu(_f(n, n, seed=s), -1), 0.3)),
    "complex_householder_qr": (complex_householder_qr, {}, lambda s, n: (_c(s, n + 1, n),)),
    "complex_givens_chase": (complex_givens_zero, {}, lambda s, n: (_c(s, n),)),
    "complex_mgs_vdot": (complex_mgs_vdot, {}, lambda s, n: (_c(s, n + 2, n),)),
}


@pytest.mark.parametrize("name", _names(ORTHO))
def test_orthogonalisation_matches_numpy(name):
    """Classical and modified Gram-Schmidt in their loop and block forms, Householder QR
    with implicit, explicit and compact reflectors, Givens QR and a Hessenberg QR step,
    complex reflectors, rotations and Gram-Schmidt."""
    check_like_numpy(*ORTHO[name])


# ================================================================ triangular and factorizations


def back_substitution(U, b):
    n = U.shape[0]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        x[i] = (b[i] - U[i, i + 1:] @ x[i + 1:]) / U[i, i]
    return x


def back_substitution_double_loop(U, b):
    n = len(b)
    x = np.zeros_like(b)
    for i in reversed(range(n)):
        s = b[i]
        for j in range(i + 1, n):
            s -= U[i, j] * x[j]
        x[i] = s / U[i, i]
    return x


def forward_substitution(L, b):
    n = L.shape[0]
    y = np.zeros(n)
    for i in range(n):
        y[i] = (b[i] - np.dot(L[i, :i], y[:i])) / L[i, i]
    return y


def forward_substitution_multi(L, B):
    # several right-hand sides at once, one row of the solution per step
    n = L.shape[0]
    Y = np.zeros_like(B, dtype=float)
    for i in range(n):
        Y[i] = (B[i] - L[i, :i] @ Y[:i]) / L[i, i]
    return Y


def back_substitution_column(U, b):
    # Golub & Van Loan algorithm 3.1.4: column oriented, b overwritten by the solution
    b = b.astype(float)
    n = len(b)
    for j in range(n - 1, 0, -1):
        b[j] = b[j] / U[j, j]
        b[:j] = b[:j] - b[j] * U[:j, j]
    b[0] = b[0] / U[0, 0]
    return b


def unit_lower_solve_inplace(L, b):
    # forward elimination with a unit lower triangle, the right-hand side overwritten
    n = len(b)
    for i in range(1, n):
        b[i] -= L[i, :i] @ b[:i]


def inverse_upper_by_columns(U):
    n = U.shape[0]
    X = np.zeros_like(U)
    I = np.eye(n)
    for k in range(n):
        X[:, k] = back_substitution(U, I[:, k])
    return X, np.linalg.inv(U)


def triangular_scipy_vs_loop(L, b):
    x1 = scipy.linalg.solve_triangular(L, b, lower=True)
    x2 = forward_substitution(L, b)
    x3 = scipy.linalg.solve_triangular(L.T, b, trans="T", lower=False)
    return x1, x2, x3


def lu_doolittle(A):
    n = A.shape[0]
    L = np.eye(n)
    U = A.copy()
    for k in range(n - 1):
        for i in range(k + 1, n):
            L[i, k] = U[i, k] / U[k, k]
            U[i, k:] -= L[i, k] * U[k, k:]
    return L, U


def lu_outer_product(A):
    # Trefethen & Bau algorithm 20.1, the inner loop as a rank-one update
    n = A.shape[0]
    U = A.astype(np.float64)
    L = np.eye(n)
    for k in range(n - 1):
        L[k + 1:, k] = U[k + 1:, k] / U[k, k]
        U[k + 1:, k:] -= np.outer(L[k + 1:, k], U[k, k:])
    return L, np.triu(U)


def lu_partial_pivot_fancy(A):
    # Trefethen & Bau algorithm 21.1, rows swapped by fancy indexing
    n = A.shape[0]
    U = A.copy()
    L = np.eye(n)
    P = np.eye(n)
    for k in range(n - 1):
        p = np.argmax(np.abs(U[k:, k])) + k
        U[[k, p], k:] = U[[p, k], k:]
        L[[k, p], :k] = L[[p, k], :k]
        P[[k, p]] = P[[p, k]]
        for j in range(k + 1, n):
            L[j, k] = U[j, k] / U[k, k]
            U[j, k:] -= L[j, k] * U[k, k:]
    return P, L, U


def lu_pivot_copies(A):
    # swaps through a temporary copy, multipliers stored in place, a permutation vector
    A = A.copy()
    n = len(A)
    perm = np.arange(n)
    for k in range(n - 1):
        p = k + np.argmax(abs(A[k:, k]))
        tmp = A[k].copy()
        A[k] = A[p]
        A[p] = tmp
        perm[k], perm[p] = perm[p], perm[k]
        A[k + 1:, k] /= A[k, k]
        A[k + 1:, k + 1:] -= np.outer(A[k + 1:, k], A[k, k + 1:])
    return A, perm


def lu_swap_row_views(A):
    # the tuple swap of row views: both rows end up holding row p, as NumPy's views make them
    A = A.copy()
    n = len(A)
    for k in range(n - 1):
        p = np.argmax(np.abs(A[k:, k])) + k
        A[k], A[p] = A[p], A[k]
        A[k + 1:] -= np.outer(A[k + 1:, k] / A[k, k], A[k])
    return A


def qr_column_pivoting(A):
    # Householder QR with column pivoting: the largest remaining column swapped in by fancy
    # indexing, the permutation kept as a vector
    A = A.copy()
    m, n = A.shape
    perm = np.arange(n)
    for k in range(n):
        p = np.argmax(np.sum(A[k:, k:] ** 2, axis=0)) + k
        A[:, [k, p]] = A[:, [p, k]]
        perm[[k, p]] = perm[[p, k]]
        x = A[k:, k]
        v = x.copy()
        v[0] += np.sign(x[0]) * np.linalg.norm(x)
        v /= np.linalg.norm(v)
        A[k:, k:] -= 2 * np.outer(v, v @ A[k:, k:])
    return np.triu(A)[:n], perm


def lu_solve_by_hand(A, b):
    LU, perm = lu_pivot_copies(A)
    n = len(b)
    y = b[perm].astype(float)
    for i in range(n):
        y[i] -= LU[i, :i] @ y[:i]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        x[i] = (y[i] - LU[i, i + 1:] @ x[i + 1:]) / LU[i, i]
    return x, np.linalg.solve(A, b)


def det_by_elimination(A):
    # the determinant as the product of the pivots, the sign flipped on each swap
    U = A.astype(float)
    n = U.shape[0]
    sign = 1.0
    swaps = 0
    for k in range(n - 1):
        p = np.argmax(np.abs(U[k:, k])) + k
        sign = np.where(p != k, -sign, sign)
        swaps += p != k
        U[[k, p]] = U[[p, k]]
        U[k + 1:] -= np.outer(U[k + 1:, k] / U[k, k], U[k])
    return sign * np.prod(np.diag(U)), (-1) ** swaps, np.linalg.det(A)


def gauss_jordan_solve(A, b):
    # an augmented matrix [A | b], pivoting, every other row eliminated
    n = len(b)
    M = np.hstack([A, b.reshape(-1, 1)]).astype(float)
    for k in range(n):
        p = k + np.argmax(np.abs(M[k:, k]))
        M[[k, p]] = M[[p, k]]
        M[k] = M[k] / M[k, k]
        for i in range(n):
            if i != k:
                M[i] -= M[i, k] * M[k]
    return M[:, -1]


def gauss_jordan_inverse(A):
    # [A | I] reduced to [I | A^-1], the other rows by a boolean mask
    n = A.shape[0]
    aug = np.concatenate([A, np.eye(n)], axis=1)
    for i in range(n):
        p = np.argmax(np.abs(aug[i:, i])) + i
        aug[[i, p]] = aug[[p, i]]
        aug[i] /= aug[i, i]
        others = np.arange(n) != i
        aug[others] -= np.outer(aug[others, i], aug[i])
    return aug[:, n:]


def scipy_lu_check(A):
    P, L, U = scipy.linalg.lu(A)
    lu, piv = scipy.linalg.lu_factor(A)
    return np.linalg.norm(P @ L @ U - A), L, U, lu, piv


def cholesky_banachiewicz(A):
    n = A.shape[0]
    L = np.zeros_like(A)
    for i in range(n):
        for j in range(i + 1):
            s = np.dot(L[i, :j], L[j, :j])
            if i == j:
                L[i, j] = np.sqrt(A[i, i] - s)
            else:
                L[i, j] = (A[i, j] - s) / L[j, j]
    return L


def cholesky_lists(A):
    # the Rosetta Code version: lists of lists, math.sqrt and a generator sum
    n = len(A)
    L = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for k in range(i + 1):
            tmp_sum = sum(L[i][j] * L[k][j] for j in range(k))
            if i == k:
                L[i][k] = math.sqrt(A[i][i] - tmp_sum)
            else:
                L[i][k] = 1.0 / L[k][k] * (A[i][k] - tmp_sum)
    return np.array(L)


def cholesky_outer_product(A):
    # Trefethen & Bau algorithm 23.1
    R = A.copy()
    m = A.shape[0]
    for k in range(m):
        for j in range(k + 1, m):
            R[j, j:] -= R[k, j:] * R[k, j] / R[k, k]
        R[k, k:] /= np.sqrt(R[k, k])
    return np.triu(R), np.linalg.cholesky(A).T


def cholesky_hermitian(A):
    n = A.shape[0]
    L = np.zeros_like(A)
    for j in range(n):
        L[j, j] = np.sqrt(A[j, j] - np.vdot(L[j, :j], L[j, :j]))
        for i in range(j + 1, n):
            L[i, j] = (A[i, j] - L[i, :j] @ L[j, :j].conj()) / L[j, j]
    return L, np.linalg.cholesky(A)


def cholesky_solve_scipy(A, B):
    c, low = scipy.linalg.cho_factor(A)
    X = scipy.linalg.cho_solve((c, low), B)
    return X, np.triu(c), low


def ldlt(A):
    n = A.shape[0]
    L = np.eye(n)
    d = np.zeros(n)
    for j in range(n):
        d[j] = A[j, j] - np.sum(L[j, :j] ** 2 * d[:j])
        for i in range(j + 1, n):
            L[i, j] = (A[i, j] - np.sum(L[i, :j] * L[j, :j] * d[:j])) / d[j]
    return L, d


def ldlt_solve(A, b):
    L, d = ldlt(A)
    y = scipy.linalg.solve_triangular(L, b, lower=True, unit_diagonal=True)
    z = y / d
    x = scipy.linalg.solve_triangular(L.T, z, lower=False, unit_diagonal=True)
    return x, np.sum(d < 0)


def thomas(a, b, c, d):
    # a: sub-diagonal (n - 1), b: diagonal (n), c: super-diagonal (n - 1)
    n = len(d)
    cp = np.zeros(n - 1)
    dp = np.zeros(n)
    cp[0] = c[0] / b[0]
    dp[0] = d[0] / b[0]
    for i in range(1, n):
        denom = b[i] - a[i - 1] * cp[i - 1]
        if i < n - 1:
            cp[i] = c[i] / denom
        dp[i] = (d[i] - a[i - 1] * dp[i - 1]) / denom
    x = np.zeros(n)
    x[-1] = dp[-1]
    for i in range(n - 2, -1, -1):
        x[i] = dp[i] - cp[i] * x[i + 1]
    return x


def TDMAsolver(a, b, c, d):
    # the widely copied gist: lists in, np.array of each, xc aliasing bc
    nf = len(d)
    ac, bc, cc, dc = map(np.array, (a, b, c, d))
    for it in range(1, nf):
        mc = ac[it - 1] / bc[it - 1]
        bc[it] = bc[it] - mc * cc[it - 1]
        dc[it] = dc[it] - mc * dc[it - 1]
    xc = bc
    xc[-1] = dc[-1] / bc[-1]
    for il in range(nf - 2, -1, -1):
        xc[il] = (dc[il] - cc[il] * xc[il + 1]) / bc[il]
    return xc


def thomas_inplace(a, b, c, d):
    # the elimination written into b and d themselves
    n = len(d)
    for i in range(1, n):
        w = a[i - 1] / b[i - 1]
        b[i] -= w * c[i - 1]
        d[i] -= w * d[i - 1]
    x = np.empty_like(d)
    x[-1] = d[-1] / b[-1]
    for i in range(n - 2, -1, -1):
        x[i] = (d[i] - c[i] * x[i + 1]) / b[i]
    return x


def tridiag_banded_vs_dense(a, b, c, d):
    n = len(d)
    ab = np.zeros((3, n))
    ab[0, 1:] = c
    ab[1] = b
    ab[2, :-1] = a
    x_banded = scipy.linalg.solve_banded((1, 1), ab, d)
    T = np.diag(b) + np.diag(a, -1) + np.diag(c, 1)
    return x_banded, np.linalg.solve(T, d)


def durbin(r):
    # Golub & Van Loan algorithm 4.7.1: the Yule-Walker system T y = -r
    n = len(r)
    y = np.zeros(n)
    y[0] = -r[0]
    beta = 1.0
    alpha = -r[0]
    for k in range(n - 1):
        beta = (1 - alpha ** 2) * beta
        alpha = -(r[k + 1] + r[k::-1] @ y[:k + 1]) / beta
        y[:k + 1] = y[:k + 1] + alpha * y[k::-1]
        y[k + 1] = alpha
    T = scipy.linalg.toeplitz(np.r_[1.0, r[:-1]])
    return y, np.linalg.solve(T, -r)


def _ar_acf(s, n):
    # autocorrelations of a stable AR process, so that T is positive definite
    return 0.6 ** np.arange(1, n + 1) * (1 + 0.1 * _f(n, seed=s))


FACTOR = {
    "back_substitution_rows": (back_substitution, {}, lambda s, n: (
        _upper(s, n), _f(n, seed=s + 1))),
    "back_substitution_int_matrix": (back_substitution, {}, lambda s, n: (
        np.triu(_i(9, n, n, seed=s)) + np.eye(n, dtype=int), _i(9, n, seed=s + 1))),
    "back_substitution_double_loop_f32": (back_substitution_double_loop, {}, lambda s, n: (
        _upper(s, n).astype(np.float32), _f(n, seed=s + 1).astype(np.float32))),
    "forward_substitution_multi_rhs": (forward_substitution_multi, {}, lambda s, n: (
        _lower(s, n), _i(5, n, 3, seed=s))),
    "back_substitution_column_oriented": (back_substitution_column, {}, lambda s, n: (
        _upper(s, n), _i(9, n, seed=s + 1))),
    "unit_lower_solve_in_place": (unit_lower_solve_inplace, {}, lambda s, n: (
        _lower(s, n), _f(n, seed=s + 1))),
    "inverse_upper_by_columns": (inverse_upper_by_columns, {}, lambda s, n: (_upper(s, n),)),
    "solve_triangular_vs_loop": (triangular_scipy_vs_loop, {}, lambda s, n: (
        _lower(s, n), _f(n, seed=s + 1))),
    "lu_doolittle_loops": (lu_doolittle, {}, lambda s, n: (_dd(s, n),)),
    "lu_outer_product": (lu_outer_product, {}, lambda s, n: (_dd(s, n),)),
    "lu_outer_product_int": (lu_outer_product, {}, lambda s, n: (
        _i(5, n, n, seed=s) + 10 * np.eye(n, dtype=int),)),
    "lu_partial_pivot_fancy_swaps": (lu_partial_pivot_fancy, {}, lambda s, n: (_f(n, n, seed=s),)),
    "lu_pivot_copies_perm_vector": (lu_pivot_copies, {}, lambda s, n: (_f(n, n, seed=s),)),
    "lu_tuple_swap_of_row_views": (lu_swap_row_views, {}, lambda s, n: (_f(n, n, seed=s),)),
    "qr_column_pivoting_fancy_swaps": (qr_column_pivoting, {}, lambda s, n: (
        _f(n + 2, n, seed=s) * np.arange(1, n + 1),)),
    "lu_solve_by_hand": (lu_solve_by_hand, {}, lambda s, n: (
        _f(n, n, seed=s), _f(n, seed=s + 1))),
    "det_by_elimination_sign": (det_by_elimination, {}, lambda s, n: (_f(n, n, seed=s),)),
    "gauss_jordan_augmented": (gauss_jordan_solve, {}, lambda s, n: (
        _f(n, n, seed=s), _f(n, seed=s + 1))),
    "gauss_jordan_inverse_mask": (gauss_jordan_inverse, {}, lambda s, n: (_f(n, n, seed=s),)),
    "scipy_lu_and_lu_factor": (scipy_lu_check, {}, lambda s, n: (_f(n, n, seed=s),)),
    "cholesky_banachiewicz": (cholesky_banachiewicz, {}, lambda s, n: (_spd(s, n),)),
    "cholesky_lists_math_sqrt": (cholesky_lists, {}, lambda s, n: (_spd(s, n),)),
    "cholesky_outer_product": (cholesky_outer_product, {}, lambda s, n: (_spd(s, n),)),
    "cholesky_hermitian_vdot": (cholesky_hermitian, {}, lambda s, n: (
        (lambda z: z @ z.conj().T + n * np.eye(n))(_c(s, n, n)),)),
    "cho_factor_cho_solve": (cholesky_solve_scipy, {}, lambda s, n: (
        _spd(s, n), _f(n, 2, seed=s + 1))),
    "ldlt_by_hand": (ldlt, {}, lambda s, n: (_spd(s, n),)),
    "ldlt_indefinite_solve": (ldlt_solve, {}, lambda s, n: (
        _spd(s, n) - n * 1.5 * np.eye(n), _f(n, seed=s + 1))),
    "thomas_preallocated": (thomas, {}, lambda s, n: _tri(s, n)),
    "tdma_gist_lists": (TDMAsolver, {}, lambda s, n: tuple(list(v) for v in _tri(s, n))),
    "thomas_in_place": (thomas_inplace, {}, lambda s, n: _tri(s, n)),
    "tridiagonal_solve_banded": (tridiag_banded_vs_dense, {}, lambda s, n: _tri(s, n)),
    "durbin_yule_walker": (durbin, {}, lambda s, n: (_ar_acf(s, n),)),
}


@pytest.mark.parametrize("name", _names(FACTOR))
def test_triangular_solves_and_factorizations_match_numpy(name):
    """Back and forward substitution in their row, column, in-place and multi-right-hand-side
    forms, LU with and without pivoting, determinants, Gauss-Jordan, Cholesky and LDL^T by
    hand, the Thomas algorithm and Durbin's recursion."""
    check_like_numpy(*FACTOR[name])


# ========================================================================= fixed-sweep iterations


def jacobi_splitting(A, b, iters=25):
    D = np.diag(A)
    R = A - np.diagflat(D)
    x = np.zeros_like(b)
    for _ in range(iters):
        x = (b - R @ x) / D
    return x


def jacobi_elementwise(A, b, n_sweeps=12):
    n = len(b)
    x = np.zeros(n)
    for _ in range(n_sweeps):
        x_new = np.zeros(n)
        for i in range(n):
            s1 = np.dot(A[i, :i], x[:i])
            s2 = np.dot(A[i, i + 1:], x[i + 1:])
            x_new[i] = (b[i] - s1 - s2) / A[i, i]
        x = x_new
    return x


def gauss_seidel(A, b, x0, sweeps=10):
    x = x0.copy()
    n = len(b)
    for _ in range(sweeps):
        for i in range(n):
            sigma = A[i, :i] @ x[:i] + A[i, i + 1:] @ x[i + 1:]
            x[i] = (b[i] - sigma) / A[i, i]
    return x


def gauss_seidel_triangular(A, b, sweeps=12):
    L = np.tril(A)
    U = np.triu(A, 1)
    x = np.zeros_like(b)
    for _ in range(sweeps):
        x = scipy.linalg.solve_triangular(L, b - U @ x, lower=True)
    return x


def gauss_seidel_history(A, b, sweeps=12):
    L = np.tril(A)
    U = A - L
    x = np.zeros(len(b))
    res = []
    for k in range(sweeps):
        x = np.linalg.solve(L, b - np.dot(U, x))
        res.append(np.linalg.norm(b - A @ x))
    return x, np.array(res)


def sor(A, b, omega, sweeps=6):
    n = len(b)
    x = np.zeros(n)
    for _ in range(sweeps):
        for i in range(n):
            sigma = 0.0
            for j in range(n):
                if j != i:
                    sigma += A[i, j] * x[j]
            x[i] = (1 - omega) * x[i] + omega * (b[i] - sigma) / A[i, i]
    return x


def iteration_spectral_radii(A):
    # rho of the Jacobi and Gauss-Seidel matrices, and Young's optimal SOR parameter
    D = np.diag(np.diag(A))
    L = -np.tril(A, -1)
    U = -np.triu(A, 1)
    T_j = np.linalg.inv(D) @ (L + U)
    rho = np.max(np.abs(np.linalg.eigvals(T_j)))
    omega = 2 / (1 + np.sqrt(1 - rho ** 2))
    T_gs = np.linalg.inv(D - L) @ U
    rho_gs = max(abs(np.linalg.eigvals(T_gs)))
    return rho, omega, rho_gs


def poisson_jacobi_grid(f, h, sweeps=30):
    u = np.zeros_like(f)
    for _ in range(sweeps):
        u[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:]
                                - h * h * f[1:-1, 1:-1])
    return u


def poisson_red_black(f, h, sweeps=10):
    u = np.zeros_like(f)
    i, j = np.indices(f.shape)
    interior = np.zeros(f.shape, dtype=bool)
    interior[1:-1, 1:-1] = True
    for _ in range(sweeps):
        for color in (0, 1):
            mask = interior & ((i + j) % 2 == color)
            nb = np.zeros_like(u)
            nb[1:-1, 1:-1] = u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:]
            u[mask] = 0.25 * (nb[mask] - h * h * f[mask])
    return u




def steepest_descent(A, b, x0, iters=25):
    x = x0.copy()
    for _ in range(iters):
        r = b - A @ x
        alpha = r @ r / (r @ A @ r)
        x = x + alpha * r
    return x


def conjgrad(A, b, x):
    # Wikipedia's Python, run for n iterations
    r = b - np.dot(A, x)
    p = r
    rsold = np.dot(np.transpose(r), r)
    for i in range(len(b)):
        Ap = np.dot(A, p)
        alpha = rsold / np.dot(np.transpose(p), Ap)
        x = x + np.dot(alpha, p)
        r = r - np.dot(alpha, Ap)
        rsnew = np.dot(np.transpose(r), r)
        p = r + (rsnew / rsold) * p
        rsold = rsnew
    return x


def cg_history(A, b, maxiter=3):
    x = np.zeros(len(b))
    r = b.copy()
    p = r.copy()
    rr = r @ r
    hist = [np.sqrt(rr)]
    for k in range(maxiter):
        Ap = A @ p
        alpha = rr / (p @ Ap)
        x += alpha * p
        r -= alpha * Ap
        rr_new = r @ r
        p = r + rr_new / rr * p
        rr = rr_new
        hist.append(np.sqrt(rr))
    return {"x": x, "residuals": np.array(hist), "iterations": maxiter}


def pcg_jacobi(A, b, iters=3):
    Minv = 1.0 / np.diag(A)
    x = np.zeros_like(b)
    r = b - A @ x
    z = Minv * r
    p = z.copy()
    rz = r @ z
    for _ in range(iters):
        Ap = A @ p
        alpha = rz / (p @ Ap)
        x = x + alpha * p
        r = r - alpha * Ap
        z = Minv * r
        rz_new = r @ z
        p = z + (rz_new / rz) * p
        rz = rz_new
    return x, np.linalg.norm(r)


def pcg_ssor(A, b, omega=1.2, iters=3):
    d = np.diag(A)
    M1 = np.diag(d / omega) + np.tril(A, -1)

    def apply_minv(r):
        y = scipy.linalg.solve_triangular(M1, r, lower=True)
        y = (2 - omega) / omega * d * y
        return scipy.linalg.solve_triangular(M1.T, y, lower=False)

    x = np.zeros_like(b)
    r = b.copy()
    z = apply_minv(r)
    p = z
    for _ in range(iters):
        Ap = A @ p
        alpha = (r @ z) / (p @ Ap)
        x = x + alpha * p
        r_new = r - alpha * Ap
        z_new = apply_minv(r_new)
        beta = (r_new @ z_new) / (r @ z)
        p = z_new + beta * p
        r, z = r_new, z_new
    return x


def cgls(A, b, iters=3):
    # CG on the normal equations without forming A^T A
    x = np.zeros(A.shape[1])
    r = b.copy()
    s = A.T @ r
    p = s.copy()
    gamma = s @ s
    for _ in range(iters):
        q = A @ p
        alpha = gamma / (q @ q)
        x += alpha * p
        r -= alpha * q
        s = A.T @ r
        gamma_new = s @ s
        p = s + gamma_new / gamma * p
        gamma = gamma_new
    return x, np.linalg.norm(r)


def _tridiag_model(s, n):
    # the 1-D Poisson matrix, perturbed on the diagonal
    return (2 + 0.2 * _f(n, seed=s, positive=True)) * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)


ITER = {
    "jacobi_matrix_splitting": (jacobi_splitting, {}, lambda s, n: (_dd(s, n), _f(n, seed=s))),
    "jacobi_elementwise_dots": (jacobi_elementwise, {}, lambda s, n: (
        _dd(s, n), _f(n, seed=s))),
    "gauss_seidel_elementwise": (gauss_seidel, {}, lambda s, n: (
        _dd(s, n), _f(n, seed=s), np.zeros(n))),
    "gauss_seidel_solve_triangular": (gauss_seidel_triangular, {}, lambda s, n: (
        _dd(s, n), _f(n, seed=s))),
    "gauss_seidel_residual_history": (gauss_seidel_history, {}, lambda s, n: (
        _dd(s, n), _f(n, seed=s))),
    "sor_triple_loop": (sor, {}, lambda s, n: (_spd(s, n), _f(n, seed=s), 1.25)),
    "spectral_radii_optimal_omega": (iteration_spectral_radii, {}, lambda s, n: (
        _tridiag_model(s, n),)),
    "poisson_jacobi_grid_sweeps": (poisson_jacobi_grid, {}, lambda s, n: (
        _f(n + 2, n + 3, seed=s), 0.1)),
    "poisson_red_black_masks": (poisson_red_black, {}, lambda s, n: (
        _f(n + 2, n + 2, seed=s), 0.1)),
    "steepest_descent": (steepest_descent, {}, lambda s, n: (
        _spd(s, n), _f(n, seed=s), np.zeros(n))),
    "cg_wikipedia_n_steps": (conjgrad, {}, lambda s, n: (
        _spd(s, n), _f(n, seed=s), np.zeros(n))),
    "cg_dict_history": (cg_history, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "pcg_jacobi_preconditioner": (pcg_jacobi, {}, lambda s, n: (
        _spd(s, n) * np.outer(np.arange(1, n + 1), np.arange(1, n + 1)), _f(n, seed=s))),
    "pcg_ssor_closure": (pcg_ssor, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "cgls_normal_equations": (cgls, {}, lambda s, n: (_f(2 * n, n, seed=s), _f(2 * n, seed=s))),
}


@pytest.mark.parametrize("name", _names(ITER))
def test_fixed_sweep_iterations_match_numpy(name):
    """Jacobi, Gauss-Seidel, SOR and Richardson with fixed sweeps, spectral radii of the
    iteration matrices, Poisson sweeps on grids, steepest descent, CG, preconditioned CG and
    CGLS with fixed iteration counts."""
    check_like_numpy(*ITER[name])


# ============================================================================== Krylov methods


def arnoldi(A, b, k):
    n = A.shape[0]
    Q = np.zeros((n, k + 1))
    H = np.zeros((k + 1, k))
    Q[:, 0] = b / np.linalg.norm(b)
    for j in range(k):
        v = A @ Q[:, j]
        for i in range(j + 1):
            H[i, j] = Q[:, i] @ v
            v = v - H[i, j] * Q[:, i]
        H[j + 1, j] = np.linalg.norm(v)
        Q[:, j + 1] = v / H[j + 1, j]
    return Q, H


def arnoldi_cgs2(A, b, k):
    # classical Gram-Schmidt twice, each pass one product with the basis so far
    Q = np.zeros((len(b), k + 1))
    H = np.zeros((k + 1, k))
    Q[:, 0] = b / np.linalg.norm(b)
    for j in range(k):
        w = A @ Q[:, j]
        h = Q[:, :j + 1].T @ w
        w = w - Q[:, :j + 1] @ h
        h2 = Q[:, :j + 1].T @ w
        w = w - Q[:, :j + 1] @ h2
        H[:j + 1, j] = h + h2
        H[j + 1, j] = np.linalg.norm(w)
        Q[:, j + 1] = w / H[j + 1, j]
    return Q, H


def lanczos(A, v, k):
    n = len(v)
    V = np.zeros((n, k))
    alpha = np.zeros(k)
    beta = np.zeros(k - 1)
    V[:, 0] = v / np.linalg.norm(v)
    w = A @ V[:, 0]
    alpha[0] = w @ V[:, 0]
    w = w - alpha[0] * V[:, 0]
    for j in range(1, k):
        beta[j - 1] = np.linalg.norm(w)
        V[:, j] = w / beta[j - 1]
        w = A @ V[:, j]
        alpha[j] = w @ V[:, j]
        w = w - alpha[j] * V[:, j] - beta[j - 1] * V[:, j - 1]
    T = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    return T, np.linalg.eigvalsh(T), V


def lanczos_reorth_tridiagonal(A, v, k):
    # full reorthogonalisation, Ritz values by scipy's tridiagonal eigensolver
    n = len(v)
    V = np.zeros((n, k + 1))
    a = np.zeros(k)
    b = np.zeros(k)
    V[:, 0] = v / np.linalg.norm(v)
    for j in range(k):
        w = A @ V[:, j]
        a[j] = V[:, j] @ w
        w -= V[:, :j + 1] @ (V[:, :j + 1].T @ w)
        b[j] = np.linalg.norm(w)
        V[:, j + 1] = w / b[j]
    ritz = scipy.linalg.eigh_tridiagonal(a, b[:-1], eigvals_only=True)
    return ritz, a, b


def gmres_lstsq(A, b, k):
    Q, H = arnoldi(A, b, k)
    beta = np.linalg.norm(b)
    e1 = np.zeros(k + 1)
    e1[0] = beta
    y = np.linalg.lstsq(H, e1, rcond=None)[0]
    x = Q[:, :k] @ y
    return x, np.linalg.norm(b - A @ x)


def gmres_givens(A, b, m):
    # GMRES with the Hessenberg matrix reduced by Givens rotations as it grows
    n = len(b)
    beta = np.linalg.norm(b)
    Q = np.zeros((n, m + 1))
    H = np.zeros((m + 1, m))
    cs = np.zeros(m)
    sn = np.zeros(m)
    g = np.zeros(m + 1)
    g[0] = beta
    Q[:, 0] = b / beta
    for j in range(m):
        w = A @ Q[:, j]
        for i in range(j + 1):
            H[i, j] = np.dot(w, Q[:, i])
            w -= H[i, j] * Q[:, i]
        H[j + 1, j] = np.linalg.norm(w)
        Q[:, j + 1] = w / H[j + 1, j]
        for i in range(j):
            temp = cs[i] * H[i, j] + sn[i] * H[i + 1, j]
            H[i + 1, j] = -sn[i] * H[i, j] + cs[i] * H[i + 1, j]
            H[i, j] = temp
        denom = np.sqrt(H[j, j] ** 2 + H[j + 1, j] ** 2)
        cs[j] = H[j, j] / denom
        sn[j] = H[j + 1, j] / denom
        H[j, j] = cs[j] * H[j, j] + sn[j] * H[j + 1, j]
        H[j + 1, j] = 0.0
        g[j + 1] = -sn[j] * g[j]
        g[j] = cs[j] * g[j]
    y = scipy.linalg.solve_triangular(H[:m, :m], g[:m])
    return Q[:, :m] @ y, np.abs(g)


def krylov_matrix(A, b, k):
    K = np.column_stack([np.linalg.matrix_power(A, j) @ b for j in range(k)])
    Q, R = np.linalg.qr(K)
    return K, np.abs(np.diag(R)), np.linalg.cond(K)


def ritz_values_arnoldi(A, b, k):
    _, H = arnoldi(A, b, k)
    theta = np.linalg.eigvals(H[:k, :k])
    return np.sort(theta.real), np.sort(np.abs(theta))


KRYLOV = {
    "arnoldi_mgs": (arnoldi, {"k": 3}, lambda s, n: (_f(n, n, seed=s), _f(n, seed=s + 1))),
    "arnoldi_cgs_twice": (arnoldi_cgs2, {"k": 3}, lambda s, n: (
        _f(n, n, seed=s), _f(n, seed=s + 1))),
    "lanczos_eigvalsh": (lanczos, {"k": 3}, lambda s, n: (_spd(s, n), _f(n, seed=s + 1))),
    "lanczos_reorth_eigh_tridiagonal": (lanczos_reorth_tridiagonal, {"k": 3}, lambda s, n: (
        _spd(s, n), _f(n, seed=s + 1))),
    "gmres_arnoldi_lstsq": (gmres_lstsq, {"k": 3}, lambda s, n: (
        _dd(s, n), _f(n, seed=s + 1))),
    "gmres_givens_rotations": (gmres_givens, {"m": 3}, lambda s, n: (
        _dd(s, n), _f(n, seed=s + 1))),
    "krylov_matrix_power": (krylov_matrix, {"k": 3}, lambda s, n: (
        _f(n, n, seed=s), _f(n, seed=s + 1))),
    "ritz_values_sorted": (ritz_values_arnoldi, {"k": 3}, lambda s, n: (
        _spd(s, n), _f(n, seed=s + 1))),
}


@pytest.mark.parametrize("name", _names(KRYLOV))
def test_krylov_methods_match_numpy(name):
    """Arnoldi (modified and twice classical Gram-Schmidt), Lanczos with eigvalsh and
    eigh_tridiagonal, GMRES by lstsq and by Givens rotations, Krylov matrices, Ritz values."""
    check_like_numpy(*KRYLOV[name])


# ================================================================================ eigenvalues


def power_iteration(A, num_iters=30):
    b = np.ones(A.shape[1])
    for _ in range(num_iters):
        b1 = A @ b
        b = b1 / np.linalg.norm(b1)
    return b @ A @ b, b


def power_iteration_inf(A, x0, iters=30):
    # normalised by the entry of largest magnitude, its value the eigenvalue estimate
    x = x0
    for _ in range(iters):
        y = A @ x
        lam = y[np.argmax(np.abs(y))]
        x = y / lam
    return lam, x




def inverse_iteration(A, mu, iters=8):
    n = A.shape[0]
    x = np.ones(n) / np.sqrt(n)
    M = A - mu * np.eye(n)
    for _ in range(iters):
        x = np.linalg.solve(M, x)
        x /= np.linalg.norm(x)
    return x @ A @ x, x


def inverse_iteration_lu(A, mu, iters=8):
    # factor once, solve many times
    lu_piv = scipy.linalg.lu_factor(A - mu * np.identity(len(A)))
    x = np.ones(len(A))
    for _ in range(iters):
        x = scipy.linalg.lu_solve(lu_piv, x)
        x = x / np.linalg.norm(x, np.inf)
    return x


def rayleigh_quotient_iteration(A, x0, iters=2):
    x = x0 / np.linalg.norm(x0)
    lam = x @ A @ x
    I = np.eye(A.shape[0])
    for _ in range(iters):
        y = np.linalg.solve(A - lam * I, x)
        x = y / np.linalg.norm(y)
        lam = x @ A @ x
    return lam, x


def qr_algorithm_unshifted(A, iters=25):
    Ak = A.copy()
    Qacc = np.eye(len(A))
    for _ in range(iters):
        Q, R = np.linalg.qr(Ak)
        Ak = R @ Q
        Qacc = Qacc @ Q
    return np.diag(Ak), np.abs(Qacc)


def qr_algorithm_wilkinson(A, iters=6):
    # shifted QR with the Wilkinson shift from the trailing 2 x 2 block
    H = A.copy()
    n = H.shape[0]
    I = np.eye(n)
    for _ in range(iters):
        a, b, c = H[-2, -2], H[-1, -2], H[-1, -1]
        delta = (a - c) / 2
        mu = c - np.sign(delta) * b ** 2 / (abs(delta) + np.sqrt(delta ** 2 + b ** 2))
        Q, R = np.linalg.qr(H - mu * I)
        H = R @ Q + mu * I
    return H[-1, -1], abs(H[-1, -2]), np.sort(np.linalg.eigvalsh(A))


def hessenberg_householder(A):
    # Trefethen & Bau algorithm 26.1, with Q accumulated
    H = A.copy()
    m = A.shape[0]
    Q = np.eye(m)
    for k in range(m - 2):
        x = H[k + 1:, k]
        v = x.copy()
        v[0] += np.sign(x[0]) * np.linalg.norm(x)
        v /= np.linalg.norm(v)
        H[k + 1:, k:] -= 2 * np.outer(v, v @ H[k + 1:, k:])
        H[:, k + 1:] -= 2 * np.outer(H[:, k + 1:] @ v, v)
        Q[:, k + 1:] -= 2 * np.outer(Q[:, k + 1:] @ v, v)
    return H, Q, np.allclose(Q @ H @ Q.T, A), np.abs(np.tril(H, -2)).max()


def _jacobi_cs(A, p, q):
    theta = (A[q, q] - A[p, p]) / (2 * A[p, q])
    t = np.sign(theta) / (np.abs(theta) + np.sqrt(theta ** 2 + 1))
    c = 1 / np.sqrt(t ** 2 + 1)
    return c, t * c




def jacobi_eigen_rows(A, sweeps=3):
    # the same rotations applied to two columns and two rows with copies
    A = A.copy()
    n = A.shape[0]
    V = np.eye(n)
    for _ in range(sweeps):
        for p in range(n - 1):
            for q in range(p + 1, n):
                c, s = _jacobi_cs(A, p, q)
                Ap, Aq = A[:, p].copy(), A[:, q].copy()
                A[:, p] = c * Ap - s * Aq
                A[:, q] = s * Ap + c * Aq
                Ap, Aq = A[p, :].copy(), A[q, :].copy()
                A[p, :] = c * Ap - s * Aq
                A[q, :] = s * Ap + c * Aq
                Vp, Vq = V[:, p].copy(), V[:, q].copy()
                V[:, p] = c * Vp - s * Vq
                V[:, q] = s * Vp + c * Vq
    return np.sort(np.diag(A)), np.linalg.norm(A - np.diag(np.diag(A)))


def jacobi_classical_pivot(A, n_rot=10):
    # classical Jacobi: rotate at the largest off-diagonal entry, found by unravel_index
    A = A.copy()
    n = A.shape[0]
    V = np.eye(n)
    for _ in range(n_rot):
        off = np.abs(np.triu(A, 1))
        p, q = np.unravel_index(np.argmax(off), A.shape)
        c, s = _jacobi_cs(A, p, q)
        J = np.eye(n)
        J[p, p] = J[q, q] = c
        J[p, q] = s
        J[q, p] = -s
        A = J.T @ A @ J
        V = V @ J
    return np.sort(np.diag(A)), V.T @ V


def top_k_deflation(A, k=2, iters=25):
    A = A.copy()
    vals = []
    vecs = []
    for _ in range(k):
        v = np.ones(A.shape[0])
        for _ in range(iters):
            v = A @ v
            v /= np.linalg.norm(v)
        lam = v @ A @ v
        vals.append(lam)
        vecs.append(v)
        A = A - lam * np.outer(v, v)
    return np.array(vals), np.column_stack(vecs)


def subspace_iteration(A, Q0, iters=15):
    Q = Q0
    for _ in range(iters):
        Q, R = np.linalg.qr(A @ Q)
    return np.diag(Q.T @ A @ Q), np.abs(Q)


def svd_via_eigh(A):
    evals, V = np.linalg.eigh(A.T @ A)
    idx = np.argsort(evals)[::-1]
    evals, V = evals[idx], V[:, idx]
    sigma = np.sqrt(np.clip(evals, 0, None))
    U = A @ V / sigma
    return np.abs(U), sigma, np.abs(V.T), np.linalg.svd(A, compute_uv=False)




def companion_roots(coeffs):
    c = coeffs / coeffs[0]
    n = len(c) - 1
    C = np.zeros((n, n))
    C[0, :] = -c[1:]
    C[1:, :-1] = np.eye(n - 1)
    return np.sort_complex(np.linalg.eigvals(C))


def gershgorin(A):
    c = np.diag(A)
    r = np.sum(np.abs(A), axis=1) - np.abs(c)
    lo, hi = c - r, c + r
    ev = np.linalg.eigvalsh(A)
    inside = (ev[:, None] >= lo[None, :]) & (ev[:, None] <= hi[None, :])
    return lo.min(), hi.max(), inside.any(axis=1)


def laplacian_spectrum(adj):
    # integer adjacency of an undirected graph: degrees, Laplacian, Fiedler value and vector
    adj = np.triu(adj, 1)
    adj = adj + adj.T
    deg = adj.sum(axis=1)
    L = np.diag(deg) - adj
    w, V = np.linalg.eigh(L)
    n_components = np.sum(w < 1e-9)
    return L, w, w[1], np.abs(V[:, 1]), n_components


def hermitian_power_iteration(A, iters=25):
    x = np.ones(A.shape[0], dtype=complex)
    for _ in range(iters):
        x = A @ x
        x = x / np.linalg.norm(x)
    return np.vdot(x, A @ x).real, np.linalg.eigvalsh(A)[-1]


EIGEN = {
    "power_iteration_inf_norm_argmax": (power_iteration_inf, {}, lambda s, n: (
        _spd(s, n), np.ones(n))),
    "power_iteration_float32": (power_iteration, {}, lambda s, n: (
        _spd(s, n).astype(np.float32),)),
    "inverse_iteration_solve": (inverse_iteration, {}, lambda s, n: (_spd(s, n), 0.5)),
    "inverse_iteration_lu_factor": (inverse_iteration_lu, {}, lambda s, n: (_spd(s, n), 1.0)),
    "rayleigh_quotient_iteration": (rayleigh_quotient_iteration, {}, lambda s, n: (
        _spd(s, n), _f(n, seed=s + 1))),
    "qr_algorithm_unshifted": (qr_algorithm_unshifted, {}, lambda s, n: (_spd(s, n),)),
    "qr_algorithm_wilkinson_shift": (qr_algorithm_wilkinson, {}, lambda s, n: (
        np.diag(_f(n, seed=s, positive=True) * np.arange(1, n + 1)) + np.eye(n, k=1)
        + np.eye(n, k=-1),)),
    "hessenberg_householder": (hessenberg_householder, {}, lambda s, n: (_f(n, n, seed=s),)),
    "jacobi_eigen_row_column_copies": (jacobi_eigen_rows, {}, lambda s, n: (_spd(s, n),)),
    "jacobi_classical_unravel_index": (jacobi_classical_pivot, {}, lambda s, n: (_spd(s, n),)),
    "power_deflation_top_k": (top_k_deflation, {}, lambda s, n: (
        np.diag(np.arange(n, 0, -1.0) ** 2) + 0.1 * (lambda a: a + a.T)(_f(n, n, seed=s)),)),
    "subspace_iteration_qr": (subspace_iteration, {}, lambda s, n: (
        _spd(s, n), np.eye(n, 2))),
    "svd_via_eigh_of_gram": (svd_via_eigh, {}, lambda s, n: (_f(n + 2, n, seed=s),)),
    "companion_matrix_roots": (companion_roots, {}, lambda s, n: (_f(n + 1, seed=s),)),
    "gershgorin_discs": (gershgorin, {}, lambda s, n: ((lambda a: a + a.T)(_f(n, n, seed=s)),)),
    "graph_laplacian_int_adjacency": (laplacian_spectrum, {}, lambda s, n: (
        np.ones((n, n), dtype=np.int64) - _i(2, n, n, seed=s) * (1 - np.eye(n, k=1, dtype=int)),)),
    "hermitian_power_iteration": (hermitian_power_iteration, {}, lambda s, n: (
        (lambda z: z @ z.conj().T)(_c(s, n, n)),)),
}


@pytest.mark.parametrize("name", _names(EIGEN))
def test_eigenvalue_algorithms_match_numpy(name):
    """Power, inverse and Rayleigh quotient iteration, unshifted and shifted QR, Hessenberg
    reduction, Jacobi rotations (cyclic and classical), deflation, subspace iteration, SVD
    by eigh, companion roots, Gershgorin discs and graph Laplacian spectra."""
    check_like_numpy(*EIGEN[name])


# ================================================================ least squares and conditioning


def pinv_svd_where(A, rcond=1e-15):
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    cutoff = rcond * np.max(s)
    s_inv = np.where(s > cutoff, 1.0 / s, 0.0)
    return (Vt.T * s_inv) @ U.T, np.linalg.pinv(A)


def pinv_finfo_full(A):
    # full SVD, Sigma^+ built by a slice write, the cut-off from the dtype's epsilon
    U, s, Vh = np.linalg.svd(A)
    tol = np.finfo(A.dtype).eps * max(A.shape) * s[0]
    S_plus = np.zeros(A.shape).T
    S_plus[:len(s), :len(s)] = np.diag(np.where(s > tol, 1 / s, 0))
    rank = np.sum(s > tol)
    return Vh.T @ S_plus @ U.T, rank


def least_squares_four_ways(A, b):
    x_ne = np.linalg.solve(A.T @ A, A.T @ b)
    Q, R = np.linalg.qr(A)
    x_qr = scipy.linalg.solve_triangular(R, Q.T @ b)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    x_svd = Vt.T @ (U.T @ b / s)
    x_ls, res, rank, sv = np.linalg.lstsq(A, b, rcond=None)
    return {"normal": x_ne, "qr": x_qr, "svd": x_svd, "lstsq": x_ls, "residual": res,
            "rank": rank, "sv": sv}




def qr_complete_residual(A, b):
    # the complete QR: the residual norm is the norm of the trailing part of Q^T b
    m, n = A.shape
    Q, R = np.linalg.qr(A, mode="complete")
    c = Q.T @ b
    x = np.linalg.solve(R[:n], c[:n])
    return x, np.linalg.norm(c[n:]), np.linalg.norm(b - A @ x)


def polyfit_vandermonde(x, y, deg=3):
    V = np.vander(x, deg + 1)
    coef, *_ = np.linalg.lstsq(V, y, rcond=None)
    return coef, np.polyfit(x, y, deg), np.linalg.cond(V)




def condition_numbers(A):
    return {str(p): np.linalg.cond(A, p) for p in (None, 1, 2, np.inf, "fro", -2, -1, -np.inf)}


def cond_by_hand(A):
    Ainv = np.linalg.inv(A)
    k1 = np.abs(A).sum(axis=0).max() * np.abs(Ainv).sum(axis=0).max()
    kinf = np.abs(A).sum(axis=1).max() * np.abs(Ainv).sum(axis=1).max()
    s = np.linalg.svd(A, compute_uv=False)
    return k1, kinf, s[0] / s[-1], np.linalg.norm(A, 2) * np.linalg.norm(Ainv, 2)


def matrix_norms_list(A):
    return [np.linalg.norm(A, o) for o in (1, -1, 2, -2, np.inf, -np.inf, "fro", "nuc", None)]


def vector_norms_dict(x):
    return {o: np.linalg.norm(x, ord=o) for o in (0, 1, 2, 3, np.inf, -np.inf, -1, 0.5)}


def norms_by_hand(A):
    one = np.max(np.sum(np.abs(A), axis=0))
    inf = np.max(np.sum(np.abs(A), axis=1))
    two = np.sqrt(np.max(np.linalg.eigvalsh(A.T @ A)))
    fro = np.sqrt(np.trace(A.T @ A))
    nuc = np.sum(np.linalg.svd(A, compute_uv=False))
    by_numpy = np.array([np.linalg.norm(A, o) for o in (1, np.inf, 2, "fro", "nuc")])
    return np.array([one, inf, two, fro, nuc]), by_numpy


def batched_matrix_norms(As):
    return (np.linalg.norm(As, ord="fro", axis=(1, 2)), np.linalg.norm(As, ord=2, axis=(1, 2)),
            np.linalg.norm(As, ord=1, axis=(1, 2), keepdims=True),
            np.linalg.norm(As, ord=np.inf, axis=(2, 1)), np.linalg.norm(As, axis=-1).max(axis=1))


def column_norms_keepdims(A):
    # normalise columns, rows by their 1-norms, and the whole by the max norm
    Ac = A / np.linalg.norm(A, axis=0, keepdims=True)
    Ar = A / np.linalg.norm(A, ord=1, axis=1, keepdims=True)
    return Ac, Ar, np.linalg.norm(A.ravel(), np.inf)


def complex_matrix_norms(Z):
    return (np.linalg.norm(Z), np.linalg.norm(Z, 2), np.linalg.norm(Z, "nuc"),
            np.linalg.norm(Z, 1), np.linalg.cond(Z), np.linalg.norm(Z, axis=0))


def float32_vs_float64_solve(A, b):
    x64 = np.linalg.solve(A, b)
    x32 = np.linalg.solve(A.astype(np.float32), b.astype(np.float32))
    err = np.linalg.norm(x32 - x64) / np.linalg.norm(x64)
    bound = np.linalg.cond(A) * np.finfo(np.float32).eps
    return x32, err, bound, err <= bound


def iterative_refinement(A, b, steps=3):
    # Demmel: solve in single precision, residuals in double
    A32 = A.astype(np.float32)
    x = np.linalg.solve(A32, b.astype(np.float32)).astype(np.float64)
    errs = []
    for _ in range(steps):
        r = b - A @ x
        d = np.linalg.solve(A32, r.astype(np.float32))
        x = x + d
        errs.append(np.linalg.norm(r) / np.linalg.norm(b))
    return x, errs


def hilbert_experiment(x_true):
    n = len(x_true)
    i = np.arange(1, n + 1)
    H = 1.0 / (i[:, None] + i[None, :] - 1)
    b = H @ x_true
    x = np.linalg.solve(H, b)
    return np.linalg.cond(H), np.linalg.norm(b - H @ x) / np.linalg.norm(b), H


def vandermonde_interp(x, y):
    V = np.vander(x, increasing=True)
    c = np.linalg.solve(V, y)
    return c, np.linalg.cond(V), np.polyval(c[::-1], x)


def machine_eps_table(x):
    out = {}
    for dt in (np.float16, np.float32, np.float64):
        fi = np.finfo(dt)
        xd = x.astype(dt)
        out[np.dtype(dt).name] = (fi.eps, np.spacing(xd), (xd + fi.eps * xd) - xd,
                                  np.nextafter(xd, np.inf) - xd)
    return out


def kahan_sum(x):
    # compensated summation of float32 values, against naive and pairwise sums
    s = np.float32(0.0)
    c = np.float32(0.0)
    naive = np.float32(0.0)
    for xi in x:
        naive += xi
        y = xi - c
        t = s + y
        c = (t - s) - y
        s = t
    return s, naive, np.sum(x), np.sum(x.astype(np.float64))


def quadratic_roots_f32(b, c):
    # x^2 + b x + c in float32: the textbook formula against the cancellation-free one
    d = np.sqrt(b * b - 4 * c)
    naive = (-b + d) / 2
    q = -0.5 * (b + np.sign(b) * d)
    stable = c / q
    return naive, stable, np.abs(naive - stable) / np.abs(stable)


def rank_and_nullity(A):
    s = np.linalg.svd(A, compute_uv=False)
    tol = s.max() * max(A.shape) * np.finfo(s.dtype).eps
    rank = int(np.sum(s > tol))
    return rank, A.shape[1] - rank, np.linalg.matrix_rank(A), np.linalg.matrix_rank(A, tol=1e-8)


def _rank_deficient(s, n):
    return (_f(n + 2, 2, seed=s) @ _f(2, n, seed=s + 1),)


LSQ = {
    "pinv_svd_where": (pinv_svd_where, {}, lambda s, n: (_f(n + 2, n, seed=s),)),
    "pinv_finfo_full_svd": (pinv_finfo_full, {}, lambda s, n: (_f(n + 2, n, seed=s),)),
    "pinv_finfo_float32_rank_deficient": (pinv_finfo_full, {}, lambda s, n: (
        _rank_deficient(s, n)[0].astype(np.float32),)),
    "least_squares_four_ways_dict": (least_squares_four_ways, {}, lambda s, n: (
        _f(2 * n, n, seed=s), _f(2 * n, seed=s + 1))),
    "qr_complete_residual": (qr_complete_residual, {}, lambda s, n: (
        _f(2 * n, n, seed=s), _f(2 * n, seed=s + 1))),
    "polyfit_vandermonde_lstsq": (polyfit_vandermonde, {}, lambda s, n: (
        np.linspace(0, 1, 2 * n), _f(2 * n, seed=s))),
    "condition_numbers_every_p": (condition_numbers, {}, lambda s, n: (_f(n, n, seed=s),)),
    "condition_numbers_by_hand": (cond_by_hand, {}, lambda s, n: (_f(n, n, seed=s),)),
    "matrix_norms_every_ord": (matrix_norms_list, {}, lambda s, n: (_f(n + 1, n, seed=s),)),
    "vector_norms_every_ord": (vector_norms_dict, {}, lambda s, n: (
        _f(n, seed=s) * (np.arange(n) != 1),)),
    "norms_by_hand_vs_numpy": (norms_by_hand, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "batched_matrix_norms_axis_pairs": (batched_matrix_norms, {}, lambda s, n: (
        _f(3, n, n + 1, seed=s),)),
    "column_norms_keepdims": (column_norms_keepdims, {}, lambda s, n: (_f(n + 1, n, seed=s),)),
    "complex_matrix_norms": (complex_matrix_norms, {}, lambda s, n: (_c(s, n, n),)),
    "float32_vs_float64_solve": (float32_vs_float64_solve, {}, lambda s, n: (
        _f(n, n, seed=s), _f(n, seed=s + 1))),
    "iterative_refinement_mixed": (iterative_refinement, {}, lambda s, n: (
        _f(n, n, seed=s), _f(n, seed=s + 1))),
    "hilbert_matrix_conditioning": (hilbert_experiment, {}, lambda s, n: (np.ones(n) * s,)),
    "vandermonde_interpolation": (vandermonde_interp, {}, lambda s, n: (
        np.linspace(-1, 1, n), _f(n, seed=s))),
    "machine_eps_float16_32_64": (machine_eps_table, {}, lambda s, n: (
        _f(n, seed=s, positive=True),)),
    "kahan_sum_float32_loop": (kahan_sum, {}, lambda s, n: (
        (_f(4 * n, seed=s, positive=True) * 1e3).astype(np.float32),)),
    "quadratic_roots_cancellation_f32": (quadratic_roots_f32, {}, lambda s, n: (
        (10.0 ** np.arange(n)).astype(np.float32), _f(n, seed=s, positive=True).astype(
            np.float32))),
    "rank_nullity_matrix_rank": (rank_and_nullity, {}, _rank_deficient),
}


@pytest.mark.parametrize("name", _names(LSQ))
def test_least_squares_norms_and_conditioning_match_numpy(name):
    """Pseudo-inverses, least squares by normal equations, QR, SVD and lstsq, polynomial and
    weighted fits, condition numbers and norms of every order, float32 against float64,
    iterative refinement, Hilbert and Vandermonde matrices, machine epsilon, Kahan sums."""
    check_like_numpy(*LSQ[name])


# ================================================================= matrix functions and products


def expm_taylor_scaling(A, s=5, terms=10):
    # scaling and squaring with a truncated Taylor series
    n = A.shape[0]
    As = A / 2.0 ** s
    E = np.eye(n)
    term = np.eye(n)
    for k in range(1, terms + 1):
        term = term @ As / k
        E = E + term
    for _ in range(s):
        E = E @ E
    return E, scipy.linalg.expm(A)


def expm_pade_fixed(A, q=6, j=3):
    # Golub & Van Loan algorithm 9.3.1 with the scaling exponent fixed
    A = A / 2 ** j
    n = A.shape[0]
    c = 1.0
    X = np.eye(n)
    N = np.eye(n)
    D = np.eye(n)
    for k in range(1, q + 1):
        c = c * (q - k + 1) / ((2 * q - k + 1) * k)
        X = A @ X
        N = N + c * X
        D = D + (-1) ** k * c * X
    E = np.linalg.solve(D, N)
    for _ in range(j):
        E = E @ E
    return E


def expm_eigh(S, t):
    # exp(tS) of a symmetric matrix through its eigendecomposition
    w, V = np.linalg.eigh(S)
    return V @ np.diag(np.exp(t * w)) @ V.T, (V * np.exp(t * w)) @ V.T


def rotation_from_skew(w):
    # expm of a skew-symmetric matrix is orthogonal with determinant one
    n = len(w)
    K = np.zeros((n, n))
    iu = np.triu_indices(n, 1)
    K[iu] = np.resize(w, len(iu[0]))
    K = K - K.T
    Q = scipy.linalg.expm(K)
    return Q, np.linalg.norm(Q.T @ Q - np.eye(n)), np.linalg.det(Q)


def sqrtm_denman_beavers(A, iters=8):
    Y = A.copy()
    Z = np.eye(A.shape[0])
    for _ in range(iters):
        Y, Z = 0.5 * (Y + np.linalg.inv(Z)), 0.5 * (Z + np.linalg.inv(Y))
    return Y, scipy.linalg.sqrtm(A)


def complex_expm_schrodinger(H, t):
    # U = exp(-iHt) of a Hermitian H, by eigh and by expm
    w, V = np.linalg.eigh(H)
    U1 = V @ np.diag(np.exp(-1j * w * t)) @ V.conj().T
    U2 = scipy.linalg.expm(-1j * H * t)
    return U1, U2, np.abs(np.diag(U1.conj().T @ U1))




def kron_vec_trick(A, B, X):
    # (B^T kron A) vec(X) = vec(A X B), vec stacking columns
    lhs = np.kron(B.T, A) @ X.flatten(order="F")
    rhs = (A @ X @ B).flatten(order="F")
    return lhs, rhs


def sylvester_by_kron(A, B, C):
    n, m = C.shape
    K = np.kron(np.eye(m), A) + np.kron(B.T, np.eye(n))
    x = np.linalg.solve(K, C.reshape(-1, order="F"))
    return x.reshape((n, m), order="F")


def poisson2d_kron(f):
    n = f.shape[0]
    h = 1 / (n + 1)
    T = (np.diag(2 * np.ones(n)) - np.diag(np.ones(n - 1), 1) - np.diag(np.ones(n - 1), -1)) / h ** 2
    L = np.kron(np.eye(n), T) + np.kron(T, np.eye(n))
    u = np.linalg.solve(L, f.ravel())
    return u.reshape(n, n)


def khatri_rao_loop(A, B):
    return np.column_stack([np.kron(A[:, k], B[:, k]) for k in range(A.shape[1])])




def khatri_rao_broadcast(A, B):
    return (A[:, None, :] * B[None, :, :]).reshape(A.shape[0] * B.shape[0], -1)


def khatri_rao_scipy(A, B):
    return scipy.linalg.khatri_rao(A, B), khatri_rao_loop(A, B)


def cp_als_update(X, B, C):
    # one CP-ALS update of the first factor of a 3-way tensor
    I, J, K = X.shape
    X1 = X.reshape(I, J * K)
    KR = np.einsum("jr,kr->jkr", B, C).reshape(J * K, -1)
    G = (B.T @ B) * (C.T @ C)
    A = X1 @ KR @ np.linalg.pinv(G)
    fit = 1 - np.linalg.norm(X1 - A @ KR.T) / np.linalg.norm(X1)
    return A, fit


def complex_kron_unitary(U, V):
    W = np.kron(U, V)
    return W, np.allclose(W.conj().T @ W, np.eye(W.shape[0])), np.trace(W), np.trace(U) * np.trace(V)


MATFUN = {
    "expm_taylor_scaling_squaring": (expm_taylor_scaling, {}, lambda s, n: (_f(n, n, seed=s),)),
    "expm_pade_fixed_scaling": (expm_pade_fixed, {}, lambda s, n: (_f(n, n, seed=s),)),
    "expm_eigh_symmetric": (expm_eigh, {}, lambda s, n: (
        (lambda a: a + a.T)(_f(n, n, seed=s)), 0.3)),
    "rotation_expm_skew": (rotation_from_skew, {}, lambda s, n: (_f(n, seed=s),)),
    "sqrtm_denman_beavers": (sqrtm_denman_beavers, {}, lambda s, n: (_spd(s, n),)),
    "complex_expm_schrodinger": (complex_expm_schrodinger, {}, lambda s, n: (
        (lambda z: z + z.conj().T)(_c(s, n, n)), 0.7)),
    "kron_vec_trick_fortran_order": (kron_vec_trick, {}, lambda s, n: (
        _f(3, n, seed=s), _f(2, 4, seed=s + 1), _f(n, 2, seed=s + 2))),
    "sylvester_by_kron": (sylvester_by_kron, {}, lambda s, n: (
        _spd(s, n), _spd(s + 1, 3), _f(n, 3, seed=s + 2))),
    "poisson2d_kron_laplacian": (poisson2d_kron, {}, lambda s, n: (_f(n, n, seed=s),)),
    "khatri_rao_loop_kron": (khatri_rao_loop, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(2, 3, seed=s + 1))),
    "khatri_rao_broadcast_int": (khatri_rao_broadcast, {}, lambda s, n: (
        _i(5, n, 3, seed=s), _i(5, 2, 3, seed=s + 1))),
    "khatri_rao_scipy": (khatri_rao_scipy, {}, lambda s, n: (
        _f(n, 3, seed=s), _f(2, 3, seed=s + 1))),
    "cp_als_factor_update": (cp_als_update, {}, lambda s, n: (
        _f(n, 3, 4, seed=s), _f(3, 2, seed=s + 1), _f(4, 2, seed=s + 2))),
    "complex_kron_unitary": (complex_kron_unitary, {}, lambda s, n: (
        np.linalg.qr(_c(s, n, n))[0], np.linalg.qr(_c(s + 1, 2, 2))[0])),
}


@pytest.mark.parametrize("name", _names(MATFUN))
def test_matrix_functions_and_kronecker_products_match_numpy(name):
    """Matrix exponentials by Taylor and Pade with scaling and squaring, by eigh and by
    scipy.linalg.expm, Denman-Beavers square roots, Kronecker identities, Sylvester and 2-D
    Poisson systems by np.kron, Khatri-Rao products four ways and a CP-ALS update."""
    check_like_numpy(*MATFUN[name])


# ====================================================================== low rank and the DFT


def truncated_svd_errors(A, k=2):
    # Eckart-Young: the 2-norm error is s[k], the Frobenius error the tail of s
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    Ak = U[:, :k] @ np.diag(s[:k]) @ Vt[:k, :]
    return (Ak, np.linalg.norm(A - Ak, 2), s[k], np.linalg.norm(A - Ak, "fro"),
            np.sqrt(np.sum(s[k:] ** 2)))


def low_rank_outer_sum(A, k=2):
    U, s, Vt = np.linalg.svd(A)
    Ak = np.zeros_like(A)
    for i in range(k):
        Ak += s[i] * np.outer(U[:, i], Vt[i, :])
    return Ak, np.cumsum(s ** 2) / np.sum(s ** 2)


def randomized_svd(A, rng, k=2, p=2, q=1):
    # Halko, Martinsson and Tropp: a Gaussian sketch, power iterations with re-orthonormalising
    m, n = A.shape
    Omega = rng.standard_normal((n, k + p))
    Y = A @ Omega
    Q, _ = np.linalg.qr(Y)
    for _ in range(q):
        Z, _ = np.linalg.qr(A.T @ Q)
        Q, _ = np.linalg.qr(A @ Z)
    B = Q.T @ A
    Ub, s, Vt = np.linalg.svd(B, full_matrices=False)
    return np.abs(Q @ Ub)[:, :k], s[:k], np.linalg.svd(A, compute_uv=False)[:k]


def randomized_range_seeded(A, k=2, seed=0):
    rng = np.random.default_rng(seed)
    G = rng.normal(size=(A.shape[1], k))
    Q, _ = np.linalg.qr(A @ G)
    return np.linalg.norm(A - Q @ (Q.T @ A)), np.abs(Q)


def dft_matrix(x):
    n = len(x)
    k = np.arange(n)
    F = np.exp(-2j * np.pi * np.outer(k, k) / n)
    return F @ x, np.fft.fft(x), np.allclose(F.conj().T @ F / n, np.eye(n))


def circulant_fft_solve(c, b):
    # circulant systems are diagonalised by the DFT
    C = scipy.linalg.circulant(c)
    x_fft = np.real(np.fft.ifft(np.fft.fft(b) / np.fft.fft(c)))
    x_dense = np.linalg.solve(C, b)
    return x_fft, x_dense, np.sort(np.abs(np.fft.fft(c))), np.sort(np.abs(np.linalg.eigvals(C)))


def unitary_dft_norms(x):
    X = np.fft.fft(x, norm="ortho")
    return np.linalg.norm(X), np.linalg.norm(x), np.fft.ifft(X, norm="ortho")


LOWRANK = {
    "truncated_svd_eckart_young": (truncated_svd_errors, {}, lambda s, n: (
        _f(n + 2, n, seed=s),)),
    "low_rank_outer_product_sum": (low_rank_outer_sum, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "randomized_svd_generator_arg": (randomized_svd, {"k": 2}, lambda s, n: (
        _f(3 * n, 2, seed=s) @ _f(2, n, seed=s + 1) + 0.01 * _f(3 * n, n, seed=s + 2),
        np.random.default_rng(s))),
    "randomized_range_seeded_inside": (randomized_range_seeded, {}, lambda s, n: (
        _f(3 * n, n, seed=s),)),
    "dft_matrix_vs_fft": (dft_matrix, {}, lambda s, n: (_f(n, seed=s),)),
    "circulant_solve_fft": (circulant_fft_solve, {}, lambda s, n: (
        np.r_[4.0, _f(n - 1, seed=s)], _f(n, seed=s + 1))),
    "unitary_dft_parseval_complex": (unitary_dft_norms, {}, lambda s, n: (_c(s, n),)),
}


@pytest.mark.parametrize("name", _names(LOWRANK))
def test_low_rank_and_dft_match_numpy(name):
    """Truncated SVD with the Eckart-Young errors, sums of outer products, randomized SVD
    from a generator argument and from one seeded inside, DFT and circulant matrices."""
    check_like_numpy(*LOWRANK[name])


# ------------------------------------------------------------ what tracenp gets wrong or lacks


def durbin_vs_solve_toeplitz(r):
    # Levinson-Durbin by hand checked against SciPy's Levinson solver
    y, _ = durbin(r)
    return y, scipy.linalg.solve_toeplitz(np.r_[1.0, r[:-1]], -r)


def hessenberg_vs_scipy(A):
    # the lecture's Householder reduction checked against scipy.linalg.hessenberg
    H, Q, _, _ = hessenberg_householder(A)
    H2, Q2 = scipy.linalg.hessenberg(A, calc_q=True)
    return np.abs(H), np.abs(H2), np.abs(np.diag(Q2 @ H2 @ Q2.T - A))


def qr_algorithm_vs_schur(A, iters=20):
    # eigenvalues of a symmetric matrix from the unshifted QR algorithm and from the Schur form
    d, _ = qr_algorithm_unshifted(A, iters)
    T, Z = scipy.linalg.schur(A)
    return np.sort(d), np.sort(np.diag(T))


def companion_roots_scipy(coeffs):
    return np.sort_complex(np.linalg.eigvals(scipy.linalg.companion(coeffs)))


MISSING = {
    "durbin_vs_solve_toeplitz": (durbin_vs_solve_toeplitz, {}, lambda s, n: (_ar_acf(s, n),)),
    "hessenberg_vs_scipy": (hessenberg_vs_scipy, {}, lambda s, n: (_f(n, n, seed=s),)),
    "qr_algorithm_vs_schur": (qr_algorithm_vs_schur, {}, lambda s, n: (_spd(s, n),)),
    "companion_roots_scipy": (companion_roots_scipy, {}, lambda s, n: (_f(n + 1, seed=s),)),
}


@pytest.mark.parametrize("name", _names(MISSING))
def test_scipy_linalg_helpers_as_teaching_code_calls_them(name):
    """Levinson's solve_toeplitz, hessenberg, schur and companion, called beside the hand
    written algorithms they check."""
    check_like_numpy(*MISSING[name])


# -------------------------------------------------------------- Python scalars that steer


def power_iters_positional(A, num_iters):
    return power_iteration(A, num_iters)


def arnoldi_positional(A, b, k):
    return arnoldi(A, b, k)


def hilbert_order(n):
    i = np.arange(1, n + 1)
    H = 1.0 / (i[:, None] + i[None, :] - 1)
    return np.linalg.cond(H), np.linalg.inv(H) @ H


def randomized_svd_seeded(A, k, p, seed):
    rng = np.random.default_rng(seed)
    return randomized_svd(A, rng, k, p, 1)


def expm_taylor_positional(A, s, terms):
    return expm_taylor_scaling(A, s, terms)


def matrix_norm_p(A, p):
    return np.linalg.norm(A, p), np.linalg.cond(A, p)


def sor_sweeps_positional(A, b, omega, sweeps):
    return sor(A, b, omega, sweeps)


def poisson1d(n, a, b):
    # -u'' = 1 on (0, 1) with u(0) = a, u(1) = b, on n interior points
    h = 1.0 / (n + 1)
    T = 2 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)
    rhs = np.full(n, h * h)
    rhs[0] += a
    rhs[-1] += b
    return np.linalg.solve(T, rhs)


def lanczos_dim(A, v, k):
    return lanczos(A, v, k)[1]


STEERED = {
    "power_iteration_count": (power_iters_positional, lambda s: (_spd(s, 4), 10 * s)),
    "arnoldi_krylov_dimension": (arnoldi_positional, lambda s: (
        _f(5, 5, seed=s), _f(5, seed=s + 1), s + 1)),
    "hilbert_order": (hilbert_order, lambda s: (3 + s,)),
    "randomized_svd_rank_oversampling_seed": (randomized_svd_seeded, lambda s: (
        _f(12, 5, seed=s), s, 2, 10 + s)),
    "expm_scaling_exponent_terms": (expm_taylor_positional, lambda s: (
        _f(3, 3, seed=s), 2 + s, 6 + 2 * s)),
    "matrix_norm_order": (matrix_norm_p, lambda s: (_f(4, 4, seed=s), (1, 2)[s - 1])),
    "sor_sweeps": (sor_sweeps_positional, lambda s: (_spd(s, 4), _f(4, seed=s), 1.1, 2 * s)),
    "poisson1d_order": (poisson1d, lambda s: (4 * s, 0.5, 1.5 * s)),
    "lanczos_dimension": (lanczos_dim, lambda s: (_spd(s, 5), _f(5, seed=s + 1), 2 + s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Iteration counts, Krylov and Lanczos dimensions, matrix orders, ranks, oversampling
    and seeds, scaling exponents and Taylor terms, norm orders and sweep counts: made static,
    NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def house_gvl_branches(x):
    # Golub & Van Loan algorithm 5.1.1 verbatim
    sigma = x[1:] @ x[1:]
    v = x.copy()
    v[0] = 1.0
    if sigma == 0:
        beta = 0.0
    else:
        mu = np.sqrt(x[0] ** 2 + sigma)
        if x[0] <= 0:
            v[0] = x[0] - mu
        else:
            v[0] = -sigma / (x[0] + mu)
        beta = 2 * v[0] ** 2 / (sigma + v[0] ** 2)
        v = v / v[0]
    return v, beta


def lu_swap_if(A):
    A = A.copy()
    n = len(A)
    for k in range(n - 1):
        p = np.argmax(np.abs(A[k:, k])) + k
        if p != k:
            A[[k, p]] = A[[p, k]]
        A[k + 1:, k] /= A[k, k]
        A[k + 1:, k + 1:] -= np.outer(A[k + 1:, k], A[k, k + 1:])
    return A


def cg_tolerance(A, b, tol=1e-10):
    x = np.zeros_like(b)
    r = b.copy()
    p = r.copy()
    rs = r @ r
    for _ in range(len(b)):
        Ap = A @ p
        alpha = rs / (p @ Ap)
        x += alpha * p
        r -= alpha * Ap
        rs_new = r @ r
        if np.sqrt(rs_new) < tol:
            break
        p = r + rs_new / rs * p
        rs = rs_new
    return x


def power_iteration_while(A, tol=1e-8):
    x = np.ones(A.shape[0])
    lam_old = 0.0
    lam = 1.0
    while abs(lam - lam_old) > tol:
        lam_old = lam
        y = A @ x
        x = y / np.linalg.norm(y)
        lam = x @ A @ x
    return lam


def expm_scaled_by_norm(A, terms=12):
    s = max(0, int(np.ceil(np.log2(np.linalg.norm(A, np.inf)))) + 1)
    As = A / 2 ** s
    E = np.eye(len(A))
    term = np.eye(len(A))
    for k in range(1, terms):
        term = term @ As / k
        E += term
    for _ in range(s):
        E = E @ E
    return E


def truncated_by_numerical_rank(A):
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    r = np.sum(s > 1e-10 * s[0])
    return U[:, :r] @ np.diag(s[:r]) @ Vt[:r]


def null_space_mask(A):
    U, s, Vt = np.linalg.svd(A)
    return Vt[s <= 1e-10 * s.max()].T


def energy_rank(A, energy=0.9):
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    k = np.searchsorted(np.cumsum(s ** 2) / np.sum(s ** 2), energy) + 1
    return U[:, :k] * s[:k]


def jacobi_skip_small(A, sweeps=3):
    A = A.copy()
    n = A.shape[0]
    for _ in range(sweeps):
        for p in range(n - 1):
            for q in range(p + 1, n):
                if abs(A[p, q]) < 1e-12:
                    continue
                c, s = _jacobi_cs(A, p, q)
                J = np.eye(n)
                J[p, p] = J[q, q] = c
                J[p, q], J[q, p] = s, -s
                A = J.T @ A @ J
    return np.sort(np.diag(A))


def qr_deflation_while(A, tol=1e-10):
    H = A.copy()
    n = H.shape[0]
    eigs = []
    while n > 1:
        mu = H[n - 1, n - 1]
        Q, R = np.linalg.qr(H[:n, :n] - mu * np.eye(n))
        H[:n, :n] = R @ Q + mu * np.eye(n)
        if abs(H[n - 1, n - 2]) < tol:
            eigs.append(H[n - 1, n - 1])
            n -= 1
    eigs.append(H[0, 0])
    return np.array(eigs)


def gmres_breakdown(A, b, k=4):
    n = len(b)
    Q = np.zeros((n, k + 1))
    H = np.zeros((k + 1, k))
    Q[:, 0] = b / np.linalg.norm(b)
    for j in range(k):
        v = A @ Q[:, j]
        for i in range(j + 1):
            H[i, j] = Q[:, i] @ v
            v -= H[i, j] * Q[:, i]
        H[j + 1, j] = np.linalg.norm(v)
        if H[j + 1, j] < 1e-12:
            break
        Q[:, j + 1] = v / H[j + 1, j]
    e1 = np.zeros(k + 1)
    e1[0] = np.linalg.norm(b)
    y = np.linalg.lstsq(H, e1, rcond=None)[0]
    return Q[:, :k] @ y


def cholesky_with_jitter(K):
    jitter = 1e-10
    for _ in range(5):
        try:
            return np.linalg.cholesky(K + jitter * np.eye(len(K)))
        except np.linalg.LinAlgError:
            jitter *= 10
    raise np.linalg.LinAlgError("not positive definite")


def null_space_scipy(A):
    return scipy.linalg.null_space(A)


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "house_gvl_if_sigma": (_Concretization, house_gvl_branches, lambda s: (_f(5, seed=s),)),
    "lu_swap_under_if": (_Concretization, lu_swap_if, lambda s: (_f(4, 4, seed=s),)),
    "cg_tolerance_break": (_Concretization, cg_tolerance, lambda s: (_spd(s, 4), _f(4, seed=s))),
    "power_iteration_while_change": (_Concretization, power_iteration_while, lambda s: (
        _spd(s, 4),)),
    "expm_scaling_from_norm": (_Concretization, expm_scaled_by_norm, lambda s: (
        _f(3, 3, seed=s) * 3,)),
    "truncate_at_numerical_rank": (_DataDependent, truncated_by_numerical_rank, lambda s: (
        _rank_deficient(s, 4)[0],)),
    "null_space_by_mask": (_DataDependent, null_space_mask, lambda s: (
        _rank_deficient(s, 4)[0],)),
    "energy_rank_searchsorted": (_DataDependent, energy_rank, lambda s: (_f(6, 4, seed=s),)),
    "jacobi_skip_small_if": (_Concretization, jacobi_skip_small, lambda s: (_spd(s, 4),)),
    "qr_deflation_while": (_Concretization, qr_deflation_while, lambda s: (
        np.diag(np.arange(1.0, 5.0)) + 0.1 * (lambda a: a + a.T)(_f(4, 4, seed=s)),)),
    "gmres_happy_breakdown": (_Concretization, gmres_breakdown, lambda s: (
        _dd(s, 5), _f(5, seed=s))),
    "cholesky_try_except_jitter": (_Concretization, cholesky_with_jitter, lambda s: (
        _spd(s, 4),)),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Golub and Van Loan's `if sigma == 0`, a pivot swap under `if`, tolerance breaks and
    `while` loops, a scaling exponent from the norm, numerical ranks and energy cut-offs as
    slice bounds, null spaces selected by a mask, skipped rotations, QR deflation, GMRES
    breakdown and Cholesky under try/except: the named error, NumPy's values under
    `fallback=True`."""
    check_refused(*REFUSED[name])
