"""Python's `statistics` functions of traced scalars, while a function is traced.

Scripts average a list of per-item values with `statistics.mean([mape(a, f) for ...])`;
`statistics` sums exact fractions of its items, which a traced value cannot give, so it was
refused. Of traced items each returns what `statistics` returns (a float of the items' type
for `mean`, `median` and the variances: NumPy's float64 of NumPy scalars; a Python float for
`fmean` and the deviations), computed in float64 (`math.fsum`'s compensated sum, so a mean
agrees with the exact one to an ulp).
Calls without a traced item go to `statistics` itself; an empty list raises its error.
"""

from __future__ import annotations

import functools
import statistics

import numpy as np

from . import lax
from .python_math import ROUTES as MATH_ROUTES, _float, _items, _python, _traced

_FSUM = MATH_ROUTES["fsum"]


def _mean(items: list):
    return _FSUM(items) / len(items)


def _spread(items: list, ddof: int):
    mean = _mean(items)
    return _FSUM([(v - mean) * (v - mean) for v in items]) / (len(items) - ddof)


def _routed(python, compute, least: int = 1, of_items: bool = True):
    """`python` of traced items; `of_items`: its result has the items' type (NumPy's scalar
    of NumPy scalars), else it is a Python float."""
    @functools.wraps(python)
    def routed(data, *args, **kwargs):
        items = _items(data)
        if args or kwargs or not _traced((items,)) or len(items) < least:
            return python(items, *args, **kwargs)  # (its own answer, or its error)
        result = compute([_float(v) for v in items])
        if of_items and any(lax.is_tracer(v) and not v.weak for v in items):
            return lax.cast(result, np.float64).with_returns("scalar")
        return _python(result)

    return routed


def _median(items: list):
    ordered = np.sort(np.stack(items))
    n = len(items)
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


ROUTES = {
    "mean": _routed(statistics.mean, _mean),
    "fmean": _routed(statistics.fmean, _mean, of_items=False),
    "median": _routed(statistics.median, _median),
    "pvariance": _routed(statistics.pvariance, lambda v: _spread(v, 0)),
    "variance": _routed(statistics.variance, lambda v: _spread(v, 1), least=2),
    "pstdev": _routed(statistics.pstdev, lambda v: np.sqrt(_spread(v, 0)), of_items=False),
    "stdev": _routed(statistics.stdev, lambda v: np.sqrt(_spread(v, 1)), least=2,
                     of_items=False),
}
