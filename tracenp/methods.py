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
from typing import Any, Callable

import numpy as np

from . import pytree

_DATA = (np.ndarray, np.generic, bool, int, float, complex)
_VALUES = (np.ndarray, np.generic, float, complex)  # what makes an attribute state
_Obj = namedtuple("_Obj", "attrs")  # the state of a plain object inside the state
_DEPTH = 4  # nesting of plain objects followed
_NOT_PLAIN = (type, types.ModuleType, types.FunctionType, types.MethodType, functools.partial)


def _is_data(v) -> bool:
    """State: an array, a NumPy scalar, a float, or a container of numbers holding one of
    those. A bare int or bool (a count, a size, a flag the method's Python branches on)
    stays static, so `range(self.n_steps)` and `if self.training:` work as without jit."""
    if v is None or type(v) in (bool, int):
        return False
    leaves, _ = pytree.flatten(v)
    return (all(isinstance(x, _DATA) for x in leaves)
            and any(isinstance(x, _VALUES) for x in leaves))


def is_plain(v) -> bool:
    """An instance of a user class (a callable layer too), not a module, function, type, or
    NumPy's or tracenp's own object."""
    module = type(v).__module__ or ""
    return (hasattr(v, "__dict__") and not isinstance(v, _NOT_PLAIN)
            and module != "builtins" and not module.startswith(("numpy", "tracenp")))


def state_of(obj, counters: frozenset = frozenset(), depth: int = 0) -> dict:
    """{name: data or _Obj(state)} of the attributes a call passes as inputs; `counters`
    names int attributes the method is known to change (`self.t += 1`), passed as inputs
    too so that each new value does not trace anew."""
    out = {}
    for k, v in vars(obj).items():
        if _is_data(v) or k in counters and type(v) is int and not depth:
            out[k] = v
        elif depth < _DEPTH and is_plain(v):
            sub = state_of(v, counters, depth + 1)
            if sub:
                out[k] = _Obj(sub)
    return out


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
    for k, v in sorted(vars(obj).items()):
        if isinstance(state.get(k), _Obj):
            items.append((k, _rest_key(v, state[k].attrs)))
        elif k not in state:
            try:
                hash(v)
                items.append((k, v))
            except TypeError:
                items.append((k, ("id", id(v))))
    return (type(obj), tuple(items))


def with_state(obj, state: dict):
    """A shallow copy of `obj` whose attributes (and plain objects') hold `state`."""
    clone = copy.copy(obj)
    for k, v in state.items():
        vars(clone)[k] = with_state(vars(obj)[k], v.attrs) if isinstance(v, _Obj) else v
    return clone


def final_state(clone, original, state: dict, before: dict) -> dict:
    """The attributes of the clone that the method changed: state rebound, or containers
    whose items it rebound; other attributes set to new values (`self.steps += 1` on an int:
    a value of the trace, since ints are static). An array changed in place is not among
    them: jit writes it back into the instance's own array."""
    out = {}
    for k, v in vars(clone).items():
        old = state.get(k)
        if isinstance(old, _Obj) and is_plain(v):
            sub = final_state(v, vars(original)[k], old.attrs, before[k])
            if sub:
                out[k] = _Obj(sub)
        elif k in state:
            leaves = pytree.flatten(v)[0]
            if v is not old or len(leaves) != len(before[k]) or \
                    any(a is not b for a, b in zip(leaves, before[k])):
                out[k] = v
        elif v is not vars(original).get(k, _UNSET):
            out[k] = v
    return out


_UNSET = object()


def _leaves(state: dict) -> dict:
    """Each state attribute's leaves as they are now (to see later what was rebound)."""
    return {k: _leaves(v.attrs) if isinstance(v, _Obj) else pytree.flatten(v)[0]
            for k, v in state.items()}


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
    drawing = {k: (v, draws_from(v)) for k, v in vars(clone).items() if is_generator(v)}
    for k, (_, stand_in) in drawing.items():
        vars(clone)[k] = stand_in
    return drawing


def write_back(obj, final: dict) -> None:
    """Set the final state on `obj`: containers updated in place, so references to them
    (an optimizer's view of `self.params`) stay valid."""
    for k, v in final.items():
        old = vars(obj).get(k)
        if isinstance(v, _Obj):
            write_back(old, v.attrs)
        elif isinstance(old, dict) and isinstance(v, dict) and old.keys() == v.keys():
            for kk, vv in v.items():
                if old[kk] is not vv:
                    old[kk] = vv
        elif isinstance(old, list) and isinstance(v, list) and len(old) == len(v):
            for i, vv in enumerate(v):
                if old[i] is not vv:
                    old[i] = vv
        elif old is not v:
            setattr(obj, k, v)


def pure(fn: Callable) -> Callable:
    """`fn(self, *args)` as a function of (state, rest, *args) returning (result, state)."""

    def method(state: dict, rest: Rest, *args: Any, **kwargs: Any):
        clone = with_state(rest.obj, state)
        drawing = _drawing_generators(clone)
        before = _leaves(state)
        result = fn(clone, *args, **kwargs)
        for k, (generator, stand_in) in drawing.items():
            if vars(clone).get(k) is stand_in:
                vars(clone)[k] = generator
        result = _swapped(result, clone, SELF)  # `return self` (scikit-learn's `fit`)
        return result, final_state(clone, rest.obj, state, before)

    return method


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
