"""`tracenp.shared`: a named array that symbolic functions read and update between calls.

A shared variable is an input variable (a tracer over an INPUT node of fixed
dtype and rank, dims unknown) that also holds a value. Functions pass the
value in at each call without the caller naming it, and `updates=` write new
values back after the call.

As in Theano, the value lives on the GPU under `device=cuda`: it is stored as a
CuPy array when the flag is set at creation (or a CuPy array is given), or
from the first call of a function compiled for cuda that uses it. Updates
computed on the device then stay there; only `get_value()` copies to the host.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import ir
from .config import config
from .lowering.cupy import is_device_array, to_device, to_host
from .tensor.types import filter_value
from .tensor.variable import Variable


class SharedVariable(Variable):
    """A symbolic variable with a value; `get_value`/`set_value` read and write it."""

    __slots__ = ("_value",)

    def __init__(self, value, name: str | None, broadcastable: Sequence[bool]):
        shape = tuple(1 if b else None for b in broadcastable)
        super().__init__(ir.leaf_input(name, value.dtype, shape), name)
        self._value = value

    @property
    def on_device(self) -> bool:
        """Whether the value is stored on the GPU (a CuPy array)."""
        return is_device_array(self._value)

    def get_value(self, borrow: bool = False, return_internal_type: bool = False) -> Any:
        """The value as a NumPy array, copied from the device where it lives there.

        `return_internal_type`: the stored type instead (a CuPy array on the device).
        `borrow`: the stored array itself where no conversion is needed, so writing into
        it changes the variable; otherwise a copy.
        """
        if self.on_device and not return_internal_type:
            return to_host(self._value)
        return self._value if borrow else self._value.copy()

    def set_value(self, value, borrow: bool = False) -> None:
        """Replace the value: NumPy or CuPy, same dtype (safely castable) and rank; it is
        stored where the current value is (moved to the device or host if need be).
        Copied unless `borrow` and no move or cast was needed."""
        new = self._placed(filter_value(value, self.dtype, self.broadcastable, self.describe()))
        if new is value and not borrow:
            new = new.copy()
        self._value = new

    def move_to_device(self) -> None:
        """Store the value on the GPU from now on (a function compiled for cuda reads it)."""
        if not self.on_device:
            self._value = to_device(self._value)

    def store(self, value) -> None:
        """Store a value a function computed (already checked), where the value lives: no
        copy when it is already there, so device updates never visit the host."""
        self._value = self._placed(value)

    def _placed(self, value):
        return to_device(value) if self.on_device else to_host(value)

    @property
    def value(self) -> np.ndarray:
        return self.get_value()

    def __repr__(self) -> str:
        return f"SharedVariable({self.name or 'unnamed'}:{self.type})"


def shared(value, name: str | None = None, borrow: bool = False,
           broadcastable: Sequence[bool] | None = None) -> SharedVariable:
    """A shared variable holding `value` (an array, list or scalar); copied unless `borrow`.

    Under `device=cuda`, or given a CuPy array, the value is stored on the GPU.
    """
    if isinstance(value, np.ndarray) or is_device_array(value):
        arr = value if borrow else value.copy()
    else:
        arr = np.array(value)
        if arr.dtype == object:
            raise TypeError(f"shared() takes an array, a list or a scalar, not "
                            f"{type(value).__name__}")
    flags = tuple(broadcastable) if broadcastable is not None else (False,) * arr.ndim
    if len(flags) != arr.ndim or any(b and n != 1 for b, n in zip(flags, arr.shape)):
        raise ValueError(f"broadcastable={flags} does not fit a value of shape {arr.shape}")
    if config.device.startswith("cuda"):
        arr = to_device(arr)
    return SharedVariable(arr, name, flags)
