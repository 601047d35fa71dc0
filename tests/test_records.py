"""Structured arrays of traced values (`numpy_api/records.py`): fields read and written by
name and as a recarray's attributes, records indexed, masked, sorted by a field and returned,
arguments written in place, and tables made in the function; against NumPy."""

import copy

import numpy as np
import pytest

import tracenp
from test_ops import assert_same

CATALOG = np.zeros(5, dtype=[("ra", "f8"), ("dec", "f8"), ("mag", "f4"), ("pos", "f8", (2,))])
CATALOG["ra"] = [10.0, 20.0, 30.0, 40.0, 50.0]
CATALOG["dec"] = [1.0, -2.0, 3.0, -4.0, 5.0]
CATALOG["mag"] = [15.0, 12.0, 18.0, 11.0, 14.0]
CATALOG["pos"] = np.arange(10.0).reshape(5, 2)


def _peak_table(pos, height):
    peaks = np.zeros(len(pos), dtype=[("pos", "f8"), ("height", "f8")])
    peaks["pos"] = pos
    peaks["height"] = height
    return peaks["pos"][np.argsort(peaks["height"])]


def _agents(x):
    agents = np.zeros(3, dtype=[("x", float), ("w", int)])
    agents["x"] = x
    agents["w"][1] = 7
    agents[0] = (x.sum(), 2)
    return agents


def _dim_and_flag(cat, dm):
    cat["mag"] = cat["mag"] + dm
    cat["dec"][0] = 99.0
    return cat["mag"].sum()


READS = {
    "field": lambda c: c["ra"] * 2 + c["mag"],
    "subarray_field": lambda c: c["pos"].sum(axis=1) + c["pos"][:, 0],
    "masked_mean": lambda c: c[c["mag"] < 16]["ra"].mean(),
    "record_and_slice": lambda c: c[1]["dec"] + c[2:]["ra"].sum() + len(c) + c.size,
    "sorted_by_a_field": lambda c: np.sort(c, order="mag")["ra"],
    "argsort_by_fields": lambda c: c.argsort(order=["mag", "ra"]),
    "records_returned": lambda c: c[::-1],
    "fields_by_list": lambda c: c[["ra", "mag"]][0]["mag"],
    "a_record_returned": lambda c: c[2],
    "zeros_like": lambda c: np.zeros_like(c)["ra"] + c["dec"],
    "compared_by_record": lambda c: (c == c[::-1], c != c[0], c[1] == c[1]),
    "compared_with_constant_records": lambda c: c[["ra", "dec"]] == CATALOG[["ra", "dec"]][::-1],
}


@pytest.mark.parametrize("name", list(READS))
@pytest.mark.parametrize("kind", ["structured", "recarray"])
def test_structured_arrays_read_as_numpy(name, kind):
    fn = READS[name]
    cat = CATALOG if kind == "structured" else CATALOG.view(np.recarray)
    for scale in (1.0, 2.0):
        arg = cat.copy()
        arg["ra"] *= scale
        got, want = tracenp.jit(fn)(arg.copy()), fn(arg.copy())
        if type(want) is np.recarray and want.dtype.names is None:
            want = np.asarray(want)  # (a recarray's argsort is a recarray of ints: an array)
        assert type(got) is type(want)
        if getattr(want, "dtype", None) is not None and want.dtype.names:
            assert got.dtype == want.dtype and got.shape == want.shape
            for n in want.dtype.names:
                assert_same(got[n], want[n])
        else:
            assert_same(got, want)


def test_a_recarrays_fields_are_attributes():
    rec = CATALOG.view(np.recarray)
    f = tracenp.jit(lambda c: c.ra * 2 + c.mag)
    assert_same(f(rec), rec.ra * 2 + rec.mag)


@pytest.mark.parametrize("fn, args", [
    (_peak_table, (np.arange(3.0), np.array([0.3, 0.9, 0.1]))),
    (_agents, (np.array([1.0, 2.0, 3.0]),)),
])
def test_tables_made_in_the_function(fn, args):
    got, want = tracenp.jit(fn)(*args), fn(*args)
    if want.dtype.names:
        assert got.dtype == want.dtype
        for n in want.dtype.names:
            assert_same(got[n], want[n])
    else:
        assert_same(got, want)


def test_fields_written_into_an_argument_reach_the_caller():
    """The fields of a structured argument are views of it: written in place, the caller's
    records change as in NumPy (and the fields are not taken for overlapping arrays)."""
    jf = tracenp.jit(_dim_and_flag)
    for dm in (1.0, 2.5):
        mine, theirs = copy.deepcopy(CATALOG), copy.deepcopy(CATALOG)
        assert_same(jf(mine, dm), _dim_and_flag(theirs, dm))
        assert mine.tobytes() == theirs.tobytes()


def test_records_of_other_fields_are_not_compared():
    """NumPy's TypeError: structured arrays without a common dtype do not compare."""
    for fn in (lambda c: c[["ra"]] == c[["dec"]], lambda c: c[["ra", "dec"]] != c[["dec", "ra"]]):
        with pytest.raises(TypeError, match="common dtype"):
            fn(CATALOG)
        with pytest.raises(TypeError, match="common dtype"):
            tracenp.jit(fn)(CATALOG)


def test_what_reads_a_structured_arrays_memory_is_refused_by_name():
    with pytest.raises(tracenp.UnsupportedFunctionError, match="structured"):
        tracenp.jit(lambda c: c.view(np.float64))(CATALOG)
    with pytest.raises(tracenp.errors.DataDependentShapeError):
        tracenp.jit(lambda c: c[c["mag"] < 16][0])(CATALOG)
