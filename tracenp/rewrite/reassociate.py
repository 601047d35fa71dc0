"""Matrix chains: `(A @ B) @ v -> A @ (B @ v)` where that takes fewer multiply-adds.

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


CHAIN = P(Op.MATMUL, P(Op.MATMUL, V("a"), V("b")), V("v"))
EXACT_CHAINS = rule("(A @ B) @ v -> A @ (B @ v)  when cheaper (integers: exact)", CHAIN,
                    lambda a, b, v: _reassociate(a, b, v, "iu"))
REASSOCIATE = RuleSet("reassociate", [
    rule("(A @ B) @ v -> A @ (B @ v)  when cheaper (floats: rounding changes)", CHAIN,
         lambda a, b, v: _reassociate(a, b, v, "fc")),
])
