"""A kernel's CPython entry (`llvm_call`): launches go through it rather than ctypes."""

from __future__ import annotations

import types

import numpy as np
import pytest

import tracenp
from tracenp.fusion import KernelStep, schedule
from tracenp.lowering import llvm as backend
from tracenp.lowering.llvm_jit import compile_kernel, kernel_function

pytestmark = pytest.mark.usefixtures("private_cache")


def _kernel(fn, *args):
    graph = tracenp.jit(fn).graph(*args)
    steps = schedule(graph, backend.lowerable).steps
    (step,) = [s for s in steps if isinstance(s, KernelStep)]
    return step.kernel


def test_a_launch_is_a_builtin_call_that_fills_the_output():
    x = np.linspace(0, 1, 9)
    k = _kernel(lambda a: np.exp(a) * 2.0, x)
    call = kernel_function(compile_kernel(k), 2)
    assert isinstance(call, types.BuiltinFunctionType)
    out = np.empty_like(x)
    shape = np.array(x.shape, dtype=np.int64)
    assert call(shape.ctypes.data, 0, 9, 0, x, out) is None
    np.testing.assert_allclose(out, np.exp(x) * 2.0, rtol=1e-15)
    out[:] = 0
    call(shape.ctypes.data, 2, 5, 0, x, out)  # rows [lo, hi) only
    np.testing.assert_allclose(out, np.where((np.arange(9) >= 2) & (np.arange(9) < 5),
                                             np.exp(x) * 2.0, 0), rtol=1e-15)


def test_a_call_with_another_argument_count_is_refused():
    x = np.ones(4)
    call = kernel_function(compile_kernel(_kernel(lambda a: a + 1.0, x)), 2)
    shape = np.array(x.shape, dtype=np.int64)
    with pytest.raises(SystemError):
        call(shape.ctypes.data, 0, 4, 0, x)
