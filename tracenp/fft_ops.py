"""The FFT library primitive: `np.fft`'s n-dimensional transforms run whole, as one step.

One op with params `name` ("fftn", "ifftn", "rfftn", "irfftn"), `s` (the transform's lengths),
`axes` (non-negative, one per length) and `norm`. The front end (`numpy_api/fft.py`) pads or
truncates the input first, so the operand already has the lengths the transform reads:
`s` itself, or `s[-1] // 2 + 1` along the last axis of "irfftn". Every 1-d and 2-d routine of
`np.fft` is one of these four.

Gradients follow the transpose convention the other complex rules use (`multiply`'s cotangent
is `g * y`): the DFT matrix is symmetric, so a c2c transform is its own transpose; rfft's is the
zero-padded full transform's real part, irfft's the conjugated, edge-weighted rfft (as in JAX).
"""

from __future__ import annotations

import numpy as np

FFT_NAMES = ("fftn", "ifftn", "rfftn", "irfftn")
_FLIP_NORM = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def complex_of(dtype: np.dtype) -> np.dtype:
    """The complex dtype `np.fft` computes in for an operand of `dtype`."""
    dtype = np.dtype(dtype)
    return np.dtype(np.complex64 if dtype in (np.float32, np.complex64, np.float16)
                    else np.complex128)


def operand_lengths(name: str, s: tuple) -> tuple:
    """The lengths the operand has along `axes`: `s`, but the half spectrum for irfftn."""
    return s[:-1] + (s[-1] // 2 + 1,) if name == "irfftn" else s


def infer_fft(srcs, p):
    (x,) = srcs
    name, s, axes = p["name"], tuple(p["s"]), tuple(p["axes"])
    if name not in FFT_NAMES:
        raise ValueError(f"unknown fft routine {name!r}")
    if len(s) != len(axes) or any(a < 0 or a >= x.ndim for a in axes):
        raise ValueError(f"fft: axes {axes} and lengths {s} do not fit an operand of rank {x.ndim}")
    want = operand_lengths(name, s)
    if tuple(x.shape[a] for a in axes) != want:
        raise ValueError(f"fft: the operand has lengths {[x.shape[a] for a in axes]} along "
                         f"{axes}; {name} with s={s} reads {want}")
    real = name == "rfftn"
    if (x.dtype.kind == "c") == real or x.dtype not in (np.float32, np.float64, np.complex64,
                                                         np.complex128):
        raise TypeError(f"fft: {name} does not take a {x.dtype} operand")
    shape = list(x.shape)
    for a, n in zip(axes, s):
        shape[a] = n
    if name == "rfftn":
        shape[axes[-1]] = s[-1] // 2 + 1
    dtype = np.dtype(np.float32 if x.dtype == np.complex64 else np.float64) \
        if name == "irfftn" else complex_of(x.dtype)
    return dtype, tuple(shape), False


def ref_fft(x, name, s, axes, norm):
    return getattr(np.fft, name)(x, s=s, axes=axes, norm=norm)


def _fft(x, name, s, axes, norm):
    from . import lax
    from .ops import Op

    return lax.bind(Op.FFT, x, name=name, s=tuple(s), axes=tuple(axes), norm=norm)


def vjp_fft(g, o, x, name, s, axes, norm):
    from . import lax

    if name in ("fftn", "ifftn"):
        return (_fft(lax.cast(g, o.dtype), name, s, axes, norm),)
    last = axes[-1]
    if name == "rfftn":
        g = lax.cast(g, o.dtype)
        widths = [(0, 0)] * g.ndim
        widths[last] = (0, s[-1] - g.shape[last])
        return (np.real(_fft(lax.pad(g, widths), "fftn", s, axes, norm)),)
    spec = _fft(lax.cast(g, o.dtype), "rfftn", s, axes, _FLIP_NORM[norm])
    m = spec.shape[last]
    weight = np.full(m, 2.0)
    weight[0] = 1.0
    if s[-1] % 2 == 0:
        weight[-1] = 1.0
    weight = weight.reshape((m,) + (1,) * (spec.ndim - last - 1)).astype(o.dtype)
    return (np.conjugate(spec * weight),)
