"""Reverse-mode autodiff over the graph: a gradient is just more graph.

`backward(out, wrt, seed)` walks the nodes between `wrt` and `out` in reverse
topological order (iteratively: deep graphs are fine), calls each op's `vjp`
rule from the registry, unbroadcasts cotangents to their source's shape and
sums cotangents where a value is used more than once. Integer and bool values
carry no gradient.

The function transforms (`grad`, `value_and_grad`, `vjp`, `jacobian`) call the
function with fresh graph inputs for the differentiated leaves (so a value
passed twice is differentiated only where asked), build the backward graph,
then substitute the real arguments back. Called on arrays they compile forward
and backward as one jitted graph; called on tracers (inside `jit` or another
transform) they just extend the graph being traced.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any, Callable, Sequence

import numpy as np

from . import ir, lax, pytree
from .lowering.cupy import is_device_array
from .errors import unsupported
from .ops import OPS, Op
from .shapes import broadcast_shapes
from .tracer import DIFFERENTIATED, Tracer


def _inexact(dtype) -> bool:
    return np.issubdtype(dtype, np.inexact)


def unbroadcast(g: Tracer, shape: tuple) -> Tracer:
    """Sum `g` over the dims that broadcasting added to reach it from `shape`."""
    lead = g.ndim - len(shape)
    axes = list(range(lead))
    for i, d in enumerate(shape):
        if d == 1 and g.shape[lead + i] != 1:
            axes.append(lead + i)
    if axes:
        g = lax.reduce(Op.SUM, g, axes)
    return lax.reshape(g, shape) if g.shape != tuple(shape) else g


def _fit(g, src: ir.Node) -> Tracer:
    """A cotangent brought to the type of `src`: unbroadcast, real part, cast."""
    g = lax.lift(g)
    if g.shape != src.shape:
        g = unbroadcast(lax.broadcast_to(g, broadcast_shapes(g.shape, src.shape)), src.shape)
    if g.dtype.kind == "c" and src.dtype.kind != "c":
        g = np.real(g)
    return lax.cast(g, src.dtype) if g.dtype != src.dtype or g.weak else g


def _stabilized(out: Tracer) -> Tracer:
    """`out` with the stabilize rewrites applied first, so its gradient is built from the
    stable forward (log1p, logsumexp, softplus...) and is stable too; skipped under
    `jit(..., stabilize=False)`."""
    from .compile import optimize
    from .trace import current_trace

    state = current_trace()
    if state is not None and not state.stabilize:
        return out
    return Tracer(optimize(ir.Graph((), (out.node,))).outputs[0])


def backward(out: ir.Node, wrt: Sequence[ir.Node], seed: Tracer | None = None) -> list[Tracer]:
    """Cotangents of `wrt` given cotangent `seed` (default 1) of `out`; zeros where unreachable.

    Each cotangent is the total derivative: paths through other `wrt` nodes count too.
    """
    from .trace import tracing

    wrt_ids = {id(w) for w in wrt}
    order = ir.toposort([out])
    live: set[int] = set()  # nodes on some path from a wrt node
    for node in order:
        if id(node) in wrt_ids or any(id(s) in live for s in node.srcs):
            live.add(id(node))
    with tracing("grad"):
        if seed is None:
            seed = lax.lift(np.ones(out.shape, out.dtype))
        cts: dict[int, Tracer] = {id(out): _fit(seed, out)}
        for node in reversed(order):
            g = cts.get(id(node))
            if g is None or not node.srcs:
                continue
            opdef = OPS[node.op]
            if opdef.nondiff or not _inexact(node.dtype):
                continue
            if opdef.vjp is None:
                raise NotImplementedError(f"no gradient rule for the {node.op.name.lower()} op")
            rule_out = opdef.vjp(g, Tracer(node), *(Tracer(s) for s in node.srcs), **node.attrs)
            for src, gs in zip(node.srcs, rule_out):
                if gs is None or id(src) not in live or not _inexact(src.dtype):
                    continue
                gs = _fit(gs, src)
                prev = cts.get(id(src))
                cts[id(src)] = gs if prev is None else lax.bind(Op.ADD, prev, gs)
        zero = lambda w: lax.lift(np.zeros(w.shape, w.dtype))  # noqa: E731
        return [cts[id(w)] if id(w) in cts else zero(w) for w in wrt]


# ----------------------------------------------------------------------------- arguments


def _fn_name(fn) -> str:
    return getattr(fn, "__name__", type(fn).__name__)


def _argnums(argnums, nargs: int, fn) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not -nargs <= i < nargs:
            raise ValueError(f"argnums {argnums!r} of {_fn_name(fn)} is out of range: it was "
                             f"called with {nargs} positional argument(s)")
    return tuple(i % nargs for i in nums)


def _arg_name(fn, i: int) -> str:
    try:
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return f"argument {params[i].name}" if i < len(params) else f"argument {i}"


def _check_differentiable(leaf, where: str, what: str) -> None:
    dtype = leaf.dtype if isinstance(leaf, (Tracer, np.ndarray, np.generic)) or \
        is_device_array(leaf) else np.asarray(leaf).dtype
    if not _inexact(dtype):
        raise TypeError(f"{what}: {where} has dtype {dtype}, and only floating-point (or "
                        f"complex) values can be differentiated; cast it with "
                        f".astype(np.float64), or leave it out of argnums")


def _returns_like(leaf) -> str:
    if isinstance(leaf, Tracer):
        return leaf.returns
    if isinstance(leaf, np.ndarray):
        return "array"
    return "python" if isinstance(leaf, (bool, int, float, complex)) else "scalar"


class _Diff:
    """The differentiated leaves of one call: fresh input nodes and the real values behind them."""

    def __init__(self, fn, args: tuple, nums: tuple[int, ...], what: str):
        self.fresh: list[ir.Node] = []
        self.actual: list[ir.Node] = []
        self.trees: list[Any] = []
        self.returns: list[str] = []  # per leaf: what a 0-d gradient is handed back as
        self.fn = fn
        self.args = list(args)
        self.given = args
        self.nums = nums
        self.subs: list[Tracer] = []
        from .trace import current_root, current_trace

        self._checks = current_root().checks if current_trace() is not None else []
        self._checks_from = len(self._checks)  # those `fn` adds read the fresh inputs
        for i in nums:
            leaves, tree = pytree.flatten(args[i])
            self.trees.append(tree)
            subs = []
            for path, leaf in zip(pytree.leaf_paths(tree), leaves):
                _check_differentiable(leaf, _arg_name(fn, i) + path, what)
                real = lax.lift(leaf)
                self.returns.append(_returns_like(leaf))
                node = ir.leaf_input(f"arg{i}{path}", real.dtype, real.shape, weak=real.weak)
                self.fresh.append(node)
                self.actual.append(real.node)
                subs.append(Tracer(node))
            self.subs.extend(subs)
            self.args[i] = pytree.unflatten(tree, subs)
        if current_trace() is not None:  # values `fn` writes elsewhere are of the real inputs
            current_root().standins.extend(zip(self.fresh, self.actual))

    def call(self, **kwargs):
        """`fn` over the stand-ins, traced as differentiated (`tracer.DIFFERENTIATED`)."""
        token = DIFFERENTIATED.set(True)
        try:
            return self.fn(*self.args, **kwargs)
        finally:
            DIFFERENTIATED.reset(token)

    def substitute(self, values: Sequence) -> list:
        """`values` (tracers or anything else) with the fresh inputs replaced by the real ones,
        and so the checks `fn` added (`lax.check`)."""
        mapping = {id(f): a for f, a in zip(self.fresh, self.actual)}
        traced = [v.node for v in values if isinstance(v, Tracer)]
        checks = self._checks[self._checks_from:]
        done = ir.substitute(traced + checks, mapping)
        self._checks[self._checks_from:] = done[len(traced):]
        it = iter(done[:len(traced)])
        return [Tracer(next(it)) if isinstance(v, Tracer) else v for v in values]

    def write_back(self) -> None:
        """Writes `fn` made into its differentiated arguments reach the caller's, as NumPy's
        would (they were dropped, while writes into the other arguments came back): arrays
        written in place (`w -= w.mean()`) and items of lists and dicts set anew
        (`p["b"] = p["b"] + 1`), as values of the real inputs, and keys added to dicts
        (`p["h"] = np.tanh(x @ p["w"])`). Another change of structure is not."""
        k = 0
        for i, tree in zip(self.nums, self.trees):
            n = pytree.num_leaves(tree)
            subs, fresh = self.subs[k:k + n], self.fresh[k:k + n]
            k += n
            given = self.given[i]
            grown = pytree.take_added_keys(self.args[i], given)
            after, after_tree = pytree.flatten(self.args[i])
            if after_tree == tree:
                self._write_leaves(after, subs, fresh, given)
            for path, key, value in grown:
                pytree.put(pytree.follow(self.args[i], path), key, value)  # as it left it
                leaves, value_tree = pytree.flatten(value)
                pytree.put(pytree.follow(given, path), key,
                           pytree.unflatten(value_tree, self.substitute(leaves)))

    def _write_leaves(self, after: list, subs: list, fresh: list, given) -> None:
        for a, sub, node, orig, slot in zip(after, subs, fresh, pytree.flatten(given)[0],
                                            pytree.slots(given)):
            if a is sub and sub.node is node:
                continue
            new = self.substitute([a])[0]
            if a is not sub and slot is not None:
                pytree.set_slot(slot, new)
            elif a is sub and isinstance(orig, Tracer):
                orig._assign(new)
            elif a is sub:  # `grad(loss)(W, x)` inside a jitted function, W a NumPy array
                raise unsupported("Differentiating, inside a jitted function, a function that "
                                  "writes into a NumPy array made outside it (the write "
                                  "would be lost; pass the array to the jitted function)")

    def per_arg(self, leaves: Sequence[Tracer]) -> list:
        """Per-leaf gradients regrouped into one pytree per differentiated argument, each
        leaf handed back like its argument leaf (0-d array, NumPy scalar, Python float)."""
        leaves = [g.with_returns(r) for g, r in zip(leaves, self.returns)]
        out, k = [], 0
        for tree in self.trees:
            n = pytree.num_leaves(tree)
            out.append(pytree.unflatten(tree, leaves[k:k + n]))
            k += n
        return out


def _scalar_output(out, what: str) -> Tracer:
    """The function's value as a 0-d floating-point value: a size-1 array (`r.T @ r` of
    column vectors, a (1,) loss summed from `-np.log(p[t][target])`) is one, as autograd
    takes it; anything else is refused."""
    out = lax.lift(out)
    if out.size != 1 or not _inexact(out.dtype):
        raise TypeError(f"{what} needs a function that returns a floating-point scalar, but it "
                        f"returned a {out.dtype} array of shape {out.shape}; use tracenp.vjp "
                        "or tracenp.jacobian for other outputs")
    return out if out.ndim == 0 else lax.reshape(out, ())


# ----------------------------------------------------------------------------- running


def _is_static(x) -> bool:
    """Strings and other objects: constants of the trace. Python numbers stay graph inputs,
    as under `jit`, so a new learning rate or step number does not retrace; one whose value
    the function's Python needs (`range(n_steps)`, `if training:`) is made static then."""
    dynamic = (np.ndarray, np.generic, Tracer, int, float, complex, list, tuple, dict)
    return not isinstance(x, dynamic) and x is not None and not is_device_array(x)


def _has_tracer(args, kwargs) -> bool:
    leaves, _ = pytree.flatten((args, kwargs))
    return any(isinstance(x, Tracer) for x in leaves)


def _shared_compiled(fn: Callable, key: tuple) -> dict:
    """The compiled functions of every transform `key` of `fn` made lately: autograd's idiom
    makes a new one at each step (`grad(loss)(w)` in a loop, `elementwise_grad(f)(x)`), and
    each traced again (44 ms a step for a 65 us HMM forward). Kept for the last
    `_SHARED_MAX` pairs, each with its function, so an id is not reused meanwhile."""
    with _shared_lock:
        held = _SHARED.pop((id(fn), key), None)
        if held is None or held[0] is not fn:
            held = (fn, {})
        _SHARED[(id(fn), key)] = held
        while len(_SHARED) > _SHARED_MAX:
            _SHARED.pop(next(iter(_SHARED)))
        return held[1]


_SHARED: dict[tuple, tuple] = {}  # (id(fn), transform key): (fn, its compiled functions)
_SHARED_MAX = 256
_shared_lock = threading.Lock()


class _Transform:
    """A transformed function: extends the graph on tracers, runs compiled on arrays.

    On arrays, arguments that are not differentiated and are Python ints, bools,
    strings or other non-array objects are static: their values are baked into
    the compiled graph, so `range(n_steps)` and `if training:` work, and a new
    value retraces. Python floats stay inputs, as under `jit`.
    """

    def __init__(self, traced: Callable, fn: Callable, name: str, argnums,
                 post: Callable = lambda result: result, key: tuple | None = None):
        self.traced = traced
        self.post = post
        self.argnums = argnums
        self.__name__ = name
        self.__wrapped__ = fn
        self.__doc__ = getattr(fn, "__doc__", None)
        self._compiled: dict[tuple, Any] = {} if key is None else _shared_compiled(fn, key)

    def __call__(self, *args, **kwargs):
        if _has_tracer(args, kwargs):
            return self.post(self.traced(*args, **kwargs))
        from .jit import JitFunction

        nums = _argnums(self.argnums, len(args), self.__wrapped__) if args else ()
        static = (tuple(i for i, a in enumerate(args) if i not in nums and _is_static(a)),
                  tuple(sorted(k for k, v in kwargs.items() if _is_static(v))))
        jf = self._compiled.get(static)
        if jf is None:
            jf = JitFunction(self.traced, static_argnums=static[0], static_argnames=static[1])
            jf.__name__ = self.__name__
            jf.shares = False  # `grad(f)(x, x)` writing `x`: refused (`jit._writes_overlap`)
            self._compiled[static] = jf
        return self.post(jf(*args, **kwargs))

    def __repr__(self) -> str:
        return f"<tracenp {self.__name__}>"


# ----------------------------------------------------------------------------- transforms


def value_and_grad(fn: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False
                   ) -> Callable:
    """`f -> (x -> (f(x), df/dx))`; gradients have the structure and dtypes of the arguments.

    With a tuple `argnums` the gradient is a tuple, one entry per argument; with
    `has_aux=True`, `f` returns `(value, aux)` and the result is `((value, aux), grad)`.
    """
    name = f"value_and_grad({_fn_name(fn)})"

    def traced(*args, **kwargs):
        diff = _Diff(fn, args, _argnums(argnums, len(args), fn), f"tracenp.grad of {_fn_name(fn)}")
        result = diff.call(**kwargs)
        diff.write_back()
        aux = None
        if has_aux:
            if not (isinstance(result, (tuple, list)) and len(result) == 2):
                got = (f"an array of shape {result.shape}" if isinstance(result, Tracer)
                       else type(result).__name__)  # "Tracer" would read as a refused tracer
                raise TypeError(f"{name} with has_aux=True needs {_fn_name(fn)} to return a "
                                f"pair (value, aux), got {got}")
            result, aux = result
        out = _stabilized(_scalar_output(result, f"tracenp.grad of {_fn_name(fn)}"))
        grads = backward(out.node, diff.fresh)
        aux_leaves, aux_tree = pytree.flatten(aux)
        shape = lax.lift(result).shape  # a size-1 value keeps its shape
        subst = diff.substitute([lax.reshape(out, shape) if shape else out] + grads + aux_leaves)
        value, grad_leaves, aux_vals = subst[0], subst[1:1 + len(grads)], subst[1 + len(grads):]
        per_arg = diff.per_arg(grad_leaves)
        g = per_arg[0] if isinstance(argnums, int) else tuple(per_arg)
        if has_aux:
            return (value, pytree.unflatten(aux_tree, aux_vals)), g
        return value, g

    return _Transform(traced, fn, name, argnums, key=("value_and_grad", _hashed(argnums), has_aux))


def _hashed(argnums):
    return tuple(argnums) if isinstance(argnums, list) else argnums


def grad(fn, argnums=0, has_aux: bool = False):
    """Gradient of a scalar function; or, Theano-style, `grad(cost, wrt)` of a symbolic cost.

    `grad(f)(x)` is `df/dx` with the structure and dtypes of `x`; with `has_aux=True`
    it returns `(grad, aux)`.
    """
    if isinstance(fn, Tracer):
        from .tensor import Variable, grad as tensor_grad

        if isinstance(fn, Variable):  # a symbolic cost: re-traced per call signature
            return tensor_grad(fn, argnums)
        return symbolic_grad(fn, argnums)
    vg = value_and_grad(fn, argnums, has_aux)

    def drop_value(result):  # the value stays an output: every graph input keeps a use
        value, g = result
        return (g, value[1]) if has_aux else g

    return _Transform(vg.traced, fn, f"grad({_fn_name(fn)})", argnums, post=drop_value,
                      key=("grad", _hashed(argnums), has_aux))


def symbolic_grad(cost: Tracer, wrt):
    """`d cost / d wrt` for symbolic variables; `wrt` a variable or a pytree of them."""
    cost = _scalar_output(cost, "tracenp.grad(cost, wrt)")
    leaves, tree = pytree.flatten(wrt)
    for path, w in zip(pytree.leaf_paths(tree), leaves):
        if not isinstance(w, Tracer):
            raise TypeError(f"tracenp.grad(cost, wrt): wrt{path} is a {type(w).__name__}, "
                            "not a symbolic variable")
        _check_differentiable(w, f"variable {w.name or 'wrt' + path}", "tracenp.grad(cost, wrt)")
    return pytree.unflatten(tree, backward(cost.node, [w.node for w in leaves]))


def vjp(fn: Callable, *primals, has_aux: bool = False):
    """`(fn(*primals), vjp_fn)` (plus `aux` with `has_aux`).

    `vjp_fn(cotangent)` takes a cotangent of the output's structure and shapes
    and returns a tuple with one cotangent per primal.
    """
    name = f"vjp({_fn_name(fn)})"

    def forward(ps: tuple):
        """fn's result over fresh inputs standing for `ps`, and its pullback."""
        diff = _Diff(fn, ps, tuple(range(len(ps))), f"tracenp.vjp of {_fn_name(fn)}")
        result = diff.call()
        diff.write_back()

        def pull(ct):
            out_leaves, out_tree = pytree.flatten(result[0] if has_aux else result)
            ct_leaves, ct_tree = pytree.flatten(ct)
            if ct_tree != out_tree:
                raise ValueError(f"{name}: the cotangent's structure {ct_tree} is not the "
                                 f"output's {out_tree}")
            total = [lax.lift(np.zeros(f.shape, f.dtype)) for f in diff.fresh]
            for o, c in zip(out_leaves, ct_leaves):
                o = lax.lift(o)
                if np.shape(c) != o.shape:
                    raise ValueError(f"{name}: cotangent of shape {np.shape(c)} for an output "
                                     f"of shape {o.shape}")
                if _inexact(o.dtype):
                    part = backward(_stabilized(o).node, diff.fresh, seed=lax.cast(c, o.dtype))
                    total = [lax.bind(Op.ADD, a, b) for a, b in zip(total, part)]
            return tuple(diff.per_arg(diff.substitute(total)))

        leaves, tree = pytree.flatten(result)
        return pytree.unflatten(tree, diff.substitute(leaves)), pull

    def pullback(*args):
        *ps, ct = args
        return forward(tuple(ps))[1](ct)

    if _has_tracer(primals, {}):  # one run of fn: its writes happen once, as in NumPy
        result, pull = forward(primals)
    else:
        saved = _snapshot(primals)
        from .jit import jit

        result = jit(fn)(*primals)
        compiled = _Transform(pullback, fn, name, ())
        pull = lambda ct: compiled(*saved, ct)  # noqa: E731
    if has_aux:
        return result[0], pull, result[1]
    return result, pull


def _snapshot(primals: tuple) -> tuple:
    """The primals as they are before the forward call, which may write into them (`w *= 2`,
    as NumPy would): the pullback linearizes at the values that call read, not the written
    ones (it did, silently: `vjp` of `w *= 2; sum(w ** 3)` gave the gradient at 2w)."""
    def leaf(x):
        if isinstance(x, np.ndarray):
            return x.copy()
        if isinstance(x, Tracer):
            t = Tracer(x.node, x.name)
            t.returns = x.returns
            return t
        return x

    return pytree.tree_map(leaf, primals)


def jacobian(fn: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """Reverse-mode Jacobian, one backward pass per output element.

    For an array output `y` and argument leaf `x` it has shape `y.shape + x.shape`;
    its structure follows the argument (a tuple of them for a tuple `argnums`).
    """
    name = f"jacobian({_fn_name(fn)})"

    def traced(*args, **kwargs):
        diff = _Diff(fn, args, _argnums(argnums, len(args), fn), f"tracenp.{name}")
        out = lax.lift(diff.call(**kwargs))
        diff.write_back()
        if not _inexact(out.dtype):
            raise TypeError(f"{name}: the output has dtype {out.dtype}; only floating-point "
                            "outputs have a Jacobian")
        out = _stabilized(out)
        flat = lax.reshape(out, (out.size,))
        rows = [backward(flat[i].node, diff.fresh) for i in range(out.size)]
        jacs = []
        for k, f in enumerate(diff.fresh):
            col = [r[k] for r in rows]
            stacked = np.stack(col) if col else lax.lift(np.zeros((0,) + f.shape, f.dtype))
            jacs.append(lax.reshape(stacked, out.shape + f.shape))
        per_arg = diff.per_arg(diff.substitute(jacs))
        return per_arg[0] if isinstance(argnums, int) else tuple(per_arg)

    return _Transform(traced, fn, name, argnums, key=("jacobian", _hashed(argnums)))
