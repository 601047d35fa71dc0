"""Python's `max` and `min` of traced scalars, while a function is traced; and `float`, `int`
and `bool` of them, where a trace is retried (`Conversion`).

`max(dp[c], dp[c - w] + v)`, `min(1.0, ratio)`, `max(x.min(), 0)` and `max(ratings.values())`
(of any iterable: a generator, a dict's values) compare with `>`, whose traced answer Python
cannot branch on, so they were refused. For scalars (0-d values) their
meaning is a fold, `result = item if item > result else result` from the first item on
(`<` for `min`), which a traced comparison and `np.where` compute exactly, NaN included: a
NaN item or result is kept or passed over as Python keeps or passes it. Arrays compared
whole (`max(row_a, row_b)`), a `key=`, and everything without a traced value go to Python's
own function, which raises or answers as it always does.
"""

from __future__ import annotations

import builtins

import numpy as np

from .ops import Op
from .tracer import Tracer

_MAX, _MIN = builtins.max, builtins.min
_NUMBERS = (int, float, np.integer, np.floating, np.bool_)
_PLAIN = frozenset({int, float})


def _fold(python, better, args, kwargs):
    key = kwargs.get("key")
    if set(kwargs) - {"key", "default"} or len(args) > 1 and "default" in kwargs:
        return python(*args, **kwargs)
    items = args if len(args) > 1 else args[0] if args else ()
    if "default" in kwargs and isinstance(items, (list, tuple)) and items:
        kwargs = {k: v for k, v in kwargs.items() if k != "default"}  # (unused: items)
    if isinstance(items, Tracer) and items.ndim == 1:
        items = [items[i] for i in range(items.shape[0])]
    elif not isinstance(items, (list, tuple)):
        if isinstance(items, Tracer) or not hasattr(items, "__iter__"):
            return python(*args, **kwargs)
        items = list(items)  # a generator or a dict's values, iterated once
        args = (items,)
    keys = items if key is None else [key(v) for v in items]
    scalars = all(not v.ndim if isinstance(v, Tracer) else isinstance(v, _NUMBERS)
                  for v in [*items, *keys])
    if not items or not scalars or not any(isinstance(v, Tracer) for v in [*items, *keys]):
        return python(*args, **kwargs)
    result, best = items[0], keys[0]  # the first of equal ones, as Python's
    for item, k in zip(items[1:], keys[1:]):
        take = better(k, best)
        result = np.where(take, item, result)
        best = result if key is None else np.where(take, k, best)
    return result.with_returns(_returns(items)) if isinstance(result, Tracer) else result


def _returns(items) -> str:
    """What the result comes back as: Python's max returns one of its items, so a Python
    number where all are, a 0-d array where all are, else a NumPy scalar."""
    kinds = {v.returns if isinstance(v, Tracer) and not v.weak else "python"
             if isinstance(v, (int, float, Tracer)) else "scalar" for v in items}
    return kinds.pop() if len(kinds) == 1 else "scalar"


def traced_max(*args, **kwargs):
    """`max` while a function is traced (of two Python numbers, Python's at once: tracenp's
    own code calls it too, a few times per traced index)."""
    if len(args) == 2 and type(args[0]) in _PLAIN and type(args[1]) in _PLAIN and not kwargs:
        return _MAX(*args)
    return _fold(_MAX, lambda item, result: item > result, args, kwargs)


def traced_min(*args, **kwargs):
    """`min` while a function is traced."""
    if len(args) == 2 and type(args[0]) in _PLAIN and type(args[1]) in _PLAIN and not kwargs:
        return _MIN(*args)
    return _fold(_MIN, lambda item, result: item < result, args, kwargs)


def _to_float(x: Tracer) -> Tracer:
    from . import lax

    return lax.python_scalar(x, np.float64)


def _to_int(x: Tracer) -> Tracer:
    """`int(x)`: toward zero; NaN and infinities raise as Python's do, and a value past
    int64 (a wider Python int) raises rather than wrap."""
    from . import lax

    if x.dtype.kind == "f":
        lax.check(np.isnan(x), "ValueError", "cannot convert float NaN to integer")
        lax.check(np.isinf(x), "OverflowError", "cannot convert float infinity to integer")
        x = np.trunc(x)
        lax.check(np.isfinite(x) & ((x < -2.0 ** 63) | (x >= 2.0 ** 63)),
                  "PythonIntOverflowError", "int() of a value past int64's range (Python's "
                  "would be a wider int; tracenp computes in int64)")
    return lax.python_scalar(x, np.int64)


def _to_complex(real: Tracer, imag=0.0) -> Tracer:
    """`complex(re, im)` of traced real parts (Numba's per-pixel `mandel`): each part set as
    Python sets it, so an infinite imaginary part makes no NaN of the real one (as
    `re + 1j * im` would)."""
    from . import lax

    real = lax.lift(real)
    if real.dtype.kind == "c":  # complex(a + bj, c) is a + (b + c)j
        real, imag = np.real(real), np.imag(real) + imag
    z = lax.lift(np.zeros((), np.complex128))
    z.real = lax.cast(real, np.float64)
    z.imag = lax.cast(lax.lift(imag), np.float64)
    return lax.python_scalar(z, np.complex128)


def _to_bool(x: Tracer) -> Tracer:
    from . import lax

    return lax.python_scalar(x != 0, np.bool_)


class Conversion:
    """A stand-in for `float`, `int` or `bool` in the traced function's modules while a trace
    is retried (`trace._outer_names`'s `capture`): called on a traced 0-d value it gives
    the weak traced Python scalar (`float(loss)`, `int(np.argmax(p))`, `bool(np.all(m))`),
    which the function returns as NumPy code's Python number; anything else gets the builtin's
    own answer. As a type it is the builtin: `isinstance(v, float)`, `dtype=float` (NumPy
    reads its `dtype`), `float("inf")`, `int.from_bytes`."""

    def __init__(self, python: type, convert, kinds: str, arity: int = 1):
        self._python, self._convert, self._kinds, self._arity = python, convert, kinds, arity
        self.dtype = np.dtype(python)

    def __call__(self, *args, **kwargs):
        traced = [a for a in args if isinstance(a, Tracer) and a.node.op is not Op.CONST]
        if traced and 1 <= len(args) <= self._arity and not kwargs and all(
                isinstance(a, (Tracer, float, int)) for a in args):
            if any(a.ndim for a in traced):
                raise TypeError("only 0-dimensional arrays can be converted to Python scalars")
            kinds = "fiubc" if self._python is complex else "fiub"
            if all(a.dtype.kind in kinds and not (a.dtype.kind == "u" and a.dtype.itemsize == 8)
                   for a in traced):
                return self._convert(*args)
        return self._python(*args, **kwargs)

    def __instancecheck__(self, obj) -> bool:
        """A weak traced scalar is the Python number it stands for (`_kinds`: its dtype's), and
        a NumPy float64 scalar is a `float`, as `np.float64` subclasses it."""
        if isinstance(obj, Tracer):
            if obj.ndim:
                return False
            if obj.weak:
                return obj.dtype.kind in self._kinds
            return self._python is float and obj.dtype == np.float64 and obj.returns == "scalar"
        return isinstance(obj, self._python)

    def __subclasscheck__(self, cls) -> bool:
        return issubclass(cls, self._python)

    def __getattr__(self, name: str):
        return getattr(self._python, name)

    def __eq__(self, other) -> bool:
        return other is self._python or other is self

    def __hash__(self) -> int:
        return hash(self._python)

    def __repr__(self) -> str:
        return repr(self._python)


class TypeOf:
    """A stand-in for `type` in the traced function's modules while it is traced: `type(x)`
    of a traced value is the class NumPy would hand back (`Tracer.user_class`: `float` for a
    Python float argument, `np.ndarray` for an array), so `type(alpha) is float` and
    `assert type(R) is np.ndarray` take NumPy's branch (they saw the tracer's class,
    silently, also under `fallback=True`); anything else gets the builtin's own answer, and
    as a type it is the builtin (`isinstance(cls, type)`)."""

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and not kwargs and isinstance(args[0], Tracer):
            from .numpy_api.scalar_types import bound_name

            return bound_name(args[0].user_class())  # `is np.float64` while tracing
        return type(*args, **kwargs)

    def __instancecheck__(self, obj) -> bool:
        return isinstance(obj, type) or obj is self

    def __subclasscheck__(self, cls) -> bool:
        return issubclass(cls, type)

    def __getattr__(self, name: str):
        return getattr(type, name)

    def __eq__(self, other) -> bool:
        return other is type or other is self

    def __hash__(self) -> int:
        return hash(type)

    def __repr__(self) -> str:
        return repr(type)


TYPE_OF = TypeOf()

CONVERSIONS = {"float": Conversion(float, _to_float, "f"), "int": Conversion(int, _to_int, "bi"),
               "bool": Conversion(bool, _to_bool, "b"),
               "complex": Conversion(complex, _to_complex, "c", arity=2)}
