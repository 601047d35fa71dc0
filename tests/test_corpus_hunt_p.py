"""Corpus, hunt P: meshes, finite elements, finite differences and volumes, computational
geometry, and sparse matrices by hand.

Meshes: vertex/face arrays, face normals by `np.cross` of edge vectors, vertex normals and
areas by `np.add.at`, cotangent Laplacians, edge lists by `np.sort`, adjacency by
`np.bincount`, Laplacian smoothing loops, bounding boxes and centroids. Finite elements: 1-D
bars and beams, 2-D linear triangles, element stiffness and mass matrices, global assembly by
loops, `np.add.at` and `np.ix_`, Dirichlet conditions by row and column writes,
`np.linalg.solve`, Gauss quadrature. Grids: upwind, Lax-Friedrichs, Lax-Wendroff, heat and
wave equations by slices, Jacobi and Gauss-Seidel sweeps for a fixed number of iterations,
`np.gradient`, `np.diff(prepend=, append=)`. Geometry: shoelace areas, ray-casting
point-in-polygon, convex-hull helpers, segment intersection, polyline lengths and resampling
by `np.interp`, Haversine and great-circle distances, rotations, pairwise distances with
`np.triu_indices`. Sparse by hand: CSR from COO by `np.argsort`/`np.cumsum`/`np.bincount`,
CSR matvec by `np.add.reduceat` or `np.repeat` + `np.bincount`, dense from COO by `np.add.at`,
graph Laplacians and power iteration.

The same domains' code on float32 and uint32 meshes, with ties, signed zeros, exact halves,
nan, duplicate and overlapping writes, writes through views and reductions of selections, and
gradients of mesh, FEM, grid and CSR energies, close the file.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused

# ------------------------------------------------------------------------------------ meshes


def face_normals(V, F):
    v0, v1, v2 = V[F[:, 0]], V[F[:, 1]], V[F[:, 2]]
    n = np.cross(v1 - v0, v2 - v0)
    return n / np.linalg.norm(n, axis=1, keepdims=True)


def face_normals_unnormalized(V, F):
    tri = V[F]
    return np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])


def face_areas(V, F):
    tri = V[F]
    cr = np.cross(tri[:, 1, :] - tri[:, 0, :], tri[:, 2, :] - tri[:, 0, :])
    return 0.5 * np.sqrt((cr ** 2).sum(axis=1))


def face_areas_heron(V, F):
    a = np.linalg.norm(V[F[:, 1]] - V[F[:, 2]], axis=1)
    b = np.linalg.norm(V[F[:, 2]] - V[F[:, 0]], axis=1)
    c = np.linalg.norm(V[F[:, 0]] - V[F[:, 1]], axis=1)
    s = (a + b + c) / 2
    return np.sqrt(np.maximum(s * (s - a) * (s - b) * (s - c), 0))


def vertex_normals(V, F):
    fn = np.cross(V[F[:, 1]] - V[F[:, 0]], V[F[:, 2]] - V[F[:, 0]])
    vn = np.zeros_like(V)
    for k in range(3):
        np.add.at(vn, F[:, k], fn)
    norms = np.linalg.norm(vn, axis=1)
    norms[norms == 0] = 1.0
    return vn / norms[:, None]


def vertex_normals_repeat(V, F):
    fn = np.cross(V[F[:, 1]] - V[F[:, 0]], V[F[:, 2]] - V[F[:, 0]])
    vn = np.zeros(V.shape)
    np.add.at(vn, F.ravel(), np.repeat(fn, 3, axis=0))
    return vn / np.linalg.norm(vn, axis=-1)[:, np.newaxis]


def vertex_normals_bincount(V, F):
    fn = np.cross(V[F[:, 1]] - V[F[:, 0]], V[F[:, 2]] - V[F[:, 0]])
    idx = F.reshape(-1)
    w = np.repeat(fn, 3, axis=0)
    vn = np.stack([np.bincount(idx, weights=w[:, d], minlength=len(V)) for d in range(3)], axis=1)
    l = np.sqrt(np.einsum("ij,ij->i", vn, vn))
    return vn / l[:, None]


def vertex_normals_angle_weighted(V, F):
    vn = np.zeros_like(V)
    fn = np.cross(V[F[:, 1]] - V[F[:, 0]], V[F[:, 2]] - V[F[:, 0]])
    fn /= np.linalg.norm(fn, axis=1)[:, None]
    for i in range(3):
        a = V[F[:, (i + 1) % 3]] - V[F[:, i]]
        b = V[F[:, (i + 2) % 3]] - V[F[:, i]]
        cosang = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
        ang = np.arccos(np.clip(cosang, -1, 1))
        np.add.at(vn, F[:, i], fn * ang[:, None])
    return vn / np.linalg.norm(vn, axis=1, keepdims=True)


def vertex_areas(V, F):
    A = face_areas(V, F)
    va = np.zeros(len(V))
    np.add.at(va, F, A[:, None] / 3.0)
    return va


def mesh_surface_area(V, F):
    return face_areas(V, F).sum()


def mesh_volume(V, F):
    v0, v1, v2 = V[F[:, 0]], V[F[:, 1]], V[F[:, 2]]
    return np.einsum("ij,ij->i", v0, np.cross(v1, v2)).sum() / 6.0


def mesh_centroid_area_weighted(V, F):
    tri = V[F]
    c = tri.mean(axis=1)
    a = face_areas(V, F)
    return (c * a[:, None]).sum(axis=0) / a.sum()


def face_centroids(V, F):
    return V[F].mean(1)


def bounding_box(V):
    lo, hi = V.min(axis=0), V.max(axis=0)
    return {"min": lo, "max": hi, "extent": hi - lo, "center": (lo + hi) / 2,
            "diag": np.linalg.norm(hi - lo)}


def normalize_to_unit_box(V):
    c = (V.max(0) + V.min(0)) / 2
    s = (V.max(0) - V.min(0)).max()
    return (V - c) / s


def normalize_to_unit_sphere(V):
    V = V - V.mean(axis=0)
    return V / np.max(np.linalg.norm(V, axis=1))


def vertex_degree(F, n_vertices):
    return np.bincount(F.ravel(), minlength=n_vertices)


def edges_sorted(F):
    E = np.concatenate([F[:, [0, 1]], F[:, [1, 2]], F[:, [2, 0]]], axis=0)
    return np.sort(E, axis=1)


def edge_lengths(V, F):
    E = np.vstack([F[:, [0, 1]], F[:, [1, 2]], F[:, [2, 0]]])
    return np.linalg.norm(V[E[:, 0]] - V[E[:, 1]], axis=1)


def mean_edge_length(V, F):
    L = np.stack([np.linalg.norm(V[F[:, i]] - V[F[:, (i + 1) % 3]], axis=1) for i in range(3)], 1)
    return L.mean(), L.min(), L.max()


def edge_keys(F, n_vertices):
    E = np.sort(np.r_[F[:, :2], F[:, 1:], F[:, ::2]], axis=1)
    return E[:, 0] * n_vertices + E[:, 1]


def adjacency_dense(F, n):
    A = np.zeros((n, n), dtype=np.int8)
    for i, j in ((0, 1), (1, 2), (2, 0)):
        A[F[:, i], F[:, j]] = 1
        A[F[:, j], F[:, i]] = 1
    return A


def adjacency_counts(F, n):
    A = np.zeros((n, n))
    for a, b in [(0, 1), (1, 2), (2, 0)]:
        np.add.at(A, (F[:, a], F[:, b]), 1)
        np.add.at(A, (F[:, b], F[:, a]), 1)
    return A, (A > 0).sum(1)


def uniform_laplacian(F, n):
    A = np.zeros((n, n))
    for a, b in [(0, 1), (1, 2), (2, 0)]:
        A[F[:, a], F[:, b]] = 1
        A[F[:, b], F[:, a]] = 1
    return np.diag(A.sum(axis=1)) - A


def laplacian_smoothing(V, F, iterations=5, lam=0.5):
    n = len(V)
    A = np.zeros((n, n))
    A[F[:, 0], F[:, 1]] = A[F[:, 1], F[:, 0]] = 1
    A[F[:, 1], F[:, 2]] = A[F[:, 2], F[:, 1]] = 1
    A[F[:, 2], F[:, 0]] = A[F[:, 0], F[:, 2]] = 1
    deg = A.sum(axis=1, keepdims=True)
    V = V.copy()
    for _ in range(iterations):
        V += lam * (A @ V / deg - V)
    return V


def taubin_smoothing(V, F, iterations=3, lam=0.5, mu=-0.53):
    n = V.shape[0]
    W = np.zeros((n, n))
    for k in range(3):
        W[F[:, k], F[:, (k + 1) % 3]] = 1.0
        W[F[:, (k + 1) % 3], F[:, k]] = 1.0
    W = W / W.sum(1)[:, None]
    for it in range(iterations):
        V = V + lam * (W @ V - V)
        V = V + mu * (W @ V - V)
    return V


def smoothing_add_at(V, F, iterations=4, alpha=0.3):
    V = V.astype(np.float64)
    for _ in range(iterations):
        acc = np.zeros_like(V)
        cnt = np.zeros(len(V))
        for i in range(3):
            j = (i + 1) % 3
            np.add.at(acc, F[:, i], V[F[:, j]])
            np.add.at(cnt, F[:, i], 1)
            np.add.at(acc, F[:, j], V[F[:, i]])
            np.add.at(cnt, F[:, j], 1)
        V = (1 - alpha) * V + alpha * acc / cnt[:, None]
    return V


def cotangent_weights(V, F):
    C = np.zeros((len(F), 3))
    for i in range(3):
        i1, i2 = (i + 1) % 3, (i + 2) % 3
        e1 = V[F[:, i1]] - V[F[:, i]]
        e2 = V[F[:, i2]] - V[F[:, i]]
        C[:, i] = (e1 * e2).sum(-1) / np.linalg.norm(np.cross(e1, e2), axis=-1)
    return C


def cotangent_laplacian(V, F):
    n = V.shape[0]
    L = np.zeros((n, n))
    C = cotangent_weights(V, F)
    for i in range(3):
        j, k = F[:, (i + 1) % 3], F[:, (i + 2) % 3]
        np.add.at(L, (j, k), -0.5 * C[:, i])
        np.add.at(L, (k, j), -0.5 * C[:, i])
    L[np.diag_indices(n)] = -L.sum(axis=1)
    return L


def cotangent_laplacian_loop(V, F):
    n = len(V)
    L = np.zeros((n, n))
    for f in range(F.shape[0]):
        for c in range(3):
            i, j, k = F[f, c], F[f, (c + 1) % 3], F[f, (c + 2) % 3]
            u = V[j] - V[i]
            v = V[k] - V[i]
            cot = np.dot(u, v) / np.linalg.norm(np.cross(u, v))
            L[j, k] -= 0.5 * cot
            L[k, j] -= 0.5 * cot
            L[j, j] += 0.5 * cot
            L[k, k] += 0.5 * cot
    return L


def mean_curvature_normal(V, F):
    L = cotangent_laplacian(V, F)
    M = vertex_areas(V, F)
    Hn = -(L @ V) / (2 * M[:, None])
    return Hn, np.linalg.norm(Hn, axis=1)


def angle_defect(V, F):
    defect = np.full(len(V), 2 * np.pi)
    for i in range(3):
        a = V[F[:, (i + 1) % 3]] - V[F[:, i]]
        b = V[F[:, (i + 2) % 3]] - V[F[:, i]]
        a /= np.linalg.norm(a, axis=1, keepdims=True)
        b /= np.linalg.norm(b, axis=1, keepdims=True)
        ang = np.arccos(np.clip(np.sum(a * b, axis=1), -1.0, 1.0))
        np.subtract.at(defect, F[:, i], ang)
    return defect


def face_angles(V, F):
    tri = V[F]
    out = np.empty(F.shape)
    for i in range(3):
        u = tri[:, (i + 1) % 3] - tri[:, i]
        w = tri[:, (i + 2) % 3] - tri[:, i]
        out[:, i] = np.arctan2(np.linalg.norm(np.cross(u, w), axis=1), (u * w).sum(axis=1))
    return out


def triangle_quality(V, F):
    e = np.stack([V[F[:, 1]] - V[F[:, 0]], V[F[:, 2]] - V[F[:, 1]], V[F[:, 0]] - V[F[:, 2]]])
    l2 = (e ** 2).sum(-1)
    area = 0.5 * np.linalg.norm(np.cross(e[0], -e[2]), axis=1)
    return 4 * np.sqrt(3) * area / l2.sum(0)


def triangle_aspect_ratio(V, F):
    l = np.stack([np.linalg.norm(V[F[:, i]] - V[F[:, (i + 1) % 3]], axis=1) for i in range(3)],
                 axis=1)
    return l.max(axis=1) / l.min(axis=1)


def flip_faces(F):
    return F[:, ::-1].copy()


def flip_inward_normals(V, F):
    n = np.cross(V[F[:, 1]] - V[F[:, 0]], V[F[:, 2]] - V[F[:, 0]])
    c = V[F].mean(axis=1) - V.mean(axis=0)
    bad = (n * c).sum(axis=1) < 0
    F = F.copy()
    F[bad] = F[bad][:, [0, 2, 1]]
    return F, bad.sum()


def face_adjacency_by_vertex(F, n):
    M = np.zeros((len(F), n), dtype=bool)
    M[np.arange(len(F))[:, None], F] = True
    shared = M.astype(int) @ M.T.astype(int)
    return (shared == 2).astype(np.int64)


def vertex_face_incidence(F, n):
    I = np.zeros((n, F.shape[0]))
    rows = F.ravel()
    cols = np.repeat(np.arange(F.shape[0]), 3)
    I[rows, cols] = 1
    return I, I.sum(axis=1)


def barycentric_subdivide_points(V, F):
    c = V[F].mean(axis=1)
    m01 = (V[F[:, 0]] + V[F[:, 1]]) / 2
    m12 = (V[F[:, 1]] + V[F[:, 2]]) / 2
    m20 = (V[F[:, 2]] + V[F[:, 0]]) / 2
    return np.concatenate([V, c, m01, m12, m20])


def loop_subdivision_positions(V, F):
    n = len(V)
    deg = np.bincount(F.ravel(), minlength=n) // 2
    nbr_sum = np.zeros_like(V)
    for i in range(3):
        np.add.at(nbr_sum, F[:, i], V[F[:, (i + 1) % 3]])
    beta = np.where(deg == 3, 3 / 16, 3 / (8 * np.maximum(deg, 1)))
    return (1 - deg * beta)[:, None] * V + beta[:, None] * nbr_sum


def mesh_grid(nx, ny):
    x, y = np.meshgrid(np.linspace(0, 1, nx), np.linspace(0, 1, ny))
    V = np.column_stack([x.ravel(), y.ravel(), np.zeros(nx * ny)])
    idx = np.arange(nx * ny).reshape(ny, nx)
    a, b = idx[:-1, :-1].ravel(), idx[:-1, 1:].ravel()
    c, d = idx[1:, :-1].ravel(), idx[1:, 1:].ravel()
    F = np.concatenate([np.stack([a, b, d], 1), np.stack([a, d, c], 1)])
    return V, F


def heightfield_mesh(Z):
    ny, nx = Z.shape
    xs, ys = np.meshgrid(np.arange(nx, dtype=float), np.arange(ny, dtype=float))
    V = np.stack([xs, ys, Z], axis=-1).reshape(-1, 3)
    i = np.arange(nx * ny).reshape(ny, nx)
    quads = np.stack([i[:-1, :-1], i[:-1, 1:], i[1:, 1:], i[1:, :-1]], axis=-1).reshape(-1, 4)
    F = np.vstack([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]])
    return V, F, face_normals(V, F)


def transform_mesh(V, R, t, s=1.0):
    return s * V @ R.T + t


def homogeneous_transform(V, M):
    Vh = np.hstack([V, np.ones((V.shape[0], 1))])
    out = (M @ Vh.T).T
    return out[:, :3] / out[:, 3:]


def closest_vertex(V, P):
    d2 = ((P[:, None, :] - V[None, :, :]) ** 2).sum(-1)
    i = d2.argmin(axis=1)
    return i, np.sqrt(d2[np.arange(len(P)), i])


def point_triangle_plane_distance(V, F, p):
    n = face_normals(V, F)
    return np.abs(((p - V[F[:, 0]]) * n).sum(1))


def mesh_inertia_tensor(V, F):
    c = V[F].mean(1)
    a = face_areas(V, F)
    r = c - (c * a[:, None]).sum(0) / a.sum()
    I = np.zeros((3, 3))
    for k in range(len(F)):
        I += a[k] * (np.dot(r[k], r[k]) * np.eye(3) - np.outer(r[k], r[k]))
    return I


def principal_axes(V):
    X = V - V.mean(axis=0)
    C = X.T @ X / len(X)
    w, U = np.linalg.eigh(C)
    return w, np.abs(U)


def scalar_field_face_gradient(V, F, f):
    e1 = V[F[:, 1]] - V[F[:, 0]]
    e2 = V[F[:, 2]] - V[F[:, 0]]
    N = np.cross(e1, e2)
    A2 = np.linalg.norm(N, axis=1)
    N = N / A2[:, None]
    g = np.zeros((len(F), 3))
    for i in range(3):
        e = V[F[:, (i + 2) % 3]] - V[F[:, (i + 1) % 3]]
        g += f[F[:, i]][:, None] * np.cross(N, e)
    return g / A2[:, None]


def mass_matrix_lumped(V, F):
    M = np.zeros(len(V))
    area = face_areas(V, F)
    for j in range(3):
        M += np.bincount(F[:, j], weights=area / 3, minlength=len(V))
    return M


def mass_matrix_full(V, F):
    n = len(V)
    M = np.zeros((n, n))
    area = face_areas(V, F)
    local = (np.ones((3, 3)) + np.eye(3)) / 12.0
    for f in range(len(F)):
        M[np.ix_(F[f], F[f])] += area[f] * local
    return M


def heat_diffusion_on_mesh(V, F, u0, t=0.1, steps=3):
    L = cotangent_laplacian(V, F)
    M = np.diag(vertex_areas(V, F))
    u = u0.copy()
    for _ in range(steps):
        u = np.linalg.solve(M + t * L, M @ u)
    return u


def obj_face_indices(F1):
    F = F1 - 1
    return F.astype(np.int32), F.max() + 1


def quads_to_triangles(Q):
    return np.concatenate([Q[:, [0, 1, 2]], Q[:, [0, 2, 3]]], axis=0)


def quad_areas(V2, Q):
    x, y = V2[Q, 0], V2[Q, 1]
    return 0.5 * np.abs(np.sum(x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y, axis=1))


def voxel_occupancy(P, res=4):
    lo = P.min(axis=0)
    size = (P.max(axis=0) - lo) / res
    ijk = np.floor((P - lo) / size).astype(int)
    ijk = np.clip(ijk, 0, res - 1)
    grid = np.zeros((res, res, res), dtype=bool)
    grid[ijk[:, 0], ijk[:, 1], ijk[:, 2]] = True
    counts = np.zeros((res, res, res), dtype=np.int64)
    np.add.at(counts, (ijk[:, 0], ijk[:, 1], ijk[:, 2]), 1)
    return grid, counts


def voxel_downsample_means(P, voxel=0.5, res=8):
    ijk = np.clip(np.floor(P / voxel).astype(np.int64) + res // 2, 0, res - 1)
    key = np.ravel_multi_index(ijk.T, (res, res, res))
    cnt = np.bincount(key, minlength=res ** 3)
    sums = np.stack([np.bincount(key, P[:, d], minlength=res ** 3) for d in range(3)], -1)
    occupied = cnt > 0
    means = sums / np.maximum(cnt, 1)[:, None]
    return means, occupied.sum()


def signed_distance_plane(V, n, d):
    n = n / np.linalg.norm(n)
    sd = V @ n - d
    return sd, (sd > 0).sum(), np.where(sd[:, None] > 0, V, V - 2 * sd[:, None] * n)


def boundary_edge_count(F, n):
    E = np.sort(np.concatenate([F[:, [0, 1]], F[:, [1, 2]], F[:, [2, 0]]]), axis=1)
    key = E[:, 0] * n + E[:, 1]
    cnt = np.bincount(key, minlength=n * n)
    return (cnt == 1).sum(), (cnt == 2).sum()


def euler_characteristic_grid(F, n):
    E = np.sort(np.concatenate([F[:, [0, 1]], F[:, [1, 2]], F[:, [2, 0]]]), axis=1)
    key = E[:, 0] * n + E[:, 1]
    n_edges = np.count_nonzero(np.bincount(key, minlength=n * n))
    used = np.count_nonzero(np.bincount(F.ravel(), minlength=n))
    return used - n_edges + len(F)


def _mesh(s, n, z=0.1):
    x, y = np.meshgrid(np.linspace(0, 1, n), np.linspace(0, 1, n + 1))
    r = np.random.default_rng(s)
    V = np.column_stack([x.ravel(), y.ravel(), z * r.standard_normal(x.size)])
    V[:, :2] += 0.02 * r.standard_normal((x.size, 2))
    idx = np.arange(x.size).reshape(n + 1, n)
    a, b, c, d = idx[:-1, :-1].ravel(), idx[:-1, 1:].ravel(), idx[1:, :-1].ravel(), idx[1:,
                                                                                        1:].ravel()
    F = np.concatenate([np.stack([a, b, d], 1), np.stack([a, d, c], 1)])
    return V, F


def _tetra(s, n):
    """A closed octahedron-like mesh, scaled and jittered by the seed."""
    r = np.random.default_rng(s)
    V = np.array([[1.0, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]])
    V = V * (1 + 0.1 * r.random((6, 1))) * n
    F = np.array([[0, 2, 4], [2, 1, 4], [1, 3, 4], [3, 0, 4], [2, 0, 5], [1, 2, 5], [3, 1, 5],
                  [0, 3, 5]])
    return V, F


def _rot(s):
    q = np.random.default_rng(s).standard_normal((3, 3))
    Q, _ = np.linalg.qr(q)
    return Q


MESH = {
    "face_normals": (face_normals, {}, lambda s, n: _mesh(s, n)),
    "face_normals_unnormalized": (face_normals_unnormalized, {}, lambda s, n: _mesh(s, n)),
    "face_areas": (face_areas, {}, lambda s, n: _mesh(s, n)),
    "face_areas_heron": (face_areas_heron, {}, lambda s, n: _mesh(s, n)),
    "vertex_normals": (vertex_normals, {}, lambda s, n: _mesh(s, n)),
    "vertex_normals_repeat": (vertex_normals_repeat, {}, lambda s, n: _mesh(s, n)),
    "vertex_normals_bincount": (vertex_normals_bincount, {}, lambda s, n: _mesh(s, n)),
    "vertex_normals_angle_weighted": (vertex_normals_angle_weighted, {}, lambda s, n: _mesh(s, n)),
    "vertex_areas": (vertex_areas, {}, lambda s, n: _mesh(s, n)),
    "mesh_surface_area": (mesh_surface_area, {}, lambda s, n: _mesh(s, n)),
    "mesh_volume": (mesh_volume, {}, lambda s, n: _tetra(s, n)),
    "mesh_centroid_area_weighted": (mesh_centroid_area_weighted, {}, lambda s, n: _mesh(s, n)),
    "face_centroids": (face_centroids, {}, lambda s, n: _mesh(s, n)),
    "bounding_box": (bounding_box, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "normalize_to_unit_box": (normalize_to_unit_box, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "normalize_to_unit_sphere": (normalize_to_unit_sphere, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "vertex_degree": (vertex_degree, {}, lambda s, n: (_mesh(s, n)[1], n * (n + 1))),
    "edges_sorted": (edges_sorted, {}, lambda s, n: (_mesh(s, n)[1],)),
    "edge_lengths": (edge_lengths, {}, lambda s, n: _mesh(s, n)),
    "mean_edge_length": (mean_edge_length, {}, lambda s, n: _mesh(s, n)),
    "edge_keys": (edge_keys, {}, lambda s, n: (_mesh(s, n)[1], n * (n + 1))),
    "adjacency_dense": (adjacency_dense, {}, lambda s, n: (_mesh(s, n)[1], n * (n + 1))),
    "adjacency_counts": (adjacency_counts, {}, lambda s, n: (_mesh(s, n)[1], n * (n + 1))),
    "uniform_laplacian": (uniform_laplacian, {}, lambda s, n: (_mesh(s, n)[1], n * (n + 1))),
    "laplacian_smoothing": (laplacian_smoothing, {}, lambda s, n: _mesh(s, n)),
    "taubin_smoothing": (taubin_smoothing, {}, lambda s, n: _mesh(s, n)),
    "smoothing_add_at": (smoothing_add_at, {}, lambda s, n: _mesh(s, n)),
    "cotangent_weights": (cotangent_weights, {}, lambda s, n: _mesh(s, n)),
    "cotangent_laplacian": (cotangent_laplacian, {}, lambda s, n: _mesh(s, n)),
    "cotangent_laplacian_loop": (cotangent_laplacian_loop, {}, lambda s, n: _mesh(s, n - 1)),
    "mean_curvature_normal": (mean_curvature_normal, {}, lambda s, n: _tetra(s, n)),
    "angle_defect": (angle_defect, {}, lambda s, n: _tetra(s, n)),
    "face_angles": (face_angles, {}, lambda s, n: _mesh(s, n)),
    "triangle_quality": (triangle_quality, {}, lambda s, n: _mesh(s, n)),
    "triangle_aspect_ratio": (triangle_aspect_ratio, {}, lambda s, n: _mesh(s, n)),
    "flip_faces": (flip_faces, {}, lambda s, n: (_mesh(s, n)[1],)),
    "flip_inward_normals": (flip_inward_normals, {}, lambda s, n: _tetra(s, n)),
    "face_adjacency_by_vertex": (face_adjacency_by_vertex, {}, lambda s, n: (_mesh(s, n)[1], n * (n + 1))),
    "vertex_face_incidence": (vertex_face_incidence, {}, lambda s, n: (_mesh(s, n)[1], n * (n + 1))),
    "barycentric_subdivide_points": (barycentric_subdivide_points, {}, lambda s, n: _mesh(s, n)),
    "loop_subdivision_positions": (loop_subdivision_positions, {}, lambda s, n: _tetra(s, n)),
    "mesh_grid": (mesh_grid, {}, lambda s, n: (n, n + 1)),
    "heightfield_mesh": (heightfield_mesh, {}, lambda s, n: (0.3 * _f(n, n + 1, seed=s),)),
    "transform_mesh": (transform_mesh, {}, lambda s, n: (_f(n, 3, seed=s), _rot(s), _f(3, seed=s), 2.0)),
    "homogeneous_transform": (homogeneous_transform, {}, lambda s, n: (_f(n, 3, seed=s), np.vstack([np.hstack([_rot(s), _f(3, 1, seed=s)]), [[0, 0, 0.1, 1]]]))),
    "closest_vertex": (closest_vertex, {}, lambda s, n: (_f(3 * n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "point_triangle_plane_distance": (point_triangle_plane_distance, {}, lambda s, n: _mesh(s, n) + (_f(3, seed=s),)),
    "mesh_inertia_tensor": (mesh_inertia_tensor, {}, lambda s, n: _tetra(s, n)),
    "principal_axes": (principal_axes, {}, lambda s, n: (_f(5 * n, 3, seed=s) * [3, 2, 1],)),
    "scalar_field_face_gradient": (scalar_field_face_gradient, {}, lambda s, n: _mesh(s, n) + (_f(n * (n + 1), seed=s),)),
    "mass_matrix_lumped": (mass_matrix_lumped, {}, lambda s, n: _mesh(s, n)),
    "mass_matrix_full": (mass_matrix_full, {}, lambda s, n: _mesh(s, n - 1)),
    "heat_diffusion_on_mesh": (heat_diffusion_on_mesh, {}, lambda s, n: _tetra(s, 1) + (_f(6, seed=s + n),)),
    "obj_face_indices": (obj_face_indices, {}, lambda s, n: (_mesh(s, n)[1] + 1,)),
    "quads_to_triangles": (quads_to_triangles, {}, lambda s, n: (_i(50, n, 4, seed=s),)),
    "quad_areas": (quad_areas, {}, lambda s, n: (_f(20, 2, seed=s), _i(20, n, 4, seed=s))),
    "voxel_occupancy": (voxel_occupancy, {}, lambda s, n: (_f(10 * n, 3, seed=s),)),
    "voxel_downsample_means": (voxel_downsample_means, {}, lambda s, n: (_f(10 * n, 3, seed=s),)),
    "signed_distance_plane": (signed_distance_plane, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, seed=s + 1), 0.2)),
    "boundary_edge_count": (boundary_edge_count, {}, lambda s, n: (_mesh(s, n)[1], n * (n + 1))),
    "euler_characteristic_grid": (euler_characteristic_grid, {}, lambda s, n: (_mesh(s, n)[1], n * (n + 1))),
}


# --------------------------------------------------------------------------- finite elements


def gauss_legendre_1d(n):
    x, w = np.polynomial.legendre.leggauss(n)
    return x, w, (w * x ** 2).sum()


def gauss_integrate(f_vals_fn_coeffs, a, b, n=4):
    x, w = np.polynomial.legendre.leggauss(n)
    t = 0.5 * (b - a) * x + 0.5 * (b + a)
    return 0.5 * (b - a) * np.sum(w * np.polyval(f_vals_fn_coeffs, t))


def gauss_points_table():
    pts = {1: (np.array([0.0]), np.array([2.0])),
           2: (np.array([-1, 1]) / np.sqrt(3), np.ones(2)),
           3: (np.array([-np.sqrt(3 / 5), 0.0, np.sqrt(3 / 5)]), np.array([5, 8, 5]) / 9)}
    return {k: (x, w, w.sum()) for k, (x, w) in pts.items()}


def gauss_2d_tensor(f_coeffs, n=3):
    x, w = np.polynomial.legendre.leggauss(n)
    X, Y = np.meshgrid(x, x, indexing="ij")
    W = np.outer(w, w)
    return np.sum(W * (f_coeffs[0] + f_coeffs[1] * X ** 2 + f_coeffs[2] * X * Y ** 2))


def triangle_quadrature(P, vals_fn_c):
    pts = np.array([[1 / 6, 1 / 6], [2 / 3, 1 / 6], [1 / 6, 2 / 3]])
    w = np.array([1 / 6, 1 / 6, 1 / 6])
    J = np.array([P[1] - P[0], P[2] - P[0]]).T
    X = P[0] + pts @ J.T
    f = vals_fn_c[0] + vals_fn_c[1] * X[:, 0] + vals_fn_c[2] * X[:, 1] ** 2
    return abs(np.linalg.det(J)) * (w * f).sum()


def bar_element_stiffness(E, A, L):
    return E * A / L * np.array([[1, -1], [-1, 1]])


def assemble_bar_1d(x, EA):
    n = len(x)
    K = np.zeros((n, n))
    for e in range(n - 1):
        L = x[e + 1] - x[e]
        ke = EA[e] / L * np.array([[1.0, -1.0], [-1.0, 1.0]])
        K[e:e + 2, e:e + 2] += ke
    return K


def fem_1d_poisson(x, f):
    n = len(x)
    h = np.diff(x)
    K = np.zeros((n, n))
    b = np.zeros(n)
    for e in range(n - 1):
        idx = [e, e + 1]
        K[np.ix_(idx, idx)] += np.array([[1, -1], [-1, 1]]) / h[e]
        b[idx] += f[e] * h[e] / 2
    K[0, :] = 0
    K[0, 0] = 1
    b[0] = 0
    K[-1, :] = 0
    K[-1, -1] = 1
    b[-1] = 0
    return np.linalg.solve(K, b)


def fem_1d_poisson_reduced(x, f):
    n = len(x)
    h = x[1:] - x[:-1]
    K = np.zeros((n, n))
    F = np.zeros(n)
    for e in range(n - 1):
        K[e, e] += 1 / h[e]
        K[e + 1, e + 1] += 1 / h[e]
        K[e, e + 1] -= 1 / h[e]
        K[e + 1, e] -= 1 / h[e]
        F[e] += 0.5 * h[e] * f[e]
        F[e + 1] += 0.5 * h[e] * f[e + 1]
    free = np.arange(1, n - 1)
    u = np.zeros(n)
    u[free] = np.linalg.solve(K[np.ix_(free, free)], F[free])
    return u, K @ u - F


def fem_1d_vectorized(x, f):
    n = len(x)
    h = np.diff(x)
    rows = np.column_stack([np.arange(n - 1), np.arange(1, n)])
    ke = np.array([[1.0, -1.0], [-1.0, 1.0]])[None] / h[:, None, None]
    K = np.zeros((n, n))
    np.add.at(K, (rows[:, :, None], rows[:, None, :]), ke)
    fe = (f[:-1] + f[1:])[:, None] / 2 * h[:, None] / 2 * np.ones(2)
    F = np.zeros(n)
    np.add.at(F, rows, fe)
    K[[0, -1]] = 0.0
    K[0, 0] = K[-1, -1] = 1.0
    F[[0, -1]] = 0.0
    return np.linalg.solve(K, F)


def fem_1d_mass_matrix(x):
    n = len(x)
    M = np.zeros((n, n))
    for e in range(n - 1):
        h = x[e + 1] - x[e]
        M[e:e + 2, e:e + 2] += h / 6 * np.array([[2.0, 1.0], [1.0, 2.0]])
    return M, M.sum(axis=1)


def fem_1d_neumann(x, k, q_right=1.0):
    n = len(x)
    K = np.zeros((n, n))
    for e in range(n - 1):
        he = x[e + 1] - x[e]
        K[e:e + 2, e:e + 2] += k[e] / he * np.array([[1, -1], [-1, 1]])
    F = np.zeros(n)
    F[-1] = q_right
    K[0] = 0.0
    K[:, 0] = 0.0
    K[0, 0] = 1.0
    return np.linalg.solve(K, F)


def fem_1d_dirichlet_penalty(x, f, uL=1.0, uR=2.0, penalty=1e8):
    n = len(x)
    K = np.zeros((n, n))
    F = np.zeros(n)
    for e in range(n - 1):
        h = x[e + 1] - x[e]
        K[e:e + 2, e:e + 2] += np.array([[1, -1], [-1, 1]]) / h
        F[e:e + 2] += f[e] * h / 2
    K[0, 0] += penalty
    K[-1, -1] += penalty
    F[0] += penalty * uL
    F[-1] += penalty * uR
    return np.linalg.solve(K, F)


def fem_1d_lifting(x, f, uL=0.5, uR=-1.0):
    n = len(x)
    K = np.zeros((n, n))
    F = np.zeros(n)
    for e in range(n - 1):
        h = x[e + 1] - x[e]
        K[e:e + 2, e:e + 2] += np.array([[1, -1], [-1, 1]]) / h
        F[e:e + 2] += f[e] * h / 2
    g = np.zeros(n)
    g[0], g[-1] = uL, uR
    F = F - K @ g
    K[0, :] = K[:, 0] = 0
    K[-1, :] = K[:, -1] = 0
    K[0, 0] = K[-1, -1] = 1
    F[0], F[-1] = uL, uR
    return np.linalg.solve(K, F)


def beam_element_stiffness(EI, L):
    return EI / L ** 3 * np.array([[12, 6 * L, -12, 6 * L],
                                   [6 * L, 4 * L ** 2, -6 * L, 2 * L ** 2],
                                   [-12, -6 * L, 12, -6 * L],
                                   [6 * L, 2 * L ** 2, -6 * L, 4 * L ** 2]])


def cantilever_beam(EI, n_el=4, L=2.0, P=1.0):
    le = L / n_el
    ndof = 2 * (n_el + 1)
    K = np.zeros((ndof, ndof))
    for e in range(n_el):
        dofs = np.arange(2 * e, 2 * e + 4)
        K[np.ix_(dofs, dofs)] += beam_element_stiffness(EI[e], le)
    F = np.zeros(ndof)
    F[-2] = -P
    free = np.arange(2, ndof)
    u = np.zeros(ndof)
    u[free] = np.linalg.solve(K[free][:, free], F[free])
    return u[::2], u[1::2]


def truss_2d(nodes, elems, EA, load):
    n = len(nodes)
    K = np.zeros((2 * n, 2 * n))
    for e in range(len(elems)):
        i, j = elems[e]
        d = nodes[j] - nodes[i]
        L = np.hypot(d[0], d[1])
        c, s = d / L
        k = EA[e] / L * np.outer([-c, -s, c, s], [-c, -s, c, s])
        dofs = [2 * i, 2 * i + 1, 2 * j, 2 * j + 1]
        K[np.ix_(dofs, dofs)] += k
    fixed = [0, 1, 3]
    free = [d for d in range(2 * n) if d not in fixed]
    u = np.zeros(2 * n)
    u[free] = np.linalg.solve(K[np.ix_(free, free)], load[free])
    return u, K @ u


def truss_vectorized(nodes, elems, EA):
    d = nodes[elems[:, 1]] - nodes[elems[:, 0]]
    L = np.linalg.norm(d, axis=1)
    c, s = d[:, 0] / L, d[:, 1] / L
    T = np.stack([-c, -s, c, s], axis=1)
    ke = (EA / L)[:, None, None] * T[:, :, None] * T[:, None, :]
    dofs = np.stack([2 * elems[:, 0], 2 * elems[:, 0] + 1, 2 * elems[:, 1], 2 * elems[:, 1] + 1],
                    axis=1)
    n = 2 * len(nodes)
    K = np.zeros((n, n))
    np.add.at(K, (dofs[:, :, None], dofs[:, None, :]), ke)
    return K, np.allclose(K, K.T)


def truss_member_forces(nodes, elems, EA, u):
    d = nodes[elems[:, 1]] - nodes[elems[:, 0]]
    L = np.sqrt((d ** 2).sum(1))
    cs = d / L[:, None]
    ui = u.reshape(-1, 2)
    du = ui[elems[:, 1]] - ui[elems[:, 0]]
    return EA / L * (du * cs).sum(axis=1)


def p1_shape_gradients(P):
    M = np.column_stack([np.ones(3), P])
    C = np.linalg.inv(M)
    area = 0.5 * abs(np.linalg.det(M))
    return C[1:].T, area


def p1_stiffness(P):
    x, y = P[:, 0], P[:, 1]
    b = np.array([y[1] - y[2], y[2] - y[0], y[0] - y[1]])
    c = np.array([x[2] - x[1], x[0] - x[2], x[1] - x[0]])
    area = 0.5 * (x[1] * y[2] - x[2] * y[1] - x[0] * y[2] + x[2] * y[0] + x[0] * y[1] - x[1] * y[0])
    return (np.outer(b, b) + np.outer(c, c)) / (4 * area)


def p1_stiffness_batched(V2, T):
    P = V2[T]
    d1 = P[:, 1] - P[:, 0]
    d2 = P[:, 2] - P[:, 0]
    area = 0.5 * (d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0])
    G = np.stack([P[:, [1, 2, 0], 1] - P[:, [2, 0, 1], 1],
                  P[:, [2, 0, 1], 0] - P[:, [1, 2, 0], 0]], axis=-1)
    return np.einsum("eik,ejk->eij", G, G) / (4 * np.abs(area))[:, None, None]


def p1_assemble_loop(V2, T):
    n = len(V2)
    A = np.zeros((n, n))
    for t in T:
        A[np.ix_(t, t)] += p1_stiffness(V2[t])
    return A


def p1_assemble_add_at(V2, T):
    n = len(V2)
    Ke = p1_stiffness_batched(V2, T)
    A = np.zeros((n, n))
    I = np.repeat(T, 3, axis=1).ravel()
    J = np.tile(T, (1, 3)).ravel()
    np.add.at(A, (I, J), Ke.ravel())
    return A


def p1_load_vector(V2, T, f):
    P = V2[T]
    area = 0.5 * np.abs(np.cross(P[:, 1] - P[:, 0], P[:, 2] - P[:, 0]))
    b = np.zeros(len(V2))
    fc = f[T].mean(axis=1)
    for k in range(3):
        np.add.at(b, T[:, k], area * fc / 3)
    return b


def p1_mass_matrix(V2, T):
    n = len(V2)
    M = np.zeros((n, n))
    P = V2[T]
    e1, e2 = P[:, 1] - P[:, 0], P[:, 2] - P[:, 0]
    area = 0.5 * np.abs(e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0])
    Me = np.array([[2, 1, 1], [1, 2, 1], [1, 1, 2]]) / 12.0
    for a in range(3):
        for b in range(3):
            np.add.at(M, (T[:, a], T[:, b]), area * Me[a, b])
    return M


def p1_poisson_solve(V2, T, boundary):
    n = len(V2)
    A = p1_assemble_add_at(V2, T)
    b = p1_load_vector(V2, T, np.ones(n))
    A[boundary, :] = 0
    A[:, boundary] = 0
    A[boundary, boundary] = 1
    b[boundary] = 0
    return np.linalg.solve(A, b)


def p1_poisson_interior(V2, T, interior):
    A = p1_assemble_add_at(V2, T)
    b = p1_load_vector(V2, T, V2[:, 0] ** 2)
    u = np.zeros(len(V2))
    u[interior] = np.linalg.solve(A[np.ix_(interior, interior)], b[interior])
    energy = 0.5 * u @ A @ u - b @ u
    return u, energy


def plane_stress_D(E, nu):
    return E / (1 - nu ** 2) * np.array([[1, nu, 0], [nu, 1, 0], [0, 0, (1 - nu) / 2]])


def cst_element(P, E=210e3, nu=0.3, t=1.0):
    x, y = P[:, 0], P[:, 1]
    A = 0.5 * np.linalg.det(np.array([[1, x[0], y[0]], [1, x[1], y[1]], [1, x[2], y[2]]]))
    b = np.array([y[1] - y[2], y[2] - y[0], y[0] - y[1]])
    c = np.array([x[2] - x[1], x[0] - x[2], x[1] - x[0]])
    B = np.zeros((3, 6))
    B[0, 0::2] = b
    B[1, 1::2] = c
    B[2, 0::2] = c
    B[2, 1::2] = b
    B /= 2 * A
    D = plane_stress_D(E, nu)
    return t * A * B.T @ D @ B


def cst_stresses(P, u, E=100.0, nu=0.25):
    x, y = P[:, 0], P[:, 1]
    A2 = (x[1] - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (y[1] - y[0])
    B = np.zeros((3, 6))
    B[0, [0, 2, 4]] = [y[1] - y[2], y[2] - y[0], y[0] - y[1]]
    B[1, [1, 3, 5]] = [x[2] - x[1], x[0] - x[2], x[1] - x[0]]
    B[2, [0, 2, 4]] = B[1, [1, 3, 5]]
    B[2, [1, 3, 5]] = B[0, [0, 2, 4]]
    B = B / A2
    sigma = plane_stress_D(E, nu) @ (B @ u)
    vm = np.sqrt(sigma[0] ** 2 - sigma[0] * sigma[1] + sigma[1] ** 2 + 3 * sigma[2] ** 2)
    return sigma, vm


def q4_shape_functions(xi, eta):
    N = 0.25 * np.array([(1 - xi) * (1 - eta), (1 + xi) * (1 - eta), (1 + xi) * (1 + eta),
                         (1 - xi) * (1 + eta)])
    dN = 0.25 * np.array([[-(1 - eta), (1 - eta), (1 + eta), -(1 + eta)],
                          [-(1 - xi), -(1 + xi), (1 + xi), (1 - xi)]])
    return N, dN


def q4_stiffness(P, kappa=1.0):
    g = 1 / np.sqrt(3)
    K = np.zeros((4, 4))
    for xi in (-g, g):
        for eta in (-g, g):
            _, dN = q4_shape_functions(xi, eta)
            J = dN @ P
            detJ = np.linalg.det(J)
            dNx = np.linalg.solve(J, dN)
            K += kappa * dNx.T @ dNx * detJ
    return K


def q4_stiffness_vectorized(P):
    x, w = np.polynomial.legendre.leggauss(2)
    XI, ETA = np.meshgrid(x, x, indexing="ij")
    XI, ETA = XI.ravel(), ETA.ravel()
    W = np.outer(w, w).ravel()
    dN = 0.25 * np.stack([np.stack([-(1 - ETA), 1 - ETA, 1 + ETA, -(1 + ETA)], -1),
                          np.stack([-(1 - XI), -(1 + XI), 1 + XI, 1 - XI], -1)], axis=1)
    J = dN @ P
    dNx = np.linalg.solve(J, dN)
    detJ = np.linalg.det(J)
    return np.einsum("q,qki,qkj->ij", W * detJ, dNx, dNx)


def q4_mass_matrix(P, rho=1.0):
    x, w = np.polynomial.legendre.leggauss(3)
    M = np.zeros((4, 4))
    for i in range(3):
        for j in range(3):
            N, dN = q4_shape_functions(x[i], x[j])
            detJ = np.linalg.det(dN @ P)
            M += rho * w[i] * w[j] * np.outer(N, N) * detJ
    return M


def isoparametric_map(P, xi, eta):
    N = 0.25 * np.stack([(1 - xi) * (1 - eta), (1 + xi) * (1 - eta), (1 + xi) * (1 + eta),
                         (1 - xi) * (1 + eta)], axis=-1)
    return N @ P


def structured_quad_mesh(nx, ny, Lx=2.0, Ly=1.0):
    x = np.linspace(0, Lx, nx + 1)
    y = np.linspace(0, Ly, ny + 1)
    X, Y = np.meshgrid(x, y)
    nodes = np.column_stack([X.ravel(), Y.ravel()])
    conn = []
    for j in range(ny):
        for i in range(nx):
            n0 = j * (nx + 1) + i
            conn.append([n0, n0 + 1, n0 + nx + 2, n0 + nx + 1])
    return nodes, np.array(conn)


def q4_global_assembly(nodes, conn):
    n = len(nodes)
    K = np.zeros((n, n))
    for e in range(conn.shape[0]):
        idx = conn[e]
        K[np.ix_(idx, idx)] += q4_stiffness(nodes[idx])
    return K, np.abs(K.sum(axis=1)).max()


def thermal_1d_transient(T0, alpha, dx, dt, steps=5):
    n = len(T0)
    M = np.eye(n) / dt
    K = (np.diag(2 * np.ones(n)) - np.diag(np.ones(n - 1), 1)
         - np.diag(np.ones(n - 1), -1)) * alpha / dx ** 2
    A = M + K
    A[0, :] = 0.0
    A[-1, :] = 0.0
    A[0, 0] = A[-1, -1] = 1.0
    T = T0.copy()
    for _ in range(steps):
        rhs = M @ T
        rhs[0], rhs[-1] = T0[0], T0[-1]
        T = np.linalg.solve(A, rhs)
    return T


def modal_analysis_spring_chain(k, m):
    n = len(m)
    K = np.zeros((n, n))
    for i in range(n):
        K[i, i] += k[i]
        if i + 1 < n:
            K[i, i] += k[i + 1]
            K[i, i + 1] -= k[i + 1]
            K[i + 1, i] -= k[i + 1]
    Minv_sqrt = np.diag(1 / np.sqrt(m))
    w2 = np.linalg.eigvalsh(Minv_sqrt @ K @ Minv_sqrt)
    return np.sqrt(w2) / (2 * np.pi)


def spring_system_solve(k, f):
    n = len(f)
    K = np.diag(k[:-1] + k[1:]) - np.diag(k[1:-1], 1) - np.diag(k[1:-1], -1)
    return np.linalg.solve(K, f)


def element_strains(x, u):
    L0 = np.diff(x)
    return np.diff(u) / L0, np.diff(x + u) / L0 - 1


def dof_map_2d(conn):
    dofs = np.empty((conn.shape[0], 2 * conn.shape[1]), dtype=conn.dtype)
    dofs[:, 0::2] = 2 * conn
    dofs[:, 1::2] = 2 * conn + 1
    return dofs


def apply_dirichlet_symmetric(K, f, nodes, values):
    K = K.copy()
    f = f - K[:, nodes] @ values
    K[nodes, :] = 0.0
    K[:, nodes] = 0.0
    K[nodes, nodes] = 1.0
    f[nodes] = values
    return K, f


def apply_dirichlet_inplace(K, f, bc):
    for i in bc:
        f -= K[:, i] * 0.0
        K[i, :] = 0
        K[:, i] = 0
        K[i, i] = 1
        f[i] = 0
    return np.linalg.solve(K, f)


def galerkin_residual(K, f, u):
    r = K @ u - f
    return np.linalg.norm(r), np.abs(r).argmax()


def fem_energy_norm(K, u, v):
    e = u - v
    return np.sqrt(e @ K @ e), np.sqrt(e.T.dot(K.dot(e)))


def lagrange_basis_1d(nodes, x):
    n = len(nodes)
    L = np.ones((n, len(x)))
    for i in range(n):
        for j in range(n):
            if i != j:
                L[i] *= (x - nodes[j]) / (nodes[i] - nodes[j])
    return L


def p2_element_stiffness_1d(h):
    xg, wg = np.polynomial.legendre.leggauss(3)
    K = np.zeros((3, 3))
    for q in range(3):
        xi = xg[q]
        dN = np.array([xi - 0.5, -2 * xi, xi + 0.5]) * 2 / h
        K += wg[q] * np.outer(dN, dN) * h / 2
    return K


def fem_1d_p2(x, f):
    ne = len(x) - 1
    n = 2 * ne + 1
    K = np.zeros((n, n))
    F = np.zeros(n)
    for e in range(ne):
        h = x[e + 1] - x[e]
        idx = [2 * e, 2 * e + 1, 2 * e + 2]
        K[np.ix_(idx, idx)] += p2_element_stiffness_1d(h)
        F[idx] += f[e] * h * np.array([1 / 6, 2 / 3, 1 / 6])
    inner = slice(1, n - 1)
    u = np.zeros(n)
    u[inner] = np.linalg.solve(K[inner, inner], F[inner])
    return u


def conjugate_gradient_fixed(A, b, iters=10):
    x = np.zeros_like(b)
    r = b - A @ x
    p = r.copy()
    rs = r @ r
    for _ in range(iters):
        Ap = A @ p
        alpha = rs / (p @ Ap)
        x += alpha * p
        r -= alpha * Ap
        rs_new = r @ r
        p = r + (rs_new / rs) * p
        rs = rs_new
    return x, np.sqrt(rs)


def back_substitution(U, b):
    n = len(b)
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        x[i] = (b[i] - U[i, i + 1:] @ x[i + 1:]) / U[i, i]
    return x


def cholesky_two_solves(A, b):
    L = np.linalg.cholesky(A)
    y = np.linalg.solve(L, b)
    return np.linalg.solve(L.T, y), np.linalg.qr(A)[1].diagonal() ** 2


def newton_nonlinear_bar(x, f, iters=5):
    n = len(x)
    u = np.zeros(n)
    for _ in range(iters):
        K = np.zeros((n, n))
        R = np.zeros(n)
        for e in range(n - 1):
            h = x[e + 1] - x[e]
            du = (u[e + 1] - u[e]) / h
            K[e:e + 2, e:e + 2] += (1 + 3 * du ** 2) / h * np.array([[1, -1], [-1, 1]])
            R[e:e + 2] += (1 + du ** 2) * du * np.array([-1, 1])
        R -= f
        K[0] = 0
        K[0, 0] = 1
        R[0] = u[0]
        u -= np.linalg.solve(K, R)
    return u


def quadrature_rule_dict(order):
    x, w = np.polynomial.legendre.leggauss(order)
    return {"points": x, "weights": w, "sum": w.sum(), "n": len(x)}


def legendre_basis_values(x):
    return (np.polynomial.legendre.legvander(x, 3), np.polynomial.legendre.legval(x, [1, 2, 3]),
            np.polynomial.chebyshev.chebval(x, [0.5, 1.0]))


def solve_load_cases(K, B):
    return np.linalg.solve(K, B), np.linalg.lstsq(K, B, rcond=None)[0]


def generalized_eigen_modes(K, M):
    Linv = np.linalg.inv(np.linalg.cholesky(M))
    w = np.linalg.eigvalsh(Linv @ K @ Linv.T)
    return np.sqrt(np.abs(w)), np.sort(np.linalg.eigvals(np.linalg.solve(M, K)).real)


def integer_stiffness(M):
    return (np.linalg.det(M), np.linalg.solve(M, np.ones(3)), np.linalg.inv(M),
            np.cross(M[0], M[1]),
            np.trace(M), np.outer(M[0], M[1]), np.kron(M[:2, :2], np.eye(2, dtype=int)))


def element_strain_histogram(strain):
    return (np.ptp(strain), np.percentile(strain, [5, 50, 95]), np.median(strain),
            np.histogram(strain, bins=5, range=(0, 2)), np.quantile(strain, 0.9, method="nearest"))


def _xs(s, n):
    return np.sort(np.r_[0.0, np.random.default_rng(s).uniform(0.1, 0.9, n - 2), 1.0])


def _spd(s, n):
    A = _f(n, n, seed=s)
    return A @ A.T + n * np.eye(n)


def _tri2d(s, n):
    V, F = _mesh(s, n)
    return V[:, :2].copy(), F


def _boundary(n):
    idx = np.arange(n * (n + 1)).reshape(n + 1, n)
    return np.unique(np.r_[idx[0], idx[-1], idx[:, 0], idx[:, -1]])


def _interior(n):
    return np.setdiff1d(np.arange(n * (n + 1)), _boundary(n))


_TRUSS_NODES = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.5, 0.8], [1.5, 0.8]])
_TRUSS_ELEMS = np.array([[0, 1], [1, 2], [0, 3], [3, 1], [1, 4], [4, 2], [3, 4]])


FEM = {
    "gauss_legendre_1d": (gauss_legendre_1d, {}, lambda s, n: (n,)),
    "gauss_integrate": (gauss_integrate, {}, lambda s, n: (_f(n, seed=s), -1.0, 2.0)),
    "gauss_points_table": (gauss_points_table, {}, lambda s, n: ()),
    "gauss_2d_tensor": (gauss_2d_tensor, {}, lambda s, n: (_f(3, seed=s),)),
    "triangle_quadrature": (triangle_quadrature, {}, lambda s, n: (np.array([[0.0, 0], [1, 0], [0, 1]]) + 0.1 * _f(3, 2, seed=s), _f(3, seed=s))),
    "bar_element_stiffness": (bar_element_stiffness, {}, lambda s, n: (210e9, 1e-4 * s, 0.5 * n)),
    "assemble_bar_1d": (assemble_bar_1d, {}, lambda s, n: (_xs(s, n), _f(n - 1, positive=True, seed=s))),
    "fem_1d_poisson": (fem_1d_poisson, {}, lambda s, n: (_xs(s, n + 2), _f(n + 1, seed=s))),
    "fem_1d_poisson_reduced": (fem_1d_poisson_reduced, {}, lambda s, n: (_xs(s, n + 2), _f(n + 2, seed=s))),
    "fem_1d_vectorized": (fem_1d_vectorized, {}, lambda s, n: (_xs(s, n + 2), _f(n + 2, seed=s))),
    "fem_1d_mass_matrix": (fem_1d_mass_matrix, {}, lambda s, n: (_xs(s, n),)),
    "fem_1d_neumann": (fem_1d_neumann, {}, lambda s, n: (_xs(s, n), _f(n - 1, positive=True, seed=s))),
    "fem_1d_dirichlet_penalty": (fem_1d_dirichlet_penalty, {}, lambda s, n: (_xs(s, n + 2), _f(n + 1, seed=s))),
    "fem_1d_lifting": (fem_1d_lifting, {}, lambda s, n: (_xs(s, n + 2), _f(n + 1, seed=s))),
    "beam_element_stiffness": (beam_element_stiffness, {}, lambda s, n: (_f(1, positive=True, seed=s)[0], 0.5 * n)),
    "cantilever_beam": (cantilever_beam, {}, lambda s, n: (_f(4, positive=True, seed=s + n),)),
    "truss_2d": (truss_2d, {}, lambda s, n: (_TRUSS_NODES + 0.05 * _f(5, 2, seed=s + n), _TRUSS_ELEMS, _f(7, positive=True, seed=s), np.r_[0, 0, 0, 0, 0, -1.0, 0, 0, 0.5, -1])),
    "truss_vectorized": (truss_vectorized, {}, lambda s, n: (_TRUSS_NODES + 0.05 * _f(5, 2, seed=s + n), _TRUSS_ELEMS, _f(7, positive=True, seed=s))),
    "truss_member_forces": (truss_member_forces, {}, lambda s, n: (_TRUSS_NODES, _TRUSS_ELEMS, _f(7, positive=True, seed=s), 0.01 * _f(10, seed=s + n))),
    "p1_shape_gradients": (p1_shape_gradients, {}, lambda s, n: (np.array([[0.0, 0], [1, 0], [0, 1]]) + 0.1 * _f(3, 2, seed=s + n),)),
    "p1_stiffness": (p1_stiffness, {}, lambda s, n: (np.array([[0.0, 0], [1, 0], [0, 1]]) + 0.1 * _f(3, 2, seed=s + n),)),
    "p1_stiffness_batched": (p1_stiffness_batched, {}, lambda s, n: _tri2d(s, n)),
    "p1_assemble_loop": (p1_assemble_loop, {}, lambda s, n: _tri2d(s, n - 1)),
    "p1_assemble_add_at": (p1_assemble_add_at, {}, lambda s, n: _tri2d(s, n)),
    "p1_load_vector": (p1_load_vector, {}, lambda s, n: _tri2d(s, n) + (_f(n * (n + 1), seed=s),)),
    "p1_mass_matrix": (p1_mass_matrix, {}, lambda s, n: _tri2d(s, n)),
    "p1_poisson_solve": (p1_poisson_solve, {}, lambda s, n: _tri2d(s, n) + (_boundary(n),)),
    "p1_poisson_interior": (p1_poisson_interior, {}, lambda s, n: _tri2d(s, n) + (_interior(n),)),
    "plane_stress_D": (plane_stress_D, {}, lambda s, n: (70e3 * s, 0.05 * n)),
    "cst_element": (cst_element, {}, lambda s, n: (np.array([[0.0, 0], [2, 0], [0, 1]]) + 0.1 * _f(3, 2, seed=s + n),)),
    "cst_stresses": (cst_stresses, {}, lambda s, n: (np.array([[0.0, 0], [2, 0], [0, 1]]) + 0.1 * _f(3, 2, seed=s + n), 0.01 * _f(6, seed=s))),
    "q4_shape_functions": (q4_shape_functions, {}, lambda s, n: (_f(n, seed=s) * 0.5, _f(n, seed=s + 1) * 0.5)),
    "q4_stiffness": (q4_stiffness, {}, lambda s, n: (np.array([[0.0, 0], [1, 0], [1, 1], [0, 1]]) + 0.1 * _f(4, 2, seed=s + n),)),
    "q4_stiffness_vectorized": (q4_stiffness_vectorized, {}, lambda s, n: (np.array([[0.0, 0], [1, 0], [1, 1], [0, 1]]) + 0.1 * _f(4, 2, seed=s + n),)),
    "q4_mass_matrix": (q4_mass_matrix, {}, lambda s, n: (np.array([[0.0, 0], [2, 0], [2, 1], [0, 1]]) + 0.1 * _f(4, 2, seed=s + n), 2.5)),
    "isoparametric_map": (isoparametric_map, {}, lambda s, n: (np.array([[0.0, 0], [2, 0], [2, 1], [0, 1.5]]), _f(n, 3, seed=s) * 0.5, _f(n, 3, seed=s + 1) * 0.5)),
    "structured_quad_mesh": (structured_quad_mesh, {}, lambda s, n: (n, 3)),
    "q4_global_assembly": (q4_global_assembly, {}, lambda s, n: (structured_quad_mesh(n // 2, 2)[0] + 0.01 * _f((n // 2 + 1) * 3, 2, seed=s), structured_quad_mesh(n // 2, 2)[1])),
    "thermal_1d_transient": (thermal_1d_transient, {}, lambda s, n: (_f(2 * n, seed=s), 0.1, 0.5, 0.2)),
    "modal_analysis_spring_chain": (modal_analysis_spring_chain, {}, lambda s, n: (_f(n, positive=True, seed=s), _f(n, positive=True, seed=s + 1))),
    "spring_system_solve": (spring_system_solve, {}, lambda s, n: (_f(n + 1, positive=True, seed=s), _f(n, seed=s))),
    "element_strains": (element_strains, {}, lambda s, n: (_xs(s, n), 0.01 * _f(n, seed=s))),
    "dof_map_2d": (dof_map_2d, {}, lambda s, n: (_i(30, n, 4, seed=s),)),
    "apply_dirichlet_symmetric": (apply_dirichlet_symmetric, {}, lambda s, n: (_spd(s, n + 2), _f(n + 2, seed=s), np.array([0, n + 1]), np.array([1.0, -2.0]))),
    "apply_dirichlet_inplace": (apply_dirichlet_inplace, {}, lambda s, n: (_spd(s, n + 2), _f(n + 2, seed=s), [0, 2])),
    "galerkin_residual": (galerkin_residual, {}, lambda s, n: (_spd(s, n), _f(n, seed=s), _f(n, seed=s + 1))),
    "fem_energy_norm": (fem_energy_norm, {}, lambda s, n: (_spd(s, n), _f(n, seed=s), _f(n, seed=s + 1))),
    "lagrange_basis_1d": (lagrange_basis_1d, {}, lambda s, n: (np.linspace(-1, 1, 4), _f(n, seed=s))),
    "p2_element_stiffness_1d": (p2_element_stiffness_1d, {}, lambda s, n: (0.1 * n + 0.01 * s,)),
    "fem_1d_p2": (fem_1d_p2, {}, lambda s, n: (_xs(s, n), _f(n - 1, seed=s))),
    "conjugate_gradient_fixed": (conjugate_gradient_fixed, {}, lambda s, n: (_spd(s, 2 * n), _f(2 * n, seed=s))),
    "back_substitution": (back_substitution, {}, lambda s, n: (np.triu(_f(n, n, seed=s)) + 3 * np.eye(n), _f(n, seed=s + 1))),
    "cholesky_two_solves": (cholesky_two_solves, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "newton_nonlinear_bar": (newton_nonlinear_bar, {}, lambda s, n: (_xs(s, n + 2), 0.1 * _f(n + 2, seed=s))),
    "quadrature_rule_dict": (quadrature_rule_dict, {}, lambda s, n: (n,)),
    "legendre_basis_values": (legendre_basis_values, {}, lambda s, n: (np.random.default_rng(s).uniform(-1, 1, n),)),
    "solve_load_cases": (solve_load_cases, {}, lambda s, n: (_spd(s, n), _f(n, 3, seed=s))),
    "generalized_eigen_modes": (generalized_eigen_modes, {}, lambda s, n: (_spd(s, n), np.diag(_f(n, positive=True, seed=s)))),
    "integer_stiffness": (integer_stiffness, {}, lambda s, n: (np.array([[2 + n, 1, 0], [1, 3, 1], [0, 1, 4 + s]]),)),
    "element_strain_histogram": (element_strain_histogram, {}, lambda s, n: (2 * np.random.default_rng(s).random(3 * n),)),
}


# ------------------------------------------------------------- finite differences and volumes


def upwind_advection(u0, c=1.0, dx=0.1, dt=0.05, steps=10):
    u = u0.copy()
    nu = c * dt / dx
    for _ in range(steps):
        u[1:] = u[1:] - nu * (u[1:] - u[:-1])
    return u


def upwind_periodic_roll(u0, c=0.8, steps=12):
    u = u0.copy()
    for n in range(steps):
        u = u - c * (u - np.roll(u, 1))
    return u


def upwind_signed_velocity(u0, a, dx=0.1, dt=0.02, steps=8):
    u = u0.copy()
    ap, am = np.maximum(a, 0), np.minimum(a, 0)
    for _ in range(steps):
        um = np.roll(u, 1)
        up = np.roll(u, -1)
        u = u - dt / dx * (ap * (u - um) + am * (up - u))
    return u


def lax_friedrichs(u0, c=1.0, dx=0.1, dt=0.05, steps=10):
    u = u0.copy()
    for _ in range(steps):
        un = u.copy()
        u[1:-1] = 0.5 * (un[2:] + un[:-2]) - c * dt / (2 * dx) * (un[2:] - un[:-2])
    return u


def lax_wendroff(u0, c=1.0, dx=0.1, dt=0.05, steps=10):
    u = u0.copy()
    C = c * dt / dx
    for _ in range(steps):
        up, um = np.roll(u, -1), np.roll(u, 1)
        u = u - 0.5 * C * (up - um) + 0.5 * C ** 2 * (up - 2 * u + um)
    return u


def beam_warming(u0, C=0.5, steps=6):
    u = u0.copy()
    for _ in range(steps):
        un = u.copy()
        u[2:] = (un[2:] - C / 2 * (3 * un[2:] - 4 * un[1:-1] + un[:-2])
                 + C ** 2 / 2 * (un[2:] - 2 * un[1:-1] + un[:-2]))
    return u


def maccormack(u0, C=0.4, steps=6):
    u = u0.copy()
    for _ in range(steps):
        us = u - C * (np.roll(u, -1) - u)
        u = 0.5 * (u + us - C * (us - np.roll(us, 1)))
    return u


def burgers_inviscid_godunov(u0, dx=0.1, dt=0.02, steps=8):
    u = u0.copy()
    for _ in range(steps):
        ul, ur = u[:-1], u[1:]
        fl, fr = 0.5 * ul ** 2, 0.5 * ur ** 2
        s = 0.5 * (ul + ur)
        flux = np.where(ul > ur, np.where(s > 0, fl, fr),
                        np.where(ul > 0, fl, np.where(ur < 0, fr, 0.0)))
        u[1:-1] -= dt / dx * (flux[1:] - flux[:-1])
    return u


def burgers_viscous(u0, nu=0.07, dx=0.1, dt=0.01, steps=10):
    u = u0.copy()
    for n in range(steps):
        un = u.copy()
        u[1:-1] = (un[1:-1] - un[1:-1] * dt / dx * (un[1:-1] - un[:-2])
                   + nu * dt / dx ** 2 * (un[2:] - 2 * un[1:-1] + un[:-2]))
        u[0] = un[0] - un[0] * dt / dx * (un[0] - un[-2]) + nu * dt / dx ** 2 * (un[1] - 2 * un[0]
                                                                                 + un[-2])
        u[-1] = u[0]
    return u


def minmod_limiter(u):
    a = u[1:-1] - u[:-2]
    b = u[2:] - u[1:-1]
    return np.where(a * b > 0, np.sign(a) * np.minimum(np.abs(a), np.abs(b)), 0.0)


def muscl_reconstruction(u):
    du_l = u - np.roll(u, 1)
    du_r = np.roll(u, -1) - u
    r = du_l / np.where(du_r == 0, 1e-12, du_r)
    phi = np.maximum(0, np.minimum(1, r))
    uL = u + 0.5 * phi * du_r
    uR = np.roll(u - 0.5 * phi * du_r, -1)
    return uL, uR


def van_leer_limiter(r):
    return (r + np.abs(r)) / (1 + np.abs(r))


def superbee(r):
    return np.maximum.reduce([np.zeros_like(r), np.minimum(2 * r, 1), np.minimum(r, 2)])


def fv_rusanov_step(u, dx=0.1, dt=0.01):
    f = lambda q: 0.5 * q ** 2
    uL, uR = u[:-1], u[1:]
    a = np.maximum(np.abs(uL), np.abs(uR))
    F = 0.5 * (f(uL) + f(uR)) - 0.5 * a * (uR - uL)
    unew = u.copy()
    unew[1:-1] -= dt / dx * np.diff(F)
    return unew, a.max() * dt / dx


def fv_conservation_check(u0, steps=5, C=0.5):
    u = u0.copy()
    mass0 = u.sum()
    for _ in range(steps):
        F = C * u
        u = u - (F - np.roll(F, 1))
    return u, u.sum() - mass0


def heat_explicit(u0, alpha=0.1, dx=0.1, dt=0.01, steps=20):
    u = u0.copy()
    r = alpha * dt / dx ** 2
    for _ in range(steps):
        u[1:-1] = u[1:-1] + r * (u[2:] - 2 * u[1:-1] + u[:-2])
    return u


def heat_explicit_neumann(u0, r=0.25, steps=15):
    u = u0.copy()
    for _ in range(steps):
        un = np.pad(u, 1, mode="edge")
        u = u + r * (un[2:] - 2 * u + un[:-2])
    return u


def heat_implicit(u0, r=0.5, steps=5):
    n = len(u0)
    A = np.diag((1 + 2 * r) * np.ones(n)) + np.diag(-r * np.ones(n - 1),
                                                    1) + np.diag(-r * np.ones(n - 1), -1)
    u = u0.copy()
    for _ in range(steps):
        u = np.linalg.solve(A, u)
    return u


def crank_nicolson(u0, r=0.5, steps=5):
    n = len(u0)
    I = np.eye(n)
    T = -2 * np.eye(n) + np.eye(n, k=1) + np.eye(n, k=-1)
    A = I - r / 2 * T
    B = I + r / 2 * T
    u = u0
    for _ in range(steps):
        u = np.linalg.solve(A, B @ u)
    return u


def thomas_algorithm(a, b, c, d):
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


def heat_2d_explicit(u0, r=0.2, steps=10):
    u = u0.copy()
    for _ in range(steps):
        u[1:-1, 1:-1] += r * (u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2]
                              - 4 * u[1:-1, 1:-1])
    return u


def heat_2d_roll(u0, r=0.2, steps=10):
    u = u0
    for _ in range(steps):
        lap = np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1) + np.roll(u, -1, 1) - 4 * u
        u = u + r * lap
    return u


def heat_2d_source(u0, src, r=0.2, steps=8, dt=0.1):
    u = u0.copy()
    for _ in range(steps):
        lap = np.zeros_like(u)
        lap[1:-1, 1:-1] = u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:] - 4 * u[1:-1,
                                                                                          1:-1]
        u = u + r * lap + dt * src
        u[0, :] = u[-1, :] = 0
        u[:, 0] = u[:, -1] = 0
    return u


def wave_1d(u0, c=1.0, dx=0.1, dt=0.05, steps=20):
    C2 = (c * dt / dx) ** 2
    u_prev = u0.copy()
    u = u0.copy()
    u[1:-1] = u0[1:-1] + 0.5 * C2 * (u0[2:] - 2 * u0[1:-1] + u0[:-2])
    for _ in range(steps):
        u_next = np.zeros_like(u)
        u_next[1:-1] = 2 * u[1:-1] - u_prev[1:-1] + C2 * (u[2:] - 2 * u[1:-1] + u[:-2])
        u_prev, u = u, u_next
    return u


def wave_2d(u0, C2=0.25, steps=10):
    up = u0.copy()
    u = u0.copy()
    for _ in range(steps):
        un = np.zeros_like(u)
        un[1:-1, 1:-1] = (2 * u[1:-1, 1:-1] - up[1:-1, 1:-1] + C2 * (
            u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2] - 4 * u[1:-1, 1:-1]))
        up, u = u, un
    return u, (u ** 2).sum()


def wave_energy_history(u0, C2=0.3, steps=10):
    up, u = u0.copy(), u0.copy()
    E = np.zeros(steps)
    for n in range(steps):
        un = 2 * u - up + C2 * (np.roll(u, 1) - 2 * u + np.roll(u, -1))
        E[n] = 0.5 * np.sum((un - u) ** 2) + 0.5 * C2 * np.sum((np.roll(un, -1) - un) ** 2)
        up, u = u, un
    return E


def jacobi_poisson_2d(f, h=0.1, iters=30):
    u = np.zeros_like(f)
    for _ in range(iters):
        u_new = u.copy()
        u_new[1:-1, 1:-1] = 0.25 * (u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2]
                                    - h * h * f[1:-1, 1:-1])
        u = u_new
    return u


def jacobi_with_residual_history(f, iters=20):
    u = np.zeros_like(f)
    res = []
    for k in range(iters):
        u[1:-1, 1:-1] = 0.25 * (u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2]
                                - f[1:-1, 1:-1])
        r = f[1:-1, 1:-1] - (u[2:, 1:-1] + u[:-2, 1:-1] + u[1:-1, 2:] + u[1:-1, :-2]
                             - 4 * u[1:-1, 1:-1])
        res.append(np.abs(r).max())
    return u, np.array(res)


def jacobi_matrix(A, b, iters=25):
    D = np.diag(A)
    R = A - np.diagflat(D)
    x = np.zeros_like(b)
    for i in range(iters):
        x = (b - np.dot(R, x)) / D
    return x


def gauss_seidel_matrix(A, b, iters=10):
    n = len(b)
    x = np.zeros(n)
    for _ in range(iters):
        for i in range(n):
            s1 = A[i, :i] @ x[:i]
            s2 = A[i, i + 1:] @ x[i + 1:]
            x[i] = (b[i] - s1 - s2) / A[i, i]
    return x


def gauss_seidel_grid(f, iters=5):
    u = np.zeros_like(f)
    ny, nx = u.shape
    for _ in range(iters):
        for i in range(1, ny - 1):
            for j in range(1, nx - 1):
                u[i, j] = 0.25 * (u[i + 1, j] + u[i - 1, j] + u[i, j + 1] + u[i, j - 1] - f[i, j])
    return u


def red_black_sor(f, omega=1.5, iters=10):
    u = np.zeros_like(f)
    I, J = np.meshgrid(np.arange(f.shape[0]), np.arange(f.shape[1]), indexing="ij")
    interior = np.zeros(f.shape, dtype=bool)
    interior[1:-1, 1:-1] = True
    red = ((I + J) % 2 == 0) & interior
    black = ((I + J) % 2 == 1) & interior
    for _ in range(iters):
        for mask in (red, black):
            nb = np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1) + np.roll(u, -1, 1)
            gs = 0.25 * (nb - f)
            u[mask] = (1 - omega) * u[mask] + omega * gs[mask]
    return u


def sor_1d(b, omega=1.2, iters=15):
    n = len(b)
    x = np.zeros(n + 2)
    for _ in range(iters):
        for i in range(1, n + 1):
            x[i] = (1 - omega) * x[i] + omega * 0.5 * (x[i - 1] + x[i + 1] + b[i - 1])
    return x[1:-1]


def laplace_dirichlet_bc(top, iters=40):
    n = len(top)
    u = np.zeros((n, n))
    u[0, :] = top
    u[:, 0] = top[0]
    u[:, -1] = top[-1]
    for _ in range(iters):
        u[1:-1, 1:-1] = (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:]) / 4
    return u


def multigrid_restrict_prolong(r):
    rc = 0.25 * r[::2][:-1] + 0.5 * r[1::2] + 0.25 * r[2::2]
    e = np.zeros(len(r))
    e[1::2] = rc
    e[2:-1:2] = 0.5 * (rc[:-1] + rc[1:])
    return rc, e


def np_gradient_uniform(f, dx):
    return np.gradient(f, dx), np.gradient(f, dx, edge_order=2)


def np_gradient_coords(x, f):
    return np.gradient(f, x)


def np_gradient_2d(F, dx=0.1, dy=0.2):
    gy, gx = np.gradient(F, dy, dx)
    return gx, gy, np.hypot(gx, gy)


def np_gradient_axis(F):
    return np.gradient(F, axis=1), np.gradient(F, 0.5, axis=0)


def divergence_curl_2d(U, V, h=0.1):
    dUdy, dUdx = np.gradient(U, h)
    dVdy, dVdx = np.gradient(V, h)
    return dUdx + dVdy, dVdx - dUdy


def diff_prepend_append(x):
    d1 = np.diff(x, prepend=x[0])
    d2 = np.diff(x, append=x[-1])
    d3 = np.diff(x, prepend=0, append=0)
    return d1, d2, d3


def diff_second_order(x, h=0.1):
    return np.diff(x, n=2) / h ** 2, np.diff(x, 2, axis=0)


def central_difference_matrix(n, h=0.1):
    D = (np.eye(n, k=1) - np.eye(n, k=-1)) / (2 * h)
    D[0, :3] = np.array([-3, 4, -1]) / (2 * h)
    D[-1, -3:] = np.array([1, -4, 3]) / (2 * h)
    return D


def second_derivative_matrix(n, h):
    D2 = np.zeros((n, n))
    idx = np.arange(1, n - 1)
    D2[idx, idx - 1] = 1
    D2[idx, idx] = -2
    D2[idx, idx + 1] = 1
    return D2 / h ** 2


def poisson_1d_direct(f, h=0.1):
    n = len(f)
    A = (np.diag(-2 * np.ones(n)) + np.diag(np.ones(n - 1), 1)
         + np.diag(np.ones(n - 1), -1)) / h ** 2
    return np.linalg.solve(A, f)


def poisson_2d_kron(f, h=0.25):
    n = f.shape[0]
    T = np.diag(-2 * np.ones(n)) + np.diag(np.ones(n - 1), 1) + np.diag(np.ones(n - 1), -1)
    I = np.eye(n)
    A = (np.kron(I, T) + np.kron(T, I)) / h ** 2
    return np.linalg.solve(A, f.ravel()).reshape(n, n)


def five_point_stencil_index(n):
    N = n * n
    A = np.zeros((N, N))
    k = np.arange(N)
    i, j = k // n, k % n
    A[k, k] = -4
    m = j > 0
    A[k[m], k[m] - 1] = 1
    m = j < n - 1
    A[k[m], k[m] + 1] = 1
    m = i > 0
    A[k[m], k[m] - n] = 1
    m = i < n - 1
    A[k[m], k[m] + n] = 1
    return A


def cfl_timestep(u, v, dx, dy, cfl=0.5):
    return cfl / (np.abs(u).max() / dx + np.abs(v).max() / dy)


def advection_diffusion_2d(c0, u=0.5, v=0.3, D=0.01, dx=0.1, dt=0.05, steps=6):
    c = c0.copy()
    for _ in range(steps):
        cx = (c - np.roll(c, 1, axis=1)) / dx
        cy = (c - np.roll(c, 1, axis=0)) / dx
        lap = (np.roll(c, 1, 0) + np.roll(c, -1, 0) + np.roll(c, 1, 1) + np.roll(c, -1, 1)
               - 4 * c) / dx ** 2
        c = c + dt * (-u * cx - v * cy + D * lap)
    return c


def fd_reaction_diffusion(u0, v0, Du=0.16, Dv=0.08, F=0.06, k=0.062, steps=5):
    u, v = u0.copy(), v0.copy()
    for _ in range(steps):
        Lu = np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1) + np.roll(u, -1, 1) - 4 * u
        Lv = np.roll(v, 1, 0) + np.roll(v, -1, 0) + np.roll(v, 1, 1) + np.roll(v, -1, 1) - 4 * v
        uvv = u * v * v
        u += Du * Lu - uvv + F * (1 - u)
        v += Dv * Lv + uvv - (F + k) * v
    return u, v


def shallow_water_1d(h0, steps=5, dx=1.0, dt=0.1, g=9.81):
    h = h0.copy()
    hu = np.zeros_like(h0)
    for _ in range(steps):
        u = hu / h
        F1, F2 = hu, hu * u + 0.5 * g * h ** 2
        a = np.abs(u) + np.sqrt(g * h)
        amax = np.maximum(a[:-1], a[1:])
        f1 = 0.5 * (F1[:-1] + F1[1:]) - 0.5 * amax * (h[1:] - h[:-1])
        f2 = 0.5 * (F2[:-1] + F2[1:]) - 0.5 * amax * (hu[1:] - hu[:-1])
        h[1:-1] -= dt / dx * (f1[1:] - f1[:-1])
        hu[1:-1] -= dt / dx * (f2[1:] - f2[:-1])
    return h, hu


def nonuniform_grid_derivative(x, f):
    hm = x[1:-1] - x[:-2]
    hp = x[2:] - x[1:-1]
    d = (hm ** 2 * f[2:] - hp ** 2 * f[:-2] + (hp ** 2 - hm ** 2) * f[1:-1]) / (hm * hp * (hm + hp))
    return np.concatenate([[(f[1] - f[0]) / (x[1] - x[0])], d, [(f[-1] - f[-2]) / (x[-1] - x[-2])]])


def staggered_grid_velocity(p, rho=1.0, dx=0.1):
    u = np.zeros((p.shape[0], p.shape[1] + 1))
    u[:, 1:-1] = -(p[:, 1:] - p[:, :-1]) / (rho * dx)
    div = (u[:, 1:] - u[:, :-1]) / dx
    return u, div


def cell_to_face_average(c):
    faces = np.empty(len(c) + 1)
    faces[1:-1] = 0.5 * (c[:-1] + c[1:])
    faces[0], faces[-1] = c[0], c[-1]
    return faces


def fv_diffusion_variable_k(u0, k, dx=0.1, dt=0.001, steps=10):
    u = u0.copy()
    kf = 2 * k[:-1] * k[1:] / (k[:-1] + k[1:])
    for _ in range(steps):
        flux = -kf * np.diff(u) / dx
        u[1:-1] -= dt / dx * np.diff(flux)
    return u


def spectral_derivative(u, L=2 * np.pi):
    n = len(u)
    k = 2 * np.pi * np.fft.fftfreq(n, d=L / n)
    return np.real(np.fft.ifft(1j * k * np.fft.fft(u)))


def fd_convergence_table(f_coeffs):
    hs = 0.5 ** np.arange(1, 6)
    x0 = 0.3
    errs = []
    for h in hs:
        d = (np.polyval(f_coeffs, x0 + h) - np.polyval(f_coeffs, x0 - h)) / (2 * h)
        errs.append(abs(d - np.polyval(np.polyder(f_coeffs), x0)))
    errs = np.array(errs)
    return errs, np.log2(errs[:-1] / errs[1:])


def _bump(s, n):
    x = np.linspace(0, 1, n)
    return np.exp(-100 * (x - 0.3 - 0.05 * s) ** 2)


def _grid(s, n, m=None):
    return _f(n, m or n + 1, seed=s)


FD = {
    "upwind_advection": (upwind_advection, {}, lambda s, n: (_bump(s, 8 * n),)),
    "upwind_periodic_roll": (upwind_periodic_roll, {}, lambda s, n: (_bump(s, 8 * n),)),
    "upwind_signed_velocity": (upwind_signed_velocity, {}, lambda s, n: (_bump(s, 8 * n), _f(8 * n, seed=s))),
    "lax_friedrichs": (lax_friedrichs, {}, lambda s, n: (_bump(s, 8 * n),)),
    "lax_wendroff": (lax_wendroff, {}, lambda s, n: (_bump(s, 8 * n),)),
    "beam_warming": (beam_warming, {}, lambda s, n: (_bump(s, 8 * n),)),
    "maccormack": (maccormack, {}, lambda s, n: (_bump(s, 8 * n),)),
    "burgers_inviscid_godunov": (burgers_inviscid_godunov, {}, lambda s, n: (_f(8 * n, seed=s),)),
    "burgers_viscous": (burgers_viscous, {}, lambda s, n: (1 + _bump(s, 8 * n),)),
    "minmod_limiter": (minmod_limiter, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "muscl_reconstruction": (muscl_reconstruction, {}, lambda s, n: (np.r_[_f(4 * n, seed=s), 1.0, 1.0],)),
    "van_leer_limiter": (van_leer_limiter, {}, lambda s, n: (3 * _f(4 * n, seed=s),)),
    "superbee": (superbee, {}, lambda s, n: (3 * _f(4 * n, seed=s),)),
    "fv_rusanov_step": (fv_rusanov_step, {}, lambda s, n: (_f(4 * n, seed=s),)),
    "fv_conservation_check": (fv_conservation_check, {}, lambda s, n: (_bump(s, 8 * n),)),
    "heat_explicit": (heat_explicit, {}, lambda s, n: (_bump(s, 8 * n),)),
    "heat_explicit_neumann": (heat_explicit_neumann, {}, lambda s, n: (_bump(s, 8 * n),)),
    "heat_implicit": (heat_implicit, {}, lambda s, n: (_bump(s, 3 * n),)),
    "crank_nicolson": (crank_nicolson, {}, lambda s, n: (_bump(s, 3 * n),)),
    "thomas_algorithm": (thomas_algorithm, {}, lambda s, n: (_f(n, seed=s), 4 + _f(n, positive=True, seed=s), _f(n, seed=s + 1), _f(n, seed=s + 2))),
    "heat_2d_explicit": (heat_2d_explicit, {}, lambda s, n: (_grid(s, n),)),
    "heat_2d_roll": (heat_2d_roll, {}, lambda s, n: (_grid(s, n),)),
    "heat_2d_source": (heat_2d_source, {}, lambda s, n: (_grid(s, n), _grid(s + 1, n))),
    "wave_1d": (wave_1d, {}, lambda s, n: (_bump(s, 8 * n),)),
    "wave_2d": (wave_2d, {}, lambda s, n: (_grid(s, n),)),
    "wave_energy_history": (wave_energy_history, {}, lambda s, n: (_bump(s, 8 * n),)),
    "jacobi_poisson_2d": (jacobi_poisson_2d, {}, lambda s, n: (_grid(s, n),)),
    "jacobi_with_residual_history": (jacobi_with_residual_history, {}, lambda s, n: (_grid(s, n),)),
    "jacobi_matrix": (jacobi_matrix, {}, lambda s, n: (_spd(s, n) + 3 * n * np.eye(n), _f(n, seed=s))),
    "gauss_seidel_matrix": (gauss_seidel_matrix, {}, lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "gauss_seidel_grid": (gauss_seidel_grid, {}, lambda s, n: (_grid(s, n),)),
    "red_black_sor": (red_black_sor, {}, lambda s, n: (_grid(s, n),)),
    "sor_1d": (sor_1d, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "laplace_dirichlet_bc": (laplace_dirichlet_bc, {}, lambda s, n: (_f(n, seed=s),)),
    "multigrid_restrict_prolong": (multigrid_restrict_prolong, {}, lambda s, n: (_f(4 * n + 1, seed=s),)),
    "np_gradient_uniform": (np_gradient_uniform, {}, lambda s, n: (_f(3 * n, seed=s), 0.1 * s)),
    "np_gradient_coords": (np_gradient_coords, {}, lambda s, n: (_xs(s, 3 * n), _f(3 * n, seed=s))),
    "np_gradient_2d": (np_gradient_2d, {}, lambda s, n: (_grid(s, n),)),
    "np_gradient_axis": (np_gradient_axis, {}, lambda s, n: (_grid(s, n),)),
    "divergence_curl_2d": (divergence_curl_2d, {}, lambda s, n: (_grid(s, n), _grid(s + 1, n))),
    "diff_prepend_append": (diff_prepend_append, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "diff_prepend_append_int": (diff_prepend_append, {}, lambda s, n: (_i(100, 3 * n, seed=s),)),
    "diff_second_order": (diff_second_order, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "central_difference_matrix": (central_difference_matrix, {}, lambda s, n: (n + 2,)),
    "second_derivative_matrix": (second_derivative_matrix, {}, lambda s, n: (n + 2, 0.1 * s)),
    "poisson_1d_direct": (poisson_1d_direct, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "poisson_2d_kron": (poisson_2d_kron, {}, lambda s, n: (_f(n, n, seed=s),)),
    "five_point_stencil_index": (five_point_stencil_index, {}, lambda s, n: (n,)),
    "cfl_timestep": (cfl_timestep, {}, lambda s, n: (_grid(s, n), _grid(s + 1, n), 0.1, 0.2)),
    "advection_diffusion_2d": (advection_diffusion_2d, {}, lambda s, n: (np.abs(_grid(s, n)),)),
    "fd_reaction_diffusion": (fd_reaction_diffusion, {}, lambda s, n: (1 - 0.1 * np.abs(_grid(s, n)), 0.1 * np.abs(_grid(s + 1, n)))),
    "shallow_water_1d": (shallow_water_1d, {}, lambda s, n: (1 + 0.1 * _bump(s, 8 * n),)),
    "nonuniform_grid_derivative": (nonuniform_grid_derivative, {}, lambda s, n: (_xs(s, 3 * n), _f(3 * n, seed=s))),
    "staggered_grid_velocity": (staggered_grid_velocity, {}, lambda s, n: (_grid(s, n),)),
    "cell_to_face_average": (cell_to_face_average, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "fv_diffusion_variable_k": (fv_diffusion_variable_k, {}, lambda s, n: (_bump(s, 8 * n), _f(8 * n, positive=True, seed=s))),
    "spectral_derivative": (spectral_derivative, {}, lambda s, n: (np.sin(np.linspace(0, 2 * np.pi, 4 * n, endpoint=False) * s),)),
    "fd_convergence_table": (fd_convergence_table, {}, lambda s, n: (_f(n, seed=s),)),
}


# ---------------------------------------------------------------- computational geometry


def shoelace_area(x, y):
    return 0.5 * np.abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


def shoelace_signed(P):
    x, y = P[:, 0], P[:, 1]
    return 0.5 * np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]) + 0.5 * (x[-1] * y[0] - x[0] * y[-1])


def polygon_centroid(P):
    x, y = P[:, 0], P[:, 1]
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    cross = x * yn - xn * y
    A = cross.sum() / 2
    cx = ((x + xn) * cross).sum() / (6 * A)
    cy = ((y + yn) * cross).sum() / (6 * A)
    return np.array([cx, cy]), A


def polygon_perimeter(P):
    return np.sum(np.linalg.norm(np.diff(np.vstack([P, P[:1]]), axis=0), axis=1))


def is_clockwise(P):
    return np.sum((P[1:, 0] - P[:-1, 0]) * (P[1:, 1] + P[:-1, 1])) > 0


def point_in_polygon(pts, poly):
    x, y = pts[:, 0], pts[:, 1]
    inside = np.zeros(len(pts), dtype=bool)
    n = len(poly)
    j = n - 1
    for i in range(n):
        xi, yi = poly[i]
        xj, yj = poly[j]
        crosses = ((yi > y) != (yj > y)) & (x < (xj - xi) * (y - yi) / (yj - yi) + xi)
        inside ^= crosses
        j = i
    return inside


def point_in_polygon_broadcast(pts, poly):
    p1 = poly
    p2 = np.roll(poly, -1, axis=0)
    x, y = pts[:, 0:1], pts[:, 1:2]
    cond = (p1[:, 1] > y) != (p2[:, 1] > y)
    xint = (p2[:, 0] - p1[:, 0]) * (y - p1[:, 1]) / (p2[:, 1] - p1[:, 1]) + p1[:, 0]
    return np.sum(cond & (x < xint), axis=1) % 2 == 1


def winding_number(pts, poly):
    d = poly[None, :, :] - pts[:, None, :]
    a = np.arctan2(d[..., 1], d[..., 0])
    da = np.diff(np.concatenate([a, a[:, :1]], axis=1), axis=1)
    da = (da + np.pi) % (2 * np.pi) - np.pi
    return np.round(da.sum(axis=1) / (2 * np.pi)).astype(int)


def point_in_triangle(p, a, b, c):
    def sign(p1, p2, p3):
        return ((p1[..., 0] - p3[..., 0]) * (p2[..., 1] - p3[..., 1])
                - (p2[..., 0] - p3[..., 0]) * (p1[..., 1] - p3[..., 1]))
    d1, d2, d3 = sign(p, a, b), sign(p, b, c), sign(p, c, a)
    has_neg = (d1 < 0) | (d2 < 0) | (d3 < 0)
    has_pos = (d1 > 0) | (d2 > 0) | (d3 > 0)
    return ~(has_neg & has_pos)


def cross2d(o, a, b):
    return ((a[..., 0] - o[..., 0]) * (b[..., 1] - o[..., 1])
            - (a[..., 1] - o[..., 1]) * (b[..., 0] - o[..., 0]))


def orientation_tests(P):
    o = cross2d(P[:-2], P[1:-1], P[2:])
    return np.sign(o).astype(np.int8), (o > 0).sum(), (o < 0).sum()


def angle_sort_about_centroid(P):
    c = P.mean(axis=0)
    ang = np.arctan2(P[:, 1] - c[1], P[:, 0] - c[0])
    order = np.argsort(ang)
    return P[order], order


def graham_presort(P):
    i0 = np.lexsort((P[:, 0], P[:, 1]))[0]
    p0 = P[i0]
    d = P - p0
    ang = np.arctan2(d[:, 1], d[:, 0])
    dist = np.hypot(d[:, 0], d[:, 1])
    order = np.lexsort((dist, ang))
    return order, ang[order]


def monotone_chain_hull(P):
    P = P[np.lexsort((P[:, 1], P[:, 0]))]
    lower = []
    for p in P:
        while len(lower) >= 2 and cross2d(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    return np.array(lower)


def extreme_points(P):
    return {"left": P[P[:, 0].argmin()], "right": P[np.argmax(P[:, 0])],
            "bottom": P[P[:, 1].argmin()], "top": P[P[:, 1].argmax()]}


def farthest_from_line(P, a, b):
    ab = b - a
    d = np.abs(ab[0] * (P[:, 1] - a[1]) - ab[1] * (P[:, 0] - a[0])) / np.linalg.norm(ab)
    i = np.argmax(d)
    return i, d[i], P[i]


def hull_area_given_indices(P, hull_idx):
    H = P[hull_idx]
    return shoelace_area(H[:, 0], H[:, 1])


def segment_intersection(p1, p2, p3, p4):
    d1 = p2 - p1
    d2 = p4 - p3
    denom = d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0]
    w = p3 - p1
    t = (w[:, 0] * d2[:, 1] - w[:, 1] * d2[:, 0]) / denom
    u = (w[:, 0] * d1[:, 1] - w[:, 1] * d1[:, 0]) / denom
    hit = (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
    pt = p1 + t[:, None] * d1
    return hit, np.where(hit[:, None], pt, np.nan)


def segments_intersect_ccw(A, B, C, D):
    def ccw(a, b, c):
        return (c[:, 1] - a[:, 1]) * (b[:, 0] - a[:, 0]) > (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    return (ccw(A, C, D) != ccw(B, C, D)) & (ccw(A, B, C) != ccw(A, B, D))


def all_pairs_segment_intersections(S):
    p, q = S[:, 0], S[:, 1]
    r = q - p
    rxs = r[:, None, 0] * r[None, :, 1] - r[:, None, 1] * r[None, :, 0]
    qp = p[None, :, :] - p[:, None, :]
    t = (qp[..., 0] * r[None, :, 1] - qp[..., 1] * r[None, :, 0]) / rxs
    u = (qp[..., 0] * r[:, None, 1] - qp[..., 1] * r[:, None, 0]) / rxs
    hit = (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
    iu = np.triu_indices(len(S), k=1)
    return hit[iu], hit[iu].sum()


def line_line_intersection_homogeneous(l1, l2):
    p = np.cross(l1, l2)
    return p[:, :2] / p[:, 2:3]


def point_segment_distance(P, a, b):
    ab = b - a
    t = np.clip(((P - a) @ ab) / (ab @ ab), 0.0, 1.0)
    proj = a + t[:, None] * ab
    return np.linalg.norm(P - proj, axis=1), t


def point_polyline_distance(P, L):
    A, B = L[:-1], L[1:]
    AB = B - A
    AP = P[:, None, :] - A[None]
    t = np.clip(np.einsum("ijk,jk->ij", AP, AB) / np.einsum("jk,jk->j", AB, AB), 0, 1)
    closest = A[None] + t[..., None] * AB[None]
    d = np.linalg.norm(P[:, None] - closest, axis=-1)
    return d.min(axis=1), d.argmin(axis=1)


def polyline_length(P):
    return np.sum(np.sqrt(np.sum(np.diff(P, axis=0) ** 2, axis=1)))


def polyline_cumulative_length(P):
    seg = np.linalg.norm(P[1:] - P[:-1], axis=1)
    return np.concatenate([[0.0], np.cumsum(seg)])


def resample_polyline(P, n_out=10):
    s = np.r_[0, np.cumsum(np.hypot(*np.diff(P, axis=0).T))]
    t = np.linspace(0, s[-1], n_out)
    return np.column_stack([np.interp(t, s, P[:, 0]), np.interp(t, s, P[:, 1])])


def resample_polyline_3d(P, spacing=0.5):
    d = np.linalg.norm(np.diff(P, axis=0), axis=1)
    s = np.insert(np.cumsum(d), 0, 0.0)
    t = np.linspace(0, s[-1], 12)
    return np.stack([np.interp(t, s, P[:, k]) for k in range(P.shape[1])], axis=1), s[-1] / spacing


def douglas_peucker_distances(P):
    a, b = P[0], P[-1]
    ab = b - a
    d = np.abs(np.cross(ab, P - a)) / np.linalg.norm(ab)
    return d, d.argmax()


def turning_angles(P):
    v = np.diff(P, axis=0)
    ang = np.arctan2(v[:, 1], v[:, 0])
    turn = np.diff(ang)
    turn = (turn + np.pi) % (2 * np.pi) - np.pi
    return turn, np.degrees(np.abs(turn).sum())


def curvature_discrete(P):
    dx, dy = np.gradient(P[:, 0]), np.gradient(P[:, 1])
    ddx, ddy = np.gradient(dx), np.gradient(dy)
    return (dx * ddy - dy * ddx) / (dx ** 2 + dy ** 2) ** 1.5


def chaikin_smoothing(P, iterations=2):
    for _ in range(iterations):
        Q = 0.75 * P[:-1] + 0.25 * P[1:]
        R = 0.25 * P[:-1] + 0.75 * P[1:]
        P = np.empty((2 * len(Q), P.shape[1]))
        P[0::2] = Q
        P[1::2] = R
    return P


def haversine(lat1, lon1, lat2, lon2, R=6371.0):
    lat1, lon1, lat2, lon2 = map(np.radians, [lat1, lon1, lat2, lon2])
    dlat = lat2 - lat1
    dlon = lon2 - lon1
    a = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * R * np.arcsin(np.sqrt(a))


def haversine_matrix(lat, lon):
    phi = np.deg2rad(lat)
    lam = np.deg2rad(lon)
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return 6371e3 * 2 * np.arctan2(np.sqrt(a), np.sqrt(1 - a))


def great_circle_vincenty(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    num = np.sqrt((np.cos(p2) * np.sin(dl)) ** 2
                  + (np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)) ** 2)
    den = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dl)
    return np.arctan2(num, den)


def spherical_law_of_cosines(lat1, lon1, lat2, lon2):
    a = np.sin(np.radians(lat1)) * np.sin(np.radians(lat2))
    b = np.cos(np.radians(lat1)) * np.cos(np.radians(lat2)) * np.cos(np.radians(lon2 - lon1))
    return np.degrees(np.arccos(np.clip(a + b, -1, 1)))


def initial_bearing(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    x = np.sin(dl) * np.cos(p2)
    y = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return (np.degrees(np.arctan2(x, y)) + 360) % 360


def latlon_to_ecef(lat, lon, h=0.0):
    a, e2 = 6378137.0, 6.69437999014e-3
    phi, lam = np.radians(lat), np.radians(lon)
    N = a / np.sqrt(1 - e2 * np.sin(phi) ** 2)
    return np.column_stack([(N + h) * np.cos(phi) * np.cos(lam),
                            (N + h) * np.cos(phi) * np.sin(lam), (N * (1 - e2) + h) * np.sin(phi)])


def track_length_km(lat, lon):
    return haversine(lat[:-1], lon[:-1], lat[1:], lon[1:]).sum()


def equirectangular_projection(lat, lon, lat0=45.0):
    x = np.radians(lon) * np.cos(np.radians(lat0)) * 6371
    y = np.radians(lat) * 6371
    return np.stack((x, y), axis=-1)


def nearest_city(lat, lon, city_lat, city_lon):
    d = haversine(lat[:, None], lon[:, None], city_lat[None, :], city_lon[None, :])
    return d.argmin(axis=1), d.min(axis=1)


def rotate_2d(P, theta):
    c, s = np.cos(theta), np.sin(theta)
    R = np.array([[c, -s], [s, c]])
    return P @ R.T


def rotate_about_point(P, theta, center):
    R = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    return (P - center) @ R.T + center


def rotation_matrix_axis_angle(axis, angle):
    axis = axis / np.linalg.norm(axis)
    K = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K


def rotate_points_rodrigues(P, k, theta):
    k = k / np.linalg.norm(k)
    return (P * np.cos(theta) + np.cross(k, P) * np.sin(theta)
            + np.outer(P @ k, k) * (1 - np.cos(theta)))


def kabsch(P, Q):
    Pc, Qc = P - P.mean(0), Q - Q.mean(0)
    H = Pc.T @ Qc
    U, S, Vt = np.linalg.svd(H)
    d = np.sign(np.linalg.det(Vt.T @ U.T))
    D = np.diag([1.0, 1.0, d])
    R = Vt.T @ D @ U.T
    return R, np.sqrt(((Pc @ R.T - Qc) ** 2).sum(1).mean())


def procrustes_2d(A, B):
    a, b = A - A.mean(0), B - B.mean(0)
    num = np.sum(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0])
    den = np.sum(a[:, 0] * b[:, 0] + a[:, 1] * b[:, 1])
    theta = np.arctan2(num, den)
    scale = np.sqrt((b ** 2).sum() / (a ** 2).sum())
    return theta, scale


def affine_fit_lstsq(src, dst):
    A = np.hstack([src, np.ones((len(src), 1))])
    M, res, rank, sv = np.linalg.lstsq(A, dst, rcond=None)
    return M.T, rank


def pairwise_distances(P):
    diff = P[:, np.newaxis, :] - P[np.newaxis, :, :]
    return np.sqrt(np.sum(diff ** 2, axis=-1))


def pairwise_triu(P):
    i, j = np.triu_indices(len(P), k=1)
    d = np.linalg.norm(P[i] - P[j], axis=1)
    return d, i[d.argmin()], j[d.argmin()]


def closest_pair_brute(P):
    D = np.sqrt(((P[:, None] - P[None]) ** 2).sum(-1))
    D[np.diag_indices_from(D)] = np.inf
    k = np.argmin(D)
    i, j = np.unravel_index(k, D.shape)
    return D.min(), min(i, j), max(i, j)


def pairwise_condensed_loop(P):
    n = len(P)
    out = np.empty(n * (n - 1) // 2)
    k = 0
    for i in range(n - 1):
        for j in range(i + 1, n):
            out[k] = np.sqrt(((P[i] - P[j]) ** 2).sum())
            k += 1
    return out


def squareform_from_condensed(d, n):
    D = np.zeros((n, n))
    D[np.triu_indices(n, 1)] = d
    return D + D.T


def diameter_and_radius(P):
    D = np.linalg.norm(P[:, None] - P[None], axis=-1)
    ecc = D.max(axis=1)
    return ecc.max(), ecc.min(), ecc.argmin()


def knn_indices(P, k=3):
    D = ((P[:, None, :] - P[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(D, np.inf)
    idx = np.argsort(D, axis=1)[:, :k]
    return idx, np.take_along_axis(D, idx, axis=1)


def radius_neighbors_count(P, r=0.8):
    D = np.linalg.norm(P[:, None] - P[None], axis=2)
    return (D < r).sum(axis=1) - 1


def triangle_circumcenter(A, B, C):
    a, b = A - C, B - C
    a2, b2 = (a ** 2).sum(-1), (b ** 2).sum(-1)
    cr = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    ux = (a2 * b[..., 1] - b2 * a[..., 1]) / (2 * cr)
    uy = (b2 * a[..., 0] - a2 * b[..., 0]) / (2 * cr)
    center = C + np.stack([ux, uy], -1)
    return center, np.hypot(ux, uy)


def incircle_test(a, b, c, d):
    rows = [np.stack([p[:, 0] - d[:, 0], p[:, 1] - d[:, 1], ((p - d) ** 2).sum(1)], 1)
            for p in (a, b, c)]
    return np.linalg.det(np.stack(rows, axis=1)) > 0


def triangle_angles_2d(T):
    a = np.linalg.norm(T[:, 1] - T[:, 2], axis=1)
    b = np.linalg.norm(T[:, 0] - T[:, 2], axis=1)
    c = np.linalg.norm(T[:, 0] - T[:, 1], axis=1)
    A = np.arccos((b ** 2 + c ** 2 - a ** 2) / (2 * b * c))
    B = np.arccos((a ** 2 + c ** 2 - b ** 2) / (2 * a * c))
    return np.degrees(np.stack([A, B, np.pi - A - B], axis=1))


def bbox_iou(a, b):
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def aabb_overlap(lo1, hi1, lo2, hi2):
    return np.all((lo1[:, None, :] <= hi2[None, :, :]) & (lo2[None, :, :] <= hi1[:, None, :]),
                  axis=-1)


def points_in_box_count(P, lo, hi):
    inside = np.all((P >= lo) & (P <= hi), axis=1)
    return inside, np.count_nonzero(inside), P[inside].mean(axis=0)


def grid_hash_cells(P, cell=0.5, nx=8):
    ij = np.floor(P / cell).astype(np.int64) + nx // 2
    ij = np.clip(ij, 0, nx - 1)
    key = ij[:, 0] * nx + ij[:, 1]
    counts = np.bincount(key, minlength=nx * nx).reshape(nx, nx)
    order = np.argsort(key, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts.ravel())[:-1]])
    return counts, order, starts


def polygon_edge_normals(P):
    E = np.roll(P, -1, axis=0) - P
    N = np.column_stack([E[:, 1], -E[:, 0]])
    return N / np.linalg.norm(N, axis=1, keepdims=True)


def regular_polygon(n, r=1.0, phase=0.0):
    t = phase + 2 * np.pi * np.arange(n) / n
    return np.c_[r * np.cos(t), r * np.sin(t)]


def minkowski_sum_convex(A, B):
    S = (A[:, None, :] + B[None, :, :]).reshape(-1, 2)
    c = S.mean(0)
    return S[np.argsort(np.arctan2(S[:, 1] - c[1], S[:, 0] - c[0]))]


def sutherland_hodgman_halfplane(P, n, d):
    s = P @ n - d
    return np.where(s[:, None] <= 0, P, P - s[:, None] * n / (n @ n)), (s <= 0).all()


def sphere_fibonacci(n):
    i = np.arange(n) + 0.5
    phi = np.arccos(1 - 2 * i / n)
    theta = np.pi * (1 + 5 ** 0.5) * i
    return np.stack([np.cos(theta) * np.sin(phi), np.sin(theta) * np.sin(phi), np.cos(phi)], axis=1)


def cartesian_to_spherical(P):
    r = np.linalg.norm(P, axis=-1)
    theta = np.arccos(np.clip(P[:, 2] / r, -1, 1))
    phi = np.arctan2(P[:, 1], P[:, 0])
    return np.column_stack((r, theta, phi))


def slerp(q0, q1, t):
    q0 = q0 / np.linalg.norm(q0)
    q1 = q1 / np.linalg.norm(q1)
    dot = np.dot(q0, q1)
    q1 = np.where(dot < 0, -q1, q1)
    dot = np.abs(dot)
    omega = np.arccos(np.clip(dot, -1, 1))
    so = np.sin(omega)
    return (np.sin((1 - t) * omega)[:, None] * q0 + np.sin(t * omega)[:, None] * q1) / so


def quaternion_rotate(q, v):
    w, x, y, z = q
    R = np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                  [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                  [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
    return v @ R.T


def tetra_volumes(V, T):
    a, b, c, d = (V[T[:, k]] for k in range(4))
    return np.abs(np.einsum("ij,ij->i", b - a, np.cross(c - a, d - a))) / 6


def tetra_volume_det(V, T):
    M = V[T[:, 1:]] - V[T[:, :1]]
    return np.linalg.det(M) / 6.0


def _poly(s, n):
    t = np.sort(np.random.default_rng(s).uniform(0, 2 * np.pi, n))
    r = 1 + 0.3 * np.random.default_rng(s + 1).random(n)
    return np.column_stack([r * np.cos(t), r * np.sin(t)])


def _lat(s, n):
    r = np.random.default_rng(s)
    return r.uniform(-80, 80, n), r.uniform(-180, 180, n)


def _boxes(s, n):
    r = np.random.default_rng(s)
    lo = r.random((n, 2))
    return np.hstack([lo, lo + 0.1 + r.random((n, 2))])


GEOMETRY = {
    "shoelace_area": (shoelace_area, {}, lambda s, n: tuple(_poly(s, n + 3).T)),
    "shoelace_signed": (shoelace_signed, {}, lambda s, n: (_poly(s, n + 3),)),
    "polygon_centroid": (polygon_centroid, {}, lambda s, n: (_poly(s, n + 3),)),
    "polygon_perimeter": (polygon_perimeter, {}, lambda s, n: (_poly(s, n + 3),)),
    "is_clockwise": (is_clockwise, {}, lambda s, n: (_poly(s, n + 3)[::(-1) ** s],)),
    "point_in_polygon": (point_in_polygon, {}, lambda s, n: (2 * _f(5 * n, 2, seed=s), _poly(s, 7))),
    "point_in_polygon_broadcast": (point_in_polygon_broadcast, {}, lambda s, n: (2 * _f(5 * n, 2, seed=s), _poly(s, n + 3))),
    "winding_number": (winding_number, {}, lambda s, n: (_f(5 * n, 2, seed=s), _poly(s, n + 3))),
    "point_in_triangle": (point_in_triangle, {}, lambda s, n: (np.random.default_rng(s).random((n, 2)), np.array([0.0, 0]), np.array([1.0, 0]), np.array([0.2, 0.9]))),
    "orientation_tests": (orientation_tests, {}, lambda s, n: (_f(3 * n, 2, seed=s),)),
    "angle_sort_about_centroid": (angle_sort_about_centroid, {}, lambda s, n: (_f(3 * n, 2, seed=s),)),
    "graham_presort": (graham_presort, {}, lambda s, n: (_f(3 * n, 2, seed=s),)),
    "extreme_points": (extreme_points, {}, lambda s, n: (_f(3 * n, 2, seed=s),)),
    "farthest_from_line": (farthest_from_line, {}, lambda s, n: (_f(3 * n, 2, seed=s), np.array([-1.0, 0]), np.array([1.0, 0.2]))),
    "hull_area_given_indices": (hull_area_given_indices, {}, lambda s, n: (_poly(s, 3 * n), np.arange(0, 3 * n, 2))),
    "segment_intersection": (segment_intersection, {}, lambda s, n: tuple(_f(4, n, 2, seed=s))),
    "segments_intersect_ccw": (segments_intersect_ccw, {}, lambda s, n: tuple(_f(4, n, 2, seed=s))),
    "all_pairs_segment_intersections": (all_pairs_segment_intersections, {}, lambda s, n: (_f(n, 2, 2, seed=s),)),
    "line_line_intersection_homogeneous": (line_line_intersection_homogeneous, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "point_segment_distance": (point_segment_distance, {}, lambda s, n: (_f(n, 2, seed=s), np.array([0.0, 0]), np.array([1.0, 0.5]))),
    "point_polyline_distance": (point_polyline_distance, {}, lambda s, n: (_f(n, 2, seed=s), np.cumsum(_f(6, 2, seed=s + 1), axis=0))),
    "polyline_length": (polyline_length, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "polyline_cumulative_length": (polyline_cumulative_length, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "resample_polyline": (resample_polyline, {}, lambda s, n: (np.cumsum(_f(n, 2, positive=True, seed=s), axis=0),)),
    "resample_polyline_3d": (resample_polyline_3d, {}, lambda s, n: (np.cumsum(_f(n, 3, positive=True, seed=s), axis=0),)),
    "douglas_peucker_distances": (douglas_peucker_distances, {}, lambda s, n: (np.cumsum(_f(n, 2, positive=True, seed=s), axis=0),)),
    "turning_angles": (turning_angles, {}, lambda s, n: (_f(n + 2, 2, seed=s),)),
    "curvature_discrete": (curvature_discrete, {}, lambda s, n: (_poly(s, 3 * n),)),
    "chaikin_smoothing": (chaikin_smoothing, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "haversine": (haversine, {}, lambda s, n: _lat(s, n) + _lat(s + 1, n)),
    "haversine_float32": (haversine, {}, lambda s, n: tuple(a.astype(np.float32) for a in _lat(s, n) + _lat(s + 1, n))),
    "haversine_matrix": (haversine_matrix, {}, lambda s, n: _lat(s, n)),
    "great_circle_vincenty": (great_circle_vincenty, {}, lambda s, n: _lat(s, n) + _lat(s + 1, n)),
    "spherical_law_of_cosines": (spherical_law_of_cosines, {}, lambda s, n: _lat(s, n) + _lat(s + 1, n)),
    "initial_bearing": (initial_bearing, {}, lambda s, n: _lat(s, n) + _lat(s + 1, n)),
    "latlon_to_ecef": (latlon_to_ecef, {}, lambda s, n: _lat(s, n) + (_f(n, positive=True, seed=s) * 100,)),
    "track_length_km": (track_length_km, {}, lambda s, n: _lat(s, n)),
    "equirectangular_projection": (equirectangular_projection, {}, lambda s, n: _lat(s, n)),
    "nearest_city": (nearest_city, {}, lambda s, n: _lat(s, n) + _lat(s + 9, 5)),
    "rotate_2d": (rotate_2d, {}, lambda s, n: (_f(n, 2, seed=s), 0.3 * s)),
    "rotate_about_point": (rotate_about_point, {}, lambda s, n: (_f(n, 2, seed=s), 0.3 * s, np.array([1.0, -2.0]))),
    "rotation_matrix_axis_angle": (rotation_matrix_axis_angle, {}, lambda s, n: (_f(3, seed=s + n), 0.7)),
    "rotate_points_rodrigues": (rotate_points_rodrigues, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, seed=s + 1), 1.1)),
    "kabsch": (kabsch, {}, lambda s, n: (_f(2 * n, 3, seed=s), _f(2 * n, 3, seed=s) @ _rot(s) + 0.01 * _f(2 * n, 3, seed=s + 1))),
    "procrustes_2d": (procrustes_2d, {}, lambda s, n: (_f(n, 2, seed=s), _f(n, 2, seed=s + 1))),
    "affine_fit_lstsq": (affine_fit_lstsq, {}, lambda s, n: (_f(2 * n, 2, seed=s), _f(2 * n, 2, seed=s + 1))),
    "pairwise_distances": (pairwise_distances, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "pairwise_triu": (pairwise_triu, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "closest_pair_brute": (closest_pair_brute, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "pairwise_condensed_loop": (pairwise_condensed_loop, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "squareform_from_condensed": (squareform_from_condensed, {}, lambda s, n: (_f(n * (n - 1) // 2, seed=s), n)),
    "diameter_and_radius": (diameter_and_radius, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "knn_indices": (knn_indices, {}, lambda s, n: (_f(2 * n, 2, seed=s),)),
    "radius_neighbors_count": (radius_neighbors_count, {}, lambda s, n: (_f(2 * n, 2, seed=s),)),
    "triangle_circumcenter": (triangle_circumcenter, {}, lambda s, n: tuple(_f(3, n, 2, seed=s))),
    "incircle_test": (incircle_test, {}, lambda s, n: tuple(_f(4, n, 2, seed=s))),
    "triangle_angles_2d": (triangle_angles_2d, {}, lambda s, n: (_f(n, 3, 2, seed=s),)),
    "bbox_iou": (bbox_iou, {}, lambda s, n: (_boxes(s, n), _boxes(s + 1, 3))),
    "aabb_overlap": (aabb_overlap, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s) + 1, _f(4, 3, seed=s + 1), _f(4, 3, seed=s + 1) + 0.5)),
    "points_in_box_count": (points_in_box_count, {}, lambda s, n: (_f(5 * n, 2, seed=s), np.array([-1.0, -1]), np.array([1.0, 1]))),
    "grid_hash_cells": (grid_hash_cells, {}, lambda s, n: (_f(5 * n, 2, seed=s),)),
    "polygon_edge_normals": (polygon_edge_normals, {}, lambda s, n: (_poly(s, n + 3),)),
    "regular_polygon": (regular_polygon, {}, lambda s, n: (n, 2.0, 0.1)),
    "minkowski_sum_convex": (minkowski_sum_convex, {}, lambda s, n: (_poly(s, n), _poly(s + 1, 3) * 0.3)),
    "sutherland_hodgman_halfplane": (sutherland_hodgman_halfplane, {}, lambda s, n: (_poly(s, n + 3), np.array([1.0, 0.5]), 0.2)),
    "sphere_fibonacci": (sphere_fibonacci, {}, lambda s, n: (4 * n,)),
    "cartesian_to_spherical": (cartesian_to_spherical, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "slerp": (slerp, {}, lambda s, n: (_f(4, seed=s), _f(4, seed=s + 1), np.linspace(0, 1, n))),
    "quaternion_rotate": (quaternion_rotate, {}, lambda s, n: (_unit4(s), _f(n, 3, seed=s))),
    "tetra_volumes": (tetra_volumes, {}, lambda s, n: (_f(10, 3, seed=s), _i(10, n, 4, seed=s))),
    "tetra_volume_det": (tetra_volume_det, {}, lambda s, n: (_f(10, 3, seed=s), _i(10, n, 4, seed=s))),
}


def _unit4(s):
    q = _f(4, seed=s)
    return q / np.linalg.norm(q)


# ---------------------------------------------------------------------- sparse matrices by hand


def coo_to_dense(rows, cols, vals, shape):
    A = np.zeros(shape)
    np.add.at(A, (rows, cols), vals)
    return A


def coo_to_dense_assign(rows, cols, vals, n):
    A = np.zeros((n, n), dtype=vals.dtype)
    A[rows, cols] = vals
    return A


def coo_to_csr(rows, cols, vals, n_rows):
    order = np.argsort(rows, kind="stable")
    r, c, v = rows[order], cols[order], vals[order]
    counts = np.bincount(r, minlength=n_rows)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(counts)
    return indptr, c, v


def coo_to_csr_lexsort(rows, cols, vals, n_rows):
    order = np.lexsort((cols, rows))
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n_rows))))
    return indptr, cols[order], vals[order]


def coo_to_csr_searchsorted(rows, cols, vals, n_rows):
    order = np.argsort(rows, kind="mergesort")
    r = rows[order]
    indptr = np.searchsorted(r, np.arange(n_rows + 1))
    return indptr, cols[order], vals[order]


def coo_to_csr_loop(rows, cols, vals, n_rows):
    nnz = len(vals)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    for k in range(nnz):
        indptr[rows[k] + 1] += 1
    indptr = np.cumsum(indptr)
    indices = np.empty(nnz, dtype=np.int64)
    data = np.empty(nnz)
    fill = indptr[:-1].copy()
    for k in range(nnz):
        r = rows[k]
        indices[fill[r]] = cols[k]
        data[fill[r]] = vals[k]
        fill[r] += 1
    return indptr, indices, data


def csr_to_dense(indptr, indices, data, n_cols):
    n = len(indptr) - 1
    A = np.zeros((n, n_cols))
    row = np.repeat(np.arange(n), np.diff(indptr))
    A[row, indices] = data
    return A


def csr_to_dense_loop(indptr, indices, data, n_cols):
    n = len(indptr) - 1
    A = np.zeros((n, n_cols))
    for i in range(n):
        for k in range(indptr[i], indptr[i + 1]):
            A[i, indices[k]] += data[k]
    return A


def csr_matvec_reduceat(indptr, indices, data, x):
    prod = data * x[indices]
    out = np.add.reduceat(prod, indptr[:-1])
    return np.where(np.diff(indptr) > 0, out, 0.0)


def csr_matvec_bincount(indptr, indices, data, x):
    n = len(indptr) - 1
    row = np.repeat(np.arange(n), np.diff(indptr))
    return np.bincount(row, weights=data * x[indices], minlength=n)


def csr_row_ids(indptr, nnz):
    return np.searchsorted(indptr, np.arange(nnz), side="right") - 1


def csr_row_ids_marker(indptr, nnz):
    marker = np.zeros(nnz + 1, dtype=np.int64)
    np.add.at(marker, indptr[1:-1], 1)
    return np.cumsum(marker)[:-1]


def csr_matvec_add_at(indptr, indices, data, x):
    n = indptr.shape[0] - 1
    row_ids = csr_row_ids_marker(indptr, len(data))
    y = np.zeros(n)
    np.add.at(y, row_ids, data * x[indices])
    return y


def csr_matvec_row_ids(indptr, indices, data, x):
    row = csr_row_ids(indptr, len(data))
    return np.bincount(row, weights=data * x[indices], minlength=len(indptr) - 1)


def csr_matvec_cumsum(indptr, indices, data, x):
    c = np.concatenate([[0.0], np.cumsum(data * x[indices])])
    return c[indptr[1:]] - c[indptr[:-1]]


def csr_matvec_loop(indptr, indices, data, x):
    n = len(indptr) - 1
    y = np.zeros(n)
    for i in range(n):
        s, e = indptr[i], indptr[i + 1]
        y[i] = np.dot(data[s:e], x[indices[s:e]])
    return y


def csr_matmat(indptr, indices, data, X):
    n = len(indptr) - 1
    row = csr_row_ids(indptr, data.size)
    Y = np.zeros((n, X.shape[1]))
    np.add.at(Y, row, data[:, None] * X[indices])
    return Y


def csr_transpose_matvec(indptr, indices, data, y, n_cols):
    row = np.searchsorted(indptr, np.arange(len(indices)), side="right") - 1
    return np.bincount(indices, weights=data * y[row], minlength=n_cols)


def csr_row_sums_and_nnz(indptr, data):
    nnz = np.diff(indptr)
    sums = np.add.reduceat(data, indptr[:-1])
    return np.where(nnz > 0, sums, 0), nnz, nnz.max(), nnz.mean()


def csr_row_max(indptr, data):
    return np.maximum.reduceat(data, indptr[:-1])


def csr_diagonal(indptr, indices, data):
    n = len(indptr) - 1
    row = csr_row_ids(indptr, len(indices))
    on = indices == row
    d = np.zeros(n)
    np.add.at(d, row[on], data[on])
    return d


def csr_scale_rows(indptr, data, s):
    return data * np.repeat(s, np.diff(indptr))


def csr_normalize_rows(indptr, indices, data):
    n = len(indptr) - 1
    row = csr_row_ids_marker(indptr, len(data))
    norms = np.sqrt(np.bincount(row, weights=data ** 2, minlength=n))
    return data / norms[row]


def csc_from_coo(rows, cols, vals, n_cols):
    order = np.argsort(cols, kind="stable")
    counts = np.bincount(cols, minlength=n_cols)
    indptr = np.r_[0, counts.cumsum()]
    return indptr, rows[order], vals[order]


def coo_sum_duplicates(rows, cols, vals, n):
    key = rows * n + cols
    dense = np.bincount(key, weights=vals, minlength=n * n)
    return dense.reshape(n, n)


def coo_matvec(rows, cols, vals, x, n):
    y = np.zeros(n)
    np.add.at(y, rows, vals * x[cols])
    return y


def coo_matvec_bincount(rows, cols, vals, x, n):
    return np.bincount(rows, weights=vals * x[cols], minlength=n)


def coo_transpose(rows, cols, vals):
    return cols.copy(), rows.copy(), vals.copy()


def dense_to_coo_count(A):
    nz = A != 0
    return np.count_nonzero(A), nz.sum(axis=1), nz.mean()


def sparse_density_stats(rows, cols, n):
    deg_out = np.bincount(rows, minlength=n)
    deg_in = np.bincount(cols, minlength=n)
    return deg_out, deg_in, len(rows) / (n * n)


def graph_laplacian_from_edges(edges, n, w):
    L = np.zeros((n, n))
    i, j = edges[:, 0], edges[:, 1]
    np.add.at(L, (i, j), -w)
    np.add.at(L, (j, i), -w)
    np.add.at(L, (i, i), w)
    np.add.at(L, (j, j), w)
    return L


def graph_laplacian_dense(A):
    d = A.sum(axis=1)
    return np.diag(d) - A


def normalized_laplacian(A):
    d = A.sum(1)
    dinv = np.where(d > 0, 1 / np.sqrt(np.where(d > 0, d, 1)), 0)
    return np.eye(len(A)) - dinv[:, None] * A * dinv[None, :]


def random_walk_matrix(A):
    deg = A.sum(axis=1, keepdims=True)
    deg[deg == 0] = 1
    return A / deg


def laplacian_eigenmap(A, k=2):
    L = np.diag(A.sum(1)) - A
    w, V = np.linalg.eigh(L)
    return w[:k + 1], np.abs(V[:, 1:k + 1])


def fiedler_partition(A):
    L = np.diag(A.sum(1)) - A
    w, V = np.linalg.eigh(L)
    f = V[:, 1] * np.sign(V[0, 1])
    return f > 0, w[1]


def incidence_matrix(edges, n):
    m = len(edges)
    B = np.zeros((n, m))
    B[edges[:, 0], np.arange(m)] = 1
    B[edges[:, 1], np.arange(m)] = -1
    return B, B @ B.T


def edge_list_degrees(edges, n):
    deg = np.bincount(edges.ravel(), minlength=n)
    return deg, deg.argmax(), np.bincount(deg, minlength=2 * n)


def power_iteration_csr(indptr, indices, data, x0, iters=30):
    n = len(indptr) - 1
    row = np.searchsorted(indptr, np.arange(len(data)), side="right") - 1
    x = x0 / np.linalg.norm(x0)
    lam = 0.0
    for _ in range(iters):
        y = np.bincount(row, weights=data * x[indices], minlength=n)
        lam = x @ y
        x = y / np.linalg.norm(y)
    return lam, x


def power_iteration_coo(rows, cols, vals, n, iters=25):
    x = np.ones(n) / np.sqrt(n)
    for _ in range(iters):
        y = np.zeros(n)
        np.add.at(y, rows, vals * x[cols])
        x = y / np.linalg.norm(y)
    return x, x @ coo_matvec(rows, cols, vals, x, n)


def pagerank_edges(src, dst, n, d=0.85, iters=20):
    out_deg = np.bincount(src, minlength=n).astype(float)
    r = np.full(n, 1.0 / n)
    dangling = out_deg == 0
    for _ in range(iters):
        contrib = r[src] / out_deg[src]
        r_new = np.bincount(dst, weights=contrib, minlength=n)
        r = (1 - d) / n + d * (r_new + r[dangling].sum() / n)
    return r


def jacobi_csr(indptr, indices, data, b, iters=20):
    n = len(b)
    row = np.digitize(np.arange(len(data)), indptr[1:], right=False)
    diag = np.zeros(n)
    on = row == indices
    diag[row[on]] = data[on]
    off = np.where(on, 0.0, data)
    x = np.zeros(n)
    for _ in range(iters):
        x = (b - np.bincount(row, weights=off * x[indices], minlength=n)) / diag
    return x


def cg_coo(rows, cols, vals, b, iters=8):
    n = len(b)
    mv = lambda v: np.bincount(rows, weights=vals * v[cols], minlength=n)
    x = np.zeros(n)
    r = b - mv(x)
    p = r.copy()
    rr = r.dot(r)
    for _ in range(iters):
        Ap = mv(p)
        a = rr / p.dot(Ap)
        x = x + a * p
        r = r - a * Ap
        rr2 = r.dot(r)
        p = r + rr2 / rr * p
        rr = rr2
    return x


def tridiagonal_csr(n, a=-1.0, b=2.0):
    rows = np.concatenate([np.arange(n), np.arange(n - 1), np.arange(1, n)])
    cols = np.concatenate([np.arange(n), np.arange(1, n), np.arange(n - 1)])
    vals = np.concatenate([np.full(n, b), np.full(n - 1, a), np.full(n - 1, a)])
    order = np.lexsort((cols, rows))
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=n))]
    return indptr, cols[order], vals[order]


def laplacian_2d_coo(nx):
    idx = np.arange(nx * nx).reshape(nx, nx)
    r, c = [idx.ravel()], [idx.ravel()]
    v = [np.full(nx * nx, 4.0)]
    for a, b in ((idx[:, :-1], idx[:, 1:]), (idx[:-1, :], idx[1:, :])):
        r += [a.ravel(), b.ravel()]
        c += [b.ravel(), a.ravel()]
        v += [-np.ones(a.size), -np.ones(a.size)]
    return np.concatenate(r), np.concatenate(c), np.concatenate(v)


def sparse_spmv_ell(cols_ell, vals_ell, x):
    return (vals_ell * x[cols_ell]).sum(axis=1)


def csr_to_ell(indptr, indices, data, width):
    n = len(indptr) - 1
    cols = np.zeros((n, width), dtype=indices.dtype)
    vals = np.zeros((n, width))
    for i in range(n):
        s, e = indptr[i], indptr[i + 1]
        cols[i, :e - s] = indices[s:e]
        vals[i, :e - s] = data[s:e]
    return cols, vals


def dia_matvec(offsets, diags, x):
    n = len(x)
    y = np.zeros(n)
    for k, off in enumerate(offsets):
        if off >= 0:
            y[:n - off] += diags[k, off:] * x[off:]
        else:
            y[-off:] += diags[k, :n + off] * x[:n + off]
    return y


def block_diag_assembly(blocks):
    nb, b, _ = blocks.shape
    A = np.zeros((nb * b, nb * b))
    for k in range(nb):
        A[k * b:(k + 1) * b, k * b:(k + 1) * b] = blocks[k]
    return A


def kronecker_sum_matvec(A, B, x):
    n, m = A.shape[0], B.shape[0]
    X = x.reshape(n, m)
    return (A @ X + X @ B.T).ravel()


def adjacency_from_knn(P, k=2):
    D = ((P[:, None] - P[None]) ** 2).sum(-1)
    np.fill_diagonal(D, np.inf)
    nbr = np.argpartition(D, k, axis=1)[:, :k]
    A = np.zeros(D.shape)
    A[np.repeat(np.arange(len(P)), k), nbr.ravel()] = 1
    return np.maximum(A, A.T)


def heat_kernel_weights(P, edges, t=0.5):
    d2 = ((P[edges[:, 0]] - P[edges[:, 1]]) ** 2).sum(1)
    return np.exp(-d2 / t)


def connected_components_matrix_power(A, steps=6):
    n = len(A)
    R = np.eye(n, dtype=bool) | (A > 0)
    for _ in range(steps):
        R = (R.astype(np.int64) @ R.astype(np.int64)) > 0
    labels = np.argmax(R, axis=1)
    return labels, R.sum(axis=1)


def label_propagation_min(edges, n, iters=6):
    lab = np.arange(n)
    for _ in range(iters):
        new = lab.copy()
        np.minimum.at(new, edges[:, 0], lab[edges[:, 1]])
        np.minimum.at(new, edges[:, 1], lab[edges[:, 0]])
        lab = new
    return lab


def bfs_levels_dense(A, src, max_levels=8):
    n = len(A)
    level = np.full(n, -1)
    level[src] = 0
    frontier = np.zeros(n, dtype=bool)
    frontier[src] = True
    for d in range(1, max_levels):
        nxt = (A[frontier].sum(axis=0) > 0) & (level < 0)
        level[nxt] = d
        frontier = nxt
    return level


def triangle_count_dense(A):
    return np.trace(A @ A @ A) // 6, np.diag(A @ A @ A) // 2


def reachability_bool_matmul(A):
    R = A | np.eye(len(A), dtype=bool)
    for _ in range(3):
        R = R @ R
    return A @ A, A.T @ A, np.dot(A, A), R, (A @ A).sum()


def walk_counts(A):
    Ai = A.astype(int)
    return (np.linalg.matrix_power(Ai, 3), np.trace(np.linalg.matrix_power(Ai, 3)) // 6,
            Ai.astype(np.int8) @ Ai.astype(np.int8))


def int8_matmul_wraps(M):
    return M @ M, np.dot(M, M[0]), M.sum(), (M * M).sum(axis=0)


def nonzero_scatter(A):
    B = np.zeros_like(A)
    B[np.nonzero(A > 0.5)] = 1.0
    C = np.zeros(A.shape[0])
    np.add.at(C, np.nonzero(A > 0.5)[0], 1.0)
    return B, C


def cumsum_into_indptr(counts):
    offsets = np.zeros(len(counts) + 1, dtype=counts.dtype)
    np.cumsum(counts, out=offsets[1:])
    return offsets, np.cumsum(counts)[-1]


def pair_index_matrix(n):
    i, j = np.triu_indices(n, 1)
    k = np.arange(len(i))
    M = np.zeros((n, n), dtype=int)
    M[i, j] = k
    M[j, i] = k
    return M


def count_flagged_by_mask(x, flagged):
    counts = np.zeros(len(x), dtype=np.int64)
    np.add.at(counts, flagged, 1)
    y = x.copy()
    np.add.at(y, flagged, 0.5)
    np.maximum.at(y, ~flagged, 0.0)
    return counts, y


def nonzero_row_counts(A, w):
    r, c = np.nonzero(A)
    return (np.bincount(r, minlength=A.shape[0]),
            np.bincount(c, weights=w[r, c], minlength=A.shape[1]))


def _coo(s, n, nnz=None, dup=True):
    r = np.random.default_rng(s)
    nnz = nnz or 3 * n
    rows = r.integers(0, n, nnz)
    cols = r.integers(0, n, nnz)
    return rows, cols, r.standard_normal(nnz)


def _csr_of(A):
    indptr = np.r_[0, np.cumsum((A != 0).sum(1))]
    rr, cc = np.nonzero(A)
    return indptr, cc, A[rr, cc]


def _csr(s, n, diag=0.0):
    """2n nonzeros in rows 1.. (row 0 empty), as many for every seed."""
    r = np.random.default_rng(s)
    A = np.zeros((n, n))
    pos = r.choice((n - 1) * n, 2 * n, replace=False) + n
    A.flat[pos] = r.standard_normal(2 * n) + 3.0 * np.sign(r.standard_normal(2 * n))
    return _csr_of(A + diag * np.eye(n))


def _csr_full_rows(s, n, diag=0.0):
    """A symmetric matrix with its diagonal and n pairs of off-diagonal nonzeros."""
    r = np.random.default_rng(s)
    iu = np.triu_indices(n, 1)
    pick = r.choice(len(iu[0]), n, replace=False)
    A = np.eye(n) * (1 + diag)
    A[iu[0][pick], iu[1][pick]] = r.random(n) + 0.1
    return _csr_of(A + np.triu(A, 1).T)


def _edges(s, n):
    r = np.random.default_rng(s)
    e = np.stack([np.arange(n - 1), np.arange(1, n)], 1)
    a = r.integers(0, n, 2)
    return np.concatenate([e, np.stack([a, (a + 1 + r.integers(0, n - 1, 2)) % n], 1)])


def _adj(s, n):
    r = np.random.default_rng(s)
    A = (r.random((n, n)) < 0.4).astype(float)
    A = np.triu(A, 1)
    A = A + A.T
    A[np.arange(n - 1), np.arange(1, n)] = A[np.arange(1, n), np.arange(n - 1)] = 1.0
    return A


SPARSE = {
    "coo_to_dense": (coo_to_dense, {}, lambda s, n: _coo(s, n) + ((n, n),)),
    "coo_to_dense_assign": (coo_to_dense_assign, {}, lambda s, n: (np.arange(n), (np.arange(n) * 3) % n, _f(n, seed=s), n)),
    "coo_to_csr": (coo_to_csr, {}, lambda s, n: _coo(s, n) + (n,)),
    "coo_to_csr_lexsort": (coo_to_csr_lexsort, {}, lambda s, n: _coo(s, n) + (n,)),
    "coo_to_csr_searchsorted": (coo_to_csr_searchsorted, {}, lambda s, n: _coo(s, n) + (n,)),
    "coo_to_csr_loop": (coo_to_csr_loop, {}, lambda s, n: _coo(s, n) + (n,)),
    "csr_row_ids": (csr_row_ids, {}, lambda s, n: (_csr(s, n)[0], 2 * n)),
    "csr_row_ids_marker": (csr_row_ids_marker, {}, lambda s, n: (_csr(s, n)[0], 2 * n)),
    "csr_matvec_row_ids": (csr_matvec_row_ids, {}, lambda s, n: _csr(s, n) + (_f(n, seed=s),)),
    "csr_matvec_reduceat": (csr_matvec_reduceat, {}, lambda s, n: _csr_full_rows(s, n) + (_f(n, seed=s),)),
    "csr_matvec_add_at": (csr_matvec_add_at, {}, lambda s, n: _csr(s, n) + (_f(n, seed=s),)),
    "csr_matvec_cumsum": (csr_matvec_cumsum, {}, lambda s, n: _csr(s, n) + (_f(n, seed=s),)),
    "csr_matmat": (csr_matmat, {}, lambda s, n: _csr(s, n) + (_f(n, 3, seed=s),)),
    "csr_transpose_matvec": (csr_transpose_matvec, {}, lambda s, n: _csr(s, n) + (_f(n, seed=s), n)),
    "csr_row_sums_and_nnz": (csr_row_sums_and_nnz, {}, lambda s, n: (_csr_full_rows(s, n)[0], _csr_full_rows(s, n)[2])),
    "csr_row_max": (csr_row_max, {}, lambda s, n: (_csr_full_rows(s, n)[0], _csr_full_rows(s, n)[2])),
    "csr_diagonal": (csr_diagonal, {}, lambda s, n: _csr(s, n)),
    "csr_normalize_rows": (csr_normalize_rows, {}, lambda s, n: _csr_full_rows(s, n)),
    "csc_from_coo": (csc_from_coo, {}, lambda s, n: _coo(s, n) + (n,)),
    "coo_sum_duplicates": (coo_sum_duplicates, {}, lambda s, n: _coo(s, n) + (n,)),
    "coo_matvec": (coo_matvec, {}, lambda s, n: _coo(s, n) + (_f(n, seed=s), n)),
    "coo_matvec_bincount": (coo_matvec_bincount, {}, lambda s, n: _coo(s, n) + (_f(n, seed=s), n)),
    "coo_transpose": (coo_transpose, {}, lambda s, n: _coo(s, n)),
    "nonzero_row_counts": (nonzero_row_counts, {}, lambda s, n: (_adj(s, n) * _f(n, n, seed=s), _f(n, n, seed=s + 1))),
    "dense_to_coo_count": (dense_to_coo_count, {}, lambda s, n: (_adj(s, n),)),
    "sparse_density_stats": (sparse_density_stats, {}, lambda s, n: _coo(s, n)[:2] + (n,)),
    "graph_laplacian_from_edges": (graph_laplacian_from_edges, {}, lambda s, n: (_edges(s, n), n, _f(n + 1, positive=True, seed=s))),
    "graph_laplacian_dense": (graph_laplacian_dense, {}, lambda s, n: (_adj(s, n),)),
    "normalized_laplacian": (normalized_laplacian, {}, lambda s, n: (np.pad(_adj(s, n), ((0, 1), (0, 1))),)),
    "random_walk_matrix": (random_walk_matrix, {}, lambda s, n: (np.pad(_adj(s, n), ((0, 1), (0, 1))),)),
    "laplacian_eigenmap": (laplacian_eigenmap, {}, lambda s, n: (_adj(s, n) * _f(n, n, positive=True, seed=s) * _f(n, n, positive=True, seed=s).T,)),
    "fiedler_partition": (fiedler_partition, {}, lambda s, n: (_adj(s, n) * _f(n, n, positive=True, seed=s) * _f(n, n, positive=True, seed=s).T,)),
    "incidence_matrix": (incidence_matrix, {}, lambda s, n: (_edges(s, n), n)),
    "edge_list_degrees": (edge_list_degrees, {}, lambda s, n: (_edges(s, n), n)),
    "power_iteration_csr": (power_iteration_csr, {}, lambda s, n: _csr_full_rows(s, n, diag=n) + (_f(n, positive=True, seed=s),)),
    "power_iteration_coo": (power_iteration_coo, {}, lambda s, n: (np.r_[np.arange(n), _coo(s, n)[0]], np.r_[np.arange(n), _coo(s, n)[1]], np.r_[np.full(n, 2.0 * n), np.abs(_coo(s, n)[2])], n)),
    "pagerank_edges": (pagerank_edges, {}, lambda s, n: (_coo(s, n)[0], _coo(s, n)[1], n)),
    "jacobi_csr": (jacobi_csr, {}, lambda s, n: _csr_full_rows(s, n, diag=2 * n) + (_f(n, seed=s),)),
    "cg_coo": (cg_coo, {}, lambda s, n: (np.nonzero(_spd(s, n))[0], np.nonzero(_spd(s, n))[1], _spd(s, n).ravel(), _f(n, seed=s))),
    "tridiagonal_csr": (tridiagonal_csr, {}, lambda s, n: (n, -1.0, 2.0 + s)),
    "laplacian_2d_coo": (laplacian_2d_coo, {}, lambda s, n: (n,)),
    "sparse_spmv_ell": (sparse_spmv_ell, {}, lambda s, n: (_i(n, n, 3, seed=s), _f(n, 3, seed=s), _f(n, seed=s + 1))),
    "dia_matvec": (dia_matvec, {}, lambda s, n: ([-1, 0, 2], _f(3, n, seed=s), _f(n, seed=s + 1))),
    "block_diag_assembly": (block_diag_assembly, {}, lambda s, n: (_f(n, 2, 2, seed=s),)),
    "kronecker_sum_matvec": (kronecker_sum_matvec, {}, lambda s, n: (_f(n, n, seed=s), _f(3, 3, seed=s + 1), _f(3 * n, seed=s + 2))),
    "adjacency_from_knn": (adjacency_from_knn, {}, lambda s, n: (_f(2 * n, 2, seed=s),)),
    "heat_kernel_weights": (heat_kernel_weights, {}, lambda s, n: (_f(n, 2, seed=s), _edges(s, n))),
    "connected_components_matrix_power": (connected_components_matrix_power, {}, lambda s, n: (np.kron(np.eye(2), _adj(s, n)),)),
    "label_propagation_min": (label_propagation_min, {}, lambda s, n: (np.r_[_edges(s, n), _edges(s, n) + n], 2 * n)),
    "bfs_levels_dense": (bfs_levels_dense, {}, lambda s, n: (np.pad(_adj(s, n), ((0, 1), (0, 1))), 1)),
    "triangle_count_dense": (triangle_count_dense, {}, lambda s, n: (_adj(s, n).astype(np.int64),)),
    "reachability_bool_matmul": (reachability_bool_matmul, {}, lambda s, n: (_adj(s, n) > 0,)),
    "walk_counts": (walk_counts, {}, lambda s, n: (_adj(s, n),)),
    "int8_matmul_wraps": (int8_matmul_wraps, {}, lambda s, n: (_i(200, n, n, seed=s).astype(np.int8),)),
    "nonzero_scatter": (nonzero_scatter, {}, lambda s, n: (np.random.default_rng(s).random((n, 5)),)),
    "cumsum_into_indptr": (cumsum_into_indptr, {}, lambda s, n: (_i(4, n, seed=s),)),
    "pair_index_matrix": (pair_index_matrix, {}, lambda s, n: (n,)),
    "count_flagged_by_mask": (count_flagged_by_mask, {}, lambda s, n: (_f(2 * n, seed=s), _f(2 * n, seed=s + 1) > 0)),
}


# ---------------------------------------------------------------------- refused forms


def unique_edges(F):
    E = np.sort(np.concatenate([F[:, [0, 1]], F[:, [1, 2]], F[:, [2, 0]]]), axis=1)
    return np.unique(E, axis=0)


def unique_edges_counts(F):
    E = np.sort(np.vstack([F[:, :2], F[:, 1:], F[:, [2, 0]]]), axis=1)
    E, counts = np.unique(E, axis=0, return_counts=True)
    return E[counts == 1]


def jacobi_until_converged(f, tol=1e-3):
    u = np.zeros_like(f)
    err = 1.0
    while err > tol:
        un = u.copy()
        u[1:-1, 1:-1] = 0.25 * (un[2:, 1:-1] + un[:-2, 1:-1] + un[1:-1, 2:] + un[1:-1, :-2]
                                - f[1:-1, 1:-1])
        err = np.abs(u - un).max()
    return u


def csr_from_dense_nonzero(A):
    rows, cols = np.nonzero(A)
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=A.shape[0]))]
    return indptr, cols, A[rows, cols]


def boundary_vertices(F):
    E = np.sort(np.r_[F[:, :2], F[:, 1:], F[:, ::2]], axis=1)
    u, c = np.unique(E, axis=0, return_counts=True)
    return np.unique(u[c == 1])


REFUSED = {
    "unique_edges": (tracenp.errors.DataDependentShapeError, unique_edges, lambda s: (_mesh(s, 4)[1],)),
    "unique_edges_counts": (tracenp.errors.DataDependentShapeError, unique_edges_counts, lambda s: (_mesh(s, 4)[1],)),
    "boundary_vertices": (tracenp.errors.DataDependentShapeError, boundary_vertices, lambda s: (_mesh(s, 4)[1],)),
    "csr_from_dense_nonzero": (tracenp.errors.DataDependentShapeError, csr_from_dense_nonzero, lambda s: (_adj(s, 5),)),
    "monotone_chain_hull": (tracenp.errors.ConcretizationError, monotone_chain_hull, lambda s: (_f(12, 2, seed=s),)),
    "jacobi_until_converged": (tracenp.errors.ConcretizationError, jacobi_until_converged, lambda s: (_f(6, 6, seed=s),)),
    "csr_to_dense_loop": (tracenp.errors.ConcretizationError, csr_to_dense_loop, lambda s: _csr(s, 5) + (5,)),
    "csr_to_ell": (tracenp.errors.DataDependentShapeError, csr_to_ell, lambda s: _csr(s, 5) + (4,)),
    "csr_to_dense": (tracenp.errors.DataDependentShapeError, csr_to_dense, lambda s: _csr(s, 5) + (5,)),
    "csr_matvec_bincount": (tracenp.errors.DataDependentShapeError, csr_matvec_bincount, lambda s: _csr(s, 5) + (_f(5, seed=s),)),
    "csr_scale_rows": (tracenp.errors.DataDependentShapeError, csr_scale_rows, lambda s: (_csr(s, 5)[0], _csr(s, 5)[2], _f(5, seed=s))),
}


# ------------------------------------- dtypes, ties, signed zeros and nan in the same domains


def vertex_normals_float32(V, F):
    fn = np.cross(V[F[:, 1]] - V[F[:, 0]], V[F[:, 2]] - V[F[:, 0]])
    vn = np.zeros_like(V)
    for k in range(3):
        np.add.at(vn, F[:, k], fn)
    return vn / (np.linalg.norm(vn, axis=1, keepdims=True) + 1e-12)


def edge_keys_narrow(F, n):
    E = np.sort(np.r_[F[:, :2], F[:, 1:], F[:, ::2]], axis=1)
    key = E[:, 0] * n + E[:, 1]
    return key, key.dtype == F.dtype


def boundary_edges_by_inverse(F):
    E = np.sort(np.r_[F[:, :2], F[:, 1:], F[:, ::2]], axis=1)
    key = E[:, 0] * 1000 + E[:, 1]
    _, inv = np.unique(key, return_inverse=True)
    cnt = np.bincount(inv, minlength=len(key))
    on_boundary = cnt[inv] == 1
    return on_boundary, on_boundary.sum()


def uint32_faces(V, F):
    F = F.astype(np.uint32)
    e = V[F[:, 1]] - V[F[:, 0]]
    return np.linalg.norm(e, axis=1), F[:, 1] - F[:, 0], (F.astype(np.int64) - 1).min()


def obj_faces_one_based(F1):
    F = F1 - 1
    return F, F.dtype, np.abs(F[:, 1].astype(np.int64) - F[:, 0])


def iterate_edge_rows(E, n):
    A = np.zeros((n, n), dtype=int)
    for i, (a, b) in enumerate(E):
        A[a, b] += i
        A[b, a] = 1
    return A


def duplicate_index_writes(i, j, w):
    A = np.zeros((5, 5))
    A[i, j] = w
    B = np.zeros(5)
    B[i] = w
    C = np.zeros(5)
    C[i] += w
    D = np.zeros(5)
    np.add.at(D, i, w)
    return A, B, C, D


def overlapping_slice_updates(u):
    a = u.copy()
    a[1:] += a[:-1]
    b = u.copy()
    b[1:] = b[:-1]
    c = u.copy()
    c[:-1] -= c[1:]
    d = u.copy()
    np.add(d[1:], d[:-1], out=d[1:])
    return a, b, c, d


def angle_sort_with_ties(P):
    ang = np.arctan2(P[:, 1], P[:, 0])
    return (np.argsort(ang), np.argsort(np.round(ang, 1)), np.argmax(np.round(ang)),
            np.argsort(-np.round(P[:, 0])))


def signed_zero_angles(y, x):
    return np.arctan2(-y, x), np.arctan2(y * -1.0, x), np.arctan2(0.0 - y, x), np.copysign(1.0, -y)


def snap_to_half_grid(P):
    return np.round(P * 2) / 2, np.round(P, 1), np.rint(P), np.fix(P), np.floor(P).astype(int)


def degenerate_face_normals(V, F):
    n = np.cross(V[F[:, 1]] - V[F[:, 0]], V[F[:, 2]] - V[F[:, 0]])
    l = np.linalg.norm(n, axis=1, keepdims=True)
    safe = np.where(l > 0, n / np.where(l > 0, l, 1), 0)
    return np.nan_to_num(n / l), safe, np.isnan(n / l).any(axis=1)


def nan_aware_extents(x):
    return np.maximum(x, 0.5), np.fmax(x, 0.5), np.argmin(x), np.nanargmin(x), x.max(), np.nanmax(x)


def min_max_at_with_nan(idx, v):
    lo = np.full(4, np.inf)
    np.minimum.at(lo, idx, v)
    hi = np.zeros(4)
    np.maximum.at(hi, idx, v)
    return lo, hi


def digitize_sorted_edges(v, edges):
    bins = np.sort(edges)
    return np.digitize(v, bins), np.digitize(v, bins[::-1], right=True), np.searchsorted(bins, v)


def float32_coordinates_mixed(V, s):
    return V * s, V + 1e-3, V / 3, V * np.float64(2.0), np.sqrt((V * V).sum(axis=1) + 1.0)


def int_grid_hash(P, cell):
    ij = (P // cell).astype(np.int64)
    return ij, np.mod(P, cell), np.floor_divide(ij, 3), ij % 4, np.divmod(ij, 5)


def complex_polygon_ops(x, y, theta):
    z = x + 1j * y
    area = 0.5 * np.imag(np.sum(np.conj(z) * np.roll(z, -1)))
    zr = z * np.exp(1j * theta)
    return area, zr.real, zr.imag, np.abs(np.diff(z)).sum(), np.angle(z, deg=True)


def unwrapped_heading(P):
    d = np.diff(P, axis=0)
    h = np.arctan2(d[:, 1], d[:, 0])
    return np.unwrap(h), np.unwrap(np.degrees(h), period=360)


def bool_edge_transitions(m):
    return (np.diff(m), np.diff(m.astype(int)), np.diff(m, prepend=False), np.cumsum(m),
            m.sum(axis=0))


def diff_mixed_prepend(x):
    return np.diff(x, prepend=0.5), np.diff(x, append=[7, 8]), np.gradient(x), np.gradient(x, 2)


def gradient_float32_coords(x):
    return np.gradient(x, 0.1), np.gradient(x, np.linspace(0, 1, len(x)).astype(np.float32))


def gradient_nonuniform_2d(F):
    x = np.cumsum(np.r_[0.0, np.full(F.shape[1] - 1, 0.5)])
    y = np.linspace(0, 1, F.shape[0]) ** 2
    return np.gradient(F, y, x, edge_order=2), np.gradient(F, axis=(0, 1))


def reduceat_with_repeats(x):
    return (np.add.reduceat(x, [0, 4, 1, 5]), np.maximum.reduceat(x, [3, 1, 6]),
            np.multiply.reduceat(x, np.array([0, 3])))


def csr_reduceat_empty_rows(data, indptr):
    return np.add.reduceat(data, indptr[:-1]) * (np.diff(indptr) > 0)


def fixed_dofs_list(K, f, fixed):
    free = np.setdiff1d(np.arange(len(f)), fixed)
    u = np.zeros(len(f))
    u[free] = np.linalg.solve(K[np.ix_(free, free)], f[free])
    Kr = np.delete(np.delete(K, fixed, axis=0), fixed, axis=1)
    return u, np.linalg.solve(Kr, np.delete(f, fixed))


def free_mask_from_constants(K, f):
    free = np.ones(len(f), dtype=bool)
    free[[0, -1]] = False
    return np.linalg.solve(K[np.ix_(free, free)], f[free])


def batched_element_jacobians(J, b):
    return np.linalg.solve(J, b[..., None])[..., 0], np.linalg.inv(J), np.linalg.det(J)


def clip_integer_field(x):
    return np.clip(x, 0.5, 2.5), np.clip(x, 1, 3), np.where(x > 2, x, 0.5), np.clip(x, 3, 1)


def fill_diagonal_forms(n):
    A = np.zeros((2 * n + 1, n))
    np.fill_diagonal(A, 3.0, wrap=True)
    B = np.zeros((n, n))
    B[np.diag_indices_from(B)] = np.arange(n)
    i, j = np.tril_indices(n, -1)
    B[i, j] = -1
    return A, B, np.triu_indices_from(B, 1)


def stencil_by_windows(u):
    w = np.lib.stride_tricks.sliding_window_view(u, 3)
    return (w @ np.array([1.0, -2.0, 1.0]), np.convolve(u, [1, -2, 1], mode="valid"),
            np.convolve(u, [0.25, 0.5, 0.25], mode="same"))


def mgrid_ogrid_nodes(n):
    X, Y = np.mgrid[0:1:5j, 0:2:3j]
    x, y = np.ogrid[0:n, 0:3]
    return X, Y, x + 10 * y


def point_density_histogram2d(P):
    return np.histogram2d(P[:, 0], P[:, 1], bins=4, range=[[-2, 2], [-2, 2]])


def plane_fit_svd(P):
    c = P.mean(axis=0)
    _, _, Vt = np.linalg.svd(P - c)
    n = Vt[-1] * np.sign(Vt[-1, 2])
    return n, np.abs((P - c) @ n).max()


def element_matrix_norms(M):
    return (np.linalg.norm(M, ord=1, axis=(1, 2)), np.linalg.norm(M, "fro", axis=(1, 2)),
            np.linalg.norm(M[:, 0], ord=np.inf, axis=1), np.linalg.norm(M[0], 2))


def cross_along_axis(a, b):
    return np.cross(a, b, axisa=0, axisb=0), np.cross(a.T, b.T, axis=1)


def triplets_from_python_lists(x):
    rows, cols, vals = [], [], []
    n = len(x)
    for i in range(n):
        rows.append(i)
        cols.append(i)
        vals.append(2 * x[i])
        if i + 1 < n:
            rows.extend([i, i + 1])
            cols.extend([i + 1, i])
            vals.extend([-x[i], -x[i]])
    A = np.zeros((n, n))
    np.add.at(A, (np.array(rows), np.array(cols)), np.array(vals))
    return A


def sorted_lookup(x, q):
    s = np.argsort(x)
    return np.searchsorted(x, q, sorter=s), np.searchsorted(np.sort(x), q, side="right")


def lexsort_vertices(P):
    k = np.round(P, 1)
    return np.lexsort((k[:, 2], k[:, 1], k[:, 0])), np.argsort(k[:, 0], kind="stable")


def voxel_index_modes(ij, shape):
    return (np.ravel_multi_index(ij.T, shape, mode="clip"),
            np.ravel_multi_index(ij.T, shape, mode="wrap"))


def masked_cell_reductions(x, m):
    return (x.sum(where=m), np.mean(x, where=m), np.max(x, where=m, initial=-np.inf),
            np.count_nonzero(m, axis=0))


def put_place_copyto(x, idx):
    y = x.copy()
    np.put(y, idx, -1.0)
    np.place(y, y > 0.8, [9.0, 8.0])
    z = x.copy()
    np.copyto(z, 0.0, where=x < 0.3)
    return y, z


def element_tensordot(B, D):
    return (np.tensordot(B, D, axes=([1], [0])),
            np.einsum("eij,jk,ekl->eil", B.transpose(0, 2, 1), D, B))


def center_in_place(V):
    V -= V.mean(axis=0)
    V /= np.abs(V).max()


def dirichlet_rows_in_place(K, f, bc):
    K[bc, :] = 0.0
    K[:, bc] = 0.0
    K[bc, bc] = 1.0
    f[bc] = 0.0
    return np.linalg.solve(K, f)


def sparse_membership(keys, bkeys):
    return np.isin(keys, bkeys), np.isin(keys, bkeys, invert=True).sum()


def int32_key_overflow(F):
    return F[:, 0] * 100000 + F[:, 1], F.astype(np.int16) * 300


def interp_periodic_angles(x, xp, fp):
    return np.interp(x, xp, fp, period=360), np.interp(x, xp, fp, left=-1, right=np.nan)


def interp_with_nan_queries(x, xp, fp):
    return np.interp(x, xp, fp)


def singular_stiffness(K, f):
    return np.linalg.solve(K, f)


def diagonal_writes_through_views(A):
    A = A.copy()
    n = len(A)
    A.flat[::n + 1] = 0
    B = A.copy()
    B.reshape(-1)[::n + 1] += 1
    C = A.copy()
    C.ravel()[::n + 1] = 7
    D = np.zeros((n, n))
    np.fill_diagonal(D, A.diagonal() + 1)
    E = A.copy()
    np.einsum("ii->i", E)[:] = -1
    return A, B, C, D, E


def ndenumerate_weights(A):
    out = []
    for (i, j), v in np.ndenumerate(A):
        out.append(v * (i + j))
    return np.array(out)


def face_areas_unpacked(V, F):
    out = np.empty(len(F))
    for k, (a, b, c) in enumerate(F):
        out[k] = np.linalg.norm(np.cross(V[b] - V[a], V[c] - V[a])) / 2
    return out


def mirror_through_view(P):
    Q = P[:, ::-1]
    Q[:, 0] *= -1
    return P


def column_swap_with_a_view(A):
    v = A[:, 0]
    A[:, 0] = A[:, 1]
    A[:, 1] = v
    return A


def row_swap_fancy(P):
    P[[0, 1]] = P[[1, 0]]
    return P


def unpack_columns_and_shift(V):
    x, y, z = V.T
    x += 1
    return V, np.stack([x, y, z])


def normalize_rows_in_loop(V):
    for v in V:
        v /= np.linalg.norm(v)
    return V


def transpose_and_stride_writes(A, idx):
    B = A.T
    B[0] = -1
    C = A[::2]
    C += 100
    sub = A[idx]
    sub += 1
    return A, sub


def inside_points_stats(P, m):
    return P[m].mean(axis=0), np.linalg.norm(P[m], axis=1).max(), (P[m] - P.mean(0)).sum(0)


def selected_distances_stats(x, m):
    return x[m].std(), np.median(x[m]), np.percentile(x[m], 90), x[m].var(ddof=1)


def closest_valid_index(d, m):
    idx = np.nonzero(m)[0]
    return (np.flatnonzero(m)[np.argmin(d[m])], np.argmin(d[m]), np.where(m)[0][0], idx[-1],
            idx[np.argmax(d[idx])], np.cumsum(d[m])[-1], np.sort(d[m])[0])


def selected_dot_products(a, b, m):
    return np.dot(a[m], b[m]), (a[m] * b[m]).sum(), a[m] @ b[m]


def centered_where_selected(P, m):
    c = P[m].mean(0)
    return np.where(m[:, None], P - c, P), P[m][:, 0].argmax(), P[m, 1].min()


def selection_moments(x, m):
    return (np.average(x[m], weights=x[m] + 1), np.mean(x[m] ** 2) ** 0.5,
            np.max(np.abs(x[m] - x[m].mean())), x[m].sum() / m.sum(), np.count_nonzero(x[m] > 0.5),
            x[m].min(initial=10), np.ptp(x[m]), np.all(x[m] > 0))


def polyline_float32(P):
    s = np.r_[0, np.cumsum(np.hypot(*np.diff(P, axis=0).T))]
    t = np.linspace(0, s[-1], 5)
    return (s, t, np.interp(t, s, P[:, 0]), np.gradient(P[:, 0]), np.linalg.norm(P, axis=1),
            P.mean(0), np.cumsum(P[:, 0]))


def uint8_profile(x):
    return (np.diff(x), np.cumsum(x), x.sum(), np.ediff1d(x),
            np.cross(x[:3].astype(np.int8), x[3:6].astype(np.int8)))


def float16_heights(x):
    return np.arctan2(x, x[::-1]), np.hypot(x, 1), x.sum(), x.mean(), np.linalg.norm(x), x.std()


def dedupe_faces_by_lexsort(F):
    Fs = np.sort(F, axis=1)
    Fs = Fs[np.lexsort(Fs.T[::-1])]
    dup = np.all(Fs[1:] == Fs[:-1], axis=1)
    return Fs, dup, np.r_[True, ~dup].sum()


def distinct_edge_ids_by_sort(E, n):
    key = np.sort(E, axis=1) @ np.array([n, 1])
    s = np.sort(key)
    first = np.r_[True, s[1:] != s[:-1]]
    return first.sum(), np.cumsum(first) - 1


def ranks_by_inverse_permutation(x):
    order = np.argsort(x, kind="stable")
    ranks = np.empty_like(order)
    ranks[order] = np.arange(len(x))
    return ranks, np.argsort(order)


def bool_adjacency_laplacian(E, n):
    A = np.zeros((n, n), dtype=bool)
    A[E[:, 0], E[:, 1]] = True
    A |= A.T
    deg = A.sum(1)
    L = np.diag(deg) - A.astype(int)
    return A, deg, L, np.linalg.eigvalsh(L.astype(float))


def _ties(s, n):
    P = np.random.default_rng(s).integers(-2, 3, (3 * n, 2)).astype(float)
    P[0] = [-1.0, -0.0]
    return P


EDGES = {
    "vertex_normals_float32": (vertex_normals_float32, {}, lambda s, n: (_mesh(s, n)[0].astype(np.float32), _mesh(s, n)[1].astype(np.int32))),
    "vertex_normals_uint32_faces": (vertex_normals_float32, {}, lambda s, n: (_mesh(s, n)[0], _mesh(s, n)[1].astype(np.uint32))),
    "edge_keys_int32": (edge_keys_narrow, {}, lambda s, n: (_mesh(s, n)[1].astype(np.int32), n * (n + 1))),
    "edge_keys_uint32": (edge_keys_narrow, {}, lambda s, n: (_mesh(s, n)[1].astype(np.uint32), n * (n + 1))),
    "boundary_edges_by_inverse": (boundary_edges_by_inverse, {}, lambda s, n: (_mesh(s, n)[1],)),
    "uint32_faces": (uint32_faces, {}, lambda s, n: _mesh(s, n)),
    "obj_faces_one_based_uint32": (obj_faces_one_based, {}, lambda s, n: ((_mesh(s, n)[1] + 1).astype(np.uint32),)),
    "iterate_edge_rows": (iterate_edge_rows, {}, lambda s, n: (_edges(s, n), n)),
    "duplicate_index_writes": (duplicate_index_writes, {}, lambda s, n: (_i(5, 2 * n, seed=s), _i(5, 2 * n, seed=s + 1), _f(2 * n, seed=s))),
    "overlapping_slice_updates": (overlapping_slice_updates, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "angle_sort_with_ties": (angle_sort_with_ties, {}, lambda s, n: (_ties(s, n),)),
    "signed_zero_angles": (signed_zero_angles, {}, lambda s, n: (np.r_[0.0, 0.0, 1.0, 0.0, _f(n, seed=s)], np.r_[-1.0, 1.0, -1.0, -0.0, _f(n, seed=s + 1)])),
    "snap_to_half_grid": (snap_to_half_grid, {}, lambda s, n: (np.r_[0.5, 1.5, 2.5, -0.5, -1.5, 0.25, 0.35, -2.5, 1.45, 2.675, _f(n, seed=s)],)),
    "degenerate_face_normals": (degenerate_face_normals, {}, lambda s, n: (np.r_[[[0.0, 0, 0], [1, 0, 0], [2, 0, 0]], _f(n, 3, seed=s)], np.r_[[[0, 1, 2]], _i(n + 3, n, 3, seed=s)])),
    "nan_aware_extents": (nan_aware_extents, {}, lambda s, n: (np.where(_f(n, seed=s) > 1, np.nan, _f(n, seed=s + 1)),)),
    "min_max_at_with_nan": (min_max_at_with_nan, {}, lambda s, n: (_i(4, 2 * n, seed=s), np.where(_f(2 * n, seed=s) > 1, np.nan, _f(2 * n, seed=s + 1)))),
    "digitize_sorted_edges_nan": (digitize_sorted_edges, {}, lambda s, n: (np.r_[np.nan, _f(3 * n, seed=s)], np.r_[_f(n, seed=s + 1), np.nan])),
    "float32_coordinates_mixed": (float32_coordinates_mixed, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32), 0.5)),
    "int_grid_hash": (int_grid_hash, {}, lambda s, n: (_f(n, 2, seed=s), 0.3)),
    "complex_polygon_ops": (complex_polygon_ops, {}, lambda s, n: (*_poly(s, n + 3).T, 0.4)),
    "unwrapped_heading": (unwrapped_heading, {}, lambda s, n: (np.cumsum(_f(3 * n, 2, seed=s), axis=0),)),
    "bool_edge_transitions": (bool_edge_transitions, {}, lambda s, n: (_f(n, 5, seed=s) > 0,)),
    "diff_mixed_prepend": (diff_mixed_prepend, {}, lambda s, n: (_i(9, 2 * n, seed=s),)),
    "gradient_float32_coords": (gradient_float32_coords, {}, lambda s, n: (_f(2 * n, seed=s).astype(np.float32),)),
    "gradient_nonuniform_2d": (gradient_nonuniform_2d, {}, lambda s, n: (_f(n, n + 2, seed=s),)),
    "reduceat_with_repeats": (reduceat_with_repeats, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "csr_reduceat_empty_rows": (csr_reduceat_empty_rows, {}, lambda s, n: (_f(2 * n, seed=s), np.r_[0, 2, 2, np.arange(3, 2 * n)])),
    "fixed_dofs_list": (fixed_dofs_list, {}, lambda s, n: (_spd(s, n + 2), _f(n + 2, seed=s), [0, n + 1])),
    "free_mask_from_constants": (free_mask_from_constants, {}, lambda s, n: (_spd(s, n + 2), _f(n + 2, seed=s))),
    "batched_element_jacobians": (batched_element_jacobians, {}, lambda s, n: (_f(n, 2, 2, seed=s) + 3 * np.eye(2), _f(n, 2, seed=s + 1))),
    "clip_integer_field": (clip_integer_field, {}, lambda s, n: (_i(5, 2 * n, seed=s),)),
    "fill_diagonal_forms": (fill_diagonal_forms, {}, lambda s, n: (n,)),
    "stencil_by_windows": (stencil_by_windows, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "mgrid_ogrid_nodes": (mgrid_ogrid_nodes, {}, lambda s, n: (n,)),
    "point_density_histogram2d": (point_density_histogram2d, {}, lambda s, n: (_f(8 * n, 2, seed=s),)),
    "plane_fit_svd": (plane_fit_svd, {}, lambda s, n: (_f(3 * n, 3, seed=s) * [1, 1, 0.1],)),
    "element_matrix_norms": (element_matrix_norms, {}, lambda s, n: (_f(n, 3, 3, seed=s),)),
    "cross_along_axis": (cross_along_axis, {}, lambda s, n: (_f(3, n, seed=s), _f(3, n, seed=s + 1))),
    "triplets_from_python_lists": (triplets_from_python_lists, {}, lambda s, n: (_f(n, seed=s),)),
    "sorted_lookup": (sorted_lookup, {}, lambda s, n: (_f(2 * n, seed=s), _f(4, seed=s + 1))),
    "lexsort_vertices": (lexsort_vertices, {}, lambda s, n: (_i(3, 3 * n, 3, seed=s).astype(float),)),
    "voxel_index_modes": (voxel_index_modes, {}, lambda s, n: (_i(8, n, 2, seed=s) - 2, (4, 4))),
    "masked_cell_reductions": (masked_cell_reductions, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1) > 0)),
    "put_place_copyto": (put_place_copyto, {}, lambda s, n: (np.random.default_rng(s).random(2 * n), np.array([0, 3]))),
    "element_tensordot": (element_tensordot, {}, lambda s, n: (_f(n, 3, 6, seed=s), _f(3, 3, seed=s + 1))),
    "center_in_place": (center_in_place, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "dirichlet_rows_in_place": (dirichlet_rows_in_place, {}, lambda s, n: (_spd(s, n + 2), _f(n + 2, seed=s), np.array([0, 3]))),
    "sparse_membership": (sparse_membership, {}, lambda s, n: (_i(20, 3 * n, seed=s), _i(20, 4, seed=s + 1))),
    "int32_key_overflow": (int32_key_overflow, {}, lambda s, n: (_i(60000, n, 3, seed=s).astype(np.int32),)),
    "interp_periodic_angles": (interp_periodic_angles, {}, lambda s, n: (720 * np.random.default_rng(s).random(n) - 180, np.array([0.0, 90, 180, 270]), _f(4, seed=s))),
    "interp_with_nan_queries": (interp_with_nan_queries, {}, lambda s, n: (np.r_[np.nan, 3 * _f(n, seed=s)], np.array([0.0, 1.0, 1.0, 2.0]), _f(4, seed=s))),
    "diagonal_writes_through_views": (diagonal_writes_through_views, {}, lambda s, n: (_f(n, n, seed=s),)),
    "ndenumerate_weights": (ndenumerate_weights, {}, lambda s, n: (_f(2, n, seed=s),)),
    "face_areas_unpacked": (face_areas_unpacked, {}, lambda s, n: _mesh(s, n - 2)),
    "mirror_through_view": (mirror_through_view, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "column_swap_with_a_view": (column_swap_with_a_view, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "row_swap_fancy": (row_swap_fancy, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "unpack_columns_and_shift": (unpack_columns_and_shift, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "normalize_rows_in_loop": (normalize_rows_in_loop, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "transpose_and_stride_writes": (transpose_and_stride_writes, {}, lambda s, n: (_f(n, n, seed=s), np.array([0, 2]))),
    "inside_points_stats": (inside_points_stats, {}, lambda s, n: (_f(3 * n, 2, seed=s), np.arange(3 * n) % 3 != 1)),
    "selected_distances_stats": (selected_distances_stats, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1) > -0.5)),
    "closest_valid_index": (closest_valid_index, {}, lambda s, n: (_f(3 * n, seed=s), np.arange(3 * n) % 2 == 1)),
    "selected_dot_products": (selected_dot_products, {}, lambda s, n: (_f(3 * n, seed=s), _f(3 * n, seed=s + 1), _f(3 * n, seed=s + 2) > 0)),
    "centered_where_selected": (centered_where_selected, {}, lambda s, n: (_f(3 * n, 2, seed=s), np.arange(3 * n) % 3 == 0)),
    "polyline_float32": (polyline_float32, {}, lambda s, n: (np.cumsum(_f(n, 2, positive=True, seed=s), axis=0).astype(np.float32),)),
    "uint8_profile": (uint8_profile, {}, lambda s, n: (_i(256, 2 * n, seed=s).astype(np.uint8),)),
    "float16_heights": (float16_heights, {}, lambda s, n: (np.random.default_rng(s).random(2 * n).astype(np.float16),)),
    "dedupe_faces_by_lexsort": (dedupe_faces_by_lexsort, {}, lambda s, n: (_i(4, 2 * n, 3, seed=s),)),
    "distinct_edge_ids_by_sort": (distinct_edge_ids_by_sort, {}, lambda s, n: (_i(5, 2 * n, 2, seed=s), 5)),
    "ranks_by_inverse_permutation": (ranks_by_inverse_permutation, {}, lambda s, n: (_i(3, 2 * n, seed=s),)),
    "bool_adjacency_laplacian": (bool_adjacency_laplacian, {}, lambda s, n: (_edges(s, n), n)),
    "selection_moments": (selection_moments, {}, lambda s, n: (np.random.default_rng(s).random(3 * n), np.arange(3 * n) % 2 == 0)),
}


def polyline_length_math(P):
    total = 0.0
    for i in range(len(P) - 1):
        dx = P[i + 1, 0] - P[i, 0]
        dy = P[i + 1, 1] - P[i, 1]
        total += math.sqrt(dx * dx + dy * dy)
    return total


def diameter_of_selection(P, m):
    sel = P[m]
    return np.sqrt(((sel[:, None, :] - sel[None, :, :]) ** 2).sum(-1)).max()


def store_area_in_mesh_dict(mesh):
    V, F = mesh["V"], mesh["F"]
    mesh["area"] = face_areas(V, F).sum()
    return mesh["area"]


REFUSED.update({
    "diameter_of_selection": (tracenp.errors.DataDependentShapeError, diameter_of_selection, lambda s: (_f(8, 2, seed=s), np.arange(8) % 3 != 0)),
    "fixed_dofs_from_an_array": (tracenp.errors.DataDependentShapeError, fixed_dofs_list, lambda s: (_spd(s, 5), _f(5, seed=s), np.array([0, 4]))),
    "free_mask_argument": (tracenp.errors.DataDependentShapeError, lambda K, f, fixed: np.linalg.solve(K[np.ix_(~fixed, ~fixed)], f[~fixed]), lambda s: (_spd(s, 5), _f(5, seed=s), np.arange(5) % 4 == 0)),
})


# refused until they traced (stop 38): NumPy's values now
TRACED_NOW = {
    "unique_edge_rows_inverse": (
        lambda F: np.unique(np.sort(F[:, :2], axis=1), axis=0, return_inverse=True)[1], {},
        lambda s, n: (_mesh(s, 4)[1],)),
}


@pytest.mark.parametrize("name", list(TRACED_NOW))
def test_forms_once_refused_now_trace(name):
    """Forms refused until tracenp traced them: NumPy's values now."""
    check_like_numpy(*TRACED_NOW[name])


@pytest.mark.parametrize("name", list(MESH))
def test_mesh_processing_matches_numpy(name):
    check_like_numpy(*MESH[name])


@pytest.mark.parametrize("name", list(FEM))
def test_finite_elements_match_numpy(name):
    check_like_numpy(*FEM[name])


@pytest.mark.parametrize("name", list(FD))
def test_finite_differences_and_volumes_match_numpy(name):
    check_like_numpy(*FD[name])


@pytest.mark.parametrize("name", list(GEOMETRY))
def test_computational_geometry_matches_numpy(name):
    check_like_numpy(*GEOMETRY[name])


@pytest.mark.parametrize("name", list(SPARSE))
def test_sparse_matrices_by_hand_match_numpy(name):
    check_like_numpy(*SPARSE[name])


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_run_under_fallback(name):
    """Edge lists by `np.unique(axis=0)`, CSR from `np.nonzero`, rows by `np.repeat(.., np.diff(
    indptr))`, free dofs from an array of fixed ones (shapes from the data), Python loops
    steered by the data (`while err > tol`, a hull's `while cross <= 0`, `range(indptr[i],
    indptr[i + 1])`) raise their named errors, and run eagerly under `fallback=True`."""
    check_refused(*REFUSED[name])


def test_a_key_added_to_a_dict_argument_reaches_the_caller():
    """`mesh["area"] = ...` adds a key to the caller's dict, as NumPy's call does (refused
    before: jit wrote back only the items it set)."""
    check_like_numpy(store_area_in_mesh_dict, {}, lambda s, n: (
        {"V": _mesh(s, 3)[0], "F": _mesh(s, 3)[1]},))


@pytest.mark.parametrize("name", list(EDGES))
def test_dtypes_ties_and_special_values_match_numpy(name):
    """The same domains' code on float32 and uint32 meshes, ties in angle sorts, signed zeros,
    exact halves, nan in bins and extents, duplicate and overlapping writes."""
    check_like_numpy(*EDGES[name])


def test_singular_stiffness_raises_numpys_error():
    """A stiffness matrix with no boundary condition is singular: `np.linalg.solve` raises
    NumPy's `LinAlgError` when the compiled function runs."""
    K, f = np.array([[1.0, -1.0], [-1.0, 1.0]]), np.array([1.0, 2.0])
    with pytest.raises(np.linalg.LinAlgError):
        singular_stiffness(K, f)
    with pytest.raises(np.linalg.LinAlgError):
        tracenp.jit(singular_stiffness)(K, f)


# ------------------------------------------------------------------------------- gradients


def mesh_area_loss(V, F):
    n = np.cross(V[F[:, 1]] - V[F[:, 0]], V[F[:, 2]] - V[F[:, 0]])
    return 0.5 * np.linalg.norm(n, axis=1).sum()


def vertex_normal_loss(V, F):
    return (vertex_normals(V, F)[:, 2] ** 2).sum()


def laplacian_energy(V, F):
    L = uniform_laplacian(F, len(V))
    return np.trace(V.T @ L @ V)


def cotangent_energy(V, F):
    return np.trace(V.T @ cotangent_laplacian(V, F) @ V)


def bar_compliance(EA, x, f):
    K = assemble_bar_1d(x, EA)
    K[0, :] = 0
    K[:, 0] = 0
    K[0, 0] = 1
    return f @ np.linalg.solve(K, f)


def truss_strain_energy(u, nodes, elems, EA):
    d = nodes[elems[:, 1]] - nodes[elems[:, 0]]
    L = np.sqrt((d ** 2).sum(1))
    du = u.reshape(-1, 2)[elems[:, 1]] - u.reshape(-1, 2)[elems[:, 0]]
    strain = (du * d).sum(1) / L ** 2
    return 0.5 * (EA * L * strain ** 2).sum()


def csr_quadratic_form(x, indptr, indices, data):
    return x @ csr_matvec_row_ids(indptr, indices, data, x)


def reduceat_row_norms(x, indptr, indices, data):
    return (np.add.reduceat(data * x[indices], indptr[:-1]) ** 2).sum()


def heat_energy_after_steps(u0):
    return (heat_explicit(u0) ** 2).sum()


def jacobi_solution_sum(f):
    return jacobi_poisson_2d(f, iters=5).sum()


def gradient_field_energy(F):
    gy, gx = np.gradient(F, 0.5, 0.25)
    return (gx ** 2 + gy ** 2).sum()


def resampled_x_energy(P):
    return (resample_polyline(P, 7)[:, 0] ** 2).sum()


def track_length(lat, lon):
    return track_length_km(lat, lon)


def coulomb_energy(P):
    return (1 / pairwise_triu(P)[0]).sum()


def heading_sum(P):
    d = np.diff(P, axis=0)
    return np.arctan2(d[:, 1], d[:, 0]).sum() + np.unwrap(np.arctan2(d[:, 1], d[:, 0])).sum()


def tetra_volume_sum(V, T):
    return np.abs(tetra_volume_det(V, T)).sum()


def clipped_spring_energy(P):
    D = np.sqrt(((P[:, None] - P[None]) ** 2).sum(-1) + np.eye(len(P)))
    return np.minimum(D, 1.0).sum() + np.clip(P, -0.5, 0.5).sum() + np.where(P > 0, P,
                                                                             0.1 * P).sum()


_OCTA = _tetra(1, 1)
_GRID = _mesh(1, 3)

GRADIENTS = {
    "mesh_area_loss": (mesh_area_loss, lambda: _GRID),
    "vertex_normal_loss": (vertex_normal_loss, lambda: _OCTA),
    "mesh_volume": (mesh_volume, lambda: _OCTA),
    "laplacian_energy": (laplacian_energy, lambda: _GRID),
    "cotangent_energy": (cotangent_energy, lambda: _GRID),
    "bar_compliance": (bar_compliance, lambda: (_f(5, positive=True, seed=2), _xs(2, 6), np.r_[0, _f(5, seed=3)])),
    "truss_strain_energy": (truss_strain_energy, lambda: (0.01 * _f(10, seed=4), _TRUSS_NODES, _TRUSS_ELEMS, _f(7, positive=True, seed=5))),
    "polygon_area": (lambda P: shoelace_area(P[:, 0], P[:, 1]), lambda: (_poly(3, 6),)),
    "polyline_length": (polyline_length, lambda: (_f(6, 2, seed=6),)),
    "resampled_x_energy": (resampled_x_energy, lambda: (np.cumsum(_f(6, 2, positive=True, seed=7), axis=0),)),
    "coulomb_energy": (coulomb_energy, lambda: (_f(5, 2, seed=8),)),
    "csr_quadratic_form": (csr_quadratic_form, lambda: (_f(5, seed=9),) + _csr(9, 5)),
    "reduceat_row_norms": (reduceat_row_norms, lambda: (_f(5, seed=10),) + _csr_full_rows(10, 5)),
    "heat_energy_after_steps": (heat_energy_after_steps, lambda: (_f(8, seed=11),)),
    "jacobi_solution_sum": (jacobi_solution_sum, lambda: (_f(5, 5, seed=12),)),
    "gradient_field_energy": (gradient_field_energy, lambda: (_f(4, 5, seed=13),)),
    "heading_sum": (heading_sum, lambda: (_f(5, 2, seed=14),)),
    "tetra_volume_sum": (tetra_volume_sum, lambda: (_f(6, 3, seed=15), np.array([[0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5]]))),
    "kabsch_rmsd": (lambda P, Q: kabsch(P, Q)[1], lambda: (_f(6, 3, seed=16), _f(6, 3, seed=17))),
    "clipped_spring_energy": (clipped_spring_energy, lambda: (_f(5, 2, seed=18),)),
}


@pytest.mark.parametrize("name", list(GRADIENTS))
def test_gradients_of_geometry_and_fem_energies(name):
    """`tracenp.grad` with respect to the first argument (vertices, stiffnesses, displacements,
    grid values), plain and under `jit`, against central differences; the value is NumPy's."""
    fn, make_args = GRADIENTS[name]
    x, *rest = make_args()
    want = np.zeros_like(x)
    for j in np.ndindex(x.shape):
        hi, lo = x.copy(), x.copy()
        hi[j] += 1e-6
        lo[j] -= 1e-6
        want[j] = (fn(hi, *rest) - fn(lo, *rest)) / 2e-6
    scale = max(1.0, float(np.abs(want).max()))
    for grad in (tracenp.grad(fn), tracenp.jit(tracenp.grad(fn))):
        np.testing.assert_allclose(grad(x, *rest), want, rtol=1e-4, atol=1e-5 * scale)
    value, _ = tracenp.value_and_grad(fn)(x, *rest)
    np.testing.assert_allclose(value, fn(x, *rest), rtol=1e-12)
