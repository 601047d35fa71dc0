"""Whether a traced real matrix is symmetric by construction.

`np.linalg.eig` returns real arrays when every eigenvalue it finds is real, which a real
symmetric matrix's are; its dtype depends on the values. A matrix the graph builds as
symmetric (`X.T @ X`, `-2 * X @ X.T`, `(X.T * w) @ X`, `np.cov`, `np.corrcoef`, `A + A.T`,
`np.diag(v)`, `((X[:, None] - X[None]) ** 2).sum(-1)`, `np.array([[a, c], [c, b]])` of
traced scalars, and elementwise combinations of these with scalars
and symmetric constants such as `np.eye(n)`) is traced with NumPy's real dtype instead of
complex. The proof is structural: it follows the nodes that made the matrix, never values.
`np.outer(v, v)` and `v[:, None] + v[None, :]` are left out: of rank 1 or 2, their repeated
eigenvalues are where LAPACK finds complex pairs, and NumPy returns complex arrays.
"""

from __future__ import annotations

import numpy as np

from .ir import Node
from .ops import OPS, Op

_DEPTH = 48  # nodes followed from the matrix; deeper chains are not proven symmetric
_SYMMETRIC_OPS = frozenset({Op.ADD, Op.MULTIPLY, Op.MAXIMUM, Op.MINIMUM})  # f(a, b) == f(b, a)


def _swap_last(node: Node) -> bool:
    """A transpose that swaps the last two axes only."""
    if node.op is not Op.TRANSPOSE:
        return False
    nd = len(node.shape)
    return tuple(node.attrs["perm"]) == tuple(range(nd - 2)) + (nd - 1, nd - 2)


def _same_real(node: Node) -> Node:
    """`node` without the identities of a real array on top (a real conjugate)."""
    while node.op is Op.CONJUGATE and node.dtype.kind != "c":
        node = node.srcs[0]
    return node


def _transposed(a: Node, b: Node) -> bool:
    """Whether `b` is `a` with its last two axes swapped (or the other way round)."""
    a, b = _same_real(a), _same_real(b)
    return (_swap_last(b) and _same_real(b.srcs[0]) is a) or \
        (_swap_last(a) and _same_real(a.srcs[0]) is b)


def _unscaled(node: Node) -> Node:
    """`node` without scalings by one value on top (`-2 * X` in `-2 * X @ X.T`)."""
    while True:
        if node.op is Op.NEGATIVE:
            node = node.srcs[0]
        elif node.op in (Op.MULTIPLY, Op.DIVIDE) and len(node.srcs) == 2 and \
                _uniform(node.srcs[1]) and node.srcs[0].shape == node.shape:
            node = node.srcs[0]
        elif node.op is Op.MULTIPLY and len(node.srcs) == 2 and _uniform(node.srcs[0]) and \
                node.srcs[1].shape == node.shape:
            node = node.srcs[1]
        else:
            return node


def _weighted(a: Node, b: Node) -> bool:
    """`A @ B` with `A = X.T * w` (or `B = w[:, None] * X`): X's transpose times X with the
    contracted axis weighted by one vector, `X.T @ diag(w) @ X` (an inertia tensor, a
    weighted Gram matrix)."""
    k = a.shape[-1]
    for scaled, other, along in ((a, b, (k,)), (b, a, (k, 1))):
        if scaled.op is Op.MULTIPLY and len(scaled.srcs) == 2:
            for x, w in (scaled.srcs, scaled.srcs[::-1]):
                if x.shape == scaled.shape and tuple(w.shape[-len(along):]) == along and \
                        w.size == k and _transposed(_unscaled(x), _unscaled(other)):
                    return True
    return False


def _element_keys(node: Node) -> np.ndarray:
    """What each element of `node` is, as an object array of its shape: a constant's value,
    else (the node, position) under joins, reshapes and casts."""
    if node.op is Op.CONST:
        return np.asarray(node.attrs["value"].value).astype(object).reshape(node.shape)
    if node.op is Op.CONCAT:
        return np.concatenate([_element_keys(s) for s in node.srcs], axis=node.attrs["axis"])
    if node.op in (Op.RESHAPE, Op.CAST):
        return _element_keys(node.srcs[0]).reshape(node.shape)
    keys = np.empty(node.size, dtype=object)
    for k in range(node.size):
        keys[k] = (id(node), k)
    return keys.reshape(node.shape)


def _mirrored_elements(node: Node) -> bool:
    """`np.array([[a, -d], [-d, b]])`: a small matrix joined from pieces (concats of
    reshapes), element (i, j) the same value as (j, i)."""
    if node.op not in (Op.RESHAPE, Op.CONCAT) or len(node.shape) != 2 or \
            node.shape[0] != node.shape[1] or node.size > 4096:
        return False
    keys = _element_keys(node)
    return all(keys[i, j] == keys[j, i] for i in range(node.shape[0]) for j in range(i))


def _uniform(node: Node) -> bool:
    """A value equal along both matrix axes (a scalar, or 1 x 1 matrices)."""
    return len(node.shape) < 2 and node.size == 1 or tuple(node.shape[-2:]) == (1, 1)


def _scaled_both_sides(node: Node, depth: int) -> bool:
    """`S / v[:, None] / v[None, :]` (or `*`): a symmetric `S` scaled by one vector on both
    sides, as `np.corrcoef` does."""
    if node.op not in (Op.MULTIPLY, Op.DIVIDE):
        return False
    inner, row = node.srcs
    if inner.op is not node.op:
        return False
    s, col = inner.srcs
    n = node.shape[-1]
    return (col.op is Op.RESHAPE and row.op is Op.RESHAPE and col.srcs[0] is row.srcs[0]
            and tuple(col.shape[-2:]) == (n, 1) and tuple(row.shape[-2:]) == (1, n)
            and is_symmetric(s, depth + 1))


def _diagonal_written(node: Node, depth: int) -> bool:
    """`np.diag(v)`, `np.fill_diagonal`: a symmetric matrix, flattened, whose diagonal (only)
    is written, reshaped back."""
    if node.op is not Op.RESHAPE or len(node.shape) != 2 or node.srcs[0].op is not Op.SCATTER:
        return False
    scatter = node.srcs[0]
    base, idx = scatter.srcs[0], scatter.srcs[1]
    n = node.shape[0]
    return (idx.op is Op.CONST and base.op is Op.RESHAPE and len(scatter.shape) == 1
            and np.isin(np.asarray(idx.attrs["value"].value), np.arange(0, n * n, n + 1)).all()
            and tuple(base.srcs[0].shape) == (n, n) and is_symmetric(base.srcs[0], depth + 1))


def _same_vector(a: Node, b: Node) -> bool:
    """The same values: one node under reshapes, or one slice of one node (a view read
    twice, `v = X[:, 0]`, makes two equal slice nodes)."""
    while a.op is Op.RESHAPE:
        a = a.srcs[0]
    while b.op is Op.RESHAPE:
        b = b.srcs[0]
    a, b = _same_real(a), _same_real(b)
    if a is b:
        return True
    return (a.op is Op.SLICE and b.op is Op.SLICE and a.shape == b.shape
            and a.srcs[0] is b.srcs[0] and len(a.srcs) == len(b.srcs) == 1
            and repr(a.attrs) == repr(b.attrs))


_EVEN_OPS = frozenset({Op.SQUARE, Op.ABSOLUTE})  # f(-d) == f(d)


def _pairwise_even(node: Node) -> bool:
    """`((X[:, None] - X[None]) ** 2).sum(-1)`, `np.abs(...)`: an even function of the
    differences of one matrix's rows, summed over the trailing (feature) axes."""
    if node.op is not Op.SUM or len(node.shape) != 2:
        return False
    inner = node.srcs[0]
    if inner.op not in _EVEN_OPS or tuple(node.attrs["axes"]) != tuple(range(2, inner.ndim)):
        return False
    diff = inner.srcs[0]
    if diff.op is not Op.SUBTRACT:
        return False
    a, b = diff.srcs
    n, rest = node.shape[0], inner.shape[2:]
    return (a.op is Op.RESHAPE and b.op is Op.RESHAPE and tuple(a.shape) == (n, 1) + rest
            and tuple(b.shape) == (1, n) + rest and _same_vector(a.srcs[0], b.srcs[0]))


def is_symmetric(node: Node, depth: int = 0) -> bool:
    """Whether the real square matrix (or stack of them) `node` is symmetric by construction."""
    if depth > _DEPTH or len(node.shape) < 2 or node.dtype.kind == "c":
        return False
    op = node.op
    if op is Op.CONST:
        value = np.asarray(node.attrs["value"].value)
        return value.shape[-1] == value.shape[-2] and bool(
            np.array_equal(value, np.swapaxes(value, -1, -2), equal_nan=True))
    if op is Op.MATMUL:
        return _transposed(*(_unscaled(s) for s in node.srcs)) or _weighted(*node.srcs)
    if _swap_last(node):
        return is_symmetric(node.srcs[0], depth + 1)
    if op in _SYMMETRIC_OPS and len(node.srcs) == 2 and _transposed(*node.srcs):
        return True
    if _scaled_both_sides(node, depth) or _diagonal_written(node, depth) or \
            _pairwise_even(node) or _mirrored_elements(node):
        return True
    if OPS[op].kind != "elementwise" or node.shape[-1] != node.shape[-2]:
        return False
    return all(_uniform(s) or is_symmetric(s, depth + 1) for s in node.srcs)
