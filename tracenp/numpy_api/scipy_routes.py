"""The replacement a trace installs for one of SciPy's functions (`trace._late_routes`)."""

from __future__ import annotations

import functools
import sys
from typing import Callable

from .. import lax
from ..tracer import Tracer


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


def lazy_array_routes() -> list:
    """SciPy's `is_lazy_array` answering True for a traced array, in each SciPy module that
    binds it. SciPy probes an unknown array with `bool(x[0])`, which a trace refuses; told
    the array is lazy, it takes the paths it keeps for JAX's traced arrays (no Python branch
    on a value), so `skew`, `describe`, `f_oneway`, `levene`, `median_abs_deviation`, ...
    trace as SciPy's own code. Value checks SciPy skips for lazy arrays give NaN there.
    Routed again as each SciPy library loads (`trace._LATE_LIBRARIES`), for the modules
    that loaded with it."""
    from scipy._lib.array_api_compat.common import _helpers

    original = _helpers.is_lazy_array

    def is_lazy_array(x) -> bool:
        return isinstance(x, Tracer) or original(x)

    modules = [module for name, module in list(sys.modules.items())
               if name.startswith("scipy") and name not in _LAZY_ROUTED
               and getattr(module, "is_lazy_array", None) is original]
    _LAZY_ROUTED.update(module.__name__ for module in modules)
    return [(module, {"is_lazy_array": is_lazy_array}) for module in modules]


_LAZY_ROUTED: set = set()  # SciPy modules `lazy_array_routes` has routed (once each)


def transform_routes() -> list:
    """`Rotation` and `RigidTransform` made while a trace runs use SciPy's array-API backend
    (the one it keeps for JAX and PyTorch), whose NumPy calls trace, not its Cython one,
    which reads its arguments' memory: `Rotation.from_quat(q).as_matrix()`,
    `from_euler(...).apply(v)` of traced values. Its results are the Cython backend's."""
    from scipy.spatial.transform import _rigid_transform, _rotation

    return [(module, {"select_backend": lambda xp, cython_compatible, backend=backend: backend})
            for module, backend in ((_rotation, _rotation.xp_backend),
                                    (_rigid_transform, _rigid_transform.xp_backend))]
