"""The GPU backend. Everywhere: the errors without CuPy or a device, and `precompile`'s
plumbing. Marked `gpu` (skipped where there is no GPU): every op-table case, random
expressions (seeded and hypothesis) under `jit(device="cuda")` against NumPy, CuPy arrays in
and out, NumPy in and out, large (split) reductions, NumPy's edge semantics, gradients,
shared-variable training under `device=cuda`, and the kernel caches (memory and disk).

`scripts/gpu_check.sh` runs the `gpu` tests and the GPU benchmark in one go.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import tracenp
from op_table import make_arg, seed_of
from test_cuda_source import (_close, _host_cases, _kernels, _layout, expression_args,
                              random_expression)
from test_ops import assert_same
from test_random_expressions import cases, evaluate
from tracenp import function, ir, shared, tensor
from tracenp.lowering import cuda_source as cs
from tracenp.lowering import cupy as gpu
from tracenp.ops import Op

# ----------------------------------------------------------------------------- everywhere


def test_asking_for_the_gpu_without_cupy_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # `import cupy` fails, as where absent
    with pytest.raises(tracenp.DeviceError, match=r"pip install 'tracenp\[gpu\]'"):
        tracenp.jit(lambda a: a * 2, device="cuda")(np.ones(3))
    with tracenp.config.change_flags(device="cuda"):
        with pytest.raises(tracenp.DeviceError, match="CuPy"):
            tracenp.jit(lambda a: a + 1)(np.ones(3))


def test_the_gpu_benchmark_says_what_is_missing(monkeypatch):
    from tracenp import bench_gpu

    monkeypatch.setitem(sys.modules, "cupy", None)
    with pytest.raises(SystemExit, match=r"^bench_gpu: device='cuda' needs CuPy.*pip install"):
        bench_gpu.main([])


STAND_IN_CUPY = '''
import os
from types import SimpleNamespace

cuda = SimpleNamespace(runtime=SimpleNamespace(getDeviceCount=lambda: 1))


class ndarray:
    pass


class RawKernel:
    def __init__(self, code, name):
        self.name = name

    def compile(self):
        with open(os.path.join(os.environ["STAND_IN_CACHE"], self.name), "a") as f:
            f.write(f"{os.getpid()}\\n")
'''


def test_precompile_compiles_each_kernel_once_across_processes(tmp_path, monkeypatch):
    """A stand-in `cupy` package whose `RawKernel.compile` logs the compiling process."""
    (tmp_path / "cupy").mkdir()
    (tmp_path / "cupy" / "__init__.py").write_text(STAND_IN_CUPY)
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("STAND_IN_CACHE", str(cache))
    monkeypatch.setitem(sys.modules, "cupy", None)  # restored (or removed) afterwards
    monkeypatch.delitem(sys.modules, "cupy")
    monkeypatch.syspath_prepend(str(tmp_path))  # the worker processes import it too
    x = ir.leaf_input("x", np.float32, (3, 4))
    graphs = [ir.Graph((x,), (ir.Node.make(op, (x,)),)) for op in (Op.SIN, Op.EXP, Op.SQRT)]
    sources = [cs.render(k, strided) for g in graphs for k in _kernels(g) for strided in (0, 1)]
    assert gpu.precompile(sources + sources[:2], workers=2) == 6
    logs = {p.name: p.read_text().split() for p in cache.iterdir()}
    assert sorted(logs) == sorted(s.name for s in sources)
    assert all(len(pids) == 1 for pids in logs.values())
    assert len({pid for pids in logs.values() for pid in pids} - {str(os.getpid())}) == 2
    assert gpu.precompile([]) == 0


# ----------------------------------------------------------------------------- on the GPU


@pytest.fixture(scope="module")
def gpu_cases():
    """Every op-table case NumPy accepts and the seeded random expressions, their kernels
    compiled up front in parallel processes (NVRTC alone would take minutes)."""
    table, sources = [], []
    for row, dt, shapes, layout in _host_cases():
        rng = np.random.default_rng(seed_of(row.name, dt, shapes))
        args = [_layout(make_arg(rng, s, dt, row.domain), layout) for s in shapes]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                want = row.fn(*[a.copy() for a in args])
            except Exception:
                continue
            graph = tracenp.jit(row.fn, device="cuda").compiled(*args).optimized
        table.append((row, args, want))
        sources += _launched(graph)
    expressions = []
    for seed in range(300):
        f, args = random_expression(seed), expression_args(seed, "float32" if seed % 3 == 0
                                                           else "float64")
        expressions.append((f, args))
        sources += _launched(tracenp.jit(f, device="cuda").compiled(*args).optimized)
    try:
        gpu.precompile(sources)
    except Exception as e:  # only slower: each launch compiles what it misses
        warnings.warn(f"precompile failed, kernels compile one by one: {e!r}")
    return table, expressions


def _launched(graph) -> list[cs.Source]:
    """The kernel variants a launch of `graph` may ask for."""
    out = []
    for k in _kernels(graph):
        if cs.reduce_outputs(k):
            out += [cs.render(k, strided=True, index="int")]
            out += [cs.render_combine(o.reduce, o.node.dtype) for o in cs.reduce_outputs(k)]
        else:
            out += [cs.render(k, strided=False), cs.render(k, strided=True, index="int")]
    return out


@pytest.mark.gpu
def test_every_op_table_case_on_the_gpu(gpu_cases):
    """Every row, dtype, shape and layout: `jit(device="cuda")` with NumPy arrays in, NumPy
    arrays out, against eager NumPy."""
    table, _ = gpu_cases
    failures = []
    for row, args, want in table:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                got = tracenp.jit(row.fn, device="cuda")(*args)
                assert not any(map(gpu.is_device_array, _leaves(got))), "CuPy out for NumPy in"
                _close(got, want, row.rtol)
            except Exception as e:
                failures.append(f"{row.name} {[a.dtype.name for a in args]} "
                                f"{[a.shape for a in args]}: {type(e).__name__}: "
                                f"{str(e)[:200]}")
    assert len(table) > 8000
    assert not failures, f"{len(failures)} of {len(table)} cases differ:\n" + \
        "\n".join(failures[:25])


def _leaves(x) -> list:
    return [y for v in x for y in _leaves(v)] if isinstance(x, (tuple, list)) else [x]


@pytest.mark.gpu
def test_random_expressions_on_the_gpu(gpu_cases):
    _, expressions = gpu_cases
    for f, args in expressions:
        with np.errstate(all="ignore"):
            _close(tracenp.jit(f, device="cuda")(*args), f(*args), 1e-6)


@pytest.mark.gpu
@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_hypothesis_expressions_on_the_gpu(case):
    """`test_random_expressions`' recipes on the GPU. Cases where NumPy raises, or casts
    NaN/inf/out-of-range floats to integers (undefined in C; the GPU saturates), are left to
    the CPU test: docs/gpu.md lists both differences."""
    dtype, shape, y_shape, recipe, seed = case
    rng = np.random.default_rng(seed)
    x, y = np.asarray(make_arg(rng, shape, dtype)), np.asarray(make_arg(rng, y_shape, dtype))

    def fn(a, b):
        return evaluate(recipe, a, b)

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            want = fn(x.copy(), y.copy())
        except Exception:
            return
    if any("invalid value encountered in cast" in str(w.message) for w in seen):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = tracenp.jit(fn, device="cuda")(x, y)
    assert_same(got, want, 1e-4)


@pytest.mark.gpu
def test_numpy_arrays_with_device_cuda_come_back_as_numpy():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((50, 7)), rng.standard_normal(7)

    def f(a, b):
        s = np.sin(a) * b + 1
        return s, s.sum(axis=0), s.max(), s.mean()

    got, want = tracenp.jit(f, device="cuda")(a, b), f(a, b)
    assert [type(g) for g in got] == [type(w) for w in want]
    assert_same(got, want, 1e-12)


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
    if cp.cuda.runtime.getDeviceCount() > 1:
        with cp.cuda.Device(1):
            b = cp.arange(12.0).reshape(3, 4)
        assert f(b).device == b.device


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
    cases_ = [
        (lambda a, b: (a // b, a % b, np.fmod(a, b)), (i, j)),
        (lambda a, b: (np.maximum(a, b), np.minimum(a, b), np.fmax(a, b), np.fmin(a, b)), (f, g)),
        (lambda a, b: (a // b, a % b, np.copysign(a, b), np.heaviside(a, b)), (f, g)),
        (lambda a: (np.sign(a), np.spacing(a), np.isnan(a), np.signbit(a)), (f,)),
        (lambda a: (np.left_shift(a, 40), np.right_shift(a, 40)), (np.array([-3, 3]),)),
    ]
    for fn, args in cases_:
        with np.errstate(all="ignore"):
            _close(tracenp.jit(fn, device="cuda")(*args), fn(*args), 1e-12)


def _loss(w, x, y):
    return np.mean((np.tanh(x @ w) - y) ** 2)


@pytest.mark.gpu
def test_grad_runs_on_the_gpu_unchanged():
    import cupy as cp

    rng = np.random.default_rng(1)
    w, x, y = rng.standard_normal(5), rng.standard_normal((40, 5)), rng.standard_normal(40)
    want = tracenp.jit(tracenp.value_and_grad(_loss))(w, x, y)
    got = tracenp.jit(tracenp.value_and_grad(_loss), device="cuda")(w, x, y)
    _close(got, want, 1e-9)
    with tracenp.config.change_flags(device="cuda"):
        g = tracenp.grad(_loss)(w, x, y)
    assert isinstance(g, np.ndarray)
    _close(g, want[1], 1e-9)
    for grad in (tracenp.jit(tracenp.grad(_loss)), tracenp.grad(_loss)):
        g_dev = grad(cp.asarray(w), cp.asarray(x), cp.asarray(y))
        assert isinstance(g_dev, cp.ndarray)
        _close(g_dev.get(), want[1], 1e-9)


@pytest.mark.gpu
def test_kernels_are_shape_generic_and_cached_in_memory():
    f = tracenp.jit(lambda a, b: a * np.exp(-b) + 1.5, device="cuda")
    _close(f(np.ones(10), np.ones(10)), np.ones(10) * np.exp(-1) + 1.5, 1e-12)
    compiled = len(gpu.CupyRuntime._functions)
    x = np.linspace(0, 1, 100_000)
    _close(f(x, x), x * np.exp(-x) + 1.5, 1e-12)  # a new length: traced again, same kernel
    assert f.cache_info().misses == 2
    assert len(gpu.CupyRuntime._functions) == compiled


DISK_CACHE_RUN = """
import numpy as np, tracenp
f = tracenp.jit(lambda a: np.{fn}(a) * 2 + a, device="cuda")
np.testing.assert_allclose(f(np.ones(1000)), np.{fn}(1.0) * 2 + 1)
"""


@pytest.mark.gpu
def test_kernels_are_kept_in_cupys_disk_cache(tmp_path):
    """A second process finds the binaries the first compiled; a new kernel adds one."""
    env = dict(os.environ, CUPY_CACHE_DIR=str(tmp_path))

    def run(fn: str) -> set[str]:
        subprocess.run([sys.executable, "-c", DISK_CACHE_RUN.format(fn=fn)], env=env,
                       check=True, capture_output=True)
        return {p.name for p in tmp_path.rglob("*") if p.is_file()}

    first = run("sin")
    assert first
    assert run("sin") == first
    assert run("cos") > first


def _logistic_regression(w0: np.ndarray):
    x, y = tensor.dmatrix("x"), tensor.dvector("y")
    w, b = shared(w0, name="w"), shared(0.0, name="b")
    p_1 = 1 / (1 + tensor.exp(-tensor.dot(x, w) - b))
    xent = -y * tensor.log(p_1) - (1 - y) * tensor.log(1 - p_1)
    cost = xent.mean() + 0.01 * (w ** 2).sum()
    gw, gb = tensor.grad(cost, [w, b])
    train = function([x, y], [p_1 > 0.5, xent], updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)))
    return train, w, b


@pytest.mark.gpu
def test_shared_training_on_the_gpu_matches_the_cpu():
    import cupy as cp

    rng = np.random.default_rng(3)
    data_x, data_y = rng.standard_normal((400, 30)), rng.integers(0, 2, 400).astype(np.float64)
    w0 = rng.standard_normal(30)
    cpu_train, cpu_w, cpu_b = _logistic_regression(w0)
    with tracenp.config.change_flags(device="cuda"):
        train, w, b = _logistic_regression(w0)
    assert isinstance(w.get_value(borrow=True, return_internal_type=True), cp.ndarray)
    for _ in range(30):
        want, got = cpu_train(data_x, data_y), train(data_x, data_y)
        assert all(isinstance(g, np.ndarray) for g in got)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_allclose(got[1], want[1], rtol=1e-9)
        for s in (w, b):
            assert isinstance(s.get_value(borrow=True, return_internal_type=True), cp.ndarray)
    np.testing.assert_allclose(w.get_value(), cpu_w.get_value(), rtol=1e-9)
    np.testing.assert_allclose(b.get_value(), cpu_b.get_value(), rtol=1e-9)
    assert type(w.get_value()) is np.ndarray and b.get_value().shape == ()


THEANO_EXAMPLE = textwrap.dedent("""
    import numpy, cupy, tracenp
    from tracenp import function, ir, shared, tensor
    x = tensor.fvector("x")
    target = tensor.fscalar("target")
    W = shared(numpy.asarray([0.1, 0.25, 0.15, 0.3]), "W")
    y = (x * W).sum()
    cost = tensor.sqr(target - y)
    gradients = tensor.grad(cost, [W])
    f = function([x, target], y, updates=[(W, W - (0.1 * gradients[0]))])
    on_device = []
    for _ in range(10):
        out = f([1.0, 1.0, 1.0, 1.0], 100.0)
        on_device.append(isinstance(W.get_value(borrow=True, return_internal_type=True),
                                    cupy.ndarray))
    print(repr(float(out)), W.get_value().tolist(), all(on_device), type(out).__name__)
""")


@pytest.mark.gpu
def test_the_theano_training_example_runs_under_the_device_flag_unchanged():
    """The tutorial's listing, as in `shared/acceptance`, with TRACENP_FLAGS=device=cuda."""
    env = dict(os.environ, TRACENP_FLAGS="device=cuda")
    out = subprocess.run([sys.executable, "-c", THEANO_EXAMPLE], env=env, check=True,
                         capture_output=True, text=True).stdout.split(maxsplit=1)
    value, rest = float(out[0]), out[1]
    np.testing.assert_allclose(value, 99.99994920960002, rtol=1e-9)
    weights = [float(v) for v in rest[rest.index("[") + 1:rest.index("]")].split(",")]
    np.testing.assert_allclose(weights, [24.89999746, 25.04999746, 24.94999746, 25.09999746],
                               rtol=1e-7)
    assert rest.split("]")[1].split() == ["True", "ndarray"]
