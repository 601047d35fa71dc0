"""The pattern engine: rewrites declared as patterns, indexed by root op, run to a fixed point.

A pattern is a tree of `Pat`s: `P(Op.LOG, P(Op.ADD, C(1), X))` matches
`log(1 + x)` (and `log(x + 1)`: commutative ops match either order) and binds
`x`. A `Rule` pairs a pattern with a builder that makes the replacement from
the bound nodes, and is named by its math (`"log(1+x) -> log1p(x)"`), which
is also what reports show. A builder may decline by returning None.

A rewrite applies only where its result has the node's exact type (dtype,
shape, weak): that is how `x * 1` is kept where the 1 broadcasts `x` to a
bigger shape. Replacements are built with `Node.make`, so rebuilt graphs stay
interned and common subexpressions stay merged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from ..ir import Graph, Node, const, toposort
from ..ops import Op
from . import sites

COMMUTATIVE = frozenset({Op.ADD, Op.MULTIPLY, Op.MAXIMUM, Op.MINIMUM, Op.LOGADDEXP, Op.HYPOT,
                         Op.EQUAL, Op.NOT_EQUAL, Op.LOGICAL_AND, Op.LOGICAL_OR})


class Pat:
    """One pattern node: a set of ops with source patterns, or a variable (ops is None)."""

    __slots__ = ("ops", "srcs", "name", "test")

    def __init__(self, ops: frozenset | None, srcs: tuple = (), name: str | None = None,
                 test: Callable[[Node], bool] | None = None):
        self.ops, self.srcs, self.name, self.test = ops, srcs, name, test

    def match(self, node: Node, env: dict) -> Iterator[dict]:
        """Every extension of `env` under which this pattern matches `node`."""
        if self.test is not None and not self.test(node):
            return
        if self.name is not None:
            bound = env.get(self.name)
            if bound is None:
                env = {**env, self.name: node}
            elif bound is not node:
                return
        if self.ops is None:
            yield env
            return
        if node.op not in self.ops or len(node.srcs) != len(self.srcs):
            return
        yield from _match_all(self.srcs, node.srcs, env)
        if node.op in COMMUTATIVE and node.srcs[0] is not node.srcs[1]:
            yield from _match_all(self.srcs, node.srcs[::-1], env)


def _match_all(pats, nodes, env) -> Iterator[dict]:
    if not pats:
        yield env
        return
    for e in pats[0].match(nodes[0], env):
        yield from _match_all(pats[1:], nodes[1:], e)


def P(op: Op, *srcs: Pat, name: str | None = None, test=None) -> Pat:
    """A pattern rooted at `op` with source patterns `srcs`."""
    return Pat(frozenset({op}), srcs, name, test)


def V(name: str, test: Callable[[Node], bool] | None = None) -> Pat:
    """A variable: matches any node (passing `test`); the same name must bind the same node."""
    return Pat(None, (), name, test)


def scalar_value(node: Node):
    """The one value of a small constant whose elements are all equal, else None."""
    if node.op is not Op.CONST or (node.size or 0) > 64 or node.size == 0:
        return None
    v = node.attrs["value"].value
    first = v.flat[0]
    if v.size > 1 and not np.all((v == first) & (np.signbit(v) == np.signbit(first))
                                 if v.dtype.kind in "fc" else v == first):
        return None
    return first


def C(value, kinds: str = "biufc") -> Pat:
    """A constant equal to `value` everywhere, of a dtype kind in `kinds`; -0.0 is not +0.0."""

    def test(node: Node) -> bool:
        v = scalar_value(node)
        if v is None or node.dtype.kind not in kinds:
            return False
        if np.isnan(value) or not v == value:
            return False
        return node.dtype.kind not in "fc" or bool(np.signbit(np.real(v))) == bool(
            np.signbit(value))

    return Pat(frozenset({Op.CONST}), (), None, test)


@dataclass(frozen=True)
class Rule:
    """A rewrite: `fn(node)` returns the replacement or None; tried on nodes whose op is a root."""

    math: str
    roots: frozenset
    fn: Callable[[Node], Node | None]


def rule(math: str, pat: Pat, build: Callable[..., Node | None]) -> Rule:
    """A rule from a pattern: `build(**bindings)` on the first match that it accepts."""

    def fn(node: Node) -> Node | None:
        for env in pat.match(node, {}):
            out = build(**env)
            if out is not None:
                return out
        return None

    return Rule(math, pat.ops, fn)


class RuleSet:
    """A named set of rules, indexed by root op; sets combine with `+`."""

    def __init__(self, name: str, rules: list[Rule]):
        self.name = name
        self.rules = list(rules)
        self.index: dict[Op, list[Rule]] = {}
        for r in self.rules:
            for op in r.roots:
                self.index.setdefault(op, []).append(r)

    def __add__(self, other: "RuleSet") -> "RuleSet":
        return RuleSet(f"{self.name}+{other.name}", self.rules + other.rules)

    def apply(self, node: Node) -> tuple[Node, Rule] | None:
        """The first rule that rewrites `node` to a node of the same type, and its result."""
        for r in self.index.get(node.op, ()):
            out = r.fn(node)
            if out is not None and out is not node and same_type(out, node):
                return out, r
        return None


def same_type(a: Node, b: Node) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.weak == b.weak


@dataclass(frozen=True)
class Fired:
    """One rewrite that happened: which set and rule, and the user's line it came from."""

    rule_set: str
    rule: str
    site: tuple[str, int] | None

    def __str__(self) -> str:
        where = sites.describe(self.site)
        return f"[{self.rule_set}] {self.rule}" + (f"    at {where}" if where else "")


@dataclass
class PassStats:
    rule_set: str
    rounds: int = 0
    fired: int = 0
    seconds: float = 0.0
    nodes_before: int = 0
    nodes_after: int = 0


@dataclass
class RewriteLog:
    fired: list[Fired] = field(default_factory=list)
    passes: list[PassStats] = field(default_factory=list)


MAX_ROUNDS = 64
MAX_AT_ROOT = 16


def run(graph: Graph, rules: RuleSet, log: RewriteLog) -> Graph:
    """`graph` rewritten with `rules` until no rule applies anywhere."""
    t0 = time.perf_counter()
    stats = PassStats(rules.name, nodes_before=len(graph.nodes()))
    outputs = graph.outputs
    for stats.rounds in range(1, MAX_ROUNDS + 1):
        outputs, fired = _round(outputs, rules, log)
        stats.fired += fired
        if not fired:
            break
    else:
        raise RuntimeError(f"rewrite set {rules.name!r} did not reach a fixed point in "
                           f"{MAX_ROUNDS} rounds; two of its rules undo each other")
    out = Graph(graph.inputs, tuple(outputs))
    stats.nodes_after = len(out.nodes())
    stats.seconds = time.perf_counter() - t0
    log.passes.append(stats)
    return out


def _round(outputs, rules: RuleSet, log: RewriteLog) -> tuple[list[Node], int]:
    """One bottom-up sweep: each node rebuilt over rewritten sources, then rewritten at its root."""
    env: dict[int, Node] = {}
    fired = 0
    for node in toposort(outputs):
        srcs = tuple(env[id(s)] for s in node.srcs)
        new = node if all(a is b for a, b in zip(srcs, node.srcs)) else \
            Node.make(node.op, srcs, node.params)
        for _ in range(MAX_AT_ROOT):
            hit = rules.apply(new)
            if hit is None:
                break
            out, r = hit
            log.fired.append(Fired(rules.name, r.math, sites.site_of(node)))
            sites.inherit(out, node)
            new = out
            fired += 1
        env[id(node)] = new
    return [env[id(o)] for o in outputs], fired


# ----------------------------------------------------------------------------- builders


def ew(op: Op, *srcs: Node) -> Node:
    """An elementwise node (inputs must already have the loop's dtypes)."""
    return Node.make(op, srcs)


def like(value, node: Node) -> Node:
    """A 0-d constant of `node`'s dtype."""
    return const(np.asarray(value).astype(node.dtype))


def is_float(node: Node) -> bool:
    return node.dtype.kind == "f"


def is_real(node: Node) -> bool:
    """Not complex: the dtypes where x*1, x/1 and x*x are exact (complex mixes components)."""
    return node.dtype.kind in "biuf"
