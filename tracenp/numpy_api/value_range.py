"""Bounds of the values of an integer node, known from how it was computed.

`np.bincount(labels, minlength=k)` has NumPy's length `k` when every label is below `k`,
which the graph often proves: `labels` is an `argmin` over `k` columns, a `np.digitize`
into `k - 1` bins, a `np.clip(i, 0, k - 1)`, `i % k`, and sums, products, floor quotients,
right shifts and masks (`&`) of such values. Such bincounts then trace as a
scatter-add instead of being refused as data-dependent. Only integer and bool nodes are
bounded: a float can be NaN, whose cast to an integer has no bound.
"""

from __future__ import annotations

import operator

import numpy as np

from .. import ir
from ..ops import Op

Bounds = tuple  # (lo, hi), each an int or None (unbounded on that side)


def value_bounds(node: ir.Node, memo: dict | None = None) -> Bounds:
    """(lo, hi) with lo <= every value of `node` <= hi; None where no bound is known.
    `memo` holds the bounds of the nodes seen, so a shared subgraph is visited once."""
    memo = {} if memo is None else memo
    if node not in memo:
        memo[node] = _bounds(node, memo)
    return memo[node]


def _bounds(node: ir.Node, memo: dict) -> Bounds:
    dt = node.dtype
    if dt.kind not in "biu":
        return (None, None)
    full = (0, 1) if dt == np.bool_ else (int(np.iinfo(dt).min), int(np.iinfo(dt).max))
    lo, hi = _rule(node, lambda n: value_bounds(n, memo))
    if (lo is not None and not full[0] <= lo <= full[1]) or (
            hi is not None and not full[0] <= hi <= full[1]):
        return full  # the computation wraps around in this dtype
    return _meet((lo, hi), full)


def _meet(a: Bounds, b: Bounds) -> Bounds:
    lo = b[0] if a[0] is None else a[0] if b[0] is None else max(a[0], b[0])
    hi = b[1] if a[1] is None else a[1] if b[1] is None else min(a[1], b[1])
    return lo, hi


def _rule(node: ir.Node, bounds) -> Bounds:
    op, srcs, p = node.op, node.srcs, node.attrs
    if None in node.shape or any(None in s.shape for s in srcs):  # symbolic dims
        return (None, None)
    if op is Op.CONST:
        v = np.asarray(p["value"].value)
        return (int(v.min()), int(v.max())) if v.size else (None, None)
    if op in (Op.ARGMAX, Op.ARGMIN):
        n = srcs[0].size if p["axis"] is None else srcs[0].shape[p["axis"]]
        return (0, n - 1) if n else (None, None)
    if op in (Op.ARGSORT, Op.ARGPARTITION):
        return (0, srcs[0].shape[p["axis"]] - 1)
    if op in (Op.RESHAPE, Op.TRANSPOSE, Op.BROADCAST, Op.SLICE, Op.STRIDED, Op.SORT,
              Op.PARTITION, Op.GATHER):
        return bounds(srcs[0])
    if op is Op.CAST:
        return bounds(srcs[0]) if srcs[0].dtype.kind in "biu" else (None, None)
    if op is Op.WHERE:
        (alo, ahi), (blo, bhi) = bounds(srcs[1]), bounds(srcs[2])
        return _both(min, alo, blo), _both(max, ahi, bhi)
    if op in (Op.MAXIMUM, Op.MINIMUM):
        return _extremum(op, bounds(srcs[0]), bounds(srcs[1]))
    if op is Op.SUM:
        return _sum(bounds(srcs[0]), srcs[0].size // max(node.size, 1))
    if op in (Op.ADD, Op.SUBTRACT):
        return _add(bounds(srcs[0]), bounds(srcs[1]), op is Op.SUBTRACT)
    if op is Op.REMAINDER:
        lo, hi = bounds(srcs[1])
        return (0, hi - 1) if lo is not None and lo > 0 else (None, None)
    if op is Op.MULTIPLY:  # row * width + col: a raster cell, a 2-d bin
        return _corners(operator.mul, bounds(srcs[0]), bounds(srcs[1]))
    if op is Op.FLOOR_DIVIDE:
        divisor = bounds(srcs[1])
        return _corners(operator.floordiv, bounds(srcs[0]), divisor) \
            if divisor[0] is not None and divisor[0] > 0 else (None, None)
    if op is Op.RIGHT_SHIFT:
        shift = bounds(srcs[1])
        return _corners(operator.rshift, bounds(srcs[0]), shift) \
            if shift[0] is not None and shift[0] >= 0 else (None, None)
    if op is Op.BITWISE_AND:  # h & (dim - 1): a hashed feature's bucket
        his = [hi for lo, hi in map(bounds, srcs) if lo is not None and lo >= 0 and hi is not None]
        return (0, min(his)) if his else (None, None)
    return (None, None)


def _corners(fn, a: Bounds, b: Bounds) -> Bounds:
    """Bounds of `fn` over two ranges, for an `fn` monotonic in each argument on them."""
    if None in a or None in b:
        return (None, None)
    values = [fn(u, v) for u in a for v in b]
    return min(values), max(values)


def _extremum(op, a: Bounds, b: Bounds) -> Bounds:
    if op is Op.MAXIMUM:  # at least either lower bound, at most the larger upper bound
        return _either(max, a[0], b[0]), _both(max, a[1], b[1])
    return _both(min, a[0], b[0]), _either(min, a[1], b[1])


def _both(pick, u, v):
    return None if None in (u, v) else pick(u, v)


def _either(pick, u, v):
    return v if u is None else u if v is None else pick(u, v)


def _sum(b: Bounds, n: int) -> Bounds:
    lo, hi = b
    return (None if lo is None else lo * n, None if hi is None else hi * n)


def _add(a: Bounds, b: Bounds, subtract: bool) -> Bounds:
    if subtract:
        b = (None if b[1] is None else -b[1], None if b[0] is None else -b[0])
    return (None if None in (a[0], b[0]) else a[0] + b[0],
            None if None in (a[1], b[1]) else a[1] + b[1])
