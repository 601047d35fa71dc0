"""Shared variables under `device=cuda`, without a GPU: where values are stored and moved.

A stand-in `cupy` module (NumPy memory behind an array type of its own, whose `.get()` counts
copies to the host) and a stand-in GPU backend (the NumPy reference, handing back that type)
check the plumbing only: `get_value` converts unless `return_internal_type`, `set_value` keeps
the storage on the device, a cuda function stores its updates without a host copy, a cpu
function moves device values explicitly, and a missing CuPy or device is a clear error. They
say nothing about results computed on a GPU: `tests/lowering/test_cupy.py` checks those,
marked `gpu`, on a machine that has one.
"""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

import tracenp
from tracenp import function, shared, tensor
from tracenp.lowering import cupy as gpu
from tracenp.lowering.numpy_ref import BACKEND as REFERENCE


class DeviceArray(np.ndarray):
    """Stands for `cupy.ndarray`: a distinct type; `.get()` is the (counted) copy to the host."""

    gets = 0

    def get(self) -> np.ndarray:
        DeviceArray.gets += 1
        return np.array(self)


class StandInBackend:
    """The NumPy reference behind the GPU backend's contract: device arrays in, device out."""

    name = "cupy"

    def __init__(self):
        self.fed: list[list[type]] = []

    def compile(self, graph):
        run = REFERENCE.compile(graph)

        def call(args):
            self.fed.append([type(a) for a in args])
            results = run([np.asarray(a) for a in args])
            if any(isinstance(a, DeviceArray) for a in args):
                return [np.array(r).view(DeviceArray) for r in results]
            return results

        return call


def _asarray(x, dtype=None):
    if isinstance(x, DeviceArray) and dtype in (None, x.dtype):
        return x
    return np.array(x, dtype).view(DeviceArray)


@pytest.fixture
def device(monkeypatch):
    """A stand-in CuPy with one device, and the stand-in backend behind `backend='cupy'`."""
    fake = types.ModuleType("cupy")
    fake.ndarray = DeviceArray
    fake.asarray = _asarray
    fake.may_share_memory = np.may_share_memory
    fake.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=lambda: 1))
    monkeypatch.setitem(sys.modules, "cupy", fake)
    backend = StandInBackend()
    monkeypatch.setattr(gpu, "BACKEND", backend)
    DeviceArray.gets = 0
    return backend


def test_shared_under_device_cuda_is_stored_on_the_device(device):
    with tracenp.config.change_flags(device="cuda"):
        w = shared(np.arange(3.0), name="w")
    assert w.on_device
    inner = w.get_value(borrow=True, return_internal_type=True)
    assert type(inner) is DeviceArray
    host = w.get_value(borrow=True)  # borrow cannot alias across devices: a host copy
    assert type(host) is np.ndarray and DeviceArray.gets == 1
    host[0] = 99.0
    np.testing.assert_array_equal(w.get_value(), [0.0, 1.0, 2.0])
    assert type(w.get_value(return_internal_type=True)) is DeviceArray
    assert w.get_value(return_internal_type=True) is not inner  # a copy unless borrowed

    w.set_value(np.ones(3))  # NumPy in: moved to the device
    assert type(w.get_value(borrow=True, return_internal_type=True)) is DeviceArray
    new = _asarray(np.full(4, 2.0))
    w.set_value(new, borrow=True)  # on the device already: borrowed as is
    assert w.get_value(borrow=True, return_internal_type=True) is new
    w.set_value(new)
    assert w.get_value(borrow=True, return_internal_type=True) is not new
    w.set_value(_asarray(np.arange(2, dtype=np.int32)))  # a safe cast, on the device
    assert w.get_value(return_internal_type=True).dtype == np.float64 and w.on_device
    with pytest.raises(TypeError, match="'w'|w"):
        shared(np.zeros(2, np.int32), name="w").set_value(_asarray(np.ones(2)))
    with pytest.raises(TypeError, match="dimension"):
        w.set_value(_asarray(np.ones((2, 2))))


def test_cupy_values_keep_their_storage_and_host_values_theirs(device):
    on_gpu = shared(_asarray(np.ones(2)))  # a CuPy array: on the device whatever the flag
    assert on_gpu.on_device
    on_cpu = shared(np.ones(2))
    on_cpu.set_value(_asarray(np.zeros(2)))  # a host variable stays on the host
    assert not on_cpu.on_device and type(on_cpu.get_value(borrow=True)) is np.ndarray


def _logistic_regression(w0: np.ndarray):
    x, y = tensor.dmatrix("x"), tensor.dvector("y")
    w, b = shared(w0, name="w"), shared(0.0, name="b")
    p_1 = 1 / (1 + tensor.exp(-tensor.dot(x, w) - b))
    cost = (-y * tensor.log(p_1) - (1 - y) * tensor.log(1 - p_1)).mean() + 0.01 * (w ** 2).sum()
    gw, gb = tensor.grad(cost, [w, b])
    train = function([x, y], cost, updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)))
    return train, w, b


def test_a_cuda_function_stores_updates_on_the_device_without_a_host_copy(device):
    rng = np.random.default_rng(0)
    data_x, data_y = rng.standard_normal((30, 5)), rng.integers(0, 2, 30).astype(np.float64)
    w0 = rng.standard_normal(5)
    want_train, want_w, want_b = _logistic_regression(w0)
    want = [want_train(data_x, data_y) for _ in range(5)]

    with tracenp.config.change_flags(device="cuda"):
        train, w, b = _logistic_regression(w0)
    DeviceArray.gets = 0
    got = [train(data_x, data_y) for _ in range(5)]
    assert DeviceArray.gets == 5  # the cost of each call, nothing for the updates
    assert all(type(c) is np.ndarray for c in got)
    assert all(DeviceArray in fed and np.ndarray not in fed for fed in device.fed)
    assert w.on_device and b.on_device
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(w.get_value(), want_w.get_value(), rtol=1e-12)
    np.testing.assert_allclose(b.get_value(), want_b.get_value(), rtol=1e-12)


def test_a_cuda_function_moves_host_shared_values_to_the_device_for_good(device):
    state = shared(np.zeros(3), name="state")  # made under device=cpu: on the host
    with tracenp.config.change_flags(device="cuda"):
        step = function([], state.sum(), updates=[(state, state + 1)])
    assert not state.on_device
    step()
    assert state.on_device and DeviceArray.gets == 1  # the output, not the state
    step()
    np.testing.assert_array_equal(state.get_value(), [2.0, 2.0, 2.0])


def test_a_cpu_function_reads_and_updates_device_values_on_the_host(device):
    with tracenp.config.change_flags(device="cuda"):
        w = shared(np.arange(3.0), name="w")
    x = tensor.dvector("x")
    f = function([x], (x * w).sum(), updates=[(w, w + x)])  # device=cpu: the LLVM backend
    assert f.device == "cpu"
    assert f(np.ones(3)) == 3.0
    assert f(np.ones(3)) == 6.0
    assert w.on_device and device.fed == []
    np.testing.assert_array_equal(w.get_value(), [2.0, 3.0, 4.0])
    out = f(_asarray(np.ones(3)))  # a CuPy input: the output comes back as one
    assert type(out) is DeviceArray and float(out) == 9.0


def test_outputs_never_alias_device_storage(device):
    with tracenp.config.change_flags(device="cuda"):
        w = shared(np.arange(3.0), name="w")
        f = function([], [w * 1, w])
    x = tensor.dvector("x")
    g = function([x], [x, w])
    a, b = g(_asarray(np.ones(3)))
    b[0] = 100.0
    assert w.get_value()[0] == 0.0
    np.testing.assert_array_equal(f()[1], [0.0, 1.0, 2.0])


def test_without_cupy_the_device_asks_for_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # `import cupy` fails, as where absent
    with tracenp.config.change_flags(device="cuda"):
        with pytest.raises(tracenp.DeviceError, match=r"pip install 'tracenp\[gpu\]'"):
            shared(np.ones(2))
        x = tensor.dvector("x")
        f = function([x], x * 2)
    with pytest.raises(tracenp.DeviceError, match="CuPy"):
        f(np.ones(2))
    with pytest.raises(tracenp.DeviceError, match="CuPy"):
        tracenp.jit(lambda a: a + 1, device="cuda")(np.ones(3))


@pytest.mark.parametrize("count", [lambda: 0, lambda: 1 // 0])
def test_without_a_device_the_error_says_so(monkeypatch, count):
    fake = types.ModuleType("cupy")
    fake.ndarray = DeviceArray
    fake.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=count))
    monkeypatch.setitem(sys.modules, "cupy", fake)
    with tracenp.config.change_flags(device="cuda"):
        with pytest.raises(tracenp.DeviceError, match="needs an NVIDIA GPU.*device='cpu'"):
            shared(np.ones(2))
    with pytest.raises(tracenp.DeviceError, match="NVIDIA GPU"):
        tracenp.jit(lambda a: a * 2, device="cuda")(np.ones(3))


def test_the_device_flag_names_no_device_index():
    """`cuda1` would silently run on the current device: refused, with how to pick one."""
    with pytest.raises(ValueError, match="CUDA_VISIBLE_DEVICES"):
        tracenp.config.device = "cuda1"
    assert tracenp.config.device == "cpu"
