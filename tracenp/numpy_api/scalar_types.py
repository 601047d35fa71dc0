"""NumPy's scalar types while tracing: `np.float32(x)`, `np.uint8(np.clip(img, 0, 255))`,
`np.float64(x.sum())` of traced values are casts.

Calling a scalar type converts its argument with `__array__`, which a tracer cannot answer
with a NumPy array, and a type's constructor cannot be routed by `__array_function__`. So a
trace puts these stand-ins in `numpy`'s namespace, one per numeric type: each is a subclass
of the real type whose metaclass makes `isinstance`, `issubclass`, `==`, hashing and
`np.dtype(...)` answer as the real type does, so that `dtype=np.float32`,
`x.dtype == np.float32` and `{np.float64: ...}[x.dtype.type]` keep working. Only identity
differs (`x.dtype.type is np.float32`); NumPy's `select` compares `np.bool` so, which is
why the boolean type is left alone (`x.astype(bool)` is how code casts to it anyway).
"""

from __future__ import annotations

import numpy as np

from .. import lax


class _ScalarType(type):
    """The metaclass: a stand-in answers type questions as its real type (`__real__`)."""

    def __instancecheck__(cls, obj) -> bool:  # a traced scalar: the class NumPy's would have
        return issubclass(obj.user_class(), cls.__real__) if lax.is_tracer(obj) else \
            isinstance(obj, cls.__real__)

    def __subclasscheck__(cls, sub) -> bool:
        return issubclass(sub, cls.__real__)

    def __eq__(cls, other) -> bool:
        return other is cls or cls.__real__ == other

    def __hash__(cls) -> int:
        return hash(cls.__real__)

    def __repr__(cls) -> str:
        return repr(cls.__real__)


def _stand_in(real: type) -> type:
    def __new__(cls, *args, **kwargs):
        from .creation import _has_tracer, array

        if len(args) == 1 and not kwargs and _has_tracer(args[0]):
            return lax.cast(array(args[0]), real).with_returns("scalar")
        return real(*args, **kwargs)

    return _ScalarType(real.__name__, (real,), {"__real__": real, "__new__": __new__,
                                                "__doc__": real.__doc__})


def _time_stand_in(real: type) -> type:
    """`np.datetime64(ts[0], "D")`, `np.timedelta64(n, "s")` of a traced date, duration or
    integer: a cast to that unit (the value's own unit without one)."""
    kind = np.dtype(real).kind

    def __new__(cls, *args, **kwargs):
        from .creation import _has_tracer, array

        if not args or kwargs or len(args) > 2 or not _has_tracer(args[0]):
            return real(*args, **kwargs)
        x = array(args[0])
        if x.dtype.kind not in (kind, "i", "u") or (kind == "M" and x.dtype.kind == "m"):
            raise ValueError(f"Could not convert object to NumPy {real.__name__[:-2]}")
        if len(args) == 1 and x.dtype.kind != kind:
            raise ValueError(f"Cannot create a NumPy {real.__name__[:-2]} other than NaT "
                             "with generic units")
        unit = args[1] if len(args) == 2 else np.datetime_data(x.dtype)[0]
        return lax.cast(x, np.dtype(f"{kind}8[{unit}]")).with_returns("scalar")

    return _ScalarType(real.__name__, (real,), {"__real__": real, "__new__": __new__,
                                                "__doc__": real.__doc__})


_TYPES = (np.float16, np.float32, np.float64, np.complex64, np.complex128, np.int8, np.int16,
          np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64, np.longdouble,
          np.clongdouble, np.longlong, np.ulonglong)
_STAND_INS = {t: _stand_in(t) for t in _TYPES}
_STAND_INS.update({t: _time_stand_in(t) for t in (np.datetime64, np.timedelta64)})

def bound_name(real: type) -> type:
    """What NumPy's name of `real` is bound to while tracing (`np.float64`: its stand-in)."""
    return _STAND_INS.get(real, real)


PATCHED = {name: _STAND_INS[value] for name, value in vars(np).items()
           if isinstance(value, type) and value in _STAND_INS}
