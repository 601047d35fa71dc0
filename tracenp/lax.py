"""Tracer-level wrappers of the primitives: the only place the front end makes nodes.

Each function takes tracers (or anything `lift` accepts) and returns a tracer
over one new node; the op's `infer` rule checks the types. NumPy's surface in
`tracenp/numpy_api/` and the gradient rules in `tracenp/ops.py` are written on
top of these.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from . import ir
from .ops import Op
from .rewrite import sites


def bind(op: Op, *srcs, **params):
    from .tracer import Tracer

    node = ir.Node.make(op, tuple(lift(s).node for s in srcs), tuple(params.items()))
    sites.note(node)
    return Tracer(node)


def lift(x, dtype=None):
    """A tracer for `x`: tracers pass through, anything else becomes a constant."""
    from .tracer import Tracer

    if isinstance(x, Tracer):
        return x if dtype is None or x.dtype == dtype else cast(x, dtype)
    if isinstance(x, (bool, int, float, complex)) and dtype is None:
        return Tracer(ir.const(x, weak=True))
    return Tracer(ir.const(np.asarray(x, dtype=dtype)))


def is_tracer(x) -> bool:
    from .tracer import Tracer

    return isinstance(x, Tracer)


def cast(x, dtype):
    x = lift(x)
    dtype = np.dtype(dtype)
    if x.dtype == dtype and not x.weak:
        return x
    return bind(Op.CAST, x, dtype=dtype)


def where(c, a, b):
    return bind(Op.WHERE, c, a, b)


def reshape(x, shape: Sequence[int]):
    x = lift(x)
    shape = tuple(int(d) for d in shape)
    if shape == x.shape:
        return x
    return bind(Op.RESHAPE, x, shape=shape)


def transpose(x, perm: Sequence[int]):
    perm = tuple(int(p) for p in perm)
    if perm == tuple(range(len(perm))):
        return lift(x)
    return bind(Op.TRANSPOSE, x, perm=perm)


def broadcast_to(x, shape: Sequence[int]):
    x = lift(x)
    shape = tuple(shape)
    if x.shape == shape:
        return x
    return bind(Op.BROADCAST, x, shape=shape)


def slice_of(x, slices):
    """`x[start:stop:step, ...]` with one (start, stop, step) per dim."""
    x = lift(x)
    slices = tuple(tuple(s) for s in slices)
    if all(s == (None, None, None) for s in slices):
        return x
    return bind(Op.SLICE, x, slices=slices)


def slice_set(x, v, slices):
    """A copy of `x` with `x[slices] = v` (v broadcast to the slice, cast to x's dtype)."""
    x = lift(x)
    return bind(Op.SLICE_SET, x, cast(v, x.dtype), slices=tuple(tuple(s) for s in slices))


def pad(x, widths, value=0):
    x = lift(x)
    widths = tuple((int(lo), int(hi)) for lo, hi in widths)
    if all(w == (0, 0) for w in widths):
        return x
    return bind(Op.PAD, x, widths=widths, value=np.asarray(value, x.dtype).item())


def concat(xs, axis: int):
    xs = [lift(x) for x in xs]
    if len(xs) == 1:
        return xs[0]
    return bind(Op.CONCAT, *xs, axis=int(axis))


def gather(x, idx, axis: int):
    """`np.take_along_axis(x, idx, axis)` with broadcasting of the other dims."""
    return bind(Op.GATHER, x, cast(idx, np.intp), axis=int(axis))


def scatter(x, idx, upd, axis: int, mode: str):
    """A copy of `x` with `upd` put (mode "set", last wins) or added ("add") along `axis`."""
    x = lift(x)
    return bind(Op.SCATTER, x, cast(idx, np.intp), cast(upd, x.dtype), axis=int(axis), mode=mode)


def reduce(op: Op, x, axes: Sequence[int]):
    x = lift(x)
    axes = tuple(sorted(int(a) for a in axes))
    if op in (Op.MAX, Op.MIN):
        return bind(op, x, axes=axes, needs_identity=True)
    return bind(op, x, axes=axes)


def matmul(a, b):
    return bind(Op.MATMUL, a, b)


def einsum(spec: str, *xs):
    return bind(Op.EINSUM, *xs, spec=spec)


def linalg(name: str, *xs, out: int = 0, **kw):
    return bind(Op.LINALG, *xs, name=name, out=out, **kw)
