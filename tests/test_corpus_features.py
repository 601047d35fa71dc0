"""Corpus, features: the NumPy routines public code calls beyond arithmetic, in the call forms it
uses them with (`np.pad` in every mode with `stat_length`, `constant_values`, `end_values` and
`reflect_type`; histograms with integer, string and array bins, `range=`, `density=`,
`weights=`; `np.interp` with `left`/`right`/`period`; `searchsorted` with `side=`/`sorter=`;
`np.unique`'s flags; sorts by `kind=` and axis; `lexsort`, `partition` with lists of `kth`;
quantiles by every `method=`; `apply_along_axis`, `vectorize`, `frompyfunc`, `piecewise`,
`select`, `choose`; `take`/`put` and their relatives; index helpers (`ix_`, `ogrid`, `mgrid`,
`r_`, `c_`, `indices`, `unravel_index`, `ravel_multi_index`, the triangle and diagonal index
makers); products (`einsum` with ellipsis and `optimize=`, `tensordot` axes forms, `kron`,
`outer`, `inner`, `vdot`, `cross` with `axisa`/`axisb`); differences and integrals; rounding and
clipping; bit operations and packing on unsigned types; set routines; and the forms tracenp
refuses by name (`np.ma`, datetimes, structured fields, string arrays).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype;
arguments it writes in place must hold NumPy's values afterwards. Refused forms raise the named
error and give NumPy's values under `fallback=True`, with one `TracingFallbackWarning`.
"""

from __future__ import annotations


import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_ops import assert_same

# ----------------------------------------------------------------------------- np.pad


def pad_constant_per_axis(img):
    return np.pad(img, ((1, 2), (3, 0)), mode="constant", constant_values=((-1, -2), (5, 7)))


def pad_constant_scalar_int(labels):
    return np.pad(labels, 2, constant_values=-1)


def pad_edge_float32(x):
    return np.pad(x.astype(np.float32), [(0, 0), (2, 2)], mode="edge")


def pad_reflect_image(img):
    return np.pad(img, 2, mode="reflect")


def pad_symmetric_odd(x):
    return np.pad(x, (3, 1), mode="symmetric", reflect_type="odd")


def pad_reflect_odd(x):
    return np.pad(x, 2, mode="reflect", reflect_type="odd")


def pad_wrap_periodic(u):
    return np.pad(u, ((1, 1), (1, 1)), mode="wrap")


def pad_linear_ramp(x):
    return np.pad(x, (2, 3), mode="linear_ramp", end_values=(0.0, 1.0))


def pad_linear_ramp_2d(img):
    return np.pad(img, 1, mode="linear_ramp", end_values=((0, 2), (-1, 1)))


def pad_maximum_stat(x):
    return np.pad(x, (2, 2), mode="maximum", stat_length=2)


def pad_minimum(img):
    return np.pad(img, ((1, 0), (0, 2)), mode="minimum")


def pad_mean_stat_length(x):
    return np.pad(x, 3, mode="mean", stat_length=(2, 3)), np.pad(x, 1, "maximum", stat_length=1.6)


def pad_median(img):
    return np.pad(img, 1, mode="median", stat_length=((2, 2), (3, 1)))


def pad_mean_int(counts):
    return np.pad(counts, (1, 1), mode="mean")


def pad_empty_mode(x):
    out = np.pad(x, 2, mode="empty")
    out[:2] = 0.0
    out[-2:] = 0.0
    return out


def pad_callable_mode(x):
    def pad_with(vector, pad_width, iaxis, kwargs):
        pad_value = kwargs.get("padder", 10)
        vector[:pad_width[0]] = pad_value
        vector[-pad_width[1]:] = pad_value

    return np.pad(x, 2, pad_with, padder=0.5)


def pad_for_convolution(img, k):
    kh, kw = k.shape
    padded = np.pad(img, ((kh // 2, kh // 2), (kw // 2, kw // 2)), mode="reflect")
    out = np.zeros_like(img)
    for i in range(kh):
        for j in range(kw):
            out += k[i, j] * padded[i:i + img.shape[0], j:j + img.shape[1]]
    return out


# ----------------------------------------------------------------------------- histograms


def hist_int_bins_density(x):
    counts, edges = np.histogram(x, bins=5, density=True)
    return counts, edges


def hist_range_weights(x, w):
    counts, edges = np.histogram(x, bins=4, range=(-2.0, 2.0), weights=w)
    return counts, edges


def hist_array_bins_int(x):
    bins = np.array([-3, -1, 0, 1, 3])
    h, _ = np.histogram(x, bins)
    return h


def hist_sturges(x):
    return np.histogram(x, bins="sturges")


def hist_sqrt_range(x):
    return np.histogram(x, bins="sqrt", range=(-3, 3))


def hist_bin_edges_rice(x):
    return np.histogram_bin_edges(x, bins="rice")


def hist_bin_edges_int(x):
    edges = np.histogram_bin_edges(x, bins=8, range=(x.min(), x.max()))
    centers = 0.5 * (edges[1:] + edges[:-1])
    return edges, centers


def hist_entropy(x, bins=6):
    p, _ = np.histogram(x, bins=bins)
    p = p / p.sum()
    p = p[p > 0]
    return -np.sum(p * np.log2(p))


def hist_uint8_image(img):
    hist, _ = np.histogram(img.ravel(), bins=256, range=(0, 256))
    cdf = hist.cumsum()
    return hist, cdf / cdf[-1]


def hist2d_density(x, y):
    H, xe, ye = np.histogram2d(x, y, bins=4, range=[[-3, 3], [-3, 3]], density=True)
    return H.T, xe, ye


def hist2d_weights_pair_bins(x, y, w):
    H, xe, ye = np.histogram2d(x, y, bins=(3, 5), weights=w)
    return H, xe, ye


def hist2d_mutual_information(x, y, bins=4):
    pxy, _, _ = np.histogram2d(x, y, bins=bins)
    pxy = pxy / pxy.sum()
    px = pxy.sum(axis=1)
    py = pxy.sum(axis=0)
    px_py = px[:, None] * py[None, :]
    nz = pxy > 0
    return np.sum(pxy[nz] * np.log(pxy[nz] / px_py[nz]))


def histdd_points(pts):
    H, edges = np.histogramdd(pts, bins=(2, 3, 4), range=[(-3, 3)] * 3)
    return H, edges[0], edges[2]


def histdd_density(pts):
    H, edges = np.histogramdd(pts, bins=3, density=True)
    return H, tuple(edges)


# ----------------------------------------------------------------------------- interp, search


def interp_left_right(x, xp, fp):
    return np.interp(x, np.sort(xp), fp, left=-1.0, right=np.nan)


def interp_period_angles(theta):
    xp = np.array([-180.0, -90.0, 0.0, 90.0, 180.0])
    fp = np.array([0.0, 1.0, 4.0, 1.0, 0.0])
    return np.interp(theta * 100, xp, fp, period=360)


def interp_resample(signal, new_len=9):
    old = np.linspace(0, 1, len(signal))
    new = np.linspace(0, 1, new_len)
    return np.interp(new, old, signal)


def interp_float32_points(x):
    xp = np.arange(5, dtype=np.float32)
    return np.interp(x.astype(np.float32), xp, xp ** 2)


def searchsorted_sides(edges, x):
    edges = np.sort(edges)
    return np.searchsorted(edges, x, side="left"), np.searchsorted(edges, x, side="right")


def searchsorted_sorter(a, v):
    order = np.argsort(a)
    idx = np.searchsorted(a, v, sorter=order)
    return order[np.clip(idx, 0, len(a) - 1)]


def searchsorted_method(cdf_raw, u):
    cdf = np.cumsum(np.abs(cdf_raw))
    cdf /= cdf[-1]
    return cdf.searchsorted(u, side="right")


def weighted_sample_by_cdf(w, u):
    c = np.cumsum(w)
    return np.searchsorted(c, u * c[-1])


def digitize_right(x):
    bins = np.array([-1.0, 0.0, 1.0])
    return np.digitize(x, bins, right=True), np.digitize(x, bins[::-1])


# ----------------------------------------------------------------------------- sorting


def sort_kinds(x):
    return (np.sort(x, kind="stable"), np.sort(x, axis=0, kind="mergesort"),
            np.sort(x, axis=None, kind="heapsort"), np.sort(x, kind="quicksort"))


def argsort_stable_descending(scores):
    return np.argsort(-scores, kind="stable")


def argsort_axis_none(x):
    return np.argsort(x, axis=None), x.argsort(axis=0)


def sort_in_place_rows(x):
    x.sort(axis=1)
    return x[:, ::-1]


def ranks_by_double_argsort(x):
    return x.argsort(axis=0).argsort(axis=0)


def lexsort_two_keys(first, last):
    return np.lexsort((first, last))


def lexsort_rows(a):
    idx = np.lexsort(a.T[::-1])
    return a[idx]


def partition_kth_list(x):
    return np.partition(x, [1, 3])[[1, 3]], np.partition(x, -1)[-1]


def argpartition_topk(scores, k=2):
    idx = np.argpartition(scores, -k, axis=-1)[..., -k:]
    top = np.take_along_axis(scores, idx, axis=-1)
    return np.sort(top, axis=-1)


def partition_median_of_rows(x):
    n = x.shape[1]
    return np.partition(x, n // 2, axis=1)[:, n // 2]


# ----------------------------------------------------------------------------- quantiles

QUANTILE_METHODS = ("inverted_cdf", "averaged_inverted_cdf", "closest_observation",
                    "interpolated_inverted_cdf", "hazen", "weibull", "linear",
                    "median_unbiased", "normal_unbiased", "lower", "higher", "midpoint",
                    "nearest")


def quantile_every_method(x):
    return [np.quantile(x, [0.1, 0.5, 0.9], method=m) for m in QUANTILE_METHODS]


def percentile_every_method_axis(x):
    return [np.percentile(x, 30, axis=0, method=m, keepdims=True) for m in QUANTILE_METHODS]


def nanpercentile_methods(x):
    x = x.copy()
    x[0, 0] = np.nan
    return [np.nanpercentile(x, [25, 75], axis=1, method=m) for m in QUANTILE_METHODS]


def nanquantile_keepdims(x):
    x = np.where(x > 1.5, np.nan, x)
    return np.nanquantile(x, 0.5, axis=-1, keepdims=True)


def iqr_outlier_mask(x):
    q1, q3 = np.percentile(x, [25, 75])
    iqr = q3 - q1
    return (x < q1 - 1.5 * iqr) | (x > q3 + 1.5 * iqr)


def quantile_int_data(counts):
    return np.quantile(counts, 0.5, method="lower"), np.percentile(counts, 50,
                                                                    method="inverted_cdf")


def quantile_float32(x):
    return np.quantile(x.astype(np.float32), [0.25, 0.75], axis=0, method="hazen")


# ----------------------------------------------------------------------------- functional forms


def apply_along_rows(x):
    return np.apply_along_axis(lambda r: r - r.mean(), 1, x)


def apply_along_returns_vector(x):
    return np.apply_along_axis(lambda c: np.array([c.min(), c.max(), c.sum()]), 0, x)


def apply_along_scalar_result(x):
    return np.apply_along_axis(np.linalg.norm, -1, x)


def apply_over_axes_sum(x):
    return np.apply_over_axes(np.sum, x, [0, 2])


def vectorize_arith(x, y):
    f = np.vectorize(lambda a, b: a * b + 1.0)
    return f(x, y)


def vectorize_otypes(x):
    f = np.vectorize(lambda v: v * 2, otypes=[np.float32])
    return f(x)


def vectorize_python_numbers(img, x):
    # NumPy's loop hands the function Python numbers: uint8 pixels do not wrap before the
    # clamp, float32 values are computed in double; the result's dtype is the first call's
    brighten = np.vectorize(lambda p: min(255, p * 2))
    gamma = np.vectorize(lambda v: v ** 1.1 * 0.7 + 0.01)
    return brighten(img), gamma(x.astype(np.float32)), np.vectorize(lambda p: 255 - p)(img)


def vectorize_signature(x):
    f = np.vectorize(lambda row: row / row.sum(), signature="(n)->(n)")
    return f(np.abs(x) + 1)


def vectorize_signature_scalar_out(a, b):
    dot = np.vectorize(np.dot, signature="(n),(n)->()")
    return dot(a, b)


def vectorize_excluded(x, coeffs):
    def poly(v, c):
        return c[0] + c[1] * v + c[2] * v * v

    f = np.vectorize(poly, excluded=["c"])
    return f(x, c=coeffs)


def vectorize_zero_d_results(x):
    step = np.vectorize(lambda v: v + 1.0)
    total = np.vectorize(np.sum, signature="(n)->()")
    return step(x[0]), total(x)


def vectorize_branching(x):
    f = np.vectorize(lambda v: v if v > 0 else 0.0)
    return f(x)


def frompyfunc_add(x, y):
    add = np.frompyfunc(lambda a, b: a + b, 2, 1)
    return add(x, y).astype(np.float64)


def piecewise_abs(x):
    return np.piecewise(x, [x < 0, x >= 0], [lambda v: -v, lambda v: v])


def piecewise_default_constant(x):
    return np.piecewise(x, [x < -0.5, (x >= -0.5) & (x < 0.5)], [-1.0, lambda v: 2 * v, 1.0])


def piecewise_int(k):
    return np.piecewise(k, [k % 2 == 0], [lambda v: v // 2, lambda v: 3 * v + 1])


def select_grades(score):
    conds = [score >= 0.9, score >= 0.7, score >= 0.5]
    return np.select(conds, [4, 3, 2], default=0)


def select_array_choices(x):
    return np.select([x < -1, x > 1], [x ** 2, np.log(x + 1e-9)], default=x)


def choose_clip(idx, a, b, c):
    return np.choose(idx, (a, b, c), mode="clip")


def choose_wrap_scalars(idx):
    return np.choose(idx + 2, [10, 20, 30], mode="wrap")


def choose_method(idx, table):
    return idx.choose(table)


# ----------------------------------------------------------------------------- take and put


def take_axis_modes(x, idx):
    return (np.take(x, idx, axis=1), np.take(x, idx + 3, axis=0, mode="wrap"),
            x.take(idx - 2, mode="clip"))


def take_into_out(x, idx):
    out = np.empty((len(idx), x.shape[1]))
    np.take(x, idx, axis=0, out=out)
    return out


def put_flat(x, idx, v):
    np.put(x, idx, v)
    return x


def put_clip_method(x):
    x.put([0, 100], [-1.0, -2.0], mode="clip")
    return x


def take_along_argsort(x):
    order = np.argsort(x, axis=1)
    return np.take_along_axis(x, order, axis=1)


def take_along_argmax_keepdims(x):
    i = np.expand_dims(np.argmax(x, axis=0), axis=0)
    return np.take_along_axis(x, i, axis=0).squeeze(0)


def put_along_axis_zero_max(x):
    i = np.argmax(x, axis=1)[:, None]
    np.put_along_axis(x, i, 0.0, axis=1)
    return x


def put_along_flat_axis_none(x):
    np.put_along_axis(x, np.array([0, 3]), 9.0, axis=None)  # through a flat view of x
    return x


def place_cycle(x):
    np.place(x, x < 0, [10.0, 20.0])
    return x


def putmask_values(x, y):
    np.putmask(x, x > 0.5, y)
    return x


def copyto_where(dst, src):
    np.copyto(dst, src, where=src > 0)
    return dst


def copyto_casting(dst, ints):
    np.copyto(dst, ints, casting="same_kind")
    return dst


# ----------------------------------------------------------------------------- index helpers


def ix_block(a, rows, cols):
    return a[np.ix_(rows, cols)]


def ix_assign(a):
    a[np.ix_([0, 2], [1, 3])] = 0.0
    return a


def ogrid_distance(img):
    h, w = img.shape
    yy, xx = np.ogrid[:h, :w]
    r = np.sqrt((yy - h / 2) ** 2 + (xx - w / 2) ** 2)
    return img * (r < min(h, w) / 2)


def mgrid_complex_step(x):
    gx, gy = np.mgrid[-1:1:5j, 0:2:3j]
    return gx * x[0] + gy * x[1]


def mgrid_int_coords(img):
    h, w = img.shape
    ys, xs = np.mgrid[0:h, 0:w]
    m = img.sum()
    return (ys * img).sum() / m, (xs * img).sum() / m


def r_c_concatenate(a, b):
    return np.r_[a, 0.0, b], np.c_[a, b], np.r_[a[:2], 3:5]


def r_linspace_directive(x):
    return np.r_[-1:1:5j] * x[0]


def indices_grid(img):
    i, j = np.indices(img.shape)
    return img[(i + j) % 2 == 0].sum()


def indices_sparse(img):
    i, j = np.indices(img.shape, sparse=True)
    return img * (i - j)


def unravel_argmax(x):
    return np.unravel_index(np.argmax(x), x.shape)


def unravel_order_f(idx, shape=(3, 4)):
    return np.unravel_index(idx, shape, order="F")


def ravel_multi_modes(i, j):
    return (np.ravel_multi_index((i, j), (3, 4), mode="wrap"),
            np.ravel_multi_index((i, j), (3, 4), mode="clip", order="F"))


def ravel_multi_constant():
    return np.ravel_multi_index(np.array([[0, 1, 2], [3, 2, 1]]), (4, 5))


def diag_indices_set(a):
    a[np.diag_indices(a.shape[0])] = 1.0
    return a


def diag_indices_from_add(a):
    a[np.diag_indices_from(a)] += 10.0
    return a


def tril_indices_offset(a):
    il = np.tril_indices(a.shape[0], k=-1)
    return a[il], a[np.triu_indices(a.shape[0], 1, a.shape[1])]


def triu_indices_from_symmetrize(a):
    iu = np.triu_indices_from(a, k=1)
    a[iu[::-1]] = a[iu]
    return a


def mask_indices_triu(a):
    iu = np.mask_indices(a.shape[0], np.triu, 1)
    return a[iu]


# ----------------------------------------------------------------------------- products


def einsum_ellipsis_batch(a, b):
    return np.einsum("...ij,...jk->...ik", a, b)


def einsum_ellipsis_trace(a):
    return np.einsum("...ii->...", a)


def einsum_optimize_chain(a, b, c):
    return np.einsum("ij,jk,kl->il", a, b, c, optimize=True)


def einsum_optimize_greedy(a, b):
    return np.einsum("bi,bj->ij", a, b, optimize="greedy")


def einsum_broadcast_leading(v, m):
    return np.einsum("i,...i->...", v, m)


def einsum_dot_scalars(a, b):
    return (np.einsum("i,i->", a[:, 0], b[:, 0]), np.einsum("ij,ij", a, b),
            np.einsum("ii", a[:3, :3]))


def einsum_out(a, b):
    out = np.zeros((a.shape[0],))
    np.einsum("ij,ij->i", a, b, out=out)
    return out


def tensordot_axes_forms(a, b):
    return (np.tensordot(a, b, axes=1), np.tensordot(a, b, axes=([1], [0])),
            np.tensordot(a, a, axes=2), np.tensordot(a, b, axes=0).shape)


def tensordot_3d(t, m):
    return np.tensordot(t, m, axes=([1, 2], [0, 1]))


def kron_blocks(a):
    return np.kron(np.eye(2), a), np.kron(a, np.ones((1, 2), dtype=np.int64))


def outer_ravel(a, b):
    return np.outer(a, b), np.multiply.outer(a[:2], b)


def inner_and_vdot(a, b):
    return np.inner(a, b), np.vdot(a, b), np.inner(a[0], b[0])


def vdot_complex(z, w):
    return np.vdot(z + 1j * w, w - 1j * z)


def cross_axis_forms(a, b):
    return (np.cross(a, b), np.cross(a.T, b, axisa=0), np.cross(a.T, b.T, axisa=0, axisb=0,
                                                                 axisc=0))


def cross_axis_kw(a, b):
    return np.cross(a, b, axis=1)


# ----------------------------------------------------------------------------- differences


def gradient_spacing_arrays(f, x, y):
    xs = np.cumsum(np.abs(x)) + 0.1
    ys = np.cumsum(np.abs(y)) + 0.1
    return np.gradient(f, xs, ys)


def gradient_edge_order_2(f):
    return np.gradient(f, 0.5, edge_order=2)


def gradient_axis_spacing(f):
    return np.gradient(f, 2.0, axis=1)


def gradient_mixed_spacing(f, x):
    xs = np.cumsum(np.abs(x)) + 1.0
    return np.gradient(f, xs, 0.5, edge_order=2)


def diff_prepend_append(x):
    return np.diff(x, prepend=0.0), np.diff(x, n=2, append=x[-1:]), np.diff(x, n=3)


def diff_axis0_int(counts):
    return np.diff(counts, axis=0, prepend=counts[:1])


def ediff1d_to_begin(x):
    return np.ediff1d(x, to_begin=-99.0, to_end=[1.0, 2.0])


def trapezoid_forms(y, x):
    xs = np.cumsum(np.abs(x))
    return np.trapezoid(y, xs), np.trapezoid(y, dx=0.5), np.trapezoid(np.tile(y, (2, 1)), axis=1)


def cumprod_nancumsum(x):
    x = x.copy()
    x[1] = np.nan
    return np.cumprod(1 + x * 0.1), np.nancumsum(x), np.nancumprod(x)


def cumsum_dtype(counts):
    return np.cumsum(counts.astype(np.uint8), dtype=np.int32), counts.cumsum(axis=0)


# ----------------------------------------------------------------------------- rounding, clipping


def round_negative_decimals(x):
    v = x * 1234.5
    return np.round(v, decimals=-1), np.around(v, -2), np.round(v, 2), v.round(1)


def round_ints(k):
    return np.round(k * 37, -1), np.around(k, decimals=1)


def fix_and_trunc(x):
    return np.fix(x * 3), np.trunc(x * 3), np.rint(x * 3)


def clip_array_bounds(x, lo, hi):
    return np.clip(x, lo, hi), np.clip(x, None, hi), np.clip(x, lo, None)


def clip_out_in_place(x):
    np.clip(x, -0.5, 0.5, out=x)
    return x


def clip_int_float_bound(k):
    return np.clip(k, 1, 3), k.clip(min=2)


def nan_to_num_kw(x):
    x = x.copy()
    x[0] = np.nan
    x[1] = np.inf
    x[2] = -np.inf
    return np.nan_to_num(x, nan=-1.0, posinf=100.0, neginf=-100.0), np.nan_to_num(x)


def nan_to_num_in_place(x):
    x /= (x > 0)
    np.nan_to_num(x, copy=False, nan=0.0)
    return x


# ----------------------------------------------------------------------------- bits


def bit_ops_uint8(a, b):
    a = a.astype(np.uint8)
    b = b.astype(np.uint8)
    return a & b, a | b, a ^ b, ~a, a << 2, a >> 1, np.left_shift(a, b % 8)


def bit_ops_uint32_hash(x):
    h = x.astype(np.uint32)
    h ^= h >> 16
    h *= np.uint32(0x45D9F3B)
    h ^= h >> 16
    return h


def bit_count_and_test(x):
    x = x.astype(np.uint16)
    return np.bitwise_count(x), (x >> 3) & 1, np.bitwise_and.reduce(x | 1)


def uint64_shifts(x):
    x = x.astype(np.uint64)
    return (x << np.uint64(33)) | (x >> np.uint64(7))


def packbits_forms(bits):
    b = bits.astype(bool)
    return (np.packbits(b), np.packbits(b, axis=1), np.packbits(b, bitorder="little"))


def unpackbits_forms(bytes_):
    u = bytes_.astype(np.uint8)
    return (np.unpackbits(u), np.unpackbits(u, axis=0, count=5),
            np.unpackbits(u, bitorder="little", count=-3))


def bits_round_trip(x):
    u = x.astype(np.uint8)
    bits = np.unpackbits(u[:, None], axis=1)
    return np.packbits(bits, axis=1).ravel()


# ----------------------------------------------------------------------------- sets


def isin_invert(x, test):
    return np.isin(x, test), np.isin(x, test, invert=True)


def in1d_labels(labels):
    return np.isin(labels, [1, 3]).sum()


def isin_assume_unique(a, b):
    return np.isin(a, b, assume_unique=True, kind="sort")


def mask_of_members(x, allowed):
    m = np.isin(x, allowed)
    return np.where(m, x, -1)


# ----------------------------------------------------------------------------- combined in practice


def robust_scale(X):
    med = np.median(X, axis=0)
    q75, q25 = np.percentile(X, [75, 25], axis=0)
    iqr = q75 - q25
    iqr[iqr == 0] = 1.0
    return (X - med) / iqr

def winsorize(X, lo=5, hi=95):
    p_lo, p_hi = np.percentile(X, [lo, hi], axis=0, method="nearest")
    return np.clip(X, p_lo, p_hi)

def rank_columns(X):
    out = np.empty_like(X)
    for j in range(X.shape[1]):
        order = np.argsort(X[:, j], kind="stable")
        out[order, j] = np.arange(1, X.shape[0] + 1)
    return out

def quantile_bins(v, n=3):
    edges = np.quantile(v, np.linspace(0, 1, n + 1), method="inverted_cdf")
    return np.clip(np.searchsorted(edges, v, side="right") - 1, 0, n - 1)

def ecdf(v):
    xs = np.sort(v)
    ys = np.arange(1, len(xs) + 1) / len(xs)
    return xs, ys, np.interp(0.0, xs, ys, left=0.0, right=1.0)

def moving_median(v, w=3):
    padded = np.pad(v, w // 2, mode="edge")
    return np.array([np.median(padded[i:i + w]) for i in range(len(v))])

def group_max(v, k, n=4):
    out = np.full(n, -np.inf)
    np.maximum.at(out, k, v)
    return out

def normalize_rows_apply(X):
    return np.apply_along_axis(lambda r: (r - r.min()) / (r.max() - r.min()), 1, X)

def topk_mask(X, kk=2):
    idx = np.argpartition(-X, kk - 1, axis=1)[:, :kk]
    mask = np.zeros_like(X, dtype=bool)
    np.put_along_axis(mask, idx, True, axis=1)
    return mask

def hist_equalize_float(v, bins=4):
    h, e = np.histogram(v, bins=bins)
    cdf = np.cumsum(h) / h.sum()
    return np.interp(v, e[1:], cdf)

def pad_and_diff(v):
    return np.diff(np.pad(v, (1, 1), mode="reflect"), n=2)

def mean_pad_blur(X):
    P = np.pad(X, 1, mode="mean", stat_length=2)
    return (P[:-2, 1:-1] + P[2:, 1:-1] + P[1:-1, :-2] + P[1:-1, 2:]) / 4

def sturges_like_fixed(v):
    nb = int(np.ceil(np.log2(v.size) + 1))
    return np.histogram(v, bins=nb)[0]

def vectorized_clip_poly(X):
    f = np.vectorize(lambda a, lo, hi: np.clip(a, lo, hi))
    return f(X, -0.5, 0.5)

def select_bands(v):
    return np.select([v < -1, v < 0, v < 1], ["low", "mid-", "mid+"], default="high") == "mid-"


# ----------------------------------------------------------------------------- dates and strings


def _dates(s, n):
    days = _i(3000, n, seed=s)
    d = np.datetime64("2015-01-01") + days.astype("timedelta64[D]")
    d[1] = np.datetime64("NaT")
    return d


def days_between(d, k):
    start = np.datetime64("2015-01-01")
    return (d - start) / np.timedelta64(1, "D"), (d - start).astype("timedelta64[h]")


def shift_by_business_days(d, k):
    return d + k.astype("timedelta64[D]"), d + np.timedelta64(36, "h")


def month_and_year_of(d):
    months = d.astype("datetime64[M]")
    years = d.astype("datetime64[Y]").astype(int) + 1970
    day_of_month = (d - months).astype(int) + 1
    return months, years, day_of_month


def weekday_and_week_start(d):
    monday = np.datetime64("1970-01-05")
    weekday = ((d - monday) // np.timedelta64(1, "D")) % 7
    return weekday, d - (d - monday) % np.timedelta64(7, "D")


def gaps_and_span(d):
    valid = np.where(np.isnat(d), np.datetime64("2016-01-01"), d)
    gaps = np.diff(np.sort(valid))
    return gaps.astype("timedelta64[D]"), np.ptp(valid), np.nanmax(d), np.nanmin(d)


def timedelta_stats(d):
    td = d - np.datetime64("2015-01-01")
    return td.sum(), np.mean(td), np.median(td), td.max(), np.isnat(td).sum()


def bucket_dates(d):
    edges = np.array(["2016-01-01", "2017-01-01", "2018-01-01"], dtype="datetime64[D]")
    return np.searchsorted(edges, d), d > edges[0], np.clip(d, edges[0], edges[-1])


def seconds_since_epoch(d):
    return d.astype("datetime64[s]").astype(np.int64), (d.astype("datetime64[ms]") -
                                                       np.datetime64(0, "ms")) // 1000


def string_labels_mask(labels, x):
    cats = labels == "cat"
    return x[cats].sum(), np.where(labels != "dog", x, 0.0), np.isin(labels, ["cat", "bird"])


def int_labels_to_strings(k):
    names = k.astype(str)
    return np.char.add(names, "_id"), names


def _labels(s, n):
    return np.array(["cat", "dog", "bird"])[_i(3, n, seed=s)]


# ----------------------------------------------------------------------------- registry

IMG = lambda s, n: _f(n, 5, seed=s)  # noqa: E731


def _u8(s, *shape):
    return _i(256, *shape, seed=s).astype(np.uint8)


CORPUS = {
    "pad_constant_per_axis": (pad_constant_per_axis, {}, lambda s, n: (IMG(s, n),)),
    "pad_constant_scalar_int": (pad_constant_scalar_int, {}, lambda s, n: (_i(5, n, seed=s),)),
    "pad_edge_float32": (pad_edge_float32, {}, lambda s, n: (IMG(s, n),)),
    "pad_reflect_image": (pad_reflect_image, {}, lambda s, n: (IMG(s, n),)),
    "pad_symmetric_odd": (pad_symmetric_odd, {}, lambda s, n: (_f(n, seed=s),)),
    "pad_reflect_odd": (pad_reflect_odd, {}, lambda s, n: (IMG(s, n),)),
    "pad_wrap_periodic": (pad_wrap_periodic, {}, lambda s, n: (IMG(s, n),)),
    "pad_linear_ramp": (pad_linear_ramp, {}, lambda s, n: (_f(n, seed=s),)),
    "pad_linear_ramp_2d": (pad_linear_ramp_2d, {}, lambda s, n: (IMG(s, n),)),
    "pad_maximum_stat": (pad_maximum_stat, {}, lambda s, n: (_f(n, seed=s),)),
    "pad_minimum": (pad_minimum, {}, lambda s, n: (IMG(s, n),)),
    "pad_mean_stat_length": (pad_mean_stat_length, {}, lambda s, n: (_f(n, seed=s),)),
    "pad_median": (pad_median, {}, lambda s, n: (IMG(s, n),)),
    "pad_mean_int": (pad_mean_int, {}, lambda s, n: (_i(9, n, seed=s),)),
    "pad_empty_mode": (pad_empty_mode, {}, lambda s, n: (_f(n, seed=s),)),
    "pad_callable_mode": (pad_callable_mode, {}, lambda s, n: (IMG(s, n),)),
    "pad_for_convolution": (pad_for_convolution, {},
                            lambda s, n: (IMG(s, n), _f(3, 3, seed=s + 1))),
    "hist_int_bins_density": (hist_int_bins_density, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "hist_range_weights": (hist_range_weights, {},
                           lambda s, n: (_f(n * 3, seed=s), _f(n * 3, positive=True))),
    "hist_array_bins_int": (hist_array_bins_int, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "hist_bin_edges_int": (hist_bin_edges_int, {}, lambda s, n: (_f(n * 5, seed=s),)),
    "hist_entropy": (hist_entropy, {}, lambda s, n: (_f(n * 5, seed=s),)),
    "hist_uint8_image": (hist_uint8_image, {}, lambda s, n: (_u8(s, n, 7),)),
    "hist2d_density": (hist2d_density, {}, lambda s, n: (_f(n * 3, seed=s),
                                                         _f(n * 3, seed=s + 1))),
    "hist2d_weights_pair_bins": (hist2d_weights_pair_bins, {},
                                 lambda s, n: (_f(n * 3, seed=s), _f(n * 3, seed=s + 1),
                                               _f(n * 3, positive=True, seed=s + 2))),
    "hist2d_mutual_information": (hist2d_mutual_information, {},
                                  lambda s, n: (_f(n * 4, seed=s), _f(n * 4, seed=s + 1))),
    "histdd_points": (histdd_points, {}, lambda s, n: (_f(n * 4, 3, seed=s),)),
    "histdd_density": (histdd_density, {}, lambda s, n: (_f(n * 4, 2, seed=s),)),
    "interp_left_right": (interp_left_right, {},
                          lambda s, n: (_f(n, seed=s) * 3, _f(5, seed=s + 1), _f(5, seed=s + 2))),
    "interp_period_angles": (interp_period_angles, {}, lambda s, n: (_f(n, seed=s),)),
    "interp_resample": (interp_resample, {}, lambda s, n: (_f(n, seed=s),)),
    "interp_float32_points": (interp_float32_points, {}, lambda s, n: (_f(n, seed=s) * 3,)),
    "searchsorted_sides": (searchsorted_sides, {},
                           lambda s, n: (_i(5, 6, seed=s).astype(float),
                                         _i(6, n, seed=s + 1).astype(float))),
    "searchsorted_sorter": (searchsorted_sorter, {},
                            lambda s, n: (_f(n, seed=s), _f(3, seed=s + 1))),
    "searchsorted_method": (searchsorted_method, {},
                            lambda s, n: (_f(n, seed=s), _f(5, positive=True, seed=s) / 2)),
    "weighted_sample_by_cdf": (weighted_sample_by_cdf, {},
                               lambda s, n: (_f(n, positive=True, seed=s),
                                             _f(4, positive=True, seed=s + 1) / 2)),
    "digitize_right": (digitize_right, {}, lambda s, n: (_i(5, n, seed=s) - 2.0,)),
    "sort_kinds": (sort_kinds, {}, lambda s, n: (_i(4, n, 3, seed=s),)),
    "argsort_stable_descending": (argsort_stable_descending, {},
                                  lambda s, n: (_i(3, n + 2, seed=s).astype(np.float32),)),
    "argsort_axis_none": (argsort_axis_none, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "sort_in_place_rows": (sort_in_place_rows, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "ranks_by_double_argsort": (ranks_by_double_argsort, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "lexsort_two_keys": (lexsort_two_keys, {},
                         lambda s, n: (_i(3, n, seed=s), _i(2, n, seed=s + 1))),
    "lexsort_rows": (lexsort_rows, {}, lambda s, n: (_i(3, n, 3, seed=s),)),
    "partition_kth_list": (partition_kth_list, {}, lambda s, n: (_f(n, seed=s),)),
    "argpartition_topk": (argpartition_topk, {}, lambda s, n: (_f(3, n, seed=s),)),
    "partition_median_of_rows": (partition_median_of_rows, {},
                                 lambda s, n: (_f(3, n + 1, seed=s),)),
    "quantile_every_method": (quantile_every_method, {}, lambda s, n: (_f(n + 3, seed=s),)),
    "percentile_every_method_axis": (percentile_every_method_axis, {},
                                     lambda s, n: (_f(n + 1, 3, seed=s),)),
    "nanpercentile_methods": (nanpercentile_methods, {}, lambda s, n: (_f(3, n + 2, seed=s),)),
    "nanquantile_keepdims": (nanquantile_keepdims, {}, lambda s, n: (_f(3, n, seed=s),)),
    "iqr_outlier_mask": (iqr_outlier_mask, {}, lambda s, n: (_f(n * 3, seed=s) ** 3,)),
    "quantile_int_data": (quantile_int_data, {}, lambda s, n: (_i(20, n + 1, seed=s),)),
    "quantile_float32": (quantile_float32, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "apply_along_rows": (apply_along_rows, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "apply_along_returns_vector": (apply_along_returns_vector, {},
                                   lambda s, n: (_f(n, 3, seed=s),)),
    "apply_along_scalar_result": (apply_along_scalar_result, {},
                                  lambda s, n: (_f(2, n, 3, seed=s),)),
    "apply_over_axes_sum": (apply_over_axes_sum, {}, lambda s, n: (_f(2, n, 3, seed=s),)),
    "vectorize_arith": (vectorize_arith, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "vectorize_otypes": (vectorize_otypes, {}, lambda s, n: (_f(n, seed=s),)),
    "vectorize_python_numbers": (vectorize_python_numbers, {}, lambda s, n: (
        np.random.default_rng(s).integers(0, 256, (n, 3), dtype=np.uint8),
        np.abs(_f(n, seed=s)))),
    "vectorize_signature": (vectorize_signature, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "vectorize_signature_scalar_out": (vectorize_signature_scalar_out, {},
                                       lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "vectorize_excluded": (vectorize_excluded, {}, lambda s, n: (_f(n, seed=s), _f(3, seed=s))),
    "vectorize_zero_d_results": (vectorize_zero_d_results, {}, lambda s, n: (_f(n, seed=s),)),
    "piecewise_abs": (piecewise_abs, {}, lambda s, n: (_f(n, seed=s),)),
    "piecewise_default_constant": (piecewise_default_constant, {},
                                   lambda s, n: (_f(n, 2, seed=s),)),
    "piecewise_int": (piecewise_int, {}, lambda s, n: (_i(20, n, seed=s),)),
    "select_grades": (select_grades, {}, lambda s, n: (_f(n, positive=True, seed=s) / 2,)),
    "select_array_choices": (select_array_choices, {}, lambda s, n: (_f(n, seed=s) * 2,)),
    "choose_clip": (choose_clip, {}, lambda s, n: (_i(5, n, seed=s) - 1, _f(n, seed=s),
                                                    _f(n, seed=s + 1), _f(n, seed=s + 2))),
    "choose_wrap_scalars": (choose_wrap_scalars, {}, lambda s, n: (_i(6, n, seed=s),)),
    "choose_method": (choose_method, {}, lambda s, n: (_i(3, n, seed=s), _f(3, n, seed=s))),
    "take_axis_modes": (take_axis_modes, {}, lambda s, n: (_f(n, 4, seed=s), _i(4, 3, seed=s))),
    "take_into_out": (take_into_out, {}, lambda s, n: (_f(n, 4, seed=s), _i(n, 3, seed=s))),
    "put_flat": (put_flat, {}, lambda s, n: (_f(n, 3, seed=s), _i(n, 2, seed=s),
                                            _f(2, seed=s + 1))),
    "put_clip_method": (put_clip_method, {}, lambda s, n: (_f(n, seed=s),)),
    "take_along_argsort": (take_along_argsort, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "take_along_argmax_keepdims": (take_along_argmax_keepdims, {},
                                   lambda s, n: (_f(n, 3, seed=s),)),
    "put_along_axis_zero_max": (put_along_axis_zero_max, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "put_along_flat_axis_none": (put_along_flat_axis_none, {},
                                 lambda s, n: (_f(n, 3, seed=s),)),
    "place_cycle": (place_cycle, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "putmask_values": (putmask_values, {}, lambda s, n: (_f(n, 3, seed=s),
                                                         _f(3, seed=s + 1))),
    "copyto_where": (copyto_where, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "copyto_casting": (copyto_casting, {}, lambda s, n: (_f(n, seed=s), _i(9, n, seed=s))),
    "ix_block": (ix_block, {}, lambda s, n: (_f(n, 5, seed=s), _i(n, 2, seed=s),
                                            _i(5, 3, seed=s))),
    "ix_assign": (ix_assign, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "ogrid_distance": (ogrid_distance, {}, lambda s, n: (IMG(s, n),)),
    "mgrid_complex_step": (mgrid_complex_step, {}, lambda s, n: (_f(2, seed=s),)),
    "mgrid_int_coords": (mgrid_int_coords, {}, lambda s, n: (_f(n, 5, positive=True, seed=s),)),
    "r_c_concatenate": (r_c_concatenate, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "r_linspace_directive": (r_linspace_directive, {}, lambda s, n: (_f(n, seed=s),)),
    "indices_grid": (indices_grid, {}, lambda s, n: (IMG(s, n),)),
    "indices_sparse": (indices_sparse, {}, lambda s, n: (IMG(s, n),)),
    "unravel_argmax": (unravel_argmax, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "unravel_order_f": (unravel_order_f, {}, lambda s, n: (_i(12, n, seed=s),)),
    "ravel_multi_modes": (ravel_multi_modes, {},
                          lambda s, n: (_i(6, n, seed=s) - 1, _i(9, n, seed=s + 1) - 2)),
    "ravel_multi_constant": (ravel_multi_constant, {}, lambda s, n: ()),
    "diag_indices_set": (diag_indices_set, {}, lambda s, n: (_f(n, n, seed=s),)),
    "diag_indices_from_add": (diag_indices_from_add, {}, lambda s, n: (_f(n, n, seed=s),)),
    "tril_indices_offset": (tril_indices_offset, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "triu_indices_from_symmetrize": (triu_indices_from_symmetrize, {},
                                     lambda s, n: (_f(n, n, seed=s),)),
    "mask_indices_triu": (mask_indices_triu, {}, lambda s, n: (_f(n, n, seed=s),)),
    "einsum_ellipsis_batch": (einsum_ellipsis_batch, {},
                              lambda s, n: (_f(2, n, 3, seed=s), _f(2, 3, 2, seed=s + 1))),
    "einsum_ellipsis_trace": (einsum_ellipsis_trace, {}, lambda s, n: (_f(2, n, n, seed=s),)),
    "einsum_optimize_chain": (einsum_optimize_chain, {},
                              lambda s, n: (_f(n, 3, seed=s), _f(3, 5, seed=s + 1),
                                            _f(5, 2, seed=s + 2))),
    "einsum_optimize_greedy": (einsum_optimize_greedy, {},
                               lambda s, n: (_f(n, 3, seed=s), _f(n, 2, seed=s + 1))),
    "einsum_broadcast_leading": (einsum_broadcast_leading, {},
                                 lambda s, n: (_f(3, seed=s), _f(n, 2, 3, seed=s + 1))),
    "einsum_dot_scalars": (einsum_dot_scalars, {},
                           lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "einsum_out": (einsum_out, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "tensordot_axes_forms": (tensordot_axes_forms, {},
                             lambda s, n: (_f(n, 3, seed=s), _f(3, 2, seed=s + 1))),
    "tensordot_3d": (tensordot_3d, {}, lambda s, n: (_f(n, 3, 2, seed=s), _f(3, 2, seed=s + 1))),
    "kron_blocks": (kron_blocks, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "outer_ravel": (outer_ravel, {}, lambda s, n: (_f(n, seed=s), _f(3, seed=s + 1))),
    "inner_and_vdot": (inner_and_vdot, {}, lambda s, n: (_f(n, 3, seed=s),
                                                         _f(n, 3, seed=s + 1))),
    "vdot_complex": (vdot_complex, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "cross_axis_forms": (cross_axis_forms, {},
                         lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "cross_axis_kw": (cross_axis_kw, {}, lambda s, n: (_f(2, 3, n, seed=s),
                                                       _f(2, 3, n, seed=s + 1))),
    "gradient_spacing_arrays": (gradient_spacing_arrays, {},
                                lambda s, n: (_f(n, 5, seed=s), _f(n, seed=s + 1),
                                              _f(5, seed=s + 2))),
    "gradient_edge_order_2": (gradient_edge_order_2, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "gradient_axis_spacing": (gradient_axis_spacing, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "gradient_mixed_spacing": (gradient_mixed_spacing, {},
                               lambda s, n: (_f(n, 4, seed=s), _f(n, seed=s + 1))),
    "diff_prepend_append": (diff_prepend_append, {}, lambda s, n: (_f(n, seed=s),)),
    "diff_axis0_int": (diff_axis0_int, {}, lambda s, n: (_i(9, n, 3, seed=s),)),
    "ediff1d_to_begin": (ediff1d_to_begin, {}, lambda s, n: (_f(n, seed=s),)),
    "trapezoid_forms": (trapezoid_forms, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "cumprod_nancumsum": (cumprod_nancumsum, {}, lambda s, n: (_f(n, seed=s),)),
    "cumsum_dtype": (cumsum_dtype, {}, lambda s, n: (_i(200, n, 2, seed=s),)),
    "round_negative_decimals": (round_negative_decimals, {}, lambda s, n: (_f(n, seed=s),)),
    "round_ints": (round_ints, {}, lambda s, n: (_i(100, n, seed=s),)),
    "fix_and_trunc": (fix_and_trunc, {}, lambda s, n: (_f(n, seed=s),)),
    "clip_array_bounds": (clip_array_bounds, {},
                          lambda s, n: (_f(n, 3, seed=s), -_f(3, positive=True, seed=s),
                                        _f(n, 1, positive=True, seed=s))),
    "clip_out_in_place": (clip_out_in_place, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "clip_int_float_bound": (clip_int_float_bound, {}, lambda s, n: (_i(6, n, seed=s),)),
    "nan_to_num_kw": (nan_to_num_kw, {}, lambda s, n: (_f(n, seed=s),)),
    "nan_to_num_in_place": (nan_to_num_in_place, {}, lambda s, n: (_f(n, seed=s),)),
    "bit_ops_uint8": (bit_ops_uint8, {}, lambda s, n: (_i(256, n, seed=s),
                                                       _i(256, n, seed=s + 1))),
    "bit_ops_uint32_hash": (bit_ops_uint32_hash, {}, lambda s, n: (_i(2 ** 31, n, seed=s),)),
    "bit_count_and_test": (bit_count_and_test, {}, lambda s, n: (_i(2 ** 16, n, seed=s),)),
    "uint64_shifts": (uint64_shifts, {}, lambda s, n: (_i(2 ** 40, n, seed=s),)),
    "packbits_forms": (packbits_forms, {}, lambda s, n: (_i(2, n, 11, seed=s),)),
    "unpackbits_forms": (unpackbits_forms, {}, lambda s, n: (_i(256, n, 2, seed=s),)),
    "bits_round_trip": (bits_round_trip, {}, lambda s, n: (_i(256, n, seed=s),)),
    "isin_invert": (isin_invert, {}, lambda s, n: (_i(6, n, 2, seed=s), _i(6, 3, seed=s + 1))),
    "in1d_labels": (in1d_labels, {}, lambda s, n: (_i(5, n, seed=s),)),
    "isin_assume_unique": (isin_assume_unique, {},
                           lambda s, n: (np.arange(n) * 2, np.array([0, 3, 4, 10]))),
    "mask_of_members": (mask_of_members, {}, lambda s, n: (_i(8, n, seed=s),
                                                           _i(8, 3, seed=s + 1))),
    "robust_scale": (robust_scale, {}, lambda s, n: (_f(n + 2, 4, seed=s),)),
    "winsorize": (winsorize, {}, lambda s, n: (_f(n + 2, 4, seed=s),)),
    "rank_columns": (rank_columns, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "quantile_bins": (quantile_bins, {}, lambda s, n: (_f(n + 2, seed=s),)),
    "ecdf": (ecdf, {}, lambda s, n: (_f(n, seed=s),)),
    "moving_median": (moving_median, {}, lambda s, n: (_f(n, seed=s),)),
    "group_max": (group_max, {}, lambda s, n: (_f(n, seed=s), _i(4, n, seed=s))),
    "normalize_rows_apply": (normalize_rows_apply, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "topk_mask": (topk_mask, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "hist_equalize_float": (hist_equalize_float, {}, lambda s, n: (_f(n * 2, seed=s),)),
    "pad_and_diff": (pad_and_diff, {}, lambda s, n: (_f(n, seed=s),)),
    "mean_pad_blur": (mean_pad_blur, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "sturges_like_fixed": (sturges_like_fixed, {}, lambda s, n: (_f(n * 3, seed=s),)),
    "vectorized_clip_poly": (vectorized_clip_poly, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "select_bands": (select_bands, {}, lambda s, n: (_f(n, seed=s),)),
    "days_between": (days_between, {}, lambda s, n: (_dates(s, n), _i(9, n, seed=s))),
    "shift_by_business_days": (shift_by_business_days, {},
                               lambda s, n: (_dates(s, n), _i(9, n, seed=s))),
    "month_and_year_of": (month_and_year_of, {}, lambda s, n: (_dates(s, n),)),
    "weekday_and_week_start": (weekday_and_week_start, {}, lambda s, n: (_dates(s, n),)),
    "gaps_and_span": (gaps_and_span, {}, lambda s, n: (_dates(s, n),)),
    "timedelta_stats": (timedelta_stats, {}, lambda s, n: (_dates(s, n),)),
    "bucket_dates": (bucket_dates, {}, lambda s, n: (_dates(s, n),)),
    "seconds_since_epoch": (seconds_since_epoch, {}, lambda s, n: (_dates(s, n),)),
    "string_labels_mask": (string_labels_mask, {}, lambda s, n: (_labels(s, n), _f(n, seed=s))),
    "int_labels_to_strings": (int_labels_to_strings, {}, lambda s, n: (_i(300, n, seed=s),)),
}


@pytest.mark.filterwarnings("ignore:.*:DeprecationWarning")
@pytest.mark.parametrize("name", list(CORPUS))
def test_feature_matches_numpy(name):
    """NumPy\'s values, dtypes and in-place writes (`test_corpus.check_like_numpy`)."""
    check_like_numpy(*CORPUS[name])


# ----------------------------------------------------------------------------- new memory


def _write_into(make):
    def fn(k):
        y = make(k)
        y[...] = -7
        return k, y

    return fn


@pytest.mark.parametrize("fn", [
    _write_into(lambda k: np.round(k)),
    _write_into(lambda k: k.round(2)),
    _write_into(lambda k: np.pad(k, 0)),
    _write_into(lambda k: np.roll(k, 0)),
    _write_into(lambda k: np.concatenate([k])),
    _write_into(lambda k: np.stack([k])[0]),
    _write_into(lambda k: np.hstack([k])),
    _write_into(lambda k: np.resize(k, k.shape)),
    _write_into(lambda k: np.nan_to_num(k)),
    _write_into(lambda k: np.vectorize(lambda v: v)(k)),
    _write_into(lambda k: np.linalg.matrix_power(k.reshape(2, 2), 1).ravel()),
    _write_into(lambda k: np.atleast_1d(k)),
    _write_into(lambda k: np.diff(k, n=0)),
    _write_into(lambda k: np.clip(k, 0, 2, k)),
    _write_into(lambda k: np.cumsum(k, 0, None, k)),
])
def test_writes_into_results_reach_the_argument_as_in_numpy(fn):
    """A routine NumPy gives new memory from (even where it could hand the argument back:
    `np.round` of integers, a zero pad, one array joined) must not pass a write through to the
    argument; the views NumPy returns (`atleast_1d`, `diff(n=0)`, `matrix_power(a, 1)`) and an
    `out=` given by position must."""
    want_k, got_k = np.arange(4), np.arange(4)
    assert_same(tracenp.jit(fn)(got_k), fn(want_k))
    assert_same(got_k, want_k)


# ----------------------------------------------------------------------------- refused forms


def hist_auto(x):
    return np.histogram(x, bins="auto")


def hist_fd_edges(x):
    return np.histogram_bin_edges(x, bins="fd")


def unique_counts_classes(labels):
    classes, counts = np.unique(labels, return_counts=True)
    return classes, counts / counts.sum()


def unique_inverse_relabel(labels):
    _, inv = np.unique(labels, return_inverse=True)
    return inv


def unique_rows_inverse_counts(pairs):
    # n-gram or edge counts: each row's group among the sorted unique rows, and its count
    _, first, inv, counts = np.unique(pairs, axis=0, return_index=True, return_inverse=True,
                                      return_counts=True)
    return inv, counts[inv], first.min(), np.unique(pairs, axis=0).max()


def unique_first_index(labels):
    vals, idx = np.unique(labels, return_index=True)
    return vals[np.argsort(idx)]


def unique_rows(a):
    return np.unique(a, axis=0)


def unique_equal_nan(x):
    x = np.where(x > 1, np.nan, x)
    return np.unique(x, equal_nan=True)


def intersect_with_indices(a, b):
    common, ia, ib = np.intersect1d(a, b, return_indices=True)
    return common, ia, ib


def set_routines(a, b):
    return np.setdiff1d(a, b), np.union1d(a, b), np.setxor1d(a, b)


def masked_mean_ignoring_negative(x):
    m = np.ma.masked_less(x, 0)
    return m.mean(axis=0).filled(np.nan)


def masked_invalid_fill_value(x):
    y = np.ma.masked_invalid(np.log(x))
    y.fill_value = -1.0
    return y.filled(), np.ma.masked_array(x, mask=x > 1).sum()


def record_fields(x, y):
    pts = np.zeros(len(x), dtype=[("x", "f8"), ("y", "f8")])
    pts["x"] = x
    pts["y"] = y
    return np.hypot(pts["x"], pts["y"])


def string_upper(labels):
    return np.char.upper(labels)


def strings_lengths(labels, x):
    return np.strings.str_len(labels) * x


def dates_as_strings(d):
    return np.datetime_as_string(d, unit="D")


REFUSED = {
    "hist_sturges": (tracenp.errors.DataDependentShapeError, hist_sturges,
                     lambda s: (_f(20, seed=s),)),
    "hist_sqrt_range": (tracenp.errors.DataDependentShapeError, hist_sqrt_range,
                        lambda s: (_f(20, seed=s),)),
    "hist_bin_edges_rice": (tracenp.errors.DataDependentShapeError, hist_bin_edges_rice,
                            lambda s: (_f(20, seed=s),)),
    "hist_auto": (tracenp.errors.DataDependentShapeError, hist_auto, lambda s: (_f(20, seed=s),)),
    "hist_fd_edges": (tracenp.errors.DataDependentShapeError, hist_fd_edges,
                      lambda s: (_f(20, seed=s),)),
    "frompyfunc_add": (tracenp.errors.UnsupportedFunctionError, frompyfunc_add,
                       lambda s: (_f(4, seed=s), _f(4, seed=s + 1))),
    "vectorize_branching": (tracenp.errors.ConcretizationError, vectorize_branching,
                            lambda s: (_f(5, seed=s),)),
    "unique_counts_classes": (tracenp.errors.DataDependentShapeError, unique_counts_classes,
                              lambda s: (_i(4, 9, seed=s),)),
    "unique_first_index": (tracenp.errors.DataDependentShapeError, unique_first_index,
                           lambda s: (_i(4, 9, seed=s),)),
    "unique_rows": (tracenp.errors.DataDependentShapeError, unique_rows,
                    lambda s: (_i(2, 6, 2, seed=s),)),
    "unique_equal_nan": (tracenp.errors.DataDependentShapeError, unique_equal_nan,
                         lambda s: (_f(6, seed=s),)),
    "intersect_with_indices": (tracenp.errors.UnsupportedFunctionError, intersect_with_indices,
                               lambda s: (_i(6, 5, seed=s), _i(6, 4, seed=s + 1))),
    "set_routines": (tracenp.errors.UnsupportedFunctionError, set_routines,
                     lambda s: (_i(6, 5, seed=s), _i(6, 4, seed=s + 1))),
    "string_upper": (tracenp.errors.UnsupportedFunctionError, string_upper,
                     lambda s: (_labels(s, 5),)),
    "strings_lengths": (tracenp.errors.UnsupportedFunctionError, strings_lengths,
                        lambda s: (_labels(s, 5), _f(5, seed=s))),
    "dates_as_strings": (tracenp.errors.UnsupportedFunctionError, dates_as_strings,
                         lambda s: (_dates(s, 5),)),
}


# refused until they traced (stop 38): NumPy's values now
TRACED_NOW = {
    "record_fields": (record_fields, {}, lambda s, n: (_f(4, seed=s), _f(4, seed=s + 1))),
}


@pytest.mark.parametrize("name", list(TRACED_NOW))
def test_forms_once_refused_now_trace(name):
    """Forms refused until tracenp traced them: NumPy's values now."""
    check_like_numpy(*TRACED_NOW[name])


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_unique_inverse_of_traced_labels_matches_numpy():
    """`_, inv = np.unique(labels, return_inverse=True)`: the inverse has the labels' shape,
    so it traces (it was refused with the rest of np.unique)."""
    check_like_numpy(unique_inverse_relabel, {}, lambda s, n: (_i(4, n + 5, seed=s) * 10,))


def test_unique_rows_of_traced_integers_match_numpy():
    """`np.unique(pairs, axis=0, ...)` of integer rows: the rows sorted first column first,
    the inverse traced and the values, first indices and counts selections, as in 1-d."""
    check_like_numpy(unique_rows_inverse_counts, {}, lambda s, n: (_i(3, 3 * n, 2, seed=s),))


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_raise_by_name_and_fall_back_to_numpy(name):
    """The named error, and NumPy's values under `fallback=True` (`test_corpus.check_refused`)."""
    check_refused(*REFUSED[name])