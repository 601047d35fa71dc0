"""`scipy.linalg`'s functions of traced arrays, as SciPy computes them.

SciPy's functions convert their arguments with `np.asarray_chkfinite`, read `x.flags` and
call LAPACK's wrappers, which traced arrays refuse. While a trace runs, the names below are
replaced in `scipy.linalg` (`trace._late_routes`; a user module's `from scipy.linalg import
cho_solve` too): a call with a traced argument runs the version here, any other call
SciPy's own. Each version keeps SciPy's defaults (`cholesky` upper, `lu_factor`'s 0-based
pivots, `solve`'s `assume_a`), dtypes (LAPACK's: float16 and bool computed in float32,
integers in float64), shapes, result types (a list for a batch, a Python float where SciPy's
BLAS call returns one) and errors raised on arguments; `check_finite=True` raises SciPy's
ValueError when the function runs. The work is NumPy's LINALG routines (whose reference and
gradient `tracenp/linalg_ops.py` holds) and SciPy's own `solve_triangular`, `lu_factor`,
`expm` and `sqrtm` there.

Where SciPy picks a LAPACK driver by the values (`solve` and `inv` without `assume_a`), the
general one gives the same solution; `eigh` runs LAPACK's evd as NumPy does (SciPy's default
evr may give eigenvectors of the other sign; `driver="evd"` gives SciPy's bits), and `eig`'s
vectors are complex (SciPy's are real where every eigenvalue is). Singular and indefinite
matrices raise LinAlgError when the function runs, with NumPy's messages (`solve_triangular`'s
SciPy's); SciPy's ill-conditioning LinAlgWarning is not given.
"""

from __future__ import annotations

import operator
import warnings

import numpy as np

from .. import errors, lax
from ..linalg_ops import pivots_to_permutation
from ..shapes import broadcast_shapes
from .scipy_routes import when_traced

_UNSET = object()


# ----------------------------------------------------------------------------- helpers


def _static(v, what: str):
    """A flag or count the call needs at trace time (a traced Python scalar steers static)."""
    return lax.known(v, what).item() if lax.is_tracer(v) else v


def _validated(x, check_finite=True):
    """SciPy's `_asarray_validated`: the array, whose NaN or inf raises SciPy's ValueError
    when the function runs."""
    from .creation import asarray_chkfinite

    x = lax.lift(x)
    x = lax.cast(x, x.dtype) if x.weak else x
    return asarray_chkfinite(x) if _static(check_finite, "check_finite") else x


def _lapack_dtype(*xs) -> np.dtype:
    """The dtype SciPy's LAPACK wrappers compute in for these operands."""
    from scipy.linalg.blas import find_best_blas_type

    return np.dtype(find_best_blas_type(tuple(np.empty(0, x.dtype) for x in xs))[1])


def _lapack(*xs):
    dt = _lapack_dtype(*xs)
    return [lax.cast(x, dt) for x in xs]


def _cdsz(*xs) -> np.dtype:
    """`solve`'s `_ensure_dtype_cdsz`: single or double precision, real or complex."""
    dt = np.result_type(*(x.dtype for x in xs))
    if not np.issubdtype(dt, np.inexact):
        return np.dtype(np.float64)
    single = np.finfo(dt).bits <= 32
    if dt.kind == "c":
        return np.dtype(np.complex64 if single else np.complex128)
    return np.dtype(np.float32 if single else np.float64)


def _mT(x):
    return np.swapaxes(x, -1, -2)


def _conj(x):
    return np.conjugate(x) if x.dtype.kind == "c" else x


def _batched(x, core: int) -> bool:
    return x.ndim > core


def _rhs_core(b) -> int:
    """Core dims of a right-hand side, as SciPy's batching reads them: `(n,)` or `(n, k)`."""
    return 2 if b.ndim >= 2 else 1


def _outputs(results: tuple, batched: bool):
    """SciPy's batched functions return a list of their outputs, others a tuple."""
    return list(results) if batched else results


def _empty(shape, dtype):
    return lax.lift(np.zeros(shape, dtype))


def _square_core(x, message: str) -> None:
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(message)


def _trsm(a, b, lower: bool, trans: int = 0, unit: bool = False, check: bool = False):
    """op(T)^-1 b for the triangle T of `a` (LAPACK's trtrs with `check`, else trsm)."""
    return lax.linalg("solve_triangular", a, b, lower=bool(lower), trans=int(trans),
                      unit_diagonal=bool(unit), check=bool(check))


def _cholesky(a, lower: bool):
    """The factor from the triangle of `a` that LAPACK's potrf reads: NumPy's routine reads
    the lower one, so the upper factor is that of `a^H`, conjugate-transposed."""
    if lower:
        return lax.linalg("cholesky", a)
    return _conj(_mT(lax.linalg("cholesky", _conj(_mT(a)))))


def _cho_solve(c, lower: bool, b):
    """A x = b for A = L L^H (or U^H U): two triangular solves, as potrs does."""
    if lower:
        return _trsm(c, _trsm(c, b, True), True, trans=2)
    return _trsm(c, _trsm(c, b, False, trans=2), False)


def _symmetric(a, lower: bool, hermitian: bool):
    """The symmetric (Hermitian) matrix of one triangle of `a`, as sysv (hesv) reads it:
    a Hermitian diagonal's imaginary part is ignored."""
    n = a.shape[-1]
    part = np.tril(a, -1) if lower else np.triu(a, 1)
    diag = np.where(np.eye(n, dtype=bool), a, 0)
    if hermitian and a.dtype.kind == "c":
        return part + np.conjugate(_mT(part)) + lax.cast(np.real(diag), a.dtype)
    return part + _mT(part) + diag


def _band(a, below: int, above: int):
    n = a.shape[-1]
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    return np.where((i - j <= below) & (j - i <= above), a, 0)


# ----------------------------------------------------------------------------- solvers

_SOLVE = {None: "gen", "general": "gen", "gen": "gen", "banded": "gen", "diagonal": "diagonal",
          "tridiagonal": "tridiagonal", "upper triangular": "upper",
          "lower triangular": "lower", "pos": "pos", "positive definite": "pos",
          "sym": "sym", "symmetric": "sym", "her": "her", "hermitian": "her"}


def _structured_solve(a, b, structure: str, lower: bool, transposed: bool):
    """x of a x = b (a^T x = b) reading the part of `a` that SciPy's solver for the
    structure reads."""
    if structure in ("upper", "lower"):
        return _trsm(a, b, structure == "lower", trans=int(transposed), check=True)
    if structure == "pos":
        return _cho_solve(_cholesky(a, lower), lower, b)
    if structure in ("sym", "her"):
        a = _symmetric(a, lower, hermitian=structure == "her")
    elif structure == "diagonal":
        a = _band(a, 0, 0)
    elif structure == "tridiagonal":
        a = _band(a, 1, 1)
    return lax.linalg("solve", _mT(a) if transposed else a, b)


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a=None, transposed=False):
    structure = _SOLVE.get(assume_a, "unknown")
    if structure == "unknown":
        raise ValueError(f"{assume_a} is not a recognized matrix structure")
    lower, transposed = _static(lower, "lower"), _static(transposed, "transposed")
    a1, b1 = _validated(a, check_finite), _validated(b, check_finite)
    a1 = lax.reshape(a1, (1,) * (2 - a1.ndim) + a1.shape) if a1.ndim < 2 else a1
    b1 = lax.reshape(b1, (1,)) if b1.ndim == 0 else b1
    dt = _cdsz(a1, b1)
    a1, b1 = lax.cast(a1, dt), lax.cast(b1, dt)
    if a1.shape[-1] != a1.shape[-2]:
        raise ValueError(f"Expected square matrix, got a1.shape={a1.shape}")
    if dt.kind == "c" and transposed:
        raise NotImplementedError("scipy.linalg.solve can currently not solve a^T x = b or "
                                  "a^H x = b for complex matrices.")
    vec = b1.ndim == 1
    b1 = b1[:, None] if vec else b1
    if b1.shape[-2] != a1.shape[-1]:
        if a1.size != 1:
            raise ValueError(f"incompatible shapes: a1.shape={a1.shape} and b1.shape={b1.shape}")
        raise errors.unsupported("scipy.linalg.solve of a 1x1 matrix with a right-hand side of "
                                 f"{b1.shape[-2]} rows (use b / a)")
    batch = tuple(np.broadcast_shapes(a1.shape[:-2], b1.shape[:-2]))
    a1 = np.broadcast_to(a1, batch + a1.shape[-2:])
    b1 = np.broadcast_to(b1, batch + b1.shape[-2:])
    if a1.size == 0 or b1.size == 0:
        x = _empty(b1.shape, dt)
    else:
        x = _structured_solve(a1, b1, structure, bool(lower), bool(transposed))
    return x[..., 0] if vec else x


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    a1, b1 = _validated(a, check_finite), _validated(b, check_finite)
    _square_core(a1, "expected square matrix")
    rhs = b1.shape[-_rhs_core(b1):] if b1.ndim else b1.shape
    if not rhs or a1.shape[-2] != rhs[0]:
        raise ValueError(f"shapes of a {a1.shape[-2:]} and b {rhs} are incompatible")
    trans = {"N": 0, "T": 1, "C": 2}.get(trans, trans)
    if trans not in (0, 1, 2):
        raise ValueError(f"trans must be 0, 1, 2, 'N', 'T' or 'C', not {trans!r}")
    a1, b1 = _lapack(a1, b1)
    if b1.size == 0:
        batch = broadcast_shapes(a1.shape[:-2], b1.shape[:-_rhs_core(b1)])
        return _empty(batch + rhs, b1.dtype)
    return _trsm(a1, b1, _static(lower, "lower"), trans, _static(unit_diagonal,
                                                                "unit_diagonal"), check=True)


def solve_banded(l_and_u, ab, b, overwrite_ab=False, overwrite_b=False, check_finite=True):
    """The dense matrix of the bands of `ab` solved as SciPy's gbsv/gtsv solves it (LU with
    partial pivoting)."""
    nlower, nupper = (operator.index(_static(v, "(l, u)")) for v in l_and_u)
    a1, b1 = _validated(ab, check_finite), _validated(b, check_finite)
    a1, b1 = (lax.cast(x, np.float64) if x.dtype.kind in "biu" else x for x in (a1, b1))
    rhs = b1.shape[-_rhs_core(b1):] if b1.ndim else b1.shape
    if not rhs or a1.shape[-1] != rhs[0]:
        raise ValueError("shapes of ab and b are not compatible.")
    if nlower + nupper + 1 != a1.shape[-2]:
        raise ValueError("invalid values for the number of lower and upper diagonals: l+u+1 "
                         f"({nlower + nupper + 1}) does not equal ab.shape[0] ({a1.shape[-2]})")
    if b1.size == 0:
        return _empty(b1.shape, _cdsz(a1, b1))
    n = a1.shape[-1]
    if n == 1:  # SciPy divides in place: b's dtype, and no singularity test
        return lax.cast(b1 / a1[..., nupper, :], b1.dtype)
    a1, b1 = _lapack(a1, b1)
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    row = nupper + i - j
    inside = (row >= 0) & (row < nlower + nupper + 1)
    dense = np.where(inside, a1[..., np.clip(row, 0, nlower + nupper), j], 0)
    vec = b1.ndim == 1
    x = lax.linalg("solve", dense, b1[:, None] if vec else b1)
    return x[..., 0] if vec else x


_INV = {None: "gen", "general": "gen", "gen": "gen", "diagonal": "diagonal",
        "upper triangular": "upper", "lower triangular": "lower", "pos": "pos", "sym": "sym",
        "her": "her"}


def inv(a, overwrite_a=False, check_finite=True, *, assume_a=None, lower=False):
    a1 = _validated(a, check_finite)
    if a1.ndim < 2:
        raise ValueError(f"Expected at least ndim=2, got a1.ndim={a1.ndim}")
    if a1.shape[-1] != a1.shape[-2]:
        raise ValueError(f"Expected square matrix, got a1.shape={a1.shape}")
    (a1,) = _lapack(a1)
    if a1.size == 0:
        return _empty(a1.shape, a1.dtype)
    structure = _INV[assume_a]
    lower = bool(_static(lower, "lower"))
    eye = np.eye(a1.shape[-1], dtype=a1.dtype)
    if structure in ("upper", "lower"):
        return _trsm(a1, eye, structure == "lower", check=True)
    if structure == "pos":
        return _cho_solve(_cholesky(a1, lower), lower, eye)
    if structure == "diagonal":  # SciPy inverts the diagonal in place, the rest kept
        return np.where(np.eye(a1.shape[-1], dtype=bool), lax.linalg("inv", _band(a1, 0, 0)), a1)
    if structure in ("sym", "her"):
        a1 = _symmetric(a1, lower, hermitian=structure == "her")
    return lax.linalg("inv", a1)


def det(a, overwrite_a=False, check_finite=True):
    """In double precision, as SciPy returns it (single precision matrices are factored in
    double: SciPy factors them in single, so the two agree to single precision)."""
    a1 = _validated(a, check_finite)
    if a1.ndim < 2:
        raise ValueError("The input array must be at least two-dimensional.")
    if a1.shape[-1] != a1.shape[-2]:
        raise ValueError("Last 2 dimensions of the array must be square but received shape "
                         f"{a1.shape}.")
    if a1.dtype.char not in "fdFD":
        from scipy.linalg.lapack import _lapack_cast_dict

        if not _lapack_cast_dict.get(a1.dtype.char):
            raise TypeError(f"The dtype {a1.dtype} cannot be cast to float(32, 64) or "
                            "complex(64, 128).")
        a1 = lax.cast(a1, _lapack_cast_dict[a1.dtype.char][0])
    dt = np.dtype(np.complex128 if a1.dtype.kind == "c" else np.float64)
    if min(a1.shape) == 0:
        return lax.lift(np.ones(a1.shape[:-2], dt))
    a1 = lax.cast(a1, dt)
    if a1.shape[-2:] == (1, 1):
        r = a1[..., 0, 0]
        return r[()] if r.ndim == 0 else r
    return lax.linalg("det", a1)


def pinv(a, *, atol=None, rtol=None, return_rank=False, check_finite=True):
    """NumPy's routine where the cutoff is SciPy's default (the same one); else SciPy's
    steps: an SVD, singular values at or below `atol + rtol * max(s)` dropped."""
    a1 = _validated(a, check_finite)
    if a1.ndim < 2:
        raise ValueError("expected matrix")
    (a1,) = _lapack(a1)
    return_rank = _static(return_rank, "return_rank")
    if atol is None and rtol is None and not return_rank:
        return lax.linalg("pinv", a1)
    from .linalg import svd as np_svd

    u, s, vh = np_svd(a1, full_matrices=False)
    atol = 0.0 if atol is None else atol
    rtol = max(a1.shape[-2:]) * np.finfo(s.dtype).eps if rtol is None else rtol
    for tol in (atol, rtol):
        if lax.is_tracer(tol):
            lax.check(np.any(np.less(tol, 0.0)), "ValueError",
                      "atol and rtol values must be positive.")
        elif tol < 0.0:
            raise ValueError("atol and rtol values must be positive.")
    cutoff = np.add(atol, np.multiply(np.max(s, axis=-1, keepdims=True, initial=0.0), rtol))
    kept = np.greater(s, cutoff)
    inv_s = np.where(kept, np.true_divide(1, np.where(kept, s, 1)), 0)
    b = _conj(_mT(np.matmul(u * lax.cast(inv_s, u.dtype)[..., None, :], vh)))
    if not return_rank:
        return b
    rank = lax.cast(np.count_nonzero(kept, axis=-1), np.int64)
    return _outputs((b, rank), _batched(a1, 2))


def norm(a, ord=None, axis=None, keepdims=False, check_finite=True):
    """NumPy's norm; a Python float where SciPy's BLAS nrm2 or LAPACK lange answers (a
    vector's 2-norm; a matrix's 1- and inf-norms, a traced matrix being contiguous)."""
    from .linalg import norm as np_norm

    a1 = _validated(a, check_finite)
    ord = _static(ord, "`ord` of scipy.linalg.norm")
    r = np_norm(a1, ord=ord, axis=axis, keepdims=keepdims)
    blas = (a1.size and a1.dtype.char in "fdFD" and axis is None and not keepdims and (
        (a1.ndim == 1 and (ord is None or (not isinstance(ord, str) and ord == 2)))
        or (a1.ndim == 2 and not isinstance(ord, str) and ord in (1, np.inf))))
    return lax.python_scalar(r, np.float64) if blas else r


# ----------------------------------------------------------------------------- Cholesky


def _factor(a, lower, check_finite, clean: bool):
    a1 = _validated(a, check_finite)
    a1 = lax.reshape(a1, (1,) * (2 - a1.ndim) + a1.shape) if a1.ndim < 2 else a1
    if a1.shape[-1] != a1.shape[-2]:
        raise ValueError(f"Input array is expected to be square but has the shape: "
                         f"{a1.shape[-2:]}.")
    (a1,) = _lapack(a1)
    lower = bool(_static(lower, "lower"))
    if a1.size == 0:
        return _empty(a1.shape, a1.dtype), lower
    c = _cholesky(a1, lower)
    if not clean:  # potrf leaves the other triangle as it was
        c = c + (np.triu(a1, 1) if lower else np.tril(a1, -1))
    return c, lower


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    return _factor(a, lower, check_finite, clean=True)[0]


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    c, lower = _factor(a, lower, check_finite, clean=False)
    if not _batched(c, 2):
        return c, lower
    return [c, np.full(c.shape[:-2], lower)]


def _one_flag(flag, what: str) -> bool:
    """`lower` of a factorization: a bool, or one per matrix of a batch (all alike)."""
    if lax.is_tracer(flag):
        flag = lax.known(flag, what)
    flags = np.unique(np.asarray(flag, dtype=bool))
    if flags.size > 1:
        raise errors.unsupported(f"{what} differing across a batch")
    return bool(flags[0]) if flags.size else False


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    c, lower = c_and_lower
    lower = _one_flag(lower, "cho_solve's `lower`")
    b1, c1 = _validated(b, check_finite), _validated(c, check_finite)
    if c1.ndim < 2 or c1.shape[-1] != c1.shape[-2]:
        raise ValueError("The factored matrix c is not square.")
    rhs = b1.shape[-_rhs_core(b1):] if b1.ndim else b1.shape
    if not rhs or c1.shape[-1] != rhs[0]:
        raise ValueError(f"incompatible dimensions ({c1.shape[-2:]} and {rhs})")
    c1, b1 = _lapack(c1, b1)
    if b1.size == 0:
        return _empty(b1.shape, b1.dtype)
    return _cho_solve(c1, lower, b1)


# ----------------------------------------------------------------------------- LU


def _lu(a1):
    """(lu, piv) of getrf, as `lu_factor` returns them."""
    return lax.linalg("lu_factor", a1, out=0), lax.linalg("lu_factor", a1, out=1)


def _permutation(piv, rows: int):
    """(perm, inverse) of LAPACK's pivots: `A[perm] = L U` and `A = L[inverse] U`."""
    if not lax.is_tracer(piv):
        return tuple(lax.lift(p) for p in pivots_to_permutation(np.asarray(piv), rows))
    piv = lax.cast(piv, np.int32)
    return tuple(lax.linalg("lu_permutation", piv, out=i, rows=rows) for i in (0, 1))


def _rows(x, order):
    """`x[..., order, :]` for each matrix of a batch."""
    return np.take_along_axis(x, order[..., :, None], axis=-2)


def lu_factor(a, overwrite_a=False, check_finite=True):
    a1 = _validated(a, check_finite)
    if a1.ndim < 2:
        raise ValueError("expected a 2-D array")
    (a1,) = _lapack(a1)
    if a1.size == 0:
        return _empty(a1.shape, a1.dtype), lax.lift(np.arange(0, dtype=np.int32))
    return _outputs(_lu(a1), _batched(a1, 2))


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """getrs's steps: the pivoting's row order, then the two triangles of `lu` (or, for
    a^T x = b, the triangles transposed, then the rows put back)."""
    lu, piv = lu_and_piv
    b1 = _validated(b, check_finite)
    lu1, piv1 = lax.lift(lu), lax.lift(piv) if lax.is_tracer(piv) else np.asarray(piv)
    rhs = b1.shape[-_rhs_core(b1):] if b1.ndim else b1.shape
    if lu1.ndim < 2 or not rhs or lu1.shape[-2] != rhs[0]:
        raise ValueError(f"Shapes of lu {lu1.shape[-2:]} and b {rhs} are incompatible")
    _square_core(lu1, "expected square matrix")
    trans = _static(trans, "trans")
    if trans not in (0, 1, 2):
        raise ValueError(f"trans must be 0, 1 or 2, not {trans!r}")
    lu1, b1 = _lapack(lu1, b1)
    if b1.size == 0:
        return _empty(b1.shape, b1.dtype)
    n = lu1.shape[-1]
    vec = b1.ndim == 1
    bm = b1[:, None] if vec else b1
    batch = broadcast_shapes(lu1.shape[:-2], piv1.shape[:-1], bm.shape[:-2])
    lu1 = np.broadcast_to(lu1, batch + (n, n))
    bm = np.broadcast_to(bm, batch + bm.shape[-2:])
    perm, back = (np.broadcast_to(p, batch + (n,)) for p in _permutation(piv1, n))
    if trans == 0:
        x = _trsm(lu1, _trsm(lu1, _rows(bm, perm), True, unit=True), False)
    else:
        x = _rows(_trsm(lu1, _trsm(lu1, bm, False, trans), True, trans, unit=True), back)
    return x[..., 0] if vec else x


def lu(a, permute_l=False, overwrite_a=False, check_finite=True, p_indices=False):
    a1 = _validated(a, check_finite)
    if a1.ndim < 2:
        raise ValueError("The input array must be at least two-dimensional.")
    (a1,) = _lapack(a1)
    permute_l, p_indices = _static(permute_l, "permute_l"), _static(p_indices, "p_indices")
    *nd, m, n = a1.shape
    nd, k = tuple(nd), min(m, n)
    real = np.dtype(np.float32 if a1.dtype.char in "fF" else np.float64)
    if min(a1.shape) == 0:
        low, up = _empty(nd + (m, k), a1.dtype), _empty(nd + (k, n), a1.dtype)
        if permute_l:
            return low, up
        return (_empty(nd + (0,), np.int32) if p_indices else _empty(nd + (0, 0), real)), low, up
    if (m, n) == (1, 1):
        ones = np.ones_like(a1)
        if permute_l:
            return ones, a1
        return (_empty(nd + (m,), np.int_) if p_indices else ones), ones, a1
    packed, piv = _lu(a1)
    low = np.tril(packed[..., :, :k], -1) + np.eye(m, k, dtype=a1.dtype)
    up = np.triu(packed[..., :k, :])
    p = _permutation(piv, m)[1]
    if permute_l:
        return _rows(low, p), up
    if p_indices:
        return p, low, up
    return lax.cast(np.equal(p[..., :, None], np.arange(m)), real), low, up


# ----------------------------------------------------------------------------- QR, SVD


def qr(a, overwrite_a=False, lwork=None, mode="full", pivoting=False, check_finite=True):
    from .linalg import qr as np_qr

    if mode not in ["full", "qr", "r", "economic", "raw"]:
        raise ValueError("Mode argument should be one of ['full', 'r', 'economic', 'raw']")
    a1 = _validated(a, check_finite)
    if a1.ndim < 2:
        raise ValueError("expected a 2-D array")
    if _static(pivoting, "pivoting"):
        raise errors.unsupported("scipy.linalg.qr(pivoting=True) (LAPACK's geqp3) of a traced "
                                 "array")
    if mode == "raw":
        raise errors.unsupported("scipy.linalg.qr(mode='raw') (Householder reflectors) of a "
                                 "traced array; use mode='economic'")
    (a1,) = _lapack(a1)
    batched = _batched(a1, 2)
    m, n = a1.shape[-2:]
    if a1.size == 0:
        eye = lax.lift(np.broadcast_to(np.eye(m, dtype=a1.dtype), a1.shape[:-2] + (m, m)))
        q, r = (eye, _empty(a1.shape, a1.dtype)) if mode != "economic" else (
            _empty(a1.shape[:-2] + (m, min(m, n)), a1.dtype),
            _empty(a1.shape[:-2] + (min(m, n), n), a1.dtype))
    elif mode == "r":  # the reduced R (the same bits), and rows of zeros below
        r = np_qr(a1, mode="r")
        r = np.concatenate([r, np.zeros_like(a1[..., n:, :])], axis=-2) if m > n else r
    else:
        q, r = np_qr(a1, mode="reduced" if mode == "economic" else "complete")
    if mode == "r":
        return r if batched else (r,)
    return _outputs((q, r), batched)


def svd(a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True,
        lapack_driver="gesdd"):
    from .linalg import svd as np_svd

    a1 = _validated(a, check_finite)
    if a1.ndim < 2:
        raise ValueError("expected matrix")
    if not isinstance(lapack_driver, str):
        raise TypeError("lapack_driver must be a string")
    if lapack_driver not in ("gesdd", "gesvd"):
        raise ValueError(f'lapack_driver must be "gesdd" or "gesvd", not "{lapack_driver}"')
    full, compute_uv = _static(full_matrices, "full_matrices"), _static(compute_uv, "compute_uv")
    if lapack_driver == "gesvd" and compute_uv:
        raise errors.unsupported("scipy.linalg.svd(lapack_driver='gesvd') of a traced array "
                                 "(its singular vectors may differ from gesdd's in sign; "
                                 "use the default driver)")
    (a1,) = _lapack(a1)
    if a1.size == 0:
        raise errors.unsupported("scipy.linalg.svd of an empty traced matrix")
    if not compute_uv:
        return np_svd(a1, compute_uv=False)
    return _outputs(tuple(np_svd(a1, full_matrices=bool(full))), _batched(a1, 2))


def svdvals(a, overwrite_a=False, check_finite=True):
    return svd(a, compute_uv=False, check_finite=check_finite)


# ----------------------------------------------------------------------------- eigenproblems

_DRIVERS = [None, "ev", "evd", "evr", "evx", "gv", "gvd", "gvx"]


def _eigh_arguments(b, driver, type, subset_by_index, subset_by_value, n: int):
    """SciPy's checks of eigh's options, with its messages; the index range, or None."""
    if driver not in _DRIVERS:
        raise ValueError('"{}" is unknown. Possible values are "None", "{}".'.format(
            driver, '", "'.join(_DRIVERS[1:])))
    if b is not None and type not in [1, 2, 3]:
        raise ValueError('"type" keyword only accepts 1, 2, and 3.')
    subset = subset_by_index is not None or subset_by_value is not None
    if subset_by_index and subset_by_value:
        raise ValueError("Either index or value subset can be requested.")
    if driver and b is None and driver in ["gv", "gvd", "gvx"]:
        raise ValueError(f"{driver} requires input b array to be supplied for generalized "
                         "eigenvalue problems.")
    if driver and b is not None and driver in ["ev", "evd", "evr", "evx"]:
        raise ValueError(f'"{driver}" does not accept input b array for standard eigenvalue '
                         "problems.")
    if driver and subset and driver in ["ev", "evd", "gv", "gvd"]:
        raise ValueError(f'"{driver}" cannot compute subsets of eigenvalues')
    if subset_by_value:
        raise errors.data_dependent("scipy.linalg.eigh(subset_by_value=...)",
                                    "take all eigenvalues and select them with np.where, or "
                                    "use subset_by_index")
    if not subset_by_index:
        return None
    lo, hi = (int(_static(x, "subset_by_index")) for x in subset_by_index)
    if not 0 <= lo <= hi < n:
        raise ValueError("Requested eigenvalue indices are not valid. Valid range is "
                         f"[0, {n - 1}] and start <= end, but start={lo}, end={hi} is given")
    return lo, hi


def _generalized_eigh(a, b, lower: bool, kind: int):
    """A v = w B v (kind 1), A B v = w v (2), B A v = w v (3) by B's Cholesky factor, as
    LAPACK's sygvd reduces them; vectors normalized as it does (v^H B v = I, or
    v^H B^-1 v = I for kind 3)."""
    from .linalg import eigh as np_eigh

    factor = _cholesky(b, lower)
    low = factor if lower else _conj(_mT(factor))  # B = L L^H
    a = _symmetric(a, lower, hermitian=True)
    if kind == 1:
        c = _trsm(low, _conj(_mT(_trsm(low, a, True))), True)
    else:
        c = _conj(_mT(low)) @ a @ low
    w, u = np_eigh(c)
    return w, (low @ u if kind == 3 else _trsm(low, u, True, trans=2))


def eigh(a, b=None, *, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False,
         type=1, check_finite=True, subset_by_index=None, subset_by_value=None, driver=None):
    from .linalg import eigh as np_eigh

    a1 = _validated(a, check_finite)
    _square_core(a1, 'expected square "a" matrix')
    b1 = None if b is None else _validated(b, check_finite)
    if b1 is not None:
        _square_core(b1, 'expected square "b" matrix')
        if b1.shape[-2:] != a1.shape[-2:]:
            raise ValueError(f"wrong b dimensions {b1.shape[-2:]}, should be {a1.shape[-2:]}")
    n = a1.shape[-1]
    subset = _eigh_arguments(b, driver, type, subset_by_index, subset_by_value, n)
    lower, vals_only = bool(_static(lower, "lower")), _static(eigvals_only, "eigvals_only")
    if n == 0:
        raise errors.unsupported("scipy.linalg.eigh of an empty traced matrix")
    batched = _batched(a1, 2) or (b1 is not None and _batched(b1, 2))
    if b1 is None:  # SciPy's driver (evr by default): its eigenvectors' signs
        (a1,) = _lapack(a1)
        uplo, drv = "L" if lower else "U", driver or "evr"
        w, v = (lax.linalg("eigh", a1, out=k, UPLO=uplo, driver=drv) for k in (0, 1))
    else:
        a1, b1 = _lapack(a1, b1)
        batch = broadcast_shapes(a1.shape[:-2], b1.shape[:-2])
        a1, b1 = (np.broadcast_to(x, batch + (n, n)) for x in (a1, b1))
        w, v = _generalized_eigh(a1, b1, lower, type)
    if subset is not None:
        w, v = w[..., subset[0]:subset[1] + 1], v[..., subset[0]:subset[1] + 1]
    return w if vals_only else _outputs((w, v), batched)


def eigvalsh(a, b=None, *, lower=True, overwrite_a=False, overwrite_b=False, type=1,
             check_finite=True, subset_by_index=None, subset_by_value=None, driver=None):
    return eigh(a, b=b, lower=lower, eigvals_only=True, type=type, check_finite=check_finite,
                subset_by_index=subset_by_index, subset_by_value=subset_by_value,
                driver=driver)


def eig(a, b=None, left=False, right=True, overwrite_a=False, overwrite_b=False,
        check_finite=True, homogeneous_eigvals=False):
    """NumPy's traced `eig` (geev, as SciPy's); the eigenvalues complex, as SciPy's. The
    generalized problem and left eigenvectors are SciPy's own, run on the host, their
    eigenvectors complex as the traced ones are."""
    from .linalg import eig as np_eig, eigvals as np_eigvals

    left, right = _static(left, "left"), _static(right, "right")
    if b is not None or left:
        from .scipy_host import host

        return host(_complex_eig, "scipy.linalg.eig", (a,), {
            "b": b, "left": left, "right": right, "check_finite": check_finite,
            "homogeneous_eigvals": homogeneous_eigvals}, typical=True)
    a1 = _validated(a, check_finite)
    _square_core(a1, "expected square matrix")
    (a1,) = _lapack(a1)
    if a1.size == 0:
        raise errors.unsupported("scipy.linalg.eig of an empty traced matrix")
    if right:
        w, v = np_eig(a1)
    else:
        w, v = np_eigvals(a1), None
    w = lax.cast(w, np.result_type(a1.dtype, np.complex64))
    if _static(homogeneous_eigvals, "homogeneous_eigvals"):
        w = np.stack([w, np.ones_like(w)], axis=-2)
    return _outputs((w, v), _batched(a1, 2)) if right else w


def _complex_eig(a, **kwargs):
    """SciPy's `eig` with its eigenvectors complex, as the traced `eig`'s always are (SciPy's
    are real where every eigenvalue is: a type the values decide)."""
    import scipy.linalg

    result = scipy.linalg.eig(a, **kwargs)
    if not isinstance(result, tuple):
        return result
    return (result[0], *(np.asarray(v, np.result_type(v.dtype, np.complex64))
                         for v in result[1:]))


def eigvals(a, b=None, overwrite_a=False, check_finite=True, homogeneous_eigvals=False):
    return eig(a, b=b, left=False, right=False, check_finite=check_finite,
               homogeneous_eigvals=homogeneous_eigvals)


# ----------------------------------------------------------------------------- least squares


def _lstsq(a, b, cond):
    """SciPy's gelsd call on one matrix: (x, residues, rank, s)."""
    if a.ndim != 2:
        raise ValueError("Input array a should be 2D")
    m, n = a.shape
    if b.ndim == 0 or m != b.shape[0]:
        raise ValueError("Shape mismatch: a and b should have the same number of rows "
                         f"({m} != {b.shape[0] if b.ndim else b.shape}).")
    if m == 0 or n == 0:
        dt = np.common_type(np.empty(0, a.dtype), np.empty(0, b.dtype))
        resid = np.square(np.linalg.norm(b, axis=0)) if n == 0 else _empty((0,), np.float64)
        return (_empty((n,) + b.shape[1:], dt), resid, lax.python_scalar(0, np.int64),
                _empty((0,), np.float64))
    a, b = _lapack(a, b)
    cond = float(np.finfo(a.dtype).eps if cond is None else _static(cond, "cond"))
    x, resid, rank, s = (lax.linalg("lstsq", a, b, out=i, rcond=cond) for i in range(4))
    if m <= n:  # SciPy's empty residues have x's dtype
        resid = _empty((0,), a.dtype)
    elif b.ndim == 1:
        resid = lax.reshape(resid, ())
    return x, resid, lax.python_scalar(rank, np.int64), s


def lstsq(a, b, cond=None, overwrite_a=False, overwrite_b=False, check_finite=True,
          lapack_driver=None):
    driver = "gelsd" if lapack_driver is None else lapack_driver
    if driver not in ("gelsd", "gelsy", "gelss"):
        raise ValueError(f'LAPACK driver "{driver}" is not found')
    if driver != "gelsd":
        raise errors.unsupported(f"scipy.linalg.lstsq(lapack_driver={driver!r}) of traced "
                                 "arrays; use the default, 'gelsd'")
    a1, b1 = _validated(a, check_finite), _validated(b, check_finite)
    core = _rhs_core(b1)
    batch = tuple(np.broadcast_shapes(a1.shape[:-2], b1.shape[:-core]))
    if not batch:
        return _lstsq(a1, b1, cond)
    a1 = np.broadcast_to(a1, batch + a1.shape[-2:])
    b1 = np.broadcast_to(b1, batch + b1.shape[-core:])
    parts = zip(*(_lstsq(a1[i], b1[i], cond) for i in np.ndindex(batch)))
    return [lax.reshape(np.stack([lax.cast(v, np.int64) if k == 2 else v for v in part]),
                        batch + np.shape(part[0])) for k, part in enumerate(map(list, parts))]


# ----------------------------------------------------------------------------- matrix functions


def _one_element(a):
    """SciPy's answer for a one-element array of fewer than two dims: `[[exp(a.item())]]`
    (`expm`'s, and `sqrtm`'s too)."""
    dt = np.asarray(np.exp(np.zeros((), a.dtype).item())).dtype
    return lax.reshape(np.exp(lax.cast(a, dt)), (1, 1))


def _matrix_function_operand(a, name: str):
    if a.ndim < 2:
        from scipy.linalg import LinAlgError

        raise LinAlgError("The input array must be at least two-dimensional")
    if a.shape[-1] != a.shape[-2]:
        from scipy.linalg import LinAlgError

        raise LinAlgError("Last 2 dimensions of the array must be square")
    if a.dtype.char in "gG":
        raise errors.unsupported(f"scipy.linalg.{name} of a long double array")
    if a.dtype.kind in "biu":
        return lax.cast(a, np.float64)
    return lax.cast(a, np.float32) if a.dtype == np.float16 else a


def expm(A):
    """SciPy's own (Pade approximation with scaling and squaring), as one routine step."""
    a = _validated(A, False)
    if a.size == 1 and a.ndim < 2:
        return _one_element(a)
    if a.ndim >= 2 and a.shape[-2:] == (1, 1):
        return np.exp(a)
    a1 = _matrix_function_operand(a, "expm")
    if a1.size == 0:
        return _empty(a1.shape, a1.dtype)
    return lax.linalg("expm", a1)


def sqrtm(A, disp=_UNSET, blocksize=_UNSET):
    """SciPy's own, real for a real matrix (the step raises where SciPy's answer is
    complex: pass a complex matrix then); not differentiable."""
    for name, value in (("disp", disp), ("blocksize", blocksize)):
        if value is not _UNSET:
            warnings.warn(f"The `{name}` argument is deprecated and will be removed in SciPy "
                          "1.18.0.", DeprecationWarning, stacklevel=3)
    a = _validated(A, False)
    if a.size == 1 and a.ndim < 2:
        return _one_element(a)
    a1 = _matrix_function_operand(a, "sqrtm")
    if a1.size == 0:
        return _empty(a1.shape, a1.dtype)
    r = lax.linalg("sqrtm", a1, real=a1.dtype.kind != "c")
    if a1.shape[-2:] == (1, 1) and a.dtype.kind == "f":  # np.emath.sqrt keeps float16
        r = lax.cast(r, a.dtype)
    if disp is _UNSET or disp:
        return r
    from .linalg import norm as np_norm

    err = np.square(np_norm(r @ r - a, "fro")) / np_norm(a, "fro")
    return r, err


# ----------------------------------------------------------------------------- special matrices


def toeplitz(c, r=None):
    c = lax.lift(c)
    c = lax.reshape(c, (1,)) if c.ndim == 0 else c
    r = _conj(c) if r is None else lax.lift(r)
    r = lax.reshape(r, (1,)) if r.ndim == 0 else r
    batch = broadcast_shapes(c.shape[:-1], r.shape[:-1])
    c, r = np.broadcast_to(c, batch + c.shape[-1:]), np.broadcast_to(r, batch + r.shape[-1:])
    vals = np.concatenate([np.flip(c, axis=-1), r[..., 1:]], axis=-1)
    nc, nr = c.shape[-1], r.shape[-1]
    return vals[..., (nc - 1) - np.arange(nc)[:, None] + np.arange(nr)[None, :]]


def circulant(c):
    c = lax.lift(c)
    c = lax.reshape(c, (1,)) if c.ndim == 0 else c
    n = c.shape[-1]
    return c[..., (np.arange(n)[:, None] - np.arange(n)[None, :]) % n]


def hankel(c, r=None):
    c = lax.lift(c)
    r = np.zeros_like(c) if r is None else lax.lift(r)
    if c.ndim > 1 or r.ndim > 1:
        warnings.warn("Beginning in SciPy 1.19, multidimensional input will be treated as a "
                      "batch, not `ravel`ed. To preserve the existing behavior and silence "
                      "this warning, `ravel` arguments before passing them to `hankel`.",
                      FutureWarning, stacklevel=3)
        c, r = np.ravel(c), np.ravel(r)
    vals = np.concatenate([c, r[1:]])
    nc, nr = c.shape[0], r.shape[0]
    return vals[np.arange(nc)[:, None] + np.arange(nr)[None, :]]


# ----------------------------------------------------------------------------- routing

TRACED = {f.__name__: f for f in (
    solve, solve_triangular, solve_banded, inv, det, pinv, norm, cholesky, cho_factor,
    cho_solve, lu_factor, lu_solve, lu, qr, svd, svdvals, eigh, eigvalsh, eig, eigvals, lstsq,
    expm, sqrtm, toeplitz, circulant, hankel)}


def routes() -> list:
    """`scipy.linalg`'s functions replaced while a trace runs (`trace._late_routes`)."""
    import scipy.linalg as sla

    return [(sla, {name: when_traced(fn, getattr(sla, name)) for name, fn in TRACED.items()})]
