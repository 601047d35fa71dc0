"""`np.packbits` and `np.unpackbits` as shifts, masks and sums: elementwise work over a known
shape (the packed length is the operand's, rounded up to whole bytes)."""

from __future__ import annotations

import numpy as np

from .. import lax
from ..shapes import normalize_axis
from . import implements

_ORDERS = ("big", "little")


def _bit_shifts(bitorder: str, trailing: int, like) -> np.ndarray:
    """The shift of each of a byte's 8 bits, in `bitorder`, along an axis with `trailing` dims
    after it."""
    if bitorder not in _ORDERS:
        raise ValueError("'order' must be either 'little' or 'big'")
    shifts = np.arange(8, dtype=like) if bitorder == "little" else np.arange(7, -1, -1, dtype=like)
    return shifts.reshape((8,) + (1,) * trailing)


@implements(np.unpackbits)
def unpackbits(a, /, axis=None, count=None, bitorder="big"):
    x = lax.lift(a)
    if x.dtype != np.uint8:
        raise TypeError("Expected an input array of unsigned byte data type")
    if axis is None:
        x, axis = np.ravel(x), 0
    axis = normalize_axis(axis, x.ndim)
    shifts = _bit_shifts(bitorder, x.ndim - axis - 1, np.uint8)
    bits = np.bitwise_and(np.right_shift(np.expand_dims(x, axis + 1), shifts), np.uint8(1))
    n = x.shape[axis] * 8
    bits = lax.reshape(bits, x.shape[:axis] + (n,) + x.shape[axis + 1:])
    if count is None:
        return bits
    keep = int(count) if count >= 0 else max(n + int(count), 0)
    if keep <= n:
        return lax.slice_of(bits, tuple((0, keep, 1) if d == axis else (None, None, None)
                                        for d in range(bits.ndim)))
    return lax.pad(bits, tuple((0, keep - n) if d == axis else (0, 0) for d in range(bits.ndim)))


@implements(np.packbits)
def packbits(a, /, axis=None, bitorder="big"):
    x = lax.lift(a)
    if x.dtype.kind not in "biu":
        raise TypeError("Expected an input array of integer or boolean data type")
    if axis is None:
        x, axis = np.ravel(x), 0
    axis = normalize_axis(axis, x.ndim)
    n = x.shape[axis]
    m = -(-n // 8)
    bits = lax.cast(np.not_equal(x, 0), np.uint8)
    bits = lax.pad(bits, tuple((0, 8 * m - n) if d == axis else (0, 0) for d in range(x.ndim)))
    bits = lax.reshape(bits, x.shape[:axis] + (m, 8) + x.shape[axis + 1:])
    weights = np.left_shift(np.uint8(1), _bit_shifts(bitorder, x.ndim - axis - 1, np.uint8))
    return np.sum(np.multiply(bits, weights), axis=axis + 1, dtype=np.uint8)
