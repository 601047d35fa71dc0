"""Library steps prepared for their node: what the reference decides per call, decided once.

An op's NumPy reference (`OPS[op].ref`) takes any shapes, so it works out per call what
the node's types already say: whether a gather takes whole rows (one index array) or needs
a broadcast index tuple (`ops.gather_index`, `ops.scatter_index`: the reference and these
steps share them), the slice tuple of a write. In an unrolled loop those decisions cost
more than the NumPy call they choose (a gather 7.7 us against `x[idx]`'s 0.7, a scatter
13 us against 1.7). Each entry of `PREPARED` takes a node of concrete shapes and returns
a function of its operand arrays giving the reference's value; ops without an entry, and
nodes with unknown dims, use the reference itself.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..ir import Node
from ..ops import OPS, Op, gather_index, scatter_index


def library_call(n: Node, in_place: bool = False) -> tuple[Callable, bool]:
    """A function of the node's operand arrays computing its value as `OPS[n.op].ref`, and
    whether it is prepared (its result is always an array of the node's dtype and shape).
    `in_place`: a write (scatter, slice set) may store into its first operand's array and
    return it, which the caller allows when nothing else reads that array."""
    known = all(None not in s.shape for s in (n, *n.srcs))
    write = WRITES.get(n.op)
    if write is not None and known:
        into = write(n, **n.attrs)
        if in_place:
            return into, True
        return (lambda x, *rest: into(x.copy(order="K"), *rest)), True
    make = PREPARED.get(n.op)
    if make is not None and known:
        return make(n, **n.attrs), True
    ref, params = OPS[n.op].ref, dict(n.attrs)
    return (lambda *xs: ref(*xs, **params)), False


def _gather(n: Node, axis: int) -> Callable:
    index = gather_index(n.srcs[0].shape, n.srcs[1].shape, axis)
    return lambda x, idx: x[index(idx)]


def _scatter(n: Node, axis: int, mode: str) -> Callable:
    x, idx, upd = n.srcs
    if x.ndim == 1 and idx.shape == (1,) and upd.size == 1 and (
            mode == "set" or x.dtype.kind in "fc"):
        return _scatter_element(mode, upd.shape)
    index = scatter_index(x.shape, idx.shape, upd.shape, axis)
    if mode == "add":
        def scatter_add(out, idx, upd):
            np.add.at(out, index(idx), upd)
            return out

        return scatter_add

    def scatter_set(out, idx, upd):
        out[index(idx)] = upd
        return out

    return scatter_set


def _scatter_element(mode: str, upd_shape: tuple) -> Callable:
    """One element of a 1-D array set, or added to, as a loop's `out[i] = v` (`+= v`): by
    NumPy scalar indexing, a quarter of an index array's cost, with its bounds check and
    message. Integer adds keep `np.add.at`, which wraps where scalar arithmetic warns."""
    at = (0,) if upd_shape else ()
    if mode == "add":
        def add_element(out, idx, upd):
            out[idx[0]] += upd[at]
            return out

        return add_element

    def set_element(out, idx, upd):
        out[idx[0]] = upd[at]
        return out

    return set_element


def _slice_set(n: Node, slices: tuple) -> Callable:
    index = tuple(slice(*s) for s in slices)

    def slice_set(out, v):
        out[index] = v
        return out

    return slice_set


def _pad(n: Node, widths: tuple, value) -> Callable:
    """`np.pad(x, widths, constant_values=value)`: the fill as `np.pad` casts it (a NumPy
    scalar of `np.array(value)`'s type, assigned), then the array in the middle."""
    fill = np.array(value).ravel()[0]
    inner = tuple(slice(lo, lo + d) for (lo, _), d in zip(widths, n.srcs[0].shape))
    shape, dtype = n.shape, n.dtype

    def pad(x):
        out = np.empty(shape, dtype)
        out[...] = fill
        out[inner] = x
        return out

    return pad


PREPARED: dict[Op, Callable[..., Callable]] = {Op.GATHER: _gather, Op.PAD: _pad}
# Writes: the function stores into its first operand and returns it (`library_call` copies
# that operand first unless the write may take it).
WRITES: dict[Op, Callable[..., Callable]] = {Op.SCATTER: _scatter, Op.SLICE_SET: _slice_set}
