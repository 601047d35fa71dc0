"""Jitted functions over Dask arrays: the compiled function runs on each block.

A jitted function called with Dask arrays is traced once with the full
shapes (no data is touched); if its graph is elementwise throughout, running
it block by block is exactly running it whole, so tracenp hands it to
`dask.array.map_blocks`. Anything else (reductions, matmul, movement across
blocks) is refused with an error that points to `tracenp.map_blocks`, where the
user states that the function is blockwise for their chunking.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np

from . import errors, pytree
from .ops import OPS, Op


def is_dask_array(x) -> bool:
    """True for a `dask.array.Array`, without importing Dask when the user has not."""
    mod = sys.modules.get("dask.array")
    return mod is not None and isinstance(x, mod.Array)


def has_dask_arrays(leaves) -> bool:
    return "dask.array" in sys.modules and any(is_dask_array(x) for x in leaves)


def _placeholder(x):
    """A zero-memory array with `x`'s shape and dtype, for tracing."""
    return np.broadcast_to(np.zeros((), x.dtype), x.shape) if is_dask_array(x) else x


def call_over_blocks(jitted, args: tuple, kwargs: dict) -> Any:
    """`jitted(*args, **kwargs)` where some arguments are Dask arrays: lazily, block by block."""
    import dask.array as da

    if kwargs and any(is_dask_array(v) for v in pytree.flatten(kwargs)[0]):
        raise TypeError("pass Dask arrays to a jitted function positionally")
    if any(not is_dask_array(a) and pytree.flatten(a)[0] != [a] for a in args):
        raise TypeError("over Dask arrays, jitted functions take arrays and scalars, not pytrees")
    probe = [_placeholder(a) for a in args]
    graph = jitted.graph(*probe, optimized=False, **kwargs)
    if any(n.op is Op.DRAW for n in graph.nodes()):
        raise errors.UnsupportedFunctionError(
            f"{jitted.__name__} draws random numbers: drawn block by block, they would not be "
            "NumPy's stream (the order of the draws). Compute it on a NumPy array, or draw "
            "the numbers outside and pass them in as a Dask array.")
    across = sorted({n.op.name.lower() for n in graph.nodes()
                     if OPS[n.op].kind not in ("leaf", "elementwise")})
    if across:
        raise errors.UnsupportedFunctionError(
            f"{jitted.__name__} combines values across array positions ({', '.join(across)}), "
            "so it cannot run block by block on its own. If each block holds everything one "
            "output block needs (e.g. whole rows for a row-wise function), use "
            "tracenp.map_blocks(f, *arrays, ...) with Dask's chunking arguments.")
    if len(graph.outputs) != 1:
        raise TypeError(f"{jitted.__name__} returns {len(graph.outputs)} arrays; over Dask "
                        "arrays a jitted function must return one array")
    out = graph.outputs[0]
    letters = "abcdefghijklmnopqrstuvwxyz"[: out.ndim]
    pairs = []
    for a in args:
        if is_dask_array(a) or np.ndim(a):
            a = da.asarray(a)
            pairs += [a, letters[out.ndim - a.ndim:]]
        else:
            pairs += [a, None]
    return da.blockwise(lambda *blocks: np.asarray(jitted(*blocks, **kwargs)), letters, *pairs,
                        dtype=out.dtype, meta=np.empty((0,) * out.ndim, out.dtype))


def map_blocks(fn: Callable, *arrays, **kwargs) -> Any:
    """`dask.array.map_blocks` with `fn` compiled by `tracenp.jit`, traced once per block shape.

    The caller vouches that `fn` is blockwise for the chunking given (for
    instance a row-wise function over arrays chunked along rows only); Dask's
    keyword arguments (`drop_axis`, `new_axis`, `chunks`, `dtype`) pass through.
    """
    import dask.array as da

    from .jit import JitFunction, jit

    jitted = fn if isinstance(fn, JitFunction) else jit(fn)
    if "dtype" not in kwargs and "meta" not in kwargs:
        first = [np.broadcast_to(np.zeros((), a.dtype), tuple(c[0] for c in a.chunks))
                 if is_dask_array(a) else a for a in arrays]
        out = jitted.graph(*first, optimized=False).outputs[0]
        kwargs["meta"] = np.empty((0,) * out.ndim, out.dtype)
    return da.map_blocks(lambda *blocks: np.asarray(jitted(*blocks)), *arrays, **kwargs)
