"""Constant `scipy.sparse` matrices applied to traced values.

Course code builds a sparse operator once from constants (`diags([1, -2, 1], [-1, 0, 1])`)
and applies it in a loop: `L @ u`, `A.dot(u)`, `spsolve(A, B @ u)` (Crank-Nicolson). SciPy
runs those in Cython on the vector's memory, which a traced array has not. While a trace
runs they are the dense products and solves of the matrix's `toarray()` (made by NumPy's
own functions): the same values up to the order of the sums.

A matrix built from traced triplets with its shape given, `coo_matrix((w, (i, j)),
shape=(n, n))` (scikit-learn's confusion matrix, a finite-element assembly, a graph's
adjacency), also `csr_`/`csc_` matrices and arrays, keeps its triplets (`TRIPLETS`): its
`toarray()` is `np.add.at` into zeros (duplicates summed, as SciPy sums them), and its
products, sums, `spsolve` and conversions between formats go through that dense array
(`todense()` and a `*_matrix`'s sums are 2-d arrays, not `np.matrix`).
Other constructions from traced values stay refused (SciPy's constructors check and
convert them).
"""

from __future__ import annotations

import copy
import functools
from typing import Callable

import numpy as np

from .. import errors, host_ops, lax


TRIPLETS = "_tracenp_triplets"  # (data, row, col) of a matrix built from traced triplets


def _triplets_dense(matrix):
    data, row, col = getattr(matrix, TRIPLETS)
    out = lax.lift(np.zeros(matrix.shape, matrix.dtype))
    np.add.at(out, (row, col), lax.cast(data, matrix.dtype))
    return out


class _Triplets:
    """What a matrix of traced triplets answers itself (copied into a subclass of its own
    format's class, so `isinstance` and the format's name stay SciPy's); anything else that
    would read its arrays is refused by name."""

    def toarray(self, order=None, out=None):
        return _triplets_dense(self)

    todense = toarray

    def sum(self, axis=None, dtype=None, out=None):
        """A `*_matrix`'s sum along an axis keeps it (SciPy's `np.matrix` row or column, here
        a 2-d array); a sparse array's drops it."""
        from scipy.sparse import spmatrix

        keep = axis is not None and isinstance(self, spmatrix)
        return np.sum(_triplets_dense(self), axis=axis, dtype=dtype, out=out, keepdims=keep)

    def tocsr(self, copy=False):
        return self

    tocsc = tocoo = tocsr

    def asformat(self, format, copy=False):
        return self

    @property
    def dtype(self):
        return self._tracenp_dtype

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise errors.unsupported(f"{name} of a scipy.sparse matrix built from traced triplets "
                                 "(its toarray(), products, sums and spsolve trace)")


_TRIPLET_CLASSES: dict = {}


def _with_triplets(cls: type) -> type:
    if cls not in _TRIPLET_CLASSES:
        own = {k: v for k, v in vars(_Triplets).items()
               if not k.startswith("__") or k == "__getattr__"}
        _TRIPLET_CLASSES[cls] = type(cls.__name__, (cls,), {
            **own, "__module__": cls.__module__, "__qualname__": cls.__qualname__,
            "__slots__": ()})  # (its layout: `__class__` is assigned)
    return _TRIPLET_CLASSES[cls]


def _dense(matrix) -> np.ndarray:
    """The matrix as an array: of traced triplets, summed into zeros; else the constant
    matrix as a NumPy array, made where NumPy's functions are its own. A matrix made in the
    function holds its arrays as traced constants (SciPy's constructors call NumPy's
    functions, traced there): their values; a traced value is refused."""
    if hasattr(matrix, TRIPLETS):
        return _triplets_dense(matrix)
    traced = {k: v for k, v in vars(matrix).items() if lax.is_tracer(v)}
    known = {k: v.constant_value() for k, v in traced.items()}
    if any(v is None for v in known.values()):
        raise errors.unsupported("a scipy.sparse matrix built from traced values, applied "
                                 "(build it from constants, or use a dense array)")
    if known:
        matrix = copy.copy(matrix)
        matrix.__dict__.update(known)
    return host_ops.untraced(matrix.toarray)


def _product(original: Callable, left: bool) -> Callable:
    """`_spbase._matmul_dispatch` (`A @ x`, `A.dot(x)`, a sparse matrix's `A * x`) and its
    reflected twin, for a traced dense operand."""
    @functools.wraps(original)
    def dispatch(self, other):
        if not lax.is_tracer(other) or other.ndim == 0:
            return original(self, other)
        dense = _dense(self)
        return np.matmul(dense, other) if left else np.matmul(other, dense)

    return dispatch


def _spsolve(original: Callable) -> Callable:
    @functools.wraps(original)
    def spsolve(A, b, permc_spec=None, use_umfpack=True):
        if not lax.is_tracer(b) and not hasattr(A, TRIPLETS):
            return original(A, b, permc_spec, use_umfpack)
        if lax.is_tracer(A) or not hasattr(A, "toarray"):
            raise errors.unsupported("scipy.sparse.linalg.spsolve of a matrix other than a "
                                     "sparse one, with a traced right-hand side")
        return np.linalg.solve(_dense(A), lax.lift(b))

    return spsolve


def _built_from_triplets(original: Callable) -> Callable:
    """`__init__` of the COO and compressed formats: `(data, (row, col))` holding a traced
    value, with `shape=`, keeps its triplets; anything else is SciPy's."""
    @functools.wraps(original)
    def init(self, arg1, shape=None, dtype=None, copy=False, **kwargs):
        if not (isinstance(arg1, tuple) and len(arg1) == 2 and isinstance(arg1[1], tuple)
                and len(arg1[1]) == 2 and lax.holds_tracer(arg1)):
            return original(self, arg1, shape=shape, dtype=dtype, copy=copy, **kwargs)
        if shape is None:
            raise errors.data_dependent("A scipy.sparse matrix of traced triplets without "
                                        "shape= (its shape is the largest index)",
                                        "pass shape=")
        data, row, col = (lax.lift(v) for v in (arg1[0], *arg1[1]))
        if row.dtype.kind not in "iu" or col.dtype.kind not in "iu":
            raise TypeError("row and column indices must be integers")
        self.__class__ = _with_triplets(type(self))
        self._shape = tuple(int(n) for n in shape)
        self.__dict__[TRIPLETS] = (data, np.ravel(row), np.ravel(col))
        self.__dict__["_tracenp_dtype"] = np.dtype(dtype if dtype is not None else data.dtype)
        self.maxprint = kwargs.get("maxprint")

    return init


def routes() -> list:
    """What a trace replaces in `scipy.sparse` (`trace._late_routes`)."""
    from scipy.sparse._base import _spbase
    from scipy.sparse._compressed import _cs_matrix
    from scipy.sparse._coo import _coo_base

    return [(_spbase, {"_matmul_dispatch": _product(_spbase._matmul_dispatch, True),
                       "_rmatmul_dispatch": _product(_spbase._rmatmul_dispatch, False)}),
            (_coo_base, {"__init__": _built_from_triplets(_coo_base.__init__)}),
            (_cs_matrix, {"__init__": _built_from_triplets(_cs_matrix.__init__)})]


def linalg_routes() -> list:
    """What a trace replaces in `scipy.sparse.linalg`."""
    import scipy.sparse.linalg as sparse_linalg

    return [(sparse_linalg, {"spsolve": _spsolve(sparse_linalg.spsolve)})]
