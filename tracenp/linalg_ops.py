"""The LINALG library primitive: `np.linalg` routines run whole, as one step.

One op with params `name` and `out` (which output of a multi-output routine);
backends call a linear-algebra library rather than generate code for these.
Inputs are already float32/float64/complex (the front end casts integers).
"""

from __future__ import annotations

import numpy as np

from .shapes import broadcast_shapes, real_dtype

LINALG = ("solve", "inv", "det", "slogdet", "cholesky", "svd", "qr", "eigh", "eigvalsh",
          "pinv", "matrix_rank")


def _square(a, name):
    if a.ndim < 2 or (a.shape[-1] is not None and a.shape[-2] is not None
                      and a.shape[-1] != a.shape[-2]):
        raise np.linalg.LinAlgError(
            f"Last 2 dimensions of the array must be square ({name} got shape {a.shape})")


def infer_linalg(srcs, p):
    name, out = p["name"], p["out"]
    a = srcs[0]
    real = real_dtype(a.dtype)
    batch, (m, n) = a.shape[:-2], a.shape[-2:]
    k = None if m is None or n is None else min(m, n)
    if name == "solve":
        _square(a, name)
        b = srcs[1]
        if b.ndim == 1:
            return a.dtype, a.shape[:-1], False
        return a.dtype, broadcast_shapes(batch, b.shape[:-2]) + b.shape[-2:], False
    if name in ("inv", "cholesky"):
        _square(a, name)
        return a.dtype, a.shape, False
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
        return a.dtype, (batch + (m, k) if out == 0 else batch + (k, n)), False
    if name == "pinv":
        return a.dtype, batch + (n, m), False
    if name == "matrix_rank":
        return np.dtype(np.intp), batch, False
    raise ValueError(f"unknown linalg routine {name!r}")


def ref_linalg(*xs, name, out, **kw):
    res = getattr(np.linalg, name)(*xs, **kw)
    if isinstance(res, tuple):
        return np.asarray(res[out])
    return np.asarray(res)


def _mT(x):
    return np.swapaxes(x, -1, -2)


def vjp_linalg(g, o, *xs, name, out, **kw):
    """Reverse-mode rules of the differentiable routines, in tracenp ops."""
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
        return ((g * o)[..., None, None] * _mT(np.linalg.inv(a)),)
    if name == "slogdet" and out == 1:
        return (g[..., None, None] * _mT(np.linalg.inv(a)),)
    if name == "cholesky":
        n = a.shape[-1]
        lower = np.tril(np.ones((n, n)))
        phi = (_mT(o) @ g) * (lower - 0.5 * np.eye(n))
        linv = np.linalg.inv(o)
        s = _mT(linv) @ phi @ linv
        return ((s + _mT(s)) * 0.5,)
    if name in ("eigh", "eigvalsh") and (out == 0 or name == "eigvalsh"):
        v = np.linalg.eigh(a)[1]
        return ((v * g[..., None, :]) @ _mT(v),)
    raise NotImplementedError(f"gradient of np.linalg.{name} (output {out}) is not implemented")
