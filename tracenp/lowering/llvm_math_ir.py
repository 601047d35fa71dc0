"""Double-precision IR building blocks for the vectorizable math in `llvm_math`.

`Emitter` wraps an `IRBuilder` and one type (`double` or `<N x double>`) so that the
approximations read as arithmetic: `V` values overload `+ - * /` and comparisons, and
constants are splatted to the vector width. Everything it emits is straight-line code:
arithmetic, integer bit manipulation, `select`, and intrinsics with native vector forms.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from llvmlite import ir

F64 = ir.DoubleType()
I64 = ir.IntType(64)

MAGIC = 6755399441055744.0  # 1.5 * 2**52: adding it leaves a small integer in the low mantissa bits
_MAGIC_BITS = 0x4338000000000000
_SQRT_HALF_BITS = 0x3FE6A09E667F3BCD  # sqrt(0.5)
_MANT_MASK = (1 << 52) - 1

LN2 = (0.6931471805599453, 2.3190468138462996e-17)  # ln 2 as a double-double
LN2_32 = (6.93147180369123816490e-01, 1.90821492927058770002e-10)  # hi has 32 bits: k*hi exact
LOG2E = (1.4426950408889634, 2.0355273740931033e-17)
PIO2 = (1.5707963267948966, 6.123233995736766e-17, -1.4973849048591698e-33)
PI = (3.141592653589793, 1.2246467991473532e-16)


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
    """Emits `double` or `<lanes x double>` code at `builder`'s position."""

    def __init__(self, builder: ir.IRBuilder, lanes: int | None):
        self.b = builder
        self.lanes = lanes
        self.fty = F64 if lanes is None else ir.VectorType(F64, lanes)
        self.ity = I64 if lanes is None else ir.VectorType(I64, lanes)
        self._suffix = "f64" if lanes is None else f"v{lanes}f64"

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

    # Bit-level helpers. Integers live in i64 lanes; conversions use the MAGIC trick so no
    # fptosi/sitofp on 64-bit lanes is needed (those do not vectorize well on AVX2).

    def bits(self, x: V) -> ir.Value:
        return self.b.bitcast(x.v, self.ity)

    def from_bits(self, i: ir.Value) -> V:
        return V(self, self.b.bitcast(i, self.fty))

    def to_int(self, k: V) -> ir.Value:
        """An integer-valued double with |k| < 2**51 as an i64."""
        return self.b.sub(self.bits(k + MAGIC), self.ic(_MAGIC_BITS))

    def to_double(self, i: ir.Value) -> V:
        """A small i64 (|i| < 2**51) as a double."""
        return self.from_bits(self.b.add(i, self.ic(_MAGIC_BITS))) - MAGIC

    def pow2(self, i: ir.Value) -> V:
        """2**i for an i64 i in the normal exponent range [-1022, 1023]."""
        return self.from_bits(self.b.shl(self.b.add(i, self.ic(1023)), self.ic(52)))

    def ldexp(self, p: V, k: V) -> V:
        """p * 2**k for integer-valued k with |k| <= 2044, rounding once (also to subnormals)."""
        ki = self.to_int(k)
        k1 = self.b.ashr(ki, self.ic(1))
        return p * self.pow2(k1) * self.pow2(self.b.sub(ki, k1))

    def log_reduce(self, x: V) -> tuple[V, V]:
        """(k, f) with x = 2**k * (1 + f), sqrt(1/2) <= 1 + f < sqrt(2), for finite x > 0."""
        sub = x < 2.0**-1022
        xs = self.sel(sub, x * 2.0**54, x)
        t = self.b.sub(self.bits(xs), self.ic(_SQRT_HALF_BITS))
        mant = self.b.and_(t, self.ic(_MANT_MASK))
        m = self.from_bits(self.b.add(mant, self.ic(_SQRT_HALF_BITS)))
        k = self.to_double(self.b.ashr(t, self.ic(52))) + self.sel(sub, -54.0, 0.0)
        return k, m - 1.0

    def low_bits(self, k: V, mask: int) -> ir.Value:
        """`int(k) & mask` for an integer-valued double k, as an i64."""
        return self.b.and_(self.bits(k + MAGIC), self.ic(mask))

    def int_is(self, i: ir.Value, value: int) -> Mask:
        return Mask(self, self.b.icmp_signed("==", i, self.ic(value)))


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
