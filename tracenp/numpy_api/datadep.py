"""NumPy functions whose result shape depends on the data: refused with the alternative to use.

Arguments that depend on no input of the function (`np.eye(4, dtype=bool)` while tracing)
are concrete: NumPy computes the result and the graph holds it as a constant. `np.compress`
and `np.extract` with a concrete condition have a known shape and are traced as a gather.
"""

from __future__ import annotations

import numpy as np

from .. import errors, lax
from ..ops import Op
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
    if known is not None:
        return _constants(np.bincount(known[0], known[1], minlength))
    bounds = value_bounds(lax.lift(x).node)
    if bounds is not None and 0 <= bounds[0] and bounds[1] < minlength:
        return _bincount_of_bounded(x, weights, minlength)
    raise errors.data_dependent(
        "np.bincount", "with k known bins, (x[:, None] == np.arange(k)).sum(axis=0) counts, "
        "and np.add.at(np.zeros(k), x, w) sums weights; a minlength above every possible "
        "value fixes the length (uint8/uint16/bool values, np.clip(i, 0, k - 1), "
        "np.digitize(x, bins), i % k)")


_SAME_VALUES = (Op.RESHAPE, Op.TRANSPOSE, Op.BROADCAST, Op.SLICE, Op.GATHER)


def value_bounds(node, depth: int = 32) -> tuple[int, int] | None:
    """Bounds on the values of an integer or bool `node`, from its dtype narrowed by the ops
    that made it (constants, clips, sums of comparisons, `% k`), so that `np.bincount` of
    `np.clip(i, 0, k - 1)` or `np.digitize(x, bins)` with a covering `minlength` has a length
    known while tracing; None for other dtypes."""
    if node.dtype.kind == "b":
        return 0, 1
    if node.dtype.kind not in "iu":
        return None
    info = np.iinfo(node.dtype)
    own = int(info.min), int(info.max)
    got = _op_bounds(node, depth) if depth > 0 else None
    if got is None or got[0] < own[0] or got[1] > own[1]:  # unknown, or it may have wrapped
        return own
    return got


def _op_bounds(node, depth: int) -> tuple[int, int] | None:
    op, srcs = node.op, node.srcs
    if op is Op.CONST:
        v = node.attrs["value"].value
        return (int(v.min()), int(v.max())) if v.size else None
    src = [value_bounds(s, depth - 1) for s in srcs[:2]] if op is not Op.GATHER else \
        [value_bounds(srcs[0], depth - 1)]
    if any(b is None for b in src):
        return None
    if op in _SAME_VALUES or op is Op.CAST:
        return src[0]
    if op is Op.ADD:
        return src[0][0] + src[1][0], src[0][1] + src[1][1]
    if op is Op.SUBTRACT:
        return src[0][0] - src[1][1], src[0][1] - src[1][0]
    if op in (Op.MAXIMUM, Op.MINIMUM):
        pick = max if op is Op.MAXIMUM else min
        return pick(src[0][0], src[1][0]), pick(src[0][1], src[1][1])
    if op is Op.REMAINDER and src[1][0] > 0:
        return 0, src[1][1] - 1
    if op is Op.SUM and src[0][0] >= 0:
        n = int(np.prod(srcs[0].shape)) // max(int(np.prod(node.shape)), 1)
        return src[0][0] * n, src[0][1] * n
    return None


def _bincount_of_bounded(x, weights, minlength: int):
    """Every value of `x` is in [0, minlength) (its dtype and the ops that made it say so):
    NumPy's length is `minlength`, known now, and the counts are one scatter-add."""
    x = lax.lift(x)
    if x.ndim != 1:
        raise ValueError("object too deep for desired array")
    if weights is None:
        out, inc = lax.lift(np.zeros(minlength, dtype=np.intp)), 1
    else:
        weights = lax.lift(weights)
        if weights.dtype.kind == "c":
            raise TypeError(f"Cannot cast array data from dtype('{weights.dtype}') to "
                            "dtype('float64') according to the rule 'safe'")
        if weights.shape != x.shape:
            raise ValueError("The weights and list don't have the same length.")
        out, inc = lax.lift(np.zeros(minlength)), weights.astype(np.float64)
    np.add.at(out, x.astype(np.intp), inc)
    return out


@implements(np.compress)
def compress(condition, a, axis=None, out=None):
    if lax.is_tracer(condition):
        raise errors.data_dependent("np.compress with a traced condition", _MASKED)
    idx = np.flatnonzero(np.asarray(condition))  # concrete: NumPy's own
    return np.take(a, idx, axis=axis, out=out)


@implements(np.extract)
def extract(condition, arr):
    if lax.is_tracer(condition):
        raise errors.data_dependent("np.extract with a traced condition", _MASKED)
    return np.take(np.ravel(arr), np.flatnonzero(np.ravel(np.asarray(condition))))
