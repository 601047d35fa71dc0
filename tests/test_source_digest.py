"""Hashes of tracenp's sources for cache keys: contents decide, a memo saves rereading."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tracenp import source_digest


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A stand-in package directory with two sources, a private cache, and no memo loaded."""
    src = tmp_path / "pkg"
    src.mkdir()
    (src / "a.py").write_text("x = 1\n")
    (src / "b.py").write_text("y = 2\n")
    monkeypatch.setattr(source_digest, "PACKAGE", str(src))
    monkeypatch.setenv("TRACENP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TRACENP_NO_CACHE", raising=False)
    return src


def _expected(src, names) -> str:
    h = hashlib.sha256()
    for n in names:
        h.update(f"{n} {hashlib.sha256((src / n).read_bytes()).hexdigest()}\n".encode())
    return h.hexdigest()[:16]


def test_digest_follows_contents(package):
    names = ["a.py", "b.py"]
    first = source_digest.digest(names)
    assert first == _expected(package, names)
    (package / "b.py").write_text("y = 3\n")
    second = source_digest.digest(names)
    assert second != first and second == _expected(package, names)
    assert source_digest.digest(["a.py"]) != second


def test_unchanged_file_is_not_reread(package):
    """Same size, time and inode: the memo's hash is used, as Python trusts its bytecode."""
    names = ["a.py", "b.py"]
    first = source_digest.digest(names)
    path = package / "a.py"
    st = os.stat(path)
    with open(path, "r+") as f:  # same inode and size, then the old times back
        f.write("x = 9\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert source_digest.digest(names) == first


def _memos(package) -> list:
    return sorted((package.parent / "cache").glob(source_digest._MEMO_PREFIX + "*"))


@pytest.mark.parametrize("memo", [b"", b"not a digest!!!!", b"0123456789abcdeX", b"\xff" * 16])
def test_damaged_memo_is_ignored(package, memo):
    names = ["a.py", "b.py"]
    source_digest.digest(names)
    (path,) = _memos(package)
    path.write_bytes(memo)
    assert source_digest.digest(names) == _expected(package, names)


def test_memo_written_privately_and_used(package):
    names = ["a.py"]
    first = source_digest.digest(names)
    cache = package.parent / "cache"
    assert oct(cache.stat().st_mode & 0o777) == oct(0o700)
    (path,) = _memos(package)
    assert path.read_text() == first
    path.write_text("0" * 16)  # a stand-in: a remembered digest is used as it is
    assert source_digest.digest(names) == "0" * 16


def test_keyed_sources_cover_the_optimizer_and_code_generator():
    """Every module of the rewriter and of the LLVM code generator keys the disk cache: a
    new one must be added to `KEYED`."""
    package = Path(source_digest.PACKAGE)
    must = {str(p.relative_to(package)) for p in (package / "rewrite").glob("*.py")}
    must |= {str(p.relative_to(package)) for p in (package / "lowering").glob("llvm*.py")}
    must |= {"fusion.py", "fusion_merge.py", "lowering/elf_load.py", "plans.py", "ir.py"}
    assert must <= set(source_digest.KEYED)
    assert len(source_digest.KEYED) == len(set(source_digest.KEYED))
    assert all((package / name).is_file() for name in source_digest.KEYED)
