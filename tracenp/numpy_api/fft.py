"""`np.fft`: every transform is one FFT library step on an operand padded or cut to its lengths.

NumPy's dtypes are kept: float32/complex64 (and float16) transform in single precision, the
rest in double; a 1-d `irfft` of a float16 operand gives float16, and the scale factor of a
float16 operand's first transformed axis is rounded to float16, as NumPy's is.
"""

from __future__ import annotations

import numpy as np

from .. import errors, lax
from ..fft_ops import complex_of, operand_lengths
from ..ops import Op
from ..shapes import normalize_axis
from . import implements
from .indexing import write_out

_NORMS = (None, "backward", "ortho", "forward")


def _fit(x, axes, lengths):
    """`x` zero-padded or truncated along each of `axes` to `lengths`, as NumPy's fft does."""
    for a, n in zip(axes, lengths):
        have = x.shape[a]
        if n < have:
            x = lax.slice_of(x, tuple((0, n, 1) if d == a else (None, None, None)
                                      for d in range(x.ndim)))
        elif n > have:
            x = lax.pad(x, tuple((0, n - have) if d == a else (0, 0) for d in range(x.ndim)))
    return x


def _transform(a, name, s, axes, norm, out=None):
    """The transform, written into `out` where one is given (NumPy 2's `out=`)."""
    return write_out(_transformed(a, name, s, axes, norm), out)


def _transformed(a, name, s, axes, norm):
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm}; should be "backward","ortho" or "forward".')
    x = lax.lift(a)
    if x.dtype.kind not in "biufc":
        raise errors.unsupported(f"np.fft.{name} of a {x.dtype} array")
    if axes is None:
        axes = range(x.ndim) if s is None else range(-len(s), 0)
    axes = tuple(normalize_axis(ax, x.ndim) for ax in axes)
    if len(set(axes)) != len(axes):
        raise errors.unsupported(f"np.fft.{name} over a repeated axis")
    if s is not None and len(s) != len(axes):
        raise ValueError("When given, axes and shape arguments have to be of the same length.")
    if not axes:
        raise errors.unsupported(f"np.fft.{name} over no axes")
    if s is None:
        s = [x.shape[ax] for ax in axes]
        if name == "irfftn":
            s[-1] = 2 * (s[-1] - 1)
    else:  # NumPy 2: -1 takes the axis whole
        s = [x.shape[ax] if n == -1 else n for n, ax in zip(s, axes)]
    s = tuple(int(n) for n in s)
    if any(n < 1 for n in s):
        raise ValueError(f"Invalid number of FFT data points ({min(s)}) specified.")
    if name == "rfftn":
        if x.dtype.kind == "c":
            raise TypeError("ufunc 'rfft_n_even' not supported for the input types, and the "
                            "inputs could not be safely coerced to any supported types "
                            "according to the casting rule ''safe''")
        x = lax.cast(x, np.float64 if complex_of(x.dtype) == np.complex128 else np.float32)
    else:
        x = lax.cast(x, complex_of(x.dtype))
    norm = norm or "backward"
    res = lax.bind(Op.FFT, _fit(x, axes, operand_lengths(name, s)), name=name, s=s, axes=axes,
                   norm=norm)
    if lax.lift(a).dtype == np.float16:
        fix = _half_correction(name, s, norm)
        if fix != 1:
            res = np.multiply(res, np.float32(fix))
        if name == "irfftn" and len(axes) == 1:
            res = lax.cast(res, np.float16)
    return res


def _half_correction(name: str, s: tuple, norm: str) -> float:
    """NumPy scales the first axis it transforms of a float16 operand by a factor rounded to
    float16; the later axes see complex64 and get float32 factors, as the primitive does."""
    n = s[0] if name == "irfftn" else s[-1]
    if norm == "ortho":
        return float(np.reciprocal(np.sqrt(n, dtype=np.float16))) / \
            float(np.reciprocal(np.sqrt(n, dtype=np.float32)))
    if (norm == "forward") != (name in ("ifftn", "irfftn")):
        return float(np.reciprocal(n, dtype=np.float16)) / \
            float(np.reciprocal(n, dtype=np.float32))
    return 1.0


@implements(np.fft.fft)
def fft(a, n=None, axis=-1, norm=None, out=None):
    return _transform(a, "fftn", None if n is None else (n,), (axis,), norm, out)


@implements(np.fft.ifft)
def ifft(a, n=None, axis=-1, norm=None, out=None):
    return _transform(a, "ifftn", None if n is None else (n,), (axis,), norm, out)


@implements(np.fft.rfft)
def rfft(a, n=None, axis=-1, norm=None, out=None):
    return _transform(a, "rfftn", None if n is None else (n,), (axis,), norm, out)


@implements(np.fft.irfft)
def irfft(a, n=None, axis=-1, norm=None, out=None):
    return _transform(a, "irfftn", None if n is None else (n,), (axis,), norm, out)


_SWAP_DIRECTION = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


@implements(np.fft.hfft)
def hfft(a, n=None, axis=-1, norm=None, out=None):
    """NumPy's definition: the irfft of the conjugate, with the scaling of the other direction."""
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm}; should be "backward","ortho" or "forward".')
    return irfft(np.conjugate(lax.lift(a)), n, axis, _SWAP_DIRECTION[norm], out)


@implements(np.fft.ihfft)
def ihfft(a, n=None, axis=-1, norm=None, out=None):
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm}; should be "backward","ortho" or "forward".')
    return write_out(np.conjugate(rfft(a, n, axis, _SWAP_DIRECTION[norm])), out)


@implements(np.fft.fft2)
def fft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    return _transform(a, "fftn", s, axes, norm, out)


@implements(np.fft.ifft2)
def ifft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    return _transform(a, "ifftn", s, axes, norm, out)


@implements(np.fft.rfft2)
def rfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    return _transform(a, "rfftn", s, axes, norm, out)


@implements(np.fft.irfft2)
def irfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    return _transform(a, "irfftn", s, axes, norm, out)


@implements(np.fft.fftn)
def fftn(a, s=None, axes=None, norm=None, out=None):
    return _transform(a, "fftn", s, axes, norm, out)


@implements(np.fft.ifftn)
def ifftn(a, s=None, axes=None, norm=None, out=None):
    return _transform(a, "ifftn", s, axes, norm, out)


@implements(np.fft.rfftn)
def rfftn(a, s=None, axes=None, norm=None, out=None):
    return _transform(a, "rfftn", s, axes, norm, out)


@implements(np.fft.irfftn)
def irfftn(a, s=None, axes=None, norm=None, out=None):
    return _transform(a, "irfftn", s, axes, norm, out)


def _shift(x, axes, sign: int):
    x = lax.lift(x)
    axes = range(x.ndim) if axes is None else (axes,) if isinstance(axes, (int, np.integer)) else axes
    axes = tuple(normalize_axis(ax, x.ndim) for ax in axes)
    shifts = tuple(sign * (x.shape[ax] // 2) for ax in axes)
    return np.roll(x, shifts, axes) if axes else x


@implements(np.fft.fftshift)
def fftshift(x, axes=None):
    return _shift(x, axes, 1)


@implements(np.fft.ifftshift)
def ifftshift(x, axes=None):
    return _shift(x, axes, -1)


@implements(np.fft.fftfreq)
def fftfreq(n, d=1.0, device=None):
    """Integer frequencies are NumPy's own (n is a Python int); the spacing may be traced."""
    return np.multiply(np.fft.fftfreq(int(n)) * int(n), np.divide(1.0, np.multiply(n, d)))


@implements(np.fft.rfftfreq)
def rfftfreq(n, d=1.0, device=None):
    return np.multiply(np.arange(int(n) // 2 + 1), np.divide(1.0, np.multiply(n, d)))
