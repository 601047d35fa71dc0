"""A complex array from its real and imaginary parts, exactly.

`re + im * 1j` is not exact: `im * 1j` is a complex product, `(im + 0j) * (0 + 1j)`, whose real
part `im * 0 - 0` is nan for an infinite `im`, and whose sum with `re` loses the sign of a zero
(`-0.0` becomes `+0.0`, which flips NumPy's `sqrt` and `log` across their branch cut). Built
here as `conj(re + 0j) + t` with `t = (-0.0, im)`: adding `-0.0` keeps every real part, and
`-0.0 + im` is `im`. For a finite `im`, `t` is `-(im * -1j)` (its products with 0 are exact
zeros, so `t` is `(-0.0, im)` but for the sign of a zero `im`, which adding `(-0.0, +-0.0)`
sets), differentiable in `im`; for an infinite or nan `im` it is a constant.
"""

from __future__ import annotations

import numpy as np

from .. import lax


def complex_from_parts(re, im, dtype):
    """The `dtype` (complex) array with real part `re` and imaginary part `im` (broadcast)."""
    dtype = np.dtype(dtype)
    part = np.empty(0, dtype).real.dtype
    re, im = lax.cast(re, part), lax.cast(im, part)

    def const(real, imag):
        return lax.lift(np.array(complex(real, imag), dtype))

    ordinary = np.negative(np.multiply(lax.cast(im, dtype), const(0.0, -1.0)))
    finite = np.add(ordinary, lax.where(np.signbit(im), const(-0.0, -0.0), const(-0.0, 0.0)))
    t = lax.where(np.isfinite(im), finite,
                  lax.where(np.isnan(im), const(-0.0, np.nan),
                            lax.where(np.signbit(im), const(-0.0, -np.inf), const(-0.0, np.inf))))
    return np.add(np.conjugate(lax.cast(re, dtype)), t)
