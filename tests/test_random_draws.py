"""Random draws under jit happen at each call, as in NumPy: from NumPy's global RandomState,
from a generator that is a module global or closure variable of the function, or from one
passed in, in NumPy's order. Each function is called eagerly and jitted from the same
generator state; results must be bit-identical, and so must the generator's state after
the call (so the next draw outside matches too). Calls follow each other without reseeding
(consecutive calls draw different numbers, as NumPy's do), over two shapes.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tracenp
from tracenp.errors import ConcretizationError, RandomInTraceError, UnsupportedFunctionError
from tracenp.jit import TracingFallbackWarning
from tracenp.ops import Op

RNG = np.random.default_rng(2024)  # module globals the functions below draw from
LEGACY = np.random.RandomState(7)


def _data(*shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed + 100).standard_normal(shape).astype(dtype)


# ----------------------------------------------------------------------------- the protocol


def _state(gen):
    if gen is None or isinstance(gen, np.random.RandomState):
        st = (gen or np.random.mtrand._rand).get_state()
        return (st[0], st[1].tobytes()) + tuple(st[2:])
    return repr(gen.bit_generator.state)


def _save(gen):
    if gen is None or isinstance(gen, np.random.RandomState):
        return (gen or np.random.mtrand._rand).get_state()
    return gen.bit_generator.state


def _restore(gen, saved) -> None:
    if gen is None or isinstance(gen, np.random.RandomState):
        (gen or np.random.mtrand._rand).set_state(saved)
    else:
        gen.bit_generator.state = saved


def _copied(args):
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def assert_identical(got, want, exact: bool = True) -> None:
    """Same types, dtypes and values: bit for bit, or (`exact=False`, for float sums, whose
    order of summation is tracenp's) to the last few bits."""
    if isinstance(want, (tuple, list)):
        assert type(got) is type(want) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_identical(g, w, exact)
        return
    assert type(got) is type(want), (type(got), type(want))
    assert np.asarray(got).dtype == np.asarray(want).dtype
    if exact or np.asarray(want).dtype.kind not in "fc":
        np.testing.assert_array_equal(got, want, strict=True)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


def same_as_numpy(fn, calls, gen=None, jitted=None, exact: bool = True):
    """Each call in turn, eagerly then jitted from the same state of `gen` (None: NumPy's
    global one; or a tuple of generators): identical results, in-place writes and state
    after."""
    jf = jitted or tracenp.jit(fn)
    gens = gen if isinstance(gen, tuple) else (gen,)
    for args in calls:
        start = [_save(g) for g in gens]
        eager_args = _copied(args)
        want = fn(*eager_args)
        after = [_state(g) for g in gens]
        for g, saved in zip(gens, start):
            _restore(g, saved)
        jit_args = _copied(args)
        got = jf(*jit_args)
        assert_identical(got, want, exact)
        assert_identical(jit_args, eager_args)
        assert [_state(g) for g in gens] == after, "the generator's state after the call differs"
    return jf


# ----------------------------------------------------------------------------- code as written


def mlp_dropout(x, w1, b1, w2, p=0.5):
    h = np.maximum(0, x @ w1 + b1)
    mask = (np.random.rand(*h.shape) < (1 - p)) / (1 - p)
    h *= mask
    return h @ w2


def estimate_pi(n_samples):
    x = RNG.random(n_samples)
    y = RNG.random(n_samples)
    inside = (x ** 2 + y ** 2) <= 1.0
    return 4.0 * inside.sum() / n_samples


def random_walk(x0, n_steps):
    pos = x0.copy()
    path = [pos.copy()]
    for _ in range(n_steps):
        step = np.random.choice([-1, 1], size=pos.shape)
        pos = pos + step
        path.append(pos.copy())
    return np.stack(path)


def bootstrap_mean(data, n_boot=50):
    n = data.shape[0]
    idx = RNG.integers(0, n, size=(n_boot, n))
    means = data[idx].mean(axis=1)
    return means.mean(), means.std(ddof=1)


def make_langevin(seed):
    rng = np.random.default_rng(seed)

    def step(theta, x, y, lr=0.01, temp=1.0):
        grad = x.T @ (x @ theta - y) / len(y)
        noise = rng.normal(0.0, np.sqrt(2 * lr * temp), size=theta.shape)
        return theta - lr * grad + noise

    return step, rng


def perturb(x, scale=0.1, rng=np.random.default_rng(21)):
    return x + scale * rng.standard_normal(x.shape) + rng.integers(3)


def epsilon_greedy(q, eps):
    n_states, n_actions = q.shape
    greedy = np.argmax(q, axis=1)
    explore = np.random.random(n_states) < eps
    random_actions = np.random.randint(0, n_actions, size=n_states)
    return np.where(explore, random_actions, greedy)


def epsilon_greedy_one(q_row, eps):
    if np.random.rand() < eps:
        return np.random.randint(len(q_row))
    return int(np.argmax(q_row))


def sgd_epoch(w, X, y, rng, lr=0.1, batch=4):
    perm = rng.permutation(X.shape[0])
    X, y = X[perm], y[perm]
    for i in range(0, X.shape[0], batch):
        xb, yb = X[i:i + batch], y[i:i + batch]
        w = w - lr * xb.T @ (xb @ w - yb) / len(yb)
    return w


def minibatches_by_shuffled_index(X, batch_size=3):
    idx = np.arange(X.shape[0])
    np.random.shuffle(idx)
    return [X[idx[i:i + batch_size]].mean(axis=0) for i in range(0, len(idx), batch_size)]


def shuffle_rows_in_place(X):
    LEGACY.shuffle(X)


def augment(images):
    flip = LEGACY.rand(images.shape[0]) < 0.5
    out = np.where(flip[:, None, None], images[:, :, ::-1], images)
    out = out + LEGACY.normal(0, 0.05, size=out.shape)
    return out.astype(np.float32)


def noisy_relu(x, sigma):
    return np.maximum(x + sigma * np.random.standard_normal(x.shape), 0.0)


def poisson_counts(rates, exposure):
    lam = rates * exposure
    return np.random.poisson(lam), RNG.poisson(lam, size=(2,) + lam.shape)


def thompson_sample(alpha, beta):
    theta = np.random.beta(alpha, beta)
    return np.argmax(theta), theta


def mixture_sample(weights, mu, n):
    comp = RNG.choice(len(weights), size=n, p=weights)
    return mu[comp] + RNG.standard_normal(n)


def gaussian_process_prior(x, length=1.0):
    k = np.exp(-0.5 * (x[:, None] - x[None, :]) ** 2 / length ** 2) + 1e-9 * np.eye(len(x))
    return RNG.multivariate_normal(np.zeros(len(x)), k, size=2, method="cholesky")


# ----------------------------------------------------------------------------- the tests


def test_dropout_in_an_mlp_forward():
    w1, b1, w2 = _data(4, 6, seed=1), _data(6, seed=2), _data(6, 2, seed=3)
    calls = [(_data(5, 4, seed=4), w1, b1, w2), (_data(5, 4, seed=5), w1, b1, w2, 0.2),
             (_data(7, 4, seed=6), w1, b1, w2)]
    np.random.seed(0)
    same_as_numpy(mlp_dropout, calls)


def test_monte_carlo_pi_from_a_module_generator():
    jf = tracenp.jit(estimate_pi, static_argnums=0)
    same_as_numpy(estimate_pi, [(1000,), (1000,), (3000,)], gen=RNG, jitted=jf)


def test_random_walk_loop():
    jf = tracenp.jit(random_walk, static_argnums=1)
    np.random.seed(1)
    same_as_numpy(random_walk, [(np.zeros(3), 5), (np.ones(3), 5), (np.zeros((2, 2)), 4)],
                  jitted=jf)


def test_bootstrap_mean():
    same_as_numpy(bootstrap_mean, [(_data(20),), (_data(20, seed=1),), (_data(9, 3),)],
                  gen=RNG, exact=False)


def test_noisy_gradient_descent_from_a_closure_generator():
    step, rng = make_langevin(3)
    x, y = _data(8, 3), _data(8, seed=1)
    calls = [(np.zeros(3), x, y), (_data(3, seed=2), x, y, 0.05, 0.5),
             (np.zeros(2), _data(5, 2), _data(5, seed=3))]
    same_as_numpy(step, calls, gen=rng)


def test_a_generator_as_a_default_argument():
    rng = perturb.__defaults__[-1]
    same_as_numpy(perturb, [(_data(3),), (_data(3, seed=1), 0.5), (_data(2, 2),)], gen=rng)


def test_epsilon_greedy_over_states():
    calls = [(_data(6, 3), 0.3), (_data(6, 3, seed=1), 0.9), (_data(4, 5), 0.5)]
    np.random.seed(2)
    same_as_numpy(epsilon_greedy, calls)


def test_epsilon_greedy_branch_on_a_draw_is_refused_by_name_and_falls_back():
    q = _data(4)
    with pytest.raises(ConcretizationError):
        tracenp.jit(epsilon_greedy_one)(q, 0.5)
    jf = tracenp.jit(epsilon_greedy_one, fallback=True)
    np.random.seed(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TracingFallbackWarning)
        same_as_numpy(epsilon_greedy_one, [(q, 0.5), (q, 0.5), (_data(6), 0.9)], jitted=jf)


def test_minibatch_shuffle_from_a_generator_argument():
    rng = np.random.default_rng(11)
    X, y = _data(8, 3), _data(8, seed=1)
    calls = [(np.zeros(3), X, y, rng), (np.ones(3), X, y, rng),
             (np.zeros(2), _data(6, 2), _data(6, seed=2), rng)]
    jf = same_as_numpy(sgd_epoch, calls, gen=rng, exact=False)  # products: tracenp's sums
    assert jf.cache_info().misses == 2  # one trace per shape, the generator passed each time
    legacy = np.random.RandomState(5)
    same_as_numpy(sgd_epoch, [(np.zeros(3), X, y, legacy)], gen=legacy, exact=False)


def test_shuffled_index_of_minibatches():
    np.random.seed(4)
    same_as_numpy(minibatches_by_shuffled_index, [(_data(7, 2),), (_data(7, 2, seed=1),),
                                                  (_data(5, 3),)])


def test_shuffle_writes_the_argument_in_place():
    same_as_numpy(shuffle_rows_in_place, [(_data(6, 2),), (_data(6, 2, seed=1),), (_data(4),)],
                  gen=LEGACY)


def test_data_augmentation_float32_from_a_module_random_state():
    calls = [(_data(3, 4, 5, dtype=np.float32),), (_data(3, 4, 5, seed=1, dtype=np.float32),),
             (_data(2, 3, 3, dtype=np.float32),)]
    same_as_numpy(augment, calls, gen=LEGACY)


def test_traced_parameters_of_draws():
    np.random.seed(5)
    same_as_numpy(noisy_relu, [(_data(4), 0.1), (_data(4, seed=1), 2.0), (_data(2, 3), 0.5)])
    rates = np.abs(_data(3)) * 10
    same_as_numpy(poisson_counts, [(rates, 2.0), (rates, 0.5), (np.abs(_data(2, 2)), 1.0)],
                  gen=(None, RNG))
    alpha, beta = np.abs(_data(4)) + 1, np.abs(_data(4, seed=1)) + 1
    same_as_numpy(thompson_sample, [(alpha, beta), (beta, alpha), (alpha[:2], beta[:2])])
    jf = tracenp.jit(mixture_sample, static_argnums=2)
    w = np.array([0.2, 0.5, 0.3])
    same_as_numpy(mixture_sample, [(w, _data(3), 5), (w[::-1].copy(), _data(3), 5),
                                   (np.array([0.5, 0.5]), _data(2), 3)], gen=RNG, jitted=jf)
    same_as_numpy(gaussian_process_prior, [(np.linspace(0, 1, 4),), (np.linspace(0, 2, 4),),
                                           (np.linspace(0, 1, 3), 0.5)], gen=RNG,
                  exact=False)  # exp of distances: NumPy's is the C library's without AVX-512


def _wright_fisher_multinomial(rng, counts, generations=4):
    for _ in range(generations):
        counts = rng.multinomial(counts.sum(), counts / counts.sum())
    return counts, rng.hypergeometric(counts, 20 - counts, 3)


def test_multinomial_and_hypergeometric_of_traced_parameters():
    """Wright-Fisher drift by `rng.multinomial(n, counts / counts.sum())` and
    `rng.hypergeometric(good, bad, k)` of traced counts were refused: the trace-time probe
    stood in probabilities summing past 1 and counts below the sample. NumPy's draws, and its
    ValueError when the function runs with probabilities that sum past 1."""
    rng = np.random.default_rng(3)
    same_as_numpy(_wright_fisher_multinomial, [(rng, np.array([3, 5, 2, 6])),
                                               (rng, np.array([1, 1, 8, 4]))], gen=rng)
    with pytest.raises(ValueError):
        tracenp.jit(lambda g, p: g.multinomial(5, p))(rng, np.array([0.7, 0.6, 0.1]))


def test_draws_whose_parameters_refuse_the_first_stand_ins_and_sizes_given_as_arrays():
    """zipf's traced `a`, triangular's traced bounds around a constant mode, colours that
    must hold the sample, and a size given as an array (`np.array(x.shape) // 2`): refused
    until the trace-time probe tried larger stand-ins, and took the array, as NumPy does."""
    rng = np.random.default_rng(3)
    same_as_numpy(lambda g, a: g.zipf(a, size=3), [(rng, 2.0), (rng, np.array([2.0, 3, 4]))],
                  gen=rng)
    same_as_numpy(lambda g, lo, hi: g.triangular(lo, 5.0, hi, size=3),
                  [(rng, 1.0, 11.0), (rng, np.array([1.0, 2, 3]), np.array([11.0, 12, 13]))],
                  gen=rng)
    same_as_numpy(lambda g, c: g.multivariate_hypergeometric(c, 6),
                  [(rng, np.array([13, 13, 13, 13])), (rng, np.array([4, 9, 2]))], gen=rng)
    same_as_numpy(lambda g, x: x[:2, :3] + g.standard_normal(np.array(x.shape) // 2),
                  [(rng, _data(4, 6)), (rng, _data(4, 6, seed=1))], gen=rng)


GLOBAL_METHODS = {
    "rand": lambda x: x + np.random.rand(*x.shape),
    "rand_scalar": lambda x: x * np.random.rand(),
    "randn": lambda x: x + np.random.randn(*x.shape),
    "random": lambda x: x + np.random.random(x.shape),
    "random_sample": lambda x: x + np.random.random_sample(size=x.shape),
    "uniform": lambda x: np.random.uniform(-1, 1, x.shape) * x,
    "uniform_traced": lambda x: np.random.uniform(x, x + 1),
    "normal": lambda x: np.random.normal(2.0, 0.5, size=x.shape) + x,
    "normal_traced": lambda x: np.random.normal(x, np.abs(x) + 0.1),
    "randint": lambda x: np.random.randint(0, 10, size=x.shape) + x,
    "randint_scalar": lambda x: x + np.random.randint(5),
    "choice": lambda x: np.random.choice(5, size=x.shape, replace=True) * x,
    "choice_array": lambda x: np.random.choice(x.reshape(-1), size=3),
    "choice_p": lambda x: np.random.choice(3, size=4, p=[0.1, 0.6, 0.3]) + x.flat[0],
    "permutation": lambda x: np.random.permutation(x),
    "permutation_n": lambda x: x[np.random.permutation(len(x))],
    "shuffle": lambda x: (np.random.shuffle(x), x * 2)[1],
    "binomial": lambda x: np.random.binomial(1, 0.3, size=x.shape) * x,
    "binomial_traced": lambda x: np.random.binomial(10, 1 / (1 + np.exp(-x))),
    "poisson": lambda x: np.random.poisson(3.0, size=x.shape) + x,
    "exponential": lambda x: np.random.exponential(2.0, size=x.shape) * x,
    "exponential_traced": lambda x: np.random.exponential(np.abs(x) + 1),
    "standard_normal": lambda x: np.random.standard_normal(x.shape) + x,
    "beta": lambda x: np.random.beta(2.0, 3.0, size=x.shape) + x,
    "gamma": lambda x: np.random.gamma(2.0, 1.5, size=x.shape) * x,
    "gamma_traced": lambda x: np.random.gamma(np.abs(x) + 0.5),
    "seed_inside": lambda x: (np.random.seed(3), x + np.random.rand(*x.shape))[1],
}


@pytest.mark.parametrize("name", list(GLOBAL_METHODS))
def test_global_state_methods(name):
    fn = GLOBAL_METHODS[name]
    np.random.seed(6)
    same_as_numpy(fn, [(_data(5),), (_data(5, seed=1),), (_data(3, 2),)])


def _permuted(x):
    return RNG.permuted(x, axis=-1) + RNG.permuted(x)


GENERATOR_METHODS = {
    "random": lambda x: x + RNG.random(x.shape),
    "random_scalar": lambda x: x * RNG.random(),
    "random_float32": lambda x: x.astype(np.float32) + RNG.random(x.shape, dtype=np.float32),
    "normal": lambda x: RNG.normal(1.0, 2.0, size=x.shape) + x,
    "normal_scalar": lambda x: x + RNG.normal(),
    "standard_normal": lambda x: RNG.standard_normal(x.shape) + x,
    "uniform": lambda x: RNG.uniform(low=-2, high=2, size=x.shape) * x,
    "integers": lambda x: RNG.integers(0, 10, size=x.shape) + x,
    "integers_scalar": lambda x: x + RNG.integers(10),
    "integers_int32": lambda x: RNG.integers(-5, 5, size=x.shape, dtype=np.int32),
    "choice": lambda x: RNG.choice(x, size=2, replace=False),
    "choice_n": lambda x: RNG.choice(4, size=x.shape) * x,
    "choice_traced_p": lambda x: RNG.choice(x.size, size=3,
                                            p=np.abs(x.ravel()) / np.abs(x).sum()),
    "permutation": lambda x: RNG.permutation(x),
    "shuffle": lambda x: (RNG.shuffle(x), x * 2)[1],
    "permuted": _permuted,
    "binomial": lambda x: RNG.binomial(5, 0.5, size=x.shape) * x,
    "poisson": lambda x: RNG.poisson(np.abs(x) * 3),
    "exponential": lambda x: RNG.exponential(scale=2.0, size=x.shape) + x,
    "multivariate_normal": lambda x: RNG.multivariate_normal(x[:2].reshape(-1)[:2],
                                                             np.eye(2), size=3),
}


@pytest.mark.parametrize("name", list(GENERATOR_METHODS))
def test_generator_methods(name):
    same_as_numpy(GENERATOR_METHODS[name], [(_data(5),), (_data(5, seed=1),), (_data(3, 4),)],
                  gen=RNG)


# ----------------------------------------------------------------------------- effects


def test_two_equal_draws_are_two_draws():
    def two(x):
        return np.random.rand(*x.shape) - np.random.rand(*x.shape) + x

    np.random.seed(7)
    jf = same_as_numpy(two, [(np.zeros(4),), (np.zeros(4),), (np.zeros(3),)])
    assert np.all(jf(np.zeros(4)) != 0)
    assert sum(n.op is Op.DRAW for n in jf.graph(np.zeros(4)).nodes()) == 2


def test_an_unused_draw_still_advances_the_generator():
    def wasteful(x):
        RNG.normal(size=10)
        np.random.rand(3)
        return x + 1

    same_as_numpy(wasteful, [(np.zeros(2),), (np.zeros(2),)], gen=RNG)
    np.random.seed(8)
    same_as_numpy(wasteful, [(np.zeros(2),), (np.zeros(3),)])


def test_draws_differ_between_calls_and_a_cached_call_does_not_retrace():
    def noise(x):
        return x + RNG.standard_normal(x.shape)

    jf = tracenp.jit(noise)
    x = np.zeros(3)
    start = _save(RNG)
    want = [noise(x) for _ in range(3)]
    _restore(RNG, start)
    got = [jf(x) for _ in range(3)]
    for g, w in zip(got, want):
        assert_identical(g, w)
    assert not np.array_equal(got[0], got[1])
    assert jf.cache_info().misses == 1 and jf.cache_info().hits == 2


def test_rebinding_a_global_generator_is_seen_at_the_next_call():
    jf = tracenp.jit(lambda x: x + RNG.random(x.shape))
    global RNG
    saved = RNG
    try:
        x = np.zeros(3)
        jf(x)
        RNG = np.random.default_rng(99)
        assert_identical(jf(x), np.random.default_rng(99).random(3))
    finally:
        RNG = saved


def test_a_generator_rebound_to_another_type_is_a_clear_error():
    jf = tracenp.jit(lambda x: x + RNG.random(x.shape))
    global RNG
    saved = RNG
    rs = np.random.RandomState(3)

    def closure():
        return tracenp.jit(lambda x: x + rs.random_sample(x.shape))

    try:
        x = np.zeros(3)
        jf(x)
        RNG = None
        with pytest.raises(TypeError, match="global 'RNG', a Generator when it was traced"):
            jf(x)
        jc = closure()
        jc(x)
        rs = 1.0
        with pytest.raises(TypeError, match="closure variable 'rs', a RandomState"):
            jc(x)
    finally:
        RNG = saved


def test_a_generator_seeded_inside_still_draws_the_same_numbers_each_call():
    def f(x):
        rng = np.random.default_rng(0)
        return x + rng.normal(size=x.shape)

    jf = tracenp.jit(f)
    x = np.zeros(3)
    assert_identical(jf(x), f(x))
    assert_identical(jf(x), f(x))


def test_a_generator_seeded_inside_draws_at_call_time_once_its_parameters_are_traced():
    """A chain binomial from a generator seeded inside: `binomial(S, p)` of traced values
    uses as many numbers as the values need, so from that draw on the generator draws when
    the function runs, from its state then, each call afresh (it was refused)."""
    def f(S, p):
        rng = np.random.default_rng(7)
        first = rng.normal(size=2)
        infected = rng.binomial(S, p)
        return first, infected, rng.poisson(S * p), rng.normal(p, 1.0), rng.random(2)

    jf = tracenp.jit(f)
    S = np.array([10, 20, 30])
    for p in (np.array([0.1, 0.5, 0.9]), np.array([0.7, 0.2, 0.4]), np.array([0.1, 0.5, 0.9])):
        assert_identical(jf(S, p), f(S, p))


def test_the_reference_backend_draws_the_same():
    def f(x):
        return x * np.random.binomial(1, 0.5, size=x.shape) + RNG.normal(size=x.shape)

    np.random.seed(9)
    same_as_numpy(f, [(_data(4),), (_data(2, 2),)], gen=(None, RNG),
                  jitted=tracenp.jit(f, mode="FAST_COMPILE"))


# ----------------------------------------------------------------------------- gradients


def test_grad_of_a_loss_with_dropout_matches_the_hand_written_backward():
    x, y = _data(6, 4), _data(6, 2, seed=1)
    w1, w2 = _data(4, 5, seed=2), _data(5, 2, seed=3)

    def loss(w1, w2, x, y):
        h = np.maximum(x @ w1, 0)
        h = h * (np.random.rand(*h.shape) < 0.7) / 0.7
        return 0.5 * np.sum((h @ w2 - y) ** 2)

    np.random.seed(10)
    mask = (np.random.rand(6, 5) < 0.7) / 0.7
    pre = x @ w1
    h = np.maximum(pre, 0) * mask
    r = h @ w2 - y
    dh = r @ w2.T * mask * (pre > 0)
    want = (x.T @ dh, h.T @ r)
    after = _state(None)
    np.random.seed(10)
    got = tracenp.grad(loss, argnums=(0, 1))(w1, w2, x, y)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)
    assert _state(None) == after


def test_grad_through_normal_uniform_exponential_is_the_reparameterisation():
    def loss(mu, sigma):
        return np.sum(RNG.normal(mu, sigma, size=4) ** 2) + np.sum(RNG.normal(2.0, sigma))

    start = _save(RNG)
    z, z2 = RNG.standard_normal(4), RNG.standard_normal()
    _restore(RNG, start)
    mu, sigma = 0.5, 2.0
    g_mu, g_sigma = tracenp.grad(loss, argnums=(0, 1))(mu, sigma)
    np.testing.assert_allclose([g_mu, g_sigma], [np.sum(2 * (mu + sigma * z)),
                                                 np.sum(2 * (mu + sigma * z) * z) + z2],
                               rtol=1e-12)

    def spread(lo, hi, scale):
        return np.sum(np.random.uniform(lo, hi, size=3) * np.random.exponential(scale, 3))

    np.random.seed(12)
    u, e = np.random.random_sample(3), np.random.standard_exponential(3)
    np.random.seed(12)
    got = tracenp.grad(spread, argnums=(0, 1, 2))(1.0, np.array([3.0, 4.0, 5.0]), 2.0)
    hi = np.array([3.0, 4.0, 5.0])
    want = (np.sum((1 - u) * 2 * e), u * 2 * e, np.sum((1 + (hi - 1) * u) * e))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)


def test_grad_through_other_draws_is_refused_by_name():
    def loss(k):
        return np.sum(np.random.gamma(k, size=3))

    with pytest.raises(UnsupportedFunctionError, match="gamma"):
        tracenp.grad(loss)(np.array([2.0, 3.0, 4.0]))


# ----------------------------------------------------------------------------- refusals


class _Model:
    def __init__(self):
        self.rng = np.random.default_rng(0)

    def noisy(self, x):
        return x + self.rng.normal(size=x.shape)


MODEL = _Model()  # its generator is reached through an attribute: tracenp cannot follow it
CONFIG = {"rng": np.random.default_rng(3)}  # ... or through a container
LEGACY_HOLDER = _Model()
LEGACY_HOLDER.rng = np.random.RandomState(5)


REFUSED = {
    "get_state": (lambda x: x + np.random.get_state()[2], RandomInTraceError),
    "bytes": (lambda x: x + len(RNG.bytes(4)), RandomInTraceError),
    "entropy_inside": (lambda x: x + np.random.default_rng().random(), RandomInTraceError),
    "unseeded_random_state": (lambda x: x + np.random.RandomState().rand(*x.shape),
                              RandomInTraceError),
    "attribute_generator": (lambda x: MODEL.noisy(x), RandomInTraceError),
    "attribute_scalar_draw": (lambda x: x + MODEL.rng.random(), RandomInTraceError),
    "container_scalar_draw": (lambda x: x * CONFIG["rng"].uniform(), RandomInTraceError),
    "attribute_random_state_scalar": (lambda x: x - LEGACY_HOLDER.rng.rand(),
                                      RandomInTraceError),
    "shuffle_list": (lambda x: (np.random.shuffle([1, 2, 3]), x)[1], RandomInTraceError),
    "traced_seed": (lambda x: (np.random.seed(x.argmax()), x)[1], RandomInTraceError),
    "bad_scale": (lambda x: x + np.random.normal(0, -1.0, size=x.shape), ValueError),
    "out": (lambda x: (RNG.standard_normal(out=x), x)[1], UnsupportedFunctionError),
}


def test_a_python_int_size_of_a_draw_is_static():
    """`np.random.rand(n)` of a Python int argument: `n` is made static and the draws happen
    at call time, NumPy's for the same seed (it was refused)."""
    f = tracenp.jit(lambda x, n: x.sum() + np.random.rand(n).sum())
    x = _data(3)
    for n in (4, 4, 6):
        np.random.seed(7)
        want = x.sum() + np.random.rand(n).sum()
        np.random.seed(7)
        np.testing.assert_allclose(f(x, n), want, rtol=1e-12)


@pytest.mark.parametrize("name", list(REFUSED))
def test_draws_that_cannot_happen_at_call_time_are_refused(name):
    fn, error = REFUSED[name]
    args = (_data(3),) + ((4,) if fn.__code__.co_argcount == 2 else ())
    with pytest.raises(error):
        tracenp.jit(fn)(*args)


@pytest.mark.parametrize("name, gen", [("attribute_scalar_draw", MODEL.rng),
                                       ("container_scalar_draw", CONFIG["rng"]),
                                       ("attribute_random_state_scalar", LEGACY_HOLDER.rng)])
def test_a_refused_trace_leaves_the_generator_as_it_was(name, gen):
    """A scalar draw creates no array, so it is found afterwards, by the generator's state:
    the refusal puts that state back, so the next draw outside is the one NumPy would make."""
    before = _state(gen)
    with pytest.raises(RandomInTraceError, match="through an object or a container"):
        tracenp.jit(REFUSED[name][0])(_data(3))
    assert _state(gen) == before


class _Layer:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.w = _data(3, seed=seed)

    @tracenp.jit
    def noisy(self, x):
        return x * self.w + self.rng.random() + self.rng.normal(size=x.shape)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_jitted_method_draws_from_its_instance_generator_at_each_call(seed):
    """`self.rng` of a jitted method draws at each call, as in NumPy; the compiled function
    is keyed by the instance's generator object, so another instance draws from its own."""
    layer = _Layer(seed)
    eager = _Layer(seed)
    for _ in range(3):
        got = layer.noisy(_data(3))
        want = _Layer.noisy.__wrapped__(eager, _data(3))
        assert_identical(got, want)
        assert _state(layer.rng) == _state(eager.rng)


def test_refused_draws_run_eagerly_under_fallback():
    fn = REFUSED["attribute_generator"][0]
    with pytest.warns(TracingFallbackWarning):
        same_as_numpy(fn, [(np.zeros(3),), (np.zeros(3),)], gen=MODEL.rng,
                      jitted=tracenp.jit(fn, fallback=True))


def test_dask_arrays_refuse_draws_by_name():
    da = pytest.importorskip("dask.array")
    f = tracenp.jit(lambda x: x + np.random.normal(size=x.shape))
    with pytest.raises(UnsupportedFunctionError, match="draws random numbers"):
        f(da.ones((4, 4), chunks=2))


_ZEROS = np.zeros(3)
_INNER = tracenp.jit(lambda x: x + np.random.rand(3))


def _outer_inlines(x):
    return x * _INNER(x)


def _outer_runs_inner_now(x):
    return x * _INNER(_ZEROS)


def test_a_jitted_function_that_draws_inside_another():
    """Called on traced values it is inlined (its draws join the outer ones); called on an
    array from outside it would run while the outer one is traced, drawing once: refused."""
    np.random.seed(13)
    same_as_numpy(_outer_inlines, [(_data(3),), (_data(3, seed=1),)])
    with pytest.raises(RandomInTraceError):
        tracenp.jit(_outer_runs_inner_now)(np.ones(3))


def test_a_new_generator_argument_each_call_is_one_trace():
    """`f(x, np.random.default_rng(seed))` with a new generator each call draws from the one
    passed, bit for bit as NumPy, from one trace: the cache is keyed by the generator's kind,
    not by the object (it retraced for each one)."""
    def noisy(x, rng):
        return x + rng.standard_normal(x.shape) * rng.uniform()

    jf = tracenp.jit(noisy)
    for seed in (1, 2, 3, 2):
        want_rng, got_rng = np.random.default_rng(seed), np.random.default_rng(seed)
        np.testing.assert_array_equal(jf(np.ones(3), got_rng), noisy(np.ones(3), want_rng))
        assert got_rng.random() == want_rng.random()
    assert jf.cache_info().misses == 1
    jf(np.ones(3), np.random.Generator(np.random.MT19937(0)))  # another bit generator: traced
    assert jf.cache_info().misses == 2


def test_one_generator_passed_twice_is_another_trace():
    """Two arguments that are one generator draw in one order; two generators each from its
    own: each is its own trace, NumPy's numbers both ways."""
    def two(a, b):
        return a.random(2), b.random(2), a.random()

    jf = tracenp.jit(two)
    for same in (False, True, False):
        want = (np.random.default_rng(5),) * 2 if same else \
            (np.random.default_rng(5), np.random.default_rng(6))
        got = (np.random.default_rng(5),) * 2 if same else \
            (np.random.default_rng(5), np.random.default_rng(6))
        for g, w in zip(jf(*got), two(*want)):
            np.testing.assert_array_equal(g, w)
    assert jf.cache_info().misses == 2


def test_a_refused_function_of_a_new_generator_each_call_warns_once():
    """Under fallback=True, a function refused for a construct warns once and is not traced
    again for a new generator of the same kind (it retraced and warned again each call)."""
    def branchy(x, rng):
        return x if rng.random() > 0.5 else -x

    jf = tracenp.jit(branchy, fallback=True)
    with pytest.warns(TracingFallbackWarning):
        jf(np.ones(2), np.random.default_rng(0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for seed in (1, 2):
            np.testing.assert_array_equal(jf(np.ones(2), np.random.default_rng(seed)),
                                          branchy(np.ones(2), np.random.default_rng(seed)))
    assert jf.cache_info().misses == 1


def _seed_or_generator(x, seed):
    rng = np.random.default_rng(seed)  # "an int, None or a Generator", as libraries take it
    return x + rng.random(x.shape), rng.integers(0, 9, 2)


def test_default_rng_of_a_generator_argument_is_that_generator():
    f = tracenp.jit(_seed_or_generator)
    for seed in (1, 2):
        got, want = f(np.zeros(3), np.random.default_rng(seed)), \
            _seed_or_generator(np.zeros(3), np.random.default_rng(seed))
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)


def _step_returning_rng(x, rng):
    return x + rng.standard_normal(x.shape), rng


def test_a_returned_generator_argument_is_the_callers_object():
    f = tracenp.jit(_step_returning_rng)
    for seed in (1, 2):
        mine, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        y, back = f(np.zeros(2), mine)
        np.testing.assert_array_equal(y, _step_returning_rng(np.zeros(2), theirs)[0])
        assert back is mine
        np.testing.assert_array_equal(back.random(2), theirs.random(2))


def _bit_generators(x, seed=7):
    a = np.random.Generator(np.random.PCG64(seed))
    b = np.random.Generator(np.random.MT19937(seed))
    c = np.random.default_rng(np.random.Philox(seed))
    return (x + a.random(x.shape), x * b.standard_normal(x.shape), c.integers(0, 5, 3),
            isinstance(a, np.random.Generator))


def test_generators_of_bit_generators_made_from_a_seed_draw_numpys_constants():
    f = tracenp.jit(_bit_generators)
    for args in ((np.ones(3),), (np.ones(3), 11)):
        for g, w in zip(f(*args), _bit_generators(*args)):
            np.testing.assert_array_equal(g, w)


def test_a_generator_of_an_unseeded_bit_generator_and_a_returned_seeded_one_are_refused():
    with pytest.raises(RandomInTraceError):
        tracenp.jit(lambda x: x + np.random.Generator(np.random.PCG64()).random(3))(np.ones(3))
    with pytest.raises(UnsupportedFunctionError, match="generator made inside"):
        tracenp.jit(lambda x: (x, np.random.default_rng(0)))(np.ones(3))


def _copies_a_seeded_generator(x):
    import copy

    rng = np.random.default_rng(3)
    twin = copy.deepcopy(rng)  # scipy.stats.qmc copies the generator it made from a seed
    return x + rng.random(3) - twin.random(3), copy.copy(twin).integers(0, 9, 2)


def test_a_copy_of_a_generator_made_from_a_seed_draws_the_same_constants():
    got, want = tracenp.jit(_copies_a_seeded_generator)(np.ones(3)), \
        _copies_a_seeded_generator(np.ones(3))
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
