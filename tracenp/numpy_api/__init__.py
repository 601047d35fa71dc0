"""NumPy's surface, composed from tracenp's primitives.

Each module registers implementations of NumPy functions with `@implements`;
`Tracer.__array_function__` looks them up here. A NumPy function with no
entry raises `UnsupportedFunctionError` naming it.
"""

from __future__ import annotations

import functools
import inspect
from typing import Callable

import numpy as np

from .. import errors, lax
from ..tracer import Tracer

HANDLED: dict[Callable, Callable] = {}


def implements(*np_funcs: Callable):
    """Register the decorated function as the traced version of each of `np_funcs`."""

    def register(impl):
        for f in np_funcs:
            HANDLED[f] = impl
        return impl

    return register


# NumPy functions that return a 0-d ndarray (not a NumPy scalar) for a 0-d result, and those
# that return a Python scalar; every other function returns a NumPy scalar, as ufuncs do.
# Those in FOLLOW_INPUT call the array's method, so a NumPy scalar argument gives a scalar.
ARRAY_RESULT = frozenset(
    "where copy asarray asanyarray array ascontiguousarray asfortranarray atleast_1d atleast_2d "
    "atleast_3d moveaxis matrix_transpose broadcast_to broadcast_arrays tensordot cov select "
    "piecewise cumsum cumprod nancumsum nancumprod cumulative_sum cumulative_prod zeros_like "
    "ones_like full_like empty_like real_if_close roll sort argsort tile take_along_axis "
    "expand_dims pad cross isin i0 block resize apply_along_axis".split())
# NumPy's _ureduce keeps a 0-d result of these as an array under keepdims=True
KEEPDIMS_ARRAY = frozenset(
    "median nanmedian quantile nanquantile percentile nanpercentile".split())
FOLLOW_INPUT = frozenset("real imag squeeze reshape transpose swapaxes diagonal ravel".split())
PYTHON_RESULT = frozenset("allclose array_equal array_equiv".split())
# NumPy functions whose result can share memory with an argument (a view, or the argument
# itself); every other one returns new memory, so a write into its result must not reach an
# argument even where tracenp's version hands back an argument or a view of one
# (`np.round(ints)`, `np.pad(x, 0)`, `np.concatenate([x])`, `np.stack([x])[0]`).
SHARES_MEMORY = frozenset(
    "asarray asanyarray ascontiguousarray asfortranarray array require asarray_chkfinite "
    "atleast_1d atleast_2d atleast_3d broadcast_to broadcast_arrays diagonal diag squeeze "
    "expand_dims reshape ravel transpose moveaxis rollaxis swapaxes matrix_transpose flip "
    "fliplr flipud rot90 real imag split array_split hsplit vsplit dsplit unstack "
    "sliding_window_view as_strided einsum diff nan_to_num astype ix_ meshgrid "
    "real_if_close trim_zeros matrix_power".split())


def mark_returns(value, returns: str):
    """Mark the 0-d tracers in a function's result with what NumPy returns for them."""
    if isinstance(value, Tracer):
        if value.weak:  # NumPy functions return NumPy values, never Python scalars
            value = lax.cast(value, value.dtype)
        return value.with_returns(returns)
    if isinstance(value, (tuple, list)) and not hasattr(value, "_fields"):
        return type(value)(mark_returns(v, returns) for v in value)
    if isinstance(value, tuple):  # a namedtuple result (svd, slogdet, ...)
        return type(value)(*(mark_returns(v, returns) for v in value))
    return value


def dispatch_function(func, args, kwargs):
    impl = HANDLED.get(func)
    if impl is None:
        name = getattr(func, "__module__", "numpy") or "numpy"
        if name.startswith("numpy.polynomial."):  # `polyval2d`, `polygrid2d`: Python
            return func._implementation(*args, **kwargs)  # on NumPy's functions, which traces
        from ..pytree import flatten

        raise errors.steered_by(errors.unsupported(f"{name}.{func.__name__}"),
                               *flatten((args, kwargs))[0])  # `np.eye(n)` of an int `n`
    out = _out_given(func, args, kwargs)
    returns = "array" if out or (
        func.__name__ in KEEPDIMS_ARRAY and (kwargs.get("keepdims") or kwargs.get(
            "weights") is not None)) or (  # a weighted quantile fills an `np.empty`
        func.__name__ == "einsum" and kwargs.get("optimize", False) is not False  # its path ends
    ) else _returns(func.__name__, args)  # in `asanyarray`: a 0-d array, not its C loop's scalar
    result = impl(*args, **kwargs)
    if not out and func.__name__ not in SHARES_MEMORY:
        result = _new_memory(result)
    return mark_returns(result, returns)  # with out=, NumPy returns `out`


def _out_given(func, args, kwargs) -> bool:
    """Whether `out=` is given, by keyword or by position (`np.clip(x, 0, 1, x)`)."""
    if kwargs.get("out") is not None:
        return True
    at = _out_position(func)
    return at is not None and at < len(args) and args[at] is not None


@functools.cache
def _out_position(func) -> int | None:
    """The position `out` can be passed at; None when it is keyword-only (`np.einsum`)."""
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return None
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    for at, p in enumerate(params):
        if p.kind not in positional:
            return None
        if p.name == "out":
            return at
    return None


def _new_memory(value):
    """`value` with each tracer a new array: not an argument, nor a view of anything."""
    if isinstance(value, Tracer):
        return Tracer(value.node)
    if isinstance(value, (tuple, list)) and not hasattr(value, "_fields"):
        return type(value)(_new_memory(v) for v in value)
    if isinstance(value, tuple):
        return type(value)(*(_new_memory(v) for v in value))
    return value


def _returns(name: str, args) -> str:
    if name in FOLLOW_INPUT:  # a 0-d view of an array is an array: x.reshape(()), x[:1].real
        first = args[0] if args else None
        array = getattr(first, "returns", None) == "array" or isinstance(
            first, (list, tuple, np.ndarray)) or (lax.is_tracer(first) and first.ndim > 0)
        return "array" if array else "scalar"
    if name == "matrix_rank" and args and np.ndim(args[0]) < 2:  # NumPy's int(not all(A == 0))
        return "python"
    return "array" if name in ARRAY_RESULT else "python" if name in PYTHON_RESULT else "scalar"


def covered_ufuncs() -> list[str]:
    """Names of the NumPy ufuncs tracenp traces (with their methods, `out=` and `where=`)."""
    from ..ops import Op

    names = set()
    for name in dir(np):
        uf = getattr(np, name)
        if not isinstance(uf, np.ufunc) or uf.__name__ == "isnat":
            continue
        canonical = {"degrees": "rad2deg", "radians": "deg2rad", "true_divide": "divide"}.get(
            uf.__name__, uf.__name__)
        if canonical.upper() in Op.__members__ or uf.signature is not None or \
                canonical == "divmod":
            names.add(name)
    return sorted(names)


def covered() -> list[str]:
    """Qualified names of the NumPy functions tracenp traces."""
    names = set()
    for f in HANDLED:
        mod = getattr(f, "__module__", "numpy") or "numpy"
        mod = "numpy" if mod.startswith("numpy") and "linalg" not in mod and "fft" not in mod else mod
        names.add(f"{mod}.{f.__name__}".replace("numpy.linalg._linalg", "numpy.linalg"))
    return sorted(names)


from . import (  # noqa: E402,F401  (registration happens on import)
    bits,
    creation,
    datadep,
    fft,
    indexing,
    linalg,
    mathfuncs,
    records,
    reductions,
    scimath,
    shape,
    ufuncs,
)

__all__ = ["HANDLED", "implements", "dispatch_function", "covered", "covered_ufuncs", "np"]
