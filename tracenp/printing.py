"""Printing symbolic graphs: `debugprint` (a text tree), `pydotprint` (graphviz), `pp` (text form).

A function that has run prints the graph it compiled for its latest call
signature (IR nodes with concrete types); before that, and for a variable,
the recorded expression prints (each call with its static type, unknown dims
as `?`). Both are DAGs: a value used twice is printed once in full and then
referred to by its `[id X]` tag.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from typing import Any, Callable, TextIO

import numpy as np

from . import ir
from .function import Function
from .ops import Op
from .printing_ir import format_graph
from .shared import SharedVariable
from .tensor.variable import Apply, Variable, leaves
from .tracer import Tracer


@dataclass
class _Vertex:
    """One value to print: its label, its type text, and the values it is computed from."""

    key: Any
    label: str
    type: str
    srcs: list
    kind: str  # input | shared | const | apply


def _from_graph(graph: ir.Graph) -> list[_Vertex]:
    """Vertices of an IR graph's outputs."""
    made: dict[int, _Vertex] = {}
    names = {id(n): n.attrs["name"] for n in graph.inputs}
    for node in ir.toposort(graph.outputs):
        if node.op is Op.INPUT:
            label, kind = names.get(id(node)) or node.attrs["name"] or "input", "input"
        elif node.op is Op.CONST:
            label, kind = repr(node.attrs["value"]), "const"
        else:
            params = ", ".join(f"{k}={getattr(v, 'name', v)}" for k, v in node.params)
            label = node.op.name.lower() + (f"{{{params}}}" if params else "")
            kind = "apply"
        made[id(node)] = _Vertex(id(node), label, ir.type_str(node),
                                 [made[id(s)] for s in node.srcs], kind)
    return [made[id(o)] for o in graph.outputs]


def _from_variables(roots: list) -> list[_Vertex]:
    """Vertices of recorded expressions (variables, plain tracers and constants)."""
    made: dict[int, _Vertex] = {}

    def key(x) -> int:  # a single-output call and its variable are one vertex
        return id(x.owner) if isinstance(x, Variable) and x.owner is not None and \
            x.index is None else id(x)

    def deps(x) -> list:
        if isinstance(x, Apply):
            return _operands(x)
        if isinstance(x, Variable) and x.owner is not None:
            return [x.owner] if x.index is not None else _operands(x.owner)
        return []

    order, seen, stack = [], set(), [(r, False) for r in reversed(roots)]
    while stack:  # iterative: no recursion limit on deep expressions
        x, expanded = stack.pop()
        if expanded:
            order.append(x)
        elif key(x) not in seen:
            seen.add(key(x))
            stack.append((x, True))
            stack.extend((d, False) for d in reversed(deps(x)))
    for x in order:
        srcs = [made[key(d)] for d in deps(x)]
        if isinstance(x, Apply):
            v = _Vertex(id(x), _apply_label(x), "", srcs, "apply")
        elif isinstance(x, Variable) and x.owner is not None and x.index is not None:
            v = _Vertex(id(x), f"{x.owner.label}[{x.index}]", _type_of(x), srcs, "apply")
        elif isinstance(x, Variable) and x.owner is not None:
            v = _Vertex(id(x.owner), _apply_label(x.owner), _type_of(x), srcs, "apply")
        elif isinstance(x, SharedVariable):
            v = _Vertex(id(x), x.name or "shared", x.type, [], "shared")
        elif isinstance(x, Variable):
            v = _Vertex(id(x), x.name or "input", x.type, [], "input")
        elif isinstance(x, Tracer):
            v = _from_graph(ir.Graph((), (x.node,)))[0]
            v.key = id(x)
        else:
            v = _Vertex(id(x), _fmt(x), "", [], "const")
        made[key(x)] = v
    return [made[key(r)] for r in roots]


def _is_operand(x) -> bool:
    return isinstance(x, (Tracer, np.ndarray, np.generic, int, float, complex)) and \
        not isinstance(x, bool)


def _operands(app: Apply) -> list:
    """What a call prints as children: its symbolic values and numeric constants, in order."""
    out = [a for a in app.args if _is_operand(a)]
    for a in app.args:
        if not _is_operand(a):
            out.extend(t for t in leaves(a) if isinstance(t, Tracer))
    return out


def _apply_label(app: Apply) -> str:
    params = [_fmt(a) for a in app.args
              if not _is_operand(a) and not any(isinstance(t, Tracer) for t in leaves(a))]
    params += [f"{k}={_fmt(v)}" for k, v in app.kwargs.items()]
    return app.label + (f"{{{', '.join(params)}}}" if params else "")


def _fmt(x) -> str:
    """Short text of a call's parameter: slices as `1:3`, tensors as `*`, dtypes by name."""
    if isinstance(x, Tracer):
        return "*"
    if isinstance(x, slice):
        parts = ["" if p is None else _fmt(p) for p in (x.start, x.stop, x.step)]
        return ":".join(parts[:2] if x.step is None else parts)
    if isinstance(x, (tuple, list)):
        inner = ", ".join(_fmt(y) for y in x)
        return f"({inner})" if isinstance(x, tuple) else f"[{inner}]"
    if isinstance(x, np.dtype):
        return x.name
    if isinstance(x, np.ndarray) and x.size > 4:
        return f"<{x.dtype}{list(x.shape)}>"
    if callable(x):
        return getattr(x, "__name__", repr(x))
    return repr(x) if not isinstance(x, np.ndarray) else np.array2string(x, separator=",")


def _type_of(v: Variable) -> str:
    try:
        return v.type
    except TypeError:
        return "?"


def _vertices(obj) -> list[_Vertex]:
    if isinstance(obj, Function):
        if obj.last is not None:
            return _from_graph(obj.last.optimized)
        return _from_variables(obj.outputs + [u for _, u in obj.updates])
    if isinstance(obj, ir.Graph):
        return _from_graph(obj)
    roots = list(obj) if isinstance(obj, (list, tuple)) else [obj]
    if not all(isinstance(r, Tracer) for r in roots):
        raise TypeError("debugprint/pydotprint take a function, a symbolic variable (or a list "
                        f"of them) or a Graph, not {type(obj).__name__}")
    return _from_variables(roots)


def _tags() -> Callable[[], str]:
    count = iter(range(1 << 62))

    def next_tag() -> str:
        n, s = next(count), ""
        while True:
            s = chr(ord("A") + n % 26) + s
            n = n // 26 - 1
            if n < 0:
                return s

    return next_tag


def debugprint(obj, file: TextIO | str | None = None, print_type: bool = True) -> str | None:
    """Print `obj` (a function, a variable, a list of them, or a Graph) as a tree.

    Each value gets an `[id X]` tag; a value used again prints as its tag and
    `···`. `file="str"` returns the text; any other `file` is written to
    (default: standard output).
    """
    tag: dict[int, str] = {}
    next_tag = _tags()
    lines: list[str] = []
    for root in _vertices(obj):
        stack = [(root, "", "")]
        while stack:
            v, lead, child_lead = stack.pop()
            seen = v.key in tag
            if not seen:
                tag[v.key] = next_tag()
            text = f"{v.label} [id {tag[v.key]}]"
            if print_type and v.type:
                text += f" {v.type}"
            lines.append(lead + text + (" ···" if seen and v.srcs else ""))
            if seen:
                continue
            kids = v.srcs
            for i in reversed(range(len(kids))):
                last = i == len(kids) - 1
                stack.append((kids[i], child_lead + ("└─ " if last else "├─ "),
                              child_lead + ("   " if last else "│  ")))
    text = "\n".join(lines) + "\n"
    if file == "str":
        return text
    out = file if file is not None else None
    print(text, end="", file=out)
    return None


def pp(obj) -> str:
    """The jaxpr-like text of a function's latest compiled graph, or of a graph or tracer."""
    if isinstance(obj, Function):
        return format_graph(obj.graph())
    if isinstance(obj, ir.Graph):
        return format_graph(obj)
    if isinstance(obj, Tracer):
        inputs = tuple(n for n in ir.toposort([obj.node]) if n.op is Op.INPUT)
        return format_graph(ir.Graph(inputs, (obj.node,)))
    raise TypeError(f"pp takes a function, a Graph or a symbolic variable, not "
                    f"{type(obj).__name__}")


pprint = pp  # Theano's name

_FORMATS = ("png", "svg", "pdf", "dot")


def to_dot(obj, var_with_name_simple: bool = False) -> str:
    """The graphviz DOT text of `obj`: values as ellipses (inputs green), calls as boxes."""
    out = io.StringIO()
    out.write("digraph G {\n  rankdir=BT;\n  node [fontname=Helvetica, fontsize=10];\n")
    ids: dict[int, str] = {}
    roots = _vertices(obj)
    stack = list(roots)
    while stack:
        v = stack.pop()
        if v.key in ids:
            continue
        ids[v.key] = f"n{len(ids)}"
        stack.extend(v.srcs)
    for v in _unique(roots):
        label = v.label if var_with_name_simple or not v.type else f"{v.label}\\n{v.type}"
        style = {"input": 'shape=ellipse, style=filled, fillcolor="#c6f0c2"',
                 "shared": 'shape=ellipse, style=filled, fillcolor="#c2dcf0"',
                 "const": 'shape=plaintext'}.get(v.kind, "shape=box")
        out.write(f'  {ids[v.key]} [label="{_escape(label)}", {style}];\n')
        for s in v.srcs:
            out.write(f"  {ids[s.key]} -> {ids[v.key]};\n")
    for i, (r, name) in enumerate(zip(roots, _root_names(obj, len(roots)))):
        out.write(f'  out{i} [label="{_escape(name)}", shape=ellipse, style=filled, '
                  f'fillcolor="#f0e2c2"];\n  {ids[r.key]} -> out{i};\n')
    out.write("}\n")
    return out.getvalue()


def _root_names(obj, n: int) -> list[str]:
    """What each root is: an output, or a function's update of a shared variable."""
    names = [f"output {i}" for i in range(n)]
    if isinstance(obj, Function):
        k = len(obj.outputs)
        names[k:] = [f"update of {s.name or 'shared'}" for s, _ in obj.updates]
    return names


def _unique(roots: list[_Vertex]) -> list[_Vertex]:
    seen, order, stack = set(), [], list(roots)
    while stack:
        v = stack.pop()
        if v.key not in seen:
            seen.add(v.key)
            order.append(v)
            stack.extend(v.srcs)
    return order


def _escape(text: str) -> str:
    return text.replace("\\n", "\0").replace("\\", "\\\\").replace('"', '\\"').replace("\0", "\\n")


def pydotprint(obj, outfile: str = "tracenp.pydotprint.png", var_with_name_simple: bool = False,
               format: str | None = None) -> str:
    """Draw `obj`'s graph into `outfile` (PNG, SVG or PDF by its extension, or `format`).

    A `.dot` file gets the DOT text and needs no graphviz; pictures need
    graphviz's `dot` program. Returns the path written.
    """
    fmt = (format or outfile.rsplit(".", 1)[-1]).lower()
    if fmt not in _FORMATS:
        raise ValueError(f"pydotprint writes {', '.join(_FORMATS)}; got {fmt!r} from "
                         f"outfile={outfile!r} (pass format=)")
    text = to_dot(obj, var_with_name_simple)
    if fmt == "dot":
        with open(outfile, "w") as fh:
            fh.write(text)
        return outfile
    if shutil.which("dot") is None:
        raise RuntimeError("pydotprint needs graphviz's `dot` program to draw pictures, and it "
                           "is not on PATH. Install graphviz (apt-get install graphviz, "
                           "brew install graphviz or conda install graphviz), or write DOT text "
                           "with an outfile ending in .dot")
    try:
        import graphviz
    except ImportError:
        raise RuntimeError("pydotprint needs the graphviz Python package: "
                           "pip install graphviz (or pip install tracenp[viz])") from None
    data = graphviz.Source(text).pipe(format=fmt)
    with open(outfile, "wb") as fh:
        fh.write(data)
    return outfile


__all__ = ["debugprint", "pydotprint", "pp", "pprint", "to_dot"]
