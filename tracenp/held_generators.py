"""Generators a traced function reaches only through an object or a container.

`self.rng.random()` or `cfg["rng"].normal()` inside a jitted function calls the real
generator while it is traced: a scalar draw creates no array, so nothing sees it, and its
number would be frozen into the compiled function. The generators one attribute or item
away from the function's globals, closure variables and arguments are found before the
trace, and a trace that advanced one of them is refused (its state is put back first).
"""

from __future__ import annotations

import contextlib
import pickle
import types
from typing import Iterable, Iterator

from .random_draws import is_generator

_OPAQUE = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType,
           types.MethodType, str, bytes, int, float, complex, bool)
_MAX_ITEMS = 256  # a long list or dict is data, not where a model keeps its generator


def _children(holder) -> Iterator[tuple[str, object]]:
    """(label, value) of the attributes or items of `holder`."""
    if isinstance(holder, dict):
        if len(holder) <= _MAX_ITEMS:
            yield from ((f"[{k!r}]", v) for k, v in list(holder.items()))
    elif isinstance(holder, (list, tuple)):
        if len(holder) <= _MAX_ITEMS:
            yield from ((f"[{i}]", v) for i, v in enumerate(holder))
    elif not isinstance(holder, _OPAQUE):
        try:
            attrs = vars(holder)
        except TypeError:  # no __dict__ (a builtin, a slotted class)
            return
        yield from ((f".{k}", v) for k, v in list(attrs.items()))


def held(roots: Iterable[tuple[str, object]]) -> list[tuple[str, object]]:
    """(where, generator) of the generators one level inside `roots`, (name, value) pairs."""
    found, seen = [], set()
    for name, root in roots:
        if isinstance(root, _OPAQUE) or is_generator(root):
            continue
        for label, value in _children(root):
            if is_generator(value) and id(value) not in seen:
                seen.add(id(value))
                found.append((name + label, value))
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
