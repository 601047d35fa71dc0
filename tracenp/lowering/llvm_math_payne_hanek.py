"""Payne-Hanek reduction by pi/2 for arguments too large for Cody-Waite (|x| > TRIG_MAX).

x = m * 2**(E - 1023) with m in [1, 2) and E the biased exponent. Multiples of 4 in x * 2/pi do
not change sin or cos, so only the bits of 2/pi that make x * 2/pi non-integral modulo 4 are
needed: per exponent E, a table row holds G(E) = 2**(E - 1023) * 2/pi mod 2**54 as four
doubles of 53 bits each (weights 2**53 down to about 2**-159), and x * 2/pi = m * G(E)
(mod 4). The three leading products are exact (`fma`), the integer parts are removed exactly
as they appear, and the fraction is summed in double-double: its absolute error is about
2**-150, far below what the closest double to a multiple of pi/2 (about 2**-61 away) needs.
The row is a gathered load indexed by the exponent; everything else is straight-line.
"""

from __future__ import annotations

import functools

from llvmlite import ir

from .llvm_math_ir import PIO2, Emitter, V, fast_two_sum, two_sum

E_MIN = 1023 + 30
"""Smallest biased exponent in the table; smaller ones are clamped (and must not be used)."""
E_MAX = 2046
_CHUNK = 53
_ROWS = E_MAX - E_MIN + 1


def _two_over_pi(bits: int) -> int:
    """floor(2/pi * 2**bits), from Machin's formula in integer arithmetic (guard bits included)."""
    guard = 64
    one = 1 << (bits + guard)

    def arctan_inv(n: int) -> int:
        total, term, k, sign = 0, one // n, 1, 1
        while term:
            total += sign * (term // k)
            term //= n * n
            k += 2
            sign = -sign
        return total

    pi = 4 * (4 * arctan_inv(5) - arctan_inv(239))
    return (2 * one << (bits + guard)) // pi >> guard


@functools.cache
def table_values() -> tuple[float, ...]:
    """Row E - E_MIN: the four chunks of G(E) = 2**(E - 1023) * 2/pi mod 2**54, leading first
    (computed once per process: every kernel with sin, cos or tan holds the table)."""
    frac_bits = 4 * _CHUNK + 1 + 8  # below the unit: down to weight 2**-(159 + 8)
    top = E_MAX - 1023
    word = _two_over_pi(top + frac_bits)  # 2/pi * 2**(top + frac_bits)
    values = []
    for exp in range(E_MIN, E_MAX + 1):
        g = (word >> (top - (exp - 1023))) % (1 << (54 + frac_bits))  # G(E) * 2**frac_bits
        for j in range(4):
            shift = frac_bits + 54 - _CHUNK * (j + 1)
            chunk = (g >> shift) % (1 << _CHUNK) if j < 3 else g % (1 << (shift + _CHUNK))
            values.append(float(chunk) * 2.0 ** ((shift if j < 3 else 0) - frac_bits))
    return tuple(values)


def _table(module: ir.Module) -> ir.GlobalVariable:
    name = "tracenp.math.two_over_pi"
    existing = module.globals.get(name)
    if existing is not None:
        return existing
    ty = ir.ArrayType(ir.DoubleType(), 4 * _ROWS)
    table = ir.GlobalVariable(module, ty, name)
    table.initializer = ir.Constant(ty, list(table_values()))
    table.global_constant = True
    table.linkage = "internal"
    table.align = 32
    return table


def reduce(e: Emitter, x: V) -> tuple[V, V]:
    """(k, r) with x = k*pi/2 + r (k modulo 4, as a float in [-4, 4]), |r| <= ~pi/4, for finite
    double x with |x| >= 2**(E_MIN - 1023)."""
    bits = e.bits(x)
    exp = e.b.and_(e.b.lshr(bits, e.ic(52)), e.ic(0x7FF))
    exp = e.b.select(e.b.icmp_signed("<", exp, e.ic(E_MIN)), e.ic(E_MIN), exp)
    exp = e.b.select(e.b.icmp_signed(">", exp, e.ic(E_MAX)), e.ic(E_MAX), exp)
    row = e.b.shl(e.b.sub(exp, e.ic(E_MIN)), e.ic(2))
    m = e.from_bits(e.b.or_(e.b.and_(bits, e.ic(~(0x7FF << 52))), e.ic(1023 << 52)))
    table = _table(e.b.module)
    d = [e.gather(table, e.b.add(row, e.ic(j))) for j in range(4)]
    p0 = m * d[0]  # < 2**55, a multiple of 2**-51 like its exact error
    p0_err = e.fma(m, d[0], -p0)
    n0 = e.rint(p0)
    q0 = n0 - 4.0 * e.rint(n0 * 0.25)  # exact: n0 mod 4 in [-2, 2]
    a = (p0 - n0) + p0_err  # exact: a multiple of 2**-51 below 2.5
    p1 = m * d[1]
    p1_err = e.fma(m, d[1], -p1)
    b, b_err = two_sum(a, p1)
    n1 = e.rint(b)
    p2 = m * d[2]
    p2_err = e.fma(m, d[2], -p2)
    s1, e1 = two_sum(b - n1, p2)  # exact steps: the fraction may cancel to about 2**-61
    s2, e2 = two_sum(s1, b_err)
    s3, e3 = two_sum(s2, p1_err)
    f, f_lo = fast_two_sum(s3, ((e1 + e2) + (e3 + p2_err)) + m * d[3])
    r = f * PIO2[0]
    r_lo = e.fma(f, PIO2[0], -r) + (f * PIO2[1] + f_lo * PIO2[0])
    return q0 + n1, r + r_lo
