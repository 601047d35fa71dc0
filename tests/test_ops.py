"""Every op-table row under jit against eager NumPy: values, dtypes, shapes and layouts."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tracenp
from op_table import ROWS, make_arg, seed_of

LAYOUTS = ("C", "F", "strided", "reversed")


@pytest.fixture(autouse=True)
def _reference_backend():
    """Front-end parity on the NumPy reference backend; tests/lowering/test_llvm.py runs the
    same table on the compiled backend."""
    with tracenp.config.change_flags(backend="numpy"):
        yield


def _layout(x: np.ndarray, layout: str) -> np.ndarray:
    if x.ndim == 0 or layout == "C":
        return x
    if layout == "F":
        return np.asfortranarray(x)
    if layout == "strided":
        big = np.repeat(x, 2, axis=-1)
        return big[..., ::2]
    return np.flip(np.flip(x).copy())  # same values, negative strides


def _cases():
    for row in ROWS:
        for dt in row.dtypes:
            for k, shape in enumerate(row.shapes):
                shapes = shape if row.nargs > 1 else (shape,)
                layouts = LAYOUTS if k == len(row.shapes) - 1 else ("C",)
                for layout in layouts:
                    yield pytest.param(row, dt, shapes, layout,
                                       id=f"{row.name}-{dt}-{shapes}-{layout}")


def tolerance(dtype: np.dtype, rtol: float, scale: float = 1.0) -> dict:
    """`scale`: the inputs' magnitude; float16 sums round partials at that size."""
    if dtype in (np.float16,):
        return dict(rtol=max(rtol, 2e-3), atol=2e-3 * scale)
    if dtype in (np.float32, np.complex64):
        return dict(rtol=max(rtol, 2e-5), atol=1e-5)
    return dict(rtol=rtol if rtol < 1e-6 else 1e-7, atol=1e-10)


def assert_same(got, want, rtol=1e-7, scale=1.0):
    if isinstance(want, (tuple, list)):
        assert type(got) is type(want) and len(got) == len(want), (type(got), type(want))
        for g, w in zip(got, want):
            assert_same(g, w, rtol, scale)
        return
    if isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys()
        for k in want:
            assert_same(got[k], want[k], rtol, scale)
        return
    assert type(got) is type(want) or (isinstance(want, np.ndarray) and
                                       isinstance(got, np.ndarray)), (type(got), type(want))
    got_a, want_a = np.asarray(got), np.asarray(want)
    assert got_a.dtype == want_a.dtype, (got_a.dtype, want_a.dtype)
    assert got_a.shape == want_a.shape, (got_a.shape, want_a.shape)
    if want_a.dtype.kind in "fc":
        np.testing.assert_allclose(got_a, want_a, equal_nan=True,
                                   **tolerance(want_a.dtype, rtol, scale))
    else:
        np.testing.assert_array_equal(got_a, want_a)


def _magnitude(args) -> float:
    finite = [np.abs(a[np.isfinite(a)]).max(initial=0) for a in args if a.dtype.kind in "fc"]
    return max([1.0] + [float(m) for m in finite])


def check_row(row, dtype, shapes, layout, jit=tracenp.jit):
    """One op-table case: `jit(row.fn)` against eager NumPy on seeded random arguments."""
    rng = np.random.default_rng(seed_of(row.name, dtype, shapes))
    args = [_layout(make_arg(rng, s, dtype, row.domain), layout) for s in shapes]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = row.fn(*[a.copy() for a in args])
        except Exception as e:  # NumPy refuses: tracenp must refuse the same way
            with pytest.raises(type(e)):
                jit(row.fn)(*args)
            return
        got = jit(row.fn)(*args)
    assert_same(got, want, row.rtol, _magnitude(args))


@pytest.mark.parametrize("row,dtype,shapes,layout", list(_cases()))
def test_row_matches_numpy(row, dtype, shapes, layout):
    check_row(row, dtype, shapes, layout)


def check_like_numpy(fn, *args, rtol=1e-7, **jit_kw):
    """`fn(*args)` under jit equals eager NumPy in value, dtype and type, or both raise alike."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        except Exception as e:
            with pytest.raises(type(e)):
                tracenp.jit(fn, **jit_kw)(*args)
            return
        got = tracenp.jit(fn, **jit_kw)(*args)
    assert_same(got, want, rtol)


_R = np.random.default_rng(7)
F = _R.standard_normal((3, 4))
F32 = _R.standard_normal((3, 4)).astype(np.float32)
V = _R.standard_normal(6)
I = _R.integers(-5, 6, (3, 4))
U8 = _R.integers(0, 200, (3, 4)).astype(np.uint8)
C = (_R.standard_normal((3, 4)) + 1j * _R.standard_normal((3, 4))).astype(np.complex64)
NAN = np.where(_R.random((3, 4)) > 0.7, np.nan, F)
SPD = F @ F.T + 3 * np.eye(3)
B = F > 0


def _out_where(x):
    out = np.zeros_like(x)
    np.add(x, 1, out=out, where=x > 0)
    np.multiply(x, 2, out=out[:, :2])
    return out


def _ufunc_at(x):
    y = x.copy()
    np.add.at(y, (np.array([0, 0, 2]), np.array([1, 1, 3])), 5.0)
    np.subtract.at(y, np.array([1, 1]), 1.0)
    return y


API_CASES = {
    # ufuncs: out=, where=, methods
    "ufunc_out_where": (_out_where, F),
    "ufunc_divmod_out": (lambda x: np.divmod(x, 3), I),
    "ufunc_reduce": (lambda x: (np.add.reduce(x, axis=1), np.maximum.reduce(x, axis=(0, 1)),
                                np.multiply.reduce(x, keepdims=True), np.logaddexp.reduce(x)), F),
    "ufunc_reduce_dtype": (lambda x: np.add.reduce(x, axis=0, dtype=np.int16), U8),
    "ufunc_accumulate": (lambda x: (np.add.accumulate(x, axis=1), np.maximum.accumulate(x),
                                    np.minimum.accumulate(x, axis=1)), F),
    "ufunc_reduceat": (lambda x: (np.add.reduceat(x, [0, 2, 1, 3], axis=1),
                                  np.maximum.reduceat(x, np.array([1, 1, 2])),
                                  np.add.reduceat(x > 0, [0, 2], axis=1)), I),
    "ufunc_reduceat_evenly": (lambda x, i: (
        np.add.reduceat(x, np.arange(0, 24, 4)), np.maximum.reduceat(x, [1, 6, 11, 16]),
        np.multiply.reduceat(x.reshape(4, 6), [0, 2, 4], axis=1),
        np.add.reduceat(i.astype(np.int8), np.arange(0, 12, 5)),
        np.logical_and.reduceat(x > -1, [0, 8, 16])), np.linspace(-1.5, 2.0, 24), I.ravel()),
    "cov_weights": (lambda x: (np.cov(x, aweights=np.arange(1.0, 5.0)),
                               np.cov(x, fweights=np.array([1, 2, 1, 3]), ddof=0),
                               np.cov(x.T, rowvar=False, aweights=x[0] ** 2, bias=True)), F),
    "histogram_weights": (lambda v: (np.histogram(v, bins=3, weights=v ** 2),
                                     np.histogram(v, bins=2, range=(-1, 1), density=True,
                                                  weights=np.arange(6.0)),
                                     np.histogram_bin_edges(v, bins=4)), V),
    "argsort_ties": (lambda i: (np.argsort(np.tile(i, 5) % 3), np.argsort(np.tile(i, 5) % 3,
                                                                      kind="stable"),
                                i.argsort(axis=0), np.argsort(i % 2, axis=None)), I),
    "ufunc_outer": (lambda v: (np.multiply.outer(v, v), np.subtract.outer(v, v[:3]),
                               np.greater.outer(v, v)), V),
    "ufunc_at": (_ufunc_at, F),
    "logical_funcs": (lambda x: (np.logical_and(x > 0, x < 1), np.logical_or.reduce(x > 1),
                                 np.logical_xor(x > 0, True), np.logical_not(x > 0)), F),
    # reductions: axis forms, keepdims, dtype=, nan-variants
    "reductions_axis_forms": (lambda x: (x.sum(axis=-1), x.mean(axis=(0, 1)), x.max(axis=None),
                                         np.std(x, axis=0, ddof=1, keepdims=True),
                                         np.var(x, axis=(-1,)), np.prod(x, axis=1, dtype=np.float32),
                                         np.argmax(x, axis=0), np.argmin(x, axis=-1, keepdims=True),
                                         np.all(x > -3, axis=1), np.any(x > 1)), F),
    "reductions_int_dtypes": (lambda x: (x.sum(), x.mean(), x.prod(axis=0), x.cumsum(axis=1),
                                         x.var(), np.sum(x, dtype=np.float32), x.max(axis=1)), I),
    "reductions_uint8": (lambda x: (x.sum(), x.sum(dtype=np.uint8), x.mean(axis=0),
                                    np.cumprod(x[:1], axis=1)), U8),
    "nan_reductions": (lambda x: (np.nansum(x), np.nanmean(x, axis=0), np.nanmax(x, axis=1),
                                  np.nanmin(x), np.nanstd(x, axis=1), np.nanvar(x, ddof=1),
                                  np.nanprod(x, axis=0), np.nancumsum(x, axis=1),
                                  np.nanargmax(x, axis=1)), NAN),
    "complex_reductions": (lambda x: (x.sum(axis=0), x.mean(), x.var(), np.abs(x).max()), C),
    # linear algebra
    "linalg_products": (lambda a, v: (np.dot(a, a.T), a @ a.T, np.vdot(v, v), np.inner(v, v),
                                      np.outer(v, v), np.tensordot(a, a, axes=([1], [1])),
                                      np.einsum("ij->ji", a), np.einsum("ij,kj", a, a),
                                      np.einsum("ii", a[:, :3]), np.trace(a),
                                      np.diag(a), np.diag(v), np.kron(a[:2, :2], a[:2, :2])), F, V),
    "linalg_norms": (lambda a, v: (np.linalg.norm(v), np.linalg.norm(a), np.linalg.norm(a, axis=1),
                                   np.linalg.norm(v, ord=1), np.linalg.norm(a, "fro")), F, V),
    "linalg_library": (lambda s: (np.linalg.solve(s, s[:, 0]), np.linalg.inv(s),
                                  np.linalg.cholesky(s), np.linalg.det(s),
                                  np.linalg.svd(s, compute_uv=False)), SPD),
    # shape and movement
    "shape_moves": (lambda x: (x.reshape(-1), x.reshape(2, -1), np.moveaxis(x[None], 0, -1),
                               np.swapaxes(x, 0, 1), np.expand_dims(x, 1), x[None, :, None],
                               np.squeeze(x[:1]), x.ravel(), x.flatten(), x.T,
                               np.broadcast_to(x[:1], (5, 4)), np.atleast_3d(x).shape,
                               np.flip(x, 1), np.roll(x, 2), np.roll(x, -1, axis=0),
                               np.tile(x, (2, 1)), np.repeat(x, 2, axis=0), np.repeat(x, 3)), F),
    "joins_splits": (lambda x: (np.concatenate([x, x], 1), np.stack([x, x], -1), np.hstack([x, x]),
                                np.vstack([x, x]), np.column_stack([x[0], x[1]]),
                                np.split(x, 2, axis=1), np.array_split(x, 2),
                                *np.broadcast_arrays(x, x[:1])), F),
    "pad_modes": (lambda x: (np.pad(x, 1), np.pad(x, ((1, 0), (2, 1)), mode="edge"),
                             np.pad(x, 2, mode="reflect"), np.pad(x, 1, constant_values=7),
                             np.pad(x, {1: (2, 1)}, mode="edge"), np.pad(x, {-2: 1})), F),
    "where_select_clip_sort": (lambda x: (np.where(x > 0, x, 0), np.select([x < 0, x > 1], [-x, x]),
                                          np.clip(x, -0.5, 0.5), x.clip(0), np.sort(x, axis=0),
                                          np.argsort(x, kind="stable"), x.round(2)), F),
    # creation inside the function
    "creation": (lambda x: (np.zeros(3), np.ones((2, 2), np.int32), np.full(3, 2.5),
                            np.empty_like(x).shape, np.zeros_like(x), np.ones_like(x, dtype=int),
                            np.full_like(x, 3), np.arange(5), np.arange(1, 2, 0.25),
                            np.linspace(0, 1, 5), np.eye(3, k=1), np.identity(2), np.tri(3),
                            np.triu(x), np.tril(x, -1), x.astype(np.int8),
                            np.asarray(x, dtype=np.float32)), F),
    # proxy methods and concrete attributes
    "proxy_methods": (lambda x: (x.sum(), x.mean(0), x.max(), x.min(1), x.argmax(), x.argmin(0),
                                 x.reshape(4, 3), x.transpose(), x.astype(int), x.dot(x.T),
                                 x.clip(-1, 1), x.round(), x.copy(), x.ravel(), x.flatten(),
                                 x[:1].squeeze(), x.cumsum(), x.std(), x.var(), (x > 0).all(),
                                 (x > 0).any(), x.prod(), x.shape, x.ndim, x.size, x.dtype,
                                 len(x), x.itemsize, x.nbytes, x.conj(), x.flat[3],
                                 np.shape(x), np.ndim(x), np.size(x)), F),
    "complex_methods": (lambda c: (c.conj(), c.real, c.imag, np.angle(c), np.abs(c),
                                   c.astype(np.complex128)), C),
    # NumPy as people write it
    "isclose_family": (lambda x, y: (np.isclose(x, y), np.isclose(x, x + 1e-9), np.allclose(x, x),
                                     np.array_equal(x, y), np.array_equal(x, x),
                                     np.array_equiv(x, x[0]), np.isclose(x, 0.1, atol=1)), F, F32),
    "nan_to_num": (lambda x: (np.nan_to_num(x), np.nan_to_num(x / 0.0, posinf=9.0),
                              np.nan_to_num(x.astype(np.complex128) / 0)), NAN),
    "sinc_round_fix": (lambda x: (np.sinc(x), np.sinc(np.zeros(3)), np.around(x, 1),
                                  np.round(x, -1), np.round(x * 100), np.fix(x * 3),
                                  np.round(np.arange(-20, 20, 3), -1)), F),
    "interp": (lambda x: (np.interp(x, [-1.0, 0.0, 2.0], [0.0, 1.0, 3.0]),
                          np.interp(x, np.array([-1.0, 1.0]), np.array([2.0, 4.0]), left=-9,
                                    right=9), np.interp(0.5, [0, 1], [10, 20])), F),
    "searchsorted": (lambda v: (np.searchsorted(np.sort(v), v), np.searchsorted(np.sort(v), 0.1,
                                                                                side="right"),
                                np.sort(v).searchsorted(v[:2])), V),
    "meshgrid": (lambda v: (np.meshgrid(v, v[:3]), np.meshgrid(v, v[:3], indexing="ij"),
                            np.meshgrid(v[:2], v[:3], v, sparse=True)), V),
    "convolve_correlate": (lambda v, w: tuple(f(a, b, mode=m) for f in (np.convolve, np.correlate)
                                              for a, b in ((v, w), (w, v), (v, v[:2]))
                                              for m in ("full", "same", "valid")), V, V[:3]),
    "convolve_int": (lambda v: (np.convolve(v, [1, 2, 1]), np.correlate(v, v[:2], "full")),
                     I[0]),
    "polyval": (lambda x: (np.polyval([1.0, -2.0, 3.0], x), np.polyval(np.array([2, 1]), 3)), F),
    "median_quantiles": (lambda x: (np.median(x), np.median(x, axis=0), np.median(x[:, :3], axis=1,
                                                                                  keepdims=True),
                                    np.percentile(x, 30), np.percentile(x, [10, 90], axis=1),
                                    np.quantile(x, 0.5, axis=0), np.quantile(x, [0.0, 1.0])), F),
    "median_int_f32": (lambda i, f: (np.median(i), np.quantile(f, 0.25), np.percentile(i, 50, 0)),
                       I, F32),
    "median_nan": (lambda x: (np.median(x, axis=1), np.quantile(x, 0.5)), NAN),
    "medians_of_empty": (lambda x, i: (  # NaN where NumPy's mean of nothing is (warning aside)
        np.median(x[:0]), np.median(x[:0], axis=0), np.median(i[:, :0], axis=1),
        np.nanmedian(x[:0], axis=1, keepdims=True), np.nanquantile(x[:0], [0.2, 0.5]),
        np.nanpercentile(i[:0], 50, axis=0), np.nanmedian(i[:, :0])), F, I),
    "dtype_queries": (lambda x, i: (np.zeros(2, np.common_type(x, i.astype(np.float32))),
                                    np.zeros(2, np.min_scalar_type(i)),
                                    np.zeros(1, np.min_scalar_type(np.arange(3)[1]))), F32, I),
    "histogram": (lambda v: (np.histogram(v, bins=4), np.histogram(v, 3, range=(-1, 1)),
                             np.histogram(v, 5, density=True)), V),
    "histogram_many_bins": (lambda x: (  # more than ONEHOT_BINS: counted by a scatter-add
        np.histogram(x[3:], bins=50), np.histogram(x, 40, range=(-1.5, 1), weights=x * x),
        np.histogram(x, np.linspace(-2, 2.5, 61), density=True),
        np.histogram(x.astype(np.float32), 45, (-3, 3), weights=np.ones(x.shape, np.float32)),
        np.histogram(x[x > 0], 64, range=(0, 2)),
        np.histogramdd(x[3:].reshape(-1, 2), bins=(7, 6), weights=x[3::2].astype(np.float32)),
        np.histogram((x[3:] * 40).astype(np.int64) % 256, 256, [0, 256])),
        np.concatenate([[np.nan, np.inf, -np.inf], _R.standard_normal(300), [2.5, -2]])),
    "cov_corrcoef": (lambda x, v: (np.cov(x), np.cov(x, rowvar=False), np.cov(v), np.cov(v, v * 2),
                                   np.corrcoef(x), np.corrcoef(v, v[::-1]), np.cov(x, bias=True)),
                     F, V),
    "index_helpers": (lambda x: (x[np.tril_indices_from(x)], np.triu_indices_from(x, 1),
                                 x[np.diag_indices_from(x[:, :3])], np.indices((2, 3)),
                                 np.unravel_index(np.argmax(x), x.shape),
                                 np.unravel_index(np.argmin(x), np.array(x.shape)),
                                 np.unravel_index(np.array([3, 7]), (3, 4), order="F"),
                                 np.ravel_multi_index((np.argmax(x, 0), np.argmin(x, 0)), (3, 4),
                                                      mode="clip")), F),
    "apply_along_axis": (lambda x: (np.apply_along_axis(np.sum, 0, x),
                                    np.apply_along_axis(lambda r: r[::-1] * 2, 1, x)), F),
    "errstate": (lambda x: _errstate(x), F),
    "fill_diagonal": (lambda x: _fill_diagonal(x), F),
    "gradient_trapezoid": (lambda x, i: (np.gradient(x), np.gradient(x, 0.5, axis=1),
                                         np.gradient(x[0], edge_order=2), np.gradient(i[0]),
                                         np.trapezoid(x), np.trapezoid(x, dx=0.1, axis=0),
                                         np.trapezoid(x[0], x=np.arange(4.0) ** 2),
                                         np.trapezoid(i)), F, I),
    "isin_many": (lambda x: (  # more than 32 test elements: sorted, then binary searches
        np.isin(np.round(x[:60] * 4), np.round(x[60:] * 4)),
        np.isin(np.round(x[:60] * 4).astype(np.int64), np.round(x[60:] * 4), invert=True),
        np.isin(np.round(x[:12] * 4).reshape(3, 4), np.r_[np.round(x[60:] * 4), np.nan]),
        np.isin(x[:20], x[5:60]), np.isin(x[:20], x[21:60])),
        np.concatenate([_R.standard_normal(160), [np.nan]])),
    "isin_ediff_vander": (lambda i, v: (np.isin(i, [1, 2, 3]), np.isin(i, i[0], invert=True),
                                        np.ediff1d(v, to_begin=0, to_end=[9, 9]), np.vander(v),
                                        np.vander(v[:3], 4, increasing=True)), I, V),
    "copyto_putmask": (lambda x: _copyto(x), F),
    "append_delete_resize_block": (lambda x, v: (np.append(x, 1.0), np.append(x, x[:1], axis=0),
                                                 np.delete(x, 1, axis=0), np.delete(x, [0, 2]),
                                                 np.resize(x, (2, 5)), np.resize(v, 8),
                                                 np.block([[x, x], [x, x]]), np.block([v, v[:2]]),
                                                 np.diagflat(v[:3], 1)), F, V),
    "nanmedian_digitize": (lambda x, f: (np.nanmedian(x), np.nanmedian(x, axis=0),
                                         np.nanmedian(x, axis=1, keepdims=True),
                                         np.digitize(f, [-1.0, 0.0, 1.0]),
                                         np.digitize(f, [1.0, 0.0, -1.0], right=True)), NAN, F),
    "insert": (lambda x: (np.insert(x, 1, 5.0, axis=1), np.insert(x, 0, x[0], axis=0),
                          np.insert(x, -1, 7), np.insert(x, [2], [[1.0], [2.0], [3.0]], axis=1)),
               F),
    "linspace_traced": (lambda v: (np.linspace(v.min(), v.max(), 5), np.linspace(0, v, 3),
                                   np.linspace(v[0], 1.0, 4, endpoint=False)), V),
    "diff_gradient_like": (lambda v: (np.diff(v), np.diff(v, n=2), np.cumsum(v)[-1],
                                      np.ptp(v), np.average(v, weights=np.arange(6.0))), V),
    "bool_ops": (lambda b: (b & ~b, b | True, np.sum(b), b.mean(), np.count_nonzero(b, axis=0),
                            b.astype(np.float32) * 2, np.where(b, 1, 0)), B),
    "fft_1d": (lambda x, c: (np.fft.fft(x, n=6, axis=0), np.fft.ifft(c, norm="ortho"),
                             np.fft.rfft(x, n=3), np.fft.irfft(c, n=5, axis=0),
                             np.fft.irfft(x, norm="forward")), F32, C),
    "fft_nd": (lambda x, i: (np.fft.fft2(x, s=(2, 5)), np.fft.ifftn(i),
                             np.fft.rfftn(x, axes=(0,)), np.fft.irfft2(np.fft.rfft2(x)),
                             np.fft.irfftn(i, s=(4, 3))), F, I),
    "fft_half": (lambda h: (np.fft.fft(h, norm="ortho"), np.fft.irfft(h), np.fft.ifft2(h)),
                 F.astype(np.float16)),
    "fft_helpers": (lambda x, d: (np.fft.fftshift(x), np.fft.ifftshift(x, axes=1),
                                  np.fft.fftshift(x, axes=0), np.fft.fftfreq(5, d),
                                  np.fft.rfftfreq(6, d), np.fft.fftfreq(4)), F, np.float64(0.1)),
    "fft_errors": (lambda x: np.fft.fft(x, n=0), F),
    "rfft_of_complex_is_type_error": (lambda c: np.fft.rfft(c), C),
    "partition": (lambda x, v: (np.partition(x, 1), np.partition(x, (0, 2), axis=0),
                                np.argpartition(v, -2), np.partition(v, [1, -1], axis=None),
                                x.argpartition(2, axis=1)), F, V),
    "partition_bad_kth": (lambda v: np.partition(v, 6), V),
    "quantile_methods": (lambda x, i, f: tuple(
        fn(a, q, axis=ax, method=m) for m in ("lower", "higher", "nearest", "midpoint")
        for fn, q in ((np.quantile, 0.3), (np.percentile, [10, 50, 100]))
        for a, ax in ((x, None), (i, 0), (f, 1))), F, I, F32),
    "quantile_q_dtypes": (lambda f: (np.quantile(f, np.float32(0.7)), np.percentile(f, 1),
                                     np.quantile(f, np.float64(0.3), axis=0),
                                     np.nanpercentile(f, 70), np.nanquantile(f, 1)), F32),
    "nan_quantiles": (lambda x: (np.nanpercentile(x, 50), np.nanpercentile(x, [10, 90], axis=0),
                                 np.nanquantile(x, 0.3, axis=1, keepdims=True),
                                 np.nanquantile(x, np.array([0.0, 1.0]))), NAN),
    "quantile_traced_q": (lambda x, n, q: tuple(
        fn(a, q * scale, axis=ax, method=m, keepdims=k)
        for m in ("linear", "nearest", "midpoint", "inverted_cdf", "hazen", "closest_observation")
        for fn, a, scale in ((np.quantile, x, 1), (np.percentile, x, 100), (np.nanquantile, n, 1),
                             (np.nanpercentile, n, 100))
        for ax, k in ((None, False), (0, True))), F, NAN, np.array([0.0, 0.3, 0.5, 1.0])),
    "quantile_traced_q_out_of_range": (lambda x, q: np.quantile(x, q), F, np.array([0.5, 1.5])),
    "quantile_weights": (lambda x, n, w: (
        np.quantile(x, 0.3, weights=w, method="inverted_cdf"),
        np.percentile(x, [0, 10, 50, 100], axis=1, weights=w, method="inverted_cdf"),
        np.quantile(x, [0.0, 0.5], axis=0, weights=w[:, 0], method="inverted_cdf", keepdims=True),
        np.quantile(n, 0.5, axis=1, weights=w, method="inverted_cdf"),
        np.percentile(x, 40, axis=(1, 0), weights=w.T, method="inverted_cdf")),
        F, NAN, np.arange(12.0).reshape(3, 4) % 5),
    "quantiles_into_out": (lambda x, n, o: (
        np.median(x, axis=0, out=o[0]), np.percentile(x, 30, axis=0, out=o[1]),
        np.nanmedian(n, axis=0, out=o[2]), np.nanquantile(n, 0.4, axis=0, out=o[3]), o),
        F, NAN, np.zeros((4, 4))),
    "nan_quantiles_int_f32": (lambda i, f: (np.nanpercentile(i, 40), np.nanquantile(f, 0.25),
                                            np.nanpercentile(f, np.float64(75), axis=1)), I, F32),
    "lstsq_polyfit": (lambda a, v: (np.linalg.lstsq(a.T, v[:4], rcond=None),
                                    np.linalg.lstsq(a.T, a.T[:, :2]),
                                    np.polyfit(v, v ** 2, 2), np.polyfit(v, v, 1, w=v * v),
                                    np.polyfit(np.arange(6), np.stack([v, -v], 1), 1, full=True)),
                      F, V),
    "polynomial_series_fit": (lambda x, v: (
        np.polynomial.Polynomial.fit(v, x[0, :3].sum() * v ** 2, 2)(v),
        np.polynomial.Chebyshev.fit(v, np.sin(v), 3).domain,
        np.polynomial.Legendre.fit(np.zeros_like(v), v, 0, full=True)[0].domain,
        np.polynomial.Polynomial.fit(v, v, 1, domain=[-1, 1]).coef), F, V),
    "lstsq_wide": (lambda a, v: np.linalg.lstsq(a, v[:3]), F, V),
    "eig_eigvals": (lambda a: (np.abs(np.linalg.eigvals(a)), np.linalg.eig(a).eigenvalues.real,
                               np.abs(np.linalg.eig(a)[1])), F[:, :3]),
    "eig_complex": (lambda c: np.linalg.eig(c[:, :3]), C.astype(np.complex128)),
    "unwrap": (lambda x, i: (np.unwrap(x * 3), np.unwrap(x * 3, axis=0, discont=4.0),
                             np.unwrap(i, period=4), np.unwrap(x * 3, period=3.0)), F, I),
    "piecewise": (lambda x: (np.piecewise(x, [x < 0, x >= 0], [lambda v: -v, lambda v: v ** 2]),
                             np.piecewise(x, [x < -1, x > 1], [0.0, lambda v: v * 2, 7.0]),
                             np.piecewise(x[0], x[0] > 0, [np.sin, np.cos])), F),
    "piecewise_rows_of_conditions": (lambda x: np.piecewise(x, x > 0, [np.sin, np.cos]), F),
    "lexsort_sort_complex": (lambda i, x: (np.lexsort((i[0], i[1])), np.lexsort(i[:2], axis=0),
                                           np.sort_complex(i[0]), np.sort_complex(x[0])), I, F32),
    "sliding_window_view": (lambda v, x: (
        np.lib.stride_tricks.sliding_window_view(v, 3).mean(axis=-1),
        np.lib.stride_tricks.sliding_window_view(x, (2, 2)),
        np.lib.stride_tricks.sliding_window_view(x, 3, axis=1).max(axis=-1),
        np.lib.stride_tricks.sliding_window_view(x, (2, 3), axis=(1, 0))), V, F),
    "linalg_cond": (lambda s, x: (np.linalg.cond(s), np.linalg.cond(x, -2), np.linalg.cond(s, 2),
                                  np.linalg.cond(np.stack([s, s.T + 1]))), SPD, F),
    "histogram2d_dd": (lambda f, v: (
        np.histogram2d(f[:, 0], f[:, 1], bins=3, range=[[-2, 2], [-2, 2]]),
        np.histogram2d(v, v[::-1], bins=(2, 4), density=True),
        np.histogram2d(v, v ** 2, bins=2, weights=v + 3), np.histogramdd(f, bins=2)), F, V),
    "vectorize_in_function": (lambda v, i: (np.vectorize(lambda a: a * a + 1)(v),
                                            np.vectorize(lambda a, b: (a + b, a * b))(v, 2.0),
                                            np.vectorize(lambda a: 3)(i),
                                            np.vectorize(lambda a: a > 0, otypes=[float])(v)),
                              V, I),
    "data_dependent_of_constants": (lambda f: (
        f[np.nonzero(np.eye(3, dtype=bool)[:, 1])[0]], np.flatnonzero(np.arange(4) % 2) + f[0, 0],
        np.argwhere(np.eye(3) > 0) * f[0, 1], np.where(np.arange(4) > 1)[0] * f[1, 1],
        np.unique(np.array([3, 1, 2, 1]), return_counts=True)[1] * f[0, 1],
        np.bincount(np.array([0, 2, 2]), minlength=4) + f[0]), F),
    "interp_period": (lambda v, f: (np.interp(v * 5, [0, 1, 2], [0, 1, 0], period=3),
                                    np.interp(f[0], v[:4], f[1], period=-1.5),
                                    np.interp(v, [0.0], [2.0], period=1)), V, F),
    "r_c_with_traced_items": (lambda x, f: (np.r_[x[:2], 0.0, x[-2:]], np.r_[0, f[0]],
                                            np.r_[x, 1:4], np.c_[np.ones(len(x)), x, x ** 2],
                                            np.c_[f, f[:, :1]], np.r_[f, f[:1]]), V, F32),
    "fft_frequency_grid_indexed": (lambda v: np.fft.rfftfreq(v.size, d=0.5)[np.argmax(v)] +
                                   np.fft.fftfreq(6)[np.argmin(v)], V),
}


def _fill_diagonal(x):
    y, z, w = x.copy(), np.zeros((7, 3)), np.zeros((3, 3, 3))
    np.fill_diagonal(y, -1.0)
    np.fill_diagonal(z, x[0, :3], wrap=True)
    np.fill_diagonal(w, 2)
    return y, z, w


def _copyto(x):
    y, z = np.zeros_like(x), x.copy()
    np.copyto(y, x[0])
    np.copyto(y, 5.0, where=x > 0)
    np.putmask(z, z < 0, -1.0)
    return y, z


def _errstate(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(x) + 1 / (x - x)
    return y


@pytest.mark.parametrize("name", list(API_CASES))
def test_numpy_api_matches(name):
    fn, *args = API_CASES[name]
    check_like_numpy(fn, *args, rtol=1e-5)


@pytest.mark.parametrize("fn, op", [
    (lambda x, s: np.interp(x, s, s * s), "SEARCHSORTED"),
    (lambda x, s: np.isin(np.round(x), np.round(s)), "SEARCHSORTED"),
    (lambda x, s: np.correlate(x, s, "same"), "CORRELATE"),
    (lambda x, s: np.histogram(x, 40, range=(-2, 2))[0], "SCATTER")])
@pytest.mark.parametrize("n", [20, 50])
def test_long_searches_and_windows_are_one_library_step(fn, op, n):
    """Above 32 sorted values, taps or bins a search, correlation or histogram is one step
    whose work grows as NumPy's does, not one comparison or product per pair."""
    x, s = _R.standard_normal(300) * 2, np.sort(_R.standard_normal(n))
    graph = tracenp.jit(fn).graph(x, s)
    ops = {node.op.name for node in graph.nodes()}
    assert (op in ops) == (n > 32 or op == "SCATTER")
    assert_same(tracenp.jit(fn)(x, s), fn(x, s))


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("m", [1, 2, 5, 9])
def test_short_kernels_convolve_as_shifted_slices_with_numpys_ends(mode, m):
    """A short kernel's convolution of a long signal (a moving average) is a sum of shifted
    slices of it, one fused pass; "valid" is nothing more (it stacked every window, 7-100x
    NumPy's time). The ends keep NumPy's terms: inside the signal only, so an inf beside
    the edge makes no nan of a padding zero."""
    x, k = _R.standard_normal(200), _R.standard_normal(m)
    x[[1, 100, 198]] = np.inf, -np.inf, np.nan
    k[-1] = 0.0
    fn = lambda x, k: (np.convolve(x, k, mode), np.correlate(x, k, mode))  # noqa: E731
    assert_same(tracenp.jit(fn)(x, k), fn(x, k), rtol=1e-12)
    ops = {node.op.name for node in tracenp.jit(fn).graph(x, k).nodes()}
    assert ops.isdisjoint({"CONCAT", "PAD"}) or mode != "valid", ops


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8, np.int64, np.float16])
def test_histogram_edges_are_numpys_to_the_last_bit(dtype):
    """Equal-width edges are NumPy's `linspace` steps (`i * step + lo` in the endpoints' type,
    then the bin type): they were `lo + i / bins * delta`, a few ulps off in most cases. A
    traced range (`range=(x.min(), x.max())`) traces (it raised ConcretizationError)."""
    def fn(x):
        return (np.histogram(x, bins=7)[1], np.histogram(x, 7, range=(0.1, 9.7))[1],
                np.histogram(x, 7, range=(0, 10))[1], np.histogram(x[:1], 3)[1],
                np.histogram(x, 5, range=(x.min(), x.max() + 1)), np.histogram(x, 2, (x[0], x[0])))
    jf = tracenp.jit(fn)
    for seed in range(20):
        x = (np.random.default_rng(seed).random(9) * 10).astype(dtype)
        got, want = jf(x), fn(x)
        for g, w in zip(got[:4], want[:4]):
            assert g.dtype == w.dtype and np.array_equal(g, w)
        assert_same(got[4:], want[4:])


ROTATION = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 2.0]])


def test_eig_is_real_or_complex_as_numpys_for_each_call():
    """NumPy's dtype of eig depends on the values: a trace follows the call traced, and a
    call whose eigenvalues are of the other kind is traced again (`ResultTypeChanged`)."""
    for fn in (np.linalg.eigvals, lambda a: np.linalg.eig(a * 2.0)):
        f = tracenp.jit(fn)
        for a in (SPD, ROTATION, ROTATION, SPD):
            assert_same(f(a), fn(a), rtol=1e-12)
        assert len(f.cache_info().retraces) == 3
    grad = tracenp.grad(lambda a: np.linalg.eigvals(a).real.sum())  # no call to follow
    np.testing.assert_allclose(grad(SPD), np.eye(3), atol=1e-12)


def test_lstsq_residuals_of_a_rank_deficient_matrix_raise():
    """NumPy returns no residuals then: a shape the compiled function cannot have."""
    a = np.ones((5, 2))
    f = tracenp.jit(lambda a, b: np.linalg.lstsq(a, b)[1])
    full = np.c_[np.ones(5), np.arange(5.0)]
    np.testing.assert_allclose(f(full, V[:5]), np.linalg.lstsq(full, V[:5])[1])
    with pytest.raises(np.linalg.LinAlgError, match="rank-deficient"):
        f(a, V[:5])
    np.testing.assert_allclose(tracenp.jit(lambda a, b: np.linalg.lstsq(a, b)[0])(a, V[:5]),
                               np.linalg.lstsq(a, V[:5])[0])


def test_coverage_doc_lists_every_covered_name():
    from pathlib import Path

    from tracenp.numpy_api import covered, covered_ufuncs

    doc = (Path(__file__).parent.parent / "docs" / "numpy_coverage.md").read_text()
    names = [n.replace("numpy.", "", 1) for n in covered()] + covered_ufuncs()
    missing = [n for n in names if f"`{n}`" not in doc]
    assert not missing, f"regenerate docs/numpy_coverage.md; missing: {missing}"


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "complex64", "int8", "bool"])
@pytest.mark.parametrize("exponent", [2, 0.5, -1, 1, 3, 2.0])
def test_power_operator_takes_numpys_fast_paths(dtype, exponent):
    """`x ** 0.5` is np.sqrt in NumPy, not np.power: they differ at the edges."""
    if dtype in ("int8", "bool") and exponent in (0.5, -1):
        return
    vals = {"int8": [3, -2, 0], "bool": [True, False]}.get(
        dtype, [-np.inf, 2.0, 0.0, -0.0, np.nan, -3.5])
    x = np.array(vals, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            want = x ** exponent
            got = tracenp.jit(lambda x: x ** exponent)(x)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_where_keeps_python_scalars_weak():
    """np.where(c, float32, 2.0) is float32 and np.where(c, uint8, -1) wraps, as in NumPy 2."""
    c = np.array([True, False, True])
    for a, b in [(np.arange(3, dtype=np.float32), 2.0), (np.arange(3, dtype=np.uint8), -1),
                 (np.arange(3, dtype=np.int8), 3), (np.arange(3, dtype=np.int32), 2.5)]:
        check_like_numpy(lambda c, a: np.where(c, a, b), c, a)
        check_like_numpy(lambda c, a: np.where(c, b, a), c, a)


@pytest.mark.parametrize("bins", [[0.0, 1.0, 2.0, np.nan], [np.nan, 2.0, 1.0, 0.0], [1.0, 1.0, 3.0],
                                  [3.0, 3.0, 1.0], [2.0, 2.0], [np.nan], [0.0, 2.0, 1.0]])
def test_digitize_into_traced_bins_takes_numpys_direction(bins):
    """Bins passed in, sorted by `np.sort` (a nan last): NumPy's monotonicity check reads the
    direction from the first bin that differs from the first one; the last bin chose it
    before, so a nan there gave the decreasing answer, silently. Bins that go both ways raise
    NumPy's `ValueError` when the function runs."""
    v = np.array([np.nan, 1.0, 5.0, -1.0, 0.0, 2.0, 3.0])
    for right in (False, True):
        check_like_numpy(lambda v, b: np.digitize(v, b, right=right), v, np.array(bins))


@pytest.mark.parametrize("fn", [lambda x, q: np.percentile(x, 150),
                                lambda x, q: np.nanpercentile(x, [50, 150]),
                                lambda x, q: np.percentile(x, q),
                                lambda x, q: np.nanpercentile(x, q, axis=0),
                                lambda x, q: np.quantile(x, q / 100)])
def test_quantile_range_errors_are_numpys(fn):
    """A percentile outside [0, 100] raises NumPy's message, not a quantile's; a traced `q`
    raises it when the function runs."""
    x, q = np.arange(3.0), np.array([50.0, 101.0])
    with pytest.raises(ValueError) as want:
        fn(x, q)
    with pytest.raises(ValueError) as got:
        tracenp.jit(fn)(x, q)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("fn", [np.quantile, np.nanquantile, np.percentile, np.nanpercentile])
@pytest.mark.parametrize("q", [np.nan, np.array(np.nan), np.array([0.5, np.nan]),
                               np.r_[np.linspace(0, 1, 10), np.nan], np.full((2, 6), np.nan)],
                         ids=["python", "0-d", "short", "long", "2-d"])
def test_a_nan_q_raises_as_numpy(fn, q):
    """NumPy 2.4's `_quantile_is_valid` rejects a NaN `q` at any length (its elementwise test
    below 10 quantiles, `q.min() >= 0` above): the range check missed NaN, so a traced `q`
    gave NaN (or an out-of-bounds gather in the nan-functions) where NumPy raises."""
    x = np.arange(10.0)
    scale = 100 if "percentile" in fn.__name__ else 1
    with pytest.raises(ValueError) as want:
        fn(x, q * scale)
    with pytest.raises(ValueError) as got:
        tracenp.jit(lambda x, q: fn(x, q))(x, q * scale)
    assert str(got.value) == str(want.value)


_SPECIAL_EDGES = np.array([0.0, -1.0, -2.5, 0.5, 1e-300, 171.7, 1e308, np.inf, -np.inf, np.nan,
                           3.0, 2.0, 1.0, -0.5, 7.3, -6.2, 27.0, 1.9998])


@pytest.mark.parametrize("name, args", [
    ("gammaln", (_SPECIAL_EDGES,)), ("erf", (_SPECIAL_EDGES,)), ("erfc", (_SPECIAL_EDGES,)),
    ("ndtr", (_SPECIAL_EDGES,)), ("expit", (_SPECIAL_EDGES,)),
    ("logit", (np.array([0.0, 0.25, 0.5, 1.0, 2.0, np.nan]),)),
    ("xlogy", (np.array([0.0, 0.0, 1.0, 2.0, 0.0, 3.0]), np.array([0.0, np.nan, 2.0, 0.0, 5.0,
                                                                    np.inf]))),
    ("gammaln", (_SPECIAL_EDGES[_SPECIAL_EDGES != 1e308].astype(np.float32),)),
    ("erf", (_SPECIAL_EDGES[_SPECIAL_EDGES != 1e308].astype(np.float32),)),
    ("gamma", (np.r_[_SPECIAL_EDGES, -0.0],)), ("loggamma", (np.r_[_SPECIAL_EDGES, -0.0],)),
    ("log_ndtr", (np.r_[_SPECIAL_EDGES, -25.0, -40.0, 10.0],)),
    ("i0e", (np.r_[_SPECIAL_EDGES, 100.0, -1000.0],)),
    ("ndtri", (np.array([0.0, 1e-300, 1e-20, 0.02, 0.02425, 0.3, 0.5, 0.975, 1 - 1e-16, 1.0,
                         2.0, -1.0, np.nan]),)),
    ("betaln", (np.array([1, 2.5, 100, 1e5, 1e308, 3.0, 1e7, 0.5, 1e-3]),
                np.array([1, 3.5, 200, 1e5, 8.0, 1e9, 1e7, 1e12, 5.0]))),
    ("xlog1py", (np.array([0, 0, 1, 2.0, np.nan, 0]), np.array([-1, np.nan, 0.5, -1.0, 1, -2]))),
    ("entr", (np.array([0, 1, 0.5, -1, np.nan, np.inf]),)),
    ("rel_entr", (np.array([0, 0, 1, 1, -1.0, 2, np.nan, 0]),
                  np.array([0, 1, 0, -1, 1, 3.0, 1, np.nan]))),
    ("kl_div", (np.array([0, 0, 1, 1, -1.0, 2, np.nan, 0]),
                np.array([0, 1, 0, -1, 1, 3.0, 1, np.nan])))])
def test_scipy_special_ufuncs_compose_as_scipy_computes_them(name, args):
    """The scipy.special functions NumPy ports of autograd's and JAX's examples call (a
    negative binomial's `gammaln`, a probit's `ndtr`): SciPy's values and loop dtype; their
    gradients are those of the composition."""
    special = pytest.importorskip("scipy.special")
    fn = getattr(special, name)
    with np.errstate(all="ignore"):
        want = fn(*args)
        got = tracenp.jit(fn)(*args)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6 if want.dtype == np.float32 else 1e-11,
                               atol=1e-300)  # erfc(27.0): SciPy's underflows to 0
    derivative = {"gammaln": special.digamma,
                  "erf": lambda x: 2 / np.sqrt(np.pi) * np.exp(-x * x),
                  "ndtr": lambda x: np.exp(-x * x / 2) / np.sqrt(2 * np.pi),
                  "log_ndtr": lambda x: np.exp(-x * x / 2 - special.log_ndtr(x)) / np.sqrt(
                      2 * np.pi),
                  "gamma": lambda x: special.gamma(x) * special.digamma(x)}.get(name)
    if derivative is not None and want.dtype == np.float64:
        x = np.array([0.7, 2.5, 4.1, -1.3])
        np.testing.assert_allclose(tracenp.grad(lambda v: np.sum(fn(v)))(x), derivative(x),
                                   rtol=1e-9)
