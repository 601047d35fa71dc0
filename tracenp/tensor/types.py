"""Typed symbolic inputs (`dmatrix`, `fvector`, `row`, `tensor3` ...) and how values enter them.

A constructor makes an input variable of a fixed dtype and rank; its dims are
unknown (None) except broadcastable ones, which are 1 (`row` is (1, None)).
`filter_value` converts what a caller passes for an input (or `set_value`
gives a shared variable) the way Theano does: lists and Python scalars are
converted when exact, arrays must cast safely unless downcasting is allowed,
and anything else is a TypeError that names the input. CuPy arrays stay on
their device (cast there when needed).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import ir
from ..config import config
from ..lowering.cupy import is_device_array
from .variable import Variable

PREFIXES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64", "f": "float32",
            "d": "float64", "c": "complex64", "z": "complex128"}
KINDS = {"scalar": (), "vector": (False,), "matrix": (False, False), "row": (True, False),
         "col": (False, True), **{f"tensor{n}": (False,) * n for n in range(3, 8)}}
PLURALS = {"scalar": "scalars", "vector": "vectors", "matrix": "matrices", "row": "rows",
           "col": "cols", **{f"tensor{n}": f"tensor{n}s" for n in range(3, 8)}}


def input_variable(name: str | None, dtype, broadcastable: Sequence[bool]) -> Variable:
    """A symbolic input: `dtype`, one dim per entry of `broadcastable` (True: length 1)."""
    dtype = np.dtype(config.floatX if dtype is None else dtype)
    shape = tuple(1 if b else None for b in broadcastable)
    return Variable(ir.leaf_input(name, dtype, shape), name)


def tensor(dtype=None, broadcastable: Sequence[bool] = (), name: str | None = None,
           shape: Sequence[int | None] | None = None) -> Variable:
    """A symbolic input of any rank: by `broadcastable` flags, or by `shape` (1 or None per dim)."""
    if shape is not None:
        broadcastable = tuple(d == 1 for d in shape)
    return input_variable(name, dtype, tuple(broadcastable))


def _generic(kind: str):
    flags = KINDS[kind]

    def make(name: str | None = None, dtype=None) -> Variable:
        return input_variable(name, dtype, flags)

    make.__name__ = kind
    make.__doc__ = f"A symbolic {kind} of `dtype` (default `config.floatX`)."
    return make


def _typed(prefix: str, kind: str):
    dtype, flags = PREFIXES[prefix], KINDS[kind]

    def make(name: str | None = None) -> Variable:
        return input_variable(name, dtype, flags)

    make.__name__ = prefix + kind
    make.__doc__ = f"A symbolic {dtype} {kind}."
    return make


def _plural(make):
    def many(*names: str) -> list[Variable]:
        if len(names) == 1 and isinstance(names[0], int):
            return [make() for _ in range(names[0])]
        if len(names) == 1 and isinstance(names[0], str) and "," in names[0]:
            names = tuple(n.strip() for n in names[0].split(","))
        return [make(n) for n in names]

    many.__doc__ = f"Several `{make.__name__}`s, one per name (or `n` unnamed ones)."
    return many


CONSTRUCTORS: dict = {}
for _kind in KINDS:
    CONSTRUCTORS[_kind] = _generic(_kind)
    CONSTRUCTORS[PLURALS[_kind]] = _plural(CONSTRUCTORS[_kind])
    for _p in PREFIXES:
        CONSTRUCTORS[_p + _kind] = _typed(_p, _kind)
        CONSTRUCTORS[_p + PLURALS[_kind]] = _plural(CONSTRUCTORS[_p + _kind])


# ----------------------------------------------------------------------------- values in


def filter_value(value, dtype: np.dtype, broadcastable: Sequence[bool], what: str,
                 allow_downcast: bool | None = None):
    """`value` as an array of `dtype` and rank `len(broadcastable)`, or a TypeError naming `what`.

    Arrays must cast safely (int64 into float64 is fine, float64 into int32 is
    not) unless `allow_downcast`; lists and Python scalars are converted when
    no value changes; with `allow_downcast=None`, a Python float may be rounded
    into a floatX scalar, as Theano allows.
    """
    dtype = np.dtype(dtype)
    is_array = isinstance(value, (np.ndarray, np.generic)) or is_device_array(value)
    try:
        given = value if is_device_array(value) else np.asarray(value)
    except (ValueError, TypeError) as e:
        raise TypeError(f"{what} expects a {dtype} array, but the value cannot be converted to "
                        f"an array: {e}") from None
    if given.dtype == object:
        raise TypeError(f"{what} expects a {dtype} array, got {type(value).__name__} "
                        f"(ragged nested lists or objects)")
    out = given if given.dtype == dtype else _cast(given, dtype, is_array, what, allow_downcast,
                                                   python_float=isinstance(value, float))
    if out.ndim != len(broadcastable):
        raise TypeError(f"{what} expects {len(broadcastable)} dimension(s) ({dtype}), got an "
                        f"array of shape {out.shape}; reshape the value or change the input type")
    for i, (b, n) in enumerate(zip(broadcastable, out.shape)):
        if b and n != 1:
            raise TypeError(f"{what}: dim {i} is broadcastable and must have length 1, got "
                            f"shape {out.shape}")
    return out


def _cast(given, dtype: np.dtype, is_array: bool, what: str,
          allow_downcast: bool | None, python_float: bool):
    if allow_downcast or np.can_cast(given.dtype, dtype, "safe"):
        return given.astype(dtype)
    if allow_downcast is None and python_float and dtype == np.dtype(config.floatX):
        return given.astype(dtype)
    if not is_array:
        try:
            with np.errstate(all="ignore"):
                converted = given.astype(dtype)
            if given.dtype.kind != "c" or dtype.kind == "c":
                if np.array_equal(converted, given, equal_nan=given.dtype.kind in "fc"):
                    return converted
        except (OverflowError, ValueError):
            pass
    raise TypeError(f"{what} is {dtype}, but the value given ({given.dtype}"
                    f"{'' if is_array else ' from a list or Python scalar'}) would lose data "
                    f"converted to {dtype}; cast it (np.asarray(value, dtype={dtype.name!r})) "
                    "or pass allow_input_downcast=True to function()")
