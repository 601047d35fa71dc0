"""The LLVM backend against NumPy: every op-table row and layout, edge values, threads, reuse."""

from __future__ import annotations


import numpy as np
import pytest

import tracenp
from test_ops import _cases, check_row
from tracenp.config import config
from tracenp.fusion import KernelStep, RowGroup
from tracenp.lowering import llvm as backend
from tracenp.lowering.llvm_elements import ElementPlan, view_chains
from tracenp.lowering.llvm_jit import STATS
from tracenp.ops import OPS, Op


pytestmark = pytest.mark.usefixtures("private_cache")


def jit(fn):
    return tracenp.jit(fn, backend="llvm")


@pytest.mark.parametrize("row,dtype,shapes,layout", list(_cases()))
def test_row_matches_numpy(row, dtype, shapes, layout):
    check_row(row, dtype, shapes, layout, jit)


def _lowered_ops() -> tuple[set, set]:
    """(ops with an LLVM row for some dtype, ops that always run as NumPy steps)."""
    lowered, fallback = set(), set()
    for op, d in OPS.items():
        if d.kind == "leaf":
            continue
        if op in backend.REDUCTIONS or (d.kind == "elementwise" and op in backend_table()):
            lowered.add(op)
        else:
            fallback.add(op)
    return lowered, fallback


def backend_table():
    from tracenp.lowering.llvm_ops import TABLE

    return set(TABLE) | {Op.CAST, Op.WHERE}


def test_completeness_lists_lowered_and_fallback_ops():
    lowered, fallback = _lowered_ops()
    assert {Op.ADD, Op.EXP, Op.SIN, Op.SUM, Op.MAX, Op.CAST, Op.WHERE, Op.DIVIDE} <= lowered
    expected_fallback = {Op.FREXP, Op.MODF, Op.GCD, Op.LCM, Op.SPACING, Op.NEXTAFTER,
                         Op.LDEXP, Op.LOGADDEXP2,
                         Op.ARGMAX, Op.ARGMIN, Op.CUMSUM, Op.CUMPROD, Op.ACCUMULATE,
                         Op.RESHAPE, Op.TRANSPOSE, Op.BROADCAST, Op.SLICE, Op.STRIDED, Op.PAD,
                         Op.CONCAT,
                         Op.GATHER, Op.SCATTER, Op.SLICE_SET, Op.MATMUL, Op.EINSUM,
                         Op.SORT, Op.ARGSORT, Op.SEARCHSORTED, Op.CORRELATE,
                         Op.LINALG, Op.POWER, Op.FLOAT_POWER,
                         Op.PARTITION, Op.ARGPARTITION, Op.FFT,
                         Op.HOST,  # the library's own function, on the values
                         Op.DRAW,  # NumPy's generator draws, at each call
                         Op.CHECK}  # raises NumPy's error from Python, after its flag
    assert fallback - expected_fallback == set(), "new fallback ops: say so here"
    assert lowered | fallback == {op for op, d in OPS.items() if d.kind != "leaf"}


# NumPy's own loops disagree on the sign of max(0.0, -0.0) (SIMD body vs scalar tail).
TIES_UNSPECIFIED = {"maximum", "minimum", "fmax", "fmin"}
EDGE_F = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e308, -1e-310, 3.5, -2.5])


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide", "floor_divide",
                                  "remainder", "fmod", "maximum", "minimum", "fmax", "fmin",
                                  "copysign", "logaddexp", "heaviside", "less", "not_equal"])
def test_float_edge_values(name, dtype):
    x = EDGE_F.astype(dtype)
    a, b = np.meshgrid(x, x)
    uf = getattr(np, name)
    with np.errstate(all="ignore"):
        want = uf(a, b)
        got = jit(lambda p, q: uf(p, q))(a, b)
    if name not in TIES_UNSPECIFIED:
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "uint8", "uint64"])
@pytest.mark.parametrize("name", ["floor_divide", "remainder", "fmod", "add", "multiply",
                                  "subtract", "left_shift", "right_shift", "absolute"])
def test_integer_edges(name, dtype):
    info = np.iinfo(dtype)
    vals = np.array(sorted({0, 1, 2, 7, info.max, info.min, info.max - 1} |
                           ({-1, -7, info.min + 1} if info.min < 0 else set())), dtype=dtype)
    a, b = np.meshgrid(vals, vals)
    uf = getattr(np, name)
    with np.errstate(all="ignore"):
        if uf.nin == 1:
            want, got = uf(a), jit(lambda p: uf(p))(a)
        else:
            want, got = uf(a, b), jit(lambda p, q: uf(p, q))(a, b)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("src", ["float64", "float32", "float16", "int64", "uint8", "bool"])
@pytest.mark.parametrize("dst", ["float16", "float32", "int8", "int32", "uint16", "bool"])
def test_casts(src, dst):
    x = (np.linspace(-3.7, 300.2, 37) if src != "bool" else np.arange(37) % 3 == 0)
    x = x.astype(src) if np.dtype(src).kind != "u" else np.abs(x).astype(src)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(jit(lambda v: (v * 1).astype(dst))(x),
                                      (x * 1).astype(dst))


def test_broadcast_zero_d_empty_fortran_and_strided():
    rng = np.random.default_rng(0)
    a = np.asfortranarray(rng.standard_normal((5, 7)))
    b = rng.standard_normal((9, 14))[::2, ::2]
    c = rng.standard_normal(7)
    f = jit(lambda a, b, c, s: np.tanh(a * b + c) * s - np.sqrt(np.abs(c)))
    np.testing.assert_allclose(f(a, b, c, 2.5), np.tanh(a * b + c) * 2.5 - np.sqrt(np.abs(c)))
    e = np.zeros((0, 7))
    assert f(e, e, c, 1.0).shape == (0, 7)
    w = jit(lambda c, s, v: np.where(c, s, v))(np.array(True), np.array(4), np.array([5]))
    np.testing.assert_array_equal(w, [4])
    z = np.float64(1.5)
    np.testing.assert_allclose(jit(lambda x: np.exp(x) + 1)(np.array(z)), np.exp(z) + 1)


def _views(x):
    """x as C, Fortran, strided and reversed arrays (the flat path must take only the first)."""
    big = np.zeros(tuple(2 * n for n in x.shape))
    big[tuple(slice(None, None, 2) for _ in x.shape)] = x
    return [x, np.asfortranarray(x), big[tuple(slice(None, None, 2) for _ in x.shape)],
            x[::-1].copy()[::-1]]


@pytest.mark.parametrize("shape", [(40, 1), (1, 40), (6, 1, 7), (6, 7, 1), (3, 4, 5), (1, 1)])
def test_unit_dims_and_contiguous_rows_run_as_one_loop(shape):
    """Unit dims leave the loop nest and contiguous rows run as one flat loop; every other
    layout takes the nested loops, with the same values."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    f = jit(lambda a, b: np.exp(a) * b - 1.0)
    total = jit(lambda a: (a * a).sum())
    per_axis = [jit(lambda a, d=d: np.log1p(a * a).sum(axis=d)) for d in range(len(shape))]
    for a in _views(x):
        for b in _views(x[::-1].copy()):
            np.testing.assert_allclose(f(a, b), np.exp(a) * b - 1.0, rtol=1e-14)
        np.testing.assert_allclose(total(a), (a * a).sum(), rtol=1e-13)
        for d, g in enumerate(per_axis):
            np.testing.assert_allclose(g(a), np.log1p(a * a).sum(axis=d), rtol=1e-13)
    scalar_and_row = jit(lambda a, s, r: a * s + r)
    row = rng.standard_normal(shape[-1])
    np.testing.assert_allclose(scalar_and_row(x, 2.0, row), x * 2.0 + row, rtol=1e-15)


def test_fused_reductions_and_softmax():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((300, 500))

    def softmax(x):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def lse(x):
        m = x.max(axis=1, keepdims=True)
        return m + np.log(np.exp(x - m).sum(axis=1, keepdims=True))

    np.testing.assert_allclose(jit(softmax)(x), softmax(x), rtol=1e-12)
    np.testing.assert_allclose(jit(lse)(x), lse(x), rtol=1e-12)
    for axis in (0, 1, None, (0, 1)):
        np.testing.assert_allclose(jit(lambda v: (v * v).sum(axis=axis))(x),
                                   (x * x).sum(axis=axis), rtol=1e-12)
        np.testing.assert_array_equal(jit(lambda v: v.max(axis=axis))(x), x.max(axis=axis))
    (group,) = jit(softmax).compiled(x).run.schedule.steps  # three passes, row by row
    assert isinstance(group, RowGroup) and len(group.kernels) == 3


def test_several_reductions_in_one_kernel():
    x = np.random.default_rng(4).standard_normal((6, 7))
    f = jit(lambda v: (np.exp(v).sum(axis=1), np.exp(v).max(axis=1), np.exp(v).min(axis=1)))
    for got, want in zip(f(x), (np.exp(x).sum(axis=1), np.exp(x).max(axis=1),
                                np.exp(x).min(axis=1))):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_nan_propagates_through_max_reduction():
    x = np.arange(20.0)
    x[7] = np.nan
    assert np.isnan(jit(lambda v: v.max())(x))
    assert np.isnan(jit(lambda v: np.min(v * 2))(x))


def test_matmul_epilogue():
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((40, 30)), rng.standard_normal((30, 20)), rng.standard_normal(20)
    f = jit(lambda x, w, b: np.maximum(x @ w + b, 0))
    np.testing.assert_allclose(f(x, w, b), np.maximum(x @ w + b, 0), rtol=1e-12)
    kinds = [type(s).__name__ for s in f.compiled(x, w, b).run.schedule.steps]
    assert kinds == ["NodeStep", "KernelStep"]


def test_thread_count_does_not_change_results():
    rng = np.random.default_rng(3)
    x = rng.standard_normal(backend.PARALLEL_MIN * 3 + 17)
    old = config.num_threads
    results = []
    try:
        for threads in (1, 2, 3):
            config.num_threads = threads
            f = jit(lambda v: ((np.sin(v) * v).sum(), np.sqrt((v * v).sum()) + 1.0))
            results += [np.array(f(x)), np.array(f(x))]
    finally:
        config.num_threads = old
    assert len({r.tobytes() for r in map(np.asarray, results)}) == 1
    np.testing.assert_allclose(results[0], [(np.sin(x) * x).sum(), np.sqrt((x * x).sum()) + 1],
                               rtol=1e-10)


def test_same_pattern_different_ranks_get_their_own_code():
    f = jit(lambda a, b: a * 2.0 + b)
    x = np.arange(12.0).reshape(3, 4)
    for b in (np.arange(4.0).reshape(1, 4), np.arange(4.0), np.arange(4.0).reshape(1, 1, 4)):
        np.testing.assert_array_equal(f(x, b), x * 2.0 + b)


def test_new_extent_reuses_compiled_kernels():
    f = jit(lambda a, b: np.exp(a) * b + 1.0)
    f(np.ones((3000, 5)), np.ones(5))  # large enough to split: the thread pool's code too
    before = STATS.codegen
    for n in (4, 9, 1000):
        x, y = np.full((n, 7), 0.5), np.arange(7.0)
        np.testing.assert_allclose(f(x, y), np.exp(x) * y + 1.0)
    assert STATS.codegen == before


def test_returned_arrays_are_never_reused():
    f = jit(lambda a: a * 2.0)
    x = np.ones(backend.REUSE_MIN // 8 + 5)
    first = f(x)
    second = f(x + 1)
    assert first is not second and np.all(first == 2.0) and np.all(second == 4.0)
    del first
    third = f(x)
    assert np.all(second == 4.0) and np.all(third == 2.0)


def test_dump_shows_ir_and_assembly():
    text = backend.dump(lambda a, b: np.sqrt(a * a + b), np.ones(4), np.ones(4))
    assert "define void" in text and "fmul" in text and "tracenp_kernel:" in text


# views and single elements of unrolled loops (`llvm_elements`)
def _elements_row_loop(x):
    return [x[i] * 2.0 for i in range(x.shape[0])]


_swv = np.lib.stride_tricks.sliding_window_view
VIEW_CHAINS = [
    ("x[i] of a vector", lambda x: x[3] + x[-1], (7,)),
    ("x[i, j] of a reversed matrix", lambda x: x[::-1][2, 1] * x[1, ::-2][0], (5, 4)),
    ("an element of a transpose of a slice", lambda x: x[1:, ::2].T[1, 2] - x.T[0, 0], (5, 6)),
    ("an element of 3-d transposes",
     lambda x: x.transpose(1, 2, 0)[1, 2, 0] + x.transpose(2, 0, 1)[4, 1, 2] * x.T[3, 2, 1],
     (3, 4, 5)),
    ("an element through reshapes", lambda x: x.reshape(3, 8)[2, 5] + x.reshape(-1)[7], (4, 6)),
    ("a size-1 result kept 2-d", lambda x: x[2:3, 1:2] + 1.0, (4, 3)),
    ("a chain to a slab", lambda x: x.T[::-1].reshape(-1, 2)[1:4] * 3.0, (4, 6)),
    ("an element read by a view and a kernel", lambda x: (x[1] + x[1:2].reshape(()), x[1:2]),
     (5,)),
    ("a folded chain in a loop", lambda x: sum(_elements_row_loop(x.reshape(-1)[::3])), (6, 5)),
    ("a recurrence written element by element", lambda x: _ema(x[:, 1]), (40, 3)),
    ("elements of two arrays into a matrix", lambda x: _cells(x, x.T[::-1] * 2), (5, 5)),
    ("integer cells", lambda x: _cells((x * 10).astype(np.int32), x > 0), (4, 4)),
    ("float32 cells from a float64 recurrence", lambda x: _ema(x.ravel(), np.float32), (6, 7)),
    ("a recurrence written backwards", lambda x: _ema(x[::-1, 0])[::-1], (50, 2)),
    ("a recurrence kept every other step", lambda x: _ema(x.ravel())[::2] * 1.0, (9, 8)),
    ("scalars returned, sorted and reshaped", lambda x: _scalars(x), (7,)),
    ("rows of a matrix in a loop", lambda x: _row_norms(x), (6, 9)),
    ("columns and reversed rows", lambda x: sum(x[:, j] * x[::-1][j] for j in range(5)), (5, 5)),
    ("a window with unit dims", lambda x: x[1:3, None, ::2].reshape(2, 1, 1, 3) * 2.0, (4, 6)),
    ("a transposed window reduced", lambda x: x.T[1:, ::-2].sum(axis=0), (5, 4)),
    ("an empty slice of a 0-d array made 1-d", lambda x: np.ediff1d(x) + 1.0, ()),
    ("windows of a 3-d array", lambda x: x[1, :, 2:5:2] * x[2, ::-1, 0:2] + x[0, 1, 3:],
     (3, 4, 5)),
    ("sliding windows reduced", lambda x: _swv(x, 3, axis=0).mean(axis=-1), (6, 4)),
    ("2-d windows of a reversed transpose", lambda x: _swv(x.T[::-1, 1:], (2, 2)).max(
        axis=(-2, -1)), (5, 6)),
    ("frames, every third window", lambda x: _swv(x.ravel(), 4)[::3] * np.hanning(4), (5, 4)),
    ("one element of a window", lambda x: _swv(x, 3, axis=1)[2, 1, 2] * 2.0, (4, 5)),
    ("windows of a row in a loop", lambda x: sum(_swv(x[i], 2).sum() for i in range(3)),
     (4, 5)),
    ("as_strided windows of the flat array", lambda x: np.lib.stride_tricks.as_strided(
        x.ravel(), (4, 3), (2 * x.itemsize, x.itemsize)).std(axis=1), (3, 4)),
    ("sliding windows returned", lambda x: _swv(x, 2, axis=1), (3, 4)),
]


def _row_norms(x):
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = np.sqrt((x[i] ** 2).sum())
    return out


def _scalars(x):
    a = x[0] * 2.0
    b = x[1] + a
    c = a * b - x[2]
    return a, np.sort(np.stack([c, b, a])), c.reshape(1, 1), np.cumsum(np.array([a, b]))


def _ema(x, dtype=None, alpha=0.3):
    out = np.empty(x.shape, dtype=dtype or x.dtype)
    s = x[0]
    for i in range(x.shape[0]):
        s = alpha * x[i] + (1 - alpha) * s
        out[i] = s
    return out


def _cells(a, b):
    out = np.zeros(a.shape, dtype=np.result_type(a, b))
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[i, j] = a[i, j] * b[j, i] - a[j, j]
    return out, out[1:3, 2]


@pytest.mark.parametrize("name,fn,shape", VIEW_CHAINS, ids=[c[0] for c in VIEW_CHAINS])
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_view_chains_give_numpy_values(name, fn, shape, layout):
    base = np.random.default_rng(1).standard_normal(tuple(2 * n for n in shape))
    first = base[tuple(slice(0, n) for n in shape)]
    x = {"C": np.ascontiguousarray(first), "F": np.asfortranarray(first),
         "strided": base[tuple(slice(None, None, 2) for _ in shape)]}[layout]
    got, want = tracenp.jit(fn, backend="llvm")(x), fn(x)
    for g, w in zip(got if isinstance(got, tuple) else (got,),
                    want if isinstance(want, tuple) else (want,)):
        assert np.asarray(g).shape == np.asarray(w).shape
        assert np.asarray(g).dtype == np.asarray(w).dtype
        np.testing.assert_allclose(g, w, rtol=1e-14)  # sums may round differently


def test_an_unrolled_loop_is_few_kernels_each_passed_its_arrays_once():
    """300 steps of a recurrence: its element kernels read `x[i]` and store `s` as windows of
    one input and one cell, so a launch passes those two arrays once, not 600 operands (each
    cost about 18 ns), and the steps between them do not stop kernels from joining."""
    x = np.random.default_rng(0).standard_normal(300)
    jf = tracenp.jit(_ema, backend="llvm")
    np.testing.assert_allclose(jf(x), _ema(x), rtol=1e-14)
    graph = jf.graph(x)
    _, _, planned = backend.plan(graph)
    kernels = [s.kernel for s in ElementPlan(graph, planned).steps
               if isinstance(s, KernelStep)]
    assert len(kernels) <= 6  # 11 while views counted in the merger's look-back
    assert sum(len(k.inputs) + len(k.outputs) for k in kernels) >= 600
    assert all(len(k.passed()) <= 4 for k in kernels)


def test_view_chains_fold_views_only_views_read():
    graph = tracenp.make_graph(lambda x: x[3] * x[1:3].T[0] + x[2:4].reshape(4)[1])(
        np.ones((5, 2)))
    chains = view_chains(graph)
    views = [n for n in graph.nodes() if n.op in (Op.SLICE, Op.RESHAPE, Op.TRANSPOSE)]
    kept = [n for n in views if id(n) in chains]
    assert len(kept) == 3 < len(views)  # one view made per read, from x itself
    x = graph.inputs[0]
    assert all(chains[id(n)][0] is x for n in kept)
    assert {tuple(np.asarray(chains[id(n)][1](np.arange(10.0).reshape(5, 2))).ravel())
            for n in kept} == {(6.0, 7.0), (2.0, 4.0), (5.0,)}


_BUILTIN_OUTLIVES_ITS_MAKER = """
import ctypes, gc, sys
import numpy as np
from tracenp.lowering import llvm_call
table = ctypes.c_void_p.from_address(id(getattr) + 16).value  # getattr's PyMethodDef
fastcall = ctypes.c_void_p.from_address(table + 8).value  # its METH_FASTCALL C function
made = llvm_call.new_builtin(fastcall, np.zeros(1))
gc.collect()
junk = [llvm_call._MethodDef(b"junk", 0, 0, None) for _ in range(20000)]
assert made(sys, "version") == sys.version
holders = [(llvm_call.new_builtin(fastcall, np.zeros(1)),) for _ in range(200)]
print("ok")
"""


def test_a_builtin_keeps_its_method_table_through_collection_and_exit():
    """A builtin reads its method table when called and as it is freed: a table freed first
    (a tuple holding both drops its last item first) crashed the interpreter's exit."""
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-c", _BUILTIN_OUTLIVES_ITS_MAKER],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "ok", (res.returncode, res.stderr)


def test_a_first_run_exits_quietly(tmp_path):
    """A script's first run with an empty cache, exiting right after its calls: the batch
    runner's object goes through MCJIT (it calls memcpy), whose engine, freed at exit after
    llvmlite's bindings, printed an ignored TypeError."""
    import os
    import subprocess
    import sys

    script = ("import numpy as np, tracenp\n"
              "f = tracenp.jit(lambda x: np.sin(x) * 2 + x.sum())\n"
              "print(f(np.arange(100.0))[1])\n")
    env = dict(os.environ, TRACENP_CACHE_DIR=str(tmp_path))
    for name in ("TRACENP_NO_CACHE", "TRACENP_FLAGS", "TRACENP_CHECK"):  # as a user runs it
        env.pop(name, None)
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=300, env=env)
    assert res.returncode == 0, res.stderr
    assert float(res.stdout) == pytest.approx(np.sin(1.0) * 2 + 4950, rel=1e-15)
    assert res.stderr == ""


def _bubble_sort(a):
    a = a.copy()
    for i in range(len(a)):
        for j in range(len(a) - i - 1):
            lo, hi = np.minimum(a[j], a[j + 1]), np.maximum(a[j], a[j + 1])
            a[j], a[j + 1] = lo, hi
    return a


def _kernels(fn, *args) -> list:
    graph = tracenp.jit(fn, backend="llvm").graph(*args)
    _, _, planned = backend.plan(graph)
    return [s.kernel for s in ElementPlan(graph, planned).steps if isinstance(s, KernelStep)]


def test_slp_is_left_off_for_long_straight_line_blocks(monkeypatch):
    """An unrolled scalar loop is one long basic block, where the SLP vectorizer's time grows
    faster than the block; a fused loop kernel keeps SLP. Values stay NumPy's either way."""
    from tracenp.lowering import llvm_jit

    x = np.random.default_rng(1).standard_normal(12)
    np.testing.assert_array_equal(tracenp.jit(_bubble_sort, backend="llvm")(x), np.sort(x))
    calls = []
    real = llvm_jit.optimize
    monkeypatch.setattr(llvm_jit, "optimize",
                        lambda module, tm, slp=True, level=3: calls.append(slp) or real(
                            module, tm, slp, level))
    for kernel in _kernels(_bubble_sort, x):
        llvm_jit.listing(kernel)
    assert False in calls
    calls.clear()
    for kernel in _kernels(lambda v: np.sin(v) * 2 + v, np.ones(1000)):
        llvm_jit.listing(kernel)
    assert calls and all(calls)


def test_a_very_large_module_is_optimized_at_o1(monkeypatch, tmp_path):
    """A kernel of thousands of instructions (a bisection's unrolled steps fused into one
    row kernel) took O3 and the code generator 27 s: past `LARGE_MODULE` it gets O1, and
    still gives NumPy's values."""
    from tracenp.lowering import llvm_jit

    monkeypatch.setenv("TRACENP_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(llvm_jit, "LARGE_MODULE", 50)
    levels = []
    optimize = llvm_jit.optimize
    monkeypatch.setattr(llvm_jit, "optimize", lambda module, tm, slp=True, level=3: (
        levels.append(level), optimize(module, tm, slp, level))[1])

    def f(x):
        return np.exp(np.sin(x) * 2.0) + np.log1p(x * x)

    x = np.linspace(0.1, 2.0, 64)
    np.testing.assert_allclose(tracenp.jit(f)(x), f(x), rtol=1e-14)
    assert 1 in levels
