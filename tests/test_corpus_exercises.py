"""Corpus, exercises: NumPy as the classic teaching collections write it.

Rougier's "100 NumPy exercises" and "From Python to NumPy", the Python Data Science
Handbook's NumPy chapter, the scipy lecture notes, the CS231n NumPy tutorial and assignment
helpers (kNN distances, SVM and softmax losses, im2col), and Rosetta Code solutions, turned
into functions of their arrays. Same protocol as `test_corpus.py` (NumPy's values and dtypes,
two shapes), and arguments the function writes in place must be written as NumPy writes them.
"""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_against_numpy, check_like_numpy
from test_ops import assert_same

# ----------------------------------------------------------------------------- 100 exercises


def border_zero_inside(Z):
    Z = np.ones_like(Z)
    Z[1:-1, 1:-1] = 0
    return Z


def add_border(Z):
    a = np.pad(Z, pad_width=1, mode="constant", constant_values=0)
    Z = Z.copy()
    Z[:, [0, -1]] = 0
    Z[[0, -1], :] = 0
    return a, Z


def diag_below(v):
    return np.diag(1 + v, k=-1)


def checkerboard_like(x):
    Z = np.zeros_like(x, dtype=int)
    Z[1::2, ::2] = 1
    Z[::2, 1::2] = 1
    return Z * x


def normalize_matrix(Z):
    return (Z - np.mean(Z)) / (np.std(Z))


def argmax_index(Z):
    return np.unravel_index(np.argmax(Z), Z.shape)


def negate_between(Z):
    Z = Z.copy()
    Z[(3 < Z) & (Z <= 8)] *= -1
    return Z


def round_away(Z):
    return np.copysign(np.ceil(np.abs(Z)), Z), np.where(Z > 0, np.ceil(Z), np.floor(Z))


def inplace_out_chain(A, B):
    np.add(A, B, out=B)
    np.divide(A, 2, out=A)
    np.negative(A, out=A)
    np.multiply(A, B, out=A)
    return A


def integer_parts(Z):
    return Z - Z % 1, Z // 1, np.floor(Z), Z.astype(int), np.trunc(Z)


def row_ranges(x):
    Z = np.zeros((len(x), 5))
    Z += np.arange(5)
    return Z * x[:, None], np.tile(np.arange(0, 5), (len(x), 1))


def open_interval(x):
    Z = np.linspace(0, 1, len(x) + 1, endpoint=False)[1:]
    return Z * x


def sort_in_place(Z):
    Z.sort()
    return np.add.reduce(Z)


def equal_checks(A, B):
    return np.allclose(A, B), np.array_equal(A, B), np.array_equal(A, A)


def replace_max_1d(Z):
    Z = Z.copy()
    Z[Z.argmax()] = 0
    return Z


def gaussian_meshgrid(sigma, n):
    X, Y = np.meshgrid(np.linspace(-1, 1, n), np.linspace(-1, 1, n))
    D = np.sqrt(X * X + Y * Y)
    mu = 0.0
    return np.exp(-((D - mu) ** 2 / (2.0 * sigma ** 2)))


def cauchy_det(X):
    Y = X + 0.5
    C = 1.0 / np.subtract.outer(X, Y)
    return np.linalg.det(C)


def closest_value(Z, v):
    index = (np.abs(Z - v)).argmin()
    return Z[index], Z.flat[np.abs(Z - v).argmin()]


def put_ones(Z):
    Z = Z.copy()
    np.put(Z, [3, 7, 11], 1)
    return Z


def subtract_row_mean(X):
    return X - X.mean(axis=1, keepdims=True), X - X.mean(axis=1).reshape(-1, 1)


def sort_by_column(Z):
    return Z[Z[:, 1].argsort(kind="stable")]


def has_null_columns(Z):
    return (~Z.any(axis=0)).any()


def add_at_repeated(Z, I):
    Z = Z.copy()
    np.add.at(Z, I, 1)
    return Z


def sum_last_two_axes(A):
    return A.sum(axis=(-2, -1)), A.reshape(A.shape[:-2] + (-1,)).sum(axis=-1)


def diag_of_dot(A, B):
    return np.diag(np.dot(A, B)), np.sum(A * B.T, axis=1), np.einsum("ij,ji->i", A, B)


def interleave_zeros(Z, nz=3):
    Z0 = np.zeros(len(Z) + (len(Z) - 1) * (nz))
    Z0[::nz + 1] = Z
    return Z0


def multiply_last_axis(A, B):
    return A * B[:, :, None]


def moving_average_cumsum(a, n=3):
    ret = np.cumsum(a, dtype=float)
    ret[n:] = ret[n:] - ret[:-n]
    return ret[n - 1:] / n


def negate_out(Zi, Zf):
    np.logical_not(Zi, out=Zi)
    np.negative(Zf, out=Zf)
    return Zi, Zf


def point_line_distance(P0, P1, p):
    T = P1 - P0
    L = (T ** 2).sum(axis=1)
    U = -((P0[:, 0] - p[..., 0]) * T[:, 0] + (P0[:, 1] - p[..., 1]) * T[:, 1]) / L
    U = U.reshape(len(U), 1)
    D = P0 + U * T - p
    return np.sqrt((D ** 2).sum(axis=1))


def points_lines_distances(P0, P1, P):
    return np.array([point_line_distance(P0, P1, p_i) for p_i in P])


def extract_centered(Z, position=(1, 1), shape=(5, 5), fill=0):
    R = np.ones(shape, dtype=Z.dtype) * fill
    P = np.array(list(position)).astype(int)
    Rs = np.array(list(R.shape)).astype(int)
    Zs = np.array(list(Z.shape)).astype(int)
    R_start = np.zeros((len(shape),)).astype(int)
    R_stop = np.array(list(shape)).astype(int)
    Z_start = (P - Rs // 2)
    Z_stop = (P + Rs // 2) + Rs % 2
    R_start = (R_start - np.minimum(Z_start, 0)).tolist()
    Z_start = (np.maximum(Z_start, 0)).tolist()
    R_stop = np.maximum(R_start, (R_stop - np.maximum(Z_stop - Zs, 0))).tolist()
    Z_stop = (np.minimum(Z_stop, Zs)).tolist()
    r = [slice(start, stop) for start, stop in zip(R_start, R_stop)]
    z = [slice(start, stop) for start, stop in zip(Z_start, Z_stop)]
    R[tuple(r)] = Z[tuple(z)]
    return R


def matrix_rank_svd(Z):
    U, S, V = np.linalg.svd(Z)
    return np.sum(S > 1e-10)


def block_sum(Z, k=2):
    return np.add.reduceat(np.add.reduceat(Z, np.arange(0, Z.shape[0], k), axis=0),
                           np.arange(0, Z.shape[1], k), axis=1)


def life_iterate(Z):
    N = (Z[0:-2, 0:-2] + Z[0:-2, 1:-1] + Z[0:-2, 2:] +
         Z[1:-1, 0:-2] + Z[1:-1, 2:] +
         Z[2:, 0:-2] + Z[2:, 1:-1] + Z[2:, 2:])
    birth = (N == 3) & (Z[1:-1, 1:-1] == 0)
    survive = ((N == 2) | (N == 3)) & (Z[1:-1, 1:-1] == 1)
    Z[...] = 0
    Z[1:-1, 1:-1][birth | survive] = 1
    return Z


def life_steps(Z, steps=4):
    for i in range(steps):
        Z = life_iterate(Z)
    return Z


def n_largest(Z, n=3):
    return Z[np.argsort(Z)[-n:]], np.sort(Z[np.argpartition(-Z, n)[:n]])


def cartesian(arrays):
    arrays = [np.asarray(a) for a in arrays]
    shape = (len(x) for x in arrays)
    ix = np.indices(shape, dtype=int)
    ix = ix.reshape(len(arrays), -1).T
    for n, arr in enumerate(arrays):
        ix[:, n] = arrays[n][ix[:, n]]
    return ix


def binary_representation(I):
    B = ((I.reshape(-1, 1) & (2 ** np.arange(8))) != 0).astype(int)
    return B[:, ::-1]


def einsum_equivalents(A, B):
    return (np.einsum("i->", A), np.einsum("i,i->i", A, B), np.einsum("i,i", A, B),
            np.einsum("i,j->ij", A, B))


def equidistant_path(x, y):
    dr = (np.diff(x) ** 2 + np.diff(y) ** 2) ** .5
    r = np.zeros_like(x)
    r[1:] = np.cumsum(dr)
    r_int = np.linspace(0, r.max(), 20)
    return np.interp(r_int, r, x), np.interp(r_int, r, y)


def multinomial_rows(X, n=4):
    M = np.logical_and.reduce(np.mod(X, 1) == 0, axis=-1)
    M &= (X.sum(axis=-1) == n)
    return M


def bootstrap_confint(X, idx):
    means = X[idx].mean(axis=1)
    return np.percentile(means, [2.5, 97.5])


def int_expressions(Z):
    return Z ** Z, 2 << Z >> 2, Z < - Z, 1j * Z, Z / 1 / 1


def colors_to_24bit(I):
    return np.dot(I.astype(np.uint32), [1, 256, 65536])


# ------------------------------------------------------------------ Data Science Handbook


def ufunc_out_views(x):
    y = np.empty(len(x))
    np.multiply(x, 10, out=y)
    z = np.zeros(2 * len(x))
    np.power(2, x, out=z[::2])
    return y, z


def ufunc_methods(x):
    return (np.add.reduce(x), np.multiply.reduce(x), np.add.accumulate(x),
            np.multiply.accumulate(x), np.multiply.outer(x, x))


def ufunc_reductions(a, x):
    return (np.bitwise_or.reduce(a), np.bitwise_xor.reduce(a, axis=1), np.gcd.reduce(a + 1, axis=0),
            np.subtract.reduce(a, axis=0), np.bitwise_or.reduce(a[:1]),
            np.logical_xor.reduce(a > 20, axis=0), np.fmax.reduce(x),
            np.fmin.reduce(x, axis=1, keepdims=True), np.divide.reduce(x, axis=1),
            np.logical_xor.reduce(x), np.logical_xor.reduce(x[:1]),
            np.fmax.reduce(np.where(x > 0.5, np.nan, x)), np.bitwise_or.reduce(np.arange(5)))


def ufunc_accumulations(x, a):
    return (np.subtract.accumulate(x), np.divide.accumulate(x, axis=1), np.power.accumulate(a),
            np.arctan2.accumulate(x, axis=0), np.logical_xor.accumulate(x), np.gcd.accumulate(a),
            np.remainder.accumulate(a + 1, axis=1), np.hypot.accumulate(x), np.fmax.accumulate(x),
            np.floor_divide.accumulate(x[::-1]))


def broadcast_surface(n):
    x = np.linspace(0, 5, n)
    y = np.linspace(0, 5, n)[:, np.newaxis]
    return np.sin(x) ** 10 + np.cos(10 + y * x) * np.cos(x)


def comparisons_as_counts(x):
    return (np.count_nonzero(x < 6), np.sum(x < 6, axis=1), np.any(x > 8), np.all(x < 10, axis=1),
            np.sum((x > 2) & (x < 7)), np.sum(~((x <= 2) | (x >= 7))))


def rainy_days(inches):
    rainy = (inches > 0)
    days = np.arange(len(inches))
    summer = (days > 172) & (days < 262)
    return (np.median(inches[rainy]), np.median(inches[summer]), np.max(inches[summer]),
            np.median(inches[rainy & ~summer]))


def fancy_combined(X, row, col):
    mask = np.array([1, 0, 1, 0], dtype=bool)
    return (X[row[:, np.newaxis], col], X[2, [2, 0, 1]], X[1:, [2, 0, 1]],
            X[row[:, np.newaxis], mask])


def fancy_assign(x):
    x = x.copy()
    i = np.array([2, 1, 8, 4])
    x[i] = 99
    x[i] -= 10
    x[[0, 0]] = [4, 6]
    y = np.zeros(10)
    y[[0, 1, 1, 2, 3, 3, 3]] += 1
    return x, y


def binning_add_at(x):
    bins = np.linspace(-5, 5, 20)
    counts = np.zeros_like(bins)
    i = np.searchsorted(bins, x)
    np.add.at(counts, i, 1)
    return counts


def selection_sort(x):
    for i in range(len(x)):
        swap = i + np.argmin(x[i:])
        (x[i], x[swap]) = (x[swap], x[i])
    return x


def sorts_partitions(X, x):
    return np.sort(X, axis=0), np.sort(X, axis=1), np.sort(np.partition(x, 3)[:3])


def knn_handbook(X, K=2):
    dist_sq = np.sum((X[:, np.newaxis, :] - X[np.newaxis, :, :]) ** 2, axis=-1)
    nearest = np.argsort(dist_sq, axis=1, kind="stable")
    nearest_partition = np.argpartition(dist_sq, K + 1, axis=1)
    return dist_sq.diagonal(), nearest[:, 1], np.sort(nearest_partition[:, :K + 1], axis=1)


# ----------------------------------------------------------------------------- From Python to NumPy


def random_walk(steps):
    return np.add.accumulate(steps), np.cumsum(steps)


def life_update(Z):
    N = np.zeros(Z.shape, dtype=int)
    N[1:-1, 1:-1] += (Z[:-2, :-2] + Z[:-2, 1:-1] + Z[:-2, 2:] +
                      Z[1:-1, :-2] + Z[1:-1, 2:] +
                      Z[2:, :-2] + Z[2:, 1:-1] + Z[2:, 2:])
    birth = (N == 3)[1:-1, 1:-1] & (Z[1:-1, 1:-1] == 0)
    survive = ((N == 2) | (N == 3))[1:-1, 1:-1] & (Z[1:-1, 1:-1] == 1)
    Z[...] = 0
    Z[1:-1, 1:-1][birth | survive] = 1
    return Z


def gray_scott(Z, steps=3, Du=0.16, Dv=0.08, F=0.035, k=0.065):
    U, V = Z[0], Z[1]
    u, v = U[1:-1, 1:-1], V[1:-1, 1:-1]
    for _ in range(steps):
        Lu = (U[0:-2, 1:-1] + U[1:-1, 0:-2] - 4 * U[1:-1, 1:-1] + U[1:-1, 2:] + U[2:, 1:-1])
        Lv = (V[0:-2, 1:-1] + V[1:-1, 0:-2] - 4 * V[1:-1, 1:-1] + V[1:-1, 2:] + V[2:, 1:-1])
        uvv = u * v * v
        u += (Du * Lu - uvv + F * (1 - u))
        v += (Dv * Lv + uvv - (F + k) * v)
    return Z


def mandelbrot_numpy(xmin, xmax, ymin, ymax, xn=6, yn=5, maxiter=8, horizon=2.0):
    X = np.linspace(xmin, xmax, xn, dtype=np.float32)
    Y = np.linspace(ymin, ymax, yn, dtype=np.float32)
    C = X + Y[:, None] * 1j
    N = np.zeros(C.shape, dtype=int)
    Z = np.zeros(C.shape, np.complex64)
    for n in range(maxiter):
        I = np.less(abs(Z), horizon)
        N[I] = n
        Z[I] = Z[I] ** 2 + C[I]
    N[N == maxiter - 1] = 0
    return Z, N


def voronoi_nearest(P, Q):
    D = np.sqrt(((P[:, None, :] - Q[None, :, :]) ** 2).sum(-1))
    return np.argmin(D, axis=1), D.min(axis=1)


def boids_alignment(position, velocity):
    n = len(position)
    dx = np.subtract.outer(position[:, 0], position[:, 0])
    dy = np.subtract.outer(position[:, 1], position[:, 1])
    distance = np.hypot(dx, dy)
    mask_0 = (distance > 0)
    mask_1 = (distance < 1.0)
    mask_1 *= mask_0
    count = np.maximum(mask_1.sum(axis=1), 1)
    target = np.dot(mask_1, velocity) / count.reshape(n, 1)
    norm = np.sqrt((target * target).sum(axis=1)).reshape(n, 1)
    target *= np.divide(target, norm, out=target, where=norm != 0)
    return target


def views_and_copies(Z):
    Z_view = Z[:3]
    Z_view[...] = 1
    Z_copy = Z[[0, 1, 2]]
    Z_copy[...] = 2
    Z2 = Z.reshape(3, 3)
    Z2.ravel()[::4] = 5
    return Z, Z_copy


def ravel_view_write(Z):
    Z.ravel()[1::2] = 0
    Z.reshape(-1)[0] = 7
    return Z


# ----------------------------------------------------------------------------- CS231n


def knn_two_loops(X, X_train):
    num_test = X.shape[0]
    num_train = X_train.shape[0]
    dists = np.zeros((num_test, num_train))
    for i in range(num_test):
        for j in range(num_train):
            dists[i, j] = np.sqrt(np.sum(np.square(X[i] - X_train[j])))
    return dists


def knn_one_loop(X, X_train):
    num_test = X.shape[0]
    dists = np.zeros((num_test, X_train.shape[0]))
    for i in range(num_test):
        dists[i, :] = np.sqrt(np.sum(np.square(X_train - X[i]), axis=1))
    return dists


def knn_no_loops(X, X_train):
    return np.sqrt(np.maximum(-2 * np.dot(X, X_train.T) + np.sum(np.square(X_train), axis=1)
                              + np.sum(np.square(X), axis=1)[:, np.newaxis], 0))


def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    correct_class_scores = scores[np.arange(num_train), y]
    margins = np.maximum(0, scores - correct_class_scores[:, np.newaxis] + 1)
    margins[np.arange(num_train), y] = 0
    loss = np.sum(margins) / num_train + reg * np.sum(W * W)
    binary = margins
    binary[margins > 0] = 1
    row_sum = np.sum(binary, axis=1)
    binary[np.arange(num_train), y] = -row_sum.T
    dW = np.dot(X.T, binary) / num_train + 2 * reg * W
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(num_train), y])) / num_train + reg * np.sum(W * W)
    dscores = probs
    dscores[np.arange(num_train), y] -= 1
    dscores /= num_train
    dW = X.T.dot(dscores) + 2 * reg * W
    return loss, dW


def two_layer_backward(X, y, W1, b1, W2, b2):
    N = X.shape[0]
    h1 = np.maximum(0, X.dot(W1) + b1)
    scores = h1.dot(W2) + b2
    probs = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    dscores = probs
    dscores[range(N), y] -= 1
    dscores /= N
    dW2 = h1.T.dot(dscores)
    db2 = np.sum(dscores, axis=0)
    dh1 = dscores.dot(W2.T)
    dh1[h1 <= 0] = 0
    return X.T.dot(dh1), np.sum(dh1, axis=0), dW2, db2


def affine_relu_backward(x, w, b, dout):
    a = x.reshape(x.shape[0], -1).dot(w) + b
    da = dout.copy()
    da[a <= 0] = 0
    dx = da.dot(w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T.dot(da)
    return dx, dw, np.sum(da, axis=0), dout * (a > 0)


def conv_forward_naive(x, w, b, stride=1, pad=1):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.pad(x, ((0,), (0,), (pad,), (pad,)), "constant")
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    window = x_pad[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out


def max_pool_backward_naive(x, dout, ph=2, pw=2, stride=2):
    dx = np.zeros_like(x)
    N, C, H_out, W_out = dout.shape
    for i in range(H_out):
        for j in range(W_out):
            window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw]
            m = np.max(window, axis=(2, 3), keepdims=True)
            dx[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw] += \
                (window == m) * dout[:, :, i:i + 1, j:j + 1]
    return dx


def word_embedding(x, W, dout):
    out = W[x]
    dW = np.zeros_like(W)
    np.add.at(dW, x, dout)
    return out, dW


def temporal_softmax_loss(x, y, mask):
    N, T, V = x.shape
    x_flat = x.reshape(N * T, V)
    y_flat = y.reshape(N * T)
    mask_flat = mask.reshape(N * T)
    probs = np.exp(x_flat - np.max(x_flat, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = -np.sum(mask_flat * np.log(probs[np.arange(N * T), y_flat])) / N
    dx_flat = probs.copy()
    dx_flat[np.arange(N * T), y_flat] -= 1
    dx_flat /= N
    dx_flat *= mask_flat[:, None]
    return loss, dx_flat.reshape(N, T, V)


def rnn_forward(x, Wx, Wh, b, h0):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    prev_h = h0
    for t in range(T):
        prev_h = np.tanh(x[:, t, :].dot(Wx) + prev_h.dot(Wh) + b)
        h[:, t, :] = prev_h
    return h


def get_im2col_indices(x_shape, field_height, field_width, padding=1, stride=1):
    N, C, H, W = x_shape
    out_height = (H + 2 * padding - field_height) // stride + 1
    out_width = (W + 2 * padding - field_width) // stride + 1
    i0 = np.repeat(np.arange(field_height), field_width)
    i0 = np.tile(i0, C)
    i1 = stride * np.repeat(np.arange(out_height), out_width)
    j0 = np.tile(np.arange(field_width), field_height * C)
    j1 = stride * np.tile(np.arange(out_width), out_height)
    i = i0.reshape(-1, 1) + i1.reshape(1, -1)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    k = np.repeat(np.arange(C), field_height * field_width).reshape(-1, 1)
    return (k, i, j)


def im2col_indices(x, field_height=3, field_width=3, padding=1, stride=1):
    p = padding
    x_padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode="constant")
    k, i, j = get_im2col_indices(x.shape, field_height, field_width, padding, stride)
    cols = x_padded[:, k, i, j]
    C = x.shape[1]
    return cols.transpose(1, 2, 0).reshape(field_height * field_width * C, -1)


def col2im_indices(cols, x_shape=(2, 2, 4, 4), field_height=3, field_width=3, padding=1,
                   stride=1):
    N, C, H, W = x_shape
    H_padded, W_padded = H + 2 * padding, W + 2 * padding
    x_padded = np.zeros((N, C, H_padded, W_padded), dtype=cols.dtype)
    k, i, j = get_im2col_indices(x_shape, field_height, field_width, padding, stride)
    cols_reshaped = cols.reshape(C * field_height * field_width, -1, N)
    cols_reshaped = cols_reshaped.transpose(2, 0, 1)
    np.add.at(x_padded, (slice(None), k, i, j), cols_reshaped)
    if padding == 0:
        return x_padded
    return x_padded[:, :, padding:-padding, padding:-padding]


def tutorial_views(a):
    b = a[:2, 1:3]
    b[0, 0] = 77
    row_r1 = a[1, :]
    row_r2 = a[1:2, :]
    return a, row_r1.shape, row_r2.shape, a[[0, 1, 2], [0, 1, 0]]


def tutorial_mutate_rows(a, b):
    a[np.arange(len(a)), b] += 10
    return a


def tutorial_broadcast_loop(x, v):
    y = np.empty_like(x)
    for i in range(x.shape[0]):
        y[i, :] = x[i, :] + v
    vv = np.tile(v, (x.shape[0], 1))
    return y, x + vv, np.reshape(v, (-1, 1)) * x[0], (x.T + x[:, 0]).T


# ----------------------------------------------------------------------------- scipy lectures


def lecture_slices(a):
    a = a.copy()
    a[5:] = 10
    b = np.arange(5)
    a[5:] = b[::-1]
    return a


def lecture_fancy(a):
    mask = np.array([1, 0, 1, 0, 0, 1], dtype=bool)
    return a[(0, 1, 2, 3, 4), (1, 2, 3, 4, 5)], a[3:, [0, 2, 5]], a[mask, 2]


def ogrid_mgrid(s):
    x, y = np.ogrid[0:5, 0:5]
    distance = np.sqrt(x ** 2 + y ** 2)
    xm, ym = np.mgrid[0:4, 0:4]
    return distance * s, xm + ym * s


def mileposts_distances(m):
    return np.abs(m - m[:, np.newaxis])


def sieve(N_max=50):
    is_prime = np.ones((N_max,), dtype=bool)
    is_prime[:2] = 0
    for j in range(2, int(np.sqrt(N_max)) + 1):
        if is_prime[j]:
            is_prime[j * j::j] = False
    return np.nonzero(is_prime)[0]


def populations_stats(data):
    year, hares, lynxes, carrots = data.T
    populations = data[:, 1:]
    species = np.array(["H", "L", "C"])
    return (populations.mean(axis=0), populations.std(axis=0), np.argmax(populations, axis=1),
            np.corrcoef(hares, lynxes), year[np.argmax(hares)], species.size)


def lecture_random_walk(steps):
    positions = np.cumsum(steps, axis=1)
    sq_distance = positions ** 2
    return np.mean(sq_distance, axis=0), np.sqrt(np.mean(sq_distance, axis=0))


def sort_in_place_rows(a):
    a.sort(axis=1)
    j = np.argsort(a[0], kind="stable")
    return a[0][j], a


def lexsort_keys(a, b):
    ind = np.lexsort((b, a))
    return ind, a[ind], b[ind]


# ----------------------------------------------------------------------------- Rosetta Code


def fibonacci_matrix(a, n=10):
    return np.linalg.matrix_power(np.array([[1, 1], [1, 0]]), n)[0, 1] * a


def rms_and_std(x):
    return np.sqrt(np.mean(x ** 2)), np.sqrt(x.dot(x) / len(x)), x.std(), np.sum(x ** 2)


def cumulative_std(x):
    n = np.arange(1, len(x) + 1)
    mean = np.cumsum(x) / n
    return np.sqrt(np.cumsum(x ** 2) / n - mean ** 2)


def pascal_matrix(x):
    n = len(x)
    P = np.zeros((n, n), dtype=int)
    P[:, 0] = 1
    for i in range(1, n):
        P[i, 1:] = P[i - 1, :-1] + P[i - 1, 1:]
    return P, np.tril(P) @ x


def kron_identity(a):
    return np.kron(np.identity(2), a), np.kron(a, np.ones((2, 2)))


# ---------------------------------------------------------------- put/place/copyto, dtypes


def put_place_copyto(a):
    b = a.copy()
    np.putmask(b, b > 0, b ** 2)
    c = a.copy()
    np.copyto(c, 0.0, where=c < -0.5)
    d = a.copy()
    np.place(d, d > 1, 1.0)
    return b, c, d


def rows_enumerate(X):
    out = np.empty(len(X))
    for i, row in enumerate(X):
        out[i] = row.max() - row.min()
    return out


def tril_lower_pairs(D):
    return D[np.tril_indices(len(D), -1)], D[np.triu_indices_from(D, k=1)]


def ix_constant_and_traced(X, idx):
    return X[np.ix_([0, 2], [1, 3])], X[np.ix_(idx, idx)]


def int8_overflow(a):
    b = a.astype(np.int8)
    return b * 100, b + b, np.cumsum(b), b.sum(), b.mean(), np.int8(100) + b


def uint8_wrap(img):
    return img - 1, (img.astype(np.int16) + 100).clip(0, 255).astype(np.uint8), img // 2 * 3


def bool_sums(m):
    return m.sum(), m.sum(axis=0), m.mean(), m.sum(dtype=np.int8), np.sum(m) / m.size, m.cumsum()


def python_scalars_mixed(x, s, k):
    return x * s + k, k / 2, k // 2, s ** 2, x.shape[0] * k, abs(-k)


def diff_cumsum_tricks(x):
    return ((np.diff(np.sign(x)) != 0).sum(), np.diff(x, prepend=0), np.diff(x, append=x[-1]),
            np.cumsum(x)[-1], np.diff(x, n=2))


def roll_pad_tile_repeat(x):
    return (np.roll(x, 2), np.roll(x, -1, axis=0), np.pad(x, (2, 1), mode="edge"),
            np.tile(x, 2), np.repeat(x, 2), np.repeat(x[:2], [1, 3]))


def len_and_shape(x):
    return len(x), x.shape, x.ndim, x.size, x.dtype.itemsize


def ndenumerate_weighted(Z):
    total = 0.0
    for index, value in np.ndenumerate(Z):
        total += value * (index[0] + 1)
    out = np.zeros_like(Z)
    for index in np.ndindex(Z.shape):
        out[index] = Z[index] ** 2
    return total, out


def group_extremes(values, groups, k=3):
    hi = np.full(k, -np.inf)
    np.maximum.at(hi, groups, values)
    lo = np.full(k, np.inf)
    np.minimum.at(lo, groups, values)
    return hi, lo, hi - lo


def scatter_max_pixels(img, rows, cols):
    canvas = np.zeros((4, 4), dtype=img.dtype)
    np.maximum.at(canvas, (rows, cols), img)
    return canvas


def python_int_arithmetic(x, k):
    flag = k == 3
    return (x * k ** -1, k ** -2, flag + 1, True + flag, -flag, flag & True, k + True,
            x[0] ** -1)


def where_assign(x, y):
    x[np.where(x > 1.5)] = 1.5
    idx = np.where(x > 0)[0]
    y[idx] = x[idx] * 2
    x[np.nonzero(x < -1)] += 10
    return x, y


def nonzero_2d(Z):
    Z[np.nonzero(Z > 0.5)] = 1
    Z[np.where(Z < 0)] *= -1
    return Z, Z[np.nonzero(Z > 0.2)].sum(), (Z > 0).nonzero()[1].sum()


def argwhere_centroid(img):
    pts = np.argwhere(img > 0)
    return pts.mean(axis=0), pts.sum(axis=0), np.flatnonzero(img > 0).sum()


def softmax_loss_naive(W, X, y, reg):
    loss = 0.0
    dW = np.zeros_like(W)
    num_classes = W.shape[1]
    num_train = X.shape[0]
    for i in range(num_train):
        scores = X[i].dot(W)
        scores -= np.max(scores)
        loss += -scores[y[i]] + np.log(np.sum(np.exp(scores)))
        for j in range(num_classes):
            p = np.exp(scores[j]) / np.sum(np.exp(scores))
            dW[:, j] += (p - (j == y[i])) * X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW


# ----------------------------------------------------------------------------- the table


def _b(*shape, seed=0):
    return np.random.default_rng(seed).integers(0, 2, shape)


def _u8(*shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


EXERCISES = {
    "border_zero_inside": (border_zero_inside, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "add_border": (add_border, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "diag_below": (diag_below, {}, lambda s, n: (_i(9, n, seed=s),)),
    "checkerboard_like": (checkerboard_like, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "normalize_matrix": (normalize_matrix, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "argmax_index": (argmax_index, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "negate_between": (negate_between, {}, lambda s, n: (_i(11, n + 5, seed=s),)),
    "round_away": (round_away, {}, lambda s, n: (_f(n, seed=s) * 10,)),
    "inplace_out_chain": (inplace_out_chain, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "integer_parts": (integer_parts, {}, lambda s, n: (_f(n, positive=True, seed=s) * 5,)),
    "row_ranges": (row_ranges, {}, lambda s, n: (_f(n, seed=s),)),
    "open_interval": (open_interval, {}, lambda s, n: (_f(n, seed=s),)),
    "sort_in_place": (sort_in_place, {}, lambda s, n: (_f(n, seed=s),)),
    "equal_checks": (equal_checks, {}, lambda s, n: (_b(n, seed=s), _b(n, seed=s + 1))),
    "replace_max_1d": (replace_max_1d, {}, lambda s, n: (_f(n, seed=s),)),
    "gaussian_meshgrid": (gaussian_meshgrid, {"n": 6}, lambda s, n: (0.5 + 0.1 * n,)),
    "cauchy_det": (cauchy_det, {}, lambda s, n: (np.arange(n) + 0.1 * s,)),
    "closest_value": (closest_value, {}, lambda s, n: (_f(3 * n, seed=s), 0.3 * s)),
    "put_ones": (put_ones, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "subtract_row_mean": (subtract_row_mean, {}, lambda s, n: (_f(n, 6, seed=s),)),
    "sort_by_column": (sort_by_column, {}, lambda s, n: (_i(10, n, 3, seed=s),)),
    "has_null_columns": (has_null_columns, {}, lambda s, n: (_i(3, 3, n, seed=s),)),
    "add_at_repeated": (add_at_repeated, {}, lambda s, n: (np.ones(10), _i(10, 2 * n, seed=s))),
    "sum_last_two_axes": (sum_last_two_axes, {}, lambda s, n: (_i(10, 3, n, 3, 4, seed=s),)),
    "diag_of_dot": (diag_of_dot, {}, lambda s, n: (_f(n, n, seed=s), _f(n, n, seed=s + 1))),
    "interleave_zeros": (interleave_zeros, {}, lambda s, n: (_i(9, n, seed=s),)),
    "multiply_last_axis": (multiply_last_axis, {}, lambda s, n: (_f(n, 5, 3, seed=s),
                                                                 _f(n, 5, seed=s + 1))),
    "moving_average_cumsum": (moving_average_cumsum, {}, lambda s, n: (_i(20, n + 3, seed=s),)),
    "negate_out": (negate_out, {}, lambda s, n: (_b(n, seed=s), _f(n, seed=s))),
    "point_line_distance": (point_line_distance, {}, lambda s, n: (
        _f(n, 2, seed=s) * 10, _f(n, 2, seed=s + 1) * 10, _f(1, 2, seed=s + 2) * 10)),
    "points_lines_distances": (points_lines_distances, {}, lambda s, n: (
        _f(n, 2, seed=s) * 10, _f(n, 2, seed=s + 1) * 10, _f(3, 2, seed=s + 2) * 10)),
    "extract_centered": (extract_centered, {}, lambda s, n: (_i(10, n + 4, n + 4, seed=s),)),
    "matrix_rank_svd": (matrix_rank_svd, {}, lambda s, n: (_f(n, n, seed=s),)),
    "block_sum": (block_sum, {}, lambda s, n: (_f(n, 2 * n, seed=s),)),
    "life_steps": (life_steps, {}, lambda s, n: (_b(n + 4, n + 5, seed=s),)),
    "n_largest": (n_largest, {}, lambda s, n: (np.random.default_rng(s).permutation(3 * n),)),
    "cartesian": (cartesian, {}, lambda s, n: ((_f(3, seed=s), _f(n, seed=s + 1), _f(2)),)),
    "binary_representation": (binary_representation, {}, lambda s, n: (_i(256, n, seed=s),)),
    "einsum_equivalents": (einsum_equivalents, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "equidistant_path": (equidistant_path, {}, lambda s, n: (
        np.arange(n * 4) * 0.3 * np.cos(np.arange(n * 4) * 0.3 + s),
        np.arange(n * 4) * 0.3 * np.sin(np.arange(n * 4) * 0.3))),
    "multinomial_rows": (multinomial_rows, {}, lambda s, n: (
        np.where(_b(n, 4, seed=s) > 0, _i(3, n, 4, seed=s), 0.5),)),
    "bootstrap_confint": (bootstrap_confint, {}, lambda s, n: (
        _f(3 * n, seed=s), _i(3 * n, 50, 3 * n, seed=s))),
    "int_expressions": (int_expressions, {}, lambda s, n: (_i(5, n, seed=s),)),
    "colors_to_24bit": (colors_to_24bit, {}, lambda s, n: (_u8(n, 4, 3, seed=s),)),
    "ufunc_out_views": (ufunc_out_views, {}, lambda s, n: (_f(n, seed=s),)),
    "ufunc_methods": (ufunc_methods, {}, lambda s, n: (_i(5, n, seed=s) + 1,)),
    "ufunc_reductions": (ufunc_reductions, {}, lambda s, n: (_i(50, n + 3, 3, seed=s),
                                                             _f(n + 3, 3, seed=s))),
    "ufunc_accumulations": (ufunc_accumulations, {}, lambda s, n: (
        _f(n, 3, positive=True, seed=s) * 3, _i(4, n, 3, seed=s))),
    "broadcast_surface": (broadcast_surface, {"n": 7}, lambda s, n: ()),
    "comparisons_as_counts": (comparisons_as_counts, {}, lambda s, n: (_i(10, n, 4, seed=s),)),
    "rainy_days": (rainy_days, {}, lambda s, n: (np.maximum(_f(365, seed=s + n), 0),)),
    "fancy_combined": (fancy_combined, {}, lambda s, n: (
        _f(n, 4, seed=s), np.array([0, 2, 1]), np.array([2, 1, 3]))),
    "fancy_assign": (fancy_assign, {}, lambda s, n: (_f(n + 6, seed=s),)),
    "binning_add_at": (binning_add_at, {}, lambda s, n: (np.clip(_f(10 * n, seed=s), -4.9, 4.9),)),
    "selection_sort": (selection_sort, {}, lambda s, n: (_f(n, seed=s),)),
    "sorts_partitions": (sorts_partitions, {}, lambda s, n: (_f(n, 3, seed=s), _f(n + 3, seed=s))),
    "knn_handbook": (knn_handbook, {}, lambda s, n: (_f(n + 2, 2, seed=s),)),
    "random_walk": (random_walk, {}, lambda s, n: (2 * _b(n * 5, seed=s) - 1,)),
    "life_update": (life_update, {}, lambda s, n: (_b(n + 3, n + 4, seed=s),)),
    "gray_scott": (gray_scott, {}, lambda s, n: (_f(2, n + 2, n + 3, positive=True, seed=s) * .5,)),
    "mandelbrot_numpy": (mandelbrot_numpy, {}, lambda s, n: (-2.0, 1.0 - 0.1 * s, -1.5, 1.5)),
    "voronoi_nearest": (voronoi_nearest, {}, lambda s, n: (_f(n, 2, seed=s), _f(3, 2, seed=s + 1))),
    "boids_alignment": (boids_alignment, {}, lambda s, n: (_f(n + 2, 2, seed=s),
                                                           _f(n + 2, 2, seed=s + 1))),
    "ravel_view_write": (ravel_view_write, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "views_and_copies": (views_and_copies, {}, lambda s, n: (_f(9, seed=s + n),)),
    "knn_two_loops": (knn_two_loops, {}, lambda s, n: (_f(n, 3, seed=s), _f(4, 3, seed=s + 1))),
    "knn_one_loop": (knn_one_loop, {}, lambda s, n: (_f(n, 3, seed=s), _f(4, 3, seed=s + 1))),
    "knn_no_loops": (knn_no_loops, {}, lambda s, n: (_f(n, 3, seed=s), _f(4, 3, seed=s + 1))),
    "svm_loss_vectorized": (svm_loss_vectorized, {}, lambda s, n: (
        _f(5, 3, seed=s) * 0.1, _f(n, 5, seed=s + 1), _i(3, n, seed=s), 0.1)),
    "softmax_loss_vectorized": (softmax_loss_vectorized, {}, lambda s, n: (
        _f(5, 3, seed=s) * 0.1, _f(n, 5, seed=s + 1), _i(3, n, seed=s), 0.1)),
    "two_layer_backward": (two_layer_backward, {}, lambda s, n: (
        _f(n, 4, seed=s), _i(3, n, seed=s), _f(4, 5, seed=s + 1), _f(5, seed=s + 2),
        _f(5, 3, seed=s + 3), _f(3, seed=s + 4))),
    "affine_relu_backward": (affine_relu_backward, {}, lambda s, n: (
        _f(n, 2, 3, seed=s), _f(6, 4, seed=s + 1), _f(4, seed=s + 2), _f(n, 4, seed=s + 3))),
    "conv_forward_naive": (conv_forward_naive, {}, lambda s, n: (
        _f(2, 2, n, 4, seed=s), _f(3, 2, 3, 3, seed=s + 1), _f(3, seed=s + 2))),
    "max_pool_backward_naive": (max_pool_backward_naive, {}, lambda s, n: (
        _f(2, 2, n, 4, seed=s), _f(2, 2, n // 2, 2, seed=s + 1))),
    "word_embedding": (word_embedding, {}, lambda s, n: (
        _i(6, 3, n, seed=s), _f(6, 5, seed=s + 1), _f(3, n, 5, seed=s + 2))),
    "temporal_softmax_loss": (temporal_softmax_loss, {}, lambda s, n: (
        _f(3, n, 5, seed=s), _i(5, 3, n, seed=s + 1), _b(3, n, seed=s + 2).astype(bool))),
    "rnn_forward": (rnn_forward, {}, lambda s, n: (
        _f(3, n, 2, seed=s), _f(2, 5, seed=s + 1) * .5, _f(5, 5, seed=s + 2) * .5, _f(5, seed=s),
        _f(3, 5, seed=s + 3))),
    "im2col_indices": (im2col_indices, {}, lambda s, n: (_f(2, 2, n, 5, seed=s),)),
    "col2im_indices": (col2im_indices, {}, lambda s, n: (_f(18, 32, seed=s),)),
    "tutorial_views": (tutorial_views, {}, lambda s, n: (_i(20, n, 4, seed=s),)),
    "tutorial_mutate_rows": (tutorial_mutate_rows, {}, lambda s, n: (_i(20, n, 3, seed=s),
                                                                     _i(3, n, seed=s + 1))),
    "tutorial_broadcast_loop": (tutorial_broadcast_loop, {}, lambda s, n: (
        _i(9, n, 3, seed=s), _i(9, 3, seed=s + 1))),
    "lecture_slices": (lecture_slices, {}, lambda s, n: (_i(9, 10, seed=s + n),)),
    "lecture_fancy": (lecture_fancy, {}, lambda s, n: (_f(6, 6, seed=s + n),)),
    "ogrid_mgrid": (ogrid_mgrid, {}, lambda s, n: (0.5 * s,)),
    "mileposts_distances": (mileposts_distances, {}, lambda s, n: (_i(3000, n, seed=s),)),
    "sieve": (sieve, {}, lambda s, n: ()),
    "populations_stats": (populations_stats, {}, lambda s, n: (np.column_stack(
        [1900 + np.arange(n + 2), _i(1000, n + 2, 3, seed=s)]).astype(float),)),
    "lecture_random_walk": (lecture_random_walk, {}, lambda s, n: (2 * _b(n, 10, seed=s) - 1,)),
    "sort_in_place_rows": (sort_in_place_rows, {}, lambda s, n: (_f(3, n, seed=s),)),
    "lexsort_keys": (lexsort_keys, {}, lambda s, n: (_i(3, n + 2, seed=s), _f(n + 2, seed=s))),
    "fibonacci_matrix": (fibonacci_matrix, {"n": 10}, lambda s, n: (_i(5, n, seed=s),)),
    "rms_and_std": (rms_and_std, {}, lambda s, n: (_f(n, seed=s),)),
    "cumulative_std": (cumulative_std, {}, lambda s, n: (_f(n, seed=s),)),
    "pascal_matrix": (pascal_matrix, {}, lambda s, n: (_i(5, n, seed=s),)),
    "kron_identity": (kron_identity, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "put_place_copyto": (put_place_copyto, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "rows_enumerate": (rows_enumerate, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "tril_lower_pairs": (tril_lower_pairs, {}, lambda s, n: (_f(n, n, seed=s),)),
    "ix_constant_and_traced": (ix_constant_and_traced, {}, lambda s, n: (
        _f(n, 5, seed=s), _i(n, 3, seed=s))),
    "int8_overflow": (int8_overflow, {}, lambda s, n: (_i(127, n, seed=s),)),
    "uint8_wrap": (uint8_wrap, {}, lambda s, n: (_u8(n, 3, seed=s),)),
    "bool_sums": (bool_sums, {}, lambda s, n: (_b(n, 3, seed=s).astype(bool),)),
    "python_scalars_mixed": (python_scalars_mixed, {}, lambda s, n: (_f(n, seed=s), 0.5 * s, s)),
    "diff_cumsum_tricks": (diff_cumsum_tricks, {}, lambda s, n: (_f(n + 2, seed=s),)),
    "roll_pad_tile_repeat": (roll_pad_tile_repeat, {}, lambda s, n: (_f(n, seed=s),)),
    "len_and_shape": (len_and_shape, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "ndenumerate_weighted": (ndenumerate_weighted, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "group_extremes": (group_extremes, {}, lambda s, n: (
        np.r_[np.nan, _f(3 * n, seed=s)] if s == 2 else _f(3 * n + 1, seed=s),
        _i(3, 3 * n + 1, seed=s))),
    "scatter_max_pixels": (scatter_max_pixels, {}, lambda s, n: (
        _u8(3 * n, seed=s), _i(4, 3 * n, seed=s + 1), _i(4, 3 * n, seed=s + 2))),
    "python_int_arithmetic": (python_int_arithmetic, {}, lambda s, n: (_f(n, seed=s), s + 1)),
    "where_assign": (where_assign, {}, lambda s, n: (_f(n + 3, seed=s), _f(n + 3, seed=s + 1))),
    "nonzero_2d": (nonzero_2d, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "argwhere_centroid": (argwhere_centroid, {}, lambda s, n: (_f(n, 6, seed=s),)),
    "softmax_loss_naive": (softmax_loss_naive, {}, lambda s, n: (
        _f(5, 3, seed=s) * 0.1, _f(n, 5, seed=s + 1), _i(3, n, seed=s), 0.1)),
}


def _copies(args):
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


@pytest.mark.parametrize("name", list(EXERCISES))
def test_exercise_matches_numpy(name):
    check_against_numpy(*EXERCISES[name])


@pytest.mark.parametrize("name", list(EXERCISES))
def test_exercise_writes_arguments_as_numpy_does(name):
    """Arguments written in place (`Z.sort()`, `np.add(A, B, out=B)`, `Z[...] = 0`) hold
    NumPy's values after the call."""
    fn, static, make_args = EXERCISES[name]
    args = make_args(5, 4)
    want_args = _copies(args)
    fn(*want_args, **static)
    got_args = _copies(args)
    tracenp.jit(fn, static_argnames=tuple(static))(*got_args, **static)
    for g, w in zip(got_args, want_args):
        if isinstance(w, np.ndarray):
            assert_same(g, w, rtol=1e-5)


# ----------------------------------------------------------------------------- refused forms


def bincount_group_means(D, S):
    D_sums = np.bincount(S, weights=D)
    D_counts = np.bincount(S)
    return D_sums / D_counts


def most_frequent(Z):
    return np.bincount(Z).argmax()


def counts_to_values(C):
    return np.repeat(np.arange(len(C)), C)


def unique_colors(I):
    I24 = np.dot(I.astype(np.uint32), [1, 256, 65536])
    return len(np.unique(I24))


def rows_with_unequal_values(Z):
    E = np.all(Z[:, 1:] == Z[:, :-1], axis=1)
    return Z[~E]


def positive_indices(x):
    return np.where(x > 0)


def count_positive_by_len(x):
    return len(np.nonzero(x > 0)[0])


def common_values(Z1, Z2):
    return np.intersect1d(Z1, Z2)


def svm_loss_naive(W, X, y, reg):
    dW = np.zeros(W.shape)
    num_classes = W.shape[1]
    num_train = X.shape[0]
    loss = 0.0
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss /= num_train
    return loss + reg * np.sum(W * W), dW / num_train + 2 * reg * W


def as_python_lists(x):
    return x.tolist()


def arithmetic_geometric_mean(a, g, tol=1e-12):
    while abs(a - g) > tol:
        a, g = (a + g) / 2, np.sqrt(a * g)
    return a


def eval_numerical_gradient(x, h=1e-5):
    def f(v):
        return np.sum(v ** 2)

    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        oldval = x[ix]
        x[ix] = oldval + h
        fxph = f(x)
        x[ix] = oldval - h
        fxmh = f(x)
        x[ix] = oldval
        grad[ix] = (fxph - fxmh) / (2 * h)
        it.iternext()
    return grad


def folded_angles(x):
    return np.arctan2.reduce(x), np.power.reduce(np.abs(x))


def mean_age(data):
    return data["age"][data["age"] < 30].mean()


def _people(seed):
    people = np.zeros(6, dtype={"names": ("name", "age", "weight"),
                                "formats": ("U10", "i4", "f8")})
    people["age"] = _i(60, 6, seed=seed)
    return people


REFUSED = {
    "bincount_group_means": (tracenp.errors.DataDependentShapeError, bincount_group_means,
                             lambda s: (_f(30, seed=s), _i(10, 30, seed=s))),
    "counts_to_values": (tracenp.errors.UnsupportedFunctionError, counts_to_values,
                         lambda s: (_i(3, 6, seed=s),)),
    "unique_colors": (tracenp.errors.DataDependentShapeError, unique_colors,
                      lambda s: (_u8(8, 8, 3, seed=s) // 64,)),
    "rows_with_unequal_values": (tracenp.errors.DataDependentShapeError,
                                 rows_with_unequal_values, lambda s: (_i(2, 10, 3, seed=s),)),
    "positive_indices": (tracenp.errors.DataDependentShapeError, positive_indices,
                         lambda s: (_f(4, 3, seed=s),)),
    "count_positive_by_len": (tracenp.errors.DataDependentShapeError, count_positive_by_len,
                              lambda s: (_f(9, seed=s),)),
    "common_values": (tracenp.errors.UnsupportedFunctionError, common_values,
                      lambda s: (_i(10, 10, seed=s), _i(10, 10, seed=s + 1))),
    "svm_loss_naive": (tracenp.errors.ConcretizationError, svm_loss_naive, lambda s: (
        _f(5, 3, seed=s) * 0.1, _f(6, 5, seed=s + 1), _i(3, 6, seed=s), 0.1)),
    "arithmetic_geometric_mean": (tracenp.errors.ConcretizationError, arithmetic_geometric_mean,
                                  lambda s: (np.array(1.0 + s), np.array(np.sqrt(2.0)))),
    "eval_numerical_gradient": (tracenp.errors.UnsupportedFunctionError, eval_numerical_gradient,
                                lambda s: (_f(3, 2, seed=s),)),
    "folded_angles": (tracenp.errors.UnsupportedFunctionError, folded_angles,
                      lambda s: (_f(5, positive=True, seed=s),)),
}


# refused until they traced (stop 38): NumPy's values now
TRACED_NOW = {
    "mean_age": (mean_age, {}, lambda s, n: (_people(s),)),
}


@pytest.mark.parametrize("name", list(TRACED_NOW))
def test_forms_once_refused_now_trace(name):
    """Forms refused until tracenp traced them: NumPy's values now."""
    check_like_numpy(*TRACED_NOW[name])


PYTHON_NUMBERS = {
    "as_python_lists": (as_python_lists, {}, lambda s, n: (_f(2, 3, seed=s),)),
}


@pytest.mark.parametrize("name", list(PYTHON_NUMBERS))
def test_python_numbers_of_traced_values_match_numpy(name):
    """Python numbers of traced values (`float()`, `int()`, `.item()`, `.tolist()`), refused
    before, match NumPy: weak traced scalars the function returns as NumPy's Python numbers."""
    check_like_numpy(*PYTHON_NUMBERS[name])


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_with_a_clear_error_then_run_eagerly(name):
    """What cannot be traced raises a `TracingError` subclass naming it; under
    `fallback=True` the function runs in NumPy with one warning and gives NumPy's values."""
    error, fn, make_args = REFUSED[name]
    with pytest.raises(error):
        tracenp.jit(fn)(*make_args(1))
    jf = tracenp.jit(fn, fallback=True)
    for seed in (1, 2):
        want = fn(*_copies(make_args(seed)))
        if seed == 1:
            with pytest.warns(tracenp.TracingFallbackWarning):
                got = jf(*make_args(seed))
        else:
            got = jf(*make_args(seed))
        assert_same(got, want)


def test_selections_returned_inside_containers_are_refused():
    """`x[mask]` or `np.nonzero(mask)` returned in a tuple, list or dict (or kept past the
    call) is refused where it was made: its length is the data's."""
    x = _f(6, seed=1)
    for fn in (lambda x: (x[x > 0], 1), lambda x: {"i": np.nonzero(x > 0)[0]},
               lambda x: [np.argwhere(x > 0)], lambda x: (np.flatnonzero(x > 0) + 1,)):
        with pytest.raises(tracenp.errors.DataDependentShapeError, match="Returning"):
            tracenp.jit(fn)(x)


def test_nonzero_indices_into_another_shape_are_refused():
    """`y[np.where(m)[0]] = v` with `y` longer than `m` writes NumPy's positions only if the
    indices are known; refused by name. `np.add.at` through them, into `x` or a longer `y`,
    adds at the selected positions only (the ufunc's identity elsewhere)."""
    def longer(x, y):
        y[np.where(x > 0)[0]] = 0
        return y

    def add_at(x, y):
        np.add.at(x, np.where(x > 0), 1)
        np.add.at(y, np.where(x > 1)[0], x[x > 1])
        return x, y

    with pytest.raises(tracenp.errors.DataDependentShapeError, match="Assignment through"):
        tracenp.jit(longer)(_f(4, seed=1), _f(6, seed=2))
    for s in (1, 2):
        want_args, got_args = (_f(4, seed=s), _f(6, seed=s + 1)), (_f(4, seed=s), _f(6, seed=s + 1))
        assert_same(tracenp.jit(add_at)(*got_args), add_at(*want_args))
        assert_same(got_args, want_args)


# ----------------------------------------------------------------------------- gradients


def _loss_data(seed):
    return _f(5, 3, seed=seed) * 0.1, _f(7, 5, seed=seed + 1), _i(3, 7, seed=seed), 0.05


@pytest.mark.parametrize("loss", [softmax_loss_vectorized, softmax_loss_naive,
                                  svm_loss_vectorized])
def test_grad_of_cs231n_losses_is_their_analytic_gradient(loss):
    """`tracenp.grad` of the loss (its first result) equals the `dW` the assignment derives
    by hand; the SVM's hinge is away from its kinks at these points."""
    W, X, y, reg = _loss_data(3)
    _, dW = loss(W.copy(), X, y, reg)
    got = tracenp.grad(lambda W, X, y: loss(W, X, y, reg)[0])(W, X, y)
    np.testing.assert_allclose(got, dW, rtol=1e-6, atol=1e-9)


def test_method_of_a_numpy_constant_given_a_traced_value():
    """`X.dot(W)` with `X` a NumPy array the function closes over is NumPy's own method, which
    converts `W`: the trace is taken again with `X` a constant of it, and differentiates."""
    W, X, y, reg = _loss_data(3)
    _, dW = softmax_loss_vectorized(W.copy(), X, y, reg)
    got = tracenp.grad(lambda W: softmax_loss_vectorized(W, X, y, reg)[0])(W)
    np.testing.assert_allclose(got, dW, rtol=1e-6, atol=1e-9)


def test_grad_through_group_maximum_goes_to_the_winners():
    """The gradient of `np.maximum.at` reaches the update that won each target only."""
    def loss(v, g):
        hi = np.zeros(3)
        np.maximum.at(hi, g, v)
        return np.sum(hi ** 2)

    v, g = np.array([1.0, 2.0, 3.0, 0.5, -2.0]), np.array([0, 0, 1, 1, 2])
    np.testing.assert_array_equal(tracenp.grad(loss)(v, g), [0.0, 4.0, 6.0, 0.0, 0.0])


# ----------------------------------------------------------------------------- 0-d and empty

def _zero_d_args(name):
    fn, static, make_args = EXERCISES[name]
    return fn, static, tuple(np.asarray(a).reshape(-1)[0].reshape(()) if isinstance(a, np.ndarray)
                             else a for a in make_args(1, 4))


@pytest.mark.parametrize("name", ["round_away", "integer_parts", "uint8_wrap", "int8_overflow"])
def test_zero_d_inputs(name):
    """0-d arrays give NumPy's 0-d results and scalars, dtypes included."""
    fn, static, args = _zero_d_args(name)
    with np.errstate(all="ignore"):
        want = fn(*_copies(args), **static)
    assert_same(tracenp.jit(fn, static_argnames=tuple(static))(*args, **static), want)


@pytest.mark.parametrize("name", ["border_zero_inside", "subtract_row_mean", "knn_no_loops",
                                  "comparisons_as_counts", "roll_pad_tile_repeat",
                                  "rows_enumerate", "bool_sums", "sort_by_column"])
def test_empty_inputs(name):
    """Arrays with a zero-length leading axis give NumPy's empty results and reductions, or
    NumPy's error (`np.pad(mode="edge")` cannot extend an empty axis)."""
    fn, static, make_args = EXERCISES[name]
    empty_only_first = name == "knn_no_loops"  # no test points, the training set kept
    args = tuple(a[:0] if isinstance(a, np.ndarray) and a.ndim and (i == 0 or not empty_only_first)
                 else a for i, a in enumerate(make_args(1, 4)))
    jf = tracenp.jit(fn, static_argnames=tuple(static))
    try:
        with np.errstate(all="ignore"):
            want = fn(*_copies(args), **static)
    except ValueError as e:
        with pytest.raises(ValueError, match=str(e)[:20]):
            jf(*args, **static)
        return
    assert_same(jf(*args, **static), want)


# ----------------------------------------------------------------------------- small forms


def _place_cycle(a):
    np.place(a, a > 0, [10.0, 20.0, 30.0])
    b = (a * 10).astype(int)
    np.place(b, b < 0, [-1, -2])
    return a, b


def _ix_and_tuple_keys(a, r):
    a[np.ix_(r, [1, 2])] = 0
    a[(0, 1, 2), (1, 2, 3)] = -1
    i, j = np.indices(a.shape, sparse=True)
    return a[np.ix_([True, False, True, True], [1, 2])], a * i + j


@pytest.mark.parametrize("fn,make_args", [
    (_place_cycle, lambda s, n: (_f(n, 4, seed=s),)),
    (_ix_and_tuple_keys, lambda s, n: (_f(4, n, seed=s), _i(4, 2, seed=s))),
])
def test_place_ix_and_tuple_keys(fn, make_args):
    """`np.place` cycles its values over the True positions of a traced mask, `np.ix_` takes
    traced and boolean index lists, and a tuple inside a key is a sequence index."""
    check_against_numpy(fn, {}, make_args)


def _constant_arguments(x):
    """Shape-deciding arguments built with np.array/np.arange inside the function are graph
    constants with known values, as NumPy's own arrays would be."""
    return (np.compress(np.array([True, False, True]), x, axis=0),
            np.extract(np.array([1, 0, 1, 0] * 3).reshape(3, 4), x),
            np.sort(np.partition(x.ravel(), np.array([2, 5]))[[2, 5]]),
            np.insert(x, [1, 1, 3], 0.0, axis=0),
            np.insert(x, np.array([2, 0]), [9.0, 8.0], axis=1),
            np.insert(x.ravel(), [-1, 5, 12], [7.0, 8.0, 9.0]),
            np.insert(x, slice(0, 2), -1.0, axis=1),
            np.delete(x, np.array([0, 2]), axis=1), np.repeat(x[0], np.array([2, 0, 1, 1])),
            np.tile(x[0], np.array([3])), np.bincount(np.array([0, 1, 1, 3])) * x[0],
            x.reshape(np.array([4, 3])),
            x.ravel()[np.ravel_multi_index((np.array([1, 2]), np.array([0, 3])), x.shape)])


def test_shape_arguments_made_from_constants():
    check_against_numpy(_constant_arguments, {}, lambda s, n: (_f(3, 4, seed=s + n),))


def _pagerank_start_vector(x, m):
    p = np.repeat(1.0 / len(x), len(x))
    K = np.repeat([[1.0], [-2.0], [1.0]], 2, axis=1)
    w = np.tile([0.5, 2.0], len(x) // 2)
    w[m > 0] = x[m > 0]
    return p[m > 0].sum() * p, K, w


def test_repeat_and_tile_of_constants_index_with_traced_values():
    """`np.repeat(1.0 / N, N)` (networkx's PageRank start vector) made a NumPy array, which a
    traced mask cannot index (ConcretizationError); now a graph constant, as `np.full`."""
    check_against_numpy(_pagerank_start_vector, {}, lambda s, n: (_f(n, seed=s),
                                                                  _f(n, seed=s + 1)))


def _kbins_uniform(X, n_bins=3):
    bin_edges = np.zeros(X.shape[1], dtype=object)
    for jj in range(X.shape[1]):
        bin_edges[jj] = np.linspace(X[:, jj].min(), X[:, jj].max(), n_bins + 1)
    Xt = X.copy()
    for jj in range(Xt.shape[1]):
        Xt[:, jj] = np.digitize(Xt[:, jj] + 1e-8, bin_edges[jj][1:])
    names = np.empty(2, dtype=object)
    names[0] = "lo"
    return Xt + np.zeros(2, dtype=object).sum(), names


def _object_array_returned(X):
    e = np.empty(2, dtype=object)
    e[0] = X.sum()
    return e


def test_object_arrays_made_in_the_function_are_containers():
    """scikit-learn's KBinsDiscretizer keeps per-feature edges in `np.zeros(n, dtype=object)`:
    NumPy's own object array, holding traced values (writing an array into it raised
    ValueError, and `x + np.zeros(2, dtype=object).sum()` was an object array); one returned
    holding traced values is refused by name."""
    check_against_numpy(_kbins_uniform, {}, lambda s, n: (_f(n, 2, seed=s),))
    with pytest.raises(tracenp.errors.UnsupportedFunctionError, match="object array"):
        tracenp.jit(_object_array_returned)(_f(3))
    with pytest.warns(tracenp.TracingFallbackWarning):
        assert_same(tracenp.jit(_object_array_returned, fallback=True)(_f(3)),
                    _object_array_returned(_f(3)))


def test_python_bool_argument_arithmetic_follows_python():
    assert_same(tracenp.jit(lambda flag: True + flag)(True), 2)
