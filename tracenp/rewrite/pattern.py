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

from ..ir import Graph, Node, const
from ..ops import Op
from .. import check
from . import sites

# Op sets are tuples throughout: `in` on a tuple compares identity first, while hashing an
# Enum member runs Python code; the optimizer's speed depends on it.
COMMUTATIVE = (Op.ADD, Op.MULTIPLY, Op.MAXIMUM, Op.MINIMUM, Op.LOGADDEXP, Op.HYPOT,
               Op.EQUAL, Op.NOT_EQUAL, Op.LOGICAL_AND, Op.LOGICAL_OR)


class Pat:
    """One pattern node: a set of ops with source patterns, or a variable (ops is None)."""

    __slots__ = ("ops", "srcs", "name", "test")

    def __init__(self, ops: tuple | None, srcs: tuple = (), name: str | None = None,
                 test: Callable[[Node], bool] | None = None):
        self.ops, self.srcs, self.name, self.test = ops, srcs, name, test

    def match(self, node: Node, env: dict) -> Iterator[dict]:
        """Every extension of `env` under which this pattern matches `node`."""
        if self.ops is not None and node.op not in self.ops:
            return
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
        srcs = node.srcs
        if len(srcs) != len(self.srcs):
            return
        if self.quick(srcs):
            yield from _match_all(self.srcs, srcs, env)
        if node.op in COMMUTATIVE and srcs[0] is not srcs[1] and self.quick(srcs[::-1]):
            yield from _match_all(self.srcs, srcs[::-1], env)

    def quick(self, srcs: tuple) -> bool:
        """A cheap necessary condition: each source's op is one its pattern allows."""
        return all(p.ops is None or n.op in p.ops for p, n in zip(self.srcs, srcs))


def _match_all(pats, nodes, env) -> Iterator[dict]:
    if not pats:
        yield env
        return
    for e in pats[0].match(nodes[0], env):
        yield from _match_all(pats[1:], nodes[1:], e)


def P(op: Op, *srcs: Pat, name: str | None = None, test=None) -> Pat:
    """A pattern rooted at `op` with source patterns `srcs`."""
    return Pat((op,), srcs, name, test)


def V(name: str, test: Callable[[Node], bool] | None = None) -> Pat:
    """A variable: matches any node (passing `test`); the same name must bind the same node."""
    return Pat(None, (), name, test)


def scalar_value(node: Node):
    """The one value of a small constant whose elements are all equal, else None."""
    if node.op is not Op.CONST:
        return None
    v = node.params[0][1].value
    if not 0 < v.size <= 64:
        return None
    first = v.flat[0]
    if v.size > 1 and not np.all((v == first) & (np.signbit(v.real) == np.signbit(first.real))
                                 & (np.signbit(v.imag) == np.signbit(np.imag(first)))
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

    return Pat((Op.CONST,), (), None, test)


@dataclass(frozen=True)
class Rule:
    """A rewrite: `fn(node)` returns the replacement or None; tried on nodes whose op is a root."""

    math: str
    roots: tuple
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
    """Named rules, indexed by root op; sets combine with `+` and each rule keeps its set's name."""

    def __init__(self, name: str, rules: list[Rule], tagged: list[tuple[str, Rule]] | None = None):
        self.name = name
        self.tagged = tagged if tagged is not None else [(name, r) for r in rules]
        self.index: list[list[tuple[str, Rule]]] = [[] for _ in range(len(Op) + 1)]
        for tag, r in self.tagged:
            for op in r.roots:
                self.index[op._value_].append((tag, r))

    def __add__(self, other: "RuleSet") -> "RuleSet":
        return RuleSet(f"{self.name}+{other.name}", [], self.tagged + other.tagged)

    def apply(self, node: Node) -> tuple[Node, str, Rule] | None:
        """The first rule that rewrites `node` to a node of the same type: (result, set, rule)."""
        for tag, r in self.index[node.op._value_]:
            out = r.fn(node)
            if out is not None and out is not node and same_type(out, node):
                return out, tag, r
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
    """One rule set's run: how many rewrites fired, and how long it took."""

    rule_set: str
    fired: int = 0
    seconds: float = 0.0


@dataclass
class RewriteLog:
    fired: list[Fired] = field(default_factory=list)
    passes: list[PassStats] = field(default_factory=list)


# Rewrites in a row at one node before the rule set is declared to grow without end. A
# cycle is caught when a form comes back; a long finite run is legitimate: reassociating
# `A^k @ B` built as `((A @ A) @ A) ... @ B` peels one factor per rewrite at its root.
MAX_AT_ROOT = 10_000


def run(graph: Graph, rules: RuleSet, log: RewriteLog) -> Graph:
    """`graph` rewritten with `rules` to a fixed point, in one bottom-up sweep.

    Every node is normalized once: its sources first, then rules at its root
    until none applies; the nodes a rewrite builds are normalized the same way
    before the root is tried again. So no rule applies anywhere in the result.
    """
    t0 = time.perf_counter()
    sweep = _Sweep(rules, log)
    out = Graph(graph.inputs, tuple(sweep.normalize(o) for o in graph.outputs))
    log.passes.append(PassStats(rules.name, sweep.fired, time.perf_counter() - t0))
    if check.enabled():
        assert_fixed_point(out, rules)
    return out


def assert_fixed_point(graph: Graph, rules: RuleSet) -> None:
    """Raise if some rule of `rules` still applies somewhere in `graph` (an engine bug)."""
    for node in graph.nodes():
        hit = rules.apply(node)
        if hit is not None:
            raise check.IRError(f"{rules.name}: {hit[2].math!r} still applies at {node!r} "
                                f"after a run to a fixed point\n{graph}")


class _Sweep:
    """Normal forms under one rule set; `normal` maps each node seen to its normal form."""

    def __init__(self, rules: RuleSet, log: RewriteLog):
        self.rules, self.log = rules, log
        self.normal: dict[Node, Node] = {}  # keyed by node (identity): ids could be reused
        self.fired = 0

    def normalize(self, root: Node) -> Node:
        """`root`'s normal form; iterative, so deep graphs are fine."""
        normal = self.normal
        stack = [root]
        while stack:
            node = stack[-1]
            if node in normal:
                stack.pop()
                continue
            pending = [s for s in node.srcs if s not in normal]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            normal[node] = self._at_root(node)
        return normal[root]

    def _at_root(self, node: Node) -> Node:
        """`node` over normal sources, rewritten at its root until no rule applies."""
        normal = self.normal
        srcs = tuple([normal[s] for s in node.srcs])
        new = node
        if srcs != node.srcs:
            new = Node.make(node.op, srcs, node.params)
            sites.inherit(new, node)
        seen = {new}  # interned nodes: a form seen again means the rules go round in a cycle
        for _ in range(MAX_AT_ROOT):
            if new is not node and new in normal:
                return normal[new]
            hit = self.rules.apply(new)
            if hit is None:
                normal[new] = new
                return new
            out, tag, r = hit
            self.log.fired.append(Fired(tag, r.math, sites.site_of(node)))
            sites.inherit(out, node)
            self.fired += 1
            srcs = tuple([self.normalize(s) for s in out.srcs])
            new = out if srcs == out.srcs else Node.make(out.op, srcs, out.params)
            if new in seen:
                raise RuntimeError(f"rewrite set {self.rules.name!r} keeps rewriting {node!r}: "
                                   f"two of its rules undo each other")
            seen.add(new)
        raise RuntimeError(f"rewrite set {self.rules.name!r} keeps rewriting {node!r}: "
                           f"no normal form after {MAX_AT_ROOT} rewrites")


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
