"""Corpus, hunt H: NumPy's API plumbing as library and application code uses it, the glue
around the math: dtype handling (`np.result_type`, `np.promote_types`, `np.can_cast`,
`np.issubdtype`, `x.dtype.kind`, `np.finfo`/`np.iinfo`, `astype(copy=False)`, `np.asarray`
with `dtype=`, `np.asanyarray`, `np.ascontiguousarray`, `np.require`), arrays built from lists
mixing traced values, Python scalars and arrays, joining and splitting in every form, the
`atleast_*` family, broadcasting helpers, axis shuffles, `insert`/`delete`/`append`/`resize`/
`trim_zeros`, `tile`/`repeat` with count arrays, index helpers, selections, writes by
`put`/`place`/`putmask`/`copyto(where=)`/`put_along_axis`/`fill_diagonal`, `choose`/`select`/
`piecewise`, `ndenumerate`/`ndindex` loops, `x.flat`, iteration, introspection (`len`,
`isinstance`, `np.isscalar`, `np.ndim`, `np.shape`, `assert x.shape == ...`), copies and
views, comparisons in `if`, global-state random numbers, and the forms refused by name
(datetimes, `np.ma`, structured, string and object arrays) with NumPy's values under
`fallback=True`.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place.
"""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_ops import assert_same

# ----------------------------------------------------------------------------------- dtype handling


def as_float_array(X, dtype=np.float64):
    X = np.asarray(X)
    if not np.issubdtype(X.dtype, np.floating):
        X = X.astype(dtype)
    return X * 0.5


def check_array_like(X, copy=False):
    X = np.asarray(X, dtype=np.result_type(X, np.float32))
    if copy:
        X = X.copy()
    return X - X.mean(axis=0)


def safe_eps_divide(a, b):
    eps = np.finfo(a.dtype).eps
    return a / (b + eps)


def kind_switch(x):
    if x.dtype.kind in "iu":
        return x.astype(np.float64) / np.iinfo(x.dtype).max
    if x.dtype.kind == "b":
        return x.astype(np.float64)
    return x


def promote_pair(a, b):
    dt = np.promote_types(a.dtype, b.dtype)
    return a.astype(dt) + b.astype(dt)


def result_type_of_scalar(x, scale=2.5):
    out = np.empty(x.shape, dtype=np.result_type(x.dtype, np.float32))
    out[...] = x * scale
    return out


def can_cast_or_convert(x):
    if np.can_cast(x.dtype, np.float32, casting="safe"):
        return x.astype(np.float32)
    return x.astype(np.float64)


def astype_no_copy(x):
    y = x.astype(np.float64, copy=False)
    y = y + 1
    return y, y.dtype == x.dtype


def img_as_float(image):
    if image.dtype == np.uint8:
        return image.astype(np.float32) / 255.0
    return image.astype(np.float32)


def img_as_ubyte(image):
    image = np.clip(image, 0, 1)
    return (image * 255 + 0.5).astype(np.uint8)


def to_contiguous(x):
    y = np.ascontiguousarray(x, dtype=np.float64)
    return y * 2, y.ndim


def require_aligned(x):
    y = np.require(x, dtype=np.float64, requirements=["C", "A"])
    return y.sum(axis=1)


def asanyarray_plus(x, y):
    x = np.asanyarray(x)
    y = np.asanyarray(y, dtype=x.dtype)
    return x + y


def finfo_clip_log(p):
    eps = np.finfo(p.dtype).eps
    p = np.clip(p, eps, 1 - eps)
    return -np.log(p)


def tiny_guard(x):
    tiny = np.finfo(x.dtype).tiny
    return np.where(np.abs(x) < tiny, tiny, x)


def iinfo_saturate(x):
    info = np.iinfo(np.int16)
    return np.clip(x, info.min, info.max).astype(np.int16)


def dtype_itemsize_bytes(x):
    return x.nbytes, x.itemsize, x.size * x.dtype.itemsize


def common_float(*arrays):
    dt = np.result_type(*arrays, np.float32)
    return [np.asarray(a, dtype=dt) for a in arrays]


def issubdtype_integer_index(x, idx):
    if np.issubdtype(idx.dtype, np.integer):
        return x[idx]
    return x[idx.astype(np.intp)]


def complex_or_real(z):
    if np.iscomplexobj(z):
        return np.abs(z) ** 2
    return z ** 2


def isrealobj_branch(z):
    if np.isrealobj(z):
        return z.real
    return np.real_if_close(z * 0 + z.real)


def dtype_type_call(x):
    one = x.dtype.type(1)
    return x + one, x * x.dtype.type(0.5)


def obj_dtype_char(x):
    return x.astype(x.dtype.char), x.dtype.str, np.dtype(x.dtype).name


def mixed_int_uint(a, b):
    return a + b, a * b, np.result_type(a, b).name


def uint8_wraparound(x):
    return x + np.uint8(200), x - 1, (x.astype(np.int16) - 1)


def float32_with_python_scalars(x, alpha=0.1):
    return x * alpha + 1, x / 3, x ** 2, np.float64(2.0) * x


def bool_arithmetic(m):
    return m.sum(), m.mean(), m + m, m * 3, ~m, m.astype(int).cumsum()


DTYPES = {
    "as_float_array_int": (as_float_array, {}, lambda s, n: (_i(9, n, 3, seed=s),)),
    "as_float_array_f32": (as_float_array, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "check_array_like_int32": (check_array_like, {}, lambda s, n: (_i(9, n, 3, seed=s).astype(np.int32),)),
    "check_array_like_f32": (check_array_like, {"copy": True}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "safe_eps_divide": (safe_eps_divide, {}, lambda s, n: (_f(n, seed=s).astype(np.float32), np.zeros(n, np.float32))),
    "kind_switch_uint8": (kind_switch, {}, lambda s, n: (_i(255, n, 2, seed=s).astype(np.uint8),)),
    "kind_switch_int32": (kind_switch, {}, lambda s, n: (_i(255, n, seed=s).astype(np.int32),)),
    "kind_switch_bool": (kind_switch, {}, lambda s, n: (_i(2, n, seed=s).astype(bool),)),
    "kind_switch_float": (kind_switch, {}, lambda s, n: (_f(n, seed=s),)),
    "promote_pair": (promote_pair, {}, lambda s, n: (_i(9, n, seed=s).astype(np.int8), _f(n, seed=s).astype(np.float32))),
    "promote_pair_uint": (promote_pair, {}, lambda s, n: (_i(9, n, seed=s).astype(np.uint16), _i(9, n, seed=s).astype(np.int16))),
    "result_type_of_scalar": (result_type_of_scalar, {}, lambda s, n: (_i(9, n, seed=s).astype(np.int16),)),
    "can_cast_int16": (can_cast_or_convert, {}, lambda s, n: (_i(9, n, seed=s).astype(np.int16),)),
    "can_cast_int64": (can_cast_or_convert, {}, lambda s, n: (_i(9, n, seed=s),)),
    "astype_no_copy": (astype_no_copy, {}, lambda s, n: (_f(n, seed=s),)),
    "astype_no_copy_f32": (astype_no_copy, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "img_as_float": (img_as_float, {}, lambda s, n: (_i(256, n, n, 3, seed=s).astype(np.uint8),)),
    "img_as_ubyte": (img_as_ubyte, {}, lambda s, n: (_f(n, n, seed=s),)),
    "to_contiguous": (to_contiguous, {}, lambda s, n: (np.asfortranarray(_f(n, 3, seed=s)),)),
    "to_contiguous_strided": (to_contiguous, {}, lambda s, n: (_f(n, 6, seed=s)[:, ::2],)),
    "require_aligned": (require_aligned, {}, lambda s, n: (_i(9, n, 3, seed=s).astype(np.int32).T,)),
    "asanyarray_plus": (asanyarray_plus, {}, lambda s, n: (_f(n, seed=s).astype(np.float32), _f(n, seed=s + 1))),
    "finfo_clip_log": (finfo_clip_log, {}, lambda s, n: (np.linspace(0, 1, n).astype(np.float32),)),
    "tiny_guard": (tiny_guard, {}, lambda s, n: (np.concatenate([_f(n, seed=s), [0.0]]),)),
    "iinfo_saturate": (iinfo_saturate, {}, lambda s, n: (_i(100000, n, seed=s) - 50000,)),
    "dtype_itemsize_bytes": (dtype_itemsize_bytes, {}, lambda s, n: (_f(n, 2, seed=s).astype(np.float32),)),
    "common_float": (common_float, {}, lambda s, n: (_i(9, n, seed=s).astype(np.int8), _f(n, seed=s).astype(np.float32))),
    "issubdtype_integer_index": (issubdtype_integer_index, {}, lambda s, n: (_f(n, seed=s), _i(n, 3, seed=s).astype(np.float64))),
    "complex_or_real_c": (complex_or_real, {}, lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1),)),
    "complex_or_real_r": (complex_or_real, {}, lambda s, n: (_f(n, seed=s),)),
    "isrealobj_branch": (isrealobj_branch, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "dtype_type_call": (dtype_type_call, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "dtype_type_call_int": (dtype_type_call, {}, lambda s, n: (_i(9, n, seed=s).astype(np.int32),)),
    "obj_dtype_char": (obj_dtype_char, {}, lambda s, n: (_f(n, seed=s).astype(np.float16),)),
    "mixed_int_uint": (mixed_int_uint, {}, lambda s, n: (_i(9, n, seed=s).astype(np.int32), _i(9, n, seed=s).astype(np.uint32))),
    "uint8_wraparound": (uint8_wraparound, {}, lambda s, n: (_i(256, n, seed=s).astype(np.uint8),)),
    "float32_with_python_scalars": (float32_with_python_scalars, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "bool_arithmetic": (bool_arithmetic, {}, lambda s, n: (_i(2, n, seed=s).astype(bool),)),
}


@pytest.mark.parametrize("name", list(DTYPES))
def test_dtype_handling_matches_numpy(name):
    fn, static, make = DTYPES[name]
    check_like_numpy(fn, static, make)


# ------------------------------------------------------------------------ arrays built from lists


def diag2_from_elements(x):
    return np.array([[x[0], 0], [0, x[1]]])


def rotation_matrix(theta):
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]])


def rotation_matrix_3d(angle, axis=2):
    c, s = np.cos(angle), np.sin(angle)
    if axis == 2:
        return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def homogeneous_points(pts):
    ones = np.ones((pts.shape[0], 1), dtype=pts.dtype)
    return np.hstack([pts, ones])


def bbox_of_points(pts):
    return np.array([pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()])


def list_of_rows_to_array(X):
    rows = []
    for row in X:
        rows.append([row.sum(), row.max(), row.min()])
    return np.asarray(rows)


def array_of_mixed_scalars(x, k=3):
    return np.array([x.mean(), k, 1.5, x.std()])


def array_of_int_scalars(n):
    return np.array([n.sum(), n.max(), 0])


def array_from_tuple_of_arrays(a, b):
    return np.array((a, b, a + b))


def array_from_float32_elements(x):
    return np.array([x[0], x[1] * 2]), np.array([x[0], 1.0]), np.array([x.sum(), 2], dtype=np.float32)


def array_with_dtype_kw(x):
    return np.array([x[0], x[-1]], dtype=np.int64), np.asarray([x.min(), x.max()], dtype=float)


def nested_list_of_arrays(a, b):
    return np.array([[a, b], [b, a]])


def stats_dict(x):
    return {"mean": x.mean(), "std": x.std(ddof=1), "minmax": np.array([x.min(), x.max()])}


def list_comprehension_stack(X):
    return np.array([np.linalg.norm(r) for r in X])


def quaternion_multiply(q1, q2):
    w1, x1, y1, z1 = q1
    w2, x2, y2, z2 = q2
    return np.array([
        w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
        w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
        w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
        w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2,
    ])


def array_from_bool_and_int(x):
    return np.array([x[0] > 0, x[1] > 0]), np.array([x[0] > 0, 2])


def complex_from_parts(x):
    return np.array([x[0] + 1j * x[1], 2.0])


def empty_list_to_array(x):
    parts = [v for v in x if False]
    return np.array(parts), np.asarray(parts, dtype=x.dtype).shape


BUILT = {
    "diag2_from_elements": (diag2_from_elements, {}, lambda s, n: (_f(n, seed=s),)),
    "diag2_from_int_elements": (diag2_from_elements, {}, lambda s, n: (_i(9, n, seed=s).astype(np.int32),)),
    "rotation_matrix": (rotation_matrix, {}, lambda s, n: (0.1 * s,)),
    "rotation_matrix_np_scalar": (rotation_matrix, {}, lambda s, n: (np.float32(0.1 * s),)),
    "rotation_matrix_3d": (rotation_matrix_3d, {"axis": 0}, lambda s, n: (_f(1, seed=s)[0],)),
    "homogeneous_points": (homogeneous_points, {}, lambda s, n: (_f(n, 2, seed=s).astype(np.float32),)),
    "bbox_of_points": (bbox_of_points, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "list_of_rows_to_array": (list_of_rows_to_array, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "array_of_mixed_scalars": (array_of_mixed_scalars, {}, lambda s, n: (_f(n, seed=s, positive=True).astype(np.float32),)),
    "array_of_int_scalars": (array_of_int_scalars, {}, lambda s, n: (_i(9, n, seed=s).astype(np.int16),)),
    "array_from_tuple_of_arrays": (array_from_tuple_of_arrays, {}, lambda s, n: (_f(n, seed=s), _i(5, n, seed=s))),
    "array_from_float32_elements": (array_from_float32_elements, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "array_with_dtype_kw": (array_with_dtype_kw, {}, lambda s, n: (_f(n, seed=s) * 10,)),
    "nested_list_of_arrays": (nested_list_of_arrays, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "stats_dict": (stats_dict, {}, lambda s, n: (_f(n, seed=s),)),
    "list_comprehension_stack": (list_comprehension_stack, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "quaternion_multiply": (quaternion_multiply, {}, lambda s, n: (_f(4, seed=s), _f(4, seed=s + 1))),
    "array_from_bool_and_int": (array_from_bool_and_int, {}, lambda s, n: (_f(n, seed=s),)),
    "complex_from_parts": (complex_from_parts, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "empty_list_to_array": (empty_list_to_array, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
}


@pytest.mark.parametrize("name", list(BUILT))
def test_arrays_built_from_lists_match_numpy(name):
    fn, static, make = BUILT[name]
    check_like_numpy(fn, static, make)


# --------------------------------------------------------------------------- joining and splitting


def stack_mixed_rank(a, b):
    return np.concatenate([a.ravel(), b.ravel(), [0.0]])


def r_with_scalars(x):
    return np.r_[0.0, x, x[-1], 1.0]


def r_slices_and_arrays(x):
    return np.r_[x[:2], -1, x[2:]], np.r_["0,2", x, x], np.r_[1:4, x]


def c_columns(x, y):
    return np.c_[x, y, x * y], np.c_[x[:, None], np.ones(len(x))]


def column_stack_1d_2d(x, Y):
    return np.column_stack((x, Y, x ** 2))


def dstack_planes(r, g, b):
    return np.dstack([r, g, b]), np.dstack((r[0], g[0]))


def hstack_vstack_mixed(x, M):
    return np.hstack([x, x]), np.vstack([x, x, x]), np.vstack([M, x[: M.shape[1]]])


def block_matrix(A, B):
    z = np.zeros((A.shape[0], B.shape[1]))
    return np.block([[A, z], [z.T, B]])


def block_with_scalars(a):
    return np.block([a, 1.0, a[::-1]]), np.block([[a[:2], 0], [0, a[-2:]]])


def stack_axis_variants(a, b):
    return np.stack([a, b]), np.stack([a, b], axis=1), np.stack((a, b), axis=-1)


def split_and_unpack(X):
    a, b = np.split(X, 2, axis=1)
    return a - b


def split_indices_loop(x):
    out = []
    for part in np.split(x, [2, 5]):
        out.append(part.sum())
    return np.array(out)


def array_split_uneven(x, k=3):
    parts = np.array_split(x, k)
    return [p.mean() for p in parts], len(parts)


def hsplit_vsplit(M):
    left, right = np.hsplit(M, 2)
    top, bottom = np.vsplit(M, 2)
    return left @ right.T, top + bottom


def dsplit_channels(img):
    r, g, b = np.dsplit(img, 3)
    return 0.299 * r + 0.587 * g + 0.114 * b


def split_2d_array_split(X):
    chunks = np.array_split(X, 3, axis=0)
    return np.vstack([c.mean(axis=0, keepdims=True) for c in chunks])


def concatenate_axis_none(a, b):
    return np.concatenate((a, b), axis=None)


def concatenate_out_dtype(a, b):
    return np.concatenate([a, b], dtype=np.float32), np.concatenate([a, b], casting="unsafe", dtype=np.int32)


def append_forms(x, y):
    return np.append(x, y), np.append(x, 0), np.append(x[None], y[None], axis=0)


def insert_forms(x):
    return np.insert(x, 1, 99.0), np.insert(x, [0, 2], [7.0, 8.0]), np.insert(x, len(x), x[0])


def insert_2d(M):
    return np.insert(M, 1, 0.0, axis=1), np.insert(M, 0, M[-1], axis=0)


def delete_forms(x, M):
    return np.delete(x, 0), np.delete(x, [1, 2]), np.delete(M, -1, axis=1), np.delete(x, slice(0, None, 2))


def delete_by_mask(x):
    mask = np.zeros(len(x), dtype=bool)
    mask[::3] = True
    return np.delete(x, mask)


def resize_forms(x):
    return np.resize(x, (2, 5)), np.resize(x, 3)


def trim_zeros_const():
    return np.trim_zeros(np.array([0, 0, 1, 2, 0, 3, 0])), np.trim_zeros(np.array([0.0, 1.0, 0.0]), "f")


def tile_repeat_counts(x):
    return np.tile(x, 2), np.tile(x, (2, 1)), np.repeat(x, 2), np.repeat(x, [1, 0, 2, 1][: len(x)] + [1] * (len(x) - 4))


def repeat_2d_axis(M):
    return np.repeat(M, 2, axis=0), np.repeat(M, [1, 2, 3], axis=1), np.tile(M, (1, 2, 1))


def atleast_several(a, b, c):
    x, y, z = np.atleast_1d(a, b, c)
    p, q = np.atleast_2d(a, c)
    r = np.atleast_3d(c)
    return x, y, z, p, q, r


def atleast_scalar_in(x, s=2.0):
    return np.atleast_1d(s), np.atleast_2d(x).T, np.atleast_3d(x).shape


JOIN = {
    "stack_mixed_rank": (stack_mixed_rank, {}, lambda s, n: (_f(n, seed=s), _f(2, n, seed=s))),
    "r_with_scalars": (r_with_scalars, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "r_slices_and_arrays": (r_slices_and_arrays, {}, lambda s, n: (_f(n, seed=s),)),
    "c_columns": (c_columns, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "column_stack_1d_2d": (column_stack_1d_2d, {}, lambda s, n: (_f(n, seed=s), _f(n, 2, seed=s))),
    "dstack_planes": (dstack_planes, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1), _f(n, 3, seed=s + 2))),
    "hstack_vstack_mixed": (hstack_vstack_mixed, {}, lambda s, n: (_f(n, seed=s), _f(2, 3, seed=s))),
    "block_matrix": (block_matrix, {}, lambda s, n: (_f(n, n, seed=s), _f(2, 2, seed=s))),
    "block_with_scalars": (block_with_scalars, {}, lambda s, n: (_f(n, seed=s),)),
    "stack_axis_variants": (stack_axis_variants, {}, lambda s, n: (_f(n, 2, seed=s), _i(5, n, 2, seed=s))),
    "split_and_unpack": (split_and_unpack, {}, lambda s, n: (_f(3, n, seed=s),)),
    "split_indices_loop": (split_indices_loop, {}, lambda s, n: (_f(n + 2, seed=s),)),
    "array_split_uneven": (array_split_uneven, {}, lambda s, n: (_f(n + 1, seed=s),)),
    "hsplit_vsplit": (hsplit_vsplit, {}, lambda s, n: (_f(n, n, seed=s),)),
    "dsplit_channels": (dsplit_channels, {}, lambda s, n: (_f(n, 2, 3, seed=s).astype(np.float32),)),
    "split_2d_array_split": (split_2d_array_split, {}, lambda s, n: (_f(n + 1, 2, seed=s),)),
    "concatenate_axis_none": (concatenate_axis_none, {}, lambda s, n: (_f(n, 2, seed=s), _i(4, 3, seed=s))),
    "concatenate_out_dtype": (concatenate_out_dtype, {}, lambda s, n: (_f(n, seed=s) * 4, _i(5, 3, seed=s))),
    "append_forms": (append_forms, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "insert_forms": (insert_forms, {}, lambda s, n: (_f(n, seed=s),)),
    "insert_2d": (insert_2d, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "delete_forms": (delete_forms, {}, lambda s, n: (_f(n, seed=s), _f(2, n, seed=s))),
    "delete_by_mask": (delete_by_mask, {}, lambda s, n: (_f(n, seed=s),)),
    "resize_forms": (resize_forms, {}, lambda s, n: (_f(n, seed=s),)),
    "trim_zeros_const": (trim_zeros_const, {}, lambda s, n: ()),
    "tile_repeat_counts": (tile_repeat_counts, {}, lambda s, n: (_f(n, seed=s),)),
    "repeat_2d_axis": (repeat_2d_axis, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "atleast_several": (atleast_several, {}, lambda s, n: (_f(n, seed=s), 1.5, _f(2, n, seed=s))),
    "atleast_scalar_in": (atleast_scalar_in, {}, lambda s, n: (_f(n, seed=s),)),
}


@pytest.mark.parametrize("name", list(JOIN))
def test_joining_and_splitting_match_numpy(name):
    fn, static, make = JOIN[name]
    check_like_numpy(fn, static, make)


# ------------------------------------------------------------------------ broadcasting and axes


def broadcast_to_rows(v, n=3):
    return np.broadcast_to(v, (n, v.shape[0])) * 1.0


def broadcast_to_readonly_copy(v, M):
    B = np.broadcast_to(v[:, None], M.shape).copy()
    B[0] = 0
    return B + M


def broadcast_arrays_pair(a, b):
    x, y = np.broadcast_arrays(a[:, None], b[None, :])
    return x + 2 * y, x.shape


def broadcast_shapes_alloc(a, b):
    shape = np.broadcast_shapes(a.shape, b.shape)
    out = np.zeros(shape, dtype=np.result_type(a, b))
    out += a
    out *= b
    return out


def broadcast_object_shape(a, b):
    bc = np.broadcast(a, b)
    return np.empty(bc.shape).shape, bc.nd, bc.size


def expand_squeeze(x):
    y = np.expand_dims(x, axis=(0, 2))
    return y, np.squeeze(y), np.squeeze(y, axis=0), y.squeeze(2)


def moveaxis_forms(X):
    return np.moveaxis(X, 0, -1), np.moveaxis(X, [0, 1], [-1, -2]), np.rollaxis(X, 2), np.rollaxis(X, 2, 1)


def swap_transpose_forms(X):
    return X.swapaxes(0, 2), np.swapaxes(X, 1, -1), X.transpose(1, 0, 2), np.transpose(X, (2, 0, 1)), X.T


def channels_last_to_first(img):
    img = np.asarray(img, dtype=np.float32)
    if img.ndim == 2:
        img = img[:, :, None]
    return np.transpose(img, (2, 0, 1))


def newaxis_outer(a, b):
    return a[:, np.newaxis] * b[np.newaxis, :], a[..., None, None].shape


def ravel_orders(X):
    return X.ravel(), X.ravel(order="F"), X.flatten("F"), X.reshape(-1, order="F"), np.ravel(X.T)


def reshape_variants(x):
    n = x.size
    return x.reshape(n // 2, 2), x.reshape((2, -1)), np.reshape(x, (-1,)), x.reshape(2, -1, order="F")


def flip_variants(X):
    return np.flip(X), np.flip(X, axis=1), np.fliplr(X), np.flipud(X), X[::-1, ::-1], np.rot90(X), np.rot90(X, k=-1)


def roll_variants(x):
    return np.roll(x, 1), np.roll(x, -2, axis=0), np.roll(x, (1, 1), axis=(0, 1))


AXES = {
    "broadcast_to_rows": (broadcast_to_rows, {"n": 4}, lambda s, n: (_f(n, seed=s),)),
    "broadcast_to_readonly_copy": (broadcast_to_readonly_copy, {}, lambda s, n: (_f(n, seed=s), _f(n, 3, seed=s))),
    "broadcast_arrays_pair": (broadcast_arrays_pair, {}, lambda s, n: (_f(n, seed=s), _i(5, 3, seed=s))),
    "broadcast_shapes_alloc": (broadcast_shapes_alloc, {}, lambda s, n: (_f(n, 1, seed=s).astype(np.float32), _i(5, 3, seed=s).astype(np.int16))),
    "broadcast_object_shape": (broadcast_object_shape, {}, lambda s, n: (_f(n, 1, seed=s), _f(3, seed=s))),
    "expand_squeeze": (expand_squeeze, {}, lambda s, n: (_f(n, seed=s),)),
    "moveaxis_forms": (moveaxis_forms, {}, lambda s, n: (_f(n, 2, 3, seed=s),)),
    "swap_transpose_forms": (swap_transpose_forms, {}, lambda s, n: (_f(n, 2, 3, seed=s),)),
    "channels_last_to_first_uint8": (channels_last_to_first, {}, lambda s, n: (_i(256, n, n, 3, seed=s).astype(np.uint8),)),
    "channels_last_to_first_gray": (channels_last_to_first, {}, lambda s, n: (_f(n, n, seed=s),)),
    "newaxis_outer": (newaxis_outer, {}, lambda s, n: (_f(n, seed=s), _f(3, seed=s))),
    "ravel_orders": (ravel_orders, {}, lambda s, n: (np.asfortranarray(_f(n, 3, seed=s)),)),
    "reshape_variants": (reshape_variants, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "flip_variants": (flip_variants, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "roll_variants": (roll_variants, {}, lambda s, n: (_f(n, 3, seed=s),)),
}


@pytest.mark.parametrize("name", list(AXES))
def test_broadcasting_and_axes_match_numpy(name):
    fn, static, make = AXES[name]
    check_like_numpy(fn, static, make)


# ---------------------------------------------------------------------------------- index helpers


def upper_triangle_values(M):
    iu = np.triu_indices(M.shape[0], k=1)
    return M[iu], iu[0]


def tril_from_and_mirror(M):
    il = np.tril_indices_from(M, -1)
    S = M.copy()
    S[il] = S.T[il]
    return S


def diag_indices_write(M, v=1.0):
    M = M.copy()
    di = np.diag_indices_from(M)
    M[di] += v
    return M, np.diag_indices(3)


def triu_indices_m(M):
    rows, cols = np.triu_indices(M.shape[0], m=M.shape[1])
    return M[rows, cols].sum(), rows


def ix_submatrix(M, rows, cols):
    return M[np.ix_(rows, cols)], M[np.ix_([0, 2], [1, 0])]


def ix_bool(M):
    return M[np.ix_(np.array([True, False, True]), np.arange(M.shape[1]) % 2 == 0)]


def ogrid_radius(n):
    y, x = np.ogrid[:n, :n]
    return np.hypot(x - n / 2, y - n / 2)


def ogrid_image_mask(img, r=2.0):
    h, w = img.shape
    Y, X = np.ogrid[:h, :w]
    mask = (X - w // 2) ** 2 + (Y - h // 2) ** 2 <= r ** 2
    out = img.copy()
    out[~mask] = 0
    return out


def mgrid_complex_step(lo, hi):
    X, Y = np.mgrid[-1:1:5j, 0:2:3j]
    return X * lo + Y * hi


def indices_gradient(img):
    yy, xx = np.indices(img.shape)
    cy = (yy * img).sum() / img.sum()
    cx = (xx * img).sum() / img.sum()
    return cy, cx


def indices_sparse(img):
    yy, xx = np.indices(img.shape, sparse=True)
    return img * yy + xx


def ravel_unravel(M, i, j):
    flat = np.ravel_multi_index((i, j), M.shape)
    r, c = np.unravel_index(flat, M.shape)
    return flat, M.ravel()[flat], M[r, c]


def argmax_2d_location(M):
    r, c = np.unravel_index(np.argmax(M), M.shape)
    return r, c, M[r, c]


def unravel_order_f(M):
    return np.unravel_index(M.argmin(), M.shape, order="F"), np.ravel_multi_index(([1, 0], [0, 2]), (3, 4), order="F")


def ravel_multi_index_clip(i, j):
    return np.ravel_multi_index((i, j), (3, 4), mode="clip"), np.ravel_multi_index((i, j), (3, 4), mode="wrap")


def take_along_argsort(X):
    idx = np.argsort(X, axis=1)
    return np.take_along_axis(X, idx, axis=1), np.take_along_axis(X, idx[:, -1:], axis=1)


def diag_forms(M, v):
    return np.diag(M), np.diag(M, k=1), np.diag(v), np.diag(v, -1), np.diagonal(M, offset=-1), M.trace()


def diagflat_and_tri(v):
    return np.diagflat(v), np.tri(len(v), dtype=int), np.tril(np.ones((len(v), len(v))), -1)


INDEX = {
    "upper_triangle_values": (upper_triangle_values, {}, lambda s, n: (_f(n, n, seed=s),)),
    "tril_from_and_mirror": (tril_from_and_mirror, {}, lambda s, n: (_f(n, n, seed=s),)),
    "diag_indices_write": (diag_indices_write, {}, lambda s, n: (_f(n, n, seed=s), 2.0)),
    "triu_indices_m": (triu_indices_m, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "ix_submatrix": (ix_submatrix, {}, lambda s, n: (_f(n, n, seed=s), _i(n, 2, seed=s), _i(n, 3, seed=s))),
    "ix_bool": (ix_bool, {}, lambda s, n: (_f(3, n, seed=s),)),
    "ogrid_radius": (ogrid_radius, {"n": 5}, lambda s, n: ()),
    "ogrid_image_mask": (ogrid_image_mask, {}, lambda s, n: (_f(n, n + 1, seed=s),)),
    "mgrid_complex_step": (mgrid_complex_step, {}, lambda s, n: (_f(1, seed=s)[0], 0.5 * s)),
    "indices_gradient": (indices_gradient, {}, lambda s, n: (_f(n, n + 1, seed=s, positive=True),)),
    "indices_sparse": (indices_sparse, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "ravel_unravel": (ravel_unravel, {}, lambda s, n: (_f(n, 3, seed=s), _i(n, 5, seed=s), _i(3, 5, seed=s))),
    "argmax_2d_location": (argmax_2d_location, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "unravel_order_f": (unravel_order_f, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "ravel_multi_index_clip": (ravel_multi_index_clip, {}, lambda s, n: (_i(6, n, seed=s) - 1, _i(7, n, seed=s) - 1)),
    "take_along_argsort": (take_along_argsort, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "diag_forms": (diag_forms, {}, lambda s, n: (_f(n, n, seed=s), _f(n, seed=s).astype(np.float32))),
    "diagflat_and_tri": (diagflat_and_tri, {}, lambda s, n: (_i(9, n, seed=s),)),
}


@pytest.mark.parametrize("name", list(INDEX))
def test_index_helpers_match_numpy(name):
    fn, static, make = INDEX[name]
    check_like_numpy(fn, static, make)


# ------------------------------------------------------------------------------------- selections


def nonzero_write(x, y):
    idx = np.nonzero(x > 0)
    y = y.copy()
    y[idx] = 0.0
    return y


def where_one_arg_add(x):
    out = np.zeros_like(x)
    i = np.where(x > 0.5)[0]
    out[i] += 1
    return out


def argwhere_centroid(img, t=0.0):
    pts = np.argwhere(img > t)
    return pts.mean(axis=0)


def flatnonzero_take_sum(x):
    return x.ravel()[np.flatnonzero(x > 0)].sum()


def count_nonzero_axes(X):
    return np.count_nonzero(X > 0), np.count_nonzero(X > 0, axis=0), np.count_nonzero(X, axis=1, keepdims=True)


def masked_mean_by_class(X, y, k=3):
    return np.stack([X[y == c].mean(axis=0) if c < k else X[0] for c in range(k)])


def nonzero_of_constant():
    a = np.array([0, 3, 0, 5])
    return np.nonzero(a), np.argwhere(a), np.flatnonzero(a)


def mask_assign_scalar(x, lo=-0.5, hi=0.5):
    x = x.copy()
    x[(x > lo) & (x < hi)] = 0.0
    x[x > hi] *= 2
    return x


SELECT = {
    "nonzero_write": (nonzero_write, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "where_one_arg_add": (where_one_arg_add, {}, lambda s, n: (_f(n, seed=s),)),
    "argwhere_centroid": (argwhere_centroid, {}, lambda s, n: (_f(n, n, seed=s),)),
    "flatnonzero_take_sum": (flatnonzero_take_sum, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "count_nonzero_axes": (count_nonzero_axes, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "masked_mean_by_class": (masked_mean_by_class, {}, lambda s, n: (_f(3 * n, 2, seed=s), np.arange(3 * n) % 3)),
    "nonzero_of_constant": (nonzero_of_constant, {}, lambda s, n: ()),
    "mask_assign_scalar": (mask_assign_scalar, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
}


@pytest.mark.parametrize("name", list(SELECT))
def test_selections_match_numpy(name):
    fn, static, make = SELECT[name]
    check_like_numpy(fn, static, make)


# ------------------------------------------------------------------------------------------ writes


def put_flat(x, idx, v):
    x = x.copy()
    np.put(x, idx, v)
    return x


def put_modes(x):
    y = x.copy()
    np.put(y, [0, 100], [1.0, 2.0], mode="clip")
    z = x.copy()
    z.put([-1, 7], 5.0, mode="wrap")
    return y, z


def place_values(x):
    np.place(x, x < 0, [0.0, 1.0])
    return x


def putmask_cycle(x, m):
    np.putmask(x, m, np.array([9.0, 8.0, 7.0]))
    return x.sum()


def copyto_where(dst, src):
    np.copyto(dst, src, where=src > 0)


def copyto_broadcast_cast(dst, v=3):
    np.copyto(dst, v)
    np.copyto(dst[0], np.arange(dst.shape[1]), casting="unsafe")
    return dst


def put_along_axis_max(X):
    idx = np.argmax(X, axis=1)[:, None]
    Y = np.zeros_like(X)
    np.put_along_axis(Y, idx, 1.0, axis=1)
    return Y


def put_along_axis_inplace(X, v):
    np.put_along_axis(X, np.argsort(X, axis=0)[:1], v, axis=0)


def fill_diagonal_forms(M, v):
    A = M.copy()
    np.fill_diagonal(A, v)
    B = M.copy()
    np.fill_diagonal(B, [1.0, 2.0], wrap=True)
    return A, B


def fill_diagonal_tall_wrap(M):
    np.fill_diagonal(M, -1.0, wrap=True)
    return M


def fill_and_itemset(x, v=2.0):
    y = np.empty_like(x)
    y.fill(v)
    y[0] = x[0]
    z = x.copy()
    z[...] = 0
    return y, z


def inplace_args_augmented(a, b, c):
    a += b
    b *= 2
    c[:] = a + b
    a[a > 1] = 1
    return None


def inplace_int_true_divide_floor(n, x):
    n //= 2
    n += 1
    x /= 2
    x **= 2
    return n, x


def setitem_with_list_of_traced(M, x):
    M[0] = [x[0], x[1], 0.0]
    M[1, :] = (x[1], 2, x[0])
    return M


def out_argument_forms(x, y):
    out = np.empty_like(x)
    np.multiply(x, y, out=out)
    np.add(out, 1, out=out)
    res = np.sum(x, axis=0, out=np.empty(x.shape[1]))
    np.clip(x, -0.5, 0.5, out=x)
    return out, res


WRITES = {
    "put_flat": (put_flat, {}, lambda s, n: (_f(n, 3, seed=s), _i(3 * n, 2, seed=s), _f(2, seed=s))),
    "put_modes": (put_modes, {}, lambda s, n: (_f(n, seed=s),)),
    "place_values": (place_values, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "putmask_cycle": (putmask_cycle, {}, lambda s, n: (_f(n, 3, seed=s), _i(2, n, 3, seed=s).astype(bool))),
    "copyto_where": (copyto_where, {}, lambda s, n: (_f(n, 2, seed=s), _f(n, 2, seed=s + 1))),
    "copyto_broadcast_cast": (copyto_broadcast_cast, {}, lambda s, n: (_i(5, n, 3, seed=s).astype(np.int32),)),
    "put_along_axis_max": (put_along_axis_max, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "put_along_axis_inplace": (put_along_axis_inplace, {}, lambda s, n: (_f(n, 3, seed=s), -9.0)),
    "fill_diagonal_forms": (fill_diagonal_forms, {}, lambda s, n: (_f(n, n, seed=s), 0.5 * s)),
    "fill_diagonal_tall_wrap": (fill_diagonal_tall_wrap, {}, lambda s, n: (_f(2 * n + 1, 3, seed=s),)),
    "fill_and_itemset": (fill_and_itemset, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "inplace_args_augmented": (inplace_args_augmented, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1), np.zeros(n))),
    "inplace_int_true_divide_floor": (inplace_int_true_divide_floor, {}, lambda s, n: (_i(9, n, seed=s), _f(n, seed=s))),
    "setitem_with_list_of_traced": (setitem_with_list_of_traced, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, seed=s))),
    "out_argument_forms": (out_argument_forms, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_writes_match_numpy(name):
    fn, static, make = WRITES[name]
    check_like_numpy(fn, static, make)


# ----------------------------------------------------------------------- choose, select, piecewise


def choose_modes(idx, a, b, c):
    return np.choose(idx, [a, b, c]), np.choose(idx + 1, (a, b, c), mode="clip"), np.choose(idx, [0, a, 2.5])


def select_with_default(x):
    conds = [x < -1, (x >= -1) & (x < 1), x >= 1]
    return np.select(conds, [-1.0, x, x ** 2]), np.select([x > 0], [x], default=np.nan)


def select_int_choices(x):
    return np.select([x < 0, x > 1], [0, 2], 1)


def piecewise_lambdas(x):
    return np.piecewise(x, [x < 0, x >= 0], [lambda v: -v, lambda v: v ** 2])


def piecewise_constants_and_otherwise(x, k=2.0):
    return np.piecewise(x, [x < -1, x > 1], [0.0, lambda v, k: k * v, 1.0], k)


def where_scalar_branches(x, thresh=0.0):
    return np.where(x > thresh, 1, 0), np.where(x > thresh, x, 0.0), np.where(x > thresh, 1.5, -1)


CHOICE = {
    "choose_modes": (choose_modes, {}, lambda s, n: (_i(3, n, seed=s), _f(n, seed=s), _f(n, seed=s + 1), _f(n, seed=s + 2))),
    "select_with_default": (select_with_default, {}, lambda s, n: (_f(n, 3, seed=s) * 2,)),
    "select_int_choices": (select_int_choices, {}, lambda s, n: (_f(n, seed=s) * 2,)),
    "piecewise_lambdas": (piecewise_lambdas, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "piecewise_constants_and_otherwise": (piecewise_constants_and_otherwise, {}, lambda s, n: (_f(n, seed=s) * 2,)),
    "where_scalar_branches": (where_scalar_branches, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
}


@pytest.mark.parametrize("name", list(CHOICE))
def test_choose_select_piecewise_match_numpy(name):
    fn, static, make = CHOICE[name]
    check_like_numpy(fn, static, make)


# ------------------------------------------------------------------------- iteration and loops


def ndenumerate_weighted(M):
    total = 0.0
    for (i, j), v in np.ndenumerate(M):
        total += v * (i + 1) * (j + 1)
    return total


def ndindex_fill(M):
    out = np.zeros_like(M)
    for idx in np.ndindex(M.shape):
        out[idx] = M[idx] * idx[0]
    return out


def ndindex_star(X):
    out = np.empty(X.shape[:2])
    for i, j in np.ndindex(*X.shape[:2]):
        out[i, j] = X[i, j].max()
    return out


def flat_iteration(M):
    acc = []
    for v in M.flat:
        acc.append(v * 2)
    return np.array(acc), M.flat[3], M.flat[[0, -1]]


def flat_assign(M):
    M = M.copy()
    M.flat[::2] = 0.0
    M.flat[1] = -1
    return M


def rows_loop_enumerate(X):
    out = np.empty(len(X))
    for i, row in enumerate(X):
        out[i] = row @ row
    return out


def zip_of_arrays(a, b):
    return sum(x * y for x, y in zip(a, b)), [x - y for x, y in zip(a, b)]


def unpack_shape_loop(X):
    n, d = X.shape
    out = np.zeros(d)
    for k in range(n):
        out += X[k] / n
    return out


def reversed_cumulative(x):
    out = np.empty_like(x)
    acc = 0.0
    for i in reversed(range(len(x))):
        acc = acc * 0.9 + x[i]
        out[i] = acc
    return out


def iterate_columns_T(X):
    return [c.sum() for c in X.T]


def len_and_range(x):
    total = x[0]
    for i in range(1, len(x)):
        total = total + x[i] * i
    return total, len(x)


def list_to_tuple_results(X):
    cols = list(X.T)
    return tuple(c.max() for c in cols)


def dict_of_columns(X, names=("a", "b", "c")):
    return {n: X[:, i] for i, n in enumerate(names)}


def map_builtin(X):
    return list(map(np.sum, X)), max(X[0], key=lambda v: v), min(X[:, 0].tolist()) if False else sorted(range(3))


ITER = {
    "ndenumerate_weighted": (ndenumerate_weighted, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "ndindex_fill": (ndindex_fill, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "ndindex_star": (ndindex_star, {}, lambda s, n: (_f(n, 2, 3, seed=s),)),
    "flat_iteration": (flat_iteration, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "flat_assign": (flat_assign, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "rows_loop_enumerate": (rows_loop_enumerate, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "zip_of_arrays": (zip_of_arrays, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "unpack_shape_loop": (unpack_shape_loop, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "reversed_cumulative": (reversed_cumulative, {}, lambda s, n: (_f(n, seed=s),)),
    "iterate_columns_T": (iterate_columns_T, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "len_and_range": (len_and_range, {}, lambda s, n: (_f(n, seed=s),)),
    "list_to_tuple_results": (list_to_tuple_results, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "dict_of_columns": (dict_of_columns, {}, lambda s, n: (_f(n, 3, seed=s),)),
}


@pytest.mark.parametrize("name", list(ITER))
def test_iteration_and_loops_match_numpy(name):
    fn, static, make = ITER[name]
    check_like_numpy(fn, static, make)


# -------------------------------------------------------------------------------- introspection


def validate_inputs(X, y):
    X = np.asarray(X)
    y = np.asarray(y)
    assert X.ndim == 2, "X must be 2-d"
    assert X.shape[0] == y.shape[0]
    if y.ndim == 1:
        y = y[:, None]
    return X.T @ y


def isinstance_dispatch(x, scale=2):
    if isinstance(x, np.ndarray):
        x = x * scale
    if isinstance(scale, (int, np.integer)):
        x = x + 1
    return x


def isscalar_branch(a, b=3.0):
    if np.isscalar(b):
        b = np.full(a.shape, b)
    return a + b, np.isscalar(a), np.isscalar(a[0]), np.isscalar(a.sum())


def ndim_shape_size_functions(x):
    return np.ndim(x), np.shape(x), np.size(x), np.size(x, 0), np.ndim(3.0), np.shape(x[0])


def shape_assert_reshape(x, n_features=3):
    assert x.shape[-1] == n_features, x.shape
    x = x.reshape(-1, n_features)
    assert x.shape == (len(x), n_features)
    return x.sum(axis=1)


def shape_dependent_branch(x):
    if x.ndim == 1:
        return x[:, None] * x[None, :]
    if x.shape[0] > x.shape[1]:
        return x.T @ x
    return x @ x.T


def empty_input_guard(x):
    if x.size == 0:
        return np.zeros(1)
    return np.array([x.mean()])


def zero_d_input(x):
    return x + 1, x.ndim, x.shape, np.atleast_1d(x), x[()], x.reshape(1)


def python_scalar_results(x, n=3):
    return n * 2, n / 2, x.shape[0] // 2, float(x.shape[0])


def is_empty_array_ops(x):
    return x.sum(), x.prod(), np.concatenate([x, x]), x.reshape(0, 3) if x.size == 0 else x, np.max(x, initial=-1.0)


INTROSPECT = {
    "validate_inputs": (validate_inputs, {}, lambda s, n: (_f(n, 3, seed=s), _f(n, seed=s))),
    "isinstance_dispatch": (isinstance_dispatch, {}, lambda s, n: (_f(n, seed=s), 3)),
    "isinstance_dispatch_float": (isinstance_dispatch, {}, lambda s, n: (_f(n, seed=s), 1.5)),
    "isscalar_branch": (isscalar_branch, {}, lambda s, n: (_f(n, seed=s),)),
    "ndim_shape_size_functions": (ndim_shape_size_functions, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "shape_assert_reshape": (shape_assert_reshape, {}, lambda s, n: (_f(2, n, 3, seed=s),)),
    "shape_dependent_branch_1d": (shape_dependent_branch, {}, lambda s, n: (_f(n, seed=s),)),
    "shape_dependent_branch_tall": (shape_dependent_branch, {}, lambda s, n: (_f(n + 2, 2, seed=s),)),
    "empty_input_guard": (empty_input_guard, {}, lambda s, n: (_f(n - 4, seed=s),)),
    "zero_d_input": (zero_d_input, {}, lambda s, n: (np.array(_f(1, seed=s)[0] * n),)),
    "zero_d_input_int": (zero_d_input, {}, lambda s, n: (np.array(s * n, dtype=np.int32),)),
    "python_scalar_results": (python_scalar_results, {}, lambda s, n: (_f(n, seed=s),)),
    "is_empty_array_ops": (is_empty_array_ops, {}, lambda s, n: (np.zeros(0),)),
}


@pytest.mark.parametrize("name", list(INTROSPECT))
def test_introspection_matches_numpy(name):
    fn, static, make = INTROSPECT[name]
    check_like_numpy(fn, static, make)


# ----------------------------------------------------------------------------- copies and views


def copy_then_modify(x):
    y = x.copy()
    y[0] = 100.0
    return x.sum(), y.sum()


def view_writes_through(x):
    v = x.view()
    v[0] = -1.0
    return x


def slice_view_writes_through(X):
    row = X[1]
    row *= 0
    col = X[:, 0]
    col += 5
    return X


def reshape_view_write(x):
    M = x.reshape(2, -1)
    M[:, 0] = 0
    return x


def may_share_memory_branch(a, b):
    if np.may_share_memory(a, b):
        b = b.copy()
    b[0] = 0
    return a + b


def shares_memory_inside(x):
    y = x[1:]
    z = x.copy()
    return np.shares_memory(x, y), np.shares_memory(x, z), np.may_share_memory(x, x[::2])


def np_copy_order(X):
    return np.copy(X, order="F"), X.copy(order="C"), np.array(X, copy=True)


def float_bits_as_int(x):
    return x.view(np.int32) & 0x7FFFFF


def astype_view_int_float(x):
    return x.view(np.int32), x.view(np.uint8).shape


COPIES = {
    # refused until `x.view` of floats as integers (and back) became a bitcast
    "float_bits_as_int": (float_bits_as_int, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "copy_then_modify": (copy_then_modify, {}, lambda s, n: (_f(n, seed=s),)),
    "view_writes_through": (view_writes_through, {}, lambda s, n: (_f(n, seed=s),)),
    "slice_view_writes_through": (slice_view_writes_through, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "reshape_view_write": (reshape_view_write, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "shares_memory_inside": (shares_memory_inside, {}, lambda s, n: (_f(n, seed=s),)),
    "np_copy_order": (np_copy_order, {}, lambda s, n: (_f(n, 3, seed=s),)),
}


@pytest.mark.parametrize("name", list(COPIES))
def test_copies_and_views_match_numpy(name):
    fn, static, make = COPIES[name]
    check_like_numpy(fn, static, make)


# ------------------------------------------------------------------------ comparisons in branches


def allclose_guard(a, b):
    if np.allclose(a.shape, b.shape):
        return a - b
    return a


def array_equal_shapes(a, b):
    same = np.array_equal(a.shape, b.shape)
    return same, np.array_equal(np.arange(3), [0, 1, 2]), np.array_equiv(a[0], a[0][None])


def array_equal_traced(a, b):
    return np.array_equal(a, b), np.allclose(a, b, atol=0.5), np.array_equal(a, a, equal_nan=True)


def isclose_masks(a, b):
    return np.isclose(a, b, rtol=0.1), np.isclose(a, 0.0, atol=0.3).sum()


def any_all_returns(x):
    return np.any(x > 0), (x > 0).all(axis=0), np.all(x < 10, axis=1, keepdims=True)


COMPARE = {
    "allclose_guard": (allclose_guard, {}, lambda s, n: (_f(n, 2, seed=s), _f(n, 2, seed=s + 1))),
    "array_equal_shapes": (array_equal_shapes, {}, lambda s, n: (_f(n, 2, seed=s), _f(n, 2, seed=s + 1))),
    "array_equal_traced": (array_equal_traced, {}, lambda s, n: (_f(n, 2, seed=s), _f(n, 2, seed=s) + 0.1 * s)),
    "isclose_masks": (isclose_masks, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "any_all_returns": (any_all_returns, {}, lambda s, n: (_f(n, 3, seed=s),)),
}


@pytest.mark.parametrize("name", list(COMPARE))
def test_comparisons_match_numpy(name):
    fn, static, make = COMPARE[name]
    check_like_numpy(fn, static, make)


# ------------------------------------------------------------------------- global random state


def seeded_noise(x, sigma=0.1):
    np.random.seed(0)
    return x + sigma * np.random.randn(*x.shape)


def seeded_choice_subsample(X, k=2):
    np.random.seed(42)
    idx = np.random.choice(len(X), k, replace=False)
    return X[idx]


def random_state_object(X):
    rs = np.random.RandomState(0)
    w = rs.normal(size=X.shape[1])
    return X @ w, rs.uniform(0, 1, 3)


def seeded_permutation_split(X, frac=0.5):
    np.random.seed(1)
    perm = np.random.permutation(len(X))
    n = int(len(X) * frac)
    return X[perm[:n]], X[perm[n:]]


def seeded_dropout(x, p=0.3):
    np.random.seed(3)
    mask = np.random.rand(*x.shape) > p
    return x * mask / (1 - p)


def seeded_randint_labels(n=5):
    np.random.seed(7)
    return np.random.randint(0, 3, size=n), np.random.random_sample((2, 2))


def default_rng_seeded(x):
    rng = np.random.default_rng(12345)
    return x + rng.standard_normal(x.shape), rng.integers(0, 10, 3)


RANDOM = {
    "seeded_noise": (seeded_noise, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "seeded_choice_subsample": (seeded_choice_subsample, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "random_state_object": (random_state_object, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "seeded_permutation_split": (seeded_permutation_split, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "seeded_dropout": (seeded_dropout, {}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "seeded_randint_labels": (seeded_randint_labels, {}, lambda s, n: ()),
    "default_rng_seeded": (default_rng_seeded, {}, lambda s, n: (_f(n, seed=s),)),
}


@pytest.mark.parametrize("name", list(RANDOM))
def test_global_random_state_matches_numpy(name):
    fn, static, make = RANDOM[name]
    check_like_numpy(fn, static, make)


# ----------------------------------------------------------------------- print and warnings


def warn_on_nan(x):
    import warnings

    if x.ndim != 1:
        warnings.warn("flattening input", UserWarning)
        x = x.ravel()
    return np.nan_to_num(x, nan=0.0)


def print_shapes(x, verbose=True):
    if verbose:
        print("input shape:", x.shape, x.dtype)
    return x * 2


def test_print_and_warn_inside_functions(capsys):
    check_like_numpy(print_shapes, {}, lambda s, n: (_f(n, seed=s),))
    assert "input shape: (4,) float64" in capsys.readouterr().out
    with pytest.warns(UserWarning, match="flattening"):
        check_like_numpy(warn_on_nan, {}, lambda s, n: (_f(n, 2, seed=s),))


# ---------------------------------------------------------------------------------- what was fixed


def r_directives(x, s=2.0):
    return (np.r_["0,2", x, x], np.r_["1,2,0", x, x], np.r_["-1", x[None], x[None]],
            np.r_["0,2,0", x, 0:len(x)], np.r_["0,3,1", x, x], np.r_[x.astype(np.float32), s],
            np.r_[0:1:3j, x], np.c_[x, 1:len(x) + 1])


def test_r_string_directives_with_traced_items():
    """`np.r_["0,2", x, x]` (and `"-1"`, `"1,2,0"`, ...) raised UnsupportedFunctionError: the
    directive's axis, ndmin and trans1d now join the items by NumPy's `AxisConcatenator` rules,
    a traced Python float staying weak in the result dtype."""
    check_like_numpy(r_directives, {}, lambda s, n: (_f(n, seed=s),))


def test_r_directive_errors_are_numpys():
    """NumPy's ValueError for a bad or misplaced directive; the matrix directives are refused."""
    x = _f(3)
    for fn in (lambda x: np.r_["x", x], lambda x: np.r_[x, "0"]):
        with pytest.raises(ValueError):
            fn(x)
        with pytest.raises(ValueError):
            tracenp.jit(fn)(x)
    with pytest.raises(tracenp.errors.UnsupportedFunctionError):
        tracenp.jit(lambda x: np.r_["r", x, x])(x)


def broadcast_object_shapes(a, b, c):
    bc = np.broadcast(a, b, c)
    out = np.empty(bc.shape)
    out[...] = a * b + c
    return out, bc.nd, bc.ndim, bc.size, bc.numiter


def test_np_broadcast_object_of_traced_arrays():
    """`np.broadcast(a, b).shape` (to allocate a result) raised ConcretizationError: NumPy's
    broadcast object converted the tracers; its shape, nd, size and numiter are now known."""
    check_like_numpy(broadcast_object_shapes, {},
                     lambda s, n: (_f(n, 1, seed=s), _f(3, seed=s), 1.5))
    with pytest.raises(tracenp.errors.UnsupportedFunctionError):
        tracenp.jit(lambda a, b: [v for v in np.broadcast(a, b)])(_f(2), _f(2))


def memory_of_views(x, z):
    y = x[1:]
    w = x.copy()
    return (np.shares_memory(x, y), np.shares_memory(x, w), np.may_share_memory(x, x[::2]),
            np.shares_memory(x[::2], x[1::2]), np.may_share_memory(x[::2], x[1::2]),
            np.may_share_memory(x[:2], x[2:]), np.shares_memory(z.real, z.imag),
            np.may_share_memory(z.real, z.imag), np.shares_memory(z, z.imag),
            np.shares_memory(x, 3.0), np.shares_memory(x.sum(), x),
            np.shares_memory(np.zeros(3), x), np.shares_memory(x.reshape(2, -1)[:, 0], x[1:2]),
            np.may_share_memory(x.reshape(2, -1).T, x[-1:]))


def test_shares_memory_of_views_made_in_the_function():
    """`np.shares_memory`/`np.may_share_memory` raised UnsupportedFunctionError: for views the
    function makes of one array the trace knows which elements they hold (exact overlap, or
    NumPy's bounds for `may_share_memory`), and an array made in the function shares nothing."""
    check_like_numpy(memory_of_views, {},
                     lambda s, n: (_f(2 * n, seed=s), _f(n, seed=s) + 1j * _f(n, seed=s + 1)))


def validate_finite(X, y):
    X = np.asarray_chkfinite(X, dtype=np.float64)
    y = np.asarray_chkfinite(y)
    return X.T @ y


def test_asarray_chkfinite_checks_when_the_function_runs():
    """`np.asarray_chkfinite(X)` raised ConcretizationError; it is now `np.asarray` with NumPy's
    ValueError raised by the compiled function for a NaN or inf."""
    check_like_numpy(validate_finite, {}, lambda s, n: (_i(9, n, 3, seed=s), _f(n, seed=s)))
    jf = tracenp.jit(validate_finite)
    bad = _f(4)
    bad[2] = np.inf
    with pytest.raises(ValueError, match="infs or NaNs"):
        jf(_i(9, 4, 3), bad)


def selections_by_compress_extract(x, M):
    return (np.extract(x > 0, x).sum(), np.extract(M, M).mean(), np.compress(x > 0, x).sum(),
            np.compress(x[:3] > 0, x).max(), np.compress(M[:, 0] > 0, M, axis=0).sum(axis=0),
            x.compress(x < 0).size if False else np.compress(M[0] > 0, M, axis=1).sum(),
            x[(x > 0,)].sum())


def test_compress_and_extract_by_a_traced_condition_reduce():
    """`np.extract(m, x).sum()` and `np.compress(m, x).sum()` raised DataDependentShapeError
    where `x[m].sum()` traces; they are now the same selection (a condition shorter than the
    axis selects nothing past its end, as in NumPy). `x[(m,)]` was refused likewise."""
    check_like_numpy(selections_by_compress_extract, {},
                     lambda s, n: (_f(n, seed=s), np.abs(_f(n, 3, seed=s)) - 0.5))


def flat_writes(M, v):
    A = M.copy()
    A.flat = 3.0
    B = M.copy()
    B.flat = [1, 2]
    C = M.copy()
    C.flat[1:6] = [7, 8]
    D = M.copy()
    D.flat[[0, 5, 7]] = v[:2]
    E = M.copy()
    E.T.flat = v
    return A, B, C, D, E, np.array(M.flat), np.asarray(M.T.flat, dtype=np.float32)


def test_flat_assignment_repeats_values_and_converts():
    """`x.flat = v` raised AttributeError (no setter), `x.flat[:5] = [1, 2]` raised NumPy's
    broadcasting error where NumPy repeats the values, and `np.array(x.flat)` raised
    ConcretizationError."""
    check_like_numpy(flat_writes, {}, lambda s, n: (_f(n, 3, seed=s), _f(5, seed=s)))


# -------------------------------------------------------------------------- datetimes and timedeltas


def hours_since_start(t):
    return (t - t[0]) / np.timedelta64(1, "h"), np.diff(t).astype("timedelta64[m]")


def shift_by_minutes(t, x):
    return t + (x * 60).astype("timedelta64[m]"), t[np.argmax(x)]


def day_floor_and_same_day(t):
    days = t.astype("datetime64[D]")
    return days, days == days[0], (t - days).astype("timedelta64[h]").astype(np.int64)


def time_extent(t):
    return t.min(), t.max(), t.max() - t.min(), np.sort(t)[::-1], np.argsort(t)


def epoch_hours(t):
    return (t - np.datetime64("1970-01-01T00")) // np.timedelta64(1, "h")


def long_gaps(t, hours=12):
    return (t[1:] - t[:-1]) > np.timedelta64(hours, "h"), np.isnat(t)


def durations_total(d):
    return d.sum(), d / np.timedelta64(1, "m"), d.astype("timedelta64[s]").astype(np.int64), d.mean()


def mask_times(t, x):
    return np.where(x > 0, t, np.datetime64("NaT")), t.astype(np.int64)


def _hours(s, n):
    base = np.datetime64("2024-01-01T00", "h")
    return base + np.cumsum(_i(30, n, seed=s) + 1).astype("timedelta64[h]")


DATETIMES = {
    "hours_since_start": (hours_since_start, {}, lambda s, n: (_hours(s, n),)),
    "shift_by_minutes": (shift_by_minutes, {}, lambda s, n: (_hours(s, n), _f(n, seed=s))),
    "day_floor_and_same_day": (day_floor_and_same_day, {}, lambda s, n: (_hours(s, n),)),
    "time_extent": (time_extent, {}, lambda s, n: (_hours(s, n)[::-1],)),
    "epoch_hours": (epoch_hours, {}, lambda s, n: (_hours(s, n),)),
    "long_gaps": (long_gaps, {}, lambda s, n: (_hours(s, n),)),
    "durations_total": (durations_total, {}, lambda s, n: (np.diff(_hours(s, n + 1)),)),
    "mask_times": (mask_times, {}, lambda s, n: (_hours(s, n), _f(n, seed=s))),
}


@pytest.mark.parametrize("name", list(DATETIMES))
def test_datetime_arithmetic_matches_numpy(name):
    fn, static, make = DATETIMES[name]
    check_like_numpy(fn, static, make)


# ----------------------------------------------------------------------- libraries' input plumbing


def _prepare_colorarray(arr, channel_axis=-1):
    arr = np.asanyarray(arr)
    if arr.shape[channel_axis] != 3:
        raise ValueError("the input array must have size 3 along `channel_axis`")
    float_dtype = np.float32 if arr.dtype == np.float32 else np.float64
    return arr.astype(float_dtype, copy=False)


def rgb2hsv_like(rgb):
    arr = _prepare_colorarray(rgb)
    out_v = arr.max(-1)
    delta = np.ptp(arr, -1)
    old_settings = np.seterr(invalid="ignore")
    out_s = delta / out_v
    out_s[delta == 0.0] = 0.0
    np.seterr(**old_settings)
    return np.stack([out_s, out_v], axis=-1)


def crop(ar, crop_width, copy=False):
    ar = np.array(ar, copy=False)
    crops = [(crop_width, crop_width)] * ar.ndim
    slices = tuple(slice(a, ar.shape[i] - b) for i, (a, b) in enumerate(crops))
    cropped = ar[slices]
    if copy:
        cropped = np.array(cropped, copy=True)
    return cropped


def _reshape_2D(X):
    X = np.atleast_1d(X)
    if X.ndim == 1:
        return [X]
    if X.ndim == 2:
        return [X[:, i] for i in range(X.shape[1])]
    raise ValueError("X must have 2 or fewer dimensions")


def boxplot_stats_like(X):
    cols = _reshape_2D(X)
    out = []
    for x in cols:
        q1, med, q3 = np.percentile(x, [25, 50, 75])
        iqr = q3 - q1
        out.append(dict(med=med, q1=q1, q3=q3, whislo=np.min(x[x >= q1 - 1.5 * iqr]), iqr=iqr))
    return out


def _asarray_validated(a, check_finite=True, as_inexact=False):
    toarray = np.asarray_chkfinite if check_finite else np.asarray
    a = toarray(a)
    if as_inexact:
        if not np.issubdtype(a.dtype, np.inexact):
            a = toarray(a, dtype=np.float64)
    return a


def logsumexp_scipy(a, axis=None, b=None, keepdims=False):
    a = _asarray_validated(a, check_finite=False)
    if b is not None:
        a, b = np.broadcast_arrays(a, b)
    a_max = np.amax(a, axis=axis, keepdims=True)
    if a_max.ndim > 0:
        a_max[~np.isfinite(a_max)] = 0
    elif not np.isfinite(a_max):
        a_max = 0
    if b is not None:
        b = np.asarray(b)
        tmp = b * np.exp(a - a_max)
    else:
        tmp = np.exp(a - a_max)
    with np.errstate(divide="ignore"):
        s = np.sum(tmp, axis=axis, keepdims=keepdims)
        out = np.log(s)
    if not keepdims:
        a_max = np.squeeze(a_max, axis=axis)
    out += a_max
    return out


def logsumexp_weighted(a, b):
    return logsumexp_scipy(a, axis=0, b=b)


def factorize_sorted(values):
    uniques, codes = np.unique(values, return_inverse=True)
    return codes


def zscore_scipy(a, axis=0, ddof=0):
    a = np.asanyarray(a)
    mns = a.mean(axis=axis, keepdims=True)
    sstd = a.std(axis=axis, ddof=ddof, keepdims=True)
    return (a - mns) / sstd


def moveaxis_apply(arr, func, axis=-1):
    arr = np.moveaxis(arr, axis, -1)
    out = func(arr)
    return np.moveaxis(out, -1, axis)


def _atleast2d_or_sparse(X):
    X = np.atleast_2d(X)
    if X.dtype.kind not in "fc":
        X = X.astype(np.float64)
    return X


def normalize_sk(X, norm="l2", axis=1, copy=True, return_norm=False):
    X = _atleast2d_or_sparse(X)
    if axis == 0:
        X = X.T
    if norm == "l1":
        norms = np.abs(X).sum(axis=1)
    elif norm == "l2":
        norms = np.sqrt((X * X).sum(axis=1))
    else:
        norms = np.max(np.abs(X), axis=1)
    norms_ = norms.copy()
    norms_[norms_ == 0.0] = 1.0
    X = X / norms_[:, np.newaxis]
    if axis == 0:
        X = X.T
    if return_norm:
        return X, norms
    return X


def check_consistent_length(*arrays):
    lengths = [len(X) for X in arrays if X is not None]
    uniques = np.unique(lengths)
    if len(uniques) > 1:
        raise ValueError("inconsistent")
    return sum(np.asarray(a, dtype=float).sum() for a in arrays if a is not None)


def _num_samples(x):
    if hasattr(x, "shape") and x.shape is not None:
        if len(x.shape) == 0:
            raise TypeError("Singleton array cannot be considered a valid collection.")
        return x.shape[0]
    return len(x)


def weighted_mode_like(a, w, k=3):
    scores = np.zeros(k)
    for c in range(k):
        scores[c] = np.sum(w * (a == c))
    return np.argmax(scores), scores.max()


def safe_indexing(X, indices, axis=0):
    if axis == 0:
        return X[indices]
    return X[:, indices]


def resample_like(X, y, n=4):
    idx = np.arange(len(X))[::-1][:n]
    return safe_indexing(X, idx), safe_indexing(y, idx), _num_samples(X)


LIBRARY = {
    "rgb2hsv_like": (rgb2hsv_like, {}, lambda s, n: (_f(n, 2, 3, seed=s, positive=True),)),
    "rgb2hsv_like_f32": (rgb2hsv_like, {}, lambda s, n: (_f(n, 2, 3, seed=s, positive=True).astype(np.float32),)),
    "crop": (crop, {"crop_width": 1}, lambda s, n: (_f(n, 4, 3, seed=s),)),
    "crop_copy": (crop, {"crop_width": 1, "copy": True}, lambda s, n: (_f(n, 4, seed=s),)),
    "boxplot_stats_like": (boxplot_stats_like, {}, lambda s, n: (_f(n + 3, 2, seed=s),)),
    "boxplot_stats_like_1d": (boxplot_stats_like, {}, lambda s, n: (_f(n + 3, seed=s),)),
    "_asarray_validated": (_asarray_validated, {"as_inexact": True}, lambda s, n: (_i(9, n, seed=s),)),
    "logsumexp_scipy": (logsumexp_scipy, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "logsumexp_weighted": (logsumexp_weighted, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, seed=s, positive=True))),
    "logsumexp_scipy_keepdims": (logsumexp_scipy, {"axis": 1, "keepdims": True}, lambda s, n: (_f(n, 3, seed=s),)),
    "factorize_sorted": (factorize_sorted, {}, lambda s, n: (_i(4, n, seed=s),)),
    "zscore_scipy": (zscore_scipy, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "zscore_scipy_flat": (zscore_scipy, {"axis": None, "ddof": 1}, lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "moveaxis_apply": (moveaxis_apply, {"func": np.cumsum, "axis": 0}, lambda s, n: (_f(n, 3, seed=s),)),
    "normalize_sk": (normalize_sk, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "normalize_sk_l1_axis0": (normalize_sk, {"norm": "l1", "axis": 0, "return_norm": True}, lambda s, n: (_f(n, 3, seed=s),)),
    "normalize_sk_max_int": (normalize_sk, {"norm": "max"}, lambda s, n: (_i(3, n, 2, seed=s),)),
    "check_consistent_length": (check_consistent_length, {}, lambda s, n: (_f(n, 3, seed=s), _i(3, n, seed=s), None)),
    "weighted_mode_like": (weighted_mode_like, {}, lambda s, n: (_i(3, n, seed=s), _f(n, seed=s, positive=True))),
    "resample_like": (resample_like, {}, lambda s, n: (_f(n, 3, seed=s), _i(3, n, seed=s))),
}


@pytest.mark.parametrize("name", list(LIBRARY))
def test_library_input_plumbing_matches_numpy(name):
    fn, static, make = LIBRARY[name]
    check_like_numpy(fn, static, make)


# ----------------------------------------------------------------------------------- refused forms


def contiguity_flag_check(x):
    if not x.flags["C_CONTIGUOUS"]:
        x = np.ascontiguousarray(x)
    return x * 2


def may_share_memory_arguments(a, b):
    if np.may_share_memory(a, b):
        b = b.copy()
    b[0] = 0
    return a + b


def object_array_of_values(x):
    return np.array([x[0], "label"], dtype=object)


def days_between(t):
    return np.busday_count(t[:-1], t[1:])


def date_strings(t):
    return np.datetime_as_string(t + np.timedelta64(1, "D"))


def masked_mean(x):
    return np.ma.masked_less(x, 0).mean()


def masked_invalid_fill(x):
    return np.ma.masked_invalid(np.log(x)).filled(0.0)


def structured_fields(r):
    return r["a"] * r["b"]


def string_upper(s):
    return np.char.upper(s)


def item_as_python_float(x):
    return x.item(0) * 2


def tolist_then_array(x):
    return np.asarray(sorted(x.tolist()))


def string_of_values(x):
    return {"summary": f"{x.mean()}", "mean": x.mean()}


def trim_coefficients(c):
    return np.trim_zeros(c, "b")


def repeat_by_traced_counts(x, counts):
    return np.repeat(x, counts)


def nditer_sum(x):
    return sum(v for v in np.nditer(x))


def _dates(s):
    return np.array(["2024-01-01", "2024-02-15", "2024-03-01"], dtype="datetime64[D]") + s


def _record(s):
    r = np.zeros(3, dtype=[("a", "f8"), ("b", "i4")])
    r["a"], r["b"] = _f(3, seed=s), [4, 5, 6]
    return r


REFUSED = {
    "may_share_memory_arguments": ("UnsupportedFunctionError", may_share_memory_arguments,
                                   lambda s: (_f(4, seed=s), _f(4, seed=s + 1))),
    "object_array_of_values": ("UnsupportedFunctionError", object_array_of_values,
                               lambda s: (_f(3, seed=s),)),
    "days_between": ("UnsupportedFunctionError", days_between, lambda s: (_dates(s),)),
    "date_strings": ("UnsupportedFunctionError", date_strings, lambda s: (_dates(s),)),
    "string_upper": ("UnsupportedFunctionError", string_upper,
                     lambda s: (np.array(["ab", "cd"][:s]),)),
    "tolist_then_array": ("ConcretizationError", tolist_then_array, lambda s: (_f(3, seed=s),)),
    "string_of_values": ("ConcretizationError", string_of_values, lambda s: (_f(3, seed=s),)),
    "trim_coefficients": ("DataDependentShapeError", trim_coefficients,
                          lambda s: (np.array([1.0, 2.0, 0.0, 0.0][: 2 + s]),)),
    "repeat_by_traced_counts": ("UnsupportedFunctionError", repeat_by_traced_counts,
                                lambda s: (_f(3, seed=s), _i(3, 3, seed=s))),
    "nditer_sum": ("UnsupportedFunctionError", nditer_sum, lambda s: (_f(2, 3, seed=s),)),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_run_under_fallback(name):
    """Float bits as integers, whether two arguments share memory, object arrays,
    business-day and date-string routines, `np.char`, `sorted`
    of `.tolist()`, a string made from a traced value, `np.trim_zeros`, `np.repeat` by traced
    counts and `np.nditer`: each is refused by name and runs NumPy's code under `fallback=True`."""
    error, fn, make = REFUSED[name]
    check_refused(getattr(tracenp.errors, error), fn, make)


def test_structured_fields_trace():
    """`r["a"] * r["b"]` of a structured argument: refused until structured arrays were
    traced by field."""
    check_like_numpy(structured_fields, {}, lambda s, n: (_record(s),))


def test_a_contiguity_flag_check_traces():
    """`x.flags["C_CONTIGUOUS"]` of a Fortran-ordered argument: refused until traced arrays
    had NumPy's flags."""
    check_like_numpy(contiguity_flag_check, {},
                     lambda s, n: (np.asfortranarray(_f(n, 2, seed=s)),))


def layout_copies(M, x):
    F = np.asarray(M, order="F")
    F[0, 0] = -1.0
    C = np.asanyarray(M.T, order="C")
    C[0, 0] = -2.0
    v = np.asarray(x, order="C")
    v[0] = -3.0
    return M, F, C, x


def test_asarray_with_an_order_copies_where_numpy_does():
    """`np.asarray(M, order="F")` of a C-ordered matrix made in the function is a copy in
    NumPy (as `np.asfortranarray`), but tracenp returned `M` itself, so a write into the result
    wrote into `M`; `asanyarray` ignored `order=`."""
    check_like_numpy(layout_copies, {}, lambda s, n: (_f(n, 3, seed=s) + 0, _f(n, seed=s)))


def weighted_pixel_mean(img, w):
    return np.average(img, weights=w), np.average(img, axis=0, weights=w[:, 0])


def test_average_of_integers_multiplies_in_float():
    """`np.average(u8, weights=u8)` multiplied in uint8 and cast after, so products past 255
    wrapped: NumPy multiplies with `dtype=` the float result type."""
    check_like_numpy(weighted_pixel_mean, {},
                     lambda s, n: (_i(256, n, 3, seed=s).astype(np.uint8),
                                   _i(256, n, 3, seed=s + 1).astype(np.uint8)))


# ------------------------------------------------------------------------- stacks of 3-d arrays


def split_last_axis_pairs(T):
    parts = np.split(T, 2, axis=-1)
    uneven = np.array_split(T, 3, axis=-1)
    return parts[0] - parts[1], [u.shape for u in uneven], np.array_split(T, [1, 1, 2], axis=1)


def stack_slices_back(T):
    return np.stack(list(T), axis=2), np.concatenate(T, axis=1), np.hstack(T), np.vstack(T), np.dstack(T)


def unstack_and_reorder(T):
    a, b, c = (T[:, i] for i in range(T.shape[1]))
    return np.stack((c, a, b), axis=1), np.moveaxis(T, [0, 1, 2], [2, 0, 1]), np.transpose(T, (-1, 0, 1))


def channel_stats(T):
    flat = T.transpose(2, 0, 1).reshape(T.shape[2], -1)
    return flat.mean(axis=1), np.swapaxes(T, -1, -3).shape, np.expand_dims(T, (-1, 0)).shape


def tile_repeat_3d(T):
    return np.tile(T, (2, 1, 1, 1)).sum(axis=0), np.repeat(T, [1, 2, 0], axis=1), np.flip(T, axis=(0, 2))


def take_argmax_slabs(T):
    idx = np.argmax(T, axis=1, keepdims=True)
    return np.take_along_axis(T, idx, axis=1), np.take(T, [0, -1], axis=-1), T[np.ix_([0, 1], [2], [0, 3])]


def window_sums_3d(T):
    w = np.lib.stride_tricks.sliding_window_view(T, (2, 2), axis=(1, 2))
    return w.sum(axis=(-1, -2)), np.rot90(T, axes=(1, 2)), np.roll(T, -1, axis=(0, 2))


def normalize_along_last(T):
    return np.apply_along_axis(lambda v: v / v.sum(), 2, np.abs(T) + 1), np.diagonal(T, axis1=1, axis2=2)


STACKS = {
    "split_last_axis_pairs": (split_last_axis_pairs, {}, lambda s, n: (_f(2, 3, n, seed=s),)),
    "stack_slices_back": (stack_slices_back, {}, lambda s, n: (_f(2, n, 4, seed=s),)),
    "unstack_and_reorder": (unstack_and_reorder, {}, lambda s, n: (_f(2, 3, n, seed=s),)),
    "channel_stats": (channel_stats, {}, lambda s, n: (_f(n, 2, 3, seed=s).astype(np.float32),)),
    "tile_repeat_3d": (tile_repeat_3d, {}, lambda s, n: (_f(2, 3, n, seed=s),)),
    "take_argmax_slabs": (take_argmax_slabs, {}, lambda s, n: (_f(2, 3, n, seed=s),)),
    "window_sums_3d": (window_sums_3d, {}, lambda s, n: (_f(2, n, n, seed=s),)),
    "normalize_along_last": (normalize_along_last, {}, lambda s, n: (_f(2, n, n, seed=s),)),
}


@pytest.mark.parametrize("name", list(STACKS))
def test_stacks_of_3d_arrays_match_numpy(name):
    fn, static, make = STACKS[name]
    check_like_numpy(fn, static, make)


# --------------------------------------------------------------------------- library glue code


def check_X_y(X, y, ensure_2d=True, dtype="numeric"):
    X = np.asarray(X)
    y = np.asarray(y)
    if dtype == "numeric" and X.dtype.kind not in "fc":
        X = X.astype(np.float64)
    if ensure_2d and X.ndim == 1:
        X = X.reshape(-1, 1)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if X.shape[0] != y.shape[0]:
        raise ValueError("inconsistent numbers of samples")
    return X, y


def column_or_1d(y):
    y = np.asarray(y)
    shape = np.shape(y)
    if len(shape) == 1:
        return np.ravel(y)
    if len(shape) == 2 and shape[1] == 1:
        return np.ravel(y)
    raise ValueError(f"y should be a 1d array, got an array of shape {shape} instead.")


def add_intercept(X, fit_intercept=True):
    if fit_intercept:
        return np.hstack([np.ones((X.shape[0], 1), dtype=X.dtype), X])
    return X


def safe_sparse_dot_dense(a, b):
    if a.ndim > 2 or b.ndim > 2:
        return np.dot(a, b)
    return a @ b


def label_binarize(y, classes=(0, 1, 2)):
    classes = np.asarray(classes)
    Y = np.zeros((len(y), len(classes)), dtype=int)
    for j, c in enumerate(classes):
        Y[:, j] = y == c
    return Y


def gen_batches(X, batch_size=3):
    n = X.shape[0]
    out = []
    for start in range(0, n, batch_size):
        end = min(start + batch_size, n)
        out.append(X[start:end].sum(axis=0))
    return np.vstack(out)


def train_test_split_idx(X, y, test_size=0.25):
    n = len(X)
    n_test = int(np.ceil(test_size * n))
    idx = np.arange(n)[::-1]
    return X[idx[n_test:]], X[idx[:n_test]], y[idx[n_test:]], y[idx[:n_test]]


def ensure_rng_shape(x, shape=None):
    shape = x.shape if shape is None else tuple(shape)
    return np.broadcast_to(x, shape).copy()


def normalize_axis_arg(x, axis=-1):
    axis = axis % x.ndim
    return np.moveaxis(x, axis, 0).reshape(x.shape[axis], -1).T


def sliding_windows(x, w=3):
    return np.lib.stride_tricks.sliding_window_view(x, w).mean(axis=-1)


def frames_by_index(x, frame=4, hop=2):
    n = 1 + (len(x) - frame) // hop
    idx = np.arange(frame)[None, :] + hop * np.arange(n)[:, None]
    return x[idx]


def pad_to_multiple(x, k=4):
    r = (-len(x)) % k
    return np.pad(x, (0, r)).reshape(-1, k)


def unique_inverse_counts(labels, k=4):
    counts = np.bincount(labels, minlength=k)
    return counts, counts[labels]


def groupby_sum(keys, vals, k=3):
    out = np.zeros(k, dtype=vals.dtype)
    np.add.at(out, keys, vals)
    return out


def polygon_area(xy):
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * np.abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


def to_homogeneous_transform(R, t):
    T = np.eye(4, dtype=R.dtype)
    T[:3, :3] = R
    T[:3, 3] = t
    return T


def apply_transform(T, pts):
    ph = np.c_[pts, np.ones(len(pts))]
    out = (T @ ph.T).T
    return out[:, :3] / out[:, 3:]


def xywh_to_xyxy(boxes):
    x, y, w, h = np.split(boxes, 4, axis=-1)
    return np.concatenate([x, y, x + w, y + h], axis=-1)


def iou_matrix(a, b):
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    area_a = np.prod(a[:, 2:] - a[:, :2], axis=1)
    area_b = np.prod(b[:, 2:] - b[:, :2], axis=1)
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def normalize_image_batch(batch, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)):
    batch = batch.astype(np.float32) / 255.0
    mean = np.array(mean, dtype=np.float32).reshape(1, 1, 1, 3)
    std = np.array(std, dtype=np.float32).reshape(1, 1, 1, 3)
    return np.transpose((batch - mean) / std, (0, 3, 1, 2))


def rgb_to_gray_uint8(img):
    gray = np.dot(img[..., :3], [0.2989, 0.5870, 0.1140])
    return np.round(gray).astype(np.uint8)


def one_hot_eye(labels, k=4):
    return np.eye(k, dtype=np.float32)[labels]


def stack_features(x):
    feats = [x, x ** 2, np.sin(x)]
    names = ["x", "x2", "sinx"]
    return np.stack(feats, axis=1), dict(zip(names, [f.mean() for f in feats]))


GLUE = {
    "check_X_y_int": (check_X_y, {}, lambda s, n: (_i(9, n, 2, seed=s), _f(n, 1, seed=s))),
    "check_X_y_1d": (check_X_y, {}, lambda s, n: (_f(n, seed=s).astype(np.float32), _i(2, n, seed=s))),
    "column_or_1d": (column_or_1d, {}, lambda s, n: (_f(n, 1, seed=s),)),
    "add_intercept": (add_intercept, {}, lambda s, n: (_f(n, 2, seed=s).astype(np.float32),)),
    "safe_sparse_dot_dense": (safe_sparse_dot_dense, {}, lambda s, n: (_f(n, 3, seed=s), _f(3, 2, seed=s))),
    "label_binarize": (label_binarize, {}, lambda s, n: (_i(3, n, seed=s),)),
    "gen_batches": (gen_batches, {}, lambda s, n: (_f(n + 3, 2, seed=s),)),
    "train_test_split_idx": (train_test_split_idx, {}, lambda s, n: (_f(n, 2, seed=s), _i(2, n, seed=s))),
    "ensure_rng_shape": (ensure_rng_shape, {"shape": (2, 3)}, lambda s, n: (_f(3, seed=s + n),)),
    "normalize_axis_arg": (normalize_axis_arg, {"axis": 1}, lambda s, n: (_f(2, n, 3, seed=s),)),
    "sliding_windows": (sliding_windows, {}, lambda s, n: (_f(n + 3, seed=s),)),
    "frames_by_index": (frames_by_index, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "pad_to_multiple": (pad_to_multiple, {}, lambda s, n: (_f(n + 1, seed=s),)),
    "unique_inverse_counts": (unique_inverse_counts, {}, lambda s, n: (_i(4, n, seed=s),)),
    "groupby_sum": (groupby_sum, {}, lambda s, n: (_i(3, n, seed=s), _f(n, seed=s).astype(np.float32))),
    "polygon_area": (polygon_area, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "to_homogeneous_transform": (to_homogeneous_transform, {}, lambda s, n: (_f(3, 3, seed=s + n).astype(np.float32), _f(3, seed=s))),
    "apply_transform": (apply_transform, {}, lambda s, n: (np.eye(4) + 0.1 * _f(4, 4, seed=s), _f(n, 3, seed=s))),
    "xywh_to_xyxy": (xywh_to_xyxy, {}, lambda s, n: (_f(n, 4, seed=s, positive=True),)),
    "iou_matrix": (iou_matrix, {}, lambda s, n: (np.c_[_f(n, 2, seed=s), _f(n, 2, seed=s) + 1.5],
                                                 np.c_[_f(3, 2, seed=s + 1), _f(3, 2, seed=s + 1) + 1.0])),
    "normalize_image_batch": (normalize_image_batch, {}, lambda s, n: (_i(256, 2, n, n, 3, seed=s).astype(np.uint8),)),
    "rgb_to_gray_uint8": (rgb_to_gray_uint8, {}, lambda s, n: (_i(256, n, n, 3, seed=s).astype(np.uint8),)),
    "one_hot_eye": (one_hot_eye, {}, lambda s, n: (_i(4, n, seed=s),)),
    "stack_features": (stack_features, {}, lambda s, n: (_f(n, seed=s),)),
    "item_as_python_float": (item_as_python_float, {}, lambda s, n: (_f(n, seed=s),)),
}


@pytest.mark.parametrize("name", list(GLUE))
def test_library_glue_code_matches_numpy(name):
    fn, static, make = GLUE[name]
    check_like_numpy(fn, static, make)


# ---------------------------------------------------------------------- what was fixed, continued


def tiled_rounded_clipped(x, reps, decimals, q, k, n, parts):
    tiled = np.tile(x, reps)
    lo = np.percentile(x, q)
    part = np.partition(x, k)[k]
    ramp = np.arange(n) / n
    chunks = [c.sum() for c in np.array_split(x, parts)]
    return tiled, np.round(x * 1.2345, decimals), lo, part, ramp, chunks


def test_python_int_counts_of_numpy_routines_are_made_static():
    """A Python int or float argument that `np.tile`'s reps, `np.round`'s decimals,
    `np.percentile`'s q, `np.partition`'s kth or `np.arange`'s bound needs was refused by
    name (UnsupportedFunctionError, DataDependentShapeError), and `np.array_split(x, n)` raised
    TypeError: these now make the argument static, as `np.zeros(n)` does."""
    check_steered(tiled_rounded_clipped, lambda s: (_f(6, seed=s), s + 1, s, 10.0 * s, s + 2,
                                                     3 + s, s + 1))


def scaled_by_divmod(x, n):
    q, r = divmod(n, 4)
    return x * q + r, q, r, divmod(7, n), divmod(n, 2.5)


def test_divmod_of_a_python_int_argument_is_python_ints():
    """`divmod(n, 4)` of a traced Python int gave NumPy int64s (and floats) where `n // 4`
    and `n % 4` give Python scalars, as without jit."""
    check_like_numpy(scaled_by_divmod, {}, lambda s, n: (_f(n, seed=s), 4 * s + n))


@pytest.mark.parametrize("fn, arg", [
    (np.triu_indices_from, np.zeros(4)), (np.tril_indices_from, np.zeros((2, 2, 2))),
    (np.diag_indices_from, np.zeros(3)), (np.diag_indices_from, np.zeros((3, 4))),
])
def test_index_makers_from_arrays_check_the_shape(fn, arg):
    """`np.triu_indices_from` of a 1-d array raised IndexError and of a 3-d one gave indices,
    and `np.diag_indices_from` of a non-square matrix gave indices: NumPy's ValueError."""
    with pytest.raises(ValueError):
        fn(arg)
    with pytest.raises(ValueError):
        tracenp.jit(fn)(arg)


def zero_d_joins(s):
    return np.block(s), np.block(2.0), np.resize(s, ()), np.block([[s]])


def test_block_of_a_scalar_is_a_0d_array():
    """`np.block(x)` and `np.resize(x, ())` of a 0-d value are 0-d arrays in NumPy; tracenp
    returned NumPy scalars."""
    check_like_numpy(zero_d_joins, {}, lambda s, n: (np.array(_f(1, seed=s)[0] * n),))


def frozen_table(x):
    table = np.cumsum(x)
    table.setflags(write=False)
    thawed = x * 2
    thawed.setflags(write=False)
    thawed.setflags(write=True)
    thawed[0] = 0.0
    return table * 2, thawed


def write_into_frozen(x):
    y = x * 2
    y.setflags(write=False)
    y[1:][0] = 1.0
    return y


def test_setflags_of_arrays_made_in_the_function():
    """`y.setflags(write=False)` raised UnsupportedFunctionError; now a later write into `y` (or
    a view of it) raises NumPy's ValueError, and `write=True` lifts it. An argument's flag is
    refused by name (the caller's array would have to change)."""
    check_like_numpy(frozen_table, {}, lambda s, n: (_f(n, seed=s),))
    with pytest.raises(ValueError, match="read-only"):
        write_into_frozen(_f(3))
    with pytest.raises(ValueError, match="read-only"):
        tracenp.jit(write_into_frozen)(_f(3))
    check_refused(tracenp.errors.UnsupportedFunctionError,
                  lambda x: (x.setflags(write=False), x * 2)[1], lambda s: (_f(3, seed=s),))


def clear_image(img, fill, mask):
    np.copyto(img, 0)
    np.copyto(img, 255, where=mask)
    out = np.empty(img.shape, np.float32)
    np.copyto(out, fill)
    return img, out


def test_copyto_of_a_python_scalar_is_weak():
    """`np.copyto(u8_image, 0)` raised TypeError (int64 to uint8 is not a same_kind cast):
    a Python scalar is weak in NumPy, and only its kind and value are checked (NumPy's
    OverflowError for 300, TypeError for 2.5 into integers)."""
    check_like_numpy(clear_image, {}, lambda s, n: (_i(256, n, 3, seed=s).astype(np.uint8), 0.5 * s,
                                                    _i(2, n, 3, seed=s).astype(bool)))
    for value, error in ((300, OverflowError), (2.5, TypeError)):
        fn = lambda img: np.copyto(img, value)  # noqa: B023
        with pytest.raises(error):
            fn(np.zeros(3, np.uint8))
        with pytest.raises(error):
            tracenp.jit(fn)(np.zeros(3, np.uint8))


def insert_at_extremes(x, M, v):
    return (np.insert(x, x.argmax(), v), np.insert(x, x.argmin(), [7.0, 8.0]),
            np.insert(M, M[0].argmax(), 0.0, axis=1), np.insert(M, M[:, 0].argmin(), M[0], axis=0),
            np.insert(x.astype(np.int32), x.argmax(), 2.7))


def test_insert_at_a_traced_position():
    """`np.insert(x, x.argmax(), v)` was refused (UnsupportedFunctionError) though its length
    is known, as `np.delete`'s at one traced position is; NumPy's IndexError for a position
    out of bounds is raised when the function runs."""
    check_like_numpy(insert_at_extremes, {}, lambda s, n: (_f(n, seed=s), _f(3, n, seed=s), 0.5 * s))
    fn = lambda x, i: np.insert(x, i, 0.0)  # noqa: E731
    with pytest.raises(IndexError):
        fn(_f(3), np.int64(5))
    with pytest.raises(IndexError):
        tracenp.jit(fn)(_f(3), np.int64(5))


def masked_sum_and_double(a):
    return a.sum(), a * 2


def matrix_square(m):
    return m * m


def test_masked_array_arguments_keep_their_mask_and_matrix_ones_are_refused():
    """A masked array argument was traced as a plain array (its mask dropped: `a.sum()` summed
    the masked values) and an `np.matrix` one lost its matrix product, silently. A masked
    array is now traced as its data and its mask, with NumPy's values, and does not share a
    plain array's cached signature; a matrix is refused by name, run by NumPy under
    `fallback=True`."""
    masked = lambda s: (np.ma.masked_array(_f(4, seed=s), mask=[False, True, False, s > 1]),)
    jf = tracenp.jit(masked_sum_and_double)
    jf(_f(4))
    for seed in (1, 2, 1):
        got, want = jf(*masked(seed)), masked_sum_and_double(*masked(seed))
        assert_same(got[0], want[0])
        assert type(got[1]) is np.ma.MaskedArray
        assert np.array_equal(got[1].mask, want[1].mask)
        assert np.array_equal(got[1].filled(0.0), want[1].filled(0.0))
    check_refused(tracenp.errors.UnsupportedFunctionError, matrix_square,
                  lambda s: (np.matrix(_f(2, 2, seed=s)),))


def test_can_cast_to_an_array_raises_numpys_type_error():
    """`np.can_cast(x.dtype, y)` with an array `y` (meant: `y.dtype`) recursed until
    RecursionError: NumPy's TypeError."""
    fn = lambda x, y: np.can_cast(x.dtype, y)  # noqa: E731
    with pytest.raises(TypeError, match="dtype from an array"):
        fn(_f(2), _i(3, 2))
    with pytest.raises(TypeError, match="dtype from an array"):
        tracenp.jit(fn)(_f(2), _i(3, 2))


def seeded_by_argument(x, seed):
    np.random.seed(seed)
    a = x + np.random.rand(*x.shape)
    b = np.random.RandomState(seed + 1).normal(size=x.shape)
    c = np.random.default_rng(seed).integers(0, 10, 3)
    return a, b, c


def test_a_python_int_seed_argument_is_made_static():
    """`np.random.seed(seed)`, `RandomState(seed)` and `default_rng(seed)` of a Python int
    argument raised RandomInTraceError ("mark the seed static"): jit now makes it static, as
    for `np.zeros(n)`; a seed computed from arrays stays refused."""
    check_steered(seeded_by_argument, lambda s: (_f(4, seed=s), s))
    with pytest.raises(tracenp.errors.RandomInTraceError):
        tracenp.jit(lambda x: np.random.seed(x.argmax()))(_f(3))


def init_weights(x, shape, scale=0.1, n_bins=4, period=6.0):
    w = np.zeros(shape) + scale
    counts, edges = np.histogram(x, bins=n_bins)
    wrapped = np.interp(x, [0.0, 1.0, 2.0], [0.0, 1.0, 0.5], period=period)
    return w, x.reshape(shape[::-1]) if x.size == np.prod(shape) else x, counts, edges, wrapped


def test_a_shape_tuple_argument_is_made_static():
    """`np.zeros(shape)` and `x.reshape(shape)` of a tuple argument raised ConcretizationError,
    and `np.histogram(x, bins=n)` / `np.interp(..., period=p)` of Python scalar arguments were
    refused by name: like a Python scalar, a tuple of them is made static when the function's
    Python needs its values (a list too: the function gets a copy, and a trace that sets its
    items is refused)."""
    check_steered(init_weights, lambda s: (_f(6, seed=s), (2, 3) if s == 1 else (3, 2), 0.1 * s,
                                           3 + s, 6.0 + s))
    check_steered(lambda x, shape: np.zeros(shape) + x.sum(),
                  lambda s: (_f(3, seed=s), [2, 3] if s == 1 else [3, 1]))


def owns_its_data(x):
    y = x * 2
    v = y[1:]
    w = v[::2]
    if w.base is not None:
        w = w.copy()
    w[0] = -1.0
    return (y.base is None, v.base is y, w.base is None, y.T.base is y,
            y.reshape(2, -1).base is y, np.zeros(3).base is None, y, w)


def test_base_of_arrays_made_in_the_function():
    """`x.base` was refused for every traced array: for an array the function made it is None,
    for a view of one that array (NumPy's owner, through views of views); an argument's is
    still refused by name (it depends on the caller's array)."""
    check_like_numpy(owns_its_data, {}, lambda s, n: (_f(2 * n, seed=s),))
    check_refused(tracenp.errors.UnsupportedFunctionError,
                  lambda x: x * 2 if x.base is None else x, lambda s: (_f(3, seed=s),))


@pytest.mark.parametrize("fn", [
    lambda x: np.array(x, dtype=np.float64, copy=False),
    lambda x: np.asarray(x, dtype=np.int64, copy=False),
    lambda x: np.array([x[0], x[1]], copy=False),
    lambda x: np.array(x.sum(), copy=False),
], ids=["dtype", "asarray_dtype", "list", "scalar"])
def test_copy_false_that_needs_a_copy_raises_numpys_value_error(fn):
    """NumPy 2's `np.array(x, copy=False)` raises ValueError where it must copy (another
    dtype, a list, a scalar); tracenp made the copy silently. Without a copy it is `x`."""
    x = _f(3).astype(np.float32)
    with pytest.raises(ValueError, match="Unable to avoid copy"):
        fn(x)
    with pytest.raises(ValueError, match="Unable to avoid copy"):
        tracenp.jit(fn)(x)
    check_like_numpy(lambda x: (np.array(x, copy=False), np.asarray(x, np.float32, copy=False)),
                     {}, lambda s, n: (_f(n, seed=s).astype(np.float32),))
