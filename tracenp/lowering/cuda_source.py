"""CUDA source for fused kernels: the scalar op table and the launch skeletons.

A `fusion.Kernel` becomes one `extern "C" __global__` function: a grid-stride loop over the
iteration space whose body is one line per scalar instruction, taken from `SCALAR` (one
expression per op; NumPy's semantics where C++ differs live in `cuda_numpy.cuh` as
overloaded `tnp::` helpers). Extents and strides are kernel arguments, so one source runs
every shape of one rank and broadcast pattern; the text is the cache key.

This module needs neither CuPy nor a GPU: `tests/lowering/test_cuda_source.py` compiles what
it renders with `nvcc -ptx`. `tracenp/lowering/cupy.py` launches it.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from string import Template

import numpy as np

from ..fusion import Instr, Kernel
from ..ops import OPS, Op

PREAMBLE = (Path(__file__).with_name("cuda_numpy.cuh")).read_text()
BLOCK = 256  # threads per block; reductions assume a power of two

# Register types: float16 values are computed in float and rounded after each op.
CTYPE = {
    "bool": "bool", "int8": "signed char", "uint8": "unsigned char", "int16": "short",
    "uint16": "unsigned short", "int32": "int", "uint32": "unsigned int",
    "int64": "long long", "uint64": "unsigned long long", "float16": "float",
    "float32": "float", "float64": "double", "complex64": "complex<float>",
    "complex128": "complex<double>",
}
STORAGE = {**CTYPE, "float16": "__half"}

# One expression per scalar op over operands $a, $b, $c; a tuple is indexed by the `out`
# param of two-output ufuncs. `CAST` and `BITCAST` are spelled in `_expr` (they name their
# target type).
SCALAR: dict[Op, str | tuple[str, ...]] = {
    Op.NEGATIVE: "-$a", Op.POSITIVE: "$a", Op.ABSOLUTE: "tnp::absolute($a)",
    Op.FABS: "fabs($a)", Op.SIGN: "tnp::sign($a)", Op.SQRT: "sqrt($a)", Op.CBRT: "cbrt($a)",
    Op.SQUARE: "$a * $a", Op.RECIPROCAL: "tnp::reciprocal($a)", Op.EXP: "exp($a)",
    Op.EXP2: "tnp::exp2_($a)", Op.EXPM1: "tnp::expm1_($a)", Op.LOG: "log($a)",
    Op.LOG2: "tnp::log2_($a)", Op.LOG10: "log10($a)", Op.LOG1P: "tnp::log1p_($a)",
    Op.SIN: "sin($a)", Op.COS: "cos($a)", Op.TAN: "tan($a)", Op.ARCSIN: "asin($a)",
    Op.ARCCOS: "acos($a)", Op.ARCTAN: "atan($a)", Op.SINH: "sinh($a)", Op.COSH: "cosh($a)",
    Op.TANH: "tanh($a)", Op.ARCSINH: "asinh($a)", Op.ARCCOSH: "acosh($a)",
    Op.ARCTANH: "atanh($a)", Op.DEG2RAD: "tnp::deg2rad($a)", Op.RAD2DEG: "tnp::rad2deg($a)",
    Op.FLOOR: "tnp::floor_($a)", Op.CEIL: "tnp::ceil_($a)", Op.TRUNC: "tnp::trunc_($a)",
    Op.RINT: "tnp::rint_($a)", Op.ISNAN: "tnp::is_nan($a)", Op.ISINF: "tnp::is_inf($a)",
    Op.ISFINITE: "tnp::is_finite($a)", Op.SIGNBIT: "signbit($a)",
    Op.SPACING: "tnp::spacing($a)", Op.LOGICAL_NOT: "!tnp::truth($a)",
    Op.INVERT: "tnp::invert($a)", Op.CONJUGATE: "tnp::conjugate($a)",
    Op.BITWISE_COUNT: "tnp::bitwise_count($a)",
    Op.FREXP: ("tnp::frexp_mantissa($a)", "tnp::frexp_exponent($a)"),
    Op.MODF: ("tnp::modf_fraction($a)", "tnp::modf_integral($a)"),
    Op.ADD: "$a + $b", Op.SUBTRACT: "$a - $b", Op.MULTIPLY: "$a * $b",
    Op.DIVIDE: "tnp::divide($a, $b)",
    Op.FLOOR_DIVIDE: "tnp::floor_divide($a, $b)", Op.REMAINDER: "tnp::remainder($a, $b)",
    Op.FMOD: "tnp::fmod_($a, $b)", Op.POWER: "tnp::power($a, $b)",
    Op.FLOAT_POWER: "tnp::power($a, $b)", Op.MAXIMUM: "tnp::maximum($a, $b)",
    Op.MINIMUM: "tnp::minimum($a, $b)", Op.FMAX: "tnp::fmax_($a, $b)",
    Op.FMIN: "tnp::fmin_($a, $b)", Op.ARCTAN2: "atan2($a, $b)", Op.HYPOT: "hypot($a, $b)",
    Op.COPYSIGN: "copysign($a, $b)", Op.NEXTAFTER: "nextafter($a, $b)",
    Op.LOGADDEXP: "tnp::logaddexp($a, $b)", Op.LOGADDEXP2: "tnp::logaddexp2($a, $b)",
    Op.HEAVISIDE: "tnp::heaviside($a, $b)", Op.LDEXP: "tnp::ldexp_($a, $b)",
    Op.GCD: "tnp::gcd($a, $b)", Op.LCM: "tnp::lcm($a, $b)",
    Op.LEFT_SHIFT: "tnp::left_shift($a, $b)", Op.RIGHT_SHIFT: "tnp::right_shift($a, $b)",
    Op.BITWISE_AND: "$a & $b", Op.BITWISE_OR: "$a | $b", Op.BITWISE_XOR: "$a ^ $b",
    Op.LOGICAL_AND: "tnp::truth($a) && tnp::truth($b)",
    Op.LOGICAL_OR: "tnp::truth($a) || tnp::truth($b)",
    Op.LOGICAL_XOR: "tnp::truth($a) != tnp::truth($b)",
    Op.EQUAL: "tnp::equal($a, $b)", Op.NOT_EQUAL: "!tnp::equal($a, $b)",
    Op.LESS: "tnp::less($a, $b)", Op.LESS_EQUAL: "tnp::less_equal($a, $b)",
    Op.GREATER: "tnp::less($b, $a)", Op.GREATER_EQUAL: "tnp::less_equal($b, $a)",
    Op.WHERE: "$a ? $b : $c", Op.REAL: "tnp::real($a)", Op.IMAG: "tnp::imag($a)",
}
# float16 lives in float registers; these two step in half precision instead.
HALF_SCALAR = {Op.SPACING: "tnp::spacing_half($a)", Op.NEXTAFTER: "tnp::nextafter_half($a, $b)"}

# Reductions: (combine expression over $a $b, identity by dtype kind).
REDUCE = {
    Op.SUM: ("$a + $b", "0"), Op.PROD: ("$a * $b", "1"),
    Op.MAX: ("tnp::maximum($a, $b)", "lowest"), Op.MIN: ("tnp::minimum($a, $b)", "highest"),
}


def supports(node) -> bool:
    """The GPU table has a scalar lowering for `node` (every NumPy loop of its ufunc)."""
    if node.op in REDUCE or node.op in (Op.CAST, Op.BITCAST):
        return node.dtype.name in CTYPE and all(s.dtype.name in CTYPE for s in node.srcs)
    if node.op not in SCALAR:
        return False
    names = [s.dtype.name for s in node.srcs] + [node.dtype.name]
    return all(n in CTYPE for n in names)


def _operand(i: int) -> str:
    return "abc"[i]


def _literal(value, dtype: np.dtype) -> str:
    """A C literal of a 0-d constant, exact for every dtype."""
    if dtype.kind == "b":
        return "true" if value else "false"
    if dtype.kind in "iu":
        return f"(({CTYPE[dtype.name]}){int(value)}{'ULL' if dtype.kind == 'u' else 'LL'})"
    if dtype.kind == "c":
        part = np.dtype(f"f{dtype.itemsize // 2}")
        return (f"{CTYPE[dtype.name]}({_literal(complex(value).real, part)}, "
                f"{_literal(complex(value).imag, part)})")
    x = float(value)
    if math.isnan(x):
        text = "tnp::f64_bits(0x7ff8000000000000ull)"
    elif math.isinf(x):
        text = f"{'-' if x < 0 else ''}tnp::limits<double>::highest()"
    else:
        text = repr(x)
    return f"(({CTYPE[dtype.name]}){text})"


def _expr(ins: Instr, args: list[str], arg_dtypes: list[np.dtype]) -> str:
    """The C expression of one instruction (float16 results rounded to half)."""
    p = dict(ins.params)
    if ins.op is Op.CONST:
        return _literal(p["value"], ins.dtype)
    if ins.op is Op.CAST:
        target = "double" if ins.dtype == np.float16 else CTYPE[ins.dtype.name]
        text = f"tnp::cast<{target}>({args[0]})"
    elif ins.op is Op.BITCAST:
        text = (f"tnp::half_bits({args[0]})" if arg_dtypes[0] == np.float16 else
                f"tnp::bits_half({args[0]})" if ins.dtype == np.float16 else
                f"tnp::bitcast<{CTYPE[ins.dtype.name]}>({args[0]})")
    else:
        row = SCALAR[ins.op]
        if ins.op in HALF_SCALAR and arg_dtypes[0] == np.float16:
            row = HALF_SCALAR[ins.op]
        if isinstance(row, tuple):
            row = row[p.get("out", 0)]
        text = Template(row).substitute({_operand(i): a for i, a in enumerate(args)})
    if ins.dtype == np.float16:
        return f"tnp::round_half({text})"
    return text


ELEMENTWISE = Template("""\
extern "C" __global__ void ${name}(${params}) {
  const long long step = (long long)blockDim.x * gridDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
${index}${body}
  }
}
""")
ELEMENTWISE.__doc__ = """An elementwise kernel; for `a*b + c*sin(a)` over contiguous float64:

    extern "C" __global__ void tnp_3f2a(const double* __restrict__ in0, ..., double* __restrict__
        out0, const long long n) {
      const long long step = (long long)blockDim.x * gridDim.x;
      for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
        const double v0 = tnp::load(in0[i]);
        ...
        const double v4 = v0 * v1;
        const double v5 = sin(v0);
        ...
        out0[i] = v7;
      }
    }
"""

REDUCTION = Template("""\
extern "C" __global__ void ${name}(${params}) {
  __shared__ __align__(16) unsigned char smem[${block} * 16];
  for (long long blk = blockIdx.x; blk < n_out * split; blk += gridDim.x) {
    const long long o = blk / split, part = blk % split;
${base}${init}
    for (long long r = part * blockDim.x + threadIdx.x; r < n_red; r += split * blockDim.x) {
${index}${body}${accumulate}
    }
${finish}
  }
}
""")
REDUCTION.__doc__ = """A reduction kernel: block `blk` reduces output `o` (part `part` of `split`).

Threads stride over the reduced index `r` (the reduced dims, innermost last, so rows are read
coalesced), accumulate in registers, then combine through shared memory; with `split > 1`
each block leaves a partial that `COMBINE` reduces. Elementwise outputs of the same pass
(softmax's `exp(x - m)`) are stored on the way. For `sum(exp(x), axis=1)` of float32:

      float acc0 = ((float)0);
      for (long long r = ...; r < n_red; r += split * blockDim.x) {
        long long rem = r; const long long k1 = rem; ...
        const float v0 = tnp::load(in0[b0 + k1 * s0_1]);
        const float v1 = exp(v0);
        acc0 = acc0 + v1;
      }
      { float* buf = (float*)smem; buf[threadIdx.x] = acc0; __syncthreads(); ... }
"""

TREE = Template("""\
    {
      ${acc}* buf = (${acc}*)smem;
      buf[threadIdx.x] = ${var};
      __syncthreads();
      for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) buf[threadIdx.x] = ${combine};
        __syncthreads();
      }
      if (threadIdx.x == 0) {
        if (split == 1) ${out}[o] = ${store};
        else ${partial}[blk] = buf[0];
      }
      __syncthreads();
    }
""")

COMBINE = Template("""\
extern "C" __global__ void ${name}(const ${acc}* __restrict__ part, ${storage}* __restrict__ out,
                                   const long long n_out, const long long split) {
  __shared__ __align__(16) unsigned char smem[${block} * 16];
  ${acc}* buf = (${acc}*)smem;
  for (long long o = blockIdx.x; o < n_out; o += gridDim.x) {
    ${acc} acc = ${identity};
    for (long long r = threadIdx.x; r < split; r += blockDim.x) {
      const ${acc} x = part[o * split + r];
      acc = ${combine_acc};
    }
    buf[threadIdx.x] = acc;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
      if (threadIdx.x < w) buf[threadIdx.x] = ${combine_buf};
      __syncthreads();
    }
    if (threadIdx.x == 0) out[o] = ${store};
    __syncthreads();
  }
}
""")
COMBINE.__doc__ = "The second pass of a split reduction: one block per output over its partials."


@dataclass(frozen=True)
class Source:
    """Rendered CUDA: headers and the kernel function, its entry point and its variant."""

    header: str
    kernel: str
    name: str
    strided: bool
    index: str  # C type of index arithmetic in strided kernels ("int" or "long long")

    @property
    def code(self) -> str:
        """The whole translation unit."""
        return self.header + "\n" + self.kernel


def header(dtypes) -> str:
    """Includes and `cuda_numpy.cuh`, with float16/complex support where `dtypes` need it."""
    names = {np.dtype(d).name for d in dtypes}
    lines = []
    if "float16" in names:
        lines += ["#include <cuda_fp16.h>", "#define TNP_HALF"]
    if names & {"complex64", "complex128"}:
        lines += ["#ifdef __CUDACC_RTC__", "#include <cupy/complex.cuh>", "#else",
                  "#include <thrust/complex.h>", "using thrust::complex;", "#endif",
                  "#define TNP_COMPLEX"]
    return "\n".join(lines + [PREAMBLE])


def _named(template: Template, fields: dict, dtypes, strided: bool, index: str) -> Source:
    """Fill `template` with a name derived from its own text: equal kernels share a name."""
    body = template.substitute(fields, name="KERNEL_NAME")
    name = "tnp_" + hashlib.sha1(body.encode()).hexdigest()[:16]
    return Source(header(dtypes), body.replace("KERNEL_NAME", name), name, strided, index)


def _store(value: str, dtype: np.dtype) -> str:
    return f"tnp::store_half({value})" if dtype == np.float16 else value


def _body(kernel: Kernel, load: list[str]) -> list[str]:
    """Loads and one line per instruction, over kernel-local values `v0, v1, ...`."""
    lines = [f"const {CTYPE[kernel.dtype(v).name]} v{v} = tnp::load({src});"
             for v, src in enumerate(load)]
    n = len(kernel.inputs)
    for k, ins in enumerate(kernel.body):
        args = [f"v{a}" for a in ins.args]
        text = _expr(ins, args, [kernel.dtype(a) for a in ins.args])
        lines.append(f"const {CTYPE[ins.dtype.name]} v{n + k} = {text};")
    return lines


def _all_dtypes(kernel: Kernel) -> list[np.dtype]:
    return [kernel.dtype(v) for v in range(len(kernel.inputs) + len(kernel.body))]


def render_elementwise(kernel: Kernel, strided: bool, index: str = "long long") -> Source:
    """An elementwise kernel. Contiguous: every input is C-ordered over the whole space, or a
    single element (read at 0). Strided: inputs are read through per-dim strides (0 where
    broadcast)."""
    nin, rank = len(kernel.inputs), len(kernel.shape)
    params = [f"const {STORAGE[x.dtype.name]}* __restrict__ in{i}"
              for i, x in enumerate(kernel.inputs)]
    params += [f"{STORAGE[o.node.dtype.name]}* __restrict__ out{j}"
               for j, o in enumerate(kernel.outputs)]
    params.append("const long long n")
    pad = " " * 4
    index_lines: list[str] = []
    if strided:
        params += [f"const long long d{k}" for k in range(rank)]
        params += [f"const long long s{i}_{k}" for i in range(nin) for k in range(rank)]
        index_lines = _unravel("i", range(rank), nin, index, [f"(({index})0)"] * nin)
        load = [f"in{i}[o{i}]" for i in range(nin)]
    else:
        load = [f"in{i}[{'0' if x.size == 1 else 'i'}]" for i, x in enumerate(kernel.inputs)]
    body = _body(kernel, load)
    body += [f"out{j}[i] = {_store(f'v{o.value}', o.node.dtype)};"
             for j, o in enumerate(kernel.outputs)]
    fields = dict(params=", ".join(params),
                  index="".join(pad + x + "\n" for x in index_lines),
                  body="\n".join(pad + x for x in body))
    return _named(ELEMENTWISE, fields, _all_dtypes(kernel), strided, index)


def _unravel(flat: str, dims, nops: int, index: str, bases: list[str], var: str = "o") -> list[str]:
    """Offsets `{var}{j}` of `nops` operands at flat position `flat` over `dims` (last fastest)."""
    dims = list(dims)
    lines = [f"{index} rem = ({index}){flat};"] if dims else []
    lines += [f"{index} {var}{j} = {bases[j]};" for j in range(nops)]
    for pos, k in enumerate(reversed(dims)):
        last = pos == len(dims) - 1
        lines.append(f"const {index} k{k} = {'rem' if last else f'rem % ({index})d{k}'};")
        if not last:
            lines.append(f"rem /= ({index})d{k};")
        lines += [f"{var}{j} += k{k} * ({index})s{j}_{k};" for j in range(nops)]
    return lines


def reduce_outputs(kernel: Kernel):
    return [o for o in kernel.outputs if o.reduce is not None]


def acc_type(dtype: np.dtype) -> str:
    """Accumulator C type of a reduction (float16 accumulates in float)."""
    return CTYPE[dtype.name]


def _identity(op: Op, dtype: np.dtype) -> str:
    ident = REDUCE[op][1]
    acc = acc_type(dtype)
    if ident in ("lowest", "highest"):
        base = CTYPE[f"float{dtype.itemsize * 4}"] if dtype.kind == "c" else acc
        limit = f"tnp::limits<{'float' if dtype == np.float16 else base}>::{ident}()"
        return f"{acc}({limit}, {limit})" if dtype.kind == "c" else limit
    return f"(({acc}){ident})"


def render_reduction(kernel: Kernel, index: str = "long long") -> Source:
    """A reduction kernel; the launcher orders dims kept first, reduced last, and passes
    operand strides (inputs, then elementwise outputs, C-ordered) in that order."""
    nin, rank = len(kernel.inputs), len(kernel.shape)
    kept = [k for k in range(rank) if k not in kernel.axes]
    red = [k for k in range(rank) if k in kernel.axes]
    order = kept + red  # dims as the launcher passes them: d{0..} in this order
    nk = len(kept)
    stores = [o for o in kernel.outputs if o.reduce is None]
    reds = reduce_outputs(kernel)
    nops = nin + len(stores)
    params = [f"const {STORAGE[x.dtype.name]}* __restrict__ in{i}"
              for i, x in enumerate(kernel.inputs)]
    params += [f"{STORAGE[o.node.dtype.name]}* __restrict__ st{j}" for j, o in enumerate(stores)]
    params += [f"{STORAGE[o.node.dtype.name]}* __restrict__ red{j}" for j, o in enumerate(reds)]
    params += [f"{acc_type(o.node.dtype)}* __restrict__ part{j}" for j, o in enumerate(reds)]
    params += ["const long long n_out", "const long long n_red", "const long long split"]
    params += [f"const long long d{k}" for k in range(len(order))]
    params += [f"const long long s{j}_{k}" for j in range(nops) for k in range(len(order))]
    pad4, pad6 = " " * 4, " " * 6
    zero = [f"(({index})0)"] * nops
    base = _unravel("o", range(nk), nops, index, zero, var="b") if nk else \
        [f"const {index} b{j} = 0;" for j in range(nops)]
    index_lines = _unravel("r", range(nk, len(order)), nops, index,
                           [f"b{j}" for j in range(nops)]) if red else \
        [f"const {index} o{j} = b{j};" for j in range(nops)]
    load = [f"in{i}[o{i}]" for i in range(nin)]
    body = _body(kernel, load)
    body += [f"st{j}[o{nin + j}] = {_store(f'v{o.value}', o.node.dtype)};"
             for j, o in enumerate(stores)]
    init = [f"{acc_type(o.node.dtype)} acc{j} = {_identity(o.reduce, o.node.dtype)};"
            for j, o in enumerate(reds)]
    accumulate = []
    for j, o in enumerate(reds):
        combine = Template(REDUCE[o.reduce][0]).substitute(a=f"acc{j}", b=f"v{o.value}")
        accumulate.append(f"acc{j} = {combine};")
    finish = []
    for j, o in enumerate(reds):
        acc = acc_type(o.node.dtype)
        finish.append(TREE.substitute(
            acc=acc, var=f"acc{j}", out=f"red{j}", partial=f"part{j}",
            combine=Template(REDUCE[o.reduce][0]).substitute(
                a="buf[threadIdx.x]", b="buf[threadIdx.x + w]"),
            store=_store("buf[0]", o.node.dtype)))
    fields = dict(params=", ".join(params), block=BLOCK,
                  base="".join(pad4 + x + "\n" for x in base),
                  init="\n".join(pad4 + x for x in init),
                  index="".join(pad6 + x + "\n" for x in index_lines),
                  body="\n".join(pad6 + x for x in body),
                  accumulate="".join("\n" + pad6 + x for x in accumulate),
                  finish="".join(finish).rstrip("\n"))
    return _named(REDUCTION, fields, _all_dtypes(kernel), True, index)


def render_combine(op: Op, dtype: np.dtype) -> Source:
    """The second pass of a split reduction `op` whose result has `dtype`."""
    dtype = np.dtype(dtype)
    combine = REDUCE[op][0]
    fields = dict(acc=acc_type(dtype), storage=STORAGE[dtype.name], block=BLOCK,
                  identity=_identity(op, dtype),
                  combine_acc=Template(combine).substitute(a="acc", b="x"),
                  combine_buf=Template(combine).substitute(a="buf[threadIdx.x]",
                                                           b="buf[threadIdx.x + w]"),
                  store=_store("buf[0]", dtype))
    return _named(COMBINE, fields, [dtype], False, "long long")


def render(kernel: Kernel, strided: bool = True, index: str = "long long") -> Source:
    """The kernel's CUDA source: a reduction if any output reduces, else elementwise."""
    if reduce_outputs(kernel):
        return render_reduction(kernel, index)
    return render_elementwise(kernel, strided, index)


def claimed_loops() -> dict[Op, list[tuple[np.dtype, ...]]]:
    """Every NumPy loop (input dtypes) of every elementwise op the table renders."""
    out: dict[Op, list[tuple[np.dtype, ...]]] = {}
    for op in SCALAR:
        uf = OPS[op].ufunc
        if uf is None:
            continue
        loops = []
        for sig in uf.types:
            ins = sig.split("->")[0]
            try:
                dts = tuple(np.dtype(c) for c in ins)
            except TypeError:
                continue
            if all(d.name in CTYPE for d in dts) and dts not in loops:
                loops.append(dts)
        out[op] = loops
    return out
