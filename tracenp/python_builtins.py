"""Python's `max` and `min` of traced scalars, while a function is traced.

`max(dp[c], dp[c - w] + v)`, `min(1.0, ratio)`, `max(x.min(), 0)` and `max(ratings.values())`
(of any iterable: a generator, a dict's values) compare with `>`, whose traced answer Python
cannot branch on, so they were refused. For scalars (0-d values) their
meaning is a fold, `result = item if item > result else result` from the first item on
(`<` for `min`), which a traced comparison and `np.where` compute exactly, NaN included: a
NaN item or result is kept or passed over as Python keeps or passes it. Arrays compared
whole (`max(row_a, row_b)`), a `key=`, and everything without a traced value go to Python's
own function, which raises or answers as it always does.
"""

from __future__ import annotations

import builtins

import numpy as np

from .tracer import Tracer

_MAX, _MIN = builtins.max, builtins.min
_NUMBERS = (int, float, np.integer, np.floating, np.bool_)


def _fold(python, better, args, kwargs):
    if "key" in kwargs:
        return python(*args, **kwargs)
    items = args if len(args) > 1 else args[0] if args else ()
    if isinstance(items, Tracer) and items.ndim == 1:
        items = [items[i] for i in range(items.shape[0])]
    elif not isinstance(items, (list, tuple)):
        if isinstance(items, Tracer) or not hasattr(items, "__iter__"):
            return python(*args, **kwargs)
        items = list(items)  # a generator or a dict's values, iterated once
        args = (items,)
    scalars = all(not v.ndim if isinstance(v, Tracer) else isinstance(v, _NUMBERS)
                  for v in items)
    if not scalars or not any(isinstance(v, Tracer) for v in items):
        return python(*args, **kwargs)
    result = items[0]
    for item in items[1:]:
        result = np.where(better(item, result), item, result)
    return result.with_returns(_returns(items)) if isinstance(result, Tracer) else result


def _returns(items) -> str:
    """What the result comes back as: Python's max returns one of its items, so a Python
    number where all are, a 0-d array where all are, else a NumPy scalar."""
    kinds = {v.returns if isinstance(v, Tracer) and not v.weak else "python"
             if isinstance(v, (int, float, Tracer)) else "scalar" for v in items}
    return kinds.pop() if len(kinds) == 1 else "scalar"


def traced_max(*args, **kwargs):
    """`max` while a function is traced."""
    return _fold(_MAX, lambda item, result: item > result, args, kwargs)


def traced_min(*args, **kwargs):
    """`min` while a function is traced."""
    return _fold(_MIN, lambda item, result: item < result, args, kwargs)
