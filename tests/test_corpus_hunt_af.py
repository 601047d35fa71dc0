"""Corpus, hunt AF: the breadth of NumPy's API as its own documentation teaches it. Every case
is an example from a NumPy 2.4 docstring, turned into a jitted function whose arrays are traced
arguments while the Python scalars, axes, shapes, dtypes, modes and keyword options stay as the
example writes them: array creation and manipulation (`concatenate` and the stacks, splits,
`tile`, `repeat`, `roll`, `flip`, `rot90`, axis moves, `pad` in every mode and with a callable,
`insert`/`delete`/`append`, `take`/`put` and their `_along_axis` forms, `choose`, `select`,
`piecewise`, `where`, `place`, `copyto`, `fill_diagonal`, the diagonals and triangles,
`meshgrid`, `indices`, `ix_`, `ravel_multi_index`/`unravel_index`), elementwise and polynomial
math (cumulative sums, `diff`, `ediff1d`, `gradient` with spacings and edge orders, `trapezoid`,
`convolve`/`correlate` in every mode, `interp` with `left`/`right`/`period`, rounding, `sign`,
`heaviside`, `nan_to_num`, `real_if_close`, `angle`, `unwrap`, `sinc`, `i0`, the `poly*`
functions, `vander`, `cross`, products, `einsum` subscripts, `matmul`, `vdot` and
`np.linalg`), statistics and sorting (`average` with weights and `returned`, `median`,
`percentile`/`quantile` in every method, the nan-forms, `ptp`, `var`/`std` with `ddof`,
`cov`, `corrcoef`, histograms, `digitize`, `bincount`, `searchsorted`, sorts and partitions,
`lexsort`, `count_nonzero`, arg-reductions with `keepdims`, `isclose`, `isin`), and the ndarray
methods as their docstrings call them. Beyond the examples themselves: their `out=` forms,
dtype and boundary variants (unsigned and small integers, nans and infinities, signed zeros,
writes through views), the examples' options passed in as a wrapper's arguments, fixed-shape
results reduced from the value-dependent examples, and the string and structured-array examples
of `lexsort` and `sort`.

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and dtype,
and in the arguments it writes in place. The examples whose result size depends on the data
(`np.unique`, `np.extract`, `trim_zeros`, the set functions, `nonzero`) raise a named error and
run eagerly under `fallback=True`.
"""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from test_corpus import _f, _i, check_like_numpy, check_refused
from test_corpus_hunt_v import _names, _Xfail


def _r(s, *shape):
    """Uniform draws in [0, 1), for probabilities, quantile levels and interpolation points."""
    return np.random.default_rng(s).random(shape)


def _ar(s, *shape):
    """An `np.arange`-like integer array shifted by the seed, as docstrings build theirs."""
    return np.arange(int(np.prod(shape))).reshape(shape) + s


def _case(fn, make_args, **static):
    """A table row `(fn, static, make_args)` with the static keywords written last."""
    return fn, static, make_args


# ---- array creation and manipulation -------------------------------------------------------

def concatenate_out(a, b, out):
    np.concatenate((a, b), out=out)
    return out


def put_docstring(a):
    np.put(a, [0, 2], [-44, -55])
    return a


def put_clip(a):
    np.put(a, 22, -5, mode="clip")
    return a


def put_along_axis_max(a):
    ai = np.argmax(a, axis=1, keepdims=True)
    np.put_along_axis(a, ai, 99, axis=1)
    return a


def place_docstring(arr):
    np.place(arr, arr > 2, [44, 55])
    return arr


def copyto_where(dst, src):
    np.copyto(dst, src, where=[False, True, True])
    return dst


def copyto_cast(dst, src):
    np.copyto(dst, src, casting="unsafe")
    return dst


def fill_diagonal_square(a):
    np.fill_diagonal(a, 5)
    return a


def fill_diagonal_tall(a):
    np.fill_diagonal(a, 4, wrap=True)
    return a


def fill_diagonal_values(a, v):
    np.fill_diagonal(a, v)
    return a


def fill_diagonal_flipped(a):
    np.fill_diagonal(np.fliplr(a), [1, 2, 3])
    return a


def pad_stat_function(vector, pad_width, iaxis, kwargs):
    pad_value = kwargs.get("padder", 10)
    vector[:pad_width[0]] = pad_value
    vector[-pad_width[1]:] = pad_value


def pad_callable(a):
    return np.pad(a, 2, pad_stat_function)


def piecewise_sign(x):
    return np.piecewise(x, [x < 0, x >= 0], [-1, 1])


def piecewise_abs(x):
    return np.piecewise(x, [x < 0, x >= 0], [lambda x: -x, lambda x: x])


def piecewise_scalar(y):
    return np.piecewise(y, [y < 0, y >= 0], [lambda x: -x, lambda x: x])


def triu_indices_write(a):
    iu = np.triu_indices(a.shape[0], 1)
    a[iu] = -1
    return a


def meshgrid_radius(x, y):
    xx, yy = np.meshgrid(x, y)
    return np.sqrt(xx ** 2 + yy ** 2)


def indices_sparse(x):
    i, j = np.indices((2, 3), sparse=True)
    return x[i, j]


MANIPULATION = {
    "concatenate_axis0": _case(lambda a, b: np.concatenate((a, b), axis=0),
                               lambda s, n: (_ar(s, n, 2), _ar(s + 5, 1, 2))),
    "concatenate_axis1": _case(lambda a, b: np.concatenate((a, b.T), axis=1),
                               lambda s, n: (_ar(s, n, 2), _ar(s + 5, 1, n))),
    "concatenate_axis_none": _case(lambda a, b: np.concatenate((a, b), axis=None),
                                   lambda s, n: (_ar(s, n, 2), _ar(s + 5, 1, 2))),
    "concatenate_dtype": _case(lambda a, b: np.concatenate((a, b), dtype=np.float32),
                               lambda s, n: (_ar(s, n), _f(3, seed=s))),
    "concatenate_out": _case(concatenate_out,
                             lambda s, n: (_f(n, seed=s), _f(2, seed=s + 1), np.zeros(n + 2))),
    "stack_axis0": _case(lambda a: np.stack(list(a), axis=0), lambda s, n: (_f(3, n, 4, seed=s),)),
    "stack_axis1": _case(lambda a: np.stack(list(a), axis=1), lambda s, n: (_f(3, n, 4, seed=s),)),
    "stack_axis_neg": _case(lambda a, b: np.stack((a, b), axis=-1),
                            lambda s, n: (_ar(s, n), _ar(s + 3, n))),
    "stack_dtype": _case(lambda a, b: np.stack((a, b), dtype=np.float32),
                         lambda s, n: (_ar(s, n), _ar(s + 3, n))),
    "hstack_1d": _case(lambda a, b: np.hstack((a, b)), lambda s, n: (_ar(s, n), _ar(s, 3))),
    "hstack_2d": _case(lambda a, b: np.hstack((a, b)), lambda s, n: (_ar(s, n, 1), _ar(s, n, 1))),
    "vstack_1d": _case(lambda a, b: np.vstack((a, b)), lambda s, n: (_ar(s, n), _ar(s + 3, n))),
    "vstack_2d": _case(lambda a, b: np.vstack((a, b)), lambda s, n: (_ar(s, n, 1), _ar(s, 2, 1))),
    "dstack_1d": _case(lambda a, b: np.dstack((a, b)), lambda s, n: (_ar(s, n), _ar(s + 3, n))),
    "dstack_2d": _case(lambda a, b: np.dstack((a, b)), lambda s, n: (_ar(s, n, 1), _ar(s, n, 1))),
    "column_stack": _case(lambda a, b: np.column_stack((a, b)),
                          lambda s, n: (_ar(s, n), _f(n, seed=s))),
    "split_sections": _case(lambda x: np.split(x, 3), lambda s, n: (_f(3 * n, seed=s),)),
    "split_indices": _case(lambda x: np.split(x, [3, 5, 6, 10]),
                           lambda s, n: (_f(2 * n, seed=s),)),
    "split_axis1": _case(lambda x: np.split(x, 2, axis=1), lambda s, n: (_f(3, 2 * n, seed=s),)),
    "array_split": _case(lambda x: np.array_split(x, 3), lambda s, n: (_f(2 * n, seed=s),)),
    "array_split_2d": _case(lambda x: np.array_split(x, 3, axis=1),
                            lambda s, n: (_ar(s, 2, n + 1),)),
    "hsplit_vsplit": _case(lambda x: (np.hsplit(x, 2), np.vsplit(x, [1])),
                           lambda s, n: (_f(3, 2 * n, seed=s),)),
    "tile_1d": _case(lambda a: np.tile(a, 2), lambda s, n: (_ar(s, n),)),
    "tile_2d_reps": _case(lambda a: np.tile(a, (2, 2)), lambda s, n: (_ar(s, n),)),
    "tile_3d_reps": _case(lambda a: np.tile(a, (2, 1, 2)), lambda s, n: (_ar(s, n),)),
    "tile_matrix": _case(lambda b: np.tile(b, (2, 1)), lambda s, n: (_f(2, n, seed=s),)),
    "repeat_scalar": _case(lambda x: np.repeat(x, 4), lambda s, n: (_ar(s, n),)),
    "repeat_flat": _case(lambda x: np.repeat(x, 2), lambda s, n: (_ar(s, 2, n),)),
    "repeat_axis1": _case(lambda x: np.repeat(x, 3, axis=1), lambda s, n: (_ar(s, 2, n),)),
    "repeat_counts_axis0": _case(lambda x: np.repeat(x, [1, 2], axis=0),
                                 lambda s, n: (_ar(s, 2, n),)),
    "roll_pos": _case(lambda x: np.roll(x, 2), lambda s, n: (_ar(s, n + 4),)),
    "roll_neg": _case(lambda x: np.roll(x, -2), lambda s, n: (_ar(s, n + 4),)),
    "roll_2d_flat": _case(lambda x2: np.roll(x2, 1), lambda s, n: (_ar(s, 2, n),)),
    "roll_axis0": _case(lambda x2: np.roll(x2, -1, axis=0), lambda s, n: (_ar(s, 2, n),)),
    "roll_axis1": _case(lambda x2: np.roll(x2, 1, axis=1), lambda s, n: (_ar(s, 2, n),)),
    "roll_tuple": _case(lambda x2: np.roll(x2, (1, 1), axis=(1, 0)),
                        lambda s, n: (_ar(s, 2, n),)),
    "roll_tuple_neg": _case(lambda x2: np.roll(x2, (2, 1), axis=(1, 0)),
                            lambda s, n: (_ar(s, 2, n),)),
    "flip_all": _case(lambda A: np.flip(A), lambda s, n: (_ar(s, 2, n, 2),)),
    "flip_axis0": _case(lambda A: np.flip(A, 0), lambda s, n: (_ar(s, 2, n, 2),)),
    "flip_axis1": _case(lambda A: np.flip(A, 1), lambda s, n: (_ar(s, 2, n, 2),)),
    "flip_tuple": _case(lambda A: np.flip(A, (0, 2)), lambda s, n: (_ar(s, 2, n, 2),)),
    "fliplr_flipud": _case(lambda A: (np.fliplr(A), np.flipud(A)),
                           lambda s, n: (_f(n, 3, seed=s),)),
    "rot90": _case(lambda m: np.rot90(m), lambda s, n: (_ar(s, 2, n),)),
    "rot90_k2": _case(lambda m: np.rot90(m, 2), lambda s, n: (_ar(s, 2, n),)),
    "rot90_axes": _case(lambda m: np.rot90(m, 1, (1, 0)), lambda s, n: (_ar(s, 2, n),)),
    "rot90_3d": _case(lambda m: np.rot90(m, 1, (1, 2)), lambda s, n: (_ar(s, 2, 2, n),)),
    "rot90_k_neg": _case(lambda m: np.rot90(m, -1), lambda s, n: (_ar(s, 2, n),)),
    "moveaxis": _case(lambda x: (np.moveaxis(x, 0, -1), np.moveaxis(x, -1, 0)),
                      lambda s, n: (_f(3, 4, n, seed=s),)),
    "moveaxis_multi": _case(lambda x: np.moveaxis(x, [0, 1], [-1, -2]),
                            lambda s, n: (_f(3, 4, n, seed=s),)),
    "swapaxes": _case(lambda x: np.swapaxes(x, 0, 2), lambda s, n: (_ar(s, 2, 2, n),)),
    "expand_dims": _case(lambda x: (np.expand_dims(x, axis=0), np.expand_dims(x, axis=1),
                                    np.expand_dims(x, axis=(0, 1)), np.expand_dims(x, axis=(2, 0))),
                         lambda s, n: (_ar(s, n),)),
    "squeeze": _case(lambda x: (np.squeeze(x), np.squeeze(x, axis=0), np.squeeze(x, axis=2)),
                     lambda s, n: (_ar(s, 1, n, 1),)),
    "squeeze_0d": _case(lambda x: np.squeeze(x), lambda s, n: (_ar(s, 1, 1)[:n - 3],)),
    "broadcast_to": _case(lambda x: np.broadcast_to(x, (3, x.shape[0])) + 0,
                          lambda s, n: (_ar(s, n),)),
    "broadcast_arrays": _case(lambda x, y: np.broadcast_arrays(x, y),
                              lambda s, n: (_ar(s, 1, n), _ar(s, 2, 1))),
    "insert_scalar": _case(lambda a: np.insert(a, 1, 6), lambda s, n: (_ar(s, n),)),
    "insert_axis1": _case(lambda a: np.insert(a, 1, 0, axis=1), lambda s, n: (_ar(s, n, 2),)),
    "insert_column_values": _case(lambda a: np.insert(a, 1, [[7], [8], [9]], axis=1),
                                  lambda s, n: (_ar(s, 3, n),)),
    "insert_seq": _case(lambda b: np.insert(b, [2, 2], [5, 6]), lambda s, n: (_ar(s, n),)),
    "insert_slice": _case(lambda b: np.insert(b, slice(2, 4), [7, 8]), lambda s, n: (_ar(s, n),)),
    "insert_float_cast": _case(lambda b: np.insert(b, [2, 2], [7.13, False]),
                               lambda s, n: (_ar(s, n),)),
    "insert_many": _case(lambda x: np.insert(x, (1, 3), 999, axis=1),
                         lambda s, n: (_ar(s, 2, n),)),
    "delete_row": _case(lambda arr: np.delete(arr, 1, 0), lambda s, n: (_ar(s, 3, n),)),
    "delete_slice": _case(lambda arr: np.delete(arr, np.s_[::2], 1), lambda s, n: (_ar(s, 3, n),)),
    "delete_flat": _case(lambda arr: np.delete(arr, [1, 3, 5], None), lambda s, n: (_ar(s, 3, n),)),
    "delete_bool_mask": _case(lambda arr: np.delete(arr, [True, False, True]),
                              lambda s, n: (_ar(s, 3),)),
    "append_flat": _case(lambda a, b: np.append(a, b), lambda s, n: (_ar(s, n), _ar(s, 2, 3))),
    "append_axis0": _case(lambda a, b: np.append(a, b, axis=0),
                          lambda s, n: (_ar(s, 2, n), _ar(s, 1, n))),
    "take_flat": _case(lambda a: np.take(a, [0, 1, 4]), lambda s, n: (_ar(s, n + 1),)),
    "take_indices_traced": _case(lambda a, indices: np.take(a, indices),
                                 lambda s, n: (_f(n, seed=s), _i(n, 3, seed=s))),
    "take_2d_indices": _case(lambda a: np.take(a, [[0, 1], [2, 3]]), lambda s, n: (_ar(s, n),)),
    "take_axis": _case(lambda a, idx: np.take(a, idx, axis=1),
                       lambda s, n: (_f(3, n, seed=s), _i(n, 5, seed=s))),
    "take_mode_wrap": _case(lambda a: np.take(a, [-7, 3, 9], mode="wrap"),
                            lambda s, n: (_ar(s, n),)),
    "take_mode_clip": _case(lambda a, idx: np.take(a, idx, mode="clip"),
                            lambda s, n: (_f(n, seed=s), _i(20, 5, seed=s) - 5)),
    "take_along_axis_sort": _case(lambda a: np.take_along_axis(a, np.argsort(a, axis=1), axis=1),
                                  lambda s, n: (_f(3, n, seed=s),)),
    "take_along_axis_max": _case(
        lambda a: np.take_along_axis(a, np.expand_dims(np.argmax(a, axis=1), axis=1), axis=1),
        lambda s, n: (_f(3, n, seed=s),)),
    "take_along_axis_minmax": _case(
        lambda a: np.take_along_axis(a, np.concatenate([np.argmin(a, axis=1, keepdims=True),
                                                        np.argmax(a, axis=1, keepdims=True)],
                                                       axis=1), axis=1),
        lambda s, n: (_f(3, n, seed=s),)),
    "take_along_axis_none": _case(lambda a: np.take_along_axis(a, np.argsort(a, axis=None),
                                                               axis=None),
                                  lambda s, n: (_f(3, n, seed=s),)),
    "put": _case(put_docstring, lambda s, n: (_ar(s, n),)),
    "put_clip": _case(put_clip, lambda s, n: (_ar(s, n),)),
    "put_along_axis": _case(put_along_axis_max, lambda s, n: (_f(3, n, seed=s),)),
    "choose_rows": _case(lambda choices: np.choose([2, 3, 1, 0], choices),
                         lambda s, n: (_ar(s, n, 4),)),
    "choose_clip": _case(lambda choices: np.choose([2, 4, 1, 0], choices, mode="clip"),
                         lambda s, n: (_ar(s, n, 4),)),
    "choose_wrap": _case(lambda choices: np.choose([2, 4, 1, 0], choices, mode="wrap"),
                         lambda s, n: (_ar(s, n, 4),)),
    "choose_broadcast": _case(lambda a: np.choose(a, (-10, 10)),
                              lambda s, n: (_i(2, 3, n, seed=s),)),
    "choose_broadcast_arrays": _case(lambda c1, c2: np.choose(np.array([0, 1, 1]).reshape(3, 1),
                                                              (c1, c2)),
                                     lambda s, n: (_f(1, n, seed=s), _f(3, 1, seed=s + 1))),
    "choose_traced_index": _case(lambda a, choices: np.choose(a, choices),
                                 lambda s, n: (_i(3, n, seed=s), _f(3, n, seed=s))),
    "select": _case(lambda x: np.select([x < 3, x > 5], [x, x ** 2], 42),
                    lambda s, n: (_ar(s, n + 4),)),
    "select_default": _case(lambda x: np.select([x < 6, x > 1], [x, x ** 2]),
                            lambda s, n: (_ar(s, n + 4),)),
    "piecewise_constants": _case(piecewise_sign, lambda s, n: (np.linspace(-2.5, 2.5, n + 2),)),
    "piecewise_lambdas": _case(piecewise_abs, lambda s, n: (np.linspace(-2.5, 2.5, n + 2),)),
    "piecewise_0d": _case(piecewise_scalar, lambda s, n: (np.array(-2.0 + s),)),
    "where_3arg": _case(lambda a: np.where(a < 5, a, 10 * a), lambda s, n: (_ar(s, n + 4),)),
    "where_broadcast": _case(lambda x, y: np.where(x < y, x, 10 + y),
                             lambda s, n: (_ar(s, 3, 1), _ar(s, 1, n))),
    "where_nested_list": _case(lambda a: np.where([[True, False], [True, True]],
                                                  a, [[9, 8], [7, 6]]),
                               lambda s, n: (_ar(s, 2, 2),)),
    "where_scalar_branch": _case(lambda a: np.where(a < 4, a, -1), lambda s, n: (_ar(s, 3, n),)),
    "copyto_where": _case(copyto_where, lambda s, n: (_ar(s, n, 3), _ar(s + 10, 3))),
    "copyto_unsafe": _case(copyto_cast, lambda s, n: (_ar(s, n), _f(n, seed=s) * 10)),
    "fill_diagonal": _case(fill_diagonal_square, lambda s, n: (np.zeros((n, n), int),)),
    "fill_diagonal_tall_wrap": _case(fill_diagonal_tall, lambda s, n: (np.zeros((n + 3, 3), int),)),
    "fill_diagonal_3d": _case(fill_diagonal_square, lambda s, n: (np.zeros((n, n, n), int),)),
    "fill_diagonal_traced": _case(fill_diagonal_values,
                                  lambda s, n: (_f(n, n, seed=s), _f(n, seed=s + 1))),
    "fill_diagonal_fliplr": _case(fill_diagonal_flipped, lambda s, n: (np.zeros((3, 3), int) + s,)),
    "pad_constant": _case(lambda a: np.pad(a, (2, 3), "constant", constant_values=(4, 6)),
                          lambda s, n: (_ar(s, n),)),
    "pad_edge": _case(lambda a: np.pad(a, (2, 3), "edge"), lambda s, n: (_ar(s, n),)),
    "pad_linear_ramp": _case(lambda a: np.pad(a, (2, 3), "linear_ramp", end_values=(5, -4)),
                             lambda s, n: (_ar(s, n),)),
    "pad_maximum": _case(lambda a: np.pad(a, (2,), "maximum"), lambda s, n: (_f(n, seed=s),)),
    "pad_mean": _case(lambda a: np.pad(a, (2,), "mean"), lambda s, n: (_f(n, seed=s),)),
    "pad_median": _case(lambda a: np.pad(a, (2,), "median"), lambda s, n: (_f(n, seed=s),)),
    "pad_minimum_2d": _case(lambda a: np.pad(a, ((3, 2), (2, 3)), "minimum"),
                            lambda s, n: (_f(2, n, seed=s),)),
    "pad_reflect": _case(lambda a: np.pad(a, (2, 3), "reflect"), lambda s, n: (_ar(s, n),)),
    "pad_reflect_odd": _case(lambda a: np.pad(a, (2, 3), "reflect", reflect_type="odd"),
                             lambda s, n: (_f(n, seed=s),)),
    "pad_symmetric": _case(lambda a: np.pad(a, (2, 3), "symmetric"), lambda s, n: (_ar(s, n),)),
    "pad_symmetric_odd": _case(lambda a: np.pad(a, (2, 3), "symmetric", reflect_type="odd"),
                               lambda s, n: (_f(n, seed=s),)),
    "pad_wrap": _case(lambda a: np.pad(a, (2, 3), "wrap"), lambda s, n: (_ar(s, n),)),
    "pad_empty_shape": _case(lambda a: np.pad(a, (2, 3), "empty")[2:-3],
                             lambda s, n: (_f(n, seed=s),)),
    "pad_callable": _case(pad_callable, lambda s, n: (_ar(s, 2, n),)),
    "pad_reflect_wide": _case(lambda a: np.pad(a, 7, "reflect"), lambda s, n: (_f(n, seed=s),)),
    "pad_wrap_wide": _case(lambda a: np.pad(a, ((1, 9), (0, 0)), "wrap"),
                           lambda s, n: (_f(n, 2, seed=s),)),
    "pad_stat_length": _case(lambda a: np.pad(a, 3, "mean", stat_length=2),
                             lambda s, n: (_f(n, seed=s),)),
    "place": _case(place_docstring, lambda s, n: (_ar(s - 1, 2, n),)),
    "diag_k": _case(lambda x: (np.diag(x), np.diag(x, k=1), np.diag(x, k=-1)),
                    lambda s, n: (_ar(s, 3, n),)),
    "diag_build": _case(lambda x: np.diag(np.diag(x)), lambda s, n: (_ar(s, n, n),)),
    "diag_1d_offset": _case(lambda v: np.diag(v, -2), lambda s, n: (_f(n, seed=s),)),
    "diagonal_offset": _case(lambda a: (a.diagonal(), a.diagonal(1)), lambda s, n: (_ar(s, 2, n),)),
    "diagonal_3d": _case(lambda a: (a.diagonal(0, 0, 1), a.diagonal(0, -2, -1)),
                         lambda s, n: (_ar(s, 2, 2, n),)),
    "diagonal_flipped": _case(lambda a: (np.fliplr(a).diagonal(), np.flipud(a).diagonal()),
                              lambda s, n: (_ar(s, n, n),)),
    "diagflat": _case(lambda v: (np.diagflat(v), np.diagflat(v, 1)),
                      lambda s, n: (_ar(s, 2, n),)),
    "tri": _case(lambda a: (np.tri(3, 5, 2, dtype=int) * a, np.tri(3, 5, -1)),
                 lambda s, n: (_ar(s, 3, 5),)),
    "tril_triu": _case(lambda a: (np.tril(a, -1), np.triu(a, -1), np.tril(a), np.triu(a, 1)),
                       lambda s, n: (_ar(s, n, 3),)),
    "tril_3d": _case(lambda a: np.tril(a), lambda s, n: (_ar(s, 3, n, 5),)),
    "triu_indices_from": _case(lambda a: a[np.triu_indices_from(a)],
                               lambda s, n: (_ar(s, n, n),)),
    "triu_indices_from_k": _case(lambda a: (np.triu_indices_from(a, k=1),
                                            a[np.tril_indices_from(a, -1)]),
                                 lambda s, n: (_ar(s, n, n),)),
    "triu_indices_write": _case(triu_indices_write, lambda s, n: (_f(n, n, seed=s),)),
    "meshgrid": _case(lambda x, y: np.meshgrid(x, y), lambda s, n: (np.linspace(0, 1, n),
                                                                     np.linspace(0, 1, 2))),
    "meshgrid_ij_sparse": _case(lambda x, y: np.meshgrid(x, y, sparse=True, indexing="ij"),
                                lambda s, n: (_f(n, seed=s), _f(3, seed=s))),
    "meshgrid_function": _case(meshgrid_radius, lambda s, n: (np.linspace(-5, 5, n),
                                                              np.linspace(-5, 5, 5))),
    "indices": _case(lambda x: x[tuple(np.indices((2, 3)))], lambda s, n: (_ar(s, n, 5),)),
    "indices_sparse": _case(indices_sparse, lambda s, n: (_ar(s, n, 5),)),
    "ix_": _case(lambda a: a[np.ix_([0, 1], [2, 4])], lambda s, n: (_ar(s, 2, n + 1),)),
    "ix_bool": _case(lambda a: a[np.ix_([True, True], [2, 4])], lambda s, n: (_ar(s, 2, n + 1),)),
    "ix_traced": _case(lambda a, r, c: a[np.ix_(r, c)],
                       lambda s, n: (_f(n, n, seed=s), _i(n, 2, seed=s), _i(n, 3, seed=s + 1))),
    "ravel_multi_index": _case(lambda arr: np.ravel_multi_index(arr, (7, 6)),
                               lambda s, n: (np.stack([_i(7, n, seed=s), _i(6, n, seed=s + 1)]),)),
    "ravel_multi_index_modes": _case(
        lambda arr: (np.ravel_multi_index(arr, (7, 6), mode="clip"),
                     np.ravel_multi_index(arr, (4, 6), mode=("clip", "wrap"))),
        lambda s, n: (np.stack([_i(12, n, seed=s), _i(12, n, seed=s + 1)]),)),
    "ravel_multi_index_F": _case(lambda arr: np.ravel_multi_index(arr, (7, 6), order="F"),
                                 lambda s, n: (np.stack([_i(7, n, seed=s), _i(6, n, seed=s)]),)),
    "unravel_index": _case(lambda idx: np.unravel_index(idx, (7, 6)),
                           lambda s, n: (_i(42, n, seed=s),)),
    "unravel_index_F": _case(lambda idx: np.unravel_index(idx, (7, 6), order="F"),
                             lambda s, n: (_i(42, n, seed=s),)),
    "unravel_index_argmax": _case(lambda a: np.unravel_index(np.argmax(a), a.shape),
                                  lambda s, n: (_f(3, n, seed=s),)),
    "extract_fixed_shape_via_where": _case(lambda arr: np.where(np.mod(arr, 3) == 0, arr, 0),
                                           lambda s, n: (_ar(s, 3, n),)),
}


@pytest.mark.parametrize("name", _names(MANIPULATION))
def test_array_creation_and_manipulation(name):
    check_like_numpy(*MANIPULATION[name])


# ---- elementwise, calculus, polynomial and linear-algebra math -----------------------------

def _phase(s, n):
    """The `unwrap` docstring's phase: a ramp with a jump of pi past the middle."""
    phase = np.linspace(0, np.pi, num=n + 1) + 0.01 * s
    phase[(n + 1) // 2:] += np.pi
    return phase


def _nonfinite(s, n):
    """The `nan_to_num` docstring's array of infinities, a nan and finite values."""
    return np.concatenate([[np.inf, -np.inf, np.nan], _f(n, seed=s) * 128])


def _spd(s, n):
    """A symmetric positive definite matrix."""
    a = _f(n, n, seed=s)
    return a @ a.T + n * np.eye(n)


def clip_in_place(a):
    np.clip(a, 3, 6, out=a)
    return a


def cumsum_out(a, out):
    np.cumsum(a, axis=1, out=out)
    return out


MATH = {
    "cumsum": _case(lambda a: (np.cumsum(a), np.cumsum(a, dtype=float), np.cumsum(a, axis=0),
                               np.cumsum(a, axis=1)), lambda s, n: (_ar(s, 2, n),)),
    "cumsum_float32_sum": _case(lambda b: (b.cumsum()[-1], b.sum()),
                                lambda s, n: (np.array([1, 2e-9, 3e-9] * n, dtype=np.float32),)),
    "cumsum_out": _case(cumsum_out, lambda s, n: (_f(3, n, seed=s), np.zeros((3, n)))),
    "cumsum_bool": _case(lambda m: (np.cumsum(m), np.cumsum(m, axis=-1)),
                         lambda s, n: (_f(3, n, seed=s) > 0,)),
    "cumprod": _case(lambda a: (np.cumprod(a), np.cumprod(a, dtype=float), np.cumprod(a, axis=0),
                                np.cumprod(a, axis=1)), lambda s, n: (_ar(s, 2, n),)),
    "cumulative_sum": _case(lambda a: (np.cumulative_sum(a, axis=0, include_initial=True),
                                       np.cumulative_prod(a, axis=1)),
                            lambda s, n: (_ar(s, 2, n),)),
    "nancumsum": _case(lambda a: (np.nancumsum(a), np.nancumsum(a, axis=0),
                                  np.nancumprod(a, axis=1)),
                       lambda s, n: (np.where(_f(2, n, seed=s) > 0.5, np.nan, _f(2, n, seed=s)),)),
    "diff": _case(lambda x: (np.diff(x), np.diff(x, n=2)), lambda s, n: (_ar(s, n) ** 2,)),
    "diff_2d": _case(lambda x: (np.diff(x), np.diff(x, axis=0), np.diff(x, n=2, axis=-1)),
                     lambda s, n: (_f(3, n, seed=s),)),
    "diff_prepend_append": _case(lambda x: (np.diff(x, prepend=0), np.diff(x, append=[5, 6])),
                                 lambda s, n: (_ar(s, n),)),
    "diff_uint8": _case(lambda u8_arr: (np.diff(u8_arr), u8_arr[1:] - u8_arr[:-1],
                                        np.diff(u8_arr.astype(np.int16))),
                        lambda s, n: (_i(256, n, seed=s).astype(np.uint8),)),
    "diff_bool": _case(lambda x: np.diff(x), lambda s, n: (_f(n, seed=s) > 0,)),
    "ediff1d": _case(lambda x: (np.ediff1d(x),
                                np.ediff1d(x, to_begin=-99, to_end=np.array([88, 99]))),
                     lambda s, n: (_i(20, n, seed=s),)),
    "ediff1d_2d": _case(lambda y: np.ediff1d(y), lambda s, n: (_i(30, 2, n, seed=s),)),
    "gradient": _case(lambda f: (np.gradient(f), np.gradient(f, 2)),
                      lambda s, n: (_i(20, n + 2, seed=s),)),
    "gradient_coordinates": _case(lambda f, x: np.gradient(f, x),
                                  lambda s, n: (_f(n + 2, seed=s),
                                                np.cumsum(_f(n + 2, seed=s + 1, positive=True)))),
    "gradient_2d": _case(lambda f: np.gradient(f), lambda s, n: (_i(9, 2, n, seed=s),)),
    "gradient_mixed_spacing": _case(lambda f, y: np.gradient(f, 2.0, y),
                                    lambda s, n: (_i(9, 2, n, seed=s),
                                                  np.cumsum(_f(n, seed=s, positive=True)))),
    "gradient_edge_order": _case(lambda x: (np.gradient(x ** 2, edge_order=1),
                                            np.gradient(x ** 2, edge_order=2)),
                                 lambda s, n: (_ar(s, n + 1),)),
    "gradient_edge2_nonuniform": _case(lambda f, x: np.gradient(f, x, edge_order=2),
                                       lambda s, n: (_f(n + 2, seed=s),
                                                     np.cumsum(_f(n + 2, seed=s, positive=True)))),
    "gradient_axis": _case(lambda f: (np.gradient(f, axis=0), np.gradient(f, axis=-1),
                                      np.gradient(f, axis=(0, 1))),
                           lambda s, n: (_f(3, n, seed=s),)),
    "gradient_float32": _case(lambda f: np.gradient(f),
                              lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "trapezoid": _case(lambda y: (np.trapezoid(y), np.trapezoid(y, dx=2)),
                       lambda s, n: (_ar(s, n),)),
    "trapezoid_x": _case(lambda y, x: (np.trapezoid(y, x=x), np.trapezoid(y, x=x[::-1])),
                         lambda s, n: (_f(n, seed=s), np.cumsum(_f(n, seed=s, positive=True)))),
    "trapezoid_circle": _case(lambda theta: np.trapezoid(np.cos(theta), x=np.sin(theta)),
                              lambda s, n: (np.linspace(0, 2 * np.pi, num=10 * n, endpoint=True),)),
    "trapezoid_axis": _case(lambda a: (np.trapezoid(a, axis=0), np.trapezoid(a, axis=1)),
                            lambda s, n: (_ar(s, 2, n),)),
    "trapezoid_2d_x": _case(lambda a, x: np.trapezoid(a, x=x, axis=1),
                            lambda s, n: (_f(3, n, seed=s), np.linspace(0, 1, n))),
    "convolve_full": _case(lambda a, v: np.convolve(a, v),
                           lambda s, n: (_ar(s, n), np.array([0, 1, 0.5]))),
    "convolve_same": _case(lambda a, v: np.convolve(a, v, "same"),
                           lambda s, n: (_f(n, seed=s), _f(3, seed=s))),
    "convolve_valid": _case(lambda a, v: np.convolve(a, v, "valid"),
                            lambda s, n: (_f(n, seed=s), _f(3, seed=s))),
    "convolve_swapped": _case(lambda a, v: (np.convolve(v, a, "same"), np.convolve(v, a, "valid")),
                              lambda s, n: (_f(n, seed=s), _f(n + 2, seed=s + 1))),
    "convolve_int": _case(lambda a, v: np.convolve(a, v),
                          lambda s, n: (_ar(s, n), _i(5, 3, seed=s))),
    "correlate": _case(lambda a, v: (np.correlate(a, v), np.correlate(a, v, "same"),
                                     np.correlate(a, v, "full")),
                       lambda s, n: (_f(n, seed=s), np.array([0, 1, 0.5]))),
    "correlate_complex": _case(lambda a, v: (np.correlate(a, v, "full"),
                                             np.correlate(v, a, "full")),
                               lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1),
                                             np.array([0, 1, 0.5j]))),
    "interp_scalar": _case(lambda xp, fp: (np.interp(2.5, xp, fp),
                                           np.interp(3.14, xp, fp, right=-99.0)),
                           lambda s, n: (np.arange(1.0, n + 1), _f(n, seed=s))),
    "interp_points": _case(lambda x, xp, fp: np.interp(x, xp, fp),
                           lambda s, n: (np.array([0, 1, 1.5, 2.72, 3.14]) + s / 3,
                                         np.arange(1, n + 1), _f(n, seed=s))),
    "interp_left_right": _case(lambda x, xp, fp: np.interp(x, xp, fp, left=-1.0, right=2.0),
                               lambda s, n: (_f(2 * n, seed=s) * 3, np.sort(_f(n, seed=s)),
                                             _f(n, seed=s + 1))),
    "interp_sine": _case(lambda x, xvals: np.interp(xvals, x, np.sin(x)),
                         lambda s, n: (np.linspace(0, 2 * np.pi, 10),
                                       np.linspace(0, 2 * np.pi, 5 * n))),
    "interp_period": _case(lambda x, xp, fp: np.interp(x, xp, fp, period=360),
                           lambda s, n: (np.array([-180, -170, -185, 185, -10, -5, 0, 365])[:n + 2],
                                         np.array([190, -190, 350, -350]),
                                         np.array([5, 10, 3, 4]) + s)),
    "interp_complex": _case(lambda x, xp, fp: np.interp(x, xp, fp),
                            lambda s, n: (np.linspace(1.5, 4.0, n), np.array([2, 3, 5]),
                                          np.array([1.0j, 0, 2 + 3j]) * s)),
    "interp_float32": _case(lambda x, xp, fp: np.interp(x, xp, fp),
                            lambda s, n: (_r(s, n).astype(np.float32), np.linspace(0, 1, 5),
                                          _f(5, seed=s).astype(np.float32))),
    "clip": _case(lambda a: (np.clip(a, 1, 8), np.clip(a, 8, 1), np.clip(a, 3, 6)),
                  lambda s, n: (_ar(s, n + 6),)),
    "clip_out": _case(clip_in_place, lambda s, n: (_ar(s, n + 6),)),
    "clip_array_bounds": _case(lambda a: np.clip(a, [3, 4, 1, 1, 1, 4, 4, 4, 4, 4][:a.size], 8),
                               lambda s, n: (_ar(s, n),)),
    "clip_none": _case(lambda a: (np.clip(a, None, 2), np.clip(a, -1, None), np.clip(a, min=0)),
                       lambda s, n: (_f(n, seed=s),)),
    "clip_int_float_bounds": _case(lambda a: np.clip(a, 1.5, 4.5), lambda s, n: (_ar(s, n),)),
    "round_decimals": _case(lambda a: (np.round(a), np.round(a, decimals=1), np.around(a, 2),
                                       np.round(a, -1)),
                            lambda s, n: (_f(n, seed=s) * 100,)),
    "round_half_even": _case(lambda a: np.round(a), lambda s, n: (np.arange(n) + 0.5,)),
    "round_ints": _case(lambda a: (np.round(a, decimals=-1), np.round(a, 1)),
                        lambda s, n: (_ar(s, n) * 7,)),
    "round_float32": _case(lambda a: np.round(a, 2),
                           lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "round_complex": _case(lambda a: np.round(a, 1),
                           lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1),)),
    "fix": _case(lambda x: (np.fix(x), np.fix(3.14), np.trunc(x)),
                 lambda s, n: (_f(n, seed=s) * 3,)),
    "sign": _case(lambda x: (np.sign(x), np.sign(x.astype(int))),
                  lambda s, n: (_f(n, seed=s) * 3,)),
    "sign_complex": _case(lambda z: np.sign(z),
                          lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1),)),
    "heaviside": _case(lambda x: (np.heaviside(x, 0.5), np.heaviside(x, 1)),
                       lambda s, n: (np.round(_f(n, seed=s)),)),
    "nan_to_num": _case(lambda x: (np.nan_to_num(x), np.nan_to_num(x, nan=-9999, posinf=33333333,
                                                                   neginf=33333333)),
                        lambda s, n: (_nonfinite(s, n),)),
    "nan_to_num_array_values": _case(
        lambda x, nan, posinf, neginf: np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf),
        lambda s, n: (_nonfinite(s, n), _f(n + 3, seed=s), _f(n + 3, seed=s + 1),
                      _f(n + 3, seed=s + 2))),
    "nan_to_num_complex": _case(lambda y: (np.nan_to_num(y), np.nan_to_num(y, nan=111111,
                                                                          posinf=222222)),
                                lambda s, n: (np.array([complex(np.inf, np.nan), np.nan,
                                                        complex(np.nan, np.inf)] * n),)),
    "nan_to_num_float32": _case(lambda x: np.nan_to_num(x),
                                lambda s, n: (_nonfinite(s, n).astype(np.float32),)),
    "nan_to_num_copy_false": _case(lambda x: (np.nan_to_num(x, copy=False), x)[1],
                                   lambda s, n: (_nonfinite(s, n),)),
    "angle": _case(lambda z: (np.angle(z), np.angle(z, deg=True)),
                   lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1),)),
    "angle_real": _case(lambda x: np.angle(x), lambda s, n: (_f(n, seed=s),)),
    "unwrap": _case(lambda phase: np.unwrap(phase), lambda s, n: (_phase(s, n),)),
    "unwrap_period_int": _case(lambda p: np.unwrap(p, period=4),
                               lambda s, n: (np.array([0, 1, 2, -1, 0, 1, 2, 3])[:n + 2],)),
    "unwrap_period6": _case(lambda p: (np.unwrap(p, period=6), np.unwrap(p + 1, period=4)),
                            lambda s, n: (np.array([1, 2, 3, 4, 5, 6, 1, 2, 3])[:n + 3],)),
    "unwrap_deg": _case(lambda phase_deg: np.unwrap(phase_deg, period=360),
                        lambda s, n: (np.mod(np.linspace(0, 720, 3 * n + 1), 360) - 180,)),
    "unwrap_axis_discont": _case(lambda p: (np.unwrap(p, axis=0), np.unwrap(p, discont=4.0)),
                                 lambda s, n: (np.cumsum(_f(3, n, seed=s), axis=1) * 3,)),
    "sinc": _case(lambda x: np.sinc(x), lambda s, n: (np.linspace(-4, 4, 4 * n + 1),)),
    "i0": _case(lambda x: (np.i0(0.0), np.i0(x)), lambda s, n: (np.linspace(0, 3, n),)),
    "polyval": _case(lambda p: (np.polyval(p, 5), np.polyval(p, 0.5)),
                     lambda s, n: (_ar(s, n).astype(float),)),
    "polyval_array": _case(lambda p, x: np.polyval(p, x),
                           lambda s, n: (_f(3, seed=s), _f(n, seed=s))),
    "polyval_int": _case(lambda p, x: np.polyval(p, x), lambda s, n: (_ar(s, 3), _ar(s, n))),
    "polyfit": _case(lambda x, y: np.polyfit(x, y, 3),
                     lambda s, n: (np.linspace(0, 5, n + 2), _f(n + 2, seed=s))),
    "polyfit_deg1": _case(lambda x, y: np.polyfit(x, y, 1),
                          lambda s, n: (np.linspace(0, 5, n + 2), _f(n + 2, seed=s))),
    "polyfit_2d_y": _case(lambda x, y: np.polyfit(x, y, 2),
                          lambda s, n: (np.linspace(0, 5, n + 2), _f(n + 2, 3, seed=s))),
    "polyfit_weights": _case(lambda x, y, w: np.polyfit(x, y, 2, w=w),
                             lambda s, n: (np.linspace(0, 5, n + 2), _f(n + 2, seed=s),
                                           _f(n + 2, seed=s, positive=True))),
    "polyfit_full": _case(lambda x, y: np.polyfit(x, y, 2, full=True)[0],
                          lambda s, n: (np.linspace(0, 5, n + 2), _f(n + 2, seed=s))),
    "polyfit_cov": _case(lambda x, y: np.polyfit(x, y, 2, cov=True),
                         lambda s, n: (np.linspace(0, 5, n + 4), _f(n + 4, seed=s))),
    "polyder": _case(lambda p: (np.polyder(p), np.polyder(p, 2), np.polyder(p, 3)),
                     lambda s, n: (_ar(s, n).astype(float),)),
    "polyint": _case(lambda p: (np.polyint(p), np.polyint(p, 3), np.polyint(p, 3, k=6),
                                np.polyint(p, 3, k=[6, 5, 3])),
                     lambda s, n: (_f(n, seed=s),)),
    "poly": _case(lambda r: np.poly(r), lambda s, n: (_f(n, seed=s),)),
    "polyadd_sub": _case(lambda a, b: (np.polyadd(a, b), np.polysub(a, b)),
                         lambda s, n: (_f(n, seed=s), _f(3, seed=s + 1))),
    "vander": _case(lambda x: (np.vander(x, 3), np.vander(x), np.vander(x, increasing=True),
                               np.vander(x, 4, increasing=True)),
                    lambda s, n: (_ar(s, n),)),
    "vander_float": _case(lambda x: np.linalg.det(np.vander(x)), lambda s, n: (_f(n, seed=s),)),
    "cross": _case(lambda x, y: (np.cross(x, y), np.cross(y, x)),
                   lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1))),
    "cross_2d": _case(lambda x, y: np.cross(x, y),
                      lambda s, n: (_f(3, seed=s), _f(n, 3, seed=s + 1))),
    "cross_axes": _case(lambda x, y: (np.cross(x, y, axisc=0), np.cross(x, y, axisa=0, axisb=0)),
                        lambda s, n: (_f(3, 3, seed=s), _f(3, 3, seed=s + 1) + n)),
    "cross_ints": _case(lambda x, y: np.cross(x, y),
                        lambda s, n: (_ar(s, n, 3), _ar(s + 2, n, 3)[::-1])),
    "outer": _case(lambda a, b: (np.outer(a, b), np.outer(np.ones((5,)), np.linspace(-2, 2, 5))),
                   lambda s, n: (_f(n, seed=s), _f(n + 1, seed=s))),
    "outer_complex_grid": _case(
        lambda rl, im: np.outer(rl, np.ones((5,))) + np.outer(1j * im, np.ones((5,))),
        lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "outer_2d": _case(lambda a, b: np.outer(a, b), lambda s, n: (_ar(s, 2, n), _ar(s, 3))),
    "inner": _case(lambda a, b: (np.inner(a, b), np.inner(a, 2)),
                   lambda s, n: (_ar(s, n), _ar(s + 1, n))),
    "inner_nd": _case(lambda a, b: np.inner(a, b), lambda s, n: (_ar(s, 2, 3, n), _ar(s, n))),
    "inner_2d": _case(lambda a, b: np.inner(a, b),
                      lambda s, n: (_f(2, n, seed=s), _f(3, n, seed=s))),
    "kron": _case(lambda a, b: (np.kron(a, b), np.kron(b, a)),
                  lambda s, n: (_ar(s, n), _ar(s, 3) * 10)),
    "kron_eye": _case(lambda a: np.kron(np.eye(2), a), lambda s, n: (_f(2, n, seed=s),)),
    "kron_nd": _case(lambda a, b: np.kron(a, b),
                     lambda s, n: (_f(2, n, 3, seed=s), _f(2, 2, seed=s))),
    "tensordot": _case(lambda a, b: np.tensordot(a, b, axes=([1, 0], [0, 1])),
                       lambda s, n: (_ar(s, 3, 4, n), _ar(s, 4, 3, 2))),
    "tensordot_int_axes": _case(lambda a, b: (np.tensordot(a, b, 1), np.tensordot(a, b.T, 0).shape,
                                              np.tensordot(a, b.T, axes=((0, 1), (0, 1)))),
                                lambda s, n: (_f(2, n, seed=s), _f(n, 2, seed=s))),
    "tensordot_default": _case(lambda a, b: np.tensordot(a, b),
                               lambda s, n: (_f(3, 2, n, seed=s), _f(2, n, seed=s))),
    "matmul": _case(lambda a, b: (np.matmul(a, b), a @ b),
                    lambda s, n: (_f(n, 3, seed=s), _f(3, 2, seed=s))),
    "matmul_stack": _case(lambda a, b: np.matmul(a, b),
                          lambda s, n: (_ar(s, 2, 2, n), _ar(s, 2, n, 2))),
    "matmul_vector": _case(lambda a, b: (np.matmul(a, b), np.matmul(b, a.T)),
                           lambda s, n: (_f(3, n, seed=s), _f(n, seed=s))),
    "matmul_complex": _case(lambda a, b: np.matmul(a, b),
                            lambda s, n: (_f(n, 2, seed=s) + 1j, _f(2, seed=s) - 2j)),
    "matmul_broadcast": _case(lambda a, b: np.matmul(a, b), lambda s, n: (_f(n, 7, 4, seed=s),
                                                                          _f(1, 4, 3, seed=s))),
    "matmul_ints_bools": _case(lambda a, b: (a @ b, (a > 2) @ (b > 2)),
                               lambda s, n: (_ar(s, n, 3), _ar(s, 3, 2))),
    "vdot": _case(lambda a, b: (np.vdot(a, b), np.vdot(b, a)),
                  lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1), _f(n, seed=s + 2) + 2j)),
    "vdot_2d": _case(lambda a, b: (np.vdot(a, b), np.vdot(b, a)),
                     lambda s, n: (_ar(s, 2, n), _ar(s, 2, n) * 3)),
    "dot": _case(lambda a, b: (np.dot(3, 4), np.dot(a, b), np.dot(a[0], b[:, 0])),
                 lambda s, n: (_f(n, n, seed=s), _f(n, n, seed=s + 1))),
    "dot_nd": _case(lambda a, b: (np.dot(a, b)[2, 3, 2, 1, 2, 2], np.dot(a, b).shape),
                    lambda s, n: (_ar(s, 3, n, 5, 6),
                                  _ar(s, 5 * 4 * 6 * 3)[::-1].reshape(5, 4, 6, 3))),
}


def lstsq_line(x, y):
    """The `lstsq` docstring's line fit `y = mx + c` through `A = [[x 1]]`."""
    A = np.vstack([x, np.ones(len(x))]).T
    return np.linalg.lstsq(A, y)


def eigh_abs_vectors(a):
    """Eigenvalues and eigenvectors up to the vectors' signs."""
    w, v = np.linalg.eigh(a)
    return w, np.abs(v)


def svd_reduced(a):
    U, S, Vh = np.linalg.svd(a, full_matrices=False)
    return S, np.abs(U), np.abs(Vh), (U * S) @ Vh


def qr_abs(a):
    Q, R = np.linalg.qr(a)
    return np.abs(Q), np.abs(R), Q @ R


def svd_full_matrices(a):
    U, S, Vh = np.linalg.svd(a)
    return U.shape, S, Vh.shape, np.allclose(a, np.dot(U[:, :a.shape[1]] * S, Vh))


def einsum_out(a, out):
    np.einsum("ii->i", a, out=out)
    return out


EINSUM = {
    "trace_ii": "ii", "diag_ii_i": "ii->i", "sum_ij_j": "ij->j", "transpose_ji": "ji",
    "transpose_ij_ji": "ij->ji", "vector_inner": "i,i", "matvec_ij_j": "ij,j",
    "matvec_implicit": "ij,j->i", "outer_i_j": "i,j", "tensor_ijk": "ijk,jil->kl",
    "ellipsis_sum": "...j->...", "ellipsis_matvec": "...j,j", "batch_matmul": "bij,bjk->bik",
    "ellipsis_transpose": "ij...->...ji", "ellipsis_batched": "...ij,...jk->...ik",
    "hadamard": "ij,ij->ij", "sum_all": "ij->", "three_operand": "ij,jk,kl->il",
    "bilinear": "i,ij,j->", "pairwise_sqdist": "nd,md->nm", "attention_scores": "bhqd,bhkd->bhqk",
    "diag_mult": "i,ij->ij", "broadcast_scalar": ",ij->ij",
}


def _einsum_operands(spec, s, n):
    """Operands for an `einsum` spec: letter `i` has size n, others 2, 3, ... by letter."""
    inputs = spec.split("->")[0].split(",")
    size = {"i": n, "j": 3, "k": 2, "l": 4, "b": 2, "h": 2, "q": 3, "d": 5, "n": n, "m": 3}
    ops = []
    for k, term in enumerate(inputs):
        shape = tuple(size[c] for c in term.replace("...", ""))
        if "..." in term:
            shape = (2,) + shape if term.startswith("...") else shape + (2,)
        if term in ("ii", "ij") and spec.startswith("ii"):
            shape = (n, n)
        ops.append(_f(*shape, seed=s + k) if shape else np.float64(s + k))
    return tuple(ops)


for _name, _spec in EINSUM.items():
    MATH["einsum_" + _name] = _case(
        lambda *ops, spec: np.einsum(spec, *ops),
        lambda s, n, spec=_spec: _einsum_operands(spec, s, n), spec=_spec)

MATH.update({
    "einsum_int": _case(lambda a, b: (np.einsum("ij,jk", a, b), np.einsum("ii", a[:3, :3])),
                        lambda s, n: (_ar(s, n, 3), _ar(s, 3, 2))),
    "einsum_sublist": _case(lambda a, b: (np.einsum(a, [0, 0]), np.einsum(a, [0, 1], b, [1])),
                            lambda s, n: (_f(n, n, seed=s), _f(n, seed=s))),
    "einsum_optimize": _case(lambda a, b, c: np.einsum("ij,jk,kl->il", a, b, c, optimize="optimal"),
                             lambda s, n: (_f(n, 3, seed=s), _f(3, 4, seed=s), _f(4, 2, seed=s))),
    "einsum_out": _case(einsum_out, lambda s, n: (_f(n, n, seed=s), np.zeros(n))),
    "einsum_dtype_view": _Xfail(
        "tracenp raises TypeError (int64 to float32 under casting='safe'); NumPy ignores dtype= "
        "for a single-operand transpose and returns the int64 view",
        lambda a: np.einsum("ji", a, dtype="float32"), {}, lambda s, n: (_ar(s, 2, n),)),
    "einsum_dtype_unsafe": _case(lambda a, b: (np.einsum("ij,jk", a, b, dtype="float32",
                                                         casting="unsafe"),
                                               np.einsum("..., ...", 3, a, dtype="float64",
                                                         casting="unsafe")),
                                 lambda s, n: (_ar(s, 2, n), _ar(s, n, 3))),
    "einsum_complex": _case(lambda a, b: np.einsum("i,i", a, b.conj()),
                            lambda s, n: (_f(n, seed=s) + 1j, _f(n, seed=s) - 1j)),
    "einsum_repeated_output": _case(lambda a: np.einsum("iji->j", a),
                                    lambda s, n: (_f(3, n, 3, seed=s),)),
    "einsum_path": _case(lambda a, b, c: np.einsum(
        "ij,jk,kl->il", a, b, c, optimize=np.einsum_path("ij,jk,kl->il", a, b, c,
                                                         optimize="greedy")[0]),
        lambda s, n: (_f(n, 3, seed=s), _f(3, 4, seed=s), _f(4, 2, seed=s))),
})


def _ords(x):
    return (np.linalg.norm(x), np.linalg.norm(x, np.inf), np.linalg.norm(x, -np.inf),
            np.linalg.norm(x, 1), np.linalg.norm(x, -1), np.linalg.norm(x, 2),
            np.linalg.norm(x, -2), np.linalg.norm(x, 0), np.linalg.norm(x, 3))


LINALG = {
    "norm_vector_ords": _case(_ords, lambda s, n: (_f(n, seed=s),)),
    "norm_matrix_ords": _case(lambda b: (np.linalg.norm(b), np.linalg.norm(b, "fro"),
                                         np.linalg.norm(b, np.inf), np.linalg.norm(b, -np.inf),
                                         np.linalg.norm(b, 1), np.linalg.norm(b, -1),
                                         np.linalg.norm(b, 2), np.linalg.norm(b, -2),
                                         np.linalg.norm(b, "nuc")),
                              lambda s, n: (_f(3, n, seed=s),)),
    "norm_int_input": _case(lambda a: (np.linalg.norm(a), np.linalg.norm(a, 1)),
                            lambda s, n: (_ar(s - 4, n + 5),)),
    "norm_axis": _case(lambda c: (np.linalg.norm(c, axis=0), np.linalg.norm(c, axis=1),
                                  np.linalg.norm(c, ord=1, axis=1), np.linalg.norm(c, axis=-1,
                                                                                   keepdims=True)),
                       lambda s, n: (_f(2, n, seed=s),)),
    "norm_matrix_axes": _case(lambda m: (np.linalg.norm(m, axis=(1, 2)),
                                         np.linalg.norm(m[0, :, :]), np.linalg.norm(m[1, :, :]),
                                         np.linalg.norm(m, 2, axis=(1, 2)),
                                         np.linalg.norm(m, "nuc", axis=(1, 2))),
                              lambda s, n: (_f(2, 2, n, seed=s),)),
    "norm_complex": _case(lambda z: (np.linalg.norm(z), np.linalg.norm(z, 1)),
                          lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1),)),
    "norm_float32": _case(lambda x: np.linalg.norm(x, axis=1),
                          lambda s, n: (_f(n, 3, seed=s).astype(np.float32),)),
    "vector_matrix_norm": _case(lambda x: (np.linalg.vector_norm(x, ord=3, axis=0),
                                           np.linalg.matrix_norm(x, ord=1)),
                                lambda s, n: (_f(3, n, seed=s),)),
    "det": _case(lambda a: np.linalg.det(a), lambda s, n: (_f(n, n, seed=s),)),
    "det_stack": _case(lambda a: np.linalg.det(a), lambda s, n: (_f(3, n, n, seed=s),)),
    "slogdet": _case(lambda a: tuple(np.linalg.slogdet(a)), lambda s, n: (_f(3, n, n, seed=s),)),
    "inv": _case(lambda a: (np.linalg.inv(a), np.linalg.inv(a) @ a), lambda s, n: (_spd(s, n),)),
    "inv_stack": _case(lambda a: np.linalg.inv(a),
                       lambda s, n: (_f(3, n, n, seed=s) + 3 * np.eye(n),)),
    "inv_int": _case(lambda a: np.linalg.inv(a),
                     lambda s, n: (_ar(s, n, n) % 5 + 4 * np.eye(n, dtype=int),)),
    "solve": _case(lambda a, b: np.linalg.solve(a, b),
                   lambda s, n: (_spd(s, n), _f(n, seed=s))),
    "solve_matrix_rhs": _case(lambda a, b: np.linalg.solve(a, b),
                              lambda s, n: (_spd(s, n), _f(n, 2, seed=s))),
    "solve_batched": _case(lambda a, b: np.linalg.solve(a, b[..., None])[..., 0],
                           lambda s, n: (_f(3, n, n, seed=s) + 3 * np.eye(n), _f(3, n, seed=s))),
    "lstsq": _case(lstsq_line,
                   lambda s, n: (np.arange(n, dtype=float), _f(n, seed=s))),
    "lstsq_rcond": _case(lambda A, y: np.linalg.lstsq(A, y, rcond=None)[0],
                         lambda s, n: (_f(n + 2, 3, seed=s), _f(n + 2, 2, seed=s))),
    "eigh": _case(eigh_abs_vectors,
                  lambda s, n: (_spd(s, n),)),
    "eigh_upper": _case(lambda a: np.linalg.eigh(a, UPLO="U")[0], lambda s, n: (_f(n, n, seed=s),)),
    "eigvalsh": _case(lambda a: np.linalg.eigvalsh(a), lambda s, n: (_spd(s, n),)),
    "eigh_complex": _case(lambda a: np.linalg.eigvalsh(a + a.conj().T),
                          lambda s, n: (_f(n, n, seed=s) + 1j * _f(n, n, seed=s + 1),)),
    "svd": _case(svd_reduced, lambda s, n: (_f(n + 2, n, seed=s),)),
    "svd_full": _case(svd_full_matrices, lambda s, n: (_f(n + 2, n, seed=s),)),
    "svd_values": _case(lambda a: (np.linalg.svd(a, compute_uv=False), np.linalg.svdvals(a)),
                        lambda s, n: (_f(2, n, 3, seed=s),)),
    "qr": _case(qr_abs,
                lambda s, n: (_f(n + 2, n, seed=s),)),
    "qr_modes": _case(lambda a: (np.abs(np.linalg.qr(a, mode="r")),
                                 np.abs(np.linalg.qr(a, mode="complete")[0]).shape),
                      lambda s, n: (_f(n + 2, n, seed=s),)),
    "cholesky": _case(lambda a: (np.linalg.cholesky(a), np.linalg.cholesky(a, upper=True)),
                      lambda s, n: (_spd(s, n),)),
    "matrix_power": _case(lambda i: (np.linalg.matrix_power(i, 3), np.linalg.matrix_power(i, 0),
                                     np.linalg.matrix_power(i, -3)),
                          lambda s, n: (np.rot90(np.eye(n, dtype=int)) * [1, -1][s % 2],)),
    "matrix_power_float": _case(lambda a: np.linalg.matrix_power(a, 5),
                                lambda s, n: (_f(2, n, n, seed=s) / n,)),
    "matrix_rank": _case(lambda I: (np.linalg.matrix_rank(np.eye(I.shape[0])),
                                    np.linalg.matrix_rank(I),
                                    np.linalg.matrix_rank(np.zeros((4,)))),
                         lambda s, n: (np.outer(_f(n, seed=s), _f(n, seed=s + 1)),)),
    "matrix_rank_tol": _case(lambda a: (np.linalg.matrix_rank(a, tol=1.5),
                                        np.linalg.matrix_rank(a)),
                             lambda s, n: (np.diag(np.arange(1.0, n + 1)),)),
    "pinv": _case(lambda a: (np.linalg.pinv(a),
                             np.allclose(a, np.dot(a, np.dot(np.linalg.pinv(a), a)))),
                  lambda s, n: (_f(n + 3, n, seed=s),)),
    "pinv_hermitian": _case(lambda a: np.linalg.pinv(a, hermitian=True),
                            lambda s, n: (_spd(s, n),)),
    "multi_dot": _case(lambda A, B, C, D: np.linalg.multi_dot([A, B, C, D]),
                       lambda s, n: (_f(n, 10, seed=s), _f(10, 3, seed=s), _f(3, 5, seed=s),
                                     _f(5, seed=s))),
    "multi_dot_vector_first": _case(lambda A, B, C: np.linalg.multi_dot([A, B, C]),
                                    lambda s, n: (_f(n, seed=s), _f(n, 3, seed=s),
                                                  _f(3, 2, seed=s))),
    "eigvals_real": _case(lambda a: np.sort(np.linalg.eigvals(a + a.T).real),
                          lambda s, n: (_f(n, n, seed=s),)),
    "linalg_outer_cross": _case(lambda a, b: (np.linalg.outer(a, b), np.linalg.cross(a[:3], b[:3]),
                                              np.linalg.vecdot(a,
                                                               b), np.linalg.trace(np.outer(a, b))),
                                lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "tensorsolve_inv": _case(lambda a: np.linalg.tensorinv(a, ind=1),
                             lambda s, n: (_f(2 * n, 2, n, seed=s),)),
}


@pytest.mark.parametrize("name", _names(MATH))
def test_math(name):
    check_like_numpy(*MATH[name])


@pytest.mark.parametrize("name", _names(LINALG))
def test_linalg(name):
    check_like_numpy(*LINALG[name])


# ---- statistics, histograms, sorting and searching -----------------------------------------

METHODS = ("inverted_cdf", "averaged_inverted_cdf", "closest_observation",
           "interpolated_inverted_cdf", "hazen", "weibull", "linear", "median_unbiased",
           "normal_unbiased", "lower", "higher", "midpoint", "nearest")


def histogram_density_sum(a):
    hist, bin_edges = np.histogram(a, density=True)
    return hist.sum(), np.sum(hist * np.diff(bin_edges))


def median_out(a, out):
    np.median(a, axis=0, out=out)
    return out


def percentile_overwrite(a):
    b = a.copy()
    m = np.percentile(b, 50, axis=1, overwrite_input=True)
    return m, np.percentile(a, 50, axis=1)


def sort_in_place(a):
    a.sort(axis=0)
    return a


def sort_structured_order(height, age):
    order = np.lexsort((age, height))
    return height[order], age[order]


def ndarray_fill(a):
    a.fill(0)
    return a


def ndarray_put(a, v):
    a.put([0, 2], v)
    return a


def ndarray_sort_kinds(a):
    b, c = a.copy(), a.copy()
    b.sort(kind="stable")
    c.sort(axis=0, kind="quicksort")
    return b, c


def ndarray_item(x):
    return x.item(3), x.item(7), x.item((0, 1, 2)[:2]), float(x[0, 0])


def ndarray_tolist(a):
    return a.tolist()


STATS = {
    "average": _case(lambda data: (np.average(data), np.average(data, weights=np.arange(10, 0, -1)
                                                              [:data.size])),
                     lambda s, n: (_ar(s, n + 1),)),
    "average_axis_weights": _case(lambda data: np.average(data, axis=1, weights=[1.0 / 4, 3.0 / 4]),
                                  lambda s, n: (_ar(s, n, 2),)),
    "average_returned": _case(lambda data, w: np.average(data, axis=0, weights=w, returned=True),
                              lambda s, n: (_f(n, 3, seed=s), _f(n, seed=s, positive=True))),
    "average_keepdims": _case(lambda data: np.average(data, axis=1, keepdims=True,
                                                      weights=[1.0 / 4, 3.0 / 4]),
                              lambda s, n: (_ar(s, n, 2),)),
    "average_nd_weights": (lambda a, w: np.average(a, weights=w, axis=(0, 1)), {},
                           lambda s, n: (_f(n, 2, 3, seed=s), _f(n, 2, seed=s, positive=True))),
    "average_full_weights": _case(lambda a, w: (np.average(a, weights=w), np.average(a, weights=w,
                                                                                   axis=-1)),
                                  lambda s, n: (_f(3, n, seed=s), _f(3, n, seed=s, positive=True))),
    "median": _case(lambda a: (np.median(a), np.median(a, axis=0), np.median(a, axis=1),
                               np.median(a, axis=1, keepdims=True)),
                    lambda s, n: (_ar(s, 2, n) * (-1) ** np.arange(2 * n).reshape(2, n),)),
    "median_out": (median_out, {}, lambda s, n: (_f(n, 3, seed=s), np.zeros(3))),
    "median_tuple_axis": _case(lambda a: np.median(a, axis=(0, 2)),
                               lambda s, n: (_f(2, 3, n, seed=s),)),
    "median_int": _case(lambda a: np.median(a), lambda s, n: (_i(10, n, seed=s),)),
    "median_float32": _case(lambda a: np.median(a, axis=-1),
                            lambda s, n: (_f(3, n, seed=s).astype(np.float32),)),
    "nanmedian": _case(lambda a: (np.nanmedian(a), np.nanmedian(a, axis=0),
                                  np.nanmedian(a, axis=1)),
                       lambda s, n: (np.where(_f(3, n, seed=s) > 1, np.nan, _f(3, n, seed=s)),)),
    "percentile": _case(lambda a: (np.percentile(a, 50), np.percentile(a, 50, axis=0),
                                   np.percentile(a, 50, axis=1), np.percentile(a, 50, axis=1,
                                                                               keepdims=True)),
                        lambda s, n: (_ar(s, 2, n) * (-1) ** np.arange(2 * n).reshape(2, n),)),
    "percentile_list_q": _case(lambda a: np.percentile(a, [25, 50, 75], axis=0),
                               lambda s, n: (_f(n, 3, seed=s),)),
    "percentile_traced_q": _case(lambda a, q: np.percentile(a, q), lambda s, n: (_f(n, seed=s),
                                                                              _r(s, 3) * 100)),
    "percentile_overwrite": _case(percentile_overwrite, lambda s, n: (_f(3, n, seed=s),)),
    "quantile": _case(lambda a: (np.quantile(a, 0.5), np.quantile(a, [0.1, 0.9], axis=1)),
                      lambda s, n: (_f(3, n, seed=s),)),
    "quantile_weights": (lambda a, w: np.quantile(a, 0.5, weights=w, method="inverted_cdf"), {},
                         lambda s, n: (_f(n, seed=s), _f(n, seed=s, positive=True))),
    "quantile_weights_axis": (
        lambda a, w: np.quantile(a, [0.25, 0.5], axis=1, weights=w, method="inverted_cdf"), {},
        lambda s, n: (_f(3, n, seed=s), _f(3, n, seed=s, positive=True))),
    "nanpercentile": _case(lambda a: (np.nanpercentile(a, 50), np.nanpercentile(a, 50, axis=0),
                                      np.nanpercentile(a, 50, axis=1, keepdims=True)),
                           lambda s, n: (np.where(_f(3, n, seed=s) > 1, np.nan,
                                                  _f(3, n, seed=s)),)),
    "nanquantile": _case(lambda a: np.nanquantile(a, [0.25, 0.75], axis=1, method="nearest"),
                         lambda s, n: (np.where(_f(3, n, seed=s) > 1, np.nan, _f(3, n, seed=s)),)),
    "ptp": _case(lambda x: (np.ptp(x, axis=1), np.ptp(x, axis=0), np.ptp(x), np.ptp(x, axis=1,
                                                                                 keepdims=True)),
                 lambda s, n: (_f(3, n, seed=s),)),
    "ptp_int8": _case(lambda y: np.ptp(y, axis=1), lambda s, n: (np.array([[1, 127], [0, 127],
                                                                          [-1, 127], [-2, 127]],
                                                                         dtype=np.int8)[:n - 1],)),
    "var_std": _case(lambda a: (np.var(a), np.var(a, axis=0), np.var(a, axis=1), np.std(a),
                                np.std(a, axis=0), np.std(a,
                                                          axis=1)), lambda s, n: (_ar(s, 2, n),)),
    "var_ddof": _case(lambda a: (np.var(a, ddof=1), np.std(a, ddof=1, axis=0),
                                 np.var(a, axis=-1, keepdims=True, ddof=2)),
                      lambda s, n: (_f(3, n, seed=s),)),
    "var_float32_dtype": _case(lambda a: (np.var(a), np.var(a, dtype=np.float64),
                                          np.std(a, dtype=np.float64)),
                               lambda s, n: (_f(2, 512 * n, seed=s).astype(np.float32),)),
    "std_where": _case(lambda a: (np.std(a, where=[[True], [True], [False]]),
                                  np.var(a, where=a > 0), np.mean(a,
                                                                  where=[[True], [True], [False]])),
                       lambda s, n: (_f(3, n, seed=s),)),
    "std_mean_kw": _case(lambda a: np.std(a, axis=1, mean=np.mean(a, axis=1, keepdims=True)),
                         lambda s, n: (_f(3, n, seed=s),)),
    "var_complex": _case(lambda z: (np.var(z), np.std(z, axis=0)),
                         lambda s, n: (_f(n, 2, seed=s) + 1j * _f(n, 2, seed=s + 1),)),
    "nanvar_nanstd": _case(lambda a: (np.nanvar(a), np.nanstd(a, axis=0),
                                      np.nanvar(a, axis=1, ddof=1),
                                      np.nanmean(a, axis=1)),
                           lambda s, n: (np.where(_f(3, n, seed=s) > 1, np.nan,
                                                  _f(3, n, seed=s)),)),
    "cov": _case(lambda x: np.cov(x),
                 lambda s, n: (np.array([[0, 1, 2], [2, 1, 0]]).repeat(n // 2 + 1, 1) + s,)),
    "cov_xy": _case(lambda x, y: (np.cov(x, y), np.cov(x), np.cov(y)),
                    lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "cov_rowvar_ddof": _case(lambda X: (np.cov(X, rowvar=False), np.cov(X, ddof=0),
                                        np.cov(X, bias=True)),
                             lambda s, n: (_f(n, 3, seed=s),)),
    "cov_weights": _case(lambda m, fw, aw: np.cov(m, fweights=fw, aweights=aw),
                         lambda s, n: (_f(3, n, seed=s), _i(4, n, seed=s) + 1,
                                       _f(n, seed=s, positive=True))),
    "cov_float32": _case(lambda m: np.cov(m, dtype=np.float32), lambda s, n: (_f(3, n, seed=s),)),
    "corrcoef": _case(lambda xarr: (np.corrcoef(xarr), np.corrcoef(xarr[0], xarr[1]),
                                    np.corrcoef(xarr, rowvar=False)),
                      lambda s, n: (_f(3, n, seed=s),)),
    "corrcoef_xy": _case(lambda x, y: np.corrcoef(x, y),
                         lambda s, n: (_f(3, n, seed=s), _f(2, n, seed=s))),
    "histogram": _case(lambda a: (np.histogram(a, bins=[0, 1, 2, 3]),
                                  np.histogram(a, bins=np.arange(4), density=True)),
                       lambda s, n: (_r(s, n) * 3,)),
    "histogram_traced_bins": _case(lambda a, bins: np.histogram(a, bins=bins),
                                   lambda s, n: (_r(s, n) * 3, np.sort(_r(s, 5) * 3))),
    "histogram_range": _case(lambda a: np.histogram(a, bins=5, range=(0, 3)),
                             lambda s, n: (_r(s, 4 * n) * 4 - 0.5,)),
    "histogram_int_bins": _case(lambda a: np.histogram(a, bins=10),
                                lambda s, n: (_f(10 * n, seed=s),)),
    "histogram_density_sum": _case(histogram_density_sum, lambda s, n: (_f(10 * n, seed=s),)),
    "histogram_weights": _case(lambda a, w: np.histogram(a, bins=4, range=(0, 1), weights=w),
                               lambda s, n: (_r(s, n), _f(n, seed=s))),
    "histogram_weights_density": _case(lambda a, w: np.histogram(a, bins=4, weights=w,
                                                                 density=True),
                                       lambda s, n: (_r(s, n), _f(n, seed=s, positive=True))),
    "histogram_int_data": _case(lambda a: np.histogram(a, bins=[0, 1, 2, 3]),
                                lambda s, n: (_i(4, 3 * n, seed=s),)),
    "histogram_bin_edges": _case(lambda a: np.histogram_bin_edges(a, bins=5),
                                 lambda s, n: (_f(n, seed=s),)),
    "histogram_float32": _case(lambda a: np.histogram(a, bins=5),
                               lambda s, n: (_f(n * 5, seed=s).astype(np.float32),)),
    "histogram2d": _case(lambda x, y: np.histogram2d(x, y, bins=(np.array([0, 1, 2, 3, 4, 5]),
                                                                 np.array([0, 1, 2, 3, 4, 5]))),
                         lambda s, n: (_r(s, 5 * n) * 5, _r(s + 1, 5 * n) * 5)),
    "histogram2d_int_bins": _case(lambda x, y: np.histogram2d(x, y, bins=4),
                                  lambda s, n: (_f(5 * n, seed=s), _f(5 * n, seed=s + 1))),
    "histogram2d_range_density": _case(
        lambda x, y, w: np.histogram2d(x, y, bins=[3, 4], range=[[0, 1], [0, 1]], density=True,
                                       weights=w),
        lambda s, n: (_r(s, 5 * n), _r(s + 1, 5 * n), _r(s + 2, 5 * n))),
    "histogramdd": _case(lambda r: np.histogramdd(r, bins=(2, 3, 4)),
                         lambda s, n: (_f(5 * n, 3, seed=s),)),
    "digitize": _case(lambda x, bins: (np.digitize(x, bins), np.digitize(x, bins, right=True)),
                      lambda s, n: (np.array([0.2, 6.4, 3.0, 1.6, 1.0, 4.0, 10.0])[:n + 2] + s,
                                    np.array([0.0, 1.0, 2.5, 4.0, 10.0]))),
    "digitize_decreasing": _case(lambda x, bins: (np.digitize(x, bins),
                                                  np.digitize(x, bins, right=True)),
                                 lambda s, n: (np.array([1.2, 10.0, 12.4, 15.5, 20.0, 4.0])[:n],
                                               np.array([20, 15, 10, 5, 0]))),
    "digitize_int": _case(lambda x, bins: np.digitize(x, bins),
                          lambda s, n: (_i(30, n, seed=s), np.array([0, 5, 10, 15, 20]))),
    "bincount": _case(lambda x: np.bincount(x, minlength=12), lambda s, n: (_i(5, n, seed=s),)),
    "bincount_weights": _case(lambda x, w: np.bincount(x, weights=w, minlength=5),
                              lambda s, n: (_i(5, n, seed=s), _f(n, seed=s))),
    "bincount_bool_minlength": _case(lambda x: np.bincount(x.astype(np.intp), minlength=2),
                                     lambda s, n: (_f(n, seed=s) > 0,)),
    "searchsorted": _case(lambda a, v: (np.searchsorted(a, 3), np.searchsorted(a, 3, side="right"),
                                        np.searchsorted(a, v)),
                          lambda s, n: (np.arange(1, n + 1), np.array([-10, 10, 2, 3]))),
    "searchsorted_sorter": _case(lambda a, v: np.searchsorted(a, v, sorter=np.argsort(a)),
                                 lambda s, n: (_f(n, seed=s), _f(3, seed=s + 1))),
    "searchsorted_2d_v": _case(lambda a, v: (np.searchsorted(a, v, side="left"),
                                             np.searchsorted(a, v, side="right")),
                               lambda s, n: (np.sort(_i(5, n, seed=s)), _i(6, 2, 3, seed=s))),
    "searchsorted_float32": _case(lambda a, v: np.searchsorted(a, v),
                                  lambda s, n: (np.sort(_f(n, seed=s)).astype(np.float32),
                                                _f(4, seed=s))),
    "sort": _case(lambda a: (np.sort(a), np.sort(a, axis=None), np.sort(a, axis=0)),
                  lambda s, n: (_f(2, n, seed=s),)),
    "sort_kinds": _case(lambda a: (np.sort(a, kind="stable"), np.sort(a, kind="mergesort", axis=0),
                                   np.sort(a, kind="heapsort"), np.sort(a, stable=True)),
                        lambda s, n: (_i(4, 3, n, seed=s),)),
    "sort_descending": _case(lambda a: (np.sort(a)[::-1], -np.sort(-a, axis=-1)),
                             lambda s, n: (_f(3, n, seed=s),)),
    "sort_nan": _case(lambda a: (np.sort(a), np.argsort(a)),
                      lambda s, n: (np.where(_f(n, seed=s) > 1, np.nan, _f(n, seed=s)),)),
    "sort_complex": _case(lambda z: (np.sort(z), np.sort_complex(z)),
                          lambda s, n: (_i(3, n, seed=s) + 1j * _i(3, n, seed=s + 1),)),
    "sort_bool_float32": _case(lambda a: (np.sort(a > 0), np.sort(a.astype(np.float32), axis=0)),
                               lambda s, n: (_f(3, n, seed=s),)),
    "sort_in_place": _case(sort_in_place, lambda s, n: (_f(n, 3, seed=s),)),
    "argsort": _case(lambda x: (np.argsort(x), np.argsort(x, axis=0), np.argsort(x, axis=1),
                                np.argsort(x, axis=None)),
                     lambda s, n: (_f(2, n, seed=s),)),
    "argsort_stable_ties": _case(lambda x: (np.argsort(x, kind="stable"), np.argsort(x, stable=True,
                                                                                     axis=0)),
                                 lambda s, n: (_i(3, 4, n, seed=s),)),
    "argsort_unravel": _case(lambda x: np.unravel_index(np.argsort(x, axis=None), x.shape),
                             lambda s, n: (_f(2, n, seed=s),)),
    "argsort_descending_top": _case(lambda x: np.argsort(x)[::-1][:3],
                                    lambda s, n: (_f(n, seed=s),)),
    "lexsort": _case(lambda surnames, first_names: np.lexsort((first_names, surnames)),
                     lambda s, n: (_i(3, n, seed=s), _i(4, n, seed=s + 1))),
    "lexsort_array_keys": _case(lambda a, b: (np.lexsort((b, a)), np.lexsort(np.array([b, a]))),
                                lambda s, n: (_i(3, n, seed=s), _i(3, n, seed=s + 1))),
    "lexsort_axis0": _case(lambda a, b: np.lexsort((b, a), axis=0),
                           lambda s, n: (_i(3, n, 2, seed=s), _i(3, n, 2, seed=s + 1))),
    "lexsort_columns": _case(lambda x: x[np.lexsort((x[:, 1], x[:, 0]))],
                             lambda s, n: (_i(3, n, 2, seed=s),)),
    "lexsort_structured_order": _case(sort_structured_order,
                                      lambda s, n: (_i(3, n, seed=s) + 170,
                                                    _i(30, n, seed=s) + 20)),
    "partition": _case(lambda a: (np.partition(a, 4)[4],
                                  np.partition(a, 4)[:4].max() <= np.partition(a, 4)[4]),
                       lambda s, n: (_f(n + 3, seed=s),)),
    "partition_multi": _case(lambda a: np.partition(a, (1, 3))[[1, 3]],
                             lambda s, n: (_f(n + 3, seed=s),)),
    "partition_axis": _case(lambda a: (np.sort(np.partition(a, 1, axis=0)[:2], axis=0),
                                       np.partition(a, -1, axis=1)[:, -1]),
                            lambda s, n: (_f(3, n, seed=s),)),
    "argpartition": _case(lambda x: (x[np.argpartition(x, 3)][3],
                                     np.sort(x[np.argpartition(x, 3)[:3]]),
                                     x[np.argpartition(x, (1, 3))][[1, 3]]),
                          lambda s, n: (_f(n + 2, seed=s),)),
    "argpartition_take_along": _case(
        lambda x: np.sort(np.take_along_axis(x, np.argpartition(x, 1, axis=1)[:, :2], axis=1),
                          axis=1),
        lambda s, n: (_f(3, n, seed=s),)),
    "argpartition_topk": _case(lambda x, k: np.sort(x[np.argpartition(x, -k)[-k:]]),
                               lambda s, n: (_f(n + 2, seed=s), 3)),
    "count_nonzero": _case(lambda a: (np.count_nonzero(np.eye(4)), np.count_nonzero(a),
                                      np.count_nonzero(a, axis=0), np.count_nonzero(a, axis=1),
                                      np.count_nonzero(a, axis=1, keepdims=True)),
                           lambda s, n: (_i(3, 2, n, seed=s),)),
    "count_nonzero_bool_float": _case(lambda a: (np.count_nonzero(a > 0),
                                                 np.count_nonzero(a, axis=(0, 1))),
                                      lambda s, n: (np.round(_f(2, 3, n, seed=s)),)),
    "argmax": _case(lambda a: (np.argmax(a), np.argmax(a, axis=0), np.argmax(a, axis=1),
                               np.argmax(a, axis=-1, keepdims=True), np.argmin(a, axis=0,
                                                                               keepdims=True)),
                    lambda s, n: (_f(2, n, seed=s),)),
    "argmax_first_occurrence": _case(lambda b: (np.argmax(b), np.argmin(b)),
                                     lambda s, n: (_i(3, n, seed=s),)),
    "argmax_3d_keepdims": _case(lambda x: (np.argmax(x, axis=1, keepdims=True),
                                           np.take_along_axis(x,
                                                              np.argmax(x, axis=1,
                                                                        keepdims=True), axis=1)),
                                lambda s, n: (_f(2, n, 3, seed=s),)),
    "argmax_nan": _case(lambda a: (np.argmax(a), np.argmin(a, axis=0)),
                        lambda s, n: (np.where(_f(n, 2, seed=s) > 1.2, np.nan, _f(n, 2, seed=s)),)),
    "argmax_bool_complex": _case(lambda a: (np.argmax(a > 0), np.argmax(a + 1j * a[::-1])),
                                 lambda s, n: (_f(n, seed=s),)),
    "nanargmax": _case(lambda a: (np.nanargmax(a), np.nanargmax(a, axis=0), np.nanargmin(a, axis=1),
                                  np.nanargmax(a, axis=1, keepdims=True)),
                       lambda s, n: (np.where(_f(2, n, seed=s) > 1.2, np.nan, _f(2, n, seed=s)),)),
    "nanmax_nanmin": _case(lambda a: (np.nanmax(a), np.nanmin(a, axis=0), np.nansum(a, axis=1),
                                      np.nanprod(a), np.nanmax(a, axis=1, keepdims=True)),
                           lambda s, n: (np.where(_f(2, n, seed=s) > 1.2, np.nan,
                                                  _f(2, n, seed=s)),)),
    "isclose": _case(lambda a, b: (np.isclose(a, b), np.isclose(a, b, atol=1e-3),
                                   np.isclose(a, b, rtol=0.5,
                                              atol=0), np.isclose(a, b, equal_nan=True)),
                     lambda s, n: (np.array([1e10, 1e-7, np.nan, 1e-8, 1.0, 0.0])[:n],
                                   np.array([1.00001e10, 1e-8, np.nan, 0.0, 1.0 + 1e-9,
                                             1e-100])[:n])),
    "isclose_broadcast": _case(lambda a: np.isclose(a, [1.0, 2.0]),
                               lambda s, n: (_f(n, 2, seed=s),)),
    "isclose_ints": _case(lambda a, b: np.isclose(a, b, atol=1),
                          lambda s, n: (_i(4, n, seed=s), _i(4, n, seed=s + 1))),
    "allclose": _case(lambda a, b: (np.allclose(a, b), np.allclose(a, a + 1e-9),
                                    np.allclose(a, b, equal_nan=True)),
                      lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "array_equal": _case(lambda a, b: (np.array_equal(a, a), np.array_equal(a, b),
                                       np.array_equal(a, a[:1]), np.array_equiv(a[0], a)),
                         lambda s, n: (_i(2, 3, n, seed=s), _i(2, 3, n, seed=s + 1))),
    "array_equal_nan": _case(lambda a: (np.array_equal(a, a), np.array_equal(a, a, equal_nan=True)),
                             lambda s, n: (np.array([1, np.nan] * n),)),
    "isin": _case(lambda element, test_elements: (np.isin(element, test_elements),
                                                  np.isin(element, test_elements, invert=True)),
                  lambda s, n: (2 * np.arange(4).reshape((2, 2)) + s,
                                np.array([1, 2, 4, 8])[:n - 1])),
    "isin_kinds": _case(lambda element, test: (np.isin(element, test, kind="sort"),
                                               np.isin(element, test, kind="table")),
                        lambda s, n: (_i(10, 2, n, seed=s), _i(10, 4, seed=s + 1))),
    "isin_float": _case(lambda a, b: np.isin(a, b), lambda s, n: (np.round(_f(n, 2, seed=s), 1),
                                                                np.round(_f(5, seed=s), 1))),
    "mean_dtype_out": _case(lambda a: (np.mean(a), np.mean(a, dtype=np.float64),
                                       np.mean(a, axis=(0, -1))),
                            lambda s, n: (_f(3, 8, n, seed=s).astype(np.float32),)),
    "sum_initial_where": _case(lambda a: (np.sum(a, initial=5), np.sum(a, where=a > 0),
                                          np.sum(a, axis=0, where=[True, False, True]),
                                          np.max(a, axis=1, initial=-10, where=a < 1)),
                               lambda s, n: (_f(n, 3, seed=s),)),
}


METHODS_TABLE = {
    "percentile_" + m: _case(lambda a, method: (np.percentile(a, [10, 40, 50, 90], method=method),
                                                np.percentile(a, 37, axis=1, method=method)),
                             lambda s, n: (_f(3, n, seed=s),), method=m)
    for m in METHODS
}
METHODS_TABLE.update({
    "quantile_int_" + m: _case(lambda a, method: np.quantile(a, [0.2, 0.5, 0.75], axis=0,
                                                             method=method),
                               lambda s, n: (_i(9, n, 3, seed=s),), method=m)
    for m in METHODS
})
METHODS_TABLE.update({
    "nanpercentile_" + m: _case(lambda a, method: np.nanpercentile(a, [25, 60], axis=1,
                                                                   method=method),
                                lambda s, n: (np.where(_f(3, n, seed=s) > 1, np.nan,
                                                       _f(3, n, seed=s)),),
                                method=m)
    for m in ("linear", "lower", "higher", "nearest", "midpoint", "hazen", "inverted_cdf")
})


NDARRAY = {
    "sum_mean": _case(lambda x: (x.sum(), x.sum(axis=0), x.sum(axis=1, keepdims=True), x.mean(),
                                 x.mean(axis=-1), x.sum(dtype=np.int32)),
                      lambda s, n: (_ar(s, 2, n),)),
    "max_min": _case(lambda x: (x.max(), x.max(axis=0), x.min(axis=1), x.max(axis=1, keepdims=True),
                                x.max(initial=100)), lambda s, n: (_f(2, n, seed=s),)),
    "argmax_argmin": _case(lambda x: (x.argmax(), x.argmax(axis=0), x.argmin(axis=1),
                                      x.argmax(axis=1, keepdims=True)),
                           lambda s, n: (_f(2, n, seed=s),)),
    "cumsum_cumprod": _case(lambda x: (x.cumsum(), x.cumsum(axis=1), x.cumprod(axis=0),
                                       x.cumsum(dtype=float)),
                            lambda s, n: (_ar(s, 2, n),)),
    "clip": _case(lambda x: (x.clip(1, 8), x.clip(max=3), x.clip(min=2)),
                  lambda s, n: (_ar(s, n + 5),)),
    "round": _case(lambda x: (x.round(), x.round(2), x.round(decimals=-1)),
                   lambda s, n: (_f(n, seed=s) * 100,)),
    "repeat_take": _case(lambda x: (x.repeat(2), x.repeat(2, axis=0), x.take([0, 2]),
                                    x.take([[0], [1]], axis=1)),
                         lambda s, n: (_ar(s, 2, n),)),
    "put": _case(ndarray_put, lambda s, n: (_ar(s, n), np.array([-44, -55]))),
    "fill": _case(ndarray_fill, lambda s, n: (_f(2, n, seed=s),)),
    "sort": _case(ndarray_sort_kinds, lambda s, n: (_f(3, n, seed=s),)),
    "argsort_searchsorted": _case(lambda x, v: (x.argsort(), x.argsort(axis=0),
                                                np.sort(x, axis=None).searchsorted(v),
                                                np.sort(x,
                                                        axis=None).searchsorted(v, side="right")),
                                  lambda s, n: (_f(3, n, seed=s), _f(4, seed=s))),
    "dot_trace": _case(lambda a, b: (a.dot(b), a.dot(b).dot(b.T), a.trace(), a.trace(offset=1),
                                     np.trace(a, offset=-1)),
                       lambda s, n: (_f(n, n, seed=s), _f(n, 2, seed=s))),
    "trace_3d": _case(lambda a: (a.trace(), np.trace(a, axis1=1, axis2=2),
                                 a.trace(dtype=np.float32)),
                      lambda s, n: (_ar(s, 2, n, 2),)),
    "diagonal_swapaxes_transpose": _case(lambda x: (x.diagonal(), x.swapaxes(0, 1), x.transpose(),
                                                    x.transpose(1, 0, 2), x.transpose((2, 0, 1)),
                                                    x.T, x.mT),
                                         lambda s, n: (_ar(s, 2, 2, n),)),
    "reshape": _case(lambda a: (a.reshape(3, -1), a.reshape((2, -1), order="F"), a.reshape(-1),
                                np.reshape(a, (3, -1), order="F"), np.reshape(a, a.shape[::-1])),
                     lambda s, n: (_ar(s, n, 3),)),
    "ravel_flatten": _case(lambda x: (x.ravel(), x.ravel(order="F"), x.flatten(), x.flatten("F"),
                                      np.ravel(x.T), np.ravel(x, order="A"), x.reshape(-1)),
                           lambda s, n: (_ar(s, 2, n),)),
    "squeeze": _case(lambda x: (x.squeeze(), x.squeeze(axis=0), x.squeeze(-1)),
                     lambda s, n: (_ar(s, 1, n, 1),)),
    "astype": _case(lambda x: (x.astype(int), x.astype(np.float32), x.astype("complex128"),
                               x.astype(bool), x.astype(np.uint8), x.astype(np.int16)),
                    lambda s, n: (_f(2, n, seed=s) * 10,)),
    "astype_int_to_float": _case(lambda x: (x.astype(float) / 2, x.astype(np.float32).mean()),
                                 lambda s, n: (_ar(s, n),)),
    "item": _case(ndarray_item, lambda s, n: (_i(9, 3, n, seed=s),)),
    "item_float": _case(lambda x: (x.item(), x.sum().item(), x.max().item()),
                        lambda s, n: (_f(1, 1, seed=s),)),
    "tolist": _case(ndarray_tolist, lambda s, n: (_ar(s, 2, n),)),
    "tolist_float_0d": _case(lambda a: (a.tolist(), a.sum().tolist(), a[0].tolist()),
                             lambda s, n: (_f(n, seed=s),)),
    "any_all": _case(lambda x: (x.any(), x.all(), x.any(axis=0), x.all(axis=1),
                                x.any(axis=1, keepdims=True),
                                (x > 0).all(axis=(0, 1)), x.any(where=[[False], [False]])),
                     lambda s, n: (_i(3, 2, n, seed=s),)),
    "any_all_float": _case(lambda x: (np.any(x > 1), np.all(x < 3), np.any(np.isnan(x))),
                           lambda s, n: (_f(n, 2, seed=s),)),
    "conj": _case(lambda z: (z.conj(), z.conjugate(), np.conj(z), z.conj().T @ z),
                  lambda s, n: (_f(n, 2, seed=s) + 1j * _f(n, 2, seed=s + 1),)),
    "conj_real": _case(lambda x: x.conj(), lambda s, n: (_f(n, seed=s),)),
    "real_imag": _case(lambda z: (z.real, z.imag, np.real(z), np.imag(z), abs(z)),
                       lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1),)),
    "ptp_ints": _case(lambda x: (np.ptp(x), np.ptp(x, axis=0)), lambda s, n: (_ar(s, 2, n),)),
    "std_var_prod": _case(lambda x: (x.std(), x.var(ddof=1), x.prod(axis=0),
                                     x.std(axis=1, keepdims=True)),
                          lambda s, n: (_f(2, n, seed=s),)),
    "view_copy": _case(lambda x: (x.copy(), x.view(), x.copy(order="F"), np.ascontiguousarray(x.T)),
                       lambda s, n: (_f(2, n, seed=s),)),
    "scalar_ops_0d": _case(lambda x: (x + 1, x * 2.5, np.sqrt(x), x.astype(np.int32), x[()]),
                           lambda s, n: (np.array(float(s + n)),)),
    "empty_reductions": _case(lambda x: (x.sum(), x.sum(axis=0), x.prod(), x.any(), x.all(),
                                         x.max(initial=0), np.cumsum(x)),
                              lambda s, n: (np.zeros((0, n)),)),
}


@pytest.mark.parametrize("name", _names(STATS))
def test_statistics_and_sorting(name):
    check_like_numpy(*STATS[name])


@pytest.mark.parametrize("name", _names(METHODS_TABLE))
def test_quantile_methods(name):
    check_like_numpy(*METHODS_TABLE[name])


@pytest.mark.parametrize("name", _names(NDARRAY))
def test_ndarray_methods(name):
    check_like_numpy(*NDARRAY[name])


# ---- out= forms, and the examples whose result size depends on the data --------------------

def percentile_out(a, out):
    np.percentile(a, 50, axis=0, out=out)
    return out


def reductions_out(a, out_mean, out_var, out_max, out_arg):
    np.mean(a, axis=0, out=out_mean)
    np.var(a, axis=0, out=out_var)
    np.max(a, axis=0, out=out_max)
    np.argmax(a, axis=0, out=out_arg)
    return out_mean, out_var, out_max, out_arg


def methods_out(a, out_sum, out_cumsum, out_clip):
    a.sum(axis=0, out=out_sum)
    a[0].cumsum(out=out_cumsum)
    a[1].clip(0.2, 0.5, out=out_clip)
    return out_sum, out_cumsum, out_clip


def products_out(a, b, out_matmul, out_dot):
    np.matmul(a, b, out=out_matmul)
    np.dot(a, b, out=out_dot)
    return out_matmul, out_dot


def take_choose_round_out(a, idx, out_take, out_choose, out_round):
    np.take(a, idx, out=out_take)
    np.choose(idx % 2, (a[:idx.size], -a[:idx.size]), out=out_choose)
    np.round(a, 1, out=out_round)
    return out_take, out_choose, out_round


OUT = {
    "percentile_out": (percentile_out, {}, lambda s, n: (_f(n, 3, seed=s), np.zeros(3))),
    "reductions_out": _case(reductions_out,
                            lambda s, n: (_f(n, 3, seed=s), np.zeros(3), np.zeros(3),
                                                          np.zeros(3), np.zeros(3, dtype=np.intp))),
    "methods_out": _case(methods_out,
                         lambda s, n: (_r(s, 2, n), np.zeros(n), np.zeros(n), np.zeros(n))),
    "products_out": _case(products_out, lambda s, n: (_f(n, 3, seed=s), _f(3, 2, seed=s),
                                                      np.zeros((n, 2)), np.zeros((n, 2)))),
    "take_choose_round_out": _case(take_choose_round_out,
                                   lambda s, n: (_f(n, seed=s), _i(n, 3, seed=s), np.zeros(3),
                                                 np.zeros(3), np.zeros(n))),
    "block": _case(lambda A, B: np.block([[A, np.zeros((2, 3))], [np.ones((B.shape[0], 2)), B]]),
                   lambda s, n: (2 * np.eye(2), _f(n, 3, seed=s))),
    "apply_along_axis": _case(lambda b: np.apply_along_axis(lambda a: (a[0] + a[-1]) * 0.5, 0, b),
                              lambda s, n: (_f(3, n, seed=s),)),
    "apply_over_axes": _case(lambda a: np.apply_over_axes(np.sum, a, [0, 2]),
                             lambda s, n: (_ar(s, 2, 3, n),)),
    "resize": _case(lambda a: (np.resize(a, (2, 3)), np.resize(a, (1, 4)), np.resize(a, (2, 4))),
                    lambda s, n: (_ar(s, 2, n // 2),)),
    "cond": _case(lambda a: (np.linalg.cond(a), np.linalg.cond(a, "fro"), np.linalg.cond(a, np.inf),
                             np.linalg.cond(a, -2)),
                  lambda s, n: (_spd(s, n),)),
}


def unique_sorted(a):
    return np.unique(a)


def unique_return_flags(a):
    u, indices, inverse, counts = np.unique(a, return_index=True, return_inverse=True,
                                            return_counts=True)
    return u, indices, inverse, counts


def unique_rows(a):
    return np.unique(a, axis=0)


def extract_mod3(arr):
    condition = np.mod(arr, 3) == 0
    return np.extract(condition, arr)


def trim_zeros_both(a):
    return np.trim_zeros(a), np.trim_zeros(a, "b")


def set_functions(a, b):
    return np.intersect1d(a, b), np.union1d(a, b), np.setdiff1d(a, b), np.setxor1d(a, b)


def intersect_indices(a, b):
    return np.intersect1d(a, b, return_indices=True)


def nonzero_indices(x):
    return np.nonzero(x), x[np.nonzero(x)], np.transpose(np.nonzero(x))


def argwhere_flatnonzero(x):
    return np.argwhere(x > 1), np.flatnonzero(x)


def roots_of(coeff):
    return np.roots(coeff)


def polymul_trimmed(a, b):
    return np.polymul(a, b)


def bincount_no_minlength(x):
    return np.bincount(x)


def apply_along_axis_sorted(b):
    return np.apply_along_axis(sorted, 1, b)


def real_if_close_docstring(a):
    return np.real_if_close(a, tol=1000)


def histogram_auto(a):
    return np.histogram(a, bins="auto")


_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "unique": (_DataDependent, unique_sorted, lambda s: (_i(5, 10, seed=s),)),
    "unique_return_flags": (_DataDependent, unique_return_flags, lambda s: (_i(5, 10, seed=s),)),
    "unique_axis0": (_DataDependent, unique_rows, lambda s: (_i(2, 6, 2, seed=s),)),
    "extract": (_DataDependent, extract_mod3, lambda s: (_ar(s, 3, 4),)),
    "trim_zeros": (_DataDependent, trim_zeros_both,
                   lambda s: (np.roll(np.concatenate([[0, 0], _i(3, 4, seed=s) + 1, [0, 0]]),
                                      s - 1),)),
    "set_functions": (_DataDependent, set_functions,
                      lambda s: (_i(6, 5, seed=s), _i(6, 4, seed=s + 1))),
    "intersect1d_indices": (_DataDependent, intersect_indices,
                            lambda s: (_i(6, 5, seed=s), _i(6, 4, seed=s + 1))),
    "nonzero": (_DataDependent, nonzero_indices, lambda s: (_i(3, 3, 3, seed=s),)),
    "argwhere_flatnonzero": (_DataDependent, argwhere_flatnonzero,
                             lambda s: (_i(3, 2, 3, seed=s),)),
    "roots": (_DataDependent, roots_of, lambda s: (np.array([0.0, 3.2, 2, 1]) * s,)),
    "polymul": (_DataDependent, polymul_trimmed,
                lambda s: (np.array([0.0, 1, 2]) * s, np.array([9.0, 5, 1]))),
    "bincount": (_DataDependent, bincount_no_minlength, lambda s: (_i(5, 8, seed=s),)),
    "apply_along_axis_sorted": (tracenp.ConcretizationError, apply_along_axis_sorted,
                                lambda s: (_f(3, 4, seed=s),)),
    "real_if_close": (tracenp.UnsupportedFunctionError, real_if_close_docstring,
                      lambda s: (np.array([2.1 + 4e-14j, 5.2 + 3e-15j]) * s,)),
    "histogram_auto": (_DataDependent, histogram_auto, lambda s: (_f(20, seed=s),)),
}


@pytest.mark.parametrize("name", _names(OUT))
def test_out_arguments_and_helpers(name):
    check_like_numpy(*OUT[name])


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_data_dependent_examples(name):
    check_refused(*REFUSED[name])


# ---- dtype and boundary variants of the same examples --------------------------------------

def put_through_view(a):
    np.put(a[:, ::2], [0, 3], [50, 60])
    return a


def copyto_through_view(a, src):
    np.copyto(a[1:, ::2], src)
    return a


def fill_diagonal_through_view(a):
    np.fill_diagonal(a[:, 1:], 7)
    return a


def set_real_and_imag(z):
    z.real += 1
    z.imag = 5.0
    return z


def flat_assign(a):
    a.flat[:3] = 7
    return a.flat[[1, 5]], a


EDGES = {
    "pad_mean_int_rounds": _case(lambda a: np.pad(a, 2, "mean"), lambda s, n: (_i(10, n, seed=s),)),
    "pad_linear_ramp_int": _case(lambda a: np.pad(a, (3, 2), "linear_ramp", end_values=(0, 10)),
                                 lambda s, n: (_i(10, n, seed=s),)),
    "pad_reflect_odd_wider": _Xfail(
        "UnsupportedFunctionError: np.pad(reflect_type='odd') wider than the array (fixed shape)",
        lambda a: np.pad(a, 6, "reflect",
                         reflect_type="odd"), {}, lambda s, n: (_f(n - 1, seed=s),)),
    "pad_symmetric_odd_wider": _Xfail(
        "UnsupportedFunctionError: np.pad(mode='symmetric', reflect_type='odd') wider than the "
        "array",
        lambda a: np.pad(a, 7, "symmetric",
                         reflect_type="odd"), {}, lambda s, n: (_f(n - 1, seed=s),)),
    "pad_width_dict": _Xfail(
        "TypeError '`pad_width` must be of integral type': np.pad with a dict pad_width {axis: "
        "(before, after)} (NumPy 2.3's form)",
        lambda a: np.pad(a, {1: (1, 2)}), {}, lambda s, n: (_f(3, n, seed=s),)),
    "take_bool_indices": (lambda a: np.take(a, np.array([True, False])), {},
                          lambda s, n: (_f(n, seed=s),)),
    "reshape_copy_kw": (lambda a: a.reshape(2, -1, copy=True), {},
                        lambda s, n: (_f(n, 3, seed=s),)),
    "histogram_complex_weights": _Xfail(
        "UnsupportedFunctionError: np.histogram with complex weights",
        lambda a, w: np.histogram(a, bins=3, weights=w), {},
        lambda s, n: (_f(n, seed=s), _f(n, seed=s) * 1j)),
    "round_uint8_decimals": _case(lambda a: np.round(a, -1),
                                  lambda s, n: (_i(256, n, seed=s).astype(np.uint8),)),
    "round_half_decimals": _case(lambda a: np.around(a, 1),
                                 lambda s, n: (np.array([0.05, 0.15, 0.25, 0.35, 1.005,
                                                         2.5][:n]),)),
    "where_uint8_python_int": _case(lambda a: (np.where(a > 4, a, 300), np.where(a > 4, a, -1)),
                                    lambda s, n: (_i(9, n, seed=s).astype(np.uint8),)),
    "cumsum_int8_wraps": _case(lambda a: (np.cumsum(a), a.cumsum(dtype=np.int8), a.sum()),
                               lambda s, n: (np.full(n, 100, np.int8),)),
    "interp_repeated_xp": _case(lambda x, xp, fp: np.interp(x, xp, fp),
                                lambda s, n: (np.linspace(0, 4, n), np.array([0.0, 2, 2, 4]),
                                              np.array([0.0, 1, 5, 6]) + s)),
    "interp_nan_inf_x": _case(lambda x, xp, fp: np.interp(x, xp, fp),
                              lambda s, n: (np.concatenate([[np.nan, np.inf, -np.inf],
                                                            _f(n, seed=s)]),
                                            np.array([-1.0, 0, 3]), np.array([0.0, 3, 1]))),
    "histogram_last_edge_inclusive": _case(lambda a: np.histogram(a, bins=[0, 1, 2]),
                                           lambda s, n: (_i(4, 2 * n, seed=s).astype(float),)),
    "histogram_nan_range": _case(lambda a: np.histogram(a, bins=4, range=(-1, 1)),
                                 lambda s, n: (np.where(_f(n, seed=s) > 1, np.nan,
                                                        _f(n, seed=s)),)),
    "searchsorted_nan": _case(lambda a, v: (np.searchsorted(a, v),
                                            np.searchsorted(a, v, side="right")),
                              lambda s, n: (np.sort(np.where(_f(n, seed=s) > 1, np.nan,
                                                             _f(n, seed=s))),
                                            np.array([np.nan, 0.5, np.inf, -1.0]))),
    "sort_signed_zeros": _case(lambda a: (np.sort(a), np.argsort(a, kind="stable")),
                               lambda s, n: (np.array([0.0, -0.0] * n) * s,)),
    "sort_complex_nan": _case(lambda a: np.sort(a),
                              lambda s, n: (np.array([np.nan + 0j, 1 + np.nan * 1j, 1j, 2, 1 - 1j,
                                                      -1j][:n]),)),
    "argmax_complex_nan": _case(lambda a: (np.argmax(a), np.argmin(a)),
                                lambda s, n: (np.array([1 + 1j, 5, np.nan + 0j, 2j, 1 - 1j,
                                                        3][:n]),)),
    "isclose_infinities": _case(lambda a, b: np.isclose(a, b),
                                lambda s, n: (np.array([np.inf, -np.inf, np.inf, 1.0, np.nan,
                                                        0.0][:n]),
                                              np.array([np.inf, np.inf, 1e308, 1.0, np.nan,
                                                        1e-9][:n]))),
    "isin_nan": _case(lambda a, b: np.isin(a, b),
                      lambda s, n: (np.array([np.nan, 1.0, 2.0, 3.0, 4.0, 5.0][:n]),
                                                              np.array([np.nan, 1.0]))),
    "polyfit_cov_unscaled": _case(lambda x, y: np.polyfit(x, y, 1, cov="unscaled"),
                                  lambda s, n: (np.arange(n + 2.0), _f(n + 2, seed=s))),
    "lstsq_rcond_solution": _case(lambda a, b: np.linalg.lstsq(a, b, rcond=0.5)[0],
                                  lambda s, n: (_f(n, 3, seed=s), _f(n, seed=s + 1))),
    "put_through_view": _case(put_through_view, lambda s, n: (_i(9, 3, n, seed=s),)),
    "copyto_through_view": _case(copyto_through_view,
                                 lambda s, n: (_f(3, n, seed=s), _f(n // 2, seed=s + 1))),
    "fill_diagonal_through_view": _case(fill_diagonal_through_view,
                                        lambda s, n: (_f(3, n, seed=s),)),
    "set_real_and_imag": _case(set_real_and_imag,
                               lambda s, n: (_f(n, seed=s) + 1j * _f(n, seed=s + 1),)),
    "flat_assign_and_index": _case(flat_assign, lambda s, n: (_f(3, n, seed=s),)),
    "real_if_close_of_reals": _case(lambda a: np.real_if_close(a), lambda s, n: (_f(n, seed=s),)),
}


@pytest.mark.parametrize("name", _names(EDGES))
def test_dtype_and_boundary_variants(name):
    check_like_numpy(*EDGES[name])


# ---- fixed-shape results built from the value-dependent examples ---------------------------

def unique_counts_per_element(a):
    u, inverse, counts = np.unique(a, return_inverse=True, return_counts=True)
    return counts[inverse]


def unique_first_occurrences(a):
    u, indices = np.unique(a, return_index=True)
    return a[indices].sum(), u.max()


FIXED_FROM_DYNAMIC = {
    "unique_inverse": _case(lambda a: np.unique(a, return_inverse=True)[1],
                            lambda s, n: (_i(5, 2 * n, seed=s),)),
    "unique_inverse_2d": _case(lambda a: np.unique(a, return_inverse=True)[1],
                               lambda s, n: (_i(5, n, 2, seed=s),)),
    "unique_counts_per_element": _case(unique_counts_per_element,
                                       lambda s, n: (_i(5, 2 * n, seed=s),)),
    "unique_first_occurrences": _case(unique_first_occurrences,
                                      lambda s, n: (_i(5, 2 * n, seed=s),)),
    "unique_values_sum": _case(lambda a: np.unique(a).sum(), lambda s, n: (_i(5, 2 * n, seed=s),)),
    "extract_sum": _case(lambda arr: np.extract(np.mod(arr, 3) == 0, arr).sum(),
                         lambda s, n: (_ar(s, 3, n),)),
    "mask_mean": _case(lambda a: a[a > 0].mean(), lambda s, n: (_f(3, n, seed=s) + 2,)),
    "unique_inverse_indices_fn": _Xfail(
        "DataDependentShapeError: np.unique_inverse(a).inverse_indices (fixed shape; "
        "np.unique(a, return_inverse=True)[1] traces)",
        lambda a: np.unique_inverse(a).inverse_indices, {}, lambda s, n: (_i(5, 2 * n, seed=s),)),
    "unique_rows_inverse": (lambda a: np.unique(a, axis=0, return_inverse=True)[1], {},
        lambda s, n: (_i(2, n, 2, seed=s),)),
    "intersect1d_sum": _Xfail(
        "DataDependentShapeError: a reduction of np.intersect1d (np.unique(a).sum() and "
        "a[mask].sum() trace)",
        lambda a, b: np.intersect1d(a, b).sum(), {},
        lambda s, n: (_i(6, n, seed=s), _i(6, 4, seed=s + 1))),
    "setdiff1d_sum": _Xfail(
        "DataDependentShapeError: a reduction of np.setdiff1d",
        lambda a, b: np.setdiff1d(a, b).sum(), {},
        lambda s, n: (_i(6, n, seed=s), _i(6, 4, seed=s + 1))),
    "union1d_max": _Xfail(
        "DataDependentShapeError: a reduction of np.union1d",
        lambda a, b: np.union1d(a, b).max(), {},
        lambda s, n: (_i(6, n, seed=s), _i(6, 4, seed=s + 1))),
    "trim_zeros_sum": _Xfail(
        "DataDependentShapeError: a reduction of np.trim_zeros",
        lambda a: np.trim_zeros(a).sum(), {},
        lambda s, n: (np.concatenate([[0], _i(3, n, seed=s), [0, 0]]),)),
}


@pytest.mark.parametrize("name", _names(FIXED_FROM_DYNAMIC))
def test_fixed_shape_results_of_value_dependent_examples(name):
    check_like_numpy(*FIXED_FROM_DYNAMIC[name])


# ---- the examples' options passed in as arguments, as wrappers pass them on ----------------

def lp_distance(a, b, p=np.inf):
    """`np.linalg.norm(a - b, ord=p, axis=-1)` with the order a parameter of the wrapper."""
    return np.linalg.norm(a - b, ord=p, axis=-1)


def matrix_norm_of(a, p):
    return np.linalg.norm(a, p)


OPTIONS_AS_ARGUMENTS = {
    "round_decimals": _case(lambda a, d: np.round(a, d), lambda s, n: (_f(3, n, seed=s), 2)),
    "percentile_q": _case(lambda a, q: np.percentile(a, q, axis=1),
                          lambda s, n: (_f(3, n, seed=s), 30.0)),
    "clip_bounds": _case(lambda a, lo, hi: np.clip(a, lo, hi),
                         lambda s, n: (_f(3, n, seed=s), -0.5, 0.5)),
    "roll_shift_axis": _case(lambda a, shift, axis: np.roll(a, shift, axis=axis),
                             lambda s, n: (_f(3, n, seed=s), -2, 1)),
    "pad_width_mode": _case(lambda a, w, mode: np.pad(a, w, mode=mode),
                            lambda s, n: (_f(n, seed=s), 3, "reflect")),
    "histogram_bins_range": _case(lambda a, bins, lo,
                                  hi: np.histogram(a, bins=bins, range=(lo, hi)),
                                  lambda s, n: (_f(3 * n, seed=s), 4, -1.0, 1.0)),
    "partition_kth": _case(lambda a, k: np.partition(a, k)[k], lambda s, n: (_f(n + 2, seed=s), 3)),
    "interp_left_period": _case(lambda a, xp, fp, left, period: (np.interp(a, xp, fp, left=left),
                                                                 np.interp(a, xp, fp,
                                                                           period=period)),
                                lambda s, n: (_f(n, seed=s) * 3, np.arange(4.0),
                                              np.arange(4.0) ** 2,
                                              -1.0, 4.0)),
    "gradient_spacing_edge": _case(lambda a, h, e: np.gradient(a, h, edge_order=e),
                                   lambda s, n: (_f(n, seed=s), 0.1, 2)),
    "quantile_method": _case(lambda a, q, m: np.quantile(a, q, method=m),
                             lambda s, n: (_f(n, seed=s), 0.3, "nearest")),
    "lp_distance_vectors": _case(lp_distance,
                                 lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1), np.inf)),
    "lp_distance_p2": _case(lp_distance,
                            lambda s, n: (_f(n, 3, seed=s), _f(n, 3, seed=s + 1), 2.0)),
    "matrix_norm_float_ord": (matrix_norm_of, {}, lambda s, n: (_f(3, n, seed=s), 1.0)),
    "matrix_norm_int_ord": (matrix_norm_of, {}, lambda s, n: (_f(3, n, seed=s), 1)),
    "matrix_norm_inf_ord_axes": (lambda a, p: np.linalg.norm(a, ord=p, axis=(1, 2)), {},
                                 lambda s, n: (_f(2, 3, n, seed=s), np.inf)),
    "cond_p": _Xfail(
        "UnsupportedFunctionError 'An object array': np.linalg.cond(a, p) with p an argument",
        lambda a, p: np.linalg.cond(a, p), {}, lambda s, n: (_spd(s, n), 2.0)),
    "round_decimals_numpy_int": _Xfail(
        "UnsupportedFunctionError 'A traced `decimals` of np.round': decimals=np.int64(2) (a "
        "Python int is steered static, a NumPy integer is not)",
        lambda a, d: np.round(a, d), {}, lambda s, n: (_f(n, seed=s), np.int64(2))),
}


@pytest.mark.parametrize("name", _names(OPTIONS_AS_ARGUMENTS))
def test_options_passed_as_arguments(name):
    check_like_numpy(*OPTIONS_AS_ARGUMENTS[name])


# ---- the docstrings' string and structured examples ----------------------------------------

_NAMES = np.array(["Hertz", "Galilei", "Heinrich", "Galileo", "Gustav", "Curie"])
_PEOPLE = np.dtype([("name", "S10"), ("height", float), ("age", int)])


def _people(s, n):
    """The `np.sort` docstring's structured array of names, heights and ages."""
    people = np.zeros(n, dtype=_PEOPLE)
    people["name"] = _NAMES[_i(6, n, seed=s)]
    people["height"] = np.round(1.6 + _r(s, n) * 0.4, 2)
    people["age"] = _i(3, n, seed=s) + 38
    return people


STRINGS = {
    "lexsort_surnames": _case(lambda surnames, first_names: np.lexsort((first_names, surnames)),
                              lambda s, n: (_NAMES[_i(3, n, seed=s)],
                                            _NAMES[_i(6, n, seed=s + 1)])),
    "sort_argsort_strings": _case(lambda names: (np.sort(names), np.argsort(names, kind="stable")),
                                  lambda s, n: (_NAMES[_i(6, n, seed=s)],)),
    "isin_where_strings": _case(lambda names: (np.isin(names, ["Hertz", "Curie"]),
                                               np.where(names == "Hertz", 1, 0)),
                                lambda s, n: (_NAMES[_i(6, n, seed=s)],)),
    "searchsorted_strings": _case(lambda names, q: np.searchsorted(np.sort(names), q),
                                  lambda s, n: (_NAMES[_i(6, n, seed=s)], _NAMES[:3])),
    "unique_strings_inverse": _Xfail(
        "DataDependentShapeError: np.unique(names, return_inverse=True)[1] of strings (the "
        "integer form traces)",
        lambda names: np.unique(names, return_inverse=True)[1], {},
        lambda s, n: (_NAMES[_i(3, n, seed=s)],)),
    "sort_structured_order": _case(lambda a: np.sort(a, order="height"),
                                   lambda s, n: (_people(s, n),)),
    "structured_field_read": _case(lambda a: a["height"] * 2, lambda s, n: (_people(s, n),)),
}


@pytest.mark.parametrize("name", _names(STRINGS))
def test_string_and_structured_examples(name):
    check_like_numpy(*STRINGS[name])
