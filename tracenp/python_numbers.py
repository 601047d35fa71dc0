"""Operators on the Python numbers a trace stands in for (`int(x)`, `float(x)`, `x.item()`,
Python scalar arguments, and what operators make of them: weak 0-d values).

They compute as NumPy's int64 and float64 do; where Python's own numbers would do otherwise
for a value made from arrays, the compiled function raises Python's error when it runs
(arithmetic of Python scalar arguments alone is left unchecked, as before: the builtin entry
serves such calls, and a check is a step of its own): an int that leaves int64
(`PythonIntOverflowError`, an OverflowError: Python's ints are unbounded, so
`int(v) ** 17 % n` would wrap silently; `fallback=True` runs Python then),
a division, floor division or modulo by zero and zero to a negative power
(`ZeroDivisionError`, where NumPy gives inf, nan or 0), a negative shift count
(`ValueError`), an int to a negative traced int power (Python's is a float:
`DataDependentShapeError`, which `fallback=True` runs in Python). A Python int literal past int64 beside one is refused by name.
"""

from __future__ import annotations

import numpy as np

from . import errors
from .ops import Op

_INT64 = np.iinfo(np.int64)
POWER, _RIGHT_SHIFT = np.power, np.right_shift  # (while tracing, `np.power` is the traced one)
_WIDER = ("an int past int64 (Python's ints are unbounded; tracenp computes them in int64: "
          "use a NumPy integer type, whose arithmetic wraps, or pass fallback=True)")
# ufunc: (Python's error for an int divisor of zero, for a float one)
_BY_ZERO = {np.floor_divide: ("integer division or modulo by zero", "float floor division by zero"),
            np.remainder: ("integer modulo by zero", "float modulo"),
            np.true_divide: ("division by zero", "float division by zero")}


def is_python_number(v) -> bool:
    """A Python int or float, or a traced value standing for one."""
    if type(v) in (int, float):
        return True
    node = getattr(v, "node", None)  # (a tracer: this module is below `tracer`'s)
    return node is not None and v.weak and not node.shape and node.dtype.kind in "if"


def operate(ufunc, a, b, compute):
    """`compute()`, the operator's NumPy value for Python numbers `a` and `b`, with the
    checks Python's numbers need."""
    for v in (a, b):
        if type(v) is int and not _INT64.min <= v <= _INT64.max:
            raise errors.unsupported(f"A Python int literal past int64 ({v:#x}) beside a "
                                     f"traced Python int: {_WIDER}")
    from . import lax

    x, y = lax.lift(a), lax.lift(b)
    ints = x.dtype.kind == "i" and y.dtype.kind == "i"
    if ufunc is POWER and ints and y.node.op is not Op.CONST:  # `10 ** (k - 1)`: Python's
        lax.check(y < 0, "DataDependentShapeError", "A Python int to a negative traced "  # is
                  "int power: Python's result is a float there (a type the values decide); "
                  "write 10.0 ** k, or pass fallback=True")  # a float for a negative power
        result = lax.python_scalar(np.power(x, np.maximum(y, 0)), np.int64)
    else:
        result = compute()
    if _of_arguments(x) and _of_arguments(y):  # of Python scalar arguments and constants
        return result  # alone (`0.9 ** t`, Adam's step): unchecked, as NumPy's own values,
    # so that the builtin entry serves the call (a check is a step of its own)
    if ufunc in _BY_ZERO:
        lax.check(y == 0, "ZeroDivisionError", _BY_ZERO[ufunc][0 if ints else 1])
    elif ufunc is POWER:
        lax.check((x == 0) & (y < 0), "ZeroDivisionError",
                  "0.0 cannot be raised to a negative power")
        if ints:
            big = np.abs(x.astype(np.float64)) ** np.maximum(y, 0).astype(np.float64)
            lax.check((y >= 0) & (big >= 2.0 ** 63), "PythonIntOverflowError", _WIDER)
    elif ints and ufunc in _OVERFLOWS:
        lax.check(_OVERFLOWS[ufunc](x, y, result), "PythonIntOverflowError", _WIDER)
    elif ints and ufunc is _RIGHT_SHIFT:
        lax.check(y < 0, "ValueError", "negative shift count")
    return result


def _of_arguments(x) -> bool:
    """Whether `x` is a constant or computed from Python scalar arguments alone."""
    from . import ir

    return x.node.op is Op.CONST or ir.of_python_scalars(x.node)


def _added(a, b, r):
    return ((a ^ r) & (b ^ r)) < 0


def _subtracted(a, b, r):
    return ((a ^ b) & (a ^ r)) < 0


def _multiplied(a, b, r):
    """Past int64 where the wrapped product divided by `a` is not `b` (-1 apart)."""
    plain = (a != 0) & (a != -1)
    quotient = r // np.where(plain, a, 1)
    return (plain & (quotient != b)) | ((a == -1) & (b == _INT64.min))


def _shifted(a, b, r):
    """A negative count raises; past int64 where shifting back does not give `a`."""
    from . import lax

    lax.check(b < 0, "ValueError", "negative shift count")
    back = r >> np.clip(b, 0, 63)
    return (a != 0) & ((b >= 64) | (back != a))


_OVERFLOWS = {np.add: _added, np.subtract: _subtracted, np.multiply: _multiplied,
              np.left_shift: _shifted}


def modular_power(a, b, m):
    """Python's `pow(a, b, m)` of ints: squares and products reduced mod `m` at each step, as
    exact as `m * m` fits int64 (a product past it raises). A negative `b` (Python's modular
    inverse) is refused; `m == 0` raises Python's ValueError."""
    from . import lax

    if not all(is_python_number(v) and lax.lift(v).dtype.kind == "i" for v in (a, b, m)):
        raise TypeError("pow() 3rd argument not allowed unless all arguments are integers")
    if type(b) is int and b < 0:
        raise errors.unsupported("pow(a, b, m) with a negative b (a modular inverse) of a "
                                 "traced int")
    lax.check(lax.lift(m) == 0, "ValueError", "pow() 3rd argument cannot be 0")
    if type(b) is not int:
        lax.check(b < 0, "ValueError", "pow(a, b, m) with a negative b (a modular inverse) "
                  "is not computed by tracenp; pass fallback=True")
    safe = lax.python_scalar(np.where(lax.lift(m) == 0, 1, m), np.int64)
    result, base = 1 % safe, a % safe
    if type(b) is int:
        for k in range(b.bit_length()):
            if b >> k & 1:
                result = result * base % safe
            if b >> (k + 1):
                base = base * base % safe
        return result
    for k in range(63):  # a traced exponent: every bit of a non-negative int64
        result = lax.python_scalar(np.where((b >> k) & 1, result * base % safe, result),
                                   np.int64)
        base = base * base % safe
    return result


def _magnitude(x):
    """`|x|` as uint64 (`|int64 min|` too)."""
    from . import lax

    return lax.cast(np.abs(lax.lift(x)), np.uint64)


def _bit_length(x):
    """`int(v).bit_length()`: the bits of `|v|` up to its highest set one."""
    from . import lax

    u = _magnitude(x)
    return lambda: lax.python_scalar(sum(lax.cast(u >> np.uint64(k) != 0, np.int64)
                                         for k in range(64)), np.int64)


def _bit_count(x):
    """`int(v).bit_count()`: the set bits of `|v|`."""
    from . import lax

    u = _magnitude(x)
    return lambda: lax.python_scalar(sum(lax.cast((u >> np.uint64(k)) & np.uint64(1), np.int64)
                                         for k in range(64)), np.int64)


def _to_bytes(x):
    def refused(*args, **kwargs):
        raise errors.unsupported("int.to_bytes of a traced Python int")

    return refused


INT_METHODS = {"bit_length": _bit_length, "bit_count": _bit_count, "to_bytes": _to_bytes}
