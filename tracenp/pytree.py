"""Pytrees: nested tuples, lists, dicts and records of leaves, flattened to a list and a
hashable structure.

Containers come back as they went in: a namedtuple as its class, a dict (or `OrderedDict`)
with its keys in their order, a dataclass instance or `SimpleNamespace` ("records") as an
object of its class with its fields. None and strings are part of the structure (a config's
`activation="relu"` keys the cache, as a static argument would); anything else is a leaf.
"""

from __future__ import annotations

import dataclasses
import functools
import types
from collections import OrderedDict
from typing import Any, Callable, Sequence

import numpy as np


class Leaf:
    """The structure of one leaf."""

    def __repr__(self) -> str:
        return "*"


LEAF = Leaf()
_DICTS = (dict, OrderedDict)  # dict classes rebuilt from their items; subclasses, see
# `_made_from_items`
# leaves by their exact type, before any container test (a dict of 12 arrays took 18 us to
# flatten, half of a small jitted update's call)
_PLAIN_LEAVES = frozenset({np.ndarray, float, int, bool, complex, np.float64, np.float32,
                           np.int64, np.int32, np.bool_})
# containers whose children are attributes: records, and a `functools.partial`'s `args` and
# `keywords` (a log-probability with its data bound, passed to a sampler)
ATTRIBUTE_KINDS = ("record", "partial")
IN_OWN = ("own",)  # `slots` of a leaf inside a masked array held by a list, dict or record
_PARTIAL_FIELDS = ("args", "keywords")
_CONSTANT_KINDS = ("none", "const", "slice")  # parts of the structure without leaves
_NOT_SLOTS = (str, bytes, slice)


def record_fields(t) -> tuple[str, ...] | None:
    """The field names of a record (a dataclass instance, a `SimpleNamespace`), else None."""
    if type(t) is types.SimpleNamespace:
        return tuple(vars(t))
    if dataclasses.is_dataclass(t) and not isinstance(t, type):
        return tuple(f.name for f in dataclasses.fields(t))
    return None


def _record(cls: type, names: tuple, values) -> Any:
    """A record of class `cls` with these fields, made without calling its `__init__` (a
    dataclass's `__post_init__` already ran on the values it was flattened from)."""
    if cls is types.SimpleNamespace:
        return types.SimpleNamespace(**dict(zip(names, values)))
    obj = cls.__new__(cls)
    for name, value in zip(names, values):
        object.__setattr__(obj, name, value)
    return obj


_FROM_ITEMS: dict[type, bool] = {}


def _made_from_items(cls: type) -> bool:
    """Whether a dict subclass is made from a dict of its items (EasyDict, Munch, an
    `AttrDict` whose `__getattr__` reads items): rebuilt as itself, so that `p.W` still
    works on the traced one; others (`defaultdict`, `Counter`) are rebuilt as a dict."""
    known = _FROM_ITEMS.get(cls)
    if known is None:
        try:
            made = cls({"a": 1})
            known = type(made) is cls and dict.__eq__(made, {"a": 1}) is True
        except Exception:  # its constructor takes something else
            known = False
        _FROM_ITEMS[cls] = known
    return known


def _bunch_children(t: tuple) -> tuple[tuple, list]:
    """A tuple bunch (SciPy's `_make_tuple_bunch`: `LinregressResult`, `TtestResult`): its
    fields, then its array attributes; the others (a dtype, a module) ride in the treedef."""
    attrs = vars(t)
    arrays = tuple(k for k, v in attrs.items()
                   if hasattr(v, "__array_ufunc__") or isinstance(v, (float, complex, np.generic)))
    fixed = tuple((k, v) for k, v in attrs.items() if k not in arrays)
    return ("own", _bunch, (type(t), len(t), tuple(attrs), arrays, fixed)), \
        [*t, *(attrs[k] for k in arrays)]


def _bunch(aux: tuple, kids: list) -> tuple:
    """The tuple bunch `_bunch_children` took apart, its attributes in their order."""
    cls, n, order, arrays, fixed = aux
    values = {**dict(fixed), **dict(zip(arrays, kids[n:]))}
    bunch = cls.__new__(cls, *kids[:n], **{k: values[k]
                                           for k in getattr(cls, "_extra_fields", ())})
    bunch.__dict__.update((k, values[k]) for k in order)
    return bunch


def _children(t) -> tuple[tuple, list] | None:
    """(treedef head, children) of a container, else None."""
    if isinstance(t, tuple):
        if getattr(type(t), "_extra_fields", None) or hasattr(t, "_fields") and getattr(
                t, "__dict__", None):  # SciPy's LinregressResult, SignificanceResult's
            return _bunch_children(t)  # `correlation`
        if hasattr(t, "_fields"):
            return ("namedtuple", type(t)), list(t)
        return ("tuple",), list(t)
    if isinstance(t, list):
        return ("list",), list(t)
    if isinstance(t, dict):
        cls = type(t) if type(t) in _DICTS or _made_from_items(type(t)) else dict
        return ("dict", cls, tuple(t)), list(t.values())
    names = record_fields(t)
    if names is not None:
        return ("record", type(t), names), [getattr(t, n) for n in names]
    if type(t) is functools.partial:  # its function is part of the structure, as a name is
        return ("partial", t.func, _PARTIAL_FIELDS), [t.args, t.keywords]
    flatten_own = getattr(type(t), "_tracenp_flatten", None)  # tracenp's own containers
    if flatten_own is not None:  # (a masked array: its data and mask)
        aux, kids = flatten_own(t)
        return ("own", type(t)._tracenp_unflatten, aux), kids
    if isinstance(t, np.ndarray) and t.dtype.names is not None:  # traced as its fields
        from .numpy_api.records import TracedRecords

        return (("own", TracedRecords._tracenp_unflatten,
                 (t.dtype, t.shape, isinstance(t, np.recarray))),
                [t[name] for name in t.dtype.names])
    if isinstance(t, np.ma.MaskedArray):  # traced as its data and its mask
        from .numpy_api.masked_arrays import TracedMaskedArray

        fill = np.asarray(t.fill_value).item()
        return (("own", TracedMaskedArray._tracenp_unflatten, (fill,)),
                [np.ma.getdata(t), np.ma.getmaskarray(t)])
    return None


def _partial(func: Callable, args: tuple, keywords: dict) -> functools.partial:
    return functools.partial(func, *args, **keywords)


def flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> tuple[list, Any]:
    """`(leaves, treedef)`; `treedef` is hashable and `unflatten` inverts this."""
    leaves: list = []

    def walk(t):
        if type(t) in _PLAIN_LEAVES and not (type(t) is np.ndarray and t.dtype.names):
            leaves.append(t)
            return LEAF
        if t is None:
            return ("none",)
        if isinstance(t, (str, bytes)):  # a name or a flag: part of the structure
            return ("const", t)
        if type(t) is slice:  # a region, `(slice(y0, y1), slice(x0, x1))`; unhashable
            return ("slice", t.start, t.stop, t.step)  # before Python 3.12: its bounds
        parts = None if is_leaf is not None and is_leaf(t) else _children(t)
        if parts is None:
            leaves.append(t)
            return LEAF
        head, kids = parts
        return head + (tuple([walk(x) for x in kids]),)

    return leaves, walk(tree)


def _constant(d: tuple) -> Any:
    """What a part of the structure without leaves stands for: None, a string, a slice."""
    return None if d[0] == "none" else d[1] if d[0] == "const" else slice(*d[1:])


def slots(tree: Any) -> list:
    """Per leaf in flatten order: `(container, key)` where the leaf can be set (a list or a
    dict holds it, or a record's attribute), `(container, key, steps)` where it is inside
    tuples such a container holds (`caches[i] = (k, v)`: the tuple is replaced), else None
    (a tuple at the root), or `IN_OWN` inside a masked array that a container holds."""
    out: list = []

    def walk(t, here):
        parts = None if t is None or isinstance(t, _NOT_SLOTS) else _children(t)
        if parts is None:
            if t is not None and not isinstance(t, _NOT_SLOTS):
                out.append(here)
            return
        head, kids = parts
        kind = head[0]
        keys = range(len(kids)) if kind == "list" else \
            head[2] if kind == "dict" or kind in ATTRIBUTE_KINDS else None
        for i, x in enumerate(kids):
            if kind == "own":  # a masked array's data and mask: set as a whole, not here
                walk(x, None if here is None else IN_OWN)
            elif keys is not None:
                walk(x, (t, keys[i]))
            else:  # a tuple's item: set by replacing the tuple where it is held
                walk(x, None if here is None else (here[0], here[1], here[2:] and
                                                   here[2] + (i,) or (i,)))

    walk(tree, None)
    return out


def leaf_routes(treedef: Any) -> list:
    """Per leaf of `treedef`: the steps from the root to it, each `(key, kind)` of the
    container it goes through (an index, a dict key, a record's field). The leaves of a call's
    arguments that the function set are found again this way on every call, without walking
    the containers (`slots` of a small config dict took 25 us)."""
    out: list = []

    def walk(d, path: tuple) -> None:
        if d is LEAF:
            out.append(path)
            return
        if d[0] in _CONSTANT_KINDS:
            return
        kind, kids = d[0], d[-1]
        keys = d[2] if kind == "dict" or kind in ATTRIBUTE_KINDS else range(len(kids))
        for key, kid in zip(keys, kids):
            walk(kid, path + ((key, kind),))

    walk(treedef, ())
    return out


def set_path(root, path: tuple, value: Any) -> None:
    """Set the leaf at `path` (`leaf_routes`) under `root`: an item of the list or dict that
    holds it, or a record's attribute; inside tuples, the outermost tuple is replaced by one
    holding `value` (tuples under the root itself are left: the caller's tuple is its own)."""
    setter(path)(root, value)


def setter(path: tuple) -> Callable[[Any, Any], None]:
    """`set_path` for one `path`, its walk worked out once: a compiled function's call sets
    the new values of the containers it was given (`config["cache"] = ...`) each time."""
    held = max((i for i, (_, kind) in enumerate(path) if kind not in ("tuple", "namedtuple")),
               default=None)
    if held is None:
        return lambda root, value: None
    steps = [(key, kind in ATTRIBUTE_KINDS) for key, kind in path[:held]]
    key, kind = path[held]
    by_attribute = kind in ATTRIBUTE_KINDS
    inner = tuple(k for k, _ in path[held + 1:])

    def put(root, value) -> None:
        for k, attribute in steps:
            root = getattr(root, k) if attribute else root[k]
        if inner:
            value = _replaced(getattr(root, key) if by_attribute else root[key], inner, value)
        if by_attribute:
            setattr(root, key, value)
        else:
            root[key] = value

    return put


def _replaced(t: tuple, steps: tuple, value: Any) -> tuple:
    """A copy of the (nested) tuple `t` with the item at `steps` replaced by `value`."""
    i = steps[0]
    item = _replaced(t[i], steps[1:], value) if len(steps) > 1 else value
    return type(t)(*t[:i], item, *t[i + 1:]) if hasattr(t, "_fields") else \
        t[:i] + (item,) + t[i + 1:]


def take_added_keys(traced, given, path: tuple = ()) -> list:
    """(path, key, value) of each key the function added to a dict argument (`p["h"] = ...`,
    as NumPy code caches intermediates in its parameter dict) and of each item it appended to
    a list argument (`tokens.append(next_id)`), taken out of the traced containers (`traced`,
    the function's copies of `given`) so that the rest is the structure it was called with;
    the caller's containers get them after each call (`put`)."""
    added: list = []
    if isinstance(traced, dict) and isinstance(given, dict):
        for key in [k for k in traced if k not in given]:
            added.append((path, key, traced.pop(key)))
        keys = [k for k in traced if k in given]
    elif type(traced) is list and type(given) is list and len(traced) > len(given):
        added += [(path, len(given) + i, v) for i, v in enumerate(traced[len(given):])]
        del traced[len(given):]
        keys = range(len(given))
    elif isinstance(traced, (list, tuple)) and isinstance(given, (list, tuple)) and \
            len(traced) == len(given):
        keys = range(len(traced))
    else:
        return added
    for k in keys:
        added += take_added_keys(traced[k], given[k], path + (k,))
    return added


def put(container, key, value) -> None:
    """`container[key] = value`, appending where `key` is a list's length (`take_added_keys`)."""
    if type(container) is list and key == len(container):
        container.append(value)
    else:
        container[key] = value


def follow(root, path: tuple):
    """The container at `path` (keys and indices) from `root`."""
    for key in path:
        root = root[key]
    return root


def set_slot(slot: tuple, value: Any) -> None:
    """Set what `slots` found: an item of a list or dict, or a record's attribute (a tuple
    among them replaced by one holding `value`)."""
    container, key = slot[:2]
    if len(slot) > 2:
        held = container[key] if isinstance(container, (list, dict)) else \
            getattr(container, key)
        value = _replaced(held, slot[2], value)
    if isinstance(container, (list, dict)):
        container[key] = value
    else:
        setattr(container, key, value)


def unflatten(treedef: Any, leaves) -> Any:
    it = iter(leaves)

    def build(d):
        if d is LEAF:
            return next(it)
        if d[0] in _CONSTANT_KINDS:
            return _constant(d)
        kind, kids = d[0], d[-1]
        if kind == "tuple":
            return tuple(build(x) for x in kids)
        if kind == "namedtuple":
            return d[1](*(build(x) for x in kids))
        if kind == "list":
            return [build(x) for x in kids]
        if kind == "dict":
            items = zip(d[2], [build(x) for x in kids])
            return d[1](items if d[1] in _DICTS else dict(items))
        if kind == "partial":
            return _partial(d[1], *(build(x) for x in kids))
        if kind == "own":
            return d[1](d[2], [build(x) for x in kids])
        return _record(d[1], d[2], [build(x) for x in kids])

    result = build(treedef)
    del build  # `build` refers to itself: without this, `leaves` lives until the next gc pass
    return result


def unflattener(treedef: Any) -> Callable[[Sequence], Any]:
    """`unflatten(treedef, ·)` as one expression compiled once (`(v[0], (v[1], v[2]))`), so
    that a cached call rebuilds its result without walking the tree; a tree too deep for
    Python's parser keeps the walk."""
    names: dict = {"_record": _record, "_partial": _partial}
    leaf = iter(range(num_leaves(treedef)))

    def name(value) -> str:
        names[f"c{len(names)}"] = value
        return f"c{len(names) - 1}"

    def expr(d) -> str:
        if d is LEAF:
            return f"v[{next(leaf)}]"
        if d[0] in _CONSTANT_KINDS:
            return "None" if d[0] == "none" else name(_constant(d))
        kind, kids = d[0], d[-1]
        items = ", ".join(expr(x) for x in kids)
        if kind == "list":
            return f"[{items}]"
        if kind == "tuple":
            return f"({items}{',' if len(kids) == 1 else ''})"
        if kind == "namedtuple":
            return f"{name(d[1])}({items})"
        if kind == "dict":
            items = f"zip({name(d[2])}, ({items}{',' if len(kids) == 1 else ''}))"
            return f"{name(d[1])}({items if d[1] in _DICTS else f'dict({items})'})"
        if kind == "partial":
            return f"_partial({name(d[1])}, {items})"
        if kind == "own":
            return f"{name(d[1])}({name(d[2])}, [{items}])"
        return f"_record({name(d[1])}, {name(d[2])}, ({items}{',' if len(kids) == 1 else ''}))"

    try:
        return eval(f"lambda v: {expr(treedef)}", names)
    except (RecursionError, SyntaxError, MemoryError):
        return lambda leaves: unflatten(treedef, leaves)


def num_leaves(treedef: Any) -> int:
    if treedef is LEAF:
        return 1
    return 0 if treedef[0] in _CONSTANT_KINDS else sum(num_leaves(t) for t in treedef[-1])


def leaf_paths(treedef: Any, prefix: str = "") -> list[str]:
    """`prefix['W1']`, `prefix[0][2]`, `prefix.w`... for each leaf of `treedef`, in flatten
    order."""
    paths: list[str] = []

    def walk(d, path):
        if d is LEAF:
            paths.append(path)
            return
        kind, kids = d[0], d[-1]
        if kind in _CONSTANT_KINDS:
            return
        if kind == "dict":
            keys = [f"[{k!r}]" for k in d[2]]
        elif kind in ATTRIBUTE_KINDS:
            keys = [f".{n}" for n in d[2]]
        else:
            keys = [f"[{i}]" for i in range(len(kids))]
        for k, sub in zip(keys, kids):
            walk(sub, path + k)

    walk(treedef, prefix)
    return paths


def tree_map(fn: Callable, tree: Any, *rest: Any) -> Any:
    leaves, treedef = flatten(tree)
    others = [flatten(r)[0] for r in rest]
    return unflatten(treedef, [fn(x, *ys) for x, *ys in zip(leaves, *others)])
