"""Stabilize: rewrites that change values for the better: no overflow, no cancellation.

Every replacement is built from existing primitives (log1p, expm1, logaddexp,
hypot, max, where, ...), so every backend and every gradient rule applies
unchanged, and the gradient of a stabilized forward is stable too. Off with
`tracenp.jit(f, stabilize=False)`, which keeps NumPy's values bit for bit.

The patterns match simplify's canonical forms (docs/rewrites.md): `negative`
for negation, `1 / x` for reciprocals, `x * x` for squares. Some rules decline
inputs on which the naive form is already stable (`sigmoid(|x|)`, a sum of
exponentials already shifted by its max), which is also what keeps them from
matching their own output.
"""

from __future__ import annotations

import math

from ..ir import Node, substitute
from ..ops import Op
from .pattern import C, P, Rule, RuleSet, V, ew, is_float, like, rule

X, Y = V("x", is_float), V("y", is_float)


def _keep(node: Node, axes: tuple) -> tuple:
    return tuple(1 if i in axes else d for i, d in enumerate(node.shape))


def _unkeep(node: Node) -> Node:
    """Look through a reshape or broadcast (a keepdims view of a reduction)."""
    while node.op in (Op.RESHAPE, Op.BROADCAST):
        node = node.srcs[0]
    return node


def _row_max(x: Node, axes: tuple) -> Node | None:
    """max(x, axes) with non-finite maxima replaced by 0 (so inf - inf never happens)."""
    if not axes or any(x.shape[a] in (0, None) for a in axes):
        return None
    m = Node.make(Op.MAX, (x,), (("axes", axes), ("needs_identity", True)))
    return Node.make(Op.WHERE, (ew(Op.ISFINITE, m), m, like(0, m)))


def _is_shifted(y: Node, axes: tuple) -> bool:
    """y is x - max(x, axes) (kept dims), in our spelling or the user's: exp(y) cannot overflow."""
    if y.op is not Op.SUBTRACT:
        return False
    x, m = y.srcs[0], _unkeep(y.srcs[1])
    if m.op is Op.WHERE and m.srcs[1].op is Op.MAX:
        m = m.srcs[1]
    return m.op is Op.MAX and m.srcs[0] is x and m.attrs["axes"] == axes


def _shift(x: Node, axes: tuple) -> tuple[Node, Node] | None:
    """(x - m kept to x's rank, m) with m the finite row max; None where x needs no shift."""
    if _is_shifted(x, axes):
        return None
    m = _row_max(x, axes)
    if m is None:
        return None
    return ew(Op.SUBTRACT, x, Node.make(Op.RESHAPE, (m,), (("shape", _keep(x, axes)),))), m


def _sum_exp_axes(s: Node, x: Node) -> tuple | None:
    """The axes A if `s` is sum(exp(x), A), possibly kept to x's rank, else None."""
    inner = _unkeep(s)
    if inner.op is not Op.SUM or inner.srcs[0].op is not Op.EXP or inner.srcs[0].srcs[0] is not x:
        return None
    axes = inner.attrs["axes"]
    if s is not inner and s.shape not in (_keep(x, axes), ()):
        return None
    return axes


def logsumexp(x: Node, axes: tuple) -> Node | None:
    """log(sum(exp(x), axes)) as m + log(sum(exp(x - m), axes))."""
    shifted = _shift(x, axes)
    if shifted is None:
        return None
    y, m = shifted
    lse = ew(Op.LOG, Node.make(Op.SUM, (ew(Op.EXP, y),), (("axes", axes),)))
    return ew(Op.ADD, lse, m)


def _log_sum_exp(x: Node, s: Node) -> Node | None:
    return logsumexp(x, s.attrs["axes"])


def _log_kept_sum_exp(x: Node, s: Node, r: Node) -> Node | None:
    axes = s.attrs["axes"]
    lse = logsumexp(x, axes)
    if lse is None or r.shape != _keep(x, axes):
        return None
    return Node.make(Op.RESHAPE, (lse,), (("shape", r.shape),))


def _softmax(x: Node, s: Node, d: Node) -> Node | None:
    """exp(x) / sum(exp(x)) -> the same with x - max(x): substitute the shifted x in."""
    axes = _sum_exp_axes(s, x)
    shifted = axes and _shift(x, axes)
    if not shifted:
        return None
    return substitute([d], {id(x): shifted[0]})[0]


def _log_softmax(x: Node, s: Node) -> Node | None:
    """log(exp(x) / sum(exp(x), A)) -> x - logsumexp(x, A) (kept dims)."""
    axes = _sum_exp_axes(s, x)
    if axes is None:
        return None
    inner = _unkeep(s)
    lse = logsumexp(x, axes) or ew(Op.LOG, inner)
    if s is not inner:
        lse = Node.make(Op.RESHAPE, (lse,), (("shape", s.shape),))
    return ew(Op.SUBTRACT, x, lse)


# ----------------------------------------------------------------------------- sigmoid family

def _exp_nabs(x: Node) -> tuple[Node, Node]:
    """(x >= 0, exp(-|x|)): the pieces sigmoid(x), softplus(x) and softplus(-x) share.

    -|x| is spelled where(x >= 0, -x, x), whose gradient at 0 is -1 (the pos branch's),
    not 0 as absolute's would be: sigmoid'(0) stays 1/4 and softplus'(0) 1/2.
    """
    pos = ew(Op.GREATER_EQUAL, x, like(0, x))
    return pos, ew(Op.EXP, Node.make(Op.WHERE, (pos, ew(Op.NEGATIVE, x), x)))


def sigmoid(x: Node) -> Node:
    """where(x >= 0, 1 / (1 + z), z / (1 + z)) with z = exp(-|x|) <= 1: no branch overflows."""
    one = like(1, x)
    pos, z = _exp_nabs(x)
    den = ew(Op.ADD, one, z)
    return Node.make(Op.WHERE, (pos, ew(Op.DIVIDE, one, den), ew(Op.DIVIDE, z, den)))


def sigmoid_arg(node: Node) -> Node | None:
    """x if `node` is sigmoid(x) as built here, else None."""
    if node.op is not Op.WHERE or node.srcs[0].op is not Op.GREATER_EQUAL:
        return None
    x = node.srcs[0].srcs[0]
    return x if is_float(x) and sigmoid(x) is node else None


def softplus(x: Node) -> Node:
    """log(1 + exp(x)) as max(x, 0) + log1p(exp(-|x|)), NumPy's logaddexp(0, x) formula.

    Spelled over y >= 0 and exp(-|y|), with y = x or, for x = -y, y itself, so that
    softplus(y), softplus(-y) and sigmoid(y) share one exp and one log1p, and their
    gradients reuse them: the backward of a logistic loss adds no transcendental.
    """
    negated = x.op is Op.NEGATIVE
    pos, z = _exp_nabs(x.srcs[0] if negated else x)
    zero = like(0, x)
    lin = Node.make(Op.WHERE, (pos, zero, x) if negated else (pos, x, zero))
    return ew(Op.ADD, lin, ew(Op.LOG1P, z))


def _nonneg(x: Node) -> bool:
    return x.op is Op.ABSOLUTE


def _nonpos(x: Node) -> bool:
    """x is -|y|, as absolute or as sigmoid's where(y >= 0, -y, y)."""
    if x.op is Op.NEGATIVE:
        return _nonneg(x.srcs[0])
    if x.op is not Op.WHERE:
        return False
    c, a, b = x.srcs
    return c.op is Op.GREATER_EQUAL and c.srcs[0] is b and a.op is Op.NEGATIVE and a.srcs[0] is b


def _log_sigmoid(node: Node) -> Node | None:
    x = sigmoid_arg(node.srcs[0])
    return None if x is None else ew(Op.NEGATIVE, softplus(ew(Op.NEGATIVE, x)))


def _log1m_sigmoid(node: Node) -> Node | None:
    """log1p(-sigmoid(x)) = log(1 - sigmoid(x)) = -softplus(x)."""
    arg = node.srcs[0]
    x = sigmoid_arg(arg.srcs[0]) if arg.op is Op.NEGATIVE else None
    return None if x is None else ew(Op.NEGATIVE, softplus(x))


LN2 = math.log(2.0)


def log1mexp(x: Node) -> Node | None:
    """log(1 - exp(x)): log(-expm1(x)) above -ln 2, log1p(-exp(x)) below (Maechler 2012)."""
    if x.op is Op.MINIMUM and x.srcs[1].op is Op.CONST:  # already clamped below -ln 2
        return None
    cut = like(-LN2, x)
    hi = ew(Op.LOG, ew(Op.NEGATIVE, ew(Op.EXPM1, x)))
    lo = ew(Op.LOG1P, ew(Op.NEGATIVE, ew(Op.EXP, ew(Op.MINIMUM, x, cut))))
    return Node.make(Op.WHERE, (ew(Op.GREATER, x, cut), hi, lo))


def _hypot(x: Node, y: Node) -> Node | None:
    """sqrt(x*x + y*y) as hypot(x, y), which neither overflows nor underflows, but NaN where x
    or y is NaN, as the expression is there (IEEE's hypot(inf, nan) is inf)."""
    if not (is_float(x) and is_float(y)):
        return None
    nan = ew(Op.LOGICAL_OR, ew(Op.ISNAN, x), ew(Op.ISNAN, y))
    return Node.make(Op.WHERE, (nan, ew(Op.ADD, x, y), ew(Op.HYPOT, x, y)))


ONE = C(1, "f")
STABILIZE = RuleSet("stabilize", [
    rule("log(1 + x) -> log1p(x)", P(Op.LOG, P(Op.ADD, ONE, X)), lambda x: ew(Op.LOG1P, x)),
    rule("log(1 - x) -> log1p(-x)", P(Op.LOG, P(Op.SUBTRACT, ONE, X)),
         lambda x: ew(Op.LOG1P, ew(Op.NEGATIVE, x))),
    rule("exp(x) - 1 -> expm1(x)", P(Op.SUBTRACT, P(Op.EXP, X), ONE), lambda x: ew(Op.EXPM1, x)),
    rule("log(exp(x) + exp(y)) -> logaddexp(x, y)",
         P(Op.LOG, P(Op.ADD, P(Op.EXP, X), P(Op.EXP, Y))), lambda x, y: ew(Op.LOGADDEXP, x, y)),
    rule("log1p(exp(x)) -> softplus(x) = max(x, 0) + log1p(exp(-|x|))",
         P(Op.LOG1P, P(Op.EXP, X)), lambda x: None if _nonpos(x) else softplus(x)),
    rule("log1p(-exp(x)) -> log1mexp(x)", P(Op.LOG1P, P(Op.NEGATIVE, P(Op.EXP, X))), log1mexp),
    rule("sqrt(x*x + y*y) -> where(isnan(x) | isnan(y), x + y, hypot(x, y))",
         P(Op.SQRT, P(Op.ADD, P(Op.MULTIPLY, X, X), P(Op.MULTIPLY, Y, Y))), _hypot),
    rule("1 / (1 + exp(-x)) -> sigmoid(x)",
         P(Op.DIVIDE, ONE, P(Op.ADD, ONE, P(Op.EXP, P(Op.NEGATIVE, X)))),
         lambda x: None if _nonneg(x) else sigmoid(x)),
    rule("exp(x) / (1 + exp(x)) -> sigmoid(x)",
         P(Op.DIVIDE, P(Op.EXP, X), P(Op.ADD, ONE, P(Op.EXP, X))),
         lambda x: None if _nonpos(x) else sigmoid(x)),
    Rule("log(sigmoid(x)) -> -softplus(-x)", (Op.LOG,), _log_sigmoid),
    Rule("log1p(-sigmoid(x)) -> -softplus(x)", (Op.LOG1P,), _log1m_sigmoid),
    rule("log(sum(exp(x), A)) -> m + log(sum(exp(x - m), A)), m = max(x, A)",
         P(Op.LOG, P(Op.SUM, P(Op.EXP, X), name="s")), _log_sum_exp),
    rule("log(sum(exp(x), A, keepdims)) -> logsumexp(x, A, keepdims)",
         P(Op.LOG, P(Op.RESHAPE, P(Op.SUM, P(Op.EXP, X), name="s"), name="r")),
         _log_kept_sum_exp),
    rule("exp(x) / sum(exp(x), A) -> exp(x - m) / sum(exp(x - m), A), m = max(x, A)",
         P(Op.DIVIDE, P(Op.EXP, X), V("s"), name="d"), _softmax),
    rule("log(exp(x) / sum(exp(x), A)) -> x - logsumexp(x, A)",
         P(Op.LOG, P(Op.DIVIDE, P(Op.EXP, X), V("s"))), _log_softmax),
])
