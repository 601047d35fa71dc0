"""The LINALG library primitive: `np.linalg` routines run whole, as one step.

One op with params `name` and `out` (which output of a multi-output routine);
backends call a linear-algebra library rather than generate code for these.
Inputs are already float32/float64/complex (the front end casts integers).

`eig`/`eigvals` are complex: NumPy drops a zero imaginary part, so its dtype depends on the
values; with `real=True` (a matrix symmetric by construction) they are real, and the step
raises if the eigenvalues come out complex. `lstsq`'s residuals have NumPy's full-rank shape;
where the matrix turns out rank-deficient NumPy returns none, and the step raises instead of
giving another shape.

`solve_triangular`, `lu_factor`, `lu_permutation`, `expm` and `sqrtm` are SciPy's routines
(`tracenp/numpy_api/scipy_linalg.py` composes `scipy.linalg` from them and NumPy's): their
references call SciPy, so the values are SciPy's own.
"""

from __future__ import annotations

import numpy as np

from .shapes import broadcast_shapes, real_dtype

LINALG = ("solve", "inv", "det", "slogdet", "cholesky", "svd", "qr", "eigh", "eigvalsh",
          "eig", "eigvals", "lstsq", "pinv", "matrix_rank", "cond", "solve_triangular",
          "lu_factor", "lu_permutation", "expm", "sqrtm")


def _square(a, name):
    if a.ndim < 2 or (a.shape[-1] is not None and a.shape[-2] is not None
                      and a.shape[-1] != a.shape[-2]):
        raise np.linalg.LinAlgError(
            f"Last 2 dimensions of the array must be square ({name} got shape {a.shape})")


def infer_linalg(srcs, p):
    name, out = p["name"], p["out"]
    a = srcs[0]
    if name == "lu_permutation":  # pivots (..., k) -> the row order and its inverse (..., m)
        return np.dtype(np.int32), a.shape[:-1] + (p["rows"],), False
    if a.ndim < 2:
        raise np.linalg.LinAlgError(f"{a.ndim}-dimensional array given. Array must be at "
                                    "least two-dimensional")
    real = real_dtype(a.dtype)
    batch, (m, n) = a.shape[:-2], a.shape[-2:]
    k = None if m is None or n is None else min(m, n)
    if name in ("solve", "solve_triangular"):
        _square(a, name)
        b = srcs[1]
        if b.ndim == 1:
            return a.dtype, a.shape[:-1], False
        return a.dtype, broadcast_shapes(batch, b.shape[:-2]) + b.shape[-2:], False
    if name in ("inv", "cholesky", "expm", "sqrtm"):
        _square(a, name)
        return a.dtype, a.shape, False
    if name == "lu_factor":
        return (a.dtype, a.shape, False) if out == 0 else (np.dtype(np.int32), batch + (k,), False)
    if name == "det":
        _square(a, name)
        return a.dtype, batch, False
    if name == "slogdet":
        _square(a, name)
        return (a.dtype if out == 0 else real), batch, False
    if name == "eigh":
        _square(a, name)
        return (real, batch + (n,), False) if out == 0 else (a.dtype, a.shape, False)
    if name == "eigvalsh":
        _square(a, name)
        return real, batch + (n,), False
    if name == "svd":
        full = p.get("full_matrices", True)
        if not p.get("compute_uv", True):
            return real, batch + (k,), False
        shapes = [batch + (m, m if full else k), batch + (k,), batch + (n if full else k, n)]
        return (real if out == 1 else a.dtype), shapes[out], False
    if name == "qr":
        shapes = {"reduced": [(m, k), (k, n)], "complete": [(m, m), (m, n)],
                  "raw": [(n, m), (k,)]}[p.get("mode", "reduced")]
        return a.dtype, batch + shapes[out], False
    if name in ("eig", "eigvals"):
        _square(a, name)
        dt = a.dtype if p.get("real") else np.result_type(a.dtype, np.complex64)
        return (dt, batch + (n,), False) if out == 0 else (dt, a.shape, False)
    if name == "lstsq":
        return _infer_lstsq(a, srcs[1], out)
    if name == "pinv":
        return a.dtype, batch + (n, m), False
    if name == "matrix_rank":
        return np.dtype(np.intp), batch, False
    if name == "cond":  # the orders other than 2: NumPy's inverse gives inf where singular
        _square(a, name)
        return real, batch, False
    raise ValueError(f"unknown linalg routine {name!r}")


def _infer_lstsq(a, b, out):
    if a.ndim != 2 or b.ndim not in (1, 2):
        raise np.linalg.LinAlgError(f"{a.ndim}-dimensional array given. Array must be "
                                    "two-dimensional")
    m, n = a.shape
    if b.shape[0] != m:
        raise np.linalg.LinAlgError("Incompatible dimensions")
    k = 1 if b.ndim == 1 else b.shape[1]
    shapes = [(n,) + b.shape[1:], (k,) if m > n else (0,), (), (min(m, n),)]
    dtypes = [a.dtype, real_dtype(a.dtype), np.dtype(np.int32), real_dtype(a.dtype)]
    return dtypes[out], shapes[out], False


def call_routine(name: str, xs, kw: dict) -> tuple:
    """All outputs of one NumPy (or SciPy) routine; eig's complex unless traced `real`; eigh
    with a `driver` SciPy's (its eigenvectors' signs are the driver's)."""
    if name == "eigh" and "driver" in kw:
        from scipy.linalg import eigh

        return tuple(eigh(xs[0], lower=kw["UPLO"] == "L", driver=kw["driver"],
                          check_finite=False))
    if name in SCIPY_ROUTINES:
        res = SCIPY_ROUTINES[name](*xs, **kw)
        return res if isinstance(res, tuple) else (res,)
    kw = dict(kw)
    real, exact = kw.pop("real", False), kw.pop("exact", False)
    res = getattr(np.linalg, name)(*xs, **kw)
    res = tuple(res) if isinstance(res, tuple) else (res,)
    if exact and real != (res[0].dtype.kind != "c"):
        from .errors import ResultTypeChanged

        raise ResultTypeChanged(
            f"np.linalg.{name}: NumPy's eigenvalues for this call are "
            f"{'complex' if real else 'real'}, where the traced call's were "
            f"{'real' if real else 'complex'} (NumPy returns arrays of that type)")
    if name in ("eig", "eigvals") and not real:
        res = tuple(np.asarray(r, np.result_type(r, np.complex64)) for r in res)
    elif real and res[0].dtype.kind == "c":
        raise np.linalg.LinAlgError(
            f"np.linalg.{name}: the matrix is symmetric by construction, so tracenp traced its "
            "eigenvalues as real, as NumPy returns them, but LAPACK found complex ones (NumPy "
            "would return complex arrays here); use np.linalg.eigh for a symmetric matrix")
    return res


def pick(name: str, xs, res: tuple, out: int, xp=np) -> np.ndarray:
    """Output `out` of a routine's results (as an `xp` array); refuses one whose shape the
    data changed."""
    if name == "lstsq" and out == 1 and xs[0].shape[0] > xs[0].shape[1] and res[1].size == 0:
        raise np.linalg.LinAlgError(
            "np.linalg.lstsq: the matrix is rank-deficient, so NumPy returns no residuals and "
            "the compiled function cannot give them; compute np.sum((b - a @ x) ** 2, axis=0)")
    return xp.asarray(res[out])


def _solve_triangular(a, b, lower: bool, trans: int, unit_diagonal: bool, check: bool):
    """SciPy's `solve_triangular`: BLAS trsm, as LAPACK's trtrs calls it, over a batch. With
    `check`, a zero on the diagonal raises SciPy's error, as trtrs tests; without it, it
    divides by zero, as getrs and potrs do (`lu_solve`, `cho_solve`)."""
    from scipy.linalg import LinAlgError, get_blas_funcs

    vec = b.ndim == 1
    bm = b[:, None] if vec else b
    batch = broadcast_shapes(a.shape[:-2], bm.shape[:-2])
    a, bm = np.broadcast_to(a, batch + a.shape[-2:]), np.broadcast_to(bm, batch + bm.shape[-2:])
    out = np.empty(bm.shape, np.result_type(a, bm))
    for i in np.ndindex(batch):
        ai = a[i]
        if check and not unit_diagonal and np.any(np.diagonal(ai) == 0):
            raise LinAlgError("singular matrix: resolution failed at diagonal "
                              f"{int(np.flatnonzero(np.diagonal(ai) == 0)[0])}")
        (trsm,) = get_blas_funcs(("trsm",), (ai, bm[i]))
        if not ai.flags.f_contiguous and trans != 2:  # as SciPy: the transposed system
            ai, lo, tr = ai.T, not lower, 1 - trans
        else:
            lo, tr = lower, trans
        out[i] = trsm(1.0, ai, bm[i], lower=lo, trans_a=tr, diag=unit_diagonal)
    return out[..., 0] if vec else out


def pivots_to_permutation(piv, rows: int):
    """LAPACK's row interchanges `piv` (0-based) as the row order `perm` (`P^T A = A[perm]`)
    and its inverse (SciPy's `lu(..., p_indices=True)`)."""
    perm = np.empty(piv.shape[:-1] + (rows,), np.int32)
    for i in np.ndindex(piv.shape[:-1]):
        order = np.arange(rows, dtype=np.int32)
        for k, j in enumerate(piv[i]):
            order[k], order[j] = order[j], order[k]
        perm[i] = order
    return perm, np.argsort(perm, axis=-1).astype(np.int32)


def _sqrtm(a, real: bool):
    from scipy.linalg import LinAlgError, sqrtm

    r = sqrtm(a)
    if real and r.dtype.kind == "c":
        raise LinAlgError(
            "scipy.linalg.sqrtm: the matrix has an eigenvalue on the negative real axis, so "
            "SciPy returns a complex square root, but tracenp traced a real one; pass the "
            "matrix as complex (`a + 0j`)")
    return r


def _lu_factor(a):
    from scipy.linalg import lu_factor

    return tuple(lu_factor(a, check_finite=False))  # a list where `a` is a batch


def _expm(a):
    from scipy.linalg import expm

    return expm(a)


SCIPY_ROUTINES = {"solve_triangular": _solve_triangular, "lu_factor": _lu_factor,
                  "lu_permutation": pivots_to_permutation, "expm": _expm, "sqrtm": _sqrtm}


def ref_linalg(*xs, name, out, **kw):
    return pick(name, xs, call_routine(name, xs, kw), out)


def _mT(x):
    return np.swapaxes(x, -1, -2)


def _one_triangle(g, upper: bool):
    """A symmetric gradient moved onto the triangle LAPACK reads (the other is ignored)."""
    n = g.shape[-1]
    tri = np.triu(np.ones((n, n))) if upper else np.tril(np.ones((n, n)))
    return (g + _mT(g)) * tri - g * np.eye(n)


def _eigh_vjp(g, a, out, kw: dict):
    """Eigenvalues: V diag(g) V^T; eigenvectors: V (F * V^T gV) V^T, F_ij = 1/(w_j - w_i),
    with the forward's V (the same routine: its signs)."""
    uplo = kw.get("UPLO", "L")
    w, v = call_routine("eigh", (a,), {"UPLO": uplo, **kw})
    if out == 0:
        inner = np.expand_dims(g, -1) * np.eye(w.shape[-1])
    else:
        n = w.shape[-1]
        diff = np.expand_dims(w, -2) - np.expand_dims(w, -1)
        f = np.where(np.eye(n) > 0, 0, 1 / np.where(np.eye(n) > 0, 1, diff))
        inner = f * (_mT(v) @ g)
    sym = v @ inner @ _mT(v)
    return (_one_triangle((sym + _mT(sym)) * 0.5, uplo == "U"),)


def _det_cofactors(a, det):
    """The cofactor matrix, d det(a) / d a: det(a) inv(a)^T where det(a) != 0, and where it
    is 0 (LAPACK's `inv` refuses) the same matrix from the SVD, det(U) det(Vh) U diag(prod of
    the other singular values) Vh, which is rank one at rank n-1 and zero below. Each branch
    factors a stand-in matrix where the other is taken, so neither raises or leaks a NaN."""
    n = a.shape[-1]
    eye = np.eye(n, dtype=a.dtype)
    singular = (det == 0)[..., None, None]
    plain = det[..., None, None] * _mT(np.linalg.inv(np.where(singular, eye, a)))
    distinct = np.diag(np.arange(1, n + 1)).astype(a.dtype)
    u, s, vh = np.linalg.svd(np.where(singular, a, distinct))
    others = np.prod(np.where(np.eye(n) > 0, 1, np.expand_dims(s, -2)), axis=-1)
    sign = np.linalg.slogdet(u @ vh)[0]  # det(U) det(Vh): +-1, or a phase
    if a.dtype.kind == "c":  # inv(a)^T, the convention above, is conj(U) ... conj(Vh)
        u, vh = np.conjugate(u), np.conjugate(vh)
    return np.where(singular, sign[..., None, None] * (u * np.expand_dims(others, -2)) @ vh, plain)


def _svd_vectors_vjp(g, a, out):
    """Townsend (2016) for U (out 0) or Vh (out 2) of the reduced SVD; needs distinct,
    non-zero singular values."""
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    v = _mT(vh)
    k = s.shape[-1]
    eye = np.eye(k)
    sq = s * s
    gaps = np.expand_dims(sq, -2) - np.expand_dims(sq, -1)  # [i, j] = s_j^2 - s_i^2
    f = np.where(eye > 0, 0, 1 / np.where(eye > 0, 1, gaps))
    if out == 0:
        skew = f * (_mT(u) @ g - _mT(g) @ u)
        inner = skew * np.expand_dims(s, -2)
        rest = (g - u @ (_mT(u) @ g)) / np.expand_dims(s, -2) @ vh
    else:
        vb = _mT(g)
        skew = f * (_mT(v) @ vb - _mT(vb) @ v)
        inner = np.expand_dims(s, -1) * skew
        rest = (u / np.expand_dims(s, -2)) @ (_mT(vb) - (_mT(vb) @ v) @ vh)
    return u @ inner @ vh + rest


def _eig_vectors_vjp(g, a):
    """Eigenvectors of `eig` (Boeddeker et al. 2017, as JAX): dV = V (F * V^-1 dA V), F_ij =
    1/(w_j - w_i), then each column kept at unit norm as NumPy returns it (dv - v (v . dv)),
    for distinct real eigenvalues; NaN where an eigenvector is complex, whose phase NumPy
    also fixes (a gradient that ignored it would be wrong)."""
    w, v = np.linalg.eig(a)
    n = w.shape[-1]
    eye = np.eye(n)
    gaps = np.expand_dims(w, -2) - np.expand_dims(w, -1)  # [i, j] = w_j - w_i
    f = np.where(eye > 0, 0, 1 / np.where(eye > 0, 1, gaps))
    gu = g - v * np.sum(v * g, axis=-2, keepdims=True)  # the unit-norm projection, transposed
    ga = _mT(np.linalg.inv(v)) @ (f * (_mT(v) @ gu)) @ _mT(v)
    complex_pairs = np.any(np.imag(v) != 0, axis=(-2, -1), keepdims=True)
    return np.where(complex_pairs, np.nan, ga)


def _lstsq_residuals_vjp(g, a, b):
    """Residuals r_j = |b_j - a x_j|^2 at the minimizing x (full rank): by the envelope
    theorem d r_j = 2 (b_j - a x_j) . (db_j - da x_j), x's own change adding nothing."""
    if a.shape[-2] <= a.shape[-1]:  # no residuals: NumPy's shape (0,)
        return np.zeros(a.shape, a.dtype), np.zeros(b.shape, b.dtype)
    vec = b.ndim == 1
    bm = b[:, None] if vec else b
    x = np.linalg.pinv(a) @ bm
    gr = 2 * (bm - a @ x) * g
    return -gr @ _mT(x), (gr[:, 0] if vec else gr)


def vjp_linalg(g, o, *xs, name, out, **kw):
    """Reverse-mode rules of the differentiable routines, in tracenp ops.

    Routines that read one triangle (cholesky, eigh, eigvalsh) get the gradient
    of exactly that: the other triangle has zero gradient, as NumPy ignores it.
    """
    a = xs[0]
    if name == "inv":
        return (-_mT(o) @ g @ _mT(o),)
    if name == "solve":
        b = xs[1]
        vec = b.ndim == 1
        x = o[..., None] if vec else o
        gb = np.linalg.solve(_mT(a), g[..., None] if vec else g)
        ga = -gb @ _mT(x)
        return ga, (gb[..., 0] if vec else gb)
    if name == "det":
        return (g[..., None, None] * _det_cofactors(a, o),)
    if name == "slogdet":
        return (None,) if out == 0 else (g[..., None, None] * _mT(np.linalg.inv(a)),)
    if name == "cholesky":
        n = a.shape[-1]
        lower = np.tril(np.ones((n, n)))
        phi = (_mT(o) @ g) * (lower - 0.5 * np.eye(n))
        linv = np.linalg.inv(o)
        s = _mT(linv) @ phi @ linv
        return (_one_triangle((s + _mT(s)) * 0.5, upper=False),)
    if name in ("eigh", "eigvalsh"):
        return _eigh_vjp(g, a, 0 if name == "eigvalsh" else out, kw)
    if name in ("eig", "eigvals") and out == 0:  # dw = diag(V^-1 dA V), transposed
        w, v = np.linalg.eig(a)
        return (_mT(np.linalg.inv(v)) @ (np.expand_dims(g, -1) * _mT(v)),)
    if name == "eig":
        return (_eig_vectors_vjp(g, a),)
    if name == "lstsq" and out == 1:
        return _lstsq_residuals_vjp(g, a, xs[1])
    if name == "lstsq" and out == 0:  # x = pinv(a) b where a has full rank
        b = xs[1]
        vec = b.ndim == 1
        gx, bm = (g[:, None], b[:, None]) if vec else (g, b)
        p = np.linalg.pinv(a)
        (ga,) = vjp_linalg(gx @ _mT(bm), p, a, name="pinv", out=0)
        gb = _mT(p) @ gx
        return ga, (gb[:, 0] if vec else gb)
    if name == "pinv":  # Golub & Pereyra; holds where the rank does not change
        m, n = a.shape[-2:]
        gt = _mT(g)
        return (-_mT(o) @ g @ _mT(o) + (np.eye(m) - a @ o) @ gt @ o @ _mT(o)
                + _mT(o) @ o @ gt @ (np.eye(n) - o @ a),)
    square = a.shape[-2] == a.shape[-1]
    if name == "qr" and a.shape[-2] >= a.shape[-1] and \
            kw.get("mode", "reduced") in (("reduced", "complete") if square else ("reduced",)):
        # the reduced QR of a tall or square matrix (the complete one of a square matrix)
        q, r = np.linalg.qr(a)
        gq, gr = (g, np.zeros(r.shape, g.dtype)) if out == 0 else (np.zeros(q.shape, g.dtype), g)
        m = r @ _mT(gr) - _mT(gq) @ q
        copyltu = np.tril(m) + _mT(np.tril(m, -1))
        return (_mT(np.linalg.solve(r, _mT(gq + q @ copyltu))),)
    if name == "svd" and (out == 1 or not kw.get("compute_uv", True)):
        u, _, vh = np.linalg.svd(a, full_matrices=False)
        return ((u * np.expand_dims(g, -2)) @ vh,)
    if name == "svd" and (a.shape[-1] == a.shape[-2] or not kw.get("full_matrices", True)):
        return (_svd_vectors_vjp(g, a, out),)
    if name == "solve_triangular":
        return _solve_triangular_vjp(g, o, a, xs[1], **kw)
    if name == "lu_factor" and a.shape[-2] == a.shape[-1]:
        return (_lu_factor_vjp(g, o, a),)
    if name == "expm":
        return (_expm_vjp(g, a),)
    raise NotImplementedError(
        f"the gradient of {_qualified(name)} (output {out}) is not implemented; "
        "differentiable are solve, inv, pinv, det, slogdet, cholesky, eigh, eigvalsh, eig "
        "(eigenvectors: real and distinct eigenvalues), lstsq's solution and residuals (full "
        "rank), qr (reduced) of a tall or square matrix, svd (vectors: of a square matrix or "
        "with full_matrices=False), and SciPy's solve_triangular, lu_factor (of a square "
        "matrix) and expm")


def _qualified(name: str) -> str:
    return f"scipy.linalg.{name}" if name in SCIPY_ROUTINES else f"np.linalg.{name}"


def _solve_triangular_vjp(g, x, a, b, lower: bool, trans: int, unit_diagonal: bool,
                          check: bool):
    """x = op(T)^-1 b, T the triangle of `a` the routine reads: gb = op(T)^-T g and
    g op(T) = -gb x^T, moved onto that triangle (op: none, transpose, or conjugate
    transpose, whose conjugation the gradient undoes)."""
    from . import lax

    vec = b.ndim == 1
    gm, xm = (g[..., None], x[..., None]) if vec else (g, x)
    conj = trans == 2 and a.dtype.kind == "c"
    same = dict(lower=lower, unit_diagonal=unit_diagonal, check=False)
    if trans == 0:
        gb = lax.linalg("solve_triangular", a, gm, trans=1, **same)
        gt = -gb @ _mT(xm)
    else:
        gb = lax.linalg("solve_triangular", a, np.conjugate(gm) if conj else gm, trans=0, **same)
        gb = np.conjugate(gb) if conj else gb
        gt = -xm @ _mT(gb)
        gt = np.conjugate(gt) if conj else gt
    skip = 1 if unit_diagonal else 0
    ga = np.tril(gt, -skip) if lower else np.triu(gt, skip)
    return ga, (gb[..., 0] if vec else gb)


def _lu_factor_vjp(g, lu, a):
    """A = P L U of a square matrix, L and U packed in `lu`: with F = L^-1 P^T dA U^-1,
    dL = L tril(F, -1) and dU = triu(F) U, so gF = tril(L^T gL, -1) + triu(gU U^T) and
    g(P^T A) = L^-T gF U^-T, whose rows go back where the pivoting took them."""
    from . import lax

    n = a.shape[-1]
    lower = np.tril(lu, -1) + np.eye(n, dtype=lu.dtype)
    gf = np.tril(_mT(lower) @ np.tril(g, -1), -1) + np.triu(np.triu(g) @ _mT(np.triu(lu)))
    x = lax.linalg("solve_triangular", lu, gf, lower=True, trans=1, unit_diagonal=True,
                   check=False)
    y = _mT(lax.linalg("solve_triangular", lu, _mT(x), lower=False, trans=0,
                       unit_diagonal=False, check=False))
    piv = lax.linalg("lu_factor", a, out=1)
    back = lax.linalg("lu_permutation", piv, out=1, rows=n)
    return np.take_along_axis(y, back[..., :, None], axis=-2)


def _expm_vjp(g, a):
    """The Frechet derivative L(A^T, G): the upper right block of expm([[A^T, G], [0, A^T]])
    (Najfeld & Havel 1995), itself differentiable."""
    from . import lax

    n = a.shape[-1]
    at = _mT(a)
    big = np.concatenate([np.concatenate([at, g], axis=-1),
                          np.concatenate([np.zeros_like(at), at], axis=-1)], axis=-2)
    return lax.linalg("expm", big)[..., :n, n:]
