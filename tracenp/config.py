"""Flags, Theano-style: `TRACENP_FLAGS="mode=FAST_COMPILE,device=cpu"` or `config.mode = ...`.

`print(tracenp.config)` shows them; `with config.change_flags(mode="FAST_COMPILE"):`
sets some for a block.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, fields
from typing import Iterator

MODES = ("FAST_RUN", "FAST_COMPILE")
FLOATX = ("float64", "float32", "float16")


@dataclass
class Config:
    """The flags in force. FAST_RUN optimizes and compiles; FAST_COMPILE interprets with NumPy."""

    mode: str = "FAST_RUN"
    device: str = "cpu"
    backend: str = "llvm"  # the CPU backend of FAST_RUN: "llvm" (compiled) or "numpy"
    floatX: str = "float64"
    num_threads: int = os.cpu_count() or 1
    cache: bool = True
    cache_max_mb: int = 1024  # the disk cache is pruned to this size (least recently used)
    background_compile: bool = True  # new graphs run with NumPy while LLVM compiles them

    def __setattr__(self, name, value):
        if name == "mode" and value not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {value!r}")
        if name == "device" and value not in ("cpu", "cuda"):
            raise ValueError(f"device must be 'cpu' or 'cuda' (CuPy's current device; pick "
                             f"another with cupy.cuda.Device(n).use() or CUDA_VISIBLE_DEVICES), "
                             f"not {value!r}")
        if name == "backend" and value not in ("llvm", "numpy"):
            raise ValueError(f"backend must be 'llvm' or 'numpy', not {value!r}")
        if name == "floatX" and value not in FLOATX:
            raise ValueError(f"floatX must be one of {FLOATX}, not {value!r}")
        if name not in {f.name for f in fields(self)}:
            raise AttributeError(f"unknown flag {name!r}; known: {[f.name for f in fields(self)]}")
        super().__setattr__(name, value)

    @contextlib.contextmanager
    def change_flags(self, **flags) -> Iterator["Config"]:
        """Set `flags` for the duration of a `with` block, then restore them."""
        saved = {name: getattr(self, name) for name in flags}
        try:
            for name, value in flags.items():
                setattr(self, name, value)
            yield self
        finally:
            for name, value in saved.items():
                setattr(self, name, value)

    def __str__(self) -> str:
        return "\n".join(f"{f.name} = {getattr(self, f.name)}" for f in fields(self))


def _parse(flags: str) -> dict[str, str]:
    out = {}
    for item in filter(None, (s.strip() for s in flags.split(","))):
        key, _, value = item.partition("=")
        out[key.strip()] = value.strip()
    return out


def from_environment() -> Config:
    cfg = Config()
    known = {f.name: f.type for f in fields(Config)}
    for key, value in _parse(os.environ.get("TRACENP_FLAGS", "")).items():
        if key not in known:
            raise ValueError(f"unknown flag {key!r} in TRACENP_FLAGS; known: {sorted(known)}")
        default = getattr(cfg, key)
        if isinstance(default, bool):
            value = value.lower() in ("1", "true", "yes", "on")
        elif isinstance(default, int):
            value = int(value)
        setattr(cfg, key, value)
    return cfg


config = from_environment()
