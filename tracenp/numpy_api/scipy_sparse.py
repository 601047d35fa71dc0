"""Constant `scipy.sparse` matrices applied to traced values.

Course code builds a sparse operator once from constants (`diags([1, -2, 1], [-1, 0, 1])`)
and applies it in a loop: `L @ u`, `A.dot(u)`, `spsolve(A, B @ u)` (Crank-Nicolson). SciPy
runs those in Cython on the vector's memory, which a traced array has not. While a trace
runs they are the dense products and solves of the matrix's `toarray()` (made by NumPy's
own functions): the same values up to the order of the sums. A sparse matrix built from
traced values stays refused (SciPy's constructors check and convert them).
"""

from __future__ import annotations

import copy
import functools
from typing import Callable

import numpy as np

from .. import errors, host_ops, lax


def _dense(matrix) -> np.ndarray:
    """The constant matrix as a NumPy array, made where NumPy's functions are its own. A
    matrix made in the function holds its arrays as traced constants (SciPy's constructors
    call NumPy's functions, traced there): their values; a traced value is refused."""
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
        if not lax.is_tracer(b):
            return original(A, b, permc_spec, use_umfpack)
        if lax.is_tracer(A) or not hasattr(A, "toarray"):
            raise errors.unsupported("scipy.sparse.linalg.spsolve of a matrix other than a "
                                     "sparse one, with a traced right-hand side")
        return np.linalg.solve(_dense(A), b)

    return spsolve


def routes() -> list:
    """What a trace replaces in `scipy.sparse` (`trace._late_routes`)."""
    import scipy.sparse.linalg as sparse_linalg
    from scipy.sparse._base import _spbase

    return [(_spbase, {"_matmul_dispatch": _product(_spbase._matmul_dispatch, True),
                       "_rmatmul_dispatch": _product(_spbase._rmatmul_dispatch, False)}),
            (sparse_linalg, {"spsolve": _spsolve(sparse_linalg.spsolve)})]
