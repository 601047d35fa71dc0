"""Jitted methods: the instance's arrays are inputs of the trace, and what the method assigns
to the instance is written back after each call.

`self` cannot be a static argument like the others: its arrays change between calls (a
training loop updates `self.w` outside the method), and a method that assigns `self.u = ...`
must leave the new value on the instance, as it would without `jit`. So a call passes the
instance's *state* as one dynamic argument: its attributes that are arrays, NumPy scalars or
Python floats, or containers of numbers holding one of those, and the state of attributes
that are plain objects themselves (a model's layers), recursively. The rest of the instance
(its type and other attributes, Python ints and bools among them, by value where hashable,
else by identity) is a static argument. The method runs on shallow copies holding the traced
state; what it changed comes back as outputs and is written to the instance (dicts and lists
in place).
"""

from __future__ import annotations

import copy
import functools
import types
from collections import namedtuple
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any, Callable

import numpy as np

from . import pytree

_DATA = (np.ndarray, np.generic, bool, int, float, complex)
_CONTAINERS = (list, tuple, dict)  # of plain objects: `self.layers = [Dense(...), ReLU()]`
_VALUES = (np.ndarray, np.generic, float, complex)  # what makes an attribute state
_Obj = namedtuple("_Obj", "attrs")  # the state of a plain object inside the state
_Items = namedtuple("_Items", "items")  # the state of a list, tuple or dict holding plain
# objects: per item (a list, or a dict by key) its `_Obj`, `_Items`, data, or None (static)
_DEPTH = 4  # nesting of plain objects (and containers of them) followed
_MAX_ITEMS = 256  # items of a container of plain objects followed
_NOT_PLAIN = (type, types.ModuleType, types.FunctionType, types.MethodType, functools.partial)


def _is_data(v) -> bool:
    """State: an array, a NumPy scalar, a float, or a container of numbers holding one of
    those. A bare int or bool (a count, a size, a flag the method's Python branches on)
    stays static, so `range(self.n_steps)` and `if self.training:` work as without jit."""
    t = type(v)
    if t is np.ndarray or t is float:  # (most attributes: one check, no flattening)
        return True
    if v is None or t in (bool, int, str):
        return False
    leaves, _ = pytree.flatten(v)
    return (all(isinstance(x, _DATA) for x in leaves)
            and any(isinstance(x, _VALUES) for x in leaves))


def is_plain(v) -> bool:
    """An instance of a user class (a callable layer too), not a module, function, type, or
    NumPy's or tracenp's own object."""
    module = type(v).__module__ or ""
    return ((hasattr(v, "__dict__") or bool(_slot_names(type(v))))
            and not isinstance(v, _NOT_PLAIN)
            and module != "builtins" and not module.startswith(("numpy", "tracenp")))


@functools.cache
def _slot_names(cls: type) -> tuple[str, ...]:
    names = []
    for c in cls.__mro__:
        declared = getattr(c, "__slots__", ())
        names += [declared] if isinstance(declared, str) else list(declared)
    return tuple(n for n in names if n not in ("__dict__", "__weakref__"))


class _Slots(MutableMapping):
    """The attributes an object keeps in `__slots__` (emcee's `State`), as `vars` gives the
    `__dict__` of others."""

    def __init__(self, obj):
        self._obj = obj

    def __getitem__(self, name: str):
        try:
            return getattr(self._obj, name)
        except AttributeError:
            raise KeyError(name) from None

    def __setitem__(self, name: str, value) -> None:
        setattr(self._obj, name, value)

    def __delitem__(self, name: str) -> None:
        delattr(self._obj, name)

    def __iter__(self):
        return (n for n in _slot_names(type(self._obj)) if hasattr(self._obj, n))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def attributes(obj) -> MutableMapping:
    """`vars(obj)`, or its `__slots__` attributes where it has no `__dict__` (also where
    `hasattr(obj, "__dict__")` answers through a `__getattr__`)."""
    try:
        return vars(obj)
    except TypeError:
        return _Slots(obj)


def state_of(obj, counters: frozenset = frozenset(), depth: int = 0) -> dict:
    """{name: data or _Obj(state)} of the attributes a call passes as inputs; `counters`
    names int attributes the method is known to change (`self.t += 1`), passed as inputs
    too so that each new value does not trace anew."""
    out = {}
    for k, v in attributes(obj).items():
        if _is_data(v) or k in counters and type(v) is int and not depth:
            out[k] = v
        elif depth < _DEPTH and (sub := _sub_state(v, depth)) is not None:
            out[k] = sub
    return out


def _sub_state(v, depth: int):
    """The state of a plain object (its `_Obj`, even with no data: the method may set
    attributes on it, which must reach the real one) or of a container holding plain objects
    (`_Items`); None for anything else."""
    if is_plain(v):
        return _Obj(state_of(v, frozenset(), depth + 1))
    if type(v) not in _CONTAINERS or len(v) > _MAX_ITEMS:
        return None
    pairs = v.items() if type(v) is dict else enumerate(v)
    items = {k: (x if _is_data(x) else _sub_state(x, depth + 1) if depth + 1 < _DEPTH
                 else None) for k, x in pairs}
    if not any(isinstance(x, (_Obj, _Items)) for x in items.values()):
        return None
    return _Items(items if type(v) is dict else list(items.values()))


class Rest:
    """The static part of an instance: its type and the attributes not in its state."""

    def __init__(self, obj, state: dict):
        self.obj = obj
        self.key = _rest_key(obj, state)

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other) -> bool:
        return isinstance(other, Rest) and self.key == other.key


def _rest_key(obj, state: dict) -> tuple:
    items = []
    for k, v in sorted(attributes(obj).items()):
        if isinstance(state.get(k), (_Obj, _Items)):
            items.append((k, _sub_key(v, state[k])))
        elif k not in state:
            items.append((k, _static_key(v)))
    return (type(obj), tuple(items))


def _sub_key(v, sub) -> tuple:
    if isinstance(sub, _Obj):
        return _rest_key(v, sub.attrs)
    pairs = v.items() if type(v) is dict else enumerate(v)
    return (type(v), tuple((k, "data") if _is_data(x) else
                           (k, _sub_key(x, s)) if s is not None else (k, _static_key(x))
                           for (k, x), s in zip(pairs, _item_states(sub))))


def _static_key(v):
    """A static attribute's part of the key: its value where hashable; a dict, list or tuple
    by its contents (a method may have added to it since: `if "W" not in self.cache`); else
    the object itself."""
    if type(v) in (dict, list, tuple):
        pairs = v.items() if type(v) is dict else enumerate(v)
        return (type(v), tuple((k, _static_key(x)) for k, x in pairs))
    try:
        hash(v)
        return v
    except TypeError:
        return ("id", id(v))


def _item_states(sub: _Items) -> list:
    return list(sub.items.values()) if type(sub.items) is dict else sub.items


def with_state(obj, state: dict):
    """A shallow copy of `obj` whose attributes (and plain objects') hold `state`, and copies
    of its other dicts: a method that adds a key (`self.cache["W"] = ...` on first use)
    changes the copy, which `final_state` compares. Lists stay the instance's own: one that
    grows on every call (`self.history.append(loss)`) is refused by `held`, where writing it
    back would trace every call anew."""
    clone = copy.copy(obj)
    copies = _COPIES.get()
    if copies is not None:
        copies[id(obj)] = clone
    for k, v in attributes(obj).items():
        if k in state:
            attributes(clone)[k] = _with_sub(v, state[k])
        elif type(v) is dict:
            attributes(clone)[k] = _copied(v)
    return clone


def _copied(v):
    """`v` with its dicts copied, nested ones too; other values shared."""
    return {k: _copied(x) for k, x in v.items()} if type(v) is dict else v


def _same_contents(a, b) -> bool:
    """Whether two (nested) dicts hold the same objects under the same keys."""
    if type(a) is dict and type(b) is dict:
        return a.keys() == b.keys() and all(_same_contents(a[k], b[k]) for k in a)
    return a is b


def _with_sub(v, sub):
    """`v` (an attribute or an item) holding its state `sub`: copies of plain objects and of
    the containers holding them, so the method's changes reach the instance only as its
    results."""
    if isinstance(sub, _Obj):
        return with_state(v, sub.attrs)
    if not isinstance(sub, _Items):
        return v if sub is None else sub
    pairs = v.items() if type(v) is dict else enumerate(v)
    new = [(k, _with_sub(x, s)) for (k, x), s in zip(pairs, _item_states(sub))]
    return dict(new) if type(v) is dict else type(v)(x for _, x in new)


def final_state(clone, original, state: dict, before: dict) -> dict:
    """The attributes of the clone that the method changed: state rebound, or containers
    whose items it rebound; other attributes set to new values (`self.steps += 1` on an int:
    a value of the trace, since ints are static). An array changed in place is not among
    them: jit writes it back into the instance's own array."""
    out = {}
    for k, v in attributes(clone).items():
        old = state.get(k)
        if isinstance(old, (_Obj, _Items)):
            sub = _final_sub(v, attributes(original)[k], old, before[k], k)
            if sub is not None:
                out[k] = sub
        elif k in state:
            leaves = pytree.flatten(v)[0]
            if v is not old or len(leaves) != len(before[k]) or \
                    any(a is not b for a, b in zip(leaves, before[k])):
                out[k] = v
        elif type(v) is dict and _same_contents(v, attributes(original).get(k, _UNSET)):
            continue  # a copy (`with_state`) the method left as it was
        elif v is not attributes(original).get(k, _UNSET):
            out[k] = v
    return out


_UNSET = object()


def _final_sub(v, original, sub, before, name: str):
    """What the method changed in a plain object or a container of them (`final_state`),
    or None. A container it rebound or resized is refused: its new items are the traced
    copies."""
    from .errors import unsupported

    if isinstance(sub, _Obj):
        if not is_plain(v):
            raise unsupported(f"Rebinding `{name}`, an attribute holding an object, in a "
                              "jitted method")
        changed = final_state(v, original, sub.attrs, before)
        return _Obj(changed) if changed else None
    if type(v) is not type(original) or len(v) != len(original) or (
            type(v) is dict and v.keys() != original.keys()):
        raise unsupported(f"Rebinding or resizing `{name}`, a container of objects, in a "
                          "jitted method")
    keys = list(v) if type(v) is dict else range(len(v))
    out, any_changed = [], False
    for key, s, b in zip(keys, _item_states(sub), before):
        if isinstance(s, (_Obj, _Items)):
            c = _final_sub(v[key], original[key], s, b, f"{name}[{key!r}]")
        elif s is not None:  # data: rebound, as a leaf or in place (`layers[0] = W * 2`)
            leaves = pytree.flatten(v[key])[0]
            c = v[key] if v[key] is not s or len(leaves) != len(b) or any(
                x is not y for x, y in zip(leaves, b)) else None
        else:
            c = None
            if v[key] is not original[key]:
                raise unsupported(f"Setting `{name}[{key!r}]` in a jitted method")
        out.append(c)
        any_changed = any_changed or c is not None
    if not any_changed:
        return None
    return _Items(dict(zip(keys, out)) if type(v) is dict else out)


def _leaves(state: dict) -> dict:
    """Each state attribute's leaves as they are now (to see later what was rebound)."""
    return {k: _sub_leaves(v) for k, v in state.items()}


def _sub_leaves(v):
    if isinstance(v, _Obj):
        return _leaves(v.attrs)
    if isinstance(v, _Items):
        return [_sub_leaves(s) if s is not None else None for s in _item_states(v)]
    return pytree.flatten(v)[0]


def counters_of(final: dict, state: dict) -> set[str]:
    """The int attributes, outside the state, that a call set to a new int."""
    return {k for k, v in final.items() if k not in state and type(v) is int}


def _drawing_generators(clone) -> dict:
    """While traced, the generators among the clone's attributes (`self.rng`) replaced by
    stand-ins whose draws happen at each call ({name: (generator, stand-in)}): `Rest` keys
    the compiled function by the generator object, as an argument's would be."""
    from .random_draws import is_generator
    from .trace import current_trace, draws_from

    if current_trace() is None:
        return {}
    drawing = {k: (v, draws_from(v)) for k, v in attributes(clone).items() if is_generator(v)}
    for k, (_, stand_in) in drawing.items():
        attributes(clone)[k] = stand_in
    return drawing


def write_back(obj, final: dict) -> None:
    """Set the final state on `obj`: containers updated in place, so references to them
    (an optimizer's view of `self.params`) stay valid."""
    for k, v in final.items():
        old = attributes(obj).get(k, _UNSET)  # (a new attribute may be None: `self.mean_ = None`)
        if isinstance(v, (_Obj, _Items)):
            _write_sub(old, v)
        elif not _assigned_in_place(old, v) and old is not v:
            setattr(obj, k, v)


def _assigned_in_place(old, new) -> bool:
    """Make the dict or list `old` hold what `new` holds, nested dicts and lists in place
    too; False where `old` cannot become `new` so (another type)."""
    if type(old) is not type(new) or type(old) not in (dict, list):
        return False
    if type(old) is dict:
        for key in [key for key in old if key not in new]:
            del old[key]
        for key, v in new.items():
            if key not in old or old[key] is not v and not _assigned_in_place(old[key], v):
                old[key] = v
        return True
    for i, v in enumerate(new[:len(old)]):
        if old[i] is not v and not _assigned_in_place(old[i], v):
            old[i] = v
    del old[len(new):]
    old.extend(new[len(old):])
    return True


def _write_sub(target, final) -> None:
    if isinstance(final, _Obj):
        write_back(target, final.attrs)
        return
    keys = list(target) if type(target) is dict else range(len(target))
    for key, f in zip(keys, _item_states(final)):
        if isinstance(f, (_Obj, _Items)):
            _write_sub(target[key], f)
        elif f is not None:
            target[key] = f


def pure(fn: Callable) -> Callable:
    """`fn(self, *args)` as a function of (state, rest, *args) returning (result, state)."""

    def method(state: dict, rest: Rest, *args: Any, **kwargs: Any):
        copies = dict(_COPIES.get() or {})
        token = _COPIES.set(copies)
        try:
            clone = with_state(rest.obj, state)
            drawing = _drawing_generators(clone)
            before = _leaves(state)
            result = fn(clone, *args, **kwargs)
        finally:
            _COPIES.reset(token)
        for k, (generator, stand_in) in drawing.items():
            if attributes(clone).get(k) is stand_in:
                attributes(clone)[k] = generator
        result = _swapped(result, clone, SELF)  # `return self` (scikit-learn's `fit`)
        return result, final_state(clone, rest.obj, state, before)

    return method


def is_object_argument(v) -> bool:
    """An argument whose state a call passes as `self`'s is passed: a user's object (a model,
    an optimizer, a filter), or a list, tuple or dict holding one (`forward(layers, x)`); not
    a record (a dataclass, a `SimpleNamespace`: a pytree) nor an array-like (`__array__`)."""
    if isinstance(v, (list, tuple, dict)):  # (a subclass, an `AttrDict`, is a pytree)
        return type(v) in _CONTAINERS and len(v) <= _MAX_ITEMS and any(
            map(is_object_argument, v.values() if type(v) is dict else v))
    return is_plain(v) and pytree.record_fields(v) is None and not (
        hasattr(type(v), "__array__") or hasattr(type(v), "__array_function__"))


def objects_in(v, depth: int = 0) -> list:
    """The plain objects an object argument or `self` is or holds, as its state follows them
    (`forward(layers, x)`, `self.mapper`): whose classes' tables a trace captures."""
    if depth > _DEPTH:
        return []
    if is_plain(v):
        return [v, *(o for x in attributes(v).values() for o in objects_in(x, depth + 1))]
    if type(v) in _CONTAINERS and len(v) <= _MAX_ITEMS:
        return [o for x in (v.values() if type(v) is dict else v)
                for o in objects_in(x, depth + 1)]
    return []


def sub_state_of(v, counters: frozenset = frozenset()):
    """The state of an object argument (`is_object_argument`): `_Obj` or `_Items`."""
    return _Obj(state_of(v, counters)) if is_plain(v) else _sub_state(v, -1)


def sub_counters(final, state) -> set[str]:
    """`counters_of` of an object argument's final state, or nothing for a container."""
    if isinstance(final, _Obj) and isinstance(state, _Obj):
        return counters_of(final.attrs, state.attrs)
    return set()


def write_sub(target, final) -> None:
    """Set an object argument's final state (`pure_objects`) on it."""
    if final is not None:
        _write_sub(target, final)


def pure_objects(fn: Callable, where: tuple) -> Callable:
    """`fn(*args, **kwargs)`, whose arguments at `where` (positions, keyword names) are
    objects (`is_object_argument`), as a function of (states, rests, *args, **kwargs)
    returning (result, finals): each object runs as a copy holding its traced state, as
    `pure` runs `self`, and what the function changed on it comes back. A result that is
    one of the copies is the marker `given[k]`, which `with_objects` makes the object."""
    given = tuple(_Self() for _ in where)

    def call(states: tuple, rests: tuple, *args: Any, **kwargs: Any):
        args, kwargs = list(args), dict(kwargs)
        copies = dict(_COPIES.get() or {})
        token = _COPIES.set(copies)
        try:
            clones = [_with_sub(rest.obj, state) for rest, state in zip(rests, states)]
            drawing = [_drawing_generators(c) if is_plain(c) else {} for c in clones]
            befores = [_sub_leaves(state) for state in states]
            for w, clone in zip(where, clones):
                if type(w) is int:
                    args[w] = clone
                else:
                    kwargs[w] = clone
            result = fn(*args, **kwargs)
        finally:
            _COPIES.reset(token)
        finals = []
        for w, clone, rest, state, before, draws in zip(where, clones, rests, states, befores,
                                                        drawing):
            for k, (generator, stand_in) in draws.items():
                if attributes(clone).get(k) is stand_in:
                    attributes(clone)[k] = generator
            result = _swapped(result, clone, given[len(finals)])
            name = f"args[{w}]" if type(w) is int else w
            finals.append(_final_sub(clone, rest.obj, state, before, name))
        return result, tuple(finals)

    call.given = given
    return call


def with_objects(result, given: tuple, objects: list):
    """`result` with the markers of `pure_objects` replaced by the objects."""
    for marker, obj in zip(given, objects):
        result = _swapped(result, marker, obj)
    return result


class ArgRest:
    """The static part of an object argument (`Rest` for any `_Obj` or `_Items` state)."""

    def __init__(self, obj, state):
        self.obj = obj
        self.key = _sub_key(obj, state)

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other) -> bool:
        return isinstance(other, ArgRest) and self.key == other.key


_COPIES: ContextVar[dict | None] = ContextVar("tracenp_method_copies", default=None)
# while a method is traced: id(instance) -> the traced copy it runs on, its objects' too


def traced_copy(obj):
    """The copy a traced method runs on in place of `obj` (`obj` itself outside one): a
    jitted method stored on the instance (`m.predict = tracenp.jit(m.predict)`) and called
    from another (`self.predict(X)` in `score`) reads the traced state, not the instance's
    arrays as constants of the caller's trace."""
    copies = _COPIES.get()
    return copies.get(id(obj), obj) if copies else obj


class _Self:
    """Where a method's result holds the instance it was called on (the call's own, not the
    traced copy the method ran on)."""


SELF = _Self()


def with_instance(result, obj):
    """`result` with `SELF` replaced by the instance."""
    return _swapped(result, SELF, obj)


def _swapped(result, old, new):
    """`result` with each leaf that is `old` replaced by `new` (itself if it holds none)."""
    leaves, tree = pytree.flatten(result)
    if not any(leaf is old for leaf in leaves):
        return result
    return pytree.unflatten(tree, [new if leaf is old else leaf for leaf in leaves])
