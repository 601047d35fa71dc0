"""User objects as arguments of jitted functions: `train_step(model, X, y)`, `forward(layers,
x)`, `property(jit(fget))`. An object's arrays are inputs and what the function changes on
it is written back, as for a jitted method's `self`; NumPy's own run is the oracle."""

import copy

import numpy as np
import pytest

import tracenp
from test_ops import assert_same


class Linear:
    def __init__(self, n_in, n_out, seed=0):
        rng = np.random.default_rng(seed)
        self.W = rng.normal(size=(n_in, n_out))
        self.b = np.zeros(n_out)
        self.activation = "tanh"

    def __call__(self, x):
        y = x @ self.W + self.b
        return np.tanh(y) if self.activation == "tanh" else y


class SGD:
    """An optimizer holding the model's own arrays, and a step counter."""

    def __init__(self, params, lr=0.1):
        self.params = params
        self.lr = lr
        self.t = 0

    def step(self, grads):
        self.t += 1
        for p, g in zip(self.params, grads):
            p -= self.lr / self.t * g


def train_step(model, opt, x, y):
    h = model(x)
    err = h - y
    dh = err * (1 - h ** 2)
    opt.step([x.T @ dh / len(x), dh.mean(axis=0)])
    return np.mean(err ** 2)


def _batch(seed, n=6):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 3)), rng.normal(size=(n, 2))


def test_a_model_and_its_optimizer_as_arguments_train_as_in_numpy():
    """The optimizer's list holds the model's arrays (one array by two paths): its in-place
    steps reach the model; its int counter becomes an input, so the steps trace twice."""
    want_model = Linear(3, 2)
    want_opt = SGD([want_model.W, want_model.b])
    model = Linear(3, 2)
    opt = SGD([model.W, model.b])
    W, step = model.W, tracenp.jit(train_step)
    for seed in range(5):
        x, y = _batch(seed)
        assert_same(step(model, opt, x, y), train_step(want_model, want_opt, x, y), rtol=1e-12)
        assert_same([model.W, model.b, opt.t], [want_model.W, want_model.b, want_opt.t],
                    rtol=1e-12)
    assert model.W is W and opt.params[0] is W
    assert step.cache_info().misses == 2


def forward(layers, x):
    for layer in layers:
        x = layer(x)
    return x


def test_a_list_of_objects_is_an_argument_and_a_changed_attribute_retraces():
    layers = [Linear(3, 4, seed=1), Linear(4, 2, seed=2)]
    f = tracenp.jit(forward)
    x = _batch(0)[0]
    assert_same(f(layers, x), forward(layers, x), rtol=1e-12)
    layers[0].W *= 2.0  # in place: the next call reads it
    assert_same(f(layers, x), forward(layers, x), rtol=1e-12)
    layers[1].activation = "linear"  # a static attribute: another trace
    assert_same(f(layers, x), forward(layers, x), rtol=1e-12)
    assert f.cache_info().misses == 2


def evaluate(x, *, model):
    return model(x).sum(), model


def test_an_object_by_keyword_comes_back_as_itself():
    model = Linear(3, 2)
    x = _batch(1)[0]
    total, same = tracenp.jit(evaluate)(x, model=model)
    assert same is model
    assert_same(total, evaluate(x, model=model)[0], rtol=1e-12)


def test_an_object_marked_static_is_still_read_afresh():
    """As a constant of the trace its arrays would go stale after an in-place update."""
    model = Linear(3, 2)
    f = tracenp.jit(lambda m, x: m(x), static_argnums=0)
    x = _batch(2)[0]
    assert_same(f(model, x), model(x), rtol=1e-12)
    model.W += 1.0
    assert_same(f(model, x), model(x), rtol=1e-12)


def test_an_object_inside_another_jitted_function_is_its_traced_copy():
    inner = tracenp.jit(lambda m, x: m(x))
    outer = tracenp.jit(lambda m, x: inner(m, x) * 2.0)
    model = Linear(3, 2)
    x = _batch(3)[0]
    assert_same(outer(model, x), model(x) * 2.0, rtol=1e-12)
    model.b += 1.0
    assert_same(outer(model, x), model(x) * 2.0, rtol=1e-12)


class Particles:
    def __init__(self, n):
        self.pos = np.linspace(0.0, 1.0, n)
        self.vel = np.ones(n)

    speed = property(tracenp.jit(lambda self: np.abs(self.vel).max()))


def drift(p, q, dt):
    p.pos += dt * p.vel
    q.pos -= dt * q.vel
    return p.pos.sum() + q.pos.sum()


@pytest.mark.parametrize("same", [False, True])
def test_two_object_arguments_and_the_same_object_twice(same):
    p = Particles(4)
    q = p if same else Particles(4)
    want_p = copy.deepcopy(p)
    want_q = want_p if same else copy.deepcopy(q)
    f = tracenp.jit(drift)
    for dt in (0.1, 0.2):
        assert_same(f(p, q, dt), drift(want_p, want_q, dt), rtol=1e-12)
        assert_same([p.pos, q.pos], [want_p.pos, want_q.pos], rtol=1e-12)


def test_a_jitted_property():
    p = Particles(3)
    p.vel[1] = -4.0
    assert p.speed == 4.0


def test_fallback_runs_an_argument_no_trace_takes_in_numpy():
    """A set is no pytree: refused by type, or NumPy's run under fallback=True."""
    def total(xs):
        return sum(x.sum() for x in xs)

    xs = frozenset({np.float64(3.0), np.float64(4.0)})
    with pytest.raises(TypeError, match="jit arguments must be"):
        tracenp.jit(total)(xs)
    with pytest.warns(tracenp.TracingFallbackWarning):
        assert tracenp.jit(total, fallback=True)(xs) == 7.0


class SlottedOptimizer:
    """Attributes in `__slots__` (emcee's `State`): no `__dict__`."""

    __slots__ = ("lr", "w", "t")

    def __init__(self, lr=0.1):
        self.lr, self.w, self.t = lr, np.ones(3), 0


def _slotted_step(opt, g):
    opt.w = opt.w - opt.lr * g
    opt.t += 1
    return opt.w.sum()


def test_an_object_with_slots_passes_and_gets_back_its_state():
    """It raised "jit arguments must be ... records"; its arrays are inputs now and what the
    function sets on it (`opt.w = ...`, `opt.t += 1`) is set on the caller's object."""
    mine, theirs = SlottedOptimizer(), SlottedOptimizer()
    step = tracenp.jit(_slotted_step)
    for k in range(4):
        g = np.arange(3.0) + k
        assert_same(step(mine, g), _slotted_step(theirs, g))
        assert mine.t == theirs.t
        assert_same(mine.w, theirs.w)
