"""Linear algebra: products lower to MATMUL/EINSUM, `np.linalg` routines to LINALG library steps."""

from __future__ import annotations

import operator
import re
import warnings

import numpy as np
from numpy.linalg._linalg import EighResult, EigResult, QRResult, SlogdetResult, SVDResult

from .. import errors, lax
from ..linalg_symmetry import is_symmetric
from ..shapes import normalize_axes, normalize_axis
from . import implements


def _common(*xs):
    """Operands lifted and cast to their common dtype (NumPy's promotion)."""
    from .ufuncs import _dtype_arg

    xs = [lax.lift(x) for x in xs]
    dt = np.result_type(*(_dtype_arg(x) for x in xs))
    return [lax.cast(x, dt) for x in xs]


def _strong(x):
    return lax.cast(x, x.dtype) if x.weak else x


@implements(np.matmul)
def matmul(a, b, /, out=None, **kwargs):
    a, b = _common(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: Input operand does not have enough dimensions")
    va, vb = a.ndim == 1, b.ndim == 1
    a2 = lax.reshape(a, (1,) + a.shape) if va else a
    b2 = lax.reshape(b, b.shape + (1,)) if vb else b
    r = lax.matmul(a2, b2)
    if va or vb:
        shape = r.shape[:-2] + (() if va else r.shape[-2:-1]) + (() if vb else r.shape[-1:])
        r = lax.reshape(r, shape)
    if out is not None:
        from .ufuncs import _store

        return _store(np.matmul, (r,), out, True, "same_kind")
    return r


def gufunc(ufunc, *args):
    """The generalized ufuncs matmul, vecdot, matvec and vecmat."""
    name = ufunc.__name__
    if name == "matmul":
        return matmul(*args)
    a, b = _common(*args)
    if name == "vecdot":
        return _sum_of_products(a, b, axis=-1)
    if name == "matvec":
        return np.einsum("...ij,...j->...i", a, b)
    if name == "vecmat":
        return np.einsum("...j,...ji->...i", _conj(a), b)
    raise errors.unsupported(f"np.{name}")


def _signature_dims(ufunc) -> list[list[str]]:
    """Each operand's core dim names, from a gufunc's signature `(n?,k),(k,m?)->(n?,m?)`."""
    return [[d for d in op.split(",") if d]
            for op in re.findall(r"\(([^)]*)\)", ufunc.signature.replace(" ", ""))]


def _core_counts(sig, args, nin: int) -> list[int]:
    """Core dims of each operand for these inputs: an optional dim (`n?`) is missing where its
    input has fewer dims than the signature names, and then missing from the output too."""
    missing = set()
    for dims, x in zip(sig[:nin], args):
        optional = [d for d in dims if d.endswith("?")]
        missing.update(optional[:max(len(dims) - x.ndim, 0)])
    return [sum(d not in missing for d in dims) for dims in sig]


def _operand_axes(name: str, iop: int, item, ncore: int, ndim: int) -> tuple[int, ...]:
    """One item of `axes=`: a tuple of `ncore` distinct axes of a `ndim`-dim operand, or an
    int for one core dim, checked as NumPy's `_parse_axes_arg` checks it."""
    if isinstance(item, tuple):
        if len(item) != ncore:
            raise np.exceptions.AxisError(
                f"{name}: operand {iop} has {ncore} core dimensions, but {len(item)} dimensions "
                "are specified by axes tuple.")
    elif ncore == 1:
        item = (item,)
    elif ncore == 0:
        raise np.exceptions.AxisError(f"{name}: operand {iop} has 0 core dimensions, but the "
                                      "axes item is a single integer.")
    else:
        raise TypeError(f"{name}: axes item {iop} should be a tuple.")
    axes = tuple(normalize_axis(operator.index(a), ndim, strict=True) for a in item)
    for k, a in enumerate(axes):
        if a in axes[:k]:
            raise ValueError(f"axes item {iop} has value {a} repeated")
    return axes


_UNSET = object()


def gufunc_axes(ufunc, args, kwargs: dict):
    """`ufunc(*args, axes=..., axis=..., keepdims=...)` for a gufunc (`np.matmul(a, b,
    axes=[(0, 1), (0, 1), (0, 1)])`): each input's core dims moved to its end in the order
    given, the plain call, and the output's core dims moved where `axes` puts them, with
    NumPy's errors for axes that do not fit the signature."""
    name, nin = ufunc.__name__, ufunc.nin
    sig = _signature_dims(ufunc)
    axes, axis = kwargs.pop("axes", _UNSET), kwargs.pop("axis", _UNSET)
    keepdims = kwargs.pop("keepdims", _UNSET)
    out = kwargs.pop("out", None)
    if axes is not _UNSET and axis is not _UNSET:
        raise TypeError("cannot specify both 'axis' and 'axes'")
    if keepdims is not _UNSET:
        for i in range(1, len(sig)):
            want = len(sig[0]) if i < nin else 0
            if len(sig[i]) != want:
                raise TypeError(
                    f"{name} does not support keepdims: its signature {ufunc.signature} requires "
                    f"{'input' if i < nin else 'output'} {i if i < nin else i - nin} to have "
                    f"{len(sig[i])} core dimensions, but keepdims can only be used when all "
                    "inputs have the same number of core dimensions and all outputs have no "
                    "core dimensions.")
    keepdims = keepdims is not _UNSET and bool(keepdims)
    args = [lax.lift(a) for a in args]
    ncore = _core_counts(sig, args, nin)
    if keepdims:
        ncore[nin:] = [ncore[0]] * (len(sig) - nin)
    loop_ndim = max(a.ndim - c for a, c in zip(args, ncore))
    ndims = [a.ndim for a in args] + [loop_ndim + c for c in ncore[nin:]]
    if axis is not _UNSET:
        distinct = {d.rstrip("?") for dims in sig for d in dims}
        if len(distinct) != 1:
            raise TypeError(f"{name}: axis can only be used with a single shared core "
                            f"dimension, not with the {len(distinct)} distinct ones implied by "
                            f"signature {ufunc.signature}.")
        axes = [operator.index(axis) if c else () for c in ncore]
    if axes is _UNSET:
        axes = []
    elif not isinstance(axes, list):
        raise TypeError("axes should be a list.")
    elif len(axes) != len(sig) and not (len(axes) == nin and not any(sig[nin:])):
        raise ValueError(f"axes should be a list with an entry for all {len(sig)} inputs and "
                         "outputs; entries for outputs can only be omitted if none of them has "
                         "core axes.")
    given = [_operand_axes(name, i, item, ncore[i], ndims[i]) for i, item in enumerate(axes)]
    given += [tuple(range(n - c, n)) for n, c in zip(ndims[len(given):], ncore[len(given):])]
    moved = [np.moveaxis(a, ax, range(a.ndim - len(ax), a.ndim)) if ax else a
             for a, ax in zip(args, given)]
    res = ufunc(*moved, **kwargs)
    if keepdims:
        res = lax.reshape(res, res.shape + (1,) * ncore[nin])
    res = np.moveaxis(res, range(res.ndim - ncore[nin], res.ndim), given[nin]) \
        if ncore[nin] else res
    if out is not None:
        from .ufuncs import _store

        return _store(ufunc, (res,), out[0] if isinstance(out, tuple) else out, True,
                      kwargs.get("casting", "same_kind"))
    return res


def _conj(x):
    return np.conjugate(x) if x.dtype.kind == "c" else x  # np.conjugate makes a bool int8


def _sum_of_products(a, b, axis: int):
    """sum(conj(a) * b) along `axis` in the operands' dtype, as NumPy's dot loops accumulate:
    small integers wrap, and a bool dot is any(a & b)."""
    p = np.multiply(_conj(a), b)
    if p.dtype == np.bool_:
        return np.any(p, axis=axis)
    return np.sum(p, axis=axis, dtype=p.dtype)


@implements(np.dot)
def dot(a, b, out=None):
    a, b = _common(a, b)
    if a.ndim == 0 or b.ndim == 0:
        r = _strong(np.multiply(a, b))
    elif b.ndim <= 2:
        r = matmul(a, b)
    else:  # dot(a, b)[i,j,k,m] = sum(a[i,j,:] * b[k,:,m])
        r = np.tensordot(a, b, axes=([a.ndim - 1], [b.ndim - 2]))
    if out is not None:
        from .ufuncs import _store

        return _store(np.multiply, (r,), out, True, "same_kind")
    return r


@implements(np.vdot)
def vdot(a, b):
    a, b = _common(a, b)
    return _sum_of_products(np.ravel(a), np.ravel(b), axis=0)


@implements(np.inner)
def inner(a, b):
    a, b = _common(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return _strong(np.multiply(a, b))
    return np.tensordot(a, b, axes=([a.ndim - 1], [b.ndim - 1]))


@implements(np.outer)
def outer(a, b, out=None):
    a, b = _common(a, b)
    r = np.multiply(lax.reshape(a, (a.size, 1)), lax.reshape(b, (1, b.size)))
    if out is not None:
        from .ufuncs import _store

        return _store(np.multiply, (r,), out, True, "same_kind")
    return r


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _has_items(v) -> bool:
    """A sequence or an array with dims, as opposed to one int (a traced Python int steers)."""
    return isinstance(v, (tuple, list)) or bool(getattr(v, "ndim", 0))


def _axis_list(v) -> list[int]:
    """One side of tensordot's `axes`: an int or a sequence of ints, as ints."""
    return [operator.index(i) for i in v] if _has_items(v) else [operator.index(v)]


@implements(np.tensordot)
def tensordot(a, b, axes=2):
    a, b = _common(a, b)
    if not _has_items(axes):
        axes = operator.index(axes)
        axes_a = list(range(a.ndim - axes, a.ndim))
        axes_b = list(range(axes))
    else:
        axes_a, axes_b = (_axis_list(v) for v in axes)
    axes_a = [x % a.ndim for x in axes_a]
    axes_b = [x % b.ndim for x in axes_b]
    for i, j in zip(axes_a, axes_b):
        if a.shape[i] != b.shape[j]:
            raise ValueError("shape-mismatch for sum")
    la = list(_LETTERS[: a.ndim])
    lb = list(_LETTERS[a.ndim: a.ndim + b.ndim])
    for i, j in zip(axes_a, axes_b):
        lb[j] = la[i]
    out = [c for i, c in enumerate(la) if i not in axes_a] + \
          [c for j, c in enumerate(lb) if j not in axes_b]
    return einsum(f"{''.join(la)},{''.join(lb)}->{''.join(out)}", a, b)


def _parse_einsum(subscripts: str, operands):
    """Explicit `in,in->out` subscripts, with '...' expanded and implicit output derived."""
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        ins, out = subscripts.split("->")
    else:
        ins, out = subscripts, None
    terms = ins.split(",")
    if len(terms) != len(operands):
        raise ValueError("more operands provided to einstein sum function than specified in "
                         "the subscripts string" if len(operands) > len(terms) else
                         "fewer operands provided to einstein sum function than specified")
    used = set(ins.replace(".", "").replace(",", ""))
    free = [c for c in _LETTERS if c not in used]
    ell_rank = max((op.ndim - len(t.replace("...", "")) for t, op in zip(terms, operands)
                    if "..." in t), default=0)
    ell = "".join(free[:ell_rank])
    new_terms = []
    for t, op in zip(terms, operands):
        if "..." in t:
            k = op.ndim - len(t.replace("...", ""))
            t = t.replace("...", ell[ell_rank - k:])
        new_terms.append(t)
    if out is None:
        counts = {}
        for t in new_terms:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        out = out.replace("...", ell)
        for c in out:
            if c not in used and c not in ell:
                raise ValueError(f"einstein sum subscripts string included output subscript "
                                 f"'{c}' which never appeared in an input")
            if out.count(c) > 1:
                raise ValueError(f"einstein sum subscripts string includes output subscript "
                                 f"'{c}' multiple times")
    return ",".join(new_terms) + "->" + out


def _interleaved(*args):
    """`einsum(op0, sublist0, op1, sublist1, ..., [sublistout])` as a subscripts string."""

    def letters(sublist) -> str:
        for k in sublist:
            if k is not Ellipsis and not (isinstance(k, (int, np.integer)) and 0 <= k < 52):
                raise ValueError("subscript is not within the valid range [0, 52)")
        return "".join("..." if k is Ellipsis else _LETTERS[k] for k in sublist)

    operands, sublists = args[0:-1:2] if len(args) % 2 else args[0::2], args[1::2]
    ins = ",".join(letters(sl) for sl in sublists)
    out = "->" + letters(args[-1]) if len(args) % 2 else ""
    return ins + out, operands


@implements(np.einsum)
def einsum(subscripts, *operands, out=None, dtype=None, order="K", casting="safe",
           optimize=False):
    if not isinstance(subscripts, str):
        subscripts, operands = _interleaved(subscripts, *operands)
    ops = _common(*operands)
    if dtype is not None:
        for i, o in enumerate(operands):  # NumPy's iterator casts each under `casting`
            have = lax.lift(o).dtype
            if not np.can_cast(have, dtype, casting):
                raise TypeError(f"Iterator operand {i} dtype could not be cast from "
                                f"{have!r} to {np.dtype(dtype)!r} according to the rule "
                                f"{casting!r}")
        ops = [lax.cast(o, dtype) for o in ops]
    spec = _parse_einsum(subscripts, ops)
    ins, outs = spec.split("->")
    if len(operands) == 1 and lax.is_tracer(operands[0]) and ops[0].dtype == operands[0].dtype \
            and set(ins) == set(outs) and out is None:
        from .indexing import make_view  # NumPy's result is a view: np.einsum("ii->i", K)[:] += 1

        return make_view(operands[0], "einsum", spec)
    r = lax.einsum(spec, *ops)
    if out is not None:
        from .ufuncs import _store

        return _store(np.multiply, (r,), out, True, casting)
    return r


@implements(np.einsum_path)
def einsum_path(*operands, optimize="greedy", einsum_call=False):
    """NumPy's own: a contraction order needs the operands' shapes only (zero-stride stand-ins
    of them, so no memory); `einsum(optimize=path)` then takes it."""
    stand_ins = [np.broadcast_to(np.zeros((), x.dtype), x.shape) if lax.is_tracer(x) else x
                 for x in operands]
    return np.einsum_path(*stand_ins, optimize=optimize, einsum_call=einsum_call)


@implements(np.trace)
def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return np.sum(np.diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype, out=out)


@implements(np.diagonal)
def diagonal(a, offset=0, axis1=0, axis2=1):
    a = lax.lift(a)
    if a.ndim < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    axis1, axis2 = normalize_axis(axis1, a.ndim), normalize_axis(axis2, a.ndim)
    n, m = a.shape[axis1], a.shape[axis2]
    rows = np.arange(max(0, -offset), min(n, m - offset)) if offset < m else np.arange(0)
    rows = rows[rows < n] if rows.size else rows
    cols = rows + offset
    from .indexing import read_only_view

    return read_only_view(a, lambda b: np.moveaxis(b, (axis1, axis2), (-2, -1))[..., rows, cols],
                          "np.diagonal")


@implements(np.diag)
def diag(v, k=0):
    v = lax.lift(v)
    if v.ndim == 1:
        n = v.shape[0] + abs(k)
        rows = np.arange(v.shape[0]) + max(0, -k)
        cols = rows + k
        out = lax.lift(np.zeros((n, n), v.dtype))
        out[rows, cols] = v
        return out
    if v.ndim == 2:
        return np.diagonal(v, k)
    raise ValueError("Input must be 1- or 2-d.")


@implements(np.kron)
def kron(a, b):
    a, b = _common(a, b)
    nd = max(a.ndim, b.ndim)
    a = lax.reshape(a, (1,) * (nd - a.ndim) + a.shape)
    b = lax.reshape(b, (1,) * (nd - b.ndim) + b.shape)
    ai = lax.reshape(a, [d for s in a.shape for d in (s, 1)])
    bi = lax.reshape(b, [d for s in b.shape for d in (1, s)])
    prod = np.multiply(ai, bi)
    return lax.reshape(prod, [x * y for x, y in zip(a.shape, b.shape)])


@implements(np.cross)
def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _common(a, b)
    a, b = np.moveaxis(a, axisa, -1), np.moveaxis(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n"
                         "(dimension must be 2 or 3)")
    if a.shape[-1] == 2 or b.shape[-1] == 2:  # deprecated in NumPy 2, still computed
        warnings.warn("Arrays of 2-dimensional vectors are deprecated. Use arrays of "
                      "3-dimensional vectors instead. (deprecated in NumPy 2.0)",
                      DeprecationWarning, stacklevel=4)
        if a.shape[-1] == b.shape[-1] == 2:
            return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
        a, b = (np.concatenate([v, np.zeros_like(v[..., :1])], axis=-1)
                if v.shape[-1] == 2 else v for v in (a, b))
    a0, a1, a2 = (a[..., i] for i in range(3))
    b0, b1, b2 = (b[..., i] for i in range(3))
    c = np.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
    return np.moveaxis(c, -1, axisc)


# ----------------------------------------------------------------------------- np.linalg


def _float_operand(a):
    """An integer operand as float64, as NumPy's linalg computes it; NumPy refuses float16."""
    a = lax.lift(a)
    if a.dtype == np.float16:
        raise TypeError("array type float16 is unsupported in linalg")
    if a.dtype.kind in "biu":
        return lax.cast(a, np.float64)
    return _strong(a)


@implements(np.linalg.solve)
def solve(a, b):
    a, b = _common(_float_operand(a), _float_operand(b))
    return lax.linalg("solve", a, b)


@implements(np.linalg.inv)
def inv(a):
    return lax.linalg("inv", _float_operand(a))


@implements(np.linalg.det)
def det(a):
    return lax.linalg("det", _float_operand(a))


@implements(np.linalg.slogdet)
def slogdet(a):
    a = _float_operand(a)
    return SlogdetResult(lax.linalg("slogdet", a, out=0), lax.linalg("slogdet", a, out=1))


@implements(np.linalg.cholesky)
def cholesky(a, /, *, upper=False):
    L = lax.linalg("cholesky", _float_operand(a))
    return np.swapaxes(np.conjugate(L), -1, -2) if upper else L


@implements(np.linalg.svd)
def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    a = _float_operand(a)
    if hermitian:
        return _hermitian_svd(a, compute_uv)
    if not compute_uv:  # LAPACK's values-only driver: the vectors cost 10-20x as much
        return lax.linalg("svd", a, out=0, compute_uv=False)
    return SVDResult(*(lax.linalg("svd", a, out=i, full_matrices=full_matrices)
                       for i in range(3)))


def _hermitian_svd(a, compute_uv: bool):
    """NumPy's steps for `hermitian=True`: from `eigh`, so its signs and order, not LAPACK's
    SVD's (the eigenvalues' signs move into Vh)."""
    if not compute_uv:
        return np.flip(np.sort(np.abs(eigvalsh(a)), axis=-1), axis=-1)
    s, u = eigh(a)
    sgn = np.copysign(1.0, s)
    s = np.abs(s)
    sidx = np.flip(np.argsort(s, axis=-1), axis=-1)
    sgn = np.take_along_axis(sgn, sidx, axis=-1)
    s = np.take_along_axis(s, sidx, axis=-1)
    u = np.take_along_axis(u, sidx[..., None, :], axis=-1)
    return SVDResult(u, s, np.conjugate(np.swapaxes(u * sgn[..., None, :], -1, -2)))


@implements(np.linalg.qr)
def qr(a, mode="reduced"):
    """Modes reduced, complete, r (the reduced R, which is what NumPy computes) and raw."""
    if mode in ("f", "full"):
        warnings.warn("The 'full' option is deprecated in favor of 'reduced'.\nFor backward "
                      "compatibility let mode default.", DeprecationWarning, stacklevel=4)
        mode = "reduced"
    if mode in ("e", "economic"):
        raise errors.unsupported(f"np.linalg.qr(mode={mode!r})")
    if mode not in ("reduced", "complete", "r", "raw"):
        raise ValueError(f"Unrecognized mode '{mode}'")
    a = _float_operand(a)
    if a.ndim < 2:
        raise np.linalg.LinAlgError(f"{a.ndim}-dimensional array given. Array must be at "
                                    "least two-dimensional")
    if mode == "r":
        return lax.linalg("qr", a, out=1)
    kw = {} if mode == "reduced" else {"mode": mode}
    q, r = lax.linalg("qr", a, out=0, **kw), lax.linalg("qr", a, out=1, **kw)
    return (q, r) if mode == "raw" else QRResult(q, r)


@implements(np.linalg.eigh)
def eigh(a, UPLO="L"):
    a = _float_operand(a)
    return EighResult(lax.linalg("eigh", a, out=0, UPLO=UPLO),
                      lax.linalg("eigh", a, out=1, UPLO=UPLO))


@implements(np.linalg.eigvalsh)
def eigvalsh(a, UPLO="L"):
    return lax.linalg("eigvalsh", _float_operand(a), UPLO=UPLO)


@implements(np.linalg.eig)
def eig(a):
    """Complex, as NumPy's whenever some eigenvalue is complex; real for a matrix built as
    symmetric (`X.T @ X`, `np.cov`), whose eigenvalues NumPy finds real (see `_eig_kw`)."""
    a = _float_operand(a)
    known = a.constant_value()
    if known is not None:  # a matrix of constants: NumPy's values, real or complex by them
        return EigResult(*(lax.lift(r) for r in np.linalg.eig(known)))
    kw = _eig_kw(a)
    return EigResult(lax.linalg("eig", a, out=0, **kw), lax.linalg("eig", a, out=1, **kw))


@implements(np.linalg.eigvals)
def eigvals(a):
    a = _float_operand(a)
    known = a.constant_value()
    if known is not None:  # np.roots-style companion matrices built from constants
        return lax.lift(np.linalg.eigvals(known))
    return lax.linalg("eigvals", a, **_eig_kw(a))


def _eig_kw(a) -> dict:
    """NumPy drops a zero imaginary part, so eig's dtype depends on the values: a real matrix
    symmetric by construction is traced real (the routine raises if its eigenvalues come out
    complex after all); any other real one real or complex as the eigenvalues of the call
    being traced are (`lax.peek`), `exact`: a call whose are not raises ResultTypeChanged,
    and `jit` traces again. Where the call's matrix is not known, complex."""
    if a.dtype.kind != "f":
        return {}
    if is_symmetric(a.node):
        return {"real": True}
    value = lax.peek(a)
    if value is None or not np.isfinite(value).all():
        return {}
    real = np.linalg.eigvals(value).dtype.kind != "c"
    return {"real": True, "exact": True} if real else {"exact": True}


@implements(np.linalg.lstsq)
def lstsq(a, b, rcond=None):
    a, b = _common(_float_operand(a), _float_operand(b))
    if lax.is_tracer(rcond):
        lax.steer(rcond, "np.linalg.lstsq's rcond")  # a Python float argument: static
        raise errors.unsupported("np.linalg.lstsq with a traced rcond")
    rcond = None if rcond is None else float(rcond)
    return tuple(lax.linalg("lstsq", a, b, out=i, rcond=rcond) for i in range(4))


@implements(np.polyfit)
def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """NumPy's own steps: a column-scaled Vandermonde matrix solved by lstsq; `cov=True` scales
    the inverse normal matrix by the residuals (which raise at run time if it is rank-deficient,
    as NumPy then has none)."""
    order = int(deg) + 1
    x = np.add(lax.lift(x), 0.0)
    y = np.add(lax.lift(y), 0.0)
    if deg < 0:
        raise ValueError("expected deg >= 0")
    _check_fit_data(x, y)
    if rcond is None:
        rcond = len(x) * np.finfo(x.dtype).eps
    lhs = np.vander(x, order)
    rhs = y
    if w is not None:
        w = np.add(lax.lift(w), 0.0)
        if w.ndim != 1 or w.shape[0] != y.shape[0]:
            raise TypeError("expected a 1-d weight vector of the length of y")
        lhs = lhs * w[:, None]
        rhs = rhs * w if rhs.ndim == 1 else rhs * w[:, None]
    scale = np.sqrt(np.sum(lhs * lhs, axis=0))
    lhs = lhs / scale
    c, resids, rank, s = lstsq(lhs, rhs, rcond)
    c = (c.T / scale).T
    if full:
        return c, resids, rank, s, rcond
    if not cov:
        return c
    vbase = np.divide(inv(np.dot(lhs.T, lhs)), np.outer(scale, scale))
    if isinstance(cov, str) and cov == "unscaled":
        fac = 1
    else:
        if len(x) <= order:
            raise ValueError("the number of data points must exceed order "
                             "to scale the covariance matrix")
        fac = np.divide(resids, len(x) - order)
    return (c, vbase * fac) if y.ndim == 1 else (c, vbase[:, :, None] * fac)


def _check_fit_data(x, y) -> None:
    """NumPy's checks of a least-squares fit's samples, with its messages."""
    if x.ndim != 1:
        raise TypeError("expected 1D vector for x")
    if x.size == 0:
        raise TypeError("expected non-empty vector for x")
    if y.ndim < 1 or y.ndim > 2:
        raise TypeError("expected 1D or 2D array for y")
    if x.shape[0] != y.shape[0]:
        raise TypeError("expected x and y to have same length")


_np_fit = np.polynomial.polyutils._fit


def polynomial_fit(vander_f, x, y, deg, rcond=None, full=False, w=None):
    """`np.polynomial`'s least-squares fit (`polyfit`, `chebfit`, `legfit`, ... share it) of
    traced data: NumPy's own steps but its RankWarning, which tests a rank known only when the
    function runs (`np.polyfit` above warns for none either); of other data, NumPy's own."""
    if not any(lax.is_tracer(a) for a in (x, y, w)):
        return _np_fit(vander_f, x, y, deg, rcond, full, w)
    x = np.add(lax.lift(x), 0.0)
    y = np.add(lax.lift(y), 0.0)
    deg = np.asarray(deg)
    if deg.ndim > 1 or deg.dtype.kind not in "iu" or deg.size == 0:
        raise TypeError("deg must be an int or non-empty 1-D array of int")
    if deg.min() < 0:
        raise ValueError("expected deg >= 0")
    _check_fit_data(x, y)
    deg = np.sort(deg) if deg.ndim else deg
    lmax = int(deg.max())
    van = vander_f(x, lmax) if deg.ndim == 0 else vander_f(x, lmax)[:, deg]
    lhs, rhs = van.T, y.T
    if w is not None:
        w = np.add(lax.lift(w), 0.0)
        if w.ndim != 1:
            raise TypeError("expected 1D vector for w")
        if len(x) != len(w):
            raise TypeError("expected x and w to have same length")
        lhs, rhs = lhs * w, rhs * w
    if rcond is None:
        rcond = len(x) * np.finfo(x.dtype).eps
    if lhs.dtype.kind == "c":
        scl = np.sqrt(np.sum(np.square(lhs.real) + np.square(lhs.imag), axis=1))
    else:
        scl = np.sqrt(np.sum(np.square(lhs), axis=1))
    scl = np.where(scl == 0, 1, scl)
    c, resids, rank, s = lstsq(lhs.T / scl, rhs.T, rcond)
    c = (c.T / scl).T
    if deg.ndim > 0:  # the coefficients not fitted are 0
        cc = lax.lift(np.zeros((lmax + 1,) + c.shape[1:], dtype=c.dtype))
        cc[deg] = c
        c = cc
    return (c, [resids, rank, s, rcond]) if full else c


_np_series_fit = vars(np.polynomial._polybase.ABCPolyBase)["fit"].__func__


def series_fit(cls, x, y, deg, domain=None, rcond=None, full=False, w=None, window=None,
               symbol="x"):
    """`Polynomial.fit` (`Chebyshev.fit`, ... share it) of traced samples: NumPy's own, given
    the domain it takes from them, `[x.min(), x.max()]` widened by one either side where they
    are equal (NumPy's `if` on the values, here `np.where`)."""
    if domain is None and lax.is_tracer(x):
        d = np.polynomial.polyutils.getdomain(x)
        domain = np.where(np.equal(d[0], d[1]), np.add(d, np.array([-1.0, 1.0])), d)
    return _np_series_fit(cls, x, y, deg, domain, rcond, full, w, window, symbol)


_np_series_convert = np.polynomial._polybase.ABCPolyBase.convert


def series_convert(self, domain=None, kind=None, window=None):
    """`series.convert()` of a series with traced coefficients (a `Polynomial.fit` of traced
    data), domain or window: refused by name. NumPy composes the series with a linear map by
    series arithmetic, which trims coefficients that come out exactly zero, so its result's
    length depends on the values (and the arithmetic runs on object arrays)."""
    if any(lax.holds_tracer(v) for v in (self.coef, self.domain, self.window, domain, window)):
        raise errors.unsupported(
            "series.convert() of an np.polynomial series with traced coefficients, domain or "
            "window (NumPy trims the coefficients that come out exactly zero, so the result's "
            "length depends on the values; evaluate the series, `p(x)`, or use `p.coef` with "
            "`p.domain` and `p.window`)")
    return _np_series_convert(self, domain, kind, window)


@implements(np.linalg.cond)
def cond(x, p=None):
    """The 2-norm condition number from the singular values (differentiable); the other
    orders as NumPy's own routine, whose inverse of a singular matrix gives inf, not an error.
    A nan (all singular values zero) is inf unless the matrix holds a nan, as in NumPy."""
    x = _float_operand(x)
    if p not in (None, 2, -2):
        if p not in (1, -1, np.inf, -np.inf, "fro", "nuc"):
            raise ValueError("Invalid norm order for matrices.")
        return lax.linalg("cond", x, p=p)
    s = svd(x, compute_uv=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.divide(s[..., -1], s[..., 0]) if p == -2 else np.divide(s[..., 0], s[..., -1])
    return np.where(np.isnan(r) & ~np.any(np.isnan(x), axis=(-2, -1)), np.inf, r)[()]


@implements(np.linalg.pinv)
def pinv(a, rcond=None, hermitian=False, *, rtol=np._NoValue):
    """NumPy's default cutoff runs as the library step; a given `rcond`/`rtol` as NumPy's own
    steps (an SVD, singular values below the cutoff dropped)."""
    a = _float_operand(a)
    if rcond is None and rtol is np._NoValue:
        return lax.linalg("pinv", a)
    if rcond is not None and rtol is not np._NoValue:
        raise ValueError("`rtol` and `rcond` can't be both set.")
    if rcond is None:
        rcond = max(a.shape[-2:]) * np.finfo(a.dtype).eps if rtol is None else rtol
    u, s, vt = svd(np.conjugate(a), full_matrices=False, hermitian=hermitian)
    cutoff = np.multiply(np.expand_dims(lax.lift(rcond), -1), np.max(s, axis=-1, keepdims=True))
    large = np.greater(s, cutoff)
    inv_s = np.where(large, np.true_divide(1, np.where(large, s, 1)), 0)
    return np.matmul(np.swapaxes(vt, -1, -2), np.multiply(inv_s[..., None], np.swapaxes(u, -1, -2)))


@implements(np.linalg.matrix_rank)
def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    """As `pinv`: a given `tol`/`rtol` counts the singular values above it, as NumPy does.
    The rank of a vector (or scalar) is NumPy's Python int: whether any element is non-zero."""
    A = lax.lift(A)
    if A.ndim < 2:
        return lax.cast(np.any(np.not_equal(A, 0)), np.int64)
    if tol is None and rtol is None:
        return lax.linalg("matrix_rank", _float_operand(A))
    if tol is not None and rtol is not None:
        raise ValueError("`tol` and `rtol` can't be both set.")
    S = svd(A, compute_uv=False, hermitian=hermitian)
    if tol is None:
        tol = np.multiply(np.max(S, axis=-1, keepdims=True, initial=0),
                          np.expand_dims(lax.lift(rtol), -1))
    else:
        tol = np.expand_dims(lax.lift(tol), -1)
    return np.count_nonzero(np.greater(S, tol), axis=-1)


@implements(np.linalg.matrix_power)
def matrix_power(a, n):
    a = lax.lift(a)
    if a.ndim < 2:
        raise np.linalg.LinAlgError(f"{a.ndim}-dimensional array given. Array must be at "
                                    "least two-dimensional")
    if a.shape[-1] != a.shape[-2]:
        raise np.linalg.LinAlgError("Last 2 dimensions of the array must be square")
    n = operator.index(n)
    if n < 0:
        a, n = inv(a), -n
    result = None
    base = a
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    if result is None:
        return lax.lift(np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape).copy())
    return result


@implements(np.linalg.tensorinv)
def tensorinv(a, ind=2):
    """NumPy's steps: the inverse of `a` seen as a square matrix, reshaped."""
    a = lax.lift(a)
    if ind <= 0:
        raise ValueError("Invalid ind argument.")
    inv_shape = a.shape[ind:] + a.shape[:ind]
    rows = int(np.prod(a.shape[ind:]))
    return lax.reshape(inv(lax.reshape(a, (rows, a.size // rows if rows else 0))), inv_shape)


@implements(np.linalg.tensorsolve)
def tensorsolve(a, b, axes=None):
    """NumPy's steps: `a` (its `axes` moved last) as a square matrix solved against `b`."""
    a, b = lax.lift(a), lax.lift(b)
    if axes is not None:
        order = [k for k in range(a.ndim) if k not in axes] + list(axes)
        a = np.transpose(a, order)
    x_shape = a.shape[b.ndim:]
    n = int(np.prod(x_shape))
    if a.size != n * n:
        raise np.linalg.LinAlgError("Input arrays must satisfy the requirement "
                                    "prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])")
    return lax.reshape(solve(lax.reshape(a, (n, n)), np.ravel(b)), x_shape)


@implements(np.linalg.multi_dot)
def multi_dot(arrays, *, out=None):
    from .indexing import write_out

    res = arrays[0]
    for x in arrays[1:]:
        res = np.dot(res, x)
    return write_out(res, out)


def _norm_axes(axis, ndim: int) -> tuple:
    """`axis` as non-negative axes in the order given: a matrix norm's (row, col) order
    decides which axis ord=1 and ord=inf sum over."""
    if axis is None:
        return tuple(range(ndim))
    if not isinstance(axis, (tuple, list)):
        return normalize_axes(axis, ndim)
    axes = tuple(normalize_axis(int(a), ndim) for a in axis)
    if len(set(axes)) != len(axes):
        raise ValueError("Duplicate axes given.")
    return axes


@implements(np.linalg.norm)
def norm(x, ord=None, axis=None, keepdims=False):
    x = lax.lift(x)
    x = lax.cast(x, np.float64) if x.dtype.kind in "biu" else _strong(x)  # float16 stays
    if x.dtype.kind == "c":
        x_abs2 = np.real(x * np.conjugate(x))
    else:
        x_abs2 = x * x
    if lax.is_tracer(ord):  # a Python scalar argument: static
        ord = lax.known(ord, "`ord` of np.linalg.norm").item()
    if axis is None and ord is None:
        r = np.sqrt(np.sum(x_abs2))
        return lax.reshape(r, (1,) * x.ndim) if keepdims else r
    axes = _norm_axes(axis, x.ndim)
    if len(axes) == 1:
        if isinstance(ord, str):
            raise ValueError(f"Invalid norm order '{ord}' for vectors")
        ax = axes[0]
        a = np.abs(x)
        if ord is None or ord == 2:
            return np.sqrt(np.sum(x_abs2, axis=ax, keepdims=keepdims))
        if ord == np.inf:
            return np.max(a, axis=ax, keepdims=keepdims)
        if ord == -np.inf:
            return np.min(a, axis=ax, keepdims=keepdims)
        if ord == 0:
            return np.sum(np.not_equal(x, 0).astype(a.dtype), axis=ax, keepdims=keepdims)
        if ord == 1:
            return np.sum(a, axis=ax, keepdims=keepdims)
        return np.power(np.sum(np.power(a, ord), axis=ax, keepdims=keepdims), 1.0 / ord)
    if len(axes) == 2:
        r0, r1 = axes
        a = np.abs(x)
        if ord in (None, "fro"):
            r = np.sqrt(np.sum(x_abs2, axis=axes, keepdims=keepdims))
        elif ord == 1:
            r = np.max(np.sum(a, axis=r0), axis=r1 - 1 if r1 > r0 else r1)
        elif ord == -1:
            r = np.min(np.sum(a, axis=r0), axis=r1 - 1 if r1 > r0 else r1)
        elif ord == np.inf:
            r = np.max(np.sum(a, axis=r1), axis=r0 if r0 < r1 else r0 - 1)
        elif ord == -np.inf:
            r = np.min(np.sum(a, axis=r1), axis=r0 if r0 < r1 else r0 - 1)
        elif ord in (2, -2, "nuc"):
            s = svd(np.moveaxis(x, axes, (-2, -1)), compute_uv=False)
            r = {2: np.max, -2: np.min, "nuc": np.sum}[ord](s, axis=-1)
        else:
            raise ValueError("Invalid norm order for matrices.")
        if keepdims and ord not in (None, "fro"):
            shape = list(x.shape)
            for ax in axes:
                shape[ax] = 1
            r = lax.reshape(r, shape)
        return r
    raise ValueError("Improper number of dimensions to norm.")


# ----------------------------------------------------------------------------- array API names
# NumPy 2's `np.linalg` spellings of the array API: thin wrappers, as in NumPy.


@implements(np.linalg.vector_norm)
def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """NumPy's steps: the axes of a tuple `axis` are flattened into one, then `norm`."""
    x = lax.lift(x)
    shape = list(x.shape)
    if axis is None:
        flat, ax = np.ravel(x), 0
    elif isinstance(axis, tuple):
        axes = tuple(normalize_axis(int(a), x.ndim) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError("repeated axis")
        rest = tuple(i for i in range(x.ndim) if i not in axes)
        flat = lax.reshape(np.transpose(x, axes + rest),
                           (int(np.prod([x.shape[i] for i in axes])),)
                           + tuple(x.shape[i] for i in rest))
        ax = 0
    else:
        flat, ax = x, axis
    res = norm(flat, ord=ord, axis=ax)
    if keepdims:
        for i in normalize_axes(tuple(range(len(shape))) if axis is None else axis, len(shape)):
            shape[i] = 1
        res = lax.reshape(res, shape)
    return res


@implements(np.linalg.matrix_norm)
def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


@implements(np.linalg.svdvals)
def svdvals(x, /):
    return svd(x, compute_uv=False)


@implements(np.linalg.outer)
def linalg_outer(x1, x2, /):
    x1, x2 = lax.lift(x1), lax.lift(x2)
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError("Input arrays must be one-dimensional, but they are "
                         f"x1.ndim={x1.ndim} and x2.ndim={x2.ndim}.")
    return outer(x1, x2)


@implements(np.linalg.vecdot)
def linalg_vecdot(x1, x2, /, *, axis=-1):
    """The conjugated dot product along `axis` of each operand (the gufunc's core axis)."""
    a, b = _common(x1, x2)
    if a.shape[axis] != b.shape[axis]:
        raise ValueError("vecdot: Input operand 1 has a mismatch in its core dimension 0")
    return _sum_of_products(np.moveaxis(a, axis, -1), np.moveaxis(b, axis, -1), axis=-1)


@implements(np.linalg.trace)
def linalg_trace(x, /, *, offset=0, dtype=None):
    return trace(x, offset, axis1=-2, axis2=-1, dtype=dtype)


@implements(np.linalg.diagonal)
def linalg_diagonal(x, /, *, offset=0):
    return diagonal(x, offset, axis1=-2, axis2=-1)


@implements(np.linalg.cross)
def linalg_cross(x1, x2, /, *, axis=-1):
    x1, x2 = lax.lift(x1), lax.lift(x2)
    if x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise ValueError("Both input arrays must be (arrays of) 3-dimensional vectors, but they "
                         f"are {x1.shape[axis]} and {x2.shape[axis]} dimensional instead.")
    return cross(x1, x2, axis=axis)


@implements(np.linalg.tensordot)
def linalg_tensordot(x1, x2, /, *, axes=2):
    return tensordot(x1, x2, axes=axes)


@implements(np.linalg.matmul)
def linalg_matmul(x1, x2, /):
    return matmul(x1, x2)


@implements(np.linalg.matrix_transpose)
def linalg_matrix_transpose(x, /):
    return np.matrix_transpose(x)
