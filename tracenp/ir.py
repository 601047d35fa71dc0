"""The graph IR: immutable, interned, typed nodes and the graphs made of them.

A node is `(op, srcs, params)`; its type (dtype, shape, weak) is derived from
the op's rule when the node is made. Nodes are interned by structure, so equal
subgraphs are one object: common-subexpression elimination comes for free and
identity comparison is structural comparison.

A dim is an int, or None where the symbolic API does not know it yet (a
`dmatrix` has shape (None, None)); graphs are specialised to concrete shapes
before they run (`specialize`).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import weakref
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

import numpy as np

from .ops import OPS, Op

Shape = tuple  # tuple[int | None, ...]

_intern: "weakref.WeakValueDictionary[tuple, Node]" = weakref.WeakValueDictionary()
_uids = itertools.count()


class Node:
    """One value of the graph. Never construct directly: use `Node.make`."""

    __slots__ = ("op", "srcs", "params", "dtype", "shape", "weak", "_key", "__weakref__")

    op: Op
    srcs: tuple["Node", ...]
    params: tuple
    dtype: np.dtype
    shape: Shape
    weak: bool

    @staticmethod
    def make(op: Op, srcs: Iterable["Node"] = (), params: tuple = ()) -> "Node":
        srcs = tuple(srcs)
        key = (op, srcs, params)
        node = _intern.get(key)
        if node is not None:
            return node
        dtype, shape, weak = OPS[op].infer(srcs, dict(params))
        node = object.__new__(Node)
        node.op, node.srcs, node.params = op, srcs, params
        node.dtype, node.shape, node.weak = np.dtype(dtype), tuple(shape), bool(weak)
        node._key = key
        _intern[key] = node
        return node

    @property
    def attrs(self) -> dict[str, Any]:
        return dict(self.params)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int | None:
        if any(d is None for d in self.shape):
            return None
        return math.prod(self.shape)

    def __repr__(self) -> str:
        return f"Node({self.op.name.lower()}:{type_str(self)})"


def leaf_input(name: str | None, dtype, shape: Shape, weak: bool = False) -> Node:
    """A fresh graph input; the uid keeps distinct inputs from merging."""
    params = (("name", name), ("dtype", np.dtype(dtype)), ("shape", tuple(shape)),
              ("weak", weak), ("uid", next(_uids)))
    return Node.make(Op.INPUT, (), params)


class Const:
    """A hashable wrapper of a constant array, compared by content."""

    __slots__ = ("value", "_digest")

    def __init__(self, value: np.ndarray):
        value = np.array(value, copy=True)
        value.flags.writeable = False
        self.value = value
        h = hashlib.sha1(value.tobytes())
        h.update(str((value.dtype.str, value.shape)).encode())
        self._digest = h.digest()

    def __hash__(self) -> int:
        return hash(self._digest)

    def __eq__(self, other) -> bool:
        return isinstance(other, Const) and self._digest == other._digest

    def __repr__(self) -> str:
        v = self.value
        if v.size <= 4:
            return np.array2string(v, separator=",").replace("\n", "")
        return f"<{v.dtype}{list(v.shape)}>"


def const(value, dtype=None, weak: bool = False) -> Node:
    arr = np.asarray(value, dtype=dtype)
    return Node.make(Op.CONST, (), (("value", Const(arr)), ("weak", weak and arr.ndim == 0)))


def toposort(outputs: Iterable[Node]) -> list[Node]:
    """Every node reachable from `outputs`, sources first; iterative, no recursion limit."""
    order: list[Node] = []
    seen: set[int] = set()
    stack: list[tuple[Node, bool]] = [(n, False) for n in reversed(list(outputs))]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((s, False) for s in reversed(node.srcs) if id(s) not in seen)
    return order


@dataclass(frozen=True)
class Graph:
    """A function: input nodes in call order, output nodes in result order."""

    inputs: tuple[Node, ...]
    outputs: tuple[Node, ...]

    def nodes(self) -> list[Node]:
        """In dependency order, with the inputs no output reads first (a rewrite can leave
        one: `x[:] = y` over all of x no longer reads x), so that every input has a place."""
        return list(self._order)

    @functools.cached_property
    def _order(self) -> tuple[Node, ...]:
        """`nodes()`, sorted once: a graph and its nodes never change, and planning one asks
        for its order about ten times."""
        order = toposort(self.outputs)
        reached = {id(n) for n in order}
        return (*[n for n in self.inputs if id(n) not in reached], *order)

    def users(self) -> dict[int, list[Node]]:
        """{id(node): the nodes that read it, each once, in order}."""
        order = self.nodes()
        users: dict[int, list[Node]] = {id(n): [] for n in order}
        for n in order:
            for s in dict.fromkeys(n.srcs):
                users[id(s)].append(n)
        return users

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes())

    def __str__(self) -> str:
        from .printing_ir import format_graph

        return format_graph(self)

    def digest(self) -> str:
        """A content hash: equal graphs (up to input identity) hash equal."""
        return hashlib.sha256(str(self).encode()).hexdigest()


def of_python_scalars(node: Node) -> bool:
    """Whether `node` is computed from Python scalar arguments alone (weak 0-d inputs): what
    NumPy's code needs the value of there (a slice bound, a dict key's text), jit makes
    static, so that the code runs as NumPy's whatever their values."""
    inputs = [n for n in toposort([node]) if n.op is Op.INPUT]
    return bool(inputs) and all(n.weak and not n.shape for n in inputs)


def type_str(node: Node) -> str:
    dims = ",".join("?" if d is None else str(d) for d in node.shape)
    return f"{dtype_abbrev(node.dtype)}{'~' if node.weak else ''}[{dims}]"


_ABBREV = {"bool": "bool", "float16": "f16", "float32": "f32", "float64": "f64",
           "complex64": "c64", "complex128": "c128", "int8": "i8", "int16": "i16",
           "int32": "i32", "int64": "i64", "uint8": "u8", "uint16": "u16",
           "uint32": "u32", "uint64": "u64"}


def dtype_abbrev(dtype: np.dtype) -> str:
    return _ABBREV.get(np.dtype(dtype).name, np.dtype(dtype).name)


def substitute(outputs: Iterable[Node], mapping: dict[int, Node]) -> list[Node]:
    """`outputs` rebuilt with each node whose id is in `mapping` replaced by its value."""
    outputs = list(outputs)
    env: dict[int, Node] = dict(mapping)
    for node in toposort(outputs):
        if id(node) in env:
            continue
        srcs = tuple(env.get(id(s), s) for s in node.srcs)
        env[id(node)] = node if all(a is b for a, b in zip(srcs, node.srcs)) else \
            Node.make(node.op, srcs, node.params)
    return [env[id(o)] for o in outputs]


def specialize(graph: Graph, inputs: tuple[Node, ...]) -> Graph:
    """Rebuild `graph` over new inputs (usually with concrete shapes), re-deriving every type."""
    env: dict[int, Node] = {id(old): new for old, new in zip(graph.inputs, inputs)}
    for node in graph.nodes():
        if id(node) in env:
            continue
        if node.op is Op.INPUT:
            raise ValueError(f"graph input {node.attrs['name']!r} was not given a value")
        env[id(node)] = Node.make(node.op, (env[id(s)] for s in node.srcs), node.params)
    return Graph(tuple(inputs), tuple(env[id(o)] for o in graph.outputs))
