"""Reverse-mode autodiff over the graph: a gradient is just more graph.

`backward(out, wrt, seed)` walks the nodes between `wrt` and `out` in reverse
topological order (iteratively: deep graphs are fine), calls each op's `vjp`
rule from the registry, unbroadcasts elementwise cotangents to their source's
shape and sums cotangents where a value is used more than once. Integer and
bool values carry no gradient.

The function transforms (`grad`, `value_and_grad`, `vjp`, `jacobian`) trace
the function with fresh inputs for the differentiated leaves, build the
backward graph, then substitute the real arguments; called on concrete arrays
they compile the forward and backward graph as one jitted function, called on
tracers (inside `jit` or another `grad`) they just extend the graph.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from . import ir, lax, pytree
from .ops import OPS, Op
from .tracer import Tracer


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
    """A cotangent lifted, unbroadcast and cast to the type of `src`."""
    g = lax.lift(g)
    if g.shape != src.shape:
        if g.ndim < src.ndim or any(a not in (b, 1) and b is not None
                                    for a, b in zip(src.shape, g.shape[g.ndim - src.ndim:])):
            g = lax.broadcast_to(g, src.shape) if g.ndim <= src.ndim else g
        g = unbroadcast(g, src.shape)
    if g.dtype.kind == "c" and src.dtype.kind != "c":
        g = np.real(g)
    return lax.cast(g, src.dtype) if g.dtype != src.dtype or g.weak else g


def backward(out: ir.Node, wrt: Sequence[ir.Node], seed: Tracer | None = None) -> list[Tracer]:
    """Cotangents of `wrt` given cotangent `seed` (default 1) of `out`; zeros where unreachable."""
    from .trace import tracing

    wrt_ids = {id(w) for w in wrt}
    order = ir.toposort([out])
    live: set[int] = set()
    for node in order:  # nodes on some path from a wrt node
        if id(node) in wrt_ids or any(id(s) in live for s in node.srcs):
            live.add(id(node))
    with tracing("grad"):
        if seed is None:
            seed = lax.lift(np.ones(out.shape, out.dtype))
        cts: dict[int, Tracer] = {id(out): _fit(seed, out)}
        for node in reversed(order):
            g = cts.get(id(node))
            if g is None or id(node) in wrt_ids or node.op in (Op.INPUT, Op.CONST):
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
        zero = [lax.lift(np.zeros(w.shape, w.dtype)) for w in wrt]
        return [cts.get(id(w), z) for w, z in zip(wrt, zero)]


# ----------------------------------------------------------------------------- transforms


def _argnums(argnums) -> tuple[int, ...]:
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def _check_differentiable(leaf, where: str) -> None:
    dtype = leaf.dtype if isinstance(leaf, (Tracer, np.ndarray, np.generic)) else \
        np.asarray(leaf).dtype
    if not _inexact(dtype):
        raise TypeError(f"grad requires real or complex floating inputs, but {where} has dtype "
                        f"{dtype}; cast it with .astype(float) or leave it out of argnums")


def _trace_with_fresh(fn, args, kwargs, argnums):
    """Call `fn` with fresh inputs for the differentiated leaves.

    Returns (fresh input nodes, their real nodes, output, aux, treedefs).
    """
    fresh, actual, trees = [], [], []
    new_args = list(args)
    for i in argnums:
        leaves, tree = pytree.flatten(args[i])
        trees.append(tree)
        subs = []
        for j, leaf in enumerate(leaves):
            _check_differentiable(leaf, f"argument {i} (leaf {j})")
            real = lax.lift(leaf) if isinstance(leaf, Tracer) else lax.lift(np.asarray(leaf))
            node = ir.leaf_input(f"arg{i}", real.dtype, real.shape, weak=real.weak)
            fresh.append(node)
            actual.append(real.node)
            subs.append(Tracer(node))
        new_args[i] = pytree.unflatten(tree, subs)
    return fresh, actual, trees, fn(*new_args, **kwargs)


def _scalar_output(out, name: str) -> Tracer:
    out = lax.lift(out)
    if out.ndim != 0 or not _inexact(out.dtype):
        raise TypeError(f"grad of {name} requires a scalar floating output, got "
                        f"{out.dtype} array of shape {out.shape}; use vjp or jacobian for "
                        "non-scalar outputs")
    return out


def _substitute(nodes: Sequence[ir.Node], fresh, actual) -> list[Tracer]:
    mapping = {id(f): a for f, a in zip(fresh, actual)}
    return [Tracer(n) for n in ir.substitute(nodes, mapping)]


def _split_per_arg(trees, leaves):
    per, k = [], 0
    for tree in trees:
        n = pytree.num_leaves(tree)
        per.append(pytree.unflatten(tree, leaves[k:k + n]))
        k += n
    return per


def _value_and_grad_traced(fn, args, kwargs, argnums, has_aux):
    fresh, actual, trees, result = _trace_with_fresh(fn, args, kwargs, _argnums(argnums))
    aux = None
    if has_aux:
        result, aux = result
    out = _scalar_output(result, getattr(fn, "__name__", "function"))
    grads = backward(out.node, fresh)
    aux_leaves, aux_tree = pytree.flatten(aux)
    aux_nodes = [lax.lift(a).node for a in aux_leaves]
    subst = _substitute([out.node] + [g.node for g in grads] + aux_nodes, fresh, actual)
    value, grad_leaves, aux_vals = subst[0], subst[1:1 + len(grads)], subst[1 + len(grads):]
    per_arg = _split_per_arg(trees, grad_leaves)
    g = per_arg[0] if isinstance(argnums, int) else tuple(per_arg)
    if has_aux:
        return (value, pytree.unflatten(aux_tree, aux_vals)), g
    return value, g


def _has_tracer(args, kwargs) -> bool:
    leaves, _ = pytree.flatten((args, kwargs))
    return any(isinstance(x, Tracer) for x in leaves)


def value_and_grad(fn: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False
                   ) -> Callable:
    """`f -> (x -> (f(x), df/dx))`; gradients have the structure and dtypes of the arguments."""
    from .jit import JitFunction

    nums = argnums if isinstance(argnums, int) else tuple(argnums)

    def traced(*args, **kwargs):
        return _value_and_grad_traced(fn, args, kwargs, nums, has_aux)

    compiled = JitFunction(traced)
    compiled.__name__ = f"value_and_grad({getattr(fn, '__name__', 'f')})"

    def wrapper(*args, **kwargs):
        if _has_tracer(args, kwargs):
            return traced(*args, **kwargs)
        return compiled(*args, **kwargs)

    wrapper.__name__ = compiled.__name__
    wrapper.__wrapped__ = fn
    return wrapper


def grad(fn, argnums=0, has_aux: bool = False):
    """Gradient of a scalar function; or, Theano-style, `grad(cost, wrt)` of a symbolic cost."""
    if isinstance(fn, Tracer):
        return symbolic_grad(fn, argnums)
    vg = value_and_grad(fn, argnums, has_aux)

    def wrapper(*args, **kwargs):
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    wrapper.__name__ = f"grad({getattr(fn, '__name__', 'f')})"
    wrapper.__wrapped__ = fn
    return wrapper


def symbolic_grad(cost: Tracer, wrt):
    """`d cost / d wrt` for symbolic variables: one tracer per `wrt` (list in, list out)."""
    single = isinstance(wrt, Tracer)
    wrt_list = [wrt] if single else list(wrt)
    cost = _scalar_output(cost, "cost")
    for w in wrt_list:
        _check_differentiable(w, f"variable {getattr(w, 'name', None) or w!r}")
    grads = backward(cost.node, [w.node for w in wrt_list])
    return grads[0] if single else grads


def vjp(fn: Callable, *primals, has_aux: bool = False):
    """`(fn(*primals), vjp_fn)`; `vjp_fn(cotangent)` gives one cotangent per primal."""
    from .jit import JitFunction

    nums = tuple(range(len(primals)))

    def pullback_traced(*args):
        *ps, ct = args
        fresh, actual, trees, result = _trace_with_fresh(fn, ps, {}, nums)
        if has_aux:
            result = result[0]
        out_leaves, _ = pytree.flatten(result)
        ct_leaves, _ = pytree.flatten(ct)
        grads = None
        for o, c in zip(out_leaves, ct_leaves):
            o = lax.lift(o)
            if not _inexact(o.dtype):
                continue
            part = backward(o.node, fresh, seed=lax.cast(c, o.dtype))
            grads = part if grads is None else [lax.bind(Op.ADD, a, b)
                                                for a, b in zip(grads, part)]
        if grads is None:
            grads = [lax.lift(np.zeros(f.shape, f.dtype)) for f in fresh]
        return tuple(_split_per_arg(trees, _substitute([g.node for g in grads], fresh, actual)))

    if _has_tracer(primals, {}):
        result = fn(*primals)
        return (result, lambda ct: pullback_traced(*primals, ct)) if not has_aux else \
            (result[0], lambda ct: pullback_traced(*primals, ct), result[1])
    from .jit import jit

    result = jit(fn)(*primals)
    compiled = JitFunction(pullback_traced)
    pull = lambda ct: compiled(*primals, ct)  # noqa: E731
    if has_aux:
        return result[0], pull, result[1]
    return result, pull


def jacobian(fn: Callable, argnums: int = 0) -> Callable:
    """Reverse-mode Jacobian: `out.shape + arg.shape`, one backward pass per output element."""
    from .jit import JitFunction

    def traced(*args, **kwargs):
        fresh, actual, trees, result = _trace_with_fresh(fn, args, kwargs, (argnums,))
        out = lax.lift(result)
        flat = lax.reshape(out, (out.size,))
        rows = []
        for i in range(out.size):
            elem = lax.reshape(lax.slice_of(flat, [(i, i + 1, 1)]), ())
            rows.append(backward(elem.node, fresh)[0])
        stacked = np.stack(rows) if rows else lax.lift(np.zeros((0,) + fresh[0].shape))
        jac = lax.reshape(stacked, out.shape + fresh[0].shape)
        return _substitute([jac.node], fresh, actual)[0]

    compiled = JitFunction(traced)

    def wrapper(*args, **kwargs):
        if _has_tracer(args, kwargs):
            return traced(*args, **kwargs)
        return compiled(*args, **kwargs)

    return wrapper
