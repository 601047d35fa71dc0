"""The op registry: the closed set of primitives and, for each, one `OpDef`.

An `OpDef` holds everything an op means: its NumPy reference (`ref`, the
oracle every backend is tested against), its type rule (`infer`, built on
NumPy's own promotion), and its gradient (`vjp`, written in tracenp ops so a
gradient is just more graph). Backend code lives in `tracenp/lowering/*` as
tables keyed by `Op`; `tests/test_registry_complete.py` says when a row is
missing.

Elementwise primitives are NumPy's ufuncs, one op each: their loops, NaN
handling and integer semantics are NumPy's by definition. In the canonical
form the front end has already cast the inputs to the ufunc's loop dtypes, so
`infer` only checks them. Everything else in NumPy's surface is composed from
these primitives in `tracenp/numpy_api/`.

VJP rules take `(g, out, *srcs, **params)` as tracers and return one
cotangent (or None: no gradient) per source. Elementwise rules return
cotangents of the output's shape; autodiff unbroadcasts them.
"""

from __future__ import annotations

import enum
import functools
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .shapes import broadcast_shapes, real_dtype, resolve_reshape, slice_dim

UNARY_UFUNCS = (
    "negative positive absolute fabs sign sqrt cbrt square reciprocal "
    "exp exp2 expm1 log log2 log10 log1p "
    "sin cos tan arcsin arccos arctan sinh cosh tanh arcsinh arccosh arctanh "
    "deg2rad rad2deg floor ceil trunc rint "
    "isnan isinf isfinite signbit spacing logical_not invert conjugate bitwise_count "
    "frexp modf"
).split()
BINARY_UFUNCS = (
    "add subtract multiply divide floor_divide remainder fmod power float_power "
    "maximum minimum fmax fmin arctan2 hypot copysign nextafter logaddexp logaddexp2 "
    "heaviside ldexp gcd lcm left_shift right_shift bitwise_and bitwise_or bitwise_xor "
    "logical_and logical_or logical_xor equal not_equal less less_equal greater greater_equal"
).split()
OTHER_ELEMENTWISE = ["cast", "bitcast", "where", "real", "imag"]
REDUCE = ["sum", "prod", "max", "min", "argmax", "argmin", "cumsum", "cumprod", "accumulate"]
MOVEMENT = ["reshape", "transpose", "broadcast", "slice", "strided", "pad", "concat"]
INDEXING = ["gather", "scatter", "slice_set"]
CONTRACT = ["matmul", "einsum"]
LIBRARY = ["sort", "argsort", "partition", "argpartition", "searchsorted", "correlate", "fft",
           "linalg", "host"]
LEAVES = ["input", "const"]
EFFECTS = ["draw", "check"]  # run once per call, in trace order: never folded, merged or dropped

Op = enum.Enum(
    "Op",
    [n.upper() for n in LEAVES + UNARY_UFUNCS + BINARY_UFUNCS + OTHER_ELEMENTWISE
     + REDUCE + MOVEMENT + INDEXING + CONTRACT + LIBRARY + EFFECTS],
)
Op.__doc__ = "Every primitive of the IR; grouped by kind in `OpDef.kind`."


@dataclass(frozen=True)
class OpDef:
    """One primitive: its meaning in NumPy, its type rule and its gradient."""

    op: Op
    kind: str  # leaf | elementwise | reduce | scan | movement | index | contract | library | effect
    ref: Callable[..., np.ndarray]
    infer: Callable[[tuple, dict], tuple[Any, tuple, bool]]
    vjp: Callable | None = None
    nondiff: bool = False  # True: the op has no gradient by nature (comparisons, floor, ...)
    ufunc: np.ufunc | None = field(default=None, compare=False)


OPS: dict[Op, OpDef] = {}


def register(op: Op, kind: str, ref, infer, vjp=None, nondiff=False, ufunc=None) -> None:
    OPS[op] = OpDef(op, kind, ref, infer, vjp, nondiff, ufunc)


def _shape_of(srcs) -> tuple:
    return broadcast_shapes(*(s.shape for s in srcs))


# ----------------------------------------------------------------------------- leaves


def _infer_input(srcs, p):
    return p["dtype"], p["shape"], p["weak"]


def _infer_const(srcs, p):
    v = p["value"].value
    return v.dtype, v.shape, p["weak"]


register(Op.INPUT, "leaf", None, _infer_input)
register(Op.CONST, "leaf", lambda value, weak: value.value, _infer_const)


# ----------------------------------------------------------------------------- elementwise


def ufunc_infer(ufunc: np.ufunc):
    """Type rule of a ufunc op: inputs must already be of the loop's dtypes."""

    def infer(srcs, p):
        dts = tuple(s.dtype for s in srcs)
        loop = ufunc.resolve_dtypes(dts + (None,) * ufunc.nout)
        if tuple(loop[: ufunc.nin]) != dts:
            raise TypeError(f"{ufunc.__name__}: inputs {dts} are not a loop signature {loop}")
        return loop[ufunc.nin + p.get("out", 0)], _shape_of(srcs), all(s.weak for s in srcs)

    return infer


def ufunc_ref(ufunc: np.ufunc):
    if ufunc.nout == 1:
        return lambda *xs: ufunc(*xs)
    return lambda *xs, out: ufunc(*xs)[out]


def _where_tie(x, y, g):
    """Cotangent share of `x` in max/min: all of it where x wins, half on ties."""
    return np.where(x == y, g * 0.5, g)


LN2, LN10 = math.log(2.0), math.log(10.0)

# (g, out, x[, y]) -> cotangent(s) of out's shape; None where the op is not differentiable.
EW_VJPS: dict[str, Callable | None] = {
    "negative": lambda g, o, x: (-g,),
    "positive": lambda g, o, x: (g,),
    # complex x: conj(x)/|x|, the transpose convention of `multiply`'s g * y
    "absolute": lambda g, o, x: (g * (np.conjugate(np.sign(x)) if x.dtype.kind == "c"
                                      else np.sign(x)),),
    "fabs": lambda g, o, x: (g * np.sign(x),),
    "sqrt": lambda g, o, x: (g / (2 * o),),
    "cbrt": lambda g, o, x: (g / (3 * o * o),),
    "square": lambda g, o, x: (g * 2 * x,),
    "reciprocal": lambda g, o, x: (-g * o * o,),
    "exp": lambda g, o, x: (g * o,),
    "exp2": lambda g, o, x: (g * o * LN2,),
    "expm1": lambda g, o, x: (g * (o + 1),),
    "log": lambda g, o, x: (g / x,),
    "log2": lambda g, o, x: (g / (x * LN2),),
    "log10": lambda g, o, x: (g / (x * LN10),),
    "log1p": lambda g, o, x: (g / (x + 1),),
    "sin": lambda g, o, x: (g * np.cos(x),),
    "cos": lambda g, o, x: (-g * np.sin(x),),
    "tan": lambda g, o, x: (g * (1 + o * o),),
    "arcsin": lambda g, o, x: (g / np.sqrt(1 - x * x),),
    "arccos": lambda g, o, x: (-g / np.sqrt(1 - x * x),),
    "arctan": lambda g, o, x: (g / (1 + x * x),),
    "sinh": lambda g, o, x: (g * np.cosh(x),),
    "cosh": lambda g, o, x: (g * np.sinh(x),),
    "tanh": lambda g, o, x: (g * (1 - o * o),),
    "arcsinh": lambda g, o, x: (g / np.sqrt(x * x + 1),),
    "arccosh": lambda g, o, x: (g / np.sqrt(x * x - 1),),
    "arctanh": lambda g, o, x: (g / (1 - x * x),),
    "deg2rad": lambda g, o, x: (g * (math.pi / 180),),
    "rad2deg": lambda g, o, x: (g * (180 / math.pi),),
    "conjugate": lambda g, o, x: (np.conjugate(g),),
    # two results: the fraction (modf's first) and the mantissa (frexp's first) carry x's slope
    "modf": lambda g, o, x, out: (g if out == 0 else None,),
    "frexp": lambda g, o, x, out: (
        g * np.ldexp(np.ones_like(x), -np.frexp(x)[1]) if out == 0 else None,),
    "add": lambda g, o, x, y: (g, g),
    "subtract": lambda g, o, x, y: (g, -g),
    "multiply": lambda g, o, x, y: (g * y, g * x),
    "divide": lambda g, o, x, y: (g / y, -g * o / y),
    "power": lambda g, o, x, y: (
        g * y * np.power(x, y - 1),
        g * o * np.log(np.where(x == 0, 1, x)),
    ),
    "float_power": lambda g, o, x, y: (
        g * y * np.float_power(x, y - 1),
        g * o * np.log(np.where(x == 0, 1, x)),
    ),
    "remainder": lambda g, o, x, y: (g, -g * np.floor_divide(x, y)),
    "fmod": lambda g, o, x, y: (g, -g * np.trunc(x / y)),
    "maximum": lambda g, o, x, y: (np.where(x >= y, _where_tie(x, y, g), 0),
                                   np.where(y >= x, _where_tie(x, y, g), 0)),
    "minimum": lambda g, o, x, y: (np.where(x <= y, _where_tie(x, y, g), 0),
                                   np.where(y <= x, _where_tie(x, y, g), 0)),
    "fmax": lambda g, o, x, y: (np.where(o == x, _where_tie(x, y, g), 0),
                                np.where(o == y, _where_tie(x, y, g), 0)),
    "fmin": lambda g, o, x, y: (np.where(o == x, _where_tie(x, y, g), 0),
                                np.where(o == y, _where_tie(x, y, g), 0)),
    "arctan2": lambda g, o, y, x: (g * x / (x * x + y * y), -g * y / (x * x + y * y)),
    "hypot": lambda g, o, x, y: (g * x / o, g * y / o),
    "copysign": lambda g, o, x, y: (g * np.where(np.signbit(x) == np.signbit(o), 1, -1), None),
    "logaddexp": lambda g, o, x, y: (g * np.exp(x - o), g * np.exp(y - o)),
    "logaddexp2": lambda g, o, x, y: (g * np.exp2(x - o), g * np.exp2(y - o)),
    "ldexp": lambda g, o, x, y: (g * np.exp2(y.astype(o.dtype)), None),
}
NONDIFF_UFUNCS = set(UNARY_UFUNCS + BINARY_UFUNCS) - set(EW_VJPS)

for _name in UNARY_UFUNCS + BINARY_UFUNCS:
    _uf = getattr(np, _name)
    register(Op[_name.upper()], "elementwise", ufunc_ref(_uf), ufunc_infer(_uf),
             vjp=EW_VJPS.get(_name), nondiff=_name in NONDIFF_UFUNCS, ufunc=_uf)


_PY_DTYPES = (np.dtype(bool), np.dtype(np.int64), np.dtype(np.float64), np.dtype(np.complex128))


def _infer_cast(srcs, p):
    """A Python scalar promoted to a higher Python kind (the int in `n / 2`, the bool in
    `flag + 1`) stays weak; a cast to its own dtype is how the front end makes a weak value a
    NumPy one."""
    x, dt = srcs[0], np.dtype(p["dtype"])
    if p.get("weak"):  # `lax.python_scalar`: a NumPy value made a Python scalar
        if dt not in _PY_DTYPES:
            raise TypeError(f"a Python scalar is bool, int64, float64 or complex128, not {dt}")
        return dt, x.shape, True
    weak = (x.weak and x.dtype in _PY_DTYPES and dt in _PY_DTYPES
            and _PY_DTYPES.index(dt) > _PY_DTYPES.index(x.dtype))
    return dt, x.shape, weak


def _infer_where(srcs, p):
    c, a, b = srcs
    if c.dtype != np.bool_ or a.dtype != b.dtype:
        raise TypeError(f"where expects (bool, T, T), got {(c.dtype, a.dtype, b.dtype)}")
    return a.dtype, _shape_of(srcs), all(s.weak for s in srcs)


def _infer_real_imag(srcs, p):
    dt = srcs[0].dtype
    return real_dtype(dt), srcs[0].shape, False


register(Op.CAST, "elementwise", lambda x, dtype, weak=False: np.asarray(x).astype(dtype),
         _infer_cast, vjp=lambda g, o, x, dtype, weak=False: (g,))


def _infer_bitcast(srcs, p):
    src, dst = srcs[0].dtype, np.dtype(p["dtype"])
    if src.itemsize != dst.itemsize or {src.kind, dst.kind} != {"f", "i"}:
        raise TypeError(f"bitcast is between a float and the signed integer of its size, got "
                        f"{src} -> {dst}")
    return dst, srcs[0].shape, False


# `x.view(np.int64)` of floats: the bits, as NumPy's view reads them (other views compose it
# with casts among integers)
register(Op.BITCAST, "elementwise", lambda x, dtype: np.array(x).view(dtype), _infer_bitcast,
         nondiff=True)
register(Op.WHERE, "elementwise", lambda c, a, b: np.where(c, a, b), _infer_where,
         vjp=lambda g, o, c, a, b: (None, np.where(c, g, 0), np.where(c, 0, g)))
register(Op.REAL, "elementwise", np.real, _infer_real_imag, vjp=lambda g, o, x: (g,))
register(Op.IMAG, "elementwise", np.imag, _infer_real_imag,  # g * -1j: multiply's convention
         vjp=lambda g, o, x: (np.multiply(g, -1j),))


# ----------------------------------------------------------------------------- reductions


def _infer_reduce(srcs, p):
    (x,) = srcs
    axes = p["axes"]
    for a in axes:
        if x.shape[a] == 0 and p.get("needs_identity"):
            raise ValueError("zero-size array to reduction operation which has no identity")
    return x.dtype, tuple(d for i, d in enumerate(x.shape) if i not in axes), x.weak


def _infer_arg(srcs, p):
    (x,) = srcs
    axis = p["axis"]
    if x.size == 0 if axis is None else x.shape[axis] == 0:
        raise ValueError("attempt to get argmax/argmin of an empty sequence")
    shape = () if axis is None else tuple(d for i, d in enumerate(x.shape) if i != axis)
    return np.intp, shape, False


def _infer_scan(srcs, p):
    return srcs[0].dtype, srcs[0].shape, False


def _expand(g, axes, shape):
    """Put reduced axes back (size 1) and broadcast to `shape`."""
    for a in axes:
        g = np.expand_dims(g, a)
    return np.broadcast_to(g, shape)


def _vjp_extremum(g, o, x, axes, needs_identity=True):
    hit = x == _expand(o, axes, x.shape)
    count = hit.sum(axis=axes, keepdims=True)
    return (np.where(hit, _expand(g, axes, x.shape), 0) / count,)


def _vjp_prod(g, o, x, axes):
    """d prod / d x_i is the product of the other factors: exclusive cumulative products
    from both ends, so zeros in `x` are fine (no division)."""
    if 0 in x.shape:
        return (np.zeros(x.shape, g.dtype),)
    keep = [i for i in range(x.ndim) if i not in axes]
    perm = keep + list(axes)
    xt = np.transpose(x, perm)
    lead = xt.shape[:len(keep)]
    flat = np.reshape(xt, lead + (math.prod(x.shape[a] for a in axes),))
    ones = np.ones(lead + (1,), x.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    rev = np.flip(flat, -1)
    right = np.flip(np.cumprod(np.concatenate([ones, rev[..., :-1]], axis=-1), axis=-1), -1)
    others = np.transpose(np.reshape(left * right, xt.shape), np.argsort(perm))
    return (_expand(g, axes, x.shape) * others,)


def _rev_cumsum(x, axis):
    return np.flip(np.cumsum(np.flip(x, axis), axis=axis), axis)


def _vjp_cumprod(g, o, x, axis):
    """sum_{j>=i} g_j o_j / x_i before the first zero along `axis`; at the first zero, the
    products that skip it; after it, nothing (every product there holds that zero)."""
    zeros_so_far = np.cumsum(x == 0, axis=axis)
    before = zeros_so_far == 0
    first = (x == 0) & (zeros_so_far == 1)
    plain = np.where(before, _rev_cumsum(g * o, axis) / np.where(before, x, 1), 0)
    head = np.prod(np.where(before, x, 1), axis=axis, keepdims=True)
    tail = np.cumprod(np.where(before | first, 1, x), axis=axis)
    skip = head * np.sum(np.where(before, 0, g * tail), axis=axis, keepdims=True)
    return (plain + np.where(first, skip, 0),)


def _loop_dtype(x):
    """The reduction's dtype argument: `x`'s own, but none for timedeltas (a ufunc's dtype
    selects no time unit; NumPy sums them in theirs)."""
    return None if x.dtype.kind in "mM" else x.dtype


register(Op.SUM, "reduce", lambda x, axes: np.sum(x, axis=axes, dtype=_loop_dtype(x)),
         _infer_reduce,
         vjp=lambda g, o, x, axes: (_expand(g, axes, x.shape),))
register(Op.PROD, "reduce", lambda x, axes: np.prod(x, axis=axes, dtype=x.dtype), _infer_reduce,
         vjp=_vjp_prod)
register(Op.MAX, "reduce", lambda x, axes, needs_identity: np.max(x, axis=axes), _infer_reduce,
         vjp=_vjp_extremum)
register(Op.MIN, "reduce", lambda x, axes, needs_identity: np.min(x, axis=axes), _infer_reduce,
         vjp=_vjp_extremum)
register(Op.ARGMAX, "reduce", lambda x, axis: np.argmax(x, axis=axis), _infer_arg, nondiff=True)
register(Op.ARGMIN, "reduce", lambda x, axis: np.argmin(x, axis=axis), _infer_arg, nondiff=True)
register(Op.CUMSUM, "scan", lambda x, axis: np.cumsum(x, axis=axis, dtype=x.dtype), _infer_scan,
         vjp=lambda g, o, x, axis: (_rev_cumsum(g, axis),))
register(Op.CUMPROD, "scan", lambda x, axis: np.cumprod(x, axis=axis, dtype=x.dtype),
         _infer_scan,
         vjp=_vjp_cumprod)

EXTREMA = ("maximum", "minimum", "fmax", "fmin")


def _vjp_accumulate(g, o, x, axis, ufunc):
    """A running extremum copies one element into each result: the last one at or before it
    that equals the running value then. The other accumulations (bitwise, logical, gcd) are
    of integers and booleans."""
    if ufunc not in EXTREMA:
        return (None,)
    n = x.shape[axis]
    at = np.arange(n).reshape((n,) + (1,) * (x.ndim - axis - 1))
    copied = np.maximum.accumulate(np.where(x == o, at, 0), axis=axis)
    return (lax.scatter(np.zeros(x.shape, g.dtype), copied, g, axis, "add"),)


register(Op.ACCUMULATE, "scan",  # a commutative ufunc's `accumulate` in its loop dtype
         lambda x, axis, ufunc: getattr(np, ufunc).accumulate(
             x, axis=axis, dtype=None if x.dtype.kind in "mM" else x.dtype),
         _infer_scan, vjp=_vjp_accumulate)


# ----------------------------------------------------------------------------- movement


def _infer_reshape(srcs, p):
    return srcs[0].dtype, resolve_reshape(srcs[0].shape, p["shape"]), srcs[0].weak


def _infer_transpose(srcs, p):
    (x,) = srcs
    perm = p["perm"]
    if sorted(perm) != list(range(x.ndim)):
        raise ValueError("axes don't match array")
    return x.dtype, tuple(x.shape[i] for i in perm), False


def _infer_broadcast(srcs, p):
    (x,) = srcs
    shape = tuple(p["shape"])
    if len(shape) < x.ndim or broadcast_shapes(x.shape, shape) != shape:
        raise ValueError("cannot broadcast a non-scalar to a scalar array"
                         if not shape else
                         f"operands could not be broadcast together with remapped shapes "
                         f"[original->remapped]: {x.shape} and requested shape {shape}")
    return x.dtype, shape, x.weak


def _infer_slice(srcs, p):
    (x,) = srcs
    sl = p["slices"]
    if len(sl) != x.ndim:
        raise ValueError("slice needs one (start, stop, step) per dim")
    return x.dtype, tuple(slice_dim(n, *s) for n, s in zip(x.shape, sl)), False


def _infer_pad(srcs, p):
    (x,) = srcs
    shape = tuple(None if n is None else n + lo + hi for n, (lo, hi) in zip(x.shape, p["widths"]))
    return x.dtype, shape, False


def _infer_concat(srcs, p):
    axis = p["axis"]
    first = srcs[0]
    if all(s.shape == first.shape and s.dtype == first.dtype for s in srcs):  # a loop's writes
        n = None if first.shape[axis] is None else first.shape[axis] * len(srcs)
        return first.dtype, first.shape[:axis] + (n,) + first.shape[axis + 1:], False
    for s in srcs:
        if s.dtype != first.dtype or s.ndim != first.ndim:
            raise ValueError("concat expects equal dtypes and ranks")
        for i, (a, b) in enumerate(zip(s.shape, first.shape)):
            if i != axis and a is not None and b is not None and a != b:
                raise ValueError(
                    "all the input array dimensions except for the concatenation axis must "
                    f"match exactly, but along dimension {i}, the array at index 0 has size {b} "
                    f"and the array at index {srcs.index(s)} has size {a}")
    dims = [s.shape[axis] for s in srcs]
    n = None if None in dims else sum(dims)
    return first.dtype, first.shape[:axis] + (n,) + first.shape[axis + 1:], False


def _ref_slice(x, slices):
    return x[tuple(slice(*s) for s in slices)]


def _strided_span(src: tuple, start: tuple, shape: tuple, dims: tuple, steps: tuple):
    """Per dim of the source, the (lowest, highest) index a strided view reads; None if it
    reads nothing (an extent is 0)."""
    if 0 in shape:
        return None
    lo, hi = list(start), list(start)
    for n, d, s in zip(shape, dims, steps):
        (hi if s > 0 else lo)[d] += (n - 1) * s
    return list(zip(lo, hi))


def _infer_strided(srcs, p):
    (x,) = srcs
    start, shape, dims, steps = p["start"], p["shape"], p["dims"], p["steps"]
    if None in x.shape or len(start) != x.ndim or len(dims) != len(shape) or \
            len(steps) != len(shape) or not all(0 <= d < x.ndim for d in dims):
        raise ValueError("a strided view needs a start per dim of a known shape, and a dim "
                         "and a step per dim of its own")
    span = _strided_span(x.shape, start, shape, dims, steps)
    if span is not None and not all(0 <= a and b < n for (a, b), n in zip(span, x.shape)):
        raise ValueError("a strided view reaches outside its array")
    return x.dtype, tuple(shape), False


def _ref_strided(x, start, shape, dims, steps):
    """The read-only view NumPy's `as_strided` makes (its windows share elements), by the
    ndarray constructor where the array's memory is one block (8 us a call by `as_strided`,
    3 by the constructor: the CPU plan makes such views at each call)."""
    if 0 in shape:
        return np.empty(shape, x.dtype)
    x = np.asarray(x)
    st = x.strides
    strides = tuple(s * st[d] for d, s in zip(dims, steps))
    if x.flags.c_contiguous or x.flags.f_contiguous:
        v = np.ndarray(shape, x.dtype, x, sum(a * n for a, n in zip(start, st)), strides)
        v.flags.writeable = False
        return v
    first = x[tuple(slice(a, None) for a in start)]
    return np.lib.stride_tricks.as_strided(first, shape, strides, writeable=False)


def strided_positions(src: tuple, start: tuple, shape: tuple, dims: tuple, steps: tuple):
    """The C-order position in the source of each element of a strided view of it."""
    c = tuple(math.prod(src[d + 1:]) for d in range(len(src)))
    flat = np.full(shape, sum(a * k for a, k in zip(start, c)), np.intp)
    for k, (n, d, s) in enumerate(zip(shape, dims, steps)):
        flat += (np.arange(n, dtype=np.intp) * (s * c[d])).reshape(
            (-1,) + (1,) * (len(shape) - k - 1))
    return flat


def _vjp_strided(g, o, x, start, shape, dims, steps):
    """Each element of `x` gets the cotangents of every window element that reads it."""
    at = strided_positions(x.shape, start, shape, dims, steps).reshape(-1)
    flat = lax.scatter(np.zeros(x.size, g.dtype), at, np.reshape(g, -1), 0, "add")
    return (np.reshape(flat, x.shape),)


def _ref_pad(x, widths, value):
    return np.pad(x, widths, constant_values=value)


def _vjp_slice(g, o, x, slices):
    return (lax.slice_set(np.zeros(x.shape, g.dtype), g, slices),)


def _vjp_pad(g, o, x, widths, value):
    return (lax.slice_of(g, tuple((lo, lo + n, 1) for (lo, hi), n in zip(widths, x.shape))),)


def _vjp_concat(g, o, *xs, axis):
    out, start = [], 0
    for x in xs:
        n = x.shape[axis]
        bounds = tuple((start, start + n, 1) if i == axis else (None, None, None)
                       for i in range(g.ndim))
        out.append(lax.slice_of(g, bounds))
        start += n
    return tuple(out)


register(Op.RESHAPE, "movement", lambda x, shape: np.reshape(x, shape), _infer_reshape,
         vjp=lambda g, o, x, shape: (np.reshape(g, x.shape),))
register(Op.TRANSPOSE, "movement", lambda x, perm: np.transpose(x, perm), _infer_transpose,
         vjp=lambda g, o, x, perm: (np.transpose(g, np.argsort(perm)),))
register(Op.BROADCAST, "movement", lambda x, shape: np.broadcast_to(x, shape), _infer_broadcast,
         vjp=lambda g, o, x, shape: (g,))  # autodiff unbroadcasts like any elementwise rule
register(Op.SLICE, "movement", _ref_slice, _infer_slice, vjp=_vjp_slice)
register(Op.STRIDED, "movement", _ref_strided, _infer_strided, vjp=_vjp_strided)
register(Op.PAD, "movement", _ref_pad, _infer_pad, vjp=_vjp_pad)
register(Op.CONCAT, "movement", lambda *xs, axis: np.concatenate(xs, axis=axis), _infer_concat,
         vjp=_vjp_concat)


# ----------------------------------------------------------------------------- indexing


def gather_shape(x_shape, idx_shape, axis):
    return broadcast_shapes(x_shape[:axis] + (1,) + x_shape[axis + 1:], idx_shape)[:axis] + (
        idx_shape[axis],) + broadcast_shapes(x_shape[axis + 1:], idx_shape[axis + 1:])


def _infer_gather(srcs, p):
    x, idx = srcs
    axis = p["axis"]
    if idx.dtype != np.intp or idx.ndim != x.ndim:
        raise TypeError("gather expects intp indices of the operand's rank")
    lead = broadcast_shapes(x.shape[:axis], idx.shape[:axis])
    trail = broadcast_shapes(x.shape[axis + 1:], idx.shape[axis + 1:])
    return x.dtype, lead + (idx.shape[axis],) + trail, False


def _infer_scatter(srcs, p):
    x, idx, upd = srcs
    if idx.dtype != np.intp or upd.dtype != x.dtype or idx.ndim != x.ndim:
        raise TypeError("scatter expects (T, intp, T) of one rank")
    broadcast_shapes(idx.shape, upd.shape)
    return x.dtype, x.shape, False


@functools.lru_cache(maxsize=256)
def _aranges(x_shape: tuple, axis: int) -> tuple:
    """`np.arange` of each dim but `axis`, shaped to broadcast in its place: made once per
    shape (read-only), not on every gather and scatter."""
    nd = len(x_shape)
    t = []
    for d in range(nd):
        r = np.arange(x_shape[d]).reshape((-1,) + (1,) * (nd - d - 1))
        r.flags.writeable = False
        t.append(r)
    return tuple(t)


def _rows_index(x_shape: tuple, idx_shape: tuple, axis: int):
    """For an index of size 1 on every dim but `axis` (rows taken whole: `W[ids]`,
    `np.add.at(dW, ids, g)`), the maker of the plain index `(:, ..., :, ids)` and the shape
    it selects; else None. NumPy's fancy indexing by one array is 3x as fast as by a
    broadcast tuple."""
    if len(idx_shape) != len(x_shape) or any(n != 1 for d, n in enumerate(idx_shape)
                                             if d != axis):
        return None
    lead = (slice(None),) * axis
    shape = tuple(x_shape[:axis]) + (idx_shape[axis],) + tuple(x_shape[axis + 1:])
    if axis == 0 and len(idx_shape) == 1:
        return (lambda idx: idx), shape
    return (lambda idx: (*lead, idx.reshape(-1))), shape


def _broadcast_index(x_shape: tuple, idx_shape: tuple, axis: int, upd_shape: tuple = ()):
    """The maker of the index tuple that makes `x[t]` take_along_axis with broadcasting, the
    other dims' aranges made once; as wide as the updates where they are wider."""
    others = _aranges(tuple(x_shape), axis)
    shape = broadcast_shapes(*(np.shape(i) for i in others[:axis] + others[axis + 1:]),
                             idx_shape)
    wide = broadcast_shapes(shape, upd_shape)
    if wide != shape:  # updates wider than the index: NumPy broadcasts only them
        lead = tuple(np.broadcast_to(i, wide) for i in others[:axis])
        trail = tuple(np.broadcast_to(i, wide) for i in others[axis + 1:])
        return lambda idx: (*lead, np.broadcast_to(idx, wide), *trail)
    lead, trail = others[:axis], others[axis + 1:]
    return lambda idx: (*lead, idx, *trail)


def gather_index(x_shape: tuple, idx_shape: tuple, axis: int) -> Callable:
    """The maker of the index `t` with `x[t]` a gather's value, from the shapes alone: the
    reference decides it per call, a prepared CPU step once (`lowering/library_steps`)."""
    rows = _rows_index(x_shape, idx_shape, axis)
    return rows[0] if rows else _broadcast_index(x_shape, idx_shape, axis)


def scatter_index(x_shape: tuple, idx_shape: tuple, upd_shape: tuple, axis: int) -> Callable:
    """The maker of the index `t` a scatter sets or adds `upd` at (`out[t] = upd`)."""
    rows = _rows_index(x_shape, idx_shape, axis)
    if rows and broadcast_shapes(rows[1], upd_shape) == rows[1]:
        return rows[0]
    return _broadcast_index(x_shape, idx_shape, axis, upd_shape)


def _ref_gather(x, idx, axis):
    return x[gather_index(x.shape, np.shape(idx), axis)(idx)]


def _ref_scatter(x, idx, upd, axis, mode):
    out = np.array(x, copy=True)
    t = scatter_index(x.shape, np.shape(idx), np.shape(upd), axis)(idx)
    if mode == "add":
        np.add.at(out, t, upd)
    else:
        out[t] = upd
    return out


def _infer_slice_set(srcs, p):
    x, v = srcs
    want = tuple(slice_dim(n, *s) for n, s in zip(x.shape, p["slices"]))
    if v.dtype != x.dtype or broadcast_shapes(v.shape, want) != want:
        raise ValueError(f"could not broadcast input array from shape {v.shape} into shape {want}")
    return x.dtype, x.shape, False


def _ref_slice_set(x, v, slices):
    out = np.array(x, copy=True)
    out[tuple(slice(*s) for s in slices)] = v
    return out


register(Op.GATHER, "index", _ref_gather, _infer_gather,
         vjp=lambda g, o, x, idx, axis: (
             lax.scatter(np.zeros(x.shape, g.dtype), idx, g, axis, "add"), None))
def _vjp_scatter(g, o, x, idx, upd, axis, mode):
    """"add": every update gets its cotangent. "set": the overwritten elements of `x` get
    none, and of updates aimed at one element only the one NumPy keeps (the last) does."""
    at_idx = lax.gather(g, idx, axis)
    if mode == "add":
        return g, None, at_idx
    shape = broadcast_shapes(at_idx.shape, upd.shape)
    cleared = lax.scatter(g, idx, np.zeros((), g.dtype), axis, "set")
    if None in shape:  # symbolic shapes: no serial numbers to tell repeated indices apart
        return cleared, None, at_idx
    serial = np.reshape(np.arange(math.prod(shape), dtype=np.float64), shape)
    written = lax.scatter(np.full(x.shape, -1.0), idx, serial, axis, "set")
    kept = lax.gather(written, idx, axis) == serial
    return cleared, None, np.where(kept, at_idx, 0)


register(Op.SCATTER, "index", _ref_scatter, _infer_scatter, vjp=_vjp_scatter)
register(Op.SLICE_SET, "index", _ref_slice_set, _infer_slice_set,
         vjp=lambda g, o, x, v, slices: (lax.slice_set(g, np.zeros((), g.dtype), slices),
                                         lax.slice_of(g, slices)))


# ----------------------------------------------------------------------------- contractions


def _infer_matmul(srcs, p):
    a, b = srcs
    if a.dtype != b.dtype or a.ndim < 2 or b.ndim < 2:
        raise TypeError("matmul primitive expects two arrays of one dtype and rank >= 2")
    if a.shape[-1] is not None and b.shape[-2] is not None and a.shape[-1] != b.shape[-2]:
        raise ValueError(
            f"matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
            f"signature (n?,k),(k,m?)->(n?,m?) (size {b.shape[-2]} is different from "
            f"{a.shape[-1]})")
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return a.dtype, batch + (a.shape[-2], b.shape[-1]), False


def _infer_einsum(srcs, p):
    ins, out = p["spec"].split("->")
    sizes: dict[str, int | None] = {}
    for term, s in zip(ins.split(","), srcs):
        if len(term) != s.ndim:
            raise ValueError(f"einsum: operand has {s.ndim} dims, subscripts {term!r}")
        for ch, n in zip(term, s.shape):
            old = sizes.get(ch)
            if old not in (None, 1) and n not in (None, 1) and old != n:
                raise ValueError(f"einsum: size of label {ch!r} does not match ({old} vs {n})")
            if old in (None, 1):
                sizes[ch] = n if old is None or n not in (None,) else old
    dtype = srcs[0].dtype
    if any(s.dtype != dtype for s in srcs):
        raise TypeError("einsum primitive expects operands of one dtype")
    return dtype, tuple(sizes[ch] for ch in out), False


def _vjp_matmul(g, o, a, b):
    return (np.matmul(g, np.swapaxes(b, -1, -2)), np.matmul(np.swapaxes(a, -1, -2), g))


def _vjp_einsum(g, o, *xs, spec):
    ins, out = spec.split("->")
    terms = ins.split(",")
    grads = []
    for i, (term, x) in enumerate(zip(terms, xs)):
        if not np.issubdtype(x.dtype, np.inexact):
            grads.append(None)
            continue
        others = [t for j, t in enumerate(terms) if j != i]
        have = set(out).union(*others) if others else set(out)
        kept = "".join(ch for ch in dict.fromkeys(term) if ch in have)
        rest = (xs[j] for j in range(len(xs)) if j != i)
        r = np.einsum(",".join([out] + others) + "->" + kept, g, *rest)
        if kept != term:  # labels only this operand has, or repeated ones
            r = _einsum_expand(r, kept, term, x.shape)
        grads.append(r)
    return tuple(grads)


def _einsum_expand(r, kept, term, shape):
    """Lay out `r` (labels `kept`) as an operand with labels `term`.

    Labels only that operand has are broadcast; a repeated label (`ii`) puts
    `r` on the diagonal, zeros elsewhere.
    """
    first: dict[str, int] = {}
    for i, ch in enumerate(term):
        first.setdefault(ch, i)
    r = np.transpose(r, [kept.index(ch) for ch in first if ch in kept])
    for i, ch in enumerate(term):
        if ch not in kept or first[ch] != i:
            r = np.expand_dims(r, i)
    r = np.broadcast_to(r, shape)
    for i, ch in enumerate(term):
        q = first[ch]
        if q != i:
            mask = [1] * len(term)
            mask[q] = mask[i] = shape[i]
            r = r * np.reshape(np.eye(shape[i], dtype=r.dtype), mask)
    return r


register(Op.MATMUL, "contract", np.matmul, _infer_matmul, vjp=_vjp_matmul)
register(Op.EINSUM, "contract", lambda *xs, spec: np.einsum(spec, *xs, optimize=True),
         _infer_einsum, vjp=_vjp_einsum)


# ----------------------------------------------------------------------------- library steps


def _infer_sort(srcs, p):
    x = srcs[0]
    return (np.intp if p.get("arg") else x.dtype), x.shape, False


def _vjp_sort(g, o, x, axis):
    perm = np.argsort(x, axis=axis)
    return (lax.scatter(np.zeros(x.shape, g.dtype), perm, g, axis, "add"),)


register(Op.SORT, "library", lambda x, axis: np.sort(x, axis=axis, kind="stable"), _infer_sort,
         vjp=_vjp_sort)
register(Op.ARGSORT, "library",  # arg="stable" when asked for; else NumPy's default order of ties
         lambda x, axis, arg: np.argsort(x, axis=axis, kind="stable" if arg == "stable" else None),
         _infer_sort, nondiff=True)


def _vjp_partition(g, o, x, kth, axis):
    perm = lax.bind(Op.ARGPARTITION, x, kth=kth, axis=axis)
    return (lax.scatter(np.zeros(x.shape, g.dtype), perm, g, axis, "add"),)


def _infer_partition(srcs, p):
    x = srcs[0]
    n = x.shape[p["axis"]]
    for k in p["kth"]:
        if not -n <= k < n:
            raise ValueError(f"kth(={k}) out of bounds ({n})")
    return x.dtype, x.shape, False


register(Op.PARTITION, "library", lambda x, kth, axis: np.partition(x, kth, axis=axis),
         _infer_partition, vjp=_vjp_partition)
register(Op.ARGPARTITION, "library", lambda x, kth, axis: np.argpartition(x, kth, axis=axis),
         lambda srcs, p: (np.dtype(np.intp),) + _infer_partition(srcs, p)[1:], nondiff=True)



def _infer_searchsorted(srcs, p):
    a, v = srcs
    if a.ndim != 1 or a.dtype != v.dtype:
        raise TypeError(f"searchsorted: a 1-d array and values of its dtype, not {a.dtype}"
                        f"{a.shape} and {v.dtype}{v.shape}")
    return np.dtype(np.intp), v.shape, False


register(Op.SEARCHSORTED, "library", lambda a, v, side: np.searchsorted(a, v, side=side),
         _infer_searchsorted, nondiff=True)


def _infer_correlate(srcs, p):
    a, v = srcs
    if a.ndim != 1 or v.ndim != 1 or a.dtype != v.dtype:
        raise TypeError(f"correlate: two 1-d arrays of one dtype, not {a.dtype}{a.shape} and "
                        f"{v.dtype}{v.shape}")
    n, m = a.shape[0], v.shape[0]
    return a.dtype, (None if None in (n, m) else n + m - 1,), False


def _vjp_correlate(g, o, a, v):
    """c[k] = sum_j a[k + j - (m - 1)] v[j] is linear in each: its transposes are
    correlations of `g` too (with `v` reversed for `a`, with `a` for `v`, reversed)."""
    n, m = a.shape[0], v.shape[0]
    return (lax.bind(Op.CORRELATE, g, v[::-1])[m - 1:m - 1 + n],
            lax.bind(Op.CORRELATE, g, a)[n - 1:n + m - 1][::-1])


# the full correlation without conjugating `v` (np.correlate conjugates it before): as a
# convolution with `v` reversed, NumPy's loop over the overlaps only (no 0 * inf padding)
register(Op.CORRELATE, "library", lambda a, v: np.convolve(a, v[::-1]), _infer_correlate,
         vjp=_vjp_correlate)

from .fft_ops import infer_fft, ref_fft, vjp_fft  # noqa: E402
from .linalg_ops import LINALG, infer_linalg, ref_linalg, vjp_linalg  # noqa: E402

register(Op.FFT, "library", ref_fft, infer_fft, vjp=vjp_fft)

register(Op.LINALG, "library", ref_linalg, infer_linalg, vjp=vjp_linalg)

from .host_ops import infer_host, ref_host, vjp_host  # noqa: E402

# a library function (SciPy's filters, transforms, special functions) run on the values when
# the compiled function runs; params `call` (a `host_ops.HostCall`), `out` and the `dtype` and
# `shape` found while tracing. Its gradient is a rule the call holds, else an error naming the
# function (`host_ops.NoGradient`)
register(Op.HOST, "library", ref_host, infer_host, vjp=vjp_host)

# VJP rules build graph through the tracer-level primitive wrappers; bound last
# because those wrappers import the IR, which imports this registry.
from . import lax  # noqa: E402
from .random_draws import infer_draw, ref_draw, vjp_draw  # noqa: E402

register(Op.DRAW, "effect", ref_draw, infer_draw, vjp=vjp_draw)

from .errors import DataDependentShapeError, PythonIntOverflowError  # noqa: E402

CHECK_ERRORS = {"ValueError": ValueError, "IndexError": IndexError, "TypeError": TypeError,
                "ZeroDivisionError": ZeroDivisionError, "OverflowError": OverflowError,
                "LinAlgError": np.linalg.LinAlgError,
                "DataDependentShapeError": DataDependentShapeError,
                "PythonIntOverflowError": PythonIntOverflowError}  # the last two: NumPy's
# result would have another shape or type than the traced one (`jit(fallback=True)` runs
# that call eagerly)


def _ref_check(failed, error: str, message: str) -> np.ndarray:
    """NumPy's error, raised when the function runs, where it refuses a value the traced code
    only knows then (the max of an empty selection): kernels cannot raise, so a check is a
    step of its own, an extra output of the graph that nothing else reads."""
    if failed:
        raise CHECK_ERRORS[error](message)
    return np.asarray(failed)


def _infer_check(srcs, p):
    (failed,) = srcs
    if failed.dtype != np.bool_ or failed.shape != () or p["error"] not in CHECK_ERRORS:
        raise TypeError("check primitive expects a boolean scalar and a known error type")
    return failed.dtype, (), False


register(Op.CHECK, "effect", _ref_check, _infer_check, nondiff=True)

__all__ = ["Op", "OpDef", "OPS", "LINALG", "UNARY_UFUNCS", "BINARY_UFUNCS"]
