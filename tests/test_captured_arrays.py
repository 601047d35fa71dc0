"""Arrays a jitted function reads from outside (globals, closures, one step inside a global:
a dict's item, a module's, class's or object's attribute, a tuple's item, two steps into dicts
and lists, a closure's object or dict, a default; a partial's
binding), met by traced values in NumPy's own methods (`LUT[img]`, `W[i]`, `X.dot(w)`):
traced as constants on a retried trace, writes into them refused; and globals or nonlocals
the trace rebinds to traced values or new numbers, refused and put back."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tracenp
from tracenp.errors import ConcretizationError, UnsupportedFunctionError
from test_ops import assert_same

RNG = np.random.default_rng(5)
LUT = np.linspace(0.0, 1.0, 256) ** 2.2  # a gamma table, as image code keeps one
PALETTE = RNG.integers(0, 256, (8, 3), dtype=np.uint8)
X = RNG.standard_normal((20, 4))
OUT = np.zeros(5)


def _gamma(img):
    return LUT[img]


def test_a_global_table_indexed_by_an_argument():
    @tracenp.jit
    def f(img):
        return LUT[img] * 2.0

    img = RNG.integers(0, 256, (6, 7))
    assert_same(f(img), LUT[img] * 2.0)
    assert_same(f(img[::-1]), LUT[img[::-1]] * 2.0)


def test_a_global_table_indexed_inside_a_helper():
    @tracenp.jit
    def f(img, gain):
        return np.clip(_gamma(img) * gain, 0.0, 1.0)

    img = RNG.integers(0, 256, 50)
    assert_same(f(img, 1.5), np.clip(LUT[img] * 1.5, 0.0, 1.0))


def test_a_palette_gathered_by_labels_and_a_mask():
    @tracenp.jit
    def colour(labels):
        rgb = PALETTE[labels % len(PALETTE)]
        rgb[labels < 0] = 0
        return rgb

    labels = RNG.integers(-3, 20, (4, 5))
    expected = PALETTE[labels % 8]
    expected[labels < 0] = 0
    assert_same(colour(labels), expected)


def test_a_closure_matrix_row_and_method():
    W = RNG.standard_normal((10, 3))

    def make():
        @tracenp.jit
        def f(i, x):
            return W[i] @ x + X.dot(x[:1].repeat(4))[i]

        return f

    f = make()
    i, x = np.array([1, 7, 2]), RNG.standard_normal(3)
    assert_same(f(i, x), W[i] @ x + X.dot(x[:1].repeat(4))[i])


def test_a_gradient_through_a_global_embedding_lookup():
    E = RNG.standard_normal((12, 4))

    def loss(w, idx):
        return np.sum(np.tanh(E[idx] @ w) ** 2)

    w, idx = RNG.standard_normal(4), np.array([3, 3, 0, 11])
    h = 1e-6
    numeric = np.array([(loss(w + h * e, idx) - loss(w - h * e, idx)) / (2 * h)
                        for e in np.eye(4)])
    np.testing.assert_allclose(tracenp.grad(loss)(w, idx), numeric, rtol=1e-6, atol=1e-8)


def test_counts_steered_and_a_table_captured_in_one_function():
    @tracenp.jit
    def f(img, n):
        acc = np.zeros(img.shape)
        for k in range(n):
            acc = acc + LUT[(img + k) % 256]
        return acc

    img = RNG.integers(0, 256, 9)
    assert_same(f(img, 3), sum(LUT[(img + k) % 256] for k in range(3)))


def test_a_write_into_a_global_array_is_refused_and_leaves_it_alone():
    @tracenp.jit
    def f(i, v):
        OUT[i] = v
        return OUT.sum()

    with pytest.raises(UnsupportedFunctionError, match="Writing into `OUT`"):
        f(np.array([1, 3]), np.array([2.0, 5.0]))
    assert not OUT.any()

    g = tracenp.jit(f.fn, fallback=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tracenp.TracingFallbackWarning)
        assert g(np.array([1, 3]), np.array([2.0, 5.0])) == 7.0  # NumPy's own write
    assert_same(OUT, np.array([0.0, 2.0, 0.0, 5.0, 0.0]))
    OUT[:] = 0


def test_a_refusal_the_retried_trace_does_not_cure_stays_the_first_one():
    @tracenp.jit
    def f(x):
        if x.sum() > 0:  # a Python branch on a traced value
            return LUT[:3] * x
        return x

    with pytest.raises(ConcretizationError, match=r"if x.sum\(\) > 0"):
        f(np.ones(3))


def test_a_function_that_traces_as_it_is_keeps_its_globals_concrete():
    @tracenp.jit
    def f(x):
        assert type(LUT) is np.ndarray  # only a failed trace makes them constants
        return x + LUT[:4].sum()

    assert_same(f(np.ones(4)), np.ones(4) + LUT[:4].sum())


class _Encoder:
    TABLE = np.linspace(-1.0, 1.0, 10)  # a class-level table, read through `self`

    def __init__(self):
        self.W = RNG.standard_normal((10, 2))

    @tracenp.jit
    def __call__(self, idx):
        return self.TABLE[idx] + self.W[idx, 0]


class _Codebook:
    __slots__ = ("codes",)  # no __dict__: a static argument, its arrays constants

    def __init__(self):
        self.codes = RNG.standard_normal((6, 3))


def test_class_tables_and_a_static_objects_arrays_indexed_by_traced_values():
    enc, idx = _Encoder(), np.array([1, 5, 9, 5])
    assert_same(enc(idx), _Encoder.TABLE[idx] + enc.W[idx, 0])
    enc.W = enc.W * 2  # the instance's arrays stay inputs
    assert_same(enc(idx), _Encoder.TABLE[idx] + enc.W[idx, 0])
    assert type(_Encoder.TABLE) is np.ndarray  # given back after the trace

    book = _Codebook()
    f = tracenp.jit(lambda cb, i: cb.codes[i].sum(axis=1), static_argnums=0)
    assert_same(f(book, np.array([0, 5, 2])), book.codes[[0, 5, 2]].sum(axis=1))
    assert type(book.codes) is np.ndarray


PRETRAINED = {"embed": RNG.standard_normal((7, 3)), "name": "glove"}
NODES_WEIGHTS = (np.array([-0.5, 0.0, 0.5]), np.array([0.25, 0.5, 0.25]))


class _Tables:
    POPCOUNT4 = np.array([bin(i).count("1") for i in range(16)])


class _Tokenizer:
    def __init__(self):
        self.embedding = RNG.standard_normal((5, 2))


TOKENIZER = _Tokenizer()
COUNTS = np.zeros(4)


def test_arrays_one_step_inside_a_global_indexed_by_traced_values():
    config = __import__("types").ModuleType("config")  # as `import config` would bind
    config.PALETTE = RNG.integers(0, 256, (6, 3))
    globals()["config"] = config
    try:
        def f(ids, x):
            nodes, weights = NODES_WEIGHTS
            return (PRETRAINED["embed"][ids].sum(axis=1) + weights[ids % 3] * x
                    + _Tables.POPCOUNT4[ids] + TOKENIZER.embedding[ids % 5, 0]
                    + config.PALETTE[ids % 6, 1] + NODES_WEIGHTS[0][ids % 3])

        ids, x = np.array([0, 6, 3, 3]), RNG.standard_normal(4)
        assert_same(tracenp.jit(f)(ids, x), f(ids, x))
        assert type(NODES_WEIGHTS) is tuple and type(NODES_WEIGHTS[0]) is np.ndarray
        assert type(config.PALETTE) is np.ndarray and type(TOKENIZER.embedding) is np.ndarray
    finally:
        del globals()["config"]


def _lookup(ids, E, scale=1.0):
    return E[ids] * scale


def test_an_array_a_partial_binds_indexed_by_traced_values():
    E = RNG.standard_normal((6, 2))
    f = tracenp.jit(__import__("functools").partial(_lookup, E=E, scale=2.0))
    ids = np.array([5, 0, 5])
    assert_same(f(ids), E[ids] * 2.0)


def test_ufunc_at_into_a_global_is_refused_by_name():
    def count(labels):
        np.add.at(COUNTS, labels, 1)
        return COUNTS.sum()

    with pytest.raises(UnsupportedFunctionError, match="Writing into `COUNTS`"):
        tracenp.jit(count)(np.array([1, 1, 2]))
    assert not COUNTS.any()


BEST = np.inf
CALLS = 0


def test_rebinding_a_global_or_nonlocal_in_the_trace_is_refused_and_undone():
    def keep_best(x):
        global BEST
        BEST = np.minimum(BEST, x.sum())
        return x * 2

    def count_calls(x):
        global CALLS
        CALLS += 1
        return x

    def make_ema():
        avg = None

        def ema(x):
            nonlocal avg
            avg = x if avg is None else 0.9 * avg + 0.1 * x
            return avg

        return ema

    ema = make_ema()
    for fn, match in [(keep_best, "storing a traced value in `BEST`"),
                      (count_calls, "changing the Python number `CALLS`"),
                      (ema, r"`avg` \(nonlocal\)")]:
        with pytest.raises(UnsupportedFunctionError, match=match):
            tracenp.jit(fn)(np.ones(3))
    assert BEST == np.inf and CALLS == 0 and ema.__closure__[0].cell_contents is None


class _Mapper:
    TABLE = np.array([1 + 1j, -1 + 1j, 1 - 1j, -1 - 1j])  # read as `self.TABLE[i]`

    def map(self, bits):
        return self.TABLE[bits.reshape(-1, 2) @ np.array([2, 1])]

    @classmethod
    def map_cls(cls, bits):
        return cls.TABLE[bits.reshape(-1, 2) @ np.array([2, 1])]


class _Link:
    def __init__(self):
        self.mapper = _Mapper()

    def run(self, bits):
        return 2.0 * self.mapper.map(bits)


@pytest.mark.parametrize("form", ["classmethod", "made_inside", "argument", "held", "method"])
def test_a_class_table_is_captured_however_the_method_is_reached(form):
    """A class's lookup table was captured only for a jitted method's own class: through a
    classmethod, an object made in the function, an object argument or one another object
    holds, it raised ConcretizationError (`TABLE[i]` of a traced index)."""
    bits = np.array([0, 1, 1, 0, 1, 1, 0, 0])
    want = _Mapper().map(bits)
    fn, args = {"classmethod": (_Mapper.map_cls, (bits,)),
                "made_inside": (lambda b: _Mapper().map(b), (bits,)),
                "argument": (lambda b, m: m.map(b), (bits, _Mapper())),
                "held": (_Link().run, (bits,)),
                "method": (_Mapper().map, (bits,))}[form]
    assert_same(tracenp.jit(fn)(*args), want * (2.0 if form == "held" else 1.0))


UNITS = {"coal": {"heat_rate": np.array([1.0, 2.0, 4.0])}, "gas": [np.arange(3.0) * 2]}


class _Codec:
    def __init__(self):
        self.table = np.arange(10)[::-1].copy()


def _closures():
    codec, tables = _Codec(), {"t": np.arange(10) * 2}
    return (lambda i: codec.table[i]), (lambda i: tables["t"][i])


def _grid_default(x, grid=np.linspace(0.0, 1.0, 5)):
    return grid[np.argmax(x)]


def _grid_keyword(x, *, grid=np.linspace(0.0, 2.0, 5)):
    return grid[np.argmax(x)]


@pytest.mark.parametrize("fn", [
    lambda x: UNITS["coal"]["heat_rate"][np.argmax(x)],
    lambda x: UNITS["gas"][0][np.argmax(x)],
    lambda x: _closures()[0](np.argsort(x)),
    lambda x: _closures()[1](np.argsort(x)),
    _grid_default, _grid_keyword,
], ids=["dict_of_dicts", "dict_of_lists", "closure_object", "closure_dict", "default",
        "keyword_default"])
def test_arrays_two_steps_inside_in_closures_and_defaults_indexed_by_traced_values(fn):
    """A dict of dicts of arrays (a unit table), an object or dict a closure holds (a codec's
    table), an array default (`grid=np.linspace(...)`): refused before, constants now."""
    x = np.array([0.3, 2.0, 1.0])
    assert_same(tracenp.jit(fn)(x), fn(x))


def test_a_distribution_method_bound_before_the_trace():
    """`Z = norm.ppf` at module level (signal detection theory's idiom), a dict of links,
    a default and a partial: the trace's own method, not SciPy's of the traced value."""
    import functools

    from scipy.stats import gamma, norm

    z, links, pdf = norm.ppf, {"probit": norm.cdf}, functools.partial(norm.pdf, loc=1.0)
    globals().update(_Z=z, _LINKS=links, _PDF=pdf, _GAMMA=gamma.pdf)

    def by_default(h, ppf=norm.ppf):
        return ppf(h)

    def f(h):
        return (_Z(h), _LINKS["probit"](h), _PDF(h), _GAMMA(h, 2.0), by_default(h))

    h = np.array([0.2, 0.7])
    assert_same(tracenp.jit(f)(h), f(h), rtol=1e-12)


PRICES = np.array([5.0, 4.8, 4.75])


def _cheapest_order(demand):
    # an all-units discount: the price whose total cost is least, from a global table
    return PRICES[np.argmin(demand * PRICES + 100.0 / PRICES)]


def test_a_global_table_indexed_by_a_value_of_python_floats_is_captured_not_steered():
    """The index is computed from a Python float argument alone: the table is captured as a
    constant rather than the float made static (which traced once per value)."""
    f = tracenp.jit(_cheapest_order)
    for d in (10.0, 20.0, 30.0):
        assert_same(f(d), _cheapest_order(d))
    assert f.cache_info().misses == 1


def _newsvendor(demand, price, cost):
    critical = (price - cost) / price  # the critical fractile, of Python floats
    return np.quantile(demand, critical), np.percentile(demand, critical * 100.0)


def test_a_quantile_of_python_float_arguments_is_traced_not_steered():
    """`np.quantile(demand, (p - c) / p)` of Python floats: one trace for every price, the
    result promoted weakly (float32 demand gives float32), as NumPy's."""
    f = tracenp.jit(_newsvendor)
    for demand in (np.arange(10.0), np.arange(10.0, dtype=np.float32)):
        for price in (5.0, 7.5):
            assert_same(f(demand, price, 3.0), _newsvendor(demand, price, 3.0))
    assert f.cache_info().misses == 2  # one per dtype
