"""Hashes of tracenp's sources for cache keys: contents decide, a memo saves rereading."""

from __future__ import annotations

import hashlib
import os

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
    monkeypatch.setattr(source_digest, "_memo", {})
    monkeypatch.setattr(source_digest, "_loaded", [])
    return src


def _new_process(monkeypatch) -> None:
    monkeypatch.setattr(source_digest, "_memo", {})
    monkeypatch.setattr(source_digest, "_loaded", [])


def _expected(src, names) -> str:
    h = hashlib.sha256()
    for n in names:
        h.update(f"{n} {hashlib.sha256((src / n).read_bytes()).hexdigest()}\n".encode())
    return h.hexdigest()[:16]


def test_digest_follows_contents(package, monkeypatch):
    names = ["a.py", "b.py"]
    first = source_digest.digest(names)
    assert first == _expected(package, names)
    (package / "b.py").write_text("y = 3\n")
    _new_process(monkeypatch)
    second = source_digest.digest(names)
    assert second != first and second == _expected(package, names)
    assert source_digest.digest(["a.py"]) != second


def test_unchanged_file_is_not_reread(package, monkeypatch):
    """Same size, time and inode: the memo's hash is used, as Python trusts its bytecode."""
    names = ["a.py", "b.py"]
    first = source_digest.digest(names)
    path = package / "a.py"
    st = os.stat(path)
    with open(path, "r+") as f:  # same inode and size, then the old times back
        f.write("x = 9\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    _new_process(monkeypatch)
    assert source_digest.digest(names) == first


@pytest.mark.parametrize("memo", [b"{not json", b"[1, 2]", b'{"x": [1, 2]}',
                                  b'{"/a.py": [1, 2, 3, 4]}'])
def test_damaged_memo_is_ignored(package, monkeypatch, memo):
    names = ["a.py", "b.py"]
    cache = package.parent / "cache"
    cache.mkdir()
    (cache / source_digest._MEMO_NAME).write_bytes(memo)
    assert source_digest.digest(names) == _expected(package, names)


def test_memo_written_privately_and_used(package, monkeypatch):
    names = ["a.py"]
    source_digest.digest(names)
    cache = package.parent / "cache"
    assert oct(cache.stat().st_mode & 0o777) == oct(0o700)
    assert str(package / "a.py") in (cache / source_digest._MEMO_NAME).read_text()
