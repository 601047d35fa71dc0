"""Compiled object code and plans on disk, so that a new process starts warm.

Entries are keyed by content only: the caller's key text (a kernel's or entry's description
with the host CPU, tracenp and llvmlite versions; a traced graph for a plan), never file
times. Each entry is a header (magic, the key's hash, payload length, payload hash) and the
raw payload (object bytes, or a plan's JSON): a corrupt, truncated or foreign file is
detected, ignored and overwritten; nothing is unpickled.

Location: `$TRACENP_CACHE_DIR`, else `$XDG_CACHE_HOME/tracenp`, else `~/.cache/tracenp`,
created private (0700). `TRACENP_NO_CACHE=1` or `tracenp.config.cache = False` disables it;
`clear()` empties it. Every change of tracenp's sources or version makes new keys, so old
entries are never read again: at most once a day (a stamp file's time says when), the
first store of a process starts a daemon thread that removes the least recently used
entries (by access or write time, whichever is later) beyond `config.cache_max_mb`.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
import threading
import time
from pathlib import Path

from .config import config

MAGIC = b"TRACENP-OBJ\x01"
_HEAD = struct.Struct(f"<{len(MAGIC)}s32sQ32s")
PRUNE_EVERY_S = 24 * 3600
_STAMP = "pruned"  # its modification time: when the cache was last pruned
_pruned: set = set()  # cache directories whose stamp this process has checked


def enabled() -> bool:
    return config.cache and os.environ.get("TRACENP_NO_CACHE", "") in ("", "0")


def directory() -> Path:
    return Path(_directory())


def _directory() -> str:
    env = os.environ.get("TRACENP_CACHE_DIR")
    if env:
        return env
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "tracenp")


def _name(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:40] + ".o"


def read(name: str, limit: int | None = None) -> bytes | None:
    """The cache directory's file `name` (its first `limit` bytes), or None if the cache is
    disabled or the file cannot be read. Plain `os` calls: a warm process's first call reads
    a few of these, and `open()`'s buffered file objects cost it tens of microseconds each."""
    if not enabled():
        return None
    try:
        fd = os.open(os.path.join(_directory(), name), os.O_RDONLY)
    except OSError:
        return None
    try:
        size = os.fstat(fd).st_size if limit is None else limit
        chunks = []
        while size > 0:
            chunk = os.read(fd, size)
            if not chunk:
                break
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def read_hex(name: str, digits: int) -> str | None:
    """A memo of the cache directory (`name`) holding exactly `digits` lowercase hex digits
    (a digest remembered for a process's first call), else None."""
    data = read(name, digits + 1)
    if data is None or len(data) != digits or not all(c in b"0123456789abcdef" for c in data):
        return None
    return data.decode("ascii")


def load(key: str) -> bytes | None:
    """The payload stored under `key`, or None if absent, disabled or not intact."""
    k = key.encode()
    blob = read(_name(k))
    if blob is None or len(blob) < _HEAD.size:
        return None
    magic, key_hash, length, digest = _HEAD.unpack_from(blob)
    payload = blob[_HEAD.size:]
    if (magic != MAGIC or key_hash != hashlib.sha256(k).digest() or length != len(payload)
            or digest != hashlib.sha256(payload).digest()):
        return None
    return payload


def store(key: str, payload: bytes) -> None:
    """Write `payload` under `key` atomically; a cache that cannot be written is skipped."""
    k = key.encode()
    head = _HEAD.pack(MAGIC, hashlib.sha256(k).digest(), len(payload),
                      hashlib.sha256(payload).digest())
    write(_name(k), head + payload)
    _maybe_prune()


def write(name: str, data: bytes) -> None:
    """Replace the cache directory's file `name` atomically (readers see the old file or the
    new one, never a part); skipped if the cache is disabled or cannot be written."""
    if not enabled():
        return
    d = directory()
    try:
        d.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, d / name)
    except OSError:
        return


def _maybe_prune() -> None:
    """Prune in a daemon thread if no process finished doing so in the last `PRUNE_EVERY_S`
    (checked once per process and directory; a process that exits mid-way leaves the stamp
    old, so the next one prunes)."""
    d = directory()
    if d in _pruned or not enabled():
        return
    _pruned.add(d)
    try:
        if time.time() - (d / _STAMP).stat().st_mtime < PRUNE_EVERY_S:
            return
    except OSError:
        pass
    threading.Thread(target=_prune_and_stamp, args=(config.cache_max_mb << 20,), daemon=True,
                     name="tracenp-cache-prune").start()


def _prune_and_stamp(max_bytes: int) -> None:
    prune(max_bytes)
    write(_STAMP, b"")


def prune(max_bytes: int) -> int:
    """Remove the least recently used entries until the cache takes at most `max_bytes` of
    disk (blocks: most entries are smaller than one); returns how many were removed. An
    entry removed under a reader is a miss (recompiled)."""
    entries, total = [], 0
    try:
        with os.scandir(directory()) as it:
            for e in it:
                if e.name == _STAMP or not e.is_file(follow_symlinks=False):
                    continue
                try:
                    st = e.stat(follow_symlinks=False)
                except OSError:
                    continue
                size = getattr(st, "st_blocks", 0) * 512 or st.st_size  # what the disk holds
                entries.append((max(st.st_atime, st.st_mtime), size, e.path))
                total += size
    except OSError:
        return 0
    removed = 0
    for _, size, path in sorted(entries):
        if total <= max_bytes:
            break
        try:
            os.unlink(path)
        except OSError:
            continue
        total -= size
        removed += 1
    return removed


def clear() -> int:
    """Remove every entry; returns how many files were removed."""
    n = 0
    d = directory()
    if not d.is_dir():
        return 0
    for p in d.iterdir():
        if p.suffix in (".o", ".tmp", ".json") or p.name.startswith(("sources-", "env-")):
            p.unlink(missing_ok=True)
            n += 1
    return n
