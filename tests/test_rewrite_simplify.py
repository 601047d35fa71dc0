"""Simplify rewrites: each fires on its NumPy spelling, and the result is NumPy's, bit for bit.

Inputs come from hypothesis: several dtypes, length-1 broadcasting, NaN, +-inf,
signed zeros and extreme values. Equal NaNs count as equal (their payload is
not part of NumPy's contract); everything else, -0.0 included, must match in
its bits. The IR checker runs after every rewrite set (TRACENP_CHECK=1). The
graphs run on the NumPy reference backend: what is tested is the rewrite, not
a backend's accuracy.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tracenp
from tracenp.rewrite.simplify import compose_slices, holds_exactly
from test_corpus_hunt_f import ys_list_of_lists

FLOATS = (np.float16, np.float32, np.float64)
INTS = (np.int8, np.int32, np.int64, np.uint8, np.uint64)
SETTINGS = settings(max_examples=30, deadline=None)


def arrays(dtypes, shapes=((5,), (1,), (2, 3), (1, 3))):
    """Arrays of one of `dtypes` and `shapes`, floats with NaN, inf, -0.0 and extremes."""

    def of(dt):
        dt = np.dtype(dt)
        if dt.kind == "f":
            elems = st.floats(width=dt.itemsize * 8, allow_nan=True, allow_infinity=True)
        elif dt.kind == "b":
            elems = st.booleans()
        else:
            info = np.iinfo(dt)
            elems = st.integers(int(info.min), int(info.max))
        return hnp.arrays(dt, st.sampled_from(shapes), elements=elems)

    return st.sampled_from(dtypes).flatmap(of)


def assert_bitwise(got, want) -> None:
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, want.dtype)
    if got.dtype.kind in "fc":
        nan = np.isnan(got)
        np.testing.assert_array_equal(nan, np.isnan(want))
        g, w = got[~nan], want[~nan]
        np.testing.assert_array_equal(g.view(f"u{g.dtype.itemsize}") if g.dtype.kind == "f"
                                      else g, w.view(f"u{w.dtype.itemsize}")
                                      if w.dtype.kind == "f" else w)
    else:
        np.testing.assert_array_equal(got, want)


def fired(jf, *args) -> list[str]:
    return [f.rule for f in jf.compiled(*args).report["rewrites"]]


def check(f, *args, rule: str | None = None, absent: str | None = None):
    """f under jit equals f in NumPy bit for bit; `rule` fired; op `absent` left the graph."""
    jf = tracenp.jit(f, stabilize=False, backend="numpy")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        want = f(*args)
        got = jf(*args)
    assert_bitwise(got, want)
    graph = str(jf.graph(*args))
    if rule is not None:
        assert rule in fired(jf, *args), graph
    if absent is not None:
        assert f" {absent} " not in graph, graph
    return graph


@SETTINGS
@given(arrays(FLOATS + INTS + (np.bool_,)))
def test_times_one(x):
    one = x.dtype.type(1)
    check(lambda x: x * one, x, rule="x * 1 -> x", absent="multiply")
    check(lambda x: one * x, x, rule="x * 1 -> x", absent="multiply")


@SETTINGS
@given(arrays(FLOATS))
def test_divide_by_one(x):
    check(lambda x: x / x.dtype.type(1), x, rule="x / 1 -> x", absent="divide")


@SETTINGS
@given(arrays(INTS + (np.bool_,)))
def test_plus_zero_integers(x):
    check(lambda x: x + x.dtype.type(0), x, rule="x + 0 -> x  (integers, bool)", absent="add")


@SETTINGS
@given(arrays(FLOATS))
def test_plus_zero_floats_only_for_negative_zero(x):
    check(lambda x: x + x.dtype.type(-0.0), x, rule="x + -0.0 -> x", absent="add")
    graph = check(lambda x: x + x.dtype.type(0.0), x)  # -0.0 + 0.0 is +0.0: kept
    assert " add " in graph


@SETTINGS
@given(arrays(FLOATS + INTS))
def test_minus_zero(x):
    check(lambda x: x - x.dtype.type(0), x, rule="x - 0 -> x", absent="subtract")


@SETTINGS
@given(arrays(FLOATS + (np.int8, np.int64, np.uint8)))
def test_double_negation(x):
    check(lambda x: -(-x), x, rule="-(-x) -> x", absent="negative")


@SETTINGS
@given(arrays(FLOATS + (np.int8, np.int64)), st.data())
def test_add_negated_and_subtract_negated(x, data):
    y = data.draw(hnp.arrays(x.dtype, x.shape[-1:], elements=hnp.from_dtype(x.dtype)))
    check(lambda x, y: x + (-y), x, y, rule="x + (-y) -> x - y", absent="negative")
    check(lambda x, y: -y + x, x, y, rule="x + (-y) -> x - y", absent="negative")
    check(lambda x, y: x - (-y), x, y, rule="x - (-y) -> x + y", absent="negative")


@SETTINGS
@given(arrays(FLOATS + (np.int8, np.int32, np.int64, np.uint8)))
def test_powers(x):
    check(lambda x: np.power(x, 1), x, rule="x ** 1 -> x", absent="power")
    check(lambda x: np.power(x, 2), x, rule="x ** 2 -> x * x", absent="power")
    check(lambda x: np.square(x), x, rule="square(x) -> x * x", absent="square")
    if x.dtype.kind == "f":
        check(lambda x: np.power(x, -1), x, rule="x ** -1 -> 1 / x", absent="power")
        check(lambda x: np.reciprocal(x), x, rule="reciprocal(x) -> 1 / x", absent="reciprocal")


@SETTINGS
@given(arrays((np.float32, np.float64)))
def test_power_half_is_sqrt(x):
    check(lambda x: np.power(x, 0.5), x, rule="x ** 0.5 -> sqrt(x)  (float32, float64)",
          absent="power")


def test_power_half_of_float16_is_not_sqrt():
    """np.power(float16, 0.5) is pow, not sqrt, at -inf and -0.0: no rewrite there."""
    x = np.array([-np.inf, -0.0, 0.0, 4.0, np.nan], np.float16)
    graph = check(lambda x: np.power(x, np.float16(0.5)), x)
    assert " power " in graph


def test_powers_of_every_float16():
    x = np.arange(1 << 16, dtype=np.uint16).view(np.float16)
    check(lambda x: np.power(x, np.float16(2)), x, rule="x ** 2 -> x * x")
    check(lambda x: np.power(x, np.float16(-1)), x, rule="x ** -1 -> 1 / x")
    check(lambda x: np.power(x, np.float16(1)), x, rule="x ** 1 -> x")


def test_no_rewrite_of_what_is_not_exact():
    x = np.array([np.nan, np.inf, 1.0, -0.0])
    assert " subtract " in check(lambda x: x - x, x)  # inf - inf is nan, not 0
    assert " multiply " in check(lambda x: x * 0.0, x)
    c = np.array([1.0 + 0j, np.inf + 1j])
    assert " multiply " in check(lambda c: c * (1 + 0j), c)  # (inf+1j)*(1+0j) has a nan


@SETTINGS
@given(arrays(FLOATS + INTS))
def test_constant_folding(x):
    def f(x):  # np.full and np.arange make traced constants inside the function
        return x[..., :1] * (np.exp(np.full(3, 0.5)).astype(x.dtype) * np.arange(3, dtype=x.dtype))

    graph = check(f, x, rule="fold constants: f(c1, c2, ...) -> c")
    assert graph.count(" multiply ") == 1


def test_folding_leaves_runtime_errors_to_runtime():
    x = np.array([1, 2], np.int64)
    jf = tracenp.jit(lambda x: x + np.power(np.int64(2), np.int64(-1)), backend="numpy")
    with pytest.raises(ValueError, match="negative integer powers"):
        jf(x)


def test_folding_keeps_constants_small():
    x = np.ones(3)
    jf = tracenp.jit(lambda x: x + np.broadcast_to(np.full((), 2.0), (1000, 3)))
    assert "<float64[1000, 3]>" not in str(jf.graph(x))
    assert_bitwise(jf(x), x + np.broadcast_to(2.0, (1000, 3)))


@SETTINGS
@given(arrays(FLOATS + INTS, shapes=((4,), (1,))))
def test_cse_and_dead_code(x):
    def f(x):
        np.exp(x)  # dead
        return np.sin(x * 2) + np.sin(x * 2)

    graph = check(f, x) if x.dtype.kind == "f" else None
    if graph:
        assert graph.count(" sin ") == 1 and " exp " not in graph


@pytest.mark.parametrize("src,mid,dst", [
    (np.float32, np.float64, np.float32), (np.float32, np.float64, np.float16),
    (np.int32, np.float64, np.float32), (np.int8, np.int64, np.int16),
    (np.uint8, np.int16, np.float16), (np.bool_, np.int64, np.float64),
    (np.float16, np.float32, np.complex64),
])
def test_cast_chains_collapse(src, mid, dst):
    with np.errstate(over="ignore"):
        x = np.array([0, 1, 7, 100, 127, -3, 255, 2**30 + 1], np.int64).astype(src)
    if np.dtype(src).kind == "f":
        x = np.concatenate([x, np.array([np.nan, np.inf, -0.0, 1e-7, 65504], src)])
    graph = check(lambda x: x.astype(mid).astype(dst), x,
                  rule="cast(cast(x, a), b) -> cast(x, b)  where a holds every value of x")
    assert graph.count(" cast ") == (0 if dst == src else 1)


@pytest.mark.parametrize("src,mid,dst", [
    (np.float64, np.float32, np.float64), (np.int64, np.float64, np.float32),
    (np.float32, np.float64, np.int32), (np.int64, np.int8, np.int64),
])
def test_lossy_cast_chains_are_kept(src, mid, dst):
    x = np.array([2**53 + 1, 3, 2**62 + 2**40 + 1, -5], np.int64).astype(src)
    graph = check(lambda x: x.astype(mid).astype(dst), x)
    assert graph.count(" cast ") == 2


def test_holds_exactly_matches_round_trips():
    dts = [np.dtype(t) for t in (np.bool_, np.int8, np.uint8, np.int16, np.int32, np.int64,
                                 np.uint32, np.float16, np.float32, np.float64, np.complex128)]
    for a, b in itertools.product(dts, dts):
        if holds_exactly(a, b) and a.kind != "b":
            info = np.finfo(a) if a.kind in "fc" else np.iinfo(a)
            x = np.array([info.min, info.max, 1, 0], a)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
                assert_bitwise(x.astype(b).astype(a), x)


def test_compose_slices_exhaustively():
    steps = (None, 1, 2, 3, -1, -2)
    bounds = (None, 0, 1, 3, -1, -4, 9)
    sls = [(a, b, s) for a in bounds for b in bounds for s in steps]
    for n in (0, 1, 5, 8):
        x = np.arange(n)
        for s1 in sls[::3]:
            for s2 in sls[::5]:
                want = x[slice(*s1)][slice(*s2)]
                np.testing.assert_array_equal(x[slice(*compose_slices(n, s1, s2))], want)


@SETTINGS
@given(arrays(FLOATS + INTS, shapes=((6, 4),)))
def test_movement_chains(x):
    check(lambda x: x[1:][::2, ::-1][:, 1:], x, rule="x[a][b] -> x[a∘b]")
    # a reshape of a reshape view is traced as one reshape of the base; a copy keeps two
    check(lambda x: x.reshape(4, 6).copy().reshape(24).reshape(3, 8), x,
          rule="reshape(reshape(x)) -> reshape(x)")
    check(lambda x: np.transpose(np.transpose(x[None], (1, 2, 0)), (2, 0, 1)), x,
          rule="transpose(transpose(x, p), q) -> transpose(x, p[q])", absent="transpose")
    check(lambda x: np.broadcast_to(np.broadcast_to(x[:1], (3, 4)), (2, 3, 4)), x,
          rule="broadcast(broadcast(x)) -> broadcast(x)")


def _overwrite_all(x, y):
    out = np.empty_like(x)
    out[...] = y
    return out


def _overwrite_rows(x):
    out = np.zeros(x.shape, np.float32)
    for i in range(x.shape[0]):
        out[i] = x[i] * 2
    return out


@SETTINGS
@given(arrays(FLOATS + INTS, shapes=((6, 4),)))
def test_a_write_over_all_of_an_array_is_the_value_written(x):
    """`out = np.empty_like(x); out[...] = y` and a loop writing every row of `out` leave
    only the written values (cast to out's dtype, broadcast to its shape); a write that
    misses an element or runs backwards keeps the write."""
    check(_overwrite_all, x, x[0].astype(np.float64), rule="x[:] = y over all of x -> y",
          absent="slice_set")
    check(_overwrite_rows, x, rule="x[:] = y over all of x -> y", absent="slice_set")
    assert " slice_set " in check(_partial_rows, x)
    assert " slice_set " in check(_reversed_write, x)


def _partial_rows(x):
    out = np.zeros(x.shape, x.dtype)
    out[1:] = x[1:] * 2
    return out


def _reversed_write(x):
    out = np.ones(x.shape, x.dtype)
    out[::-1] = x
    return out


@SETTINGS
@given(arrays(FLOATS + INTS, shapes=((1, 4), (3, 1), (1, 1))))
def test_implicit_broadcast(x):
    y = np.arange(12).reshape(3, 4).astype(x.dtype)
    check(lambda x, y: np.broadcast_to(x, (3, 4)) * y, x, y,
          rule="f(broadcast(x), y) -> f(x, y)  (ufuncs broadcast; [c] -> c)", absent="broadcast")


@SETTINGS
@given(arrays(INTS, shapes=((4,), (1, 4), (3, 1))))
def test_sum_of_broadcast_integers(x):
    shape = (5,) + np.broadcast_shapes(x.shape, (3, 4))
    check(lambda x: np.broadcast_to(x, shape).sum(axis=0, dtype=x.dtype), x,
          rule="sum(broadcast(x), copies) -> n * x  (integers)", absent="sum")


def test_sum_of_broadcast_floats_is_kept():
    x = np.array([0.1, 1e308, -0.0, 1 / 3])
    graph = check(lambda x: np.broadcast_to(x, (7, 4)).sum(axis=0), x)
    assert " sum " in graph


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 12), st.integers(2, 12), st.integers(2, 12), st.sampled_from(INTS),
       st.integers(0, 2**32))
def test_matmul_chain_of_integers(m, k, n, dtype, seed):
    """Wrap-around products in any order agree; where A @ (B @ v) is cheaper it is used."""
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    a, b = (rng.integers(info.min, info.max, s, dtype=dtype, endpoint=True)
            for s in ((m, k), (k, n)))
    v = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    graph = check(lambda a, b, v: (a @ b) @ v, a, b, v)
    if k * n + m * k < m * k * n + m * n:
        assert graph.index("matmul b") < graph.index("matmul a"), graph


def _grid(x):
    return np.array([[[x[0], x[1]], [x[2], 2.0]], [[x[1] * x[2], 0.5], [x[0], x[0] + 1]]])


@pytest.mark.parametrize("fn, args", [
    (ys_list_of_lists, ([3, 0], 0.1)),          # a first row of ints, then floats
    (ys_list_of_lists, (np.array([1.0, 2.0]), 0.25)),
    (_grid, (np.array([1.5, -2.0, 4.0]),)),          # three levels, constants among them
    (_grid, (np.array([1, 2, 3], np.int32),)),
])
def test_rows_of_elements_are_one_concatenation(fn, args):
    """`np.array` of a list of rows of traced scalars concatenates all the elements once
    (each row was a library step of its own); values and dtype stay NumPy's."""
    jf = tracenp.jit(fn)
    assert str(jf.graph(*args)).count(" concat ") == 1
    got, want = jf(*args), fn(*args)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


_FRAMES = np.arange(16)[None, :] + np.arange(185)[:, None]  # frames of a signal, by index
_RAGGED = np.arange(45).reshape(9, 5) * 3 % 40


@pytest.mark.parametrize("fn, rule, kept", [
    (lambda x: x[_FRAMES][::5] * np.hanning(16),
     "reshape(gather(a, c))[s] -> reshape(gather(a, reshape(c)[s]))  (c constant)", 37 * 16),
    (lambda x: x[_RAGGED][::4, ::2].sum(-1),
     "reshape(gather(a, c))[s] -> reshape(gather(a, reshape(c)[s]))  (c constant)", 9),
    (lambda x: x[np.arange(60) % 7][10:50:3], "gather(a, c)[s] -> gather(a, c[s])  (c constant)",
     14)])
def test_a_slice_of_a_gather_by_constant_indices_gathers_only_what_it_keeps(fn, rule, kept):
    """Framing by an index table (`x[frames][::hop]`) gathered every frame, then kept one in
    `hop` (60x NumPy's time for a spectrogram's frames in hunt AL, when `sliding_window_view`
    was such a gather)."""
    x = np.random.default_rng(5).standard_normal(200)
    graph = check(fn, x, rule=rule)
    sizes = [int(line.split("[")[1].split("]")[0]) for line in graph.splitlines()
             if "= gather" in line]
    assert sizes == [kept], graph
