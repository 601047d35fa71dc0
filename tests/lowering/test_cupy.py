"""The GPU backend on a GPU: every op-table case and random expressions under
`jit(device="cuda")` against NumPy, CuPy arrays in and out, large (split) reductions,
NumPy's edge semantics, and gradients. Marked `gpu`: skipped where there is no GPU.

Without CuPy, asking for the GPU must say what to install; that test runs everywhere.
"""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np
import pytest

import tracenp
from op_table import make_arg, seed_of
from test_cuda_source import _close, _host_cases, _layout, expression_args, random_expression

HAS_CUPY = importlib.util.find_spec("cupy") is not None


@pytest.mark.skipif(HAS_CUPY, reason="CuPy is installed")
def test_asking_for_the_gpu_without_cupy_says_what_to_install():
    with pytest.raises(tracenp.DeviceError, match=r"pip install 'tracenp\[gpu\]'"):
        tracenp.jit(lambda a: a * 2, device="cuda")(np.ones(3))
    with tracenp.config.change_flags(device="cuda"):
        with pytest.raises(tracenp.DeviceError, match="CuPy"):
            tracenp.jit(lambda a: a + 1)(np.ones(3))


def _gpu_cases():
    for row, dt, shapes, layout in _host_cases():
        yield pytest.param(row, dt, shapes, layout, id=f"{row.name}-{dt}-{shapes}-{layout}")


@pytest.mark.gpu
@pytest.mark.parametrize("row,dtype,shapes,layout", list(_gpu_cases()))
def test_op_table_row_on_the_gpu(row, dtype, shapes, layout):
    rng = np.random.default_rng(seed_of(row.name, dtype, shapes))
    args = [_layout(make_arg(rng, s, dtype, row.domain), layout) for s in shapes]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = row.fn(*[a.copy() for a in args])
        except Exception:
            pytest.skip("NumPy refuses this case")
        got = tracenp.jit(row.fn, device="cuda")(*args)
    _close(got, want, row.rtol)


@pytest.mark.gpu
@pytest.mark.parametrize("seed", range(300))
def test_random_expression_on_the_gpu(seed):
    dtype = "float32" if seed % 3 == 0 else "float64"
    f, args = random_expression(seed), expression_args(seed, dtype)
    with np.errstate(all="ignore"):
        _close(tracenp.jit(f, device="cuda")(*args), f(*args), 1e-6)


@pytest.mark.gpu
def test_cupy_arrays_run_on_their_device_and_come_back_as_cupy():
    import cupy as cp

    a = cp.arange(12.0).reshape(3, 4)
    f = tracenp.jit(lambda x: np.exp(x) / np.exp(x).sum(axis=1, keepdims=True))
    out = f(a)
    assert isinstance(out, cp.ndarray) and out.device == a.device
    e = np.exp(cp.asnumpy(a))
    np.testing.assert_allclose(cp.asnumpy(out), e / e.sum(axis=1, keepdims=True))
    host = f(cp.asnumpy(a))  # NumPy in: the CPU backend, NumPy out
    assert isinstance(host, np.ndarray)


@pytest.mark.gpu
def test_large_reductions_and_fused_softmax_match_numpy():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 2_000_000))
    for f in (np.sum, np.max, np.min, lambda v: v.sum(axis=1), lambda v: np.exp(v).sum(axis=0),
              lambda v: np.log(np.exp(v - v.max()).sum())):
        _close(tracenp.jit(f, device="cuda")(x), f(x), 1e-9)
    y = rng.standard_normal((1000, 3000)).astype(np.float32)

    def softmax(v):
        e = np.exp(v - v.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    _close(tracenp.jit(softmax, device="cuda")(y), softmax(y), 1e-5)
    h = rng.standard_normal(100_000).astype(np.float16)
    _close(tracenp.jit(np.sum, device="cuda")(h), np.sum(h), 1e-2)


@pytest.mark.gpu
def test_numpy_edge_semantics_on_the_gpu():
    i = np.array([7, -7, 5, np.iinfo(np.int32).min], np.int32)
    j = np.array([0, 2, -3, -1], np.int32)
    f = np.array([np.nan, 1.0, -0.0, np.inf])
    g = np.array([1.0, np.nan, 0.0, -np.inf])
    cases = [
        (lambda a, b: (a // b, a % b, np.fmod(a, b)), (i, j)),
        (lambda a, b: (np.maximum(a, b), np.minimum(a, b), np.fmax(a, b), np.fmin(a, b)), (f, g)),
        (lambda a, b: (a // b, a % b, np.copysign(a, b), np.heaviside(a, b)), (f, g)),
        (lambda a: (np.sign(a), np.spacing(a), np.isnan(a), np.signbit(a)), (f,)),
        (lambda a: (np.left_shift(a, 40), np.right_shift(a, 40)), (np.array([-3, 3]),)),
    ]
    for fn, args in cases:
        with np.errstate(all="ignore"):
            _close(tracenp.jit(fn, device="cuda")(*args), fn(*args), 1e-12)


@pytest.mark.gpu
def test_grad_runs_on_the_gpu_unchanged():
    rng = np.random.default_rng(1)
    w, x, y = rng.standard_normal(5), rng.standard_normal((40, 5)), rng.standard_normal(40)

    def loss(w, x, y):
        return np.mean((np.tanh(x @ w) - y) ** 2)

    want = tracenp.jit(tracenp.value_and_grad(loss))(w, x, y)
    got = tracenp.jit(tracenp.value_and_grad(loss), device="cuda")(w, x, y)
    _close(got, want, 1e-9)
