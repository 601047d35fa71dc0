"""jit behaviour: the cache per signature, static arguments, pytrees, returns, in-place writes."""

from __future__ import annotations

import dataclasses
import sys
import threading
import types
import warnings

import numpy as np
import pytest

import tracenp
from test_ops import assert_same

RNG = np.random.default_rng(11)
X = RNG.standard_normal((3, 4))


def test_body_runs_once_per_signature_and_reports_why():
    calls = []

    @tracenp.jit
    def f(x, s):
        calls.append(1)
        return x * s

    assert_same(f(X, 2.0), X * 2.0)
    assert_same(f(X + 1, 3.5), (X + 1) * 3.5)  # new data and scalar value: no retrace
    assert len(calls) == 1
    assert_same(f(X.astype(np.float32), 2.0), X.astype(np.float32) * 2.0)  # new dtype
    assert_same(f(X[:2], 2.0), X[:2] * 2.0)  # new shape
    assert_same(f(X, 2), X * 2)  # Python int instead of float
    assert len(calls) == 4
    info = f.cache_info()
    assert (info.hits, info.misses) == (1, 4)
    assert info.retraces[0] == "first call"
    assert "float32" in info.retraces[1]
    assert "[2, 4]" in info.retraces[2]
    assert "python int" in info.retraces[3]
    assert "hits=1 misses=4" in str(info)


def test_static_argnums_and_argnames_retrace_on_value():
    calls = []

    def f(x, n, *, axis):
        calls.append(1)
        for _ in range(n):
            x = np.cumsum(x, axis=axis)
        return x

    jf = tracenp.jit(f, static_argnums=1, static_argnames="axis")
    for n, axis in [(2, 0), (2, 0), (3, 0), (3, 1), (2, 0)]:
        want = f(X, n, axis=axis)
        calls.pop()
        assert_same(jf(X, n, axis=axis), want)
    assert len(calls) == 3
    assert "static arguments changed" in jf.cache_info().retraces[1]


def test_negative_static_argnums_count_from_the_end():
    def power(x, n):
        out = x
        for _ in range(n - 1):
            out = out * x
        return out

    jf = tracenp.jit(power, static_argnums=(-1,))  # the function was called with n = None
    for n in (5, 3):
        assert_same(jf(X, n), power(X, n))


@pytest.mark.parametrize("first", [5, 2 ** 63])
def test_a_python_int_outside_int64_is_static_by_its_value(first):
    """NumPy promotes a Python int outside int64 by its value (float64 beside a float array,
    OverflowError beside an int64 one). Such an argument after a call with a small int was read
    as an int64 with another value's bits (`x * 2**63` gave -9.2e18, `x * 2**64` 1.4e14)."""
    jf, ji = tracenp.jit(lambda x, n: x * n), tracenp.jit(lambda x, n: x + n)
    xi = np.arange(3)
    for n in (first, 2 ** 63, 2 ** 64, -2 ** 63 - 1, 7, 2 ** 64):
        assert_same(jf(X, n), X * n)
        assert_same(jf(X, n=n), X * n)
        if -2 ** 63 <= n < 2 ** 63:
            assert_same(ji(xi, n), xi + n)
        else:
            with pytest.raises(OverflowError):
                xi + n
            with pytest.raises(OverflowError):
                ji(xi, n)


def test_a_python_int_outside_int64_inside_a_container_is_refused_by_name():
    with pytest.raises(tracenp.UnsupportedFunctionError, match="outside int64"):
        tracenp.jit(lambda d: d["x"] * d["n"])({"x": X, "n": 2 ** 64})


def test_static_argument_must_be_hashable():
    jf = tracenp.jit(lambda x, shape: x.reshape(shape), static_argnums=(1,))
    assert_same(jf(X, (4, 3)), X.reshape(4, 3))
    with pytest.raises(TypeError, match="hashable"):
        jf(X, [4, 3])


def test_keyword_arguments_and_defaults():
    @tracenp.jit
    def f(x, y=None, scale=1.0):
        return x * scale if y is None else x + y * scale

    assert_same(f(X), X * 1.0)
    assert_same(f(X, scale=2.0), X * 2.0)
    assert_same(f(X, y=X, scale=0.5), X + X * 0.5)
    assert_same(f(y=X, x=X), X + X * 1.0)


def test_pytree_arguments_and_outputs():
    @tracenp.jit
    def f(params, batch):
        h = np.tanh(batch["x"] @ params["W"] + params["b"])
        return {"out": h, "stats": [h.mean(), (h.min(), None)], "n": batch["x"].shape[0]}

    params = {"W": RNG.standard_normal((4, 2)), "b": np.zeros(2)}
    batch = {"x": X}
    want = {"out": np.tanh(X @ params["W"]), "stats": [None, None], "n": 3}
    want["stats"] = [want["out"].mean(), (want["out"].min(), None)]
    assert_same(f(params, batch), want)
    got = f(params, batch)
    assert got["stats"][1][1] is None and type(got["n"]) is int


def test_returns_are_what_numpy_returns():
    @tracenp.jit
    def f(x, s):
        return x.sum(), x[0, 0], x[0], s * 2, s + 1.5, x.astype(np.float32)[0, :1], 7, x.T[...]

    got = f(X, 3)
    assert type(got[0]) is np.float64 and type(got[1]) is np.float64
    assert isinstance(got[2], np.ndarray) and got[2].shape == (4,)
    assert type(got[3]) is int and got[3] == 6
    assert type(got[4]) is float and got[4] == 4.5
    assert got[5].dtype == np.float32 and got[6] == 7
    assert_same(got[7], X.T[...])
    zero_d = np.array(2.5)
    assert_same(tracenp.jit(lambda a: (a, a.T, a + 1, a[()], a[...]))(zero_d),
                (zero_d, zero_d.T, zero_d + 1, zero_d[()], zero_d[...]))


def test_cached_calls_rebuild_nested_results_as_numpy_returns_them():
    """The second and later calls of a signature take `jit`'s fast runner, which rebuilds the
    result from a compiled expression: the same structure, types and values as the first."""
    from collections import namedtuple

    Stats = namedtuple("Stats", "mean spread")

    def f(x, s):
        m = x.mean(axis=0)
        return {"stats": Stats(m, (x - m).std()), "rows": [x[0], (x.sum(),)], "s": s * 2,
                "none": None, "k": 3}, x.max()

    jf = tracenp.jit(f)
    for _ in range(3):
        got, want = jf(X, 1.5), f(X, 1.5)
        assert type(got[0]["stats"]) is Stats and type(got[0]["rows"][1]) is tuple
        assert type(got[0]["s"]) is float and type(got[1]) is np.float64
        assert_same(got, want)


def _log_prob(x, mu, ivar):
    return -0.5 * np.sum((x - mu) ** 2 * ivar, axis=-1)


def test_a_partial_argument_carries_its_arrays_and_its_function_keys_the_cache():
    """`functools.partial(log_prob, mu=..., ivar=...)` handed to a sampler: its bound arrays
    are traced inputs, its function and keyword names are the structure (it raised
    "jit arguments must be ..."); an int it binds steers as a Python scalar argument does;
    a partial returned, or an array of it, is the caller's object."""
    import functools

    def step(x, log_prob):
        return log_prob(x) * 2, log_prob.keywords.get("mu"), log_prob

    jf = tracenp.jit(step)
    for mu in (np.zeros(4), np.ones(4), np.arange(4.0)):
        p = functools.partial(_log_prob, mu=mu, ivar=X[0] ** 2)
        got, want = jf(X, p), step(X, p)
        assert_same(got[0], want[0])
        assert got[1] is mu and got[2].func is _log_prob and got[2].keywords["mu"] is mu
    assert jf.cache_info().misses == 1
    for axis in (0, 1):
        total = functools.partial(np.sum, axis=axis)
        assert_same(tracenp.jit(lambda x, f: f(x))(X, total), total(X))


def _typed_branches(x, alpha, R):
    assert type(alpha) == float
    r = x * 2 if type(alpha) is float else x * 3
    if type(R) is np.ndarray:
        r = r + R.sum()
    return (r.astype(type(x[0])), type(x).__name__, type(r.sum()) is np.float64,
            isinstance(type, type), type(3))


def test_type_of_a_traced_value_is_the_class_numpy_hands_back():
    """`type(alpha) is float`, `assert type(R) is np.ndarray` (filterpy, MCMC samplers) saw
    the tracer's class and took the other branch silently, also under fallback=True: while
    a function is traced, `type` in its modules answers as `x.__class__` does."""
    args = (X[0], 0.5, X)
    for jf in (tracenp.jit(_typed_branches), tracenp.jit(_typed_branches, fallback=True)):
        got, want = jf(*args), _typed_branches(*args)
        assert_same(got[0], want[0])
        assert got[1:] == want[1:]


def test_slices_and_ranges_as_arguments_are_static():
    """A baseline `slice` argument, a region as a tuple of slices and a `range` of channels
    key the cache by their bounds (they raised "jit arguments must be ..."; a slice is
    unhashable before Python 3.12); a region returned is the caller's."""
    def crop(img, region, channels, out):
        out[...] = 0
        out[region] = img[region] - img[region].mean(axis=-1, keepdims=True)
        return img[region].sum() + sum(channels), region

    img = np.arange(48.0).reshape(6, 8)
    jf = tracenp.jit(crop)
    regions = ((slice(1, 4), slice(2, 7)), (slice(None, 2), slice(None, None, 3)),
               (slice(1, 4), slice(2, 7)))
    for region in regions:
        got_out, want_out = np.ones_like(img), np.ones_like(img)
        got, want = jf(img, region, range(3), got_out), crop(img, region, range(3), want_out)
        assert_same(got[0], want[0])
        assert got[1] == want[1]
        assert_same(got_out, want_out)
    assert jf.cache_info().misses == 2
    sl = tracenp.jit(lambda x, s: x[..., s].mean(axis=-1))
    assert_same(sl(img, slice(2, 5)), img[..., 2:5].mean(axis=-1))


def test_records_and_ordered_dicts_go_in_and_come_out_as_given():
    """A dataclass or SimpleNamespace argument's arrays are traced and its strings key the
    cache; one returned comes back as its class (its arrays were once left as tracers in
    it); dicts keep their key order and OrderedDict its type; an attribute the function sets
    on a record argument is set on the caller's object, as in NumPy."""
    import dataclasses
    import types
    from collections import OrderedDict

    @dataclasses.dataclass
    class Config:
        act: str
        w: np.ndarray

    @dataclasses.dataclass(frozen=True)
    class Result:
        y: np.ndarray
        total: float

    def f(x, cfg, ns):
        y = np.maximum(x * cfg.w, 0) if cfg.act == "relu" else np.tanh(x * cfg.w)
        cfg.w = cfg.w + ns.step
        return Result(y, y.sum()), {"z": y, "a": ns.step * 2}, OrderedDict(b=1, a=y.max())

    jf = tracenp.jit(f)
    for act in ("relu", "tanh", "relu"):
        mine, theirs = Config(act, X[0].copy()), Config(act, X[0].copy())
        ns = types.SimpleNamespace(step=0.5)
        got, want = jf(X, mine, ns), f(X, theirs, ns)
        assert type(got[0]) is Result and list(got[1]) == ["z", "a"]
        assert type(got[2]) is OrderedDict and list(got[2]) == ["b", "a"]
        assert_same((got[0].y, got[0].total, got[1], dict(got[2])),
                    (want[0].y, want[0].total, want[1], dict(want[2])))
        assert_same(mine.w, theirs.w)
    assert jf.cache_info().misses == 2


HISTORY: list = []
CACHE: dict = {}


def _logged_step(x):
    loss = (x ** 2).sum()
    HISTORY.append(loss)
    return loss


def _cached_step(x):
    CACHE["last"] = x * 2
    return x + 1


class _Logger:
    def __init__(self):
        self.w = np.ones(4)
        self.history = []

    @tracenp.jit
    def step(self, x):
        loss = (x * self.w).sum()
        self.history.append(loss)
        return loss


def test_traced_values_stored_where_they_outlive_the_call_are_refused():
    """`history.append(loss)` on a global list or an instance's list, or a global dict item:
    the container would keep a tracer and compiled calls would store nothing (a method's
    `self.history` held one tracer after two calls). Refused, with the appended tracer taken
    out again; under fallback=True every call stores NumPy's value."""
    x = X[0]
    for fn, holder in ((_logged_step, HISTORY), (_cached_step, CACHE)):
        with pytest.raises(tracenp.errors.UnsupportedFunctionError, match="outlives the call"):
            tracenp.jit(fn)(x)
    assert HISTORY == []
    logger = _Logger()
    with pytest.raises(tracenp.errors.UnsupportedFunctionError, match=r"self\.history\[0\]"):
        logger.step(x)
    assert logger.history == []
    with pytest.warns(tracenp.TracingFallbackWarning):
        jf = tracenp.jit(_logged_step, fallback=True)
        jf(x), jf(x)
    assert HISTORY == [(x ** 2).sum()] * 2
    HISTORY.clear()


def _logged_then_branching(x):
    HISTORY.append(x.sum())
    return x if x.sum() > 0 else -x  # refused after the append


def test_a_failed_trace_takes_back_what_it_stored_before_failing():
    """A trace that fails after storing a tracer (then retried, or run eagerly under
    fallback=True) used to leave the tracer in the global list."""
    with pytest.raises(tracenp.errors.ConcretizationError):
        tracenp.jit(_logged_then_branching)(X[0] ** 2)
    assert HISTORY == []
    with pytest.warns(tracenp.TracingFallbackWarning):
        tracenp.jit(_logged_then_branching, fallback=True)(X[0] ** 2)
    assert HISTORY == [(X[0] ** 2).sum()]
    HISTORY.clear()


LONG_LOG: list = list(range(1000))


def _logged_after_a_long_list(x):
    LONG_LOG.append("step")
    LONG_LOG.append(x.sum())
    return x * 2


def test_a_traced_value_appended_to_a_long_list_is_found_and_the_list_put_back():
    """A list longer than what is copied whole: the appends after its end are still looked
    at, and the list is put back as the trace found it (its text item too), so that the
    eager calls under fallback=True append NumPy's values only."""
    x = X[0]
    with pytest.raises(tracenp.errors.UnsupportedFunctionError, match=r"LONG_LOG\[1001\]"):
        tracenp.jit(_logged_after_a_long_list)(x)
    assert LONG_LOG == list(range(1000))
    with pytest.warns(tracenp.TracingFallbackWarning):
        tracenp.jit(_logged_after_a_long_list, fallback=True)(x)
    assert LONG_LOG[1000:] == ["step", x.sum()]
    del LONG_LOG[1000:]


class _Box:
    def __init__(self, v):
        self.v = v


def test_results_that_would_hold_traced_values_are_refused():
    """A deque, a set or a plain object is returned as traced: with traced arrays inside it
    would hand out tracers on every call, so it is refused (and runs in NumPy under
    fallback=True)."""
    from collections import deque

    for fn in (lambda x: deque([x * 2]), lambda x: _Box(x + 1)):
        with pytest.raises(tracenp.errors.UnsupportedFunctionError, match="holds traced"):
            tracenp.jit(fn)(X)
        with pytest.warns(tracenp.TracingFallbackWarning):
            got = tracenp.jit(fn, fallback=True)(X)
        assert_same(list(got) if isinstance(got, deque) else got.v,
                    list(fn(X)) if isinstance(got, deque) else fn(X).v)


def _classes(x, s, w, flag):
    return tuple(isinstance(v, t) for v in (x, x[0], x.sum(), x.T[...], x[0, 0], s, s * 2, w,
                                            w + 1, flag, np.allclose(x, x), x.astype(int)[0, 1])
                 for t in (np.ndarray, np.generic, np.floating, np.integer, float, int, bool,
                           complex))


def _sample_weight(sample_weight, X):
    if isinstance(sample_weight, (int, float)):
        sample_weight = np.full(X.shape[0], sample_weight)
    else:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
    return sample_weight / sample_weight.sum() * X.shape[0]


def test_isinstance_sees_the_class_numpy_hands_back():
    """`isinstance` of a traced value answers for what NumPy gives there (an ndarray, a NumPy
    scalar, a Python scalar argument): scikit-learn's `isinstance(sample_weight, (int,
    float))` took the array branch, and returned a scalar where NumPy gives an array."""
    assert tracenp.jit(_classes)(X, 3, 2.5, True) == _classes(X, 3, 2.5, True)
    assert_same(tracenp.jit(_sample_weight)(2.0, X), _sample_weight(2.0, X))
    assert_same(tracenp.jit(_sample_weight)(X[:, 0], X), _sample_weight(X[:, 0], X))


def test_in_place_updates_write_back_to_arguments():
    def f(x, v):
        x[0] = 0
        x[:, 1] += v
        v *= 2
        x += 1
        return x.sum()

    a, b = X.copy(), np.arange(3.0)
    ja, jb = X.copy(), np.arange(3.0)
    assert_same(tracenp.jit(f)(ja, jb), f(a, b))
    np.testing.assert_array_equal(ja, a)
    np.testing.assert_array_equal(jb, b)


def test_view_semantics_inside_the_function():
    def f(x):
        y = x.copy()
        v = y[1:, ::2]
        v[0] = -1  # writes through the view into y
        w = y.T
        w[0, 0] = 9  # and through a transpose
        r = y.reshape(-1)
        out = np.zeros((2, 3))
        out[:, 0] = v[:2, 0]
        return y, v, r, out, x

    check = tracenp.jit(f)
    a = X.copy()
    assert_same(check(a), f(X.copy()))
    np.testing.assert_array_equal(a, X)  # the argument itself is untouched


_C3 = np.arange(24.0).reshape(2, 3, 4)
_LAYOUT_FOLLOWERS = [  # results whose element order follows the argument's memory layout
    lambda x: x.ravel("A"),
    lambda x: np.ravel(x, order="K"),
    lambda x: x.T.ravel("A"),
    lambda x: x.T.ravel("K"),
    lambda x: np.swapaxes(x, 0, 1).ravel("K"),
    lambda x: np.swapaxes(x, 0, 1).ravel("A"),
    lambda x: x[:, ::-1].ravel("K"),
    lambda x: x.T[::-1].flatten("K"),
    lambda x: x[0].flatten("A"),
    lambda x: x.reshape(-1, x.shape[0], order="A"),
]


@pytest.mark.parametrize("fn", _LAYOUT_FOLLOWERS)
def test_orders_a_and_k_follow_the_arguments_memory_layout(fn):
    """`ravel("A")` of a Fortran-ordered argument is Fortran order: the layout joins the
    signature once a trace reads it, so C- and F-ordered calls get their own traces."""
    jf = tracenp.jit(fn)
    for x in (_C3, np.asfortranarray(_C3), _C3 + 1, np.asfortranarray(_C3 - 1),
              _C3[:, ::-1, ::2], np.asfortranarray(_C3)[::-1, :, 1:], _C3[:, ::-1, ::2] * 2):
        assert_same(jf(x), fn(x))
    assert jf.cache_info().misses == 5  # C and F; two stride patterns; C of the third shape


@pytest.mark.parametrize("fn, x", [
    (lambda x: (x.T * 2).ravel("A"), _C3),  # NumPy's result of a transpose is F-ordered
    (lambda x: (x * 2).ravel("K"), np.asfortranarray(_C3)),
])
def test_orders_a_and_k_of_layouts_the_trace_does_not_know_are_refused(fn, x):
    with pytest.raises(tracenp.UnsupportedFunctionError, match="memory layout"):
        tracenp.jit(fn)(x)
    with pytest.warns(tracenp.TracingFallbackWarning):
        assert_same(tracenp.jit(fn, fallback=True)(x), fn(x))


def test_order_a_of_an_array_computed_from_c_ordered_arguments_is_c_order():
    fn = lambda x, y: (x * 2 + y[:, :, :1]).ravel("A")  # noqa: E731
    assert_same(tracenp.jit(fn)(_C3, _C3), fn(_C3, _C3))


def test_layouts_stay_out_of_the_signature_of_functions_that_do_not_read_them():
    jf = tracenp.jit(lambda x: (x * 2).ravel())
    for x in (_C3, np.asfortranarray(_C3), _C3[:, :, ::2].copy()):
        assert_same(jf(x[:, :, :2]), (x[:, :, :2] * 2).ravel())
    assert jf.cache_info().misses == 1


def test_python_scalar_values_never_retrace():
    jf = tracenp.jit(lambda x, s: x * s)
    for s in (1.0, -2.5, 1e10, float("inf")):
        assert_same(jf(X, s), X * s)
    assert jf.cache_info().misses == 1


def test_python_scalars_take_the_hot_path_with_their_values():
    """A cached call with positional arrays and Python scalars skips the pytree key; each
    scalar type is its own signature, and each call uses its own values."""
    jf = tracenp.jit(lambda x, s, n, flag: np.where(flag, x * s + n, x - s))
    grad = tracenp.jit(tracenp.value_and_grad(lambda w, x, lam: ((x @ w) ** 2).sum()
                                              + lam * (w * w).sum()))
    w = np.linspace(-1, 1, X.shape[1])
    for s, n in ((0.5, 2), (-3.0, 7), (1e300, -1)):
        assert_same(jf(X, s, n, True), X * s + n)
        assert_same(jf(X, s, n, False), X - s)
        value, g = grad(w, X, s)
        np.testing.assert_allclose(value, ((X @ w) ** 2).sum() + s * (w * w).sum())
        np.testing.assert_allclose(g, 2 * X.T @ (X @ w) + 2 * s * w)
    assert jf.cache_info().misses == 1 and grad.cache_info().misses == 1
    assert all(k[1:] == ((float,), (int,), (bool,)) for k in jf._fast) and len(jf._fast) == 1
    assert_same(jf(X, 2, 1, True), X * 2 + 1)  # an int where a float was: a new signature
    assert jf.cache_info().misses == 2


def test_static_keyword_arguments_take_the_hot_path_by_value_and_type():
    """`f(x, n=5)` with `n` static skips the pytree key too; 1, 1.0 and True are equal
    Python values but other traces (`range(n)` of a float raises)."""

    def f(x, n, mode="sum"):
        return sum(x * k for k in range(int(n))) if mode == "sum" else x * type(n)(2)

    jf = tracenp.jit(f, static_argnames=("n", "mode"))
    for _ in range(2):
        for n, mode in ((3, "sum"), (1, "scale"), (1.0, "scale"), (True, "scale")):
            want = f(X, n=n, mode=mode)
            got = jf(X, n=n, mode=mode)
            assert_same(got, want)
            assert_same(jf(X, mode=mode, n=n), want)
    assert jf.cache_info().misses == 4
    sig = (X.dtype, X.shape)
    assert set(jf._fast) >= {(sig, ("n", t, v), ("mode", str, "scale"))
                             for t, v in ((int, 1), (float, 1.0), (bool, True))}


def test_steered_scalars_and_dynamic_keywords_take_the_hot_path():
    """A Python int the function loops over (made static when it steers) and scalars or
    arrays passed by keyword are keyed by the hot path: such calls skip the pytree key."""

    def ewma(x, alpha, n, shift=None):
        out = np.empty(n)
        out[0] = x[0]
        for t in range(1, n):
            out[t] = alpha * x[t] + (1 - alpha) * out[t - 1]
        return out if shift is None else out + shift[:n]

    Y = RNG.standard_normal((4, 10))
    jf = tracenp.jit(ewma)
    for _ in range(3):
        for args, kwargs in (((Y[0], 0.3, 6), {}), ((Y[0], 0.3, 8), {}),
                             ((Y[0],), {"alpha": 0.5, "n": 7}),
                             ((Y[0], 0.5), {"shift": Y[1], "n": 3})):
            assert_same(jf(*args, **kwargs), ewma(*args, **kwargs))
    misses = jf.cache_info().misses
    sig = (Y.dtype, Y.shape[1:])
    assert {(sig, (float,), (int, 6)), (sig, ("alpha", float), ("n", int, 7)),
            (sig, (float,), ("shift", Y.dtype, Y.shape[1:]), ("n", int, 3))} <= set(jf._fast)
    assert_same(jf(Y[2], 0.25, 6), ewma(Y[2], 0.25, 6))
    assert_same(jf(Y[2], 0.1, n=3, shift=Y[3]), ewma(Y[2], 0.1, n=3, shift=Y[3]))
    assert jf.cache_info().misses == misses


def test_fallback_warns_once_and_runs_eagerly():
    def f(x):
        if x.sum() > 0:
            return x * 2
        return x - 1

    jf = tracenp.jit(f, fallback=True)
    with pytest.warns(tracenp.TracingFallbackWarning, match="truth value"):
        assert_same(jf(X), f(X))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same(jf(-np.abs(X)), f(-np.abs(X)))


def test_broadcasting_errors_are_numpys_value_error():
    with pytest.raises(ValueError, match="broadcast"):
        tracenp.jit(lambda a, b: a + b)(X, np.ones(3))
    with pytest.raises(ValueError):
        tracenp.jit(lambda a: a.reshape(5, -1))(X)
    with pytest.raises(TypeError):
        tracenp.jit(lambda a, b: a + b)(X)


def test_graph_is_visible_for_given_arguments():
    def f(x):
        return np.exp(x).sum(axis=0)

    text = str(tracenp.make_graph(f)(X))
    assert "exp" in text and "sum" in text and "f64[3,4]" in text
    assert "exp" in str(tracenp.jit(f).graph(X))


def test_method_and_decorator_forms():
    class Model:
        def __init__(self, w):
            self.w = w

        @tracenp.jit
        def __call__(self, x):
            return x @ self.w

    jf = tracenp.jit(static_argnums=(1,))(lambda x, n: x[:n])
    assert_same(jf(X, 2), X[:2])
    model = Model(np.ones((4, 2)))
    assert_same(model(X), X @ np.ones((4, 2)))  # self.w is an input of the trace
    assert_same(tracenp.jit(lambda x: model(x) * 2)(X), X @ np.ones((4, 2)) * 2)  # nested jit


class _Layer:
    def __init__(self, n_in, n_out, seed):
        self.W = np.random.default_rng(seed).standard_normal((n_in, n_out))
        self.b = np.zeros(n_out)
        self.activation = "tanh"  # not data: part of the method's static key

    def __call__(self, x):  # a callable layer's arrays are state too
        return np.tanh(x @ self.W + self.b)


class _Net:
    """OO code as it is written: state on the instance, updated by jitted methods."""

    def __init__(self):
        self.hidden, self.out = _Layer(4, 3, 1), _Layer(3, 1, 2)
        self.params = {"scale": 1.0}
        self.steps = 0  # an int: static, and its new value is written back
        self.n_decay = 1  # steers the method's Python: range(self.n_decay)
        self.u = np.ones(3)

    @tracenp.jit
    def forward(self, x):
        h = self.hidden(x)
        return (h @ self.out.W + self.out.b)[:, 0] * self.params["scale"]

    @tracenp.jit
    def sgd_step(self, x, y, lr):
        h = np.tanh(x @ self.hidden.W + self.hidden.b)
        r = (h @ self.out.W + self.out.b)[:, 0] * self.params["scale"] - y
        self.out.W -= lr * h.T @ r[:, None] / len(y)  # in place: the same array afterwards
        self.out.b = self.out.b - lr * r.mean()  # rebound
        self.params["scale"] = self.params["scale"] * 0.5  # a dict item rebound
        self.steps = self.steps + 1
        return (r * r).mean()

    @tracenp.jit
    def decay(self):
        for _ in range(self.n_decay):
            self.u = self.u * 0.5
        return self.u.sum()


def _sgd_step_by_hand(net, x, y, lr):
    h = np.tanh(x @ net.hidden.W + net.hidden.b)
    r = (h @ net.out.W + net.out.b)[:, 0] * net.params["scale"] - y
    net.out.W -= lr * h.T @ r[:, None] / len(y)
    net.out.b = net.out.b - lr * r.mean()
    net.params["scale"] = net.params["scale"] * 0.5
    net.steps = net.steps + 1
    return (r * r).mean()


def test_jitted_methods_read_and_write_the_instance_as_numpy_would():
    net, ref = _Net(), _Net()
    x, y = RNG.standard_normal((8, 4)), RNG.standard_normal(8)
    out_w, params = net.out.W, net.params
    for _ in range(3):
        np.testing.assert_allclose(net.sgd_step(x, y, 0.1), _sgd_step_by_hand(ref, x, y, 0.1))
        np.testing.assert_allclose(net.out.W, ref.out.W)
        np.testing.assert_allclose(net.out.b, ref.out.b)
        assert net.params == ref.params and net.steps == ref.steps == _ + 1
    assert net.out.W is out_w and net.params is params  # updated in place, as by hand
    assert [net.decay() for _ in range(3)] == [1.5, 0.75, 0.375]
    net.hidden.W *= 2.0  # changed outside: the next call must see it, not a stale constant
    h = np.tanh(x @ net.hidden.W + net.hidden.b)
    np.testing.assert_allclose(net.forward(x), (h @ net.out.W + net.out.b)[:, 0]
                               * net.params["scale"])
    assert type(net).forward._method.cache_info().misses == 1
    other = _Net()  # another instance with the same structure and ints reuses the trace
    other.steps = net.steps
    np.testing.assert_allclose(other.forward(x), _Net.forward.fn(other, x))
    assert type(net).forward._method.cache_info().misses == 1
    other.hidden.activation = "relu"  # a static attribute changed: traced anew
    other.forward(x)
    assert type(net).forward._method.cache_info().misses == 2


def test_methods_of_instances_without_a_dict_keep_self_static():
    """`self` is static, its arrays read at each call: a new `w` gives the new result."""
    class Slotted:
        __slots__ = ("w",)

        def __init__(self, w):
            self.w = w

        @tracenp.jit
        def apply(self, x):
            return x @ self.w

    s = Slotted(np.ones((4, 2)))
    assert_same(s.apply(X), X @ np.ones((4, 2)))
    s.w = np.full((4, 2), 3.0)
    assert_same(s.apply(X), X @ s.w)


def test_a_value_made_from_python_scalars_steers_them_static():
    """`np.array(n_cycles, float).ravel()[0]` (MNE's Morlet lengths) is an array, no longer a
    weak scalar, but is made of Python scalar arguments alone: `np.arange` of it makes them
    static as a bare one does (it raised DataDependentShapeError)."""
    def morlet_length(sfreq, n_cycles):
        sigma = np.array(n_cycles, float).ravel()[0] / (2.0 * np.pi * 10.0)
        return np.arange(0.0, 5.0 * sigma, 1.0 / sfreq)

    jf = tracenp.jit(morlet_length)
    for sfreq, n_cycles in ((100.0, 3.0), (200.0, 2.0), (100.0, 3.0)):
        assert_same(jf(sfreq, n_cycles), morlet_length(sfreq, n_cycles))
    assert jf.cache_info().misses == 2



def test_items_a_function_sets_in_list_and_dict_arguments_reach_the_caller():
    def update(state, m, g):
        for key in m:
            m[key] = 0.9 * m[key] + 0.1 * g[key]
        state["n"] += 1
        state["total"] = state["total"] + g["w"].sum()
        state["hist"][0] = state["hist"][0] + 1.0
        return g["w"] * 2

    def fresh():
        return ({"n": 0, "total": 0.0, "hist": [np.zeros(2)]},
                {"w": np.linspace(-1, 1, 3), "b": 0.5}, {"w": np.ones(3), "b": 1.0})

    jitted, by_hand = fresh(), fresh()
    f = tracenp.jit(update)
    for _ in range(3):
        assert_same(f(*jitted), update(*by_hand))
    for got, want in zip(jitted, by_hand):
        assert got.keys() == want.keys()
        for k in got:
            g, w = (got[k][0], want[k][0]) if isinstance(got[k], list) else (got[k], want[k])
            assert_same(g, w)
    assert f.cache_info().misses == 2  # "total" became a NumPy float64 after the first call
    with pytest.raises(tracenp.TracingError, match="added or removed items"):
        tracenp.jit(lambda lst: lst.pop())([np.ones(2), np.zeros(2)])


def _generate(tokens, table, steps):
    """picoGPT's loop: each next id appended to the caller's list."""
    for _ in range(steps):
        tokens.append(int(np.argmax(table[tokens].sum(axis=0))))
    return tokens[-steps:]


def _decay_pairs(caches, x):
    """A KV cache as a list of (k, v) tuples, each replaced by a new tuple."""
    for i in range(len(caches)):
        k, v = caches[i]
        caches[i] = (np.concatenate([k, x]), v * 0.5)
    return caches[0][1].sum()


def test_items_appended_to_lists_and_tuples_replaced_in_containers_reach_the_caller():
    table = np.random.default_rng(0).standard_normal((7, 7))
    mine, theirs = [1, 2], [1, 2]
    assert tracenp.jit(_generate, static_argnums=2)(mine, table, 3) == _generate(theirs, table, 3)
    assert mine == theirs and all(type(t) is int for t in mine)
    pairs = {k: [(np.ones((2, 3)), np.ones(3))] * 2 for k in ("jit", "numpy")}
    x = np.full((1, 3), 2.0)
    assert_same(tracenp.jit(_decay_pairs)(pairs["jit"], x), _decay_pairs(pairs["numpy"], x))
    for got, want in zip(pairs["jit"], pairs["numpy"]):
        assert type(got) is tuple
        assert_same(got, want)


def _log_then_update(hist, state, x):
    state["hist"].append(x.sum())
    state["m"] = 0.9 * state["m"] + x
    hist.append(state["m"].sum())
    state["n"] += 1
    return x


def test_items_set_after_an_append_reach_their_own_keys():
    """A list argument appended to and a dict key set after it: the set values came back
    one leaf off, into the next key (`state["m"]` became the appended loss)."""
    def fresh():
        return [], {"hist": [], "m": np.zeros(3), "n": 0}, np.arange(3.0)

    jitted, by_hand = fresh(), fresh()
    f = tracenp.jit(_log_then_update)
    for _ in range(3):
        jitted, by_hand = (jitted[0], jitted[1], jitted[2] + 1), (by_hand[0], by_hand[1],
                                                                  by_hand[2] + 1)
        assert_same(f(*jitted), _log_then_update(*by_hand))
        assert_same(jitted[0], by_hand[0])
        assert_same(jitted[1], by_hand[1])


def test_a_key_a_method_adds_to_a_dict_attribute_is_written_back():
    class Momentum:  # numpy-ml's optimizers: the cache entry is made on first use
        def __init__(self):
            self.cache = {}

        def update(self, w, g):
            if "w" not in self.cache:
                self.cache["w"] = np.zeros_like(g)
            self.cache["w"] = 0.9 * self.cache["w"] + g
            return w - 0.1 * self.cache["w"]

    mine, theirs = Momentum(), Momentum()
    f = tracenp.jit(mine.update)
    for s in range(3):
        g = np.full(2, s + 1.0)
        assert_same(f(np.ones(2), g), theirs.update(np.ones(2), g))
    assert type(mine.cache["w"]) is np.ndarray
    assert_same(mine.cache["w"], theirs.cache["w"])


def test_a_traced_value_of_an_earlier_trace_is_refused_not_compiled():
    """Its input node belongs to no call; compiled, the launch read a buffer it was never
    passed (a segmentation fault, before stop 27)."""
    from tracenp import ir
    from tracenp.jit import _check_foreign_inputs
    from tracenp.ops import Op

    a, stale = ir.leaf_input("a", np.float64, (2,)), ir.leaf_input("b", np.float64, (2,))
    out = ir.Node.make(Op.ADD, (a, stale))
    with pytest.raises(tracenp.UnsupportedFunctionError, match="earlier call"):
        _check_foreign_inputs(ir.toposort([out]), [a], "f")
    _check_foreign_inputs(ir.toposort([out]), [a, stale], "f")


def test_jit_of_a_callable_object_keeps_its_state():
    class RunningMean:
        def __init__(self):
            self.calls, self.acc = 0, np.zeros(2)

        def __call__(self, x):
            self.calls += 1
            self.acc = self.acc + x
            return self.acc / self.calls

    mine, theirs = RunningMean(), RunningMean()
    f = tracenp.jit(mine)
    for s in range(3):
        assert_same(f(np.full(2, s + 1.0)), theirs(np.full(2, s + 1.0)))
    assert mine.calls == 3
    assert_same(mine.acc, theirs.acc)


def test_values_read_before_an_argument_is_written_keep_their_values():
    def step(w, g):
        old, first, row = w.copy(), w[0, 1], w[0]  # a copy, a scalar, a view
        w -= 0.1 * g
        return old, first, row

    w_np, w_jit, g = np.ones((2, 3)), np.ones((2, 3)), np.arange(6.0).reshape(2, 3)
    assert_same(tracenp.jit(step)(w_jit, g), step(w_np, g))
    assert_same(w_jit, w_np)


def test_an_int_a_method_changes_traces_once_unless_its_python_needs_the_value():
    class Counter:
        def __init__(self):
            self.u, self.t, self.n = np.ones(2), 0, 1

        @tracenp.jit
        def adam_like(self, g):  # self.t += 1 on every call: an input after the first
            self.t += 1
            self.u = self.u - 0.1 * g / (1 - 0.9 ** self.t)
            return self.u.sum()

        @tracenp.jit
        def grow(self):  # self.n steers a Python loop: it stays static, one trace per value
            for _ in range(self.n):
                self.u = self.u * 2
            self.n += 1
            return self.u.sum()

    c, u = Counter(), np.ones(2)
    for t in range(1, 6):
        u = u - 0.1 * 1.0 / (1 - 0.9 ** t)
        np.testing.assert_allclose(c.adam_like(np.ones(2)), u.sum(), rtol=1e-14)
        assert c.t == t and type(c.t) is int
    assert Counter.adam_like._method.cache_info().misses == 2
    assert [c.grow() for _ in range(3)] == [u.sum() * 2, u.sum() * 8, u.sum() * 64]
    assert c.n == 4


def _namespaces() -> dict:
    return {mod.__name__: dict(vars(mod)) for mod in (np, np.linalg, np.fft, np.random)}


def test_a_trace_leaves_numpy_as_it_found_it():
    """`np.matmul`, a ufunc and a handled function both, was routed twice while tracing and
    stayed the tracing wrapper afterwards (every later eager `np.matmul` paid for it)."""
    def uses_everything(w, x):
        g = np.random.default_rng(0)
        h = np.tanh(x @ w + g.normal(size=w.shape[1]))
        s = np.linalg.norm(h, axis=1) + np.fft.rfft(h, axis=1).real.sum(axis=1)
        return np.maximum.reduce([s, np.matmul(h, h.T).sum(0), np.dot(h, w.T).sum(1)])

    before = _namespaces()
    w, x = np.ones((4, 3)), np.ones((5, 4))
    tracenp.jit(uses_everything)(w, x)
    tracenp.jit(tracenp.value_and_grad(lambda w, x: np.sum(np.tanh(x @ w))))(w, x)
    after = _namespaces()
    for mod, names in before.items():
        changed = [k for k, v in names.items() if after[mod].get(k) is not v]
        assert not changed, f"{mod}: {changed}"


def _bump_then_sum(x, y):
    x += 1
    return y.sum()


def test_one_array_passed_twice_is_one_array_and_overlaps_are_refused():
    """`f(b, b)` wrote `b` and then summed the value it had before the write (10 where NumPy
    gives 15) while the trace took the two arguments for separate arrays: one array object
    at two leaves is now one input (a retrace, also after the fast path ran separate ones),
    and arrays that only overlap (`e[1:]`, `e[:-1]`) are refused."""
    b = np.arange(5.0)
    assert tracenp.jit(_bump_then_sum)(b, b) == 15.0
    np.testing.assert_array_equal(b, np.arange(1.0, 6.0))
    e = np.arange(6.0)
    with pytest.raises(tracenp.UnsupportedFunctionError, match="shares memory"):
        tracenp.jit(_bump_then_sum)(e[1:], e[:-1])
    e = np.arange(6.0)
    with pytest.warns(tracenp.TracingFallbackWarning, match="shares memory"):
        assert tracenp.jit(_bump_then_sum, fallback=True)(e[1:], e[:-1]) == 14.0
    np.testing.assert_array_equal(e, [0.0, 2, 3, 4, 5, 6])
    c, d = np.arange(5.0), np.arange(5.0)
    f = tracenp.jit(_bump_then_sum)
    assert f(c, d) == 10.0 and f(c, d) == 10.0  # separate arrays: traced, and the fast path
    np.testing.assert_array_equal(c, np.arange(2.0, 7.0))
    assert f(c, c) == 25.0 and f(c, d) == 10.0 and f(c, c) == 35.0
    assert f.cache_info().misses == 2


@pytest.mark.parametrize("case", range(6))
def test_the_benchmarks_loops_trace_as_users_code(case):
    """`tracenp.bench`'s workloads are users' code: `np.empty` there is traced (as tracenp's
    own modules it returned an ndarray, and `out[i] = traced` raised)."""
    from tracenp import bench

    _, fn, args = bench.loop_cases(np.random.default_rng(3))[case]
    assert_same(tracenp.jit(fn)(*args), fn(*args))


def test_calls_from_several_threads_at_once_keep_numpy_in_the_others():
    """A trace patches NumPy's namespaces for the whole process: while one thread traces,
    another thread's `np.ones` and `np.random` calls must stay NumPy's, and the cache's
    retrace bookkeeping must survive entries added by other threads."""
    f = tracenp.jit(lambda x: x * 2 + 1)
    errors, wrong = [], []

    def work(k):
        try:
            for n in range(1, 41):  # a new shape each call: a trace each time
                x = np.ones(n * 8 + k)
                noise = np.random.random(2)  # the global state, outside any trace
                if type(noise) is not np.ndarray or not np.array_equal(f(x), x * 2 + 1):
                    wrong.append((k, n))
        except Exception as e:  # any error fails the test below, with its text
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and wrong == []



def test_numpy_grids_stay_numpys_in_a_thread_that_is_not_tracing():
    """`np.ogrid` and `np.mgrid` are replaced while a thread traces; another thread's grids
    meanwhile are NumPy's arrays."""
    inside, release, seen = threading.Lock(), threading.Lock(), []  # locks: no state a
    inside.acquire()  # trace watches
    release.acquire()

    def slow(x):
        inside.release()
        release.acquire(timeout=10)
        return x + 1

    worker = threading.Thread(target=lambda: seen.append(tracenp.jit(slow)(np.arange(3.0))))
    worker.start()
    assert inside.acquire(timeout=10)
    y, x = np.ogrid[0:2, 0:3]
    grid = np.mgrid[0:2, 0:3]
    release.release()
    worker.join()
    assert type(y) is np.ndarray and type(x) is np.ndarray and type(grid) is np.ndarray
    np.testing.assert_array_equal(y + x, [[0, 1, 2], [1, 2, 3]])
    np.testing.assert_array_equal(seen[0], [1.0, 2.0, 3.0])


def test_an_import_in_another_thread_ending_after_a_trace_leaves_numpy_its_own(tmp_path,
                                                                                 monkeypatch):
    """A trace replaces `builtins.__import__`; an import another thread starts meanwhile (the
    compile worker's) and ends after the trace must not put the trace's replacements of
    NumPy's functions back."""
    gate = types.ModuleType("tracenp_test_gate")
    gate.started, gate.release = threading.Event(), threading.Event()
    monkeypatch.setitem(sys.modules, "tracenp_test_gate", gate)
    (tmp_path / "tracenp_test_slow_import.py").write_text(
        "import tracenp_test_gate as g\ng.started.set()\ng.release.wait(10)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "tracenp_test_slow_import", raising=False)
    zeros, ogrid = np.zeros, np.ogrid
    importer = threading.Thread(target=lambda: __import__("tracenp_test_slow_import"))

    def f(x):
        importer.start()
        assert gate.started.wait(10)
        return x * 2

    np.testing.assert_array_equal(tracenp.jit(f)(np.arange(3.0)), [0.0, 2.0, 4.0])
    gate.release.set()
    importer.join()
    assert np.zeros is zeros and np.ogrid is ogrid
    assert type(np.ogrid[0:2]) is np.ndarray

_FOLDS = [  # Python's max/min of traced scalars, as Python compares them
    (lambda x: max(x.min(), x.mean()), np.arange(5.0)),
    (lambda x: min(1.0, x.sum()), np.arange(5.0)),
    (lambda x: max(0, x[0] - x[1]), np.array([3, 5])),
    (lambda x: max(x[0], x[1], x[2]), np.array([1.0, np.nan, 0.0])),  # NaN passed over
    (lambda x: min(x[1], x[0]), np.array([1.0, np.nan])),  # a NaN first is kept
    (lambda x: max([x[0], 2.0, x[1]]), np.array([1.0, 5.0])),
    (lambda x: (min(x), max(x)), np.array([4.0, -2.0, 9.0])),
    (lambda x: max(x.sum(), x.max()) - min(x.max(), 0.5), np.array([0.25, -1.0])),
    (lambda x: max(x, key=abs), np.array([3.0, -4.0, 4.0])),  # the first of equal keys
    (lambda x: min(x, key=lambda v: (v - 0.3) ** 2), np.array([0.5, 0.1, 0.31])),
    (lambda x: max(np.linalg.eigvals(x), key=abs), np.array([[1.0, -2.0], [3.0, 0.5]])),
    (lambda x: max([x[0], 2.0 * x[1]], key=lambda v: -v), np.array([1.0, 5.0])),
    (lambda x: max([x[0], x[1]], default=0.0), np.array([3.0, -4.0])),  # `default=`
    (lambda x: min((v * 2 for v in x), default=-1.0, key=abs), np.array([3.0, -4.0])),
    (lambda x: max([], default=x[0]), np.array([3.0, -4.0])),
]


@pytest.mark.parametrize("fn, x", _FOLDS)
def test_builtin_max_and_min_of_traced_scalars_fold_as_python_compares(fn, x):
    want = fn(x)
    got = tracenp.jit(fn)(x)
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    assert np.asarray(got).dtype == np.asarray(want).dtype


def test_builtin_max_of_whole_arrays_stays_pythons():
    with pytest.raises(ValueError, match="ambiguous"):
        tracenp.jit(lambda x: max(x[:2], x[2:]))(np.arange(4.0))
    with pytest.raises(ValueError, match="ambiguous"):
        tracenp.jit(lambda x: max(x, key=lambda row: row * 2))(np.ones((2, 2)))
    assert max(3, 4) == 4 and min([2, 1]) == 1  # untouched outside a trace


def test_an_argument_written_and_returned_is_returned_itself():
    """`x -= lr * g; return x` returns the caller's array, as NumPy does; a copy returned
    (or the old values) stays a new array."""

    def step(x, g):
        x -= 0.1 * g
        return x, x.copy(), x.sum()

    x, want_x = np.ones(4), np.ones(4)
    jf = tracenp.jit(step)
    for _ in range(3):
        got, copied, total = jf(x, X[0])
        want, want_copy, want_total = step(want_x, X[0])
        assert got is x and copied is not x and not np.shares_memory(copied, x)
        assert_same(copied, want_copy)
        assert_same(total, want_total)
    assert_same(x, want_x)


def test_a_module_first_imported_inside_a_traced_function_sees_numpy_itself(tmp_path,
                                                                            monkeypatch):
    """A compiled extension checks, as it loads, that `np.broadcast` is the type it was built
    against (SciPy's `scipy.special` did: "numpy.broadcast is not a type object")."""
    (tmp_path / "tracenp_lazy_helper.py").write_text(
        "import numpy as np\n"
        "assert isinstance(np.broadcast, type) and isinstance(np.nditer, type)\n"
        "def double(x):\n"
        "    return x * 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "tracenp_lazy_helper", raising=False)

    def f(x):
        from tracenp_lazy_helper import double
        return double(x) + 1

    x = np.arange(4.0)
    np.testing.assert_array_equal(tracenp.jit(f)(x), x * 2 + 1)
    assert isinstance(np.broadcast, type)


@pytest.mark.parametrize("fn", [
    lambda x: [x[0], x[1]] - x.max(),
    lambda x: x + [x[0], 1.0],
    lambda x: (x[0], x[1]) * x,
    lambda x: [x[0], x[1]] * x,
    lambda x: x ** [x[1], 2.0],
    lambda x: [x[0], x[1]] < x,
])
def test_operators_take_lists_of_traced_values(fn):
    """As NumPy makes an array of the list (numpy-ml's `logsumexp` of a list of log
    probabilities: `log_probs - _max`); it raised ConcretizationError."""
    x = np.array([-1.0, -2.0])
    assert_same(tracenp.jit(fn)(x), fn(x))


def test_an_in_place_operator_takes_a_list_of_traced_values():
    def shifted(x):
        y = x.copy()
        y += [x[1], x[0]]
        return y

    x = np.array([-1.0, -2.0])
    assert_same(tracenp.jit(shifted)(x), shifted(x))


def _sgd(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]
    return params["W"].sum()


def test_dict_arguments_of_plain_leaves_take_the_hot_path_with_their_writes():
    rng = np.random.default_rng(3)
    params = {"W": rng.standard_normal((4, 3)), "b": rng.standard_normal(3)}
    grads = {"W": rng.standard_normal((4, 3)), "b": rng.standard_normal(3), "t": 0}
    ref = {k: v.copy() for k, v in params.items()}
    f = tracenp.jit(_sgd)
    for lr in (0.1, 0.2, 0.3, 0.4):
        got, want = f(params, grads, lr), _sgd(ref, grads, lr)
        assert_same(got, want)
        for k in params:
            assert_same(params[k], ref[k])
    assert f.cache_info().misses == 1 and f.cache_info().hits == 3
    assert any(sig[0] is dict for key in f._fast for sig in key)  # keyed without the pytree
    params["W"] = params["W"].astype(np.float32)  # another leaf signature: traced again
    ref["W"] = ref["W"].astype(np.float32)
    assert_same(f(params, grads, 0.5), _sgd(ref, grads, 0.5))
    assert f.cache_info().misses == 2
    g = tracenp.jit(lambda p: np.maximum(p["W"], 0) if p["act"] == "relu" else np.tanh(p["W"]))
    for act in ("relu", "tanh", "relu"):  # a str is no plain leaf: the general path keys it
        layer = {"W": grads["W"], "act": act}
        want = np.maximum(layer["W"], 0) if act == "relu" else np.tanh(layer["W"])
        assert_same(g(layer), want)
    assert g.cache_info().misses == 2


def _mlp(params, x):
    for W, b, *_ in params["layers"]:
        x = np.tanh(x @ W + b)
    return x, params["scale"] * x.sum()


def test_nested_containers_take_the_hot_path_and_a_builtin_entry_over_their_leaves():
    """A dict holding a list of `(W, b)` tuples is keyed without the pytree (it took the
    general path: 7x NumPy's time for a two-layer net); its leaves go to a builtin entry.
    Another structure or leaf signature is traced again, and a leaf the entry does not take
    (a str, an object) leaves the call to the other paths."""
    rng = np.random.default_rng(4)

    def params(sizes, scale=2.0):
        return {"layers": [(rng.standard_normal((m, n)), rng.standard_normal(n))
                           for m, n in zip(sizes, sizes[1:])], "scale": scale}

    f, x = tracenp.jit(_mlp), rng.standard_normal((5, 3))
    for p in [params((3, 4, 2)) for _ in range(4)]:
        assert_same(f(p, x), _mlp(p, x))
    assert f.cache_info().misses == 1 and f.cache_info().hits == 3
    assert any(sig[0] is dict for key in f._fast for sig in key)
    assert len(f._entries) == 1  # made on the first cached call, serving the later ones
    for p in (params((3, 4, 4, 2)), params((3, 4, 2), scale=np.float32(1.5))):
        assert_same(f(p, x), _mlp(p, x))
    assert f.cache_info().misses == 3
    p = params((3, 2))
    p["layers"] = [(*p["layers"][0], "tanh")]  # (W, b, name): a str is structure
    assert_same(f(p, x), _mlp(p, x))


@dataclasses.dataclass
class _Option:
    S: np.ndarray
    K: float
    sigma: float
    kind: str = "call"


def _intrinsic(o):
    return np.maximum(o.S - o.K, 0.0) if o.kind == "call" else np.maximum(o.K - o.S, 0.0)


def _decay(o, rate):
    o.sigma = o.sigma * rate  # a field set anew reaches the caller's record
    return o.S * o.sigma


def test_dataclass_arguments_take_the_hot_path_with_their_fields():
    """A dataclass of arrays, floats and a str is keyed by its fields' signatures and the
    str's value (it took the general path: 50-100 us a call of a scalar formula, hunt AM);
    a field the function sets anew is set in the caller's record."""
    S = np.linspace(80.0, 120.0, 5)
    f = tracenp.jit(_intrinsic)
    for o in [_Option(S, 100.0 + k, 0.2, kind) for k in range(3) for kind in ("put", "call")]:
        assert_same(f(o), _intrinsic(o))
    assert f.cache_info().misses == 2 and f.cache_info().hits == 4
    assert any(sig[0] is _Option for key in f._fast for sig in key)
    g = tracenp.jit(_decay)
    mine, ref = _Option(S, 100.0, 0.2), _Option(S, 100.0, 0.2)
    for _ in range(3):
        assert_same(g(mine, 0.5), _decay(ref, 0.5))
        assert_same(mine.sigma, ref.sigma)


def _priced(S, K, kind="call"):
    return np.maximum(S - K, 0.0) if kind == "call" else np.maximum(K - S, 0.0)


def test_a_str_or_none_keyword_keys_the_hot_path_by_its_value():
    """`option_type="put"` by keyword is structure, keyed by its value: such calls took the
    general path (70 us a call of a Black-Scholes price in hunt AM)."""
    f, S = tracenp.jit(_priced), np.linspace(80.0, 120.0, 5)
    for kind in ("put", "call", "put", "call", None):
        kw = {} if kind is None else {"kind": kind}
        assert_same(f(S, 100.0, **kw), _priced(S, 100.0, **kw))
    assert f.cache_info().misses == 3
    assert any(("kind", str, "put") in key for key in f._fast)


def _dropout(x, param, mask):
    if param["mode"] == "train":
        return x * mask / param["p"]
    return x


def test_str_and_none_arguments_key_the_hot_path_by_their_values():
    x, mask = np.arange(6.0), np.array([1.0, 0.0] * 3)
    f = tracenp.jit(_dropout)
    for mode, m in [("test", None), ("train", mask), ("test", None), ("train", mask)] * 2:
        param = {"p": 0.5, "mode": mode}
        got = f(x, param, m)
        assert_same(got, _dropout(x, param, m))
        assert mode == "train" or got is x  # NumPy's result is the argument itself
    assert f.cache_info().misses == 2
    assert any(sig[0] is dict for key in f._fast for sig in key)


def _list_step(params, grads, lr):
    for p, g in zip(params, grads):
        p -= lr * g
    params[-1] = params[-1] * 0.5  # rebound in the caller's list
    return params[0].sum()


def test_list_and_tuple_arguments_of_plain_leaves_take_the_hot_path():
    rng = np.random.default_rng(4)
    params = [rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal(2)]
    grads = tuple(rng.standard_normal(p.shape) for p in params)
    ref = [p.copy() for p in params]
    f = tracenp.jit(_list_step)
    for lr in (0.1, 0.2, 0.3):
        assert_same(f(params, grads, lr), _list_step(ref, grads, lr))
        for got, want in zip(params, ref):
            assert_same(got, want)
    assert f.cache_info().misses == 1
    assert any(sig[0] is list for key in f._fast for sig in key)


def _rmsprop(w, dw, config):
    config["cache"] = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * dw**2
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + 1e-8), config


def test_a_returned_dict_argument_is_the_callers_dict_with_the_items_set():
    rng = np.random.default_rng(6)
    w, dw = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    f = tracenp.jit(_rmsprop)
    jitted = {"learning_rate": 0.01, "decay_rate": 0.9, "cache": np.zeros((3, 3))}
    by_hand = {k: np.copy(v) if isinstance(v, np.ndarray) else v for k, v in jitted.items()}
    for _ in range(4):  # the first calls, then the hot path's runner
        (got_w, got_cfg), (want_w, want_cfg) = f(w, dw, jitted), _rmsprop(w, dw, by_hand)
        assert got_cfg is jitted  # NumPy returns the argument itself
        assert_same(got_w, want_w)
        assert_same(jitted["cache"], by_hand["cache"])
        assert type(jitted["learning_rate"]) is float
    assert f.cache_info().misses == 1
    nested = tracenp.jit(lambda opt, g: {"state": opt["m"], "opt": opt, "step": g.sum()})
    opt = {"m": [np.ones(2)], "lr": 0.5}
    out = nested(opt, np.ones(2))
    assert out["opt"] is opt and out["state"] is opt["m"] and out["step"] == 2.0


def _history(X, w, y):
    hist = []
    for _ in range(3):
        r = X @ w - y
        hist.append((r @ r / len(y)).item())
        w = w - 0.1 * X.T @ r
    return w, hist, np.argmax(w).item(), (w > 0).all().item(), X[:2].tolist(), X.item(3)


def test_item_and_tolist_give_python_scalars_that_promote_as_python_scalars():
    rng = np.random.default_rng(8)
    X, y = rng.standard_normal((5, 3)), rng.standard_normal(5)
    f = tracenp.jit(_history)
    for w in (np.zeros(3), np.ones(3)):
        got, want = f(X, w, y), _history(X, w, y)
        assert_same(got[0], want[0])
        np.testing.assert_allclose(got[1], want[1], rtol=1e-12)
        assert [type(v) for v in got[1]] == [float] * 3
        assert (got[2], got[3], got[5]) == (want[2], want[3], want[5])
        assert (type(got[2]), type(got[3])) == (int, bool)
        assert got[4] == want[4] and type(got[4][1][2]) is float
    g = tracenp.jit(lambda a, b: a * b.item(1, 0) + b[0, 0].item())
    a32 = np.ones(3, np.float32)
    assert_same(g(a32, X), a32 * X.item(1, 0) + X[0, 0].item())  # stays float32
    with pytest.raises(ValueError, match="size 1"):
        tracenp.jit(lambda a: a.item())(X)
    with pytest.raises(tracenp.errors.ConcretizationError, match="uint64"):
        tracenp.jit(lambda a: a.sum().item())(np.arange(3, dtype=np.uint64))


def _losses_as_python_numbers(X, w, y):
    hist = []
    for _ in range(3):
        r = X @ w - y
        hist.append(float(np.mean(r ** 2)))
        w = w - 0.1 * X.T @ r
    acc = float(np.mean((X @ w > 0) == (y > 0)))
    return (w, hist, int(np.argmax(w)), bool(np.all(w > -10)), acc, int(w[0] * 100),
            np.zeros(2, dtype=float).dtype, isinstance(acc, float), isinstance(hist[0], int),
            isinstance(np.mean(w), float), float("inf"), int("7"))


def test_float_int_and_bool_of_traced_scalars_are_python_numbers_on_a_retried_trace():
    rng = np.random.default_rng(9)
    X, y = rng.standard_normal((6, 3)), rng.standard_normal(6)
    f = tracenp.jit(_losses_as_python_numbers)
    for w in (np.zeros(3), rng.standard_normal(3)):
        got, want = f(X, w, y), _losses_as_python_numbers(X, w, y)
        assert_same(got[0], want[0])
        np.testing.assert_allclose(got[1], want[1], rtol=1e-12)
        assert got[2:] == want[2:]
        assert [type(v) for v in got[1:6]] == [list, int, bool, float, int]
    assert f.cache_info().misses == 1
    assert "float" not in globals()  # the stand-ins are gone after the trace
    to_int = tracenp.jit(lambda x: int(x.sum()))
    assert to_int(np.array([-2.7])) == -2 and type(to_int(np.array([3.9]))) is int
    with pytest.raises(ValueError, match="NaN"):
        to_int(np.array([np.nan]))
    with pytest.raises(OverflowError, match="infinity"):
        to_int(np.array([np.inf]))
    with pytest.raises(OverflowError, match="int64"):
        to_int(np.array([1e19]))
    with pytest.raises(TypeError, match="0-dimensional"):
        tracenp.jit(lambda x: float(x))(np.ones(2))


def _pixels(xs, ys):
    """Numba's per-pixel `mandel`: `complex(x, y)` of traced coordinates."""
    out = np.zeros((len(ys), len(xs)), np.complex128)
    for j in range(len(ys)):
        for i in range(len(xs)):
            c = complex(xs[i], ys[j])
            out[j, i] = c * c + complex(ys[j]) + complex(c, 2.0)
    return out


def test_complex_of_traced_parts_sets_each_part_as_python_does():
    xs, ys = np.array([0.5, -1.0, np.inf]), np.array([np.inf, 0.25, -0.0])
    f = tracenp.jit(_pixels)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(f(xs, ys), _pixels(xs, ys))  # NaNs where Python's are
    c = tracenp.jit(lambda x: complex(x[0], x[1]))(np.array([1.5, -2.0]))
    assert type(c) is complex and c == complex(1.5, -2.0)


class _AttrDict(dict):
    __getattr__ = dict.__getitem__
    __setattr__ = dict.__setitem__


def _attr_sgd(p, g):
    p.W = p.W - p.lr * g
    return p.W.sum(), p


def test_dict_subclass_arguments_stay_their_class_and_come_back_as_given():
    f = tracenp.jit(_attr_sgd)
    jitted, by_hand = _AttrDict(W=np.ones(3), lr=0.1), _AttrDict(W=np.ones(3), lr=0.1)
    for g in (np.ones(3), np.arange(3.0), np.ones(3)):
        (got, p), (want, _) = f(jitted, g), _attr_sgd(by_hand, g)
        assert got == want and p is jitted
        assert_same(jitted.W, by_hand.W)
    counts = __import__("collections").defaultdict(float, {"a": np.ones(2)})
    assert_same(tracenp.jit(lambda d: d["a"] * 2)(counts), np.ones(2) * 2)  # made as a dict


class _Segment(__import__("typing").NamedTuple):
    a: np.ndarray
    b: np.ndarray

    @tracenp.jit
    def point_at(self, t):
        return self.a + t[:, None] * (self.b - self.a)


def test_methods_of_a_namedtuple_take_it_as_an_argument():
    seg = _Segment(np.zeros((3, 2)), np.arange(6.0).reshape(3, 2))
    t = np.array([0.5, 1.0, 0.25])
    assert_same(seg.point_at(t), seg.a + t[:, None] * (seg.b - seg.a))
    seg2 = _Segment(seg.b, seg.a)  # new values, same signature: no new trace
    assert_same(seg2.point_at(t), seg2.a + t[:, None] * (seg2.b - seg2.a))
    assert _Segment.point_at._tuple_method.cache_info().misses == 1


def test_numpy_scalar_counts_steer_like_python_ones_and_keep_their_type():
    """`for t in range(T)` of a `T = np.int64(...)` makes it static as a Python int is; the
    key keeps its type, as NumPy's promotion does (`x * np.float32(2)` is float32)."""
    def decay(T, a):
        for _ in range(T):
            a = a * 0.5
        return a

    f = tracenp.jit(decay)
    for T in (np.int64(3), 3, np.int32(2)):
        assert_same(f(T, np.ones(3, np.float32)), decay(T, np.ones(3, np.float32)))
    assert f.cache_info().misses == 3

    def scale(s, x):
        return x * s if s > 1 else x

    assert_same(tracenp.jit(scale)(np.float32(2), np.ones(2, np.float16)),
                scale(np.float32(2), np.ones(2, np.float16)))


@pytest.mark.parametrize("dtype", [np.float32, np.dtype("f4"), float, np.int16])
def test_dtype_and_function_arguments_are_static_without_being_marked(dtype):
    def init(m, n, datatype=np.float64, act=np.abs):
        return act(np.fromfunction(lambda i, j: (i * j + 1) % m - 2.0, (m, n),
                                   dtype=datatype))

    f = tracenp.jit(init)
    assert_same(f(4, 5, dtype), init(4, 5, dtype))
    assert_same(f(4, 5, datatype=dtype, act=np.negative), init(4, 5, dtype, np.negative))


def test_graph_and_explain_steer_python_scalars_as_a_call_does():
    def f(n, x):
        return np.zeros((n,)) + x.sum()

    assert tracenp.explain(f, 3, np.ones(2)).not_traced is None
    jf = tracenp.jit(f)
    assert jf.graph(3, np.ones(2)).outputs[0].shape == (3,)
    assert_same(jf(3, np.ones(2)), f(3, np.ones(2)))
    assert jf.cache_info().misses == 0  # the call found the graph's trace


RESULTS_AS_OBJECTS = {
    "x.copy()": lambda x: x.copy(),
    "np.array(x)": lambda x: np.array(x),
    "x * 1": lambda x: x * 1,
    "x.astype(same)": lambda x: x.astype(x.dtype),
    "y, y.copy()": lambda x: (lambda y: (y, y.copy(), y))(x * 2),
    "x, x.copy()": lambda x: (x, x.copy()),
    "return x": lambda x: x,
    "np.asarray(x)": lambda x: np.asarray(x),
    "dict of x and its copy": lambda x: {"x": x, "prior": x.copy()},
}


@pytest.mark.parametrize("name", list(RESULTS_AS_OBJECTS))
@pytest.mark.parametrize("backend", ["llvm", "numpy"])
def test_results_are_the_objects_numpy_returns(name, backend):
    """A copy is a new array even where the optimizer reduced it to its operand (it came back
    as the argument itself, or as another result, until stop 27: writing it changed both);
    an argument returned as it is comes back itself, as in NumPy."""
    fn = RESULTS_AS_OBJECTS[name]
    x = np.arange(4.0)
    jf = tracenp.jit(fn, backend=backend)
    for _ in range(3):  # the trace's call, the general path, the fast path
        got, want = jf(x), fn(x)
        flat = lambda r: list(r.values()) if isinstance(r, dict) else \
            list(r) if isinstance(r, tuple) else [r]  # noqa: E731
        gs, ws = flat(got), flat(want)
        assert [g is x for g in gs] == [w is x for w in ws]
        assert [[a is b for b in gs] for a in gs] == [[a is b for b in ws] for a in ws]
        for g, w in zip(gs, ws):
            assert_same(g, w)


_CHECKING_LIBRARY = """
import numpy as np


def arange_scaled(n, scale):
    # an installed library's check of its Python int argument (scipy.stats.qmc's
    # `np.issubdtype(type(d), np.integer)`): it sees the tracer's type, not int
    if not np.issubdtype(type(n), np.integer):
        raise ValueError("n must be an integer")
    return np.arange(n) * scale
"""


def test_a_library_error_about_a_traced_python_number_retraces_it_static(tmp_path,
                                                                           monkeypatch):
    """A TypeError or ValueError while Python number arguments are traced is tried again with
    them static; where it still fails, that run's own error stands."""
    installed = tmp_path / "site-packages"
    installed.mkdir()
    (installed / "tracenp_fake_library.py").write_text(_CHECKING_LIBRARY)
    monkeypatch.syspath_prepend(str(installed))
    from tracenp_fake_library import arange_scaled

    f = tracenp.jit(lambda n, s: arange_scaled(n, s))
    np.testing.assert_array_equal(f(4, 2.0), np.arange(4) * 2.0)
    assert any("made static" in r for r in f.cache_info().retraces)
    with pytest.raises(ValueError, match="n must be an integer"):
        tracenp.jit(lambda n, s: arange_scaled(n, s))(4.0, 2.0)
