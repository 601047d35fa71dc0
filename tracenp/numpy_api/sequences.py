"""NumPy functions given a Python list of traced values: `np.mean([loss_a, loss_b])`.

NumPy dispatches `__array_function__` on the list, not on its items, so these calls would
convert the tracers to concrete arrays. While a function is traced, `tracenp.trace.tracing`
puts the wrappers in `PATCHED` in `numpy`'s namespace: a first argument that is a list or
tuple holding tracers becomes one traced array (`np.array(items)`, NumPy's promotion), then
NumPy's own function runs and dispatches on it as usual.
"""

from __future__ import annotations

import functools

import numpy as np

from .creation import _has_tracer, array

_np_linalg = np.linalg

_NAMES = ("mean sum prod max min amax amin std var median average argmax argmin any all ptp "
          "percentile quantile nanmean nansum nanprod nanmax nanmin nanstd nanvar nanmedian "
          "nanpercentile nanquantile nanargmax nanargmin cumsum cumprod sort argsort diff clip "
          "round around count_nonzero").split()


def _listed(fn):
    @functools.wraps(fn)
    def call(a, *args, **kwargs):
        if isinstance(a, (list, tuple)) and _has_tracer(a):
            a = array(a)
        return fn(a, *args, **kwargs)

    return call


class _Linalg:
    """`np.linalg` while tracing: `norm` of a list of tracers (`norm([dx, dy])`) stacks it."""

    norm = staticmethod(_listed(_np_linalg.norm))

    def __getattr__(self, name: str):
        return getattr(_np_linalg, name)


PATCHED = {name: _listed(getattr(np, name)) for name in _NAMES}
PATCHED["linalg"] = _Linalg()
