"""The Python numbers a trace stands in for (`int(x)`, `float(x)`, `x.item()`, Python scalar
arguments) against Python's own: values where int64 holds them, Python's errors where its
numbers raise (raised when the compiled function runs), three-argument `pow`, `str()`,
`sys.getsizeof` and `statistics`."""

import statistics
import sys

import numpy as np
import pytest

import tracenp
from test_ops import assert_same
from tracenp.errors import ConcretizationError, UnsupportedFunctionError

V = np.array([65, 66, 67, 3])

# name: (function of V, Python's values for it; the same function must run as in Python)
SAME = {
    "pow_mod_three_arguments": lambda m: np.array([pow(int(x), 17, 3233) for x in m]),
    "pow_mod_traced_exponent": lambda m: np.array([pow(int(x), int(m[3]) + 5, 97) for x in m]),
    "pow_mod_negative_base_and_modulus": lambda m: (pow(int(m[3]) - 9, 3, 7),
                                                    pow(int(m[0]), 5, -7)),
    "small_products_and_sums": lambda m: int(m[0]) * int(m[1]) * 1000 + int(m[2]) - 2 ** 40,
    "shifts_in_range": lambda m: ((int(m[0]) << 40) >> 38, int(m[1]) >> int(m[3])),
    "negative_power_is_a_float": lambda m: int(m[3]) ** -2,
    "divisions_by_nonzero": lambda m: (int(m[0]) // int(m[3]), int(m[0]) % -int(m[3]),
                                       float(m[1]) / float(m[2]), divmod(int(m[2]), 4)),
    "bit_length_and_count": lambda m: ([(int(x) * 977).bit_length() for x in m],
                                       [(-int(x)).bit_count() for x in m]),
    "statistics_of_traced_items": lambda m: (
        statistics.mean([m[0] * 0.5, m[1] * 1.0]), statistics.median(list(m * 1.5)),
        statistics.stdev(m * 0.1), statistics.pvariance([float(v) for v in m]),
        statistics.fmean([m.sum() * 1.0, m.max() * 1.0])),
    "sizes_of_arrays_and_views": lambda m: (sys.getsizeof(m), sys.getsizeof(m * 2.0),
                                            sys.getsizeof(m[::2]), sys.getsizeof(m.sum()),
                                            sys.getsizeof(m.reshape(2, 2).T),
                                            sys.getsizeof(float(m[0]))),
}

# name: (function of V, the error Python raises and the compiled function raises when it runs)
RAISES = {
    "int_power_past_int64": (lambda m: np.array([int(x) ** 17 % 3233 for x in m]),
                             OverflowError),
    "int_product_past_int64": (lambda m: int(m[0]) * 10 ** 17 * int(m[1]), OverflowError),
    "int_sum_past_int64": (lambda m: int(m[0]) * 2 ** 62 + 2 ** 62 + int(m[1]),
                           OverflowError),
    "left_shift_past_int64": (lambda m: (int(m[0]) << 60) >> 58, OverflowError),
    "floor_division_by_zero": (lambda m: int(m[0]) // (int(m[3]) - 3), ZeroDivisionError),
    "modulo_by_zero": (lambda m: int(m[0]) % (int(m[3]) - 3), ZeroDivisionError),
    "float_division_by_zero": (lambda m: float(m[0]) / (float(m[3]) - 3.0), ZeroDivisionError),
    "divmod_by_zero": (lambda m: divmod(int(m[0]), int(m[3]) - 3), ZeroDivisionError),
    "zero_to_a_negative_power": (lambda m: (int(m[3]) - 3) ** -1, ZeroDivisionError),
    "negative_shift_count": (lambda m: int(m[0]) >> (int(m[3]) - 4), ValueError),
    "int_to_a_negative_traced_power": (lambda m: 10 ** (int(m[3]) - 5),
                                       tracenp.errors.DataDependentShapeError),
}


@pytest.mark.parametrize("name", list(SAME))
def test_python_numbers_compute_as_python(name):
    fn = SAME[name]
    f = tracenp.jit(fn)
    for m in (V, V[::-1].copy()):
        assert_same(f(m), fn(m))


@pytest.mark.parametrize("name", list(RAISES))
def test_python_errors_are_raised_when_the_function_runs(name):
    """NumPy-eager code gives Python's error (or, past int64, Python's exact int, which
    tracenp's int64 cannot hold); the compiled function raises it rather than wrap or give
    inf, and `fallback=True` runs Python."""
    fn, error = RAISES[name]
    try:
        want = fn(V)
    except error:
        want = error
    with pytest.raises(error):
        tracenp.jit(fn)(V)
    if want is not error:
        with pytest.warns(tracenp.TracingFallbackWarning):
            assert_same(tracenp.jit(fn, fallback=True)(V), want)


def test_a_python_int_literal_past_int64_is_refused_by_name():
    def fnv1a(data):
        h = 0xCBF29CE484222325
        for b in data:
            h = ((h ^ int(b)) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
        return h

    with pytest.raises(UnsupportedFunctionError, match="past int64"):
        tracenp.jit(fnv1a)(np.array([1, 2], np.uint8))


def test_the_text_of_a_python_number_needs_its_value():
    """`str(int(b))` joined into a bit string was the tracer's placeholder text, silently
    (a decoder matched nothing): it needs the value; a Python scalar argument's text makes
    that argument static."""
    def bits_to_int(b):
        return int("".join(str(int(v)) for v in b), 2)

    with pytest.raises(ConcretizationError):
        tracenp.jit(bits_to_int)(np.array([1, 0, 1]))
    with pytest.warns(tracenp.TracingFallbackWarning):
        assert tracenp.jit(bits_to_int, fallback=True)(np.array([1, 0, 1])) == 5
    scaled = tracenp.jit(lambda x, k: x * k if str(k) == "2" else x)
    assert_same(scaled(np.arange(3.0), 2), np.arange(3.0) * 2)
    assert_same(scaled(np.arange(3.0), 3), np.arange(3.0))
