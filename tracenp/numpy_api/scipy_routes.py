"""The replacement a trace installs for one of SciPy's functions (`trace._late_routes`)."""

from __future__ import annotations

import functools
from typing import Callable

from .. import lax


def when_traced(traced: Callable, scipys: Callable) -> Callable:
    """SciPy's `scipys` while a trace runs: `traced` where an argument holds a traced value
    (or is a selection `x[m]` by a traced mask), else SciPy's own. It carries the original's
    name and attributes, which SciPy's code reads (`lstsq.default_lapack_driver`)."""
    from .masked import MaskedSelection

    def call(*args, **kwargs):
        values = (*args, *kwargs.values())
        if not lax.holds_tracer(values) and \
                not any(isinstance(v, MaskedSelection) for v in values):
            return scipys(*args, **kwargs)
        return traced(*args, **kwargs)

    return functools.update_wrapper(call, scipys)
