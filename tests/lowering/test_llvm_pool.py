"""The native thread pool: every piece runs exactly once, from any caller, after a fork."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import tracenp
from tracenp.config import config
from tracenp.lowering import llvm, llvm_pool

ROOT = Path(__file__).resolve().parents[2]
RNG = np.random.default_rng(11)


@pytest.fixture
def threads():
    old = config.num_threads

    def use(n: int) -> None:
        config.num_threads = n

    yield use
    config.num_threads = old


def _rows_fn():
    """A split elementwise kernel, a split dim-0 reduction and a row group in one graph."""
    return tracenp.jit(lambda x: (np.exp(-x * x) + 1.0, (x * x).sum(axis=0),
                                  x - np.log(np.exp(x).sum(axis=1, keepdims=True))))


def _expected(x):
    return (np.exp(-x * x) + 1.0, (x * x).sum(axis=0),
            x - np.log(np.exp(x).sum(axis=1, keepdims=True)))


@pytest.mark.parametrize("n_threads", [2, 3, 5])
def test_pieces_split_over_workers_agree_with_one_thread(threads, n_threads):
    x = RNG.standard_normal((llvm.PARALLEL_MIN // 16, 64))
    threads(1)
    alone = [np.array(r) for r in _rows_fn()(x)]
    threads(n_threads)
    f = _rows_fn()
    for _ in range(20):  # repeated launches, workers spinning between them
        for got, want, exp in zip(f(x), alone, _expected(x)):
            assert got.tobytes() == want.tobytes()
            np.testing.assert_allclose(got, exp, rtol=1e-12)
    assert llvm_pool.pool(n_threads).state[llvm_pool.SPINNING] >= 0


def test_a_launch_wakes_the_workers(threads):
    threads(2)
    f = tracenp.jit(lambda x: np.sqrt(x * x + 1.0))
    x = RNG.standard_normal(llvm.PARALLEL_MIN * 4)
    np.testing.assert_allclose(f(x), np.sqrt(x * x + 1.0), rtol=1e-15)
    pool = llvm_pool.pool(2)
    assert pool.workers == 1 and all(t.is_alive() for t in pool._threads)
    assert pool.state[llvm_pool.SPIN] >= 100


def test_callers_on_several_threads_each_get_their_own_result(threads):
    """One caller at a time uses the workers; the others run their pieces alone."""
    threads(2)
    f = tracenp.jit(lambda x, k: np.cos(x) * k)
    xs = [RNG.standard_normal(llvm.PARALLEL_MIN * 2) for _ in range(4)]
    f(xs[0], 1.0)
    tracenp.wait_compiled()
    want = [f(x, float(i)) for i, x in enumerate(xs)]  # one caller at a time
    np.testing.assert_allclose(want[3], np.cos(xs[3]) * 3.0, rtol=1e-14)
    errors = []

    def call(i: int) -> None:
        for _ in range(30):
            if not np.array_equal(f(xs[i], float(i)), want[i]):
                errors.append(i)

    workers = [threading.Thread(target=call, args=(i,)) for i in range(4)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert errors == []


def test_many_small_jobs_never_lose_or_repeat_a_piece():
    """Rows that each add one to their own counter: after many jobs every count is exact.
    Jobs alternate between piece counts and row strides, so a worker that read one job's
    claim word while the next was being published would run a piece twice or a wrong row."""
    pool = llvm_pool.pool(2)
    f = tracenp.jit(lambda c: c + 1.0)
    counts = np.zeros((11, llvm.PARALLEL_MIN))
    graph = f.graph(counts[0])  # its one kernel, run below on each row, in place
    addr = llvm.compile_kernel(llvm.schedule(graph, llvm.lowerable).steps[0].kernel)
    task = llvm.entry(addr, llvm.llvm_call.TASK)
    shape = np.array([counts.shape[1]], dtype=np.int64)
    rows = list(counts)  # the views the kernel reads and writes, alive while it runs
    wide = np.array([(task, shape.ctypes.data, 0, counts.shape[1], 0, id(r), id(r), -1, -1)
                     for r in rows[:8]], dtype=np.int64)
    narrow = np.array([(task, shape.ctypes.data, 0, counts.shape[1], 0, id(r), id(r))
                       for r in rows[8:]], dtype=np.int64)
    for _ in range(500):
        pool.run(wide)
        pool.run(narrow)
    assert (counts == 500).all()


def test_a_forked_child_starts_its_own_workers(threads):
    program = """
import os, numpy as np, tracenp
tracenp.config.num_threads = 2
f = tracenp.jit(lambda x: np.exp(x) * 2.0)
x = np.linspace(-1, 1, 1 << 18)
assert np.allclose(f(x), np.exp(x) * 2.0)
pid = os.fork()
if pid == 0:
    ok = np.allclose(f(x * 0.5), np.exp(x * 0.5) * 2.0)
    os._exit(0 if ok else 3)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "0"


def test_graphs_calling_blas_keep_their_kernels_on_one_thread(threads, monkeypatch):
    """BLAS threads spin on the other cores after a matmul: splitting beside them costs."""
    threads(2)
    calls = []
    real = llvm.run_table
    monkeypatch.setattr(llvm, "run_table", lambda table, t=None: (calls.append(t),
                                                                real(table, t)))
    x, w = RNG.standard_normal((256, 300)), RNG.standard_normal((300, 256))
    with_blas = tracenp.jit(lambda x, w: np.exp(np.tanh(x @ w)) + 1.0)
    np.testing.assert_allclose(with_blas(x, w), np.exp(np.tanh(x @ w)) + 1.0, rtol=1e-13)
    assert calls == []  # one piece: the calling thread
    without = tracenp.jit(lambda y: np.exp(np.tanh(y)) + 1.0)
    y = x @ w
    np.testing.assert_allclose(without(y), np.exp(np.tanh(y)) + 1.0, rtol=1e-13)
    assert calls and all(t is None for t in calls)
    calls.clear()  # a row-dot pass replaces its two matrix-vector products: no BLAS call
    X, y = RNG.standard_normal((20000, 64)), RNG.standard_normal(20000)
    grad = tracenp.jit(tracenp.grad(lambda v: np.mean((X @ v - y) ** 2)))
    v = RNG.standard_normal(64)
    np.testing.assert_allclose(grad(v), 2 * X.T @ (X @ v - y) / len(y), rtol=1e-10)
    assert calls and all(t is None for t in calls)
