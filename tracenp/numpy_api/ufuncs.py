"""Ufunc calls on tracers: dtype resolution (NEP 50), `out=`, `where=`, and the ufunc methods.

Every ufunc call resolves its loop with NumPy's own `ufunc.resolve_dtypes`,
passing Python scalars as their Python types so NEP 50's weak promotion
applies, then casts the operands to the loop's dtypes; the elementwise node
itself is always a plain loop call.
"""

from __future__ import annotations

import sys

import numpy as np

from .. import errors, ir, lax
from ..ops import Op
from ..shapes import normalize_axes, normalize_axis
from ..tracer import Tracer
from . import implements, scipy_host
from .masked import MaskedSelection
from .masked_arrays import TracedMaskedArray

# ufuncs that are another ufunc by another name
ALIASES = {"degrees": "rad2deg", "radians": "deg2rad", "true_divide": "divide"}
PY_SCALARS = (bool, int, float, complex)
_np_asarray = np.asarray  # NumPy's own, not the tracing-time replacement


def defer_to(other) -> bool:
    """True where a binary operator should return NotImplemented (the other side opts out, or
    is a masked selection, an np.ma masked array or a scipy.sparse matrix, whose reflected
    operators handle tracers, as NumPy defers to the sparse one's `__array_priority__`)."""
    return getattr(type(other), "__array_ufunc__", 0) is None or isinstance(
        other, (MaskedSelection, TracedMaskedArray)) or \
        type(other).__module__.startswith("scipy.sparse.")


def _dtype_arg(x):
    """What `resolve_dtypes` should see for operand `x`: a dtype, or a Python type if weak (a
    weak bool as `np.bool_`, which is how NumPy takes a Python bool)."""
    if lax.is_tracer(x):
        if x.weak:
            return {np.dtype(bool): np.dtype(bool), np.dtype(np.int64): int,
                    np.dtype(np.float64): float, np.dtype(np.complex128): complex}[x.dtype]
        return x.dtype
    if type(x) is bool:  # Python bools are not weak: they are np.bool_
        return np.dtype(bool)
    if type(x) in PY_SCALARS:
        return type(x)
    return _np_asarray(x).dtype


@implements(np.result_type)
def result_type(*arrays_and_dtypes):
    """NumPy's promotion of the operands' dtypes; a traced Python scalar stays weak (NEP 50)."""
    weak_values = {np.dtype(bool): False, int: 0, float: 0.0, complex: 0j}
    args = [weak_values[_dtype_arg(a)] if lax.is_tracer(a) and a.weak
            else a.dtype if lax.is_tracer(a) else a for a in arrays_and_dtypes]
    return np.result_type(*args)


def _operand(x, dtype, keep_weak=False):
    """`x` as a loop operand of `dtype`; with `keep_weak`, Python scalars stay weak (NEP 50:
    an operation between Python scalars gives a Python scalar)."""
    if keep_weak:
        if lax.is_tracer(x):
            return x if x.dtype == dtype else lax.cast(x, dtype)
        return Tracer(ir.const(np.asarray(x, dtype=dtype), weak=True))
    if lax.is_tracer(x):
        return lax.cast(x, dtype)
    return lax.lift(np.asarray(x, dtype=dtype))


def _is_weak(x) -> bool:
    if lax.is_tracer(x):
        return x.weak
    return type(x) in (int, float, complex)  # NumPy scalars (np.float64 too) are strong


def resolve(ufunc: np.ufunc, args, dtype=None, signature=None, casting="same_kind"):
    """The loop dtypes NumPy would pick for `ufunc(*args, dtype=..., casting=...)`."""
    dts = tuple(_dtype_arg(a) for a in args) + (None,) * ufunc.nout
    if signature is None and dtype is not None:
        signature = (None,) * ufunc.nin + (np.dtype(dtype),) * ufunc.nout
    if all(d is int for d in dts[: ufunc.nin]):  # NumPy compares Python ints as objects
        dts = (np.dtype(np.int64),) * ufunc.nin + dts[ufunc.nin:]
    try:
        if signature is None:
            return ufunc.resolve_dtypes(dts, casting=casting)
        return ufunc.resolve_dtypes(dts, signature=signature, casting=casting)
    except TypeError as e:  # NumPy's own UFuncTypeError, with NumPy's message
        if ufunc.__name__ in ("equal", "not_equal") and any(
                isinstance(d, np.dtype) and d.names for d in dts):
            raise errors.unsupported(f"np.{ufunc.__name__} of structured arrays "
                                     "(NumPy compares them field by field)") from None
        raise e.with_traceback(None) from None


_COMPARISONS = {"less": lambda a, b: a < b, "less_equal": lambda a, b: a <= b,
                "greater": lambda a, b: a > b, "greater_equal": lambda a, b: a >= b,
                "equal": lambda a, b: a == b, "not_equal": lambda a, b: a != b}


def _out_of_range_comparison(ufunc, args):
    """NumPy 2 compares an integer array with an out-of-range Python int exactly; the answer
    is then the same for every element. None when that is not the case."""
    cmp = _COMPARISONS.get(ufunc.__name__)
    if cmp is None or len(args) != 2:
        return None
    for i, (a, c) in enumerate((args, args[::-1])):
        if not (isinstance(c, int) and not isinstance(c, bool)) or _dtype_arg(a) is int:
            continue
        dt = lax.lift(a).dtype
        if dt.kind not in "iu":
            continue
        info = np.iinfo(dt)
        if info.min <= c <= info.max:
            continue
        inside = info.max if c > info.max else info.min
        value = cmp(inside, c) if i == 0 else cmp(c, inside)
        return lax.broadcast_to(lax.lift(np.bool_(value)), lax.lift(a).shape)
    return None


def _exact_against_traced_int(ufunc, args):
    """A traced Python int compared with a narrower integer array may be out of its range,
    which NumPy 2 compares exactly (`uint8_image > t` with t = 300 is all False): both are
    compared in int64, which is exact for every value. Against a uint64 array (`h > t` with
    t = -1) the int is compared as an int64 by NumPy's exact mixed-sign loop."""
    if ufunc.__name__ not in _COMPARISONS or len(args) != 2 or not any(
            lax.is_tracer(a) and a.weak and a.dtype == np.int64 for a in args):
        return args

    def strong_dtype(a):
        if lax.is_tracer(a) and a.weak or not (lax.is_tracer(a) or isinstance(a, np.ndarray)):
            return None
        return lax.lift(a).dtype

    if any(strong_dtype(a) == np.uint64 for a in args):
        return tuple(lax.cast(a, np.int64) if strong_dtype(a) is None else a for a in args)

    def narrow(a):
        dt = strong_dtype(a)
        return dt is not None and dt.kind in "iu" and dt.itemsize < 8

    return tuple(lax.cast(lax.lift(a), np.int64) if narrow(a) else a for a in args)


def _check_python_ints_fit(args, loop) -> None:
    """NumPy 2 raises OverflowError for a Python int outside the range of the integer loop it
    joins (`uint8_image + k` with k = 300, `x_u8 - (-1)`): a traced one (an int argument) is
    checked when the function runs. In a float loop (`x_i8 / k`) it converts exactly."""
    for a, dt in zip(args, loop):
        if lax.is_tracer(a) and a.weak and a.dtype.kind in "iu" and dt.kind in "iu" \
                and dt != a.dtype:
            info = np.iinfo(dt)
            outside = np.less(a, info.min)
            if info.max < np.iinfo(a.dtype).max:  # (uint64 holds every int64 above 0)
                outside = np.logical_or(outside, np.greater(a, info.max))
            lax.check(outside, "OverflowError", f"Python integer out of bounds for {dt}")


def _python_operands(ufunc: np.ufunc, args, dtype):
    """An operator on Python scalars only (traced ones included) follows Python, not NumPy: a
    bool is an int in arithmetic (`flag + 1` is 2, `-flag` is -1, `True + flag` is 2, not
    NumPy's logical or), but stays a bool in `&`, `|`, `^` of bools; an int to a negative int
    literal power is a float (`k ** -1`)."""

    def is_bool(a):
        return type(a) is bool or (lax.is_tracer(a) and a.dtype == np.bool_)

    if not (ufunc.__name__ in ("bitwise_and", "bitwise_or", "bitwise_xor")
            and all(is_bool(a) for a in args)):
        args = tuple((lax.cast(a, np.int64) if lax.is_tracer(a) else int(a)) if is_bool(a)
                     else a for a in args)
    if ufunc.__name__ == "power" and dtype is None and type(args[1]) is int and args[1] < 0 \
            and _dtype_arg(args[0]) is int:
        dtype = np.float64
    return args, dtype


def _refuse_objects_of_traced_values(operands) -> None:
    """An object array (of Python objects: `np.polynomial` series, `slice(None)`) meets values
    known only when the function runs: NumPy calls each item's Python operators, which a
    compiled loop cannot; with constants alone (`k != slice(None)` of a constant index) NumPy
    computes it while tracing."""
    if any(o.dtype == object for o in operands) and any(
            o.constant_value() is None for o in operands):
        raise errors.unsupported("An object array (dtype=object, of Python objects such as "
                                 "np.polynomial series) as an operand of traced arithmetic")


def _loop_call(ufunc: np.ufunc, args, dtype=None, signature=None, operator=False,
               casting="same_kind"):
    exact = _out_of_range_comparison(ufunc, args)
    if exact is not None and dtype is None and signature is None:
        return (exact,)
    if dtype is None and signature is None:
        args = _exact_against_traced_int(ufunc, args)
    keep_weak = operator and all(_is_weak(a) or type(a) is bool for a in args)
    if keep_weak:
        args, dtype = _python_operands(ufunc, args, dtype)
    loop = resolve(ufunc, args, dtype, signature, casting)
    _check_python_ints_fit(args, loop[: ufunc.nin])
    operands = [_operand(a, dt, keep_weak) for a, dt in zip(args, loop[: ufunc.nin])]
    _refuse_objects_of_traced_values(operands)
    name = ALIASES.get(ufunc.__name__, ufunc.__name__).upper()
    if name not in Op.__members__:  # a ufunc from another library (scipy.special.expit)
        raise errors.unsupported(f"The ufunc {ufunc.__name__!r} (not one of NumPy's)")
    op = Op[name]
    if ufunc.nout == 1:
        outs = (lax.bind(op, *operands),)
    else:
        outs = tuple(lax.bind(op, *operands, out=k) for k in range(ufunc.nout))
    if not operator:
        outs = tuple(o if not o.weak else lax.cast(o, o.dtype) for o in outs)
    return outs


NAT = np.iinfo(np.int64).min  # NaT's int64 value


def isnat(x):
    """`np.isnat`: a datetime or timedelta whose int64 value is NaT's."""
    x = lax.lift(x)
    if x.dtype.kind not in "mM":
        raise TypeError("ufunc 'isnat' is only defined for np.datetime64 and np.timedelta64.")
    return np.equal(lax.cast(x, np.int64), NAT)


# ufuncs that set no floating-point error flag, whatever the values
_QUIET = frozenset("equal not_equal less less_equal greater greater_equal logical_and logical_or "
                   "logical_xor logical_not bitwise_and bitwise_or bitwise_xor invert left_shift "
                   "right_shift isnan isinf isfinite isnat signbit negative positive absolute "
                   "maximum minimum fmax fmin copysign sign conjugate".split())


def _refuse_raising_errors(ufunc: np.ufunc) -> None:
    """Under `np.errstate(divide="raise")` (or `np.seterr`) NumPy raises FloatingPointError
    when the values trip the flag; the compiled function computes inf, nan or 0 there, so the
    form is refused by name (`fallback=True` runs NumPy, which raises or not by the data)."""
    if ufunc.__name__ not in _QUIET and "raise" in np.geterr().values():
        raise errors.unsupported(
            f"np.{ufunc.__name__} where floating-point errors raise (np.errstate(...='raise') "
            "or np.seterr: NumPy raises FloatingPointError or not by the values)")


def _in_float64(fn):
    """A composition computed in float64 (CPython's formulas, `mathfuncs`), its result in
    the loop's dtype: SciPy's float32 loops compute in double too."""
    def composed(*args):
        return lax.cast(fn(*(lax.cast(a, np.float64) for a in args)), args[0].dtype)

    return composed


def _special(name: str):
    def call(*args):
        from . import mathfuncs

        return getattr(mathfuncs, name)(*args)

    return call


# scipy.special ufuncs that are NumPy ufuncs composed as scipy computes them, in the loop's
# dtype (real loops only: a complex loop is SciPy's, run by the host)
_SCIPY_SPECIAL = {
    "expit": lambda x: 1 / (1 + np.exp(-x)),
    "logit": lambda x: np.log(x / (1 - x)),
    "xlogy": lambda x, y: np.where((x == 0) & ~np.isnan(y), lax.cast(lax.lift(0), x.dtype),
                                   x * np.log(y)),
    "gammaln": _in_float64(_special("scipy_gammaln")),
    "erf": _in_float64(_special("math_erf")),
    "erfc": _in_float64(_special("math_erfc")),
    "ndtr": _in_float64(lambda x: 0.5 * _special("math_erfc")(-x / np.sqrt(2.0))),
    "log_ndtr": _in_float64(_special("scipy_log_ndtr")),
    "ndtri": _in_float64(_special("scipy_ndtri")),
    "gamma": _in_float64(_special("scipy_gamma")),
    "loggamma": _in_float64(_special("scipy_loggamma")),
    "betaln": _in_float64(_special("scipy_betaln")),
    "i0e": _in_float64(_special("scipy_i0e")),
    "xlog1py": lambda x, y: np.where((x == 0) & ~np.isnan(y), lax.cast(lax.lift(0), x.dtype),
                                     x * np.log1p(y)),
    "entr": lambda x: np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), np.where(
        x == 0, lax.cast(lax.lift(0), x.dtype), np.where(np.isnan(x), x, -np.inf))),
    "rel_entr": lambda x, y: _divergence(x, y, 0.0),
    "kl_div": lambda x, y: _divergence(x, y, 1.0),
}


def _divergence(x, y, linear: float):
    """scipy.special's `rel_entr` (`linear` 0) and `kl_div` (1): `x log(x / y) - x + y` where
    both are positive, `y` where x is 0 and y >= 0, inf elsewhere, NaN of a NaN."""
    both = (x > 0) & (y > 0)
    safe = np.where(both, x / np.where(both, y, 1), 1)
    r = np.where(both, x * np.log(safe) + linear * (y - x),
                 np.where((x == 0) & (y >= 0), linear * y, np.inf))
    return lax.cast(np.where(np.isnan(x) | np.isnan(y), x + y, r), x.dtype)


def _scipy_special(ufunc: np.ufunc):
    """The composition standing for `ufunc` if it is scipy.special's (`expit`), else None."""
    compose = _SCIPY_SPECIAL.get(ufunc.__name__)
    special = sys.modules.get("scipy.special")
    return compose if compose and getattr(special, ufunc.__name__, None) is ufunc else None


def _as_ufunc_result(res):
    """A composition's result as a ufunc returns it: a 0-d value a NumPy scalar
    (`gammaln(5.0)` is an `np.float64`, not a 0-d array)."""
    if isinstance(res, tuple):
        return tuple(_as_ufunc_result(r) for r in res)
    return res.with_returns("scalar") if lax.is_tracer(res) else res


def apply_ufunc(ufunc: np.ufunc, args, out=None, where=True, dtype=None, casting="same_kind",
                signature=None, operator=False, order="K", subok=True):
    """`ufunc(*args, out=..., where=..., dtype=...)` on tracers."""
    _refuse_raising_errors(ufunc)
    if ufunc.signature is not None and not scipy_host.is_special_ufunc(ufunc):
        # NumPy's gufuncs: matmul, vecdot, matvec, vecmat
        from .linalg import gufunc

        if dtype is not None or signature is not None or casting != "same_kind":
            loop = resolve(ufunc, args, dtype, signature, casting)  # np.matmul(a, b, dtype=f4)
            args = tuple(lax.cast(lax.lift(a), dt) for a, dt in zip(args, loop))
        res = gufunc(ufunc, *args)
        return _store(ufunc, (res,), out, True, casting) if out is not None else res
    if ufunc.__name__ == "divmod":
        return (apply_ufunc(np.floor_divide, args, out=None if out is None else out[0]),
                apply_ufunc(np.remainder, args, out=None if out is None else out[1]))
    if ufunc.__name__ == "isnat":
        if out is not None or where is not True:
            raise errors.unsupported("np.isnat with out= or where=")
        return isnat(args[0])
    if ALIASES.get(ufunc.__name__, ufunc.__name__).upper() not in Op.__members__:
        foreign = _scipy_special(ufunc)
        if foreign is not None and len(args) == ufunc.nin and any(
                np.dtype(dt).kind == "c" for dt in resolve(ufunc, args, dtype, casting=casting)):
            foreign = None  # the compositions are of the real loops: `erfc(z)` is SciPy's
        if foreign is not None and out is None and where is True and dtype is None \
                and signature is None and len(args) == ufunc.nin:
            return _as_ufunc_result(foreign(*(lax.cast(lax.lift(a), dt) for a, dt in
                                              zip(args, resolve(ufunc, args, casting=casting)))))
        if foreign is None and len(args) == ufunc.nin and scipy_host.is_special_ufunc(ufunc):
            if out is not None or where is not True or signature is not None:
                raise errors.unsupported(f"scipy.special.{ufunc.__name__} with out=, where= "
                                         "or signature=")
            # no formula here: SciPy's loop, run by the host, in the loop's dtypes
            return _as_ufunc_result(scipy_host.special_ufunc(
                ufunc, [lax.cast(lax.lift(a), dt) for a, dt in
                        zip(args, resolve(ufunc, args, dtype, casting=casting))]))
        if hasattr(np.strings, ufunc.__name__.lstrip("_")):  # np.char.str_len, .startswith
            raise errors.unsupported(f"np.strings.{ufunc.__name__.lstrip('_')} (string "
                                     "functions are not traced)")
        raise errors.unsupported(f"The ufunc {ufunc.__name__!r} (not one of NumPy's, such as "
                                 "scipy.special's or np.frompyfunc's)")
    if len(args) != ufunc.nin:
        raise TypeError(f"{ufunc.__name__}() takes from {ufunc.nin} to {ufunc.nin + ufunc.nout} "
                        f"positional arguments but {len(args)} were given")
    if where is not True:
        args = _masked_inputs(ufunc, args, lax.lift(where, np.bool_))
    outs = _loop_call(ufunc, args, dtype, signature, operator, casting)
    if where is not True:
        base = out if out is not None else tuple(np.zeros(o.shape, o.dtype) for o in outs)
        base = base if isinstance(base, tuple) else (base,)
        outs = tuple(lax.where(lax.lift(where, np.bool_), o, lax.cast(b, o.dtype))
                     for o, b in zip(outs, base))
    if out is not None:
        return _store(ufunc, outs, out, where, casting)
    return outs[0] if ufunc.nout == 1 else outs


# where the derivative of a unary ufunc is finite, if not at 1.0 (`_masked_inputs`)
_MASKED_POINT = {"arcsin": 0.0, "arccos": 0.0, "arctanh": 0.0, "arccosh": 2.0}


def _masked_inputs(ufunc, args, mask):
    """The float operands of a `where=` call, with a point where the ufunc's derivative is
    finite in the positions NumPy does not compute (`np.divide(a, b, out=..., where=b != 0)`,
    `np.log(x, where=x > 0)`). The values there are never used; their gradients are zero
    times the derivative, which at `b == 0` or `x == 0` was NaN and spread through the rest."""
    point = _MASKED_POINT.get(ufunc.__name__, 1.0)
    return tuple(lax.where(mask, a, lax.cast(lax.lift(point), a.dtype))
                 if isinstance(a, Tracer) and a.dtype.kind in "fc" else a for a in args)


def _store(ufunc, results, out, where, casting):
    """Write `results` into the `out=` tracers as NumPy would, and return them."""
    outs = out if isinstance(out, tuple) else (out,)
    for res, target in zip(results, outs):
        if target is None:
            continue
        if not lax.is_tracer(target):
            raise errors.written_into_numpy("through out=")
        if not np.can_cast(res.dtype, target.dtype, casting):
            raise np._core._exceptions._UFuncOutputCastingError(
                ufunc, casting, res.dtype, target.dtype, 0)
        value = lax.broadcast_to(lax.cast(res, target.dtype), target.shape)
        target._assign(value)
    return outs[0] if len(outs) == 1 else outs


# ----------------------------------------------------------------------------- ufunc methods

_REDUCERS = {"add": np.sum, "multiply": np.prod, "maximum": np.max, "minimum": np.min,
             "logical_and": np.all, "logical_or": np.any}
_CUMULATIVE = {"add": np.cumsum, "multiply": np.cumprod}


def reduce(ufunc, x, axis=0, dtype=None, out=None, keepdims=False, initial=np._NoValue,
           where=True):
    name = ufunc.__name__
    kw = {"axis": axis, "keepdims": keepdims, "out": out}
    if initial is not np._NoValue:
        kw["initial"] = initial
    if where is not True:
        kw["where"] = where
    if name in ("add", "multiply"):
        return _REDUCERS[name](x, dtype=dtype, **kw)
    if name in _REDUCERS and dtype is None:
        return _REDUCERS[name](x, **kw)
    x = lax.lift(x)
    axes = normalize_axes(axis, x.ndim)
    if initial is not np._NoValue or where is not True or out is not None:
        raise errors.unsupported(f"np.{name}.reduce with initial=, where= or out=")
    if dtype is not None:  # NumPy casts the input to the loop's dtype unsafely
        x = lax.cast(x, resolve(ufunc, (x, x), dtype, casting="unsafe")[0])
    if name == "arctan2" or (name == "power" and resolve(ufunc, (x, x), dtype)[0].kind in "fc"):
        raise errors.unsupported(f"np.{name}.reduce of floats (NumPy's loop combines the first "
                                 "element with the last only, not every element in turn)")
    for a in sorted(axes, reverse=True):
        if x.shape[a] == 0:
            raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
        fold = _pairwise if name in _COMMUTATIVE else _left_fold
        acc = fold(ufunc, x, a, dtype)
        x = acc if keepdims else np.squeeze(acc, axis=a)
    return x.with_returns("scalar") if x.ndim == 0 else x


# reductions whose order does not matter: combined in halves, log2(n) steps
_COMMUTATIVE = frozenset("bitwise_and bitwise_or bitwise_xor logical_xor fmax fmin gcd lcm "
                         "logical_and logical_or maximum minimum".split())


def _part(x, axis, start, stop):
    return lax.slice_of(x, [(start, stop, 1) if d == axis else (None, None, None)
                            for d in range(x.ndim)])


def _first(ufunc, x, axis, dtype):
    """The first element in the loop's result dtype, as NumPy reduces one element
    (`np.logical_xor.reduce([0.5])` is True)."""
    return lax.cast(_part(x, axis, 0, 1), resolve(ufunc, (x, x), dtype)[ufunc.nin])


def _left_fold(ufunc, x, axis, dtype):
    """NumPy's order: ((x0 op x1) op x2) ..., one step per element."""
    acc = _first(ufunc, x, axis, dtype)
    for i in range(1, x.shape[axis]):
        acc = apply_ufunc(ufunc, (acc, _part(x, axis, i, i + 1)), dtype=dtype)
    return acc


def _pairwise(ufunc, x, axis, dtype):
    """The first half combined with the second, until one element is left (an odd last one
    waits for the next step)."""
    n = x.shape[axis]
    while n > 1:
        h = n // 2
        done = apply_ufunc(ufunc, (_part(x, axis, 0, h), _part(x, axis, h, 2 * h)), dtype=dtype)
        x = lax.concat([done, lax.cast(_part(x, axis, 2 * h, n), done.dtype)], axis) \
            if n % 2 else done
        n = x.shape[axis]
    return x if x.dtype == resolve(ufunc, (x, x), dtype)[ufunc.nin] else \
        _first(ufunc, x, axis, dtype)


def accumulate(ufunc, x, axis=0, dtype=None, out=None):
    name = ufunc.__name__
    if name in _CUMULATIVE:
        res = _CUMULATIVE[name](x, axis=axis, dtype=dtype)
    else:
        x = lax.lift(x)
        axis = normalize_axis(axis, x.ndim)
        loop = resolve(ufunc, (x, x), dtype)[ufunc.nin]
        if loop == np.bool_ and x.dtype != np.bool_ and not name.startswith("logical_"):
            raise errors.unsupported(f"np.{name}.accumulate of non-boolean values")
        res = _scan(ufunc, lax.cast(x, loop), axis, dtype) if name in _COMMUTATIVE else \
            _fold_scan(ufunc, x, axis, dtype)
    if out is not None:
        return _store(ufunc, (res,), out, True, "unsafe")  # as NumPy's methods cast into out=
    return res


def _fold_scan(ufunc, x, axis, dtype):
    """NumPy's order, for ufuncs whose order matters (`np.subtract.accumulate`): each result
    is the previous one combined with the next element."""
    acc = _first(ufunc, x, axis, dtype)
    outs = [acc]
    for i in range(1, x.shape[axis]):
        acc = lax.cast(apply_ufunc(ufunc, (acc, _part(x, axis, i, i + 1)), dtype=dtype),
                       acc.dtype)
        outs.append(acc)
    return lax.concat(outs, axis)


def _scan(ufunc, x, axis, dtype):
    """The inclusive scan of a ufunc whose order does not matter: one op, NumPy's own loop."""
    if dtype is not None:
        x = lax.cast(x, dtype)
    return lax.bind(Op.ACCUMULATE, x, axis=axis, ufunc=ufunc.__name__)


def reduceat(ufunc, x, indices, axis=0, dtype=None, out=None):
    """Segment reductions at concrete `indices` (`np.add.reduceat(x, starts)`): one reduce
    of a slice per index, as NumPy defines them, so the result's length is known."""
    name = ufunc.__name__
    idx = indices.constant_value() if lax.is_tracer(indices) else np.asarray(indices)
    if out is not None:
        return _store(ufunc, (reduceat(ufunc, x, indices if idx is None else idx, axis, dtype),),
                      out, True, "unsafe")
    x = lax.lift(x)
    axis = normalize_axis(axis, x.ndim)
    n = x.shape[axis]
    if idx is None:
        return _reduceat_traced(ufunc, x, indices, axis, dtype)
    idx = [int(i) for i in np.asarray(idx).reshape(-1)]
    for i in idx:
        if not 0 <= i < n:
            raise IndexError(f"index {i} out-of-bounds in {name}.reduceat [0, {n})")
    want = ufunc.reduceat(np.zeros(1, x.dtype), [0], dtype=dtype).dtype
    step = idx[1] - idx[0] if len(idx) > 2 else 0
    if step > 0 and all(b - a == step for a, b in zip(idx, idx[1:])):
        return _reduceat_evenly(ufunc, x, idx, step, axis, dtype, want)
    parts = []
    for k, start in enumerate(idx):
        stop = n if k + 1 == len(idx) else idx[k + 1] if idx[k + 1] > start else start + 1
        part = lax.slice_of(x, [(start, stop, 1) if d == axis else (None, None, None)
                                for d in range(x.ndim)])
        parts.append(lax.cast(reduce(ufunc, part, axis=axis, dtype=dtype, keepdims=True), want))
    if not parts:
        return lax.lift(np.zeros(x.shape[:axis] + (0,) + x.shape[axis + 1:], want))
    return np.concatenate(parts, axis=axis)


def _reduceat_evenly(ufunc, x, idx: list, step: int, axis: int, dtype, want):
    """Segments `step` apart (`np.add.reduceat(hourly, np.arange(0, n, 24))`, daily totals):
    all but the last are one reduction of x reshaped to (segments, step) along `axis`; the
    last runs to the end. One slice and one reduction per segment took 115x NumPy's time at
    3650 segments."""
    k = len(idx) - 1
    body = lax.slice_of(x, [(idx[0], idx[-1], 1) if d == axis else (None, None, None)
                            for d in range(x.ndim)])
    body = lax.reshape(body, x.shape[:axis] + (k, step) + x.shape[axis + 1:])
    tail = lax.slice_of(x, [(idx[-1], None, 1) if d == axis else (None, None, None)
                            for d in range(x.ndim)])
    return np.concatenate([lax.cast(reduce(ufunc, body, axis=axis + 1, dtype=dtype), want),
                           lax.cast(reduce(ufunc, tail, axis=axis, dtype=dtype, keepdims=True),
                                    want)], axis=axis)


# reduceat at traced indices: the value outside a segment that leaves its reduction unchanged
_SEGMENT_FILL = {"add": 0, "multiply": 1, "logical_and": True, "logical_or": False}
_IDEMPOTENT = frozenset("maximum minimum fmax fmin".split())


def _reduceat_traced(ufunc, x, indices, axis, dtype):
    """Segment reductions at traced `indices` (`np.add.reduceat(data, indptr[:-1])`): segment
    k is a mask over the axis, from `indices[k]` to the next index where that is larger (else
    `indices[k]` alone; the last to the end), reduced with a fill that does not change the
    result elsewhere. Its first element is gathered, which checks the bounds as NumPy does.
    The cost is len(indices) times the axis length."""
    name = ufunc.__name__
    if name not in _SEGMENT_FILL and name not in _IDEMPOTENT:
        raise errors.unsupported(f"np.{name}.reduceat with traced indices")
    indices = lax.lift(indices)
    if not np.can_cast(indices.dtype, np.intp, "safe"):
        raise TypeError(f"Cannot cast array data from {indices.dtype!r} to "
                        f"{np.dtype(np.intp)!r} according to the rule 'safe'")
    if indices.ndim != 1:
        raise ValueError("object too deep for desired array")
    n, m = x.shape[axis], indices.shape[0]
    want = ufunc.reduceat(np.zeros(1, x.dtype), [0], dtype=dtype).dtype
    if m == 0:
        return lax.lift(np.zeros(x.shape[:axis] + (0,) + x.shape[axis + 1:], want))
    start = lax.cast(indices, np.intp)
    start = np.where(start < 0, n, start)  # NumPy's IndexError for negative indices too
    after = np.concatenate([start[1:], np.full(1, n, np.intp)])
    stop = np.where(np.concatenate([after[:-1] > start[:-1], np.ones(1, bool)]), after, start + 1)
    pos = np.arange(n)
    trail = (1,) * (x.ndim - axis - 1)
    rest = (pos > start[:, None]) & (pos < stop[:, None])
    rest = np.reshape(rest, (m, n) + trail)
    spread = np.expand_dims(x, axis)
    first = np.take(x, start, axis=axis)
    if name in _IDEMPOTENT:
        segments = np.where(rest, spread, np.expand_dims(first, axis + 1))
        res = reduce(ufunc, segments, axis=axis + 1, dtype=dtype)
    else:
        fill = lax.cast(_np_asarray(_SEGMENT_FILL[name]), x.dtype)
        tail = reduce(ufunc, np.where(rest, spread, fill), axis=axis + 1, dtype=dtype)
        res = apply_ufunc(ufunc, (first, tail), dtype=dtype)
    return lax.cast(res, want)


def outer(ufunc, a, b, **kwargs):
    a, b = lax.lift(a), lax.lift(b)
    a = lax.reshape(a, a.shape + (1,) * b.ndim)
    return apply_ufunc(ufunc, (a, b), **kwargs)


def at(ufunc, x, indices, b=None):
    """An unbuffered update of `x` at `indices`. Add, subtract, maximum and minimum scatter
    their updates at once where the loop keeps `x`'s kind (and, for maximum and minimum of
    integers, its dtype); every other ufunc, and those where NumPy casts each update back into
    `x` as it goes (`np.add.at(ints, i, -2.5)` turns 5 into 2, not 3), go update by update
    (`indexing.ufunc_at`)."""
    from .indexing import _traced_mask, scatter_update, ufunc_at
    from .masked import MaskedSelection

    name = ufunc.__name__
    if not lax.is_tracer(x):  # a global or closure array: a trace that keeps it constant
        raise errors.ConcretizationError(  # refuses the write by its name
            f"np.{name}.at into a NumPy array from outside the function, while tracing, "
            "would change it once, not at each call (pass the array in as an argument, or "
            "make it in the function)")
    if ufunc.nout != 1:
        raise ValueError("Only single output ufuncs supported at this time")
    if ufunc.nin == 1 and b is not None:
        raise ValueError("second operand provided when ufunc is unary")
    if ufunc.nin == 2 and b is None:
        raise ValueError("second operand needed for ufunc")
    if _traced_mask(indices) and (b is None or np.ndim(b) <= np.ndim(x) - indices.ndim) and \
            not isinstance(b, MaskedSelection):  # `np.add.at(counts, mask, 1)`: once each
        resolve(ufunc, (x,) if b is None else (x, b))  # NumPy's casting errors first
        x[indices] = ufunc(x[indices]) if b is None else ufunc(x[indices], b)
        return
    if name in ("add", "subtract", "maximum", "minimum"):
        operand = b.values if isinstance(b, MaskedSelection) else b  # np.add.at(x, i[m], v[m])
        loop, target = resolve(ufunc, (x, operand))[-1], lax.lift(x).dtype
        if loop.kind == target.kind and not (name in ("maximum", "minimum")
                                             and target.kind in "iub" and loop != target):
            if name in ("maximum", "minimum"):
                scatter_update(x, indices, b, mode=name)
            else:
                scatter_update(x, indices, b if name == "add" else np.negative(b), mode="add")
            return
    ufunc_at(ufunc, x, indices, b)


_METHODS = {"reduce": reduce, "accumulate": accumulate, "reduceat": reduceat, "outer": outer,
            "at": at}


def array_ufunc(ufunc, method, inputs, kwargs):
    if any(defer_to(x) for x in inputs):  # x[mask], an np.ma array: theirs to compute
        return NotImplemented
    if method == "__call__":
        if {"axes", "axis", "keepdims"} & set(kwargs) and ufunc.signature is not None:
            from .linalg import gufunc_axes

            return gufunc_axes(ufunc, inputs, kwargs)
        if "out" in kwargs and isinstance(kwargs["out"], tuple) and len(kwargs["out"]) == 1:
            kwargs["out"] = kwargs["out"][0]
        return apply_ufunc(ufunc, inputs, **kwargs)
    impl = _METHODS.get(method)
    if impl is None:
        raise errors.unsupported(f"np.{ufunc.__name__}.{method}")
    if "out" in kwargs and isinstance(kwargs["out"], tuple):
        kwargs["out"] = kwargs["out"][0]
    return impl(ufunc, *inputs, **kwargs)


@implements(np.real)
def real(x):
    x = lax.lift(x)
    return x.real if x.dtype.kind == "c" else x  # a view of a complex x, as in NumPy


@implements(np.imag)
def imag(x):
    x = lax.lift(x)
    if x.dtype.kind == "c":
        return x.imag
    from .indexing import read_only_view

    return read_only_view(x, lambda b: lax.lift(np.zeros(b.shape, b.dtype)), "x.imag of a real x")
