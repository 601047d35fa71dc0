"""Reroll: a loop that made one row of its result per iteration, as one computation on all rows.

`for i in range(n): out[i] = f(X[i])` traces as n copies of f's graph, each reading `X[i]`
(a slice and a reshape), joined by one concatenation (`lax.slice_set` joins the writes).
Where the copies are the same graph up to the row they read, at evenly spaced rows, the
concatenation is f applied once to those rows: each op of f gains a leading axis (an
elementwise op broadcasts its other operands over it, a reduction's axes shift by one, a
reshape, broadcast, slice (`row[i]`, element by element) or transpose keeps it, a gather
gathers along the next axis), so the compiled code is one
vectorized kernel instead of n small ones. Copies reading windows of one array
(`x[i:i + L]`) read them batched as one gather of the windows.
Every element is computed by the same ops on the same values as in the copies, so the
rewrite is exact. Anything else in the copies (a draw, another library call, a row index
used as a number) leaves the loop as it was.
"""

from __future__ import annotations

import numpy as np

from ..ir import Node, const
from ..ops import OPS, Op
from .pattern import Rule, RuleSet

_REDUCE = (Op.SUM, Op.PROD, Op.MAX, Op.MIN)
_MOVES = (Op.RESHAPE, Op.BROADCAST, Op.SLICE, Op.TRANSPOSE)  # views that gain a leading axis
_SEVERAL_RESULTS = (Op.FREXP, Op.MODF)
_MAX_GROUPS = 4096  # node groups batched per concatenation: keeps the rule's work bounded
_MAX_DEPTH = 200  # ops between a row's result and its reads: a recurrence (each copy reading
# the one before) is seen to differ within that many, without deep recursion
_SHARED = object()  # `_Batch.of`: the same node in every copy
_MAX_WINDOW_INDEX = 1 << 16  # elements of the index constant a batch of windows gathers by


def _reroll(concat: Node) -> Node | None:
    """The parts of a concatenation, each one copy's result with a unit axis made at the
    concatenation's axis (`out[i] = r`, `np.stack`, `np.column_stack`), batched; a first or
    last part that differs (`out[0] = x[0]` before the loop) stays a part of its own."""
    axis, parts = concat.attrs["axis"], concat.srcs
    rows = [_copy_result(p, axis) for p in parts]
    n = len(parts)
    if n >= 2 and _reads(rows[min(2, n - 1)], rows[min(2, n - 1) - 1]):
        return None  # a recurrence (Gauss-Seidel's `T[i, j] = f(T[i, j - 1], ...)`)
    for lo, hi in ((0, n), (1, n), (0, n - 1), (1, n - 1)):
        if hi - lo < (2 if hi - lo == n else 3) or any(r is None for r in rows[lo:hi]):
            continue
        run = _batched(rows[lo:hi], parts[lo], axis)
        if run is None:
            continue
        out = run if hi - lo == n else Node.make(
            Op.CONCAT, (*parts[:lo], run, *parts[hi:]), (("axis", axis),))
        return out if out.shape == concat.shape and out.dtype == concat.dtype else None
    return None


_MAX_SEEN = 4096  # nodes `_reads` looks through before it gives up


def _reads(node: Node | None, earlier: Node | None) -> bool:
    """Whether `node` is computed from `earlier`, looked for breadth first among the nodes
    nearest it: one copy reading the one before is a recurrence, which no batch computes,
    and finding it so is cheaper than the batch's walk through every copy's history."""
    if node is None or earlier is None:
        return False
    seen, level = {id(node)}, [node]
    while level and len(seen) < _MAX_SEEN:
        nxt = []
        for m in level:
            for src in m.srcs:
                if src is earlier:
                    return True
                if id(src) not in seen:
                    seen.add(id(src))
                    nxt.append(src)
        level = nxt
    return False


def _copy_result(part: Node, axis: int) -> Node | None:
    """The value a part is, reshaped to have a unit axis at `axis`, else None; a cast of it
    (`np.array` of Python floats, which makes them strong) is the cast of the value."""
    if part.op is Op.CAST and part.srcs[0].op is Op.RESHAPE:
        inner = _copy_result(part.srcs[0], axis)
        return None if inner is None else Node.make(Op.CAST, (inner,), part.params)
    s = part.srcs[0] if part.op is Op.RESHAPE else None
    if s is None or part.shape != s.shape[:axis] + (1,) + s.shape[axis:] and not (
            s.ndim == 0 and part.size == 1):  # `D[i, j] = d`: one element of a row
        return None
    return s


def _batched(rows: list[Node], part: Node, axis: int) -> Node | None:
    """`rows` batched, laid out as their parts would be concatenated along `axis`."""
    try:
        out = _Batch(len(rows)).of(rows)
    except RecursionError:  # called already deep in the stack: keep the loop
        return None
    if out is None or out is _SHARED:
        return None
    if rows[0].ndim == 0:  # elements along the axis, every other dim 1
        shape = part.shape[:axis] + (len(rows),) + part.shape[axis + 1:]
        return Node.make(Op.RESHAPE, (out,), (("shape", shape),))
    if axis:
        perm = (*range(1, axis + 1), 0, *range(axis + 1, out.ndim))
        return Node.make(Op.TRANSPOSE, (out,), (("perm", perm),))
    return out


class _Batch:
    """Copies of a graph batched into one along a new leading axis of `n`."""

    def __init__(self, n: int):
        self.n = n
        self.memo: dict[tuple, object] = {}
        self.depth = 0

    def of(self, nodes: list[Node]):
        """A node whose row k is `nodes[k]`, `_SHARED` if they are one node, or None."""
        first = nodes[0]
        if all(m is first for m in nodes):
            return _SHARED
        key = tuple(map(id, nodes))
        if key not in self.memo:
            if len(self.memo) >= _MAX_GROUPS or self.depth >= _MAX_DEPTH:
                return None
            self.depth += 1
            self.memo[key] = self._rows(nodes) or self._windows(nodes) or self._op(nodes)
            self.depth -= 1
        return self.memo[key]

    def _rows(self, nodes: list[Node]) -> Node | None:
        """`X[i0 + k*d]` for k in range(n): the slice `X[i0::d]` of n rows."""
        views = [m.srcs[0] if m.op is Op.RESHAPE else None for m in nodes]
        if any(v is None or v.op is not Op.SLICE or m.shape != v.shape[1:] or v.shape[0] != 1
               for m, v in zip(nodes, views)):
            return None
        base = views[0].srcs[0]
        length = base.shape[0]
        if length is None or any(v.srcs[0] is not base for v in views):
            return None
        rest = views[0].attrs["slices"][1:]
        starts = []
        for v in views:
            slices = v.attrs["slices"]
            start, stop, step = slice(*slices[0]).indices(length)
            if slices[1:] != rest or stop != start + 1 or step != 1:
                return None
            starts.append(start)
        d = starts[1] - starts[0]
        if d <= 0 or any(b - a != d for a, b in zip(starts, starts[1:])):
            return None
        sliced = Node.make(Op.SLICE, (base,),
                           (("slices", ((starts[0], starts[-1] + 1, d),) + tuple(rest)),))
        return Node.make(Op.RESHAPE, (sliced,), (("shape", (self.n,) + nodes[0].shape),))

    def _windows(self, nodes: list[Node]) -> Node | None:
        """`X[..., s_k:s_k + L, ...]` for k in range(n), slices of one array differing only
        in their start along one axis: one gather of the n windows."""
        first = nodes[0]
        base = first.srcs[0] if first.op is Op.SLICE else None
        if base is None or None in base.shape or any(
                m.op is not Op.SLICE or m.srcs[0] is not base or m.shape != first.shape
                for m in nodes):
            return None
        ranges = [[slice(*s).indices(n) for s, n in zip(m.attrs["slices"], base.shape)]
                  for m in nodes]
        if any(step != 1 for r in ranges for _, _, step in r):
            return None
        differ = [k for k in range(base.ndim) if any(r[k] != ranges[0][k] for r in ranges)]
        if len(differ) != 1:
            return None
        ax = differ[0]
        if self.n * first.shape[ax] > _MAX_WINDOW_INDEX:
            return None
        rest = tuple((0, n, 1) if k == ax else ranges[0][k] for k, n in enumerate(base.shape))
        x = base if all(r == (0, n, 1) for r, n in zip(rest, base.shape)) else \
            Node.make(Op.SLICE, (base,), (("slices", rest),))
        x = Node.make(Op.RESHAPE, (x,), (("shape", (1,) + x.shape),))
        starts = np.array([r[ax][0] for r in ranges], dtype=np.intp)
        offsets = np.arange(first.shape[ax], dtype=np.intp)
        idx = (starts[:, None] + offsets).reshape(
            (self.n,) + tuple(first.shape[ax] if k == ax else 1 for k in range(base.ndim)))
        return Node.make(Op.GATHER, (x, const(idx)), (("axis", ax + 1),))

    def _op(self, nodes: list[Node]) -> Node | None:
        """The same op on each copy's operands, on the batched operands."""
        first = nodes[0]
        op, params = first.op, first.params
        if any(m.op is not op or m.params != params or len(m.srcs) != len(first.srcs)
               or m.dtype != first.dtype or m.shape != first.shape for m in nodes):
            return None
        kind = OPS[op].kind
        if kind == "elementwise" and op not in _SEVERAL_RESULTS:
            srcs = []
            for j, src in enumerate(first.srcs):
                b = self.of([m.srcs[j] for m in nodes])
                if b is None:
                    return None
                if b is _SHARED:  # NumPy broadcasts it over the new axis too
                    srcs.append(src)
                    continue
                gap = first.ndim - src.ndim  # align the batched operand's dims on the right
                srcs.append(b if gap == 0 else Node.make(
                    Op.RESHAPE, (b,), (("shape", (self.n,) + (1,) * gap + src.shape),)))
            out = Node.make(op, srcs, params)
        elif op in _REDUCE or op in _MOVES:
            b = self.of([m.srcs[0] for m in nodes])
            if b is None or b is _SHARED:
                return None
            attrs = dict(params)
            if op in (Op.RESHAPE, Op.BROADCAST):
                attrs["shape"] = (self.n,) + tuple(attrs["shape"])
            elif op is Op.SLICE:  # `row[i]` of each copy's row: all rows, then the slice
                attrs["slices"] = ((0, self.n, 1),) + tuple(attrs["slices"])
            elif op is Op.TRANSPOSE:
                attrs["perm"] = (0,) + tuple(p + 1 for p in attrs["perm"])
            else:
                ndim = first.srcs[0].ndim
                attrs["axes"] = tuple(1 + a % ndim for a in attrs["axes"])
            out = Node.make(op, (b,), tuple(attrs.items()))
        elif op is Op.GATHER:  # along the next axis; a shared operand broadcasts over it
            srcs = []
            for j, src in enumerate(first.srcs):
                b = self.of([m.srcs[j] for m in nodes])
                if b is None:
                    return None
                srcs.append(b if b is not _SHARED else Node.make(
                    Op.RESHAPE, (src,), (("shape", (1,) + src.shape),)))
            out = Node.make(op, srcs, (("axis", first.attrs["axis"] + 1),))
        else:
            return None
        return out if out.shape == (self.n,) + first.shape and out.dtype == first.dtype \
            else None


REROLL = RuleSet("reroll", [
    Rule("concat(f(X[i0 + k*d]) for k) -> f(X[i0::d])  (an unrolled loop's rows, batched)",
         (Op.CONCAT,), _reroll),
])
