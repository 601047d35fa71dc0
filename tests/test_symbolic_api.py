"""The Theano-style API (`tensor`, `function`, `shared`) against NumPy, beyond the tutorial."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import tracenp
from tracenp import In, function, shared, tensor
from tracenp.printing import pp
from tracenp.tensor import nnet

RNG = np.random.default_rng(1234)


# ----------------------------------------------------------------------------- the tutorial's
# logistic regression, trained with updates, against the same steps written in NumPy


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_logistic_regression_training_matches_numpy():
    n, feats, steps = 60, 12, 40
    data_x = RNG.standard_normal((n, feats))
    data_y = RNG.integers(0, 2, n).astype(np.float64)
    w0 = RNG.standard_normal(feats)

    x, y = tensor.dmatrix("x"), tensor.dvector("y")
    w, b = shared(w0, name="w"), shared(0.0, name="b")
    p_1 = 1 / (1 + tensor.exp(-tensor.dot(x, w) - b))
    prediction = p_1 > 0.5
    xent = -y * tensor.log(p_1) - (1 - y) * tensor.log(1 - p_1)
    cost = xent.mean() + 0.01 * (w ** 2).sum()
    gw, gb = tensor.grad(cost, [w, b])
    train = function([x, y], [prediction, xent], updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)))
    predict = function([x], prediction)

    rw, rb = w0.copy(), 0.0
    for _ in range(steps):
        pred, err = train(data_x, data_y)
        p = _sigmoid(data_x @ rw + rb)
        np.testing.assert_array_equal(pred, p > 0.5)
        np.testing.assert_allclose(err, -data_y * np.log(p) - (1 - data_y) * np.log(1 - p),
                                   rtol=1e-10)
        d = (p - data_y) / n  # d cost / d (x.w + b)
        rw, rb = rw - 0.1 * (data_x.T @ d + 0.02 * rw), rb - 0.1 * d.sum()
    np.testing.assert_allclose(w.get_value(), rw, rtol=1e-10)
    np.testing.assert_allclose(b.get_value(), rb, rtol=1e-10)
    np.testing.assert_array_equal(predict(data_x), _sigmoid(data_x @ rw + rb) > 0.5)
    assert b.get_value().shape == () and b.get_value().dtype == np.float64


# ----------------------------------------------------------------------------- tensor math


def _case(name, build, ref, *values):
    return pytest.param(build, ref, values, id=name)


M = RNG.standard_normal((3, 4))
V = RNG.standard_normal(4)
P = RNG.uniform(0.1, 0.9, (3, 4))
LABELS = np.array([0, 3, 1])

MATH = [
    _case("dot", lambda a, b: tensor.dot(a, b), np.dot, M, V),
    _case("outer", lambda a, b: tensor.outer(a, b), np.outer, V, V),
    _case("exp-log-sqrt", lambda a: tensor.log(tensor.exp(a)) + tensor.sqrt(tensor.abs(a)),
          lambda a: np.log(np.exp(a)) + np.sqrt(np.abs(a)), M),
    _case("sqr-pow", lambda a: tensor.sqr(a) + tensor.pow(a, 3), lambda a: a ** 2 + a ** 3, M),
    _case("sum-axis", lambda a: tensor.sum(a, axis=1), lambda a: a.sum(axis=1), M),
    _case("mean-max-min", lambda a: a.mean(axis=0) + tensor.max(a, axis=0) - a.min(axis=0),
          lambda a: a.mean(0) + a.max(0) - a.min(0), M),
    _case("maximum-minimum", lambda a, b: tensor.maximum(a, b) * tensor.minimum(a, 0.5),
          lambda a, b: np.maximum(a, b) * np.minimum(a, 0.5), M, V),
    _case("tanh", tensor.tanh, np.tanh, M),
    _case("switch", lambda a: tensor.switch(tensor.gt(a, 0), a, -2 * a),
          lambda a: np.where(a > 0, a, -2 * a), M),
    _case("comparisons", lambda a, b: tensor.eq(a, b) | tensor.neq(a, 0) & tensor.lt(a, b),
          lambda a, b: (a == b) | (a != 0) & (a < b), M, V),
    _case("cast", lambda a: tensor.cast(a * 10, "int32"), lambda a: (a * 10).astype(np.int32), M),
    _case("concatenate-stack", lambda a: tensor.concatenate([a, a * 2], axis=0).sum()
          + tensor.stack([a, a]).sum(axis=0), lambda a: np.concatenate([a, 2 * a]).sum()
          + np.stack([a, a]).sum(axis=0), M),
    _case("zeros-ones-like", lambda a: tensor.zeros_like(a) + 2 * tensor.ones_like(a),
          lambda a: np.zeros_like(a) + 2 * np.ones_like(a), M),
    _case("argmax-clip", lambda a: tensor.argmax(tensor.clip(a, -0.5, 0.5), axis=1),
          lambda a: np.argmax(np.clip(a, -0.5, 0.5), axis=1), M),
    _case("indexing-transpose", lambda a: a[1:, ::2].T[0], lambda a: a[1:, ::2].T[0], M),
    _case("flatten-reshape", lambda a: tensor.flatten(a).reshape((2, 6)),
          lambda a: a.reshape(2, 6), M),
    _case("dimshuffle", lambda a: a.dimshuffle(1, "x", 0), lambda a: a.T[:, None, :], M),
    _case("symbolic-shape", lambda a: tensor.arange(tensor.shape(a)[0]) * 2,
          lambda a: np.arange(a.shape[0]) * 2, M),
    _case("sigmoid", nnet.sigmoid, _sigmoid, M),
    _case("softmax", nnet.softmax, lambda a: np.exp(a) / np.exp(a).sum(1, keepdims=True), M),
    _case("logsoftmax", nnet.logsoftmax,
          lambda a: np.log(np.exp(a) / np.exp(a).sum(1, keepdims=True)), M),
    _case("relu", lambda a: nnet.relu(a) + nnet.relu(a, alpha=0.1),
          lambda a: np.maximum(a, 0) + np.where(a > 0, a, 0.1 * a), M),
    _case("softplus", nnet.softplus, lambda a: np.log1p(np.exp(a)), M),
    _case("hard-sigmoid", nnet.hard_sigmoid, lambda a: np.clip(0.2 * a + 0.5, 0, 1), M),
    _case("binary-crossentropy", nnet.binary_crossentropy,
          lambda p, t: -(t * np.log(p) + (1 - t) * np.log(1 - p)), P, (P > 0.5) * 1.0),
    _case("categorical-crossentropy-labels", nnet.categorical_crossentropy,
          lambda p, t: -np.log(p[np.arange(3), t]), P, LABELS),
    _case("categorical-crossentropy-onehot", nnet.categorical_crossentropy,
          lambda p, t: -(t * np.log(p)).sum(1), P, np.eye(4)[LABELS]),
]


def _input_like(value: np.ndarray):
    return tensor.tensor(value.dtype, (False,) * value.ndim)


@pytest.mark.parametrize("build, ref, values", MATH)
def test_tensor_math_against_numpy(build, ref, values):
    ins = [_input_like(v) for v in values]
    f = function(ins, build(*ins))
    got, want = f(*values), ref(*values)
    assert np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_set_and_inc_subtensor():
    x = tensor.dmatrix("x")
    f = function([x], [tensor.set_subtensor(x[0], 5.0), tensor.inc_subtensor(x[1:, 1], 1.0)])
    a, b = f(M)
    want_a, want_b = M.copy(), M.copy()
    want_a[0] = 5.0
    want_b[1:, 1] += 1.0
    np.testing.assert_array_equal(a, want_a)
    np.testing.assert_array_equal(b, want_b)
    with pytest.raises(TypeError, match="indexed variable"):
        tensor.set_subtensor(x, 1.0)


def test_numpy_and_tensor_spellings_build_the_same_graph():
    x = tensor.dmatrix("x")
    f1 = function([x], np.exp(x).sum(axis=1) @ np.ones(4))
    f2 = function([x], tensor.dot(tensor.exp(x).sum(axis=1), np.ones(4)))
    np.testing.assert_allclose(f1(M.T), f2(M.T))
    assert pp(f1) == pp(f2)


def test_static_types_of_expressions():
    r, c, x = tensor.drow("r"), tensor.dcol("c"), tensor.dmatrix("x")
    assert (r + c).broadcastable == (False, False)
    assert (r * 2).broadcastable == (True, False)
    assert x.sum(axis=0).ndim == 1 and x.sum().ndim == 0
    assert tensor.dot(x, x).dtype == np.float64 and tensor.dot(x, x).shape == (None, None)
    assert x.dimshuffle("x", 0, 1).broadcastable == (True, False, False)
    assert (tensor.ivector() + tensor.fscalar()).dtype == np.float64
    assert tensor.tensor("float32", (True, False, False), name="t").shape == (1, None, None)
    assert [v.name for v in tensor.fvectors("a, b")] == ["a", "b"]
    assert len(tensor.imatrices(3)) == 3


def test_eval_and_value_errors():
    x, y = tensor.dvector("x"), tensor.dscalar("y")
    np.testing.assert_array_equal((x * 2 + y).eval({x: np.ones(2), y: 3.0}), [5.0, 5.0])
    with pytest.raises(TypeError, match="symbolic variable.*switch"):
        bool(x > 0)
    with pytest.raises(TypeError, match="variable 'x'"):
        np.asarray(x)
    quotient, remainder = np.divmod(x, 2)
    np.testing.assert_array_equal(function([x], remainder)(np.array([3.0, 4.5])), [1.0, 0.5])


def test_symbolic_variables_are_immutable():
    x = tensor.dvector("x")
    y = x
    y += 1  # rebinds y to a new variable, as Theano
    assert y is not x
    np.testing.assert_array_equal(function([x], y)(np.zeros(2)), [1.0, 1.0])
    with pytest.raises(TypeError, match="immutable"):
        x[0] = 1.0


# ----------------------------------------------------------------------------- gradients


def test_grad_of_softmax_cross_entropy_matches_finite_differences():
    x, t = tensor.dmatrix("x"), tensor.ivector("t")
    W = shared(RNG.standard_normal((4, 3)) * 0.1, name="W")
    cost = nnet.categorical_crossentropy(nnet.softmax(tensor.dot(x, W)), t).mean()
    f = function([x, t], [cost, tensor.grad(cost, W)])
    labels = np.array([0, 2, 1], dtype=np.int32)
    value, g = f(M, labels)
    w0 = W.get_value()

    def loss(w):
        z = M @ w
        p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
        return -np.log(p[np.arange(3), labels]).mean()

    assert value == pytest.approx(loss(w0), rel=1e-12)
    eps, num = 1e-6, np.zeros_like(w0)
    for i in np.ndindex(w0.shape):
        d = np.zeros_like(w0)
        d[i] = eps
        num[i] = (loss(w0 + d) - loss(w0 - d)) / (2 * eps)
    np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-9)


def test_jacobian_and_hessian():
    v = tensor.dvector("v")
    f = function([v], [tensor.jacobian(v ** 2, v), tensor.hessian((v ** 3).sum(), v)])
    jac, hess = f(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(jac, np.diag([2.0, 4.0, 6.0]))
    np.testing.assert_allclose(hess, np.diag([6.0, 12.0, 18.0]))


def test_grad_errors():
    x, y = tensor.dvector("x"), tensor.dvector("y")
    with pytest.raises(TypeError, match="scalar"):
        tensor.grad(x * 2, x)
    g = tensor.grad((x * 2).sum(), [x, y])
    with pytest.raises(ValueError, match="does not depend on"):
        function([x, y], g)(np.ones(2), np.ones(2))
    g = tensor.grad((x * 2).sum(), [x, y], disconnected_inputs="ignore")
    gx, gy = function([x, y], g)(np.ones(2), np.ones(2))
    np.testing.assert_array_equal(gx, [2.0, 2.0])
    np.testing.assert_array_equal(gy, [0.0, 0.0])


# ----------------------------------------------------------------------------- shared variables


def test_shared_borrow_semantics():
    init = np.zeros(3)
    s = shared(init, borrow=True)
    init[0] = 7.0  # borrowed: the variable sees the caller's writes
    assert s.get_value()[0] == 7.0
    inner = s.get_value(borrow=True)
    inner[1] = 8.0
    assert s.get_value()[1] == 8.0
    new = np.ones(3)
    s.set_value(new)
    new[0] = 9.0  # copied on set by default
    assert s.get_value()[0] == 1.0
    s.set_value(new, borrow=True)
    new[0] = 10.0
    assert s.get_value()[0] == 10.0


def test_shared_set_value_checks_dtype_and_rank():
    s = shared(np.zeros(3, dtype=np.int32), name="counts")
    s.set_value([1, 2, 3])
    assert s.get_value().dtype == np.int32
    with pytest.raises(TypeError, match="counts"):
        s.set_value(np.array([1.5, 2.0, 3.0]))
    with pytest.raises(TypeError, match="dimension"):
        s.set_value(np.zeros((2, 2), dtype=np.int32))
    s.set_value(np.arange(5, dtype=np.int16))  # safe cast; a new length is fine
    np.testing.assert_array_equal(s.get_value(), np.arange(5))
    assert shared(3).dtype == np.int64 and shared(0.5).ndim == 0


def test_shared_in_expressions_and_new_shapes():
    s = shared(np.arange(3.0), name="s")
    x = tensor.dvector("x")
    f = function([x], (x * s).sum())
    assert f(np.ones(3)) == 3.0
    s.set_value(np.arange(5.0))
    assert f(np.ones(5)) == 10.0  # a new signature: traced again for the new shape


def test_updates_as_dict_and_counter():
    state = shared(0, name="state")
    inc = tensor.iscalar("inc")
    acc = function([inc], state, updates={state: state + inc})
    assert acc(1) == 0 and acc(10) == 1 and state.get_value() == 11
    state.set_value(-1)
    acc(3)
    assert state.get_value() == 2 and state.get_value().dtype == np.int64
    tick = function([], updates=[(state, state * 2)])  # no outputs: returns []
    assert tick() == [] and state.get_value() == 4


def test_update_errors():
    x = tensor.dvector("x")
    w = shared(np.zeros(2, dtype=np.float32), name="w")
    with pytest.raises(TypeError, match="shared"):
        function([x], x.sum(), updates=[(x, x + 1)])
    with pytest.raises(ValueError, match="twice"):
        function([x], x.sum(), updates=[(w, w + 1), (w, w - 1)])
    f = function([x], x.sum(), updates=[(w, w + x)])  # float64 into float32: refused
    with pytest.raises(TypeError, match="astype"):
        f(np.ones(2))
    f = function([x], x.sum(), updates=[(w, (w + x).astype("float32"))])
    f(np.ones(2))
    np.testing.assert_array_equal(w.get_value(), [1.0, 1.0])


def test_failed_call_changes_no_shared_variable():
    x = tensor.dmatrix("x")
    a, b = shared(np.zeros(2), name="a"), shared(np.eye(2), name="b")
    f = function([x], a.sum(), updates=[(a, a + 1), (b, np.linalg.inv(x))])
    f(2 * np.eye(2))
    np.testing.assert_array_equal(a.get_value(), [1.0, 1.0])
    with pytest.raises(np.linalg.LinAlgError):
        f(np.zeros((2, 2)))  # fails while running, after a's new value was computed
    np.testing.assert_array_equal(a.get_value(), [1.0, 1.0])
    np.testing.assert_array_equal(b.get_value(), 0.5 * np.eye(2))


# ----------------------------------------------------------------------------- function()


def test_givens_replace_variables():
    x, y = tensor.dvector("x"), tensor.dvector("y")
    data = shared(np.arange(4.0), name="data")
    f = function([y], (x * y).sum(), givens={x: data})
    assert f(np.ones(4)) == 6.0
    g = function([x], (x * y).sum(), givens=[(y, 2 * x)])
    assert g(np.arange(3.0)) == 10.0
    with pytest.raises(ValueError, match="both an input"):
        function([x, y], x + y, givens={x: data})


def test_multiple_outputs_and_aliasing():
    x = tensor.dvector("x")
    w = shared(np.arange(3.0), name="w")
    f = function([x], [x, x * 2, w])
    a, b, c = f(np.ones(3))
    np.testing.assert_array_equal(b, [2.0, 2.0, 2.0])
    a[0] = 100.0  # outputs never alias the caller's array or a shared value
    c[0] = 100.0
    assert w.get_value()[0] == 0.0
    single = function([x], [x.sum()])
    assert isinstance(single(np.ones(3)), list)


def test_inputs_by_name_and_default_values():
    x, y = tensor.dscalars("x", "y")
    f = function([x, In(y, value=1.0)], x + y)
    assert f(2.0) == 3.0 and f(2.0, 5.0) == 7.0 and f(2.0, y=4.0) == 6.0
    with pytest.raises(TypeError, match="missing input 'x'"):
        f(y=1.0)
    with pytest.raises(TypeError, match="no input named"):
        f(1.0, z=2.0)
    with pytest.raises(TypeError, match="takes 2"):
        f(1.0, 2.0, 3.0)


def test_input_conversion():
    i, fv, r = tensor.ivector("i"), tensor.fvector("fv"), tensor.drow("r")
    g = function([i], i * 2)
    assert g([1, 2]).dtype == np.int32  # exact Python ints are converted
    with pytest.raises(TypeError, match="'i'.*lose data"):
        g(np.array([1, 2], dtype=np.int64))  # an int64 array does not cast safely
    with pytest.raises(TypeError, match="'i'"):
        g([2 ** 40])
    h = function([fv], fv + 1)
    assert h([0.5, 2.0]).dtype == np.float32
    with pytest.raises(TypeError, match="allow_input_downcast"):
        h([0.1])
    h2 = function([fv], fv + 1, allow_input_downcast=True)
    np.testing.assert_allclose(h2(np.array([0.1])), np.float32(0.1) + 1)
    k = function([r], r * 2)
    with pytest.raises(TypeError, match="'r'.*broadcastable"):
        k(np.ones((2, 3)))
    with pytest.raises(TypeError, match="'r'.*dimension"):
        k(np.ones(3))
    with pytest.raises(TypeError, match="'i'"):
        g(np.array(["a"]))


def test_function_argument_errors():
    x, y = tensor.dvector("x"), tensor.dvector("y")
    with pytest.raises(ValueError, match="'y'.*not among the inputs"):
        function([x], x + y)
    with pytest.raises(ValueError, match="not used"):
        function([x, y], x * 2)
    with pytest.warns(UserWarning, match="not used"):
        function([x, y], x * 2, on_unused_input="warn")
    assert function([x, y], x * 2, on_unused_input="ignore")(np.ones(1), np.ones(1)) == 2.0
    with pytest.raises(TypeError, match="list"):
        function(x, x)
    with pytest.raises(TypeError, match="shared"):
        function([shared(np.ones(2))], x)


def test_same_signature_reuses_the_compiled_graph():
    x = tensor.dmatrix("x")
    f = function([x], tensor.dot(x, x.T))
    f(np.ones((2, 3)))
    first = f.last
    np.testing.assert_allclose(f(M), M @ M.T)
    second = f.last
    f(np.ones((2, 3)))
    assert f.last is first and second is not first


# ----------------------------------------------------------------------------- modes and config


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
def test_modes(mode):
    x = tensor.dmatrix("x")
    f = function([x], nnet.softmax(x).sum(axis=0), mode=mode)
    assert f.mode == mode
    np.testing.assert_allclose(f(M), (np.exp(M) / np.exp(M).sum(1, keepdims=True)).sum(0))
    with tracenp.config.change_flags(mode="FAST_COMPILE"):
        assert function([x], x * 2).mode == "FAST_COMPILE"
    assert function([x], x * 2).mode == tracenp.config.mode
    with pytest.raises(ValueError, match="FAST_RUN"):
        function([x], x, mode="DebugMode")


def test_flags_from_the_environment():
    code = ("import tracenp\n"
            "x = tracenp.tensor.vector('x')\n"
            "print(tracenp.config.floatX, x.dtype, tracenp.function([x], x).mode)\n"
            "print(tracenp.config)\n")
    env = dict(os.environ, TRACENP_FLAGS="floatX=float32,mode=FAST_COMPILE")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.splitlines()[0] == "float32 float32 FAST_COMPILE"
    assert "mode = FAST_COMPILE" in out
    with pytest.raises(ValueError, match="floatX"):
        tracenp.config.floatX = "int32"
