"""Corpus, hunt BA: metaheuristics and black-box optimisation as course code, DEAP/pymoo-free
tutorials and blog posts write them, with a seeded `np.random.Generator` (or a seed) argument.

Benchmark functions over a population (Rastrigin by a loop over the dimensions and by a list
comprehension of per-vector functions, Rosenbrock by slices and by `np.apply_along_axis`,
Ackley with `np.e`, Griewank by `np.prod`, Schwefel, Sphere summed in float32, Himmelblau by
column unpacking, Levy, Michalewicz, Zakharov, Dixon-Price, Eggholder, Easom, a shifted and
rotated Rastrigin, penalties for constraints and for leaving the box, a dict of lambdas,
an antenna array's side-lobe level by complex exponentials and an FIR filter's response by
`np.fft.rfft`); genetic algorithms (tournament selection by `rng.integers` and `argmin`/
`argmax`, roulette selection by `cumsum` and `searchsorted`, stochastic universal sampling,
rank selection by a double `argsort` and `rng.choice(p=)`, single- and two-point crossover
with masks from `np.arange`, uniform, BLX-alpha, SBX and arithmetic crossover, Gaussian,
polynomial, bit-flip and creep mutation on float, bool, int and int32 genomes written in
place, binary and Gray decoding, OneMax, float32, elitist and steady-state GAs, fitness
sharing, a state dict updated in place, `default_rng(seed)` of a Generator argument);
differential evolution (rand/1/bin with index draws by offsets and per individual, best/1,
current-to-best/1, jDE, rand/2/exp, bounds by clipping, reflection, reinitialisation and
midpoints, greedy replacement by masks, a history dict); particle swarms (global and ring
bests, inertia schedules, constriction, velocity clamping, a state dict, float32 draws) and
their relatives (grey wolf, whale, firefly, cuckoo search with Levy flights by
`scipy.special.gamma`, artificial bee colony, harmony search, binary PSO by
`scipy.special.expit`); evolution strategies ((1+1)-ES with the 1/5th rule, (mu, lambda),
(mu + lambda), self-adaptation, CMA-ES by `np.linalg.eigh` with and without evolution paths,
sampling by `scipy.linalg.eigh` and `cholesky`, OpenAI-ES and NES, the cross-entropy method
with diagonal and full covariances); simulated annealing (acceptance by `np.where` on draws,
parallel chains, per-step traces, `Generator(PCG64(seed))` made inside), threshold accepting,
hill climbing, random and grid search; Nelder-Mead with a fixed iteration count; Latin
hypercubes by permutations, by `argsort` and by `scipy.stats.qmc`, maximin designs, Halton
points; multi-objective tools (ZDT1, DTLZ2, non-dominated masks by broadcasting and loops,
peeled ranks, SPEA2 strengths, crowding distances, NSGA-II survival by `lexsort`, 2-D
hypervolumes, scalarisations, IGD, a MOEA/D step); knapsack and TSP encodings (penalties,
greedy repair by `cumsum`, random keys, tour lengths by `np.roll`, loops and fancy indexing,
nearest-neighbour tours, 2-opt gains, swap and inversion mutations, QAP by `np.ix_`, ant
colony tours with `np.add.at`).

Same protocol as `test_corpus.py`: each function is called twice with new data of one shape
and once with another shape under `tracenp.jit`, and must match eager NumPy in value and
dtype, and in the arguments it writes in place (a generator passed in draws NumPy's
numbers). Bit counts, population sizes, dimensions, generation counts, budgets and seeds
given positionally are made static; the forms whose Python or shapes depend on array values
(`while` until a tolerance, an `if` on an acceptance draw or on a better fitness, DE's
`while r1 == i`, the Pareto front by a mask, `np.unique` rows, order crossover with `not
in`, early stopping, repair while overweight, a traced slice reversal, a roulette loop with
`return`, `sorted`/`max` keyed by fitness, a list population indexed by `np.argmin`, scipy's
LHS spawning a generator argument) raise a named error and run eagerly under
`fallback=True`.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import scipy.special
import scipy.stats
from test_corpus import _f, _i, check_like_numpy, check_refused, check_steered
from test_corpus_hunt_v import _names

import tracenp


def _u(seed, *shape):
    return np.random.default_rng(seed).random(shape)


def _rng(seed):
    return np.random.default_rng(seed)


def _pop(seed, n, d, lo=-5.12, hi=5.12):
    return np.random.default_rng(seed).uniform(lo, hi, (n, d))


# ============================================================================ test functions


def rastrigin_loop_dims(pop, A=10.0):
    # the course notebook: accumulate one dimension at a time
    n, d = pop.shape
    f = np.full(n, A * d)
    for j in range(d):
        f += pop[:, j] ** 2 - A * np.cos(2 * np.pi * pop[:, j])
    return f


def rastrigin_single(x):
    return 10 * len(x) + np.sum(x ** 2 - 10 * np.cos(2 * np.pi * x))


def rastrigin_list_comprehension(pop):
    # a per-vector objective evaluated individual by individual
    return np.array([rastrigin_single(ind) for ind in pop])


def rosenbrock_diff(pop):
    return np.sum(100 * (pop[:, 1:] - pop[:, :-1] ** 2) ** 2 + (1 - pop[:, :-1]) ** 2, axis=1)


def rosenbrock_single_loop(x):
    s = 0
    for i in range(len(x) - 1):
        s += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (x[i] - 1) ** 2
    return s


def rosenbrock_apply_along_axis(pop):
    return np.apply_along_axis(rosenbrock_single_loop, 1, pop)


def ackley_population(X):
    d = X.shape[1]
    term1 = -20 * np.exp(-0.2 * np.sqrt((X ** 2).sum(axis=1) / d))
    term2 = -np.exp(np.cos(2 * np.pi * X).sum(axis=1) / d)
    return term1 + term2 + 20 + np.e


def griewank_prod(X):
    d = X.shape[1]
    i = np.sqrt(np.arange(1, d + 1))
    return 1 + np.sum(X ** 2, axis=1) / 4000 - np.prod(np.cos(X / i), axis=1)


def schwefel_population(X):
    d = X.shape[-1]
    return 418.9829 * d - (X * np.sin(np.sqrt(np.abs(X)))).sum(-1)


def sphere_float32(pop):
    # float32 populations, as the GPU-minded tutorials keep them
    return np.sum(pop * pop, axis=1, dtype=np.float32)


def himmelblau_columns(P):
    x, y = P.T
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


def levy_population(X):
    w = 1 + (X - 1) / 4
    term1 = np.sin(np.pi * w[:, 0]) ** 2
    wi = w[:, :-1]
    term2 = np.sum((wi - 1) ** 2 * (1 + 10 * np.sin(np.pi * wi + 1) ** 2), axis=1)
    term3 = (w[:, -1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[:, -1]) ** 2)
    return term1 + term2 + term3


def michalewicz_broadcast(X, m=10):
    i = np.arange(1, X.shape[1] + 1)[None, :]
    return -np.sum(np.sin(X) * np.power(np.sin(i * X ** 2 / np.pi), 2 * m), axis=1)


def zakharov(X):
    i = np.arange(1, X.shape[1] + 1)
    s1 = np.sum(X ** 2, axis=1)
    s2 = np.sum(0.5 * i * X, axis=1)
    return s1 + s2 ** 2 + s2 ** 4


def dixon_price(X):
    i = np.arange(2, X.shape[1] + 1)
    return (X[:, 0] - 1) ** 2 + np.sum(i * (2 * X[:, 1:] ** 2 - X[:, :-1]) ** 2, axis=1)


def eggholder_easom(P):
    x, y = P[:, 0], P[:, 1]
    egg = -(y + 47) * np.sin(np.sqrt(np.abs(x / 2 + (y + 47)))) \
        - x * np.sin(np.sqrt(np.abs(x - (y + 47))))
    easom = -np.cos(x) * np.cos(y) * np.exp(-((x - np.pi) ** 2 + (y - np.pi) ** 2))
    return egg, easom


def shifted_rotated_rastrigin(X, shift, M):
    # CEC-style: z = M (x - o)
    Z = (X - shift) @ M.T
    return np.sum(Z ** 2 - 10 * np.cos(2 * np.pi * Z) + 10, axis=1)


def penalised_objective(X, lo, hi, rho=1e3):
    # static penalty for leaving the box and for g(x) = sum(x) - 1 <= 0
    f = np.sum(X ** 2, axis=1)
    viol = np.maximum(0, lo - X).sum(axis=1) + np.maximum(0, X - hi).sum(axis=1)
    g = np.maximum(0.0, X.sum(axis=1) - 1.0)
    feasible = (viol == 0) & (g == 0)
    return f + rho * (viol ** 2 + g ** 2), feasible


def benchmark_suite_dict(X):
    # a dict of lambdas, evaluated in a loop; the best index of each by argmin
    funcs = {
        "sphere": lambda x: np.sum(x ** 2, axis=1),
        "rastrigin": lambda x: 10 * x.shape[1] + np.sum(x ** 2 - 10 * np.cos(2 * np.pi * x), 1),
        "ackley": ackley_population,
        "griewank": griewank_prod,
    }
    out = {}
    for name, f in funcs.items():
        vals = f(X)
        out[name] = (vals.min(), int(np.argmin(vals)))
    return out


def rastrigin_int_grid(X):
    # integer lattice points (rng.integers populations) through the float formula
    return 10 * X.shape[1] + (X ** 2 - 10 * np.cos(2 * np.pi * X)).sum(axis=1)


def scaled_eval_unit_cube(U, lo, hi):
    # individuals live in [0, 1]^d, decoded to the box before the objective
    X = lo + U * (hi - lo)
    return X, np.sum(100.0 * (X[:, 1:] - X[:, :-1] ** 2) ** 2 + (1 - X[:, :-1]) ** 2, axis=1)


def antenna_sidelobe_level(w, theta, d=0.5):
    # PSO/GA antenna-array synthesis: the array factor by complex exponentials, the
    # peak side lobe in dB outside the main beam
    n = np.arange(len(w))
    AF = np.abs(np.exp(1j * 2 * np.pi * d * np.outer(np.cos(theta), n)) @ w)
    AFdb = 20 * np.log10(AF / AF.max())
    main_beam = np.abs(theta - np.pi / 2) < 0.2
    return np.max(np.where(main_beam, -np.inf, AFdb)), AFdb


def fir_design_fitness(h, n_fft=64, cutoff=0.2):
    # GA filter design: squared error of the magnitude response against an ideal low-pass
    H = np.fft.rfft(h, n_fft)
    f = np.fft.rfftfreq(n_fft)
    mag = np.abs(H)
    err = np.where(f < cutoff, (mag - 1) ** 2, mag ** 2)
    return err.sum(), np.unwrap(np.angle(H))


BENCH = {
    "rastrigin_loop_over_dims": (rastrigin_loop_dims, {}, lambda s, n: (_pop(s, 2 * n, 5),)),
    "rastrigin_list_comprehension": (rastrigin_list_comprehension, {}, lambda s, n: (
        _pop(s, n, 3),)),
    "rosenbrock_slices": (rosenbrock_diff, {}, lambda s, n: (_pop(s, 3 * n, 4, -2, 2),)),
    "rosenbrock_apply_along_axis": (rosenbrock_apply_along_axis, {}, lambda s, n: (
        _pop(s, n, 3, -2, 2),)),
    "ackley_np_e": (ackley_population, {}, lambda s, n: (_pop(s, 2 * n, 3, -32, 32),)),
    "griewank_prod_sqrt_index": (griewank_prod, {}, lambda s, n: (_pop(s, 2 * n, n, -600, 600),)),
    "schwefel_last_axis": (schwefel_population, {}, lambda s, n: (_pop(s, 2 * n, 4, -500, 500),)),
    "sphere_float32_sum_dtype": (sphere_float32, {}, lambda s, n: (
        _pop(s, 3 * n, 5).astype(np.float32),)),
    "himmelblau_transpose_unpack": (himmelblau_columns, {}, lambda s, n: (
        _pop(s, 3 * n, 2, -5, 5),)),
    "levy_population": (levy_population, {}, lambda s, n: (_pop(s, 2 * n, 4, -10, 10),)),
    "michalewicz_power": (michalewicz_broadcast, {}, lambda s, n: (_pop(s, 2 * n, 3, 0, np.pi),)),
    "zakharov": (zakharov, {}, lambda s, n: (_pop(s, 2 * n, n, -5, 10),)),
    "dixon_price": (dixon_price, {}, lambda s, n: (_pop(s, 2 * n, 4, -10, 10),)),
    "eggholder_easom": (eggholder_easom, {}, lambda s, n: (_pop(s, 3 * n, 2, -512, 512),)),
    "shifted_rotated_rastrigin": (shifted_rotated_rastrigin, {}, lambda s, n: (
        _pop(s, 2 * n, 3), _u(s + 1, 3) - 0.5, np.linalg.qr(_f(3, 3, seed=s + 2))[0])),
    "penalty_box_and_constraint": (penalised_objective, {}, lambda s, n: (
        _pop(s, 3 * n, 3, -1.5, 1.5), -1.0, 1.0)),
    "suite_dict_of_lambdas": (benchmark_suite_dict, {}, lambda s, n: (_pop(s, 2 * n, 3),)),
    "rastrigin_integer_population": (rastrigin_int_grid, {}, lambda s, n: (
        _rng(s).integers(-5, 6, (2 * n, 3)),)),
    "antenna_array_sidelobe_complex": (antenna_sidelobe_level, {}, lambda s, n: (
        _u(s, 2 * n) + 0.5, np.linspace(0, np.pi, 91))),
    "fir_filter_rfft_fitness": (fir_design_fitness, {}, lambda s, n: (_u(s, 2 * n + 1) / 5,)),
    "unit_cube_decoding": (scaled_eval_unit_cube, {}, lambda s, n: (
        _u(s, 2 * n, 3), np.array([-2.0, -1.0, -2.0]), np.array([2.0, 3.0, 2.0]))),
}


@pytest.mark.parametrize("name", _names(BENCH))
def test_benchmark_functions_match_numpy(name):
    """The standard test functions over a population, written by loops over dimensions,
    per-vector functions, slices, broadcasting, `np.prod`, float32 sums, penalties and a
    dict of lambdas."""
    check_like_numpy(*BENCH[name])


# ========================================================================= genetic algorithms


def tournament_selection(pop, fitness, rng, k=3):
    # k random contestants per slot, the fittest (minimisation) wins
    n = len(pop)
    idx = rng.integers(0, n, size=(n, k))
    winners = idx[np.arange(n), np.argmin(fitness[idx], axis=1)]
    return pop[winners], winners


def tournament_selection_loop(pop, fitness, rng, k=2):
    # one tournament at a time, the winner copied into a preallocated array
    n, d = pop.shape
    selected = np.empty_like(pop)
    for i in range(n):
        contestants = rng.integers(n, size=k)
        best = contestants[np.argmax(fitness[contestants])]
        selected[i] = pop[best]
    return selected


def roulette_selection(pop, fitness, rng):
    # fitness-proportional, the wheel by cumsum and searchsorted
    probs = fitness / fitness.sum()
    cum = np.cumsum(probs)
    r = rng.random(len(pop))
    idx = np.searchsorted(cum, r)
    return pop[idx]


def roulette_min_problem(pop, cost, rng):
    # minimisation: fitness as max - cost, then a wheel per spin
    fit = cost.max() - cost + 1e-12
    wheel = np.cumsum(fit) / fit.sum()
    picks = np.zeros(len(pop), dtype=int)
    for i in range(len(pop)):
        picks[i] = np.searchsorted(wheel, rng.random())
    return pop[picks], picks


def stochastic_universal_sampling(fitness, rng, n_select=4):
    cum = np.cumsum(fitness)
    step = cum[-1] / n_select
    start = rng.uniform(0, step)
    pointers = start + step * np.arange(n_select)
    return np.searchsorted(cum, pointers)


def rank_selection_probs(fitness, rng, s=1.7):
    # linear ranking: rank by a double argsort, Baker's probabilities
    n = len(fitness)
    ranks = np.argsort(np.argsort(fitness))
    p = (2 - s) / n + 2 * ranks * (s - 1) / (n * (n - 1))
    chosen = rng.choice(n, size=n, p=p)
    return p, chosen


def single_point_crossover(parents, rng, pc=0.9):
    # pairs of consecutive parents, the cut point per pair, masks from np.arange
    n, d = parents.shape
    p1, p2 = parents[0::2], parents[1::2]
    cuts = rng.integers(1, d, size=n // 2)
    mask = np.arange(d) < cuts[:, None]
    do = rng.random(n // 2) < pc
    mask = mask | ~do[:, None]
    c1 = np.where(mask, p1, p2)
    c2 = np.where(mask, p2, p1)
    return np.vstack([c1, c2])


def single_point_crossover_slices(p1, p2, rng):
    # the tutorial's per-pair loop with slice assignment and a drawn point
    children = np.empty((2 * len(p1), p1.shape[1]))
    for i in range(len(p1)):
        pt = rng.integers(1, p1.shape[1])
        child1 = np.concatenate((p1[i, :1], p2[i, 1:]))
        child2 = p2[i].copy()
        mask = np.arange(p1.shape[1]) >= pt
        child1 = np.where(mask, p2[i], p1[i])
        child2 = np.where(mask, p1[i], p2[i])
        children[2 * i] = child1
        children[2 * i + 1] = child2
    return children


def two_point_crossover(p1, p2, rng):
    n, d = p1.shape
    pts = np.sort(rng.integers(0, d + 1, size=(n, 2)), axis=1)
    j = np.arange(d)
    inside = (j >= pts[:, :1]) & (j < pts[:, 1:])
    return np.where(inside, p2, p1), np.where(inside, p1, p2)


def uniform_crossover_bool(p1, p2, rng):
    # bit strings as booleans, the swap mask a Bernoulli(0.5) draw
    swap = rng.random(p1.shape) < 0.5
    c1 = p1.copy()
    c2 = p2.copy()
    c1[swap] = p2[swap]
    c2[swap] = p1[swap]
    return c1, c2


def blend_crossover(p1, p2, rng, alpha=0.5):
    # BLX-alpha
    lo = np.minimum(p1, p2)
    hi = np.maximum(p1, p2)
    span = hi - lo
    return rng.uniform(lo - alpha * span, hi + alpha * span)


def sbx_crossover(p1, p2, rng, eta=15.0):
    # simulated binary crossover, beta by the two branches of u
    u = rng.random(p1.shape)
    beta = np.where(u <= 0.5, (2 * u) ** (1 / (eta + 1)), (1 / (2 * (1 - u))) ** (1 / (eta + 1)))
    c1 = 0.5 * ((1 + beta) * p1 + (1 - beta) * p2)
    c2 = 0.5 * ((1 - beta) * p1 + (1 + beta) * p2)
    return c1, c2


def arithmetic_crossover(parents, rng):
    a = rng.random((len(parents) // 2, 1))
    p1, p2 = parents[::2], parents[1::2]
    return np.concatenate([a * p1 + (1 - a) * p2, (1 - a) * p1 + a * p2])


def gaussian_mutation_inplace(pop, rng, rate=0.2, sigma=0.3, lo=-5.0, hi=5.0):
    # written in place, then clipped in place
    mask = rng.random(pop.shape) < rate
    pop[mask] += rng.normal(0, sigma, size=pop.shape)[mask]
    np.clip(pop, lo, hi, out=pop)
    return mask.sum()


def polynomial_mutation(X, lo, hi, rng, eta=20.0, pm=None):
    n, d = X.shape
    pm = 1.0 / d if pm is None else pm
    u = rng.random((n, d))
    delta1 = (X - lo) / (hi - lo)
    delta2 = (hi - X) / (hi - lo)
    mut_pow = 1.0 / (eta + 1.0)
    xy = np.where(u < 0.5, 1.0 - delta1, 1.0 - delta2)
    val = np.where(u < 0.5, 2.0 * u + (1.0 - 2.0 * u) * xy ** (eta + 1.0),
                   2.0 * (1.0 - u) + 2.0 * (u - 0.5) * xy ** (eta + 1.0))
    deltaq = np.where(u < 0.5, val ** mut_pow - 1.0, 1.0 - val ** mut_pow)
    do = rng.random((n, d)) < pm
    return np.clip(np.where(do, X + deltaq * (hi - lo), X), lo, hi)


def bitflip_mutation_xor(bits, rng, pm=0.05):
    flips = rng.random(bits.shape) < pm
    return np.logical_xor(bits, flips)


def bitflip_mutation_int(genomes, rng, pm=0.1):
    # 0/1 ints, flipped by 1 - g where a draw says so
    mask = rng.random(genomes.shape) < pm
    genomes[mask] = 1 - genomes[mask]
    return genomes


def decode_binary(bits, lo, hi, n_bits=8):
    # each variable is n_bits genes, decoded by powers of two
    n, L = bits.shape
    d = L // n_bits
    weights = 2 ** np.arange(n_bits)[::-1]
    ints = (bits.reshape(n, d, n_bits) * weights).sum(axis=2)
    return lo + ints / (2 ** n_bits - 1) * (hi - lo)


def onemax_ga(pop, rng, generations=4, pm=0.05):
    # the first GA of every course: bit strings, tournaments of two, uniform crossover
    n, L = pop.shape
    best_hist = np.zeros(generations, dtype=int)
    for g in range(generations):
        fit = pop.sum(axis=1)
        a = rng.integers(0, n, n)
        b = rng.integers(0, n, n)
        parents = np.where((fit[a] >= fit[b])[:, None], pop[a], pop[b])
        mates = parents[rng.permutation(n)]
        mask = rng.random((n, L)) < 0.5
        children = np.where(mask, parents, mates)
        flip = rng.random((n, L)) < pm
        pop = np.where(flip, 1 - children, children)
        best_hist[g] = fit.max()
    return pop, best_hist


def real_ga_elitism(pop, rng, generations=3, n_elite=2, sigma=0.2):
    # a real-coded GA on Rastrigin: elites by argsort kept, the rest by tournament + BLX
    n, d = pop.shape
    history = []
    for _ in range(generations):
        fit = rastrigin_loop_dims(pop)
        order = np.argsort(fit)
        elites = pop[order[:n_elite]]
        idx = rng.integers(0, n, size=(n - n_elite, 2))
        winners = np.where(fit[idx[:, 0]] < fit[idx[:, 1]], idx[:, 0], idx[:, 1])
        mates = pop[rng.integers(0, n, size=n - n_elite)]
        kids = blend_crossover(pop[winners], mates, rng, alpha=0.3)
        kids += sigma * rng.standard_normal(kids.shape)
        pop = np.vstack((elites, np.clip(kids, -5.12, 5.12)))
        history.append(fit[order[0]])
    return pop, np.array(history)


def steady_state_ga(pop, fit, rng, steps=5):
    # one child per step replaces the worst if it is better, by np.where on the row
    pop = pop.copy()
    fit = fit.copy()
    n, d = pop.shape
    for _ in range(steps):
        i, j = rng.integers(0, n, 2)
        alpha = rng.random(d)
        child = alpha * pop[i] + (1 - alpha) * pop[j] + 0.1 * rng.standard_normal(d)
        fc = np.sum(child ** 2)
        worst = np.argmax(fit)
        better = fc < fit[worst]
        pop[worst] = np.where(better, child, pop[worst])
        fit[worst] = np.where(better, fc, fit[worst])
    return pop, fit


def fitness_sharing(pop, raw_fitness, sigma_share=1.0, alpha=1.0):
    d = np.sqrt(((pop[:, None, :] - pop[None, :, :]) ** 2).sum(-1))
    sh = np.where(d < sigma_share, 1 - (d / sigma_share) ** alpha, 0.0)
    niche = sh.sum(axis=1)
    return raw_fitness / niche


def ga_generation_dict(state, rng, pm=0.1):
    # the population and its fitness kept in a dict passed in and updated in place
    pop = state["pop"]
    n = len(pop)
    fit = np.sum(pop ** 2, axis=1)
    parents = pop[np.argsort(fit)[: n // 2]]
    kids = parents + pm * rng.standard_normal(parents.shape)
    state["pop"] = np.concatenate([parents, kids])
    state["best"] = fit.min()
    state["gen"] += 1
    return state


def gray_decode(bits):
    # Gray code to binary by a cumulative XOR along the genes
    binary = np.bitwise_xor.accumulate(bits, axis=1)
    return binary, binary.dot(1 << np.arange(bits.shape[1])[::-1])


def ga_seed_or_generator(pop, seed=None, generations=3, sigma=0.3):
    # the library-style signature: `seed` may be an int, None or a Generator, normalised
    # by np.random.default_rng, which hands a Generator back unaltered
    rng = np.random.default_rng(seed)
    n = len(pop)
    for _ in range(generations):
        fit = sphere(pop)
        parents = pop[np.argsort(fit)[: n // 2]]
        kids = parents + sigma * rng.standard_normal(parents.shape)
        pop = np.concatenate([parents, kids])
    return pop, sphere(pop).min()


def ga_float32(pop, rng, generations=3):
    # a float32 population kept float32 through the loop by casting the draws
    for _ in range(generations):
        f = np.sum(pop ** 2, axis=1)
        parents = pop[np.argsort(f)[: len(pop) // 2]]
        kids = parents + 0.1 * rng.standard_normal(parents.shape).astype(np.float32)
        pop = np.clip(np.concatenate([parents, kids]), -5, 5)
        pop *= np.float32(0.99)
    return pop, np.sum(pop ** 2, axis=1).min()


def bitflip_in_place_xor(bits, rng, pm=0.2):
    # bool and uint8 genomes flipped in place with ^=
    bits ^= rng.random(bits.shape) < pm
    bits[:, 0] |= True
    return bits.sum(axis=1), np.mean(bits, axis=0)


def creep_mutation_int32(genes, rng, pm=0.3, lo=0, hi=9):
    # integer genes nudged by -1/0/+1 in place, kept int32
    m = rng.random(genes.shape) < pm
    genes[m] += rng.integers(-1, 2, genes.shape)[m].astype(genes.dtype)
    np.clip(genes, lo, hi, out=genes)
    return genes.sum(axis=1), genes.mean(axis=0)


GA = {
    "tournament_argmin_rows": (tournament_selection, {}, lambda s, n: (
        _pop(s, 2 * n, 3), _u(s + 1, 2 * n), _rng(s))),
    "tournament_loop_argmax": (tournament_selection_loop, {}, lambda s, n: (
        _pop(s, n, 3), _u(s + 1, n), _rng(s))),
    "roulette_cumsum_searchsorted": (roulette_selection, {}, lambda s, n: (
        _pop(s, 2 * n, 3), _u(s + 1, 2 * n) + 0.1, _rng(s))),
    "roulette_minimisation_loop": (roulette_min_problem, {}, lambda s, n: (
        _pop(s, n, 2), _u(s + 1, n), _rng(s))),
    "stochastic_universal_sampling": (stochastic_universal_sampling, {"n_select": 6},
                                      lambda s, n: (_u(s, 2 * n) + 0.05, _rng(s))),
    "rank_selection_choice_p": (rank_selection_probs, {}, lambda s, n: (_u(s, 2 * n), _rng(s))),
    "single_point_crossover_masks": (single_point_crossover, {}, lambda s, n: (
        _pop(s, 2 * n, 5), _rng(s))),
    "single_point_crossover_loop": (single_point_crossover_slices, {}, lambda s, n: (
        _pop(s, n, 5), _pop(s + 1, n, 5), _rng(s))),
    "two_point_crossover_sorted_points": (two_point_crossover, {}, lambda s, n: (
        _pop(s, n, 6), _pop(s + 1, n, 6), _rng(s))),
    "uniform_crossover_bool_setitem": (uniform_crossover_bool, {}, lambda s, n: (
        _u(s, n, 8) < 0.5, _u(s + 1, n, 8) < 0.5, _rng(s))),
    "blx_alpha_uniform_arrays": (blend_crossover, {}, lambda s, n: (
        _pop(s, n, 3), _pop(s + 1, n, 3), _rng(s))),
    "sbx_two_branches": (sbx_crossover, {}, lambda s, n: (
        _pop(s, n, 3), _pop(s + 1, n, 3), _rng(s))),
    "arithmetic_crossover_pairs": (arithmetic_crossover, {}, lambda s, n: (
        _pop(s, 2 * n, 3), _rng(s))),
    "gaussian_mutation_in_place": (gaussian_mutation_inplace, {}, lambda s, n: (
        _pop(s, 2 * n, 3, -5, 5), _rng(s))),
    "polynomial_mutation_deb": (polynomial_mutation, {}, lambda s, n: (
        _pop(s, 2 * n, 3, -1, 1), -1.0, 1.0, _rng(s))),
    "bitflip_logical_xor": (bitflip_mutation_xor, {}, lambda s, n: (
        _u(s, n, 10) < 0.5, _rng(s))),
    "bitflip_int_mask_inplace": (bitflip_mutation_int, {}, lambda s, n: (
        _i(2, n, 10, seed=s), _rng(s))),
    "decode_binary_powers_of_two": (decode_binary, {}, lambda s, n: (
        _i(2, n, 16, seed=s), -5.0, 5.0)),
    "onemax_ga_generations": (onemax_ga, {}, lambda s, n: (_i(2, 2 * n, 12, seed=s), _rng(s))),
    "real_ga_elitism_argsort": (real_ga_elitism, {}, lambda s, n: (_pop(s, 2 * n, 3), _rng(s))),
    "steady_state_replace_worst": (steady_state_ga, {}, lambda s, n: (
        _pop(s, n, 3), np.sum(_pop(s, n, 3) ** 2, axis=1), _rng(s))),
    "fitness_sharing_niches": (fitness_sharing, {}, lambda s, n: (
        _pop(s, 2 * n, 2, -2, 2), _u(s + 1, 2 * n) + 1)),
    "ga_state_dict_in_place": (ga_generation_dict, {}, lambda s, n: (
        {"pop": _pop(s, 2 * n, 3), "best": 0.0, "gen": 0}, _rng(s))),
    "float32_ga_cast_draws": (ga_float32, {}, lambda s, n: (
        _pop(s, 2 * n, 3).astype(np.float32), _rng(s))),
    "bitflip_ixor_bool_in_place": (bitflip_in_place_xor, {}, lambda s, n: (
        _u(s, n, 8) < 0.5, _rng(s))),
    "creep_mutation_int32_in_place": (creep_mutation_int32, {}, lambda s, n: (
        _i(10, n, 6, seed=s).astype(np.int32), _rng(s))),
    "gray_decode_xor_accumulate": (gray_decode, {}, lambda s, n: (_i(2, n, 8, seed=s),)),
    "default_rng_of_a_generator_argument": (ga_seed_or_generator, {}, lambda s, n: (
        _pop(s, 2 * n, 3), _rng(s))),
}


@pytest.mark.parametrize("name", _names(GA))
def test_genetic_algorithms_match_numpy(name):
    """Tournament, roulette, SUS and rank selection; single-point, two-point, uniform, BLX,
    SBX and arithmetic crossover; Gaussian, polynomial and bit-flip mutation; binary and Gray
    decoding; OneMax, elitist real-coded and steady-state GAs; fitness sharing; a state dict
    updated in place."""
    check_like_numpy(*GA[name])


# ====================================================================== differential evolution


def sphere(X):
    return np.sum(X ** 2, axis=-1)


def de_rand_1_bin(pop, rng, F=0.8, CR=0.9, generations=3, lo=-5.0, hi=5.0):
    # index draws without rng.choice: three offsets that can never hit i or each other
    n, d = pop.shape
    fit = sphere(pop)
    for _ in range(generations):
        i = np.arange(n)
        r1 = (i + rng.integers(1, n, n)) % n
        r2 = (r1 + rng.integers(1, n - 1, n)) % n
        r2 = np.where(r2 == i, (r2 + 1) % n, r2)
        r3 = rng.integers(0, n, n)
        mutant = pop[r1] + F * (pop[r2] - pop[r3])
        mutant = np.clip(mutant, lo, hi)
        cross = rng.random((n, d)) < CR
        j_rand = rng.integers(0, d, n)
        cross[np.arange(n), j_rand] = True
        trial = np.where(cross, mutant, pop)
        f_trial = sphere(trial)
        better = f_trial <= fit
        pop[better] = trial[better]
        fit[better] = f_trial[better]
    return pop, fit


def de_rand_1_bin_loop(pop, fit, rng, F=0.5, CR=0.7, generations=2):
    # the per-individual loop, indices from a permutation of the others
    pop = pop.copy()
    fit = fit.copy()
    n, d = pop.shape
    for _ in range(generations):
        for i in range(n):
            idxs = np.delete(np.arange(n), i)
            a, b, c = pop[rng.permutation(idxs)[:3]]
            mutant = a + F * (b - c)
            cross_points = rng.random(d) < CR
            cross_points[rng.integers(0, d)] = True
            trial = np.where(cross_points, mutant, pop[i])
            f = np.sum(trial ** 2)
            if_better = f < fit[i]
            pop[i] = np.where(if_better, trial, pop[i])
            fit[i] = np.minimum(f, fit[i])
    return pop, fit


def de_best_1_bin(pop, rng, F=0.6, CR=0.8, generations=3):
    n, d = pop.shape
    fit = rastrigin_loop_dims(pop)
    best_curve = np.empty(generations)
    for g in range(generations):
        best = pop[np.argmin(fit)]
        r = rng.integers(0, n, size=(n, 2))
        mutant = best + F * (pop[r[:, 0]] - pop[r[:, 1]])
        mask = rng.random((n, d)) <= CR
        mask[np.arange(n), rng.integers(d, size=n)] = True
        trial = np.where(mask, mutant, pop)
        f_trial = rastrigin_loop_dims(trial)
        keep = f_trial < fit
        pop = np.where(keep[:, None], trial, pop)
        fit = np.where(keep, f_trial, fit)
        best_curve[g] = fit.min()
    return pop, best_curve


def de_current_to_best(pop, rng, F=0.5, K=0.5, generations=3):
    n, d = pop.shape
    fit = np.sum(100.0 * (pop[:, 1:] - pop[:, :-1] ** 2) ** 2 + (1 - pop[:, :-1]) ** 2, axis=1)
    for _ in range(generations):
        xb = pop[fit.argmin()]
        r1 = rng.integers(0, n, n)
        r2 = rng.integers(0, n, n)
        trial = pop + K * (xb - pop) + F * (pop[r1] - pop[r2])
        ft = np.sum(100.0 * (trial[:, 1:] - trial[:, :-1] ** 2) ** 2
                    + (1 - trial[:, :-1]) ** 2, axis=1)
        improved = ft < fit
        pop[improved] = trial[improved]
        fit[improved] = ft[improved]
    return pop, fit


def jde_adaptive(pop, F, CR, rng, generations=3, tau1=0.1, tau2=0.1):
    # jDE: each individual carries its F and CR, re-drawn with probability tau
    n, d = pop.shape
    fit = sphere(pop)
    for _ in range(generations):
        F_new = np.where(rng.random(n) < tau1, 0.1 + 0.9 * rng.random(n), F)
        CR_new = np.where(rng.random(n) < tau2, rng.random(n), CR)
        r = np.argsort(rng.random((n, n)), axis=1)[:, :3]
        mutant = pop[r[:, 0]] + F_new[:, None] * (pop[r[:, 1]] - pop[r[:, 2]])
        cross = rng.random((n, d)) < CR_new[:, None]
        trial = np.where(cross, mutant, pop)
        ft = sphere(trial)
        ok = ft <= fit
        pop = np.where(ok[:, None], trial, pop)
        fit = np.where(ok, ft, fit)
        F = np.where(ok, F_new, F)
        CR = np.where(ok, CR_new, CR)
    return pop, fit, F, CR


def bounce_back(trial, lo, hi):
    # reflection at the bounds, the usual "bounce-back" repair
    trial = np.where(trial < lo, 2 * lo - trial, trial)
    trial = np.where(trial > hi, 2 * hi - trial, trial)
    return np.clip(trial, lo, hi)


def random_reinit_out_of_bounds(trial, lo, hi, rng):
    out = (trial < lo) | (trial > hi)
    fresh = lo + rng.random(trial.shape) * (hi - lo)
    trial[out] = fresh[out]
    return trial, out.sum(axis=1)


def de_midpoint_repair(trial, parent, lo, hi):
    # repair towards the parent: midpoint between the bound and the parent
    trial = np.where(trial < lo, (lo + parent) / 2, trial)
    return np.where(trial > hi, (hi + parent) / 2, trial)


def de_rand_2_exp(pop, rng, F=0.5, CR=0.6):
    # exponential crossover written without while: a run of L genes from a start n0
    n, d = pop.shape
    r = rng.integers(0, n, size=(n, 5))
    v = pop[r[:, 0]] + F * (pop[r[:, 1]] - pop[r[:, 2]] + pop[r[:, 3]] - pop[r[:, 4]])
    start = rng.integers(0, d, n)
    # L: number of successes before the first failure, capped at d
    u = rng.random((n, d))
    L = np.minimum(np.argmax(np.cumprod(u < CR, axis=1) == 0, axis=1) + 1, d)
    offs = (np.arange(d)[None, :] - start[:, None]) % d
    return np.where(offs < L[:, None], v, pop)


def de_history_dict(pop, rng, generations=3, F=0.7, CR=0.5):
    n, d = pop.shape
    fit = ackley_population(pop)
    hist = {"best": [], "mean": [], "std": []}
    for _ in range(generations):
        r1, r2, r3 = rng.integers(0, n, (3, n))
        mutant = pop[r1] + F * (pop[r2] - pop[r3])
        trial = np.where(rng.random(pop.shape) < CR, mutant, pop)
        ft = ackley_population(trial)
        sel = ft < fit
        pop = np.where(sel[:, np.newaxis], trial, pop)
        fit = np.minimum(ft, fit)
        hist["best"].append(fit.min())
        hist["mean"].append(fit.mean())
        hist["std"].append(fit.std())
    return pop, {k: np.array(v) for k, v in hist.items()}


DE = {
    "de_rand_1_bin_offsets": (de_rand_1_bin, {}, lambda s, n: (_pop(s, 2 * n, 3), _rng(s))),
    "de_rand_1_bin_per_individual": (de_rand_1_bin_loop, {}, lambda s, n: (
        _pop(s, n, 3), sphere(_pop(s, n, 3)), _rng(s))),
    "de_best_1_bin": (de_best_1_bin, {}, lambda s, n: (_pop(s, 2 * n, 3), _rng(s))),
    "de_current_to_best_in_place": (de_current_to_best, {}, lambda s, n: (
        _pop(s, 2 * n, 3, -2, 2), _rng(s))),
    "jde_self_adapted_f_cr": (jde_adaptive, {}, lambda s, n: (
        _pop(s, 2 * n, 3), np.full(2 * n, 0.5), np.full(2 * n, 0.9), _rng(s))),
    "bounce_back_reflection": (bounce_back, {}, lambda s, n: (_pop(s, 3 * n, 3, -8, 8), -5.0, 5.0)),
    "random_reinit_out_of_bounds": (random_reinit_out_of_bounds, {}, lambda s, n: (
        _pop(s, 3 * n, 3, -8, 8), -5.0, 5.0, _rng(s))),
    "midpoint_repair_towards_parent": (de_midpoint_repair, {}, lambda s, n: (
        _pop(s, 3 * n, 3, -8, 8), _pop(s + 1, 3 * n, 3, -5, 5), np.full(3, -5.0),
        np.array([5.0, 4.0, 5.0]))),
    "de_rand_2_exponential_crossover": (de_rand_2_exp, {}, lambda s, n: (
        _pop(s, 2 * n, 5), _rng(s))),
    "de_history_dict_of_lists": (de_history_dict, {}, lambda s, n: (
        _pop(s, 2 * n, 3, -32, 32), _rng(s))),
}


@pytest.mark.parametrize("name", _names(DE))
def test_differential_evolution_matches_numpy(name):
    """DE rand/1/bin by offsets and per individual, best/1/bin, current-to-best/1, jDE,
    rand/2/exp, bounds repaired by reflection, reinitialisation and midpoints, greedy
    replacement by masks and a history of best values."""
    check_like_numpy(*DE[name])


# ================================================================================ particle swarm


def pso_global_best(X, V, rng, iters=4, w=0.72, c1=1.49, c2=1.49):
    n, d = X.shape
    pbest = X.copy()
    pbest_f = rastrigin_loop_dims(X)
    g = pbest[np.argmin(pbest_f)].copy()
    curve = []
    for _ in range(iters):
        r1 = rng.random((n, d))
        r2 = rng.random((n, d))
        V = w * V + c1 * r1 * (pbest - X) + c2 * r2 * (g - X)
        X = X + V
        f = rastrigin_loop_dims(X)
        improved = f < pbest_f
        pbest[improved] = X[improved]
        pbest_f[improved] = f[improved]
        g = pbest[np.argmin(pbest_f)].copy()
        curve.append(pbest_f.min())
    return g, pbest_f.min(), curve


def pso_where_updates(X, V, rng, iters=3, c1=2.0, c2=2.0):
    # the blog's version: np.where for the personal bests, inertia decreasing linearly
    n, d = X.shape
    P, Pf = X, sphere(X)
    gbest = P[Pf.argmin()]
    for t in range(iters):
        w = 0.9 - (0.9 - 0.4) * t / iters
        V = w * V + c1 * rng.random((n, 1)) * (P - X) + c2 * rng.random((n, 1)) * (gbest - X)
        X = X + V
        fx = sphere(X)
        P = np.where((fx < Pf)[:, None], X, P)
        Pf = np.where(fx < Pf, fx, Pf)
        gbest = P[Pf.argmin()]
    return gbest, Pf


def pso_ring_topology(X, V, rng, iters=3, chi=0.7298, phi=2.05):
    # lbest PSO: each particle's best among itself and its two ring neighbours, constriction
    n, d = X.shape
    P = X.copy()
    Pf = rosenbrock_diff(X)
    for _ in range(iters):
        neigh_f = np.stack([np.roll(Pf, 1), Pf, np.roll(Pf, -1)])
        which = np.argmin(neigh_f, axis=0)
        L = np.stack([np.roll(P, 1, axis=0), P, np.roll(P, -1, axis=0)])[which, np.arange(n)]
        V = chi * (V + phi * rng.random((n, d)) * (P - X) + phi * rng.random((n, d)) * (L - X))
        X += V
        f = rosenbrock_diff(X)
        m = f < Pf
        P[m] = X[m]
        Pf[m] = f[m]
    return P, Pf


def pso_velocity_clamp(X, V, rng, lo, hi, iters=3, w=0.7, c=1.5):
    n, d = X.shape
    vmax = 0.2 * (hi - lo)
    P = X.copy()
    Pf = griewank_prod(X)
    for _ in range(iters):
        g = P[np.argmin(Pf)]
        V = w * V + c * rng.uniform(size=(n, d)) * (P - X) + c * rng.uniform(size=(n, d)) * (g - X)
        V = np.clip(V, -vmax, vmax)
        X = np.clip(X + V, lo, hi)
        # particles hitting a wall lose their velocity there
        V[(X == lo) | (X == hi)] = 0.0
        f = griewank_prod(X)
        upd = f < Pf
        P[upd], Pf[upd] = X[upd], f[upd]
    return X, V, P, Pf


def pso_state_dict_step(state, rng, w=0.5, c1=1.5, c2=1.5):
    # one iteration on a dict of arrays, written back into the caller's dict
    X, V = state["X"], state["V"]
    r1, r2 = rng.random(X.shape), rng.random(X.shape)
    V *= w
    V += c1 * r1 * (state["pbest"] - X) + c2 * r2 * (state["gbest"] - X)
    X += V
    f = himmelblau_columns(X)
    better = f < state["pbest_f"]
    state["pbest"][better] = X[better]
    state["pbest_f"] = np.minimum(f, state["pbest_f"])
    state["gbest"] = state["pbest"][np.argmin(state["pbest_f"])]
    return state["pbest_f"].min()


def _pso_state(s, n):
    X = _pop(s, 2 * n, 2, -5, 5)
    f = himmelblau_columns(X)
    return ({"X": X, "V": np.zeros_like(X), "pbest": X.copy(), "pbest_f": f,
             "gbest": X[np.argmin(f)].copy()}, _rng(s))


def pso_float32(X, V, rng, iters=3):
    # a float32 swarm; the random coefficients drawn as float32
    n, d = X.shape
    P, Pf = X.copy(), np.sum(X ** 2, axis=1)
    for _ in range(iters):
        g = P[np.argmin(Pf)]
        r = rng.random((2, n, d), dtype=np.float32)
        V = 0.7 * V + 1.5 * r[0] * (P - X) + 1.5 * r[1] * (g - X)
        X = X + V
        f = np.sum(X ** 2, axis=1)
        P = np.where((f < Pf)[:, None], X, P)
        Pf = np.minimum(f, Pf)
    return P, Pf


def pso_init_and_run(lo, hi, rng, n=10, iters=3):
    # initialisation inside: positions uniform in the box, velocities a fraction of it
    d = len(lo)
    X = rng.uniform(lo, hi, size=(n, d))
    V = rng.uniform(-(hi - lo), hi - lo, size=(n, d)) * 0.1
    P, Pf = X.copy(), ackley_population(X)
    for _ in range(iters):
        gi = Pf.argmin()
        V = 0.6 * V + 1.7 * rng.random((n, d)) * (P - X) + 1.7 * rng.random((n, d)) * (P[gi] - X)
        X = np.clip(X + V, lo, hi)
        f = ackley_population(X)
        mask = f < Pf
        P[mask] = X[mask]
        Pf[mask] = f[mask]
    return P[Pf.argmin()], Pf.min()


PSO = {
    "pso_gbest_list_curve": (pso_global_best, {}, lambda s, n: (
        _pop(s, 2 * n, 3), np.zeros((2 * n, 3)), _rng(s))),
    "pso_where_linear_inertia": (pso_where_updates, {}, lambda s, n: (
        _pop(s, 2 * n, 3), 0.1 * _f(2 * n, 3, seed=s), _rng(s))),
    "pso_ring_topology_roll": (pso_ring_topology, {}, lambda s, n: (
        _pop(s, 2 * n, 3, -2, 2), np.zeros((2 * n, 3)), _rng(s))),
    "pso_velocity_clamp_walls": (pso_velocity_clamp, {}, lambda s, n: (
        _pop(s, 2 * n, 3, -600, 600), np.zeros((2 * n, 3)), _rng(s), -600.0, 600.0)),
    "pso_state_dict_in_place": (pso_state_dict_step, {}, _pso_state),
    "pso_float32_draws": (pso_float32, {}, lambda s, n: (
        _pop(s, 2 * n, 3).astype(np.float32), np.zeros((2 * n, 3), np.float32), _rng(s))),
    "pso_init_inside_box": (pso_init_and_run, {}, lambda s, n: (
        np.full(n // 2 + 1, -32.0), np.full(n // 2 + 1, 32.0), _rng(s))),
}


@pytest.mark.parametrize("name", _names(PSO))
def test_particle_swarm_matches_numpy(name):
    """Global-best PSO with masks and with np.where, ring topologies by np.roll, constriction,
    velocity clamping with walls, a state dict updated in place, float32 swarms and
    initialisation inside."""
    check_like_numpy(*PSO[name])


# ======================================================================== evolution strategies


def one_plus_one_es(x, sigma, rng, iters=10, c=0.817):
    # Rechenberg's 1/5th rule, the acceptance and the step size by np.where
    fx = rastrigin_single(x)
    successes = 0
    for t in range(iters):
        y = x + sigma * rng.standard_normal(x.shape)
        fy = rastrigin_single(y)
        ok = fy <= fx
        x = np.where(ok, y, x)
        fx = np.where(ok, fy, fx)
        successes = successes + ok
        if (t + 1) % 5 == 0:
            rate = successes / 5
            sigma = np.where(rate > 0.2, sigma / c, np.where(rate < 0.2, sigma * c, sigma))
            successes = 0
    return x, fx, sigma


def one_plus_one_es_success_history(x, rng, sigma=1.0, iters=12):
    # the 1/5th rule over a sliding window of the last successes, kept in an int array
    hist = np.zeros(iters, dtype=np.int64)
    f = np.sum(x ** 2)
    for t in range(iters):
        cand = x + sigma * rng.normal(size=x.size)
        fc = np.sum(cand ** 2)
        hist[t] = fc < f
        x = np.where(fc < f, cand, x)
        f = np.minimum(fc, f)
        p_s = hist[max(0, t - 9): t + 1].mean()
        sigma = sigma * np.exp((p_s - 0.2) / 0.8)
    return x, f, hist


def mu_comma_lambda_es(parents, rng, lam=12, sigma=0.5, generations=4):
    mu, d = parents.shape
    best = []
    for _ in range(generations):
        idx = rng.integers(0, mu, lam)
        offspring = parents[idx] + sigma * rng.standard_normal((lam, d))
        f = ackley_population(offspring)
        parents = offspring[np.argsort(f)[:mu]]
        best.append(f.min())
    return parents, np.array(best)


def mu_plus_lambda_es(parents, rng, lam=10, generations=4):
    # (mu + lambda): parents compete with their offspring; self-adaptive sigma per individual
    mu, d = parents.shape
    sig = np.full(mu, 0.5)
    tau = 1 / np.sqrt(2 * d)
    for _ in range(generations):
        idx = rng.integers(mu, size=lam)
        s_off = sig[idx] * np.exp(tau * rng.standard_normal(lam))
        off = parents[idx] + s_off[:, None] * rng.standard_normal((lam, d))
        allx = np.concatenate([parents, off])
        alls = np.concatenate([sig, s_off])
        f = sphere(allx)
        keep = np.argsort(f)[:mu]
        parents, sig = allx[keep], alls[keep]
    return parents, sig


def self_adaptive_es_per_gene(pop, sigmas, rng):
    # Schwefel's two learning rates, one global and one per gene
    n, d = pop.shape
    tau_prime = 1 / np.sqrt(2 * d)
    tau = 1 / np.sqrt(2 * np.sqrt(d))
    glob = tau_prime * rng.standard_normal((n, 1))
    sig_new = sigmas * np.exp(glob + tau * rng.standard_normal((n, d)))
    sig_new = np.maximum(sig_new, 1e-5)
    return pop + sig_new * rng.standard_normal((n, d)), sig_new


def simple_cma_es(mean, sigma, rng, lam=8, generations=3):
    # a simplified CMA-ES: rank-mu update of C, eigh for sampling, no evolution paths
    n = len(mean)
    mu = lam // 2
    w = np.log(mu + 0.5) - np.log(np.arange(1, mu + 1))
    w = w / np.sum(w)
    mueff = 1.0 / np.sum(w ** 2)
    c_mu = min(1 - 1e-9, mueff / n ** 2)
    C = np.eye(n)
    for _ in range(generations):
        D2, B = np.linalg.eigh(C)
        D = np.sqrt(np.maximum(D2, 1e-20))
        z = rng.standard_normal((lam, n))
        y = z @ np.diag(D) @ B.T
        X = mean + sigma * y
        f = rosenbrock_diff(X)
        idx = np.argsort(f)[:mu]
        y_sel = y[idx]
        mean = mean + sigma * (w @ y_sel)
        C = (1 - c_mu) * C + c_mu * (y_sel.T * w) @ y_sel
        sigma *= np.exp(0.1 * (np.mean(np.linalg.norm(z[idx], axis=1)) / np.sqrt(n) - 1))
    return mean, sigma, C


def cma_es_paths(mean, rng, sigma=0.5, lam=6, generations=2):
    # with the evolution paths p_c and p_sigma and C^{-1/2} from eigh
    n = len(mean)
    mu = lam // 2
    weights = np.log(mu + 1 / 2) - np.log(np.arange(1, mu + 1))
    weights /= weights.sum()
    mueff = weights.sum() ** 2 / (weights ** 2).sum()
    cc = (4 + mueff / n) / (n + 4 + 2 * mueff / n)
    cs = (mueff + 2) / (n + mueff + 5)
    c1 = 2 / ((n + 1.3) ** 2 + mueff)
    cmu = min(1 - c1, 2 * (mueff - 2 + 1 / mueff) / ((n + 2) ** 2 + mueff))
    damps = 1 + 2 * max(0, np.sqrt((mueff - 1) / (n + 1)) - 1) + cs
    chiN = n ** 0.5 * (1 - 1 / (4 * n) + 1 / (21 * n ** 2))
    pc, ps = np.zeros(n), np.zeros(n)
    C = np.eye(n)
    for g in range(generations):
        eigvals, B = np.linalg.eigh(C)
        D = np.sqrt(eigvals)
        invsqrtC = B @ np.diag(1 / D) @ B.T
        arz = rng.standard_normal((lam, n))
        arx = mean + sigma * (arz * D) @ B.T
        fit = np.array([rosenbrock_single_loop(x) for x in arx])
        arindex = np.argsort(fit)
        old = mean
        mean = weights @ arx[arindex[:mu]]
        ps = (1 - cs) * ps + np.sqrt(cs * (2 - cs) * mueff) * invsqrtC @ (mean - old) / sigma
        ps_norm = np.linalg.norm(ps) / np.sqrt(1 - (1 - cs) ** (2 * (g + 1)))
        hsig = ps_norm / chiN < 1.4 + 2 / (n + 1)
        pc = (1 - cc) * pc + hsig * np.sqrt(cc * (2 - cc) * mueff) * (mean - old) / sigma
        artmp = (arx[arindex[:mu]] - old) / sigma
        C = ((1 - c1 - cmu) * C + c1 * (np.outer(pc, pc) + (1 - hsig) * cc * (2 - cc) * C)
             + cmu * artmp.T @ np.diag(weights) @ artmp)
        sigma = sigma * np.exp((cs / damps) * (np.linalg.norm(ps) / chiN - 1))
        C = np.triu(C) + np.triu(C, 1).T
    return mean, sigma, C


def openai_es(theta, rng, npop=8, sigma=0.1, alpha=0.03, iters=2):
    # antithetic sampling, centred ranks, the update as a matrix product
    for _ in range(iters):
        eps = rng.standard_normal((npop // 2, theta.size))
        eps = np.concatenate([eps, -eps])
        R = -np.array([rastrigin_single(theta + sigma * e) for e in eps])
        ranks = np.empty(npop)
        ranks[R.argsort()] = np.arange(npop)
        A = ranks / (npop - 1) - 0.5
        theta = theta + alpha / (npop * sigma) * eps.T @ A
    return theta


def nes_standardised(w, rng, npop=10, sigma=0.1, alpha=0.001, iters=3):
    # Karpathy's gist: the rewards standardised by their mean and std
    for i in range(iters):
        N = rng.standard_normal((npop, w.size))
        R = np.zeros(npop)
        for j in range(npop):
            w_try = w + sigma * N[j]
            R[j] = -np.sum(np.square(np.array([0.5, 0.1, -0.3])[: w.size] - w_try))
        A = (R - np.mean(R)) / np.std(R)
        w = w + alpha / (npop * sigma) * np.dot(N.T, A)
    return w


def cross_entropy_method(mu, sigma, rng, n=20, n_elite=5, iters=5, alpha=0.7):
    hist = np.zeros((iters, 2))
    for t in range(iters):
        X = rng.normal(mu, sigma, size=(n, mu.size))
        f = himmelblau_columns(X) if mu.size == 2 else sphere(X)
        elite = X[np.argsort(f)[:n_elite]]
        mu = alpha * elite.mean(axis=0) + (1 - alpha) * mu
        sigma = alpha * elite.std(axis=0) + (1 - alpha) * sigma
        hist[t] = f.min(), f.mean()
    return mu, sigma, hist


def cem_full_covariance(mean, cov, rng, n=16, n_elite=4, iters=3):
    for _ in range(iters):
        X = rng.multivariate_normal(mean, cov, size=n)
        f = rosenbrock_diff(X)
        elite = X[np.argsort(f)[:n_elite]]
        mean = elite.mean(axis=0)
        cov = np.cov(elite, rowvar=False) + 1e-3 * np.eye(len(mean))
    return mean, cov


def cma_sample_scipy_linalg(mean, sigma, C, rng, lam=6):
    # sampling from N(m, sigma^2 C) through scipy.linalg: B D z and the Cholesky factor
    D2, B = scipy.linalg.eigh(C)
    z = rng.standard_normal((lam, len(mean)))
    y = z @ (B * np.sqrt(D2)).T
    return mean + sigma * y, D2


def cma_sample_cholesky(mean, sigma, C, rng, lam=6):
    L = scipy.linalg.cholesky(C, lower=True)
    z = rng.standard_normal((lam, len(mean)))
    X = mean + sigma * z @ L.T
    return X, rosenbrock_diff(X)


ES = {
    "one_plus_one_es_fifth_rule": (one_plus_one_es, {}, lambda s, n: (
        _pop(s, 1, n)[0], 1.0, _rng(s))),
    "one_plus_one_es_window_int_history": (one_plus_one_es_success_history, {}, lambda s, n: (
        _pop(s, 1, n)[0], _rng(s))),
    "mu_comma_lambda_argsort": (mu_comma_lambda_es, {}, lambda s, n: (
        _pop(s, n // 2, 3, -5, 5), _rng(s))),
    "mu_plus_lambda_self_adaptive": (mu_plus_lambda_es, {}, lambda s, n: (
        _pop(s, n // 2, 3), _rng(s))),
    "self_adaptive_two_learning_rates": (self_adaptive_es_per_gene, {}, lambda s, n: (
        _pop(s, n, 3), np.full((n, 3), 0.3), _rng(s))),
    "simple_cma_es_eigh": (simple_cma_es, {}, lambda s, n: (
        _pop(s, 1, n // 2 + 1, -1, 1)[0], 0.5, _rng(s))),
    "cma_es_evolution_paths": (cma_es_paths, {}, lambda s, n: (
        _pop(s, 1, n // 2 + 1, -1, 1)[0], _rng(s))),
    "cma_sampling_scipy_linalg_eigh": (cma_sample_scipy_linalg, {}, lambda s, n: (
        np.zeros(3), 0.5, np.cov(_u(s, 3, 10)) + 0.1 * np.eye(3), _rng(s))),
    "cma_sampling_scipy_cholesky": (cma_sample_cholesky, {}, lambda s, n: (
        np.zeros(3), 0.5, np.cov(_u(s, 3, 10)) + 0.1 * np.eye(3), _rng(s))),
    "openai_es_centred_ranks": (openai_es, {}, lambda s, n: (_pop(s, 1, n)[0], _rng(s))),
    "nes_standardised_rewards": (nes_standardised, {}, lambda s, n: (
        _pop(s, 1, 3)[0] * (n / 4), _rng(s))),
    "cross_entropy_method_diagonal": (cross_entropy_method, {}, lambda s, n: (
        np.zeros(n // 2), np.full(n // 2, 3.0), _rng(s))),
    "cem_multivariate_normal_cov": (cem_full_covariance, {}, lambda s, n: (
        np.zeros(n // 2), np.eye(n // 2), _rng(s))),
}


@pytest.mark.parametrize("name", _names(ES))
def test_evolution_strategies_match_numpy(name):
    """(1+1)-ES with the 1/5th rule, (mu, lambda) and (mu + lambda), self-adaptation,
    CMA-ES by eigh with and without evolution paths, sampling by scipy.linalg, OpenAI-ES and
    NES, the cross-entropy method with diagonal and full covariances."""
    check_like_numpy(*ES[name])


# ===================================================================== annealing and local search


def simulated_annealing(x0, rng, T0=10.0, alpha=0.95, steps=12, step=0.5):
    # Metropolis acceptance by np.where on a uniform draw, geometric cooling
    x = x0.copy()
    fx = rastrigin_single(x)
    best, fbest = x.copy(), fx
    T = T0
    for k in range(steps):
        cand = x + rng.normal(0, step, size=x.shape)
        fc = rastrigin_single(cand)
        accept = (fc < fx) | (rng.random() < np.exp(-(fc - fx) / T))
        x = np.where(accept, cand, x)
        fx = np.where(accept, fc, fx)
        improved = fx < fbest
        best = np.where(improved, x, best)
        fbest = np.minimum(fx, fbest)
        T *= alpha
    return best, fbest


def sa_parallel_chains(X, rng, T0=5.0, steps=8):
    # many independent chains at once, a log cooling schedule
    n, d = X.shape
    f = ackley_population(X)
    accepted = np.zeros(n, dtype=int)
    for k in range(1, steps + 1):
        T = T0 / np.log(k + 1)
        Y = X + 0.3 * rng.standard_normal((n, d))
        fy = ackley_population(Y)
        delta = fy - f
        acc = (delta <= 0) | (rng.random(n) < np.exp(-np.maximum(delta, 0) / T))
        X[acc] = Y[acc]
        f[acc] = fy[acc]
        accepted += acc
    return X, f, accepted / steps


def sa_trace_arrays(x, rng, steps=10, T0=1.0):
    # the blog's plots: temperature, current and best values stored per step
    temps = np.empty(steps)
    cur = np.empty(steps)
    bests = np.empty(steps)
    fx = np.sum(x ** 2)
    fb = fx
    for i in range(steps):
        T = T0 * (1 - i / steps)
        y = x + rng.uniform(-0.5, 0.5, x.shape)
        fy = np.sum(y ** 2)
        p = np.exp(-(fy - fx) / max(T, 1e-8))
        take = rng.random() < p
        x, fx = np.where(take, y, x), np.where(take, fy, fx)
        fb = np.minimum(fb, fx)
        temps[i], cur[i], bests[i] = T, fx, fb
    return temps, cur, bests


def threshold_accepting(x, rng, thresholds=(2.0, 1.0, 0.5, 0.25, 0.1), per_level=4):
    f = griewank_prod(x[None])[0]
    for th in thresholds:
        for _ in range(per_level):
            y = x + 5.0 * rng.standard_normal(x.shape)
            fy = griewank_prod(y[None])[0]
            ok = fy - f < th
            x = np.where(ok, y, x)
            f = np.where(ok, fy, f)
    return x, f


def hill_climb_best_neighbour(x, rng, n_neigh=8, steps=6, scale=0.2):
    # steepest ascent over a sampled neighbourhood, stay if none is better
    f = rosenbrock_single_loop(x)
    for _ in range(steps):
        N = x + scale * rng.standard_normal((n_neigh, x.size))
        fn = rosenbrock_diff(N)
        j = np.argmin(fn)
        better = fn[j] < f
        x = np.where(better, N[j], x)
        f = np.where(better, fn[j], f)
    return x, f


def random_search(lo, hi, rng, n=50):
    X = lo + (hi - lo) * rng.random((n, len(lo)))
    f = levy_population(X)
    i = np.argmin(f)
    return X[i], f[i], np.minimum.accumulate(f)


def random_search_batches(lo, hi, rng, batches=3, size=10):
    best_x = np.full(len(lo), np.nan)
    best_f = np.inf
    trace = []
    for _ in range(batches):
        X = rng.uniform(lo, hi, (size, len(lo)))
        f = schwefel_population(X)
        k = f.argmin()
        better = f[k] < best_f
        best_x = np.where(better, X[k], best_x)
        best_f = np.where(better, f[k], best_f)
        trace.append(best_f)
    return best_x, best_f, np.array(trace)


def grid_search_meshgrid(lo, hi, n=21):
    xs = np.linspace(lo, hi, n)
    X, Y = np.meshgrid(xs, xs, indexing="ij")
    Z = himmelblau_columns(np.column_stack([X.ravel(), Y.ravel()])).reshape(X.shape)
    i, j = np.unravel_index(np.argmin(Z), Z.shape)
    return xs[i], xs[j], Z[i, j], Z.min(axis=1)


def sa_explicit_bit_generator(x, steps=15, seed=42, T0=2.0):
    # reproducibility spelled out: Generator(PCG64(seed)) made inside from a fixed seed
    rng = np.random.Generator(np.random.PCG64(seed))
    f = np.sum(x ** 2)
    T = T0
    for _ in range(steps):
        y = x + rng.normal(0, 0.5, x.shape)
        fy = np.sum(y ** 2)
        ok = (fy < f) | (rng.random() < np.exp(-(fy - f) / T))
        x, f = np.where(ok, y, x), np.where(ok, fy, f)
        T *= 0.9
    return x, f


def de_mt19937_like_matlab(pop, generations=3, seed=5489, F=0.5, CR=0.9):
    # MT19937 to line up with a MATLAB reference run of the same DE
    rng = np.random.Generator(np.random.MT19937(seed))
    return de_rand_1_bin(pop, rng, F, CR, generations)


SA = {
    "simulated_annealing_metropolis_where": (simulated_annealing, {}, lambda s, n: (
        _pop(s, 1, n)[0], _rng(s))),
    "sa_parallel_chains_log_cooling": (sa_parallel_chains, {}, lambda s, n: (
        _pop(s, 2 * n, 2, -5, 5), _rng(s))),
    "sa_trace_arrays_python_max": (sa_trace_arrays, {}, lambda s, n: (_pop(s, 1, n)[0], _rng(s))),
    "threshold_accepting_levels": (threshold_accepting, {}, lambda s, n: (
        _pop(s, 1, n, -50, 50)[0], _rng(s))),
    "hill_climb_sampled_neighbourhood": (hill_climb_best_neighbour, {}, lambda s, n: (
        _pop(s, 1, n, -1, 1)[0], _rng(s))),
    "random_search_minimum_accumulate": (random_search, {}, lambda s, n: (
        np.full(n, -10.0), np.full(n, 10.0), _rng(s))),
    "random_search_batches_best": (random_search_batches, {}, lambda s, n: (
        np.full(n, -500.0), np.full(n, 500.0), _rng(s))),
    "grid_search_unravel_index": (grid_search_meshgrid, {}, lambda s, n: (-5.0 + 0.1 * s, 5.0)),
    "sa_generator_pcg64_fixed_seed": (sa_explicit_bit_generator, {}, lambda s, n: (
        _pop(s, 1, n)[0],)),
    "de_generator_mt19937_fixed_seed": (de_mt19937_like_matlab, {}, lambda s, n: (
        _pop(s, 2 * n, 3),)),
}


@pytest.mark.parametrize("name", _names(SA))
def test_annealing_and_local_search_match_numpy(name):
    """Simulated annealing by np.where on draws, parallel chains, per-step traces, threshold
    accepting, hill climbing over sampled neighbours, random and grid search."""
    check_like_numpy(*SA[name])


# =============================================================== Nelder-Mead and sampling plans


def nelder_mead_fixed(simplex, iters=10, alpha=1.0, gamma=2.0, rho=0.5, sigma=0.5):
    # the textbook's Nelder-Mead, every branch computed and chosen by np.where
    n = simplex.shape[1]
    for _ in range(iters):
        f = rosenbrock_diff(simplex)
        order = np.argsort(f)
        simplex, f = simplex[order], f[order]
        centroid = simplex[:-1].mean(axis=0)
        xr = centroid + alpha * (centroid - simplex[-1])
        fr = rosenbrock_single_loop(xr)
        xe = centroid + gamma * (xr - centroid)
        fe = rosenbrock_single_loop(xe)
        xc = centroid + rho * (simplex[-1] - centroid)
        fc = rosenbrock_single_loop(xc)
        shrunk = simplex[0] + sigma * (simplex - simplex[0])
        expand = (fr < f[0]) & (fe < fr)
        reflect = (fr < f[-2]) & ~expand
        contract = ~reflect & ~expand & (fc < f[-1])
        new_last = np.where(expand, xe, np.where(reflect | (fr < f[0]), xr, xc))
        shrink = ~(expand | reflect | (fr < f[0]) | contract)
        simplex = np.where(shrink, shrunk, np.vstack([simplex[:-1], new_last]))
    f = rosenbrock_diff(simplex)
    return simplex[np.argmin(f)], f.min()


def initial_simplex(x0, step=0.05):
    # scipy's nonzdelt rule: 5% of each coordinate, 0.00025 for zeros
    n = len(x0)
    sim = np.empty((n + 1, n), dtype=x0.dtype)
    sim[0] = x0
    for k in range(n):
        y = np.array(x0, copy=True)
        y[k] = np.where(y[k] != 0, (1 + step) * y[k], 0.00025)
        sim[k + 1] = y
    return sim


def latin_hypercube_permutations(rng, n=8, d=3):
    # one permutation per column, a jitter inside each stratum
    u = rng.random((n, d))
    perms = np.column_stack([rng.permutation(n) for _ in range(d)])
    return (perms + u) / n


def latin_hypercube_argsort(lo, hi, rng, n=8):
    # the argsort-of-uniforms trick for the permutations, scaled to the box
    d = len(lo)
    P = np.argsort(rng.random((n, d)), axis=0)
    H = (P + rng.random((n, d))) / n
    return lo + H * (hi - lo)


def lhs_centered_maximin(rng, n=6, d=2, tries=3):
    # the best of a few centred LHS designs by the minimum pairwise distance
    best, best_score = np.zeros((n, d)), -np.inf
    for _ in range(tries):
        H = (np.argsort(rng.random((n, d)), axis=0) + 0.5) / n
        D = np.sqrt(((H[:, None] - H[None]) ** 2).sum(-1))
        score = D[np.triu_indices(n, 1)].min()
        better = score > best_score
        best = np.where(better, H, best)
        best_score = np.maximum(score, best_score)
    return best, best_score


def halton(n, bases=(2, 3)):
    # radical inverse by a loop over digits; the loop bounds are Python ints
    out = np.zeros((n, len(bases)))
    for j, b in enumerate(bases):
        i = np.arange(1, n + 1)
        f = 1.0
        r = np.zeros(n)
        for _ in range(int(np.ceil(np.log(n + 1) / np.log(b))) + 1):
            f /= b
            r += f * (i % b)
            i //= b
        out[:, j] = r
    return out


def lhs_scipy_qmc(n, d, seed):
    # the blog post's scipy.stats.qmc: dimension, size and seed as Python ints
    return scipy.stats.qmc.LatinHypercube(d=d, seed=seed).random(n)


def lhs_scipy_qmc_scaled(lo, hi, seed, n=6):
    sample = scipy.stats.qmc.LatinHypercube(d=len(lo), seed=seed).random(n)
    return scipy.stats.qmc.scale(sample, lo, hi)


SAMPLING = {
    "nelder_mead_fixed_iterations": (nelder_mead_fixed, {}, lambda s, n: (
        np.array([[-1.2, 1.0], [-1.0, 1.2 + 0.1 * s], [-1.3, 0.8]]) if n == 4 else
        np.array([[-1.2, 1.0, 0.5], [-1.0, 1.2, 0.4], [-1.3, 0.8, 0.6], [-1.1, 0.9, 0.3]]),)),
    "nelder_mead_initial_simplex": (initial_simplex, {}, lambda s, n: (
        _f(n, seed=s) * (np.arange(n) != 1),)),
    "latin_hypercube_column_permutations": (latin_hypercube_permutations, {"n": 8, "d": 3},
                                            lambda s, n: (_rng(s),)),
    "latin_hypercube_argsort_box": (latin_hypercube_argsort, {}, lambda s, n: (
        np.full(n, -2.0), np.linspace(1, 3, n), _rng(s))),
    "lhs_centred_maximin": (lhs_centered_maximin, {}, lambda s, n: (_rng(s),)),
    "halton_radical_inverse": (halton, {"bases": (2, 3, 5)}, lambda s, n: (5 * n,)),
}


@pytest.mark.parametrize("name", _names(SAMPLING))
def test_nelder_mead_and_sampling_match_numpy(name):
    """Nelder-Mead with a fixed iteration count and its initial simplex, Latin hypercubes by
    permutations, by argsort and by scipy.stats.qmc, a maximin LHS and Halton points."""
    check_like_numpy(*SAMPLING[name])


# ==================================================================== swarm-inspired variants


def grey_wolf_optimizer(X, rng, iters=3, lo=-10.0, hi=10.0):
    # GWO: alpha, beta, delta by argsort, a decreasing linearly from 2 to 0
    n, d = X.shape
    for t in range(iters):
        f = sphere(X)
        idx = np.argsort(f)
        leaders = X[idx[:3]]
        a = 2 - t * (2 / iters)
        X_new = np.zeros_like(X)
        for L in leaders:
            A = 2 * a * rng.random((n, d)) - a
            C = 2 * rng.random((n, d))
            D = np.abs(C * L - X)
            X_new += L - A * D
        X = np.clip(X_new / 3, lo, hi)
    f = sphere(X)
    return X[f.argmin()], f.min()


def whale_optimization(X, rng, iters=3, b=1.0):
    # WOA: encircling, spiral or random search chosen per whale by np.where
    n, d = X.shape
    best = X[np.argmin(sphere(X))]
    for t in range(iters):
        a = 2 - 2 * t / iters
        A = 2 * a * rng.random((n, 1)) - a
        C = 2 * rng.random((n, 1))
        p = rng.random((n, 1))
        l = rng.uniform(-1, 1, (n, 1))
        rand_whale = X[rng.integers(0, n, n)]
        encircle = best - A * np.abs(C * best - X)
        explore = rand_whale - A * np.abs(C * rand_whale - X)
        spiral = np.abs(best - X) * np.exp(b * l) * np.cos(2 * np.pi * l) + best
        X = np.where(p < 0.5, np.where(np.abs(A) < 1, encircle, explore), spiral)
        f = sphere(X)
        cand = X[np.argmin(f)]
        best = np.where(f.min() < np.sum(best ** 2), cand, best)
    return best


def firefly_step(X, rng, beta0=1.0, gamma=1.0, alpha=0.2):
    # each firefly moves towards every brighter one, brightness from the objective
    n, d = X.shape
    I = -ackley_population(X)
    r2 = np.sum((X[:, None, :] - X[None, :, :]) ** 2, axis=-1)
    attract = beta0 * np.exp(-gamma * r2) * (I[None, :] > I[:, None])
    move = (attract[:, :, None] * (X[None, :, :] - X[:, None, :])).sum(axis=1)
    return X + move + alpha * (rng.random((n, d)) - 0.5)


def cuckoo_levy_flights(nests, rng, beta=1.5, pa=0.25, iters=2):
    # Mantegna's algorithm with scipy.special.gamma for sigma_u
    n, d = nests.shape
    sigma_u = (scipy.special.gamma(1 + beta) * np.sin(np.pi * beta / 2)
               / (scipy.special.gamma((1 + beta) / 2) * beta * 2 ** ((beta - 1) / 2))) ** (1 / beta)
    fit = sphere(nests)
    for _ in range(iters):
        best = nests[np.argmin(fit)]
        u = rng.normal(0, sigma_u, (n, d))
        v = rng.normal(0, 1, (n, d))
        step = u / np.abs(v) ** (1 / beta)
        new = nests + 0.01 * step * (nests - best) * rng.standard_normal((n, d))
        fn = sphere(new)
        m = fn < fit
        nests[m], fit[m] = new[m], fn[m]
        empty = rng.random((n, d)) < pa
        shift = rng.random() * (nests[rng.permutation(n)] - nests[rng.permutation(n)])
        new = nests + shift * empty
        fn = sphere(new)
        m = fn < fit
        nests[m], fit[m] = new[m], fn[m]
    return nests, fit


def artificial_bee_colony(food, rng, limit=1, cycles=2):
    # ABC: employed bees, onlookers by fitness-proportional choice, scouts by trial counters
    sn, d = food.shape
    f = sphere(food)
    trial = np.zeros(sn, dtype=int)
    for _ in range(cycles):
        for phase in range(2):
            fitness = 1 / (1 + f)
            if phase == 0:
                who = np.arange(sn)
            else:
                who = rng.choice(sn, size=sn, p=fitness / fitness.sum())
            k = (who + rng.integers(1, sn, sn)) % sn
            j = rng.integers(0, d, sn)
            phi = rng.uniform(-1, 1, sn)
            v = food[who].copy()
            v[np.arange(sn), j] += phi * (food[who, j] - food[k, j])
            fv = sphere(v)
            better = fv < f[who]
            food[who[better]] = v[better]
            f[who[better]] = fv[better]
            trial[who] = np.where(better, 0, trial[who] + 1)
        scouts = trial > limit
        food[scouts] = rng.uniform(-5, 5, (sn, d))[scouts]
        f = sphere(food)
        trial[scouts] = 0
    return food, f, trial


def harmony_search(memory, rng, iters=4, hmcr=0.9, par=0.3, bw=0.2, lo=-5.0, hi=5.0):
    hms, d = memory.shape
    f = rastrigin_loop_dims(memory)
    for _ in range(iters):
        pick = memory[rng.integers(0, hms, d), np.arange(d)]
        new = np.where(rng.random(d) < hmcr, pick, rng.uniform(lo, hi, d))
        adjust = rng.random(d) < par
        new = np.where(adjust, new + bw * rng.uniform(-1, 1, d), new)
        fn = rastrigin_single(new)
        worst = np.argmax(f)
        replace = fn < f[worst]
        memory[worst] = np.where(replace, new, memory[worst])
        f[worst] = np.where(replace, fn, f[worst])
    return memory, f


def binary_pso_sigmoid(X, V, rng, iters=4):
    # binary PSO on OneMax-like weights: velocities through scipy.special.expit
    n, d = X.shape
    w = np.linspace(1.0, -0.5, d)
    P = X.copy()
    Pf = X @ w
    for _ in range(iters):
        g = P[np.argmax(Pf)]
        V = V + 2 * rng.random((n, d)) * (P - X) + 2 * rng.random((n, d)) * (g - X)
        V = np.clip(V, -4, 4)
        X = (rng.random((n, d)) < scipy.special.expit(V)).astype(np.int64)
        f = X @ w
        m = f > Pf
        P[m] = X[m]
        Pf = np.maximum(Pf, f)
    return P, Pf


SWARM = {
    "grey_wolf_leaders_argsort": (grey_wolf_optimizer, {}, lambda s, n: (
        _pop(s, 2 * n, 3, -10, 10), _rng(s))),
    "whale_nested_where": (whale_optimization, {}, lambda s, n: (_pop(s, 2 * n, 3), _rng(s))),
    "firefly_pairwise_attraction": (firefly_step, {}, lambda s, n: (_pop(s, 2 * n, 2), _rng(s))),
    "cuckoo_levy_scipy_gamma": (cuckoo_levy_flights, {}, lambda s, n: (_pop(s, 2 * n, 3), _rng(s))),
    "artificial_bee_colony_trials": (artificial_bee_colony, {}, lambda s, n: (
        _pop(s, n, 3, -5, 5), _rng(s))),
    "harmony_search_memory": (harmony_search, {}, lambda s, n: (_pop(s, n, 3, -5, 5), _rng(s))),
    "binary_pso_expit": (binary_pso_sigmoid, {}, lambda s, n: (
        _i(2, 2 * n, 6, seed=s), np.zeros((2 * n, 6)), _rng(s))),
}


@pytest.mark.parametrize("name", _names(SWARM))
def test_swarm_variants_match_numpy(name):
    """Grey wolf, whale, firefly, cuckoo search with Levy flights, artificial bee colony,
    harmony search and binary PSO through scipy.special.expit."""
    check_like_numpy(*SWARM[name])


# ====================================================================== multi-objective tools


def zdt1(X):
    f1 = X[:, 0]
    g = 1 + 9 * X[:, 1:].sum(axis=1) / (X.shape[1] - 1)
    f2 = g * (1 - np.sqrt(f1 / g))
    return np.column_stack([f1, f2])


def dtlz2(X, n_obj=3):
    # the usual loop over objectives with products of cosines
    k = X.shape[1] - n_obj + 1
    g = np.sum((X[:, n_obj - 1:] - 0.5) ** 2, axis=1)
    F = np.ones((X.shape[0], n_obj)) * (1 + g)[:, None]
    for i in range(n_obj):
        F[:, i] *= np.prod(np.cos(X[:, : n_obj - 1 - i] * np.pi / 2), axis=1)
        if i > 0:
            F[:, i] *= np.sin(X[:, n_obj - 1 - i] * np.pi / 2)
    return F, k


def dominance_matrix(F):
    # D[i, j]: i dominates j (minimisation)
    le = np.all(F[:, None, :] <= F[None, :, :], axis=2)
    lt = np.any(F[:, None, :] < F[None, :, :], axis=2)
    return le & lt


def non_dominated_mask(F):
    D = dominance_matrix(F)
    dominated_count = D.sum(axis=0)
    return dominated_count == 0, dominated_count


def non_dominated_loop(F):
    # the double loop of the tutorials, flags in a bool array
    n = len(F)
    is_eff = np.ones(n, dtype=bool)
    for i in range(n):
        for j in range(n):
            dom = np.all(F[j] <= F[i]) & np.any(F[j] < F[i])
            is_eff[i] = is_eff[i] & ~dom
    return is_eff


def is_pareto_efficient_simple(costs):
    # the StackOverflow answer, with its `if` replaced by np.where on a row mask
    is_efficient = np.ones(costs.shape[0], dtype=bool)
    for i in range(costs.shape[0]):
        c = costs[i]
        others = np.any(costs < c, axis=1) | np.all(costs == c, axis=1)
        is_efficient = np.where(is_efficient[i], is_efficient & others, is_efficient)
    return is_efficient


def nondominated_ranks(F, max_fronts=4):
    # fast non-dominated sorting by peeling a fixed number of fronts
    D = dominance_matrix(F)
    n = len(F)
    rank = np.full(n, max_fronts)
    remaining = np.ones(n, dtype=bool)
    for r in range(max_fronts):
        counts = (D & remaining[:, None]).sum(axis=0)
        front = remaining & (counts == 0)
        rank[front] = r
        remaining &= ~front
    return rank


def domination_strength_spea2(F):
    # SPEA2's strength S(i), raw fitness R(i) and k-NN density
    D = dominance_matrix(F)
    S = D.sum(axis=1)
    R = (D * S[:, None]).sum(axis=0)
    dist = np.sqrt(((F[:, None] - F[None]) ** 2).sum(-1))
    k = int(np.sqrt(len(F)))
    sigma_k = np.sort(dist, axis=1)[:, k]
    return S, R, R + 1 / (sigma_k + 2)


def crowding_distance(F):
    n, m = F.shape
    dist = np.zeros(n)
    for k in range(m):
        order = np.argsort(F[:, k])
        fk = F[order, k]
        dist[order[0]] = np.inf
        dist[order[-1]] = np.inf
        span = fk[-1] - fk[0]
        dist[order[1:-1]] += (fk[2:] - fk[:-2]) / np.where(span == 0, 1.0, span)
    return dist


def crowding_distance_vectorised(F):
    # pymoo-style: sort all columns at once, distances to neighbours, then undo the sort
    n, m = F.shape
    I = np.argsort(F, axis=0, kind="mergesort")
    Fs = F[I, np.arange(m)]
    gap = np.vstack([np.full(m, np.inf), Fs]) - np.vstack([Fs, np.full(m, -np.inf)])
    norm = Fs.max(axis=0) - Fs.min(axis=0)
    norm[norm == 0] = np.nan
    dist_to_last, dist_to_next = gap[:-1] / norm, gap[1:] / norm
    J = np.argsort(I, axis=0)
    cd = np.sum(dist_to_last[J, np.arange(m)] + dist_to_next[J, np.arange(m)], axis=1) / m
    return cd


def nsga2_survival(F, n_survive):
    # rank first, then crowding, by lexsort on (-crowding, rank)
    rank = nondominated_ranks(F, max_fronts=5)
    cd = crowding_distance(F)
    order = np.lexsort((-cd, rank))
    return order[:n_survive], rank, cd


def hypervolume_2d(front, ref):
    # the front is assumed non-dominated: sort by f1 and sum rectangles
    P = front[np.argsort(front[:, 0])]
    widths = np.diff(np.append(P[:, 0], ref[0]))
    heights = ref[1] - P[:, 1]
    return np.sum(widths * heights)


def hypervolume_2d_masked(F, ref):
    # dominated points collapse onto the reference point, so they add no area
    nd, _ = non_dominated_mask(F)
    P = np.where(nd[:, None], F, ref)
    P = P[np.argsort(P[:, 0])]
    prev = np.minimum.accumulate(np.concatenate([[ref[1]], P[:-1, 1]]))
    return np.sum((ref[0] - P[:, 0]) * np.maximum(prev - P[:, 1], 0))


def scalarisations(F, weights, z_star):
    ws = F @ weights.T
    tch = np.max(weights[None, :, :] * np.abs(F[:, None, :] - z_star), axis=2)
    pbi_d1 = np.abs((F - z_star) @ weights.T) / np.linalg.norm(weights, axis=1)
    return ws, tch, tch.argmin(axis=0), pbi_d1


def igd_and_gd(approx, reference):
    d = np.linalg.norm(reference[:, None, :] - approx[None, :, :], axis=-1)
    igd = d.min(axis=1).mean()
    gd = np.sqrt(np.sum(d.min(axis=0) ** 2)) / len(approx)
    return {"igd": igd, "gd": gd}


def das_dennis_weights(n_partitions=4):
    # weight vectors on the 2-simplex by a double loop over Python ints
    W = []
    for i in range(n_partitions + 1):
        for j in range(n_partitions + 1 - i):
            W.append([i, j, n_partitions - i - j])
    return np.array(W, dtype=float) / n_partitions


def moead_neighbourhood_update(X, F, W, z, rng, T=3):
    # MOEA/D: Tchebycheff, neighbours by argsort of weight distances, new child per subproblem
    n = len(W)
    B = np.argsort(np.linalg.norm(W[:, None] - W[None], axis=-1), axis=1)[:, :T]
    for i in range(n):
        k, l = B[i, rng.integers(0, T, 2)]
        y = X[k] + 0.5 * (X[l] - X[k]) + 0.05 * rng.standard_normal(X.shape[1])
        fy = zdt1(np.clip(y, 0, 1)[None])[0]
        z = np.minimum(z, fy)
        g_old = np.max(W[B[i]] * np.abs(F[B[i]] - z), axis=1)
        g_new = np.max(W[B[i]] * np.abs(fy - z), axis=1)
        upd = g_new <= g_old
        X[B[i]] = np.where(upd[:, None], np.clip(y, 0, 1), X[B[i]])
        F[B[i]] = np.where(upd[:, None], fy, F[B[i]])
    return X, F, z


def _mo(s, n, d=4):
    return zdt1(_u(s, 2 * n, d))


MO = {
    "zdt1_column_stack": (zdt1, {}, lambda s, n: (_u(s, 2 * n, 5),)),
    "dtlz2_loop_over_objectives": (dtlz2, {}, lambda s, n: (_u(s, 2 * n, 5),)),
    "non_dominated_mask_counts": (non_dominated_mask, {}, lambda s, n: (
        np.round(_mo(s, n), 1),)),
    "non_dominated_double_loop": (non_dominated_loop, {}, lambda s, n: (_mo(s, n // 2 + 1),)),
    "is_pareto_efficient_simple": (is_pareto_efficient_simple, {}, lambda s, n: (
        np.round(_mo(s, n), 1),)),
    "nondominated_ranks_peeling": (nondominated_ranks, {}, lambda s, n: (_mo(s, n),)),
    "spea2_strength_density": (domination_strength_spea2, {}, lambda s, n: (_mo(s, n),)),
    "crowding_distance_inf_ends": (crowding_distance, {}, lambda s, n: (_mo(s, n),)),
    "crowding_distance_vectorised_nan_norm": (crowding_distance_vectorised, {}, lambda s, n: (
        np.column_stack([_u(s, 2 * n), np.ones(2 * n), _u(s + 1, 2 * n)]),)),
    "nsga2_survival_lexsort": (nsga2_survival, {"n_survive": 5}, lambda s, n: (_mo(s, n),)),
    "hypervolume_2d_sorted": (hypervolume_2d, {}, lambda s, n: (
        np.column_stack([np.linspace(0.1, 0.9, n) + 0.01 * s,
                         1 - np.sqrt(np.linspace(0.1, 0.9, n))]),
        np.array([1.1, 1.1]))),
    "hypervolume_2d_dominated_to_ref": (hypervolume_2d_masked, {}, lambda s, n: (
        _mo(s, n), np.array([1.5, 11.0]))),
    "weighted_sum_tchebycheff_pbi": (scalarisations, {}, lambda s, n: (
        _mo(s, n), das_dennis_weights(3)[:, :2] + 0.05, np.zeros(2))),
    "igd_gd_dict": (igd_and_gd, {}, lambda s, n: (
        _mo(s, n), zdt1(np.column_stack([np.linspace(0, 1, 3 * n), np.zeros((3 * n, 3))])))),
    "moead_neighbourhood_update": (moead_neighbourhood_update, {}, lambda s, n: (
        _u(s, n, 3), zdt1(_u(s, n, 3)),
        np.column_stack([np.linspace(0, 1, n), 1 - np.linspace(0, 1, n)]),
        zdt1(_u(s, n, 3)).min(axis=0), _rng(s))),
}


@pytest.mark.parametrize("name", _names(MO))
def test_multi_objective_matches_numpy(name):
    """ZDT and DTLZ problems, non-dominated masks by broadcasting and by loops,
    non-dominated ranks, SPEA2 strengths, crowding distances, NSGA-II survival by lexsort,
    2-D hypervolumes, scalarisations, IGD and a MOEA/D step on Das-Dennis weights."""
    check_like_numpy(*MO[name])


# ================================================================ knapsack and TSP encodings


def knapsack_fitness_penalty(pop, values, weights, capacity):
    # 0/1 genomes as ints: value, weight, a penalty for the excess
    total_v = pop @ values
    total_w = pop @ weights
    over = np.maximum(total_w - capacity, 0)
    return np.where(over > 0, total_v - 10 * over, total_v), total_w


def knapsack_fitness_zero(pop_bool, values, weights, capacity):
    # booleans straight into sums, infeasible ones worth zero
    v = np.where(pop_bool, values, 0).sum(axis=1)
    w = (pop_bool * weights).sum(axis=1)
    return np.where(w <= capacity, v, 0)


def knapsack_greedy_repair(pop, values, weights, capacity):
    # drop items in order of worst value density until the knapsack fits
    order = np.argsort(values / weights)[::-1]
    taken = pop[:, order].astype(bool)
    cumw = np.cumsum(np.where(taken, weights[order], 0), axis=1)
    keep = taken & (cumw <= capacity)
    repaired = np.zeros_like(pop)
    repaired[:, order] = keep
    return repaired, repaired @ values


def knapsack_ga(pop, values, weights, capacity, rng, generations=3, pm=0.05):
    n, L = pop.shape
    best_v = np.zeros(generations, dtype=values.dtype)
    for g in range(generations):
        fit, _ = knapsack_fitness_penalty(pop, values, weights, capacity)
        elite = pop[np.argmax(fit)].copy()
        i, j = rng.integers(0, n, (2, n))
        par = np.where((fit[i] > fit[j])[:, None], pop[i], pop[j])
        cut = rng.integers(1, L, n // 2)
        m = np.arange(L) < cut[:, None]
        a, b = par[: n // 2], par[n // 2:]
        kids = np.concatenate([np.where(m, a, b), np.where(m, b, a)])
        flip = rng.random(kids.shape) < pm
        kids = np.where(flip, 1 - kids, kids)
        kids[0] = elite
        pop = kids
        best_v[g] = fit.max()
    return pop, best_v


def random_keys_tour(keys, coords):
    # random-key encoding: the tour is the argsort of the keys
    tour = np.argsort(keys, axis=-1)
    pts = coords[tour]
    seg = pts - np.roll(pts, -1, axis=-2)
    return tour, np.sqrt((seg ** 2).sum(-1)).sum(-1)


def tour_length_distance_matrix(tours, D):
    # a population of permutations through a distance matrix by fancy indexing
    return D[tours, np.roll(tours, -1, axis=1)].sum(axis=1)


def tour_length_loop(tour, coords):
    total = 0.0
    n = len(tour)
    for i in range(n):
        a = coords[tour[i]]
        b = coords[tour[(i + 1) % n]]
        total += np.hypot(*(a - b))
    return total


def distance_matrix_from_coords(coords):
    diff = coords[:, np.newaxis, :] - coords[np.newaxis, :, :]
    D = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    np.fill_diagonal(D, np.inf)
    return D


def nearest_neighbour_tour(D, start=0):
    # visited mask and np.where inside a loop of fixed length
    n = len(D)
    tour = np.zeros(n, dtype=int)
    tour[0] = start
    visited = np.zeros(n, dtype=bool)
    visited[start] = True
    cur = start
    for k in range(1, n):
        nxt = np.argmin(np.where(visited, np.inf, D[cur]))
        tour[k] = nxt
        visited[nxt] = True
        cur = nxt
    return tour


def two_opt_gains(tour, D):
    # the gain of reversing tour[i+1..j] for every pair at once
    n = len(tour)
    a = tour
    b = np.roll(tour, -1)
    gain = D[a[:, None], b[:, None]] + D[a[None, :], b[None, :]] \
        - D[a[:, None], a[None, :]] - D[b[:, None], b[None, :]]
    gain = np.triu(gain, 2)
    gain[0, n - 1] = 0
    i, j = np.unravel_index(np.argmax(gain), gain.shape)
    return gain.max(), i, j


def two_opt_apply_by_index(tour, i, j):
    # the reversal written as an index map, so i and j can stay traced
    pos = np.arange(len(tour))
    inside = (pos > i) & (pos <= j)
    return tour[np.where(inside, i + 1 + j - pos, pos)]


def swap_mutation_population(tours, rng, pm=0.5):
    n, L = tours.shape
    i = rng.integers(0, L, n)
    j = rng.integers(0, L, n)
    do = rng.random(n) < pm
    rows = np.arange(n)
    out = tours.copy()
    ti, tj = out[rows, i], out[rows, j]
    out[rows, i] = np.where(do, tj, ti)
    out[rows, j] = np.where(do, ti, tj)
    return out


def inversion_mutation(tour, rng):
    i, j = np.sort(rng.choice(len(tour), 2, replace=False))
    return two_opt_apply_by_index(tour, i - 1, j)


def insertion_by_random_keys(keys, rng, sigma=0.1):
    # mutation in key space, then the permutations by argsort, and their inverses
    new = keys + sigma * rng.standard_normal(keys.shape)
    perm = np.argsort(new, axis=1)
    inv = np.empty_like(perm)
    np.put_along_axis(inv, perm, np.arange(keys.shape[1])[None].repeat(len(keys), 0), axis=1)
    return perm, inv


def qap_cost(perms, F, D):
    # QAP: sum F[i, j] * D[p[i], p[j]] for a population of permutations
    return np.array([np.sum(F * D[np.ix_(p, p)]) for p in perms])


def pmx_free_cycle_crossover_keys(k1, k2, rng):
    # crossover of random keys avoids repairing permutations: uniform on the keys
    m = rng.random(k1.shape) < 0.5
    child = np.where(m, k1, k2)
    return np.argsort(child, axis=1)


def aco_tour_probabilities(tau, eta, visited, cur, alpha=1.0, beta=2.0):
    # ant colony: transition probabilities from the current city over the unvisited ones
    w = tau[cur] ** alpha * eta[cur] ** beta
    w = np.where(visited, 0.0, w)
    return w / w.sum()


def aco_construct_tours(tau, D, rng, n_ants=3, alpha=1.0, beta=2.0):
    # tours built by roulette over the allowed cities, pheromone deposited by np.add.at
    n = len(D)
    eta = 1.0 / (D + np.eye(n))
    tours = np.zeros((n_ants, n), dtype=np.int64)
    for a in range(n_ants):
        visited = np.zeros(n, dtype=bool)
        cur = 0
        visited[0] = True
        for k in range(1, n):
            p = aco_tour_probabilities(tau, eta, visited, cur, alpha, beta)
            nxt = np.searchsorted(np.cumsum(p), rng.random())
            nxt = np.minimum(nxt, n - 1)
            tours[a, k] = nxt
            visited[nxt] = True
            cur = nxt
    L = D[tours, np.roll(tours, -1, axis=1)].sum(axis=1)
    delta = np.zeros_like(tau)
    np.add.at(delta, (tours, np.roll(tours, -1, axis=1)), (1.0 / L)[:, None])
    return tours, L, 0.5 * tau + delta


def _coords(s, n):
    return _u(s, n + 2, 2) * 10


def _plain_dist(s, n):
    c = _u(s, n, 2) * 10
    return np.sqrt(((c[:, None] - c[None]) ** 2).sum(-1))


COMBO = {
    "knapsack_penalty_int_genomes": (knapsack_fitness_penalty, {}, lambda s, n: (
        _i(2, 2 * n, 8, seed=s), _i(20, 8, seed=9) + 1, _i(10, 8, seed=8) + 1, 25)),
    "knapsack_where_bool_genomes": (knapsack_fitness_zero, {}, lambda s, n: (
        _u(s, 2 * n, 8) < 0.5, _i(20, 8, seed=9) + 1, _i(10, 8, seed=8) + 1, 25)),
    "knapsack_greedy_repair_cumsum": (knapsack_greedy_repair, {}, lambda s, n: (
        _i(2, 2 * n, 8, seed=s), _i(20, 8, seed=9) + 1.0, _i(10, 8, seed=8) + 1.0, 20.0)),
    "knapsack_ga_int_history": (knapsack_ga, {}, lambda s, n: (
        _i(2, 2 * n, 8, seed=s), _i(20, 8, seed=9) + 1, _i(10, 8, seed=8) + 1, 25, _rng(s))),
    "tsp_random_keys_roll": (random_keys_tour, {}, lambda s, n: (_u(s, 3, n + 2), _coords(7, n))),
    "tsp_tour_lengths_fancy": (tour_length_distance_matrix, {}, lambda s, n: (
        np.argsort(_u(s, 4, n + 2), axis=1), distance_matrix_from_coords(_coords(7, n)))),
    "tsp_tour_length_loop_hypot": (tour_length_loop, {}, lambda s, n: (
        _rng(s).permutation(n + 2), _coords(7, n))),
    "tsp_distance_matrix_fill_diagonal": (distance_matrix_from_coords, {}, lambda s, n: (
        _coords(s, n),)),
    "tsp_nearest_neighbour_visited_mask": (nearest_neighbour_tour, {}, lambda s, n: (
        distance_matrix_from_coords(_coords(s, n)),)),
    "tsp_two_opt_gain_matrix": (two_opt_gains, {}, lambda s, n: (
        _rng(s).permutation(n + 2), distance_matrix_from_coords(_coords(7, n)))),
    "tsp_two_opt_index_map": (two_opt_apply_by_index, {}, lambda s, n: (
        _rng(s).permutation(n + 3), np.int64(1), np.int64(n))),
    "tsp_swap_mutation_rows": (swap_mutation_population, {}, lambda s, n: (
        np.argsort(_u(s, 2 * n, 6), axis=1), _rng(s))),
    "tsp_inversion_choice_no_replace": (inversion_mutation, {}, lambda s, n: (
        _rng(s).permutation(n + 3), _rng(s + 1))),
    "random_keys_put_along_axis_inverse": (insertion_by_random_keys, {}, lambda s, n: (
        _u(s, n, 5), _rng(s))),
    "qap_ix_population": (qap_cost, {}, lambda s, n: (
        np.argsort(_u(s, 3, n), axis=1), _i(5, n, n, seed=1), _i(9, n, n, seed=2))),
    "random_key_uniform_crossover": (pmx_free_cycle_crossover_keys, {}, lambda s, n: (
        _u(s, n, 6), _u(s + 1, n, 6), _rng(s))),
    "aco_construct_add_at_pheromone": (aco_construct_tours, {}, lambda s, n: (
        np.ones((n, n)), _plain_dist(s, n), _rng(s))),
}


@pytest.mark.parametrize("name", _names(COMBO))
def test_knapsack_and_tsp_match_numpy(name):
    """0/1 knapsack fitness, repair and a GA; TSP by random keys and permutations, tour
    lengths by np.roll, loops and fancy indexing, nearest-neighbour tours, 2-opt gains and
    moves, swap, inversion and key-space mutations, QAP by np.ix_ and ant colony tours."""
    check_like_numpy(*COMBO[name])


# -------------------------------------------------------------- Python scalars that steer


def onemax_seeded(n_bits, pop_size, generations, seed):
    rng = np.random.default_rng(seed)
    pop = rng.integers(0, 2, size=(pop_size, n_bits))
    return onemax_ga(pop, rng, generations)


def de_init_inside(pop_size, dim, seed, F=0.8, CR=0.9):
    rng = np.random.default_rng(seed)
    pop = rng.uniform(-5, 5, (pop_size, dim))
    return de_rand_1_bin(pop, rng, F, CR, generations=3)


def pso_legacy_seed(n_particles, dim, iters, seed):
    # the older tutorials: np.random.seed and the global functions
    np.random.seed(seed)
    X = np.random.uniform(-5.12, 5.12, (n_particles, dim))
    V = np.random.randn(n_particles, dim) * 0.1
    P, Pf = X.copy(), rastrigin_loop_dims(X)
    for _ in range(iters):
        g = P[Pf.argmin()]
        V = 0.7 * V + 1.5 * np.random.rand(n_particles, dim) * (P - X) \
            + 1.5 * np.random.rand(n_particles, dim) * (g - X)
        X = X + V
        f = rastrigin_loop_dims(X)
        better = f < Pf
        P[better], Pf[better] = X[better], f[better]
    return P[Pf.argmin()], Pf.min()


def sa_positional(x0, T0, steps, seed):
    return simulated_annealing(x0, np.random.default_rng(seed), T0, 0.9, steps)


def lhs_positional(n, d, seed):
    return latin_hypercube_permutations(np.random.default_rng(seed), n, d)


def das_dennis_positional(p):
    return das_dennis_weights(p)


def es_lambda_positional(parents, lam, generations, seed):
    return mu_comma_lambda_es(parents, np.random.default_rng(seed), lam, 0.5, generations)


def random_search_budget(budget, dim, seed):
    # a budget of evaluations split into batches of 10
    rng = np.random.default_rng(seed)
    return random_search_batches(np.full(dim, -500.0), np.full(dim, 500.0), rng,
                                 budget // 10, 10)


STEERED = {
    "lhs_scipy_qmc_python_int_dimension": (lhs_scipy_qmc, lambda s: (4 + s, 2, s)),
    "onemax_bits_pop_generations_seed": (onemax_seeded, lambda s: (8 + s, 4 * s, 2 + s, s)),
    "de_pop_size_dim_seed": (de_init_inside, lambda s: (4 + 2 * s, s + 1, 10 * s)),
    "pso_np_random_seed_global": (pso_legacy_seed, lambda s: (3 * s + 2, 2, s + 1, s)),
    "sa_steps_seed": (sa_positional, lambda s: (np.full(3, 2.0 * s), 5.0, 5 * s, s)),
    "lhs_n_d_seed": (lhs_positional, lambda s: (4 * s, s + 1, s)),
    "das_dennis_partitions": (das_dennis_positional, lambda s: (2 + s,)),
    "es_lambda_generations_seed": (es_lambda_positional, lambda s: (
        _pop(s, 3, 2), 6 * s, s + 1, 7)),
    "random_search_budget_floor_div": (random_search_budget, lambda s: (20 * s, 2, s)),
}


@pytest.mark.parametrize("name", _names(STEERED))
def test_python_scalars_that_steer_the_code_are_made_static(name):
    """Bit counts, population sizes, dimensions, generation and step counts, seeds of
    generators made inside and of `np.random.seed`, partitions and evaluation budgets:
    made static, NumPy's values."""
    check_steered(*STEERED[name])


# --------------------------------------------------------------------------- refused forms


def nelder_mead_tolerance(simplex, tol=1e-6):
    # the stopping rule on the spread of the simplex values
    f = rosenbrock_diff(simplex)
    while np.std(f) > tol:
        order = np.argsort(f)
        simplex, f = simplex[order], f[order]
        c = simplex[:-1].mean(axis=0)
        simplex[-1] = c + 0.5 * (simplex[-1] - c)
        f = rosenbrock_diff(simplex)
    return simplex[0]


def sa_python_if(x, rng, T=1.0, steps=20):
    fx = np.sum(x ** 2)
    for _ in range(steps):
        y = x + rng.normal(0, 0.3, x.shape)
        fy = np.sum(y ** 2)
        if fy < fx or rng.random() < np.exp((fx - fy) / T):
            x, fx = y, fy
        T *= 0.9
    return x, fx


def hill_climb_if_better(x, rng, steps=10):
    best = rastrigin_single(x)
    for _ in range(steps):
        cand = x + 0.1 * rng.standard_normal(x.size)
        fc = rastrigin_single(cand)
        if fc < best:
            x, best = cand, fc
    return x, best


def de_rejection_sampling(pop, rng, F=0.5):
    # the textbook's distinct indices: draw again while one equals i
    n = len(pop)
    trial = np.empty_like(pop)
    for i in range(n):
        r1 = rng.integers(n)
        while r1 == i:
            r1 = rng.integers(n)
        r2 = rng.integers(n)
        while r2 == i or r2 == r1:
            r2 = rng.integers(n)
        trial[i] = pop[i] + F * (pop[r1] - pop[r2])
    return trial


def pareto_front_points(F):
    nd = ~dominance_matrix(F).any(axis=0)
    return F[nd]


def unique_individuals(pop):
    # diversity as the number of distinct genomes
    return np.unique(pop, axis=0).shape[0] / len(pop)


def order_crossover(p1, p2, a=2, b=5):
    n = len(p1)
    child = [-1] * n
    child[a:b] = p1[a:b]
    fill = [g for g in p2 if g not in child]
    for k in range(n):
        if child[k] == -1:
            child[k] = fill.pop(0)
    return np.array(child)


def ga_early_stopping(pop, rng, patience=3, max_gen=30):
    best, stall = np.inf, 0
    for _ in range(max_gen):
        f = sphere(pop)
        if f.min() < best - 1e-9:
            best, stall = f.min(), 0
        else:
            stall += 1
        if stall >= patience:
            break
        pop = pop[np.argsort(f)][np.r_[0:len(pop) // 2, 0:len(pop) // 2]] \
            + 0.1 * rng.standard_normal(pop.shape)
    return best


def knapsack_repair_while(x, values, weights, capacity, rng):
    x = x.copy()
    while x @ weights > capacity:
        on = np.flatnonzero(x)
        x[on[rng.integers(len(on))]] = 0
    return x, x @ values


def two_opt_slice_reversal(tour, D):
    gain, i, j = two_opt_gains(tour, D)
    new = tour.copy()
    new[i + 1: j + 1] = new[i + 1: j + 1][::-1]
    return new


def roulette_python_loop(pop, fitness, rng):
    r = rng.random() * fitness.sum()
    acc = 0.0
    for ind, f in zip(pop, fitness):
        acc += f
        if acc >= r:
            return ind
    return pop[-1]


def sort_by_python_key(pop, fit):
    order = sorted(range(len(pop)), key=lambda i: fit[i])
    return pop[order]


def lhs_scipy_generator_arg(lo, hi, rng, n=6):
    # scipy's engine spawns a child of the generator it is given
    sample = scipy.stats.qmc.LatinHypercube(d=len(lo), seed=rng).random(n)
    return scipy.stats.qmc.scale(sample, lo, hi)


def best_of_python_list(X):
    # a population kept as a Python list of arrays, the best picked by np.argmin
    population = [X[i] for i in range(len(X))]
    fitnesses = [rastrigin_single(ind) for ind in population]
    return population[np.argmin(fitnesses)], min(fitnesses)


def best_by_max_key(X):
    return max(list(X), key=lambda ind: -np.sum(ind ** 2))


_Concretization = tracenp.ConcretizationError
_DataDependent = tracenp.errors.DataDependentShapeError

REFUSED = {
    "lhs_scipy_qmc_scale_traced_bounds": (_Concretization, lhs_scipy_qmc_scaled, lambda s: (
        np.zeros(2), np.full(2, 3.0 + s), 7)),
    "nelder_mead_while_std_tol": (_Concretization, nelder_mead_tolerance, lambda s: (
        np.array([[-1.2, 1.0], [-1.0, 1.2 + 0.1 * s], [-1.3, 0.8]]),)),
    "sa_python_if_acceptance": (_Concretization, sa_python_if, lambda s: (
        np.full(3, 1.0 + s), _rng(s))),
    "hill_climb_python_if_better": (_Concretization, hill_climb_if_better, lambda s: (
        np.full(3, 0.5 * s), _rng(s))),
    "de_while_rejection_indices": (_Concretization, de_rejection_sampling, lambda s: (
        _pop(s, 6, 2), _rng(s))),
    "pareto_front_by_mask": (_DataDependent, pareto_front_points, lambda s: (_mo(s, 4),)),
    "np_unique_rows_diversity": (_DataDependent, unique_individuals, lambda s: (
        _i(2, 10, 3, seed=s),)),
    "order_crossover_not_in_child": (_Concretization, order_crossover, lambda s: (
        _rng(s).permutation(8), _rng(s + 1).permutation(8))),
    "ga_early_stopping_break": (_Concretization, ga_early_stopping, lambda s: (
        _pop(s, 6, 2), _rng(s))),
    "knapsack_repair_while_overweight": (_Concretization, knapsack_repair_while, lambda s: (
        np.ones(8, dtype=int), _i(20, 8, seed=9) + 1, _i(10, 8, seed=8) + 1, 20, _rng(s))),
    "two_opt_traced_slice_reversal": (_DataDependent, two_opt_slice_reversal, lambda s: (
        _rng(s).permutation(7), distance_matrix_from_coords(_coords(7, 5)))),
    "roulette_python_for_if_return": (_Concretization, roulette_python_loop, lambda s: (
        _pop(s, 6, 2), _u(s, 6), _rng(s))),
    "sorted_python_key_on_fitness": (_Concretization, sort_by_python_key, lambda s: (
        _pop(s, 5, 2), _u(s, 5))),
    "list_population_indexed_by_argmin": (_Concretization, best_of_python_list, lambda s: (
        _pop(s, 6, 2),)),
    "python_max_key_fitness": (_Concretization, best_by_max_key, lambda s: (_pop(s, 6, 2),)),
    "scipy_lhs_spawns_generator_arg": (tracenp.errors.RandomInTraceError,
                                       lhs_scipy_generator_arg, lambda s: (
                                           np.zeros(2), np.full(2, 3.0), _rng(s))),
}


@pytest.mark.parametrize("name", _names(REFUSED))
def test_data_dependent_python_and_shapes_are_refused(name):
    """Nelder-Mead until a tolerance, `if` on acceptance draws and on better fitness, DE's
    `while r1 == i`, the Pareto front by a mask, `np.unique` rows, order crossover with
    `not in`, early stopping, repair while overweight, a traced slice reversal, a roulette
    loop with `return`, `sorted` by a fitness key and scipy's LHS spawning the generator:
    the named error, NumPy's values under `fallback=True`."""
    check_refused(*REFUSED[name])


# ------------------------------------------------------------ a generator handed back


def ga_step_returning_rng(pop, rng, sigma=0.2):
    # the functional style: the step returns the generator it drew from, for the next step
    fit = sphere(pop)
    parents = pop[np.argsort(fit)[: len(pop) // 2]]
    kids = parents + sigma * rng.standard_normal(parents.shape)
    return np.concatenate([parents, kids]), rng


def test_generator_argument_returned_is_the_callers_generator():
    """`pop, rng = step(pop, rng)`: NumPy's values, the same generator object back, and the
    next draw from it is NumPy's next draw."""
    jf = tracenp.jit(ga_step_returning_rng)
    for seed, size in ((1, 4), (2, 4), (3, 6)):
        pop = _pop(seed, 2 * size, 3)
        want_rng, got_rng = _rng(seed), _rng(seed)
        want_pop, want_back = ga_step_returning_rng(pop.copy(), want_rng)
        got_pop, got_back = jf(pop.copy(), got_rng)
        np.testing.assert_allclose(got_pop, want_pop, rtol=1e-12)
        assert got_back is got_rng
        np.testing.assert_array_equal(got_back.random(3), want_back.random(3))
