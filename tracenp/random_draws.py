"""Draws at call time: `np.random.normal(...)` and the methods of a generator made outside the
traced function (a module-global or closure `rng`, or one passed in) run each time the
compiled function is called, from the same generator object and in the same order as NumPy.

A draw is one `Op.DRAW` node. Its `call` param says where the generator is found when the
graph runs (`Source`: NumPy's global RandomState, a module global, a closure cell, an
argument), the method and its static arguments; traced arguments (a `p` or `lam` computed
from the inputs) are its sources, so the draw is NumPy's own with their values. Draws are
effects: each reads the previous draw of its generator as its first source (`token`), so
they run in trace order; `Call` compares by identity, so two equal draws are never one
node; and the last draw of each generator the results do not reach is an extra output of
the graph (`hidden_outputs`), so an unused draw still advances the generator. Its op kind,
"effect", keeps it out of constant folding and of kernels.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import inspect
import operator
import warnings
from dataclasses import dataclass

import numpy as np
import numpy.random as npr  # the module: `np.random` is tracenp's guard while tracing

from . import ir, lax
from .errors import TracingError, data_dependent, random_in_trace, unsupported
from .ops import Op
from .rewrite import sites
from .tracer import Tracer

GENERATOR_TYPES = (npr.Generator, npr.RandomState)


def is_generator(x) -> bool:
    """A NumPy generator object (not one tracenp wraps while tracing)."""
    return isinstance(x, GENERATOR_TYPES)


class Source:
    """Where a draw finds its generator when the graph runs."""

    label = "generator"

    def get(self):
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.label


class GlobalState(Source):
    """NumPy's global RandomState (`np.random.normal`), looked up at each call, so that
    `np.random.seed` before a call acts on the draws as it does in NumPy."""

    label = "np.random"

    def get(self):
        return npr.mtrand._rand


class _Rebindable(Source):
    """A generator found again at each call in a place the user may rebind; it must still be
    a generator of the type it was when traced."""

    what = ""
    kind: type

    def current(self):
        raise NotImplementedError

    def get(self):
        value = self.current()
        if type(value) is not self.kind:
            raise TypeError(f"the jitted function drew from {self.what} {self.label!r}, a "
                            f"{self.kind.__name__} when it was traced, which is now a "
                            f"{type(value).__name__}")
        return value


class Named(_Rebindable):
    """A module global of the traced function (`rng = default_rng(0)` beside it), looked up
    at each call, so that rebinding the name is seen as NumPy sees it."""

    what = "the global"

    def __init__(self, namespace: dict, name: str):
        self.namespace, self.name, self.label = namespace, name, name
        self.kind = type(namespace[name])

    def current(self):
        return self.namespace.get(self.name)


class Cell(_Rebindable):
    """A closure variable of the traced function, read at each call."""

    what = "the closure variable"

    def __init__(self, cell, name: str):
        self.cell, self.label = cell, name
        self.kind = type(cell.cell_contents)

    def current(self):
        return self.cell.cell_contents


class Fixed(Source):
    """A generator passed as an argument: the compiled function is made for that object
    (jit keys its cache by it)."""

    def __init__(self, generator, label: str = "generator"):
        self.generator, self.label = generator, label

    def get(self):
        return self.generator


class Replayed(Source):
    """A generator made in the function from a fixed seed, whose draws run when the function
    runs (`trace._Seeded`): each call starts again from the state it had when the first such
    draw was traced, as NumPy's code, seeding it anew on every call, does."""

    def __init__(self, generator):
        from .trace import drawing

        with drawing():  # a copy makes a generator, which a trace otherwise refuses
            self.state = copy.deepcopy(generator)
        self.label, self.current = "a seeded generator", None

    def first(self):
        self.current = copy.deepcopy(self.state)
        return self.current

    def get(self):
        return self.current


class Passed(Source):
    """A generator passed as an argument at `where` (a position or a name): the one passed to
    the call that runs, so that a new generator of the same type each call (the usual
    `f(x, np.random.default_rng(seed))`) is not a new trace (jit keys its cache by
    `generator_kind`)."""

    def __init__(self, where: int | str, label: str = "generator"):
        self.where, self.label = where, label

    def get(self):
        return _PASSED.get()[self.where]


_PASSED: contextvars.ContextVar = contextvars.ContextVar("tracenp_passed", default={})


@contextlib.contextmanager
def passed(generators: dict):
    """The generator arguments of the call that runs (position or name: generator)."""
    token = _PASSED.set(generators)
    try:
        yield
    finally:
        _PASSED.reset(token)


@dataclass(frozen=True)
class GeneratorKind:
    """A generator argument as a cache key: its type, its bit generator's type, and the
    first argument it is the same object as (draws from one object run in one order)."""

    kind: type
    bits: type
    same_as: int | str

    def __repr__(self) -> str:
        return f"{self.kind.__name__}({self.bits.__name__})"


def generator_kind(generator, same_as: int | str) -> GeneratorKind:
    bits = getattr(generator, "bit_generator", None) or generator._bit_generator
    return GeneratorKind(type(generator), type(bits), same_as)


class _Slot:
    """A traced argument's place in a call: the draw's `index`-th value source."""

    __slots__ = ("index", "python")

    def __init__(self, index: int, python: bool):
        self.index, self.python = index, python

    def __repr__(self) -> str:
        return f"${self.index}"


class Call:
    """A draw's static part: generator, method, arguments (traced ones as slots). Compared
    by identity, so that two draws with equal arguments stay two nodes."""

    __slots__ = ("source", "method", "kwargs")

    def __init__(self, source: Source, method: str, kwargs: dict):
        self.source, self.method, self.kwargs = source, method, kwargs

    def arguments(self, values) -> dict:
        out = {}
        for k, v in self.kwargs.items():
            if isinstance(v, _Slot):
                value = values[v.index]
                v = value.item() if v.python and np.ndim(value) == 0 else value
            out[k] = v
        return out

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.kwargs.items())
        return f"{self.source!r}.{self.method}({args})"


def _short(v) -> str:
    if isinstance(v, np.ndarray) and v.size > 4:
        return f"<{v.dtype}{list(v.shape)}>"
    return repr(v)


# ----------------------------------------------------------------------------- the op


def infer_draw(srcs, p):
    return p["dtype"], p["shape"], p["weak"]


def ref_draw(*srcs, call: Call, dtype, shape, weak, token):
    """The draw itself, at run time."""
    from .trace import current_trace, drawing

    if current_trace() is not None:
        raise random_in_trace(f"{call!r}, run while another function is traced (a jitted "
                              "function that draws, called there with no traced argument,")
    kwargs = call.arguments(srcs[1:] if token else srcs)
    source = call.source  # the first draw of its generator in a call may start it afresh
    generator = source.get() if token or not hasattr(source, "first") else source.first()
    with drawing():
        r = getattr(generator, call.method)(**kwargs)
    if call.method == "seed":
        return np.zeros((), np.bool_)
    return np.asarray(r).astype(dtype, copy=False)


class _NoGradient:
    """The cotangent of a draw's traced parameter: used only if the parameter needs a
    gradient, and then it refuses."""

    def __init__(self, call: Call):
        self.call = call

    def __array__(self, *args, **kwargs):
        raise unsupported(f"the gradient of {self.call.source!r}.{self.call.method}() with "
                          "respect to its traced parameters (the drawn numbers are "
                          "constants for differentiation; normal, uniform and exponential "
                          "are differentiated through loc + scale * z)")


def vjp_draw(g, o, *srcs, call: Call, dtype, shape, weak, token):
    """NumPy draws `normal` as loc + scale * z, `uniform` as low + (high - low) * u and
    `exponential` as scale * e: their parameters have those slopes, z, u and e recovered
    from the draw. Other draws' traced parameters refuse a gradient (when one is needed)."""
    values = srcs[token:]
    slopes = _RESCALED.get(call.method)
    if slopes is None:
        return (None,) * token + (_NoGradient(call),) * len(values)
    args = {name: np.float64(default) for name, default in slopes[0]}
    args.update({k: values[v.index] if isinstance(v, _Slot) else np.asarray(v, np.float64)
                 for k, v in call.kwargs.items() if k in args})
    grads = slopes[1](o, *(args[name] for name, _ in slopes[0]))
    by_slot = {v.index: grads[[n for n, _ in slopes[0]].index(k)]
               for k, v in call.kwargs.items() if isinstance(v, _Slot)}
    return (None,) * token + tuple(g * by_slot[i] for i in range(len(values)))


# method: ((parameter, default), ...), (out, *parameters) -> d out / d parameter, each
_RESCALED = {
    "normal": ((("loc", 0.0), ("scale", 1.0)),
               lambda o, loc, scale: (1.0, (o - loc) / scale)),
    "uniform": ((("low", 0.0), ("high", 1.0)),
                lambda o, low, high: (1.0 - (o - low) / (high - low), (o - low) / (high - low))),
    "exponential": ((("scale", 1.0),), lambda o, scale: (o / scale,)),
}


# ----------------------------------------------------------------------------- tracing


def draw(source: Source, generator, method: str, args: tuple, kwargs: dict) -> Tracer | None:
    """The node of `generator.method(*args, **kwargs)` drawn at call time from `source`."""
    from .trace import current_root

    if method in ("rand", "randn"):  # NumPy: random_sample / standard_normal of size=args
        if kwargs:
            raise TypeError(f"{method}() got an unexpected keyword argument "
                            f"{next(iter(kwargs))!r}")
        method = "random_sample" if method == "rand" else "standard_normal"
        args, kwargs = (), {"size": _static_size(args, method) or None}
    fn = getattr(generator, method)
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{method}() {e}") from None
    arguments = dict(bound.arguments)
    if "size" in arguments:
        arguments["size"] = _static_size(arguments["size"], method)
    if arguments.get("out") is not None:
        raise unsupported(f"{source!r}.{method}(out=...) (the draw would not write into "
                          "the traced array; use the returned array)")
    if method == "seed" and lax.holds_tracer(arguments.get("seed")):
        lax.steer(arguments.get("seed"), f"{source!r}.seed's seed")  # a Python int: static
        raise random_in_trace(f"{source!r}.seed with a traced seed (mark the seed static: "
                              "static_argnames=('seed',))")
    count = arguments.get("x") if method == "permutation" else None
    if lax.holds_tracer(count) and np.ndim(count) == 0:  # `permutation(n)`: n decides the shape
        lax.steer(count, f"{source!r}.permutation's count")  # a Python int: static
        raise data_dependent(f"{source!r}.permutation of a traced count",
                             "pass the count as a Python int, or permute an array")
    values, template = [], {}
    for k, v in arguments.items():
        if lax.holds_tracer(v):
            t = lax.lift(v)
            template[k] = _Slot(len(values), t.weak)
            values.append(t)
        else:
            template[k] = v
    dtype, shape, returns = _probe(generator, method, template, values)
    chains = current_root().effects
    prev = chains.get(id(generator))
    srcs = ((prev,) if prev is not None else ()) + tuple(v.node for v in values)
    node = ir.Node.make(Op.DRAW, srcs, (("call", Call(source, method, template)),
                                        ("dtype", dtype), ("shape", shape),
                                        ("weak", returns == "python"),
                                        ("token", prev is not None)))
    sites.note(node)
    chains[id(generator)] = node
    if method == "seed":
        return None
    return Tracer(node).with_returns(returns)


def _static_size(size, method: str):
    """`size` as a tuple of ints (or None); a traced size would make the shape depend on a
    value."""
    if size is None:
        return None
    if lax.is_tracer(size) and size.constant_value() is not None:  # `np.array(x.shape) // 2`
        size = size.constant_value()
    if isinstance(size, np.ndarray):  # NumPy takes an array of ints
        size = tuple(size.tolist()) if size.ndim else size.item()
    try:
        dims = (operator.index(size),) if not isinstance(size, (tuple, list)) else \
            tuple(operator.index(d) for d in size)
    except TypeError:
        if lax.holds_tracer(size):
            raise
        raise TypeError(f"{method}(): size must be an int or a tuple of ints, got "
                        f"{size!r}") from None
    return dims


def _throwaway(generator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if isinstance(generator, npr.Generator):
            return npr.Generator(npr.PCG64(0))
        return npr.RandomState(0)


def _probe(generator, method: str, template: dict, values: list) -> tuple:
    """(dtype, shape, what a 0-d result is) of the draw, from the same call on a throwaway
    generator, traced arguments standing in as increasing values (valid for NumPy's
    `low < high`, `left <= mode <= right`, probabilities; or, where the call refuses those,
    larger ones: zipf's `a > 1`, a constant mode between traced bounds, colours that hold the
    sample), with `size` led by a 0 so that a large draw costs nothing."""
    if method == "seed":
        return np.dtype(np.bool_), (), "array"
    error = None
    for small in (True, False):
        try:
            return _probed(generator, method, template, values, small)
        except (ValueError, TypeError, OverflowError) as e:
            if not values:
                raise
            error = error or e
    raise unsupported(f"{method}() with these traced arguments ({error})") from None


def _probed(generator, method: str, template: dict, values: list, small: bool) -> tuple:
    from .trace import drawing

    kwargs = {}
    for k, v in template.items():
        if isinstance(v, _Slot):
            t = values[v.index]
            kind = t.dtype.kind
            fill = (True if kind == "b" else (v.index + 1) * 0.25 if kind in "fc" else
                    v.index + 1) if small else (
                True if kind == "b" else 1.5 + 10 * v.index if kind in "fc" else
                10 * (v.index + 1))
            stand_in = np.full(t.shape, fill, t.dtype)
            if t.ndim >= 2 and t.shape[-1] == t.shape[-2]:  # a covariance: positive definite
                stand_in = stand_in * np.eye(t.shape[-1], dtype=t.dtype)
            if k == "pvals" and t.ndim and kind == "f":  # multinomial's: they sum to 1
                stand_in = np.full(t.shape, 1 / t.shape[-1], t.dtype)
            if k in ("ngood", "nbad") and kind in "iu":  # hypergeometric's: above nsample
                stand_in = np.full(t.shape, min(10 ** 8, np.iinfo(t.dtype).max), t.dtype)
            v = stand_in.item() if v.python else stand_in[()] if t.returns == "scalar" and \
                not t.ndim else stand_in
        kwargs[k] = v
    size = kwargs.get("size")
    if size is not None:
        kwargs["size"] = (0,) + size
    with drawing(), warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        r = getattr(_throwaway(generator), method)(**kwargs)
    shape = np.shape(r)[1:] if size is not None else np.shape(r)
    returns = ("python" if type(r) in (bool, int, float, complex) else
               "scalar" if isinstance(r, np.generic) else "array")
    return np.asarray(r).dtype, tuple(shape), returns


def hidden_outputs(state, outputs) -> list:
    """The last draw of each generator, where `outputs` do not reach it: an extra output of
    the graph, so that every draw runs."""
    chains = getattr(state, "effects", None)
    if not chains:
        return []
    reached = {n.attrs["call"] for n in ir.toposort(outputs) if n.op is Op.DRAW}
    extra = [n for n in chains.values() if n.attrs["call"] not in reached]
    seen: set = set()
    for n in ir.toposort(list(outputs) + extra):
        if n.op is Op.DRAW:
            if n.attrs["call"] in seen:
                raise TracingError(f"{n.attrs['call']!r} would run twice: a transformation "
                                   "rebuilt it (please report this)")
            seen.add(n.attrs["call"])
    return extra
