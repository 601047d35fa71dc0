"""The tracing context: which function is being traced, and NumPy's creation routines redirected.

While a function is traced, `np.zeros`, `np.ones`, `np.empty`, `np.full`,
`np.arange`, `np.eye`, `np.array`, `np.asarray` ... return tracers, so that code
like `out = np.zeros(n); out[:, 0] = x[:, 0]` traces as written. The patch is
undone when tracing ends; one trace runs at a time (a lock). Calls from NumPy's and
tracenp's own modules, and from threads that are not tracing, get the originals (the
background compile worker; a jitted function called from several threads at once).
The NumPy functions tracenp implements, and the ufuncs, are wrapped the same way, so that a
list holding tracers (`np.diag([1.0, 1.0, d])`, `np.mean([a, b])`, `np.maximum.reduce([a, b])`),
which NumPy's dispatch does not look into, reaches tracenp instead of being converted to an array.
`np.random` is routed the same way: a draw while tracing becomes a node that draws at each
call (`tracenp.random_draws`); a generator made inside the function with a fixed seed
(`default_rng(0)`, `RandomState(0)`) draws constants.
"""

from __future__ import annotations

import builtins
import contextlib
import dis
import functools
import importlib
import math
import operator
import statistics
import sys
import sysconfig
import threading
import types
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from . import host_ops, lax, random_draws
from .held import refuse_outliving_effects

_lock = threading.RLock()
_state = threading.local()
_np_random = np.random
_ROUTES: list = []  # (namespace's __dict__, {name: wrapper}) a trace installs; prepare()
_ROUTED: dict = {}  # id(NumPy's function): (it, its wrapper), made with _ROUTES


class _RandomGuard:
    """`np.random` while tracing: a draw (`np.random.normal(...)`, `np.random.seed(0)`) becomes
    a node that draws from NumPy's global RandomState when the compiled function is called
    (`tracenp.random_draws`). A generator made here from a fixed seed (`default_rng(0)`)
    draws the same numbers on every call, so its draws are constants of the trace."""

    def __getattr__(self, name: str):
        attr = getattr(_np_random, name)
        if name == "RandomState":
            return _RandomState
        if name == "Generator":
            return _GeneratorOf
        if name in _BIT_GENERATORS:
            return _BIT_GENERATORS[name]
        if isinstance(attr, type) or not callable(attr):
            return attr

        def guarded(*args, **kwargs):
            from .numpy_api.creation import from_library

            if current_trace() is None or from_library(
                    sys._getframe(1).f_globals.get("__name__", "")):
                return attr(*args, **kwargs)  # another thread's draw, or NumPy's own
            seed = args[0] if args else kwargs.get("seed")
            if name == "default_rng" and isinstance(seed, _Generator) and \
                    isinstance(seed._generator, _np_random.Generator):
                return seed  # NumPy's `default_rng(rng)` is `rng`: "an int, None or a Generator"
            if name == "default_rng" and (_fixed_seed(seed) or _seeded_bits(seed)):
                with drawing():
                    return _Seeded(attr(*args, **kwargs))
            from .errors import random_in_trace

            if name == "default_rng" and lax.holds_tracer(args[0] if args else kwargs.get("seed")):
                lax.steer(args[0] if args else kwargs.get("seed"), "np.random.default_rng's seed")
                raise random_in_trace("np.random.default_rng with a traced seed (a seed that "
                                      "is an argument is traced unless it is static: "
                                      "static_argnames=('seed',))")
            if name == "default_rng":
                raise random_in_trace("np.random.default_rng() without a seed (its entropy "
                                      "would be drawn once; make the generator outside and "
                                      "draw from it, or pass it in)")
            return getattr(_Drawing(random_draws.GlobalState(), _np_random.mtrand._rand), name)(
                *args, **kwargs)

        return guarded


class _RandomStateType(type):
    """`np.random.RandomState` while tracing: made with a fixed seed it draws the same numbers
    on every call, like `default_rng(0)`; without one its draws are refused. `isinstance`
    still recognizes NumPy's and the wrapped ones (scikit-learn's `check_random_state`)."""

    def __call__(cls, seed=None):
        if current_trace() is not None:
            lax.steer(seed, "np.random.RandomState's seed")  # a Python int argument: static
        if not _fixed_seed(seed):
            return _np_random.RandomState(seed)
        with drawing():
            return _Seeded(_np_random.RandomState(seed))

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, _np_random.RandomState) or (
            isinstance(obj, _Generator) and isinstance(obj._generator, _np_random.RandomState))


class _RandomState(metaclass=_RandomStateType):
    pass


def _seeded_bits(bits) -> bool:
    """A bit generator made while tracing from a fixed seed (`PCG64(42)`)."""
    state = current_trace()
    return state is not None and any(b is bits for b in state.seeded_bits)


def _bit_generator(cls: type) -> type:
    """`np.random.PCG64` (or another bit generator) while tracing: one made from a fixed seed
    is noted, so that a `Generator` of it draws the same numbers on every call."""

    class Meta(type):
        def __call__(self, seed=None, *args, **kwargs):
            state = current_trace()
            if state is None:
                return cls(seed, *args, **kwargs)
            lax.steer(seed, f"np.random.{cls.__name__}'s seed")
            with drawing():  # its SeedSequence's NumPy calls are NumPy's own
                bits = cls(seed, *args, **kwargs)
            if _fixed_seed(seed):
                state.seeded_bits.append(bits)
            return bits

        def __instancecheck__(self, obj) -> bool:
            return isinstance(obj, cls)

    return Meta(cls.__name__, (), {})


_BIT_GENERATORS = {name: _bit_generator(getattr(_np_random, name))
                   for name in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")}


class _GeneratorType(type):
    """`np.random.Generator` while tracing: of a bit generator made here from a fixed seed,
    it draws the same numbers on every call, as `default_rng(seed)` does; of another, its
    draws are refused as an unseeded generator's are. `isinstance` still recognizes NumPy's
    generators and the wrapped ones."""

    def __call__(cls, bit_generator):
        generator = _np_random.Generator(bit_generator)
        if current_trace() is None or not _seeded_bits(bit_generator):
            return generator
        with drawing():
            return _Seeded(generator)

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, _np_random.Generator) or (
            isinstance(obj, _Generator) and isinstance(obj._generator, _np_random.Generator))


class _GeneratorOf(metaclass=_GeneratorType):
    pass


class _Generator:
    """A generator seen while tracing: its methods dispatch here; `_call` makes one draw."""

    _REFUSED = frozenset(("get_state", "set_state", "__getstate__", "__setstate__", "spawn",
                          "jumped", "bytes", "tomaxint"))

    def __init__(self, generator):
        self._generator = generator

    def __getattr__(self, name: str):
        attr = getattr(self._generator, name)
        if not callable(attr):
            return attr

        def draw(*args, **kwargs):
            if name in self._REFUSED:
                from .errors import random_in_trace

                raise random_in_trace(f"{type(self._generator).__name__}.{name}")
            from .numpy_api.masked import MaskedSelection

            if args and isinstance(args[0], MaskedSelection):  # shuffle(np.flatnonzero(m))
                if name == "choice":
                    return _choice_of_selection(self, *args, **kwargs)
                args[0]._refuse(f"{type(self._generator).__name__}.{name}")
            if name == "choice" and lax.is_tracer(kwargs.get("p", args[3] if len(args) > 3
                                                              else None)):
                return _choice_by_probability(self, *args, **kwargs)
            if name in _BY_INDEX and args and lax.is_tracer(args[0]) and args[0].ndim:
                return _BY_INDEX[name](self, *args, **kwargs)
            args = tuple(map(_known, args))
            kwargs = {k: _known(v) for k, v in kwargs.items()}
            traced = any(lax.holds_tracer(v) for v in (*args, *kwargs.values()))
            if name in _LOC_SCALE and traced and isinstance(self, _Seeded) and \
                    self._replayed is None:
                return _shifted_and_scaled(self, name, *args, **kwargs)
            return self._call(name, traced, args, kwargs)

        return draw

    @property
    def __class__(self):  # isinstance(rng, np.random.Generator) stays True
        return type(self._generator)

    def _call(self, name: str, traced: bool, args: tuple, kwargs: dict):
        raise NotImplementedError


def _known(value):
    """A traced parameter whose value no input decides (`np.eye(2)` made in the function) as
    that value: NumPy's draw takes it as it is."""
    if lax.is_tracer(value):
        known = value.constant_value()
        if known is not None:
            return known
    return value


class _Seeded(_Generator):
    """A generator made inside the traced function from a fixed seed: it draws the same
    numbers on every call, so its draws are made now and are constants of the trace (with
    traced parameters, `normal`, `uniform` and `exponential` apply them to a constant
    standard draw). A draw whose parameters are traced and which it cannot make so
    (`binomial(n, p)`, `poisson(lam)`: how many numbers it uses depends on them) turns the
    generator into one that draws when the function runs, from its state at that point
    (`random_draws.Replayed`), with every later draw."""

    def __init__(self, generator):
        super().__init__(generator)
        self._replayed = None

    def __deepcopy__(self, memo):
        """A copy draws the same constants from the same state (`scipy.stats.qmc` copies the
        generator it made from a seed); not once draws happen when the function runs."""
        import copy

        if self._replayed is not None:
            from .errors import random_in_trace

            raise random_in_trace("A copy of a generator that draws when the function runs")
        with drawing():
            return _Seeded(copy.deepcopy(self._generator, memo))

    def __copy__(self):
        return self.__deepcopy__({})

    def _call(self, name: str, traced: bool, args: tuple, kwargs: dict):
        if traced and self._replayed is None:
            self._replayed = random_draws.Replayed(self._generator)
        if self._replayed is not None:
            return random_draws.draw(self._replayed, self._generator, name, args, kwargs)
        with drawing():
            return getattr(self._generator, name)(*args, **kwargs)


class _Drawing(_Generator):
    """A generator from outside the traced function (NumPy's global one, a global or closure
    variable, an argument): its draws happen when the compiled function is called."""

    def __init__(self, source, generator):
        super().__init__(generator)
        self._source = source

    def _call(self, name: str, traced: bool, args: tuple, kwargs: dict):
        if name == "shuffle":
            from .errors import random_in_trace

            raise random_in_trace(f"{self._source!r}.shuffle of a list or a 0-d value (it is "
                                  "shuffled in place, once, when traced; shuffle an array)")
        return random_draws.draw(self._source, self._generator, name, args, kwargs)


def _permuted(g, x, axis=0):
    """`permutation(x)` of a traced `x`: the draw of `permutation(n)` (NumPy permutes an array
    with the same draws), applied with `np.take`."""
    perm = g._call("permutation", False, (x.shape[axis],), {})
    return np.take(x, perm, axis=axis)


def _shuffle(g, x, axis=0):
    kw = {"axis": axis} if axis else {}
    x[...] = _permuted(g, x, **kw)


def _permuted_each(g, x, axis=None, out=None):
    """`Generator.permuted(x, axis)` of a traced `x`: the same draw permutes an index array of
    `x`'s shape (NumPy's shuffles do not depend on the values), which then gathers `x`."""
    if out is not None:
        from .errors import unsupported

        raise unsupported("permuted(..., out=) of a traced array")
    index = np.arange(math.prod(x.shape)).reshape(x.shape)
    idx = g._call("permuted", False, (index,), {"axis": axis})
    if axis is None:
        return np.reshape(np.reshape(x, -1)[np.reshape(idx, -1)], x.shape)
    return np.take_along_axis(x, _along(idx, x.shape, axis), axis=axis)


def _along(idx, shape: tuple, axis: int):
    """Flat indices (C order) of a permuted index array turned into positions along `axis`."""
    return (idx // math.prod(shape[axis % len(shape) + 1:])) % shape[axis]


def _choice(g, a, size=None, replace=True, p=None, axis=0, shuffle=True):
    kw = {"axis": axis, "shuffle": shuffle} if isinstance(g._generator, np.random.Generator) \
        else {}
    if not kw and a.ndim != 1:
        raise ValueError("a must be 1-dimensional")
    idx = g._call("choice", lax.holds_tracer(p), (a.shape[axis], size, replace, p), kw)
    return np.take(a, idx, axis=axis)


def _choice_of_selection(g, a, size=None, replace=True, p=None, axis=0, shuffle=True):
    """`rng.choice(np.flatnonzero(q == q.max()))`, a tie broken at random: NumPy draws
    `integers(0, len(a), size)` (`randint` of a RandomState) and indexes `a` with it, so the
    selection's count bounds the draw and the draws pick selected elements. Without
    replacement, with `p` or along another axis the draw needs the length: refused."""
    if not replace or p is not None or axis != 0 or a.mask.ndim != 1:
        a._refuse(f"{type(g._generator).__name__}.choice other than with replacement, "
                  "without p, along axis 0")
    count = np.count_nonzero(a.mask)  # 0: the draw raises NumPy's ValueError (high <= 0)
    method = "integers" if isinstance(g._generator, np.random.Generator) else "randint"
    return a[g._call(method, True, (0, count), {"size": size})]


def _choice_by_probability(g, a, size=None, replace=True, p=None, axis=0, shuffle=True):
    """`rng.choice(k, p=probs)` with traced `probs` (a policy's action draw), as NumPy draws
    it with replacement: uniform numbers placed into the normalized cumulative sum by
    `searchsorted(side="right")`. NumPy's checks of `p` (non-negative, summing to one) need
    its values and are not made."""
    if not replace:
        from .errors import unsupported

        raise unsupported("choice(replace=False) with traced probabilities p")
    p = lax.lift(p)
    if p.ndim != 1:
        raise ValueError("p must be 1-dimensional")
    n = a if isinstance(a, (int, np.integer)) else np.shape(a)[axis]
    if p.shape[0] != n:
        raise ValueError("a and p must have same size")
    cdf = np.cumsum(lax.cast(p, np.float64))
    cdf = cdf / cdf[-1]
    method = "random" if isinstance(g._generator, np.random.Generator) else "random_sample"
    u = g._call(method, False, (size,), {})
    idx = np.searchsorted(cdf, u, side="right")
    if isinstance(a, (int, np.integer)):
        return idx.with_returns("python") if size is None else idx  # NumPy: idx.item(0)
    return np.take(lax.lift(a), idx, axis=axis)


# Methods that draw indices into an array argument: a traced array takes them by indexing.
_BY_INDEX = {"permutation": _permuted, "shuffle": _shuffle, "choice": _choice,
             "permuted": _permuted_each}

# Draws that shift and scale a standard draw, as NumPy computes them (`loc + scale * z`, one z
# per element of the output in C order), so traced parameters apply to drawn constants:
# (the standard draw, the parameters with their defaults, how they combine).
_LOC_SCALE = {
    "normal": ("standard_normal", (("loc", 0.0), ("scale", 1.0)),
               lambda z, loc, scale: loc + scale * z),
    "uniform": ("random", (("low", 0.0), ("high", 1.0)),
                lambda u, low, high: low + (high - low) * u),
    "exponential": ("standard_exponential", (("scale", 1.0),), lambda e, scale: scale * e),
}


def _shifted_and_scaled(g, name, *args, **kwargs):
    """`rng.normal(mu, sigma)` (also `uniform`, `exponential`) with traced parameters. NumPy
    refuses a negative scale; a traced one cannot be checked."""
    method, params, combine = _LOC_SCALE[name]
    if method == "random" and not isinstance(g._generator, np.random.Generator):
        method = "random_sample"
    names = [p for p, _ in params]
    values = dict(params)
    values.update(zip(names + ["size"], args))
    values.update(kwargs)
    size = random_draws._static_size(values.pop("size", None), name)  # an int argument: static
    if set(values) != set(names):
        raise TypeError(f"{name}() got an unexpected keyword argument "
                        f"{sorted(set(values) - set(names))[0]!r}")
    vals = [lax.cast(lax.lift(values[p]), np.float64) for p in names]
    shape = np.broadcast_shapes(*(v.shape for v in vals)) if size is None else size
    z = g._call(method, False, (), {"size": shape})
    out = combine(np.asarray(z), *vals)
    return out.with_returns("python") if size is None and out.ndim == 0 else out


@contextlib.contextmanager
def drawing():
    """NumPy's random modules see NumPy's own functions (tracenp's own draws)."""
    outer = getattr(_state, "drawing", False)
    _state.drawing = True
    try:
        yield
    finally:
        _state.drawing = outer


class _NumpyForRandom(types.ModuleType):
    """`np` as `numpy.random`'s compiled modules see it while tracing: NumPy's own creation
    routines (theirs have no Python frame, so the redirected ones would hand them tracers),
    and a draw from a generator tracenp does not see (an object's attribute, another module's
    global) is refused: its numbers would be frozen into the compiled function."""

    def __init__(self, originals: dict):
        super().__init__("numpy")
        self._originals = originals

    def __getattr__(self, name: str):
        if name not in self._originals:
            return getattr(np, name)
        fn = self._originals[name]
        if isinstance(fn, type):  # a scalar type: `dtype=np.float64` of a draw
            return fn

        def creation(*args, **kwargs):
            if current_trace() is not None and not getattr(_state, "drawing", False):
                from .errors import random_in_trace  # (another thread's draws are its own)

                raise random_in_trace("A draw from a generator that is not a global or closure "
                                      "variable of the jitted function, nor an argument of it,")
            return fn(*args, **kwargs)

        return creation


def draws_from(value, source: random_draws.Source | None = None):
    """`value`, or for a NumPy generator passed to a traced function, its tracing stand-in,
    drawing from `source` (by default that generator object)."""
    if not random_draws.is_generator(value):
        return value
    return _Drawing(source or random_draws.Fixed(value), value)


@contextlib.contextmanager
def _outer_names(fn, roots: tuple = (), routes: dict | None = None,
                 capture: bool = False):
    """What the traced `fn` reads by name outside its arguments, while it is traced.

    The generators `fn` can reach as module globals or closure variables (its own, and
    those of the user functions it can reach that way: `from helpers import dropout`, the
    function `grad` wraps), replaced while it is traced by stand-ins whose draws happen at
    each call (found again at each call, by name or cell). A draw from one it reaches only
    through an object or container (`self.rng`, `cfg["rng"]`) of those or of `roots`,
    (name, value) pairs of its arguments, is refused, as is a traced value left stored in
    one (`history.append(loss)`; `held`). `routes` maps the id of each NumPy function a trace
    replaces in NumPy's namespaces to its replacement: a module global bound to one
    (`from numpy import array, zeros`) is replaced as well, and so is a module-level
    `np.vectorize` (by the traced one, which applies its function to whole arrays). With
    `capture`, the arrays (of numbers, strings or dates) among those globals and closure
    variables are replaced by constant tracers too (`_captured`), so that NumPy code indexing
    them with a traced value
    (`LUT[img]`, `W[i]`), which NumPy's own `__getitem__` cannot take, traces; and the
    builtins `float`, `int` and `bool` are shadowed in those namespaces by stand-ins that
    take traced scalars (`python_builtins.Conversion`)."""
    from .numpy_api.creation import traced_vectorize
    from .python_builtins import TYPE_OF

    swapped: list = []  # (namespace or cell, name, original)
    namespaces, cells, functions = _reachable(fn)
    # a module's dunder names are its machinery (`__builtins__`, a dict in an imported
    # module; `__warningregistry__`, which a warning while tracing changes), not state
    holders = [*roots, *((name, value) for namespace in namespaces
                         for name, value in list(namespace.items())
                         if not name.startswith("__")),
               *((name, cell.cell_contents) for f in functions
                 for name, cell in zip(f.__code__.co_freevars, f.__closure__ or ())
                 if _bound(cell))]
    stored_globals, stored_cells = _stored_names(functions)
    own_globals = _stored_names(functions[:1])[0]  # a number only `fn` itself changes: other
    # functions' globals may change for reasons of their own meanwhile (a gc callback's timer)
    bindings = [*((name, namespace, name in own_globals) for namespace in namespaces
                  for name in stored_globals),
                *((name, cell, True) for f in functions
                  for name, cell in zip(f.__code__.co_freevars, f.__closure__ or ())
                  if name in stored_cells)]
    with refuse_outliving_effects(holders, bindings):  # looks after the swaps are undone
        try:
            for f in functions:  # `def step(x, rng=np.random.default_rng(0))`
                defaults = f.__defaults__ or ()
                if any(random_draws.is_generator(d) for d in defaults):
                    swapped.append((f, "__defaults__", defaults))
                    f.__defaults__ = tuple(draws_from(d) for d in defaults)
            for namespace in namespaces:
                for name, value in list(namespace.items()):
                    if random_draws.is_generator(value):
                        swapped.append((namespace, name, value))
                        namespace[name] = _Drawing(random_draws.Named(namespace, name), value)
                    elif routes and (rerouted := _rerouted(value, routes)) is not None:
                        swapped.append((namespace, name, value))
                        namespace[name] = rerouted
                    elif routes and (traced := traced_vectorize(value)) is not None:
                        swapped.append((namespace, name, value))  # `N = np.vectorize(erf)`
                        namespace[name] = traced
                    elif capture and _capturable(value):
                        swapped.append((namespace, name, value))
                        namespace[name] = _captured(value, name)
            for cell, name in cells:
                value = cell.cell_contents
                swapped.append((cell, name, value))
                cell.cell_contents = _Drawing(random_draws.Cell(cell, name), value)
            for namespace in namespaces:  # `type(alpha) is float`: NumPy's class
                if "type" not in namespace and _users(namespace):
                    swapped.append((namespace, "type", _ABSENT))
                    namespace["type"] = TYPE_OF
            if capture:
                from .python_builtins import CONVERSIONS

                for namespace in namespaces:  # `float(loss)`: a module global shadowing the
                    for name, stand_in in CONVERSIONS.items():  # builtin while it is traced
                        if name not in namespace:
                            swapped.append((namespace, name, _ABSENT))
                            namespace[name] = stand_in
                for holder, key, value, new in _held_routed(namespaces, functions, routes):
                    swapped.append((holder, key, value))  # `LINKS = {"probit": norm.cdf}`,
                    _set(holder, key, new)  # `def f(p, ppf=norm.ppf)`
                for f in functions:  # `def f(x, grid=np.linspace(0, 1, 5))`
                    defaults = f.__defaults__ or ()
                    if any(map(_capturable, defaults)):
                        swapped.append((f, "__defaults__", defaults))
                        f.__defaults__ = tuple(_captured(d, f"a default of {f.__name__}")
                                               if _capturable(d) else d for d in defaults)
                    for name, d in (f.__kwdefaults__ or {}).items():
                        if _capturable(d):
                            swapped.append((f.__kwdefaults__, name, d))
                            f.__kwdefaults__[name] = _captured(d, name)
                    for name, cell in zip(f.__code__.co_freevars, f.__closure__ or ()):
                        if _bound(cell) and _capturable(cell.cell_contents):
                            swapped.append((cell, name, cell.cell_contents))
                            cell.cell_contents = _captured(cell.cell_contents, name)
                held = [*_attribute_arrays(roots), *_held_arrays(namespaces, functions)]
                for holder, name, value in held:
                    swapped.append((holder, name, value))
                    _set(holder, name, _captured_tuple(value, name) if isinstance(
                        value, tuple) else _captured(value, name))
            yield
        finally:
            for where, name, value in reversed(swapped):
                if isinstance(where, dict) and value is _ABSENT:
                    del where[name]
                else:
                    _set(where, name, value)


def _set(where, name, value) -> None:
    """Bind `name` in `where`: a namespace, dict or list item, a function's defaults, a
    closure cell's contents, a class's or an object's attribute."""
    if isinstance(where, (dict, list)):
        where[name] = value
    elif isinstance(where, types.FunctionType):
        where.__defaults__ = value
    elif isinstance(where, types.CellType):
        where.cell_contents = value
    elif isinstance(where, type):
        type.__setattr__(where, name, value)
    else:
        object.__setattr__(where, name, value)


_ABSENT = object()  # a name a trace sets in a namespace that did not have it


def _capturable(value) -> bool:
    return type(value) is np.ndarray and value.dtype.kind in "biufcUSmM"


class _CodeFacts(NamedTuple):
    """What a trace reads of a function's code, nested code (comprehensions, lambdas)
    included: the globals and closure variables it rebinds (`global best; best = ...`,
    `nonlocal avg; avg = ...`), the names a trace watches; and the global and attribute
    names it reads."""

    stored_globals: frozenset
    stored_cells: frozenset
    names: frozenset


def _code_facts(code: types.CodeType) -> _CodeFacts:
    """`code`'s facts, read once per code object: a trace looks at every function of the
    modules it reaches (a test module holds hundreds), and disassembling each at each trace
    took most of a corpus test's time. Kept by identity, with the code, so an id is not
    reused while its entry stands."""
    held = _FACTS.get(id(code))
    if held is not None and held[0] is code:
        return held[1]
    stored_globals, stored_cells, names = set(), set(), set()
    todo = [code]
    while todo:
        c = todo.pop()
        names.update(c.co_names)
        todo += [k for k in c.co_consts if isinstance(k, types.CodeType)]
        if _STORES.isdisjoint(c.co_code[::2]):  # opcodes are the even bytes: no store here
            continue  # (most code), known without disassembling it (0.1 ms a function)
        for ins in dis.get_instructions(c):
            if ins.opname in ("STORE_GLOBAL", "DELETE_GLOBAL"):
                stored_globals.add(ins.argval)
            elif ins.opname in ("STORE_DEREF", "DELETE_DEREF"):
                stored_cells.add(ins.argval)
    facts = _CodeFacts(frozenset(stored_globals), frozenset(stored_cells), frozenset(names))
    if len(_FACTS) >= _MAX_FACTS:  # functions made anew at each call (lambdas) come and go
        _FACTS.clear()
    _FACTS[id(code)] = (code, facts)
    return facts


_STORES = frozenset(dis.opmap[name] for name in
                    ("STORE_GLOBAL", "DELETE_GLOBAL", "STORE_DEREF", "DELETE_DEREF"))
_FACTS: dict[int, tuple[types.CodeType, _CodeFacts]] = {}
_MAX_FACTS = 1 << 16


def _stored_names(functions: list) -> tuple[set[str], set[str]]:
    """(globals, closure variables) the code of `functions` rebinds: the names a trace
    watches."""
    facts = [_code_facts(f.__code__) for f in functions]
    return (set().union(*(f.stored_globals for f in facts)),
            set().union(*(f.stored_cells for f in facts)))


def _code_names(functions: list) -> set[str]:
    """The global and attribute names the code of `functions` reads."""
    return set().union(*(_code_facts(f.__code__).names for f in functions))


def _held_arrays(namespaces: list, functions: list):
    """(holder, name, value) of the numeric arrays inside the globals and closure variables
    the code of `functions` names: items of a dict or list, two levels deep
    (`PRETRAINED["embed"]`, `UNITS["coal"]["heat_rate"]`), attributes it names of a user
    module, class or object (`config.PALETTE`, `Tables.POPCOUNT4`, `TOKENIZER.embedding`,
    a closure's `codec.table`); and a tuple holding arrays (`GAUSS_LEGENDRE_5[0]`), as
    (holder, name, the tuple), which `_captured_tuple` rebuilds."""
    names = _code_names(functions)
    for namespace in namespaces:
        for name in sorted(names & namespace.keys()):
            yield from _held_in(namespace, name, namespace[name], names, 1)
    for f in functions:
        for name, cell in zip(f.__code__.co_freevars, f.__closure__ or ()):
            if _bound(cell) and not _capturable(cell.cell_contents):
                yield from _held_in(None, name, cell.cell_contents, names, 1)


def _rerouted(value, routes: dict | None):
    """What a trace calls for `value`, a function it routes (`from scipy.linalg import
    cho_solve`), a method of one bound before the trace (`Z = norm.ppf`) or a
    `functools.partial` of either; None for anything else."""
    if not routes:
        return None
    if isinstance(value, functools.partial):
        inner = _rerouted(value.func, routes)
        return None if inner is None else functools.partial(inner, *value.args,
                                                             **value.keywords)
    bound = isinstance(value, types.MethodType)
    fn = value.__func__ if bound else value
    held = routes.get(id(fn))
    if held is None or held[0] is not fn:
        return None
    return types.MethodType(held[1], value.__self__) if bound else held[1]


def _held_routed(namespaces: list, functions: list, routes: dict | None):
    """(holder, key, value, replacement) of the routed functions and methods that a dict or
    list global the code names holds, and of the functions' defaults (`_rerouted`)."""
    if not routes:
        return
    names = _code_names(functions)
    for namespace in namespaces:
        for name in sorted(names & namespace.keys()):
            value = namespace[name]
            if type(value) in (dict, list) and len(value) <= _MAX_HELD:
                items = value.items() if type(value) is dict else enumerate(value)
                for k, v in list(items):
                    if (new := _rerouted(v, routes)) is not None:
                        yield value, k, v, new
    for f in functions:
        for name, d in (f.__kwdefaults__ or {}).items():
            if (new := _rerouted(d, routes)) is not None:
                yield f.__kwdefaults__, name, d, new
        defaults = f.__defaults__ or ()
        new = [_rerouted(d, routes) for d in defaults]
        if any(v is not None for v in new):
            yield f, "__defaults__", defaults, tuple(d if v is None else v
                                                     for d, v in zip(defaults, new))


def _held_in(holder, name: str, value, names: frozenset, depth: int):
    """`_held_arrays` of one value that `holder` binds to `name` (a closure cell's holds no
    tuple: its cell is not swapped)."""
    from .methods import attributes, is_plain
    from .numpy_api.creation import from_library

    if type(value) is dict and len(value) <= _MAX_HELD:
        for k, v in list(value.items()):
            if _capturable(v):
                yield value, k, v
            elif depth:
                yield from _held_in(value, k, v, names, depth - 1)
    elif type(value) is list and len(value) <= _MAX_HELD:
        for i, v in enumerate(value):
            if _capturable(v):
                yield value, i, v
            elif depth:
                yield from _held_in(value, i, v, names, depth - 1)
    elif isinstance(value, tuple) and holder is not None and len(value) <= _MAX_HELD and \
            any(map(_capturable, value)):
        yield holder, name, value
    elif isinstance(value, types.ModuleType) and not from_library(value.__name__):
        attrs = vars(value)
        yield from ((attrs, a, attrs[a]) for a in sorted(names & attrs.keys())
                    if _capturable(attrs[a]))
    elif isinstance(value, type) and not from_library(value.__module__ or ""):
        yield from _attribute_arrays((("self", value),))  # all its tables: its
        # methods read them as `self.TABLE` (`Mapper().map(b)` in the function)
    elif is_plain(value):
        yield from ((value, a, getattr(value, a)) for a in sorted(names)
                    if _capturable(attributes(value).get(a)))


_MAX_HELD = 256  # items of a global container looked into for arrays


def captured_partial(fn):
    """`fn`, or where it is a `functools.partial` binding numeric arrays (`partial(lookup,
    E=E)`), one binding them captured (`_captured`)."""
    if not isinstance(fn, functools.partial) or not any(
            map(_capturable, (*fn.args, *fn.keywords.values()))):
        return fn
    return functools.partial(
        fn.func, *(_captured(a, f"args[{i}]") if _capturable(a) else a
                   for i, a in enumerate(fn.args)),
        **{k: _captured(v, k) if _capturable(v) else v for k, v in fn.keywords.items()})


def _captured_tuple(value: tuple, name: str) -> tuple:
    items = [_captured(v, f"{name}[{i}]") if _capturable(v) else v for i, v in enumerate(value)]
    return type(value)._make(items) if hasattr(value, "_make") else tuple(items)


_INSTALLED = (sysconfig.get_paths()["stdlib"], "site-packages", "dist-packages")


def _users(namespace: dict) -> bool:
    """A module of the user's own code: not NumPy's, tracenp's, an installed package's or
    the standard library's, whose `type(x)` checks (array_api_compat's) are left as they
    run outside a trace."""
    from .numpy_api.creation import from_library

    path = namespace.get("__file__") or ""
    return not from_library(namespace.get("__name__") or "") and not (
        path.startswith(_INSTALLED[0]) or any(p in path for p in _INSTALLED[1:]))


def _attribute_arrays(roots: tuple):
    """(class or object, name, array) of the numeric arrays that user objects among `roots`
    hold as attributes: their classes' (`TABLE = np.array(...)` read as `self.TABLE[i]`) and,
    for an object that is a static argument, its own (a jitted method's `self` passes its
    arrays as inputs instead)."""
    from .numpy_api.creation import from_library

    for where, obj in roots:
        cls_of = obj if isinstance(obj, type) else type(obj)  # a classmethod's `cls` too
        if not isinstance(obj, type) and not hasattr(obj, "__dict__") and not hasattr(
                type(obj), "__slots__") or from_library(cls_of.__module__ or "builtins") \
                or cls_of.__module__ == "builtins":
            continue
        for cls in cls_of.__mro__[:-1]:
            for name, value in list(vars(cls).items()):
                if _capturable(value):
                    yield cls, name, value
        if where == "self" or isinstance(obj, type):
            continue
        names = list(getattr(obj, "__dict__", {}))
        names += [n for cls in type(obj).__mro__ for n in getattr(cls, "__slots__", ())
                  if isinstance(n, str) and n not in names]
        for name in names:
            value = getattr(obj, name, None)
            if _capturable(value):
                yield obj, name, value


def _captured(value: np.ndarray, name: str):
    """A constant tracer standing for `name`, an array the traced function reads from its
    globals or closure: a write into it is refused, as the compiled function would leave
    the array itself unchanged."""
    from .errors import unsupported

    return lax.lift(value).read_only(unsupported, f"Writing into `{name}`, an array the "
                                     "function reads from its globals or closure (the "
                                     "compiled function would leave it unchanged; pass it in "
                                     "as an argument)")


def _reachable(fn) -> tuple[list, list, list]:
    """(global namespaces, (closure cell, name) holding a generator, functions) of `fn` and
    of the user functions reachable from it through globals and closures (NumPy's and
    tracenp's modules are not looked into)."""
    from .numpy_api.creation import from_library

    namespaces: dict = {}
    cells: list = []
    functions: list = []
    seen: set = set()
    todo = [fn]
    while todo:
        f = todo.pop()
        f = getattr(f, "__func__", f)  # a bound method
        if isinstance(f, functools.partial):
            todo.append(f.func)
            continue
        if not isinstance(f, types.FunctionType):
            wrapped = getattr(f, "__wrapped__", None)
            if wrapped is not None and id(f) not in seen:
                seen.add(id(f))
                todo.append(wrapped)
            continue
        if id(f) in seen:
            continue
        seen.add(id(f))
        functions.append(f)
        for name, cell in zip(f.__code__.co_freevars, f.__closure__ or ()):
            try:
                value = cell.cell_contents
            except ValueError:  # not bound yet
                continue
            if random_draws.is_generator(value):
                cells.append((cell, name))
            elif callable(value):
                todo.append(value)
        namespace = f.__globals__
        if id(namespace) not in namespaces and not from_library(
                str(namespace.get("__name__", ""))):
            namespaces[id(namespace)] = namespace
            todo.extend(v for v in list(namespace.values())
                        if isinstance(v, types.FunctionType) or _wraps(v))
    return list(namespaces.values()), cells, functions


def _bound(cell) -> bool:
    try:
        cell.cell_contents
    except ValueError:  # a closure variable not assigned yet
        return False
    return True


def _wraps(v) -> bool:
    """Whether `v` is a wrapper of a function (a jitted one, a `functools.wraps` decorator)."""
    try:
        return callable(v) and getattr(v, "__wrapped__", None) is not None
    except Exception:  # an object whose attribute lookup fails in its own way
        return False


def _fixed_seed(seed) -> bool:
    """An int or a sequence of ints, not entropy (None) or a traced value."""
    ints = (int, np.integer)
    return isinstance(seed, ints) or (isinstance(seed, (list, tuple)) and len(seed) > 0
                                      and all(isinstance(v, ints) for v in seed))


def _routing_lists(func):
    """`func` while tracing: an argument that is a list holding tracers (`np.diag([1, 1, d])`,
    `np.mean([a, b])`) is invisible to NumPy's dispatch, which would convert the list and ask
    for the tracers' values, and so is a tracer NumPy's dispatcher leaves out (the indices of
    `np.take(LUT, seq)`, `np.roll`'s shift, a reduction's `where=`); a call with either goes to
    tracenp's version of `func`, as one NumPy dispatches does. An argument with a protocol of
    its own (`x[mask]`, `x.flat`) is left to NumPy's dispatch, which asks it first."""
    from .numpy_api import dispatch_function

    def call(*args, **kwargs):
        items = (*args, *kwargs.values())
        if any(lax.is_tracer(a) or isinstance(a, (list, tuple)) and lax.holds_tracer(a)
               for a in items) and not any(
                not lax.is_tracer(a) and not isinstance(a, np.ndarray) and
                hasattr(type(a), "__array_function__") for a in items):
            return dispatch_function(func, args, kwargs)
        return func(*args, **kwargs)

    call.__name__, call.__doc__, call.__wrapped__ = func.__name__, func.__doc__, func
    return call


class _UfuncTakingLists:
    """`np.<ufunc>` while tracing: a list holding tracers as an operand (`np.sqrt([a, b])`,
    `np.maximum.reduce([a, b, c])`, `np.logical_and.reduce([m1, m2])`), which NumPy would
    convert to an array itself, is stacked first; all else is the ufunc's own. It compares and
    hashes as the ufunc, so tables keyed by ufuncs still find it."""

    def __init__(self, ufunc: np.ufunc):
        self._ufunc = ufunc

    def __call__(self, *args, **kwargs):
        return self._ufunc(*_stacked(args), **kwargs)

    def reduce(self, array, *args, **kwargs):
        return self._ufunc.reduce(*_stacked((array,)), *args, **kwargs)

    def accumulate(self, array, *args, **kwargs):
        return self._ufunc.accumulate(*_stacked((array,)), *args, **kwargs)

    def outer(self, a, b, **kwargs):
        return self._ufunc.outer(*_stacked((a, b)), **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._ufunc, name)

    @property
    def __class__(self):  # isinstance(np.sin, np.ufunc) stays True
        return np.ufunc

    def __eq__(self, other) -> bool:
        return self._ufunc == getattr(other, "_ufunc", other)

    def __hash__(self) -> int:
        return hash(self._ufunc)

    def __repr__(self) -> str:
        return repr(self._ufunc)


def _stacked(args) -> tuple:
    return tuple(lax.lift(a) if isinstance(a, (list, tuple)) and lax.holds_tracer(a) else a
                 for a in args)


def prepare() -> None:
    """Make the namespace wrappers a trace installs (a few ms, once): `import tracenp` does,
    so that a first trace does not."""
    if not _ROUTES:
        from .numpy_api.creation import PATCHED, for_user_code
        from .numpy_api.linalg import (_np_fit, _np_series_convert, _np_series_fit,
                                       polynomial_fit, series_convert, series_fit)
        from .numpy_api.masked_arrays import routes as masked_routes
        from .numpy_api.shape import _np_as_strided, as_strided
        from .python_builtins import traced_max, traced_min
        from .python_math import ROUTES as MATH_ROUTES
        from .python_statistics import ROUTES as STATISTICS_ROUTES

        by_module: dict = {}
        for module, name, fn in ([(np, n, f) for n, f in PATCHED.items()] + _list_routes(PATCHED)
                                 + [(np, "random", _RandomGuard()), (
                                     np.lib.stride_tricks, "as_strided",
                                     for_user_code(as_strided, _np_as_strided)),
                                    (np.polynomial.polyutils, "_fit",
                                     for_user_code(polynomial_fit, _np_fit)),
                                    (np.polynomial._polybase.ABCPolyBase, "fit", classmethod(
                                        for_user_code(series_fit, _np_series_fit))),
                                    (np.polynomial._polybase.ABCPolyBase, "convert",
                                     for_user_code(series_convert, _np_series_convert)),
                                    (builtins, "max", traced_max),
                                    (builtins, "min", traced_min)]
                                 + [(math, n, f) for n, f in MATH_ROUTES.items()]
                                 + [(statistics, n, f) for n, f in STATISTICS_ROUTES.items()]
                                 + [(m, n, f) for m, routes in masked_routes()
                                    for n, f in routes.items()]):
            getattr(module, name)  # a lazily loaded name is in the namespace from now on
            by_module.setdefault(module, {})[name] = fn
        _ROUTES.extend((vars(m) if isinstance(m, types.ModuleType) else _ClassAttributes(m),
                        wrappers) for m, wrappers in by_module.items())
        _ROUTED.update((id(ns[n]), (ns[n], w)) for ns, wrappers in _ROUTES
                       for n, w in wrappers.items())


# Libraries routed once loaded: (module name, the tracenp module whose `routes()` lists
# (namespace or class, {name: replacement}) for it; "module:function" names another function
# than `routes`, where one tracenp module serves several libraries)
_LATE_LIBRARIES = (("scipy._lib._array_api", "scipy_routes:lazy_array_routes"),
                   *((library, "scipy_routes:lazy_array_routes") for library in (
                       "scipy.stats", "scipy.spatial", "scipy.cluster", "scipy.interpolate")),
                   ("scipy.stats", "scipy_stats"),
                   ("scipy.stats", "scipy_stats_host:stats_routes"),
                   ("scipy.spatial.distance", "scipy_spatial"),
                   ("scipy.linalg", "scipy_linalg"), ("scipy.signal", "scipy_host:signal_routes"),
                   ("scipy.ndimage", "scipy_host:ndimage_routes"),
                   ("scipy.fft", "scipy_host:fft_routes"),
                   ("scipy.fftpack", "scipy_host:fftpack_routes"),
                   ("scipy.special", "scipy_host:special_routes"),
                   ("scipy.spatial.transform", "scipy_routes:transform_routes"),
                   ("scipy.interpolate", "scipy_interpolate"),
                   ("scipy.integrate", "scipy_host:integrate_routes"),
                   ("scipy.optimize", "scipy_host:optimize_routes"),
                   ("scipy.spatial", "scipy_geometry:spatial_routes"),
                   ("scipy.interpolate", "scipy_geometry:interpolate_routes"),
                   ("scipy.cluster.vq", "scipy_cluster:vq_routes"),
                   ("scipy.cluster.hierarchy", "scipy_cluster:hierarchy_routes"),
                   ("scipy.linalg", "scipy_host:linalg_routes"),
                   ("scipy.linalg.lapack", "scipy_host:lapack_routes"),
                   ("scipy.sparse", "scipy_sparse"),
                   ("scipy.sparse.linalg", "scipy_sparse:linalg_routes"),
                   ("scipy.sparse.csgraph", "scipy_sparse:csgraph_routes"))
_LATE: set = set()  # the (library, routes) pairs `_late_routes` has routed
_LATE_BUSY: list = []  # the library `_late_routes` is routing now


def late_routes_of(routes_of: str) -> list:
    """The routes a `_LATE_LIBRARIES` entry names ("module:function")."""
    module, _, function = routes_of.partition(":")
    return getattr(importlib.import_module(f".numpy_api.{module}", __package__),
                   function or "routes")()


def _late_routes() -> None:
    """Routes into a library loaded after tracenp, once it is (`scipy.stats`' distributions:
    `norm.cdf(d1)`), whose import would cost every user of tracenp 0.3 s or more. A function
    a user module binds by name (`from scipy.linalg import cho_solve`) is replaced there too,
    as NumPy's are. Not again while it runs: loading tracenp's module for a library is an
    import the trace's import hook sees."""
    for library, routes_of in _LATE_LIBRARIES:
        if (library, routes_of) in _LATE or library not in sys.modules or _LATE_BUSY:
            continue
        _LATE_BUSY.append(library)
        try:
            routes = late_routes_of(routes_of)
        except Exception as e:  # noqa: BLE001 (a SciPy this tracenp does not know: its
            import warnings  # functions stay SciPy's own, and the other traces go on)

            warnings.warn(f"tracenp could not route {library} ({type(e).__name__}: {e}); "
                          "its functions are not traced", RuntimeWarning, stacklevel=2)
            routes = []
        finally:
            _LATE_BUSY.clear()
        _ROUTES.extend((vars(m) if isinstance(m, types.ModuleType) else _ClassAttributes(m),
                        wrappers) for m, wrappers in routes)
        _ROUTED.update((id(getattr(m, n)), (getattr(m, n), w)) for m, wrappers in routes
                       for n, w in wrappers.items() if isinstance(m, types.ModuleType))
        _ROUTED.update((id(vars(m)[n]), (vars(m)[n], w)) for m, wrappers in routes
                       if isinstance(m, type) for n, w in wrappers.items()
                       if isinstance(vars(m).get(n), types.FunctionType))  # (a method bound
        _LATE.add((library, routes_of))  # before the trace: `Z = norm.ppf`, `_rerouted`)


def routed(fn):
    """What a trace calls for `fn` (`jit(scipy.linalg.expm)`): the replacement it routes
    `fn` to where it routes it (SciPy's Python would meet traced values), else `fn`."""
    original, replacement = _ROUTED.get(id(fn), (None, fn))
    return replacement if original is fn else fn


class _ClassAttributes:
    """A class's attributes as a namespace a trace updates and restores (a class's `__dict__`
    is read-only): `np.polynomial`'s `ABCPolyBase.fit`, a classmethod. One the class lacks
    (a `__getattr__` added for the trace) reads as `_ABSENT`, which restoring deletes."""

    def __init__(self, cls):
        self._cls = cls

    def __getitem__(self, name: str):
        return vars(self._cls).get(name, _ABSENT)

    def update(self, items: dict) -> None:
        for name, value in items.items():
            if value is _ABSENT:
                if name in vars(self._cls):
                    delattr(self._cls, name)
            else:
                setattr(self._cls, name, value)


def _random_modules() -> list:
    """`numpy.random`'s modules that use `np`: its submodules, which importing binds as
    attributes of the package (scanning `sys.modules` for them took 0.1-0.2 ms of a first
    call)."""
    return [m for m in vars(_np_random).values()
            if type(m) is types.ModuleType and getattr(m, "np", None) is np]


def _list_routes(patched) -> list:
    """(namespace, name, wrapper) for each function tracenp implements in `np` and `np.linalg`
    (not those `patched` already replaces), and for each ufunc in `np`."""
    from .numpy_api import HANDLED

    routes = [(np, name, _UfuncTakingLists(uf)) for name, uf in vars(np).items()
              if isinstance(uf, np.ufunc)]
    for func in HANDLED:
        if isinstance(func, np.ufunc):
            continue  # routed above; a second route would save the first one's wrapper
        for module in (np, np.linalg):
            name = func.__name__
            if getattr(module, name, None) is func and not (module is np and name in patched):
                routes.append((module, name, _routing_lists(func)))
    return routes


@dataclass
class TraceState:
    fn_name: str
    mutated_inputs: list = field(default_factory=list)
    stabilize: bool = True  # whether graphs built inside (gradients) may be stabilized
    selections: list = field(default_factory=list)  # (weakref, error) of x[mask] selections
    effects: dict = field(default_factory=dict)  # id(generator) -> its latest draw's node
    checks: list = field(default_factory=list)  # `lax.check` nodes: raise when the call runs
    refused: list = field(default_factory=list)  # ConcretizationErrors made while tracing
    seeded_bits: list = field(default_factory=list)  # bit generators made from a fixed seed
    input_layouts: dict = field(default_factory=dict)  # id(input node) -> "C", "F", strides
    examples: dict = field(default_factory=dict)  # id(input node) -> the call's value (`peek`)
    layout_read: bool = False  # whether a result follows an argument's memory layout
    # (fresh, actual) input nodes of the gradients taken inside: what a value of the
    # differentiated function kept outside it (`bn["running_mean"] = ...`) stands for
    standins: list = field(default_factory=list)


def current_root() -> TraceState:
    """The outermost trace: draws of one generator chain there, whichever trace made them."""
    return _state.stack[0]


def current_trace() -> TraceState | None:
    stack = getattr(_state, "stack", None)
    return stack[-1] if stack else None


def _check_selections(state: TraceState, stack: list) -> None:
    """A selection of unknown length (`x[mask]`, `np.nonzero(mask)`) still alive when the
    outermost trace ends is in the result, or kept past the call: its error, made where it
    was created, is raised. An inner (inlined) trace hands its live ones to the outer one."""
    alive = [(ref, error) for ref, error in state.selections if ref() is not None]
    if len(stack) > 1:
        stack[-2].selections.extend(alive)
    elif alive:
        raise alive[0][1]


@contextlib.contextmanager
def tracing(fn_name: str, stabilize: bool | None = None, fn=None, roots: tuple = (),
            capture: bool = False):
    """Trace `fn_name`; `fn`, the traced function, has its global and closure generators
    replaced by stand-ins whose draws happen at call time while it is traced (and with
    `capture`, its global and closure arrays by constant tracers); `roots`, (name, value) of
    its arguments, are where else it may find generators."""
    from .numpy_api.creation import PATCHED

    with _lock:
        stack = _state.__dict__.setdefault("stack", [])
        outer = stack[-1].stabilize if stack else True
        state = TraceState(fn_name, stabilize=outer if stabilize is None else stabilize)
        stack.append(state)
        saved: list = []  # (namespace, its entries before the trace)
        random_modules: list = []
        real_import = builtins.__import__
        try:  # a failure while patching still restores what was patched
            if len(stack) == 1:
                prepare()
                _late_routes()
                for namespace, wrappers in _ROUTES:  # one update each (344 setattrs: 0.2 ms)
                    saved.append(_originals(namespace, wrappers))
                    namespace.update(wrappers)
                numpy_saved = next(before for ns, before in saved if ns is vars(np))
                shim = _NumpyForRandom({k: numpy_saved[k] for k in PATCHED})
                random_modules = _random_modules()
                for m in random_modules:
                    m.np = shim
                builtins.__import__ = _importing(real_import, saved)
            with _outer_names(fn, roots, _ROUTED if len(stack) == 1 else None, capture):
                yield state
            _check_selections(state, stack)
        finally:
            builtins.__import__ = real_import
            for namespace, before in saved:
                namespace.update(before)
            for m in random_modules:
                m.np = np
            stack.pop()


def _originals(namespace, wrappers: dict) -> tuple:
    """(namespace, what it binds the names of `wrappers` to): what a trace restores. Made
    once while those stay the same objects (one C call reads them; building the dict of
    NumPy's 373 took 0.1 ms of every trace)."""
    held = _ORIGINALS.get(id(wrappers))
    if held is None or held[0] is not wrappers:
        names = tuple(wrappers)
        held = (wrappers, operator.itemgetter(*names, *names[:1]), None, None)  # (a tuple
        # even of one name: the first is read twice, and `zip` stops at the last name)
    values = held[1](namespace)
    if values != held[2]:
        held = (wrappers, held[1], values, dict(zip(wrappers, values)))
        _ORIGINALS[id(wrappers)] = held
    return namespace, held[3]


_ORIGINALS: dict = {}  # id(wrappers) -> (wrappers, their names' getter, values, as a dict)


def _importing(real, saved: list):
    """`import` while a trace has replaced NumPy's functions: a module loaded by the traced
    function (`from scipy.special import expit` in its body) loads against NumPy's own
    namespace, as a compiled extension checks `np.broadcast` is the type it was built
    against when it loads (the trace's stand-in is a function), and draws from NumPy's
    generators as it does without a trace; a library `_late_routes` routes is routed from
    then on, in this trace too. So is one the host thread loads while the trace waits on it
    (SciPy's Cython loaded by a host call's stand-ins). Another thread's import (the compile
    worker's) is left alone: its restoring the trace's replacements once done could outlast
    the trace, leaving NumPy's namespace replaced for good."""
    owner = threading.get_ident()
    depth: list = []  # the imports under way: an import's own run against NumPy's own

    def importing(name, globals=None, locals=None, fromlist=(), level=0):
        if threading.get_ident() != owner and \
                not threading.current_thread().name.startswith(host_ops.HOST_THREAD):
            return real(name, globals, locals, fromlist, level)
        full = name
        if level:  # `from .x import y`, in tracenp's own code as often as not
            package = (globals or {}).get("__package__") or ""
            base = package.rsplit(".", level - 1)[0] if level > 1 else package
            full = f"{base}.{name}" if name else base
        module = sys.modules.get(full)
        if module is not None and all(hasattr(module, item) for item in fromlist or ()):
            return real(name, globals, locals, fromlist, level)  # nothing new loads
        if not depth:
            for namespace, before in saved:
                namespace.update(before)
        depth.append(full)
        try:
            with drawing():  # its draws at import (scipy.stats' docstrings) are NumPy's own
                return real(name, globals, locals, fromlist, level)
        finally:
            depth.pop()
            if not depth:  # all of it loaded: a library loaded now is routed from now on
                known = len(_ROUTES)
                _late_routes()
                saved.extend(_originals(ns, wrappers) for ns, wrappers in _ROUTES[known:])
                for namespace, wrappers in _ROUTES:
                    namespace.update(wrappers)

    return importing
