"""Symbolic variables: tracers whose NumPy calls are recorded, then traced per call signature.

A symbolic expression (`y = tensor.dot(x, w).sum()`) is recorded as the calls
that built it: a `Variable` is an input, or one output of an `Apply` of a
NumPy-level function (`np.dot`, `operator.add`, a `tensor` composite) to other
values. `function()` replays those calls on tracers of concrete shapes, once
per call signature, so what it compiles is the graph `jit` traces from the
same NumPy code: `np.exp(x)` and `tensor.exp(x)` record the same call and trace
to the same node.

Why calls and not IR nodes with unknown dims: NumPy's surface writes shapes
into node parameters (a reshape's target, a mean's count, a broadcast's
shape), which unknown dims cannot give; the calls are replayed where every dim
is known. An input variable still is a tracer over an INPUT node whose
unknown dims are None, so code that builds IR directly from it keeps working.

The static type of a derived variable (`dtype`, `ndim`, `broadcastable`) comes
from tracing it with unknown dims where the front end allows, else with two
probe sizes: dims that agree are known, the others unknown.
"""

from __future__ import annotations

import functools
import operator
import weakref
from typing import Any, Callable, Iterator

import numpy as np

from .. import errors, ir, lax
from ..tracer import Tracer

_INPUTS: "weakref.WeakValueDictionary[int, Variable]" = weakref.WeakValueDictionary()


class Apply:
    """One recorded call: `fn(*args, **kwargs)`, where args may hold variables."""

    __slots__ = ("fn", "args", "kwargs", "label", "site", "outputs", "_memo")

    def __init__(self, fn: Callable, args: tuple, kwargs: dict, label: str):
        self.fn, self.args, self.kwargs, self.label = fn, args, kwargs, label
        frame = errors.user_frame()
        self.site = f"{frame.f_code.co_filename}:{frame.f_lineno}" if frame else None
        self.outputs: list[Variable] = []
        self._memo: dict = {}  # per static-typing Env: this call's traced result

    def inputs(self) -> list:
        """The symbolic values this call reads (variables, and tracers built from them)."""
        return [x for x in leaves((self.args, self.kwargs)) if isinstance(x, Tracer)]


class Variable(Tracer):
    """A symbolic array: an input (`tensor.dmatrix('x')`, `shared(...)`) or an Apply's output."""

    __slots__ = ("owner", "index", "_static", "_memo")
    __hash__ = object.__hash__  # identity, as Theano: usable as a dict key (updates, givens)

    def __init__(self, node: ir.Node | None = None, name: str | None = None,
                 owner: Apply | None = None, index: int | None = None):
        super().__init__(node, name)
        self.owner, self.index = owner, index
        self._static = None
        self._memo: dict = {}  # per static-typing Env: this variable's traced value
        if node is not None:
            _INPUTS[node.attrs["uid"]] = self

    # ------------------------------------------------------------------ static type
    @property
    def node(self) -> ir.Node:
        """The IR node with unknown dims; a derived variable has one only where the front end
        can trace it without concrete shapes."""
        if self.owner is None:
            return self._node
        value = ABSTRACT.value(self)
        if isinstance(value, Failed):
            raise TypeError(f"{self.describe()} cannot be traced with unknown dims "
                            f"({value.error}); compile it with tracenp.function, and take "
                            "gradients with tensor.grad") from value.error
        return lax.lift(value).node

    def static(self) -> tuple[np.dtype, tuple, bool]:
        """(dtype, shape with None for unknown dims, weak) of this variable."""
        if self._static is None:
            self._static = _static_type(self)
        return self._static

    @property
    def dtype(self) -> np.dtype:
        return self.static()[0]

    @property
    def shape(self) -> tuple:
        return self.static()[1]

    @property
    def ndim(self) -> int:
        return len(self.static()[1])

    @property
    def weak(self) -> bool:
        return self.static()[2]

    @property
    def size(self) -> int | None:
        shape = self.shape
        return None if None in shape else int(np.prod(shape, dtype=np.int64))

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        return tuple(d == 1 for d in self.shape)

    @property
    def type(self) -> str:
        return ir.type_str(_TypeView(*self.static()))

    def describe(self) -> str:
        if self.name:
            return f"variable {self.name!r}"
        if self.owner is not None:
            where = f" built at {self.owner.site}" if self.owner.site else ""
            return f"the result of {self.owner.label}{where}"
        return "an unnamed input variable"

    def __repr__(self) -> str:
        label = self.name or (self.owner.label if self.owner else "input")
        try:
            return f"{type(self).__name__}({label}:{self.type})"
        except TypeError:
            return f"{type(self).__name__}({label})"

    def __len__(self) -> int:
        n = self.shape[0] if self.shape else None
        if n is None:
            raise TypeError(f"len() of {self.describe()}: its length is only known when the "
                            "function runs; use tensor.shape(x)[0]")
        return n

    def __iter__(self) -> Iterator["Variable"]:
        return (self[i] for i in range(len(self)))

    # ------------------------------------------------------------------ no values
    def _no_value(self, what: str):
        return errors.ConcretizationError(
            f"{what} needs the value of {self.describe()}, which a symbolic variable does not "
            "have: it is known only when a compiled function runs. Use tensor.switch/np.where "
            "for value-dependent choices, compile with tracenp.function, or try x.eval({x: value})")

    def __bool__(self):
        raise self._no_value("The truth value (an `if`, `while`, `and`/`or`)")

    def __array__(self, dtype=None, copy=None):
        raise self._no_value("Converting to a NumPy array")

    def __float__(self):
        raise self._no_value("float()")

    def __int__(self):
        raise self._no_value("int()")

    def __index__(self):
        raise self._no_value("Using it as a Python index")

    def eval(self, inputs_to_values: dict | None = None):
        """This variable's value for the given input values, as Theano's `eval`: compiles once
        per call, so use tracenp.function for repeated evaluation."""
        from ..function import function

        values = dict(inputs_to_values or {})
        fn = function(list(values), self, on_unused_input="ignore", name="eval")
        return fn(*values.values())

    # ------------------------------------------------------------------ recording
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if "out" in kwargs:
            raise TypeError(f"np.{ufunc.__name__}(..., out=) writes in place; symbolic variables "
                            "are immutable: use the result instead")
        fn = ufunc if method == "__call__" else getattr(ufunc, method)
        label = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
        if method == "__call__" and ufunc.nout > 1:
            return tuple(record(fn, inputs, kwargs, label, ufunc.nout))
        return record(fn, inputs, kwargs, label)

    def __array_function__(self, func, types, args, kwargs):
        query = _STATIC_QUERIES.get(func)
        if query is not None and len(args) == 1 and not kwargs:
            return query(self)
        return record(func, args, kwargs, func.__name__, _probe_nout(func, args, kwargs))

    def __getitem__(self, key):
        return record(operator.getitem, (self, key), {}, "getitem")

    def __setitem__(self, key, value):
        raise TypeError(f"cannot assign into {self.describe()}: symbolic variables are immutable; "
                        "use tensor.set_subtensor(x[key], value) or tensor.inc_subtensor")

    def astype(self, dtype, order: str = "K", casting: str = "unsafe", copy: bool = True
               ) -> "Variable":
        return record(_astype, (self, np.dtype(dtype), casting), {}, "astype")

    def dimshuffle(self, *pattern) -> "Variable":
        """Theano's dimshuffle: ints pick input dims in order, 'x' inserts a broadcastable dim."""
        pattern = tuple(pattern[0]) if len(pattern) == 1 and isinstance(pattern[0], (list, tuple)) \
            else pattern
        return record(_dimshuffle, (self, pattern), {}, "dimshuffle")


_STATIC_QUERIES = {np.ndim: lambda v: v.ndim, np.shape: lambda v: v.shape,
                   np.size: lambda v: v.size, np.iscomplexobj: lambda v: v.dtype.kind == "c",
                   np.isrealobj: lambda v: v.dtype.kind != "c"}


class _TypeView:
    """What `ir.type_str` reads from a node, for a variable's static type."""

    def __init__(self, dtype, shape, weak):
        self.dtype, self.shape, self.weak = dtype, shape, weak


def _astype(x, dtype, casting):
    return x.astype(dtype, casting=casting)


def _dimshuffle(x, pattern):
    keep = [p for p in pattern if p != "x"]
    dropped = [i for i in range(x.ndim) if i not in keep]
    if any(x.shape[i] != 1 for i in dropped):
        raise ValueError(f"dimshuffle{pattern}: dims {dropped} are dropped but are not of length 1")
    y = np.transpose(np.squeeze(x, axis=tuple(dropped)) if dropped else x,
                     [sorted(keep).index(p) for p in keep])
    return np.reshape(y, [1 if p == "x" else x.shape[p] for p in pattern])


def _unary(fn):
    return lambda self: record(fn, (self,), {}, fn.__name__)


def _operator(fn, reflected=False):
    if reflected:
        return lambda self, other: record(fn, (other, self), {}, fn.__name__)
    return lambda self, other: record(fn, (self, other), {}, fn.__name__)


for _name in ("add sub mul truediv floordiv mod pow matmul and or xor lshift rshift").split():
    _fn = getattr(operator, f"{_name}_" if _name in ("and", "or") else _name)
    setattr(Variable, f"__{_name}__", _operator(_fn))
    setattr(Variable, f"__r{_name}__", _operator(_fn, reflected=True))
    setattr(Variable, f"__i{_name}__", _operator(_fn))  # x += 1 rebinds x to a new variable
for _name in ("lt le gt ge eq ne").split():
    setattr(Variable, f"__{_name}__", _operator(getattr(operator, _name)))
for _name in ("neg pos abs invert").split():
    setattr(Variable, f"__{_name}__", _unary(getattr(operator, _name)))
Variable.__divmod__ = lambda self, other: tuple(record(divmod, (self, other), {}, "divmod", 2))
Variable.__rdivmod__ = lambda self, other: tuple(record(divmod, (other, self), {}, "divmod", 2))


def record(fn: Callable, args, kwargs: dict, label: str, nout: int | None = None):
    """A variable (or, with `nout`, a list of them) for the recorded call `fn(*args, **kwargs)`."""
    app = Apply(fn, tuple(args), dict(kwargs), label)
    if nout is None:
        app.outputs = [Variable(owner=app)]
        return app.outputs[0]
    app.outputs = [Variable(owner=app, index=i) for i in range(nout)]
    return list(app.outputs)


def symbolic(label: str | None = None):
    """Let a NumPy-level function take symbolic variables: with any among its arguments, a call
    records one Apply (labelled `label`, for printing) instead of running."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if not any(isinstance(x, Variable) for x in leaves((args, kwargs))):
                return fn(*args, **kwargs)
            return record(fn, args, kwargs, label or fn.__name__)

        return wrapper

    return decorate


def leaves(obj) -> Iterator[Any]:
    """The leaves of nested tuples, lists, dicts and slices (where symbolic values may sit)."""
    stack = [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, (tuple, list)):
            stack.extend(reversed(x))
        elif isinstance(x, dict):
            stack.extend(reversed(list(x.values())))
        elif isinstance(x, slice):
            stack.extend((x.step, x.stop, x.start))
        else:
            yield x


def _replace(obj, value: Callable):
    """`obj` with each tracer leaf `t` replaced by `value(t)`, containers rebuilt."""
    if isinstance(obj, Tracer):
        return value(obj)
    if isinstance(obj, tuple):
        return tuple(_replace(x, value) for x in obj)
    if isinstance(obj, list):
        return [_replace(x, value) for x in obj]
    if isinstance(obj, dict):
        return {k: _replace(x, value) for k, x in obj.items()}
    if isinstance(obj, slice):
        return slice(_replace(obj.start, value), _replace(obj.stop, value),
                     _replace(obj.step, value))
    return obj


# ----------------------------------------------------------------------------- evaluation


class Failed:
    """A value that could not be traced in some environment (kept so it is tried once)."""

    def __init__(self, error: BaseException):
        self.error = error


class Env:
    """Where a symbolic graph is traced: a value for each input variable, and a memo.

    `bind(v)` gives an input variable's tracer; `givens` maps variables to what
    replaces them. Evaluation is iterative (deep graphs are fine) and memoized,
    so one input gives one node and shared subexpressions trace once.
    """

    def __init__(self, bind: Callable[[Variable], Any], givens: dict | None = None,
                 memo: Any = None, keep_going: bool = False):
        self.bind = bind
        self.givens = givens or {}
        self.memo = {} if memo is None else memo  # variables and applies
        self.traced: dict[_TracerKey, Any] = {}  # plain tracers (built from input nodes)
        self.keep_going = keep_going  # record failures (static typing) instead of raising

    def value(self, root):
        """The value of `root` (a variable, a tracer, or a constant returned as is) here."""
        if not isinstance(root, Tracer):
            return root
        for key in self._order(root):
            self._store(key)[key] = self._compute(key)
        return self._get(root)

    def _store(self, key) -> dict:
        return self.traced if isinstance(key, _TracerKey) else self.memo

    def _get(self, x):
        if isinstance(x, Tracer):
            key = _key(x)
            return self._store(key)[key]
        return x

    def _deps(self, x) -> list:
        if isinstance(x, Variable):
            if x in self.givens:
                given = self.givens[x]
                return [given] if isinstance(given, Tracer) else []
            return [] if x.owner is None else [x.owner]
        if isinstance(x, Apply):
            return x.inputs()
        if isinstance(x, Tracer):
            return list(_input_variables(x.node))
        return []

    def _order(self, root) -> list:
        """Everything `root` needs that is not memoized yet, dependencies first."""
        order, seen, stack = [], set(), [(root, False)]
        while stack:
            x, expanded = stack.pop()
            key = _key(x)
            if expanded:
                order.append(key)
                continue
            if key in seen or key in self._store(key):
                continue
            seen.add(key)
            stack.append((x, True))
            stack.extend((d, False) for d in reversed(self._deps(x)))
        return order

    def _compute(self, key):
        x = key.tracer if isinstance(key, _TracerKey) else key
        if isinstance(x, Apply):
            return self._apply(x)
        if isinstance(x, Variable):
            if x in self.givens:
                return self._get(self.givens[x])
            if x.owner is None:
                return self.bind(x)
            res = self.memo[x.owner]
            if isinstance(res, Failed) or x.index is None:
                return res
            return res[x.index]
        mapping = {}  # a plain tracer: its graph, specialized to the inputs' values here
        for v in _input_variables(x.node):
            value = self.memo[v]
            if isinstance(value, Failed):
                return value
            mapping[id(v.node)] = lax.lift(value).node
        return Tracer(ir.substitute([x.node], mapping)[0])

    def _apply(self, app: Apply):
        vals = {}
        for t in app.inputs():
            v = self._get(t)
            if isinstance(v, Failed):
                return v
            vals[id(t)] = v
        args = _replace(app.args, lambda t: vals[id(t)])
        kwargs = _replace(app.kwargs, lambda t: vals[id(t)])
        try:
            return app.fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 (re-raised with where the call was built)
            if self.keep_going:
                return Failed(e)
            e.add_note(f"  in {app.label}, built at {app.site or '<unknown>'}")
            raise


class _TracerKey:
    """A memo key for a plain tracer (tracers are unhashable: their == is elementwise)."""

    __slots__ = ("tracer",)

    def __init__(self, tracer: Tracer):
        self.tracer = tracer

    def __hash__(self) -> int:
        return hash(id(self.tracer.node))

    def __eq__(self, other) -> bool:
        return isinstance(other, _TracerKey) and other.tracer.node is self.tracer.node


def _key(x):
    if isinstance(x, Tracer) and not isinstance(x, Variable):
        return _TracerKey(x)
    return x


def _input_variables(node: ir.Node) -> list[Variable]:
    """The input variables a plain tracer's graph reads (it was built from their nodes)."""
    out = []
    for n in ir.toposort([node]):
        if n.op.name == "INPUT":
            v = _INPUTS.get(n.attrs["uid"])
            if v is None:
                raise ValueError(f"graph input {n.attrs['name']!r} is not a symbolic variable: "
                                 "tracers from jit cannot be mixed into symbolic expressions")
            out.append(v)
    return out


def graph_inputs(roots, givens: dict | None = None) -> list[Variable]:
    """The input variables (including shared ones) that `roots` depend on, in first-use order."""
    env = Env(lambda v: None, givens)
    found, seen = [], set()
    for root in roots:
        for key in env._order(root):
            if isinstance(key, Variable) and key.owner is None and key not in env.givens \
                    and key not in seen:
                seen.add(key)
                found.append(key)
    return found


# ----------------------------------------------------------------------------- static types


class _OnObjects:
    """A memo kept on the variables and applies themselves, so it lives as long as they do."""

    def __contains__(self, x) -> bool:
        return id(self) in x._memo

    def __getitem__(self, x):
        return x._memo[id(self)]

    def __setitem__(self, x, value) -> None:
        x._memo[id(self)] = value


def _probe_env(size: int | None) -> Env:
    def bind(v: Variable):
        if size is None:
            return Tracer(v.node)
        shape = tuple(size if d is None else d for d in v.shape)
        return Tracer(ir.leaf_input(v.name, v.dtype, shape))

    return Env(bind, memo=_OnObjects(), keep_going=True)


ABSTRACT = _probe_env(None)  # unknown dims as None
_PROBES = (_probe_env(2), _probe_env(3))


def _as_type(value):
    t = lax.lift(value)
    return t.dtype, tuple(t.shape), t.weak


def _static_type(v: Variable):
    if v.owner is None:
        n = v._node
        return n.dtype, tuple(n.shape), n.weak
    value = ABSTRACT.value(v)
    if not isinstance(value, Failed):
        return _as_type(value)
    a, b = (env.value(v) for env in _PROBES)
    for x in (a, b):
        if isinstance(x, Failed):
            raise TypeError(f"the type of {v.describe()} is unknown until it is compiled: "
                            f"tracing it failed with {type(x.error).__name__}: {x.error}") \
                from x.error
    (dt, sa, weak), (_, sb, _) = _as_type(a), _as_type(b)
    return dt, tuple(p if p == q else None for p, q in zip(sa, sb)), weak


def _probe_nout(func, args, kwargs) -> int | None:
    """How many outputs a NumPy function returns here (np.split, np.linalg.svd ...): probed."""
    app = Apply(func, tuple(args), dict(kwargs), func.__name__)
    for env in (ABSTRACT, _PROBES[0]):
        if any(isinstance(env.value(t), Failed) for t in app.inputs()):
            continue
        res = env._apply(app)
        if not isinstance(res, Failed):
            return len(res) if isinstance(res, (tuple, list)) else None
    return None  # untraceable here: one output, and the error shows when it is compiled
