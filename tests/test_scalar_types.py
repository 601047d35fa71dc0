"""NumPy's scalar types called on traced values are casts, and answer type questions as the
real types do while a trace has them replaced (`numpy_api.scalar_types`)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy import float32, uint8

import tracenp
from test_ops import assert_same

_X = np.array([-1.5, 0.25, 2.75, 300.0, 7.5])

CASTS = {
    "float32 of an array": lambda x: np.float32(x) * 2,
    "float64 of a sum": lambda x: np.float64(x.sum()),
    "float64 of a 0-d product": lambda x: np.float64(x[0] * x[1]) + 1,
    "double of a mean": lambda x: np.double(x.mean()),
    "single of an array": lambda x: np.single(x),
    "half of an array": lambda x: np.float16(x),
    "uint8 of clipped pixels": lambda x: np.uint8(np.clip(x * 50, 0, 255)),
    "uint16 of a scalar": lambda x: np.uint16(np.abs(x).sum()),
    "int32 truncates": lambda x: np.int32(x),
    "int64 of a comparison count": lambda x: np.int64((x > 0).sum()),
    "intp of an index": lambda x: np.intp(np.argmax(x)),
    "complex128 of an array": lambda x: np.complex128(x) * 1j,
    "float32 of a list of traced values": lambda x: np.float32([x[0], x[1] * 2]),
    "imported by name": lambda x: float32(x[:2]) + uint8(np.abs(x[:2])),
    "real values are NumPy's": lambda x: x * np.float32(0.1) + np.int8(3),
    "longdouble of pulse times": lambda x: np.longdouble(x) * 2 + np.longdouble(x.sum()),
    "clongdouble, longlong, ulonglong": lambda x: (np.clongdouble(x) * 1j, np.longlong(x),
                                                   np.ulonglong(np.abs(x))),
}


@pytest.mark.parametrize("name", list(CASTS))
def test_casts_give_numpy_values_dtypes_and_scalars(name):
    fn = CASTS[name]
    got = tracenp.jit(fn)(_X)
    want = fn(_X)
    assert type(got) is type(want)
    assert_same(got, want)


QUESTIONS = {
    "dtype argument": lambda x: np.zeros(3, np.float32) + np.ones(2, dtype=np.int16)[:, None],
    "astype": lambda x: x.astype(np.float32) - 1,
    "dtype equality": lambda x: x * 2 if x.dtype == np.float64 else x,
    "membership": lambda x: x + 1 if x.dtype in (np.float32, np.float64) else x,
    "issubdtype": lambda x: x - 1 if np.issubdtype(x.dtype, np.float64) else x,
    "dict keyed by type": lambda x: x * {np.float64: 3.0, np.float32: 2.0}[x.dtype.type],
    "isinstance of a real scalar": lambda x: x + isinstance(np.float64(2.0), np.float64),
    "finfo and iinfo": lambda x: x * np.finfo(np.float32).eps + np.iinfo(np.uint8).max,
    "np.dtype of a type": lambda x: x.astype(np.dtype(np.int16)),
    "select on a constant condition": lambda x: x + np.select([np.arange(5) > 2], [1.0], 0.0),
}


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_type_questions_answer_as_numpy(name):
    fn = QUESTIONS[name]
    assert_same(tracenp.jit(fn)(_X), fn(_X))


def test_the_real_types_are_back_after_a_trace():
    real = np.float32
    tracenp.jit(lambda x: np.float32(x))(_X)
    assert np.float32 is real and type(np.float32(1)) is real


def test_a_bool_cast_of_a_traced_array_is_still_refused_with_its_error():
    """`np.bool_` is left alone: NumPy's `select` checks `dtype.type is np.bool`."""
    with pytest.raises(tracenp.ConcretizationError):
        tracenp.jit(lambda x: np.bool_(x > 0))(_X)
