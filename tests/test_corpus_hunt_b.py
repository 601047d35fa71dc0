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


@pytest.mark.parametrize("name", ["divide_repeated", "sqrt_repeated", "int_times_float"])
def test_ufunc_at_that_needs_its_updates_in_turn_is_refused_with_traced_indices(name):
    """Traced indices of a ufunc whose repeated updates do not combine (`np.divide.at`), or
    whose loop casts each update back (`ints * 1.5`): refused by name, NumPy's under
    fallback."""
    ufunc, make, idx, b = AT_CASES[name]
    check_refused(tracenp.errors.UnsupportedFunctionError, _at_of_traced_indices(ufunc),
                  lambda s: (make(s, 5), np.asarray(idx), *b))


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
    "records_sorted_by_field": (tracenp.errors.UnsupportedFunctionError, records_sorted_by_field,
                                lambda s: (_records(s),)),
    "records_sorted_in_place_by_field": (tracenp.errors.UnsupportedFunctionError,
                                         records_sorted_in_place_by_field,
                                         lambda s: (_records(s),)),
    "records_partitioned_by_field": (tracenp.errors.UnsupportedFunctionError,
                                     records_partitioned_by_field, lambda s: (_records(s),)),
    "records_compared": (tracenp.errors.UnsupportedFunctionError, records_compared,
                         lambda s: (_records(s),)),
    "records_searched": (tracenp.errors.UnsupportedFunctionError, records_searched,
                         lambda s: (_records(s),)),
    "weekday_by_view": (tracenp.errors.UnsupportedFunctionError, weekday_by_view,
                        lambda s: (_dates(s),)),
    "char_upper": (tracenp.errors.UnsupportedFunctionError, char_upper, lambda s: (_names(s),)),
    "char_lengths": (tracenp.errors.UnsupportedFunctionError, char_lengths,
                     lambda s: (_names(s),)),
}


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
    "month_numbers": (month_numbers, {}, lambda s, n: (_dates(s),)),
    "durations_in_hours": (durations_in_hours, {},
                           lambda s, n: (_i(500, n, seed=s).astype("timedelta64[m]"),)),
    "nat_filled_and_sorted": (nat_filled_and_sorted, {}, lambda s, n: (_nat_dates(s),)),
}


@pytest.mark.parametrize("name", list(DTYPES))
def test_datetime_arithmetic_matches_numpy(name):
    check_like_numpy(*DTYPES[name])
