"""SciPy objects made of traced arguments: the arguments kept, and the object made and used
on the host when the compiled function runs (`scipy_host.host`).

A SciPy class whose constructor reads its arrays' memory in Cython or checks their values in
Python (a triangulation, an interpolant, a kernel density estimate) cannot be made of traced
values. While a trace runs its `__init__` keeps them instead (`made_init`); a method called
on it, or given traced arguments on an object made outside (`made_method`), and an attribute
read from it (`made_getattr`) are host calls that make the object of the arguments' values
and answer. The result's type is found on typical stand-ins, as for SciPy's functions.
"""

from __future__ import annotations

from .. import errors, lax
from .scipy_host import _named, host

MADE = "_tracenp_made"  # an instance attribute: the arguments an object was made of


def made_init(init, name: str):
    """`__init__` that keeps traced arguments (`MADE`) for the host to make the object of."""
    def __init__(self, *args, **kwargs):
        if not lax.holds_tracer((args, tuple(kwargs.values()))):
            return init(self, *args, **kwargs)
        self.__dict__[MADE] = (type(self), args, kwargs)

    return _named(__init__, init)


def remade(made, name: str, args: tuple | None, kwargs: dict):
    """On the host: the object (made of `made`'s arguments, or `made` itself), and its
    attribute `name`, called with `args` and `kwargs` unless `args` is None."""
    if type(made) is tuple:
        kind, made_args, made_kwargs = made
        made = kind(*made_args, **made_kwargs)
    value = getattr(made, name)
    return value if args is None else value(*args, **kwargs)


def made_getattr(kind: type, label: str, fixed: tuple | None = None, instead: str = ""):
    """`__getattr__` of `kind` made of traced arguments: an attribute read on the host; with
    `fixed`, only those (the rest have sizes the data decides: refused by name, `instead`)."""
    def __getattr__(self, name: str):
        made = self.__dict__.get(MADE)
        if made is None or name.startswith("__"):
            raise AttributeError(name)
        if fixed is not None and name not in fixed:
            raise errors.data_dependent(f"{label}.{name} of traced values", instead)
        return host(remade, f"{label}.{name}", (made, name, None, {}), {}, typical=True)

    return __getattr__


def made_method(method, label: str):
    """A method of an object made of traced arguments, or given traced ones: SciPy makes
    the object and calls it on the host."""
    name = method.__name__

    def route(self, *args, **kwargs):
        made = self.__dict__.get(MADE)
        if made is None and not lax.holds_tracer((args, tuple(kwargs.values()))):
            return method(self, *args, **kwargs)
        return host(remade, label, (self if made is None else made, name, args, kwargs), {},
                    typical=True)

    return _named(route, method)
