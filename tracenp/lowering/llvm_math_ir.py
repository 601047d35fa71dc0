"""IR building blocks for the vectorizable math in `llvm_math`.

`Emitter` wraps an `IRBuilder` and one type (`double`, `float` or a vector of them) so that the
approximations read as arithmetic: `V` values overload `+ - * /` and comparisons, and
constants are splatted to the vector width. Everything it emits is straight-line code:
arithmetic, integer bit manipulation, `select`, and intrinsics with native vector forms.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from llvmlite import ir


@dataclass(frozen=True)
class Format:
    """An IEEE binary format: its LLVM type, the integer of the same width, and bit layout."""

    fty: ir.Type
    ity: ir.Type
    tag: str  # intrinsic suffix
    mant: int  # explicit mantissa bits
    bias: int
    sqrt_half_bits: int  # sqrt(0.5), rounded

    @property
    def magic(self) -> float:
        """1.5 * 2**mant: adding it leaves a small integer in the low mantissa bits."""
        return 1.5 * 2.0**self.mant

    @property
    def magic_bits(self) -> int:
        return (self.bias + self.mant) << self.mant | 1 << (self.mant - 1)


F64 = Format(ir.DoubleType(), ir.IntType(64), "f64", 52, 1023, 0x3FE6A09E667F3BCD)
F32 = Format(ir.FloatType(), ir.IntType(32), "f32", 23, 127, 0x3F3504F3)

LN2 = (0.6931471805599453, 2.3190468138462996e-17)  # ln 2 as a double-double
LN2_32 = (6.93147180369123816490e-01, 1.90821492927058770002e-10)  # hi has 32 bits: k*hi exact
LOG2E = (1.4426950408889634, 2.0355273740931033e-17)
PIO2 = (1.5707963267948966, 6.123233995736766e-17, -1.4973849048591698e-33)
PI = (3.141592653589793, 1.2246467991473532e-16)
TWO_OVER_PI = 0.6366197723675814

TRIG_MAX = 2.0**40
"""Largest |x| for the Cody-Waite reduction of sin/cos/tan; Payne-Hanek takes larger ones."""


@functools.cache
def has_scalef() -> bool:
    """Whether the host has AVX-512 (F and VL): `vscalef` scales by a power of two exactly,
    overflow and subnormals included. Kernels are cached per CPU, so code may depend on it."""
    import llvmlite.binding as llvm

    try:
        features = llvm.get_host_cpu_features()
    except RuntimeError:  # LLVM cannot list this host's features: assume none
        return False
    return bool(features.get("avx512f")) and bool(features.get("avx512vl"))


class Mask:
    """A lane mask (`i1` or `<N x i1>`); `&`, `|` and `~` combine masks."""

    __slots__ = ("e", "v")

    def __init__(self, e: Emitter, v: ir.Value):
        self.e, self.v = e, v

    def __and__(self, o: Mask) -> Mask:
        return Mask(self.e, self.e.b.and_(self.v, o.v))

    def __or__(self, o: Mask) -> Mask:
        return Mask(self.e, self.e.b.or_(self.v, o.v))

    def __invert__(self) -> Mask:
        return Mask(self.e, self.e.b.not_(self.v))

    def same(self, o: Mask) -> Mask:
        """Lanes where both masks agree."""
        return ~Mask(self.e, self.e.b.xor(self.v, o.v))


class V:
    """A double-typed SSA value whose operators emit IR (plain floats become constants)."""

    __slots__ = ("e", "v")

    def __init__(self, e: Emitter, v: ir.Value):
        self.e, self.v = e, v

    def __add__(self, o):
        return self.e.op("fadd", self, o)

    def __radd__(self, o):
        return self.e.op("fadd", o, self)

    def __sub__(self, o):
        return self.e.op("fsub", self, o)

    def __rsub__(self, o):
        return self.e.op("fsub", o, self)

    def __mul__(self, o):
        return self.e.op("fmul", self, o)

    def __rmul__(self, o):
        return self.e.op("fmul", o, self)

    def __truediv__(self, o):
        return self.e.op("fdiv", self, o)

    def __rtruediv__(self, o):
        return self.e.op("fdiv", o, self)

    def __neg__(self):
        return V(self.e, self.e.b.fneg(self.v))

    def __lt__(self, o):
        return self.e.cmp("<", self, o)

    def __le__(self, o):
        return self.e.cmp("<=", self, o)

    def __gt__(self, o):
        return self.e.cmp(">", self, o)

    def __ge__(self, o):
        return self.e.cmp(">=", self, o)


Num = V | float


class Emitter:
    """Emits `fmt` (double by default) or `<lanes x fmt>` code at `builder`'s position."""

    def __init__(self, builder: ir.IRBuilder, lanes: int | None, fmt: Format = F64):
        self.b = builder
        self.lanes = lanes
        self.fmt = fmt
        self.fty = fmt.fty if lanes is None else ir.VectorType(fmt.fty, lanes)
        self.ity = fmt.ity if lanes is None else ir.VectorType(fmt.ity, lanes)
        self._suffix = fmt.tag if lanes is None else f"v{lanes}{fmt.tag}"

    def _splat(self, ty: ir.Type, x) -> ir.Constant:
        return ir.Constant(ty, x if self.lanes is None else [x] * self.lanes)

    def c(self, x: float) -> V:
        return V(self, self._splat(self.fty, float(x)))

    def ic(self, x: int) -> ir.Constant:
        return self._splat(self.ity, x)

    def val(self, x: Num) -> ir.Value:
        return x.v if isinstance(x, V) else self._splat(self.fty, float(x))

    def op(self, name: str, a: Num, b: Num) -> V:
        return V(self, getattr(self.b, name)(self.val(a), self.val(b)))

    def cmp(self, op: str, a: Num, b: Num) -> Mask:
        """Ordered comparison: false in lanes where either side is NaN."""
        return Mask(self, self.b.fcmp_ordered(op, self.val(a), self.val(b)))

    def eq(self, a: Num, b: Num) -> Mask:
        return self.cmp("==", a, b)

    def isnan(self, x: V) -> Mask:
        return Mask(self, self.b.fcmp_unordered("uno", x.v, x.v))

    def signbit(self, x: V) -> Mask:
        return Mask(self, self.b.icmp_signed("<", self.bits(x), self.ic(0)))

    def sel(self, m: Mask, a: Num, b: Num) -> V:
        return V(self, self.b.select(m.v, self.val(a), self.val(b)))

    def intrinsic(self, name: str, *args: Num) -> V:
        """Call `llvm.<name>` on this type (llvmlite's declare_intrinsic cannot mangle vectors)."""
        module = self.b.module
        full = f"llvm.{name}.{self._suffix}"
        fn = module.globals.get(full)
        if fn is None:
            fn = ir.Function(module, ir.FunctionType(self.fty, [self.fty] * len(args)), full)
        return V(self, self.b.call(fn, [self.val(a) for a in args]))

    def fma(self, a: Num, b: Num, c: Num) -> V:
        return self.intrinsic("fma", a, b, c)

    def abs(self, x: V) -> V:
        return self.intrinsic("fabs", x)

    def rint(self, x: V) -> V:
        return self.intrinsic("rint", x)

    def sqrt(self, x: V) -> V:
        return self.intrinsic("sqrt", x)

    def copysign(self, mag: Num, sign: Num) -> V:
        return self.intrinsic("copysign", mag, sign)

    def min(self, a: V, hi: float) -> V:
        """`min(a, hi)` that keeps NaN lanes NaN."""
        return self.sel(a > hi, hi, a)

    def max(self, a: V, lo: float) -> V:
        return self.sel(a < lo, lo, a)

    def clamp(self, a: V, lo: float, hi: float) -> V:
        return self.min(self.max(a, lo), hi)

    def horner(self, x: V, coeffs: Sequence[float]) -> V:
        """Polynomial with `coeffs` from the highest degree down, by fused Horner steps."""
        acc = self.c(coeffs[0])
        for k in coeffs[1:]:
            acc = self.fma(acc, x, k)
        return acc

    # Bit-level helpers. Integers live in same-width integer lanes; conversions use the magic
    # number trick so no fptosi/sitofp is needed (64-bit ones do not vectorize well on AVX2).

    def bits(self, x: V) -> ir.Value:
        return self.b.bitcast(x.v, self.ity)

    def from_bits(self, i: ir.Value) -> V:
        return V(self, self.b.bitcast(i, self.fty))

    def to_int(self, k: V) -> ir.Value:
        """An integer-valued float with |k| < 2**(mant-1) as an integer."""
        return self.b.sub(self.bits(k + self.fmt.magic), self.ic(self.fmt.magic_bits))

    def to_float(self, i: ir.Value) -> V:
        """A small integer (|i| < 2**(mant-1)) as a float."""
        return self.from_bits(self.b.add(i, self.ic(self.fmt.magic_bits))) - self.fmt.magic

    def pow2(self, i: ir.Value) -> V:
        """2**i for an integer i in the normal exponent range [1 - bias, bias]."""
        biased = self.b.add(i, self.ic(self.fmt.bias))
        return self.from_bits(self.b.shl(biased, self.ic(self.fmt.mant)))

    def ldexp(self, p: V, k: V) -> V:
        """p * 2**k for integer-valued k with |k| <= 2*bias - 2, rounding once (also to
        subnormals). With AVX-512, `llvm.ldexp` is one `vscalef`; elsewhere LLVM would call
        libm's ldexp per lane, so two exact power-of-two products do it."""
        if has_scalef():
            return self._ldexp_call(p, k)
        ki = self.to_int(k)
        k1 = self.b.ashr(ki, self.ic(1))
        return p * self.pow2(k1) * self.pow2(self.b.sub(ki, k1))

    def _ldexp_call(self, p: V, k: V) -> V:
        i32 = ir.IntType(32) if self.lanes is None else ir.VectorType(ir.IntType(32), self.lanes)
        full = f"llvm.ldexp.{self._suffix}.{'i32' if self.lanes is None else f'v{self.lanes}i32'}"
        module = self.b.module
        fn = module.globals.get(full) or ir.Function(
            module, ir.FunctionType(self.fty, [self.fty, i32]), full)
        ki = self.b.trunc(self.to_int(k), i32)  # defined for NaN lanes, unlike fptosi
        return V(self, self.b.call(fn, [self.val(p), ki]))

    def log_reduce(self, x: V) -> tuple[V, V]:
        """(k, f) with x = 2**k * (1 + f), sqrt(1/2) <= 1 + f < sqrt(2), for finite x > 0."""
        fmt = self.fmt
        sub = x < 2.0 ** (1 - fmt.bias)
        xs = self.sel(sub, x * 2.0 ** (fmt.mant + 2), x)
        t = self.b.sub(self.bits(xs), self.ic(fmt.sqrt_half_bits))
        mant = self.b.and_(t, self.ic((1 << fmt.mant) - 1))
        m = self.from_bits(self.b.add(mant, self.ic(fmt.sqrt_half_bits)))
        k = self.to_float(self.b.ashr(t, self.ic(fmt.mant)))
        return k + self.sel(sub, -(fmt.mant + 2.0), 0.0), m - 1.0

    def gather(self, table: ir.GlobalVariable, i: ir.Value) -> V:
        """table[i] for a scalar integer index (the loop vectorizer widens it to a gather)."""
        ptr = self.b.gep(table, [ir.Constant(ir.IntType(64), 0), i], inbounds=True)
        return V(self, self.b.load(ptr, typ=self.fty))

    def map_lanes(self, fn: ir.Function, x: V) -> V:
        """The scalar function `fn` applied to each lane of x (a call for scalars)."""
        if self.lanes is None:
            return V(self, self.b.call(fn, [x.v]))
        out = ir.Constant(self.fty, ir.Undefined)
        for lane in range(self.lanes):
            i = ir.Constant(ir.IntType(32), lane)
            y = self.b.call(fn, [self.b.extract_element(x.v, i)])
            out = self.b.insert_element(out, y, i)
        return V(self, out)

    def rarely(self, m: Mask, value: V, compute: Callable[[], V]) -> V:
        """`value`, replaced in the lanes of `m` by what `compute()` emits, which runs only when
        some lane of `m` is set (a branch, one per vector for vector types)."""
        cond = m.v
        if self.lanes is not None:
            mty = ir.VectorType(ir.IntType(1), self.lanes)
            name = f"llvm.vector.reduce.or.v{self.lanes}i1"
            fn = self.b.module.globals.get(name)
            if fn is None:
                fn = ir.Function(self.b.module, ir.FunctionType(ir.IntType(1), [mty]), name)
            cond = self.b.call(fn, [cond])
        start = self.b.block
        rare = self.b.append_basic_block("rare")
        join = self.b.append_basic_block("join")
        self.b.cbranch(cond, rare, join).set_weights([1, 1 << 20])
        self.b.position_at_end(rare)
        new = self.sel(m, compute(), value)
        rare_end = self.b.block
        self.b.branch(join)
        self.b.position_at_end(join)
        phi = self.b.phi(self.fty)
        phi.add_incoming(value.v, start)
        phi.add_incoming(new.v, rare_end)
        return V(self, phi)

    def low_bits(self, k: V, mask: int) -> ir.Value:
        """`int(k) & mask` for an integer-valued float k, as an integer."""
        return self.b.and_(self.bits(k + self.fmt.magic), self.ic(mask))

    def int_is(self, i: ir.Value, value: int) -> Mask:
        return Mask(self, self.b.icmp_signed("==", i, self.ic(value)))


def nan_pass(e: Emitter, x: V, y: V) -> V:
    """NaN in, the same NaN out: needed where bits of x are read (exponent extraction for logs
    and cbrt), which would turn a NaN into a number. Elsewhere NaN propagates arithmetically."""
    return e.sel(e.isnan(x), x, y)


def tiny_pass(e: Emitter, x: V, y: V, bound: float) -> V:
    """f(x) = x for |x| < bound: exact for functions with f(x) ~ x, and keeps -0 and subnormals."""
    return e.sel(e.abs(x) < bound, x, y)


def log_special(e: Emitter, x: V, y: V) -> V:
    """log(+-0) = -inf, log(<0) = NaN, log(inf) = inf, NaN passes."""
    y = e.sel(e.eq(x, 0.0), -math.inf, y)
    y = e.sel(x < 0.0, math.nan, y)
    y = e.sel(e.eq(x, math.inf), math.inf, y)
    return nan_pass(e, x, y)


def two_sum(a: V, b: V) -> tuple[V, V]:
    """s + e == a + b exactly, s = fl(a + b) (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def fast_two_sum(a: V, b: Num) -> tuple[V, V]:
    """s + e == a + b exactly when |a| >= |b| (Dekker)."""
    s = a + b
    return s, b - (s - a)


def taylor(fn, lo: int, hi: int) -> list[float]:
    """Coefficients fn(n) for n = hi down to lo, highest degree first (for `Emitter.horner`)."""
    return [fn(n) for n in range(hi, lo - 1, -1)]


def inv_factorial(n: int) -> float:
    return 1 / math.factorial(n)
