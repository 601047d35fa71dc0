"""tracenp.lowering.llvm_math against NumPy: ULP table, special values, vectorization.

Each function is JIT-compiled for the host CPU inside a loop `out[i] = f(a[i], b[i])` over
contiguous arrays, optimized at O3 with the loop vectorizer, and called through ctypes.
The measured table is in docs/accuracy.md; `python tests/lowering/test_llvm_math.py` prints it.
"""

from __future__ import annotations

import ctypes
import functools
import re

import llvmlite.binding as llvm
import numpy as np
import pytest
from llvmlite import ir

from tracenp.lowering import llvm_math, llvm_math_ir

IR_TYPES = {np.float64: ir.DoubleType(), np.float32: ir.FloatType()}
DTYPES = [np.float64, np.float32]

# Max ULP distance to NumPy allowed per function, (float64, float32): the measured maximum plus
# one (NumPy's own SIMD loops differ by CPU); sqrt is exact. Most float32 errors are NumPy's own
# (see test_float32_against_float64_rounded).
BOUNDS: dict[str, tuple[int, int]] = {
    "arccos": (2, 3),
    "arccosh": (3, 2),
    "arcsin": (2, 4),
    "arcsinh": (4, 2),
    "arctan": (2, 3),
    "arctan2": (3, 4),
    "arctanh": (3, 2),
    "cbrt": (2, 3),
    "cos": (2, 3),
    "cosh": (2, 3),
    "exp": (2, 3),
    "exp2": (2, 4),
    "expm1": (3, 4),
    "hypot": (2, 1),
    "log": (2, 5),
    "log10": (2, 3),
    "log1p": (3, 3),
    "log2": (2, 3),
    "logaddexp": (3, 12),
    "logaddexp2": (3, 14),
    "power": (2, 2),
    "sin": (2, 3),
    "sinh": (3, 2),
    "sqrt": (0, 0),
    "tan": (4, 4),
    "tanh": (4, 3),
}


# JIT harness ------------------------------------------------------------------------------


def _target_machine() -> llvm.TargetMachine:
    """A fresh host target machine (an MCJIT engine takes ownership of the one it is given)."""
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    target = llvm.Target.from_default_triple()
    return target.create_target_machine(
        cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten(), opt=3
    )


def _add_kernel(module: ir.Module, name: str, elem: ir.Type) -> None:
    """void k_<name>(ptr out, ptr a, ptr b, i64 n): out[i] = name(a[i], b[i]) for i < n, where
    `elem` is a scalar or a vector type (then n counts vectors)."""
    ptr, i64 = ir.PointerType(), ir.IntType(64)
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [ptr, ptr, ptr, i64]), f"k_{name}")
    out, a, b, n = fn.args
    for p in (out, a, b):
        p.add_attribute("noalias")
    entry, loop, done = (fn.append_basic_block(s) for s in ("entry", "loop", "done"))
    bld = ir.IRBuilder(entry)
    zero = ir.Constant(i64, 0)
    bld.cbranch(bld.icmp_signed(">", n, zero), loop, done)
    bld.position_at_end(loop)
    i = bld.phi(i64)
    i.add_incoming(zero, entry)
    align = 8 if "double" in str(elem) else 4  # NumPy only aligns to the scalar
    srcs = (a, b)[: llvm_math.NARGS[name]]
    addrs = [bld.gep(p, [i], inbounds=True, source_etype=elem) for p in srcs]
    y = llvm_math.emit(bld, name, [bld.load(p, typ=elem, align=align) for p in addrs])
    bld.store(y, bld.gep(out, [i], inbounds=True, source_etype=elem), align=align)
    nxt = bld.add(i, ir.Constant(i64, 1))
    i.add_incoming(nxt, loop)
    bld.cbranch(bld.icmp_signed("<", nxt, n), loop, done)
    bld.position_at_end(done)
    bld.ret_void()


class _Jit:
    """Kernels of one dtype in one optimized, MCJIT-compiled module; with `lanes`, the kernels
    load and pass `<lanes x T>` vectors to `emit` instead of scalars."""

    def __init__(self, dtype: type, lanes: int | None = None, names=llvm_math.SUPPORTED):
        tm = _target_machine()
        module = ir.Module(name=f"llvm_math_{np.dtype(dtype).name}")
        module.triple = tm.triple
        module.data_layout = str(tm.target_data)
        elem = IR_TYPES[dtype] if lanes is None else ir.VectorType(IR_TYPES[dtype], lanes)
        for name in sorted(names):
            _add_kernel(module, name, elem)
        mod = llvm.parse_assembly(str(module))
        mod.verify()
        pto = llvm.create_pipeline_tuning_options(speed_level=3)
        pto.loop_vectorization = True
        pto.slp_vectorization = True
        pb = llvm.create_pass_builder(tm, pto)
        pb.getModulePassManager().run(mod, pb)
        self.optimized = {name: str(mod.get_function(f"k_{name}")) for name in names}
        self.engine = llvm.create_mcjit_compiler(mod, tm)
        self.engine.finalize_object()
        ptr = ctypes.c_void_p
        proto = ctypes.CFUNCTYPE(None, ptr, ptr, ptr, ctypes.c_int64)
        self.fns = {name: proto(self.engine.get_function_address(f"k_{name}")) for name in names}
        self.dtype, self.lanes = dtype, lanes or 1

    def __call__(self, name: str, *args: np.ndarray) -> np.ndarray:
        a = [np.ascontiguousarray(x, dtype=self.dtype) for x in args]
        out = np.empty_like(a[0])
        b = a[1] if len(a) > 1 else a[0]
        self.fns[name](out.ctypes.data, a[0].ctypes.data, b.ctypes.data, out.size // self.lanes)
        return out


@functools.cache
def jit(dtype: type) -> _Jit:
    return _Jit(dtype)


def reference(name: str, *args: np.ndarray) -> np.ndarray:
    """NumPy's values; float64 `cbrt` from long double, since NumPy's own is the C library's
    where the CPU lacks AVX-512 (no SVML loop), and glibc's is up to 3 ULP off (6.058074688236342
    gives 1.8229644848421767 for 1.82296448484217608...)."""
    with np.errstate(all="ignore"):
        if name == "cbrt" and args[0].dtype == np.float64:
            return np.cbrt(args[0].astype(np.longdouble)).astype(np.float64)
        return getattr(np, name)(*args)


# ULP distance -----------------------------------------------------------------------------


def ulp_distance(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Steps between two arrays of one float dtype (+0 and -0 are one step apart); NaN vs NaN
    is 0 and NaN vs a number is inf."""
    ut = {2: np.uint16, 4: np.uint32, 8: np.uint64}[got.itemsize]
    sign = ut(1) << ut(8 * got.itemsize - 1)

    def key(v):
        bits = v.view(ut)
        return np.where(bits & sign, ~bits, bits | sign)

    kg, kw = key(got), key(want)
    d = np.where(kg > kw, kg - kw, kw - kg).astype(np.float64)
    ng, nw = np.isnan(got), np.isnan(want)
    return np.where(ng & nw, 0.0, np.where(ng | nw, np.inf, d))


# inputs -----------------------------------------------------------------------------------


def _loguniform(rng, n, lo, hi, signed=True):
    mag = np.exp(rng.uniform(np.log(lo), np.log(hi), n))
    return mag * rng.choice([-1.0, 1.0], n) if signed else mag


def inputs(name: str, dtype: type, n: int = 4000, seed: int = 0) -> list[np.ndarray]:
    """Random arguments spread over the domain: uniform pieces plus log-uniform magnitudes."""
    rng = np.random.default_rng(seed)
    fi = np.finfo(dtype)
    big, sub, norm = float(fi.max), float(fi.smallest_subnormal), float(fi.smallest_normal)
    lmax, lsub = np.log(big), -np.log(sub)
    u = functools.partial(rng.uniform, size=n)
    lu = functools.partial(_loguniform, rng, n)
    emax = float(fi.maxexp)
    one = {
        "exp": [u(-lsub - 2, lmax + 2), lu(sub, lmax)],
        "exp2": [u(-emax - 60, emax + 2), lu(sub, emax)],
        "expm1": [u(-50, lmax + 2), lu(sub, 10)],
        "log": [lu(sub, big, False), u(0, 4), u(0.5, 2)],
        "log1p": [u(-1, 4), lu(sub, big, False), -lu(sub, 1, False)],
        "sin": [u(-10, 10), lu(sub, llvm_math.TRIG_MAX), lu(sub, big)],
        "arctan": [u(-4, 4), lu(sub, big)],
        "arcsin": [u(-1, 1), lu(sub, 1)],
        "sinh": [u(-lmax - 2, lmax + 2), lu(sub, lmax + 2)],
        "tanh": [u(-25, 25), lu(sub, big)],
        "arcsinh": [u(-4, 4), lu(sub, big)],
        "arccosh": [u(1, 4), 1 + lu(fi.eps / 4, big, False)],
        "arctanh": [u(-1, 1), lu(sub, 1), 1 - lu(fi.eps / 4, 1, False)],
        "cbrt": [u(-10, 10), lu(sub, big)],
        "sqrt": [u(0, 4), lu(sub, big, False)],
    }
    alias = {"log2": "log", "log10": "log", "cos": "sin", "tan": "sin", "arccos": "arcsin"}
    alias |= {"cosh": "sinh"}
    if name in one or name in alias:
        return [np.concatenate(one[alias.get(name, name)]).astype(dtype)]
    pieces = {
        "power": [
            (u(0, 10), u(-50, 50)),
            (lu(sub, big, False), u(-2, 2)),
            (u(-10, 10), np.round(u(-30, 30))),
            (1 + u(-1e-3, 1e-3), u(-1e5, 1e5)),
            (lu(norm, big, False), u(-1, 1) * lmax / np.log(lu(norm, big, False))),
        ],
        "arctan2": [(u(-4, 4), u(-4, 4)), (lu(sub, big), lu(sub, big))],
        "hypot": [(u(-4, 4), u(-4, 4)), (lu(sub, big), lu(sub, big))],
        "logaddexp": [(u(-100, 100), u(-100, 100)), (lu(sub, big), lu(sub, big))],
    }
    pieces["logaddexp2"] = pieces["logaddexp"]
    with np.errstate(all="ignore"):
        return [np.concatenate(p).astype(dtype) for p in zip(*pieces[name])]



def error_ulps(name: str, got: np.ndarray, want: np.ndarray, args) -> np.ndarray:
    """ULP distance to `want`; for logaddexp(2) in ULPs of max(|result|, |max(x, y)|), since
    `max(x, y) + log1p(exp(-|x - y|))` (NumPy's formula too) cancels when the result is near 0."""
    d = ulp_distance(got, want)
    if name not in ("logaddexp", "logaddexp2"):
        return d
    with np.errstate(all="ignore"):
        scale = np.maximum(np.abs(want), np.abs(np.maximum(*args)))
        scaled = np.abs(got.astype(np.float64) - want) / np.spacing(scale.astype(got.dtype))
    return np.where(np.isfinite(scaled), np.minimum(d, scaled), d)


def max_ulp(name: str, dtype: type, n: int = 4000, seed: int = 0, exact: bool = False):
    """The max error in ULPs over `inputs`, and the arguments where it occurs. The reference is
    NumPy in `dtype`, or with `exact`, NumPy in float64 rounded to `dtype`."""
    args = inputs(name, dtype, n, seed)
    if exact:
        with np.errstate(over="ignore"):
            want = reference(name, *[a.astype(np.float64) for a in args]).astype(dtype)
    else:
        want = reference(name, *args)
    d = error_ulps(name, jit(dtype)(name, *args), want, args)
    i = int(np.argmax(d))
    return float(d[i]), [a[i] for a in args]


# tests ------------------------------------------------------------------------------------


def test_bounds_cover_supported():
    assert set(BOUNDS) == set(llvm_math.SUPPORTED)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f8", "f4"])
def test_ulp_table(dtype):
    col = DTYPES.index(dtype)
    failures = []
    for name in sorted(llvm_math.SUPPORTED):
        err, at = max_ulp(name, dtype)
        if err > BOUNDS[name][col]:
            failures.append(f"{name}: {err} ULP > {BOUNDS[name][col]} at {at}")
    assert not failures, "\n".join(failures)


def test_float32_against_float64_rounded():
    """float32 results, native or through the double code, are within 1 ULP of NumPy's float64
    result rounded: faithfully rounded."""
    for name in sorted(llvm_math.SUPPORTED):
        err, at = max_ulp(name, np.float32, exact=True)
        assert err <= 1, (name, err, at)


def _edges(dtype: type) -> np.ndarray:
    fi = np.finfo(dtype)
    pos = [0.0, fi.smallest_subnormal, fi.smallest_normal, 1e-10, 0.5, 1.0, 2.0, 3.0, 10.0]
    pos += [np.pi / 2, 100.0, 1e10, 1e30, fi.max, np.inf]
    vals = np.array(pos, dtype=dtype)
    return np.concatenate([vals, -vals, np.array([np.nan], dtype=dtype)])


def _check_same(name, dtype, got, want, args):
    """NaN, inf and zeros (with their sign) must match exactly; other values within the bound."""
    bound = BOUNDS[name][DTYPES.index(dtype)]
    exact = np.isnan(want) | np.isinf(want) | (want == 0) | np.isnan(got) | np.isinf(got)
    ok = np.where(
        exact,
        (np.isnan(got) & np.isnan(want))
        | ((got == want) & (np.signbit(got) == np.signbit(want))),
        error_ulps(name, got, want, args) <= bound,
    )
    bad = [f"{[a[i] for a in args]}: {got[i]!r} vs NumPy {want[i]!r}" for i in np.where(~ok)[0]]
    assert not bad, f"{name} {np.dtype(dtype).name}:\n" + "\n".join(bad)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f8", "f4"])
@pytest.mark.parametrize("name", sorted(llvm_math.SUPPORTED))
def test_special_values(name, dtype):
    e = _edges(dtype)
    if llvm_math.NARGS[name] == 1:
        args = [e]
    else:
        args = [a.ravel() for a in np.meshgrid(e, e)]
    want = reference(name, *args)
    _check_same(name, dtype, jit(dtype)(name, *args), want, args)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f8", "f4"])
def test_random_bit_patterns(dtype):
    """Arguments drawn from all bit patterns (NaNs, subnormals and huge values included) against
    NumPy; float32 against NumPy's float64 result rounded, so that only our error counts."""
    rng = np.random.default_rng(7)
    uint = np.uint64 if dtype == np.float64 else np.uint32
    failures = []
    for name in sorted(llvm_math.SUPPORTED):
        bits = rng.integers(0, np.iinfo(uint).max, (llvm_math.NARGS[name], 1 << 14), dtype=uint)
        args = list(bits.view(dtype))
        with np.errstate(all="ignore"):
            want = reference(name, *[a.astype(np.float64) for a in args]).astype(dtype)
        got = jit(dtype)(name, *args)
        bound = BOUNDS[name][0] if dtype == np.float64 else 1
        bad = (error_ulps(name, got, want, args) > bound) | (
            (want == 0) & (np.signbit(got) != np.signbit(want))
        )
        if bad.any():
            i = int(np.argmax(bad))
            failures.append(f"{name}{tuple(a[i] for a in args)} = {got[i]!r}, want {want[i]!r}")
    assert not failures, "\n".join(failures)


def test_trig_near_multiples_of_pi_over_2():
    """The hardest arguments for the reduction: doubles nearest to k*pi/2, up to TRIG_MAX."""
    k = np.unique(np.round(np.exp(np.linspace(0, np.log(llvm_math.TRIG_MAX / 2), 3000))))
    x = np.concatenate([k * (np.pi / 2), np.nextafter(k * (np.pi / 2), np.inf)])
    for name in ("sin", "cos", "tan"):
        d = ulp_distance(jit(np.float64)(name, x), reference(name, x))
        assert d.max() <= BOUNDS[name][0], (name, x[np.argmax(d)])


# (x, sin x, cos x, tan x) rounded from 400-bit mpmath values: beyond TRIG_MAX, and the double
# closest to a multiple of pi/2 (6381956970095103 * 2**797, where NumPy's cos is 8 ULP off)
HUGE_F64 = [
    (1e22, -0.8522008497671888, 0.523214785395139, -1.6287782256068988),
    (2.0**60, -0.8306492176372546, -0.5567960822766417, 1.4918373962705977),
    (6381956970095103 * 2.0**797, 1.0, -4.687165924254628e-19, -2.133485385753704e18),
    (1.7976931348623157e308, 0.004961954789184062, -0.9999876894265599, -0.004962015874444895),
    (-1e300, 0.8178819121159085, -0.5753861119575491, -1.4214488238747245),
    (2.0**1023, 0.563127779850884, -0.826369834614148, -0.6814476476066215),
    (1e30, 0.009331468931175825, -0.9999564608959665, -0.009331875232662407),
    (-(2.0**41) - 1, -0.965170046916111, -0.26162335625083677, 3.689158570348491),
]
HUGE_F32 = [  # (x, sin x, cos x) correctly rounded to float32
    (1e30, -0.791163444519043, -0.6116048097610474),
    (3.4028234663852886e38, -0.5218765139579773, 0.8530210256576538),
    (2.0**100, -0.872183620929718, 0.4891786575317383),
    (-1.2345e20, -0.6424263715744019, 0.7663474082946777),
]


def test_huge_arguments_against_exact_values():
    """Payne-Hanek reduction beyond TRIG_MAX: within 1 ULP of the exact result (2 for tan),
    in vectors that mix huge and ordinary lanes."""
    table = np.array(HUGE_F64)
    x = np.concatenate([table[:, 0], np.linspace(-3, 3, 8)])
    for col, name in enumerate(("sin", "cos", "tan"), start=1):
        want = np.concatenate([table[:, col], reference(name, x[len(table):])])
        d = ulp_distance(jit(np.float64)(name, x), want)
        assert d.max() <= (2 if name == "tan" else 1), (name, x[np.argmax(d)])
    table = np.array(HUGE_F32)
    x = table[:, 0].astype(np.float32)
    for col, name in enumerate(("sin", "cos"), start=1):
        d = ulp_distance(jit(np.float32)(name, x), table[:, col].astype(np.float32))
        assert d.max() <= 1, (name, x[np.argmax(d)])


@pytest.mark.parametrize("dtype", DTYPES, ids=["f8", "f4"])
def test_huge_arguments_match_numpy(dtype):
    """Every power of two and of ten, and each next double, from TRIG_MAX to the largest finite."""
    fi = np.finfo(dtype)
    lo = int(np.log2(llvm_math.TRIG_MAX))
    x = np.array([2.0**k for k in range(lo, fi.maxexp)] + [10.0**k for k in range(13, 309)])
    x = x[x <= fi.max].astype(dtype)
    x = np.concatenate([x, np.nextafter(x, dtype(np.inf)), -x])
    for name in ("sin", "cos", "tan"):
        want = reference(name, *[x.astype(np.float64)]).astype(dtype)
        d = ulp_distance(jit(dtype)(name, x), want)
        assert d.max() <= BOUNDS[name][0], (name, x[np.argmax(d)])


def test_power_integer_and_special_exponents():
    x = np.array([-3.0, -2.5, -1.0, -0.5, 0.5, 1.5, 2.0, 7.0])
    y = np.array([-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 0.5, -0.5, 53.0, 2.0**53, 2.0**60])
    xs, ys = (a.ravel() for a in np.meshgrid(x, y))
    got = jit(np.float64)("power", xs, ys)
    _check_same("power", np.float64, got, reference("power", xs, ys), [xs, ys])


@pytest.mark.parametrize("dtype", DTYPES, ids=["f8", "f4"])
def test_power_common_exponents_are_exact(dtype):
    """x**1, x**2, x**-1 and x**0.5 are x, x*x, 1/x and sqrt(x) (positive x for sqrt)."""
    x = np.concatenate([inputs("log", dtype, 2000)[0], -inputs("log", dtype, 2000)[0]])
    with np.errstate(all="ignore"):
        cases = {1.0: x, 2.0: x * x, -1.0: 1 / x, 0.5: np.sqrt(np.abs(x))}
    for y, want in cases.items():
        xs = np.abs(x) if y == 0.5 else x
        got = jit(dtype)("power", xs, np.full_like(xs, y))
        assert np.array_equal(got, want), y


VECTOR_VERSION = re.compile(r"tracenp\.math\.(sin|cos|tan)\.f(32|64)x(\d+)$")
"""sin, cos and tan run out of line: the vectorizer calls their vector versions."""


def _vector_widths(text: str, elem: str) -> list[int]:
    ops = r"(?:fadd|fsub|fmul|fdiv|select|call)"
    return [int(n) for n in re.findall(rf"= (?:tail )?{ops}[^<\n]*<(\d+) x {elem}>", text)]


@pytest.mark.parametrize("dtype", DTYPES, ids=["f8", "f4"])
def test_loops_vectorize(dtype):
    """Every kernel loop is widened to >= 4 lanes (float32 kernels compute in <N x double>, except
    sqrt, which LLVM narrows back to <N x float>) and calls nothing but intrinsics, or for sin,
    cos and tan their own vector versions of 4 or more lanes."""
    failures = []
    for name, text in sorted(jit(dtype).optimized.items()):
        widths = _vector_widths(text, "double") + _vector_widths(text, str(IR_TYPES[dtype]))
        calls = set(re.findall(r"call [^@\n]*@([\w.$]+)", text))
        versions = [int(m[3]) for c in calls if (m := VECTOR_VERSION.match(c)) and m[1] == name]
        if versions:
            widths.append(max(versions))
            calls -= {c for c in calls if c.startswith(f"tracenp.math.{name}.")}
        if not widths or max(widths) < 4:
            failures.append(f"{name}: no vector arithmetic of 4 or more lanes")
        if any(not c.startswith("llvm.") for c in calls):
            failures.append(f"{name}: calls {sorted(calls)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("dtype,lanes", [(np.float64, 4), (np.float32, 8)], ids=["f8x4", "f4x8"])
def test_vector_arguments_match_scalar_loop(dtype, lanes):
    """emit on <N x T> values computes what the vectorized scalar loop computes, bit for bit."""
    names = ["arctan2", "exp", "log1p", "power", "sin", "tanh"]
    vec = _Jit(dtype, lanes, names)
    for name in names:
        args = [a[: len(a) // lanes * lanes] for a in inputs(name, dtype, 1000)]
        got, want = vec(name, *args), jit(dtype)(name, *args)
        assert np.array_equal(got.view(np.uint8), want.view(np.uint8)), name


def test_emit_rejects_bad_arguments():
    module = ir.Module()
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [ir.DoubleType(), ir.FloatType()]), "f")
    bld = ir.IRBuilder(fn.append_basic_block())
    with pytest.raises(ValueError, match="no 'erf'"):
        llvm_math.emit(bld, "erf", [fn.args[0]])
    with pytest.raises(ValueError, match="takes 2"):
        llvm_math.emit(bld, "power", [fn.args[0]])
    with pytest.raises(TypeError, match="differ"):
        llvm_math.emit(bld, "power", list(fn.args))


def test_helpers_are_shared_per_type():
    module = ir.Module()
    vec = ir.VectorType(ir.FloatType(), 8)
    fn = ir.Function(module, ir.FunctionType(vec, [vec]), "f")
    bld = ir.IRBuilder(fn.append_basic_block())
    a = llvm_math.emit(bld, "exp", [fn.args[0]])
    b = llvm_math.emit(bld, "exp", [a])
    assert a.type == vec and a.callee is b.callee
    assert a.callee.name == "tracenp.math.exp.f32x8"


if __name__ == "__main__":
    print("| function | float64 | float32 | float32 vs float64 rounded |")
    for name in sorted(llvm_math.SUPPORTED):
        cells = []
        for dtype, exact in ((np.float64, False), (np.float32, False), (np.float32, True)):
            err = max(max_ulp(name, dtype, 50000, seed, exact)[0] for seed in range(4))
            cells.append(f"{err:g}")
        print(f"| {name} | " + " | ".join(cells) + " |")


@pytest.mark.parametrize("dtype", DTYPES, ids=["f8", "f4"])
def test_ulp_table_without_vscalef(dtype, monkeypatch):
    """CPUs without AVX-512 scale by two exact power-of-two products instead of `vscalef`
    (`Emitter.ldexp`): the same bounds hold, overflow and subnormal results included."""
    monkeypatch.setattr(llvm_math_ir, "has_scalef", lambda: False)
    names = ("exp", "exp2", "expm1", "sinh", "cosh", "power")
    fns = _Jit(dtype, names=names)
    assert not any("llvm.ldexp" in fns.optimized[n] for n in names)
    col = DTYPES.index(dtype)
    for name in names:
        args = inputs(name, dtype)
        err = error_ulps(name, fns(name, *args), reference(name, *args), args).max()
        assert err <= BOUNDS[name][col], f"{name}: {err} ULP"
