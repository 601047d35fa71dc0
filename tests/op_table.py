"""The one op table: each row is NumPy code that exercises some primitives.

A row drives the forward check (jit against eager NumPy, result and dtype,
across shapes and layouts), the gradient check (against central finite
differences, where `grad` is set) and each backend's parity test.
`tests/test_registry_complete.py` fails when an `Op` has no row.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from tracenp.ops import BINARY_UFUNCS, UNARY_UFUNCS, Op

# `make test` runs the slowest cross products (kernels compiled by g++ for the GPU backend's
# host runtime) on a fixed sample; `make test-full` (TRACENP_TEST_FULL=1) runs all of them.
FULL_MATRIX = os.environ.get("TRACENP_TEST_FULL", "") not in ("", "0")


def seed_of(*parts) -> int:
    """A random seed fixed by `parts` across processes (unlike `hash`, which is salted)."""
    return zlib.crc32(repr(parts).encode())


def sampled(cases, every: int) -> list:
    """All `cases` under TRACENP_TEST_FULL=1, else every `every`-th one (a fixed sample)."""
    cases = list(cases)
    return cases if FULL_MATRIX else cases[::every]


FLOATS = ("float16", "float32", "float64")
COMPLEX = ("complex64", "complex128")
INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
SIGNED = ("int8", "int16", "int32", "int64")
ALL = ("bool",) + INTS + FLOATS + COMPLEX
REAL = ("bool",) + INTS + FLOATS

# Shapes: the forward test also makes Fortran-ordered, strided and reversed variants.
SHAPES_1 = [(), (0,), (1,), (5,), (3, 4), (2, 3, 4)]
SHAPES_2 = [((), ()), ((5,), (5,)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)),
            ((0,), (1,))]


@dataclass(frozen=True)
class Row:
    """One entry: `fn(*arrays)` in plain NumPy, run eagerly and under jit."""

    name: str
    fn: Callable
    ops: tuple  # the primitives this row exercises
    nargs: int = 1
    dtypes: tuple = FLOATS
    shapes: list = field(default_factory=lambda: SHAPES_1)
    domain: str = "any"  # any | positive | unit (-1, 1) | above1 | nonzero | small_int
    grad: bool = False
    rtol: float = 1e-6
    static: dict = field(default_factory=dict)  # keyword arguments passed as Python constants


def _domain(name: str) -> str:
    if name in ("log", "log2", "log10", "sqrt", "reciprocal", "power", "float_power",
                "divide", "floor_divide", "remainder", "fmod", "gcd", "lcm"):
        return "positive"
    if name in ("arcsin", "arccos", "arctanh", "log1p"):
        return "unit"
    if name == "arccosh":
        return "above1"
    if name in ("left_shift", "right_shift", "ldexp"):
        return "small_int"
    return "any"


def _ufunc_dtypes(name: str) -> tuple:
    uf = getattr(np, name)
    chars = {t.split("->")[0] for t in uf.types}
    ok = []
    for dt in ALL:
        c = np.dtype(dt).char
        if any(sig == c * uf.nin for sig in chars):
            ok.append(dt)
    if name in ("ldexp",):
        ok = ["float32", "float64"]
    return tuple(ok)


_NONDIFF = {"sign", "floor", "ceil", "trunc", "rint", "isnan", "isinf", "isfinite", "signbit",
            "spacing", "logical_not", "invert", "bitwise_count", "frexp", "modf",
            "floor_divide", "nextafter", "heaviside", "gcd", "lcm", "left_shift", "right_shift",
            "bitwise_and", "bitwise_or", "bitwise_xor", "logical_and", "logical_or",
            "logical_xor", "equal", "not_equal", "less", "less_equal", "greater",
            "greater_equal", "ldexp", "copysign"}

ROWS: list[Row] = []

for _n in UNARY_UFUNCS:
    _uf = getattr(np, _n)
    if _uf.nout == 2:
        ROWS.append(Row(_n, (lambda uf: lambda x: uf(x))(_uf), (Op[_n.upper()],),
                        dtypes=_ufunc_dtypes(_n)))
    else:
        ROWS.append(Row(_n, _uf, (Op[_n.upper()],), dtypes=_ufunc_dtypes(_n),
                        domain=_domain(_n), grad=_n not in _NONDIFF and _n != "conjugate"))
for _n in BINARY_UFUNCS:
    ROWS.append(Row(_n, getattr(np, _n), (Op[_n.upper()],), nargs=2, dtypes=_ufunc_dtypes(_n),
                    shapes=SHAPES_2, domain=_domain(_n), grad=_n not in _NONDIFF))

ROWS += [
    Row("astype_f32", lambda x: x.astype(np.float32), (Op.CAST,), dtypes=ALL, grad=False),
    Row("astype_i16", lambda x: x.astype(np.int16), (Op.CAST,), dtypes=REAL),
    Row("view_float_bits", lambda x: x.view(f"i{x.dtype.itemsize}"), (Op.BITCAST,)),
    Row("view_bits_as_float", lambda x: (x.view(f"i{x.dtype.itemsize}") + 3).view(x.dtype),
        (Op.BITCAST, Op.ADD)),
    Row("where", lambda x, y: np.where(x > y, x, y), (Op.WHERE, Op.GREATER), nargs=2,
        dtypes=REAL, shapes=SHAPES_2, grad=True),
    Row("real", np.real, (Op.REAL,), dtypes=COMPLEX),
    Row("imag", np.imag, (Op.IMAG,), dtypes=COMPLEX),
    Row("sum", np.sum, (Op.SUM,), dtypes=ALL, grad=True),
    Row("sum_axis", lambda x: x.sum(axis=-1, keepdims=True), (Op.SUM,), dtypes=ALL,
        shapes=[(5,), (3, 4), (2, 3, 4)], grad=True),
    Row("prod", lambda x: np.prod(x, axis=0), (Op.PROD,), dtypes=ALL,
        shapes=[(5,), (3, 4), (2, 3, 4)], domain="positive", grad=True),
    Row("max", lambda x: x.max(axis=0), (Op.MAX,), dtypes=REAL,
        shapes=[(5,), (3, 4), (2, 3, 4)], grad=True),
    Row("min", lambda x: np.min(x), (Op.MIN,), dtypes=REAL, shapes=[(5,), (3, 4)], grad=True),
    Row("argmax", lambda x: np.argmax(x, axis=-1), (Op.ARGMAX,), dtypes=REAL,
        shapes=[(5,), (3, 4), (2, 3, 4)]),
    Row("argmin", lambda x: np.argmin(x), (Op.ARGMIN,), dtypes=REAL, shapes=[(5,), (3, 4)]),
    Row("cumsum", lambda x: np.cumsum(x, axis=0), (Op.CUMSUM,), dtypes=ALL,
        shapes=[(5,), (3, 4), (2, 3, 4)], grad=True),
    Row("cumprod", lambda x: np.cumprod(x), (Op.CUMPROD,), dtypes=REAL,
        shapes=[(5,), (3, 4)], domain="positive", grad=True),
    Row("accumulate", lambda x: (np.maximum.accumulate(x, axis=-1), np.minimum.accumulate(x),
                                 np.fmax.accumulate(x, axis=0)), (Op.ACCUMULATE,), dtypes=REAL,
        shapes=[(5,), (3, 4), (2, 3, 4)], grad=True),
    Row("accumulate_int", lambda x: (np.bitwise_or.accumulate(x), np.gcd.accumulate(x, axis=-1),
                                     np.logical_and.accumulate(x > 0)), (Op.ACCUMULATE,),
        dtypes=INTS, shapes=[(5,), (3, 4)]),
    Row("mean_var_std", lambda x: (x.mean(axis=0), x.var(), np.std(x, axis=-1, ddof=1)),
        (Op.SUM, Op.DIVIDE, Op.SQRT), dtypes=REAL, shapes=[(5,), (3, 4), (2, 3, 4)],
        grad=True),
    Row("reshape", lambda x: x.reshape(-1, 2), (Op.RESHAPE,), dtypes=ALL,
        shapes=[(4,), (3, 4), (2, 3, 4)], grad=True),
    Row("transpose", lambda x: x.T, (Op.TRANSPOSE,), dtypes=ALL, grad=True),
    Row("broadcast_to", lambda x: np.broadcast_to(x, (2,) + x.shape), (Op.BROADCAST,),
        dtypes=ALL, grad=True),
    Row("slice", lambda x: x[..., ::-2], (Op.SLICE,), dtypes=ALL,
        shapes=[(5,), (3, 4), (2, 3, 4)], grad=True),
    Row("strided", lambda x: (np.lib.stride_tricks.sliding_window_view(x, 2, axis=-1),
                              np.lib.stride_tricks.sliding_window_view(x, 2, axis=0).sum(-1),
                              np.lib.stride_tricks.as_strided(x, (2, 2), (x.itemsize,) * 2)),
        (Op.STRIDED,), dtypes=ALL, shapes=[(5,), (3, 4), (2, 3, 4)], grad=True),
    Row("pad", lambda x: np.pad(x, 1), (Op.PAD,), dtypes=ALL, shapes=[(5,), (3, 4)],
        grad=True),
    Row("pad_edge", lambda x: np.pad(x, (2, 1), mode="edge"), (Op.GATHER,), dtypes=REAL,
        shapes=[(5,), (3, 4)], grad=True),
    Row("concat", lambda x, y: np.concatenate([x, y], axis=-1), (Op.CONCAT,), nargs=2,
        dtypes=ALL, shapes=[((3,), (4,)), ((2, 3), (2, 5))], grad=True),
    Row("fancy_index", lambda x: x[np.array([0, -1, 1, 0])], (Op.GATHER,), dtypes=ALL,
        shapes=[(5,), (3, 4), (2, 3, 4)], grad=True),
    Row("index_add_at", lambda x: _add_at(x), (Op.SCATTER,), dtypes=FLOATS + SIGNED,
        shapes=[(5,), (3, 4)], grad=True),
    Row("setitem_slice", lambda x: _set_slice(x), (Op.SLICE_SET,), dtypes=REAL,
        shapes=[(5,), (3, 4)], grad=True),
    Row("matmul", lambda x, y: x @ y, (Op.MATMUL,), nargs=2,
        dtypes=INTS[:4] + FLOATS[1:] + COMPLEX,
        shapes=[((3, 4), (4, 2)), ((4,), (4, 3)), ((2, 3, 4), (4,)), ((5, 2, 3), (5, 3, 2))],
        grad=True, rtol=1e-4),
    Row("einsum", lambda x, y: np.einsum("ij,jk->ik", x, y), (Op.EINSUM,), nargs=2,
        dtypes=FLOATS[1:] + ("int64",), shapes=[((3, 4), (4, 2))], grad=True, rtol=1e-4),
    Row("searchsorted", lambda x, y: (np.searchsorted(np.sort(x), y),
                                      np.searchsorted(np.sort(x), y[:5], side="right"),
                                      np.interp(y, np.sort(x), x), np.digitize(y, np.sort(x))),
        (Op.SEARCHSORTED,), nargs=2, dtypes=INTS[:4] + FLOATS, shapes=[((40,), (36,))]),
    Row("correlate", lambda x, y: (np.correlate(x, y, "full"), np.convolve(x, y[:33], "same"),
                                   np.correlate(y, x, "valid")), (Op.CORRELATE,), nargs=2,
        dtypes=("bool",) + INTS[:4] + FLOATS[1:] + COMPLEX, shapes=[((40,), (36,))],
        grad=True, rtol=1e-5),
    Row("sort", lambda x: np.sort(x, axis=-1), (Op.SORT,), dtypes=REAL,
        shapes=[(5,), (3, 4)], grad=True),
    Row("argsort", lambda x: np.argsort(x, kind="stable"), (Op.ARGSORT,), dtypes=REAL,
        shapes=[(5,), (3, 4)]),
    Row("partition", lambda x: np.partition(x, 1, axis=-1), (Op.PARTITION,), dtypes=REAL,
        shapes=[(5,), (3, 4)], grad=True),
    Row("argpartition", lambda x: np.argpartition(x, (0, 2)), (Op.ARGPARTITION,), dtypes=REAL,
        shapes=[(5,), (3, 4)]),
    Row("fft_abs", lambda x: np.abs(np.fft.fft(x)), (Op.FFT, Op.ABSOLUTE),
        dtypes=FLOATS + COMPLEX[:1], shapes=[(5,), (3, 4), (2, 3, 4)], grad=True),
    Row("fft2_ifft_ortho", lambda x: np.real(np.fft.ifft(np.fft.fft2(x, s=(3, 6)) * 1j,
                                                         norm="ortho")),
        (Op.FFT, Op.REAL), dtypes=FLOATS[1:], shapes=[(4, 5), (2, 3, 4)], grad=True),
    Row("rfft_irfft", lambda x: np.fft.irfft(np.fft.rfft(x, norm="forward") ** 2, n=7),
        (Op.FFT,), dtypes=FLOATS, shapes=[(5,), (3, 6)], grad=True),
    Row("rfftn_irfftn", lambda x: (np.fft.irfftn(np.abs(np.fft.rfftn(x, norm="ortho")) + 0j,
                                                 axes=(0, 1)), np.abs(np.fft.rfft2(x))),
        (Op.FFT,), dtypes=FLOATS[1:], shapes=[(4, 4), (3, 5)], grad=True),
    Row("fft_out_whole_axes_shift", lambda x: (
        np.fft.fft(x, out=np.empty(x.shape, complex)), np.fft.fftn(x, s=(-1, 6), axes=(0, 1)),
        np.fft.irfftn(np.fft.rfftn(x, axes=(0, 1)), s=(-1, 5), axes=(0, 1)),
        np.fft.fftshift(x, axes=np.int64(1))), (Op.FFT,), dtypes=("float64",),
        shapes=[(4, 4), (3, 5)]),
    Row("lstsq", lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0], (Op.LINALG,), nargs=2,
        dtypes=("float32", "float64"), shapes=[((5, 3), (5,)), ((4, 2), (4, 3))], grad=True),
    Row("eigvals", lambda a: _eig_of_rotation(a), (Op.LINALG,),
        dtypes=("float32", "float64"), shapes=[(3, 3), (4, 4)], grad=True, rtol=1e-5),
    Row("masked_read_reduce", lambda x: (x[x > 0].sum(), np.mean(x[x > -100] ** 2),
                                         x[x < 100].max(), np.std(x[np.abs(x) < 100])),
        (Op.WHERE, Op.SUM, Op.MAX), dtypes=FLOATS, shapes=[(5,), (3, 4)], grad=True),
    Row("solve", lambda a, b: np.linalg.solve(a @ a.T + 4 * np.eye(a.shape[0]), b),
        (Op.LINALG,), nargs=2, dtypes=("float64",), shapes=[((3, 3), (3,)), ((4, 4), (4, 2))],
        grad=True, rtol=1e-8),
    Row("draw", lambda x: _noisy(x), (Op.DRAW,), shapes=[(), (5,), (3, 4)], grad=True),
    Row("check", lambda x: x[x >= np.median(x)].max(), (Op.CHECK,), dtypes=REAL,
        shapes=[(5,), (3, 4)]),  # a max of a selection: raises when it is empty
    Row("host_call", lambda x: _host_calls(x), (Op.HOST,), shapes=[(5,), (3, 4), (2, 3, 4)],
        grad=True),  # float16: SciPy's filter refuses it, eager and traced alike
]


def _host_calls(x):
    """SciPy's own functions between fused NumPy code, run on the values (`Op.HOST`), with
    their gradients: a circular Gaussian filter is its own adjoint, psi's derivative is
    polygamma(1, x)."""
    from scipy import ndimage, special

    return ndimage.gaussian_filter1d(np.sin(x), 1.5, mode="wrap") * 2 + special.psi(x * x + 1)


_DRAWS = np.random.RandomState(0)  # a module global: its draws happen at each call


def _noisy(x):
    """Draws reseeded in the function: the same numbers on every call, eager or jitted, so
    the row compares like any other (and its gradient is the drawn factor)."""
    _DRAWS.seed(3)
    return x * _DRAWS.uniform(0.5, 1.5, size=np.shape(x)) + _DRAWS.randint(4)


def _eig_of_rotation(a):
    """Eigenvalues 0.5 +- i w (and 0.5): complex in NumPy too, whatever the draw."""
    r = a - a.T + 0.5 * np.eye(a.shape[0])
    return np.sort(np.abs(np.linalg.eigvals(r))), np.real(np.linalg.eig(r)[0] ** 2)


def _add_at(x):
    y = x.copy()
    np.add.at(y, np.array([0, 0, 1]), 1)
    return y


def _set_slice(x):
    y = x.copy()
    y[1:3] = 0
    return y


def make_arg(rng: np.random.Generator, shape: tuple, dtype: str, domain: str = "any"):
    """A random array of `dtype` and `shape` in the row's domain (C-contiguous)."""
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return rng.random(shape) > 0.5
    if dt.kind in "iu":
        lo, hi = (1, 6) if domain in ("positive", "small_int") else (
            (0, 10) if dt.kind == "u" else (-5, 6))
        return rng.integers(lo, hi, size=shape).astype(dt)
    if domain == "positive":
        x = rng.uniform(0.5, 3.0, size=shape)
    elif domain == "unit":
        x = rng.uniform(-0.9, 0.9, size=shape)
    elif domain == "above1":
        x = rng.uniform(1.2, 4.0, size=shape)
    elif domain == "small_int":
        x = rng.uniform(-3, 3, size=shape)
    else:
        x = rng.standard_normal(shape) * 2
    if dt.kind == "c":
        x = x + 1j * (rng.uniform(0.5, 1.5, size=shape) if domain != "any"
                      else rng.standard_normal(shape))
    return np.asarray(x).astype(dt)
