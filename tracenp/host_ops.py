"""The HOST library primitive: a library function run on the arrays' values when the compiled
function runs, as `jax.pure_callback` runs one (SciPy's filters and transforms).

A HOST node's params are a `HostCall`, the function with its arguments, the arrays among them
left as holes that the node's sources fill (traced values and constant arrays alike, so the
graph stays a function of them), `out`: which item of the call's tuple result the node is
(None for a call returning one array), and the `dtype` and `shape` of that item found while
tracing (`evaluate`): what the function returns for stand-ins of its sources, zeros of their
shapes and dtypes (ones where the function refuses zeros) and a constant source's own value.
The function may make its result's type depend on those only: the stand-ins are tried both
ways, and a result whose shape or dtype changes with them is refused as data-dependent; one
that changes when the compiled function runs raises there (`ref_host`).

A trace replaces NumPy's functions for user code, and SciPy's Python is user code to it, so
a call made while this thread traces (the stand-ins; a constant folded by `constant_value`)
runs on a helper thread, which sees NumPy's own. A HOST node has a gradient only where its
`HostCall` holds a rule for a hole (`grads`); a cotangent asked of any other hole raises an
error naming the function.
"""

from __future__ import annotations

import concurrent.futures
import reprlib
import threading
import warnings
from typing import Any, Callable, NamedTuple

import numpy as np

from .ops import Op


class Hole:
    """Where source `index` of the node goes among a call's arguments."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index

    def __eq__(self, other) -> bool:
        return isinstance(other, Hole) and other.index == self.index

    def __hash__(self) -> int:
        return hash(("hole", self.index))

    def __repr__(self) -> str:
        return f"#{self.index}"


def _is_array(v) -> bool:
    """A value that becomes a source of the node: a traced value or a NumPy array."""
    from .tracer import Tracer

    return isinstance(v, (Tracer, np.ndarray))


def _freeze(v, sources: list, labels: list, label: str):
    """(template, key) of an argument: arrays become holes (appended to `sources`), lists,
    tuples and dicts are copied with theirs; `key` compares by type and value (`1` is not
    `1.0` nor `True`), by identity what is not hashable."""
    if _is_array(v):
        sources.append(v)
        labels.append(label)
        return Hole(len(sources) - 1), ("hole", len(sources) - 1)
    if type(v) in (list, tuple):
        pairs = [_freeze(x, sources, labels, f"{label}[{i}]") for i, x in enumerate(v)]
        return type(v)(p[0] for p in pairs), (type(v), tuple(p[1] for p in pairs))
    if type(v) is dict:
        pairs = {k: _freeze(x, sources, labels, f"{label}[{k!r}]") for k, x in v.items()}
        return ({k: p[0] for k, p in pairs.items()},
                (dict, tuple((k, p[1]) for k, p in pairs.items())))
    try:
        hash(v)
    except TypeError:
        return v, ("id", id(v))
    return v, (type(v), v)


def _fill(template, xs):
    """The arguments of a call: the template with its holes filled by `xs`, a read-only
    array (a constant of the graph) as a copy: SciPy's Cython loops take writable buffers."""
    if type(template) is Hole:
        x = xs[template.index]
        return x.copy() if isinstance(x, np.ndarray) and not x.flags.writeable else x
    if type(template) in (list, tuple):
        return type(template)(_fill(t, xs) for t in template)
    if type(template) is dict:
        return {k: _fill(t, xs) for k, t in template.items()}
    return template


class HostCall:
    """A function and its arguments, arrays left as holes: hashable node params, equal for one
    function (by identity) and equal arguments. `names` names the positional arguments (as
    far as known), `labels` each hole's argument, and `grads` maps a hole to its gradient
    rule (`make_call`)."""

    __slots__ = ("fn", "name", "args", "kwargs", "names", "labels", "grads", "_key")

    def __init__(self, fn: Callable, name: str, args: tuple, kwargs: dict, key: tuple,
                 names: tuple, labels: tuple, grads: dict):
        self.fn, self.name, self.args, self.kwargs, self._key = fn, name, args, kwargs, key
        self.names, self.labels, self.grads = names, labels, grads

    def __eq__(self, other) -> bool:
        return isinstance(other, HostCall) and other.fn is self.fn and other._key == self._key

    def __hash__(self) -> int:
        return hash((id(self.fn), self._key))

    def __repr__(self) -> str:
        """The call, and the function's address: not a faithful text (`plans` keys by text)."""
        short = reprlib.Repr()
        short.maxlist = short.maxtuple = short.maxdict = 4
        args = [short.repr(a) for a in self.args]
        args += [f"{k}={short.repr(v)}" for k, v in self.kwargs.items()]
        return f"{self.name}({', '.join(args)}) at 0x{id(self.fn):x}"

    def filled(self, xs) -> tuple[tuple, dict]:
        """The arguments, the holes filled by `xs`."""
        return _fill(self.args, xs), _fill(self.kwargs, xs)

    def values(self, xs) -> dict:
        """The arguments by name (a positional one without a name by its position), filled."""
        args, kwargs = self.filled(xs)
        named = {self.names[i] if i < len(self.names) else i: v for i, v in enumerate(args)}
        return {**named, **kwargs}

    def __call__(self, xs):
        """The function's result for the arrays `xs` of the holes."""
        args, kwargs = self.filled(xs)
        return untraced(lambda: self.fn(*args, **kwargs))


def make_call(fn: Callable, name: str, args: tuple, kwargs: dict, names: tuple = (),
              grads: dict | None = None) -> tuple[HostCall, list]:
    """The call of `fn(*args, **kwargs)` and the arrays its holes stand for, in order.
    `names`: the names of the positional arguments. `grads`: {argument name: rule} for
    arguments given as arrays; `rule(g, values, out)` is that argument's cotangent, from the
    arguments by name (`HostCall.values`, filled with the node's sources) and the cotangent
    `g` of result `out`."""
    sources: list = []
    labels: list = []
    label = [f"argument {names[i]!r}" if i < len(names) else f"argument {i}"
             for i in range(len(args))]
    pairs = [_freeze(a, sources, labels, label[i]) for i, a in enumerate(args)]
    kw = {k: _freeze(v, sources, labels, f"argument {k!r}") for k, v in kwargs.items()}
    template = tuple(p[0] for p in pairs)
    kw_template = {k: p[0] for k, p in kw.items()}
    key = (tuple(p[1] for p in pairs), tuple((k, p[1]) for k, p in kw.items()))
    positions = {n: i for i, n in enumerate(names[:len(args)])}
    rules = {}
    for where, rule in (grads or {}).items():
        hole = template[positions[where]] if where in positions else kw_template.get(where)
        if type(hole) is Hole:
            rules[hole.index] = rule
    call = HostCall(fn, name, template, kw_template, key, tuple(names), tuple(labels), rules)
    return call, sources


_POOL: list = []  # the helper thread's executor, made on first use
HOST_THREAD = "tracenp-host"  # its name (`trace._importing` lets it load modules)
_POOL_LOCK = threading.Lock()


def untraced(thunk: Callable[[], Any]) -> Any:
    """`thunk()`, run where NumPy's functions are NumPy's own: on a helper thread while this
    one traces, else here."""
    from .numpy_api.creation import tracing_thread

    if not tracing_thread():
        return thunk()
    with _POOL_LOCK:
        if not _POOL:
            _POOL.append(concurrent.futures.ThreadPoolExecutor(1, HOST_THREAD))
    return _POOL[0].submit(thunk).result()


# ----------------------------------------------------------------------------- results


class Outcome(NamedTuple):
    """What a call returns, in a form its nodes rebuild: `kind` None for one array, else the
    `pytree` structure of several (a tuple, a SciPy result bunch with its attributes); per
    item (dtype, shape, what NumPy hands back 0-d)."""

    kind: Any
    items: tuple

    @classmethod
    def of_tuple(cls, items: tuple) -> "Outcome":
        """A tuple of `items`, or the one item alone."""
        from . import pytree

        return cls(pytree.flatten(tuple(range(len(items))))[1] if len(items) > 1 else None,
                   items)


def items_of(result, kind) -> list:
    """A result's items in `Outcome` order."""
    from . import pytree

    return [result] if kind is None else pytree.flatten(result)[0]


def rebuild(kind, items: list):
    """The result `items_of` took apart."""
    from . import pytree

    return items[0] if kind is None else pytree.unflatten(kind, items)


def _returns(v) -> str:
    if isinstance(v, np.ndarray):
        return "array"
    return "scalar" if isinstance(v, np.generic) else "python"


def _item_type(v, name: str) -> tuple:
    if not isinstance(v, (np.ndarray, np.generic, bool, int, float, complex)):
        from . import errors

        raise errors.unsupported(f"{name} returning a {type(v).__name__} (a host call returns "
                                 "arrays or a tuple of them)")
    a = np.asarray(v)
    if a.dtype.kind not in "biufc":
        from . import errors

        raise errors.unsupported(f"{name} returning an array of dtype {a.dtype}")
    return a.dtype, a.shape, _returns(v)


def outcome_of(result, name: str) -> Outcome:
    """A result's `Outcome`: one array, or a structure of them (a tuple, a SciPy result)."""
    if not isinstance(result, (np.ndarray, np.generic, bool, int, float, complex)):
        from . import pytree

        leaves, kind = pytree.flatten(result)
        if kind is not pytree.LEAF:
            return Outcome(kind, tuple(_item_type(v, name) for v in leaves))
    return Outcome(None, (_item_type(result, name),))


def _typical(dtype: np.dtype, shape: tuple, flipped: bool = False) -> np.ndarray:
    """Distinct positive values (1 to 9 for integers, random bools): data a test, a fit or
    a factorisation takes. A square matrix is made symmetric positive definite, a wide one a
    positive definite band (its last row the diagonal, or its first where `flipped`)."""
    rng = np.random.default_rng(0)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        return rng.integers(1, 10, shape).astype(dtype)
    v = rng.uniform(0.5, 1.5, shape)
    if len(shape) >= 2 and shape[-1] == shape[-2]:
        v = (v + np.swapaxes(v, -1, -2)) / 2 + shape[-1] * np.eye(shape[-1])
    elif len(shape) == 2 and shape[0] < shape[1]:
        v[:-1] *= 0.5 / shape[0]
        v[-1] += shape[0]
        v = v[::-1] if flipped else v
    return v.astype(dtype)


def _stand_in(spec, fill: int | str | None):
    """A source's stand-in: its constant, else `fill` everywhere, or `_typical` values for
    None ("flipped": flipped; "ascending": a vector rising from 0 in steps of 2, a grid's
    axis spanning the typical values)."""
    from .ir import Const

    if isinstance(spec, Const):
        return spec.value
    dtype, shape = spec
    if fill == "ascending" and len(shape) == 1:
        return np.linspace(0, 2 * max(1, shape[0] - 1), shape[0]).astype(dtype)
    if fill in (None, "flipped", "ascending"):  # made where NumPy's generator is its own
        return untraced(lambda: _typical(np.dtype(dtype), shape, fill == "flipped"))
    return np.full(shape, fill, dtype)


def evaluate(call: HostCall, specs: tuple, typical: bool = False) -> Outcome:
    """The outcome of `call` on stand-ins of its sources: `specs` holds a source's `Const`,
    or (dtype, shape) of a traced one. The zeros and the ones are tried, `_typical` values
    where the function refuses both (a Box-Cox fit refuses constant data); the function's
    own error where it refuses all three, DataDependentShapeError where its result's type
    differs between the zeros and the ones. With `typical` (a function whose result's type
    only degenerate data changes: `spearmanr` of a matrix with a constant column is one
    NaN), the first of `_typical` values (also flipped: a lower band), ones and zeros it
    takes, and a named refusal where it takes none."""
    traced = any(type(s) is tuple for s in specs)
    if typical and traced:
        return _first_taken(call, specs)
    tried, error = [], None
    for fill in (0, 1, None) if traced else (0,):
        if fill is None and tried:
            break
        stand_ins = [_stand_in(s, fill) for s in specs]
        try:
            tried.append(outcome_of(_quietly(call, stand_ins), call.name))
        except Exception as e:  # noqa: BLE001 (the function's own error, raised if all do)
            error = error or e
    if not tried:
        raise error
    if len(tried) == 2 and tried[0] != tried[1]:
        from . import errors

        raise errors.data_dependent(
            f"The result of {call.name}",
            "pass the arguments that set its shape (lengths, factors, counts) as constants "
            "or Python numbers")
    return tried[0]


def _first_taken(call: HostCall, specs: tuple) -> Outcome:
    errors_seen = []
    for fill in (None, "flipped", "ascending", 1, 0):
        try:
            return outcome_of(_quietly(call, [_stand_in(s, fill) for s in specs]), call.name)
        except Exception as e:  # noqa: BLE001 (reported in the refusal)
            errors_seen.append(e)
    from . import errors

    raise errors.unsupported(f"{call.name} of traced values (its result's type is found from "
                             f"stand-in values, which it refused: {errors_seen[0]})")


def _quietly(call: HostCall, xs: list):
    """The call on stand-ins, its warnings (zeros divided by zeros) not shown."""
    args, kwargs = call.filled(xs)

    def run():
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return call.fn(*args, **kwargs)

    return untraced(run)


def source_specs(srcs) -> tuple:
    """The `evaluate` specs of a node's sources."""
    return tuple(s.attrs["value"] if s.op is Op.CONST else (np.dtype(s.dtype), tuple(s.shape))
                 for s in srcs)


def infer_host(srcs, p):
    """The type the trace found (`evaluate`); the result is checked against it (`ref_host`)."""
    if any(None in s.shape for s in srcs):
        raise ValueError("a host call needs its arrays' shapes")
    return p["dtype"], p["shape"], False


def ref_host(*xs, call: HostCall, out: int | None, dtype: np.dtype, shape: tuple):
    """The function's result `out` for these arrays, which must be of the type the trace
    found: an array of its own, which the graph may write into (a result sharing an
    operand's memory, or read-only, is copied)."""
    return _item(call(xs), xs, call, out, dtype, shape)


def memo_host(memo: dict, key, *xs, call: HostCall, out: int | None, dtype: np.dtype,
              shape: tuple):
    """`ref_host` of one item of a call with several: the function runs once per run of the
    compiled function for all of them (`memo`, that run's; `key`, the call and where its
    arrays are), as SciPy's test runs once for its statistic and its p-value."""
    result = memo.get(key, memo)
    if result is memo:
        result = memo[key] = call(xs)
    return _item(result, xs, call, out, dtype, shape)


def _item(result, xs, call: HostCall, out: int | None, dtype: np.dtype, shape: tuple):
    k = 0 if out is None else out
    items = [np.asarray(v) for v in ([result] if out is None else items_of(result, ()))]
    r = items[k]
    if r.dtype != dtype or r.shape != shape:
        from .errors import DataDependentShapeError

        raise DataDependentShapeError(
            f"{call.name} returned a {r.dtype} array of shape {r.shape} when the compiled "
            f"function ran, where the trace found {np.dtype(dtype)} of shape {shape}: the "
            "type of its result depends on the values of its traced arguments; pass those as "
            "constants, or run the function with fallback=True")
    others = [x for x in (*xs, *items[:k], *items[k + 1:]) if isinstance(x, np.ndarray)]
    if not r.flags.writeable or any(np.may_share_memory(r, x) for x in others):
        r = r.copy()
    return r


# ----------------------------------------------------------------------------- gradients


class NoGradient:
    """The cotangent of a hole without a rule: it refuses to become an array, which autodiff
    asks of it only where that source is differentiated (`autodiff.backward`'s `_fit`), so a
    gradient that does not need it (a constant filter's coefficients) is not refused."""

    def __init__(self, call: HostCall, index: int):
        self.call, self.index = call, index

    def __array__(self, dtype=None, copy=None):
        from . import errors

        raise errors.unsupported(
            f"The gradient of {self.call.name} with respect to its {self.call.labels[self.index]} "
            "(SciPy runs it on the values when the compiled function runs; tracenp has no "
            "derivative of it)")


def vjp_host(g, o, *xs, call: HostCall, out: int | None, dtype, shape):
    """Per source, its rule's cotangent, else a `NoGradient`."""
    cts = []
    for k in range(len(xs)):
        rule = call.grads.get(k)
        cts.append(NoGradient(call, k) if rule is None else rule(g, call.values(xs), out))
    return tuple(cts)
