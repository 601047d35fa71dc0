"""Corpus, hunt Y: the npbench suite's NumPy kernels, written the way its `*_numpy.py` files write
them: the PolyBench/C kernels (adi, atax, bicg, cholesky, correlation, covariance, deriche,
doitgen, durbin, fdtd_2d, floyd_warshall, gemm, gemver, gesummv, gramschmidt, heat_3d,
jacobi_1d, jacobi_2d, 2mm, 3mm, lu, ludcmp, mvt, nussinov, seidel_2d, symm, syr2k, syrk,
trisolv, trmm) as loops over `range(...)` of Python ints writing rows, columns and single
elements of their arguments in place, `np.add.outer` relaxations, `np.flip` dot products,
`np.outer` updates and `@`; the scientific kernels (arc_distance, azimint_naive by masked
means and azimint_hist by weighted `np.histogram`, cavity_flow and a fixed-step channel_flow
with their pressure Poisson sweeps, compute's `np.clip` on int64, contour_integral over
complex slabs with `np.linalg.inv`/`solve`, crc16's bit loop, go_fast's traced trace,
hdiff and vadv weather stencils, mandelbrot by masked writes, nbody with masked power
updates, spmv from CSR arrays, a radix-R Stockham FFT, scattering_self_energies' eight nested
loops); the deep-learning ones (conv2d_bias, LeNet-5, an MLP, a ResNet basic block, softmax)
with their `np.empty` then loop-filled convolutions and pools in float32; and npbench's
`initialize` functions building arrays by `np.fromfunction` and `i * j % N / N` formulas.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. Python ints (sizes, time steps) are made static by
`jit`. Kernels whose Python branches on array values (npbench's nussinov `match`, crc16's bit
test, contour_integral's `abs(z) < 1.0`, channel_flow's convergence `while`) or whose shapes
follow the data (`np.repeat` of CSR row lengths) raise a named error and run eagerly under
`fallback=True`; branch-free rewrites of them are in the main table. mandelbrot2's shrinking
arrays written with `reshape` trace: selections of selections, updated in place by `out=`.
"""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_corpus_hunt_v import _names, _Xfail


def _spd(n, seed):
    """A symmetric positive definite matrix, as PolyBench's cholesky/lu initialisations aim for."""
    b = _f(n, n, seed=seed)
    return b @ b.T + n * np.eye(n)


def _f32(*shape, seed=0):
    return _f(*shape, seed=seed).astype(np.float32)


# ----------------------------------------------------------------------------- PolyBench


def adi(TSTEPS, N, u):
    """Alternating direction implicit solver, sweeping columns then rows with Thomas steps."""
    v = np.empty(u.shape, dtype=u.dtype)
    p = np.empty(u.shape, dtype=u.dtype)
    q = np.empty(u.shape, dtype=u.dtype)
    DX = 1.0 / N
    DY = 1.0 / N
    DT = 1.0 / TSTEPS
    B1 = 2.0
    B2 = 1.0
    mul1 = B1 * DT / (DX * DX)
    mul2 = B2 * DT / (DY * DY)
    a = -mul1 / 2.0
    b = 1.0 + mul2
    c = a
    d = -mul2 / 2.0
    e = 1.0 + mul2
    f = d
    for t in range(1, TSTEPS + 1):
        v[0, 1:N - 1] = 1.0
        p[1:N - 1, 0] = 0.0
        q[1:N - 1, 0] = v[0, 1:N - 1]
        for j in range(1, N - 1):
            p[1:N - 1, j] = -c / (a * p[1:N - 1, j - 1] + b)
            q[1:N - 1, j] = (-d * u[j, 0:N - 2] + (1.0 + 2.0 * d) * u[j, 1:N - 1]
                             - f * u[j, 2:N] - a * q[1:N - 1, j - 1]) / (a * p[1:N - 1, j - 1] + b)
        v[N - 1, 1:N - 1] = 1.0
        for j in range(N - 2, 0, -1):
            v[j, 1:N - 1] = p[1:N - 1, j] * v[j + 1, 1:N - 1] + q[1:N - 1, j]
        u[1:N - 1, 0] = 1.0
        p[1:N - 1, 0] = 0.0
        q[1:N - 1, 0] = u[1:N - 1, 0]
        for j in range(1, N - 1):
            p[1:N - 1, j] = -f / (d * p[1:N - 1, j - 1] + e)
            q[1:N - 1, j] = (-a * v[0:N - 2, j] + (1.0 + 2.0 * a) * v[1:N - 1, j]
                             - c * v[2:N, j] - d * q[1:N - 1, j - 1]) / (d * p[1:N - 1, j - 1] + e)
        u[1:N - 1, N - 1] = 1.0
        for j in range(N - 2, 0, -1):
            u[1:N - 1, j] = p[1:N - 1, j] * u[1:N - 1, j + 1] + q[1:N - 1, j]


def atax(A, x):
    return (A @ x) @ A


def atax_dot(A, x):
    return np.dot(A.T, np.dot(A, x))


def bicg(A, p, r):
    return r @ A, A @ p


def bicg_dot(A, p, r):
    return np.dot(r, A), np.dot(A, p)


def cholesky(A):
    """PolyBench cholesky: the lower triangle overwritten element by element with dot products."""
    A[0, 0] = np.sqrt(A[0, 0])
    for i in range(1, A.shape[0]):
        for j in range(i):
            A[i, j] -= np.dot(A[i, :j], A[j, :j])
            A[i, j] /= A[j, j]
        A[i, i] -= np.dot(A[i, :i], A[i, :i])
        A[i, i] = np.sqrt(A[i, i])


def cholesky2(A):
    A[:] = np.linalg.cholesky(A) + np.triu(A, k=1)


def correlation(M, float_n, data):
    mean = np.mean(data, axis=0)
    stddev = np.std(data, axis=0)
    stddev[stddev <= 0.1] = 1.0
    data -= mean
    data /= np.sqrt(float_n) * stddev
    corr = np.eye(M, dtype=data.dtype)
    for i in range(M - 1):
        corr[i + 1:M, i] = corr[i, i + 1:M] = data[:, i] @ data[:, i + 1:M]
    return corr


def covariance(M, float_n, data):
    mean = np.mean(data, axis=0)
    data -= mean
    cov = np.zeros((M, M), dtype=data.dtype)
    for i in range(M):
        cov[i:M, i] = cov[i, i:M] = data[:, i] @ data[:, i:M] / (float_n - 1.0)
    return cov


def deriche(alpha, imgIn):
    """Deriche edge detector: causal and anticausal recursive filters along rows then columns."""
    k = (1.0 - np.exp(-alpha)) * (1.0 - np.exp(-alpha)) / (
        1.0 + alpha * np.exp(-alpha) - np.exp(2.0 * alpha))
    a1 = a5 = k
    a2 = a6 = k * np.exp(-alpha) * (alpha - 1.0)
    a3 = a7 = k * np.exp(-alpha) * (alpha + 1.0)
    a4 = a8 = -k * np.exp(-2.0 * alpha)
    b1 = 2.0**(-alpha)
    b2 = -np.exp(-2.0 * alpha)
    c1 = c2 = 1
    y1 = np.empty_like(imgIn)
    y1[:, 0] = a1 * imgIn[:, 0]
    y1[:, 1] = a1 * imgIn[:, 1] + a2 * imgIn[:, 0] + b1 * y1[:, 0]
    for j in range(2, imgIn.shape[1]):
        y1[:, j] = (a1 * imgIn[:, j] + a2 * imgIn[:, j - 1] + b1 * y1[:, j - 1]
                    + b2 * y1[:, j - 2])
    y2 = np.empty_like(imgIn)
    y2[:, -1] = 0.0
    y2[:, -2] = a3 * imgIn[:, -1]
    for j in range(imgIn.shape[1] - 3, -1, -1):
        y2[:, j] = (a3 * imgIn[:, j + 1] + a4 * imgIn[:, j + 2] + b1 * y2[:, j + 1]
                    + b2 * y2[:, j + 2])
    imgOut = c1 * (y1 + y2)
    y1[0, :] = a5 * imgOut[0, :]
    y1[1, :] = a5 * imgOut[1, :] + a6 * imgOut[0, :] + b1 * y1[0, :]
    for i in range(2, imgIn.shape[0]):
        y1[i, :] = (a5 * imgOut[i, :] + a6 * imgOut[i - 1, :] + b1 * y1[i - 1, :]
                    + b2 * y1[i - 2, :])
    y2[-1, :] = 0.0
    y2[-2, :] = a7 * imgOut[-1, :]
    for i in range(imgIn.shape[0] - 3, -1, -1):
        y2[i, :] = (a7 * imgOut[i + 1, :] + a8 * imgOut[i + 2, :] + b1 * y2[i + 1, :]
                    + b2 * y2[i + 2, :])
    imgOut[:] = c2 * (y1 + y2)
    return imgOut


def doitgen(NR, NQ, NP, A, C4):
    A[:] = np.reshape(np.reshape(A, (NR, NQ, 1, NP)) @ C4, (NR, NQ, NP))


def doitgen_loop(NR, NQ, NP, A, C4):
    """The loop form of doitgen with its `sum` scratch row."""
    for r in range(NR):
        for q in range(NQ):
            tmp = A[r, q, :] @ C4
            A[r, q, :] = tmp


def durbin(r):
    """Levinson-Durbin recursion: `np.flip` dot products and a Python float beta."""
    y = np.empty_like(r)
    alpha = -r[0]
    beta = 1.0
    y[0] = -r[0]
    for k in range(1, r.shape[0]):
        beta *= 1.0 - alpha * alpha
        alpha = -(r[k] + np.dot(np.flip(r[:k]), y[:k])) / beta
        y[:k] += alpha * np.flip(y[:k])
        y[k] = alpha
    return y


def durbin_reversed(r):
    """durbin with reversed slices `r[k - 1::-1]`, as the numba ports write the flips."""
    y = np.empty_like(r)
    alpha = -r[0]
    beta = 1.0
    y[0] = -r[0]
    for k in range(1, r.shape[0]):
        beta *= 1.0 - alpha * alpha
        alpha = -(r[k] + np.dot(r[k - 1::-1], y[:k])) / beta
        y[:k] += alpha * y[k - 1::-1]
        y[k] = alpha
    return y


def fdtd_2d(TMAX, ex, ey, hz, _fict_):
    for t in range(TMAX):
        ey[0, :] = _fict_[t]
        ey[1:, :] -= 0.5 * (hz[1:, :] - hz[:-1, :])
        ex[:, 1:] -= 0.5 * (hz[:, 1:] - hz[:, :-1])
        hz[:-1, :-1] -= 0.7 * (ex[:-1, 1:] - ex[:-1, :-1] + ey[1:, :-1] - ey[:-1, :-1])


def floyd_warshall(path):
    for k in range(path.shape[0]):
        path[:] = np.minimum(path[:], np.add.outer(path[:, k], path[k, :]))


def floyd_warshall_loops(path):
    """The element loop form with `min` of array scalars, as the pure-Python ports write it."""
    N = path.shape[0]
    for k in range(N):
        for i in range(N):
            path[i, :] = np.minimum(path[i, :], path[i, k] + path[k, :])


def floyd_warshall_out(path):
    for k in range(path.shape[0]):
        np.minimum(path, path[:, k:k + 1] + path[k:k + 1, :], out=path)


def floyd_warshall_newaxis(path):
    for k in range(path.shape[0]):
        path[:] = np.minimum(path, path[:, k, np.newaxis] + path[np.newaxis, k, :])
    return path


def gemm(alpha, beta, C, A, B):
    C[:] = alpha * A @ B + beta * C


def gemm_inplace(alpha, beta, C, A, B):
    C *= beta
    C += alpha * A @ B


def gemver(alpha, beta, A, u1, v1, u2, v2, w, x, y, z):
    A += np.outer(u1, v1) + np.outer(u2, v2)
    x += beta * y @ A + z
    w += alpha * A @ x


def gesummv(alpha, beta, A, B, x):
    return alpha * A @ x + beta * B @ x


def gramschmidt(A):
    Q = np.zeros_like(A)
    R = np.zeros((A.shape[1], A.shape[1]), dtype=A.dtype)
    for k in range(A.shape[1]):
        nrm = np.dot(A[:, k], A[:, k])
        R[k, k] = np.sqrt(nrm)
        Q[:, k] = A[:, k] / R[k, k]
        for j in range(k + 1, A.shape[1]):
            R[k, j] = np.dot(Q[:, k], A[:, j])
            A[:, j] -= Q[:, k] * R[k, j]
    return Q, R


def gramschmidt_norm(A):
    """Modified Gram-Schmidt with `np.linalg.norm` and a row of `R` at a time."""
    Q = np.zeros_like(A)
    R = np.zeros((A.shape[1], A.shape[1]), dtype=A.dtype)
    for k in range(A.shape[1]):
        R[k, k] = np.linalg.norm(A[:, k])
        Q[:, k] = A[:, k] / R[k, k]
        R[k, k + 1:] = Q[:, k] @ A[:, k + 1:]
        A[:, k + 1:] -= np.outer(Q[:, k], R[k, k + 1:])
    return Q, R


def doitgen_einsum(NR, NQ, NP, A, C4):
    A[:] = np.einsum("rqs,sp->rqp", A, C4)


def heat_3d(TSTEPS, A, B):
    for t in range(1, TSTEPS):
        B[1:-1, 1:-1, 1:-1] = (
            0.125 * (A[2:, 1:-1, 1:-1] - 2.0 * A[1:-1, 1:-1, 1:-1] + A[:-2, 1:-1, 1:-1])
            + 0.125 * (A[1:-1, 2:, 1:-1] - 2.0 * A[1:-1, 1:-1, 1:-1] + A[1:-1, :-2, 1:-1])
            + 0.125 * (A[1:-1, 1:-1, 2:] - 2.0 * A[1:-1, 1:-1, 1:-1] + A[1:-1, 1:-1, 0:-2])
            + A[1:-1, 1:-1, 1:-1])
        A[1:-1, 1:-1, 1:-1] = (
            0.125 * (B[2:, 1:-1, 1:-1] - 2.0 * B[1:-1, 1:-1, 1:-1] + B[:-2, 1:-1, 1:-1])
            + 0.125 * (B[1:-1, 2:, 1:-1] - 2.0 * B[1:-1, 1:-1, 1:-1] + B[1:-1, :-2, 1:-1])
            + 0.125 * (B[1:-1, 1:-1, 2:] - 2.0 * B[1:-1, 1:-1, 1:-1] + B[1:-1, 1:-1, 0:-2])
            + B[1:-1, 1:-1, 1:-1])


def jacobi_1d(TSTEPS, A, B):
    for t in range(1, TSTEPS):
        B[1:-1] = 0.33333 * (A[:-2] + A[1:-1] + A[2:])
        A[1:-1] = 0.33333 * (B[:-2] + B[1:-1] + B[2:])


def jacobi_2d(TSTEPS, A, B):
    for t in range(1, TSTEPS):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1]
                               + A[:-2, 1:-1])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[1:-1, :-2] + B[1:-1, 2:] + B[2:, 1:-1]
                               + B[:-2, 1:-1])


def k2mm(alpha, beta, A, B, C, D):
    D[:] = alpha * A @ B @ C + beta * D


def k3mm(A, B, C, D):
    return A @ B @ C @ D


def k3mm_multi_dot(A, B, C, D):
    return np.linalg.multi_dot([A, B, C, D])


def lu(A):
    for i in range(A.shape[0]):
        for j in range(i):
            A[i, j] -= A[i, :j] @ A[:j, j]
            A[i, j] /= A[j, j]
        for j in range(i, A.shape[0]):
            A[i, j] -= A[i, :i] @ A[:i, j]


def lu_rows(A):
    """lu with the upper part of each row as one `np.dot` of a row block."""
    N = A.shape[0]
    for i in range(N):
        for j in range(i):
            A[i, j] = (A[i, j] - np.dot(A[i, :j], A[:j, j])) / A[j, j]
        A[i, i:] -= np.dot(A[i, :i], A[:i, i:])


def cholesky_rows(A):
    """cholesky written as assignments, returning the lower triangle by `np.tril`."""
    for i in range(A.shape[0]):
        for j in range(i):
            A[i, j] = (A[i, j] - A[i, :j] @ A[j, :j]) / A[j, j]
        A[i, i] = np.sqrt(A[i, i] - A[i, :i] @ A[i, :i])
    return np.tril(A)


def ludcmp(A, b):
    x = np.zeros_like(b)
    y = np.zeros_like(b)
    for i in range(A.shape[0]):
        for j in range(i):
            A[i, j] -= A[i, :j] @ A[:j, j]
            A[i, j] /= A[j, j]
        for j in range(i, A.shape[0]):
            A[i, j] -= A[i, :i] @ A[:i, j]
    for i in range(A.shape[0]):
        y[i] = b[i] - A[i, :i] @ y[:i]
    for i in range(A.shape[0] - 1, -1, -1):
        x[i] = (y[i] - A[i, i + 1:] @ x[i + 1:]) / A[i, i]
    return x, y


def mvt(x1, x2, y_1, y_2, A):
    x1 += A @ y_1
    x2 += y_2 @ A


def mvt_transpose(x1, x2, y_1, y_2, A):
    x1 += A @ y_1
    x2 += A.T @ y_2


def _match(b1, b2):
    if b1 + b2 == 3:
        return 1
    else:
        return 0


def nussinov(N, seq):
    """npbench's nussinov with its `match` helper branching on the bases."""
    table = np.zeros((N, N), np.int32)
    for i in range(N - 1, -1, -1):
        for j in range(i + 1, N):
            if j - 1 >= 0:
                table[i, j] = max(table[i, j], table[i, j - 1])
            if i + 1 < N:
                table[i, j] = max(table[i, j], table[i + 1, j])
            if j - 1 >= 0 and i + 1 < N:
                if i < j - 1:
                    table[i, j] = max(table[i, j], table[i + 1, j - 1] + _match(seq[i], seq[j]))
                else:
                    table[i, j] = max(table[i, j], table[i + 1, j - 1])
            for k in range(i + 1, j):
                table[i, j] = max(table[i, j], table[i, k] + table[k + 1, j])
    return table


def nussinov_where(N, seq):
    """Nussinov with the pairing test as a boolean added to the score, `np.maximum` for `max`."""
    table = np.zeros((N, N), np.int32)
    for i in range(N - 1, -1, -1):
        for j in range(i + 1, N):
            table[i, j] = np.maximum(table[i, j], table[i, j - 1])
            if i + 1 < N:
                table[i, j] = np.maximum(table[i, j], table[i + 1, j])
                if i < j - 1:
                    pair = (seq[i] + seq[j] == 3).astype(np.int32)
                    table[i, j] = np.maximum(table[i, j], table[i + 1, j - 1] + pair)
                else:
                    table[i, j] = np.maximum(table[i, j], table[i + 1, j - 1])
            for k in range(i + 1, j):
                table[i, j] = max(table[i, j], table[i, k] + table[k + 1, j])
    return table


def seidel_2d(TSTEPS, N, A):
    for t in range(0, TSTEPS - 1):
        for i in range(1, N - 1):
            A[i, 1:-1] += (A[i - 1, :-2] + A[i - 1, 1:-1] + A[i - 1, 2:] + A[i, 2:]
                           + A[i + 1, :-2] + A[i + 1, 1:-1] + A[i + 1, 2:])
            for j in range(1, N - 1):
                A[i, j] += A[i, j - 1]
                A[i, j] /= 9.0


def symm(alpha, beta, C, A, B):
    temp2 = np.empty((C.shape[1], ), dtype=C.dtype)
    C *= beta
    for i in range(C.shape[0]):
        for j in range(C.shape[1]):
            C[:i, j] += alpha * B[i, j] * A[i, :i]
            temp2[j] = B[:i, j] @ A[i, :i]
        C[i, :] += alpha * B[i, :] * A[i, i] + alpha * temp2


def syr2k(alpha, beta, C, A, B):
    for i in range(A.shape[0]):
        C[i, :i + 1] *= beta
        for k in range(A.shape[1]):
            C[i, :i + 1] += (A[:i + 1, k] * alpha * B[i, k] + B[:i + 1, k] * alpha * A[i, k])


def syr2k_tril(alpha, beta, C, A, B):
    lower = np.tril(np.ones_like(C, dtype=bool))
    C[lower] = (alpha * (A @ B.T + B @ A.T) + beta * C)[lower]


def syrk(alpha, beta, C, A):
    for i in range(A.shape[0]):
        C[i, :i + 1] *= beta
        for k in range(A.shape[1]):
            C[i, :i + 1] += alpha * A[i, k] * A[:i + 1, k]


def syrk_tril(alpha, beta, C, A):
    """syrk by a lower-triangular mask instead of the row loop."""
    C[:] = np.where(np.tril(np.ones(C.shape, dtype=bool)), alpha * A @ A.T + beta * C, C)


def trisolv(L, x, b):
    for i in range(x.shape[0]):
        x[i] = (b[i] - L[i, :i] @ x[:i]) / L[i, i]


def trisolv_solve(L, x, b):
    x[:] = np.linalg.solve(np.tril(L), b)


def trmm(alpha, A, B):
    for i in range(B.shape[0]):
        for j in range(B.shape[1]):
            B[i, j] += np.dot(A[i + 1:, i], B[i + 1:, j])
    B *= alpha


def trmm_triu(alpha, A, B):
    B[:] = alpha * (B + np.tril(A, -1).T @ B)


# ----------------------------------------------------------------------------- npbench initialise


def init_gemm(NI, NJ, NK, datatype=np.float64):
    alpha = datatype(1.5)
    beta = datatype(1.2)
    C = np.fromfunction(lambda i, j: ((i * j + 1) % NI) / NI, (NI, NJ), dtype=datatype)
    A = np.fromfunction(lambda i, k: (i * (k + 1) % NK) / NK, (NI, NK), dtype=datatype)
    B = np.fromfunction(lambda k, j: (k * (j + 2) % NJ) / NJ, (NK, NJ), dtype=datatype)
    return alpha, beta, C, A, B


def init_formula(N):
    return np.fromfunction(lambda i, j: i * j % N / N, (N, N))


def init_jacobi_2d(N, datatype=np.float64):
    A = np.fromfunction(lambda i, j: i * (j + 2) / N, (N, N), dtype=datatype)
    B = np.fromfunction(lambda i, j: i * (j + 3) / N, (N, N), dtype=datatype)
    return A, B


def init_heat_3d(N, datatype=np.float64):
    A = np.fromfunction(lambda i, j, k: (i + j + (N - k)) * 10 / N, (N, N, N), dtype=datatype)
    B = np.copy(A)
    return A, B


def init_floyd_warshall(N, datatype=np.int32):
    path = np.fromfunction(lambda i, j: i * j % 7 + 1, (N, N), dtype=datatype)
    for i in range(N):
        for j in range(N):
            if (i + j) % 13 == 0 or (i + j) % 7 == 0 or (i + j) % 11 == 0:
                path[i, j] = 999
    return path


def init_cholesky(N, datatype=np.float64):
    A = np.empty((N, N), dtype=datatype)
    for i in range(N):
        A[i, :i + 1] = np.fromfunction(lambda j: (-j % N) / N + 1, (i + 1, ), dtype=datatype)
        A[i, i + 1:] = 0.0
        A[i, i] = 1.0
    A[:] = A @ np.transpose(A)
    return A


def init_lu(N, datatype=np.float64):
    A = np.empty((N, N), dtype=datatype)
    for i in range(N):
        A[i, :i + 1] = np.fromfunction(lambda j: (-j % N) / N + 1, (i + 1, ), dtype=datatype)
        A[i, i + 1:] = 0.0
        A[i, i] = 1.0
    B = np.empty((N, N), dtype=datatype)
    B[:] = A @ np.transpose(A)
    A[:] = B
    return A


def init_correlation(M, N, datatype=np.float64):
    float_n = datatype(N)
    data = np.fromfunction(lambda i, j: (i * j) / M + i, (N, M), dtype=datatype)
    return float_n, data


def init_atax(M, N, datatype=np.float64):
    fn = datatype(N)
    x = np.fromfunction(lambda i: 1 + (i / fn), (N, ), dtype=datatype)
    A = np.fromfunction(lambda i, j: ((i + j) % N) / (5 * M), (M, N), dtype=datatype)
    return A, x


def init_durbin(N, datatype=np.float64):
    r = np.fromfunction(lambda i: N + 1 - i, (N, ), dtype=datatype)
    return r


def init_nussinov(N, datatype=np.int32):
    seq = np.fromfunction(lambda i: (i + 1) % 4, (N, ), dtype=datatype)
    return seq


def init_trisolv(N, datatype=np.float64):
    L = np.fromfunction(lambda i, j: (i + N - j + 1) * 2 / N, (N, N), dtype=datatype)
    x = np.full((N, ), -999, dtype=datatype)
    b = np.fromfunction(lambda i: i, (N, ), dtype=datatype)
    return L, x, b


def init_adi(N, datatype=np.float64):
    u = np.fromfunction(lambda i, j: (i + N - j) / N, (N, N), dtype=datatype)
    return u


def init_fdtd_2d(TMAX, NX, NY, datatype=np.float64):
    ex = np.fromfunction(lambda i, j: (i * (j + 1)) / NX, (NX, NY), dtype=datatype)
    ey = np.fromfunction(lambda i, j: (i * (j + 2)) / NY, (NX, NY), dtype=datatype)
    hz = np.fromfunction(lambda i, j: (i * (j + 3)) / NX, (NX, NY), dtype=datatype)
    _fict_ = np.fromfunction(lambda i: i, (TMAX, ), dtype=datatype)
    return ex, ey, hz, _fict_


def init_deriche(W, H, datatype=np.float64):
    alpha = datatype(0.25)
    imgIn = np.fromfunction(lambda i, j: ((313 * i + 991 * j) % 65536) / 65535.0, (W, H),
                            dtype=datatype)
    return alpha, imgIn


def init_gemver(N, datatype=np.float64):
    alpha = datatype(1.5)
    beta = datatype(1.2)
    fn = datatype(N)
    A = np.fromfunction(lambda i, j: (i * j % N) / N, (N, N), dtype=datatype)
    u1 = np.fromfunction(lambda i: i, (N, ), dtype=datatype)
    u2 = np.fromfunction(lambda i: ((i + 1) / fn) / 2.0, (N, ), dtype=datatype)
    v1 = np.fromfunction(lambda i: ((i + 1) / fn) / 4.0, (N, ), dtype=datatype)
    v2 = np.fromfunction(lambda i: ((i + 1) / fn) / 6.0, (N, ), dtype=datatype)
    w = np.zeros((N, ), dtype=datatype)
    x = np.zeros((N, ), dtype=datatype)
    y = np.fromfunction(lambda i: ((i + 1) / fn) / 8.0, (N, ), dtype=datatype)
    z = np.fromfunction(lambda i: ((i + 1) / fn) / 9.0, (N, ), dtype=datatype)
    return alpha, beta, A, u1, u2, v1, v2, w, x, y, z


def init_spmv_csr(M, N, nnz_per_row):
    """A banded CSR matrix as three arrays: row pointers, column indices and values."""
    A_row = np.arange(0, M * nnz_per_row + 1, nnz_per_row, dtype=np.int64)
    A_col = (np.arange(M)[:, None] + np.arange(nnz_per_row)[None, :]) % N
    A_val = np.fromfunction(lambda i, j: 1.0 / (i + j + 1), (M, nnz_per_row))
    return A_row, A_col.ravel(), A_val.ravel()


# ----------------------------------------------------------------------------- scientific


def arc_distance(theta_1, phi_1, theta_2, phi_2):
    temp = (np.sin((theta_2 - theta_1) / 2)**2
            + np.cos(theta_1) * np.cos(theta_2) * np.sin((phi_2 - phi_1) / 2)**2)
    distance_matrix = 2 * (np.arctan2(np.sqrt(temp), np.sqrt(1 - temp)))
    return distance_matrix


def arc_distance_pairwise(theta_1, phi_1, theta_2, phi_2):
    """arc_distance between every pair, the pythran benchmark's broadcast form."""
    return arc_distance(theta_1[:, None], phi_1[:, None], theta_2[None, :], phi_2[None, :])


def azimint_naive(data, radius, npt):
    rmax = radius.max()
    res = np.zeros(npt, dtype=np.float64)
    for i in range(npt):
        r1 = rmax * i / npt
        r2 = rmax * (i + 1) / npt
        mask_r12 = np.logical_and((r1 <= radius), (radius < r2))
        values_r12 = data[mask_r12]
        res[i] = values_r12.mean()
    return res


def azimint_naive_where(data, radius, npt):
    """azimint_naive with the masked mean as sums of `np.where`, as the opt variants write it."""
    rmax = radius.max()
    res = np.zeros(npt, dtype=np.float64)
    for i in range(npt):
        r1 = rmax * i / npt
        r2 = rmax * (i + 1) / npt
        mask_r12 = np.logical_and((r1 <= radius), (radius < r2))
        res[i] = np.sum(np.where(mask_r12, data, 0.0)) / np.sum(mask_r12)
    return res


def azimint_naive_np_mean(data, radius, npt):
    rmax = radius.max()
    res = np.zeros(npt, dtype=np.float64)
    for i in range(npt):
        r1 = rmax * i / npt
        r2 = rmax * (i + 1) / npt
        res[i] = np.mean(data[(r1 <= radius) & (radius < r2)])
    return res


def azimint_hist(data, radius, npt):
    histu = np.histogram(radius, npt)[0]
    histw = np.histogram(radius, npt, weights=data)[0]
    return histw / histu


def azimint_hist_range(data, radius, npt):
    rmax = radius.max()
    histu = np.histogram(radius, npt, range=(0.0, rmax))[0]
    histw = np.histogram(radius, bins=npt, range=(0.0, rmax), weights=data)[0]
    return histw / histu


def _build_up_b(b, rho, dt, u, v, dx, dy):
    b[1:-1, 1:-1] = (rho * (1 / dt * ((u[1:-1, 2:] - u[1:-1, 0:-2]) / (2 * dx)
                                      + (v[2:, 1:-1] - v[0:-2, 1:-1]) / (2 * dy))
                            - ((u[1:-1, 2:] - u[1:-1, 0:-2]) / (2 * dx))**2
                            - 2 * ((u[2:, 1:-1] - u[0:-2, 1:-1]) / (2 * dy)
                                   * (v[1:-1, 2:] - v[1:-1, 0:-2]) / (2 * dx))
                            - ((v[2:, 1:-1] - v[0:-2, 1:-1]) / (2 * dy))**2))


def _pressure_poisson(nit, p, dx, dy, b):
    pn = np.empty_like(p)
    pn = p.copy()
    for q in range(nit):
        pn = p.copy()
        p[1:-1, 1:-1] = (((pn[1:-1, 2:] + pn[1:-1, 0:-2]) * dy**2
                          + (pn[2:, 1:-1] + pn[0:-2, 1:-1]) * dx**2) / (2 * (dx**2 + dy**2))
                         - dx**2 * dy**2 / (2 * (dx**2 + dy**2)) * b[1:-1, 1:-1])
        p[:, -1] = p[:, -2]
        p[0, :] = p[1, :]
        p[:, 0] = p[:, 1]
        p[-1, :] = 0


def cavity_flow(nx, ny, nt, nit, u, v, dt, dx, dy, p, rho, nu):
    un = np.empty_like(u)
    vn = np.empty_like(v)
    b = np.zeros((ny, nx))
    for n in range(nt):
        un = u.copy()
        vn = v.copy()
        _build_up_b(b, rho, dt, u, v, dx, dy)
        _pressure_poisson(nit, p, dx, dy, b)
        u[1:-1, 1:-1] = (un[1:-1, 1:-1]
                         - un[1:-1, 1:-1] * dt / dx * (un[1:-1, 1:-1] - un[1:-1, 0:-2])
                         - vn[1:-1, 1:-1] * dt / dy * (un[1:-1, 1:-1] - un[0:-2, 1:-1])
                         - dt / (2 * rho * dx) * (p[1:-1, 2:] - p[1:-1, 0:-2])
                         + nu * (dt / dx**2 * (un[1:-1, 2:] - 2 * un[1:-1, 1:-1] + un[1:-1, 0:-2])
                                 + dt / dy**2 * (un[2:, 1:-1] - 2 * un[1:-1, 1:-1]
                                                 + un[0:-2, 1:-1])))
        v[1:-1, 1:-1] = (vn[1:-1, 1:-1]
                         - un[1:-1, 1:-1] * dt / dx * (vn[1:-1, 1:-1] - vn[1:-1, 0:-2])
                         - vn[1:-1, 1:-1] * dt / dy * (vn[1:-1, 1:-1] - vn[0:-2, 1:-1])
                         - dt / (2 * rho * dy) * (p[2:, 1:-1] - p[0:-2, 1:-1])
                         + nu * (dt / dx**2 * (vn[1:-1, 2:] - 2 * vn[1:-1, 1:-1] + vn[1:-1, 0:-2])
                                 + dt / dy**2 * (vn[2:, 1:-1] - 2 * vn[1:-1, 1:-1]
                                                 + vn[0:-2, 1:-1])))
        u[0, :] = 0
        u[:, 0] = 0
        u[:, -1] = 0
        u[-1, :] = 1
        v[0, :] = 0
        v[-1, :] = 0
        v[:, 0] = 0
        v[:, -1] = 0


def _build_up_b_periodic(rho, dt, dx, dy, u, v):
    b = np.zeros_like(u)
    b[1:-1, 1:-1] = (rho * (1 / dt * ((u[1:-1, 2:] - u[1:-1, 0:-2]) / (2 * dx)
                                      + (v[2:, 1:-1] - v[0:-2, 1:-1]) / (2 * dy))
                            - ((u[1:-1, 2:] - u[1:-1, 0:-2]) / (2 * dx))**2
                            - 2 * ((u[2:, 1:-1] - u[0:-2, 1:-1]) / (2 * dy)
                                   * (v[1:-1, 2:] - v[1:-1, 0:-2]) / (2 * dx))
                            - ((v[2:, 1:-1] - v[0:-2, 1:-1]) / (2 * dy))**2))
    b[1:-1, -1] = (rho * (1 / dt * ((u[1:-1, 0] - u[1:-1, -2]) / (2 * dx)
                                    + (v[2:, -1] - v[0:-2, -1]) / (2 * dy))
                          - ((u[1:-1, 0] - u[1:-1, -2]) / (2 * dx))**2
                          - 2 * ((u[2:, -1] - u[0:-2, -1]) / (2 * dy)
                                 * (v[1:-1, 0] - v[1:-1, -2]) / (2 * dx))
                          - ((v[2:, -1] - v[0:-2, -1]) / (2 * dy))**2))
    b[1:-1, 0] = (rho * (1 / dt * ((u[1:-1, 1] - u[1:-1, -1]) / (2 * dx)
                                   + (v[2:, 0] - v[0:-2, 0]) / (2 * dy))
                         - ((u[1:-1, 1] - u[1:-1, -1]) / (2 * dx))**2
                         - 2 * ((u[2:, 0] - u[0:-2, 0]) / (2 * dy)
                                * (v[1:-1, 1] - v[1:-1, -1]) / (2 * dx))
                         - ((v[2:, 0] - v[0:-2, 0]) / (2 * dy))**2))
    return b


def _pressure_poisson_periodic(nit, p, dx, dy, b):
    pn = np.empty_like(p)
    for q in range(nit):
        pn = p.copy()
        p[1:-1, 1:-1] = (((pn[1:-1, 2:] + pn[1:-1, 0:-2]) * dy**2
                          + (pn[2:, 1:-1] + pn[0:-2, 1:-1]) * dx**2) / (2 * (dx**2 + dy**2))
                         - dx**2 * dy**2 / (2 * (dx**2 + dy**2)) * b[1:-1, 1:-1])
        p[1:-1, -1] = (((pn[1:-1, 0] + pn[1:-1, -2]) * dy**2
                        + (pn[2:, -1] + pn[0:-2, -1]) * dx**2) / (2 * (dx**2 + dy**2))
                       - dx**2 * dy**2 / (2 * (dx**2 + dy**2)) * b[1:-1, -1])
        p[1:-1, 0] = (((pn[1:-1, 1] + pn[1:-1, -1]) * dy**2
                       + (pn[2:, 0] + pn[0:-2, 0]) * dx**2) / (2 * (dx**2 + dy**2))
                      - dx**2 * dy**2 / (2 * (dx**2 + dy**2)) * b[1:-1, 0])
        p[-1, :] = p[-2, :]
        p[0, :] = p[1, :]


def _channel_step(nit, u, v, dt, dx, dy, p, rho, nu, F):
    un = u.copy()
    vn = v.copy()
    b = _build_up_b_periodic(rho, dt, dx, dy, u, v)
    _pressure_poisson_periodic(nit, p, dx, dy, b)
    u[1:-1, 1:-1] = (un[1:-1, 1:-1]
                     - un[1:-1, 1:-1] * dt / dx * (un[1:-1, 1:-1] - un[1:-1, 0:-2])
                     - vn[1:-1, 1:-1] * dt / dy * (un[1:-1, 1:-1] - un[0:-2, 1:-1])
                     - dt / (2 * rho * dx) * (p[1:-1, 2:] - p[1:-1, 0:-2])
                     + nu * (dt / dx**2 * (un[1:-1, 2:] - 2 * un[1:-1, 1:-1] + un[1:-1, 0:-2])
                             + dt / dy**2 * (un[2:, 1:-1] - 2 * un[1:-1, 1:-1] + un[0:-2, 1:-1]))
                     + F * dt)
    v[1:-1, 1:-1] = (vn[1:-1, 1:-1]
                     - un[1:-1, 1:-1] * dt / dx * (vn[1:-1, 1:-1] - vn[1:-1, 0:-2])
                     - vn[1:-1, 1:-1] * dt / dy * (vn[1:-1, 1:-1] - vn[0:-2, 1:-1])
                     - dt / (2 * rho * dy) * (p[2:, 1:-1] - p[0:-2, 1:-1])
                     + nu * (dt / dx**2 * (vn[1:-1, 2:] - 2 * vn[1:-1, 1:-1] + vn[1:-1, 0:-2])
                             + dt / dy**2 * (vn[2:, 1:-1] - 2 * vn[1:-1, 1:-1] + vn[0:-2, 1:-1])))
    u[1:-1, -1] = (un[1:-1, -1]
                   - un[1:-1, -1] * dt / dx * (un[1:-1, -1] - un[1:-1, -2])
                   - vn[1:-1, -1] * dt / dy * (un[1:-1, -1] - un[0:-2, -1])
                   - dt / (2 * rho * dx) * (p[1:-1, 0] - p[1:-1, -2])
                   + nu * (dt / dx**2 * (un[1:-1, 0] - 2 * un[1:-1, -1] + un[1:-1, -2])
                           + dt / dy**2 * (un[2:, -1] - 2 * un[1:-1, -1] + un[0:-2, -1]))
                   + F * dt)
    u[1:-1, 0] = (un[1:-1, 0]
                  - un[1:-1, 0] * dt / dx * (un[1:-1, 0] - un[1:-1, -1])
                  - vn[1:-1, 0] * dt / dy * (un[1:-1, 0] - un[0:-2, 0])
                  - dt / (2 * rho * dx) * (p[1:-1, 1] - p[1:-1, -1])
                  + nu * (dt / dx**2 * (un[1:-1, 1] - 2 * un[1:-1, 0] + un[1:-1, -1])
                          + dt / dy**2 * (un[2:, 0] - 2 * un[1:-1, 0] + un[0:-2, 0]))
                  + F * dt)
    u[0, :] = 0
    u[-1, :] = 0
    v[0, :] = 0
    v[-1, :] = 0
    return un


def channel_flow(nit, u, v, dt, dx, dy, p, rho, nu, F):
    """npbench's channel_flow: steps until the relative change of `sum(u)` is small."""
    udiff = 1
    stepcount = 0
    while udiff > .001:
        un = _channel_step(nit, u, v, dt, dx, dy, p, rho, nu, F)
        udiff = (np.sum(u) - np.sum(un)) / np.sum(u)
        stepcount += 1
    return stepcount


def channel_flow_steps(nt, nit, u, v, dt, dx, dy, p, rho, nu, F):
    """channel_flow for a fixed number of steps, returning the last relative change."""
    udiff = 1.0
    for n in range(nt):
        un = _channel_step(nit, u, v, dt, dx, dy, p, rho, nu, F)
        udiff = (np.sum(u) - np.sum(un)) / np.sum(u)
    return udiff


def compute(array_1, array_2, a, b, c):
    return np.clip(array_1, 2, 10) * a + array_2 * b + c


def contour_integral(NR, NM, slab_per_bc, Ham, int_pts, Y):
    """npbench's contour integral: `abs(z) < 1.0` decides the sign of each term in Python."""
    P0 = np.zeros((NR, NM), dtype=np.complex128)
    P1 = np.zeros((NR, NM), dtype=np.complex128)
    for z in int_pts:
        Tz = np.zeros((NR, NR), dtype=np.complex128)
        for n in range(slab_per_bc + 1):
            zz = np.power(z, slab_per_bc / 2 - n)
            Tz += zz * Ham[n]
        if NR == NM:
            X = np.linalg.inv(Tz)
        else:
            X = np.linalg.solve(Tz, Y)
        if abs(z) < 1.0:
            X = -X
        P0 += X
        P1 += z * X
    return P0, P1


def contour_integral_where(NR, NM, slab_per_bc, Ham, int_pts, Y):
    """The same integral with the sign chosen by `np.where`."""
    P0 = np.zeros((NR, NM), dtype=np.complex128)
    P1 = np.zeros((NR, NM), dtype=np.complex128)
    for z in int_pts:
        Tz = np.zeros((NR, NR), dtype=np.complex128)
        for n in range(slab_per_bc + 1):
            zz = np.power(z, slab_per_bc / 2 - n)
            Tz += zz * Ham[n]
        if NR == NM:
            X = np.linalg.inv(Tz)
        else:
            X = np.linalg.solve(Tz, Y)
        X = np.where(abs(z) < 1.0, -X, X)
        P0 += X
        P1 += z * X
    return P0, P1


def crc16(data, poly=0x8408):
    """npbench's crc16: a Python-int register and a branch on each bit of each byte."""
    crc = 0xFFFF
    for b in data:
        cur_byte = 0xFF & b
        for _ in range(0, 8):
            if (crc & 0x0001) ^ (cur_byte & 0x0001):
                crc = (crc >> 1) ^ poly
            else:
                crc >>= 1
            cur_byte >>= 1
    crc = (~crc & 0xFFFF)
    crc = (crc << 8) | ((crc >> 8) & 0xFF)
    return crc & 0xFFFF


def crc16_where(data, poly=0x8408):
    """crc16 with the bit test as `np.where` over an int64 register."""
    crc = np.int64(0xFFFF)
    for b in data.astype(np.int64):
        cur_byte = 0xFF & b
        for _ in range(0, 8):
            crc = np.where((crc ^ cur_byte) & 0x0001, (crc >> 1) ^ poly, crc >> 1)
            cur_byte >>= 1
    crc = (~crc & 0xFFFF)
    crc = (crc << 8) | ((crc >> 8) & 0xFF)
    return crc & 0xFFFF


def crc16_uint8_where(data, poly=0x8408):
    """crc16 keeping npbench's Python-int register and uint8 bytes, the branch as `np.where`."""
    crc = 0xFFFF
    for b in data:
        cur_byte = 0xFF & b
        for _ in range(0, 8):
            crc = np.where((crc & 0x0001) ^ (cur_byte & 0x0001), (crc >> 1) ^ poly, crc >> 1)
            cur_byte >>= 1
    crc = (~crc & 0xFFFF)
    crc = (crc << 8) | ((crc >> 8) & 0xFF)
    return crc & 0xFFFF


def crc16_uint16(data, poly=0x8408):
    """crc16 with a `np.uint16` register and bytes cast by `np.uint16(b)`, as numba ports do."""
    crc = np.uint16(0xFFFF)
    for b in data:
        cur_byte = np.uint16(b)
        for _ in range(0, 8):
            bit = (crc ^ cur_byte) & np.uint16(1)
            crc = np.where(bit, (crc >> np.uint16(1)) ^ np.uint16(poly), crc >> np.uint16(1))
            cur_byte >>= np.uint16(1)
    crc = ~crc
    return (crc << np.uint16(8)) | (crc >> np.uint16(8))


def go_fast(a):
    trace = 0.0
    for i in range(a.shape[0]):
        trace += np.tanh(a[i, i])
    return a + trace


def go_fast_trace(a):
    return a + np.trace(np.tanh(a))


def hdiff(in_field, out_field, coeff):
    I, J, K = out_field.shape[0], out_field.shape[1], out_field.shape[2]
    lap_field = 4.0 * in_field[1:I + 3, 1:J + 3, :] - (
        in_field[2:I + 4, 1:J + 3, :] + in_field[0:I + 2, 1:J + 3, :]
        + in_field[1:I + 3, 2:J + 4, :] + in_field[1:I + 3, 0:J + 2, :])
    res = lap_field[1:, 1:J + 1, :] - lap_field[:-1, 1:J + 1, :]
    flx_field = np.where(
        (res * (in_field[2:I + 3, 2:J + 2, :] - in_field[1:I + 2, 2:J + 2, :])) > 0, 0, res)
    res = lap_field[1:I + 1, 1:, :] - lap_field[1:I + 1, :-1, :]
    fly_field = np.where(
        (res * (in_field[2:I + 2, 2:J + 3, :] - in_field[2:I + 2, 1:J + 2, :])) > 0, 0, res)
    out_field[:, :, :] = in_field[2:I + 2, 2:J + 2, :] - coeff[:, :, :] * (
        flx_field[1:, :, :] - flx_field[:-1, :, :] + fly_field[:, 1:, :] - fly_field[:, :-1, :])


def hdiff_levels(in_field, out_field, coeff):
    """hdiff one vertical level at a time."""
    I, J, K = out_field.shape
    for k in range(K):
        lap = 4.0 * in_field[1:I + 3, 1:J + 3, k] - (
            in_field[2:I + 4, 1:J + 3, k] + in_field[0:I + 2, 1:J + 3, k]
            + in_field[1:I + 3, 2:J + 4, k] + in_field[1:I + 3, 0:J + 2, k])
        res = lap[1:, 1:J + 1] - lap[:-1, 1:J + 1]
        flx = np.where(res * (in_field[2:I + 3, 2:J + 2, k] - in_field[1:I + 2, 2:J + 2, k]) > 0,
                       0, res)
        res = lap[1:I + 1, 1:] - lap[1:I + 1, :-1]
        fly = np.where(res * (in_field[2:I + 2, 2:J + 3, k] - in_field[2:I + 2, 1:J + 2, k]) > 0,
                       0, res)
        out_field[:, :, k] = in_field[2:I + 2, 2:J + 2, k] - coeff[:, :, k] * (
            flx[1:] - flx[:-1] + fly[:, 1:] - fly[:, :-1])


BET_M = 0.5
BET_P = 0.5


def vadv(utens_stage, u_stage, wcon, u_pos, utens, dtr_stage):
    """Vertical advection: a Thomas solve along the last axis into `np.ndarray` scratch."""
    I, J, K = utens_stage.shape[0], utens_stage.shape[1], utens_stage.shape[2]
    ccol = np.ndarray((I, J, K), dtype=utens_stage.dtype)
    dcol = np.ndarray((I, J, K), dtype=utens_stage.dtype)
    data_col = np.ndarray((I, J), dtype=utens_stage.dtype)
    for k in range(1):
        gcv = 0.25 * (wcon[1:, :, k + 1] + wcon[:-1, :, k + 1])
        cs = gcv * BET_M
        ccol[:, :, k] = gcv * BET_P
        bcol = dtr_stage - ccol[:, :, k]
        correction_term = -cs * (u_stage[:, :, k + 1] - u_stage[:, :, k])
        dcol[:, :, k] = (dtr_stage * u_pos[:, :, k] + utens[:, :, k] + utens_stage[:, :, k]
                         + correction_term)
        divided = 1.0 / bcol
        ccol[:, :, k] = ccol[:, :, k] * divided
        dcol[:, :, k] = dcol[:, :, k] * divided
    for k in range(1, K - 1):
        gav = -0.25 * (wcon[1:, :, k] + wcon[:-1, :, k])
        gcv = 0.25 * (wcon[1:, :, k + 1] + wcon[:-1, :, k + 1])
        as_ = gav * BET_M
        cs = gcv * BET_M
        acol = gav * BET_P
        ccol[:, :, k] = gcv * BET_P
        bcol = dtr_stage - acol - ccol[:, :, k]
        correction_term = (-as_ * (u_stage[:, :, k - 1] - u_stage[:, :, k])
                           - cs * (u_stage[:, :, k + 1] - u_stage[:, :, k]))
        dcol[:, :, k] = (dtr_stage * u_pos[:, :, k] + utens[:, :, k] + utens_stage[:, :, k]
                         + correction_term)
        divided = 1.0 / (bcol - ccol[:, :, k - 1] * acol)
        ccol[:, :, k] = ccol[:, :, k] * divided
        dcol[:, :, k] = (dcol[:, :, k] - (dcol[:, :, k - 1]) * acol) * divided
    for k in range(K - 1, K):
        gav = -0.25 * (wcon[1:, :, k] + wcon[:-1, :, k])
        as_ = gav * BET_M
        acol = gav * BET_P
        bcol = dtr_stage - acol
        correction_term = -as_ * (u_stage[:, :, k - 1] - u_stage[:, :, k])
        dcol[:, :, k] = (dtr_stage * u_pos[:, :, k] + utens[:, :, k] + utens_stage[:, :, k]
                         + correction_term)
        divided = 1.0 / (bcol - ccol[:, :, k - 1] * acol)
        dcol[:, :, k] = (dcol[:, :, k] - (dcol[:, :, k - 1]) * acol) * divided
    for k in range(K - 1, K - 2, -1):
        datacol = dcol[:, :, k]
        data_col[:] = datacol
        utens_stage[:, :, k] = dtr_stage * (datacol - u_pos[:, :, k])
    for k in range(K - 2, -1, -1):
        datacol = dcol[:, :, k] - ccol[:, :, k] * data_col[:, :]
        data_col[:] = datacol
        utens_stage[:, :, k] = dtr_stage * (datacol - u_pos[:, :, k])


def vadv_empty(utens_stage, u_stage, wcon, u_pos, utens, dtr_stage):
    """vadv with `np.empty` scratch, as the opt variants allocate it."""
    I, J, K = utens_stage.shape
    ccol = np.empty((I, J, K), dtype=utens_stage.dtype)
    dcol = np.empty((I, J, K), dtype=utens_stage.dtype)
    gcv = 0.25 * (wcon[1:, :, 1] + wcon[:-1, :, 1])
    ccol[:, :, 0] = gcv * BET_P / (dtr_stage - gcv * BET_P)
    dcol[:, :, 0] = (dtr_stage * u_pos[:, :, 0] + utens[:, :, 0] + utens_stage[:, :, 0]
                     - gcv * BET_M * (u_stage[:, :, 1] - u_stage[:, :, 0])) / (
                         dtr_stage - gcv * BET_P)
    for k in range(1, K):
        gav = -0.25 * (wcon[1:, :, k] + wcon[:-1, :, k])
        acol = gav * BET_P
        correction_term = -gav * BET_M * (u_stage[:, :, k - 1] - u_stage[:, :, k])
        if k < K - 1:
            gcv = 0.25 * (wcon[1:, :, k + 1] + wcon[:-1, :, k + 1])
            ccol[:, :, k] = gcv * BET_P
            correction_term -= gcv * BET_M * (u_stage[:, :, k + 1] - u_stage[:, :, k])
        else:
            ccol[:, :, k] = 0.0
        divided = 1.0 / (dtr_stage - acol - ccol[:, :, k] - ccol[:, :, k - 1] * acol)
        ccol[:, :, k] *= divided
        dcol[:, :, k] = (dtr_stage * u_pos[:, :, k] + utens[:, :, k] + utens_stage[:, :, k]
                         + correction_term - dcol[:, :, k - 1] * acol) * divided
    data_col = dcol[:, :, K - 1].copy()
    utens_stage[:, :, K - 1] = dtr_stage * (data_col - u_pos[:, :, K - 1])
    for k in range(K - 2, -1, -1):
        data_col = dcol[:, :, k] - ccol[:, :, k] * data_col
        utens_stage[:, :, k] = dtr_stage * (data_col - u_pos[:, :, k])


def mandelbrot1(xmin, xmax, ymin, ymax, xn, yn, maxiter, horizon=2.0):
    X = np.linspace(xmin, xmax, xn, dtype=np.float64)
    Y = np.linspace(ymin, ymax, yn, dtype=np.float64)
    C = X + Y[:, None] * 1j
    N = np.zeros(C.shape, dtype=np.int64)
    Z = np.zeros(C.shape, dtype=np.complex128)
    for n in range(maxiter):
        I = np.less(abs(Z), horizon)
        N[I] = n
        Z[I] = Z[I]**2 + C[I]
    N[N == maxiter - 1] = 0
    return Z, N


def mandelbrot2(xmin, xmax, ymin, ymax, xn, yn, itermax, horizon=2.0):
    """The shrinking-arrays mandelbrot: escaped points leave `Z`, `C` and the index grids."""
    Xi, Yi = np.mgrid[0:xn, 0:yn]
    X = np.linspace(xmin, xmax, xn, dtype=np.float64)[Xi]
    Y = np.linspace(ymin, ymax, yn, dtype=np.float64)[Yi]
    C = X + Y * 1j
    N_ = np.zeros(C.shape, dtype=np.int64)
    Z_ = np.zeros(C.shape, dtype=np.complex128)
    Xi.shape = Yi.shape = C.shape = xn * yn
    Z = np.zeros(C.shape, np.complex128)
    for i in range(itermax):
        if not len(Z):
            break
        np.multiply(Z, Z, Z)
        np.add(Z, C, Z)
        I = abs(Z) > horizon
        N_[Xi[I], Yi[I]] = i + 1
        Z_[Xi[I], Yi[I]] = Z[I]
        np.logical_not(I, I)
        Z = Z[I]
        Xi, Yi = Xi[I], Yi[I]
        C = C[I]
    return Z_.T, N_.T


def mandelbrot2_reshape(xmin, xmax, ymin, ymax, xn, yn, itermax, horizon=2.0):
    """mandelbrot2 with `reshape` for the `.shape =` assignments."""
    Xi, Yi = np.mgrid[0:xn, 0:yn]
    X = np.linspace(xmin, xmax, xn, dtype=np.float64)[Xi]
    Y = np.linspace(ymin, ymax, yn, dtype=np.float64)[Yi]
    C = (X + Y * 1j).reshape(xn * yn)
    N_ = np.zeros((xn, yn), dtype=np.int64)
    Z_ = np.zeros((xn, yn), dtype=np.complex128)
    Xi, Yi = Xi.reshape(xn * yn), Yi.reshape(xn * yn)
    Z = np.zeros(C.shape, np.complex128)
    for i in range(itermax):
        np.multiply(Z, Z, Z)
        np.add(Z, C, Z)
        I = abs(Z) > horizon
        N_[Xi[I], Yi[I]] = i + 1
        Z_[Xi[I], Yi[I]] = Z[I]
        np.logical_not(I, I)
        Z = Z[I]
        Xi, Yi = Xi[I], Yi[I]
        C = C[I]
    return Z_.T, N_.T


def mandelbrot_where(xmin, xmax, ymin, ymax, xn, yn, itermax, horizon=2.0):
    """Escape counts with fixed arrays: `np.where` keeps escaped points frozen."""
    X = np.linspace(xmin, xmax, xn, dtype=np.float64)
    Y = np.linspace(ymin, ymax, yn, dtype=np.float64)
    C = X[:, None] + Y[None, :] * 1j
    N_ = np.zeros(C.shape, dtype=np.int64)
    Z = np.zeros(C.shape, np.complex128)
    for i in range(itermax):
        alive = N_ == 0
        Z = np.where(alive, Z * Z + C, Z)
        N_[alive & (abs(Z) > horizon)] = i + 1
    return Z.T, N_.T


def _get_acc(pos, mass, G, softening):
    x = pos[:, 0:1]
    y = pos[:, 1:2]
    z = pos[:, 2:3]
    dx = x.T - x
    dy = y.T - y
    dz = z.T - z
    inv_r3 = (dx**2 + dy**2 + dz**2 + softening**2)
    inv_r3[inv_r3 > 0] = inv_r3[inv_r3 > 0]**(-1.5)
    ax = G * (dx * inv_r3) @ mass
    ay = G * (dy * inv_r3) @ mass
    az = G * (dz * inv_r3) @ mass
    a = np.hstack((ax, ay, az))
    return a


def _get_energy(pos, vel, mass, G):
    KE = 0.5 * np.sum(np.sum(mass * vel**2))
    x = pos[:, 0:1]
    y = pos[:, 1:2]
    z = pos[:, 2:3]
    dx = x.T - x
    dy = y.T - y
    dz = z.T - z
    inv_r = np.sqrt(dx**2 + dy**2 + dz**2)
    inv_r[inv_r > 0] = 1.0 / inv_r[inv_r > 0]
    PE = G * np.sum(np.sum(np.triu(-(mass * mass.T) * inv_r, 1)))
    return KE, PE


def nbody(mass, pos, vel, N, Nt, dt, G, softening):
    vel -= np.mean(mass * vel, 0) / np.mean(mass)
    acc = _get_acc(pos, mass, G, softening)
    KE = np.ndarray(Nt + 1, dtype=np.float64)
    PE = np.ndarray(Nt + 1, dtype=np.float64)
    KE[0], PE[0] = _get_energy(pos, vel, mass, G)
    t = 0.0
    for i in range(Nt):
        vel += acc * dt / 2.0
        pos += vel * dt
        acc = _get_acc(pos, mass, G, softening)
        vel += acc * dt / 2.0
        t += dt
        KE[i + 1], PE[i + 1] = _get_energy(pos, vel, mass, G)
    return KE, PE


def nbody_empty(mass, pos, vel, N, Nt, dt, G, softening):
    """nbody with `np.empty` energy histories."""
    vel -= np.mean(mass * vel, 0) / np.mean(mass)
    acc = _get_acc(pos, mass, G, softening)
    KE = np.empty(Nt + 1, dtype=np.float64)
    PE = np.empty(Nt + 1, dtype=np.float64)
    KE[0], PE[0] = _get_energy(pos, vel, mass, G)
    for i in range(Nt):
        vel += acc * dt / 2.0
        pos += vel * dt
        acc = _get_acc(pos, mass, G, softening)
        vel += acc * dt / 2.0
        KE[i + 1], PE[i + 1] = _get_energy(pos, vel, mass, G)
    return KE, PE


def spmv(A_row, A_col, A_val, x):
    """npbench's spmv: each row a slice of the CSR arrays between traced row pointers."""
    y = np.empty(A_row.size - 1, A_val.dtype)
    for i in range(A_row.size - 1):
        cols = A_col[A_row[i]:A_row[i + 1]]
        vals = A_val[A_row[i]:A_row[i + 1]]
        y[i] = vals @ x[cols]
    return y


def spmv_add_at(A_row, A_col, A_val, x):
    """CSR times a vector by row ids from `np.searchsorted` and a scatter-add."""
    rows = np.searchsorted(A_row, np.arange(A_col.size), side="right") - 1
    y = np.zeros(A_row.size - 1, dtype=A_val.dtype)
    np.add.at(y, rows, A_val * x[A_col])
    return y


def spmv_bincount(A_row, A_col, A_val, x):
    rows = np.repeat(np.arange(A_row.size - 1), np.diff(A_row))
    return np.bincount(rows, weights=A_val * x[A_col], minlength=A_row.size - 1)


def stockham_fft(N, R, K, x, y):
    """Radix-R Stockham FFT of length N = R**K: stride permutation, twiddles, butterfly."""
    i_coord, j_coord = np.mgrid[0:R, 0:R]
    dft_mat = np.empty((R, R), dtype=np.complex128)
    dft_mat = np.exp(-2.0j * np.pi * i_coord * j_coord / R)
    y[:] = x
    ii_coord, jj_coord = np.mgrid[0:R, 0:R**K]
    for i in range(K):
        yv = np.reshape(y, (R**i, R, R**(K - i - 1)))
        tmp_perm = np.transpose(yv, axes=(1, 0, 2))
        D = np.empty((R, R**i, R**(K - i - 1)), dtype=np.complex128)
        tmp = np.exp(-2j * np.pi * ii_coord[:, :R**i] * jj_coord[:, :R**i] / R**(i + 1))
        D[:] = np.repeat(np.reshape(tmp, (R, R**i, 1)), R**(K - i - 1), axis=2)
        tmp_twid = np.reshape(tmp_perm, (N, )) * np.reshape(D, (N, ))
        y[:] = np.reshape(dft_mat @ np.reshape(tmp_twid, (R, R**(K - 1))), (N, ))


def scattering_self_energies(neigh_idx, dH, G, D, Sigma):
    for k in range(G.shape[0]):
        for E in range(G.shape[1]):
            for q in range(D.shape[0]):
                for w in range(D.shape[1]):
                    for i in range(D.shape[-2]):
                        for j in range(D.shape[-1]):
                            for a in range(neigh_idx.shape[0]):
                                for b in range(neigh_idx.shape[1]):
                                    if E - w >= 0:
                                        dHG = G[k, E - w, neigh_idx[a, b]] @ dH[a, b, i]
                                        dHD = dH[a, b, j] * D[q, w, a, b, i, j]
                                        Sigma[k, E, a] += dHG @ dHD


def scattering_self_energies_einsum(neigh_idx, dH, G, D, Sigma):
    """The einsum rewrite of the inner loops, keeping the energy loops."""
    for k in range(G.shape[0]):
        for E in range(G.shape[1]):
            for w in range(min(E + 1, D.shape[1])):
                dHG = G[k, E - w, neigh_idx] @ dH
                dHD = np.einsum("abjmn,qabij->abimn", dH, D[:, w])
                Sigma[k, E] += np.einsum("abimn,abinp->amp", dHG, dHD)


# ----------------------------------------------------------------------------- deep learning


def relu(x):
    return np.maximum(x, 0)


def softmax(x):
    tmp_max = np.max(x, axis=-1, keepdims=True)
    tmp_out = np.exp(x - tmp_max)
    tmp_sum = np.sum(tmp_out, axis=-1, keepdims=True)
    return tmp_out / tmp_sum


def softmax_inplace(x):
    x -= x.max(axis=-1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(axis=-1, keepdims=True)
    return x


def conv2d(input, weights):
    K = weights.shape[0]
    H_out = input.shape[1] - K + 1
    W_out = input.shape[2] - K + 1
    output = np.empty((input.shape[0], H_out, W_out, weights.shape[3]), dtype=np.float32)
    for i in range(H_out):
        for j in range(W_out):
            output[:, i, j, :] = np.sum(
                input[:, i:i + K, j:j + K, :, np.newaxis] * weights[np.newaxis, :, :, :],
                axis=(1, 2, 3))
    return output


def conv2d_bias(input, weights, bias):
    return conv2d(input, weights) + bias


def conv2d_tensordot(input, weights, bias):
    """The same convolution with `np.tensordot` over the patch axes."""
    K = weights.shape[0]
    H_out = input.shape[1] - K + 1
    W_out = input.shape[2] - K + 1
    output = np.empty((input.shape[0], H_out, W_out, weights.shape[3]), dtype=np.float32)
    for i in range(H_out):
        for j in range(W_out):
            output[:, i, j, :] = np.tensordot(input[:, i:i + K, j:j + K, :], weights,
                                              axes=([1, 2, 3], [0, 1, 2]))
    return output + bias


def conv2d_windows(input, weights, bias):
    """conv2d by `sliding_window_view` and `np.einsum`, as the optimised ports write it."""
    K = weights.shape[0]
    windows = np.lib.stride_tricks.sliding_window_view(input, (K, K), axis=(1, 2))
    return np.einsum("nhwcij,ijco->nhwo", windows, weights) + bias


def maxpool2d(x):
    output = np.empty([x.shape[0], x.shape[1] // 2, x.shape[2] // 2, x.shape[3]], dtype=x.dtype)
    for i in range(x.shape[1] // 2):
        for j in range(x.shape[2] // 2):
            output[:, i, j, :] = np.max(x[:, 2 * i:2 * i + 2, 2 * j:2 * j + 2, :], axis=(1, 2))
    return output


def maxpool2d_reshape(x):
    N, H, W, C = x.shape
    return x[:, :H // 2 * 2, :W // 2 * 2].reshape(N, H // 2, 2, W // 2, 2, C).max(axis=(2, 4))


def lenet5(input, conv1, conv1bias, conv2, conv2bias, fc1w, fc1b, fc2w, fc2b, fc3w, fc3b, N,
           C_before_fc1):
    x = relu(conv2d(input, conv1) + conv1bias)
    x = maxpool2d(x)
    x = relu(conv2d(x, conv2) + conv2bias)
    x = maxpool2d(x)
    x = np.reshape(x, (N, C_before_fc1))
    x = relu(x @ fc1w + fc1b)
    x = relu(x @ fc2w + fc2b)
    return x @ fc3w + fc3b


def mlp(input, w1, b1, w2, b2, w3, b3):
    x = relu(input @ w1 + b1)
    x = relu(x @ w2 + b2)
    x = softmax(x @ w3 + b3)
    return x


def batchnorm2d(x, eps=1e-5):
    mean = np.mean(x, axis=0, keepdims=True)
    std = np.std(x, axis=0, keepdims=True)
    return (x - mean) / np.sqrt(std + eps)


def resnet_basicblock(input, conv1, conv2, conv3):
    padded = np.zeros((input.shape[0], input.shape[1] + 2, input.shape[2] + 2, conv1.shape[3]),
                      dtype=np.float32)
    padded[:, 1:-1, 1:-1, :] = conv2d(input, conv1)
    x = batchnorm2d(padded)
    x = relu(x)
    x = conv2d(x, conv2)
    x = batchnorm2d(x)
    x = relu(x)
    x = conv2d(x, conv3)
    x = batchnorm2d(x)
    return relu(x + input)


def resnet_pad(input, conv1, conv2, conv3):
    """The basic block with `np.pad` for the 3x3 convolution's border."""
    x = relu(batchnorm2d(conv2d(input, conv1)))
    x = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    x = relu(batchnorm2d(conv2d(x, conv2)))
    x = batchnorm2d(conv2d(x, conv3))
    return relu(x + input)


# ----------------------------------------------------------------------------- argument makers


def _sq(s, n, k=2):
    return _f(n + k, n + k, seed=s)


def _tri_lower(s, n):
    L = np.tril(_f(n + 2, n + 2, seed=s)) + (n + 2) * np.eye(n + 2)
    return L


def _csr(s, n):
    M = n + 2
    counts = _i(4, M, seed=s) + 1
    A_row = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    A_col = _i(M + 1, int(A_row[-1]), seed=s + 10)
    return A_row, A_col, _f(int(A_row[-1]), seed=s + 20), _f(M + 1, seed=s + 30)


def _contour_args(s, n, square):
    NR = n
    NM = n if square else n - 2
    slab = 2
    Ham = (_f(slab + 1, NR, NR, seed=s) + 1j * _f(slab + 1, NR, NR, seed=s + 1)
           + 3 * NR * np.eye(NR))
    pts = np.exp(1j * np.linspace(0, 2 * np.pi, 4, endpoint=False)) * np.array(
        [0.5, 1.5, 0.8, 1.2])
    Y = _f(NR, NM, seed=s + 2) + 0j
    return NR, NM, slab, Ham, pts + 0.01 * s, Y


def _cavity(s, n):
    nx = ny = n + 4
    u = 0.1 * _f(ny, nx, seed=s)
    v = 0.1 * _f(ny, nx, seed=s + 1)
    p = 0.1 * _f(ny, nx, seed=s + 2)
    return nx, ny, 3, 5, u, v, 0.001, 2.0 / (nx - 1), 2.0 / (ny - 1), p, 1.0, 0.1


def _channel(s, n):
    nx = ny = n + 4
    u = 0.1 * _f(ny, nx, seed=s)
    v = 0.1 * _f(ny, nx, seed=s + 1)
    p = 0.1 * _f(ny, nx, seed=s + 2)
    return 3, 5, u, v, 0.01, 2.0 / (nx - 1), 2.0 / (ny - 1), p, 1.0, 0.1, 1.0


def _hdiff(s, n, dtype=np.float64):
    I, J, K = n, n + 1, 3
    return (_f(I + 4, J + 4, K, seed=s).astype(dtype), np.zeros((I, J, K), dtype),
            (0.025 * _f(I, J, K, seed=s + 1, positive=True)).astype(dtype))


def _vadv(s, n):
    I, J, K = n, n + 1, 5
    return (_f(I, J, K, seed=s), _f(I, J, K, seed=s + 1), _f(I + 1, J, K, seed=s + 2),
            _f(I, J, K, seed=s + 3), _f(I, J, K, seed=s + 4), 3.0 + 0.1 * s)


def _nbody(s, n):
    N = n + 1
    mass = 20.0 * np.ones((N, 1)) / N
    return (mass, _f(N, 3, seed=s), _f(N, 3, seed=s + 1), N, 3, 0.01, 1.0, 0.1)


def _sse(s, n):
    Nkz, NE, Nqz, Nw, N3D, NA, NB, Norb = 2, n // 2 + 1, 1, 2, 2, 2, 2, 2

    def c(*shape, seed):
        return _f(*shape, seed=seed) + 1j * _f(*shape, seed=seed + 50)
    return (_i(NA, NA, NB, seed=s), c(NA, NB, N3D, Norb, Norb, seed=s + 1),
            c(Nkz, NE, NA, Norb, Norb, seed=s + 2), c(Nqz, Nw, NA, NB, N3D, N3D, seed=s + 3),
            np.zeros((Nkz, NE, NA, Norb, Norb), np.complex128))


def _lenet(s, n):
    N = n // 2
    H = 16
    return (_f32(N, H, H, 1, seed=s), _f32(5, 5, 1, 6, seed=s + 1), _f32(6, seed=s + 2),
            _f32(5, 5, 6, 16, seed=s + 3), _f32(16, seed=s + 4), _f32(16, 12, seed=s + 5),
            _f32(12, seed=s + 6), _f32(12, 8, seed=s + 7), _f32(8, seed=s + 8),
            _f32(8, 10, seed=s + 9), _f32(10, seed=s + 10), N, 16)


def _resnet(s, n):
    C = 4
    return (_f32(n // 2, 5, 5, C, seed=s), _f32(1, 1, C, 3, seed=s + 1),
            _f32(3, 3, 3, 3, seed=s + 2), _f32(1, 1, 3, C, seed=s + 3))


def _resnet_pad(s, n):
    C = 4
    return (_f32(n // 2, 5, 5, C, seed=s), _f32(1, 1, C, 3, seed=s + 1),
            _f32(3, 3, 3, 3, seed=s + 2), _f32(1, 1, 3, C, seed=s + 3))


def _stockham(s, n):
    R, K = 2, n // 2 + 1
    N = R**K
    return N, R, K, _f(N, seed=s) + 1j * _f(N, seed=s + 1), np.zeros(N, np.complex128)


def _gemver(s, n, dtype=np.float64):
    N = n + 2
    return (1.5, 1.2, _f(N, N, seed=s).astype(dtype),
            *[_f(N, seed=s + k).astype(dtype) for k in range(1, 9)])


def _seidel(s, n):
    N = n + 2
    return 3, N, _f(N, N, seed=s)


def _floyd_int(s, n):
    path = (_i(9, n + 2, n + 2, seed=s) + 1).astype(np.int32)
    path[_i(3, n + 2, n + 2, seed=s + 5) == 0] = 999
    return (path,)


def _correlation(s, n, dtype=np.float64):
    M, N = n + 1, n + 3
    return M, float(N), _f(N, M, seed=s).astype(dtype)


def _mandel(s, n):
    return -2.25 + 0.01 * s, 0.75, -1.5, 1.5, n + 2, n + 3, 8


POLYBENCH = {
    "adi": (adi, {}, lambda s, n: (2, n + 2, _f(n + 2, n + 2, seed=s))),
    "adi_init_u": (adi, {}, lambda s, n: (3, n + 3, init_adi(n + 3))),
    "atax": (atax, {}, lambda s, n: (_f(n + 1, n + 3, seed=s), _f(n + 3, seed=s + 1))),
    "atax_dot": (atax_dot, {}, lambda s, n: (_f(n + 1, n + 3, seed=s), _f(n + 3, seed=s + 1))),
    "atax_f32": (atax, {}, lambda s, n: (_f32(n + 1, n + 3, seed=s), _f32(n + 3, seed=s + 1))),
    "bicg": (bicg, {}, lambda s, n: (_f(n + 3, n + 1, seed=s), _f(n + 1, seed=s + 1),
                                     _f(n + 3, seed=s + 2))),
    "bicg_dot": (bicg_dot, {}, lambda s, n: (_f(n + 3, n + 1, seed=s), _f(n + 1, seed=s + 1),
                                             _f(n + 3, seed=s + 2))),
    "cholesky": (cholesky, {}, lambda s, n: (_spd(n + 2, s),)),
    "cholesky_init": (cholesky, {}, lambda s, n: (init_cholesky(n + 2),)),
    "cholesky_f32": (cholesky, {}, lambda s, n: (_spd(n + 2, s).astype(np.float32),)),
    "cholesky2": (cholesky2, {}, lambda s, n: (_spd(n + 2, s),)),
    "correlation": (correlation, {}, _correlation),
    "correlation_init": (correlation, {}, lambda s, n: (n + 1, *init_correlation(n + 1, n + 3))),
    "correlation_f32": (correlation, {}, lambda s, n: _correlation(s, n, np.float32)),
    "covariance": (covariance, {}, _correlation),
    "covariance_f32": (covariance, {}, lambda s, n: _correlation(s, n, np.float32)),
    "deriche": (deriche, {}, lambda s, n: (0.25, _f(n + 2, n + 3, seed=s))),
    "deriche_init": (deriche, {}, lambda s, n: init_deriche(n + 2, n + 3)),
    "deriche_f32": (deriche, {}, lambda s, n: (0.25, _f32(n + 2, n + 3, seed=s))),
    "doitgen": (doitgen, {}, lambda s, n: (n, n + 1, n + 2, _f(n, n + 1, n + 2, seed=s),
                                           _f(n + 2, n + 2, seed=s + 1))),
    "doitgen_einsum": (doitgen_einsum, {}, lambda s, n: (n, n + 1, n + 2,
                                                         _f(n, n + 1, n + 2, seed=s),
                                                         _f(n + 2, n + 2, seed=s + 1))),
    "doitgen_loop": (doitgen_loop, {}, lambda s, n: (n, n - 1, n + 2,
                                                     _f(n, n - 1, n + 2, seed=s),
                                                     _f(n + 2, n + 2, seed=s + 1))),
    "durbin": (durbin, {}, lambda s, n: (0.3 * _f(n + 2, seed=s) / (n + 2),)),
    "durbin_init": (durbin, {}, lambda s, n: (init_durbin(n + 2),)),
    "durbin_reversed": (durbin_reversed, {}, lambda s, n: (0.3 * _f(n + 2, seed=s) / (n + 2),)),
    "fdtd_2d": (fdtd_2d, {}, lambda s, n: (3, _f(n + 1, n + 2, seed=s),
                                           _f(n + 1, n + 2, seed=s + 1),
                                           _f(n + 1, n + 2, seed=s + 2), _f(3, seed=s + 3))),
    "fdtd_2d_init": (fdtd_2d, {}, lambda s, n: (4, *init_fdtd_2d(4, n + 1, n + 2))),
    "floyd_warshall": (floyd_warshall, {}, lambda s, n: (_f(n + 2, n + 2, seed=s,
                                                            positive=True) * 10,)),
    "floyd_warshall_int32": (floyd_warshall, {}, _floyd_int),
    "floyd_warshall_init": (floyd_warshall, {}, lambda s, n: (init_floyd_warshall(n + 4),)),
    "floyd_warshall_loops": (floyd_warshall_loops, {}, _floyd_int),
    "floyd_warshall_out": (floyd_warshall_out, {}, _floyd_int),
    "floyd_warshall_newaxis": (floyd_warshall_newaxis, {}, lambda s, n: (
        _f(n + 2, n + 2, seed=s, positive=True),)),
    "floyd_warshall_medium": (floyd_warshall, {}, lambda s, n: (init_floyd_warshall(n * 6),)),
    "gemm_inplace": (gemm_inplace, {}, lambda s, n: (1.5, 1.2, _f(n, n + 2, seed=s),
                                                     _f(n, n + 1, seed=s + 1),
                                                     _f(n + 1, n + 2, seed=s + 2))),
    "gemm": (gemm, {}, lambda s, n: (1.5, 1.2, _f(n, n + 2, seed=s), _f(n, n + 1, seed=s + 1),
                                     _f(n + 1, n + 2, seed=s + 2))),
    "gemm_init": (gemm, {}, lambda s, n: init_gemm(n, n + 2, n + 1)),
    "gemm_f32": (gemm, {}, lambda s, n: (np.float32(1.5), np.float32(1.2),
                                         *init_gemm(n, n + 2, n + 1, np.float32)[2:])),
    "gemver": (gemver, {}, _gemver),
    "gemver_init": (gemver, {}, lambda s, n: init_gemver(n + 2)),
    "gemver_f32": (gemver, {}, lambda s, n: _gemver(s, n, np.float32)),
    "gesummv": (gesummv, {}, lambda s, n: (1.5, 1.2, _f(n, n, seed=s), _f(n, n, seed=s + 1),
                                           _f(n, seed=s + 2))),
    "gramschmidt": (gramschmidt, {}, lambda s, n: (_f(n + 2, n, seed=s),)),
    "gramschmidt_norm": (gramschmidt_norm, {}, lambda s, n: (_f(n + 2, n, seed=s),)),
    "heat_3d": (heat_3d, {}, lambda s, n: (3, _f(n, n, n, seed=s), _f(n, n, n, seed=s + 1))),
    "heat_3d_init": (heat_3d, {}, lambda s, n: (4, *init_heat_3d(n))),
    "jacobi_1d": (jacobi_1d, {}, lambda s, n: (4, _f(n + 3, seed=s), _f(n + 3, seed=s + 1))),
    "jacobi_2d": (jacobi_2d, {}, lambda s, n: (4, _sq(s, n), _sq(s + 1, n))),
    "jacobi_2d_init": (jacobi_2d, {}, lambda s, n: (3, *init_jacobi_2d(n + 2))),
    "jacobi_2d_medium": (jacobi_2d, {}, lambda s, n: (5, *init_jacobi_2d(n * 8))),
    "jacobi_2d_tsteps_int64": (jacobi_2d, {}, lambda s, n: (np.int64(4), _sq(s, n), _sq(s + 1, n))),
    "heat_3d_medium": (heat_3d, {}, lambda s, n: (5, *init_heat_3d(n * 3))),
    "heat_3d_f32": (heat_3d, {}, lambda s, n: (3, *init_heat_3d(n, np.float32))),
    "adi_f32": (adi, {}, lambda s, n: (2, n + 2, init_adi(n + 2, np.float32))),
    "fdtd_2d_f32": (fdtd_2d, {}, lambda s, n: (3, *init_fdtd_2d(3, n + 1, n + 2, np.float32))),
    "jacobi_1d_f32": (jacobi_1d, {}, lambda s, n: (4, _f32(n + 3, seed=s),
                                                    _f32(n + 3, seed=s + 1))),
    "jacobi_2d_f32": (jacobi_2d, {}, lambda s, n: (4, *init_jacobi_2d(n + 2, np.float32))),
    "k2mm": (k2mm, {}, lambda s, n: (1.5, 1.2, _f(n, n + 1, seed=s), _f(n + 1, n + 2, seed=s + 1),
                                     _f(n + 2, n - 1, seed=s + 2), _f(n, n - 1, seed=s + 3))),
    "k3mm": (k3mm, {}, lambda s, n: (_f(n, n + 1, seed=s), _f(n + 1, n + 2, seed=s + 1),
                                     _f(n + 2, n - 1, seed=s + 2), _f(n - 1, 3, seed=s + 3))),
    "k3mm_multi_dot": (k3mm_multi_dot, {}, lambda s, n: (
        _f(n, n + 1, seed=s), _f(n + 1, n + 2, seed=s + 1), _f(n + 2, n - 1, seed=s + 2),
        _f(n - 1, 3, seed=s + 3))),
    "lu": (lu, {}, lambda s, n: (_spd(n + 2, s),)),
    "lu_init": (lu, {}, lambda s, n: (init_lu(n + 2),)),
    "lu_rows": (lu_rows, {}, lambda s, n: (_spd(n + 2, s),)),
    "cholesky_rows": (cholesky_rows, {}, lambda s, n: (_spd(n + 2, s),)),
    "ludcmp": (ludcmp, {}, lambda s, n: (_spd(n + 2, s), _f(n + 2, seed=s + 1))),
    "mvt": (mvt, {}, lambda s, n: (*[_f(n + 1, seed=s + k) for k in range(4)],
                                   _f(n + 1, n + 1, seed=s + 5))),
    "mvt_transpose": (mvt_transpose, {}, lambda s, n: (
        *[_f(n + 1, seed=s + k) for k in range(4)], _f(n + 1, n + 1, seed=s + 5))),
    "nussinov_where": (nussinov_where, {}, lambda s, n: (n + 2, _i(4, n + 2, seed=s))),
    "nussinov_where_init": (nussinov_where, {}, lambda s, n: (n + 3, init_nussinov(n + 3))),
    "seidel_2d": (seidel_2d, {}, _seidel),
    "symm": (symm, {}, lambda s, n: (1.5, 1.2, _f(n, n + 1, seed=s), _f(n, n, seed=s + 1),
                                     _f(n, n + 1, seed=s + 2))),
    "syr2k": (syr2k, {}, lambda s, n: (1.5, 1.2, _f(n, n, seed=s), _f(n, n - 1, seed=s + 1),
                                       _f(n, n - 1, seed=s + 2))),
    "syr2k_tril": (syr2k_tril, {}, lambda s, n: (1.5, 1.2, _f(n, n, seed=s),
                                                 _f(n, n - 1, seed=s + 1),
                                                 _f(n, n - 1, seed=s + 2))),
    "syrk": (syrk, {}, lambda s, n: (1.5, 1.2, _f(n, n, seed=s), _f(n, n - 1, seed=s + 1))),
    "syrk_tril": (syrk_tril, {}, lambda s, n: (1.5, 1.2, _f(n, n, seed=s),
                                               _f(n, n - 1, seed=s + 1))),
    "trisolv": (trisolv, {}, lambda s, n: (_tri_lower(s, n), np.full(n + 2, -999.0),
                                           _f(n + 2, seed=s + 1))),
    "trisolv_init": (trisolv, {}, lambda s, n: init_trisolv(n + 2)),
    "trisolv_solve": (trisolv_solve, {}, lambda s, n: (_tri_lower(s, n), np.zeros(n + 2),
                                                       _f(n + 2, seed=s + 1))),
    "trmm": (trmm, {}, lambda s, n: (1.5, _f(n, n, seed=s), _f(n, n + 1, seed=s + 1))),
    "trmm_triu": (trmm_triu, {}, lambda s, n: (1.5, _f(n, n, seed=s), _f(n, n + 1, seed=s + 1))),
}

SCIENCE = {
    "arc_distance": (arc_distance, {}, lambda s, n: tuple(
        _f(n * 3, seed=s + k, positive=True) for k in range(4))),
    "arc_distance_f32": (arc_distance, {}, lambda s, n: tuple(
        _f(n * 3, seed=s + k, positive=True).astype(np.float32) for k in range(4))),
    "arc_distance_pairwise": (arc_distance_pairwise, {}, lambda s, n: tuple(
        _f(n + k // 2, seed=s + k, positive=True) for k in range(4))),
    "arc_distance_medium": (arc_distance, {}, lambda s, n: tuple(
        _f(n * 500, seed=s + k, positive=True) for k in range(4))),
    "azimint_hist_range": (azimint_hist_range, {}, lambda s, n: (
        _f(n * 10, seed=s), _f(n * 10, seed=s + 1, positive=True), 5)),
    "azimint_naive": (azimint_naive, {}, lambda s, n: (_f(n * 10, seed=s),
                                                       _f(n * 10, seed=s + 1, positive=True),
                                                       5)),
    "azimint_naive_where": (azimint_naive_where, {}, lambda s, n: (
        _f(n * 10, seed=s), _f(n * 10, seed=s + 1, positive=True), 5)),
    "azimint_naive_np_mean": (azimint_naive_np_mean, {}, lambda s, n: (
        _f(n * 10, seed=s), _f(n * 10, seed=s + 1, positive=True), 4)),
    "azimint_hist": (azimint_hist, {}, lambda s, n: (_f(n * 10, seed=s),
                                                     _f(n * 10, seed=s + 1, positive=True), 5)),
    "cavity_flow": (cavity_flow, {}, _cavity),
    "cavity_flow_rectangular": (cavity_flow, {}, lambda s, n: (
        n + 5, n + 3, 2, 4, 0.1 * _f(n + 3, n + 5, seed=s), 0.1 * _f(n + 3, n + 5, seed=s + 1),
        0.001, 2.0 / (n + 4), 2.0 / (n + 2), np.zeros((n + 3, n + 5)), 1.0, 0.1)),
    "channel_flow_steps": (channel_flow_steps, {}, _channel),
    "compute": (compute, {}, lambda s, n: (_i(14, n, n + 1, seed=s), _i(14, n, n + 1, seed=s + 1),
                                           4, 3, 9)),
    "compute_scalars_int64": (compute, {}, lambda s, n: (
        _i(14, n, n + 1, seed=s), _i(14, n, n + 1, seed=s + 1),
        np.int64(4), np.int64(3), np.int64(9))),
    "contour_integral_where": (contour_integral_where, {}, lambda s, n: _contour_args(s, n, True)),
    "contour_integral_where_solve": (contour_integral_where, {},
                                     lambda s, n: _contour_args(s, n, False)),
    "crc16_where": (crc16_where, {}, lambda s, n: (_i(256, n * 2, seed=s).astype(np.uint8),)),
    "crc16_uint8_where": (crc16_uint8_where, {}, lambda s, n: (
        _i(256, n, seed=s).astype(np.uint8),)),
    "crc16_uint16": (crc16_uint16, {}, lambda s, n: (_i(256, n, seed=s).astype(np.uint8),)),
    "go_fast_trace": (go_fast_trace, {}, lambda s, n: (_f(n, n, seed=s),)),
    "go_fast": (go_fast, {}, lambda s, n: (_f(n, n, seed=s),)),
    "go_fast_int": (go_fast, {}, lambda s, n: (_i(5, n, n, seed=s),)),
    "hdiff": (hdiff, {}, _hdiff),
    "hdiff_levels": (hdiff_levels, {}, _hdiff),
    "hdiff_medium": (hdiff, {}, lambda s, n: _hdiff(s, n * 4)),
    "hdiff_f32": (hdiff, {}, lambda s, n: _hdiff(s, n, np.float32)),
    "vadv": _Xfail("np.ndarray(shape, dtype=) scratch is a NumPy array, written with traced "
                   "values: ConcretizationError", vadv, {}, _vadv),
    "vadv_empty": (vadv_empty, {}, _vadv),
    "mandelbrot1": (mandelbrot1, {}, _mandel),
    "mandelbrot1_horizon": (mandelbrot1, {}, lambda s, n: (*_mandel(s, n)[:6], 5, 10.0)),
    "mandelbrot_where": (mandelbrot_where, {}, _mandel),
    # the shrinking arrays are selections of selections, updated in place by `out=`
    "mandelbrot2_shrinking": (mandelbrot2_reshape, {}, _mandel),
    "nbody": _Xfail("np.ndarray(Nt + 1, dtype=) energy history written with traced values: "
                    "ConcretizationError", nbody, {}, _nbody),
    "nbody_empty": (nbody_empty, {}, _nbody),
    "spmv": (spmv, {}, _csr),
    "spmv_banded": (spmv, {}, lambda s, n: (*init_spmv_csr(n + 2, n + 3, 3), _f(n + 3, seed=s))),
    "spmv_add_at": (spmv_add_at, {}, _csr),
    "spmv_banded_add_at": (spmv_add_at, {}, lambda s, n: (*init_spmv_csr(n + 2, n + 3, 3),
                                                          _f(n + 3, seed=s))),
    "stockham_fft": (stockham_fft, {}, _stockham),
    "scattering_self_energies": (scattering_self_energies, {}, _sse),
    "scattering_self_energies_einsum": (scattering_self_energies_einsum, {}, _sse),
}

DEEP = {
    "softmax_f32": (softmax, {}, lambda s, n: (_f32(2, n, 3, n + 1, seed=s),)),
    "softmax_f64": (softmax, {}, lambda s, n: (_f(2, n, 3, n + 1, seed=s) * 10,)),
    "softmax_inplace": (softmax_inplace, {}, lambda s, n: (_f32(2, n, 3, n + 1, seed=s),)),
    "conv2d_bias_f64_inputs": (conv2d_bias, {}, lambda s, n: (_f(2, n + 3, n + 3, 3, seed=s),
                                                              _f(3, 3, 3, 4, seed=s + 1),
                                                              _f(4, seed=s + 2))),
    "conv2d_bias": (conv2d_bias, {}, lambda s, n: (_f32(2, n + 3, n + 3, 3, seed=s),
                                                   _f32(3, 3, 3, 4, seed=s + 1),
                                                   _f32(4, seed=s + 2))),
    "conv2d_tensordot": (conv2d_tensordot, {}, lambda s, n: (_f32(2, n + 3, n + 3, 3, seed=s),
                                                             _f32(3, 3, 3, 4, seed=s + 1),
                                                             _f32(4, seed=s + 2))),
    "conv2d_windows": (conv2d_windows, {}, lambda s, n: (_f32(2, n + 3, n + 3, 3, seed=s),
                                                         _f32(3, 3, 3, 4, seed=s + 1),
                                                         _f32(4, seed=s + 2))),
    "maxpool2d_reshape": (maxpool2d_reshape, {}, lambda s, n: (_f32(2, n + 3, n + 2, 3, seed=s),)),
    "lenet5_f64": (lenet5, {}, lambda s, n: tuple(
        a.astype(np.float64) if isinstance(a, np.ndarray) else a for a in _lenet(s, n))),
    "maxpool2d": (maxpool2d, {}, lambda s, n: (_f32(2, n + 2, n + 2, 3, seed=s),)),
    "lenet5": (lenet5, {}, _lenet),
    "mlp": (mlp, {}, lambda s, n: (_f32(n, 8, seed=s), _f32(8, 16, seed=s + 1),
                                   _f32(16, seed=s + 2), _f32(16, 12, seed=s + 3),
                                   _f32(12, seed=s + 4), _f32(12, 5, seed=s + 5),
                                   _f32(5, seed=s + 6))),
    "resnet_basicblock": (resnet_basicblock, {}, _resnet),
    "resnet_pad": (resnet_pad, {}, _resnet_pad),
    "batchnorm2d": (batchnorm2d, {}, lambda s, n: (_f32(n, 3, 3, 2, seed=s),)),
}

INITIALISE = {
    "init_gemm": (init_gemm, {}, lambda s, n: (n, n + 2, n + 1)),
    "init_formula": (init_formula, {}, lambda s, n: (n + 3,)),
    "init_gemm_f32_static": (init_gemm, {"datatype": np.float32}, lambda s, n: (n, n + 2, n + 1)),
    "init_gemm_datatype_arg": (init_gemm, {}, lambda s, n: (n, n + 2, n + 1, np.float32)),
    "init_jacobi_2d": (init_jacobi_2d, {}, lambda s, n: (n + 2,)),
    "init_heat_3d": (init_heat_3d, {}, lambda s, n: (n,)),
    "init_floyd_warshall": (init_floyd_warshall, {}, lambda s, n: (n + 4,)),
    "init_cholesky": (init_cholesky, {}, lambda s, n: (n + 2,)),
    "init_lu": (init_lu, {}, lambda s, n: (n + 2,)),
    "init_correlation": (init_correlation, {}, lambda s, n: (n + 1, n + 3)),
    "init_atax": (init_atax, {}, lambda s, n: (n + 1, n + 3)),
    "init_durbin": (init_durbin, {}, lambda s, n: (n + 2,)),
    "init_nussinov": (init_nussinov, {}, lambda s, n: (n + 2,)),
    "init_trisolv": (init_trisolv, {}, lambda s, n: (n + 2,)),
    "init_adi": (init_adi, {}, lambda s, n: (n + 2,)),
    "init_fdtd_2d": (init_fdtd_2d, {}, lambda s, n: (3, n + 1, n + 2)),
    "init_deriche": (init_deriche, {}, lambda s, n: (n + 2, n + 3)),
    "init_gemver": (init_gemver, {}, lambda s, n: (n + 2,)),
    "init_spmv_csr": (init_spmv_csr, {}, lambda s, n: (n + 2, n + 3, 3)),
}


def _refused_args(maker):
    return lambda s: maker(s, 4)


REFUSED = {
    "nussinov_match": (tracenp.ConcretizationError, nussinov,
                       lambda s: (6, _i(4, 6, seed=s))),
    "crc16_branch": (tracenp.ConcretizationError, crc16,
                     lambda s: (_i(256, 6, seed=s).astype(np.uint8),)),
    "contour_integral_abs_z": (tracenp.ConcretizationError, contour_integral,
                               _refused_args(lambda s, n: _contour_args(s, n, True))),
    "channel_flow_while": (tracenp.ConcretizationError, channel_flow,
                           lambda s: _channel(s, 4)[1:]),
    "mandelbrot2_shape_assignment": (tracenp.UnsupportedFunctionError, mandelbrot2,
                                     _refused_args(_mandel)),
    "spmv_repeat_row_ids": (tracenp.errors.DataDependentShapeError, spmv_bincount,
                            _refused_args(_csr)),
}


@pytest.mark.parametrize("name", _names(POLYBENCH))
def test_polybench_kernels_match_numpy(name):
    check_like_numpy(*POLYBENCH[name])


@pytest.mark.parametrize("name", _names(SCIENCE))
def test_npbench_science_kernels_match_numpy(name):
    check_like_numpy(*SCIENCE[name])


@pytest.mark.parametrize("name", _names(DEEP))
def test_npbench_deep_learning_kernels_match_numpy(name):
    check_like_numpy(*DEEP[name])


@pytest.mark.parametrize("name", _names(INITIALISE))
def test_npbench_initialise_functions_match_numpy(name):
    check_like_numpy(*INITIALISE[name])


@pytest.mark.parametrize("name", list(REFUSED))
def test_npbench_data_dependent_forms_are_refused(name):
    check_refused(*REFUSED[name])
