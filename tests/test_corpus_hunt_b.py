"""Corpus, hunt B: molecular dynamics (Lennard-Jones energies and forces by pairwise
displacements, the minimum-image convention, velocity Verlet, radial distribution histograms),
epidemiology (SIR and SEIR steps, age-structured contact matrices, R0 as a spectral radius),
economics (Gini, Lorenz curves, amortization, Herfindahl, deflated series), ranking (Elo loops,
ranks by double argsort, Bradley-Terry, league tables by `np.lexsort`, Massey ratings), Markov
chains (power iteration, `np.linalg.eig`, absorbing chains, hitting times), computational
geometry (ray-casting point in polygon, shoelace areas and centroids, orientation by
`np.cross`, boxes and IoU), and the dtypes people hit (`datetime64`/`timedelta64` arithmetic,
structured arrays, `np.char`), written the way public code in those fields writes them; and the
NumPy forms earlier hunts found tracenp refusing or raising another exception for: every
`ufunc.at`, gufunc `axes=`/`axis=`/`keepdims=`, `np.put_along_axis` index shapes, a reshape by
`-2`, and `x[:, mask] op= v`.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape and
once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype, and
in the arguments it writes in place. Forms that cannot be traced raise a named error and run
eagerly under `fallback=True`; calls NumPy rejects raise NumPy's exception type under `jit`.
"""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_ops import assert_same

# ----------------------------------------------------------------------------- ufunc.at


def _at_of_constant_indices(ufunc, idx, *b):
    def fn(a, *b):
        ufunc.at(a, idx, *b)
        return a

    return fn


def _at_of_traced_indices(ufunc):
    def fn(a, idx, *b):
        ufunc.at(a, idx, *b)
        return a

    return fn


AT_CASES = {
    "multiply_repeated": (np.multiply, lambda s, n: _f(n, seed=s), [0, 0, 2, 0], (3.0,)),
    "multiply_values": (np.multiply, lambda s, n: _f(n, seed=s), [1, 3, 1],
                        (np.array([2.0, -1.5, 0.5]),)),
    "negative_repeated": (np.negative, lambda s, n: _f(n, seed=s), [0, 0, 2, 2, 2, 1], ()),
    "absolute": (np.absolute, lambda s, n: _f(n, seed=s), [0, 0, 3], ()),
    "sqrt_repeated": (np.sqrt, lambda s, n: _f(n, seed=s, positive=True) * 16, [0, 0, 1], ()),
    "square_repeated": (np.square, lambda s, n: _f(n, seed=s), [1, 1, 1, 3], ()),
    "divide_repeated": (np.divide, lambda s, n: _f(n, seed=s), [2, 0, 2], (4.0,)),
    "power_of_ints": (np.power, lambda s, n: _i(4, n, seed=s), [1, 1, 2], (2,)),
    "left_shift_of_ints": (np.left_shift, lambda s, n: _i(8, n, seed=s), [1, 1, 2], (2,)),
    "int8_times_300": (np.multiply, lambda s, n: _i(5, n, seed=s).astype(np.int8), [0, 0], (300,)),
    "int_times_float": (np.multiply, lambda s, n: _i(9, n, seed=s), [0, 0, 0, 1], (1.5,)),
    "add_float_into_ints": (np.add, lambda s, n: _i(9, n, seed=s), [0, 0, 1], (-2.5,)),
    "arctan2": (np.arctan2, lambda s, n: _f(n, seed=s), [0, 0, 1, 3], (2.0,)),
    "bitwise_or": (np.bitwise_or, lambda s, n: _i(16, n, seed=s), [0, 0, 1, 3],
                   (np.array([1, 2, 4, 8]),)),
    "fmax_nan": (np.fmax, lambda s, n: _f(n, seed=s), [0, 0, 1, 3],
                 (np.array([np.nan, 7.0, 0.0, 1.0]),)),
    "logical_and_of_floats": (np.logical_and, lambda s, n: _f(n, seed=s), [0, 0], (0.5,)),
    "rows_and_columns": (np.multiply, lambda s, n: _i(5, n, 3, seed=s) + 1,
                         (np.array([0, 0, 3]), np.array([1, 1, 2])), (np.array([2, 3, 5]),)),
    "columns_of_rows": (np.multiply, lambda s, n: _f(3, n, seed=s), (slice(None), [0, 0]),
                        (np.array([[2.0, 3.0]]),)),
    "int_index": (np.multiply, lambda s, n: _f(2, n, seed=s), 1, (2.0,)),
    "slices_only": (np.multiply, lambda s, n: _f(2, n, seed=s), (slice(None), slice(1, None)),
                    (2.0,)),
}


@pytest.mark.parametrize("name", list(AT_CASES))
def test_ufunc_at_with_indices_known_while_tracing(name):
    """Every ufunc's `at` (it was refused but for add, subtract, maximum and minimum): an
    element indexed k times is updated k times, each result cast back into the array as it
    goes (`int8 * 300` wraps, `ints * 1.5` truncates after every update)."""
    ufunc, make, idx, b = AT_CASES[name]
    check_like_numpy(_at_of_constant_indices(ufunc, idx), {}, lambda s, n: (make(s, n), *b))


TRACED_AT = ["multiply_repeated", "multiply_values", "negative_repeated", "absolute",
             "bitwise_or", "fmax_nan", "rows_and_columns", "int8_times_300"]


@pytest.mark.parametrize("name", TRACED_AT)
def test_ufunc_at_with_traced_indices(name):
    """Traced indices: an associative ufunc combines each element's updates in NumPy's order,
    an involution or idempotent unary ufunc applies by its count."""
    ufunc, make, idx, b = AT_CASES[name]
    idx = tuple(np.asarray(k) for k in idx) if isinstance(idx, tuple) else np.asarray(idx)
    check_like_numpy(_at_of_traced_indices(ufunc), {}, lambda s, n: (make(s, n), idx, *b))


def test_ufunc_at_with_traced_indices_and_data_labels():
    """A groupby product, `np.multiply.at(out, labels, x)`, with labels from the data."""
    def group_products(labels, x):
        out = np.ones(4)
        np.multiply.at(out, labels, x)
        return out

    check_like_numpy(group_products, {}, lambda s, n: (_i(4, 3 * n, seed=s),
                                                       _f(3 * n, seed=s, positive=True)))


@pytest.mark.parametrize("name", ["divide_repeated", "sqrt_repeated", "int_times_float",
                                  "arctan2", "power_of_ints", "add_float_into_ints"])
def test_ufunc_at_whose_updates_go_in_turn_with_few_traced_indices(name):
    """Traced indices of a ufunc whose repeated updates do not combine (`np.divide.at`), or
    whose loop casts each update back (`ints * 1.5`): one update at a time, in NumPy's order,
    for up to `SEQUENTIAL_AT_LIMIT` indices (they were refused)."""
    ufunc, make, idx, b = AT_CASES[name]
    check_like_numpy(_at_of_traced_indices(ufunc), {},
                     lambda s, n: (make(s, n), np.asarray(idx), *b))


@pytest.mark.parametrize("name", ["divide_repeated", "sqrt_repeated", "int_times_float"])
def test_ufunc_at_whose_updates_go_in_turn_is_refused_with_many_traced_indices(name):
    """Beyond `SEQUENTIAL_AT_LIMIT` traced indices such a form is refused by name, and runs
    NumPy's under fallback."""
    ufunc, make, idx, b = AT_CASES[name]
    check_refused(tracenp.errors.UnsupportedFunctionError, _at_of_traced_indices(ufunc),
                  lambda s: (make(s, 5), np.tile(np.asarray(idx), 30), *b))


def test_gradient_of_multiply_at_and_divide_at():
    """The updates compose gathers, ufuncs and scatters, so their gradients are the ops'."""
    def loss(a, b):
        a = a * 1.0
        np.multiply.at(a, [0, 0, 2], b)
        np.divide.at(a, [1, 1], 4.0)
        return (a ** 2).sum()

    a, b = _f(4, seed=1), _f(3, seed=2)
    ga, gb = tracenp.jit(tracenp.grad(loss, argnums=(0, 1)))(a, b)
    eps = 1e-6
    fd_a = [(loss(a + eps * e, b) - loss(a - eps * e, b)) / (2 * eps) for e in np.eye(4)]
    fd_b = [(loss(a, b + eps * e) - loss(a, b - eps * e)) / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(ga, fd_a, rtol=1e-5)
    np.testing.assert_allclose(gb, fd_b, rtol=1e-5)


@pytest.mark.parametrize("fn", [
    lambda a: np.negative.at(a, [0], 2.0),
    lambda a: np.multiply.at(a, [0]),
    lambda a: np.divmod.at(a, [0], 2.0),
    lambda a: np.multiply.at(a, [0, 9], 2.0),
    lambda a: np.multiply.at(a, [0], np.ones(3)),
], ids=["unary_with_b", "binary_without_b", "two_outputs", "out_of_bounds", "b_too_long"])
def test_ufunc_at_errors_are_numpys(fn):
    a = _f(4, seed=1)
    with pytest.raises(Exception) as want:
        fn(a.copy())
    with pytest.raises(type(want.value)):
        tracenp.jit(fn)(a.copy())


# ----------------------------------------------------------------------------- gufunc axes


def matmul_axes_first(a, b):
    return np.matmul(a, b, axes=[(0, 1), (0, 1), (0, 1)])


def matmul_axes_inputs_swapped(a, b):
    return np.matmul(a, b, axes=[(-3, -2), (1, 0), (2, 0)])


def vecdot_axis_keepdims(u, v):
    return np.vecdot(u, v, axis=0), np.vecdot(u, v, axis=0, keepdims=True), \
        np.vecdot(u, v, axes=[0, 0], keepdims=True)


def matvec_axes(m, x):
    return np.matvec(m, x, axes=[(0, 2), 1, 0])


def matmul_axes_out(a, b):
    out = np.empty((a.shape[2], b.shape[1], a.shape[0]))
    np.matmul(a, b, axes=[(2, 1), (0, 1), (0, 1)], out=out)
    return out


AXES = {
    "matmul_axes_first": (matmul_axes_first, {}, lambda s, n: (_f(3, 4, n, seed=s),
                                                                _f(4, 5, n, seed=s + 1))),
    "matmul_axes_inputs_swapped": (matmul_axes_inputs_swapped, {},
                                   lambda s, n: (_f(3, 4, n, seed=s), _f(5, 4, n, seed=s + 1))),
    "vecdot_axis_keepdims": (vecdot_axis_keepdims, {}, lambda s, n: (_f(3, n, seed=s),
                                                                      _f(3, n, seed=s + 1))),
    "matvec_axes": (matvec_axes, {}, lambda s, n: (_f(4, n, 5, seed=s), _f(n, 5, seed=s + 1))),
    "matmul_axes_out": (matmul_axes_out, {}, lambda s, n: (_f(n, 4, 3, seed=s),
                                                            _f(4, 5, n, seed=s + 1))),
}


@pytest.mark.parametrize("name", list(AXES))
def test_gufunc_axes_match_numpy(name):
    """`axes=`, `axis=` and `keepdims=` of matmul, vecdot and matvec (they were refused)."""
    check_like_numpy(*AXES[name])


AXES_ERRORS = [
    ("outputs_omitted", lambda a, b, v: np.matmul(a, b, axes=[(0, 1), (0, 1)]), ValueError),
    ("too_few_output_axes", lambda a, b, v: np.matmul(a, b, axes=[(0, 1), (0, 1), (0,)]),
     np.exceptions.AxisError),
    ("axis_out_of_bounds", lambda a, b, v: np.matmul(a, b, axes=[(0, 1), (0, 1), (0, 5)]),
     np.exceptions.AxisError),
    ("repeated_axis", lambda a, b, v: np.matmul(a, b, axes=[(0, 1), (0, 1), (0, 0)]),
     ValueError),
    ("core_mismatch", lambda a, b, v: np.matmul(a, b, axes=[(0, 1), (1, 0), (0, 1)]),
     ValueError),
    ("axis_of_matmul", lambda a, b, v: np.matmul(a, b, axis=0), TypeError),
    ("keepdims_of_matmul", lambda a, b, v: np.matmul(a, b, keepdims=True), TypeError),
    ("axes_a_tuple", lambda a, b, v: np.matmul(a, b, axes=((0, 1), (0, 1), (0, 1))), TypeError),
    ("item_a_list", lambda a, b, v: np.matmul(a, b, axes=[[0, 1], [0, 1], [0, 1]]), TypeError),
    ("axis_and_axes", lambda a, b, v: np.vecdot(v, v, axis=0, axes=[0, 0]), TypeError),
    ("int_for_no_core", lambda a, b, v: np.matmul(v[0], v[0], axes=[0, 0, 0]),
     np.exceptions.AxisError),
]


@pytest.mark.parametrize("fn, error", [(f, e) for _, f, e in AXES_ERRORS],
                         ids=[n for n, _, _ in AXES_ERRORS])
def test_gufunc_axes_errors_are_numpys(fn, error):
    args = (_f(3, 4, 2, seed=1), _f(4, 5, 2, seed=2), _f(3, 4, seed=3))
    with pytest.raises(error) as want:
        fn(*args)
    with pytest.raises(error) as got:
        tracenp.jit(fn)(*args)
    assert str(got.value) == str(want.value)


# ----------------------------------------------------------------------------- put_along_axis


def put_along_axis_mismatch(x, i):
    np.put_along_axis(x, i, 1.0, axis=1)
    return x


def take_along_axis_mismatch(x, i):
    return np.take_along_axis(x, i, axis=1)


def put_along_axis_axis_out_of_range(x, i):
    np.put_along_axis(x, i, 1.0, axis=5)
    return x


def put_along_axis_values_too_long(x, i):
    np.put_along_axis(x, i, np.ones(5), axis=1)
    return x


def put_along_axis_float_indices(x, i):
    np.put_along_axis(x, i.astype(float), 1.0, axis=1)
    return x


@pytest.mark.parametrize("fn, idx_shape, error", [
    (put_along_axis_mismatch, (4, 2), IndexError),
    (take_along_axis_mismatch, (4, 2), IndexError),
    (put_along_axis_axis_out_of_range, (3, 2), np.exceptions.AxisError),
    (put_along_axis_values_too_long, (3, 2), ValueError),
    (put_along_axis_float_indices, (3, 2), IndexError),
])
def test_along_axis_errors_are_numpys(fn, idx_shape, error):
    """Index shapes that do not broadcast raised ValueError (NumPy: IndexError), and an axis
    out of range was wrapped by `put_along_axis` (NumPy: AxisError)."""
    x, i = _f(3, 4, seed=1), np.zeros(idx_shape, dtype=np.int64)
    with pytest.raises(error) as want:
        fn(x.copy(), i)
    with pytest.raises(error) as got:
        tracenp.jit(fn)(x.copy(), i)
    assert str(got.value) == str(want.value)


def put_along_axis_broadcast_index(x, i, v):
    np.put_along_axis(x, i, v, axis=1)
    return x


def test_put_along_axis_that_broadcasts_matches_numpy():
    check_like_numpy(put_along_axis_broadcast_index, {},
                     lambda s, n: (_f(n, 4, seed=s), _i(4, 1, 2, seed=s), _f(1, n, 2, seed=s)))


# ----------------------------------------------------------------------------- reshape(-2, ...)


def reshape_negative_two(x):
    return x.reshape(-2, 6), np.reshape(x, (3, -7)), x.reshape(-100)


def test_reshape_takes_any_negative_size_as_unknown():
    """NumPy 2.4 reads every negative size as the unknown one (`-2` too); tracenp raised."""
    check_like_numpy(reshape_negative_two, {}, lambda s, n: (_f(n * 6, seed=s),))


@pytest.mark.parametrize("shape", [(-2, 5), (-1, -2), (5, -7, 2), (7,), (0, -1), (-3, 0)])
def test_reshape_errors_are_numpys(shape):
    x = np.arange(12.0)
    with pytest.raises(ValueError) as want:
        x.reshape(shape)
    with pytest.raises(ValueError, match=f"^{want.value}$".replace("(", r"\(").replace(")", r"\)")):
        tracenp.jit(lambda a: a.reshape(shape))(x)


# ----------------------------------------------------------------------------- x[:, mask] op= v


def columns_incremented(x, m):
    x[:, m] += 1
    return x


def columns_scaled_by_selected_weights(x, m, w):
    x[:, m] *= w[m]
    return x


def selected_columns_centered(X, keep):
    X[:, keep] -= X[:, keep].mean(axis=0)
    return X


def selected_columns_normalized(x, m):
    x[:, m] /= x[:, m].sum(axis=1, keepdims=True)
    return x


def selected_columns_of_3d(x, m):
    x[..., m] *= 2
    x[:, :, m] = np.sqrt(np.abs(x[:, :, m]))
    return x, x[:, :, m].sum(), np.max(x[..., m])


def selected_int_columns_halved(x, m):
    x[:, m] //= 2
    x[1:, m] -= 1
    return x


def selected_columns_with_column_vector(x, m):
    x[:, m] += np.arange(x.shape[0])[:, None]
    x[:, m] = np.where(x[:, m] > 1.0, 1.0, x[:, m])
    return x


MASKED_COLUMNS = {
    "columns_incremented": (columns_incremented, {},
                            lambda s, n: (_f(3, n, seed=s), _i(2, n, seed=s).astype(bool))),
    "columns_scaled_by_selected_weights": (
        columns_scaled_by_selected_weights, {},
        lambda s, n: (_f(3, n, seed=s), _i(2, n, seed=s).astype(bool), _f(n, seed=s + 1))),
    "selected_columns_centered": (selected_columns_centered, {},
                                  lambda s, n: (_f(5, n, seed=s), _f(n, seed=s) > 0)),
    "selected_columns_normalized": (selected_columns_normalized, {},
                                    lambda s, n: (_f(3, n, seed=s, positive=True),
                                                  _f(n, seed=s) > -0.5)),
    "selected_columns_of_3d": (selected_columns_of_3d, {},
                               lambda s, n: (_f(2, 3, n, seed=s), _f(n, seed=s) > 0)),
    "selected_int_columns_halved": (selected_int_columns_halved, {},
                                    lambda s, n: (_i(50, 3, n, seed=s), _f(n, seed=s) > 0)),
    "selected_columns_with_column_vector": (selected_columns_with_column_vector, {},
                                            lambda s, n: (_f(3, n, seed=s), _f(n, seed=s) > 0)),
}


@pytest.mark.parametrize("name", list(MASKED_COLUMNS))
def test_augmented_assignment_through_a_mask_on_a_later_axis(name):
    """`x[:, m] op= v` with a traced mask (it was refused): a selection along that axis, and
    the same with the mask known while tracing."""
    fn, static, make = MASKED_COLUMNS[name]
    check_like_numpy(fn, static, make)
    check_like_numpy(lambda *a: fn(a[0], make(1, 4)[1], *a[1:]), {},
                     lambda s, n: (make(s, 4)[0],) + make(s, 4)[2:])


def columns_scaled_by_all_weights(x, m, w):
    x[:, m] *= w
    return x


def test_mask_column_operand_along_the_selected_axis_is_refused():
    """`x[:, m] *= w` with `w` of x's full width: NumPy's answer depends on how many columns
    the mask selects (it raises unless that count broadcasts), so it is refused by name."""
    check_refused(tracenp.errors.DataDependentShapeError, columns_scaled_by_all_weights,
                  lambda s: (_f(3, 4, seed=s), np.array([True, True, True, True]),
                             np.array([1.0, 1.0, 1.0, 1.0]) * s))


# ----------------------------------------------------------------------------- structured arrays,
# datetimes and strings


def records_sorted_by_field(rec):
    return np.sort(rec, order="y"), np.argsort(rec, order=["y", "x"])


def records_sorted_in_place_by_field(rec):
    rec.sort(order="y")
    return rec


def records_partitioned_by_field(rec):
    return np.partition(rec, 1, order="y")


def records_compared(rec):
    return rec == rec[::-1], rec != rec[0]


def records_searched(rec):
    return np.searchsorted(np.sort(rec), rec)


def weekday_by_view(dates):
    return (dates.astype("datetime64[D]").view("int64") - 4) % 7


def char_upper(names):
    return np.char.upper(names)


def char_lengths(names):
    return np.char.str_len(names), np.char.startswith(names, "a")


def _records(s):
    r = np.random.default_rng(s)
    rec = np.zeros(6, dtype=[("x", "f8"), ("y", "i4")])
    rec["x"], rec["y"] = r.standard_normal(6), r.integers(0, 3, 6)
    return rec


def _dates(s):
    return np.datetime64("2024-01-01") + np.random.default_rng(s).integers(0, 400, 5)


def _names(s):
    return np.array(["ab", "ba", "aa", "c", "abc"])[np.random.default_rng(s).permutation(5)]


DTYPE_REFUSED = {
    "records_partitioned_by_field": (tracenp.errors.UnsupportedFunctionError,
                                     records_partitioned_by_field, lambda s: (_records(s),)),
    "records_searched": (tracenp.errors.UnsupportedFunctionError, records_searched,
                         lambda s: (_records(s),)),
    "char_upper": (tracenp.errors.UnsupportedFunctionError, char_upper, lambda s: (_names(s),)),
    "char_lengths": (tracenp.errors.UnsupportedFunctionError, char_lengths,
                     lambda s: (_names(s),)),
}


# refused until they traced (stop 38): NumPy's values now
TRACED_NOW = {
    "records_sorted_by_field": (records_sorted_by_field, {}, lambda s, n: (_records(s),)),
    "records_sorted_in_place_by_field": (records_sorted_in_place_by_field, {},
                                         lambda s, n: (_records(s),)),
    "records_compared": (records_compared, {}, lambda s, n: (_records(s),)),
}


@pytest.mark.parametrize("name", list(TRACED_NOW))
def test_forms_once_refused_now_trace(name):
    """Forms refused until tracenp traced them: NumPy's values now."""
    check_like_numpy(*TRACED_NOW[name])


@pytest.mark.parametrize("name", list(DTYPE_REFUSED))
def test_dtype_forms_refused_by_name_run_under_fallback(name):
    """Sorting records by a field (`np.sort(rec, order="y")` ignored the order and returned
    the records sorted whole, silently), comparing or searching records (NumPy's
    `UFuncTypeError`, also under `fallback=True`), and string functions: refused by name."""
    check_refused(*DTYPE_REFUSED[name])


@pytest.mark.parametrize("fn", [
    lambda a: np.sort(a, order="y"), lambda a: np.argsort(a, order="y"),
    lambda a: np.partition(a, 1, order="y"), lambda a: a.sort(order="y"),
])
def test_sort_order_of_an_array_without_fields_is_numpys_error(fn):
    with pytest.raises(ValueError, match="Cannot specify order"):
        fn(_f(4, seed=1))
    with pytest.raises(ValueError, match="Cannot specify order"):
        tracenp.jit(fn)(_f(4, seed=1))


def days_between(start, end):
    return (end - start).astype("timedelta64[D]").astype(int)


def deadlines(dates, n_days):
    return dates + np.timedelta64(1, "D") * n_days, dates + np.arange(dates.size) * \
        np.timedelta64(7, "D")


def weekday_by_difference(dates):
    return ((dates - np.datetime64("1970-01-05")) // np.timedelta64(1, "D")) % 7


def month_numbers(dates):
    return dates.astype("datetime64[M]").astype(int) % 12 + 1


def durations_in_hours(td):
    return td / np.timedelta64(1, "h"), td.sum(), td.mean(), td.max()


def nat_filled_and_sorted(dates):
    filled = np.where(np.isnat(dates), np.datetime64("2000-01-01"), dates)
    return filled, np.sort(dates), np.argsort(dates, kind="stable"), dates > filled[0]


def _nat_dates(s):
    d = _dates(s)
    d[1] = np.datetime64("NaT")
    return d


DTYPES = {
    "days_between": (days_between, {}, lambda s, n: (_dates(s), _dates(s + 10))),
    "deadlines": (deadlines, {}, lambda s, n: (_dates(s), _i(30, 5, seed=s))),
    "weekday_by_difference": (weekday_by_difference, {}, lambda s, n: (_dates(s),)),
    "weekday_by_view": (weekday_by_view, {}, lambda s, n: (_dates(s),)),
    "month_numbers": (month_numbers, {}, lambda s, n: (_dates(s),)),
    "durations_in_hours": (durations_in_hours, {},
                           lambda s, n: (_i(500, n, seed=s).astype("timedelta64[m]"),)),
    "nat_filled_and_sorted": (nat_filled_and_sorted, {}, lambda s, n: (_nat_dates(s),)),
}


@pytest.mark.parametrize("name", list(DTYPES))
def test_datetime_arithmetic_matches_numpy(name):
    check_like_numpy(*DTYPES[name])



# ----------------------------------------------------------------------------- molecular dynamics


def lj_energy_forces(pos, box, eps=1.0, sigma=1.0, rc=2.5):
    d = pos[:, None, :] - pos[None, :, :]
    d -= box * np.round(d / box)
    r2 = np.sum(d ** 2, axis=-1)
    np.fill_diagonal(r2, np.inf)
    mask = r2 < rc ** 2
    inv6 = np.where(mask, (sigma ** 2 / r2) ** 3, 0.0)
    energy = 0.5 * np.sum(4 * eps * (inv6 ** 2 - inv6))
    fmag = np.where(mask, 24 * eps * (2 * inv6 ** 2 - inv6) / r2, 0.0)
    forces = np.sum(fmag[:, :, None] * d, axis=1)
    return energy, forces


def lj_triu_energy(pos, box):
    i, j = np.triu_indices(pos.shape[0], k=1)
    rij = pos[i] - pos[j]
    rij = rij - box * np.round(rij / box)
    r = np.linalg.norm(rij, axis=1)
    sr6 = (1.0 / r) ** 6
    return np.sum(4.0 * (sr6 ** 2 - sr6))


def velocity_verlet(x, v, box, dt=0.001, steps=5):
    def forces(x):
        d = x[:, None, :] - x[None, :, :]
        d = d - box * np.rint(d / box)
        r2 = (d * d).sum(-1) + np.eye(x.shape[0])
        inv2 = 1.0 / r2
        inv6 = inv2 ** 3
        f = (48 * inv6 * inv6 - 24 * inv6) * inv2
        f[np.diag_indices(x.shape[0])] = 0.0
        return (f[..., None] * d).sum(axis=1)
    f = forces(x)
    for _ in range(steps):
        v = v + 0.5 * dt * f
        x = x + dt * v
        x = x % box
        f = forces(x)
        v += 0.5 * dt * f
    ke = 0.5 * np.sum(v ** 2)
    return x, v, ke


def radial_distribution(pos, box, nbins=10):
    n = len(pos)
    d = pos[:, np.newaxis] - pos[np.newaxis]
    d -= box * np.round(d / box)
    r = np.sqrt((d ** 2).sum(axis=2))[np.triu_indices(n, 1)]
    hist, edges = np.histogram(r, bins=nbins, range=(0.0, box / 2))
    rho = n / box ** 3
    shell = 4.0 / 3.0 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    g = hist / (shell * rho * n / 2)
    centers = 0.5 * (edges[1:] + edges[:-1])
    return centers, g


def center_of_mass_and_gyration(pos, masses):
    com = np.average(pos, axis=0, weights=masses)
    rg2 = np.sum(masses * np.sum((pos - com) ** 2, axis=1)) / masses.sum()
    inertia = np.einsum("i,ij,ik->jk", masses, pos - com, pos - com)
    return com, np.sqrt(rg2), np.linalg.eigvalsh(inertia)


def kinetic_temperature(v, m, kB=1.0):
    ke = 0.5 * np.sum(m[:, None] * v ** 2)
    dof = 3 * len(m) - 3
    return 2 * ke / (dof * kB)


def berendsen_rescale(v, T, T0=1.0, tau=0.1, dt=0.01):
    lam = np.sqrt(1 + dt / tau * (T0 / T - 1))
    v *= lam
    return v


def rdf_with_bins(dists, edges):
    h, _ = np.histogram(dists, bins=edges, density=True)
    cdf = np.cumsum(h * np.diff(edges))
    return h, cdf


def pair_list_cutoff_energy(pos, rc=1.5):
    diff = pos[:, None] - pos
    r = np.linalg.norm(diff, axis=-1)
    iu = np.triu_indices_from(r, k=1)
    rij = r[iu]
    e = np.where(rij < rc, 4 * (rij ** -12 - rij ** -6), 0.0)
    return e.sum(), np.count_nonzero(rij < rc)


def msd(traj):
    disp = traj - traj[0]
    return (disp ** 2).sum(axis=-1).mean(axis=-1)


def pbc_wrap_inplace(pos, box):
    pos -= box * np.floor(pos / box)
    return pos


def float32_md_step(x, v, f, dt):
    v += f * dt
    x += v * dt
    return x, v


# ----------------------------------------------------------------------------- epidemiology


def sir_euler(S0, I0, R0, beta, gamma, days=30, dt=1.0):
    S, I, R = S0, I0, R0
    N = S + I + R
    out = np.zeros((days, 3))
    for t in range(days):
        new_inf = beta * S * I / N * dt
        new_rec = gamma * I * dt
        S = S - new_inf
        I = I + new_inf - new_rec
        R = R + new_rec
        out[t] = S, I, R
    return out


def seir_rk4(y0, beta, sigma, gamma, steps=20, h=0.5):
    def f(y):
        S, E, I, R = y
        N = y.sum()
        return np.array([-beta * S * I / N, beta * S * I / N - sigma * E,
                         sigma * E - gamma * I, gamma * I])
    y = y0.copy()
    traj = [y]
    for _ in range(steps):
        k1 = f(y)
        k2 = f(y + h / 2 * k1)
        k3 = f(y + h / 2 * k2)
        k4 = f(y + h * k3)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        traj.append(y)
    return np.array(traj)


def age_structured_sir(S, I, R, C, beta, gamma, steps=10):
    for _ in range(steps):
        force = beta * C @ (I / (S + I + R))
        new_inf = force * S
        new_rec = gamma * I
        S, I, R = S - new_inf, I + new_inf - new_rec, R + new_rec
    return S, I, R


def next_generation_r0(C, beta, gamma, pop):
    K = beta / gamma * C * (pop[:, None] / pop[None, :])
    ev = np.linalg.eigvals(K)
    return np.abs(ev).max()


def doubling_time(cases):
    growth = np.diff(np.log(cases))
    r = growth.mean()
    return np.log(2) / r, np.exp(np.cumsum(np.r_[0, growth]))


def renewal_rt(incidence, si):
    n = len(incidence)
    lam = np.convolve(incidence, si)[:n]
    lam = np.r_[np.nan, lam[:-1]]
    with np.errstate(divide="ignore", invalid="ignore"):
        rt = incidence / lam
    window = 3
    kernel = np.ones(window) / window
    return rt, np.convolve(np.nan_to_num(rt), kernel, mode="same")


def stochastic_sir(S0, I0, beta, gamma, steps=10, seed=0):
    rng = np.random.default_rng(seed)
    S, I, R = S0, I0, 0
    N = S0 + I0
    hist = []
    for _ in range(steps):
        p_inf = 1 - np.exp(-beta * I / N)
        new_i = rng.binomial(S, p_inf)
        new_r = rng.binomial(I, 1 - np.exp(-gamma))
        S, I, R = S - new_i, I + new_i - new_r, R + new_r
        hist.append((S, I, R))
    return np.array(hist)


def contact_eigen_r0(C, beta, gamma):
    w = np.linalg.eigvals(beta * C / gamma)
    return np.max(np.abs(w)), np.max(w.real)


def seir_vectorized(y, params, days=15):
    beta, sigma, gamma = params
    out = np.empty((days + 1, 4))
    out[0] = y
    for t in range(days):
        S, E, I, R = out[t]
        N = out[t].sum()
        dS = -beta * S * I / N
        dE = beta * S * I / N - sigma * E
        dI = sigma * E - gamma * I
        dR = gamma * I
        out[t + 1] = out[t] + np.array([dS, dE, dI, dR])
    return out, out[:, 2].argmax(), out[:, 2].max()


# ---------------------------------------------------------------------- economics and inequality


def gini(x):
    x = np.sort(x)
    n = x.shape[0]
    cum = np.cumsum(x)
    return (n + 1 - 2 * np.sum(cum) / cum[-1]) / n


def gini_mean_difference(x):
    return np.abs(np.subtract.outer(x, x)).mean() / (2 * x.mean())


def lorenz_curve(income):
    s = np.sort(income)
    lorenz = np.cumsum(s) / s.sum()
    lorenz = np.insert(lorenz, 0, 0)
    pop = np.linspace(0.0, 1.0, lorenz.size)
    area = np.trapezoid(lorenz, pop)
    return pop, lorenz, 1 - 2 * area


def amortization_schedule(principal, annual_rate, n):
    r = annual_rate / 12
    payment = principal * r * (1 + r) ** n / ((1 + r) ** n - 1)
    balance = np.empty(n + 1)
    balance[0] = principal
    interest = np.zeros(n)
    for k in range(n):
        interest[k] = balance[k] * r
        balance[k + 1] = balance[k] + interest[k] - payment
    return payment, interest, balance


def compound_growth(rates, p0):
    growth = np.cumprod(1 + rates)
    return p0 * growth, (growth[-1]) ** (1 / len(rates)) - 1


def herfindahl(sales):
    shares = sales / sales.sum(axis=-1, keepdims=True) * 100
    return (shares ** 2).sum(axis=-1)


def real_series(nominal, cpi, base=0):
    deflator = cpi / cpi[base]
    real = nominal / deflator
    inflation = np.diff(cpi) / cpi[:-1]
    return real, np.cumprod(1 + inflation), np.percentile(inflation, [25, 50, 75])


def npv_irr_grid(cashflows, rates):
    t = np.arange(cashflows.shape[-1])
    disc = (1 + rates[:, None]) ** -t
    npv = disc @ cashflows
    sign_change = np.diff(np.sign(npv)) != 0
    return npv, np.argmax(sign_change)


def theil_index(x):
    mu = x.mean()
    r = x / mu
    return np.mean(r * np.log(r)), np.mean(np.log(1 / r))


def atkinson_index(x, eps=0.5):
    mu = x.mean()
    if eps == 1:
        return 1 - np.exp(np.mean(np.log(x))) / mu
    return 1 - np.mean(x ** (1 - eps)) ** (1 / (1 - eps)) / mu


def income_quantile_shares(income):
    q = np.percentile(income, [10, 50, 90])
    top10 = income[income >= q[2]].sum() / income.sum()
    bottom50 = income[income <= q[1]].sum() / income.sum()
    return q, top10, bottom50, q[2] / q[0]


def annuity_values(payment, rate, n):
    t = np.arange(1, n + 1)
    disc = (1 + rate) ** -t.astype(float)
    pv = payment * disc.sum()
    fv = payment * ((1 + rate) ** n - 1) / rate
    return pv, fv, np.cumsum(payment * disc)


def cpi_rebase(index, base_slice=slice(0, 3)):
    return 100 * index / index[base_slice].mean(), np.log(index[1:] / index[:-1]) * 100


# ----------------------------------------------------------------------------- ranking and sports


def elo_updates(ratings, winners, losers, k=32.0):
    r = ratings.copy()
    for w, l in zip(winners, losers):
        ew = 1.0 / (1 + 10 ** ((r[l] - r[w]) / 400))
        r[w] += k * (1 - ew)
        r[l] -= k * (1 - ew)
    return r


def rankdata_ordinal(a):
    return np.argsort(np.argsort(a, kind="stable"), kind="stable") + 1


def rankdata_average(a):
    arr = np.ravel(np.asarray(a))
    sorter = np.argsort(arr, kind="mergesort")
    inv = np.empty(sorter.size, dtype=np.intp)
    inv[sorter] = np.arange(sorter.size, dtype=np.intp)
    arr = arr[sorter]
    obs = np.r_[True, arr[1:] != arr[:-1]]
    dense = obs.cumsum()[inv]
    count = np.r_[np.nonzero(obs)[0], len(obs)]
    return .5 * (count[dense] + count[dense - 1] + 1)


def dense_rank_unique(scores):
    uniq, inv = np.unique(-scores, return_inverse=True)
    return inv + 1, len(uniq)


def bradley_terry_probs(strength):
    s = np.exp(strength)
    P = s[:, None] / (s[:, None] + s[None, :])
    np.fill_diagonal(P, 0.5)
    expected_wins = P.sum(axis=1) - 0.5
    return P, expected_wins


def league_table(points, goal_diff, goals_for):
    order = np.lexsort((-goals_for, -goal_diff, -points))
    pos = np.empty_like(order)
    pos[order] = np.arange(1, len(order) + 1)
    return order, pos


def win_matrix_from_scores(home, away, hs, as_, n):
    W = np.zeros((n, n))
    np.add.at(W, (home, away), (hs > as_).astype(float))
    np.add.at(W, (away, home), (as_ > hs).astype(float))
    return W, W.sum(axis=1) / np.maximum(W + W.T, 1).sum(axis=1)


def massey_ratings(home, away, margin, n):
    m = len(home)
    X = np.zeros((m, n))
    X[np.arange(m), home] = 1
    X[np.arange(m), away] = -1
    M = X.T @ X
    p = X.T @ margin
    M[-1, :] = 1
    p[-1] = 0
    return np.linalg.solve(M, p)


def rankdata_dense(a):
    arr = np.ravel(np.asarray(a))
    sorter = np.argsort(arr, kind="mergesort")
    inv = np.empty(sorter.size, dtype=np.intp)
    inv[sorter] = np.arange(sorter.size, dtype=np.intp)
    arr = arr[sorter]
    obs = np.r_[True, arr[1:] != arr[:-1]]
    dense = obs.cumsum()[inv]
    return dense


def rank_min_by_searchsorted(a):
    s = np.sort(a)
    return np.searchsorted(s, a, side="left") + 1, np.searchsorted(s, a, side="right")


def elo_expected_matrix(r):
    diff = r[None, :] - r[:, None]
    E = 1 / (1 + 10 ** (diff / 400))
    np.fill_diagonal(E, 0)
    return E, E.sum(1)


def bincount_wins(winners, n):
    return np.bincount(winners, minlength=n), \
        np.bincount(winners, weights=np.ones(len(winners)) * 2, minlength=n)


def colley_ratings(wins, losses, games):
    n = len(wins)
    C = 2 * np.eye(n) + np.diag(games.sum(1)) - games
    b = 1 + (wins - losses) / 2
    return np.linalg.solve(C, b)


# ----------------------------------------------------------------------------- Markov chains


def stationary_power(P, iters=200):
    P = P / P.sum(axis=1, keepdims=True)
    pi = np.ones(P.shape[0]) / P.shape[0]
    for _ in range(iters):
        pi = pi @ P
    return pi


def stationary_eig(P):
    P = P / P.sum(axis=1)[:, np.newaxis]
    w, v = np.linalg.eig(P.T)
    idx = np.argmin(np.abs(w - 1))
    pi = np.real(v[:, idx])
    return pi / pi.sum()


def absorbing_chain(P, n_transient):
    Q = P[:n_transient, :n_transient]
    R = P[:n_transient, n_transient:]
    N = np.linalg.inv(np.eye(n_transient) - Q)
    t = N @ np.ones(n_transient)
    B = N @ R
    return N, t, B


def hitting_times(P, target):
    n = P.shape[0]
    others = np.arange(n) != target
    A = np.eye(n - 1) - P[np.ix_(others, others)]
    h = np.linalg.solve(A, np.ones(n - 1))
    out = np.zeros(n)
    out[others] = h
    return out


def simulate_chain_given_uniforms(P, u, x0=0):
    cum = np.cumsum(P, axis=1)
    states = np.empty(len(u), dtype=np.int64)
    s = x0
    for t in range(len(u)):
        s = np.searchsorted(cum[s], u[t])
        states[t] = s
    return states


def entropy_rate(P):
    P = P / P.sum(1, keepdims=True)
    w, v = np.linalg.eig(P.T)
    pi = np.abs(np.real(v[:, np.argmax(np.real(w))]))
    pi /= pi.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        logP = np.where(P > 0, np.log2(P), 0.0)
    return -np.sum(pi[:, None] * P * logP)


def matrix_power_chain(P, k=5):
    P = P / P.sum(axis=1, keepdims=True)
    Pk = np.linalg.matrix_power(P, k)
    return Pk, np.allclose(Pk.sum(1), 1)


def stationary_lstsq(P):
    P = P / P.sum(1, keepdims=True)
    n = P.shape[0]
    A = np.vstack([P.T - np.eye(n), np.ones(n)])
    b = np.r_[np.zeros(n), 1.0]
    pi, *_ = np.linalg.lstsq(A, b, rcond=None)
    return pi


def mixing_time_tv(P, steps=8):
    P = P / P.sum(1, keepdims=True)
    w, v = np.linalg.eig(P.T)
    pi = np.real(v[:, np.argmax(np.real(w))]); pi = pi / pi.sum()
    dist = np.eye(P.shape[0])
    tv = []
    for _ in range(steps):
        dist = dist @ P
        tv.append(0.5 * np.abs(dist - pi).sum(axis=1).max())
    return np.array(tv), np.sort(np.abs(w))[::-1][1]


# ------------------------------------------------------------------------ computational geometry


def points_in_polygon(px, py, vx, vy):
    x1, y1 = vx, vy
    x2, y2 = np.roll(vx, -1), np.roll(vy, -1)
    cond = ((y1[None, :] > py[:, None]) != (y2[None, :] > py[:, None]))
    xint = (x2 - x1)[None, :] * (py[:, None] - y1[None, :]) / (y2 - y1)[None, :] + x1[None, :]
    crosses = cond & (px[:, None] < xint)
    return np.logical_xor.reduce(crosses, axis=1), crosses.sum(axis=1) % 2 == 1


def shoelace_area(x, y):
    return 0.5 * np.abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


def polygon_centroid(xy):
    x, y = xy[:, 0], xy[:, 1]
    xs, ys = np.roll(x, -1), np.roll(y, -1)
    cross = x * ys - xs * y
    a = cross.sum() / 2
    cx = ((x + xs) * cross).sum() / (6 * a)
    cy = ((y + ys) * cross).sum() / (6 * a)
    return np.array([cx, cy]), a


def orientation_tests(p, q, r):
    o = np.cross(np.c_[q - p, np.zeros(len(p))], np.c_[r - p, np.zeros(len(p))])[:, 2]
    return np.sign(o).astype(int)


def segments_intersect(a, b, c, d):
    def orient(p, q, r):
        return np.sign((q[..., 0] - p[..., 0]) * (r[..., 1] - p[..., 1]) -
                       (q[..., 1] - p[..., 1]) * (r[..., 0] - p[..., 0]))
    o1, o2 = orient(a, b, c), orient(a, b, d)
    o3, o4 = orient(c, d, a), orient(c, d, b)
    return (o1 != o2) & (o3 != o4)


def bounding_boxes(points):
    lo = points.min(axis=1)
    hi = points.max(axis=1)
    area = np.prod(hi - lo, axis=-1)
    overlap_lo = np.maximum(lo[:, None], lo[None])
    overlap_hi = np.minimum(hi[:, None], hi[None])
    inter = np.clip(overlap_hi - overlap_lo, 0, None).prod(-1)
    iou = inter / (area[:, None] + area[None] - inter)
    return lo, hi, iou


def triangle_areas_3d(v, f):
    a, b, c = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    n = np.cross(b - a, c - a)
    return 0.5 * np.linalg.norm(n, axis=1), n / np.linalg.norm(n, axis=1, keepdims=True)


def points_sorted_lexicographically(pts):
    order = np.lexsort((pts[:, 1], pts[:, 0]))
    return pts[order]


def convex_hull_angles(pts):
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    order = np.argsort(ang)
    ring = pts[order]
    return ring, np.unwrap(ang[order])


def orientation_det(a, b, c):
    M = np.stack([np.c_[a, np.ones(len(a))], np.c_[b, np.ones(len(b))],
                  np.c_[c, np.ones(len(c))]], axis=1)
    return np.sign(np.linalg.det(M))


def cross2d(u, v):
    return np.cross(u, v)


def polygon_perimeter_and_winding(xy):
    d = np.diff(np.vstack([xy, xy[:1]]), axis=0)
    per = np.hypot(d[:, 0], d[:, 1]).sum()
    ang = np.arctan2(xy[:, 1], xy[:, 0])
    dang = np.diff(np.r_[ang, ang[0]])
    dang = (dang + np.pi) % (2 * np.pi) - np.pi
    return per, np.round(dang.sum() / (2 * np.pi))


# ----------------------------------------------------------------------------- data and protocol


def _lattice(n, seed):
    """`n` atoms near the sites of a 3x3x3 lattice of spacing 1.2 (no two too close)."""
    g = np.stack(np.meshgrid(*(np.arange(3),) * 3, indexing="ij"), -1).reshape(-1, 3)[:n] * 1.2
    return g + np.random.default_rng(seed).uniform(-0.1, 0.1, g.shape)


def _weights(n, seed):
    """A positive n x n matrix (transition counts, contacts)."""
    return np.random.default_rng(seed).uniform(0.1, 1.0, (n, n))


def _stochastic(n, seed):
    p = _weights(n, seed)
    return p / p.sum(axis=1, keepdims=True)


def _polygon(n, seed):
    """A star-shaped polygon's vertices, counter-clockwise."""
    t = np.sort(np.random.default_rng(seed).uniform(0, 2 * np.pi, n))
    r = np.random.default_rng(seed + 1).uniform(1, 2, n)
    return r * np.cos(t), r * np.sin(t)


def _games(s, n):
    home = _i(4, n, seed=s)
    return np.r_[0, 1, 2, 3, home], np.r_[1, 2, 3, 0, (home + 1) % 4], _f(n + 4, seed=s)


def _colley(s, n):
    g = _i(3, n, n, seed=s) * (1 - np.eye(n, dtype=int))
    return _i(5, n, seed=s).astype(float), _i(5, n, seed=s + 1).astype(float), \
        (g + g.T).astype(float)


CORPUS = {
    "bincount_wins": (bincount_wins, {"n": 6}, lambda s, k: (_i(6, 2 * k, seed=s),)),  # checked
    "lj_energy_forces": (lj_energy_forces, {}, lambda s, n: (_lattice(n + 2, s), 4.0)),
    "lj_triu_energy": (lj_triu_energy, {}, lambda s, n: (_lattice(n + 2, s), 4.0)),
    "velocity_verlet": (velocity_verlet, {}, lambda s, n: (_lattice(n + 2, s),
                                                            _f(n + 2, 3, seed=s) * 0.1, 4.0)),
    "radial_distribution": (radial_distribution, {}, lambda s, n: (_lattice(n + 4, s), 4.0)),
    "center_of_mass_and_gyration": (center_of_mass_and_gyration, {},
                                    lambda s, n: (_f(n, 3, seed=s),
                                                  _f(n, seed=s, positive=True))),
    "kinetic_temperature": (kinetic_temperature, {}, lambda s, n: (_f(n, 3, seed=s),
                                                                    _f(n, seed=s, positive=True))),
    "berendsen_rescale": (berendsen_rescale, {}, lambda s, n: (_f(n, 3, seed=s), 1.3)),
    "pair_list_cutoff_energy": (pair_list_cutoff_energy, {}, lambda s, n: (_lattice(n + 2, s),)),
    "msd": (msd, {}, lambda s, n: (np.cumsum(_f(n, 5, 3, seed=s), axis=0),)),
    "pbc_wrap_inplace": (pbc_wrap_inplace, {}, lambda s, n: (_f(n, 3, seed=s) * 5, 3.0)),
    "rdf_with_bins": (rdf_with_bins, {}, lambda s, n: (_f(5 * n, seed=s, positive=True),
                                                        np.linspace(0.5, 2, 7))),
    "float32_md_step": (float32_md_step, {}, lambda s, n: tuple(
        _f(n, 3, seed=s + k).astype(np.float32) for k in range(3)) + (0.01,)),
    "sir_euler": (sir_euler, {}, lambda s, n: (990.0 + s, 10.0, 0.0, 0.3, 0.1)),
    "seir_rk4": (seir_rk4, {}, lambda s, n: (np.array([990.0, 5, 5, 0]) * s, 0.5, 0.2, 0.1)),
    "age_structured_sir": (age_structured_sir, {}, lambda s, n: (
        _f(n, seed=s, positive=True) * 100, _f(n, seed=s + 1, positive=True), np.zeros(n),
        _weights(n, s), 0.05, 0.1)),
    "next_generation_r0": (next_generation_r0, {}, lambda s, n: (
        _weights(n, s), 0.05, 0.1, _f(n, seed=s + 1, positive=True))),
    "doubling_time": (doubling_time, {}, lambda s, n: (
        np.cumsum(_f(n + 3, seed=s, positive=True)) * 10,)),
    "renewal_rt": (renewal_rt, {}, lambda s, n: (_f(n + 4, seed=s, positive=True) * 10,
                                                  np.array([0.2, 0.5, 0.3]))),
    "contact_eigen_r0": (contact_eigen_r0, {}, lambda s, n: (_weights(n, s), 0.05, 0.1)),
    "seir_vectorized": (seir_vectorized, {}, lambda s, n: (np.array([990.0, 5, 5, 0]) * s,
                                                            (0.5, 0.2, 0.1))),
    "gini": (gini, {}, lambda s, n: (_f(3 * n, seed=s, positive=True),)),
    "gini_mean_difference": (gini_mean_difference, {},
                             lambda s, n: (_f(3 * n, seed=s, positive=True),)),
    "lorenz_curve": (lorenz_curve, {}, lambda s, n: (_f(3 * n, seed=s, positive=True),)),
    "amortization_schedule": (amortization_schedule, {"n": 12}, lambda s, n: (1000.0 * s, 0.05)),
    "compound_growth": (compound_growth, {}, lambda s, n: (_f(n, seed=s) * 0.02, 100.0)),
    "herfindahl": (herfindahl, {}, lambda s, n: (_f(3, n, seed=s, positive=True),)),
    "real_series": (real_series, {}, lambda s, n: (
        _f(n + 2, seed=s, positive=True) * 100,
        np.cumsum(_f(n + 2, seed=s + 1, positive=True)) + 100)),
    "npv_irr_grid": (npv_irr_grid, {}, lambda s, n: (
        np.r_[-100.0, _f(n, seed=s, positive=True) * 40], np.linspace(0, 0.5, 11))),
    "theil_index": (theil_index, {}, lambda s, n: (_f(2 * n, seed=s, positive=True),)),
    "atkinson_index": (atkinson_index, {}, lambda s, n: (_f(2 * n, seed=s, positive=True),)),
    "atkinson_index_log": (atkinson_index, {"eps": 1},
                           lambda s, n: (_f(2 * n, seed=s, positive=True),)),
    "income_quantile_shares": (income_quantile_shares, {},
                               lambda s, n: (_f(5 * n, seed=s, positive=True),)),
    "annuity_values": (annuity_values, {"n": 10}, lambda s, n: (100.0 * s, 0.05)),
    "cpi_rebase": (cpi_rebase, {}, lambda s, n: (
        100 + np.cumsum(_f(n + 3, seed=s, positive=True)),)),
    "elo_updates": (elo_updates, {}, lambda s, n: (
        1500 + _f(5, seed=s) * 100, _i(5, n, seed=s),
        (_i(5, n, seed=s) + 1 + _i(4, n, seed=s + 1)) % 5)),
    "rankdata_ordinal": (rankdata_ordinal, {}, lambda s, n: (_i(5, 2 * n, seed=s),)),
    "rankdata_dense": (rankdata_dense, {}, lambda s, n: (_i(5, 2 * n, seed=s),)),
    "rank_min_by_searchsorted": (rank_min_by_searchsorted, {},
                                 lambda s, n: (_i(5, 2 * n, seed=s),)),
    "bradley_terry_probs": (bradley_terry_probs, {}, lambda s, n: (_f(n, seed=s),)),
    "league_table": (league_table, {}, lambda s, n: (
        _i(10, 2 * n, seed=s), _i(5, 2 * n, seed=s + 1) - 2, _i(4, 2 * n, seed=s + 2))),
    "win_matrix_from_scores": (win_matrix_from_scores, {"n": 5}, lambda s, n: (
        _i(5, 2 * n, seed=s), (_i(5, 2 * n, seed=s) + 1) % 5, _i(4, 2 * n, seed=s + 1),
        _i(4, 2 * n, seed=s + 2))),
    "massey_ratings": (massey_ratings, {"n": 4}, _games),
    "elo_expected_matrix": (elo_expected_matrix, {}, lambda s, n: (1500 + _f(n, seed=s) * 200,)),
    "colley_ratings": (colley_ratings, {}, _colley),
    "stationary_power": (stationary_power, {}, lambda s, n: (_weights(n, s),)),
    "stationary_eig": (stationary_eig, {}, lambda s, n: (_weights(n, s),)),
    "absorbing_chain": (absorbing_chain, {"n_transient": 3}, lambda s, n: (_stochastic(n, s),)),
    "hitting_times": (hitting_times, {"target": 0}, lambda s, n: (_stochastic(n, s),)),
    "simulate_chain_given_uniforms": (simulate_chain_given_uniforms, {}, lambda s, n: (
        _stochastic(n, s), np.random.default_rng(s).uniform(0, 1, 8))),
    "entropy_rate": (entropy_rate, {}, lambda s, n: (_weights(n, s),)),
    "matrix_power_chain": (matrix_power_chain, {}, lambda s, n: (_weights(n, s),)),
    "stationary_lstsq": (stationary_lstsq, {}, lambda s, n: (_weights(n, s),)),
    "mixing_time_tv": (mixing_time_tv, {}, lambda s, n: (_weights(n, s),)),
    "points_in_polygon": (points_in_polygon, {}, lambda s, n: (
        _f(3 * n, seed=s), _f(3 * n, seed=s + 1), *_polygon(n + 3, s))),
    "shoelace_area": (shoelace_area, {}, lambda s, n: _polygon(n + 3, s)),
    "polygon_centroid": (polygon_centroid, {}, lambda s, n: (np.column_stack(_polygon(n + 3, s)),)),
    "orientation_tests": (orientation_tests, {}, lambda s, n: tuple(
        _f(n, 2, seed=s + k) for k in range(3))),
    "segments_intersect": (segments_intersect, {}, lambda s, n: tuple(
        _f(n, 2, seed=s + k) for k in range(4))),
    "bounding_boxes": (bounding_boxes, {}, lambda s, n: (_f(n, 5, 2, seed=s),)),
    "triangle_areas_3d": (triangle_areas_3d, {}, lambda s, n: (
        _f(n + 3, 3, seed=s), np.stack([np.arange(n), np.arange(n) + 1, np.arange(n) + 2], 1))),
    "points_sorted_lexicographically": (points_sorted_lexicographically, {},
                                        lambda s, n: (np.round(_f(2 * n, 2, seed=s), 1),)),
    "convex_hull_angles": (convex_hull_angles, {}, lambda s, n: (_f(n + 3, 2, seed=s),)),
    "orientation_det": (orientation_det, {}, lambda s, n: tuple(
        _f(n, 2, seed=s + k) for k in range(3))),
    "polygon_perimeter_and_winding": (polygon_perimeter_and_winding, {},
                                      lambda s, n: (_f(n + 3, 2, seed=s),)),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_corpus_function_matches_numpy(name):
    """NumPy's values, dtypes and in-place writes (`test_corpus.check_like_numpy`)."""
    check_like_numpy(*CORPUS[name])


@pytest.mark.filterwarnings("error::DeprecationWarning")
def test_cross_of_2d_vectors_warns_as_numpy():
    """NumPy 2 deprecates `np.cross` of 2-element vectors (DeprecationWarning) but computes the
    z component; so does the compiled function."""
    u, v = _f(4, 2, seed=1), _f(4, 2, seed=2)
    with pytest.warns(DeprecationWarning):
        want = cross2d(u, v)
    with pytest.warns(DeprecationWarning):
        got = tracenp.jit(cross2d)(u, v)
    assert_same(got, want)


REFUSED = {
    "dense_rank_unique": (tracenp.errors.DataDependentShapeError, dense_rank_unique,
                          lambda s: (_i(5, 8, seed=s),)),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_forms_raise_by_name_and_fall_back_to_numpy(name):
    """`np.unique` and a `np.bincount` whose values may pass `minlength`: the named error,
    and NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])


def dense_ranks_by_unique(scores):
    return np.unique(-scores, return_inverse=True)[1] + 1


def tie_statistics(scores):
    uniq, first, inv, counts = np.unique(scores, return_index=True, return_inverse=True,
                                         return_counts=True)
    return counts.max(), (counts > 1).sum(), uniq.sum(), first.min(), inv.reshape(-1, 2)


def label_image_relabelled(labels):
    _, inv = np.unique(labels, return_inverse=True)
    return inv, np.max(inv)


def _ties(s, n):
    x = np.round(_f(2 * n, seed=s), 1)
    x[::3] = np.nan
    return (x,)


UNIQUE = {
    "dense_ranks_by_unique": (dense_ranks_by_unique, {},
                              lambda s, n: (_i(5, 2 * n, seed=s).astype(float),)),
    "tie_statistics_ints": (tie_statistics, {}, lambda s, n: (_i(5, 2 * n, seed=s),)),
    "tie_statistics_nans": (tie_statistics, {}, _ties),
    "tie_statistics_bools": (tie_statistics, {}, lambda s, n: (_i(2, 2 * n, seed=s) > 0,)),
    "label_image_relabelled": (label_image_relabelled, {},
                               lambda s, n: (_i(4, n, 3, seed=s) * 10,)),
}


@pytest.mark.parametrize("name", list(UNIQUE))
def test_unique_inverse_and_reductions_of_unique_match_numpy(name):
    """`np.unique` of traced values (it was refused): the inverse traces, and its values,
    first indices and counts reduce (NaNs count as one value, as NumPy's `equal_nan`)."""
    check_like_numpy(*UNIQUE[name])


def unique_count_as_int(scores):
    return len(np.unique(scores))


def test_unique_length_is_refused_with_the_unique_alternatives():
    with pytest.raises(tracenp.errors.DataDependentShapeError, match="np.unique's values"):
        tracenp.jit(unique_count_as_int)(_i(5, 8, seed=1))
    with pytest.raises(tracenp.errors.DataDependentShapeError, match="np.unique's values"):
        tracenp.jit(lambda x: np.unique(x))(_i(5, 8, seed=1))


# -------------------------------------------------------------- grids, bins, products and ranks


def lattice_sir_diffusion(I, S, beta=0.3, D=0.1, steps=5):
    for _ in range(steps):
        lap = np.roll(I, 1, 0) + np.roll(I, -1, 0) + np.roll(I, 1, 1) + np.roll(I, -1, 1) - 4 * I
        new = beta * S * I
        S = S - new
        I = I + new + D * lap
    return S, I


def periodic_pad_stencil(grid):
    p = np.pad(grid, 1, mode="wrap")
    return (p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:]) / 4


def ising_energy(spins, J=1.0):
    return -J * np.sum(spins * (np.roll(spins, 1, axis=0) + np.roll(spins, 1, axis=1)))


def hottest_cell(grid):
    i, j = np.unravel_index(np.argmax(grid), grid.shape)
    flat = np.ravel_multi_index((i, j), grid.shape)
    return i, j, flat, grid[i, j]


def age_bins(ages, weights):
    edges = np.array([0, 18, 40, 65, 120])
    idx = np.digitize(ages, edges, right=True)
    hist, _ = np.histogram(ages, bins=edges, weights=weights)
    dens, _ = np.histogram(ages, bins=edges, density=True)
    return idx, hist, dens


def weekly_totals(daily):
    starts = np.arange(0, len(daily), 7)
    return np.add.reduceat(daily, starts), np.ediff1d(daily, to_begin=0)


def serial_convolution(incidence, w):
    full = np.convolve(incidence, w, mode="full")[: len(incidence)]
    same = np.convolve(incidence, w, mode="same")
    valid = np.correlate(incidence, w, mode="valid")
    return full, same, valid


def stacked_dets(M):
    sign, logdet = np.linalg.slogdet(M)
    return np.linalg.det(M), sign, logdet


def einsum_trace_diag(A):
    return np.einsum("ii->i", A), np.einsum("ii", A), np.einsum("ij,jk->ik", A, A.T)


def kron_block(A, B):
    return np.kron(A, B), np.block([[A, np.zeros_like(A)], [np.zeros_like(A), A]])


def tensordot_contract(T, v):
    return np.tensordot(T, v, axes=([2], [0])), np.tensordot(T, T, axes=([0, 1], [0, 1]))


def meshgrid_field(xs, ys):
    X, Y = np.meshgrid(xs, ys, indexing="ij")
    r = np.hypot(X, Y)
    gx, gy = np.gradient(np.exp(-r ** 2), xs, ys)
    return r, gx, gy


def ogrid_distance(c, n=5):
    y, x = np.ogrid[:n, :n]
    return np.sqrt((x - c[0]) ** 2 + (y - c[1]) ** 2)


def put_place_updates(a, idx, vals):
    np.put(a, idx, vals)
    np.place(a, a > 1.5, 1.5)
    return a


def closeness_checks(a, b):
    return np.isclose(a, b, atol=0.1), np.allclose(a, b), np.array_equal(a, a.copy())


def interp_periodic(angles, xp, fp):
    return np.interp(angles, xp, fp, period=360)


def percentile_methods(x):
    return np.percentile(x, 90, method="nearest"), \
        np.quantile(x, [0.25, 0.75], method="midpoint"), \
        np.nanpercentile(np.where(x > 1, np.nan, x), 50)


def cumulative_ops(x):
    return np.cumsum(x, axis=0, dtype=np.float32), np.cumprod(1 + x / 10, axis=1), \
        np.maximum.accumulate(x, axis=0)


def lexsort_multi(a, b, c):
    idx = np.lexsort((c, b, a))
    return idx, a[idx], np.argsort(a, kind="stable")


def pairwise_cosine(X):
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    Xn = X / norms
    S = Xn @ Xn.T
    np.fill_diagonal(S, -np.inf)
    return S.argmax(axis=1), np.arccos(np.clip(Xn @ Xn.T, -1, 1))


def rank_by_argpartition(scores, k=3):
    top = np.argpartition(-scores, k)[:k]
    top = top[np.argsort(-scores[top])]
    return top, scores[top]


def int_money_rounding(cents, rate_bp):
    interest = cents * rate_bp // 10000
    return cents + interest, np.round(cents / 100, 2), (cents % 100).astype(np.int16)


def float_formats(x):
    return np.floor(x * 100) / 100, np.ceil(x), np.trunc(x), np.rint(x), np.fix(x), np.round(x, -1)


def _stochastic_pad(s, n):
    return _f(n, 5, seed=s, positive=True) * 0.01, _f(n, 5, seed=s + 1, positive=True)


CORPUS_MORE = {
    "lattice_sir_diffusion": (lattice_sir_diffusion, {}, _stochastic_pad),
    "periodic_pad_stencil": (periodic_pad_stencil, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "ising_energy": (ising_energy, {}, lambda s, n: (np.where(_f(n, n, seed=s) > 0, 1, -1),)),
    "hottest_cell": (hottest_cell, {}, lambda s, n: (_f(n, 5, seed=s),)),
    "age_bins": (age_bins, {}, lambda s, n: (_f(3 * n, seed=s, positive=True) * 50,
                                              _f(3 * n, seed=s + 1, positive=True))),
    "weekly_totals": (weekly_totals, {}, lambda s, n: (_f(5 * n, seed=s),)),
    "serial_convolution": (serial_convolution, {}, lambda s, n: (_f(n + 4, seed=s),
                                                                  np.array([0.2, 0.5, 0.3]))),
    "stacked_dets": (stacked_dets, {}, lambda s, n: (_f(n, 3, 3, seed=s),)),
    "einsum_trace_diag": (einsum_trace_diag, {}, lambda s, n: (_f(n, n, seed=s),)),
    "kron_block": (kron_block, {}, lambda s, n: (_f(n, 2, seed=s), _f(2, 3, seed=s + 1))),
    "tensordot_contract": (tensordot_contract, {}, lambda s, n: (_f(n, 3, 4, seed=s),
                                                                  _f(4, seed=s + 1))),
    "meshgrid_field": (meshgrid_field, {}, lambda s, n: (np.linspace(-1, 1, n + 2) * s,
                                                          np.linspace(-2, 2, 5))),
    "ogrid_distance": (ogrid_distance, {}, lambda s, n: (_f(2, seed=s),)),
    "put_place_updates": (put_place_updates, {}, lambda s, n: (
        _f(n, 3, seed=s), _i(3 * n, 4, seed=s), _f(4, seed=s + 1) * 3)),
    "closeness_checks": (closeness_checks, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s) + _f(n, seed=s + 1) * 0.05)),
    "interp_periodic": (interp_periodic, {}, lambda s, n: (
        _f(n, seed=s) * 300, np.array([0.0, 90, 180, 270]), _f(4, seed=s + 1))),
    "percentile_methods": (percentile_methods, {}, lambda s, n: (_f(3 * n, seed=s),)),
    "cumulative_ops": (cumulative_ops, {}, lambda s, n: (_f(n, 4, seed=s),)),
    "lexsort_multi": (lexsort_multi, {}, lambda s, n: (
        _i(3, 2 * n, seed=s), _i(3, 2 * n, seed=s + 1), _f(2 * n, seed=s))),
    "pairwise_cosine": (pairwise_cosine, {}, lambda s, n: (_f(n, 3, seed=s),)),
    "rank_by_argpartition": (rank_by_argpartition, {}, lambda s, n: (_f(2 * n, seed=s),)),
    "int_money_rounding": (int_money_rounding, {}, lambda s, n: (_i(100000, n, seed=s), 325)),
    "float_formats": (float_formats, {}, lambda s, n: (_f(n, seed=s) * 37,)),
}


@pytest.mark.parametrize("name", list(CORPUS_MORE))
def test_grid_bin_product_and_rank_functions_match_numpy(name):
    """`hottest_cell`'s `np.ravel_multi_index` of `np.unravel_index(np.argmax(g))` was refused
    (mode='raise' cannot check traced indices); indices the graph bounds inside the dims need
    no check."""
    check_like_numpy(*CORPUS_MORE[name])


# ------------------------------------------------------------ molecular dynamics by pair lists


def pair_forces_scatter(pos, box):
    n = len(pos)
    i, j = np.triu_indices(n, 1)
    rij = pos[i] - pos[j]
    rij -= box * np.round(rij / box)
    r2 = np.einsum("ij,ij->i", rij, rij)
    inv6 = 1 / r2 ** 3
    fmag = 24 * (2 * inv6 ** 2 - inv6) / r2
    fij = fmag[:, None] * rij
    F = np.zeros_like(pos)
    np.add.at(F, i, fij)
    np.subtract.at(F, j, fij)
    virial = np.sum(fij * rij)
    return F, virial


def pair_forces_loops(pos, box):
    n = pos.shape[0]
    F = np.zeros((n, 3))
    U = 0.0
    for a in range(n - 1):
        for b in range(a + 1, n):
            d = pos[a] - pos[b]
            d = d - box * np.round(d / box)
            r2 = d @ d
            s6 = 1.0 / r2 ** 3
            U += 4 * (s6 * s6 - s6)
            f = (48 * s6 * s6 - 24 * s6) / r2 * d
            F[a] += f
            F[b] -= f
    return U, F


def neighbor_counts(pos, rc):
    d = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
    adj = (d < rc) & ~np.eye(len(pos), dtype=bool)
    deg = adj.sum(1)
    knn = np.argsort(d, axis=1)[:, 1:3]
    return deg, knn, np.take_along_axis(d, knn, axis=1)


def andersen_thermostat(v, u, T, nu_dt, normals):
    hit = u < nu_dt
    v[hit] = np.sqrt(T) * normals[hit]
    return v


def langevin_step(x, v, f, noise, gamma=0.5, dt=0.01, kT=1.0):
    c1 = np.exp(-gamma * dt)
    c2 = np.sqrt(1 - c1 ** 2) * np.sqrt(kT)
    v = c1 * v + c2 * noise + dt * f
    x += dt * v
    return x, v


CORPUS_PAIRS = {
    "pair_forces_scatter": (pair_forces_scatter, {}, lambda s, n: (_lattice(n + 2, s), 4.0)),
    "pair_forces_loops": (pair_forces_loops, {}, lambda s, n: (_lattice(n, s), 4.0)),
    "neighbor_counts": (neighbor_counts, {}, lambda s, n: (_lattice(n + 2, s), 1.5)),
    "andersen_thermostat": (andersen_thermostat, {}, lambda s, n: (
        _f(n, 3, seed=s), np.random.default_rng(s).uniform(size=n), 1.2, 0.3,
        _f(n, 3, seed=s + 1))),
    "langevin_step": (langevin_step, {}, lambda s, n: tuple(
        _f(n, 3, seed=s + k) for k in range(4))),
}


@pytest.mark.parametrize("name", list(CORPUS_PAIRS))
def test_pair_list_dynamics_match_numpy(name):
    """Forces scattered with `np.add.at`/`np.subtract.at` over `np.triu_indices`, double loops
    over pairs writing `F[a] += f`, nearest neighbours by argsort, thermostats writing through
    a traced mask."""
    check_like_numpy(*CORPUS_PAIRS[name])


def test_float_products_at_constant_and_few_traced_indices_are_exact():
    """A float `np.multiply.at` goes in NumPy's order (bit for bit) with constant indices and
    with up to `SEQUENTIAL_AT_LIMIT` traced ones; beyond, the products are regrouped within
    rounding."""
    x, v = _f(5, seed=1), _f(200, seed=2, positive=True)
    i = _i(5, 200, seed=3)

    def traced(x, i, v):
        np.multiply.at(x, i, v)
        return x

    def constant(x, v):
        np.multiply.at(x, i, v)
        return x

    want = traced(x.copy(), i, v)
    np.testing.assert_array_equal(tracenp.jit(constant)(x.copy(), v), want)
    np.testing.assert_array_equal(tracenp.jit(traced)(x.copy(), i[:40], v[:40]),
                                  traced(x.copy(), i[:40], v[:40]))
    np.testing.assert_allclose(tracenp.jit(traced)(x.copy(), i, v), want, rtol=1e-13)


def selection_read_before_writing_its_rows(x, m):
    before = x[m]
    x[m] = 0
    return before.sum(), before.mean(axis=0), x


def selection_read_before_scaling(x, m):
    before = x[m, 1:]
    x *= 2
    return before.sum(), x


def columns_read_before_writing_them(x, m):
    before = x[:, m]
    x[:, m] = 0
    return before.sum(axis=1), x


def columns_read_before_scaling(x, m):
    old = x[:, m]
    x += 1
    x[:, m] -= old
    return x


SELECTION_COPIES = {
    "selection_read_before_writing_its_rows": (selection_read_before_writing_its_rows, {},
                                               lambda s, n: (_f(n, 3, seed=s), _f(n, seed=s) > 0)),
    "selection_read_before_scaling": (selection_read_before_scaling, {},
                                      lambda s, n: (_f(n, 3, seed=s), _f(n, seed=s) > 0)),
    "columns_read_before_writing_them": (columns_read_before_writing_them, {},
                                         lambda s, n: (_f(3, n, seed=s), _f(n, seed=s) > 0)),
    "columns_read_before_scaling": (columns_read_before_scaling, {},
                                    lambda s, n: (_f(3, n, seed=s), _f(n, seed=s) > 0)),
}


@pytest.mark.parametrize("name", list(SELECTION_COPIES))
def test_a_selection_is_a_copy_that_later_writes_miss(name):
    """`before = x[m]; x[m] = 0; before.sum()`: NumPy's boolean index is a copy, so `before`
    keeps the old values; the selection followed `x` and summed the zeros, silently."""
    check_like_numpy(*SELECTION_COPIES[name])


def flat_slice_read_before_writing(x):
    before = x.flat[:]
    picked = x.flat[[0, 4]]
    x += 1
    return before, picked, x


def fortran_copy_read_before_writing(x):
    f = np.asfortranarray(x)
    row = np.asfortranarray(x[0])
    x *= 2
    return f, row, x


def delete_nothing(x):
    return np.delete(x, [], axis=0), np.delete(x, [], axis=1), np.delete(x, [1])


COPIES = {
    "flat_slice_read_before_writing": (flat_slice_read_before_writing, {},
                                       lambda s, n: (_f(n, 3, seed=s),)),
    "fortran_copy_read_before_writing": (fortran_copy_read_before_writing, {},
                                         lambda s, n: (_f(n, 3, seed=s),)),
    "delete_nothing": (delete_nothing, {}, lambda s, n: (_f(n, 3, seed=s),)),
}


@pytest.mark.parametrize("name", list(COPIES))
def test_copies_numpy_makes_miss_later_writes(name):
    """`x.flat[:]` and `np.asfortranarray` of a C-ordered 2-d array are NumPy's copies (they
    followed later writes to `x`, silently); `np.delete(x, [])` deletes nothing (it raised
    IndexError: the empty list was a float index)."""
    check_like_numpy(*COPIES[name])


def contiguous_copies_of_strided_views(x):
    c = np.ascontiguousarray(x.T)
    flat = np.expand_dims(x.T, 0).reshape(-1)
    cols = x[:, 1:].reshape(-1)
    x += 1
    return c, flat, cols, x


def reshape_of_row_blocks_writes_through(x):
    v = x[1:].reshape(-1)
    v[0] = 99.0
    w = x[1].reshape(-1, 1)
    w += 1
    return x, v, np.ravel(x[2:])


RESHAPED_VIEWS = {
    "contiguous_copies_of_strided_views": (contiguous_copies_of_strided_views, {},
                                           lambda s, n: (_f(n, 4, seed=s),)),
    "reshape_of_row_blocks_writes_through": (reshape_of_row_blocks_writes_through, {},
                                             lambda s, n: (_f(n, 4, seed=s),)),
}


@pytest.mark.parametrize("name", list(RESHAPED_VIEWS))
def test_reshapes_of_views_copy_or_view_as_numpy(name):
    """`np.ascontiguousarray(x.T)` and reshapes of views NumPy cannot keep C-contiguous are
    copies (they followed later writes to `x`, silently); a reshape of a block of rows is
    NumPy's view, so writes through it reach `x` (they were lost)."""
    check_like_numpy(*RESHAPED_VIEWS[name])


def required_layouts(x):
    c = np.require(x.T, requirements=["C", "A"])
    f = np.require(x, dtype=np.float32, requirements=["A", "O", "W", "F"])
    owned = np.require(x[1:], requirements="O")
    same = np.require(x)
    x += 1
    return c, f, owned, same


def test_require_copies_where_numpy_does():
    """`np.require` of a traced array raised ConcretizationError (NumPy converts it itself);
    it is the value, copied where NumPy copies it."""
    check_like_numpy(required_layouts, {}, lambda s, n: (_f(n, 3, seed=s),))
    with pytest.raises(ValueError):
        tracenp.jit(lambda x: np.require(x, requirements=["C", "F"]))(_f(2, 3))
