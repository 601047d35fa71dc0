"""Plans on disk: a hit skips the optimizer and runs the same kernel; anything off is a miss."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tracenp
from tracenp import disk_cache, plans
from tracenp.compile import compile_graph
from tracenp.lowering import llvm_jit

ROOT = Path(__file__).resolve().parents[1]
X = np.linspace(-2.0, 3.0, 50)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACENP_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("TRACENP_NO_CACHE", raising=False)
    return tmp_path


def _graph(fn=lambda a, b: a * np.cos(b) - 2.5):
    return tracenp.make_graph(fn)(X, X[::-1].copy())


def test_second_compile_uses_the_plan_and_still_shows_the_optimized_graph(cache):
    g = _graph()
    first = compile_graph(g)
    assert "rewrites" in first.report
    again = compile_graph(g)
    assert again._optimized is None  # the optimizer did not run
    args = [X, X[::-1].copy()]
    np.testing.assert_array_equal(again.run(args)[0], first.run(args)[0])
    np.testing.assert_allclose(again.run(args)[0], X * np.cos(X[::-1]) - 2.5, rtol=1e-14)
    assert str(again.optimized) == str(first.optimized)
    assert "rewrites" in again.report and again.report["plan"] == "disk"


def test_only_one_launch_graphs_without_constants_get_plans(cache):
    for fn in (lambda a, b: a.sum() + b, lambda a, b: (a + b, a * b),
               lambda a, b: a + np.arange(50.0) ** 2 * b):
        g = _graph(fn)
        compile_graph(g)
        assert compile_graph(g)._optimized is not None


def test_other_graphs_leave_a_record_that_they_were_compiled(cache):
    g = _graph(lambda a, b: np.sort(a) - b.max())
    compile_graph(g)
    assert plans.recall(g, True) == (None, True)
    (disk_cache.directory() / disk_cache._name(plans._key(g, True).encode())).unlink()
    assert plans.recall(g, True) == (None, False)


@pytest.mark.parametrize("record", [
    b"not json", b"[]", b'{"kernel": 1}',
    "operands out of range", "wrong dtype", "wrong shape", "negative", "unknown kernel",
    "arity"])
def test_bad_records_are_misses(cache, record):
    g = _graph()
    compile_graph(g)
    key = plans._key(g, True)
    if isinstance(record, str):
        rec = json.loads(disk_cache.load(key))
        if record == "operands out of range":
            rec["operands"] = [0, 7]
        elif record == "wrong dtype":
            rec["dtype"] = "<f4"
        elif record == "wrong shape":
            rec["shape"] = [49]
        elif record == "negative":
            rec["shape"] = [-50]
        elif record == "arity":
            rec["operands"] = rec["operands"][:1]
        else:
            rec["kernel"] = rec["kernel"] + "\nout store %0"
        record = json.dumps(rec).encode()
    disk_cache.store(key, record)
    assert plans.recall(g, True).run is None
    assert compile_graph(g)._optimized is not None  # the full pipeline, which rewrites it
    assert plans.recall(g, True).run is not None


def test_plan_whose_kernel_is_gone_is_a_miss(cache, monkeypatch):
    g = _graph()
    compile_graph(g)
    plan_path = disk_cache.directory() / disk_cache._name(plans._key(g, True).encode())
    for p in cache.glob("*.o"):
        if p != plan_path:
            p.unlink()
    monkeypatch.setattr(llvm_jit, "_loaded", {})
    assert plans.recall(g, True).run is None


def test_key_is_exact(cache):
    g1, g2 = _graph(lambda a, b: a * 2.0 + b), _graph(lambda a, b: a * 2.5 + b)
    assert plans._key(g1, True) != plans._key(g2, True)
    assert plans._key(g1, True) != plans._key(g1, False)
    g3 = tracenp.make_graph(lambda a, b: a * 2.0 + b)(X.astype(np.float32),
                                                      X.astype(np.float32))
    assert plans._key(g1, True) != plans._key(g3, True)
    assert plans._key(g1, True) == plans._key(_graph(lambda a, b: a * 2.0 + b), True)
    c1 = np.arange(2000.0)
    c2 = c1.copy()
    c2[1000] = -1.0  # elided in the arrays' repr, not in the key
    y = np.ones(2000)
    k1 = plans._key(tracenp.make_graph(lambda a: a * c1)(y), True)
    k2 = plans._key(tracenp.make_graph(lambda a: a * c2)(y), True)
    assert k1 is not None and k2 is not None and k1 != k2


PROGRAM = """
import sys, numpy as np, tracenp
f = tracenp.jit(lambda a, b: np.exp(-a * a) * b + 1.0)
x = np.linspace(-1, 1, 33)
r = f(x, x)
np.testing.assert_allclose(r, np.exp(-x * x) * x + 1.0, rtol=1e-14)
c = f.compiled(x, x)
print(c._optimized is None, "llvmlite.binding" in sys.modules, "llvmlite.ir" in sys.modules)
"""


def test_a_warm_process_loads_no_llvm(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRACENP_CACHE_DIR": str(tmp_path)}
    env.pop("TRACENP_NO_CACHE", None)
    env.pop("TRACENP_DEBUG", None)

    def run() -> str:
        return subprocess.run([sys.executable, "-c", PROGRAM], env=env, check=True,
                              capture_output=True, text=True).stdout.split()

    assert run() == ["False", "True", "True"]
    assert run() == ["True", "False", "False"]
