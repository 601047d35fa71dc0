"""Matrix chains: `(A @ B) @ v -> A @ (B @ v)` where that takes fewer multiply-adds; sums
of products: `A1 @ B1 + A2 @ B2 -> [A1 A2] @ [B1; B2]`, one product instead of many.

Exact for integers (wrap-around arithmetic is associative), so that rule is
part of simplify. For floats the rounding changes (within the usual matmul
error bound, k * eps * |A||B||v|), so the float rule is its own set and runs
only with stabilize on, the mode that does not promise NumPy's bits.
"""

from __future__ import annotations

from ..ir import Node
from ..ops import Op
from .pattern import P, RuleSet, V, rule


def chain_cheaper(a: Node, b: Node, v: Node) -> bool:
    """(a @ b) @ v costs more multiply-adds than a @ (b @ v) (rank-2 operands)."""
    if any(n.ndim != 2 or None in n.shape for n in (a, b, v)):
        return False
    (m, k), (_, n), (_, p) = a.shape, b.shape, v.shape
    return k * n * p + m * k * p < m * k * n + m * n * p


def _reassociate(a: Node, b: Node, v: Node, kinds: str) -> Node | None:
    if a.dtype.kind not in kinds or not chain_cheaper(a, b, v):
        return None
    return Node.make(Op.MATMUL, (a, Node.make(Op.MATMUL, (b, v))))


def _joined(x: Node, y: Node, axis: int) -> Node:
    """`x` and `y` concatenated along `axis`, an earlier join's parts kept flat."""
    parts = [p for n in (x, y) for p in (n.srcs if n.op is Op.CONCAT and
                                          n.attrs["axis"] == axis else (n,))]
    return Node.make(Op.CONCAT, parts, (("axis", axis),))


def _stacked_product(a: Node, b: Node, c: Node, d: Node) -> Node | None:
    """`a @ b + c @ d` as one product over the joined inner dims: backpropagation through
    time sums an outer product per step into a weight's gradient (`dW += np.outer(dh, h)`,
    25 products of 100 x 100 and their sums: 350 us), which one matrix product of the steps'
    columns and rows does (5 us)."""
    if any(n.ndim != 2 or None in n.shape or n.dtype.kind not in "fc" for n in (a, b, c, d)) \
            or len({n.dtype for n in (a, b, c, d)}) != 1 or a.shape[0] != c.shape[0] \
            or b.shape[1] != d.shape[1]:
        return None
    return Node.make(Op.MATMUL, (_joined(a, c, 1), _joined(b, d, 0)))


CHAIN = P(Op.MATMUL, P(Op.MATMUL, V("a"), V("b")), V("v"))
EXACT_CHAINS = rule("(A @ B) @ v -> A @ (B @ v)  when cheaper (integers: exact)", CHAIN,
                    lambda a, b, v: _reassociate(a, b, v, "iu"))
REASSOCIATE = RuleSet("reassociate", [
    rule("(A @ B) @ v -> A @ (B @ v)  when cheaper (floats: rounding changes)", CHAIN,
         lambda a, b, v: _reassociate(a, b, v, "fc")),
    rule("A @ B + C @ D -> [A C] @ [B; D]  (floats: the sum's order changes)",
         P(Op.ADD, P(Op.MATMUL, V("a"), V("b")), P(Op.MATMUL, V("c"), V("d"))),
         _stacked_product),
])
