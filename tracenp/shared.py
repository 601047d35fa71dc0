"""`tracenp.shared`: a named array that symbolic functions read and update between calls.

A shared variable is an input variable (a tracer over an INPUT node of fixed
dtype and rank, dims unknown) that also holds a value. Functions pass the
value in at each call without the caller naming it, and `updates=` write new
values back after the call.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from . import ir
from .tensor.types import filter_value
from .tensor.variable import Variable


class SharedVariable(Variable):
    """A symbolic variable with a value; `get_value`/`set_value` read and write it."""

    __slots__ = ("_value",)

    def __init__(self, value: np.ndarray, name: str | None, broadcastable: Sequence[bool]):
        shape = tuple(1 if b else None for b in broadcastable)
        super().__init__(ir.leaf_input(name, value.dtype, shape), name)
        self._value = value

    def get_value(self, borrow: bool = False, return_internal_type: bool = False) -> np.ndarray:
        """The value; a copy unless `borrow` (then writing into it changes the variable)."""
        return self._value if borrow else self._value.copy()

    def set_value(self, value, borrow: bool = False) -> None:
        """Replace the value; same dtype (safely castable) and rank. Copied unless `borrow`."""
        new = filter_value(value, self.dtype, self.broadcastable, self.describe())
        if new is value and not borrow:
            new = new.copy()
        self._value = new

    @property
    def value(self) -> np.ndarray:
        return self.get_value()

    def __repr__(self) -> str:
        return f"SharedVariable({self.name or 'unnamed'}:{self.type})"


def shared(value, name: str | None = None, borrow: bool = False,
           broadcastable: Sequence[bool] | None = None) -> SharedVariable:
    """A shared variable holding `value` (an array, list or scalar); copied unless `borrow`."""
    if isinstance(value, np.ndarray):
        arr = value if borrow else value.copy()
    else:
        arr = np.array(value)
        if arr.dtype == object:
            raise TypeError(f"shared() takes an array, a list or a scalar, not "
                            f"{type(value).__name__}")
    flags = tuple(broadcastable) if broadcastable is not None else (False,) * arr.ndim
    if len(flags) != arr.ndim or any(b and n != 1 for b, n in zip(flags, arr.shape)):
        raise ValueError(f"broadcastable={flags} does not fit a value of shape {arr.shape}")
    return SharedVariable(arr, name, flags)
