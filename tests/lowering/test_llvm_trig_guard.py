"""sin, cos and tan in fused kernels: the inlined code runs every chunk, and a chunk holding an
argument beyond TRIG_MAX is redone exactly (llvm_kernel `_guarded`). Against NumPy: huge lanes
among ordinary ones, reductions (their accumulators restart), row groups, the row-dot pass,
strided inputs, float32 and float16, chunk edges and thread counts."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tracenp
from tracenp.config import config
from tracenp.fusion import RowGroup
from tracenp.lowering import llvm as backend
from tracenp.lowering import llvm_kernel
from tracenp.lowering.llvm_jit import listing
from tracenp.lowering.llvm_math import TRIG_MAX
from tracenp.lowering.llvm_rowdot import RowDot, with_rowdots

CHUNK = llvm_kernel.GUARD_CHUNK


pytestmark = pytest.mark.usefixtures("private_cache")


def jit(fn):
    return tracenp.jit(fn, backend="llvm")


def ulps(got, want) -> np.ndarray:
    """ULP distance in the dtype of `want` (NaN against NaN is 0)."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape
    both_nan = np.isnan(got) & np.isnan(want)
    spacing = np.spacing(np.abs(want).astype(want.dtype))
    d = np.abs(got.astype(np.float64) - want.astype(np.float64)) / spacing.astype(np.float64)
    return np.where(both_nan, 0.0, d)


def mixed(n: int, dtype=np.float64, every: int = 997, seed: int = 0) -> np.ndarray:
    """Ordinary values with a huge one every `every` lanes, first and last lanes included."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-10, 10, n)
    top = np.log10(np.finfo(dtype).max) - 1
    huge = rng.choice([-1, 1], n) * 10.0 ** rng.uniform(np.log10(TRIG_MAX) + 0.1, top, n)
    pick = np.zeros(n, bool)
    pick[::every] = pick[-1] = True
    return np.where(pick, huge, x).astype(dtype)


@pytest.mark.parametrize("name", ["sin", "cos", "tan"])
@pytest.mark.parametrize("n", [5, CHUNK - 1, CHUNK, 2 * CHUNK + 7])
def test_huge_lanes_among_ordinary_ones(name, n):
    """Each lane within 2 ULP of NumPy; the ordinary lanes bit for bit what they are without
    the huge ones (the redo computes them with the same code)."""
    x = mixed(n, every=3)
    f = jit(getattr(np, name))
    got = f(x)
    assert ulps(got, getattr(np, name)(x)).max() <= 2
    calm = np.where(np.abs(x) > TRIG_MAX, 0.5, x)
    same = np.abs(x) <= TRIG_MAX
    assert np.array_equal(got[same], f(calm)[same])


def test_only_the_chunks_with_huge_lanes_change():
    x = np.linspace(-50, 50, 4 * CHUNK)
    f = jit(lambda v: np.sin(v) * 2.0)
    before = f(x)
    x[CHUNK + 3] = 1e22
    after = f(x)
    assert after[CHUNK + 3] == pytest.approx(2 * -0.8522008497671888, rel=1e-15)
    after[CHUNK + 3] = before[CHUNK + 3]
    assert np.array_equal(before, after)


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-4)])
def test_reductions_restart_their_accumulators(dtype, tol):
    """A redone chunk adds its values once: sum, prod-like and max reductions over huge and
    mixed arguments, whole-array and per row."""
    x = mixed(3 * CHUNK + 11, dtype, every=501)
    with np.errstate(over="ignore", invalid="ignore"):
        for fn in (lambda v: np.sin(v * dtype(1e30)).sum(),
                   lambda v: (np.cos(v) * v).sum(),
                   lambda v: np.tan(v).max(),
                   lambda v: np.sin(v).min()):
            want = fn(x)
            np.testing.assert_allclose(jit(fn)(x), want, rtol=tol, atol=tol)
    rows = x[: 3 * CHUNK].reshape(3, CHUNK)
    np.testing.assert_allclose(jit(lambda v: np.sin(v).sum(axis=1))(rows),
                               np.sin(rows).sum(axis=1), rtol=tol, atol=tol)


def test_sum_of_huge_sines():
    x = np.random.default_rng(1).uniform(-10, 10, 100_000)
    with np.errstate(over="ignore"):
        want = np.sin(x * 1e30).sum()
        got = jit(lambda v: np.sin(v * 1e30).sum())(x)
    assert np.isfinite(want)
    np.testing.assert_allclose(got, want, rtol=1e-9)


def test_reduction_over_leading_axis_keeps_exact_calls():
    """Accumulators in memory (a sum over axis 0) are not redone: the exact path throughout."""
    x = mixed(40 * 301, every=13).reshape(40, 301)
    np.testing.assert_allclose(jit(lambda v: np.sin(v).sum(axis=0))(x), np.sin(x).sum(axis=0),
                               rtol=1e-12, atol=1e-12)


def test_softmax_of_huge_sines_in_a_row_group():
    x = mixed(300 * 257, every=7).reshape(300, 257)

    def softmax_sin(v):
        s = np.sin(v)
        e = np.exp(s - s.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    f = jit(softmax_sin)
    steps = f.compiled(x).run.schedule.steps
    assert any(isinstance(s, RowGroup) for s in steps)
    np.testing.assert_allclose(f(x), softmax_sin(x), rtol=1e-13)


def test_row_dot_pass_with_huge_arguments():
    """`X @ w`, sin of it (huge in every seventh row) and the gradient `X.T @ r`: one pass.
    Small integers keep `X @ w` exact, so that any order of the dot gives the same sines."""
    rng = np.random.default_rng(2)
    x, w = rng.integers(-3, 4, (3000, 37)).astype(float), rng.integers(-3, 4, 37).astype(float)
    y = rng.standard_normal(3000)
    s = np.where(np.arange(3000) % 7 == 0, 1e20, 1.0)

    def loss(w, x, y, s):
        d = np.sin((x @ w) * s) - y
        return 0.5 * np.mean(d * d)

    f = jit(tracenp.value_and_grad(loss))
    steps = f.compiled(w, x, y, s).run.schedule.steps
    assert any(isinstance(st, RowDot) for st in with_rowdots(steps))
    z = (x @ w) * s
    d = np.sin(z) - y
    value, g = f(w, x, y, s)
    np.testing.assert_allclose(value, 0.5 * np.mean(d * d), rtol=1e-12)
    want = x.T @ (d * np.cos(z) * s) / len(y)
    np.testing.assert_allclose(g, want, rtol=1e-9, atol=1e-9 * np.abs(want).max())


@pytest.mark.parametrize("view", ["step", "transposed", "reversed"])
def test_strided_inputs(view):
    x = mixed(200 * 90, every=5).reshape(200, 90)
    v = {"step": x[:, ::3], "transposed": x.T, "reversed": x[::-1, ::-2]}[view]
    for name in ("sin", "cos", "tan"):
        assert ulps(jit(getattr(np, name))(v), getattr(np, name)(v)).max() <= 2, name


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_narrow_floats(dtype):
    """float32 reduces huge arguments in double; float16 has none beyond TRIG_MAX but runs the
    same kernels (its values come back from float32 code)."""
    with np.errstate(all="ignore"):
        x = mixed(2 * CHUNK + 3, np.float32, every=7).astype(dtype)
        for name in ("sin", "cos", "tan"):
            got, want = jit(getattr(np, name))(x), getattr(np, name)(x)
            assert got.dtype == want.dtype
            assert ulps(got, want).max() <= 2, name
        big = np.float32(3e30)
        y = x.astype(np.float32)
        got = jit(lambda v: np.sin(v * big).astype(dtype))(y)
        want = np.sin(y * big).astype(dtype)
        assert ulps(got, want).max() <= 2


def test_thread_count_does_not_change_results():
    x = mixed(backend.PARALLEL_MIN * 3 + 17, every=1231, seed=3)
    old = config.num_threads
    results = []
    try:
        for threads in (1, 2, 3):
            config.num_threads = threads
            f = jit(lambda v: (np.sin(v), (np.cos(v) * v).sum()))
            results += [np.concatenate([np.ravel(r) for r in f(x)])]
    finally:
        config.num_threads = old
    assert len({r.tobytes() for r in results}) == 1
    assert ulps(results[0][:-1], np.sin(x)).max() <= 2
    np.testing.assert_allclose(results[0][-1], (np.cos(x) * x).sum(), rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_vector_loop_inlines_the_fast_code(dtype):
    """The widened loop computes sin in place: no call to a vector version of it; the only
    trig call left is the scalar exact one of the redo loop."""
    x = np.ones(64, dtype)
    f = jit(lambda v: np.sin(v) * v)
    (step,) = f.compiled(x).run.schedule.steps
    text = listing(step.kernel)
    calls = set(re.findall(r"call [^@\n]*@([\w.$]+)", text))
    tag = "f64" if dtype == np.float64 else "f32"
    assert f"tracenp.math.sin.{tag}.exact" in calls
    assert not [c for c in calls if re.match(rf"tracenp\.math\.sin\.{tag}x\d+$", c)]
    assert re.search(r"fmul[^\n]*<\d+ x (double|float)>", text)
