"""Shape arithmetic shared by the type rules and the front end.

Dims may be None (unknown until a symbolic graph is specialised); an unknown
dim is taken to be non-broadcastable, as Theano does.
"""

from __future__ import annotations

import operator

from typing import Sequence

import numpy as np

Shape = tuple


def broadcast_shapes(*shapes: Shape) -> Shape:
    """NumPy broadcasting with unknown dims; raises NumPy's ValueError on mismatch."""
    first = shapes[0] if shapes else ()
    if None not in first and all(s == first for s in shapes):  # most ops: one shape
        return tuple(first)
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
    for dims in zip(*padded):
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            shown = " ".join(str(tuple(s)).replace(", ", ",").replace(",)", ",)") for s in shapes)
            raise ValueError(f"operands could not be broadcast together with shapes {shown}")
        if known:
            out.append(known.pop())
        elif None in dims:
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def normalize_axis(axis: int, ndim: int, strict: bool = False) -> int:
    """`axis` in [0, ndim); a 0-d array takes 0 and -1 unless `strict` (NumPy's
    `normalize_axis_index`: swapaxes, moveaxis, flip, roll, median)."""
    axis = operator.index(axis)  # NumPy's TypeError for axis=1.0
    if not -max(ndim, 1) <= axis < max(ndim, 1) or (strict and ndim == 0):
        from numpy.exceptions import AxisError

        raise AxisError(axis, ndim)
    return axis % ndim if ndim else 0


def normalize_axes(axis, ndim: int, strict: bool = False) -> tuple[int, ...]:
    """`axis=None | int | tuple` as a sorted tuple of non-negative axes.

    A ufunc reduction takes an int axis 0 or -1 of a 0-d array as no axis, and refuses a tuple;
    `strict` (NumPy's `normalize_axis_tuple`: flip, roll, median, quantile) refuses both.
    """
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        axes = tuple(normalize_axis(a, ndim, strict=True) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError("duplicate value in 'axis'")
        return tuple(sorted(axes))
    axis = normalize_axis(axis, ndim, strict)
    return (axis,) if ndim else ()


def slice_dim(n: int | None, start, stop, step) -> int | None:
    if n is None:
        return None
    return len(range(*slice(start, stop, step).indices(n)))


def compose_slices(n: int, first: tuple, second: tuple) -> tuple:
    """One (start, stop, step) for `[second]` applied after `[first]` on a dim of length n."""
    r = range(n)[slice(*first)][slice(*second)]
    if len(r) == 0:
        return (0, 0, 1)
    stop = r.stop if r.stop >= 0 else None
    return (r.start, stop, r.step)


def resolve_reshape(src: Shape, target: Sequence[int]) -> Shape:
    """Resolve the unknown dim in `target`: NumPy takes any negative size (`-1`, `-2`) for it.
    Raise NumPy's ValueError when sizes differ."""
    target = tuple(operator.index(d) for d in target)  # NumPy's TypeError for 2.0
    unknown = [i for i, d in enumerate(target) if d < 0]
    if len(unknown) > 1:
        raise ValueError("can only specify one unknown dimension")
    if any(d is None for d in src):
        return tuple(None if d < 0 else d for d in target)
    size = 1
    for d in src:
        size *= d
    known = 1
    for d in target:
        if d >= 0:
            known *= d
    if unknown and (known == 0 or size % known) or not unknown and known != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {target_repr(target)}")
    return tuple(size // known if d < 0 else d for d in target)


def target_repr(target: Sequence[int]) -> str:
    """A shape as NumPy's reshape error prints it: leading unknown dims dropped, later ones
    as `newaxis`, and a trailing comma only for a one-dim target (`(5)` for `(-1, 5)`)."""
    dims = list(target)
    while dims and dims[0] < 0:
        dims.pop(0)
    body = ",".join("newaxis" if d < 0 else str(d) for d in dims)
    return f"({body},)" if len(target) == 1 and dims else f"({body})"


def real_dtype(dtype) -> np.dtype:
    """The real dtype matching `dtype` (complex64 -> float32); other dtypes unchanged."""
    dtype = np.dtype(dtype)
    return np.finfo(dtype).dtype if dtype.kind == "c" else dtype
