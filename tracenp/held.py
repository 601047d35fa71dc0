"""What a traced function reaches through an object or a container.

Its globals, closure variables and arguments are seen by tracing; what they hold one
attribute or item further is not, and three things there would go silently wrong:

- a generator: `self.rng.random()` or `cfg["rng"].normal()` calls the real generator while
  the function is traced; a scalar draw creates no array, so nothing sees it, and its number
  would be frozen into the compiled function;
- a traced value stored there (`history.append(loss)` on a global list): the container would
  keep a tracer after the call, and later calls, which run compiled code, would add nothing;
- a Python number changed there (`CFG["t"] += 1`, `counter.n += 1`): the change happens
  once, while tracing, and the compiled calls would all see its first value.

A trace that did one of these is refused, and what it changed is put back first, so that
`fallback=True` runs on the values the call started with. Each holder is copied once as the
trace starts (a shallow copy, in C), and when it ends only the items that are no longer the
same objects are looked at: a trace pays one pass over what its globals hold, not a walk of
them before and after.
"""

from __future__ import annotations

import contextlib
import pickle
import types

import numpy as np

from .random_draws import GENERATOR_TYPES

_OPAQUE = frozenset({types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType,
                     types.MethodType, types.NoneType, str, bytes, int, float, complex, bool,
                     np.ndarray})  # types of values that hold nothing a trace could change
# (by exact type: one set lookup each, for the hundreds of globals of a user's module)
_MAX_ITEMS = 256  # a long dict or tuple is data, not where a model keeps its state; of a
# list, the last this many items are watched (appends go at the end, of any length)
_NESTED_TAIL = 8  # items watched at the end of a list a holder holds (`self.history`)
_NUMBERS = (int, float, complex, np.generic)
_MISSING = object()


class _Holder:
    """One holder as the trace started: its live items (a list, a dict, an object's
    `__dict__`, a tuple), their copy (of a list, from `start` on), and the lists it holds
    with their lengths and last items."""

    __slots__ = ("key_text", "live", "copy", "start", "lists")

    def __init__(self, key_text: str, live, copy, start: int = 0):
        self.key_text, self.live, self.copy, self.start = key_text, live, copy, start
        self.lists: list = []  # (where, list, length, last items)

    def items(self):
        """(key, value) of the copy."""
        if isinstance(self.copy, dict):
            return self.copy.items()
        return enumerate(self.copy, self.start)

    def replaced(self):
        """(key, value then, value now) of the items that are no longer the same object."""
        live, copy = self.live, self.copy
        if isinstance(live, tuple):
            return []
        if isinstance(live, dict):
            return [(k, copy.get(k, _MISSING), v) for k, v in live.items()
                    if copy.get(k, _MISSING) is not v]
        now = live[self.start:]
        return [(self.start + i, copy[i] if i < len(copy) else _MISSING, v)
                for i, v in enumerate(now) if i >= len(copy) or copy[i] is not v]

    def put_back(self) -> None:
        """The holder and the lists in it as the trace started."""
        if isinstance(self.live, dict):
            self.live.clear()
            self.live.update(self.copy)
        elif isinstance(self.live, list):
            self.live[self.start:] = self.copy
        for _, lst, n, tail in self.lists:
            del lst[n:]
            lst[n - len(tail):] = tail


def _open(name: str, holder) -> _Holder | None:
    """The `_Holder` of a value with items a trace could change or draw from, or None."""
    if type(holder) in _OPAQUE or isinstance(holder, GENERATOR_TYPES):
        return None
    if isinstance(holder, list):
        start = max(len(holder) - _MAX_ITEMS, 0)
        return _Holder(name + "[{}]", holder, holder[start:], start)
    if isinstance(holder, (dict, tuple)):
        if len(holder) > _MAX_ITEMS:
            return None
        if isinstance(holder, tuple):
            return _Holder(name + "[{}]", holder, holder)
        return _Holder(name + "[{!r}]", holder, dict(holder))
    try:
        items = vars(holder)
    except TypeError:  # no __dict__ (a builtin, a slotted class)
        return None
    if type(items) is not dict:  # a class's mappingproxy
        return None
    return _Holder(name + ".{}", items, dict(items))


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


def _equal(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:  # a NumPy scalar compared with something that refuses
        return False


@contextlib.contextmanager
def refuse_outliving_effects(roots: list, bindings: list = ()):
    """Raise after a trace that drew from a generator one level inside `roots`, (name,
    value) pairs (`RandomInTraceError`), or stored a traced value or changed a Python number
    there or in `bindings`, (name, module namespace or closure cell, whether a new number
    counts) of the names its code rebinds (`global best; best = loss`, `nonlocal n; n += 1`)
    (`UnsupportedFunctionError`); what it changed is put back first."""
    bound = [(where, where.get(name, _MISSING) if isinstance(where, dict) else
              _contents(where), name, numbers) for name, where, numbers in bindings]
    holders, generators, seen = [], [], set()
    for name, root in roots:
        h = _open(name, root)
        if h is None:
            continue
        holders.append(h)
        nests = not isinstance(h.live, list)
        for key, value in h.items():
            if type(value) in _OPAQUE:
                continue
            if isinstance(value, GENERATOR_TYPES):
                if id(value) not in seen:
                    seen.add(id(value))
                    generators.append((h.key_text.format(key), value, _state(value)))
            elif nests and isinstance(value, list):
                h.lists.append((h.key_text.format(key), value, len(value),
                                value[-_NESTED_TAIL:]))
    try:
        yield
    except BaseException:  # a failed trace (retried, or run eagerly) leaves nothing behind
        _stored_and_changed(holders)
        _rebound(bound)
        raise
    drawn = [(where, g, s) for where, g, s in generators if not _same(_state(g), s)]
    for _, g, s in drawn:
        _restore(g, s)
    stored, changed = _stored_and_changed(holders)
    stored_b, changed_b = _rebound(bound)
    stored, changed = stored_b + stored, changed_b + changed
    if drawn:
        from .errors import random_in_trace

        names = ", ".join(f"`{where}`" for where, _, _ in drawn)
        raise random_in_trace(f"A draw from the generator {names}, which the jitted function "
                              "reaches through an object or a container,")
    from .errors import unsupported

    if stored:
        raise unsupported(f"storing a traced value in {', '.join(stored[:3])}, which "
                          "outlives the call (it would keep the tracer, and compiled calls "
                          "would not store theirs; return the value instead)")
    if changed:
        raise unsupported(f"changing the Python number {', '.join(changed[:3])}, which "
                          "outlives the call (the change would happen once, while tracing; "
                          "pass the number in and return the new one, or make the function "
                          "a method that keeps it on self)")


def _contents(cell):
    try:
        return cell.cell_contents
    except ValueError:  # not assigned yet
        return _MISSING


def _rebound(bound: list) -> tuple[list[str], list[str]]:
    """`_stored_and_changed` of the names in `bound`, (namespace or closure cell, what the
    name held as the trace started, the name, whether a new number counts), putting back
    what the trace rebound."""
    from .tracer import Tracer

    stored, changed = [], []
    for where, old, name, numbers in bound:
        new = where.get(name, _MISSING) if isinstance(where, dict) else _contents(where)
        if new is old:
            continue
        what = f"`{name}`" if isinstance(where, dict) else f"`{name}` (nonlocal)"
        if isinstance(new, Tracer):
            stored.append(what)
        elif numbers and isinstance(old, _NUMBERS) and isinstance(new, _NUMBERS) and \
                not _equal(old, new):
            changed.append(what)
        else:
            continue
        if not isinstance(where, dict):
            where.cell_contents = old
        elif old is _MISSING:
            del where[name]
        else:
            where[name] = old
    return stored, changed


def _stored_and_changed(holders: list) -> tuple[list[str], list[str]]:
    """Where the trace left a traced value, and where it changed a Python number, putting
    back each holder it did either in. A tracer an earlier trace left is not this one's."""
    from .tracer import Tracer

    stored, changed = [], []
    for h in holders:
        found = False
        for key, old, new in h.replaced():
            if isinstance(new, Tracer):
                if not any(new is v for _, v in h.items()):
                    stored.append(h.key_text.format(key))
                    found = True
            elif (isinstance(old, _NUMBERS) and isinstance(new, _NUMBERS)
                  and not (isinstance(key, str) and key.startswith("__"))
                  and not _equal(old, new)):
                changed.append(h.key_text.format(key))
                found = True
        for where, lst, _, tail in h.lists:
            for i, v in enumerate(lst[-_NESTED_TAIL:]):
                if isinstance(v, Tracer) and not any(v is t for t in tail):
                    stored.append(f"{where}[{max(len(lst) - _NESTED_TAIL, 0) + i}]")
                    found = True
        if found:
            h.put_back()
    return stored, changed
