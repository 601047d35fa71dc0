"""Without a GPU: every op the CUDA table claims, and every fused kernel of the op table,
renders to CUDA source that `nvcc -ptx` compiles (skipped where nvcc is absent).

Kernels are batched: one `.cu` file of many kernels per nvcc run, each file compiled for
float16/complex support, so the whole table costs a few compiler runs.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import shutil
import subprocess
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tracenp
from op_table import FULL_MATRIX, ROWS, make_arg, sampled, seed_of
from test_ops import LAYOUTS, _layout
from tracenp import ir
from tracenp.fusion import REDUCTIONS, KernelStep, schedule
from tracenp.lowering import cuda_source as cs
from tracenp.lowering.cupy import LIBRARY
from tracenp.ops import OPS, Op

NVCC = shutil.which("nvcc")
needs_nvcc = pytest.mark.skipif(NVCC is None, reason="nvcc (CUDA toolkit) not installed")
ALL = [np.dtype(n) for n in cs.CTYPE]


def _kernels(graph: ir.Graph):
    return [s.kernel for s in schedule(graph, cs.supports).steps if isinstance(s, KernelStep)]


def _variants(kernel, every: bool = False) -> list[cs.Source]:
    """The strided kernel (all of the scalar code); `every`: also the other launch variants."""
    out = [cs.render(kernel, strided=True, index="int")]
    if cs.reduce_outputs(kernel):
        out += [cs.render_combine(o.reduce, o.node.dtype) for o in cs.reduce_outputs(kernel)]
    if every:
        out += [cs.render(kernel, strided=False), cs.render(kernel, index="long long")]
    return out


def _compile(sources: list[cs.Source], tmp_path, chunk: int = 700) -> None:
    """Compile the kernels to PTX, `chunk` per file; fail with nvcc's first errors."""
    unique = list({s.name: s for s in sources}.values())
    files = []
    for k in range(0, len(unique), chunk):
        part = unique[k:k + chunk]
        path = tmp_path / f"kernels{k // chunk}.cu"
        path.write_text(cs.header(["float16", "complex64"]) + "\n" +
                        "\n".join(s.kernel for s in part))
        files.append(path)

    def nvcc(path):
        # -O0: the test is that the source is valid CUDA that lowers to PTX, not its speed
        return subprocess.run([NVCC, "-ptx", "-arch=sm_90", "-Xcicc", "-O0", "-w", "-o",
                               str(path.with_suffix(".ptx")), str(path)],
                              capture_output=True, text=True)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(nvcc, files))
    errors = [r.stderr for r in results if r.returncode]
    assert not errors, errors[0][:4000]
    ptx = "".join(f.with_suffix(".ptx").read_text() for f in files)
    missing = [s.name for s in unique if f".entry {s.name}(" not in ptx]
    assert not missing, missing[:5]


def _op_graphs():
    """One graph per (op, NumPy loop) the table claims, and per cast, where, real/imag,
    reduction over every dtype, and bitcast of every float."""
    for op, loops in cs.claimed_loops().items():
        nout = OPS[op].ufunc.nout
        for dts in loops:
            ins = [ir.leaf_input(f"x{i}", d, (3, 4)) for i, d in enumerate(dts)]
            outs = [ir.Node.make(op, ins, (("out", k),) if nout > 1 else ())
                    for k in range(nout)]
            yield ir.Graph(tuple(ins), tuple(outs))
    for src in ALL:
        x = ir.leaf_input("x", src, (3, 4))
        casts = [ir.Node.make(Op.CAST, (x,), (("dtype", d),)) for d in ALL]
        yield ir.Graph((x,), tuple(casts))
        c = ir.leaf_input("c", np.bool_, (3, 1))
        y = ir.leaf_input("y", src, (4,))
        yield ir.Graph((c, x, y), (ir.Node.make(Op.WHERE, (c, x, y)),))
        for op in REDUCTIONS:
            params = (("axes", (1,)),) + ((("needs_identity", True),)
                                          if op in (Op.MAX, Op.MIN) else ())
            full = (("axes", (0, 1)),) + params[1:]
            yield ir.Graph((x,), (ir.Node.make(op, (x,), params), ir.Node.make(op, (x,), full)))
    for d in ("float16", "float32", "float64"):
        x = ir.leaf_input("x", d, (3, 4))
        bits = ir.Node.make(Op.BITCAST, (x,), (("dtype", np.dtype(f"i{np.dtype(d).itemsize}")),))
        back = ir.Node.make(Op.BITCAST, (bits,), (("dtype", np.dtype(d)),))
        yield ir.Graph((x,), (bits, back))
    for d in ("complex64", "complex128"):
        z = ir.leaf_input("z", d, (5,))
        yield ir.Graph((z,), (ir.Node.make(Op.REAL, (z,)), ir.Node.make(Op.IMAG, (z,))))


def test_every_op_has_a_gpu_lowering():
    """Elementwise ops and reductions render; every other op has a CuPy library step."""
    for op, d in OPS.items():
        if d.kind == "leaf" or op is Op.LINALG:
            continue
        rendered = op in cs.SCALAR or op in (Op.CAST, Op.BITCAST) or op in cs.REDUCE
        assert rendered or op in LIBRARY, f"{op.name}: no CUDA row and no CuPy step"
        if d.kind == "elementwise":
            assert rendered, f"{op.name}: elementwise op without a CUDA row"


def test_claimed_loops_cover_numpy():
    """The table claims every loop NumPy has over the dtypes the GPU stores."""
    loops = cs.claimed_loops()
    for op in (Op.ADD, Op.FLOOR_DIVIDE, Op.LDEXP, Op.FREXP, Op.LESS, Op.SPACING):
        assert loops[op], op
    assert (np.dtype("int64"), np.dtype("uint64")) in loops[Op.LESS]
    assert (np.dtype("complex128"),) in loops[Op.SQRT]


@needs_nvcc
def test_every_claimed_op_compiles_to_ptx(tmp_path):
    graphs = list(_op_graphs())
    sources = [v for i, g in enumerate(graphs) for k in _kernels(g)
               for v in _variants(k, every=i % 10 == 0)]
    assert len(sources) > 1000
    _compile(sources, tmp_path)


def _row_graphs():
    rng = np.random.default_rng(0)
    for row in ROWS:
        for dt in row.dtypes:
            for shape in (row.shapes[0], row.shapes[-1]):
                shapes = shape if row.nargs > 1 else (shape,)
                args = [make_arg(rng, s, dt, row.domain) for s in shapes]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        yield tracenp.jit(row.fn).graph(*args)
                    except Exception:  # rows NumPy itself refuses for this dtype
                        continue


@needs_nvcc
def test_every_fused_kernel_of_the_op_table_compiles_to_ptx(tmp_path):
    sources = [v for g in sampled(_row_graphs(), 4) for k in _kernels(g) for v in _variants(k)]
    assert len({s.name for s in sources}) > (300 if FULL_MATRIX else 80)
    _compile(sources, tmp_path)


def test_fused_softmax_is_three_kernels_with_the_exp_stored_and_summed_in_one_pass():
    def softmax(x):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    kernels = _kernels(tracenp.jit(softmax).graph(np.ones((4, 5))))
    assert len(kernels) == 3
    src = cs.render(kernels[1]).kernel
    assert "exp(" in src and "acc0 = acc0 + v" in src and "st0[o" in src


def test_kernel_text_is_shape_generic():
    """Two extents of one rank and layout give one source (the cache key)."""
    def f(a, b):
        return a * b + np.sin(a)

    k1 = _kernels(tracenp.jit(f).graph(np.ones((3, 4)), np.ones(4)))[0]
    k2 = _kernels(tracenp.jit(f).graph(np.ones((70, 9)), np.ones(9)))[0]
    assert cs.render(k1).code == cs.render(k2).code


def test_float16_rounds_after_each_op_and_constants_are_exact():
    x = ir.leaf_input("x", np.float16, (3,))
    y = ir.Node.make(Op.MULTIPLY, (x, ir.const(np.float16(0.1))))
    src = cs.render(_kernels(ir.Graph((x,), (y,)))[0]).kernel
    assert "tnp::round_half(" in src and "tnp::store_half(" in src
    assert cs._literal(0.1, np.dtype("float64")) == "((double)0.1)"
    assert cs._literal(float("-inf"), np.dtype("float32")).startswith("((float)-tnp::limits")


# ----------------------------------------------------------------------------- on the host

HOST_PRELUDE = """\
#include <math.h>
#define __host__
#define __device__
#define __forceinline__ inline
#define __global__
#define __shared__ static
#define __align__(n) alignas(n)
#define __syncthreads()
struct tnp_dim3 { unsigned int x; };
static const tnp_dim3 blockIdx = {0}, threadIdx = {0}, blockDim = {1}, gridDim = {1};
"""
CXX = shutil.which("g++")



def _cuda_include() -> Path | None:
    roots = [os.environ.get("CUDA_PATH"), os.environ.get("CUDA_HOME"), "/usr/local/cuda"]
    roots += [str(Path(NVCC).resolve().parent.parent)] if NVCC else []
    return next((Path(r) / "include" for r in roots
                 if r and (Path(r) / "include" / "cuda_fp16.h").exists()), None)


CUDA_INCLUDE = _cuda_include()
needs_host_cuda = pytest.mark.skipif(
    CXX is None or CUDA_INCLUDE is None, reason="g++ and the CUDA headers are needed")


class HostRuntime:
    """Runs the rendered CUDA on the CPU, as the CuPy runtime runs it on the GPU.

    g++ compiles the kernels with one block of one thread: every grid-stride loop then visits
    all elements and every reduction finishes in its one thread. ctypes calls the entry
    points with the arguments the launcher built. Kernels are compiled in batches.
    """

    xp = np
    key = ("host",)

    def __init__(self, tmp_path, sm_count: int = 2):
        self.dir = tmp_path
        self.sm_count = sm_count
        self.functions: dict[str, Any] = {}
        self.libraries: list = []

    def prepare(self, sources: list[cs.Source], chunk: int = 600) -> None:
        todo = list({s.name: s for s in sources if s.name not in self.functions}.values())
        files = []
        for k in range(0, len(todo), chunk):
            part = todo[k:k + chunk]
            text = HOST_PRELUDE + cs.header(["float16", "complex64"]) + "\n" + \
                "\n".join(s.kernel for s in part)
            path = self.dir / f"host_{hashlib.sha1(text.encode()).hexdigest()[:16]}.cpp"
            path.write_text(text)
            files.append((path, part))

        def cxx(item):
            path, _ = item
            if path.with_suffix(".so").exists():
                return subprocess.CompletedProcess([], 0)
            return subprocess.run(
                [CXX, "-O0", "-shared", "-fPIC", "-std=c++17", "-w", f"-I{CUDA_INCLUDE}",
                 f"-I{CUDA_INCLUDE / 'cccl'}", str(path), "-o", str(path.with_suffix(".so"))],
                capture_output=True, text=True)

        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(cxx, files))
        errors = [r.stderr for r in results if r.returncode]
        assert not errors, errors[0][:4000]
        for path, part in files:
            lib = ctypes.CDLL(str(path.with_suffix(".so")))
            self.libraries.append(lib)
            for s in part:
                self.functions[s.name] = getattr(lib, s.name)

    def launch(self, src: cs.Source, grid: int, block: int, args: list) -> None:
        if src.name not in self.functions:
            self.prepare([src])
        self.functions[src.name](*[ctypes.c_void_p(a.ctypes.data) if isinstance(a, np.ndarray)
                                   else ctypes.c_longlong(int(a)) for a in args])

    def scatter_add(self, out, index: tuple, values) -> None:
        np.add.at(out, index, values)

    def to_host(self, x):
        return x

    def active(self):
        return contextlib.nullcontext()


def _host_cases():
    for row in ROWS:
        for dt in row.dtypes:
            for k, shape in enumerate(row.shapes):
                shapes = shape if row.nargs > 1 else (shape,)
                for layout in LAYOUTS if k == len(row.shapes) - 1 else ("C",):
                    yield row, dt, shapes, layout


def _close(got, want, rtol: float) -> None:
    if isinstance(want, tuple):
        for g, w in zip(got, want):
            _close(g, w, rtol)
        return
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, want.dtype)
    if want.dtype.kind in "fc":
        tol = {2: (2e-3, 2e-3), 4: (2e-5, 1e-5)}.get(np.dtype(want.dtype).itemsize // (
            2 if want.dtype.kind == "c" else 1), (max(rtol, 1e-12), 1e-12))
        np.testing.assert_allclose(got, want, rtol=max(rtol, tol[0]) if rtol < 1e-3 else rtol,
                                   atol=tol[1], equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    return HostRuntime(tmp_path_factory.mktemp("host"))


@needs_host_cuda
def test_op_table_runs_on_the_host_through_the_gpu_backend(host, monkeypatch):
    """Every op-table row, dtype, shape and layout: `jit(device="cuda")` with the rendered
    kernels run on the CPU, against eager NumPy."""
    from tracenp.lowering import cupy as backend

    cases, sources = [], []
    for row, dt, shapes, layout in sampled(_host_cases(), 5):
        rng = np.random.default_rng(seed_of(row.name, dt, shapes))
        args = [_layout(make_arg(rng, s, dt, row.domain), layout) for s in shapes]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                want = row.fn(*[a.copy() for a in args])
            except Exception:
                continue
            graph = tracenp.jit(row.fn).graph(*args)
        cases.append((row, args, want))
        for k in _kernels(graph):
            sources.append(cs.render(k, strided=True, index="int"))
            if not cs.reduce_outputs(k):
                sources.append(cs.render(k, strided=False))
    host.prepare(sources)
    monkeypatch.setattr(backend, "_runtime", lambda args: host)
    failures = []
    for row, args, want in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = tracenp.jit(row.fn, device="cuda")(*args)
        try:
            _close(got, want, row.rtol)
        except AssertionError as e:
            failures.append(f"{row.name} {[a.dtype.name for a in args]} "
                            f"{[a.shape for a in args]}: {str(e)[:300]}")
    assert len(cases) > 1000
    assert not failures, f"{len(failures)} of {len(cases)} cases differ:\n" + \
        "\n".join(failures[:30])


UNARY = (np.sin, np.cos, np.exp, np.tanh, np.abs, np.negative, np.square,
         lambda x: np.sqrt(np.abs(x)), lambda x: np.log1p(np.abs(x)), np.floor)
BINARY = (np.add, np.subtract, np.multiply, np.maximum, np.minimum, np.arctan2, np.hypot,
          lambda x, y: x / (1 + y * y), lambda x, y: np.where(x > y, x, y * 0.5))


def random_expression(seed: int, depth: int = 5):
    """A random NumPy function of (a[4,5], b[5], c[4,1]): ufuncs, where, and reductions kept
    broadcastable (keepdims), so fusion sees chains, broadcasts and reduce-with-producer."""
    rng = np.random.default_rng(seed)

    def build(d):
        r = rng.random()
        if d == 0 or r < 0.15:
            return ("arg", int(rng.integers(3)))
        if r < 0.45:
            return ("unary", int(rng.integers(len(UNARY))), build(d - 1))
        if r < 0.85:
            return ("binary", int(rng.integers(len(BINARY))), build(d - 1), build(d - 1))
        return ("reduce", int(rng.integers(2)), bool(rng.integers(2)), build(d - 1))

    tree = build(depth)

    def f(a, b, c):
        def ev(t):
            if t[0] == "arg":
                return (a, b, c)[t[1]]
            if t[0] == "unary":
                return UNARY[t[1]](ev(t[2]))
            if t[0] == "binary":
                return BINARY[t[1]](ev(t[2]), ev(t[3]))
            x = ev(t[3])
            axis = t[1] % max(np.ndim(x), 1) if np.ndim(x) else None
            return (x.max if t[2] else x.sum)(axis=axis, keepdims=True)

        return ev(tree)

    return f


def expression_args(seed: int, dtype="float64"):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in ((4, 5), (5,), (4, 1))]


@needs_host_cuda
def test_random_expressions_run_on_the_host_through_the_gpu_backend(host, monkeypatch):
    from tracenp.lowering import cupy as backend

    monkeypatch.setattr(backend, "_runtime", lambda args: host)
    cases = []
    for seed in range(150 if FULL_MATRIX else 50):
        dtype = "float32" if seed % 3 == 0 else "float64"
        f, args = random_expression(seed), expression_args(seed, dtype)
        sources = [cs.render(k, strided=s, index="int") for k in
                   _kernels(tracenp.jit(f).graph(*args)) for s in (False, True)]
        cases.append((f, args, sources))
    host.prepare([s for _, _, srcs in cases for s in srcs])
    for f, args, _ in cases:
        with np.errstate(all="ignore"):
            _close(tracenp.jit(f, device="cuda")(*args), f(*args), 1e-6)


@needs_host_cuda
def test_split_reductions_on_the_host(tmp_path, monkeypatch):
    """Few outputs over many elements: partials per block, then the combine kernel."""
    from tracenp.lowering import cupy as backend

    rt = HostRuntime(tmp_path, sm_count=16)
    monkeypatch.setattr(backend, "_runtime", lambda args: rt)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 9000))
    for f in (np.sum, np.max, np.min, lambda v: np.prod(1 + v / 1e4),
              lambda v: v.sum(axis=1), lambda v: np.exp(v).sum(axis=0),
              lambda v: np.log(np.exp(v - v.max()).sum())):
        _close(tracenp.jit(f, device="cuda")(x), f(x), 1e-9)
    h = x.astype(np.float16)
    _close(tracenp.jit(np.sum, device="cuda")(h), np.sum(h), 1e-3)


def _special(dtype: np.dtype, k: int) -> np.ndarray:
    """Twelve edge values of `dtype` (zeros of both signs, inf, nan, extremes), rotated by `k`."""
    if dtype.kind == "b":
        v = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0], bool)
    elif dtype.kind == "i":
        info = np.iinfo(dtype)
        v = np.array([0, 1, -1, 2, -3, 7, info.min, info.max, 5, -8, 3, 100]).astype(dtype)
    elif dtype.kind == "u":
        v = np.array([0, 1, 2, 7, 3, np.iinfo(dtype).max, 5, 8, 100, 64, 31, 9], dtype=dtype)
    elif dtype.kind == "f":
        v = np.array([0, -0.0, 1, -1, 0.5, -2.5, 3, 7.25, np.inf, -np.inf, np.nan, 1e-3],
                     dtype=dtype)
    else:
        v = np.array([0, 1 + 1j, -1 - 2j, 0.5j, 2, -3 + 0.5j, 1.5 - 1j, -0.25, 3j, 1, -1,
                      0.7 + 0.7j], dtype=dtype)
    return np.roll(v, 5 * k)


@needs_host_cuda
def test_every_claimed_loop_matches_numpy_on_edge_values(host):
    """Every op loop, cast, where and reduction of `_op_graphs` on zeros, infinities, NaN and
    integer extremes, against the NumPy reference backend. Casts of non-finite or
    out-of-range floats to integers are left out: NumPy's result there is the CPU's."""
    from tracenp.lowering import get_backend
    from tracenp.lowering.cupy import Program

    graphs = sampled(_op_graphs(), 4)
    programs = [Program(g) for g in graphs]
    host.prepare([cs.render(k, strided=False) for g in graphs for k in _kernels(g)])
    reference = get_backend("numpy")
    failures, compared = [], 0
    for g, program in zip(graphs, programs):
        args = [_special(x.dtype, k)[:x.size].reshape(x.shape) for k, x in enumerate(g.inputs)]
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                want = reference.compile(g)(args)
            except Exception:  # NumPy refuses (integer power to a negative power)
                continue
            got = program(host, args)
        for o, gv, wv in zip(g.outputs, got, want):
            if o.op is Op.CAST and o.dtype.kind in "iu" and o.srcs[0].dtype.kind in "fc":
                continue
            compared += 1
            try:
                _close(gv, np.asarray(wv), 1e-6)
            except AssertionError as e:
                failures.append(f"{o.op.name} {[x.dtype.name for x in g.inputs]}: {e}"[:600])
    assert compared > (900 if FULL_MATRIX else 200)
    assert not failures, f"{len(failures)} differ:\n" + "\n".join(failures[:20])


@needs_host_cuda
def test_float_to_int_casts_of_nan_inf_and_out_of_range_values_are_numpys(host):
    """The GPU's own conversion saturates and turns NaN into 0; the kernels give what NumPy's
    contiguous cast loops give on x86-64, as the LLVM kernels do. Each value fills a block of
    16 so that NumPy takes it in its vector loop (its scalar remainder can answer otherwise)."""
    from test_llvm_special_values import INTS, INVALID_CASTS
    from tracenp.lowering.cupy import Program

    graphs, inputs = [], []
    for src in ("float32", "float64", "complex128"):
        with np.errstate(over="ignore"):
            values = np.repeat(np.array(INVALID_CASTS, dtype=src), 16)
        x = ir.leaf_input("x", src, values.shape)
        graphs.append(ir.Graph((x,), tuple(ir.Node.make(Op.CAST, (x,), (("dtype", np.dtype(d)),))
                                           for d in INTS)))
        inputs.append(values)
    host.prepare([cs.render(k, strided=False) for g in graphs for k in _kernels(g)])
    for g, values in zip(graphs, inputs):
        got = Program(g)(host, [values])
        for d, gv in zip(INTS, got):
            with warnings.catch_warnings(), np.errstate(invalid="ignore"):
                warnings.simplefilter("ignore")  # complex to int drops the imaginary part
                want = values.astype(d)
            assert np.array_equal(np.asarray(gv)[:-16], want[:-16]), (values.dtype, d)
