"""Indexing and assignment under jit, with NumPy's view semantics: values, dtypes, shapes."""

from __future__ import annotations

import numpy as np
import pytest

import tracenp

from test_corpus_domains import discounted_returns_loop, fir_direct_loop
from test_corpus_hunt_f import newton_divided_differences
from test_corpus_more import fill_gaps
from test_ops import assert_same, check_like_numpy

RNG = np.random.default_rng(5)
A = RNG.standard_normal((4, 5, 6))
M = RNG.integers(-9, 10, (5, 6)).astype(np.int32)

READS = {
    "int": lambda x: x[1],
    "neg_int": lambda x: x[-1, -2],
    "scalar": lambda x: x[1, 2, 3],
    "slices": lambda x: x[1:3, ::2, -3:],
    "neg_steps": lambda x: x[::-1, 4:0:-2, ::-3],
    "ellipsis": lambda x: x[..., 1],
    "ellipsis_mid": lambda x: x[0, ..., ::2],
    "newaxis": lambda x: x[:, None, 1, np.newaxis],
    "empty_slice": lambda x: x[3:1],
    "int_array": lambda x: x[np.array([0, 2, -1])],
    "int_list": lambda x: x[[1, 1, 0], :, [2, 3, 4]],
    "int_arrays_broadcast": lambda x: x[np.array([[0], [1]]), np.array([0, 2, 4])],
    "adv_after_slice": lambda x: x[:, np.array([0, 3])],
    "adv_split_by_slice": lambda x: x[np.array([0, 1]), :, np.array([2, 3])],
    "concrete_bool": lambda x: x[np.array([True, False, True, False])],
    "concrete_bool_2d": lambda x: x[:, np.arange(5) % 2 == 0, 1:],
    "traced_index": lambda x: x[np.argmax(x[:, 0, 0])],
    "traced_index_array": lambda x: x[0, np.argsort(x[0, :, 0])],
    "take": lambda x: (np.take(x, [0, 2], axis=1), np.take(x, 7), x.take([1, 3], axis=-1)),
    "take_along_axis": lambda x: np.take_along_axis(x, np.argsort(x, axis=-1), axis=-1),
    "take_modes": lambda x: (np.take(x, [0, 7, -9], axis=1, mode="clip"),
                             x.take(np.array([-1, 6, 13]), axis=2, mode="wrap"),
                             np.take(x, np.argmax(x[0, 0]) + 3, axis=0, mode="clip")),
    "scalar_read_is_a_copy": lambda x: _swap_first_two(x),
    "diagonal": lambda x: (np.diagonal(x[0]), x[0].diagonal(1), np.trace(x[0], -1)),
    "flat": lambda x: (x.flat[5], x.flat[::7]),
    "flat_as_array": lambda x: (np.interp(x.flat, [-1.0, 0.0, 2.0], [0.0, 1.0, 3.0]),
                                np.abs(x.flat), np.sum(x.flat), x.flat.copy()),
    "zero_d": lambda x: (x[0, 0, 0][()], x[0, 0, 0][...], x.sum()[None]),
}


@pytest.mark.parametrize("name", list(READS))
@pytest.mark.parametrize("arr", [A, M], ids=["f64", "i32"])
def test_reads(name, arr):
    check_like_numpy(READS[name], arr[:, :, :] if arr.ndim == 3 else arr[None])


def _setitem(key, value):
    def f(x):
        y = x.copy()
        y[key] = value
        return y

    return f


def _views(x):
    y = x.copy()
    row = y[1]
    row[2:4] = 0  # through a basic view
    col = y[:, 0]
    col += 10  # in-place through a view
    t = y.T
    t[..., 0] = -1  # through a transpose of the base
    r = y.reshape(-1, y.shape[-1])
    r[0] = 7  # a reshape of a contiguous array is a view too
    return y, row, col, t.sum()


def _add_at(x):
    y = x.copy()
    np.add.at(y, (np.array([0, 0, 1]), np.array([1, 1, 2])), 1)
    np.subtract.at(y, np.array([3, 3]), 2)
    return y


def _mask_assign(x):
    y = x.copy()
    y[y < 0] = 0
    y[x > 1] = y[0, 0, 0]
    return y


def _chained(x):
    y = x.copy()
    y[1][2] = 5  # chained basic indexing writes through
    y[[0, 1]][0] = 99  # a fancy-indexed copy: NumPy leaves y unchanged
    return y


def _put_along(x):
    y = x.copy()
    np.put_along_axis(y, np.argmax(y, axis=-1, keepdims=True), 0, axis=-1)
    return y


def _inplace_ops(x):
    y = x.astype(np.float64)
    y += 1
    y *= 2
    y -= y[0]
    y /= 3
    y[1:] **= 2
    z = y
    z += 1  # the same object as y
    return y, z


def _swap_first_two(x):
    y = x.reshape(-1).copy()
    first = y[0]
    y[0], y[1] = y[1], y[0]  # the NumPy scalars read here are copies, not views
    return y, first


def _put(x):
    y = x.copy()
    np.put(y, [0, 5, -1], [7, 8])  # the values repeat cyclically
    np.put(y, np.array([200, -300]), 1, mode="clip")
    np.put(y[0], np.argmax(y[0, 0]), -5, mode="wrap")
    return y


def _flat(x):
    y = x.copy()
    z = y.T  # x.flat writes go through a view into its base
    z.flat[1] = -1
    z.flat[[2, 4]] = 7
    return y, y.flat[2], y.flat[::3], len(y.flat)


WRITES = {
    "flat": _flat,
    "int": _setitem(1, 5),
    "slice": _setitem((slice(None), slice(1, 3)), -1),
    "broadcast_value": _setitem((Ellipsis, 0), np.arange(5.0)[:, None] * 0 + 2),
    "neg_step": _setitem(slice(None, None, -2), 3),
    "fancy": _setitem(np.array([0, 2, 0]), 9),
    "fancy_values": _setitem((np.array([1, 2]), np.array([0, 4])), np.array([[7.0], [8.0]])),
    "concrete_mask": _setitem(np.array([True, False, False, True]), 0),
    "newaxis": _setitem((None, 0), 4),
    "views": _views,
    "add_at": _add_at,
    "mask_assign": _mask_assign,
    "chained": _chained,
    "put_along_axis": _put_along,
    "put": _put,
    "inplace_ops": _inplace_ops,
}


@pytest.mark.parametrize("name", list(WRITES))
@pytest.mark.parametrize("arr", [A, M], ids=["f64", "i32"])
def test_writes(name, arr):
    check_like_numpy(WRITES[name], arr if arr.ndim == 3 else arr[None])


def test_cast_on_assignment_follows_numpy():
    """An int array assigned a float value truncates, as NumPy does."""
    check_like_numpy(_setitem(0, 2.7), M.copy())
    check_like_numpy(_setitem(slice(None), np.float32(-1.5)), M.copy())


def test_out_of_bounds_index_is_numpys_index_error():
    for fn in (lambda x: x[7], lambda x: x[:, 6], lambda x: x[np.array([0, 9])],
               lambda x: x[-6, 0]):
        with pytest.raises(IndexError):
            tracenp.jit(fn)(M)


# ----------------------------------------------------------------------------- x[mask] reads

MASKED = {
    "sum": lambda x: x[x > 0].sum(),
    "mean": lambda x: np.mean(x[x > 0]),
    "max_min": lambda x: (x[x < 3].max(), np.min(x[x > -3])),
    "std_var": lambda x: (x[x > -2].std(), np.var(x[x > -2], ddof=1)),
    "prod_any_all": lambda x: (np.prod(x[np.abs(x) < 2]), (x[x > 0] > 5).any(),
                               np.all(x[x > 0] > 0)),
    "count": lambda x: (np.count_nonzero(x[x > -3] > 1), np.count_nonzero(x > 0)),
    "arithmetic": lambda x: ((x[x > 0] - x[x > 0].mean()) ** 2).sum() / 3.0,
    "unary_and_cast": lambda x: (np.abs(x[x < 0]).sum(), x[x > 0].astype(np.int64).sum()),
    "two_arrays": lambda x: np.sum(x[x > 0] * (x + 1)[x > 0]),
    "rows": lambda x: (x[x[:, 0, 0] > -1].mean(axis=0), x[x[:, 0, 0] > -1].sum(keepdims=True)),
    "empty_mean_sum": lambda x: (np.mean(x[x > 100]), x[x > 100].sum()),
    "empty_max": lambda x: x[x > 100].max(),
    "average": lambda x: np.average(x[x > 0]),
    "median_percentile": lambda x: (np.median(x[x > -1]), np.percentile(x[x > 0], [5, 95]),
                                    np.quantile(x[x < 2], 0.3, keepdims=True),
                                    np.median(x[x[:, 0, 0] > -1], axis=0)),
    "median_empty_or_nan": lambda x: (np.median(x[x > 100]),
                                      np.median(np.where(x > 1, np.nan, x)[x > 0])),
    "histogram2d_digitize_searchsorted": lambda x: (
        np.histogram2d(x[x > 0], (x * 2)[x > 0], bins=[2, 3], range=[[0, 3], [0, 6]])[0],
        np.bincount(np.digitize(x[x > 0], [0.5, 1.0]), minlength=3),
        np.searchsorted([-1.0, 0.0, 1.0], x[x < 2]).sum()),
    "elementwise_functions": lambda x: (np.where(x[x > 0] > 1, x[x > 0], 2.0).sum(),
                                        np.clip(x[x < 1], -1, 0).mean(),
                                        x[x > -1].clip(0, 1).sum(), np.round(x[x > 0], 1).max()),
}


@pytest.mark.parametrize("name", [n for n in MASKED if n != "empty_max"])
@pytest.mark.parametrize("arr", [A, M.astype(np.float32)[None]], ids=["f64", "f32"])
def test_masked_reads_reduced(name, arr):
    check_like_numpy(MASKED[name], arr)


def _halve_large(x):
    x[x > 4] >>= 1
    return x


def _scale_small(x):
    x[x < -4] <<= 2
    return x


MASKED_INTS = {
    "shifts": lambda x: ((x[x > 0] >> 1).sum(), (x[x > 0] << 3).max(), (2 << x[x > 5]).sum()),
    "divmod": lambda x: tuple(v.sum() for v in divmod(x[x > 0], 3) + divmod(50, x[x > 0])),
    "shift_writes": _halve_large,
    "shift_writes_left": _scale_small,
}


@pytest.mark.parametrize("name", list(MASKED_INTS))
@pytest.mark.parametrize("dtype", [np.int32, np.uint8])
def test_masked_shifts_and_divmod_of_integers(name, dtype):
    """`x[m] >>= 1` (an image's bright pixels halved), `x[m] << k`, `divmod(x[m], k)`."""
    check_like_numpy(MASKED_INTS[name], np.abs(M).astype(dtype) * (1 if dtype is np.uint8
                                                                     else np.sign(M)))


@pytest.mark.parametrize("holes", [[1, 2, 5], [0, 1, 7], [0, 2, 3, 4, 5, 6, 7]],
                         ids=["inside", "at_the_ends", "one_point_left"])
def test_interp_through_a_selection_fills_gaps_like_numpy(holes):
    y = np.linspace(-1.0, 2.0, 8) ** 2
    y[holes] = np.nan
    check_like_numpy(fill_gaps, y)
    check_like_numpy(lambda t, y: np.interp(np.linspace(-1, 9, 6), t[y > 0.1], y[y > 0.1],
                                            left=0.0), np.arange(8.0), np.nan_to_num(y))


def test_interp_at_a_selection_through_arrays():
    """`np.interp(x[m], xp, fp)` interpolates point by point (it raised AttributeError)."""
    x = np.linspace(-1.0, 9.0, 11)
    check_like_numpy(lambda x, xp, fp: np.interp(x[x > 0.5], xp, fp).sum(), x, np.arange(8.0),
                     np.linspace(0.0, 3.0, 8) ** 2)
    check_like_numpy(lambda x, xp: np.trapezoid(np.interp(x[(x > 1) & (x < 6)], xp, xp ** 2),
                                                x[(x > 1) & (x < 6)]), x, np.arange(8.0))


def test_interp_through_an_empty_selection_is_nan():
    """NumPy raises on no sample points; a compiled function cannot, so it gives nan."""
    with pytest.raises(ValueError):
        fill_gaps(np.full(4, np.nan))
    assert np.isnan(tracenp.jit(fill_gaps)(np.full(4, np.nan))).all()


def test_masked_max_of_empty_selection_raises_numpys_error():
    """NumPy raises on max of nothing; the compiled function raises it when it runs."""
    with pytest.raises(ValueError) as want:
        MASKED["empty_max"](A)
    with pytest.raises(ValueError, match=str(want.value)):
        tracenp.jit(MASKED["empty_max"])(A)


def test_masked_inplace_update():
    def f(x):
        y = x.copy()
        y[y > 0] *= 2
        y[y < 0] += 1
        return y

    check_like_numpy(f, A)


def _mask_with_channel_index(rgb):
    out = np.zeros_like(rgb)
    top = rgb.max(-1)
    idx = rgb[..., 0] == top
    out[idx, 0] = (rgb[idx, 1] - rgb[idx, 2]) / top[idx]
    out[idx, ..., 2] += rgb[idx, 0]
    out[rgb[..., 1] > 0.5, 1:] = -1.0
    return out, rgb[idx, 1].sum(), rgb[idx, :2].mean(axis=0)


def test_mask_leading_ints_and_slices_reads_and_writes_through_a_view():
    """`x[mask, 0]` is `x[..., 0][mask]` in NumPy (matplotlib's `rgb_to_hsv`): it raised
    DataDependentShapeError on the read and refused the write."""
    check_like_numpy(_mask_with_channel_index, np.random.default_rng(1).random((4, 3, 3)))


def _cluster_scores(X, u, g):
    idx = g == 1
    return (X[idx] * u[idx, None]).sum(axis=0), X[idx, None, 1].sum(), X[idx, 1, None].mean(0)


def test_mask_then_a_new_axis_reads_as_a_selection():
    """`u[idx, None]` (the score sums of clustered standard errors, `X[idx] * u[idx, None]`)
    is NumPy's `u[:, None][idx]`: it raised DataDependentShapeError."""
    check_like_numpy(_cluster_scores, A[:, 0, :], A[:, 1, 0], (A[:, 2, 0] > 0).astype(int))


def _selection_then_columns(pts, w):
    valid = w > 0
    out = np.zeros(len(w))
    out[valid] = pts[valid][:, 0] * 2 + pts[valid][..., 1]
    return out, pts[valid][:, 1:].sum(axis=0), pts[valid][..., 0].mean()


def test_selection_indexed_along_its_trailing_dims_is_a_selection():
    """`pts[valid][:, 0]` is NumPy's `pts[valid, 0]` (it was refused as data-dependent);
    a slice of the selected dim selects by rank (`p[w > 0][1:, 0]`, reversed too); one with
    bounds and a negative step stays refused."""
    check_like_numpy(_selection_then_columns, A[:, 0, :], A[:, 1, 0])
    check_like_numpy(lambda p, w: p[w > 0][1:, 0].sum(), A[:, 0, :], A[:, 1, 0])
    check_like_numpy(lambda p, w: p[w > 0][::-1, 0].cumsum()[0], A[:, 0, :], A[:, 1, 0])
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda p, w: p[w > 0][3:0:-1, 0].sum())(A[:, 0, :], A[:, 1, 0])


def _ewald_reciprocal_sum(k, pos, q):
    k = k[np.sum(k ** 2, axis=1) > 0.5]
    s = np.exp(1j * k @ pos.T) @ q
    return (np.sum(np.abs(s) ** 2 / np.sum(k ** 2, axis=1)), np.dot(k, q[:3]).max(),
            k.max(axis=-1).mean(), np.mean(k, axis=1, keepdims=True).sum(axis=0))


def test_selected_rows_times_an_array_are_a_selection():
    """`k[k2 > 0] @ pos.T`, an Ewald sum's wave vectors times the positions, is the selection
    by the same mask of the rows' products, and `np.sum(k ** 2, axis=1)` of each row's sum
    (both were refused); products along the selected axis stay refused."""
    check_like_numpy(_ewald_reciprocal_sum, A[:, :3, 0], A[0, :, :3], A[0, :, 3])
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda k, w: w @ k[k[:, 0] > 0])(A[:, :3, 0], A[:3, 0, :])


def _bounce_back(f, m):
    g = f[:, m]
    f[:, m] = g[[2, 0, 1]]
    return f, g[1].sum(axis=0), g[0:2, :, 1].mean(axis=1), np.max(g[::-1][0])


def test_inner_selection_indexed_before_its_selected_axis_is_a_selection():
    """`f[:, obstacle] = f[:, obstacle][_OPP]`, lattice Boltzmann's bounce-back written in
    two steps (it was refused as data-dependent): ints, slices and an integer array over the
    dims before the selected axis; a slice of the selected axis stays refused."""
    check_like_numpy(_bounce_back, A[:3].copy(), A[0, :, 0] > 0)
    check_like_numpy(_bounce_back, A[:3].copy(), A[0, :, 0] > 9)
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda f, m: f[:, m][:, 1:].sum())(A, A[0, :, 0] > 0)


def _synaptic_input(S, v, I):
    fired = np.where(v >= 0.5)[0]
    return (I + S[:, fired].sum(axis=1), S[:, v.nonzero()[0]].max(axis=1, initial=-9.0),
            S[1:, np.flatnonzero(v > 0)].mean(axis=1))


def test_columns_at_indices_selected_by_a_mask_are_a_selection():
    """`S[:, np.where(v >= 30)[0]].sum(axis=1)`, the Izhikevich network's synaptic input (it
    was refused as data-dependent): the indices of a traced mask after slices select columns
    as `S[:, mask]` does; a column of them stays refused."""
    check_like_numpy(_synaptic_input, A[0, :5, :5], A[1, 0, :5], A[2, 0, :5])
    check_like_numpy(_synaptic_input, A[0, :5, :5], A[1, 0, :5] + 9, A[2, 0, :5])
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda S, v: S[:, np.where(v > 0)[0]][0])(A[0], A[1, 0])


def _stationary(P):
    w, v = np.linalg.eig(P.T)
    s = v[:, np.isclose(w, 1)][:, 0]
    return (s / s.sum()).real, v.real[:, w.real > -9][1:3, -1]


def test_an_int_at_the_selected_axis_of_inner_selection_is_a_column():
    """`evecs[:, np.isclose(evals, 1)][:, 0]`, a Markov chain's stationary vector (it was
    refused as data-dependent), and a negative position; past the selection, NumPy's
    IndexError when the function runs."""
    P = np.abs(A[0, :4, :4]) / np.abs(A[0, :4, :4]).sum(axis=1, keepdims=True)
    check_like_numpy(_stationary, P)
    with pytest.raises(IndexError):
        tracenp.jit(lambda v: v[:, v[0] > 9][:, 0])(A[0])


def _cluster_radius(pos, w):
    sel = pos[w > 0]
    r = np.linalg.norm(sel - sel.mean(axis=0), axis=1)
    return (r.max(), np.linalg.norm(sel), np.linalg.norm(sel, axis=0), np.linalg.norm(w[w > 0]),
            np.linalg.norm(sel, ord=1, axis=-1, keepdims=True).sum(),
            np.linalg.norm((w > 0)[w > 0]))


def _fit_window(t, y, w):
    m = (t > 0.2) & (t < 0.9)
    return np.polyfit(t[m], y[m], 1), np.polyfit(t[m], y[m], 2, w=w[m])


def test_norms_and_fits_of_selections():
    """`np.linalg.norm(sel - com, axis=1)` of selected rows (a cluster's radius) is a selection,
    a norm over the selected axis the root of a masked sum; `np.polyfit(t[m], y[m], 1)` (a
    diffusion coefficient from the linear window of an MSD) is the fit with the unselected
    points weighted 0. All were refused as data-dependent; an empty fit raises NumPy's
    TypeError when the function runs."""
    check_like_numpy(_cluster_radius, A[0, :, :3], A[0, :, 3])
    t = np.linspace(0, 1, 12)
    y = np.where(t < 0.1, np.nan, 2 * t + A[0, :, :].ravel()[:12] * 0.1)  # nan outside
    check_like_numpy(_fit_window, t, y, 1 + A[1, 0, :2].repeat(6) ** 2)
    check_like_numpy(lambda t, y: np.polyfit(t[t > 0.1], np.c_[y, 2 * y][t > 0.1], 1), t, y)
    with pytest.raises(TypeError, match="non-empty"):
        tracenp.jit(_fit_window)(t - 5, t, t)
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda t: np.polyfit(t[t > 0], t[t > 0], 1, cov=True))(t)


def _einsum_rows(d, w, W):
    sel = d[w > 0]
    r2 = np.einsum("ij,ij->i", sel, sel)
    return (r2.sum(), r2.max(), np.einsum("ki,kj->ij", sel, sel),
            np.einsum("ij,jk->ik", sel, W).mean(axis=0), np.einsum("i,i->", w[w > 0], w[w > 0]))


def test_einsum_of_selected_rows_works_row_by_row():
    """`np.einsum("ij,ij->i", d[m], d[m])` (squared pair distances within a cutoff) is a
    selection, and a contraction over the selected rows a sum with the others 0 (both were
    refused); an operand that meets the selected axis with its own stays refused."""
    d = np.where(A[0, :, :1] > 0, A[0, :, :3], np.nan)
    check_like_numpy(_einsum_rows, d, A[0, :, 0], A[1, :3, :3])
    check_like_numpy(_einsum_rows, d, A[0, :, 0] - 9, A[1, :3, :3])
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda d, w: np.einsum("ij,i->j", d[w > 0], w))(d, A[0, :, 0])


def _impute_column_means(X):
    X = X.copy()
    indices = np.where(np.isnan(X))
    X[indices] = np.take(np.nanmean(X, axis=0), indices[1])
    return X


def test_take_at_selected_indices_is_a_selection():
    """scikit-learn's SimpleImputer: `X[ix] = np.take(statistics, ix[1])` with `ix =
    np.where(mask)` (np.take converted the selection and was refused)."""
    X = A[:, :, 0].copy()
    X[[0, 1, 3], [2, 2, 4]] = np.nan
    check_like_numpy(_impute_column_means, X)


def _ints_beside_selections(R, D):
    q = np.zeros((R.shape[0], 4))
    choice = D.argmax(axis=1)
    ind = np.nonzero(choice != 3)[0]
    i = choice[ind]
    q[ind, i] = 1 - D[ind, -1] + 2 * R[ind, i, i]
    q[ind, 3] = R[ind, (i + 1) % 3, 0]
    ind = np.nonzero(choice == 3)[0]
    q[ind, 0] = D[ind, 3]
    return q, D[0, np.nonzero(choice > 0)[0] % 4].sum()


def test_integers_beside_indices_selected_by_a_mask():
    """scipy's `Rotation.from_matrix`: `quat[ind, 3] = ...`, `decision[ind, -1]` with `ind =
    np.nonzero(choice != 3)[0]` (an integer beside selections was refused); NumPy's IndexError
    for an integer out of bounds, also with nothing selected."""
    R = np.random.default_rng(0).standard_normal((6, 3, 3))
    check_like_numpy(_ints_beside_selections, R, np.random.default_rng(1).standard_normal((6, 4)))
    check_like_numpy(_ints_beside_selections, R, np.zeros((6, 4)))

    def out_of_bounds(D):
        return D[np.nonzero(D[:, 0] > 9)[0], 4]

    with pytest.raises(IndexError, match="index 4 is out of bounds for axis 1 with size 4"):
        out_of_bounds(np.zeros((6, 4)))
    with pytest.raises(IndexError, match="index 4 is out of bounds for axis 1 with size 4"):
        tracenp.jit(out_of_bounds)(np.zeros((6, 4)))


def _intervals_and_ranks(x, t):
    peaks = np.zeros(len(x), bool)
    peaks[1:-1] = (x[1:-1] > x[:-2]) & (x[1:-1] > x[2:])
    return (np.diff(np.flatnonzero(peaks)).mean(), np.diff(t[x > 0], n=2).sum(),
            np.diff((x > 0)[x > -1]).sum(), np.diff(np.c_[t, t ** 2][x > 0], axis=1).sum(),
            np.sort(x[x > -1])[-3:].mean(), np.sort(x[x > 0])[:2].sum(), x[x > 0][::2].sum(),
            x[x > 0][1:-1].mean(), x[x > -5][-2:].sum(), x[x > 0][5:2].sum(),
            np.c_[t, x][x > 0][1:, 0].max())


def test_diff_and_slices_of_a_selection():
    """Intervals between peaks (`np.diff(np.flatnonzero(peaks)).mean()`), `np.diff` of
    selected times (also `n=2`, of booleans, along trailing dims), and positive-step slices of
    a selection (`np.sort(d[m])[:k]`, `x[m][::2]`, `x[m][1:-1]`, bounds past the count) are
    selections that reductions consume; they were refused. A slice with bounds and a
    negative step stays refused."""
    for seed in (1, 2):
        x = np.r_[1.0, 0.5, 2.0, np.random.default_rng(seed).standard_normal(15)]
        check_like_numpy(_intervals_and_ranks, x, np.cumsum(np.abs(x) + 0.1))
    check_like_numpy(lambda x: np.diff(x[x > 9]).sum(), np.arange(4.0))  # nothing selected
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda x: x[x > 0][-1:0:-1].sum())(np.arange(4.0))


def _nearest_center_of_valid_points(P, C, t):
    ok = np.isfinite(P).all(axis=1)
    d = np.linalg.norm(P[ok][:, None, :] - C[None], axis=-1)
    lab = d.argmin(axis=1)
    sel = P[ok][:, 0]
    return (np.bincount(lab, minlength=len(C)), np.argmax(d, axis=1, keepdims=True).sum(),
            (sel[:, None] - t[None, :]).max(axis=0), (sel[:, None] * t).sum(axis=0),
            P[ok][..., None].mean())


def test_selected_rows_against_arrays_with_a_new_axis():
    """k-means on the valid points: `P[ok][:, None, :] - C[None]` (a new axis after the
    selected one, an operand of length 1 along it) and `d.argmin(axis=1)` per selected row are
    selections; all three were refused. An operand longer than 1 along the selected axis
    stays refused."""
    P = np.r_[np.random.default_rng(3).standard_normal((9, 2)), [[np.nan, 0.0]]]
    check_like_numpy(_nearest_center_of_valid_points, P, A[:3, 0, :2], np.linspace(-1, 1, 4))
    check_like_numpy(lambda a: (a[a[..., 0] > 0] + np.ones((1, 2))).sum(axis=0), A[..., :2])
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda p: (p[p > 0][:, None] * np.ones((2, 3))).sum())(np.arange(4.0))
    with pytest.raises(tracenp.errors.DataDependentShapeError):  # NumPy's shape (1, k, 2)
        tracenp.jit(lambda a: (a[a[..., 0] > 0] + np.ones((1, 1, 2))).sum())(A[..., :2])


def _groupby_valid_keys(keys, vals, rows):
    valid = keys >= 0
    sums = np.zeros(4)
    counts = np.zeros(4, dtype=np.int64)
    np.add.at(sums, keys[valid], vals[valid])
    np.add.at(counts, keys[valid], 1)
    top = np.full(4, -np.inf)
    np.maximum.at(top, keys[valid], vals[valid])
    low = np.full(4, 99, dtype=np.int64)
    np.minimum.at(low, keys[valid], rows[valid])
    table = np.zeros((3, 4))
    np.subtract.at(table, (rows[valid], keys[valid]), vals[valid])
    return sums, counts, top, low, table


def test_ufunc_at_of_indices_selected_by_a_mask():
    """Pandas-free groupby over valid keys, `np.add.at(sums, keys[valid], vals[valid])`, is
    the update at every position with the ufunc's identity where the mask leaves it out (it
    was refused); indices and values selected by different masks stay refused."""
    rng = np.random.default_rng(7)
    keys, vals, rows = rng.integers(-1, 4, 12), rng.standard_normal(12), rng.integers(0, 3, 12)
    check_like_numpy(_groupby_valid_keys, keys, vals, rows)
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda k, v: np.add.at(np.zeros(4), k[k >= 0], v[v > 0]))(keys, vals)


def _hough_votes(edges, w):
    thetas = np.linspace(0, np.pi, 3, endpoint=False)
    ys, xs = np.nonzero(edges)
    rho = np.round(xs[:, None] * np.cos(thetas) + ys[:, None] * np.sin(thetas)).astype(int)
    acc = np.zeros((12, 3), dtype=np.uint64)
    np.add.at(acc, (rho + 5, np.arange(3)), 1)
    low = np.full((12, 3), np.inf)
    np.minimum.at(low, (rho + 5, np.arange(3)), w[edges])
    y, x = np.indices(edges.shape)
    grid = np.round(x[..., None] * np.cos(thetas) + y[..., None] * np.sin(thetas)).astype(int)
    seen = np.zeros((12, 3))
    seen[(grid + 5)[edges], np.broadcast_to(np.arange(3), grid.shape)[edges]] += 1
    last = np.zeros((12, 3))
    last[(grid + 5)[edges], np.arange(3, dtype=np.uint8)] = w[edges]
    picked = low[(grid + 5)[edges], 1:][:, 0]
    pairs = np.arange(8.0).reshape(4, 2)[ys[:, None] % 4, [[1, 0]]]
    return acc, low, seen, last, picked.sum(), pairs.sum()


def test_selected_indices_broadcast_against_plain_ones():
    """Hough votes: `np.add.at(acc, (rho[m], np.arange(n)), 1)` with `rho[m]` of shape (k, n),
    `acc[i[m], t[m]] += 1` with a mask over the leading axes of `i`, and ints and integer
    arrays beside selections broadcast as NumPy broadcasts them (all were refused). A plain
    array that would meet the selected length stays refused."""
    rng = np.random.default_rng(11)
    edges = rng.random((4, 5)) < 0.4
    check_like_numpy(_hough_votes, edges, rng.standard_normal((4, 5, 3)))
    check_like_numpy(_hough_votes, np.zeros((4, 5), bool), rng.standard_normal((4, 5, 3)))
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda x, m: x[np.arange(6)[m][:, None], np.zeros((2, 3), int)])(
            rng.standard_normal((6, 4)), rng.random(6) < 0.5)
    with pytest.raises(IndexError, match="index 9 is out of bounds for axis 1 with size 4"):
        tracenp.jit(lambda x, m: x[np.arange(6)[m], 9])(np.ones((6, 4)), np.ones(6, bool))


def _ufunc_at_a_mask(x, X, m, rows):
    y = x.copy()
    np.add.at(y, m, 1.0)
    np.maximum.at(y, m, 0.5)
    np.negative.at(y, ~m)
    np.add.at(X, rows, np.array([1.0, 2.0]))
    np.subtract.at(X, rows, 0.25)
    return y, X


def test_ufunc_at_a_traced_mask_updates_each_selected_element_once():
    """`np.add.at(counts, mask, 1)` and `np.add.at(V, on_boundary, offset)` (a boolean index
    selects each element at most once, so it is `x[m] = add(x[m], v)`) were refused as reads of
    `x[mask]`; values with one per selected element stay refused."""
    rng = np.random.default_rng(8)
    m, rows = rng.random(6) < 0.5, rng.random(5) < 0.5
    check_like_numpy(_ufunc_at_a_mask, rng.standard_normal(6), rng.standard_normal((5, 2)), m,
                     rows)
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda x, m, v: np.add.at(x, m, v))(np.zeros(2), m[:2], np.ones(1))


def _clipped_selection_stats(x, X):
    d = x[np.isfinite(x)]
    for _ in range(3):
        d = d[np.abs(d - np.median(d)) < 2.0 * d.std()]
    r = X[X[:, 0] > 0]
    r = r[r[:, 1] > 0]
    return np.mean(d), np.median(d), d.std(), r.sum(axis=0), r.mean(axis=0)


def test_selection_of_a_selection_selects_by_both_masks():
    """Iterative clipping, `d = d[np.abs(d - np.median(d)) < 2 * d.std()]`, and rows of rows:
    the selection by both masks (it was refused as data-dependent)."""
    rng = np.random.default_rng(3)
    x = np.r_[rng.standard_normal(20), 8.0, np.nan, -9.0]
    check_like_numpy(_clipped_selection_stats, x, rng.standard_normal((10, 3)))


def _counts_of_selections(x, img, lab):
    roi = img > 0.3
    return (np.histogram(x[x > 0.2], bins=4, range=(0, 1)), np.histogram(img[roi], bins=3),
            np.histogram(x[x > 0.2], bins=np.array([0.0, 0.5, 1.0]), weights=x[x > 0.2],
                         density=True),
            np.bincount(np.clip((x[x > 0.2] * 4).astype(int), 0, 3), minlength=4),
            np.bincount(lab[lab >= 0] % 3, weights=x[lab >= 0], minlength=3),
            np.histogram(x[x > 5], bins=3))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_histogram_and_bounded_bincount_of_a_selection(dtype):
    """`np.histogram(img[roi], bins)` and `np.bincount(labels[valid], minlength=k)` of bounded
    labels have NumPy's fixed length: the counts of the selected elements (they were refused;
    an integer selection without `range=` still is, its min and max are not traced)."""
    rng = np.random.default_rng(4)
    check_like_numpy(_counts_of_selections, rng.random(10).astype(dtype),
                     rng.random((4, 5)).astype(dtype), rng.integers(-1, 5, 10))
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda u: np.histogram(u[u > 9], bins=4))(np.arange(20, dtype=np.uint8))


def _nonzero_counts(A, w):
    r, c = np.nonzero(A)
    return (np.bincount(r, minlength=A.shape[0]), np.bincount(c, weights=w[r, c], minlength=4),
            np.bincount(np.nonzero(A > 0.5)[1], weights=w[A > 0.5], minlength=A.shape[1]))


def test_bincount_of_the_indices_of_a_2d_mask():
    """`np.bincount(np.nonzero(A)[0], minlength=n)` (nonzeros per row of a dense matrix, the
    first step of CSR's indptr) is 1-d in NumPy; it raised "object too deep" because the
    selection of a 2-d mask is held as 2-d values."""
    rng = np.random.default_rng(5)
    A = np.where(rng.random((5, 4)) < 0.5, rng.random((5, 4)), 0.0)
    check_like_numpy(_nonzero_counts, A, rng.random((5, 4)))


def _column_mask_writes(X, keep):
    X = X.copy()
    X[:, ~keep] = 0.0
    X[1:, keep] = X[0, 0] + 1.0
    X[:, keep] = X[:, :1] * 2
    Y = np.zeros(X.shape + (2,), dtype=np.int64)
    Y[:, keep, :] = [3, 4]
    Y[:, ~keep] = -1.7
    return X, Y


@pytest.mark.parametrize("keep", [[True, False, True, True, False], [False] * 5])
def test_mask_after_slices_writes_one_value_per_row(keep):
    """`X[:, ~keep] = 0` (scikit-learn's column selection) with a traced mask: a `where` (it
    was refused); values that differ along the selected dim are data-dependent, refused."""
    check_like_numpy(_column_mask_writes, A[:, :, 0], np.array(keep))
    with pytest.raises(tracenp.errors.UnsupportedFunctionError, match="x\\[:, mask\\]"):
        tracenp.jit(lambda x, m: x.__setitem__((slice(None), m), x[:, :3]))(A[:, :, 0],
                                                                          np.array(keep))


@pytest.mark.parametrize("fn", [
    lambda x: x[x > 0],                     # returned whole
    lambda x: len(x[x > 0]),                # its length as a Python int
    lambda x: np.sort(x[x > 0]),            # any other function
    lambda x: x[x > 0][0],                  # an element
    lambda x: x[x > 0] + x[x < 1],          # two different masks
    lambda x: x[x > 0] + np.ones(len(x)),   # an array along the selected axis
    lambda x: x[x > 0].ravel(),             # an ndarray method that is no reduction
    lambda x: x[x > 0] @ x[x > 0],          # a product over the selected axis
    lambda x: x[x[:, 0] > 0, 1],            # a mask leading an int, returned
], ids=["return", "len", "sort", "element", "two_masks", "along", "method", "matmul",
        "mask_int"])
def test_masked_selection_itself_is_data_dependent(fn):
    with pytest.raises(tracenp.errors.DataDependentShapeError, match="x\\[mask\\]"):
        tracenp.jit(fn)(A[:, :, 0])


def test_mask_shape_mismatch_is_numpys_index_error():
    with pytest.raises(IndexError, match="boolean index did not match"):
        tracenp.jit(lambda x: x[x[0] > 0].sum())(A[:, :, 0])


# Writes then reads of the same array, as loops make them: a read of a value just written
# takes the written value, and adjacent writes join into one (tracenp/lax.py).


def _recurrence(x):
    y = np.zeros_like(x)
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] = 0.5 * y[i - 1] + x[i] - 0.1 * y[max(i - 2, 0)]
    return y


def _rows_then_reads(X):
    out = np.zeros_like(X)
    for i in range(X.shape[0]):
        out[i] = X[i] * 2 + out[i - 1].sum()
    return out, out[1:3].sum(axis=1), out[:, 1]


def _columns(X):
    out = np.empty_like(X)
    for j in range(X.shape[1]):
        out[:, j] = X[:, j] - X[:, j].mean()
        out[0, j] += out[:, j].sum()
    return out


def _overlapping(x):
    y = x.copy()
    y[1:5] = 1.0
    y[3:7] = y[2:6] * 2       # overlaps the first write: read through neither
    y[0] = 9.0
    y[0] = y[0] + 1           # the same slot twice
    return y, y[4], y[2:8]


def _backwards_and_views(x):
    y = np.zeros(x.shape)
    for i in range(len(x) - 1, -1, -1):
        y[i] = x[i] + (y[i + 1] if i + 1 < len(x) else 0.0)
    v = y[2:6]
    v[0] = -1.0               # through a view, seen by the base
    y[3] = v[0] * 4
    return y, v


def _long_chain(x):
    y = np.empty_like(x)
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] = np.tanh(y[i - 1] + x[i])
    return y


@pytest.mark.parametrize("fn, shape", [
    (_recurrence, (40,)), (_rows_then_reads, (6, 3)), (_columns, (4, 5)),
    (_overlapping, (9,)), (_backwards_and_views, (8,)), (_long_chain, (600,))],
    ids=["recurrence", "rows", "columns", "overlapping", "backwards_views", "long_chain"])
def test_loop_writes_and_reads_match_numpy(fn, shape):
    check_like_numpy(fn, np.random.default_rng(3).standard_normal(shape), rtol=1e-12)


def test_loop_write_joins_into_few_steps():
    """An `out[i] = ...` loop runs as a few joined writes, not one array copy per element."""
    x = np.random.default_rng(4).standard_normal(300)
    steps = tracenp.explain(tracenp.jit(_long_chain), x).steps
    writes = [s for s in steps if s.ops == ("slice_set",)]
    assert 1 <= len(writes) <= 3
    np.testing.assert_allclose(tracenp.jit(_long_chain)(x), _long_chain(x), rtol=1e-12)


def test_backward_loop_writes_join_too():
    """A loop writing `G[t]` from the last index down joins its writes as a forward one does
    (it made one library step per element: 20x slower than NumPy), and its values are read
    back from the kernel's cells in reverse order."""
    x = np.random.default_rng(5).standard_normal(96)
    jf = tracenp.jit(discounted_returns_loop)
    steps = tracenp.explain(jf, x).steps
    assert not [s for s in steps if s.ops == ("slice_set",)]
    np.testing.assert_allclose(jf(x), discounted_returns_loop(x), rtol=1e-12)
    np.testing.assert_allclose(jf(x[:7]), discounted_returns_loop(x[:7]), rtol=1e-12)


def _chained_writes(a):
    a = a.copy()
    a[1][2] = -1.0                # an element of a row
    a[2][1:3] = a[0][:2] * 3      # part of a row
    a[::-1][0][3] = 5.0           # through a reversed view: the last row
    a[:, 1][3:0:-2] = 7.0         # a column's elements, backwards
    a[1:4][1][::2] = -2.0         # a row of a slice, every other element
    r = a[3]
    a[3, 0] = 100.0               # the base written after the view was made
    r[2] = r[0] + 1               # the view reads NumPy's 100 through its base
    b = a[0]
    b[1] = 4.0
    b[1] += 1.0                   # the same element twice through one view
    return a, r, b


def test_an_element_written_through_a_row_view_writes_that_element():
    """`coef[i][j] = v` writes through the row view `coef[i]`: only the element is written
    (the whole row was: one library copy of it per element, 0.02x NumPy in a triangular
    loop), and the element writes join as direct ones do."""
    rng = np.random.default_rng(7)
    x, y = np.sort(rng.random(12)), rng.random(12)
    jf = tracenp.jit(newton_divided_differences)
    steps = tracenp.explain(jf, x, y).steps
    assert len([s for s in steps if s.ops == ("slice_set",)]) <= 12
    assert_same(jf(x, y), newton_divided_differences(x, y), rtol=1e-12)
    a = rng.standard_normal((5, 4))
    assert_same(tracenp.jit(_chained_writes)(a), _chained_writes(a))


def test_writes_again_to_the_last_write_replace_its_part():
    """`y[n] += ...` in an inner loop writes the element the outer loop's write just made:
    the part is replaced in that write, so the loop still joins into one write (it made two
    library steps per term)."""
    rng = np.random.default_rng(6)
    x, b = rng.standard_normal(40), rng.standard_normal(5)
    jf = tracenp.jit(fir_direct_loop)
    steps = tracenp.explain(jf, x, b).steps
    assert not [s for s in steps if s.ops == ("slice_set",)]
    np.testing.assert_allclose(jf(x, b), fir_direct_loop(x, b), rtol=1e-12)
    y = np.arange(6.0)

    def twice(y, v):
        y = y.copy()
        y[1:4] = v
        y[2] = -v[0]          # a part of the last write that is no part of its value
        y[1:4] = y[1:4] * 2   # all of it again
        y[5] = 7.0
        y[4:6] = v[:2]        # the last write's concatenation, of which this is no part
        return y

    v = np.array([10.0, 20.0, 30.0])
    np.testing.assert_array_equal(tracenp.jit(twice)(y, v), twice(y, v))


def _count_pairs(t, p, k=3):
    cm = np.zeros((k, k), dtype=int)
    for a, b in zip(t, p):
        cm[a, b] += 1
    return cm


def _float_increments(x, i, d):
    y = x.copy()
    for j in range(len(i)):
        y[i[j]] += d[j]           # repeated indices: the sums in NumPy's order
        y[i[j] - 1] -= 0.5 * d[j]
    return y


def _f32_increments(x, i, d):
    y = x.astype(np.float32)
    for j in range(len(i)):
        y[i[j]] += d[j]           # float64 updates: NumPy adds in float64, then rounds
    return y


def _reads_what_it_added(r, w, l):
    r = r.copy()
    for a, b in zip(w, l):
        e = 1.0 / (1 + 10 ** ((r[b] - r[a]) / 400))
        r[a] += 32 * (1 - e)
        r[b] -= 32 * (1 - e)
    return r


def test_loop_increments_are_one_add_with_numpys_values():
    """`cm[t, p] += 1` in a loop is one `np.add.at` of all the increments (one library step,
    where each increment was a gather and a scatter); the sums, their order among repeated
    indices, casts, and updates that read earlier ones stay NumPy's, bit for bit."""
    rng = np.random.default_rng(8)
    t, p = rng.integers(0, 3, 40), rng.integers(0, 3, 40)
    jf = tracenp.jit(_count_pairs)
    steps = tracenp.explain(jf, t, p).steps
    assert [s.ops for s in steps].count(("scatter",)) == 1
    assert not [s for s in steps if s.ops == ("gather",)]
    np.testing.assert_array_equal(jf(t, p), _count_pairs(t, p))
    x, i, d = rng.standard_normal(6), rng.integers(1, 6, 30), rng.standard_normal(30) * 1e3
    for fn in (_float_increments, _f32_increments):
        got, want = tracenp.jit(fn)(x, i, d), fn(x, i, d)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    r, w, l = rng.normal(1500, 100, 8), rng.integers(0, 8, 25), rng.integers(0, 8, 25)
    np.testing.assert_allclose(tracenp.jit(_reads_what_it_added)(r, w, l),
                               _reads_what_it_added(r, w, l), rtol=1e-13)
    with pytest.raises(IndexError):
        jf(t, np.where(p == 2, 3, p))


def _add_at(a, i, v):
    a = a.copy()
    np.add.at(a, i, v)
    return a


def _maximum_at(a, i, v):
    a = a.copy()
    np.maximum.at(a, i, v)
    return a


@pytest.mark.parametrize("fn,a,v", [
    (_add_at, np.full(6, 5), np.array([-2.5, 0.7, 0.7])),  # 5 - 2.5 -> 2; 5 + .7 + .7 -> 5
    (_add_at, np.full(6, 5), -2.5),
    (_add_at, np.ones(6, bool), -1),  # True + -1 is 0: False
    (_maximum_at, np.full(6, 50, np.int8), np.array([300, 300, 1])),  # int8(300) is 44
])
def test_ufunc_at_that_casts_each_update_back(fn, a, v):
    """NumPy computes each update in the loop dtype and casts it into the array at once;
    casting the updates first gave 3 where NumPy gives 2, silently. A few traced indices go
    one update at a time; more than `SEQUENTIAL_AT_LIMIT` are refused by name."""
    i = np.array([1, 3, 3])
    np.testing.assert_array_equal(tracenp.jit(fn)(a, i, v), fn(a, i, v))
    many = np.tile(i, 30)
    v = np.tile(v, 30) if np.ndim(v) else v
    with pytest.raises(tracenp.errors.UnsupportedFunctionError, match=r"\.at of"):
        tracenp.jit(fn)(a, many, v)
    with pytest.warns(tracenp.TracingFallbackWarning):
        got = tracenp.jit(fn, fallback=True)(a, many, v)
    np.testing.assert_array_equal(got, fn(a, many, v))


@pytest.mark.parametrize("fn,a,v", [
    (_add_at, np.full(6, 5), 2),  # a weak Python int keeps the int64 loop
    (_add_at, np.full(6, 5, np.int8), np.array([300, 300, 1])),  # wraps the same either way
    (_add_at, np.zeros(6, np.float32), np.array([0.1, 0.2, 0.3])),
    (_maximum_at, np.zeros(6, np.float32), np.array([0.1, 2.0, -1.0])),
])
def test_ufunc_at_whose_loop_keeps_the_arrays_values_traces(fn, a, v):
    i = np.array([1, 3, 3])
    np.testing.assert_allclose(tracenp.jit(fn)(a, i, v), fn(a, i, v), rtol=1e-7)


@pytest.mark.parametrize("values", [-1.5, 300, [1, -1], [1.5, np.nan]])
@pytest.mark.parametrize("where", [1, [0, 2]])
def test_insert_refuses_python_values_the_dtype_cannot_hold_as_numpy_does(values, where):
    """A list of Python values went in cast (-1 as 255) where NumPy raises."""
    a = np.zeros(3, np.uint8)
    with pytest.raises((OverflowError, ValueError)) as want:
        np.insert(a, where, values)
    with pytest.raises(want.type):
        tracenp.jit(lambda a: np.insert(a, where, values))(a)


def _centroid(sprite):
    yy, xx = np.mgrid[0:sprite.shape[0], 0:sprite.shape[1]]
    m = sprite > 0.5
    return yy[m].mean(), xx[m].mean()


def _top_row(sprite):
    Y, X = np.ogrid[:sprite.shape[0], :sprite.shape[1]]
    return Y[:, 0][(sprite > 0.5).any(1)].max() + X[0, -1]


@pytest.mark.parametrize("fn", [_centroid, _top_row,
                                lambda x, n=3: (x[:n, 0] * np.mgrid[0:n]).sum(),
                                lambda x: np.ogrid[0:1:4j, 0:5][0] * x])
def test_mgrid_and_ogrid_are_constants_that_traced_masks_select_from(fn):
    """They were NumPy arrays: a traced mask or index into one raised ConcretizationError."""
    s = np.random.default_rng(0).random((4, 5))
    assert_same(tracenp.jit(fn)(s), fn(s))


def _boxes(m, y0, y1, x0, x1, v):
    m = m.copy()
    m[y0:y1, x0:x1] = v  # Cutout
    m[y0:-1, -x1:, 0] = -1  # negative bounds, an int after
    m[..., y1:y0, 1] = 9  # empty when y1 >= y0
    return m


@pytest.mark.parametrize("bounds", [(1, 4, 2, 5), (0, 6, 0, 7), (3, 3, 6, 1), (-4, -1, -6, 7)])
def test_a_box_of_traced_bounds_set_to_one_value(bounds):
    m, v = np.arange(6 * 7 * 2, dtype=float).reshape(6, 7, 2), 0.5
    args = (m, *map(np.array, bounds), v)  # 0-d arrays: traced (a NumPy int would steer)
    np.testing.assert_array_equal(tracenp.jit(_boxes)(*args), _boxes(*args))
    with pytest.raises(tracenp.errors.TracingError):  # an array of the box's shape: data's
        tracenp.jit(lambda m, a, b: m.__setitem__((slice(a, b), slice(a, b)), np.ones((2, 2))))(
            np.zeros((4, 4)), np.array(1), np.array(3))


def _fast_inverse_sqrt(x):
    """Quake's bit trick, as NumPy ports write it: float32 bits, a magic constant, one
    Newton step."""
    x = x.astype(np.float32)
    i = 0x5F3759DF - (x.view(np.int32) >> 1)
    y = i.astype(np.int32).view(np.float32)
    return y * (1.5 - 0.5 * x * y * y)


def _clear_sign_bits(x):
    """A write through an integer view reaches the floats."""
    x = x.copy()
    bits = x.view(np.uint64)
    bits &= np.uint64(0x7FFFFFFFFFFFFFFF)
    return x


BIT_VIEWS = {
    "ulp distance": lambda x: np.abs(x.view(np.int64) - np.nextafter(x, 10.0).view(np.int64)),
    "sign bits": lambda x: (x.view(np.uint64) >> np.uint64(63)).astype(bool),
    "exponent field": lambda x: ((x.view(np.int64) >> 52) & 0x7FF) - 1023,
    "uniform from bits": lambda x: (((x.view(np.uint64) >> np.uint64(12))
                                     | np.uint64(0x3FF0000000000000)).view(np.float64) - 1.0),
    "fast inverse sqrt": _fast_inverse_sqrt,
    "byteswapped": lambda x: (x.byteswap(), x.astype(np.float32).byteswap(),
                              x.view(np.int64).byteswap(), (x * 100).astype(np.uint16).byteswap()),
    "float16 bits and back": lambda x: (x.astype(np.float16).view(np.int16) & 0x7FFF).view(
        np.float16),
    "write through a view": _clear_sign_bits,
    "0-d view is an array": lambda x: x[0].view(np.int64) + np.asarray(x[1]).view(np.int64),
}


@pytest.mark.parametrize("name", list(BIT_VIEWS))
def test_float_bits_through_views_are_numpys(name):
    fn = BIT_VIEWS[name]
    x = np.array([1.5, -0.0, 3e-310, np.inf, -np.nan, 0.1, -7.25, 1e300])
    got, want = tracenp.jit(fn)(x), fn(x)
    assert type(got) is type(want)
    np.testing.assert_array_equal(np.atleast_1d(got).view(np.uint8),
                                  np.atleast_1d(want).view(np.uint8))


def _scalar_masked_writes(rate, pv):
    rate, pv = np.broadcast_arrays(rate, pv)
    out = np.empty_like(rate)
    zero = rate == 0
    out[zero] = -pv[zero]
    out[~zero] = pv[~zero] / rate[~zero]
    return out, pv[rate > 1].sum(), pv[zero].max(initial=-1.0)


@pytest.mark.parametrize("args", [(np.array(0.5), np.array(2.0)), (0.0, 3.0),
                                  (np.array([0.5, 0.0, 2.0]), np.array([2.0, 3.0, 4.0]))])
def test_a_0d_mask_selects_as_numpy_adds_an_axis(args):
    """`x[m]` of a 0-d mask is NumPy's `x[np.newaxis][m[np.newaxis]]` (numpy-financial called
    with Python scalars); it was refused as data-dependent."""
    check_like_numpy(_scalar_masked_writes, *args)


@pytest.mark.parametrize("start, step", [(1, 2), (0, 3), (2, 1), (-5, 2)])
def test_a_slice_of_traced_start_and_step_makes_the_ints_static(start, step):
    """emcee's `chain[discard + thin - 1::thin]`: a traced step was compared with 1 as an
    array (an object-array error) instead of steering the Python ints static."""
    def f(chain, discard, thin):
        return chain[discard + thin - 1::thin], chain[..., slice(discard, None, thin)]

    jf = tracenp.jit(f)
    chain = RNG.standard_normal((12, 3))
    assert_same(jf(chain, start, step), f(chain, start, step))


def _zero_dim_boolean_keys(v, c):
    out = np.asarray(c * 2.0)
    out[np.asarray(c > 0)] = 5.0  # a traced condition
    w = v * 1.0
    w[True] = 3.0
    return out, w, v[False], v[True], v[True, 1], v[np.False_, 1:], c[np.asarray(True)]


def test_zero_dim_boolean_keys_add_an_axis_kept_or_emptied():
    """`x[True]` is NumPy's `x[np.newaxis]` indexed by [0], `x[False]` by []: writes through
    them set all or nothing (SciPy's `genpareto.cdf` ends in `out[np.asarray(cond)] = v`);
    both were refused or crashed on NumPy's `nonzero` of a 0-d array."""
    check_like_numpy(_zero_dim_boolean_keys, np.arange(3.0), np.array(0.3))
    check_like_numpy(_zero_dim_boolean_keys, np.arange(3.0), np.array(-0.3))


def _flags_read(a, f):
    t = a.T
    made = np.zeros(3)
    made.setflags(write=False)
    return (a.flags.c_contiguous, a[1:].flags["C_CONTIGUOUS"], a[1:].flags.f_contiguous,
            t.flags.f_contiguous, t.flags.fortran, t.flags["C"], a[0].flags.owndata,
            (a * 2).flags.owndata, made.flags.writeable, a[2].flags.f_contiguous,
            f.flags.fortran, f.flags.c_contiguous)


def test_flags_of_traced_arrays_are_numpys():
    """`x.flags` as NumPy reports it for what the function holds: C- or F-contiguous
    (arguments' layouts, transposes, row slices), owndata of views and of new arrays,
    writeable after `setflags`; a view contiguous neither way is refused by name, as
    `x.strides` of it is (SciPy's `get_blas_funcs` reads `flags.fortran`)."""
    a = np.arange(12.0).reshape(4, 3)
    f = np.asfortranarray(a)  # (check_like_numpy's copies would be C-ordered)
    assert tracenp.jit(_flags_read)(a, f) == _flags_read(a, f)
    with pytest.raises(tracenp.UnsupportedFunctionError, match="x.flags"):
        tracenp.jit(lambda a: a[:, 1].flags.c_contiguous)(a)


def _reversed_and_guarded_selections(x, w):
    s = w[x > 0.4]
    ratio = np.divide(s, s - 2, out=np.zeros_like(s), where=s != 2)
    return (s[::-1].cumsum().max(), np.flip(s)[0], s[::-2].sum(), ratio.sum(),
            np.add(s * 1.0, 1.0, out=s * 1.0).max())


def test_reversed_selections_and_ufuncs_writing_into_one():
    """`x[m][::-1]`, `np.flip(x[m])` (the reversed values by the reversed mask) and a ufunc
    of selections with `out=` and `where=` by the same mask (sklearn's precision guard) are
    selections again; a reversal with bounds stays refused."""
    rng = np.random.default_rng(5)
    check_like_numpy(_reversed_and_guarded_selections, rng.random(12), np.arange(12.0))
    with pytest.raises(tracenp.errors.DataDependentShapeError, match="negative step"):
        tracenp.jit(lambda x: x[x > 0][5:1:-1].sum())(rng.standard_normal(8))


def _ints_beside_a_mask(M, m, m3):
    M = M.copy()
    reads = (M[0, :, m].sum(axis=0), M[:, 1, m].mean(axis=1), M[1, m3].sum(axis=0),
             M[0, m3, 2].max(), M[1, 2, m].min())
    M[:, 1, m] += 1.0
    M[0, 2, m] *= -1.0
    return reads, M


def test_a_traced_mask_beside_integer_indices():
    """`M[0, m]`, `M[:, 1, m]`, `M[0, :, m]`: the ints applied first, the selection where the
    ints and the mask stand as one block, else first (NumPy's order); writes through the
    block forms."""
    r = np.random.default_rng(3)
    for _ in range(2):
        M = r.standard_normal((2, 3, 4))
        m, m3 = r.random(4) < 0.6, r.random(3) < 0.6
        m[0] = m3[0] = True
        got, want = tracenp.jit(_ints_beside_a_mask)(M, m, m3), _ints_beside_a_mask(M, m, m3)
        for g, w in zip([*got[0], got[1]], [*want[0], want[1]]):
            np.testing.assert_allclose(g, w, rtol=1e-12)


def _arrays_of_selections(x, m):
    sel = x[m]
    curve = np.hstack([sel, [1.0]])
    return (np.array(sel).sum(), np.asarray(sel, dtype=np.float32).mean(),
            np.array(curve)[:-1].cumsum()[-1], np.copy(sel).max(), np.array(sel)[::-1][0])


def test_np_array_of_a_selection_is_a_selection():
    """`np.array(x[m])`, `np.asarray(x[m], dtype)`, `np.copy(x[m])` (sklearn's
    `np.array(precision)[:-1]`): the selection itself, its count traced."""
    r = np.random.default_rng(4)
    for n in (7, 9):
        x = r.standard_normal(n)
        m = r.random(n) < 0.6
        m[0] = True
        got, want = tracenp.jit(_arrays_of_selections)(x, m), _arrays_of_selections(x, m)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-6)
            assert np.asarray(g).dtype == np.asarray(w).dtype


ARANGE_SPANS = {
    "element_dofs": lambda x, e: x[np.arange(2 * e[0, 0], 2 * e[0, 0] + 2)],
    "r_of_slices": lambda x, e: x[np.r_[2 * e[0, 0]:2 * e[0, 0] + 2, 2 * e[0, 1]:2 * e[0, 1] + 2]],
    "step_and_dtype": lambda x, e: (np.arange(e[0, 1] - 1, e[0, 1] + 5, 2),
                                    np.arange(start=e[0, 1], stop=e[0, 1] + 3, dtype=np.float32)),
    "descending_and_empty": lambda x, e: (np.arange(e[0, 1] + 3, e[0, 1], -1),
                                          np.arange(e[0, 1] + 3, e[0, 1])),
    "int32_bounds": lambda x, e: np.arange(e[0, 0].astype(np.int32), e[0, 0].astype(np.int32) + 3),
}


@pytest.mark.parametrize("name", list(ARANGE_SPANS))
def test_arange_of_traced_bounds_a_known_distance_apart(name):
    """`np.arange(2 * e, 2 * e + 2)` and `np.r_[a:a + 2, b:b + 2]` of a traced element's node
    numbers (a finite-element assembly's degrees of freedom): their length is known, as a
    slice `x[i:i + k]`'s is."""
    fn = ARANGE_SPANS[name]
    for e in (np.array([[1, 3]]), np.array([[0, 4]])):
        assert_same(tracenp.jit(fn)(np.arange(10.0), e), fn(np.arange(10.0), e))
    with pytest.raises(tracenp.errors.DataDependentShapeError, match="np.arange"):
        tracenp.jit(lambda e: np.arange(e[0, 0], e[0, 1]))(np.array([[1, 3]]))


def test_a_block_of_rows_and_columns_by_traced_masks_reduced_whole():
    """`A[m][:, m].sum()` (a community's edges in a modularity), its mean and max, the block
    between a community and the rest; along an axis its shape is the data's: refused."""
    def f(a, m):
        block = a[m][:, m]
        return block.sum(), block.mean(), block.max(), a[m][:, ~m].sum()

    r = np.random.default_rng(0)
    a = (r.random((6, 6)) > 0.5) * 1.0
    for m in (np.array([1, 0, 1, 1, 0, 1], bool), np.array([0, 1, 1, 0, 0, 1], bool)):
        assert_same(tracenp.jit(f)(a + a.T, m), f(a + a.T, m))
    with pytest.raises(tracenp.errors.DataDependentShapeError, match="block"):
        tracenp.jit(lambda a, m: a[m][:, m].sum(axis=0))(a, m)


def _fit_selected_rows(x, y, m):
    design = np.column_stack([x, x ** 2, np.ones_like(x)])
    coef, residuals, rank, s = np.linalg.lstsq(design[m], y[m], rcond=None)
    return coef, residuals, rank, s, np.linalg.lstsq(design[m], np.c_[y, 2 * y][m])[0]


def test_least_squares_of_selected_rows():
    """`np.linalg.lstsq(A[m], y[m])` (a fit over the events that pass a cut): all four of
    NumPy's results; a selection of no more rows than columns raises when it runs."""
    r = np.random.default_rng(3)
    for seed in (0, 1):
        x = r.random(20)
        y, m = 2 * x - 1 + 0.1 * r.random(20), x > 0.2 + 0.1 * seed
        assert_same(tracenp.jit(_fit_selected_rows)(x, y, m), _fit_selected_rows(x, y, m))
    with pytest.raises(tracenp.errors.DataDependentShapeError, match="lstsq"):
        tracenp.jit(_fit_selected_rows)(x, y, np.arange(20) < 3)  # 3 rows, 3 columns
