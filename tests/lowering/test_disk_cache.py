"""The on-disk kernel cache: warm second process, damaged entries, privacy and switches."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tracenp import disk_cache
from tracenp.config import config

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = """
import numpy as np, tracenp
from tracenp.lowering.llvm_jit import STATS
f = tracenp.jit(lambda a, b: np.tanh(a * b) + np.sqrt(np.abs(b)) * 3.0, backend="llvm")
x = np.linspace(-2, 2, 1001)
r = f(x, x[::-1])
assert np.allclose(r, np.tanh(x * x[::-1]) + np.sqrt(np.abs(x[::-1])) * 3.0)
print(STATS.codegen, STATS.disk_hits)
"""


def _run(env: dict) -> tuple[int, int]:
    env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    env.pop("TRACENP_NO_CACHE", None)
    env.pop("TRACENP_DEBUG", None)
    out = subprocess.run([sys.executable, "-c", PROGRAM], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return int(out[0]), int(out[1])


def test_second_process_does_no_codegen(tmp_path):
    env = {"TRACENP_CACHE_DIR": str(tmp_path / "c")}
    codegen, hits = _run(env)
    assert codegen >= 1 and hits == 0
    assert stat.S_IMODE((tmp_path / "c").stat().st_mode) == 0o700
    assert _run(env) == (0, codegen)


@pytest.mark.parametrize("damage", ["truncate", "flip", "foreign", "empty"])
def test_damaged_entries_are_recompiled(tmp_path, damage):
    env = {"TRACENP_CACHE_DIR": str(tmp_path)}
    codegen, _ = _run(env)
    entries = sorted(tmp_path.glob("*.o"))
    assert len(entries) == codegen + 1  # the kernels and the graph's plan (tracenp.plans)
    for p in entries:
        blob = p.read_bytes()
        if damage == "truncate":
            p.write_bytes(blob[: len(blob) // 2])
        elif damage == "flip":
            p.write_bytes(blob[:-10] + bytes(b ^ 0xFF for b in blob[-10:]))
        elif damage == "foreign":
            p.write_bytes(b"\x7fELF" + os.urandom(200))
        else:
            p.write_bytes(b"")
    assert _run(env) == (codegen, 0)
    assert _run(env) == (0, codegen)


def test_entry_under_another_key_is_not_loaded(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACENP_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("TRACENP_NO_CACHE", raising=False)
    disk_cache.store("key A", b"payload A")
    assert disk_cache.load("key A") == b"payload A"
    src = next(tmp_path.glob("*.o"))
    dst = tmp_path / disk_cache._name(b"key B")
    dst.write_bytes(src.read_bytes())
    assert disk_cache.load("key B") is None


def test_disable_and_clear(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACENP_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("TRACENP_NO_CACHE", raising=False)
    monkeypatch.setattr(disk_cache, "_pruned", {tmp_path})  # no prune thread writing its stamp
    disk_cache.store("k", b"x")
    assert disk_cache.load("k") == b"x"
    monkeypatch.setenv("TRACENP_NO_CACHE", "1")
    assert disk_cache.load("k") is None
    monkeypatch.delenv("TRACENP_NO_CACHE")
    old = config.cache
    try:
        config.cache = False
        assert disk_cache.load("k") is None
    finally:
        config.cache = old
    assert disk_cache.clear() == 1
    assert disk_cache.load("k") is None


def test_default_location_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("TRACENP_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert disk_cache.directory() == tmp_path / "tracenp"
    monkeypatch.setenv("TRACENP_CACHE_DIR", str(tmp_path / "mine"))
    assert disk_cache.directory() == tmp_path / "mine"


def test_kernels_still_run_with_the_cache_off(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACENP_NO_CACHE", "1")
    monkeypatch.setenv("TRACENP_CACHE_DIR", str(tmp_path))
    import tracenp

    f = tracenp.jit(lambda a: np.cos(a) * 7.25 - a, backend="llvm")
    x = np.arange(5.0)
    np.testing.assert_allclose(f(x), np.cos(x) * 7.25 - x)
    assert not list(tmp_path.glob("*.o"))


def _entries(tmp_path, sizes: list[int]) -> list:
    """Files of these sizes, each used (read and written) a day later than the one before."""
    now = time.time()
    paths = []
    for i, size in enumerate(sizes):
        p = tmp_path / f"{i:02d}.o"
        p.write_bytes(b"x" * size)
        t = now - (len(sizes) - i) * 86400
        os.utime(p, (t, t))
        paths.append(p)
    return paths


def test_prune_removes_the_least_recently_used_beyond_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACENP_CACHE_DIR", str(tmp_path))
    paths = _entries(tmp_path, [1000] * 5)
    os.utime(paths[0], (time.time(), os.stat(paths[0]).st_mtime))  # read today: kept
    (tmp_path / disk_cache._STAMP).write_bytes(b"")
    block = os.stat(paths[0]).st_blocks * 512 or 1000  # what one entry takes on disk
    assert disk_cache.prune(2 * block + block // 2) == 3
    assert [p.exists() for p in paths] == [True, False, False, False, True]
    assert (tmp_path / disk_cache._STAMP).exists()
    assert disk_cache.prune(10_000) == 0


def test_a_store_prunes_at_most_once_a_day(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACENP_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("TRACENP_NO_CACHE", raising=False)
    calls, done = [], threading.Event()
    monkeypatch.setattr(disk_cache, "prune", lambda limit: calls.append(limit))
    stamped = disk_cache._prune_and_stamp

    def prune_and_stamp(limit):
        stamped(limit)
        done.set()

    monkeypatch.setattr(disk_cache, "_prune_and_stamp", prune_and_stamp)
    monkeypatch.setattr(disk_cache, "_pruned", set())
    disk_cache.store("a", b"1")  # no stamp yet: prunes, then stamps
    assert done.wait(10) and calls == [config.cache_max_mb << 20]
    monkeypatch.setattr(disk_cache, "_pruned", set())  # a new process, the same day
    disk_cache.store("b", b"2")
    stamp = tmp_path / disk_cache._STAMP
    old = time.time() - disk_cache.PRUNE_EVERY_S - 60
    os.utime(stamp, (old, old))
    done.clear()
    disk_cache.store("c", b"3")  # this process has checked already
    assert calls == [config.cache_max_mb << 20]
    monkeypatch.setattr(disk_cache, "_pruned", set())  # a new process, a day later
    disk_cache.store("d", b"4")
    assert done.wait(10) and len(calls) == 2
    assert time.time() - stamp.stat().st_mtime < 60
    os.utime(stamp, (old, old))  # the stamp is renewed only once a prune has finished
    hold = threading.Event()
    monkeypatch.setattr(disk_cache, "prune", lambda limit: hold.wait(10))
    done.clear()
    monkeypatch.setattr(disk_cache, "_pruned", set())
    disk_cache.store("e", b"5")
    time.sleep(0.2)
    assert time.time() - stamp.stat().st_mtime > disk_cache.PRUNE_EVERY_S
    hold.set()
    assert done.wait(10) and time.time() - stamp.stat().st_mtime < 60


def test_clear_removes_the_source_digest_memos(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACENP_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("TRACENP_NO_CACHE", raising=False)
    monkeypatch.setattr(disk_cache, "_pruned", {tmp_path})  # no prune thread writing its stamp
    disk_cache.write("sources-v2-0123", b"0" * 16)
    disk_cache.store("k", b"x")
    assert disk_cache.clear() == 2
    assert not list(tmp_path.glob("sources-*"))


@pytest.mark.skipif(not os.path.exists("/proc/cpuinfo"), reason="Linux /proc only")
def test_cpu_identity_reads_the_first_processor_block_whole(monkeypatch):
    """The key's CPU identity is read a chunk at a time; the block it keys by must be the
    whole first processor's, including when a chunk ends inside it."""
    from tracenp.lowering import llvm_jit

    whole = Path("/proc/cpuinfo").read_text().split("\n\n")[0]
    assert llvm_jit._first_cpu_block() == whole
    real_read = os.read
    monkeypatch.setattr(llvm_jit.os, "read", lambda fd, n: real_read(fd, 100))
    assert llvm_jit._first_cpu_block() == whole
    assert len(llvm_jit._cpuinfo()) == 32


@pytest.mark.skipif(not os.path.exists("/proc/sys/kernel/random/boot_id"),
                    reason="Linux /proc only")
def test_environment_is_remembered_per_boot_and_sources(tmp_path, monkeypatch):
    """The CPU's identity and the sources' digest are remembered in one memo under the boot
    id and the sources' stamps: the memo gives what fresh reads give, a damaged memo is read
    afresh, and another boot or a changed source does not use it."""
    from tracenp import source_digest
    from tracenp.lowering import llvm_jit

    monkeypatch.setenv("TRACENP_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("TRACENP_NO_CACHE", raising=False)
    fresh = llvm_jit._remembered_environment()
    keyed = list(source_digest.KEYED)
    assert fresh.endswith(f"cpuinfo {llvm_jit._cpuinfo()} sources "
                          f"{source_digest.contents(keyed)}")
    memo, = tmp_path.glob("env-*")
    with monkeypatch.context() as m:
        m.setattr(llvm_jit, "_first_cpu_block", lambda: pytest.fail("memo not used"))
        m.setattr(source_digest, "contents", lambda names: pytest.fail("memo not used"))
        assert llvm_jit._remembered_environment() == fresh
    memo.write_bytes(b"not a hash")
    assert llvm_jit._remembered_environment() == fresh
    assert len(memo.read_bytes()) == 48
    memo.write_bytes(b"0" * 48)
    with monkeypatch.context() as m:
        m.setattr(llvm_jit, "_boot_id", lambda: b"another boot")
        assert llvm_jit._remembered_environment() == fresh
    with monkeypatch.context() as m:
        stamps = source_digest.stamps
        m.setattr(source_digest, "stamps", lambda names: stamps(names) + " edited")
        assert llvm_jit._remembered_environment() == fresh
    assert disk_cache.clear() == 3 and not list(tmp_path.glob("env-*"))


HALF_PROGRAM = """
import numpy as np, tracenp
x = np.array([0.1, -2.5, 65519.99, 65520.0, 1e-8, 3.0e-8, np.nan, -np.inf])
i = np.array([1, -7, 2049, 70000])
for _ in range(2):
    f = lambda a, b: (a.astype(np.float16), b.astype(np.float16), np.arcsinh(b / 3))
    got, want = tracenp.jit(f)(x, i.astype(np.float16)), f(x, i.astype(np.float16))
    assert all(np.array_equal(g, w, equal_nan=True) and g.dtype == w.dtype
               for g, w in zip(got, want)), (got, want)
print("ok")
"""


def test_casts_to_float16_run_in_a_fresh_and_a_warm_process(tmp_path):
    """A double-to-half cast was LLVM's call of compiler-rt's `__truncdfhf2`, a symbol a plain
    Python process has not loaded: the kernel jumped to address 0 (a segfault) in every
    process that ran it compiled, the one that compiled it and any that found it on disk.
    float16 math ends in a double-to-float-to-half chain that LLVM folded into that call."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRACENP_CACHE_DIR": str(tmp_path / "c"),
           "TRACENP_FLAGS": "background_compile=False"}
    env.pop("TRACENP_NO_CACHE", None)
    for _ in range(2):
        out = subprocess.run([sys.executable, "-W", "ignore", "-c", HALF_PROGRAM], env=env,
                             capture_output=True, text=True)
        assert out.returncode == 0 and out.stdout.split() == ["ok"], out.stderr[-2000:]
