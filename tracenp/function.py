"""`tracenp.function`: compile symbolic outputs (and shared-variable updates) into a callable.

Per call signature (the input arrays' shapes and the shared values' shapes;
dtypes are fixed by the variables' types) the recorded expressions are traced
with concrete shapes into one graph, outputs first and updates after, which
`compile_graph` optimizes and lowers; the result is cached by signature. A
call runs the graph to the end before any shared variable changes, so a call
that fails changes none.

The device (`config.device` when the function is made, as Theano compiles at
`function()`) decides where it runs, and data moves explicitly to it: under
cuda, shared values move to the GPU for good and their updates are stored
there without visiting the host; under cpu, device-stored shared values are
copied to the host for the call and their updates copied back. Outputs are
NumPy arrays, or CuPy arrays when an explicit input was one.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from . import ir, lax
from .compile import Compiled, compile_graph
from .config import MODES, config
from .lowering.cupy import is_device_array, to_device, to_host
from .shared import SharedVariable
from .tensor.types import filter_value
from .tensor.variable import Env, Variable, graph_inputs
from .trace import tracing
from .tracer import Tracer

_NO_DEFAULT = object()


class In:
    """An input with a default value (`function([x, In(y, value=1)], z)`) or another name."""

    def __init__(self, variable: Variable, name: str | None = None, value: Any = _NO_DEFAULT):
        self.variable = variable
        self.name = name or variable.name
        self.value = value


@dataclass
class _Entry:
    """One compiled signature: the graph's runnable and which arrays feed its inputs."""

    compiled: Compiled
    feeds: list[int]  # indices into (inputs + shared values) of the graph's inputs


class Function:
    """A compiled symbolic function; call it with one value per input (or by input name)."""

    def __init__(self, inputs, outputs=None, updates=None, givens=None, mode: str | None = None,
                 allow_input_downcast: bool | None = None, on_unused_input: str = "raise",
                 name: str | None = None):
        self.name = name or "function"
        self.mode = _check_mode(mode)
        self.device = config.device
        self.allow_input_downcast = allow_input_downcast
        self._ins = _inputs(inputs)
        self.inputs = [i.variable for i in self._ins]
        self._single = not isinstance(outputs, (list, tuple)) and outputs is not None
        self.outputs = [outputs] if self._single else list(outputs or [])
        self.updates = _pairs(updates, "updates")
        self.givens = dict(_pairs(givens, "givens"))
        self._check_updates()
        self._check_givens()
        roots = self.outputs + [v for _, v in self.updates] + list(self.givens.values())
        needed = graph_inputs([r for r in roots if isinstance(r, Tracer)], self.givens)
        self._check_inputs(needed, on_unused_input)
        self.shared = [v for v in needed if isinstance(v, SharedVariable)]
        read = set(self.shared)
        self.shared += [s for s, _ in self.updates if s not in read]  # written, never read
        self._cache: dict[tuple, _Entry] = {}
        self.last: Compiled | None = None

    # ------------------------------------------------------------------ checks at construction
    def _check_updates(self) -> None:
        seen = set()
        for target, _ in self.updates:
            if not isinstance(target, SharedVariable):
                raise TypeError(f"{self.name}: updates must target shared variables, but "
                                f"{_describe(target)} is not one (make it with tracenp.shared)")
            if target in seen:
                raise ValueError(f"{self.name}: {target.describe()} is updated twice")
            seen.add(target)

    def _check_givens(self) -> None:
        for var in self.givens:
            if not isinstance(var, Variable):
                raise TypeError(f"{self.name}: givens keys must be symbolic variables, got "
                                f"{type(var).__name__}")
            if any(var is i for i in self.inputs):
                raise ValueError(f"{self.name}: {var.describe()} is both an input and replaced "
                                 "in givens; drop it from one of them")

    def _check_inputs(self, needed: list[Variable], on_unused_input: str) -> None:
        if on_unused_input not in ("raise", "warn", "ignore"):
            raise ValueError("on_unused_input must be 'raise', 'warn' or 'ignore', not "
                             f"{on_unused_input!r}")
        given = set(self.inputs)
        for v in needed:
            if not isinstance(v, SharedVariable) and v not in given:
                raise ValueError(f"{self.name}: the outputs need {v.describe()}, which is not "
                                 "among the inputs; add it to the input list (or to givens)")
        used = set(needed)
        for i, v in enumerate(self.inputs):
            if v in used or on_unused_input == "ignore":
                continue
            msg = (f"{self.name}: input {i} ({v.describe()}) is not used by the outputs or "
                   "updates; pass on_unused_input='warn' or 'ignore' to allow it")
            if on_unused_input == "raise":
                raise ValueError(msg)
            warnings.warn(msg, UserWarning, stacklevel=4)

    # ------------------------------------------------------------------ calling
    def __call__(self, *args, **kwargs):
        values = self._arguments(args, kwargs)
        arrays = [filter_value(a, i.variable.dtype, i.variable.broadcastable,
                               f"input {i.name or k!r} of {self.name}", self.allow_input_downcast)
                  for k, (a, i) in enumerate(zip(values, self._ins))]
        gpu = self.device.startswith("cuda")
        for s in self.shared if gpu else ():
            s.move_to_device()
        arrays += [s.get_value(borrow=True, return_internal_type=True) for s in self.shared]
        key = tuple(a.shape for a in arrays)
        entry = self._cache.get(key)
        if entry is None:
            entry = self._cache[key] = self._compile(key)
        self.last = entry.compiled
        move = to_device if gpu else to_host
        results = entry.compiled.run([move(arrays[i]) for i in entry.feeds])
        n = len(self.outputs)
        out_move = to_device if any(map(is_device_array, arrays[:len(self._ins)])) else to_host
        outs = [_own(out_move(r), arrays) for r in results[:n]]
        new: list = []
        for r in results[n:]:
            new.append(_own(r, arrays + outs + new))
        for (target, _), value in zip(self.updates, new):  # all together, after the run
            target.store(value)
        return outs[0] if self._single else outs

    def _arguments(self, args, kwargs) -> list:
        if len(args) > len(self._ins):
            raise TypeError(f"{self.name} takes {len(self._ins)} argument(s), got {len(args)}")
        values = list(args) + [_NO_DEFAULT] * (len(self._ins) - len(args))
        names = {i.name: k for k, i in enumerate(self._ins) if i.name}
        for key, value in kwargs.items():
            if key not in names:
                raise TypeError(f"{self.name} has no input named {key!r}; inputs: "
                                f"{[i.name for i in self._ins]}")
            if values[names[key]] is not _NO_DEFAULT:
                raise TypeError(f"{self.name} got input {key!r} twice")
            values[names[key]] = value
        for k, (v, i) in enumerate(zip(values, self._ins)):
            if v is _NO_DEFAULT:
                if i.value is _NO_DEFAULT:
                    raise TypeError(f"{self.name}: missing input {i.name or k!r} (argument {k})")
                values[k] = i.value
        return values

    # ------------------------------------------------------------------ tracing per signature
    def _compile(self, shapes: tuple) -> _Entry:
        variables = self.inputs + self.shared
        nodes = {v: ir.leaf_input(v.name or f"in{k}", v.dtype, s)
                 for k, (v, s) in enumerate(zip(variables, shapes))}
        env = Env(lambda v: Tracer(nodes[v]), self.givens)
        try:
            with tracing(self.name):
                outs = [lax.lift(env.value(o)).node for o in self.outputs]
                ups = [self._update_node(t, env.value(u)) for t, u in self.updates]
        except Exception as e:
            shown = ", ".join(f"{v.name or '?'}:{list(s)}" for v, s in zip(variables, shapes))
            e.add_note(f"  while tracing {self.name} for the shapes {shown}")
            raise
        used = {id(n) for n in ir.toposort(outs + ups) if n.op.name == "INPUT"}
        feeds = [k for k, v in enumerate(variables) if id(nodes[v]) in used]
        graph = ir.Graph(tuple(nodes[variables[k]] for k in feeds), tuple(outs + ups))
        return _Entry(compile_graph(graph, self.mode, device=self.device), feeds)

    def _update_node(self, target: SharedVariable, value) -> ir.Node:
        value = lax.lift(value)
        if value.ndim != target.ndim:
            raise TypeError(f"the update of {target.describe()} has {value.ndim} dimension(s), "
                            f"but the variable has {target.ndim}")
        if value.dtype != target.dtype:
            if not np.can_cast(value.dtype, target.dtype, "safe") and not value.weak:
                raise TypeError(f"the update of {target.describe()} is {value.dtype}, but the "
                                f"variable is {target.dtype}; cast the update with "
                                f".astype({target.dtype.name!r})")
            value = lax.cast(value, target.dtype)
        for i, (b, n) in enumerate(zip(target.broadcastable, value.shape)):
            if b and n != 1:
                raise ValueError(f"the update of {target.describe()} has length {n} in its "
                                 f"broadcastable dim {i}")
        return value.node

    # ------------------------------------------------------------------ introspection
    def graph(self, optimized: bool = True) -> ir.Graph:
        """The graph of the latest call (optimized by default)."""
        if self.last is None:
            raise ValueError(f"{self.name} has not been called yet: its graph is traced per "
                             "input shapes at the first call")
        return self.last.optimized if optimized else self.last.traced

    def __repr__(self) -> str:
        return f"<tracenp.function {self.name} mode={self.mode}>"


def function(inputs: Sequence, outputs=None, updates=None, givens=None, mode: str | None = None,
             allow_input_downcast: bool | None = None, on_unused_input: str = "raise",
             name: str | None = None) -> Function:
    """Compile `outputs` (one, a list, or None for none) of symbolic `inputs`, Theano-style.

    `updates`: pairs (or a dict) `shared -> new value expression`, applied
    together after each call. `givens`: pairs (or a dict) `variable ->
    replacement`. `mode`: 'FAST_RUN' (optimized, compiled) or 'FAST_COMPILE'
    (no rewrites, NumPy reference backend); default `tracenp.config.mode`.
    """
    return Function(inputs, outputs, updates, givens, mode, allow_input_downcast,
                    on_unused_input, name)


def _check_mode(mode) -> str:
    mode = config.mode if mode is None else mode
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    return mode


def _inputs(inputs) -> list[In]:
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("function() takes its inputs as a list, e.g. function([x, y], out)")
    out, seen = [], set()
    for k, i in enumerate(inputs):
        i = i if isinstance(i, In) else In(i)
        v = i.variable
        if not isinstance(v, Variable) or v.owner is not None:
            raise TypeError(f"input {k} must be a symbolic input variable (tensor.dmatrix(...) "
                            f"...), got {_describe(v)}")
        if isinstance(v, SharedVariable):
            raise TypeError(f"input {k}: {v.describe()} is shared; shared variables are passed "
                            "implicitly, drop it from the inputs")
        if v in seen:
            raise ValueError(f"input {k}: {v.describe()} is given twice")
        seen.add(v)
        out.append(i)
    return out


def _pairs(obj, what: str) -> list[tuple]:
    if obj is None:
        return []
    items = list(obj.items()) if isinstance(obj, dict) else list(obj)
    for item in items:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise TypeError(f"{what} must be a dict or a list of (variable, value) pairs")
    return [tuple(item) for item in items]


def _describe(x) -> str:
    return x.describe() if isinstance(x, Variable) else f"a {type(x).__name__}"


def _own(x, others: list):
    """`x`, copied if it shares memory with an array the caller or a shared variable holds."""
    if any(_may_share(x, o) for o in others):
        return x.copy()
    return x


def _may_share(a, b) -> bool:
    """NumPy's `may_share_memory`, or CuPy's for two device arrays; host and device never do."""
    if is_device_array(a) != is_device_array(b):
        return False
    if is_device_array(a):
        import cupy

        return bool(cupy.may_share_memory(a, b))
    return np.may_share_memory(a, b)
