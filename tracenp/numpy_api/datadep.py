"""NumPy functions whose result shape depends on the data: refused with the alternative to use.

Arguments that depend on no input of the function (`np.eye(4, dtype=bool)` while tracing)
are concrete: NumPy computes the result and the graph holds it as a constant. `np.compress`
and `np.extract` with a concrete condition have a known shape and are traced as a gather.
"""

from __future__ import annotations

import numpy as np

from .. import errors, lax
from . import implements

_MASKED = ("np.where(mask, x, fill) keeps the shape, and masked reductions such as "
           "np.sum(x, where=mask) need no selection")


def _concrete(*args):
    """NumPy values of `args` when none depends on an input of the function, else None."""
    values = [a.constant_value() if lax.is_tracer(a) else a for a in args]
    return None if any(v is None for v in values) else values


def _constants(res):
    return tuple(lax.lift(r) for r in res) if isinstance(res, tuple) else lax.lift(res)


@implements(np.nonzero)
def nonzero(a):
    known = _concrete(a)
    if known is None:
        raise errors.data_dependent("np.nonzero (or x.nonzero())", _MASKED)
    return _constants(np.nonzero(*known))


@implements(np.argwhere)
def argwhere(a):
    known = _concrete(a)
    if known is None:
        raise errors.data_dependent("np.argwhere", _MASKED)
    return _constants(np.argwhere(*known))


@implements(np.flatnonzero)
def flatnonzero(a):
    known = _concrete(a)
    if known is None:
        raise errors.data_dependent("np.flatnonzero", _MASKED)
    return _constants(np.flatnonzero(*known))


@implements(np.unique)
def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, **kw):
    known = _concrete(ar)
    if known is None:
        raise errors.data_dependent(
            "np.unique", "np.sort(x) keeps every element; to count values in a known range, "
            "compare with np.arange(k): (x[:, None] == np.arange(k)).sum(axis=0)")
    return _constants(np.unique(known[0], return_index, return_inverse, return_counts, axis,
                                **kw))


@implements(np.bincount)
def bincount(x, weights=None, minlength=0):
    known = _concrete(x, weights)
    if known is None:
        raise errors.data_dependent(
            "np.bincount", "with k known bins, (x[:, None] == np.arange(k)).sum(axis=0) counts, "
            "and np.add.at(np.zeros(k), x, w) sums weights")
    return _constants(np.bincount(known[0], known[1], minlength))


@implements(np.compress)
def compress(condition, a, axis=None, out=None):
    if lax.is_tracer(condition):
        raise errors.data_dependent("np.compress with a traced condition", _MASKED)
    idx = np.flatnonzero(np.asarray(condition))  # concrete: NumPy's own
    return np.take(a, idx, axis=axis)


@implements(np.extract)
def extract(condition, arr):
    if lax.is_tracer(condition):
        raise errors.data_dependent("np.extract with a traced condition", _MASKED)
    return np.take(np.ravel(arr), np.flatnonzero(np.ravel(np.asarray(condition))))
