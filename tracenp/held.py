"""What a traced function reaches through an object or a container.

Its globals, closure variables and arguments are seen by tracing; what they hold one
attribute or item further is not, and two things there would go silently wrong:

- a generator: `self.rng.random()` or `cfg["rng"].normal()` calls the real generator while
  the function is traced; a scalar draw creates no array, so nothing sees it, and its number
  would be frozen into the compiled function. Those generators are found before the trace,
  and a trace that advanced one of them is refused (its state is put back first);
- a traced value stored there (`history.append(loss)` on a global list): the container would
  keep a tracer after the call, and later calls, which run compiled code, would add nothing.
  A trace that leaves one is refused (tracers appended to a list are taken out again).
"""

from __future__ import annotations

import contextlib
import pickle
import types
from typing import Iterable

import numpy as np

from .random_draws import is_generator

_OPAQUE = frozenset({types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType,
                     types.MethodType, types.NoneType, str, bytes, int, float, complex, bool,
                     np.ndarray})  # types of values that hold no generator (by exact type:
# one set lookup each, for the hundreds of globals of a user's module)
_MAX_ITEMS = 256  # a long list or dict is data, not where a model keeps its generator
_NESTED_TAIL = 8  # items looked at at the end of a list an object holds (`self.history`)


def _children(holder, tail: int = _MAX_ITEMS) -> tuple[str, list]:
    """(how a child's key is written, [(key, child)]) of the items or attributes of
    `holder`; of a list, its last `tail` items (appends go at the end, of any length)."""
    if isinstance(holder, list):
        return "[{}]", list(enumerate(holder))[-tail:]
    if isinstance(holder, dict):
        return "[{!r}]", list(holder.items()) if len(holder) <= _MAX_ITEMS else []
    if isinstance(holder, tuple):
        return "[{}]", list(enumerate(holder)) if len(holder) <= _MAX_ITEMS else []
    try:
        return ".{}", list(vars(holder).items())
    except TypeError:  # no __dict__ (a builtin, a slotted class)
        return "", []


def held(roots: Iterable[tuple[str, object]]) -> list[tuple[str, object]]:
    """(where, generator) of the generators one level inside `roots`, (name, value) pairs."""
    found, seen = [], set()
    for name, root in roots:
        if type(root) in _OPAQUE or is_generator(root):
            continue
        key_text, children = _children(root)
        for key, value in children:
            if is_generator(value) and id(value) not in seen:
                seen.add(id(value))
                found.append((name + key_text.format(key), value))
    return found


def _state(g) -> dict:
    from .trace import drawing  # the state's arrays are NumPy's, not the trace's

    with drawing():
        return g.bit_generator.state if hasattr(g, "bit_generator") else \
            g.get_state(legacy=False)


def _restore(g, state: dict) -> None:
    from .trace import drawing

    with drawing():
        if hasattr(g, "bit_generator"):
            g.bit_generator.state = state
        else:
            g.set_state(state)


def _same(a: dict, b: dict) -> bool:
    """Equal states (MT19937's holds an array, so `==` on the dicts would not do)."""
    return pickle.dumps(a) == pickle.dumps(b)


@contextlib.contextmanager
def refuse_frozen_draws(roots: Iterable[tuple[str, object]]):
    """Raise `RandomInTraceError` after a trace that drew from a generator of `roots`."""
    before = [(where, g, _state(g)) for where, g in held(roots)]
    yield
    drawn = [(where, g, s) for where, g, s in before if not _same(_state(g), s)]
    if drawn:
        from .errors import random_in_trace

        for _, g, s in drawn:
            _restore(g, s)
        names = ", ".join(f"`{where}`" for where, _, _ in drawn)
        raise random_in_trace(f"A draw from the generator {names}, which the jitted function "
                              "reaches through an object or a container,")


def _stored_tracers(roots: list) -> list[tuple[str, object, object]]:
    """(where, holder, tracer) of the traced values one level inside `roots`, or in a list one
    level inside them (`self.history`)."""
    from .tracer import Tracer

    found: list = []

    def check(name: str, holder, depth: int) -> None:
        if type(holder) in _OPAQUE or is_generator(holder):
            return
        key_text, kids = _children(holder, _MAX_ITEMS if depth else _NESTED_TAIL)
        for key, value in kids:
            if isinstance(value, Tracer):
                found.append((name + key_text.format(key), holder, value))
            elif depth and isinstance(value, list) and not isinstance(holder, list):
                check(name + key_text.format(key), value, depth - 1)

    for name, root in roots:
        check(name, root, 1)
    return found


def _contents(holder) -> dict | list | None:
    """A shallow copy of a dict's items, a list's or an object's attributes, to put back after
    a trace refused for what it stored there (a tracer, a changed `state["t"]`)."""
    if type(holder) in _OPAQUE or isinstance(holder, tuple) or is_generator(holder):
        return None
    try:
        if isinstance(holder, (dict, list)):
            return (dict if isinstance(holder, dict) else list)(holder) \
                if len(holder) <= _MAX_ITEMS else None
        items = vars(holder)
        return dict(items) if type(items) is dict else None  # not a class's mappingproxy
    except Exception:  # no __dict__, or a container that cannot be read as one
        return None


@contextlib.contextmanager
def refuse_escaped_tracers(roots: list):
    """Raise `UnsupportedFunctionError` after a trace that stored a traced value where it
    outlives the call, once the tracers it appended to a list are taken back out and a dict or
    object it stored one in is put back as it was, so that `fallback=True` runs on NumPy's
    values (one left by an earlier trace does not refuse later ones)."""
    from .tracer import Tracer

    before = {id(t) for _, _, t in _stored_tracers(roots)}
    contents = {id(root): _contents(root) for _, root in roots}
    yield
    new = [(where, holder) for where, holder, t in _stored_tracers(roots) if id(t) not in before]
    if not new:
        _refuse_changed_numbers(roots, contents)
        return
    for _, holder in new:
        if isinstance(holder, list):
            holder[:] = [v for v in holder if not isinstance(v, Tracer) or id(v) in before]
        elif contents.get(id(holder)) is not None:  # as before the trace, for fallback=True
            items = holder if isinstance(holder, dict) else vars(holder)
            items.clear()
            items.update(contents[id(holder)])
    from .errors import unsupported

    raise unsupported(f"storing a traced value in {', '.join(w for w, _ in new[:3])}, which "
                      "outlives the call (it would keep the tracer, and compiled calls would "
                      "not store theirs; return the value instead)")


_NUMBERS = (int, float, complex, np.generic)


def _refuse_changed_numbers(roots: list, contents: dict) -> None:
    """Raise `UnsupportedFunctionError` after a trace that changed a Python number one level
    inside `roots` (`CFG["t"] += 1`, `counter.n += 1`): the change happens once, while
    tracing, and the compiled calls would all see its first value. The holder is put back."""
    changed = []
    for name, root in roots:
        old = contents.get(id(root))
        if not old:
            continue
        if isinstance(root, list):
            items, pairs = root, list(enumerate(old))[:len(root)]
        else:
            items = root if isinstance(root, dict) else vars(root)
            pairs = [(k, v) for k, v in old.items() if k in items]
        keys = [k for k, v in pairs if isinstance(v, _NUMBERS)
                and not (isinstance(k, str) and k.startswith("__"))
                and isinstance(items[k], _NUMBERS) and items[k] is not v
                and not _equal(items[k], v)]
        if keys:
            text = ".{}" if not isinstance(root, (dict, list)) else "[{!r}]"
            changed.append(name + text.format(keys[0]))
            if isinstance(root, list):
                root[:] = old
            else:
                items.clear()
                items.update(old)
    if changed:
        from .errors import unsupported

        raise unsupported(f"changing the Python number {', '.join(changed[:3])}, which "
                          "outlives the call (the change would happen once, while tracing; "
                          "pass the number in and return the new one, or make the function a "
                          "method that keeps it on self)")


def _equal(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:  # a NumPy scalar compared with something that refuses
        return False
