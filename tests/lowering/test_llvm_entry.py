"""The builtin entry of a one-kernel graph: it serves exactly its signature, nothing else."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tracenp
from tracenp.jit import _no_entry
from tracenp.lowering import llvm, llvm_entry, llvm_jit

ROOT = Path(__file__).resolve().parents[2]
RNG = np.random.default_rng(5)


class _Sub(np.ndarray):
    pass


def _warm(f, *args):
    """Three calls: trace, first cached call (makes the entry), a call through the entry."""
    for _ in range(3):
        out = f(*args)
    return out


def test_cached_calls_go_through_the_entry_and_count_as_hits():
    f = tracenp.jit(lambda x, y: x * 2.0 + y)
    x, y = RNG.standard_normal(10), RNG.standard_normal(10)
    np.testing.assert_array_equal(_warm(f, x, y), x * 2.0 + y)
    assert f._entry is not _no_entry
    out = f._entry(x, y)
    assert type(out) is np.ndarray and out.dtype == np.float64 and out.shape == (10,)
    np.testing.assert_array_equal(out, x * 2.0 + y)
    assert f(x, y) is not f(x, y)  # a fresh array each call
    assert (f.cache_info().hits, f.cache_info().misses) == (5, 1)


def test_entry_refuses_every_other_signature():
    f = tracenp.jit(lambda x, y: x - y)
    x, y = RNG.standard_normal((4, 5)), RNG.standard_normal((4, 5))
    _warm(f, x, y)
    entry = f._entry
    others = [
        (x,), (x, y, y),  # argument count
        (x.astype(np.float32), y),  # dtype
        (x.astype(">f8"), y),  # an equal kind in another byte order: another descriptor
        (x[:3], y[:3]),  # shape
        (x.reshape(20), y.reshape(20)),  # rank
        (x.reshape(5, 4), y.reshape(5, 4)),  # same size, other shape
        (x.view(_Sub), y),  # an ndarray subclass
        (x.tolist(), y), (1.0, y),  # not arrays
    ]
    for args in others:
        assert entry(*args) is None
    for args in others[2:7]:  # the jitted function itself still answers as NumPy
        got = f(*args)
        np.testing.assert_array_equal(got, np.subtract(*args))
        assert type(got) is type(np.subtract(*args))
        assert got.dtype == np.subtract(*args).dtype


def test_entry_reads_strides_and_broadcasts():
    f = tracenp.jit(lambda x, b: np.abs(x) * b - x)
    x, b = RNG.standard_normal((6, 8)), RNG.standard_normal(8)
    np.testing.assert_array_equal(_warm(f, x, b), np.abs(x) * b - x)
    big = RNG.standard_normal((12, 16))
    for args in [(big[::2, ::2], b), (x.T.copy().T, b[::-1]), (np.asfortranarray(x), b)]:
        np.testing.assert_array_equal(f(*args), np.abs(args[0]) * args[1] - args[0])
    assert f.cache_info().misses == 1


def test_entry_with_a_constant_operand_and_integer_dtypes():
    table = np.arange(7, dtype=np.int32) * 3
    f = tracenp.jit(lambda i: i * table + 1)
    i = np.arange(7, dtype=np.int32)
    np.testing.assert_array_equal(_warm(f, i), i * table + 1)
    assert f._entry is not _no_entry
    assert f(i).dtype == np.int32


def test_large_kernel_runs_without_the_gil_and_agrees():
    n = llvm_entry.RELEASE_GIL_MIN * 2
    f = tracenp.jit(lambda x: np.abs(-x * x + 1.0))
    x = RNG.standard_normal(n)
    np.testing.assert_array_equal(_warm(f, x), np.abs(-x * x + 1.0))
    assert f._entry is not _no_entry


def test_a_launch_with_transcendentals_splits_over_threads_from_fewer_elements():
    """exp weighs 1 + MATH_COST plain elements: 2^15 of them are split, not an entry."""
    n = llvm_entry.RELEASE_GIL_MIN * 2
    f = tracenp.jit(lambda x: np.exp(-x * x))
    x = RNG.standard_normal(n)
    np.testing.assert_allclose(_warm(f, x), np.exp(-x * x), rtol=1e-15)
    assert f._entry is _no_entry
    launch = f.compiled(x).run.launch()
    assert launch.work == 1 + llvm.MATH_COST
    assert len(llvm._pieces(launch.shape, (), n, 1 + llvm.MATH_COST)) > 1 or \
        tracenp.config.num_threads == 1


def _rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0)


@pytest.mark.parametrize("fn, dtype", [
    (lambda x: (x * x).sum(), np.float64),
    (lambda x: np.sqrt((x * x).sum()), np.float64),  # a reduction, then its 0-d epilogue
    (lambda x: np.mean((x - 0.5) ** 2), np.float64),
    (lambda x: np.max(np.abs(x)) / 2.0, np.float64),
    (lambda x: np.max(np.abs(x)) / (x.min() - 1.0), np.float64),  # one kernel, two partials
    (_rosen, np.float64),
    (lambda x: np.sum(x * 3), np.int64),
    (lambda x: np.max(x), np.int32),
    (lambda x: np.sqrt(np.sum(x * x, dtype=np.float32)), np.float32),
    (lambda x: np.count_nonzero(x > 0), np.float64),
])
def test_reductions_to_a_scalar_go_through_the_entry(fn, dtype):
    x = (RNG.standard_normal(257) * 5).astype(dtype)
    f = tracenp.jit(fn)
    got, want = _warm(f, x), fn(x)
    assert f._entry is not _no_entry
    f._entries[-1].take_hits()
    assert type(got) is type(want) and np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == np.float32 else 1e-13)
    assert f(x[::-1].copy()) == pytest.approx(fn(x[::-1]), rel=1e-6)
    assert f._entries[-1].take_hits() == 1  # that call was served by the entry
    other = np.float32 if dtype != np.float32 else np.float64
    for bad in (x[:-1], x.astype(other), x.reshape(1, -1)):
        assert f._entry(bad) is None
        np.testing.assert_allclose(f(bad), fn(bad), rtol=1e-5)


@pytest.mark.parametrize("fn", [
    lambda x: np.exp(x - x.max()) / np.exp(x - x.max()).sum(),  # softmax
    lambda x: (x - x.min()) / (x.max() - x.min()),
    lambda x: np.where(x > x.mean(), x, 0.0).astype(np.float32),
])
def test_arrays_made_from_reductions_go_through_the_entry(fn):
    x = RNG.standard_normal(300)
    f = tracenp.jit(fn)
    got, want = _warm(f, x), fn(x)
    assert f._entry is not _no_entry
    assert type(got) is np.ndarray and got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    assert f(x) is not got  # a fresh array each call
    np.testing.assert_allclose(f(x * 2), fn(x * 2), rtol=1e-13, atol=1e-15)


def test_nan_and_a_zero_dim_array_result_through_the_entry():
    f = tracenp.jit(lambda x: np.sqrt(np.abs(x).max()))
    x = RNG.standard_normal(64)
    _warm(f, x)
    assert f._entry is not _no_entry
    x[7] = np.nan
    assert np.isnan(f(x)) and type(f(x)) is np.float64
    g = tracenp.jit(lambda x: np.asarray(np.sqrt(np.abs(x.sum()))))
    got = _warm(g, x[:5])
    assert type(got) is np.ndarray and got.shape == ()
    assert float(got) == pytest.approx(np.sqrt(abs(x[:5].sum())), rel=1e-14)


def test_a_python_number_result_takes_the_python_path():
    f = tracenp.jit(lambda x: math.sqrt((x * x).sum()))
    x = RNG.standard_normal(10)
    got = _warm(f, x)
    assert type(got) is float and got == pytest.approx(math.sqrt((x * x).sum()))
    assert f._entry is _no_entry


def test_an_unused_python_int_argument_is_checked_by_the_entry():
    f = tracenp.jit(lambda x, a: (x * x).sum())  # a's type is checked though no kernel reads it
    x = RNG.standard_normal(10)
    assert _warm(f, x, 3) == pytest.approx((x * x).sum())
    assert f._entry is not _no_entry and f._entry(x, 7) == pytest.approx((x * x).sum())
    assert f._entry(x, 3.0) is None and f._entry(x, True) is None


def test_python_int_arguments_are_read_by_the_entry():
    def bias_corrected(m, t):  # Adam's, with the step count as an int
        return m / (1 - 0.9 ** t) + t

    f = tracenp.jit(bias_corrected)
    m = RNG.standard_normal(32)
    np.testing.assert_allclose(_warm(f, m, 1), bias_corrected(m, 1), rtol=1e-15)
    assert f._entry is not _no_entry
    for t in (2, 7, 1000, -3, 2 ** 62):
        got = f._entry(m, t)
        assert type(got) is np.ndarray
        np.testing.assert_allclose(got, bias_corrected(m, t), rtol=1e-15)
    for other in (3.0, True, np.int64(3)):  # another type: the general path
        assert f._entry(m, other) is None
        np.testing.assert_allclose(f(m, other), bias_corrected(m, other), rtol=1e-15)
    g = tracenp.jit(lambda x, k: x * k)
    _warm(g, m, 1)
    for k in (-2 ** 63, 2 ** 63 - 1):  # int64's ends, in the entry
        np.testing.assert_array_equal(g._entry(m, k), m * k)
    for k in (2 ** 63, -2 ** 63 - 1, 2 ** 64):  # outside: the general path, static
        assert g._entry(m, k) is None
        np.testing.assert_array_equal(g(m, k), m * k)


def test_inner_products_of_vectors_go_through_the_entry():
    x, y = RNG.standard_normal(100), RNG.standard_normal(100)
    for fn in (lambda a, b: a @ b, np.dot, lambda a, b: np.sqrt(np.abs(a.dot(b)))):
        f = tracenp.jit(fn)
        got = _warm(f, x, y)
        assert f._entry is not _no_entry and type(got) is np.float64
        assert got == pytest.approx(fn(x, y), rel=1e-13)


def test_no_entry_for_graphs_with_library_steps():
    x = RNG.standard_normal((60, 60))
    for fn in (lambda x: np.sort(x) * 2, lambda x: x @ x.T + 1.0):  # NumPy's sort, BLAS
        f = tracenp.jit(fn)
        np.testing.assert_allclose(_warm(f, x), fn(x), rtol=1e-12)
        assert f._entry is _no_entry


def test_the_latest_signature_takes_the_entry():
    f = tracenp.jit(lambda x: x + 1)
    a, b = np.arange(4.0), np.arange(6.0)
    _warm(f, a)
    _warm(f, b)
    for _ in range(3):
        np.testing.assert_array_equal(f(a), a + 1)
        np.testing.assert_array_equal(f(b), b + 1)
    assert f.cache_info().hits == 10
    assert f._entry(b) is not None and f._entry(a) is None


PROGRAM = """
import numpy as np, tracenp
from tracenp.lowering.llvm_jit import STATS
f = tracenp.jit(lambda a: a * 3.0 - 1.0)
x = np.arange(5.0)
for _ in range(3):
    r = f(x)
assert f._entry(x) is not None
np.testing.assert_array_equal(r, x * 3.0 - 1.0)
print(STATS.codegen, STATS.disk_hits)
"""


def _run(cache: Path) -> tuple[int, int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRACENP_CACHE_DIR": str(cache)}
    env.pop("TRACENP_NO_CACHE", None)
    env.pop("TRACENP_DEBUG", None)
    out = subprocess.run([sys.executable, "-c", PROGRAM], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return int(out[0]), int(out[1])


WRITER = """
import numpy as np, tracenp
from tracenp.jit import _no_entry
def step(w, g, lr):
    w -= lr * g
f = tracenp.jit(step)
w, g = np.arange(6.0), np.ones(6)
for _ in range(3):
    f(w, g, 0.5)
assert f._entry is not _no_entry
np.testing.assert_array_equal(w, np.arange(6.0) - 1.5)
print(f.compiled(w, g, 0.5).report.get("plan"))
"""


def test_a_writing_function_from_a_plan_on_disk_stores_through_the_entry(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRACENP_CACHE_DIR": str(tmp_path)}
    env.pop("TRACENP_NO_CACHE", None)
    plans = [subprocess.run([sys.executable, "-c", WRITER], env=env, check=True,
                            capture_output=True, text=True).stdout.split()[-1]
             for _ in range(2)]
    assert plans == ["None", "disk"]  # the second process ran the plan the first one stored


def test_entry_code_is_cached_on_disk_and_verified(tmp_path):
    assert _run(tmp_path) == (2, 0)  # the kernel and the entry
    assert _run(tmp_path) == (0, 2)
    for p in tmp_path.glob("*.o"):
        blob = p.read_bytes()
        p.write_bytes(blob[:-1] + bytes([blob[-1] ^ 0xFF]))
    assert _run(tmp_path) == (2, 0)


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
def test_entry_results_match_numpy_across_dtypes(dtype):
    f = tracenp.jit(lambda x, y: np.logical_xor(x, y) if dtype is np.bool_ else x * y - x)
    x = (RNG.standard_normal(9) * 4).astype(dtype)
    y = (RNG.standard_normal(9) * 4).astype(dtype)
    want = np.logical_xor(x, y) if dtype is np.bool_ else x * y - x
    got = _warm(f, x, y)
    np.testing.assert_array_equal(got, want)
    assert got.dtype == want.dtype


def _adam(w, g, m, v):
    m *= 0.9
    m += 0.1 * g
    v *= 0.999
    v += 0.001 * g * g
    w -= 1e-2 * m / (np.sqrt(v) + 1e-8)


def _sgd(w, g):
    w -= 0.1 * np.clip(g, -1.0, 1.0)
    return w


def _fresh(n: int, k: int) -> list[np.ndarray]:
    made = [RNG.standard_normal(n) for _ in range(k)]
    made[-1] = np.abs(made[-1])
    return made


@pytest.mark.parametrize("fn, k", [(_adam, 4), (_sgd, 2)])
def test_updates_in_place_go_through_the_entry_and_match_numpy(fn, k):
    ours, ref = _fresh(50, k), None
    ref = [a.copy() for a in ours]
    f = tracenp.jit(fn)
    for _ in range(3):
        got, want = f(*ours), fn(*ref)
    assert f._entry is not _no_entry
    f._entries[-1].take_hits()
    for _ in range(5):
        got, want = f(*ours), fn(*ref)
    assert f._entries[-1].take_hits() == 5
    assert (got is None) == (want is None) and (got is ours[0]) == (want is ref[0])
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, rtol=1e-13)


def test_a_writing_entry_leaves_read_only_views_and_aliased_arguments_to_the_general_path():
    f = tracenp.jit(_sgd)
    w, g = _fresh(40, 2)
    _warm(f, w, g)
    entry = f._entry
    assert entry is not _no_entry
    frozen = w.copy()
    frozen.flags.writeable = False
    assert entry(frozen, g) is None  # the general path raises as NumPy does
    with pytest.raises(ValueError, match="read-only"):
        f(frozen, g)
    big = RNG.standard_normal(80)
    view = big[:40]
    assert entry(view, g) is None  # a view: whether it overlaps is the general path's to ask
    want = big.copy()
    _sgd(want[:40], g)
    f(view, g)
    np.testing.assert_array_equal(big, want)
    same = g.copy()
    assert entry(same, same) is None  # one array as both: the general path traces it as one
    want = same.copy()
    _sgd(want, want)
    f(same, same)
    np.testing.assert_array_equal(same, want)


def _clipped_step(w, g, lr):
    w -= lr * np.clip(g, -1.0, 1.0)


def test_python_float_arguments_are_read_by_the_entry():
    f = tracenp.jit(lambda x, lam: np.mean(x ** 2) + lam * np.abs(x).sum())
    x = RNG.standard_normal(64)
    assert _warm(f, x, 0.5) == pytest.approx(np.mean(x ** 2) + 0.5 * np.abs(x).sum())
    assert f._entry is not _no_entry
    for lam in (0.0, -3.25, 1e300, float("nan")):
        got = f._entry(x, lam)
        assert type(got) is np.float64
        np.testing.assert_allclose(got, np.mean(x ** 2) + lam * np.abs(x).sum(), rtol=1e-13)
    for other in (1, np.float64(0.5), True, np.float32(0.5)):  # another type: another path
        assert f._entry(x, other) is None
        np.testing.assert_allclose(f(x, other), np.mean(x ** 2) + other * np.abs(x).sum(),
                                   rtol=1e-6)


def test_numpy_float64_arguments_are_read_by_their_own_entry():
    """A mean or a norm passed on as an argument is an `np.float64`: not a Python float to
    the trace (it is not weak), but laid out as one; an entry of its own reads it (it took
    the Python path, 8x NumPy's time in hunt AM)."""
    f = tracenp.jit(lambda x, s: x * s + 1.0)
    x = np.arange(5, dtype=np.float32)
    out = _warm(f, x, np.float64(2.0))
    np.testing.assert_array_equal(out, x * np.float64(2.0) + 1.0)
    assert f._entry is not _no_entry
    got = f._entry(x, np.float64(-1.5))
    assert got.dtype == np.float64  # NumPy 2: a float64 scalar is not weak
    np.testing.assert_array_equal(got, x * np.float64(-1.5) + 1.0)
    assert f._entry(x, -1.5) is None  # a Python float: float32 results, another trace


def _penalized(x, y, lam=0.1):
    return np.mean((x - y) ** 2) + lam * np.sum(x * x)


def test_keyword_arguments_are_read_by_an_entry_over_the_leaves():
    """`loss(x, y, lam=0.5)`: keywords took the Python run (13 us a call against 3 us by
    position); an entry over the graph's leaves in order serves them, and a call of another
    signature by the same keywords is not served by it."""
    f, x, y = tracenp.jit(_penalized), RNG.standard_normal(50), RNG.standard_normal(50)
    for lam in (0.5, 0.5, 0.5, -2.0):
        got = f(x, y=y, lam=lam)
        assert type(got) is np.float64
        np.testing.assert_allclose(got, _penalized(x, y, lam), rtol=1e-13)
    assert len(f._entries) == 1 and f._entries[0].take_hits() == 3  # made on the second
    np.testing.assert_allclose(f(x, y=y, lam=np.float64(3.0)), _penalized(x, y, 3.0),
                               rtol=1e-13)
    np.testing.assert_allclose(f(x[:10], y=y[:10], lam=1.0), _penalized(x[:10], y[:10], 1.0),
                               rtol=1e-13)


def test_an_update_with_a_float_learning_rate_goes_through_the_entry():
    w, g = RNG.standard_normal(100), RNG.standard_normal(100) * 3
    ref = w.copy()
    f = tracenp.jit(_clipped_step)
    for lr in (0.1, 0.1, 0.1, 0.25, 1e-3):
        assert f(w, g, lr) is None
        _clipped_step(ref, g, lr)
    assert f._entry is not _no_entry and f._entries[-1].take_hits() >= 2
    np.testing.assert_allclose(w, ref, rtol=1e-14)


def test_a_float_that_steers_the_python_takes_the_python_path():
    f = tracenp.jit(lambda x, lr: x * lr if lr > 0 else x - 1.0)
    x = RNG.standard_normal(8)
    np.testing.assert_array_equal(_warm(f, x, 2.0), x * 2.0)
    np.testing.assert_array_equal(f(x, -1.0), x - 1.0)
    assert f._entry is _no_entry


@pytest.mark.parametrize("fn", [
    lambda x: (x.min(), x.max()),
    lambda x: (np.mean(x), x.max(), x - x.mean()),
    lambda x: (x.sum(), x.sum()),  # one value twice
    lambda x: (x * 2, x.sum(), np.exp(x)),
])
def test_a_tuple_of_results_goes_through_the_entry(fn):
    x = RNG.standard_normal(77)
    f = tracenp.jit(fn)
    got, want = _warm(f, x), fn(x)
    assert f._entry is not _no_entry
    assert type(got) is tuple and len(got) == len(want)
    for g, w in zip(got, want):
        assert type(g) is type(w) and np.shape(g) == np.shape(w)
        np.testing.assert_allclose(g, w, rtol=1e-13, atol=1e-15)


_TUPLES_SCRIPT = """
import gc, sys, numpy as np, tracenp
x = np.random.default_rng(0).standard_normal(77)
f64 = np.dtype(np.float64)
for fn in [lambda x: (x.sum(), x.sum()), lambda x: (x * 2, x.sum(), np.exp(x)),
           lambda x: (x.max(), x * 2, x.max())]:
    f = tracenp.jit(fn)
    for _ in range(3):
        f(x)
    assert f._entry is not None
    gc.collect()
    before = sys.getrefcount(f64)
    for _ in range(500):
        got = f(x)
    del got
    gc.collect()
    assert sys.getrefcount(f64) == before, (sys.getrefcount(f64), before)
    assert all(type(g) is type(w) and np.allclose(g, w, rtol=1e-13)
               for g, w in zip(f(x), fn(x)))
print("ok")
"""


def test_a_value_returned_twice_as_a_scalar_stays_alive_for_both(tmp_path):
    """A buffer's own reference goes to its last use in the results: given to the first and
    released there as it was made a NumPy scalar, the second use read freed memory and
    released it again, one reference of float64's descriptor lost a call, until it was
    freed (a crash or malloc's abort a few thousand calls in). The second run reads the
    plans the first stored, whose entry names the buffer twice."""
    env = dict(os.environ, TRACENP_CACHE_DIR=str(tmp_path),
               TRACENP_FLAGS="background_compile=False")
    for _ in range(2):
        run = subprocess.run([sys.executable, "-c", _TUPLES_SCRIPT], env=env,
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0 and run.stdout.split() == ["ok"], run.stderr[-2000:]


@pytest.mark.parametrize("fn, shape", [
    (np.std, (100,)),  # a view of the mean between its launches
    (lambda x: x.sum(axis=1), (5, 6)),  # a result of a reduction along an axis
    (lambda x: (x.T * 2).sum(axis=0), (3, 4)),
    (lambda x: np.var(x, axis=0), (10, 3)),
    (lambda x: x[:, None] * x[None, :], (6,)),
    (lambda x: (x.sum(axis=0), x.sum(axis=0) * 2), (4, 3)),  # one view, two uses
])
def test_views_between_launches_go_through_the_entry(fn, shape):
    x = RNG.standard_normal(shape)
    f = tracenp.jit(fn)
    got, want = _warm(f, x), fn(x)
    assert f._entry is not _no_entry
    for g, w in zip(*((got, want) if isinstance(want, tuple) else ((got,), (want,)))):
        assert type(g) is type(w) and np.shape(g) == np.shape(w)
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)
    before = sys.getrefcount(x)
    for _ in range(50):
        f(x)
    assert sys.getrefcount(x) == before  # views of the arguments and buffers released


def _layernorm(x, g, b):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + 1e-5) * g + b


@pytest.mark.parametrize("fn, make", [
    (lambda x: np.exp(x - x.max(1, keepdims=True)) / np.exp(x - x.max(1, keepdims=True)).sum(
        1, keepdims=True), lambda: (RNG.standard_normal((16, 10)),)),
    (_layernorm, lambda: (RNG.standard_normal((8, 32)), RNG.standard_normal(32),
                          RNG.standard_normal(32))),
    (lambda p, y: np.mean(np.argmax(p, axis=1) == y),
     lambda: (RNG.standard_normal((64, 10)), RNG.integers(0, 10, 64))),
    (lambda x: x / np.linalg.norm(x, axis=1, keepdims=True), lambda: (RNG.standard_normal((50, 8)),)),
    (lambda x: np.log(np.exp(x - x.max(-1, keepdims=True)).sum(-1)) + x.max(-1),
     lambda: (RNG.standard_normal((3, 4, 20)),)),
])
def test_row_groups_of_small_arrays_go_through_the_entry(fn, make):
    args = make()
    f = tracenp.jit(fn)
    want = fn(*args)
    got = _warm(f, *args)
    assert f._entry is not _no_entry and f._entries[-1].take_hits() >= 1
    assert type(got) is type(want)
    np.testing.assert_allclose(got, want, rtol=1e-13)
    new = tuple(a + 1 if a.dtype.kind == "f" else a for a in args)  # fresh results each call
    first = f(*new)
    np.testing.assert_allclose(f(*args), want, rtol=1e-13)
    np.testing.assert_allclose(first, fn(*new), rtol=1e-13)


def test_float16_rows_and_large_rows_keep_the_python_path():
    f16 = tracenp.jit(lambda x: x - x.max(axis=1, keepdims=True))
    x = RNG.standard_normal((8, 8)).astype(np.float16)
    np.testing.assert_array_equal(_warm(f16, x), x - x.max(axis=1, keepdims=True))
    big = tracenp.jit(lambda x: x / x.sum(axis=1, keepdims=True))
    y = RNG.uniform(0.5, 2.0, (64, 512))  # sums far from zero
    np.testing.assert_allclose(_warm(big, y), y / y.sum(axis=1, keepdims=True), rtol=1e-13)
    assert big._entry is _no_entry


def test_an_entry_of_many_launches_is_quick_code_and_gives_numpys_values(monkeypatch,
                                                                          tmp_path):
    """An unrolled loop's entry only calls kernels in order: it skips LLVM's optimizer (O3
    took seconds on long ones) and must still run them right."""
    monkeypatch.setenv("TRACENP_CACHE_DIR", str(tmp_path))  # compiled here, not found on disk
    quick = []
    codegen = llvm_jit._codegen

    def recording(text, source, tm, fast=False):
        quick.append((text.split()[0], fast))
        return codegen(text, source, tm, fast)

    monkeypatch.setattr(llvm_jit, "_codegen", recording)

    def f(x):
        s = x[0]
        for _ in range(llvm_entry.QUICK_LAUNCHES + 4):
            s = np.sqrt((x * s).sum() + 1.0)
        return s

    x = np.arange(1.0, 10.0) / 10.0
    jf = tracenp.jit(f)
    got = _warm(jf, x)
    assert jf._entry is not _no_entry and ("entry", True) in quick
    assert not any(fast for kind, fast in quick if kind != "entry")  # kernels stay O3
    np.testing.assert_allclose(got, f(x), rtol=1e-12)
    hits = jf.cache_info().hits
    np.testing.assert_allclose(jf(x * 2), f(x * 2), rtol=1e-12)
    assert jf.cache_info().hits == hits + 1


def test_an_entry_reading_many_operands_is_compiled_quickly(monkeypatch, tmp_path):
    """A few launches reading hundreds of constants (a powder pattern's unrolled
    reflections): LLVM's optimizer took 44 s over such an entry; it is compiled as one with
    many launches is, and still runs right."""
    monkeypatch.setenv("TRACENP_CACHE_DIR", str(tmp_path))
    quick = []
    codegen = llvm_jit._codegen

    def recording(text, source, tm, fast=False):
        quick.append((text.split()[0], fast))
        return codegen(text, source, tm, fast)

    monkeypatch.setattr(llvm_jit, "_codegen", recording)
    tables = [np.cos(np.arange(9.0) * k) for k in range(llvm_entry.QUICK_OPERANDS + 8)]

    def f(x):
        return sum(np.sin(x * t) for t in tables)

    x = np.arange(1.0, 10.0) / 10.0
    jf = tracenp.jit(f)
    np.testing.assert_allclose(_warm(jf, x), f(x), rtol=1e-12)
    assert jf._entry is not _no_entry and ("entry", True) in quick


def _rmsprop(w, dw, config):
    config["cache"] = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * dw ** 2
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + 1e-8), config


def test_a_dict_item_the_function_sets_anew_is_set_after_an_entry_computes_it():
    """CS231n's `config["cache"] = ...; return next_w, config`: an entry over the leaves
    computes the results (the Python run took 15 us a call, NumPy 7), and Python sets the
    caller's dict item and returns the caller's dict."""
    f = tracenp.jit(_rmsprop)
    w, dw = RNG.standard_normal((6, 6)), RNG.standard_normal((6, 6))
    config = {"learning_rate": 1e-2, "decay_rate": 0.9, "cache": np.zeros((6, 6))}
    ref = dict(config)
    for _ in range(4):
        next_w, back = f(w, dw, config)
        want_w, _ = _rmsprop(w, dw, ref)
        assert back is config
        np.testing.assert_allclose(next_w, want_w, rtol=1e-14)
        np.testing.assert_allclose(config["cache"], ref["cache"], rtol=1e-14)
    assert len(f._entries) == 1 and f._entries[0].take_hits() == 3  # from the second on


def test_an_error_while_making_views_releases_what_the_entry_made():
    """A view's maker that raises (here swapped in): the entry returns NULL with its error,
    having released the buffers it made before (one shared block releases every slot), so
    repeated failures leak nothing."""
    import tracemalloc

    f = tracenp.jit(lambda x: (x * 2.0).T)
    x = RNG.standard_normal((64, 64))  # a 32 KiB buffer per call
    np.testing.assert_array_equal(_warm(f, x), (x * 2.0).T)
    entry = f._entries[-1]
    assert len(entry._keep[0].views) == 1

    def broken(_):
        raise RuntimeError("view refused")

    entry._ctx[-1] = id(broken)
    entry._keep = (*entry._keep, broken)
    tracemalloc.start()  # NumPy reports its arrays' memory to it
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(100):
            with pytest.raises(RuntimeError, match="view refused"):
                entry.call(x)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 10 * x.nbytes
