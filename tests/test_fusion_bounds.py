"""Big traced graphs (unrolled Python loops) schedule into bounded kernels: every launch stays
within the C call's argument limit and merged kernels stay within `fusion_merge`'s bounds.
Values are checked against NumPy."""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from tracenp.fusion import MAX_FUSED, MAX_OPERANDS, KernelStep, RowGroup
from tracenp.fusion_merge import MAX_BODY, MAX_REDUCTIONS


def launches(f, *args) -> list:
    """(operands, kernels) per kernel launch of the compiled schedule."""
    sched = f.compiled(*args).run.schedule
    out = []
    for s in sched.steps:
        ks = s.kernels if isinstance(s, RowGroup) else (s.kernel,) if isinstance(s, KernelStep) \
            else ()
        if ks:
            out.append((sum(len(k.inputs) + len(k.outputs) for k in ks), ks))
    return out


def many_slices(x):
    return sum(x[i:i + 100] * (i % 7 + 1) for i in range(1500))


def many_inputs(*xs):
    return sum(np.sin(x) for x in xs)


def test_sum_of_1500_slices_splits_into_launchable_kernels():
    x = np.random.default_rng(0).standard_normal(1600)
    f = tracenp.jit(many_slices, backend="llvm")
    np.testing.assert_allclose(f(x), many_slices(x), rtol=1e-12, atol=1e-11)
    found = launches(f, x)
    assert len(found) > 1
    assert all(ops <= MAX_OPERANDS for ops, _ in found)
    assert all(len(k.inputs) <= MAX_FUSED for _, ks in found for k in ks)


def test_1100_distinct_inputs():
    rng = np.random.default_rng(1)
    xs = list(rng.standard_normal((1100, 8)))
    f = tracenp.jit(many_inputs, backend="llvm")
    np.testing.assert_allclose(f(*xs), many_inputs(*xs), rtol=1e-12, atol=1e-12)
    assert all(ops <= MAX_OPERANDS for ops, _ in launches(f, *xs))


def euler(x, dt, steps):
    for _ in range(steps):
        x = x + dt * (-x + np.sin(x))
    return x


def row_norms(X):
    out = np.empty(X.shape[0])
    for i in range(X.shape[0]):
        out[i] = np.sqrt((X[i] ** 2).sum())
    return out


@pytest.mark.parametrize("case", ["euler", "rows"])
def test_unrolled_loops_merge_into_bounded_kernels(case):
    rng = np.random.default_rng(2)
    if case == "euler":
        x = rng.standard_normal(1000)
        f = tracenp.jit(euler, static_argnums=(2,), backend="llvm")
        args, want = (x, 0.01, 200), euler(x, 0.01, 200)
    else:
        X = rng.standard_normal((40, 30))
        f = tracenp.jit(row_norms, backend="llvm")
        args, want = (X,), row_norms(X)
    np.testing.assert_allclose(f(*args), want, rtol=1e-12)
    for _, ks in launches(f, *args):
        for k in ks:
            assert len(k.body) <= max(MAX_BODY, MAX_FUSED)
            assert sum(o.reduce is not None for o in k.outputs) <= MAX_REDUCTIONS
