"""The text form of a graph: one equation a line, like a jaxpr.

    { lambda a:f64[3], b:f64[3] .
      let c:f64[3] = mul a b
          d:f64[3] = sin a
      in (c, d) }

Constants print inline when small (`1.0`), else as a named constant.
"""

from __future__ import annotations

from .ir import Graph, Node, toposort, type_str
from .ops import Op


def _names():
    """a, b, ..., z, ba, bb, ...: short stable names in order of appearance."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    i = 0
    while True:
        n, s = i, ""
        while True:
            s = letters[n % 26] + s
            n //= 26
            if n == 0:
                break
        yield s
        i += 1


def _fmt_param(k, v) -> str:
    if hasattr(v, "name") and k == "dtype":
        return f"{k}={v.name}"
    return f"{k}={v!r}"


def format_graph(graph: Graph) -> str:
    gen = _names()
    names: dict[int, str] = {}
    for node in graph.inputs:
        names[id(node)] = next(gen)
    lines = []
    for node in toposort(graph.outputs):
        if id(node) in names:
            continue
        if node.op is Op.CONST and (node.size or 0) <= 4:
            names[id(node)] = repr(node.attrs["value"])
            continue
        names[id(node)] = next(gen)
        args = " ".join(names[id(s)] for s in node.srcs)
        params = " ".join(_fmt_param(k, v) for k, v in node.params
                          if node.op is not Op.CONST)
        if node.op is Op.CONST:
            params = f"value={node.attrs['value']!r}"
        rhs = " ".join(p for p in (node.op.name.lower(), params, args) if p)
        lines.append(f"{names[id(node)]}:{type_str(node)} = {rhs}")
    head = ", ".join(f"{names[id(n)]}:{type_str(n)}" for n in graph.inputs)
    outs = ", ".join(names[id(o)] for o in graph.outputs)
    body = "\n      ".join(lines)
    let = f"\n  let {body}" if lines else ""
    return f"{{ lambda {head} .{let}\n  in ({outs}) }}"


def format_node(node: Node) -> str:
    return format_graph(Graph((), (node,)))
