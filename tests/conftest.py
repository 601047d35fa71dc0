"""Test set-up: the IR checker runs after every transformation, LLVM compiles on the first
call, GPU tests skip without a GPU."""

import os

os.environ.setdefault("TRACENP_CHECK", "1")
# tests check compiled code from the first call on (and so do the processes they start);
# test_background_compile.py turns background compiles back on
os.environ.setdefault("TRACENP_FLAGS", "background_compile=False")

import zlib  # noqa: E402

import pytest  # noqa: E402

# The corpus files (whole programs, each compiled by LLVM on a clean machine) took 84% of a
# cold run's 6000 worker-seconds; one in eight of them was still 744 of `make test`'s 1821
# (943 s of CI), and this shared machine's speed varies by a quarter from hour to hour.
# `make test` (CI) runs a fixed sample of their cases, chosen
# by a hash of each test's id so every run picks the same ones; `make test-full`
# (TRACENP_TEST_FULL=1) runs all of them, and the op table's whole grid.
FULL = os.environ.get("TRACENP_TEST_FULL", "") not in ("", "0")
CORPUS_FILES = ("test_corpus", "test_grad_hunt")
CORPUS_SAMPLE = 16  # one case in sixteen


def _sampled_out(item) -> bool:
    return (item.path.name.startswith(CORPUS_FILES)
            and zlib.crc32(item.nodeid.encode()) % CORPUS_SAMPLE != 0)


def _has_gpu() -> bool:
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def pytest_collection_modifyitems(config, items):
    if not FULL:
        dropped = [item for item in items if _sampled_out(item)]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = [item for item in items if not _sampled_out(item)]
    if _has_gpu():
        return
    skip = pytest.mark.skip(reason="needs an NVIDIA GPU with CuPy")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
