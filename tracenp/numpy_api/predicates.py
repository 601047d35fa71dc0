"""`np.isscalar` while tracing: NumPy's test looks at the Python type, and every traced value
is a `Tracer`, so it would say False for a Python or NumPy scalar argument and take the other
branch of `if np.isscalar(alpha):`. The tracer knows what NumPy would hold (`returns`, weak)."""

from __future__ import annotations

import numpy as np

from .. import lax

_np_isscalar = np.isscalar


def isscalar(element) -> bool:
    if lax.is_tracer(element):
        return element.ndim == 0 and (element.weak or element.returns != "array")
    return _np_isscalar(element)


PATCHED = {"isscalar": isscalar}
