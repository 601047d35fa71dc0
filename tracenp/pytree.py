"""Pytrees: nested tuples, lists and dicts of leaves, flattened to a list and a hashable structure."""

from __future__ import annotations

from typing import Any, Callable, Sequence


class Leaf:
    """The structure of one leaf."""

    def __repr__(self) -> str:
        return "*"


LEAF = Leaf()


def flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> tuple[list, Any]:
    """`(leaves, treedef)`; `treedef` is hashable and `unflatten` inverts this."""
    leaves: list = []

    def walk(t):
        if is_leaf is not None and is_leaf(t):
            leaves.append(t)
            return LEAF
        if isinstance(t, tuple) and not hasattr(t, "_fields"):
            return ("tuple", tuple(walk(x) for x in t))
        if isinstance(t, tuple):
            return ("namedtuple", type(t), tuple(walk(x) for x in t))
        if isinstance(t, list):
            return ("list", tuple(walk(x) for x in t))
        if isinstance(t, dict):
            keys = tuple(sorted(t, key=repr))
            return ("dict", keys, tuple(walk(t[k]) for k in keys))
        if t is None:
            return ("none",)
        leaves.append(t)
        return LEAF

    return leaves, walk(tree)


def slots(tree: Any) -> list:
    """Per leaf in flatten order: `(container, key)` where the leaf can be set (a list or a
    dict holds it), else None."""
    out: list = []

    def walk(t, here):
        if isinstance(t, tuple):
            for x in t:
                walk(x, None)
        elif isinstance(t, list):
            for i, x in enumerate(t):
                walk(x, (t, i))
        elif isinstance(t, dict):
            for k in sorted(t, key=repr):
                walk(t[k], (t, k))
        elif t is not None:
            out.append(here)

    walk(tree, None)
    return out


def unflatten(treedef: Any, leaves) -> Any:
    it = iter(leaves)

    def build(d):
        if d is LEAF:
            return next(it)
        kind = d[0]
        if kind == "tuple":
            return tuple(build(x) for x in d[1])
        if kind == "namedtuple":
            return d[1](*(build(x) for x in d[2]))
        if kind == "list":
            return [build(x) for x in d[1]]
        if kind == "dict":
            return {k: build(x) for k, x in zip(d[1], d[2])}
        return None

    result = build(treedef)
    del build  # `build` refers to itself: without this, `leaves` lives until the next gc pass
    return result


def unflattener(treedef: Any) -> Callable[[Sequence], Any]:
    """`unflatten(treedef, ·)` as one expression compiled once (`(v[0], (v[1], v[2]))`), so
    that a cached call rebuilds its result without walking the tree; a tree too deep for
    Python's parser keeps the walk."""
    names: dict = {}
    leaf = iter(range(num_leaves(treedef)))

    def expr(d) -> str:
        if d is LEAF:
            return f"v[{next(leaf)}]"
        kind = d[0]
        if kind in ("tuple", "list"):
            items = ", ".join(expr(x) for x in d[1])
            return f"[{items}]" if kind == "list" else f"({items}{',' if len(d[1]) == 1 else ''})"
        if kind == "namedtuple":
            names[f"t{len(names)}"] = d[1]
            return f"t{len(names) - 1}({', '.join(expr(x) for x in d[2])})"
        if kind == "dict":
            keys = f"k{len(names)}"
            names[keys] = tuple(d[1])
            return "{" + ", ".join(f"{keys}[{i}]: {expr(x)}" for i, x in enumerate(d[2])) + "}"
        return "None"

    try:
        return eval(f"lambda v: {expr(treedef)}", names)
    except (RecursionError, SyntaxError, MemoryError):
        return lambda leaves: unflatten(treedef, leaves)


def num_leaves(treedef: Any) -> int:
    if treedef is LEAF:
        return 1
    kind = treedef[0]
    if kind in ("tuple", "list"):
        return sum(num_leaves(t) for t in treedef[1])
    if kind in ("namedtuple", "dict"):
        return sum(num_leaves(t) for t in treedef[2])
    return 0


def leaf_paths(treedef: Any, prefix: str = "") -> list[str]:
    """`prefix['W1']`, `prefix[0][2]`... for each leaf of `treedef`, in flatten order."""
    paths: list[str] = []

    def walk(d, path):
        if d is LEAF:
            paths.append(path)
        elif d[0] in ("tuple", "list"):
            for i, sub in enumerate(d[1]):
                walk(sub, f"{path}[{i}]")
        elif d[0] == "namedtuple":
            for i, sub in enumerate(d[2]):
                walk(sub, f"{path}[{i}]")
        elif d[0] == "dict":
            for k, sub in zip(d[1], d[2]):
                walk(sub, f"{path}[{k!r}]")

    walk(treedef, prefix)
    return paths


def tree_map(fn: Callable, tree: Any, *rest: Any) -> Any:
    leaves, treedef = flatten(tree)
    others = [flatten(r)[0] for r in rest]
    return unflatten(treedef, [fn(x, *ys) for x, *ys in zip(leaves, *others)])
