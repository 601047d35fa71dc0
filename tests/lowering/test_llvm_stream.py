"""Streaming stores (`llvm_stream`): outputs of LARGE_OUTPUTS bytes or more go out through
tiles and nontemporal stores of whole lines. Against NumPy: every dtype's item size, several
outputs of different widths, reductions beside them, rows with partial lines at both ends,
trig chunks redone, thread counts, a row group's last pass; and the tile copy itself, for
every head and tail."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest
from llvmlite import ir

import tracenp
from tracenp.config import config
from tracenp.fusion import LARGE_OUTPUTS, RowGroup
from tracenp.lowering import llvm_stream
from tracenp.lowering.llvm_jit import listing, load_function
from tracenp.lowering.llvm_ops import I64, PTR
from tracenp.lowering.llvm_math import TRIG_MAX

pytestmark = pytest.mark.usefixtures("private_cache")


def jit(fn):
    return tracenp.jit(fn, backend="llvm")


def streamed(itemsize: int) -> int:
    """A length whose output of `itemsize` bytes streams, ending in a partial line."""
    return LARGE_OUTPUTS // itemsize + 37


@pytest.mark.parametrize("size", [1, 2, 4, 8, 16])
def test_copy_out_writes_exactly_the_items_at_every_alignment(size):
    """Every start within a line and every count up to three lines: the items arrive, and
    not one byte around them changes."""
    def build(name):
        module = ir.Module(name=name)
        fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [PTR, PTR, I64]), name)
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        llvm_stream.copy_out(b, *fn.args, size)
        llvm_stream.fence(b)
        b.ret_void()
        return module

    copy = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)(
        load_function(f"test copy_out {size}", build))
    line = llvm_stream.LINE
    tile = np.zeros(4 * line + line, np.uint8)
    tile = tile[-tile.ctypes.data % line:][:4 * line]  # aligned as a kernel's tile is
    tile[:] = np.arange(1, tile.size + 1) % 251 + 1
    for start in range(0, line, size):
        for count in range(0, 3 * line // size + 2):
            raw = np.zeros(6 * line, np.uint8)
            dst = raw[-raw.ctypes.data % line + line + start:]
            copy(dst.ctypes.data, tile.ctypes.data, count)
            n = count * size
            assert np.array_equal(dst[:n], tile[:n]), (start, count)
            assert not raw[:raw.size - dst.size].any() and not dst[n:].any(), (start, count)


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "int8", "int64",
                                   "uint16", "complex128", "complex64"])
def test_a_large_output_of_each_dtype(dtype):
    dt = np.dtype(dtype)
    n = streamed(dt.itemsize)
    rng = np.random.default_rng(0)
    a = (rng.standard_normal(n) * 50).astype(dt)
    b = (rng.standard_normal(n) * 50).astype(dt)
    if dt.kind == "c":
        a = a + 1j * b
    got = jit(lambda x, y: x * y - x)(a, b)
    want = a * b - a
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_outputs_of_different_widths_with_a_reduction_beside_them():
    """A float64, a bool and a float32 output (their tiles of 64 items: a line of the bool
    one), and a sum carried across the chunks."""
    n = streamed(8) + 1000
    x = np.random.default_rng(1).standard_normal(n)
    f = jit(lambda v: (v * 3.0, v > 0.25, (v * v).astype(np.float32), (v * v).sum()))
    got = f(x)
    want = (x * 3.0, x > 0.25, (x * x).astype(np.float32), (x * x).sum())
    for g, w in zip(got[:3], want[:3]):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)
    np.testing.assert_allclose(got[3], want[3], rtol=1e-12)


@pytest.mark.parametrize("cols", [1031, 8, 3])
def test_rows_of_a_broadcast_each_with_partial_lines(cols):
    """Rows that cannot run as one flat loop (a column broadcast): each row streams on its
    own, starting and ending mid-line."""
    rows = streamed(8) // cols + 5
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((rows, cols)), rng.standard_normal(rows)
    np.testing.assert_array_equal(jit(lambda x, y: x * 2.0 + y[:, None])(a, b),
                                  a * 2.0 + b[:, None])


def test_a_chunk_redone_for_a_huge_trig_argument():
    """The redo of a trig chunk writes the tile again before it is copied out."""
    n = streamed(8)
    x = np.random.default_rng(3).uniform(-10, 10, n)
    x[::4099] = TRIG_MAX * 1e3
    got = jit(lambda v: np.sin(v) * 2.0)(x)
    np.testing.assert_allclose(got, np.sin(x) * 2.0, rtol=1e-15, atol=0)


def test_thread_count_does_not_change_results():
    x = np.random.default_rng(4).standard_normal(streamed(8) * 2 + 11)
    old = config.num_threads
    results = []
    try:
        for threads in (1, 2, 3):
            config.num_threads = threads
            results.append(jit(lambda v: np.exp(v) - v)(x))
    finally:
        config.num_threads = old
    assert len({r.tobytes() for r in results}) == 1
    np.testing.assert_allclose(results[0], np.exp(x) - x, rtol=1e-15)


def softmax(v):
    e = np.exp(v - v.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def test_only_kernels_with_large_outputs_carry_the_code():
    """The code is LLVM's time: a kernel planned for small outputs has none (its text says
    which it is, so the two never share compiled code)."""
    f = jit(lambda v: v * 2.0 + 1.0)
    small, large = np.ones(64), np.ones(streamed(8))
    (k_small,), (k_large,) = ([s.kernel for s in f.compiled(x).run.schedule.steps]
                              for x in (small, large))
    assert "!nontemporal" not in listing(k_small) and "!nontemporal" in listing(k_large)
    assert k_small.text() != k_large.text()


def test_a_row_group_streams_only_what_no_later_pass_reads():
    """Softmax's passes: the max, `e` (scratch, read by the last pass) with its sum, and
    `e / s`, which only the caller reads: that one streams."""
    x = np.ones((streamed(8) // 64 + 1, 64))
    (group,) = [s for s in jit(softmax).compiled(x).run.schedule.steps
                if isinstance(s, RowGroup)]
    assert [group.final(k) for k in group.kernels] == [(), (), (2,)]
    assert "!nontemporal" in listing(group)


def test_a_row_group_with_a_large_output_matches_numpy():
    x = np.random.default_rng(5).standard_normal((streamed(8) // 997 + 3, 997))
    np.testing.assert_allclose(jit(softmax)(x), softmax(x), rtol=1e-14)
