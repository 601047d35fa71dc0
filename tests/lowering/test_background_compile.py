"""Background compiles: a new graph's first calls run with NumPy while LLVM compiles it."""

from __future__ import annotations

import copy
import os
import secrets
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest

import tracenp
from tracenp import background
from tracenp.config import config
from tracenp.lowering import llvm as backend
from tracenp.lowering import llvm_jit
from tracenp.lowering.llvm_jit import STATS

pytestmark = pytest.mark.usefixtures("private_cache")


@pytest.fixture(autouse=True)
def in_background(monkeypatch):
    monkeypatch.setattr(config, "background_compile", True)


@pytest.fixture
def held(monkeypatch):
    """LLVM compiles only once the test sets the returned event."""
    go = threading.Event()
    compile_ = backend.LLVMBackend.compile

    def slow(self, graph):
        if not llvm_jit._CACHED_ONLY.get():
            go.wait(30)
        return compile_(self, graph)

    monkeypatch.setattr(backend.LLVMBackend, "compile", slow)
    yield go
    go.set()
    tracenp.wait_compiled(30)


def expr(a, b):
    return np.exp(-a * a) * np.sin(b) + np.sqrt(np.abs(a)).sum()


def test_first_calls_give_numpys_values_then_compiled_code_serves(held):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(300), rng.standard_normal(300)
    f = tracenp.jit(expr)
    reference = tracenp.jit(expr, backend="numpy")(a, b)
    for _ in range(2):
        np.testing.assert_array_equal(f(a, b), reference)
    compiled = f.compiled(a, b)
    assert compiled.pending
    assert "compiling in the background" in str(tracenp.explain(f, a, b))
    held.set()
    assert tracenp.wait_compiled(30)
    assert not compiled.pending
    assert hasattr(compiled.run, "schedule")  # the LLVM backend's run, not NumPy's
    np.testing.assert_allclose(f(a, b), expr(a, b), rtol=1e-13)
    assert f.cache_info().misses == 1


def test_calls_before_the_compiled_code_are_as_silent_as_it(held):
    """The NumPy stand-in ran `np.divide(1.0, d, where=d != 0)` unmasked and warned of a
    division by zero NumPy's own call never makes; compiled code has no error state."""
    def inverse(d):
        return np.divide(1.0, d, out=np.zeros_like(d), where=d != 0), np.log(d)

    d = np.array([0.0, 2.0, -1.0])
    f = tracenp.jit(inverse)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = f(d)
    assert f.compiled(d).pending
    np.testing.assert_array_equal(got[0], [0.0, 0.5, -1.0])
    np.testing.assert_array_equal(got[1][1:2], np.log(d[1:2]))
    assert np.isnan(got[1][2]) and got[1][0] == -np.inf


def test_graphs_whose_code_is_cached_compile_at_once():
    f = tracenp.jit(lambda x: np.tanh(x) * 3.0)
    f(np.ones(7))
    assert tracenp.wait_compiled(30)
    g = tracenp.jit(lambda x: np.tanh(x) * 3.0)  # a new function, the same kernel
    before = STATS.codegen
    g(np.ones(9))
    assert not g.compiled(np.ones(9)).pending
    assert STATS.codegen == before


def test_a_failed_compile_warns_and_keeps_numpys_values(monkeypatch):
    def broken(self, graph):
        if llvm_jit._CACHED_ONLY.get():
            raise llvm_jit.NeedsCodegen("kernel")
        raise RuntimeError("no code today")

    monkeypatch.setattr(backend.LLVMBackend, "compile", broken)
    x = np.linspace(-2, 2, 11)
    f = tracenp.jit(lambda x: np.log1p(x * x))
    np.testing.assert_array_equal(f(x), np.log1p(x * x))
    assert tracenp.wait_compiled(30)
    with pytest.warns(RuntimeWarning, match="no code today"):
        np.testing.assert_array_equal(f(x), np.log1p(x * x))
    np.testing.assert_array_equal(f(x), np.log1p(x * x))


def test_wait_compiled_times_out_while_a_compile_is_held(held):
    c = float(secrets.randbits(30))  # a kernel no earlier test made: one in memory compiles
    tracenp.jit(lambda x: x * 2.0 + c)(np.ones(4))  # at once, unheld
    assert not tracenp.wait_compiled(0.05)
    held.set()
    assert tracenp.wait_compiled(30)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_compiles_what_its_parent_had_not(held):
    f = tracenp.jit(lambda x: np.cos(x) - x)
    x = np.arange(5.0)
    f(x)
    pid = os.fork()
    if pid == 0:  # the child: its own worker compiles the graph
        held.set()
        ok = tracenp.wait_compiled(60) and not f.compiled(x).pending \
            and np.allclose(f(x), np.cos(x) - x)
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


_CHILD = """
import sys, numpy as np, tracenp
from tracenp.lowering.llvm_jit import STATS
f = tracenp.jit(lambda a, b: a * b - np.exp(b))
x = np.linspace(0, 1, 50)
np.testing.assert_allclose(f(x, x), x * x - np.exp(x))
tracenp.wait_compiled()
print(STATS.codegen, f.compiled(x, x).pending)
"""


def test_a_second_process_finds_the_code_the_first_compiled_in_the_background(tmp_path):
    env = dict(os.environ, TRACENP_CACHE_DIR=str(tmp_path), TRACENP_FLAGS="")
    runs = [subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True,
                           text=True, check=True).stdout.split() for _ in range(2)]
    assert runs[0][0] != "0"  # the first process compiled
    assert runs[1] == ["0", "False"]  # the second one found everything on disk


_SHORT_SCRIPT = """
import numpy as np, tracenp
from tracenp.lowering.llvm_jit import STATS
f = tracenp.jit(lambda x, y: np.tanh(x) * y - np.log1p(y * y))
x = np.linspace(0, 1, 70)
np.testing.assert_allclose(f(x, x), np.tanh(x) * x - np.log1p(x * x))
print(STATS.codegen, f.compiled(x, x).pending)
"""


def test_a_script_that_exits_at_once_leaves_its_code_for_the_next_run(tmp_path):
    """The first run exits right after its first call, while LLVM compiles: it finishes
    that compile at exit, and the second run's call is compiled code from the start."""
    env = dict(os.environ, TRACENP_CACHE_DIR=str(tmp_path), TRACENP_FLAGS="")
    runs = [subprocess.run([sys.executable, "-c", _SHORT_SCRIPT], env=env, capture_output=True,
                           text=True, check=True).stdout.split() for _ in range(2)]
    assert runs[0] == ["0", "True"]  # the first call ran with NumPy, nothing compiled yet
    assert runs[1] == ["0", "False"]  # the code the first run compiled at exit was on disk


_TWO_LAUNCHES = """
import importlib.abc, sys, threading, numpy as np, tracenp
importers = []

class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "tracenp.lowering.llvm_kernel":
            importers.append(threading.current_thread() is threading.main_thread())

sys.meta_path.insert(0, Watch())
f = tracenp.jit(lambda x: np.sort(x) * 2.0 + x)
x = np.linspace(1, 0, 40)
np.testing.assert_allclose(f(x), np.sort(x) * 2.0 + x)
pending = f.compiled(x).pending
tracenp.wait_compiled()
print(pending, importers)
"""


def test_a_new_graphs_first_call_leaves_loading_the_code_generator_to_the_worker(tmp_path):
    """A graph of two steps has no plan on disk: the first process's first call runs without
    importing the code generator (the worker imports it); the second process's, finding a
    record that the graph was compiled, imports it and finds the code on disk."""
    env = dict(os.environ, TRACENP_CACHE_DIR=str(tmp_path), TRACENP_FLAGS="")
    runs = [subprocess.run([sys.executable, "-c", _TWO_LAUNCHES], env=env, capture_output=True,
                           text=True, check=True).stdout.strip() for _ in range(2)]
    assert runs == ["True [False]", "False [True]"]


def test_the_builtin_entry_of_a_small_launch_is_compiled_in_the_background_too():
    f = tracenp.jit(lambda x: x * 3.0 - 1.0)
    x = np.arange(64.0).reshape(2, 2, 2, 2, 2, 2)  # a rank no other test's entry has
    f(x)
    assert tracenp.wait_compiled(30)
    before = STATS.codegen
    gate = threading.Event()
    background.later(lambda: gate.wait(30))  # the worker is busy: the entry's job queues
    for _ in range(2):  # the call after the compile makes the fast path, the next one uses it
        np.testing.assert_array_equal(f(x), x * 3.0 - 1.0)
    assert STATS.codegen == before and not f._entries  # not compiled on these calls
    gate.set()
    assert tracenp.wait_compiled(30) and STATS.codegen == before + 1
    hits = f.cache_info().hits
    np.testing.assert_array_equal(f(x), x * 3.0 - 1.0)
    np.testing.assert_array_equal(f(x), x * 3.0 - 1.0)
    assert f.cache_info().hits == hits + 2  # served (and counted) by the builtin entry
    assert f._entry is not None and f._entries



def _tables() -> dict:
    import test_corpus
    import test_corpus_hunt_w
    import test_corpus_hunt_x

    return {"corpus": test_corpus.CORPUS, "scipy_lectures": test_corpus_hunt_w.SCIPY_LECTURES,
            "segmentation": test_corpus_hunt_x.SEGMENTATION}


@pytest.mark.parametrize("table", ["corpus", "scipy_lectures", "segmentation"])
def test_corpus_tables_give_numpys_values_while_compiling_and_after(table):
    """Users' default: the first calls of each new graph run with NumPy while the worker
    compiles, and the worker's own work (its imports among it) must leave NumPy's namespace
    its own. Each corpus function is called as the corpus tests call it, then again once
    its code is compiled."""
    from test_corpus import check_like_numpy
    from test_ops import assert_same

    zeros, ogrid, array = np.zeros, np.ogrid, np.array
    for name, (fn, static, make_args) in _tables()[table].items():
        check_like_numpy(fn, static, make_args)
        assert (np.zeros, np.ogrid, np.array) == (zeros, ogrid, array), name
        assert tracenp.wait_compiled(60)
        args = make_args(4, 6)
        with np.errstate(all="ignore"):
            want = fn(*copy.deepcopy(args), **static)
        assert_same(tracenp.jit(fn, static_argnames=tuple(static))(*args, **static), want,
                    rtol=1e-5)
