"""NumPy functions whose result shape depends on the data: refused with the alternative to use.

`np.compress` and `np.extract` with a concrete (NumPy) condition have a known shape and
are traced as a gather.
"""

from __future__ import annotations

import numpy as np

from .. import errors, lax
from . import implements

_MASKED = ("np.where(mask, x, fill) keeps the shape, and masked reductions such as "
           "np.sum(x, where=mask) need no selection")


@implements(np.nonzero)
def nonzero(a):
    raise errors.data_dependent("np.nonzero (or x.nonzero())", _MASKED)


@implements(np.argwhere)
def argwhere(a):
    raise errors.data_dependent("np.argwhere", _MASKED)


@implements(np.flatnonzero)
def flatnonzero(a):
    raise errors.data_dependent("np.flatnonzero", _MASKED)


@implements(np.unique)
def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, **kw):
    raise errors.data_dependent(
        "np.unique", "np.sort(x) keeps every element; to count values in a known range, compare "
        "with np.arange(k): (x[:, None] == np.arange(k)).sum(axis=0)")


@implements(np.bincount)
def bincount(x, weights=None, minlength=0):
    raise errors.data_dependent(
        "np.bincount", "with k known bins, (x[:, None] == np.arange(k)).sum(axis=0) counts, and "
        "np.add.at(np.zeros(k), x, w) sums weights")


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
