"""Theano's tensor math, spelled over NumPy: symbolic variables record the NumPy calls.

Most names are NumPy's functions themselves (`tensor.exp is np.exp`): a
symbolic variable records any NumPy call made on it, so Theano's and NumPy's
spellings build the same graph. The rest are short compositions, marked
`@symbolic` so that they print under their Theano name and trace where shapes
are concrete; called on arrays they just compute.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import ir, lax
from ..autodiff import symbolic_grad
from ..tracer import Tracer
from .variable import Variable, record, symbolic

# NumPy's own functions, under Theano's names where they differ.
exp, exp2, expm1, log, log2, log10, log1p = np.exp, np.exp2, np.expm1, np.log, np.log2, \
    np.log10, np.log1p
sqrt, sqr, square, abs, abs_ = np.sqrt, np.square, np.square, np.absolute, np.absolute
sin, cos, tan, arcsin, arccos, arctan, arctan2 = np.sin, np.cos, np.tan, np.arcsin, np.arccos, \
    np.arctan, np.arctan2
sinh, cosh, tanh, arcsinh, arccosh, arctanh = np.sinh, np.cosh, np.tanh, np.arcsinh, \
    np.arccosh, np.arctanh
floor, ceil, trunc, round, sgn, sign = np.floor, np.ceil, np.trunc, np.round, np.sign, np.sign
add, sub, mul, true_div, int_div, mod, pow = np.add, np.subtract, np.multiply, np.true_divide, \
    np.floor_divide, np.remainder, np.power
neg, inv, reciprocal, maximum, minimum = np.negative, np.reciprocal, np.reciprocal, np.maximum, \
    np.minimum
eq, neq, lt, gt, le, ge = np.equal, np.not_equal, np.less, np.greater, np.less_equal, \
    np.greater_equal
and_, or_, xor, invert, isnan, isinf = np.bitwise_and, np.bitwise_or, np.bitwise_xor, \
    np.invert, np.isnan, np.isinf
switch, where = np.where, np.where
dot, tensordot, outer, transpose, reshape = np.dot, np.tensordot, np.outer, np.transpose, \
    np.reshape
sum, prod, mean, var, std, max, min = np.sum, np.prod, np.mean, np.var, np.std, np.max, np.min
argmax, argmin, cumsum, cumprod, clip, sort, argsort = np.argmax, np.argmin, np.cumsum, \
    np.cumprod, np.clip, np.sort, np.argsort
concatenate, stack, zeros_like, ones_like, real, imag, conj = np.concatenate, np.stack, \
    np.zeros_like, np.ones_like, np.real, np.imag, np.conj


@symbolic("cast")
def cast(x, dtype):
    """`x` converted to `dtype` (any cast, as Theano's `cast`)."""
    return x.astype(dtype) if isinstance(x, Tracer) else np.asarray(x).astype(dtype)


@symbolic("flatten")
def flatten(x, ndim: int = 1):
    """`x` with its trailing dims merged so that `ndim` remain."""
    return np.reshape(x, tuple(np.shape(x)[: ndim - 1]) + (-1,))


@symbolic("shape")
def shape(x) -> np.ndarray:
    """The shape of `x` as an int64 vector, known when the function runs (`x.shape` is static)."""
    return np.array(x.shape if isinstance(x, Tracer) else np.shape(x), dtype=np.int64)


@symbolic("arange")
def arange(start, stop=None, step=1, dtype=None):
    """`np.arange`; bounds may be symbolic if they are known once shapes are (`shape(x)[0]`)."""
    return np.arange(start, stop, step, dtype=dtype) if stop is not None else \
        np.arange(start, dtype=dtype)


@symbolic("zeros")
def zeros(shape, dtype=None):
    return np.zeros(shape, dtype=dtype or "float64")


@symbolic("ones")
def ones(shape, dtype=None):
    return np.ones(shape, dtype=dtype or "float64")


def set_subtensor(sub: Variable, value) -> Variable:
    """A copy of the variable `sub` was indexed from, with `sub`'s elements set to `value`."""
    x, key = _subtensor(sub, "set_subtensor")
    return record(_write, (x, key, value, False), {}, "set_subtensor")


def inc_subtensor(sub: Variable, value) -> Variable:
    """A copy of the variable `sub` was indexed from, with `value` added to `sub`'s elements."""
    x, key = _subtensor(sub, "inc_subtensor")
    return record(_write, (x, key, value, True), {}, "inc_subtensor")


def _subtensor(sub, name: str):
    if not (isinstance(sub, Variable) and sub.owner is not None and sub.owner.label == "getitem"):
        raise TypeError(f"{name} takes an indexed variable, as in {name}(x[1:3], value)")
    return sub.owner.args


def _write(x, key, value, inc: bool):
    out = np.copy(x)
    if inc:
        out[key] += value
    else:
        out[key] = value
    return out


def grad(cost, wrt, disconnected_inputs: str = "raise"):
    """d cost / d wrt for a scalar symbolic cost; `wrt` one variable or a list (list out).

    `disconnected_inputs`: 'raise' (as Theano), 'warn' or 'ignore' when `cost`
    does not depend on a `wrt` (its gradient is then zeros).
    """
    if disconnected_inputs not in ("raise", "warn", "ignore"):
        raise ValueError("disconnected_inputs must be 'raise', 'warn' or 'ignore'")
    single = not isinstance(wrt, (list, tuple))
    wrt_list = [wrt] if single else list(wrt)
    if not isinstance(cost, Variable) and not any(isinstance(w, Variable) for w in wrt_list):
        return symbolic_grad(cost, wrt)
    _check_scalar(cost)
    for w in wrt_list:
        if not isinstance(w, Tracer):
            raise TypeError(f"grad: wrt must be symbolic variables, got {type(w).__name__}")
    grads = record(_grad, (cost, wrt_list), {"disconnected_inputs": disconnected_inputs}, "grad",
                   len(wrt_list))
    return grads[0] if single else grads


def jacobian(expression, wrt):
    """d expression / d wrt, of shape `expression.shape + wrt.shape` (one backward pass per
    element of `expression`, traced where shapes are known); `wrt` a variable or a list."""
    if isinstance(wrt, (list, tuple)):
        return [jacobian(expression, w) for w in wrt]
    return record(_jacobian, (expression, wrt), {}, "jacobian")


def hessian(cost, wrt):
    """The matrix of second derivatives of a scalar `cost` w.r.t. a vector `wrt` (or a list)."""
    if isinstance(wrt, (list, tuple)):
        return [hessian(cost, w) for w in wrt]
    return jacobian(grad(cost, wrt), wrt)


def _jacobian(expression, wrt):
    expression = lax.lift(expression)
    flat = np.reshape(expression, (-1,))
    rows = [symbolic_grad(flat[i], wrt) for i in range(flat.shape[0])]
    if not rows:
        return np.zeros(expression.shape + wrt.shape, wrt.dtype)
    return np.reshape(np.stack(rows), expression.shape + wrt.shape)


def _check_scalar(cost) -> None:
    try:
        ndim = cost.ndim
    except TypeError:  # its type is only known when compiled
        return
    if ndim != 0:
        raise TypeError(f"grad: the cost must be a scalar, but {cost.describe()} has "
                        f"{ndim} dimension(s); reduce it (.sum() or .mean())")


def _grad(cost, wrt, disconnected_inputs):
    reached = {id(n) for n in ir.toposort([lax.lift(cost).node])}
    for k, w in enumerate(wrt):
        if id(lax.lift(w).node) in reached or disconnected_inputs == "ignore":
            continue
        msg = (f"grad: the cost does not depend on wrt[{k}] ({getattr(w, 'name', None) or w!r}); "
               "its gradient is zero. Pass disconnected_inputs='ignore' or 'warn' to allow it")
        if disconnected_inputs == "raise":
            raise ValueError(msg)
        warnings.warn(msg, UserWarning, stacklevel=2)
    return symbolic_grad(cost, list(wrt))
