"""Row groups (reduction passes run block of rows by block of rows) and float16 partials,
against NumPy: dtypes, layouts, axis and keepdims forms, empty rows, threads, block sizes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tracenp
from test_ops import _layout
from tracenp.config import config
from tracenp.fusion import RowGroup
from tracenp.lowering import llvm as backend


def jit(fn):
    return tracenp.jit(fn, backend="llvm")


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def logsumexp(x):
    m = x.max(axis=1, keepdims=True)
    return m + np.log(np.exp(x - m).sum(axis=1, keepdims=True))


def standardize(x):
    return (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)


def center_rows(x):  # reductions without keepdims, broadcast back by indexing
    return x - x.mean(axis=1)[:, None] + x.max(axis=1)[:, None]


def trailing_pair(x):  # a 3-d array reduced over its two trailing dims
    s = x - x.min(axis=(1, 2), keepdims=True)
    return s / (s.sum(axis=(1, 2), keepdims=True) + 1.0)


def normalize(x):  # a sum only: defined for empty rows
    return x / (np.abs(x).sum(axis=1, keepdims=True) + 1.0)


FUNCTIONS = [softmax, logsumexp, standardize, center_rows, normalize]


def groups(fn, *args) -> list[RowGroup]:
    return [s for s in jit(fn).compiled(*args).run.schedule.steps if isinstance(s, RowGroup)]


def assert_like_numpy(fn, x, rtol):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = fn(x.copy())
        got = jit(fn)(x)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * 10, equal_nan=True)


@pytest.mark.parametrize("layout", ["C", "F", "strided", "negative"])
@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-12), (np.float32, 2e-5)])
@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.__name__)
def test_grouped_passes_match_numpy(fn, dtype, rtol, layout):
    x = _layout(np.random.default_rng(0).standard_normal((37, 301)).astype(dtype), layout)
    assert len(groups(fn, x)) == 1
    assert_like_numpy(fn, x, rtol)


def test_three_d_trailing_axes_and_last_axis():
    x = np.random.default_rng(1).standard_normal((9, 13, 17))
    assert len(groups(trailing_pair, x)) == 1
    assert_like_numpy(trailing_pair, x, 1e-12)
    assert len(groups(softmax, x)) == 1
    assert_like_numpy(softmax, x, 1e-12)


def test_rows_broadcast_from_one_row():
    row = np.random.default_rng(2).standard_normal((1, 257))
    x = np.broadcast_to(row, (50, 257))
    assert x.strides[0] == 0
    for fn in (softmax, standardize):
        assert_like_numpy(fn, x, 1e-12)


@pytest.mark.parametrize("shape", [(6, 0), (0, 9)])
def test_empty_rows(shape):
    assert_like_numpy(normalize, np.zeros(shape), 1e-12)
    assert_like_numpy(standardize, np.zeros(shape), 1e-12)


def test_reduction_over_leading_axis_is_not_grouped():
    x = np.random.default_rng(3).standard_normal((40, 30))
    fn = lambda v: v - v.mean(axis=0)  # noqa: E731
    assert groups(fn, x) == []
    assert_like_numpy(fn, x, 1e-12)


def test_float16_rows_stay_correct():
    x = np.random.default_rng(4).standard_normal((20, 64)).astype(np.float16)
    assert_like_numpy(softmax, x, 2e-3)
    assert_like_numpy(normalize, x, 2e-3)


@pytest.mark.parametrize("block", [1, 1 << 40])
def test_block_size_does_not_change_results(monkeypatch, block):
    x = np.random.default_rng(5).standard_normal((64, 3000))
    want = jit(softmax)(x)
    monkeypatch.setattr(backend, "ROW_BLOCK", block)
    np.testing.assert_array_equal(jit(softmax)(x), want)
    np.testing.assert_allclose(want, softmax(x), rtol=1e-12)


def test_thread_count_does_not_change_results():
    x = np.random.default_rng(6).standard_normal((301, backend.PARALLEL_MIN // 100))
    old = config.num_threads
    results = []
    try:
        for threads in (1, 2, 3):
            config.num_threads = threads
            results += [jit(fn)(x) for fn in (softmax, logsumexp, standardize)]
    finally:
        config.num_threads = old
    for i, fn in enumerate((softmax, logsumexp, standardize)):
        np.testing.assert_allclose(results[i], fn(x), rtol=1e-12, atol=1e-12)
        for r in results[i::3]:
            np.testing.assert_array_equal(r, results[i])


@pytest.mark.parametrize("shape,axis", [((20000, 24), (0, 1)), ((20000, 24), None),
                                        ((3, 20000, 24), (1, 2))])
def test_float16_sum_keeps_float32_partials(shape, axis):
    """Many rows of small values: a half-precision running total would stall (NumPy sums
    the contiguous reduced dims pairwise in float32)."""
    x = np.random.default_rng(7).uniform(0, 0.01, shape).astype(np.float16)
    want = x.sum(axis=axis)
    got = jit(lambda v: v.sum(axis=axis))(x)
    assert got.dtype == np.float16 and got.shape == want.shape
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=2e-3)


def test_float16_sum_over_rows_is_as_close_as_numpy():
    """Over dim 0 NumPy rounds to half after every row; float32 partials are no worse."""
    x = np.random.default_rng(8).uniform(0, 0.01, (20000, 16)).astype(np.float16)
    exact = x.astype(np.float64).sum(axis=0)
    got = jit(lambda v: v.sum(axis=0))(x).astype(np.float64)
    numpy_err = np.abs(x.sum(axis=0).astype(np.float64) - exact)
    ulp = np.spacing(exact.astype(np.float16)).astype(np.float64)
    assert np.all(np.abs(got - exact) <= numpy_err + ulp)


def test_scratch_only_for_values_nothing_else_reads():
    """softmax's `e` lives in a block-sized buffer; returned or read later, it is stored."""
    x = np.random.default_rng(9).standard_normal((64, 500))

    def with_e(v):
        e = np.exp(v - v.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True), e

    def e_read_later(v):
        e = np.exp(v - v.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True)) @ e.T

    (group,) = groups(softmax, x)
    assert [n.op.name for n in group.scratch] == ["EXP"]
    for fn in (with_e, e_read_later):
        assert all(g.scratch == () for g in groups(fn, x))
        got, want = jit(fn)(x), fn(x)
        for g, w in zip(got if isinstance(got, tuple) else (got,),
                        want if isinstance(want, tuple) else (want,)):
            np.testing.assert_allclose(g, w, rtol=1e-12)


@pytest.mark.parametrize("axis", [1, (1, 2), 0, None])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_max_min_propagate_nan_from_any_row(axis, dtype):
    """The NaN-seen flag carries NaN through register and in-memory accumulators."""
    x = np.random.default_rng(10).standard_normal((5, 7, 300)).astype(dtype)
    x[1, 3, 200] = np.nan
    x[2, 0, 0] = np.nan
    x[3] = np.inf
    x[4, 6, 299] = -np.inf
    for fn in (lambda v: v.max(axis=axis), lambda v: v.min(axis=axis),
               lambda v: (v - v.max(axis=-1, keepdims=True)).min(axis=-1)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = fn(x)
            got = jit(fn)(x)
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype



def batched_rnn(w, u, b, xs):  # a loop whose row group holds two passes per step
    h = np.zeros((xs.shape[1], w.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh((h[:, None, :] * w.T).sum(-1) + (xs[t][:, None, :] * u.T).sum(-1) + b)
    return h


def test_a_loop_of_reductions_is_one_group():
    rng = np.random.default_rng(11)
    w, u, b = rng.standard_normal((8, 8)) * 0.3, rng.standard_normal((4, 8)), rng.standard_normal(8)
    f = jit(batched_rnn)
    assert [s.kind for s in f.explain(w, u, b, rng.standard_normal((40, 5, 4))).steps
            if s.kind != "view"] == ["rows"]
    for xs in (rng.standard_normal((40, 5, 4)), rng.standard_normal((40, 5, 4))):
        np.testing.assert_allclose(f(w, u, b, xs), batched_rnn(w, u, b, xs), rtol=1e-12)


def test_the_passes_of_an_unrolled_loop_share_their_functions(monkeypatch):
    """40 steps of the loop: one function per distinct pass, called once per step (LLVM
    compiled 40 inlined copies of each before), where the passes are long."""
    from tracenp.lowering import llvm_kernel
    from tracenp.lowering.llvm_kernel import build_module

    monkeypatch.setattr(llvm_kernel, "SHARED_PASSES_ABOVE", 100)
    rng = np.random.default_rng(12)
    w, u, b = rng.standard_normal((8, 8)) * 0.3, rng.standard_normal((4, 8)), rng.standard_normal(8)
    (group,) = groups(batched_rnn, w, u, b, rng.standard_normal((40, 5, 4)))
    module = build_module(group, "rows")
    passes = [fn for fn in module.functions if fn.name.startswith("rows_pass")]
    texts = {k.text() for k in group.kernels}
    assert len(group.kernels) >= 40 and len(passes) <= len(texts) + 2


@pytest.mark.parametrize("split", [False, True])
def test_scratch_reused_across_calls_and_threads(monkeypatch, split):
    """A group's scratch arrays (softmax's `e`) are taken again by later calls: calls from
    several threads at once must each have their own, split into pieces or not."""
    import threading

    monkeypatch.setattr(backend, "PARALLEL_MIN", 1 if split else 1 << 40)
    rng = np.random.default_rng(12)
    xs = [rng.standard_normal((16, 20000)) * (i + 1) for i in range(4)]
    f = jit(softmax)
    (group,) = groups(softmax, xs[0])
    assert group.scratch
    results: dict = {}

    def work(i):
        results[i] = [f(xs[i]) for _ in range(15)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(xs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, x in enumerate(xs):
        for r in results[i]:
            np.testing.assert_allclose(r, softmax(x), rtol=1e-12)
