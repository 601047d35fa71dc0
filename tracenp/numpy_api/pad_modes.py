"""`np.pad`'s modes that compute their pads (`maximum`, `minimum`, `mean`, `median`,
`linear_ramp`, `empty`, a callable), as NumPy's `_arraypad_impl` does: axis by axis, each
axis padded on the array already padded along the axes before it, so corners come from the
pads as in NumPy."""

from __future__ import annotations

import numpy as np

from .. import lax

STATS = {"maximum": np.amax, "minimum": np.amin, "mean": np.mean, "median": np.median}
KEYWORDS = {"maximum": {"stat_length"}, "minimum": {"stat_length"}, "mean": {"stat_length"},
            "median": {"stat_length"}, "linear_ramp": {"end_values"}, "empty": set()}


def _pairs(value, ndim: int, as_index: bool = False) -> list[tuple]:
    """NumPy's `_as_pairs`: a (before, after) pair for each axis; None stays None."""
    if value is None:
        return [(None, None)] * ndim
    pairs = np.broadcast_to(np.asarray(value), (ndim, 2))
    if as_index:  # NumPy rounds stat_length=2.5 to an index
        pairs = np.round(pairs).astype(np.intp)
        if (pairs < 0).any():
            raise ValueError("index can't contain negative values")
        return [(int(lo), int(hi)) for lo, hi in pairs]
    return [(lo.item(), hi.item()) for lo, hi in pairs]


def _join(a, ax: int, left, right):
    return np.concatenate([left, a, right], axis=ax)


def _filled(value, a, ax: int, width: int):
    """`value` (a Python scalar or an array of length 1 along `ax`) repeated `width` times
    along `ax`, cast to `a`'s dtype as NumPy's assignment casts it."""
    shape = a.shape[:ax] + (width,) + a.shape[ax + 1:]
    return lax.broadcast_to(lax.cast(lax.lift(value), a.dtype), shape)


def _along(a, ax: int, start: int, stop: int):
    """`a[..., start:stop, ...]` along `ax`."""
    slices = [(None, None, None)] * a.ndim
    slices[ax] = (start, stop, None)
    return lax.slice_of(a, slices)


def _stat(a, ax: int, start: int, length: int, func):
    chunk = _along(a, ax, start, start + length)
    value = func(chunk, axis=ax, keepdims=True)
    if a.dtype.kind in "iu":  # NumPy's _round_if_needed: rounded before the cast
        value = np.round(value)
    return value


def pad_stat(a, widths, mode: str, stat_length):
    func = STATS[mode]
    for ax, ((lo, hi), (left_len, right_len)) in enumerate(
            zip(widths, _pairs(stat_length, a.ndim, as_index=True))):
        if not (lo or hi):
            continue
        n = a.shape[ax]
        left_len = n if left_len is None or left_len > n else left_len
        right_len = n if right_len is None or right_len > n else right_len
        if (left_len == 0 or right_len == 0) and func in (np.amax, np.amin):
            raise ValueError("stat_length of 0 yields no value for padding")
        left = _stat(a, ax, 0, left_len, func)
        right = _stat(a, ax, n - right_len, right_len, func)
        a = _join(a, ax, _filled(left, a, ax, lo), _filled(right, a, ax, hi))
    return a


def pad_linear_ramp(a, widths, end_values):
    for ax, ((lo, hi), (start, stop)) in enumerate(zip(widths, _pairs(end_values, a.ndim))):
        if not (lo or hi):
            continue
        n = a.shape[ax]
        first, last = _along(a, ax, 0, 1), _along(a, ax, n - 1, n)
        left = np.linspace(start, np.squeeze(first, ax), lo, endpoint=False, dtype=a.dtype,
                           axis=ax)
        right = np.linspace(stop, np.squeeze(last, ax), hi, endpoint=False, dtype=a.dtype,
                            axis=ax)
        a = _join(a, ax, left, np.flip(right, axis=ax))
    return a


def pad_empty(a, widths):
    """NumPy leaves the pads uninitialized; zeros are one of its possible values."""
    return lax.pad(a, widths, 0)


def pad_callable(a, widths, function, kwargs):
    """NumPy's old behaviour: zero pads, then `function(vector, widths, axis, kwargs)` on each
    1-d view along each axis, writing into it."""
    padded = np.copy(lax.pad(a, widths, 0))
    for ax in range(padded.ndim):
        view = np.moveaxis(padded, ax, -1)
        for index in np.ndindex(view.shape[:-1]):
            function(view[index + (Ellipsis,)], widths[ax], ax, kwargs)
    return padded
