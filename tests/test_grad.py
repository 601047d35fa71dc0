"""Gradients: every differentiable op-table row and the awkward cases, against central
finite differences in float64; then the API (argnums, pytrees, dtypes, errors, aux,
vjp, jacobian, grad of grad, jit of grad)."""

from __future__ import annotations

import numpy as np
import pytest

import tracenp
from op_table import ROWS, make_arg, seed_of
from tracenp.ops import Op


@pytest.fixture(autouse=True)
def _reference_backend():
    """Gradient rules on the NumPy reference backend; tests/test_grad_losses.py runs jitted
    gradients on the compiled backend."""
    with tracenp.config.change_flags(backend="numpy"):
        yield


EPS = 1e-6


def numeric_grad(f, args, eps=EPS):
    """Central differences of scalar `f` with respect to each float64 array in `args`."""
    grads = []
    for i, a in enumerate(args):
        g = np.zeros_like(a)
        for j in np.ndindex(a.shape):
            hi = [x.copy() for x in args]
            lo = [x.copy() for x in args]
            hi[i][j] += eps
            lo[i][j] -= eps
            g[j] = (f(*hi) - f(*lo)) / (2 * eps)
        grads.append(g)
    return grads


def check_grads(f, *args, rtol=1e-5):
    """`tracenp.grad` of `f` with respect to all arguments equals finite differences."""
    got = tracenp.grad(f, argnums=tuple(range(len(args))))(*args)
    want = numeric_grad(f, args)
    for g, w in zip(got, want):
        assert g.shape == w.shape and g.dtype == w.dtype, (g.shape, w.shape, g.dtype)
        scale = max(1.0, float(np.abs(w).max(initial=0)))
        np.testing.assert_allclose(g, w, rtol=rtol, atol=1e-6 * scale)
    return got


def weighted_sum(fn, outs_like, rng):
    """`fn` made scalar: each float output summed against a fixed random weight."""
    outs_like = outs_like if isinstance(outs_like, tuple) else (outs_like,)
    weights = [rng.standard_normal(np.shape(o)) for o in outs_like]

    def scalar(*args):
        out = fn(*args)
        outs = out if isinstance(out, tuple) else (out,)
        return sum(np.sum(o * w) for o, w in zip(outs, weights))

    return scalar


def _row_cases():
    for row in ROWS:
        if not row.grad:
            continue
        for shape in row.shapes:
            shapes = shape if row.nargs > 1 else (shape,)
            yield pytest.param(row, shapes, id=f"{row.name}-{shapes}")


@pytest.mark.parametrize("row,shapes", list(_row_cases()))
def test_op_table_row_gradient(row, shapes):
    assert "float64" in row.dtypes, f"row {row.name} has grad=True but no float64"
    rng = np.random.default_rng(seed_of(row.name, shapes))
    args = [make_arg(rng, s, "float64", row.domain) for s in shapes]
    check_grads(weighted_sum(row.fn, row.fn(*args), rng), *args)


# ----------------------------------------------------------------------------- graph shapes

rng = np.random.default_rng(0)


def test_diamonds():
    x = rng.standard_normal(6)
    np.testing.assert_array_equal(tracenp.grad(lambda x: np.sum(x + x))(x), np.full(6, 2.0))
    np.testing.assert_allclose(tracenp.grad(lambda x: np.sum(x * x))(x), 2 * x)

    def many_consumers(x):
        y = np.sin(x)
        return np.sum(y * y + y * 3 + np.exp(y) - y / 2 + y[::-1])

    check_grads(many_consumers, x)


def test_deep_chain_has_no_recursion_limit():
    def deep(x):
        for _ in range(10_000):
            x = x * 1.0001
        return np.sum(x)

    g = tracenp.grad(deep)(np.ones(3))
    np.testing.assert_allclose(g, np.full(3, 1.0001**10_000), rtol=1e-9)


def test_broadcast_cotangents_are_unbroadcast():
    a, b, c = rng.standard_normal((3, 1, 4)), rng.standard_normal((5, 1)), rng.standard_normal(())
    got = check_grads(lambda a, b, c: np.sum(np.tanh(a * b + c) * np.arange(60.).reshape(3, 5, 4)),
                      a, b, c)
    assert [g.shape for g in got] == [(3, 1, 4), (5, 1), ()]


@pytest.mark.parametrize("reduce", [np.sum, np.mean, np.prod, np.max, np.min, np.std, np.var])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 2), -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_axis_keepdims(reduce, axis, keepdims):
    x = rng.uniform(0.5, 2.0, (3, 4, 2))
    out = reduce(x, axis=axis, keepdims=keepdims)
    check_grads(weighted_sum(lambda x: reduce(x, axis=axis, keepdims=keepdims), out, rng), x)


def test_prod_with_zeros():
    x = np.array([[1.0, 0.0, 3.0], [0.0, 0.0, 2.0], [2.0, 4.0, 0.5]])
    check_grads(lambda x: np.sum(np.prod(x, axis=1) * np.array([1.0, 2.0, 3.0])), x)


def test_max_min_ties_split_equally():
    x = np.array([1.0, 3.0, 3.0, 0.0, 3.0])
    np.testing.assert_allclose(tracenp.grad(np.max)(x), [0, 1 / 3, 1 / 3, 0, 1 / 3])
    np.testing.assert_allclose(tracenp.grad(lambda x: np.min(x) * 2)(x), [0, 0, 0, 2, 0])
    m = np.array([[2.0, 2.0], [1.0, 5.0]])
    np.testing.assert_allclose(tracenp.grad(lambda m: np.sum(np.max(m, axis=1)))(m),
                               [[0.5, 0.5], [0, 1]])
    y = np.array([1.0, 2.0, 2.0])
    np.testing.assert_allclose(tracenp.grad(lambda y: np.sum(np.maximum(y, 2.0)))(y),
                               [0, 0.5, 0.5])
    np.testing.assert_allclose(tracenp.grad(lambda y: np.sum(np.minimum(y, y[::-1])))(y),
                               [2, 1, 0])  # the tie at 1 gives half to each side: both y[1]


def test_indexing_and_fancy_indexing_accumulate():
    x = rng.standard_normal((4, 5))
    idx = np.array([0, 2, 2, 2, 3])
    check_grads(lambda x: np.sum(x[idx] * np.arange(25.).reshape(5, 5)), x)
    check_grads(lambda x: np.sum(x[1:, ::2] ** 2) + x[-1, 0] + np.sum(x[None, 2, 1:3]), x)
    check_grads(lambda x: np.sum(x[idx, np.array([1, 1, 1, 4, 0])] * np.arange(5.)), x)
    check_grads(lambda x: np.sum(x[:, [3, 3]] ** 3), x)
    check_grads(lambda x: np.sum(np.take_along_axis(x, np.array([[0], [4], [4], [1]]), 1) ** 2),
                x)
    g = tracenp.grad(lambda x: np.sum(x[np.array([1, 1, 1])]))(np.zeros(3))
    np.testing.assert_array_equal(g, [0, 3, 0])


def test_setitem_updates():
    def set_basic(x, v):
        y = x.copy()
        y[1:3, ::2] = v * 2
        return np.sum(np.sin(y))

    def set_fancy(x, v):
        y = x * 1.0
        y[np.array([0, 3]), 1] = v[:2]
        return np.sum(y * y * np.arange(20.).reshape(4, 5))

    def add_at(x, v):
        y = x.copy()
        np.add.at(y, (np.array([0, 0, 2]), np.array([1, 1, 1])), v[:3])
        return np.sum(y ** 2)

    def iadd(x, v):
        y = x.copy()
        y[2] += v
        return np.sum(np.exp(y))

    def set_repeated(x, v):
        y = x.copy()
        y[np.array([0, 2, 0, 0]), 1:3] = v[:4, None] * np.ones(2)  # NumPy keeps the last write
        return np.sum(y * np.arange(20.).reshape(4, 5))

    x, v = rng.standard_normal((4, 5)), rng.standard_normal(5)
    g = check_grads(set_repeated, x, v)[1]
    np.testing.assert_allclose(g, [0, 11 + 12, 0, 1 + 2, 0])
    for f in (iadd, add_at, set_fancy):
        check_grads(f, x, v)
    check_grads(set_basic, x, rng.standard_normal(3))


def test_joining_and_splitting():
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    w = rng.standard_normal((2, 2, 3))
    check_grads(lambda a, b: np.sum(np.stack([a, b * 2]) * w), a, b)
    check_grads(lambda a, b: np.sum(np.concatenate([a, b, a], axis=1) ** 2), a, b)
    check_grads(lambda a, b: np.sum(np.vstack([a, b]) * np.hstack([b, a]).reshape(4, 3)), a, b)

    def split(a):
        p, q, r = np.split(np.arange(1.0, 10.0) * np.tile(a[0], 3), [2, 5])
        return np.sum(p) * 2 + np.sum(q ** 2) - np.sum(np.array_split(r, 2)[1])

    check_grads(split, a)


def test_piecewise_functions():
    x = rng.standard_normal(8)
    y = rng.standard_normal(8)
    check_grads(lambda x, y: np.sum(np.where(x > y, x * y, np.exp(y))), x, y)
    check_grads(lambda x: np.sum(np.clip(x, -0.5, 0.7) * np.arange(8.)), x)
    check_grads(lambda x: np.sum(np.abs(x) * np.arange(8.)), x)
    check_grads(lambda x, y: np.sum(np.maximum(x, y) ** 2 + np.minimum(x, 0.1)), x, y)
    check_grads(lambda x: np.sum(np.sort(x) * np.arange(8.)), x)
    check_grads(lambda x: np.sum(np.sort(x.reshape(2, 4), axis=0) * np.arange(8.).reshape(2, 4)),
                x)


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap"])
def test_pad(mode):
    x = rng.standard_normal((3, 4))
    out = np.pad(x, ((1, 2), (2, 1)), mode=mode)
    check_grads(weighted_sum(lambda x: np.pad(x, ((1, 2), (2, 1)), mode=mode), out, rng), x)


def test_scans():
    x = rng.uniform(0.5, 1.5, (3, 4))
    check_grads(lambda x: np.sum(np.cumsum(x, axis=1) * np.arange(12.).reshape(3, 4)), x)
    check_grads(lambda x: np.sum(np.cumprod(x, axis=0) * np.arange(12.).reshape(3, 4)), x)
    check_grads(lambda x: np.sum(np.cumsum(x) ** 2), x)
    z = np.array([[1.0, 2.0, 0.0, 3.0, 0.5], [0.0, 2.0, 3.0, 0.0, 1.5], [1.5, 2.0, 0.5, 3.0, 0.7]])
    w = rng.standard_normal((3, 5))
    for axis in (0, 1):  # zeros: before, at and after the first one along the axis
        check_grads(lambda z: np.sum(np.cumprod(z, axis=axis) * w), z)


def test_contractions():
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5))
    v = rng.standard_normal(4)
    t, u = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 3))
    check_grads(lambda a, b: np.sum(np.tanh(a @ b)), a, b)
    check_grads(lambda a, v: np.sum(np.dot(a, v) ** 2) + np.dot(v, v), a, v)
    check_grads(lambda t, u: np.sum(np.sin(t @ u)), t, u)  # batched
    check_grads(lambda t, u: np.sum(np.tensordot(t, u, axes=([1, 2], [2, 1])) ** 2), t, u)
    check_grads(lambda a, b: np.sum(np.einsum("ij,jk->ik", a, b) ** 2), a, b)
    check_grads(lambda a, b: np.sum(np.einsum("ij,jk", a, b) ** 2), a, b)  # implicit output
    check_grads(lambda t, u: np.sum(np.einsum("bij,bjk->bik", t, u) ** 2), t, u)  # batch
    check_grads(lambda t, u: np.einsum("bij,bji", t, u), t, u)
    check_grads(lambda a: np.einsum("ii", a[:, :3]) + np.sum(np.einsum("ij->j", a) ** 2), a)
    check_grads(lambda a, v: np.einsum("ij,j,k->", a, v, v[:2]), a, v)
    check_grads(lambda v: np.sum(np.outer(v, v) * np.arange(16.).reshape(4, 4)), v)


def _spd(n, seed):
    b = np.random.default_rng(seed).standard_normal((n, n))
    return b @ b.T + n * np.eye(n)


def test_linalg():
    a, b = _spd(4, 1), rng.standard_normal((4, 2))
    w = rng.standard_normal((4, 4))
    check_grads(lambda a, b: np.sum(np.linalg.solve(a, b) ** 2), a, b)
    check_grads(lambda a, b: np.sum(np.linalg.solve(a, b[:, 0])), a, b)
    check_grads(lambda a: np.sum(np.linalg.inv(a) * w), a)
    check_grads(lambda a: np.linalg.det(a), a)
    check_grads(lambda a: (lambda sign, logdet: sign * logdet)(*np.linalg.slogdet(a)), a)
    check_grads(lambda a: np.sum(np.linalg.cholesky(a) * w), a)
    check_grads(lambda a: np.sum(np.linalg.eigh(a)[0] * np.arange(4.)), a)
    check_grads(lambda a: np.sum(np.linalg.eigvalsh(a, UPLO="U") ** 2), a)
    check_grads(lambda a: np.sum(np.linalg.eigh(a)[1] ** 2 * w), a)  # sign-free use of vectors
    check_grads(lambda a: np.sum(np.linalg.svd(a + w)[1]), a)
    check_grads(lambda a: np.sum(np.linalg.pinv(a) * w[:3].T), a[:3] + w[:3])  # wide, full rank
    tall = rng.standard_normal((2, 5, 3))
    for m in (tall, np.swapaxes(tall, -1, -2), w):  # singular vectors: squares are sign-free
        u, _, vh = np.linalg.svd(m, full_matrices=False)
        wu, wv = rng.standard_normal(u.shape), rng.standard_normal(vh.shape)
        check_grads(lambda m: np.sum(np.linalg.svd(m, full_matrices=False)[0] ** 2 * wu)
                    + np.sum(np.linalg.svd(m, full_matrices=False)[2] ** 2 * wv), m)
    check_grads(lambda t: np.sum(np.linalg.qr(t)[0] * tall) + np.sum(np.linalg.qr(t)[1] ** 2),
                tall)
    batch = np.stack([_spd(3, 2), _spd(3, 3)])
    check_grads(lambda a: np.sum(np.linalg.inv(a) ** 2) + np.sum(np.linalg.slogdet(a)[1]), batch)


def test_triangle_routines_read_one_triangle():
    """cholesky/eigh use one triangle of their input, so the other one has zero gradient."""
    a = _spd(3, 4) + np.triu(np.ones((3, 3)), 1)  # not symmetric: NumPy reads the lower part
    g = check_grads(lambda a: np.sum(np.linalg.cholesky(a)), a)[0]
    assert np.all(np.triu(g, 1) == 0)


def test_unsupported_linalg_gradient_is_clear():
    with pytest.raises(NotImplementedError, match=r"np.linalg.svd \(output 0\)"):
        tracenp.grad(lambda a: np.sum(np.linalg.svd(a)[0]))(np.ones((3, 2)))
    with pytest.raises(NotImplementedError, match=r"np.linalg.qr"):
        tracenp.grad(lambda a: np.sum(np.linalg.qr(a)[1]))(np.ones((2, 3)))


# ----------------------------------------------------------------------------- the API


def loss(params, x, y):
    h = np.tanh(x @ params["W"] + params["b"])
    return np.mean((h @ params["v"][0] - y) ** 2) + 0.1 * np.sum(params["v"][1] ** 2)


def _params(dtype=np.float64):
    r = np.random.default_rng(5)
    return {"W": r.standard_normal((3, 4)).astype(dtype), "b": np.zeros(4, dtype),
            "v": [r.standard_normal(4).astype(dtype), r.standard_normal(2).astype(dtype)]}


def test_pytree_gradient_has_the_arguments_structure():
    params = _params()
    x, y = rng.standard_normal((6, 3)), rng.standard_normal(6)
    g = tracenp.grad(loss)(params, x, y)
    assert set(g) == {"W", "b", "v"} and isinstance(g["v"], list) and len(g["v"]) == 2
    flat = lambda W, b, v0, v1: loss({"W": W, "b": b, "v": [v0, v1]}, x, y)  # noqa: E731
    check_grads(flat, params["W"], params["b"], *params["v"])
    want = tracenp.grad(flat, argnums=(0, 1, 2, 3))(params["W"], params["b"], *params["v"])
    for got, w in zip([g["W"], g["b"], *g["v"]], want):
        np.testing.assert_allclose(got, w, rtol=1e-12)


def test_tuples_namedtuples_and_nesting():
    from collections import namedtuple

    P = namedtuple("P", "a b")
    t = (rng.standard_normal(3), {"k": [rng.standard_normal(2)]}, P(rng.standard_normal(2), 2.0))
    f = lambda t: np.sum(t[0] ** 2) * np.sum(t[1]["k"][0]) + np.sum(t[2].a * t[2].b)  # noqa
    g = tracenp.grad(f)(t)
    assert isinstance(g, tuple) and isinstance(g[2], P) and isinstance(g[1]["k"], list)
    np.testing.assert_allclose(g[0], 2 * t[0] * np.sum(t[1]["k"][0]))
    np.testing.assert_allclose(g[1]["k"][0], np.full(2, np.sum(t[0] ** 2)))
    np.testing.assert_allclose(g[2].a, [2.0, 2.0])
    assert g[2].b == pytest.approx(np.sum(t[2].a))


def test_float32_params_get_float32_grads():
    params = _params(np.float32)
    x, y = rng.standard_normal((6, 3)).astype(np.float32), rng.standard_normal(6).astype(
        np.float32)
    value, g = tracenp.value_and_grad(loss)(params, x, y)
    assert np.asarray(value).dtype == np.float32
    assert all(leaf.dtype == np.float32 for leaf in [g["W"], g["b"], *g["v"]])
    g64 = tracenp.grad(loss)(_params(), x.astype(np.float64), y.astype(np.float64))
    np.testing.assert_allclose(g["W"], g64["W"], rtol=1e-4, atol=1e-5)


def test_argnums():
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    f = lambda x, y: np.sum(x * y ** 2)  # noqa: E731
    np.testing.assert_allclose(tracenp.grad(f)(x, y), y ** 2)
    np.testing.assert_allclose(tracenp.grad(f, argnums=1)(x, y), 2 * x * y)
    np.testing.assert_allclose(tracenp.grad(f, argnums=-1)(x, y), 2 * x * y)
    gx, gy = tracenp.grad(f, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx, y ** 2)
    np.testing.assert_allclose(gy, 2 * x * y)
    (gy_only,) = tracenp.grad(f, argnums=(1,))(x, y)
    np.testing.assert_allclose(gy_only, gy)
    same = tracenp.grad(f, argnums=0)(x, x)  # the value passed twice: only argument 0 counts
    np.testing.assert_allclose(same, x ** 2)
    with pytest.raises(ValueError, match="out of range"):
        tracenp.grad(f, argnums=2)(x, y)


def test_integer_and_bool_arguments_are_a_clear_type_error():
    with pytest.raises(TypeError, match=r"argument labels has dtype int64"):
        tracenp.grad(lambda w, labels: np.sum(w * labels), argnums=1)(np.ones(3),
                                                                     np.arange(3))
    with pytest.raises(TypeError, match=r"argument p\['mask'\] has dtype bool"):
        tracenp.grad(lambda p: np.sum(p["w"] * p["mask"]))({"w": np.ones(2),
                                                            "mask": np.ones(2, bool)})


def test_integer_and_bool_intermediates_carry_no_gradient():
    x = np.array([-1.0, 2.0, 0.5, -3.0])
    f = lambda x: np.sum(x * (x > 0) + x.astype(np.int64) * x + x[np.argmax(x)])  # noqa: E731
    np.testing.assert_allclose(tracenp.grad(f)(x), (x > 0) + x.astype(np.int64) + [0, 4, 0, 0])


def test_scalar_leaves_come_back_as_they_went_in():
    g = tracenp.grad(lambda p: p["a"] * p["b"][0] * p["c"])(
        {"a": np.array(2.0), "b": [np.float32(3.0)], "c": 0.5})
    assert isinstance(g["a"], np.ndarray) and g["a"].shape == () and g["a"] == 1.5
    assert type(g["b"][0]) is np.float32 and g["b"][0] == 1.0
    assert type(g["c"]) is float and g["c"] == 6.0


def test_python_scalar_arguments():
    assert tracenp.grad(lambda a: a * a * a)(2.0) == pytest.approx(12.0)

    def rnn(w, x, steps):
        h = np.zeros(2)
        for _ in range(steps):  # a Python int that is not differentiated stays static
            h = np.tanh(w @ h + x)
        return np.sum(h)

    traces = []

    def scaled(w, temperature, activation):
        traces.append(activation)
        return np.sum(getattr(np, activation)(w / temperature))

    w = rng.standard_normal((2, 2))
    g = tracenp.grad(scaled)
    for t in (0.5, 0.7, 2.0):  # a float is an input: one trace for all three
        np.testing.assert_allclose(g(w, t, "tanh"), (1 - np.tanh(w / t) ** 2) / t)
    np.testing.assert_allclose(g(w, 1.0, "sin"), np.cos(w))
    assert traces == ["tanh", "sin"]

    w, x = rng.standard_normal((2, 2)) * 0.5, rng.standard_normal(2)
    for steps in (3, 5):
        check_grads(lambda w, x: rnn(w, x, steps), w, x)
        np.testing.assert_allclose(tracenp.grad(rnn)(w, x, steps),
                                   tracenp.grad(lambda w: rnn(w, x, steps))(w), rtol=1e-12)


def test_non_scalar_output_is_a_clear_type_error():
    with pytest.raises(TypeError, match="floating-point scalar.*vjp or tracenp.jacobian"):
        tracenp.grad(lambda x: x * 2)(np.ones(3))


def test_has_aux_and_value_and_grad():
    x = rng.standard_normal(4)

    def f(x):
        return np.sum(x ** 2), {"norm": np.sqrt(np.sum(x ** 2)), "step": 3}

    (value, aux), g = tracenp.value_and_grad(f, has_aux=True)(x)
    assert value == pytest.approx(np.sum(x ** 2))
    assert aux["norm"] == pytest.approx(np.linalg.norm(x)) and aux["step"] == 3
    np.testing.assert_allclose(g, 2 * x)
    g2, aux2 = tracenp.grad(f, has_aux=True)(x)
    np.testing.assert_allclose(g2, 2 * x)
    assert aux2["norm"] == pytest.approx(aux["norm"])


def test_vjp():
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    out, pull = tracenp.vjp(lambda x, y: (x * y, np.sin(x)), x, y)
    np.testing.assert_allclose(out[0], x * y)
    ct = (np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.0, 1.0]))
    gx, gy = pull(ct)
    np.testing.assert_allclose(gx, ct[0] * y + ct[1] * np.cos(x))
    np.testing.assert_allclose(gy, ct[0] * x)
    with pytest.raises(ValueError, match="cotangent of shape"):
        pull((np.ones(2), np.ones(3)))


def test_jacobian():
    x = rng.standard_normal(3)
    jac = tracenp.jacobian(lambda x: np.sin(x) * x[0])(x)
    want = np.diag(np.cos(x) * x[0])
    want[:, 0] += np.sin(x)
    np.testing.assert_allclose(jac, want)
    a, b = rng.standard_normal((2, 2)), rng.standard_normal(2)
    ja, jb = tracenp.jacobian(lambda a, b: a @ b, argnums=(0, 1))(a, b)
    assert ja.shape == (2, 2, 2)
    np.testing.assert_allclose(jb, a)
    np.testing.assert_allclose(ja[1, 1], b)
    np.testing.assert_allclose(ja[0, 1], 0)



def test_vjp_and_jacobian_build_on_the_stable_forward_as_grad_does():
    """`1 / (1 + exp(-x))` at x = -inf: the naive rule is 0 * inf. `grad` differentiated the
    stabilized forward and gave 0; `vjp` and `jacobian` differentiated the naive one: NaN."""
    def f(w):
        cuts = np.array([-np.inf, 0.0, np.inf])
        return np.log(1 / (1 + np.exp(-(cuts[1:] - w))) - 1 / (1 + np.exp(-(cuts[:-1] - w))))

    w = np.array([0.3])
    g = tracenp.grad(lambda w: np.sum(f(w)))(w)
    assert np.isfinite(g).all()
    _, pull = tracenp.vjp(f, w)
    np.testing.assert_allclose(pull(np.ones(2))[0], g, rtol=1e-12)
    np.testing.assert_allclose(tracenp.jacobian(f)(w).sum(axis=0), g, rtol=1e-12)


def test_writes_into_differentiated_arguments():
    """`vjp` linearizes at the values its forward call read, though that call wrote into them
    (its pullback re-read the written array: `w *= 2` gave the gradient at 2w); `grad` writes
    back into its differentiated arguments as NumPy's call would (it dropped those writes)."""
    def loss(w):
        w *= 2
        return np.sum(w ** 3)

    w0 = np.array([1.0, 2.0, 4.0])
    w = w0.copy()
    _, pull = tracenp.vjp(loss, w)
    np.testing.assert_array_equal(w, 2 * w0)
    np.testing.assert_allclose(pull(1.0)[0], 24 * w0 ** 2)
    jitted = tracenp.jit(lambda w: tracenp.vjp(loss, w)[1](1.0))
    w = w0.copy()
    np.testing.assert_allclose(jitted(w)[0], 24 * w0 ** 2)
    np.testing.assert_array_equal(w, 2 * w0)
    for g in (tracenp.grad(loss), tracenp.jit(tracenp.grad(loss))):
        w = w0.copy()
        np.testing.assert_allclose(g(w), 24 * w0 ** 2)
        np.testing.assert_array_equal(w, 2 * w0)

    def rebinds(p, x):
        p["b"] = p["b"] + 1
        p["w"][0] = 0.0
        return np.sum((x * p["w"] + p["b"]) ** 2)

    p = {"w": np.ones(2), "b": np.zeros(2)}
    g = tracenp.grad(rebinds)(p, np.ones(2))
    np.testing.assert_array_equal(p["b"], [1.0, 1.0])
    np.testing.assert_array_equal(p["w"], [0.0, 1.0])
    np.testing.assert_allclose(g["w"], [0.0, 4.0])
    np.testing.assert_allclose(g["b"], [2.0, 4.0])

    def aliased(a, b):  # NumPy: 13 for f(x, x), b sees the write; it gave 8, silently
        a += 1
        return np.sum(a * b)

    x = np.array([1.0, 2.0])
    with pytest.raises(tracenp.errors.UnsupportedFunctionError, match="shares memory"):
        tracenp.value_and_grad(aliased)(x, x)


def test_masked_variance_gradients_ignore_the_unselected_values():
    """`np.nanvar`/`np.nanstd` and `np.var(where=)` square the deviations of the selected
    values only: a NaN left out had a zero cotangent times its NaN deviation, NaN everywhere."""
    x = np.array([1.0, np.nan, 0.5, 3.0, np.nan])
    ok = ~np.isnan(x)
    c = x[ok] - x[ok].mean()
    for f, want in [(np.nanvar, 2 * c / 3), (lambda x: np.nanvar(x, ddof=1), c),
                    (np.nanstd, c / (3 * np.sqrt(np.mean(c ** 2)))),
                    (lambda x: np.var(np.where(ok, x, np.inf), where=ok), 2 * c / 3)]:
        for g in (tracenp.grad(f), tracenp.jit(tracenp.grad(f))):
            got = g(x)
            np.testing.assert_array_equal(got[~ok], 0.0)
            np.testing.assert_allclose(got[ok], want, rtol=1e-12)

def test_grad_of_grad_hessian_vector_products():
    def f(x):
        return np.sum(np.sin(x) ** 3) + np.sum(x[:-1] * x[1:] ** 2)

    x, v = rng.standard_normal(5), rng.standard_normal(5)
    hvp = tracenp.grad(lambda x: np.sum(tracenp.grad(f)(x) * v))(x)
    hess = tracenp.jacobian(tracenp.grad(f))(x)
    numeric = np.stack([numeric_grad(lambda x: tracenp.grad(f)(x)[i], [x])[0] for i in range(5)])
    np.testing.assert_allclose(hess, numeric, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hvp, hess @ v, rtol=1e-10)
    jitted = tracenp.jit(lambda x, v: tracenp.grad(lambda y: np.sum(tracenp.grad(f)(y) * v))(x))
    np.testing.assert_allclose(jitted(x, v), hvp, rtol=1e-12)
    third = tracenp.grad(lambda x: tracenp.grad(lambda y: tracenp.grad(
        lambda z: np.sum(z ** 4))(y)[0])(x)[0])(x)
    np.testing.assert_allclose(third, [24 * x[0], 0, 0, 0, 0])


def test_jit_of_grad_is_one_graph():
    def f(x):
        return np.sum(np.tanh(x) * x)

    x = rng.standard_normal(7)
    vg = tracenp.jit(tracenp.value_and_grad(f))
    value, g = vg(x)
    np.testing.assert_allclose(value, f(x))
    np.testing.assert_allclose(g, np.tanh(x) + x * (1 - np.tanh(x) ** 2))
    graph = vg.graph(x, optimized=False)
    ops = {n.op for n in graph.nodes()}
    assert len(graph.inputs) == 1 and len(graph.outputs) == 2
    assert {Op.TANH, Op.SUM, Op.BROADCAST} <= ops  # forward and the backward's seed broadcast
    jg = tracenp.jit(tracenp.grad(f))
    np.testing.assert_allclose(jg(x), g)
    assert Op.TANH in {n.op for n in jg.graph(x, optimized=False).nodes()}


def test_grad_of_a_jitted_function():
    f = tracenp.jit(lambda x, n: np.sum(np.sin(x) ** n), static_argnums=1)
    x = rng.standard_normal(5)
    np.testing.assert_allclose(tracenp.grad(f)(x, 3), 3 * np.sin(x) ** 2 * np.cos(x))


def test_grad_inside_jit_with_pytree_and_fancy_index():
    def nll(p, x, labels):
        logits = x @ p["W"]
        logits = logits - logits.max(axis=1, keepdims=True)
        logp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
        return -np.mean(logp[np.arange(len(labels)), labels])

    p = {"W": rng.standard_normal((4, 3))}
    x, labels = rng.standard_normal((8, 4)), np.array([0, 1, 2, 2, 1, 0, 0, 1])

    @tracenp.jit
    def step(p, x, labels):
        g = tracenp.grad(nll)(p, x, labels)
        return {k: p[k] - 0.1 * g[k] for k in p}

    new = step(p, x, labels)
    want = check_grads(lambda W: nll({"W": W}, x, labels), p["W"])[0]
    np.testing.assert_allclose(new["W"], p["W"] - 0.1 * want, rtol=1e-12)


def test_symbolic_grad_of_a_traced_cost():
    def f(x):
        cost = np.sum(np.exp(x) * x)
        return tracenp.grad(cost, x)

    x = rng.standard_normal(4)
    np.testing.assert_allclose(tracenp.jit(f)(x), np.exp(x) * (x + 1))
    g = tracenp.jit(lambda x, y: tracenp.grad(np.sum(x * y), {"a": x, "b": [y]}))(x, 2 * x)
    np.testing.assert_allclose(g["a"], 2 * x)
    np.testing.assert_allclose(g["b"][0], x)


def test_a_new_transform_of_the_same_function_reuses_its_compiled_code():
    """autograd's idiom makes the transform anew at each step (`grad(loss)(w, x, step)`); a
    step number changes each call too. Neither traces again: Python ints stay inputs, as
    under `jit`, unless the function's Python needs their values."""
    traces = []

    def loss(w, x, step):
        traces.append(None)  # once per trace
        return np.sum(np.tanh(x @ w)) * 0.5 + 0.0 * step

    w, x = np.full(3, 0.1), np.arange(12.0).reshape(4, 3) / 10
    want = 0.5 * (1 - np.tanh(x @ w) ** 2) @ x
    for step in range(5):
        np.testing.assert_allclose(tracenp.grad(loss)(w, x, step), want, rtol=1e-12)
        vg = tracenp.value_and_grad(loss)(w, x, step)
        np.testing.assert_allclose(vg[1], want, rtol=1e-12)
    assert len(traces) == 2  # one for grad, one for value_and_grad

    def unrolled(w, n):
        for _ in range(n):
            w = w * 0.5
        return np.sum(w)

    g = tracenp.grad(unrolled)
    np.testing.assert_allclose(g(np.ones(3), 3), np.full(3, 0.125))
    np.testing.assert_allclose(g(np.ones(3), 1), np.full(3, 0.5))


def test_gammaln_derivatives_at_its_exact_points_and_the_lanczos_switch():
    """CPython's lgamma is exactly 0 at 1 and 2 and switches Lanczos forms at 5: the
    gradient there was 0 (a constant branch) and 1.6437 (a tie of minimum and maximum), not
    digamma's -0.5772, 0.4228 and 1.5061; a scalar's value comes back as np.float64."""
    special = pytest.importorskip("scipy.special")
    xs = np.array([0.5, 1.0, 2.0, 3.0, 5.0, 7.5])
    np.testing.assert_allclose(tracenp.grad(lambda x: special.gammaln(x).sum())(xs),
                               special.digamma(xs), rtol=1e-13)
    for x in (1.0, 2.0):
        value = tracenp.jit(special.gammaln)(x)
        assert type(value) is np.float64 and value == 0.0 and not np.signbit(value)
        np.testing.assert_allclose(tracenp.grad(tracenp.grad(special.gammaln))(x),
                                   special.polygamma(1, x), rtol=1e-13)
