"""Simplify: rewrites that are exact under NumPy semantics, bit for bit, for every input.

Each rule holds for NaN, +-inf, signed zeros and integer wrap-around in the
dtypes it accepts (`docs/rewrites.md` gives the argument for each). What is
not exact is not here: `x - x -> 0` (NaN, inf), `x + 0.0 -> x` (-0.0 + 0.0
is +0.0), float sums of broadcasts (summation order). CSE needs no rule
(nodes are interned) and neither does dead-code removal (a rewritten graph
holds only what its outputs reach).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..ir import Node, const
from ..shapes import compose_slices
from ..ops import OPS, Op
from .pattern import C, P, Rule, RuleSet, V, ew, is_float, is_real, like, rule
from .reassociate import EXACT_CHAINS

X, Y = V("x"), V("y")
FOLD_MAX_IN = 1 << 16  # elements a fold may read: folding stays cheap


def _fold(node: Node) -> Node | None:
    """Evaluate a node of constants with its NumPy reference (exact: it is what would run).

    Elementwise ops see through broadcasts of constants: f(broadcast(c)) -> broadcast(f(c)).
    """
    if not node.srcs or node.size is None:
        return None
    ew = OPS[node.op].kind == "elementwise"
    srcs = [s.srcs[0] if ew and s.op is Op.BROADCAST else s for s in node.srcs]
    if any(s.op is not Op.CONST for s in srcs):
        return None
    biggest = max(s.size for s in srcs)
    if biggest > FOLD_MAX_IN:
        return None
    args = [s.params[0][1].value for s in srcs]
    try:
        with warnings.catch_warnings(), np.errstate(all="raise"):
            warnings.simplefilter("error")
            value = np.asarray(OPS[node.op].ref(*args, **node.attrs))
    except Exception:  # it warns or raises: leave that to run time, where NumPy does it
        return None
    if value.size > biggest:  # a broadcast stays a broadcast: constants stay small
        return None
    out = const(value, weak=node.weak)
    return out if out.shape == node.shape else \
        Node.make(Op.BROADCAST, (out,), (("shape", node.shape),))


FOLDABLE = tuple(op for op, d in OPS.items() if d.kind in ("elementwise", "reduce", "scan",
                                                          "movement"))
FOLD = Rule("fold constants: f(c1, c2, ...) -> c", FOLDABLE, _fold)


# ----------------------------------------------------------------------------- arithmetic

ARITH = [
    rule("x * 1 -> x", P(Op.MULTIPLY, X, C(1, "biuf")), lambda x: x),
    rule("x / 1 -> x", P(Op.DIVIDE, X, C(1, "f")), lambda x: x),
    rule("x + 0 -> x  (integers, bool)", P(Op.ADD, X, C(0, "biu")), lambda x: x),
    rule("x + -0.0 -> x", P(Op.ADD, X, C(-0.0, "f")), lambda x: x),
    rule("x - 0 -> x", P(Op.SUBTRACT, X, C(0, "biuf")), lambda x: x),
    rule("-(-x) -> x", P(Op.NEGATIVE, P(Op.NEGATIVE, X)), lambda x: x),
    rule("x + (-y) -> x - y", P(Op.ADD, X, P(Op.NEGATIVE, Y)), lambda x, y: ew(Op.SUBTRACT, x, y)),
    rule("x - (-y) -> x + y", P(Op.SUBTRACT, X, P(Op.NEGATIVE, Y)), lambda x, y: ew(Op.ADD, x, y)),
    rule("x ** 1 -> x", P(Op.POWER, X, C(1, "iuf")), lambda x: x),
    rule("x ** 2 -> x * x", P(Op.POWER, X, C(2, "iuf")), lambda x: ew(Op.MULTIPLY, x, x)),
    rule("x ** 0.5 -> sqrt(x)  (float32, float64)",
         P(Op.POWER, X, C(0.5, "f")),
         lambda x: ew(Op.SQRT, x) if x.dtype != np.float16 else None),
    rule("x ** -1 -> 1 / x", P(Op.POWER, X, C(-1, "f")),
         lambda x: ew(Op.DIVIDE, like(1, x), x)),
    rule("square(x) -> x * x", P(Op.SQUARE, X),
         lambda x: ew(Op.MULTIPLY, x, x) if is_real(x) else None),
    rule("reciprocal(x) -> 1 / x", P(Op.RECIPROCAL, X),
         lambda x: ew(Op.DIVIDE, like(1, x), x) if is_float(x) else None),
]


# ----------------------------------------------------------------------------- casts

def holds_exactly(src: np.dtype, dst: np.dtype) -> bool:
    """True when every value of `src` is a value of `dst` (a round trip loses nothing)."""
    if src == dst or src.kind == "b":
        return True
    if dst.kind == "b":
        return False
    if src.kind in "iu" and dst.kind in "iu":
        if src.kind == dst.kind:
            return dst.itemsize >= src.itemsize
        return src.kind == "u" and dst.kind == "i" and dst.itemsize > src.itemsize
    if src.kind in "iu" and dst.kind in "fc":
        bits = src.itemsize * 8 - (src.kind == "i")
        return np.finfo(dst).nmant + 1 >= bits
    if src.kind == "f" and dst.kind in "fc":
        return np.finfo(dst).nmant >= np.finfo(src).nmant and \
            np.finfo(dst).maxexp >= np.finfo(src).maxexp
    if src.kind == "c" and dst.kind == "c":
        return dst.itemsize >= src.itemsize
    return False


def _cast_chain(x: Node, mid: Node, dtype) -> Node | None:
    """cast(cast(x, a), b) -> cast(x, b) when `a` holds x exactly and the last step is the same."""
    src, a, b = x.dtype, mid.dtype, np.dtype(dtype)
    if not holds_exactly(src, a):
        return None
    if src.kind == "f" and b.kind in "biu":  # float -> int is undefined out of range: keep it
        return None
    if src.kind == "c" and b.kind != "c":
        return None
    return x if b == src and not x.weak else Node.make(Op.CAST, (x,), (("dtype", b),))


def _cast_same(x: Node, c: Node) -> Node | None:
    return x if x.dtype == c.attrs["dtype"] else None


CASTS = [
    rule("cast(x, dtype(x)) -> x", P(Op.CAST, X, name="c"), _cast_same),
    rule("cast(cast(x, a), b) -> cast(x, b)  where a holds every value of x",
         P(Op.CAST, P(Op.CAST, X, name="mid"), name="c"),
         lambda x, mid, c: _cast_chain(x, mid, c.attrs["dtype"])),
]


# ----------------------------------------------------------------------------- movement

def _transposes(x: Node, inner: Node, outer: Node) -> Node:
    p, q = inner.attrs["perm"], outer.attrs["perm"]
    perm = tuple(p[i] for i in q)
    if perm == tuple(range(len(perm))):
        return x
    return Node.make(Op.TRANSPOSE, (x,), (("perm", perm),))


def _reshape(x: Node, r: Node) -> Node:
    if x.shape == r.shape:
        return x
    return Node.make(Op.RESHAPE, (x,), (("shape", r.shape),))


def _slices(x: Node, inner: Node, outer: Node) -> Node | None:
    if any(d is None for d in x.shape):
        return None
    sl = tuple(compose_slices(n, a, b) for n, a, b in
               zip(x.shape, inner.attrs["slices"], outer.attrs["slices"]))
    return Node.make(Op.SLICE, (x,), (("slices", sl),))


def _full_slice(x: Node, s: Node) -> Node | None:
    return x if x.shape == s.shape and all(st in (None, 1) for _, _, st in s.attrs["slices"]) \
        else None


def _overwritten(x: Node, y: Node, s: Node) -> Node | None:
    """`x[:] = y` over every element of `x` (an unrolled loop's `out = np.empty_like(a)`,
    then `out[i] = ...` joined into one write): the result is `y` (already of x's dtype)."""
    if y.dtype != x.dtype or any(d is None for d in x.shape) or any(
            slice(*sl).indices(n) != (0, n, 1) for n, sl in zip(x.shape, s.attrs["slices"])):
        return None
    return _broadcasts(y, x)


def _kept_gather(a: Node, c: Node, g: Node, s: Node, r: Node | None = None) -> Node | None:
    """A slice of a 1-D gather by constant indices, reshaped or not
    (`sliding_window_view(x, n)[::hop]`, whose gather of every window a frame step then
    thins out): a gather of the elements the slice keeps, by the sliced indices."""
    if a.ndim != 1 or g.attrs["axis"] != 0 or None in s.shape:
        return None
    idx = c.params[0][1].value
    if r is not None:
        idx = idx.reshape(r.attrs["shape"])
    kept = idx[tuple(slice(*sl) for sl in s.attrs["slices"])]
    if kept.size >= idx.size:
        return None
    flat = Node.make(Op.GATHER, (a, const(np.ascontiguousarray(kept).reshape(-1))),
                     (("axis", 0),))
    return flat if kept.ndim == 1 else Node.make(Op.RESHAPE, (flat,), (("shape", kept.shape),))


def _broadcasts(x: Node, b: Node) -> Node:
    return x if x.shape == b.shape else Node.make(Op.BROADCAST, (x,), (("shape", b.shape),))


def _is_const(n: Node) -> bool:
    return n.op is Op.CONST


MOVEMENT = [
    rule("transpose(transpose(x, p), q) -> transpose(x, p[q])",
         P(Op.TRANSPOSE, P(Op.TRANSPOSE, X, name="inner"), name="outer"), _transposes),
    rule("reshape(reshape(x)) -> reshape(x)",
         P(Op.RESHAPE, P(Op.RESHAPE, X), name="r"), _reshape),
    rule("reshape(x, shape(x)) -> x", P(Op.RESHAPE, X, name="r"),
         lambda x, r: x if x.shape == r.shape else None),
    rule("x[a][b] -> x[a∘b]", P(Op.SLICE, P(Op.SLICE, X, name="inner"), name="outer"), _slices),
    rule("x[:, ::1] -> x", P(Op.SLICE, X, name="s"), _full_slice),
    rule("x[:] = y over all of x -> y", P(Op.SLICE_SET, X, Y, name="s"), _overwritten),
    rule("broadcast(broadcast(x)) -> broadcast(x)",
         P(Op.BROADCAST, P(Op.BROADCAST, X), name="b"), _broadcasts),
    rule("gather(a, c)[s] -> gather(a, c[s])  (c constant)",
         P(Op.SLICE, P(Op.GATHER, V("a"), V("c", _is_const), name="g"), name="s"),
         _kept_gather),
    rule("reshape(gather(a, c))[s] -> reshape(gather(a, reshape(c)[s]))  (c constant)",
         P(Op.SLICE, P(Op.RESHAPE, P(Op.GATHER, V("a"), V("c", _is_const), name="g"),
                       name="r"), name="s"), _kept_gather),
]


_ROW_ELEMENTS = 16  # a row read element by element when it is no concatenation of them


def _row_elements(row: Node) -> list[Node] | None:
    """The one-element nodes a short 1-D row is made of: the parts of a concatenation of
    elements, a constant's elements, else one-element slices of it; None for a long row."""
    if row.ndim != 1 or None in row.shape:
        return None
    if row.op is Op.CONCAT and all(e.size == 1 for e in row.srcs):
        return [e if e.shape == (1,) else Node.make(Op.RESHAPE, (e,), (("shape", (1,)),))
                for e in row.srcs]
    if row.size > _ROW_ELEMENTS:
        return None
    if row.op is Op.CONST:
        value = row.params[0][1].value
        return [const(value[j:j + 1]) for j in range(len(value))]
    return [Node.make(Op.SLICE, (row,), (("slices", ((j, j + 1, 1),)),))
            for j in range(row.size)]


def _rows_of_elements(n: Node) -> Node | None:
    """`np.array([[a, b], [c, d]])` of traced scalars stacks rows that are each a
    concatenation of elements (a library step per row): one concatenation of all the
    elements, reshaped, whose parts are cells the kernels stored."""
    if n.attrs["axis"] != 0 or n.ndim < 2 or None in n.shape or len(n.srcs) < 2:
        return None
    elements: list[Node] = []
    joined = False  # some row is a concatenation of elements (else the rows stay whole)
    for r in n.srcs:
        if r.op is Op.CAST:  # a row of ints among rows of floats
            r = r.srcs[0]
        row = r.srcs[0] if r.op is Op.RESHAPE and r.shape[0] == 1 else None
        found = _row_elements(row) if row is not None else None
        if found is None:
            return None
        joined = joined or row.op is Op.CONCAT
        elements += [e if e.dtype == n.dtype and not e.weak else
                     Node.make(Op.CAST, (e,), (("dtype", n.dtype),)) for e in found]
    if not joined:
        return None
    flat = Node.make(Op.CONCAT, tuple(elements), (("axis", 0),))
    return Node.make(Op.RESHAPE, (flat,), (("shape", n.shape),))


ROWS = Rule("concat(rows of elements) -> reshape(concat(elements))", (Op.CONCAT,),
            _rows_of_elements)


def _unbroadcast(s: Node) -> Node:
    if s.op is Op.BROADCAST:
        return s.srcs[0]
    if s.op is Op.CONST and s.ndim and s.size == 1:  # a 0-d constant is an immediate in kernels
        return const(s.params[0][1].value.reshape(()))
    return s


def _implicit_broadcast(node: Node) -> Node | None:
    """f(broadcast(x), y) -> f(x, y) where f's own broadcasting gives the same shape."""
    srcs = tuple(_unbroadcast(s) for s in node.srcs)
    if srcs == node.srcs:
        return None
    out = Node.make(node.op, srcs, node.params)
    return out if out.shape == node.shape else None


ELEMENTWISE = tuple(op for op, d in OPS.items() if d.kind == "elementwise")
IMPLICIT = Rule("f(broadcast(x), y) -> f(x, y)  (ufuncs broadcast; [c] -> c)", ELEMENTWISE,
                _implicit_broadcast)


# ----------------------------------------------------------------------------- reductions

def _sum_of_broadcast(x: Node, b: Node, s: Node) -> Node | None:
    """sum(broadcast(x), A) -> n * x when A only spans copies: integers wrap, so it is exact."""
    if x.dtype.kind not in "iu" or any(d is None for d in b.shape):
        return None
    axes = s.attrs["axes"]
    xs = (1,) * (b.ndim - x.ndim) + x.shape
    if any(xs[a] != 1 for a in axes):
        return None
    n = int(np.prod([b.shape[a] for a in axes], dtype=np.int64))
    kept = tuple(d for i, d in enumerate(xs) if i not in axes)
    y = Node.make(Op.RESHAPE, (x,), (("shape", kept),)) if kept != x.shape else x
    y = ew(Op.MULTIPLY, y, like(np.array(n).astype(x.dtype), x))
    return y if y.shape == s.shape else Node.make(Op.BROADCAST, (y,), (("shape", s.shape),))


REDUCTIONS = [
    rule("sum(broadcast(x), copies) -> n * x  (integers)",
         P(Op.SUM, P(Op.BROADCAST, X, name="b"), name="s"), _sum_of_broadcast),
]


SIMPLIFY = RuleSet("simplify", [FOLD, *ARITH, *CASTS, *MOVEMENT, ROWS, IMPLICIT, *REDUCTIONS,
                                EXACT_CHAINS])
