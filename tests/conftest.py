"""Test set-up: the IR checker runs after every transformation, LLVM compiles on the first
call, GPU tests skip without a GPU."""

import os

os.environ.setdefault("TRACENP_CHECK", "1")
# tests check compiled code from the first call on (and so do the processes they start);
# test_background_compile.py turns background compiles back on
os.environ.setdefault("TRACENP_FLAGS", "background_compile=False")

import pytest  # noqa: E402


def _has_gpu() -> bool:
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def pytest_collection_modifyitems(config, items):
    if _has_gpu():
        return
    skip = pytest.mark.skip(reason="needs an NVIDIA GPU with CuPy")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
