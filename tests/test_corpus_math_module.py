"""Corpus: Python's `math` module on traced scalars, as per-point code writes it.

Geometry and physics loops call `math.sqrt(dx*dx + dy*dy)`, `math.atan2(y, x)`,
`math.exp(-e / kT)` on elements of arrays (`x[i]`) and on reductions (`a.sum()`); haversine
distances take `math.radians` of coordinates; Box-Muller turns two uniform draws of a
`Generator` into normals with `math.log` and `math.cos`; the statistics of small samples use
`math.lgamma`, `math.erf` and `math.fsum`. Under NumPy each returns a Python float (an int, a
bool), which NumPy promotes weakly: a float32 array times `math.sqrt(s)` stays float32.

Same protocol as `test_corpus.py`: two calls with new data of one shape and one with another
shape under `tracenp.jit`, NumPy's values and dtypes each time. Where `math` raises for a value
(`math.sqrt(-1.0)`), the compiled function raises the same error when it runs.
"""

from __future__ import annotations

import math
from math import atan2, cos, exp, floor, hypot, log, pi, sin, sqrt

import numpy as np
import pytest

import tracenp
from test_corpus import _f, check_like_numpy, check_refused
from test_corpus_hunt_g import bs_lambda_erf
from test_corpus_hunt_m import sto3g_overlap_math
from test_corpus_hunt_p import polyline_length_math
from test_corpus_hunt_q import lgamma_math_loop
from test_ops import assert_same

# ----------------------------------------------------------------------------- geometry


def polyline_length(pts):
    total = 0.0
    for i in range(len(pts) - 1):
        dx = pts[i + 1, 0] - pts[i, 0]
        dy = pts[i + 1, 1] - pts[i, 1]
        total += math.sqrt(dx * dx + dy * dy)
    return total


def polygon_perimeter_hypot(pts):
    n = len(pts)
    return sum(hypot(pts[(i + 1) % n, 0] - pts[i, 0], pts[(i + 1) % n, 1] - pts[i, 1])
               for i in range(n))


def heading_angles(pts):
    out = np.empty(len(pts) - 1)
    for i in range(len(pts) - 1):
        out[i] = math.degrees(atan2(pts[i + 1, 1] - pts[i, 1], pts[i + 1, 0] - pts[i, 0]))
    return out


def rotate_points(pts, theta):
    c, s = math.cos(theta[0]), math.sin(theta[0])
    return pts @ np.array([[c, -s], [s, c]])


def haversine(lat1, lon1, lat2, lon2):
    R = 6371.0
    out = np.empty(len(lat1))
    for i in range(len(lat1)):
        p1, p2 = math.radians(lat1[i]), math.radians(lat2[i])
        dp = p2 - p1
        dl = math.radians(lon2[i] - lon1[i])
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        out[i] = 2 * R * math.atan2(math.sqrt(a), math.sqrt(1 - a))
    return out


def circle_area(r):
    return math.pi * r.sum() ** 2, pi * math.pow(r[0], 2)


def dist_between(p, q):
    return math.dist(p, q)


def triangle_area_heron(tri):
    a = math.dist(tri[0], tri[1])
    b = math.dist(tri[1], tri[2])
    c = math.dist(tri[2], tri[0])
    s = (a + b + c) / 2
    return math.sqrt(s * (s - a) * (s - b) * (s - c))


def angle_between(u, v):
    cosang = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
    return math.acos(max(-1.0, min(1.0, cosang)))


def polar_coords(xy):
    r = np.empty(len(xy))
    t = np.empty(len(xy))
    for i, (x, y) in enumerate(xy):
        r[i] = math.hypot(x, y)
        t[i] = math.atan2(y, x)
    return r, t


def wrap_angle(theta):
    return np.array([math.remainder(t, 2 * math.pi) for t in theta])


def vector_norm3(v):
    return math.hypot(v[0], v[1], v[2])


def float32_scaled(x):
    return x * math.sqrt(x.sum() ** 2)  # x is float32: stays float32


# ----------------------------------------------------------------------------- physics


def boltzmann_weights(E, kT):
    w = np.empty_like(E)
    for i in range(len(E)):
        w[i] = math.exp(-E[i] / kT[0])
    return w / w.sum()


def metropolis_accept_prob(dE, T):
    return np.array([min(1.0, exp(-d / T[0])) for d in dE])


def pendulum_euler(theta0, omega0, g=9.81, L=1.0, dt=0.01, steps=20):
    theta, omega = theta0[0], omega0[0]
    for _ in range(steps):
        omega = omega - g / L * math.sin(theta) * dt
        theta = theta + omega * dt
    return theta, omega


def projectile_range(v, angle_deg):
    a = math.radians(angle_deg[0])
    return v ** 2 * math.sin(2 * a) / 9.81


def damped_oscillator(t, A=1.0, gamma=0.3, w=2.0):
    return np.array([A * math.exp(-gamma * ti) * math.cos(w * ti) for ti in t])


def arrhenius_rate(T, A=1e3, Ea=5e3):
    return [A * math.exp(-Ea / (8.314 * t)) for t in T]


def escape_velocity(M, r, G=6.674e-11):
    return math.sqrt(2 * G * M.sum() / r[0])


def lennard_jones_energy(pos):
    e = 0.0
    n = len(pos)
    for i in range(n):
        for j in range(i + 1, n):
            r = math.sqrt(((pos[i] - pos[j]) ** 2).sum())
            e += 4 * ((1 / r) ** 12 - (1 / r) ** 6)
    return e


def coulomb_force_mag(q, r):
    return 8.99e9 * abs(q[0] * q[1]) / math.pow(r[0], 2)


def log_decay(n0, t, half_life):
    lam = math.log(2) / half_life[0]
    return n0 * math.exp(-lam * t[0])


def tanh_activation_scalar(x):
    return [math.tanh(v) for v in x]


def sigmoid_loop(x):
    out = np.empty_like(x)
    for i in range(len(x)):
        out[i] = 1.0 / (1.0 + math.exp(-x[i]))
    return out


def softplus_loop(x):
    return np.array([math.log1p(math.exp(v)) for v in x])


# ----------------------------------------------------------------------------- statistics


def box_muller(rng, n):
    out = np.empty(2 * n)
    for i in range(n):
        u1, u2 = rng.random(), rng.random()
        r = math.sqrt(-2.0 * math.log(u1))
        out[2 * i] = r * math.cos(2 * math.pi * u2)
        out[2 * i + 1] = r * math.sin(2 * math.pi * u2)
    return out


def box_muller_first(rng):
    u = rng.random(2)
    return sqrt(-2.0 * log(u[0])) * cos(2 * pi * u[1])


def normal_cdf_loop(x):
    return np.array([0.5 * (1.0 + math.erf(v / math.sqrt(2.0))) for v in x])


def normal_sf(x):
    return [0.5 * math.erfc(v / math.sqrt(2)) for v in x]


def log_binomial_pmf(k, n, p):
    out = np.empty(len(k))
    for i in range(len(k)):
        out[i] = (math.lgamma(n[i] + 1) - math.lgamma(k[i] + 1) - math.lgamma(n[i] - k[i] + 1)
                  + k[i] * math.log(p[i]) + (n[i] - k[i]) * math.log1p(-p[i]))
    return out


def gamma_pdf(x, a):
    return np.array([v ** (a[0] - 1) * math.exp(-v) / math.gamma(a[0]) for v in x])


def beta_function(a, b):
    return math.gamma(a[0]) * math.gamma(b[0]) / math.gamma(a[0] + b[0])


def exact_mean(x):
    return math.fsum(x) / len(x)


def fsum_of_list(x):
    return math.fsum([v * v for v in x])


def geometric_mean_log(x):
    return math.exp(sum(math.log(v) for v in x) / len(x))


def product_of_elements(x):
    return math.prod(x), math.prod([x[0], x[1]], start=2.0)


def log10_magnitude(x):
    return [math.floor(math.log10(abs(v))) for v in x]


def entropy_bits(p):
    return -sum(v * math.log2(v) for v in p if True)


def welford_std(x):
    mean, m2 = 0.0, 0.0
    for k, v in enumerate(x, 1):
        d = v - mean
        mean += d / k
        m2 += d * (v - mean)
    return math.sqrt(m2 / (len(x) - 1))


def nan_count(x):
    return sum(1 for v in x if math.isnan(v))  # a traced bool in `if`: refused


def is_close_pairs(a, b):
    return [math.isclose(u, v, rel_tol=1e-3) for u, v in zip(a, b)]


def finite_flags(x):
    return np.array([(math.isfinite(v), math.isinf(v), math.isnan(v)) for v in x])


# ----------------------------------------------------------------------------- numerics


def bucket_index(x, width):
    return np.array([math.floor(v / width[0]) for v in x]), math.ceil(x[0]), math.trunc(x[1])


def frexp_exponents(x):
    return [math.frexp(v) for v in x]


def modf_parts(x):
    return [math.modf(v) for v in x]


def ldexp_scale(x):
    return [math.ldexp(v, 3) for v in x]


def copysign_abs(x, y):
    return [math.copysign(math.fabs(u), v) for u, v in zip(x, y)]


def fmod_wrap(x):
    return [math.fmod(v, 1.5) for v in x]


def ulp_steps(x):
    return [math.ulp(v) for v in x], math.nextafter(x[0], math.inf)


def inverse_trig(x):
    return [(math.asin(v), math.acos(v), math.atan(v)) for v in x]


def hyperbolic(x):
    return [(math.sinh(v), math.cosh(v), math.asinh(v), math.atanh(v / 2)) for v in x]


def acosh_of_shifted(x):
    return [math.acosh(1.0 + v * v) for v in x]


def tan_half(x):
    return [math.tan(v / 2) for v in x]


def expm1_small(x):
    return [math.expm1(v * 1e-8) for v in x]


def cube_root(x):
    return [math.cbrt(v) for v in x]


def exp2_bits(x):
    return [math.exp2(v) for v in x]


def log_base(x):
    return [math.log(v, 10) for v in x], math.log(x[0], x[1])


def float32_times_math(x):
    return x * math.exp(float(1.0)) * math.cos(x[0])  # x is float32: stays float32


def _u(n, seed, lo=-0.9, hi=0.9):
    return np.random.default_rng(seed).uniform(lo, hi, n)


def _pos(n, seed):
    return np.random.default_rng(seed).uniform(0.5, 3.0, n)


MATH = {
    "polyline_length": (polyline_length, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "polygon_perimeter_hypot": (polygon_perimeter_hypot, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "heading_angles": (heading_angles, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "rotate_points": (rotate_points, {}, lambda s, n: (_f(n, 2, seed=s), _f(1, seed=s + 9))),
    "haversine": (haversine, {}, lambda s, n: tuple(90 * _u(n, s + k) for k in range(4))),
    "circle_area": (circle_area, {}, lambda s, n: (_pos(n, s),)),
    "dist_between": (dist_between, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "triangle_area_heron": (triangle_area_heron, {}, lambda s, n: (
        np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]]) * _pos(1, s)[0],)),
    "angle_between": (angle_between, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "polar_coords": (polar_coords, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "wrap_angle": (wrap_angle, {}, lambda s, n: (20 * _f(n, seed=s),)),
    "vector_norm3": (vector_norm3, {}, lambda s, n: (_f(3, seed=s),)),
    "float32_scaled": (float32_scaled, {}, lambda s, n: (_f(n, seed=s).astype(np.float32),)),
    "boltzmann_weights": (boltzmann_weights, {}, lambda s, n: (_pos(n, s), _pos(1, s + 1))),
    "metropolis_accept_prob": (metropolis_accept_prob, {}, lambda s, n: (
        _f(n, seed=s), _pos(1, s + 1))),
    "pendulum_euler": (pendulum_euler, {}, lambda s, n: (_u(1, s), _u(1, s + 1))),
    "projectile_range": (projectile_range, {}, lambda s, n: (_pos(n, s), 80 * _pos(1, s) / 3)),
    "damped_oscillator": (damped_oscillator, {}, lambda s, n: (_pos(n, s),)),
    "arrhenius_rate": (arrhenius_rate, {}, lambda s, n: (300 * _pos(n, s),)),
    "escape_velocity": (escape_velocity, {}, lambda s, n: (1e24 * _pos(n, s), 1e6 * _pos(1, s))),
    "lennard_jones_energy": (lennard_jones_energy, {}, lambda s, n: (
        np.arange(n)[:, None] * 1.3 + 0.1 * _u((n, 3), s),)),
    "coulomb_force_mag": (coulomb_force_mag, {}, lambda s, n: (1e-6 * _f(2, seed=s), _pos(1, s))),
    "log_decay": (log_decay, {}, lambda s, n: (_pos(n, s), _pos(1, s), _pos(1, s + 1))),
    "tanh_activation_scalar": (tanh_activation_scalar, {}, lambda s, n: (_f(n, seed=s),)),
    "sigmoid_loop": (sigmoid_loop, {}, lambda s, n: (_f(n, seed=s),)),
    "softplus_loop": (softplus_loop, {}, lambda s, n: (_f(n, seed=s),)),
    "box_muller": (box_muller, {"n": 3}, lambda s, n: (np.random.default_rng(s),)),
    "box_muller_first": (box_muller_first, {}, lambda s, n: (np.random.default_rng(s),)),
    "normal_cdf_loop": (normal_cdf_loop, {}, lambda s, n: (2 * _f(n, seed=s),)),
    "normal_sf": (normal_sf, {}, lambda s, n: (3 * _f(n, seed=s),)),
    "log_binomial_pmf": (log_binomial_pmf, {}, lambda s, n: (
        np.arange(n) % 5, np.arange(n) % 5 + 7, np.random.default_rng(s).uniform(0.1, 0.9, n))),
    "gamma_pdf": (gamma_pdf, {}, lambda s, n: (_pos(n, s), 3 * _pos(1, s + 1))),
    "beta_function": (beta_function, {}, lambda s, n: (_pos(1, s), _pos(1, s + 1))),
    "exact_mean": (exact_mean, {}, lambda s, n: (_f(n, seed=s),)),
    "fsum_of_list": (fsum_of_list, {}, lambda s, n: (_f(n, seed=s),)),
    "geometric_mean_log": (geometric_mean_log, {}, lambda s, n: (_pos(n, s),)),
    "product_of_elements": (product_of_elements, {}, lambda s, n: (_f(n, seed=s),)),
    "log10_magnitude": (log10_magnitude, {}, lambda s, n: (1e3 * _f(n, seed=s),)),
    "entropy_bits": (entropy_bits, {}, lambda s, n: (_pos(n, s) / _pos(n, s).sum(),)),
    "welford_std": (welford_std, {}, lambda s, n: (_f(n, seed=s),)),
    "is_close_pairs": (is_close_pairs, {}, lambda s, n: (
        _f(n, seed=s), _f(n, seed=s) * (1 + 1e-3 * _u(n, s + 1, -2, 2)))),
    "finite_flags": (finite_flags, {}, lambda s, n: (
        np.where(np.arange(n) % 3 == 0, np.inf, _f(n, seed=s)),)),
    "bucket_index": (bucket_index, {}, lambda s, n: (5 * _f(n, seed=s), _pos(1, s))),
    "frexp_exponents": (frexp_exponents, {}, lambda s, n: (100 * _f(n, seed=s),)),
    "modf_parts": (modf_parts, {}, lambda s, n: (10 * _f(n, seed=s),)),
    "ldexp_scale": (ldexp_scale, {}, lambda s, n: (_f(n, seed=s),)),
    "copysign_abs": (copysign_abs, {}, lambda s, n: (_f(n, seed=s), _f(n, seed=s + 1))),
    "fmod_wrap": (fmod_wrap, {}, lambda s, n: (10 * _f(n, seed=s),)),
    "ulp_steps": (ulp_steps, {}, lambda s, n: (_f(n, seed=s),)),
    "inverse_trig": (inverse_trig, {}, lambda s, n: (_u(n, s),)),
    "hyperbolic": (hyperbolic, {}, lambda s, n: (_u(n, s),)),
    "acosh_of_shifted": (acosh_of_shifted, {}, lambda s, n: (_f(n, seed=s),)),
    "tan_half": (tan_half, {}, lambda s, n: (_u(n, s),)),
    "expm1_small": (expm1_small, {}, lambda s, n: (_f(n, seed=s),)),
    "cube_root": (cube_root, {}, lambda s, n: (10 * _f(n, seed=s),)),
    "exp2_bits": (exp2_bits, {}, lambda s, n: (10 * _f(n, seed=s),)),
    "log_base": (log_base, {}, lambda s, n: (_pos(n, s),)),
    "float32_times_math": (float32_times_math, {}, lambda s, n: (
        _f(n, seed=s).astype(np.float32),)),
}


# refused by earlier hunts as `float()` of a traced element; they trace now
WERE_REFUSED = {
    "polyline_length_math": (polyline_length_math, {}, lambda s, n: (_f(n, 2, seed=s),)),
    "sto3g_overlap_math": (sto3g_overlap_math, {}, lambda s, n: (
        np.array([0.109818, 0.405771, 2.22766]) * s, np.array([0.44, 0.54, 0.15]), 1.4)),
    "lgamma_math_loop": (lgamma_math_loop, {}, lambda s, n: (
        np.random.default_rng(s).uniform(0.1, 30, n),)),
    "bs_lambda_erf": (bs_lambda_erf, {}, lambda s, n: (100.0 + _f(n, seed=s), 100.0, 1.0, 0.05,
                                                        0.2)),
}


@pytest.mark.parametrize("name", list(MATH) + list(WERE_REFUSED))
def test_math_module_matches_numpy(name):
    check_like_numpy(*{**MATH, **WERE_REFUSED}[name])


def test_math_results_are_python_scalars():
    """`math.sqrt(x[0])` comes back a Python float, `math.floor` an int, `math.isnan` a bool,
    as they do from NumPy's code; and a float32 array times one stays float32."""
    def f(x):
        return math.sqrt(x[0]), math.floor(x[1]), math.isnan(x[0]), x * math.exp(x[0])

    x = np.array([2.0, 3.5], dtype=np.float32)
    got = tracenp.jit(f)(x)
    assert [type(v) for v in got[:3]] == [float, int, bool]
    assert got[3].dtype == np.float32
    assert_same(got, f(x))


@pytest.mark.parametrize("fn, x, error", [
    (lambda x: math.sqrt(x[0]), -1.0, ValueError),
    (lambda x: math.log(x[0]), 0.0, ValueError),
    (lambda x: math.log(x[0], x[0]), 1.0, ZeroDivisionError),
    (lambda x: math.exp(x[0]), 1000.0, OverflowError),
    (lambda x: math.acos(x[0]), 2.0, ValueError),
    (lambda x: math.pow(x[0], -1.0), 0.0, ValueError),
    (lambda x: math.floor(x[0]), np.inf, OverflowError),
    (lambda x: math.floor(x[0]), np.nan, ValueError),
    (lambda x: math.gamma(x[0]), -2.0, ValueError),
    (lambda x: math.gamma(x[0]), 200.0, OverflowError),
    (lambda x: math.fsum([x[0], -x[0]]), np.inf, ValueError),
])
def test_math_errors_raise_when_the_function_runs(fn, x, error):
    """A value `math` raises for raises the same error from the compiled function (NumPy's
    ufunc would answer NaN or inf), and a fine value answers."""
    jf = tracenp.jit(fn)
    with pytest.raises(error):
        fn(np.array([x]))
    with pytest.raises(error):
        jf(np.array([x]))
    assert_same(jf(np.array([0.5])), fn(np.array([0.5])))


@pytest.mark.parametrize("x", [0.5, 1.0, 2.5, 7.0, 23.0, 24.0, 30.5, 150.5, 171.5, -0.5,
                               -1.5, -7.25, -150.5, -250.5, 1e-25, -1e-25, np.inf, np.nan])
def test_math_gamma_is_cpythons(x):
    """`math.gamma` traced gives CPython's values (its Lanczos formula, its factorial table)."""
    assert_same(tracenp.jit(lambda v: math.gamma(v[0]))(np.array([x])), math.gamma(x),
                rtol=1e-14)


def test_math_special_values_match():
    """`math`'s infinities and NaNs: hypot's infinity beats a NaN, isclose of infinities,
    remainder's halfway cases and ulp at the ends of the range."""
    def f(x):
        return (math.hypot(x[0], x[1]), math.isclose(x[0], x[0]), math.remainder(x[2], 2.0),
                math.remainder(x[3], 2.0), math.ulp(x[4]), math.copysign(1.0, x[5]),
                math.fsum([x[0], x[2]]), math.fmod(x[2], x[0]))

    x = np.array([np.inf, np.nan, 3.0, 5.0, np.finfo(np.float64).max, -0.0])
    assert_same(tracenp.jit(f)(x), f(x))


def test_math_gradient():
    """`math.sqrt`, `math.exp`, `math.sin` of traced values differentiate as NumPy's."""
    def loss(p):
        return math.sqrt(p[0] ** 2 + p[1] ** 2) + math.exp(p[0]) * math.sin(p[1])

    p = np.array([0.3, 0.7])
    g = tracenp.grad(loss)(p)
    r = math.sqrt(0.58)
    assert_same(g, np.array([0.3 / r + math.exp(0.3) * math.sin(0.7),
                             0.7 / r + math.exp(0.3) * math.cos(0.7)]), rtol=1e-12)


def count_down(x):
    return [i for i in range(math.floor(x[0]))]


def factorial_of_count(x):
    return math.factorial(x.sum())


@pytest.mark.parametrize("fn, error", [
    (count_down, tracenp.TracingError),
    (factorial_of_count, tracenp.UnsupportedFunctionError),
    (nan_count, tracenp.TracingError),
])
def test_math_counts_and_integers_refused(fn, error):
    """A Python int from `math.floor` of a traced value used as a count, `math.factorial` of
    a traced int, and `if math.isnan(v)` are refused; `fallback=True` runs NumPy's code."""
    check_refused(error, fn, lambda s: (np.array([3.5, 1.0]) + s,) if fn is not factorial_of_count
                  else (np.array([3, 1]) + s,))


def test_math_module_untouched_outside_traces():
    """`math`'s functions are themselves outside a trace, and answer plain numbers inside."""
    assert math.sqrt is sqrt and floor(2.5) == 2 and exp(0.0) == 1.0 and sin(0.0) == 0.0

    def f(x):
        return x * math.sqrt(4.0) + math.prod((2, 3))

    assert_same(tracenp.jit(f)(np.ones(2)), f(np.ones(2)))
    assert math.sqrt is sqrt
