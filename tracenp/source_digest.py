"""Content hashes of tracenp's own sources, for the disk cache's keys, reread only on change.

A cached kernel or plan must not outlive the code that made it, so its key includes a hash
of that code's contents. Opening and hashing those ~40 files took about a millisecond of
every process's first call; instead each file's hash is remembered in the cache directory
beside the file's size, modification time and inode when it was read, and a file is reread
only when one of those differs (the check Python makes before trusting its own bytecode
cache). Keys are still made from contents: file times only decide when to reread.
"""

from __future__ import annotations

import hashlib
import json
import os

from . import disk_cache

PACKAGE = os.path.dirname(os.path.abspath(__file__))
_MEMO_NAME = "sources-v1.json"
_memo: dict = {}  # path -> [size, mtime_ns, inode, hex digest]; loaded once per process
_loaded: list = []


def digest(names: list[str]) -> str:
    """One hash of the contents of these files (paths relative to the package)."""
    changed = False
    h = hashlib.sha256()
    memo = _load()
    for name in names:
        path = os.path.join(PACKAGE, name)
        st = os.stat(path)
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        seen = memo.get(path)
        if seen is None or seen[:3] != stamp:
            with open(path, "rb") as f:
                seen = memo[path] = stamp + [hashlib.sha256(f.read()).hexdigest()]
            changed = True
        h.update(f"{name} {seen[3]}\n".encode())
    if changed:
        _save(memo)
    return h.hexdigest()[:16]


def _load() -> dict:
    if not _loaded:
        _loaded.append(True)
        if disk_cache.enabled():
            try:
                with open(disk_cache.directory() / _MEMO_NAME, "rb") as f:
                    data = json.loads(f.read())
            except (OSError, ValueError):
                data = None
            if isinstance(data, dict):
                _memo.update((k, v) for k, v in data.items() if _valid(v))
    return _memo


def _valid(entry) -> bool:
    return (isinstance(entry, list) and len(entry) == 4
            and all(isinstance(x, int) for x in entry[:3]) and isinstance(entry[3], str))


def _save(memo: dict) -> None:
    disk_cache.write(_MEMO_NAME, json.dumps(memo).encode())
