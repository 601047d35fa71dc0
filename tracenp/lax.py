"""Tracer-level wrappers of the primitives: the only place the front end makes nodes.

Each function takes tracers (or anything `lift` accepts) and returns a tracer
over one new node; the op's `infer` rule checks the types. NumPy's surface in
`tracenp/numpy_api/` and the gradient rules in `tracenp/ops.py` are written on
top of these.
"""

from __future__ import annotations

import functools
import itertools
from typing import Sequence

import numpy as np

from . import ir
from .ops import Op
from .rewrite import sites
from .tracer import Tracer


def bind(op: Op, *srcs, **params):
    node = ir.Node.make(op, tuple(lift(s).node for s in srcs), tuple(params.items()))
    sites.note(node)
    return Tracer(node)


def lift(x, dtype=None):
    """A tracer for `x`: tracers pass through, anything else becomes a constant."""
    if isinstance(x, Tracer):
        return x if dtype is None or x.dtype == dtype else cast(x, dtype)
    if isinstance(x, (bool, int, float, complex)) and dtype is None:
        return Tracer(ir.const(x, weak=True))
    if isinstance(x, (list, tuple)) and holds_tracer(x):  # np.dot(R, [x, y, 1.0])
        from .numpy_api.creation import array

        return array(x, dtype=dtype)
    return Tracer(ir.const(np.asarray(x, dtype=dtype)))


def is_tracer(x) -> bool:
    return isinstance(x, Tracer)


def holds_tracer(x) -> bool:
    """Whether `x` is a tracer, or a (nested) list or tuple with one among its items."""
    return is_tracer(x) or isinstance(x, (list, tuple)) and any(holds_tracer(v) for v in x)


def steer(x, what: str) -> None:
    """Before refusing a traced `x` whose value NumPy's code needs (a count, a shape, a
    percentile): a value computed from Python scalar arguments alone (weak, or an array made
    of them: `np.array(n_cycles, float)`) raises a ConcretizationError steered by it
    (`errors.steered_by`), so that `jit` makes those arguments static and traces again, as
    for `np.zeros(n)`. A refusal of values that may
    also be arrays raises its own error through `errors.steered_by` instead."""
    for v in x if isinstance(x, (list, tuple)) else (x,):
        if is_tracer(v) and ir.of_python_scalars(v.node):  # also `np.array(k, float)`
            v._concrete(what)


def peek(x) -> np.ndarray | None:
    """`x`'s value for the arguments of the call `jit` is tracing, where NumPy picks a
    result's type by values (eig's eigenvalues real or complex): the trace follows that call,
    with a check that later calls agree. None outside a jit's own trace, or where `x` depends
    on a random draw or on values the call does not hold."""
    from .trace import current_root, current_trace

    state = current_trace()
    if not is_tracer(x) or state is None or state is not current_root():
        return None
    nodes = ir.toposort([x.node])
    inputs = [n for n in nodes if n.op is Op.INPUT]
    if any(n.op is Op.DRAW for n in nodes) or any(id(n) not in state.examples for n in inputs):
        return None
    from .lowering import get_backend

    try:
        with np.errstate(all="ignore"):
            run = get_backend("numpy").compile(ir.Graph(tuple(inputs), (x.node,)))
            return np.asarray(run([np.asarray(state.examples[id(n)]) for n in inputs])[0])
    except Exception:  # noqa: BLE001 (a value the call cannot give: the default type stays)
        return None


def known(x, what: str):
    """`x`'s value where NumPy's code needs one (a norm's `ord`, `decimals`, a percentile): a
    tracer made in the function from constants (`np.linspace(0, 1, 5)`) has one, a Python
    scalar argument is steered static, a value that depends on array inputs is refused."""
    if is_tracer(x):
        value = x.constant_value()
        if value is None:
            steer(x, f"A traced {what}")
            from . import errors

            raise errors.unsupported(f"A traced {what}")
        return value
    return x


def as_dtype(dtype) -> np.dtype:
    """`np.dtype(dtype)`, refusing `type(x)` of a traced `x` (scipy's `dtype = type(1.0 +
    x[0])`): that is the tracer class, which NumPy would take as dtype=object."""
    if isinstance(dtype, type) and issubclass(dtype, Tracer):
        from . import errors

        raise errors.unsupported("`type(x)` of a traced value as a dtype (it is tracenp's "
                                 "tracer class, not a NumPy scalar type; use `x.dtype`)")
    return np.dtype(dtype)


def cast(x, dtype):
    x = lift(x)
    dtype = as_dtype(dtype)
    if x.dtype == dtype and not x.weak:
        return x
    return bind(Op.CAST, x, dtype=dtype)


def python_scalar(x, dtype) -> Tracer:
    """0-d `x` as the Python scalar of `dtype`'s kind (bool, int64, float64) that `float(x)`,
    `int(x)` or a `math` function gives: a weak value, which NumPy promotes as a Python
    scalar (a float32 array times it stays float32)."""
    x = lift(x)
    dtype = np.dtype(dtype)
    if x.weak and x.dtype == dtype:
        return x
    return bind(Op.CAST, x, dtype=dtype, weak=True)


def where(c, a, b):
    return bind(Op.WHERE, c, a, b)


def reshape(x, shape: Sequence[int]):
    x = lift(x)
    shape = tuple(int(d) for d in shape)
    if shape == x.shape:
        return x
    return bind(Op.RESHAPE, x, shape=shape)


def transpose(x, perm: Sequence[int]):
    perm = tuple(int(p) for p in perm)
    if perm == tuple(range(len(perm))):
        return lift(x)
    return bind(Op.TRANSPOSE, x, perm=perm)


def broadcast_to(x, shape: Sequence[int]):
    x = lift(x)
    shape = tuple(shape)
    if x.shape == shape:
        return x
    return bind(Op.BROADCAST, x, shape=shape)


def slice_of(x, slices):
    """`x[start:stop:step, ...]` with one (start, stop, step) per dim.

    A unit-step read of a value just written by `slice_set` takes the written value (or the
    array under a write it does not overlap), so a loop that writes `y[i]` and reads
    `y[i - 1]` makes a chain of scalars, not a chain of whole-array copies.
    """
    x = lift(x)
    slices = tuple(tuple(s) for s in slices)
    if all(s == (None, None, None) for s in slices):
        return x
    want = _ranges(slices, x.shape)
    if want is not None and all(a < b for a, b in want):
        node, want = _forward_read(x.node, want)
        if node is not x.node:
            x = _tracer_of(node)
            slices = tuple((a, b, 1) for a, b in want)
            if want == tuple((0, n) for n in node.shape):
                return x
    return bind(Op.SLICE, x, slices=slices)


def strided(x, start, shape, dims, steps):
    """The view of `x` whose element `i` is `x[start + sum_k i[k] * steps[k] * e(dims[k])]`:
    `as_strided` in units of `x`'s own dims, windows that may overlap
    (`sliding_window_view`). The kernels reading it read `x` by those strides."""
    x = lift(x)
    return bind(Op.STRIDED, x, start=tuple(int(a) for a in start),
                shape=tuple(int(n) for n in shape), dims=tuple(int(d) for d in dims),
                steps=tuple(int(s) for s in steps))


def slice_set(x, v, slices):
    """A copy of `x` with `x[slices] = v` (v broadcast to the slice, cast to x's dtype).

    Writes to adjacent ranges along one axis, one after the other (`out[i] = ...` in a
    loop, forwards or backwards), become one write of their concatenation; a row so
    completed joins the row written before it (`D[i, j] = ...` in two loops: one write of
    rows of elements). A write again to a part of the last write (`y[n] += ...` in an inner
    loop) replaces that part of it.
    """
    x = lift(x)
    v = cast(v, x.dtype)
    slices = tuple(tuple(s) for s in slices)
    if x.node.op is Op.SLICE_SET:
        again = _write_again(x.node, v, slices)
        if again is not None:
            return again
        joined = _join_writes(x.node, v, slices)
        while joined is not None and joined.node.srcs[0].op is Op.SLICE_SET:
            write = joined.node
            wider = _join_writes(write.srcs[0], _tracer_of(write.srcs[1]),
                                 write.attrs["slices"])
            if wider is None:
                break
            joined = wider
        if joined is not None:
            return joined
    return bind(Op.SLICE_SET, x, v, slices=slices)


def _write_again(prev, v, slices):
    """`prev` (a SLICE_SET) then `[slices] = v` as one write, when `v` replaces all of
    `prev`'s value or one part of its concatenation; else None."""
    here = _ranges(slices, prev.shape)
    there = _ranges(prev.attrs["slices"], prev.shape)
    if here is None or there is None or v.shape != _extent(here):
        return None
    done = prev.srcs[1]
    if here == there and done.shape == v.shape:
        return bind(Op.SLICE_SET, _tracer_of(prev.srcs[0]), v, slices=prev.attrs["slices"])
    if done.op is not Op.CONCAT:
        return None
    axis = done.attrs["axis"]
    if any(h != t for k, (h, t) in enumerate(zip(here, there)) if k != axis):
        return None
    at = there[axis][0]
    for i, part in enumerate(done.srcs):
        if (at, at + part.shape[axis]) == here[axis]:
            if part.shape != v.shape:
                return None
            parts = (*done.srcs[:i], v.node, *done.srcs[i + 1:])
            joined = ir.Node.make(Op.CONCAT, parts, (("axis", axis),))
            sites.note(joined)
            return bind(Op.SLICE_SET, _tracer_of(prev.srcs[0]), _tracer_of(joined),
                        slices=prev.attrs["slices"])
        at += part.shape[axis]
    return None


def _join_writes(prev, v, slices):
    """`prev` (a SLICE_SET) then `[slices] = v` as one write, when the two ranges touch."""
    here = _ranges(slices, prev.shape)
    there = _ranges(prev.attrs["slices"], prev.shape)
    if here is None or there is None or v.shape != _extent(here) \
            or prev.srcs[1].shape != _extent(there):
        return None
    axis, after = _adjacent(there, here), True
    if axis is None:  # a loop running backwards: `out[t] = ...` for t from n - 1 down
        axis, after = _adjacent(here, there), False
        if axis is None:
            return None
    done = prev.srcs[1]
    parts = done.srcs if done.op is Op.CONCAT and done.attrs["axis"] == axis else (done,)
    if len(parts) >= _JOIN_PARTS:
        return None
    parts = (*parts, v.node) if after else (v.node, *parts)
    joined = ir.Node.make(Op.CONCAT, parts, (("axis", axis),))
    sites.note(joined)
    span = (there[axis][0], here[axis][1]) if after else (here[axis][0], there[axis][1])
    both = there[:axis] + (span,) + there[axis + 1:]
    return bind(Op.SLICE_SET, _tracer_of(prev.srcs[0]), _tracer_of(joined),
                slices=tuple((lo, hi, 1) for lo, hi in both))


_FORWARD_HOPS = 16  # writes looked through per read: keeps a long chain of writes linear
# Parts joined into one write. A read is not forwarded into a full join, so a long loop is cut
# into blocks whose fused kernels stay within the CPU backend's 1024 kernel arguments.
_JOIN_PARTS = 256


@functools.lru_cache(maxsize=1 << 14)
def _ranges(slices: tuple, shape: tuple) -> tuple | None:
    """(start, stop) per dim of a unit-step basic slice of a static shape, else None (kept:
    a loop's reads look through the same writes again and again)."""
    if len(slices) != len(shape) or any(n is None for n in shape):
        return None
    out = []
    for s, n in zip(slices, shape):
        start, stop, step = slice(*s).indices(n)
        if step != 1:
            return None
        out.append((start, max(start, stop)))
    return tuple(out)


def _extent(ranges) -> tuple:
    return tuple(b - a for a, b in ranges)


def _adjacent(before, after) -> int | None:
    """The axis along which `after` starts where `before` stops, all else equal; else None."""
    differ = [k for k, (p, q) in enumerate(zip(before, after)) if p != q]
    if len(differ) != 1:
        return None
    k = differ[0]
    return k if before[k][1] == after[k][0] and before[k][0] < before[k][1] < after[k][1] \
        else None


def _forward_read(node, want):
    """(node, ranges) holding the same values as `want` of `node`, looking through writes
    (SLICE_SET) and joins (CONCAT) to the value that was written or joined."""
    for _ in range(_FORWARD_HOPS):
        if node.op is Op.SLICE_SET:
            base, value = node.srcs
            have = _ranges(node.attrs["slices"], base.shape)
            if have is None:
                break
            if all(lo <= a and b <= hi for (a, b), (lo, hi) in zip(want, have)) \
                    and value.shape == _extent(have):
                node = value
                want = tuple((a - lo, b - lo) for (a, b), (lo, _) in zip(want, have))
            elif any(b <= lo or hi <= a for (a, b), (lo, hi) in zip(want, have)):
                node = base
            else:
                break
        elif node.op is Op.CONCAT and len(node.srcs) < _JOIN_PARTS:
            axis = node.attrs["axis"]
            a, b = want[axis]
            stop = node.shape[axis]
            for src in reversed(node.srcs):  # recent parts first: a loop reads what it wrote
                start = stop - src.shape[axis]
                if start <= a and b <= stop:
                    break
                if a < start < b:
                    return node, want
                stop = start
            else:
                return node, want
            node = src
            want = want[:axis] + ((a - start, b - start),) + want[axis + 1:]
        else:
            break
    return node, want


def _tracer_of(node):
    return Tracer(node)


def pad(x, widths, value=0):
    x = lift(x)
    widths = tuple((int(lo), int(hi)) for lo, hi in widths)
    if all(w == (0, 0) for w in widths):
        return x
    return bind(Op.PAD, x, widths=widths, value=np.asarray(value, x.dtype).item())


def concat(xs, axis: int):
    xs = [lift(x) for x in xs]
    if len(xs) == 1:
        return xs[0]
    return bind(Op.CONCAT, *xs, axis=int(axis))


def gather(x, idx, axis: int):
    """`np.take_along_axis(x, idx, axis)` with broadcasting of the other dims."""
    return bind(Op.GATHER, x, cast(idx, np.intp), axis=int(axis))


def scatter(x, idx, upd, axis: int, mode: str):
    """A copy of `x` with `upd` put (mode "set", last wins) or added ("add") along `axis`.

    A loop's `counts[i] += d` (one element each time) sets the element to itself plus `d`:
    it is the add of `d`, and adds to one 1-D array one after the other join into one add
    of all their updates (in order, as `np.add.at` makes them: the same sums, bit for bit),
    unless an update reads the array the adds before it made."""
    x = lift(x)
    idx, upd, axis = cast(idx, np.intp), cast(upd, x.dtype), int(axis)
    if mode == "set":
        delta = _increment(x.node, idx.node, upd.node, axis)
        if delta is not None:
            upd, mode = delta, "add"
    prev = _reshaped_back(x.node)
    if mode == "add" and prev.op is Op.SCATTER:
        joined = _join_adds(prev, idx, upd, axis)
        if joined is not None:
            return joined
    return bind(Op.SCATTER, x, idx, upd, axis=axis, mode=mode)


_JOIN_ADDS = 4096  # updates joined into one add
_INDEPENDENT_SEARCH = 256  # nodes looked at to find that an update reads no earlier add


def _unit_free(node):
    while node.op is Op.RESHAPE and node.size == 1:
        node = node.srcs[0]
    return node


def _reshaped_back(node):
    """`node` seen through reshapes that give back the shape they started from (a loop's
    `cm[t, p] += 1` writes its flattened matrix and reshapes it back each time)."""
    while node.op is Op.RESHAPE and node.srcs[0].op is Op.RESHAPE \
            and node.srcs[0].srcs[0].shape == node.shape:
        node = node.srcs[0].srcs[0]
    return node


def _increment(x, idx, upd, axis: int):
    """`d` (shaped as `upd`) if `upd` is `x[idx] + d` or `x[idx] - d` (as -d) for one index
    in `x`'s own dtype, else None."""
    if idx.size != 1 or upd.size != 1 or x.dtype.kind not in "iufc":
        return None
    total = _unit_free(upd)
    if total.op not in (Op.ADD, Op.SUBTRACT) or total.dtype != x.dtype:
        return None
    for read, other in ((0, 1), (1, 0)) if total.op is Op.ADD else ((0, 1),):
        g = _unit_free(total.srcs[read])
        if g.op is Op.GATHER and g.srcs[0] is x and g.srcs[1] is idx \
                and g.attrs["axis"] == axis and total.srcs[other].dtype == x.dtype:
            d = _tracer_of(total.srcs[other])
            if total.op is Op.SUBTRACT:
                d = bind(Op.NEGATIVE, d)
            return reshape(d, upd.shape)
    return None


def _join_adds(prev, idx, upd, axis: int):
    """`prev` (an add into a 1-D array) then the add of `upd` at `idx`, as one add."""
    base, p_idx, p_upd = prev.srcs
    if prev.attrs["mode"] != "add" or prev.attrs["axis"] != axis or base.ndim != 1 \
            or idx.ndim != 1 or p_idx.ndim != 1 or p_upd.shape != p_idx.shape \
            or upd.shape != idx.shape or p_idx.size + idx.size > _JOIN_ADDS \
            or _reads_adds(upd.node, prev):
        return None

    def joined(before, after):
        parts = before.srcs if before.op is Op.CONCAT else (before,)
        return concat([*map(_tracer_of, parts), after], 0)

    return bind(Op.SCATTER, _tracer_of(base), joined(p_idx, idx), joined(p_upd, upd),
                axis=axis, mode="add")


def _reads_adds(node, prev) -> bool:
    """Whether `node` reads `prev` or another add into its array (or might: a search that
    runs long answers yes)."""
    base, seen, todo = prev.srcs[0], set(), [node]
    while todo:
        n = todo.pop()
        if n is prev or (n.op is Op.SCATTER and n.srcs[0] is base):
            return True
        if id(n) in seen:
            continue
        seen.add(id(n))
        if len(seen) > _INDEPENDENT_SEARCH:
            return True
        todo.extend(n.srcs)
    return False


def reduce(op: Op, x, axes: Sequence[int]):
    x = lift(x)
    axes = tuple(sorted(int(a) for a in axes))
    if op in (Op.MAX, Op.MIN):
        return bind(op, x, axes=axes, needs_identity=True)
    return bind(op, x, axes=axes)


def check(failed, error: str, message: str) -> bool:
    """Raise `error(message)` when the function runs if the traced bool `failed` is true: a
    hidden output of the outermost trace. Inside an inner trace (a function `grad` traces),
    whose graph is rebuilt into the outer one, nothing is added and the answer is False."""
    from .trace import current_root, current_trace

    state = current_trace()
    if state is None or state is not current_root():
        return False
    _refuse_inside_try(f"Whether {error} is raised")
    state.checks.append(bind(Op.CHECK, failed, error=error, message=message).node)
    return True


def merged_checks(checks: list) -> list:
    """`checks` (CHECK nodes, in the order the code made them) with each run of consecutive
    ones raising the same error merged into one check, of `np.any` of their stack: a loop of
    `math.sqrt` makes a check per iteration, each a step of its own when the function runs,
    and the stack of a loop's copies is one the reroll rule batches, as it does the loop's
    results. The first error the code would raise is still the one raised."""
    out: list = []
    for key, run in itertools.groupby(checks, key=lambda c: (c.attrs["error"],
                                                               c.attrs["message"])):
        run = list(run)
        if len(run) == 1:
            out += run
            continue
        failed = np.any(np.stack([Tracer(c.srcs[0]) for c in run]))
        out.append(bind(Op.CHECK, failed, error=key[0], message=key[1]).node)
    return out


_RAISING = frozenset({"solve", "inv", "cholesky", "solve_triangular", "sqrtm"})  # LinAlgError
# on some values, when run


def _refuse_inside_try(what: str) -> None:
    """An error raised when the compiled function runs cannot reach an `except` clause of the
    traced code, whose branch NumPy takes for those values: refused by name, so that
    `fallback=True` runs NumPy's code."""
    from . import errors

    if errors.inside_try_except():
        raise errors.concretization_error(f"{what} inside try/except (the except clause "
                                          "would run for some values)")


def matmul(a, b):
    return bind(Op.MATMUL, a, b)


def einsum(spec: str, *xs):
    return bind(Op.EINSUM, *xs, spec=spec)


def linalg(name: str, *xs, out: int = 0, **kw):
    from .trace import current_trace

    res = bind(Op.LINALG, *xs, name=name, out=out, **kw)  # NumPy's errors of shapes first
    if current_trace() is not None and (name in _RAISING or kw.get("real") or
                                        name == "lstsq" and out == 1):
        owner = "np.linalg" if hasattr(np.linalg, name) else "scipy.linalg"
        _refuse_inside_try(f"Whether {owner}.{name} raises LinAlgError")
    return res
