"""`np.ma` of traced values: a masked array as its data and its mask, both traced.

`np.ma.masked_invalid(x).mean(axis=0)`, `np.ma.masked_where(x < 0, x).sum()`, `m.filled(0)`:
the constructors make a `TracedMaskedArray`, and what the function does with it compiles.
The operations follow `numpy.ma`'s own rules:
- `+ - *` combine the masks; where a result is masked its data is the left operand's
  (`_MaskedBinaryOperation`).
- `/` also masks a non-finite result and a divisor within `tiny` of zero
  (`_DomainedBinaryOperation`).
- A reduction reads the unmasked elements: `sum` of the data filled with 0, `min`/`max` filled
  with the dtype's extreme, `mean` over `count`, `var`/`std` of the anomalies over
  `count - ddof`. Along an axis, the result is masked where no element of its slice is
  unmasked, and, where np.ma divides (`mean`, `var`, `std`), where it is not finite.
- `filled` uses `np.ma.default_fill_value` for the dtype; `compressed()` is the selection
  `data[~mask]`, which a reduction consumes.
- `np.sqrt(m)`, `np.exp(m)`, `np.maximum(m, x)` (`MaskedArray.__array_wrap__`): the ufunc of
  the data, masked where an input is; a unary ufunc with a domain in np.ma (log, sqrt, arcsin,
  tan, ...) masks the data outside it and leaves np.ma's fill for it there. np.ma's own
  functions (`np.ma.log`, `np.ma.exp`, `np.ma.add`, ...): also masking non-finite results of
  those with a domain, and the masked elements hold the input's data.
- A `np.ma.MaskedArray` argument is traced as its data and its mask (`pytree`).

A reduction over every element of an all-masked array (and a `var` or `std` that is not
finite) is `np.ma.masked` in NumPy, a value of another type: the compiled function raises
`DataDependentShapeError` then (NumPy runs that
call under `fallback=True`). A masked array the function returns becomes a
`np.ma.MaskedArray` of the results. Indexing takes the data's and the mask's elements (one
masked element raises as the reductions do); `m[x > 0]` by a traced mask is a selection of
both (`masked.MaskedSelection`), which the reductions read as np.ma does (the selected
elements that are unmasked) and nothing else takes. Anything else on one (writes, ufunc methods,
other `np.ma` functions) is refused by name, never computed on the data alone.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np

from .. import errors, lax
from ..shapes import normalize_axes

# np.ma's unary functions (`_MaskedUnaryOperation`: np.ma.sqrt, np.ma.log, np.ma.exp, ...)
_UNARY = tuple(name for name, v in vars(np.ma).items()
               if isinstance(v, np.ma.core._MaskedUnaryOperation))
# np.ma's binary functions that follow an operator's rule (`_RULES`), by their ufunc
_BINARY = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply,
           "divide": np.true_divide, "true_divide": np.true_divide, "less": np.less,
           "less_equal": np.less_equal, "greater": np.greater, "greater_equal": np.greater_equal,
           "equal": np.equal, "not_equal": np.not_equal}
_ORIGINAL = {name: getattr(np.ma, name) for name in (
    "masked_where", "masked_invalid", "masked_less", "masked_greater", "masked_less_equal",
    "masked_greater_equal", "masked_equal", "masked_not_equal", "masked_inside",
    "masked_outside", "masked_values", "masked_array", "array", "getdata", "getmask",
    "getmaskarray", "filled", "count", "sum", "mean", "var", "std", "min", "max",
    "median", "average", "fix_invalid", "mask_or", "where", *_UNARY, *_BINARY)}
# np.ma's domain of a ufunc (a callable of the data, true outside it) and what
# `np.<ufunc>(m)` leaves where the data are outside it
_DOMAINS, _FILLS = np.ma.core.ufunc_domain, np.ma.core.ufunc_fills
_ONE_MASKED = ("an element of a masked array (or np.ma's function of one) that is masked: "
               "NumPy returns np.ma.masked, not a number")
_ALL_MASKED = ("a reduction over all of a masked array whose elements are all masked (or a "
               "var or std of it that is not finite): NumPy returns np.ma.masked, not a number")


def _traced(*values) -> bool:
    return any(lax.is_tracer(v) or isinstance(v, TracedMaskedArray) for v in values)


class TracedMaskedArray:
    """A masked array inside a trace: `data` and `mask` (bool, data's shape) are traced."""

    __slots__ = ("_data", "_mask", "_fill")

    def __init__(self, data, mask, fill_value=None):
        self._data = lax.lift(data)
        mask = lax.lift(mask, np.bool_)  # (the argument's own tracer where it is one: a masked
        self._mask = mask if mask.shape == self._data.shape else \
            np.broadcast_to(mask, self._data.shape)  # array in a dict is not set anew)
        self._fill = fill_value

    # ------------------------------------------------------------ attributes
    data = property(lambda self: self._data)
    mask = property(lambda self: self._mask)
    dtype = property(lambda self: self._data.dtype)
    shape = property(lambda self: self._data.shape)
    ndim = property(lambda self: self._data.ndim)
    size = property(lambda self: self._data.size)

    @property
    def fill_value(self):
        return self._fill if self._fill is not None else \
            np.ma.default_fill_value(np.dtype(self.dtype))

    @fill_value.setter
    def fill_value(self, value):
        self._fill = value

    # ------------------------------------------------------------ views
    def reshape(self, *shape, order="C"):
        return TracedMaskedArray(self._data.reshape(*shape, order=order),
                                 self._mask.reshape(*shape, order=order), self._fill)

    def ravel(self, order="C"):
        return self.reshape(-1, order=order)

    @property
    def T(self):
        return TracedMaskedArray(self._data.T, self._mask.T, self._fill)

    def astype(self, dtype, *args, **kwargs):
        """The data cast, the mask kept; a fill value set stays, as NumPy converts it."""
        data = self._data.astype(dtype, *args, **kwargs)
        fill = None if self._fill is None else np.asarray(self._fill).astype(data.dtype).item()
        return TracedMaskedArray(data, self._mask, fill)

    def copy(self, order="C"):
        return TracedMaskedArray(self._data.copy(), self._mask.copy(), self._fill)

    def filled(self, fill_value=None):
        value = self.fill_value if fill_value is None else fill_value
        return np.where(self._mask, np.asarray(value).astype(self.dtype), self._data)

    def compressed(self):
        return np.ravel(self._data)[np.ravel(~self._mask)]

    # ------------------------------------------------------------ reductions
    def count(self, axis=None, keepdims=False):
        return np.sum(~self._mask, axis=axis, keepdims=keepdims)

    def _total(self, axis, dtype, keepdims):
        """The sum of the unmasked elements (np.ma's `filled(0).sum()`)."""
        return np.sum(np.where(self._mask, 0, self._data), axis=axis, dtype=dtype,
                      keepdims=keepdims)

    def sum(self, axis=None, dtype=None, keepdims=False):
        return self._reduced(self._total(axis, dtype, keepdims),
                             self.count(axis, keepdims) == 0, axis)

    def mean(self, axis=None, dtype=None, keepdims=False):
        dt = np.dtype(self.dtype)
        half = dtype is None and dt == np.float16  # summed in float32, as NumPy's ma does
        if dtype is None and dt.kind in "biu":
            dtype = np.float64
        n = self.count(axis, keepdims)
        total = self._total(axis, np.float32 if half else dtype, keepdims)
        result = total * 1.0 / n
        if axis is None:
            return self._reduced(result.astype(np.float16) if half else result, n == 0, axis)
        # along an axis the division is np.ma's: it masks a result that is not finite, and
        # keeps the dividend there
        empty = (n == 0) | ~np.isfinite(result)
        result = np.where(empty, total * 1.0, result)
        return self._reduced(result.astype(np.float16) if half else result, empty, axis)

    def var(self, axis=None, dtype=None, ddof=0, keepdims=False):
        if np.dtype(self.dtype).kind == "c":
            raise errors.unsupported("np.ma var/std of complex traced values")
        n = self.count(axis, keepdims=True)
        mean = self._total(axis, dtype, True) * 1.0 / n
        # np.ma's mean along an axis is masked where it is not finite: no anomalies there
        unknown = n == 0 if axis is None else (n == 0) | ~np.isfinite(mean)
        anomaly = np.where(self._mask | unknown, 0, self._data - mean)
        squares = np.sum(anomaly * anomaly, axis=axis, keepdims=keepdims)
        n = self.count(axis, keepdims) - ddof
        result = squares / n
        bad = ~np.isfinite(result) | (n == 0)  # np.ma's divide: masked, the dividend kept
        if axis is None or not np.ndim(result):
            return self._reduced(result, bad, None)
        return TracedMaskedArray(np.where(bad, squares * 1.0, result),
                                 np.all(self._mask, axis=axis, keepdims=keepdims) | (n <= 0))

    def std(self, axis=None, dtype=None, ddof=0, keepdims=False):
        var = self.var(axis, dtype, ddof, keepdims)
        if not isinstance(var, TracedMaskedArray):
            return np.sqrt(var)
        root = np.sqrt(var._data)
        masked = var._mask | ~np.isfinite(root)  # np.ma.sqrt's mask; the variance kept there
        return TracedMaskedArray(np.where(masked, var._data, root), masked)

    def min(self, axis=None, out=None, fill_value=None, keepdims=False):
        return self._extreme(np.min, True, axis, out, fill_value, keepdims)

    def max(self, axis=None, out=None, fill_value=None, keepdims=False):
        return self._extreme(np.max, False, axis, out, fill_value, keepdims)

    def argmin(self, axis=None, fill_value=None, out=None, *, keepdims=False):
        return self._arg_extreme(np.argmin, True, axis, fill_value, keepdims)

    def argmax(self, axis=None, fill_value=None, out=None, *, keepdims=False):
        return self._arg_extreme(np.argmax, False, axis, fill_value, keepdims)

    def _arg_extreme(self, reduce, low: bool, axis, fill, keepdims):
        """np.ma's `filled(fill).argmin(axis)`: the masked elements as the value that never
        wins (the first element where all are masked)."""
        dt = np.dtype(self.dtype)
        fill = fill if fill is not None else (np.ma.minimum_fill_value if low else
                                              np.ma.maximum_fill_value)(np.zeros((), dt))
        return reduce(np.where(self._mask, np.asarray(fill, dt), self._data), axis=axis,
                      keepdims=keepdims)

    def _extreme(self, reduce, low: bool, axis, out, fill, keepdims):
        """The extreme of the data with the masked elements as `fill` (by default the one
        that never wins), masked where a slice has no unmasked element."""
        if out is not None:
            raise errors.unsupported("np.ma min/max of traced values with out=")
        dt = np.dtype(self.dtype)
        fill = fill if fill is not None else (np.inf if low else -np.inf) \
            if dt.kind in "fc" else (True if low else False) if dt == np.bool_ else \
            (np.iinfo(dt).max if low else np.iinfo(dt).min)
        result = reduce(np.where(self._mask, np.asarray(fill, dt), self._data), axis=axis,
                        keepdims=keepdims)
        empty = self.count(axis, keepdims) == 0
        if axis is not None and np.ndim(result):  # NumPy's data there: the dtype's fill value
            result = np.where(empty, np.asarray(np.ma.default_fill_value(dt), dt), result)
        return self._reduced(result, empty, axis)

    def _reduced(self, result, empty, axis):
        """A reduction's result: a masked array along an axis, masked where its slice had no
        unmasked element; over all elements the value, checked not to be NumPy's `masked`."""
        if axis is not None and np.ndim(result):
            return TracedMaskedArray(result, empty)
        lax.check(np.any(empty), "DataDependentShapeError", _ALL_MASKED)
        return result

    # ------------------------------------------------------------ arithmetic
    # (the binary operators are set after the class, from `_RULES`: `_operator`)
    def __neg__(self):
        return TracedMaskedArray(-self._data, self._mask, self._fill)

    __hash__ = None

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """`np.add(m, x)`, `np.sqrt(m)`, `x * m` with `x` an array: `_ufunc_of`; other
        methods and keywords refused."""
        if method == "__call__" and not kwargs and ufunc.nout == 1:
            return _ufunc_of(ufunc, inputs)
        raise errors.unsupported(f"np.{ufunc.__name__}.{method} of an np.ma masked array of "
                                 "traced values")

    # ------------------------------------------------------------ the rest: refused
    def __getattr__(self, name: str):
        if name.startswith("_"):  # a protocol's probe (`__array_interface__`): not there
            raise AttributeError(name)
        raise errors.unsupported(f"np.ma's MaskedArray.{name} of traced values")

    def __array_function__(self, func, types, args, kwargs):
        if func.__name__ == "where" and len(args) == 3:  # NumPy's reads the data
            from .shape import where

            return where(*args, **kwargs)
        method = _METHODS.get(func.__name__)
        if method is None or args[0] is not self:
            raise errors.unsupported(f"np.{func.__name__} of an np.ma masked array of traced "
                                     "values")
        return getattr(TracedMaskedArray, method)(*args, **kwargs)

    def __array__(self, *args, **kwargs):
        raise errors.unsupported("an np.ma masked array of traced values converted to a "
                                 "plain array (use .filled() or .data)")

    def __getitem__(self, index):
        """`m[i]`, `m[:, j]`, `m[x > 0]`: the data's and the mask's; one element is its value,
        checked not to be masked (NumPy's `np.ma.masked` then)."""
        from .masked import MaskedSelection

        index = index._data if isinstance(index, TracedMaskedArray) else index
        data, mask = self._data[index], self._mask[index]
        if isinstance(data, MaskedSelection):  # `m[x > 0]`: reduced, it reads the unmasked
            selected = object.__new__(TracedMaskedArray)  # (no `lift`: its length is unknown)
            selected._data, selected._mask, selected._fill = data, mask, self._fill
            return selected
        if not np.ndim(data):
            lax.check(mask, "DataDependentShapeError", _ONE_MASKED)
            return data
        return TracedMaskedArray(data, mask, self._fill)

    def __setitem__(self, index, value):
        raise errors.unsupported("a write into an np.ma masked array of traced values (build "
                                 "the data with np.where and mask it, or write before masking)")

    def _other_operator(self, *other):
        raise errors.unsupported("this operator on an np.ma masked array of traced values")

    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __pow__ = __rpow__ = _other_operator
    __abs__ = __matmul__ = __rmatmul__ = _other_operator

    # ------------------------------------------------------------ the result
    def _tracenp_flatten(self):
        """What `pytree` makes of one the function returns: a `np.ma.MaskedArray`. (A
        `np.ma.MaskedArray` argument flattens the same way, in `pytree`.)"""
        return (self._fill,), [self._data, self._mask]

    @staticmethod
    def _tracenp_unflatten(aux, children):
        """A masked argument inside the trace, or a `np.ma.MaskedArray` of the results."""
        data, mask = children
        if _traced(data, mask):
            return TracedMaskedArray(data, mask, aux[0])
        return np.ma.MaskedArray(data, mask=mask, fill_value=aux[0])


# np.ma's rule per ufunc: "keep" (`_MaskedBinaryOperation`: masked results keep the left
# operand's data), "divide" (`_DomainedBinaryOperation`: also masks results that are not
# finite and divisors within `tiny` of zero), "compare" (`MaskedArray._comparison`), "equal"
# (that too, where masked elements count as equal when masked in both)
_RULES = {np.add: "keep", np.subtract: "keep", np.multiply: "keep", np.true_divide: "divide",
          np.less: "compare", np.less_equal: "compare", np.greater: "compare",
          np.greater_equal: "compare", np.equal: "equal", np.not_equal: "equal"}


def _combined(a, b, ufunc, fill=None):
    """`ufunc(a, b)` of a masked array and another operand, by np.ma's rule for it, with the
    fill value `fill`."""
    rule = _RULES[ufunc]
    da, db = _data(a), _data(b)
    shape = np.broadcast_shapes(np.shape(da), np.shape(db))
    mask_a, mask_b = _mask_of(a, shape), _mask_of(b, shape)
    mask = np.logical_or(mask_a, mask_b)
    if rule in ("compare", "equal"):
        result = ufunc(da, db)
        if rule == "equal":
            result = np.where(mask, ufunc(mask_a, mask_b), result)
        return TracedMaskedArray(result, mask, fill)
    if rule == "divide":
        mask = mask | ~np.isfinite(ufunc(da, db)) | _outside_division(da, db)
    # computed from ones where masked: the left operand's data is the value there, and a
    # gradient through what was computed there would be 0 times an inf (x / 0) or a NaN
    result = lax.lift(ufunc(_unmasked(da, mask), _unmasked(db, mask)))
    if rule == "divide":  # np.ma adds `mask * da` to a result zeroed where masked: -0.0 is 0.0
        return TracedMaskedArray(np.where(mask, 0, result) + mask * lax.lift(da), mask, fill)
    keep = np.broadcast_to(lax.lift(da), result.shape).astype(result.dtype)
    return TracedMaskedArray(np.where(mask, keep, result), mask, fill)


def _outside_division(da, db):
    """np.ma's domain of a division (`_DomainSafeDivide`): a divisor within `tiny` of 0."""
    return np.abs(da) * np.finfo(np.float64).tiny >= np.abs(db)


def _in_domain(domain, d, mask):
    """`(bad, safe)`: where `d` is masked or outside a unary ufunc's np.ma domain, and `d`
    with a point inside the domain there, which is computed at in place of those (their
    values are replaced; a gradient through them would be 0 times a NaN)."""
    if hasattr(domain, "critical_value"):  # log, sqrt, arccosh
        inside = domain.critical_value + 1
    elif hasattr(domain, "a"):  # arcsin, arccos, arctanh
        inside = (domain.a + domain.b) / 2
    else:  # tan
        inside = 0
    bad = np.logical_or(domain(d), mask)
    return bad, np.where(bad, d.dtype.type(inside), d)


def _fill_of(inputs):
    """The first masked input's fill value, which np.ma's results keep (`_update_from`)."""
    for v in inputs:
        if isinstance(v, TracedMaskedArray):
            return v._fill
    return None


def _ufunc_of(ufunc, inputs):
    """`np.<ufunc>(m, ...)` as `MaskedArray.__array_wrap__` makes it: the ufunc of the data,
    masked where an input is; where the data (or a mask) leave np.ma's domain for the ufunc,
    masked and holding np.ma's fill for it."""
    datas = [lax.lift(_data(v)) for v in inputs]
    shape = np.broadcast_shapes(*(d.shape for d in datas))
    mask = functools.reduce(np.logical_or, [_mask_of(v, shape) for v in inputs])
    domain = _DOMAINS.get(ufunc)
    if domain is None:
        return TracedMaskedArray(ufunc(*datas), mask, _fill_of(inputs))
    if len(datas) == 2:  # a division
        da, db = datas
        bad = mask | _outside_division(da, db)
        result, value = ufunc(da, np.where(bad, 1, db)), _FILLS[ufunc][-1]
    else:
        bad, safe = _in_domain(domain, datas[0], mask)
        result, value = ufunc(safe), _FILLS[ufunc]
    return TracedMaskedArray(np.where(bad, value, result), bad, _fill_of(inputs))


def _unary(op):
    """np.ma.<name> (`_MaskedUnaryOperation`): the function of the data, masked where the
    input is and, for one with a domain, where the data leave it or the result is not
    finite; the masked elements hold the input's data."""
    def call(a, *args, **kwargs):
        if not _traced(a):
            return op(a, *args, **kwargs)
        d = lax.lift(_data(a))
        mask = _mask_of(a, d.shape)
        if op.domain is None:
            result = lax.lift(op.f(_unmasked(d, mask), *args, **kwargs))
        else:
            mask, safe = _in_domain(op.domain, d, mask)
            result = lax.lift(op.f(safe, *args, **kwargs))
            mask = mask | ~np.isfinite(result)
        if not result.ndim:
            lax.check(mask, "DataDependentShapeError", _ONE_MASKED)
            return result
        if np.can_cast(d.dtype, result.dtype, "same_kind"):
            result = np.where(mask, d.astype(result.dtype), result)
        return TracedMaskedArray(result, mask, _fill_of([a]))

    call.__name__ = op.__name__
    return call


def _binary(ufunc, original):
    """np.ma.add, np.ma.divide, np.ma.less, ...: the operator's rule (`_combined`)."""
    def call(a, b, *args, **kwargs):
        if not _traced(a, b) or args or kwargs:
            return original(a, b, *args, **kwargs)
        return _combined(a, b, ufunc, _fill_of([a, b]))

    call.__name__ = original.__name__
    return call


def _unmasked(v, mask):
    """An operand with ones where masked; a 0-d one as it is (its dtype may be weak)."""
    return np.where(mask, 1, v) if np.ndim(v) else v


def _operator(ufunc, reflected: bool):
    # arithmetic keeps the fill value; a comparison's result has bool's (`_comparison`)
    keeps_fill = _RULES[ufunc] not in ("compare", "equal")

    def operator_method(self, other):
        a, b = (other, self) if reflected else (self, other)
        return _combined(a, b, ufunc, _fill_of([a, b]) if keeps_fill else None)

    return operator_method


for _name, _ufunc in (("add", np.add), ("sub", np.subtract), ("mul", np.multiply),
                      ("truediv", np.true_divide)):
    setattr(TracedMaskedArray, f"__{_name}__", _operator(_ufunc, False))
    setattr(TracedMaskedArray, f"__r{_name}__", _operator(_ufunc, True))
for _name, _ufunc in (("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
                      ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal)):
    setattr(TracedMaskedArray, f"__{_name}__", _operator(_ufunc, False))

_METHODS = {"sum": "sum", "mean": "mean", "var": "var", "std": "std", "min": "min",
            "amin": "min", "max": "max", "amax": "max", "argmin": "argmin", "argmax": "argmax"}


def _data(v):
    return v._data if isinstance(v, TracedMaskedArray) else v


def _mask_of(v, shape):
    if isinstance(v, TracedMaskedArray):
        return v._mask
    return np.zeros(shape, np.bool_)


def _made(data, mask, fill_value=None):
    data = lax.lift(data)
    mask = lax.lift(mask, np.bool_)
    if mask.ndim and mask.shape != data.shape:
        raise IndexError(f"Inconsistent shape between the condition and the input (got "
                         f"{mask.shape} and {data.shape})")
    return TracedMaskedArray(data, mask, fill_value)


def masked_where(condition, a, copy=True):
    if not _traced(condition, a):
        return _ORIGINAL["masked_where"](condition, a, copy)
    if isinstance(a, TracedMaskedArray):
        return _made(a._data, np.logical_or(condition, a._mask), a._fill)
    return _made(a, condition)


def _compare(name: str, op):
    def masked(x, value, copy=True):
        if not _traced(x, value):
            return _ORIGINAL[name](x, value, copy)
        return masked_where(op(_data(x), value), x)

    masked.__name__ = name
    return masked


def masked_inside(x, v1, v2, copy=True):
    if not _traced(x, v1, v2):
        return _ORIGINAL["masked_inside"](x, v1, v2, copy)
    lo, hi = np.minimum(v1, v2), np.maximum(v1, v2)
    d = _data(x)
    return masked_where((d >= lo) & (d <= hi), x)


def masked_outside(x, v1, v2, copy=True):
    if not _traced(x, v1, v2):
        return _ORIGINAL["masked_outside"](x, v1, v2, copy)
    lo, hi = np.minimum(v1, v2), np.maximum(v1, v2)
    d = _data(x)
    return masked_where((d < lo) | (d > hi), x)


def masked_invalid(a, copy=True):
    if not _traced(a):
        return _ORIGINAL["masked_invalid"](a, copy)
    return masked_where(~np.isfinite(_data(a)), a)


def masked_values(x, value, rtol=1e-5, atol=1e-8, copy=True, shrink=True):
    if not _traced(x, value):
        return _ORIGINAL["masked_values"](x, value, rtol, atol, copy, shrink)
    d = _data(x)
    close = np.isclose(d, value, atol=atol, rtol=rtol) if np.dtype(d.dtype).kind in "fc" \
        else np.equal(d, value)
    return masked_where(close, x)


def masked_array(data, mask=np.ma.nomask, dtype=None, copy=False, subok=True, ndmin=0,
                 fill_value=None, keep_mask=True, hard_mask=None, shrink=True, order=None):
    if isinstance(data, (list, tuple)) and any(_traced(v) for v in data):  # `[d.mean(), ...]`
        from .creation import array

        items = [v if isinstance(v, TracedMaskedArray) else _made(lax.lift(v), False, None)
                 for v in data]
        data = _made(array([v._data for v in items]), array([v._mask for v in items]), None)
    if not _traced(data, mask):
        return _ORIGINAL["masked_array"](data, mask=mask, dtype=dtype, copy=copy, subok=subok,
                                         ndmin=ndmin, fill_value=fill_value,
                                         keep_mask=keep_mask, hard_mask=hard_mask,
                                         shrink=shrink, order=order)
    if ndmin or hard_mask:
        raise errors.unsupported("np.ma.masked_array of traced values with ndmin= or "
                                 "hard_mask=")
    d = lax.lift(_data(data))
    if dtype is not None:
        d = d.astype(dtype)
    m = False if mask is np.ma.nomask else mask
    if isinstance(data, TracedMaskedArray) and keep_mask:
        m = np.logical_or(data._mask, m)
    return _made(d, m, fill_value)


def getdata(a, subok=True):
    return a._data if isinstance(a, TracedMaskedArray) else _ORIGINAL["getdata"](a, subok)


def getmaskarray(arr):
    return arr._mask if isinstance(arr, TracedMaskedArray) else _ORIGINAL["getmaskarray"](arr)


def getmask(a):
    return a._mask if isinstance(a, TracedMaskedArray) else _ORIGINAL["getmask"](a)


def filled(a, fill_value=None):
    if isinstance(a, TracedMaskedArray):
        return a.filled(fill_value)
    return _ORIGINAL["filled"](a, fill_value)


def where(condition, x=np._NoValue, y=np._NoValue):
    """`np.ma.where(c, x, y)`: the data chosen by the filled condition, masked where the
    chosen operand or the condition is; one argument is NumPy's `np.nonzero`."""
    if x is np._NoValue or y is np._NoValue or not _traced(condition, x, y):
        return _ORIGINAL["where"](condition, x, y)
    shape = np.broadcast_shapes(*(np.shape(_data(v)) for v in (condition, x, y)))
    chosen = np.asarray(_data(condition)) if not _traced(condition) else _data(condition)
    if isinstance(condition, TracedMaskedArray):
        chosen = np.where(condition._mask, False, chosen)
    masks = [np.zeros((), np.bool_) if v is np.ma.masked else _mask_of(v, shape)
             for v in (x, y)]
    data = [np.zeros((), np.dtype(_data(y if v is x else x).dtype)) if v is np.ma.masked
            else _data(v) for v in (x, y)]
    mask = np.where(chosen, *masks)
    if isinstance(condition, TracedMaskedArray):
        mask = mask | condition._mask
    return TracedMaskedArray(np.where(chosen, *data), np.broadcast_to(mask, shape))


def _masked_of(a) -> TracedMaskedArray:
    return a if isinstance(a, TracedMaskedArray) else masked_array(a)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """`np.ma.median`: the median of the unmasked values (`np.nanmedian` with the masked ones
    as NaN), masked (data 0) where a slice has none. np.ma sorts an unmasked NaN among the
    values; such data raise when the function runs."""
    if not _traced(a):
        return _ORIGINAL["median"](a, axis, out, overwrite_input, keepdims)
    if out is not None:
        raise errors.unsupported("np.ma.median of traced values with out=")
    a = _masked_of(a)
    data = a._data if np.dtype(a.dtype).kind in "fc" else a._data.astype(np.float64)
    lax.check(np.any(np.isnan(data) & ~a._mask), "DataDependentShapeError",
              "np.ma.median of data holding an unmasked NaN (np.ma sorts it among the values)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's: an all-NaN slice
        med = np.nanmedian(np.where(a._mask, np.nan, data), axis=axis, keepdims=keepdims)
    empty = np.all(a._mask, axis=axis, keepdims=keepdims)
    if axis is None or not np.ndim(med):
        return a._reduced(med, empty, None)
    return TracedMaskedArray(np.where(empty, np.zeros((), med.dtype), med), empty)


def average(a, axis=None, weights=None, returned=False, *, keepdims=np._NoValue):
    """`np.ma.average`: the (weighted) mean of the unmasked values, masked (data 0) where
    the weights there sum to zero; with `returned`, also the sum of those weights."""
    if not _traced(a, weights):
        return _ORIGINAL["average"](a, axis, weights, returned, keepdims=keepdims)
    a = _masked_of(a)
    keep = {} if keepdims is np._NoValue else {"keepdims": keepdims}
    if weights is None:
        avg = a.mean(axis, **keep)
        scl = lax.cast(a.count(axis, **keep), np.dtype(_data(avg).dtype))
    else:
        w = lax.lift(weights)
        dtype = np.result_type(a.dtype, w.dtype, *(["f8"] if np.dtype(a.dtype).kind in "biu"
                                                   else []))
        if w.shape != a.shape:
            if axis is None:
                raise TypeError("Axis must be specified when shapes of a and weights differ.")
            axes = tuple(sorted(normalize_axes(axis, a.ndim)))
            if w.shape != tuple(a.shape[ax] for ax in axes):
                raise ValueError("Shape of weights must be consistent with shape of a along "
                                 "specified axis.")
            w = w.reshape(tuple(s if ax in axes else 1 for ax, s in enumerate(a.shape)))
        w = w * ~a._mask
        scl = np.sum(np.where(a._mask, 0, w), axis=axis, dtype=dtype, **keep)
        total = np.sum(np.where(a._mask, 0, np.multiply(a._data, w, dtype=dtype)), axis=axis,
                       **keep)
        empty = (scl == 0) | np.all(a._mask, axis=axis, **keep)
        with np.errstate(divide="ignore", invalid="ignore"):
            avg = np.where(empty, total, total / scl)
        avg = a._reduced(avg if np.ndim(avg) else avg.with_returns("scalar"), empty, axis)
    if not returned:
        return avg
    data = _data(avg)
    return avg, np.broadcast_to(scl, np.shape(data)) if np.shape(scl) != np.shape(data) else scl


def fix_invalid(a, mask=np.ma.nomask, copy=True, fill_value=None):
    """`np.ma.fix_invalid`: NaN and infinities masked, their data the fill value."""
    if not _traced(a, mask):
        return _ORIGINAL["fix_invalid"](a, mask, copy, fill_value)
    a = masked_array(a, mask=mask)
    invalid = ~np.isfinite(a._data)
    fill = a.fill_value if fill_value is None else fill_value
    return TracedMaskedArray(np.where(invalid, np.asarray(fill).astype(a.dtype), a._data),
                             a._mask | invalid, a._fill)


def mask_or(m1, m2, copy=False, shrink=True):
    """`np.ma.mask_or` of traced masks: their elementwise or (NumPy's `nomask` for a result
    with nothing masked, under `shrink`, is the all-False array here)."""
    if not _traced(m1, m2):
        return _ORIGINAL["mask_or"](m1, m2, copy, shrink)
    return np.logical_or(lax.lift(m1, np.bool_), lax.lift(m2, np.bool_))


def _reduction(name: str):
    def reduce(a, *args, **kwargs):
        if isinstance(a, TracedMaskedArray):
            return getattr(a, name)(*args, **kwargs)
        if _traced(a):
            return getattr(masked_array(a), name)(*args, **kwargs)
        return _ORIGINAL[name](a, *args, **kwargs)

    reduce.__name__ = name
    return reduce


def routes() -> list:
    """(np.ma, {name: the traced function}) for the trace to install."""
    from .creation import for_user_code

    traced = {"masked_where": masked_where, "masked_invalid": masked_invalid,
              "masked_inside": masked_inside, "masked_outside": masked_outside,
              "masked_values": masked_values, "masked_array": masked_array,
              "array": masked_array, "getdata": getdata, "getmask": getmask,
              "getmaskarray": getmaskarray, "filled": filled, "median": median,
              "average": average, "fix_invalid": fix_invalid, "mask_or": mask_or,
              "where": where}
    for name, op in (("masked_less", np.less), ("masked_greater", np.greater),
                     ("masked_less_equal", np.less_equal),
                     ("masked_greater_equal", np.greater_equal),
                     ("masked_equal", np.equal), ("masked_not_equal", np.not_equal)):
        traced[name] = _compare(name, op)
    for name in ("count", "sum", "mean", "var", "std", "min", "max"):
        traced[name] = _reduction(name)
    for name in _UNARY:
        traced[name] = _unary(_ORIGINAL[name])
    for name, ufunc in _BINARY.items():
        traced[name] = _binary(ufunc, _ORIGINAL[name])
    return [(np.ma, {name: for_user_code(fn, _ORIGINAL[name]) for name, fn in traced.items()})]
