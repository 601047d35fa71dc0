"""Without a GPU: every op the CUDA table claims, and every fused kernel of the op table,
renders to CUDA source that `nvcc -ptx` compiles (skipped where nvcc is absent).

Kernels are batched: one `.cu` file of many kernels per nvcc run, each file compiled for
float16/complex support, so the whole table costs a few compiler runs.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import tracenp
from op_table import ROWS, make_arg
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
    """One graph per (op, NumPy loop) the table claims, and per cast, where, real/imag and
    reduction over every dtype."""
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
    for d in ("complex64", "complex128"):
        z = ir.leaf_input("z", d, (5,))
        yield ir.Graph((z,), (ir.Node.make(Op.REAL, (z,)), ir.Node.make(Op.IMAG, (z,))))


def test_every_op_has_a_gpu_lowering():
    """Elementwise ops and reductions render; every other op has a CuPy library step."""
    for op, d in OPS.items():
        if d.kind == "leaf" or op is Op.LINALG:
            continue
        rendered = op in cs.SCALAR or op is Op.CAST or op in cs.REDUCE
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
    sources = [v for g in _row_graphs() for k in _kernels(g) for v in _variants(k)]
    assert len({s.name for s in sources}) > 300
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
