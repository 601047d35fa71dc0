"""Constant `scipy.sparse` matrices applied to traced values.

Course code builds a sparse operator once from constants (`diags([1, -2, 1], [-1, 0, 1])`)
and applies it in a loop: `L @ u`, `A.dot(u)`, `spsolve(A, B @ u)` (Crank-Nicolson). SciPy
runs those in Cython on the vector's memory, which a traced array has not. While a trace
runs they are the dense products and solves of the matrix's `toarray()` (made by NumPy's
own functions): the same values up to the order of the sums.

A matrix built from traced triplets with its shape given, `coo_matrix((w, (i, j)),
shape=(n, n))` (scikit-learn's confusion matrix, a finite-element assembly, a graph's
adjacency), also `csr_`/`csc_` matrices and arrays, keeps its triplets (`TRIPLETS`): its
`toarray()` is `np.add.at` into zeros (duplicates summed, as SciPy sums them). A matrix of
a traced dense array (`csr_matrix(A)`), of traced diagonals (`diags([-k, 2 * k, -k], ...)`,
`spdiags(w, 0, n, n)`),
one that a traced value is written into (`K = lil_matrix((n, n)); K[i, j] += k`) and what
arithmetic makes of these (`A.T`, `0.1 * A`, `A + sp.identity(n)`, `A @ B`, `A[1:, 1:]`,
`A.tocsr()`) keep a traced dense array (`DENSE`). Products, sums, `spsolve`, slicing,
writes and conversions between formats go through that dense array (`todense()` and a
`*_matrix`'s sums are 2-d arrays, not `np.matrix`); what reads the nonzero structure
(`nnz`, `data`, `indices`) is refused by name, its size being the data's.
Other constructions from traced values stay refused (SciPy's constructors check and
convert them). `scipy.sparse.csgraph`'s paths, Laplacian and components of traced
adjacencies run on the host.
"""

from __future__ import annotations

import copy
import functools
from typing import Callable

import numpy as np

from .. import errors, host_ops, lax


TRIPLETS = "_tracenp_triplets"  # (data, row, col) of a matrix built from traced triplets
DENSE = "_tracenp_dense"  # the traced dense array of a matrix made otherwise


def _triplets_dense(matrix):
    dense = matrix.__dict__.get(DENSE)
    if dense is not None:
        return dense
    data, row, col = getattr(matrix, TRIPLETS)
    out = lax.lift(np.zeros(matrix.shape, matrix.dtype))
    np.add.at(out, (row, col), lax.cast(data, matrix.dtype))
    return out


def _traced_sparse(matrix) -> bool:
    return TRIPLETS in vars(matrix) or DENSE in vars(matrix)


def _backed(kind: type, dense, maxprint=None):
    """A matrix of class `kind` (a SciPy format) whose value is the traced 2-d `dense`."""
    dense = lax.lift(dense)
    matrix = object.__new__(_with_triplets(kind))
    _hold(matrix, dense)
    matrix.maxprint = maxprint
    return matrix


def _hold(matrix, dense) -> None:
    if dense.ndim != 2:
        raise errors.unsupported("a scipy.sparse matrix of traced values that is not 2-d")
    matrix._shape = dense.shape
    matrix.__dict__.pop(TRIPLETS, None)
    matrix.__dict__[DENSE] = dense
    matrix.__dict__["_tracenp_dtype"] = dense.dtype


def _format(matrix, name: str) -> type:
    """SciPy's class of format `name` of the same kind (`*_matrix` or `*_array`)."""
    import scipy.sparse as sparse

    return getattr(sparse, f"{name}_{'matrix' if isinstance(matrix, sparse.spmatrix) else 'array'}")


def _operand(other):
    """A sparse operand as its dense array; anything else as it is."""
    import scipy.sparse as sparse

    return _dense(other) if sparse.issparse(other) else other


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

    def asformat(self, format, copy=False):
        return self if format in (None, self.format) else \
            _backed(_format(self, format), _triplets_dense(self), self.maxprint)

    def tocsr(self, copy=False):
        return self.asformat("csr")

    def tocsc(self, copy=False):
        return self.asformat("csc")

    def tocoo(self, copy=False):
        return self.asformat("coo")

    def tolil(self, copy=False):
        return self.asformat("lil")

    def todia(self, copy=False):
        return self.asformat("dia")

    def copy(self):
        return _backed(type(self).__mro__[1], _triplets_dense(self), self.maxprint)

    def transpose(self, axes=None, copy=False):
        return _backed(type(self).__mro__[1], _triplets_dense(self).T, self.maxprint)

    T = property(transpose)

    def _same(self, dense):
        return _backed(type(self).__mro__[1], dense, self.maxprint)

    def _mul_scalar(self, other):
        return self._same(_triplets_dense(self) * other)

    def multiply(self, other):
        return self._same(_triplets_dense(self) * _operand(other))

    def __truediv__(self, other):
        return self._same(_triplets_dense(self) / other)

    def __neg__(self):
        return self._same(-_triplets_dense(self))

    def _sum_with(self, other, sign: int, reflected: bool):
        import scipy.sparse as sparse

        if np.isscalar(other) and not lax.is_tracer(other):
            if other != 0:
                raise NotImplementedError("adding a nonzero scalar to a sparse array is not "
                                          "supported")
            return self.copy() if not reflected or sign > 0 else -self
        a, b = _triplets_dense(self), _operand(other)
        value = (b - a if sign < 0 else b + a) if reflected else a + sign * b
        return self._same(value) if sparse.issparse(other) else value

    def __add__(self, other):
        return self._sum_with(other, 1, False)

    def __radd__(self, other):
        return self._sum_with(other, 1, True)

    def __sub__(self, other):
        return self._sum_with(other, -1, False)

    def __rsub__(self, other):
        return self._sum_with(other, -1, True)

    def _matmul_dispatch(self, other):
        import scipy.sparse as sparse

        if np.isscalar(other) or lax.is_tracer(other) and other.ndim == 0:
            return self._mul_scalar(other)
        product = np.matmul(_triplets_dense(self), _operand(other))
        return self._same(product) if sparse.issparse(other) else product

    def _rmatmul_dispatch(self, other):
        if np.isscalar(other) or lax.is_tracer(other) and other.ndim == 0:
            return self._mul_scalar(other)
        return np.matmul(other, _triplets_dense(self))

    def diagonal(self, k=0):
        return np.diagonal(_triplets_dense(self), k).copy()

    def __getitem__(self, key):
        """A 2-d part is a matrix of the same format, one element its value; a `*_matrix`'s
        row or column by an integer is a 1-by-n or n-by-1 matrix, as SciPy's."""
        import scipy.sparse as sparse

        keys = key if isinstance(key, tuple) else (key,)
        ints = [type(k) is int for k in keys]
        if isinstance(self, sparse.spmatrix) and 0 < sum(ints) < 2 and len(keys) <= 2:
            key = tuple(slice(k, k + 1 or None) if i else k for k, i in zip(keys, ints))
        part = _triplets_dense(self)[key]
        if part.ndim == 2:
            return self._same(part)
        if part.ndim == 0:
            return part
        raise errors.unsupported("a row or column of a scipy.sparse array of traced values "
                                 "by an integer (take A[i:i + 1] or A.toarray()[i])")

    def __setitem__(self, key, value):
        dense = _triplets_dense(self).copy()
        dense[key] = _operand(value)
        _hold(self, dense)

    def _unary(self, ufunc):
        """An elementwise function with f(0) = 0 (the zeros stay zeros), SciPy's too."""
        return self._same(ufunc(_triplets_dense(self)))

    def log1p(self):
        return self._unary(np.log1p)

    def expm1(self):
        return self._unary(np.expm1)

    def sqrt(self):
        return self._unary(np.sqrt)

    def sign(self):
        return self._unary(np.sign)

    def __abs__(self):
        return self._unary(np.abs)

    def power(self, n, dtype=None):
        return self._same(np.power(_triplets_dense(self), n))

    def _compared(self, other, op):
        return self._same(op(_triplets_dense(self), _operand(other)))

    def __gt__(self, other):
        return self._compared(other, np.greater)

    def __ge__(self, other):
        return self._compared(other, np.greater_equal)

    def __lt__(self, other):
        return self._compared(other, np.less)

    def __le__(self, other):
        return self._compared(other, np.less_equal)

    def _extreme(self, reduce, axis):
        """A `*_matrix`'s max or min along an axis is a 1-by-n or n-by-1 matrix; a sparse
        array's a vector; over all elements the value (the implicit zeros count)."""
        import scipy.sparse as sparse

        value = reduce(_triplets_dense(self), axis=axis, keepdims=axis is not None)
        if axis is None:
            return value
        return self._same(value) if isinstance(self, sparse.spmatrix) else value.reshape(-1)

    def max(self, axis=None, out=None, *, explicit=False):
        return self._extreme(np.max, axis)

    def min(self, axis=None, out=None, *, explicit=False):
        return self._extreme(np.min, axis)

    def getnnz(self, axis=None):
        """The stored elements of a matrix of a dense array: its nonzero ones (SciPy drops
        the zeros of a dense array); of triplets, refused (their duplicates and zeros)."""
        if TRIPLETS in vars(self):
            raise errors.unsupported("the stored elements of a scipy.sparse matrix of traced "
                                     "triplets")
        count = np.count_nonzero(_triplets_dense(self), axis=axis)
        return count if axis is None else lax.cast(count, np.int32)

    def count_nonzero(self, axis=None):
        return np.count_nonzero(_triplets_dense(self), axis=axis)

    def sum_duplicates(self):
        return None

    eliminate_zeros = sort_indices = sum_duplicates

    @property
    def dtype(self):
        return self._tracenp_dtype

    def __getattr__(self, name: str):
        """Its structure is refused by name; made of Python scalar arguments alone (a grid
        step `h` of the argument `a`), those are made static first (`lax.steer`)."""
        if name.startswith("__"):
            raise AttributeError(name)
        what = (f"{name} of a scipy.sparse matrix built from traced values (its toarray(), "
                "products, sums and spsolve trace)")
        lax.steer([*vars(self).get(TRIPLETS, ()), vars(self).get(DENSE)], what)
        raise errors.unsupported(what)


_TRIPLET_CLASSES: dict = {}
_DUNDERS = ("__getattr__", "__truediv__", "__neg__", "__add__", "__radd__", "__sub__",
            "__rsub__", "__getitem__", "__setitem__", "__abs__", "__gt__", "__ge__", "__lt__",
            "__le__")


def _with_triplets(cls: type) -> type:
    if cls not in _TRIPLET_CLASSES:
        own = {k: v for k, v in vars(_Triplets).items()
               if not k.startswith("__") or k in _DUNDERS}
        _TRIPLET_CLASSES[cls] = type(cls.__name__, (cls,), {
            **own, "__module__": cls.__module__, "__qualname__": cls.__qualname__,
            "__slots__": ()})  # (its layout: `__class__` is assigned)
    return _TRIPLET_CLASSES[cls]


def _dense(matrix) -> np.ndarray:
    """The matrix as an array: of traced triplets, summed into zeros; else the constant
    matrix as a NumPy array, made where NumPy's functions are its own. A matrix made in the
    function holds its arrays as traced constants (SciPy's constructors call NumPy's
    functions, traced there): their values; a traced value is refused."""
    if _traced_sparse(matrix):
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
        if getattr(other, "__dict__", None) is not None and _traced_sparse(other):
            product = np.matmul(_dense(self), _dense(other)) if left else \
                np.matmul(_dense(other), _dense(self))
            return _backed(type(other).__mro__[1], product, other.maxprint)
        if not lax.is_tracer(other) or other.ndim == 0:
            return original(self, other)
        dense = _dense(self)
        return np.matmul(dense, other) if left else np.matmul(other, dense)

    return dispatch


def _spsolve(original: Callable) -> Callable:
    @functools.wraps(original)
    def spsolve(A, b, permc_spec=None, use_umfpack=True):
        if not lax.is_tracer(b) and not _traced_sparse(A):
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
        if lax.is_tracer(arg1) or getattr(arg1, "__dict__", None) is not None and \
                _traced_sparse(arg1):  # csr_matrix(A) of a traced array, or a conversion
            dense = _operand(arg1)
            self.__class__ = _with_triplets(type(self))
            _hold(self, lax.cast(dense, dtype) if dtype is not None else dense)
            self.maxprint = kwargs.get("maxprint")
            return None
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


def _deferring(original: Callable, name: str) -> Callable:
    """`A + B`, `A - B`, `A.multiply(B)` of a constant `A` and a matrix `B` of traced values:
    `B`'s own (reflected) operation, SciPy's would read `B`'s structure."""
    @functools.wraps(original)
    def op(self, other):
        if getattr(other, "__dict__", None) is not None and _traced_sparse(other) and \
                not _traced_sparse(self):
            return getattr(other, name)(self)
        return original(self, other)

    return op


def _written(original: Callable) -> Callable:
    """`__setitem__` of a LIL or DOK matrix (an assembly, `K[i, j] += k`): a traced key or
    value makes the matrix one of a traced dense array, written as the array is."""
    @functools.wraps(original)
    def setitem(self, key, value):
        if not lax.holds_tracer((key, value)) or _traced_sparse(self):
            return original(self, key, value)
        dense = lax.lift(host_ops.untraced(self.toarray))
        maxprint = getattr(self, "maxprint", None)
        self.__class__ = _with_triplets(type(self))
        _hold(self, dense)
        self.maxprint = maxprint
        self[key] = value

    return setitem


def _diagonals(original: Callable, array: bool) -> Callable:
    """`diags(diagonals, offsets, shape)` of traced diagonals (a stiffness matrix's bands):
    SciPy's layout, each diagonal from its first row or column, a one-element one
    broadcast along it."""
    import scipy.sparse as sparse

    @functools.wraps(original)
    def diags(diagonals, *args, **kwargs):
        if not lax.holds_tracer(diagonals):
            return original(diagonals, *args, **kwargs)
        bound = dict(zip(("offsets", "shape", "format", "dtype"), args), **kwargs)
        offsets = bound.get("offsets", 0)
        if np.isscalar(offsets):
            diagonals, offsets = [diagonals], [offsets]
        diagonals = [np.atleast_1d(lax.lift(d)) for d in diagonals]
        if len(diagonals) != len(offsets):
            raise ValueError("Different number of diagonals and offsets.")
        shape = bound.get("shape")
        if shape is None:
            m = diagonals[0].shape[0] + abs(int(offsets[0]))
            shape = (m, m)
        dtype = bound.get("dtype")
        dtype = np.result_type(*(d.dtype for d in diagonals)) if dtype in (None, np._NoValue) \
            or not isinstance(dtype, (type, np.dtype, str)) else np.dtype(dtype)
        dense = lax.lift(np.zeros(shape, dtype))
        for d, k in zip(diagonals, offsets):
            i0, j0 = max(0, -int(k)), max(0, int(k))
            n = min(shape[0] - i0, shape[1] - j0)
            if d.shape[0] != 1 and d.shape[0] < n:
                raise ValueError(f"Diagonal length (index {len(offsets)}: {d.shape[0]} at "
                                 f"offset {k}) does not agree with array size ({shape}).")
            rows = np.arange(n)
            dense[i0 + rows, j0 + rows] = lax.cast(d if d.shape[0] == 1 else d[:n], dtype)
        fmt = bound.get("format") or "dia"
        return _backed(getattr(sparse, f"{fmt}_{'array' if array else 'matrix'}"), dense)

    return diags


def _dia_built(original: Callable) -> Callable:
    """`dia_matrix((data, offsets), shape=(m, n))` of traced `data` (so `spdiags(w, 0, L, L)`,
    the ALS baseline's weights): element `(j - offsets[k], j)` is `data[k, j]`."""
    @functools.wraps(original)
    def init(self, arg1, shape=None, dtype=None, copy=False, **kwargs):
        if not (isinstance(arg1, tuple) and len(arg1) == 2 and lax.is_tracer(arg1[0])):
            return original(self, arg1, shape=shape, dtype=dtype, copy=copy, **kwargs)
        if shape is None:
            raise errors.data_dependent("A dia_matrix of traced data without shape=",
                                        "pass shape=")
        data = lax.lift(arg1[0])
        data = data.reshape(1, -1) if data.ndim == 1 else data
        offsets = np.atleast_1d(np.asarray(arg1[1], dtype=np.intp))
        m, n = (int(d) for d in shape)
        dense = lax.lift(np.zeros((m, n), dtype if dtype is not None else data.dtype))
        for k, d in enumerate(offsets):
            cols = np.arange(max(0, int(d)), min(n, m + int(d), data.shape[1]))
            if cols.size:
                dense[cols - int(d), cols] = data[k, cols]
        self.__class__ = _with_triplets(type(self))
        _hold(self, dense)
        self.maxprint = kwargs.get("maxprint")

    return init


def routes() -> list:
    """What a trace replaces in `scipy.sparse` (`trace._late_routes`)."""
    import scipy.sparse as sparse
    from scipy.sparse._base import _spbase
    from scipy.sparse._compressed import _cs_matrix
    from scipy.sparse._coo import _coo_base
    from scipy.sparse._dia import _dia_base
    from scipy.sparse._index import IndexMixin
    from scipy.sparse._lil import _lil_base

    reflected = {"__add__": "__radd__", "__sub__": "__rsub__", "__radd__": "__add__",
                 "__rsub__": "__sub__", "multiply": "multiply"}
    return [(_spbase, {"_matmul_dispatch": _product(_spbase._matmul_dispatch, True),
                       "_rmatmul_dispatch": _product(_spbase._rmatmul_dispatch, False),
                       **{name: _deferring(vars(_spbase)[name], other)
                          for name, other in reflected.items()}}),
            (_coo_base, {"__init__": _built_from_triplets(_coo_base.__init__)}),
            (_cs_matrix, {"__init__": _built_from_triplets(_cs_matrix.__init__)}),
            (_lil_base, {"__setitem__": _written(_lil_base.__setitem__)}),
            (_dia_base, {"__init__": _dia_built(_dia_base.__init__)}),
            (IndexMixin, {"__setitem__": _written(IndexMixin.__setitem__)}),
            (sparse, {"diags": _diagonals(sparse.diags, False),
                      "diags_array": _diagonals(sparse.diags_array, True)})]


CSGRAPH = ("shortest_path", "floyd_warshall", "dijkstra", "bellman_ford", "johnson",
           "laplacian", "connected_components")


def csgraph_routes() -> list:
    """`scipy.sparse.csgraph`'s paths, Laplacian and components of a traced adjacency (a
    dense array, or a matrix of traced values) on the host: their results' shapes are the
    graph's node count."""
    import scipy.sparse.csgraph as csgraph

    from .scipy_host import _route

    def dense_first(fn: Callable, name: str) -> Callable:
        route = _route(fn, f"scipy.sparse.csgraph.{name}", typical=True)

        @functools.wraps(fn)
        def call(csgraph, *args, **kwargs):
            if getattr(csgraph, "__dict__", None) is None or not _traced_sparse(csgraph):
                return route(csgraph, *args, **kwargs)
            result = route(_dense(csgraph), *args, **kwargs)  # a sparse graph's Laplacian
            return _backed(_format(csgraph, "coo"), result) if name == "laplacian" and \
                not kwargs.get("return_diag") else result  # is sparse (COO)

        return call

    return [(csgraph, {name: dense_first(getattr(csgraph, name), name) for name in CSGRAPH})]


def linalg_routes() -> list:
    """What a trace replaces in `scipy.sparse.linalg`."""
    import scipy.sparse.linalg as sparse_linalg

    return [(sparse_linalg, {"spsolve": _spsolve(sparse_linalg.spsolve)})]
